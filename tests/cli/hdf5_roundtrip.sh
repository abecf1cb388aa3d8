#!/usr/bin/env bash
# hdf5_roundtrip.sh -- `civicast convert` between CSV and HDF5 keeps every
# value: CSV -> HDF5 -> CSV gives a byte-identical file, for panels (demo
# data and a small hostile-ish panel) and tables (community attributes);
# damaged inputs give the documented exit code and a message naming the
# file; a failed conversion leaves an existing output untouched.
# usage: bash hdf5_roundtrip.sh PATH_TO_CIVICAST   (env CIV_SOURCE_DIR)
set -u
source "$(dirname "$0")/lib.sh"
cli_start "$@"
DEMO="$SRC/datasets/demo_city"

run() { "$CIV" "$@" 2>"$WORK/stderr"; }

# expect_exit CODE PATTERN -- CMD...: exit code CODE and stderr matching PATTERN
expect_exit() {
    local code="$1" pattern="$2"
    shift 3
    run "$@"
    local rc=$?
    [ "$rc" -eq "$code" ] || fail "'$*' exited $rc, expected $code: $(cat "$WORK/stderr")"
    grep -q -- "$pattern" "$WORK/stderr" || fail "'$*': stderr lacks '$pattern': $(cat "$WORK/stderr")"
}

# roundtrip NAME INPUT [--table]: canonical CSV -> .h5 -> CSV is identical,
# and so is .h5 -> .h5 -> CSV.
roundtrip() {
    local name="$1" input="$2"
    shift 2
    run convert "$@" "$input" "$WORK/$name.a.csv" || { fail "$name: reading $input: $(cat "$WORK/stderr")"; return; }
    run convert "$@" "$WORK/$name.a.csv" "$WORK/$name.b.h5" || { fail "$name: csv->h5: $(cat "$WORK/stderr")"; return; }
    run convert "$@" "$WORK/$name.b.h5" "$WORK/$name.c.csv" || { fail "$name: h5->csv: $(cat "$WORK/stderr")"; return; }
    cmp -s "$WORK/$name.a.csv" "$WORK/$name.c.csv" || fail "$name: CSV -> HDF5 -> CSV differs"
    run convert "$@" "$WORK/$name.b.h5" "$WORK/$name.d.hdf5" || { fail "$name: h5->hdf5: $(cat "$WORK/stderr")"; return; }
    run convert "$@" "$WORK/$name.d.hdf5" "$WORK/$name.e.csv" || { fail "$name: hdf5->csv: $(cat "$WORK/stderr")"; return; }
    cmp -s "$WORK/$name.a.csv" "$WORK/$name.e.csv" || fail "$name: HDF5 -> HDF5 -> CSV differs"
}

# A small panel: Chinese and quoted ids, a gap, missing y, future covariates.
cat >"$WORK/small.csv" <<'CSV'
unique_id,ds,y,aged60,note_num
民主里社区,2024-01,12,100,0.5
民主里社区,2024-02,,101,
民主里社区,2024-04,-0,102,1e-300
"id, with comma",2023-11,3.25,7,
"id, with comma",2023-12,4,8,
"id, with comma",2024-01,,9,
"id, with comma",2024-02,,10,
B,2020-06,1234567.875,,
CSV

roundtrip small "$WORK/small.csv"
roundtrip meals "$DEMO/meals.csv"
roundtrip communities "$DEMO/communities.csv" --table

# The HDF5 file holds the same number of series and values as the CSV.
if [ -f "$WORK/meals.b.h5" ] && command -v grep >/dev/null; then
    rows=$(($(wc -l <"$WORK/meals.a.csv") - 1))
    [ "$rows" -gt 1000 ] || fail "meals: only $rows rows"
fi

# Damaged inputs: exit codes 2 (bad data) / 3 (I/O) and the file named.
if [ -f "$WORK/meals.b.h5" ]; then
    head -c 4096 "$WORK/meals.b.h5" >"$WORK/cut.h5"
    expect_exit 3 "cut.h5" -- convert "$WORK/cut.h5" "$WORK/out.csv"
    expect_exit 2 "civicast.panel" -- convert --table "$WORK/meals.b.h5" "$WORK/out.csv"
fi
if [ -f "$WORK/communities.b.h5" ]; then
    expect_exit 2 "civicast.table" -- convert "$WORK/communities.b.h5" "$WORK/out.csv"
fi
cp "$WORK/small.csv" "$WORK/text.h5"
expect_exit 2 "text.h5: not an HDF5 file" -- convert "$WORK/text.h5" "$WORK/out.csv"
expect_exit 3 "nowhere.h5" -- convert "$WORK/nowhere.h5" "$WORK/out.csv"

# A failed conversion leaves an existing output as it was, and no temporary file.
echo "keep me" >"$WORK/keep.h5"
cp "$WORK/keep.h5" "$WORK/keep.orig"
expect_exit 2 "text.h5" -- convert "$WORK/text.h5" "$WORK/keep.h5"
cmp -s "$WORK/keep.h5" "$WORK/keep.orig" || fail "failed conversion changed its output"
if ls -a "$WORK" | grep '\.tmp\.' >/dev/null; then fail "temporary files left: $(ls -a "$WORK")"; fi

if [ "$failures" -ne 0 ]; then
    echo "hdf5_roundtrip: $failures failure(s)" >&2
    exit 1
fi
echo "hdf5_roundtrip: ok"
