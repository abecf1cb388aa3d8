"""test_conformal_rule.py -- the Python copy of the conformal rule that the
conformal benchmarks judge candidates with (bench/conformal_validate.py's
apply_candidate, used by conformal_periods.py and conformal_round3.py;
docs/FORECASTING.md, "Conformal intervals") is the rule of
engine/src/forecast/conformal.c: applied to civicast.backtest's last window it
gives the bounds of civicast.forecast(intervals="conformal"); and the third
round's variants pool neighbouring steps (smooth) and move the factor towards 1
(shrink) as documented, on hand-computed quantiles.

Environment as test_bindings.py (CIV_LIBRARY, CIV_CLI, CIV_SOURCE_DIR).
"""
import importlib.util
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import civicast

SOURCE = Path(os.environ.get("CIV_SOURCE_DIR", Path(__file__).resolve().parents[2]))


def _rule():
    sys.path.insert(0, str(SOURCE / "bench"))
    spec = importlib.util.spec_from_file_location("conformal_validate", SOURCE / "bench" / "conformal_validate.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _panel(n_series=150):
    """Positive monthly series of three lengths: three length classes at h = 6 of 50
    series each, so that every class pools its own scores."""
    rng = np.random.default_rng(11)
    rows = []
    for k in range(n_series):
        n = (18, 36, 60)[k % 3]
        t = np.arange(n)
        y = 500 + 2 * t + 30 * np.sin(2 * np.pi * t / 12 + k) + rng.normal(0, 12, n)
        rows.append(pd.DataFrame({"unique_id": f"s{k:02d}",
                                  "ds": pd.date_range("2015-01-01", periods=n, freq="MS"), "y": y}))
    return pd.concat(rows, ignore_index=True)


def test_python_rule_equals_civicast_conformal():
    rule = _rule()
    df, h = _panel(), 6
    got = civicast.forecast(df, h=h, model="theta", level=(80, 95), intervals="conformal", threads=1)
    plain = civicast.forecast(df, h=h, model="theta", level=(80, 95), intervals="model", threads=1)
    bt = civicast.backtest(df, model="theta", h=h, windows=1, step=1, level=(80, 95), threads=1)
    lengths = df.groupby("unique_id", sort=False).size().to_dict()
    scores = rule.window_scores(bt, list(lengths), h)
    want = rule.apply_candidate(scores, plain, lengths, h, 1, 1, 0)
    got = got.sort_values(["unique_id", "h"]).reset_index(drop=True)
    want = want.sort_values(["unique_id", "h"]).reset_index(drop=True)
    assert (got["mean"] == want["mean"]).all()
    for col in ("lo-80", "hi-80", "lo-95", "hi-95"):
        np.testing.assert_allclose(got[col], want[col], rtol=1e-10, atol=1e-8, err_msg=col)
    # the conformal bounds differ from the model's, and the classes' factors differ:
    # the comparison above is not vacuous
    q1 = want[want.h == 1].assign(cls=lambda d: d.unique_id.map(lambda u: int(u[1:]) % 3))
    assert q1.groupby("cls")["q-80"].first().nunique() == 3
    assert not np.allclose(got["hi-95"], plain.sort_values(["unique_id", "h"])["hi-95"])


def _synthetic(h=3, n_series=60):
    """One length class; the score of series k at step j is j + k/100 at both levels,
    and every forecast is 10 with bounds 10 -/+ 1 (80%) and 10 -/+ 2 (95%)."""
    sc = pd.DataFrame([{"unique_id": f"s{k}", "k_back": 0, "h": j, "s-80": j + k / 100, "s-95": j + k / 100}
                       for k in range(n_series) for j in range(1, h + 1)])
    fc = pd.DataFrame([{"unique_id": f"s{k}", "h": j, "mean": 10.0, "lo-80": 9.0, "hi-80": 11.0,
                        "lo-95": 8.0, "hi-95": 12.0} for k in range(n_series) for j in range(1, h + 1)])
    lengths = {f"s{k}": 100 for k in range(n_series)}
    return sc, fc, lengths


def test_smooth_pools_neighbouring_steps():
    rule = _rule()
    sc, fc, lengths = _synthetic()
    out = rule.apply_candidate(sc, fc, lengths, 3, 1, 1, 0, smooth=1)
    q = out.groupby("h")[["q-80", "q-95"]].first()
    # step 1 pools steps 1, 2 (120 scores): the ceil(121 * 0.8) = 97th smallest is 2.36,
    # the ceil(121 * 0.95) = 115th is 2.54; step 2 pools 1, 2, 3 (180): the 145th is 3.24
    # and the 172nd 3.51; step 3 pools 2, 3 (120): 3.36 and 3.54
    np.testing.assert_allclose(q["q-80"], [2.36, 3.24, 3.36])
    np.testing.assert_allclose(q["q-95"], [2.54, 3.51, 3.54])
    np.testing.assert_allclose(out["hi-80"], 10 + out["q-80"])
    # without smoothing each step has its own 60 scores: 49th and 58th smallest
    plain = rule.apply_candidate(sc, fc, lengths, 3, 1, 1, 0).groupby("h")[["q-80", "q-95"]].first()
    np.testing.assert_allclose(plain["q-80"], [1.48, 2.48, 3.48])
    np.testing.assert_allclose(plain["q-95"], [1.57, 2.57, 3.57])


@pytest.mark.parametrize("shrink", [0.5, 0.25])
def test_shrink_moves_the_factor_towards_one(shrink):
    rule = _rule()
    sc, fc, lengths = _synthetic()
    out = rule.apply_candidate(sc, fc, lengths, 3, 1, 1, 0, shrink=shrink)
    q = out.groupby("h")["q-80"].first().to_numpy()
    np.testing.assert_allclose(q, 1 + shrink * (np.array([1.48, 2.48, 3.48]) - 1))
    sel = out[out.h == 1]
    np.testing.assert_allclose(sel["lo-95"], 10 - 2 * (1 + shrink * 0.57))
