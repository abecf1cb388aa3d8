#!/usr/bin/env bash
# python.bench.sh -- the Python package's two performance targets
# (issue 6), printed as Markdown rows for bench/run.sh:
#   1. forecasting the demo city from Python (pandas in, pandas out) costs at
#      most 5% more than the CLI on the same data (python_overhead.py);
#   2. civicast.dask.forecast on a LocalCluster of 2 worker processes is at
#      least 1.7x faster than on 1, on a 100,000-series synthetic panel
#      (dask_scaling.py; model ETS(A,N,N) to keep the run short).
# usage: bash python.bench.sh BUILD_DIR
# Knobs: CIV_BENCH_RUNS (default 3), CIV_BENCH_DASK_RUNS (alternating pairs, default 2),
#        CIV_BENCH_MODEL (demo-city model, default auto),
#        CIV_BENCH_DASK_SERIES (default 100000), CIV_BENCH_DASK_MODEL.
set -euo pipefail
build=${1:?usage: python.bench.sh BUILD_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
lib=$build/libcivicast.so
cli=$build/civicast
for f in "$lib" "$cli"; do
  [ -e "$f" ] || { echo "python.bench.sh: $f is missing; build the release first" >&2; exit 1; }
done
export CIV_LIBRARY=$lib PYTHONPATH=$root/python-bindings${PYTHONPATH:+:$PYTHONPATH}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
py=/usr/bin/python3
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; }

runs=${CIV_BENCH_RUNS:-3}
model=${CIV_BENCH_MODEL:-auto}
echo "python.bench.sh: demo city from Python vs the CLI, model $model, best of $runs (alternating)" >&2
o=$("$py" "$here/python_overhead.py" "$cli" "$root/datasets/demo_city/meals.csv" "$here/out" "$runs" "$model" \
      "$OMP_NUM_THREADS")
awk -v runs="$runs" -v ps="$(field python_seconds "$o")" -v cs="$(field cli_seconds "$o")" -v call="$(field call_seconds "$o")" \
    -v imp="$(field import_seconds "$o")" -v pr="$(field python_rss_kb "$o")" -v cr="$(field cli_rss_kb "$o")" \
    -v n="$(field series "$o")" -v m="$model" -v t="$OMP_NUM_THREADS" -v same="$(field identical "$o")" \
    -v pc="$(field python_cpu_seconds "$o")" -v cc="$(field cli_cpu_seconds "$o")" 'BEGIN {
  over = 100 * (ps - cs) / cs; overc = 100 * (pc - cc) / cc
  printf "| demo city forecast from Python (read_csv, civicast.forecast, to_csv) | %.2f | civicast CLI | %.2f | %.2fx | %.0f | %.0f | %d series, model %s, %s threads, best of %d alternating; Python overhead %+.1f%% wall, %+.1f%% CPU (%.2f vs %.2f CPU s) (target <= +5%%); forecast call alone %.2f s; imports %.2f s not counted; same numbers as CLI: %s |\n",
    ps, cs, cs / ps, pr / 1024, cr / 1024, n, m, t, runs, over, overc, pc, cc, call, imp, same }'

series=${CIV_BENCH_DASK_SERIES:-100000}
dmodel=${CIV_BENCH_DASK_MODEL:-ETS(A,N,N)}
echo "python.bench.sh: Dask LocalCluster 1 vs 2 workers, $series series, $dmodel" >&2
d=$("$py" "$here/dask_scaling.py" "$series" "$dmodel" "${CIV_BENCH_DASK_RUNS:-2}" 40)
awk -v one="$(field one_worker_seconds "$d")" -v two="$(field two_worker_seconds "$d")" \
    -v n="$(field series "$d")" -v m="$dmodel" -v same="$(field identical "$d")" \
    -v ctl="$(field machine_control "$d")" 'BEGIN {
  printf "| civicast.dask.forecast, LocalCluster 2 workers x 1 thread | %.2f | same, 1 worker | %.2f | %.2fx | | | %d monthly series x 48, h=12, model %s, 40 partitions by unique_id, results persisted on the workers, best of alternating pairs (target >= 1.7x); identical results: %s; machine control (2 busy processes vs 1, before/after): %sx |\n",
    two, one, one / two, n, m, same, ctl }'
