#!/usr/bin/env bash
# kill_write.sh -- crash-safe outputs: SIGKILL the CLI at random moments while
# it writes a large output, and check that the destination then holds either
# the old file or the complete new one (byte for byte against a reference
# written by an uninterrupted run), never a partial file, and that the input
# is never modified (hash before and after).
#
# Cases: `civicast convert` of a generated panel (4,000 series x 96 months,
# ~384,000 rows) to CSV and to HDF5, and `civicast forecast --out` (naive, so
# the run is dominated by I/O).  Each case is killed KILL_ROUNDS times (default 6)
# at a uniformly random moment in [0, 2 x the uninterrupted run time],
# and once with the kill timed from the moment the temporary file appears.
#
# After SIGKILL the temporary file ("<dir>/.<name>.tmp.XXXXXX", atomic_file.h)
# stays behind: nothing runs to remove it, and that is expected.  It is never
# the destination's name, so readers never see it; the test counts these
# leftovers, reports them, and removes them.  (A clean error exit removes its
# temporary file; only a kill or a power cut leaves one.)
# usage: bash kill_write.sh PATH_TO_CIVICAST
set -uo pipefail
civ=${1:?usage: kill_write.sh PATH_TO_CIVICAST}
rounds=${KILL_ROUNDS:-6}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "kill_write.sh: FAIL: $*" >&2; exit 1; }

# ---- a big panel, generated deterministically ----
awk 'BEGIN { srand(7); print "unique_id,ds,y";
  for (i = 0; i < 4000; i++) for (t = 0; t < 96; t++) {
    y = 2019 + int(t / 12); m = t % 12 + 1;
    printf "S%05d,%04d-%02d,%d\n", i, y, m, 100 + int(50 * rand()) + t }
}' > "$tmp/panel.csv"
small="$tmp/small.csv"
head -n 2000 "$tmp/panel.csv" > "$small"
in_hash=$(sha256sum "$tmp/panel.csv" | cut -d' ' -f1)

now_ms() { date +%s%3N; }

# run_case NAME DEST CMD...: reference run, then kill rounds
total_new=0; total_old=0; total_tmp=0
run_case() {
  local name=$1 dest=$2; shift 2
  local ref="$tmp/ref.$name" old="$tmp/old.$name"
  rm -f "$dest"
  local t0 t1 rc
  t0=$(now_ms)
  "$@" >/dev/null 2>"$tmp/err"; rc=$?
  t1=$(now_ms)
  [ $rc -eq 0 ] || [ $rc -eq 6 ] || { cat "$tmp/err" >&2; fail "$name: reference run exited $rc"; }
  mv "$dest" "$ref"
  local dur=$((t1 - t0)); [ $dur -gt 0 ] || dur=1
  # the "old" file: a complete, different output of the same kind
  "$civ" convert "$small" "$old.${dest##*.}" >/dev/null 2>&1 || fail "$name: cannot make the old file"
  local n_new=0 n_old=0 n_tmp=0
  for ((r = 0; r <= rounds; r++)); do
    cp "$old.${dest##*.}" "$dest"
    "$@" >/dev/null 2>&1 &
    local pid=$!
    if [ $r -eq $rounds ]; then
      # once: kill as soon as the temporary file exists (mid-write)
      local waited=0
      while [ $waited -lt 4000 ] && ! ls -a "$(dirname "$dest")" | grep '\.tmp\.' >/dev/null; do
        sleep 0.005; waited=$((waited + 5))
      done
    else
      local delay=$(( (RANDOM * 32768 + RANDOM) % (dur * 2 + 1) ))
      sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    fi
    kill -KILL $pid 2>/dev/null
    wait $pid 2>/dev/null
    if cmp -s "$dest" "$ref"; then n_new=$((n_new + 1))
    elif cmp -s "$dest" "$old.${dest##*.}"; then n_old=$((n_old + 1))
    else fail "$name round $r: the destination is neither the old file nor the complete new one ($(stat -c %s "$dest") bytes)"
    fi
    local left
    left=$(ls -a "$(dirname "$dest")" | grep -c '\.tmp\.' || true)
    n_tmp=$((n_tmp + left))
    find "$(dirname "$dest")" -maxdepth 1 -name '.*.tmp.*' -delete
  done
  [ "$(sha256sum "$tmp/panel.csv" | cut -d' ' -f1)" = "$in_hash" ] || fail "$name: the input was modified"
  echo "  $name: reference run ${dur} ms; $((rounds + 1)) kills: $n_old old file, $n_new complete new file, 0 partial; $n_tmp temp files left by kills (removed)"
  total_new=$((total_new + n_new)); total_old=$((total_old + n_old)); total_tmp=$((total_tmp + n_tmp))
}

mkdir -p "$tmp/out"
run_case convert_csv "$tmp/out/panel_copy.csv" "$civ" convert "$tmp/panel.csv" "$tmp/out/panel_copy.csv"
run_case convert_h5 "$tmp/out/panel.h5" "$civ" convert "$tmp/panel.csv" "$tmp/out/panel.h5"
run_case forecast_csv "$tmp/out/fc.csv" "$civ" forecast "$tmp/panel.csv" --model naive --h 12 --threads 2 --quiet \
  --out "$tmp/out/fc.csv"
echo "kill_write.sh: every kill left the old file ($total_old) or the complete new one ($total_new), never a partial one; input unchanged; $total_tmp temporary dot-files left by SIGKILL (expected, documented)"
