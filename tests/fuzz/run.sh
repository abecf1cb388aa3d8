#!/usr/bin/env bash
# run.sh -- runs the libFuzzer targets of tests/fuzz/ (what `make fuzz` calls).
# usage: bash tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
#   TARGETS default to: csv hdf5 alloc_spec date model_spec xlsx.  They run in parallel (one
#   process each, at nice 19), each for SECONDS, on a working corpus in
#   BUILD_DIR/run/<target>/corpus seeded from tests/fuzz/corpus/<target> (the
#   committed corpus is only read).  Findings land in
#   BUILD_DIR/run/<target>/artifacts; the script exits 1 when any target left
#   one.  Triage: docs/HOSTILE_INPUTS.md, "Fuzzing".
# Settings: CIV_MEMORY_LIMIT=1G (the readers' memory guard, below libFuzzer's
# 2 GB RSS limit), LSan suppressions for libhdf5's own leaks (lsan.supp), and
# for hdf5 -fork=1 with crashes, timeouts and OOMs ignored so that libhdf5's
# own crashes do not stop the run (each is still saved for triage).
set -uo pipefail
build=${1:?usage: run.sh BUILD_DIR SECONDS [TARGET...]}
secs=${2:?usage: run.sh BUILD_DIR SECONDS [TARGET...]}
shift 2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(csv hdf5 alloc_spec date model_spec xlsx)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$(cd "$build" && pwd)
export CIV_MEMORY_LIMIT=${CIV_MEMORY_LIMIT:-1G}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/lsan.supp}
pids=()
for t in "${targets[@]}"; do
  run=$build/run/$t
  mkdir -p "$run/corpus" "$run/artifacts"
  case $t in
    # hdf5: a valid read of a 64 KiB file takes milliseconds, and libhdf5's
    # own endless loops (docs/HOSTILE_INPUTS.md) would cost a minute each.
    hdf5) extra=(-max_len=65536 -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -timeout=10) ;;
    date) extra=(-max_len=64) ;;
    model_spec) extra=(-max_len=200) ;;
    xlsx) extra=(-max_len=65536) ;;
    *) extra=(-max_len=8192) ;;
  esac
  (cd "$run" && exec nice -n 19 "$build/fuzz_$t" -max_total_time="$secs" -timeout=60 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$run/artifacts/" "${extra[@]}" "$run/corpus" "$here/corpus/$t" \
      >"$run/log.txt" 2>&1) &
  pids+=($!)
  echo "fuzz_$t: running for ${secs}s, log $run/log.txt"
done
for p in "${pids[@]}"; do wait "$p"; done
status=0
for t in "${targets[@]}"; do
  run=$build/run/$t
  execs=$(grep -E 'stat::number_of_executed_units|^#[0-9]+' "$run/log.txt" | tail -1)
  found=$(ls "$run/artifacts" 2>/dev/null | wc -l)
  echo "fuzz_$t: $execs; $found finding(s) in $run/artifacts"
  [ "$found" -eq 0 ] || status=1
done
exit $status
