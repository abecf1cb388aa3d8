"""conformal_refit.py -- the fourth round of the conformal settings (issue
13.3; docs/FORECASTING.md, "Conformal intervals: refitting the chosen
structure"): calibration windows searched afresh (--conformal-refit search)
against windows that refit the structure each series' final model chose
(--conformal-refit fixed), on the two validation periods of the second round,
carved from the TRAINING parts of M1 and tourism only.

For each data set, frequency and validation period (V1: the last h training
values, forecast from origin n - h; V2: the h before them, from n - 2h) the
history before the origin is written as a panel and forecast by `civicast
forecast --intervals conformal --conformal-refit X` (levels 80 and 95, the
competition's h, otherwise the defaults) for each model; the validation
values score it (coverage, MSIS with the history's seasonal naive MAE as the
scale).  The CPU of each run (user + system seconds of the child process) is
recorded.  The rule of the round (fixed before any figure) is applied and
printed.  The test periods are never read.

usage: conformal_refit.py CIVICAST SHARED_DATA OUT_DIR [--models auto,ets,arima] [--threads T] [--limit N]
                          [--reuse]
Writes OUT_DIR/conformal_refit.csv (one row per model x data x frequency x
period x candidate) and OUT_DIR/conformal_refit.md (the rule's verdict).
"""
import argparse
import os
import resource
import subprocess
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conformal_eval import LEVELS, ds_of, load, mase_scale  # noqa: E402
from conformal_periods import evaluate  # noqa: E402

CANDIDATES = ("search", "fixed")
PERIODS = (1, 2)  # V1: origin n - h, V2: origin n - 2h
FREQ_NAMES = {1: "yearly", 4: "quarterly", 12: "monthly"}


def validation_panels(shared, limit, work):
    """(name, freq, h, period, panel_csv, history, targets) per data set,
    frequency and validation period, from the training parts only."""
    out = []
    for name in ("m1", "tourism"):
        meta, series = load(shared, name)
        train = series[series.split == "train"]
        for freq in (1, 4, 12):
            ids = meta.loc[meta.frequency == freq, "unique_id"]
            if limit:
                ids = ids.iloc[:limit]
            h = int(meta.loc[meta.frequency == freq, "h"].iloc[0])
            part = train[train.unique_id.isin(set(ids))].copy()
            part["ds"] = ds_of(part["t"], freq)
            n = part.groupby("unique_id")["t"].transform("max")
            for period in PERIODS:
                origin = n - period * h
                hist = part[(part.t <= origin) & (origin >= 1)]
                targ = part[(part.t > origin) & (part.t <= origin + h)].copy()
                targ["h"] = (targ["t"] - origin[targ.index]).astype(int)
                targ = targ[targ.unique_id.isin(set(hist.unique_id))]
                csv = os.path.join(work, f"{name}_{freq}_V{period}.csv")
                hist[["unique_id", "ds", "y"]].to_csv(csv, index=False)
                out.append((name, freq, h, period, csv, hist, targ[["unique_id", "h", "y"]]))
    return out


def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def forecast(civicast, csv, out_csv, h, model, refit, threads):
    cmd = [civicast, "forecast", csv, "--out", out_csv, "--h", str(h), "--model", model, "--level", "80,95",
           "--intervals", "conformal", "--conformal-refit", refit, "--threads", str(threads), "--quiet"]
    before = child_cpu()
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode not in (0, 6):  # 6: some series failed (too short for the model), the rest is written
        sys.exit(f"conformal_refit.py: {' '.join(cmd)} ended {p.returncode}: {p.stderr.strip()}")
    return child_cpu() - before


def score(fc, targets, hist, freq):
    """Coverage and MSIS per level of the forecasts fc on the validation values."""
    d = targets.merge(fc, on=["unique_id", "h"], how="left")
    scales = hist.groupby("unique_id")["y"].apply(lambda v: mase_scale(v.to_numpy(), freq))
    return evaluate(d, scales)


def verdict(df):
    """The rule of docs/FORECASTING.md, fourth round, as Markdown lines."""
    cells = []
    for lv in LEVELS:
        e = df[["model", "data", "freq", "period", "candidate"]].copy()
        e["err"] = (df[f"coverage-{lv}"] - lv).abs()
        cells.append(e)
    err = pd.concat(cells)
    worst = err.groupby("candidate")["err"].max()
    mean = err.groupby("candidate")["err"].mean()
    key = ["model", "data", "freq", "period"]
    wide = df.pivot_table(index=key, columns="candidate", values="MSIS-95")
    gm = float(np.exp(np.log(wide["fixed"] / wide["search"]).mean()))
    cpu = df[df.model == "auto"].groupby("candidate")["cpu"].sum()
    share = cpu["fixed"] / cpu["search"] if "auto" in set(df.model) else np.nan
    checks = [
        ("worst coverage error at most 1 point above search's", worst["fixed"] <= worst["search"] + 1.0,
         f"{worst['fixed']:.2f} vs {worst['search']:.2f}"),
        ("mean coverage error at most 0.5 points above search's", mean["fixed"] <= mean["search"] + 0.5,
         f"{mean['fixed']:.2f} vs {mean['search']:.2f}"),
        ("geometric mean of MSIS-95 fixed / search at most 1.02", gm <= 1.02, f"{gm:.4f}"),
        ("auto's CPU at most 70% of search's", share <= 0.70,
         f"{cpu.get('fixed', np.nan):.1f} s vs {cpu.get('search', np.nan):.1f} s ({100 * share:.0f}%)"),
    ]
    lines = ["| condition | met | figures |", "|---|---|---|"]
    lines += [f"| {c} | {'yes' if ok else 'no'} | {fig} |" for c, ok, fig in checks]
    winner = "fixed" if all(ok for _, ok, _ in checks) else "search"
    lines += ["", f"chosen by the rule: **{winner}**"]
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("civicast")
    ap.add_argument("shared")
    ap.add_argument("out")
    ap.add_argument("--models", default="auto,ets,arima")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--reuse", action="store_true")
    args = ap.parse_args()
    work = os.path.join(args.out, "conformal_refit")
    os.makedirs(work, exist_ok=True)
    rows = []
    csv_out = os.path.join(args.out, "conformal_refit.csv")
    old = pd.read_csv(csv_out) if args.reuse and os.path.exists(csv_out) else None
    for name, freq, h, period, csv, hist, targ in validation_panels(args.shared, args.limit, work):
        for model in args.models.split(","):
            for cand in CANDIDATES:
                out_csv = os.path.join(work, f"{name}_{freq}_V{period}_{model}_{cand}.csv")
                cpu = np.nan
                if old is not None and os.path.exists(out_csv):
                    hit = old[(old.data == name) & (old.freq == FREQ_NAMES[freq]) & (old.period == f"V{period}") &
                              (old.model == model) & (old.candidate == cand)]
                    cpu = float(hit["cpu"].iloc[0]) if len(hit) else np.nan
                else:
                    cpu = forecast(args.civicast, csv, out_csv, h, model, cand, args.threads)
                fc = pd.read_csv(out_csv, dtype={"unique_id": str})
                res = score(fc, targ, hist, freq)
                res.update(model=model, data=name, freq=FREQ_NAMES[freq], period=f"V{period}", candidate=cand,
                           cpu=cpu)
                rows.append(res)
                print(f"{name} {FREQ_NAMES[freq]} V{period} {model} {cand}: cover80 {res['coverage-80']:.1f} "
                      f"cover95 {res['coverage-95']:.1f} MSIS95 {res['MSIS-95']:.2f} cpu {cpu:.1f} s",
                      file=sys.stderr, flush=True)
    df = pd.DataFrame(rows)
    df.to_csv(csv_out, index=False)
    lines = ["# Conformal intervals, fourth round: calibration windows refitting the chosen structure", "",
             "Validation periods V1, V2 of the training parts of M1 and tourism (the test periods are not read); "
             "`civicast forecast --intervals conformal --conformal-refit search|fixed`.", ""]
    lines += verdict(df)
    for lv in LEVELS:
        t = df.pivot_table(index=["model", "data", "freq", "period"], columns="candidate", values=f"coverage-{lv}")
        lines += ["", f"coverage-{lv}:", "", "```", t.round(1).to_string(), "```"]
    t = df.pivot_table(index=["model", "data", "freq", "period"], columns="candidate", values="MSIS-95")
    lines += ["", "MSIS-95:", "", "```", t.round(2).to_string(), "```"]
    t = df.pivot_table(index=["model", "data", "freq"], columns="candidate", values="cpu", aggfunc="sum")
    lines += ["", "CPU seconds (both periods):", "", "```", t.round(1).to_string(), "```"]
    with open(os.path.join(args.out, "conformal_refit.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(verdict(df)))


if __name__ == "__main__":
    main()
