"""test_default_eval.py -- the offline combinations of bench/default_eval.py (the evidence for
the default `auto`, issue 13 item 4) equal what civicast's combination outputs: the members
forecast alone and combined by default_eval.combine give the forecasts and bounds of the
spec combo(mean|median, members...) run through civicast.forecast; and the backtest-weighted
and selected candidates use the members' backtest errors as documented.

Environment as test_bindings.py (CIV_LIBRARY, CIV_CLI, CIV_SOURCE_DIR).
"""
import importlib.util
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import civicast

SOURCE = Path(os.environ.get("CIV_SOURCE_DIR", Path(__file__).resolve().parents[2]))


def _default_eval():
    spec = importlib.util.spec_from_file_location("default_eval", SOURCE / "bench" / "default_eval.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _panel():
    rng = np.random.default_rng(3)
    t = np.arange(60)
    rows = []
    for k, sid in enumerate(("a", "b", "c")):
        y = 300 + (1 + k) * t + 25 * np.sin(2 * np.pi * t / 12 + k) + rng.normal(0, 6, t.size)
        rows.append(pd.DataFrame({"unique_id": sid, "ds": pd.date_range("2015-01-01", periods=60, freq="MS"),
                                  "y": y}))
    return pd.concat(rows, ignore_index=True)


# Members whose specs in the combination are the plain ones (the ets and arima members may carry
# speed options there), so each can be forecast alone with the same spec.  Since 2026-12-04 the
# optimised Theta models (dotm, dstm, autotheta) give exact intervals and draw nothing from the
# random stream, so the bounds of every member are the same inside a combination as alone and all
# columns are compared.
@pytest.mark.parametrize("kind,members,cols", [("median", ("theta", "damped", "dotm"), "all"),
                                               ("mean", ("theta", "damped", "dotm"), "all"),
                                               ("median", ("theta", "dotm", "dstm", "autotheta"), "all"),
                                               ("mean", ("theta", "dotm", "dstm", "autotheta"), "all")])
def test_offline_combination_equals_civicast(kind, members, cols):
    de = _default_eval()
    df = _panel()
    vals = {}
    for m in members:
        fc = civicast.forecast(df, h=6, model=de.MEMBERS[m], nonnegative="off")
        vals[m] = fc[de.COLS].to_numpy(float)
    spec = f"combo({kind},{','.join(members)})"
    real = civicast.forecast(df, h=6, model=spec, nonnegative="off")
    assert real["model"].str.startswith("ComboMedian[" if kind == "median" else "Combo[").all()
    off = de.combine(vals, members, kind, None)
    k = len(de.COLS) if cols == "all" else 1
    np.testing.assert_allclose(off[:, :k], real[de.COLS].to_numpy(float)[:, :k], rtol=1e-12, atol=1e-9)


def test_weighted_and_selected_from_backtest_errors():
    de = _default_eval()
    # two series, two members with known constant forecasts; rows = series x 2 steps
    vals = {"ets": np.array([[10.0] * 5] * 4), "arima": np.array([[20.0] * 5] * 4)}
    inv = np.array([[1 / 1.0, 1 / 3.0],      # series 1: ets MAE 1, arima MAE 3
                    [np.nan, np.nan]])       # series 2: no common backtest point -> fallback
    steps = np.array([2, 2])
    base = np.full((4, 5), 15.0)
    w = de.combine_rows(vals, ("ets", "arima"), "weighted", steps, inv, base)
    assert w[0, 0] == pytest.approx((10 * 1 + 20 / 3) / (1 + 1 / 3))
    assert w[2, 0] == pytest.approx(15.0)  # equal weights
    s = de.combine_rows(vals, ("ets", "arima"), "select", steps, inv, base)
    assert s[0, 0] == 10.0 and s[1, 0] == 10.0  # the lower backtest MAE
    assert s[2, 0] == 15.0  # the fallback (today's median combination)
