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
    districts = list(pd.unique(alloc["district"]))  # the data's order
    bars = fig.axes[0].patches
    assert len(bars) == len(districts)
    totals = alloc.groupby("district")["amount_yuan"].sum().reindex(districts).to_numpy()
    heights = np.array([b.get_height() for b in bars])
    assert np.allclose(heights, totals / 1e6)
    change = fig.axes[1].patches
    want = alloc.groupby("district").apply(lambda g: 100 * g["change_fen"].sum() / g["last_year_fen"].sum())
    assert np.allclose([b.get_height() for b in change], want.reindex(districts).to_numpy())
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == districts
    assert "CNY" in fig.axes[0].get_ylabel() and "%" in fig.axes[1].get_ylabel()
    by_street = civicast.plot_allocation(result, by="street")   # the allocation carries the street
    assert len(by_street.axes[0].patches) == alloc["street"].nunique()
    fig.savefig(tmp_path / "alloc.png")
    assert (tmp_path / "alloc.png").stat().st_size > 1000


def test_plot_allocation_by_street(tmp_path):
    """Any grouping column works: one the allocation carries (the street, as
    the allocation of the demo spec does), or one taken from the communities
    when the allocation lacks it."""
    alloc, _ = civicast.allocate(DEMO / "communities.csv", DEMO / "allocation.spec")
    comm = pd.read_csv(DEMO / "communities.csv", dtype={"unique_id": str})
    streets = comm.set_index("unique_id")["street"]
    bare = alloc.drop(columns=[c for c in ("street",) if c in alloc.columns])
    bare.attrs = dict(alloc.attrs)
    with_street = bare.copy()
    with_street["street"] = bare["unique_id"].map(streets).to_numpy()
    with_street.attrs = dict(alloc.attrs)
    names = list(pd.unique(with_street["street"]))  # the data's order
    assert len(names) > len(alloc["district"].unique())
    unit = float(alloc.attrs.get("minor_unit", 100))
    totals = with_street.groupby("street")["amount_fen"].sum().reindex(names).to_numpy() / unit
    for fig in (civicast.plot_allocation(with_street, by="street"),
                civicast.plot_allocation((bare, None), by="street", communities=comm),
                civicast.plot_allocation(bare, by="street", communities=DEMO / "communities.csv")):
        bars = fig.axes[0].patches
        assert len(bars) == len(names)
        assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == names
        scale = 1e6 if totals.max() >= 1e6 else 1.0
        assert np.allclose([b.get_height() for b in bars], totals / scale)
        assert fig.axes[0].get_title() == "Allocation by street"
    fig.savefig(tmp_path / "street.png")
    # a column that is nowhere: the error names the columns there are
    with pytest.raises(civicast.Error) as e:
        civicast.plot_allocation(bare, by="street")
    assert e.value.status == "CIV_ERR_MISSING_COLUMN" and "district" in str(e.value) and "communities=" in str(e.value)


def test_short_model_names():
    from civicast.plot import short_model
    assert short_model("ComboMedian[ETS(A,N,A),ARIMA(2,0,0)(2,0,0)[12] with non-zero mean,Theta]") == \
        "Median(ETS, ARIMA, Theta)"
    assert short_model("ComboMedian[ETS(A,N,A),ARIMA(0,1,0),Theta,ETS(M,Md,M),DOTM]") == \
        "Median(ETS, ARIMA, Theta, DampedETS, DOTM)"
    assert short_model("ARIMA(1,1,0) with drift") == "ARIMA(1,1,0)"
    assert short_model("Naive") == "Naive"
    # the family rule of the C report's model mix (civ_model_display_family)
    from civicast.plot import model_family
    assert [model_family(s) for s in ("ETS(M,Ad,M)", "ETS(A,Ad,N)", "ETS(A,N,A)", "ARIMA(1,1,0)", "Theta")] == \
        ["DampedETS", "DampedETS", "ETS", "ARIMA", "Theta"]


def test_plot_actuals_units_and_short_title(history):
    observed = history.dropna(subset=["y"])
    train = observed.groupby("unique_id").head(60)
    test = observed.groupby("unique_id").head(72).groupby("unique_id").tail(12)
    fc = civicast.forecast(train, h=12, model="auto")
    sid = sorted(history["unique_id"].unique())[0]
    fig = civicast.plot(train, fc, ids=[sid], actuals=test, unit="meals per month")
    ax = fig.axes[0]
    assert ax.get_ylabel() == "meals per month" and ax.get_xlabel() == "date"
    assert "Median(" in ax.get_title() and "[" not in ax.get_title()
    points = [ln for ln in ax.get_lines() if ln.get_label() == "actual"]
    assert len(points) == 1
    want = test[test["unique_id"] == sid]["y"].to_numpy()
    assert len(want) == 12 and np.isfinite(want).all()
    assert np.array_equal(np.asarray(points[0].get_ydata(), float), want)


def test_cjk_font_when_installed(tmp_path):
    from matplotlib import font_manager
    from civicast.plot import cjk_font
    installed = any("CJK" in os.path.basename(p) for p in font_manager.findSystemFonts())
    if not installed:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    font = cjk_font()
    assert font and "CJK" in font
    alloc = civicast.allocate(DEMO / "communities.csv", DEMO / "allocation.spec")[0]
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "install a font" warning
        fig = civicast.plot_allocation(alloc, title="各区分配")
    fig.canvas.draw()
    label = fig.axes[0].get_xticklabels()[0]
    used = font_manager.findfont(label.get_fontproperties())
    assert label.get_text() and any(ord(c) > 0x3000 for c in label.get_text())
    assert used  # resolved; the fallback list holds the CJK font:
    assert font in label.get_fontproperties().get_family()


def test_no_cjk_font_says_how_to_install_one(history, monkeypatch):
    """Without a CJK font, Chinese labels would be empty boxes: the plot warns
    and names the package to install."""
    import sys
    cplot = sys.modules["civicast.plot"]  # the module (civicast.plot is the function)
    monkeypatch.setattr(cplot, "_cjk_font", [None])
    alloc = civicast.allocate(DEMO / "communities.csv", DEMO / "allocation.spec")[0]
    with pytest.warns(UserWarning, match="fonts-noto-cjk"):
        civicast.plot_allocation(alloc)
    with pytest.warns(UserWarning, match="fonts-noto-cjk"):
        civicast.plot(history, title="助餐")


def test_stacked_forecasts_are_refused_with_the_filter(history):
    # several models (model=[...]) or backtest windows per series were drawn as one zigzag line titled with
    # the first model; now an Error names them and the filter that picks one, which then draws
    hist = history[["unique_id", "ds", "y"]]
    fc = civicast.forecast(hist, h=6, model=["naive", "theta"])
    with pytest.raises(civicast.Error) as e:
        civicast.plot(hist, fc)
    assert e.value.field == "model" and "'Naive', 'Theta'" in str(e.value)
    assert "forecasts[forecasts['model'] == 'Naive']" in str(e.value)
    one = civicast.plot(hist, fc[fc["model"] == "Theta"])
    assert "Theta" in one.axes[0].get_title()
    cv = civicast.backtest(hist, model="naive", h=3, windows=2)
    with pytest.raises(civicast.Error) as e:
        civicast.plot(hist, cv)
    assert e.value.field == "cutoff" and "2 backtest windows" in str(e.value)
    cut = cv["cutoff"].iloc[0]
    assert isinstance(civicast.plot(hist, cv[cv["cutoff"] == cut]), Figure)
    wide = civicast.forecast(hist, h=6, model=["naive", "theta"], wide=True)
    with pytest.raises(civicast.Error) as e:  # was KeyError: 'mean'
        civicast.plot(hist, wide)
    assert e.value.status == "CIV_ERR_MISSING_COLUMN" and "without wide=True" in str(e.value)


def test_plot_nullable_frames(history):
    """A notebook's frame as convert_dtypes() gives it: y Int64 with pd.NA (the
    future rows, a gap), forecasts and actuals nullable too: the same lines as from float64 frames (before
    2026-12-07: ValueError "cannot convert to 'float'-dtype NumPy array with missing values")."""
    d = history.assign(y=history["y"].round())
    d.loc[5, "y"] = np.nan
    fc = civicast.forecast(d, h=6, model="naive")
    sid = sorted(d["unique_id"].unique())[0]
    actual = fc[["unique_id", "ds"]].assign(y=np.arange(len(fc), dtype=float))
    actual.loc[1, "y"] = np.nan
    want = civicast.plot(d, fc, ids=[sid], actuals=actual)
    nd, nfc, nact = d.convert_dtypes(), fc.convert_dtypes(), actual.convert_dtypes()
    assert str(nd["y"].dtype) == "Int64" and nd["y"].isna().sum() > 1 and str(nact["y"].dtype) == "Int64"
    assert str(nfc["mean"].dtype) in ("Int64", "Float64")  # whole-number naive forecasts are Int64
    got = civicast.plot(nd, nfc, ids=[sid], actuals=nact)
    for a, b in zip(want.axes[0].get_lines(), got.axes[0].get_lines()):
        assert np.array_equal(np.asarray(a.get_ydata(), float), np.asarray(b.get_ydata(), float), equal_nan=True)
    bands = [[np.asarray(p.get_paths()[0].vertices) for p in f.axes[0].collections] for f in (want, got)]
    assert all(np.array_equal(x, y, equal_nan=True) for x, y in zip(*bands)) and bands[0]
