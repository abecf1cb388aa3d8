"""test_frames_as_written.py -- data as notebooks and budget offices hand it over, through civicast's Python
entry points: the ids' dtype a notebook chose (categorical, pandas' string) kept by allocate as by forecast;
id_col= of an HDF5 table; y and covariates kept as text (pd.read_csv(dtype=str), pd.read_excel of a sheet with
"NA", "-", "—" or "1,234") read by the CSV reader's rules.

Environment: CIV_LIBRARY, CIV_SOURCE_DIR, PYTHONPATH=python-bindings (CIV_CLI for the HDF5 files).
"""
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import civicast

SOURCE = Path(os.environ.get("CIV_SOURCE_DIR", Path(__file__).resolve().parents[2]))
DEMO = SOURCE / "datasets" / "demo_city"
SPEC = DEMO / "allocation.spec"


def _id_kinds(df):
    """The communities' ids as a notebook may hold them: categorical (also of int codes), pandas' string dtype,
    and what convert_dtypes() makes of the frame."""
    codes = {u: 310101000 + k for k, u in enumerate(sorted(df.unique_id))}
    return {"category": df.assign(unique_id=df.unique_id.astype("category")),
            "category-int": df.assign(unique_id=df.unique_id.map(codes).astype("category")),
            "string": df.assign(unique_id=df.unique_id.astype("string")),
            "convert_dtypes": df.convert_dtypes()}


@pytest.mark.parametrize("kind", ["category", "category-int", "string", "convert_dtypes"])
def test_allocate_keeps_the_id_dtype(kind):
    """allocate's table (amounts and explanations), its attrs["closed"] and compare's table come back with the
    communities frame's id dtype, as forecast's outputs do (before 2026-12-07 categorical and string ids came
    back as object, so merging them back or comparing dtypes with forecast's failed)."""
    comm = _id_kinds(pd.read_csv(DEMO / "communities.csv"))[kind]
    dt = comm.unique_id.dtype
    alloc, _ = civicast.allocate(comm, SPEC, explain=True)
    assert alloc.unique_id.dtype == dt, alloc.unique_id.dtype
    assert alloc.unique_id.astype(str).tolist() == comm.unique_id.astype(str).tolist()
    assert alloc["explanation"].str.len().gt(0).all()
    plain, _ = civicast.allocate(comm.assign(unique_id=comm.unique_id.astype(str)), SPEC)
    assert (alloc.amount_fen.to_numpy() == plain.amount_fen.to_numpy()).all()
    merged = comm[["unique_id", "name"]].merge(alloc[["unique_id", "amount_fen"]], on="unique_id")
    assert len(merged) == len(comm)
    # last year's allocation with three more communities: those gone are closed, named in the frame's dtype
    # (a slice of a categorical keeps its categories) when the dtype can hold them
    gone = comm.iloc[3:].assign(last_year_funding=np.nan, last_year_migrant=np.nan)  # taken from last_year=
    again, _ = civicast.allocate(gone, SPEC, last_year=plain)
    assert again.unique_id.dtype == dt
    closed = again.attrs["closed"].unique_id
    assert closed.astype(str).tolist() == comm.unique_id.astype(str).iloc[:3].tolist()
    assert closed.dtype == dt
    if isinstance(dt, pd.CategoricalDtype):  # categories without them: the ids stay text, not NaN
        trimmed = gone.assign(unique_id=gone.unique_id.cat.remove_unused_categories())
        closed = civicast.allocate(trimmed, SPEC, last_year=plain)[0].attrs["closed"].unique_id
        assert closed.dtype == object and closed.astype(str).tolist() == comm.unique_id.astype(str).iloc[:3].tolist()
    table, _ = civicast.compare(comm, [str(SPEC), str(SPEC)])
    assert table.unique_id.dtype == dt


def test_dask_allocate_keeps_the_id_dtype():
    """civicast.dask.allocate gathers the Dask communities and allocates once: the same dtype as allocate."""
    dd = pytest.importorskip("dask.dataframe")
    import civicast.dask as cd
    comm = _id_kinds(pd.read_csv(DEMO / "communities.csv"))["category"]
    want, _ = civicast.allocate(comm, SPEC)
    got, _ = cd.allocate(dd.from_pandas(comm, npartitions=3), SPEC)
    assert got.unique_id.dtype == comm.unique_id.dtype
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True))


def _h5(tmp_path, csv_path, name, *options):
    """csv_path converted by the command (`civicast convert csv h5 OPTIONS...`) into tmp_path/name."""
    out = tmp_path / name
    subprocess.run([os.environ["CIV_CLI"], "convert", str(csv_path), str(out), *options], check=True,
                   capture_output=True)
    return str(out)


@pytest.mark.parametrize("isolate", [None, False])
def test_read_hdf5_takes_the_column_names(tmp_path, isolate):
    """civicast.read of an .h5 file takes id_col=, time_col= and target_col= as for the CSV it came from: an HDF5
    table is keyed by id_col (its 社区编号 becomes unique_id), and read as a panel when time_col= or target_col=
    name its date and value columns; an HDF5 panel stores its series, dates and values without column names, and is
    read as it is.  Before 2026-12-07 the names were dropped for .h5 files (the table kept 社区编号, the long
    table came back as a table).  A table with both its own key and unique_id is refused, as in a CSV."""
    if "CIV_CLI" not in os.environ:
        pytest.skip("CIV_CLI not set")
    names = {"unique_id": "社区编号", "ds": "月份", "y": "用餐人次"}
    own = dict(id_col="社区编号", time_col="月份", target_col="用餐人次")
    comm = pd.read_csv(DEMO / "communities.csv").head(40).rename(columns={"unique_id": "社区编号"})
    meals = pd.read_csv(DEMO / "meals.csv").head(600)
    meals = pd.concat([meals[meals.unique_id == u] for u in meals.unique_id.unique()[::-1]])  # not sorted: the
    meals = meals.rename(columns=names)                             # file's series order is kept, as from a CSV
    comm.to_csv(tmp_path / "comm.csv", index=False)
    meals.to_csv(tmp_path / "meals.csv", index=False)
    table_h5 = _h5(tmp_path, tmp_path / "comm.csv", "comm.h5", "--table")
    keyed = civicast.read(table_h5, id_col="社区编号", isolate=isolate)
    pd.testing.assert_frame_equal(keyed, civicast.read(str(tmp_path / "comm.csv"), kind="table", id_col="社区编号"))
    assert list(keyed.columns[:2]) == ["unique_id", "name"]
    assert list(civicast.read(table_h5, kind="table", id_col="社区编号", isolate=isolate).columns[:1]) == ["unique_id"]
    want = civicast.read(str(tmp_path / "meals.csv"), **own)
    long_h5 = _h5(tmp_path, tmp_path / "meals.csv", "meals_table.h5", "--table")
    pd.testing.assert_frame_equal(civicast.read(long_h5, isolate=isolate, **own), want)
    pd.testing.assert_frame_equal(civicast.read(long_h5, kind="panel", isolate=isolate, **own), want)
    assert "月份" in civicast.read(long_h5, kind="table", isolate=isolate, **own).columns  # a table, as asked
    panel_h5 = _h5(tmp_path, tmp_path / "meals.csv", "meals.h5", "--id-col", "社区编号", "--time-col", "月份",
                   "--target-col", "用餐人次")
    pd.testing.assert_frame_equal(civicast.read(panel_h5, isolate=isolate, **own), want)
    comm.assign(unique_id=comm["社区编号"]).to_csv(tmp_path / "both.csv", index=False)
    both_h5 = _h5(tmp_path, tmp_path / "both.csv", "both.h5", "--table")
    with pytest.raises(civicast.Error) as e:
        civicast.read(both_h5, id_col="社区编号", isolate=isolate)
    assert e.value.status == "CIV_ERR_DUPLICATE" and e.value.file == both_h5, e.value
    assert "the table has both '社区编号' (column 1, given as the key column) and 'unique_id'" in e.value.message
    with pytest.raises(civicast.Error) as e:  # a target_col the table lacks, named as for a frame
        civicast.read(long_h5, id_col="社区编号", time_col="月份", target_col="人次", isolate=isolate)
    assert e.value.status == "CIV_ERR_MISSING_COLUMN" and "'人次' (given as target_col)" in e.value.message


TOKENS_MISSING = ["", "NA", "na", "NaN", "nan"]
TOKENS_REFUSED = {"-": "a dash or slash for no data", "—": "a dash or slash for no data",
                  "N/A": "a word for no data", "null": "a word for no data",
                  "1,234": "is a number written with a thousands separator", " 12 ": "it has spaces around it",
                  "#N/A": "is an Excel error value", "１２": "full-width characters", "inf": "bad number 'inf'",
                  "12%": "written with a percent sign"}


def _text_panel():
    """Two monthly series with y as text, as pd.read_csv(dtype=str, keep_default_na=False) gives them."""
    ds = [f"2020-{m:02d}" for m in range(1, 13)]
    return pd.DataFrame({"unique_id": ["a"] * 12 + ["b"] * 12, "ds": ds * 2,
                         "y": [str(10 + k % 7) for k in range(24)], "aged60": [str(100 + k) for k in range(24)]})


@pytest.mark.parametrize("token", TOKENS_MISSING + list(TOKENS_REFUSED))
@pytest.mark.parametrize("column", ["y", "aged60"])
def test_text_cells_follow_the_csv_readers_rules(tmp_path, token, column):
    """A value kept as text is read by the CSV reader's rules (one place, C civ_csv_parse_cells): "", "NA" and
    "NaN" in any case are missing, as in a CSV; "-", "—", "N/A", "1,234", " 12 ", "#N/A", full-width digits,
    "inf" and "12%" are refused, as the command refuses the same cell, naming the row, its unique_id and ds, the
    column and the text, with the reader's hint.  The frame read from the CSV with pd.read_csv(dtype=str,
    keep_default_na=False) gives the file's forecasts.  Before 2026-12-07 pandas' to_numeric read the text:
    "NA" and "NaN" were refused, " 12 " was 12, "inf" was infinite, a "-" had no hint, and the row had no date."""
    df = _text_panel()
    df.loc[14, column] = token
    path = tmp_path / "panel.csv"
    df.to_csv(path, index=False)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert frame.loc[14, column] == token
    if token in TOKENS_MISSING:
        want = civicast.forecast(civicast.read(str(path)), h=2, model="naive", level=None)
        got = civicast.forecast(frame, h=2, model="naive", level=None)
        assert np.array_equal(got["mean"].to_numpy(), want["mean"].to_numpy())
        cv = civicast.backtest(frame, h=2, windows=1, model="naive", level=None)
        assert len(cv) == 4
        return
    with pytest.raises(civicast.Error) as from_file:
        civicast.read(str(path))
    assert TOKENS_REFUSED[token] in from_file.value.message, from_file.value.message
    for call in (lambda f: civicast.forecast(f, h=2, model="naive"),
                 lambda f: civicast.backtest(f, h=2, windows=1, model="naive")):
        with pytest.raises(civicast.Error) as e:
            call(frame)
        assert e.value.status == "CIV_ERR_PARSE" and e.value.series_id == "b", e.value
        assert e.value.field == column and f"row 14 (unique_id 'b', ds 2020-03), column {column}: " in e.value.message
        assert repr(token) in e.value.message and TOKENS_REFUSED[token] in e.value.message, e.value.message


def test_text_y_as_pandas_types_it():
    """y as pandas' string dtype (convert_dtypes() of a text frame; refused whole before 2026-12-07, "y must be
    numeric, got string") and as an object column of numbers and a text cell (pd.read_excel of a sheet whose "-"
    cell is text among number cells, "NA" and "" made NaN by pandas) follow the same rules."""
    df = _text_panel()
    want = civicast.forecast(df.assign(y=df.y.astype(float), aged60=df.aged60.astype(float)), h=2, model="naive",
                             level=None)
    conv = df.convert_dtypes()
    assert isinstance(conv.y.dtype, pd.StringDtype)
    pd.testing.assert_frame_equal(civicast.forecast(conv, h=2, model="naive", level=None),
                                  want.assign(unique_id=want.unique_id.astype(conv.unique_id.dtype)))
    conv.loc[3, "y"] = pd.NA
    civicast.forecast(conv, h=2, model="naive", level=None)
    mixed = df.assign(y=df.y.astype(float).astype(object))
    mixed.loc[[2, 3], "y"] = [np.nan, None]
    civicast.forecast(mixed, h=2, model="naive", level=None)
    mixed.loc[4, "y"] = "12\x00x"  # C text ends at a NUL: it was read as 12 by the text rule, not refused
    with pytest.raises(civicast.Error, match=r"row 4 \(unique_id 'a', ds 2020-05\), column y: '12\\x00x' holds a NUL"):
        civicast.forecast(mixed, h=2, model="naive")
    mixed.loc[4, "y"] = 12.0
    mixed.loc[5, "y"] = "—"
    with pytest.raises(civicast.Error, match=r"row 5 \(unique_id 'a', ds 2020-06\), column y: bad number '—' .*a "
                       r"dash or slash for no data is not a number"):
        civicast.forecast(mixed, h=2, model="naive")


def test_row_order_of_each_entry_point(tmp_path):
    """The orders docs/PYTHON.md "Series order" lists: frames' results sorted by unique_id, files (read, the
    command's, forecast_to_files) in the file's order, allocations in the communities' row order."""
    meals = pd.read_csv(DEMO / "meals.csv")[["unique_id", "ds", "y"]]
    ids = ["D01-S01-C005", "D01-S01-C001", "D01-S01-C003"]
    frame = pd.concat([meals[meals.unique_id == u] for u in ids], ignore_index=True)
    path = tmp_path / "ord.csv"
    frame.to_csv(path, index=False)

    def order(df):
        return list(pd.unique(df["unique_id"].astype(str)))

    assert order(civicast.read(str(path))) == ids
    fc, report = civicast.forecast(frame, h=2, model="naive", report=True)
    for df in (fc, report, civicast.classify_demand(frame), civicast.backtest(frame, h=2, windows=1, model="naive")):
        assert order(df) == sorted(ids)
    civicast.forecast_to_files(str(path), str(tmp_path / "fc.csv"), h=2, model="naive")
    assert order(pd.read_csv(tmp_path / "fc.csv")) == ids
    if "CIV_CLI" in os.environ:
        subprocess.run([os.environ["CIV_CLI"], "forecast", str(path), "--h", "2", "--model", "naive", "--out",
                        str(tmp_path / "cli.csv"), "--quiet"], check=True)
        assert order(pd.read_csv(tmp_path / "cli.csv")) == ids
    comm = pd.read_csv(DEMO / "communities.csv").sample(frac=1, random_state=1)
    assert list(civicast.allocate(comm, SPEC)[0].unique_id) == list(comm.unique_id)
    comm.to_csv(tmp_path / "comm.csv", index=False)
    assert list(civicast.allocate(str(tmp_path / "comm.csv"), SPEC)[0].unique_id) == list(comm.unique_id)
    assert list(civicast.compare(comm, [str(SPEC), str(SPEC)])[0].unique_id) == list(comm.unique_id)
