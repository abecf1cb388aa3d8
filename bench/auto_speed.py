#!/usr/bin/env python3
"""auto_speed.py -- the speed and accuracy of the default (`auto`, whose ARIMA member runs
R's exact-ML stepwise search) against `auto(fast)` (the same median combination whose ARIMA
member searches by CSS, arima(approx)), on M1, tourism and the demo city (bench/forecast.bench.sh
calls it; issue 13 item 5).

usage:
  auto_speed.py prepare ROOT M1_DIR OUT_DIR
                                       writes OUT_DIR/{tourism,demo_city}/m1_{meta,series}.csv
                                       (tourism: links to M1_DIR/../tourism; demo city:
                                       meals.csv up to 2024-12 as train, holdout_2025.csv as test)
  auto_speed.py speed OUT.md CIV_M1.csv R_M1.csv CIV_DEMO.csv R_DEMO.csv
                                       the default's CPU against R (issue 13 item 5): median
                                       process-CPU ms per series of civicast's auto (method
                                       "auto" in the civicast files) and of R's ets() +
                                       auto.arima() + thetaf() (the sum per series, the three
                                       members R would need) on M1 monthly and on the demo city,
                                       over the series both sides ran; writes OUT.md, prints
                                       rows for bench/run.sh
  auto_speed.py table OUT.md CSV...    reads bench_forecast_m1 outputs (methods auto and
                                       auto_fast; the file name's stem names the data set),
                                       writes the table and the rule's verdict to OUT.md and prints
                                       rows for bench/run.sh

Rule (stated before the figures, docs/FORECASTING.md): the fast member may become the default only
if, on M1 and on tourism separately, auto(fast)'s mean sMAPE and mean MASE are each no more than 0.5%
(relative) above those of auto on the same series.  CPU: median process-CPU seconds per series.
"""
import glob, os, sys
import pandas as pd

TOL = 0.005


def prepare(root, m1, out):
    shared = os.path.dirname(os.path.abspath(m1))
    tdir = os.path.join(out, "tourism")
    os.makedirs(tdir, exist_ok=True)
    for kind in ("meta", "series"):
        src = os.path.join(shared, "tourism", f"tourism_{kind}.csv")
        dst = os.path.join(tdir, f"m1_{kind}.csv")
        if os.path.exists(src) and not os.path.exists(dst):
            os.symlink(src, dst)
    ddir = os.path.join(out, "demo_city")
    os.makedirs(ddir, exist_ok=True)
    d = pd.read_csv(os.path.join(root, "datasets", "demo_city", "meals.csv"))
    h = pd.read_csv(os.path.join(root, "datasets", "demo_city", "holdout_2025.csv"))
    d = d[d.ds < "2025-01"].sort_values(["unique_id", "ds"])
    d = d[d.y.notna().groupby(d.unique_id).cumsum() > 0]  # from the first observed month
    h = h[h.unique_id.isin(d.unique_id)].sort_values(["unique_id", "ds"])
    d, h = d.assign(split="train"), h.assign(split="test")
    a = pd.concat([d, h])[["unique_id", "ds", "y", "split"]].sort_values(["unique_id", "ds"])
    a["t"] = a.groupby("unique_id").cumcount() + 1
    meta = a.groupby("unique_id").split.agg(n=lambda s: (s == "train").sum(), h=lambda s: (s == "test").sum())
    meta = meta.reset_index().assign(period="MONTHLY", frequency=12)
    meta = meta[(meta.n >= 12) & (meta.h > 0)]
    meta[["unique_id", "period", "frequency", "n", "h"]].to_csv(os.path.join(ddir, "m1_meta.csv"), index=False)
    a[a.unique_id.isin(meta.unique_id)][["unique_id", "split", "t", "y"]].to_csv(
        os.path.join(ddir, "m1_series.csv"), index=False)


def table(md, paths):
    lines = ["# The default's speed: auto vs auto(fast)", "",
             f"Rule: auto(fast) may become the default only if, on M1 and on tourism, its mean sMAPE and MASE "
             f"are each at most {TOL:.1%} (relative) above auto's on the same series. One thread; CPU = median "
             "process-CPU ms per series.", "",
             "| data | period | series | auto CPU ms | auto(fast) CPU ms | auto sMAPE | fast sMAPE | auto MASE | "
             "fast MASE | verdict |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    rows = []
    for p in paths:
        name = os.path.splitext(os.path.basename(p))[0]
        d = pd.read_csv(p, na_values=["NA"])
        d = d[d.method.isin(["auto", "auto_fast"])]
        ids = set(d[d.method == "auto"].unique_id) & set(d[d.method == "auto_fast"].unique_id)
        d = d[d.unique_id.isin(ids)]
        for per in sorted(d.period.unique()) + ["ALL"]:
            x = d if per == "ALL" else d[d.period == per]
            if per != "ALL" and d.period.nunique() == 1:
                continue  # one period: the ALL row says it
            f = {m: x[x.method == m] for m in ("auto", "auto_fast")}
            fin = {m: v[v.mase.abs() < float("inf")] for m, v in f.items()}
            s = {m: v.smape.mean() for m, v in f.items()}
            q = {m: v.mase.mean() for m, v in fin.items()}
            cpu = {m: v.seconds.median() * 1e3 for m, v in f.items()}
            ok = s["auto_fast"] <= s["auto"] * (1 + TOL) and q["auto_fast"] <= q["auto"] * (1 + TOL)
            verdict = ("holds" if ok else "FAILS") if per == "ALL" and name in ("m1", "tourism") else "-"
            lines.append(f"| {name} | {per} | {len(f['auto'])} | {cpu['auto']:.1f} | {cpu['auto_fast']:.1f} | "
                         f"{s['auto']:.3f} | {s['auto_fast']:.3f} | {q['auto']:.3f} | {q['auto_fast']:.3f} | "
                         f"{verdict} |")
            if per == "ALL" or (per == "MONTHLY" and name == "m1"):
                rows.append(f"| {name} {per.lower()} auto(fast) vs auto, {len(f['auto'])} series, 1 thread, "
                            f"median CPU ms/series | {cpu['auto_fast']:.1f} | civicast auto | "
                            f"{cpu['auto']:.1f} | {cpu['auto'] / cpu['auto_fast']:.1f}x | - | - | "
                            f"sMAPE {s['auto_fast']:.3f} vs {s['auto']:.3f}, MASE {q['auto_fast']:.3f} vs "
                            f"{q['auto']:.3f}; rule for auto(fast): {verdict} |")
    open(md, "w").write("\n".join(lines) + "\n")
    sys.stderr.write("\n".join(lines) + "\n")
    print("\n".join(rows))


def load_r(path, siblings=True):
    """R's per-series rows: for each method, the file among PATH and PATH's siblings
    <stem>*.csv (e.g. r_m1_arima.csv, auto.arima's hour-long run kept apart) with the
    most series for it, as forecast.bench.sh's own summary picks them; PATH alone
    when siblings is false (R ran in this invocation: its own file, never an older run's)."""
    stem = os.path.splitext(path)[0]
    files = [path] + (sorted(set(glob.glob(stem + "*.csv")) - {path}) if siblings else [])
    # an empty file (a run that has not written its header yet) counts as none
    loaded = [pd.read_csv(f, na_values=["NA"]) for f in files if os.path.exists(f) and os.path.getsize(f) > 0]
    parts = []
    for m in ("ets", "arima", "theta"):
        best = max(loaded, key=lambda d: d[d.method == m].unique_id.nunique(), default=None)
        if best is not None:
            parts.append(best[best.method == m])
    return pd.concat(parts) if parts else pd.DataFrame(columns=["unique_id", "period", "method", "seconds"])


def speed(md, civ_m1, r_m1, civ_demo, r_demo):
    """default_speed.md: the target is judged on every series of the set (civicast's own
    run); the ratio to R on the series both sides ran (R may have run a subset: its
    first N series, which need not be typical, so both medians are shown)."""
    lines = ["# The default's speed against R (issue 13 item 5)", "",
             "Median process-CPU ms per series, one thread: civicast `auto` (fit + forecast, 80/95% intervals) vs R's "
             "`ets()` + `auto.arima()` + `thetaf()` (the three members of the same combination, the sum per series; "
             "bench/r_bench.R). The target (civicast <= 10 ms) is judged on every series of the set; the ratio to R "
             "on the series both sides ran.", "",
             "| data | series | civicast auto | target <= 10 ms | series with R | civicast auto on them "
             "| R ets + auto.arima + thetaf | R / civicast |",
             "|---|---:|---:|---|---:|---:|---:|---:|"]
    rows = []
    for name, cp, rp, per in (("M1 monthly", civ_m1, r_m1, "MONTHLY"), ("demo city", civ_demo, r_demo, None)):
        if not os.path.exists(cp):
            lines.append(f"| {name} | - | - | skipped: {cp} missing | - | - | - | - |")
            continue
        c = pd.read_csv(cp, na_values=["NA"])
        c = c[c.method == "auto"]
        if per:
            c = c[c.period == per]
        call = c.seconds.median() * 1e3
        ok = "met" if call <= 10 else "NOT met"
        r_part, r_row = "| 0 | - | - | - |", None
        if glob.glob(os.path.splitext(rp)[0] + "*.csv"):
            # R ran in this invocation (CIV_BENCH_R unset or 1): its own file only
            r = load_r(rp, siblings=os.environ.get("CIV_BENCH_R", "1") == "0")
            if per:
                r = r[r.period == per]
            rs = r[r.method.isin(["ets", "arima", "theta"])].groupby("unique_id")
            rsum = rs.seconds.sum()[rs.method.nunique() == 3]
            ids = sorted(set(c.unique_id) & set(rsum.index))
            if ids:
                cm = c[c.unique_id.isin(ids)].seconds.median() * 1e3
                rm = rsum[ids].median() * 1e3
                r_part = f"| {len(ids)} | {cm:.2f} | {rm:.1f} | {rm / cm:.0f}x |"
                r_row = (f"| {name} default (auto), {len(ids)} series with R, 1 thread, median CPU ms/series | "
                         f"{cm:.2f} | R ets+auto.arima+thetaf | {rm:.1f} | {rm / cm:.0f}x | - | - | "
                         f"all {len(c)} series: {call:.2f} ms, target <= 10 ms: {ok} |")
        rows.append(r_row or f"| {name} default (auto), {len(c)} series, 1 thread, median CPU ms/series | {call:.2f} | "
                             f"- | - | - | - | - | target <= 10 ms: {ok}; R not run |")
        lines.append(f"| {name} | {len(c)} | {call:.2f} | {ok} {r_part}")
    load = open("/proc/loadavg").read().split()[0] if os.path.exists("/proc/loadavg") else "?"
    src = ("R's files of an earlier run (CIV_BENCH_R=0: per method, the r_*.csv with the most series)"
           if os.environ.get("CIV_BENCH_R", "1") == "0" else "R's side from this run")
    lines += ["", f"Load average {load} on {os.cpu_count()} cores when written (CPU times inflate under contention); "
              f"{src}."]
    open(md, "w").write("\n".join(lines) + "\n")
    sys.stderr.write("\n".join(lines) + "\n")
    print("\n".join(rows))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "prepare":
        prepare(os.path.abspath(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 7 and sys.argv[1] == "speed":
        speed(*sys.argv[2:7])
    elif len(sys.argv) >= 4 and sys.argv[1] == "table":
        table(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(__doc__)
