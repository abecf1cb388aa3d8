"""test_frames_notebook.py -- frames as a notebook has them (the researcher's round of 2026-12-07): whole numbers
in a float ds column (years 2024.0; Excel day numbers after astype(float) or arithmetic) are read as the integers
they are: years forecast as the int64 years do, a day number gets the integer column's cure naming Excel, where
both were refused before with "expected '-', '/', '.' or 年 after the year"; integer years come back as integers
(they came back as text)."""
import numpy as np
import pandas as pd
import pytest

import civicast


def yearly():
    rng = np.random.default_rng(4)
    return pd.concat([pd.DataFrame({"unique_id": u, "ds": np.arange(2010, 2024, dtype=np.int64),
                                    "y": np.round(30 + 4 * i + rng.normal(0, 2, 14))}) for i, u in enumerate("ab")],
                     ignore_index=True)


@pytest.mark.parametrize("dtype", ["float64", "Float64", "float32"])
def test_whole_float_years_are_years(dtype):
    df = yearly()
    want = civicast.forecast(df, h=2, model="naive")
    got = civicast.forecast(df.astype({"ds": dtype}), h=2, model="naive")
    pd.testing.assert_frame_equal(got, want)
    bt_want = civicast.backtest(df, h=2, model="naive", windows=2)
    pd.testing.assert_frame_equal(civicast.backtest(df.astype({"ds": dtype}), h=2, model="naive", windows=2), bt_want)


def test_float_excel_day_numbers_name_excel():
    days = (pd.date_range("2022-01-01", periods=12, freq="MS") - pd.Timestamp("1899-12-30")).days
    df = pd.DataFrame({"unique_id": "a", "ds": days.astype(float), "y": np.arange(12.0)})
    with pytest.raises(civicast.Error, match=r"how Excel stores a date \(44562 is 2022-01-01\)") as e:
        civicast.forecast(df, h=2, model="naive")
    assert e.value.field == "ds" and "ds holds integers" in e.value.message


def test_fractional_float_ds_still_refused():
    df = yearly().astype({"ds": float})
    df.loc[3, "ds"] = 2013.5
    with pytest.raises(civicast.Error) as e:
        civicast.forecast(df, h=2, model="naive")
    assert e.value.field == "ds"


def test_integer_years_come_back_as_integers():
    """ds of int64 years (2024) come back as int64 years in forecast, backtest (cutoff too), a hierarchy's
    forecast, backtest and aggregate, and civicast.dask, so the results merge with the input on (unique_id, ds);
    they came back as text '2024' before 2026-12-07 (pandas refuses to merge int64 with object).  The values are
    those of the text years."""
    df = yearly()
    fc = civicast.forecast(df, h=2, model="naive")
    assert fc["ds"].dtype == np.int64 and fc["ds"].tolist()[:2] == [2024, 2025]
    text = civicast.forecast(df.astype({"ds": str}), h=2, model="naive")
    pd.testing.assert_frame_equal(fc.drop(columns="ds"), text.drop(columns="ds"))
    assert len(df.merge(fc, on=["unique_id", "ds"], how="outer")) == len(df) + len(fc)
    bt = civicast.backtest(df, h=2, model="naive", windows=2)
    assert bt["cutoff"].dtype == np.int64 and bt["ds"].dtype == np.int64
    assert bt.merge(df, on=["unique_id", "ds"], suffixes=("", "_in")).eval("y == y_in").all()
    comm = pd.DataFrame({"unique_id": ["a", "b"], "district": ["x", "x"]})
    for out in (civicast.forecast(df, h=2, model="naive", hierarchy=["district"], communities=comm, reconcile="bu"),
                civicast.backtest(df, h=2, model="naive", windows=2, hierarchy=["district"], communities=comm),
                civicast.Hierarchy(df, comm, ["district"]).aggregate()):
        assert out["ds"].dtype == np.int64, out["ds"].dtype
    dd = pytest.importorskip("dask.dataframe")
    import civicast.dask as cdask
    got = cdask.forecast(dd.from_pandas(df, npartitions=2), h=2, model="naive")
    assert got.dtypes["ds"] == np.int64
    pd.testing.assert_frame_equal(got.compute().reset_index(drop=True), fc)
