#!/usr/bin/env bash
# hier_paths.sh -- the round of 2026-12-07 on the hierarchy's sample paths (docs/FORECASTING.md, "Which
# correlation"): backtests the tourism hierarchy (visnights, regions in states) and the prison groups (state x
# gender x legal) with every reconciliation (--model ets --h 8 --windows 4 --step 4) and prints the rule's
# scores: score 1, the mean over the five reconciliations and the aggregate levels of |cov80 - 80| + |cov95 -
# 95| (points); score 2, the all-node MSIS-95 (mean over the methods); and the series level's mean
# |coverage - nominal|.
# usage: bash bench/hier_paths.sh BUILD_DIR [OUT_DIR]       (OUT_DIR default bench/out/hier_paths)
# The round's other candidates (A: the shrunk correlation used before; C: a joint bootstrap of residual rows)
# are in bench/hier_paths_candidates.patch, which applies to commit fb1c8df: build that, then run this script
# with CIV_HIER_PATHS=shrunk, sample or boot in the environment.  The base-bands round of the same day (docs/FORECASTING.md,
# "Which base bands") runs it with CIV_HIER_INTERVALS=model and =conformal (passed as --intervals; the label is
# then that value) and prints each backtest's CPU seconds (user + system) on stderr; the windows round (evening)
# with CIV_HIER_WINDOWS=K (--conformal-windows K --conformal-step 1; label windowsK), its demo half being
# bench/hier_windows.py; the multi-step correlation round (evening) with bench/hier_paths_multistep.patch applied
# to commit 0fb0279 and CIV_HIER_PATHS=multi or stack.  Needs ../shared/data/hierarchies (CIV_SHARED_DIR);
# without it the script says so and exits 0.  Not part of `make bench` (about 20 s); not a test.
set -euo pipefail
build=${1:?usage: hier_paths.sh BUILD_DIR [OUT_DIR]}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
shared=${CIV_SHARED_DIR:-$root/../shared}/data/hierarchies
out=${2:-$here/out/hier_paths}
label=${CIV_HIER_PATHS:-current}
intervals=()
if [ -n "${CIV_HIER_INTERVALS:-}" ]; then
  intervals=(--intervals "$CIV_HIER_INTERVALS")
  label=$CIV_HIER_INTERVALS
fi
if [ -n "${CIV_HIER_WINDOWS:-}" ]; then  # the windows round: K calibration windows, step 1
  intervals+=(--conformal-windows "$CIV_HIER_WINDOWS" --conformal-step 1)
  label=windows$CIV_HIER_WINDOWS
fi
if [ ! -e "$shared/visnights.csv" ]; then
  echo "hier_paths.sh: $shared is absent: nothing to measure" >&2
  exit 0
fi
mkdir -p "$out"
common=(--reconcile base,bu,ols,wls_struct,wls_var,mint_shrink --model ets --level 80,95 --h 8 --windows 4 --step 4
  "${intervals[@]}")
TIMEFORMAT="hier_paths.sh: %U + %S s CPU"
time "$build/civicast" backtest "$shared/visnights.csv" --hierarchy state --communities "$shared/visnights_hierarchy.csv" \
  "${common[@]}" --out "$out/tourism_$label.csv" --accuracy "$out/tourism_${label}_acc.csv" \
  > "$out/tourism_$label.log" 2>&1
time "$build/civicast" backtest "$shared/prison.csv" --group state,gender,legal --communities "$shared/prison_groups.csv" \
  "${common[@]}" --out "$out/prison_$label.csv" --accuracy "$out/prison_${label}_acc.csv" \
  > "$out/prison_$label.log" 2>&1
/usr/bin/python3 - "$out" "$label" <<'PY'
import sys
import pandas as pd
out, label = sys.argv[1], sys.argv[2]
for ds in ("tourism", "prison"):
    a = pd.read_csv(f"{out}/{ds}_{label}_acc.csv")
    a = a[~a.model.str.endswith("/base")]
    levels = list(dict.fromkeys(a.level))
    bottom = levels[-1]
    agg = a[a.level.isin([lv for lv in levels if lv not in ("all", bottom)])]
    gap = (agg["coverage-80"] - 80).abs() + (agg["coverage-95"] - 95).abs()
    score1 = gap.groupby(agg.model).mean().mean()
    score2 = a[a.level == "all"]["MSIS-95"].mean()
    b = a[a.level == bottom]
    series = (((b["coverage-80"] - 80).abs() + (b["coverage-95"] - 95).abs()) / 2).mean()
    print(f"| {ds} | {label} | {score1:.2f} | {score2:.3f} | {series:.2f} |")
PY
