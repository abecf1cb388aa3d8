#!/usr/bin/env bash
# blame.sh -- right exit code, right file (issue 18 items 8 and 9): every
# fault of a spec or config text (TOML syntax, duplicate keys and tables) is
# exit 4, the spec code, not 2; `need --forecasts F` blames F, not the spec;
# a missing unique_id is reported at the header line, not at a column past
# its end; an attribute of 1e-310 is blamed on the communities file, row and
# field that hold it, not on an output; a UTF-16 file is named as such with
# the fix.
# usage: bash blame.sh PATH_TO_CIVICAST   (env CIV_SOURCE_DIR)
set -u
source "$(dirname "$0")/lib.sh"
cli_start "$@"
DATA="$SRC/tests/data/plan"
DEMO="$SRC/datasets/demo_city"

# lacks PATTERN: the last command's stderr must not match
lacks() { ! grep -q -- "$1" "$WORK/stderr" || fail "stderr has '$1': $(cat "$WORK/stderr")"; }

# 1. spec and config texts: syntax errors and duplicates are exit 4
{ printf 'version = "x\n'; cat "$DATA/plan.spec"; } >"$WORK/syntax.spec"
expect_exit 4 "syntax.spec:1:13: unterminated string" -- allocate --spec "$WORK/syntax.spec" \
    --communities "$DATA/communities.csv" --out "$WORK/a.csv"
{ cat "$DATA/plan.spec"; printf '[data]\n'; } >"$WORK/duptable.spec"
expect_exit 4 "duptable.spec:[0-9]*:1: duplicate table \[data\]" -- allocate --spec "$WORK/duptable.spec" \
    --communities "$DATA/communities.csv" --out "$WORK/a.csv"
sed 's/^population = "population"$/population = "population"\npopulation = "aged60"/' "$DATA/plan.spec" \
    >"$WORK/dupkey.spec"
expect_exit 4 "dupkey.spec:12:1: duplicate key 'population' (first at line 11)" -- allocate \
    --spec "$WORK/dupkey.spec" --communities "$DATA/communities.csv" --out "$WORK/a.csv"
printf '[plan\n' >"$WORK/syntax.toml"
expect_exit 4 "syntax.toml:1:6: expected ']'" -- plan "$WORK/syntax.toml" --out "$WORK/o"
printf '[plan]\npanel = "a.csv"\npanel = "b.csv"\n' >"$WORK/dup.toml"
expect_exit 4 "dup.toml:3:1: duplicate key 'panel'" -- plan "$WORK/dup.toml" --out "$WORK/o"
{ cat "$DEMO/indicators.toml"; printf '[[indicator]\n'; } >"$WORK/ind.toml"
expect_exit 4 "ind.toml:[0-9]*:[0-9]*: expected ']]'" -- monitor "$WORK/ind.toml" "$DEMO/monitoring.csv" \
    --out "$WORK/m"
expect_exit 4 "syntax.spec:1:13" -- need --spec "$WORK/syntax.spec" --forecasts "$DATA/meals.csv" \
    --out "$WORK/n.csv"

# 2. need: a fault of the forecasts names the forecasts file
"$CIV" forecast "$DATA/meals.csv" --out "$WORK/fc.csv" --model snaive --h 12 -q || fail "forecast failed"
expect_exit 2 "^civicast: $WORK/fc.csv: need: no forecast rows fall in 2026" -- need --spec "$DATA/plan.spec" \
    --forecasts "$WORK/fc.csv" --out "$WORK/n.csv"
lacks "plan.spec"
"$CIV" forecast "$DATA/meals.csv" --out "$WORK/fc18.csv" --model snaive --h 18 -q || fail "forecast failed"
expect_exit 2 "^civicast: $WORK/fc18.csv: need: community '.*' has forecasts for 6 of the 12 periods of 2026" -- \
    need --spec "$DATA/plan.spec" --forecasts "$WORK/fc18.csv" --out "$WORK/n.csv"
printf 'id,when,mean\nP01,2026-01,1\n' >"$WORK/nocols.csv"
expect_exit 2 "^civicast: $WORK/nocols.csv: need: the forecasts need columns unique_id and ds" -- need \
    --spec "$DATA/plan.spec" --forecasts "$WORK/nocols.csv" --out "$WORK/n.csv"
printf 'unique_id,ds,h\nP01,2026-01,1\n' >"$WORK/nomean.csv"
expect_exit 2 "^civicast: $WORK/nomean.csv: need: the forecasts have no number column 'mean'" -- need \
    --spec "$DATA/plan.spec" --forecasts "$WORK/nomean.csv" --out "$WORK/n.csv"
[ ! -e "$WORK/n.csv" ] || fail "need wrote its output after an error"

# 3. a missing unique_id is reported at the header line, with no column
printf 'ds,y\n2024-01,1\n' >"$WORK/noid.csv"
expect_exit 2 "noid.csv:1: the header has no 'unique_id' column" -- forecast "$WORK/noid.csv" --out "$WORK/f.csv"
lacks "noid.csv:1:[0-9]"

# 4. a subnormal attribute is the communities file's fault, at its row and field
sed 's/^P02,East,2500,/P02,East,1e-310,/' "$DATA/communities.csv" >"$WORK/tiny.csv"
expect_exit 2 "^civicast: $WORK/tiny.csv:3:3: .*attribute 'population' is 1e-310 for community 'P02' (line 3)" -- \
    allocate --spec "$DATA/plan.spec" --communities "$WORK/tiny.csv" --forecasts "$WORK/fc.csv" \
    --out "$WORK/a.csv" --summary "$WORK/s.csv"
lacks "infinite"
[ ! -e "$WORK/a.csv" ] && [ ! -e "$WORK/s.csv" ] || fail "allocate wrote outputs after an error"

# 5. UTF-16 (with a BOM, little- and big-endian without one) is named, with the fix
for enc in UTF-16 UTF-16LE UTF-16BE; do
    iconv -f UTF-8 -t "$enc" "$DATA/meals.csv" >"$WORK/u16.csv"
    expect_exit 2 "u16.csv:1: the file is UTF-16 text: civicast reads UTF-8; save it as \"CSV UTF-8\"" -- \
        forecast "$WORK/u16.csv" --out "$WORK/f.csv"
    iconv -f UTF-8 -t "$enc" "$DATA/communities.csv" >"$WORK/u16c.csv"
    expect_exit 2 "u16c.csv:1: the file is UTF-16 text" -- allocate --spec "$DATA/plan.spec" \
        --communities "$WORK/u16c.csv" --forecasts "$WORK/fc.csv" --out "$WORK/a.csv"
done

if [ "$failures" -ne 0 ]; then
    echo "blame.sh: $failures failure(s)" >&2
    exit 1
fi
echo "blame.sh: all checks passed"
