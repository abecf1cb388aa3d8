#!/usr/bin/env bash
# valgrind_demo.sh -- `civicast info` on the demo city under valgrind: no
# invalid reads or writes, no leaks (--leak-check=full, exit 1 on any error).
# Skips (exit 0 with a message) when valgrind or the demo city is absent, and
# under sanitizer builds (ASan and valgrind do not mix).
# usage: bash valgrind_demo.sh PATH_TO_CIVICAST
set -uo pipefail
civ=${1:?usage: valgrind_demo.sh PATH_TO_CIVICAST}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
demo=$here/../../datasets/demo_city
if ! command -v valgrind >/dev/null 2>&1; then
  echo "skip: valgrind is not installed (apt-get install valgrind)"
  exit 0
fi
if [ ! -r "$demo/meals.csv" ] || [ ! -r "$demo/communities.csv" ]; then
  echo "skip: the demo city is not generated ($demo)"
  exit 0
fi
if nm -D "$civ" 2>/dev/null | grep __asan_init >/dev/null || nm "$civ" 2>/dev/null | grep __asan_init >/dev/null; then
  echo "skip: $civ is built with AddressSanitizer"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect -q \
  "$civ" info "$demo/meals.csv" --attributes "$demo/communities.csv" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -ne 0 ]; then
  cat "$tmp/err" >&2
  echo "valgrind_demo.sh: FAIL (exit $rc)" >&2
  exit 1
fi
grep -q '^series' "$tmp/out" || { echo "valgrind_demo.sh: FAIL: no summary" >&2; exit 1; }
echo "valgrind_demo.sh: info on the demo city is clean under valgrind"
