#!/usr/bin/env bash
# allocate_workbook.sh -- `civicast allocate --workbook` and `civicast need --workbook` (civ_alloc_workbook_write,
# engine/src/alloc/workbook.c; docs/ALLOCATION.md "Plan"): the demo city's allocation with labels in its
# spec written as the budget office's workbook, Chinese by default (sheets 分配结果, 分配汇总, 规则分解, 不确定性;
# headers 社区编号, 民政养老补贴+health（分）, 常住人口（分）; the --explain sentences Chinese too), English with
# --lang en, the cells those of the CSV; read back as next year's --last-year, as --paid and as settle
# --allocation with the CSV's results, fen for fen, in both languages; --paid leaves the rules sheet out; a path
# not ending in .xlsx, --workbook with --compare are usage errors; a failed run writes none of its files; need
# --workbook writes the need sheets; the CSV of a --workbook run is the streamed one, byte for byte.
# usage: bash allocate_workbook.sh PATH_TO_CIVICAST
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cli_start "$@"
D=$SRC/datasets/demo_city
$PY - "$D" "$WORK" <<'PYEOF' || fail "preparing the spec"
import sys
import pandas as pd
d, w = sys.argv[1:]
s = open(f"{d}/allocation.spec").read()
for old, new in [('name = "eldercare"', 'name = "eldercare"\nlabel = "民政养老补贴"'),
                 ('name = "emergency"', 'name = "emergency"\nlabel = "应急储备"'),
                 ('[[factor]]\nname = "population"', '[[factor]]\nname = "population"\nlabel = "常住人口"'),
                 ('[[formula]]\nname = "main"', '[[formula]]\nname = "main"\nlabel = "综合公式"')]:
    assert s.count(old) == 1, old
    s = s.replace(old, new)
open(f"{w}/spec.toml", "w").write(s)
# a reserve release by the same spec (--paid) needs room above what was paid: no pace limit
open(f"{w}/nopace.toml", "w").write(s.replace("pace = 0.20", "").replace("pace = 0.30", ""))
c = pd.read_csv(f"{d}/communities.csv", dtype={"unique_id": str})
c.assign(last_year_funding=float("nan"), last_year_migrant=float("nan")).to_csv(f"{w}/blank.csv", index=False)
pd.DataFrame({"unique_id": c.unique_id, "spent": (c.last_year_funding * 0.9).round(2)}).to_csv(f"{w}/spent.csv",
                                                                                                index=False)
PYEOF
run() { "$CIV" allocate --spec "$WORK/spec.toml" --no-excel --precision full "$@"; }
# this year: the workbook in Chinese (no --lang) and in English, the Monte Carlo's quantiles in it
expect_code "zh" 0 run --communities "$D/communities.csv" --out "$WORK/zh.csv" --summary "$WORK/zh_sum.csv" \
  --explain --uncertainty 20 --weight-concentration 300 --uncertainty-out "$WORK/zh_unc.csv" \
  --workbook "$WORK/zh.xlsx"
grep -q "^wrote .*zh.csv, .*zh_sum.csv, .*zh_unc.csv, .*zh.xlsx" "$WORK/out" ||
  fail "zh: the workbook not listed: $(cat "$WORK/out")"
expect_code "en" 0 run --communities "$D/communities.csv" --out "$WORK/en.csv" --summary "$WORK/en_sum.csv" \
  --explain --lang en --workbook "$WORK/en.xlsx"
expect_code "no workbook" 0 run --communities "$D/communities.csv" --out "$WORK/plain.csv" --explain
$PY - "$WORK" <<'PYEOF' || fail "the workbooks' sheets, headers and cells"
import sys
import openpyxl
import pandas as pd
w = sys.argv[1]
def sheets(p):
    wb = openpyxl.load_workbook(p, read_only=True)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
zh, en = sheets(f"{w}/zh.xlsx"), sheets(f"{w}/en.xlsx")
assert list(zh) == ["分配结果", "分配汇总", "规则分解", "不确定性"], list(zh)
assert list(en) == ["allocation", "summary", "rules"], list(en)
head = list(zh["分配结果"][0])
assert head[:7] == ["社区编号", "社区名称", "区", "街道", "分配金额（元）", "占比（%）", "说明"], head[:7]
for h in ["民政养老补贴+health（分）", "常住人口（分）", "倾斜系数（综合公式）", "分配金额（分）"]:
    assert h in head, (h, head)
assert en["allocation"][0][0] == "Community id" and "民政养老补贴+health (fen)" in en["allocation"][0]
a = pd.read_csv(f"{w}/zh.csv", dtype={"unique_id": str})
rows = zh["分配结果"][1:]
assert [r[0] for r in rows] == list(a.unique_id)
assert [r[head.index("分配金额（分）")] for r in rows] == list(a.amount_fen)
assert [r[head.index("说明")] for r in rows] == list(a.explanation) and "构成" in rows[0][head.index("说明")]
e = pd.read_csv(f"{w}/en.csv", dtype={"unique_id": str})
first = e.explanation[0]
assert first.startswith("常住人口 17.5%") and "hold-harmless" in first and "构成" not in first, first
assert list(pd.read_csv(f"{w}/plain.csv").explanation) == list(e.explanation)  # no --workbook: English as before
assert zh["分配汇总"][0][:5] == ("类别", "项目", "指标", "单位", "数值") and zh["规则分解"][1][0] == "本方案"
assert len(zh["不确定性"]) == len(pd.read_csv(f"{w}/zh_unc.csv")) + 1
PYEOF
# the allocation CSV of a --workbook run is written from the table the workbook took (not computed again):
# the same bytes as the streamed file of a run without it
cmp -s "$WORK/en.csv" "$WORK/plain.csv" || fail "en: the CSV of the --workbook run differs from the streamed one"
# next year: the workbook as --last-year, as --paid, as settle --allocation: the CSV's results, fen for fen
next() { run --communities "$WORK/blank.csv" "$@"; }
release() {
  "$CIV" allocate --spec "$WORK/nopace.toml" --communities "$D/communities.csv" --no-excel --precision full "$@"
}
for lang in zh en; do
  expect_code "last-year csv $lang" 0 next --out "$WORK/ly_csv_$lang.csv" --last-year "$WORK/$lang.csv"
  expect_code "last-year xlsx $lang" 0 next --out "$WORK/ly_xlsx_$lang.csv" --last-year "$WORK/$lang.xlsx"
  cmp -s "$WORK/ly_csv_$lang.csv" "$WORK/ly_xlsx_$lang.csv" || fail "$lang: --last-year of the workbook differs"
  expect_code "paid csv $lang" 0 release --out "$WORK/p_csv_$lang.csv" --paid "$WORK/$lang.csv"
  expect_code "paid xlsx $lang" 0 release --out "$WORK/p_xlsx_$lang.csv" --paid "$WORK/$lang.xlsx"
  cmp -s "$WORK/p_csv_$lang.csv" "$WORK/p_xlsx_$lang.csv" || fail "$lang: --paid of the workbook differs"
  for f in csv xlsx; do
    expect_code "settle $f $lang" 0 "$CIV" settle --spec "$WORK/spec.toml" --allocation "$WORK/$lang.$f" \
      --spending "$WORK/spent.csv" --out "$WORK/s_${f}_$lang.csv" --no-excel --precision full
  done
  cmp -s "$WORK/s_csv_$lang.csv" "$WORK/s_xlsx_$lang.csv" || fail "$lang: settle of the workbook differs"
done
# --paid: no rules sheet (the second solve does not know what was paid)
expect_code "paid workbook" 0 release --out "$WORK/p.csv" --paid "$WORK/zh.csv" --workbook "$WORK/p.xlsx"
$PY -c "import openpyxl, sys; assert openpyxl.load_workbook(sys.argv[1]).sheetnames == ['分配结果', '分配汇总']" \
  "$WORK/p.xlsx" || fail "--paid: the workbook's sheets"
# usage errors, and a failed run writes nothing
expect_code "not xlsx" 1 run --communities "$D/communities.csv" --out "$WORK/x.csv" --workbook "$WORK/x.csv2.csv"
expect_err "not xlsx" "--workbook writes an Excel workbook: give a path ending in .xlsx"
# ... also a .xls (before 2026-12-07: exit 3, "unknown file type ... as .csv, .h5, .hdf5 or .xlsx", docs say 1)
expect_code "xls" 1 run --communities "$D/communities.csv" --out "$WORK/x.csv" --workbook "$WORK/x.xls"
expect_err "xls" "--workbook writes an Excel workbook: give a path ending in .xlsx, not '.*x.xls'"
# a spec that cannot be solved is reported as without --workbook, not as "spec 'plan': ..." (the rules sheet's
# second solve, named by its scenario label, reported it before 2026-12-07)
printf 'version = "m"\n[budget]\ntotal = 1000.00\nfiscal_year = 2026\n[[pool]]\nname = "p"\nshare = 1\n%b' \
  '[[formula]]\nname = "main"\nfloor = 400.00\n[[factor]]\nname = "pop"\nattribute = "pop"\nweight = 1\n' \
  >"$WORK/floor.spec"
printf 'unique_id,pop\nA,1200\nB,1300\nC,300\n' >"$WORK/three.csv"
expect_code "infeasible" 4 "$CIV" allocate --spec "$WORK/floor.spec" --communities "$WORK/three.csv" \
  --out "$WORK/x.csv" --workbook "$WORK/x.xlsx"
expect_err "infeasible" "^civicast: pool 'p' \(formula 'main'\): the lower bounds .* total 1,200.00 CNY"
expect_code "compare" 1 "$CIV" allocate --compare "$WORK/spec.toml" "$D/allocation.spec" \
  --communities "$D/communities.csv" --out "$WORK/x.csv" --workbook "$WORK/x.xlsx"
expect_err "compare" "--workbook writes one spec's allocation, not --compare's scenarios"
expect_code "lang alone" 1 run --communities "$D/communities.csv" --out "$WORK/x.csv" --lang zh
expect_code "bad data" 2 run --communities "$WORK/spent.csv" --out "$WORK/x.csv" --workbook "$WORK/x.xlsx"
expect_code "no folder" 3 run --communities "$D/communities.csv" --out "$WORK/x.csv" \
  --workbook "$WORK/none/x.xlsx"
[ ! -e "$WORK/x.csv" ] && [ ! -e "$WORK/x.xlsx" ] || fail "a failed run left a file"
# need --workbook: the need sheets, as the plan's workbook has them
expect_code "forecast" 0 "$CIV" forecast "$SRC/tests/data/plan/meals.csv" --model snaive --h 24 --out "$WORK/fc.csv"
expect_code "need" 0 "$CIV" need --spec "$SRC/tests/data/plan/plan.spec" --forecasts "$WORK/fc.csv" \
  --out "$WORK/n.csv" --workbook "$WORK/n.xlsx"
$PY - "$WORK/n.xlsx" <<'PYEOF' || fail "need --workbook"
import sys
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
assert wb.sheetnames == ["需求测算", "需求汇总"], wb.sheetnames
assert [c.value for c in wb["需求测算"][1]][:2] == ["社区编号", "年度"]
PYEOF
expect_code "need lang" 1 "$CIV" need --spec "$SRC/tests/data/plan/plan.spec" --forecasts "$WORK/fc.csv" \
  --out "$WORK/n2.csv" --lang en
expect_code "need xls" 1 "$CIV" need --spec "$SRC/tests/data/plan/plan.spec" --forecasts "$WORK/fc.csv" \
  --out "$WORK/n2.csv" --workbook "$WORK/n.xls"
expect_err "need xls" "--workbook writes an Excel workbook: give a path ending in .xlsx"
[ "$failures" -eq 0 ] || { echo "allocate_workbook.sh: $failures failure(s)" >&2; exit 1; }
echo "allocate_workbook.sh: ok"
