#!/usr/bin/python3
"""pandas_read.py -- the peer of bench/csv_read.c: read a long-format panel CSV
with pandas and group it into per-series numpy arrays (y and each covariate,
in period order), the work a statsforecast-style user does before fitting.

Prints one line of key=value pairs (best wall time of RUNS, peak RSS) for
bench/csv.bench.sh.  usage: pandas_read.py FILE.csv [RUNS=3]

pandas gets the easy case: the default C parser, ds kept as text (the file's
"YYYY-MM" strings sort like the dates), no gap filling (the benchmark file
has no gaps) -- civicast does all of that work in its time.
"""
import resource
import sys
import time

import numpy as np
import pandas as pd


def read_panel(path):
    df = pd.read_csv(path, dtype={"unique_id": str, "ds": str})
    # Series in order of first appearance, rows in period order, as civicast.
    codes, uniques = pd.factorize(df["unique_id"], sort=False)
    order = np.lexsort((df["ds"].to_numpy(), codes))
    codes = codes[order]
    bounds = np.flatnonzero(np.diff(codes)) + 1
    series = {}
    value_cols = [c for c in df.columns if c not in ("unique_id", "ds")]
    arrays = {c: np.split(df[c].to_numpy(dtype=np.float64)[order], bounds) for c in value_cols}
    for j, uid in enumerate(uniques):
        series[uid] = {c: arrays[c][j] for c in value_cols}
    return series


def main():
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    best = float("inf")
    n = 0
    for _ in range(runs):
        t0 = time.perf_counter()
        series = read_panel(path)
        best = min(best, time.perf_counter() - t0)
        n = len(series)
        del series
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"seconds={best:.3f} peak_rss_kb={peak} series={n} pandas={pd.__version__}")


if __name__ == "__main__":
    main()
