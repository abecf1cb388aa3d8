#!/usr/bin/env bash
# backtest.sh -- `civicast backtest` (windows worked by hand for naive and
# mean, the cross_validation header, accuracy per model and per series, exit 6
# for failed windows, identical outputs for 1 and 2 threads, conformal intervals
# in the windows, usage errors) and the multi-model / conformal options of
# `civicast forecast`.
# usage: bash backtest.sh PATH_TO_CIVICAST
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cli_start "$@"
same() { cmp -s "$2" "$3" || fail "$1: $2 and $3 differ"; }

printf 'unique_id,ds,y\na,2020,1\na,2021,3\na,2022,2\na,2023,5\na,2024,4\na,2025,6\n' >"$WORK/p.csv"
printf 'b,2020,10\nb,2021,10\nb,2022,12\nb,2023,11\n' >>"$WORK/p.csv"

# ---- windows by hand: naive on a = 1,3,2,5,4,6, h 2, 2 windows ------------------
expect_code "all ok" 0 "$CIV" backtest "$WORK/p.csv" --model naive --h 2 --windows 1 --level 80 --out "$WORK/cv1.csv"
expect_code "naive,mean" 6 "$CIV" backtest "$WORK/p.csv" --model naive,mean --h 2 --windows 2 --level 80 \
  --out "$WORK/cv.csv" --accuracy "$WORK/acc.csv"
expect_err "summary" "2 of 8 windows could not be made: 2 for series with only 1 value by then, too few for the model"
expect_err "summary MASE" "Naive +MASE 1.083"
[ "$(head -1 "$WORK/cv.csv")" = "unique_id,cutoff,ds,h,y,model,mean,lo-80,hi-80" ] || fail "header: $(head -1 "$WORK/cv.csv")"
[ "$(wc -l <"$WORK/cv.csv")" -eq 17 ] || fail "rows: $(wc -l <"$WORK/cv.csv")"
# window 1 of a trains on 1,3,2 (cutoff 2022): naive 2, mean 2; window 2 on 1,3,2,5: naive 5, mean 2.75
got=$(awk -F, '$1 == "a" { print $2, $3, $4, $5, $6, $7 }' "$WORK/cv.csv" | tr '\n' ';')
want="2022 2023 1 5 Naive 2;2022 2024 2 4 Naive 2;2022 2023 1 5 HistoricAverage 2;2022 2024 2 4 HistoricAverage 2;"
want="${want}2023 2024 1 4 Naive 5;2023 2025 2 6 Naive 5;2023 2024 1 4 HistoricAverage 2.75;2023 2025 2 6 HistoricAverage 2.75;"
[ "$got" = "$want" ] || fail "windows of a: $got"
# accuracy: naive MAE 10/6, bias -8/6, MASE (2.5/1.5 + 1/2)/2
awk -F, 'NR == 1 { for (c = 1; c <= NF; c++) col[$c] = c }
  $1 == "Naive" { if ($col["windows"] != 4 || $col["failed"] != 1 || $col["n"] != 6) bad = 1
                  if ((($col["MAE"] - 10 / 6) ^ 2) > 1e-24 || (($col["bias"] + 8 / 6) ^ 2) > 1e-24) bad = 1
                  if ((($col["MASE"] - 13 / 12) ^ 2) > 1e-24) bad = 1; seen = 1 }
  END { exit !(seen && !bad) }' "$WORK/acc.csv" || fail "accuracy: $(cat "$WORK/acc.csv")"
# why windows failed, in words: b's first window (cutoff before its first value) has no data, its second 1 value
expect_code "failed in words" 6 "$CIV" backtest "$WORK/p.csv" --model naive --h 2 --windows 3 --step 1 --level 80 \
  --out "$WORK/cv3.csv"
expect_err "failed in words" "2 of 6 windows could not be made: 1 for series with no data yet at the cutoff, 1 for \
series with only 1 value by then, too few for the model; they keep their rows with empty values"
expect_code "by series" 6 "$CIV" backtest "$WORK/p.csv" --model naive --h 2 --windows 2 --out "$WORK/cv.csv" \
  --accuracy "$WORK/accs.csv" --by-series --quiet
[ "$(cut -d, -f1,2 "$WORK/accs.csv" | tr '\n' ';')" = "unique_id,model;a,Naive;b,Naive;" ] || fail "by series: $(cat "$WORK/accs.csv")"

# ---- threads ---------------------------------------------------------------------
awk 'BEGIN { print "unique_id,ds,y"; for (s = 0; s < 5; s++) for (t = 0; t < 40; t++)
  printf "s%d,%04d-%02d,%.3f\n", s, 2020 + int(t / 12), t % 12 + 1, 50 + s + 0.3 * t + 9 * sin(t * 0.5236 + s) + (t * 7 % 5) }' \
  >"$WORK/m.csv"
expect_code "threads 1" 0 "$CIV" backtest "$WORK/m.csv" --model "ets,ETS(M,Md,N)" --h 4 --windows 3 --step 2 \
  --threads 1 --out "$WORK/t1.csv" --accuracy "$WORK/a1.csv" --quiet
expect_code "threads 2" 0 "$CIV" backtest "$WORK/m.csv" --model "ets,ETS(M,Md,N)" --h 4 --windows 3 --step 2 \
  --threads 2 --out "$WORK/t2.csv" --accuracy "$WORK/a2.csv" --quiet
same "threads" "$WORK/t1.csv" "$WORK/t2.csv"
same "threads accuracy" "$WORK/a1.csv" "$WORK/a2.csv"
grep -q "^AutoETS," "$WORK/a1.csv" && grep -q '^"\?ETS(M,Md,N)' "$WORK/a1.csv" || fail "model names: $(cat "$WORK/a1.csv")"

# ---- conformal intervals in the windows: the last window's equal a conformal forecast from its cutoff ----
expect_code "conformal windows" 0 "$CIV" backtest "$WORK/m.csv" --model theta --h 4 --windows 2 --step 2 \
  --intervals conformal --conformal-windows 6 --out "$WORK/bc.csv" --accuracy "$WORK/bca.csv" --quiet
expect_code "model windows" 0 "$CIV" backtest "$WORK/m.csv" --model theta --h 4 --windows 2 --step 2 \
  --out "$WORK/bm.csv" --quiet
[ "$(cut -d, -f1-7 "$WORK/bc.csv")" = "$(cut -d, -f1-7 "$WORK/bm.csv")" ] || fail "conformal changed the forecasts"
cmp -s "$WORK/bc.csv" "$WORK/bm.csv" && fail "conformal windows equal the model's intervals"
awk -F, 'NR == 1 || substr($2, 1, 7) < "2023-01"' "$WORK/m.csv" >"$WORK/m36.csv" # every series up to 2022-12
expect_code "conformal from the cutoff" 0 "$CIV" forecast "$WORK/m36.csv" --model theta --h 4 \
  --intervals conformal --conformal-windows 6 --out "$WORK/fc.csv" --quiet
[ "$(awk -F, '$2 == "2022-12" { print $1, $3, $7, $8, $9, $10, $11 }' "$WORK/bc.csv")" = \
  "$(awk -F, 'NR > 1 { print $1, $2, $5, $6, $7, $8, $9 }' "$WORK/fc.csv")" ] ||
  fail "the last window's conformal intervals differ from a conformal forecast at its cutoff"
expect_code "conformal bad" 1 "$CIV" backtest "$WORK/m.csv" --intervals calibrated --out "$WORK/x.csv"
expect_err "conformal bad" "--intervals is model or conformal"
expect_code "conformal windows 0" 1 "$CIV" backtest "$WORK/m.csv" --intervals conformal --conformal-windows 0 \
  --out "$WORK/x.csv"

# ---- usage and spec errors -----------------------------------------------------------
expect_code "no out" 1 "$CIV" backtest "$WORK/p.csv"
expect_err "no out" "missing --out"
expect_code "windows 0" 1 "$CIV" backtest "$WORK/p.csv" --windows 0 --out "$WORK/x.csv"
# --by-series without --accuracy was ignored (exit 0, no accuracy table anywhere)
expect_code "by-series alone" 1 "$CIV" backtest "$WORK/p.csv" --by-series --out "$WORK/x.csv"
expect_err "by-series alone" "--by-series shapes the accuracy table: give it a file, --accuracy FILE --by-series"
expect_code "bad model" 4 "$CIV" backtest "$WORK/p.csv" --model naive,nonsense --out "$WORK/x.csv"
expect_err "bad model" "unknown model 'nonsense'"
expect_code "same model" 4 "$CIV" backtest "$WORK/p.csv" --model ets,ETS --out "$WORK/x.csv"
[ ! -e "$WORK/x.csv" ] || fail "a failed run left an output"

# ---- forecast: several models, wide, conformal ----------------------------------------
expect_code "multi" 0 "$CIV" forecast "$WORK/m.csv" --model ets,theta,naive --h 3 --out "$WORK/f.csv" --quiet
[ "$(head -1 "$WORK/f.csv")" = "unique_id,ds,h,model,fitted_model,mean,lo-80,hi-80,lo-95,hi-95" ] ||
  fail "multi header: $(head -1 "$WORK/f.csv")"
[ "$(cut -d, -f4 "$WORK/f.csv" | sort -u | tr '\n' ' ')" = "AutoETS Naive Theta model " ] || fail "multi models"
expect_code "wide" 0 "$CIV" forecast "$WORK/m.csv" --model ets,theta --h 3 --wide --out "$WORK/w.csv" --quiet
[ "$(head -1 "$WORK/w.csv")" = "unique_id,ds,AutoETS,AutoETS-lo-95,AutoETS-lo-80,AutoETS-hi-80,AutoETS-hi-95,Theta,Theta-lo-95,Theta-lo-80,Theta-hi-80,Theta-hi-95" ] ||
  fail "wide header: $(head -1 "$WORK/w.csv")"
# the wide Theta mean is the single-model forecast's
expect_code "single" 0 "$CIV" forecast "$WORK/m.csv" --model theta --h 3 --out "$WORK/s.csv" --quiet
[ "$(cut -d, -f8 "$WORK/w.csv" | tail -n +2)" = "$(cut -d, -f5 "$WORK/s.csv" | tail -n +2)" ] || fail "wide mean"
expect_code "report multi" 1 "$CIV" forecast "$WORK/m.csv" --model ets,theta --report "$WORK/r.csv" --out "$WORK/f.csv"
expect_code "conformal" 0 "$CIV" forecast "$WORK/m.csv" --model theta --h 3 --intervals conformal \
  --conformal-windows 4 --out "$WORK/c.csv" --quiet
cmp -s "$WORK/c.csv" "$WORK/s.csv" && fail "conformal intervals equal the model's"
# too few backtest scores for the 95% intervals (4 series, snaive fits 4 of 10 calibration windows): said
grep -v '^s4,' "$WORK/m.csv" >"$WORK/m4.csv"
expect_code "uncalibrated" 0 "$CIV" forecast "$WORK/m4.csv" --model snaive --h 24 --intervals conformal --out "$WORK/u.csv"
expect_err "uncalibrated" "conformal: 4 series kept the model's intervals at some steps.*--report lists them"
expect_code "uncalibrated report" 0 "$CIV" forecast "$WORK/m4.csv" --model snaive --h 24 --intervals conformal \
  --out "$WORK/u.csv" --report "$WORK/ur.csv" --quiet
[ "$(head -1 "$WORK/ur.csv" | tr ',' '\n' | tail -1)" = uncalibrated ] || fail "report lacks uncalibrated"
[ "$(cut -d, -f1 "$WORK/ur.csv" | tail -n +2 | tr '\n' ' ')" = "s0 s1 s2 s3 " ] || fail "report rows"
[ "$(awk -F, 'NR > 1 { print $NF }' "$WORK/ur.csv" | sort -u)" = 24 ] || fail "uncalibrated cells: $(cat "$WORK/ur.csv")"
expect_code "calibrated" 0 "$CIV" forecast "$WORK/m4.csv" --model naive --h 24 --intervals conformal --out "$WORK/u.csv"
grep -q "kept the model's intervals" "$WORK/err" && fail "naive fits every window: nothing to say"
expect_code "uncalibrated windows" 0 "$CIV" backtest "$WORK/m4.csv" --model naive --h 24 --windows 1 \
  --intervals conformal --out "$WORK/ub.csv"
expect_err "uncalibrated windows" "conformal: 4 windows kept the model's intervals at some steps"
expect_code "bad intervals" 1 "$CIV" forecast "$WORK/m.csv" --intervals wide --out "$WORK/x.csv"
expect_err "bad intervals" "--intervals is model or conformal"

[ "$failures" -eq 0 ] && echo "backtest.sh: all passed" || { echo "backtest.sh: $failures failed" >&2; exit 1; }
