"""Python functions of monitoring and early warning (civicast.monitor,
early_warning, demand_check, risk_matrix, inactivity_alerts) over the C API,
on the demo city's monitoring data and on small hand-made frames.

Run with CIV_LIBRARY, CIV_SOURCE_DIR, PYTHONPATH=python-bindings.
"""
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import civicast

SOURCE = Path(os.environ.get("CIV_SOURCE_DIR", Path(__file__).resolve().parents[2]))
DEMO = SOURCE / "datasets" / "demo_city"

SPEC = """
[monitor]
scope = "community"
rollup = ["district"]
[[indicator]]
id = "coverage"
target = 0.9
department = "Civil Affairs"
[[indicator]]
id = "incidents"
kind = "count"
better = "lower"
target = 5
department = "Emergency"
"""


def frame(rows):
    return pd.DataFrame(rows, columns=["unit", "district", "indicator", "ds", "value", "denominator"])


def test_alert_sequence_and_rollups():
    rows = [("C1", "A", "coverage", f"2024-{m:02d}", v, 100) for m, v in
            enumerate([0.95, 0.85, 0.80, 0.70, 0.91], start=1)]
    rows += [("C2", "A", "coverage", f"2024-{m:02d}", 0.5, 300) for m in range(1, 6)]
    rows += [("C1", "A", "incidents", "2024-01", 3, np.nan), ("C2", "A", "incidents", "2024-01", 4, np.nan)]
    status, alerts = civicast.monitor(SPEC, frame(rows), period="2024-04")
    c1 = status[(status.unit == "C1") & (status.indicator == "coverage")]
    assert list(c1.status) == ["met", "missed", "missed", "missed", "met"]
    assert list(c1.alert) == ["", "", "raised", "continued", "cleared"]
    assert list(c1.misses) == [0, 1, 2, 3, 0]
    a = status[(status.scope == "district") & (status.indicator == "coverage") & (status.ds == "2024-01")]
    assert a.actual.iloc[0] == pytest.approx((95 + 150) / 400)  # weighted by the denominators
    inc = status[(status.scope == "district") & (status.indicator == "incidents") & (status.ds == "2024-01")]
    assert inc.actual.iloc[0] == 7 and inc.target.iloc[0] == 10  # summed; the per-unit target scales
    # the alerts of 2024-04, grouped by department: C1 (continued), C2 and the district and city (open)
    assert list(alerts.department.unique()) == ["Civil Affairs"]
    assert set(alerts.unit) == {"C1", "C2", "A", "city"}
    assert alerts[alerts.unit == "C1"].since.iloc[0] == "2024-02"


def test_bad_input_names_line_and_field(tmp_path):
    rows = [("C1", "A", "coverage", "2024-01", 0.9, 10), ("C1", "A", "covrage", "2024-02", 0.9, 10)]
    with pytest.raises(civicast.Error) as e:
        civicast.monitor(SPEC, frame(rows))
    assert e.value.line == 3 and e.value.field == "indicator" and "covrage" in str(e.value)
    path = tmp_path / "actuals.csv"
    frame([("C1", "A", "coverage", "2024-01", 0.9, 10), ("C1", "A", "coverage", "2024-02", 95, 10)]).to_csv(
        path, index=False)
    with pytest.raises(civicast.Error) as e:
        civicast.monitor(SPEC, path)
    assert e.value.file == str(path) and e.value.line == 3 and e.value.field == "value"
    with pytest.raises(civicast.Error) as e:
        civicast.monitor("[[indicator]]\nid = \"x\"\ndepartment = \"d\"\n", frame(rows))
    assert e.value.field == "target" and e.value.status == "CIV_ERR_SPEC"


def test_own_column_names(tmp_path):
    """A sheet's own names ([monitor] unit_column, indicator_column, time_column,
    value_column, denominator_column): numeric community codes and Chinese
    periods, as a DataFrame and as an Excel-style CSV, give the statuses of
    the same data under the standard names."""
    own_spec = SPEC.replace("[monitor]\n", "[monitor]\nunit_column = \"社区编号\"\nindicator_column = \"指标\"\n"
                            "time_column = \"月份\"\nvalue_column = \"数值\"\ndenominator_column = \"调查户数\"\n")
    own_spec = own_spec.replace('rollup = ["district"]', 'rollup = ["区"]')
    std_spec = SPEC.replace('rollup = ["district"]', 'rollup = ["区"]')  # the roll-up's name is its scope
    rows = [(310101001 + u, "东区", "coverage", m, v, 100) for u in range(2) for m, v in
            zip(range(1, 5), [0.95, 0.85, 0.80, 0.91])]
    own = pd.DataFrame([(c, d, i, f"2024年{m}月", v, n) for c, d, i, m, v, n in rows],
                       columns=["社区编号", "区", "指标", "月份", "数值", "调查户数"])
    std = pd.DataFrame([(c, d, i, f"2024-{m:02d}", v, n) for c, d, i, m, v, n in rows],
                       columns=["unit", "区", "indicator", "ds", "value", "denominator"])
    want, _ = civicast.monitor(std_spec, std)
    got, _ = civicast.monitor(own_spec, own)
    pd.testing.assert_frame_equal(got, want)
    # the codes come back as the sheet's ints on the units' rows (the district and the city are text)
    assert list(got.unit.unique()) == [310101001, 310101002, "东区", "city"]
    assert len(got[got.scope == "community"].merge(own, left_on="unit", right_on="社区编号")) == 2 * 4 * 4
    path = tmp_path / "实际.csv"
    own.to_csv(path, index=False, encoding="utf-8-sig")  # Excel's "CSV UTF-8"
    got, _ = civicast.monitor(own_spec, path)
    pd.testing.assert_frame_equal(got, want)
    bad = own.copy()
    bad.loc[2, "数值"] = 80.0
    with pytest.raises(civicast.Error) as e:
        civicast.monitor(own_spec, bad)
    assert e.value.field == "数值" and e.value.line == 4


def test_demo_city_monitoring():
    status, alerts = civicast.monitor(DEMO / "indicators.toml", DEMO / "monitoring.csv")
    assert set(status.scope) == {"street", "district", "city"}
    assert status.ds.max() == "2024-12" and len(status.indicator.unique()) == 20
    assert list(alerts.department) == sorted(alerts.department)
    assert set(alerts.alert) <= {"raised", "continued"}
    # the department that keeps missing: dispute mediation misses most often
    streets = status[status.scope == "street"]
    raised = streets.groupby("indicator").alert.apply(lambda s: (s == "raised").sum())
    assert raised.idxmax() == "mediation_success" and raised.max() > 100
    districts = status[status.scope == "district"]
    miss = districts.groupby("indicator").status.apply(lambda s: (s == "missed").mean())
    assert miss.idxmax() == "mediation_success" and miss.max() > 0.5
    # every planted run that recovered raised an alert and then cleared it
    truth = pd.read_csv(DEMO / "monitoring_truth.csv")
    runs = truth[truth.episode == "run of misses, recovered"]
    assert len(runs) > 10
    for r in runs.itertuples():
        s = streets[(streets.unit == r.street) & (streets.indicator == r.indicator)]
        s = s[(s.ds >= r._3) & (s.ds <= r.to)]
        assert "raised" in set(s.alert), (r.street, r.indicator)


def test_early_warning_gaussian_and_chain():
    steps, summary, fc = civicast.early_warning(DEMO / "indicators.toml", DEMO / "monitoring.csv", h=3,
                                                model="naive", scopes=["city"], threads=1)
    assert len(summary) == 20 and len(steps) == 60 and set(steps.scope) == {"city"}
    # naive intervals are Gaussian: p_miss = Phi((target - mean) / sigma), sigma from hi-95
    from math import erf, sqrt
    sig = (fc["hi-95"] - fc["mean"]) / 1.959963984540054
    z = ((steps.target - fc["mean"]) / sig).to_numpy()
    phi = np.array([0.5 * (1 + erf(x / sqrt(2))) for x in z])
    lower = steps.indicator.isin(["major_accidents", "fraud_cases", "response_minutes"]).to_numpy()
    want = np.where(lower, 1 - phi, phi)
    symmetric = np.abs((fc["mean"] - fc["lo-95"]) - (fc["hi-95"] - fc["mean"])).to_numpy() < 1e-9 * (1 + sig)
    ok = np.isfinite(want) & (sig.to_numpy() > 0) & symmetric  # (bounds clamped at 0 are not Gaussian)
    assert ok.sum() > 40
    np.testing.assert_allclose(steps.p_miss.to_numpy()[ok], want[ok], atol=1e-9)
    assert set(summary.deadline) == {"", "2025-12"}


def test_threshold_as_people_write_it():
    """threshold= as the command's --threshold: "20%" is 0.2; 80 (meant 80%) is refused with the cure
    the spec's fraction keys give ("write 0.8 for 80%"); it said only 'must be in (0, 1), e.g. 0.5'."""
    args = dict(h=2, model="naive", scopes=["city"], threads=1)
    want = civicast.early_warning(DEMO / "indicators.toml", DEMO / "monitoring.csv", threshold=0.2, **args)
    got = civicast.early_warning(DEMO / "indicators.toml", DEMO / "monitoring.csv", threshold="20%", **args)
    for a, b in zip(got, want):
        pd.testing.assert_frame_equal(a, b)
    with pytest.raises(civicast.Error, match=r"threshold 80.0 is not a probability in \(0, 1\): a percentage\? "
                                             r"write 0.8 for 80%"):
        civicast.early_warning(DEMO / "indicators.toml", DEMO / "monitoring.csv", threshold=80, **args)
    with pytest.raises(civicast.Error, match=r"threshold 150% is not a probability"):
        civicast.early_warning(DEMO / "indicators.toml", DEMO / "monitoring.csv", threshold="150%", **args)


def test_demand_check_frames():
    fc = pd.DataFrame({"unique_id": ["C1"] * 3, "ds": ["2025-01", "2025-02", "2025-03"], "mean": [100.0] * 3,
                       "lo-80": [90.0] * 3, "hi-80": [110.0] * 3, "lo-95": [85.0] * 3, "hi-95": [115.0] * 3})
    act = pd.DataFrame({"unique_id": ["C1"] * 3, "ds": ["2025-01", "2025-02", "2025-03"], "y": [100, 112, 80]})
    out = civicast.demand_check(fc, act)
    assert list(out.flag) == ["within", "ahead", "behind"]
    assert np.isnan(out.level[0]) and out.level[1] == 80 and out.level[2] == 95
    # a forecast row given twice: its actual would be counted twice (before 2026-12-07, 4 rows from 3 actuals)
    with pytest.raises(civicast.Error) as e:
        civicast.demand_check(pd.concat([fc, fc.iloc[[1]]]), act)
    assert "row 3 (index 1): the forecasts hold series 'C1' at 2025-02 twice (row 1 (index 1) and this one)" in \
        str(e.value) and "keep one of the two rows" in str(e.value)


def test_risk_matrix_plan():
    risks, matrix = civicast.risk_matrix(DEMO / "risks.csv")
    assert list(risks.level) == ["high", "medium-high", "medium-high", "medium"]
    assert list(risks.probability) == [0.70, 0.65, 0.60, 0.45]
    assert len(matrix) == 25
    bad = pd.DataFrame({"risk": ["x"], "probability": [70.0], "impact": ["severe"]})
    with pytest.raises(civicast.Error) as e:
        civicast.risk_matrix(bad)
    assert e.value.field == "probability" and e.value.line == 2
    # a register headed as monitoring.xlsx's risk sheet (风险, 发生概率, 影响程度, ...): the same levels
    # (before 2026-12-07: "the risk register has no column 'risk'")
    zh = pd.read_csv(DEMO / "risks.csv").rename(columns={"risk": "风险", "probability": "发生概率", "impact": "影响程度",
                                                         "owner": "责任单位", "mitigation": "应对措施"})
    pd.testing.assert_frame_equal(civicast.risk_matrix(zh)[0], risks)


def test_excel_sheets(tmp_path):
    """Sheets as Excel on a Chinese Windows saves them (GB18030, numbers
    written "5,194,000"): encoding= and thousands= give the plain sheets'
    results; without them the cell is named with the option to use."""
    plain = pd.read_csv(DEMO / "monitoring.csv", dtype=str)
    plain["denominator"] = (plain["denominator"].astype(float) * 1000).round().astype("Int64")
    plain.to_csv(tmp_path / "plain.csv", index=False)
    excel = plain.assign(denominator=["" if pd.isna(v) else f"{v:,}" for v in plain["denominator"]])
    assert excel["denominator"].str.count(",").max() == 2
    excel.to_csv(tmp_path / "excel.csv", index=False, encoding="gb18030")
    (tmp_path / "risks.csv").write_bytes((DEMO / "risks.csv").read_text(encoding="utf-8").encode("gb18030"))
    want = civicast.monitor(DEMO / "indicators.toml", tmp_path / "plain.csv")
    got = civicast.monitor(DEMO / "indicators.toml", tmp_path / "excel.csv", encoding="gb18030", thousands=",")
    for w, g in zip(want, got):
        pd.testing.assert_frame_equal(g, w)
    with pytest.raises(civicast.Error, match='thousands=","') as e:
        civicast.monitor(DEMO / "indicators.toml", tmp_path / "excel.csv", encoding="gb18030")
    assert e.value.line == 2 and e.value.column == 6
    risks, _ = civicast.risk_matrix(tmp_path / "risks.csv", encoding="gb18030")
    pd.testing.assert_frame_equal(risks, civicast.risk_matrix(DEMO / "risks.csv")[0])
    fc = pd.DataFrame({"unique_id": ["C1"] * 2, "ds": ["2025-01", "2025-02"], "mean": [1000.0] * 2,
                       "lo-95": [900.0] * 2, "hi-95": [1100.0] * 2})
    (tmp_path / "act.csv").write_text('unique_id,ds,y\nC1,2025-01,"1,050"\nC1,2025-02,"1,200"\n')
    assert list(civicast.demand_check(fc, tmp_path / "act.csv", thousands=",").flag) == ["within", "ahead"]


def test_inactivity_demo_incidents():
    alerts = civicast.inactivity_alerts(DEMO / "sensor_events.csv")
    truth = pd.read_csv(DEMO / "sensor_truth.csv")
    for t in truth.itertuples():
        start = pd.Timestamp(t.incident_from.rstrip("Z"))
        hit = alerts[(alerts.person == t.person) & (pd.to_datetime(alerts.alert_at) >= start) &
                     (pd.to_datetime(alerts.alert_at) < start + pd.Timedelta(hours=24))]
        assert len(hit) == 1, t.person
    # false alarms: few per person-month (10 people x 28 days)
    assert len(alerts) - len(truth) <= 10
    ev = pd.DataFrame({"person": ["a", "b", "a"], "ts": ["2025-01-01T08:00:00", "2025-01-01T09:00:00",
                                                          "2025-01-01T07:30:00"]})
    with pytest.raises(civicast.Error) as e:
        civicast.inactivity_alerts(ev)
    assert e.value.line == 4 and e.value.field == "ts" and "out of order" in str(e.value)
    assert "than their event before it, at row 0 (" in str(e.value)  # a frame's row, as the error's own
    # a log sorted by person, then time, is the same events: the same alerts (before 2026-12-07: refused)
    demo = pd.read_csv(DEMO / "sensor_events.csv")
    by_person = demo.sort_values(["person", "ts"], kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(civicast.inactivity_alerts(by_person), civicast.inactivity_alerts(demo))


def test_inactivity_timestamps():
    """Events whose ts are pandas Timestamps (naive UTC, or tz-aware in Beijing time) give the alerts of
    the same events as text."""
    text = pd.read_csv(DEMO / "sensor_events.csv")
    want = civicast.inactivity_alerts(text)
    assert want.last_event.dtype == object  # text in, text out
    stamps = text.assign(ts=pd.to_datetime(text.ts.str.rstrip("Z")))
    times = ["last_event", "alert_at", "resumed"]
    naive = want.assign(**{c: pd.to_datetime(want[c].replace("", None)) for c in times})
    pd.testing.assert_frame_equal(civicast.inactivity_alerts(stamps), naive)  # naive UTC Timestamps back
    beijing = text.assign(ts=pd.to_datetime(text.ts).dt.tz_convert("Asia/Shanghai"))
    zoned = naive.assign(**{c: naive[c].dt.tz_localize("UTC").dt.tz_convert("Asia/Shanghai") for c in times})
    pd.testing.assert_frame_equal(civicast.inactivity_alerts(beijing), zoned)  # in the events' own zone
    # an office's export in Beijing time without its zone: local_times=True reads the same instants (before
    # 2026-12-07 read as UTC, 8 hours late); naive local Timestamps come back as naive local times
    local = text.assign(ts=beijing.ts.dt.tz_localize(None).dt.strftime("%Y-%m-%d %H:%M:%S"))
    pd.testing.assert_frame_equal(civicast.inactivity_alerts(local, local_times=True), want)
    late = civicast.inactivity_alerts(local)
    assert (pd.to_datetime(late.last_event) - pd.to_datetime(want.last_event) == pd.Timedelta(hours=8)).all()
    local_stamps = text.assign(ts=beijing.ts.dt.tz_localize(None))
    back = zoned.assign(**{c: zoned[c].dt.tz_localize(None) for c in times})
    pd.testing.assert_frame_equal(civicast.inactivity_alerts(local_stamps, local_times=True), back)
    ids = text.assign(person=text.person.map({p: k for k, p in enumerate(sorted(set(text.person)), 9001)}))
    assert civicast.inactivity_alerts(ids).person.dtype == np.int64  # sensors numbered 9001..: ints back


def test_inactivity_says_its_offset():
    """The alerts carry the local time their `hour` is in (utc_offset_hours, the last column: 8 by default, or
    utc_offset_hours=), as inactivity.csv does for the report of a `monitor --out` folder (since 2026-12-07)."""
    events = DEMO / "sensor_events.csv"
    beijing, india = civicast.inactivity_alerts(events), civicast.inactivity_alerts(events, utc_offset_hours=5.5)
    assert list(beijing.columns)[-2:] == ["hour", "utc_offset_hours"] and (beijing.utc_offset_hours == 8).all()
    assert (india.utc_offset_hours == 5.5).all() and len(india) > 0


def test_timestamps():
    """Frames carrying Timestamps, as pandas makes them: the monitor reads month starts (or month
    ends, or tz-aware midnights) as the months, quarter starts 3 months apart as quarters; and the
    forecasts of a Timestamp panel (ds = the month's first day) check against Timestamp actuals.
    Before, monthly Timestamps reached the library as days ('2024-01-01 00:00:00') and were refused,
    and demand_check refused civicast.forecast's own output of such a panel."""
    rows = [("C1", "A", "coverage", f"2024-{m:02d}", v, 100) for m, v in
            enumerate([0.95, 0.85, 0.80, 0.70, 0.91], start=1)]
    want, _ = civicast.monitor(SPEC, frame(rows))
    start = pd.to_datetime(frame(rows).ds)
    for ds, back in ((start, start), (start + pd.offsets.MonthEnd(0), start + pd.offsets.MonthEnd(0)),
                     (start.dt.tz_localize("Asia/Shanghai"), start.dt.tz_localize("Asia/Shanghai"))):
        f = frame(rows)
        f["ds"] = ds
        status, alerts = civicast.monitor(SPEC, f, period="2024-04")
        # the periods come back as the frame gave them (tz-aware midnights in their zone, as forecast's;
        # before 2026-12-07 they came back naive)
        pd.testing.assert_frame_equal(status, want.assign(ds=status.ds))
        assert list(status.ds[status.unit == "C1"]) == list(back) and status.ds.dtype == back.dtype
        assert list(alerts.since[alerts.unit == "C1"]) == [back[1]]
        assert len(status.merge(f, on=["unit", "indicator", "ds"])) == len(f)  # a notebook's merge matches
    f = frame(rows).assign(ds=start)
    status, _ = civicast.monitor(SPEC, f)
    assert len(status.merge(f, on=["unit", "indicator", "ds"])) == len(f)  # a notebook's merge matches
    dates, _ = civicast.monitor(SPEC, frame(rows).assign(ds=start.dt.date))  # datetime.date objects (SQL, .dt.date)
    pd.testing.assert_frame_equal(dates, status)
    per = frame(rows).assign(ds=start.dt.to_period("M"))
    status, alerts = civicast.monitor(SPEC, per, period=pd.Period("2024-04", "M"))
    assert status.ds.dtype == pd.PeriodDtype("M") and alerts.since.dtype == pd.PeriodDtype("M")
    pd.testing.assert_frame_equal(status.assign(ds=status.ds.astype(str)), want)
    q = frame([("C1", "A", "coverage", d, 0.8, 100) for d in ("2024-01-01", "2024-04-01", "2024-07-01")])
    q["ds"] = pd.to_datetime(q.ds)
    status, _ = civicast.monitor(SPEC, q)
    assert list(status[status.unit == "C1"].ds) == list(q.ds)  # quarters, as their first days
    status, _ = civicast.monitor(SPEC, q.assign(ds=q.ds.dt.to_period("Q")))
    assert list(status[status.unit == "C1"].ds.astype(str)) == ["2024Q1", "2024Q2", "2024Q3"]
    mid = frame(rows)
    mid["ds"] = pd.to_datetime(mid.ds) + pd.Timedelta(days=14)  # days inside months: refused, the row named
    with pytest.raises(civicast.Error, match=r"<DataFrame> row 0: .*2024-01-15.*is a day inside a month"):
        civicast.monitor(SPEC, mid)
    # a time of day (09:00; midnights moved by a time zone): the date parser's reason and cure, not "is not
    # a year, quarter or month" (before 2026-12-06), which day dates are not either and are read
    mid["ds"] = pd.to_datetime(frame(rows).ds) + pd.Timedelta(hours=9)
    with pytest.raises(civicast.Error, match=r"<DataFrame> row 0: ds: date '2024-01-01 09:00:00' has a time of "
                                             r"day: civicast periods are days or longer") as e:
        civicast.monitor(SPEC, mid)
    assert e.value.field == "ds" and "not a year" not in e.value.message
    with pytest.raises(civicast.Error, match=r"ds: date '2024-01-01 08:00:00\+08:00' has a time of day in its "
                                             r"time zone"):
        civicast.monitor(SPEC, f.assign(ds=start.dt.tz_localize("UTC").dt.tz_convert("Asia/Shanghai")))
    # demand: the forecasts of a Timestamp panel against Timestamp actuals
    panel = pd.DataFrame({"unique_id": "C1", "ds": pd.date_range("2023-01-01", periods=24, freq="MS"),
                          "y": 100.0 + np.arange(24) % 3})
    fc = civicast.forecast(panel, h=2, model="naive", level=[80, 95])
    act = pd.DataFrame({"unique_id": "C1", "ds": pd.to_datetime(["2025-01-01", "2025-02-01"]), "y": [101.0, 200.0]})
    out = civicast.demand_check(fc, act)
    assert list(out.flag) == ["within", "ahead"]
    # ds as the actuals' Timestamps, so the notebook's merge matches (it was the text '2025-01-01')
    assert list(out.ds) == list(act.ds) and len(out.merge(act, on=["unique_id", "ds"])) == 2
    # int ids (a community code) come back int, from a frame and from a file pandas wrote
    coded = civicast.demand_check(civicast.forecast(panel.assign(unique_id=310101001), h=2, model="naive"),
                                  act.assign(unique_id=310101001))
    assert coded.unique_id.dtype == np.int64 and list(coded.flag) == ["within", "ahead"]
    per = civicast.demand_check(civicast.forecast(panel.assign(ds=panel.ds.dt.to_period("M")), h=2, model="naive"),
                                act.assign(ds=act.ds.dt.to_period("M")))
    assert per.ds.dtype == pd.PeriodDtype("M") and list(per.ds.astype(str)) == ["2025-01", "2025-02"]


def test_period_forms():
    """period= as a Timestamp is the month it falls in; a period of another form than the actuals'
    is refused naming the form (it was looked up as a number: 'period 8097 is outside the actuals')."""
    rows = [("C1", "A", "coverage", f"2024-{m:02d}", v, 100) for m, v in
            enumerate([0.95, 0.85, 0.80, 0.70, 0.91], start=1)]
    _, want = civicast.monitor(SPEC, frame(rows), period="2024-04")
    _, got = civicast.monitor(SPEC, frame(rows), period=pd.Timestamp("2024-04-01"))
    pd.testing.assert_frame_equal(got, want)
    # civicast.Error as the command's --period says it, with the actuals' span (it was a bare ValueError
    # saying only "(e.g. 2024-05)")
    with pytest.raises(civicast.Error, match=r"^period '2024-Q2' is not a monthly period like the actuals' "
                       r"\(2024-01 \.\. 2024-05\): give one such as 2024-05, or a day in one \(field 'period'\)$") as e:
        civicast.monitor(SPEC, frame(rows), period="2024-Q2")
    assert e.value.status == "CIV_ERR_DATE" and e.value.field == "period"
    with pytest.raises(civicast.Error, match=r"^period '2024-09' is outside the actuals, which span 2024-01 .. "
                                             r"2024-05: give one of those periods \(field 'period'\)$"):
        civicast.monitor(SPEC, frame(rows), period="2024-09")
    # a day written as text, as the command's --period and the plan's [monitor] period take it, and the
    # other forms civ_date_parse reads: one call, civ_monitor_period_of (a day as text was refused here)
    for p in ("2024-04-15", "2024/4/15", "2024年4月", "2024/4", "2024-04-30 00:00:00"):
        pd.testing.assert_frame_equal(civicast.monitor(SPEC, frame(rows), period=p)[1], want)
    with pytest.raises(civicast.Error, match=r"^period '2024-Q2' is not a monthly period"):
        civicast.monitor(SPEC, frame(rows), period=pd.Period("2024Q2", "Q-DEC"))


def test_float32_values_read_as_printed(tmp_path):
    """A notebook that stores the actuals as float32 (astype("float32"), a parquet file written so)
    sees 0.9 and 0.95; the monitor must read those numbers, not their binary widening
    0.8999999761581421, which missed a target of 0.9 in 14 street-months of the demo city and made
    the frame's statuses differ from the command's on the same frame written by to_csv."""
    actuals = pd.read_csv(DEMO / "monitoring.csv")
    narrow = actuals.astype({"value": "float32"})
    want, _ = civicast.monitor(DEMO / "indicators.toml", actuals)
    got, _ = civicast.monitor(DEMO / "indicators.toml", narrow)
    on_target = got[(got.scope == "street") & (got.actual == got.target)]
    assert len(on_target) >= 10 and set(on_target.status) == {"met"}
    assert (got.status == want.status).all() and (got.alert == want.alert).all()
    narrow.to_csv(tmp_path / "narrow.csv", index=False)  # what the command reads: "0.9"
    from_file, _ = civicast.monitor(DEMO / "indicators.toml", tmp_path / "narrow.csv")
    assert (got.status == from_file.status).all()
    assert np.array_equal(got.actual.to_numpy(), from_file.actual.to_numpy(), equal_nan=True)
    nullable = actuals.astype({"value": "Float32"})  # pandas' nullable float32: the same numbers
    same, _ = civicast.monitor(DEMO / "indicators.toml", nullable)
    assert np.array_equal(same.actual.to_numpy(), got.actual.to_numpy(), equal_nan=True)


def test_frames_indexed_by_their_columns_and_numpy_periods():
    """What a notebook has at hand: actuals aggregated by groupby (the keys are a MultiIndex), events
    indexed by their time, a register indexed by the risk; each is refused with the cure
    (df.reset_index()), as civicast.forecast does, not with "the actuals have no column 'street'"
    at "<DataFrame>:1"; and period= as numpy gives a date (m.ds.unique()[-1]: numpy.datetime64) is
    the month it falls in, as a Timestamp is (it was refused: "is not a monthly period")."""
    actuals = pd.read_csv(DEMO / "monitoring.csv", parse_dates=["ds"])
    grouped = actuals.groupby(["street", "district", "indicator", "ds"]).agg(
        value=("value", "mean"), denominator=("denominator", "sum"))
    with pytest.raises(civicast.Error) as e:
        civicast.monitor(DEMO / "indicators.toml", grouped)
    assert e.value.status == "CIV_ERR_MISSING_COLUMN" and e.value.field == "street"
    assert "reset_index()" in e.value.message
    status, _ = civicast.monitor(DEMO / "indicators.toml", grouped.reset_index())
    assert len(status) == 33120
    events = pd.read_csv(DEMO / "sensor_events.csv", parse_dates=["ts"])
    with pytest.raises(civicast.Error) as e:
        civicast.inactivity_alerts(events.set_index("ts"))
    assert e.value.field == "ts" and "reset_index()" in e.value.message
    with pytest.raises(civicast.Error) as e:
        civicast.risk_matrix(pd.read_csv(DEMO / "risks.csv").set_index("risk"))
    assert e.value.field == "risk" and "reset_index()" in e.value.message
    june = actuals.ds.unique()[17]
    assert isinstance(june, np.datetime64)
    _, by_numpy = civicast.monitor(DEMO / "indicators.toml", actuals, period=june)
    _, by_text = civicast.monitor(DEMO / "indicators.toml", actuals, period="2024-06")
    assert len(by_numpy) > 0 and (by_numpy.since.astype(str) == by_text.since.astype(str)).all()
    assert by_numpy.reset_index(drop=True).drop(columns="since").equals(
        by_text.reset_index(drop=True).drop(columns="since"))


def test_frame_errors_name_the_row_not_a_csv_line():
    """A library error in a frame's cell named a CSV line ("<DataFrame>:7:5: rate 95 ..." for the row
    at position 5), which sends a notebook to df.loc[7], a good row; in a shuffled or filtered frame
    the line matched neither position nor label. The text names the row position and, when it differs,
    the index label; line and column stay (the line of df.to_csv(index=False))."""
    actuals = pd.read_csv(DEMO / "monitoring.csv", parse_dates=["ds"])
    bad = actuals.copy()
    bad.loc[5, "value"] = 95.0
    with pytest.raises(civicast.Error) as e:
        civicast.monitor(DEMO / "indicators.toml", bad)
    assert e.value.text.startswith("<DataFrame> row 5: rate 95 is outside [0, 1]"), e.value.text
    assert e.value.field == "value" and e.value.line == 7 and e.value.status == "CIV_ERR_DOMAIN"
    shuffled = actuals.sample(frac=1.0, random_state=1)
    label = shuffled.index[5]
    shuffled.loc[label, "value"] = 95.0
    with pytest.raises(civicast.Error) as e:
        civicast.monitor(DEMO / "indicators.toml", shuffled)
    assert e.value.text.startswith(f"<DataFrame> row 5 (index {label}): rate 95"), e.value.text
    assert shuffled.loc[label, "value"] == 95.0
    register = pd.read_csv(DEMO / "risks.csv")
    register.loc[1, "probability"] = 65
    with pytest.raises(civicast.Error) as e:
        civicast.risk_matrix(register)
    assert e.value.text.startswith("<DataFrame> row 1: risk '执行偏差风险'"), e.value.text
    with pytest.raises(civicast.Error) as e:  # a file keeps its line
        civicast.monitor(DEMO / "indicators.toml", DEMO / "monitoring.csv", period="2030-01")
    assert "2030-01" in e.value.text


def test_closed_unit():
    """A unit closed from a period on ([[closed]] in the indicator file, path or text): its months are
    "closed", not "no_data"; the alert open when it closed ends in a row saying so; its district stops
    expecting it; early warning leaves it out; a value after the closing period is an error naming the
    frame's row, the unit and the period (docs/MONITORING.md, "Units that close")."""
    spec = SPEC + '[[closed]]\nunit = "C2"\nfrom = "2024-04"\ninto = "C1"\nnote = "区划调整：并入C1"\n'
    rows = [("C1", "A", "incidents", f"2024-{m:02d}", 4, np.nan) for m in range(1, 7)]
    rows += [("C2", "A", "incidents", f"2024-{m:02d}", 7, np.nan) for m in range(1, 4)]
    status, alerts = civicast.monitor(spec, frame(rows))
    c2 = status[(status.unit == "C2") & (status.indicator == "incidents")]
    assert list(c2.status) == ["missed", "missed", "missed", "closed", "closed", "closed"]
    assert list(c2.alert) == ["", "raised", "continued", "closed", "", ""]
    # the closed rows say where the unit went and why (into, note: read and checked, shown nowhere before)
    assert list(c2["into"]) == ["", "", "", "C1", "C1", "C1"]
    assert list(c2["note"]) == ["", "", ""] + ["区划调整：并入C1"] * 3
    assert set(status[status.unit == "C1"]["into"]) == {""}
    a = status[(status.scope == "district") & (status.indicator == "incidents")]
    assert list(a.actual) == [11, 11, 11, 4, 4, 4] and list(a.target) == [10, 10, 10, 5, 5, 5]
    assert list(a.status) == ["missed", "missed", "missed", "met", "met", "met"]
    assert list(a.alert) == ["", "raised", "continued", "cleared", "", ""]
    assert alerts.empty
    # the same with Timestamps for periods, and the closed street gets no forecast
    ts = frame(rows).assign(ds=lambda d: pd.to_datetime(d.ds + "-01"))
    status_ts, _ = civicast.monitor(spec, ts)
    assert list(status_ts[(status_ts.unit == "C2") & (status_ts.indicator == "incidents")].status) == list(c2.status)
    steps, _, _ = civicast.early_warning(spec, frame(rows), h=1, model="naive", scopes=["community"])
    assert "C2" not in set(steps.unit) and "C1" in set(steps.unit)
    late = frame(rows + [("C2", "A", "incidents", "2024-05", 1, np.nan)])
    with pytest.raises(civicast.Error) as e:
        civicast.monitor(spec, late)
    assert e.value.status == "CIV_ERR_DOMAIN" and e.value.field == "ds"
    assert e.value.text.startswith("<DataFrame> row 9: unit 'C2' reports a value for 2024-05, but the indicator "
                                   "file closes it from 2024-04"), e.value.text
    with pytest.raises(civicast.Error) as e:
        civicast.monitor(spec.replace('unit = "C2"', 'unit = "c2"'), frame(rows))
    assert e.value.status == "CIV_ERR_SPEC" and e.value.field == "unit" and "did you mean 'C2'?" in e.value.text


def test_frame_errors_name_rows_not_lines():
    """A frame's error names its rows as a notebook finds them, the other row of the message too: a risk
    listed twice "here and at row 0" (was "at line 2", a file's line beside the frame's "row 4"), an event out
    of order "at row 1 (index 'b')"; demand_check's forecast frame names its row (the error named none)."""
    register = pd.read_csv(DEMO / "risks.csv")
    twice = pd.concat([register, register.iloc[[0]]], ignore_index=True)
    with pytest.raises(civicast.Error) as e:
        civicast.risk_matrix(twice)
    assert e.value.text.startswith(f"<DataFrame> row {len(register)}: "), e.value.text
    assert "here and at row 0;" in e.value.text and "line" not in e.value.text, e.value.text
    assert "at row 0" in e.value.message and e.value.line == len(register) + 2  # line and column kept
    ev = pd.DataFrame({"person": ["p", "p", "p"], "ts": ["2025-01-01T08:00:00", "2025-01-01T09:00:00",
                                                         "2025-01-01T08:30:00"]}, index=["a", "b", "c"])
    with pytest.raises(civicast.Error) as e:
        civicast.inactivity_alerts(ev)
    assert e.value.text.startswith("<DataFrame> row 2 (index 'c'): "), e.value.text
    assert "at row 1 (index 'b')" in e.value.text and "line" not in e.value.text, e.value.text
    panel = pd.DataFrame({"unique_id": "C1", "ds": pd.date_range("2023-01-01", periods=24, freq="MS"),
                          "y": range(24)})
    fc = civicast.forecast(panel, h=3, model="naive")
    fc.index = fc.index + 10
    fc["ds"] = fc["ds"].astype(str)
    fc.loc[11, "ds"] = "2025-02-15"
    act = pd.DataFrame({"unique_id": ["C1"] * 3, "ds": pd.date_range("2025-01-01", periods=3, freq="MS"),
                        "y": [1, 2, 3]})
    with pytest.raises(civicast.Error) as e:
        civicast.demand_check(fc, act)
    assert e.value.text.startswith("<DataFrame> row 1 (index 11): forecast ds '2025-02-15'"), e.value.text


def test_values_as_their_kind_says():
    """The frames keep the numbers and say each row's kind and unit (kind, value_unit, the last columns);
    civicast.value_text writes a value, or a frame's values, as the command's alert lines do: before 2026-12-07
    the only way was the bare fraction, 0.2863 for a participation rate of 28.6%."""
    status, alerts = civicast.monitor(DEMO / "indicators.toml", DEMO / "monitoring.csv")
    assert list(status.columns[-2:]) == ["kind", "value_unit"] and list(alerts.columns[-2:]) == ["kind", "value_unit"]
    assert list(status.columns[:14]) == ["scope", "unit", "indicator", "department", "ds", "actual", "denominator",
                                         "target", "status", "misses", "alert", "name", "into", "note"]
    assert status.actual.dtype == np.float64 and alerts.target.dtype == np.float64  # numbers stay numbers
    kinds = status.drop_duplicates("indicator").set_index("indicator")
    assert kinds.kind["participation"] == "rate" and kinds.value_unit["participation"] == "%"
    assert kinds.kind["major_accidents"] == "count" and kinds.value_unit["major_accidents"] == "起"
    assert kinds.kind["response_minutes"] == "level" and kinds.value_unit["response_minutes"] == "分钟"
    shown = civicast.value_text(alerts)
    assert alerts.actual.dtype == np.float64  # the frame given is not changed
    row = lambda ind, unit: shown[(shown.indicator == ind) & (shown.unit == unit)].iloc[0]
    assert (row("participation", "D07-S08").actual, row("participation", "D07-S08").target) == ("28.6%", "35%")
    assert (row("major_accidents", "D06-S04").actual, row("major_accidents", "D06-S04").target) == ("2 起", "1 起")
    assert row("response_minutes", "D01-S04").actual == "15.84 分钟"
    assert (row("emergency_supplies", "city").actual, row("emergency_supplies", "city").target) == ("99.7%", "100%")
    assert civicast.value_text(0.2863, "rate") == "28.6%"
    assert civicast.value_text(0.9796, "rate", against=0.98) == "97.96%"
    assert civicast.value_text(1207, "count", "起") == "1,207 起"
    assert civicast.value_text(11.0727969348659, "level", "分钟") == "11.07 分钟"
    assert civicast.value_text(np.nan, "rate") == "" and civicast.value_text(0.2863) == "0.2863"
    with pytest.raises(civicast.Error, match="kind is \"rate\", \"count\" or \"level\", not 'ratio'"):
        civicast.value_text(0.5, "ratio")
    with pytest.raises(civicast.Error, match="needs the frame's 'kind' column"):
        civicast.value_text(alerts.drop(columns="kind"))
    steps, summary, _ = civicast.early_warning(DEMO / "indicators.toml", DEMO / "monitoring.csv", h=1,
                                               model="naive", scopes=["city"], threads=1)
    assert list(summary.columns[-2:]) == ["kind", "value_unit"] and list(steps.columns[-2:]) == ["kind", "value_unit"]
    s = civicast.value_text(steps)
    assert s[steps.indicator == "participation"].target.iloc[0] == "35%"


def test_demand_check_two_models():
    """A forecast frame of two models (civicast.forecast(model=["ets", "theta"]), long): each row of the check
    says its model, so the ets and theta rows of one series and month are told apart (they were not)."""
    fc = pd.DataFrame({"unique_id": ["C1"] * 4, "ds": ["2025-01", "2025-02"] * 2,
                       "model": ["AutoETS", "AutoETS", "Theta", "Theta"], "mean": [100.0, 100.0, 125.0, 125.0],
                       "lo-80": [90.0, 90.0, 115.0, 115.0], "hi-80": [110.0, 110.0, 135.0, 135.0],
                       "lo-95": [85.0, 85.0, 110.0, 110.0], "hi-95": [115.0, 115.0, 140.0, 140.0]})
    act = pd.DataFrame({"unique_id": ["C1"] * 2, "ds": ["2025-01", "2025-02"], "y": [120, 101]})
    out = civicast.demand_check(fc, act)
    assert list(out.columns) == ["unique_id", "ds", "actual", "mean", "deviation_pct", "level", "flag", "model"]
    assert list(out.model) == ["AutoETS", "AutoETS", "Theta", "Theta"]
    assert list(out.flag) == ["ahead", "within", "within", "behind"]
    assert out.groupby("model").flag.apply(lambda f: (f == "ahead").sum()).to_dict() == {"AutoETS": 1, "Theta": 0}
    assert "model" not in civicast.demand_check(fc[fc.model == "Theta"].drop(columns="model"), act).columns
