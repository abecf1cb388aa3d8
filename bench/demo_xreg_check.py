#!/usr/bin/python3
"""demo_xreg_check.py -- does regression with ARIMA errors recover the demo
city's true aged-60+ effect?

The demo city's generator (datasets/generate_demo_city.py, datasets/README.md,
"The true coefficient of aged60") makes expected meals proportional to the
60+ resident count: elasticity exactly 1.0, and a level effect
dE[y]/d aged60 whose 2024 mean per community is truth.csv:beta_2024.  A linear
regression of y on aged60 with ARIMA errors estimates that level effect, so
this script compares the per-community aged60 coefficient of

    civicast forecast datasets/demo_city/meals.csv --model arima --xreg aged60 \
        --h 12 --report R.csv --out F.csv

with beta_2024: medians, the median ratio, the share of communities whose true
value lies within 2 standard errors of the estimate, and the correlations
(Pearson and Spearman) across communities, and the implied elasticity at the
sample means, coef * mean(aged60) / mean(y) (truth: 1.0); for all fitted series,
for the subset where the level effect is well defined over the sample (mature
canteens: service before 2017, no aged60 event, no late opening), and for the
groups where it is not.  beta_2024 is the 2024 effect; a regression over
2019-2024 estimates the sample-average effect, which the 2020 and 2022
disruptions put at about 0.93-0.95 of it (factors.csv), so a coef/beta ratio
near 0.95 is recovery, not bias.

usage: /usr/bin/python3 bench/demo_xreg_check.py [REPORT.csv] [--truth truth.csv]
                                                   [--civicast PATH]
  REPORT.csv  the --report file of the command above; with --civicast PATH the
              script runs the command itself (one thread) into a temporary dir.
Prints a Markdown summary on stdout.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("report", nargs="?")
ap.add_argument("--truth", default=os.path.join(root, "datasets/demo_city/truth.csv"))
ap.add_argument("--meals", default=os.path.join(root, "datasets/demo_city/meals.csv"))
ap.add_argument("--civicast")
a = ap.parse_args()

if a.civicast:
    tmp = tempfile.mkdtemp()
    a.report = os.path.join(tmp, "report.csv")
    subprocess.run([a.civicast, "forecast", a.meals, "--model", "arima", "--xreg", "aged60", "--h", "12",
                    "--report", a.report, "--out", os.path.join(tmp, "fc.csv"), "--threads", "1", "--quiet"],
                   check=False)
if not a.report or not os.path.exists(a.report):
    sys.exit("demo_xreg_check.py: give the --report file or --civicast PATH")

rep = pd.read_csv(a.report)
truth = pd.read_csv(a.truth)
d = rep.merge(truth, on="unique_id", how="inner")
fitted = d[(d.status == "CIV_OK") & d["aged60"].notna()].copy()
fitted["se"] = fitted["se(aged60)"]
# elasticity at the sample means: coef * mean(aged60) / mean(y) over the observed months
meals = pd.read_csv(a.meals)
means = meals[meals.y.notna()].groupby("unique_id")[["y", "aged60"]].mean()
fitted = fitted.merge(means.rename(columns={"y": "y_mean", "aged60": "x_mean"}), left_on="unique_id",
                      right_index=True, how="left")
fitted["elasticity"] = fitted["aged60"] * fitted.x_mean / fitted.y_mean
fitted["d"] = fitted.model.map(lambda s: int(m.group(1)) if (m := re.search(r"ARIMA\(\d+,(\d+),", s)) else -1)
mature = fitted[(fitted.service_mode == "canteen") & (fitted.service_start < "2017-01") &
                fitted.aged60_event.isna() & fitted.pre_open_rows.isna()]


def summary(x, name):
    b, t, se = x["aged60"].to_numpy(), x["beta_2024"].to_numpy(), x["se"].to_numpy()
    ok_se = np.isfinite(se) & (se > 0)
    within = np.abs(b - t)[ok_se] <= 2 * se[ok_se]
    ratio = b / t
    return (f"| {name} | {len(x)} | {np.median(b):.3f} | {np.median(t):.3f} | {np.median(ratio):.3f} "
            f"({np.quantile(ratio, 0.25):.2f} to {np.quantile(ratio, 0.75):.2f}) | "
            f"{within.mean() * 100:.1f}% of {ok_se.sum()} | {np.median(se[ok_se]):.3f} | "
            f"{np.corrcoef(b, t)[0, 1]:.3f} | {pd.Series(b).corr(pd.Series(t), method='spearman'):.3f} | "
            f"{np.nanmedian(x.elasticity):.3f} | {(x.d == 1).mean() * 100:.0f}% |")


print(f"Report {a.report}: {len(rep)} series, {len(fitted)} fitted with an aged60 coefficient.\n")
print("| subset | series | median coef | median beta_2024 | median coef/beta (IQR) | truth within 2 s.e. | "
      "median s.e. | Pearson r | Spearman r | median elasticity at means (truth 1.0) | d = 1 |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
print(summary(fitted, "all fitted"))
groups = [
    (mature, "mature canteens (before 2017, no event, no late opening)"),
    (fitted[fitted.pre_open_rows.notna()], "late openers (ramp-up inside the sample)"),
    (fitted[fitted.aged60_event.notna()], "aged60 event (relocation or new estate)"),
    (fitted[fitted.service_mode != "canteen"], "delivery-only points"),
]
for x, name in groups:
    if len(x) > 2:
        print(summary(x, name))
