#!/usr/bin/env bash
# monitor_xlsx.sh -- `civicast monitor --out DIR` writes monitoring.xlsx beside the CSVs (which stay as they
# were): the sheets of the parts run, in Chinese (English with --lang en), headers from the label table, codes in
# words, the indicator's name, a rate's actual and target as percentages by number format with the fractions in
# the cells, the alerts' values equal to alerts.csv's; a run of --risks alone adds its sheets to the month's
# workbook, and runs of different parts into one folder keep each other's sheets; --lang
# other than zh or en is a usage error, and so is --lang where no workbook is written (no --out, no indicators); an
# unwritable folder leaves no workbook.  Read with openpyxl.
# usage: bash monitor_xlsx.sh PATH_TO_CIVICAST   (env CIV_SOURCE_DIR)
set -u
source "$(dirname "$0")/lib.sh"
cli_start "$@"
DEMO="$SRC/datasets/demo_city"
"$PY" -c "import openpyxl" 2>/dev/null || { echo "monitor_xlsx.sh: openpyxl is not installed for $PY"; exit 1; }

# 1. the demo's month with the risks and the sensors: monitoring.xlsx beside the CSVs
"$CIV" monitor "$DEMO/indicators.toml" "$DEMO/monitoring.csv" --risks "$DEMO/risks.csv" \
    --events "$DEMO/sensor_events.csv" --out "$WORK/out" >"$WORK/stdout" 2>"$WORK/stderr" ||
    fail "demo monitor failed: $(cat "$WORK/stderr")"
[ -s "$WORK/out/monitoring.xlsx" ] || fail "monitor --out wrote no monitoring.xlsx"
for f in status.csv alerts.csv risks.csv risk_matrix.csv inactivity.csv; do
    [ -s "$WORK/out/$f" ] || fail "monitor did not write $f beside the workbook"
done
"$CIV" monitor --help | grep -q -- "--lang" || fail "monitor --help lacks --lang"

"$PY" - "$WORK/out" zh <<'EOF' || fail "monitoring.xlsx (zh) is not what alerts.csv says"
import csv, sys
import openpyxl
out, lang = sys.argv[1], sys.argv[2]
wb = openpyxl.load_workbook(f"{out}/monitoring.xlsx")
assert wb.sheetnames == ["本期预警", "指标状态", "风险", "风险矩阵", "独居老人未活动"], wb.sheetnames
ws = wb["本期预警"]
head = [c.value for c in ws[1]]
assert head == ["部门", "指标", "名称", "层级", "单位", "统计期", "实际值", "目标值", "连续未达标期数", "未达标起始期",
                "预警状态"], head
assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:K{ws.max_row}", (ws.freeze_panes, ws.auto_filter.ref)
with open(f"{out}/alerts.csv", encoding="utf-8-sig") as f:
    rows = list(csv.DictReader(f))
words = {"raised": "新增预警", "continued": "持续预警", "street": "街道", "district": "区", "city": "全市"}
for k, r in enumerate(rows, start=2):
    cells = [c.value for c in ws[k]]
    assert cells[0] == r["department"] and cells[1] == r["indicator"] and cells[2] == r["name"], (cells, r)
    assert cells[3] == words[r["scope"]] and cells[10] == words[r["alert"]], (cells, r)
    assert cells[6] == float(r["actual"]) and cells[7] == float(r["target"]), (cells, r)
    assert cells[8] == int(r["misses"]), (cells, r)
    assert cells[5] == r["ds"] and cells[9] == r["since"], (cells, r)
# after the open alerts, the month's cleared ones
tail = [ws.cell(row=k, column=11).value for k in range(len(rows) + 2, ws.max_row + 1)]
assert tail and set(tail) <= {"预警解除", "随撤并关闭"}, tail
# the volunteer share (a rate, 团市委): 0.063339 of 0.13, shown 6.3% of 13%
first = rows[0]
assert first["indicator"] == "volunteer_share", first
assert ws["G2"].value == 0.063339 and ws["G2"].number_format == "0.0%", (ws["G2"].value, ws["G2"].number_format)
assert ws["H2"].number_format == "0%"  # 13%, as alerts' lines and the report say it
st = wb["指标状态"]
assert [c.value for c in st[1]][:6] == ["层级", "单位", "指标", "名称", "部门", "统计期"]
assert {st.cell(row=k, column=10).value for k in range(2, 200)} <= {"达标", "未达标", "无数据", "未设目标", "未纳入",
                                                                    "已撤并"}
rk = wb["风险"]
assert [c.value for c in rk[2]][:3] == ["政策冲突风险", 0.7, "严重"] and rk["I2"].value == "高", [c.value for c in rk[2]]
assert rk["B2"].number_format == "0%"
EOF

# 2. English
"$CIV" monitor "$DEMO/indicators.toml" "$DEMO/monitoring.csv" --out "$WORK/en" --lang en >/dev/null 2>&1 ||
    fail "monitor --lang en failed"
"$PY" - "$WORK/en" <<'EOF' || fail "monitoring.xlsx (en) is not in English"
import sys
import openpyxl
wb = openpyxl.load_workbook(f"{sys.argv[1]}/monitoring.xlsx")
assert wb.sheetnames == ["Alerts", "Indicator status"], wb.sheetnames
ws = wb["Alerts"]
assert [c.value for c in ws[1]][:4] == ["Department", "Indicator", "Name", "Scope"], [c.value for c in ws[1]]
assert ws["K2"].value in ("New", "Continuing") and ws["D2"].value == "Street", (ws["K2"].value, ws["D2"].value)
EOF

# 3. a run of the risks alone into the month's folder rewrites the workbook with the month's sheets read back from
# the folder's files (the open alerts, the statuses and the inactivity as they were) and its own risks; until
# 2026-12-07 it left the workbook as it was, without the run's part (the register of another day was in risks.csv
# and not in the workbook).  Two registers one after the other: the second's (it replaces risks.csv too).
"$PY" -c "import openpyxl, sys; openpyxl.load_workbook(sys.argv[1]).save(sys.argv[2])" "$WORK/out/monitoring.xlsx" \
    "$WORK/month_before.xlsx" || fail "cannot keep the month's workbook"
head -3 "$DEMO/risks.csv" >"$WORK/two_risks.csv"
"$CIV" monitor --risks "$WORK/two_risks.csv" --out "$WORK/out" >/dev/null 2>&1 || fail "monitor --risks alone failed"
"$PY" - "$WORK/month_before.xlsx" "$WORK/out/monitoring.xlsx" <<'EOF' || fail "a run of the risks alone: the workbook"
import sys
import openpyxl
before, after = openpyxl.load_workbook(sys.argv[1]), openpyxl.load_workbook(sys.argv[2])
assert after.sheetnames == ["本期预警", "指标状态", "风险", "风险矩阵", "独居老人未活动"], after.sheetnames
def rows(ws):
    return [tuple((c.value, c.number_format) for c in r) for r in ws.iter_rows()]
for name in ("指标状态", "独居老人未活动"):
    assert rows(before[name]) == rows(after[name]), name
# the open alerts as they were; the cleared ones the same set (within a department by indicator code: no
# indicator file in this run to order them by)
a, b = rows(before["本期预警"]), rows(after["本期预警"])
assert a[:34] == b[:34] and sorted(a[34:]) == sorted(b[34:]) and len(a) == len(b) == 44, (len(a), len(b))
assert after["风险"].max_row == 3 and before["风险"].max_row == 5  # the second register's two risks
EOF

# 4. --lang other than zh or en: a usage error, nothing written
code=0
"$CIV" monitor "$DEMO/indicators.toml" "$DEMO/monitoring.csv" --out "$WORK/fr" --lang fr >/dev/null 2>"$WORK/err" ||
    code=$?
[ "$code" -eq 1 ] || fail "--lang fr exited $code, not 1"
grep -q "lang must be zh or en" "$WORK/err" || fail "--lang fr: $(cat "$WORK/err")"
[ ! -e "$WORK/fr" ] || fail "--lang fr wrote $WORK/fr"
# ... and --lang where no workbook is written (no --out) says so instead of being ignored
code=0
"$CIV" monitor "$DEMO/indicators.toml" "$DEMO/monitoring.csv" --lang en >/dev/null 2>"$WORK/err" || code=$?
[ "$code" -eq 1 ] || fail "--lang without --out exited $code, not 1"
grep -q "add --out DIR" "$WORK/err" || fail "--lang without --out: $(cat "$WORK/err")"
# a monitoring of the risks alone (no indicators) writes its workbook, its two sheets, in --lang (before 2026-12-07
# it wrote none, and --lang was refused); the same run into the month's folder adds to the month's (3. above)
for lang in zh en; do
    "$CIV" monitor --risks "$DEMO/risks.csv" --out "$WORK/risks_$lang" --lang $lang >/dev/null 2>"$WORK/err" ||
        fail "monitor --risks alone --lang $lang: $(cat "$WORK/err")"
    "$PY" - "$WORK/risks_$lang" $lang <<'EOF2' || fail "a run of the risks alone: monitoring.xlsx ($lang)"
import sys
import openpyxl
wb = openpyxl.load_workbook(f"{sys.argv[1]}/monitoring.xlsx")
want = ["风险", "风险矩阵"] if sys.argv[2] == "zh" else ["Risks", "Risk matrix"]
assert wb.sheetnames == want, wb.sheetnames
rk = wb[want[0]]
assert [c.value for c in rk[2]][:3] == ["政策冲突风险", 0.7, "严重" if sys.argv[2] == "zh" else "Severe"], \
    [c.value for c in rk[2]]
EOF2
done
# ... its own workbook it replaces (a later run in English), but never a workbook no monitor run left there (a
# plan's, beside its monitor_status.csv or not)
"$CIV" monitor --risks "$DEMO/risks.csv" --out "$WORK/risks_zh" --lang en >/dev/null 2>&1 || fail "risks rerun"
"$PY" -c "import openpyxl, sys; assert openpyxl.load_workbook(sys.argv[1]).sheetnames[0] == 'Risks'" \
    "$WORK/risks_zh/monitoring.xlsx" || fail "a rerun of the risks alone did not replace its own workbook"
for f in planlike planlike_status; do
    mkdir -p "$WORK/$f" && cp "$WORK/out/monitoring.xlsx" "$WORK/$f/"
done
touch "$WORK/planlike_status/monitor_status.csv"
for f in planlike planlike_status; do
    "$CIV" monitor --risks "$DEMO/risks.csv" --out "$WORK/$f" >/dev/null 2>&1 || fail "monitor --risks into $f"
    [ "$(sha256sum "$WORK/$f/monitoring.xlsx" | cut -d' ' -f1)" = "$(sha256sum "$WORK/out/monitoring.xlsx" |
        cut -d' ' -f1)" ] || fail "a run of the risks alone replaced a workbook no monitor run wrote ($f)"
done

# 4b. runs of different parts into one folder: the workbook holds the parts of both, as the folder's CSVs do
# (before 2026-12-07 the second run's sheets alone: the risks of Monday gone from the workbook after Tuesday's
# sensors, the risks gone after the month's indicators)
"$CIV" monitor --risks "$DEMO/risks.csv" --out "$WORK/parts" >/dev/null 2>&1 || fail "parts: the risks"
"$CIV" monitor --events "$DEMO/sensor_events.csv" --out "$WORK/parts" >/dev/null 2>&1 || fail "parts: the events"
"$PY" -c "import openpyxl, sys; n = openpyxl.load_workbook(sys.argv[1]).sheetnames
assert n == ['风险', '风险矩阵', '独居老人未活动'], n" "$WORK/parts/monitoring.xlsx" ||
    fail "risks then events: the workbook lacks a part"
"$CIV" monitor "$DEMO/indicators.toml" "$DEMO/monitoring.csv" --out "$WORK/parts" >/dev/null 2>&1 ||
    fail "parts: the indicators"
"$PY" -c "import openpyxl, sys; n = openpyxl.load_workbook(sys.argv[1]).sheetnames
assert n == ['本期预警', '指标状态', '风险', '风险矩阵', '独居老人未活动'], n" "$WORK/parts/monitoring.xlsx" ||
    fail "then the indicators: the workbook lacks the earlier parts"
# a file edited since its run is not the run's: its sheet is left out (as it is never removed)
printf '\n' >>"$WORK/parts/inactivity.csv"
"$CIV" monitor --risks "$DEMO/risks.csv" --out "$WORK/parts" >/dev/null 2>&1 || fail "parts: the risks again"
"$PY" -c "import openpyxl, sys; n = openpyxl.load_workbook(sys.argv[1]).sheetnames
assert n == ['本期预警', '指标状态', '风险', '风险矩阵'], n" "$WORK/parts/monitoring.xlsx" ||
    fail "an edited inactivity.csv was put in the workbook"
# 4c. the alerts read back (the risks run after the month's indicators) are the sheet of one run, row for row: the
# cleared alerts of a department indicator by indicator in the file's order, as a fresh run orders them (before
# 2026-12-07 in the status table's order, unit by unit: 市应急管理局's response_minutes of two streets before
# major_accidents of 溪东区, which the indicator file lists first)
"$CIV" monitor "$DEMO/indicators.toml" "$DEMO/monitoring.csv" --out "$WORK/one" >/dev/null 2>&1 || fail "one run"
"$PY" - "$WORK/one/monitoring.xlsx" "$WORK/parts/monitoring.xlsx" <<'EOF' || fail "read-back alerts sheet order"
import sys
import openpyxl
def rows(path):
    ws = openpyxl.load_workbook(path)["本期预警"]
    return [tuple(c.value for c in r)[:5] + (r[10].value,) for r in ws.iter_rows(min_row=2)]
one, two = rows(sys.argv[1]), rows(sys.argv[2])
assert sum(r[-1] == "预警解除" for r in one) >= 2, one
assert one == two, [(a, b) for a, b in zip(one, two) if a != b][:3]
EOF

# 5. a folder that cannot be written: an I/O error, no workbook and no temporary file left
mkdir -p "$WORK/ro"
touch "$WORK/ro/blocker"
code=0
"$CIV" monitor "$DEMO/indicators.toml" "$DEMO/monitoring.csv" --out "$WORK/ro/blocker/out" >/dev/null \
    2>"$WORK/err" || code=$?
[ "$code" -eq 3 ] || fail "an unwritable --out exited $code, not 3: $(cat "$WORK/err")"
[ "$(ls -A "$WORK/ro")" = blocker ] || fail "an unwritable --out left $(ls -A "$WORK/ro")"
[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "monitor_xlsx.sh: all checks passed"
