#!/usr/bin/env bash
# hier.bench.sh -- hierarchies and reconciliation (issue 17): accuracy by level
# on a holdout for every method (bench/hier_accuracy.py writes the tables to
# bench/out/hier.md: the demo city, and the two real hierarchies of
# ../shared/data/hierarchies when present: Australian overnight trips by state
# and region, Australian prisoners by state x gender x legal status, the FPP2
# ch. 10 examples), and one Markdown row per data set for bench/run.sh: the
# C MinT-shrink reconciliation against a dense numpy MinT on the same inputs.
# usage: bash hier.bench.sh BUILD_DIR
# Knobs: CIV_SHARED_DIR (default ../shared from the project root).
set -euo pipefail
build=${1:?usage: hier.bench.sh BUILD_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
shared=${CIV_SHARED_DIR:-$root/../shared}
lib=$build/libcivicast.so
[ -e "$lib" ] || { echo "hier.bench.sh: $lib is missing; build the release first" >&2; exit 1; }
export CIV_LIBRARY=$lib PYTHONPATH=$root/python-bindings${PYTHONPATH:+:$PYTHONPATH}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
mkdir -p "$here/out"
echo "hier.bench.sh: reconciliation accuracy by level (tables in bench/out/hier.md)" >&2
o=$(nice -n 10 /usr/bin/python3 "$here/hier_accuracy.py" "$root" "$shared" "$here/out/hier.md")
if grep -q '^shared_missing=' <<<"$o"; then
  echo "hier.bench.sh: $shared/data/hierarchies is absent: the tourism and prison hierarchies are skipped" >&2
fi
grep '^scale ' <<<"$o" | awk '{ for (i = 2; i <= NF; i++) { split($i, p, "="); v[p[1]] = p[2] }
  printf "| hier: MinT-shrink reconciliation of a synthetic city (%s series, %s nodes, 12 steps, CPU) | %.3f | numpy dense MinT | | | | | not run: a dense W of %s x %s doubles would take %.0f MB; civicast forms no n x n matrix |\n",
    v["series"], v["nodes"], v["mint_cpu_seconds"], v["nodes"], v["nodes"], v["nodes"] * v["nodes"] * 8 / 1e6 }'
grep -v -e '^shared_missing=' -e '^scale ' <<<"$o" | while read -r line; do
  name=${line%% nodes=*}
  awk -v name="$name" -v l="$line" 'BEGIN {
    n = split(l, kv, " "); for (i = 1; i <= n; i++) { split(kv[i], p, "="); v[p[1]] = p[2] }
    printf "| hier: MinT-shrink reconciliation, %s (%s nodes, %s steps) | %.4f | numpy dense MinT | %.4f | %.1fx | | | same forecasts to %s relative; all-series RMSE on the holdout: base %s, bottom-up %s, MinT %s (bench/out/hier.md) |\n",
      name, v["nodes"], v["h"], v["mint_seconds"], v["numpy_seconds"], v["numpy_seconds"] / v["mint_seconds"], v["max_rel_diff"],
      v["rmse_base"], v["rmse_bu"], v["rmse_mint"] }'
done
