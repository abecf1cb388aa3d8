#!/usr/bin/python3
"""alloc_cli_pandas.py -- the peer of `civicast allocate` end to end in
bench/alloc_cli.bench.sh: pandas reads the communities CSV written by
bench/gen_alloc_city.c, numpy does the same arithmetic as its spec (two
reserves rounded up, a fixed and two share pools, the eldercare+health fund
and the earmarked migrant fund, six factors with a coefficient, the aging
tilt, floor, cap share, 85% hold-harmless and +20% pace as bounds, the
clamp-and-renormalise loop an analyst would write, largest-remainder rounding
to the fen), and pandas writes the per-community table (ids and labels,
amounts per fund and in total in fen and yuan, share, the factor
decomposition, tilt, last year and change; no explanation sentences) with
to_csv.  The spec's numbers are read from PREFIX.spec.  Prints one line of
key=value pairs: seconds (wall, best of RUNS), cpu_seconds, the phases of
the best run (read_s, solve_s, write_s), total_ok, peak_rss_kb, pandas.
usage: alloc_cli_pandas.py PREFIX OUT.csv [RUNS]
"""
import re
import resource
import sys
import time

import numpy as np
import pandas as pd


def num(spec, key, nth=0):
    return float(re.findall(r"^%s = ([0-9._e+-]+)" % key, spec, re.M)[nth].replace("_", ""))


def largest_remainder(amount, lo, hi, pool):
    out = np.clip(np.floor(amount), lo, hi)
    deficit = int(round(pool - out.sum()))
    if deficit > 0:
        slack = np.nonzero(out < hi)[0]
        order = np.lexsort((slack, -(amount[slack] - out[slack])))
        out[slack[order[:deficit]]] += 1
    elif deficit < 0:
        slack = np.nonzero(out > lo)[0]
        order = np.lexsort((slack, amount[slack] - out[slack]))
        out[slack[order[:-deficit]]] -= 1
    return out


def clamp_renormalise(raw, lo, hi, pool):
    fixed = np.zeros(raw.shape, dtype=bool)
    amount = np.empty_like(raw)
    for _ in range(1000):
        free = ~fixed
        left = pool - amount[fixed].sum()
        amount[free] = left * raw[free] / raw[free].sum()
        below, above = free & (amount < lo), free & (amount > hi)
        if not below.any() and not above.any():
            break
        amount[below], amount[above] = lo[below], hi[above]
        fixed |= below | above
    return amount


def allocate(df, spec):
    total = round(num(spec, "total") * 100)
    reserves = [np.ceil(total * num(spec, "share", 0) - 1e-9), np.ceil(total * num(spec, "share", 1) - 1e-9)]
    eldercare = round(num(spec, "amount") * 100)
    rest = total - sum(reserves) - eldercare
    health = np.floor(rest * num(spec, "share", 2))
    migrant = rest - health
    ly = df["last_year_funding"].to_numpy() * 100.0
    n = len(df)
    # main fund: factor shares, weights, tilt, bounds
    factors = [(df["population_resident"].to_numpy() * df["fiscal_difficulty"].to_numpy(), 0.25),
               (df["aged60_resident"].to_numpy(), 0.35), (df["migrant_count"].to_numpy(), 0.10),
               (df["area_km2"].to_numpy(), 0.05), (df["service_points"].to_numpy(), 0.10),
               (df["performance_score"].to_numpy(), 0.15)]
    parts = [w * x / x.sum() for x, w in factors]
    base = np.sum(parts, axis=0)
    tilt = np.where(df["aged60_share"].to_numpy() > 0.25, 1.2, 1.0)
    raw = base * tilt
    fund = eldercare + health
    lo = np.maximum(num(spec, "floor") * 100, np.ceil(0.85 * ly - 1e-6))
    hi = np.minimum(np.floor(num(spec, "cap_share", 0) * fund), np.maximum(np.floor(1.2 * ly + 1e-6), lo))
    main = clamp_renormalise(raw, lo, hi, fund)
    main_fen = largest_remainder(main, lo, hi, fund)
    # migrant fund: earmarked, one factor, a cap share
    elig = df["migrant_share"].to_numpy() >= 0.5
    m_raw = df["migrant_count"].to_numpy()[elig].astype(np.float64)
    m_hi = np.full(m_raw.shape, np.floor(num(spec, "cap_share", 1) * migrant))
    m_amt = clamp_renormalise(m_raw, np.zeros_like(m_raw), m_hi, migrant)
    mig_fen = np.zeros(n)
    mig_fen[elig] = largest_remainder(m_amt, np.zeros_like(m_raw), m_hi, migrant)
    amount = main_fen + mig_fen
    q = main / base
    out = pd.DataFrame({"unique_id": df["unique_id"], "name": df["name"], "district": df["district"],
                        "street": df["street"], "pool_eldercare+health_fen": main_fen.astype(np.int64),
                        "pool_migrant_fen": mig_fen.astype(np.int64), "amount_fen": amount.astype(np.int64)})
    out["amount_yuan"] = pd.Series(amount / 100).map("{:.2f}".format)
    out["share_pct"] = np.round(1e6 * amount / amount.sum()) / 1e4
    for (name, p) in zip(["population", "aged60", "migrants", "area", "service_points", "performance"], parts):
        out["factor_%s_fen" % name] = q * p
    mc = np.zeros(n)
    mc[elig] = m_amt
    out["factor_migrant_count_fen"] = mc
    out["rounding_fen"] = amount - main - mc
    out["tilt_main"] = tilt
    lyf = np.round(ly).astype(np.int64)
    out["last_year_fen"] = lyf
    out["last_year_yuan"] = pd.Series(lyf / 100).map("{:.2f}".format)
    out["change_fen"] = amount.astype(np.int64) - lyf
    out["change_pct"] = np.round(10000.0 * (amount - lyf) / lyf) / 100
    ok = int(amount.sum() == fund + migrant)
    return out, ok


def main():
    prefix, out_path = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    spec = open(prefix + ".spec").read()
    best = None
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        df = pd.read_csv(prefix + ".csv", dtype={"unique_id": str, "name": str, "district": str, "street": str})
        t1 = time.perf_counter()
        out, ok = allocate(df, spec)
        t2 = time.perf_counter()
        out.to_csv(out_path, index=False)
        t3 = time.perf_counter()
        run = (t3 - t0, time.process_time() - c0, t1 - t0, t2 - t1, t3 - t2, ok)
        if best is None or run[0] < best[0]:
            best = run
    print("seconds=%.3f cpu_seconds=%.3f read_s=%.3f solve_s=%.3f write_s=%.3f total_ok=%d peak_rss_kb=%d pandas=%s"
          % (best + (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, pd.__version__)))


if __name__ == "__main__":
    main()
