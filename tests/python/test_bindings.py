"""test_bindings.py -- the civicast Python package (python-bindings/) over
libcivicast: loading and the version handshake, the ctypes declarations
(struct layouts checked against the C compiler), error translation, panel and
table round trips through CSV and HDF5, dtype and row-order handling, the
no-copy path, equality with the CLI on the demo city (forecasts, report,
allocation), and the GIL being released during C work.

Environment (set by CTest, tests/CMakeLists.txt): CIV_LIBRARY (libcivicast.so),
CIV_CLI (the civicast binary; CLI comparisons are skipped without it),
CIV_SOURCE_DIR, PYTHONPATH=python-bindings.
"""
import ctypes
import os
import re
import shutil
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import civicast
from civicast import _lib
from civicast.frame import PanelData

SOURCE = Path(os.environ.get("CIV_SOURCE_DIR", Path(__file__).resolve().parents[2]))
DEMO = SOURCE / "datasets" / "demo_city"
MALFORMED = SOURCE / "tests" / "data" / "malformed"
CLI = os.environ.get("CIV_CLI")
# Series the models reject (e.g. theta and a missing value) warn; tests that
# care use pytest.warns, which sees warnings whatever the filter.
pytestmark = pytest.mark.filterwarnings("ignore::civicast.ForecastWarning")
needs_cli = pytest.mark.skipif(not CLI, reason="CIV_CLI (path to the civicast binary) is not set")


def read_csv(path, **kw):
    # round_trip: pandas' default float parser may differ from strtod by an ulp.
    return pd.read_csv(path, keep_default_na=False, na_values=[""], float_precision="round_trip", **kw)


@pytest.fixture(scope="module")
def meals():
    return read_csv(DEMO / "meals.csv", dtype={"unique_id": str, "ds": str})


def small(df, n_series):
    ids = sorted(df["unique_id"].unique())[:n_series]
    return df[df["unique_id"].isin(ids)].reset_index(drop=True)


def cli(*args):
    done = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True)
    assert done.returncode in (0, 6), done.stderr  # 6: some series failed (kept as NaN rows)
    return done


def text(x):
    return "" if x is None or (isinstance(x, float) and np.isnan(x)) else str(x)


def assert_frames_equal(got, want):
    """Exact equality: same columns, text equal as text, numbers bit-equal (NaN = NaN)."""
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want)
    for c in want.columns:
        a, b = got[c].to_numpy(), want[c].to_numpy()
        if isinstance(got[c].dtype, pd.Int64Dtype):  # counts with a gap (a failed series' n): as numbers
            a = got[c].to_numpy(dtype=np.float64, na_value=np.nan)
        if b.dtype == object or a.dtype == object:
            assert [text(x) for x in a] == [text(x) for x in b], c
        else:
            assert np.array_equal(a.astype(np.float64), b.astype(np.float64), equal_nan=True), c


# ---------------------------------------------------------------- loading


def test_version_handshake():
    assert civicast.library_version() == "0.1.0"
    assert _lib.VERSION_NUMBER // 100 == _lib.EXPECTED_VERSION[0] * 100 + _lib.EXPECTED_VERSION[1]
    saved = _lib.EXPECTED_VERSION
    try:
        _lib.EXPECTED_VERSION = (saved[0], saved[1] + 1)
        with pytest.raises(ImportError, match=r"needs 0\.2\.x"):
            _lib._check_version()
    finally:
        _lib.EXPECTED_VERSION = saved


def test_bad_library_path_is_import_error(tmp_path):
    env = dict(os.environ, CIV_LIBRARY=str(tmp_path / "nope.so"))
    done = subprocess.run([sys.executable, "-c", "import civicast"], env=env, capture_output=True, text=True)
    assert done.returncode != 0
    assert "ImportError" in done.stderr and "CIV_LIBRARY" in done.stderr


def test_library_next_to_the_package_is_found(tmp_path):
    # an installed layout: the package with libcivicast.so beside it, no CIV_LIBRARY
    pkg = tmp_path / "site" / "civicast"
    shutil.copytree(Path(civicast.__file__).parent, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(civicast.library_path, pkg / "libcivicast.so.0")
    env = {k: v for k, v in os.environ.items() if k != "CIV_LIBRARY"}
    env["PYTHONPATH"] = str(tmp_path / "site")
    done = subprocess.run([sys.executable, "-c", "import civicast; print(civicast.library_path)"], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(pkg / "libcivicast.so.0")


def test_every_called_function_is_declared():
    pkg = Path(civicast.__file__).parent
    called = set()
    for f in pkg.glob("*.py"):
        called |= set(re.findall(r"\blib\.(civ_\w+)", f.read_text()))
    declared = set(_lib._SIGNATURES) | set(_lib._OPTIONAL)
    assert called, "no calls found"
    assert called <= declared, called - declared
    for name in called:
        if name in _lib._SIGNATURES or _lib.has(name):
            fn = getattr(_lib.lib, name)
            assert fn.argtypes is not None, name


STRUCTS = {
    "civ_error": ("status", "message", "file", "line", "column", "series_id", "field", "text"),
    "civ_forecast_options": ("model", "horizon", "levels", "n_levels", "threads", "seed", "criterion", "n_paths",
                             "nonnegative", "want_fitted", "xreg", "n_xreg", "progress", "progress_user"),
    "civ_panel_summary": ("n_series", "n_values", "n_missing", "min_length", "max_length", "first_period",
                          "last_period", "n_covariates", "n_future", "n_attributes", "n_attribute_rows"),
    "civ_alloc_stats": ("total", "reserved", "allocated", "n_communities", "n_funded", "n_floor", "n_cap",
                        "n_hold_harmless", "n_pace", "n_ratable", "per_capita_mean", "per_aged_mean",
                        "gini_before", "gini_after", "theil_before", "theil_after", "cv_before", "cv_after"),
    "civ_table_read_options": ("text_columns", "encoding", "id_column"),
    "civ_panel_read_options": ("freq", "encoding", "id_column", "time_column", "target_column"),
    "civ_hier_options": ("forecast", "method", "nonnegative", "n_paths"),
    "civ_csv_write_options": ("bom", "significant_digits", "min_decimals"),
    "civ_alloc_uncertainty_options": ("n_draws", "seed", "threads", "perturb_forecasts", "weight_concentration"),
    "civ_forecast_outputs": ("forecasts", "report", "fitted", "csv", "chunk_series"),
    "civ_forecast_write_stats": ("n_series", "n_failed", "seconds", "n_models", "n_models_listed", "models",
                                 "model_counts", "other_count", "n_failures", "failed_ids", "failed_messages"),
}


@pytest.mark.skipif(not shutil.which("cc"), reason="no C compiler")
def test_struct_layouts_match_the_header(tmp_path):
    lines = ['#include <stdio.h>', '#include <stddef.h>', '#include "civicast.h"', "int main(void) {"]
    for s, fields in STRUCTS.items():
        lines.append(f'printf("{s} size %zu\\n", sizeof({s}));')
        for f in fields:
            lines.append(f'printf("{s} {f} %zu\\n", offsetof({s}, {f}));')
    lines.append("return 0; }")
    src = tmp_path / "layout.c"
    src.write_text("\n".join(lines))
    exe = tmp_path / "layout"
    subprocess.run(["cc", "-std=c11", "-I", str(SOURCE / "engine" / "include"), str(src), "-o", str(exe)],
                   check=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.split("\n")
    for line in filter(None, out):
        s, what, value = line.split()
        ct = getattr(_lib, s)
        got = ctypes.sizeof(ct) if what == "size" else getattr(ct, what).offset
        assert got == int(value), f"{s}.{what}: ctypes {got}, C {value}"
    assert set(f for f, _ in _lib.civ_error._fields_) == set(STRUCTS["civ_error"])


# ---------------------------------------------------------------- errors


def test_bad_file_raises_error_with_location():
    with pytest.raises(civicast.Error) as e:
        civicast.read(MALFORMED / "bad_number.csv")
    err = e.value
    assert err.status == "CIV_ERR_PARSE" and err.code == 4
    assert err.file.endswith("bad_number.csv")
    assert (err.line, err.column) == (4, 3)  # tests/data/malformed/MANIFEST
    assert "bad_number.csv:4:3" in str(err)
    with pytest.raises(civicast.Error) as e:
        civicast.read(MALFORMED / "duplicate.csv")
    assert e.value.status == "CIV_ERR_DUPLICATE" and e.value.line == 4 and e.value.series_id


def test_missing_file_and_bad_extension(tmp_path):
    with pytest.raises(civicast.Error) as e:
        civicast.read(tmp_path / "absent.csv", kind="panel")
    assert e.value.status == "CIV_ERR_IO" and "absent.csv" in e.value.file
    with pytest.raises(civicast.Error) as e:
        civicast.write(pd.DataFrame({"a": [1.0]}), tmp_path / "x.parquet")
    assert e.value.status == "CIV_ERR_UNSUPPORTED"


def test_errors_from_dataframes(meals):
    d = small(meals, 3)
    dup = pd.concat([d, d.iloc[[5]]])
    with pytest.raises(civicast.Error) as e:
        civicast.forecast(dup, h=3, model="naive")
    assert e.value.status == "CIV_ERR_DUPLICATE" and e.value.series_id == d["unique_id"].iloc[5]
    assert e.value.field == "ds"
    bad = d.copy()
    bad.loc[7, "ds"] = "2019-13"
    with pytest.raises(civicast.Error) as e:
        civicast.forecast(bad, h=3, model="naive")
    assert e.value.status == "CIV_ERR_DATE" and "row 7" in str(e.value)
    with pytest.raises(civicast.Error) as e:
        civicast.forecast(d, h=3, model="no-such-model")
    assert e.value.status == "CIV_ERR_SPEC"
    with pytest.raises(civicast.Error) as e:
        civicast.forecast(d.drop(columns="y"), h=3)
    assert e.value.status == "CIV_ERR_MISSING_COLUMN" and e.value.field == "y"
    with pytest.raises(civicast.Error) as e:
        civicast.forecast(d, h=3, model="naive", xreg=["nosuch"])
    assert e.value.status == "CIV_ERR_NOT_FOUND"


def test_error_is_picklable():
    import pickle
    e = civicast.Error("CIV_ERR_PARSE", "bad", file="f.csv", line=3, column=2, series_id="a", field="y")
    e2 = pickle.loads(pickle.dumps(e))
    assert (e2.status, e2.file, e2.line, e2.column, e2.series_id, e2.field, str(e2)) == \
        ("CIV_ERR_PARSE", "f.csv", 3, 2, "a", "y", str(e))


def test_bad_spec_text_names_the_line():
    spec = (DEMO / "allocation.spec").read_text().replace("weight = 0.35", "weight = 0.45")
    with pytest.raises(civicast.Error) as e:
        civicast.allocate(DEMO / "communities.csv", spec)
    assert e.value.status == "CIV_ERR_SPEC" and e.value.line > 0


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("ext", [".csv", ".h5"])
def test_panel_round_trip(meals, tmp_path, ext):
    df = civicast.read(DEMO / "meals.csv")
    assert df.attrs["frequency"] == "monthly"
    assert list(df.columns) == ["unique_id", "ds", "y", "aged60", "migrants"]
    # ds as Timestamps (issue 12): the first day of each month
    assert df["ds"].dtype == "datetime64[ns]"
    assert df["ds"].iloc[0] == pd.Timestamp("2019-01-01")
    # the same rows as pandas reads them (the file is sorted by unique_id, ds)
    assert_frames_equal(df.assign(ds=df["ds"].dt.strftime("%Y-%m")), meals)
    path = tmp_path / f"p{ext}"
    civicast.write(df, path)
    back = civicast.read(path)
    assert_frames_equal(back, df)


@pytest.mark.parametrize("ext", [".csv", ".h5"])
def test_table_round_trip(tmp_path, ext):
    t = civicast.read(DEMO / "communities.csv")
    assert t["district"].dtype == object and t["population_resident"].dtype == np.float64
    path = tmp_path / f"t{ext}"
    civicast.write(t, path)
    assert_frames_equal(civicast.read(path), t)


def test_trailing_empty_row_of_the_last_series(tmp_path):
    """A frame whose last series (in the package's order) ends with a row holding neither y nor its covariate
    (a blank line under a sheet's last community, read by pandas with the id filled) reads as the same CSV:
    before 2026-12-07 its covariate cell was written past the buffer, IndexError (and, for another series,
    into the next series' first cell)."""
    df = pd.DataFrame({
        "unique_id": ["a", "a", "a", "b", "b", "b", "b", "b"],
        "ds": ["2020-Q1", "2020-Q3", "2020-Q2", "2021-Q1", "2021-Q2", "2021-Q4", "2022-Q1", "2022-Q2"],
        "y": [1.0, 3.0, np.nan, 5.0, 6.0, 8.0, np.nan, np.nan],
        "x": [0.5, 0.7, 0.6, 1.0, 1.1, 1.3, 1.4, np.nan],
    })
    df.to_csv(tmp_path / "q.csv", index=False)
    civicast.write(df, tmp_path / "q.h5")
    got, want = civicast.read(tmp_path / "q.h5"), civicast.read(tmp_path / "q.csv")
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True), check_like=True)
    assert PanelData(df).n.tolist() == [3, 4]


def test_panel_with_gaps_future_rows_and_attributes(tmp_path):
    df = pd.DataFrame({
        "unique_id": ["b", "b", "b", "a", "a", "a", "a", "a"],
        "ds": ["2020-Q1", "2020-Q3", "2020-Q2", "2021-Q1", "2021-Q2", "2021-Q4", "2022-Q1", "2022-Q2"],
        "y": [1.0, 3.0, np.nan, 5.0, 6.0, 8.0, np.nan, np.nan],
        "x": [0.5, 0.7, 0.6, 1.0, 1.1, 1.3, 1.4, np.nan],
    })
    df.attrs["attributes"] = pd.DataFrame({"unique_id": ["a", "b", "c"], "pop": [10.0, 20.0, 30.0]})
    path = tmp_path / "q.h5"
    civicast.write(df, path)
    back = civicast.read(path)
    assert back.attrs["frequency"] == "quarterly"
    # sorted ids; a's gap (2021-Q3) is a NaN row; 2022-Q2 (a row with nothing at all)
    # is not a future row, so a's series runs to it (as in csv.c)
    # sorted ids; a's gap (2021-Q3) is a NaN row; a ends at its last y (2021-Q4,
    # issue 12): 2022-Q1 is a future covariate row, 2022-Q2 (nothing at all) is no row
    assert back["unique_id"].tolist() == ["a"] * 5 + ["b"] * 3
    assert [str(p) for p in pd.PeriodIndex(back["ds"], freq="Q")] == [
        "2021Q1", "2021Q2", "2021Q3", "2021Q4", "2022Q1", "2020Q1", "2020Q2", "2020Q3"]
    assert np.array_equal(back["y"], [5, 6, np.nan, 8, np.nan, 1, np.nan, 3], equal_nan=True)
    assert np.array_equal(back["x"], [1.0, 1.1, np.nan, 1.3, 1.4, 0.5, 0.6, 0.7], equal_nan=True)
    # with or without the empty row: a ends at 2021-Q4, x runs on
    p = PanelData(df)
    assert p.n.tolist() == [4, 3]
    p = PanelData(df.iloc[:-1])
    assert p.n.tolist() == [4, 3]
    k = ctypes.c_size_t()
    assert _lib.lib.civ_panel_covariate(p.ptr, 0, 0, None, ctypes.byref(k)) == 0 and k.value == 5
    assert_frames_equal(back.attrs["attributes"], df.attrs["attributes"])
    # the C CSV reader agrees with the DataFrame path
    raw = tmp_path / "raw.csv"
    df.to_csv(raw, index=False)
    # (the C reader numbers series in order of first appearance: b, a)
    assert_frames_equal(civicast.read(raw).sort_values("unique_id", kind="stable").reset_index(drop=True), back)


# ---------------------------------------------------------------- dtypes and order


def test_date_objects_and_integer_ds(meals):
    """ds as an object column of datetime.date / Timestamp objects (SQL readers, .dt.date) is read as dates
    and comes back as Timestamps, so a merge with the test data on ds matches (it used to come back as text
    "2025-01-01 00:00:00"); integer ds (a statsforecast time index 1, 2, 3) is refused with the cure."""
    d = small(meals, 4)
    d = d[d["y"].notna()].reset_index(drop=True)
    want = civicast.forecast(d.assign(ds=pd.to_datetime(d["ds"])), h=3, model="naive")
    for name, col in (("date", pd.to_datetime(d["ds"]).dt.date), ("Timestamp", pd.to_datetime(d["ds"]).astype(object))):
        v = d.assign(ds=col)
        assert v["ds"].dtype == object, name
        got = civicast.forecast(v, h=3, model="naive")
        assert got["ds"].dtype == "datetime64[ns]", name
        pd.testing.assert_frame_equal(got, want, check_exact=True)
        cv = civicast.backtest(v, model="naive", h=2, windows=1)
        assert cv["cutoff"].dtype == "datetime64[ns]" and cv["ds"].dtype == "datetime64[ns]", name
    v = d.assign(ds=pd.to_datetime(d["ds"]).dt.date.astype(object))
    v.loc[5, "ds"] = None
    with pytest.raises(civicast.Error, match="row 5: missing ds"):
        civicast.forecast(v, h=3, model="naive")
    t = d.assign(ds=d.groupby("unique_id").cumcount() + 1)  # 1, 2, 3, ... per series
    with pytest.raises(civicast.Error) as e:
        civicast.forecast(t, h=3, model="naive")
    assert e.value.field == "ds" and "ds holds integers" in str(e.value)
    assert "pd.Period('2000-01', 'M') + (df['ds'] - 1)" in str(e.value)
    fixed = t.assign(ds=pd.Period("2019-01", "M") + (t["ds"] - 1))  # the cure, as the message writes it
    got = civicast.forecast(fixed, h=3, model="naive")
    assert np.array_equal(got["mean"].to_numpy(), want["mean"].to_numpy())
    years = d[d["unique_id"] == d["unique_id"].iloc[0]].head(8)
    years = years.assign(ds=np.arange(2001, 2009, dtype=np.int64))  # whole years are still years
    assert civicast.forecast(years, h=2, model="naive")["h"].tolist() == [1, 2]


def test_dtype_and_order_handling(meals):
    d = small(meals, 12)
    ref = civicast.forecast(d, h=6, model="theta", level=(80, 95))
    variants = {}
    v = d.copy()
    v["y"] = v["y"].fillna(-1).astype(np.int64)
    v = v[v["y"] >= 0]  # int y (rows with a missing y dropped: gaps become NaN again)
    variants["int y"] = v
    variants["shuffled"] = d.sample(frac=1.0, random_state=7)
    v = d.sample(frac=1.0, random_state=8).copy()
    v["unique_id"] = v["unique_id"].astype("category")
    variants["categorical ids"] = v
    v = d.copy()
    v["ds"] = pd.to_datetime(v["ds"])
    variants["timestamps"] = v
    v = d.copy()
    v["ds"] = pd.PeriodIndex(v["ds"], freq="M")
    variants["periods"] = v
    for name, v in variants.items():
        got = civicast.forecast(v, h=6, model="theta", level=(80, 95))
        assert len(got) == len(ref), name
        for c in ["h", "model", "mean", "lo-80", "hi-80", "lo-95", "hi-95"]:
            a, b = got[c].to_numpy(), ref[c].to_numpy()
            assert (a == b).all() if a.dtype == object else np.array_equal(a, b, equal_nan=True), (name, c)
        assert [str(x) for x in got["unique_id"]] == ref["unique_id"].tolist(), name
    # output ds in the input's kind
    assert ref["ds"].iloc[0] == "2025-01"
    ts = civicast.forecast(variants["timestamps"], h=2, model="naive")
    assert ts["ds"].dtype == "datetime64[ns]" and ts["ds"].iloc[0] == pd.Timestamp("2025-01-01")
    v = d.copy()
    v["ds"] = pd.to_datetime(v["ds"]) + pd.offsets.MonthEnd(0)
    assert civicast.forecast(v, h=2, model="naive")["ds"].iloc[1] == pd.Timestamp("2025-02-28")
    pe = civicast.forecast(variants["periods"], h=2, model="naive")
    assert pe["ds"].dtype == pd.PeriodDtype("M") and pe["ds"].iloc[0] == pd.Period("2025-01", "M")
    cat = civicast.forecast(variants["categorical ids"], h=2, model="naive")
    assert isinstance(cat["unique_id"].dtype, pd.CategoricalDtype)
    s = d.copy()
    s["unique_id"] = s["unique_id"].astype("string")  # pandas' string dtype (convert_dtypes) stays string
    got = civicast.forecast(s, h=2, model="naive")
    assert got["unique_id"].dtype == "string" and list(got["unique_id"].unique()) == list(ref["unique_id"].unique())


def test_weekly_daily_yearly_inference():
    days = pd.date_range("2021-01-03", periods=30, freq="7D")  # Sundays
    df = pd.DataFrame({"unique_id": "w", "ds": days, "y": np.arange(30.0)})
    p = PanelData(df)
    assert p.spec.freq == "weekly" and p.spec.phase == (days[0] - pd.Timestamp("1970-01-01")).days % 7
    out = civicast.forecast(df, h=2, model="naive", level=None)
    assert out["ds"].tolist() == [days[-1] + pd.Timedelta(days=7), days[-1] + pd.Timedelta(days=14)]
    assert list(out.columns) == ["unique_id", "ds", "h", "model", "mean"]
    s = df.assign(ds=df["ds"].dt.strftime("%Y-%m-%d"))
    assert civicast.forecast(s, h=1, model="naive", level=None)["ds"].iloc[0] == \
        (days[-1] + pd.Timedelta(days=7)).strftime("%Y-%m-%d")
    daily = pd.DataFrame({"unique_id": "d", "ds": pd.date_range("2024-02-27", periods=5), "y": np.arange(5.0)})
    assert PanelData(daily).spec.freq == "daily"
    yearly = pd.DataFrame({"unique_id": "y", "ds": pd.date_range("2000", periods=8, freq="AS"), "y": np.arange(8.0)})
    assert PanelData(yearly).spec.freq == "yearly"
    assert civicast.forecast(yearly, h=1, model="naive")["ds"].iloc[0] == pd.Timestamp("2008-01-01")
    assert PanelData(yearly, freq="MS").spec.freq == "monthly"


def test_no_copy_for_sorted_float64(meals):
    d = small(meals, 20)  # sorted by unique_id, ds; with future covariate rows
    p = PanelData(d)
    assert p.zero_copy and np.shares_memory(p.values, d["y"].to_numpy())
    assert (p.n < np.bincount(pd.factorize(d["unique_id"])[0])).all()  # the future rows are not values
    # the panel holds the same numbers
    vp = _lib.c_double_p()
    n = ctypes.c_size_t()
    assert _lib.lib.civ_panel_series(p.ptr, 3, ctypes.byref(vp), ctypes.byref(n), None) == 0
    mine = d[d["unique_id"] == p.ids[3]]["y"].to_numpy()
    assert np.array_equal(np.ctypeslib.as_array(vp, shape=(n.value,)), mine[:n.value], equal_nan=True)
    assert np.isnan(mine[n.value:]).all() and n.value < len(mine)
    shuffled = PanelData(d.sample(frac=1.0, random_state=1))
    assert not shuffled.zero_copy and not np.shares_memory(shuffled.values, d["y"].to_numpy())
    from civicast.frame import panel_to_frame
    assert_frames_equal(panel_to_frame(shuffled.ptr), panel_to_frame(p.ptr))


# ---------------------------------------------------------------- against the CLI


@needs_cli
def test_forecast_equals_cli_on_demo_city(meals, tmp_path):
    out, rep, fit = tmp_path / "fc.csv", tmp_path / "rep.csv", tmp_path / "fit.csv"
    cli("forecast", DEMO / "meals.csv", "--out", out, "--report", rep, "--fitted", fit, "--model", "theta",
        "--h", 12, "--level", "80,95", "--quiet")
    fc, report, fitted = civicast.forecast(meals, h=12, model="theta", report=True, fitted=True)
    assert_frames_equal(fc, read_csv(out, dtype={"unique_id": str, "ds": str, "model": str}))
    want = read_csv(rep, dtype={"unique_id": str})
    assert_frames_equal(report, want)
    assert_frames_equal(fitted, read_csv(fit, dtype={"unique_id": str, "ds": str}))
    assert list(fitted.columns) == ["unique_id", "ds", "y", "fitted", "residual"]


@needs_cli
def test_search_options_equal_cli(meals, tmp_path):
    # ets(maxit=N) and arima(reltol=X): R's ets(maxit =) and auto.arima(optim.control =
    # list(reltol =)), the searches of auto's members (docs/FORECASTING.md, the default's speed)
    d = small(meals, 3)
    path = tmp_path / "in.csv"
    d.to_csv(path, index=False)
    for spec in ("ets(maxit=60)", "arima(reltol=1e-3)"):
        out = tmp_path / "fc.csv"
        cli("forecast", path, "--out", out, "--model", spec, "--h", 6, "--quiet")
        fc = civicast.forecast(d, h=6, model=spec)
        assert_frames_equal(fc, read_csv(out, dtype={"unique_id": str, "ds": str, "model": str}))
    # R's own values are the plain specs, bit for bit
    assert_frames_equal(civicast.forecast(d, h=6, model="ets(maxit=2000)"), civicast.forecast(d, h=6, model="ets"))
    assert_frames_equal(civicast.forecast(d, h=6, model="arima(reltol=1.490116119384765625e-8)"),
                        civicast.forecast(d, h=6, model="arima"))
    for bad in ("ets(maxit=0)", "arima(reltol=2)"):
        with pytest.raises(civicast.Error) as e:
            civicast.forecast(d, h=6, model=bad)
        assert e.value.status == "CIV_ERR_SPEC"


@needs_cli
def test_auto_fast_equals_cli(meals, tmp_path):
    # auto(fast): the combination whose ARIMA member searches by CSS (docs/FORECASTING.md)
    d = small(meals, 4)
    path, out = tmp_path / "in.csv", tmp_path / "fc.csv"
    d.to_csv(path, index=False)
    cli("forecast", path, "--out", out, "--model", "auto(fast)", "--h", 6, "--quiet")
    fc = civicast.forecast(d, h=6, model="auto(fast)")
    assert_frames_equal(fc, read_csv(out, dtype={"unique_id": str, "ds": str, "model": str}))
    assert fc["model"].str.startswith("ComboMedian[").all()
    with pytest.raises(civicast.Error) as e:
        civicast.forecast(d, h=6, model="auto(quick)")
    assert e.value.status == "CIV_ERR_SPEC" and "fast" in str(e.value)


@needs_cli
def test_auto_equals_cli_and_models_report(meals, tmp_path):
    d = small(meals, 16)
    path, out, rep = tmp_path / "in.csv", tmp_path / "fc.csv", tmp_path / "rep.csv"
    d.to_csv(path, index=False)
    cli("forecast", path, "--out", out, "--report", rep, "--h", 6, "--level", "90", "--quiet", "--threads", 2)
    fc = civicast.forecast(d, h=6, level=90, threads=1)
    assert list(fc.columns)[-2:] == ["lo-90", "hi-90"]
    assert_frames_equal(fc, read_csv(out, dtype={"unique_id": str, "ds": str, "model": str}))
    report = civicast.models_report(d, h=6, level=90)
    assert_frames_equal(report, read_csv(rep, dtype={"unique_id": str}))
    assert set(report["status"]) == {"CIV_OK"}


@needs_cli
def test_covariates_equal_cli(meals, tmp_path):
    d = small(meals, 4)  # with future rows of aged60 and migrants for 2025
    path, out = tmp_path / "in.csv", tmp_path / "fc.csv"
    d.to_csv(path, index=False)
    cli("forecast", path, "--out", out, "--xreg", "aged60", "--model", "ARIMA(1,0,0)", "--h", 6, "--quiet")
    fc = civicast.forecast(d.sample(frac=1.0, random_state=3), h=6, model="ARIMA(1,0,0)", xreg=["aged60"])
    assert fc["model"].str.startswith("Regression with ARIMA").all()
    assert_frames_equal(fc, read_csv(out, dtype={"unique_id": str, "ds": str, "model": str}))


def _spec_with_forecast_factor():
    """The demo spec with a factor read from forecasts (sum of h = 1..6 means)."""
    spec = (DEMO / "allocation.spec").read_text()
    spec = spec.replace('attribute = "service_points"\nweight = 0.10',
                        'attribute = "service_points"\nweight = 0.05')
    spec += textwrap.dedent("""
        [[factor]]
        name = "meal_demand"
        formula = "main"
        source = "forecast"
        column = "mean"
        horizon = 6
        weight = 0.05
        """)
    return spec


@needs_cli
def test_allocate_equals_cli(meals, tmp_path):
    out, summ = tmp_path / "a.csv", tmp_path / "s.csv"
    cli("allocate", "--spec", DEMO / "allocation.spec", "--communities", DEMO / "communities.csv",
        "--out", out, "--summary", summ, "--explain")
    alloc, summary = civicast.allocate(DEMO / "communities.csv", DEMO / "allocation.spec", explain=True)
    assert_frames_equal(alloc, read_csv(out, dtype={"unique_id": str, "district": str}))
    assert_frames_equal(summary, read_csv(summ, dtype={"section": str, "item": str}))
    assert alloc["amount_fen"].dtype == np.int64 and alloc["amount_fen"].sum() == alloc.attrs["stats"]["allocated"]
    assert ((alloc["amount_yuan"] * 100).round() == alloc["amount_fen"]).all()
    assert list(alloc.columns[:4]) == ["unique_id", "name", "district", "street"]
    assert list(summary.columns) == ["section", "item", "measure", "unit", "value"]
    # DataFrame input (shuffled rows) gives the same amounts per community
    comm = read_csv(DEMO / "communities.csv", dtype={"unique_id": str})
    alloc2, summary2 = civicast.allocate(comm.sample(frac=1.0, random_state=2), DEMO / "allocation.spec")
    m = alloc.set_index("unique_id")["amount_fen"]
    assert (alloc2.set_index("unique_id")["amount_fen"].reindex(m.index) == m).all()
    assert_frames_equal(summary2, summary)
    # with forecasts: DataFrame from civicast.forecast vs the CLI pipeline
    spec = tmp_path / "f.spec"
    spec.write_text(_spec_with_forecast_factor())
    fc = civicast.forecast(meals, h=6, model="naive")
    fcp = tmp_path / "fc.csv"
    cli("forecast", DEMO / "meals.csv", "--out", fcp, "--model", "naive", "--h", 6, "--quiet")
    cli("allocate", "--spec", spec, "--communities", DEMO / "communities.csv", "--forecasts", fcp, "--out", out)
    alloc3, _ = civicast.allocate(comm, spec.read_text(), forecasts=fc)
    assert_frames_equal(alloc3, read_csv(out, dtype={"unique_id": str, "district": str}))
    assert "factor_meal_demand_fen" in alloc3.columns


def test_allocate_reads_the_fiscal_year(meals):
    """A forecast factor sums the forecasts dated in the spec's fiscal year
    (2026: h = 13..24 after data ending 2024-12), here with ds as pandas
    Timestamps; the same as summing h = 1..12 of only 2026's rows."""
    spec = _spec_with_forecast_factor().replace("horizon = 6\n", "")
    assert "fiscal_year = 2026" in spec
    comm = read_csv(DEMO / "communities.csv", dtype={"unique_id": str})
    fc = civicast.forecast(meals, h=30, model="drift")
    fc["ds"] = pd.to_datetime(fc["ds"])
    alloc, _ = civicast.allocate(comm, spec, forecasts=fc)
    assert alloc.attrs["demand"] == {"meal_demand": {"period": "fiscal_year", "fiscal_year": 2026, "periods": 12,
                                                     "first": "2026-01", "last": "2026-12", "h_first": 13,
                                                     "h_last": 24}}
    y2026 = fc[fc["ds"].dt.year == 2026].copy()
    assert len(y2026) == 12 * fc["unique_id"].nunique()
    y2026["h"] = y2026["h"] - 12
    by_step = spec.replace('column = "mean"\nweight', 'column = "mean"\nhorizon = 12\nweight')
    alloc2, _ = civicast.allocate(comm, by_step, forecasts=y2026)
    assert (alloc["amount_fen"].to_numpy() == alloc2["amount_fen"].to_numpy()).all()
    # with the first 12 steps (2025) the drift forecasts give other amounts
    alloc3, _ = civicast.allocate(comm, by_step, forecasts=fc)
    w = alloc3.attrs["demand"]["meal_demand"]
    assert (w["period"], w["first"], w["last"], w["h_first"], w["h_last"]) == \
        ("horizon", "2025-01-01", "2025-12-01", 1, 12)  # the dates as the forecasts write them
    assert (alloc3["amount_fen"].to_numpy() != alloc["amount_fen"].to_numpy()).any()
    # forecasts that stop short of the year say how far to forecast
    with pytest.raises(civicast.Error, match=r"fiscal year 2026.*horizon = 24"):
        civicast.allocate(comm, spec, forecasts=fc[fc["h"] <= 12])


@needs_cli
def test_allocate_to_file_equals_cli(tmp_path):
    out, summ, mine = tmp_path / "a.csv", tmp_path / "s.csv", tmp_path / "mine.csv"
    cli("allocate", "--spec", DEMO / "allocation.spec", "--communities", DEMO / "communities.csv",
        "--out", out, "--summary", summ, "--explain", "--excel", "--precision", 6)
    summary = civicast.allocate_to_file(DEMO / "communities.csv", DEMO / "allocation.spec", mine, explain=True,
                                        excel=True, precision=6)
    assert mine.read_bytes() == out.read_bytes()
    assert len(summary) == len(read_csv(summ))
    # default options: the exact summary too
    alloc, _ = civicast.allocate(DEMO / "communities.csv", DEMO / "allocation.spec")
    summary = civicast.allocate_to_file(DEMO / "communities.csv", DEMO / "allocation.spec", mine)
    cli("allocate", "--spec", DEMO / "allocation.spec", "--communities", DEMO / "communities.csv", "--out", out,
        "--summary", summ)
    assert mine.read_bytes() == out.read_bytes()
    assert_frames_equal(summary, read_csv(summ, dtype={"section": str, "item": str}))
    assert len(read_csv(mine)) == len(alloc)
    with pytest.raises(civicast.Error):
        civicast.allocate_to_file(DEMO / "communities.csv", DEMO / "allocation.spec", tmp_path / "a.txt")
    assert not (tmp_path / "a.txt").exists()
    # a page or a workbook asked of a table writer: the message says what was meant (before: the extension only)
    with pytest.raises(civicast.Error, match=r"a\.html: unknown file type: .*the HTML report for a committee is "
                       r"written by civicast plan.*civicast\.plan"):
        civicast.allocate_to_file(DEMO / "communities.csv", DEMO / "allocation.spec", tmp_path / "a.html")
    # an Excel 97-2003 workbook is not written: the message says .xlsx is (before: ".xlsx: Excel opens the CSV")
    with pytest.raises(civicast.Error, match=r"a\.xls: unknown file type: .*\.xlsx.*use \.xlsx"):
        civicast.allocate_to_file(DEMO / "communities.csv", DEMO / "allocation.spec", tmp_path / "a.xls")


# ---------------------------------------------------------------- threads


def test_gil_released_during_forecast(meals):
    d = small(meals, 150)
    t0 = time.perf_counter()
    civicast.forecast(d, h=12, model="ETS(A,N,A)", threads=1)
    single = time.perf_counter() - t0
    intervals = [None, None]
    ticks = []
    stop = threading.Event()

    def work(k):
        a = time.perf_counter()
        civicast.forecast(d, h=12, model="ETS(A,N,A)", threads=1)
        intervals[k] = (a, time.perf_counter())

    def heartbeat():  # pure Python: runs only while nobody holds the GIL
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.002)

    hb = threading.Thread(target=heartbeat)
    hb.start()
    th = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in th:
        t.start()
    for t in th:
        t.join()
    stop.set()
    hb.join()
    (a0, a1), (b0, b1) = intervals
    overlap = min(a1, b1) - max(a0, b0)
    # both calls were inside the library at the same time for most of their span
    assert overlap > 0.5 * min(a1 - a0, b1 - b0), (intervals, single)
    # and Python kept running meanwhile: heartbeats every few ms inside the overlap
    lo, hi = max(a0, b0), min(a1, b1)
    inside = np.array([t for t in ticks if lo <= t <= hi])
    assert len(inside) >= 5
    assert np.max(np.diff(np.concatenate([[lo], inside, [hi]]))) < max(0.5, 0.25 * overlap)


def test_forecast_threads_identical(meals):
    d = small(meals, 30)
    d = d[~d["unique_id"].isin(["D01-S01-C010"])]  # has a missing y that theta rejects
    a = civicast.forecast(d, h=12, model="theta", threads=1)
    b = civicast.forecast(d, h=12, model="theta", threads=2)
    assert_frames_equal(a, b)
    # ETS(M,M,N) has simulated intervals: the seed reaches the library
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", civicast.ForecastWarning)
        a = civicast.forecast(d, h=6, model="ETS(M,M,N)", n_paths=300, threads=2)
        b = civicast.forecast(d, h=6, model="ETS(M,M,N)", n_paths=300, threads=1)
        c = civicast.forecast(d, h=6, model="ETS(M,M,N)", n_paths=300, threads=2, seed=7)
    assert_frames_equal(a, b)
    ok = a["model"] != ""
    assert ok.sum() > 0 and not np.array_equal(a["lo-95"][ok], c["lo-95"][ok])


def test_failed_series_warn_and_keep_rows():
    df = pd.DataFrame({"unique_id": ["ok"] * 24 + ["short"],
                       "ds": [f"{2020 + k // 12}-{k % 12 + 1:02d}" for k in range(24)] + ["2020-01"],
                       "y": np.r_[np.linspace(1, 5, 24), 3.0]})
    with pytest.warns(civicast.ForecastWarning, match="short"):
        out, rep = civicast.forecast(df, h=3, model="ETS(A,A,N)", report=True)
    assert out[out.unique_id == "short"]["mean"].isna().all() and (out[out.unique_id == "short"]["model"] == "").all()
    assert rep.set_index("unique_id").loc["short", "status"] != "CIV_OK"
    assert rep.set_index("unique_id").loc["ok", "status"] == "CIV_OK"


# ---------------------------------------------------------------- the worked example


def test_quickstart_example_runs(tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg")
    done = subprocess.run([sys.executable, str(SOURCE / "examples" / "quickstart.py"), "--model", "theta",
                           "--out", str(tmp_path)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert "allocated 152,720,000.00 CNY" in done.stdout
    for name in ("forecasts.csv", "allocation.csv", "summary.csv", "forecasts.png", "allocation.png"):
        assert (tmp_path / name).stat().st_size > 0, name
    fc = read_csv(tmp_path / "forecasts.csv")
    assert fc["unique_id"].nunique() == 1146 and not fc["mean"].isna().any()  # failed series got the fallback


# ------------------------------------------------- ids, counts, stale attrs

def _id_panel(ids, n=30):
    """CSV text of a monthly panel with the given id cells (as written)."""
    lines = ["unique_id,ds,y"]
    for k, u in enumerate(ids):
        lines += [f"{u},{2022 + m // 12}-{m % 12 + 1:02d},{40 + k + (m % 5) * 1.5}" for m in range(n)]
    return "\n".join(lines) + "\n"


def test_whole_number_ids_read_as_int64(tmp_path):
    """Ids written as whole numbers (101, 102) read as int64, as pandas'
    read_csv gives them, so frames merge on them; codes with leading zeros
    ("0101") stay text on purpose, and so does a column mixing them with
    plain numbers.  Forecasts, backtests and reports keep the ids' dtype."""
    path = tmp_path / "ids.csv"
    path.write_text(_id_panel(["101", "102", "-7"]))
    df = civicast.read(path)
    assert df["unique_id"].dtype == np.int64 and sorted(df["unique_id"].unique()) == [-7, 101, 102]
    plain = pd.read_csv(path)
    assert len(plain.merge(df[["unique_id"]].drop_duplicates(), on="unique_id")) == len(plain)
    table = civicast.read(path, kind="table")
    assert table["unique_id"].dtype == np.int64
    assert civicast.read(path, kind="table", text_columns=["unique_id"])["unique_id"].tolist()[0] == "101"
    own = tmp_path / "own.csv"
    own.write_text(path.read_text().replace("unique_id,ds,y", "社区编号,月份,人次"))
    assert civicast.read(own, id_col="社区编号", time_col="月份", target_col="人次")["unique_id"].dtype == np.int64
    assert civicast.read(own, kind="table", id_col="社区编号")["unique_id"].dtype == np.int64
    h5 = tmp_path / "ids.h5"
    civicast.write(df, h5)
    assert civicast.read(h5)["unique_id"].dtype == np.int64
    civicast.write(df, tmp_path / "back.csv")
    assert (tmp_path / "back.csv").read_text().splitlines()[1].startswith("-7,")
    wide = tmp_path / "wide.csv"
    wide.write_text("unique_id,2024-01,2024-02,2024-03\n101,1,2,3\n102,4,5,6\n")
    assert civicast.read(wide, layout="wide")["unique_id"].dtype == np.int64
    for kept in (["0101", "0102"], ["0101", "102"], ["101", "A7"], ["+5", "6"], ["1.5", "2"]):
        path.write_text(_id_panel(kept))
        ids = civicast.read(path)["unique_id"]
        assert ids.dtype == object and sorted(ids.unique()) == sorted(kept), kept
    # integers that pandas wrote as floats (an int column with gaps) are the integers (docs/HOSTILE_INPUTS.md)
    path.write_text(_id_panel(["1.0", "2"]))
    ids = civicast.read(path)["unique_id"]
    assert ids.dtype == np.int64 and sorted(ids.unique()) == [1, 2]
    # outputs in the ids' dtype: int64 from read, or the DataFrame's own
    path.write_text(_id_panel(["101", "102"]))
    df = civicast.read(path)
    fc, rep = civicast.forecast(df, h=3, model="naive", report=True)
    assert fc["unique_id"].dtype == np.int64 and rep["unique_id"].dtype == np.int64
    cv, acc = civicast.backtest(df, model="naive", h=3, windows=2, accuracy="series")
    assert cv["unique_id"].dtype == np.int64 and acc["unique_id"].dtype == np.int64
    assert civicast.forecast(df.astype({"unique_id": np.int32}), h=2, model="naive")["unique_id"].dtype == np.int32
    assert civicast.forecast(df.astype({"unique_id": str}), h=2, model="naive")["unique_id"].dtype == object
    assert civicast.classify_demand(df)["unique_id"].dtype == np.int64


def test_report_counts_are_integers(meals):
    """A forecast report's counts (n, n_params) are integers: int64, or
    pandas' nullable Int64 where a failed series has none."""
    d = small(meals, 4)
    _, rep = civicast.forecast(d, h=3, model="ets", report=True)
    assert rep["n"].dtype == np.int64 and rep["n_params"].dtype == np.int64
    gap = d.copy()
    gap.loc[gap.index[5], "y"] = np.nan  # theta needs a complete series: that one fails
    with pytest.warns(civicast.ForecastWarning):
        _, rep = civicast.forecast(gap, h=3, model="theta", report=True)
    assert rep["n"].dtype == "Int64" and rep["n"].isna().sum() == 1 and rep["n"].dropna().gt(0).all()


def test_stale_frequency_attr_is_checked_against_the_dates():
    """civicast.read records the file's frequency in df.attrs, and pandas
    keeps it through copies, filters and resamples.  It is used only where
    the dates cannot tell (every series with one date); dates that say
    another frequency are an Error naming both and the fixes, never
    silently read at the recorded frequency."""
    df = civicast.read(DEMO / "meals.csv")
    assert df.attrs["frequency"] == "monthly"
    ids = sorted(df["unique_id"].unique())[:3]
    sub = df[df["unique_id"].isin(ids)]
    q = sub.set_index("ds").groupby("unique_id")["y"].resample("QS").sum().reset_index()
    q.attrs = dict(df.attrs)  # as pandas hands it on (some versions drop it in groupby; do not rely on that)
    with pytest.raises(civicast.Error) as e:
        civicast.forecast(q, h=4, model="naive")
    assert e.value.status == "CIV_ERR_FREQUENCY"
    assert "quarterly" in str(e.value) and "attrs['frequency'] says monthly" in str(e.value)
    assert "df.attrs.pop('frequency')" in str(e.value)
    clean = q.copy()
    clean.attrs = {}
    want = civicast.forecast(clean, h=4, model="naive")
    assert want["ds"].iloc[1] - want["ds"].iloc[0] > pd.Timedelta(days=85)
    got = civicast.forecast(q, h=4, model="naive", freq="quarterly")  # freq= decides
    assert (got["ds"] == want["ds"]).all()
    # dates that agree with the record, and dates that cannot tell (one per series): the record is used
    assert len(civicast.forecast(sub, h=2, model="naive")) == 6
    last = sub[sub["ds"] == sub["ds"].max()]
    fc = civicast.forecast(last, h=2, model="naive")
    assert (fc["ds"].iloc[1] - fc["ds"].iloc[0]).days in (28, 29, 30, 31)
    # period text says its own frequency: a contradicting record is the same Error
    text = sub.assign(ds=sub["ds"].dt.strftime("%Y"))
    text = text.groupby(["unique_id", "ds"], as_index=False)["y"].sum()
    text.attrs = dict(df.attrs)
    with pytest.raises(civicast.Error, match="ds are yearly dates but the frame's attrs"):
        civicast.forecast(text, h=2, model="naive")


def test_allocation_ids_keep_their_dtype(tmp_path):
    """civicast.allocate's id column: the communities' own dtype for a
    DataFrame (int64 codes stay int64, text stays text), and int64 for a
    file whose ids are whole numbers, as civicast.read gives them; codes
    with leading zeros stay text."""
    comm = read_csv(DEMO / "communities.csv", dtype={"unique_id": str})
    codes = {u: 310101001 + k for k, u in enumerate(comm["unique_id"])}
    numeric = comm.assign(unique_id=comm["unique_id"].map(codes))
    want, _ = civicast.allocate(comm, DEMO / "allocation.spec")
    for frame, dtype in ((numeric, np.int64), (numeric.astype({"unique_id": np.int32}), np.int32),
                         (numeric.astype({"unique_id": np.float64}), np.int64),
                         (numeric.astype({"unique_id": str}), object)):
        got, _ = civicast.allocate(frame, DEMO / "allocation.spec")
        assert got["unique_id"].dtype == dtype
        assert (got["amount_fen"].to_numpy() == want["amount_fen"].to_numpy()).all()
    path = tmp_path / "communities.csv"
    numeric.to_csv(path, index=False)
    got, _ = civicast.allocate(path, DEMO / "allocation.spec")
    assert got["unique_id"].dtype == np.int64 and got["unique_id"].tolist() == numeric["unique_id"].tolist()
    assert civicast.read(path)["unique_id"].dtype == np.int64
    padded = numeric.assign(unique_id=["0" + str(u) for u in numeric["unique_id"]])
    padded.to_csv(path, index=False)
    got, _ = civicast.allocate(path, DEMO / "allocation.spec")
    assert got["unique_id"].tolist()[0] == "0310101001"


def test_allocate_merged_community_predecessors(tmp_path):
    """[data] predecessors (docs/ALLOCATION.md "When the map changes"): the
    demo's C001 and C002 merged into C900, from a pandas DataFrame as an
    office edits it.  With 0 in its history the merged community passed as
    new, exempt from the 85% hold-harmless; declared, it is refused with the
    community and the cure, and with the parts' sum it keeps 85% of it."""
    c = pd.read_csv(DEMO / "communities.csv", dtype={"unique_id": str})
    old = c[c.unique_id.isin(["D01-S01-C001", "D01-S01-C002"])]
    m = old.iloc[0].copy()
    m["unique_id"] = "D01-S01-C900"
    for k in ["population_resident", "aged60_resident", "migrant_count", "area_km2", "service_points"]:
        m[k] = old[k].sum()
    m["last_year_funding"] = 0
    c = pd.concat([c[~c.index.isin(old.index)], m.to_frame().T], ignore_index=True)
    c["前身"] = ""
    c.loc[c.unique_id == "D01-S01-C900", "前身"] = "D01-S01-C001、D01-S01-C002"
    for col in c.columns:
        if col not in ("unique_id", "name", "district", "street", "pilot", "前身"):
            c[col] = pd.to_numeric(c[col])
    spec = (DEMO / "allocation.spec").read_text(encoding="utf-8")
    spec = spec.replace('aged = "aged60_resident"', 'aged = "aged60_resident"\npredecessors = "前身"', 1)
    assert 'predecessors = "前身"' in spec
    with pytest.raises(civicast.Error) as err:
        civicast.allocate(c, spec)
    assert err.value.status == "CIV_ERR_DOMAIN" and err.value.series_id == "D01-S01-C900"
    assert "continues last year's D01-S01-C001、D01-S01-C002 (column '前身')" in err.value.message
    assert "exempt from hold-harmless and pace" in err.value.message
    c.loc[c.unique_id == "D01-S01-C900", "last_year_funding"] = old.last_year_funding.sum()
    a, _ = civicast.allocate(c, spec, explain=True)
    row = a.set_index("unique_id").loc["D01-S01-C900"]
    assert "(last year's amounts from D01-S01-C001+D01-S01-C002)" in row.explanation, row.explanation
    assert row.last_year_fen == old.last_year_funding.sum() * 100
    assert row.amount_fen >= 0.85 * row.last_year_fen


def test_allocate_no_forecast_explained(tmp_path):
    """if_missing = "zero": a community with no forecast rows (a new estate
    not in the panel) counts 0 demand, and its explanation says so."""
    c = pd.DataFrame({"unique_id": ["A", "B", "N"], "pop": [1.0, 1.0, 1.0]})
    f = pd.DataFrame({"unique_id": ["A", "B"], "ds": ["2026-01", "2026-01"], "h": [1, 1], "model": ["ets", "ets"],
                      "mean": [10.0, 30.0]})
    spec = ('version = "t"\n[budget]\ntotal = 1000.00\nfiscal_year = 2026\n[[pool]]\nname = "p"\nshare = 1\n'
            '[[factor]]\nname = "pop"\nattribute = "pop"\nweight = 0.5\n[[factor]]\nname = "meals"\n'
            'source = "forecast"\nhorizon = 1\nif_missing = "zero"\nweight = 0.5\n')
    with pytest.warns(civicast.ForecastWarning) as got:  # how many (before 2026-12-07: no word of it)
        a, _ = civicast.allocate(c, spec, forecasts=f, explain="zh")
    assert [str(w.message) for w in got] == [
        'civicast.allocate: forecast demand meals: 1 of 3 communities has no forecast and counts as 0 '
        '(if_missing = "zero"; its explanation says so)'], [str(w.message) for w in got]
    ex = a.set_index("unique_id").explanation
    assert "构成：pop 100.0%（meals：无预测，按 0 计）" in ex["N"], ex["N"]
    assert not ex[["A", "B"]].str.contains("无预测").any()
    with pytest.warns(civicast.ForecastWarning, match="1 of 3 communities has no forecast"):
        civicast.allocate_to_file(c, spec, tmp_path / "a.csv", forecasts=f)
    with warnings.catch_warnings():  # every community forecast: no warning
        warnings.simplefilter("error")
        civicast.allocate(c[c.unique_id != "N"], spec, forecasts=f)


def test_allocate_last_year_total_names_what_is_gone():
    """[[formula]] last_year_total: a community closed since last year (the
    demo's C004, 113,900.00 last year) has no row; the summary says what
    this year's communities carry of last year's whole fund and what is gone."""
    c = pd.read_csv(DEMO / "communities.csv", dtype={"unique_id": str})
    c = c[c.unique_id != "D01-S01-C004"]
    spec = (DEMO / "allocation.spec").read_text(encoding="utf-8")
    spec = re.sub(r'(?m)^last_year = "last_year_funding".*$', r'\g<0>\nlast_year_total = 134_637_500.00', spec, count=1)
    assert "last_year_total = 134_637_500.00" in spec
    _, s = civicast.allocate(c, spec)
    h = s[s.section == "history"].set_index("measure")["value"]
    assert (h["last_year_total"], h["carried"], h["not_carried"]) == (13_463_750_000, 13_452_360_000, 11_390_000)
    with pytest.raises(civicast.Error) as err:
        civicast.allocate(c, spec.replace("134_637_500.00", "134_000_000.00"))
    assert err.value.status == "CIV_ERR_DOMAIN" and err.value.field == "last_year_total"
    assert "money counted twice" in err.value.message


def test_last_year_file():
    """Last year's allocation as an input (last_year=, civ_alloc_spec_set_last_year): on the demo city with
    C001 + C002 merged into C900, C005 renamed C905 (their last-year cells left blank) and C004 closed, the
    blanks are the file's (the amounts are those of the hand-written sums), C004 is named as closed
    (before: an amount at most), and a hand-made sum that differs from the file is refused with both values."""
    c = pd.read_csv(DEMO / "communities.csv", dtype={"unique_id": str})
    spec = (DEMO / "allocation.spec").read_text(encoding="utf-8")
    spec = spec.replace('aged = "aged60_resident"', 'aged = "aged60_resident"\npredecessors = "前身"', 1)
    before, _ = civicast.allocate(c, DEMO / "allocation.spec")
    ly = before.copy()   # last year's allocation as allocate returns it, holding last year's amounts
    h = c.set_index("unique_id").reindex(ly.unique_id)
    ly["pool_eldercare+health_fen"] = (h.last_year_funding.to_numpy() * 100).round().astype("int64")
    ly["pool_migrant_fen"] = (h.last_year_migrant.to_numpy() * 100).round().astype("int64")
    ly["amount_fen"] = ly["pool_eldercare+health_fen"] + ly["pool_migrant_fen"]  # the total and the yuan agree
    ly["amount_yuan"] = ly["amount_fen"] / 100                                   # with the funds, as written
    a1, b1 = c[c.unique_id == "D01-S01-C001"].iloc[0], c[c.unique_id == "D01-S01-C002"].iloc[0]
    m = a1.copy()
    m["unique_id"], m["name"] = "D01-S01-C900", "民主龙湖社区"
    for k in ["households", "population_resident", "population_registered", "aged60_resident", "migrant_count",
              "area_km2", "service_points"]:
        m[k] = a1[k] + b1[k]
    m["last_year_funding"] = a1.last_year_funding + b1.last_year_funding
    v = c[~c.unique_id.isin(["D01-S01-C001", "D01-S01-C002", "D01-S01-C004"])].copy()
    v.loc[v.unique_id == "D01-S01-C005", "unique_id"] = "D01-S01-C905"
    v = pd.concat([v, m.to_frame().T], ignore_index=True).infer_objects()
    v["前身"] = ""
    v.loc[v.unique_id == "D01-S01-C900", "前身"] = "D01-S01-C001、D01-S01-C002"
    v.loc[v.unique_id == "D01-S01-C905", "前身"] = "D01-S01-C005"
    v["last_year_funding"] = v.last_year_funding.astype(float)
    sums, s0 = civicast.allocate(v, spec)
    assert "closed" not in set(s0.section)                          # without the file: no name
    blank = v.copy()
    blank.loc[blank.unique_id.isin(["D01-S01-C900", "D01-S01-C905"]), "last_year_funding"] = np.nan
    a, s = civicast.allocate(blank, spec, last_year=ly)
    assert (a.amount_fen.to_numpy() == sums.amount_fen.to_numpy()).all()
    assert a.set_index("unique_id").loc["D01-S01-C900", "last_year_fen"] == 30_000_000
    closed = a.attrs["closed"]
    assert closed.unique_id.tolist() == ["D01-S01-C004"] and closed.name.tolist() == ["临江社区"]
    assert closed.last_year_fen.tolist() == [11_390_000]
    assert closed["last_year_eldercare+health_fen"].tolist() == [11_390_000]
    h = s[(s.section == "history") & (s["item"] == "eldercare+health")].set_index("measure")["value"]
    assert h["not_carried"] == 11_390_000
    wrong = v.copy()
    wrong.loc[wrong.unique_id == "D01-S01-C900", "last_year_funding"] = 250000.0
    with pytest.raises(civicast.Error) as err:
        civicast.allocate(wrong, spec, last_year=ly)
    assert err.value.status == "CIV_ERR_DOMAIN" and err.value.series_id == "D01-S01-C900"
    assert "has 250,000.00 last year in 'last_year_funding'" in err.value.message
    assert "gives 300,000.00 ('D01-S01-C001' + 'D01-S01-C002', fund 'eldercare+health')" in err.value.message
    # allocate_to_file takes it too, and the spec's [data] last_year_file (relative to the spec's folder)
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        ly.to_csv(f"{d}/ly.csv", index=False)
        (Path(d) / "s.spec").write_text(spec.replace('predecessors = "前身"',
                                                     'predecessors = "前身"\nlast_year_file = "ly.csv"'), "utf-8")
        a2, s2 = civicast.allocate(blank, f"{d}/s.spec")
        assert (a2.amount_fen.to_numpy() == sums.amount_fen.to_numpy()).all()
        assert a2.attrs["closed"].unique_id.tolist() == ["D01-S01-C004"]
        cmp, _ = civicast.compare(blank, [f"{d}/s.spec", f"{d}/s.spec"])    # scenarios read the key too
        assert len(cmp) == len(blank)
        s3 = civicast.allocate_to_file(blank, spec, f"{d}/out.csv", last_year=f"{d}/ly.csv")
        assert "D01-S01-C004" in set(s3[s3.section == "closed"]["item"])
    # compare, uncertainty and project take last_year= too (before: only the spec's key; TypeError)
    with pytest.raises(civicast.Error, match="is missing"):
        civicast.compare(blank, [spec, spec])
    cmp, _ = civicast.compare(blank, [spec, spec], labels=["a", "b"], last_year=ly)
    assert (cmp.amount_a.to_numpy() == sums.amount_fen.to_numpy()).all()
    u = civicast.uncertainty(blank, spec, draws=5, weight_concentration=200.0, last_year=ly)
    u = u[u.scope == "community"].set_index("name")
    assert (u.loc[sums.unique_id, "amount_fen"].to_numpy() == sums.amount_fen.to_numpy()).all()
    plan_spec = (DEMO / "plan.spec").read_text(encoding="utf-8")
    plan_spec = plan_spec.replace('aged = "aged60_resident"', 'aged = "aged60_resident"\npredecessors = "前身"', 1)
    ids = blank.unique_id.tolist()
    ds = [f"{y}-{k:02d}" for y in (2025, 2026, 2027) for k in range(1, 13)]
    fc = pd.DataFrame([(i, t, h, "m", 100.0) for i in ids for h, t in enumerate(ds, 1)],
                      columns=["unique_id", "ds", "h", "model", "mean"])
    with tempfile.TemporaryDirectory() as d:
        ly.to_csv(f"{d}/ly.csv", index=False)
        p, _ = civicast.project(blank, plan_spec, fc, 2, last_year=f"{d}/ly.csv")
    first = p[p.year == 2026].set_index("unique_id")
    assert first.loc["D01-S01-C900", "last_year_eldercare+health_fen"] == 30_000_000


def test_sheet_rows_and_pivoted_frames_say_what_they_are(tmp_path):
    """A sheet's total row read into a frame (合计 with no date, text or Timestamp ds) and a frame with a
    column per series (df.pivot(index='ds', columns='unique_id')): the error says so, as the C reader does
    for the same CSV. Before: 'row 2: missing ds', and 'needs a column unique_id ... name the columns'."""
    text = pd.DataFrame({"unique_id": ["C001", "C001", "合计"], "ds": ["2024-01", "2024-02", None],
                         "y": [1.0, 2.0, 3.0]})
    with pytest.raises(civicast.Error, match=r"row 2: missing ds in series '合计': give the date, or drop the row "
                                             r"\(a sheet's total or note row") as e:
        civicast.forecast(text, h=2, model="naive")
    assert e.value.field == "ds" and e.value.series_id == "合计"
    with pytest.raises(civicast.Error, match=r"row 2: missing ds \(NaT\) in series '合计'.*total or note row"):
        civicast.forecast(text.assign(ds=pd.to_datetime(text["ds"])), h=2, model="naive")
    # with its dates (an Excel export in long form, a total block per month): named, as the C reader names it,
    # not forecast as one more community; the same rows read from a CSV file say the same; alone, it is read
    dated = pd.DataFrame({"unique_id": ["C001", "合计", "C002", "C001", "合计", "C002"],
                          "ds": ["2024-01", "2024-01", "2024-01", "2024-02", "2024-02", "2024-02"],
                          "y": [1.0, 3.0, 2.0, 1.0, 3.0, 2.0]})
    with pytest.raises(civicast.Error, match=r"^row 1: '合计' looks like the sheet's total row, not a series") as e:
        civicast.forecast(dated, h=2, model="naive")
    assert e.value.field == "unique_id" and e.value.series_id == "合计"
    with pytest.raises(civicast.Error, match=r"row 1: ' Total' looks like"):
        civicast.forecast(dated.replace({"unique_id": {"合计": " Total"}}), h=2, model="naive")
    csv = tmp_path / "dated.csv"
    dated.to_csv(csv, index=False)
    with pytest.raises(civicast.Error, match=r"'合计' looks like the sheet's total row, not a series") as e:
        civicast.read(csv)
    assert e.value.line == 3 and e.value.series_id == "合计"
    alone = civicast.forecast(dated[dated.unique_id == "合计"], h=2, model="naive")
    assert list(alone.unique_id.unique()) == ["合计"]
    assert len(civicast.forecast(dated.replace({"unique_id": {"合计": "合计社区"}}), h=2, model="naive")) == 6
    # the names are the C library's (civ_total_row_find): every spelling the CSV reader refuses, the frame does
    # (before: frame.py's own list passed 合　计, 总计：, TOTAL:, Grand Total as series)
    for name in ("合　计", "合  计", "总计：", "TOTAL:", "Grand Total", "小 计"):
        with pytest.raises(civicast.Error, match=f"row 1: '{name}' looks like the sheet's total row"):
            civicast.forecast(dated.replace({"unique_id": {"合计": name}}), h=2, model="naive")
    # "total" exactly is the top node of civicast's node panels (Hierarchy.aggregate, convert --hierarchy)
    assert len(civicast.forecast(dated.replace({"unique_id": {"合计": "total"}}), h=2, model="naive")) == 6
    # pandas' index written by df.to_csv(path) and read back: refused as the C reader refuses the file's unnamed
    # first column (before: taken as a covariate, a regressor under xreg=)
    indexed = tmp_path / "indexed.csv"
    dated.replace({"unique_id": {"合计": "C003"}}).to_csv(indexed)
    with pytest.raises(civicast.Error, match=r"column 'Unnamed: 0' is pandas' index.*index_col=0") as e:
        civicast.forecast(pd.read_csv(indexed), h=2, model="naive")
    assert e.value.field == "Unnamed: 0"
    # the same from a workbook: the cure names pd.read_excel too (before: pd.read_csv only)
    book = tmp_path / "indexed.xlsx"
    dated.replace({"unique_id": {"合计": "C003"}}).to_excel(book)
    with pytest.raises(civicast.Error, match=r"read back by pd\.read_csv or pd\.read_excel.*pd\.read_excel\(path, "
                                             r"index_col=0\)"):
        civicast.forecast(pd.read_excel(book), h=2, model="naive")
    with pytest.raises(civicast.Error, match=r"the first column has no name, as pandas writes its index"):
        civicast.read(indexed)
    wide = pd.DataFrame({"ds": pd.to_datetime(["2024-01-01", "2024-02-01"]), "C001": [1.0, 2.0], "C002": [3.0, 4.0]})
    with pytest.raises(civicast.Error, match=r"has no 'y', but 'ds' and 2 others \('C001', \.\.\.\): a column per "
                                             r"series.*df\.melt\(id_vars='ds'") as e:
        civicast.forecast(wide, h=2, model="naive")
    assert e.value.field == "unique_id"


def test_argument_checks_raise_the_typed_errors(meals, tmp_path):
    """Arguments refused before any call raise civicast.InvalidArgument (a ValueError) or civicast.WrongType (a
    TypeError), both civicast.Error with the argument in .field, exported as civicast.InvalidArgument / WrongType.
    Before 2026-12-07 accuracy=, ic=, thousands=, encoding=, lang=, h=, windows=, freq= raised a plain ValueError,
    nonnegative= a bare KeyError ('maybe'), model=5 "'int' object is not iterable", progress=1 "'int' object is not
    callable" from inside the run, info(data, attributes=5) "expected str, bytes or os.PathLike object", and
    encoding='latin1' was taken without a word."""
    d = small(meals, 2)
    path = str(tmp_path / "m.csv")
    d.to_csv(path, index=False)
    bad_value = [(lambda: civicast.backtest(d, h=3, model="naive", accuracy="yes"), "accuracy"),
                 (lambda: civicast.backtest(d, h=3, model="naive", ic="bic2"), "ic"),
                 (lambda: civicast.forecast(d, h=3, model="naive", ic="x"), "ic"),
                 (lambda: civicast.backtest(d, h=3, model=[]), "model"),
                 (lambda: civicast.backtest(d, h=3, model="naive", windows=0), "windows"),
                 (lambda: civicast.forecast(d, h=0, model="naive"), "h"),
                 (lambda: civicast.backtest(d, h=3, model="naive", nonnegative="maybe"), "nonnegative"),
                 (lambda: civicast.forecast(d, h=3, model="naive", freq="X"), "freq"),
                 (lambda: civicast.read(path, thousands="."), "thousands"),
                 (lambda: civicast.read(path, encoding="latin1"), "encoding"),
                 (lambda: civicast.report(str(tmp_path), lang="fr"), "lang"),
                 (lambda: civicast.plan(str(DEMO / "plan.toml"), lang="fr"), "lang")]
    for call, field in bad_value:
        with pytest.raises(civicast.InvalidArgument) as e:
            call()
        assert isinstance(e.value, ValueError) and isinstance(e.value, civicast.Error), field
        assert e.value.status == "CIV_ERR_INVALID_ARGUMENT" and e.value.field == field, (field, str(e.value))
    bad_type = [(lambda: civicast.backtest(d, h=3, model=5), "model"),
                (lambda: civicast.backtest(d, h=3, model="naive", windows=2.0), "windows"),
                (lambda: civicast.forecast(d, h=3, model="naive", level="high"), "level"),
                (lambda: civicast.backtest(d, h=3, model="naive", progress=1), "progress"),
                (lambda: civicast.info(d, attributes=5), "attributes"), (lambda: civicast.info(42), "data")]
    for call, field in bad_type:
        with pytest.raises(civicast.WrongType) as e:
            call()
        assert isinstance(e.value, TypeError) and e.value.field == field, (field, str(e.value))
    assert {"InvalidArgument", "WrongType"} <= set(civicast.__all__)


def test_wrong_argument_types_name_what_is_taken(meals, tmp_path):
    """forecast(path), backtest(path), an array or a Series raised AttributeError "'str' object has no
    attribute 'columns'", and xreg=True "'bool' object is not iterable"; an intervals= typo a plain
    ValueError.  Each is a civicast.Error naming what is taken and the cure, still a TypeError (ValueError)."""
    d = small(meals, 3)
    path = str(tmp_path / "m.csv")
    d.to_csv(path, index=False)
    cases = [(lambda: civicast.forecast(path, h=3, model="naive"),
              r"civicast.forecast: the data must be a long-format DataFrame .*not the path .*m\.csv'.*"
              r"civicast\.read\(.*forecast_to_files\("),
             (lambda: civicast.backtest(path, h=3, model="naive"), r"civicast.backtest: .*civicast\.read\("),
             (lambda: civicast.forecast(d.to_numpy(), h=3), r"not numpy\.ndarray: make one with columns"),
             (lambda: civicast.forecast(d.set_index(["unique_id", "ds"])["y"], h=3),
              r"not a Series: .*s\.rename\('y'\)\.reset_index\(\)"),
             (lambda: civicast.forecast(d, h=3, model="arima", xreg=True),
              r"xreg must be the name of a covariate column or a list of names .* not bool True")]
    for call, match in cases:
        with pytest.raises(civicast.Error, match=match) as e:
            call()
        assert isinstance(e.value, TypeError) and e.value.status == "CIV_ERR_INVALID_ARGUMENT"
    with pytest.raises(civicast.Error, match=r"intervals must be None, 'model' or 'conformal', got 'conformall'") \
            as e:
        civicast.forecast(d, h=3, model="naive", intervals="conformall")
    assert isinstance(e.value, ValueError) and e.value.field == "intervals"
    import pickle
    again = pickle.loads(pickle.dumps(e.value))  # the subclass survives a trip to a Dask worker
    assert isinstance(again, ValueError) and isinstance(again, civicast.Error) and str(again) == str(e.value)


def test_duplicate_timestamp_named_as_a_date_with_the_cure():
    """A series with a Timestamp twice said "has ds 2022-12-01 00:00:00 twice" and no cure; the date is
    written as the file would have it and the message says how to keep one row or sum them."""
    df = pd.DataFrame({"unique_id": ["a"] * 4, "ds": pd.to_datetime(["2022-10-01", "2022-11-01", "2022-12-01",
                                                                     "2022-12-01"]), "y": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(civicast.Error, match=r"rows 2 and 3: series 'a' has ds 2022-12-01 twice: keep one row "
                                             r"\(df\.drop_duplicates\(\['unique_id', 'ds'\]\)\) or, if both count, "
                                             r"sum them") as e:
        civicast.backtest(df, model="naive", h=1, windows=1)
    assert e.value.status == "CIV_ERR_DUPLICATE" and e.value.series_id == "a" and "00:00:00" not in str(e.value)


# ---- errors in a Python user's words -------------------------------------------------------------------

def _small_city():
    comm = pd.DataFrame({"unique_id": ["c1", "c2", "c3"], "district": ["A", "A", "B"], "street": ["S1", "S2", "S1"]})
    ds = pd.date_range("2023-01-01", periods=18, freq="MS")
    df = pd.concat([pd.DataFrame({"unique_id": u, "ds": ds, "y": 10.0 + k + np.arange(18) % 5})
                    for k, u in enumerate(comm["unique_id"])], ignore_index=True)
    return df, comm


def _no_option(e):
    """The message names no command-line option (--id-col, --group, ...)."""
    assert not re.search(r"(?<![\w-])--[a-z]", str(e.value)), str(e.value)
    assert not re.search(r"(?<![\w-])--[a-z]", e.value.message), e.value.message


def test_errors_speak_python_for_the_common_mistakes():
    """The common mistakes of a notebook user get the package's argument names, never the command's options:
    a misspelt column, a communities frame without unique_id (said '--id-col', which a communities frame does
    not even have in Python), a hierarchy column that is not there, streets that cross districts (said
    '--group (groups=)'); before 2026-12-07 the library's messages reached Python as the command wrote them."""
    df, comm = _small_city()
    with pytest.raises(civicast.Error, match=r"needs a column 'y'.*target_col=") as e:
        civicast.forecast(df.rename(columns={"y": "value"}), h=2, model="naive")
    _no_option(e)
    with pytest.raises(civicast.Error, match=r"no column 'code_x' \(given as id_col\)") as e:
        civicast.forecast(df.rename(columns={"unique_id": "code"}), h=2, model="naive", id_col="code_x")
    _no_option(e)
    no_id = comm.rename(columns={"unique_id": "code"})
    for call in (civicast.forecast, civicast.backtest):
        with pytest.raises(civicast.Error, match=r"needs a text column 'unique_id'.*communities\.rename\(columns=") as e:
            call(df, h=2, model="naive", hierarchy=["district"], communities=no_id)
        _no_option(e)
        assert e.value.field == "unique_id"
    with pytest.raises(civicast.Error, match=r"no column 'distrct'.*its columns are unique_id, district") as e:
        civicast.backtest(df, h=2, model="naive", hierarchy=["distrct"], communities=comm)
    _no_option(e)
    with pytest.raises(civicast.Error, match=r"street 'S1' is in district 'A'.*name 'street' in groups= instead") as e:
        civicast.forecast(df, h=2, model="naive", hierarchy=["district", "street"], communities=comm)
    _no_option(e)
    with pytest.raises(civicast.InvalidArgument, match=r"communities= is needed .*\['district'\]") as e:
        civicast.Hierarchy(df, None, hierarchy=["district"])  # was a TypeError from os.fspath(None)
    _no_option(e)


def test_communities_file_without_unique_id_gets_a_files_cure(tmp_path):
    """A communities *file* without unique_id (forecast / backtest / Hierarchy with communities= a path) is told
    what to do with a file: its name and columns, the header to write, or civicast.read(path, id_col=...) to pass
    as communities= (an .h5 table, which has no header and whose id read() does not rename: read and rename);
    before 2026-12-07 it was told communities.rename(...), the cure for a DataFrame, and an .h5 file was named
    by the isolate guard's temporary copy, gone by then.  A DataFrame keeps the DataFrame's cure."""
    df, comm = _small_city()
    no_id = comm.rename(columns={"unique_id": "code"})
    with pytest.raises(civicast.Error, match=r"communities\.rename\(columns=") as e:
        civicast.Hierarchy(df, no_id, hierarchy=["district"])
    assert e.value.file == "the communities DataFrame"
    paths = [tmp_path / "社区.csv", tmp_path / "comm.xlsx", tmp_path / "comm.h5"]
    no_id.to_csv(paths[0], index=False)
    no_id.to_excel(paths[1], index=False)
    civicast.write(no_id, paths[2], kind="table")
    for path in paths:
        for call in (lambda: civicast.forecast(df, h=2, model="naive", hierarchy=["district"], communities=path),
                     lambda: civicast.backtest(df, h=2, model="naive", hierarchy=["district"], communities=str(path)),
                     lambda: civicast.Hierarchy(df, path, hierarchy=["district"])):
            with pytest.raises(civicast.Error) as e:
                call()
            _no_option(e)
            msg = str(e.value)
            assert e.value.file == str(path) and e.value.field == "unique_id", msg
            assert "its columns are code, district, street" in msg and "rename(columns=" not in msg.split(":")[-1] \
                or path.suffix == ".h5", msg
            assert "DataFrame.rename" not in msg and "communities.rename" not in msg, msg
            if path.suffix != ".h5":  # an HDF5 table has no header to write (since 2026-12-07 read keys it too)
                assert f"write unique_id as the header of its id column in {str(path)!r}" in msg, msg
            assert f"civicast.read({str(path)!r}, id_col='<its id column>')" in msg, msg
            # the cure works
            fixed = civicast.read(path, id_col="code")
            assert civicast.Hierarchy(df, fixed, hierarchy=["district"]).n_nodes == 3 + 2 + 1


def test_python_words_translates_options_only():
    """python_words: each option as its argument, a message that already names the Python form kept whole,
    text that only looks like an option (an id 'a--b') untouched."""
    w = _lib.python_words
    assert w('read it with --thousands "," or --percent') == 'read it with thousands="," or percent=True'
    assert w("name it with --id-col, --time-col or --target-col") == "name it with id_col=, time_col= or target_col="
    assert w("name 'street' in --group (groups=) instead") == "name 'street' in groups= instead"
    assert w("add them to that frequency or drop --freq; --freq MS") == 'add them to that frequency or drop freq=; freq="MS"'
    assert w("read it as wide (--wide-input), --sheet NAME") == 'read it as wide (layout="wide"), sheet="NAME"'
    kept = 'name it with --sheet NAME (Python: sheet="NAME")'
    assert w(kept) == kept
    assert w("series 'a--b' is short") == "series 'a--b' is short"
    assert w("") == "" and w(None) is None
