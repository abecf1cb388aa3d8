"""test_backtest.py -- civicast.backtest and the multi-model / conformal
options of civicast.forecast: the windows equal `civicast backtest`'s file
(the same C call), hand-worked naive windows with typed dates, the accuracy
tables, forecast(model=[...]) long and wide equal to the CLI's, conformal
intervals (in forecasts and in backtest windows, their windows searched or
refitted), and civicast.dask.backtest
equal to the single-machine run.
"""
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import civicast

CLI = os.environ.get("CIV_CLI")
SOURCE = Path(os.environ.get("CIV_SOURCE_DIR", Path(__file__).resolve().parents[2]))
pytestmark = pytest.mark.filterwarnings("ignore::civicast.ForecastWarning")


@pytest.fixture()
def small():
    return pd.DataFrame({"unique_id": ["a"] * 6 + ["b"] * 4,
                         "ds": [str(y) for y in range(2020, 2026)] + [str(y) for y in range(2020, 2024)],
                         "y": [1, 3, 2, 5, 4, 6, 10, 10, 12, 11.0]})


@pytest.fixture(scope="module")
def meals():
    df = pd.read_csv(SOURCE / "datasets" / "demo_city" / "meals.csv", dtype={"unique_id": str, "ds": str})
    ids = sorted(df["unique_id"].unique())[:8]
    return df[df["unique_id"].isin(ids)][["unique_id", "ds", "y"]].reset_index(drop=True)


def test_windows_by_hand(small):
    with pytest.warns(civicast.ForecastWarning, match="2 of 8 backtest windows could not be made: 2 for series with "
                      "only 1 value by then, too few for the model.*series 'b'"):
        cv, acc = civicast.backtest(small, model=["naive", "mean"], h=2, windows=2, level=80, accuracy=True)
    assert list(cv.columns) == ["unique_id", "cutoff", "ds", "h", "y", "model", "mean", "lo-80", "hi-80"]
    a = cv[cv.unique_id == "a"]
    assert list(a.cutoff) == ["2022"] * 4 + ["2023"] * 4
    assert list(a.ds) == ["2023", "2024"] * 2 + ["2024", "2025"] * 2
    assert list(a["mean"]) == [2, 2, 2, 2, 5, 5, 2.75, 2.75]
    assert list(a.model) == ["Naive", "Naive", "HistoricAverage", "HistoricAverage"] * 2
    assert cv["h"].dtype == np.int64
    naive = acc.set_index("model").loc["Naive"]
    assert naive["MAE"] == pytest.approx(10 / 6, abs=1e-14)
    assert naive["MASE"] == pytest.approx(13 / 12, abs=1e-14)
    assert naive["failed"] == 1
    _, per = civicast.backtest(small, model="naive", h=2, windows=2, accuracy="series")
    assert list(per.unique_id) == ["a", "b"]
    for table in (acc, per):  # counts are integers, as in statsforecast's and pandas' tables
        assert [str(table[c].dtype) for c in ("windows", "failed", "n")] == ["int64"] * 3
    assert naive["windows"] == 4 and naive["n"] == 6
    assert per.loc[0, "MAE"] == pytest.approx(7 / 4)


def test_failed_windows_in_words(small):
    # b (4 values) from 3 cutoffs 1 apart, 2 ahead: its first window has no value yet at its cutoff, its second only
    # one value, too few for the naive method; the warning says so instead of a bare "2 windows failed"
    with pytest.warns(civicast.ForecastWarning, match="2 of 6 backtest windows could not be made: 1 for series with "
                      "no data yet at the cutoff, 1 for series with only 1 value by then, too few for the model"):
        civicast.backtest(small, model="naive", h=2, windows=3, step=1, level=80)


def test_series_without_a_value_dated_with_the_panel(small):
    """A series whose y cells are all empty keeps its failed windows dated as a series that ends with the panel
    (cutoffs 2023 and 2024, as a's), as the C table dates them; before 2026-12-07 2018 and 2019, before any data."""
    df = pd.concat([small, pd.DataFrame({"unique_id": ["e", "e"], "ds": ["2020", "2021"], "y": [np.nan] * 2})],
                   ignore_index=True)
    cv = civicast.backtest(df, model="naive", h=1, windows=2, level=None)
    e = cv[cv.unique_id == "e"]
    assert list(e.cutoff) == ["2023", "2024"]
    assert list(e.ds) == ["2024", "2025"]
    assert e["mean"].isna().all()


def test_datetime_dates(meals):
    df = meals.assign(ds=pd.to_datetime(meals.ds))
    cv = civicast.backtest(df, model="snaive", h=3, windows=2)
    assert pd.api.types.is_datetime64_any_dtype(cv.ds) and pd.api.types.is_datetime64_any_dtype(cv.cutoff)
    first = cv.iloc[0]
    assert first.ds == pd.Timestamp("2024-09-01") and first.cutoff == pd.Timestamp("2024-08-01")


@pytest.mark.skipif(not CLI, reason="CIV_CLI not set")
def test_same_as_cli(meals, tmp_path):
    src = tmp_path / "m.csv"
    meals.to_csv(src, index=False)
    out, acc = tmp_path / "cv.csv", tmp_path / "acc.csv"
    subprocess.run([CLI, "backtest", str(src), "--model", "ets,theta", "--h", "4", "--windows", "3", "--step", "2",
                    "--out", str(out), "--accuracy", str(acc), "--quiet"])  # exit 6: a pilot series is short
    cv, pacc = civicast.backtest(meals, model=["ets", "theta"], h=4, windows=3, step=2, accuracy=True)
    want = pd.read_csv(out, dtype={"unique_id": str, "cutoff": str, "ds": str}, float_precision="round_trip")
    pd.testing.assert_frame_equal(cv.reset_index(drop=True), want, check_dtype=False)
    pd.testing.assert_frame_equal(pacc, pd.read_csv(acc, float_precision="round_trip"), check_dtype=False)
    f = tmp_path / "f.csv"
    subprocess.run([CLI, "forecast", str(src), "--model", "ets,theta", "--h", "4", "--wide", "--out", str(f),
                    "--quiet"], check=True)
    wide = civicast.forecast(meals, model=["ets", "theta"], h=4, wide=True)
    pd.testing.assert_frame_equal(wide, pd.read_csv(f, dtype={"unique_id": str, "ds": str},
                                                    float_precision="round_trip"), check_dtype=False)


def test_multi_long(meals):
    fc = civicast.forecast(meals, model=["naive", "theta"], h=3)
    assert list(fc.columns[:6]) == ["unique_id", "ds", "h", "model", "fitted_model", "mean"]
    one = civicast.forecast(meals, model="theta", h=3)
    th = fc[fc.model == "Theta"].reset_index(drop=True)
    np.testing.assert_array_equal(th["mean"], one["mean"])
    np.testing.assert_array_equal(th["hi-95"], one["hi-95"])
    assert list(th.ds) == list(one.ds)
    with pytest.raises(civicast.Error):
        civicast.forecast(meals, model=["naive", "NAIVE"], h=3)
    with pytest.raises(ValueError):
        civicast.forecast(meals, model=["naive", "theta"], report=True)


def test_conformal(meals):
    m = civicast.forecast(meals, model="naive", h=3, intervals="model")
    c = civicast.forecast(meals, model="naive", h=3, intervals="conformal", conformal_windows=5)
    np.testing.assert_array_equal(m["mean"], c["mean"])
    assert not np.array_equal(m["hi-95"], c["hi-95"])
    assert (c["hi-95"] >= c["hi-80"]).all() and (c["lo-95"] <= c["lo-80"]).all()
    # the windows' spacing and the calibration sample reach the library
    s = civicast.forecast(meals, model="naive", h=3, intervals="conformal", conformal_windows=5, conformal_step=2)
    np.testing.assert_array_equal(m["mean"], s["mean"])
    assert not np.array_equal(c["hi-95"], s["hi-95"])
    a = civicast.forecast(meals, model="naive", h=3, intervals="conformal", conformal_windows=5, conformal_sample="all")
    pd.testing.assert_frame_equal(a, c)
    one = civicast.forecast(meals, model="naive", h=3, intervals="conformal", conformal_windows=5, conformal_sample=1)
    assert not np.array_equal(c["hi-95"], one["hi-95"])
    with pytest.raises(ValueError):
        civicast.forecast(meals, model="naive", intervals="conformal", conformal_step=0)
    with pytest.raises(TypeError):
        civicast.forecast(meals, model="naive", intervals="conformal", conformal_sample=2.5)
    with pytest.raises(ValueError):
        civicast.forecast(meals, intervals="wide")
    with pytest.raises(ValueError):
        civicast.backtest(meals, model="naive", windows=0)


def test_backtest_conformal(meals, tmp_path):
    """Each window's conformal intervals are those forecast(intervals="conformal")
    gives on the series cut at that window's cutoff (no later value used)."""
    kw = dict(model="theta", h=3, windows=2, step=2)
    model = civicast.backtest(meals, **kw)
    conf = civicast.backtest(meals, **kw, intervals="conformal", conformal_windows=5)
    np.testing.assert_array_equal(model["mean"], conf["mean"])
    assert not np.array_equal(model["hi-95"], conf["hi-95"], equal_nan=True)
    for window in (0, 1):
        cut = conf.groupby("unique_id")["cutoff"].transform(lambda c: sorted(c.unique())[window])
        rows = conf[conf.cutoff == cut]
        last = rows.groupby("unique_id")["cutoff"].first()
        prefix = meals[meals.ds <= meals.unique_id.map(last)]
        f = civicast.forecast(prefix, model="theta", h=3, intervals="conformal", conformal_windows=5)
        got = rows.dropna(subset=["mean"]).merge(f, on=["unique_id", "ds"], suffixes=("", "_f"))
        assert len(got) == len(rows.dropna(subset=["mean"])) > 0
        for c in ("mean", "lo-80", "hi-80", "lo-95", "hi-95"):
            np.testing.assert_array_equal(got[c], got[c + "_f"])
    if CLI:
        src, out = tmp_path / "m.csv", tmp_path / "cv.csv"
        meals.to_csv(src, index=False)
        subprocess.run([CLI, "backtest", str(src), "--model", "theta", "--h", "3", "--windows", "2", "--step", "2",
                        "--intervals", "conformal", "--conformal-windows", "5", "--out", str(out), "--quiet"])
        want = pd.read_csv(out, dtype={"unique_id": str, "cutoff": str, "ds": str}, float_precision="round_trip")
        pd.testing.assert_frame_equal(conf.reset_index(drop=True), want, check_dtype=False)
    with pytest.raises(ValueError, match="intervals must be"):
        civicast.backtest(meals, model="naive", intervals="calibrated")


def test_conformal_refit(meals, tmp_path):
    """conformal_refit reaches the library: "search" is the default, "fixed"
    (windows refitting each series' chosen model) equals the CLI's
    --conformal-refit fixed, in forecasts and in backtest windows."""
    kw = dict(model="ets", h=3, intervals="conformal", conformal_windows=5)
    d = civicast.forecast(meals, **kw)
    s = civicast.forecast(meals, **kw, conformal_refit="search")
    f = civicast.forecast(meals, **kw, conformal_refit="fixed")
    pd.testing.assert_frame_equal(d, s)
    np.testing.assert_array_equal(s["mean"], f["mean"])
    assert not np.array_equal(s["hi-95"], f["hi-95"])
    b = civicast.backtest(meals, model="ets", h=3, windows=2, intervals="conformal", conformal_windows=5,
                          conformal_refit="fixed")
    if CLI:
        src, out, cv = tmp_path / "m.csv", tmp_path / "f.csv", tmp_path / "cv.csv"
        meals.to_csv(src, index=False)
        args = ["--model", "ets", "--h", "3", "--intervals", "conformal", "--conformal-windows", "5",
                "--conformal-refit", "fixed", "--quiet"]
        subprocess.run([CLI, "forecast", str(src), "--out", str(out)] + args, check=True)
        want = pd.read_csv(out, dtype={"unique_id": str, "ds": str}, float_precision="round_trip")
        np.testing.assert_array_equal(f["hi-95"], want["hi-95"])
        subprocess.run([CLI, "backtest", str(src), "--windows", "2", "--out", str(cv)] + args, check=True)
        want = pd.read_csv(cv, dtype={"unique_id": str, "cutoff": str, "ds": str}, float_precision="round_trip")
        pd.testing.assert_frame_equal(b.reset_index(drop=True), want, check_dtype=False)
    with pytest.raises(ValueError, match="conformal_refit must be"):
        civicast.forecast(meals, **kw, conformal_refit="refit")


def test_conformal_uncalibrated(tmp_path):
    """Too few backtest scores (4 short series, snaive): the model's intervals
    are kept there and a ForecastWarning says so; forecast_to_files counts it."""
    t = np.arange(40)
    df = pd.DataFrame({"unique_id": np.repeat([f"s{k}" for k in range(4)], 40),
                       "ds": np.tile(pd.period_range("2020-01", periods=40, freq="M").astype(str), 4),
                       "y": np.concatenate([100 + k + 10 * np.sin(0.5236 * t) + (t * 7 + k) % 5 for k in range(4)])})
    with pytest.warns(civicast.ForecastWarning, match="4 of 4 series kept the model's intervals"):
        civicast.forecast(df, model="snaive", h=24, intervals="conformal")
    with pytest.warns(civicast.ForecastWarning, match="4 backtest windows kept the model's intervals"):
        civicast.backtest(df, model="naive", h=24, windows=1, intervals="conformal")
    st = civicast.forecast_to_files(df, tmp_path / "f.csv", model="snaive", h=24, intervals="conformal")
    assert st["n_uncalibrated"] == 4
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error", civicast.ForecastWarning)
        civicast.forecast(df, model="naive", h=24, intervals="conformal")  # every window fits: no warning
        assert civicast.forecast_to_files(df, tmp_path / "g.csv", model="naive", h=24,
                                          intervals="conformal")["n_uncalibrated"] == 0


def test_dask_equal(meals):
    dd = pytest.importorskip("dask.dataframe")
    import civicast.dask as cdask
    whole = civicast.backtest(meals, model=["naive", "ETS(M,M,N)"], h=3, windows=2, n_paths=100)
    parts = cdask.backtest(dd.from_pandas(meals, npartitions=3), model=["naive", "ETS(M,M,N)"], h=3, windows=2,
                           n_paths=100).compute(scheduler="sync")
    key = ["unique_id", "cutoff", "model", "h"]
    pd.testing.assert_frame_equal(whole.sort_values(key, kind="stable").reset_index(drop=True),
                                  parts.sort_values(key, kind="stable").reset_index(drop=True), check_dtype=False)


def test_dask_accuracy_dtypes(meals):
    """civicast.dask's per-series accuracy: counts int64 in the metadata and
    the computed frame, as civicast.backtest's."""
    dd = pytest.importorskip("dask.dataframe")
    import civicast.dask as cdask
    _, want = civicast.backtest(meals, model="naive", h=3, windows=2, accuracy="series")
    _, lazy = cdask.backtest(dd.from_pandas(meals, npartitions=3), model="naive", h=3, windows=2,
                             accuracy="series")
    got = lazy.compute(scheduler="sync")
    for c in ("windows", "failed", "n"):
        assert lazy.dtypes[c] == np.int64 and got[c].dtype == np.int64 and want[c].dtype == np.int64, c
    pd.testing.assert_frame_equal(got.sort_values("unique_id").reset_index(drop=True), want)


def test_dask_refuses_conformal(meals):
    dd = pytest.importorskip("dask.dataframe")
    import civicast.dask as cdask
    with pytest.raises(ValueError, match="whole panel"):
        cdask.backtest(dd.from_pandas(meals, npartitions=2), model="naive", intervals="conformal")


def test_write_takes_the_windows_as_a_table(meals, tmp_path):
    """civicast.write(cv, path) of civicast.backtest's own output took it for a panel (it has unique_id, ds and y)
    and refused it: "covariate column 'cutoff' is not numeric". The windows are a table: the CSV is the command's
    --out file, byte for byte, and .h5 reads back; a panel-shaped frame with a text column names kind='table'."""
    src = tmp_path / "m.csv"
    meals.to_csv(src, index=False)
    cv = civicast.backtest(meals, model="naive", h=3, windows=2)
    civicast.write(cv, tmp_path / "py.csv")
    subprocess.run([CLI, "backtest", str(src), "--model", "naive", "--h", "3", "--windows", "2", "-q", "--out",
                    str(tmp_path / "cli.csv")], check=True)
    assert (tmp_path / "py.csv").read_bytes() == (tmp_path / "cli.csv").read_bytes()
    civicast.write(cv, tmp_path / "py.h5")
    back = civicast.read(tmp_path / "py.h5")
    assert list(back.columns) == list(cv.columns) and len(back) == len(cv)
    np.testing.assert_array_equal(back["mean"].to_numpy(), cv["mean"].to_numpy())
    named = meals.assign(name="x")
    with pytest.raises(civicast.Error, match=r"covariate column 'name' is not numeric.*kind='table'") as e:
        civicast.write(named, tmp_path / "n.csv")
    assert e.value.field == "name"
