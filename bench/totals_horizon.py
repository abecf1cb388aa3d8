#!/usr/bin/env python3
"""totals_horizon.py -- do the bands of the city and district totals hold beyond the first year?  The plan's
forecast_totals.csv (method "bu": bottom-up sample paths of the district hierarchy, conformal base intervals, the
plan's model `auto`) forecasts as far as the plan's horizon (36 months on the demo city), and the report draws
those bands for every year; until 2026-12-07 only the first year had been measured (docs/REPORT.md, "Beyond the
first year").  This script scores the bands by year ahead; its rule is in that section, written before its figures.

Runs (each: train up to an origin, forecast h periods with civicast.Hierarchy.forecast(reconcile="bu") exactly as
the plan's totals stage does, score the totals (the top node and each node of the one level above the series)
on the periods after the origin, by year ahead (months 1-12, 13-24, 25-36; quarters 1-4, 5-8, 9-12)):
  demo-2022   datasets/demo_city meals.csv to 2022-12, h = 36, scored on 2023-2024 (meals.csv) and 2025
              (holdout_2025.csv); totals: the city and its 11 districts
  demo-2023   the same to 2023-12, h = 24 (2024, 2025)
  tourism     ../shared/data/hierarchies/visnights.csv (fpp2): 20 regions in 6 states; the last 12 quarters
              held out, h = 12; totals: the nation and the 6 states
  prison      ../shared/data/hierarchies/prison.csv: 32 series in 8 states (state x gender x legal, the states
              as the one level); the last 12 quarters held out, h = 12; totals: the nation and the 8 states
Only series with a value at the origin are forecast (the hierarchy's series must end together), and the totals'
actuals sum the same series, so a community opened after the origin counts in neither.
"sum" (each total's band the sum of its series' model bounds, the plan's [forecast] totals = "sum") is scored
alongside for reference.

Not part of the tests.  usage (from the repository root):
  CIV_LIBRARY=build/release/libcivicast.so PYTHONPATH=python-bindings /usr/bin/python3 bench/totals_horizon.py \
      [SHARED_DIR]    (default ../shared/data/hierarchies; tourism and prison are left out, and said so, without it)
"""
import os
import sys
import time

import numpy as np
import pandas as pd

import civicast

from totals_intervals import LEVELS, SEED, totals_of  # the first year's measurement: the same sums


def at_origin(train):
    """The series with a value at the last period of `train` (the hierarchy's series end together)."""
    train = train.dropna(subset=["y"])
    last = train["ds"].max()
    keep = set(train.loc[train["ds"] == last, "unique_id"])
    return train[train["unique_id"].isin(keep)], len(set(train["unique_id"])) - len(keep)


def scored(name, method, fc, actual, per_year):
    """Coverage and relative width of each level's band, by year ahead (h counted from 1)."""
    m = fc.merge(actual, on=["unique_id", "ds"], how="inner")
    m["year"] = (m["h"] - 1) // per_year + 1
    rows = []
    for year, g in m.groupby("year"):
        row = {"run": name, "method": method, "year": int(year), "points": len(g)}
        for lv in LEVELS:
            lo, hi = g[f"lo-{lv}"], g[f"hi-{lv}"]
            row[f"cov{lv}"] = float(((g["y"] >= lo) & (g["y"] <= hi)).mean())
            row[f"width{lv}"] = float(((hi - lo) / g["mean"]).mean())
        rows.append(row)
    return rows


def run(name, train, test, groups, col, h, per_year):
    train, dropped = at_origin(train)
    groups = groups[groups["unique_id"].isin(set(train["unique_id"]))]
    test = test[test["unique_id"].isin(set(train["unique_id"]))].dropna(subset=["y"])
    actual = totals_of(test[["unique_id", "ds", "y"]], groups, col)
    actual["ds"] = actual["ds"].astype(str)
    hz = civicast.Hierarchy(train, groups, hierarchy=[col])
    t0 = time.time()
    a = hz.forecast(h=h, model="auto", level=LEVELS, reconcile="bu", seed=SEED)
    secs = time.time() - t0
    a = a[a["level"] != "unique_id"]
    a = a.assign(unique_id=a["unique_id"].astype(str), ds=a["ds"].astype(str))
    c = civicast.forecast(train, h=h, model="auto", level=LEVELS, seed=SEED)
    c = c.assign(ds=c["ds"].astype(str))
    hs = c[["ds", "h"]].drop_duplicates()
    c = totals_of(c.drop(columns=["h", "model"]), groups, col).merge(hs, on="ds")
    rows = scored(name, "bu", a, actual, per_year) + scored(name, "sum", c, actual, per_year)
    print(f"# {name}: {train['unique_id'].nunique()} series ({dropped} without a value at the origin left out), "
          f"h = {h}, bu forecast {secs:.1f} s", file=sys.stderr)
    return rows


def demo(root, origin, h):
    d = os.path.join(root, "datasets", "demo_city")
    meals = pd.read_csv(os.path.join(d, "meals.csv"), dtype={"ds": str})[["unique_id", "ds", "y"]]
    hold = pd.read_csv(os.path.join(d, "holdout_2025.csv"), dtype={"ds": str})[["unique_id", "ds", "y"]]
    meals = meals[meals["ds"] < "2025-01"]
    panel = pd.concat([meals, hold], ignore_index=True)
    comm = pd.read_csv(os.path.join(d, "communities.csv"))[["unique_id", "district"]]
    train, test = panel[panel["ds"] <= origin], panel[panel["ds"] > origin]
    return run(f"demo-{origin[:4]}", train, test, comm, "district", h, 12)


def quarterly(name, shared, data, groups_file, col):
    df = pd.read_csv(os.path.join(shared, data), dtype={"ds": str})
    groups = pd.read_csv(os.path.join(shared, groups_file))[["unique_id", col]]
    periods = sorted(df["ds"].unique())
    test_ds = set(periods[-12:])
    train, test = df[~df["ds"].isin(test_ds)], df[df["ds"].isin(test_ds)]
    return run(name, train, test, groups, col, 12, 4)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "data", "hierarchies")
    rows = demo(root, "2022-12", 36) + demo(root, "2023-12", 24)
    if os.path.exists(os.path.join(shared, "visnights.csv")):
        rows += quarterly("tourism", shared, "visnights.csv", "visnights_hierarchy.csv", "state")
        rows += quarterly("prison", shared, "prison.csv", "prison_groups.csv", "state")
    else:
        print(f"# {shared}/visnights.csv not found: the tourism and prison runs are left out", file=sys.stderr)
    t = pd.DataFrame(rows)[["run", "method", "year", "points", "cov80", "cov95", "width80", "width95"]]
    print(t.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    # The rule's figures (docs/REPORT.md, "Beyond the first year"): per method, the mean over runs of each run's
    # coverage in year 1 and in years 2 and later (each run's points of those years pooled).
    t["later"] = np.where(t["year"] > 1, "2+", "1")
    for method, g in t.groupby("method", sort=False):
        w = g.assign(in80=g["cov80"] * g["points"], in95=g["cov95"] * g["points"])
        per_run = w.groupby(["run", "later"])[["in80", "in95", "points"]].sum()
        per_run["cov80"], per_run["cov95"] = per_run["in80"] / per_run["points"], per_run["in95"] / per_run["points"]
        mean = per_run.groupby("later")[["cov80", "cov95"]].mean()
        print(f"{method}: mean over runs, year 1: 80% {mean.loc['1', 'cov80']:.3f}, 95% {mean.loc['1', 'cov95']:.3f};"
              f" years 2+: 80% {mean.loc['2+', 'cov80']:.3f}, 95% {mean.loc['2+', 'cov95']:.3f}")


if __name__ == "__main__":
    main()
