"""test_hdf5_writers.py -- every Python function that writes HDF5 (civicast.write of a panel and of a table,
forecast_to_files' out/report/fitted, allocate_to_file, a backtest's windows through civicast.write) checked by
reading the file back with plain h5py, following datasets/SCHEMA.md, and comparing it with the DataFrame the
same call returns (or was given): ids, dates, numbers to the bit, missing values, text.  Written 2026-12-07
(before, only files of `civicast convert` were read with h5py; the Python writers were read back with civicast
itself, which hid the dates with a time of day cut to the day, integers beyond 2**53 rounded, and integer ids
of a table stored as floats and read back as 310101001001.0)."""
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

h5py = pytest.importorskip("h5py")

import civicast

SOURCE = Path(os.environ.get("CIV_SOURCE_DIR", Path(__file__).resolve().parents[2]))
DEMO = SOURCE / "datasets" / "demo_city"
pytestmark = pytest.mark.filterwarnings("ignore::civicast.ForecastWarning")


def h5_table(path):
    """A civicast.table HDF5 file as h5py reads it: {column: numpy array} in the file's column order, text
    as str."""
    with h5py.File(path, "r") as f:
        assert f.attrs["schema"] == "civicast.table" and f.attrs["schema_version"] == 1
        names = list(f["column_names"].asstr()[:])
        out = {}
        for name in names:
            d = f["columns"][name]
            assert d.shape == (int(f.attrs["n_rows"]),)
            out[name] = d.asstr()[:] if h5py.check_string_dtype(d.dtype) else d[:]
        return out


def h5_panel(path):
    """A civicast.panel HDF5 file as h5py reads it (datasets/SCHEMA.md): attrs, ids, starts, lengths, values
    and covariates {name: (values, lengths)}."""
    with h5py.File(path, "r") as f:
        assert f.attrs["schema"] == "civicast.panel" and f.attrs["schema_version"] == 1
        cov = {n: (f["covariates"][n]["values"][:], f["covariates"][n]["length"][:])
               for n in (f["covariate_names"].asstr()[:] if "covariate_names" in f else [])}
        return (dict(f.attrs), list(f["series/unique_id"].asstr()[:]), f["series/start"][:], f["series/length"][:],
                f["values"][:], cov)


def expected_cells(s):
    """What a file keeps of a DataFrame column: numbers as float64 (NaN for missing), dates as their text,
    everything else as text ("" for missing)."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        day = (s.dropna() == s.dropna().dt.normalize()).all()
        return np.array(["" if pd.isna(v) else v.strftime("%Y-%m-%d" if day else "%Y-%m-%d %H:%M:%S") for v in s],
                        dtype=object)
    if pd.api.types.is_numeric_dtype(s.dtype) and not isinstance(s.dtype, pd.CategoricalDtype):
        return s.to_numpy(dtype=np.float64, na_value=np.nan)
    return np.array(["" if pd.isna(v) else str(v) for v in s], dtype=object)


def assert_table_is_frame(path, df, text=()):
    """The h5py columns of `path` are df's columns (`text`: integer columns the file keeps as exact digits)."""
    got = h5_table(path)
    assert list(got) == [str(c) for c in df.columns]
    for c in df.columns:
        want = df[c].astype(object).map(lambda v: "" if pd.isna(v) else str(int(v))).to_numpy() if c in text \
            else expected_cells(df[c])
        if want.dtype == object:
            assert list(got[c]) == list(want), c
        else:
            assert got[c].dtype == np.float64
            np.testing.assert_array_equal(got[c], want, err_msg=c)


def test_write_panel_read_with_h5py(tmp_path):
    """civicast.write of a panel frame (Timestamps, int ids, a nullable Int64 y with pd.NA, a covariate that runs
    past the series): the series, starts, lengths and values as SCHEMA.md lays them out, equal to the frame."""
    ds = pd.date_range("2023-11-01", periods=6, freq="MS")
    df = pd.DataFrame({"unique_id": np.repeat([101, 7], 6), "ds": np.tile(ds, 2),
                       "y": pd.array([5, 6, None, 8, 9, 10, 1, 2, 3, 4, None, None], dtype="Int64"),
                       "aged60": np.arange(12, dtype=float)})
    civicast.write(df, tmp_path / "p.h5")
    attrs, ids, start, length, values, cov = h5_panel(tmp_path / "p.h5")
    assert attrs["frequency"] == "monthly"
    assert ids == ["101", "7"]  # sorted as text (byte order), as civicast orders series
    assert list(start) == [12 * 2023 + 10] * 2
    assert list(length) == [6, 4]  # 7's trailing missing months are future covariate rows, not values
    np.testing.assert_array_equal(values, [5, 6, np.nan, 8, 9, 10, 1, 2, 3, 4])
    aged, aged_len = cov["aged60"]
    assert list(aged_len) == [6, 6]
    np.testing.assert_array_equal(aged, np.arange(12, dtype=float))
    back = civicast.read(tmp_path / "p.h5")
    assert back["unique_id"].dtype == np.int64 and back["ds"].dtype.kind == "M"


def test_write_table_read_with_h5py(tmp_path):
    """civicast.write of a table with every kind of column a notebook has: text with None, nullable Int64 and
    Float64 with pd.NA, bool, categorical, dates with a time of day (kept; were cut to the day), integers beyond
    2**53 (kept as exact digits; were rounded), integer ids (text, as a panel's; were floats)."""
    df = pd.DataFrame({
        "unique_id": [310101001001, 2, 3],
        "name": ["甲", None, "=1+1"],
        "n": pd.array([1, None, 3], dtype="Int64"),
        "share": pd.array([0.25, pd.NA, 1 / 3], dtype="Float64"),
        "pilot": [True, False, True],
        "kind": pd.Categorical(["u", "v", "u"]),
        "seen": pd.to_datetime(["2024-01-01 08:30", None, "2024-03-01 00:00:01"]),
        "day": pd.to_datetime(["2024-01-01", "2024-02-01", None]),
        "big": [2 ** 60 + 1, 5, -(2 ** 55) - 3],
    })
    civicast.set_csv_formula_guard(False)  # the formula guard is the CSV's; the HDF5 text is exact either way
    try:
        civicast.write(df, tmp_path / "t.h5")
    finally:
        civicast.set_csv_formula_guard(True)
    assert_table_is_frame(tmp_path / "t.h5", df, text=("unique_id", "big"))
    got = h5_table(tmp_path / "t.h5")
    assert list(got["seen"]) == ["2024-01-01 08:30:00", "", "2024-03-01 00:00:01"]
    assert list(got["big"]) == ["1152921504606846977", "5", "-36028797018963971"]
    back = civicast.read(tmp_path / "t.h5")
    assert back["unique_id"].dtype == np.int64 and list(back["unique_id"]) == [310101001001, 2, 3]
    # the CSV keeps the same: the time of day, the exact digits, and the ids as before
    civicast.write(df, tmp_path / "t.csv")
    text = (tmp_path / "t.csv").read_text(encoding="utf-8")
    assert "2024-01-01 08:30:00" in text and "1152921504606846977" in text and "\n310101001001," in text


def test_write_table_big_ints_beyond_ids_in_an_id_frame(tmp_path):
    """Whole numbers within 2**53 stay number columns (a count column is not made text)."""
    df = pd.DataFrame({"unique_id": ["a", "b"], "count": [2 ** 53, -(2 ** 53)]})
    civicast.write(df, tmp_path / "c.h5")
    got = h5_table(tmp_path / "c.h5")
    assert got["count"].dtype == np.float64 and list(got["count"]) == [2.0 ** 53, -(2.0 ** 53)]


def test_forecast_to_files_h5_equals_forecast(tmp_path):
    """forecast_to_files(out=.h5, report=.h5, fitted=.h5) holds what civicast.forecast returns (the forecasts,
    models_report's table and the fitted values), read with h5py."""
    df = civicast.read(DEMO / "meals.csv")[["unique_id", "ds", "y"]]
    df = df[df["unique_id"].isin(sorted(df["unique_id"].unique())[:12])].reset_index(drop=True)
    civicast.forecast_to_files(df, out=tmp_path / "f.h5", report=tmp_path / "r.h5", fitted=tmp_path / "fit.h5",
                               h=4, model="ets")
    fc = civicast.forecast(df, h=4, model="ets")
    assert_table_is_frame(tmp_path / "f.h5", fc)
    got = h5_table(tmp_path / "fit.h5")
    fit = civicast.forecast(df, h=4, model="ets", fitted=True)[1]
    assert list(got) == ["unique_id", "ds", "y", "fitted", "residual"]
    assert list(got["unique_id"]) == list(fit["unique_id"].astype(str))
    assert list(got["ds"]) == [d.strftime("%Y-%m-%d") for d in fit["ds"]]
    for c in ("y", "fitted", "residual"):
        np.testing.assert_array_equal(got[c], fit[c].to_numpy(dtype=np.float64), err_msg=c)
    rep = h5_table(tmp_path / "r.h5")
    assert list(rep["unique_id"]) == sorted(df["unique_id"].unique())
    assert list(rep["status"]) == ["CIV_OK"] * 12 and all(m.startswith("ETS(") for m in rep["model"])


def test_allocate_to_file_h5_equals_allocate(tmp_path):
    """allocate_to_file(out=.h5) holds civicast.allocate's per-community table, column for column (yuan as
    exact decimal text, as datasets/SCHEMA.md says, equal to the frame's float yuan)."""
    comm = DEMO / "communities.csv"
    summary = civicast.allocate_to_file(comm, DEMO / "allocation.spec", tmp_path / "a.h5", explain=True)
    alloc, summary2 = civicast.allocate(comm, DEMO / "allocation.spec", explain=True)
    got = h5_table(tmp_path / "a.h5")
    assert list(got) == list(alloc.columns)
    for c in alloc.columns:
        if c.endswith("_yuan"):
            assert all(v == "" or v.split(".")[-1].isdigit() and len(v.split(".")[-1]) == 2 for v in got[c]), c
            np.testing.assert_array_equal([float(v) if v else np.nan for v in got[c]],
                                          alloc[c].to_numpy(dtype=np.float64), err_msg=c)
            continue
        want = expected_cells(alloc[c])
        if want.dtype == object:
            assert list(got[c]) == list(want), c
        else:
            np.testing.assert_array_equal(got[c], want, err_msg=c)
    assert int(np.sum(got["amount_fen"])) == int(alloc["amount_fen"].sum())
    pd.testing.assert_frame_equal(summary, summary2)


def test_backtest_windows_h5(tmp_path):
    """A backtest's windows (cutoff and ds Timestamps, int h, NaN of a failed window) through civicast.write."""
    df = civicast.read(DEMO / "meals.csv")[["unique_id", "ds", "y"]]
    df = df[df["unique_id"].isin(sorted(df["unique_id"].unique())[:8])].reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cv = civicast.backtest(df, model=["naive", "ets"], h=3, windows=2)
    civicast.write(cv, tmp_path / "cv.h5")
    assert_table_is_frame(tmp_path / "cv.h5", cv)
