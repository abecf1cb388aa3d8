#!/usr/bin/env bash
# forecast.bench.sh -- civicast vs R's forecast package on the M1 competition
# data: automatic ETS (civicast "auto" vs R ets()) and the Theta method
# (civicast "theta" vs R thetaf()), one thread each, fit + forecast with 80/95%
# intervals; seconds per series (median and total), sMAPE and MASE by period;
# and civicast on 2 threads vs 1 (with a bit-for-bit check of the outputs).
# Prints Markdown rows for bench/run.sh on stdout and writes the detailed
# table to bench/out/forecast_m1.md (also shown on stderr).
#
# usage: bash forecast.bench.sh BUILD_DIR
# environment:
#   CIV_M1_DIR       the M1 data (default ../shared/data/m1 from the project root)
#   CIV_BENCH_LIMIT  only the first N series of each period, on both sides (quick runs)
#   CIV_BENCH_R=0    skip R (reuse bench/out/r_m1.csv if it is there)
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
  echo "| M1 forecasting (ETS, Theta) | - | R forecast | - | - | - | - | skipped: M1 data absent ($m1) |"
  exit 0
fi
limit_args=()
note_limit=""
if [ -n "${CIV_BENCH_LIMIT:-}" ]; then
  limit_args=(--limit "$CIV_BENCH_LIMIT")
  note_limit=" (first $CIV_BENCH_LIMIT series per period)"
fi

echo "forecast.bench.sh: civicast on M1$note_limit" >&2
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$exe" "$m1" "$out/civicast_m1.csv" --methods ets=auto,theta=theta \
  "${limit_args[@]}" >"$out/civicast_m1_scaling.txt"
cat "$out/civicast_m1_scaling.txt" >&2

if [ "${CIV_BENCH_R:-1}" != 0 ]; then
  if command -v Rscript >/dev/null && Rscript -e 'quit(status = !requireNamespace("forecast", quietly = TRUE))' 2>/dev/null; then
    echo "forecast.bench.sh: R forecast on M1$note_limit (ets, thetaf; this takes minutes)" >&2
    r_limit=()
    [ -n "${CIV_BENCH_LIMIT:-}" ] && r_limit=(--limit "$CIV_BENCH_LIMIT")
    (cd "$root" && Rscript bench/r_bench.R "$out/r_m1.csv" --methods ets,theta --shared "$(dirname "$(dirname "$m1")")" \
      "${r_limit[@]}") >&2
  else
    echo "forecast.bench.sh: R with the forecast package not found: civicast figures only" >&2
    rm -f "$out/r_m1.csv"
  fi
fi

/usr/bin/python3 - "$out/civicast_m1.csv" "$out/r_m1.csv" "$out/civicast_m1_scaling.txt" "$out/forecast_m1.md" \
  "$note_limit" <<'EOF'
import os, sys
import pandas as pd

civ_path, r_path, scaling_path, md_path, note_limit = sys.argv[1:6]
civ = pd.read_csv(civ_path)
civ["who"] = "civicast"
frames = [civ]
have_r = os.path.exists(r_path)
if have_r:
    r = pd.read_csv(r_path, na_values=["NA"])
    r = r[r.method.isin(["ets", "theta"])].copy()
    r["who"] = "R"
    # compare on the same series: those R ran (R may have been limited)
    civ = civ[civ.unique_id.isin(r.unique_id)]
    frames = [civ, r]
d = pd.concat(frames)
periods = ["YEARLY", "QUARTERLY", "MONTHLY", "ALL"]
label = {"ets": "auto ETS", "theta": "Theta"}
peer = {"ets": "R forecast::ets", "theta": "R forecast::thetaf"}

lines = ["# M1: civicast vs R forecast" + note_limit, "",
         "One thread each; fit + forecast with 80/95% intervals; seconds per series (wall clock).",
         "sMAPE and MASE are means over the series that did not fail (MASE: finite values).", "",
         "| method | who | period | series | failed | median s/series | total s | sMAPE | MASE |",
         "|---|---|---|---:|---:|---:|---:|---:|---:|"]
summary = {}
for m in ["ets", "theta"]:
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
scal = {}
for line in open(scaling_path):
    f = dict(kv.split("=") for kv in line.split()[1:])
    scal[f["method"]] = f
load = open("/proc/loadavg").read().split()[0] if os.path.exists("/proc/loadavg") else "?"
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
for m in ["ets", "theta"]:
    c = summary.get((m, "civicast", "ALL"))
    if not c:
        continue
    rr = summary.get((m, "R", "ALL"))
    acc = "; ".join(
        f"{p[0]} sMAPE {summary[(m, 'civicast', p)]['smape']:.2f}"
        + (f" vs {summary[(m, 'R', p)]['smape']:.2f}" if (m, "R", p) in summary else "")
        + f", MASE {summary[(m, 'civicast', p)]['mase']:.3f}"
        + (f" vs {summary[(m, 'R', p)]['mase']:.3f}" if (m, "R", p) in summary else "")
        for p in periods[:3] if (m, "civicast", p) in summary)
    med = f"median {c['med']*1e3:.2f} ms/series" + (f" vs {rr['med']*1e3:.2f} ms" if rr else "")
    fails = f"failed {c['failed']}" + (f" vs {rr['failed']}" if rr else "")
    if rr:
        print(f"| M1 {label[m]}, {c['n']} series, 1 thread{note_limit} | {c['tot']:.2f} | {peer[m]} | "
              f"{rr['tot']:.2f} | {rr['tot'] / c['tot']:.1f}x | - | - | {med}; {acc}; {fails} |")
    else:
        print(f"| M1 {label[m]}, {c['n']} series, 1 thread{note_limit} | {c['tot']:.2f} | {peer[m]} | - | - | - | - | "
              f"R not run; {med}; {acc}; {fails} |")
for m, f in scal.items():
    t1, t2 = float(f["t1"]), float(f["t2"])
    print(f"| M1 {label.get(m, m)}, {f['series']} series, 2 threads{note_limit} | {t2:.2f} | civicast 1 thread | "
          f"{t1:.2f} | {t1 / t2:.2f}x | - | - | outputs bit-identical: {f['identical']}; CPU s {float(f['cpu1']):.2f} vs "
          f"{float(f['cpu2']):.2f}; load average {load} on {os.cpu_count()} cores |")
EOF
