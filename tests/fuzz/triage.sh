#!/usr/bin/env bash
# triage.sh -- replays fuzzing findings and says where each one fails.
# usage: bash tests/fuzz/triage.sh BUILD_DIR TARGET [ARTIFACT...]
#   BUILD_DIR  the fuzz build (build/fuzz); TARGET csv|hdf5|alloc_spec|date
#   ARTIFACTS  default: every file in BUILD_DIR/run/TARGET/artifacts
# For each finding it replays the input once under the harness (ASan+UBSan,
# TRIAGE_TIMEOUT seconds, default 20) and prints one line:
#   name | what (ASan/UBSan/libFuzzer kind) | innermost frame | verdict
# verdict "civicast" when the innermost named frame below the sanitizer's own
# is civicast code (engine/, models/, tests/fuzz/): a bug to fix and keep in
# crashers/TARGET/.  "libhdf5" when the faulting frames are inside libhdf5 and
# civicast only appears above them, as a caller: keep a representative in
# crashers/hdf5-lib/ (the command refuses such files, tests/cli/hdf5_guard.sh).
# "no longer fails" when the replay exits 0 (fixed, or an OOM/slow unit of
# the run's load).  Full logs: BUILD_DIR/run/TARGET/triage/NAME.log.
set -uo pipefail
build=${1:?usage: triage.sh BUILD_DIR TARGET [ARTIFACT...]}
target=${2:?usage: triage.sh BUILD_DIR TARGET [ARTIFACT...]}
shift 2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$(cd "$build" && pwd)
bin=$build/fuzz_$target
[ -x "$bin" ] || { echo "triage.sh: $bin not built (make fuzz FUZZ_SECONDS=0)" >&2; exit 2; }
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
    shopt -s nullglob
    files=("$build/run/$target/artifacts"/*)
fi
logs=$build/run/$target/triage
mkdir -p "$logs"
export CIV_MEMORY_LIMIT=${CIV_MEMORY_LIMIT:-1G}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/lsan.supp}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/civ_triage.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
declare -A count
for f in "${files[@]}"; do
    f=$(cd "$(dirname "$f")" && pwd)/$(basename "$f")
    name=$(basename "$f")
    log=$logs/$name.log
    (cd "$scratch" && timeout 300 "$bin" -timeout="${TRIAGE_TIMEOUT:-20}" -rss_limit_mb=2048 "$f" >"$log" 2>&1)
    rc=$?
    what=$(grep -oE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer): [a-z-]+|runtime error: [^:]*' "$log" | head -1 | sed 's/^ERROR: //')
    # frames of the report, without the sanitizer's and libFuzzer's own
    frames=$(grep -E '^ +#[0-9]+ ' "$log" | grep -vE '__sanitizer|__interceptor|fuzzer::|AlarmCallback|libc\.so|sysdeps|in malloc|in calloc|in realloc')
    first=$(printf '%s\n' "$frames" | head -1)
    if [ "$rc" -eq 0 ]; then
        verdict="no longer fails"
    elif printf '%s\n' "$first" | grep -qE 'libhdf5'; then
        verdict="libhdf5"
    elif printf '%s\n' "$first" | grep -qE '/(engine|models|tests/fuzz)/'; then
        verdict="civicast"
    else
        verdict="unknown (read $log)"
    fi
    where=$(printf '%s\n' "$first" | sed -E 's/^ +#[0-9]+ 0x[0-9a-f]+ (in )?//; s| \(BuildId.*||; s|'"$(cd "$here/../.." && pwd)"'/||')
    caller=$(printf '%s\n' "$frames" | grep -E '/(engine|models)/' | head -1 | sed -E 's/^ +#[0-9]+ 0x[0-9a-f]+ in //; s|'"$(cd "$here/../.." && pwd)"'/||')
    printf '%s | %s | %s | %s | civicast caller: %s\n' "$name" "${what:-exit $rc}" "${where:-?}" "$verdict" "${caller:--}"
    count[$verdict]=$(( ${count[$verdict]:-0} + 1 ))
done
for v in "${!count[@]}"; do echo "# $v: ${count[$v]}"; done
