"""short_history.py -- `auto` on series with few values (docs/FORECASTING.md,
"Short histories"): candidates A (auto without the floor, `auto(nofloor)`),
F8 and F16 (auto's bounds at
least as far from its point forecast as the naive method's, for series with
fewer than 8 or 16 observed values) and N8 (the naive method for series with
fewer than 8), judged by the rule written there before their figures.

Choice: the training parts of M1 and tourism, each series cut to its first L
values (L = 2, 3, 4, 6, 8, 12, 16, 24; series with at least L + 6 values), the
next six values as targets.  Check (only if a candidate wins): the demo city's
communities (datasets/demo_city/meals.csv) and the two hierarchies of
SHARED_DATA/hierarchies (visnights, prison), cut the same way.

`auto(nofloor)` (auto without the floor: candidate A) and `naive` are run once
on each cut panel through `civicast forecast` (h = 6, levels 80 and 95); the
candidates are formed from the two outputs.  The row "auto" is civicast's
`auto` as built (F16 since 2026-12-04): it equals the offline F16 except
where auto's point forecast is negative before the driver clamps it to zero
(the floor is built around the unclamped forecast; 306 of 101,472 rows of the
choice sets when it was built).

Second round (docs/FORECASTING.md, "Short histories: the point forecast", rule
fixed 2026-12-07 05:27 UTC): the point forecast of a series with fewer than 16
observed values, on the lengths L < 16 only.  Candidates A (today's auto: F16),
H (point = the mean of auto's and the naive method's, the F16 bounds shifted
with it, widths unchanged) and N (point = the naive method's, bounds shifted
likewise).  Measures: sMAPE over all targets pooled, sMAPE per data set x
frequency (6 groups), mean coverage error over the cells set x frequency x L x
level.  The lowest pooled sMAPE wins if it is >= 3% (relative) below A's, below
A's in >= 4 of the 6 groups and its coverage error at most 1 point above A's;
a winner is checked on the check sets (pooled sMAPE below A's there too).

usage: short_history.py CIVICAST SHARED_DATA OUT_DIR [--threads T]
Writes OUT_DIR/short_history.csv (one row per set x candidate x frequency x L
x level) and OUT_DIR/short_history.md (the rule's verdict and the tables).
"""
import argparse
import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conformal_eval import LEVELS, ds_of, load, run  # noqa: E402

LENGTHS = (2, 3, 4, 6, 8, 12, 16, 24)
H = 6
CANDIDATES = {"A": None, "F8": ("floor", 8), "F16": ("floor", 16), "N8": ("naive", 8)}
# the second round: the point forecast below 16 observed values (the lengths below 16)
POINT_LENGTHS = (2, 3, 4, 6, 8, 12)
POINT_CANDIDATES = {"A": ("floor", 16), "H": ("half", 16), "N": ("naivept", 16)}
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cut(frames, lengths=LENGTHS):
    """frames: (set, freq, long frame unique_id, ds, y in time order).  Returns the
    cut panels {(set, freq): frame} with ids 'id|L' and the targets (unique_id, h, y)."""
    panels, targets = {}, []
    for name, freq, df in frames:
        rows = []
        for u, g in df.groupby("unique_id", sort=False):
            y, ds = g["y"].to_numpy(float), g["ds"].to_numpy()
            for L in lengths:
                if len(y) < L + H:
                    continue
                uid = f"{u}|{L}"
                rows.append(pd.DataFrame({"unique_id": uid, "ds": ds[:L], "y": y[:L]}))
                targets.append(pd.DataFrame({"unique_id": uid, "h": np.arange(1, H + 1), "y": y[L:L + H],
                                             "set": name, "freq": freq, "L": L}))
        panels.setdefault((name, freq), []).extend(rows)
    return {k: pd.concat(v, ignore_index=True) for k, v in panels.items() if v}, pd.concat(targets)


def forecast(civicast, panel, model, path, threads):
    panel.to_csv(path + ".in.csv", index=False)
    run([civicast, "forecast", path + ".in.csv", "--out", path, "--h", str(H), "--model", model,
         "--level", "80,95", "--threads", str(threads), "--quiet"], "short_history.py")
    return pd.read_csv(path, dtype={"unique_id": str}).drop(columns=["ds", "model"])


def candidate(auto, naive, rule):
    """The candidate's forecasts from auto's and naive's (same rows, same order)."""
    if rule is None:
        return auto
    kind, T = rule
    short = auto["unique_id"].str.rsplit("|", n=1).str[1].astype(int) < T  # L observed values
    if kind in ("half", "naivept"):
        return shifted(candidate(auto, naive, ("floor", T)), auto, naive, short, kind)
    out = auto.copy()
    if kind == "naive":
        for c in ["mean"] + [f"{s}-{lv}" for lv in LEVELS for s in ("lo", "hi")]:
            out.loc[short, c] = naive.loc[short, c]
        return out
    for lv in LEVELS:
        below = (naive["mean"] - naive[f"lo-{lv}"]).to_numpy()
        above = (naive[f"hi-{lv}"] - naive["mean"]).to_numpy()
        lo = np.minimum(auto[f"lo-{lv}"], auto["mean"] - below)
        hi = np.maximum(auto[f"hi-{lv}"], auto["mean"] + above)
        # every set is non-negative: clamped at zero, as civicast's driver clamps auto's bounds
        out.loc[short, f"lo-{lv}"] = np.maximum(lo[short], 0.0)
        out.loc[short, f"hi-{lv}"] = np.maximum(hi[short], 0.0)
    return out


def shifted(f16, auto, naive, short, kind):
    """H ("half": the mean of auto's and naive's points) or N ("naivept": naive's point)
    for the short series; F16's bounds move by the same amount (widths unchanged), then
    are clamped at zero as civicast's driver clamps them (every set is non-negative)."""
    out = f16.copy()
    point = (auto["mean"] + naive["mean"]) / 2 if kind == "half" else naive["mean"]
    point = point.where(point.notna(), auto["mean"])  # no naive forecast: auto's
    delta = (point - auto["mean"]).where(short, 0.0)
    out["mean"] = auto["mean"] + delta
    for lv in LEVELS:
        for c in (f"lo-{lv}", f"hi-{lv}"):
            out.loc[short, c] = np.maximum(f16.loc[short, c] + delta[short], 0.0)
    return out


def score(fc, targets):
    d = targets.merge(fc, on=["unique_id", "h"], how="inner")
    d = d[~d["mean"].isna() & ~d["y"].isna()]
    y, f = d["y"].to_numpy(float), d["mean"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = d.assign(smape=np.where(np.abs(y) + np.abs(f) > 0, 200 * np.abs(y - f) / (np.abs(y) + np.abs(f)), 0.0))
    for lv in LEVELS:
        d[f"cov-{lv}"] = 100.0 * ((d["y"] >= d[f"lo-{lv}"]) & (d["y"] <= d[f"hi-{lv}"]))
    g = d.groupby(["set", "freq", "L"]).agg(points=("y", "size"), smape=("smape", "mean"),
                                             **{f"cov-{lv}": (f"cov-{lv}", "mean") for lv in LEVELS})
    return g.reset_index(), d["smape"].mean()


def run_sets(args, frames, tag):
    panels, targets = cut(frames)
    work = os.path.join(args.out, "short_history")
    os.makedirs(work, exist_ok=True)
    rows, smape = [], {}
    outs = {}
    for (name, freq), panel in panels.items():
        base = os.path.join(work, f"{tag}_{name}_{freq}")
        a = forecast(args.civicast, panel, "auto(nofloor)", base + "_auto.csv", args.threads)
        n = forecast(args.civicast, panel, "naive", base + "_naive.csv", args.threads)
        b = forecast(args.civicast, panel, "auto", base + "_built.csv", args.threads)
        a, n, b = (x.set_index(["unique_id", "h"]) for x in (a, n, b))
        n, b = n.reindex(a.index), b.reindex(a.index)
        outs[(name, freq)] = (a.reset_index(), n.reset_index(), b.reset_index())
    for cand, rule in CANDIDATES.items():
        fcs = [candidate(a, n, rule) for a, n, _ in outs.values()]
        g, sm = score(pd.concat(fcs, ignore_index=True), targets)
        g["candidate"] = cand
        rows.append(g)
        smape[cand] = sm
    g, smape["auto"] = score(pd.concat([b for _, _, b in outs.values()], ignore_index=True), targets)
    rows.append(g.assign(candidate="auto"))
    return pd.concat(rows, ignore_index=True), smape, (outs, targets)


def point_scores(outs, targets):
    """The second round's measures on L < 16: {candidate: (pooled sMAPE, {(set, freq): sMAPE},
    mean coverage error)} for A, H, N and "auto" as built, and the cells (set, freq, L) per candidate."""
    targets = targets[targets["L"].isin(POINT_LENGTHS)]
    res, cells = {}, []
    for cand in list(POINT_CANDIDATES) + ["auto"]:
        if cand == "auto":
            fc = pd.concat([b for _, _, b in outs.values()], ignore_index=True)
        else:
            fc = pd.concat([candidate(a, n, POINT_CANDIDATES[cand]) for a, n, _ in outs.values()], ignore_index=True)
        g, pooled = score(fc, targets)
        groups = {(k[0], k[1]): (v.smape * v.points).sum() / v.points.sum() for k, v in g.groupby(["set", "freq"])}
        res[cand] = (pooled, groups, errors(g)[0])
        cells.append(g.assign(candidate=cand))
    return res, pd.concat(cells, ignore_index=True)


def point_verdict(res, title):
    """The second round's table and the rule's verdict on the choice sets."""
    groups = sorted(res["A"][1])
    head = " | ".join(f"{s} {f}" for s, f in groups)
    lines = ["", f"second round, point forecast below 16 values, L = {POINT_LENGTHS}: {title}",
             f"| candidate | pooled sMAPE | vs A | {head} | groups below A | mean coverage error |",
             "|---|---:|---:|" + "---:|" * len(groups) + "---:|---:|"]
    a_pooled, a_groups, a_cov = res["A"]
    for cand, (pooled, g, cov) in res.items():
        below = sum(g[k] < a_groups[k] for k in groups)
        lines.append(f"| {cand if cand != 'A' else 'A (F16)'} | {pooled:.3f} | {pooled / a_pooled - 1:+.2%} | "
                     + " | ".join(f"{g[k]:.2f}" for k in groups) + f" | {below} | {cov:.2f} |")
    best = min(POINT_CANDIDATES, key=lambda c: res[c][0])
    pooled, g, cov = res[best]
    checks = (pooled <= 0.97 * a_pooled, sum(g[k] < a_groups[k] for k in groups) >= 4, cov <= a_cov + 1)
    wins = best != "A" and all(checks)
    lines += ["", f"lowest pooled sMAPE: {best}; by the rule it {'WINS' if wins else 'does not win: A stays'} "
              f"(>= 3% below A: {checks[0]}, {pooled:.5f} vs {0.97 * a_pooled:.5f}; below A in >= 4 of 6 groups: "
              f"{checks[1]}; coverage error <= A's + 1: {checks[2]})"]
    return (best if wins else None), lines


def errors(df):
    e = pd.concat([abs(df[f"cov-{lv}"] - lv) for lv in LEVELS])
    return e.mean(), e.max()


def verdict(df, smape):
    lines = ["| candidate | mean coverage error | worst coverage error | sMAPE (all targets) |", "|---|---:|---:|---:|"]
    stats = {}
    for cand in list(CANDIDATES) + ["auto"]:
        m, w = errors(df[df.candidate == cand])
        stats[cand] = (m, w, smape[cand])
        lines.append(f"| {cand} | {m:.2f} | {w:.2f} | {smape[cand]:.3f} |")
    return stats, lines


def frames_choice(shared):
    out = []
    for name in ("m1", "tourism"):
        meta, series = load(shared, name)
        tr = series[series.split == "train"].merge(meta[["unique_id", "frequency"]], on="unique_id")
        for freq, part in tr.groupby("frequency"):
            part = part.sort_values(["unique_id", "t"]).assign(ds=lambda d: ds_of(d["t"], freq))
            out.append((name, {1: "Y", 4: "Q", 12: "M"}[freq], part[["unique_id", "ds", "y"]]))
    return out


def frames_check(shared):
    out = []
    meals = pd.read_csv(os.path.join(ROOT, "datasets", "demo_city", "meals.csv"), dtype={"unique_id": str})
    out.append(("demo", "M", meals[["unique_id", "ds", "y"]]))
    for name in ("visnights", "prison"):
        path = os.path.join(shared, "hierarchies", f"{name}.csv")
        if not os.path.exists(path):
            print(f"short_history.py: {path} not found: the check goes without {name}", file=sys.stderr)
            continue
        out.append((name, "Q", pd.read_csv(path, dtype={"unique_id": str})))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("civicast")
    ap.add_argument("shared")
    ap.add_argument("out")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    df, smape, (outs, targets) = run_sets(args, frames_choice(args.shared), "choice")
    stats, lines = verdict(df, smape)
    a_mean, a_worst, a_smape = stats["A"]
    best = min((c for c in CANDIDATES if c != "A"), key=lambda c: stats[c][0])
    m, w, sm = stats[best]
    wins = m <= a_mean - 2 and w <= a_worst and sm <= a_smape * 1.01
    lines += ["", f"best other candidate: {best}; by the rule it {'WINS' if wins else 'does not win'} "
              f"(mean {m:.2f} vs {a_mean:.2f}, worst {w:.2f} vs {a_worst:.2f}, sMAPE {sm:.3f} vs {a_smape:.3f})"]
    tables = [("choice (M1, tourism)", df)]
    pres, pcells = point_scores(outs, targets)
    pbest, plines = point_verdict(pres, "choice (M1, tourism)")
    pcells = pcells.assign(stage="choice")
    if wins or pbest:
        dc, sc, (couts, ctargets) = run_sets(args, frames_check(args.shared), "check")
        cstats, clines = verdict(dc, sc)
        confirmed = cstats[best][0] < cstats["A"][0]
        lines += ["", "check (demo city, visnights, prison):"] + clines
        lines += ["", f"{best} {'is confirmed' if confirmed else 'is NOT confirmed'} on the check sets"]
        tables.append(("check", dc))
        df = pd.concat([df.assign(stage="choice"), dc.assign(stage="check")])
        if pbest:
            cres, ccells = point_scores(couts, ctargets)
            plines += point_verdict(cres, "check (demo city, visnights, prison)")[1][:-2]
            ok = cres[pbest][0] < cres["A"][0]
            plines += ["", f"{pbest} {'is confirmed' if ok else 'is NOT confirmed'} on the check sets "
                       f"(pooled sMAPE {cres[pbest][0]:.3f} vs A's {cres['A'][0]:.3f})"
                       + ("" if ok else ": A stays, nothing is built")]
            pcells = pd.concat([pcells, ccells.assign(stage="check")])
    lines += plines
    for title, t in tables:
        for lv in LEVELS:
            piv = t.pivot_table(index=["set", "freq", "candidate"], columns="L", values=f"cov-{lv}")
            lines += ["", f"{title}: coverage of the {lv}% intervals by L:", piv.round(1).to_string()]
        piv = t.pivot_table(index=["set", "freq", "candidate"], columns="L", values="smape")
        lines += ["", f"{title}: sMAPE by L:", piv.round(2).to_string()]
    for stage, t in pcells.groupby("stage", sort=False):
        piv = t.pivot_table(index=["set", "freq", "candidate"], columns="L", values="smape")
        lines += ["", f"second round, {stage}: sMAPE by L:", piv.round(2).to_string()]
    df.to_csv(os.path.join(args.out, "short_history.csv"), index=False)
    pcells.to_csv(os.path.join(args.out, "short_history_point.csv"), index=False)
    with open(os.path.join(args.out, "short_history.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
