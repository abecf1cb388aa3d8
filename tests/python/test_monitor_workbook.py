"""civicast.write_monitor_workbook (civ_monitor_workbook_write): the monitoring frames as one workbook for the
departments, read back with openpyxl, an independent reader: the sheets of the frames given, Chinese headers and
words, the indicator's name, a rate's number format with the fraction in the cell, values equal to the frames
(and to the command's alerts.csv), English with lang="en", frames whose periods are Timestamps, and the errors
that leave nothing.

Run with CIV_LIBRARY, CIV_CLI, CIV_SOURCE_DIR, PYTHONPATH=python-bindings.
"""
import csv
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import civicast

openpyxl = pytest.importorskip("openpyxl")

SOURCE = Path(os.environ.get("CIV_SOURCE_DIR", Path(__file__).resolve().parents[2]))
DEMO = SOURCE / "datasets" / "demo_city"
IND = DEMO / "indicators.toml"


@pytest.fixture(scope="module")
def frames():
    status, alerts = civicast.monitor(IND, DEMO / "monitoring.csv")
    risks, matrix = civicast.risk_matrix(DEMO / "risks.csv")
    inactivity = civicast.inactivity_alerts(DEMO / "sensor_events.csv")
    return status, alerts, risks, matrix, inactivity


def test_chinese_sheets_words_and_formats(frames, tmp_path):
    status, alerts, risks, matrix, inactivity = frames
    path = tmp_path / "monitoring.xlsx"
    civicast.write_monitor_workbook(path, IND, status=status, alerts=alerts, risks=risks, risk_matrix=matrix,
                                    inactivity=inactivity)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["本期预警", "指标状态", "风险", "风险矩阵", "独居老人未活动"]
    ws = wb["本期预警"]
    assert [c.value for c in ws[1]] == ["部门", "指标", "名称", "层级", "单位", "统计期", "实际值", "目标值",
                                        "连续未达标期数", "未达标起始期", "预警状态"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:K")
    words = {"raised": "新增预警", "continued": "持续预警"}
    for k, row in enumerate(alerts.itertuples(index=False), start=2):
        cells = [c.value for c in ws[k]]
        assert cells[0] == row.department and cells[1] == row.indicator and cells[2] == row.name
        assert cells[6] == row.actual and cells[7] == row.target and cells[8] == row.misses
        assert cells[10] == words[row.alert]
    assert {ws.cell(row=k, column=11).value for k in range(len(alerts) + 2, ws.max_row + 1)} <= {"预警解除",
                                                                                               "随撤并关闭"}
    assert ws.max_row > len(alerts) + 1  # the month's cleared alerts follow the open ones
    # the volunteer share is a rate: 0.063339 in the cell, 6.3% on the screen
    assert alerts.indicator.iloc[0] == "volunteer_share"
    assert ws["G2"].value == pytest.approx(0.063339, abs=0) and ws["G2"].number_format == "0.0%"
    assert wb["风险"]["B2"].number_format == "0%" and wb["风险"]["I2"].value == "高"
    st = wb["指标状态"]
    assert st.max_row == len(status) + 1 and st["D1"].value == "名称" and st["D2"].value == "政策知晓率"
    assert st["J2"].value == "达标"


def test_equal_to_the_commands_csv(frames, tmp_path):
    """The frames' workbook and the command's alerts.csv say the same."""
    cli = os.environ.get("CIV_CLI")
    if not cli:
        pytest.skip("CIV_CLI is not set")
    subprocess.run([cli, "monitor", str(IND), str(DEMO / "monitoring.csv"), "--out", str(tmp_path / "out")],
                   check=True, capture_output=True)
    with open(tmp_path / "out" / "alerts.csv", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    status, alerts = frames[0], frames[1]
    civicast.write_monitor_workbook(tmp_path / "py.xlsx", IND, status=status, alerts=alerts)
    mine = openpyxl.load_workbook(tmp_path / "py.xlsx")["本期预警"]
    theirs = openpyxl.load_workbook(tmp_path / "out" / "monitoring.xlsx")["本期预警"]
    assert [[c.value for c in r] for r in mine.iter_rows()] == [[c.value for c in r] for r in theirs.iter_rows()]
    for k, r in enumerate(rows, start=2):
        assert mine.cell(row=k, column=7).value == float(r["actual"])
        assert mine.cell(row=k, column=10).value == r["since"]


def test_english_and_early_warning(frames, tmp_path):
    status, alerts = frames[0], frames[1]
    steps, summary, _ = civicast.early_warning(IND, DEMO / "monitoring.csv", h=2, model="naive",
                                               scopes=["city"])
    path = tmp_path / "en.xlsx"
    civicast.write_monitor_workbook(path, IND, alerts=alerts, warning=summary, warning_steps=steps, lang="en")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Alerts", "Early warning", "Warning by period"]
    assert wb["Alerts"]["A1"].value == "Department" and wb["Alerts"]["K2"].value in ("New", "Continuing")
    w = wb["Early warning"]
    head = [c.value for c in w[1]]
    assert head[:4] == ["Scope", "Unit", "Indicator", "Name"] and "P(miss) next period" in head
    p = head.index("P(miss) next period") + 1
    assert w.cell(row=2, column=p).number_format == "0.0%"
    assert w.cell(row=2, column=p).value == pytest.approx(summary.p_miss_next.iloc[0], rel=1e-15)
    s = wb["Warning by period"]
    assert {s.cell(row=k, column=[c.value for c in s[1]].index("Warning") + 1).value
            for k in range(2, s.max_row + 1)} <= {"Yes", "No"}


def test_timestamps_as_months(tmp_path):
    """Actuals dated by Timestamps give frames of Timestamps; the workbook writes their months."""
    act = pd.read_csv(DEMO / "monitoring.csv", dtype={"street": str})
    act["ds"] = pd.to_datetime(act["ds"] + "-01")
    status, alerts = civicast.monitor(IND, act)
    assert pd.api.types.is_datetime64_any_dtype(alerts["ds"])
    civicast.write_monitor_workbook(tmp_path / "t.xlsx", IND, status=status, alerts=alerts)
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["本期预警"]
    assert ws["F2"].value == "2024-12" and ws["J2"].value == alerts.since.iloc[0].strftime("%Y-%m")


def test_quarterly_timestamps_as_quarters(tmp_path):
    """Quarterly actuals dated by Timestamps (quarter starts) give frames of Timestamps; the workbook writes
    their quarters, as the command writes the same data's, not the quarter's first month (before 2026-12-07:
    统计期 '2024-10' for the fourth quarter, read as October's figure)."""
    act = pd.read_csv(DEMO / "monitoring.csv", dtype={"street": str})
    act = act[act.ds.str[5:].isin(["01", "04", "07", "10"]) & (act.indicator != "funds_execution")]
    text = IND.read_text(encoding="utf-8")
    ind = text[:text.rindex("[[indicator]]", 0, text.index('id = "funds_execution"'))]  # its steps are monthly
    want_status, want_alerts = civicast.monitor(ind, act.assign(ds=act.ds.str[:4] + "-Q" +
                                                               ((act.ds.str[5:].astype(int) + 2) // 3).astype(str)))
    status, alerts = civicast.monitor(ind, act.assign(ds=pd.to_datetime(act["ds"] + "-01")))
    assert pd.api.types.is_datetime64_any_dtype(alerts["ds"]) and len(alerts)
    civicast.write_monitor_workbook(tmp_path / "q.xlsx", ind, status=status, alerts=alerts,
                                    period=alerts.ds.iloc[0])
    wb = openpyxl.load_workbook(tmp_path / "q.xlsx")
    ws = wb["本期预警"]
    assert ws["F2"].value == "2024-Q4" and ws["J2"].value == want_alerts.since.iloc[0]
    assert sum(1 for r in ws.iter_rows(min_row=2, values_only=True) if r[10] == "预警解除") > 0  # the cleared
    got = [r[5] for r in wb["指标状态"].iter_rows(min_row=2, values_only=True)]
    assert got == list(want_status.ds)


def test_errors_leave_nothing(frames, tmp_path):
    alerts = frames[1]
    with pytest.raises(civicast.Error, match="zh.*en"):
        civicast.write_monitor_workbook(tmp_path / "x.xlsx", IND, alerts=alerts, lang="fr")
    with pytest.raises(civicast.Error):
        civicast.write_monitor_workbook(tmp_path / "no" / "such" / "x.xlsx", IND, alerts=alerts)
    with pytest.raises(civicast.Error):
        civicast.write_monitor_workbook(tmp_path / "x.xlsx", IND)  # no frame at all
    with pytest.raises(TypeError):
        civicast.write_monitor_workbook(tmp_path / "x.xlsx", IND, alerts="alerts.csv")
    assert list(tmp_path.iterdir()) == []
