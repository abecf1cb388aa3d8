"""test_skip_rows_inputs.py -- rows above the header per input (skip_rows= as a dict keyed by the argument names,
the command's --X-skip-rows N), skip_rows= of Hierarchy, reconcile and the monitoring functions, and a plan's own
keys (read_plan's skip_rows; civicast.plan on a plan whose communities have a title).

Environment: CIV_LIBRARY, CIV_SOURCE_DIR, PYTHONPATH=python-bindings.
"""
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import civicast

SOURCE = Path(os.environ.get("CIV_SOURCE_DIR", Path(__file__).resolve().parents[2]))
DEMO = SOURCE / "datasets" / "demo_city"
SPEC = DEMO / "allocation.spec"
TITLE = "2025年各社区人口统计,,\n单位：人,,\n"


def _titled(tmp_path, src, name, head=TITLE):
    path = tmp_path / name
    text = src.read_text(encoding="utf-8-sig") if isinstance(src, Path) else src
    path.write_text(head + text, encoding="utf-8")
    return path


def _blank_last_year(tmp_path):
    """The demo communities with their last-year columns blank (taken from last year's file instead)."""
    comm = pd.read_csv(DEMO / "communities.csv", dtype={"unique_id": str})
    comm["last_year_funding"] = np.nan
    comm["last_year_migrant"] = np.nan
    path = tmp_path / "comm_blank.csv"
    comm.to_csv(path, index=False)
    return path


def test_allocate_each_input_its_own(tmp_path):
    """A titled communities file with last year's allocation as civicast wrote it: skip_rows=2 (every input)
    breaks last year's file; skip_rows={"communities": 2} reads both, as the files without the rows."""
    last = tmp_path / "last.csv"
    civicast.allocate(DEMO / "communities.csv", SPEC)[0].to_csv(last, index=False)
    plain = _blank_last_year(tmp_path)
    titled = _titled(tmp_path, plain, "comm_t.csv")
    want, _ = civicast.allocate(plain, SPEC, last_year=last)
    with pytest.raises(civicast.Error) as e:
        civicast.allocate(titled, SPEC, last_year=last, skip_rows=2)
    assert "last.csv" in str(e.value)
    got, _ = civicast.allocate(titled, SPEC, last_year=last, skip_rows={"communities": 2})
    pd.testing.assert_frame_equal(got, want)
    got, _ = civicast.allocate(titled, SPEC, last_year=last, skip_rows={"communities": 2, "last_year": 0})
    pd.testing.assert_frame_equal(got, want)
    with pytest.raises(civicast.Error) as e:
        civicast.allocate(titled, SPEC, skip_rows={"attributes": 2})
    assert "skip_rows names 'attributes'" in str(e.value) and "communities, forecasts, last_year, paid" in str(e.value)
    with pytest.raises(civicast.Error):
        civicast.allocate(titled, SPEC, skip_rows={"communities": -1})


def _small_hierarchy(tmp_path):
    months = pd.period_range("2023-01", periods=24, freq="M").to_timestamp()
    df = pd.concat([pd.DataFrame({"unique_id": u, "ds": months, "y": np.arange(24.0) + k})
                    for k, u in enumerate(["A", "B", "C"])])
    comm = "unique_id,district\nA,East\nB,East\nC,West\n"
    (tmp_path / "comm.csv").write_text(comm, encoding="utf-8")
    return df, tmp_path / "comm.csv", _titled(tmp_path, comm, "comm_t.csv", "各社区所属街道\n")


def test_hierarchy_and_reconcile_skip_rows(tmp_path):
    """Hierarchy(...) and civicast.reconcile read a communities file with a title with skip_rows=1, as the
    plain file (before 2026-12-07 they had no skip_rows=)."""
    df, plain, titled = _small_hierarchy(tmp_path)
    want = civicast.Hierarchy(df, plain, ["district"])
    with pytest.raises(civicast.Error) as e:
        civicast.Hierarchy(df, titled, ["district"])
    assert "skip_rows=1" in str(e.value)
    got = civicast.Hierarchy(df, titled, ["district"], skip_rows=1)
    pd.testing.assert_frame_equal(got.nodes, want.nodes)
    base = np.arange(float(want.n_nodes * 2)).reshape(want.n_nodes, 2)
    nodes, fc = civicast.reconcile(df, titled, base, ["district"], method="bu", skip_rows=1)
    nodes0, fc0 = civicast.reconcile(df, plain, base, ["district"], method="bu")
    pd.testing.assert_frame_equal(nodes, nodes0)
    np.testing.assert_array_equal(fc, fc0)


def test_monitoring_functions_skip_rows(tmp_path):
    """risk_matrix, inactivity_alerts, monitor and demand_check take skip_rows= (demand_check's per input)."""
    risks = _titled(tmp_path, DEMO / "risks.csv", "risks.csv", "风险登记表\n")
    with pytest.raises(civicast.Error) as e:
        civicast.risk_matrix(risks)
    assert "skip_rows=1" in str(e.value)
    for got, want in zip(civicast.risk_matrix(risks, skip_rows=1), civicast.risk_matrix(DEMO / "risks.csv")):
        pd.testing.assert_frame_equal(got, want)
    events = _titled(tmp_path, DEMO / "sensor_events.csv", "events.csv", "传感器事件\n单位：秒\n")
    pd.testing.assert_frame_equal(civicast.inactivity_alerts(events, skip_rows=2),
                                  civicast.inactivity_alerts(DEMO / "sensor_events.csv"))
    actuals = _titled(tmp_path, DEMO / "monitoring.csv", "act.csv", "监测数据\n")
    for got, want in zip(civicast.monitor(DEMO / "indicators.toml", actuals, skip_rows=1),
                         civicast.monitor(DEMO / "indicators.toml", DEMO / "monitoring.csv")):
        pd.testing.assert_frame_equal(got, want)
    months = pd.period_range("2024-01", periods=12, freq="M").to_timestamp()
    hist = pd.DataFrame({"unique_id": "A", "ds": months, "y": np.arange(12.0) + 10})
    fc = civicast.forecast(hist, h=2, model="naive")
    fc_path = tmp_path / "fc.csv"
    fc.to_csv(fc_path, index=False)
    act = "unique_id,ds,y\nA,2025-01-01,30\nA,2025-02-01,21\n"
    act_t = _titled(tmp_path, act, "act_t.csv", "实际用餐人次\n")
    (tmp_path / "act_p.csv").write_text(act, encoding="utf-8")
    want = civicast.demand_check(fc_path, tmp_path / "act_p.csv")
    got = civicast.demand_check(fc_path, act_t, skip_rows={"actuals": 1})
    pd.testing.assert_frame_equal(got, want)
    with pytest.raises(civicast.Error):
        civicast.demand_check(fc_path, act_t, skip_rows=1)  # the forecasts have no title
    with pytest.raises(civicast.Error) as e:
        civicast.demand_check(fc_path, act_t, skip_rows={"risks": 1})
    assert "forecasts, actuals" in str(e.value)


def test_plan_keys(tmp_path):
    """A plan's own keys: read_plan shows them; civicast.plan on titled communities with communities_skip_rows
    allocates as the plain plan; without the key the error names the key, not skip_rows=."""
    for f in (SOURCE / "tests" / "data" / "plan").iterdir():
        shutil.copy(f, tmp_path / f.name)
    _titled(tmp_path, SOURCE / "tests" / "data" / "plan" / "communities.csv", "communities.csv")
    plan_path = tmp_path / "plan.toml"
    with pytest.raises(civicast.Error) as e:
        civicast.plan(plan_path, draws=0)
    assert "[plan] communities_skip_rows = 2" in str(e.value) and e.value.line == 3
    text = plan_path.read_text(encoding="utf-8").replace('spec = "plan.spec"\n',
                                                         'spec = "plan.spec"\ncommunities_skip_rows = 2\n')
    plan_path.write_text(text, encoding="utf-8")
    assert civicast.read_plan(plan_path)["skip_rows"] == {"communities": 2}
    assert civicast.read_plan(SOURCE / "tests" / "data" / "plan" / "plan.toml")["skip_rows"] == {}
    got = civicast.plan(plan_path, draws=0)["allocation"]
    want = civicast.plan(SOURCE / "tests" / "data" / "plan" / "plan.toml", draws=0)["allocation"]
    pd.testing.assert_frame_equal(got, want)


def test_unit_names_each_input_its_own(tmp_path):
    """civicast.unit_names: the communities with a title read with skip_rows={"names": 2} name the same units as
    the plain file (the command's --names-skip-rows); an input it does not read is refused by name."""
    titled = _titled(tmp_path, DEMO / "communities.csv", "comm_t.csv")
    ind, act = DEMO / "indicators.toml", DEMO / "monitoring.csv"
    plain = civicast.unit_names(ind, act, DEMO / "communities.csv")
    assert len(plain) == 60
    pd.testing.assert_frame_equal(civicast.unit_names(ind, act, titled, skip_rows={"names": 2}), plain)
    with pytest.raises(civicast.Error, match="--skip-rows 2"):
        civicast.unit_names(ind, act, titled)
    with pytest.raises(civicast.InvalidArgument, match="not one of its file inputs"):
        civicast.unit_names(ind, act, titled, skip_rows={"communities": 2})
