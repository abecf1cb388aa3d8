#!/usr/bin/env bash
# report_monitor.sh -- the monitoring report in the browser: the demo's month run as a planner runs it
# (`civicast monitor ... --names communities.csv --out DIR`, the early warning, risks and sensors), then
# `civicast report DIR` in each language opened in headless Chromium by tests/report/check_report.py in its
# monitoring mode (no console error, no network request, every chart rendered with tooltips, a tooltip on the
# departments' bars, the risk grid, Chinese headings and chart labels drawn with a CJK font, each section a
# printed A4 page), and the page naming the streets (铜锣街道（D05-S03）).  Screenshots of each section and the
# printed PDF are kept in $CIV_BINARY_DIR/tests/report_output/ (zh_monitor_*.png, en_monitor_*.png).  Skipped
# (exit 77) with the reason when chromium or python3-websocket is not installed; tests/cli/monitor_report.sh
# checks the page's text without a browser.
# usage: bash report_monitor.sh PATH_TO_CIVICAST   (env CIV_SOURCE_DIR, CIV_BINARY_DIR)
set -u
source "$(dirname "$0")/lib.sh"
cli_start "$@"
SHOTS="${CIV_BINARY_DIR:-$PWD}/tests/report_output"
DEMO="$SRC/datasets/demo_city"
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
    echo "report_monitor.sh: skipped: chromium is not installed (apt-get install chromium), so the monitoring" \
         "page cannot be opened in a browser"
    exit 77
fi
"$PY" -c "import websocket" 2>/dev/null || {
    echo "report_monitor.sh: skipped: python3-websocket is not installed for $PY (apt-get install python3-websocket)"
    exit 77
}

# 1. the month, as docs/MONITORING.md runs it, with the streets' names
"$CIV" monitor "$DEMO/indicators.toml" "$DEMO/monitoring.csv" --names "$DEMO/communities.csv" --warn 3 \
    --model naive --warn-scope district --warn-scope city --risks "$DEMO/risks.csv" \
    --events "$DEMO/sensor_events.csv" --out "$WORK/month" >"$WORK/month.out" 2>&1 ||
    fail "monitor --out: $(tail -3 "$WORK/month.out")"

# 2. both languages in the browser
mkdir -p "$SHOTS"
for lang in zh en; do
    "$CIV" report "$WORK/month" --lang "$lang" >"$WORK/stdout" 2>"$WORK/stderr" ||
        fail "report --lang $lang: $(cat "$WORK/stderr")"
    page="$WORK/month/report.html"
    nice "$PY" "$SRC/tests/report/check_report.py" "$page" "$lang" "$SHOTS" monitoring ||
        fail "browser check of the monitoring page ($lang)"
    [ "$lang" = zh ] && named="<td>铜锣街道（D05-S03）</td>" || named="<td>铜锣街道 (D05-S03)</td>"
    grep -qF "$named" "$page" || fail "the $lang monitoring page does not name D05-S03: $named"
    for f in summary monitoring; do
        [ -s "$SHOTS/${lang}_monitor_$f.png" ] || fail "no screenshot ${lang}_monitor_$f.png"
    done
    cp "$page" "$SHOTS/report_monitor_$lang.html"
done

[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "report_monitor.sh: all checks passed"
