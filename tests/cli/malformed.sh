#!/usr/bin/env bash
# malformed.sh -- `civicast info` and `civicast convert` on malformed input:
# each file of tests/data/malformed/MANIFEST must give its exit code and ONE
# line on stderr naming file:line[:column]; convert must leave no output file.
# Also: a field over 1 MiB (generated here), missing files, unknown
# extensions, unwritable outputs and usage errors.
# usage: bash malformed.sh PATH_TO_CIVICAST
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cli_start "$@"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
data=$here/../data/malformed

# check NAME EXPECTED_EXIT NEEDLE -- CMD...: exit code, one stderr line, needle in it.
check() {
  local name=$1 want=$2 needle=$3
  shift 4
  "$@" >"$WORK/out" 2>"$WORK/err"
  local got=$?
  local lines
  lines=$(wc -l <"$WORK/err")
  if [ "$got" -ne "$want" ]; then
    fail "$name: exit $got, expected $want; stderr: $(cat "$WORK/err")"
  elif [ "$want" -ne 0 ] && [ "$want" -ne 1 ] && [ "$lines" -ne 1 ]; then
    fail "$name: expected one stderr line, got $lines: $(cat "$WORK/err")"
  elif [ -n "$needle" ] && ! grep -qF -- "$needle" "$WORK/err"; then
    fail "$name: stderr lacks '$needle': $(cat "$WORK/err")"
  else
    echo "ok   $name: exit $got  $(head -c 160 "$WORK/err")"
  fi
}

n=0
while read -r file code loc; do
  case "$file" in ''|'#'*) continue ;; esac
  n=$((n + 1))
  path=$data/$file
  check "info $file" "$code" "civicast: $path:$loc:" -- "$CIV" info "$path"
  out=$WORK/converted_$file
  check "convert $file" "$code" "$path:$loc:" -- "$CIV" convert "$path" "$out"
  if [ -e "$out" ] || compgen -G "$WORK/.converted_$file.tmp.*" >/dev/null; then
    fail "convert $file left an output file"
  fi
done <"$data/MANIFEST"
[ "$n" -ge 18 ] || fail "MANIFEST lists only $n files"

# A 2 MiB field: CIV_ERR_LIMIT -> exit 2 at the field.
{ printf 'unique_id,ds,y\nA,2024-01,1\nA,2024-02,'; head -c 2097152 /dev/zero | tr '\0' 7; printf '\n'; } >"$WORK/long_field.csv"
check "info long field" 2 "$WORK/long_field.csv:3:3:" -- "$CIV" info "$WORK/long_field.csv"
grep -q "longer than 1 MiB" "$WORK/err" || fail "long field: message does not say why: $(cat "$WORK/err")"

# Attributes with a ragged row, through info --attributes.
printf 'unique_id,households\nA,1\nB\n' >"$WORK/attr.csv"
printf 'unique_id,ds,y\nA,2024-01,1\n' >"$WORK/ok.csv"
check "info --attributes ragged" 2 "$WORK/attr.csv:3:2:" -- "$CIV" info "$WORK/ok.csv" --attributes "$WORK/attr.csv"
printf 'unique_id,households\nA,1\nA,2\n' >"$WORK/attr_dup.csv"
check "info --attributes duplicate id" 2 "duplicate" -- "$CIV" info "$WORK/ok.csv" --attributes "$WORK/attr_dup.csv"

# I/O and usage.
check "info missing file" 3 "$WORK/nope.csv" -- "$CIV" info "$WORK/nope.csv"
check "info folder" 3 "$WORK" -- "$CIV" info "$WORK/"
check "info unknown extension" 3 "$WORK/ok.txt" -- "$CIV" info "$WORK/ok.txt"
check "convert into a missing folder" 3 "$WORK/no/dir/out.csv" -- "$CIV" convert "$WORK/ok.csv" "$WORK/no/dir/out.csv"
check "info without a file" 1 "" -- "$CIV" info
check "convert with one file" 1 "" -- "$CIV" convert "$WORK/ok.csv"
check "info unknown option" 1 "" -- "$CIV" info --bogus "$WORK/ok.csv"
# GNU forms of an option with a value: `--out=FILE`, `--h=3` and `-j2` read as `--out FILE`, `--h 3`, `-j 2`
printf 'unique_id,ds,y\nA,2024-01,1\nA,2024-02,3\nA,2024-03,2\nA,2024-04,4\n' >"$WORK/four.csv"
check "forecast, options as separate words" 0 "" -- \
  "$CIV" forecast "$WORK/four.csv" --model naive -j 2 --h 3 --out "$WORK/g.csv" -q
check "forecast --model=naive -j2 --h=3 --out=FILE" 0 "" -- \
  "$CIV" forecast "$WORK/four.csv" --model=naive -j2 --h=3 --out="$WORK/g2.csv" -q
cmp -s "$WORK/g.csv" "$WORK/g2.csv" || fail "the GNU forms forecast differently from the separate words"
[ "$(wc -l <"$WORK/g2.csv")" -eq 4 ] || fail "--h=3 did not give 3 rows: $(cat "$WORK/g2.csv")"
check "allocate --compare=A B (a list)" 1 "--compare needs at least two specs" -- "$CIV" allocate --compare=a.spec
check "allocate --compare=A B C" 3 "$WORK/a.spec" -- "$CIV" allocate --compare="$WORK/a.spec" "$WORK/b.spec" \
  --communities "$WORK/ok.csv" --out "$WORK/cmp.csv"
check "a flag with =" 1 "unknown option '--quiet=1'" -- \
  "$CIV" forecast "$WORK/ok.csv" --quiet=1 --out "$WORK/f.csv"
[ -e "$WORK/f.csv" ] && fail "a refused command wrote its output"
# an output that is no table format, refused before the run, naming the user's path and what the option writes
# (before: after the forecast, "./.g3.csv.staging.LHw1kL/1-r.html: unknown file type: ...", the staging copy)
want="civicast: --report $WORK/r.html: unknown file type: --report writes a table (one row per series: model, status"
check "forecast --report r.html" 3 "$want" -- \
  "$CIV" forecast "$WORK/four.csv" --model naive --h 3 --out "$WORK/g3.csv" --report "$WORK/r.html" -q
grep -qF "the HTML report for a committee is written by civicast plan" "$WORK/err" ||
  fail "no plan hint: $(cat "$WORK/err")"
grep -qF "staging" "$WORK/err" && fail "the message names the staging folder: $(cat "$WORK/err")"
[ -e "$WORK/g3.csv" ] && fail "a refused command wrote its output"
check "forecast --fitted fit.xls" 3 "--fitted $WORK/fit.xls: unknown file type" -- \
  "$CIV" forecast "$WORK/four.csv" --model naive --h 3 --out "$WORK/g3.csv" --fitted "$WORK/fit.xls" -q
grep -qF "Excel 97-2003 workbooks are not written: use .xlsx" "$WORK/err" || fail "no .xlsx hint: $(cat "$WORK/err")"
check "forecast --out f.txt (one output)" 3 "--out $WORK/f.txt: unknown file type: --out writes a table" -- \
  "$CIV" forecast "$WORK/four.csv" --model naive --h 3 --out "$WORK/f.txt" -q
check "backtest --accuracy acc.xls" 3 "--accuracy $WORK/acc.xls: unknown file type" -- \
  "$CIV" backtest "$WORK/four.csv" --model naive --h 1 --out "$WORK/cv.csv" --accuracy "$WORK/acc.xls" -q
check "convert OUT.xls" 3 "the output $WORK/o.xls: unknown file type" -- \
  "$CIV" convert "$WORK/four.csv" "$WORK/o.xls"
check "convert --summing s.txt" 3 "--summing $WORK/s.txt: unknown file type" -- \
  "$CIV" convert "$WORK/four.csv" "$WORK/o.csv" --summing "$WORK/s.txt"
# backtest's outputs are outputs: --out onto its input is refused (before: the panel was replaced by the windows)
cp "$WORK/four.csv" "$WORK/four_bt.csv"
check "backtest --out IN" 2 "--out is the same file as the input" -- \
  "$CIV" backtest "$WORK/four_bt.csv" --model naive --h 1 --out "$WORK/four_bt.csv" -q
cmp -s "$WORK/four.csv" "$WORK/four_bt.csv" || fail "backtest --out IN replaced its input"
check "plan --out DIR (a folder, no extension)" 3 "" -- "$CIV" plan "$WORK/nope.toml" --out "$WORK/plan_out"

if [ "$failures" -ne 0 ]; then
  echo "malformed.sh: $failures failure(s)" >&2
  exit 1
fi
echo "malformed.sh: all passed"
