"""float32_decimals.py -- the cost of reading a float32 column as the decimals it prints
(python-bindings/civicast/frame.py _as_float64 / _printed_decimals), against the method it replaced
(x.astype(np.float32).astype(str).astype(np.float64): print every value, read it back), on a million
values of each kind; checks that both give the same float64s, bit for bit.

usage: PYTHONPATH=python-bindings /usr/bin/python3 bench/float32_decimals.py [N] [RUNS]
(N values per kind, default 1,000,000; the best of RUNS, default 3).  Prints one line per kind:
kind, seconds per million values for printing and for _printed_decimals, the speed-up, and the share of
values that took the printed text (edge cases and magnitudes outside 1e-11 .. 1e21)."""
import sys
import time

import numpy as np

import civicast.frame as frame


def best(fn, runs):
    t = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        t = min(t, time.perf_counter() - t0)
    return t, out


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    rng = np.random.default_rng(6)
    with np.errstate(all="ignore"):
        kinds = {
            "y / 7 (counts 0..500)": rng.integers(0, 500, n) / 7,
            "shares 0..1": rng.uniform(0, 1, n),
            "yuan with 2 decimals": rng.integers(0, 10 ** 8, n) / 100,
            "lognormal(0, 6)": rng.lognormal(0, 6, n),
            "random bit patterns": rng.integers(0, 2 ** 32, n, dtype=np.uint64).astype(np.uint32).view(np.float32),
        }
    print(f"{'kind':<24} {'values':>9} {'print s/M':>10} {'numpy s/M':>10} {'speed-up':>9} {'printed':>8}")
    for name, v in kinds.items():
        with np.errstate(all="ignore"):
            x = np.asarray(v, dtype=np.float32).astype(np.float64)
            x = x[np.isfinite(x) & (x != np.round(x))]
        t_old, old = best(lambda: x.astype(np.float32).astype(str).astype(np.float64), runs)
        stats = {}
        t_new, new = best(lambda: frame._printed_decimals(x, np.float32, stats), runs)
        if not np.array_equal(old, new):
            bad = np.flatnonzero(old != new)[:3]
            sys.exit(f"float32_decimals.py: {name}: differs from printing at {[repr(np.float32(x[i])) for i in bad]}")
        printed = stats["printed"] / max(x.size, 1)
        m = x.size / 1e6
        print(f"{name:<24} {x.size:>9} {t_old / m:>10.3f} {t_new / m:>10.3f} {t_old / t_new:>8.1f}x {printed:>7.2%}")


if __name__ == "__main__":
    main()
