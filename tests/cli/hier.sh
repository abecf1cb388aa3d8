#!/usr/bin/env bash
# hier.sh -- `civicast forecast --hierarchy/--group/--reconcile/--communities`:
# output columns and levels, coherence of every node's mean (awk sums), every
# method runs, identical outputs for 1 and 2 threads, and the errors: a
# community in two streets, a missing level value, a street under two
# districts, a column named twice, td on a grouped structure, a bad method,
# options that need --hierarchy.
# usage: bash hier.sh PATH_TO_CIVICAST
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cli_start "$@"

# Six communities in two districts, four streets, two services; 36 months.
{
  echo "unique_id,ds,y"
  for s in 1 2 3 4 5 6; do
    for t in $(seq 0 35); do
      y=$(awk -v t="$t" -v s="$s" 'BEGIN { printf "%.0f", 20 * s + t * 0.5 + 6 * sin(t * 0.5236 + s) + (t * s * 7 % 5) }')
      printf 'c%d,%04d-%02d,%s\n' "$s" $((2021 + t / 12)) $((t % 12 + 1)) "$y"
    done
  done
} >"$WORK/panel.csv"
cat >"$WORK/comm.csv" <<'CSV'
unique_id,district,street,service
c1,A,A1,meals
c2,A,A1,care
c3,A,A2,meals
c4,B,B1,care
c5,B,B1,meals
c6,B,B2,care
CSV

expect_code "mint" 0 "$CIV" forecast "$WORK/panel.csv" --h 4 --model ets --hierarchy district,street \
  --communities "$WORK/comm.csv" --out "$WORK/f.csv"
expect_err "mint summary" "forecast 13 nodes \(6 series, 7 aggregates\), reconciled by mint_shrink \(shrinkage lambda"
[ "$(head -1 "$WORK/f.csv")" = "level,unique_id,ds,h,model,base,mean,lo-80,hi-80,lo-95,hi-95" ] ||
  fail "header: $(head -1 "$WORK/f.csv")"
[ "$(wc -l <"$WORK/f.csv")" -eq $((13 * 4 + 1)) ] || fail "rows: $(wc -l <"$WORK/f.csv")"
# coherence: total = sum of series, A = c1 + c2 + c3, A/A1 = c1 + c2, at every step
coherent() {
  awk -F, 'NR > 1 { m[$2 "@" $4] = $7 }
    END { bad = 0
      for (h = 1; h <= 4; h++) {
        s = 0; for (i = 1; i <= 6; i++) s += m["c" i "@" h]
        a = m["c1@" h] + m["c2@" h] + m["c3@" h]; a1 = m["c1@" h] + m["c2@" h]
        if (abs(m["total@" h] - s) > 1e-9 * (1 + s) || abs(m["A@" h] - a) > 1e-9 * (1 + a) ||
            abs(m["A/A1@" h] - a1) > 1e-9 * (1 + a1)) bad = 1
      }
      exit bad }
    function abs(x) { return x < 0 ? -x : x }' "$1"
}
coherent "$WORK/f.csv" || fail "mint: not coherent"
for m in bu td ols wls_struct wls_var; do
  expect_code "$m" 0 "$CIV" forecast "$WORK/panel.csv" --h 4 --model naive --hierarchy district,street \
    --communities "$WORK/comm.csv" --reconcile "$m" --out "$WORK/$m.csv" --quiet
  coherent "$WORK/$m.csv" || fail "$m: not coherent"
done
# threads
expect_code "threads 1" 0 "$CIV" forecast "$WORK/panel.csv" --h 4 --model ets --hierarchy district \
  --group service --communities "$WORK/comm.csv" --threads 1 --out "$WORK/t1.csv" --quiet
expect_code "threads 2" 0 "$CIV" forecast "$WORK/panel.csv" --h 4 --model ets --hierarchy district \
  --group service --communities "$WORK/comm.csv" --threads 2 --out "$WORK/t2.csv" --quiet
cmp -s "$WORK/t1.csv" "$WORK/t2.csv" || fail "1 and 2 threads differ"
grep -q '^district/service,A/meals,' "$WORK/t1.csv" || fail "grouped level district/service missing"

# ---- errors ------------------------------------------------------------------------
sed 's/^c3,A,A2,meals$/c1,A,A2,meals/' "$WORK/comm.csv" >"$WORK/dup.csv"
expect_code "two streets" 2 "$CIV" forecast "$WORK/panel.csv" --hierarchy district,street --communities "$WORK/dup.csv" \
  --out "$WORK/x.csv"
# each names the communities file, the line and the column as a spreadsheet counts them (was "row 3", no line)
expect_err "two streets" "dup.csv:4:3: community 'c1' is listed twice, in street 'A1' \(line 2\) and in \
street 'A2' \(line 4\)"
sed 's/^c5,B,B1,meals$/c5,B,,meals/' "$WORK/comm.csv" >"$WORK/miss.csv"
expect_code "missing" 2 "$CIV" forecast "$WORK/panel.csv" --hierarchy district,street --communities "$WORK/miss.csv" \
  --out "$WORK/x.csv"
expect_err "missing" "miss.csv:6:3: community 'c5' \(line 6\) has no value of 'street': every level needs a \
value; fill in its street"
sed 's/^c4,B,B1,care$/c4,A,B1,care/' "$WORK/comm.csv" >"$WORK/nest.csv"
expect_code "nesting" 2 "$CIV" forecast "$WORK/panel.csv" --hierarchy district,street --communities "$WORK/nest.csv" \
  --out "$WORK/x.csv"
expect_err "nesting" "nest.csv:6:2: inconsistent nesting: street 'B1' is in district 'A' \(line 5, community \
'c4'\) and in district 'B' \(line 6"
# a grouped structure given as a hierarchy: the cure says --group
expect_code "crossed as nested" 2 "$CIV" forecast "$WORK/panel.csv" --hierarchy district,service \
  --communities "$WORK/comm.csv" --out "$WORK/x.csv"
expect_err "crossed as nested" "inconsistent nesting: service 'care' is in district 'A'"
expect_err "crossed as nested" "if services cross districts \(a grouped structure\), name 'service' in --group \(groups=\) instead"
expect_code "cycle" 1 "$CIV" forecast "$WORK/panel.csv" --hierarchy district,street,district --communities "$WORK/comm.csv" \
  --out "$WORK/x.csv"
expect_err "cycle" "names column 'district' twice \(a cycle\)"
expect_code "td grouped" 1 "$CIV" forecast "$WORK/panel.csv" --hierarchy district --group service --reconcile td \
  --communities "$WORK/comm.csv" --model naive --out "$WORK/x.csv"
expect_err "td grouped" "td \(top-down\) needs a nested hierarchy"
expect_code "bad method" 1 "$CIV" forecast "$WORK/panel.csv" --hierarchy district --reconcile mint2 \
  --communities "$WORK/comm.csv" --out "$WORK/x.csv"
expect_err "bad method" "unknown reconciliation method 'mint2'"
expect_code "needs hierarchy" 1 "$CIV" forecast "$WORK/panel.csv" --reconcile ols --out "$WORK/x.csv"
expect_err "needs hierarchy" "need --hierarchy or --group"
[ ! -e "$WORK/x.csv" ] || fail "an output was written by a failing run"

# convert --hierarchy: the panel summed to every node (civ_hier_aggregate), the summing matrix (civ_hier_summing_table)
expect_code "convert hierarchy" 0 "$CIV" convert "$WORK/panel.csv" "$WORK/agg.csv" --hierarchy district,street \
  --communities "$WORK/comm.csv" --summing "$WORK/S.csv"
[ "$(head -1 "$WORK/agg.csv")" = "unique_id,ds,y" ] || fail "agg header: $(head -1 "$WORK/agg.csv")"
nodes=$(cut -d, -f1 "$WORK/agg.csv" | sed 1d | uniq | tr '\n' ' ')
[ "$nodes" = "total A B A/A1 A/A2 B/B1 B/B2 c1 c2 c3 c4 c5 c6 " ] || fail "agg nodes: $nodes"
# every node's value is the sum of its series' values at every period (awk over the input)
bad=$(awk -F, 'NR == FNR { if (FNR > 1) { d[$1] = $2; st[$1] = $3 }; next }
               FILENAME ~ /panel/ { if (FNR > 1) { v[$1 "|" $2] = $3 }; next }
               FNR > 1 { want = 0
                         for (c in d)
                             if ($1 == "total" || $1 == d[c] || $1 == d[c] "/" st[c] || $1 == c) want += v[c "|" $2]
                         if (want != $3) print $1, $2, $3, want }' \
        "$WORK/comm.csv" "$WORK/panel.csv" "$WORK/agg.csv" | head -3)
[ -z "$bad" ] || fail "aggregates are not the sums of their series: $bad"
n_total=$(grep -c '^total,total,' "$WORK/S.csv")
[ "$n_total" -eq 6 ] || fail "summing: total sums $n_total series"
grep -q '^district/street,A/A1,c2$' "$WORK/S.csv" || fail "summing lacks A/A1 <- c2: $(cat "$WORK/S.csv")"
expect_code "convert summing needs hierarchy" 1 "$CIV" convert "$WORK/panel.csv" "$WORK/y.csv" --summing "$WORK/S2.csv"
expect_err "convert summing needs hierarchy" "need --hierarchy or --group"
expect_code "convert hierarchy of a table" 1 "$CIV" convert "$WORK/comm.csv" "$WORK/y.csv" --table --hierarchy district
expect_code "convert hierarchy unknown column" 2 "$CIV" convert "$WORK/panel.csv" "$WORK/y.csv" --hierarchy nope \
  --communities "$WORK/comm.csv" --summing "$WORK/S2.csv"
expect_err "convert hierarchy unknown column" "comm.csv:1: the communities table has no column 'nope' named by \
the hierarchy; its columns are unique_id, district, street, service"
# the communities file is named in errors about its content (the table does not know its file)
head -3 "$WORK/comm.csv" >"$WORK/comm_short.csv"
expect_code "forecast hierarchy missing rows" 2 "$CIV" forecast "$WORK/panel.csv" --hierarchy district --model naive \
  --communities "$WORK/comm_short.csv" --out "$WORK/y.csv"
expect_err "forecast hierarchy missing rows" "comm_short.csv: series 'c3' and 3 other series of 6 have no row"
[ ! -e "$WORK/y.csv" ] && [ ! -e "$WORK/S2.csv" ] || fail "a failing convert wrote an output"

# reconcile: every node forecast elsewhere (here: convert --hierarchy, then forecast), made coherent
expect_code "forecast the nodes" 0 "$CIV" forecast "$WORK/agg.csv" --h 4 --model naive --out "$WORK/base.csv" \
  --fitted "$WORK/fit.csv" --quiet
for m in mint_shrink wls_var ols wls_struct bu td; do
  expect_code "reconcile $m" 0 "$CIV" reconcile "$WORK/panel.csv" --base "$WORK/base.csv" --fitted "$WORK/fit.csv" \
    --hierarchy district,street --communities "$WORK/comm.csv" --method "$m" --out "$WORK/rec_$m.csv"
  coherent "$WORK/rec_$m.csv" || fail "reconcile $m: not coherent"
done
[ "$(head -1 "$WORK/rec_ols.csv")" = "level,unique_id,ds,h,model,base,mean,lo-80,hi-80,lo-95,hi-95" ] ||
  fail "rec header: $(head -1 "$WORK/rec_ols.csv")"
grep -qE "^reconciled +13 nodes \(6 series, 7 aggregates\), h = 4, by td$" "$WORK/out" ||
  fail "reconcile stdout: $(cat "$WORK/out")"
# --reconcile, forecast --hierarchy's name of the method, was "unknown option '--reconcile'": same as --method
expect_code "reconcile --reconcile" 0 "$CIV" reconcile "$WORK/panel.csv" --base "$WORK/base.csv" \
  --fitted "$WORK/fit.csv" --hierarchy district,street --communities "$WORK/comm.csv" --reconcile wls_struct \
  --out "$WORK/rec_alias.csv"
cmp -s "$WORK/rec_alias.csv" "$WORK/rec_wls_struct.csv" || fail "reconcile --reconcile differs from --method"
# bottom-up keeps the series' own forecasts
[ "$(awk -F, '$1 == "unique_id" && $6 != $7' "$WORK/rec_bu.csv" | wc -l)" -eq 0 ] || fail "bu changed a series"
[ "$(awk -F, '$1 == "unique_id"' "$WORK/rec_bu.csv" | wc -l)" -eq 24 ] || fail "bu: not 6 series x 4 steps"
# bands (2026-12-07): the base's bounds reconciled as forecast --hierarchy reconciles its own.  Given the base
# forecasts that forecast --hierarchy makes (conformal intervals, not clamped at zero) and their residuals,
# reconcile's means and bands are forecast --hierarchy's (the files' 17 digits apart), for 1 and 2 threads
expect_code "hier for bands" 0 "$CIV" forecast "$WORK/panel.csv" --h 4 --model ets --hierarchy district,street \
  --communities "$WORK/comm.csv" --reconcile mint_shrink --out "$WORK/f_bands.csv" --quiet
expect_code "base for bands" 0 "$CIV" forecast "$WORK/agg.csv" --h 4 --model ets --intervals conformal \
  --nonnegative off --out "$WORK/base_c.csv" --fitted "$WORK/fit_c.csv" --quiet
for t in 1 2; do
  expect_code "reconcile bands $t" 0 env OMP_NUM_THREADS=$t "$CIV" reconcile "$WORK/panel.csv" --base \
    "$WORK/base_c.csv" --fitted "$WORK/fit_c.csv" --hierarchy district,street --communities "$WORK/comm.csv" \
    --nonnegative --out "$WORK/rec_bands_$t.csv"
done
grep -qE "^bands +80%, 95%: 1000 sample paths a step, each reconciled \(seed 20260101\)$" "$WORK/out" ||
  fail "reconcile bands stdout: $(cat "$WORK/out")"
cmp -s "$WORK/rec_bands_1.csv" "$WORK/rec_bands_2.csv" || fail "reconcile bands: 1 and 2 threads differ"
coherent "$WORK/rec_bands_1.csv" || fail "reconcile bands: not coherent"
awk -F, 'NR == FNR { if (FNR > 1) for (c = 6; c <= 11; c++) v[$2 "," $3, c] = $c; next }
  FNR > 1 { n++; for (c = 6; c <= 11; c++) { d = v[$2 "," $3, c] - $c; if (d < 0) d = -d
    if (!((($2 "," $3, c) in v)) || d > 1e-9 * (1 + ($c < 0 ? -$c : $c))) { print "differs:", $2, $3, c; exit 1 } } }
  END { if (n != 52) { print "rows", n; exit 1 } }' "$WORK/f_bands.csv" "$WORK/rec_bands_1.csv" ||
  fail "reconcile bands differ from forecast --hierarchy's"
# the bands change with the seed; without --fitted the bounds are left out, and the warning says why
expect_code "reconcile seed" 0 "$CIV" reconcile "$WORK/panel.csv" --base "$WORK/base_c.csv" --fitted "$WORK/fit_c.csv" \
  --hierarchy district,street --communities "$WORK/comm.csv" --nonnegative --seed 7 --paths 500 --out "$WORK/rec_s.csv"
cmp -s "$WORK/rec_s.csv" "$WORK/rec_bands_1.csv" && fail "reconcile --seed 7 --paths 500: the same bands"
expect_code "reconcile bounds without fitted" 0 "$CIV" reconcile "$WORK/panel.csv" --base "$WORK/base_c.csv" \
  --hierarchy district,street --communities "$WORK/comm.csv" --method ols --out "$WORK/rec_nofit.csv"
expect_err "reconcile bounds without fitted" "warning: the base's bounds \(lo-80, ...\) are not in .*rec_nofit.csv: \
coherent bands are drawn with the correlation of the nodes' in-sample residuals, so they need --fitted FILE"
[ "$(head -1 "$WORK/rec_nofit.csv")" = "level,unique_id,ds,h,model,base,mean" ] || fail "rec_nofit header"
# a bound without its pair, a blank bound, a level that is no number: exit 2 naming the file, column and node
cut -d, -f1-7,9- "$WORK/base_c.csv" >"$WORK/base_lone.csv"
expect_code "reconcile lone bound" 2 "$CIV" reconcile "$WORK/panel.csv" --base "$WORK/base_lone.csv" \
  --fitted "$WORK/fit_c.csv" --hierarchy district --communities "$WORK/comm.csv" --out "$WORK/y.csv"
expect_err "reconcile lone bound" "base_lone.csv: .*the base has hi-95 but no lo-95: give both bounds of each level"
sed '3s/,[^,]*$/,/' "$WORK/base_c.csv" >"$WORK/base_blank.csv" # data row 2's hi-95 (the model's name has commas)
expect_code "reconcile blank bound" 2 "$CIV" reconcile "$WORK/panel.csv" --base "$WORK/base_blank.csv" \
  --fitted "$WORK/fit_c.csv" --hierarchy district --communities "$WORK/comm.csv" --out "$WORK/y.csv"
expect_err "reconcile blank bound" "base_blank.csv: row 2: node 'total' has no hi-95 for h = 2"
sed '1s/lo-80/lo-x/' "$WORK/base_c.csv" >"$WORK/base_x.csv"
expect_code "reconcile bad level" 2 "$CIV" reconcile "$WORK/panel.csv" --base "$WORK/base_x.csv" \
  --fitted "$WORK/fit_c.csv" --hierarchy district --communities "$WORK/comm.csv" --out "$WORK/y.csv"
expect_err "reconcile bad level" "column lo-x: a bound's level must be a number between 0 and 100"
expect_code "reconcile paths 0" 1 "$CIV" reconcile "$WORK/panel.csv" --base "$WORK/base_c.csv" \
  --fitted "$WORK/fit_c.csv" --hierarchy district --communities "$WORK/comm.csv" --paths 0 --out "$WORK/y.csv"
expect_err "reconcile paths 0" "--paths needs a positive whole number, got '0'"
[ ! -e "$WORK/y.csv" ] || fail "a failing reconcile wrote an output"
grep -v '^A/A1,' "$WORK/base.csv" >"$WORK/base_gap.csv"
expect_code "reconcile missing node" 2 "$CIV" reconcile "$WORK/panel.csv" --base "$WORK/base_gap.csv" \
  --hierarchy district,street --communities "$WORK/comm.csv" --out "$WORK/y.csv"
expect_err "reconcile missing node" "base_gap.csv: node 'A/A1' \(level district/street\) has no forecast for h = 1"
expect_code "reconcile mint without residuals" 1 "$CIV" reconcile "$WORK/panel.csv" --base "$WORK/base.csv" \
  --hierarchy district --communities "$WORK/comm.csv" --method mint_shrink --out "$WORK/y.csv"
expect_err "reconcile mint without residuals" "needs the nodes' residuals: --fitted FILE"
[ ! -e "$WORK/y.csv" ] || fail "a failing reconcile wrote an output"

# districts numbered past 9 are listed in natural order (D2 before D10) in every file people read: convert's
# panel of every node and its summing matrix, forecast --hierarchy and reconcile (were listed as text: D10, D2);
# the numbers are the same, only the rows move
sed -e 's/,A,A/,D10,D10-/' -e 's/,B,B/,D2,D2-/' "$WORK/comm.csv" >"$WORK/comm_nat.csv"
expect_code "natural convert" 0 "$CIV" convert "$WORK/panel.csv" "$WORK/agg_nat.csv" --hierarchy district,street \
  --communities "$WORK/comm_nat.csv" --summing "$WORK/S_nat.csv"
expect_code "natural forecast" 0 "$CIV" forecast "$WORK/panel.csv" --h 4 --model naive --hierarchy district,street \
  --communities "$WORK/comm_nat.csv" --reconcile ols --out "$WORK/f_nat.csv" --quiet
expect_code "natural base" 0 "$CIV" forecast "$WORK/agg_nat.csv" --h 4 --model naive --out "$WORK/base_nat.csv" --quiet
expect_code "natural reconcile" 0 "$CIV" reconcile "$WORK/panel.csv" --base "$WORK/base_nat.csv" \
  --hierarchy district,street --communities "$WORK/comm_nat.csv" --method ols --out "$WORK/rec_nat.csv"
for f in agg_nat S_nat f_nat rec_nat; do
  order=$(awk -F, 'NR > 1 && ($2 == "D2" || $2 == "D10") && !seen[$2]++ { printf "%s ", $2 }' "$WORK/$f.csv")
  [ "$f" = agg_nat ] && order=$(awk -F, 'NR > 1 && ($1 == "D2" || $1 == "D10") && !seen[$1]++ { printf "%s ", $1 }' \
    "$WORK/$f.csv")
  [ "$order" = "D2 D10 " ] || fail "$f.csv lists the districts as '$order', not in natural order"
done

# a missing month inside a series leaves every aggregate above it missing there (the total too): a warning names
# the series and the months (the demo city: 19 months of 8 of its 1,146 communities blank 15 of the total's 72)
awk -F, '!($1 == "c5" && $2 == "2021-03")' "$WORK/panel.csv" >"$WORK/panel_gap.csv"
expect_code "gap convert" 0 "$CIV" convert "$WORK/panel_gap.csv" "$WORK/agg_gap.csv" --hierarchy district,street \
  --communities "$WORK/comm.csv"
expect_err "gap convert" "warning: 1 missing value of 1 series leave the aggregates above them missing there, \
the total in 1 period: c5 2021-03; fill or estimate them"
grep -q '^total,2021-03,$' "$WORK/agg_gap.csv" || fail "the total is not missing in 2021-03"
expect_code "no gap" 0 "$CIV" convert "$WORK/panel.csv" "$WORK/agg2.csv" --hierarchy district,street \
  --communities "$WORK/comm.csv"
grep -q "warning" "$WORK/err" && fail "a warning without a gap: $(cat "$WORK/err")"

[ "$failures" -eq 0 ] && echo "hier.sh: all passed"
exit "$failures"
