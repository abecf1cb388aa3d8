#!/usr/bin/env bash
# stream.bench.sh -- bounded memory of `civicast forecast` (issue 18 item 9):
# 10^6 generated monthly series (bench/gen_long_csv.c, 12 months each, one
# covariate), h = 24, levels 80/95, forecasts + report written in chunks of
# 4,096 series: peak RSS (/usr/bin/time -v) and series per second, for ETS
# (a fixed ETS(A,N,N), the cost of one ETS fit per series) and the default
# model (auto: median combination of auto ETS, auto ARIMA and Theta) on a
# smaller count.  The panel itself (about 0.3 kB per series here) stays in
# memory; the outputs do not.  Runs under nice -n 10 on 2 threads.
# Prints Markdown rows for bench/run.sh.
#
# usage: bash stream.bench.sh BUILD_DIR
# environment:
#   CIV_STREAM_SERIES        series of the ETS run (default 1000000)
#   CIV_STREAM_AUTO_SERIES   series of the default-model run (default 20000)
set -euo pipefail
build=${1:?usage: stream.bench.sh BUILD_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$here/out
mkdir -p "$out"
civ=$build/civicast
gen=$build/bench/gen_long_csv
[ -x "$civ" ] && [ -x "$gen" ] || { echo "stream.bench.sh: build civicast and gen_long_csv first" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "stream.bench.sh: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }
n_ets=${CIV_STREAM_SERIES:-1000000}
n_auto=${CIV_STREAM_AUTO_SERIES:-20000}

# run NAME SERIES MODEL: prints "wall_seconds cpu_seconds peak_MB"
run() {
  local name=$1 n=$2 model=$3 csv="$out/stream_${2}.csv"
  [ -s "$csv" ] || "$gen" "$csv" "$n" 12
  rm -f "$out/stream_fc.csv" "$out/stream_report.csv"
  local t0 t1
  t0=$(date +%s.%N)
  OMP_NUM_THREADS=2 nice -n 10 /usr/bin/time -v "$civ" forecast "$csv" --out "$out/stream_fc.csv" \
    --report "$out/stream_report.csv" --model "$model" --h 24 --threads 2 -q 2>"$out/stream_$name.time"
  t1=$(date +%s.%N)
  local rss
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out/stream_$name.time")
  local rows
  rows=$(($(wc -l <"$out/stream_fc.csv") - 1))
  [ "$rows" -eq $((n * 24)) ] || { echo "stream.bench.sh: $name wrote $rows rows, expected $((n * 24))" >&2; exit 1; }
  local cpu
  cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$out/stream_$name.time")
  echo "$(echo "$t1 - $t0" | bc) $cpu $(echo "scale=1; $rss / 1024" | bc)"
}

# The panel alone: what `info` holds, to separate it from the outputs.
panel_rss() {
  local csv="$out/stream_${1}.csv"
  /usr/bin/time -v "$civ" info "$csv" >/dev/null 2>"$out/stream_info.time"
  echo "scale=1; $(awk -F': ' '/Maximum resident set size/ {print $2}' "$out/stream_info.time") / 1024" | bc
}

read -r s_ets cpu_ets mb_ets < <(run ets "$n_ets" "ETS(A,N,N)")
info_ets=$(panel_rss "$n_ets")
echo "stream.bench.sh: ETS(A,N,N) $n_ets series: $s_ets s wall, $cpu_ets s CPU, peak $mb_ets MB (info alone: $info_ets MB)" >&2
read -r s_auto cpu_auto mb_auto < <(run auto "$n_auto" auto)
echo "stream.bench.sh: auto $n_auto series: $s_auto s wall, $cpu_auto s CPU, peak $mb_auto MB" >&2
rate() { echo "scale=0; $1 / $2" | bc; }
echo "| forecast streamed, $n_ets series x 12 months, ETS(A,N,N), h = 24, report, 2 threads | $s_ets | - | - | - | $mb_ets | - | $(rate "$n_ets" "$s_ets") series/s wall, $(rate "$n_ets" "$cpu_ets") series per CPU second; \`info\` on the same panel peaks at $info_ets MB; outputs in chunks of 4,096 series |"
echo "| forecast streamed, $n_auto series x 12 months, auto (default), h = 24, report, 2 threads | $s_auto | - | - | - | $mb_auto | - | $(rate "$n_auto" "$s_auto") series/s wall, $(rate "$n_auto" "$cpu_auto") series per CPU second |"
rm -f "$out/stream_fc.csv" "$out/stream_report.csv"
