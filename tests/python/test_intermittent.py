"""test_intermittent.py -- intermittent demand from Python: the model specs,
civicast.classify_demand (civ_demand_classify), integer=True
(civ_forecast_options.integer_bounds), `auto` routing, equality with the CLI,
and the pilot districts of the demo city (the township is intermittent and
forecast by TSB under auto).

Environment as test_bindings.py (CIV_LIBRARY, CIV_CLI, CIV_SOURCE_DIR).
"""
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import civicast

SOURCE = Path(os.environ.get("CIV_SOURCE_DIR", Path(__file__).resolve().parents[2]))
DEMO = SOURCE / "datasets" / "demo_city"
CLI = os.environ.get("CIV_CLI")
pytestmark = pytest.mark.filterwarnings("ignore::civicast.ForecastWarning")


def _panel():
    ds = [f"{2021 + m // 12}-{m % 12 + 1:02d}" for m in range(36)]
    rare = [((m % 4) + 1) if (m * 7) % 5 == 0 else 0 for m in range(36)]
    steady = [40 + (m * 13) % 9 for m in range(36)]
    return pd.DataFrame({"unique_id": ["rare"] * 36 + ["steady"] * 36, "ds": ds * 2,
                         "y": np.array(rare + steady, dtype=float)})


def test_classify_demand_matches_the_definition():
    df = _panel()
    c = civicast.classify_demand(df).set_index("unique_id")
    y = df[df.unique_id == "rare"].y.to_numpy()
    nz = np.flatnonzero(y > 0)
    adi = (len(y) - nz[0]) / len(nz)
    sizes = y[nz]
    assert c.loc["rare", "adi"] == pytest.approx(adi, rel=1e-15)
    assert c.loc["rare", "cv2"] == pytest.approx(sizes.var(ddof=1) / sizes.mean() ** 2, rel=1e-13)
    assert c.loc["rare", "demand_class"] == ("intermittent" if sizes.var(ddof=1) / sizes.mean() ** 2 < 0.49
                                             else "lumpy")
    assert c.loc["steady", "demand_class"] == "smooth" and c.loc["steady", "n"] == 36


def test_auto_routes_and_integer_bounds():
    df = _panel()
    fc, rep = civicast.forecast(df, h=4, report=True, integer=True)
    rep = rep.set_index("unique_id")
    assert rep.loc["rare", "model"] == "TSB" and rep.loc["rare", "demand_class"] in ("intermittent", "lumpy")
    assert rep.loc["steady", "model"].startswith("ComboMedian[")
    assert {"adi", "cv2", "demand_class"} <= set(rep.columns)
    bounds = fc[["lo-80", "hi-80", "lo-95", "hi-95"]].to_numpy()
    assert (bounds == np.round(bounds)).all() and (bounds >= 0).all()
    plain = civicast.forecast(df, h=4)
    assert (fc["mean"].to_numpy() == plain["mean"].to_numpy()).all()
    assert (fc["lo-80"] <= plain["lo-80"]).all() and (fc["hi-80"] >= plain["hi-80"]).all()
    # smooth series: auto is the median of its five members, bit for bit
    combo = civicast.forecast(df, h=4, model="combo(median,ets,arima,theta,damped,dotm)")
    s = plain.unique_id == "steady"
    assert plain[s].drop(columns="model").equals(combo[s].drop(columns="model"))


@pytest.mark.parametrize("spec", ["croston", "sba(alpha=0.2)", "tsb(alpha=0.2,beta=0.05)", "adida(k=3)", "imapa"])
def test_specs_give_nonnegative_flat_forecasts(spec):
    fc = civicast.forecast(_panel(), h=3, model=spec)
    r = fc[fc.unique_id == "rare"]
    assert r["mean"].nunique() == 1 and (r[["mean", "lo-95", "hi-95"]] >= 0).all().all()


def test_bad_spec_is_an_error():
    with pytest.raises(civicast.Error, match="smoothing parameters"):
        civicast.forecast(_panel(), model="croston(alpha=3)")


@pytest.mark.skipif(not CLI, reason="CIV_CLI is not set")
def test_cli_and_python_agree(tmp_path):
    df = _panel()
    df.to_csv(tmp_path / "p.csv", index=False)
    subprocess.run([CLI, "forecast", str(tmp_path / "p.csv"), "--h", "4", "--integer", "--quiet",
                    "--out", str(tmp_path / "f.csv"), "--report", str(tmp_path / "r.csv")], check=True)
    cli = pd.read_csv(tmp_path / "f.csv", float_precision="round_trip")
    py = civicast.forecast(df, h=4, integer=True)
    for c in ["mean", "lo-80", "hi-80", "lo-95", "hi-95"]:
        assert (cli[c].to_numpy() == py[c].to_numpy()).all(), c
    rep = pd.read_csv(tmp_path / "r.csv", keep_default_na=False)
    assert list(rep.demand_class) == list(civicast.classify_demand(df).demand_class)


def test_demo_township_is_intermittent_and_goes_to_tsb():
    meals = pd.read_csv(DEMO / "meals.csv")
    comm = pd.read_csv(DEMO / "communities.csv", keep_default_na=False)
    pilots = comm[comm.pilot != ""]
    assert set(pilots.pilot) == {"aging_new_district", "migrant_industrial_zone", "hollowed_township"}
    town = set(pilots[pilots.pilot == "hollowed_township"].unique_id)
    obs = meals[meals.unique_id.isin(town) & meals.y.notna()][["unique_id", "ds", "y"]]
    cls = civicast.classify_demand(obs)
    inter = cls[cls.demand_class.isin(["intermittent", "lumpy", "none"])]
    assert len(inter) >= len(town) // 2
    fc, rep = civicast.forecast(obs, h=12, report=True, integer=True)
    assert (rep.set_index("unique_id").loc[list(inter.unique_id), "model"] == "TSB").all()
    assert (fc[["mean", "lo-95", "hi-95"]] >= 0).all().all()
    # declining counts: the township served fewer meals in 2024 than in 2019
    year = obs.ds.str[:4]
    assert obs[year == "2024"].y.sum() < obs[year == "2019"].y.sum()
