"""test_read_title_rows.py -- rows above the header as Excel and WPS exports carry them (a title, a unit line
such as 单位：元, empty rows): skip_rows= of civicast.read, info, allocate, the budget functions and
forecast_to_files (civ_table_read_options.skip_rows), the refusal that names it in Python's words, and the
file's own line numbers in errors.

Environment: CIV_LIBRARY, CIV_SOURCE_DIR, PYTHONPATH=python-bindings.
"""
import os
from pathlib import Path

import pandas as pd
import pytest

import civicast

SOURCE = Path(os.environ.get("CIV_SOURCE_DIR", Path(__file__).resolve().parents[2]))
DEMO = SOURCE / "datasets" / "demo_city"
SPEC = DEMO / "allocation.spec"


def _titled(tmp_path, src, name, head):
    path = tmp_path / name
    path.write_bytes(head.encode() + Path(src).read_bytes())
    return path


def test_read_skips_a_title_and_a_unit_line(tmp_path):
    """A BOM, a title and a unit line above the header: refused naming skip_rows=2 (before 2026-12-07 "delete
    that row"), read with it as the file without them; a bad cell below still named on its own line."""
    path = _titled(tmp_path, DEMO / "communities.csv", "comm.csv", "\ufeff2025年各社区人口统计,,\n单位：人,,\n")
    with pytest.raises(civicast.Error) as e:
        civicast.read(path)
    assert "skip_rows=2" in str(e.value)
    got = civicast.read(path, skip_rows=2)
    pd.testing.assert_frame_equal(got, civicast.read(DEMO / "communities.csv"))
    meals = _titled(tmp_path, DEMO / "meals.csv", "meals.csv", "2025年社区助餐统计\n")
    assert civicast.read(meals, skip_rows=1).equals(civicast.read(DEMO / "meals.csv"))
    assert civicast.info(meals, skip_rows=1)["series"] == civicast.info(DEMO / "meals.csv")["series"]
    lines = meals.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4].rsplit(",", 1)[0] + ",x"
    meals.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(civicast.Error) as e:
        civicast.read(meals, skip_rows=1)
    assert e.value.line == 5


def test_xlsx_title_rows():
    """A workbook with a title, a unit line and an empty row above its header."""
    book = SOURCE / "tests" / "data" / "xlsx" / "titled.xlsx"
    with pytest.raises(civicast.Error) as e:
        civicast.read(book)
    assert "skip_rows=3" in str(e.value)
    df = civicast.read(book, skip_rows=3, text_columns=["社区编号"])
    assert list(df.columns) == ["社区编号", "常住人口", "老年人口"] and len(df) == 2


def test_allocate_and_budget_functions_take_skip_rows(tmp_path):
    """allocate, allocate_to_file and compare read a titled communities file with skip_rows as the plain one."""
    path = _titled(tmp_path, DEMO / "communities.csv", "comm.csv", "2025年各社区人口统计,,\n,,\n")
    plain, _ = civicast.allocate(DEMO / "communities.csv", SPEC)
    got, _ = civicast.allocate(path, SPEC, skip_rows=2)
    assert (got.amount_fen.to_numpy() == plain.amount_fen.to_numpy()).all()
    civicast.allocate_to_file(path, SPEC, tmp_path / "a.csv", skip_rows=2)
    assert len(pd.read_csv(tmp_path / "a.csv")) == len(plain)
    table, _ = civicast.compare(path, [str(SPEC), str(SPEC)], skip_rows=2)
    assert len(table) == len(plain)


def test_forecast_to_files_skip_rows(tmp_path):
    meals = _titled(tmp_path, DEMO / "meals.csv", "meals.csv", "2025年社区助餐统计,,\n")
    stats = civicast.forecast_to_files(meals, tmp_path / "f.csv", h=1, model="naive", skip_rows=1)
    assert stats["n_series"] == civicast.info(DEMO / "meals.csv")["series"]
    with pytest.raises(ValueError, match="so does skip_rows"):
        civicast.forecast_to_files(civicast.read(DEMO / "meals.csv"), tmp_path / "g.csv", skip_rows=1)


@pytest.mark.parametrize("bad", [-1, 1.5, True, "2"])
def test_skip_rows_checked(bad):
    with pytest.raises((ValueError, TypeError), match="skip_rows must be a whole number"):
        civicast.read(DEMO / "communities.csv", skip_rows=bad)


def test_allocate_names_a_dash_as_excels_zero(tmp_path):
    """A "-" in an attribute (Excel's accounting format writes a zero so): allocate says so, in settle's words
    (before 2026-12-07 "write a number there"), from a file and from a DataFrame of text."""
    comm = pd.read_csv(DEMO / "communities.csv", dtype=str)
    comm.loc[1, "population_resident"] = "-"
    path = tmp_path / "dash.csv"
    comm.to_csv(path, index=False)
    for x in (path, comm):
        with pytest.raises(civicast.Error) as e:
            civicast.allocate(x, SPEC)
        assert "a dash, as Excel's accounting format writes a zero, is not a number): write 0" in str(e.value)
