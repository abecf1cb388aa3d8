"""test_frames_text_format.py -- forecast() and backtest() take thousands= and percent= for a frame's text y and
covariates (pd.read_csv(dtype=str), pd.read_excel of text cells), read as the CSV reader reads a file's
(civ_csv_parse_cells); before 2026-12-07 forecast refused them without a communities path and backtest had
neither.

Environment: CIV_LIBRARY, CIV_SOURCE_DIR, PYTHONPATH=python-bindings.
"""
import os
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import civicast

SOURCE = Path(os.environ.get("CIV_SOURCE_DIR", Path(__file__).resolve().parents[2]))
MEALS = SOURCE / "tests" / "data" / "plan" / "meals.csv"


def _frames():
    """The meals panel as numbers, and as text written with thousands separators (y x 1000, "1,234,000")."""
    df = pd.read_csv(MEALS, dtype={"unique_id": str}, parse_dates=["ds"])
    df = df[["unique_id", "ds", "y"]].assign(y=df["y"] * 1000.0)
    text = df.assign(y=[f"{v:,.0f}" for v in df["y"]])
    assert text["y"].str.contains(",").any()
    return df, text


def test_forecast_thousands_on_a_frame():
    df, text = _frames()
    want = civicast.forecast(df, h=3, model="naive")
    with pytest.raises(civicast.Error, match="thousands"):
        civicast.forecast(text, h=3, model="naive")
    got = civicast.forecast(text, h=3, model="naive", thousands=",")
    pd.testing.assert_frame_equal(got, want)
    strings = text.assign(y=text["y"].astype("string"))
    pd.testing.assert_frame_equal(civicast.forecast(strings, h=3, model="naive", thousands=","), want)


def test_forecast_percent_on_a_frame():
    df, _ = _frames()
    share = df.assign(y=df["y"] / 1e7)
    pct = share.assign(y=[f"{100 * v:.4f}%" for v in share["y"]])
    # "2.0400%" reads as the double of "0.020400" (the decimal shifted, one rounding), as a file's cell
    want = civicast.forecast(pct.assign(y=[float(Decimal(v[:-1]) / 100) for v in pct["y"]]), h=2, model="naive")
    got = civicast.forecast(pct, h=2, model="naive", percent=True)
    assert np.array_equal(got["mean"].to_numpy(), want["mean"].to_numpy())
    bad = pct.copy()
    bad.loc[5, "y"] = "-"
    with pytest.raises(civicast.Error) as e:
        civicast.forecast(bad, h=2, model="naive", percent=True)
    assert "row 5" in str(e.value) and e.value.field == "y"


def test_backtest_thousands_and_percent():
    df, text = _frames()
    want = civicast.backtest(df, model="naive", h=2, windows=2)
    got = civicast.backtest(text, model="naive", h=2, windows=2, thousands=",")
    pd.testing.assert_frame_equal(got, want)
    with pytest.raises(civicast.Error, match="thousands"):
        civicast.backtest(text, model="naive", h=2, windows=2)
    with pytest.raises(ValueError, match="thousands must be"):
        civicast.backtest(text, model="naive", h=2, windows=2, thousands=".")


def test_encoding_without_a_communities_path_still_refused():
    df, _ = _frames()
    with pytest.raises(ValueError, match="encoding= and sheet="):
        civicast.forecast(df, h=1, model="naive", encoding="gb18030")
