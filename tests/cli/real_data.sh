#!/usr/bin/env bash
# real_data.sh -- data as people write it (issue 12), through the command:
# pandas-style day dates (first of month, month end, quarter starts, weeks)
# get the frequency of their spacing and forecasts in the same form; --freq
# overrides; Excel's "2020/1/1 0:00" dates read as days; refused cases name
# the series, the cell or the fix: irregular spacing, a weekly series next to a daily one,
# fractional levels, thousands separators, GBK text (and --encoding gb18030);
# a spreadsheet's own column names (--id-col, --time-col, --target-col, [plan] id_column ...).
# usage: bash real_data.sh PATH_TO_CIVICAST
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cli_start "$@"
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
gen "$WORK/ms.csv" ms
gen "$WORK/me.csv" me
gen "$WORK/qs.csv" qs
gen "$WORK/wk.csv" wk
for c in "ms 2022-01-01 monthly" "me 2022-01-31 monthly" "qs 2026-01-01 quarterly" "wk 2020-06-21 weekly"; do
  set -- $c
  expect_code "forecast $1" 0 "$CIV" forecast "$WORK/$1.csv" --h 2 --model naive --out "$WORK/fc_$1.csv" --quiet
  [ "$(first_ds "$WORK/fc_$1.csv")" = "$2" ] || fail "$1: first forecast date $(first_ds "$WORK/fc_$1.csv"), expected $2"
  expect_code "info $1" 0 "$CIV" info "$WORK/$1.csv"
  grep -q "frequency    $3" "$WORK/out" || fail "info $1: $(cat "$WORK/out")"
done
# datetimes at midnight come back with their time
sed 's/^\([ab],[0-9-]*\),/\1 00:00:00,/' "$WORK/ms.csv" >"$WORK/dt.csv"
expect_code "datetimes" 0 "$CIV" forecast "$WORK/dt.csv" --h 1 --model naive --out "$WORK/fc_dt.csv" --quiet
[ "$(first_ds "$WORK/fc_dt.csv")" = "2022-01-01 00:00:00" ] || fail "datetimes: $(first_ds "$WORK/fc_dt.csv")"
# Excel's CSV export of date cells in a Chinese locale: a BOM and "2020/1/1 0:00";
# the same forecasts as the ISO file, dated in ISO form with the time kept
{ printf '\357\273\277'; sed 's/^\([ab]\),\([0-9]*\)-0*\([0-9]*\)-0*\([0-9]*\),/\1,\2\/\3\/\4 0:00,/' "$WORK/ms.csv"; } >"$WORK/excel.csv"
grep -q '^a,2020/1/1 0:00,' "$WORK/excel.csv" || fail "excel.csv not written as Excel does: $(sed -n 2p "$WORK/excel.csv")"
expect_code "excel dates" 0 "$CIV" forecast "$WORK/excel.csv" --h 2 --model naive --out "$WORK/fc_excel.csv" --quiet
[ "$(first_ds "$WORK/fc_excel.csv")" = "2022-01-01 00:00:00" ] || fail "excel dates: $(first_ds "$WORK/fc_excel.csv")"
cmp -s <(cut -d, -f1,3- "$WORK/fc_excel.csv") <(cut -d, -f1,3- "$WORK/fc_ms.csv") || fail "excel dates forecast differently"
sed 's/ 0:00,/,/' "$WORK/excel.csv" >"$WORK/excel_day.csv"
expect_code "excel days" 0 "$CIV" info "$WORK/excel_day.csv"
grep -q "frequency    monthly" "$WORK/out" || fail "excel days: $(cat "$WORK/out")"
printf 'unique_id,ds,y\na,2020/2/30,1\n' >"$WORK/excel_bad.csv"
expect_code "excel bad day" 2 "$CIV" info "$WORK/excel_bad.csv"
expect_err "excel bad day" "excel_bad.csv:2:2: bad date '2020/2/30': day 30 does not exist"
# convert keeps the form
expect_code "convert" 0 "$CIV" convert "$WORK/me.csv" "$WORK/me2.csv"
cmp -s <(cut -d, -f1,2 "$WORK/me.csv") <(cut -d, -f1,2 "$WORK/me2.csv") || fail "convert changed month-end dates: $(head -3 "$WORK/me2.csv")"

# every other month: irregular, refused naming the series and the candidates; --freq MS reads it
awk -F, 'NR == 1 || $2 ~ /-(01|03|05|07|09|11)-01$/' "$WORK/ms.csv" >"$WORK/odd.csv"
expect_code "irregular" 2 "$CIV" forecast "$WORK/odd.csv" --h 1 --model naive --out "$WORK/x.csv"
expect_err "irregular" "series 'a' has first-of-month dates 2 months apart.*--freq MS"
expect_code "--freq MS" 0 "$CIV" forecast "$WORK/odd.csv" --h 1 --model naive --out "$WORK/fc_odd.csv" --quiet --freq MS
[ "$(first_ds "$WORK/fc_odd.csv")" = "2021-12-01" ] || fail "--freq MS: $(first_ds "$WORK/fc_odd.csv")"
expect_code "--freq monthly" 0 "$CIV" info "$WORK/odd.csv" --freq monthly
expect_code "--freq bad" 1 "$CIV" forecast "$WORK/odd.csv" --out "$WORK/x.csv" --freq fortnightly
expect_err "--freq bad" "unknown frequency 'fortnightly'"
# a weekly series next to a daily one
{ echo "unique_id,ds,y"; for t in 0 1 2 3; do echo "w,$(wk "$t"),1"; echo "d,$(date -u -d "2020-01-05 +$t day" +%F),1"; done; } >"$WORK/mixed.csv"
expect_code "weekly + daily" 2 "$CIV" info "$WORK/mixed.csv"
expect_err "weekly + daily" "series 'w' is weekly on Sundays .* but series 'd' is daily"

# levels are percentages
expect_code "level fraction" 1 "$CIV" forecast "$WORK/ms.csv" --level 0.95 --out "$WORK/x.csv"
expect_err "level fraction" "did you mean 95\?"

# thousands separators: the data file's row and column, not the spec
printf 'unique_id,population\nc1,1200\nc2,"12,345"\n' >"$WORK/comm.csv"
expect_code "thousands" 2 "$CIV" convert --table "$WORK/comm.csv" "$WORK/comm2.csv"
expect_err "thousands" "comm.csv:3:2: '12,345' is a number written with a thousands separator"
expect_err "thousands" 'read the file with --thousands ","'
# read with --thousands: the same table as plain digits; a grouping not in threes is named at its cell
expect_code "thousands read" 0 "$CIV" convert --table "$WORK/comm.csv" "$WORK/comm2.csv" --thousands ,
grep -q '^c2,12345$' "$WORK/comm2.csv" || fail "thousands read: $(cat "$WORK/comm2.csv")"
printf 'unique_id,population\nc1,"1,200"\nc2,"12,34"\n' >"$WORK/comm3.csv"
expect_code "thousands bad group" 2 "$CIV" convert --table "$WORK/comm3.csv" "$WORK/comm4.csv" --thousands ,
expect_err "thousands bad group" "comm3.csv:3:2: '12,34' is not a number.*grouped in threes"
expect_code "thousands bad option" 1 "$CIV" info "$WORK/comm.csv" --thousands .
expect_err "thousands bad option" '--thousands must be ","'
# --percent: "33.3%" as 0.333; without it the cell is named with the option
printf 'unique_id,aged_share\nc1,33.3%%\nc2,"1,012.5%%"\n' >"$WORK/pct.csv"
expect_code "percent" 2 "$CIV" convert --table "$WORK/pct.csv" "$WORK/pct2.csv"
expect_err "percent" "pct.csv:2:2: '33.3%' is a number written with a percent sign: read the file with --percent"
# the spreadsheet's cure names the Percentage format, not the 1000 separator the cell does not have
expect_err "percent" "format the column as Number, not Percentage .33.3% becomes 0.333. .field"
expect_code "percent read" 0 "$CIV" convert --table "$WORK/pct.csv" "$WORK/pct2.csv" --percent --thousands ,
[ "$(tail -n +2 "$WORK/pct2.csv" | tr '\n' ' ')" = "c1,0.333 c2,10.125 " ] || fail "percent read: $(cat "$WORK/pct2.csv")"
# a panel: y and covariates, the same forecasts as plain digits
awk -F, 'NR == 1 { print; next } { v = sprintf("%d", $3 * 1000 + 0.5); print $1 "," $2 "," v }' "$WORK/ms.csv" \
  >"$WORK/ms_plain.csv"
awk -F, 'NR == 1 { print; next } { n = length($3); print $1 "," $2 ",\"" substr($3, 1, n - 3) "," substr($3, n - 2) "\"" }' \
  "$WORK/ms_plain.csv" >"$WORK/ms_grouped.csv"
grep -q '^a,2020-01-01,"50,000"$' "$WORK/ms_grouped.csv" || fail "grouped fixture: $(sed -n 2p "$WORK/ms_grouped.csv")"
expect_code "forecast grouped" 0 "$CIV" forecast "$WORK/ms_grouped.csv" --h 2 --model naive --thousands , \
  --out "$WORK/fc_grouped.csv" --quiet
expect_code "forecast plain" 0 "$CIV" forecast "$WORK/ms_plain.csv" --h 2 --model naive --out "$WORK/fc_plain.csv" --quiet
cmp -s "$WORK/fc_grouped.csv" "$WORK/fc_plain.csv" || fail "grouped forecasts differ from plain"
expect_code "forecast grouped no option" 2 "$CIV" forecast "$WORK/ms_grouped.csv" --h 2 --out "$WORK/x.csv" --quiet
expect_err "forecast grouped no option" "ms_grouped.csv:2:3: '.*' is a number written with a thousands separator"

# GBK text: refused with the hint, read with --encoding gb18030
printf 'unique_id,ds,y\n\xc9\xe7\xc7\xf81,2024-01,1\n\xc9\xe7\xc7\xf81,2024-02,2\n' >"$WORK/gbk.csv"
expect_code "gbk" 2 "$CIV" info "$WORK/gbk.csv"
expect_err "gbk" "gbk.csv:2:1: .*CSV UTF-8.*--encoding gb18030"
expect_code "gbk decoded" 0 "$CIV" convert "$WORK/gbk.csv" "$WORK/utf8.csv" --encoding gb18030
grep -q "^社区1,2024-01,1$" "$WORK/utf8.csv" || fail "gbk decoded: $(cat "$WORK/utf8.csv")"
expect_code "bad encoding" 1 "$CIV" info "$WORK/gbk.csv" --encoding latin1

# a plan's [plan] freq / encoding: checked when read, --freq on the command line wins
src=$(cd "$(dirname "$0")/../data/plan" && pwd)
mkdir -p "$WORK/plan"
cp "$src"/* "$WORK/plan/"
sed -i 's/^spec = "plan.spec"$/spec = "plan.spec"\nfreq = "fortnightly"/' "$WORK/plan/plan.toml"
expect_code "plan freq bad" 4 "$CIV" plan "$WORK/plan/plan.toml" --out "$WORK/plan_out"
expect_err "plan freq bad" "plan.toml.*\\[plan\\] freq: unknown frequency 'fortnightly'"
sed -i 's/^freq = "fortnightly"$/freq = "monthly"\nencoding = "latin1"/' "$WORK/plan/plan.toml"
expect_code "plan encoding bad" 4 "$CIV" plan "$WORK/plan/plan.toml" --out "$WORK/plan_out"
expect_err "plan encoding bad" 'plan.toml:[0-9]*:12: \[plan\] encoding: must be "utf-8" or "gb18030"'
sed -i 's/^encoding = "latin1"$/encoding = "utf-8"\nthousands = "."/' "$WORK/plan/plan.toml"
expect_code "plan thousands bad" 4 "$CIV" plan "$WORK/plan/plan.toml" --out "$WORK/plan_out"
expect_err "plan thousands bad" "plan.toml:.*\\[plan\\] thousands.*must be \",\""
sed -i -e '/^thousands = /d' -e 's/^encoding = "utf-8"$/encoding = "latin1"/' "$WORK/plan/plan.toml"
sed -i 's/^encoding = "latin1"$/encoding = "utf-8"/' "$WORK/plan/plan.toml"
expect_code "plan --freq wins" 2 "$CIV" plan "$WORK/plan/plan.toml" --out "$WORK/plan_out" --freq QS
expect_err "plan --freq wins" "quarterly"

# Chinese-locale dates (2020年1月, 2020年1月1日, 2020年第1季度) read as their ISO forms
awk -F, 'NR == 1 { print; next } { split($2, d, "-"); printf "%s,%d年%d月,%s\n", $1, d[1], d[2], $3 }' "$WORK/ms.csv" \
  >"$WORK/zh_month.csv"
sed -n 2p "$WORK/zh_month.csv" | grep -q '^a,2020年1月,' || fail "zh_month fixture: $(sed -n 2p "$WORK/zh_month.csv")"
expect_code "forecast zh months" 0 "$CIV" forecast "$WORK/zh_month.csv" --h 2 --model naive --out "$WORK/fc_zh_month.csv" \
  --quiet
cmp -s <(cut -d, -f1,3- "$WORK/fc_zh_month.csv") <(cut -d, -f1,3- "$WORK/fc_ms.csv") || fail "2020年1月 forecasts differ"
[ "$(first_ds "$WORK/fc_zh_month.csv")" = 2022-01 ] || fail "2020年1月: first forecast $(first_ds "$WORK/fc_zh_month.csv")"
printf 'unique_id,ds,y\na,2020年第1季度,1\na,2020年第2季度,2\na,2020年第3季度,3\n' >"$WORK/zh_q.csv"
expect_code "info zh quarters" 0 "$CIV" info "$WORK/zh_q.csv"
grep -q "frequency    quarterly" "$WORK/out" || fail "info zh quarters: $(cat "$WORK/out")"
printf 'unique_id,ds,y\na,2020年1月5日,1\na,2020年1月6日,2\na,2020年1月7日,3\n' >"$WORK/zh_d.csv"
expect_code "info zh days" 0 "$CIV" info "$WORK/zh_d.csv"
grep -q "frequency    daily" "$WORK/out" || fail "info zh days: $(cat "$WORK/out")"
printf 'unique_id,ds,y\na,2020年1月,1\na,2020年13月,2\n' >"$WORK/zh_bad.csv"
expect_code "zh bad month" 2 "$CIV" info "$WORK/zh_bad.csv"
expect_err "zh bad month" "zh_bad.csv:3:2: bad date '2020年13月': month 13 is not 1..12"

# a spreadsheet's own column names: --id-col / --time-col / --target-col read
# them as unique_id, ds, y (the same forecasts as the renamed file); a plan's
# [plan] id_column ... name the panel's (manifest.json says so), its spec's
# [data] id the communities'.
{ printf '\xEF\xBB\xBF社区编号,月份,用餐人次\n'; tail -n +2 "$WORK/ms.csv"; } >"$WORK/zh.csv"
expect_code "forecast zh no names" 2 "$CIV" forecast "$WORK/zh.csv" --h 2 --model naive --out "$WORK/fc_zh.csv" --quiet
expect_err "forecast zh no names" \
  "no 'unique_id' column .*this one has 社区编号, 月份, 用餐人次.*--id-col, --time-col, --target-col"
expect_code "forecast zh" 0 "$CIV" forecast "$WORK/zh.csv" --h 2 --model naive --out "$WORK/fc_zh.csv" --quiet \
  --id-col 社区编号 --time-col 月份 --target-col 用餐人次
cmp -s "$WORK/fc_zh.csv" "$WORK/fc_ms.csv" || fail "forecast with --id-col ... differs from the renamed file's"
expect_code "forecast zh typo" 2 "$CIV" forecast "$WORK/zh.csv" --h 2 --out "$WORK/fc_zh2.csv" --quiet \
  --id-col 社区编号 --time-col 月份 --target-col 用餐
expect_err "forecast zh typo" "zh.csv:1: the header has no column '用餐' .given for y. and no 'y'"
expect_code "forecast empty name" 1 "$CIV" forecast "$WORK/zh.csv" --h 2 --out "$WORK/fc_zh2.csv" --id-col ""
expect_err "forecast empty name" "--id-col needs a column name"
expect_code "info zh" 0 "$CIV" info "$WORK/zh.csv" --id-col 社区编号 --time-col 月份 --target-col 用餐人次
grep -q "series       2" "$WORK/out" || fail "info zh: $(cat "$WORK/out")"
sed -i -e '/^freq = /d' -e '/^encoding = /d' "$WORK/plan/plan.toml"
{ echo "社区编号,月份,用餐人次"; tail -n +2 "$WORK/plan/meals.csv"; } >"$WORK/plan/meals_zh.csv"
sed '1s/^unique_id,/社区编号,/' "$WORK/plan/communities.csv" >"$WORK/plan/communities_zh.csv"
expect_code "plan standard" 0 "$CIV" plan "$WORK/plan/plan.toml" --out "$WORK/plan_std"
sed -i -e 's/^panel = "meals.csv"$/panel = "meals_zh.csv"/' \
  -e 's/^communities = "communities.csv"$/communities = "communities_zh.csv"\nid_column = "社区编号"\ntime_column = "月份"/' \
  "$WORK/plan/plan.toml"
expect_code "plan zh without target" 2 "$CIV" plan "$WORK/plan/plan.toml" --out "$WORK/plan_zh"
expect_err "plan zh without target" "meals_zh.csv:1: the header has no 'y' column"
# the communities are keyed by the spec's [data] id (as in allocate), not by the panel's --id-col
expect_code "plan zh communities" 2 "$CIV" plan "$WORK/plan/plan.toml" --out "$WORK/plan_zh" --target-col 用餐人次
expect_err "plan zh communities" "no text id column 'unique_id' .the spec's \\[data\\] id names the key column"
sed -i 's/^\[data\]$/[data]\nid = "社区编号"/' "$WORK/plan/plan.spec"
expect_code "plan zh" 0 "$CIV" plan "$WORK/plan/plan.toml" --out "$WORK/plan_zh" --target-col 用餐人次
for f in forecasts.csv allocation.csv need.csv; do
  cmp -s "$WORK/plan_std/$f" "$WORK/plan_zh/$f" || fail "plan with the file's own names: $f differs"
done
grep -q '"id_column": "社区编号"' "$WORK/plan_zh/manifest.json" || fail "manifest lacks id_column"
grep -q '"target_column": "用餐人次"' "$WORK/plan_zh/manifest.json" || fail "manifest lacks --target-col"
# an HDF5 table keyed by --id-col as the CSV it came from, guarded or not (before 2026-12-07 .h5 lost it)
expect_code "table zh h5" 0 "$CIV" convert --table "$WORK/plan/communities_zh.csv" "$WORK/communities_zh.h5"
expect_code "table zh csv" 0 "$CIV" convert --table "$WORK/plan/communities_zh.csv" "$WORK/keyed.csv" --id-col 社区编号
head -1 "$WORK/keyed.csv" | grep -q '^unique_id,' || fail "convert --table --id-col: $(head -1 "$WORK/keyed.csv")"
for guard in fork off; do
  expect_code "h5 --id-col $guard" 0 env CIV_HDF5_GUARD=$guard "$CIV" convert --table "$WORK/communities_zh.h5" \
    "$WORK/keyed_$guard.csv" --id-col 社区编号
  cmp -s "$WORK/keyed_$guard.csv" "$WORK/keyed.csv" || fail "h5 --id-col $guard: not the CSV's table"
done

# wide files (a row per series, a column per period): --wide-input, [plan] layout = "wide"
pivot() { # pivot LONG ID_HEADER: unique_id,ds,y rows -> one row per id, one column per ds
  awk -F, -v idh="$2" 'NR > 1 { v[$1 SUBSEP $2] = $3; if (!($2 in sd)) { sd[$2] = 1; d[++nd] = $2 }
    if (!($1 in si)) { si[$1] = 1; s[++ns] = $1 } }
    END { printf "%s", idh; for (i = 1; i <= nd; i++) printf ",%s", d[i]; print ""
      for (j = 1; j <= ns; j++) { printf "%s", s[j]; for (i = 1; i <= nd; i++) printf ",%s", v[s[j] SUBSEP d[i]]; print "" } }' "$1"
}
pivot "$WORK/ms.csv" 社区编号 >"$WORK/wide.csv"
expect_code "forecast wide" 0 "$CIV" forecast "$WORK/wide.csv" --wide-input --h 2 --model naive \
  --out "$WORK/fc_wide.csv" --quiet
cmp -s "$WORK/fc_wide.csv" "$WORK/fc_ms.csv" || fail "wide forecasts differ from long ones"
expect_code "forecast wide as long" 2 "$CIV" forecast "$WORK/wide.csv" --h 2 --out "$WORK/fc_wide2.csv" --quiet
expect_err "forecast wide as long" "24 of its columns are dates .*--wide-input"
expect_code "convert wide" 0 "$CIV" convert "$WORK/wide.csv" "$WORK/wide_long.csv" --wide-input
expect_code "convert long" 0 "$CIV" convert "$WORK/ms.csv" "$WORK/ms_long.csv"
cmp -s "$WORK/wide_long.csv" "$WORK/ms_long.csv" || fail "convert --wide-input: $(head -3 "$WORK/wide_long.csv")"
mkdir -p "$WORK/plan_w"
cp "$src"/* "$WORK/plan_w/"
pivot "$WORK/plan_w/meals.csv" unique_id >"$WORK/plan_w/meals_wide.csv"
sed -i 's/^panel = "meals.csv"$/panel = "meals_wide.csv"\nlayout = "wide"/' "$WORK/plan_w/plan.toml"
expect_code "plan wide" 0 "$CIV" plan "$WORK/plan_w/plan.toml" --out "$WORK/plan_wide"
for f in forecasts.csv allocation.csv; do
  cmp -s "$WORK/plan_std/$f" "$WORK/plan_wide/$f" || fail "plan with a wide panel: $f differs"
done
grep -q '"layout": "wide"' "$WORK/plan_wide/manifest.json" || fail "manifest lacks layout"
sed -i 's/^layout = "wide"$/layout = "tall"/' "$WORK/plan_w/plan.toml"
expect_code "plan layout bad" 4 "$CIV" plan "$WORK/plan_w/plan.toml" --out "$WORK/plan_wide"
expect_err "plan layout bad" 'plan.toml:[0-9]*:[0-9]*: .*must be "long" .* or "wide"'
sed -i '/^layout = "tall"$/d' "$WORK/plan_w/plan.toml"
expect_code "plan --wide-input" 0 "$CIV" plan "$WORK/plan_w/plan.toml" --out "$WORK/plan_wide" --wide-input
cmp -s "$WORK/plan_std/forecasts.csv" "$WORK/plan_wide/forecasts.csv" || fail "plan --wide-input differs"

# an Excel export in long form with a total block per month ('合计,2020-01,...' among the series): named at
# its first row by convert and forecast, not read as one more series (before: 3 series, the sum forecast)
{ head -1 "$WORK/ms.csv"; awk -F, 'NR > 1 { s[$2] += $3; print } END { for (d in s) print "合计," d "," s[d] }' \
  "$WORK/ms.csv" | sort -t, -k2,2 -s; } >"$WORK/total.csv"
expect_code "convert total block" 2 "$CIV" convert "$WORK/total.csv" "$WORK/total_out.csv"
expect_err "convert total block" \
  "total.csv:[0-9]*:1: '合计' looks like the sheet's total row, not a series: .*delete them"
[ ! -e "$WORK/total_out.csv" ] || fail "convert total block wrote its output"
expect_code "forecast total block" 2 "$CIV" forecast "$WORK/total.csv" --h 2 --model naive --out "$WORK/fc_total.csv"
expect_err "forecast total block" "'合计' looks like the sheet's total row"
grep '^合计,\|^unique_id' "$WORK/total.csv" >"$WORK/total_alone.csv"
expect_code "total alone" 0 "$CIV" forecast "$WORK/total_alone.csv" --h 2 --model naive \
  --out "$WORK/fc_alone.csv" --quiet

# a wide file's dates are written as a long file's of the same dates: the day of the period its headers name
# (month ends stay month ends) and a midnight time (pandas' Timestamp headers) are kept; 2024/1 and 2024年1月
# become ISO months, in both layouts (docs/CLI.md, "Wide files")
for hdr in "2024-01-31,2024-02-29,2024-03-31|2024-04-30" "2024-01-01 00:00:00,2024-02-01 00:00:00,2024-03-01 \
00:00:00|2024-04-01 00:00:00" "2024/1,2024/2,2024/3|2024-04" "2024年1月,2024年2月,2024年3月|2024-04"; do
    cols=${hdr%|*} want=${hdr#*|}
    printf 'unique_id,%s\nA,1,2,3\n' "$cols" >"$WORK/wide_style.csv"
    printf 'unique_id,ds,y\n' >"$WORK/long_style.csv"
    k=1; IFS=,; for d in $cols; do printf 'A,%s,%s\n' "$d" "$k" >>"$WORK/long_style.csv"; k=$((k + 1)); done; unset IFS
    expect_code "wide style $want" 0 "$CIV" forecast "$WORK/wide_style.csv" --wide-input --h 1 --model naive \
      --out "$WORK/fc_wide_style.csv" --quiet
    expect_code "long style $want" 0 "$CIV" forecast "$WORK/long_style.csv" --h 1 --model naive \
      --out "$WORK/fc_long_style.csv" --quiet
    grep -q "^A,$want,1," "$WORK/fc_wide_style.csv" || fail "wide $cols: $(tail -1 "$WORK/fc_wide_style.csv")"
    cmp -s "$WORK/fc_wide_style.csv" "$WORK/fc_long_style.csv" || fail "wide $cols: not the long file's dates"
done

[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "real_data: all checks passed"
