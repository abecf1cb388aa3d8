#!/usr/bin/env python3
"""hier_windows.py -- the demo half of the calibration-windows round of 2026-12-07 (docs/FORECASTING.md, "How many
calibration windows"): the demo plan's bottom-up totals (the city and its districts) forecast 36 months from
2024-12 with K conformal calibration windows of step 1 for the base bands, and for each K
  spike     the mean over the 12 totals of the largest, over steps s = 2..35, of
            |ln r_s - (ln r_{s-1} + ln r_{s+1}) / 2|, r_s the 80% band's width over the mean at step s
  cov80/95  the 2025 holdout's coverage of those totals (12 totals x 12 months), and the coverage error
            |cov80 - 80| + |cov95 - 95| in points
  width80   the 80% band's mean width over the mean in 2025, and the city's widest 2025 month / its median one
  cpu       the forecast's user + system seconds
The tourism and prison halves are bench/hier_paths.sh with CIV_HIER_WINDOWS=K.  Not a test; not part of
`make bench` (about 20 s of CPU a window count on the release build).
usage (from the repository root): /usr/bin/python3 bench/hier_windows.py BUILD_DIR [K ...]   (default K: 0 3 6;
0 = the library's default, one window)
"""
import os
import resource
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd

DEMO = "datasets/demo_city"


def cpu_seconds():
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def forecast(build, k, path):
    cmd = [f"{build}/civicast", "forecast", f"{DEMO}/meals.csv", "--hierarchy", "district", "--communities",
           f"{DEMO}/communities.csv", "--reconcile", "bu", "--model", "auto", "--h", "36", "--level", "80,95",
           "--seed", "20260101", "--out", path]
    if k:
        cmd += ["--conformal-windows", str(k), "--conformal-step", "1"]
    before = cpu_seconds()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cpu_seconds() - before


def actual_totals():
    y = pd.read_csv(f"{DEMO}/holdout_2025.csv", usecols=["unique_id", "ds", "y"])
    c = pd.read_csv(f"{DEMO}/communities.csv", usecols=["unique_id", "district"])
    y = y.merge(c, on="unique_id")
    city = y.groupby("ds", as_index=False)["y"].sum().assign(unique_id="total")
    dist = y.groupby(["district", "ds"], as_index=False)["y"].sum().rename(columns={"district": "unique_id"})
    return pd.concat([city, dist], ignore_index=True)


def measure(fc, actual):
    tot = fc[fc["level"] != "unique_id"].copy()
    tot["r"] = (tot["hi-80"] - tot["lo-80"]) / tot["mean"]
    spikes = []
    for _, g in tot.sort_values("h").groupby("unique_id"):
        lr = np.log(g["r"].to_numpy())
        spikes.append(np.max(np.abs(lr[1:-1] - (lr[:-2] + lr[2:]) / 2)))
    m = tot.merge(actual, on=["unique_id", "ds"], how="inner")
    cov = {lv: 100 * float(((m["y"] >= m[f"lo-{lv}"]) & (m["y"] <= m[f"hi-{lv}"])).mean()) for lv in (80, 95)}
    city = tot[(tot["unique_id"] == "total") & (tot["h"] <= 12)]["r"]
    return {"totals": tot["unique_id"].nunique(), "points": len(m), "spike": float(np.mean(spikes)),
            "cov80": cov[80], "cov95": cov[95], "coverr": abs(cov[80] - 80) + abs(cov[95] - 95),
            "width80": float(m["r"].mean()), "city_max_over_median": float(city.max() / city.median())}


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build/release"
    ks = [int(a) for a in sys.argv[2:]] or [0, 3, 6]
    actual = actual_totals()
    print("| K | totals | points | spike | cov80 | cov95 | coverage error | width80 | city max/median 2025 | CPU s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for k in ks:
            path = os.path.join(tmp, f"k{k}.csv")
            cpu = forecast(build, k, path)
            r = measure(pd.read_csv(path), actual)
            print(f"| {k or '1 (default)'} | {r['totals']} | {r['points']} | {r['spike']:.3f} | {r['cov80']:.1f} | "
                  f"{r['cov95']:.1f} | {r['coverr']:.1f} | {r['width80']:.3f} | {r['city_max_over_median']:.2f} | "
                  f"{cpu:.1f} |", flush=True)


if __name__ == "__main__":
    main()
