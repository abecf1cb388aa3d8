# lib.sh -- the common start of the CLI test scripts (tests/cli/*.sh), sourced
# by them, never run on its own:
#   source "$(dirname "$0")/lib.sh"
#   cli_start "$@"
# gives the binary under test, the source tree, a scratch folder removed on
# exit, a failure counter and the checks that several scripts share.  Each
# script keeps its own `set` options, its own data paths and its own ending
# (which reads $failures).  Scripts whose `fail` stops at the first failure
# (faults.sh, kill_write.sh, safe_text.sh, transactions.sh, valgrind_*.sh) do
# not use it.

# cli_start PATH_TO_CIVICAST: sets
#   CIV      the civicast binary (the script's first argument; none = usage error)
#   SRC      the source tree ($CIV_SOURCE_DIR, else two folders above this file)
#   WORK     a fresh folder "$TMPDIR/civ_<script>_cli.XXXXXX" (TMPDIR unset: /tmp),
#            removed with all below it when the script exits (an EXIT trap)
#   PY       the Python the tests use (/usr/bin/python3)
#   failures 0, counted up by fail
# Exits 1 (usage) without an argument, or when the folder cannot be made.
cli_start() {
    local script
    script="$(basename "$0")"
    CIV="${1:?usage: $script PATH_TO_CIVICAST}"
    SRC="${CIV_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/civ_${script%.sh}_cli.XXXXXX")" || exit 1
    trap 'rm -rf "$WORK"' EXIT
    PY=/usr/bin/python3
    failures=0
}

# fail MESSAGE...: reports a failed check on stderr and counts it; the script
# goes on (its ending turns a count above 0 into a failing exit).
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# expect_exit CODE PATTERN -- ARGS...: runs "$CIV" ARGS (stdout and stderr to
# $WORK/stdout and $WORK/stderr); the exit code must be CODE and stderr must
# match PATTERN (grep, basic regular expression).
expect_exit() {
    local code="$1" pattern="$2"
    shift 3
    "$CIV" "$@" >"$WORK/stdout" 2>"$WORK/stderr"
    local rc=$?
    [ "$rc" -eq "$code" ] || fail "'$*' exited $rc, expected $code: $(cat "$WORK/stderr")"
    grep -q -- "$pattern" "$WORK/stderr" || fail "'$*': stderr lacks '$pattern': $(cat "$WORK/stderr")"
}

# expect_code NAME CODE CMD...: runs CMD (any command; stdout and stderr to
# $WORK/out and $WORK/err); its exit code must be CODE.  NAME names the case.
expect_code() {
    local name=$1 code=$2
    shift 2
    "$@" >"$WORK/out" 2>"$WORK/err"
    local got=$?
    [ "$got" -eq "$code" ] || fail "$name: exit $got, expected $code: $(cat "$WORK/err")"
}

# expect_err NAME ERE: the stderr of the last expect_code must match ERE
# (grep -E).
expect_err() { grep -qE -- "$2" "$WORK/err" || fail "$1: stderr lacks /$2/: $(cat "$WORK/err")"; }
