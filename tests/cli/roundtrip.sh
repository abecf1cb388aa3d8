#!/usr/bin/env bash
# roundtrip.sh -- next year's allocation reads this year's workbook (docs/ALLOCATION.md "Last year's allocation",
# engine/src/alloc/last_year_book.c): the allocation.xlsx a plan wrote, in Chinese and in English, given as
# --last-year gives the result of its allocation.csv, fen for fen; its sheet is found among the others; a fen
# cell corrected by hand is taken, a yuan cell edited alone is refused naming both; --last-year-sheet names last
# year's sheet apart from --sheet (a communities workbook beside it), and so does a plan's last_year_sheet; the
# settle --allocation and --paid read the plan's workbook as well; the forecasts written as .xlsx are read back
# by allocate and need, allocate's own .xlsx as --last-year and --paid.
# usage: bash roundtrip.sh PATH_TO_CIVICAST
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cli_start "$@"
P=$WORK/p
cp -r "$SRC/tests/data/plan" "$P"
# the tiny plan with labels (the workbook's headers: 民政养老补贴（分）, 常住人口（分）), its fund's history from
# last year's file only (the communities' last_year_funding blank, no [data] last_year total)
$PY - "$P" <<'PYEOF' || fail "preparing the plan"
import re, sys
import pandas as pd
p = sys.argv[1]
s = open(f"{p}/plan.spec").read()
s = s.replace('[data]\npopulation = "population"\naged = "aged60"\nlast_year = "last_year_funding"\n',
              '[data]\npopulation = "population"\naged = "aged60"\n')
s = s.replace('[[pool]]\nname = "main"\n', '[[pool]]\nname = "main"\nlabel = "民政养老补贴"\n')
s = s.replace('[[factor]]\nname = "population"\n', '[[factor]]\nname = "population"\nlabel = "常住人口"\n')
assert s.count("民政养老补贴") == 1 and s.count("常住人口") == 1 and 'aged = "aged60"\nlast_year' not in s
open(f"{p}/plan.spec", "w").write(s + '\n[settlement]\ncarry_over = 0.10\nspent = "spent"\n')
c = pd.read_csv(f"{p}/communities.csv", dtype={"unique_id": str})
pd.DataFrame({"unique_id": c.unique_id, "spent": [9000.00, 20000.50, 15000.00, 8000.00, 11000.00, 7000.00]}).to_csv(
    f"{p}/spent.csv", index=False)
c["last_year_funding"] = float("nan")
c.to_csv(f"{p}/comm_blank.csv", index=False)
t = open(f"{p}/plan.toml").read()
open(f"{p}/plan_en.toml", "w").write(t.replace("[plan]\n", '[plan]\nlang = "en"\n'))
open(f"{p}/plan_next.toml", "w").write(t.replace('communities = "communities.csv"', 'communities = "comm_blank.csv"'))
PYEOF
expect_code "plan zh" 0 "$CIV" plan "$P/plan.toml" --out "$WORK/zh"
expect_code "plan en" 0 "$CIV" plan "$P/plan_en.toml" --out "$WORK/en"
alloc() { # alloc OUT ARGS...: next year's allocation on the plan's forecasts
  local out=$1
  shift
  "$CIV" allocate --spec "$P/plan.spec" --communities "$P/comm_blank.csv" --forecasts "$WORK/zh/forecasts.csv" \
    --out "$out" --no-excel --precision full "$@"
}
# the workbook of either language as last year's allocation: the CSV's result, fen for fen
for lang in zh en; do
  expect_code "csv $lang" 0 alloc "$WORK/next_csv_$lang.csv" --last-year "$WORK/$lang/allocation.csv"
  expect_code "xlsx $lang" 0 alloc "$WORK/next_xlsx_$lang.csv" --last-year "$WORK/$lang/allocation.xlsx"
  cmp -s "$WORK/next_csv_$lang.csv" "$WORK/next_xlsx_$lang.csv" || fail "$lang workbook gives another allocation"
done
grep -q '^last year  *main 91,200.00, of which this year.s communities carry 91,200.00' "$WORK/out" ||
  fail "no history line from the workbook: $(cat "$WORK/out")"
# the office's corrections: the fund's fen, the total and the yuan of P01 together (taken); the yuan alone
# (refused: which one is right cannot be told); the fund's header renamed (named, in the file's language)
$PY - "$WORK/zh/allocation.xlsx" "$WORK" <<'PYEOF' || fail "editing the workbook"
import sys
import openpyxl
src, work = sys.argv[1:]
def edit(name, cells):
    wb = openpyxl.load_workbook(src)
    ws = wb["分配结果"]
    head = [c.value for c in ws[1]]
    for col, v in cells.items():
        if col.startswith("header:"):
            ws.cell(1, head.index(col[7:]) + 1).value = v
        else:
            ws.cell(2, head.index(col) + 1).value = v
    wb.save(f"{work}/{name}.xlsx")
edit("fixed", {"民政养老补贴（分）": 1100000, "分配金额（分）": 1100000, "分配金额（元）": 11000})
edit("yuan", {"分配金额（元）": 11000})
edit("renamed", {"header:民政养老补贴（分）": "养老补贴（分）"})
PYEOF
expect_code "fixed" 0 alloc "$WORK/fixed.csv" --last-year "$WORK/fixed.xlsx"
$PY - "$WORK/fixed.csv" "$WORK/next_csv_zh.csv" <<'PYEOF' || fail "the corrected fen cell was not taken"
import sys
import pandas as pd
a, b = (pd.read_csv(f, dtype={"unique_id": str}).set_index("unique_id") for f in sys.argv[1:])
assert a.loc["P01", "last_year_main_fen"] == 1100000 and b.loc["P01", "last_year_main_fen"] == 1080000
assert (a.drop(index="P01").last_year_main_fen == b.drop(index="P01").last_year_main_fen).all()
PYEOF
expect_code "yuan" 2 alloc "$WORK/x.csv" --last-year "$WORK/yuan.xlsx"
expect_err "yuan" "yuan.xlsx:2:3: last year's allocation \(.*yuan.xlsx:2\): community 'P01' has 11000.00 in \
'分配金额（元）' but 1080000 in '分配金额（分）' \(10800.00 yuan\): the yuan and the fen disagree"
[ ! -e "$WORK/x.csv" ] || fail "a refused allocation wrote its output"
expect_code "renamed" 2 alloc "$WORK/x.csv" --last-year "$WORK/renamed.xlsx"
expect_err "renamed" "has no column '民政养老补贴（分）' for fund 'main'.*headers it does not write: '养老补贴（分）'"
# a communities workbook beside last year's: --sheet names its sheet, --last-year-sheet last year's (before,
# --sheet named both: 'no sheet named' in the allocation workbook)
"$CIV" convert --table "$P/comm_blank.csv" "$P/communities.csv" "$WORK/book.xlsx" >/dev/null 2>&1 ||
  fail "convert to a workbook"
expect_code "two workbooks" 0 "$CIV" allocate --spec "$P/plan.spec" --communities "$WORK/book.xlsx" \
  --sheet comm_blank --forecasts "$WORK/zh/forecasts.csv" --out "$WORK/two.csv" --no-excel --precision full \
  --last-year "$WORK/zh/allocation.xlsx"
cmp -s "$WORK/two.csv" "$WORK/next_csv_zh.csv" || fail "two workbooks give another allocation"
expect_code "--last-year-sheet" 0 alloc "$WORK/named.csv" --last-year "$WORK/en/allocation.xlsx" \
  --last-year-sheet allocation
cmp -s "$WORK/named.csv" "$WORK/next_csv_en.csv" || fail "--last-year-sheet allocation gives another allocation"
expect_code "--last-year-sheet summary" 2 alloc "$WORK/x.csv" --last-year "$WORK/en/allocation.xlsx" \
  --last-year-sheet summary
expect_err "--last-year-sheet summary" "has no text id column 'unique_id'"
expect_code "compare" 0 "$CIV" allocate --compare "$P/plan.spec" "$P/plan.spec" --communities "$P/comm_blank.csv" \
  --forecasts "$WORK/zh/forecasts.csv" --out "$WORK/cmp.csv" --last-year "$WORK/en/allocation.xlsx" \
  --last-year-sheet allocation
expect_code "project" 0 "$CIV" project --spec "$P/plan.spec" --communities "$P/comm_blank.csv" \
  --forecasts "$WORK/zh/forecasts.csv" --years 1 --out "$WORK/proj.csv" --last-year "$WORK/zh/allocation.xlsx"
# the plan: --last-year the workbook (its allocation sheet found), [plan] last_year_sheet naming another sheet
expect_code "plan --last-year" 0 "$CIV" plan "$P/plan_next.toml" --out "$WORK/next" --draws 0 \
  --last-year "$WORK/zh/allocation.xlsx"
cmp -s <(cut -d, -f1-5 "$WORK/next/allocation.csv") \
  <(cut -d, -f1-5 "$WORK/next_csv_zh.csv" | sed '1s/^/\xEF\xBB\xBF/') ||
  fail "the plan's allocation on last year's workbook differs from allocate's"
sed -i 's/^\[plan\]$/[plan]\nlast_year_sheet = "分配汇总"/' "$P/plan_next.toml"
expect_code "plan last_year_sheet" 2 "$CIV" plan "$P/plan_next.toml" --out "$WORK/next2" \
  --last-year "$WORK/zh/allocation.xlsx"
expect_err "plan last_year_sheet" "has no text id column"
expect_code "plan --last-year-sheet" 0 "$CIV" plan "$P/plan_next.toml" --out "$WORK/next3" --draws 0 \
  --last-year "$WORK/zh/allocation.xlsx" --last-year-sheet 分配结果
grep -q '"last_year_sheet": "分配结果"' "$WORK/next3/manifest.json" || fail "manifest lacks last year's sheet"
# forecasts written as a workbook: read back by allocate and need as the CSV
expect_code "forecast xlsx" 0 "$CIV" forecast "$P/meals.csv" --model snaive --h 24 --out "$WORK/fc.xlsx"
expect_code "forecast csv" 0 "$CIV" forecast "$P/meals.csv" --model snaive --h 24 --out "$WORK/fc.csv"
for f in xlsx csv; do
  expect_code "allocate fc.$f" 0 "$CIV" allocate --spec "$P/plan.spec" --communities "$P/comm_blank.csv" \
    --forecasts "$WORK/fc.$f" --out "$WORK/a_$f.csv" --no-excel --precision full --last-year "$WORK/zh/allocation.csv"
  expect_code "need fc.$f" 0 "$CIV" need --spec "$P/plan.spec" --forecasts "$WORK/fc.$f" --out "$WORK/n_$f.csv" \
    --no-excel --precision full
done
cmp -s "$WORK/a_xlsx.csv" "$WORK/a_csv.csv" || fail "allocate on the forecasts workbook differs"
# settlement and a reserve release on the plan's workbook (its allocation sheet found as last year's is, or named
# with --sheet; its headers read back as last year's are): the CSV's results; a yuan cell edited alone refused
# there too; an office workbook of several sheets, none civicast's, refused naming --sheet
for src in "zh/allocation.csv" "zh/allocation.xlsx --sheet 分配结果" "en/allocation.xlsx --sheet allocation" \
  "zh/allocation.xlsx" "en/allocation.xlsx"; do
  # shellcheck disable=SC2086
  expect_code "settle $src" 0 "$CIV" settle --spec "$P/plan.spec" --allocation "$WORK/"$src --spending "$P/spent.csv" \
    --out "$WORK/settle.csv" --no-excel --precision full
  sum=$(md5sum <"$WORK/settle.csv")
  [ "$src" = zh/allocation.csv ] && settle_csv=$sum
  [ "$sum" = "$settle_csv" ] || fail "settle on $src differs from the CSV's"
  # shellcheck disable=SC2086
  expect_code "--paid $src" 0 alloc "$WORK/released.csv" --last-year "$WORK/zh/allocation.csv" --paid "$WORK/"$src
  sum=$(md5sum <"$WORK/released.csv")
  [ "$src" = zh/allocation.csv ] && paid_csv=$sum
  [ "$sum" = "$paid_csv" ] || fail "--paid $src differs from the CSV's"
done
expect_code "settle yuan" 2 "$CIV" settle --spec "$P/plan.spec" --allocation "$WORK/yuan.xlsx" --sheet 分配结果 \
  --spending "$P/spent.csv" --out "$WORK/x.csv"
expect_err "settle yuan" "the allocation \(.*yuan.xlsx:2\): community 'P01' has 11000.00 in '分配金额（元）'"
expect_code "settle yuan, its sheet found" 2 "$CIV" settle --spec "$P/plan.spec" --allocation "$WORK/yuan.xlsx" \
  --spending "$P/spent.csv" --out "$WORK/x.csv"
expect_err "settle yuan, its sheet found" "community 'P01' has 11000.00 in '分配金额（元）'"
$PY - "$WORK" <<'PYEOF' || fail "writing an office workbook"
import sys
import pandas as pd
with pd.ExcelWriter(f"{sys.argv[1]}/office.xlsx") as w:
    pd.DataFrame({"unique_id": ["P01"], "amount_fen": [100]}).to_excel(w, sheet_name="拨款", index=False)
    pd.DataFrame({"note": ["x"]}).to_excel(w, sheet_name="备注", index=False)
PYEOF
expect_code "--paid office.xlsx" 2 alloc "$WORK/x.csv" --last-year "$WORK/zh/allocation.csv" --paid "$WORK/office.xlsx"
expect_err "--paid office.xlsx" \
  "office.xlsx: the allocation: .*none is the allocation sheet civicast writes .*--sheet NAME"
# allocate --out as a workbook (one sheet, machine headers): read back as --last-year and --paid as its CSV
expect_code "allocate --out xlsx" 0 alloc "$WORK/this.xlsx" --last-year "$WORK/zh/allocation.csv"
expect_code "allocate --out csv" 0 alloc "$WORK/this.csv" --last-year "$WORK/zh/allocation.csv"
for f in xlsx csv; do
  expect_code "--last-year this.$f" 0 alloc "$WORK/ly_$f.csv" --last-year "$WORK/this.$f"
  expect_code "--paid this.$f" 0 alloc "$WORK/paid_$f.csv" --last-year "$WORK/zh/allocation.csv" --paid "$WORK/this.$f"
done
cmp -s "$WORK/ly_xlsx.csv" "$WORK/ly_csv.csv" || fail "--last-year of allocate's workbook differs"
cmp -s "$WORK/paid_xlsx.csv" "$WORK/paid_csv.csv" || fail "--paid of allocate's workbook differs"
cmp -s "$WORK/n_xlsx.csv" "$WORK/n_csv.csv" || fail "need on the forecasts workbook differs"
[ "$failures" -eq 0 ] || { echo "roundtrip.sh: $failures failure(s)" >&2; exit 1; }
echo "roundtrip.sh: ok"
