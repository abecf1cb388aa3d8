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
import re

import numpy as np
import pandas as pd

from . import _lib
from ._lib import Error, check, encode, lib
from .frame import (PanelData, _Owned, _column_list, _panel_read_options, _read_table, _Run, count_dtypes,
                    frame_to_table, ids_like, table_to_frame, whole_codes, _skip_rows, _skip_rows_arg,
                    _skip_rows_for)

__all__ = ["monitor", "early_warning", "demand_check", "risk_matrix", "inactivity_alerts", "write_monitor_workbook",
           "value_text"]

_LATEST = -(1 << 63)  # CIV_MONITOR_LATEST


def _text_arg(x, parse, read, free, what):
    h = _Owned(free)
    if isinstance(x, str) and "\n" in x:
        b = encode(x)
        check(parse(b, len(b), encode(f"<{what} text>"), ctypes.byref(h.ptr)))
    else:
        check(read(encode(os.fspath(x)), ctypes.byref(h.ptr)))
    return h


def _table(x, text_columns=(), encoding=None, thousands=None, percent=False, sheet=None, skip_rows=None):
    """(owned civ_table, source name for errors); encoding, thousands and
    skip_rows (the rows above the header) as civicast.read's, for a CSV or
    .xlsx path."""
    if isinstance(x, pd.DataFrame):
        for c in text_columns:  # groupby([...]).agg(...)'s keys, set_index("ts"): the columns are the index
            if c not in x.columns and c in (x.index.names or []):
                raise Error("CIV_ERR_MISSING_COLUMN", f"the table needs a column '{c}', and '{c}' is the frame's "
                            f"index (its columns are {_column_list(x)}): pass df.reset_index()", field=c)
        return frame_to_table(x), "<DataFrame>"
    t = _read_table(x, list(text_columns), encoding=encoding, thousands=thousands, percent=percent, sheet=sheet,
                    skip_rows=skip_rows)
    return t, os.fspath(x)


def _frame_row(frame, line):
    """The row of `frame` at CSV line `line` (that of df.to_csv(index=False)) as a notebook finds it:
    "row 5" (df.iloc[5]), "row 5 (index 19419)" when its index label is another (df.loc[19419])."""
    pos = line - 2
    label = frame.index[pos]
    return f"row {pos}" + ("" if isinstance(frame.index, pd.RangeIndex) and label == pos else f" (index {label!r})")


_LINE = re.compile(r"\b(?:at |on )?line (\d+)\b")


def _check_rows(status, frame):
    """check(status) for a call that read `frame` (a DataFrame, or a path: as check): the library
    places an error at a CSV line ("<DataFrame>:7:5", the line of df.to_csv(index=False)), which
    sent a notebook to df.loc[7] for the row at position 5; the text names the frame's row and index
    label instead ("<DataFrame> row 5 (index 19419): rate 95 is outside ..."), and so does the message
    where it names another row ("listed twice: here and at row 0", was "at line 2", a file's line beside
    a frame's row until 2026-12-07); `line` and `column` are kept (docs/PYTHON.md, "Errors")."""
    try:
        check(status)
    except Error as e:
        pos = e.line - 2
        if not isinstance(frame, pd.DataFrame) or e.file not in ("<DataFrame>", "") or not 0 <= pos < len(frame):
            raise
        rest = e.text.split(": ", 1)[1] if e.file and e.text.startswith(e.file) and ": " in e.text else e.text

        def other(m):
            k = int(m.group(1))
            return m.group(0).replace(f"line {k}", _frame_row(frame, k)) if 0 <= k - 2 < len(frame) else m.group(0)

        rest = _LINE.sub(other, rest)
        raise Error(e.status, _LINE.sub(other, e.message), e.file, e.line, e.column, e.series_id, e.field,
                    f"<DataFrame> {_frame_row(frame, e.line)}: {rest}") from None


def _spec_text_columns(spec):
    """The actuals' columns the indicator file reads as text, under its own names
    (civ_monitor_spec_text_columns)."""
    arr, out = lib.civ_monitor_spec_text_columns(spec), []
    while arr and arr[len(out)] is not None:
        out.append(arr[len(out)].decode())
    return tuple(out)


def _periods_of_timestamps(col):
    """A column of Timestamps (datetime64, tz-aware or not, or Timestamp, datetime or
    datetime.date objects, as SQL readers and .dt.date give them) as the periods the
    monitor reads: "YYYY-MM" when every date is the first (or every date the
    last) day of its month at midnight, "YYYY-Qn" / "YYYY" when, besides, they are a
    multiple of 3 / 12 months apart and on quarter / year boundaries (one date: a month);
    None when the column holds other dates (they are passed on as text and refused
    with the row named).  The library reads day text by the same rule; converting here
    also takes tz-aware dates as written and records how to give the periods back."""
    if not pd.api.types.is_datetime64_any_dtype(col.dtype):
        if col.dtype != object or not col.map(lambda v: isinstance(v, (pd.Timestamp, datetime.date)) or
                                              v is pd.NaT or v is None).all() or not col.notna().any():
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


# Period columns of the monitoring tables, and their counts (docs/MONITORING.md, "Outputs").
_PERIOD_COLUMNS = ("ds", "since", "first_warning", "reach", "deadline")
_COUNT_COLUMNS = ("misses", "h", "first_warning_h", "warning", "on_track", "row", "column", "score", "rank", "hour")


def _period_kind(col):
    """How a frame gave its periods, to give them back so: ("start" | "end", tz) for Timestamps on
    the first (last) day of their periods (tz: their time zone, None for naive ones), ("period", freq)
    for Periods, None for text."""
    if isinstance(col.dtype, pd.PeriodDtype):
        return ("period", col.dtype.freq)
    if _periods_of_timestamps(col) is None:
        return None
    ok = pd.to_datetime(col).dropna()
    tz = getattr(ok.dt, "tz", None)
    if tz is not None:
        ok = ok.dt.tz_localize(None)
    return ("end", tz) if not (ok.dt.day == 1).all() else ("start", tz)


def _text_period(text):
    """"2024-07", "2024-Q3", "2024" -> pd.Period; "" -> NaT."""
    if not text:
        return pd.NaT
    if "-Q" in text:
        return pd.Period(text.replace("-Q", "Q"), "Q-DEC")
    return pd.Period(text, "M" if "-" in text else "Y-DEC")


def typed_periods(df, kind):
    """The period columns of a monitoring table (text "2024-07") in place as the caller's actuals gave
    them (kind: _period_kind): Timestamps on the first or last day of the period (NaT where empty; in
    the actuals' time zone when they had one), or Periods; text input stays text.  Returns df."""
    if kind is None:
        return df
    for c in _PERIOD_COLUMNS:
        if c not in df.columns or df[c].dtype != object:
            continue
        # each distinct period once (a status table repeats a few dozen periods over every series)
        if kind[0] == "period":
            conv = {v: _text_period(v) for v in pd.unique(df[c])}
            df[c] = df[c].map(conv).astype(pd.PeriodDtype(kind[1]))
        else:
            end = kind[0] == "end"
            conv = {v: (pd.NaT if p is pd.NaT else p.end_time.normalize() if end else p.start_time)
                    for v, p in ((v, _text_period(v)) for v in pd.unique(df[c]))}
            df[c] = pd.to_datetime(df[c].map(conv))
            if kind[1] is not None:  # the zone's midnights, as the actuals gave them
                df[c] = df[c].dt.tz_localize(kind[1], nonexistent="shift_forward", ambiguous=True)
    return df


def typed_units(df, scope, unit_column, actuals=None):
    """The unit column of a monitoring table (text from the C library) in place as the actuals gave
    the ids: per scope, the units' rows (`scope`) from the actuals' unit column, a roll-up's rows from
    its column (a DataFrame's integer or whole-float codes back to int; for a file, whole numbers
    written plainly, "310101001", as int, as pandas' read_csv types them; "0101" and names stay
    text), the city's "city" text.  An int64 column when every unit is then an int, else object
    holding ints and text (merges and comparisons with int64 columns match).  Returns df."""
    if "unit" not in df.columns or "scope" not in df.columns or df["unit"].dtype != object or not len(df):
        return df
    out = df["unit"].to_numpy(dtype=object).copy()
    scopes = df["scope"].to_numpy(dtype=object)
    for sc in pd.unique(scopes):
        if sc == "city" and sc != scope:
            continue
        rows = scopes == sc
        if isinstance(actuals, pd.DataFrame):
            name = unit_column if sc == scope else sc
            dt = actuals[name].dtype if name in actuals.columns else None
            if dt is None or pd.api.types.is_bool_dtype(dt) or isinstance(dt, pd.CategoricalDtype) or \
                    not (pd.api.types.is_integer_dtype(dt) or pd.api.types.is_float_dtype(dt)):
                continue
        codes = whole_codes(out[rows])
        if codes is not None:
            out[rows] = [int(v) for v in codes]
    if all(isinstance(v, int) for v in out):
        df["unit"] = out.astype(np.int64)
    else:
        df["unit"] = out
    return df


def monitor_dtypes(df, scope=None, unit_column=None, actuals=None, kind=None):
    """A monitoring table's columns in place as a notebook merges and computes with them: units as
    the actuals' ids (typed_units), periods as the actuals' (typed_periods), counts (misses, steps,
    the 1/0 warning and on_track, the risk matrix's row, column, score and rank, the hour of a gap)
    as int64, nullable Int64 where missing.  Returns df."""
    typed_units(df, scope, unit_column, actuals)
    typed_periods(df, kind)
    return count_dtypes(df, _COUNT_COLUMNS)


def _period_text(p):
    """A pandas Period as the monitor's period text ("2024-07", "2024-Q3", "2024"); "" for NaT."""
    if p is pd.NaT or p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    base = p.freqstr[0]
    if base == "Q":
        return f"{p.qyear:04d}-Q{p.quarter}"
    if base in ("A", "Y"):
        return f"{p.year:04d}"
    return str(p)  # a month "2024-07"; other frequencies are refused by the library at their row


def _id_text(col):
    """A column of ids or dates as the text the library reads: whole-number codes without ".0" (an int
    column with a gap is float in pandas: 310101001.0 is the code 310101001), missing values empty."""
    if pd.api.types.is_float_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
        v = col.to_numpy(dtype=np.float64, na_value=np.nan)
        ok = ~np.isnan(v)
        if np.all(v[ok] == np.round(v[ok])) and np.all(np.abs(v[ok]) < 2.0 ** 53):
            return pd.Series(["" if not k else str(int(x)) for x, k in zip(v, ok)], index=col.index, dtype=object)
    return col.map(lambda v: "" if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))
                   else str(v))


class _Bound:
    """A spec bound to actuals (civ_monitor), freed on close."""

    def __init__(self, indicators, actuals, encoding=None, thousands=None, percent=False, sheet=None,
                 skip_rows=None):
        self.spec = _text_arg(indicators, lib.civ_monitor_spec_parse, lib.civ_monitor_spec_read,
                              lib.civ_monitor_spec_free, "indicators")
        self.mon = _Owned(lib.civ_monitor_free)
        self.actuals, self.kind = actuals, None  # the caller's actuals and how they gave the periods
        try:
            cols = _spec_text_columns(self.spec.ptr)  # the unit, indicator and period columns, the roll-ups
            self.unit_column, self.scope = cols[0], lib.civ_monitor_spec_scope(self.spec.ptr).decode()
            if isinstance(actuals, pd.DataFrame):
                actuals = actuals.copy()
                tc = cols[2]  # the time column: Timestamps (and Periods) as the periods they stand for
                if tc in actuals.columns:
                    self.kind = _period_kind(actuals[tc])
                    periods = _periods_of_timestamps(actuals[tc]) if self.kind is None or \
                        self.kind[0] != "period" else actuals[tc].map(_period_text)
                    if periods is not None:
                        actuals[tc] = periods
                for c in actuals.columns:  # ids and dates are text, whatever pandas inferred
                    if c in cols or actuals[c].dtype == object:
                        actuals[c] = _id_text(actuals[c])
            t, src = _table(actuals, cols, encoding, thousands, percent, sheet, skip_rows)
            with t:
                _check_rows(lib.civ_monitor_run(self.spec.ptr, t.ptr, encode(src), ctypes.byref(self.mon.ptr)),
                            self.actuals)
        except BaseException:
            self.close()
            raise

    def table(self, fn, *args):
        out = _Owned(lib.civ_table_free)
        with out:
            check(fn(self.mon.ptr, *args, ctypes.byref(out.ptr)))
            return self.typed(table_to_frame(out.ptr))

    def typed(self, df):
        """A table of this monitor in the actuals' types (monitor_dtypes)."""
        return monitor_dtypes(df, self.scope, self.unit_column, self.actuals, self.kind)

    def close(self):
        self.mon.close()
        self.spec.close()


def _period(mon, ds):
    """period= as civ_monitor_period_of reads it (the command's --period and the plan's [monitor] period
    alike): a period of the actuals' frequency ("2024-11", "2024年11月") or a day in one; a Timestamp, a date
    or a numpy datetime64 is the period its day falls in."""
    if ds is None:
        return _LATEST
    if isinstance(ds, np.datetime64):  # m.ds.unique()[-1], m.ds.values[-1]: a Timestamp as numpy gives it
        ds = pd.Timestamp(ds)
    if isinstance(ds, pd.Period):  # "2024-04", "2024-Q2": a quarter for monthly actuals is refused
        ds = _period_text(ds)
    if not isinstance(ds, str) and isinstance(ds, (pd.Timestamp, datetime.date)):  # the period it falls in
        ds = pd.Timestamp(ds).strftime("%Y-%m-%d")
    value = ctypes.c_int64()
    check(lib.civ_monitor_period_of(mon, encode(str(ds)), b"period", ctypes.byref(value), None, 0))
    return value.value


def monitor(indicators, actuals, period=None, encoding=None, thousands=None, percent=False, sheet=None,
            skip_rows=None):
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
    risk_matrix, inactivity_alerts); skip_rows=N: the rows above the header of
    a CSV or .xlsx path (a title, a unit line), as civicast.read's and
    --skip-rows (in every monitoring function; demand_check's may be a dict
    {"forecasts": 0, "actuals": 2}, each input its own).  The tables merge with the caller's frames:
    units as the actuals gave them (int64 codes as ints; a file's whole numbers
    as read_csv types them), periods as the actuals' Timestamps or Periods
    (text stays text), counts (misses) int64 (docs/PYTHON.md, "Monitoring")."""
    b = _Bound(indicators, actuals, encoding, thousands, percent, sheet, _skip_rows(skip_rows, "civicast.monitor"))
    try:
        status = b.table(lib.civ_monitor_status_table)
        alerts = b.table(lib.civ_monitor_alert_table, ctypes.c_int64(_period(b.mon.ptr, period)))
        return status, alerts
    finally:
        b.close()


def unit_names(indicators, actuals, names, encoding=None, thousands=None, percent=False, sheet=None,
               skip_rows=None):
    """The monitored units' names, for readers (civ_monitor_unit_names): a frame scope, unit, name with one row
    per unit of the actuals that `names` names (units it does not name keep their codes: no row, no error).
    names: a DataFrame or a path, either a table of the units (their codes in the actuals' unit column or
    "unit", and "name") or a communities table ("unique_id" starting with the unit's code and "-", D01-S01-C001,
    and the name in a column headed as the indicator file's scope, "street").  Saved as units.csv in a
    `civicast monitor --out` folder (what `--names FILE` writes), it gives civicast.report's page the names
    (鼓角街道（D01-S01）; docs/MONITORING.md, "Units' names").  indicators, actuals, encoding, ...: as monitor();
    skip_rows: the rows above the header of every path, or each its own ({"actuals": 0, "names": 2}, as the
    command's --names-skip-rows)."""
    skip = _skip_rows_arg(skip_rows, "civicast.unit_names")
    b = _Bound(indicators, actuals, encoding, thousands, percent, sheet, _skip_rows_for(skip, "actuals"))
    try:
        cols = (b.unit_column, b.scope, "unit", "unique_id", "name")
        if isinstance(names, pd.DataFrame):  # codes and names are text, whatever pandas inferred
            names = names.copy()
            for c in names.columns:
                if c in cols or names[c].dtype == object:
                    names[c] = _id_text(names[c])
        t, src = _table(names, [c for c in dict.fromkeys(cols)], encoding, thousands, percent, sheet,
                        _skip_rows_for(skip, "names"))
        with t:
            out = _Owned(lib.civ_table_free)
            with out:
                _check_rows(lib.civ_monitor_unit_names(b.mon.ptr, t.ptr, encode(src), ctypes.byref(out.ptr)),
                            names)
                return b.typed(table_to_frame(out.ptr))
    finally:
        b.close()


def early_warning(indicators, actuals, h=6, model="auto", level=(80, 95), threshold=0.5, threads=None,
                  seed=None, scopes=None, encoding=None, thousands=None, percent=False, sheet=None, skip_rows=None):
    """Forecasts every monitored series h periods ahead (civ_monitor_panel ->
    civ_forecast_panel -> civ_forecast_result_table) and gives the
    probability of missing each target (civ_monitor_warn).  Returns
    (steps, summary, forecasts): one row per series and step (p_miss,
    warning), one row per series (p_miss_next, p_miss_max, first_warning,
    reach, deadline, on_track), and the forecasts themselves.  scopes: the
    scopes to forecast (e.g. ["district", "city"]; None = all).  threshold:
    a probability (0.8) or a percentage with its sign ("80%"), as the
    command's --threshold; 80 is refused (civicast.Error) with "write 0.8
    for 80%".  Units, periods and counts come in the actuals' types, as
    monitor()'s."""
    if not level:
        raise _lib.invalid("civicast.early_warning: needs interval levels (the distribution comes from them)")
    threshold = _threshold(threshold)
    b = _Bound(indicators, actuals, encoding, thousands, percent, sheet,
               _skip_rows(skip_rows, "civicast.early_warning"))
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
            return (b.typed(table_to_frame(steps.ptr)), b.typed(table_to_frame(summary.ptr)),
                    monitor_dtypes(table_to_frame(fc.ptr), kind=b.kind))
    finally:
        fc.close()
        panel.close()
        b.close()


def _threshold(threshold):
    """threshold= as the command's --threshold reads it (civ_monitor_threshold_parse): a probability
    (0.8) or a percentage with its sign ("80%"); 80 is refused with the cure "write 0.8 for 80%"."""
    if isinstance(threshold, bool) or not isinstance(threshold, (str, int, float, np.integer, np.floating)):
        raise _lib.invalid(f"civicast.early_warning: threshold must be a probability (0.8) or a percentage "
                           f"(\"80%\"), not {threshold!r}", kind=TypeError)
    text = threshold if isinstance(threshold, str) else repr(float(threshold))
    out = ctypes.c_double()
    check(lib.civ_monitor_threshold_parse(encode(text), ctypes.byref(out)))
    return out.value


def _run_on(pdata, h, model, level, threads, seed):
    return _Run(pdata, h, model, level, threads, seed, None, "aicc", None, "auto", False)


def _one_text(value, kind, unit, against):
    buf = ctypes.create_string_buffer(128)
    v = math.nan if value is None or pd.isna(value) else float(value)
    a = math.nan if against is None or pd.isna(against) else float(against)
    k = None if kind is None or (not isinstance(kind, str) and pd.isna(kind)) else encode(str(kind))
    u = None if unit is None or (not isinstance(unit, str) and pd.isna(unit)) else encode(str(unit))
    check(lib.civ_monitor_value_text(v, k, u, a, buf, len(buf)))
    return buf.value.decode("utf-8")


# The value columns of the monitoring frames and the column each is told apart from (civ_monitor_value_text).
_VALUE_PAIRS = (("actual", "target"), ("target", "actual"), ("mean", "target"), ("goal", None))


def value_text(value, kind=None, unit=None, against=None):
    """An indicator's value as a person reads it, by its kind (civ_monitor_value_text, the words of the
    command's alert lines): a rate as a percentage with one decimal (0.2863 -> "28.6%", 0.35 -> "35%"), a
    count as a whole number ("3 起"), a level with up to two decimals and its unit ("11.07 分钟"); `against`
    (an actual's target) adds the decimals that keep a miss from reading as its target ("97.96%" against 0.98).
    A missing value gives "".  kind: "rate", "count" or "level" (None: the number as "%.4g"); unit: the
    indicator file's (shown after counts and levels).

    With a DataFrame of civicast.monitor or civicast.early_warning (their `kind` and `value_unit` columns
    say each row's kind and unit), returns a copy whose actual, target, mean and goal columns are that text,
    an actual told apart from its target; the frames themselves keep the numbers, for arithmetic."""
    if not isinstance(value, pd.DataFrame):
        return _one_text(value, kind, unit, against)
    df = value
    if "kind" not in df.columns:
        raise Error("CIV_ERR_MISSING_COLUMN", f"value_text needs the frame's 'kind' column (its columns are "
                    f"{_column_list(df)}): pass a frame of civicast.monitor or civicast.early_warning",
                    field="kind")
    out = df.copy()
    kinds = df["kind"].tolist()
    units = df["value_unit"].tolist() if "value_unit" in df.columns else [None] * len(df)
    for col, other in _VALUE_PAIRS:
        if col not in df.columns:
            continue
        vs = df[col].tolist()
        os_ = df[other].tolist() if other in df.columns else [None] * len(df)
        out[col] = [_one_text(v, k, u, a) for v, k, u, a in zip(vs, kinds, units, os_)]
    return out


def demand_check(forecasts, actuals, encoding=None, thousands=None, percent=False, sheet=None, skip_rows=None):
    """Actual demand against its forecast intervals: rows where `actuals`
    (long format unique_id, ds, y: DataFrame or path) has a value for a
    forecast row; flag "ahead" / "behind" with the widest level whose
    interval excludes the actual, else "within" (civ_monitor_demand_check).
    unique_id and ds come in the actuals' types (int ids, Timestamps, Periods)."""
    skip = _skip_rows_arg(skip_rows, "civicast.demand_check")  # a number, or {"forecasts": .., "actuals": ..}
    fc, _ = _table(forecasts, ("unique_id", "ds", "model"), encoding, thousands, percent, sheet,
                   _skip_rows_for(skip, "forecasts"))
    with fc:
        if isinstance(actuals, pd.DataFrame):
            pdata = PanelData(actuals)
            try:
                return _demand(fc, pdata.ptr, actuals, forecasts)
            finally:
                pdata.handle.close()
        panel = _Owned(lib.civ_panel_free)
        with panel:
            ro = _panel_read_options(encoding=encoding, thousands=thousands, percent=percent,
                                     fn="civicast.demand_check", sheet=sheet, skip_rows=_skip_rows_for(skip, "actuals"))
            check(lib.civ_panel_read_ex(encode(os.fspath(actuals)), ctypes.byref(ro), ctypes.byref(panel.ptr)))
            return _demand(fc, panel.ptr, actuals, forecasts)


def _demand(fc, panel_ptr, actuals, forecasts):
    out = _Owned(lib.civ_table_free)
    with out:
        _check_rows(lib.civ_monitor_demand_check(fc.ptr, panel_ptr, ctypes.byref(out.ptr)), forecasts)
        return _demand_ds(ids_like(table_to_frame(out.ptr), "unique_id", actuals, forecasts), actuals, forecasts)


def _demand_ds(df, actuals, forecasts):
    """The demand table's ds (the forecasts' period text) as the caller's frames gave their dates: Timestamps
    for Timestamp actuals (or forecasts, when the actuals are a file), on the first day of the period or,
    when every given date is a month end, the last; Periods as Periods; text stays text."""
    for src in (actuals, forecasts):
        if not isinstance(src, pd.DataFrame) or "ds" not in src.columns or df["ds"].dtype != object:
            continue
        dt = src["ds"].dtype
        if isinstance(dt, pd.PeriodDtype):
            df["ds"] = df["ds"].map({v: pd.Period(v, dt.freq) if v else pd.NaT for v in pd.unique(df["ds"])}).astype(dt)
        elif pd.api.types.is_datetime64_any_dtype(dt):
            given = src["ds"].dropna()
            tz = getattr(given.dt, "tz", None)
            if tz is not None:
                given = given.dt.tz_localize(None)
            end = bool(len(given)) and given.dt.is_month_end.all() and not (given.dt.day == 1).all()

            def stamp(v):  # a day as it is ("2025-03-31"); a period ("2025-01") on its first or last day
                if not v:
                    return pd.NaT
                if len(v) == 10 and v[4] == "-" and v[7] == "-":
                    return pd.Timestamp(v)
                p = _text_period(v)
                return p.end_time.normalize() if end else p.start_time
            df["ds"] = pd.to_datetime(df["ds"].map({v: stamp(v) for v in pd.unique(df["ds"])}))
            if tz is not None:
                df["ds"] = df["ds"].dt.tz_localize(tz, nonexistent="shift_forward", ambiguous=True)
        else:
            continue
        break
    return df


def risk_matrix(register, matrix=None, encoding=None, thousands=None, percent=False, sheet=None, skip_rows=None):
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
        t, src = _table(register, ("risk", "impact", "owner", "mitigation"), encoding, thousands, percent, sheet,
                        _skip_rows(skip_rows, "civicast.risk_matrix"))
        with t:
            a, m = _Owned(lib.civ_table_free), _Owned(lib.civ_table_free)
            with a, m:
                _check_rows(lib.civ_monitor_risk_assess(mx.ptr, t.ptr, encode(src), ctypes.byref(a.ptr),
                                                        ctypes.byref(m.ptr)), register)
                return monitor_dtypes(table_to_frame(a.ptr)), monitor_dtypes(table_to_frame(m.ptr))


def inactivity_alerts(events, quantile=None, min_gap_hours=None, prior_weight=None, memory=None,
                      utc_offset_hours=None, end=None, local_times=False, encoding=None, thousands=None,
                      percent=False, sheet=None, skip_rows=None):
    """Inactivity alerts from activity events (person, ts: "YYYY-MM-DDTHH:MM:SS"
    UTC text or seconds since 1970, in time order): one row per gap that
    reached its person's threshold (civ_monitor_inactivity_run).  Options
    default as civ_monitor_inactivity_options_init (quantile 0.995, ...);
    end: a time (seconds, Timestamp or text) at which open gaps are polled
    (None = the last event).  person comes in the events' dtype; with Timestamp
    ts the times (last_event, alert_at, resumed) are Timestamps (naive UTC, or
    in the events' zone), else UTC text.  local_times=True: times written without a zone (text such as
    "2025-03-01 08:00:00", naive Timestamps, a naive `end`) are local time, UTC + utc_offset_hours (an
    office's export in Beijing time), not UTC (civ_monitor_inactivity_options.naive_local); naive Timestamps
    then come back as naive local times."""
    opt = _lib.civ_monitor_inactivity_options()
    check(lib.civ_monitor_inactivity_options_init(ctypes.byref(opt)))
    for name, v in (("quantile", quantile), ("min_gap_hours", min_gap_hours), ("prior_weight", prior_weight),
                    ("memory", memory), ("utc_offset_hours", utc_offset_hours)):
        if v is not None:
            setattr(opt, name, float(v))
    opt.naive_local = 1 if local_times else 0
    shift = opt.utc_offset_hours * 3600.0 if local_times else 0.0  # seconds east of UTC of a naive time
    if end is None:
        end_s = math.nan
    elif isinstance(end, (int, float)):
        end_s = float(end)
    else:
        end_s = pd.Timestamp(end).tz_localize(None).value / 1e9 - shift if pd.Timestamp(end).tzinfo is None else \
            pd.Timestamp(end).tz_convert("UTC").tz_localize(None).value / 1e9
    given, zone = events, False  # zone: None for naive Timestamps, the zone of tz-aware ones, False for text
    if isinstance(events, pd.DataFrame) and "ts" in events.columns and \
            pd.api.types.is_datetime64_any_dtype(events["ts"].dtype):
        zone = getattr(events["ts"].dt, "tz", None)
        events = events.copy()
        ts = events["ts"]
        if getattr(ts.dt, "tz", None) is not None:
            ts = ts.dt.tz_convert("UTC").dt.tz_localize(None)
        # seconds through nanoseconds whatever the column's unit (pandas 2 keeps s, ms or us columns)
        events["ts"] = ts.to_numpy(dtype="datetime64[ns]").astype(np.int64) / 1e9 - (shift if zone is None else 0.0)
    t, src = _table(events, ("person", "ts"), encoding, thousands, percent, sheet,
                    _skip_rows(skip_rows, "civicast.inactivity_alerts"))
    with t:
        out = _Owned(lib.civ_table_free)
        with out:
            _check_rows(lib.civ_monitor_inactivity_run(ctypes.byref(opt), t.ptr, encode(src), end_s,
                                                       ctypes.byref(out.ptr)), given)
            return _inactivity_dtypes(table_to_frame(out.ptr), given, zone, shift)


def _inactivity_dtypes(df, events, zone, shift=0.0):
    """The inactivity table as the events were given: person ids in their dtype (ids_like), the times
    (last_event, alert_at, resumed: UTC text) as Timestamps when the events' ts were Timestamps (naive
    UTC, or in the events' own zone), the hour as int64."""
    ids_like(df, "person", events)
    if zone is not False:
        for c in ("last_event", "alert_at", "resumed"):
            if c in df.columns and df[c].dtype == object:
                t = pd.to_datetime(df[c].replace("", None), utc=True)
                df[c] = (t.dt.tz_localize(None) + pd.Timedelta(seconds=shift)) if zone is None else t.dt.tz_convert(zone)
    return monitor_dtypes(df)


_PERIOD_COLUMNS = ("ds", "since", "first_warning", "reach", "deadline")


def _period_cell(v, freq=None):
    """A period of a monitoring frame as the tables write it: a Period by its frequency (2024-12, 2024-Q4, 2024),
    a Timestamp as its month (monitor() gives Timestamps for actuals dated by Timestamps: months)."""
    if v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, pd.Period):
        return _period_text(v)
    if isinstance(v, (pd.Timestamp, datetime.date, np.datetime64)):
        return pd.Timestamp(v).strftime("%Y-%m")
    return str(v)


def _naive_dates(col):
    """A datetime64 column as naive dates, as written (a tz-aware one's wall times)."""
    return col.dt.tz_localize(None) if getattr(col.dt, "tz", None) is not None else col


def _timestamp_periods(frames):
    """{Timestamp: period text} over the Timestamps of every period column of the frames, by the rule
    monitor() reads Timestamps with (_periods_of_timestamps: quarter starts 3 months apart are quarters,
    "2024-Q4"; year starts, years), so that a quarterly monitor()'s Timestamps come back as its
    quarters; {} when they are no periods (each is then written as its month)."""
    cols = [_naive_dates(df[c]) for df in frames if isinstance(df, pd.DataFrame) for c in _PERIOD_COLUMNS
            if c in df.columns and pd.api.types.is_datetime64_any_dtype(df[c].dtype)]
    if not cols:
        return {}
    every = pd.Series(pd.unique(pd.concat(cols, ignore_index=True).dropna()))
    text = _periods_of_timestamps(every) if len(every) else None
    return {} if text is None else dict(zip(every, text))


def _workbook_frame(df, what, periods=None):
    """A monitoring frame as the C tables it came from: periods and times as text (Timestamps by
    `periods`, _timestamp_periods, else as their months), ids as text."""
    if not isinstance(df, pd.DataFrame):
        raise _lib.invalid(f"civicast.write_monitor_workbook: {what} must be a DataFrame, not {type(df).__name__}",
                           kind=TypeError)
    df = df.copy()
    for c in df.columns:
        col = df[c]
        if c in _PERIOD_COLUMNS and periods and pd.api.types.is_datetime64_any_dtype(col.dtype):
            df[c] = [periods.get(v, "") if v is not pd.NaT else "" for v in _naive_dates(col)]
            df[c] = df[c].astype(object)
        elif c in _PERIOD_COLUMNS and (col.dtype == object or isinstance(col.dtype, pd.PeriodDtype) or
                                       pd.api.types.is_datetime64_any_dtype(col.dtype)):
            df[c] = col.map(_period_cell).astype(object)
        elif pd.api.types.is_datetime64_any_dtype(col.dtype):  # inactivity's times: UTC text, as the CSV
            t = col.dt.tz_convert("UTC").dt.tz_localize(None) if getattr(col.dt, "tz", None) else col
            df[c] = t.dt.strftime("%Y-%m-%dT%H:%M:%S").fillna("").astype(object)
        elif c in ("unit", "unique_id", "person") or col.dtype == object or isinstance(col.dtype, pd.CategoricalDtype):
            df[c] = _id_text(col.astype(object) if isinstance(col.dtype, pd.CategoricalDtype) else col)
    return df


def write_monitor_workbook(path, indicators=None, status=None, alerts=None, warning=None, warning_steps=None,
                           risks=None, risk_matrix=None, inactivity=None, demand=None, period=None, lang="zh"):
    """Writes the monitoring frames as one Excel workbook for the departments
    (civ_monitor_workbook_write, as `civicast monitor --out` and the plan
    write monitoring.xlsx), atomically: a sheet per frame given, named and
    headed in `lang` ("zh" or "en"), the codes in words (raised 新增预警,
    met 达标, street 街道, risk levels), the indicator's name from
    `indicators` (the indicator file: path or text) beside its id, a rate's
    actual and target shown as percentages (the cells keep the fractions),
    a count with its unit.  status and alerts are monitor()'s, warning and
    warning_steps early_warning()'s summary and steps, risks and
    risk_matrix risk_matrix()'s, inactivity inactivity_alerts()', demand
    demand_check()'s.  The alerts sheet lists the open alerts, then (with
    status) the alerts that `period` ("2024-12", or a day in it as text; None: the alerts' own)
    cleared.  Periods given as Timestamps are written as the periods monitor()
    reads them as (quarter starts 3 months apart: "2024-Q4"; else months).
    Raises civicast.Error (a bad lang, an unwritable path: nothing is left)."""
    frames = {"alerts": alerts, "status": status, "warning": warning, "warning_steps": warning_steps,
              "risks": risks, "risk_matrix": risk_matrix, "inactivity": inactivity, "demand": demand}
    path = os.fspath(path)
    spec = None if indicators is None else _text_arg(indicators, lib.civ_monitor_spec_parse,
                                                      lib.civ_monitor_spec_read, lib.civ_monitor_spec_free,
                                                      "indicators")
    handles = {}
    periods = _timestamp_periods(frames.values())
    try:
        for k, df in frames.items():
            if df is not None:
                handles[k] = frame_to_table(_workbook_frame(df, k, periods))
        t = _lib.civ_monitor_workbook_tables(**{k: h.ptr.value for k, h in handles.items()})
        if isinstance(period, (pd.Timestamp, np.datetime64, datetime.date)):
            stamp = pd.Timestamp(period)
            period = periods.get(stamp.tz_localize(None) if stamp.tzinfo else stamp, period)
        t.period = None if period is None else encode(_period_cell(period))
        check(lib.civ_monitor_workbook_write(encode(path), None if spec is None else spec.ptr, ctypes.byref(t),
                                             None if lang is None else encode(str(lang)), None))
    finally:
        for h in handles.values():
            h.close()
        if spec is not None:
            spec.close()
