#!/usr/bin/env bash
# default.bench.sh -- the evidence for the default `auto` (issue 13 item 4): the member models
# (auto, ets, arima, theta, damped ETS, dotm, dstm, autotheta, tsb) are forecast once on every
# test period of M1 and tourism (bench_forecast_m1 --forecasts: forecasts, 80/95% intervals,
# CPU per series), the backtested members once on the training parts (civicast backtest), and
# bench/default_eval.py computes the candidate combinations offline and applies the decision
# rule of docs/FORECASTING.md ("Choosing the default on M1 and tourism").
# Writes bench/out/default.md (the table of the docs) and prints one row for bench/run.sh.
#
# usage: bash default.bench.sh BUILD_DIR
# environment:
#   CIV_SHARED_DATA     folder holding m1/ and tourism/ (default ../shared/data from the project root);
#                       when absent the benchmark says so and is skipped
#   CIV_BENCH_LIMIT     only the first N series of each frequency (quick runs; the table then says
#                       it is not the full one). Full run: about 12 CPU minutes (one thread for the
#                       members, so that each series is timed alone; CIV_BENCH_THREADS for the backtests)
#   CIV_DEFAULT_REUSE   a folder that already holds the member and backtest files (e.g. the
#                       folder of an earlier run of this script, bench/out/default): the table is recomputed from them without forecasting
set -euo pipefail
build=${1:?usage: default.bench.sh BUILD_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
shared=${CIV_SHARED_DATA:-$root/../shared/data}
out=$here/out
mkdir -p "$out"
for d in m1 tourism; do
  if [ ! -s "$shared/$d/${d}_meta.csv" ] || [ ! -s "$shared/$d/${d}_series.csv" ]; then
    echo "default.bench.sh: $d data not found in $shared/$d (${d}_meta.csv, ${d}_series.csv): the default's table is not recomputed" >&2
    echo "| default auto: candidates on M1 + tourism | - | - | - | - | - | - | skipped: data absent ($shared/$d) |"
    exit 0
  fi
done
limit=()
[ -n "${CIV_BENCH_LIMIT:-}" ] && limit=(--limit "$CIV_BENCH_LIMIT")
if [ -n "${CIV_DEFAULT_REUSE:-}" ]; then
  work=$CIV_DEFAULT_REUSE
  echo "default.bench.sh: reusing the member forecasts and backtests in $work" >&2
else
  work=$out/default
  mkdir -p "$work"
  for exe in "$build/bench/bench_forecast_m1" "$build/civicast"; do
    [ -x "$exe" ] || { echo "default.bench.sh: $exe is missing; build the release first" >&2; exit 1; }
  done
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/default_eval.py" members \
    "$build/bench/bench_forecast_m1" "$shared" "$work" "${limit[@]}"
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/default_eval.py" backtest "$build/civicast" "$shared" "$work" \
    --threads "${CIV_BENCH_THREADS:-2}" "${limit[@]}"
fi
/usr/bin/python3 "$here/default_eval.py" table "$shared" "$work" "$work" "$out/default.md" "${limit[@]}"
# The third round (docs/FORECASTING.md, "C with exact intervals for the optimised Theta
# models"): the first A forecast again from R's default members, then `auto` as it was (A =
# combo(median)) and C in one run, scored and judged by the same rule (bench/out/default_specs.md;
# about 2 more CPU minutes). Full data only: the rule is about all series.
if [ -z "${CIV_BENCH_LIMIT:-}" ]; then
  if [ -z "${CIV_DEFAULT_REUSE:-}" ]; then
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/default_eval.py" original \
      "$build/bench/bench_forecast_m1" "$shared" "$work/original" >&2
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/default_eval.py" specs "$shared" \
      "$work/original" "$work/specs" "$out/default_specs.md" --exe "$build/bench/bench_forecast_m1" >&2
  elif [ -s "$work/specs/m1_C.csv" ] && [ -s "$work/original/m1_auto.csv" ]; then
    /usr/bin/python3 "$here/default_eval.py" specs "$shared" "$work/original" "$work/specs" "$out/default_specs.md" >&2
  fi
fi
