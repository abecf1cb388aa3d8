#!/usr/bin/env bash
# example_spreadsheet.sh -- examples/spreadsheet runs as its README says: a
# GB18030 wide sheet (社区编号, 2022年1月, ...) and a communities sheet keyed by
# numeric codes under Chinese column names, its numbers as Excel shows them
# ("1,200", [plan] thousands), give the tests/data/plan plan's forecasts and
# amounts; `allocate` reads the same sheet with the spec.
# usage: bash example_spreadsheet.sh PATH_TO_CIVICAST
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cli_start "$@"
root=$(cd "$(dirname "$0")/../.." && pwd)
ex=$root/examples/spreadsheet
col() { # col FILE NAME: the column NAME of a CSV (a BOM before the header is dropped)
  sed '1s/^\xEF\xBB\xBF//' "$1" | awk -F, -v n="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == n) c = i; next } { print $c }'
}
expect_code "example plan" 0 "$CIV" plan "$ex/plan.toml" --out "$WORK/ex"
expect_code "fixture plan" 0 "$CIV" plan "$root/tests/data/plan/plan.toml" --out "$WORK/fx"
[ "$(col "$WORK/ex/allocation.csv" unique_id | head -1)" = 310101001 ] || fail "codes: $(head -2 "$WORK/ex/allocation.csv")"
for c in amount_fen factor_meal_demand_fen binding; do
  cmp -s <(col "$WORK/ex/allocation.csv" $c) <(col "$WORK/fx/allocation.csv" $c) || fail "allocation $c differs"
done
cmp -s <(cut -d, -f2- "$WORK/ex/forecasts.csv") <(cut -d, -f2- "$WORK/fx/forecasts.csv") || fail "forecasts differ"
cmp -s <(col "$WORK/ex/need_summary.csv" need) <(col "$WORK/fx/need_summary.csv" need) || fail "need differs"
grep -q '"layout": "wide"' "$WORK/ex/manifest.json" || fail "manifest lacks the layout"
grep -q '"thousands": ","' "$WORK/ex/manifest.json" || fail "manifest lacks the thousands separator"
grep -q '"percent": true' "$WORK/ex/manifest.json" || fail "manifest lacks percent"
# without [plan] thousands the sheet's "1,200" is named at its cell, with the fix
cp -r "$ex" "$WORK/ex_copy"
sed -i '/^thousands = /d' "$WORK/ex_copy/plan.toml"
expect_code "no thousands" 2 "$CIV" plan "$WORK/ex_copy/plan.toml" --out "$WORK/ex2"
expect_err "no thousands" "社区.csv:2:4: '1,200' is a number written with a thousands separator.*\\[plan\\] thousands"
[ ! -e "$WORK/ex2" ] || fail "a failed plan left $WORK/ex2"
# --thousands on the command line does what [plan] thousands does, and manifest.json records it
expect_code "--thousands" 0 "$CIV" plan "$WORK/ex_copy/plan.toml" --out "$WORK/ex3" --thousands ,
grep -q '"thousands": ","' "$WORK/ex3/manifest.json" || fail "manifest lacks --thousands"
cmp -s <(col "$WORK/ex3/allocation.csv" amount_fen) <(col "$WORK/ex/allocation.csv" amount_fen) || fail "--thousands differs"
expect_code "example allocate" 0 "$CIV" allocate --spec "$ex/allocation.spec" --communities "$ex/社区.csv" \
  --encoding gb18030 --thousands , --percent --forecasts "$WORK/ex/forecasts.csv" --out "$WORK/alloc.csv"
cmp -s <(col "$WORK/alloc.csv" amount_fen) <(col "$WORK/ex/allocation.csv" amount_fen) || fail "allocate differs"
[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "example_spreadsheet: all checks passed"
