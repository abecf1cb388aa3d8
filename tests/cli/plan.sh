#!/usr/bin/env bash
# plan.sh -- `civicast plan` and `civicast need`: the tiny plan of
# tests/data/plan (six communities, seasonal-naive forecasts, so next year's
# demand is last year's meals, which the test recomputes from the panel) writes
# every output; amounts add up to the budget less reserves exactly; the need is
# the indexed standard times the yearly forecast demand, rounded half away from
# zero per community; the Monte Carlo columns are ordered and identical on 1
# and 2 threads; [backtest] writes backtest.csv and backtest_accuracy.csv (as
# `civicast backtest` would) and a plan without it neither; `civicast need`
# gives the plan's need; the demo city runs
# end to end; bad configs and usage give the documented exit codes.
# usage: bash plan.sh PATH_TO_CIVICAST   (env CIV_SOURCE_DIR)
set -u
source "$(dirname "$0")/lib.sh"
cli_start "$@"
DATA="$SRC/tests/data/plan"
DEMO="$SRC/datasets/demo_city"

# 1. the tiny plan, on 2 threads and on 1
"$CIV" plan "$DATA/plan.toml" --out "$WORK/t2" --threads 2 >"$WORK/stdout" 2>"$WORK/stderr" ||
    fail "tiny plan failed: $(cat "$WORK/stderr")"
for word in "forecast " "allocated " "binding" "uncertainty " "need " "2026" "wrote"; do
    grep -q "$word" "$WORK/stdout" || fail "plan summary lacks '$word'"
done
for f in forecasts.csv forecast_report.csv allocation.csv allocation_summary.csv need.csv need_summary.csv \
    uncertainty.csv; do
    [ -s "$WORK/t2/$f" ] || fail "plan did not write $f"
done
ls "$WORK/t2" | grep '\.tmp' >/dev/null && fail "temporary files left in the output folder"
for f in backtest.csv backtest_accuracy.csv backtest_failures.csv; do # no [backtest] section: no backtest
    [ -e "$WORK/t2/$f" ] && fail "a plan without [backtest] wrote $f"
done
grep -q "^backtest " "$WORK/stdout" && fail "a plan without [backtest] prints a backtest line"
# which forecasts the factor summed (this fixture's spec keeps horizon = 12, written before period existed)
grep -q '^demand  *meal_demand: forecast steps h = 1..12 (2025-01..2025-12) whatever their dates (period = "horizon"; fiscal year 2026)$' \
    "$WORK/stdout" || fail "plan summary lacks the demand window: $(grep -A1 '^equity' "$WORK/stdout")"
"$CIV" plan "$DATA/plan.toml" --out "$WORK/t1" --threads 1 >/dev/null 2>"$WORK/stderr" ||
    fail "tiny plan on 1 thread failed: $(cat "$WORK/stderr")"
for f in forecasts.csv allocation.csv uncertainty.csv need.csv; do
    cmp -s "$WORK/t1/$f" "$WORK/t2/$f" || fail "$f differs between 1 and 2 threads"
done
$PY - "$WORK/t2" "$DATA/meals.csv" <<'PYEOF' || fail "tiny plan checks"
import sys
from decimal import Decimal, ROUND_HALF_UP
import pandas as pd
out, meals = sys.argv[1], sys.argv[2]
a = pd.read_csv(f"{out}/allocation.csv")
assert len(a) == 6
assert a["amount_fen"].sum() == 11_400_000, a["amount_fen"].sum()          # 120,000.00 less 5%
assert (a["p5_fen"] <= a["p50_fen"]).all() and (a["p50_fen"] <= a["p95_fen"]).all()
u = pd.read_csv(f"{out}/uncertainty.csv")
tot = u[u.scope == "total"].iloc[0]
assert tot.p5_fen == tot.p95_fen == tot.amount_fen == 11_400_000
# seasonal naive: the 2025 forecast of each month is the 2024 value
m = pd.read_csv(meals)
last = m[m.ds.str.startswith("2024")].groupby("unique_id").y.sum()
n = pd.read_csv(f"{out}/need.csv")
n25 = n[n.year == 2025].set_index("unique_id")
assert (n25.demand - last).abs().max() < 1e-9, (n25.demand, last)
assert (n25.standard_fen == 800).all() and (n[n.year == 2026].standard_fen == 880).all()
for _, r in n.iterrows():   # half away from zero, per community
    want = int((Decimal(repr(r.demand)) * int(r.standard_fen)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert r.need_fen == want, (r, want)
y = pd.read_csv(f"{out}/need_summary.csv")
for yr in (2025, 2026):
    assert y[y.year == yr].need_fen.iloc[0] == n[n.year == yr].need_fen.sum()
assert y[y.scope == "total"].need_fen.iloc[0] == n.need_fen.sum()
# the meal_demand factor is the sum of the 12 forecast means (snaive: 2024's meals)
assert (a.set_index("unique_id")["factor_meal_demand_fen"] > 0).all()
PYEOF

# 1a. forecast_totals.csv: the city's and each district's total. By default (method "bu") the district
# hierarchy's bottom-up sample paths: the means the sums of the communities' (6 significant digits), the bands in
# order, the same on 1 and 2 threads, the summary line and manifest say so, the report says what the band is.
# With --totals sum the sums of the communities' means and bounds; the report draws the city's and the
# districts' bands from the table (an edited value shows in the chart) and says what they are; a folder without
# it draws the sums as before
[ -s "$WORK/t2/forecast_totals.csv" ] || fail "plan did not write forecast_totals.csv"
grep -q "forecast_totals.csv" "$WORK/stdout" || fail "the wrote line does not list forecast_totals.csv"
cmp -s "$WORK/t1/forecast_totals.csv" "$WORK/t2/forecast_totals.csv" ||
    fail "forecast_totals.csv differs between 1 and 2 threads"
grep -q "^totals  *city and districts: bottom-up sample paths of the district hierarchy (conformal base intervals)" \
    "$WORK/stdout" || fail "no bottom-up totals line: $(grep '^totals' "$WORK/stdout")"
grep -q '"totals": "bu"' "$WORK/t2/manifest.json" && grep -q '"totals_method": "bu", "totals_note": ""' \
    "$WORK/t2/manifest.json" || fail "manifest.json does not say how the totals were made"
grep -q "按各社区历史预测误差的相关性同时抽取" "$WORK/t2/report.html" || fail "the report does not say what the bu band is"
cat >"$WORK/totals_check.py" <<'PYEOF'
import sys
import pandas as pd
out, comm, method = sys.argv[1:4]
f = pd.read_csv(f"{out}/forecasts.csv").merge(pd.read_csv(comm)[["unique_id", "district"]], on="unique_id")
t = pd.read_csv(f"{out}/forecast_totals.csv", encoding="utf-8-sig")
assert list(t.columns) == ["level", "unique_id", "ds", "h", "method", "mean", "lo-80", "hi-80", "lo-95", "hi-95"]
assert list(t.drop_duplicates("unique_id").unique_id) == ["total", "East", "West"] and (t.method == method).all()
cols = ["mean", "lo-80", "hi-80", "lo-95", "hi-95"] if method == "sum" else ["mean"]
for uid, part in [("total", f)] + list(f.groupby("district")):
    want = part.groupby("h")[cols].sum()
    got = t[t.unique_id == uid].set_index("h")[cols]
    assert ((got - want).abs() <= 1e-5 * want.abs()).all().all(), (uid, got, want)  # 6 significant digits
assert ((t["lo-95"] <= t["lo-80"]) & (t["lo-80"] < t["mean"]) & (t["mean"] < t["hi-80"]) &
        (t["hi-80"] <= t["hi-95"])).all()
PYEOF
$PY "$WORK/totals_check.py" "$WORK/t2" "$DATA/communities.csv" bu || fail "forecast_totals.csv checks (bu)"
"$CIV" plan "$DATA/plan.toml" --out "$WORK/t3" --totals sum >"$WORK/stdout3" 2>"$WORK/stderr" ||
    fail "plan --totals sum: $(cat "$WORK/stderr")"
grep -q '^totals  *city and districts: the communities. bounds added up (\[forecast\] totals = "sum")' \
    "$WORK/stdout3" || fail "no summed totals line: $(grep '^totals' "$WORK/stdout3")"
$PY "$WORK/totals_check.py" "$WORK/t3" "$DATA/communities.csv" sum || fail "forecast_totals.csv checks (sum)"
"$CIV" plan "$DATA/plan.toml" --out "$WORK/t4" --totals mint >/dev/null 2>"$WORK/stderr" &&
    fail "plan --totals mint was accepted"
grep -q "totals must be bu or sum, not 'mint'" "$WORK/stderr" || fail "--totals mint: $(cat "$WORK/stderr")"
cp -r "$WORK/t3" "$WORK/tot"
$PY - "$WORK/tot/forecast_totals.csv" <<'PYEOF'
import sys
import pandas as pd
t = pd.read_csv(sys.argv[1], encoding="utf-8-sig")
t.loc[(t.unique_id == "total") & (t.h == 1), "lo-80"] = 1234.5   # a value no sum of the forecasts gives
t.loc[(t.unique_id == "West") & (t.h == 1), "hi-95"] = 98765.4
t.to_csv(sys.argv[1], index=False)
PYEOF
"$CIV" report "$WORK/tot" >/dev/null 2>"$WORK/stderr" || fail "report from forecast_totals.csv: $(cat "$WORK/stderr")"
grep -q '"lo80":1234.5' "$WORK/tot/charts/demand_city.vl.json" ||
    fail "the city band is not forecast_totals.csv's: $(head -c 400 "$WORK/tot/charts/demand_city.vl.json")"
grep -q '"hi95":98765.4' "$WORK/tot/charts/demand_districts.vl.json" ||
    fail "the district band is not forecast_totals.csv's"
grep -q "相当于假定所有社区同时偏向同一侧" "$WORK/tot/report.html" || fail "the report does not say what the band is"
grep -q "比合计真实的区间更宽（偏保守）" "$WORK/tot/report.html" && fail "the report keeps the old sentence"
$PY - "$WORK/tot/forecast_totals.csv" <<'PYEOF'   # a district the table lacks (named as a number, say): summed
import sys
import pandas as pd
t = pd.read_csv(sys.argv[1], encoding="utf-8-sig")
t[t.unique_id != "West"].to_csv(sys.argv[1], index=False)
PYEOF
"$CIV" report "$WORK/tot" >/dev/null 2>"$WORK/stderr" || fail "report, a district left out: $(cat "$WORK/stderr")"
$PY - "$WORK/tot" <<'PYEOF' || fail "a district missing from forecast_totals.csv lost its band"
import json, sys
import pandas as pd
rows = [r for r in json.load(open(f"{sys.argv[1]}/charts/demand_districts.vl.json"))["data"]["values"] if "lo80" in r]
west = [r for r in rows if r.get("district") == "West"]
f = pd.read_csv(f"{sys.argv[1]}/forecasts.csv", encoding="utf-8-sig")
want = f[f.unique_id.isin(["P04", "P05", "P06"])].groupby("h")["lo-80"].sum()
assert len(west) == len(want) and abs(west[0]["lo80"] - want.loc[1]) < 0.1, (west[:1], want.head(1))
PYEOF
rm "$WORK/tot/forecast_totals.csv"
"$CIV" report "$WORK/tot" >/dev/null 2>"$WORK/stderr" ||
    fail "report without forecast_totals.csv: $(cat "$WORK/stderr")"
grep -q '"lo80":1234.5' "$WORK/tot/charts/demand_city.vl.json" &&
    fail "a folder without forecast_totals.csv kept its band"
grep -q "比合计真实的区间更宽（偏保守）" "$WORK/tot/report.html" || fail "an older folder lost the old sentence"

# 1b. [backtest]: the tiny plan's forecasts re-run from 2 earlier cutoffs
# (seasonal naive and naive, 6 months ahead): backtest.csv in the layout of
# `civicast backtest`, the accuracy per model, the summary line, the manifest
{ sed -e "s#\"meals.csv\"#\"$DATA/meals.csv\"#; s#\"communities.csv\"#\"$DATA/communities.csv\"#" \
    -e "s#\"plan.spec\"#\"$DATA/plan.spec\"#" "$DATA/plan.toml"
  printf '\n[backtest]\nwindows = 2\nstep = 3\nh = 6\nmodels = ["snaive", "naive"]\n'; } >"$WORK/bt.toml"
"$CIV" plan "$WORK/bt.toml" --out "$WORK/bt" --draws 0 >"$WORK/stdout" 2>"$WORK/stderr" ||
    fail "plan with [backtest] failed: $(cat "$WORK/stderr")"
grep -Eq "^backtest +2 models x 2 windows \(step 3, h = 6\), .* s; SeasonalNaive MASE [0-9.]+, coverage-80 [0-9.]+%, "\
"coverage-95 [0-9.]+%$" \
    "$WORK/stdout" || fail "plan summary lacks the backtest line: $(cat "$WORK/stdout")"
grep -q "could not be made" "$WORK/stdout" && fail "no window failed, yet the summary says some could not be made"
grep -q "backtest.csv, backtest_accuracy.csv, backtest_failures.csv" "$WORK/stdout" ||
    fail "the wrote line lacks the backtest files"
# windows that could not be made are said in words, not as a bare "36 windows failed" that alarms a budget
# officer: 11 cutoffs 3 months apart reach back before the series (36 months) start, and the seasonal naive needs
# more than a year
sed 's/^windows = 2$/windows = 11/' "$WORK/bt.toml" >"$WORK/bt11.toml"
"$CIV" plan "$WORK/bt11.toml" --out "$WORK/bt11" --draws 0 >"$WORK/stdout11" 2>"$WORK/stderr" ||
    fail "plan with 11 backtest windows failed: $(cat "$WORK/stderr")"
grep -q "^ *36 of 132 test forecasts from earlier cutoffs could not be made: 12 for communities with no data yet at \
the cutoff, 24 for communities with only 3-12 values by then, too few for the model;$" "$WORK/stdout11" ||
    fail "the summary does not say why backtest windows failed: $(grep -A2 '^backtest' "$WORK/stdout11")"
grep -q "windows failed" "$WORK/stdout11" && fail "the summary still says 'windows failed'"
grep -q '"backtest_failed": 36, "backtest_no_data": 12, "backtest_too_short": 24' "$WORK/bt11/manifest.json" ||
    fail "manifest.json lacks why the backtest windows failed"
# the report gives the same reasons and counts from backtest_failures.csv, which the plan writes by the same rule
# (before, it guessed them from history.csv, which holds only the latest periods: "... 个在 history.csv 中查不到截止期前
# 的记录", and "0 个是..." for a reason that counted none)
grep -q "较早截止期的 132 次测试预测中有 36 次无法做出：12 次是截止期前还没有任何数据的社区（当时尚未开始统计，无从预测）；24 次\
是当时只有 3–12 期数据的社区，不够该模型拟合。" "$WORK/bt11/report.html" ||
    fail "the report does not give the summary's reasons for the failed windows"
grep -q "history.csv 中查不到" "$WORK/bt11/report.html" && fail "the report guesses the reasons from history.csv"
$PY - "$WORK/bt11" <<'PY2' || fail "backtest_failures.csv checks"
import sys
import pandas as pd
f = pd.read_csv(f"{sys.argv[1]}/backtest_failures.csv", encoding="utf-8-sig")
assert list(f.columns) == ["unique_id", "model", "cutoff", "status", "message", "reason", "values"], list(f.columns)
assert len(f) == 36 and f.reason.value_counts().to_dict() == {"too_short": 24, "no_data": 12}, f.reason.value_counts()
assert (f[f.reason == "no_data"]["values"] == 0).all() and f[f.reason == "too_short"]["values"].between(3, 12).all()
PY2
"$CIV" backtest "$DATA/meals.csv" --model snaive,naive --h 6 --windows 2 --step 3 --out "$WORK/cv.csv" \
    --accuracy "$WORK/acc.csv" --quiet || fail "civicast backtest failed"
$PY - "$WORK/bt" "$WORK/cv.csv" "$WORK/acc.csv" <<'PYEOF' || fail "plan backtest checks"
import json, sys
import pandas as pd
out, cv_file, acc_file = sys.argv[1:]
cv = pd.read_csv(f"{out}/backtest.csv", encoding="utf-8-sig")
acc = pd.read_csv(f"{out}/backtest_accuracy.csv", encoding="utf-8-sig")
assert list(cv.columns) == ["unique_id", "cutoff", "ds", "h", "y", "model", "mean", "lo-80", "hi-80", "lo-95",
                            "hi-95"], list(cv.columns)
assert len(cv) == 6 * 2 * 2 * 6 and sorted(set(cv.cutoff)) == ["2024-03", "2024-06"]
assert list(acc.columns[:11]) == ["model", "windows", "failed", "n", "MAE", "RMSE", "MAPE", "sMAPE", "MASE",
                                  "RMSSE", "bias"], list(acc.columns)
for c in ("coverage-80", "score-80", "MSIS-80", "coverage-95", "score-95", "MSIS-95"):
    assert c in acc.columns, c
assert list(acc.model) == ["SeasonalNaive", "Naive"] and (acc.windows == 12).all() and (acc.failed == 0).all()
# the plan's stage is `civicast backtest` on the same panel (people's rounding aside)
ref_cv, ref_acc = pd.read_csv(cv_file, encoding="utf-8-sig"), pd.read_csv(acc_file, encoding="utf-8-sig")
assert list(ref_cv.columns) == list(cv.columns) and len(ref_cv) == len(cv)
pd.testing.assert_frame_equal(ref_acc, acc, rtol=1e-5)
m = json.load(open(f"{out}/manifest.json"))
names = {f["name"] for f in m["files"]}
assert {"backtest.csv", "backtest_accuracy.csv", "backtest_failures.csv"} <= names, names
assert m["options"]["backtest"] == {"models": ["snaive", "naive"], "windows": 2, "step": 3, "h": 6}
assert any(s["stage"] == "backtest" for s in m["stages"])
PYEOF
grep -q "回测了什么：6 个序列各从 2 个较早的截止期（最早 2024-03，最晚 2024-06）起重新预测，每次预测 6 期" "$WORK/bt/report.html" ||
    fail "the report does not say what was backtested"
grep -q "未运行回测" "$WORK/bt/report.html" && fail "the report says the backtest did not run"
grep -q "未运行回测" "$WORK/t2/report.html" || fail "without [backtest] the report should say it did not run"
sed 's/^windows = 2$/windows = 0/' "$WORK/bt.toml" >"$WORK/bt_bad.toml"
expect_exit 4 "bt_bad.toml:.*\[backtest\] windows: must be a whole number" -- plan "$WORK/bt_bad.toml" --out "$WORK/x"

# 2. `civicast need` alone gives the plan's need (the plan's folder is for
# people: a BOM and 6 significant digits, so `need` is asked for the same)
"$CIV" need --spec "$DATA/plan.spec" --forecasts "$WORK/t2/forecasts.csv" --out "$WORK/need.csv" \
    --summary "$WORK/need_y.csv" --excel --precision 6 >"$WORK/stdout" 2>"$WORK/stderr" ||
    fail "need failed: $(cat "$WORK/stderr")"
cmp -s "$WORK/need.csv" "$WORK/t2/need.csv" || fail "civicast need differs from the plan's need.csv"
cmp -s "$WORK/need_y.csv" "$WORK/t2/need_summary.csv" || fail "civicast need summary differs"
grep -q "2026" "$WORK/stdout" || fail "need prints no years"
# the need's unit is the spec's currency, as plan prints it (was "need (yuan)", and "need (major)" for USD)
grep -q "need (CNY)" "$WORK/stdout" || fail "need does not name the spec's currency: $(head -1 "$WORK/stdout")"
sed 's/^\[budget\]$/[budget]\ncurrency = "USD"/' "$DATA/plan.spec" >"$WORK/plan_usd.spec"
"$CIV" need --spec "$WORK/plan_usd.spec" --forecasts "$WORK/t2/forecasts.csv" --out "$WORK/need_usd.csv" \
    >"$WORK/stdout" 2>"$WORK/stderr" || fail "need in USD failed: $(cat "$WORK/stderr")"
grep -q "need (USD)" "$WORK/stdout" || fail "need in USD does not say USD: $(head -1 "$WORK/stdout")"
# demand estimates kept in a sheet saved by Excel (GB18030, "1,234.5"): the same need as from the
# plain file with --encoding gb18030 --thousands ","; without --thousands the error names the option
$PY - "$WORK/t2/forecasts.csv" "$WORK/fc_plain.csv" "$WORK/fc_sheet.csv" <<'PYEOF' || fail "forecasts as a sheet"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8-sig")))
mean = rows[0].index("mean")
plain = [rows[0][:mean + 1]] + [r[:mean] + [f"{float(r[mean]) * 10:.1f}"] for r in rows[1:]]  # a larger service
csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\n").writerows(plain)
sheet = [plain[0]] + [r[:mean] + [f"{float(r[mean]):,.1f}"] for r in plain[1:]]
assert sum("," in r[mean] for r in sheet[1:]) > len(sheet) // 2, "too few values of four digits"
csv.writer(open(sys.argv[3], "w", newline="", encoding="gb18030"), lineterminator="\r\n").writerows(sheet)
PYEOF
"$CIV" need --spec "$DATA/plan.spec" --forecasts "$WORK/fc_plain.csv" --out "$WORK/need_plain.csv" >/dev/null ||
    fail "need from the plain file"
"$CIV" need --spec "$DATA/plan.spec" --forecasts "$WORK/fc_sheet.csv" --out "$WORK/need_sheet.csv" \
    --encoding gb18030 --thousands "," >/dev/null 2>"$WORK/stderr" || fail "need from a sheet: $(cat "$WORK/stderr")"
cmp -s "$WORK/need_sheet.csv" "$WORK/need_plain.csv" || fail "need from a sheet differs from the plain file's"
expect_exit 2 'read the file with --thousands ","' -- need --spec "$DATA/plan.spec" --forecasts "$WORK/fc_sheet.csv" \
    --out "$WORK/x.csv" --encoding gb18030

# 2b. files for people: every CSV of the plan's folder starts with the UTF-8
# BOM; --no-excel --precision full gives the program's files (no BOM, the
# shortest exact text), with the same values
for f in "$WORK"/t2/*.csv; do
    [ "$(head -c 3 "$f" | od -An -tx1 | tr -d ' ')" = "efbbbf" ] || fail "$(basename "$f") has no UTF-8 BOM"
done
"$CIV" plan "$DATA/plan.toml" --out "$WORK/full" --no-excel --precision full >/dev/null 2>"$WORK/stderr" ||
    fail "plan --precision full failed: $(cat "$WORK/stderr")"
[ "$(head -c 9 "$WORK/full/allocation.csv")" = "unique_id" ] || fail "--no-excel still wrote a BOM"
$PY - "$WORK/t2" "$WORK/full" <<'PYEOF' || fail "people vs full precision"
import sys, re
import numpy as np
import pandas as pd
people, full = sys.argv[1], sys.argv[2]
for name in ("forecasts", "allocation", "need", "uncertainty", "allocation_summary"):
    a = pd.read_csv(f"{people}/{name}.csv", encoding="utf-8-sig")
    b = pd.read_csv(f"{full}/{name}.csv")
    assert list(a.columns) == list(b.columns), name
    for c in b.columns:
        if b[c].dtype.kind == "f" or b[c].dtype.kind == "i":
            x, y = a[c].to_numpy(float), b[c].to_numpy(float)
            ok = np.isclose(x, y, rtol=5e-6, atol=0, equal_nan=True)
            assert ok.all(), (name, c, x[~ok][:3], y[~ok][:3])
            whole = np.isfinite(y) & (y == np.round(y))
            assert (x[whole] == y[whole]).all(), (name, c)   # whole numbers exact
# no float noise: at most 6 significant digits after the whole-number digits
text = open(f"{people}/forecasts.csv", encoding="utf-8-sig").read()
for tok in re.findall(r"-?\d+\.\d+", text):
    whole, frac = tok.lstrip("-").split(".")
    sig = len((whole.lstrip("0") + frac).lstrip("0"))
    assert sig <= max(6, len(whole.lstrip("0"))) + 0, tok
PYEOF
expect_exit 1 "precision" -- plan "$DATA/plan.toml" --out "$WORK/x" --precision 40

# 2c. a plan in another currency: the report read only amount_fen/amount_yuan, so a USD plan (amount_minor,
# amount_major) failed at its report (exit 2), and its labels said 亿元/CNY; a minor unit other than 100 was taken
# as hundredths.  Now the report reads the spec's currency (manifest.json's "currency", "minor_unit" for
# `civicast report`): 万美元, 人均（美元）, USD; an ISO code without a Chinese name is shown as itself (万 KWD).
mkdir -p "$WORK/usd"
cp "$DATA/meals.csv" "$DATA/communities.csv" "$DATA/plan.toml" "$WORK/usd/"
cp "$WORK/plan_usd.spec" "$WORK/usd/plan.spec"
"$CIV" plan "$WORK/usd/plan.toml" --out "$WORK/usd/out" >"$WORK/stdout" 2>"$WORK/stderr" ||
    fail "the USD plan failed: $(tail -1 "$WORK/stderr")"
grep -q '"currency": "USD", "minor_unit": 100' "$WORK/usd/out/manifest.json" || fail "the manifest has no currency"
for want in "本年度资金 12.0 万美元" "人均（美元）" "补贴标准（美元/单位）" "资金总额</td><td class=\"n\">12.0 万美元"; do
    grep -qF "$want" "$WORK/usd/out/report.html" || fail "the USD report lacks '$want'"
done
# ... and the Chinese page of the plan run in English, whose explanations the report translates (they said 元)
"$CIV" plan "$WORK/usd/plan.toml" --out "$WORK/usd/en" --lang en >/dev/null 2>"$WORK/stderr" ||
    fail "the USD plan in English failed: $(tail -1 "$WORK/stderr")"
"$CIV" report "$WORK/usd/en" --lang zh >/dev/null 2>"$WORK/stderr" || fail "report --lang zh: $(cat "$WORK/stderr")"
grep -q "合计 10,800.00 USD（上年 12,000.00 USD" "$WORK/usd/en/report.html" ||
    fail "the translated explanations do not follow dollars with USD"
for page in "$WORK/usd/out/report.html" "$WORK/usd/en/report.html"; do
    $PY - "$page" <<'PYEOF' || fail "the USD report $page labels money in yuan"
import re, sys
t = open(sys.argv[1], encoding="utf-8").read()
bad = [t[max(0, m.start() - 30):m.start() + 5] for m in re.finditer("(?<!美)元", t)]
assert not bad, bad[:3]
PYEOF
done
"$CIV" report "$WORK/usd/out" --lang en >/dev/null 2>"$WORK/stderr" || fail "report --lang en: $(cat "$WORK/stderr")"
grep -q "CNY" "$WORK/usd/out/report.html" && fail "the English USD report says CNY"
grep -q "Per capita (USD)" "$WORK/usd/out/report.html" || fail "the English USD report has no 'Per capita (USD)'"
# three decimals (minor_unit = 1000) and a code without a Chinese name: amounts scaled by the spec's minor unit
sed 's/^currency = "USD"$/currency = "KWD"\nminor_unit = 1000/' "$WORK/plan_usd.spec" >"$WORK/usd/plan.spec"
"$CIV" plan "$WORK/usd/plan.toml" --out "$WORK/usd/kwd" >"$WORK/stdout" 2>"$WORK/stderr" ||
    fail "the KWD plan failed: $(tail -1 "$WORK/stderr")"
grep -q "本年度资金 12.0 万 KWD" "$WORK/usd/kwd/report.html" ||
    fail "the KWD report does not say 12.0 万 KWD: $(grep -o '本年度资金[^，]*' "$WORK/usd/kwd/report.html")"

# 3. errors
expect_exit 1 "give the plan config" -- plan
expect_exit 1 "unknown option" -- plan "$DATA/plan.toml" --bogus 1
expect_exit 3 "cannot open" -- plan "$WORK/none.toml" --out "$WORK/x"
printf '[plan]\npanel = "a.csv"\ncommunities = "c.csv"\nspec = "s.spec"\ncolour = 1\n' >"$WORK/bad.toml"
expect_exit 4 "bad.toml:5:1" -- plan "$WORK/bad.toml" --out "$WORK/x"
printf '[forecast]\nmodel = "snaive"\n' >"$WORK/noplan.toml"
expect_exit 4 "missing the \[plan\] section" -- plan "$WORK/noplan.toml" --out "$WORK/x"
# a relative path that no longer fits once joined to the plan's folder is
# refused, not cut short (4,082 characters + the work folder > 4,095)
long=$(printf 'abcdefgh/%.0s' $(seq 453))
printf '[plan]\npanel = "%sp.csv"\ncommunities = "c.csv"\nspec = "s.spec"\n' "$long" >"$WORK/long.toml"
expect_exit 2 "longer than 4095 bytes once joined.*plan.panel" -- plan "$WORK/long.toml" --out "$WORK/x"
sed 's/years = 2/years = 5/' "$DATA/plan.spec" >"$WORK/far.spec"
expect_exit 2 "forecast further ahead" -- need --spec "$WORK/far.spec" --forecasts "$WORK/t2/forecasts.csv" \
    --out "$WORK/n.csv"
expect_exit 1 "required" -- need --spec "$DATA/plan.spec"

# 4. the demo city end to end (seasonal naive keeps it quick; exit 6 = some
# series could not be forecast, counted as 0 demand by if_missing = "zero")
"$CIV" plan "$DEMO/plan.toml" --out "$WORK/demo" --model snaive --draws 50 --threads 2 >"$WORK/stdout" \
    2>"$WORK/stderr"
rc=$?
{ [ $rc -eq 0 ] || [ $rc -eq 6 ]; } || fail "demo plan exited $rc: $(cat "$WORK/stderr")"
grep -q "allocated              152,720,000.00 CNY" "$WORK/stdout" || fail "demo plan: allocated total: $(cat "$WORK/stdout")"
$PY - "$WORK/demo" <<'PYEOF' || fail "demo plan checks"
import sys
import pandas as pd
a = pd.read_csv(f"{sys.argv[1]}/allocation.csv")
assert len(a) == 1146 and a.amount_fen.sum() == 15_272_000_000
assert "factor_meal_demand_fen" in a.columns and (a.factor_meal_demand_fen >= 0).all()
y = pd.read_csv(f"{sys.argv[1]}/need_summary.csv")
assert list(y.year.dropna().astype(int)) == [2025, 2026, 2027]
assert list(y.standard_fen.dropna()) == [800, 800, 880]
b = pd.read_csv(f"{sys.argv[1]}/backtest_accuracy.csv", encoding="utf-8-sig")   # the demo's [backtest]
assert list(b.model) == ["SeasonalNaive"] and b.n.iloc[0] > 0    # --model snaive: the reference once
PYEOF

# last year's allocation (--last-year; docs/ALLOCATION.md "Last year's allocation"): last year's allocation.csv
# as the plan writes it, with last year's amounts per fund and one more community (D09-S01-C999, 旧港社区) that
# this year's table does not have: it is named as closed on stdout, in allocation_summary.csv and in the report's
# summary (before: not at all), and the amounts are unchanged (every history cell agrees with the file)
$PY - "$WORK/demo/allocation.csv" "$DEMO/communities.csv" "$WORK/last_year.csv" <<'PYEOF' || fail "last year file"
import sys
import pandas as pd
ly = pd.read_csv(sys.argv[1], dtype={"unique_id": str}, encoding="utf-8-sig").set_index("unique_id")
h = pd.read_csv(sys.argv[2], dtype={"unique_id": str}).set_index("unique_id")
ly["pool_eldercare+health_fen"] = (h.last_year_funding * 100).round().astype("int64")
ly["pool_migrant_fen"] = (h.last_year_migrant * 100).round().astype("int64")
ly["amount_fen"] = ly["pool_eldercare+health_fen"] + ly["pool_migrant_fen"]  # the total and the yuan agree with
ly["amount_yuan"] = ly["amount_fen"] / 100                                   # the funds, as civicast writes them
x = ly.iloc[[3]].copy()
x.index, x["name"] = ["D09-S01-C999"], "旧港社区"
pd.concat([ly, x]).rename_axis("unique_id").reset_index().to_csv(sys.argv[3], index=False)
PYEOF
"$CIV" plan "$DEMO/plan.toml" --out "$WORK/demo_ly" --model snaive --draws 0 --threads 2 \
    --last-year "$WORK/last_year.csv" >"$WORK/stdout" 2>"$WORK/stderr"
rc=$?
{ [ $rc -eq 0 ] || [ $rc -eq 6 ]; } || fail "plan --last-year exited $rc: $(cat "$WORK/stderr")"
grep -q "^closed  *1 of last year's communities, continued by none this year: D09-S01-C999 旧港社区 113,900.00$" \
    "$WORK/stdout" || fail "plan --last-year: no closed line: $(cat "$WORK/stdout")"
grep -q "^closed,D09-S01-C999,amount,fen,11390000,旧港社区" "$WORK/demo_ly/allocation_summary.csv" ||
    fail "plan --last-year: allocation_summary.csv lacks the closed row"
grep -q "上年社区已撤销（本年无社区承接）：D09-S01-C999（旧港社区）</td><td class=\"n\">11.4 万元" \
    "$WORK/demo_ly/report.html" || fail "the report's summary does not name the closed community"
$PY - "$WORK/demo/allocation.csv" "$WORK/demo_ly/allocation.csv" <<'PYEOF' || fail "plan --last-year changed amounts"
import sys
import pandas as pd
a, b = (pd.read_csv(f, dtype={"unique_id": str}, encoding="utf-8-sig") for f in sys.argv[1:3])
assert (a.amount_fen == b.amount_fen).all()
PYEOF
# a file without the funds' columns stops the plan, writing nothing; one that is not there stops it before the
# forecast
printf 'unique_id,amount_yuan\nD01-S01-C001,1\n' >"$WORK/bad_ly.csv"
"$CIV" plan "$DEMO/plan.toml" --out "$WORK/demo_bad" --model snaive --draws 0 --last-year "$WORK/bad_ly.csv" \
    >"$WORK/stdout" 2>"$WORK/stderr"
rc=$?
[ $rc -ne 0 ] && [ $rc -ne 6 ] || fail "plan with a bad last-year file exited $rc"
grep -q "has no column 'pool_eldercare+health_fen'" "$WORK/stderr" || fail "bad last-year file: $(cat "$WORK/stderr")"
[ -e "$WORK/demo_bad" ] && fail "a refused plan wrote its folder"
"$CIV" plan "$DEMO/plan.toml" --out "$WORK/demo_bad" --model snaive --draws 0 --last-year "$WORK/nothing.csv" \
    >"$WORK/stdout" 2>"$WORK/stderr"
rc=$?
[ $rc -eq 3 ] || fail "plan with a missing last-year file exited $rc: $(cat "$WORK/stderr")"
grep -q "forecast .*series" "$WORK/stderr" && fail "the plan forecast before finding the last-year file missing"
[ -e "$WORK/demo_bad" ] && fail "a refused plan wrote its folder"

# a new estate in the communities table with no series in the panel yet: under if_missing = "zero" its
# demand counts 0; the forecast lines and its explanation say so (they said nothing)
mkdir -p "$WORK/newest"
cp "$DATA/meals.csv" "$DATA/plan.toml" "$WORK/newest/"
{ cat "$DATA/communities.csv"; echo "P07,West,800,300,0.375,0.1,0"; } >"$WORK/newest/communities.csv"
sed -e 's/^horizon = 12$/&\nif_missing = "zero"/' -e 's/^floor = 10_000.00$/floor = 5_000.00/' "$DATA/plan.spec" \
    >"$WORK/newest/plan.spec"
"$CIV" plan "$WORK/newest/plan.toml" --out "$WORK/newest/out" --draws 0 >"$WORK/stdout" 2>"$WORK/stderr" \
    || fail "plan with a community without a series: $(cat "$WORK/stderr")"
grep -q "1 community of .*communities.csv has no series in .*meals.csv (no data yet)" "$WORK/stdout" \
    || fail "no line for the community without a series: $(cat "$WORK/stdout")"
grep -q "^P07,.*（meal_demand：无预测，按 0 计）" "$WORK/newest/out/allocation.csv" \
    || fail "P07's explanation does not say its demand counted 0"
grep -q "^forecast demand  *1 of 7 communities has no forecast and counts as 0 (if_missing = \"zero\"; its " \
    "$WORK/stdout" || fail "no count of the communities counted as 0: $(cat "$WORK/stdout")"
# ... and one whose fit failed (P06's months all blank): the plan said only "1 failed (see the report)", not that
# the allocation then counted its demand as 0; now the count says 2, as `allocate` would, and the manifest too
awk -F, 'BEGIN{OFS=","} $1=="P06"{$3=""} {print}' "$DATA/meals.csv" >"$WORK/newest/meals.csv"
# the need refuses its missing demand unless [need] says how to count it (its failed rows are dated in the need's
# years since 2026-12-07; before, they were dated from 2022-01 and left out of the need without a word)
expect_exit 2 "need: forecasts row 121: 'mean' is missing for community 'P06' (did its forecast fail? \
if_missing = \"zero\" in .need. counts it as 0)" -- plan "$WORK/newest/plan.toml" --out "$WORK/newest/out2" --draws 0
sed -i 's/^\[need\]$/&\nif_missing = "zero"/' "$WORK/newest/plan.spec"
"$CIV" plan "$WORK/newest/plan.toml" --out "$WORK/newest/out2" --draws 0 >"$WORK/stdout" 2>"$WORK/stderr"
[ $? -eq 6 ] || fail "a plan with a failed series should exit 6: $(cat "$WORK/stderr")"
grep -q "^forecast demand  *2 of 7 communities have no forecast and count as 0 (if_missing = \"zero\"; their " \
    "$WORK/stdout" || fail "the failed fit is not counted as 0: $(cat "$WORK/stdout")"
grep -q '"no_series": 1, "no_forecast": 2' "$WORK/newest/out2/manifest.json" || fail "manifest: no no_forecast"

# [data] predecessors (docs/FORECASTING.md "When the map changes"): P01 and P02 merged into M12 from 2024-07,
# their months still in the panel.  The plan refused P01's series before (no community row); now M12 continues
# P01+P02's summed history (seasonal naive: its 2025 demand is their 2024 meals), the forecast lines, the
# manifest and its explanation say so, and `convert --predecessors` gives the panel the plan forecast
mkdir -p "$WORK/merged"
$PY - "$DATA" "$WORK/merged" <<'PYEOF' || fail "merged variant"
import sys
import pandas as pd
data, out = sys.argv[1], sys.argv[2]
m = pd.read_csv(f"{data}/meals.csv")
late = (m.ds >= "2024-07") & m.unique_id.isin(["P01", "P02"])
s = m[late].groupby("ds", as_index=False).y.sum().assign(unique_id="M12")[["unique_id", "ds", "y"]]
pd.concat([m[~late], s]).to_csv(f"{out}/meals.csv", index=False)
c = pd.read_csv(f"{data}/communities.csv")
a, b = c[c.unique_id == "P01"].iloc[0], c[c.unique_id == "P02"].iloc[0]
n = a.copy()
n["unique_id"] = "M12"
for k in ["population", "aged60", "last_year_funding"]:
    n[k] = a[k] + b[k]
c = pd.concat([c[~c.unique_id.isin(["P01", "P02"])], n.to_frame().T], ignore_index=True)
c["前身"] = ""
c.loc[c.unique_id == "M12", "前身"] = "P01、P02"
c.to_csv(f"{out}/communities.csv", index=False)
PYEOF
cp "$DATA/plan.toml" "$WORK/merged/"
sed 's/^\[data\]$/&\npredecessors = "前身"/' "$DATA/plan.spec" >"$WORK/merged/plan.spec"
"$CIV" plan "$WORK/merged/plan.toml" --out "$WORK/merged/out" --draws 0 >"$WORK/stdout" 2>"$WORK/stderr" \
    || fail "plan of a merged community: $(cat "$WORK/stderr")"
want="\[data\] predecessors: 1 community continues its predecessors' history; 0 forecast from their own "
want+="months .*; 2 series of last year's ids not forecast themselves"
grep -q "$want" \
    "$WORK/stdout" || fail "no line for the joined history: $(cat "$WORK/stdout")"
grep -q "^M12,.*（需求历史接续自 P01+P02：30 个月 2022-01..2024-06）" "$WORK/merged/out/allocation.csv" \
    || fail "M12's explanation does not say its history was joined"
grep -q '"joined": 1, "not_joined": 0, "predecessor_series": 2' "$WORK/merged/out/manifest.json" \
    || fail "the manifest does not count the joined series"
$PY - "$WORK/merged/out" "$DATA/meals.csv" <<'PYEOF' || fail "M12's demand is not P01+P02's"
import sys
import pandas as pd
n = pd.read_csv(f"{sys.argv[1]}/need.csv")
m = pd.read_csv(sys.argv[2])
want = m[m.ds.str.startswith("2024") & m.unique_id.isin(["P01", "P02"])].y.sum()
got = n[(n.year == 2025) & (n.unique_id == "M12")].demand.iloc[0]
assert abs(got - want) < 1e-9, (got, want)
PYEOF
"$CIV" convert "$WORK/merged/meals.csv" "$WORK/merged/joined.csv" --communities "$WORK/merged/communities.csv" \
    --spec "$WORK/merged/plan.spec" --joins "$WORK/merged/joins.csv" >"$WORK/stdout" 2>"$WORK/stderr" \
    || fail "convert --spec: $(cat "$WORK/stderr")"
grep -q "^joined  *1 community continue" "$WORK/stdout" || fail "convert --spec summary: $(cat "$WORK/stdout")"
grep -q "^M12,P01+P02,joined,30,2022-01,2024-06,," "$WORK/merged/joins.csv" ||
    fail "joins.csv: $(cat "$WORK/merged/joins.csv")"
grep -q "^P01," "$WORK/merged/joined.csv" && fail "the joined panel keeps P01's series"
grep -q "^M12,2022-01," "$WORK/merged/joined.csv" || fail "M12 does not start with P01+P02's first month"
expect_exit 1 "needs --predecessors or --spec" -- convert "$WORK/merged/meals.csv" "$WORK/x.csv" --joins "$WORK/j.csv"

# [data] predecessor_shares: P03 split into S31 (0.6) and S32 (0.4), no months of their own yet, and P05 renamed
# R05 from 2023-09 with P05's months ending 2023-06.  Before, S31 and S32 had no series (a split without a
# share: demand 0 under if_missing); now each continues its share of P03's history (seasonal naive: its 2025
# demand is its share of P03's 2024 meals), and R05's two missing months are named (stdout, joins.csv)
mkdir -p "$WORK/split"
$PY - "$DATA" "$WORK/split" <<'PYEOF' || fail "split variant"
import sys
import pandas as pd
data, out = sys.argv[1], sys.argv[2]
m = pd.read_csv(f"{data}/meals.csv")
p5 = m.unique_id == "P05"
r5 = m[p5 & (m.ds >= "2023-09")].assign(unique_id="R05")
pd.concat([m[~p5 | (m.ds < "2023-07")], r5]).to_csv(f"{out}/meals.csv", index=False)
c = pd.read_csv(f"{data}/communities.csv")
c["前身"], c["份额"] = "", ""
p3 = c[c.unique_id == "P03"].iloc[0]
parts = []
for uid, share in (("S31", "0.6"), ("S32", "0.4")):
    n = p3.copy()
    n["unique_id"], n["前身"], n["份额"] = uid, "P03", share
    for k in ["population", "aged60", "last_year_funding"]:
        n[k] = p3[k] * float(share)
    parts.append(n.to_frame().T)
c.loc[c.unique_id == "P05", ["unique_id", "前身"]] = ["R05", "P05"]
c = pd.concat([c[c.unique_id != "P03"]] + parts, ignore_index=True)
c.to_csv(f"{out}/communities.csv", index=False)
PYEOF
cp "$DATA/plan.toml" "$WORK/split/"
sed 's/^\[data\]$/&\npredecessors = "前身"\npredecessor_shares = "份额"/' "$DATA/plan.spec" >"$WORK/split/plan.spec"
"$CIV" plan "$WORK/split/plan.toml" --out "$WORK/split/out" --draws 0 >"$WORK/stdout" 2>"$WORK/stderr" \
    || fail "plan of a split community: $(cat "$WORK/stderr")"
grep -q "\[data\] predecessor_shares: 2 parts of a split continue their parent's history by their share" \
    "$WORK/stdout" || fail "no line for the shares: $(cat "$WORK/stdout")"
want="^warning  *1 community has 2 months missing between its predecessors' last common month and its own "
want+=".*: R05 2023-07..2023-08$"
grep -q "$want" "$WORK/stdout" || fail "no warning for R05's gap: $(cat "$WORK/stdout")"
grep -q "^S31,P03,joined,36,2022-01,2024-12,,,0.6,0,," "$WORK/split/out/joins.csv" ||
    fail "joins.csv: $(cat "$WORK/split/out/joins.csv")"
grep -q "^R05,P05,joined,18,2022-01,2023-06,,,,2,2023-07,2023-08" "$WORK/split/out/joins.csv" ||
    fail "joins.csv: $(cat "$WORK/split/out/joins.csv")"
grep -q '"joined_by_share": 2, "join_gaps": 1, "join_gap_periods": 2' "$WORK/split/out/manifest.json" \
    || fail "the manifest does not count the shares and the gap"
grep -q "^S31,.*（需求历史接续自 P03（份额 0.6）：36 个月 2022-01..2024-12）" "$WORK/split/out/allocation.csv" \
    || fail "S31's explanation does not say its share"
$PY - "$WORK/split/out" "$DATA/meals.csv" <<'PYEOF' || fail "S31's and S32's demand are not their shares of P03's"
import sys
import pandas as pd
n = pd.read_csv(f"{sys.argv[1]}/need.csv")
m = pd.read_csv(sys.argv[2])
p3 = m[m.ds.str.startswith("2024") & (m.unique_id == "P03")].y.sum()
for uid, share in (("S31", 0.6), ("S32", 0.4)):
    got = n[(n.year == 2025) & (n.unique_id == uid)].demand.iloc[0]
    assert abs(got - share * p3) < 1e-6, (uid, got, share * p3)
PYEOF
"$CIV" convert "$WORK/split/meals.csv" "$WORK/split/joined.csv" --communities "$WORK/split/communities.csv" \
    --predecessors 前身 --shares 份额 --joins "$WORK/split/joins.csv" >"$WORK/stdout" 2>"$WORK/stderr" \
    || fail "convert --shares: $(cat "$WORK/stderr")"
grep -q "^warning  *R05: 2 periods 2023-07..2023-08 missing" "$WORK/stdout" \
    || fail "convert names no gap: $(cat "$WORK/stdout")"
grep -q "^S32,P03,joined,36,2022-01,2024-12,,,0.4,0,," "$WORK/split/joins.csv" ||
    fail "convert's joins.csv: $(cat "$WORK/split/joins.csv")"
expect_exit 1 "--shares COLUMN goes with --predecessors COLUMN" -- convert "$WORK/split/meals.csv" "$WORK/x.csv" \
    --communities "$WORK/split/communities.csv" --spec "$WORK/split/plan.spec" --shares 份额
sed 's/,P03,0.4$/,P03,0.5/' "$WORK/split/communities.csv" >"$WORK/split/over.csv"
"$CIV" convert "$WORK/split/meals.csv" "$WORK/x.csv" --communities "$WORK/split/over.csv" --predecessors 前身 \
    --shares 份额 >"$WORK/stdout" 2>"$WORK/stderr" && fail "shares summing above 1 accepted"
want="over.csv:[0-9]*:[0-9]*.*last year's 'P03' was split into 'S31' 0.6, 'S32' 0.5 (column '份额'): "
grep -q "${want}their shares sum to 1.1" "$WORK/stderr" || fail "shares above 1: $(cat "$WORK/stderr")"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "plan.sh: ok"
