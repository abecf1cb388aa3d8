#!/usr/bin/env bash
# forecast.bench.sh -- civicast vs R's forecast package on the M1 competition
# data: automatic ETS (civicast "ets" vs R ets()), automatic ARIMA ("arima" vs
# auto.arima()), the Theta method ("theta" vs thetaf()) and civicast's
# combinations of the three ("combo", "combo(median)"), one thread each, fit +
# forecast with 80/95% intervals; CPU seconds per series (median and total),
# sMAPE and MASE by period, the auto-ARIMA speed ratio, the decision rule for
# --model auto; and civicast on 2 threads vs 1 (bit-for-bit check).
# Prints Markdown rows for bench/run.sh on stdout and writes the detailed
# table to bench/out/forecast_m1.md (also shown on stderr).
#
# usage: bash forecast.bench.sh BUILD_DIR
# environment:
#   CIV_M1_DIR       the M1 data (default ../shared/data/m1 from the project root)
#   CIV_BENCH_LIMIT  only the first N series of each period, on both sides (quick runs)
#   CIV_BENCH_R=0    skip R (reuse bench/out/r_m1*.csv: per R method, the file with the most series)
#   CIV_BENCH_R_METHODS  R methods to run (default ets,theta,arima; auto.arima takes about an hour)
#   CIV_BENCH_R_PERIODS  M1 periods R runs (default all; MONTHLY is what the default's speed table needs)
#   CIV_BENCH_R_LIMIT    only the first N series of each period on R's side (default: as CIV_BENCH_LIMIT)
#   CIV_BENCH_REPEAT timed runs per series in the auto vs auto(fast) part (default 3; minimum CPU kept)
#   CIV_BENCH_DEMO_R communities of the demo city R forecasts for the default's speed table
#                    (default 30; R's three take about 5 CPU s per community; 0 skips R there)
set -euo pipefail
build=${1:?usage: forecast.bench.sh BUILD_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
m1=${CIV_M1_DIR:-$root/../shared/data/m1}
out=$here/out
mkdir -p "$out"
exe=$build/bench/bench_forecast_m1
[ -x "$exe" ] || { echo "forecast.bench.sh: $exe is missing; build the release first" >&2; exit 1; }
if [ ! -s "$m1/m1_meta.csv" ] || [ ! -s "$m1/m1_series.csv" ]; then
  echo "forecast.bench.sh: M1 data not found in $m1 (m1_meta.csv, m1_series.csv): M1 benchmark skipped" >&2
  echo "| M1 forecasting (ETS, ARIMA, Theta, Combo) | - | R forecast | - | - | - | - | skipped: M1 data absent ($m1) |"
  exit 0
fi
limit_args=()
note_limit=""
r_methods=${CIV_BENCH_R_METHODS:-ets,theta,arima}
if [ -n "${CIV_BENCH_LIMIT:-}" ]; then
  limit_args=(--limit "$CIV_BENCH_LIMIT")
  note_limit=" (first $CIV_BENCH_LIMIT series per period)"
fi

echo "forecast.bench.sh: civicast on M1$note_limit" >&2
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$exe" "$m1" "$out/civicast_m1.csv" --methods "ets=ets,arima=arima,theta=theta,combo=combo,combo_median=combo(median),auto=auto" \
  "${limit_args[@]}" >"$out/civicast_m1_scaling.txt"
cat "$out/civicast_m1_scaling.txt" >&2

if [ "${CIV_BENCH_R:-1}" != 0 ]; then
  if command -v Rscript >/dev/null && Rscript -e 'quit(status = !requireNamespace("forecast", quietly = TRUE))' 2>/dev/null; then
    echo "forecast.bench.sh: R forecast on M1$note_limit ($r_methods; auto.arima alone takes about an hour)" >&2
    r_limit=()
    [ -n "${CIV_BENCH_LIMIT:-}" ] && r_limit=(--limit "$CIV_BENCH_LIMIT")
    [ -n "${CIV_BENCH_R_LIMIT:-}" ] && r_limit=(--limit "$CIV_BENCH_R_LIMIT")
    [ -n "${CIV_BENCH_R_PERIODS:-}" ] && r_limit+=(--periods "$CIV_BENCH_R_PERIODS")
    (cd "$root" && Rscript bench/r_bench.R "$out/r_m1.csv" --methods "$r_methods" --shared "$(dirname "$(dirname "$m1")")" \
      "${r_limit[@]}") >&2
  else
    echo "forecast.bench.sh: R with the forecast package not found: civicast figures only" >&2
  fi
fi

/usr/bin/python3 - "$out/civicast_m1.csv" "$out" "$out/civicast_m1_scaling.txt" "$out/forecast_m1.md" \
  "$note_limit" <<'EOF'
import glob, os, sys, time
import pandas as pd

civ_path, out_dir, scaling_path, md_path, note_limit = sys.argv[1:6]
civ = pd.read_csv(civ_path)
civ["who"] = "civicast"
methods = ["ets", "arima", "theta", "combo", "combo_median"]
r_methods = ["ets", "arima", "theta"]
# R's figures: for each method, the r_m1*.csv file in bench/out with the most
# series for it (r_m1.csv first on ties; an interrupted run leaves a partial
# file, and auto.arima's hour-long run is often kept apart in r_m1_arima.csv)
r_frames, r_sources = [], []
main_r = os.path.join(out_dir, "r_m1.csv")
cands = [main_r] + sorted(set(glob.glob(os.path.join(out_dir, "r_m1*.csv"))) - {main_r})
loaded = {f: pd.read_csv(f, na_values=["NA"]) for f in cands if os.path.exists(f)}
for m in r_methods:
    best = max(loaded, key=lambda f: loaded[f][loaded[f].method == m].unique_id.nunique(), default=None)
    if best is None or not (loaded[best].method == m).any():
        continue
    x = loaded[best][loaded[best].method == m].copy()
    r_frames.append(x)
    r_sources.append(f"R {m}: {os.path.basename(best)} ({x.unique_id.nunique()} series, written "
                     f"{time.strftime('%Y-%m-%d %H:%M', time.localtime(os.path.getmtime(best)))})")
frames = [civ]
have_r = bool(r_frames)
if have_r:
    r = pd.concat(r_frames)
    r["who"] = "R"
    # compare on the same series: those civicast and every R method ran (either may have been limited)
    common = set.intersection(set(civ.unique_id), *(set(f.unique_id) for f in r_frames))
    civ = civ[civ.unique_id.isin(common)]
    r = r[r.unique_id.isin(common)]
    frames = [civ, r]
d = pd.concat(frames)
periods = ["YEARLY", "QUARTERLY", "MONTHLY", "ALL"]
label = {"ets": "auto ETS", "arima": "auto ARIMA", "theta": "Theta", "combo": "Combo (mean)",
         "combo_median": "Combo (median)"}
peer = {"ets": "R forecast::ets", "arima": "R forecast::auto.arima", "theta": "R forecast::thetaf"}

lines = ["# M1: civicast vs R forecast" + note_limit, "",
         "One thread each; fit + forecast with 80/95% intervals; seconds per series are process CPU seconds",
         "on both sides (r_bench.R --clock cpu). sMAPE and MASE are means over the series that did not fail",
         "(MASE: finite values). Combo = mean (median) of civicast's auto ETS, auto ARIMA and Theta.", ""]
lines += ["Sources: " + "; ".join(r_sources), ""] if have_r else ["R figures: none found", ""]
lines += ["| method | who | period | series | failed | median s/series | total s | sMAPE | MASE |",
          "|---|---|---|---:|---:|---:|---:|---:|---:|"]
summary = {}
for m in methods:
    for who in ["civicast", "R"]:
        for p in periods:
            x = d[(d.method == m) & (d.who == who) & ((d.period == p) | (p == "ALL"))]
            if x.empty:
                continue
            ok = x.dropna(subset=["smape"])
            mase = ok.mase[ok.mase.apply(lambda v: v == v and abs(v) != float("inf"))]
            row = dict(n=len(x), failed=len(x) - len(ok), med=x.seconds.median(), tot=x.seconds.sum(),
                       smape=ok.smape.mean(), mase=mase.mean())
            summary[(m, who, p)] = row
            lines.append(f"| {label[m]} | {who} | {p} | {row['n']} | {row['failed']} | {row['med']*1e3:.2f} ms | "
                         f"{row['tot']:.2f} | {row['smape']:.3f} | {row['mase']:.3f} |")

# auto-ARIMA speed against R (issue 5 target: at least 10x)
if ("arima", "R", "ALL") in summary and ("arima", "civicast", "ALL") in summary:
    lines += ["", "auto-ARIMA speed (R / civicast, CPU seconds):", ""]
    for p in periods:
        c, rr = summary.get(("arima", "civicast", p)), summary.get(("arima", "R", p))
        if c and rr:
            lines.append(f"* {p}: total {rr['tot']:.2f} s vs {c['tot']:.2f} s = **{rr['tot'] / c['tot']:.1f}x**; "
                         f"median per series {rr['med']*1e3:.2f} ms vs {c['med']*1e3:.2f} ms "
                         f"= {rr['med'] / c['med']:.1f}x; sMAPE {c['smape']:.3f} vs R {rr['smape']:.3f}")

# The decision rule of issue 5: a combination becomes --model auto iff it is
# more accurate than each component on M1, by overall sMAPE AND overall MASE.
comps = [m for m in ["ets", "arima", "theta"] if (m, "civicast", "ALL") in summary]
if comps:
    lines += ["", "Decision rule (--model auto): a combination replaces auto ETS only if its overall sMAPE and its "
                  "overall MASE are both lower than those of each of civicast's auto ETS, auto ARIMA and Theta.", ""]
    for cm in ["combo", "combo_median"]:
        c = summary.get((cm, "civicast", "ALL"))
        if not c:
            continue
        beats = [(m, c["smape"] < summary[(m, "civicast", "ALL")]["smape"],
                  c["mase"] < summary[(m, "civicast", "ALL")]["mase"]) for m in comps]
        verdict = "wins" if all(a and b for _, a, b in beats) else "does not win"
        lines.append(f"* {label[cm]}: sMAPE {c['smape']:.3f}, MASE {c['mase']:.3f}: {verdict} ("
                     + ", ".join(f"vs {label[m]} sMAPE {'<' if a else '>='} {summary[(m, 'civicast', 'ALL')]['smape']:.3f}"
                                 f" MASE {'<' if b else '>='} {summary[(m, 'civicast', 'ALL')]['mase']:.3f}"
                                 for m, a, b in beats) + ")")
scal = {}
if os.path.exists(scaling_path):
    for line in open(scaling_path):
        if line.startswith("scaling "):
            f = dict(kv.split("=") for kv in line.split()[1:])
            scal[f["method"]] = f
load = open("/proc/loadavg").read().split()[0] if os.path.exists("/proc/loadavg") else "?"
if scal:
    lines += ["", f"Threads (wall-clock and process CPU seconds; load average {load} on {os.cpu_count()} cores):", "",
              "| method | series | 1 thread (s) | 2 threads (s) | speed-up | CPU 1 thread (s) | CPU 2 threads (s) | outputs identical |",
              "|---|---:|---:|---:|---:|---:|---:|---|"]
for m, f in scal.items():
    t1, t2 = float(f["t1"]), float(f["t2"])
    lines.append(f"| {label.get(m, m)} | {f['series']} | {t1:.2f} | {t2:.2f} | {t1 / t2:.2f}x | "
                 f"{float(f['cpu1']):.2f} | {float(f['cpu2']):.2f} | {f['identical']} |")
open(md_path, "w").write("\n".join(lines) + "\n")
sys.stderr.write("\n".join(lines) + "\n")

# rows for bench/run.sh: | benchmark | civicast (s) | peer | peer (s) | speed-up | RSS | RSS | notes |
for m in methods:
    c = summary.get((m, "civicast", "ALL"))
    if not c:
        continue
    rr = summary.get((m, "R", "ALL"))
    acc = "; ".join(
        f"{p[0]} sMAPE {summary[(m, 'civicast', p)]['smape']:.2f}"
        + (f" vs {summary[(m, 'R', p)]['smape']:.2f}" if (m, "R", p) in summary else "")
        + f", MASE {summary[(m, 'civicast', p)]['mase']:.3f}"
        + (f" vs {summary[(m, 'R', p)]['mase']:.3f}" if (m, "R", p) in summary else "")
        for p in periods if (m, "civicast", p) in summary)
    med = f"median {c['med']*1e3:.2f} ms/series" + (f" vs {rr['med']*1e3:.2f} ms" if rr else "")
    fails = f"failed {c['failed']}" + (f" vs {rr['failed']}" if rr else "")
    if rr:
        print(f"| M1 {label[m]}, {c['n']} series, 1 thread, CPU s{note_limit} | {c['tot']:.2f} | {peer[m]} | "
              f"{rr['tot']:.2f} | {rr['tot'] / c['tot']:.1f}x | - | - | {med}; {acc}; {fails} |")
    else:
        print(f"| M1 {label[m]}, {c['n']} series, 1 thread, CPU s{note_limit} | {c['tot']:.2f} | - | - | - | - | - | "
              f"{med}; {acc}; {fails} |")
for m, f in scal.items():
    t1, t2 = float(f["t1"]), float(f["t2"])
    print(f"| M1 {label.get(m, m)}, {f['series']} series, 2 threads{note_limit} | {t2:.2f} | civicast 1 thread | "
          f"{t1:.2f} | {t1 / t2:.2f}x | - | - | outputs bit-identical: {f['identical']}; CPU s {float(f['cpu1']):.2f} vs "
          f"{float(f['cpu2']):.2f}; load average {load} on {os.cpu_count()} cores |")
EOF

# The default's speed (issue 13 item 5): auto (its ARIMA member runs R's exact-ML
# search) vs auto(fast) (the CSS search) on M1, tourism and the demo city's 2025
# holdout; median CPU per series and the accuracy rule (bench/auto_speed.py,
# bench/out/auto_speed.md).
echo "forecast.bench.sh: auto vs auto(fast) on M1, tourism, demo city$note_limit" >&2
/usr/bin/python3 "$here/auto_speed.py" prepare "$root" "$m1" "$out/auto_speed_data"
speed_csvs=()
for set in m1 tourism demo_city; do
  dir=$out/auto_speed_data/$set
  [ "$set" = m1 ] && dir=$m1
  if [ ! -s "$dir/m1_meta.csv" ]; then
    echo "forecast.bench.sh: $set data not found in $dir: skipped" >&2
    continue
  fi
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$exe" "$dir" "$out/$set.csv" --methods "auto=auto,auto_fast=auto(fast)" --repeat "${CIV_BENCH_REPEAT:-3}" \
    --no-scaling "${limit_args[@]}" >&2
  speed_csvs+=("$out/$set.csv")
done
[ ${#speed_csvs[@]} -gt 0 ] && /usr/bin/python3 "$here/auto_speed.py" table "$out/auto_speed.md" "${speed_csvs[@]}"

# The default's speed against R (issue 13 item 5): auto's median CPU per series on M1
# monthly (R's three members from the run above) and on the demo city (R's three members on
# its first CIV_BENCH_DEMO_R communities, run here), bench/out/default_speed.md.
demo_n=${CIV_BENCH_DEMO_R:-30}
if [ "$demo_n" != 0 ] && [ "${CIV_BENCH_R:-1}" != 0 ] && [ -s "$out/auto_speed_data/demo_city/m1_meta.csv" ] &&
  command -v Rscript >/dev/null && Rscript -e 'quit(status = !requireNamespace("forecast", quietly = TRUE))' 2>/dev/null; then
  # r_bench.R reads SHARED/data/m1/m1_{meta,series}.csv: point it at the demo city's files
  mkdir -p "$out/auto_speed_data/demo_r/data/m1"
  for kind in meta series; do
    ln -sf "$out/auto_speed_data/demo_city/m1_$kind.csv" "$out/auto_speed_data/demo_r/data/m1/m1_$kind.csv"
  done
  echo "forecast.bench.sh: R ets, auto.arima, thetaf on the demo city's first $demo_n communities" >&2
  (cd "$root" && Rscript bench/r_bench.R "$out/r_demo.csv" --methods ets,theta,arima --shared "$out/auto_speed_data/demo_r" \
    --limit "$demo_n") >&2
fi
/usr/bin/python3 "$here/auto_speed.py" speed "$out/default_speed.md" "$out/civicast_m1.csv" "$out/r_m1.csv" \
  "$out/demo_city.csv" "$out/r_demo.csv"
