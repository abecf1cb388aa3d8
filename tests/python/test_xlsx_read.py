"""test_xlsx_read.py -- Excel workbooks from Python (engine/src/io/xlsx_read.c under civicast.read and the functions
that take paths): civicast.read of a pandas to_excel equals civicast.read of the CSV of the same data, the
example's workbook equals its GB18030 CSV sheets (no encoding, thousands or percent needed), sheet= picks a
sheet in read, allocate and plan, and refusals are civicast.Error naming the workbook's sheets."""
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import civicast

SOURCE = Path(os.environ.get("CIV_SOURCE_DIR", Path(__file__).resolve().parents[2]))
FX = SOURCE / "tests/data/xlsx"
EX = SOURCE / "examples/spreadsheet"
BOOK = EX / "社区助餐.xlsx"


def test_read_equals_the_csv_of_the_same_data():
    got = civicast.read(FX / "pandas_meals.xlsx")  # df.to_excel of Timestamps (openpyxl)
    want = civicast.read(SOURCE / "tests/data/plan/meals.csv")
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got.attrs["frequency"] == want.attrs["frequency"] == "monthly"
    got = civicast.read(FX / "pandas_communities.xlsx", id_col="社区编号")  # 12-digit codes, Chinese names
    want = civicast.read(FX / "pandas_communities.csv", id_col="社区编号")
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got["unique_id"].tolist() == [310101001001, 310101002002, 310101003003]
    assert got["社区名称"].tolist() == ["民主里", "和平里", "新华里"]


def test_the_example_workbook_equals_its_csv_sheets():
    wide = civicast.read(BOOK, sheet="用餐人次", layout="wide", id_col="社区编号")
    want = civicast.read(EX / "用餐人次.csv", layout="wide", id_col="社区编号", encoding="gb18030")
    pd.testing.assert_frame_equal(wide, want, check_exact=True)
    comm = civicast.read(BOOK, sheet="社区", id_col="社区编号")  # numbers as numbers: no thousands, no percent
    want = civicast.read(EX / "社区.csv", id_col="社区编号", encoding="gb18030", thousands=",", percent=True)
    pd.testing.assert_frame_equal(comm, want, check_exact=True)
    assert comm.loc[0, "老龄化率"] == 0.333333 and comm.loc[0, "上年拨款"] == 12000


def test_allocate_and_plan_from_the_workbook():
    fc = civicast.forecast(civicast.read(EX / "用餐人次.csv", layout="wide", id_col="社区编号", encoding="gb18030"),
                           h=24, model="snaive", level=[80, 95], seed=7)
    spec = EX / "allocation.spec"
    a, _ = civicast.allocate(BOOK, spec, forecasts=fc, sheet="社区")
    b, _ = civicast.allocate(EX / "社区.csv", spec, forecasts=fc, encoding="gb18030", thousands=",", percent=True)
    assert a["amount_fen"].tolist() == b["amount_fen"].tolist()
    px = civicast.plan(EX / "plan_xlsx.toml", draws=0)
    pc = civicast.plan(EX / "plan.toml", draws=0)
    assert px["allocation"]["amount_fen"].tolist() == pc["allocation"]["amount_fen"].tolist()
    settings = civicast.read_plan(EX / "plan_xlsx.toml")
    assert (settings["panel_sheet"], settings["communities_sheet"]) == ("用餐人次", "社区")
    assert civicast.read_plan(EX / "plan.toml")["panel_sheet"] is None


def test_sheets_and_refusals(tmp_path):
    with pytest.raises(civicast.Error) as e:
        civicast.read(FX / "two_sheets.xlsx")
    assert e.value.status == "CIV_ERR_NOT_FOUND" and "2 sheets hold data ('社区', 'Sheet2')" in str(e.value)
    assert "sheet=" in str(e.value)
    assert civicast.read(FX / "two_sheets.xlsx", sheet="Sheet2").columns.tolist() == ["unique_id", "m"]
    with pytest.raises(civicast.Error, match="no sheet named 'Sheet9'"):
        civicast.read(FX / "two_sheets.xlsx", sheet="Sheet9")
    with pytest.raises(ValueError, match="sheet must be"):
        civicast.read(FX / "two_sheets.xlsx", sheet="")
    with pytest.raises(ValueError, match="sheet must be"):
        civicast.plan(EX / "plan_xlsx.toml", sheet=("a", "b", "c"))
    with pytest.raises(civicast.Error, match="open and save it in Excel or LibreOffice"):
        civicast.read(FX / "formula_nocache.xlsx")
    old = tmp_path / "old.xls"
    old.write_bytes((FX / "rich.xlsx").read_bytes())
    with pytest.raises(civicast.Error, match=r"not \.xls: open it and save it as"):
        civicast.read(old)
    t = civicast.read(FX / "dates.xlsx")
    assert t["value"].tolist()[:3] == ["2025-01-05", "2025-01-05", "2025-01"]
    assert np.isnan(civicast.read(FX / "sparse.xlsx")["a"][0])


def _tiny_plan(tmp_path, lang):
    """The tiny plan of tests/data/plan with labels (民政养老补贴, 常住人口) and its fund's history left to last
    year's allocation (no [data] last_year, the communities' last_year_funding blank)."""
    d = tmp_path / f"p_{lang}"
    d.mkdir()
    for f in ("meals.csv", "communities.csv", "plan.toml"):
        (d / f).write_bytes((SOURCE / "tests/data/plan" / f).read_bytes())
    spec = (SOURCE / "tests/data/plan/plan.spec").read_text()
    spec = spec.replace('aged = "aged60"\nlast_year = "last_year_funding"\n', 'aged = "aged60"\n')
    spec = spec.replace('[[pool]]\nname = "main"\n', '[[pool]]\nname = "main"\nlabel = "民政养老补贴"\n')
    spec = spec.replace('[[factor]]\nname = "population"\n', '[[factor]]\nname = "population"\nlabel = "常住人口"\n')
    assert "民政养老补贴" in spec and "常住人口" in spec
    (d / "plan.spec").write_text(spec + '\n[settlement]\ncarry_over = 0.10\nspent = "spent"\n')
    (d / "plan.toml").write_text((d / "plan.toml").read_text().replace("[plan]\n", f'[plan]\nlang = "{lang}"\n'))
    comm = pd.read_csv(d / "communities.csv", dtype={"unique_id": str})
    comm["last_year_funding"] = np.nan
    return d, comm


@pytest.mark.parametrize("lang,sheet", [("zh", "分配结果"), ("en", "allocation")])
def test_last_year_from_the_plans_workbook(tmp_path, lang, sheet):
    """The allocation.xlsx a plan wrote as next year's last_year (it was refused: several sheets, then no
    unique_id): the path (its allocation sheet found), last_year_sheet= naming it and the sheet read by pandas
    give the result of allocation.csv; sheet= names the communities' sheet only; a yuan cell edited alone is
    refused naming both columns.  settle and paid= read the workbook (its sheet found or named, and its
    pd.read_excel) as the CSV."""
    d, comm = _tiny_plan(tmp_path, lang)
    civicast.plan(d / "plan.toml", out=tmp_path / "out", draws=0)
    spec, book = d / "plan.spec", tmp_path / "out/allocation.xlsx"
    fc = tmp_path / "out/forecasts.csv"
    want, _ = civicast.allocate(comm, spec, forecasts=fc, last_year=tmp_path / "out/allocation.csv")
    assert want.last_year_main_fen.notna().all() and (want.last_year_main_fen > 0).any()
    for kw in ({}, {"last_year_sheet": sheet}, {"sheet": "no such sheet"}):
        got, _ = civicast.allocate(comm, spec, forecasts=fc, last_year=book, **kw)
        pd.testing.assert_frame_equal(got, want, check_exact=True)
    df = pd.read_excel(book, sheet_name=sheet, dtype={"社区编号": str, "Community id": str})
    got, _ = civicast.allocate(comm, spec, forecasts=fc, last_year=df)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    civicast.uncertainty(comm, spec, forecasts=fc, draws=20, seed=1, last_year=book, last_year_sheet=sheet)
    other = "summary" if lang == "en" else "分配汇总"
    with pytest.raises(civicast.Error, match="has no text id column"):
        civicast.allocate(comm, spec, forecasts=fc, last_year=book, last_year_sheet=other)
    with pytest.raises(ValueError, match="sheet must be a sheet's name"):
        civicast.allocate(comm, spec, forecasts=fc, last_year=book, last_year_sheet="")
    yuan, fen = ("分配金额（元）", "分配金额（分）") if lang == "zh" else ("Amount (yuan)", "Amount (fen)")
    edited = df.copy()
    edited.loc[0, yuan] = edited.loc[0, yuan] + 1
    with pytest.raises(civicast.Error, match=rf"community 'P01' has .* in '{re.escape(yuan)}' but .* in "
                                             rf"'{re.escape(fen)}'") as err:
        civicast.allocate(comm, spec, forecasts=fc, last_year=edited)
    assert err.value.field == yuan and err.value.series_id == "P01"
    # settlement and a reserve release on the workbook's allocation sheet (sheet= names it): the CSV's results
    spent = pd.DataFrame({"unique_id": comm.unique_id, "spent": 9000.0})
    want_s, _ = civicast.settle(spec, tmp_path / "out/allocation.csv", spent)
    for kw in ({"sheet": sheet}, {}):  # without sheet= the allocation sheet is found (civ_alloc_allocation_read)
        got_s, _ = civicast.settle(spec, book, spent, **kw)
        pd.testing.assert_frame_equal(got_s, want_s, check_exact=True)
    want_p, _ = civicast.allocate(comm, spec, forecasts=fc, last_year=book, paid=tmp_path / "out/allocation.csv")
    for paid in (df, book):
        got_p, _ = civicast.allocate(comm, spec, forecasts=fc, last_year=book, paid=paid)
        pd.testing.assert_frame_equal(got_p, want_p, check_exact=True)
    comm.to_csv(d / "communities.csv", index=False)  # next year's plan: its fund's history from the workbook
    r = civicast.plan(d / "plan.toml", draws=0, last_year=book, last_year_sheet=sheet)
    pd.testing.assert_frame_equal(r["allocation"][["unique_id", "amount_fen"]],
                                  civicast.plan(d / "plan.toml", draws=0,
                                                last_year=tmp_path / "out/allocation.csv")["allocation"][
                                      ["unique_id", "amount_fen"]])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_fewer_funds_and_paid_from_the_demo_workbook(tmp_path, lang):
    """Last year's workbook of the demo's two funds given to a spec of one (the migrant fund discontinued), as
    a path and as pd.read_excel: each community's last year is its fund's own column, as from the CSV (before
    2026-12-07 refused as hand-edited: the total checked against this year's fund only); paid= that workbook
    with a release spec of one fund and no paid key: refused as the CSV is (it paid against the total)."""
    demo = SOURCE / "datasets/demo_city"
    spec_text = (demo / "allocation.spec").read_text(encoding="utf-8")
    comm = pd.read_csv(demo / "communities.csv", dtype={"unique_id": str})
    ly, ly_sum = civicast.allocate(comm, demo / "allocation.spec")
    ly.to_csv(tmp_path / "ly.csv", index=False)
    book = tmp_path / "ly.xlsx"
    civicast.write_allocation_workbook(book, demo / "allocation.spec", ly, ly_sum, lang=lang)
    one = spec_text
    for cut in (r'\[\[pool\]\]\nname = "migrant".*?\n\n', r'\[\[formula\]\]\nname = "migrant".*?\n\n',
                r'\[\[factor\]\]\nname = "migrant_count".*?weight = 1.0\n'):
        one, n = re.subn(cut, "", one, flags=re.S)
        assert n == 1
    one = one.replace("share = 0.7 ", "share = 1   ")
    blank = comm.assign(last_year_funding=np.nan)
    want, _ = civicast.allocate(blank, one, last_year=tmp_path / "ly.csv")
    assert (want["last_year_eldercare+health_fen"] == ly["pool_eldercare+health_fen"]).all()
    sheet, idc = ("分配结果", "社区编号") if lang == "zh" else ("allocation", "Community id")
    df = pd.read_excel(book, sheet_name=sheet, dtype={idc: str})
    for last in (book, df):
        got, _ = civicast.allocate(blank, one, last_year=last)
        pd.testing.assert_frame_equal(got, want, check_exact=True)
        # the discontinued fund and its total are named (before 2026-12-07 they were read and reported nowhere)
        gone = got.attrs["discontinued"]
        assert gone["last_year_fen"].tolist() == [int(ly["pool_migrant_fen"].sum())], gone
        assert gone["fund"].tolist() == ["migrant"] and gone["label"].tolist() == [""], gone  # the spec labels none
    assert want.attrs["discontinued"]["fund"].tolist() == ["migrant"]
    both = blank.assign(**{c: np.nan for c in ("last_year_migrant",) if c in blank.columns})
    assert (civicast.allocate(both, demo / "allocation.spec", last_year=tmp_path / "ly.csv")[0]
            .attrs["discontinued"].empty)  # the same funds as last year: none
    release = re.sub(r'\npaid = .*\n', "\n", (demo / "release.spec").read_text(encoding="utf-8"))
    for paid in (tmp_path / "ly.csv", book, df):
        with pytest.raises(civicast.Error, match=r"the paid table holds 2 funds \(pool_eldercare\+health_fen"):
            civicast.allocate(comm, release, paid=paid)
