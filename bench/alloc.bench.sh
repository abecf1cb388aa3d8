#!/usr/bin/env bash
# alloc.bench.sh -- the factor-method allocation on one million synthetic
# communities (six factors, aging tilt, floor, cap, 80% hold-harmless,
# largest-remainder rounding to the fen): civicast's exact solve
# (civ_alloc_solve, one thread, best of 5) against a direct numpy
# implementation of the same rules with its own clamp-and-renormalise loop
# (bench/alloc_numpy.py, best of 3), in the same run on the same data.  Also
# checks both answers against the optimality conditions of the exact solve.
# Prints one Markdown row for bench/run.sh.
# usage: bash alloc.bench.sh BUILD_DIR      (env CIV_BENCH_ALLOC_N, default 1000000)
set -euo pipefail
build=${1:?usage: alloc.bench.sh BUILD_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/.." && pwd)
n=${CIV_BENCH_ALLOC_N:-1000000}
mkdir -p "$here/out"
exe="$build/bench/bench_alloc"
if [ ! -x "$exe" ]; then
  # not built by CMake: compile it against the shared library of this build
  lib=$(ls "$build"/libcivicast.so 2>/dev/null || true)
  [ -n "$lib" ] || { echo "alloc.bench.sh: $build/libcivicast.so is missing; build the release first" >&2; exit 1; }
  exe="$here/out/bench_alloc"
  ${CC:-cc} -O2 -std=c11 -D_POSIX_C_SOURCE=200809L "$here/bench_alloc.c" -I"$src/engine/include" \
    -L"$build" -lcivicast -Wl,-rpath,"$build" -lm -o "$exe"
fi
prefix="$here/out/alloc_$n"
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; }

echo "alloc.bench.sh: civicast allocation of $n communities, best of 5" >&2
civ=$(OMP_NUM_THREADS=1 "$exe" "$n" 5 "$prefix")
echo "alloc.bench.sh: numpy clamp-and-renormalise, best of 3" >&2
np=$(OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/alloc_numpy.py" "$prefix" 3)
rm -f "$prefix.bin" "$prefix.amounts"

awk -v cs="$(field solve_seconds "$civ")" -v cc="$(field solve_cpu_seconds "$civ")" \
    -v bs="$(field bind_seconds "$civ")" -v ps="$(field seconds "$np")" -v pc="$(field cpu_seconds "$np")" \
    -v cr="$(field peak_rss_kb "$civ")" -v pr="$(field peak_rss_kb "$np")" -v n="$n" \
    -v fl="$(field floor "$civ")" -v cap="$(field cap "$civ")" -v hh="$(field hold_harmless "$civ")" \
    -v ok="$(field total_ok "$civ")" -v it="$(field iterations "$np")" -v md="$(field max_diff_fen "$np")" \
    -v dif="$(field differing "$np")" -v kn="$(field kkt_numpy_fen "$np")" -v kc="$(field kkt_civicast_fen "$np")" \
    -v npv="$(field numpy "$np")" 'BEGIN {
  printf "| allocate %d communities (6 factors, tilt, floor/cap/hold-harmless, fen rounding) | %.3f | numpy %s clamp-and-renormalise | %.3f | %.1fx | %.0f | %.0f | CPU time %.3f s vs %.3f s (%.1fx); bind once %.2f s; binding: %d floor, %d cap, %d hold-harmless; totals exact: %s; numpy took %d clamp-and-renormalise rounds and its amounts differ from the exact solution by up to %.2f yuan (%d communities differ; optimality violation %.2f yuan, civicast %.2f) |\n",
    n, cs, npv, ps, ps / cs, cr / 1024, pr / 1024, cc, pc, pc / cc, bs, fl, cap, hh, ok == 1 ? "yes" : "NO", it, md / 100, dif, kn / 100, kc / 100 }'
