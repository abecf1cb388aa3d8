"""test_transactions.py -- civicast.plan(out=...) writes the same complete
folder as `civicast plan` through the same C call (civ_plan_result_write_opts:
the tables, report.html, charts/ and manifest.json, published as a whole),
refuses an output that is one of its inputs (civ_paths_check, in
civ_plan_run) and leaves the previous folder whole when a stage fails.

Environment (set by CTest): CIV_LIBRARY, CIV_CLI (the comparison with the
command is skipped without it), CIV_SOURCE_DIR, PYTHONPATH=python-bindings.
"""
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import civicast

SOURCE = Path(os.environ.get("CIV_SOURCE_DIR", Path(__file__).resolve().parents[2]))
PLAN = SOURCE / "tests" / "data" / "plan" / "plan.toml"
CLI = os.environ.get("CIV_CLI")


def _files(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def _sha(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_plan_out_writes_the_whole_folder_with_a_manifest(tmp_path):
    out = tmp_path / "out"
    civicast.plan(PLAN, out=out, threads=1)
    files = _files(out)
    assert {"forecasts.csv", "allocation.csv", "report.html", "manifest.json"} <= set(files)
    assert any(name.startswith("charts/") for name in files)
    m = json.loads(files["manifest.json"])
    assert m["civicast_version"] and m["spec_version"] and m["options"]["model"] == "snaive"
    inputs = {i["role"]: i for i in m["inputs"]}
    for role in ("plan", "panel", "communities", "spec"):
        assert inputs[role]["sha256"] == _sha(inputs[role]["path"]), role
    assert m["threads"] == 1 and m["seeds"]["forecast"] == 7 and m["seeds"]["uncertainty"] == 11
    written = {f["name"]: f["sha256"] for f in m["files"]}
    for name, sha in written.items():
        assert _sha(out / name) == sha, name
    assert not [p for p in tmp_path.iterdir() if ".staging." in p.name]


@pytest.mark.skipif(not CLI, reason="CIV_CLI (path to the civicast binary) is not set")
def test_plan_out_equals_the_command_folder(tmp_path):
    civicast.plan(PLAN, out=tmp_path / "py", threads=1)
    r = subprocess.run([CLI, "plan", str(PLAN), "--out", str(tmp_path / "cli"), "--threads", "1"],
                       capture_output=True, text=True)
    assert r.returncode in (0, 6), r.stderr
    py, cli = _files(tmp_path / "py"), _files(tmp_path / "cli")
    assert set(py) == set(cli)
    for name in py:
        if name != "manifest.json":  # its creation time and stage seconds differ
            assert py[name] == cli[name], name


def test_plan_refuses_an_output_that_is_an_input(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(PLAN.parent, data)
    (data / "meals.csv").rename(data / "forecasts.csv")
    text = (data / "plan.toml").read_text()
    (data / "plan.toml").write_text(text.replace('panel = "meals.csv"', 'panel = "forecasts.csv"'))
    before = _sha(data / "forecasts.csv")
    with pytest.raises(civicast.Error, match="same file"):
        civicast.plan(data / "plan.toml", out=data)
    assert _sha(data / "forecasts.csv") == before


def test_a_failing_plan_leaves_the_previous_folder(tmp_path):
    out = tmp_path / "out"
    civicast.plan(PLAN, out=out, threads=1)
    before = _files(out)
    bad = tmp_path / "bad"
    shutil.copytree(PLAN.parent, bad)
    (bad / "plan.spec").unlink()
    with pytest.raises(civicast.Error):
        civicast.plan(bad / "plan.toml", out=out)
    with pytest.raises(civicast.Error):
        civicast.plan(PLAN, out=out, h=1)  # shorter than the demand factor needs
    assert _files(out) == before
    assert not [p for p in tmp_path.iterdir() if ".staging." in p.name]
