#!/usr/bin/env bash
# forecast.sh -- `civicast forecast`: output layout (columns, ds, rows), the
# per-series report and exit code 6 when a series fails, the summary line,
# identical outputs for 1 and 2 threads (also with simulated intervals),
# covariates, fitted values, HDF5 output, and usage / spec errors.
# usage: bash forecast.sh PATH_TO_CIVICAST
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cli_start "$@"

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
} >"$WORK/panel.csv"

# ---- ordinary run: layout --------------------------------------------------
expect_code "naive" 0 "$CIV" forecast "$WORK/panel.csv" --h 6 --model naive --out "$WORK/f.csv"
[ "$(head -1 "$WORK/f.csv")" = "unique_id,ds,h,model,mean,lo-80,hi-80,lo-95,hi-95" ] ||
  fail "naive: header is $(head -1 "$WORK/f.csv")"
[ "$(wc -l <"$WORK/f.csv")" -eq $((3 * 6 + 1)) ] || fail "naive: $(wc -l <"$WORK/f.csv") lines, expected 19"
grep -q '^a,2024-01,1,Naive,' "$WORK/f.csv" || fail "naive: no row a,2024-01,1,Naive"
grep -q '^c,2024-11,6,Naive,14,' "$WORK/f.csv" || fail "naive: c's 6th forecast is not 14 in 2024-11"
expect_err "naive summary" '^forecast 3 series in [0-9.]+ s: 3 ok$'
grep -q $'\r' "$WORK/err" && fail "naive: progress bar drawn although stderr is not a terminal"

# ---- a failing series: exit 6, report, summary -------------------------------
expect_code "snaive partial" 6 "$CIV" forecast "$WORK/panel.csv" --h 12 --model snaive --out "$WORK/s.csv" \
  --report "$WORK/r.csv"
expect_err "snaive summary" '^forecast 3 series in [0-9.]+ s: 2 ok, 1 failed \(see report\)$'
head -1 "$WORK/r.csv" | grep '^unique_id,model,status,message,n,loglik,aic,aicc,bic,sigma2,n_params' >/dev/null ||
  fail "report header: $(head -1 "$WORK/r.csv")"
grep -q '^c,,CIV_ERR_TOO_SHORT,"the seasonal naive method needs at least 13 values, got 5"' "$WORK/r.csv" ||
  fail "report lacks c's failure: $(cat "$WORK/r.csv")"
grep -q '^a,SNaive,CIV_OK,,36,' "$WORK/r.csv" || fail "report lacks a's success"
[ "$(grep -c '^c,' "$WORK/s.csv")" -eq 12 ] || fail "failed series c should keep 12 empty rows"
grep -q '^c,2024-06,1,,,,,,$' "$WORK/s.csv" || fail "failed series rows are not empty: $(grep '^c,' "$WORK/s.csv" | head -1)"
# without --report the failures are listed on stderr
expect_code "snaive no report" 6 "$CIV" forecast "$WORK/panel.csv" --h 12 --model snaive --out "$WORK/s.csv"
expect_err "snaive no report" '^  c: the seasonal naive method needs at least 13 values'
expect_code "quiet" 6 "$CIV" forecast "$WORK/panel.csv" --model snaive --out "$WORK/s.csv" --quiet
[ -s "$WORK/err" ] && fail "--quiet printed: $(cat "$WORK/err")"

# ---- auto on short histories: one value refused, the naive floor, auto(nofloor) --
{
  echo "unique_id,ds,y"
  echo "new,2024-01,120"
  printf 'young,2024-%02d,%s\n' 1 100 2 130 3 90 4 115
} >"$WORK/short.csv"
expect_code "auto short" 6 "$CIV" forecast "$WORK/short.csv" --h 3 --model auto --out "$WORK/as.csv" \
  --report "$WORK/ar.csv"
grep -q '^new,,CIV_ERR_TOO_SHORT,"a combination needs at least 2 observed values, the series has 1' "$WORK/ar.csv" ||
  fail "auto: a one-value series is not refused with its reason: $(cat "$WORK/ar.csv")"
expect_code "auto(nofloor) short" 6 "$CIV" forecast "$WORK/short.csv" --h 3 --model "auto(nofloor)" \
  --out "$WORK/an.csv"
expect_code "naive short" 6 "$CIV" forecast "$WORK/short.csv" --h 3 --model naive --out "$WORK/nv.csv"
/usr/bin/python3 - "$WORK/as.csv" "$WORK/an.csv" "$WORK/nv.csv" <<'PY' || fail "auto: the short-history floor"
import csv, sys
auto, raw, naive = ([r for r in csv.DictReader(open(p)) if r["unique_id"] == "young"] for p in sys.argv[1:])
wider = 0
for a, r, n in zip(auto, raw, naive):
    m = float(a["mean"])
    assert m == float(r["mean"])
    for lv in ("80", "95"):
        lo = min(float(r["lo-" + lv]), m - (float(n["mean"]) - float(n["lo-" + lv])))
        hi = max(float(r["hi-" + lv]), m + (float(n["hi-" + lv]) - float(n["mean"])))
        assert abs(float(a["lo-" + lv]) - max(lo, 0)) < 1e-6 and abs(float(a["hi-" + lv]) - hi) < 1e-6, (a, lo, hi)
        wider += float(a["hi-" + lv]) - float(a["lo-" + lv]) > float(r["hi-" + lv]) - float(r["lo-" + lv]) + 1e-9
assert wider > 0
PY

# ---- levels --------------------------------------------------------------------
expect_code "levels" 0 "$CIV" forecast "$WORK/panel.csv" --h 2 --model rwf --level 97.5,50 --out "$WORK/l.csv"
[ "$(head -1 "$WORK/l.csv")" = "unique_id,ds,h,model,mean,lo-97.5,hi-97.5,lo-50,hi-50" ] ||
  fail "levels header: $(head -1 "$WORK/l.csv")"
expect_code "no levels" 0 "$CIV" forecast "$WORK/panel.csv" --h 2 --model mean --level none --out "$WORK/l.csv"
[ "$(head -1 "$WORK/l.csv")" = "unique_id,ds,h,model,mean" ] || fail "no levels header: $(head -1 "$WORK/l.csv")"
expect_code "bad level" 1 "$CIV" forecast "$WORK/panel.csv" --level 80,abc --out "$WORK/l.csv"
expect_code "level 100" 1 "$CIV" forecast "$WORK/panel.csv" --model naive --level 100 --out "$WORK/l.csv"
expect_err "level 100" 'level 100 is not a percentage'

# ---- determinism over threads (baselines, and every registered family) -------
# one cheap spec per registered family (automatic searches are slow for a test)
specs=(mean naive snaive rwf)
families=$("$CIV" forecast --list-models | sed -n 's/^  \([a-z]*\) .*/\1/p')
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
  rm -f "$WORK"/t[12].csv "$WORK"/r[12].csv
  "$CIV" forecast "$WORK/panel.csv" --h 8 --model "$spec" --threads 1 --paths 300 --out "$WORK/t1.csv" \
    --report "$WORK/r1.csv" --quiet
  c1=$?
  "$CIV" forecast "$WORK/panel.csv" --h 8 --model "$spec" --threads 2 --paths 300 --out "$WORK/t2.csv" \
    --report "$WORK/r2.csv" --quiet
  c2=$?
  [ "$c1" -eq "$c2" ] || fail "threads $spec: exit $c1 vs $c2"
  { [ "$c1" -eq 0 ] || [ "$c1" -eq 6 ]; } || fail "threads $spec: exit $c1"
  [ -s "$WORK/t1.csv" ] && [ -s "$WORK/r1.csv" ] || fail "threads $spec: outputs missing"
  cmp -s "$WORK/t1.csv" "$WORK/t2.csv" || fail "threads $spec: forecasts differ between 1 and 2 threads"
  cmp -s "$WORK/r1.csv" "$WORK/r2.csv" || fail "threads $spec: reports differ between 1 and 2 threads"
done
# ---- intermittent counts: classification, auto routing, --integer ---------------
{
  echo "unique_id,ds,y"
  for m in $(seq 0 35); do
    printf 'rare,%d-%02d,%d\n' $((2021 + m / 12)) $((m % 12 + 1)) $(( (m * 7) % 5 == 0 ? (m % 4) + 1 : 0 ))
    printf 'steady,%d-%02d,%d\n' $((2021 + m / 12)) $((m % 12 + 1)) $(( 40 + (m * 13) % 9 ))
  done
} >"$WORK/counts.csv"
expect_code "auto counts" 0 "$CIV" forecast "$WORK/counts.csv" --h 4 --out "$WORK/ic.csv" --report "$WORK/ir.csv" --integer
expect_err "auto counts" '^demand: smooth 1, intermittent 1'
head -1 "$WORK/ir.csv" | grep -q ',adi,cv2,demand_class$' || fail "report lacks the demand columns: $(head -1 "$WORK/ir.csv")"
grep -q '^rare,TSB,CIV_OK,.*,intermittent$' "$WORK/ir.csv" || fail "rare not TSB/intermittent: $(grep '^rare' "$WORK/ir.csv")"
grep -q '^steady,"ComboMedian\[.*,smooth$' "$WORK/ir.csv" || fail "steady not the combination: $(grep '^steady' "$WORK/ir.csv")"
# --integer: whole, non-negative bounds (columns 6-9)
awk -F, 'NR > 1 && $1 == "rare" { for (c = 6; c <= 9; c++) if ($c != int($c) || $c < 0) bad = bad " " $c }
         END { if (bad) { print "non-integer bounds:" bad; exit 1 } }' "$WORK/ic.csv" || fail "--integer bounds"
# the combination's bounds are whole too under --integer (the model name has commas: count from the end)
awk -F, 'NR > 1 && $1 == "steady" && ($(NF-3) != int($(NF-3)) || $NF != int($NF)) { exit 1 }' "$WORK/ic.csv" ||
  fail "--integer: combination bounds not whole"
expect_code "croston bad alpha" 4 "$CIV" forecast "$WORK/counts.csv" --model 'croston(alpha=3)' --out "$WORK/x.csv"
expect_err "croston bad alpha" 'smoothing parameters must be in \(0, 1\]'

# a spec with simulated intervals, when the ETS family is registered
if "$CIV" forecast --list-models | grep '^  ets ' >/dev/null; then
  for t in 1 2; do
    "$CIV" forecast "$WORK/panel.csv" --h 8 --model 'ETS(M,M,N)' --threads $t --paths 500 --seed 11 \
      --out "$WORK/e$t.csv" --quiet
  done
  cmp -s "$WORK/e1.csv" "$WORK/e2.csv" || fail "ETS(M,M,N): simulated intervals differ between 1 and 2 threads"
  "$CIV" forecast "$WORK/panel.csv" --h 8 --model 'ETS(M,M,N)' --paths 500 --seed 12 --out "$WORK/e3.csv" --quiet
  grep '^a,' "$WORK/e1.csv" | cmp -s - <(grep '^a,' "$WORK/e3.csv") &&
    echo "note: ETS(M,M,N) intervals do not depend on --seed (analytic?)" >&2
fi

# ---- covariates ------------------------------------------------------------------
expect_code "xreg" 6 "$CIV" forecast "$WORK/panel.csv" --h 12 --model naive --xreg aged60 --out "$WORK/x.csv" \
  --report "$WORK/xr.csv"
grep -q "^b,,CIV_ERR_NOT_FOUND,covariate 'aged60' has no future values for h=3..12" "$WORK/xr.csv" ||
  fail "xreg: b's failure: $(grep '^b,' "$WORK/xr.csv")"
grep -q '^a,Naive,CIV_OK' "$WORK/xr.csv" || fail "xreg: a should succeed"
expect_code "xreg unknown" 2 "$CIV" forecast "$WORK/panel.csv" --model naive --xreg nope --out "$WORK/x.csv"
expect_err "xreg unknown" "no covariate 'nope'"

# ---- fitted values and HDF5 --------------------------------------------------------
expect_code "fitted" 0 "$CIV" forecast "$WORK/panel.csv" --h 3 --model naive --out "$WORK/f.h5" --fitted "$WORK/fit.csv"
[ -s "$WORK/f.h5" ] || fail "HDF5 output missing"
[ "$(head -1 "$WORK/fit.csv")" = "unique_id,ds,y,fitted,residual" ] || fail "fitted header: $(head -1 "$WORK/fit.csv")"
[ "$(wc -l <"$WORK/fit.csv")" -eq $((36 + 36 + 5 + 1)) ] || fail "fitted: $(wc -l <"$WORK/fit.csv") lines"
grep -q '^c,2024-02,11,10,1$' "$WORK/fit.csv" || fail "fitted: c 2024-02 should be y 11, fitted 10, residual 1"

# ---- errors --------------------------------------------------------------------------
expect_code "bad spec" 4 "$CIV" forecast "$WORK/panel.csv" --model 'nosuch' --out "$WORK/f.csv"
expect_err "bad spec" "unknown model 'nosuch'"
expect_code "no out" 1 "$CIV" forecast "$WORK/panel.csv" --model naive
expect_err "no out" 'missing --out'
expect_code "bad h" 1 "$CIV" forecast "$WORK/panel.csv" --h 0 --out "$WORK/f.csv"
expect_code "bad ic" 1 "$CIV" forecast "$WORK/panel.csv" --ic xyz --out "$WORK/f.csv"
expect_code "no input" 3 "$CIV" forecast "$WORK/none.csv" --model naive --out "$WORK/f.csv"
# ---- streamed outputs: the same bytes for any chunk size (issue 18 item 9) --
expect_code "chunk default" 6 "$CIV" forecast "$WORK/panel.csv" --model snaive --h 7 --out "$WORK/k0.csv" \
  --report "$WORK/k0r.csv" --fitted "$WORK/k0f.csv" -q
expect_code "chunk 1" 6 "$CIV" forecast "$WORK/panel.csv" --model snaive --h 7 --out "$WORK/k1.csv" \
  --report "$WORK/k1r.csv" --fitted "$WORK/k1f.csv" --chunk 1 --threads 2 -q
for f in k0.csv:k1.csv k0r.csv:k1r.csv k0f.csv:k1f.csv; do
  cmp -s "$WORK/${f%%:*}" "$WORK/${f##*:}" || fail "--chunk 1 changed ${f%%:*}"
done
expect_code "chunk 0" 1 "$CIV" forecast "$WORK/panel.csv" --chunk 0 --out "$WORK/k2.csv"
expect_err "chunk 0" "--chunk needs a positive whole number"
# conformal intervals are calibrated over the whole panel: run whole, --chunk changes nothing
expect_code "conformal" 0 "$CIV" forecast "$WORK/panel.csv" --model naive --h 3 --intervals conformal \
  --conformal-windows 3 --out "$WORK/c0.csv" -q
expect_code "conformal chunk 1" 0 "$CIV" forecast "$WORK/panel.csv" --model naive --h 3 --intervals conformal \
  --conformal-windows 3 --chunk 1 --out "$WORK/c1.csv" -q
cmp -s "$WORK/c0.csv" "$WORK/c1.csv" || fail "--chunk 1 changed the conformal forecasts"
expect_code "model intervals" 0 "$CIV" forecast "$WORK/panel.csv" --model naive --h 3 --out "$WORK/c2.csv" -q
cmp -s "$WORK/c0.csv" "$WORK/c2.csv" && fail "conformal intervals equal the model's: were they applied?"
# the windows' spacing and the calibration sample reach the library (other values, other bounds; 'all' = default)
expect_code "conformal 10" 0 "$CIV" forecast "$WORK/panel.csv" --model naive --h 3 --intervals conformal \
  --conformal-windows 10 --out "$WORK/c6.csv" -q
expect_code "conformal step" 0 "$CIV" forecast "$WORK/panel.csv" --model naive --h 3 --intervals conformal \
  --conformal-windows 10 --conformal-step 2 --out "$WORK/c3.csv" -q
cmp -s "$WORK/c6.csv" "$WORK/c3.csv" && fail "--conformal-step 2 changed nothing"
expect_code "conformal sample" 0 "$CIV" forecast "$WORK/panel.csv" --model naive --h 3 --intervals conformal \
  --conformal-windows 10 --conformal-sample 1 --out "$WORK/c4.csv" -q
cmp -s "$WORK/c6.csv" "$WORK/c4.csv" && fail "--conformal-sample 1 changed nothing"
expect_code "conformal sample all" 0 "$CIV" forecast "$WORK/panel.csv" --model naive --h 3 --intervals conformal \
  --conformal-windows 10 --conformal-sample all --out "$WORK/c5.csv" -q
cmp -s "$WORK/c6.csv" "$WORK/c5.csv" || fail "--conformal-sample all differs from the default (every series)"
expect_code "conformal step 0" 1 "$CIV" forecast "$WORK/panel.csv" --intervals conformal --conformal-step 0 \
  --out "$WORK/none.csv"
expect_err "conformal step 0" "--conformal-step needs a whole number 1..1000"
expect_code "conformal sample x" 1 "$CIV" forecast "$WORK/panel.csv" --intervals conformal --conformal-sample x \
  --out "$WORK/none.csv"
expect_err "conformal sample x" "--conformal-sample needs a positive whole number or 'all'"
# --conformal-refit: search is the default; naive has no search, so fixed calibrates the same; ets refits
# each series' chosen form (tests/test_backtest.c derives that rule)
expect_code "conformal search" 0 "$CIV" forecast "$WORK/panel.csv" --model naive --h 3 --intervals conformal \
  --conformal-windows 10 --conformal-refit search --out "$WORK/r1.csv" -q
cmp -s "$WORK/c6.csv" "$WORK/r1.csv" || fail "--conformal-refit search differs from the default"
expect_code "conformal fixed" 0 "$CIV" forecast "$WORK/panel.csv" --model naive --h 3 --intervals conformal \
  --conformal-windows 10 --conformal-refit fixed --out "$WORK/r2.csv" -q
cmp -s "$WORK/c6.csv" "$WORK/r2.csv" || fail "--conformal-refit fixed changed naive, which has no search"
expect_code "conformal refit x" 1 "$CIV" forecast "$WORK/panel.csv" --intervals conformal --conformal-refit again \
  --out "$WORK/none.csv"
expect_err "conformal refit x" "--conformal-refit is search or fixed, got 'again'"
# several models are forecast whole: --chunk is refused; each model's summary line
expect_code "chunk with models" 1 "$CIV" forecast "$WORK/panel.csv" --model naive,mean --chunk 2 --out "$WORK/k4.csv"
expect_err "chunk with models" "--chunk takes one model"
expect_code "two models" 0 "$CIV" forecast "$WORK/panel.csv" --model naive,mean --h 2 --out "$WORK/k5.csv"
expect_err "two models" "^naive: forecast 3 series in .* s: 3 ok"
expect_err "two models" "^mean: forecast 3 series"
expect_code "bad report ext" 3 "$CIV" forecast "$WORK/panel.csv" --model naive --out "$WORK/k3.csv" --report "$WORK/k3.txt"
[ -e "$WORK/k3.csv" ] && fail "forecasts written although the report could not be"
ls -a "$WORK" | grep -q '\.tmp\.' && fail "a temporary file was left"
expect_code "help" 0 "$CIV" forecast --help
grep -q 'usage: civicast forecast' "$WORK/out" || fail "help text"
[ -e "$WORK/none.csv" ] && fail "an output was left for a failed run"

if [ "$failures" -ne 0 ]; then
  echo "forecast.sh: $failures failure(s)" >&2
  exit 1
fi
echo "forecast.sh: all passed"
