#!/usr/bin/env bash
# compare.sh -- scenarios and uncertainty through `civicast allocate`:
# --compare on the demo city (the bundled spec against one with other weights
# and a stronger aging tilt): the comparison table's changes and outcomes,
# totals equal in both, the waterfall adds up (base + effects = amount) per
# spec, in total and per district (the migrant earmark as its own step), and
# district rows add up to the total; the stdout summary names gainers, losers
# and the waterfall.  --uncertainty on the
# tiny plan data: p5 <= p50 <= p95 columns, identical on 1 and 2 threads,
# --weight-concentration; usage and spec errors give the documented codes.
# usage: bash compare.sh PATH_TO_CIVICAST   (env CIV_SOURCE_DIR)
set -u
source "$(dirname "$0")/lib.sh"
cli_start "$@"
DEMO="$SRC/datasets/demo_city"
DATA="$SRC/tests/data/plan"

# 1. two scenarios on the demo city
sed 's/^weight = 0.35/weight = 0.45/; s/^weight = 0.15/weight = 0.05/; s/multiplier = 1.2/multiplier = 1.5/' \
    "$DEMO/allocation.spec" >"$WORK/alt.spec"
"$CIV" allocate --compare "$DEMO/allocation.spec" "$WORK/alt.spec" --communities "$DEMO/communities.csv" \
    --out "$WORK/cmp.csv" --summary "$WORK/wf.csv" >"$WORK/stdout" 2>"$WORK/stderr" ||
    fail "compare failed: $(cat "$WORK/stderr")"
for word in "scenarios" "alt vs allocation" "top gainers" "top losers" "waterfall" "tilt +" "earmark +" "hold_harmless"; do
    grep -q -- "$word" "$WORK/stdout" || fail "compare summary lacks '$word'"
done
$PY - "$WORK/cmp.csv" "$WORK/wf.csv" <<'PYEOF' || fail "compare checks"
import sys
import pandas as pd
c = pd.read_csv(sys.argv[1]); w = pd.read_csv(sys.argv[2])
assert len(c) == 1146
assert c.amount_allocation.sum() == c.amount_alt.sum() == 15_272_000_000
assert (c.change_alt == c.amount_alt - c.amount_allocation).all()
assert ((c.change_alt > 0) == (c.outcome_alt == "gains")).all()
assert ((c.change_alt < 0) == (c.outcome_alt == "loses")).all()
assert (c.change_alt > 0).any() and (c.change_alt < 0).any()
effects = ["tilt", "earmark", "floor", "cap", "hold_harmless", "pace", "ratable", "rebalance", "rounding"]
# the effects sit between base and amount in reading order (factors, tilts, earmarks, bounds, ...)
cols = list(w.columns)
assert cols[cols.index("base") + 1:cols.index("amount")] == effects, cols
net = w[w.scope.isin(["total", "district"])]
err = (net.base + net[effects].sum(axis=1) - net.amount).abs().max()
assert err < 1e-2, err
for spec in ("allocation", "alt"):
    ws = w[w.spec == spec]
    t = ws[ws.scope == "total"].iloc[0]
    d = ws[ws.scope == "district"]
    assert t.amount == 15_272_000_000 and d.amount.sum() == t.amount
    assert abs(t.tilt) < 1e-2                    # a tilt only moves money within a fund
    # the migrant earmark: its factor base is the earmark step, the base holds the general funds only
    assert t.earmark > 0 and abs(t.base + t.earmark - t.amount) < 1e-2
    assert (d.earmark >= 0).all() and abs(d.earmark.sum() - t.earmark) < 1e-2
    g, l = ws[ws.scope == "gained"].iloc[0], ws[ws.scope == "lost"].iloc[0]
    assert (g[effects] >= 0).all() and (l[effects] <= 0).all()
    assert abs(g.tilt + l.tilt - t.tilt) < 1e-2
# the stronger tilt moves more money
wa = w[(w.scope == "gained")].set_index("spec")
assert wa.loc["alt", "tilt"] > wa.loc["allocation", "tilt"]
# district rows per spec: the communities of that district
assert (w[(w.spec == "alt") & (w.scope == "district")].communities.sum()) == 1146
PYEOF

# 2. uncertainty columns (tiny plan data with seasonal-naive forecasts)
"$CIV" plan "$DATA/plan.toml" --out "$WORK/t" --draws 0 >/dev/null 2>"$WORK/stderr" ||
    fail "tiny plan failed: $(cat "$WORK/stderr")"
for t in 1 2; do
    "$CIV" allocate --spec "$DATA/plan.spec" --communities "$DATA/communities.csv" --forecasts "$WORK/t/forecasts.csv" \
        --out "$WORK/u$t.csv" --uncertainty 300 --seed 5 --threads $t --uncertainty-out "$WORK/q$t.csv" \
        --draws-out "$WORK/d$t.csv" \
        >"$WORK/stdout" 2>"$WORK/stderr" || fail "allocate --uncertainty on $t thread(s): $(cat "$WORK/stderr")"
done
grep -q "^wrote .*u2.csv, .*q2.csv, .*d2.csv$" "$WORK/stdout" || fail "the wrote line: $(tail -1 "$WORK/stdout")"
cmp -s "$WORK/d1.csv" "$WORK/d2.csv" || fail "the draws differ between 1 and 2 threads"
grep -q "300 draws" "$WORK/stdout" || fail "uncertainty line missing: $(cat "$WORK/stdout")"
cmp -s "$WORK/u1.csv" "$WORK/u2.csv" || fail "uncertainty columns differ between 1 and 2 threads"
# an allocation that cannot vary (every community held at last year's amount by hold-harmless 1 and pace 0) says
# so plainly and why: before, "widest P01 0.0%; widest district East 0.0%", as if one band were widest
cat >"$WORK/held.spec" <<'SPEC'
version = "held-1"
[budget]
total = 88_000.00
fiscal_year = 2026
[data]
last_year = "last_year_funding"
[[pool]]
name = "main"
share = 1.0
formula = "main"
[[formula]]
name = "main"
hold_harmless = 1.0
pace = 0.0
last_year = "last_year_funding"
[[factor]]
name = "meal_demand"
formula = "main"
source = "forecast"
horizon = 12
weight = 1.0
SPEC
"$CIV" allocate --spec "$WORK/held.spec" --communities "$DATA/communities.csv" --forecasts "$WORK/t/forecasts.csv" \
    --out "$WORK/held.csv" --uncertainty 50 >"$WORK/stdout" 2>"$WORK/stderr" ||
    fail "allocate --uncertainty, every community held: $(cat "$WORK/stderr")"
grep -qF "P5-P95 width          0: the allocation does not vary across the draws (every community got the same amount \
in each, because each is held by a constraint, whatever the demand)" "$WORK/stdout" ||
    fail "an allocation that does not vary: $(grep -A1 uncertainty "$WORK/stdout")"
if grep -q "widest" "$WORK/stdout"; then fail "a widest band of 0.0%: $(grep -A1 uncertainty "$WORK/stdout")"; fi
cmp -s "$WORK/q1.csv" "$WORK/q2.csv" || fail "uncertainty table differs between 1 and 2 threads"
"$CIV" allocate --spec "$DATA/plan.spec" --communities "$DATA/communities.csv" --forecasts "$WORK/t/forecasts.csv" \
    --out "$WORK/w.csv" --uncertainty 100 --weight-concentration 50 >/dev/null 2>"$WORK/stderr" ||
    fail "allocate --weight-concentration: $(cat "$WORK/stderr")"
$PY - "$WORK/u1.csv" "$WORK/q1.csv" "$WORK/w.csv" "$WORK/d1.csv" <<'PYEOF' || fail "uncertainty checks"
import sys
import pandas as pd
a = pd.read_csv(sys.argv[1]); q = pd.read_csv(sys.argv[2]); w = pd.read_csv(sys.argv[3])
# --draws-out: the draws the p5/p50/p95 columns summarise (type 7), each summing to the total, in whole fen
d = pd.read_csv(sys.argv[4], dtype={"unique_id": str}).set_index("unique_id")
assert list(d.columns) == [f"draw_{k}_fen" for k in range(1, 301)], list(d.columns)[:3]
assert list(d.index) == list(a.unique_id.astype(str)) and (d.sum() == 11_400_000).all()
assert (d % 1 == 0).all().all()
for p, col in ((0.05, "p5_fen"), (0.5, "p50_fen"), (0.95, "p95_fen")):
    assert (abs(d.quantile(p, axis=1).to_numpy() - a[col].to_numpy()) < 1e-6).all(), col
for t in (a, w):
    assert (t.p5_fen <= t.p50_fen).all() and (t.p50_fen <= t.p95_fen).all()
assert (a.p95_fen > a.p5_fen).any()
assert list(q.scope.unique()) == ["community", "district", "total"]
tot = q[q.scope == "total"].iloc[0]
assert tot.p5_fen == tot.p50_fen == tot.p95_fen == 11_400_000
d = q[q.scope == "district"]
assert d.amount_fen.sum() == 11_400_000
PYEOF

# 3. errors
expect_exit 1 "at least two specs" -- allocate --compare "$DEMO/allocation.spec" --communities \
    "$DEMO/communities.csv" --out "$WORK/x.csv"
printf 'version = "b"\n[budget]\ntotal = 1.00\nfiscal_year = 2026\nbogus = 1\n' >"$WORK/bad.spec"
expect_exit 4 "bad.spec:5:1" -- allocate --compare "$DEMO/allocation.spec" "$WORK/bad.spec" \
    --communities "$DEMO/communities.csv" --out "$WORK/x.csv"
[ -e "$WORK/x.csv" ] && fail "a failed comparison wrote its output"
expect_exit 1 "need --uncertainty" -- allocate --spec "$DEMO/allocation.spec" --communities \
    "$DEMO/communities.csv" --out "$WORK/x.csv" --seed 3
expect_exit 1 "need --uncertainty" -- allocate --spec "$DEMO/allocation.spec" --communities \
    "$DEMO/communities.csv" --out "$WORK/x.csv" --draws-out "$WORK/x_d.csv"
expect_exit 2 "same file" -- allocate --spec "$DATA/plan.spec" --communities "$DATA/communities.csv" \
    --forecasts "$WORK/t/forecasts.csv" --out "$WORK/x.csv" --uncertainty 5 --draws-out "$WORK/x.csv"
expect_exit 4 "nothing to perturb" -- allocate --spec "$DEMO/allocation.spec" --communities \
    "$DEMO/communities.csv" --out "$WORK/x.csv" --uncertainty 10

[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "compare.sh: ok"
