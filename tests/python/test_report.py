"""test_report.py -- civicast.report writes the plan report from a plan's
output folder over civ_report_write, in both languages, and raises
civicast.Error for a folder that is not a plan's output."""
import json
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import civicast

SOURCE = Path(os.environ.get("CIV_SOURCE_DIR", Path(__file__).resolve().parents[2]))
CLI = os.environ.get("CIV_CLI")


@pytest.fixture(scope="module")
def plan_out(tmp_path_factory):
    if not CLI:
        pytest.skip("CIV_CLI not set")
    out = tmp_path_factory.mktemp("plan")
    r = subprocess.run([CLI, "plan", str(SOURCE / "datasets/demo_city/plan.toml"), "--out", str(out),
                        "--model", "snaive", "--draws", "50"], capture_output=True, text=True)
    assert r.returncode in (0, 6), r.stderr
    return out


def test_report_both_languages(plan_out):
    for lang, word in (("zh", "分配"), ("en", "Allocation")):
        path = civicast.report(plan_out, lang=lang)
        assert path == os.path.join(str(plan_out), "report.html")
        html = Path(path).read_text(encoding="utf-8")
        assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in html and word in html
        assert "vegaEmbed" in html and "<script src" not in html
    spec = json.loads((plan_out / "charts" / "allocation_districts.vl.json").read_text(encoding="utf-8"))
    assert spec["$schema"].endswith("vega-lite/v5.json") and spec["data"]["values"]
    assert civicast.report(plan_out, title="Test title").endswith("report.html")
    assert "<title>Test title</title>" in Path(plan_out / "report.html").read_text(encoding="utf-8")


def test_report_conformal_intervals(plan_out):
    """intervals="conformal" names the calibration in the demand and backtest
    sections (the plan's own report does so when its [forecast] intervals say
    conformal); the CLI's --intervals is the same call."""
    def page():
        return Path(plan_out / "report.html").read_text(encoding="utf-8")
    civicast.report(plan_out)  # its manifest.json says "model"
    assert "保形区间" not in page() and "校准后区间" not in page()
    civicast.report(plan_out, intervals="conformal")
    assert "本次预测的区间经过校准（保形区间）" in page() and "校准后区间的实际表现" in page()
    civicast.report(plan_out, lang="en", intervals="conformal")
    assert "These intervals are calibrated" in page() and "how the calibrated intervals actually did" in page()
    r = subprocess.run([CLI, "report", str(plan_out), "--intervals", "conformal"], capture_output=True, text=True)
    assert r.returncode == 0 and "本次预测的区间经过校准" in page()
    r = subprocess.run([CLI, "report", str(plan_out), "--intervals", "wide"], capture_output=True, text=True)
    assert r.returncode == 1 and "--intervals is model or conformal" in r.stderr
    with pytest.raises(ValueError):
        civicast.report(plan_out, intervals="wide")
    civicast.report(plan_out)


def test_report_demand_unit(plan_out):
    """The demand axes carry the series' unit: the plan's [forecast] unit (the
    demo's 人次), recorded in manifest.json for a re-render; unit= and the
    CLI's --unit are the same call."""
    def title():
        spec = json.loads((plan_out / "charts" / "demand_city.vl.json").read_text(encoding="utf-8"))
        return json.dumps(spec, ensure_ascii=False)
    manifest = json.loads((plan_out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["options"]["demand_unit"] == "人次"
    civicast.report(plan_out)
    assert "需求（人次/月）" in title() and "需求（每月" not in title()
    civicast.report(plan_out, lang="en", unit="visits")
    assert "Demand (visits per month)" in title()
    r = subprocess.run([CLI, "report", str(plan_out), "--unit", "份"], capture_output=True, text=True)
    assert r.returncode == 0 and "需求（份/月）" in title()
    civicast.report(plan_out)


def test_report_errors(tmp_path, plan_out):
    with pytest.raises(civicast.Error) as e:
        civicast.report(tmp_path / "nothing")
    assert e.value.status == "CIV_ERR_IO" and "allocation.csv" in str(e.value)
    with pytest.raises(ValueError):
        civicast.report(plan_out, lang="fr")


def test_report_currency_without_manifest(tmp_path):
    """A folder assembled by hand of an allocation in USD, without manifest.json: refused (it was read as CNY,
    万元, exit 0); currency="USD" reads it in cents, the minor unit from amount_minor / amount_major."""
    demo = SOURCE / "datasets/demo_city"
    spec = (demo / "allocation.spec").read_text(encoding="utf-8").replace('currency = "CNY"', 'currency = "USD"')
    comm = pd.read_csv(demo / "communities.csv", dtype={"unique_id": str})
    alloc, summary = civicast.allocate(comm, spec)
    alloc.to_csv(tmp_path / "allocation.csv", index=False)
    summary.to_csv(tmp_path / "allocation_summary.csv", index=False)
    with pytest.raises(civicast.Error, match=r"amounts are in the minor and major units of a currency other than "
                                             r"CNY's fen and yuan \(column 'amount_minor'\)") as e:
        civicast.report(tmp_path)
    assert e.value.status == "CIV_ERR_DOMAIN"
    page = Path(civicast.report(tmp_path, currency="USD")).read_text(encoding="utf-8")
    assert "16,600.0 万美元" in page and "万元" not in page
    with pytest.raises(civicast.Error, match="but the minor unit is given as 1000"):
        civicast.report(tmp_path, currency="USD", minor_unit=1000)
    with pytest.raises(ValueError, match="minor_unit goes with currency="):
        civicast.report(tmp_path, minor_unit=100)


def test_plan_folder_is_enough_for_the_report(plan_out):
    """The per-capita, per-aged and history figures come from the folder
    alone: allocation.csv carries population and aged ([data] of the spec),
    history.csv the actuals the fan charts draw before the forecasts."""
    import pandas as pd
    civicast.report(plan_out, lang="en")
    alloc = pd.read_csv(plan_out / "allocation.csv", encoding="utf-8-sig", dtype={"unique_id": str})
    assert {"population", "aged"} <= set(alloc.columns)
    spec = json.loads((plan_out / "charts" / "allocation_districts.vl.json").read_text(encoding="utf-8"))
    rows = {r["name"]: r for r in spec["data"]["values"]}
    for name, g in alloc.groupby("district", sort=False):
        yuan = g["amount_fen"].sum() / 100
        assert rows[name]["per_capita"] == pytest.approx(yuan / g["population"].sum(), abs=0.006)
        assert rows[name]["per_aged"] == pytest.approx(yuan / g["aged"].sum(), abs=0.006)
    hist = pd.read_csv(plan_out / "history.csv", encoding="utf-8-sig", dtype={"unique_id": str})
    assert list(hist.columns) == ["unique_id", "ds", "y"] and hist["unique_id"].nunique() == len(alloc)
    fan = json.loads((plan_out / "charts" / "fan_allocation.vl.json").read_text(encoding="utf-8"))
    actual = [r for r in fan["data"]["values"] if "actual" in r]
    forecast = [r for r in fan["data"]["values"] if "mean" in r]
    assert actual and forecast and max(r["ds"] for r in actual) < min(r["ds"] for r in forecast)
    html = (plan_out / "report.html").read_text(encoding="utf-8")
    # the demo plan's [backtest] (snaive under --model snaive): the section says what was backtested
    assert "Backtest: not run." not in html and (plan_out / "charts" / "backtest_accuracy.vl.json").exists()
    assert ("each of the 1,146 series was forecast again from 3 earlier cutoffs (the earliest 2022-12, the latest "
            "2023-12), 12 periods ahead each time") in html
    # the coverage judged against its level by the stated rule; the header of n is readable
    assert "By that rule (within 5 points of the nominal level is about right)" in html
    assert '<th title="n">Points compared</th>' in html
    assert "so below 1 beats that simple rule" in html
    assert (plan_out / "charts" / "monitoring_risk_matrix.vl.json").exists()


def test_chinese_page_spacing(plan_out):
    """The Chinese page's text (its sentences, headings, tables and every
    chart's spec) has no ASCII space beside a full-width mark, none between
    two Chinese characters and no ASCII bracket after a Chinese word: a
    model's name ending in ） before 的 or a number ('自动组合（默认） 的',
    '（自动组合（默认） 40,108，'), axis titles as '金额 (万元)' and
    '缺口（正为不足） (万元)' where the tables write '人均（元）'; the
    allocation table's explanation cells, written by the engine, too
    ('老龄化 倾斜 ×1.2', '不符合 流动人口服务 的条件' before 2026-12-06)."""
    import re
    import html as html_mod
    civicast.report(plan_out, lang="zh")
    page = Path(plan_out / "report.html").read_text(encoding="utf-8")
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", page, flags=re.S)
    texts = [("report.html", html_mod.unescape(re.sub(r"<[^>]+>", "\n", body)))]
    for spec in sorted((plan_out / "charts").glob("*.vl.json")):
        texts.append((spec.name, spec.read_text(encoding="utf-8")))
    marks = "（）：；，。、“”‘’《》【】！？"
    bad = re.compile(r".{0,12}(?: [%s]|[%s] |[\u4e00-\u9fff] \(|[\u4e00-\u9fff] [\u4e00-\u9fff]).{0,12}"
                     % (marks, marks))
    found = [(name, m.group(0)) for name, text in texts for m in bad.finditer(text)]
    assert not found, found[:10]
    assert "老龄化倾斜 ×1.2" in texts[0][1] and "不符合流动人口服务的条件" in texts[0][1]


def test_report_of_a_monitor_folder(tmp_path):
    """A folder `civicast monitor --out` wrote, with no allocation, is the monitoring report (it raised
    CIV_ERR_IO, allocation.csv not found, before 2026-12-07); a folder with neither raises, naming what it needs."""
    if not CLI:
        pytest.skip("CIV_CLI not set")
    demo = SOURCE / "datasets/demo_city"
    out = tmp_path / "month"
    r = subprocess.run([CLI, "monitor", str(demo / "indicators.toml"), str(demo / "monitoring.csv"),
                        "--risks", str(demo / "risks.csv"), "--events", str(demo / "sensor_events.csv"),
                        "--out", str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    page = Path(civicast.report(out)).read_text(encoding="utf-8")
    assert "<title>社区服务监测报告</title>" in page and "<tr><td>监测期</td><td class=\"n\">2024-12</td></tr>" in page
    assert "<tr><td>本次监测的当地时间</td><td class=\"n\">UTC + 8 小时（北京时间）</td></tr>" in page
    assert 'id="allocation"' not in page and 'id="demand"' not in page and "<h3>预警明细</h3>" in page
    page = Path(civicast.report(out, lang="en")).read_text(encoding="utf-8")
    assert "This is a monitoring report" in page and "<h3>Risk matrix</h3>" in page
    assert "<td>D05-S03</td>" in page and "铜锣街道" not in page  # no names given: the codes, nothing fails
    # the units' names (civ_monitor_unit_names) from the demo's communities, saved as the folder's units.csv as
    # `monitor --names` writes it: the page names the streets (before 2026-12-07: codes only)
    names = civicast.unit_names(demo / "indicators.toml", demo / "monitoring.csv",
                                pd.read_csv(demo / "communities.csv"))
    assert list(names.columns) == ["scope", "unit", "name"] and len(names) == 60
    assert names.set_index("unit").name["D05-S03"] == "铜锣街道" and set(names.scope) == {"street"}
    names.to_csv(out / "units.csv", index=False)
    page = Path(civicast.report(out, lang="en")).read_text(encoding="utf-8")
    assert "<td>铜锣街道 (D05-S03)</td>" in page
    with pytest.raises(civicast.Error, match=r"the units' names need either the columns 'street'") as e:
        civicast.unit_names(demo / "indicators.toml", demo / "monitoring.csv", pd.DataFrame({"code": ["D05-S03"]}))
    assert e.value.status == "CIV_ERR_MISSING_COLUMN"
    (tmp_path / "inputs").mkdir()
    (tmp_path / "inputs" / "monitoring.csv").write_bytes((demo / "monitoring.csv").read_bytes())
    with pytest.raises(civicast.Error, match=r"nothing to report: the folder has neither a plan's allocation "
                                             r"\(allocation.csv .* nor a monitoring's tables \(alerts.csv") as e:
        civicast.report(tmp_path / "inputs")
    assert e.value.status == "CIV_ERR_IO" and not (tmp_path / "inputs" / "report.html").exists()
