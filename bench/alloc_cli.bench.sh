#!/usr/bin/env bash
# alloc_cli.bench.sh -- `civicast allocate` end to end on one million
# synthetic communities with every rule kind (bench/gen_alloc_city.c: two
# reserves, fixed and share pools, an earmarked fund, six factors with a
# coefficient, a tilt, floor, cap share, hold-harmless, pace, rounding to the
# fen), CSV in, CSV out (--explain --summary), against pandas + numpy doing
# the same arithmetic (bench/alloc_cli_pandas.py: read_csv, the rules with a
# clamp-and-renormalise loop, to_csv; no explanation sentences).  Best of 3
# wall times (the machine may be shared: the minimum is the least disturbed
# run), CPU time (user + system) of that run, peak RSS (/usr/bin/time).
# Prints two Markdown rows for bench/run.sh: the whole command, and the
# phases (bench/alloc_phases.c, best of 3 by total) with the solve alone
# (civ_alloc_solve on warm buffers, best of 5), each against its target
# (issue 16.6: <= 3 s wall on 2 cores, <= 400 MB, solve <= 0.1 s).
# usage: bash alloc_cli.bench.sh BUILD_DIR      (env CIV_BENCH_ALLOC_N, default 1000000)
set -euo pipefail
build=${1:?usage: alloc_cli.bench.sh BUILD_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
n=${CIV_BENCH_ALLOC_N:-1000000}
runs=${CIV_BENCH_RUNS:-3}
for exe in "$build/civicast" "$build/bench/gen_alloc_city" "$build/bench/alloc_phases"; do
  [ -x "$exe" ] || { echo "alloc_cli.bench.sh: $exe is missing; build the release first" >&2; exit 1; }
done
mkdir -p "$here/out"
prefix="$here/out/city_$n"
out="$here/out/city_${n}_alloc.csv"
summary="$here/out/city_${n}_summary.csv"
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; }
trap 'rm -f "$prefix.csv" "$prefix.spec" "$out" "$summary" "$here/out/city_${n}_pandas.csv"' EXIT

echo "alloc_cli.bench.sh: generating $n communities" >&2
"$build/bench/gen_alloc_city" "$n" "$prefix"

echo "alloc_cli.bench.sh: civicast allocate, best of $runs" >&2
best_wall=1e300 best_cpu=0 best_rss=0
for ((k = 0; k < runs; k++)); do
  t=$( { /usr/bin/time -f "%e %U %S %M" "$build/civicast" allocate --spec "$prefix.spec" \
          --communities "$prefix.csv" --out "$out" --summary "$summary" --explain >/dev/null; } 2>&1 | tail -1)
  read -r wall user sys rss <<<"$t"
  if awk -v a="$wall" -v b="$best_wall" 'BEGIN { exit !(a < b) }'; then
    best_wall=$wall best_cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }') best_rss=$rss
  fi
done

echo "alloc_cli.bench.sh: phases through the API, best of $runs" >&2
ph="" ph_total=1e300
for ((k = 0; k < runs; k++)); do
  p=$("$build/bench/alloc_phases" "$prefix.spec" "$prefix.csv" "$out" "$summary" --explain)
  tot=$(field total_s "$p")
  if awk -v a="$tot" -v b="$ph_total" 'BEGIN { exit !(a < b) }'; then ph=$p ph_total=$tot; fi
done

echo "alloc_cli.bench.sh: pandas + numpy, best of $runs" >&2
np=$(OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/alloc_cli_pandas.py" "$prefix" \
     "$here/out/city_${n}_pandas.csv" "$runs")

awk -v n="$n" -v w="$best_wall" -v c="$best_cpu" -v r="$best_rss" -v pw="$(field seconds "$np")" \
    -v pc="$(field cpu_seconds "$np")" -v pr="$(field peak_rss_kb "$np")" -v pv="$(field pandas "$np")" \
    -v pread="$(field read_s "$np")" -v psolve="$(field solve_s "$np")" -v pwrite="$(field write_s "$np")" 'BEGIN {
  printf "| civicast allocate %d communities, every rule kind, CSV in/out with --explain --summary (best of 3 wall; target <= 3 s, <= 400 MB: %s, %s) | %.2f | pandas %s read_csv + numpy + to_csv (no explanations) | %.2f | %.1fx | %.0f | %.0f | CPU time %.2f s vs %.2f s; pandas phases: read %.2f s, rules %.2f s, write %.2f s |\n",
    n, w <= 3 ? "met" : "NOT met", r / 1024 <= 400 ? "met" : "NOT met", w, pv, pw, pw / w, r / 1024, pr / 1024, c, pc,
    pread, psolve, pwrite }'
awk -v n="$n" -v sw="$(field resolve_best_s "$ph")" -v sc="$(field resolve_best_cpu "$ph")" \
    -v pss="$(field solve_s "$np")" \
    -v rd="$(field read_s "$ph")" -v rdc="$(field read_cpu "$ph")" -v bd="$(field bind_s "$ph")" -v bdc="$(field bind_cpu "$ph")" \
    -v so="$(field solve_s "$ph")" -v soc="$(field solve_cpu "$ph")" -v ou="$(field output_s "$ph")" -v ouc="$(field output_cpu "$ph")" \
    -v su="$(field summary_s "$ph")" -v suc="$(field summary_cpu "$ph")" -v to="$(field total_s "$ph")" \
    -v toc="$(field total_cpu "$ph")" -v pk="$(field peak_rss_mb "$ph")" 'BEGIN {
  printf "| phases of the above through the API (bench/alloc_phases.c; the solve alone: target <= 0.1 s, %s) | %.2f | numpy rules (clamp-and-renormalise) | %.2f | | %.0f | | wall (CPU) s: read CSV %.2f (%.2f), bind %.2f (%.2f), first solve %.2f (%.2f, page faults on fresh buffers), write allocation CSV %.2f (%.2f), summary %.2f (%.2f); total %.2f (%.2f); solve alone on warm buffers %.3f s wall, %.3f s CPU (best of 5) |\n",
    sw <= 0.1 ? "met" : "NOT met", sw, pss, pk, rd, rdc, bd, bdc, so, soc, ou, ouc, su, suc, to, toc, sw, sc }'
