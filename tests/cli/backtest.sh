#!/usr/bin/env bash
# backtest.sh -- `civicast backtest` (windows worked by hand for naive and
# mean, the cross_validation header, accuracy per model and per series, exit 6
# for failed windows, identical outputs for 1 and 2 threads, usage errors) and
# the multi-model / conformal options of `civicast forecast`.
# usage: bash backtest.sh PATH_TO_CIVICAST
set -uo pipefail
civ=${1:?usage: backtest.sh PATH_TO_CIVICAST}
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
same() { cmp -s "$2" "$3" || fail "$1: $2 and $3 differ"; }

printf 'unique_id,ds,y\na,2020,1\na,2021,3\na,2022,2\na,2023,5\na,2024,4\na,2025,6\n' >"$tmp/p.csv"
printf 'b,2020,10\nb,2021,10\nb,2022,12\nb,2023,11\n' >>"$tmp/p.csv"

# ---- windows by hand: naive on a = 1,3,2,5,4,6, h 2, 2 windows ------------------
expect_exit "all ok" 0 "$civ" backtest "$tmp/p.csv" --model naive --h 2 --windows 1 --level 80 --out "$tmp/cv1.csv"
expect_exit "naive,mean" 6 "$civ" backtest "$tmp/p.csv" --model naive,mean --h 2 --windows 2 --level 80 \
  --out "$tmp/cv.csv" --accuracy "$tmp/acc.csv"
expect_err "summary" "2 windows failed"
expect_err "summary MASE" "Naive +MASE 1.083"
[ "$(head -1 "$tmp/cv.csv")" = "unique_id,cutoff,ds,h,y,model,mean,lo-80,hi-80" ] || fail "header: $(head -1 "$tmp/cv.csv")"
[ "$(wc -l <"$tmp/cv.csv")" -eq 17 ] || fail "rows: $(wc -l <"$tmp/cv.csv")"
# window 1 of a trains on 1,3,2 (cutoff 2022): naive 2, mean 2; window 2 on 1,3,2,5: naive 5, mean 2.75
got=$(awk -F, '$1 == "a" { print $2, $3, $4, $5, $6, $7 }' "$tmp/cv.csv" | tr '\n' ';')
want="2022 2023 1 5 Naive 2;2022 2024 2 4 Naive 2;2022 2023 1 5 HistoricAverage 2;2022 2024 2 4 HistoricAverage 2;"
want="${want}2023 2024 1 4 Naive 5;2023 2025 2 6 Naive 5;2023 2024 1 4 HistoricAverage 2.75;2023 2025 2 6 HistoricAverage 2.75;"
[ "$got" = "$want" ] || fail "windows of a: $got"
# accuracy: naive MAE 10/6, bias -8/6, MASE (2.5/1.5 + 1/2)/2
awk -F, 'NR == 1 { for (c = 1; c <= NF; c++) col[$c] = c }
  $1 == "Naive" { if ($col["windows"] != 4 || $col["failed"] != 1 || $col["n"] != 6) bad = 1
                  if ((($col["MAE"] - 10 / 6) ^ 2) > 1e-24 || (($col["bias"] + 8 / 6) ^ 2) > 1e-24) bad = 1
                  if ((($col["MASE"] - 13 / 12) ^ 2) > 1e-24) bad = 1; seen = 1 }
  END { exit !(seen && !bad) }' "$tmp/acc.csv" || fail "accuracy: $(cat "$tmp/acc.csv")"
expect_exit "by series" 6 "$civ" backtest "$tmp/p.csv" --model naive --h 2 --windows 2 --out "$tmp/cv.csv" \
  --accuracy "$tmp/accs.csv" --by-series --quiet
[ "$(cut -d, -f1,2 "$tmp/accs.csv" | tr '\n' ';')" = "unique_id,model;a,Naive;b,Naive;" ] || fail "by series: $(cat "$tmp/accs.csv")"

# ---- threads ---------------------------------------------------------------------
awk 'BEGIN { print "unique_id,ds,y"; for (s = 0; s < 5; s++) for (t = 0; t < 40; t++)
  printf "s%d,%04d-%02d,%.3f\n", s, 2020 + int(t / 12), t % 12 + 1, 50 + s + 0.3 * t + 9 * sin(t * 0.5236 + s) + (t * 7 % 5) }' \
  >"$tmp/m.csv"
expect_exit "threads 1" 0 "$civ" backtest "$tmp/m.csv" --model "ets,ETS(M,Md,N)" --h 4 --windows 3 --step 2 \
  --threads 1 --out "$tmp/t1.csv" --accuracy "$tmp/a1.csv" --quiet
expect_exit "threads 2" 0 "$civ" backtest "$tmp/m.csv" --model "ets,ETS(M,Md,N)" --h 4 --windows 3 --step 2 \
  --threads 2 --out "$tmp/t2.csv" --accuracy "$tmp/a2.csv" --quiet
same "threads" "$tmp/t1.csv" "$tmp/t2.csv"
same "threads accuracy" "$tmp/a1.csv" "$tmp/a2.csv"
grep -q "^AutoETS," "$tmp/a1.csv" && grep -q '^"\?ETS(M,Md,N)' "$tmp/a1.csv" || fail "model names: $(cat "$tmp/a1.csv")"

# ---- usage and spec errors -----------------------------------------------------------
expect_exit "no out" 1 "$civ" backtest "$tmp/p.csv"
expect_err "no out" "missing --out"
expect_exit "windows 0" 1 "$civ" backtest "$tmp/p.csv" --windows 0 --out "$tmp/x.csv"
expect_exit "bad model" 4 "$civ" backtest "$tmp/p.csv" --model naive,nonsense --out "$tmp/x.csv"
expect_err "bad model" "unknown model 'nonsense'"
expect_exit "same model" 4 "$civ" backtest "$tmp/p.csv" --model ets,ETS --out "$tmp/x.csv"
[ ! -e "$tmp/x.csv" ] || fail "a failed run left an output"

# ---- forecast: several models, wide, conformal ----------------------------------------
expect_exit "multi" 0 "$civ" forecast "$tmp/m.csv" --model ets,theta,naive --h 3 --out "$tmp/f.csv" --quiet
[ "$(head -1 "$tmp/f.csv")" = "unique_id,ds,h,model,fitted_model,mean,lo-80,hi-80,lo-95,hi-95" ] ||
  fail "multi header: $(head -1 "$tmp/f.csv")"
[ "$(cut -d, -f4 "$tmp/f.csv" | sort -u | tr '\n' ' ')" = "AutoETS Naive Theta model " ] || fail "multi models"
expect_exit "wide" 0 "$civ" forecast "$tmp/m.csv" --model ets,theta --h 3 --wide --out "$tmp/w.csv" --quiet
[ "$(head -1 "$tmp/w.csv")" = "unique_id,ds,AutoETS,AutoETS-lo-95,AutoETS-lo-80,AutoETS-hi-80,AutoETS-hi-95,Theta,Theta-lo-95,Theta-lo-80,Theta-hi-80,Theta-hi-95" ] ||
  fail "wide header: $(head -1 "$tmp/w.csv")"
# the wide Theta mean is the single-model forecast's
expect_exit "single" 0 "$civ" forecast "$tmp/m.csv" --model theta --h 3 --out "$tmp/s.csv" --quiet
[ "$(cut -d, -f8 "$tmp/w.csv" | tail -n +2)" = "$(cut -d, -f5 "$tmp/s.csv" | tail -n +2)" ] || fail "wide mean"
expect_exit "report multi" 1 "$civ" forecast "$tmp/m.csv" --model ets,theta --report "$tmp/r.csv" --out "$tmp/f.csv"
expect_exit "conformal" 0 "$civ" forecast "$tmp/m.csv" --model theta --h 3 --intervals conformal \
  --conformal-windows 4 --out "$tmp/c.csv" --quiet
cmp -s "$tmp/c.csv" "$tmp/s.csv" && fail "conformal intervals equal the model's"
expect_exit "bad intervals" 1 "$civ" forecast "$tmp/m.csv" --intervals wide --out "$tmp/x.csv"
expect_err "bad intervals" "--intervals is model or conformal"

[ "$fails" -eq 0 ] && echo "backtest.sh: all passed" || { echo "backtest.sh: $fails failed" >&2; exit 1; }
