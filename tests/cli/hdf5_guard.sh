#!/usr/bin/env bash
# hdf5_guard.sh -- the command survives .h5 files that crash or hang libhdf5.
# Every input kept in tests/fuzz/crashers/hdf5-lib/ (found by fuzz_hdf5; each
# segfaults, loops forever, over-reads or leaks inside libhdf5 1.10.8) is given
# to `civicast info` (a panel read) and `civicast convert --table` (a table
# read): each must end with exit 2 or 3 and a message naming the file, never a
# signal, within the time limit; no output file may appear.  Also: a valid .h5
# reads the same with the guard on and off, the child's ordinary errors come
# back whole, bad guard settings are refused, a hang is cut at
# CIV_HDF5_GUARD_TIMEOUT, and no temporary copy is left in TMPDIR.
# usage: bash hdf5_guard.sh PATH_TO_CIVICAST   (env CIV_SOURCE_DIR)
set -u
source "$(dirname "$0")/lib.sh"
cli_start "$@"
CRASHERS="$SRC/tests/fuzz/crashers/hdf5-lib"
# libhdf5 leaks on its own error paths (tests/fuzz/lsan.supp); in sanitizer
# builds only those are suppressed.
export LSAN_OPTIONS="suppressions=$SRC/tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export CIV_HDF5_GUARD_TIMEOUT=3
# the guard's private copies go to TMPDIR: all must be gone at the end
export TMPDIR="$WORK/tmp"
mkdir -p "$TMPDIR"
# (each run is also wrapped in timeout(1): a guard that regressed fails the
# test instead of hanging it)

n=0
for f in "$CRASHERS"/*; do
    name=$(basename "$f")
    [ "$name" = README.md ] && continue
    n=$((n + 1))
    cp "$f" "$WORK/$name.h5"
    for mode in panel table; do
        rm -f "$WORK/out.csv"
        start=$(date +%s)
        if [ $mode = panel ]; then
            timeout -k 5 60 "$CIV" info "$WORK/$name.h5" >"$WORK/stdout" 2>"$WORK/stderr"
        else
            timeout -k 5 60 "$CIV" convert --table "$WORK/$name.h5" "$WORK/out.csv" >"$WORK/stdout" 2>"$WORK/stderr"
        fi
        rc=$?
        took=$(($(date +%s) - start))
        if [ "$rc" -ne 2 ] && [ "$rc" -ne 3 ]; then
            fail "$name ($mode): exit $rc, expected 2 or 3: $(head -c 400 "$WORK/stderr")"
        fi
        grep -F "$WORK/$name.h5" "$WORK/stderr" >/dev/null || fail "$name ($mode): message does not name the file: $(head -c 400 "$WORK/stderr")"
        [ ! -e "$WORK/out.csv" ] || fail "$name ($mode): an output file was written"
        [ "$took" -le 30 ] || fail "$name ($mode): took ${took}s"
        case $name in
            hang_*) grep -F "did not finish within 3 s" "$WORK/stderr" >/dev/null \
                    || fail "$name ($mode): a hang not reported as one: $(head -c 400 "$WORK/stderr")" ;;
            segv_H5HG_read_schema_attr*) grep -E "HDF5 library (crashed|failed abnormally)" "$WORK/stderr" >/dev/null \
                    || fail "$name ($mode): a crash not reported as one: $(head -c 400 "$WORK/stderr")" ;;
        esac
    done
done
[ "$n" -ge 10 ] || fail "only $n crashers found in $CRASHERS"

# A valid file: same output with the guard on and off, and through convert.
"$CIV" convert "$SRC/datasets/demo_city/meals.csv" "$WORK/meals.h5" 2>"$WORK/stderr" || fail "convert to .h5: $(cat "$WORK/stderr")"
"$CIV" info "$WORK/meals.h5" >"$WORK/on.txt" 2>"$WORK/stderr" || fail "info with the guard: $(cat "$WORK/stderr")"
CIV_HDF5_GUARD=off "$CIV" info "$WORK/meals.h5" >"$WORK/off.txt" 2>"$WORK/stderr" || fail "info without the guard: $(cat "$WORK/stderr")"
cmp -s "$WORK/on.txt" "$WORK/off.txt" || fail "info differs with and without the guard"
"$CIV" convert "$WORK/meals.h5" "$WORK/back.csv" 2>"$WORK/stderr" || fail "convert back: $(cat "$WORK/stderr")"
cmp -s "$WORK/back.csv" "$SRC/datasets/demo_city/meals.csv" || fail "demo city does not round-trip through the guard"

# A damaged but harmless file keeps the reader's own message.
head -c 3000 "$WORK/meals.h5" >"$WORK/trunc.h5"
"$CIV" info "$WORK/trunc.h5" >/dev/null 2>"$WORK/stderr"
rc=$?
[ "$rc" -eq 3 ] || fail "truncated file: exit $rc"
grep -F "damaged or truncated" "$WORK/stderr" >/dev/null || fail "truncated file: $(cat "$WORK/stderr")"

# Bad settings are usage errors, named.
CIV_HDF5_GUARD=maybe "$CIV" info "$WORK/meals.h5" >/dev/null 2>"$WORK/stderr"
rc=$?
[ "$rc" -eq 1 ] && grep -F "CIV_HDF5_GUARD is 'maybe'" "$WORK/stderr" >/dev/null || fail "CIV_HDF5_GUARD=maybe: exit $rc: $(cat "$WORK/stderr")"
for bad in 0 -5 12x 99999999; do
    CIV_HDF5_GUARD_TIMEOUT=$bad "$CIV" info "$WORK/meals.h5" >/dev/null 2>"$WORK/stderr"
    rc=$?
    [ "$rc" -eq 1 ] && grep -F "CIV_HDF5_GUARD_TIMEOUT is '$bad'" "$WORK/stderr" >/dev/null \
        || fail "CIV_HDF5_GUARD_TIMEOUT=$bad: exit $rc: $(cat "$WORK/stderr")"
done
# CSV inputs never fork: a bad guard setting does not matter to them.
CIV_HDF5_GUARD=maybe "$CIV" info "$SRC/datasets/demo_city/meals.csv" >/dev/null 2>"$WORK/stderr" \
    || fail "a CSV input was affected by CIV_HDF5_GUARD: $(cat "$WORK/stderr")"

# The child's ordinary errors come back whole: file, field and message.
"$CIV" convert --table "$SRC/datasets/demo_city/communities.csv" "$WORK/comm.h5" 2>"$WORK/stderr" \
    || fail "convert a table to .h5: $(cat "$WORK/stderr")"
"$CIV" info "$WORK/comm.h5" >/dev/null 2>"$WORK/stderr"
rc=$?
[ "$rc" -eq 2 ] && grep -F "$WORK/comm.h5: schema is 'civicast.table'; expected 'civicast.panel' (field '/')" "$WORK/stderr" >/dev/null \
    || fail "a table given as a panel: exit $rc: $(cat "$WORK/stderr")"

left=$(find "$TMPDIR" -mindepth 1 | head -5)
[ -z "$left" ] || fail "the guard left files in TMPDIR: $left"
# An unusable TMPDIR is a clear I/O error, not a crash.
TMPDIR="$WORK/no/such/dir" "$CIV" info "$WORK/meals.h5" >/dev/null 2>"$WORK/stderr"
rc=$?
[ "$rc" -eq 3 ] && grep -F "cannot create a temporary folder" "$WORK/stderr" >/dev/null \
    || fail "TMPDIR missing: exit $rc: $(cat "$WORK/stderr")"

if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)" >&2
    exit 1
fi
echo "hdf5_guard: $n crashers refused cleanly (panel and table reads); guard settings checked"
