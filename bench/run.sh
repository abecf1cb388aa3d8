#!/usr/bin/env bash
# run.sh -- entry point of `make bench`: runs every bench/*.bench.sh in name
# order and prints one Markdown table.  Each *.bench.sh is called as
#     bash NAME.bench.sh BUILD_DIR
# and prints zero or more table rows on stdout (progress goes to stderr), in
# the columns of the header below.  Add a benchmark by adding a script.
# usage: bash bench/run.sh BUILD_DIR    (the Makefile builds a release first)
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$(cd "$build" && pwd)
mkdir -p "$here/out"

echo "| benchmark | civicast (s) | peer | peer (s) | speed-up | civicast peak RSS (MB) | peer peak RSS (MB) | notes |"
echo "|---|---:|---|---:|---:|---:|---:|---|"
status=0
for script in "$here"/*.bench.sh; do
  [ -e "$script" ] || continue
  if ! bash "$script" "$build"; then
    echo "run.sh: $(basename "$script") failed" >&2
    status=1
  fi
done
exit $status
