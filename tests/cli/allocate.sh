#!/usr/bin/env bash
# allocate.sh -- `civicast allocate` on the demo city: the bundled spec runs,
# the per-community amounts add up to the budget less reserves exactly, the
# summary's total equals the budget, explanations are written, shuffling the
# input rows changes no amount, HDF5 output works; bad specs, infeasible
# constraints, bad data and bad usage give the documented exit codes and
# messages naming file:line; a failed run leaves an existing output untouched.
# usage: bash allocate.sh PATH_TO_CIVICAST   (env CIV_SOURCE_DIR)
set -u
source "$(dirname "$0")/lib.sh"
cli_start "$@"
DEMO="$SRC/datasets/demo_city"
SPEC="$DEMO/allocation.spec"

# 1. the demo city
"$CIV" allocate --spec "$SPEC" --communities "$DEMO/communities.csv" --out "$WORK/a.csv" \
    --summary "$WORK/s.csv" --explain >"$WORK/stdout" 2>"$WORK/stderr" || fail "demo allocation failed: $(cat "$WORK/stderr")"
for word in "budget" "reserve emergency" "pool migrant" "communities" "binding" "Gini"; do
    grep -q "$word" "$WORK/stdout" || fail "summary on stdout lacks '$word'"
done
$PY - "$WORK/a.csv" "$WORK/s.csv" <<'PYEOF' || fail "demo allocation checks"
import sys
import pandas as pd
a = pd.read_csv(sys.argv[1]); s = pd.read_csv(sys.argv[2])
assert len(a) == 1146, len(a)
get = lambda sec, item: s[(s.section == sec) & (s["item"] == item) & (s.measure == "amount")].value.iloc[0]
assert (s.groupby(["section", "item", "measure"]).size() == 1).all()   # tidy: one row per meaning
assert set(s.unit) <= {"fen", "fraction", "count", "multiplier", "yuan/person", "yuan/aged person", "index"}
# 166,000,000.00 yuan less 5% + 3% reserves = 152,720,000.00 yuan, exact to the fen
assert get("budget", "total") == 16600000000
assert a.amount_fen.sum() == get("total", "allocated") == 15272000000, a.amount_fen.sum()
assert get("total", "budget") == 16600000000
assert a.amount_fen.dtype.kind == "i"
# the yuan columns are the fen columns with exactly two decimals, as written
raw = pd.read_csv(sys.argv[1], dtype=str)
assert (raw.amount_yuan == raw.amount_fen.map(lambda v: f"{int(v) // 100}.{int(v) % 100:02d}")).all()
assert raw.amount_yuan.str.fullmatch(r"-?\d+\.\d\d").all() and raw.change_yuan.str.fullmatch(r"-?\d+\.\d\d").all()
assert (a.change_fen == a.amount_fen - a.last_year_fen).all()
assert list(a.columns[:4]) == ["unique_id", "name", "district", "street"] and a["name"].notna().all()
parts = [c for c in a.columns if c.startswith("factor_")] + ["unattributed_fen", "rounding_fen"]
assert all(c.endswith("_fen") for c in parts)
assert (a[parts].sum(axis=1) - a.amount_fen).abs().max() < 1e-4
main = a["pool_eldercare+health_fen"]
assert (main >= 5000000).all()                                # the floor, 50,000.00 yuan
# each fund against its own history: hold-harmless 85% / pace 20% (eldercare+health),
# 90% / 30% (migrant, communities new to it exempt); the total's last year is their sum
lym, lyg = a["last_year_eldercare+health_fen"], a["last_year_migrant_fen"]
# pace, unless the floor outranks it (the pilot township's villages: 50,000 > 1.2 x 40,000)
assert (main >= (0.85 * lym).round() - 1).all() and ((main <= 1.2 * lym + 1e-6) | (main == 5000000)).all()
assert ((main > 1.2 * lym + 1e-6) & (main == 5000000)).any()
mig = a.pool_migrant_fen
assert ((mig >= 0.9 * lyg - 1e-6) & (mig <= 1.3 * lyg + 1e-6))[lyg > 0].all()
assert ((mig > 1.3 * lyg) & (lyg == 0)).any()                  # new to the fund: no pace
assert (a.last_year_fen == lym + lyg).all() and (a["change_migrant_fen"] == mig - lyg).all()
assert set("+".join(a.binding.fillna("")).split("+")) <= {"", "floor", "hold_harmless", "pace", "cap"}
assert a.explanation.str.contains("aged60").all()
assert (a.pool_migrant_fen[a.explanation.str.contains("not eligible for migrant")] == 0).all()
PYEOF

# 2. shuffled rows give the same amounts
$PY - "$DEMO/communities.csv" "$WORK/shuffled.csv" <<'PYEOF'
import sys
import pandas as pd
pd.read_csv(sys.argv[1], dtype=str).sample(frac=1, random_state=7).to_csv(sys.argv[2], index=False)
PYEOF
"$CIV" allocate --spec "$SPEC" --communities "$WORK/shuffled.csv" --out "$WORK/b.csv" >/dev/null 2>&1 ||
    fail "shuffled allocation failed"
$PY - "$WORK/a.csv" "$WORK/b.csv" <<'PYEOF' || fail "shuffling the rows changed amounts"
import sys
import pandas as pd
a = pd.read_csv(sys.argv[1]).set_index("unique_id").sort_index()
b = pd.read_csv(sys.argv[2]).set_index("unique_id").sort_index()
assert (a.amount_fen == b.amount_fen).all()
assert ((a.rounding_fen - b.rounding_fen).abs() < 1e-9).all()
PYEOF

# 3. HDF5 output by extension
"$CIV" allocate --spec "$SPEC" --communities "$DEMO/communities.csv" --out "$WORK/a.h5" >/dev/null 2>"$WORK/stderr" ||
    fail "HDF5 output failed: $(cat "$WORK/stderr")"
[ -s "$WORK/a.h5" ] || fail "no HDF5 output"

# 4. errors
sed 's/^weight = 0.25$/weight = 0.35/' "$SPEC" >"$WORK/weights.spec"
expect_exit 4 "weights.spec:[0-9]*:[0-9]*: weights of formula 'main' sum to 1.1" -- \
    allocate --spec "$WORK/weights.spec" --communities "$DEMO/communities.csv" --out "$WORK/x.csv"
sed 's/^attribute = "aged60_resident"$/attribute = "aged65"/' "$SPEC" >"$WORK/attr.spec"
expect_exit 2 "attr.spec:[0-9]*:[0-9]*: factor 'aged60': unknown attribute 'aged65'" -- \
    allocate --spec "$WORK/attr.spec" --communities "$DEMO/communities.csv" --out "$WORK/x.csv"
sed 's/^floor = 50_000.00 .*$/floor = 500_000.00/' "$SPEC" >"$WORK/floor.spec"
expect_exit 4 "above the pool" -- \
    allocate --spec "$WORK/floor.spec" --communities "$DEMO/communities.csv" --out "$WORK/x.csv"
sed 's/^on_infeasible = "error".*$/on_infeasible = "ratable"/; s/^floor = 50_000.00 .*$/floor = 500_000.00/' "$SPEC" >"$WORK/ratable.spec"
"$CIV" allocate --spec "$WORK/ratable.spec" --communities "$DEMO/communities.csv" --out "$WORK/r.csv" >"$WORK/stdout" 2>&1 ||
    fail "ratable reduction failed: $(cat "$WORK/stdout")"
grep -q "ratable 1146" "$WORK/stdout" || fail "ratable count missing: $(cat "$WORK/stdout")"
printf 'version = "1"\n[budget]\ntotal = 1.00\nfiscal_year = 2026\nbogus = 1\n' >"$WORK/unknown.spec"
expect_exit 4 "unknown.spec:5:1: \[budget\]: unknown key 'bogus'" -- \
    allocate --spec "$WORK/unknown.spec" --communities "$DEMO/communities.csv" --out "$WORK/x.csv"
# a percentage written for a fraction: refused at its line and column with what it would have done and
# the cure (docs/ALLOCATION.md, "Percentages written for fractions"); a pace written with its sign runs
sed 's/^pace = 0.20 .*$/pace = 15/' "$SPEC" >"$WORK/pace.spec"
want="pace.spec:[0-9]*:8: \[\[formula\]\] #1: 'pace' = 15 would allow up to +1500% over last year (16 x last"
want="$want year): a percentage? write 0.15 for 15%; a rate of 100% or more is written .*, pace = \"1500%\""
expect_exit 4 "$want" -- allocate --spec "$WORK/pace.spec" --communities "$DEMO/communities.csv" --out "$WORK/x.csv"
sed 's/^hold_harmless = 0.85 .*$/hold_harmless = 85/' "$SPEC" >"$WORK/hh.spec"
want="hh.spec:[0-9]*:17: .*'hold_harmless' = 85 is out of range \[0, 10\]: a percentage? write 0.85 for 85%"
expect_exit 4 "$want" -- allocate --spec "$WORK/hh.spec" --communities "$DEMO/communities.csv" --out "$WORK/x.csv"
sed 's/^eligible_min = 0.5 .*$/eligible_min = 50/' "$SPEC" >"$WORK/earmark.spec"
want="earmark.spec:[0-9]*:16: pool 'migrant': eligible_min = 50, but attribute 'migrant_share' holds fractions"
want="$want .*, so no community would be eligible: a percentage? write 0.5 for 50%"
expect_exit 4 "$want" -- allocate --spec "$WORK/earmark.spec" --communities "$DEMO/communities.csv" --out "$WORK/x.csv"
sed 's/^index_rate = 0.10$/index_rate = 3/' "$DEMO/plan.spec" >"$WORK/rate.spec"
printf 'unique_id,ds,h,mean\n' >"$WORK/nofc.csv"
want="rate.spec:[0-9]*:14: \[need\] index_rate: 3 would raise the standard by 300% at every indexation step"
want="$want (standard_per_meal 8.00 would become 32.00 at the first step): a percentage? write 0.03 for 3%"
expect_exit 4 "$want" -- need --spec "$WORK/rate.spec" --forecasts "$WORK/nofc.csv" --out "$WORK/x.csv"
sed 's/^pace = 0.20 .*$/pace = "20%"/' "$SPEC" >"$WORK/pacepct.spec"
for s in "$SPEC" "$WORK/pacepct.spec"; do
    "$CIV" allocate --spec "$s" --communities "$DEMO/communities.csv" --out "$WORK/pct_$(basename "$s").csv" \
        >/dev/null 2>"$WORK/stderr" || fail "$s failed: $(cat "$WORK/stderr")"
done
cmp -s "$WORK/pct_allocation.spec.csv" "$WORK/pct_pacepct.spec.csv" ||
    fail "pace = \"20%\" allocates otherwise than pace = 0.20"
head -3 "$DEMO/communities.csv" >"$WORK/dup.csv"
tail -n +2 "$DEMO/communities.csv" | head -1 >>"$WORK/dup.csv"
expect_exit 2 "dup.csv:4:1: duplicate community id 'D01-S01-C001' (lines 2 and 4)" -- \
    allocate --spec "$SPEC" --communities "$WORK/dup.csv" --out "$WORK/x.csv"
expect_exit 3 "nonexistent" -- allocate --spec "$WORK/nonexistent.spec" --communities "$DEMO/communities.csv" --out "$WORK/x.csv"
expect_exit 1 "required" -- allocate --spec "$SPEC"
expect_exit 1 "unknown argument" -- allocate --frobnicate

# 5. a failed run leaves an existing output untouched
cp "$WORK/a.csv" "$WORK/keep.csv"
"$CIV" allocate --spec "$WORK/floor.spec" --communities "$DEMO/communities.csv" --out "$WORK/keep.csv" >/dev/null 2>&1
cmp -s "$WORK/a.csv" "$WORK/keep.csv" || fail "a failed run changed the existing output"

# 6. settlement (清算) of the demo allocation against simulated spending, Chinese explanations
$PY - "$WORK/a.csv" "$WORK/spent.csv" <<'PYEOF'
import sys
import numpy as np
import pandas as pd
a = pd.read_csv(sys.argv[1]); r = np.random.default_rng(3)
s = np.round(a.amount_fen * r.uniform(0.85, 1.1, len(a))).astype(np.int64)
pd.DataFrame({"unique_id": a.unique_id, "spent": [f"{v // 100}.{v % 100:02d}" for v in s]}).to_csv(sys.argv[2], index=False)
PYEOF
"$CIV" settle --spec "$SPEC" --allocation "$WORK/a.csv" --spending "$WORK/spent.csv" --out "$WORK/settle.csv" \
    --summary "$WORK/settle_sum.csv" --explain --lang zh >"$WORK/stdout" 2>"$WORK/stderr" ||
    fail "settle failed: $(cat "$WORK/stderr")"
grep -q "^carry_over" "$WORK/stdout" || fail "settle stdout lacks the carry-over total"
# the totals in yuan with separators, as allocate prints them (they were raw fen: "15272000000 fen")
grep -Eq "^spent +[0-9]{1,3}(,[0-9]{3})+\.[0-9]{2} CNY \([0-9]+ communities\)" "$WORK/stdout" ||
    fail "settle's totals are not in yuan: $(head -2 "$WORK/stdout")"
$PY - "$WORK/a.csv" "$WORK/settle.csv" "$WORK/settle_sum.csv" <<'PYEOF' || fail "settlement checks"
import sys
import pandas as pd
a, s, t = (pd.read_csv(f) for f in sys.argv[1:4])
assert (s.unique_id == a.unique_id).all() and (s.allocated_fen == a.amount_fen).all()
assert (s.allocated_fen - s.spent_fen == s.carry_over_fen + s.clawback_fen - s.top_up_fen - s.uncovered_fen).all()
assert (s.carry_over_fen <= s.allocated_fen * 10 // 100).all() and (s.top_up_fen <= s.allocated_fen * 5 // 100).all()
assert t[(t["item"] == "top_up") & (t.measure == "amount")].value.iloc[0] == 100000000   # the 1,000,000.00 budget
assert s.explanation.str.contains("结转|补助").all()
PYEOF
# the finance office's sheet as Excel saves it (GB18030, "12,345.67"): --encoding, --thousands read it
$PY - "$WORK/spent.csv" "$WORK/spent_excel.csv" <<'PYEOF'
import sys
import pandas as pd
s = pd.read_csv(sys.argv[1], dtype=str)
s["spent"] = [f"{float(v):,.2f}" for v in s.spent]
assert s.spent.str.contains(",").any()
s.to_csv(sys.argv[2], index=False, encoding="gb18030")
PYEOF
"$CIV" settle --spec "$SPEC" --allocation "$WORK/a.csv" --spending "$WORK/spent_excel.csv" --out "$WORK/settle_x.csv" \
    --summary "$WORK/settle_sum_x.csv" --explain --lang zh --encoding gb18030 --thousands , >/dev/null \
    2>"$WORK/stderr" || fail "settle of the Excel sheet: $(cat "$WORK/stderr")"
cmp -s "$WORK/settle.csv" "$WORK/settle_x.csv" || fail "the Excel sheet settles otherwise than the plain one"
expect_exit 2 "read the file with --thousands" -- \
    settle --spec "$SPEC" --allocation "$WORK/a.csv" --spending "$WORK/spent_excel.csv" --out "$WORK/x.csv"
head -3 "$WORK/spent.csv" >"$WORK/spent_short.csv"
expect_exit 2 "has no row in the spending table" -- \
    settle --spec "$SPEC" --allocation "$WORK/a.csv" --spending "$WORK/spent_short.csv" --out "$WORK/x.csv"
expect_exit 1 "required" -- settle --spec "$SPEC"
# a third decimal in the finance sheet (180670.327 yuan) was rounded to the fen silently: refused with the cure;
# a refund entered as negative spending, and the sheet's total row, are named with theirs
# (each at the file as given, its line as a spreadsheet counts it and its column: it said "spending table, row 2",
# counting data rows, with no file; Excel's byte-order mark is on line 1 with the header)
{ printf '\357\273\277'; awk -F, 'NR == 3 { $2 = $2 "7" } 1' OFS=, "$WORK/spent.csv"; } >"$WORK/spent_3dp.csv"
ID3=$(awk -F, 'NR == 3 { print $1 }' "$WORK/spent.csv")
expect_exit 2 "spent_3dp.csv:3:2: community '$ID3': 'spent' = [0-9.]* has more than the currency's 2 decimals" -- \
    settle --spec "$SPEC" --allocation "$WORK/a.csv" --spending "$WORK/spent_3dp.csv" --out "$WORK/x.csv"
awk -F, 'NR == 3 { $2 = "-1200.50" } 1' OFS=, "$WORK/spent.csv" >"$WORK/spent_neg.csv"
expect_exit 2 "spent_neg.csv:3:2: community '$ID3': 'spent' is negative (-1200.5): settlement takes the year's net" -- \
    settle --spec "$SPEC" --allocation "$WORK/a.csv" --spending "$WORK/spent_neg.csv" --out "$WORK/x.csv"
# Excel's accounting zero '-' made the column text: the error was a "malformed" amount on the first row
awk -F, 'NR == 3 { $2 = "-" } 1' OFS=, "$WORK/spent.csv" >"$WORK/spent_dash.csv"
expect_exit 2 "spent_dash.csv:3:2: community '$ID3': 'spent' is '-', not an amount (a dash, as Excel" -- \
    settle --spec "$SPEC" --allocation "$WORK/a.csv" --spending "$WORK/spent_dash.csv" --out "$WORK/x.csv"
{ cat "$WORK/spent.csv"; echo "合计,1.00"; } >"$WORK/spent_total.csv"
TOTAL_LINE=$(wc -l <"$WORK/spent_total.csv")
expect_exit 2 "spent_total.csv:$TOTAL_LINE:1: community '合计' was not allocated anything: it looks like the sheet" -- \
    settle --spec "$SPEC" --allocation "$WORK/a.csv" --spending "$WORK/spent_total.csv" --out "$WORK/x.csv"

# 7. reserve release: the risk reserve on top of what the demo allocation paid
"$CIV" allocate --spec "$DEMO/release.spec" --communities "$DEMO/communities.csv" --paid "$WORK/a.csv" \
    --out "$WORK/release.csv" --explain --lang zh >"$WORK/stdout" 2>"$WORK/stderr" ||
    fail "release failed: $(cat "$WORK/stderr")"
$PY - "$WORK/a.csv" "$WORK/release.csv" "$DEMO/communities.csv" <<'PYEOF' || fail "release checks"
import sys
import pandas as pd
a, r, c = (pd.read_csv(f) for f in sys.argv[1:4])
paid = a["pool_eldercare+health_fen"]
assert r.amount_fen.sum() == 498000000 and (r.amount_fen >= 0).all()       # the 4,980,000.00 yuan reserve
assert (r["paid_eldercare_release_fen"] == paid).all() and (r.total_fen == paid + r.amount_fen).all()
# pace kept for paid + release; a community the floor put above its pace gets no release
above = paid > 1.2 * c.last_year_funding * 100 + 1e-6
assert (r.total_fen[~above] <= 1.2 * c.last_year_funding[~above] * 100 + 1e-6).all() and (r.amount_fen[above] == 0).all()
assert (r.total_fen <= (0.005 * (15272000000 - 1821600000 + 498000000)) // 1).all()   # cap share of the year's fund
assert r.explanation.str.contains("已拨").all()
# a community funded by the allocation that gets nothing from the release: "构成：未获分配" (not funded) said it got
# no money at all; it gets nothing from this release, and its fund's clause says which bound its paid amount reaches
zero = r.amount_fen == 0
assert zero.sum() > 100 and r.explanation[zero].str.startswith("构成：本次未获追加；").all()
assert not r.explanation.str.contains("未获分配").any()
PYEOF
expect_exit 1 "cannot be combined" -- allocate --spec "$DEMO/release.spec" --communities "$DEMO/communities.csv" \
    --paid "$WORK/a.csv" --out "$WORK/x.csv" --uncertainty 3
# a release whose pace is tighter than the first run's: a community already paid above the new limit gets
# nothing, and its explanation says so rather than "limited by pace to" a figure below its amount
sed 's/^pace = 0.20/pace = 0.05/' "$DEMO/release.spec" >"$WORK/release_tight.spec"
"$CIV" allocate --spec "$WORK/release_tight.spec" --communities "$DEMO/communities.csv" --paid "$WORK/a.csv" \
    --out "$WORK/release_tight.csv" --explain >/dev/null 2>"$WORK/stderr" || fail "tight release: $(cat "$WORK/stderr")"
$PY - "$WORK/a.csv" "$WORK/release_tight.csv" "$DEMO/communities.csv" <<'PYEOF' || fail "tight release checks"
import sys
import pandas as pd
a, r, c = (pd.read_csv(f) for f in sys.argv[1:4])
paid = a["pool_eldercare+health_fen"]
over = (r.binding.str.contains("pace")) & (paid > 1.05 * c.last_year_funding * 100 + 1e-6)
assert over.sum() > 10, over.sum()
assert (r.amount_fen[over] == 0).all()
assert r.explanation[over].str.contains("paid already above the pace limit of +5% over last year", regex=False).all()
assert not r.explanation[over].str.contains("limited by pace to", regex=False).any()
assert r.explanation[over].str.startswith("nothing from this release; ").all()
assert not r.explanation.str.contains("not funded").any()
PYEOF
# without the paid key, a paid table of two funds is refused: its amount_fen is both funds' money
grep -v '^paid = ' "$DEMO/release.spec" >"$WORK/release_nopaid.spec"
expect_exit 2 "the paid table holds 2 funds" -- allocate --spec "$WORK/release_nopaid.spec" \
    --communities "$DEMO/communities.csv" --paid "$WORK/a.csv" --out "$WORK/x.csv"
head -5 "$WORK/a.csv" >"$WORK/paid_short.csv"
expect_exit 2 "no row in the paid table" -- allocate --spec "$DEMO/release.spec" --communities "$DEMO/communities.csv" \
    --paid "$WORK/paid_short.csv" --out "$WORK/x.csv"
# the year-end walk (2026-12-05): the paid table as the finance system exports it via Excel (byte-order mark,
# "12,622,500", Chinese headers keyed by unique_id, a total row, a blank line at the end); the total row is
# named, the sheet without it releases what the plain paid table does; a column marked in yuan (refused until
# 2026-12-06: "convert it in the sheet") is read exactly to the fen, a third decimal refused at its cell
$PY - "$WORK/a.csv" "$WORK/paid_excel.csv" "$WORK/paid_yuan.csv" <<'PYEOF'
import sys
import pandas as pd
a = pd.read_csv(sys.argv[1], dtype={"unique_id": str})
col = a["pool_eldercare+health_fen"]
rows = [f'{u},{n},"{v:,}"' for u, n, v in zip(a.unique_id, a["name"], col)]
text = "unique_id,社区名称,pool_eldercare+health_fen\n" + "\n".join(rows) + f'\n合计,,"{col.sum():,}"\n\n'
open(sys.argv[2], "w", encoding="utf-8-sig", newline="\r\n").write(text)
rows = [f"{u},{v // 100}.{v % 100:02d}" for u, v in zip(a.unique_id, col)]
open(sys.argv[3], "w", encoding="utf-8").write("unique_id,已拨金额（元）\n" + "\n".join(rows) + "\n")
PYEOF
# at the file's line (byte-order mark, CRLF; the header is line 1)
expect_exit 2 "paid_excel.csv:1148:1: the paid table has 1147 rows for 1146 communities: community '合计' is not" -- \
    allocate --spec "$DEMO/release.spec" --communities "$DEMO/communities.csv" --paid "$WORK/paid_excel.csv" \
    --out "$WORK/x.csv" --thousands ,
grep -v '^合计' "$WORK/paid_excel.csv" >"$WORK/paid_excel_ok.csv"
"$CIV" allocate --spec "$DEMO/release.spec" --communities "$DEMO/communities.csv" --paid "$WORK/paid_excel_ok.csv" \
    --thousands , --out "$WORK/release_x.csv" --explain --lang zh >/dev/null 2>"$WORK/stderr" ||
    fail "release from the Excel paid sheet: $(cat "$WORK/stderr")"
cmp -s "$WORK/release.csv" "$WORK/release_x.csv" || fail "the Excel paid sheet releases otherwise than the plain one"
sed 's/^paid = .*/paid = "已拨金额（元）"/' "$DEMO/release.spec" >"$WORK/release_yuan.spec"
"$CIV" allocate --spec "$WORK/release_yuan.spec" --communities "$DEMO/communities.csv" --paid "$WORK/paid_yuan.csv" \
    --out "$WORK/release_y.csv" --explain --lang zh >/dev/null 2>"$WORK/stderr" ||
    fail "release from the paid sheet in yuan: $(cat "$WORK/stderr")"
cmp -s "$WORK/release.csv" "$WORK/release_y.csv" || fail "the paid sheet in yuan releases otherwise than the one in fen"
sed '3s/,\([0-9]*\)\.\([0-9][0-9]\)$/,\1.\25/' "$WORK/paid_yuan.csv" >"$WORK/paid_yuan3.csv"
expect_exit 2 "paid_yuan3.csv:3:2: community '.*': '已拨金额（元）' = [0-9.]*5 has more than the currency's 2 decimals: \
round it to the minor unit in the sheet (Excel: =ROUND(cell, 2)); civicast does not round money" -- \
    allocate --spec "$WORK/release_yuan.spec" --communities "$DEMO/communities.csv" --paid "$WORK/paid_yuan3.csv" \
    --out "$WORK/x.csv"
# the sheet in yuan under a header in fen (已拨金额（分）): refused at the first cell with decimals, with the cure
# that fits a column of yuan (before: '115251.82 is not a whole, non-negative number of minor units', no header)
sed '1s/.*/unique_id,已拨金额（分）/' "$WORK/paid_yuan.csv" >"$WORK/paid_yuan_as_fen.csv"
sed 's/^paid = .*/paid = "已拨金额（分）"/' "$DEMO/release.spec" >"$WORK/release_as_fen.spec"
expect_exit 2 "paid_yuan_as_fen.csv:4:2: community 'D01-S01-C003': '已拨金额（分）' = 115251.82 is not a whole number \
of fen: [0-9]* of the column's 1146 values have decimals, none more than 2, as amounts in yuan do: the column holds \
yuan, not fen: head it '已拨金额（元）' (read exactly to the fen) and name it with the pool's 'paid' key" -- \
    allocate --spec "$WORK/release_as_fen.spec" --communities "$DEMO/communities.csv" \
    --paid "$WORK/paid_yuan_as_fen.csv" --out "$WORK/x.csv"
# the same whole yuan under a header that names no unit ('已拨金额'): passed as fen, the release computed on a
# hundredth of what was paid (exit 0); now refused at the header's cell, with the cure
sed '1s/.*/unique_id,已拨金额/' "$WORK/paid_yuan.csv" >"$WORK/paid_neutral.csv"
sed 's/^paid = .*/paid = "已拨金额"/' "$DEMO/release.spec" >"$WORK/release_neutral.spec"
expect_exit 2 "paid_neutral.csv:1:2: the paid table's column '已拨金额' does not say its unit: a sheet of whole \
yuan would pass as fen .*已拨金额_fen, 已拨金额（分）.*已拨金额_yuan, 已拨金额（元）" -- \
    allocate --spec "$WORK/release_neutral.spec" --communities "$DEMO/communities.csv" \
    --paid "$WORK/paid_neutral.csv" --out "$WORK/x.csv"
# settling the release's output would settle the release alone (amount_fen) against the year's spending
expect_exit 2 "the allocation is a reserve release" -- \
    settle --spec "$SPEC" --allocation "$WORK/release.csv" --spending "$WORK/spent.csv" --out "$WORK/x.csv"

# next year's last_year_funding (yuan) fed with this year's eldercare+health amounts in fen: the units named
$PY - "$DEMO/communities.csv" "$WORK/a.csv" "$WORK/comm_fen.csv" <<'PYEOF'
import sys
import pandas as pd
c = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
a = pd.read_csv(sys.argv[2], dtype={"unique_id": str}).set_index("unique_id")
c["last_year_funding"] = c.unique_id.map(a["pool_eldercare+health_fen"]).astype(str)
c.to_csv(sys.argv[3], index=False)
PYEOF
expect_exit 4 "minor units in 'last_year_funding', which is in major units? write last year's" -- \
    allocate --spec "$SPEC" --communities "$WORK/comm_fen.csv" --out "$WORK/x.csv"

# the floor written in fen (50,000.00 yuan as 5_000_000): named at its line with the cure, also under
# on_infeasible = "ratable", which before cut every floor to 2% and split the fund equally, exit 0
sed 's/^floor = 50_000.00 /floor = 5_000_000 /; s/^on_infeasible = "error"/on_infeasible = "ratable"/' "$SPEC" \
    >"$WORK/floor_fen.spec"
grep -q '^floor = 5_000_000 ' "$WORK/floor_fen.spec" || fail "floor_fen.spec: the demo's floor line changed"
expect_exit 4 "floor_fen.spec:[0-9]*) for each of 1146 communities is [0-9]* times the fund: written in fen? the \
spec's money is in yuan: floor = 50000.00" -- \
    allocate --spec "$WORK/floor_fen.spec" --communities "$DEMO/communities.csv" --out "$WORK/floor_fen.csv"
[ ! -e "$WORK/floor_fen.csv" ] || fail "floor in fen: an allocation was written"

# 8. multi-year projection: the plan spec rolled forward over 2026-2027 (synthetic 36-month forecasts)
$PY - "$DEMO/meals.csv" "$WORK/fc36.csv" <<'PYEOF'
import sys
import pandas as pd
m = pd.read_csv(sys.argv[1])
base = m.dropna(subset=["y"]).groupby("unique_id").y.apply(lambda s: s.tail(12).mean())
ds = [f"{y}-{k:02d}" for y in (2025, 2026, 2027) for k in range(1, 13)]
rows = [(u, d, h, "m", round(b * 1.04 ** (h / 12), 3)) for u, b in base.items() for h, d in enumerate(ds, 1)]
pd.DataFrame(rows, columns=["unique_id", "ds", "h", "model", "mean"]).to_csv(sys.argv[2], index=False)
PYEOF
"$CIV" project --spec "$DEMO/plan.spec" --communities "$DEMO/communities.csv" --forecasts "$WORK/fc36.csv" \
    --years 2 --out "$WORK/proj.csv" --summary "$WORK/proj_sum.csv" --explain >"$WORK/stdout" 2>"$WORK/stderr" ||
    fail "project failed: $(cat "$WORK/stderr")"
# the money tables are for people: each starts with the UTF-8 byte-order mark by default, without which Excel on a
# Chinese Windows reads them as GBK and garbles the names (before: only with --excel); --no-excel leaves it out
for f in a.csv s.csv settle.csv settle_sum.csv proj.csv proj_sum.csv; do
    [ "$(head -c 3 "$WORK/$f" | od -An -tx1 | tr -d ' ')" = "efbbbf" ] || fail "$f has no UTF-8 byte-order mark"
done
"$CIV" allocate --spec "$SPEC" --communities "$DEMO/communities.csv" --out "$WORK/a_plain.csv" --no-excel \
    >/dev/null 2>"$WORK/stderr" || fail "allocate --no-excel: $(cat "$WORK/stderr")"
[ "$(head -c 9 "$WORK/a_plain.csv")" = "unique_id" ] || fail "--no-excel still writes a mark: $(head -c 12 "$WORK/a_plain.csv" | od -c)"
# stdout in yuan with separators and the currency, as allocate prints (was raw fen: '2027 budget 18260000000 fen')
grep -Eq "^2027 +index 1\.1, budget 182,600,000\.00 CNY, reserved [0-9]{1,3}(,[0-9]{3})+\.[0-9]{2} CNY$" \
    "$WORK/stdout" ||
    fail "project's budget is not in yuan: $(head -3 "$WORK/stdout")"
grep -Eq "^  funds +eldercare\+health [0-9,]+\.[0-9]{2} CNY, migrant [0-9,]+\.[0-9]{2} CNY$" "$WORK/stdout" ||
    fail "project's funds: $(head -3 "$WORK/stdout")"
grep -Eq "^  binding +floor [0-9]+, cap [0-9]+, hold_harmless [0-9]+, pace [0-9]+$" "$WORK/stdout" ||
    fail "project's binding counts: $(head -3 "$WORK/stdout")"
$PY - "$WORK/proj.csv" "$WORK/proj_sum.csv" <<'PYEOF' || fail "projection checks"
import sys
import pandas as pd
p, s = pd.read_csv(sys.argv[1]), pd.read_csv(sys.argv[2])
a, b = p[p.year == 2026].set_index("unique_id"), p[p.year == 2027].set_index("unique_id")
budget = s[s["item"] == "budget"].set_index("year").value
assert budget[2026] == 16600000000 and budget[2027] == 18260000000            # 8.00 -> 8.80 yuan: x1.1
for f, hh, q in (("eldercare+health", 0.85, 0.20), ("migrant", 0.90, 0.30)):
    prev = a[f"pool_{f}_fen"]
    assert (b[f"last_year_{f}_fen"] == prev).all()                             # last year's result is the history
    cur = b[f"pool_{f}_fen"]
    assert ((cur <= (1 + q) * prev + 1e-6) | (prev == 0) | (b.binding.fillna("").str.contains("floor"))).all()
    assert ((cur >= hh * prev - 1e-6) | (prev == 0)).all()
assert b.amount_fen.sum() == 18260000000 - s[(s.year == 2027) & (s["item"] == "reserved")].value.iloc[0]
PYEOF
# the projection's years are its own, not the [need] section's (2025..2027 in plan.spec): three years from 2026
# with forecasts through 2028 run (before 2026-12-05: "the forecasts have no period in 2028"), the first two
# as the two-year projection
$PY - "$WORK/fc36.csv" "$WORK/fc48.csv" <<'PYEOF'
import sys
import pandas as pd
f = pd.read_csv(sys.argv[1])
last = f[f.ds.str.startswith("2027")].assign(ds=lambda d: "2028" + d.ds.str[4:], h=lambda d: d.h + 12)
pd.concat([f, last]).to_csv(sys.argv[2], index=False)
PYEOF
"$CIV" project --spec "$DEMO/plan.spec" --communities "$DEMO/communities.csv" --forecasts "$WORK/fc48.csv" \
    --years 3 --out "$WORK/proj3.csv" --explain >/dev/null 2>"$WORK/stderr" || fail "project 3 years: $(cat "$WORK/stderr")"
$PY - "$WORK/proj.csv" "$WORK/proj3.csv" <<'PYEOF' || fail "three-year projection checks"
import sys
import pandas as pd
p2, p3 = pd.read_csv(sys.argv[1]), pd.read_csv(sys.argv[2])
assert sorted(p3.year.unique()) == [2026, 2027, 2028] and (p3.groupby("year").unique_id.nunique() == 1146).all()
assert p3[p3.year < 2028].reset_index(drop=True).equals(p2)
PYEOF
# the allocation of fiscal year 2026 reads 2026's forecast months (h = 13..24 of fc36, growing 4% a year),
# so it is the projection's first year to the fen; summing h = 1..12 (2025) gives other amounts
"$CIV" allocate --spec "$DEMO/plan.spec" --communities "$DEMO/communities.csv" --forecasts "$WORK/fc36.csv" \
    --out "$WORK/a2026.csv" >"$WORK/stdout" 2>"$WORK/stderr" || fail "allocate with fc36 failed: $(cat "$WORK/stderr")"
grep -q '^demand  *meal_demand: fiscal year 2026, forecasts of 2026-01..2026-12 (h = 13..24)$' "$WORK/stdout" ||
    fail "allocate does not say which forecasts the factor summed: $(cat "$WORK/stdout")"
sed 's/^period = "fiscal_year"/period = "horizon"/' "$DEMO/plan.spec" > "$WORK/by_step.spec"
"$CIV" allocate --spec "$WORK/by_step.spec" --communities "$DEMO/communities.csv" --forecasts "$WORK/fc36.csv" \
    --out "$WORK/a2025.csv" >"$WORK/stdout" 2>"$WORK/stderr" || fail "allocate by step failed: $(cat "$WORK/stderr")"
grep -q '^demand  *meal_demand: forecast steps h = 1..12 (2025-01..2025-12) whatever their dates' "$WORK/stdout" ||
    fail "allocate by step: no demand line: $(cat "$WORK/stdout")"
$PY - "$WORK/proj.csv" "$WORK/a2026.csv" "$WORK/a2025.csv" <<'PYEOF' || fail "allocate reads the fiscal year's months"
import sys
import pandas as pd
p, a, b = (pd.read_csv(f, dtype={"unique_id": str}) for f in sys.argv[1:4])
p = p[p.year == 2026].set_index("unique_id").amount_fen
a, b = a.set_index("unique_id").amount_fen, b.set_index("unique_id").amount_fen
assert (a.reindex(p.index) == p).all(), "allocate 2026 != projection 2026"
assert (b.reindex(p.index) != p).any(), "h = 1..12 should read 2025"
PYEOF
expect_exit 1 "1..100" -- project --spec "$DEMO/plan.spec" --communities "$DEMO/communities.csv" \
    --forecasts "$WORK/fc36.csv" --years 0 --out "$WORK/x.csv"

# When the map changes (docs/ALLOCATION.md): C001 and C002 merged into C900, written as an office
# writes it (Excel CSV with a BOM, a Chinese 前身 column, 0 where last year's sheet had no row for
# the new id).  Declared in [data] predecessors, the 0 is refused with the community, its row and
# the cure; with the parts' sum written, the 85% hold-harmless binds (without the key it passed as
# new: 189,418.09 yuan on the plan's forecasts, -37% on last year's 300,000.00).
$PY - "$DEMO/communities.csv" "$WORK/merged0.csv" "$WORK/merged.csv" <<'PYEOF' || fail "merged communities sheet"
import sys
import pandas as pd
c = pd.read_csv(sys.argv[1], dtype={"unique_id": str})
a, b = c[c.unique_id == "D01-S01-C001"].iloc[0], c[c.unique_id == "D01-S01-C002"].iloc[0]
m = a.copy()
m["unique_id"], m["name"] = "D01-S01-C900", "民主龙湖社区"
for k in ["households", "population_resident", "population_registered", "aged60_resident", "migrant_count",
          "area_km2", "service_points"]:
    m[k] = a[k] + b[k]
m["last_year_funding"] = 0
c = pd.concat([c[~c.unique_id.isin(["D01-S01-C001", "D01-S01-C002"])], m.to_frame().T], ignore_index=True)
c["前身"] = ""
c.loc[c.unique_id == "D01-S01-C900", "前身"] = "D01-S01-C001；D01-S01-C002"
c.to_csv(sys.argv[2], index=False, encoding="utf-8-sig")
c.loc[c.unique_id == "D01-S01-C900", "last_year_funding"] = a.last_year_funding + b.last_year_funding
c.to_csv(sys.argv[3], index=False, encoding="utf-8-sig")
PYEOF
sed 's/^aged = "aged60_resident"/&\npredecessors = "前身"/' "$SPEC" >"$WORK/pred.spec"
grep -q '^predecessors = "前身"' "$WORK/pred.spec" || fail "pred.spec lacks the key"
expect_exit 2 "merged0.csv:1146:21: community 'D01-S01-C900' (line 1146) continues last year's \
D01-S01-C001；D01-S01-C002 (column '前身')" \
    -- allocate --spec "$WORK/pred.spec" --communities "$WORK/merged0.csv" --out "$WORK/m.csv"
grep -q "exempt from hold-harmless and pace; write in 'last_year_funding'" "$WORK/stderr" ||
  fail "no cure: $(cat "$WORK/stderr")"
[ ! -e "$WORK/m.csv" ] || fail "a refused run wrote m.csv"
"$CIV" allocate --spec "$WORK/pred.spec" --communities "$WORK/merged.csv" --out "$WORK/m.csv" --explain \
    >/dev/null 2>"$WORK/stderr" || fail "merged allocation failed: $(cat "$WORK/stderr")"
$PY - "$WORK/m.csv" <<'PYEOF' || fail "merged community's hold-harmless"
import sys
import pandas as pd
a = pd.read_csv(sys.argv[1], dtype={"unique_id": str}).set_index("unique_id")
m = a.loc["D01-S01-C900"]
assert m.last_year_fen == 30000000, m.last_year_fen              # 148,500.00 + 151,500.00
assert m.amount_fen >= 25500000, m.amount_fen                      # at least 85% of it
assert "last year 300000.00" in m.explanation, m.explanation
assert "(last year's amounts from D01-S01-C001+D01-S01-C002)" in m.explanation, m.explanation
PYEOF

# a community closed since last year (C004: 113,900.00 last year) has no row, and its money vanished from
# every total unnamed; with last year's whole fund in [[formula]] last_year_total the command and the summary
# say how much this year's communities carry and how much is gone
grep -v '^D01-S01-C004,' "$DEMO/communities.csv" >"$WORK/closed.csv"
sed 's/^last_year = "last_year_funding".*/&\nlast_year_total = 134_637_500.00/' "$SPEC" >"$WORK/total.spec"
grep -q '^last_year_total = 134_637_500.00' "$WORK/total.spec" || fail "total.spec lacks the key"
"$CIV" allocate --spec "$WORK/total.spec" --communities "$WORK/closed.csv" --out "$WORK/c.csv" \
    --summary "$WORK/cs.csv" >"$WORK/stdout" 2>"$WORK/stderr" ||
  fail "allocate with last_year_total: $(cat "$WORK/stderr")"
want="^last year  *eldercare+health 134,637,500.00, of which this year's communities carry 134,523,600.00; "
want+="113,900.00 was with communities not in this year's table"
grep -q "$want" "$WORK/stdout" || fail "no line for the closed community's money: $(cat "$WORK/stdout")"
grep -q '^history,eldercare+health,not_carried,fen,11390000' "$WORK/cs.csv" || fail "summary lacks not_carried"
# a split part given its parent's whole amount: more than last year's fund, refused at the key
$PY - "$DEMO/communities.csv" "$WORK/twice.csv" <<'PYEOF' || fail "twice sheet"
import sys
import pandas as pd
c = pd.read_csv(sys.argv[1], dtype={"unique_id": str})
c.loc[c.unique_id == "D01-S01-C003", "last_year_funding"] += 200000   # 131,600.00 counted again, and more
c.to_csv(sys.argv[2], index=False, encoding="utf-8-sig")
PYEOF
expect_exit 2 "more than last year's whole fund of 13463750000 (last_year_total): money counted twice" \
    -- allocate --spec "$WORK/total.spec" --communities "$WORK/twice.csv" --out "$WORK/c2.csv"

# last year's allocation as an input (--last-year FILE, [data] last_year_file; docs/ALLOCATION.md "Last year's
# allocation"): last year's --out as civicast writes it (every column; pool_<fund>_fen hold last year's amounts),
# and this year's map: C001 + C002 merged into C900, C005 renamed C905 (their history cells left blank), C004
# closed.  Before, C004 was 113,900.00 "not carried", unnamed; now it is named with its amount, the blanks are
# the file's (C900: the parts' 300,000.00), and the amounts are those of the hand-written sums.
"$CIV" allocate --spec "$SPEC" --communities "$DEMO/communities.csv" --out "$WORK/shape.csv" >/dev/null ||
    fail "allocate for the file's shape"
$PY - "$DEMO/communities.csv" "$WORK/shape.csv" "$WORK" <<'PYEOF' || fail "last year sheets"
import sys
import pandas as pd
c = pd.read_csv(sys.argv[1], dtype={"unique_id": str})
ly = pd.read_csv(sys.argv[2], dtype={"unique_id": str}).set_index("unique_id")
h = c.set_index("unique_id")
ly["pool_eldercare+health_fen"] = (h.last_year_funding * 100).round().astype("int64")
ly["pool_migrant_fen"] = (h.last_year_migrant * 100).round().astype("int64")
ly["amount_fen"] = ly["pool_eldercare+health_fen"] + ly["pool_migrant_fen"]
ly["amount_yuan"] = ly["amount_fen"] / 100  # the yuan agree with the fen, as in a file civicast wrote
ly.reset_index().to_csv(sys.argv[3] + "/last_year.csv", index=False)
a, b = c[c.unique_id == "D01-S01-C001"].iloc[0], c[c.unique_id == "D01-S01-C002"].iloc[0]
m = a.copy()
m["unique_id"], m["name"] = "D01-S01-C900", "民主龙湖社区"
for k in ["households", "population_resident", "population_registered", "aged60_resident", "migrant_count",
          "area_km2", "service_points"]:
    m[k] = a[k] + b[k]
m["last_year_funding"] = a.last_year_funding + b.last_year_funding
v = c[~c.unique_id.isin(["D01-S01-C001", "D01-S01-C002", "D01-S01-C004"])].copy()
v.loc[v.unique_id == "D01-S01-C005", "unique_id"] = "D01-S01-C905"
v = pd.concat([v, m.to_frame().T], ignore_index=True)
v["前身"] = ""
v.loc[v.unique_id == "D01-S01-C900", "前身"] = "D01-S01-C001；D01-S01-C002"
v.loc[v.unique_id == "D01-S01-C905", "前身"] = "D01-S01-C005"
v.to_csv(sys.argv[3] + "/map_sums.csv", index=False, encoding="utf-8-sig")       # the office's hand-made sums
w = v.astype({"last_year_funding": object})
w.loc[w.unique_id.isin(["D01-S01-C900", "D01-S01-C905"]), "last_year_funding"] = ""
w.to_csv(sys.argv[3] + "/map_blank.csv", index=False, encoding="utf-8-sig")      # left to the file
v.loc[v.unique_id == "D01-S01-C900", "last_year_funding"] = 250000
v.to_csv(sys.argv[3] + "/map_wrong.csv", index=False, encoding="utf-8-sig")      # 50,000.00 short
s = c.copy()                                    # C003 (131,600.00) split into C950 and C951, each given all of it
p = s[s.unique_id == "D01-S01-C003"].iloc[0]
x, y = p.copy(), p.copy()
x["unique_id"], y["unique_id"] = "D01-S01-C950", "D01-S01-C951"
s = pd.concat([s[s.unique_id != "D01-S01-C003"], x.to_frame().T, y.to_frame().T], ignore_index=True)
s["前身"] = ""
s.loc[s.unique_id.isin(["D01-S01-C950", "D01-S01-C951"]), "前身"] = "D01-S01-C003"
s.to_csv(sys.argv[3] + "/split_twice.csv", index=False, encoding="utf-8-sig")
PYEOF
"$CIV" allocate --spec "$WORK/pred.spec" --communities "$WORK/map_sums.csv" --out "$WORK/m_sums.csv" >/dev/null \
    2>"$WORK/stderr" || fail "allocate with the sums written: $(cat "$WORK/stderr")"
"$CIV" allocate --spec "$WORK/pred.spec" --communities "$WORK/map_blank.csv" --last-year "$WORK/last_year.csv" \
    --out "$WORK/m_blank.csv" --summary "$WORK/m_sum.csv" >"$WORK/stdout" 2>"$WORK/stderr" ||
    fail "allocate --last-year: $(cat "$WORK/stderr")"
grep -q "^closed  *1 of last year's communities, continued by none this year: D01-S01-C004 临江社区 113,900.00$" \
    "$WORK/stdout" || fail "the closed community is not named: $(cat "$WORK/stdout")"
grep -q "^last year  *eldercare+health 134,637,500.00, of which this year's communities carry 134,523,600.00; " \
    "$WORK/stdout" || fail "no history line from the file: $(cat "$WORK/stdout")"
grep -q '^closed,D01-S01-C004,amount,fen,11390000,临江社区' "$WORK/m_sum.csv" || fail "summary lacks the closed row"
cmp -s "$WORK/m_sums.csv" "$WORK/m_blank.csv" || fail "blanks from the file differ from the sums written by hand"
# the spec key, relative to the spec's folder, does the same
mkdir -p "$WORK/specs"
cp "$WORK/last_year.csv" "$WORK/specs/ly.csv"
sed 's/^predecessors = "前身"/&\nlast_year_file = "ly.csv"/' "$WORK/pred.spec" >"$WORK/specs/key.spec"
"$CIV" allocate --spec "$WORK/specs/key.spec" --communities "$WORK/map_blank.csv" --out "$WORK/m_key.csv" \
    >"$WORK/stdout" 2>"$WORK/stderr" || fail "allocate with last_year_file: $(cat "$WORK/stderr")"
grep -q "D01-S01-C004 临江社区 113,900.00" "$WORK/stdout" || fail "last_year_file: $(cat "$WORK/stdout")"
cmp -s "$WORK/m_sums.csv" "$WORK/m_key.csv" || fail "last_year_file gives other amounts"
# scenarios and the projection read the key too (the blanks were refused as missing)
"$CIV" allocate --compare "$WORK/specs/key.spec" "$WORK/specs/key.spec" --communities "$WORK/map_blank.csv" \
    --out "$WORK/m_cmp.csv" >/dev/null 2>"$WORK/stderr" || fail "compare with last_year_file: $(cat "$WORK/stderr")"
# --last-year on scenarios, the Monte Carlo and the projection (they read only the spec's key before: the
# option was refused as unknown, exit 1): the spec names no file, so the blanks of C900 and C905 come from it
expect_exit 2 "is missing (NaN) for community" -- allocate --compare "$WORK/pred.spec" "$WORK/pred.spec" \
    --communities "$WORK/map_blank.csv" --out "$WORK/x.csv"
"$CIV" allocate --compare "$WORK/pred.spec" "$WORK/specs/key.spec" --communities "$WORK/map_blank.csv" \
    --last-year "$WORK/last_year.csv" --out "$WORK/m_cmp2.csv" >/dev/null 2>"$WORK/stderr" ||
    fail "compare --last-year: $(cat "$WORK/stderr")"
"$CIV" allocate --spec "$WORK/pred.spec" --communities "$WORK/map_blank.csv" --last-year "$WORK/last_year.csv" \
    --uncertainty 5 --weight-concentration 200 --out "$WORK/m_unc.csv" >/dev/null 2>"$WORK/stderr" ||
    fail "allocate --uncertainty --last-year: $(cat "$WORK/stderr")"
sed 's/^aged = "aged60_resident"/&\npredecessors = "前身"/' "$DEMO/plan.spec" >"$WORK/pred_plan.spec"
grep -q '^predecessors = "前身"' "$WORK/pred_plan.spec" || fail "pred_plan.spec lacks the key"
# this year's forecasts: C900's are C001's + C002's, C905's C005's, none for the closed C004
$PY - "$WORK/fc36.csv" "$WORK/fc36_map.csv" <<'PYEOF'
import sys
import pandas as pd
f = pd.read_csv(sys.argv[1], dtype={"unique_id": str})
m = f[f.unique_id.isin(["D01-S01-C001", "D01-S01-C002"])].groupby(["ds", "h", "model"], as_index=False)["mean"].sum()
f = pd.concat([f[~f.unique_id.isin(["D01-S01-C001", "D01-S01-C002", "D01-S01-C004"])],
               m.assign(unique_id="D01-S01-C900")], ignore_index=True)
f.loc[f.unique_id == "D01-S01-C005", "unique_id"] = "D01-S01-C905"
f.to_csv(sys.argv[2], index=False)
PYEOF
expect_exit 2 "is missing (NaN) for community" -- project --spec "$WORK/pred_plan.spec" \
    --communities "$WORK/map_blank.csv" --forecasts "$WORK/fc36_map.csv" --years 2 --out "$WORK/x.csv"
"$CIV" project --spec "$WORK/pred_plan.spec" --communities "$WORK/map_blank.csv" --forecasts "$WORK/fc36_map.csv" \
    --years 2 --last-year "$WORK/last_year.csv" --out "$WORK/m_proj.csv" >/dev/null 2>"$WORK/stderr" ||
    fail "project --last-year: $(cat "$WORK/stderr")"
$PY - "$WORK/m_sums.csv" "$WORK/m_cmp2.csv" "$WORK/m_unc.csv" "$WORK/m_proj.csv" <<'PYEOF' || fail "--last-year"
import sys
import pandas as pd
rd = lambda f: pd.read_csv(f, dtype={"unique_id": str}).set_index("unique_id")
sums, cmp, unc, proj = (rd(f) for f in sys.argv[1:])
assert (cmp["amount_pred"] == sums.amount_fen).all()           # the same amounts as the sums written by hand
assert (cmp["amount_key"] == sums.amount_fen).all()            # --last-year overrides the key (the same file)
assert (unc.amount_fen == sums.amount_fen).all() and "p50_fen" in unc.columns
first = proj[proj.year == 2026]
assert first.loc["D01-S01-C900", "last_year_eldercare+health_fen"] == 30000000  # C001 + C002 from the file
assert first.loc["D01-S01-C905", "last_year_eldercare+health_fen"] > 0          # C005's, renamed
PYEOF
rm -f "$WORK/x.csv"
# a hand-made sum that differs from the file: both values, the cell, the cure
expect_exit 2 "map_wrong.csv:1145:17: community 'D01-S01-C900' (line 1145) has 250,000.00 last year in \
'last_year_funding', but last year's allocation" -- allocate --spec "$WORK/pred.spec" \
    --communities "$WORK/map_wrong.csv" --last-year "$WORK/last_year.csv" --out "$WORK/x.csv"
grep -q "gives 300,000.00 ('D01-S01-C001' + 'D01-S01-C002', fund 'eldercare+health'): correct the cell or the \
file, or leave the cell blank" "$WORK/stderr" || fail "wrong sum message: $(cat "$WORK/stderr")"
[ -e "$WORK/x.csv" ] && fail "a refused run wrote its output"
# a split whose parts each got the parent's whole amount: without the file (and without last_year_total) it
# passes, each part promised 85% of all of it; with the file, refused, naming the parts
"$CIV" allocate --spec "$WORK/pred.spec" --communities "$WORK/split_twice.csv" --out "$WORK/x.csv" >/dev/null \
    2>&1 || fail "the split passed before (the old behaviour without the file)"
rm -f "$WORK/x.csv"
expect_exit 2 "last year's 'D01-S01-C003' (.*last_year.csv:4) was split into 'D01-S01-C950' 131,600.00, \
'D01-S01-C951' 131,600.00 (column '前身')" -- allocate --spec "$WORK/pred.spec" \
    --communities "$WORK/split_twice.csv" --last-year "$WORK/last_year.csv" --out "$WORK/x.csv"
grep -q "sum to 263,200.00, more than the 131,600.00" "$WORK/stderr" || fail "split message: $(cat "$WORK/stderr")"

# a community with no forecast (a new estate not yet in the panel) under if_missing = "zero": its demand
# counts 0, and its explanation says so (it said nothing: the factor was absent from its shares)
grep -v '^D01-S01-C007,' "$WORK/fc36.csv" >"$WORK/fc36_new.csv"
"$CIV" allocate --spec "$DEMO/plan.spec" --communities "$DEMO/communities.csv" --forecasts "$WORK/fc36_new.csv" \
    --out "$WORK/anew.csv" --explain >"$WORK/stdout" 2>"$WORK/stderr" ||
  fail "allocate, one forecast missing: $(cat "$WORK/stderr")"
# ... and the summary counts them (before 2026-12-07 it said nothing; only the explanations did)
want='forecast demand        meal_demand: 1 of 1146 communities has no forecast and counts as 0 (if_missing = '
grep -qF "$want\"zero\"; its explanation says so)" "$WORK/stdout" || fail "no-forecast line: $(cat "$WORK/stdout")"
$PY - "$WORK/anew.csv" <<'PYEOF' || fail "no-forecast explanation"
import sys
import pandas as pd
a = pd.read_csv(sys.argv[1], dtype={"unique_id": str}).set_index("unique_id")
assert "(助餐需求: no forecast, counted as 0)" in a.loc["D01-S01-C007"].explanation, a.loc["D01-S01-C007"].explanation
assert a.loc["D01-S01-C007"].factor_meal_demand_fen == 0
assert a.explanation.str.contains("no forecast").sum() == 1
PYEOF

# last year's allocation of more funds than this year's (the migrant fund discontinued): each fund's last year
# is read from its own column, in the CSV and in the workbook (zh, en), and the total is checked against every
# fund's column the file has.  Before, the file was refused as hand-edited ("has 15407484 in 'amount_fen' but
# its funds' columns sum to 12520500"), and a fund relabelled since took the all-funds total as its last year.
"$CIV" allocate --spec "$SPEC" --communities "$DEMO/communities.csv" --out "$WORK/ly2.csv" \
    --workbook "$WORK/ly2.xlsx" >/dev/null 2>"$WORK/stderr" || fail "last year (2 funds): $(cat "$WORK/stderr")"
"$CIV" allocate --spec "$SPEC" --communities "$DEMO/communities.csv" --out "$WORK/ly2_en.csv" \
    --workbook "$WORK/ly2_en.xlsx" --lang en >/dev/null 2>"$WORK/stderr" || fail "last year (en): $(cat "$WORK/stderr")"
$PY - "$SPEC" "$WORK" "$DEMO/communities.csv" <<'PYEOF' ||
import re, sys
import pandas as pd
spec, work = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2]
def label(text, pool, lab):
    return re.sub(r'(\nname = "%s" .*\n)' % pool, r'\1label = "%s"\n' % lab, text, count=1)
# last year's spec with its pools labelled: its workbook heads the funds 民政养老补贴+公共卫生服务（分）, 流动人口（分）
lab = label(label(label(spec, "eldercare", "民政养老补贴"), "health", "公共卫生服务"), "migrant", "流动人口")
open(work + "/labelled.spec", "w", encoding="utf-8").write(lab)
for cut in (r'\[\[pool\]\]\nname = "migrant".*?\n\n', r'\[\[formula\]\]\nname = "migrant".*?\n\n',
            r'\[\[factor\]\]\nname = "migrant_count".*?weight = 1.0\n'):
    spec, n = re.subn(cut, "", spec, flags=re.S)
    assert n == 1, cut
spec = spec.replace("share = 0.7 ", "share = 1   ")
open(work + "/nomig.spec", "w", encoding="utf-8").write(spec)
# this year's one fund labelled, 公共卫生 where last year's said 公共卫生服务
open(work + "/relabel.spec", "w", encoding="utf-8").write(
    label(label(spec, "eldercare", "民政养老补贴"), "health", "公共卫生"))
c = pd.read_csv(sys.argv[3], dtype=str, keep_default_na=False)
c["last_year_funding"] = ""
c.to_csv(work + "/blank_ly.csv", index=False)
PYEOF
    fail "the one-fund specs"
for ly in ly2.csv ly2.xlsx ly2_en.xlsx; do
    "$CIV" allocate --spec "$WORK/nomig.spec" --communities "$WORK/blank_ly.csv" --last-year "$WORK/$ly" \
        --out "$WORK/nomig_$ly.csv" --summary "$WORK/nomig_sum_$ly.csv" >"$WORK/stdout" 2>"$WORK/stderr" ||
        fail "one fund, last year $ly: $(cat "$WORK/stderr")"
    # the discontinued fund is named with its total (before 2026-12-07: read, and reported nowhere)
    grep -q "^discontinued  *last year's fund migrant (18,216,000.00) is none of this spec's funds: not allocated" \
        "$WORK/stdout" || fail "no line for the discontinued fund ($ly): $(cat "$WORK/stdout")"
    grep -q "^discontinued,migrant,last_year_total,fen,1821600000$" "$WORK/nomig_sum_$ly.csv" ||
        fail "no summary row for the discontinued fund ($ly)"
done
$PY - "$WORK/ly2.csv" "$WORK/nomig_ly2.csv.csv" "$WORK/nomig_ly2.xlsx.csv" "$WORK/nomig_ly2_en.xlsx.csv" <<'PYEOF' ||
import sys
import pandas as pd
ly = pd.read_csv(sys.argv[1], dtype={"unique_id": str}).set_index("unique_id")
for f in sys.argv[2:]:
    a = pd.read_csv(f, dtype={"unique_id": str}).set_index("unique_id")
    # the fund's own column, never the total (D01-S03-C012: 125,205.00 of its 154,074.84)
    assert (a["last_year_eldercare+health_fen"] == ly["pool_eldercare+health_fen"]).all(), f
    assert a.loc["D01-S03-C012", "last_year_eldercare+health_fen"] == 12520500, f
    assert open(f, "rb").read() == open(sys.argv[2], "rb").read(), f   # the workbook reads as the CSV
PYEOF
    fail "last year of one fund from a file of two"
# a hand edit is still caught with the discontinued fund's column counted
$PY - "$WORK/ly2.csv" "$WORK/ly2_edit.csv" <<'PYEOF' || fail "edit the migrant column"
import sys
t = open(sys.argv[1], encoding="utf-8-sig").read().splitlines()
h = t[0].split(","); k = h.index("pool_migrant_fen")
for i, line in enumerate(t[1:], 1):
    r = line.split(",")
    if r[0] == "D01-S03-C012":
        r[k] = str(int(r[k]) + 100); t[i] = ",".join(r)
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(t) + "\n")
PYEOF
expect_exit 2 "community 'D01-S03-C012' has 15407484 in 'amount_fen' but its funds' columns sum to 15407584 \
('pool_eldercare+health_fen' 12520500 + 'pool_migrant_fen' 2887084)" -- allocate --spec "$WORK/nomig.spec" \
    --communities "$WORK/blank_ly.csv" --last-year "$WORK/ly2_edit.csv" --out "$WORK/x.csv"
# the one fund relabelled since: its column is not found under this year's header (nor its name's); the
# workbook's own summary sheet (分配汇总: fund eldercare+health, 名称 民政养老补贴+公共卫生服务) names the fund
# that header is, so it is read as that fund's (before 2026-12-07: refused, "has no column"; and before that,
# exit 0 with each community's last year the total of both funds, 154,074.84 for D01-S03-C012's 125,205.00)
"$CIV" allocate --spec "$WORK/labelled.spec" --communities "$DEMO/communities.csv" --out "$WORK/x.csv" \
    --workbook "$WORK/ly_lab.xlsx" >/dev/null 2>"$WORK/stderr" || fail "labelled last year: $(cat "$WORK/stderr")"
rm -f "$WORK/x.csv"
"$CIV" allocate --spec "$WORK/relabel.spec" --communities "$WORK/blank_ly.csv" --last-year "$WORK/ly_lab.xlsx" \
    --out "$WORK/lab_other.csv" >/dev/null 2>"$WORK/stderr" || fail "label of last year's spec: $(cat "$WORK/stderr")"
# the allocation sheet alone (the summary sheet deleted by hand): the header's fund is unknown, so refused,
# naming the headers and the one to write
$PY - "$WORK/ly_lab.xlsx" "$WORK/ly_lab_nosum.xlsx" <<'PYEOF' || fail "delete the summary sheet"
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
for name in wb.sheetnames[1:]:
    del wb[name]
wb.save(sys.argv[2])
PYEOF
expect_exit 2 "has no column '民政养老补贴+公共卫生（分）' (nor 'eldercare+health（分）') for fund 'eldercare+health', \
but 2 funds' columns ('民政养老补贴+公共卫生服务（分）', '流动人口（分）'): its total '分配金额（分）' is their sum.*\
head it '民政养老补贴+公共卫生（分）'" -- \
    allocate --spec "$WORK/relabel.spec" --communities "$WORK/blank_ly.csv" --last-year "$WORK/ly_lab_nosum.xlsx" \
    --out "$WORK/x.csv"
[ -e "$WORK/x.csv" ] && fail "the relabelled fund's refusal wrote its output"
# the same under last year's labels, and under this year's labels from a workbook headed by the fund's name
# (last year's spec had none): found, the fund's own column
sed 's/label = "公共卫生"$/label = "公共卫生服务"/' "$WORK/relabel.spec" >"$WORK/samelabel.spec"
"$CIV" allocate --spec "$WORK/samelabel.spec" --communities "$WORK/blank_ly.csv" --last-year "$WORK/ly_lab.xlsx" \
    --out "$WORK/lab_same.csv" >/dev/null 2>"$WORK/stderr" || fail "same labels: $(cat "$WORK/stderr")"
"$CIV" allocate --spec "$WORK/relabel.spec" --communities "$WORK/blank_ly.csv" --last-year "$WORK/ly2.xlsx" \
    --out "$WORK/lab_name.csv" >/dev/null 2>"$WORK/stderr" || fail "found by name: $(cat "$WORK/stderr")"
for f in lab_same.csv lab_name.csv lab_other.csv; do
    $PY -c "import sys, pandas as pd; a = pd.read_csv(sys.argv[1]).set_index('unique_id');
assert a.loc['D01-S03-C012', 'last_year_eldercare+health_fen'] == 12520500" "$WORK/$f" || fail "$f: the total read"
done

# --paid given the plan's workbook reads as the CSV it was written from: with two funds and no paid key, refused
# as the CSV is (before: the total 分配金额（分） taken as what the one fund paid, D10-S04-C003 144,066.04 for its
# 64,800.00); the key pool_eldercare+health_fen found under its header eldercare+health（分） (before: "no column")
grep -v '^paid = ' "$DEMO/release.spec" >"$WORK/release_nopaid.spec"
for book in ly2.csv ly2.xlsx ly2_en.xlsx; do
    expect_exit 2 "the paid table holds 2 funds (pool_eldercare+health_fen, ...), and its amount_fen is their sum" \
        -- allocate --spec "$WORK/release_nopaid.spec" --communities "$DEMO/communities.csv" --paid "$WORK/$book" \
        --out "$WORK/x.csv"
    "$CIV" allocate --spec "$DEMO/release.spec" --communities "$DEMO/communities.csv" --paid "$WORK/$book" \
        --out "$WORK/rel_$book.csv" --explain >/dev/null 2>"$WORK/stderr" || fail "--paid $book: $(cat "$WORK/stderr")"
done
cmp -s "$WORK/rel_ly2.csv.csv" "$WORK/rel_ly2.xlsx.csv" || fail "--paid: the workbook reads otherwise than the CSV"
cmp -s "$WORK/rel_ly2.csv.csv" "$WORK/rel_ly2_en.xlsx.csv" || fail "--paid: the English workbook reads otherwise"
grep '^D10-S04-C003,' "$WORK/rel_ly2.xlsx.csv" | grep -q "paid 64800.00" || fail "--paid: D10-S04-C003's paid"
# --paid given a workbook written under another spec that labels the funds (民政养老补贴+公共卫生服务（分）): the
# workbook's summary sheet maps the label back to the fund (before 2026-12-07: "the paid table has no column
# 'pool_eldercare+health_fen'")
"$CIV" allocate --spec "$DEMO/release.spec" --communities "$DEMO/communities.csv" --paid "$WORK/ly_lab.xlsx" \
    --out "$WORK/rel_lab.csv" --explain >/dev/null 2>"$WORK/stderr" || fail "--paid labelled: $(cat "$WORK/stderr")"
cmp -s "$WORK/rel_ly2.csv.csv" "$WORK/rel_lab.csv" || fail "--paid: the labelled workbook reads otherwise than the CSV"
# ... and without its summary sheet: refused naming the funds' columns it has and what to write
expect_exit 2 "has no column 'pool_eldercare+health_fen' for fund .*; its funds' columns are \
'pool_民政养老补贴+公共卫生服务_fen', 'pool_流动人口_fen': if one of them is this fund's, set paid to that name" -- \
    allocate --spec "$DEMO/release.spec" --communities "$DEMO/communities.csv" --paid "$WORK/ly_lab_nosum.xlsx" \
    --out "$WORK/x.csv"

if [ "$failures" -ne 0 ]; then
    echo "allocate.sh: $failures failure(s)" >&2
    exit 1
fi
echo "allocate.sh: all checks passed"
