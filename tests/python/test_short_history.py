"""test_short_history.py -- auto's short-history floor through the Python
binding (docs/FORECASTING.md, "Short histories"): below 16 observed values
civicast.forecast(model="auto") has each bound at least as far from its point
forecast as the naive method's, model="auto(nofloor)" has the combination's
own bounds, and from 16 values on the two are the same; a community with a
single value is refused with a message saying why.

Environment as test_bindings.py (CIV_LIBRARY, CIV_CLI, CIV_SOURCE_DIR).
"""
import numpy as np
import pandas as pd
import pytest

import civicast


def _panel(lengths):
    rng = np.random.default_rng(5)
    rows = []
    for k, n in enumerate(lengths):
        y = 800 + 40 * np.sin(np.arange(n) + k) + rng.normal(0, 30, n)
        rows.append(pd.DataFrame({"unique_id": f"c{k}", "ds": pd.date_range("2024-01-01", periods=n, freq="MS"),
                                  "y": y}))
    return pd.concat(rows, ignore_index=True)


def _run(df, model):
    out = civicast.forecast(df, h=6, model=model, level=(80, 95), threads=1)
    return out.sort_values(["unique_id", "h"]).reset_index(drop=True)


def test_floor_below_16_values_only():
    df = _panel([3, 5, 9, 15, 16, 30])
    auto, raw, naive = _run(df, "auto"), _run(df, "auto(nofloor)"), _run(df, "naive")
    assert (auto["mean"] == raw["mean"]).all()
    n_obs = auto["unique_id"].map(df.groupby("unique_id").size())
    short = (n_obs < 16).to_numpy()
    widened = 0
    for lv in (80, 95):
        lo = np.minimum(raw[f"lo-{lv}"], auto["mean"] - (naive["mean"] - naive[f"lo-{lv}"]))
        hi = np.maximum(raw[f"hi-{lv}"], auto["mean"] + (naive[f"hi-{lv}"] - naive["mean"]))
        np.testing.assert_allclose(auto.loc[short, f"lo-{lv}"], lo[short], rtol=1e-12)
        np.testing.assert_allclose(auto.loc[short, f"hi-{lv}"], hi[short], rtol=1e-12)
        assert (auto.loc[~short, f"lo-{lv}"] == raw.loc[~short, f"lo-{lv}"]).all()
        assert (auto.loc[~short, f"hi-{lv}"] == raw.loc[~short, f"hi-{lv}"]).all()
        widened += int(((auto[f"hi-{lv}"] - auto[f"lo-{lv}"]) > (raw[f"hi-{lv}"] - raw[f"lo-{lv}"]) + 1e-9).sum())
    assert widened > 0


def test_one_value_refused_with_reason():
    df = _panel([1, 20])
    with pytest.warns(Warning, match="at least 2 observed values"):
        out, rep = civicast.forecast(df, h=3, model="auto", threads=1, report=True)
    assert out.loc[out.unique_id == "c0", "mean"].isna().all()
    assert out.loc[out.unique_id == "c1", "mean"].notna().all()
    text = " ".join(str(v) for v in rep.loc[rep.unique_id == "c0"].to_numpy().ravel())
    assert "at least 2 observed values" in text


def test_conformal_intervals_have_no_floor():
    """Conformal intervals rescale the model's own widths by scores of backtest
    windows; the windows are shorter than the series, so a floor would apply
    there and not at the forecast: with intervals="conformal", auto is auto(nofloor)."""
    df = _panel([10, 12, 20, 40] * 15)
    kw = dict(h=3, level=(80, 95), threads=1, intervals="conformal")
    a = civicast.forecast(df, model="auto", **kw).sort_values(["unique_id", "h"]).reset_index(drop=True)
    raw = civicast.forecast(df, model="auto(nofloor)", **kw).sort_values(["unique_id", "h"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a.drop(columns="model"), raw.drop(columns="model"))
    # with the model's intervals the floor does act on these series
    m = _run(df, "auto")
    m_raw = _run(df, "auto(nofloor)")
    assert not np.allclose(m["hi-95"], m_raw["hi-95"])
