"""test_dask.py -- civicast.dask over a dask.dataframe partitioned by
unique_id: the forecasts equal the single-machine civicast.forecast exactly
(simulated intervals included: the library seeds each series from its id),
on the synchronous scheduler with many partitions and
on a distributed LocalCluster(n_workers=2, threads_per_worker=1) of worker
processes; allocation with dask inputs equals civicast.allocate.

Workers import civicast through the inherited PYTHONPATH and load the library
through CIV_LIBRARY (set by CTest).
"""
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

import civicast
import civicast.dask as cdask

SOURCE = Path(os.environ.get("CIV_SOURCE_DIR", Path(__file__).resolve().parents[2]))
DEMO = SOURCE / "datasets" / "demo_city"
pytestmark = pytest.mark.filterwarnings("ignore::civicast.ForecastWarning")
# ETS(M,M,N) has no analytic intervals: it draws sample paths from the
# per-series generator, so equality also checks the seeding across partitions.
SIMULATED = dict(model="ETS(M,M,N)", n_paths=200)


def read_csv(path, **kw):
    return pd.read_csv(path, keep_default_na=False, na_values=[""], float_precision="round_trip", **kw)


@pytest.fixture(scope="module")
def meals():
    df = read_csv(DEMO / "meals.csv", dtype={"unique_id": str, "ds": str})
    ids = sorted(df["unique_id"].unique())[:120]
    return df[df["unique_id"].isin(ids)].reset_index(drop=True)


def assert_same(got, want):
    got = got.reset_index(drop=True)
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want)
    for c in want.columns:
        a, b = got[c].to_numpy(), want[c].to_numpy()
        if b.dtype == object:
            assert [str(x) for x in a] == [str(x) for x in b], c
        else:
            assert np.array_equal(a, b, equal_nan=True), c


def test_forecast_equals_single_machine_sync(meals):
    want = civicast.forecast(meals, h=6, **SIMULATED)
    assert (want["model"] != "").sum() > 50
    shuffled = meals.sample(frac=1.0, random_state=11)
    with dask.config.set(scheduler="sync"):
        for nparts in (1, 3, 7):
            ddf = dd.from_pandas(shuffled, npartitions=nparts, sort=False)
            got = cdask.forecast(ddf, h=6, **SIMULATED).compute()
            assert_same(got, want)
    # seeds follow the ids: each partition forecast on its own, with plain
    # civicast.forecast, gives the same draws as the whole frame...
    with dask.config.set(scheduler="sync"):
        part = cdask.partition_by_id(dd.from_pandas(shuffled, npartitions=3, sort=False))
        pieces = [civicast.forecast(p.compute().reset_index(), h=6, **SIMULATED) for p in part.partitions]
    alone = pd.concat(pieces).reset_index(drop=True)
    assert_same(alone, want)
    # ...and another seed draws other paths, so the intervals really are simulated
    other = civicast.forecast(meals, h=6, **dict(SIMULATED, seed=12345))
    ok = want["model"] != ""
    assert not np.array_equal(other["lo-95"][ok], want["lo-95"][ok])


def test_several_models_equal_single_machine(meals):
    # civicast.forecast takes a list of specs; civicast.dask.forecast once failed in the workers with
    # "TypeError: 'str' object cannot be interpreted as an integer"
    models = ["ets", "theta", SIMULATED["model"]]
    want = civicast.forecast(meals, h=4, model=models, n_paths=SIMULATED["n_paths"])
    assert set(want["model"]) >= {"AutoETS", "Theta"} and "fitted_model" in want.columns
    with dask.config.set(scheduler="sync"):
        lazy = cdask.forecast(dd.from_pandas(meals.sample(frac=1.0, random_state=2), npartitions=4, sort=False),
                              h=4, model=models, n_paths=SIMULATED["n_paths"])
        assert list(lazy.columns) == list(want.columns)
        assert_same(lazy.compute(), want)
        with pytest.raises(ValueError, match="non-empty list"):
            cdask.forecast(dd.from_pandas(meals, npartitions=2), h=4, model=[])


def test_int_ids_and_indexed_frames(meals):
    codes = {u: k * 7 for k, u in enumerate(sorted(meals["unique_id"].unique()))}  # 0, 7, ..., 833
    d = meals.assign(unique_id=meals["unique_id"].map(codes))
    want = civicast.forecast(d, h=4, **SIMULATED)  # series in string order: "0", "105", "112", ...
    with dask.config.set(scheduler="sync"):
        for ddf in (dd.from_pandas(d, npartitions=5), dd.from_pandas(d.set_index("unique_id"), npartitions=5)):
            lazy = cdask.forecast(ddf, h=4, **SIMULATED)
            got = lazy.compute()
            # the ids come back as the input's integers, as civicast.forecast gives them (were text)
            assert lazy.dtypes["unique_id"] == np.int64 and got["unique_id"].dtype == np.int64
            assert got["unique_id"].tolist() == want["unique_id"].tolist()
            assert_same(got, want)
        bt = cdask.backtest(dd.from_pandas(d, npartitions=5), h=3, model="naive", windows=1).compute()
        assert bt["unique_id"].dtype == np.int64


def test_categorical_ids_keep_their_categories(meals):
    """A notebook's categorical ids (astype("category"), to save memory on 1,146 series x 72 months):
    civicast.forecast keeps the categories, and the Dask result equals it, dtype included (it came back
    as text, so pd.testing.assert_frame_equal against civicast.forecast failed and a concat with the
    single-machine result lost the categories); int categories too; unknown categories stay text."""
    for ids in (meals["unique_id"].astype("category"),
                meals["unique_id"].map({u: k * 7 for k, u in enumerate(sorted(meals["unique_id"].unique()))})
                .astype("category")):
        d = meals.assign(unique_id=ids)
        want = civicast.forecast(d, h=3, model="naive")
        assert isinstance(want["unique_id"].dtype, pd.CategoricalDtype)
        with dask.config.set(scheduler="sync"):
            lazy = cdask.forecast(dd.from_pandas(d.sample(frac=1.0, random_state=5), npartitions=4, sort=False),
                                  h=3, model="naive")
            assert lazy.dtypes["unique_id"] == want["unique_id"].dtype
            pd.testing.assert_frame_equal(lazy.compute().reset_index(drop=True), want)
            bt = cdask.backtest(dd.from_pandas(d, npartitions=3), h=2, model="naive", windows=1).compute()
            assert bt["unique_id"].dtype == want["unique_id"].dtype
            unknown = dd.from_pandas(d, npartitions=2)
            unknown = unknown.assign(unique_id=unknown["unique_id"].cat.as_unknown())
            got = cdask.forecast(unknown, h=3, model="naive").compute()
            assert got["unique_id"].dtype == object
            assert got["unique_id"].astype(str).tolist() == want["unique_id"].astype(str).tolist()


def test_convert_dtypes_frame_keeps_string_ids(meals):
    """A frame as convert_dtypes() gives it (unique_id pandas' string dtype, y and the covariates Int64 with
    pd.NA in the future rows): the partitions' results equal civicast.forecast's and backtest's, dtype included
    (the ids came back as object, so pd.testing.assert_frame_equal against civicast.forecast failed)."""
    d = meals.assign(y=meals["y"].round()).convert_dtypes()
    assert str(d["unique_id"].dtype) == "string" and str(d["y"].dtype) == "Int64" and d["y"].isna().any()
    want = civicast.forecast(d, h=3, model="naive")
    want_bt, want_acc = civicast.backtest(d, h=2, model="naive", windows=2, accuracy="series")
    assert str(want["unique_id"].dtype) == "string"
    with dask.config.set(scheduler="sync"):
        ddf = dd.from_pandas(d.sample(frac=1.0, random_state=8), npartitions=3, sort=False)
        lazy = cdask.forecast(ddf, h=3, model="naive")
        assert lazy.dtypes["unique_id"] == want["unique_id"].dtype
        pd.testing.assert_frame_equal(lazy.compute().reset_index(drop=True), want)
        bt, acc = cdask.backtest(ddf, h=2, model="naive", windows=2, accuracy="series")
        pd.testing.assert_frame_equal(bt.compute().sort_values(["unique_id", "cutoff", "h"]).reset_index(drop=True),
                                      want_bt)
        pd.testing.assert_frame_equal(acc.compute().sort_values("unique_id").reset_index(drop=True), want_acc)


def test_timestamps_and_explicit_freq(meals):
    d = meals.assign(ds=pd.to_datetime(meals["ds"]))
    want = civicast.forecast(d, h=3, model="naive")
    with dask.config.set(scheduler="sync"):
        got = cdask.forecast(dd.from_pandas(d, npartitions=4), h=3, model="naive", freq="MS").compute()
    assert got["ds"].dtype == want["ds"].dtype
    assert_same(got, want)


def test_tz_aware_timestamps_keep_their_zone(meals):
    """A tz-aware ds (midnights in Asia/Shanghai) comes back in its zone from the partitions, with the
    metadata's dtype saying so, as from civicast.forecast (before 2026-12-07: naive)."""
    d = meals.assign(ds=pd.to_datetime(meals["ds"]).dt.tz_localize("Asia/Shanghai"))
    want = civicast.forecast(d, h=3, model="naive")
    assert str(want["ds"].dtype) == "datetime64[ns, Asia/Shanghai]"
    with dask.config.set(scheduler="sync"):
        lazy = cdask.forecast(dd.from_pandas(d, npartitions=4), h=3, model="naive")
        got = lazy.compute()
    assert lazy.dtypes["ds"] == want["ds"].dtype and got["ds"].dtype == want["ds"].dtype
    assert_same(got, want)


def test_own_column_names(meals):
    """A frame with a sheet's own names (社区编号, 月份, 用餐人次) and
    id_col/time_col/target_col gives civicast.forecast's and backtest's
    results on the standard names; both names at once is an Error."""
    own = meals.rename(columns={"unique_id": "社区编号", "ds": "月份", "y": "用餐人次"})
    names = dict(id_col="社区编号", time_col="月份", target_col="用餐人次")
    want = civicast.forecast(meals, h=3, model="naive")
    want_bt = civicast.backtest(meals, h=3, model="naive", windows=2)
    with dask.config.set(scheduler="sync"):
        got = cdask.forecast(dd.from_pandas(own, npartitions=3), h=3, model="naive", **names).compute()
        got_bt = cdask.backtest(dd.from_pandas(own, npartitions=3), h=3, model="naive", windows=2,
                                **names).compute()
        assert_same(got, want)
        assert_same(got_bt.sort_values(["unique_id", "cutoff", "h"]), want_bt)
        with pytest.raises(civicast.Error) as e:
            cdask.forecast(dd.from_pandas(own.assign(y=1.0), npartitions=2), h=3, **names)
        assert e.value.status == "CIV_ERR_DUPLICATE"


class _Unreadable(Exception):
    pass


def _no_compute(part):
    raise _Unreadable("a partition was computed")


def test_missing_columns_refused_from_the_metadata(meals):
    """A frame without y (or ds, or unique_id) is refused when
    civicast.dask.forecast / backtest is called, from the Dask frame's
    metadata, with civicast.forecast's own Error, before any partition is
    computed (it was an error inside the workers at compute time)."""
    bad = meals.rename(columns={"y": "value"})
    with pytest.raises(civicast.Error) as want:
        civicast.forecast(bad, h=3, model="naive")
    meta = bad.iloc[:0]
    for drop, fix in (("y", "target_col="), ("ds", "time_col="), ("unique_id", "id_col=")):
        frame = meals.drop(columns=drop) if drop != "y" else bad
        # partitions that fail if ever computed: the check must use the metadata only
        ddf = dd.from_pandas(frame, npartitions=3).map_partitions(_no_compute, meta=frame.iloc[:0])
        for fn in (cdask.forecast, cdask.backtest):
            with pytest.raises(civicast.Error) as e:
                fn(ddf, h=3, model="naive")
            assert e.value.status == "CIV_ERR_MISSING_COLUMN" and e.value.field == drop, (fn, drop)
            assert fix in str(e.value)
    assert str(e.value) != str(want.value)  # (the last is the unique_id one)
    ddf = dd.from_pandas(bad, npartitions=3).map_partitions(_no_compute, meta=meta)
    with pytest.raises(civicast.Error) as e:
        cdask.forecast(ddf, h=3, model="naive")
    assert str(e.value) == str(want.value)
    # a frame indexed by unique_id is complete; ds as its index is the reset_index() hint
    with dask.config.set(scheduler="sync"):
        ok = cdask.forecast(dd.from_pandas(meals.set_index("unique_id"), npartitions=2), h=2, model="naive")
        assert len(ok.compute()) == 2 * meals["unique_id"].nunique()
    with pytest.raises(civicast.Error, match="reset_index"):
        cdask.forecast(dd.from_pandas(meals.set_index("ds"), npartitions=2), h=2, model="naive")


def test_bad_arguments_refused_when_called(meals):
    """A bad model spec, h, level, ic, nonnegative or windows is refused when civicast.dask.forecast / backtest is
    called, with the error the single-machine call gives (InvalidArgument, or the library's CIV_ERR_SPEC for an
    unknown model), before any partition is read. Before 2026-12-07 they were taken lazily and failed only at
    .compute(), inside every worker (whose log printed the partition), naming civicast.forecast / backtest."""
    ddf = dd.from_pandas(meals, npartitions=3).map_partitions(_no_compute, meta=meals.iloc[:0])
    cases = [(dict(model="etsx"), civicast.Error, "model"), (dict(h=0), civicast.InvalidArgument, "h"),
             (dict(level=150), civicast.InvalidArgument, "levels"), (dict(ic="bic2"), civicast.InvalidArgument, "ic"),
             (dict(nonnegative="maybe"), civicast.InvalidArgument, "nonnegative"),
             (dict(model=5), civicast.WrongType, "model")]
    for fn, name in ((cdask.forecast, "forecast"), (cdask.backtest, "backtest")):
        for kw, kind, field in cases + ([(dict(windows=0), civicast.InvalidArgument, "windows")]
                                        if name == "backtest" else []):
            with pytest.raises(kind) as e:
                fn(ddf, **{"h": 3, "model": "naive", **kw})
            assert e.value.field == field, (name, kw, str(e.value))
            if kind is not civicast.Error:
                assert str(e.value).startswith(f"civicast.dask.{name}: "), str(e.value)
    with pytest.raises(civicast.Error) as want:
        civicast.forecast(meals, h=3, model="etsx")
    with pytest.raises(civicast.Error) as got:
        cdask.backtest(ddf, h=3, model=["naive", "etsx"])
    assert str(got.value) == str(want.value) and got.value.status == "CIV_ERR_SPEC"


def test_backtest_progress_on_dask_scheduler(meals):
    """civicast.dask.backtest(progress=...) without a distributed Client: dask's scheduler runs the partitions,
    progress(done, total) is called in this thread per partition (model x series x window tasks, as
    civicast.backtest counts them), from (0, total) to (total, total), and the result is the computed frames,
    equal to civicast.backtest's; an exception from progress stops the run and is raised; a progress that is
    not callable is refused when called."""
    import threading
    assert cdask._distributed_client() is None
    d = meals[meals["unique_id"].isin(sorted(meals["unique_id"].unique())[:40])].reset_index(drop=True)
    want, want_acc = civicast.backtest(d, model=["naive", "ets"], h=3, windows=2, accuracy="series")
    calls, me = [], threading.get_ident()
    ddf = dd.from_pandas(d.sample(frac=1.0, random_state=3), npartitions=4, sort=False)
    got, acc = cdask.backtest(ddf, model=["naive", "ets"], h=3, windows=2, accuracy="series",
                              progress=lambda done, total: calls.append((done, total, threading.get_ident())))
    pd.testing.assert_frame_equal(got, want)
    pd.testing.assert_frame_equal(acc, want_acc)
    total = 40 * 2 * 2
    assert calls[0][:2] == (0, total) and calls[-1][:2] == (total, total) and len(calls) == 5
    assert all(a[0] < b[0] for a, b in zip(calls, calls[1:])) and {c[2] for c in calls} == {me}

    def stop(done, total):
        if done:
            raise KeyError("stop here")
    with pytest.raises(KeyError, match="stop here"):
        cdask.backtest(ddf, model="naive", h=3, windows=2, progress=stop)
    with pytest.raises(TypeError, match="progress must be a callable"):
        cdask.backtest(ddf, model="naive", h=3, windows=2, progress=True)


def test_forecast_and_allocate_progress_on_dask_scheduler(meals):
    """civicast.dask.forecast(progress=...) without a distributed Client, as dask.backtest's: progress(done,
    total) per partition in this thread, counting series (x models for a list), from (0, total) to (total,
    total); the computed frame equals civicast.forecast's (pd.testing); an exception from progress is raised;
    a progress that is not callable is a WrongType when called.  dask.allocate(progress=) counts the partitions
    it gathers (its forecasts' forecasting runs in them) and allocates as civicast.allocate does."""
    import threading
    assert cdask._distributed_client() is None
    d = meals[meals["unique_id"].isin(sorted(meals["unique_id"].unique())[:40])].reset_index(drop=True)
    ddf = dd.from_pandas(d.sample(frac=1.0, random_state=4), npartitions=4, sort=False)
    for model, k in (("naive", 1), (["naive", "mean"], 2)):
        want = civicast.forecast(d, h=3, model=model)
        calls, me = [], threading.get_ident()
        got = cdask.forecast(ddf, h=3, model=model,
                             progress=lambda done, total: calls.append((done, total, threading.get_ident())))
        pd.testing.assert_frame_equal(got, want)
        with dask.config.set(scheduler="sync"):
            pd.testing.assert_frame_equal(cdask.forecast(ddf, h=3, model=model).compute().reset_index(drop=True),
                                          got)
        total = 40 * k
        assert calls[0][:2] == (0, total) and calls[-1][:2] == (total, total) and len(calls) == 5, calls
        assert all(a[0] < b[0] for a, b in zip(calls, calls[1:])) and {c[2] for c in calls} == {me}

    def stop(done, total):
        if done:
            raise KeyError("stop here")
    with pytest.raises(KeyError, match="stop here"):
        cdask.forecast(ddf, h=3, model="naive", progress=stop)
    for fn in (cdask.forecast, cdask.allocate):
        with pytest.raises(civicast.WrongType, match=r"civicast\.dask\.\w+: progress must be a callable") as e:
            fn(ddf, h=3, model="naive", progress=True) if fn is cdask.forecast else fn(ddf, "spec", progress=1)
        assert e.value.field == "progress"
    spec = (DEMO / "allocation.spec").read_text()
    comm = read_csv(DEMO / "communities.csv", dtype={"unique_id": str})
    a_want, s_want = civicast.allocate(comm, spec)
    calls = []
    a_got, s_got = cdask.allocate(dd.from_pandas(comm, npartitions=3), spec,
                                  progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert_same(a_got, a_want)
    assert_same(s_got, s_want)


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=40)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def test_local_cluster_forecast_and_allocate(meals, client):
    # the workers are separate processes that loaded the same library
    paths = client.run(lambda: __import__("civicast").library_path)
    assert len(paths) == 2 and set(paths.values()) == {civicast.library_path}
    want = civicast.forecast(meals, h=6, **SIMULATED)
    ddf = dd.from_pandas(meals.sample(frac=1.0, random_state=5), npartitions=4, sort=False)
    got = cdask.forecast(ddf, h=6, **SIMULATED).compute()
    assert_same(got, want)
    # allocation: communities and forecasts as dask frames (the whole city:
    # the spec's caps need every community)
    spec = (DEMO / "allocation.spec").read_text()
    comm = read_csv(DEMO / "communities.csv", dtype={"unique_id": str})
    a_want, s_want = civicast.allocate(comm, spec)
    a_got, s_got = cdask.allocate(dd.from_pandas(comm, npartitions=3), spec)
    assert_same(a_got, a_want)
    assert_same(s_got, s_want)
    # a factor read from forecasts made on the cluster (lazy dask frame in, gathered once)
    spec_f = spec.replace('attribute = "service_points"\nweight = 0.10', 'attribute = "service_points"\nweight = 0.05')
    assert spec_f != spec
    spec_f += '\n[[factor]]\nname = "meal_demand"\nformula = "main"\nsource = "forecast"\ncolumn = "mean"\n' \
              'horizon = 6\nweight = 0.05\n'
    full = read_csv(DEMO / "meals.csv", dtype={"unique_id": str, "ds": str})
    fc_want = civicast.forecast(full, h=6, model="naive")
    fc_ddf = cdask.forecast(dd.from_pandas(full, npartitions=4), h=6, model="naive")
    a_want, s_want = civicast.allocate(comm, spec_f, forecasts=fc_want)
    a_got, s_got = cdask.allocate(dd.from_pandas(comm, npartitions=3), spec_f, forecasts=fc_ddf)
    assert "factor_meal_demand_fen" in a_got.columns
    assert_same(a_got, a_want)
    assert_same(s_got, s_want)


def test_partitions_must_agree_on_dates():
    a = pd.DataFrame({"unique_id": "a", "ds": ["2020-01", "2020-02"], "y": [1.0, 2.0]})
    b = pd.DataFrame({"unique_id": "b", "ds": ["2020", "2021"], "y": [1.0, 2.0]})
    ddf = dd.from_pandas(pd.concat([a, b]), npartitions=2)
    with dask.config.set(scheduler="sync"):
        with pytest.raises(civicast.Error) as e:
            cdask.forecast(ddf, h=2, model="naive")
    assert e.value.status == "CIV_ERR_FREQUENCY"


def test_allocate_fiscal_year_factor_keeps_ds():
    # a forecast factor without horizon= sums the forecasts dated in the spec's fiscal_year (2026):
    # civicast.dask.allocate once dropped ds, so this default factor failed with "no 'ds' column"
    spec = (DEMO / "allocation.spec").read_text()
    spec_f = spec.replace('attribute = "service_points"\nweight = 0.10', 'attribute = "service_points"\nweight = 0.05')
    assert spec_f != spec
    spec_f += '\n[[factor]]\nname = "meal_demand"\nformula = "main"\nsource = "forecast"\ncolumn = "mean"\n' \
              'weight = 0.05\n'
    comm = read_csv(DEMO / "communities.csv", dtype={"unique_id": str})
    full = read_csv(DEMO / "meals.csv", dtype={"unique_id": str, "ds": str})[["unique_id", "ds", "y"]]
    fc = civicast.forecast(full, h=24, model="naive")  # 2025-01 .. 2026-12
    a_want, s_want = civicast.allocate(comm, spec_f, forecasts=fc)
    with dask.config.set(scheduler="sync"):
        a_got, s_got = cdask.allocate(dd.from_pandas(comm, npartitions=3), spec_f,
                                      forecasts=dd.from_pandas(fc, npartitions=4))
    assert "factor_meal_demand_fen" in a_got.columns
    assert_same(a_got, a_want)
    assert_same(s_got, s_want)


def test_local_cluster_backtest_progress(meals, client):
    """civicast.dask.backtest(progress=...) on a LocalCluster: the partitions run as the Client's futures, taken
    as they complete (distributed.as_completed); progress counts their tasks up to the total, the windows equal
    civicast.backtest's; an exception from progress cancels the rest and is raised here."""
    assert cdask._distributed_client() is client
    want = civicast.backtest(meals, model="naive", h=3, windows=2)
    calls = []
    ddf = dd.from_pandas(meals.sample(frac=1.0, random_state=9), npartitions=4, sort=False)
    got = cdask.backtest(ddf, model="naive", h=3, windows=2, progress=lambda done, total: calls.append((done, total)))
    pd.testing.assert_frame_equal(got, want)
    total = meals["unique_id"].nunique() * 2
    assert calls[0] == (0, total) and calls[-1] == (total, total) and len(calls) == 5
    assert all(a[0] < b[0] for a, b in zip(calls, calls[1:]))

    def stop(done, total):
        if done:
            raise KeyError("stop here")
    with pytest.raises(KeyError, match="stop here"):
        cdask.backtest(ddf, model="naive", h=3, windows=2, progress=stop)


def _slow_forecast_part(*args, **kw):
    """civicast.dask._forecast_part as the workers run it in test_local_cluster_forecast_progress: a marker file
    per partition started, then 1.5 s more, so the partitions still to run when progress raises can be seen
    to have been cancelled."""
    import tempfile
    import time
    folder = os.environ["CIV_TEST_MARKERS"]
    tempfile.mkstemp(dir=folder)
    time.sleep(1.5)
    return _slow_forecast_part.original(*args, **kw)


def _slow_workers(folder):
    os.environ["CIV_TEST_MARKERS"] = folder
    import civicast.dask as cd
    if not hasattr(_slow_forecast_part, "original"):
        _slow_forecast_part.original = cd._forecast_part
    cd._forecast_part = _slow_forecast_part


def _fast_workers():
    import civicast.dask as cd
    cd._forecast_part = getattr(_slow_forecast_part, "original", cd._forecast_part)


def test_local_cluster_forecast_progress(meals, client, tmp_path):
    """civicast.dask.forecast(progress=...) on a LocalCluster: the partitions run as the Client's futures, taken
    as they complete; progress counts their series up to the total; the frame equals civicast.forecast's and
    the lazy .compute()'s; an exception from progress cancels the partitions not yet started (with 8
    partitions of 1.5 s on 2 workers, at most 4 ever start) and is raised here."""
    assert cdask._distributed_client() is client
    want = civicast.forecast(meals, h=6, **SIMULATED)
    ddf = dd.from_pandas(meals.sample(frac=1.0, random_state=9), npartitions=8, sort=False)
    calls = []
    got = cdask.forecast(ddf, h=6, progress=lambda done, total: calls.append((done, total)), **SIMULATED)
    pd.testing.assert_frame_equal(got, want)
    pd.testing.assert_frame_equal(cdask.forecast(ddf, h=6, **SIMULATED).compute().reset_index(drop=True), got)
    total = meals["unique_id"].nunique()
    assert calls[0] == (0, total) and calls[-1] == (total, total) and len(calls) == 9, calls
    assert all(a[0] < b[0] for a, b in zip(calls, calls[1:]))

    def stop(done, total):
        if done:
            raise KeyError("stop here")
    client.run(_slow_workers, str(tmp_path))
    try:
        with pytest.raises(KeyError, match="stop here"):
            cdask.forecast(ddf, h=6, model="naive", progress=stop)
        import time
        time.sleep(4)  # what was not cancelled would have started by now
    finally:
        client.run(_fast_workers)
    started = len(list(tmp_path.iterdir()))
    assert 1 <= started <= 4, started  # 3 when measured; 7 with the cancel left out (the rest released late)


def test_ids_back_by_the_shared_rule():
    """A partition's text ids back in the input's dtype by frame.text_ids_as, the rule of forecast's and
    allocate's outputs: categorical (int categories matched by text) and string as forecast keeps them; an id
    outside the known categories stays text (before 2026-12-07 dask's own copy of the rule made it NaN)."""
    out = pd.DataFrame({"unique_id": np.array(["101", "102"], dtype=object), "mean": [1.0, 2.0]})
    cat = pd.CategoricalDtype([102, 101])
    got = cdask._ids_back(out.copy(), cat)["unique_id"]
    assert got.dtype == cat and got.tolist() == [101, 102]
    got = cdask._ids_back(out.copy(), pd.StringDtype())["unique_id"]
    assert got.dtype == pd.StringDtype() and got.tolist() == ["101", "102"]
    got = cdask._ids_back(out.copy(), pd.CategoricalDtype([101]))["unique_id"]
    assert got.notna().all() and got.astype(str).tolist() == ["101", "102"]


@pytest.mark.parametrize("kind", ["object", "string", "category"])
def test_summary_text_columns_as_the_other_frames(kind):
    """The allocation summary's text columns (section, item, measure, unit) are object, as every text column
    civicast returns that is not the caller's ids (the allocation's name, district, explanation) and as
    pd.read_csv gives them; pandas and Dask alike, whatever the communities' id dtype.  item mixes fund, pool
    and district names and totals, so it takes no caller's dtype (decided 2026-12-07)."""
    comm = read_csv(DEMO / "communities.csv")
    comm = {"object": comm, "string": comm.convert_dtypes(),
            "category": comm.assign(unique_id=comm.unique_id.astype("category"))}[kind]
    spec = DEMO / "allocation.spec"
    alloc, summary = civicast.allocate(comm, spec, explain=True)
    _, dsummary = cdask.allocate(dd.from_pandas(comm, npartitions=3), spec)
    for s in (summary, dsummary):
        assert [str(s[c].dtype) for c in ("section", "item", "measure", "unit")] == ["object"] * 4
    assert alloc["district"].dtype == alloc["explanation"].dtype == summary["item"].dtype
    assert (summary["item"][summary["section"] == "district"].isin(comm["district"].astype(str))).all()
