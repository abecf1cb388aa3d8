#!/usr/bin/env bash
# monitor.sh -- `civicast monitor`: --help; the demo city's indicators print
# the month's alerts by department and write status.csv/alerts.csv; the
# plan's four risks print their levels; the planted sensor incidents raise
# inactivity alerts; early warning on the city roll-up writes its tables;
# demand against its forecast; bad input names file, line and field, exits
# with the documented code and writes nothing.
# usage: bash monitor.sh PATH_TO_CIVICAST   (env CIV_SOURCE_DIR)
set -u
source "$(dirname "$0")/lib.sh"
cli_start "$@"
DEMO="$SRC/datasets/demo_city"

# 1. help
"$CIV" monitor --help >"$WORK/help" || fail "monitor --help failed"
for word in "--warn" "--risks" "--events" "--demand-actuals" "MONITORING.md"; do
    grep -q -- "$word" "$WORK/help" || fail "monitor --help lacks '$word'"
done

# 2. the demo: alerts by department, risks, inactivity
"$CIV" monitor "$DEMO/indicators.toml" "$DEMO/monitoring.csv" --risks "$DEMO/risks.csv" \
    --events "$DEMO/sensor_events.csv" --out "$WORK/out" >"$WORK/stdout" 2>"$WORK/stderr" ||
    fail "demo monitor failed: $(cat "$WORK/stderr")"
grep -q "alerts 2024-12" "$WORK/stdout" || fail "no alert line for 2024-12"
# the alerts come right under their line, by department; the series without a value are said after the last
# (printed between them, "not reported ... 6 of 1200 street series have no value" headed the alerts' list)
grep -A1 "^alerts 2024-12" "$WORK/stdout" | tail -1 | grep -Eq "^  [^ ].*: [0-9]+$" ||
    fail "the line under 'alerts' is not a department's: $(grep -A1 "^alerts 2024-12" "$WORK/stdout")"
awk '/^alerts 2024-12/ {a = 1; next} a && /^    / {last = NR} /^not reported 2024-12 .* 6 of 1200 street series/ \
     {nr = NR} END {exit !(last && nr == last + 1)}' "$WORK/stdout" ||
    fail "'not reported' does not follow the last alert: $(grep -n -B1 "^not reported" "$WORK/stdout")"
grep -q "市司法局" "$WORK/stdout" || fail "the justice bureau's alerts are not listed"
grep -q "1. high .*政策冲突风险" "$WORK/stdout" || fail "policy conflict is not the first, high risk"
grep -q "medium .*社会抵触风险" "$WORK/stdout" || fail "social resistance is not medium"
grep -q "STILL OPEN" "$WORK/stdout" || fail "the open incident at the end is not reported"
# every inactivity time is UTC and says so (the alert's and the resumption's were printed bare, read as local)
grep -Eq "no activity since [0-9T:-]+ UTC, alert at [0-9T:-]+ UTC .* resumed [0-9T:-]+ UTC$" "$WORK/stdout" ||
    fail "an inactivity line has a time without its zone: $(grep -m1 "no activity since" "$WORK/stdout")"
for f in status.csv alerts.csv risks.csv risk_matrix.csv inactivity.csv; do
    [ -s "$WORK/out/$f" ] || fail "monitor did not write $f"
    # for people (departments open alerts.csv in Excel): the UTF-8 mark, or 市司法局 shows as garbage
    [ "$(head -c 3 "$WORK/out/$f" | od -An -tx1 | tr -d ' ')" = efbbbf ] || fail "$f has no byte-order mark"
done
[ -e "$WORK/out/warning.csv" ] && fail "warning.csv written without --warn"
# each alert's actual and target as its indicator's kind says (they were bare fractions, "0.2863 vs 0.35", read
# as 0.29 people): a rate in percent, a count whole with its unit, a level with its unit, and a miss never
# printed as its target (99.7% vs 100%, not 100% vs 100%)
for want in "volunteer_share .* 6\.3% vs 13% " "participation .* 28\.6% vs 35% " "major_accidents .* 2 起 vs 1 起 " \
    "response_minutes .* 15\.84 分钟 vs 15 分钟 " "emergency_supplies .* 99\.7% vs 100% "; do
    grep -Eq "$want" "$WORK/stdout" || fail "no alert line '$want': $(grep -m3 ' misses since ' "$WORK/stdout")"
done
grep -E " misses since " "$WORK/stdout" | grep -Eq "(^| )0\.[0-9]+ vs " &&
    fail "an alert line shows a bare fraction: $(grep -E -m1 ' 0\.[0-9]+ vs ' "$WORK/stdout")"
for f in status.csv alerts.csv; do # the kind and unit of each row, after the columns that were there
    head -1 "$WORK/out/$f" | grep -q ",kind,value_unit.\?$" || fail "$f's header: $(head -1 "$WORK/out/$f")"
done
# the actuals as pandas' to_csv writes a Timestamp column (2023-01-01): the same months, the same alerts
# (they were refused: "ds '2023-01-01' is not a year, quarter or month")
awk -F, 'BEGIN { OFS = "," } NR > 1 { $4 = $4 "-01" } { print }' "$DEMO/monitoring.csv" >"$WORK/stamped.csv"
"$CIV" monitor "$DEMO/indicators.toml" "$WORK/stamped.csv" --out "$WORK/stamped" >"$WORK/stamped.out" 2>&1 ||
    fail "Timestamp-dated actuals refused: $(cat "$WORK/stamped.out")"
cmp -s "$WORK/out/alerts.csv" "$WORK/stamped/alerts.csv" || fail "Timestamp-dated actuals give other alerts"
# the alert columns line up on the terminal when a unit is a Chinese district name (padded by display
# width: 松林区 is 9 bytes but 6 columns): " vs " stands at one display column in every alert line
"$PY" - "$WORK/stdout" <<'PY' || fail "the alert columns do not line up for Chinese unit names"
import sys, unicodedata
cols = set()
for line in open(sys.argv[1], encoding="utf-8"):
    if " misses since " in line:
        head = line[:line.index(" vs ")]
        cols.add(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in head))
sys.exit(0 if len(cols) == 1 else 1)
PY
# the alert file lists, for 2024-12, as many rows as the printed count
n_printed=$(sed -n 's/^alerts 2024-12 *\([0-9]*\) open.*/\1/p' "$WORK/stdout")
n_rows=$(($(wc -l <"$WORK/out/alerts.csv") - 1))
[ "$n_printed" = "$n_rows" ] || fail "printed $n_printed alerts, alerts.csv has $n_rows"
# --no-excel: the files for programs, without the mark; the same rows
"$CIV" monitor "$DEMO/indicators.toml" "$DEMO/monitoring.csv" --risks "$DEMO/risks.csv" \
    --events "$DEMO/sensor_events.csv" --out "$WORK/out_plain_files" --no-excel >/dev/null 2>&1 ||
    fail "--no-excel failed"
[ "$(head -c 10 "$WORK/out_plain_files/alerts.csv")" = "department" ] || fail "--no-excel wrote a mark"
tail -c +4 "$WORK/out/alerts.csv" | cmp -s - "$WORK/out_plain_files/alerts.csv" || fail "--no-excel changed alerts.csv"
# with a time of day (midnights moved by a time zone, as pandas writes converted Timestamps): the date's own
# reason at its line (it was "ds '2023-01-01 08:00:00+08:00' is not a year, quarter or month")
awk -F, 'BEGIN { OFS = "," } NR > 1 { $4 = $4 "-01 08:00:00+08:00" } { print }' "$DEMO/monitoring.csv" \
    >"$WORK/zoned.csv"
expect_exit 2 "zoned.csv:2:4: ds: date '2023-01-01 08:00:00+08:00' has a time of day in its time zone" -- \
    monitor "$DEMO/indicators.toml" "$WORK/zoned.csv"
expect_exit 1 "contradict" -- monitor "$DEMO/indicators.toml" "$DEMO/monitoring.csv" --excel --no-excel
# a sheet's own column names with numeric community codes and Chinese months: the same statuses
cat >"$WORK/own.toml" <<'TOML'
[monitor]
unit_column = "社区编号"
indicator_column = "指标"
time_column = "月份"
value_column = "数值"
denominator_column = "户数"
[[indicator]]
id = "coverage"
target = 0.9
department = "民政局"
TOML
printf 'unit,indicator,ds,value,denominator\n310101001,coverage,2024-01,0.95,100\n310101001,coverage,2024-02,0.8,100\n310101002,coverage,2024-01,0.7,50\n' \
    >"$WORK/std.csv"
printf '\xef\xbb\xbf社区编号,指标,月份,数值,户数\n310101001,coverage,2024年1月,0.95,100\n310101001,coverage,2024年2月,0.8,100\n310101002,coverage,2024年1月,0.7,50\n' \
    >"$WORK/own.csv"
grep -v '^unit_column\|^indicator_column\|^time_column\|^value_column\|^denominator_column' "$WORK/own.toml" \
    >"$WORK/std.toml"
"$CIV" monitor "$WORK/own.toml" "$WORK/own.csv" --out "$WORK/own" >/dev/null 2>"$WORK/stderr" ||
    fail "own column names failed: $(cat "$WORK/stderr")"
"$CIV" monitor "$WORK/std.toml" "$WORK/std.csv" --out "$WORK/std" >/dev/null 2>&1 || fail "standard names failed"
cmp -s "$WORK/own/status.csv" "$WORK/std/status.csv" || fail "own column names changed the statuses"
grep -q "^community\|310101001" "$WORK/own/status.csv" || fail "the codes are not in status.csv"
# --period picks another month
"$CIV" monitor "$DEMO/indicators.toml" "$DEMO/monitoring.csv" --period 2024-06 >"$WORK/stdout" 2>&1 ||
    fail "--period 2024-06 failed"
grep -q "alerts 2024-06" "$WORK/stdout" || fail "--period 2024-06 not used"
# a day is the period it falls in, as Python's period= takes a Timestamp (before 2026-12-07: refused)
for day in 2024-06-01 2024-06-30 2024-06-15; do
    "$CIV" monitor "$DEMO/indicators.toml" "$DEMO/monitoring.csv" --period $day >"$WORK/stdout_day" 2>&1 ||
        fail "--period $day failed: $(head -1 "$WORK/stdout_day")"
    cmp -s "$WORK/stdout" "$WORK/stdout_day" || fail "--period $day is not --period 2024-06"
done
# a period of another form, or outside the actuals: named as a period, with the span (was "period 8097 ...")
expect_exit 2 "--period '2024-Q2' is not a monthly period like the actuals' (2023-01 .. 2024-12)" -- \
    monitor "$DEMO/indicators.toml" "$DEMO/monitoring.csv" --period 2024-Q2
expect_exit 2 "--period '2025-03' is outside the actuals, which span 2023-01 .. 2024-12" -- \
    monitor "$DEMO/indicators.toml" "$DEMO/monitoring.csv" --period 2025-03

# a sheet from Excel on a Chinese Windows: GB18030, denominators written "390,000";
# --encoding gb18030 --thousands , give the statuses and risks of the same sheet in UTF-8 with plain digits
awk -F, 'NR == 1 { print; next } { $6 = $6 * 1000; print }' OFS=, "$DEMO/monitoring.csv" >"$WORK/plain.csv"
awk -F, 'function group(s) { return length(s) <= 3 ? s : group(substr(s, 1, length(s) - 3)) "," substr(s, length(s) - 2) }
    NR == 1 { print; next } { $6 = "\"" group($6) "\""; print }' OFS=, "$WORK/plain.csv" | iconv -f utf-8 -t gb18030 >"$WORK/excel.csv"
iconv -f utf-8 -t gb18030 "$DEMO/risks.csv" >"$WORK/risks_gbk.csv"
grep -q ',"390,000"$' "$WORK/excel.csv" || fail "excel fixture: $(sed -n 2p "$WORK/excel.csv")"
"$CIV" monitor "$DEMO/indicators.toml" "$WORK/plain.csv" --risks "$DEMO/risks.csv" --out "$WORK/out_plain" \
    >/dev/null 2>"$WORK/stderr" || fail "plain monitor failed: $(cat "$WORK/stderr")"
"$CIV" monitor "$DEMO/indicators.toml" "$WORK/excel.csv" --risks "$WORK/risks_gbk.csv" --out "$WORK/out_excel" \
    --encoding gb18030 --thousands , >/dev/null 2>"$WORK/stderr" || fail "excel monitor failed: $(cat "$WORK/stderr")"
for f in status.csv alerts.csv risks.csv; do
    cmp -s "$WORK/out_plain/$f" "$WORK/out_excel/$f" || fail "$f differs between the Excel sheet and the plain one"
done
"$CIV" monitor "$DEMO/indicators.toml" "$WORK/excel.csv" --encoding gb18030 >/dev/null 2>"$WORK/stderr"
[ $? -eq 2 ] || fail "grouped denominators without --thousands: exit $?"
grep -q 'excel.csv:2:6: .*--thousands ","' "$WORK/stderr" || fail "no --thousands hint: $(cat "$WORK/stderr")"

# 2b. the next month as a planner appends it: 2024-12's rows again as 2025-01, with street D02-S05
#     missing and a new street D01-S09 (a copy of D01-S02) in 澜中区; the missing street and the
#     new one are said (26 series without a value: D02-S05's 20 and 6 empty cells of the demo), and
#     the district's counts before 2025-01 are the same as without the month
{
    cat "$DEMO/monitoring.csv"
    awk -F, 'BEGIN{OFS=","} $4 == "2024-12" && $1 != "D02-S05" {$4 = "2025-01"; print; if ($1 == "D01-S02") {
        $1 = "D01-S09"; print}}' "$DEMO/monitoring.csv"
} >"$WORK/next.csv"
"$CIV" monitor "$DEMO/indicators.toml" "$WORK/next.csv" --out "$WORK/next" >"$WORK/stdout" 2>"$WORK/stderr" ||
    fail "next month failed: $(cat "$WORK/stderr")"
grep -q "^not reported 2025-01 .* 26 of 1220 street series have no value; 1 street sent nothing: D02-S05$" \
    "$WORK/stdout" || fail "the street that sent nothing is not said: $(sed -n 3p "$WORK/stdout")"
grep -q "^new in 2025-01 .* 1 street reports for the first time: D01-S09$" "$WORK/stdout" ||
    fail "the new street is not said: $(sed -n 4p "$WORK/stdout")"
grep -q "mediation_success .* D02-S05 *not reported vs" "$WORK/stdout" ||
    fail "an unreported alert prints no 'not reported'"
for ind in major_accidents fraud_cases; do
    grep "^district,澜中区,$ind,.*,2024-" "$WORK/out/status.csv" >"$WORK/before"
    grep "^district,澜中区,$ind,.*,2024-" "$WORK/next/status.csv" >"$WORK/after"
    cmp -s "$WORK/before" "$WORK/after" || fail "a new street changed 澜中区's $ind history: $(diff "$WORK/before" \
        "$WORK/after" | head -3)"
done
# a month whose values are all empty is not an all-clear
awk -F, 'BEGIN{OFS=","} NR == 1 {print} $4 == "2024-12" {$5 = ""; print}' "$DEMO/monitoring.csv" >"$WORK/empty.csv"
"$CIV" monitor "$DEMO/indicators.toml" "$WORK/empty.csv" >"$WORK/stdout" 2>&1 || fail "an empty month failed"
grep -q "^not reported 2024-12 .* 1200 of 1200 street series have no value; 60 streets sent nothing: D01-S01, " \
    "$WORK/stdout" || fail "an empty month is not said: $(cat "$WORK/stdout")"

# 3. early warning on the city series (naive, fast) and demand against forecast
"$CIV" monitor "$DEMO/indicators.toml" "$DEMO/monitoring.csv" --warn 3 --model naive --warn-scope city \
    --threads 1 --out "$WORK/warn" >"$WORK/stdout" 2>"$WORK/stderr" || fail "early warning failed: $(cat "$WORK/stderr")"
grep -q "early warning .* of 20 series" "$WORK/stdout" || fail "early warning line missing"
[ "$(($(wc -l <"$WORK/warn/warning_steps.csv") - 1))" -eq 60 ] || fail "warning_steps.csv should have 20 x 3 rows"
# the threshold written as a percentage with its sign is the probability: the same warnings as 0.2
for thr in 0.2 20%; do
    "$CIV" monitor "$DEMO/indicators.toml" "$DEMO/monitoring.csv" --warn 3 --model naive --warn-scope city \
        --threads 1 --threshold "$thr" --out "$WORK/warn_$thr" >"$WORK/stdout" 2>"$WORK/stderr" ||
        fail "--threshold $thr failed: $(cat "$WORK/stderr")"
done
cmp -s "$WORK/warn_0.2/warning.csv" "$WORK/warn_20%/warning.csv" || fail "--threshold 20% is not --threshold 0.2"
# the terminal lists the warned series, those that warn only later in the horizon too (the city's fraud cases
# warn from 2025-02 at 0.2: before 2026-12-07 only a next period >= the threshold was listed), and says how many
# more warn than the ten it shows, and where they all are (it said nothing of them)
grep -q "fraud_cases .* first warning 2025-02" "$WORK/stdout" || fail "a series warning later is not listed"
"$CIV" monitor "$DEMO/indicators.toml" "$DEMO/monitoring.csv" --warn 3 --model naive --warn-scope district \
    --threads 1 --threshold 0.2 --out "$WORK/warn_d" >"$WORK/stdout" 2>"$WORK/stderr" ||
    fail "district early warning failed: $(cat "$WORK/stderr")"
warned=$(/usr/bin/python3 -c "
import csv, sys
print(sum(1 for r in csv.DictReader(open(sys.argv[1], encoding='utf-8-sig')) if r['first_warning']))
" "$WORK/warn_d/warning.csv")
[ "$warned" -gt 10 ] || fail "the district case should warn more than ten series ($warned)"
grep -q "^early warning .* $warned of 160 series warn" "$WORK/stdout" ||
    fail "early warning count: $(cat "$WORK/stdout")"
[ "$(grep -c '^  P(miss next)' "$WORK/stdout")" -eq 10 ] || fail "not ten warned series listed"
grep -q "^  \.\.\. and $((warned - 10)) more that warn: warning.csv and monitoring.xlsx list them all" \
    "$WORK/stdout" || fail "no '... and N more' line: $(grep -A12 '^early' "$WORK/stdout")"
# a street renamed mid-year (D01-S04 reports as D01-S04新 from 2024-07): the month it happens names the likely
# cause and the [[closed]] table that says so; the table, as printed, is read and closes the old name there
# (before 2026-12-07 the "sent nothing" and "new in" lines stood apart)
awk -F, -v OFS=, 'NR > 1 && $1 == "D01-S04" && $4 >= "2024-07" {$1 = "D01-S04新"} 1' "$DEMO/monitoring.csv" \
    >"$WORK/renamed.csv"
"$CIV" monitor "$DEMO/indicators.toml" "$WORK/renamed.csv" --period 2024-07 >"$WORK/stdout" 2>&1 ||
    fail "renamed street: $(cat "$WORK/stdout")"
hint='renamed or merged? if D01-S04 became D01-S04新, say so in the indicator file'
grep -q "$hint" "$WORK/stdout" || fail "no renamed-unit hint: $(grep -A2 '^not reported' "$WORK/stdout")"
{ cat "$DEMO/indicators.toml"; echo "[[closed]]"
  sed -n 's/.*\[\[closed\]\] unit = \("[^"]*"\), from = \("[^"]*"\), into = \("[^"]*"\).*/unit = \1\nfrom = \2\ninto = \3/p' \
      "$WORK/stdout"; } >"$WORK/renamed.toml"
"$CIV" monitor "$WORK/renamed.toml" "$WORK/renamed.csv" --period 2024-07 >"$WORK/stdout" 2>&1 ||
    fail "the printed [[closed]]: $(cat "$WORK/stdout")"
grep -q "^closed in 2024-07 .*D01-S04 (into D01-S04新)" "$WORK/stdout" || fail "the printed [[closed]] did not close"
grep -q "renamed or merged" "$WORK/stdout" && fail "the hint stays once the unit is closed"
# one month only: nothing can be forecast, exit 6, and the line says why (it said only how many)
awk -F, 'NR == 1 || $4 == "2024-12"' "$DEMO/monitoring.csv" >"$WORK/one_month.csv"
"$CIV" monitor "$DEMO/indicators.toml" "$WORK/one_month.csv" --warn 3 --warn-scope city >"$WORK/stdout" 2>&1
[ $? -eq 6 ] || fail "early warning on one month: exit not 6"
grep -q "20 forecasts failed" "$WORK/stdout" || fail "one month: no failure count: $(cat "$WORK/stdout")"
grep -q "^  the first that failed: city:city:policy_awareness: .*the series has 1" "$WORK/stdout" ||
    fail "one month: the reason is not said: $(cat "$WORK/stdout")"
printf 'unique_id,ds,h,model,mean,lo-80,hi-80,lo-95,hi-95\nC1,2025-01,1,m,100,90,110,85,115\nC1,2025-02,2,m,100,90,110,85,115\n' \
    >"$WORK/fc.csv"
printf 'unique_id,ds,y\nC1,2025-01,120\nC1,2025-02,101\n' >"$WORK/act.csv"
"$CIV" monitor --demand-forecasts "$WORK/fc.csv" --demand-actuals "$WORK/act.csv" --out "$WORK/dem" \
    >"$WORK/stdout" 2>"$WORK/stderr" || fail "demand check failed: $(cat "$WORK/stderr")"
grep -q "1 ahead" "$WORK/stdout" || fail "demand 120 vs hi-95 115 is not ahead"
grep -q "^C1,2025-01,120,100,20,95,ahead" "$WORK/dem/demand.csv" || fail "demand.csv row: $(cat "$WORK/dem/demand.csv")"
# a forecast file of two models (`forecast --model ets,theta`, long): each row of demand.csv says its model (the
# ets and theta rows of one series and month could not be told apart) and the summary counts per model
printf 'unique_id,ds,h,model,mean,lo-80,hi-80,lo-95,hi-95\nC1,2025-01,1,AutoETS,100,90,110,85,115
C1,2025-02,2,AutoETS,100,90,110,85,115\nC1,2025-01,1,Theta,125,115,135,110,140
C1,2025-02,2,Theta,125,115,135,110,140\n' >"$WORK/fc2.csv"
"$CIV" monitor --demand-forecasts "$WORK/fc2.csv" --demand-actuals "$WORK/act.csv" --out "$WORK/dem2" \
    >"$WORK/stdout" 2>"$WORK/stderr" || fail "demand check of two models failed: $(cat "$WORK/stderr")"
grep -q "^demand vs forecast     4 checks of the actuals by several models" "$WORK/stdout" ||
    fail "two models: $(cat "$WORK/stdout")"
grep -Eq "^  AutoETS +2 actuals: 1 ahead of their forecast interval, 0 behind$" "$WORK/stdout" ||
    fail "two models: no AutoETS line: $(cat "$WORK/stdout")"
grep -Eq "^  Theta +2 actuals: 0 ahead of their forecast interval, 1 behind$" "$WORK/stdout" ||
    fail "two models: no Theta line: $(cat "$WORK/stdout")"
head -1 "$WORK/dem2/demand.csv" | grep -q "^.\?unique_id,ds,actual,mean,deviation_pct,level,flag,model.\?$" ||
    fail "two models: demand.csv header: $(head -1 "$WORK/dem2/demand.csv")"
grep -q "^C1,2025-01,120,125,-4,,within,Theta" "$WORK/dem2/demand.csv" ||
    fail "two models: demand.csv rows: $(cat "$WORK/dem2/demand.csv")"
# two series, model by model (pd.concat of two models' frames): counted per model too
{ echo "unique_id,ds,h,model,mean,lo-80,hi-80,lo-95,hi-95"
  for m in AutoETS Theta; do for id in C1 C2; do echo "$id,2025-01,1,$m,100,90,110,85,115"; done; done; } \
    >"$WORK/fc3.csv"
printf 'unique_id,ds,y\nC1,2025-01,120\nC2,2025-01,101\n' >"$WORK/act3.csv"
"$CIV" monitor --demand-forecasts "$WORK/fc3.csv" --demand-actuals "$WORK/act3.csv" >"$WORK/stdout" 2>&1 ||
    fail "demand check of two models, model by model: $(cat "$WORK/stdout")"
grep -Eq "^  Theta +2 actuals: 1 ahead of their forecast interval, 0 behind$" "$WORK/stdout" ||
    fail "two models, model by model: not counted per model: $(cat "$WORK/stdout")"
# 40 models (a --model list that long): every one has its line, in the order they come (until 2026-12-07 only the
# first 32 were tracked, and 8 models' actuals went uncounted without a word)
{ echo "unique_id,ds,h,model,mean,lo-80,hi-80,lo-95,hi-95"
  for k in $(seq -w 1 40); do echo "C1,2025-01,1,M$k,$((80 + 10#$k)),$((75 + 10#$k)),$((85 + 10#$k)),$((70 + 10#$k)),$((90 + 10#$k))"; done
} >"$WORK/fc40.csv"
"$CIV" monitor --demand-forecasts "$WORK/fc40.csv" --demand-actuals "$WORK/act.csv" >"$WORK/stdout" 2>&1 ||
    fail "demand check of 40 models: $(cat "$WORK/stdout")"
grep -q "^demand vs forecast     40 checks of the actuals by several models" "$WORK/stdout" ||
    fail "40 models: $(cat "$WORK/stdout")"
[ "$(grep -Ec '^  M[0-9]{2} +1 actuals: ' "$WORK/stdout")" = 40 ] || fail "40 models: not 40 lines: $(cat "$WORK/stdout")"
grep -Eq "^  M29 +1 actuals: 1 ahead of their forecast interval, 0 behind$" "$WORK/stdout" ||
    fail "40 models: M29 (actual 120, hi-80 114) is not ahead: $(cat "$WORK/stdout")"
grep -Eq "^  M40 +1 actuals: 0 ahead of their forecast interval, 0 behind$" "$WORK/stdout" ||
    fail "40 models: M40 (actual 120 within 115 .. 125 at 80%) is not within: $(cat "$WORK/stdout")"
tail -1 "$WORK/stdout" | grep -q "^  M40 " || fail "40 models: M40 is not the last line: $(cat "$WORK/stdout")"
# a panel dated by days (2024-01-01, ...): `forecast` writes its forecasts so, and they check against
# actuals dated so (each ds the first day of its month; refused as "not monthly" before)
printf 'unique_id,ds,y\n' >"$WORK/days.csv"
for m in 01 02 03 04 05 06 07 08 09 10 11 12; do echo "C1,2024-$m-01,$((100 + 10#$m % 3))" >>"$WORK/days.csv"; done
"$CIV" forecast "$WORK/days.csv" --h 2 --model naive --out "$WORK/days_fc.csv" >/dev/null 2>"$WORK/stderr" ||
    fail "forecast of the day-dated panel failed: $(cat "$WORK/stderr")"
grep -q "^C1,2025-01-01," "$WORK/days_fc.csv" || fail "forecast ds: $(sed -n 2p "$WORK/days_fc.csv")"
printf 'unique_id,ds,y\nC1,2025-01-01,101\nC1,2025-02-01,200\n' >"$WORK/days_act.csv"
"$CIV" monitor --demand-forecasts "$WORK/days_fc.csv" --demand-actuals "$WORK/days_act.csv" --out "$WORK/days_dem" \
    >"$WORK/stdout" 2>"$WORK/stderr" || fail "demand check of day-dated forecasts failed: $(cat "$WORK/stderr")"
grep -q "2 actuals: 1 ahead" "$WORK/stdout" || fail "day-dated demand: $(cat "$WORK/stdout")"
# a day inside a month: refused at the forecasts file's line (the message named neither)
sed 's/^C1,2025-02-01,/C1,2025-02-15,/' "$WORK/days_fc.csv" >"$WORK/mid_fc.csv"
expect_exit 2 "mid_fc.csv:3: forecast ds '2025-02-15' is a day inside a monthly period" -- \
    monitor --demand-forecasts "$WORK/mid_fc.csv" --demand-actuals "$WORK/days_act.csv"

# 4. bad input: file, line, field; nothing written
head -3 "$DEMO/monitoring.csv" >"$WORK/bad.csv"
echo "D01-S01,澜中区,covrage,2024-01,0.9,100" >>"$WORK/bad.csv"
expect_exit 2 "bad.csv:4.*unknown indicator 'covrage'.*field 'indicator'" -- monitor "$DEMO/indicators.toml" \
    "$WORK/bad.csv" --risks "$DEMO/risks.csv" --out "$WORK/nothing"
[ -e "$WORK/nothing" ] && fail "an output folder was made on bad input"
head -3 "$DEMO/monitoring.csv" >"$WORK/rate.csv"
echo "D01-S01,澜中区,service_coverage,2024-01,95,100" >>"$WORK/rate.csv"
expect_exit 2 "rate.csv:4.*outside \[0, 1\].*field 'value'" -- monitor "$DEMO/indicators.toml" "$WORK/rate.csv"
sed 's/^target = 0.95$/# no target/' "$DEMO/indicators.toml" >"$WORK/notarget.toml"
expect_exit 4 "notarget.toml:.*missing key 'target'" -- monitor "$WORK/notarget.toml" "$DEMO/monitoring.csv"
printf 'person,ts\na,2025-01-01T08:00:00\nb,2025-01-01T09:00:00\na,2025-01-01T07:30:00\n' >"$WORK/ev.csv"
expect_exit 2 "ev.csv:4:2: .*out of order: person 'a''s event .* at line 2 .*field 'ts'" -- \
    monitor --events "$WORK/ev.csv" --out "$WORK/nothing"
# a log sorted by person, then time, and one in Beijing time with its zone (as pandas writes tz-aware
# Timestamps): the demo's alerts (before 2026-12-07 both refused)
(head -1 "$DEMO/sensor_events.csv"; tail -n +2 "$DEMO/sensor_events.csv" | LC_ALL=C sort -s -t, -k1,1) \
    >"$WORK/ev_by_person.csv"
/usr/bin/python3 -c "
import pandas as pd, sys
e = pd.read_csv(sys.argv[1]); e['ts'] = pd.to_datetime(e.ts).dt.tz_convert('Asia/Shanghai')
e.to_csv(sys.argv[2], index=False)
" "$DEMO/sensor_events.csv" "$WORK/ev_zoned.csv"
"$CIV" monitor --events "$DEMO/sensor_events.csv" | tail -n +2 >"$WORK/ev_ref.txt"
for f in ev_by_person ev_zoned; do
    "$CIV" monitor --events "$WORK/$f.csv" | tail -n +2 >"$WORK/$f.txt" || fail "monitor --events $f.csv"
    cmp -s "$WORK/ev_ref.txt" "$WORK/$f.txt" || fail "monitor --events $f.csv: not the demo's alerts"
done
# the same log in Beijing time without its zone (an office's export): --local-times reads the demo's alerts
# (in UTC), and without it the command says the times had no zone and were read as UTC (8 hours late, silently,
# before 2026-12-07)
sed -e 's/+08:00$//' "$WORK/ev_zoned.csv" >"$WORK/ev_local.csv"
"$CIV" monitor --events "$WORK/ev_local.csv" --local-times >"$WORK/ev_local.txt" || fail "monitor --local-times"
head -n -1 "$WORK/ev_local.txt" | tail -n +2 | cmp -s "$WORK/ev_ref.txt" - ||
    fail "monitor --events ev_local.csv --local-times: not the demo's alerts: $(cat "$WORK/ev_local.txt")"
grep -q "^  [0-9]* event times without a zone read as local time (UTC+8)" "$WORK/ev_local.txt" ||
    fail "--local-times does not say how it read the times: $(tail -1 "$WORK/ev_local.txt")"
"$CIV" monitor --events "$WORK/ev_local.csv" >"$WORK/ev_naive.txt" || fail "monitor --events ev_local.csv"
grep -q "^  [0-9]* event times have no zone and were read as UTC: .*add --local-times$" "$WORK/ev_naive.txt" ||
    fail "times without a zone read as UTC without a word: $(tail -1 "$WORK/ev_naive.txt")"
grep -q "event times" "$WORK/ev_ref.txt" && fail "the demo's times (with Z) drew the hint"
expect_exit 1 "--local-times .* needs --events" -- monitor --risks "$DEMO/risks.csv" --local-times
# --utc-offset H: local time is UTC + H, for the hour bins and --local-times (it was always UTC+8): the log in
# UTC+5 without its zone, read with --local-times --utc-offset 5, gives the zoned log's alerts at --utc-offset 5
/usr/bin/python3 -c "
import pandas as pd, sys
e = pd.read_csv(sys.argv[1]); e['ts'] = (pd.to_datetime(e.ts) + pd.Timedelta(hours=5)).dt.strftime('%Y-%m-%d %H:%M:%S')
e.to_csv(sys.argv[2], index=False)
" "$DEMO/sensor_events.csv" "$WORK/ev_local5.csv"
"$CIV" monitor --events "$DEMO/sensor_events.csv" --utc-offset 5 --out "$WORK/ev5z" >"$WORK/ev5z.txt" ||
    fail "monitor --utc-offset 5: $(cat "$WORK/ev5z.txt")"
"$CIV" monitor --events "$WORK/ev_local5.csv" --local-times --utc-offset 5 --out "$WORK/ev5l" >"$WORK/ev5l.txt" ||
    fail "monitor --local-times --utc-offset 5: $(cat "$WORK/ev5l.txt")"
cmp -s "$WORK/ev5z/inactivity.csv" "$WORK/ev5l/inactivity.csv" ||
    fail "--local-times --utc-offset 5: not the zoned log's alerts at 5"
grep -q "^  13907 event times without a zone read as local time (UTC+5), as --local-times says" "$WORK/ev5l.txt" ||
    fail "--utc-offset 5: the line does not say UTC+5: $(tail -1 "$WORK/ev5l.txt")"
"$CIV" monitor --events "$DEMO/sensor_events.csv" --out "$WORK/ev8z" >/dev/null || fail "monitor --events (demo)"
cmp -s "$WORK/ev8z/inactivity.csv" "$WORK/ev5z/inactivity.csv" && fail "--utc-offset 5 changed nothing"
# the folder says the offset its monitoring used: inactivity.csv's utc_offset_hours, which the report reads (a
# monitor folder has no manifest, and its report said 北京时间 = UTC + 8 whatever --utc-offset was before 2026-12-07)
"$CIV" monitor --events "$DEMO/sensor_events.csv" --utc-offset 5.5 --out "$WORK/ev55" >/dev/null ||
    fail "monitor --utc-offset 5.5"
for pair in "ev55 5.5" "ev8z 8"; do
    set -- $pair
    head -1 "$WORK/$1/inactivity.csv" | grep -q ",hour,utc_offset_hours.\?$" ||
        fail "$1/inactivity.csv's header: $(head -1 "$WORK/$1/inactivity.csv")"
    awk -F, -v h="$2" 'NR > 1 && $NF + 0 != h + 0 {bad = 1} END {exit bad || NR < 2}' "$WORK/$1/inactivity.csv" ||
        fail "$1/inactivity.csv does not say utc_offset_hours $2"
    # the report of the folder (with a plan's two money tables in miniature, which the report needs)
    printf 'unique_id,name,district,street,amount,amount_yuan\nC1,甲社区,B区,b街道,100000,1000\n' \
        >"$WORK/$1/allocation.csv"
    printf 'section,name,amount,amount_yuan,share,communities,value\nbudget,total,100000,1000,1,,\n%s\n' \
        "total,allocated,100000,1000,,1," >"$WORK/$1/allocation_summary.csv"
    "$CIV" report "$WORK/$1" >/dev/null 2>"$WORK/$1.err" || fail "report of the $1 folder: $(cat "$WORK/$1.err")"
done
grep -q "时间为 UTC（本次监测的当地时间 = UTC +5.5 小时）" "$WORK/ev55/report.html" ||
    fail "the report of a --utc-offset 5.5 folder does not say UTC +5.5"
grep -q "北京时间 = UTC + 8" "$WORK/ev55/report.html" && fail "the report of a --utc-offset 5.5 folder says Beijing's"
grep -q "时间为 UTC（北京时间 = UTC + 8 小时）" "$WORK/ev8z/report.html" ||
    fail "the report of a default (UTC+8) folder does not say Beijing time"
expect_exit 1 "--utc-offset needs hours east of UTC in -14..14" -- \
    monitor --events "$DEMO/sensor_events.csv" --utc-offset 15
expect_exit 1 "--utc-offset .* needs --events" -- monitor --risks "$DEMO/risks.csv" --utc-offset 8
printf 'risk,probability,impact\nx,70,severe\n' >"$WORK/risk.csv"
expect_exit 2 "risk.csv:2.*probability.*field 'probability'" -- monitor --risks "$WORK/risk.csv"
[ -e "$WORK/nothing" ] && fail "an output folder was made on bad input"
expect_exit 1 "nothing to do" -- monitor
expect_exit 1 "unknown option" -- monitor --bogus
expect_exit 1 "--threshold" -- monitor "$DEMO/indicators.toml" "$DEMO/monitoring.csv" --warn 2 --threshold 2
# 80 meant 80%: the cure, as the spec's fraction keys give it; "80%" is 0.8
expect_exit 1 "--threshold: threshold 80 is not a probability in (0, 1): a percentage? write 0.8 for 80%" -- \
    monitor "$DEMO/indicators.toml" "$DEMO/monitoring.csv" --warn 2 --threshold 80

# 5. the plan's [monitor] stage on the tiny plan: alerts, risk levels, inactivity, demand vs the
#    plan's own forecasts (the "actuals" are its last year's meals moved on a year), the tables
#    written beside the plan's, the same alerts and risks as `monitor`; a bad [monitor] key names
#    its line and writes nothing
PLAN="$SRC/tests/data/plan"
{
    sed -e "s|^panel = \"|panel = \"$PLAN/|" -e "s|^communities = \"|communities = \"$PLAN/|" \
        -e "s|^spec = \"|spec = \"$PLAN/|" -e 's/^draws = 200/draws = 0/' "$PLAN/plan.toml"
    printf '\n[monitor]\nindicators = "%s"\nactuals = "%s"\nrisks = "%s"\nevents = "%s"\n' \
        "$DEMO/indicators.toml" "$DEMO/monitoring.csv" "$DEMO/risks.csv" "$DEMO/sensor_events.csv"
    printf 'warn_horizon = 2\nwarn_scope = ["city"]\nwarn_model = "naive"\n'
} >"$WORK/plan.toml"
# the plan's forecasts start after its data: check the demand on a copy of the data moved a year on
awk -F, 'BEGIN{OFS=","} NR == 1 {print; next} {split($2, d, "-"); if (d[1] == 2024) {$2 = (d[1] + 1) "-" d[2]; print}}' \
    "$PLAN/meals.csv" >"$WORK/next_year.csv"
echo "demand_actuals = \"$WORK/next_year.csv\"" >>"$WORK/plan.toml"
# (the exact files, as `monitor` writes them: the plan's folder is for people by default)
"$CIV" plan "$WORK/plan.toml" --out "$WORK/planout" --no-excel --precision full >"$WORK/stdout" 2>"$WORK/stderr" ||
    fail "plan with [monitor] failed: $(cat "$WORK/stderr")"
grep -q "alerts 2024-12" "$WORK/stdout" || fail "plan: no alerts line"
grep -q "1. high .*政策冲突风险" "$WORK/stdout" || fail "plan: no risk levels"
grep -q "early warning .* of 20 series" "$WORK/stdout" || fail "plan: no early warning"
grep -q "demand vs forecast *[1-9][0-9]* actuals" "$WORK/stdout" || fail "plan: no demand check"
grep -Eq "volunteer_share .* 6\.3% vs 13% " "$WORK/stdout" || fail "plan: a rate's alert is not in percent"
grep -Eq "response_minutes .* 15\.84 分钟 vs 15 分钟 " "$WORK/stdout" || fail "plan: a level's alert has no unit"
for f in forecasts.csv allocation.csv monitor_status.csv monitor_alerts.csv warning.csv warning_steps.csv \
    risks.csv risk_matrix.csv inactivity.csv demand.csv; do
    [ -s "$WORK/planout/$f" ] || fail "plan did not write $f"
done
cmp -s "$WORK/planout/monitor_alerts.csv" "$WORK/out_plain_files/alerts.csv" ||
    fail "the plan's alerts differ from monitor's"
cmp -s "$WORK/planout/risks.csv" "$WORK/out_plain_files/risks.csv" || fail "the plan's risks differ from monitor's"
# [monitor] local_times = true, as --local-times: the zone-less log in Beijing time gives the zoned log's
# inactivity.csv, and the plan says how it read the times (before 2026-12-07 the key was refused as unknown)
{
    grep -v '^indicators\|^actuals\|^warn_\|^risks\|^events\|^demand' "$WORK/plan.toml"
    printf 'events = "%s"\nlocal_times = true\n' "$WORK/ev_local.csv"
} >"$WORK/plan_local.toml"
"$CIV" plan "$WORK/plan_local.toml" --out "$WORK/planlocal" --no-excel --precision full >"$WORK/stdout" \
    2>"$WORK/stderr" || fail "plan with [monitor] local_times failed: $(cat "$WORK/stderr")"
cmp -s "$WORK/planlocal/inactivity.csv" "$WORK/planout/inactivity.csv" ||
    fail "[monitor] local_times: not the zoned log's inactivity alerts"
grep -q "^  event times without a zone read as local time (UTC+8), as \[monitor\] local_times says" "$WORK/stdout" ||
    fail "plan: local_times is not said: $(cat "$WORK/stdout")"
grep -q '"monitor_local_times": true' "$WORK/planlocal/manifest.json" || fail "manifest: no monitor_local_times"
sed 's/^local_times = true/local_times = "yes"/' "$WORK/plan_local.toml" >"$WORK/plan_local_bad.toml"
expect_exit 4 "\[monitor\] local_times: must be true .* or false" -- \
    plan "$WORK/plan_local_bad.toml" --out "$WORK/nothing3"
# [monitor] period: the alerts and their counts are that month's, as `monitor --period` prints them (the
# counts were the last month's, printed under its label above the listed month's alerts)
"$CIV" monitor "$DEMO/indicators.toml" "$DEMO/monitoring.csv" --period 2024-06 | grep "^alerts " >"$WORK/want" ||
    fail "monitor --period 2024-06 printed no alerts line"
{
    grep -v '^warn_horizon\|^warn_scope\|^warn_model\|^risks\|^events\|^demand' "$WORK/plan.toml"
    echo 'period = "2024-06"'
} >"$WORK/plan_june.toml"
"$CIV" plan "$WORK/plan_june.toml" --out "$WORK/planjune" >"$WORK/stdout" 2>"$WORK/stderr" ||
    fail "plan with [monitor] period failed: $(cat "$WORK/stderr")"
grep "^alerts " "$WORK/stdout" | cmp -s - "$WORK/want" ||
    fail "plan's period line: $(grep '^alerts ' "$WORK/stdout"), monitor's: $(cat "$WORK/want")"
# ... and a day, as --period takes one: the month it falls in (before 2026-12-07 a plan refused it)
sed 's/^period = "2024-06"/period = "2024-06-15"/' "$WORK/plan_june.toml" >"$WORK/plan_day.toml"
"$CIV" plan "$WORK/plan_day.toml" --out "$WORK/planday" >"$WORK/stdout" 2>"$WORK/stderr" ||
    fail "plan with [monitor] period = a day failed: $(cat "$WORK/stderr")"
grep "^alerts " "$WORK/stdout" | cmp -s - "$WORK/want" ||
    fail "plan's day period line: $(grep '^alerts ' "$WORK/stdout")"
cmp -s "$WORK/planday/monitor_alerts.csv" "$WORK/planjune/monitor_alerts.csv" ||
    fail "a day's alerts differ from June's"
# ... and so is monitoring.xlsx's alerts sheet, June's cleared alerts under its open ones (until civ_monitor_period_of
# read [monitor] period for the stage, the command and the workbook alike, the workbook took "2024-06-15" for the
# period and its alerts sheet lost June's cleared alerts)
for d in planday planjune; do
    unzip -p "$WORK/$d/monitoring.xlsx" xl/worksheets/sheet1.xml >"$WORK/$d.sheet1.xml" || fail "$d: no alerts sheet"
done
cmp -s "$WORK/planday.sheet1.xml" "$WORK/planjune.sheet1.xml" || fail "a day's monitoring.xlsx alerts differ from June's"
sed 's/^period = "2024-06"/period = "2024-Q2"/' "$WORK/plan_june.toml" >"$WORK/plan_q2.toml"
expect_exit 2 "plan_q2.toml: \[monitor\] period '2024-Q2' is not a monthly period like the actuals' (2023-01 .. 2024-12)" \
    -- plan "$WORK/plan_q2.toml" --out "$WORK/planq2"
sed 's/^period = "2024-06"/period = "2030-01"/' "$WORK/plan_june.toml" >"$WORK/plan_2030.toml"
expect_exit 2 "plan_2030.toml: \[monitor\] period '2030-01' is outside the actuals, which span 2023-01 .. 2024-12" \
    -- plan "$WORK/plan_2030.toml" --out "$WORK/plan2030"
sed 's/^warn_horizon = 2/warn_horizon = 2\nwarn_colour = 1/' "$WORK/plan.toml" >"$WORK/badplan.toml"
line=$(grep -n '^warn_colour' "$WORK/badplan.toml" | cut -d: -f1)
expect_exit 4 "badplan.toml:$line:.*unknown key 'warn_colour'" -- plan "$WORK/badplan.toml" --out "$WORK/nothing2"
[ -e "$WORK/nothing2" ] && fail "a failed plan made its output folder"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "monitor.sh: all checks passed"
