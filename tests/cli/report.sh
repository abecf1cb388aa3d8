#!/usr/bin/env bash
# report.sh -- the plan report (docs/REPORT.md): `civicast plan` writes
# report.html and the chart specs; `civicast report OUTDIR --lang zh|en`
# rebuilds it; each language's page is opened in headless Chromium by
# tests/report/check_report.py (no console error, no network request, every
# chart rendered with tooltips, the community table searchable, Chinese glyphs
# drawn with a CJK font, A4 print with a page per section); the plan runs in
# English, and tests/report/english_left.py finds no English phrase on its
# Chinese page (explanations, monitoring words, headers).  Screenshots of
# each section and the first printed pages are kept in
# $CIV_BINARY_DIR/tests/report_output/.  Bad usage gives the documented exit codes.
# usage: bash report.sh PATH_TO_CIVICAST   (env CIV_SOURCE_DIR, CIV_BINARY_DIR)
set -u
source "$(dirname "$0")/lib.sh"
cli_start "$@"
SHOTS="${CIV_BINARY_DIR:-$PWD}/tests/report_output"

# 1. the demo city with quick forecasts (seasonal naive) and a short Monte Carlo
# (exit 6: a few short series cannot be forecast; they count as 0 demand, as in `make demo`)
"$CIV" plan "$SRC/datasets/demo_city/plan.toml" --out "$WORK/out" --model snaive --draws 100 --lang en \
    >"$WORK/stdout" 2>"$WORK/stderr"
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 6 ] || fail "plan exited $rc: $(cat "$WORK/stderr")"
grep -q "^report .*$WORK/out/report.html" "$WORK/stdout" || fail "plan does not print the report's path"
for f in report.html allocation_waterfall.csv allocation_stages.csv charts/allocation_districts.vl.json \
    charts/demand_city.vl.json charts/allocation_lorenz.vl.json charts/allocation_waterfall.vl.json; do
    [ -s "$WORK/out/$f" ] || fail "plan did not write $f"
done
# the specs are plain JSON that Vega-Lite reads: schema, data inline
for spec in "$WORK"/out/charts/*.vl.json; do
    $PY -c 'import json,sys; s=json.load(open(sys.argv[1])); assert "vega-lite" in s["$schema"] and "data" in json.dumps(s)' \
        "$spec" || fail "$spec is not a Vega-Lite spec with its data"
done
# self-contained: no script or style from elsewhere
grep -Eq '<(script|link)[^>]+(src|href)=' "$WORK/out/report.html" && fail "report.html loads a file from elsewhere"
grep -q '<html lang="en">' "$WORK/out/report.html" || fail "--lang en did not give an English page"

# 2. both languages in the browser
mkdir -p "$SHOTS"
for lang in zh en; do
    "$CIV" report "$WORK/out" --lang "$lang" >"$WORK/stdout" 2>"$WORK/stderr" || fail "report --lang $lang: $(cat "$WORK/stderr")"
    grep -q "report .*report.html" "$WORK/stdout" || fail "report does not print the path"
    nice $PY "$SRC/tests/report/check_report.py" "$WORK/out/report.html" "$lang" "$SHOTS" || fail "browser check ($lang)"
    # the plan ran in English: the Chinese page translates what it wrote (explanations,
    # monitoring words, table headers) and keeps no English phrase of its sections
    if [ "$lang" = zh ]; then
        $PY "$SRC/tests/report/english_left.py" "$WORK/out/report.html" "$SRC" >&2 ||
            fail "English left on the Chinese page of a plan run in English"
    fi
    cp "$WORK/out/report.html" "$SHOTS/report_$lang.html"
done
grep -q '亿元\|万元' "$SHOTS/report_zh.html" || fail "the Chinese page does not write money in 亿元/万元"
grep -q 'CNY [0-9.]* million' "$SHOTS/report_en.html" || fail "the English page does not write money as CNY ... million"

# 3. errors
"$CIV" report "$WORK/nothing-here" >"$WORK/stdout" 2>"$WORK/stderr"
rc=$?
[ $rc -eq 3 ] || fail "report of a missing folder exited $rc, expected 3"
grep -q "allocation.csv.*civicast plan" "$WORK/stderr" || fail "missing-folder message: $(cat "$WORK/stderr")"
"$CIV" report "$WORK/out" --lang fr >/dev/null 2>"$WORK/stderr"
[ $? -eq 1 ] || fail "--lang fr should be a usage error"
mkdir -p "$WORK/bad" && printf 'unique_id,x\nA,1\n' >"$WORK/bad/allocation.csv" && cp "$WORK/out/allocation_summary.csv" "$WORK/bad/"
"$CIV" report "$WORK/bad" >/dev/null 2>"$WORK/stderr"
rc=$?
[ $rc -eq 2 ] || fail "a table without its columns exited $rc, expected 2"
grep -q "allocation.csv.*district" "$WORK/stderr" || fail "missing-column message: $(cat "$WORK/stderr")"
[ ! -e "$WORK/bad/report.html" ] || fail "a failed report left a report.html"
# a malformed optional table is named, with its line, even when the summary is in the
# older layout without a 'unit' column (whose probing used to overwrite the message)
cp -r "$WORK/out" "$WORK/bad2"
$PY -c 'import pandas as pd, sys; p = sys.argv[1]; pd.read_csv(p).drop(columns=["unit"]).to_csv(p, index=False)' \
    "$WORK/bad2/allocation_summary.csv" || fail "could not rewrite the summary"
printf 'unique_id,model\nx,"y\n' >"$WORK/bad2/forecast_report.csv"
"$CIV" report "$WORK/bad2" >/dev/null 2>"$WORK/stderr"
rc=$?
[ $rc -ne 0 ] || fail "a malformed forecast_report.csv gave exit 0"
grep -q "forecast_report.csv:2:.*unterminated" "$WORK/stderr" || fail "malformed-table message: $(cat "$WORK/stderr")"

# a folder assembled by hand, without manifest.json, of an allocation in USD (amount_minor, amount_major): read
# as CNY (万元, hundredths) with exit 0 before 2026-12-06; now refused, and read as USD with --currency USD
mkdir -p "$WORK/usd"
sed 's/^currency = "CNY"/currency = "USD"/' "$SRC/datasets/demo_city/allocation.spec" >"$WORK/usd.spec"
"$CIV" allocate --spec "$WORK/usd.spec" --communities "$SRC/datasets/demo_city/communities.csv" \
    --out "$WORK/usd/allocation.csv" --summary "$WORK/usd/allocation_summary.csv" >/dev/null 2>"$WORK/stderr" ||
    fail "allocate in USD: $(cat "$WORK/stderr")"
"$CIV" report "$WORK/usd" >/dev/null 2>"$WORK/stderr"
rc=$?
[ $rc -eq 2 ] || fail "a USD folder without manifest.json exited $rc, expected 2"
grep -q "usd/allocation.csv: the allocation.csv amounts are in the minor and major units of a currency other than \
CNY's fen and yuan (column 'amount_minor'), and nothing in the folder says which.*--currency USD" "$WORK/stderr" ||
    fail "USD folder message: $(cat "$WORK/stderr")"
[ ! -e "$WORK/usd/report.html" ] || fail "a refused report left a report.html"
"$CIV" report "$WORK/usd" --currency USD >/dev/null 2>"$WORK/stderr" ||
    fail "report --currency USD: $(cat "$WORK/stderr")"
grep -q "16,600.0 万美元" "$WORK/usd/report.html" || fail "the USD page does not say 16,600.0 万美元"
! grep -q "万元" "$WORK/usd/report.html" || fail "the USD page still says 万元"
"$CIV" report "$WORK/usd" --currency USD --minor-unit 1000 >/dev/null 2>"$WORK/stderr"
[ $? -eq 2 ] || fail "--minor-unit 1000 against cents was not refused"
grep -q "say 100 minor units per USD" "$WORK/stderr" || fail "minor unit message: $(cat "$WORK/stderr")"

if [ "$failures" -ne 0 ]; then
    echo "report.sh: $failures failure(s)" >&2
    exit 1
fi
echo "report.sh: ok (screenshots in $SHOTS)"
