#!/usr/bin/env bash
# info_convert.sh -- `civicast info` and `civicast convert` on good files:
# summaries, CSV -> CSV byte stability, CSV -> HDF5 -> CSV round trips of
# panels and tables, atomic outputs.
# usage: bash info_convert.sh PATH_TO_CIVICAST
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cli_start "$@"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
data=$here/../data
demo=$here/../../datasets/demo_city
run() { # run NAME CMD... : must exit 0 with nothing on stderr
  local name=$1
  shift
  if ! "$@" >"$WORK/out" 2>"$WORK/err"; then
    fail "$name: exit $?: $(cat "$WORK/err")"
    return 1
  fi
  [ -s "$WORK/err" ] && fail "$name: unexpected stderr: $(cat "$WORK/err")"
  return 0
}
expect_out() { # expect_out NAME REGEX
  grep -qE -- "$2" "$WORK/out" || fail "$1: output lacks /$2/: $(cat "$WORK/out")"
}

# ---- info -------------------------------------------------------------------
run "info monthly" "$CIV" info "$data/panel_monthly.csv" && {
  expect_out "info monthly" '^series +3$'
  expect_out "info monthly" '^frequency +monthly \(season length 12\)$'
  expect_out "info monthly" '^span +2024-01 \.\. 2024-04$'
  expect_out "info monthly" '^values +10, missing 3 '
  expect_out "info monthly" '^covariates +1: aged60$'
  expect_out "info monthly" '^future +1 series'
}
run "info attributes" "$CIV" info "$data/panel_monthly.csv" --attributes "$data/attributes.csv" && {
  expect_out "info attributes" '^attributes +3 columns for 4 ids: name households aged60_share$'
  expect_out "info attributes" '^linked +3 of 4 attribute rows have a series; 0 series lack attributes$'
}
run "info weekly" "$CIV" info "$data/panel_weekly.csv" && {
  expect_out "info weekly" '^frequency +weekly'
  expect_out "info weekly" '^span +2024-01-01 \.\. 2024-01-22$'
  expect_out "info weekly" '^values +5, missing 1 '
}
run "info daily with BOM" "$CIV" info "$data/panel_daily_bom.csv" && {
  expect_out "info daily" '^frequency +daily'
  expect_out "info daily" '^span +2024-02-27 \.\. 2024-03-01$'
}
run "info header only" "$CIV" info "$data/panel_header_only.csv" && {
  expect_out "info header only" '^series +0$'
  expect_out "info header only" '^span +- \.\. -$'
}

# ---- convert CSV -> CSV: canonical output, then byte-stable ------------------
for f in panel_monthly panel_weekly panel_daily_bom panel_header_only; do
  run "convert $f" "$CIV" convert "$data/$f.csv" "$WORK/$f.1.csv" &&
    run "convert $f again" "$CIV" convert "$WORK/$f.1.csv" "$WORK/$f.2.csv" &&
    { cmp -s "$WORK/$f.1.csv" "$WORK/$f.2.csv" || fail "convert $f: CSV -> CSV is not byte-stable"; }
done
# The canonical form: series in order of first appearance, rows by period,
# gaps filled, shortest numbers, quoting only where needed.
cat >"$WORK/expected.csv" <<'CSV'
unique_id,ds,y,aged60
民主里社区,2024-01,120,1100
民主里社区,2024-02,,1102
民主里社区,2024-03,,
民主里社区,2024-04,131.5,1105
民主里社区,2024-05,,1107
民主里社区,2024-06,,1109
"Block 7, east",2024-02,40,300
"Block 7, east",2024-03,42,
"Block 7, east",2024-04,41,302
C3,2024-01,0.30000000000000004,5
C3,2024-02,,
C3,2024-03,0.1,7
CSV
cmp -s "$WORK/expected.csv" "$WORK/panel_monthly.1.csv" ||
  fail "convert panel_monthly: unexpected canonical form: $(diff "$WORK/expected.csv" "$WORK/panel_monthly.1.csv")"
# CRLF and BOM are not kept: output is LF, no BOM.
head -c 3 "$WORK/panel_daily_bom.1.csv" | od -c | grep '357' >/dev/null && fail "convert kept the BOM"
grep -q $'\r' "$WORK/panel_weekly.1.csv" && fail "convert kept CRLF"

# The demo city is already canonical.
if [ -r "$demo/meals.csv" ]; then
  run "convert demo meals" "$CIV" convert "$demo/meals.csv" "$WORK/meals.csv" &&
    { cmp -s "$demo/meals.csv" "$WORK/meals.csv" || fail "demo meals.csv is not reproduced byte for byte"; }
  run "convert demo communities" "$CIV" convert --table "$demo/communities.csv" "$WORK/comm.1.csv" &&
    run "convert demo communities again" "$CIV" convert --table "$WORK/comm.1.csv" "$WORK/comm.2.csv" &&
    { cmp -s "$WORK/comm.1.csv" "$WORK/comm.2.csv" || fail "table CSV -> CSV is not byte-stable"; }
else
  echo "skip: demo city not found at $demo"
fi

# ---- CSV -> HDF5 -> CSV ------------------------------------------------------
"$CIV" convert "$data/panel_monthly.csv" "$WORK/p.h5" >/dev/null 2>"$WORK/err"
rc=$?
if [ $rc -eq 3 ] && grep -qi "unsupported" "$WORK/err"; then
  echo "skip: HDF5 panels are not supported by this build: $(cat "$WORK/err")"
elif [ $rc -ne 0 ]; then
  fail "convert CSV -> HDF5: exit $rc: $(cat "$WORK/err")"
else
  for f in panel_monthly panel_weekly panel_daily_bom; do
    run "convert $f to HDF5" "$CIV" convert "$data/$f.csv" "$WORK/$f.h5" &&
      run "convert $f back" "$CIV" convert "$WORK/$f.h5" "$WORK/$f.back.csv" &&
      { cmp -s "$WORK/$f.1.csv" "$WORK/$f.back.csv" || fail "$f: CSV -> HDF5 -> CSV differs"; }
    run "info $f.h5" "$CIV" info "$WORK/$f.h5"
  done
  run "convert table to HDF5" "$CIV" convert --table "$data/attributes.csv" "$WORK/attr.h5" &&
    run "convert table back" "$CIV" convert --table "$WORK/attr.h5" "$WORK/attr.back.csv" &&
    run "convert table CSV" "$CIV" convert --table "$data/attributes.csv" "$WORK/attr.1.csv" &&
    { cmp -s "$WORK/attr.1.csv" "$WORK/attr.back.csv" || fail "table CSV -> HDF5 -> CSV differs"; }
  if [ -r "$demo/meals.csv" ]; then
    run "demo to HDF5" "$CIV" convert "$demo/meals.csv" "$WORK/meals.h5" &&
      run "demo back" "$CIV" convert "$WORK/meals.h5" "$WORK/meals.back.csv" &&
      { cmp -s "$demo/meals.csv" "$WORK/meals.back.csv" || fail "demo CSV -> HDF5 -> CSV differs"; }
  fi
fi

# ---- files for people: --excel adds the UTF-8 BOM and keeps values exact;
# --precision N rounds; forecast takes the same options -----------------------
if run "convert --excel" "$CIV" convert "$data/panel_monthly.csv" "$WORK/excel.csv" --excel; then
  [ "$(head -c 3 "$WORK/excel.csv" | od -An -tx1 | tr -d ' ')" = "efbbbf" ] || fail "convert --excel wrote no BOM"
  run "convert the BOM file back" "$CIV" convert "$WORK/excel.csv" "$WORK/excel.back.csv" &&
    { cmp -s "$WORK/excel.back.csv" "$WORK/panel_monthly.1.csv" || fail "--excel changed the values"; }
fi
printf 'unique_id,ds,y\nA,2024-01,0.1234567891\nA,2024-02,2\n' >"$WORK/frac.csv"
run "convert --precision 3" "$CIV" convert "$WORK/frac.csv" "$WORK/frac3.csv" --precision 3 &&
  { grep -qx 'A,2024-01,0.123' "$WORK/frac3.csv" && grep -qx 'A,2024-02,2' "$WORK/frac3.csv" ||
      fail "convert --precision 3: $(cat "$WORK/frac3.csv")"; }
"$CIV" convert "$WORK/frac.csv" "$WORK/x.csv" --precision 0 >/dev/null 2>"$WORK/err" && fail "--precision 0 accepted"
grep -q "precision" "$WORK/err" || fail "--precision 0: message lacks 'precision': $(cat "$WORK/err")"
run "forecast --excel --precision 4" "$CIV" forecast "$data/panel_monthly.csv" --out "$WORK/fc4.csv" \
  --model naive --excel --precision 4 --quiet &&
  { [ "$(head -c 12 "$WORK/fc4.csv")" = $'\xef\xbb\xbfunique_id' ] || fail "forecast --excel: no BOM"; }

# ---- atomic output: a failed convert keeps the old file ----------------------
echo "old content" >"$WORK/keep.csv"
"$CIV" convert "$data/malformed/bad_number.csv" "$WORK/keep.csv" >/dev/null 2>&1
[ "$(cat "$WORK/keep.csv")" = "old content" ] || fail "a failed convert replaced the existing output"
ls -a "$WORK" | grep '\.tmp\.' >/dev/null && fail "a temporary file was left behind"

if [ "$failures" -ne 0 ]; then
  echo "info_convert.sh: $failures failure(s)" >&2
  exit 1
fi
echo "info_convert.sh: all passed"
