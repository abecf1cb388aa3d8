#!/usr/bin/env bash
# transactions.sh -- runs are transactions (issue 18.1, 18.2, 18.5; issue 12.6;
# docs/CLI.md, "Runs are transactions"):
#  1. a plan whose stage fails (missing spec, horizon too short for a factor,
#     need years not covered, missing monitoring input) leaves the previous
#     folder byte for byte, and no staging folder or temporary file;
#  2. a plan with draws = 0 after one with draws > 0 removes uncertainty.csv,
#     keeps the user's own file, and writes manifest.json whose input hashes
#     are sha256sum's;
#  3. SIGKILL at every step of publishing (CIV_TEST_PUBLISH_KILL=1..4) leaves
#     the old set or the new set, never a mix; the next run removes the stale
#     staging folder; the same for forecast --out --report --fitted (files:
#     a kill between two renames is finished by the next run's roll-forward);
#  4. SIGINT and SIGTERM during a plan and during a forecast's write exit
#     130/143 and remove every temporary file and staging folder; the HDF5
#     guard's child dies with its parent and its folder is removed;
#  5. an output that is an input or another output is refused with exit 2
#     before anything runs (forecast, convert, allocate, plan).
# usage: bash transactions.sh PATH_TO_CIVICAST
set -uo pipefail
civ=${1:?usage: transactions.sh PATH_TO_CIVICAST}
src=${CIV_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
demo="$src/datasets/demo_city"
tmp=$(mktemp -d)
export TMPDIR="$tmp/tmpdir"
mkdir -p "$TMPDIR"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "transactions.sh: FAIL: $*" >&2; exit 1; }
cd "$tmp" || exit 1

# the folder's files and their hashes (manifest.json included unless $2 = nomanifest)
snap() {
  if [ "${2:-}" = nomanifest ]; then (cd "$1" && find . -type f ! -name manifest.json | sort | xargs sha256sum)
  else (cd "$1" && find . -type f | sort | xargs sha256sum); fi
}
leftovers() { # staging folders and temporary files under $1 (default: anywhere under $tmp)
  find "${1:-$tmp}" \( -name '.*.staging.*' -o -name '.*.tmp.*' -o -name 'civicast-h5guard-*' \) -print
}
# the demo plan without its [monitor] section (quicker; monitoring is checked in case 1)
mkdir lite && cp "$demo"/* lite/ && sed -i '/^\[monitor\]/,$d' lite/plan.toml
plan() { "$civ" plan lite/plan.toml --model snaive --threads 1 "$@" >/dev/null 2>"$tmp/err"; }

# ---- 1. a failing stage leaves the previous folder -------------------------
plan --out out --draws 20; rc=$?
[ $rc -eq 0 ] || [ $rc -eq 6 ] || { cat "$tmp/err" >&2; fail "first plan exited $rc"; }
[ -f out/uncertainty.csv ] && [ -f out/report.html ] && [ -f out/manifest.json ] && [ -d out/charts ] ||
  fail "the plan folder lacks uncertainty.csv, report.html, manifest.json or charts/"
echo "my notes" > out/notes.txt
snap out > old.snap
cp -r "$demo" dc
sed -i 's/^spec = "plan.spec"/spec = "nope.spec"/' dc/plan.toml
"$civ" plan dc/plan.toml --out out --model snaive >/dev/null 2>err; rc=$? # (with [monitor])
[ $rc -eq 3 ] && grep -q "nope.spec" err || { cat err >&2; fail "missing spec: exit $rc, not 3 naming it"; }
cp -r "$demo" dm
sed -i 's/^actuals = .*/actuals = "gone.csv"/' dm/plan.toml
"$civ" plan dm/plan.toml --out out --model snaive >/dev/null 2>err; rc=$?
[ $rc -eq 3 ] && grep -q "gone.csv" err || { cat err >&2; fail "missing [monitor] actuals: exit $rc, not 3"; }
plan --out out --h 1; rc=$?
[ $rc -eq 2 ] || { cat err >&2; fail "--h 1: exit $rc, not 2"; }
plan --out out --h 12; rc=$? # the 2026 fund's factor reads 2026's months: h = 13..24
[ $rc -eq 2 ] && grep -q "fiscal year 2026.*(horizon = 24)" "$tmp/err" ||
  { cat "$tmp/err" >&2; fail "fund year not covered: exit $rc, not 2"; }
plan --out out --h 24; rc=$?
[ $rc -eq 2 ] && grep -q "need" "$tmp/err" || { cat "$tmp/err" >&2; fail "need not covered: exit $rc, not 2"; }
snap out | diff -q - old.snap >/dev/null || fail "a failed plan changed the previous folder"
[ -z "$(leftovers)" ] || fail "a failed plan left $(leftovers)"
echo "transactions: 4 failing stages left the previous folder byte for byte"

# ---- 2. stale files go, the user's stay, the manifest ----------------------
plan --out out --draws 0; rc=$?
[ $rc -eq 0 ] || [ $rc -eq 6 ] || fail "draws = 0 plan exited $rc"
[ ! -e out/uncertainty.csv ] || fail "uncertainty.csv of the previous run stayed after draws = 0"
[ "$(cat out/notes.txt)" = "my notes" ] || fail "the user's own file was not kept"
/usr/bin/python3 - "$demo" out/manifest.json <<'EOF' || fail "manifest.json"
import hashlib, json, os, sys
demo, path = sys.argv[1], sys.argv[2]
m = json.load(open(path))
for key in ("civicast_version", "blas_core", "spec_version", "inputs", "seeds", "threads", "options", "stages", "files"):
    assert key in m, key
assert m["spec_version"], "no spec version"
roles = {i["role"]: i for i in m["inputs"]}
assert demo
for role in ("plan", "panel", "communities", "spec"):
    i = roles[role]
    assert hashlib.sha256(open(i["path"], "rb").read()).hexdigest() == i["sha256"], role
assert m["options"]["draws"] == 0 and m["options"]["model"] == "snaive", m["options"]
assert [s["stage"] for s in m["stages"]][:2] == ["forecast", "allocation"], m["stages"]
names = {f["name"] for f in m["files"]}
assert {"forecasts.csv", "allocation.csv", "report.html"} <= names and "uncertainty.csv" not in names, names
for f in m["files"]:
    p = os.path.join(os.path.dirname(path), f["name"])
    assert hashlib.sha256(open(p, "rb").read()).hexdigest() == f["sha256"], f["name"]
EOF
echo "transactions: draws = 0 removed uncertainty.csv, kept notes.txt; manifest.json checked"

# ---- 3. SIGKILL at every step of publishing ---------------------------------
plan --out ref --draws 0 || [ $? -eq 6 ] || fail "reference plan"
cp out/notes.txt ref/ # the user's file is carried into every new set
snap ref nomanifest > new.snap
for k in 1 2 3 4; do
  # the old set; for k > 1 this run also recovers from the previous kill
  plan --out out --draws 20 || [ $? -eq 6 ] || fail "old plan for k=$k"
  [ -z "$(leftovers)" ] || fail "the run after the kill at step $((k - 1)) left $(leftovers)"
  snap out nomanifest > old.snap
  CIV_TEST_PUBLISH_KILL=$k "$civ" plan lite/plan.toml --model snaive --threads 1 --out out --draws 0 \
    >/dev/null 2>&1; rc=$?
  [ $rc -eq 137 ] || fail "publish step $k: expected SIGKILL (137), got $rc"
  got=$(snap out nomanifest)
  if [ "$got" = "$(cat old.snap)" ]; then which=old
  elif [ "$got" = "$(cat new.snap)" ]; then which=new
  else fail "killed at publishing step $k: the folder is neither the old set nor the new set"; fi
  [ -f out/manifest.json ] || fail "killed at step $k: no manifest.json"
  echo "transactions: SIGKILL before publishing step $k: the $which set"
done

# forecast --out --report --fitted: the set as files
fc() { "$civ" forecast "$demo/meals.csv" --h 3 -q --out f/a.csv --report f/r.csv --fitted f/fit.csv "$@" \
  >/dev/null 2>&1; local rc=$?; [ $rc -eq 0 ] || [ $rc -eq 6 ] || return $rc; }
mkdir -p f
fc --model naive || fail "forecast files"
for k in 1 2 3 4; do
  fc --model naive || fail "forecast files before k=$k"
  old=$(sha256sum f/a.csv f/r.csv f/fit.csv)
  CIV_TEST_PUBLISH_KILL=$k fc --model snaive; rc=$?
  [ $rc -eq 137 ] || fail "forecast publish step $k: expected 137, got $rc"
  now=$(sha256sum f/a.csv f/r.csv f/fit.csv)
  case $k in
    1|2) [ "$now" = "$old" ] || fail "forecast killed at step $k changed the old set" ;;
    3) ls -a f | grep -q '^\.a\.csv\.staging\.' && [ -n "$(find f -name .journal)" ] ||
         fail "forecast killed mid-publication left no journal to roll forward" ;;
    4) [ "$(sha256sum f/a.csv | cut -c1-64)" != "$(echo "$old" | head -1 | cut -c1-64)" ] ||
         fail "forecast killed at step 4 did not publish" ;;
  esac
  fc --model snaive || fail "the forecast after a kill"
  [ -z "$(leftovers f)" ] || fail "forecast after the kill at step $k left $(leftovers f)"
done
echo "transactions: forecast --out --report --fitted killed at each publishing step: recovered"
# allocate --out --summary --uncertainty-out: the same publication (output_set.c)
alloc() { "$civ" allocate --spec "$demo/allocation.spec" --communities "$demo/communities.csv" \
  --out f/al.csv --summary f/als.csv --uncertainty 20 --weight-concentration 50 --uncertainty-out f/alu.csv "$@" >/dev/null 2>&1; }
alloc || fail "allocate with three outputs"
old=$(sha256sum f/al.csv f/als.csv f/alu.csv)
CIV_TEST_PUBLISH_KILL=2 alloc --seed 99; rc=$?
[ $rc -eq 137 ] && [ "$(sha256sum f/al.csv f/als.csv f/alu.csv)" = "$old" ] ||
  fail "allocate killed before its first rename changed its outputs (exit $rc)"
alloc --seed 99 || fail "allocate after a kill"
[ "$(sha256sum f/alu.csv)" != "$(echo "$old" | tail -1)" ] || fail "allocate --seed 99 did not publish"
[ -z "$(leftovers f)" ] || fail "allocate left $(leftovers f)"

# ---- 4. SIGINT and SIGTERM ----------------------------------------------------
rm -rf out; plan --out out --draws 0 || [ $? -eq 6 ] || fail "plan before signals"
snap out > old.snap
for sig in INT TERM; do
  "$civ" plan lite/plan.toml --model auto --threads 1 --out out >/dev/null 2>"$tmp/err" &
  pid=$!
  sleep 2
  kill -s $sig $pid
  wait $pid; rc=$?
  want=$([ $sig = INT ] && echo 130 || echo 143)
  [ $rc -eq $want ] || fail "SIG$sig to plan: exit $rc, not $want"
  snap out | diff -q - old.snap >/dev/null || fail "SIG$sig to plan changed the folder"
  [ -z "$(leftovers)" ] || fail "SIG$sig to plan left $(leftovers)"
done
# a forecast killed while it writes: the temporary file must go
awk 'BEGIN { srand(3); print "unique_id,ds,y";
  for (i = 0; i < 6000; i++) for (t = 0; t < 96; t++)
    printf "S%05d,%04d-%02d,%d\n", i, 2017 + int(t / 12), t % 12 + 1, 100 + int(50 * rand()) + t }' > big.csv
for sig in INT TERM; do
  "$civ" forecast big.csv --model naive --h 24 -q --out g.csv --report gr.csv >/dev/null 2>&1 &
  pid=$!
  for ((w = 0; w < 400; w++)); do [ -n "$(leftovers)" ] && break; sleep 0.02; done
  kill -s $sig $pid 2>/dev/null
  wait $pid; rc=$?
  want=$([ $sig = INT ] && echo 130 || echo 143)
  [ $rc -eq $want ] || [ $rc -eq 0 ] || fail "SIG$sig to forecast: exit $rc"
  [ -z "$(leftovers)" ] || fail "SIG$sig to forecast left $(leftovers)"
  [ $rc -ne 0 ] || echo "transactions: (forecast finished before SIG$sig)"
done
echo "transactions: SIGINT/SIGTERM exit 130/143 and leave nothing"
# the HDF5 guard's child dies with its parent; its folder goes with a signal
"$civ" convert big.csv big.h5 >/dev/null 2>&1 || fail "convert big.h5"
"$civ" info big.h5 >/dev/null 2>&1 &
pid=$!
child=""
for ((w = 0; w < 200; w++)); do child=$(pgrep -P $pid | head -1); [ -n "$child" ] && break; sleep 0.01; done
if [ -n "$child" ]; then
  kill -KILL $pid; wait $pid 2>/dev/null
  for ((w = 0; w < 100; w++)); do kill -0 "$child" 2>/dev/null || break; sleep 0.02; done
  ! kill -0 "$child" 2>/dev/null || fail "the HDF5 guard's child outlived its killed parent"
  rm -rf "$TMPDIR"/civicast-h5guard-* # SIGKILL cannot clean up: expected
  echo "transactions: the HDF5 guard's child died with its parent"
else
  echo "transactions: (the HDF5 guard's child finished before it could be seen; not checked)"
fi
"$civ" info big.h5 >/dev/null 2>&1 &
pid=$!
for ((w = 0; w < 200; w++)); do [ -n "$(ls "$TMPDIR")" ] && break; sleep 0.01; done
kill -TERM $pid; wait $pid; rc=$?
[ $rc -eq 143 ] || [ $rc -eq 0 ] || fail "SIGTERM during the guarded read: exit $rc"
[ -z "$(leftovers)" ] || fail "SIGTERM during the guarded read left $(leftovers)"

# ---- 5. outputs that would destroy data ---------------------------------------
head -n 200 "$demo/meals.csv" > in.csv
h=$(sha256sum in.csv)
refuse() { # refuse WHAT CMD...: exit 2, nothing changed
  local what=$1; shift
  "$@" >/dev/null 2>err; local rc=$?
  [ $rc -eq 2 ] && grep -q "same file" err || { cat err >&2; fail "$what: exit $rc, not 2 with 'same file'"; }
  [ "$(sha256sum in.csv)" = "$h" ] || fail "$what: the input changed"
}
refuse "forecast --out IN" "$civ" forecast in.csv --out in.csv
refuse "forecast --out X --report ./X" "$civ" forecast in.csv --out x.csv --report ./x.csv
[ ! -e x.csv ] || fail "a refused forecast wrote x.csv"
ln -s in.csv link.csv
refuse "convert IN LINK-TO-IN" "$civ" convert in.csv link.csv
cp "$demo/communities.csv" comm.csv
h=$(sha256sum in.csv)
refuse "allocate --out COMMUNITIES" "$civ" allocate --spec "$demo/plan.spec" --communities comm.csv \
  --forecasts in.csv --out comm.csv
mkdir -p pl && cp "$demo"/* pl/ && mv pl/meals.csv pl/forecasts.csv
sed -i 's/^panel = .*/panel = "forecasts.csv"/' pl/plan.toml
refuse "plan out = the panel's folder" "$civ" plan pl/plan.toml --out pl
echo "transactions: 5 outputs that would destroy data refused with exit 2"
echo "transactions: ok"
