#!/usr/bin/env bash
# monitor_months.sh -- the planner's monthly loop with `civicast monitor --out DIR`: one folder,
# a month appended each run, the options changing from run to run.  A run replaces the files of
# the parts it ran: a file an earlier run wrote and this one does not make although it ran that
# part (warning.csv after a month with the indicators but without --warn) is removed, while a file
# of a part this run did not run (status.csv after a run of --demand-* alone, risks.csv after a
# month without --risks), a file that is not as that run left it (the user's, or rewritten
# since) and a file that is this run's input are kept.  A failed run leaves the earlier files as
# they were.
# usage: bash monitor_months.sh PATH_TO_CIVICAST   (env CIV_SOURCE_DIR)
set -u
source "$(dirname "$0")/lib.sh"
cli_start "$@"
DEMO="$SRC/datasets/demo_city"
IND="$DEMO/indicators.toml"
OUT="$WORK/monthly"
# the actuals as they arrive: up to 2024-10, then November, then December
for last in 2024-10 2024-11 2024-12; do
    awk -F, -v last="$last" 'NR == 1 || $4 <= last' "$DEMO/monitoring.csv" >"$WORK/m_$last.csv"
done

# October: alerts, early warning on the city, the risk register
"$CIV" monitor "$IND" "$WORK/m_2024-10.csv" --out "$OUT" --warn 2 --warn-scope city --model naive \
    --risks "$DEMO/risks.csv" >"$WORK/oct.out" 2>&1 || fail "October failed: $(cat "$WORK/oct.out")"
for f in status.csv alerts.csv warning.csv warning_steps.csv forecasts.csv risks.csv risk_matrix.csv; do
    [ -s "$OUT/$f" ] || fail "October did not write $f"
done
echo "my notes" >"$OUT/notes.txt"

# November: no early warning, no risks: October's warning files go (they were left, so warning.csv
# still said which series would miss in November, from October's data); the risk register's files
# are of a part November did not run: they stay
"$CIV" monitor "$IND" "$WORK/m_2024-11.csv" --out "$OUT" >"$WORK/nov.out" 2>&1 ||
    fail "November failed: $(cat "$WORK/nov.out")"
for f in warning.csv warning_steps.csv forecasts.csv; do
    [ -e "$OUT/$f" ] && fail "November left October's $f"
done
for f in risks.csv risk_matrix.csv; do
    [ -s "$OUT/$f" ] || fail "November, a run without --risks, removed October's $f"
done
grep -q "^removed .*warning.csv" "$WORK/nov.out" || fail "November does not say it removed warning.csv"
# the output reads in order: what was written, then what went (removed was printed before wrote)
[ "$(grep -o "^wrote\|^removed" "$WORK/nov.out" | tr '\n' ' ')" = "wrote removed " ] ||
    fail "November does not say wrote, then removed: $(grep "^wrote\|^removed" "$WORK/nov.out")"
grep -q ",2024-11," "$OUT/status.csv" || fail "status.csv is not November's"
[ "$(cat "$OUT/notes.txt")" = "my notes" ] || fail "the user's notes.txt was touched"

# December with early warning again; then a run without it, after the user edited warning.csv: kept
"$CIV" monitor "$IND" "$WORK/m_2024-12.csv" --out "$OUT" --warn 2 --warn-scope city --model naive \
    >"$WORK/dec.out" 2>&1 || fail "December failed: $(cat "$WORK/dec.out")"
[ -s "$OUT/warning.csv" ] || fail "December did not write warning.csv"
echo "checked by 王科长" >>"$OUT/warning.csv"
"$CIV" monitor "$IND" "$WORK/m_2024-12.csv" --out "$OUT" >"$WORK/dec2.out" 2>&1 || fail "December again failed"
[ -e "$OUT/warning.csv" ] || fail "a warning.csv edited since the run that wrote it was removed"
[ -e "$OUT/forecasts.csv" ] && fail "December's unedited forecasts.csv was left"

# a failed run (bad actuals) changes nothing
cp "$OUT/status.csv" "$WORK/status_before.csv"
sed '5s/,0\.[0-9]*,/,1.5,/' "$WORK/m_2024-12.csv" >"$WORK/bad.csv"
expect_exit 2 "bad.csv:5:" -- monitor "$IND" "$WORK/bad.csv" --out "$OUT"
cmp -s "$OUT/status.csv" "$WORK/status_before.csv" || fail "a failed run changed status.csv"
ls -A "$OUT" | grep -q staging && fail "a staging folder was left: $(ls -A "$OUT")"


# a street added in December (D01-S10) was not a street that sent nothing in November: its months
# before its first row are not_started, and --period 2024-11 neither counts nor lists it
awk -F, 'BEGIN { OFS = "," } NR > 1 && $1 == "D01-S01" && $4 == "2024-12" { $1 = "D01-S10"; print }' \
    "$WORK/m_2024-12.csv" >"$WORK/new_street.csv"
cat "$WORK/m_2024-12.csv" "$WORK/new_street.csv" >"$WORK/m_added.csv"
"$CIV" monitor "$IND" "$WORK/m_added.csv" --period 2024-11 --out "$WORK/added" >"$WORK/added.out" 2>&1 ||
    fail "the month with a new street failed: $(cat "$WORK/added.out")"
grep -q "D01-S10" "$WORK/added.out" &&
    fail "November lists the street added in December: $(grep D01-S10 "$WORK/added.out")"
grep -q "of 1200 street series" "$WORK/added.out" ||
    fail "November counts the new street's series: $(cat "$WORK/added.out")"
grep -q "^street,D01-S10,policy_awareness,.*,2024-11,.*,not_started," "$WORK/added/status.csv" ||
    fail "the new street's November is not not_started in status.csv"
"$CIV" monitor "$IND" "$WORK/m_added.csv" >"$WORK/added12.out" 2>&1 || fail "December with the new street failed"
grep -q "^new in 2024-12 .*D01-S10" "$WORK/added12.out" || fail "December does not say D01-S10 is new"

# the month's sheet alone: "0 open" is not "all met"; the command says the history is missing
awk -F, 'NR == 1 || $4 == "2024-12"' "$DEMO/monitoring.csv" >"$WORK/only_dec.csv"
"$CIV" monitor "$IND" "$WORK/only_dec.csv" >"$WORK/only.out" 2>&1 || fail "December alone failed"
grep -q "^monitoring .* 2024-12 .. 2024-12 (1 period)" "$WORK/only.out" || fail "no span: $(head -1 "$WORK/only.out")"
grep -q "^history .*one period in the actuals (2024-12)" "$WORK/only.out" ||
    fail "December alone does not say the history is missing: $(head -3 "$WORK/only.out")"
grep -q "^history" "$WORK/dec.out" && fail "the whole history printed the one-period note"
grep -q "^monitoring .* 2023-01 .. 2024-12 (24 periods)" "$WORK/dec.out" || fail "no span: $(head -1 "$WORK/dec.out")"

# a street closed (merged away) from 2024-11: with [[closed]] in the indicator file its months are
# 'closed', not 'not reported' (it said "1 street sent nothing: D01-S04" every month), its open alert
# (response minutes since 2024-10) ends in a row saying so instead of continuing for ever, and December
# lists no alert of it; a value reported after the closing period, or a unit the actuals lack, is refused
awk -F, 'NR == 1 || !($1 == "D01-S04" && $4 >= "2024-11")' "$WORK/m_2024-12.csv" >"$WORK/m_closed.csv"
{
    cat "$IND"
    printf '\n[[closed]]\nunit = "D01-S04"\nfrom = "2024-11"\n'
    printf 'into = "D01-S05"\nnote = "区划调整：并入D01-S05"\n'
} >"$WORK/closed.toml"
"$CIV" monitor "$WORK/closed.toml" "$WORK/m_closed.csv" --period 2024-11 --out "$WORK/closed" \
    >"$WORK/closed.out" 2>&1 ||
    fail "the month with a closed street failed: $(cat "$WORK/closed.out")"
grep -q "D01-S04" <(grep "^not reported" "$WORK/closed.out") && fail "the closed street is 'not reported'"
# ... with where it went and why (the [[closed]] into and note, shown nowhere before)
grep -q "^closed in 2024-11 .*1 street closed .*: D01-S04 (into D01-S05: 区划调整：并入D01-S05)$" "$WORK/closed.out" ||
    fail "November does not say D01-S04 closed into D01-S05, with its note: $(cat "$WORK/closed.out")"
grep -q "^alerts 2024-11 .*, 1 closed with its unit$" "$WORK/closed.out" ||
    fail "November does not count the alert closed with its street: $(grep ^alerts "$WORK/closed.out")"
grep -q "^street,D01-S04,response_minutes,.*,2024-11,,,,closed,0,closed,.*,D01-S05,区划调整：并入D01-S05,level,分钟$" \
    "$WORK/closed/status.csv" ||
    fail "the closed street's open alert does not end in a 'closed' row: $(grep 'D01-S04,response_minutes' \
        "$WORK/closed/status.csv" | tail -3)"
"$CIV" monitor "$WORK/closed.toml" "$WORK/m_closed.csv" --out "$WORK/closed12" >"$WORK/closed12.out" 2>&1 ||
    fail "December with a closed street failed"
grep -q "D01-S04" "$WORK/closed12/alerts.csv" && fail "December lists an alert of the closed street"
grep -q "^not reported 2024-12 .*of 1180 street series" "$WORK/closed12.out" ||
    fail "December counts the closed street's series: $(grep '^not rep' "$WORK/closed12.out")"
awk -F, 'NR == 1 || !($1 == "D01-S04" && $4 >= "2024-11") ||
         ($1 == "D01-S04" && $3 == "fraud_cases" && $4 == "2024-12")' "$WORK/m_2024-12.csv" >"$WORK/m_late.csv"
line=$(grep -n "^D01-S04,.*,fraud_cases,2024-12," "$WORK/m_late.csv" | cut -d: -f1)
"$CIV" monitor "$WORK/closed.toml" "$WORK/m_late.csv" >"$WORK/late.out" 2>&1
[ $? -eq 2 ] || fail "a value after the closing period was not refused (exit 2): $(cat "$WORK/late.out")"
grep -q "m_late.csv:$line:4: unit 'D01-S04' reports a value for 2024-12, but the indicator file closes it from \
2024-11" "$WORK/late.out" || fail "the late row's error: $(cat "$WORK/late.out")"
sed 's/^unit = "D01-S04"/unit = "D01-S4"/' "$WORK/closed.toml" >"$WORK/typo.toml"
"$CIV" monitor "$WORK/typo.toml" "$WORK/m_closed.csv" >"$WORK/typo.out" 2>&1
[ $? -eq 4 ] || fail "an unknown unit in [[closed]] was not refused (exit 4): $(cat "$WORK/typo.out")"
grep -q "typo.toml:[0-9]*:8: \[closed\] unit 'D01-S4' is not a unit of the actuals.*did you mean 'D01-S04'?" \
    "$WORK/typo.out" || fail "the unknown unit's error: $(cat "$WORK/typo.out")"

# an earlier run's file that is this run's input is kept: forecasts.csv checked against the holdout
"$CIV" monitor "$IND" "$WORK/m_2024-12.csv" --out "$OUT" --warn 2 --warn-scope city --model naive \
    >/dev/null 2>&1 || fail "December with warning failed"
cp "$OUT/forecasts.csv" "$WORK/fc_before.csv"
# a demand check of files that do not belong together is refused, not an empty demand.csv: the
# indicators' forecasts against the meals' holdout (it printed "0 actuals: 0 ahead, 0 behind", exit 0)
"$CIV" monitor --demand-forecasts "$OUT/forecasts.csv" --demand-actuals "$DEMO/holdout_2025.csv" \
    --out "$OUT" >"$WORK/mismatch.out" 2>&1 &&
    fail "a demand check of unrelated files passed: $(cat "$WORK/mismatch.out")"
grep -q "none of the forecasts' series is in the actuals" "$WORK/mismatch.out" ||
    fail "the unrelated demand check does not say why: $(cat "$WORK/mismatch.out")"
# the demand check proper: the forecasts' own series, their realised values (here the means, sed-cut)
awk -F, 'NR == 1 {print "unique_id,ds,y"; next} {print $1 "," $2 "," $5}' "$OUT/forecasts.csv" |
    sed '1s/^\xEF\xBB\xBF//' >"$WORK/realised.csv"
"$CIV" monitor --demand-forecasts "$OUT/forecasts.csv" --demand-actuals "$WORK/realised.csv" \
    --out "$OUT" >"$WORK/demand.out" 2>&1 || fail "the demand run failed: $(cat "$WORK/demand.out")"
cmp -s "$OUT/forecasts.csv" "$WORK/fc_before.csv" || fail "the run removed or changed its own input forecasts.csv"
[ -s "$OUT/demand.csv" ] || fail "the demand run did not write demand.csv"
# a run of --demand-* alone replaces demand.csv only: the indicator run's files stay (they were
# removed: the planner's status.csv and alerts.csv went with a demand check run into the same folder)
for f in status.csv alerts.csv warning.csv warning_steps.csv; do
    [ -s "$OUT/$f" ] || fail "the demand run removed the indicator run's $f: $(cat "$WORK/demand.out")"
done
grep -q "^removed" "$WORK/demand.out" && fail "the demand run removed files: $(grep "^removed" "$WORK/demand.out")"
# the next indicator run without --warn still replaces December's warning files (the demand run kept
# their record) and keeps demand.csv, a part it did not run
"$CIV" monitor "$IND" "$WORK/m_2024-12.csv" --out "$OUT" >"$WORK/after_demand.out" 2>&1 ||
    fail "the indicator run after the demand run failed: $(cat "$WORK/after_demand.out")"
for f in warning.csv warning_steps.csv forecasts.csv; do
    [ -e "$OUT/$f" ] && fail "the indicator run after the demand run left December's $f"
done
grep -q "^removed                warning_steps.csv, warning.csv, forecasts.csv (" "$WORK/after_demand.out" ||
    fail "the indicator run does not say what it removed: $(grep "^removed" "$WORK/after_demand.out")"
[ -s "$OUT/demand.csv" ] || fail "the indicator run removed the demand run's demand.csv"
# a risks run alone replaces risks.csv and risk_matrix.csv only
"$CIV" monitor --risks "$DEMO/risks.csv" --out "$OUT" >"$WORK/risks.out" 2>&1 ||
    fail "the risks run failed: $(cat "$WORK/risks.out")"
for f in status.csv alerts.csv demand.csv risks.csv risk_matrix.csv; do
    [ -s "$OUT/$f" ] || fail "after the risks run $f is missing"
done


[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "monitor_months.sh: all checks passed"
