#!/usr/bin/env bash
# xlsx_out.sh -- outputs as Excel workbooks (.xlsx), by extension: `allocate
# --out a.xlsx --summary s.xlsx` (before: refused, "Excel opens the .csv"),
# the streamed `forecast --out --report --fitted` as workbooks with the rows
# of their CSVs, `convert --table A.csv B.csv BOOK.xlsx` (a sheet per table),
# the plan folder's allocation.xlsx (a sheet per money table in the report's
# language, listed in manifest.json); the same inputs give the same bytes; a
# refused workbook leaves nothing.  Cells are read back with openpyxl when the
# machine has it (tests/python/test_xlsx_write.py checks them in depth), else with
# unzip.
# usage: bash xlsx_out.sh PATH_TO_CIVICAST   (env CIV_SOURCE_DIR)
set -u
source "$(dirname "$0")/lib.sh"
cli_start "$@"
DEMO="$SRC/datasets/demo_city"
DATA="$SRC/tests/data/plan"
HAVE_OPENPYXL=0
$PY -c "import openpyxl" 2>/dev/null && HAVE_OPENPYXL=1
[ $HAVE_OPENPYXL = 1 ] || echo "note: openpyxl is missing (apt-get install python3-openpyxl): checking with unzip only"

# sheet_rows BOOK [SHEET]: the rows of a sheet, tab-separated, as openpyxl reads them
sheet_rows() {
  $PY - "$@" <<'PYEOF'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb[sys.argv[2]] if len(sys.argv) > 2 else wb.worksheets[0]
for row in ws.iter_rows(values_only=True):
    print("\t".join("" if v is None else (repr(v) if isinstance(v, float) else str(v)) for v in row))
PYEOF
}

# 1. allocate: the workbook and the summary, with the CSV's cells (the fen exactly)
"$CIV" allocate --spec "$DEMO/allocation.spec" --communities "$DEMO/communities.csv" --explain \
  --out "$WORK/a.csv" --summary "$WORK/s.csv" >/dev/null 2>"$WORK/err" || fail "allocate to CSV: $(cat "$WORK/err")"
"$CIV" allocate --spec "$DEMO/allocation.spec" --communities "$DEMO/communities.csv" --explain \
  --out "$WORK/a.xlsx" --summary "$WORK/s.xlsx" >/dev/null 2>"$WORK/err" ||
  fail "allocate --out a.xlsx (before: unknown file type): $(cat "$WORK/err")"
[ -s "$WORK/a.xlsx" ] && [ -s "$WORK/s.xlsx" ] || fail "allocate wrote no workbook"
unzip -p "$WORK/a.xlsx" xl/worksheets/sheet1.xml | grep -q '<t>民主里社区</t>' || fail "a.xlsx lacks a Chinese name"
if [ $HAVE_OPENPYXL = 1 ]; then
  $PY - "$WORK/a.csv" "$WORK/a.xlsx" <<'PYEOF' || fail "a.xlsx differs from a.csv"
import sys, csv, openpyxl
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig")))
ws = openpyxl.load_workbook(sys.argv[2]).worksheets[0]
cells = list(ws.iter_rows(values_only=True))
assert list(cells[0]) == rows[0], (cells[0], rows[0])
assert len(cells) == len(rows)
k = rows[0].index("amount_fen")
assert [int(r[k]) for r in rows[1:]] == [c[k] for c in cells[1:]]
i = rows[0].index("unique_id")
assert [r[i] for r in rows[1:]] == [c[i] for c in cells[1:]]
PYEOF
fi

# 2. forecast: the three streamed outputs as workbooks, with the rows of their CSVs
"$CIV" forecast "$DATA/meals.csv" --model snaive --h 3 --out "$WORK/f.csv" --report "$WORK/r.csv" \
  --fitted "$WORK/fit.csv" -q 2>"$WORK/err" || fail "forecast to CSV: $(cat "$WORK/err")"
"$CIV" forecast "$DATA/meals.csv" --model snaive --h 3 --out "$WORK/f.xlsx" --report "$WORK/r.xlsx" \
  --fitted "$WORK/fit.xlsx" --chunk 2 -q 2>"$WORK/err" || fail "forecast to .xlsx: $(cat "$WORK/err")"
for f in f r fit; do
  [ -s "$WORK/$f.xlsx" ] || { fail "forecast wrote no $f.xlsx"; continue; }
  if [ $HAVE_OPENPYXL = 1 ]; then
    rows=$(sheet_rows "$WORK/$f.xlsx" | wc -l)
    want=$(wc -l <"$WORK/$f.csv")
    [ "$rows" -eq "$want" ] || fail "$f.xlsx has $rows rows, $f.csv $want lines"
  fi
done
ls -a "$WORK" | grep -q '\.tmp\.' && fail "temporary files left beside the workbooks"
# each sheet named after its own file, not the staged copy's name (before: "0-f", "1-r")
unzip -p "$WORK/r.xlsx" xl/workbook.xml | grep -q '<sheet name="r" ' ||
  fail "r.xlsx's sheet is not named r: $(unzip -p "$WORK/r.xlsx" xl/workbook.xml | grep -o '<sheet [^>]*>')"
# the same forecast again: the same bytes
"$CIV" forecast "$DATA/meals.csv" --model snaive --h 3 --out "$WORK/f2.xlsx" -q 2>/dev/null
mkdir -p "$WORK/again"
"$CIV" forecast "$DATA/meals.csv" --model snaive --h 3 --out "$WORK/again/f2.xlsx" -q 2>/dev/null
cmp -s "$WORK/f2.xlsx" "$WORK/again/f2.xlsx" || fail "two runs of one forecast gave different workbooks"

# 3. convert: several tables into one workbook, a sheet per file
"$CIV" convert --table "$WORK/a.csv" "$WORK/s.csv" "$WORK/book.xlsx" 2>"$WORK/err" ||
  fail "convert --table a.csv s.csv book.xlsx: $(cat "$WORK/err")"
unzip -p "$WORK/book.xlsx" xl/workbook.xml | grep -q '<sheet name="a" .*<sheet name="s" ' ||
  fail "book.xlsx lacks the sheets a and s: $(unzip -p "$WORK/book.xlsx" xl/workbook.xml)"
expect_code "convert several INs to a CSV" 1 "$CIV" convert --table "$WORK/a.csv" "$WORK/s.csv" "$WORK/x.csv"
expect_err "convert several INs to a CSV" "name OUT <name>.xlsx"
expect_code "convert several panels" 1 "$CIV" convert "$WORK/a.csv" "$WORK/s.csv" "$WORK/x.xlsx"
expect_code "convert .xls" 3 "$CIV" convert "$DATA/meals.csv" "$WORK/m.xls"
expect_err "convert .xls" "Excel 97-2003 workbooks are not written: use .xlsx"
# a sheet name Excel refuses (from the file's name): refused, nothing written
cp "$WORK/s.csv" "$WORK/s[1].csv"
expect_code "convert a sheet named s[1]" 1 "$CIV" convert --table "$WORK/a.csv" "$WORK/s[1].csv" "$WORK/bad.xlsx"
expect_err "convert a sheet named s[1]" "sheet name 's\[1\]'"
[ -e "$WORK/bad.xlsx" ] && fail "a refused workbook was written"

# 4. the plan's folder: allocation.xlsx, a sheet per money table, in manifest.json with its SHA-256
"$CIV" plan "$DATA/plan.toml" --out "$WORK/plan" >"$WORK/out" 2>"$WORK/err" || fail "plan: $(cat "$WORK/err")"
grep -q "^wrote .*, allocation.xlsx, manifest.json}$" "$WORK/out" || fail "plan's summary does not name allocation.xlsx"
[ -s "$WORK/plan/allocation.xlsx" ] || fail "the plan wrote no allocation.xlsx"
unzip -p "$WORK/plan/allocation.xlsx" xl/workbook.xml | grep -q '<sheet name="分配结果" ' ||
  fail "allocation.xlsx lacks the sheet 分配结果"
sha=$(sha256sum "$WORK/plan/allocation.xlsx" | cut -d' ' -f1)
grep -q "\"name\": \"allocation.xlsx\", \"bytes\": [0-9]*, \"sha256\": \"$sha\"" "$WORK/plan/manifest.json" ||
  fail "manifest.json does not list allocation.xlsx with its SHA-256"
"$CIV" plan "$DATA/plan.toml" --out "$WORK/plan_en" --lang en >/dev/null 2>&1 || fail "plan --lang en failed"
unzip -p "$WORK/plan_en/allocation.xlsx" xl/workbook.xml |
  grep -q '<sheet name="allocation" .*<sheet name="summary" ' ||
  fail "an English plan's workbook lacks the sheets allocation and summary"
if [ $HAVE_OPENPYXL = 1 ]; then
  $PY - "$WORK/plan" "$WORK/plan_en" <<'PYEOF' || fail "the plan's workbook differs from its CSVs or its language"
import sys, csv, openpyxl
out, out_en = sys.argv[1], sys.argv[2]
wb = openpyxl.load_workbook(f"{out}/allocation.xlsx")
assert wb.sheetnames == ["分配结果", "分配汇总", "规则分解", "需求测算", "需求汇总", "不确定性"], wb.sheetnames
# the headers in the report's language (the CSVs keep the machine names); money columns still money
heads = {"分配结果": ["社区编号", "区", "分配金额（元）", "占比（%）", "说明"], "需求测算": ["社区编号", "年度", "期数"],
         "不确定性": ["层级", "名称", "区", "分配金额（分）"]}
for sheet, name in [("分配结果", "allocation"), ("需求测算", "need"), ("不确定性", "uncertainty")]:
    rows = list(csv.reader(open(f"{out}/{name}.csv", encoding="utf-8-sig")))
    cells = list(wb[sheet].iter_rows(values_only=True))
    assert rows[0][0] in ("unique_id", "scope"), rows[0]
    assert list(cells[0][:len(heads[sheet])]) == heads[sheet], (sheet, cells[0])
    assert len(cells) == len(rows) and len(cells[0]) == len(rows[0]), sheet
    fmt = [c.number_format for c in next(wb[sheet].iter_rows(min_row=2, max_row=2))]
    for k, h in enumerate(cells[0]):
        if h.endswith("（分）"):
            assert fmt[k] == "#,##0", (sheet, h, fmt[k])
    for col in [c for c in rows[0] if c.endswith("_fen")]:
        k = rows[0].index(col)
        vals = [r[k] for r in rows[1:]]
        # the sheet's column of the same values (headers differ; the allocation's order too)
        ok = any(all((v == "" and c[j] is None) or (v != "" and isinstance(c[j], (int, float)) and
                     abs(float(v) - c[j]) <= 0.5 * 10 ** -4 * max(1, abs(c[j]))) for v, c in zip(vals, cells[1:]))
                 for j in range(len(cells[0])))
        assert ok, (sheet, col)
en = openpyxl.load_workbook(f"{out_en}/allocation.xlsx")["allocation"]
h = [c.value for c in en[1]]
assert h[:5] == ["Community id", "District", "Amount (yuan)", "Share (%)", "Explanation"], h
assert en.cell(row=2, column=3).number_format == "#,##0.00"
PYEOF
fi

if [ "$failures" -gt 0 ]; then
  echo "xlsx_out.sh: $failures failure(s)" >&2
  exit 1
fi
echo "xlsx_out.sh: all checks passed"
