#!/usr/bin/env bash
# forecast.sh -- `civicast forecast`: output layout (columns, ds, rows), the
# per-series report and exit code 6 when a series fails, the summary line,
# identical outputs for 1 and 2 threads (also with simulated intervals),
# covariates, fitted values, HDF5 output, and usage / spec errors.
# usage: bash forecast.sh PATH_TO_CIVICAST
set -uo pipefail
civ=${1:?usage: forecast.sh PATH_TO_CIVICAST}
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

# A small monthly panel: two ordinary series (36 months), one too short for
# snaive (5 months), covariate aged60 with 12 future months for a, 2 for b.
{
  echo "unique_id,ds,y,aged60"
  for s in a b; do
    for t in $(seq 0 35); do
      y=$(awk -v t="$t" -v s="$s" 'BEGIN { b = (s == "a") ? 100 : 40; printf "%.1f", b + t * 0.8 + 12 * sin(t * 0.5236) + (t * 7 % 5) }')
      printf '%s,%04d-%02d,%s,%d\n' "$s" $((2021 + t / 12)) $((t % 12 + 1)) "$y" $((500 + t))
    done
  done
  for t in 36 37 38 39 40 41 42 43 44 45 46 47; do
    printf 'a,%04d-%02d,,%d\n' $((2021 + t / 12)) $((t % 12 + 1)) $((500 + t))
  done
  printf 'b,2024-01,,536\nb,2024-02,,537\n'
  for t in 0 1 2 3 4; do printf 'c,2024-%02d,%d,7\n' $((t + 1)) $((10 + t)); done
} >"$tmp/panel.csv"

# ---- ordinary run: layout --------------------------------------------------
expect_exit "naive" 0 "$civ" forecast "$tmp/panel.csv" --h 6 --model naive --out "$tmp/f.csv"
[ "$(head -1 "$tmp/f.csv")" = "unique_id,ds,h,model,mean,lo-80,hi-80,lo-95,hi-95" ] ||
  fail "naive: header is $(head -1 "$tmp/f.csv")"
[ "$(wc -l <"$tmp/f.csv")" -eq $((3 * 6 + 1)) ] || fail "naive: $(wc -l <"$tmp/f.csv") lines, expected 19"
grep -q '^a,2024-01,1,Naive,' "$tmp/f.csv" || fail "naive: no row a,2024-01,1,Naive"
grep -q '^c,2024-11,6,Naive,14,' "$tmp/f.csv" || fail "naive: c's 6th forecast is not 14 in 2024-11"
expect_err "naive summary" '^forecast 3 series in [0-9.]+ s: 3 ok$'
grep -q $'\r' "$tmp/err" && fail "naive: progress bar drawn although stderr is not a terminal"

# ---- a failing series: exit 6, report, summary -------------------------------
expect_exit "snaive partial" 6 "$civ" forecast "$tmp/panel.csv" --h 12 --model snaive --out "$tmp/s.csv" \
  --report "$tmp/r.csv"
expect_err "snaive summary" '^forecast 3 series in [0-9.]+ s: 2 ok, 1 failed \(see report\)$'
head -1 "$tmp/r.csv" | grep '^unique_id,model,status,message,n,loglik,aic,aicc,bic,sigma2,n_params' >/dev/null ||
  fail "report header: $(head -1 "$tmp/r.csv")"
grep -q '^c,,CIV_ERR_TOO_SHORT,"the seasonal naive method needs at least 13 values, got 5"' "$tmp/r.csv" ||
  fail "report lacks c's failure: $(cat "$tmp/r.csv")"
grep -q '^a,SNaive,CIV_OK,,36,' "$tmp/r.csv" || fail "report lacks a's success"
[ "$(grep -c '^c,' "$tmp/s.csv")" -eq 12 ] || fail "failed series c should keep 12 empty rows"
grep -q '^c,2024-06,1,,,,,,$' "$tmp/s.csv" || fail "failed series rows are not empty: $(grep '^c,' "$tmp/s.csv" | head -1)"
# without --report the failures are listed on stderr
expect_exit "snaive no report" 6 "$civ" forecast "$tmp/panel.csv" --h 12 --model snaive --out "$tmp/s.csv"
expect_err "snaive no report" '^  c: the seasonal naive method needs at least 13 values'
expect_exit "quiet" 6 "$civ" forecast "$tmp/panel.csv" --model snaive --out "$tmp/s.csv" --quiet
[ -s "$tmp/err" ] && fail "--quiet printed: $(cat "$tmp/err")"

# ---- levels --------------------------------------------------------------------
expect_exit "levels" 0 "$civ" forecast "$tmp/panel.csv" --h 2 --model rwf --level 97.5,50 --out "$tmp/l.csv"
[ "$(head -1 "$tmp/l.csv")" = "unique_id,ds,h,model,mean,lo-97.5,hi-97.5,lo-50,hi-50" ] ||
  fail "levels header: $(head -1 "$tmp/l.csv")"
expect_exit "no levels" 0 "$civ" forecast "$tmp/panel.csv" --h 2 --model mean --level none --out "$tmp/l.csv"
[ "$(head -1 "$tmp/l.csv")" = "unique_id,ds,h,model,mean" ] || fail "no levels header: $(head -1 "$tmp/l.csv")"
expect_exit "bad level" 1 "$civ" forecast "$tmp/panel.csv" --level 80,abc --out "$tmp/l.csv"
expect_exit "level 100" 1 "$civ" forecast "$tmp/panel.csv" --model naive --level 100 --out "$tmp/l.csv"
expect_err "level 100" 'level 100 is not a percentage'

# ---- determinism over threads (baselines, and every registered family) -------
# one cheap spec per registered family (automatic searches are slow for a test)
specs=(mean naive snaive rwf)
families=$("$civ" forecast --list-models | sed -n 's/^  \([a-z]*\) .*/\1/p')
for fam in $families; do
  case $fam in
  mean | naive | snaive | rwf) ;;
  ets) specs+=(ets 'ETS(M,M,N)') ;;
  auto) specs+=(auto) ;;      # combo(median), or TSB for intermittent series
  combo) specs+=('combo' 'combo(median,ets,theta,dotm)') ;; # default members; named members
  croston | sba | tsb | adida | imapa) specs+=("$fam") ;;
  theta) specs+=(theta dotm) ;;
  arima) specs+=('ARIMA(1,1,1)') ;;
  *) fail "family $fam has no spec in forecast.sh: add one" ;;
  esac
done
for spec in "${specs[@]}"; do
  rm -f "$tmp"/t[12].csv "$tmp"/r[12].csv
  "$civ" forecast "$tmp/panel.csv" --h 8 --model "$spec" --threads 1 --paths 300 --out "$tmp/t1.csv" \
    --report "$tmp/r1.csv" --quiet
  c1=$?
  "$civ" forecast "$tmp/panel.csv" --h 8 --model "$spec" --threads 2 --paths 300 --out "$tmp/t2.csv" \
    --report "$tmp/r2.csv" --quiet
  c2=$?
  [ "$c1" -eq "$c2" ] || fail "threads $spec: exit $c1 vs $c2"
  { [ "$c1" -eq 0 ] || [ "$c1" -eq 6 ]; } || fail "threads $spec: exit $c1"
  [ -s "$tmp/t1.csv" ] && [ -s "$tmp/r1.csv" ] || fail "threads $spec: outputs missing"
  cmp -s "$tmp/t1.csv" "$tmp/t2.csv" || fail "threads $spec: forecasts differ between 1 and 2 threads"
  cmp -s "$tmp/r1.csv" "$tmp/r2.csv" || fail "threads $spec: reports differ between 1 and 2 threads"
done
# ---- intermittent counts: classification, auto routing, --integer ---------------
{
  echo "unique_id,ds,y"
  for m in $(seq 0 35); do
    printf 'rare,%d-%02d,%d\n' $((2021 + m / 12)) $((m % 12 + 1)) $(( (m * 7) % 5 == 0 ? (m % 4) + 1 : 0 ))
    printf 'steady,%d-%02d,%d\n' $((2021 + m / 12)) $((m % 12 + 1)) $(( 40 + (m * 13) % 9 ))
  done
} >"$tmp/counts.csv"
expect_exit "auto counts" 0 "$civ" forecast "$tmp/counts.csv" --h 4 --out "$tmp/ic.csv" --report "$tmp/ir.csv" --integer
expect_err "auto counts" '^demand: smooth 1, intermittent 1'
head -1 "$tmp/ir.csv" | grep -q ',adi,cv2,demand_class$' || fail "report lacks the demand columns: $(head -1 "$tmp/ir.csv")"
grep -q '^rare,TSB,CIV_OK,.*,intermittent$' "$tmp/ir.csv" || fail "rare not TSB/intermittent: $(grep '^rare' "$tmp/ir.csv")"
grep -q '^steady,"ComboMedian\[.*,smooth$' "$tmp/ir.csv" || fail "steady not the combination: $(grep '^steady' "$tmp/ir.csv")"
# --integer: whole, non-negative bounds (columns 6-9)
awk -F, 'NR > 1 && $1 == "rare" { for (c = 6; c <= 9; c++) if ($c != int($c) || $c < 0) bad = bad " " $c }
         END { if (bad) { print "non-integer bounds:" bad; exit 1 } }' "$tmp/ic.csv" || fail "--integer bounds"
# the combination's bounds are whole too under --integer (the model name has commas: count from the end)
awk -F, 'NR > 1 && $1 == "steady" && ($(NF-3) != int($(NF-3)) || $NF != int($NF)) { exit 1 }' "$tmp/ic.csv" ||
  fail "--integer: combination bounds not whole"
expect_exit "croston bad alpha" 4 "$civ" forecast "$tmp/counts.csv" --model 'croston(alpha=3)' --out "$tmp/x.csv"
expect_err "croston bad alpha" 'smoothing parameters must be in \(0, 1\]'

# a spec with simulated intervals, when the ETS family is registered
if "$civ" forecast --list-models | grep '^  ets ' >/dev/null; then
  for t in 1 2; do
    "$civ" forecast "$tmp/panel.csv" --h 8 --model 'ETS(M,M,N)' --threads $t --paths 500 --seed 11 \
      --out "$tmp/e$t.csv" --quiet
  done
  cmp -s "$tmp/e1.csv" "$tmp/e2.csv" || fail "ETS(M,M,N): simulated intervals differ between 1 and 2 threads"
  "$civ" forecast "$tmp/panel.csv" --h 8 --model 'ETS(M,M,N)' --paths 500 --seed 12 --out "$tmp/e3.csv" --quiet
  grep '^a,' "$tmp/e1.csv" | cmp -s - <(grep '^a,' "$tmp/e3.csv") &&
    echo "note: ETS(M,M,N) intervals do not depend on --seed (analytic?)" >&2
fi

# ---- covariates ------------------------------------------------------------------
expect_exit "xreg" 6 "$civ" forecast "$tmp/panel.csv" --h 12 --model naive --xreg aged60 --out "$tmp/x.csv" \
  --report "$tmp/xr.csv"
grep -q "^b,,CIV_ERR_NOT_FOUND,covariate 'aged60' has no future values for h=3..12" "$tmp/xr.csv" ||
  fail "xreg: b's failure: $(grep '^b,' "$tmp/xr.csv")"
grep -q '^a,Naive,CIV_OK' "$tmp/xr.csv" || fail "xreg: a should succeed"
expect_exit "xreg unknown" 2 "$civ" forecast "$tmp/panel.csv" --model naive --xreg nope --out "$tmp/x.csv"
expect_err "xreg unknown" "no covariate 'nope'"

# ---- fitted values and HDF5 --------------------------------------------------------
expect_exit "fitted" 0 "$civ" forecast "$tmp/panel.csv" --h 3 --model naive --out "$tmp/f.h5" --fitted "$tmp/fit.csv"
[ -s "$tmp/f.h5" ] || fail "HDF5 output missing"
[ "$(head -1 "$tmp/fit.csv")" = "unique_id,ds,y,fitted,residual" ] || fail "fitted header: $(head -1 "$tmp/fit.csv")"
[ "$(wc -l <"$tmp/fit.csv")" -eq $((36 + 36 + 5 + 1)) ] || fail "fitted: $(wc -l <"$tmp/fit.csv") lines"
grep -q '^c,2024-02,11,10,1$' "$tmp/fit.csv" || fail "fitted: c 2024-02 should be y 11, fitted 10, residual 1"

# ---- errors --------------------------------------------------------------------------
expect_exit "bad spec" 4 "$civ" forecast "$tmp/panel.csv" --model 'nosuch' --out "$tmp/f.csv"
expect_err "bad spec" "unknown model 'nosuch'"
expect_exit "no out" 1 "$civ" forecast "$tmp/panel.csv" --model naive
expect_err "no out" 'missing --out'
expect_exit "bad h" 1 "$civ" forecast "$tmp/panel.csv" --h 0 --out "$tmp/f.csv"
expect_exit "bad ic" 1 "$civ" forecast "$tmp/panel.csv" --ic xyz --out "$tmp/f.csv"
expect_exit "no input" 3 "$civ" forecast "$tmp/none.csv" --model naive --out "$tmp/f.csv"
# ---- streamed outputs: the same bytes for any chunk size (issue 18 item 9) --
expect_exit "chunk default" 6 "$civ" forecast "$tmp/panel.csv" --model snaive --h 7 --out "$tmp/k0.csv" \
  --report "$tmp/k0r.csv" --fitted "$tmp/k0f.csv" -q
expect_exit "chunk 1" 6 "$civ" forecast "$tmp/panel.csv" --model snaive --h 7 --out "$tmp/k1.csv" \
  --report "$tmp/k1r.csv" --fitted "$tmp/k1f.csv" --chunk 1 --threads 2 -q
for f in k0.csv:k1.csv k0r.csv:k1r.csv k0f.csv:k1f.csv; do
  cmp -s "$tmp/${f%%:*}" "$tmp/${f##*:}" || fail "--chunk 1 changed ${f%%:*}"
done
expect_exit "chunk 0" 1 "$civ" forecast "$tmp/panel.csv" --chunk 0 --out "$tmp/k2.csv"
expect_err "chunk 0" "--chunk needs a positive whole number"
# conformal intervals are calibrated over the whole panel: run whole, --chunk changes nothing
expect_exit "conformal" 0 "$civ" forecast "$tmp/panel.csv" --model naive --h 3 --intervals conformal \
  --conformal-windows 3 --out "$tmp/c0.csv" -q
expect_exit "conformal chunk 1" 0 "$civ" forecast "$tmp/panel.csv" --model naive --h 3 --intervals conformal \
  --conformal-windows 3 --chunk 1 --out "$tmp/c1.csv" -q
cmp -s "$tmp/c0.csv" "$tmp/c1.csv" || fail "--chunk 1 changed the conformal forecasts"
expect_exit "model intervals" 0 "$civ" forecast "$tmp/panel.csv" --model naive --h 3 --out "$tmp/c2.csv" -q
cmp -s "$tmp/c0.csv" "$tmp/c2.csv" && fail "conformal intervals equal the model's: were they applied?"
# the windows' spacing and the calibration sample reach the library (other values, other bounds; 'all' = default)
expect_exit "conformal 10" 0 "$civ" forecast "$tmp/panel.csv" --model naive --h 3 --intervals conformal \
  --conformal-windows 10 --out "$tmp/c6.csv" -q
expect_exit "conformal step" 0 "$civ" forecast "$tmp/panel.csv" --model naive --h 3 --intervals conformal \
  --conformal-windows 10 --conformal-step 2 --out "$tmp/c3.csv" -q
cmp -s "$tmp/c6.csv" "$tmp/c3.csv" && fail "--conformal-step 2 changed nothing"
expect_exit "conformal sample" 0 "$civ" forecast "$tmp/panel.csv" --model naive --h 3 --intervals conformal \
  --conformal-windows 10 --conformal-sample 1 --out "$tmp/c4.csv" -q
cmp -s "$tmp/c6.csv" "$tmp/c4.csv" && fail "--conformal-sample 1 changed nothing"
expect_exit "conformal sample all" 0 "$civ" forecast "$tmp/panel.csv" --model naive --h 3 --intervals conformal \
  --conformal-windows 10 --conformal-sample all --out "$tmp/c5.csv" -q
cmp -s "$tmp/c6.csv" "$tmp/c5.csv" || fail "--conformal-sample all differs from the default (every series)"
expect_exit "conformal step 0" 1 "$civ" forecast "$tmp/panel.csv" --intervals conformal --conformal-step 0 \
  --out "$tmp/none.csv"
expect_err "conformal step 0" "--conformal-step needs a whole number 1..1000"
expect_exit "conformal sample x" 1 "$civ" forecast "$tmp/panel.csv" --intervals conformal --conformal-sample x \
  --out "$tmp/none.csv"
expect_err "conformal sample x" "--conformal-sample needs a positive whole number or 'all'"
# several models are forecast whole: --chunk is refused; each model's summary line
expect_exit "chunk with models" 1 "$civ" forecast "$tmp/panel.csv" --model naive,mean --chunk 2 --out "$tmp/k4.csv"
expect_err "chunk with models" "--chunk takes one model"
expect_exit "two models" 0 "$civ" forecast "$tmp/panel.csv" --model naive,mean --h 2 --out "$tmp/k5.csv"
expect_err "two models" "^naive: forecast 3 series in .* s: 3 ok"
expect_err "two models" "^mean: forecast 3 series"
expect_exit "bad report ext" 3 "$civ" forecast "$tmp/panel.csv" --model naive --out "$tmp/k3.csv" --report "$tmp/k3.txt"
[ -e "$tmp/k3.csv" ] && fail "forecasts written although the report could not be"
ls -a "$tmp" | grep -q '\.tmp\.' && fail "a temporary file was left"
expect_exit "help" 0 "$civ" forecast --help
grep -q 'usage: civicast forecast' "$tmp/out" || fail "help text"
[ -e "$tmp/none.csv" ] && fail "an output was left for a failed run"

if [ "$fails" -ne 0 ]; then
  echo "forecast.sh: $fails failure(s)" >&2
  exit 1
fi
echo "forecast.sh: all passed"
