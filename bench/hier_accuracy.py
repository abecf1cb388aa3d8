#!/usr/bin/env python3
"""hier_accuracy.py -- reconciliation accuracy by level on a holdout, and the
speed of the C reconciliation against a dense numpy MinT (bench/hier.bench.sh).

Data sets:
  demo      datasets/demo_city: meals.csv (2019-01..2024-12) to train, holdout_2025.csv (12 months) to test;
            hierarchy district, street (1000 series, 69 aggregates)
  tourism   ../shared/data/hierarchies/visnights.csv: 20 regions under 6 states and the total (FPP2 10.1);
            train 1998-Q1..2014-Q4, test the last 8 quarters
  prison    ../shared/data/hierarchies/prison.csv: 32 series, state x gender x legal status crossed (FPP2 10.2, 10.7);
            train 2005-Q1..2014-Q4, test 2015-Q1..2016-Q4 as FPP2
Protocol (as FPP2 10.7 / fpp3 11.6): base forecasts of every node by automatic ETS (civicast `ets`), fitted
once on the training data (civicast.Hierarchy.aggregate + civicast.forecast with fitted values), then each
method reconciles the same base forecasts (civicast.Hierarchy.reconcile, the C call civ_hier_forecast uses).
Measures per node over the h test periods: RMSE, and MASE scaled by the in-sample seasonal naive MAE
(FPP2 accuracy.gts; nodes too short for one season have no scale and are left out of the MASE mean);
then the mean over the nodes of each level.
usage: hier_accuracy.py ROOT SHARED_DIR OUT_MD [datasets...]   (prints key=value lines)
"""
import os
import sys
import time

import numpy as np
import pandas as pd

import civicast

METHODS = ["bu", "td", "ols", "wls_struct", "wls_var", "mint_shrink"]


def np_mint(S, base, res):
    """Dense numpy MinT-shrink, for the speed comparison only."""
    x = res[np.all(np.isfinite(res), axis=1)]
    T = x.shape[0]
    covm = x.T @ x / T
    d = np.diag(covm).copy()
    xs = x / np.sqrt(d)
    v = (1.0 / (T * (T - 1))) * ((xs ** 2).T @ (xs ** 2) - (xs.T @ xs) ** 2 / T)
    np.fill_diagonal(v, 0.0)
    corm = covm / np.sqrt(np.outer(d, d))
    np.fill_diagonal(corm, 0.0)
    lam = min(1.0, max(0.0, v.sum() / (corm ** 2).sum()))
    W = lam * np.diag(d) + (1 - lam) * covm
    Wi = np.linalg.inv(W)
    return S @ np.linalg.solve(S.T @ Wi @ S, S.T @ Wi @ base)


def matrix(df, ids, col, index="unique_id", columns="ds"):
    return df.pivot(index=index, columns=columns, values=col).loc[ids]


def evaluate(name, train, full, comm, levels, groups, h, m, out):
    hz = civicast.Hierarchy(train, comm, hierarchy=levels, groups=groups)
    ids = list(hz.nodes["unique_id"])
    agg = hz.aggregate()
    t0 = time.time()
    fc, fitted = civicast.forecast(agg, h=h, model="ets", level=None, fitted=True, nonnegative="off")
    t_base = time.time() - t0
    base = matrix(fc, ids, "mean", columns="h").to_numpy()
    res = matrix(fitted, ids, "residual").to_numpy().T.copy()
    ytrain = matrix(agg, ids, "y").to_numpy()
    bottom = ids[len(ids) - hz.n_bottom:]
    test = full[~full["ds"].isin(set(train["ds"]))]
    truth = hz.S @ matrix(test, bottom, "y").to_numpy()  # every node's actual values: sums of the series'
    assert truth.shape[1] == h and np.isfinite(truth).all()
    scale = np.array([np.nanmean(d) if np.isfinite(d := np.abs(r[m:] - r[:-m])).any() else np.nan
                      for r in ytrain])  # NaN for a series too short for one season: left out of MASE
    fcs = {"base": base}
    times = {}
    for meth in METHODS:
        if meth == "td" and groups:
            continue
        t0 = time.time()
        fcs[meth] = hz.reconcile(base, meth, residuals=res)
        times[meth] = time.time() - t0
    lam = hz.last_lambda
    level_names = list(dict.fromkeys(hz.nodes["level"]))
    rows = []
    for meas in ("RMSE", "MASE"):
        for lv in level_names + ["all series"]:
            sel = np.ones(len(ids), bool) if lv == "all series" else (hz.nodes["level"] == lv).to_numpy()
            row = [meas, lv, int(sel.sum())]
            for meth, f in fcs.items():
                e = f[sel] - truth[sel]
                rmse = np.sqrt(np.mean(e ** 2, axis=1))
                mase = np.mean(np.abs(e), axis=1) / scale[sel]
                row.append(np.mean(rmse) if meas == "RMSE" else np.nanmean(mase))
            rows.append(row)
    cols = ["measure", "level", "nodes"] + list(fcs)
    table = pd.DataFrame(rows, columns=cols)
    with open(out, "a") as f:
        f.write(f"\n### {name}\n\n{len(ids)} nodes ({hz.n_bottom} series), h = {h}, base model `ets` "
                f"({t_base:.1f} s for every node); MinT shrinkage lambda {lam:.3f}.\n\n")
        f.write("| " + " | ".join(cols) + " |\n|" + "---|" * 3 + "---:|" * (len(cols) - 3) + "\n")
        for r in rows:
            f.write("| " + " | ".join([r[0], r[1], str(r[2])] + [f"{v:.4g}" for v in r[3:]]) + " |\n")
    # speed: the C MinT against a dense numpy MinT on the same inputs
    t0 = time.time()
    ref = np_mint(hz.S, base, res)
    t_np = time.time() - t0
    same = float(np.max(np.abs(ref - fcs["mint_shrink"]) / (1 + np.abs(ref))))
    all_rmse = table[(table.measure == "RMSE") & (table.level == "all series")].iloc[0]
    print(f"{name} nodes={len(ids)} h={h} mint_seconds={times['mint_shrink']:.4f} numpy_seconds={t_np:.4f} "
          f"max_rel_diff={same:.2e} rmse_base={all_rmse['base']:.4g} rmse_mint={all_rmse['mint_shrink']:.4g} "
          f"rmse_bu={all_rmse['bu']:.4g}")


def scale(m=10000):
    """MinT on a synthetic city of m communities (m/10 streets, m/1000 districts), 12 steps, 48 periods
    of residuals: the CPU time of civ_hier_reconcile (no dense n x n matrix is formed)."""
    rng = np.random.default_rng(0)
    ids = [f"c{i:05d}" for i in range(m)]
    comm = pd.DataFrame({"unique_id": ids, "district": [f"D{i // 1000:02d}" for i in range(m)],
                         "street": [f"D{i // 1000:02d}S{i // 10:04d}" for i in range(m)]})
    df = pd.DataFrame({"unique_id": np.repeat(ids, 24),
                       "ds": np.tile(pd.period_range("2023-01", periods=24, freq="M").astype(str), m),
                       "y": rng.uniform(0, 100, m * 24)})
    hz = civicast.Hierarchy(df, comm, hierarchy=["district", "street"])
    n = hz.n_nodes
    base, res = rng.uniform(0, 100, (n, 12)), rng.normal(size=(48, n)) + rng.normal(size=(48, 1))
    c = time.process_time()
    hz.reconcile(base, "mint_shrink", residuals=res)
    print(f"scale nodes={n} series={m} mint_cpu_seconds={time.process_time() - c:.3f}")


def split_last(df, h):
    last = sorted(df["ds"].unique())[-h:]
    return df[~df["ds"].isin(last)].reset_index(drop=True)


def main():
    root, shared, out = sys.argv[1], sys.argv[2], sys.argv[3]
    which = sys.argv[4:] or ["demo", "tourism", "prison", "scale"]
    with open(out, "w") as f:
        f.write("## Reconciliation accuracy on a holdout (bench/hier_accuracy.py)\n\n"
                "Mean over the nodes of each level of the per-node RMSE and MASE; lower is better; "
                "`base` is the unreconciled forecast of each node.\n")
    if "demo" in which:
        d = os.path.join(root, "datasets", "demo_city")
        train = pd.read_csv(os.path.join(d, "meals.csv"))[["unique_id", "ds", "y"]]
        train = train[train["ds"] < "2025-01"]  # meals.csv also holds 2025 rows of future covariates only
        test = pd.read_csv(os.path.join(d, "holdout_2025.csv"))[["unique_id", "ds", "y"]]
        comm = pd.read_csv(os.path.join(d, "communities.csv"))
        evaluate("demo city (district, street)", train, pd.concat([train, test], ignore_index=True), comm,
                 ["district", "street"], None, 12, 12, out)
    if "scale" in which:
        scale()
    hdir = os.path.join(shared, "data", "hierarchies")
    if not os.path.isdir(hdir):
        print(f"shared_missing={hdir}")
        return
    if "tourism" in which:
        full = pd.read_csv(os.path.join(hdir, "visnights.csv"))
        comm = pd.read_csv(os.path.join(hdir, "visnights_hierarchy.csv"))[["unique_id", "state"]]
        evaluate("tourism: visnights, state / region (FPP2 10.1)", split_last(full, 8), full, comm, ["state"],
                 None, 8, 4, out)
    if "prison" in which:
        full = pd.read_csv(os.path.join(hdir, "prison.csv"))
        comm = pd.read_csv(os.path.join(hdir, "prison_groups.csv"))
        evaluate("prison: state x gender x legal (FPP2 10.2, 10.7)", split_last(full, 8), full, comm, None,
                 ["state", "gender", "legal"], 8, 4, out)


if __name__ == "__main__":
    main()
