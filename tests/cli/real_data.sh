#!/usr/bin/env bash
# real_data.sh -- data as people write it (issue 12), through the command:
# pandas-style day dates (first of month, month end, quarter starts, weeks)
# get the frequency of their spacing and forecasts in the same form; --freq
# overrides; refused cases name the series, the
# cell or the fix: irregular spacing, a weekly series next to a daily one,
# fractional levels, thousands separators, GBK text (and --encoding gb18030).
# usage: bash real_data.sh PATH_TO_CIVICAST
set -uo pipefail
civ=${1:?usage: real_data.sh PATH_TO_CIVICAST}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
expect_exit() { # expect_exit NAME CODE CMD...
  local name=$1 code=$2
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  [ "$got" -eq "$code" ] || fail "$name: exit $got, expected $code: $(cat "$tmp/err")"
}
expect_err() { grep -qE -- "$2" "$tmp/err" || fail "$1: stderr lacks /$2/: $(cat "$tmp/err")"; }
first_ds() { sed -n 2p "$1" | cut -d, -f2; }

# month starts, month ends (as pandas writes M), quarter starts, Sundays
gen() { # gen FILE DATE_CMD  -- 24 rows per series a, b; DATE_CMD t prints the date
  local f=$1
  shift
  echo "unique_id,ds,y" >"$f"
  for s in a b; do
    for t in $(seq 0 23); do
      printf '%s,%s,%s\n' "$s" "$("$@" "$t")" "$(awk -v t="$t" 'BEGIN { printf "%.1f", 50 + t + 5 * sin(t) }')" >>"$f"
    done
  done
}
ms() { date -u -d "2020-01-01 +$1 month" +%F; }
me() { date -u -d "$(date -u -d "2020-01-01 +$(($1 + 1)) month" +%F) -1 day" +%F; }
qs() { date -u -d "2020-01-01 +$(($1 * 3)) month" +%F; }
wk() { date -u -d "2020-01-05 +$(($1 * 7)) day" +%F; }
gen "$tmp/ms.csv" ms
gen "$tmp/me.csv" me
gen "$tmp/qs.csv" qs
gen "$tmp/wk.csv" wk
for c in "ms 2022-01-01 monthly" "me 2022-01-31 monthly" "qs 2026-01-01 quarterly" "wk 2020-06-21 weekly"; do
  set -- $c
  expect_exit "forecast $1" 0 "$civ" forecast "$tmp/$1.csv" --h 2 --model naive --out "$tmp/fc_$1.csv" --quiet
  [ "$(first_ds "$tmp/fc_$1.csv")" = "$2" ] || fail "$1: first forecast date $(first_ds "$tmp/fc_$1.csv"), expected $2"
  expect_exit "info $1" 0 "$civ" info "$tmp/$1.csv"
  grep -q "frequency    $3" "$tmp/out" || fail "info $1: $(cat "$tmp/out")"
done
# datetimes at midnight come back with their time
sed 's/^\([ab],[0-9-]*\),/\1 00:00:00,/' "$tmp/ms.csv" >"$tmp/dt.csv"
expect_exit "datetimes" 0 "$civ" forecast "$tmp/dt.csv" --h 1 --model naive --out "$tmp/fc_dt.csv" --quiet
[ "$(first_ds "$tmp/fc_dt.csv")" = "2022-01-01 00:00:00" ] || fail "datetimes: $(first_ds "$tmp/fc_dt.csv")"
# convert keeps the form
expect_exit "convert" 0 "$civ" convert "$tmp/me.csv" "$tmp/me2.csv"
cmp -s <(cut -d, -f1,2 "$tmp/me.csv") <(cut -d, -f1,2 "$tmp/me2.csv") || fail "convert changed month-end dates: $(head -3 "$tmp/me2.csv")"

# every other month: irregular, refused naming the series and the candidates; --freq MS reads it
awk -F, 'NR == 1 || $2 ~ /-(01|03|05|07|09|11)-01$/' "$tmp/ms.csv" >"$tmp/odd.csv"
expect_exit "irregular" 2 "$civ" forecast "$tmp/odd.csv" --h 1 --model naive --out "$tmp/x.csv"
expect_err "irregular" "series 'a' has first-of-month dates 2 months apart.*--freq MS"
expect_exit "--freq MS" 0 "$civ" forecast "$tmp/odd.csv" --h 1 --model naive --out "$tmp/fc_odd.csv" --quiet --freq MS
[ "$(first_ds "$tmp/fc_odd.csv")" = "2021-12-01" ] || fail "--freq MS: $(first_ds "$tmp/fc_odd.csv")"
expect_exit "--freq monthly" 0 "$civ" info "$tmp/odd.csv" --freq monthly
expect_exit "--freq bad" 1 "$civ" forecast "$tmp/odd.csv" --out "$tmp/x.csv" --freq fortnightly
expect_err "--freq bad" "unknown frequency 'fortnightly'"
# a weekly series next to a daily one
{ echo "unique_id,ds,y"; for t in 0 1 2 3; do echo "w,$(wk "$t"),1"; echo "d,$(date -u -d "2020-01-05 +$t day" +%F),1"; done; } >"$tmp/mixed.csv"
expect_exit "weekly + daily" 2 "$civ" info "$tmp/mixed.csv"
expect_err "weekly + daily" "series 'w' is weekly on Sundays .* but series 'd' is daily"

# levels are percentages
expect_exit "level fraction" 1 "$civ" forecast "$tmp/ms.csv" --level 0.95 --out "$tmp/x.csv"
expect_err "level fraction" "did you mean 95\?"

# thousands separators: the data file's row and column, not the spec
printf 'unique_id,population\nc1,1200\nc2,"12,345"\n' >"$tmp/comm.csv"
expect_exit "thousands" 2 "$civ" convert --table "$tmp/comm.csv" "$tmp/comm2.csv"
expect_err "thousands" "comm.csv:3:2: '12,345' is a number written with a thousands separator"

# GBK text: refused with the hint, read with --encoding gb18030
printf 'unique_id,ds,y\n\xc9\xe7\xc7\xf81,2024-01,1\n\xc9\xe7\xc7\xf81,2024-02,2\n' >"$tmp/gbk.csv"
expect_exit "gbk" 2 "$civ" info "$tmp/gbk.csv"
expect_err "gbk" "gbk.csv:2:1: .*CSV UTF-8.*--encoding gb18030"
expect_exit "gbk decoded" 0 "$civ" convert "$tmp/gbk.csv" "$tmp/utf8.csv" --encoding gb18030
grep -q "^社区1,2024-01,1$" "$tmp/utf8.csv" || fail "gbk decoded: $(cat "$tmp/utf8.csv")"
expect_exit "bad encoding" 1 "$civ" info "$tmp/gbk.csv" --encoding latin1

# a plan's [plan] freq / encoding: checked when read, --freq on the command line wins
src=$(cd "$(dirname "$0")/../data/plan" && pwd)
mkdir -p "$tmp/plan"
cp "$src"/* "$tmp/plan/"
sed -i 's/^spec = "plan.spec"$/spec = "plan.spec"\nfreq = "fortnightly"/' "$tmp/plan/plan.toml"
expect_exit "plan freq bad" 4 "$civ" plan "$tmp/plan/plan.toml" --out "$tmp/plan_out"
expect_err "plan freq bad" "plan.toml.*\\[plan\\] freq: unknown frequency 'fortnightly'"
sed -i 's/^freq = "fortnightly"$/freq = "monthly"\nencoding = "latin1"/' "$tmp/plan/plan.toml"
expect_exit "plan encoding bad" 1 "$civ" plan "$tmp/plan/plan.toml" --out "$tmp/plan_out"
expect_err "plan encoding bad" "--encoding must be utf-8 or gb18030"
sed -i 's/^encoding = "latin1"$/encoding = "utf-8"/' "$tmp/plan/plan.toml"
expect_exit "plan --freq wins" 2 "$civ" plan "$tmp/plan/plan.toml" --out "$tmp/plan_out" --freq QS
expect_err "plan --freq wins" "quarterly"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "real_data: all checks passed"
