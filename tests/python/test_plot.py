"""test_plot.py -- civicast.plot (history + fan charts) and
civicast.plot_allocation (district bars + change against last year) return
matplotlib Figures with the expected content, under the Agg backend."""
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import civicast  # noqa: E402

SOURCE = Path(os.environ.get("CIV_SOURCE_DIR", Path(__file__).resolve().parents[2]))
DEMO = SOURCE / "datasets" / "demo_city"


@pytest.fixture(scope="module")
def history():
    df = civicast.read(DEMO / "meals.csv")
    ids = sorted(df["unique_id"].unique())[:3]
    return df[df["unique_id"].isin(ids)].reset_index(drop=True)


def test_plot_history_and_fan(history, tmp_path):
    fc = civicast.forecast(history, h=12, model="naive", level=(50, 80, 95))
    ids = sorted(history["unique_id"].unique())
    fig = civicast.plot(history, fc, ids=ids[:3])
    assert isinstance(fig, Figure)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 3
    ax = axes[0]
    assert ids[0] in ax.get_title() and "Naive" in ax.get_title()
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 3  # one band per level
    lines = ax.get_lines()
    assert len(lines) == 2  # history, forecast mean
    hist_y = lines[0].get_ydata()
    want = history[history["unique_id"] == ids[0]]["y"].to_numpy()
    assert np.array_equal(np.asarray(hist_y, dtype=float), want, equal_nan=True)
    assert np.array_equal(np.asarray(lines[1].get_ydata(), dtype=float),
                          fc[fc["unique_id"] == ids[0]]["mean"].to_numpy())
    fig.savefig(tmp_path / "fan.png")
    assert (tmp_path / "fan.png").stat().st_size > 1000
    # history only, Timestamps, a single id as a string
    h2 = history.assign(ds=pd.to_datetime(history["ds"]))
    fig2 = civicast.plot(h2, None, ids=ids[1], history=24)
    assert len(fig2.axes[0].get_lines()[0].get_xdata()) == 24
    with pytest.raises(civicast.Error):
        civicast.plot(history, fc, ids=["nope"])


def test_plot_allocation(tmp_path):
    result = civicast.allocate(DEMO / "communities.csv", DEMO / "allocation.spec")
    fig = civicast.plot_allocation(result)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    alloc = result[0]
    districts = sorted(alloc["district"].unique())
    bars = fig.axes[0].patches
    assert len(bars) == len(districts)
    totals = alloc.groupby("district")["amount_yuan"].sum().reindex(districts).to_numpy()
    heights = np.array([b.get_height() for b in bars])
    assert np.allclose(heights, totals / 1e6)
    change = fig.axes[1].patches
    want = alloc.groupby("district").apply(lambda g: 100 * g["change_fen"].sum() / g["last_year_fen"].sum())
    assert np.allclose([b.get_height() for b in change], want.reindex(districts).to_numpy())
    by_street = civicast.plot_allocation(result, by="street")   # the allocation carries the street
    assert len(by_street.axes[0].patches) == alloc["street"].nunique()
    fig.savefig(tmp_path / "alloc.png")
    assert (tmp_path / "alloc.png").stat().st_size > 1000
