#!/usr/bin/env bash
# conformal.bench.sh -- model vs conformal prediction intervals (issue 13.3)
# on the test periods of M1 and tourism: for theta, ets and auto, the
# training parts are forecast with --intervals model and --intervals
# conformal (backtest windows from the training part only), and the test
# parts give the coverage of the 80% and 95% intervals per frequency and
# overall, MSIS-95 and the interval score relative to the model's own.
# Writes bench/out/conformal.md (the table of docs/FORECASTING.md,
# "Conformal intervals: measured") and bench/out/conformal_scores.csv; then
# reruns the choice of the settings on validation data carved from the
# training parts (conformal_validate.py: bench/out/conformal_validation.md,
# the table of "Conformal intervals: choosing the settings"; theta and ets,
# about 10 CPU minutes) and the second round on two validation periods
# (conformal_periods.py: bench/out/conformal_periods.md, "calibrating on
# several past periods") and the third round (conformal_round3.py:
# bench/out/conformal_round3.md, "third round") and auto on short histories, its floor and
# its point forecast (short_history.py: bench/out/short_history.md, "Short histories")
# and the fourth round (conformal_refit.py: bench/out/conformal_refit.md,
# "refitting the chosen structure"); CIV_CONFORMAL_VALIDATE=0 skips all five;
# prints one Markdown row for bench/run.sh.
#
# usage: bash conformal.bench.sh BUILD_DIR
# environment:
#   CIV_SHARED_DATA   folder holding m1/ and tourism/ (default ../shared/data from the project root)
#   CIV_BENCH_LIMIT   only the first N series of each frequency (quick runs)
#   CIV_CONFORMAL_MODELS  models (default theta,ets,auto, the table of the docs; auto takes most of the time:
#                     about 20 CPU minutes in all on one core)
#   CIV_BENCH_THREADS threads per run (default 2)
set -euo pipefail
build=${1:?usage: conformal.bench.sh BUILD_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
shared=${CIV_SHARED_DATA:-$root/../shared/data}
out=$here/out
mkdir -p "$out"
exe=$build/civicast
[ -x "$exe" ] || { echo "conformal.bench.sh: $exe is missing; build the release first" >&2; exit 1; }
for d in m1 tourism; do
  if [ ! -s "$shared/$d/${d}_meta.csv" ] || [ ! -s "$shared/$d/${d}_series.csv" ]; then
    echo "conformal.bench.sh: $d data not found in $shared/$d (${d}_meta.csv, ${d}_series.csv): conformal interval benchmark skipped" >&2
    echo "| conformal vs model intervals (M1, tourism) | - | - | - | - | - | - | skipped: data absent ($shared/$d) |"
    exit 0
  fi
done
args=(--models "${CIV_CONFORMAL_MODELS:-theta,ets,auto}" --threads "${CIV_BENCH_THREADS:-2}")
[ -n "${CIV_BENCH_LIMIT:-}" ] && args+=(--limit "$CIV_BENCH_LIMIT")
start=$(date +%s)
OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/conformal_eval.py" "$exe" "$shared" "$out" "${args[@]}"
if [ "${CIV_CONFORMAL_VALIDATE:-1}" != 0 ]; then
  vargs=(--models theta,ets --threads "${CIV_BENCH_THREADS:-2}")
  [ -n "${CIV_BENCH_LIMIT:-}" ] && vargs+=(--limit "$CIV_BENCH_LIMIT")
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/conformal_validate.py" "$exe" "$shared" "$out" "${vargs[@]}" >/dev/null
  # the second round: K = 1..4 windows h periods apart on two validation periods (about 2 CPU minutes)
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/conformal_periods.py" "$exe" "$shared" "$out" "${vargs[@]}" >/dev/null
  # the third round: smoothing, shrinkage, scaled errors on the same backtests, and the noise
  # in the band (conformal_round3.py: bench/out/conformal_round3.md; under a minute)
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/conformal_round3.py" "$exe" "$shared" "$out" "${vargs[@]}" --reuse >/dev/null
  # auto on short histories: the floor by the naive method's widths, and the point forecast pulled
  # toward the naive one (short_history.py: bench/out/short_history.md, docs/FORECASTING.md "Short
  # histories" and "Short histories: the point forecast"; about 3 minutes)
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/short_history.py" "$exe" "$shared" "$out" \
    --threads "${CIV_BENCH_THREADS:-2}" >/dev/null
  # the fourth round: calibration windows searched or refitting the chosen structure, for auto, ets
  # and arima on the two validation periods (conformal_refit.py: bench/out/conformal_refit.md; about
  # 6 CPU minutes)
  rargs=(--threads "${CIV_BENCH_THREADS:-2}")
  [ -n "${CIV_BENCH_LIMIT:-}" ] && rargs+=(--limit "$CIV_BENCH_LIMIT")
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/conformal_refit.py" "$exe" "$shared" "$out" "${rargs[@]}" \
    2>/dev/null >/dev/null
fi
secs=$(( $(date +%s) - start ))
summary=$(/usr/bin/python3 - "$out/conformal_scores.csv" <<'PY'
import sys
import pandas as pd
d = pd.read_csv(sys.argv[1])
c = d[d.intervals == "conformal"]
print(f"conformal 95% coverage {c['coverage-95'].min():.1f}-{c['coverage-95'].max():.1f}, "
      f"80% {c['coverage-80'].min():.1f}-{c['coverage-80'].max():.1f} over data x frequency x model; "
      "table in bench/out/conformal.md")
PY
)
echo "| conformal vs model intervals (M1, tourism) | $secs | - | - | - | - | - | $summary |"
