#!/usr/bin/env python3
"""quickstart.py -- civicast from Python in five steps on the demo city:
load the monthly meal-service counts, forecast next year, look at the
models, plot history and fan charts, and allocate the 2026 fund with next
year's forecast demand as one of the factors.

    /usr/bin/python3 examples/quickstart.py [--series N] [--model auto] [--out DIR]

Needs the C library: set CIV_LIBRARY=build/release/libcivicast.so (or
install the package, docs/PYTHON.md).  Writes forecasts.csv, allocation.csv,
summary.csv, forecasts.png and allocation.png into DIR (default
quickstart-out/).
"""
import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "python-bindings"))  # run from a source checkout without installing

import matplotlib  # noqa: E402

matplotlib.use("Agg")  # files, no window

import pandas as pd  # noqa: E402

import civicast  # noqa: E402

DEMO = Path(os.environ.get("CIV_SOURCE_DIR", HERE.parent)) / "datasets" / "demo_city"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--series", type=int, default=0, help="only the first N communities (0 = all 1,146)")
    ap.add_argument("--model", default="auto", help="model spec (auto, ets, theta, naive, ETS(A,Ad,N), ...)")
    ap.add_argument("--out", default="quickstart-out", help="output folder")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    # 1. Load: long format unique_id, ds, y (+ covariates aged60, migrants).
    meals = civicast.read(DEMO / "meals.csv")
    communities = civicast.read(DEMO / "communities.csv", text_columns=["unique_id", "name", "district", "street"])
    if args.series:
        keep = sorted(meals["unique_id"].unique())[: args.series]
        meals = meals[meals["unique_id"].isin(keep)]
    print(f"civicast {civicast.library_version()} ({civicast.library_path})")
    print(f"loaded {meals['unique_id'].nunique()} series, {len(meals)} rows, {meals.attrs['frequency']}")

    # 2. Forecast 12 months with 80% and 95% intervals; the report has one row per series.
    fc, report = civicast.forecast(meals, h=12, model=args.model, level=(80, 95), report=True)
    print(fc.head(3).to_string(index=False))

    # 3. Which models were chosen.  Series a model rejects (e.g. theta and a
    #    missing month) keep NaN rows; fall back to the naive method for them.
    print("models:", report["model"].value_counts().head(5).to_dict())
    failed = report.loc[report["status"] != "CIV_OK", "unique_id"]
    if len(failed):
        print(f"{len(failed)} series failed ({report.loc[failed.index[0], 'message']}); naive forecasts for them")
        fallback = civicast.forecast(meals[meals["unique_id"].isin(failed)], h=12, model="naive", level=(80, 95))
        fc = pd.concat([fc[~fc["unique_id"].isin(failed)], fallback]).sort_values(["unique_id", "h"],
                                                                                  ignore_index=True)

    civicast.write(fc, out / "forecasts.csv")

    # 4. History and fan charts for four communities.
    fig = civicast.plot(meals, fc, ids=sorted(fc["unique_id"].unique())[:4], history=36)
    fig.savefig(out / "forecasts.png", dpi=90)

    # 5. Allocate the fund: the demo spec plus a factor for next year's forecast
    #    demand (sum of the 12 monthly means), taking 5 points of weight from
    #    service points.  With a subset of communities the caps of the demo spec
    #    may not fit, so allocation runs for the whole city only.
    if not args.series:
        spec = (DEMO / "allocation.spec").read_text()
        spec = spec.replace('attribute = "service_points"\nweight = 0.10', 'attribute = "service_points"\nweight = 0.05')
        spec += ('\n[[factor]]\nname = "meal_demand"\nformula = "main"\nsource = "forecast"\n'
                 'column = "mean"\nhorizon = 12\nweight = 0.05\n')
        # One forecast per community and step, whichever model made it.
        allocation, summary = civicast.allocate(communities, spec, forecasts=fc)
        civicast.write(allocation, out / "allocation.csv")
        civicast.write(summary, out / "summary.csv")
        st = allocation.attrs["stats"]
        unit = allocation.attrs["minor_unit"]
        print(f"allocated {st['allocated'] / unit:,.2f} {allocation.attrs['currency']} to {st['n_funded']} "
              f"communities; Gini of per-capita amounts {st['gini_after']:.4f}")
        civicast.plot_allocation((allocation, summary)).savefig(out / "allocation.png", dpi=90)
    print(f"wrote {', '.join(sorted(p.name for p in out.iterdir()))} in {out}")


if __name__ == "__main__":
    main()
