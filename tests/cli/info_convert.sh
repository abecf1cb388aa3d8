#!/usr/bin/env bash
# info_convert.sh -- `civicast info` and `civicast convert` on good files:
# summaries, CSV -> CSV byte stability, CSV -> HDF5 -> CSV round trips of
# panels and tables, atomic outputs.
# usage: bash info_convert.sh PATH_TO_CIVICAST
set -uo pipefail
civ=${1:?usage: info_convert.sh PATH_TO_CIVICAST}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
data=$here/../data
demo=$here/../../datasets/demo_city
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
run() { # run NAME CMD... : must exit 0 with nothing on stderr
  local name=$1
  shift
  if ! "$@" >"$tmp/out" 2>"$tmp/err"; then
    fail "$name: exit $?: $(cat "$tmp/err")"
    return 1
  fi
  [ -s "$tmp/err" ] && fail "$name: unexpected stderr: $(cat "$tmp/err")"
  return 0
}
expect_out() { # expect_out NAME REGEX
  grep -qE -- "$2" "$tmp/out" || fail "$1: output lacks /$2/: $(cat "$tmp/out")"
}

# ---- info -------------------------------------------------------------------
run "info monthly" "$civ" info "$data/panel_monthly.csv" && {
  expect_out "info monthly" '^series +3$'
  expect_out "info monthly" '^frequency +monthly \(season length 12\)$'
  expect_out "info monthly" '^span +2024-01 \.\. 2024-04$'
  expect_out "info monthly" '^values +10, missing 3 '
  expect_out "info monthly" '^covariates +1: aged60$'
  expect_out "info monthly" '^future +1 series'
}
run "info attributes" "$civ" info "$data/panel_monthly.csv" --attributes "$data/attributes.csv" && {
  expect_out "info attributes" '^attributes +3 columns for 4 ids: name households aged60_share$'
  expect_out "info attributes" '^linked +3 of 4 attribute rows have a series; 0 series lack attributes$'
}
run "info weekly" "$civ" info "$data/panel_weekly.csv" && {
  expect_out "info weekly" '^frequency +weekly'
  expect_out "info weekly" '^span +2024-01-01 \.\. 2024-01-22$'
  expect_out "info weekly" '^values +5, missing 1 '
}
run "info daily with BOM" "$civ" info "$data/panel_daily_bom.csv" && {
  expect_out "info daily" '^frequency +daily'
  expect_out "info daily" '^span +2024-02-27 \.\. 2024-03-01$'
}
run "info header only" "$civ" info "$data/panel_header_only.csv" && {
  expect_out "info header only" '^series +0$'
  expect_out "info header only" '^span +- \.\. -$'
}

# ---- convert CSV -> CSV: canonical output, then byte-stable ------------------
for f in panel_monthly panel_weekly panel_daily_bom panel_header_only; do
  run "convert $f" "$civ" convert "$data/$f.csv" "$tmp/$f.1.csv" &&
    run "convert $f again" "$civ" convert "$tmp/$f.1.csv" "$tmp/$f.2.csv" &&
    { cmp -s "$tmp/$f.1.csv" "$tmp/$f.2.csv" || fail "convert $f: CSV -> CSV is not byte-stable"; }
done
# The canonical form: series in order of first appearance, rows by period,
# gaps filled, shortest numbers, quoting only where needed.
cat >"$tmp/expected.csv" <<'CSV'
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
cmp -s "$tmp/expected.csv" "$tmp/panel_monthly.1.csv" ||
  fail "convert panel_monthly: unexpected canonical form: $(diff "$tmp/expected.csv" "$tmp/panel_monthly.1.csv")"
# CRLF and BOM are not kept: output is LF, no BOM.
head -c 3 "$tmp/panel_daily_bom.1.csv" | od -c | grep '357' >/dev/null && fail "convert kept the BOM"
grep -q $'\r' "$tmp/panel_weekly.1.csv" && fail "convert kept CRLF"

# The demo city is already canonical.
if [ -r "$demo/meals.csv" ]; then
  run "convert demo meals" "$civ" convert "$demo/meals.csv" "$tmp/meals.csv" &&
    { cmp -s "$demo/meals.csv" "$tmp/meals.csv" || fail "demo meals.csv is not reproduced byte for byte"; }
  run "convert demo communities" "$civ" convert --table "$demo/communities.csv" "$tmp/comm.1.csv" &&
    run "convert demo communities again" "$civ" convert --table "$tmp/comm.1.csv" "$tmp/comm.2.csv" &&
    { cmp -s "$tmp/comm.1.csv" "$tmp/comm.2.csv" || fail "table CSV -> CSV is not byte-stable"; }
else
  echo "skip: demo city not found at $demo"
fi

# ---- CSV -> HDF5 -> CSV ------------------------------------------------------
"$civ" convert "$data/panel_monthly.csv" "$tmp/p.h5" >/dev/null 2>"$tmp/err"
rc=$?
if [ $rc -eq 3 ] && grep -qi "unsupported" "$tmp/err"; then
  echo "skip: HDF5 panels are not supported by this build: $(cat "$tmp/err")"
elif [ $rc -ne 0 ]; then
  fail "convert CSV -> HDF5: exit $rc: $(cat "$tmp/err")"
else
  for f in panel_monthly panel_weekly panel_daily_bom; do
    run "convert $f to HDF5" "$civ" convert "$data/$f.csv" "$tmp/$f.h5" &&
      run "convert $f back" "$civ" convert "$tmp/$f.h5" "$tmp/$f.back.csv" &&
      { cmp -s "$tmp/$f.1.csv" "$tmp/$f.back.csv" || fail "$f: CSV -> HDF5 -> CSV differs"; }
    run "info $f.h5" "$civ" info "$tmp/$f.h5"
  done
  run "convert table to HDF5" "$civ" convert --table "$data/attributes.csv" "$tmp/attr.h5" &&
    run "convert table back" "$civ" convert --table "$tmp/attr.h5" "$tmp/attr.back.csv" &&
    run "convert table CSV" "$civ" convert --table "$data/attributes.csv" "$tmp/attr.1.csv" &&
    { cmp -s "$tmp/attr.1.csv" "$tmp/attr.back.csv" || fail "table CSV -> HDF5 -> CSV differs"; }
  if [ -r "$demo/meals.csv" ]; then
    run "demo to HDF5" "$civ" convert "$demo/meals.csv" "$tmp/meals.h5" &&
      run "demo back" "$civ" convert "$tmp/meals.h5" "$tmp/meals.back.csv" &&
      { cmp -s "$demo/meals.csv" "$tmp/meals.back.csv" || fail "demo CSV -> HDF5 -> CSV differs"; }
  fi
fi

# ---- files for people: --excel adds the UTF-8 BOM and keeps values exact;
# --precision N rounds; forecast takes the same options -----------------------
if run "convert --excel" "$civ" convert "$data/panel_monthly.csv" "$tmp/excel.csv" --excel; then
  [ "$(head -c 3 "$tmp/excel.csv" | od -An -tx1 | tr -d ' ')" = "efbbbf" ] || fail "convert --excel wrote no BOM"
  run "convert the BOM file back" "$civ" convert "$tmp/excel.csv" "$tmp/excel.back.csv" &&
    { cmp -s "$tmp/excel.back.csv" "$tmp/panel_monthly.1.csv" || fail "--excel changed the values"; }
fi
printf 'unique_id,ds,y\nA,2024-01,0.1234567891\nA,2024-02,2\n' >"$tmp/frac.csv"
run "convert --precision 3" "$civ" convert "$tmp/frac.csv" "$tmp/frac3.csv" --precision 3 &&
  { grep -qx 'A,2024-01,0.123' "$tmp/frac3.csv" && grep -qx 'A,2024-02,2' "$tmp/frac3.csv" ||
      fail "convert --precision 3: $(cat "$tmp/frac3.csv")"; }
"$civ" convert "$tmp/frac.csv" "$tmp/x.csv" --precision 0 >/dev/null 2>"$tmp/err" && fail "--precision 0 accepted"
grep -q "precision" "$tmp/err" || fail "--precision 0: message lacks 'precision': $(cat "$tmp/err")"
run "forecast --excel --precision 4" "$civ" forecast "$data/panel_monthly.csv" --out "$tmp/fc4.csv" \
  --model naive --excel --precision 4 --quiet &&
  { [ "$(head -c 12 "$tmp/fc4.csv")" = $'\xef\xbb\xbfunique_id' ] || fail "forecast --excel: no BOM"; }

# ---- atomic output: a failed convert keeps the old file ----------------------
echo "old content" >"$tmp/keep.csv"
"$civ" convert "$data/malformed/bad_number.csv" "$tmp/keep.csv" >/dev/null 2>&1
[ "$(cat "$tmp/keep.csv")" = "old content" ] || fail "a failed convert replaced the existing output"
ls -a "$tmp" | grep '\.tmp\.' >/dev/null && fail "a temporary file was left behind"

if [ "$fails" -ne 0 ]; then
  echo "info_convert.sh: $fails failure(s)" >&2
  exit 1
fi
echo "info_convert.sh: all passed"
