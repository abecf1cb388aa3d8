"""Monitoring and early warning over the C library (civicast.h, civ_monitor_*):
indicators against targets with the consecutive-miss alert, early warning
from forecasts, demand checked against its forecast intervals, the risk
matrix, and inactivity alerts.  docs/MONITORING.md states every rule.

DataFrames in, DataFrames out.  Every function also takes paths (.csv/.h5)
for its tables and a path or the text itself (any string with a newline)
for the indicator file and the risk matrix.  Errors raise civicast.Error
naming the file, line and field.
"""
import ctypes
import datetime
import math
import os

import numpy as np
import pandas as pd

from . import _lib
from ._lib import check, encode, lib
from .frame import PanelData, _Owned, _panel_read_options, _read_table, _Run, frame_to_table, table_to_frame

__all__ = ["monitor", "early_warning", "demand_check", "risk_matrix", "inactivity_alerts"]

_LATEST = -(1 << 63)  # CIV_MONITOR_LATEST


def _text_arg(x, parse, read, free, what):
    h = _Owned(free)
    if isinstance(x, str) and "\n" in x:
        b = encode(x)
        check(parse(b, len(b), encode(f"<{what} text>"), ctypes.byref(h.ptr)))
    else:
        check(read(encode(os.fspath(x)), ctypes.byref(h.ptr)))
    return h


def _table(x, text_columns=(), encoding=None, thousands=None, percent=False):
    """(owned civ_table, source name for errors); encoding and thousands as
    civicast.read's, for a CSV path."""
    if isinstance(x, pd.DataFrame):
        return frame_to_table(x), "<DataFrame>"
    t = _read_table(x, list(text_columns), encoding=encoding, thousands=thousands, percent=percent)
    return t, os.fspath(x)


def _spec_text_columns(spec):
    """The actuals' columns the indicator file reads as text, under its own names
    (civ_monitor_spec_text_columns)."""
    arr, out = lib.civ_monitor_spec_text_columns(spec), []
    while arr and arr[len(out)] is not None:
        out.append(arr[len(out)].decode())
    return tuple(out)


def _periods_of_timestamps(col):
    """A column of Timestamps (datetime64, tz-aware or not, or Timestamp objects) as the
    periods the monitor reads: "YYYY-MM" when every date is the first (or every date the
    last) day of its month at midnight, "YYYY-Qn" / "YYYY" when, besides, they are a
    multiple of 3 / 12 months apart and on quarter / year boundaries (one date: a month);
    None when the column holds other dates (they are passed on as text and refused
    with the row named).  Without this, monthly Timestamps reached the library as
    "2024-01-01 00:00:00", a day, which the monitor refuses."""
    if not pd.api.types.is_datetime64_any_dtype(col.dtype):
        if col.dtype != object or not col.map(lambda v: isinstance(v, pd.Timestamp) or v is pd.NaT or
                                              v is None).all() or not col.notna().any():
            return None
        col = pd.to_datetime(col)
    if getattr(col.dt, "tz", None) is not None:  # the dates as written, as the CSV reader takes them
        col = col.dt.tz_localize(None)
    ok = col.dropna()
    if ok.empty or not (ok == ok.dt.normalize()).all():
        return None
    if (ok.dt.day == 1).all():
        end = False
    elif ok.dt.is_month_end.all():
        end = True
    else:
        return None
    months = sorted(set((ok.dt.year * 12 + ok.dt.month - 1).tolist()))
    step = 0
    for a, b in zip(months, months[1:]):
        step = math.gcd(step, b - a)
    first = months[0] % 12  # 0 = January
    if step and step % 12 == 0 and first == (11 if end else 0):
        fmt = lambda t: f"{t.year:04d}"
    elif step and step % 3 == 0 and first % 3 == (2 if end else 0):
        fmt = lambda t: f"{t.year:04d}-Q{(t.month - 1) // 3 + 1}"
    else:
        fmt = lambda t: f"{t.year:04d}-{t.month:02d}"
    return col.map(lambda t: "" if pd.isna(t) else fmt(t))


class _Bound:
    """A spec bound to actuals (civ_monitor), freed on close."""

    def __init__(self, indicators, actuals, encoding=None, thousands=None, percent=False):
        self.spec = _text_arg(indicators, lib.civ_monitor_spec_parse, lib.civ_monitor_spec_read,
                              lib.civ_monitor_spec_free, "indicators")
        self.mon = _Owned(lib.civ_monitor_free)
        try:
            cols = _spec_text_columns(self.spec.ptr)  # the unit, indicator and period columns, the roll-ups
            if isinstance(actuals, pd.DataFrame):
                actuals = actuals.copy()
                tc = cols[2]  # the time column: Timestamps as the periods they stand for
                if tc in actuals.columns:
                    periods = _periods_of_timestamps(actuals[tc])
                    if periods is not None:
                        actuals[tc] = periods
                for c in actuals.columns:  # ids and dates are text, whatever pandas inferred
                    if c in cols or actuals[c].dtype == object:
                        actuals[c] = actuals[c].map(lambda v: "" if v is None or (isinstance(v, float) and
                                                                                   math.isnan(v)) else str(v))
            t, src = _table(actuals, cols, encoding, thousands, percent)
            with t:
                check(lib.civ_monitor_run(self.spec.ptr, t.ptr, encode(src), ctypes.byref(self.mon.ptr)))
        except BaseException:
            self.close()
            raise

    def table(self, fn, *args):
        out = _Owned(lib.civ_table_free)
        with out:
            check(fn(self.mon.ptr, *args, ctypes.byref(out.ptr)))
            return table_to_frame(out.ptr)

    def close(self):
        self.mon.close()
        self.spec.close()


def _period(mon, ds):
    if ds is None:
        return _LATEST
    form, value = ctypes.c_int(), ctypes.c_int64()
    freq = lib.civ_monitor_frequency(mon)
    if not isinstance(ds, str) and isinstance(ds, (pd.Timestamp, datetime.date)):  # the period it falls in
        t = pd.Timestamp(ds)
        ds = {1: f"{t.year:04d}", 2: f"{t.year:04d}-Q{(t.month - 1) // 3 + 1}"}.get(freq, f"{t.year:04d}-{t.month:02d}")
    b = encode(str(ds))
    check(lib.civ_date_parse(b, len(b), ctypes.byref(form), ctypes.byref(value)))
    if form.value != freq:  # CIV_DATE_YEAR/QUARTER/MONTH == CIV_FREQ_YEARLY/QUARTERLY/MONTHLY
        name = lib.civ_frequency_name(freq).decode()
        raise ValueError(f"civicast.monitor: period {ds!r} is not a {name} period like the actuals' "
                         f"(e.g. {_format_period(freq, lib.civ_monitor_last_period(mon))})")
    return value.value


def _format_period(freq, period):
    buf = ctypes.create_string_buffer(32)
    check(lib.civ_period_format(freq, 0, period, buf, 32))
    return buf.value.decode()


def monitor(indicators, actuals, period=None, encoding=None, thousands=None, percent=False):
    """Indicators against their targets.

    indicators: the indicator file (path or text); actuals: DataFrame or path
    with columns <unit column> (default "unit"), indicator, ds, value,
    denominator (rates) and the roll-up columns the file names (its
    [monitor] unit_column, indicator_column, time_column, value_column and
    denominator_column name a sheet's own columns, "社区", "指标", "月份", ...;
    those columns are read as text).  Returns
    (status, alerts): the status of every unit and roll-up per period, and
    the alerts open in `period` ("YYYY-MM"; None = the last period) grouped
    by department (civ_monitor_status_table, civ_monitor_alert_table).
    encoding ("gb18030"), thousands (","), percent (True): how a CSV path of
    actuals is written, as civicast.read's (also in early_warning, demand_check,
    risk_matrix, inactivity_alerts)."""
    b = _Bound(indicators, actuals, encoding, thousands, percent)
    try:
        status = b.table(lib.civ_monitor_status_table)
        alerts = b.table(lib.civ_monitor_alert_table, ctypes.c_int64(_period(b.mon.ptr, period)))
        return status, alerts
    finally:
        b.close()


def early_warning(indicators, actuals, h=6, model="auto", level=(80, 95), threshold=0.5, threads=None,
                  seed=None, scopes=None, encoding=None, thousands=None, percent=False):
    """Forecasts every monitored series h periods ahead (civ_monitor_panel ->
    civ_forecast_panel -> civ_forecast_result_table) and gives the
    probability of missing each target (civ_monitor_warn).  Returns
    (steps, summary, forecasts): one row per series and step (p_miss,
    warning), one row per series (p_miss_next, p_miss_max, first_warning,
    reach, deadline, on_track), and the forecasts themselves.  scopes: the
    scopes to forecast (e.g. ["district", "city"]; None = all)."""
    if not level:
        raise ValueError("civicast.early_warning: needs interval levels (the distribution comes from them)")
    b = _Bound(indicators, actuals, encoding, thousands, percent)
    panel, fc = _Owned(lib.civ_panel_free), _Owned(lib.civ_table_free)
    try:
        names = None if scopes is None else ([scopes] if isinstance(scopes, str) else list(scopes))
        arr = None if names is None else (ctypes.c_char_p * max(1, len(names)))(*[encode(x) for x in names])
        check(lib.civ_monitor_panel(b.mon.ptr, arr, 0 if names is None else len(names), ctypes.byref(panel.ptr)))

        class _P:  # the PanelData interface _run needs
            ptr = panel.ptr
        run = _run_on(_P, h, model, level, threads, seed)
        try:
            check(lib.civ_forecast_result_table(run.result.ptr, panel.ptr, ctypes.byref(fc.ptr)))
        finally:
            run.close()
        steps, summary = _Owned(lib.civ_table_free), _Owned(lib.civ_table_free)
        with steps, summary:
            check(lib.civ_monitor_warn(b.mon.ptr, fc.ptr, float(threshold), ctypes.byref(steps.ptr),
                                       ctypes.byref(summary.ptr)))
            return table_to_frame(steps.ptr), table_to_frame(summary.ptr), table_to_frame(fc.ptr)
    finally:
        fc.close()
        panel.close()
        b.close()


def _run_on(pdata, h, model, level, threads, seed):
    return _Run(pdata, h, model, level, threads, seed, None, "aicc", None, "auto", False)


def demand_check(forecasts, actuals, encoding=None, thousands=None, percent=False):
    """Actual demand against its forecast intervals: rows where `actuals`
    (long format unique_id, ds, y: DataFrame or path) has a value for a
    forecast row; flag "ahead" / "behind" with the widest level whose
    interval excludes the actual, else "within" (civ_monitor_demand_check)."""
    fc, _ = _table(forecasts, ("unique_id", "ds", "model"), encoding, thousands, percent)
    with fc:
        if isinstance(actuals, pd.DataFrame):
            pdata = PanelData(actuals)
            try:
                return _demand(fc, pdata.ptr)
            finally:
                pdata.handle.close()
        panel = _Owned(lib.civ_panel_free)
        with panel:
            ro = _panel_read_options(encoding=encoding, thousands=thousands, percent=percent,
                                     fn="civicast.demand_check")
            check(lib.civ_panel_read_ex(encode(os.fspath(actuals)), ctypes.byref(ro), ctypes.byref(panel.ptr)))
            return _demand(fc, panel.ptr)


def _demand(fc, panel_ptr):
    out = _Owned(lib.civ_table_free)
    with out:
        check(lib.civ_monitor_demand_check(fc.ptr, panel_ptr, ctypes.byref(out.ptr)))
        return table_to_frame(out.ptr)


def risk_matrix(register, matrix=None, encoding=None, thousands=None, percent=False):
    """Levels of a risk register (risk, probability in [0, 1], impact on the
    matrix's scale, owner, mitigation) on the default 5 x 5 matrix or a
    [matrix] file/text.  Returns (risks sorted by handling order, the matrix
    as one row per cell) (civ_monitor_risk_assess)."""
    if matrix is None:
        mx = _Owned(lib.civ_monitor_matrix_free)
        check(lib.civ_monitor_matrix_default(ctypes.byref(mx.ptr)))
    else:
        mx = _text_arg(matrix, lib.civ_monitor_matrix_parse, lib.civ_monitor_matrix_read,
                       lib.civ_monitor_matrix_free, "matrix")
    with mx:
        t, src = _table(register, ("risk", "impact", "owner", "mitigation"), encoding, thousands, percent)
        with t:
            a, m = _Owned(lib.civ_table_free), _Owned(lib.civ_table_free)
            with a, m:
                check(lib.civ_monitor_risk_assess(mx.ptr, t.ptr, encode(src), ctypes.byref(a.ptr),
                                                  ctypes.byref(m.ptr)))
                return table_to_frame(a.ptr), table_to_frame(m.ptr)


def inactivity_alerts(events, quantile=None, min_gap_hours=None, prior_weight=None, memory=None,
                      utc_offset_hours=None, end=None, encoding=None, thousands=None, percent=False):
    """Inactivity alerts from activity events (person, ts: "YYYY-MM-DDTHH:MM:SS"
    UTC text or seconds since 1970, in time order): one row per gap that
    reached its person's threshold (civ_monitor_inactivity_run).  Options
    default as civ_monitor_inactivity_options_init (quantile 0.995, ...);
    end: a time (seconds, Timestamp or text) at which open gaps are polled
    (None = the last event)."""
    opt = _lib.civ_monitor_inactivity_options()
    check(lib.civ_monitor_inactivity_options_init(ctypes.byref(opt)))
    for name, v in (("quantile", quantile), ("min_gap_hours", min_gap_hours), ("prior_weight", prior_weight),
                    ("memory", memory), ("utc_offset_hours", utc_offset_hours)):
        if v is not None:
            setattr(opt, name, float(v))
    if end is None:
        end_s = math.nan
    elif isinstance(end, (int, float)):
        end_s = float(end)
    else:
        end_s = pd.Timestamp(end).tz_localize(None).value / 1e9 if pd.Timestamp(end).tzinfo is None else \
            pd.Timestamp(end).tz_convert("UTC").tz_localize(None).value / 1e9
    if isinstance(events, pd.DataFrame) and "ts" in events.columns and \
            pd.api.types.is_datetime64_any_dtype(events["ts"].dtype):
        events = events.copy()
        ts = events["ts"]
        if getattr(ts.dt, "tz", None) is not None:
            ts = ts.dt.tz_convert("UTC").dt.tz_localize(None)
        # seconds through nanoseconds whatever the column's unit (pandas 2 keeps s, ms or us columns)
        events["ts"] = ts.to_numpy(dtype="datetime64[ns]").astype(np.int64) / 1e9
    t, src = _table(events, ("person", "ts"), encoding, thousands, percent)
    with t:
        out = _Owned(lib.civ_table_free)
        with out:
            check(lib.civ_monitor_inactivity_run(ctypes.byref(opt), t.ptr, encode(src), end_s,
                                                 ctypes.byref(out.ptr)))
            return table_to_frame(out.ptr)
