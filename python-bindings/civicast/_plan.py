"""_plan.py -- the whole job from one plan file, over civ_plan_read /
civ_plan_run / civ_plan_result_write (engine/src/plan; docs/ALLOCATION.md,
"Plan"), the model families (civ_model_family_*), and civ_error_restore.

    settings = civicast.read_plan("datasets/demo_city/plan.toml")
    tables = civicast.plan("datasets/demo_city/plan.toml", model="snaive")
    tables["allocation"], tables["need_summary"], ...

The same C calls as `civicast plan`, so the tables are the command's files.
"""
import ctypes
import os

import numpy as np

from . import _hdf5_probe, _lib
from ._lib import Error, check, encode, lib
from .monitor import monitor_dtypes
from .frame import (_ALLOC_TEXT_COLUMNS, ForecastWarning, _Owned, _column_name, _conformal, _conformal_fields,
                    _csv_options, _dec, _layout_wide, _percent, _read_table, _sheet, _warn_uncalibrated,
                    allocation_dtypes, closed_frame, count_dtypes, discontinued_frame, ids_like, money_dtypes,
                    need_dtypes, scope_ids_like, table_to_frame)


def model_families():
    """The model families a spec is tried against, in that order: a list of
    dicts with "family", "summary" and "specs" (the specs it accepts)."""
    return [{"family": _dec(lib.civ_model_family_name(i)), "summary": _dec(lib.civ_model_family_summary(i)),
             "specs": _dec(lib.civ_model_family_specs(i))} for i in range(lib.civ_model_family_count())]


def restore_error(error):
    """Re-records a civicast.Error (e.g. one sent back by another process)
    as this thread's last C error with civ_error_restore, and returns the
    Error the library then reports (equal fields).  Errors: civicast.Error
    CIV_ERR_INVALID_ARGUMENT for a status that is not a failure."""
    e = _lib.civ_error()
    e.status = error.code
    for name in ("message", "file", "series_id", "field"):
        size = getattr(_lib.civ_error, name).size  # bytes of the char array, with its NUL
        setattr(e, name, encode(getattr(error, name) or "")[:size - 1])
    e.line, e.column = error.line, error.column
    status = lib.civ_error_restore(ctypes.byref(e))
    if status != error.code:
        check(status)
    return _lib.last_error()


def _plan_handle(path):
    p = _Owned(lib.civ_plan_free)
    check(lib.civ_plan_read(encode(os.fspath(path)), ctypes.byref(p.ptr)))
    return p


def _conformal_settings(ptr):
    """[forecast] conformal_* as (windows, step, sample, refit) ctypes values."""
    w, st, sm, rf = _lib._S(), _lib._S(), _lib._S(), _lib._I()
    check(lib.civ_plan_conformal(ptr, ctypes.byref(w), ctypes.byref(st), ctypes.byref(sm), ctypes.byref(rf)))
    return w, st, sm, rf


# The plan's inputs with their own rows-above-the-header key ([plan] panel_skip_rows, ..., [monitor]
# actuals_skip_rows, ...; civ_plan_skip_rows).
_PLAN_SKIP_INPUTS = ("panel", "communities", "last_year", "actuals", "risks", "events", "demand_actuals")


def _skip_rows(ptr):
    """{input: rows} of the inputs whose key sets rows above the header (civ_plan_skip_rows)."""
    out = {}
    for name in _PLAN_SKIP_INPUTS:
        n = _lib._I()
        check(lib.civ_plan_skip_rows(ptr, encode(name), ctypes.byref(n)))
        if n.value:
            out[name] = n.value
    return out


def _settings(ptr):
    levels = _lib.c_double_p()
    n = lib.civ_plan_levels(ptr, ctypes.byref(levels))
    w, st, sm, rf = _conformal_settings(ptr)
    warn_h, threshold = ctypes.c_size_t(), ctypes.c_double()
    check(lib.civ_plan_warning(ptr, ctypes.byref(warn_h), ctypes.byref(threshold)))
    local, offset = ctypes.c_int(), ctypes.c_double()
    check(lib.civ_plan_event_times(ptr, ctypes.byref(local), ctypes.byref(offset)))
    return {
        "path": _dec(lib.civ_plan_path(ptr)),
        "panel": _dec(lib.civ_plan_panel(ptr)),
        "communities": _dec(lib.civ_plan_communities(ptr)),
        "spec": _dec(lib.civ_plan_spec(ptr)),
        "out": _dec(lib.civ_plan_out(ptr)) or None,
        "model": _dec(lib.civ_plan_model(ptr)),
        "horizon": lib.civ_plan_horizon(ptr),
        "levels": [levels[i] for i in range(n)],
        "threads": lib.civ_plan_threads(ptr),
        "intervals": {1: "model", 2: "conformal"}.get(lib.civ_plan_intervals(ptr)),
        "totals": _dec(lib.civ_plan_totals(ptr)),
        "conformal_windows": w.value or None,
        "conformal_step": st.value or None,
        "conformal_sample": "all" if sm.value == _lib.SIZE_MAX else (sm.value or None),
        "conformal_refit": {1: "search", 2: "fixed"}.get(rf.value),
        "id_column": _dec(lib.civ_plan_id_column(ptr)) or None,
        "time_column": _dec(lib.civ_plan_time_column(ptr)) or None,
        "target_column": _dec(lib.civ_plan_target_column(ptr)) or None,
        "layout": "wide" if lib.civ_plan_wide(ptr) else "long",
        "freq": _dec(lib.civ_plan_freq(ptr)) or None,
        "encoding": _dec(lib.civ_plan_encoding(ptr)) or None,
        "thousands": _dec(lib.civ_plan_thousands(ptr)) or None,
        "percent": bool(lib.civ_plan_percent(ptr)),
        "panel_sheet": _dec(lib.civ_plan_panel_sheet(ptr)) or None,
        "communities_sheet": _dec(lib.civ_plan_communities_sheet(ptr)) or None,
        "last_year_sheet": _dec(lib.civ_plan_last_year_sheet(ptr)) or None,
        "skip_rows": _skip_rows(ptr),
        "seed": lib.civ_plan_seed(ptr),
        "draws": lib.civ_plan_draws(ptr),
        "uncertainty_seed": lib.civ_plan_uncertainty_seed(ptr),
        "has_need": bool(lib.civ_plan_has_need(ptr)),
        "has_backtest": bool(lib.civ_plan_has_backtest(ptr)),
        "has_monitor": bool(lib.civ_plan_has_monitor(ptr)),
        "warn_horizon": warn_h.value,
        "threshold": threshold.value,
        "warn_model": _dec(lib.civ_plan_warn_model(ptr)),
        "local_times": bool(local.value),
        "utc_offset_hours": offset.value,
        "lang": _dec(lib.civ_plan_lang(ptr)),
    }


def read_plan(path):
    """Reads a plan file (civ_plan_read) into a dict of its settings: path,
    panel, communities, spec (resolved against the plan's folder), out (None
    when the plan has none), model, horizon, levels, threads, intervals
    ("model", "conformal" or None: not set, the model's), conformal_windows,
    conformal_step, conformal_sample, conformal_refit ([forecast]
    conformal_*: None when not set, the library's defaults), id_column,
    time_column, target_column (the input files' own names of unique_id,
    ds and y, or None), layout ("long" or "wide": the panel has a column
    per period), freq, encoding, thousands ([plan] freq, encoding,
    thousands, or None), percent ([plan] percent), panel_sheet and
    communities_sheet ([plan] panel_sheet, communities_sheet: the sheets
    of .xlsx inputs, or None), last_year_sheet ([plan] last_year_sheet, or
    None), skip_rows ({input: rows} of the inputs whose own key skips rows
    above their header: [plan] panel_skip_rows, communities_skip_rows,
    last_year_skip_rows, [monitor] actuals_skip_rows, risks_skip_rows,
    events_skip_rows, demand_actuals_skip_rows; {} when none), seed, draws,
    uncertainty_seed, has_need (the plan has its own [need]), has_backtest
    (the plan has a [backtest] section), has_monitor (a [monitor] section),
    warn_horizon, threshold and warn_model (the early warning of the
    monitoring stage: [monitor] warn_horizon, 0 = none; threshold as a
    probability, "80%" is 0.8, default 0.5; warn_model, else the plan's
    model; civ_plan_warning, civ_plan_warn_model), local_times and
    utc_offset_hours ([monitor] local_times: the events' times without a
    zone read as local time, UTC + utc_offset_hours (default 8), as
    inactivity_alerts(local_times=True, utc_offset_hours=...);
    civ_plan_event_times),
    lang ([plan] lang:
    "zh" or "en", the report's and the explanations' language).  Errors:
    civicast.Error with file:line:column and the key."""
    with _plan_handle(path) as p:
        return _settings(p.ptr)


def _read_panel_guarded(path, isolate):
    """An .h5 panel through the child process's clean copy (as the command
    does); None for other files (the library reads them itself)."""
    if not (_hdf5_probe.is_hdf5_path(path) and _hdf5_probe.guard_enabled(isolate)):
        return None
    with _hdf5_probe.clean_copy(path, "panel") as (copy, what):
        p = _Owned(lib.civ_panel_free)
        check(lib.civ_panel_read(encode(copy if what is not None else path), ctypes.byref(p.ptr)))
        return p


def _apply(p, out, model, h, threads, draws, intervals=None, columns=(None, None, None), layout=None,
           inputs=(None, None, None, None), conformal=(None, None, None, None), lang=None, last_year=None,
           totals=None):
    if totals is not None:
        if totals not in ("bu", "sum"):
            raise _lib.invalid(f"civicast.plan: totals must be None, 'bu' or 'sum', got {totals!r}", "totals")
        check(lib.civ_plan_set_totals(p.ptr, encode(totals)))
    if last_year is not None:
        check(lib.civ_plan_set_last_year(p.ptr, encode(os.fspath(last_year))))
    if out is not None:
        check(lib.civ_plan_set_out(p.ptr, encode(os.fspath(out))))
    if model is not None:
        check(lib.civ_plan_set_model(p.ptr, encode(model)))
    if h is not None:
        check(lib.civ_plan_set_horizon(p.ptr, _lib.whole("civicast.plan", "h", h, 0)))
    if threads is not None:
        check(lib.civ_plan_set_threads(p.ptr, _lib.whole("civicast.plan", "threads", threads, 0)))
    if draws is not None:
        check(lib.civ_plan_set_draws(p.ptr, _lib.whole("civicast.plan", "draws", draws, 0)))
    if intervals is not None:
        if intervals not in ("model", "conformal"):
            raise _lib.invalid(f"civicast.plan: intervals must be None, 'model' or 'conformal', got {intervals!r}",
                               "intervals")
        check(lib.civ_plan_set_intervals(p.ptr, _lib.INTERVALS[intervals]))
    given = _conformal_fields("civicast.plan", _conformal(*conformal))
    if given:  # what is not given is kept
        now = dict(zip(("conformal_windows", "conformal_step", "conformal_sample", "conformal_refit"),
                       (v.value for v in _conformal_settings(p.ptr))))
        now.update(given)
        check(lib.civ_plan_set_conformal(p.ptr, now["conformal_windows"], now["conformal_step"],
                                         now["conformal_sample"], now["conformal_refit"]))
    if any(c is not None for c in columns):
        names = [_column_name(what, c) for what, c in zip(("id_col", "time_col", "target_col"), columns)]
        check(lib.civ_plan_set_columns(p.ptr, *names))
    if lang is not None:
        if lang not in ("zh", "en"):
            raise _lib.invalid(f"civicast.plan: lang must be 'zh' or 'en', got {lang!r}", "lang")
        check(lib.civ_plan_set_lang(p.ptr, encode(lang)))
    if layout is not None:
        check(lib.civ_plan_set_wide(p.ptr, _layout_wide(layout, "civicast.plan")))
    if any(v is not None for v in inputs):
        for what, v in zip(("freq", "encoding", "thousands"), inputs[:3]):
            if v is not None and not isinstance(v, str):
                raise _lib.invalid(f"civicast.plan: {what} must be a string, got {v!r}")
        percent = -1 if inputs[3] is None else _percent(inputs[3], "civicast.plan")
        check(lib.civ_plan_set_input(p.ptr, *(encode(v) if v is not None else None for v in inputs[:3]), percent))


# The plan's tables of its [monitor] stage (the forecasts of demand checked against the actuals: demand).
_MONITOR_TABLES = ("monitor_status", "monitor_alerts", "warning", "warning_steps", "risks", "risk_matrix",
                   "inactivity", "demand")


def _warn_totals(note):
    """forecast_totals made by "sum" although totals asked for "bu" (civ_plan_stats.totals_note), as `civicast
    plan` prints it."""
    if note:
        import warnings
        warnings.warn(f"civicast.plan: forecast_totals: the communities' bounds added up (bottom-up could not be "
                      f"made: {note})", ForecastWarning, stacklevel=4)


def _warn_counted_zero(n, of):
    """The plan's communities with no forecast (no series, or a failed fit) that a forecast factor with
    if_missing = "zero" counted as 0 (civ_plan_stats.n_no_forecast), as `civicast plan` prints it and
    civicast.allocate warns."""
    if n:
        import warnings
        one = n == 1
        its = "its" if one else "their"
        warnings.warn(f"civicast.plan: forecast demand: {n} of {of} communities {'has' if one else 'have'} no "
                      f"forecast and count{'s' if one else ''} as 0 (if_missing = \"zero\"; {its} "
                      f"explanation{'' if one else 's'} say{'s' if one else ''} so)", ForecastWarning, stacklevel=4)


def _result_frames(res):
    frames = {}
    for k, name in enumerate(_lib.PLAN_TABLES):
        t = lib.civ_plan_result_table(res, k)
        if t:
            frames[name] = table_to_frame(t)
    spec = lib.civ_plan_result_spec(res)  # dtypes as civicast.allocate, uncertainty and need give them
    units = _dec(lib.civ_alloc_spec_unit_name(spec, 0)), _dec(lib.civ_alloc_spec_unit_name(spec, 1))
    allocation_dtypes(frames["allocation"], *units)
    if "uncertainty" in frames:
        scope_ids_like(money_dtypes(frames["uncertainty"], *units), "name", "community")
    if "need" in frames:
        need_dtypes(frames["need"], frames.get("need_summary"))
    for name in ("forecasts", "backtest", "forecast_totals"):  # steps, int64 as in civicast.forecast, .backtest
        if name in frames:
            frames[name]["h"] = frames[name]["h"].astype(np.int64)
    if "backtest_failures" in frames:  # the observed values up to each failed window's cutoff: a count
        frames["backtest_failures"]["values"] = frames["backtest_failures"]["values"].astype(np.int64)
    for name, df in frames.items():  # ids as civicast.read gives them (101 as int64), counts as int64
        ids_like(df, "unique_id")
        if name in _MONITOR_TABLES:  # units, sensors and the risk matrix's cells, as civicast.monitor gives them
            ids_like(df, "person")
            monitor_dtypes(df)
        if name in ("forecast_report", "backtest_accuracy", "need_summary", "allocation_waterfall"):
            count_dtypes(df)
    st = _lib.civ_plan_stats()
    check(lib.civ_plan_result_stats(res, ctypes.byref(st)))
    stats = {name: getattr(st, name) for name, _ in st._fields_ if name != "alloc"}
    stats["monitor_period"] = st.monitor_period.decode()  # "2024-06", "" = the last period
    stats["totals_method"] = st.totals_method.decode()  # "bu", "sum": how forecast_totals was made
    stats["totals_note"] = st.totals_note.decode()  # why "sum" when totals asked for "bu"; "" otherwise
    stats["alloc"] = {name: getattr(st.alloc, name) for name, _ in st.alloc._fields_}
    frames["allocation"].attrs["plan_stats"] = stats
    if "allocation_summary" in frames:  # last year's communities no one continues (--last-year)
        frames["allocation"].attrs["closed"] = closed_frame(frames["allocation_summary"])
        frames["allocation"].attrs["discontinued"] = discontinued_frame(frames["allocation_summary"])
    _warn_uncalibrated(stats["n_uncalibrated"], stats["n_series"], stacklevel=4)
    _warn_counted_zero(stats["n_no_forecast"], stats["alloc"]["n_communities"])
    _warn_totals(stats["totals_note"])
    if "joins" in frames:  # [data] predecessors: what was joined, and the months left missing
        j = frames["joins"]
        for name in ("joined_periods", "gap_periods"):
            j[name] = j[name].astype(np.int64)
        gaps = j[j["gap_periods"] > 0]
        if len(gaps):
            import warnings
            warnings.warn("civicast.plan: [data] predecessors: " + "; ".join(
                f"{r.unique_id}: {r.gap_periods} period{'' if r.gap_periods == 1 else 's'} "
                f"{r.gap_from}..{r.gap_to} missing"
                for r in gaps.itertuples()) + " (between the predecessors' last common period and the "
                "community's own first: neither reported; left missing, not guessed; joins)", UserWarning,
                stacklevel=4)
    return frames


def plan(path, out=None, model=None, h=None, threads=None, draws=None, progress=None, isolate=None, excel=True,
         precision=6, intervals=None, id_col=None, time_col=None, target_col=None, layout=None, freq=None,
         encoding=None, thousands=None, percent=None, conformal_windows=None, conformal_step=None,
         conformal_sample=None, conformal_refit=None, lang=None, last_year=None, sheet=None, last_year_sheet=None,
         totals=None):
    """Runs a plan file's whole job (civ_plan_run): forecasts, allocation,
    the Monte Carlo (draws > 0), the multi-year need, monitoring ([monitor])
    and the backtest ([backtest]).

    Returns a dict of DataFrames keyed by table name: forecasts,
    forecast_report, allocation, allocation_summary, allocation_waterfall,
    allocation_stages, history (the last observed periods of every
    series), forecast_totals (the city's and each district's forecast
    total with its bands: level, unique_id, ds, h, method, mean, lo-<L>,
    hi-<L>; method "bu", bottom-up sample paths of the district hierarchy,
    or "sum", the communities' bounds added up: totals= ("bu" or "sum",
    [forecast] totals, as --totals) asks for one, and plan_stats'
    totals_method and totals_note say what was made and why not "bu";
    docs/REPORT.md), and when they ran uncertainty, need, need_summary, the
    monitoring tables and, with a [backtest] section, backtest (every
    window's forecasts against the actuals: unique_id, cutoff, ds, h, y,
    model, mean, lo-<L>, hi-<L>), backtest_accuracy (per model: MASE,
    sMAPE, coverage-<L>, ...) and backtest_failures (each failed window:
    unique_id, model, cutoff, status, message, reason, values; no rows when
    none failed); allocation.attrs["plan_stats"] holds
    the per-stage figures (civ_plan_stats; backtest_* for the backtest).  model, h, threads, draws
    and intervals ("model" or "conformal": how every forecast of the run makes its intervals)
    override the plan's settings, as do conformal_windows, conformal_step,
    conformal_sample and conformal_refit ([forecast] conformal_*, as
    civicast.forecast's; they apply when the intervals are conformal), id_col, time_col and target_col
    ([plan] id_column, time_column, target_column: the panel's own names of
    unique_id, ds and y, e.g. "社区编号"; the communities are keyed by the
    spec's [data] id), layout ("long" or "wide": [plan] layout) and freq,
    encoding, thousands, percent ([plan] freq, encoding, thousands, percent:
    the panel's frequency, and the encoding ("utf-8", "gb18030"), thousands
    separator (",", "'", " ") and percent cells ("33.3%") of every CSV
    input, as civicast.read's; recorded in manifest.json) and lang ("zh" or
    "en": [plan] lang, the language of the allocation's explanations and of
    report.html, as --lang) and last_year (a path to last year's
    allocation, as --last-year; default: the spec's [data] last_year_file;
    docs/ALLOCATION.md "Last year's allocation": blank last-year cells from
    it, the others checked, the closed communities in allocation_summary's
    closed rows and in allocation.attrs["closed"]), and sheet (a name, or a
    pair (panel's, communities') for inputs that are Excel workbooks: [plan]
    panel_sheet and communities_sheet, as --sheet; None keeps the plan's), and
    last_year_sheet (last year's sheet when it is an .xlsx: [plan]
    last_year_sheet, as --last-year-sheet; None keeps the plan's, whose
    default reads its only sheet, or a plan's allocation.xlsx at its
    allocation sheet).  When out is given, the folder is also
    written there by the command's own call (civ_plan_result_write_opts):
    the tables as CSV, report.html, charts/ and manifest.json, published as
    a whole (a failure leaves the previous folder); an out that holds one of
    the plan's inputs raises civicast.Error before the run.  The plan's own
    out is not used.
    The files are for people as the command's (excel: a UTF-8 byte-order
    mark; precision: significant digits, money decimals kept; excel=False,
    precision="full" give the exact files, as --no-excel --precision full;
    civ_plan_result_write_opts).  The DataFrames always hold full precision.  progress: a callable(stage, done, total).  isolate: as in
    civicast.read, for .h5 inputs.  Errors: civicast.Error (the stage's)."""
    with _plan_handle(path) as p:
        _apply(p, out, model, h, threads, draws, intervals, (id_col, time_col, target_col), layout,
               (freq, encoding, thousands, percent),
               (conformal_windows, conformal_step, conformal_sample, conformal_refit), lang, last_year, totals)
        if sheet is not None:
            sheets = (sheet, sheet) if isinstance(sheet, str) else tuple(sheet)
            if len(sheets) != 2 or not all(x is None or (isinstance(x, str) and x) for x in sheets):
                raise _lib.invalid(f"civicast.plan: sheet must be a sheet's name or a pair (panel's, communities'), "
                                   f"got {sheet!r}")
            check(lib.civ_plan_set_sheets(p.ptr, *(encode(x) if x is not None else None for x in sheets)))
        if last_year_sheet is not None:
            check(lib.civ_plan_set_last_year_sheet(p.ptr, _sheet(last_year_sheet, "civicast.plan")))
        panel = _read_panel_guarded(_dec(lib.civ_plan_panel(p.ptr)), isolate)
        comm_path = _dec(lib.civ_plan_communities(p.ptr))
        comm = (_read_table(comm_path, _ALLOC_TEXT_COLUMNS, isolate)
                if _hdf5_probe.is_hdf5_path(comm_path) else None)
        opt = _lib.civ_plan_run_options()
        opt.panel = panel.ptr if panel is not None else None
        opt.communities = comm.ptr if comm is not None else None
        res = _Owned(lib.civ_plan_result_free)
        try:
            with _lib.stoppable(progress) as stop:  # Ctrl-C, or an exception from progress, stops the run
                opt.progress = stop.stages
                check(lib.civ_plan_run(p.ptr, ctypes.byref(opt), ctypes.byref(res.ptr)))
            if out is not None:
                csv = _csv_options(excel, precision, 0)
                check(lib.civ_plan_result_write_opts(res.ptr, encode(os.fspath(out)), ctypes.byref(csv)))
            return _result_frames(res.ptr)
        finally:
            for o in (res, comm, panel):
                if o is not None:
                    o.close()


__all__ = ["Error", "model_families", "restore_error", "read_plan", "plan"]
