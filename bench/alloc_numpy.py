#!/usr/bin/python3
"""alloc_numpy.py -- the peer of bench_alloc.c: the same allocation rules in
direct numpy, the way an analyst would write them, with its own
clamp-and-renormalise loop instead of the exact breakpoint solve.

Reads PREFIX.bin / PREFIX.spec / PREFIX.amounts written by bench_alloc:
six factor shares (population with a fiscal-difficulty coefficient), the
aging tilt, a floor, a cap (share of the pool), an 80% hold-harmless, then
largest-remainder rounding to the fen (ties by id = index).  Times the
allocation (best of RUNS; loading excluded), compares with the C amounts and
checks both against the optimality conditions of the exact solve (kkt_*_fen:
the largest violation in fen, 0 when exact).  Prints one line of key=value
pairs.
usage: alloc_numpy.py PREFIX [RUNS]
"""
import re
import resource
import sys
import time

import numpy as np


def spec_number(text, key):
    return float(re.search(r"^%s = ([0-9.e+-]+)" % key, text, re.M).group(1))


def allocate(cols, total_fen, floor_fen, cap_share, hold_harmless):
    pop, diff, aged, mig, area, sp, perf, ly, ashare = cols
    # budget: 5% reserve, the rest to the pool, split by largest remainder
    reserve_real, rest_real = 0.05 * total_fen, 0.95 * total_fen
    reserve, rest = np.floor(reserve_real), np.floor(rest_real)
    if reserve + rest < total_fen:
        if reserve_real - reserve >= rest_real - rest:
            reserve += 1
        else:
            rest += 1
    pool = rest
    # factor shares and the weighted score
    factors = [(pop * diff, 0.25), (aged, 0.30), (mig, 0.10), (area, 0.05), (sp, 0.10), (perf, 0.20)]
    base = np.zeros_like(pop)
    for x, w in factors:
        base += w * x / x.sum()
    raw = base * np.where(ashare > 0.25, 1.2, 1.0)
    # bounds in whole fen
    hh = hold_harmless * ly * 100.0
    r = np.round(hh)
    hh = np.where(np.abs(hh - r) <= 1e-11 * np.maximum(1.0, hh), r, hh)
    lo = np.maximum(floor_fen, np.ceil(hh))
    hi = np.full_like(pop, np.floor(cap_share * pool))
    # clamp and renormalise until nothing moves
    fixed = np.zeros(pop.shape, dtype=bool)
    amount = np.empty_like(pop)
    iterations = 0
    while True:
        iterations += 1
        free = ~fixed
        left = pool - amount[fixed].sum()
        amount[free] = left * raw[free] / raw[free].sum()
        below = free & (amount < lo)
        above = free & (amount > hi)
        if not below.any() and not above.any():
            break
        amount[below] = lo[below]
        amount[above] = hi[above]
        fixed |= below | above
        if iterations > 1000:
            break
    # largest remainder, ties by id (index)
    out = np.floor(amount)
    out = np.clip(out, lo, hi)
    deficit = int(pool - out.sum())
    if deficit > 0:
        slack = np.nonzero(out < hi)[0]
        rem = amount[slack] - out[slack]
        order = np.lexsort((slack, -rem))
        out[slack[order[:deficit]]] += 1
    elif deficit < 0:
        slack = np.nonzero(out > lo)[0]
        rem = amount[slack] - out[slack]
        order = np.lexsort((slack, rem))
        out[slack[order[:-deficit]]] -= 1
    return out.astype(np.int64), iterations, int(pool), raw, lo, hi


def kkt_violation(a, raw, lo, hi):
    """Largest violation (fen) of the optimality conditions of the exact
    solve by integer amounts a: one lambda with a = lambda*raw (+-1 fen of
    rounding) where lo < a < hi, lambda*raw <= lo + 1 at the floor and
    lambda*raw >= hi - 1 at the cap."""
    a = a.astype(np.float64)
    inner = (a > lo + 1) & (a < hi - 1) & (raw > 0)
    if not inner.any():
        return 0.0
    lam = np.median(a[inner] / raw[inner])
    free = np.abs(a[inner] - lam * raw[inner]).max()
    at_lo = (a <= lo + 1) & (raw > 0)
    at_hi = (a >= hi - 1) & (raw > 0)
    v_lo = np.maximum(lam * raw[at_lo] - lo[at_lo] - 1, 0).max(initial=0)
    v_hi = np.maximum(hi[at_hi] - 1 - lam * raw[at_hi], 0).max(initial=0)
    return max(free - 1, v_lo, v_hi, 0.0)


def main():
    prefix = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    spec = open(prefix + ".spec").read()
    cols = np.fromfile(prefix + ".bin", dtype=np.float64)
    n = cols.size // 9
    cols = cols.reshape(9, n)
    c_amounts = np.fromfile(prefix + ".amounts", dtype=np.int64)
    total_fen = round(spec_number(spec, "total") * 100)
    args = (cols, total_fen, round(spec_number(spec, "floor") * 100), spec_number(spec, "cap_share"),
            spec_number(spec, "hold_harmless"))
    best = best_cpu = float("inf")
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.thread_time()
        out, iterations, pool, raw, lo, hi = allocate(*args)
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.thread_time() - c0)
    diff = np.abs(out - c_amounts)
    print("n=%d seconds=%.4f cpu_seconds=%.4f iterations=%d total_ok=%d max_diff_fen=%d differing=%d kkt_numpy_fen=%.1f "
          "kkt_civicast_fen=%.1f numpy=%s peak_rss_kb=%d" % (
              n, best, best_cpu, iterations, int(out.sum() == pool), int(diff.max()), int((diff > 0).sum()),
              kkt_violation(out, raw, lo, hi), kkt_violation(c_amounts, raw, lo, hi), np.__version__,
              resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


if __name__ == "__main__":
    main()
