"""test_alloc_workbook.py -- civicast.write_allocation_workbook (civ_alloc_workbook_write, the plan's
allocation.xlsx and `civicast allocate --workbook`) on the demo city with labels in its spec: the workbook of
allocate()'s and compare()'s frames has the command's cells and number formats, its headers are Chinese with
the spec's labels and its cells the frames', the need and Monte Carlo frames add their sheets in the plan's
order, English with lang="en", it reads back as next year's last_year=, and a bad call leaves no file.

Environment: CIV_LIBRARY, CIV_CLI (the command), CIV_SOURCE_DIR, PYTHONPATH=python-bindings.
"""
import os
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import civicast

SOURCE = Path(os.environ.get("CIV_SOURCE_DIR", Path(__file__).resolve().parents[2]))
DEMO = SOURCE / "datasets" / "demo_city"
COMM = str(DEMO / "communities.csv")


@pytest.fixture(scope="module")
def spec(tmp_path_factory):
    """The demo spec with labels on a pool, a factor and a formula (the workbook's headers take them)."""
    s = (DEMO / "allocation.spec").read_text(encoding="utf-8")
    for old, new in [('name = "eldercare"', 'name = "eldercare"\nlabel = "民政养老补贴"'),
                     ('[[factor]]\nname = "population"', '[[factor]]\nname = "population"\nlabel = "常住人口"'),
                     ('[[formula]]\nname = "main"', '[[formula]]\nname = "main"\nlabel = "综合公式"')]:
        assert s.count(old) == 1
        s = s.replace(old, new)
    p = tmp_path_factory.mktemp("spec") / "spec.toml"
    p.write_text(s, encoding="utf-8")
    return str(p)


@pytest.fixture(scope="module")
def frames(spec):
    alloc, summary = civicast.allocate(COMM, spec, explain="zh")
    _, rules = civicast.compare(COMM, [spec], labels=["plan"])
    return alloc, summary, rules


def _cells(path):
    wb = openpyxl.load_workbook(path)
    return {ws.title: [[(c.value, c.number_format) for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def test_same_as_the_command(spec, frames, tmp_path):
    alloc, summary, rules = frames
    civicast.write_allocation_workbook(tmp_path / "py.xlsx", spec, allocation=alloc, summary=summary, rules=rules)
    cli = os.environ.get("CIV_CLI", str(SOURCE / "build" / "dev" / "civicast"))
    subprocess.run([cli, "allocate", "--spec", spec, "--communities", COMM, "--out", str(tmp_path / "a.csv"),
                    "--explain", "--workbook", str(tmp_path / "cli.xlsx")], check=True, capture_output=True)
    assert _cells(tmp_path / "py.xlsx") == _cells(tmp_path / "cli.xlsx")


def test_headers_and_cells(spec, frames, tmp_path):
    alloc, summary, rules = frames
    path = tmp_path / "a.xlsx"
    civicast.write_allocation_workbook(path, spec, allocation=alloc, summary=summary)
    wb = openpyxl.load_workbook(path, read_only=True)
    assert wb.sheetnames == ["分配结果", "分配汇总"]
    rows = list(wb["分配结果"].iter_rows(values_only=True))
    head = list(rows[0])
    assert head[:7] == ["社区编号", "社区名称", "区", "街道", "分配金额（元）", "占比（%）", "说明"]
    assert "民政养老补贴+health（分）" in head and "常住人口（分）" in head and "倾斜系数（综合公式）" in head
    assert [r[0] for r in rows[1:]] == list(alloc.unique_id)
    assert [r[head.index("分配金额（分）")] for r in rows[1:]] == list(alloc.amount_fen)
    assert [r[head.index("民政养老补贴+health（分）")] for r in rows[1:]] == list(alloc["pool_eldercare+health_fen"])
    assert [r[head.index("说明")] for r in rows[1:]] == list(alloc.explanation)
    words = {r[0] for r in list(wb["分配汇总"].iter_rows(values_only=True))[1:]}
    assert "储备金" in words and "reserve" not in words  # the codes in words


def test_need_uncertainty_and_english(spec, frames, tmp_path):
    alloc, summary, rules = frames
    unc = civicast.uncertainty(COMM, spec, draws=20, weight_concentration=300, seed=7)
    path = tmp_path / "u.xlsx"
    civicast.write_allocation_workbook(path, spec, allocation=alloc, rules=rules, uncertainty=unc)
    assert openpyxl.load_workbook(path).sheetnames == ["分配结果", "规则分解", "不确定性"]
    civicast.write_allocation_workbook(path, spec, allocation=alloc, summary=summary, rules=rules, uncertainty=unc,
                                       lang="en")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["allocation", "summary", "rules", "uncertainty"]
    assert wb["allocation"].cell(1, 1).value == "Community id"
    assert wb["uncertainty"].max_row == len(unc) + 1


def test_reads_back_as_last_year(spec, frames, tmp_path):
    alloc, summary, _ = frames
    path = tmp_path / "last.xlsx"
    civicast.write_allocation_workbook(path, spec, allocation=alloc, summary=summary)
    blank = pd.read_csv(COMM).assign(last_year_funding=float("nan"), last_year_migrant=float("nan"))
    from_book, _ = civicast.allocate(blank, spec, last_year=str(path))
    from_frame, _ = civicast.allocate(blank, spec, last_year=alloc)
    assert list(from_book["last_year_eldercare+health_fen"]) == list(alloc["pool_eldercare+health_fen"])
    pd.testing.assert_frame_equal(from_book, from_frame)


def test_errors_leave_nothing(spec, frames, tmp_path):
    alloc = frames[0]
    path = tmp_path / "bad.xlsx"
    with pytest.raises(civicast.Error, match="not 'fr'"):
        civicast.write_allocation_workbook(path, spec, allocation=alloc, lang="fr")
    with pytest.raises(civicast.Error, match="no table to show"):
        civicast.write_allocation_workbook(path, spec)
    with pytest.raises(TypeError, match="allocation must be a DataFrame"):
        civicast.write_allocation_workbook(path, spec, allocation=COMM)
    with pytest.raises(civicast.Error):
        civicast.write_allocation_workbook(tmp_path / "bad.csv", spec, allocation=alloc)
    assert not path.exists() and not (tmp_path / "bad.csv").exists()
