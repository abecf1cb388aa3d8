#!/usr/bin/env bash
# title_rows.sh -- rows above the header as Excel and WPS exports carry them (a title, a unit line such as
# 单位：元, empty rows; civ_table_read_options.skip_rows, docs/CLI.md "Rows above the header"): refused naming
# the count (--skip-rows N), read with --skip-rows by info, convert, forecast and allocate (CSV with a
# byte-order mark, and .xlsx), giving what the file without those rows gives; errors keep the file's lines; one
# input's own count with --X-skip-rows N (allocate, monitor, the hierarchy's --communities), which a refusal names.
# usage: bash title_rows.sh PATH_TO_CIVICAST
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cli_start "$@"
DEMO=$SRC/datasets/demo_city
fx=$SRC/tests/data/xlsx
# the demo city's communities and meals with a title and a unit line above the header, and a BOM
{ printf '\xEF\xBB\xBF2025年各社区人口统计,,\n单位：人,,\n'; cat "$DEMO/communities.csv"; } >"$WORK/comm_t.csv"
{ printf '2025年社区助餐统计\n'; cat "$DEMO/meals.csv"; } >"$WORK/meals_t.csv"
# refused without the option, naming it and the count
expect_code "title refused" 2 "$CIV" info "$WORK/meals_t.csv"
expect_err "title refused" "meals_t.csv:1:.*--skip-rows 1"
expect_code "table title refused" 2 "$CIV" convert "$WORK/comm_t.csv" "$WORK/x.csv" --table
expect_err "table title refused" "--skip-rows 2 \(Python skip_rows=2\)"
# read with it: the same panel, the same table, the same allocation as the files without those rows
expect_code "info titled" 0 "$CIV" info "$WORK/meals_t.csv" --skip-rows 1
grep -v '^file' "$WORK/out" >"$WORK/info_t"
expect_code "info plain" 0 "$CIV" info "$DEMO/meals.csv"
grep -v '^file' "$WORK/out" | cmp -s - "$WORK/info_t" || fail "info differs with --skip-rows 1"
expect_code "convert titled" 0 "$CIV" convert "$WORK/comm_t.csv" "$WORK/c_t.csv" --table --skip-rows 2
expect_code "convert plain" 0 "$CIV" convert "$DEMO/communities.csv" "$WORK/c_p.csv" --table
cmp -s "$WORK/c_t.csv" "$WORK/c_p.csv" || fail "convert --skip-rows 2 differs from the file without the rows"
expect_code "allocate titled" 0 "$CIV" allocate --spec "$DEMO/allocation.spec" --communities "$WORK/comm_t.csv" \
  --out "$WORK/a_t.csv" --no-excel --skip-rows 2
expect_code "allocate plain" 0 "$CIV" allocate --spec "$DEMO/allocation.spec" --communities "$DEMO/communities.csv" \
  --out "$WORK/a_p.csv" --no-excel
cmp -s "$WORK/a_t.csv" "$WORK/a_p.csv" || fail "allocate --skip-rows 2 differs"
# a workbook: title, unit line and an empty row above the header; its bad cell named as Excel shows it
expect_code "xlsx refused" 2 "$CIV" convert "$fx/titled.xlsx" "$WORK/x.csv" --table
expect_err "xlsx refused" "--skip-rows 3"
expect_code "xlsx titled" 0 "$CIV" convert "$fx/titled.xlsx" "$WORK/x.csv" --table --skip-rows 3
[ "$(head -1 "$WORK/x.csv")" = "社区编号,常住人口,老年人口" ] || fail "xlsx header: $(head -1 "$WORK/x.csv")"
# errors keep the file's own lines: a bad value on line 5 of the titled file (line 4 of meals.csv)
sed '5s/,[0-9]*$/,x/' "$WORK/meals_t.csv" >"$WORK/meals_bad.csv"
expect_code "bad value" 2 "$CIV" forecast "$WORK/meals_bad.csv" --skip-rows 1 --model naive --h 1 --out "$WORK/f.csv"
expect_err "bad value" "meals_bad.csv:5:"
# per input (--X-skip-rows N, over --skip-rows): the office's communities with a title, last year's allocation as
# civicast wrote it (no title); --skip-rows 2 alone breaks last year's file, the per-input forms read both, and the
# allocation is the one of the files without the rows (last-year cells blank, taken from the file)
/usr/bin/python3 - "$DEMO/communities.csv" "$WORK/comm_b.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig")))
for c in ("last_year_funding", "last_year_migrant"):
    i = rows[0].index(c)
    for r in rows[1:]:
        r[i] = ""
csv.writer(open(sys.argv[2], "w", newline="", encoding="utf-8")).writerows(rows)
PY
{ printf '2025年各社区人口统计,,\n单位：人,,\n'; cat "$WORK/comm_b.csv"; } >"$WORK/comm_bt.csv"
ly=(--spec "$DEMO/allocation.spec" --last-year "$WORK/a_p.csv" --no-excel)
expect_code "skip every input" 2 "$CIV" allocate "${ly[@]}" --communities "$WORK/comm_bt.csv" --skip-rows 2 \
  --out "$WORK/l0.csv"
expect_err "skip every input" "a_p.csv:3:"
expect_code "communities-skip-rows" 0 "$CIV" allocate "${ly[@]}" --communities "$WORK/comm_bt.csv" \
  --communities-skip-rows 2 --out "$WORK/l1.csv"
expect_code "last-year-skip-rows 0" 0 "$CIV" allocate "${ly[@]}" --communities "$WORK/comm_bt.csv" --skip-rows 2 \
  --last-year-skip-rows 0 --out "$WORK/l2.csv"
expect_code "per-input plain" 0 "$CIV" allocate "${ly[@]}" --communities "$WORK/comm_b.csv" --out "$WORK/l3.csv"
cmp -s "$WORK/l1.csv" "$WORK/l3.csv" || fail "--communities-skip-rows 2 differs from the file without the rows"
cmp -s "$WORK/l2.csv" "$WORK/l3.csv" || fail "--skip-rows 2 --last-year-skip-rows 0 differs"
# monitor: a titled risk register beside plain sensor events
{ printf '风险登记表\n'; cat "$DEMO/risks.csv"; } >"$WORK/risks_t.csv"
expect_code "monitor per input" 0 "$CIV" monitor --risks "$WORK/risks_t.csv" --events "$DEMO/sensor_events.csv" \
  --risks-skip-rows 1
grep -v '^risks ' "$WORK/out" >"$WORK/m1"
expect_code "monitor plain" 0 "$CIV" monitor --risks "$DEMO/risks.csv" --events "$DEMO/sensor_events.csv"
grep -v '^risks ' "$WORK/out" | cmp -s - "$WORK/m1" || fail "monitor --risks-skip-rows 1 differs"
expect_code "skip rows of no input" 1 "$CIV" monitor --events "$DEMO/sensor_events.csv" --risks-skip-rows 1
expect_err "skip rows of no input" "give --risks FILE too"
{ printf '2025年社区名单\n'; cat "$DEMO/communities.csv"; } >"$WORK/names_t.csv"
mon=("$DEMO/indicators.toml" "$DEMO/monitoring.csv")
expect_code "names own cure" 2 "$CIV" monitor "${mon[@]}" --names "$WORK/names_t.csv"
expect_err "names own cure" "with --names-skip-rows 1"
expect_code "names titled" 0 "$CIV" monitor "${mon[@]}" --names "$WORK/names_t.csv" --names-skip-rows 1
grep -q '^names .*60 of 60 units' "$WORK/out" || fail "monitor --names-skip-rows 1: $(grep '^names' "$WORK/out")"
sed '4s/鼓角街道/鼓楼街道/' "$WORK/names_t.csv" >"$WORK/names_2.csv" # D01-S01 named two ways: the file's own lines
expect_code "names twice" 2 "$CIV" monitor "${mon[@]}" --names "$WORK/names_2.csv" --names-skip-rows 1
expect_err "names twice" "names_2.csv:4: .*'鼓楼街道' here and '鼓角街道' at line 3"
expect_code "bad per-input count" 1 "$CIV" allocate "${ly[@]}" --communities "$WORK/comm_bt.csv" \
  --communities-skip-rows x --out "$WORK/l4.csv"
expect_err "bad per-input count" "--communities-skip-rows must be a whole number"
# a refusal names the input's own option where the command has one: --skip-rows would skip every input's rows
expect_code "own cure" 2 "$CIV" allocate "${ly[@]}" --communities "$WORK/comm_bt.csv" --out "$WORK/l5.csv"
expect_err "own cure" 'comm_bt.csv:3:1: .*with --communities-skip-rows 2 \(Python skip_rows=\{"communities": 2\}\)'
{ printf '2024年分配结果\n'; cat "$WORK/a_p.csv"; } >"$WORK/a_pt.csv"
expect_code "own cure, last year" 2 "$CIV" allocate --spec "$DEMO/allocation.spec" --last-year "$WORK/a_pt.csv" \
  --communities "$WORK/comm_b.csv" --no-excel --out "$WORK/l6.csv"
expect_err "own cure, last year" 'with --last-year-skip-rows 1 \(Python skip_rows=\{"last_year": 1\}\)'
# the hierarchy's communities: --communities-skip-rows in forecast, backtest, convert and reconcile
P=$SRC/tests/data/plan
{ printf '2025年社区名单\n单位：人\n'; cat "$P/communities.csv"; } >"$WORK/pc_t.csv"
hz=(--hierarchy district --h 3 --model naive)
expect_code "hierarchy titled" 0 "$CIV" forecast "$P/meals.csv" "${hz[@]}" --communities "$WORK/pc_t.csv" \
  --communities-skip-rows 2 --out "$WORK/h1.csv"
expect_code "hierarchy plain" 0 "$CIV" forecast "$P/meals.csv" "${hz[@]}" --communities "$P/communities.csv" \
  --out "$WORK/h2.csv"
cmp -s "$WORK/h1.csv" "$WORK/h2.csv" || fail "forecast --hierarchy --communities-skip-rows 2 differs"
expect_code "hierarchy own cure" 2 "$CIV" convert "$P/meals.csv" "$WORK/n.csv" --hierarchy district \
  --communities "$WORK/pc_t.csv"
expect_err "hierarchy own cure" "pc_t.csv:3:1: .*with --communities-skip-rows 2"
expect_code "backtest titled" 0 "$CIV" backtest "$P/meals.csv" "${hz[@]}" --windows 1 --communities "$WORK/pc_t.csv" \
  --communities-skip-rows 2 --out "$WORK/b1.csv"
# a plan: each input its own key ([plan] communities_skip_rows); without it the refusal names the key, not
# --skip-rows (which plan does not take)
mkdir -p "$WORK/pl" && cp "$SRC/tests/data/plan/"* "$WORK/pl/"
{ printf '2025年各社区人口统计,,\n单位：人,,\n'; cat "$SRC/tests/data/plan/communities.csv"; } >"$WORK/pl/communities.csv"
expect_code "plan without the key" 2 "$CIV" plan "$WORK/pl/plan.toml" --out "$WORK/pl/o1"
expect_err "plan without the key" "communities.csv:3:1: .*with \[plan\] communities_skip_rows = 2, or delete"
sed -i 's/^spec = "plan.spec"/spec = "plan.spec"\ncommunities_skip_rows = 2/' "$WORK/pl/plan.toml"
expect_code "plan with the key" 0 "$CIV" plan "$WORK/pl/plan.toml" --out "$WORK/pl/o2"
expect_code "plan plain" 0 "$CIV" plan "$SRC/tests/data/plan/plan.toml" --out "$WORK/pl/o3"
cmp -s "$WORK/pl/o2/allocation.csv" "$WORK/pl/o3/allocation.csv" || fail "plan communities_skip_rows = 2 differs"
# usage errors
expect_code "negative" 1 "$CIV" info "$WORK/meals_t.csv" --skip-rows -1
expect_err "negative" "--skip-rows must be a whole number"
expect_code "too many" 2 "$CIV" info "$WORK/meals_t.csv" --skip-rows 100000
expect_err "too many" "fewer than the 100000 to skip"
[ "$failures" -eq 0 ] || { echo "title_rows.sh: $failures failure(s)" >&2; exit 1; }
echo "title_rows.sh: ok"
