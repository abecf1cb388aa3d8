"""test_plan.py -- civicast.read_plan / civicast.plan (civ_plan_read,
civ_plan_run, civ_plan_result_write), civicast.model_families and
civicast.restore_error.  The plan's tables are compared with the files the
command `civicast plan` writes for tests/data/plan/plan.toml.

Environment (set by CTest): CIV_LIBRARY, CIV_CLI (CLI comparisons are
skipped without it), CIV_SOURCE_DIR, PYTHONPATH=python-bindings.
"""
import ctypes
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import civicast

SOURCE = Path(os.environ.get("CIV_SOURCE_DIR", Path(__file__).resolve().parents[2]))
PLAN = SOURCE / "tests" / "data" / "plan" / "plan.toml"
CLI = os.environ.get("CIV_CLI")
needs_cli = pytest.mark.skipif(not CLI, reason="CIV_CLI (path to the civicast binary) is not set")
FILES = ["forecasts", "forecast_report", "uncertainty", "allocation", "allocation_summary", "need", "need_summary",
         "allocation_waterfall", "allocation_stages", "history", "forecast_totals"]


def plan_text_elsewhere(names=("meals.csv", "communities.csv", "plan.spec")):
    """The fixture plan's text with its input paths absolute, for a copy that lives elsewhere."""
    text = PLAN.read_text()
    for name in names:
        text = text.replace(f'"{name}"', f'"{PLAN.parent / name}"')
    return text


def test_read_plan_settings():
    s = civicast.read_plan(PLAN)
    folder = str(PLAN.parent)
    assert s["panel"] == f"{folder}/meals.csv"
    assert s["communities"] == f"{folder}/communities.csv"
    assert s["spec"] == f"{folder}/plan.spec"
    assert s["out"] is None
    assert (s["model"], s["horizon"], s["levels"], s["seed"]) == ("snaive", 24, [80.0, 95.0], 7)
    assert (s["draws"], s["uncertainty_seed"], s["threads"], s["has_need"]) == (200, 11, 0, False)
    assert s["intervals"] is None  # not set: the model's


def test_read_plan_warning(tmp_path):
    """read_plan gives the early warning the plan's [monitor] sets (civ_plan_warning): warn_horizon, the
    threshold as a probability ("80%" is 0.8) and warn_model; before, a notebook could not see them."""
    s = civicast.read_plan(PLAN)  # no [monitor]: no early warning, the default threshold
    assert (s["has_monitor"], s["warn_horizon"], s["threshold"]) == (False, 0, 0.5)
    demo = civicast.read_plan(SOURCE / "datasets" / "demo_city" / "plan.toml")
    assert (demo["has_monitor"], demo["warn_horizon"], demo["threshold"], demo["warn_model"]) == (True, 6, 0.5, "auto")
    mon = SOURCE / "datasets" / "demo_city"
    text = plan_text_elsewhere() + (f'\n[monitor]\nindicators = "{mon}/indicators.toml"\n'
                                    f'actuals = "{mon}/monitoring.csv"\nwarn_horizon = 3\nthreshold = "80%"\n'
                                    'warn_model = "naive"\n')
    (tmp_path / "m.toml").write_text(text)
    m = civicast.read_plan(tmp_path / "m.toml")
    assert (m["has_monitor"], m["warn_horizon"], m["threshold"], m["warn_model"]) == (True, 3, 0.8, "naive")
    (tmp_path / "m0.toml").write_text(text.replace('threshold = "80%"\n', ""))
    assert civicast.read_plan(tmp_path / "m0.toml")["threshold"] == 0.5


def test_read_plan_local_times(tmp_path):
    """[monitor] local_times and utc_offset_hours (civ_plan_event_times): the events' times without a zone read
    as local time, UTC + utc_offset_hours (8, Beijing, by default), as inactivity_alerts(local_times=True,
    utc_offset_hours=...); refused, naming the key, when not true or false, outside -14..14, or without events."""
    demo = civicast.read_plan(SOURCE / "datasets" / "demo_city" / "plan.toml")
    assert (demo["local_times"], demo["utc_offset_hours"]) == (False, 8.0)
    mon = SOURCE / "datasets" / "demo_city"
    text = plan_text_elsewhere() + f'\n[monitor]\nevents = "{mon}/sensor_events.csv"\nlocal_times = true\n'
    (tmp_path / "m.toml").write_text(text)
    m = civicast.read_plan(tmp_path / "m.toml")
    assert (m["local_times"], m["utc_offset_hours"]) == (True, 8.0)
    (tmp_path / "m5.toml").write_text(text + "utc_offset_hours = 5.5\n")
    assert civicast.read_plan(tmp_path / "m5.toml")["utc_offset_hours"] == 5.5
    (tmp_path / "bad.toml").write_text(text.replace("local_times = true", 'local_times = "yes"'))
    with pytest.raises(civicast.Error, match=r"\[monitor\] local_times: must be true \(event times written without a "
                                             r"zone are local time, UTC \+ utc_offset_hours\) or false"):
        civicast.read_plan(tmp_path / "bad.toml")
    (tmp_path / "bad2.toml").write_text(text + "utc_offset_hours = 15\n")
    with pytest.raises(civicast.Error, match=r"\[monitor\] utc_offset_hours: must be the hours .* -14 to 14"):
        civicast.read_plan(tmp_path / "bad2.toml")


def test_plan_conformal_intervals(tmp_path):
    """[forecast] intervals = "conformal" (and the intervals= override): the
    plan's forecasts are civicast.forecast's with conformal intervals on the
    same panel; the CLI's files equal the tables."""
    text = plan_text_elsewhere()
    conf = tmp_path / "conf.toml"
    conf.write_text(text.replace("[forecast]", '[forecast]\nintervals = "conformal"'))
    assert civicast.read_plan(conf)["intervals"] == "conformal"
    s = civicast.read_plan(PLAN)
    panel = pd.read_csv(s["panel"], dtype={"unique_id": str, "ds": str})
    # naive: the seasonal naive of the plan leaves these short series too few calibration windows
    want = civicast.forecast(panel, model="naive", h=s["horizon"], level=s["levels"], seed=s["seed"],
                             intervals="conformal")
    for tables in (civicast.plan(conf, draws=0, model="naive"),
                   civicast.plan(PLAN, draws=0, model="naive", intervals="conformal")):
        got = tables["forecasts"]
        for c in ("mean", "lo-80", "hi-80", "lo-95", "hi-95"):
            np.testing.assert_array_equal(got[c].to_numpy(), want[c].to_numpy())
    # the plan's own seasonal naive: too short for the calibration windows, and said so
    with pytest.warns(civicast.ForecastWarning, match="6 of 6 series kept the model's intervals"):
        st = civicast.plan(PLAN, draws=0, intervals="conformal")["allocation"].attrs["plan_stats"]
    assert st["n_uncalibrated"] == 6
    plain = civicast.plan(PLAN, draws=0, model="naive", intervals="model")["forecasts"]
    assert not np.array_equal(plain["hi-95"].to_numpy(), want["hi-95"].to_numpy())
    with pytest.raises(ValueError, match="intervals must be"):
        civicast.plan(PLAN, intervals="wide")
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace("[forecast]", '[forecast]\nintervals = "wide"'))
    with pytest.raises(civicast.Error) as e:
        civicast.read_plan(bad)
    assert e.value.field == "intervals" and 'must be "model" or "conformal"' in e.value.message
    if CLI:
        r = subprocess.run([CLI, "plan", str(PLAN), "--out", str(tmp_path / "cli"), "--draws", "0", "--model", "naive",
                            "--intervals", "conformal", "--no-excel", "--precision", "full"],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert "naive (conformal intervals), h = 24" in r.stdout  # the summary says which intervals
        files = pd.read_csv(tmp_path / "cli" / "forecasts.csv", float_precision="round_trip")
        np.testing.assert_array_equal(files["hi-95"].to_numpy(), want["hi-95"].to_numpy())
        assert '"intervals": "conformal"' in (tmp_path / "cli" / "manifest.json").read_text()
        page = (tmp_path / "cli" / "report.html").read_text(encoding="utf-8")
        assert "本次预测的区间经过校准" in page
        r = subprocess.run([CLI, "report", str(tmp_path / "cli"), "--lang", "en"], capture_output=True, text=True)
        page = (tmp_path / "cli" / "report.html").read_text(encoding="utf-8")  # re-rendered: from manifest.json
        assert r.returncode == 0 and "These intervals are calibrated" in page
        r = subprocess.run([CLI, "plan", str(PLAN), "--out", str(tmp_path / "sn"), "--draws", "0", "--intervals",
                            "conformal"], capture_output=True, text=True)
        assert r.returncode == 0 and "conformal: 6 communities kept the model's intervals" in r.stdout
        r = subprocess.run([CLI, "plan", str(PLAN), "--out", str(tmp_path / "x"), "--intervals", "wide"],
                           capture_output=True, text=True)
        assert r.returncode == 1 and "--intervals is model or conformal" in r.stderr


@pytest.mark.filterwarnings("ignore::civicast.ForecastWarning")  # short series: some steps keep the model's
def test_plan_conformal_settings(tmp_path):
    """[forecast] conformal_windows, conformal_step, conformal_sample,
    conformal_refit (and the same-named overrides, and the command's
    --conformal-*): read_plan reports them, the plan's forecasts are
    civicast.forecast's with the same settings, and the manifest records them."""
    text = plan_text_elsewhere()
    conf = tmp_path / "conf.toml"
    conf.write_text(text.replace("[forecast]", '[forecast]\nintervals = "conformal"\nconformal_windows = 3\n'
                                               'conformal_step = 2\nconformal_sample = 2\nconformal_refit = "fixed"'))
    s = civicast.read_plan(conf)
    keys = ("conformal_windows", "conformal_step", "conformal_sample", "conformal_refit")
    assert tuple(s[k] for k in keys) == (3, 2, 2, "fixed")
    d = civicast.read_plan(PLAN)
    assert (d["conformal_windows"], d["conformal_step"], d["conformal_sample"], d["conformal_refit"]) == (None,) * 4
    panel = pd.read_csv(s["panel"], dtype={"unique_id": str, "ds": str})
    kw = dict(model="ets", h=s["horizon"], level=s["levels"], seed=s["seed"], intervals="conformal")
    want = civicast.forecast(panel, conformal_windows=3, conformal_step=2, conformal_sample=2, conformal_refit="fixed",
                             **kw)
    other = civicast.forecast(panel, **kw)
    assert not np.array_equal(want["hi-80"].to_numpy(), other["hi-80"].to_numpy())
    for tables in (civicast.plan(conf, draws=0, model="ets"),
                   civicast.plan(PLAN, draws=0, model="ets", intervals="conformal", conformal_windows=3,
                                 conformal_step=2, conformal_sample=2, conformal_refit="fixed")):
        got = tables["forecasts"]
        for c in ("mean", "lo-80", "hi-80", "lo-95", "hi-95"):
            np.testing.assert_array_equal(got[c].to_numpy(), want[c].to_numpy())
    # overrides replace the file's settings one by one
    back = civicast.plan(conf, draws=0, model="ets", conformal_sample="all", conformal_windows=1,
                         conformal_step=1, conformal_refit="search")["forecasts"]
    one = civicast.forecast(panel, conformal_windows=1, **kw)
    np.testing.assert_array_equal(back["hi-80"].to_numpy(), one["hi-80"].to_numpy())
    with pytest.raises(ValueError, match="conformal_refit must be"):
        civicast.plan(conf, conformal_refit="exact")
    with pytest.raises(ValueError):
        civicast.plan(conf, conformal_windows=0)
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace("[forecast]", "[forecast]\nconformal_windows = 3"))
    with pytest.raises(civicast.Error) as e:
        civicast.read_plan(bad)
    assert e.value.field == "conformal_windows" and 'add intervals = "conformal"' in e.value.message
    if CLI:
        r = subprocess.run([CLI, "plan", str(PLAN), "--out", str(tmp_path / "cli"), "--draws", "0", "--model", "ets",
                            "--intervals", "conformal", "--conformal-windows", "3", "--conformal-step", "2",
                            "--conformal-sample", "2", "--conformal-refit", "fixed", "--no-excel", "--precision",
                            "full"], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        files = pd.read_csv(tmp_path / "cli" / "forecasts.csv", float_precision="round_trip")
        np.testing.assert_array_equal(files["hi-80"].to_numpy(), want["hi-80"].to_numpy())
        manifest = (tmp_path / "cli" / "manifest.json").read_text()
        assert '"conformal": {"windows": 3, "step": 2, "sample": 2, "refit": "fixed"}' in manifest
        r = subprocess.run([CLI, "plan", str(conf), "--out", str(tmp_path / "cli2"), "--draws", "0", "--model", "ets",
                            "--conformal-sample", "all"], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr  # the file's other settings stay
        assert '"conformal": {"windows": 3, "step": 2, "sample": "all", "refit": "fixed"}' in \
            (tmp_path / "cli2" / "manifest.json").read_text()
        r = subprocess.run([CLI, "plan", str(PLAN), "--out", str(tmp_path / "x"), "--conformal-windows", "0"],
                           capture_output=True, text=True)
        assert r.returncode == 1 and "--conformal-windows needs a whole number 1..1000" in r.stderr


def test_read_plan_errors_name_the_key(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[plan]\npanel = "a.csv"\ncommunities = "c.csv"\nspec = "s.spec"\ncolour = 1\n')
    with pytest.raises(civicast.Error) as e:
        civicast.read_plan(bad)
    assert e.value.status == "CIV_ERR_SPEC"
    assert (e.value.file, e.value.line, e.value.column, e.value.field) == (str(bad), 5, 1, "colour")
    assert "unknown key 'colour'" in e.value.message
    with pytest.raises(civicast.Error) as e:
        civicast.read_plan(tmp_path / "none.toml")
    assert e.value.status == "CIV_ERR_IO" and "cannot open the plan" in e.value.message


@needs_cli
def test_plan_tables_equal_the_command_files(tmp_path):
    cli_out, py_out, cli_full, py_full = tmp_path / "cli", tmp_path / "py", tmp_path / "cli_f", tmp_path / "py_f"
    for out, extra in ((cli_out, []), (cli_full, ["--no-excel", "--precision", "full"])):
        r = subprocess.run([CLI, "plan", str(PLAN), "--out", str(out), "--threads", "2", *extra],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
    stages = []
    tables = civicast.plan(PLAN, out=py_out, threads=1, progress=lambda s, d, t: stages.append((s, d, t)))
    assert sorted(tables) == sorted(FILES)  # the need comes from the spec's [need]
    civicast.plan(PLAN, out=py_full, threads=1, excel=False, precision="full")
    for name in tables:
        # the files written by the library call are the command's, byte for byte: for people by
        # default (a UTF-8 byte-order mark, rounded), and exact on request
        assert (py_out / f"{name}.csv").read_bytes() == (cli_out / f"{name}.csv").read_bytes(), name
        assert (cli_out / f"{name}.csv").read_bytes().startswith(b"\xef\xbb\xbf"), name
        assert (py_full / f"{name}.csv").read_bytes() == (cli_full / f"{name}.csv").read_bytes(), name
        # and the DataFrames hold what the exact files hold
        f = pd.read_csv(cli_full / f"{name}.csv", keep_default_na=False, na_values=[""], float_precision="round_trip")
        fs = pd.read_csv(cli_full / f"{name}.csv", dtype=str, keep_default_na=False)  # text as written
        df = tables[name]
        assert list(df.columns) == list(f.columns), name
        for c in df.columns:
            if df[c].dtype == object:  # text, including the exact *_yuan money columns ("126225.00")
                assert list(df[c].fillna("")) == list(fs[c]), (name, c)
            else:
                np.testing.assert_array_equal(df[c].to_numpy(float, na_value=np.nan), f[c].to_numpy(float),
                                              err_msg=f"{name}.{c}")  # na_value: counts Int64 with a gap
    st = tables["allocation"].attrs["plan_stats"]
    assert (st["n_series"], st["n_failed"], st["horizon"], st["n_draws"]) == (6, 0, 24, 200)
    assert st["alloc"]["allocated"] == tables["allocation"]["amount_fen"].sum() == 11_400_000
    assert [s for s, _, _ in stages if s not in ("forecast", "totals")] == ["allocation", "allocation", "uncertainty",
                                                                          "uncertainty", "need", "need"]
    assert ("forecast", 6, 6) in stages and ("uncertainty", 200, 200) in stages
    assert ("totals", 9, 9) in stages  # the district hierarchy: 6 communities, 2 districts and the city


def _backtest_plan(tmp_path, models='["snaive", "naive"]'):
    """The tiny plan with a [backtest] section (its inputs by absolute path)."""
    folder = PLAN.parent
    text = (f'[plan]\npanel = "{folder}/meals.csv"\ncommunities = "{folder}/communities.csv"\n'
            f'spec = "{folder}/plan.spec"\n[forecast]\nmodel = "snaive"\nhorizon = 24\nlevels = [80, 95]\n'
            f'[backtest]\nwindows = 2\nstep = 3\nh = 6\n' + (f"models = {models}\n" if models else ""))
    path = tmp_path / "bt.toml"
    path.write_text(text)
    return path


def test_plan_backtest_tables(tmp_path):
    path = _backtest_plan(tmp_path)
    assert civicast.read_plan(path)["has_backtest"] and not civicast.read_plan(PLAN)["has_backtest"]
    out = tmp_path / "out"
    stages = []
    tables = civicast.plan(path, out=out, threads=1, progress=lambda s, d, t: stages.append(s))
    assert stages[-1] == "backtest"
    cv, acc = tables["backtest"], tables["backtest_accuracy"]
    assert list(cv.columns) == ["unique_id", "cutoff", "ds", "h", "y", "model", "mean", "lo-80", "hi-80", "lo-95",
                                "hi-95"]
    assert len(cv) == 6 * 2 * 2 * 6 and set(cv["h"]) == set(range(1, 7))
    assert sorted(set(cv["cutoff"])) == ["2024-03", "2024-06"]  # 36 months to 2024-12: n - h - (K-1-k) * step
    assert list(acc["model"]) == ["SeasonalNaive", "Naive"]
    for col in ("MASE", "sMAPE", "RMSSE", "bias", "coverage-80", "coverage-95", "MSIS-95"):
        assert col in acc.columns, col
    assert (acc["failed"] == 0).all() and (acc["n"] == 6 * 2 * 6).all()
    # in civicast.backtest's dtypes: counts and steps int64
    assert [str(acc[c].dtype) for c in ("windows", "failed", "n")] == ["int64"] * 3 and cv["h"].dtype == np.int64
    # the accuracy is what the windows say: the seasonal naive's MAE from backtest.csv
    sn = cv[cv.model == "SeasonalNaive"]
    assert np.isclose((sn["mean"] - sn["y"]).abs().mean(), acc.loc[0, "MAE"])
    st = tables["allocation"].attrs["plan_stats"]
    assert (st["has_backtest"], st["backtest_models"], st["backtest_windows"], st["backtest_step"],
            st["backtest_horizon"], st["backtest_failed"]) == (1, 2, 2, 3, 6, 0)
    # why windows failed (none here): the struct's last fields read as the C library wrote them
    assert (st["backtest_no_data"], st["backtest_too_short"], st["backtest_short_min"],
            st["backtest_short_max"]) == (0, 0, 0, 0)
    # the written files are the tables (people's rounding: 6 significant digits)
    for name in ("backtest", "backtest_accuracy"):
        f = pd.read_csv(out / f"{name}.csv", encoding="utf-8-sig")
        assert list(f.columns) == list(tables[name].columns), name
        assert len(f) == len(tables[name]), name
    # without the section: neither table
    assert "backtest" not in civicast.plan(PLAN, draws=0) and "backtest_accuracy" not in civicast.plan(PLAN, draws=0)


def test_plan_backtest_errors_name_the_key(tmp_path):
    path = _backtest_plan(tmp_path, models='["snaive", "theta", "nope"]')
    with pytest.raises(civicast.Error) as e:
        civicast.read_plan(path)
    assert e.value.status == "CIV_ERR_SPEC" and e.value.field == "models" and e.value.line == 13
    assert "'nope' is not a model spec" in e.value.message


def test_plan_forecast_totals_bu(tmp_path):
    """forecast_totals by default (method "bu"): the district hierarchy's bottom-up paths, the means the sums of
    the communities' means, as read_plan, plan_stats and the command say; totals="sum" and a bad value; a
    community without a district falls back to the sum, with a ForecastWarning that says why."""
    assert civicast.read_plan(PLAN)["totals"] == "bu"
    tables = civicast.plan(PLAN, draws=0)
    t, fc = tables["forecast_totals"], tables["forecasts"]
    stats = tables["allocation"].attrs["plan_stats"]
    assert (t["method"] == "bu").all() and stats["totals_method"] == "bu" and stats["totals_note"] == ""
    assert list(t.drop_duplicates("unique_id")["unique_id"]) == ["total", "East", "West"]
    np.testing.assert_allclose(t[t["unique_id"] == "total"]["mean"].to_numpy(),
                               fc.groupby("h")["mean"].sum().to_numpy(), rtol=1e-9)
    assert (t["lo-95"] <= t["lo-80"]).all() and (t["lo-80"] < t["mean"]).all() and (t["hi-80"] <= t["hi-95"]).all()
    with pytest.raises(civicast.Error) as e:
        civicast.plan(PLAN, draws=0, totals="mint")
    assert e.value.status == "CIV_ERR_INVALID_ARGUMENT" and "totals" in e.value.message
    for name in ("meals.csv", "plan.spec", "plan.toml"):
        shutil.copy(PLAN.parent / name, tmp_path / name)
    comm = pd.read_csv(PLAN.parent / "communities.csv")
    comm.loc[comm["unique_id"] == "P05", "district"] = None
    comm.to_csv(tmp_path / "communities.csv", index=False)
    with pytest.warns(civicast.ForecastWarning, match=r"bottom-up could not be made: 1 community .*'P05'"):
        got = civicast.plan(tmp_path / "plan.toml", draws=0)
    assert (got["forecast_totals"]["method"] == "sum").all()
    assert "P05" in got["allocation"].attrs["plan_stats"]["totals_note"]


def test_plan_forecast_totals():
    """forecast_totals with totals="sum": the city's and each district's total, the sums of the communities'
    means and bounds, steps as int64 as in forecasts."""
    tables = civicast.plan(PLAN, draws=0, totals="sum")
    t, fc = tables["forecast_totals"], tables["forecasts"]
    assert list(t.columns) == ["level", "unique_id", "ds", "h", "method", "mean", "lo-80", "hi-80", "lo-95", "hi-95"]
    assert str(t["h"].dtype) == "int64" and (t["method"] == "sum").all()
    comm = pd.read_csv(PLAN.parent / "communities.csv")[["unique_id", "district"]]
    fc = fc.merge(comm, on="unique_id")
    cols = ["mean", "lo-80", "hi-80", "lo-95", "hi-95"]
    assert list(t.drop_duplicates("unique_id")["unique_id"]) == ["total", "East", "West"]
    assert list(t.drop_duplicates("unique_id")["level"]) == ["total", "district", "district"]
    for uid, part in [("total", fc)] + list(fc.groupby("district")):
        want = part.groupby("h")[cols].sum()
        got = t[t["unique_id"] == uid].set_index("h")[cols]
        np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-12, err_msg=uid)


def test_plan_overrides_and_without_draws():
    tables = civicast.plan(PLAN, draws=0, h=25, model="naive")
    assert "uncertainty" not in tables and "p5_fen" not in tables["allocation"].columns
    fc = tables["forecasts"]
    assert set(fc["h"]) == set(range(1, 26)) and set(fc["model"]) == {"Naive"}
    with pytest.raises(civicast.Error) as e:
        civicast.plan(PLAN, h=0)
    assert e.value.status == "CIV_ERR_INVALID_ARGUMENT"
    with pytest.raises(civicast.Error) as e:  # the need's stage: 2026 is not forecast
        civicast.plan(PLAN, h=12)
    assert e.value.status == "CIV_ERR_NOT_FOUND" and "forecast further ahead" in e.value.message


def test_model_families_match_the_command():
    fams = civicast.model_families()
    names = [f["family"] for f in fams]
    assert "ets" in names and len(set(names)) == len(names)
    assert all(f["summary"] and f["specs"] for f in fams)
    if CLI:
        out = subprocess.run([CLI, "forecast", "--list-models"], capture_output=True, text=True).stdout
        for f in fams:
            assert f"  {f['family']:<8} {f['summary']}\n           specs: {f['specs']}\n" in out


def test_restore_error_round_trip():
    err = civicast.Error("CIV_ERR_PARSE", "bad number 'x'", "a.csv", 3, 2, "S1", "y")
    back = civicast.restore_error(err)
    assert (back.status, back.message, back.file, back.line, back.column, back.series_id, back.field) == \
        ("CIV_ERR_PARSE", "bad number 'x'", "a.csv", 3, 2, "S1", "y")
    assert str(back) == "a.csv:3:2: bad number 'x' (series 'S1', field 'y')"
    with pytest.raises(civicast.Error) as e:
        civicast.restore_error(civicast.Error("CIV_OK", "nothing"))
    assert e.value.status == "CIV_ERR_INVALID_ARGUMENT"


@pytest.mark.skipif(not shutil.which("cc"), reason="no C compiler")
def test_plan_struct_layouts_match_the_header(tmp_path):
    from civicast import _lib
    structs = {s: [f for f, _ in getattr(_lib, s)._fields_] for s in ("civ_plan_stats", "civ_plan_run_options")}
    lines = ['#include <stdio.h>', '#include <stddef.h>', '#include "civicast.h"', "int main(void) {"]
    for s, fields in structs.items():
        lines.append(f'printf("{s} size %zu\\n", sizeof({s}));')
        lines += [f'printf("{s} {f} %zu\\n", offsetof({s}, {f}));' for f in fields]
    lines.append("return 0; }")
    (tmp_path / "layout.c").write_text("\n".join(lines))
    subprocess.run(["cc", "-std=c11", "-I", str(SOURCE / "engine" / "include"), str(tmp_path / "layout.c"), "-o",
                    str(tmp_path / "layout")], check=True)
    out = subprocess.run([str(tmp_path / "layout")], capture_output=True, text=True, check=True).stdout
    for line in filter(None, out.split("\n")):
        s, what, value = line.split()
        ct = getattr(_lib, s)
        assert (ctypes.sizeof(ct) if what == "size" else getattr(ct, what).offset) == int(value), (s, what)


def test_plan_own_column_names(tmp_path):
    """[plan] id_column, time_column, target_column (and the id_col=, ...
    overrides): a panel with a spreadsheet's own headers (communities keyed
    by the spec's [data] id) gives the plan of the standard ones; read_plan
    reports the names."""
    meals = pd.read_csv(PLAN.parent / "meals.csv", dtype=str)
    meals.rename(columns={"unique_id": "社区编号", "ds": "月份", "y": "用餐人次"}).to_csv(
        tmp_path / "meals.csv", index=False, encoding="utf-8-sig")
    comm = pd.read_csv(PLAN.parent / "communities.csv", dtype=str)
    comm.rename(columns={"unique_id": "社区编号"}).to_csv(tmp_path / "communities.csv", index=False)
    spec = (PLAN.parent / "plan.spec").read_text()
    (tmp_path / "plan.spec").write_text(spec.replace("[data]\n", '[data]\nid = "社区编号"\n', 1))
    text = PLAN.read_text()
    own = tmp_path / "own.toml"
    own.write_text(text.replace("[forecast]", 'id_column = "社区编号"\ntime_column = "月份"\n\n[forecast]'))
    s = civicast.read_plan(own)
    assert (s["id_column"], s["time_column"], s["target_column"]) == ("社区编号", "月份", None)
    assert civicast.read_plan(PLAN)["id_column"] is None
    with pytest.raises(civicast.Error) as e:  # y is still missing
        civicast.plan(own, draws=0)
    assert e.value.status == "CIV_ERR_MISSING_COLUMN" and e.value.field == "y"
    want = civicast.plan(PLAN, draws=0)
    got = civicast.plan(own, draws=0, target_col="用餐人次")
    for name in ("forecasts", "allocation", "need"):
        pd.testing.assert_frame_equal(got[name], want[name])
    with pytest.raises(ValueError, match="time_col must be a non-empty column name"):
        civicast.plan(own, time_col="")


def test_plan_wide_panel(tmp_path):
    """[plan] layout = "wide" (and layout= over it): a panel with a column per
    period gives the plan of the long one; read_plan reports it."""
    meals = pd.read_csv(PLAN.parent / "meals.csv", dtype={"unique_id": str, "ds": str})
    wide = meals.pivot(index="unique_id", columns="ds", values="y").reset_index()
    wide.to_csv(tmp_path / "meals.csv", index=False)
    text = plan_text_elsewhere(("communities.csv", "plan.spec"))
    conf = tmp_path / "wide.toml"
    conf.write_text(text.replace("[forecast]", 'layout = "wide"\n\n[forecast]'))
    assert civicast.read_plan(conf)["layout"] == "wide" and civicast.read_plan(PLAN)["layout"] == "long"
    want = civicast.plan(PLAN, draws=0)
    got = civicast.plan(conf, draws=0)
    for name in ("forecasts", "allocation"):
        pd.testing.assert_frame_equal(got[name], want[name])
    with pytest.raises(civicast.Error) as e:  # read long, the wide file says what it is
        civicast.plan(conf, draws=0, layout="long")
    assert e.value.status == "CIV_ERR_MISSING_COLUMN" and "wide" in str(e.value)


def test_plan_late_community_and_unknown_ids(tmp_path):
    """A community that stopped reporting is forecast over the plan's months
    (plan_stats n_late, late_periods; the command says so); a series that is
    no community is named before the forecast, with the likely cause."""
    meals = pd.read_csv(PLAN.parent / "meals.csv", dtype=str)
    late = meals[~((meals.unique_id == "P03") & (meals.ds >= "2024-10"))]
    late.to_csv(tmp_path / "meals.csv", index=False)
    text = PLAN.read_text().replace('communities = "communities.csv"',
                                    f'communities = "{PLAN.parent / "communities.csv"}"')
    text = text.replace('spec = "plan.spec"', f'spec = "{PLAN.parent / "plan.spec"}"')
    (tmp_path / "plan.toml").write_text(text)
    got = civicast.plan(tmp_path / "plan.toml", draws=0)
    st = got["allocation"].attrs["plan_stats"]
    assert (st["n_late"], st["late_periods"], st["horizon"]) == (1, 3, 24)
    fc = got["forecasts"]
    assert (fc.groupby("unique_id").ds.min() == "2025-01").all() and (fc.groupby("unique_id").h.max() == 24).all()
    run = subprocess.run([CLI, "plan", str(tmp_path / "plan.toml"), "--out", str(tmp_path / "out")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "1 community ends before the panel's last period (up to 3 periods behind)" in run.stdout
    import json
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert (manifest["results"]["late_series"], manifest["results"]["late_periods"]) == (1, 3)
    meals.replace({"unique_id": {"P02": "合计"}}).to_csv(tmp_path / "meals.csv", index=False)
    with pytest.raises(civicast.Error, match="total row") as e:
        civicast.plan(tmp_path / "plan.toml", draws=0)
    assert e.value.series_id == "合计" and e.value.file.endswith("meals.csv")


def test_plan_tables_have_the_dtypes_of_allocate_and_need():
    """civicast.plan's allocation and need tables come in the dtypes
    civicast.allocate and civicast.need give (amounts in fen as int64, yuan as
    numbers), and forecasts' h as int64."""
    t = civicast.plan(PLAN, draws=0)
    fc = t["forecasts"].copy()
    alloc, _ = civicast.allocate(PLAN.parent / "communities.csv", PLAN.parent / "plan.spec", forecasts=fc,
                                 explain="zh")
    for c in alloc.columns:
        assert t["allocation"][c].dtype == alloc[c].dtype, c
    need, need_summary = civicast.need(PLAN.parent / "plan.spec", fc)
    for got, want in ((t["need"], need), (t["need_summary"], need_summary)):
        for c in want.columns:
            assert got[c].dtype == want[c].dtype, c
    assert t["forecasts"]["h"].dtype == np.int64


def test_plan_lang_sets_the_explanations_and_the_report(tmp_path):
    """lang= is the command's --lang (civ_plan_set_lang): the allocation's explanations and report.html in
    English, where the plan says nothing (zh); a bad value is refused before the run."""
    assert civicast.read_plan(PLAN)["lang"] == "zh"
    zh = civicast.plan(PLAN, draws=0, model="naive")["allocation"]["explanation"]
    en = civicast.plan(PLAN, draws=0, model="naive", lang="en", out=tmp_path / "en")["allocation"]["explanation"]
    assert zh.str.contains("构成").all() and not en.str.contains("构成").any()
    assert en.str.contains("tilt").any()
    assert 'lang="en"' in (tmp_path / "en" / "report.html").read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="lang"):
        civicast.plan(PLAN, draws=0, lang="fr")
    if CLI:
        r = subprocess.run([CLI, "plan", str(PLAN), "--out", str(tmp_path / "cli"), "--model", "naive", "--draws",
                            "0", "--lang", "en", "--no-excel", "--precision", "full"], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        cli = pd.read_csv(tmp_path / "cli" / "allocation.csv", dtype=str, keep_default_na=False)
        assert list(cli["explanation"]) == list(en)


def test_plan_community_without_series(tmp_path):
    """A new estate in the communities table with no series in the panel yet:
    under if_missing = "zero" its demand counts 0, which the plan said
    nowhere; now plan_stats["n_no_series"], the command's forecast lines and
    the community's explanation say so."""
    for name in ("meals.csv", "plan.toml"):
        shutil.copy(PLAN.parent / name, tmp_path / name)
    comm = (PLAN.parent / "communities.csv").read_text()
    (tmp_path / "communities.csv").write_text(comm + "P07,West,800,300,0.375,0.1,0\n")
    spec = (PLAN.parent / "plan.spec").read_text().replace("horizon = 12\n", 'horizon = 12\nif_missing = "zero"\n', 1)
    spec = spec.replace("floor = 10_000.00", "floor = 5_000.00", 1)  # seven floors must fit the fund
    assert 'if_missing = "zero"' in spec and "floor = 5_000.00" in spec
    (tmp_path / "plan.spec").write_text(spec)
    with pytest.warns(civicast.ForecastWarning, match=r"1 of 7 communities has no forecast and counts as 0"):
        tables = civicast.plan(tmp_path / "plan.toml", draws=0)
    assert tables["allocation"].attrs["plan_stats"]["n_no_series"] == 1
    ex = tables["allocation"].set_index("unique_id")["explanation"]
    assert "（meal_demand：无预测，按 0 计）" in ex["P07"], ex["P07"]  # the plan writes in its lang, zh
    assert not ex.drop("P07").str.contains("无预测").any()
    if CLI:
        r = subprocess.run([CLI, "plan", str(tmp_path / "plan.toml"), "--out", str(tmp_path / "out"), "--draws", "0"],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert re.search(r"1 community of \S*communities\.csv has no series in \S*meals\.csv \(no data yet\): its "
                         r"forecast demand is what the spec's if_missing says", r.stdout), r.stdout
        manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
        assert manifest["results"]["no_series"] == 1
        assert "forecast demand        1 of 7 communities has no forecast and counts as 0" in r.stdout, r.stdout
        assert manifest["results"]["no_forecast"] == 1


def test_plan_counts_failed_fits_as_zero(tmp_path):
    """A community whose fit failed counts 0 under if_missing = "zero" as one without a series does: the plan
    said only "1 failed"; now plan_stats["n_no_forecast"] counts both and a ForecastWarning says so, as
    civicast.allocate's does."""
    for name in ("plan.toml", "communities.csv"):
        shutil.copy(PLAN.parent / name, tmp_path / name)
    meals = pd.read_csv(PLAN.parent / "meals.csv")
    meals.loc[meals["unique_id"] == "P06", "y"] = np.nan  # P06's fit fails: no observed value
    meals.to_csv(tmp_path / "meals.csv", index=False)
    spec = (PLAN.parent / "plan.spec").read_text().replace("horizon = 12\n", 'horizon = 12\nif_missing = "zero"\n', 1)
    (tmp_path / "plan.spec").write_text(spec)
    with pytest.raises(civicast.Error, match=r"'mean' is missing for community 'P06' \(did its forecast fail\? "
                       r"if_missing = \"zero\" in \[need\] counts it as 0\)"):
        civicast.plan(tmp_path / "plan.toml", draws=0)  # the need's own rule: its years hold P06's empty rows
    (tmp_path / "plan.spec").write_text(spec.replace("[need]\n", '[need]\nif_missing = "zero"\n', 1))
    with pytest.warns(civicast.ForecastWarning, match=r"1 of 6 communities has no forecast and counts as 0"):
        tables = civicast.plan(tmp_path / "plan.toml", draws=0)
    st = tables["allocation"].attrs["plan_stats"]
    assert (st["n_failed"], st["n_no_series"], st["n_no_forecast"]) == (1, 0, 1)


def test_plan_last_year(tmp_path):
    """plan(last_year=...) (civ_plan_set_last_year, as --last-year): last year's allocation with one community
    this year's table does not have (P99): the plan names it as closed in allocation_summary and
    allocation.attrs["closed"], and the amounts are those of the plan without it."""
    c = pd.read_csv(PLAN.parent / "communities.csv")
    ly = pd.DataFrame({"unique_id": list(c.unique_id) + ["P99"], "name": [""] * len(c) + ["旧港社区"],
                       "pool_main_fen": list((c.last_year_funding * 100).astype("int64")) + [777_00]})
    ly.to_csv(tmp_path / "ly.csv", index=False)
    plain = civicast.plan(PLAN, draws=0, model="naive")
    tables = civicast.plan(PLAN, draws=0, model="naive", last_year=tmp_path / "ly.csv")
    assert (tables["allocation"].amount_fen.to_numpy() == plain["allocation"].amount_fen.to_numpy()).all()
    closed = tables["allocation"].attrs["closed"]
    assert closed.unique_id.tolist() == ["P99"] and closed.last_year_fen.tolist() == [77_700]
    assert closed.name.tolist() == ["旧港社区"]
    s = tables["allocation_summary"]
    assert set(s[s.section == "closed"]["item"]) == {"P99"}
    assert "closed" not in set(plain["allocation_summary"].section)
    with pytest.raises(civicast.Error) as err:
        civicast.plan(PLAN, draws=0, model="naive", last_year=tmp_path / "missing.csv")
    assert "missing.csv" in str(err.value)


def _merged_variant(tmp_path):
    """The tiny plan with P01 and P02 merged into M12 from 2024-07 (their months still in the panel) and
    [data] predecessors naming them."""
    m = pd.read_csv(PLAN.parent / "meals.csv")
    late = (m.ds >= "2024-07") & m.unique_id.isin(["P01", "P02"])
    s = m[late].groupby("ds", as_index=False).y.sum().assign(unique_id="M12")[["unique_id", "ds", "y"]]
    pd.concat([m[~late], s]).to_csv(tmp_path / "meals.csv", index=False)
    c = pd.read_csv(PLAN.parent / "communities.csv")
    a, b = c[c.unique_id == "P01"].iloc[0], c[c.unique_id == "P02"].iloc[0]
    n = a.copy()
    n["unique_id"] = "M12"
    for k in ["population", "aged60", "last_year_funding"]:
        n[k] = a[k] + b[k]
    c = pd.concat([c[~c.unique_id.isin(["P01", "P02"])], n.to_frame().T], ignore_index=True)
    c["前身"] = ""
    c.loc[c.unique_id == "M12", "前身"] = "P01；P02"
    c.to_csv(tmp_path / "communities.csv", index=False)
    spec = (PLAN.parent / "plan.spec").read_text().replace("[data]\n", '[data]\npredecessors = "前身"\n', 1)
    (tmp_path / "plan.spec").write_text(spec)
    shutil.copy(PLAN, tmp_path / "plan.toml")
    return m, c


def test_plan_merged_community_history(tmp_path):
    """A merged community (M12 <- P01 + P02 from 2024-07) is forecast from its predecessors' summed history,
    not from its own six months (the plan refused P01's series before): its seasonal-naive demand for 2025
    is P01's + P02's 2024 meals; plan_stats, the explanation and civicast.join_predecessors agree."""
    m, c = _merged_variant(tmp_path)
    tables = civicast.plan(tmp_path / "plan.toml", draws=0)
    st = tables["allocation"].attrs["plan_stats"]
    assert (st["n_joined"], st["n_not_joined"], st["n_predecessor_series"]) == (1, 0, 2)
    ex = tables["allocation"].set_index("unique_id")["explanation"]
    assert "（需求历史接续自 P01+P02：30 个月 2022-01..2024-06）" in ex["M12"], ex["M12"]
    need = tables["need"]
    got = need[(need.year == 2025) & (need.unique_id == "M12")].demand.iloc[0]
    want = m[m.ds.str.startswith("2024") & m.unique_id.isin(["P01", "P02"])].y.sum()
    assert abs(got - want) < 1e-9, (got, want)
    # the panel the plan forecast, outside the plan: by the spec's columns, or by the column named
    panel, joins = civicast.join_predecessors(pd.read_csv(tmp_path / "meals.csv"), c, spec=tmp_path / "plan.spec")
    assert set(panel.unique_id) == {"P03", "P04", "P05", "P06", "M12"}
    m12 = panel[panel.unique_id == "M12"]
    assert len(m12) == 36 and m12.y.iloc[0] == m[(m.ds == "2022-01") & m.unique_id.isin(["P01", "P02"])].y.sum()
    assert joins[["unique_id", "predecessors", "status", "joined_periods"]].values.tolist() == \
        [["M12", "P01+P02", "joined", 30.0]]
    p2, _ = civicast.join_predecessors(pd.read_csv(tmp_path / "meals.csv"), tmp_path / "communities.csv",
                                       predecessors="前身")
    pd.testing.assert_frame_equal(p2, panel)
    with pytest.raises(ValueError):
        civicast.join_predecessors(panel, c)
    if CLI:
        r = subprocess.run([CLI, "plan", str(tmp_path / "plan.toml"), "--out", str(tmp_path / "out"), "--draws", "0"],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        a = pd.read_csv(tmp_path / "out" / "allocation.csv", dtype={"unique_id": str}).set_index("unique_id")
        assert (a.amount_fen == tables["allocation"].set_index("unique_id").amount_fen).all()
        manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
        assert (manifest["results"]["joined"], manifest["results"]["predecessor_series"]) == (1, 2)


def test_plan_split_keeps_own_months(tmp_path):
    """A split (P01 -> S1 + S2 from 2023-07, each naming P01) cannot be divided without a share: each part is
    forecast from its own months, P01's series is not forecast, and the explanations say why, in English and
    in Chinese."""
    m = pd.read_csv(PLAN.parent / "meals.csv")
    cut = (m.unique_id == "P01") & (m.ds >= "2023-07")
    s1 = m[cut].assign(unique_id="S1", y=m[cut].y / 2)
    pd.concat([m[~cut], s1, s1.assign(unique_id="S2")]).to_csv(tmp_path / "meals.csv", index=False)
    c = pd.read_csv(PLAN.parent / "communities.csv")
    a = c[c.unique_id == "P01"].iloc[0]
    parts = [a.copy() for _ in range(2)]
    for p, name in zip(parts, ["S1", "S2"]):
        p["unique_id"], p["last_year_funding"] = name, 6000
    c = pd.concat([c[c.unique_id != "P01"]] + [p.to_frame().T for p in parts], ignore_index=True)
    c["前身"] = ""
    c.loc[c.unique_id.isin(["S1", "S2"]), "前身"] = "P01"
    c.to_csv(tmp_path / "communities.csv", index=False)
    spec = (PLAN.parent / "plan.spec").read_text().replace("[data]\n", '[data]\npredecessors = "前身"\n', 1)
    (tmp_path / "plan.spec").write_text(spec.replace("floor = 10_000.00", "floor = 5_000.00", 1))
    shutil.copy(PLAN, tmp_path / "plan.toml")
    en = civicast.plan(tmp_path / "plan.toml", draws=0, lang="en")
    st = en["allocation"].attrs["plan_stats"]
    assert (st["n_joined"], st["n_not_joined"], st["n_predecessor_series"], st["n_series"]) == (0, 2, 1, 7)
    ex = en["allocation"].set_index("unique_id")["explanation"]
    assert ("(demand from its own months only: P01 is also a predecessor of another community (a split: no "
            "share to divide its months))") in ex["S2"], ex["S2"]
    zh = civicast.plan(tmp_path / "plan.toml", draws=0).get("allocation").set_index("unique_id")["explanation"]
    assert "（需求仅按本社区自有月份预测：P01 同时是其他社区的前身（拆分：无份额可分摊其历史））" in zh["S1"], zh["S1"]
    assert "P01" not in set(en["forecasts"].unique_id)


def test_plan_split_divided_by_shares(tmp_path):
    """A split with shares ([data] predecessor_shares): P01 -> S1 (0.6) + S2 (0.4), each with 3 months of its
    own from 2024-10, P01's months ending 2024-06.  Before, each part was forecast from its own 3 months; now
    each continues its share of P01's history (seasonal naive: the 2025 demand of S2 is 0.4 x P01's meals of
    2024-01..06 and its own 2024-10..12, none for 07..09), and the three missing months are warned about, by
    civicast.plan and civicast.join_predecessors, and counted in plan_stats and the joins table."""
    m = pd.read_csv(PLAN.parent / "meals.csv")
    p1 = m.unique_id == "P01"
    own = m[p1 & (m.ds >= "2024-10")]
    parts = [own.assign(unique_id=u, y=own.y * s) for u, s in (("S1", 0.6), ("S2", 0.4))]
    pd.concat([m[~p1 | (m.ds < "2024-07")]] + parts).to_csv(tmp_path / "meals.csv", index=False)
    c = pd.read_csv(PLAN.parent / "communities.csv")
    a = c[c.unique_id == "P01"].iloc[0]
    rows = []
    for uid, share in (("S1", "0.6"), ("S2", "0.4")):
        r = a.copy()
        r["unique_id"], r["前身"], r["份额"] = uid, "P01", share
        r["last_year_funding"] = a.last_year_funding * float(share)
        rows.append(r.to_frame().T)
    c = pd.concat([c[c.unique_id != "P01"]] + rows, ignore_index=True)
    c.to_csv(tmp_path / "communities.csv", index=False)
    spec = (PLAN.parent / "plan.spec").read_text().replace(
        "[data]\n", '[data]\npredecessors = "前身"\npredecessor_shares = "份额"\n', 1)
    (tmp_path / "plan.spec").write_text(spec.replace("floor = 10_000.00", "floor = 5_000.00", 1))
    shutil.copy(PLAN, tmp_path / "plan.toml")
    with pytest.warns(UserWarning, match=r"S1: 3 periods 2024-07..2024-09 missing"):
        tables = civicast.plan(tmp_path / "plan.toml", draws=0)
    st = tables["allocation"].attrs["plan_stats"]
    assert (st["n_joined"], st["n_joined_by_share"], st["n_join_gaps"], st["n_join_gap_periods"]) == (2, 2, 2, 6)
    j = tables["joins"]
    assert j[["unique_id", "shares", "gap_periods", "gap_from", "gap_to"]].values.tolist() == \
        [["S1", "0.6", 3, "2024-07", "2024-09"], ["S2", "0.4", 3, "2024-07", "2024-09"]]
    assert j.gap_periods.dtype == np.int64
    need = tables["need"]
    s1, s2 = (need[(need.year == 2025) & (need.unique_id == u)].demand.iloc[0] for u in ("S1", "S2"))
    p = m[p1].set_index("ds").y
    # each part's series is its share of the same months, so are its forecasts: 0.6 : 0.4
    assert abs(s1 / s2 - 1.5) < 1e-9
    assert s2 > 0.4 * p["2024-01":"2024-06"].sum()  # a year's meals, not its three months'
    ex = tables["allocation"].set_index("unique_id")["explanation"]
    want = "（需求历史接续自 P01（份额 0.4）：30 个月 2022-01..2024-06，2024-07..2024-09 共 3 个月"
    assert want in ex["S2"], ex["S2"]
    # outside the plan: the same panel, by the spec or by the columns named
    with pytest.warns(UserWarning, match="S2: 3 periods 2024-07..2024-09"):
        panel, joins = civicast.join_predecessors(pd.read_csv(tmp_path / "meals.csv"), c,
                                                  spec=tmp_path / "plan.spec")
    s2 = panel[panel.unique_id == "S2"]
    s2 = dict(zip(pd.to_datetime(s2.ds).dt.strftime("%Y-%m"), s2.y))
    assert abs(s2["2022-01"] - 0.4 * p["2022-01"]) < 1e-9 and np.isnan(s2.get("2024-08", np.nan))
    with pytest.warns(UserWarning):
        p2, _ = civicast.join_predecessors(pd.read_csv(tmp_path / "meals.csv"), tmp_path / "communities.csv",
                                           predecessors="前身", shares="份额")
    pd.testing.assert_frame_equal(p2, panel)
    bad = c.copy()
    bad.loc[bad.unique_id == "S2", "份额"] = "0.5"
    with pytest.raises(civicast.Error, match=r"'S1' 0.6, 'S2' 0.5 \(column '份额'\): their shares sum to 1.1"):
        civicast.join_predecessors(pd.read_csv(tmp_path / "meals.csv"), bad, predecessors="前身", shares="份额")
    with pytest.raises(ValueError):
        civicast.join_predecessors(panel, c, spec=tmp_path / "plan.spec", shares="份额")
