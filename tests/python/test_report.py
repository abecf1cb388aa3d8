"""test_report.py -- civicast.report writes the plan report from a plan's
output folder over civ_report_write, in both languages, and raises
civicast.Error for a folder that is not a plan's output."""
import json
import os
import subprocess
from pathlib import Path

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


def test_report_errors(tmp_path, plan_out):
    with pytest.raises(civicast.Error) as e:
        civicast.report(tmp_path / "nothing")
    assert e.value.status == "CIV_ERR_IO" and "allocation.csv" in str(e.value)
    with pytest.raises(ValueError):
        civicast.report(plan_out, lang="fr")
