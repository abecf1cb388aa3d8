"""test_host_locale.py -- the library gives the same results whatever locale its Python host sets
(core/c_locale.c; docs/ARCHITECTURE.md, "Text and the host's locale").

Python sets LC_CTYPE from the environment at start-up; a notebook that calls
locale.setlocale(locale.LC_ALL, "") (or a Qt application) sets LC_NUMERIC too.  A child Python here runs the
tiny plan of tests/data/plan (its model written in capitals, "SNAIVE"), forecasts with specs in capitals and
writes a panel as CSV for people (6 digits) and as .xlsx, once in the "C" locale and once under tr_TR (LANG:
'I' lowers to a dotless ı) with de_DE numbers (LC_NUMERIC: "0,5").  Every file written (CSV, the .xlsx
workbooks, report.html, the charts) must be the same byte for byte, manifest.json must be valid JSON with the
same keys, and the forecasts equal.  Before 2026-12-07 the second run failed ("plan.spec:...: malformed
number", "unknown model 'SNAIVE'"), and the writers silently wrote "91,7155" into CSV cells (a row one column
too long) and "<v>91,7155...</v>" into the workbook's cells.

The locales come from the `host_locales` CTest fixture (CIV_TEST_LOCPATH); run by hand, the test compiles
them itself with localedef (Debian package `locales`).

Environment (set by CTest): CIV_LIBRARY, CIV_SOURCE_DIR, CIV_TEST_LOCPATH, PYTHONPATH=python-bindings.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

SOURCE = Path(os.environ.get("CIV_SOURCE_DIR", Path(__file__).resolve().parents[2]))
PLAN_DIR = SOURCE / "tests" / "data" / "plan"

CHILD = r"""
import locale, os, sys
locale.setlocale(locale.LC_ALL, "")  # what a notebook does to get the user's own formats
import pandas as pd
import civicast
plan_path, out = sys.argv[1], sys.argv[2]
print(locale.localeconv()["decimal_point"], locale.setlocale(locale.LC_CTYPE))
civicast.plan(plan_path, out=os.path.join(out, "plan"), threads=2)
panel = pd.read_csv(os.path.join(os.path.dirname(plan_path), "meals.csv"))
fc = civicast.forecast(panel, h=6, model=["ARIMA(0,1,1)", "NAIVE", "THETA"], level=[80, 95])
fc.to_pickle(os.path.join(out, "forecast.pkl"))
thirds = panel.assign(y=panel["y"] / 3)  # numbers that the writers' printf path formats
civicast.write(thirds, os.path.join(out, "people.csv"), precision=6)
civicast.write(thirds, os.path.join(out, "panel.xlsx"))
"""


@pytest.fixture(scope="module")
def locpath(tmp_path_factory):
    """A folder holding de_DE.UTF-8 and tr_TR.UTF-8 (LOCPATH)."""
    given = os.environ.get("CIV_TEST_LOCPATH")
    if given and all((Path(given) / f"{name}.UTF-8" / "LC_NUMERIC").is_file() for name in ("de_DE", "tr_TR")):
        return given
    folder = tmp_path_factory.mktemp("locales")
    for name in ("de_DE", "tr_TR"):
        r = subprocess.run(["localedef", "-i", name, "-f", "UTF-8", str(folder / f"{name}.UTF-8")],
                           capture_output=True, text=True)
        if r.returncode != 0:
            pytest.fail(f"localedef could not compile {name}: {r.stderr.strip()} "
                        "(apt-get install locales; `make test` installs it)")
    return str(folder)


def run_child(plan_path, out, extra_env):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_") and k not in ("LANG", "LANGUAGE")}
    env.update(extra_env)
    r = subprocess.run([sys.executable, "-c", CHILD, str(plan_path), str(out)], env=env, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout.split("\n")[0]


def test_results_do_not_depend_on_the_hosts_locale(tmp_path, locpath):
    plan_dir = tmp_path / "plan_in"
    shutil.copytree(PLAN_DIR, plan_dir)
    toml = plan_dir / "plan.toml"
    text = toml.read_text(encoding="utf-8")
    assert 'model = "snaive"' in text
    toml.write_text(text.replace('model = "snaive"', 'model = "SNAIVE"'), encoding="utf-8")

    plain, hosted = tmp_path / "c", tmp_path / "tr_de"
    assert run_child(toml, plain, {"LANG": "C.UTF-8"}) == ". C.UTF-8"
    shown = run_child(toml, hosted, {"LOCPATH": locpath, "LANG": "tr_TR.UTF-8", "LC_NUMERIC": "de_DE.UTF-8"})
    assert shown == ", tr_TR.UTF-8"  # the child really ran under both locales

    files = sorted(p.relative_to(plain) for p in plain.rglob("*") if p.is_file())
    assert sorted(p.relative_to(hosted) for p in hosted.rglob("*") if p.is_file()) == files
    names = {p.name for p in files}
    assert {"forecasts.csv", "allocation.csv", "allocation.xlsx", "report.html", "manifest.json", "people.csv",
            "panel.xlsx"} <= names
    for rel in files:
        if rel.name == "manifest.json":  # run times and paths differ; it must still be JSON with the same keys
            a, b = (json.loads((d / rel).read_text(encoding="utf-8")) for d in (plain, hosted))
            assert sorted(a) == sorted(b)
        elif rel.suffix != ".pkl":
            assert (plain / rel).read_bytes() == (hosted / rel).read_bytes(), str(rel)
    a, b = pd.read_pickle(plain / "forecast.pkl"), pd.read_pickle(hosted / "forecast.pkl")
    assert sorted(a["model"].unique()) == ["ARIMA(0,1,1)", "Naive", "Theta"]
    pd.testing.assert_frame_equal(a, b)
