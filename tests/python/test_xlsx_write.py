"""Excel workbooks (.xlsx) read back by openpyxl, a reader independent of the
writer (libxlsxwriter): an allocation written by the command as .xlsx has
the cells of its .csv (12-digit community codes as text, Chinese names,
amounts equal to the fen columns, money formats, the header frozen and
filtered); civicast.write and civicast.write_workbook over the same C call;
the plan's allocation.xlsx.  Skipped when openpyxl is missing
(.ci/install-deps.sh test installs python3-openpyxl)."""

import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import civicast

openpyxl = pytest.importorskip("openpyxl", reason="openpyxl is missing: apt-get install python3-openpyxl "
                                                   "(.ci/install-deps.sh test)")

SOURCE = Path(__file__).resolve().parents[2]
DEMO = SOURCE / "datasets" / "demo_city"
PLAN = SOURCE / "tests" / "data" / "plan"
CLI = os.environ.get("CIV_CLI")


def _coded(tmp_path):
    """The demo communities keyed by 12-digit codes (D01-S01-C001 -> 310101001001), as a city keeps them."""
    c = pd.read_csv(DEMO / "communities.csv", dtype={"unique_id": str})
    parts = c["unique_id"].str.extract(r"D(\d+)-S(\d+)-C(\d+)").astype(int)
    c["unique_id"] = ["3101%02d%03d%03d" % tuple(r) for r in parts.itertuples(index=False)]
    path = tmp_path / "communities.csv"
    c.to_csv(path, index=False)
    return path


def _sheet(path, name=None):
    wb = openpyxl.load_workbook(path)
    ws = wb[name] if name else wb.worksheets[0]
    rows = list(ws.iter_rows())
    header = [c.value for c in rows[0]]
    return ws, header, rows[1:]


@pytest.mark.skipif(not CLI, reason="CIV_CLI not set")
def test_allocate_xlsx_has_the_csv_cells(tmp_path):
    comm = _coded(tmp_path)
    base = [CLI, "allocate", "--spec", str(DEMO / "allocation.spec"), "--communities", str(comm), "--explain"]
    subprocess.run(base + ["--out", str(tmp_path / "a.csv"), "--summary", str(tmp_path / "s.csv")], check=True,
                   capture_output=True)
    r = subprocess.run(base + ["--out", str(tmp_path / "a.xlsx"), "--summary", str(tmp_path / "s.xlsx")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr  # before: exit 3, "unknown file type ... Excel opens the .csv"
    csv = pd.read_csv(tmp_path / "a.csv", dtype={"unique_id": str})
    ws, header, rows = _sheet(tmp_path / "a.xlsx")
    assert header == list(csv.columns)
    assert len(rows) == len(csv)
    col = {h: k for k, h in enumerate(header)}
    ids = [r[col["unique_id"]] for r in rows]
    assert all(c.data_type == "s" for c in ids)  # text cells: Excel shows 310101001001, not 3.10101E+11
    assert [c.value for c in ids] == list(csv["unique_id"])
    assert ids[0].value == "310101001001"
    names = [r[col["name"]].value for r in rows]
    assert names == list(csv["name"]) and names[0] == "民主里社区"
    fen = [r[col["amount_fen"]] for r in rows]
    assert [c.value for c in fen] == list(csv["amount_fen"])  # the fen, exactly
    assert all(c.number_format == "#,##0" for c in fen)
    assert all(r[col["amount_yuan"]].number_format == "#,##0.00" for r in rows)
    assert sum(c.value for c in fen) == csv["amount_fen"].sum()
    expl = [r[col["explanation"]] for r in rows]
    assert all(c.alignment.wrap_text for c in expl if c.value and len(c.value) > 40)
    assert ws.column_dimensions[openpyxl.utils.get_column_letter(col["explanation"] + 1)].width > 80
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(header))}{len(rows) + 1}"
    assert all(c.font.b for c in ws[1])
    # the summary: the value column by its unit
    s_ws, s_header, s_rows = _sheet(tmp_path / "s.xlsx")
    unit, value = s_header.index("unit"), s_header.index("value")
    fens = [r[value] for r in s_rows if r[unit].value == "fen"]
    assert fens and all(c.number_format == "#,##0" for c in fens)


def test_write_keeps_codes_text(tmp_path):
    """civicast.write(df, "x.xlsx"): an int64 unique_id (read() gives codes as integers) is written as text."""
    df = pd.DataFrame({"unique_id": [310101001001, 310101001002], "name": ["民主里社区", "龙湖三村社区"],
                       "amount_fen": [12622500, 12877500], "share": [0.5, float("nan")]})
    civicast.write(df, tmp_path / "x.xlsx")
    ws, header, rows = _sheet(tmp_path / "x.xlsx")
    assert ws.title == "x"
    assert header == ["unique_id", "name", "amount_fen", "share"]
    assert [r[0].value for r in rows] == ["310101001001", "310101001002"]
    assert [r[2].value for r in rows] == [12622500, 12877500]
    assert rows[1][3].value is None  # missing: an empty cell
    # a panel frame too (unique_id, ds, y)
    p = pd.DataFrame({"unique_id": ["007", "007"], "ds": ["2024-01", "2024-02"], "y": [1.5, 2.0]})
    civicast.write(p, tmp_path / "p.xlsx")
    _, header, rows = _sheet(tmp_path / "p.xlsx")
    assert header == ["unique_id", "ds", "y"] and rows[0][0].value == "007" and rows[1][2].value == 2


def test_write_workbook(tmp_path):
    a = pd.DataFrame({"unique_id": ["A", "B"], "amount_fen": [100, 200]})
    s = pd.DataFrame({"item": ["total"], "value": [300.0]})
    civicast.write_workbook({"分配结果": a, "汇总": s}, tmp_path / "book.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "book.xlsx")
    assert wb.sheetnames == ["分配结果", "汇总"]
    assert [c.value for c in wb["分配结果"]["B"]] == ["amount_fen", 100, 200]
    with pytest.raises(civicast.Error, match=r"sheet name 'a/b'.*replace it"):
        civicast.write_workbook({"a/b": a}, tmp_path / "bad.xlsx")
    with pytest.raises(civicast.Error, match=r"two sheets are named"):
        civicast.write_workbook({"x": a, "X": s}, tmp_path / "bad.xlsx")
    assert not (tmp_path / "bad.xlsx").exists()
    with pytest.raises(TypeError):
        civicast.write_workbook([a], tmp_path / "bad.xlsx")


def test_plan_workbook(tmp_path):
    """The plan's folder holds allocation.xlsx: a sheet per money table, named in Chinese, amounts as the CSVs."""
    out = tmp_path / "out"
    civicast.plan(PLAN / "plan.toml", out=out)
    wb = openpyxl.load_workbook(out / "allocation.xlsx")
    assert wb.sheetnames == ["分配结果", "分配汇总", "规则分解", "需求测算", "需求汇总", "不确定性"]
    csv = pd.read_csv(out / "allocation.csv", dtype={"unique_id": str})
    ws = wb["分配结果"]
    header = [c.value for c in ws[1]]
    assert len(header) == len(csv.columns)
    k = header.index("分配金额（分）")
    assert [r[k].value for r in ws.iter_rows(min_row=2)] == list(csv["amount_fen"])
    need = pd.read_csv(out / "need.csv", dtype={"unique_id": str})
    k = [c.value for c in wb["需求测算"][1]].index("需求经费（分）")
    assert [r[k].value for r in wb["需求测算"].iter_rows(min_row=2)] == list(need["need_fen"])
    import json
    files = {f["name"] for f in json.loads((out / "manifest.json").read_text())["files"]}
    assert "allocation.xlsx" in files


def _labelled_plan(tmp_path):
    """tests/data/plan with the spec's labels, as a city writes them (常住人口, 综合资金, 应急储备金)."""
    import shutil
    d = tmp_path / "plan"
    shutil.copytree(PLAN, d)
    spec = (d / "plan.spec").read_text(encoding="utf-8")
    for name, label in [("population", "常住人口"), ("main", "综合资金"), ("emergency", "应急储备金")]:
        spec = spec.replace(f'name = "{name}"\n', f'name = "{name}"\nlabel = "{label}"\n', 1)
    (d / "plan.spec").write_text(spec, encoding="utf-8")
    return d / "plan.toml"


def test_plan_workbook_speaks_the_reports_language(tmp_path):
    """allocation.xlsx's headers are the report's language (before: the CSVs' machine names, unique_id,
    amount_yuan, factor_population_fen), the spec's labels name its factors and funds, the allocation's
    columns come in the order a reader checks them, money keeps its formats; the CSVs keep their names."""
    toml = _labelled_plan(tmp_path)
    civicast.plan(toml, out=tmp_path / "zh")
    csv = pd.read_csv(tmp_path / "zh" / "allocation.csv", dtype={"unique_id": str})
    assert list(csv.columns[:4]) == ["unique_id", "district", "pool_main_fen", "pool_migrant_fen"]
    assert "factor_population_fen" in csv.columns and "amount_yuan" in csv.columns
    wb = openpyxl.load_workbook(tmp_path / "zh" / "allocation.xlsx")
    ws = wb["分配结果"]
    header = [c.value for c in ws[1]]
    assert header[:5] == ["社区编号", "区", "分配金额（元）", "占比（%）", "说明"], header
    for h in ["常住人口（分）", "综合资金（分）", "综合资金上年金额（分）", "综合资金比上年变化（%）",
              "aged60（分）", "migrant（分）", "倾斜系数（main）", "约束", "95% 分位（分）"]:
        assert h in header, (h, header)
    rows = list(ws.iter_rows(min_row=2))
    col = {h: k for k, h in enumerate(header)}
    for h, name in [("常住人口（分）", "factor_population_fen"), ("分配金额（元）", "amount_yuan"),
                    ("综合资金（分）", "pool_main_fen"), ("说明", "explanation")]:
        cells = [r[col[h]] for r in rows]
        if name == "explanation":
            assert [c.value for c in cells] == list(csv[name])
        else:  # the CSV keeps 2 decimals of the fen decomposition, the sheet every digit
            assert all(abs(float(c.value) - float(v)) <= 0.006 for c, v in zip(cells, csv[name])), h
        if h.endswith("（分）"):
            assert all(c.number_format == "#,##0" for c in cells), h
        if h.endswith("（元）"):
            assert all(c.number_format == "#,##0.00" for c in cells), h
    assert [r[0].value for r in rows] == list(csv["unique_id"])
    held = [r[col["约束"]].value for r in rows]  # the rules in the report's words
    assert "不低于上年一定比例" in held and "hold_harmless" in list(csv["binding"]), held
    # the summary: header and codes in Chinese, its fen values still formatted by their (translated) unit
    s = list(wb["分配汇总"].iter_rows())
    assert [c.value for c in s[0]] == ["类别", "项目", "指标", "单位", "数值", "名称"]
    first = [c.value for c in s[1]]
    assert first[:4] == ["资金总额", "合计", "金额", "分"], first
    fens = [r[4] for r in s[1:] if r[3].value == "分"]
    assert fens and all(c.number_format == "#,##0" for c in fens)
    assert any(r[1].value == "emergency" and r[5].value == "应急储备金" for r in s[1:])
    wf = [c.value for c in wb["规则分解"][1]]
    assert "保底（分）" in wf and "不低于上年一定比例（分）" in wf, wf
    summary_csv = pd.read_csv(tmp_path / "zh" / "allocation_summary.csv")
    assert list(summary_csv.columns) == ["section", "item", "measure", "unit", "value", "label"]
    assert summary_csv["section"].iloc[0] == "budget"
    # an English plan: readable English, the spec's labels as written, money formats under "(fen)" / "(yuan)"
    civicast.plan(toml, out=tmp_path / "en", lang="en")
    wb = openpyxl.load_workbook(tmp_path / "en" / "allocation.xlsx")
    ws = wb["allocation"]
    header = [c.value for c in ws[1]]
    assert header[:5] == ["Community id", "District", "Amount (yuan)", "Share (%)", "Explanation"], header
    assert "常住人口 (fen)" in header and "Amount (fen)" in header and "综合资金 change vs last year (%)" in header
    col = {h: k for k, h in enumerate(header)}
    rows = list(ws.iter_rows(min_row=2))
    assert all(r[col["常住人口 (fen)"]].number_format == "#,##0" for r in rows)
    assert all(r[col["Amount (yuan)"]].number_format == "#,##0.00" for r in rows)
    s = list(wb["summary"].iter_rows())
    assert [c.value for c in s[0]] == ["Section", "Item", "Measure", "Unit", "Value", "Label"]
    assert [c.value for c in s[1]][:4] == ["Budget", "Total", "Amount", "fen"]  # the codes in English words
    assert s[1][4].number_format == "#,##0"
    assert list(pd.read_csv(tmp_path / "en" / "allocation.csv").columns) == list(csv.columns)


def test_write_workbook_money_by_readable_headers(tmp_path):
    """Money columns headed as people read them are formatted as money: "Amount (yuan)", "金额（分）", and a
    summary's 数值 by its row's 单位 (before: only the machine names amount_yuan, value by unit "fen")."""
    a = pd.DataFrame({"Amount (yuan)": [1234.5], "Amount (fen)": [123450], "金额（分）": [123450]})
    s = pd.DataFrame({"单位": ["分", "元", "个"], "数值": [100.0, 1.5, 3.0]})
    civicast.write_workbook({"a": a, "s": s}, tmp_path / "m.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "m.xlsx")
    assert [c.number_format for c in wb["a"][2]] == ["#,##0.00", "#,##0", "#,##0"]
    assert [r[1].number_format for r in wb["s"].iter_rows(min_row=2)] == ["#,##0", "#,##0.00", "General"]


def test_write_workbook_fractions_shown_rounded(tmp_path):
    """A number that is not whole is shown rounded (the cell keeps it): a level's average 11.07, a share
    0.1235, a tiny one 1.50E-07; whole numbers (years, counts, codes) as they are. Before 2026-12-07 every
    such cell was General, which showed 11.0727969348659 in the column's width."""
    df = pd.DataFrame({"year": [2024, 2025, 2026], "minutes": [11.0727969348659, 1234.5, 3.0],
                       "share": [0.12345, 0.5, 1.5e-7]})
    civicast.write(df, tmp_path / "f.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "f.xlsx")
    rows = list(wb.active.iter_rows(min_row=2))
    assert [[c.number_format for c in r] for r in rows] == [
        ["General", "#,##0.00", "0.0000"], ["General", "#,##0.00", "0.0000"], ["General", "General", "0.00E+00"]]
    assert rows[0][1].value == 11.0727969348659 and rows[0][2].value == 0.12345


def test_plan_workbook_label_that_is_a_column(tmp_path):
    """A communities table whose 区 column is the spec's district (examples/spreadsheet): the district is
    written once, as `district`, headed 区 in the Chinese workbook (before 2026-12-07 the sheet had both 区
    and an English `district`; before that the plan failed: "column '区' already exists")."""
    civicast.plan(SOURCE / "examples" / "spreadsheet" / "plan.toml", out=tmp_path / "ss")
    wb = openpyxl.load_workbook(tmp_path / "ss" / "allocation.xlsx")
    header = [c.value for c in wb["分配结果"][1]]
    assert header.count("区") == 1 and "district" not in header and header[:2] == ["社区编号", "社区名称"], header
    assert len(set(header)) == len(header)
    columns = pd.read_csv(tmp_path / "ss" / "allocation.csv", nrows=0).columns
    assert "district" in columns and "区" not in columns
