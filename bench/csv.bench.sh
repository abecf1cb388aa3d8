#!/usr/bin/env bash
# csv.bench.sh -- civ_panel_read_csv vs pandas.read_csv + groupby into
# per-series numpy arrays, on the same 10-million-row long CSV (50,000
# monthly series x 200 months, y and one covariate), best of 3 each, in the
# same run.  Prints one Markdown row for bench/run.sh.
# usage: bash csv.bench.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: csv.bench.sh BUILD_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
data=$here/out/long_10m.csv
runs=${CIV_BENCH_RUNS:-3}
for exe in "$build/bench/gen_long_csv" "$build/bench/csv_read"; do
  [ -x "$exe" ] || { echo "csv.bench.sh: $exe is missing; build the release first" >&2; exit 1; }
done
if [ ! -s "$data" ]; then
  echo "csv.bench.sh: generating $data (once; cached)" >&2
  "$build/bench/gen_long_csv" "$data.tmp" 50000 200
  mv "$data.tmp" "$data"
fi
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; }

echo "csv.bench.sh: civicast reader, best of $runs" >&2
civ=$("$build/bench/csv_read" "$data" "$runs")
echo "csv.bench.sh: pandas, best of $runs" >&2
pd=$(/usr/bin/python3 "$here/pandas_read.py" "$data" "$runs")

civ_s=$(field seconds "$civ"); pd_s=$(field seconds "$pd")
civ_rss=$(field peak_rss_kb "$civ"); pd_rss=$(field peak_rss_kb "$pd")
panel=$(field panel_bytes "$civ"); series=$(field series "$civ"); values=$(field values "$civ")
size=$(stat -c %s "$data")
awk -v cs="$civ_s" -v ps="$pd_s" -v cr="$civ_rss" -v pr="$pd_rss" -v pb="$panel" -v n="$series" \
    -v v="$values" -v fs="$size" -v pv="$(field pandas "$pd")" 'BEGIN {
  printf "| read 10M-row long CSV into per-series arrays | %.2f | pandas %s | %.2f | %.1fx | %.0f | %.0f | %d series, %d values; file %.0f MB; panel itself %.0f MB, civicast peak %.2fx of it |\n",
    cs, pv " read_csv+groupby", ps, ps / cs, cr / 1024, pr / 1024, n, v, fs / 1e6, pb / 1048576, cr * 1024 / pb }'

# A 10^5-column header (issue 18, item 4: names through a hash set; it took
# over 120 s when every name was compared with every other): `civicast info`
# on unique_id, ds, y + 100,000 covariates and one row, best of $runs.
wide=$here/out/wide_100k.csv
if [ ! -s "$wide" ]; then
  awk 'BEGIN { n = 100000; h = "unique_id,ds,y"; r = "A,2024-01,1";
    for (k = 0; k < n; k++) { h = h ",c" k; r = r "," (k % 10) } print h; print r }' > "$wide"
fi
best=""
for _ in $(seq "$runs"); do
  t0=$(date +%s%N); "$build/civicast" info "$wide" > /dev/null; t1=$(date +%s%N)
  s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  if [ -z "$best" ] || awk -v s="$s" -v b="$best" 'BEGIN { exit !(s < b) }'; then best=$s; fi
done
printf "| read a CSV header of 100,000 columns (civicast info) | %s | | | | | | one row; the issue's bar is under 1 s |\n" "$best"
