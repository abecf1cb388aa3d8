"""conformal_round3.py -- the third round of the conformal settings (issue
13.3; docs/FORECASTING.md, "Conformal intervals: third round"): smoothing
across steps, shrinkage towards the model's interval, both, and scores of
scaled errors instead of the model's widths, each with one window (K = 1),
judged on the second round's two validation periods of the TRAINING parts of
M1 and tourism by the same rule.  The test periods are never read for the
choice.

It reads (or, when absent, makes) the second round's backtests: 6 windows h
periods apart of every training part (conformal_periods.py); window w = v is
the forecast of validation period V(v+1), window w = v + 1 its one
calibration window.

It also measures how much of the calibration band is sampling noise: for
every cell, the standard error of its coverage over a bootstrap of whole
series, on the validation periods (base) and on the test periods (theta with
today's conformal intervals: `civicast forecast --intervals conformal` on the
training parts, scored on the test parts); and the chance that intervals
calibrated exactly in expectation land inside the band in all 12 cells of the
test-period rule (cells independent, coverage normal around its target).

usage: conformal_round3.py CIVICAST SHARED_DATA OUT_DIR [--models theta,ets] [--threads T] [--limit N] [--reuse]
(--reuse: the second round's backtests when present; the test-period forecasts are always made.)
Writes OUT_DIR/conformal_round3.csv, OUT_DIR/conformal_round3.md.
"""
import os
import sys
from statistics import NormalDist

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conformal_eval import LEVELS, each_panel, mase_scale, run, test_panels, validation_args  # noqa: E402
from conformal_periods import (PERIODS, cell_tables, chosen_by_rule, error_summary, evaluate,  # noqa: E402
                               panel_backtest)
from conformal_validate import apply_candidate  # noqa: E402

SCRIPT = "conformal_round3.py"
CANDIDATES = {  # name -> (smooth, shrink, scaled)
    "base": (0, 1.0, False),
    "smooth": (1, 1.0, False),
    "shrink": (0, 0.5, False),
    "smooth+shrink": (1, 0.5, False),
    "scaled": (0, 1.0, True),
}
BOOT = 1000


def coverage_se(d, level, rng):
    """Bootstrap (whole series) standard error of the coverage of rows d, in points."""
    d = d[~d["mean"].isna() & ~d["y"].isna()]
    hit = ((d["y"] >= d[f"lo-{level}"]) & (d["y"] <= d[f"hi-{level}"])).to_numpy(float)
    codes, uniq = pd.factorize(d["unique_id"])
    hits = np.bincount(codes, weights=hit, minlength=len(uniq))
    counts = np.bincount(codes, minlength=len(uniq)).astype(float)
    draws = rng.integers(0, len(uniq), size=(BOOT, len(uniq)))
    cov = hits[draws].sum(1) / counts[draws].sum(1)
    return 100 * cov.std(ddof=1)


def scaled_inputs(scores, fc, y_of, n_of, h, freq, v):
    """Scores |y - f| / m (m: MASE scale up to the window's cutoff) and forecast
    bounds f -/+ m' (m': the scale up to the forecast origin) for the scaled
    candidate; rows whose scale is not positive get no score / keep the model's bounds."""
    sc = scores.copy()
    m = sc["unique_id"].map({u: mase_scale(y_of[u][:n_of[u] - h * (v + 2)], freq) for u in n_of})
    m = m.where(m > 0)
    s = (sc["y"] - sc["mean"]).abs() / m
    for lv in LEVELS:
        sc[f"s-{lv}"] = s
    out = fc.copy()
    mp = out["unique_id"].map({u: mase_scale(y_of[u][:n_of[u] - h * (v + 1)], freq) for u in n_of})
    ok = (mp > 0).to_numpy()
    for lv in LEVELS:
        out.loc[ok, f"lo-{lv}"] = out.loc[ok, "mean"] - mp[ok]
        out.loc[ok, f"hi-{lv}"] = out.loc[ok, "mean"] + mp[ok]
    return sc, out, ok


def one_panel(args, model, name, freq, meta, series, work, rng):
    h, train, n_of, bt = panel_backtest(args, model, name, freq, meta, series, work, SCRIPT)
    y_of = {u: g.y.to_numpy(float) for u, g in train.groupby("unique_id")}
    freq_name = {1: "yearly", 4: "quarterly", 12: "monthly"}[freq]
    rows = []
    for v in PERIODS:
        origin = {u: n - h * (v + 1) for u, n in n_of.items()}
        scales = {u: mase_scale(y_of[u][:origin[u]], freq) for u in n_of}
        fc = bt[bt.w == v]
        base = dict(model=model, data=name, freq=freq_name, period=f"V{v + 1}")
        scores = bt[bt.w == v + 1].assign(k_back=0)
        for cand, (smooth, shrink, scaled) in CANDIDATES.items():
            if scaled:
                sc, f_in, ok = scaled_inputs(scores, fc, y_of, n_of, h, freq, v)
                adj = apply_candidate(sc, f_in, origin, h, 1, 1, 0)
                for lv in LEVELS:  # no scale: the model's interval
                    adj.loc[~ok, f"lo-{lv}"] = fc.loc[~ok, f"lo-{lv}"].to_numpy()
                    adj.loc[~ok, f"hi-{lv}"] = fc.loc[~ok, f"hi-{lv}"].to_numpy()
            else:
                adj = apply_candidate(scores, fc, origin, h, 1, 1, 0, smooth=smooth, shrink=shrink)
            res = evaluate(adj, scales)
            if cand == "base":
                res.update({f"se-{lv}": coverage_se(adj, lv, rng) for lv in LEVELS})
            rows.append(dict(base, candidate=cand, **res))
    print(f"{model} {name} {freq_name}: done", file=sys.stderr, flush=True)
    return rows


def test_noise(args, rng):
    """Coverage and its bootstrap standard error on the test periods, theta with
    today's conformal intervals, per data set x frequency x level."""
    work = os.path.join(args.out, "conformal_round3")
    rows = []
    for name, freq, h, _, train_csv, _, test in test_panels(args.shared, args.limit, work):
        out_csv = os.path.join(work, f"{name}_{freq}_theta_conformal.csv")
        # always made: seconds, and never a file of an older build
        run([args.civicast, "forecast", train_csv, "--out", out_csv, "--h", str(h), "--model", "theta",
             "--level", "80,95", "--intervals", "conformal", "--threads", str(args.threads), "--quiet"], SCRIPT)
        fc = pd.read_csv(out_csv, dtype={"unique_id": str}).drop(columns=["y"], errors="ignore")
        d = test.merge(fc, on=["unique_id", "h"], how="left")
        for lv in LEVELS:
            ok = ~d["mean"].isna()
            cov = 100 * ((d.y >= d[f"lo-{lv}"]) & (d.y <= d[f"hi-{lv}"]))[ok].mean()
            rows.append(dict(data=name, freq={1: "yearly", 4: "quarterly", 12: "monthly"}[freq],
                             level=lv, coverage=cov, se=coverage_se(d, lv, rng)))
    return pd.DataFrame(rows)


def band_chance(se):
    """P(|N(0, se)| <= 2) per cell, and its product over the cells."""
    p = np.array([2 * NormalDist().cdf(2 / s) - 1 for s in se])
    return p, float(np.prod(p))


def rank(df, noise, out):
    """The rule: smallest worst-case |coverage - target| over the 48 cells; it
    replaces base only if at least 1 point lower in the worst case and not higher on average."""
    g = error_summary(df, "candidate", msis=("MSIS-95", "median"))
    g = g.sort_values(["worst", "mean_err"]).reset_index(drop=True)
    lines = ["| candidate | worst coverage error | mean coverage error | median MSIS-95 over cells |",
             "|---|---:|---:|---:|"]
    for _, r in g.iterrows():
        lines.append(f"| {r.candidate} | {r.worst:.2f} | {r.mean_err:.2f} | {r.msis:.2f} |")
    lines += ["", f"chosen by the rule: {chosen_by_rule(g, 'candidate', 'base')}"]
    lines += cell_tables(df, "candidate")
    vb = df[df.candidate == "base"]
    lines += ["", "bootstrap standard error of the coverage (points), base, validation periods:",
              vb[["model", "data", "freq", "period", "coverage-80", "se-80", "coverage-95", "se-95"]]
              .round(2).to_string(index=False)]
    if noise is not None:
        p, allp = band_chance(noise.se.to_numpy())
        noise = noise.assign(p_in_band=p)
        lines += ["", "test periods, theta with today's conformal intervals: coverage, its bootstrap standard "
                  "error (points) and the chance that exactly calibrated intervals land within +-2 points:",
                  noise.round(3).to_string(index=False),
                  "", f"chance that exactly calibrated intervals land in the band in all {len(noise)} cells: "
                  f"{allp:.4f}"]
    with open(os.path.join(out, "conformal_round3.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def main():
    args = validation_args(threads=2)
    rng = np.random.default_rng(20261204)
    work = os.path.join(args.out, "conformal_periods")  # the second round's backtests
    os.makedirs(work, exist_ok=True)
    os.makedirs(os.path.join(args.out, "conformal_round3"), exist_ok=True)
    rows = []
    for model, name, freq, meta, series in each_panel(args.shared, args.models):
        rows += one_panel(args, model, name, freq, meta, series, work, rng)
    df = pd.DataFrame(rows)
    df.to_csv(os.path.join(args.out, "conformal_round3.csv"), index=False)
    rank(df, test_noise(args, rng), args.out)


if __name__ == "__main__":
    main()
