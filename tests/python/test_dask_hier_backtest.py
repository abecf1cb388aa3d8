"""test_dask_hier_backtest.py -- civicast.dask.backtest of a hierarchy (refused until 2026-12-07): the windows run
in tasks of consecutive windows, each on the panel cut after its last window's targets, and give exactly
civicast.backtest(df, hierarchy=...)'s windows and accuracy (per level and per node), with conformal base
intervals (each window calibrated on its own history) and the models' own, for 1 task and several, on dask's
synchronous scheduler and on a distributed LocalCluster of worker processes; a series that starts late, a missing
row and a shuffled frame included; progress counts nodes x windows."""
import numpy as np
import pandas as pd
import pytest

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

import civicast
import civicast.dask as cdask

LEVELS = ["district", "street"]


def city():
    """9 communities in 3 districts, 30 months; c8 starts 5 months before the end (its early windows fail, counted
    as 0 above it), c3 misses a row inside the last window; rows shuffled."""
    rng = np.random.default_rng(5)
    comm = pd.DataFrame({"unique_id": [f"c{i}" for i in range(9)],
                         "district": ["A", "A", "A", "A", "B", "B", "B", "C", "C"],
                         "street": ["A1", "A1", "A2", "A2", "B1", "B1", "B2", "C1", "C1"]})
    ds = pd.period_range("2021-01", periods=30, freq="M").astype(str)
    rows = [pd.DataFrame({"unique_id": u, "ds": ds, "y": np.round(40 + 5 * i + np.arange(30) * 0.4 +
                                                                     rng.normal(0, 3, 30))})
            for i, u in enumerate(comm["unique_id"][:8])]
    rows.append(pd.DataFrame({"unique_id": "c8", "ds": ds[-5:], "y": [5.0, 6, 7, 8, 9]}))
    df = pd.concat(rows, ignore_index=True)
    df = df[~((df["unique_id"] == "c3") & (df["ds"] == ds[-2]))]
    return df.sample(frac=1.0, random_state=3).reset_index(drop=True), comm


def assert_same(got, want):
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            pd.testing.assert_frame_equal(g, w, check_exact=True)
    else:
        pd.testing.assert_frame_equal(got, want, check_exact=True)


@pytest.mark.filterwarnings("ignore::civicast.ForecastWarning")
@pytest.mark.parametrize("kw", [dict(model="naive", h=3, windows=4, step=2),  # conformal base intervals
                                dict(model="ets", h=2, windows=3, level=[90], intervals="model",
                                     reconcile=["base", "bu", "ols", "mint_shrink"])])
def test_equals_single_machine_for_any_number_of_tasks(kw):
    df, comm = city()
    for accuracy in (False, True, "series"):
        want = civicast.backtest(df, hierarchy=LEVELS, communities=comm, accuracy=accuracy, **kw)
        with dask.config.set(scheduler="sync"):
            for nparts in (1, 2, 5):
                got = cdask.backtest(dd.from_pandas(df, npartitions=nparts), hierarchy=LEVELS, communities=comm,
                                     accuracy=accuracy, **kw)
                assert_same(got, want)
    w = want[0]
    assert w["mean"].isna().any() and w["mean"].notna().mean() > 0.9  # c8's early windows failed, the rest made


def test_warnings_and_progress_as_single_machine():
    """The failed windows' warning names the same first failure; progress counts nodes x windows, a task (a run
    of windows) at a time; a pandas frame is one task."""
    df, comm = city()
    kw = dict(model="naive", h=3, windows=4, step=2, hierarchy=LEVELS, communities=comm)
    with pytest.warns(civicast.ForecastWarning) as rec_want:
        want = civicast.backtest(df, **kw)
    seen = []
    with dask.config.set(scheduler="sync"), pytest.warns(civicast.ForecastWarning) as rec_got:
        got = cdask.backtest(dd.from_pandas(df, npartitions=3), progress=lambda d, t: seen.append((d, t)), **kw)
    assert_same(got, want)
    assert sorted(str(r.message) for r in rec_got) == sorted(str(r.message) for r in rec_want)
    n = civicast.Hierarchy(df, comm, LEVELS).n_nodes
    assert seen[0] == (0, 4 * n) and seen[-1] == (4 * n, 4 * n) and {t for _, t in seen} == {4 * n}
    assert sorted(np.diff([d for d, _ in seen])) == [n, n, 2 * n]  # tasks of windows [0, 1], [2] and [3]
    with pytest.warns(civicast.ForecastWarning):
        assert_same(cdask.backtest(df, **kw), want)


def test_refused_with_the_cure():
    df, comm = city()
    ddf = dd.from_pandas(df, npartitions=2)
    with pytest.raises(civicast.Error, match="hierarchy= needs communities="):
        cdask.backtest(ddf, h=2, hierarchy=LEVELS)
    with pytest.raises(civicast.Error, match="reconcile= and communities= need hierarchy= or groups="):
        cdask.backtest(ddf, h=2, communities=comm)
    with pytest.raises(civicast.Error, match="accuracy must be False, True or 'series'"):
        cdask.backtest(ddf, h=2, hierarchy=LEVELS, communities=comm, accuracy="node")
    with pytest.raises(civicast.Error, match="one model spec"):
        cdask.backtest(ddf, h=2, model=["naive", "ets"], hierarchy=LEVELS, communities=comm)
    ended = df[~((df["unique_id"] == "c1") & (df["ds"] == df["ds"].max()))]
    with pytest.raises(civicast.Error) as e:  # civicast.backtest's own refusal, before any task
        civicast.backtest(ended, h=2, hierarchy=LEVELS, communities=comm)
    with pytest.raises(civicast.Error) as got:
        cdask.backtest(dd.from_pandas(ended, npartitions=2), h=2, hierarchy=LEVELS, communities=comm)
    assert (got.value.status, got.value.message) == (e.value.status, e.value.message)


@pytest.mark.filterwarnings("ignore::civicast.ForecastWarning")
def test_local_cluster_equals_single_machine():
    distributed = pytest.importorskip("distributed")
    df, comm = city()
    kw = dict(model="naive", h=3, windows=3, hierarchy=LEVELS, communities=comm, accuracy="series")
    want = civicast.backtest(df, **kw)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster, distributed.Client(cluster):
        got = cdask.backtest(dd.from_pandas(df, npartitions=3), **kw)
    assert_same(got, want)


def test_frame_without_rows_as_single_machine():
    """A frame without rows gives civicast.backtest's empty windows (was a C message about series 0, 2026-12-07)."""
    df, comm = city()
    for accuracy in (False, "series"):
        want = civicast.backtest(df.iloc[:0], h=2, hierarchy=LEVELS, communities=comm, accuracy=accuracy)
        got = cdask.backtest(dd.from_pandas(df.iloc[:0], npartitions=1), h=2, hierarchy=LEVELS, communities=comm,
                             accuracy=accuracy)
        assert_same(got, want)
