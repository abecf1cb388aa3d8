"""test_hdf5_h5py.py -- files written by civicast (engine/src/io/hdf5.c) read
with plain h5py, following datasets/SCHEMA.md, agree with the CSV they came
from (read with pandas); and a panel written by h5py following the same
document is read by civicast.

Runs `civicast convert` (env CIV_CLI); skipped when CIV_CLI is unset.
"""
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

h5py = pytest.importorskip("h5py")

CLI = os.environ.get("CIV_CLI")
SOURCE = Path(os.environ.get("CIV_SOURCE_DIR", Path(__file__).resolve().parents[2]))
DEMO = SOURCE / "datasets" / "demo_city"

pytestmark = pytest.mark.skipif(not CLI, reason="CIV_CLI (path to the civicast binary) is not set")


def convert(*args):
    done = subprocess.run([CLI, "convert", *map(str, args)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done


def read_csv(path):
    # round_trip: pandas' default float parser may differ from strtod by an ulp.
    return pd.read_csv(path, keep_default_na=False, na_values=[""], float_precision="round_trip",
                       dtype={"unique_id": str})


def month_text(period):
    """ds text of a monthly period index (12 * year + month - 1)."""
    return f"{period // 12:04d}-{period % 12 + 1:02d}"


@pytest.fixture(scope="module")
def meals(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("h5py")
    csv = tmp / "meals.csv"
    h5 = tmp / "meals.h5"
    convert(DEMO / "meals.csv", csv)  # canonical CSV, as civicast writes it
    convert(csv, h5)
    return csv, h5


def test_panel_layout(meals):
    _, h5 = meals
    with h5py.File(h5, "r") as f:
        assert f.attrs["schema"] == "civicast.panel"
        assert f.attrs["schema_version"] == 1
        assert f.attrs["frequency"] == "monthly"
        assert f.attrs["phase"] == 0
        assert isinstance(f.attrs["civicast_version"], str)
        for name in ("series/unique_id", "series/start", "series/length", "values"):
            d = f[name]
            assert d.ndim == 1
            assert d.chunks is not None
            assert d.compression == "gzip" and d.shuffle
        assert f["values"].dtype == np.float64
        assert f["series/start"].dtype == np.int64
        assert f["series/length"].dtype == np.int64
        n = f["series/unique_id"].shape[0]
        assert f["series/start"].shape == (n,) and f["series/length"].shape == (n,)
        assert int(f["series/length"][:].sum()) == f["values"].shape[0]
        names = list(f["covariate_names"].asstr()[:])
        assert names == ["aged60", "migrants"]
        for name in names:
            g = f["covariates"][name]
            assert g["length"].shape == (n,)
            assert int(g["length"][:].sum()) == g["values"].shape[0]


def test_panel_matches_csv(meals):
    csv, h5 = meals
    df = read_csv(csv)
    with h5py.File(h5, "r") as f:
        ids = f["series/unique_id"].asstr()[:]
        starts = f["series/start"][:]
        lengths = f["series/length"][:]
        values = f["values"][:]
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        cov = {name: (f["covariates"][name]["values"][:], f["covariates"][name]["length"][:])
               for name in f["covariate_names"].asstr()[:]}
    assert list(ids) == list(dict.fromkeys(df["unique_id"]))  # first-seen order of the CSV
    # The CSV has one row per period up to the longest of series and
    # covariates; rows past the series are future covariate rows.
    rows_per_id = df.groupby("unique_id", sort=False).size()
    span = np.maximum(lengths, np.max([cl for _, cl in cov.values()], axis=0))
    np.testing.assert_array_equal(rows_per_id.loc[list(ids)].to_numpy(), span)

    # Reconstruct one series by hand, as SCHEMA.md shows, and compare it with
    # the CSV rows of that id: ds, y (NaN where y is empty), and covariates,
    # which may run past the series (future values).
    for i in (0, len(ids) // 2, len(ids) - 1):
        y = values[offsets[i]:offsets[i + 1]]
        rows = df[df["unique_id"] == ids[i]].reset_index(drop=True)
        expect_ds = [month_text(int(starts[i]) + t) for t in range(len(rows))]
        assert list(rows["ds"]) == expect_ds
        np.testing.assert_array_equal(rows["y"].to_numpy()[:len(y)], y)
        assert rows["y"].iloc[len(y):].isna().all()
        for name, (cv, cl) in cov.items():
            c_off = int(cl[:i].sum())
            c = cv[c_off:c_off + int(cl[i])]
            np.testing.assert_array_equal(rows[name].to_numpy()[:len(c)], c)

    # All values at once: the CSV's y, series by series, within each span.
    spans = np.concatenate([df[df["unique_id"] == sid]["y"].to_numpy()[:n] for sid, n in zip(ids, lengths)])
    np.testing.assert_array_equal(spans, values)


def test_table_matches_csv(tmp_path):
    csv = tmp_path / "communities.csv"
    h5 = tmp_path / "communities.h5"
    convert("--table", DEMO / "communities.csv", csv)
    convert("--table", csv, h5)
    df = read_csv(csv)
    with h5py.File(h5, "r") as f:
        assert f.attrs["schema"] == "civicast.table"
        assert f.attrs["schema_version"] == 1
        assert f.attrs["n_rows"] == len(df)
        names = list(f["column_names"].asstr()[:])
        assert names == list(df.columns)
        for name in names:
            d = f["columns"][name]
            if h5py.check_string_dtype(d.dtype):
                assert list(d.asstr()[:]) == list(df[name].fillna("").astype(str))
            else:
                assert d.dtype == np.float64
                np.testing.assert_array_equal(d[:], df[name].to_numpy(dtype=np.float64))
    assert any("社区" in x for x in df["name"])


def test_h5py_written_panel_is_read(tmp_path):
    """The writing recipe of datasets/SCHEMA.md, done with h5py, gives a file
    civicast reads (and fixed-length ids, as numpy writes them, are accepted)."""
    h5 = tmp_path / "from_h5py.h5"
    out = tmp_path / "from_h5py.csv"
    with h5py.File(h5, "w") as f:
        f.attrs["schema"] = "civicast.panel"
        f.attrs["schema_version"] = 1
        f.attrs["frequency"] = "monthly"
        f.attrs["phase"] = 0
        f["series/unique_id"] = np.array(["甲社区".encode(), b"B"])  # fixed-length bytes
        f["series/start"] = np.array([12 * 2024 + 0, 12 * 2024 + 5], dtype=np.int64)
        f["series/length"] = np.array([3, 1], dtype=np.int64)
        f["values"] = np.array([1.5, np.nan, 3.0, 7.0])
        f.create_dataset("covariate_names", data=["aged60"], dtype=h5py.string_dtype())
        f["covariates/aged60/length"] = np.array([4, 0], dtype=np.int64)
        f["covariates/aged60/values"] = np.array([10.0, 11.0, 12.0, 13.0])
    convert(h5, out)
    df = read_csv(out)
    assert list(df["unique_id"]) == ["甲社区"] * 4 + ["B"]
    assert list(df["ds"]) == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-06"]
    np.testing.assert_array_equal(df["y"].to_numpy(), [1.5, np.nan, 3.0, np.nan, 7.0])
    np.testing.assert_array_equal(df["aged60"].to_numpy(), [10.0, 11.0, 12.0, 13.0, np.nan])


def test_total_row_series_is_refused(tmp_path):
    """A panel written by another tool with the sheet's total row among its series (合计, as an export in long form
    has it) is refused by the HDF5 reader as by the CSV reader, in the command and civicast.read (before: read as
    one more community)."""
    h5 = tmp_path / "with_total.h5"
    with h5py.File(h5, "w") as f:
        f.attrs["schema"] = "civicast.panel"
        f.attrs["schema_version"] = 1
        f.attrs["frequency"] = "monthly"
        f.attrs["phase"] = 0
        f.create_dataset("series/unique_id", data=["A", "B", "合计"], dtype=h5py.string_dtype())
        f["series/start"] = np.array([12 * 2024] * 3, dtype=np.int64)
        f["series/length"] = np.array([2, 2, 2], dtype=np.int64)
        f["values"] = np.array([1.0, 2.0, 3.0, 4.0, 4.0, 6.0])
    done = subprocess.run([CLI, "convert", str(h5), str(tmp_path / "out.csv")], capture_output=True, text=True)
    assert done.returncode == 2 and "'合计' looks like the sheet's total row, not a series" in done.stderr
    assert "/series/unique_id" in done.stderr and not (tmp_path / "out.csv").exists()
    civicast = pytest.importorskip("civicast")
    with pytest.raises(civicast.Error, match="'合计' looks like the sheet's total row, not a series") as e:
        civicast.read(h5)
    assert e.value.series_id == "合计"


def test_damaged_file_is_refused(tmp_path):
    h5 = tmp_path / "bad.h5"
    with h5py.File(h5, "w") as f:
        f.attrs["schema"] = "civicast.panel"
        f.attrs["schema_version"] = 1
        f.attrs["frequency"] = "monthly"
        f.attrs["phase"] = 0
        f["series/unique_id"] = np.array([b"A"])
        f["series/start"] = np.array([12 * 2024], dtype=np.int64)
        f["series/length"] = np.array([5], dtype=np.int64)  # but 4 values
        f["values"] = np.zeros(4)
    done = subprocess.run([CLI, "convert", str(h5), str(tmp_path / "x.csv")], capture_output=True, text=True)
    assert done.returncode == 2
    assert "bad.h5" in done.stderr and "/series/length" in done.stderr
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize("fmt", ["fixed", "table"])
def test_pandas_to_hdf_file_is_named_with_the_way_in(tmp_path, fmt):
    """A researcher's .h5 is most often pandas' DataFrame.to_hdf (PyTables; object columns pickled), which
    civicast cannot read. The command and civicast.read said "missing attribute 'schema' on /"; they now name
    pandas and the key, and the way in that the message gives works (python3-tables: install-deps.sh test)."""
    df = pd.read_csv(DEMO / "meals.csv", dtype={"ds": str}).head(48)
    h5 = tmp_path / "meals_pd.h5"
    df.to_hdf(h5, key="meals", format=fmt)
    done = subprocess.run([CLI, "info", str(h5)], capture_output=True, text=True)
    assert done.returncode == 2
    assert "written by pandas (DataFrame.to_hdf, key 'meals'), not by civicast" in done.stderr
    assert "meals_pd.h5" in done.stderr and "missing attribute" not in done.stderr
    civicast = pytest.importorskip("civicast")
    with pytest.raises(civicast.Error, match=r"civicast.forecast\(pd.read_hdf\(path, 'meals'\)\)"):
        civicast.read(h5)
    fc = civicast.forecast(pd.read_hdf(h5, "meals"), h=2, model="naive", level=None)
    assert len(fc) == 2 * df["unique_id"].nunique()
