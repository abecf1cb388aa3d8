#!/usr/bin/env bash
# backtest_hier.sh -- `civicast backtest --hierarchy/--group/--reconcile/--communities`
# (civ_hier_backtest): the windows' columns (level first, model 'Naive/bu'), naive base and
# bottom-up forecasts of every window checked by hand (awk sums of the panel), the accuracy per
# level ('all' first), per node with its level (--by-series), one window equal to `forecast
# --hierarchy` on the panel cut at its cutoff, identical outputs for 1 and 2 threads, a series not
# there yet at a cutoff forecast 0, the base intervals (conformal unless --intervals model), and the
# usage errors (--reconcile without --hierarchy, two models, an unknown method).
# usage: bash backtest_hier.sh PATH_TO_CIVICAST
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cli_start "$@"

# 2 districts x 2 communities, 12 months of 2024: y = 10 s + (t * (s + 2)) % 7
value() { echo $((10 * $1 + ($2 * ($1 + 2)) % 7)); }
{
  echo "unique_id,ds,y"
  for s in 1 2 3 4; do
    for t in $(seq 0 11); do printf 'c%d,2024-%02d,%s\n' "$s" $((t + 1)) "$(value "$s" "$t")"; done
  done
} >"$WORK/panel.csv"
printf 'unique_id,district\nc1,A\nc2,A\nc3,B\nc4,B\n' >"$WORK/comm.csv"
HIER=(--hierarchy district --communities "$WORK/comm.csv")

expect_code "naive" 0 "$CIV" backtest "$WORK/panel.csv" "${HIER[@]}" --model naive --h 2 --windows 3 --step 2 \
  --reconcile base,bu --level 80 --out "$WORK/cv.csv" --accuracy "$WORK/acc.csv"
[ "$(head -1 "$WORK/cv.csv")" = "level,unique_id,cutoff,ds,h,y,model,mean,lo-80,hi-80" ] ||
  fail "header: $(head -1 "$WORK/cv.csv")"
[ "$(wc -l <"$WORK/cv.csv")" -eq $((7 * 3 * 2 * 2 + 1)) ] || fail "rows: $(wc -l <"$WORK/cv.csv")"
# by hand: a node's naive forecast is the sum of its series' values at the cutoff (months 6, 8, 10)
bad=$(awk -F, 'NR > 1 {
    split($3, c, "-"); t = c[2] - 1; n = $2
    f = 0; for (s = 1; s <= 4; s++) {
      in_node = n == "total" || n == "c" s || (n == "A" && s <= 2) || (n == "B" && s >= 3)
      if (in_node) f += 10 * s + (t * (s + 2)) % 7 }
    lv = n == "total" ? "total" : (n == "A" || n == "B") ? "district" : "unique_id"
    if ($8 != f || $1 != lv || ($7 != "Naive/base" && $7 != "Naive/bu")) print }' "$WORK/cv.csv" | head -3)
[ -z "$bad" ] || fail "naive forecasts not as by hand: $bad"
grep -q '^total,total,2024-06,2024-07,1,' "$WORK/cv.csv" || fail "window 1's cutoff: $(sed -n 2p "$WORK/cv.csv")"
[ "$(head -2 "$WORK/acc.csv" | cut -d, -f1-3 | tr '\n' ' ')" = "level,model,windows all,Naive/base,21 " ] ||
  fail "accuracy: $(head -2 "$WORK/acc.csv")"
grep -q '^unique_id,Naive/bu,12,0,24,' "$WORK/acc.csv" || fail "accuracy of the series: $(cat "$WORK/acc.csv")"
expect_err "summary per level" "district +Naive/bu +MASE"
# --by-series: per node and method, with the node's level first (as --out's), so a district and a street of
# the same name are told apart (a street's id is district/street: 'A/A'; before 2026-12-07 no level column)
printf 'unique_id,district,street\nc1,A,A\nc2,A,S2\nc3,B,S3\nc4,B,S3\n' >"$WORK/comm2.csv"
expect_code "by-series" 0 "$CIV" backtest "$WORK/panel.csv" --hierarchy district,street --communities \
  "$WORK/comm2.csv" --model naive --h 2 --windows 3 --step 2 --reconcile base,bu --level 80 --out "$WORK/cv2.csv" \
  --accuracy "$WORK/acc2.csv" --by-series -q
[ "$(head -1 "$WORK/acc2.csv" | cut -d, -f1-5)" = "level,unique_id,model,windows,failed" ] ||
  fail "by-series header: $(head -1 "$WORK/acc2.csv")"
[ "$(wc -l <"$WORK/acc2.csv")" -eq $((10 * 2 + 1)) ] || fail "by-series rows: $(wc -l <"$WORK/acc2.csv")"
for want in 'total,total,Naive/base,3,0,6,' 'district,A,Naive/bu,3,0,6,' 'district/street,A/A,Naive/bu,3,0,6,' \
  'district/street,B/S3,Naive/base,3,0,6,' 'unique_id,c4,Naive/bu,3,0,6,'; do
  grep -q "^$want" "$WORK/acc2.csv" || fail "by-series lacks $want: $(cat "$WORK/acc2.csv")"
done
# the same figures as the windows of that node in --out give (district A's and street A/A's differ)
mae() { awk -F, -v lv="$1" -v id="$2" 'NR > 1 && $1 == lv && $2 == id && $7 == "Naive/bu" {
  e = $6 - $8; s += e < 0 ? -e : e; n++ } END { printf "%.6g", s / n }' "$WORK/cv2.csv"; }
for node in district,A district/street,A/A; do
  got=$(awk -F, -v lv="${node%,*}" -v id="${node#*,}" '$1 == lv && $2 == id && $3 == "Naive/bu" {
    printf "%.6g", $7 }' "$WORK/acc2.csv")
  [ "$got" = "$(mae "${node%,*}" "${node#*,}")" ] || fail "$node MAE $got, by hand $(mae "${node%,*}" "${node#*,}")"
done

# one window (cutoff 2024-10) = forecast --hierarchy on the first 10 months
expect_code "ets mint" 0 "$CIV" backtest "$WORK/panel.csv" "${HIER[@]}" --model ets --h 2 --windows 1 \
  --reconcile mint_shrink --out "$WORK/w.csv" --quiet
grep -vE ',2024-1[12],' "$WORK/panel.csv" >"$WORK/cut.csv"
expect_code "forecast cut" 0 "$CIV" forecast "$WORK/cut.csv" "${HIER[@]}" --model ets --h 2 --out "$WORK/f.csv" -q
# (fields counted from the end: forecast's model column is quoted "ETS(M,N,N)")
a=$(awk -F, 'NR > 1 { print $2, $5, $(NF - 4), $(NF - 3), $NF }' "$WORK/w.csv")
b=$(awk -F, 'NR > 1 { print $2, $4, $(NF - 4), $(NF - 3), $NF }' "$WORK/f.csv")
[ "$a" = "$b" ] || fail "the window differs from forecast --hierarchy: $(diff <(echo "$a") <(echo "$b") | head -4)"

# the base forecasts' intervals (the base-bands round of 2026-12-07): conformal unless --intervals model, in the
# backtest (refused before) and in forecast --hierarchy, which says which on stderr
for iv in default conformal model; do
  args=(); [ "$iv" = default ] || args=(--intervals "$iv")
  expect_code "base $iv" 0 "$CIV" backtest "$WORK/panel.csv" "${HIER[@]}" --model naive --h 2 --windows 2 \
    --reconcile base,bu "${args[@]}" --out "$WORK/b_$iv.csv" -q
  expect_code "forecast $iv" 0 "$CIV" forecast "$WORK/panel.csv" "${HIER[@]}" --model naive --h 2 --reconcile bu \
    "${args[@]}" --out "$WORK/f_$iv.csv"
  expect_err "forecast $iv" "reconciled by bu; base intervals: $([ "$iv" = model ] && echo "the models'" || echo conformal)"
done
grep -E '^unique_id|,2024-0[1-6],' "$WORK/panel.csv" >"$WORK/short.csv" # 6 months: too few to calibrate
expect_code "short" 0 "$CIV" backtest "$WORK/short.csv" "${HIER[@]}" --model naive --h 2 --windows 1 --out "$WORK/s.csv"
expect_err "short" "conformal: [0-9]+ node windows' base forecasts kept the model's intervals"
cmp -s "$WORK/b_default.csv" "$WORK/b_conformal.csv" || fail "the backtest's default base intervals are not conformal"
cmp -s "$WORK/f_default.csv" "$WORK/f_conformal.csv" || fail "forecast's default base intervals are not conformal"
cmp -s "$WORK/b_default.csv" "$WORK/b_model.csv" && fail "--intervals model changed nothing in the backtest"
cmp -s "$WORK/f_default.csv" "$WORK/f_model.csv" && fail "--intervals model changed nothing in forecast"

# threads
for n in 1 2; do
  expect_code "threads $n" 0 "$CIV" backtest "$WORK/panel.csv" "${HIER[@]}" --model ets --h 2 --windows 3 \
    --reconcile base,bu,wls_var,mint_shrink --threads "$n" --out "$WORK/t$n.csv" --accuracy "$WORK/a$n.csv" -q
done
cmp -s "$WORK/t1.csv" "$WORK/t2.csv" || fail "1 and 2 threads differ"
cmp -s "$WORK/a1.csv" "$WORK/a2.csv" || fail "1 and 2 threads differ (accuracy)"

# c4 opens in 2024-09: at the cutoff before, its window fails (exit 6) and it counts as 0: B is c3's alone
grep -vE '^c4,2024-0[1-8],' "$WORK/panel.csv" >"$WORK/late.csv"
expect_code "late" 6 "$CIV" backtest "$WORK/late.csv" "${HIER[@]}" --model naive --h 2 --windows 3 --step 2 \
  --reconcile base,bu --out "$WORK/late_cv.csv"
expect_err "late" "c4 Naive/bu \(cutoff 2024-06\): window 1 of 3: no value yet at the cutoff; counted as 0"
grep -q '^unique_id,c4,2024-06,2024-07,1,,Naive/bu,,' "$WORK/late_cv.csv" ||
  fail "c4 before it opened: $(grep '^unique_id,c4,2024-06' "$WORK/late_cv.csv" | head -2)"
grep -q "^district,B,2024-06,2024-07,1,$(value 3 6),Naive/base,$(value 3 5)," \
  "$WORK/late_cv.csv" || fail "B before c4 opened: $(grep '^district,B,2024-06' "$WORK/late_cv.csv" | head -2)"

# windows before the panel's first period: failed windows naming why, not a model's complaint about a 0
expect_code "too many windows" 6 "$CIV" backtest "$WORK/panel.csv" "${HIER[@]}" --model ets --h 2 --windows 12 \
  --out "$WORK/x.csv"
expect_err "too many windows" "window 1 of 12: no series has a value by the cutoff"

# usage
expect_code "reconcile alone" 1 "$CIV" backtest "$WORK/panel.csv" --reconcile bu --out "$WORK/x.csv"
expect_err "reconcile alone" "need --hierarchy or --group"
expect_code "two models" 1 "$CIV" backtest "$WORK/panel.csv" "${HIER[@]}" --model naive,ets --out "$WORK/x.csv"
expect_err "two models" "one model"
expect_code "bad method" 1 "$CIV" backtest "$WORK/panel.csv" "${HIER[@]}" --reconcile bu,mintt --out "$WORK/x.csv"
expect_err "bad method" "mintt.*bu, td, ols"
expect_code "method twice" 1 "$CIV" backtest "$WORK/panel.csv" "${HIER[@]}" --reconcile bu,bu --out "$WORK/x.csv"
expect_err "method twice" "'bu' is given twice"

[ "$failures" -eq 0 ] && echo "backtest_hier.sh: all passed"
exit "$failures"
