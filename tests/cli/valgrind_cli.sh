#!/usr/bin/env bash
# valgrind_cli.sh -- the CLI's main commands under valgrind memcheck: no
# invalid reads or writes, no uninitialised values in decisions, no definite
# or indirect leaks (--error-exitcode=1).  Commands: info (with attributes),
# convert CSV -> HDF5 -> CSV (and the round trip compared), forecast of a
# small panel (the first 8 demo communities) with ets and with theta, auto
# (ETS + ARIMA + Theta) on 3 communities, allocate on the demo city (1,000
# communities, with --summary and --explain), and plan (the whole job:
# forecast, allocate, Monte Carlo, need) on tests/data/plan.  The .h5 reads
# fork their guard child (hdf5_guard.c), which memcheck follows too.
# Skips (exit 0 with a message) when valgrind or the demo city is absent, and
# under sanitizer builds (ASan and valgrind do not mix).
# usage: bash valgrind_cli.sh PATH_TO_CIVICAST
set -uo pipefail
civ=${1:?usage: valgrind_cli.sh PATH_TO_CIVICAST}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
demo=$here/../../datasets/demo_city
if ! command -v valgrind >/dev/null 2>&1; then
  echo "skip: valgrind is not installed (apt-get install valgrind)"
  exit 0
fi
if [ ! -r "$demo/meals.csv" ] || [ ! -r "$demo/communities.csv" ] || [ ! -r "$demo/allocation.spec" ]; then
  echo "skip: the demo city is not generated ($demo)"
  exit 0
fi
if nm -D "$civ" 2>/dev/null | grep -E '__(asan|tsan)_init' >/dev/null || nm "$civ" 2>/dev/null | grep -E '__(asan|tsan)_init' >/dev/null; then
  echo "skip: $civ is built with a sanitizer"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OMP_NUM_THREADS=1
head -n $((1 + 8 * 72)) "$demo/meals.csv" > "$tmp/small.csv"

n=0
vg() { # vg NAME ARGS... : run the CLI under memcheck, exit codes 0 and 6 are fine
  local name=$1; shift
  valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --show-leak-kinds=definite,indirect -q "$civ" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
  local rc=$?
  if [ $rc -ne 0 ] && [ $rc -ne 6 ]; then
    cat "$tmp/$name.err" >&2
    echo "valgrind_cli.sh: FAIL: $name (exit $rc${rc:+; 99 = a valgrind error})" >&2
    exit 1
  fi
  n=$((n + 1))
}

vg info info "$demo/meals.csv" --attributes "$demo/communities.csv"
grep -q '^series' "$tmp/info.out" || { echo "valgrind_cli.sh: FAIL: info printed no summary" >&2; exit 1; }
vg to_h5 convert "$tmp/small.csv" "$tmp/small.h5"
vg to_csv convert "$tmp/small.h5" "$tmp/back.csv"
cmp -s "$tmp/small.csv" "$tmp/back.csv" || { echo "valgrind_cli.sh: FAIL: CSV -> HDF5 -> CSV changed the file" >&2; exit 1; }
vg table_h5 convert --table "$demo/communities.csv" "$tmp/comm.h5"
vg fc_ets forecast "$tmp/small.csv" --model ets --h 12 --threads 1 --quiet --out "$tmp/fc_ets.csv" --report "$tmp/rep.csv"
vg fc_theta forecast "$tmp/small.csv" --model theta --h 12 --threads 1 --quiet --out "$tmp/fc_theta.h5"
vg allocate allocate --spec "$demo/allocation.spec" --communities "$demo/communities.csv" \
  --out "$tmp/alloc.csv" --summary "$tmp/summary.csv" --explain
[ "$(wc -l < "$tmp/alloc.csv")" -ge 1001 ] || { echo "valgrind_cli.sh: FAIL: allocation has too few rows" >&2; exit 1; }
# auto = ETS, ARIMA and Theta combined (the default model), on 3 series
head -n $((1 + 3 * 72)) "$demo/meals.csv" > "$tmp/three.csv"
vg fc_auto forecast "$tmp/three.csv" --model auto --h 12 --threads 1 --quiet --out "$tmp/fc_auto.csv"
# the whole job: forecast, allocate, Monte Carlo, need (the tiny plan of plan.sh)
vg plan plan "$here/../data/plan/plan.toml" --out "$tmp/plan" --threads 1
[ -s "$tmp/plan/allocation.csv" ] || { echo "valgrind_cli.sh: FAIL: plan wrote no allocation" >&2; ls "$tmp/plan" >&2; exit 1; }
echo "valgrind_cli.sh: $n commands clean under valgrind memcheck (info, convert x3, forecast ets/theta/auto, allocate, plan)"
