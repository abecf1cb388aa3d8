"""conformal_validate.py -- chooses the conformal intervals' settings on
validation data carved from the TRAINING parts of M1 and tourism only
(issue 13.3; docs/FORECASTING.md, "Conformal intervals: choosing the settings").

For each data set and frequency, every training part is cut once more: its
last h values are the validation targets, the rest ("val-train") is the
history.  The model forecasts val-train (the validation forecast, with its own
80% and 95% intervals) and is backtested on val-train with W windows of step 1
(W = max(10, 2 ceil(h/2) + 1)).  Every candidate setting (K windows spaced S
periods, the calibration sample size M per length class) is then applied in
Python with the rule of engine/src/forecast/conformal.c (normalised scores,
conformal quantile per step, the series' own scores when it has enough, else
pooled by length class, else the panel) to the validation forecasts, and scored
on the validation targets.  The test periods are never read.

usage: conformal_validate.py CIVICAST SHARED_DATA OUT_DIR [--models theta,ets] [--threads T] [--reuse]
Writes OUT_DIR/conformal_validation.csv (one row per candidate x model x data
set x frequency) and OUT_DIR/conformal_validation.md (the ranking by the rule).
"""
import math
import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conformal_eval import LEVELS, ds_of, each_panel, mase_scale, run, validation_args  # noqa: E402

SCRIPT = "conformal_validate.py"

TARGET = {80: 80.0, 95: 95.0}
SAMPLES = (0, 100)  # 0: every series; M: at most M series per length class (evenly spaced)


def candidates(h, W):
    """The (K, S) pairs tried (all within the W step-1 windows for h >= 2)."""
    out = [(K, 1) for K in (1, 2, 3, 5, 10)] + [(2, math.ceil(h / 2)), (3, math.ceil(h / 2)), (2, h)]
    return [(K, S) for K, S in out if (K - 1) * S <= W - 1]


def length_class(n, h):
    r = n / h
    return 0 if r < 4 else 1 if r < 8 else 2


def series_min(level):
    return max(20, math.ceil(2 * level / (100 - level) - 1e-9))


def pool_min(level):
    return max(50, math.ceil(level / (100 - level) - 1e-9))


def conformal_q(scores, level):
    s = np.sort(scores)
    n = len(s)
    rank = min(max(math.ceil((n + 1) * level / 100 - 1e-9), 1), n)
    return s[rank - 1]


def add_scores(bt):
    """Adds the normalised scores s-L of conformal.c to the backtest rows bt (in
    place): (y - f) / (hi - f) when y >= f, (f - y) / (f - lo) below; NaN where
    a half-width is zero (0 when y == f)."""
    y, f = bt["y"].to_numpy(float), bt["mean"].to_numpy(float)
    for lv in LEVELS:
        lo, hi = bt[f"lo-{lv}"].to_numpy(float), bt[f"hi-{lv}"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            up = np.where(hi - f > 0, (y - f) / (hi - f), np.where(y == f, 0.0, np.nan))
            dn = np.where(f - lo > 0, (f - y) / (f - lo), np.nan)
        bt[f"s-{lv}"] = np.where(y >= f, up, dn)


def window_scores(bt, fc_ids, h):
    """Scores[(uid, k_back, j, level)] from the backtest table; k_back = 0 for
    the last window (cutoff n - h), 1 for one period earlier, ..."""
    bt = bt.copy()
    bt["last"] = bt.groupby("unique_id")["cutoff"].transform("max")
    cut = bt[["unique_id", "cutoff", "last"]].drop_duplicates()
    # rank cutoffs from the last one back (they are consecutive periods: step 1)
    cut["k_back"] = cut.groupby("unique_id")["cutoff"].rank(ascending=False, method="dense").astype(int) - 1
    bt = bt.merge(cut[["unique_id", "cutoff", "k_back"]], on=["unique_id", "cutoff"])
    add_scores(bt)
    return bt[["unique_id", "k_back", "h"] + [f"s-{lv}" for lv in LEVELS]]


def _pooled(pools, key_of, j, h, smooth):
    """The scores of pools at step j, with those of steps j - smooth .. j + smooth (within 1..h)."""
    parts = [pools.get(key_of(jj)) for jj in range(max(1, j - smooth), min(h, j + smooth) + 1)]
    parts = [p for p in parts if p is not None]
    return np.concatenate(parts) if parts else np.array([])


def apply_candidate(sc, fc, lengths, h, K, S, M, smooth=0, shrink=1.0):
    """Conformal factors q[uid, j, level] for candidate (K, S, M) and the rescaled bounds.
    smooth > 0 pools the scores of steps j - smooth .. j + smooth at step j; shrink < 1
    moves each factor towards 1 (the model's interval): q' = 1 + shrink (q - 1)
    (the third round, docs/FORECASTING.md)."""
    ks = [k * S for k in range(K)]
    use = sc[sc.k_back.isin(ks)]
    uids = list(lengths)  # panel order (first appearance), as the C sample counts them
    cls = {u: length_class(lengths[u], h) for u in uids}
    sampled = set(uids)
    if M:
        sampled = set()
        for c in (0, 1, 2):
            members = [u for u in uids if cls[u] == c]
            if len(members) > M:
                members = [members[i * len(members) // M] for i in range(M)]
            sampled.update(members)
        use = use[use.unique_id.isin(sampled)]
    use = use.assign(cls=use.unique_id.map(cls))
    out = fc.copy()
    out["cls"] = out.unique_id.map(cls)
    for lv in LEVELS:
        col = f"s-{lv}"
        valid = use[~use[col].isna()]
        per_series = valid.groupby(["unique_id", "h"])[col].apply(np.array)
        by_class = valid.groupby(["cls", "h"])[col].apply(np.array)
        by_step = valid.groupby("h")[col].apply(np.array)
        qmap = {}
        for j in range(1, h + 1):
            panel = _pooled(by_step, lambda jj: jj, j, h, smooth)
            panel_q = conformal_q(panel, lv) if len(panel) >= max(1, math.ceil(lv / (100 - lv) - 1e-9)) else np.nan
            for c in (0, 1, 2):
                pool = _pooled(by_class, lambda jj, c=c: (c, jj), j, h, smooth)
                class_q = conformal_q(pool, lv) if len(pool) >= pool_min(lv) else np.nan
                qmap[(c, j)] = class_q if not np.isnan(class_q) else (panel_q if not np.isnan(panel_q) else 1.0)
        q = np.array([qmap[(c, j)] for c, j in zip(out.cls, out.h)])
        own = [(u, j) for u, j in zip(out.unique_id, out.h)]
        for idx, (u, j) in enumerate(own):
            v = _pooled(per_series, lambda jj, u=u: (u, jj), j, h, smooth)
            if len(v) >= series_min(lv):
                q[idx] = conformal_q(v, lv)
        q = 1.0 + shrink * (q - 1.0)
        f = out["mean"].to_numpy(float)
        out[f"lo-{lv}"] = np.maximum(f - q * (f - out[f"lo-{lv}"].to_numpy(float)), 0.0)
        out[f"hi-{lv}"] = np.maximum(f + q * (out[f"hi-{lv}"].to_numpy(float) - f), 0.0)
        out[f"q-{lv}"] = q
    # nest the levels
    out["lo-95"] = np.minimum(out["lo-95"], out["lo-80"])
    out["hi-95"] = np.maximum(out["hi-95"], out["hi-80"])
    return out


def evaluate(df, target, scales):
    d = df.merge(target, on=["unique_id", "h"])
    y = d["y"].to_numpy(float)
    res = {}
    sc = d["unique_id"].map(scales).to_numpy(float)
    for lv in LEVELS:
        lo, hi = d[f"lo-{lv}"].to_numpy(float), d[f"hi-{lv}"].to_numpy(float)
        ok = ~np.isnan(lo)
        a = 1 - lv / 100
        isc = (hi - lo) + 2 / a * np.maximum(lo - y, 0) + 2 / a * np.maximum(y - hi, 0)
        res[f"coverage-{lv}"] = 100 * ((y >= lo) & (y <= hi))[ok].mean()
        res[f"MSIS-{lv}"] = pd.Series(isc / sc).groupby(d["unique_id"].to_numpy()).mean().mean()
    return res


def main():
    args = validation_args(threads=1)
    work = os.path.join(args.out, "conformal_val")
    os.makedirs(work, exist_ok=True)
    rows = []
    for model, name, freq, meta, series in each_panel(args.shared, args.models):
        ids = meta.loc[meta.frequency == freq, "unique_id"]
        if args.limit:
            ids = ids.iloc[:args.limit]
        h = int(meta.loc[meta.frequency == freq, "h"].iloc[0])
        W = max(10, 2 * math.ceil(h / 2) + 1)
        train = series[(series.unique_id.isin(set(ids))) & (series.split == "train")].copy()
        train["pos"] = train.groupby("unique_id")["t"].rank(ascending=False).astype(int)
        vt = train[train.pos > h].copy()           # val-train
        target = train[train.pos <= h].copy()      # the last h training values
        target["h"] = h + 1 - target["pos"]
        target = target[["unique_id", "h", "y"]]
        vt["ds"] = ds_of(vt["t"], freq)
        lengths = vt.groupby("unique_id", sort=False).size().to_dict()
        scales = vt.groupby("unique_id")["y"].apply(lambda v: mase_scale(v.to_numpy(), freq))
        stem = os.path.join(work, f"{name}_{freq}")
        vt_csv = stem + "_valtrain.csv"
        vt[["unique_id", "ds", "y"]].to_csv(vt_csv, index=False)
        fc_csv, bt_csv = f"{stem}_{model}_fc.csv", f"{stem}_{model}_bt{W}.csv"
        common = ["--model", model, "--level", "80,95", "--h", str(h), "--threads", str(args.threads),
                  "--quiet"]
        if not (args.reuse and os.path.exists(fc_csv)):
            run([args.civicast, "forecast", vt_csv, "--out", fc_csv, "--intervals", "model"] + common, SCRIPT)
        if not (args.reuse and os.path.exists(bt_csv)):
            run([args.civicast, "backtest", vt_csv, "--out", bt_csv, "--windows", str(W), "--step", "1"]
                + common, SCRIPT)
        fc = pd.read_csv(fc_csv, dtype={"unique_id": str})
        fc["h"] = fc.groupby("unique_id").cumcount() + 1
        bt = pd.read_csv(bt_csv, dtype={"unique_id": str})
        sc = window_scores(bt, fc.unique_id.unique(), h)
        freq_name = {1: "yearly", 4: "quarterly", 12: "monthly"}[freq]
        base = evaluate(fc, target, scales)
        rows.append(dict(model=model, data=name, freq=freq_name, K=0, S=0, M=0, setting="model", **base))
        for K, S in candidates(h, W):
            for M in SAMPLES:
                adj = apply_candidate(sc, fc, lengths, h, K, S, M)
                res = evaluate(adj, target, scales)
                setting = f"K={K} S={'1' if S == 1 else ('h' if S == h else 'h/2')} M={M or 'all'}"
                rows.append(dict(model=model, data=name, freq=freq_name, K=K, S=S, M=M, setting=setting,
                                 **res))
        print(f"{model} {name} {freq_name}: done", file=sys.stderr, flush=True)
        pd.DataFrame(rows).to_csv(os.path.join(args.out, "conformal_validation.csv"), index=False)
    rank(pd.DataFrame(rows), args.out)


def rank(df, out):
    """The rule (docs/FORECASTING.md): the setting with the smallest worst-case
    coverage error max |coverage - target| over model x data x frequency x
    level; ties (within 0.5 points) go to fewer windows, then to the smaller
    sample."""
    d = df[df.setting != "model"].copy()
    d["err"] = np.maximum(abs(d["coverage-80"] - 80), abs(d["coverage-95"] - 95))
    g = d.groupby("setting").agg(worst=("err", "max"), mean_err=("err", "mean"), K=("K", "first"),
                                 M=("M", "first")).reset_index()
    g = g.sort_values(["worst", "K"]).reset_index(drop=True)
    lines = ["| setting | worst coverage error | mean coverage error |", "|---|---:|---:|"]
    for _, r in g.iterrows():
        lines.append(f"| {r.setting} | {r.worst:.2f} | {r.mean_err:.2f} |")
    best = g.iloc[0]
    close = g[g.worst <= best.worst + 0.5].sort_values(["K", "M", "worst"], ascending=[True, False, True])
    lines.append("")
    lines.append(f"chosen by the rule: {close.iloc[0].setting}")
    piv = df.pivot_table(index=["setting"], columns=["model", "data", "freq"], values="coverage-80")
    lines += ["", "coverage-80 by setting:", piv.round(1).to_string(),
              "", "coverage-95 by setting:",
              df.pivot_table(index=["setting"], columns=["model", "data", "freq"], values="coverage-95")
              .round(1).to_string()]
    with open(os.path.join(out, "conformal_validation.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
