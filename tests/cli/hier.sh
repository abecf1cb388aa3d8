#!/usr/bin/env bash
# hier.sh -- `civicast forecast --hierarchy/--group/--reconcile/--communities`:
# output columns and levels, coherence of every node's mean (awk sums), every
# method runs, identical outputs for 1 and 2 threads, and the errors: a
# community in two streets, a missing level value, a street under two
# districts, a column named twice, td on a grouped structure, a bad method,
# options that need --hierarchy.
# usage: bash hier.sh PATH_TO_CIVICAST
set -uo pipefail
civ=${1:?usage: hier.sh PATH_TO_CIVICAST}
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

# Six communities in two districts, four streets, two services; 36 months.
{
  echo "unique_id,ds,y"
  for s in 1 2 3 4 5 6; do
    for t in $(seq 0 35); do
      y=$(awk -v t="$t" -v s="$s" 'BEGIN { printf "%.0f", 20 * s + t * 0.5 + 6 * sin(t * 0.5236 + s) + (t * s * 7 % 5) }')
      printf 'c%d,%04d-%02d,%s\n' "$s" $((2021 + t / 12)) $((t % 12 + 1)) "$y"
    done
  done
} >"$tmp/panel.csv"
cat >"$tmp/comm.csv" <<'CSV'
unique_id,district,street,service
c1,A,A1,meals
c2,A,A1,care
c3,A,A2,meals
c4,B,B1,care
c5,B,B1,meals
c6,B,B2,care
CSV

expect_exit "mint" 0 "$civ" forecast "$tmp/panel.csv" --h 4 --model ets --hierarchy district,street \
  --communities "$tmp/comm.csv" --out "$tmp/f.csv"
expect_err "mint summary" "forecast 13 nodes \(6 series, 7 aggregates\), reconciled by mint_shrink \(shrinkage lambda"
[ "$(head -1 "$tmp/f.csv")" = "level,unique_id,ds,h,model,base,mean,lo-80,hi-80,lo-95,hi-95" ] ||
  fail "header: $(head -1 "$tmp/f.csv")"
[ "$(wc -l <"$tmp/f.csv")" -eq $((13 * 4 + 1)) ] || fail "rows: $(wc -l <"$tmp/f.csv")"
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
coherent "$tmp/f.csv" || fail "mint: not coherent"
for m in bu td ols wls_struct wls_var; do
  expect_exit "$m" 0 "$civ" forecast "$tmp/panel.csv" --h 4 --model naive --hierarchy district,street \
    --communities "$tmp/comm.csv" --reconcile "$m" --out "$tmp/$m.csv" --quiet
  coherent "$tmp/$m.csv" || fail "$m: not coherent"
done
# threads
expect_exit "threads 1" 0 "$civ" forecast "$tmp/panel.csv" --h 4 --model ets --hierarchy district \
  --group service --communities "$tmp/comm.csv" --threads 1 --out "$tmp/t1.csv" --quiet
expect_exit "threads 2" 0 "$civ" forecast "$tmp/panel.csv" --h 4 --model ets --hierarchy district \
  --group service --communities "$tmp/comm.csv" --threads 2 --out "$tmp/t2.csv" --quiet
cmp -s "$tmp/t1.csv" "$tmp/t2.csv" || fail "1 and 2 threads differ"
grep -q '^district/service,A/meals,' "$tmp/t1.csv" || fail "grouped level district/service missing"

# ---- errors ------------------------------------------------------------------------
sed 's/^c3,A,A2,meals$/c1,A,A2,meals/' "$tmp/comm.csv" >"$tmp/dup.csv"
expect_exit "two streets" 2 "$civ" forecast "$tmp/panel.csv" --hierarchy district,street --communities "$tmp/dup.csv" \
  --out "$tmp/x.csv"
expect_err "two streets" "community 'c1' is listed twice, in street 'A1' \(row 1\) and in street 'A2' \(row 3\)"
sed 's/^c5,B,B1,meals$/c5,B,,meals/' "$tmp/comm.csv" >"$tmp/miss.csv"
expect_exit "missing" 2 "$civ" forecast "$tmp/panel.csv" --hierarchy district,street --communities "$tmp/miss.csv" \
  --out "$tmp/x.csv"
expect_err "missing" "community 'c5' \(row 5\) has no value of 'street'"
sed 's/^c4,B,B1,care$/c4,A,B1,care/' "$tmp/comm.csv" >"$tmp/nest.csv"
expect_exit "nesting" 2 "$civ" forecast "$tmp/panel.csv" --hierarchy district,street --communities "$tmp/nest.csv" \
  --out "$tmp/x.csv"
expect_err "nesting" "inconsistent nesting: street 'B1' is in district 'A' \(row 4, community 'c4'\) and in district 'B' \(row 5"
expect_exit "cycle" 1 "$civ" forecast "$tmp/panel.csv" --hierarchy district,street,district --communities "$tmp/comm.csv" \
  --out "$tmp/x.csv"
expect_err "cycle" "names column 'district' twice \(a cycle\)"
expect_exit "td grouped" 1 "$civ" forecast "$tmp/panel.csv" --hierarchy district --group service --reconcile td \
  --communities "$tmp/comm.csv" --model naive --out "$tmp/x.csv"
expect_err "td grouped" "td \(top-down\) needs a nested hierarchy"
expect_exit "bad method" 1 "$civ" forecast "$tmp/panel.csv" --hierarchy district --reconcile mint2 \
  --communities "$tmp/comm.csv" --out "$tmp/x.csv"
expect_err "bad method" "unknown reconciliation method 'mint2'"
expect_exit "needs hierarchy" 1 "$civ" forecast "$tmp/panel.csv" --reconcile ols --out "$tmp/x.csv"
expect_err "needs hierarchy" "need --hierarchy or --group"
[ ! -e "$tmp/x.csv" ] || fail "an output was written by a failing run"

[ "$fails" -eq 0 ] && echo "hier.sh: all passed"
exit "$fails"
