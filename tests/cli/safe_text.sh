#!/usr/bin/env bash
# safe_text.sh -- safe text out (issue 18, item 6; docs/HOSTILE_INPUTS.md):
#   - ids and names that a spreadsheet would run as formulas (= + - @ tab CR)
#     are written to CSV with a leading apostrophe, quoted; plain numbers are
#     not; `civicast --raw-csv-text` writes them exactly;
#   - ESC sequences and other control bytes in ids never reach the terminal:
#     the failed-series list and error messages show them escaped.
# usage: bash safe_text.sh PATH_TO_CIVICAST
set -uo pipefail
civ=${1:?usage: safe_text.sh PATH_TO_CIVICAST}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "safe_text.sh: FAIL: $*" >&2; exit 1; }

printf 'unique_id,ds,y\n"=HYPERLINK(""http://x"")",2024-01,1\n"=HYPERLINK(""http://x"")",2024-02,2\n-5,2024-01,3\n-5,2024-02,4\n@SUM(A1),2024-01,5\n@SUM(A1),2024-02,6\n' > "$tmp/in.csv"
"$civ" forecast "$tmp/in.csv" --model naive --h 1 --out "$tmp/fc.csv" 2> /dev/null || fail "forecast exit $?"
grep -q '^"'"'"'=HYPERLINK(""http://x"")",' "$tmp/fc.csv" || fail "formula id not neutralised: $(cat "$tmp/fc.csv")"
grep -q '^"'"'"'@SUM(A1)",' "$tmp/fc.csv" || fail "@ id not neutralised"
grep -q '^-5,' "$tmp/fc.csv" || fail "a numeric id was changed"
"$civ" convert "$tmp/in.csv" "$tmp/copy.csv" || fail "convert exit $?"
grep -q "^\"'=HYPERLINK" "$tmp/copy.csv" || fail "convert did not neutralise"
"$civ" --raw-csv-text convert "$tmp/in.csv" "$tmp/raw.csv" || fail "--raw-csv-text exit $?"
grep -q '^"=HYPERLINK(""http://x"")",' "$tmp/raw.csv" || fail "--raw-csv-text changed the text: $(cat "$tmp/raw.csv")"

# control bytes: never raw on the terminal
printf 'unique_id,ds,y\n"\033]0;pwned\007\033[31mA",2024-01,1\n' > "$tmp/esc.csv"
"$civ" forecast "$tmp/esc.csv" --model naive --h 1 --out "$tmp/esc_fc.csv" 2> "$tmp/err"
[ $? -eq 6 ] || fail "expected exit 6 (a series failed)"
grep -q $'\033' "$tmp/err" && fail "an ESC byte reached the terminal: $(cat -v "$tmp/err")"
grep -qF '\x1b]0;pwned\x07\x1b[31mA' "$tmp/err" || fail "the id is not shown escaped: $(cat -v "$tmp/err")"
printf 'unique_id,ds,y\nA\033[2J,2024-01,x\n' > "$tmp/bad.csv"
"$civ" info "$tmp/bad.csv" 2> "$tmp/err" > /dev/null
[ $? -eq 2 ] || fail "bad number: expected exit 2"
grep -q $'\033' "$tmp/err" && fail "an ESC byte reached the terminal in an error: $(cat -v "$tmp/err")"
echo "safe_text.sh: ok"
