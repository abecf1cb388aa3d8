#!/usr/bin/env python3
"""totals_intervals.py -- how honest the bands of the city and district totals are: the coverage and width of
the 80 % and 95 % bands of the totals by three methods, on a holdout (docs/REPORT.md, "The intervals of the
city and district totals", whose rule picks the method of the plan's forecast_totals.csv: "sum" on 2026-12-06,
"bu" since the re-measurement of 2026-12-07, which the plan then wrote by default: [forecast] totals).

Methods (all with the plan's default model, `auto`):
  bu    bottom-up with coherent sample paths (civicast.Hierarchy.forecast(reconcile="bu"): the totals' means
        are the sums of the communities' means, the bands quantiles of summed paths drawn with the shrunk
        residual correlation)
  own   each total forecast as a series of its own (Hierarchy.aggregate, then civicast.forecast on the sums)
  sum   the sum of the communities' bounds (the report's band before 2026-12-06)
Data sets:
  demo      datasets/demo_city: meals.csv (to 2024-12) to train, holdout_2025.csv (12 months) to score;
            totals: the city and its 11 districts (12 x 12 points)
  tourism   ../shared/data/hierarchies/visnights.csv (fpp2): 20 regions in 6 states; the last 8 quarters held
            out; totals: the nation and the 6 states (7 x 8 points)
Not part of the tests.  usage (from the repository root):
  CIV_LIBRARY=build/dev/libcivicast.so PYTHONPATH=python-bindings /usr/bin/python3 bench/totals_intervals.py \
      [SHARED_DIR]      (default ../shared/data/hierarchies; the tourism rows are left out, and said so, without it)
"""
import os
import sys
import time

import numpy as np
import pandas as pd

import civicast

LEVELS = (80, 95)
SEED = 20260101


def totals_of(bottom, comm, col):
    """Sums of bottom values (unique_id, ds, value columns) by the total and by `col`."""
    b = bottom.merge(comm[["unique_id", col]], on="unique_id")
    vals = [c for c in b.columns if c not in ("unique_id", "ds", "h", "model", col)]
    city = b.groupby("ds", as_index=False)[vals].sum()
    city["unique_id"] = "total"
    dist = b.groupby([col, "ds"], as_index=False)[vals].sum().rename(columns={col: "unique_id"})
    return pd.concat([city, dist], ignore_index=True)


def score(name, fc, actual):
    """Coverage and relative width of each level's band over every total and step."""
    m = fc.merge(actual, on=["unique_id", "ds"], how="inner")
    row = {"data": name, "points": len(m)}
    for lv in LEVELS:
        lo, hi = m[f"lo-{lv}"], m[f"hi-{lv}"]
        row[f"cov{lv}"] = float(((m["y"] >= lo) & (m["y"] <= hi)).mean())
        row[f"width{lv}"] = float(((hi - lo) / m["mean"]).mean())
    return row


def run(name, train, test, comm, col, h):
    hz = civicast.Hierarchy(train, comm, hierarchy=[col])
    aggs = set(hz.nodes.loc[hz.nodes["level"] != "unique_id", "unique_id"].astype(str))
    actual = totals_of(test[["unique_id", "ds", "y"]], comm, col)
    actual["ds"] = actual["ds"].astype(str)
    out, secs = [], {}
    t0 = time.time()
    a = hz.forecast(h=h, model="auto", level=LEVELS, reconcile="bu", seed=SEED)
    secs["bu"] = time.time() - t0
    a = a[a["level"] != "unique_id"]
    a = a.assign(unique_id=a["unique_id"].astype(str), ds=a["ds"].astype(str))
    out.append(("bu", a))
    t0 = time.time()
    agg = hz.aggregate()
    agg = agg[agg["unique_id"].astype(str).isin(aggs)]
    b = civicast.forecast(agg, h=h, model="auto", level=LEVELS, seed=SEED)
    secs["own"] = time.time() - t0
    out.append(("own", b.assign(unique_id=b["unique_id"].astype(str), ds=b["ds"].astype(str))))
    t0 = time.time()
    c = civicast.forecast(train, h=h, model="auto", level=LEVELS, seed=SEED)
    secs["sum"] = time.time() - t0
    c = c.assign(ds=c["ds"].astype(str))
    c = totals_of(c.drop(columns=["h", "model"]), comm, col)
    out.append(("sum", c))
    rows = []
    for method, fc in out:
        r = score(name, fc, actual)
        r["method"], r["seconds"] = method, secs[method]
        rows.append(r)
    return rows


def demo(root):
    d = os.path.join(root, "datasets", "demo_city")
    train = pd.read_csv(os.path.join(d, "meals.csv"), dtype={"ds": str})[["unique_id", "ds", "y"]]
    test = pd.read_csv(os.path.join(d, "holdout_2025.csv"), dtype={"ds": str})
    comm = pd.read_csv(os.path.join(d, "communities.csv"))[["unique_id", "district"]]
    comm = comm[comm["unique_id"].isin(train["unique_id"])]
    return run("demo", train, test, comm, "district", 12)


def tourism(shared):
    df = pd.read_csv(os.path.join(shared, "visnights.csv"), dtype={"ds": str})
    comm = pd.read_csv(os.path.join(shared, "visnights_hierarchy.csv"))[["unique_id", "state"]]
    periods = sorted(df["ds"].unique())
    test_ds = set(periods[-8:])
    train, test = df[~df["ds"].isin(test_ds)], df[df["ds"].isin(test_ds)]
    return run("tourism", train, test, comm, "state", 8)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "data", "hierarchies")
    rows = demo(root)
    if os.path.exists(os.path.join(shared, "visnights.csv")):
        rows += tourism(shared)
    else:
        print(f"# {shared}/visnights.csv not found: the tourism rows are left out", file=sys.stderr)
    t = pd.DataFrame(rows)[["data", "method", "points", "cov80", "cov95", "width80", "width95", "seconds"]]
    print(t.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    t["err"] = (t["cov80"] - 0.80).abs() + (t["cov95"] - 0.95).abs()
    print(t.groupby("method", sort=False)["err"].sum().to_string(float_format=lambda x: f"{x:.3f}"))


if __name__ == "__main__":
    main()
