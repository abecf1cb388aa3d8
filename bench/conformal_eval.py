"""conformal_eval.py -- model vs conformal prediction intervals on the test
periods of M1 and tourism (issue 13.3), driven by conformal.bench.sh.

For each data set, frequency and model (ets, theta, arima, auto) the training
parts are forecast twice with `civicast forecast` (h of the competition,
levels 80 and 95): --intervals model and --intervals conformal (the backtest
windows come from the training part only).  The test parts score them:
coverage of the 80% and 95% intervals (percent of test values inside) and
the interval (Winkler) score, each frequency and overall, plus MSIS-95
(interval score / in-sample seasonal naive MAE, mean over series).

usage: conformal_eval.py CIVICAST SHARED_DATA OUT_DIR [--models ets,theta,arima,auto]
                         [--limit N] [--threads T] [--reuse] [--windows K] [--step S] [--sample M|all]
Writes OUT_DIR/conformal.md (the table), OUT_DIR/conformal_scores.csv (one row
per data set x frequency x model x intervals) and prints a summary line.
"""
import argparse
import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd

LEVELS = (80, 95)
BASE_YEAR = 1700  # synthetic calendar: period t of every series is BASE_YEAR + t (year, quarter or month)


def ds_of(t, freq):
    t = np.asarray(t) - 1
    if freq == 1:
        return (BASE_YEAR + t).astype(str)
    if freq == 4:
        return [f"{BASE_YEAR + k // 4}-Q{k % 4 + 1}" for k in t]
    return [f"{BASE_YEAR + k // 12}-{k % 12 + 1:02d}" for k in t]


def load(shared, name):
    meta = pd.read_csv(os.path.join(shared, name, f"{name}_meta.csv"))
    series = pd.read_csv(os.path.join(shared, name, f"{name}_series.csv"))
    series["unique_id"] = series["unique_id"].astype(str)
    meta["unique_id"] = meta["unique_id"].astype(str)
    return meta, series


def mase_scale(y, m):
    y = np.asarray(y, float)
    if len(y) <= m:
        m = 1
    d = np.abs(y[m:] - y[:-m])
    return d.mean() if len(d) else np.nan


def validation_args(threads):
    """The command line of the validation rounds (conformal_validate.py,
    conformal_periods.py, conformal_round3.py): CIVICAST SHARED_DATA OUT_DIR
    [--models theta,ets] [--threads T] [--limit N] [--reuse]."""
    ap = argparse.ArgumentParser()
    ap.add_argument("civicast")
    ap.add_argument("shared")
    ap.add_argument("out")
    ap.add_argument("--models", default="theta,ets")
    ap.add_argument("--threads", type=int, default=threads)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--reuse", action="store_true")
    return ap.parse_args()


def each_panel(shared, models):
    """(model, name, freq, meta, series) for each model x data set (m1, tourism) x
    frequency (1, 4, 12), model by model so that a cut-short run has whole models."""
    for model in models.split(","):
        for name in ("m1", "tourism"):
            meta, series = load(shared, name)
            for freq in (1, 4, 12):
                yield model, name, freq, meta, series


def run(cmd, script):
    """Runs a civicast command; exits naming `script` unless it ended 0 or 6 (6:
    some series or windows failed, e.g. too little history, which the tables count)."""
    rc = subprocess.run(cmd).returncode
    if rc not in (0, 6):
        sys.exit(f"{script}: {' '.join(cmd)} exited {rc}")


def test_panels(shared, limit, work):
    """(name, freq, h, series, train_csv, train, test) for each frequency of M1 and
    tourism: the training parts written to work/NAME_FREQ_train.csv (unique_id, ds, y),
    the test parts as (unique_id, h, y); the first `limit` series of each when limit."""
    panels = []
    for name in ("m1", "tourism"):
        meta, series = load(shared, name)
        for freq in (1, 4, 12):
            ids = meta.loc[meta.frequency == freq, "unique_id"]
            if limit:
                ids = ids.iloc[:limit]
            h = int(meta.loc[meta.frequency == freq, "h"].iloc[0])
            part = series[series.unique_id.isin(set(ids))].copy()
            part["ds"] = ds_of(part["t"], freq)
            train = part[part.split == "train"]
            test = part[part.split == "test"].copy()
            test["h"] = test.groupby("unique_id")["t"].rank().astype(int)
            train_csv = os.path.join(work, f"{name}_{freq}_train.csv")
            train[["unique_id", "ds", "y"]].to_csv(train_csv, index=False)
            panels.append((name, freq, h, len(ids), train_csv, train, test[["unique_id", "h", "y"]]))
    return panels


def score(fc, test, train, freq):
    """Per-level coverage, interval score and MSIS of forecasts fc against test."""
    df = test.merge(fc, on=["unique_id", "h"], how="left")
    out = {"n": len(df), "failed": int(df["mean"].isna().sum())}
    y, f = df["y"].to_numpy(float), df["mean"].to_numpy(float)
    out["sMAPE"] = np.nanmean(200 * np.abs(y - f) / (np.abs(y) + np.abs(f)))
    scales = train.groupby("unique_id")["y"].apply(lambda v: mase_scale(v.to_numpy(), freq))
    sc = df["unique_id"].map(scales).to_numpy(float)
    out["MASE"] = pd.Series(np.abs(y - f) / sc).groupby(df["unique_id"].to_numpy()).mean().mean()
    for lv in LEVELS:
        lo, hi = df[f"lo-{lv}"].to_numpy(float), df[f"hi-{lv}"].to_numpy(float)
        a = 1 - lv / 100
        ok = ~np.isnan(lo)
        cov = ((y >= lo) & (y <= hi))[ok]
        isc = (hi - lo) + 2 / a * np.maximum(lo - y, 0) + 2 / a * np.maximum(y - hi, 0)
        out[f"coverage-{lv}"] = 100 * cov.mean()
        out[f"score-{lv}"] = np.nanmean(isc)
        out[f"MSIS-{lv}"] = pd.Series(isc / sc).groupby(df["unique_id"].to_numpy()).mean().mean()
    return out, df


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("civicast")
    ap.add_argument("shared")
    ap.add_argument("out")
    ap.add_argument("--models", default="ets,theta,arima,auto")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--windows", type=int, default=0)
    ap.add_argument("--step", type=int, default=0)
    ap.add_argument("--sample", default="")
    args = ap.parse_args()
    work = os.path.join(args.out, "conformal")
    os.makedirs(work, exist_ok=True)
    rows, pooled = [], {}
    panels = test_panels(args.shared, args.limit, work)
    for model in args.models.split(","):  # model by model: a cut-short run still has whole models
        for name, freq, h, n_ids, train_csv, train, test in panels:
            for kind in ("model", "conformal"):
                out_csv = os.path.join(work, f"{name}_{freq}_{model}_{kind}.csv")
                secs = np.nan
                if not (args.reuse and os.path.exists(out_csv)):
                    cmd = [args.civicast, "forecast", train_csv, "--out", out_csv, "--h", str(h),
                           "--model", model, "--level", "80,95", "--intervals", kind,
                           "--threads", str(args.threads), "--quiet"]
                    if kind == "conformal" and args.windows:
                        cmd += ["--conformal-windows", str(args.windows)]
                    if kind == "conformal" and args.step:
                        cmd += ["--conformal-step", str(args.step)]
                    if kind == "conformal" and args.sample:
                        cmd += ["--conformal-sample", args.sample]
                    t0 = time.time()
                    run(cmd, "conformal_eval.py")
                    secs = time.time() - t0
                fc = pd.read_csv(out_csv, dtype={"unique_id": str})
                res, df = score(fc, test, train, freq)
                res.update(data=name, freq={1: "yearly", 4: "quarterly", 12: "monthly"}[freq], model=model,
                           intervals=kind, series=n_ids, seconds=secs)
                rows.append(res)
                print(f"{name} {res['freq']} {model} {kind}: cover80 {res['coverage-80']:.1f} "
                      f"cover95 {res['coverage-95']:.1f} MSIS95 {res['MSIS-95']:.2f} ({secs:.0f} s)",
                      file=sys.stderr, flush=True)
                pooled.setdefault((name, model, kind), []).append((df, train, freq))
                pd.DataFrame(rows).to_csv(os.path.join(args.out, "conformal_scores.csv"), index=False)
    write_table(rows, pooled, args)


def overall(parts):
    """Coverage and score over all points of one data set (all frequencies)."""
    y = np.concatenate([d["y"].to_numpy(float) for d, _, _ in parts])
    res = {}
    for lv in LEVELS:
        lo = np.concatenate([d[f"lo-{lv}"].to_numpy(float) for d, _, _ in parts])
        hi = np.concatenate([d[f"hi-{lv}"].to_numpy(float) for d, _, _ in parts])
        ok = ~np.isnan(lo)
        res[f"coverage-{lv}"] = 100 * ((y >= lo) & (y <= hi))[ok].mean()
    return res


def write_table(rows, pooled, args):
    df = pd.DataFrame(rows)
    lines = ["| data | model | intervals | cover 80: Y / Q / M / all | cover 95: Y / Q / M / all | "
             "MSIS-95: Y / Q / M | score-95 vs model: Y / Q / M |", "|---|---|---|---|---|---|---|"]
    for (name, model, kind), parts in pooled.items():
        sub = df[(df.data == name) & (df.model == model) & (df.intervals == kind)].set_index("freq")
        ref = df[(df.data == name) & (df.model == model) & (df.intervals == "model")].set_index("freq")
        ov = overall(parts)
        fr = [f for f in ("yearly", "quarterly", "monthly") if f in sub.index]
        c80 = " / ".join(f"{sub.loc[f, 'coverage-80']:.1f}" for f in fr) + f" / **{ov['coverage-80']:.1f}**"
        c95 = " / ".join(f"{sub.loc[f, 'coverage-95']:.1f}" for f in fr) + f" / **{ov['coverage-95']:.1f}**"
        ms = " / ".join(f"{sub.loc[f, 'MSIS-95']:.2f}" for f in fr)
        rel = " / ".join(f"{sub.loc[f, 'score-95'] / ref.loc[f, 'score-95']:.3f}" for f in fr)
        lines.append(f"| {name} | {model} | {kind} | {c80} | {c95} | {ms} | {rel} |")
    md = "\n".join(lines) + "\n"
    with open(os.path.join(args.out, "conformal.md"), "w") as f:
        f.write(md)
    sys.stderr.write(md)


if __name__ == "__main__":
    main()
