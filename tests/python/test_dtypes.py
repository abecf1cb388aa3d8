"""test_dtypes.py -- every public function of the civicast package that returns DataFrames, walked
on the demo city as a notebook keeps it (the files rewritten by pandas' to_csv with whole-number
community and street codes, 310101001, as a statistics office numbers them), gives frames a notebook
merges and computes with directly:

* every column whose name ends in ``_fen`` is int64 (Int64 where an amount is missing), but the
  decomposition by factor and the Monte Carlo's statistics of the draws, real by design
  (docs/ALLOCATION.md "Outputs"), which are float64;
* every id column (unique_id, the monitored unit, the sensor's person) holds the ids as pd.read_csv
  types them in the input file: int64 codes come back as ints, so ``merge`` and ``isin`` with the
  notebook's own frames match;
* counts are int64.

The walk is driven by civicast.__all__: a public function that returns frames and is not walked here
fails the test, so a new function comes with its dtypes checked.

Environment: CIV_LIBRARY, CIV_SOURCE_DIR, PYTHONPATH=python-bindings.
"""
import inspect
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import civicast

SOURCE = Path(os.environ.get("CIV_SOURCE_DIR", Path(__file__).resolve().parents[2]))
DEMO = SOURCE / "datasets" / "demo_city"
pytestmark = pytest.mark.filterwarnings("ignore::civicast.ForecastWarning")

# _fen columns that are real numbers by design: shares of a fen (the decomposition) and statistics of draws.
REAL_FEN = re.compile(r"^(factor_.*|unattributed|rounding|mean|p5|p50|p95)_fen$")
# Public names that return no frame (or return what another walked function returns).
NOT_FRAMES = {"Error", "InvalidArgument", "WrongType", "ForecastWarning", "DateSpec", "Hierarchy", "plot",
              "plot_allocation", "read_plan",
              "model_families", "restore_error", "report", "library_version", "library_path",
              "set_csv_formula_guard", "EXPECTED_VERSION", "__version__", "write", "write_workbook", "info",
              "write_monitor_workbook", "write_allocation_workbook"}


def _codes(values, start):
    return {v: i for i, v in enumerate(sorted(set(values)), start=start)}


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """The demo city with whole-number codes for communities and streets, written by to_csv."""
    d = tmp_path_factory.mktemp("coded")
    meals = pd.read_csv(DEMO / "meals.csv")
    comm = _codes(meals.unique_id, 310101001)
    for name in ("meals.csv", "holdout_2025.csv", "communities.csv"):
        df = pd.read_csv(DEMO / name)
        df["unique_id"] = df["unique_id"].map(comm)
        df.to_csv(d / name, index=False)
    mon = pd.read_csv(DEMO / "monitoring.csv")
    mon["street"] = mon["street"].map(_codes(mon.street, 3101010))
    mon.to_csv(d / "monitoring.csv", index=False)
    ev = pd.read_csv(DEMO / "sensor_events.csv")
    ev["person"] = ev["person"].map(_codes(ev.person, 9001))
    ev.to_csv(d / "sensor_events.csv", index=False)
    for name in ("plan.spec", "allocation.spec", "indicators.toml", "risks.csv"):
        (d / name).write_bytes((DEMO / name).read_bytes())
    plan = (DEMO / "plan.toml").read_text()
    plan = re.sub(r'(?m)^out = .*$', "", plan)
    plan = re.sub(r'(?ms)^\[backtest\].*', "[backtest]\nwindows = 1\nh = 6\n", plan)
    (d / "plan.toml").write_text(plan)
    spending = pd.read_csv(d / "communities.csv")[["unique_id"]].assign(spent=100000.5)
    spending.to_csv(d / "spending.csv", index=False)
    return d


def _walk(d):
    """{function name: (frames, {id column: the input file and its column})}."""
    meals = civicast.read(d / "meals.csv")[["unique_id", "ds", "y"]]
    fc = civicast.forecast(meals, h=36, model="snaive")
    comm, spec, ind = d / "communities.csv", d / "plan.spec", d / "indicators.toml"
    ids = {"unique_id": (comm, "unique_id")}
    alloc, summary = civicast.allocate(comm, spec, forecasts=fc)
    civicast.allocate_to_file(comm, spec, d / "a.csv", forecasts=fc)  # an allocation a notebook reads back
    hz = civicast.Hierarchy(meals, comm, ["district"])
    out = {
        "read": ([civicast.read(d / "meals.csv"), civicast.read(comm), civicast.read(d / "a.csv")], ids),
        "forecast": (list(civicast.forecast(meals, h=3, model="snaive", report=True, fitted=True)), ids),
        "forecast_to_files": ([], ids),  # writes files: its tables are forecast's (test_forecast_to_files.py)
        "models_report": ([civicast.models_report(meals, h=3, model="snaive")], ids),
        "classify_demand": ([civicast.classify_demand(meals)], ids),
        "backtest": (list(civicast.backtest(meals, model="snaive", h=3, windows=1, accuracy=True)), ids),
        "allocate": ([alloc, summary], ids),
        "allocate_to_file": ([civicast.allocate_to_file(comm, spec, d / "a.csv", forecasts=fc)], ids),
        "compare": (list(civicast.compare(comm, [d / "allocation.spec", spec], forecasts=fc)), ids),
        "uncertainty": ([civicast.uncertainty(comm, spec, forecasts=fc, draws=20)], ids),
        "need": (list(civicast.need(spec, fc)), ids),
        "project": (list(civicast.project(comm, spec, fc, 2)), ids),
        "settle": (list(civicast.settle(spec.read_text() + "\n[settlement]\ncarry_over = 0.5\n", alloc,
                                        d / "spending.csv")), ids),
        "monitor": (list(civicast.monitor(ind, d / "monitoring.csv")), {"unit": (d / "monitoring.csv", "street")}),
        "early_warning": (list(civicast.early_warning(ind, d / "monitoring.csv", h=2, model="naive",
                                                      scopes=["street"])),
                          {"unit": (d / "monitoring.csv", "street")}),
        "demand_check": ([civicast.demand_check(fc, d / "holdout_2025.csv")], ids),
        "value_text": ([civicast.value_text(civicast.monitor(ind, d / "monitoring.csv")[1])],
                       {"unit": (d / "monitoring.csv", "street")}),
        "unit_names": ([civicast.unit_names(ind, d / "monitoring.csv", comm)],
                       {"unit": (d / "monitoring.csv", "street")}),
        "risk_matrix": (list(civicast.risk_matrix(d / "risks.csv")), {}),
        "inactivity_alerts": ([civicast.inactivity_alerts(d / "sensor_events.csv")],
                              {"person": (d / "sensor_events.csv", "person")}),
        "plan": (list(civicast.plan(d / "plan.toml", model="snaive", draws=20).values()),
                 {**ids, "unit": (d / "monitoring.csv", "street"), "person": (d / "sensor_events.csv", "person")}),
        "join_predecessors": (list(civicast.join_predecessors(
            meals, pd.read_csv(comm).assign(前身=lambda c: np.where(c.index == 0, "X999", "")), predecessors="前身")),
            ids),
        "reconcile": ([civicast.reconcile(meals, comm, np.ones((hz.n_nodes, 2)), hierarchy=["district"],
                                          method="bu")[0],
                       civicast.forecast(meals, h=2, model="naive", hierarchy=["district"], communities=comm)],
                      ids),
    }
    return out


@pytest.fixture(scope="module")
def walked(city):
    return _walk(city)


def test_every_public_frame_function_is_walked(walked):
    public = {n for n in civicast.__all__ if n not in NOT_FRAMES and callable(getattr(civicast, n, None))}
    assert public - set(walked) == set(), \
        "walk these in test_dtypes.py (_walk), or add them to NOT_FRAMES if they return no DataFrame"


def test_money_in_fen_is_int64(walked):
    bad = []
    for fn, (frames, _) in walked.items():
        for k, df in enumerate(frames):
            for c in df.columns:
                if not (isinstance(c, str) and c.endswith("_fen")):
                    continue
                want = "float64" if REAL_FEN.match(c) else ("int64", "Int64")
                if str(df[c].dtype) not in want:
                    bad.append(f"{fn}[{k}].{c}: {df[c].dtype}")
    assert not bad, bad


def test_ids_typed_as_read_csv_types_them(walked):
    """The ids of the input file as pd.read_csv types them (int64 codes) are the outputs' ids: a
    notebook's merge of the output with its own read_csv frame matches every row of that scope."""
    bad = []
    for fn, (frames, ids) in walked.items():
        for k, df in enumerate(frames):
            for col, (path, src) in ids.items():
                monte_carlo = col == "unique_id" and "mean_fen" in df.columns and "name" in df.columns
                if (col not in df.columns and not monte_carlo) or (col == "unit" and "scope" not in df.columns):
                    continue  # a summary's unit is the unit of measure ("fen")
                mine = pd.read_csv(path)[src]
                # the Monte Carlo names communities by their ids on its community rows
                v = df["name"][df["scope"] == "community"] if monte_carlo else df[col]
                if "level" in df.columns:  # a hierarchy's nodes: the series' rows; aggregates are districts
                    v = v[df["level"] == "unique_id"]
                if "scope" in df.columns and col == "unit":  # the units' rows; roll-ups are districts and "city"
                    v = v[~df["scope"].isin(["district", "city"])]
                elif col == "unique_id" and v.astype(str).str.contains(":").any():
                    continue  # the monitor's panel ids, "street:3101010:policy_awareness"
                if not len(v):
                    continue
                if not set(v) <= set(mine):
                    bad.append(f"{fn}[{k}].{col}: {v.dtype} {v.iloc[0]!r} is not among read_csv's {mine.dtype} ids")
    assert not bad, bad


def test_counts_are_int64(walked):
    counts = {"h", "misses", "year", "periods", "communities", "n", "windows", "rank", "score", "row", "column",
              "hour", "first_warning_h"}
    bad = []
    for fn, (frames, _) in walked.items():
        for k, df in enumerate(frames):
            for c in df.columns:
                if c in counts and str(df[c].dtype) not in ("int64", "Int64"):
                    bad.append(f"{fn}[{k}].{c}: {df[c].dtype}")
    assert not bad, bad


def test_walk_signature_is_current():
    """The arguments the walk passes exist (a renamed argument fails here, not as a skipped check)."""
    for fn, args in (("early_warning", ("h", "model", "scopes")), ("uncertainty", ("draws",)),
                     ("plan", ("model", "draws")), ("backtest", ("windows", "accuracy"))):
        assert set(args) <= set(inspect.signature(getattr(civicast, fn)).parameters), fn


def test_float32_y_is_the_decimal_it_prints(tmp_path):
    """float32 y and covariates are the decimals they print as (and to_csv writes): the forecast of a
    float32 frame equals the forecast of the CSV pandas writes from it, bit for bit (before: the binary
    widening, 86.22655487060547 for 86.226555, gave other numbers than the command's)."""
    meals = pd.read_csv(DEMO / "meals.csv")
    meals = meals[meals.unique_id.isin(meals.unique_id.unique()[:3])][["unique_id", "ds", "y", "aged60"]]
    meals = meals.assign(y=meals.y / 7.0, aged60=meals.aged60 / 3.0).astype({"y": "float32", "aged60": "float32"})
    meals.to_csv(tmp_path / "narrow.csv", index=False)
    got = civicast.forecast(meals, h=3, model="ets")
    want = civicast.forecast(civicast.read(tmp_path / "narrow.csv"), h=3, model="ets")
    assert np.array_equal(got["mean"].to_numpy(), want["mean"].to_numpy())
    assert np.array_equal(got["hi-95"].to_numpy(), want["hi-95"].to_numpy())


def _printed(v, narrow):
    """The definition: each value printed by numpy (the shortest decimal that reads back) and read back."""
    return v.astype(narrow).astype(str).astype(np.float64)


def test_float32_decimals_equal_printing():
    """frame._printed_decimals (the float32 widening with numpy over the array, 2026-12-06; before, every
    value was printed and parsed: about 1.7 s a million) gives exactly what printing and reading back
    gives: random values of every magnitude and random bit patterns (subnormals, 3.4e38, the 1e-11 .. 1e21
    edges of its exact path), negatives, shares, the values of a notebook (0.95, 0.1, 1/3, y / 7), every
    float16, the cases next to powers of two and ten where the interval is lopsided, and yuan amounts that
    fall halfway between two shortest decimals (445045.625 prints 445045.62, 343270.875 prints 343270.88)."""
    from civicast.frame import _as_float64, _printed_decimals
    rng = np.random.default_rng(20261206)
    bits = rng.integers(0, 2 ** 32, size=400_000, dtype=np.uint64).astype(np.uint32).view(np.float32)
    pow2 = np.float32(2.0) ** np.arange(-149, 128, dtype=np.float32)
    pow10 = np.array([10.0 ** k for k in range(-45, 39)], dtype=np.float32)
    near = np.concatenate([np.nextafter(pow2, np.float32(np.inf)), np.nextafter(pow2, np.float32(0)),
                           np.nextafter(pow10, np.float32(np.inf)), np.nextafter(pow10, np.float32(0)), pow10])
    edges = np.array([0.95, 0.1, 1 / 3, 2 / 3, 0.05, 0.15, 0.3, 1e-45, 1.4e-45, 1.17549435e-38, 1.1754942e-38,
                      3.4e38, 3.4028235e38, 1e-11, 1.0000001e-11, 9.999999e-12, 1e21, 9.999999e20, 1e20 + 1e14,
                      16777215.5, 8388607.5, 0.1 + 0.2, 1e-7, 123456.789,
                      445045.625, 343270.875, 0.125, 2.5e-5], dtype=np.float32)
    with np.errstate(over="ignore", invalid="ignore"):  # inf (lognormal beyond float32) and NaN: dropped below
        values = np.concatenate([bits, near, edges, rng.uniform(0, 1, 200_000).astype(np.float32),
                                 (rng.integers(0, 10 ** 8, 200_000) / 100).astype(np.float32),
                                 rng.lognormal(0, 12, 200_000).astype(np.float32)]).astype(np.float64)
    values = np.concatenate([values, -values])
    with np.errstate(invalid="ignore"):  # the NaN bit patterns
        values = values[np.isfinite(values) & (values != np.round(values))]
    assert values.size > 1_000_000
    got, want = _printed_decimals(values, np.float32), _printed(values, np.float32)
    wrong = np.flatnonzero(got != want)
    assert wrong.size == 0, [(repr(np.float32(values[i])), got[i], want[i]) for i in wrong[:5]]
    # every float16
    h = np.arange(2 ** 16, dtype=np.uint16).view(np.float16).astype(np.float64)
    with np.errstate(invalid="ignore"):
        h = h[np.isfinite(h) & (h != np.round(h))]
    assert np.array_equal(_printed_decimals(h, np.float16), _printed(h, np.float16))
    # through a Series, nullable Float32 with its missing values, as the readers of frames see it
    s = pd.Series(np.array([0.95, np.nan, 1 / 3, -2.5, 3.0, 1e-45], dtype=np.float32)).astype("Float32")
    s[1] = pd.NA
    v = _as_float64(s)
    assert np.isnan(v[1]) and v[0] == 0.95 and v[2] == 0.33333334 and v[3] == -2.5 and v[4] == 3.0
    assert v[5] == 1e-45


def test_covariates_as_text_read_as_y_is():
    """A frame of text cells (pd.read_csv(dtype=str), pd.read_excel(dtype=str)) has its covariates read as its y:
    numbers in text are numbers, other text is named at its row with the cure (before 2026-12-07 y was read and
    the covariate refused whole: "covariate column 'aged60' is not numeric (object)")."""
    path = SOURCE / "datasets" / "demo_city" / "meals.csv"
    text = pd.read_csv(path, dtype=str).head(300)
    got = civicast.forecast(text, h=2, model="naive")
    want = civicast.forecast(pd.read_csv(path).head(300), h=2, model="naive")
    pd.testing.assert_frame_equal(got, want)
    text.loc[5, "aged60"] = "1,234"
    with pytest.raises(civicast.Error, match=r"covariate column 'aged60' is not numeric: row 5 \(unique_id "
                       r"'D01-S01-C001', ds 2019-06\), column aged60: '1,234' is a number written with a thousands "
                       r"separator") as e:
        civicast.forecast(text, h=2, model="naive")
    assert e.value.field == "aged60"
