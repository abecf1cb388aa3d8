#!/usr/bin/env python3
"""default_eval.py -- the evidence for the default `auto` (issue 13 item 4): candidate
combinations of member models, scored on the test periods of M1 and tourism, and the
decision rule of docs/FORECASTING.md ("Choosing the default on M1 and tourism") applied
to them.  bench/default.bench.sh drives it.

Each member model is forecast once per series from the training part (h = the test
length; levels 80 and 95; one series per call on one thread, its process CPU time
recorded) by bench_forecast_m1 --forecasts, which writes DIR/<data>_<member>.csv:
    unique_id,h,y,mean,lo-80,hi-80,lo-95,hi-95,cpu_s,model
The backtest-based candidates also need each member's rolling-origin backtest on the
training part (3 windows, step 1, the same h), run by `civicast backtest`.  The
candidates are then computed here, offline, exactly as models/combination.c combines:
the point forecast and each interval bound are the mean (median) of the members' values
at that step; with an even number of members the median is the mean of the middle two;
a member that failed on a series is left out on that series.  Exact for every candidate whose
members draw nothing from the random stream, or only the last one does (dotm: C-F, I, J, L, N);
for G and H the intervals of dotm, dstm and autotheta inside a real combination are drawn from
a stream the earlier members have advanced, so their bounds differ by Monte Carlo noise.

usage:
  default_eval.py members BENCH_EXE SHARED OUT_DIR [--limit N]
        runs bench_forecast_m1 for m1 and tourism (all members, one thread each)
  default_eval.py backtest CIVICAST SHARED OUT_DIR [--limit N] [--threads T]
        writes OUT_DIR/bt_<data>_<freq>.csv: the members' backtests on the training parts
  default_eval.py table SHARED MEMBERS_DIR BT_DIR OUT.md [--limit N]
        scores every candidate, applies the rule, writes the table to OUT.md, prints
        one row for bench/run.sh
  default_eval.py original BENCH_EXE SHARED OUT_DIR
        the first A (the median of R's default ets, arima, theta) as OUT_DIR/<data>_auto.csv,
        the ORIGINAL_DIR of `specs`
  default_eval.py specs SHARED ORIGINAL_DIR OUT_DIR OUT.md [--exe BENCH_EXE]
        A (`combo(median)`, auto's smooth route until 2026-12-04) and C as implemented (the
        spec, run by civicast: its ets and damped members from one ETS search) forecast in one run (with --exe; else OUT_DIR's
        <data>_A.csv, <data>_C.csv are reused), scored, and the rule applied against the
        first A (ORIGINAL_DIR/<data>_auto.csv) for accuracy and this run's A for CPU
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import pandas as pd

LEVELS = (80, 95)
BASE_YEAR = 1700  # synthetic calendar for the CLI: period t is BASE_YEAR + t (year, quarter or month)
FREQ_NAME = {1: "yearly", 4: "quarterly", 12: "monthly"}

# member name -> spec (the names of the files in MEMBERS_DIR); each is the spec civicast's
# combination gives that member (models/combination.c: ets(maxit=500), arima(reltol=1e-4))
MEMBERS = {
    "auto": "auto", "ets": "ets(maxit=500)", "arima": "arima(reltol=1e-4)", "theta": "theta",
    "damped": "ETS(Z,Z,Z,damped=true,maxit=500)", "dotm": "dotm", "dstm": "dstm", "autotheta": "autotheta",
    "tsb": "tsb",
}
# members backtested for the weighted and selected candidates
BT_MEMBERS = ("ets", "arima", "theta", "damped", "dotm")
BT_WINDOWS, BT_STEP = 3, 1


def load(shared, name):
    meta = pd.read_csv(os.path.join(shared, name, f"{name}_meta.csv"), dtype={"unique_id": str})
    series = pd.read_csv(os.path.join(shared, name, f"{name}_series.csv"), dtype={"unique_id": str})
    return meta, series


def limited(meta, limit):
    """The first `limit` series of each frequency (bench_forecast_m1 --limit's choice)."""
    if not limit:
        return meta
    return meta.groupby("frequency", sort=False).head(limit)


def ds_of(t, freq):
    t = np.asarray(t) - 1
    if freq == 1:
        return (BASE_YEAR + t).astype(str)
    if freq == 4:
        return [f"{BASE_YEAR + k // 4}-Q{k % 4 + 1}" for k in t]
    return [f"{BASE_YEAR + k // 12}-{k % 12 + 1:02d}" for k in t]


def cmd_members(args):
    methods = ";".join(f"{k}={v}" for k, v in MEMBERS.items())
    os.makedirs(args.out, exist_ok=True)
    for name in ("m1", "tourism"):
        cmd = [args.exe, os.path.join(args.shared, name), os.path.join(args.out, f"scores_{name}.csv"),
               "--methods", methods, "--no-scaling", "--forecasts", args.out]
        if args.limit:
            cmd += ["--limit", str(args.limit)]
        if subprocess.run(cmd).returncode:
            sys.exit(f"default_eval.py: {' '.join(cmd)} failed")


def cmd_backtest(args):
    os.makedirs(args.out, exist_ok=True)
    models = ",".join(MEMBERS[m] for m in BT_MEMBERS)
    for name in ("m1", "tourism"):
        meta, series = load(args.shared, name)
        meta = limited(meta, args.limit)
        for freq in (1, 4, 12):
            ids = set(meta.loc[meta.frequency == freq, "unique_id"])
            h = int(meta.loc[meta.frequency == freq, "h"].iloc[0])
            train = series[series.unique_id.isin(ids) & (series.split == "train")].copy()
            train["ds"] = ds_of(train["t"], freq)
            inp = os.path.join(args.out, f"bt_{name}_{freq}_train.csv")
            train[["unique_id", "ds", "y"]].to_csv(inp, index=False)
            out = os.path.join(args.out, f"bt_{name}_{freq}.csv")
            cmd = [args.civicast, "backtest", inp, "--out", out, "--model", models, "--h", str(h),
                   "--windows", str(BT_WINDOWS), "--step", str(BT_STEP), "--level", "80,95",
                   "--nonnegative", "off", "--threads", str(args.threads), "--quiet"]
            rc = subprocess.run(cmd).returncode
            if rc not in (0, 6):
                sys.exit(f"default_eval.py: {' '.join(cmd)} exited {rc}")
            print(f"default_eval.py: backtest {name} {FREQ_NAME[freq]} written to {out}", file=sys.stderr,
                  flush=True)


# ---- candidates (docs/FORECASTING.md, "Choosing the default on M1 and tourism") ----------------
ABC = ("ets", "arima", "theta")
FIVE = ("ets", "arima", "theta", "damped", "dotm")
SEVEN = ("ets", "arima", "theta", "damped", "dotm", "dstm", "autotheta")
CANDIDATES = [  # letter, label, kind, members
    ("A", "median(ets,arima,theta) = auto until 2026-12-04", "median", ABC),
    ("B", "mean(ets,arima,theta)", "mean", ABC),
    ("C", "median(ets,arima,theta,damped,dotm)", "median", FIVE),
    ("D", "mean(ets,arima,theta,damped,dotm)", "mean", FIVE),
    ("E", "median(ets,arima,dotm)", "median", ("ets", "arima", "dotm")),
    ("F", "mean(ets,arima,dotm)", "mean", ("ets", "arima", "dotm")),
    ("G", "median(all seven)", "median", SEVEN),
    ("H", "mean(all seven)", "mean", SEVEN),
    ("I", "median(ets,damped,theta,dotm)", "median", ("ets", "damped", "theta", "dotm")),
    ("J", "mean(ets,damped,theta,dotm)", "mean", ("ets", "damped", "theta", "dotm")),
    ("O", "median(ets,damped,arima,theta)", "median", ("ets", "damped", "arima", "theta")),
    ("P", "mean(ets,damped,arima,theta)", "mean", ("ets", "damped", "arima", "theta")),
    ("K", "backtest-weighted mean(ets,arima,theta)", "weighted", ABC),
    ("L", "backtest-weighted mean(five)", "weighted", FIVE),
    ("M", "backtest selection(ets,arima,theta)", "select", ABC),
    ("N", "backtest selection(five)", "select", FIVE),
]
COLS = ["mean"] + [f"{b}-{lv}" for lv in LEVELS for b in ("lo", "hi")]
MSIS_TOL, CPU_TOL, TIE = 1.05, 1.25, 0.002


def read_members(mdir, name, index):
    """{member: array (series x step, 5 columns) aligned with index}, {member: cpu per series},
    and the routed (TSB) series of `auto`."""
    vals, cpu, routed = {}, {}, set()
    for m in MEMBERS:
        d = pd.read_csv(os.path.join(mdir, f"{name}_{m}.csv"), dtype={"unique_id": str}, na_values=["NA"])
        d = d.set_index(["unique_id", "h"]).reindex(index)
        vals[m] = d[COLS].to_numpy(float)
        cpu[m] = d["cpu_s"].groupby(level=0, sort=False).first()
        if m == "auto":
            mod = d["model"].groupby(level=0, sort=False).first()
            routed = set(mod[~mod.astype(str).str.startswith("Combo")].index)
    return vals, cpu, routed


def backtest_weights(bdir, name, ids, members):
    """Per series (rows in ids' order) x member: 1 / backtest MAE over the points where every
    member has a forecast; NaN where the rule falls back (no such point, or an MAE of 0)."""
    parts = [pd.read_csv(os.path.join(bdir, f"bt_{name}_{f}.csv"), dtype={"unique_id": str})
             for f in (1, 4, 12) if os.path.exists(os.path.join(bdir, f"bt_{name}_{f}.csv"))]
    b = pd.concat(parts)
    names = list(dict.fromkeys(b["model"]))  # display names, in the --model order (BT_MEMBERS)
    b["member"] = b["model"].map(dict(zip(names, BT_MEMBERS)))
    w = b.pivot_table(index=["unique_id", "cutoff", "h"], columns="member", values="mean", dropna=False)
    y = b.drop_duplicates(["unique_id", "cutoff", "h"]).set_index(["unique_id", "cutoff", "h"])["y"]
    y = y.reindex(w.index)
    f = w[list(members)]
    ok = f.notna().all(axis=1) & y.notna()
    err = f[ok].sub(y[ok], axis=0).abs().groupby(level=0).mean()
    inv = 1.0 / err.where(err > 0)
    inv = inv.where(inv.notna().all(axis=1))
    return inv.reindex(ids).to_numpy(float)


def combine(vals, members, kind, n_steps, inv=None, fallback=None):
    """The candidate's forecasts (rows x 5) from the members' arrays (combination.c's rule)."""
    stack = np.stack([vals[m] for m in members])  # k x rows x 5
    if kind == "median":
        return np.nanmedian(stack, axis=0)
    if kind == "mean":
        return np.nanmean(stack, axis=0)
    wr = np.repeat(inv, n_steps, axis=0)  # series -> rows
    good = ~np.isnan(wr).any(axis=1)
    if kind == "weighted":
        wn = wr / wr.sum(axis=1, keepdims=True)
        out = np.einsum("krc,rk->rc", np.nan_to_num(stack), np.nan_to_num(wn))
        out[~good] = np.nanmean(stack, axis=0)[~good]
        return out
    best = np.nanargmax(np.where(good[:, None], wr, -np.inf), axis=1)  # lowest MAE
    out = stack[best, np.arange(stack.shape[1])]
    out[~good] = fallback[~good]
    return out


def scores(fc, y, sid, scale, cpu):
    """Per-series measures of one candidate's forecasts fc (rows x 5)."""
    f = fc[:, 0]
    d = pd.DataFrame({"sid": sid, "smape": 200 * np.abs(y - f) / (np.abs(y) + np.abs(f)),
                      "ae": np.abs(y - f)})
    for i, lv in enumerate(LEVELS):
        lo, hi = fc[:, 1 + 2 * i], fc[:, 2 + 2 * i]
        a = 1 - lv / 100
        d[f"in{lv}"] = ((y >= lo) & (y <= hi)).astype(float)
        d[f"is{lv}"] = (hi - lo) + 2 / a * np.maximum(lo - y, 0) + 2 / a * np.maximum(y - hi, 0)
    g = d.groupby("sid", sort=False).mean()
    g["mase"] = g["ae"] / scale.reindex(g.index).to_numpy()
    g["msis95"] = g["is95"] / scale.reindex(g.index).to_numpy()
    g["n"] = d.groupby("sid", sort=False).size()
    g["cpu"] = cpu.reindex(g.index).to_numpy()
    return g


def summary(g, freq):
    """Aggregates of per-series scores g over all series and per frequency."""
    out = {}
    for key, part in [("all", g)] + [(FREQ_NAME[f], g[freq.reindex(g.index).to_numpy() == f]) for f in (1, 4, 12)]:
        fin = part[np.isfinite(part["mase"])]
        w = part["n"]
        out[key] = {"smape": part["smape"].mean(), "mase": fin["mase"].mean(),
                    "cov80": 100 * (part["in80"] * w).sum() / w.sum(), "cov95": 100 * (part["in95"] * w).sum() / w.sum(),
                    "msis95": fin["msis95"].mean(), "cpu": 1e3 * part["cpu"].median(), "series": len(part)}
    return out


def evaluate(shared, mdir, bdir, limit):
    res = {}
    for name in ("m1", "tourism"):
        meta, series = load(shared, name)
        meta = limited(meta, limit)
        test = series[(series.split == "test") & series.unique_id.isin(set(meta.unique_id))].copy()
        test = test.set_index("unique_id").loc[meta.unique_id].reset_index()
        test["h"] = test.groupby("unique_id", sort=False).cumcount() + 1
        index = pd.MultiIndex.from_frame(test[["unique_id", "h"]])
        ids = meta.unique_id.to_numpy()
        freq = meta.set_index("unique_id")["frequency"]
        train = series[series.split == "train"]
        tr = train.groupby("unique_id", sort=False)["y"].apply(lambda v: v.to_numpy(float))
        scale = pd.Series({u: mase_scale(tr[u], int(freq[u])) for u in ids})
        vals, cpu, routed = read_members(mdir, name, index)
        steps = test.groupby("unique_id", sort=False).size().reindex(ids).to_numpy()
        y, sid = test["y"].to_numpy(float), test["unique_id"].to_numpy()
        rout = np.isin(sid, list(routed))
        base = combine(vals, ABC, "median", None)  # A: the fallback of the backtest-based candidates
        # `auto` is C since 2026-12-04 (models/auto.c): its forecasts against C computed offline
        auto_offline = combine(vals, FIVE, "median", None)
        check = np.nanmax(np.abs(np.where(rout[:, None], 0, auto_offline - vals["auto"])) /
                          np.maximum(1.0, np.abs(vals["auto"])))
        print(f"default_eval.py: {name}: offline median(ets,arima,theta,damped,dotm) vs the auto member: largest relative "
              f"difference {check:.2e} ({len(routed)} series routed to TSB)", file=sys.stderr)
        inv_cache = {}
        for letter, label, kind, members in CANDIDATES:
            inv = None
            if kind in ("weighted", "select"):
                if members not in inv_cache:
                    inv_cache[members] = backtest_weights(bdir, name, ids, members)
                inv = inv_cache[members]
            fc = combine_rows(vals, members, kind, steps, inv, base)
            fc[rout] = vals["tsb"][rout]
            c = sum(cpu[m] for m in members)
            if kind in ("weighted", "select"):
                c = c + 3 * sum(cpu[m] for m in members)
            c[list(routed)] = cpu["auto"][list(routed)]
            res[(name, letter)] = summary(scores(fc, y, sid, scale, c), freq)
        res[(name, "verify")] = check
    return res


def combine_rows(vals, members, kind, steps, inv, base):
    """combine() with per-series weights expanded to the series' own number of test steps."""
    if kind in ("median", "mean"):
        return combine(vals, members, kind, None)
    wr = np.repeat(inv, steps, axis=0)
    return combine(vals, members, kind, 1, wr, base)


def mase_scale(y, m):
    y = np.asarray(y, float)
    if len(y) <= m:
        m = 1
    d = np.abs(y[m:] - y[:-m])
    return d.mean() if len(d) else np.nan


def decide(res):
    """The rule: eligible, affordable, S; returns rows and the chosen letter (A if none)."""
    rows, best = [], None
    a = {n: res[(n, "A")]["all"] for n in ("m1", "tourism")}
    a_cpu = res[("m1", "A")]["monthly"]["cpu"]
    for letter, label, kind, members in CANDIDATES:
        r = {n: res[(n, letter)]["all"] for n in ("m1", "tourism")}
        ratios = [r[n][k] / a[n][k] for n in ("m1", "tourism") for k in ("smape", "mase")]
        S = float(np.mean(ratios))
        eligible = letter != "A" and all(x < 1 for x in ratios) and all(
            r[n]["msis95"] <= MSIS_TOL * a[n]["msis95"] for n in ("m1", "tourism"))
        cpu = res[("m1", letter)]["monthly"]["cpu"]
        affordable = cpu <= CPU_TOL * a_cpu
        rows.append((letter, label, r, S, eligible, affordable, cpu))
        if eligible and affordable:
            if best is None or S < best[1] - TIE or (abs(S - best[1]) <= TIE and cpu < best[2]):
                best = (letter, S, cpu)
    return rows, best[0] if best else "A"


def cmd_table(args):
    res = evaluate(args.shared, args.members, args.bt, args.limit)
    rows, chosen = decide(res)
    n_series = {n: res[(n, "A")]["all"]["series"] for n in ("m1", "tourism")}
    lines = ["# Choosing the default on M1 and tourism (issue 13 item 4)", "",
             f"Series: M1 {n_series['m1']}, tourism {n_series['tourism']}"
             + (f" (CIV_BENCH_LIMIT={args.limit}: the first {args.limit} of each frequency; NOT the full table)"
                if args.limit else " (all)") + ". Rule: docs/FORECASTING.md.", "",
             "| | candidate | M1 sMAPE | M1 MASE | tourism sMAPE | tourism MASE | S | MSIS-95 M1 / tourism | "
             "cover 80 M1 / tourism | cover 95 M1 / tourism | CPU ms M1 monthly (median) | eligible | affordable |",
             "|---|---|---:|---:|---:|---:|---:|---|---|---|---:|---|---|"]
    for letter, label, r, S, el, af, cpu in rows:
        m, t = r["m1"], r["tourism"]
        mark = "**" if letter == chosen else ""
        lines.append(f"| {mark}{letter}{mark} | {label} | {m['smape']:.3f} | {m['mase']:.4f} | {t['smape']:.3f} | "
                     f"{t['mase']:.4f} | {S:.4f} | {m['msis95']:.2f} / {t['msis95']:.2f} | "
                     f"{m['cov80']:.1f} / {t['cov80']:.1f} | {m['cov95']:.1f} / {t['cov95']:.1f} | {cpu:.1f} | "
                     f"{'yes' if el else 'no'} | {'yes' if af else 'no'} |")
    lines += ["", f"Chosen: **{chosen}**" + (" (no candidate is both eligible and affordable: A stays)"
                                             if chosen == "A" else ""), "",
              "Per frequency:", "",
              "| data | frequency | series | | sMAPE | MASE | cover 80 | cover 95 | MSIS-95 | CPU ms (median) |",
              "|---|---|---:|---|---:|---:|---:|---:|---:|---:|"]
    for n in ("m1", "tourism"):
        for fq in ("yearly", "quarterly", "monthly"):
            for c in CANDIDATES:
                x = res[(n, c[0])][fq]
                lines.append(f"| {n} | {fq} | {x['series']} | {c[0]} | {x['smape']:.2f} | {x['mase']:.3f} | "
                             f"{x['cov80']:.1f} | {x['cov95']:.1f} | {x['msis95']:.2f} | {x['cpu']:.1f} |")
    lines += ["", "Check: the offline median of ets, arima, theta, damped and dotm (C) against the `auto` member forecast by "
              f"civicast: largest relative difference M1 {res[('m1', 'verify')]:.1e}, tourism "
              f"{res[('tourism', 'verify')]:.1e}."]
    md = "\n".join(lines) + "\n"
    with open(args.md, "w") as f:
        f.write(md)
    sys.stderr.write(md)
    r = {row[0]: row for row in rows}[chosen]
    print(f"| default auto: candidate {chosen} ({r[1]}) on M1 + tourism | - | - | - | - | - | - | "
          f"S = {r[3]:.4f} vs A, auto until 2026-12-04; table in bench/out/default.md |")


# ---- the chosen combination as implemented (spec run by civicast, not combined offline) -------
SPEC_C = "combo(median,ets,arima,theta,damped,dotm)"


def cmd_original(args):
    """The first A (today's `auto` before item 5: the median of R's default `ets`, `arima` and
    `theta`, no member search shortened) as OUT_DIR/<data>_auto.csv, the reference of the rule's
    accuracy clause for `specs`: the three members forecast by bench_forecast_m1 (one thread,
    one series per call) and combined offline by combination.c's rule (the median of three;
    CPU the sum). No M1 or tourism series is routed to TSB by `auto` (`specs` prints the count),
    so the routing is not applied here."""
    os.makedirs(args.out, exist_ok=True)
    exact = {"ets_exact": "ets", "arima_exact": "arima", "theta_exact": "theta"}
    for name in ("m1", "tourism"):
        cmd = [args.exe, os.path.join(args.shared, name), os.path.join(args.out, f"scores_exact_{name}.csv"),
               "--methods", ";".join(f"{k}={v}" for k, v in exact.items()), "--no-scaling", "--forecasts", args.out]
        if subprocess.run(cmd).returncode:
            sys.exit(f"default_eval.py: {' '.join(cmd)} failed")
        parts = [pd.read_csv(os.path.join(args.out, f"{name}_{m}.csv"), dtype={"unique_id": str}, na_values=["NA"])
                 for m in exact]
        base = parts[0][["unique_id", "h", "y"]].copy()
        for p in parts[1:]:
            if not (p["unique_id"].equals(base["unique_id"]) and p["h"].equals(base["h"])):
                sys.exit("default_eval.py: the exact members' rows are not aligned")
        stack = np.stack([p[COLS].to_numpy(float) for p in parts])
        out = base.copy()
        out[COLS] = np.nanmedian(stack, axis=0)
        out["cpu_s"] = sum(p["cpu_s"].to_numpy(float) for p in parts)
        out["model"] = "ComboMedian"
        out.to_csv(os.path.join(args.out, f"{name}_auto.csv"), index=False, na_rep="NA")


def cmd_specs(args):
    """A (`combo(median)`, the smooth route of `auto` until 2026-12-04) and C as implemented
    (SPEC_C, `auto`'s smooth route since) forecast in one run by bench_forecast_m1, scored and
    judged by the rule against the ORIGINAL A (the first decision's A, `original`).  `auto`
    routes no M1 or tourism series to TSB, so the combinations are compared on every series
    (a series whose A is not a combination would take A's rows in C)."""
    if args.exe:
        os.makedirs(args.out, exist_ok=True)
        for name in ("m1", "tourism"):
            cmd = [args.exe, os.path.join(args.shared, name), os.path.join(args.out, f"scores_{name}.csv"),
                   "--methods", f"A=combo(median);C={SPEC_C}", "--no-scaling", "--forecasts", args.out]
            if subprocess.run(cmd).returncode:
                sys.exit(f"default_eval.py: {' '.join(cmd)} failed")
    res = {}
    for name in ("m1", "tourism"):
        meta, series = load(args.shared, name)
        test = series[series.split == "test"].copy()
        test = test.set_index("unique_id").loc[meta.unique_id].reset_index()
        test["h"] = test.groupby("unique_id", sort=False).cumcount() + 1
        index = pd.MultiIndex.from_frame(test[["unique_id", "h"]])
        freq = meta.set_index("unique_id")["frequency"]
        tr = series[series.split == "train"].groupby("unique_id", sort=False)["y"].apply(lambda v: v.to_numpy(float))
        scale = pd.Series({u: mase_scale(tr[u], int(freq[u])) for u in meta.unique_id})
        y, sid = test["y"].to_numpy(float), test["unique_id"].to_numpy()
        files = {"A0": os.path.join(args.original, f"{name}_auto.csv"),
                 "A": os.path.join(args.out, f"{name}_A.csv"), "C": os.path.join(args.out, f"{name}_C.csv")}
        got = {}
        for k, path in files.items():
            d = pd.read_csv(path, dtype={"unique_id": str}, na_values=["NA"]).set_index(["unique_id", "h"])
            d = d.reindex(index)
            got[k] = (d[COLS].to_numpy(float), d["cpu_s"].groupby(level=0, sort=False).first(),
                      d["model"].groupby(level=0, sort=False).first().astype(str))
        routed = ~got["A"][2].str.startswith("Combo")
        rows = np.isin(sid, list(routed[routed].index))
        fc_c, cpu_c, _ = got["C"]
        fc_c = fc_c.copy()
        fc_c[rows] = got["A"][0][rows]
        cpu_c = cpu_c.where(~routed, got["A"][1])
        got["C"] = (fc_c, cpu_c, got["C"][2])
        for k in ("A0", "A", "C"):
            res[(name, k)] = summary(scores(got[k][0], y, sid, scale, got[k][1]), freq)
        res[(name, "routed")] = int(routed.sum())
    a0 = {n: res[(n, "A0")]["all"] for n in ("m1", "tourism")}
    c = {n: res[(n, "C")]["all"] for n in ("m1", "tourism")}
    ratios = [c[n][k] / a0[n][k] for n in ("m1", "tourism") for k in ("smape", "mase")]
    eligible = all(x < 1 for x in ratios) and all(c[n]["msis95"] <= MSIS_TOL * a0[n]["msis95"] for n in a0)
    cpu_ratio = res[("m1", "C")]["monthly"]["cpu"] / res[("m1", "A")]["monthly"]["cpu"]
    affordable = cpu_ratio <= CPU_TOL
    lines = ["| | M1 sMAPE | M1 MASE | tourism sMAPE | tourism MASE | MSIS-95 M1 / tourism | cover 80 M1 / tourism "
             "| cover 95 M1 / tourism | CPU ms M1 monthly (median) |", "|---|---:|---:|---:|---:|---|---|---|---:|"]
    label = {"A0": "first A (exact members, `default_eval.py original`)",
             "A": "A = `combo(median)`, `auto` until 2026-12-04",
             "C": f"C = `{SPEC_C}`, shared ETS search"}
    for k in ("A0", "A", "C"):
        m, t = res[("m1", k)]["all"], res[("tourism", k)]["all"]
        cpu = "(other run)" if k == "A0" else f"{res[('m1', k)]['monthly']['cpu']:.1f}"
        lines.append(f"| {label[k]} | {m['smape']:.3f} | {m['mase']:.4f} | {t['smape']:.3f} | {t['mase']:.4f} | "
                     f"{m['msis95']:.2f} / {t['msis95']:.2f} | {m['cov80']:.1f} / {t['cov80']:.1f} | "
                     f"{m['cov95']:.1f} / {t['cov95']:.1f} | {cpu} |")
    lines += ["", f"C / first A: sMAPE M1 {ratios[0]:.4f}, MASE M1 {ratios[1]:.4f}, sMAPE tourism {ratios[2]:.4f}, "
              f"MASE tourism {ratios[3]:.4f}; MSIS-95 M1 {c['m1']['msis95'] / a0['m1']['msis95']:.4f}, tourism "
              f"{c['tourism']['msis95'] / a0['tourism']['msis95']:.4f}: eligible {'yes' if eligible else 'no'}",
              f"CPU C / A (same run, M1 monthly median): {cpu_ratio:.3f}: affordable {'yes' if affordable else 'no'}",
              f"Routed to TSB (A's rows in C): M1 {res[('m1', 'routed')]}, tourism {res[('tourism', 'routed')]}",
              "", "| data | frequency | series | | sMAPE | MASE | cover 80 | cover 95 | MSIS-95 | CPU ms (median) |",
              "|---|---|---:|---|---:|---:|---:|---:|---:|---:|"]
    for n in ("m1", "tourism"):
        for fq in ("yearly", "quarterly", "monthly"):
            for k in ("A", "C"):
                x = res[(n, k)][fq]
                lines.append(f"| {n} | {fq} | {x['series']} | {k} | {x['smape']:.2f} | {x['mase']:.3f} | "
                             f"{x['cov80']:.1f} | {x['cov95']:.1f} | {x['msis95']:.2f} | {x['cpu']:.1f} |")
    md = "\n".join(lines) + "\n"
    with open(args.md, "w") as f:
        f.write(md)
    print(md)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("members")
    p.add_argument("exe"), p.add_argument("shared"), p.add_argument("out")
    p.add_argument("--limit", type=int, default=0)
    p = sub.add_parser("backtest")
    p.add_argument("civicast"), p.add_argument("shared"), p.add_argument("out")
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p = sub.add_parser("table")
    p.add_argument("shared"), p.add_argument("members"), p.add_argument("bt"), p.add_argument("md")
    p.add_argument("--limit", type=int, default=0)
    p = sub.add_parser("original")
    p.add_argument("exe"), p.add_argument("shared"), p.add_argument("out")
    p = sub.add_parser("specs")
    p.add_argument("shared"), p.add_argument("original"), p.add_argument("out"), p.add_argument("md")
    p.add_argument("--exe", default="", help="bench_forecast_m1: forecast A and C first (else reuse OUT's files)")
    args = ap.parse_args()
    {"members": cmd_members, "backtest": cmd_backtest, "table": cmd_table, "original": cmd_original,
     "specs": cmd_specs}[args.cmd](args)


if __name__ == "__main__":
    main()
