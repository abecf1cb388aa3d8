#!/usr/bin/env bash
# xlsx.sh -- Excel workbooks read directly (engine/src/io/xlsx_read.c; docs/CLI.md "Reading Excel workbooks
# (.xlsx)"): `info`, `forecast`, `allocate` and a plan read an .xlsx and give the results of the same
# data's CSV -- examples/spreadsheet's workbook (社区助餐.xlsx, plan_xlsx.toml) gives the allocation of its
# two GB18030 CSV sheets (plan.toml) fen for fen, and pandas' to_excel of tests/data/plan/meals.csv the
# forecasts of the CSV; --sheet picks a sheet, and several sheets, an unknown one, .xls, a formula
# without a cached value are refused with the cure.
# usage: bash xlsx.sh PATH_TO_CIVICAST
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cli_start "$@"
ex=$SRC/examples/spreadsheet
fx=$SRC/tests/data/xlsx
book=$ex/社区助餐.xlsx
col() { # col FILE NAME: the column NAME of a CSV (a BOM before the header is dropped)
  sed '1s/^\xEF\xBB\xBF//' "$1" | awk -F, -v n="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == n) c = i; next } { print $c }'
}
# info: the workbook's wide sheet and the GB18030 CSV hold the same panel
expect_code "info xlsx" 0 "$CIV" info "$book" --sheet 用餐人次 --wide-input --id-col 社区编号
grep -v '^file' "$WORK/out" >"$WORK/info_xlsx"
expect_code "info csv" 0 "$CIV" info "$ex/用餐人次.csv" --wide-input --id-col 社区编号 --encoding gb18030
grep -v '^file' "$WORK/out" >"$WORK/info_csv"
cmp -s "$WORK/info_xlsx" "$WORK/info_csv" || fail "info differs: $(diff "$WORK/info_xlsx" "$WORK/info_csv")"
grep -q 'monthly' "$WORK/info_xlsx" || fail "the workbook's month headers are not monthly: $(cat "$WORK/info_xlsx")"
# forecast: the same forecasts from the sheet and from the CSV
expect_code "forecast xlsx" 0 "$CIV" forecast "$book" --sheet 用餐人次 --wide-input --id-col 社区编号 --model snaive \
  --h 12 --out "$WORK/fc_xlsx.csv" --no-excel --precision full
expect_code "forecast csv" 0 "$CIV" forecast "$ex/用餐人次.csv" --wide-input --id-col 社区编号 --encoding gb18030 \
  --model snaive --h 12 --out "$WORK/fc_csv.csv" --no-excel --precision full
cmp -s "$WORK/fc_xlsx.csv" "$WORK/fc_csv.csv" || fail "forecasts differ"
# pandas' to_excel (Timestamps, openpyxl) against the CSV it came from: the same values (ds as days there)
expect_code "forecast pandas" 0 "$CIV" forecast "$fx/pandas_meals.xlsx" --model snaive --h 6 --out "$WORK/fp_x.csv" \
  --no-excel --precision full
expect_code "forecast meals" 0 "$CIV" forecast "$SRC/tests/data/plan/meals.csv" --model snaive --h 6 \
  --out "$WORK/fp_c.csv" --no-excel --precision full
cmp -s <(cut -d, -f1,3- "$WORK/fp_x.csv") <(cut -d, -f1,3- "$WORK/fp_c.csv") || fail "pandas workbook forecasts differ"
[ "$(sed -n 2p "$WORK/fp_x.csv" | cut -d, -f2)" = 2025-01-01 ] || fail "pandas dates: $(sed -n 2p "$WORK/fp_x.csv")"
# the plan from the workbook equals the plan from the two CSV sheets, fen for fen
expect_code "plan xlsx" 0 "$CIV" plan "$ex/plan_xlsx.toml" --out "$WORK/px"
expect_code "plan csv" 0 "$CIV" plan "$ex/plan.toml" --out "$WORK/pc"
for c in unique_id amount_fen factor_meal_demand_fen binding; do
  cmp -s <(col "$WORK/px/allocation.csv" $c) <(col "$WORK/pc/allocation.csv" $c) || fail "plan allocation $c differs"
done
cmp -s "$WORK/px/forecasts.csv" "$WORK/pc/forecasts.csv" || fail "plan forecasts differ"
cmp -s <(col "$WORK/px/need_summary.csv" need) <(col "$WORK/pc/need_summary.csv" need) || fail "plan need differs"
grep -q '"panel_sheet": "用餐人次"' "$WORK/px/manifest.json" || fail "manifest lacks the panel's sheet"
grep -q '"communities_sheet": "社区"' "$WORK/px/manifest.json" || fail "manifest lacks the communities' sheet"
# allocate reads the communities sheet (numbers as numbers: no --thousands, no --percent)
expect_code "allocate xlsx" 0 "$CIV" allocate --spec "$ex/allocation.spec" --communities "$book" --sheet 社区 \
  --forecasts "$WORK/pc/forecasts.csv" --out "$WORK/alloc_x.csv"
cmp -s <(col "$WORK/alloc_x.csv" amount_fen) <(col "$WORK/pc/allocation.csv" amount_fen) || fail "allocate differs"
# a plan without the sheets' names: the workbook has two sheets with data, named in the refusal; --sheet
# names one sheet for both inputs (here the communities sheet is no panel)
cp -r "$ex" "$WORK/ex_copy"
sed -i '/_sheet = /d' "$WORK/ex_copy/plan_xlsx.toml"
expect_code "plan no sheet" 2 "$CIV" plan "$WORK/ex_copy/plan_xlsx.toml" --out "$WORK/p2"
expect_err "plan no sheet" "2 sheets hold data \('用餐人次', '社区'\): name the one to read with --sheet NAME"
[ ! -e "$WORK/p2" ] || fail "a refused plan left its folder"
expect_code "plan --sheet" 2 "$CIV" plan "$WORK/ex_copy/plan_xlsx.toml" --out "$WORK/p3" --sheet 社区
expect_err "plan --sheet" "社区助餐.xlsx:1: a wide panel has one column per period, but no column header is a date"
# refusals: several sheets, an unknown sheet, an empty --sheet, .xls, a formula without its value
expect_code "two sheets" 2 "$CIV" info "$fx/two_sheets.xlsx"
expect_err "two sheets" "two_sheets.xlsx: 2 sheets hold data \('社区', 'Sheet2'\)"
expect_code "unknown sheet" 2 "$CIV" convert "$fx/two_sheets.xlsx" "$WORK/t.csv" --table --sheet Sheet9
expect_err "unknown sheet" "no sheet named 'Sheet9': the workbook's sheets are '社区', 'Sheet2'"
expect_code "sheet picked" 0 "$CIV" convert "$fx/two_sheets.xlsx" "$WORK/t.csv" --table --sheet Sheet2
[ "$(head -1 "$WORK/t.csv")" = "unique_id,m" ] || fail "--sheet Sheet2 read $(head -1 "$WORK/t.csv")"
expect_code "empty sheet" 1 "$CIV" info "$fx/two_sheets.xlsx" --sheet ""
expect_err "empty sheet" "--sheet needs a sheet name"
cp "$fx/rich.xlsx" "$WORK/old.xls"
expect_code "xls" 3 "$CIV" convert "$WORK/old.xls" "$WORK/t2.csv" --table
expect_err "xls" "old.xls: civicast reads Excel workbooks as .xlsx, not .xls: open it and save it as"
expect_code "formula" 2 "$CIV" info "$fx/formula_nocache.xlsx"
expect_err "formula" "formula_nocache.xlsx:3:3: cell C3 of sheet 'Sheet1': .*open and save it in Excel or LibreOffice"
# a macro-enabled workbook (.xlsm: the same OOXML, a macroEnabled main part and a vbaProject.bin the reader never
# opens, so no macro runs) reads as the .xlsx it was saved from; written, it is refused with the cure
$PY - "$fx/pandas_meals.xlsx" "$WORK/宏.xlsm" <<'PYEOF' || fail "make the .xlsm"
import sys, zipfile
src, out = zipfile.ZipFile(sys.argv[1]), zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED)
for it in src.infolist():
    data = src.read(it.filename)
    if it.filename == "[Content_Types].xml":
        data = data.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
        data = data.replace(b"</Types>", b'<Default Extension="bin" '
                            b'ContentType="application/vnd.ms-office.vbaProject"/></Types>')
        assert b"macroEnabled" in data
    out.writestr(it, data)
out.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
out.close()
PYEOF
expect_code "forecast xlsm" 0 "$CIV" forecast "$WORK/宏.xlsm" --model snaive --h 6 --out "$WORK/fp_m.csv" \
  --no-excel --precision full
cmp -s "$WORK/fp_m.csv" "$WORK/fp_x.csv" || fail "the .xlsm forecasts differ from the .xlsx's"
expect_code "write xlsm" 3 "$CIV" convert --table "$SRC/tests/data/plan/meals.csv" "$WORK/out.xlsm"
expect_err "write xlsm" "out.xlsm: unknown file type: .*macro-enabled workbooks are read, not written: use .xlsx"
# --sheet names the sheet of every .xlsx input: a second workbook whose sheets are named otherwise is refused
# saying so, with the cure (before 2026-12-07: "no sheet named '社区'" alone, as if the name were mistyped)
$PY - "$SRC/tests/data/plan/meals.csv" "$WORK" <<'PYEOF' || fail "make two workbooks"
import sys, pandas as pd
m = pd.read_csv(sys.argv[1], dtype={"unique_id": str})
for name, sheet in (("a", "社区"), ("b", "预测")):
    with pd.ExcelWriter(f"{sys.argv[2]}/{name}.xlsx") as w:
        m.to_excel(w, sheet_name=sheet, index=False)
        pd.DataFrame({"说明": ["x"]}).to_excel(w, sheet_name="说明", index=False)
PYEOF
expect_code "sheet of every input" 2 "$CIV" forecast "$WORK/b.xlsx" --sheet 社区 --h 2 --model naive \
  --out "$WORK/x.csv"
expect_err "sheet of every input" "b.xlsx: no sheet named '社区': the workbook's sheets are '预测', '说明'; --sheet \
names the sheet of every .xlsx input: give this one as CSV \\(civicast convert --table BOOK.xlsx BOOK.csv --sheet"
[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "xlsx: all checks passed"
