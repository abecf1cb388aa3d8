#!/usr/bin/env bash
# monitor_report.sh -- `civicast report DIR` of a folder written by `civicast
# monitor --out DIR` alone (no allocation): the monitoring report, in Chinese
# and English (its title and summary say what it is, the period and the local
# time; the monitoring sections the folder holds; nothing of a plan), a folder
# of the risks alone, and a folder with neither an allocation nor a
# monitoring's tables refused with what a report needs (docs/REPORT.md, "A
# monitoring folder").  Before 2026-12-07 every such folder was refused:
# "allocation.csv: not found".
# usage: bash monitor_report.sh PATH_TO_CIVICAST   (env CIV_SOURCE_DIR)
set -u
source "$(dirname "$0")/lib.sh"
cli_start "$@"
DEMO="$SRC/datasets/demo_city"

# 1. the month's monitoring of the demo: indicators with early warning, risks, inactivity at UTC+5.5
"$CIV" monitor "$DEMO/indicators.toml" "$DEMO/monitoring.csv" --warn 3 --model naive --warn-scope city \
    --risks "$DEMO/risks.csv" --events "$DEMO/sensor_events.csv" --utc-offset 5.5 --out "$WORK/m" \
    >"$WORK/m.out" 2>&1 || fail "monitor --out: $(tail -3 "$WORK/m.out")"
"$CIV" report "$WORK/m" >"$WORK/stdout" 2>"$WORK/stderr" || fail "report of a monitor folder: $(cat "$WORK/stderr")"
grep -q "^report .*$WORK/m/report.html" "$WORK/stdout" || fail "report does not print the page's path"
page="$WORK/m/report.html"
for want in "<title>社区服务监测报告</title>" "这是监测报告，由 civicast monitor 写入输出目录的表生成" \
    "<tr><td>监测期</td><td class=\"n\">2024-12</td></tr>" \
    "<tr><td>指标数据</td><td class=\"n\">2023-01 至 2024-12</td></tr>" \
    "<tr><td>本次监测的当地时间</td><td class=\"n\">UTC +5.5 小时</td></tr>" \
    "<tr><td>风险</td><td class=\"n\">4 项（高 1 项）</td></tr>" "<h3>预警明细</h3>" "<h3>未达标的单位</h3>" \
    "<h3>提前预警：可能未达标的指标</h3>" "<h3>独居老人无活动预警</h3>" "<h3>风险矩阵</h3>" \
    "时间为 UTC（本次监测的当地时间 = UTC +5.5 小时）" "monitoring.xlsx 中，可用 Excel 或 WPS 打开，按“部门”筛选"; do
    grep -qF "$want" "$page" || fail "the monitoring report lacks '$want'"
done
# nothing that pretends there is a plan: no demand (its forecasts.csv is the indicators'), allocation or need
for no in 'id="demand"' 'id="allocation"' 'id="uncertainty"' 'id="need"' 'id="community-print"' 资金计划 未运行监测; do
    grep -qF "$no" "$page" && fail "the monitoring report has '$no'"
done
for chart in monitoring_departments monitoring_indicators monitoring_risk_matrix; do
    [ -s "$WORK/m/charts/$chart.vl.json" ] || fail "no chart $chart"
done
ls "$WORK/m/charts" | grep -q '^demand\|^allocation' && fail "a demand or allocation chart: $(ls "$WORK/m/charts")"
"$CIV" report "$WORK/m" --lang en >/dev/null 2>"$WORK/stderr" || fail "report --lang en: $(cat "$WORK/stderr")"
for want in "<title>Community services: the monitoring report</title>" "This is a monitoring report, made from the" \
    "<tr><td>Period</td><td class=\"n\">2024-12</td></tr>" "UTC +5.5 hours</td></tr>" "<h3>The alerts</h3>"; do
    grep -qF "$want" "$page" || fail "the English monitoring report lacks '$want'"
done

# 1b. the units' names (--names, docs/MONITORING.md "Units' names"): without them the page shows the codes and
# nothing fails (section 1); with the demo's communities.csv (unique_id D05-S03-C001, street 铜锣街道) units.csv holds
# them and the page shows 铜锣街道（D05-S03） in both languages; a month run without --names keeps them; a table of
# neither form is refused, nothing written.  Before 2026-12-07 a monitoring folder's page showed codes only.
grep -qF "<td>D05-S03</td>" "$page" || fail "without --names the report does not show the code D05-S03"
grep -qF "铜锣街道" "$page" && fail "without --names the report named a street"
"$CIV" monitor "$DEMO/indicators.toml" "$DEMO/monitoring.csv" --names "$DEMO/communities.csv" --out "$WORK/n" \
    >"$WORK/n.out" 2>&1 || fail "monitor --names: $(tail -3 "$WORK/n.out")"
grep -q "^names  *60 of 60 units (street) named by .*communities.csv$" "$WORK/n.out" ||
    fail "monitor --names does not say how many units it named: $(grep names "$WORK/n.out")"
grep -qx "street,D05-S03,铜锣街道" "$WORK/n/units.csv" || fail "units.csv lacks D05-S03's name"
"$CIV" report "$WORK/n" >/dev/null 2>"$WORK/stderr" || fail "report with names: $(cat "$WORK/stderr")"
grep -qF "<td>铜锣街道（D05-S03）</td>" "$WORK/n/report.html" || fail "the page does not name D05-S03"
"$CIV" report "$WORK/n" --lang en >/dev/null 2>"$WORK/stderr" || fail "report --lang en with names"
grep -qF "<td>铜锣街道 (D05-S03)</td>" "$WORK/n/report.html" || fail "the English page does not name D05-S03"
"$CIV" monitor "$DEMO/indicators.toml" "$DEMO/monitoring.csv" --period 2024-11 --out "$WORK/n" >/dev/null 2>&1 ||
    fail "the next run without --names"
grep -qx "street,D05-S03,铜锣街道" "$WORK/n/units.csv" || fail "a run without --names removed units.csv"
printf 'code,label\nD05-S03,铜锣街道\n' >"$WORK/bad_names.csv"
expect_exit 2 "bad_names.csv:1: the units' names need either the columns 'street' (the units' codes" -- \
    monitor "$DEMO/indicators.toml" "$DEMO/monitoring.csv" --names "$WORK/bad_names.csv" --out "$WORK/bad"
[ -e "$WORK/bad" ] && fail "a refused --names wrote $WORK/bad"
expect_exit 1 "need INDICATORS ACTUALS" -- monitor --risks "$DEMO/risks.csv" --names "$DEMO/communities.csv"

# 1c. --period of a month without an open alert (2023-01: alert_after 2 cannot have raised one): the page's period is
# the one asked, recorded in period.csv, not the data's latest (before 2026-12-07 "2024-12（指标数据的最新一期）" beside
# 预警数 0 and 本期没有未解除的预警, where 2024-12 has 33); a risks run after it reads the alerts back for monitoring.xlsx
# with 2023-01's cleared alerts (none), not 2024-12's ten
"$CIV" monitor "$DEMO/indicators.toml" "$DEMO/monitoring.csv" --period 2023-01 --out "$WORK/p" >/dev/null 2>&1 ||
    fail "monitor --period 2023-01"
[ "$(tr -d '\357\273\277\r' <"$WORK/p/period.csv")" = "$(printf 'period\n2023-01')" ] ||
    fail "period.csv: $(cat "$WORK/p/period.csv")"
"$CIV" report "$WORK/p" >/dev/null 2>&1 || fail "report of a --period folder"
grep -qF "<tr><td>监测期</td><td class=\"n\">2023-01</td></tr>" "$WORK/p/report.html" ||
    fail "the page of --period 2023-01 does not say 2023-01: $(grep -o '<td>监测期</td>[^/]*' "$WORK/p/report.html")"
"$CIV" monitor --risks "$DEMO/risks.csv" --out "$WORK/p" >/dev/null 2>&1 || fail "the risks after --period"
"$PY" -c "import openpyxl, sys; ws = openpyxl.load_workbook(sys.argv[1])['本期预警']
assert ws.max_row == 1, [[c.value for c in r] for r in ws.iter_rows(min_row=2)][:3]" "$WORK/p/monitoring.xlsx" ||
    fail "the read-back alerts sheet of --period 2023-01 lists another period's cleared alerts"

# 2. the risks alone: no period, no alerts; the risk matrix
"$CIV" monitor --risks "$DEMO/risks.csv" --out "$WORK/r" >/dev/null 2>&1 || fail "monitor --risks --out"
"$CIV" report "$WORK/r" >/dev/null 2>"$WORK/stderr" || fail "report of a risks folder: $(cat "$WORK/stderr")"
grep -qF "<tr><td>风险</td><td class=\"n\">4 项（高 1 项）</td></tr>" "$WORK/r/report.html" || fail "risks summary"
grep -qF "<td>预警数</td>" "$WORK/r/report.html" && fail "a risks folder's report counts alerts"

# 3. neither an allocation nor a monitoring's tables (the demo's inputs are not outputs): refused, nothing written
mkdir -p "$WORK/inputs" && cp "$DEMO/monitoring.csv" "$DEMO/risks.csv" "$WORK/inputs/"
expect_exit 3 "inputs: nothing to report: the folder has neither a plan's allocation (allocation.csv and \
allocation_summary.csv: run \`civicast plan\` into it) nor a monitoring's tables (alerts.csv, status.csv" -- \
    report "$WORK/inputs"
[ -e "$WORK/inputs/report.html" ] && fail "a report was written into a folder of inputs"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "monitor_report.sh: all checks passed"
