#!/usr/bin/env bash
# malformed.sh -- `civicast info` and `civicast convert` on malformed input:
# each file of tests/data/malformed/MANIFEST must give its exit code and ONE
# line on stderr naming file:line[:column]; convert must leave no output file.
# Also: a field over 1 MiB (generated here), missing files, unknown
# extensions, unwritable outputs and usage errors.
# usage: bash malformed.sh PATH_TO_CIVICAST
set -uo pipefail
civ=${1:?usage: malformed.sh PATH_TO_CIVICAST}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
data=$here/../data/malformed
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# check NAME EXPECTED_EXIT NEEDLE -- CMD...: exit code, one stderr line, needle in it.
check() {
  local name=$1 want=$2 needle=$3
  shift 4
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  local lines
  lines=$(wc -l <"$tmp/err")
  if [ "$got" -ne "$want" ]; then
    fail "$name: exit $got, expected $want; stderr: $(cat "$tmp/err")"
  elif [ "$want" -ne 0 ] && [ "$want" -ne 1 ] && [ "$lines" -ne 1 ]; then
    fail "$name: expected one stderr line, got $lines: $(cat "$tmp/err")"
  elif [ -n "$needle" ] && ! grep -qF -- "$needle" "$tmp/err"; then
    fail "$name: stderr lacks '$needle': $(cat "$tmp/err")"
  else
    echo "ok   $name: exit $got  $(head -c 160 "$tmp/err")"
  fi
}

n=0
while read -r file code loc; do
  case "$file" in ''|'#'*) continue ;; esac
  n=$((n + 1))
  path=$data/$file
  check "info $file" "$code" "civicast: $path:$loc:" -- "$civ" info "$path"
  out=$tmp/converted_$file
  check "convert $file" "$code" "$path:$loc:" -- "$civ" convert "$path" "$out"
  if [ -e "$out" ] || compgen -G "$tmp/.converted_$file.tmp.*" >/dev/null; then
    fail "convert $file left an output file"
  fi
done <"$data/MANIFEST"
[ "$n" -ge 18 ] || fail "MANIFEST lists only $n files"

# A 2 MiB field: CIV_ERR_LIMIT -> exit 2 at the field.
{ printf 'unique_id,ds,y\nA,2024-01,1\nA,2024-02,'; head -c 2097152 /dev/zero | tr '\0' 7; printf '\n'; } >"$tmp/long_field.csv"
check "info long field" 2 "$tmp/long_field.csv:3:3:" -- "$civ" info "$tmp/long_field.csv"
grep -q "longer than 1 MiB" "$tmp/err" || fail "long field: message does not say why: $(cat "$tmp/err")"

# Attributes with a ragged row, through info --attributes.
printf 'unique_id,households\nA,1\nB\n' >"$tmp/attr.csv"
printf 'unique_id,ds,y\nA,2024-01,1\n' >"$tmp/ok.csv"
check "info --attributes ragged" 2 "$tmp/attr.csv:3:2:" -- "$civ" info "$tmp/ok.csv" --attributes "$tmp/attr.csv"
printf 'unique_id,households\nA,1\nA,2\n' >"$tmp/attr_dup.csv"
check "info --attributes duplicate id" 2 "duplicate" -- "$civ" info "$tmp/ok.csv" --attributes "$tmp/attr_dup.csv"

# I/O and usage.
check "info missing file" 3 "$tmp/nope.csv" -- "$civ" info "$tmp/nope.csv"
check "info folder" 3 "$tmp" -- "$civ" info "$tmp/"
check "info unknown extension" 3 "$tmp/ok.txt" -- "$civ" info "$tmp/ok.txt"
check "convert into a missing folder" 3 "$tmp/no/dir/out.csv" -- "$civ" convert "$tmp/ok.csv" "$tmp/no/dir/out.csv"
check "info without a file" 1 "" -- "$civ" info
check "convert with one file" 1 "" -- "$civ" convert "$tmp/ok.csv"
check "info unknown option" 1 "" -- "$civ" info --bogus "$tmp/ok.csv"

if [ "$fails" -ne 0 ]; then
  echo "malformed.sh: $fails failure(s)" >&2
  exit 1
fi
echo "malformed.sh: all passed"
