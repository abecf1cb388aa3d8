"""conformal_periods.py -- the second round of the conformal settings (issue
13.3; docs/FORECASTING.md, "Conformal intervals: calibrating on several past
periods"): K = 1, 2, 3, 4 backtest windows h periods apart, judged on TWO
validation periods carved from the TRAINING parts of M1 and tourism only.

For each data set, frequency and model, the training parts are backtested once
with 6 windows h periods apart (cutoffs n - h, ..., n - 6h; `civicast backtest
--windows 6 --step h`).  Window w (0 = the last) is the forecast of validation
period V(w+1) when w < 2; the calibration windows of that forecast under K are
w + 1, ..., w + K (cutoffs h, ..., K h periods before its origin, targets that
do not overlap: `--conformal-windows K --conformal-step h`).  The rule of
engine/src/forecast/conformal.c is applied by conformal_validate.py's
apply_candidate (normalised scores, conformal quantile per step and level,
the series' own scores, else pooled by length class at the forecast origin,
else the panel's, else 1).  The test periods are never read.

usage: conformal_periods.py CIVICAST SHARED_DATA OUT_DIR [--models theta,ets] [--threads T] [--limit N] [--reuse]
Writes OUT_DIR/conformal_periods.csv (one row per K x model x data x
frequency x period) and OUT_DIR/conformal_periods.md (the ranking by the rule).
"""
import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conformal_eval import LEVELS, ds_of, each_panel, mase_scale, run, validation_args  # noqa: E402
from conformal_validate import add_scores, apply_candidate  # noqa: E402

N_WINDOWS = 6          # cutoffs n - h, ..., n - 6h
PERIODS = (0, 1)       # V1: window 0 (origin n - h), V2: window 1 (origin n - 2h)
KS = (1, 2, 3, 4)


def load_backtest(path, h):
    """The backtest table with w (0 = last window) and the normalised scores s-L."""
    bt = pd.read_csv(path, dtype={"unique_id": str, "cutoff": str})
    order = bt[["unique_id", "cutoff"]].drop_duplicates()
    order["w"] = order.groupby("unique_id").cumcount(ascending=False)
    bt = bt.merge(order, on=["unique_id", "cutoff"])
    add_scores(bt)
    return bt


def evaluate(d, scales):
    """Coverage (percent) and MSIS per level of the rows d (actuals in y)."""
    d = d[~d["mean"].isna() & ~d["y"].isna()]
    y = d["y"].to_numpy(float)
    sc = d["unique_id"].map(scales).to_numpy(float)
    res = {"points": len(d)}
    for lv in LEVELS:
        lo, hi = d[f"lo-{lv}"].to_numpy(float), d[f"hi-{lv}"].to_numpy(float)
        a = 1 - lv / 100
        isc = (hi - lo) + 2 / a * np.maximum(lo - y, 0) + 2 / a * np.maximum(y - hi, 0)
        res[f"coverage-{lv}"] = 100 * ((y >= lo) & (y <= hi)).mean()
        res[f"MSIS-{lv}"] = pd.Series(isc / sc).groupby(d["unique_id"].to_numpy()).mean().mean()
    return res


def panel_backtest(args, model, name, freq, meta, series, work, script):
    """The training parts of one data set and frequency (the first args.limit
    series when set) and their backtest with N_WINDOWS windows h periods apart
    (made, or with args.reuse read back): (h, train, n_of, bt)."""
    ids = meta.loc[meta.frequency == freq, "unique_id"]
    if args.limit:
        ids = ids.iloc[:args.limit]
    h = int(meta.loc[meta.frequency == freq, "h"].iloc[0])
    train = series[series.unique_id.isin(set(ids)) & (series.split == "train")].copy()
    train["ds"] = ds_of(train["t"], freq)
    n_of = train.groupby("unique_id").size().to_dict()
    csv = os.path.join(work, f"{name}_{freq}_train.csv")
    bt_csv = os.path.join(work, f"{name}_{freq}_{model}_bt{N_WINDOWS}xh.csv")
    if not (args.reuse and os.path.exists(bt_csv)):
        train[["unique_id", "ds", "y"]].to_csv(csv, index=False)
        run([args.civicast, "backtest", csv, "--out", bt_csv, "--model", model, "--level", "80,95",
             "--h", str(h), "--windows", str(N_WINDOWS), "--step", str(h), "--threads", str(args.threads),
             "--quiet"], script)
    return h, train, n_of, load_backtest(bt_csv, h)


def one_panel(args, model, name, freq, meta, series, work):
    """Rows of every K x period for one model, data set and frequency."""
    h, train, n_of, bt = panel_backtest(args, model, name, freq, meta, series, work, "conformal_periods.py")
    freq_name = {1: "yearly", 4: "quarterly", 12: "monthly"}[freq]
    rows = []
    for v in PERIODS:
        origin = {u: n - h * (v + 1) for u, n in n_of.items()}
        ys = train.assign(pos=train.groupby("unique_id").cumcount() + 1)
        scales = {u: mase_scale(g.y.to_numpy()[:origin[u]], freq) for u, g in ys.groupby("unique_id")}
        fc = bt[bt.w == v]
        base = dict(model=model, data=name, freq=freq_name, period=f"V{v + 1}")
        rows.append(dict(base, K="model", **evaluate(fc, scales)))
        # the first round's rule (apply_candidate): windows counted back from
        # the one just before the forecast's origin, K of them one apart
        scores = bt[bt.w > v].assign(k_back=lambda d: d.w - (v + 1))
        for K in KS:
            adj = apply_candidate(scores, fc, origin, h, K, 1, 0)
            rows.append(dict(base, K=str(K), **evaluate(adj, scales)))
    print(f"{model} {name} {freq_name}: done", file=sys.stderr, flush=True)
    return rows


def error_summary(d, key, **extra):
    """Per value of `key`: the worst-case coverage error max |coverage - target|
    over the rows (cells) and levels, and the mean over cells of the two levels'
    errors; `extra`: more named aggregations of d's columns."""
    d = d.copy()
    d["err-80"] = abs(d["coverage-80"] - 80)
    d["err-95"] = abs(d["coverage-95"] - 95)
    d["err"] = np.maximum(d["err-80"], d["err-95"])
    d["mean2"] = (d["err-80"] + d["err-95"]) / 2
    return d.groupby(key).agg(worst=("err", "max"), mean_err=("mean2", "mean"), **extra).reset_index()


def chosen_by_rule(g, key, incumbent):
    """The rule of the second and third rounds on g (sorted best first): the best
    replaces the incumbent only if its worst case is at least 1 point lower and
    its mean error is not higher."""
    inc = g[g[key] == incumbent].iloc[0]
    best = g.iloc[0]
    if best[key] != incumbent and best.worst <= inc.worst - 1 and best.mean_err <= inc.mean_err:
        return best[key]
    return incumbent


def cell_tables(df, key):
    """Lines: coverage at each level and MSIS-95, one column per value of `key`,
    one row per model x data x frequency x period."""
    lines = []
    for lv in LEVELS:
        piv = df.pivot_table(index=key, columns=["model", "data", "freq", "period"], values=f"coverage-{lv}")
        lines += ["", f"coverage-{lv}:", piv.round(1).T.to_string()]
    piv = df.pivot_table(index=key, columns=["model", "data", "freq", "period"], values="MSIS-95")
    return lines + ["", "MSIS-95:", piv.round(2).T.to_string()]


def rank(df, out):
    """The rule (docs/FORECASTING.md): smallest worst-case |coverage - target|
    over model x data x frequency x level x period; it replaces K = 1 only if
    at least 1 point lower in the worst case and not higher on average."""
    g = error_summary(df[df.K != "model"], "K").sort_values("worst").reset_index(drop=True)
    lines = ["| K (S = h) | worst coverage error | mean coverage error |", "|---|---:|---:|"]
    for _, r in g.iterrows():
        lines.append(f"| {r.K} | {r.worst:.2f} | {r.mean_err:.2f} |")
    lines += ["", f"chosen by the rule: K = {chosen_by_rule(g, 'K', '1')}"]
    lines += cell_tables(df, "K")
    with open(os.path.join(out, "conformal_periods.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def main():
    args = validation_args(threads=2)
    work = os.path.join(args.out, "conformal_periods")
    os.makedirs(work, exist_ok=True)
    rows = []
    for model, name, freq, meta, series in each_panel(args.shared, args.models):
        rows += one_panel(args, model, name, freq, meta, series, work)
        pd.DataFrame(rows).to_csv(os.path.join(args.out, "conformal_periods.csv"), index=False)
    rank(pd.DataFrame(rows), args.out)


if __name__ == "__main__":
    main()
