"""civicast.backtest: rolling-origin evaluation of one or more model specs
(civ_backtest_panel), the windows' forecasts in statsforecast's
cross_validation layout and the accuracy table (civ_backtest_accuracy_table).
docs/FORECASTING.md ("Backtesting") and docs/PYTHON.md document it."""
import ctypes
import warnings

import numpy as np

from . import _lib
from ._lib import check, encode, lib
from .frame import (ForecastWarning, PanelData, _conformal, _forecast_options, _model_list, _Owned, _panel_text_values,
                    _standard_columns, count_dtypes, panel_frame, table_to_frame)

_FN = "civicast.backtest"


def _options(models, h, windows, step, level, threads, seed, ic, n_paths, nonnegative, intervals, conformal, keep):
    """civ_backtest_options: the forecast part exactly as forecast() builds it
    (frame._forecast_options), plus the models and the windows."""
    opt = _lib.civ_backtest_options()
    check(lib.civ_backtest_options_init(ctypes.byref(opt)))
    fo, fo_keep = _forecast_options(_FN, h, None, level, threads, seed, None, ic, n_paths, nonnegative, False,
                                    intervals, conformal)
    opt.forecast = fo
    specs = (ctypes.c_char_p * len(models))(*[encode(m) for m in models])
    opt.models = ctypes.cast(specs, ctypes.POINTER(ctypes.c_char_p))
    opt.n_models = len(models)
    opt.windows = _lib.whole(_FN, "windows", windows, 1)
    opt.step = _lib.whole(_FN, "step", step, 1)
    keep.extend([fo_keep, specs])  # alive for the call
    return opt


def _failures_in_words(fc):
    """Why backtest windows failed (civ_backtest_result_failure_counts), as `civicast backtest` says it."""
    parts = []
    if fc.no_data:
        parts.append(f"{fc.no_data} for series with no data yet at the cutoff")
    if fc.too_short:
        values = (f"{fc.min_values} value{'' if fc.min_values == 1 else 's'}" if fc.min_values == fc.max_values
                  else f"{fc.min_values}-{fc.max_values} values")
        parts.append(f"{fc.too_short} for series with only {values} by then, too few for the model")
    other = fc.failed - fc.no_data - fc.too_short
    if other:
        parts.append(f"{other} where the model could not be fitted")
    return f"{fc.failed} of {fc.total} backtest windows could not be made: " + ", ".join(parts)


def _windows_frame(pdata, res, models, K, step):
    """The cross_validation table with cutoff and ds in the input's date type."""
    t = _Owned(lib.civ_table_free)
    check(lib.civ_backtest_result_table(res, pdata.ptr, ctypes.byref(t.ptr)))
    with t:
        out = table_to_frame(t.ptr)
    if not len(out):
        return out
    H = len(out) // (len(pdata.ids) * K * len(models))
    M = len(models)
    k = np.repeat(np.arange(K), M * H)           # window of each row within a series
    j = np.tile(np.arange(H), K * M)             # step - 1
    cut = (pdata.n[:, None] - H - (K - 1 - k[None, :]) * step)  # training length c, per series x row
    first = (pdata.next_periods() - pdata.n)[:, None]  # a series with no value: windows as if it ended with the panel
    out["cutoff"] = pdata.spec.to_ds((first + cut - 1).ravel())
    out["ds"] = pdata.spec.to_ds((first + cut + j[None, :]).ravel())
    out["unique_id"] = pdata.ids_out(K * M * H)
    out["h"] = out["h"].astype(np.int64)
    return out


def backtest(df, model="auto", h=None, windows=3, step=1, level=(80, 95), threads=None, seed=None, ic="aicc",
             n_paths=None, nonnegative="auto", freq=None, accuracy=False, intervals=None, conformal_windows=None,
             conformal_step=None, conformal_sample=None, id_col=None, time_col=None, target_col=None, _spec=None,
             conformal_refit=None, progress=None, hierarchy=None, groups=None, communities=None, reconcile=None,
             thousands=None, percent=False):
    """Rolling-origin backtest of one model spec or a list of them on the
    long-format DataFrame `df` (unique_id, ds, y).

    For each series with n values, window k = 0..windows-1 trains on the first
    n - h - (windows-1-k)*step values and forecasts h steps, which are
    compared with the values that follow.  Returns the windows' forecasts in
    statsforecast's cross_validation layout, long: ``unique_id, cutoff, ds,
    h, y, model, mean, lo-80, hi-80, ...`` (model is the statsforecast name:
    AutoETS, AutoARIMA, Theta, ...).  With accuracy=True returns (windows,
    accuracy per model); with accuracy="series" (windows, accuracy per series
    and model).  Accuracy columns: model, windows, failed, n, MAE, RMSE, MAPE,
    sMAPE, MASE, RMSSE, bias, coverage-L, score-L, MSIS-L (formulas in
    docs/FORECASTING.md).  intervals="conformal" calibrates each window's
    intervals as forecast(intervals="conformal") would at that window's
    cutoff, from the values before it only (conformal_windows, conformal_step,
    conformal_sample, conformal_refit as in forecast()): the coverage of calibrated intervals
    on your own series, at one extra backtest per model and window.  Other
    arguments as civicast.forecast (id_col, time_col, target_col: the frame's
    own names of unique_id, ds and y; progress: a callable(done, total) of
    the model x series x window tasks, then of the conformal calibrations;
    an exception from it, or Ctrl-C, stops the run).  Results are identical
    for any thread count.

    With hierarchy= (nested attribute columns, top first) and/or groups= and
    communities= (as civicast.forecast's), each window forecasts every node
    of the hierarchy as forecast(hierarchy=...) would at that cutoff and
    reconciles it by each method of reconcile (a list; default ["base", "bu",
    "mint_shrink"], "base" = unreconciled): the windows get a level column
    first and model "AutoETS/mint_shrink"; accuracy=True is per level and
    method ("all" first), accuracy="series" per node (Hierarchy.backtest,
    one C call, civ_hier_backtest).  One model; intervals and conformal_*
    say how the base forecasts' intervals are made (None: conformal ones,
    calibrated on each window's history; "model": the models' own), from
    which the reconciled sample paths take their spreads.

    thousands, percent: how the frame's text y and covariates are written
    (pd.read_csv(dtype=str), pd.read_excel of text cells), as forecast()'s:
    "12,345" with thousands=",", "33.3%" as 0.333 with percent=True (the
    CLI's --thousands, --percent)."""
    if hierarchy is not None or groups is not None:
        if _spec is not None:
            raise _lib.invalid(f"{_FN}: hierarchy= is not backtested by partitions (a window needs every series "
                               "in one task)", "hierarchy")
        from .hier import backtest_hierarchy
        df = _panel_text_values(_standard_columns(panel_frame(df, _FN), id_col, time_col, target_col), _FN,
                                 thousands, percent)
        return backtest_hierarchy(df, communities, hierarchy, groups, reconcile, freq=freq, h=h, model=model,
                                  windows=windows, step=step, level=level, threads=threads, seed=seed, ic=ic,
                                  n_paths=n_paths, nonnegative=nonnegative, accuracy=accuracy, progress=progress,
                                  intervals=intervals, conformal_windows=conformal_windows,
                                  conformal_step=conformal_step, conformal_sample=conformal_sample,
                                  conformal_refit=conformal_refit)
    if reconcile is not None or communities is not None:
        raise _lib.invalid(f"{_FN}: reconcile= and communities= need hierarchy= or groups=", "reconcile")
    models = _model_list(_FN, model)
    if accuracy not in (False, True, "series"):
        raise _lib.invalid(f"{_FN}: accuracy must be False, True or 'series', got {accuracy!r}", "accuracy")
    keep = []
    opt = _options(models, h, windows, step, level, threads, seed, ic, n_paths, nonnegative, intervals,
                   _conformal(conformal_windows, conformal_step, conformal_sample, conformal_refit), keep)
    df = _panel_text_values(_standard_columns(panel_frame(df, _FN), id_col, time_col, target_col), _FN, thousands,
                             percent)
    pdata = PanelData(df, freq=freq, spec=_spec)  # _spec: civicast.dask's partitions share one layout
    res = _Owned(lib.civ_backtest_result_free)
    try:
        with _lib.stoppable(progress) as stop:  # Ctrl-C, or an exception from progress, stops the call
            opt.forecast.progress = stop.series
            check(lib.civ_backtest_panel(pdata.ptr, ctypes.byref(opt), ctypes.byref(res.ptr)))
        out = _windows_frame(pdata, res.ptr, models, opt.windows, opt.step)
        failed = lib.civ_backtest_result_n_failed(res.ptr)
        if failed:
            t = _Owned(lib.civ_table_free)
            check(lib.civ_backtest_failures_table(res.ptr, pdata.ptr, ctypes.byref(t.ptr)))
            with t:
                f = table_to_frame(t.ptr)
            fc = _lib.civ_backtest_failure_counts()
            check(lib.civ_backtest_result_failure_counts(res.ptr, pdata.ptr, ctypes.byref(fc)))
            warnings.warn(f"civicast: {_failures_in_words(fc)}; they keep their rows with NaN forecasts and are left "
                          f"out of the accuracy; first: series '{f.unique_id[0]}', {f.model[0]}, cutoff "
                          f"{f.cutoff[0]}: {f.message[0]}", ForecastWarning, stacklevel=2)
        kept = lib.civ_backtest_result_n_uncalibrated(res.ptr)
        if kept:
            warnings.warn(f"civicast: conformal intervals: {kept} backtest windows kept the model's intervals at some "
                          "steps, too few backtest scores before their cutoffs (docs/FORECASTING.md, \"Conformal "
                          "intervals\")", ForecastWarning, stacklevel=2)
        if not accuracy:
            return out
        t = _Owned(lib.civ_table_free)
        check(lib.civ_backtest_accuracy_table(res.ptr, pdata.ptr, int(accuracy == "series"), ctypes.byref(t.ptr)))
        with t:
            acc = count_dtypes(table_to_frame(t.ptr))  # windows, failed, n as int64
        if accuracy == "series" and len(acc):
            acc["unique_id"] = pdata.ids_out(len(models))
        return out, acc
    finally:
        res.close()
        pdata.handle.close()
