"""civicast.forecast_to_files (civ_forecast_panel_write, issue 18 item 9):
forecasts, report and fitted values written in chunks of series have the
same bytes as the CLI's files, for any chunk size and thread count; from a
DataFrame or from a panel file path; HDF5 too; an unwritable output raises
and leaves nothing behind."""
import os
import subprocess

import pandas as pd
import pytest

import civicast

SRC = os.environ.get("CIV_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
CLI = os.environ.get("CIV_CLI")
PANEL = os.path.join(SRC, "tests", "data", "plan", "meals.csv")


def _read(p):
    with open(p, "rb") as f:
        return f.read()


def _files(tmp_path, tag, ext="csv"):
    return [str(tmp_path / f"{tag}_{k}.{ext}") for k in ("fc", "rep", "fit")]


def test_same_bytes_any_chunk_and_threads(tmp_path):
    ref = _files(tmp_path, "ref")
    st = civicast.forecast_to_files(PANEL, ref[0], report=ref[1], fitted=ref[2], model="ets", h=6, threads=1)
    assert st["n_series"] == 6 and st["n_failed"] == 0
    assert sum(st["models"].values()) == 6
    df = civicast.read(PANEL)
    for chunk, threads in ((1, 2), (4, 3), (100, 1)):
        out = _files(tmp_path, f"c{chunk}")
        civicast.forecast_to_files(PANEL, out[0], report=out[1], fitted=out[2], model="ets", h=6,
                                   threads=threads, chunk=chunk)
        for a, b in zip(ref, out):
            assert _read(a) == _read(b), (a, b)
    # a DataFrame in: the same rows as forecast(..., report=True, fitted=True)
    fc, rep, fit = civicast.forecast(df, h=6, model="ets", report=True, fitted=True)
    civicast.forecast_to_files(df, ref[0], report=ref[1], fitted=ref[2], model="ets", h=6, chunk=4)
    got = pd.read_csv(ref[0], float_precision="round_trip")
    assert list(got.columns) == list(fc.columns) and len(got) == len(fc)
    assert (got["mean"].to_numpy() == fc["mean"].to_numpy()).all()
    assert list(pd.read_csv(ref[1]).columns) == list(rep.columns)
    assert len(pd.read_csv(ref[2])) == len(fit)


@pytest.mark.skipif(not CLI, reason="CIV_CLI not set")
def test_same_bytes_as_cli(tmp_path):
    ref = _files(tmp_path, "cli")
    subprocess.run([CLI, "forecast", PANEL, "--out", ref[0], "--report", ref[1], "--fitted", ref[2],
                    "--model", "theta", "--h", "5", "--chunk", "2", "-q"], check=True)
    out = _files(tmp_path, "py")
    civicast.forecast_to_files(PANEL, out[0], report=out[1], fitted=out[2], model="theta", h=5)
    for a, b in zip(ref, out):
        assert _read(a) == _read(b), (a, b)


def test_hdf5_and_errors(tmp_path):
    out = _files(tmp_path, "h", "h5")
    civicast.forecast_to_files(PANEL, out[0], report=out[1], model="naive", h=3, chunk=2)
    fc = civicast.read(out[0], "table")
    assert len(fc) == 6 * 3 and list(fc.columns)[:5] == ["unique_id", "ds", "h", "model", "mean"]
    assert not os.path.exists(out[2])
    bad = tmp_path / "sub"
    bad.mkdir()
    with pytest.raises(civicast.Error) as e:
        civicast.forecast_to_files(PANEL, str(bad / "fc.csv"), report=str(bad / "no" / "rep.csv"), model="naive")
    assert e.value.status == "CIV_ERR_IO" and "rep.csv" in (e.value.file or "")
    assert os.listdir(bad) == []
    with pytest.raises(TypeError):
        civicast.forecast_to_files(PANEL, str(bad / "fc.csv"), chunk=2.5)


def test_conformal_runs_whole(tmp_path):
    """Conformal intervals (calibrated over the whole panel) go through the
    whole-result path: the same values as forecast(intervals="conformal"),
    whatever chunk says, and not the model's intervals."""
    df = civicast.read(PANEL)
    kw = dict(model="naive", h=4, level=(80,), intervals="conformal", conformal_windows=3)
    a, b, m = (str(tmp_path / f"{t}.csv") for t in ("a", "b", "m"))
    civicast.forecast_to_files(PANEL, a, chunk=1, **kw)
    civicast.forecast_to_files(PANEL, b, **kw)
    assert _read(a) == _read(b)
    fc = civicast.forecast(df, **kw)
    got = pd.read_csv(a, float_precision="round_trip")
    assert (got["lo-80"].to_numpy() == fc["lo-80"].to_numpy()).all()
    civicast.forecast_to_files(PANEL, m, model="naive", h=4, level=(80,))
    assert _read(m) != _read(a)
    # the windows' spacing and the sample reach the same C call as forecast()'s
    kw2 = dict(kw, conformal_step=2, conformal_sample=1)
    civicast.forecast_to_files(PANEL, b, **kw2)
    got2 = pd.read_csv(b, float_precision="round_trip")
    assert (got2["hi-80"].to_numpy() == civicast.forecast(df, **kw2)["hi-80"].to_numpy()).all()
    assert _read(b) != _read(a)
    with pytest.raises(ValueError, match="intervals must be"):
        civicast.forecast_to_files(PANEL, m, intervals="bogus")
    # the report says per series how many (step, level) intervals stayed the model's
    r = str(tmp_path / "r.csv")
    with pytest.warns(civicast.ForecastWarning, match="report=True lists them"):
        stats = civicast.forecast_to_files(PANEL, a, report=r, chunk=1, **dict(kw, model="snaive", h=24))
    with pytest.warns(civicast.ForecastWarning):
        _, rep = civicast.forecast(df, report=True, **dict(kw, model="snaive", h=24))
    on_file = pd.read_csv(r)
    assert list(on_file.columns) == list(rep.columns) and rep.columns[-1] == "uncalibrated"
    assert (on_file["uncalibrated"].to_numpy() == rep["uncalibrated"].to_numpy()).all()
    assert stats["n_uncalibrated"] == int((rep["uncalibrated"] > 0).sum()) > 0
    _, plain = civicast.forecast(df, report=True, model="naive", h=4, level=(80,))
    assert "uncalibrated" not in plain.columns
