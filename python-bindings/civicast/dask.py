"""Dask helpers: civicast over a dask.dataframe partitioned by unique_id.

    import dask.dataframe as dd, civicast.dask
    ddf = dd.from_pandas(df, npartitions=8)            # or dd.read_csv / read_parquet
    fc = civicast.dask.forecast(ddf, h=12, model="auto").compute()

How (the pattern of LightGBM/XGBoost's Dask modules: the C library runs in
the workers, one call per partition):

1. The frame is set_index("unique_id") (a shuffle) unless it already is
   indexed by unique_id with known divisions, so every series lives in one
   partition and partitions hold consecutive ranges of sorted ids.
2. One cheap pass counts the series of each partition and infers the date
   layout (frequency, weekly phase, ds kind) of each; they must agree, else
   pass freq= explicitly.
3. Each partition is forecast by civicast.forecast's machinery.  The
   library seeds every series from (seed, unique_id), so its simulated
   intervals are those it would get in one big panel.  The result therefore
   equals civicast.forecast(df) on the whole frame exactly, row for row.

Workers must import civicast and load the library: they inherit PYTHONPATH
and CIV_LIBRARY from the environment that starts them (LocalCluster does).
Each task runs `threads` OpenMP threads (default 1: Dask provides the
parallelism; use threads_per_worker=1 workers).

Allocation couples every community (one budget, one multiplier per pool),
so civicast.dask.allocate gathers its inputs and runs the allocation
once; see its docstring.  Reconciliation couples every node of a
hierarchy, so civicast.dask.forecast(..., hierarchy=...) forecasts the
nodes in tasks and reconciles them once (see its docstring).
"""
import ctypes
import re

import numpy as np
import pandas as pd

from . import _lib, frame as _frame

__all__ = ["forecast", "backtest", "allocate", "partition_by_id"]


def _dd():
    import dask.dataframe as dd
    return dd


def partition_by_id(ddf):
    """ddf indexed by unique_id (string) with known divisions: each series in
    one partition, partitions in sorted id order."""
    if ddf.index.name == "unique_id" and ddf.known_divisions and ddf.index.dtype == object:
        return ddf  # string ids: the partitions' order is civicast's (string) order
    if ddf.index.name == "unique_id":
        ddf = ddf.reset_index()
    if "unique_id" not in ddf.columns:
        raise _frame.Error("CIV_ERR_MISSING_COLUMN", "the data needs a column 'unique_id'", field="unique_id")
    ddf = ddf.assign(unique_id=ddf["unique_id"].astype(str))
    return ddf.set_index("unique_id", sorted=False)


def _checked(ddf, id_col, time_col, target_col):
    """ddf with the standard names (civicast.forecast's id_col, time_col,
    target_col rules) and the dtype of its ids, its unique_id, ds and y
    checked on the metadata now, with civicast.forecast's Error, instead of
    in every worker at compute time.  A unique_id index is a column here
    (partition_by_id resets it)."""
    ddf = _frame._standard_columns(ddf, id_col, time_col, target_col)
    meta = ddf._meta
    if meta.index.name == "unique_id" and "unique_id" not in meta.columns:
        meta = meta.reset_index()
    _frame.require_panel_columns(meta)
    return ddf, meta["unique_id"].dtype


def _known_categories(id_dtype):
    """True for a categorical dtype whose categories the Dask metadata knows (dd.from_pandas of a
    categorical column; not after .cat.as_unknown() or a CSV read with dtype="category")."""
    return isinstance(id_dtype, pd.CategoricalDtype) and id_dtype.categories is not None and \
        "__UNKNOWN_CATEGORIES__" not in id_dtype.categories


def _id_dtype_out(id_dtype):
    """The dtype of unique_id in the results: the input's integer dtype,
    int64 for whole-number float ids, a categorical with known categories and
    pandas' string dtype as themselves (as civicast.forecast keeps them),
    else text (object)."""
    if isinstance(id_dtype, pd.CategoricalDtype):
        return id_dtype if _known_categories(id_dtype) else object
    if isinstance(id_dtype, pd.StringDtype) or pd.api.types.is_integer_dtype(id_dtype):  # string: convert_dtypes()'s
        return id_dtype
    return np.int64 if pd.api.types.is_float_dtype(id_dtype) else object


def _ids_back(out, id_dtype):
    """A partition's result with its ids (text after partition_by_id) back in
    the input's dtype, as civicast.forecast gives them: categoricals with known
    categories and pandas' string dtype by frame.text_ids_as, the one rule of
    forecast's and allocate's outputs (before 2026-12-07 a copy of it here);
    integer and whole-float ids by frame.ids_like; other ids stay text."""
    if _known_categories(id_dtype) or isinstance(id_dtype, pd.StringDtype):
        typed = _frame.text_ids_as(out["unique_id"].to_numpy(dtype=object), id_dtype)
        if typed is not None:
            out["unique_id"] = pd.Series(typed, index=out.index)
            return out
    if _id_dtype_out(id_dtype) is not object and len(out):
        _frame.ids_like(out, "unique_id", pd.DataFrame({"unique_id": pd.Series([], dtype=id_dtype)}))
    elif _id_dtype_out(id_dtype) is not object:
        out["unique_id"] = out["unique_id"].astype(_id_dtype_out(id_dtype))
    return out


def _survey(part, freq):
    """Per partition: number of series and its DateSpec (or None when empty)."""
    df = part.reset_index()
    if not len(df):
        return pd.DataFrame({"n": [0], "spec": [None]})
    codes, ids, _ = _frame._factorize_ids(df["unique_id"])
    _, spec = _frame.to_periods(df["ds"], codes, len(ids), freq)
    return pd.DataFrame({"n": [len(ids)], "spec": [spec]})


def _forecast_part(part, spec, kw, columns, id_dtype=object):
    df = part.reset_index()
    if not len(df):
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
    if not isinstance(kw["model"], (str, bytes)):  # several models: civicast.forecast's long layout
        k = dict(kw, models=list(kw["model"]), wide=False, intervals=None)
        del k["model"]
        return _ids_back(_frame._multi(df, spec=spec, **k), id_dtype)
    run = _frame._run(df, spec=spec, **kw)
    try:
        out = run.frame()
    finally:
        run.close()
        run.pdata.handle.close()
    return _ids_back(out, id_dtype)


def _meta(ddf, spec, level, id_dtype, multi=False):
    lv = [] if level is None else [float(x) for x in np.atleast_1d(level)]
    ds_dtype = {"str": object, "datetime": "datetime64[ns]", "period": None, "year": np.int64}[spec.kind]
    if spec.kind == "datetime" and spec.tz is not None:
        ds_dtype = pd.DatetimeTZDtype(tz=spec.tz)
    cols = {"unique_id": _id_dtype_out(id_dtype),
            "ds": ds_dtype if ds_dtype is not None else pd.PeriodDtype(spec.pd_freq),
            "h": np.int64, "model": object}
    if multi:
        cols["fitted_model"] = object
    cols["mean"] = np.float64
    for l in lv:
        lab = _frame._level_label(l)
        cols[f"lo-{lab}"] = np.float64
        cols[f"hi-{lab}"] = np.float64
    return cols


def _partitioned(ddf, id_col, time_col, target_col, freq, who):
    """The frame (a pandas one made a dask frame of one partition) checked (_checked: its id dtype), partitioned
    by unique_id, and its one date layout, surveyed over the partitions: partitions that disagree are refused
    (CIV_ERR_FREQUENCY), as is a frame without rows (ValueError naming civicast.dask.<who>)."""
    dd = _dd()
    if not isinstance(ddf, dd.DataFrame):
        ddf = dd.from_pandas(pd.DataFrame(ddf), npartitions=1)
    ddf, id_dtype = _checked(ddf, id_col, time_col, target_col)
    part = partition_by_id(ddf)
    survey = part.map_partitions(_survey, freq, meta={"n": np.int64, "spec": object}).compute()
    specs = {s for s in survey["spec"] if s is not None}
    if len(specs) > 1:
        raise _frame.Error("CIV_ERR_FREQUENCY", "partitions disagree on the date layout "
                           f"({', '.join(sorted(map(repr, specs)))}); pass freq= explicitly", field="ds")
    if not specs:
        raise _lib.invalid(f"civicast.dask.{who}: the frame has no rows")
    spec = specs.pop()
    return ddf, id_dtype, part, spec, [int(n) for n in survey["n"]]


def forecast(ddf, h=None, model="auto", level=(80, 95), threads=1, seed=None, xreg=None, ic="aicc",
             n_paths=None, nonnegative="auto", freq=None, integer=False, id_col=None, time_col=None,
             target_col=None, hierarchy=None, groups=None, communities=None, reconcile=None, progress=None,
             intervals=None):
    """civicast.forecast over a dask DataFrame (long format unique_id, ds, y,
    covariates); returns a lazy dask DataFrame with the same columns and,
    once computed, the same rows and values as civicast.forecast on the
    whole frame (unique_id in the input's dtype: integer ids as integers,
    text as text, a categorical with its categories when the Dask metadata
    knows them, else as text).  model may be a list of
    specs (["ets", "theta"]): civicast.forecast's long layout with `model`
    (AutoETS, Theta, ...) and `fitted_model`; compute it and pivot for the
    wide one.  id_col, time_col,
    target_col: the frame's own names of unique_id, ds and y, by
    civicast.forecast's rules.  A frame without unique_id, ds or y is
    refused here, from its metadata, with civicast.forecast's Error
    (CIV_ERR_MISSING_COLUMN), before any partition is read.  Call
    .compute().

    intervals: None or "model" (the models' own intervals: the only kind
    a partition can make alone); "conformal" is refused, since conformal
    intervals pool the backtest scores of the whole panel.

    hierarchy=, groups=, communities= (and reconcile=, default
    "mint_shrink") with intervals="model": every node of the hierarchy
    forecast across the workers and reconciled once (since 2026-12-07;
    refused before).  The call runs now and returns the computed pandas
    DataFrame of civicast.forecast(df, hierarchy=..., intervals="model"),
    equal to it exactly: the panel is gathered to sum the nodes
    (civicast.Hierarchy(...).aggregate()), the nodes' base forecasts (not
    clamped, with their fitted residuals) are made in ddf.npartitions tasks,
    and Hierarchy.reconcile_forecasts reconciles them with their sample
    paths.  Without intervals="model" a hierarchy is refused: the
    single-machine default calibrates the base intervals over every node
    (conformal), which tasks cannot share.

    progress: a callable(done, total), as civicast.forecast's, counting the
    series (x models for a list): the call then runs now and returns the
    computed pandas DataFrame (index 0..n-1), as civicast.dask.backtest
    does with its progress (done a partition at a time, in the calling
    thread; an exception from progress, or Ctrl-C, cancels the partitions
    not yet run and is raised)."""
    _check_progress("civicast.dask.forecast", progress)
    _check_intervals(intervals, hierarchy is not None or groups is not None)
    if hierarchy is not None or groups is not None or communities is not None or reconcile is not None:
        return _forecast_hierarchy(ddf, dict(h=h, model=model, level=level, threads=threads, seed=seed, ic=ic,
                                             n_paths=n_paths, nonnegative=nonnegative, freq=freq, integer=integer,
                                             xreg=xreg),
                                   dict(id_col=id_col, time_col=time_col, target_col=target_col),
                                   hierarchy, groups, communities, reconcile, progress)
    import dask
    dd = _dd()
    multi = not isinstance(model, (str, bytes))
    models = _frame._model_list("civicast.dask.forecast", model)  # arguments checked now, not in the workers
    _frame.check_arguments("civicast.dask.forecast", models, h, level, threads, seed, xreg, ic, n_paths, nonnegative,
                           integer)
    if multi:
        model = models
    ddf, id_dtype, part, spec, n_series = _partitioned(ddf, id_col, time_col, target_col, freq, "forecast")
    kw = dict(h=h, model=model, level=level, threads=threads, seed=seed, xreg=xreg, ic=ic, n_paths=n_paths,
              nonnegative=nonnegative, freq=None, integer=integer)
    cols = _meta(ddf, spec, level, id_dtype, multi=multi)
    meta = pd.DataFrame({c: pd.Series(dtype=t) for c, t in cols.items()})
    parts = part.to_delayed()
    tasks = [dask.delayed(_forecast_part)(p, spec, kw, cols, id_dtype) for p in parts]
    if progress is not None:
        return _frames_now(tasks, [n * len(models) for n in n_series], progress)
    return dd.from_delayed(tasks, meta=meta, verify_meta=False)


def _check_intervals(intervals, hierarchy):
    """civicast.dask.forecast's intervals=: "model" (None for a flat panel) is what partitions can make alone."""
    fn = "civicast.dask.forecast"
    if intervals not in (None, "model", "conformal"):
        raise _lib.invalid(f"{fn}: intervals must be 'model' (or None), got {intervals!r}", "intervals")
    if intervals == "conformal":
        raise _lib.invalid(f"{fn}: intervals='conformal' is not made per partition: conformal intervals pool the "
                           "backtest scores of every series of the panel; compute the frame and call "
                           "civicast.forecast(df, ..., intervals='conformal')", "intervals")
    if hierarchy and intervals is None:
        raise _lib.invalid(f"{fn}: a hierarchy's base intervals are conformal by default, calibrated over every "
                           "node at once, which tasks cannot share: pass intervals='model' (the models' own "
                           "intervals; exactly civicast.forecast(df, hierarchy=..., intervals='model')), or compute "
                           "the frame and call civicast.forecast(df, hierarchy=...) for conformal ones", "intervals")


def _node_forecasts(nodes, kw):
    """One task of a hierarchy's base forecasts: civicast.forecast of some nodes' frame, with their fitted
    residuals (the nodes' own: conformal intervals unless level is None, not clamped at zero)."""
    from .frame import forecast as _forecast
    return _forecast(nodes, fitted=True, **kw)


def _forecast_hierarchy(ddf, kw, names, hierarchy, groups, communities, reconcile, progress):
    """civicast.dask.forecast with a hierarchy: see its docstring."""
    import dask
    from .hier import Hierarchy
    fn = "civicast.dask.forecast"
    if communities is None:
        raise _lib.invalid(f"{fn}: hierarchy= needs communities= (a DataFrame or a path with unique_id and the "
                           "hierarchy's columns)", "communities")
    if kw["xreg"] is not None or not isinstance(kw["model"], (str, bytes)):
        raise _lib.invalid(f"{fn}: a hierarchy is forecast with one model spec and no xreg=, as civicast.forecast's",
                           "model" if kw["xreg"] is None else "xreg")
    _frame.check_arguments(fn, [kw["model"]], kw["h"], kw["level"], kw["threads"], kw["seed"], None, kw["ic"],
                           kw["n_paths"], kw["nonnegative"], kw["integer"])
    df = _frame._standard_columns(ddf, names["id_col"], names["time_col"], names["target_col"])
    df = df.compute() if hasattr(df, "compute") else df
    if df.index.name == "unique_id" and "unique_id" not in df.columns:
        df = df.reset_index()
    hz = Hierarchy(df, communities, hierarchy, groups, freq=kw["freq"])
    agg = hz.aggregate()
    ids = pd.unique(agg["unique_id"])
    tasks_wanted = max(1, min(getattr(ddf, "npartitions", 1), len(ids)))
    shares = [c for c in np.array_split(np.arange(len(ids)), tasks_wanted) if len(c)]
    base_kw = dict(h=kw["h"], model=kw["model"], level=kw["level"], threads=kw["threads"], seed=kw["seed"],
                   ic=kw["ic"], n_paths=kw["n_paths"], nonnegative="off", freq=kw["freq"], intervals="model")
    chunks = [agg[agg["unique_id"].isin(ids[c])] for c in shares]
    tasks = [dask.delayed(_node_forecasts)(c, base_kw) for c in chunks]
    if progress is not None:
        results = _compute_with_progress(tasks, [len(c) for c in shares], progress)
    else:
        results = list(dask.compute(*tasks))
    fc = pd.concat([r[0] for r in results], ignore_index=True)
    fitted = pd.concat([r[1] for r in results], ignore_index=True)
    nonneg = _frame._nonnegative(fn, kw["nonnegative"])
    if nonneg < 0:  # auto: on when no observation is negative, as civicast.forecast's hierarchy
        nonneg = int(not (pd.to_numeric(df["y"], errors="coerce") < 0).any())
    return hz.reconcile_forecasts(fc, fitted, method=reconcile or "mint_shrink", nonnegative=bool(nonneg),
                                  seed=kw["seed"], n_paths=kw["n_paths"], threads=kw["threads"])


def _empty(columns):
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})


def _accuracy_columns(cols, level):
    """The columns of the accuracy per series (civicast.backtest(accuracy="series")) and their dtypes."""
    acc_cols = {"unique_id": cols["unique_id"], "model": object}
    for c in ("windows", "failed", "n"):  # counts, int64 as civicast.backtest's
        acc_cols[c] = np.int64
    for c in ("MAE", "RMSE", "MAPE", "sMAPE", "MASE", "RMSSE", "bias"):
        acc_cols[c] = np.float64
    for lv in ([] if level is None else np.atleast_1d(level)):
        lab = _frame._level_label(float(lv))
        for k in ("coverage", "score", "MSIS"):
            acc_cols[f"{k}-{lab}"] = np.float64
    return acc_cols


def _backtest_part(part, spec, kw, wcols, acols, id_dtype=object):
    """One partition's backtest: the windows, or (windows, accuracy) when acols."""
    from ._backtest import backtest as _backtest
    df = part.reset_index()
    if not len(df):
        return (_empty(wcols), _empty(acols)) if acols else _empty(wcols)
    out = _backtest(df, _spec=spec, **kw)
    return tuple(_ids_back(o, id_dtype) for o in out) if acols else _ids_back(out, id_dtype)


def _distributed_client():
    """The distributed Client this process works with (distributed.get_client), or None: no distributed
    installed, or no client started."""
    try:
        from distributed import get_client
        return get_client()
    except (ImportError, ValueError):
        return None


def _compute_with_progress(tasks, weights, progress):
    """The delayed tasks computed now, their results in task order, with progress(done, total) called in the
    calling thread as each finishes (done: the weights of the tasks finished so far, total: all of them; first
    (0, total)).  On a distributed Client the tasks are its futures, taken as they complete
    (distributed.as_completed); else dask's own scheduler runs them with a callback after each task (dask
    calls it in the calling thread).  An exception from progress, or Ctrl-C, cancels what has not run and
    is raised as it was."""
    import dask
    total, done = int(sum(weights)), 0
    index = {t.key: k for k, t in enumerate(tasks)}
    progress(0, total)
    client = _distributed_client()
    if client is not None:
        from distributed import as_completed
        futures = client.compute(tasks)
        results = [None] * len(tasks)
        try:
            for fut in as_completed(futures):
                k = index[fut.key]
                results[k] = fut.result()  # a worker's civicast.Error is raised here, whole (it pickles)
                done += weights[k]
                progress(done, total)
        except BaseException:
            client.cancel(futures)
            raise
        return results
    from dask.callbacks import Callback

    def finished(key, result, dsk, state, worker_id):
        nonlocal done
        if key in index:
            done += weights[index[key]]
            progress(done, total)

    with Callback(posttask=finished):
        return list(dask.compute(*tasks))


def _check_progress(fn, progress):
    """progress= of every civicast.dask entry point that runs partitions: None or a callable(done, total);
    anything else is a WrongType (a TypeError) naming the call, before any partition is read."""
    if progress is not None and not callable(progress):
        raise _lib.invalid(f"{fn}: progress must be a callable(done, total) or None, got {progress!r}", "progress",
                           kind=TypeError)


def _frames_now(tasks, weights, progress, n_out=1):
    """The delayed tasks (each giving a pandas frame, or a tuple of n_out frames) computed now with
    progress(done, total) per task (_compute_with_progress); their frames concatenated in task order, index
    0..n-1: one frame, or a tuple of n_out."""
    results = _compute_with_progress(tasks, weights, progress)
    if n_out == 1:
        return pd.concat(results, ignore_index=True)
    return tuple(pd.concat([r[k] for r in results], ignore_index=True) for k in range(n_out))


def backtest(ddf, model="auto", h=None, windows=3, step=1, level=(80, 95), threads=1, seed=None, ic="aicc",
             n_paths=None, nonnegative="auto", freq=None, accuracy=False, intervals=None, id_col=None,
             time_col=None, target_col=None, hierarchy=None, groups=None, communities=None, reconcile=None,
             progress=None):
    """civicast.backtest over a dask DataFrame partitioned by unique_id (as
    civicast.dask.forecast): a lazy DataFrame of the windows' forecasts
    (unique_id, cutoff, ds, h, y, model, mean, lo-L, hi-L), equal row for row
    to civicast.backtest on the whole frame (every window is seeded by its
    series id).  accuracy="series" returns (windows, accuracy per series and
    model), both lazy; the accuracy per model pools every series, so it needs
    the whole panel: compute the frame and call civicast.backtest.
    intervals: None or "model"; conformal intervals are calibrated over the
    whole panel, so they are refused here (civicast.backtest has them).
    id_col, time_col, target_col, and the check of unique_id, ds and y on
    the metadata: as civicast.dask.forecast.

    hierarchy=, groups=, communities=, reconcile= (since 2026-12-07;
    refused before): the call runs now and returns the pandas result of
    civicast.backtest(df, hierarchy=..., ...) on the whole frame, exactly
    (windows; with accuracy=True or "series" also the accuracy per level or
    per node; intervals None = conformal base intervals, or "model").  The
    tasks split the windows, not the series: ddf.npartitions runs of
    consecutive windows, each backtested on the panel cut after its last
    window's targets, their forecasts scored by the C library against the
    whole panel (docs/PYTHON.md, "A hierarchy's backtest over Dask").

    progress: a callable(done, total), as civicast.backtest's, counting the
    model x series x window tasks: the call then runs now (on the distributed
    Client when one is started, its partitions taken as they complete with
    distributed.as_completed; else on dask's scheduler) and returns pandas
    DataFrames, the computed result (index 0..n-1), instead of lazy ones;
    done grows a partition at a time (first (0, total), last (total,
    total)), in the calling thread.  An exception from progress, or Ctrl-C,
    cancels the partitions not yet run and is raised."""
    if hierarchy is not None or groups is not None or communities is not None or reconcile is not None:
        return _backtest_hierarchy(ddf, dict(h=h, model=model, windows=windows, step=step, level=level,
                                             threads=threads, seed=seed, ic=ic, n_paths=n_paths,
                                             nonnegative=nonnegative, intervals=intervals),
                                   dict(id_col=id_col, time_col=time_col, target_col=target_col, freq=freq),
                                   (hierarchy, groups, communities, reconcile), accuracy, progress)
    import dask
    dd = _dd()
    if intervals == "conformal":
        raise _lib.invalid("civicast.dask.backtest: conformal intervals are calibrated over the whole panel, not one "
                           "partition; compute the frame and call civicast.backtest(df, intervals='conformal')")
    if intervals not in (None, "model"):
        raise _lib.invalid(f"civicast.dask.backtest: intervals must be None or 'model', got {intervals!r}")
    if accuracy not in (False, "series"):
        raise _lib.invalid("civicast.dask.backtest: accuracy is False or 'series' (the accuracy per model pools "
                           "every series: use civicast.backtest on the computed frame)")
    fn = "civicast.dask.backtest"
    _check_progress(fn, progress)
    models = _frame._model_list(fn, model)
    _frame.check_arguments(fn, models, h, level, threads, seed, None, ic, n_paths, nonnegative)
    _lib.whole(fn, "windows", windows, 1)
    _lib.whole(fn, "step", step, 1)
    ddf, id_dtype, part, spec, n_series = _partitioned(ddf, id_col, time_col, target_col, freq, "backtest")
    kw = dict(model=model, h=h, windows=windows, step=step, level=level, threads=threads, seed=seed, ic=ic,
              n_paths=n_paths, nonnegative=nonnegative, accuracy=accuracy)
    cols = _meta(ddf, spec, level, id_dtype)
    wcols = {"unique_id": cols["unique_id"], "cutoff": cols["ds"], "ds": cols["ds"], "h": np.int64, "y": np.float64,
             "model": object, "mean": np.float64}
    wcols.update({c: t for c, t in cols.items() if c.startswith(("lo-", "hi-"))})
    parts = part.to_delayed()
    wmeta = pd.DataFrame({c: pd.Series(dtype=t) for c, t in wcols.items()})
    acc_cols = _accuracy_columns(cols, level) if accuracy else None
    if progress is not None:
        weights = [n * len(models) * int(windows) for n in n_series]  # civicast.backtest's tasks, per partition
        tasks = [dask.delayed(_backtest_part)(p, spec, kw, wcols, acc_cols, id_dtype) for p in parts]
        return _frames_now(tasks, weights, progress, 2 if acc_cols else 1)
    if not accuracy:
        tasks = [dask.delayed(_backtest_part)(p, spec, kw, wcols, None, id_dtype) for p in parts]
        return dd.from_delayed(tasks, meta=wmeta, verify_meta=False)
    both = [dask.delayed(_backtest_part)(p, spec, kw, wcols, acc_cols, id_dtype) for p in parts]
    wins = dd.from_delayed([dask.delayed(lambda r: r[0])(b) for b in both], meta=wmeta, verify_meta=False)
    ameta = pd.DataFrame({c: pd.Series(dtype=t) for c, t in acc_cols.items()})
    accs = dd.from_delayed([dask.delayed(lambda r: r[1])(b) for b in both], meta=ameta, verify_meta=False)
    return wins, accs


_BT = "civicast.dask.backtest"


def _window_runs(ddf, windows):
    """The windows 0..windows-1 (oldest first) in consecutive runs, one per task: as many tasks as ddf has
    partitions (one for a pandas frame), at most one per window."""
    n = max(1, min(getattr(ddf, "npartitions", 1), windows))
    return [[int(k) for k in r] for r in np.array_split(np.arange(windows), n) if len(r)]


def _panel_until(df, periods, last, spec):
    """The rows of df (periods: each row's period) before period `last`, and one row per series at `last` with
    y 0: every series of the task's panel ends at `last`, as a hierarchy's must, and has an observation, and
    what its windows see is the whole panel's, since every cutoff of the task is before `last` (h >= 1): the
    values before the cutoff, none for a series that starts later (civ_panel_cut counts it as 0)."""
    codes, ids, _ = _frame._factorize_ids(df["unique_id"])
    first_row = np.full(len(ids), len(df), dtype=np.int64)
    np.minimum.at(first_row, codes, np.arange(len(df)))
    end = df.iloc[first_row].copy()
    end["ds"] = spec.to_ds(np.full(len(end), last, dtype=np.int64))
    end["y"] = 0.0
    return pd.concat([df[periods < last], end], ignore_index=True)


def _hier_windows(df, structure, spec, bkw):
    """One task of a hierarchy's backtest: civ_hier_backtest of the panel `df` (cut after its last window's
    targets, _panel_until) with the whole panel's date layout; its windows as arrays (node, window, model, step
    order), its failed windows by their (node, window, model) block and its count of uncalibrated windows."""
    from .hier import Hierarchy
    hierarchy, groups, communities, reconcile = structure
    hz = Hierarchy(df, communities, hierarchy, groups, _spec=spec)
    keep, res, table = [], _frame._Owned(_lib.lib.civ_backtest_result_free), _frame._Owned(_lib.lib.civ_table_free)
    nodes, fails = _frame._Owned(_lib.lib.civ_panel_free), _frame._Owned(_lib.lib.civ_table_free)
    with res, table, nodes, fails, _lib.stoppable(None) as stop:
        opt = hz._backtest_options(_BT, bkw["h"], bkw["model"], bkw["windows"], bkw["step"], bkw["level"],
                                   bkw["threads"], bkw["seed"], bkw["ic"], bkw["n_paths"], bkw["nonnegative"],
                                   reconcile, stop.series, keep, bkw["intervals"])
        _lib.check(_lib.lib.civ_hier_backtest(hz._h.ptr, hz.pdata.ptr, ctypes.byref(opt), ctypes.byref(res.ptr)))
        _lib.check(_lib.lib.civ_hier_backtest_table(res.ptr, hz._h.ptr, hz.pdata.ptr, ctypes.byref(table.ptr)))
        win = _frame.table_to_frame(table.ptr)
        _lib.check(_lib.lib.civ_hier_aggregate(hz._h.ptr, hz.pdata.ptr, ctypes.byref(nodes.ptr)))
        _lib.check(_lib.lib.civ_backtest_failures_table(res.ptr, nodes.ptr, ctypes.byref(fails.ptr)))
        failed = _frame.table_to_frame(fails.ptr)
        uncalibrated = int(_lib.lib.civ_backtest_result_n_uncalibrated(res.ptr))
    H = int(win["h"].max())
    starts = win.iloc[::H]  # the first step of each (node, window, model) block
    block = {(str(u), str(m), str(c)): b for b, (u, m, c) in
             enumerate(zip(starts["unique_id"], starts["model"], starts["cutoff"]))}
    lo = [c for c in win.columns if str(c).startswith("lo-")]
    return dict(models=list(pd.unique(starts["model"])), H=H, mean=win["mean"].to_numpy(np.float64),
                lower=[win[c].to_numpy(np.float64) for c in lo],
                upper=[win["hi-" + str(c)[3:]].to_numpy(np.float64) for c in lo],
                failed={block[(str(u), str(m), str(c))]: (_lib.STATUS_CODES.get(st, -1), msg) for u, m, c, st, msg in
                        zip(failed["unique_id"], failed["model"], failed["cutoff"], failed["status"],
                            failed["message"])},
                uncalibrated=uncalibrated)


def _filled_result(res, parts, runs, n_nodes, step, levels):
    """res.ptr: a civ_backtest_result of n_nodes nodes and every window of runs, filled from the tasks' parts
    (_hier_windows), as civ_hier_backtest fills it in one run."""
    lib = _lib.lib
    models, H, K = parts[0]["models"], parts[0]["H"], sum(map(len, runs))
    M, L = len(models), len(levels)
    names = (ctypes.c_char_p * M)(*[_lib.encode(m) for m in models])
    lv = (ctypes.c_double * max(1, L))(*levels)
    _lib.check(lib.civ_backtest_result_create(names, M, n_nodes, K, H, step, lv, L, ctypes.byref(res.ptr)))
    for part, run in zip(parts, runs):
        Kt = len(run)
        mean = part["mean"].reshape(n_nodes, Kt, M, H)
        lower = np.stack(part["lower"]).reshape(L, n_nodes, Kt, M, H) if L else None
        upper = np.stack(part["upper"]).reshape(L, n_nodes, Kt, M, H) if L else None
        for node in range(n_nodes):
            for j, k in enumerate(run):
                for m in range(M):
                    why = part["failed"].get((node * Kt + j) * M + m)
                    if why is not None:  # civ_hier_backtest's message numbers the window in the whole run
                        msg = re.sub(f"^window {j + 1} of {Kt}: ", f"window {k + 1} of {K}: ", why[1])
                        _lib.check(lib.civ_backtest_result_set(res.ptr, m, node, k, why[0], _lib.encode(msg), None,
                                                               None, None))
                        continue
                    mu = np.ascontiguousarray(mean[node, j, m])
                    lo = np.ascontiguousarray(lower[:, node, j, m].ravel()) if L else np.zeros(1)
                    hi = np.ascontiguousarray(upper[:, node, j, m].ravel()) if L else np.zeros(1)
                    _lib.check(lib.civ_backtest_result_set(res.ptr, m, node, k, 0, None, _frame._ptr(mu),
                                                           _frame._ptr(lo), _frame._ptr(hi)))
        _lib.check(lib.civ_backtest_result_add_uncalibrated(res.ptr, part["uncalibrated"]))


def _backtest_hierarchy(ddf, bkw, names, structure, accuracy, progress):
    """civicast.dask.backtest with a hierarchy (see its docstring): the panel gathered and checked as
    civicast.backtest checks it, the windows run in tasks of consecutive windows, each on the panel cut after
    its last window's targets (a window's forecasts depend only on the panel up to its cutoff and its targets
    on the h periods after: civ_hier_backtest, whose seeds do not depend on the window), and their forecasts put
    in one civ_backtest_result that the C library scores against the whole panel, as civicast.backtest does."""
    import dask
    from .hier import Hierarchy
    hierarchy, groups, communities, reconcile = structure
    _check_progress(_BT, progress)
    if hierarchy is None and groups is None:
        raise _lib.invalid(f"{_BT}: reconcile= and communities= need hierarchy= or groups=", "reconcile")
    if communities is None:
        raise _lib.invalid(f"{_BT}: hierarchy= needs communities= (a DataFrame or a path with unique_id and the "
                           "hierarchy's columns)", "communities")
    if accuracy not in (False, True, "series"):
        raise _lib.invalid(f"{_BT}: accuracy must be False, True or 'series', got {accuracy!r}", "accuracy")
    if bkw["intervals"] not in (None, "model", "conformal"):
        raise _lib.invalid(f"{_BT}: intervals must be None, 'model' or 'conformal', got {bkw['intervals']!r}",
                           "intervals")
    K, step = _lib.whole(_BT, "windows", bkw["windows"], 1), _lib.whole(_BT, "step", bkw["step"], 1)
    df = _frame._standard_columns(ddf, names["id_col"], names["time_col"], names["target_col"])
    df = df.compute() if hasattr(df, "compute") else _frame.panel_frame(df, _BT)
    if df.index.name == "unique_id" and "unique_id" not in df.columns:
        df = df.reset_index()
    df = df.reset_index(drop=True)
    hz = Hierarchy(df, communities, hierarchy, groups, freq=names["freq"])
    methods = ("base", "bu", "mint_shrink") if reconcile is None else reconcile
    hz._backtest_options(_BT, bkw["h"], bkw["model"], K, step, bkw["level"], bkw["threads"], bkw["seed"],
                         bkw["ic"], bkw["n_paths"], bkw["nonnegative"], methods, _lib.stoppable(None).series, [],
                         bkw["intervals"])  # the arguments checked now, not in the tasks
    if not hz.n_bottom:  # no rows: civicast.backtest's empty result, without tasks
        return hz.backtest(bkw["h"], bkw["model"], K, step, bkw["level"], methods, bkw["threads"], bkw["seed"],
                           bkw["ic"], bkw["n_paths"], bkw["nonnegative"], accuracy, intervals=bkw["intervals"])
    hz._warn_gaps()
    end = _common_end(hz)
    runs = _window_runs(ddf, K)
    spec, periods = hz.pdata.spec, np.asarray(hz.pdata.periods_of_rows, dtype=np.int64)
    structure = (hierarchy, groups, communities, methods)
    tasks = [dask.delayed(_hier_windows)(_panel_until(df, periods, end - (K - 1 - r[-1]) * step, spec), structure,
                                         spec, dict(bkw, windows=len(r), step=step)) for r in runs]
    if progress is not None:
        parts = _compute_with_progress(tasks, [hz.n_nodes * len(r) for r in runs], progress)
    else:
        parts = list(dask.compute(*tasks))
    res = _frame._Owned(_lib.lib.civ_backtest_result_free)
    with res:
        _filled_result(res, parts, runs, hz.n_nodes, step, _frame._levels(_BT, bkw["level"]))
        return hz._backtest_frames(res.ptr, accuracy, stacklevel=4)


def _common_end(hz):
    """The period every series of hz's panel ends at (civ_hier_aggregate's rule, refused as civicast.backtest
    refuses it: CIV_ERR_DOMAIN names the series that end elsewhere)."""
    lib, agg = _lib.lib, _frame._Owned(_lib.lib.civ_panel_free)
    with agg:
        _lib.check(lib.civ_hier_aggregate(hz._h.ptr, hz.pdata.ptr, ctypes.byref(agg.ptr)))
        n, start = ctypes.c_size_t(), ctypes.c_int64()
        _lib.check(lib.civ_panel_series(agg.ptr, 0, None, ctypes.byref(n), ctypes.byref(start)))
        return int(start.value) + int(n.value) - 1


def _same(part):
    return part


def _gathered(frames, progress):
    """The dask frames among `frames` computed (pandas frames pass through), as .compute() gives them; with
    progress, their partitions computed together, progress(done, total) counting partitions
    (_compute_with_progress)."""
    dd = _dd()
    lazy = [k for k, f in enumerate(frames) if isinstance(f, dd.DataFrame)]
    if progress is None or not lazy:
        return [f.compute() if k in lazy else f for k, f in enumerate(frames)]
    import dask
    # each partition a task of its own (a from_pandas partition is data in the graph, which no task computes, so
    # dask's scheduler would call no callback for it)
    parts = [[dask.delayed(_same)(p) for p in frames[k].to_delayed()] for k in lazy]
    results = _compute_with_progress([p for ps in parts for p in ps], [1] * sum(map(len, parts)), progress)
    out, at = list(frames), 0
    for k, ps in zip(lazy, parts):
        out[k], at = pd.concat(results[at:at + len(ps)]), at + len(ps)
    return out


def allocate(communities, spec, forecasts=None, explain=False, progress=None):
    """civicast.allocate with dask (or pandas) inputs.

    The factor method divides each pool by one multiplier that depends on
    every community (civ_alloc_solve), so the allocation itself is one
    computation: the partitions of `forecasts` are computed in the workers
    and gathered, whole (a factor sums the forecasts dated in the fiscal year
    by their `ds`), with `communities`, and allocated once.  The C library binds communities in id
    order, so the result does not depend on how the rows were partitioned and
    equals civicast.allocate on the same data exactly; rows come back in the
    order of the gathered communities.  Returns (allocation, summary).

    progress: None or a callable(done, total) counting the partitions of the
    dask inputs (communities and forecasts; e.g. the lazy result of
    civicast.dask.forecast, whose forecasting runs in them): called in the
    calling thread as each is gathered, first (0, total), last (total,
    total), before the one allocation; an exception from it, or Ctrl-C,
    cancels the partitions not yet computed and is raised."""
    _check_progress("civicast.dask.allocate", progress)
    dd = _dd()
    if isinstance(communities, dd.DataFrame) and communities.index.name == "unique_id":
        communities = communities.reset_index()
    if isinstance(forecasts, dd.DataFrame) and forecasts.index.name == "unique_id":
        forecasts = forecasts.reset_index()
    communities, forecasts = _gathered([communities, forecasts], progress)
    if isinstance(communities, pd.DataFrame) and communities.index.name == "unique_id":
        communities = communities.reset_index()
    return _frame.allocate(communities, spec, forecasts, explain=explain)
