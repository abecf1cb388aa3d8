"""pandas <-> civicast: panels and tables from DataFrames, forecasts, reports,
allocation, and file I/O.

Long format is statsforecast's: one row per (unique_id, ds) with the value y
and optional numeric covariate columns.  The rules mirror the C CSV reader
(engine/src/io/csv.c) so that a DataFrame and the same data read from a CSV give
the same panel:

* rows in any order; a series' values run from its first period to its last
  row that is not a *future row* (a row after the last non-missing y whose y
  is missing and that carries a covariate value); gaps are NaN;
* every extra numeric column is a covariate; its values may extend past the
  series' end (future values, needed by models that use covariates);
* series are numbered in sorted ``unique_id`` order (string order).  The
  CLI numbers them in order of first appearance; for a file sorted by
  unique_id, like the demo city, both are the same.  Simulated intervals do
  not depend on the order: their generator is seeded from (seed, unique_id).

Dates (``ds``) may be civicast strings ("2024", "2024-Q3", "2024-07",
"2024-07-15"), pandas Timestamps (datetime64) or Periods.  Forecast output
gives ``ds`` in the same kind as the input: civicast strings for strings;
Timestamps anchored like the input (start or end of month/quarter/year;
start when mixed) for datetime64; Periods of the input's frequency for
Periods.

Arrays: a y column (and covariates) that is already contiguous float64 and
already sorted by (unique_id, ds) without gaps is passed to the C library by
pointer, without a Python-side copy (civ_panel_add_series then copies into
the panel, which owns its memory).  Anything else (ints, unsorted rows, gaps)
is gathered once into a new float64 buffer.  Outputs of the C library are
copied into numpy arrays this module allocates (caller-allocated outputs), so
no numpy array ever points into memory the library frees.
"""
import ctypes
import math
import os
import re
import warnings

import numpy as np
import pandas as pd

from . import _hdf5_probe, _lib
from ._lib import P, Error, check, encode, lib

__all__ = ["forecast", "models_report", "read", "write", "allocate", "DateSpec", "ForecastWarning"]

_NO_PERIOD = np.iinfo(np.int64).min
_DEFAULT_SEED = 20260101  # CIV_FORECAST_DEFAULT_SEED
_FREQ_NAMES = {_lib.FREQ_YEARLY: "yearly", _lib.FREQ_QUARTERLY: "quarterly", _lib.FREQ_MONTHLY: "monthly",
               _lib.FREQ_WEEKLY: "weekly", _lib.FREQ_DAILY: "daily"}
# Text columns of communities/forecasts tables read from files (as the CLI's allocate).
_ALLOC_TEXT_COLUMNS = ("unique_id", "name", "district", "street", "model", "pilot")


class ForecastWarning(UserWarning):
    """Some series failed to forecast (their rows hold NaN; see models_report), or an allocation counted
    communities without a forecast as 0 demand (if_missing = "zero")."""


def _dec(b):
    return b.decode("utf-8", "replace") if b is not None else None


def _ptr(arr, offset=0):
    """Address of arr[offset] for a contiguous 1-D array (no copy)."""
    return ctypes.c_void_p(arr.ctypes.data + offset * arr.itemsize) if arr.size else None


def _copy_doubles(src_ptr, n):
    """Copies n doubles from a borrowed C pointer into a new numpy array."""
    out = np.empty(n, dtype=np.float64)
    if n:
        ctypes.memmove(out.ctypes.data, src_ptr, n * 8)
    return out


class _Owned:
    """A C object freed by `free` when the wrapper goes away (or on close())."""

    def __init__(self, free):
        self.ptr = ctypes.c_void_p()
        self._free = free

    def close(self):
        if self.ptr:
            self._free(self.ptr)
            self.ptr = ctypes.c_void_p()

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ======================================================================== dates

class DateSpec:
    """How ds maps to civicast periods, and back.

    freq: one of "yearly", "quarterly", "monthly", "weekly", "daily";
    phase: weekday offset of weekly data (days since 1970-01-01 mod 7);
    kind: "str", "datetime", "period" (what the input ds was) or "year"
          (integer years: 2024 in, 2024 out);
    anchor: "start" or "end" (the day of a monthly/quarterly/yearly period
    the dates name), or "period" for civicast period text ("2024-07");
    pd_freq: the pandas frequency of Period input;
    time_sep: "" or " " / "T" when string dates carried a midnight time;
    tz: the time zone of tz-aware Timestamps (their local midnights are the
    days; dates made from periods are those midnights in that zone again).
    """

    __slots__ = ("freq", "phase", "kind", "anchor", "pd_freq", "time_sep", "tz")

    def __init__(self, freq, phase=0, kind="str", anchor="start", pd_freq=None, time_sep="", tz=None):
        self.freq, self.phase, self.kind, self.anchor, self.pd_freq = freq, phase, kind, anchor, pd_freq
        self.time_sep, self.tz = time_sep, tz

    @property
    def code(self):
        return {v: k for k, v in _FREQ_NAMES.items()}[self.freq]

    def _key(self):
        return (self.freq, self.phase, self.kind, self.anchor, str(self.pd_freq), self.time_sep,
                None if self.tz is None else str(self.tz))

    def __eq__(self, other):
        return isinstance(other, DateSpec) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return "DateSpec(%r, phase=%d, kind=%r, anchor=%r, pd_freq=%r, time_sep=%r, tz=%r)" % self._key()

    def __reduce__(self):
        return (DateSpec, (self.freq, self.phase, self.kind, self.anchor, self.pd_freq, self.time_sep, self.tz))

    def c_style(self):
        """The civ_date_style of this layout (how the C library writes dates)."""
        a = {"period": _lib.ANCHOR_PERIOD, "start": _lib.ANCHOR_START, "end": _lib.ANCHOR_END}[self.anchor]
        if self.kind == "str" and self.anchor == "period":
            a = _lib.ANCHOR_PERIOD
        return _lib.civ_date_style(a, self.time_sep.encode() if self.time_sep else b"\0")

    # periods -> ds values of the input's kind
    def to_ds(self, periods):
        periods = np.asarray(periods, dtype=np.int64)
        if self.kind == "str":
            return format_periods(periods, self.code, self.phase, self.c_style())
        if self.kind == "year":  # integer years in, integer years out (results merge with the input)
            return np.asarray(format_periods(periods, self.code, self.phase, self.c_style())).astype(np.int64)
        days = _period_days(periods, self.freq, self.phase, self.anchor)
        stamps = pd.to_datetime(days.astype("datetime64[D]"))
        if self.kind == "period":  # pandas' PeriodArray: to_numpy() boxed one Period object per row (0.6 s per 120k)
            return pd.PeriodIndex(stamps, freq=self.pd_freq).array
        if self.tz is not None:  # the input's zone: its midnights again, so results merge with the input
            return stamps.tz_localize(self.tz, nonexistent="shift_forward", ambiguous=True).array
        return stamps.to_numpy()


def format_periods(periods, freq_code, phase=0, style=None):
    """civicast text of each period (civ_period_format_style: period text, or
    the first / last day of each period with the input's time), formatting
    each distinct period once."""
    uniq, inv = np.unique(np.asarray(periods, dtype=np.int64), return_inverse=True)
    buf = ctypes.create_string_buffer(32)
    labels = np.empty(len(uniq), dtype=object)
    st = ctypes.byref(style) if style is not None else None
    for j, p in enumerate(uniq):
        check(lib.civ_period_format_style(freq_code, phase, st, int(p), buf, 32))
        labels[j] = buf.value.decode()
    return labels[inv]


def _period_days(periods, freq, phase, anchor):
    """Days since 1970-01-01 of the start (or end) of each period."""
    if freq in ("daily",):
        return periods
    if freq == "weekly":
        return periods * 7 + phase
    months = {"monthly": 1, "quarterly": 3, "yearly": 12}[freq]
    m0 = periods * months - 12 * 1970  # month index since 1970-01
    start = m0.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    if anchor == "end":
        nxt = (m0 + months).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
        return nxt - 1
    return start


def _days_to_periods(days, freq, phase):
    """Period of each day (civ_date_to_period, vectorised): the month,
    quarter or year holding it; weekly, the week ending on the phase weekday
    on or after it; daily, the day."""
    days = np.asarray(days, dtype=np.int64)
    if freq == "daily":
        return days
    if freq == "weekly":
        return -((phase - days) // 7)
    month_abs = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) + 12 * 1970
    return {"monthly": month_abs, "quarterly": month_abs // 3, "yearly": month_abs // 12}[freq]


_ANCHOR_NAMES = {0: "period", 1: "start", 2: "end"}


def _want_spec(freq):
    """freq= (None, a word, a pandas alias string or offset) -> civ_freq_spec
    or None, parsed by the C library (civ_freq_parse) so that the CLI's
    --freq and Python's freq= accept the same names."""
    if freq is None:
        return None
    text = getattr(freq, "freqstr", None) or getattr(freq, "name", None) or str(freq)
    spec = _lib.civ_freq_spec()
    if lib.civ_freq_parse(encode(str(text).strip()), ctypes.byref(spec)):
        raise _lib.invalid("civicast: freq=: " + _lib.last_error().message, "freq")
    return spec


def _norm_freq(freq):
    """civicast frequency name of a frequency text or pandas alias."""
    if freq is None:
        return None
    spec = _want_spec(freq)
    return _FREQ_NAMES.get(spec.freq) if spec.freq else None


def _frequency_error(msg, field="ds"):
    return Error("CIV_ERR_FREQUENCY", msg, field=field)


def _infer_layout(days, codes, n_series, want, ids=None):
    """(freq name, phase, anchor name) of day dates by civ_dates_infer: the
    frequency of each series' spacing, or `want` (civ_freq_spec)."""
    days = np.ascontiguousarray(days, dtype=np.int64)
    series = np.ascontiguousarray(codes, dtype=np.uintp)
    id_arr = None
    if ids is not None and n_series:
        id_arr = (ctypes.c_char_p * n_series)(*[encode(str(x)) for x in ids])
    f, ph, an = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
    check(lib.civ_dates_infer(days.ctypes.data_as(_lib.c_int64_p), series.ctypes.data_as(_lib.c_size_p),
                              len(days), n_series, id_arr, ctypes.byref(want) if want is not None else None,
                              ctypes.byref(f), ctypes.byref(ph), ctypes.byref(an)))
    if f.value == _lib.FREQ_UNKNOWN:
        return "daily", 0, "start"  # no rows
    return _FREQ_NAMES[f.value], ph.value, _ANCHOR_NAMES[an.value]


def to_periods(ds, codes, n_series, freq=None, spec=None, ids=None, hint=None):
    """ds column -> (int64 periods, DateSpec).  `spec` forces a known layout
    (the Dask helpers infer it once for every partition); `hint` is a
    frequency name used when freq is None (a frame from civicast.read keeps
    its file's frequency in df.attrs): only where the dates cannot tell
    (every series with one date, or ambiguous spacing); dates that say
    another frequency are an Error (_infer_hinted)."""
    want = _want_spec(freq)
    if freq is not None:
        hint = None
    _want_spec(hint)  # a bad attrs['frequency'] is refused like a bad freq=
    dtype = ds.dtype
    if isinstance(dtype, pd.PeriodDtype):
        pd_freq = dtype.freq
        name = _norm_freq(pd_freq.name if hasattr(pd_freq, "name") else str(pd_freq))
        rule = pd_freq.rule_code.upper()
        if name == "quarterly" and rule not in ("Q-DEC",):
            raise _lib.invalid(f"civicast: quarterly Periods must end in December (Q-DEC), got {rule}")
        if name == "yearly" and rule not in ("A-DEC", "Y-DEC"):
            raise _lib.invalid(f"civicast: yearly Periods must end in December (A-DEC), got {rule}")
        if ds.isna().any():
            raise _missing_ds(ds, codes, ids)
        stamps = ds.dt.start_time
        periods, spec2 = _datetime_periods(stamps, codes, n_series, _want_spec(name) if spec is None else None,
                                           spec, ids)  # the dtype's frequency: attrs['frequency'] is not asked
        return periods, DateSpec(spec2.freq, spec2.phase, "period", "start", pd_freq)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        zoned = None
        if getattr(dtype, "tz", None) is not None:
            zoned, ds = ds, ds.dt.tz_localize(None)
        if ds.isna().any():
            raise _missing_ds(ds, codes, ids)
        periods, found = _datetime_periods(ds, codes, n_series, want, spec, ids, hint, zoned)
        if spec is None and zoned is not None:  # the days are the zone's midnights: dates come back in it
            found = DateSpec(found.freq, found.phase, found.kind, found.anchor, tz=dtype.tz)
        return periods, found
    if dtype == object and pd.api.types.infer_dtype(ds, skipna=True) in ("date", "datetime"):
        # datetime.date / datetime / Timestamp objects (SQL readers, .dt.date): dates, not text
        try:
            stamps = pd.to_datetime(ds)
        except (ValueError, TypeError):  # e.g. several time zones: read as text, as before
            stamps = None
        if stamps is not None and pd.api.types.is_datetime64_any_dtype(stamps.dtype):
            return to_periods(stamps, codes, n_series, freq, spec, ids, hint)
    if pd.api.types.is_float_dtype(dtype) and len(ds) and not ds.isna().any() and \
            np.all(np.mod(ds.to_numpy(dtype=np.float64), 1.0) == 0.0):
        # whole numbers in a float column (years 2024.0, Excel's day numbers 45292.0 after arithmetic or astype):
        # read as the integers they are, so years are years and a day number gets the integer column's cure
        return to_periods(ds.astype(np.int64), codes, n_series, freq, spec, ids, hint)
    try:
        periods, found = _string_periods(ds, codes, n_series, want, spec, ids, hint)
        if spec is None and pd.api.types.is_integer_dtype(dtype) and found.freq == "yearly":
            found = DateSpec("yearly", kind="year", anchor="period")  # integer years come back as integers
        return periods, found
    except Error as e:
        if not pd.api.types.is_integer_dtype(dtype) or e.field != "ds":
            raise
        raise Error(e.status, e.message + "; ds holds integers (a time index such as 1, 2, 3, or 202401), but "
                    "civicast needs calendar dates (years such as 2024 read as years): make them, e.g. "
                    "df['ds'] = pd.Period('2000-01', 'M') + (df['ds'] - 1) for monthly data from January 2000 "
                    "('Q' quarterly, 'Y' yearly), or pd.to_datetime(df['ds'].astype(str), format='%Y%m')",
                    series_id=e.series_id, field="ds") from None


def _missing_ds(ds, codes, ids):
    """The error for a NaT in ds: its row (position in the frame) and series."""
    row = int(np.flatnonzero(pd.isna(ds.to_numpy()))[0])
    sid = str(ids[codes[row]]) if ids is not None and codes is not None else ""
    return Error("CIV_ERR_DATE", f"row {row}: missing ds (NaT){f' in series {sid!r}' if sid else ''}: give the date, "
                 "or drop the row (a sheet's total or note row under the data, such as 合计?)", series_id=sid,
                 field="ds")


def _stale_frequency(hint, found):
    """The error for a frame whose attrs['frequency'] (kept by pandas through
    copies, filters and resamples of a frame from civicast.read) contradicts
    its dates."""
    hint = _norm_freq(hint) or hint
    return _frequency_error(f"ds are {found} dates but the frame's attrs['frequency'] says {hint} (civicast.read "
                            "records the file's frequency there, and pandas keeps it through copies, filters and "
                            f"resamples): pass freq='{found}' (or freq='{hint}' if the dates are {hint} with gaps), "
                            "or drop the stale record: df.attrs.pop('frequency')")


def _infer_hinted(days, codes, n_series, want, ids, hint):
    """_infer_layout with a frame's attrs['frequency'] (`hint`) as a fallback:
    the dates decide when their spacing does, and must then agree with the
    hint (else _stale_frequency); the hint is used only when the dates cannot
    tell (civ_dates_infer's CIV_ERR_FREQUENCY: single dates, ambiguous or
    irregular spacing)."""
    if want is not None or hint is None:
        return _infer_layout(days, codes, n_series, want, ids)
    try:
        layout = _infer_layout(days, codes, n_series, None, ids)
    except Error as e:
        if e.status != "CIV_ERR_FREQUENCY":
            raise
        return _infer_layout(days, codes, n_series, _want_spec(hint), ids)
    if len(days) and layout[0] != _norm_freq(hint):
        raise _stale_frequency(hint, layout[0])
    return layout


def _time_of_day_error(ns, days, codes, ids, zoned):
    """The error for Timestamps with a time of day: the first such row, its
    series and date, and the cure, as the C reader's for the same dates in a
    CSV (civ_date_parse).  `zoned` is the tz-aware column the wall times came
    from, if any: UTC midnights shown in a local zone (08:00 in Asia/Shanghai)
    are named as such, with the conversion that gives them back."""
    row = int(np.flatnonzero(days.astype("datetime64[ns]") != ns)[0])
    sid = str(ids[codes[row]]) if ids is not None and codes is not None else ""
    where = f"row {row}"
    if zoned is None:
        return Error("CIV_ERR_DATE", f"{where}: ds {pd.Timestamp(ns[row])} has a time of day: civicast periods are "
                     "days or longer; aggregate to days, or keep the date alone: df['ds'] = df['ds'].dt.normalize()",
                     series_id=sid, field="ds")
    shown, tz = zoned.iloc[row], zoned.dt.tz
    utc = zoned.dt.tz_convert(None).to_numpy(dtype="datetime64[ns]")
    if np.all(utc.astype("datetime64[D]").astype("datetime64[ns]") == utc):
        cure = (f"every ds is a midnight in UTC shown in {tz}: take them back to UTC, "
                "df['ds'] = df['ds'].dt.tz_convert('UTC')")
    else:
        cure = ("if these are midnights of another zone, convert them back to it first "
                "(df['ds'] = df['ds'].dt.tz_convert('Asia/Shanghai'), the zone they were made in), "
                "else aggregate to days")
    return Error("CIV_ERR_DATE", f"{where}: ds {shown} has a time of day in its time zone ({tz}): civicast periods "
                 f"are days or longer; {cure}", series_id=sid, field="ds")


def _datetime_periods(ds, codes, n_series, want, spec, ids=None, hint=None, zoned=None):
    ns = ds.to_numpy(dtype="datetime64[ns]")
    days = ns.astype("datetime64[D]")
    if np.any(days.astype("datetime64[ns]") != ns):
        raise _time_of_day_error(ns, days, codes, ids, zoned)
    d = days.astype(np.int64)
    if spec is not None:
        return _days_to_periods(d, spec.freq, spec.phase), spec
    freq, phase, anchor = _infer_hinted(d, codes, n_series, want, ids, hint)
    return _days_to_periods(d, freq, phase), DateSpec(freq, phase, "datetime", anchor)


def _string_periods(ds, codes, n_series, want, spec, ids=None, hint=None):
    values = ds.to_numpy()
    ds_codes, uniq = pd.factorize(values)
    if (ds_codes < 0).any():
        row = int(np.flatnonzero(ds_codes < 0)[0])
        sid = str(ids[codes[row]]) if ids is not None and codes is not None else ""
        raise Error("CIV_ERR_DATE", f"row {row}: missing ds{f' in series {sid!r}' if sid else ''}: give the date, "
                    "or drop the row (a sheet's total or note row under the data, such as 合计?)", series_id=sid,
                    field="ds")
    forms = np.empty(len(uniq), dtype=np.int64)
    vals = np.empty(len(uniq), dtype=np.int64)
    form, val = ctypes.c_int(), ctypes.c_int64()
    time_sep = ""
    for j, text in enumerate(uniq):
        b = encode(text if isinstance(text, (str, bytes)) else str(text))
        st = lib.civ_date_parse(b, len(b), ctypes.byref(form), ctypes.byref(val))
        if st:
            err = _lib.last_error()
            row = int(np.flatnonzero(ds_codes == j)[0])
            raise Error(err.status, f"row {row}: {err.message}", field="ds")
        forms[j], vals[j] = form.value, val.value
        if j == 0 and form.value == _lib.DATE_DAY:
            sep = lib.civ_date_time_separator(b, len(b))
            time_sep = sep.decode() if sep not in (b"", b"\0") else ""
    if len(uniq) and not np.all(forms == forms[0]):
        raise _frequency_error("ds mixes date forms (e.g. '2024-07' and '2024-07-15'); use one")
    v = vals[ds_codes]
    f = int(forms[0]) if len(uniq) else _lib.DATE_MONTH
    natural = {_lib.DATE_YEAR: "yearly", _lib.DATE_QUARTER: "quarterly", _lib.DATE_MONTH: "monthly"}
    if f in natural:
        freq = natural[f]
        asked = spec.freq if spec is not None else (_FREQ_NAMES.get(want.freq) if want is not None else None)
        if asked is None and hint is not None and _norm_freq(hint) != freq:
            raise _stale_frequency(hint, freq)
        if asked not in (None, freq):
            raise _frequency_error(f"ds are {freq} text but the frequency asked for is {asked}: freq= chooses "
                                   "among day dates only")
        return v, spec if spec is not None else DateSpec(freq, anchor="period")
    if spec is not None:
        return _days_to_periods(v, spec.freq, spec.phase), spec
    freq, phase, anchor = _infer_hinted(v, codes, n_series, want, ids, hint)
    return _days_to_periods(v, freq, phase), DateSpec(freq, phase, "str", anchor, time_sep=time_sep)


# ====================================================================== panels

def _factorize_ids(col):
    """unique_id column -> (codes in sorted string order, unique values in the
    input's dtype, their UTF-8 bytes)."""
    if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
        # Before factorize: pandas' string hash table stops at a NUL too, so
        # 'A\x00x' and 'A' would already be one series (issue 18).  One join
        # in C screens text ids (astype(str).str.contains, a copy of the column
        # and a Python-level loop, was half the panel's build time); ids that
        # are not all str (ints, NA among them) take the row-by-row check.
        try:
            nul = "\x00" in "".join(col.to_numpy(dtype=object))
        except TypeError:
            nul = True
        if nul:
            nul = col.astype(str).str.contains("\x00", regex=False).to_numpy()
        if nul is not False and nul.any():
            row = int(np.flatnonzero(nul)[0])
            u = str(col.iloc[row])
            raise Error("CIV_ERR_INVALID_ARGUMENT", f"row {row}: unique_id {u!r} contains a NUL character, "
                        "which C text cannot hold", series_id=u.replace("\x00", "\\x00"), field="unique_id")
    codes, uniques = pd.factorize(col, sort=False)
    if (codes < 0).any():
        row = int(np.flatnonzero(codes < 0)[0])
        raise Error("CIV_ERR_INVALID_ARGUMENT", f"row {row}: missing unique_id", field="unique_id")
    uvals = np.asarray(uniques, dtype=object)
    ustr = np.array([str(u) for u in uvals], dtype=object)
    order = np.argsort(ustr, kind="stable")
    if len(ustr) > 1:
        s = ustr[order]
        dup = np.flatnonzero(s[1:] == s[:-1])
        if dup.size:
            raise Error("CIV_ERR_DUPLICATE", f"two unique_id values print as '{s[dup[0]]}'",
                        series_id=s[dup[0]], field="unique_id")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[codes].astype(np.int64), uvals[order], [encode(u) for u in ustr[order]]


def _total_row_series(id_bytes, codes, id_arr=None):
    """The error for a series named like a sheet's total row (合计, 合　计, Total, 总计：) among other series, as the C
    reader gives for the same CSV: a total block per month read as one more community would be forecast, counted into
    the city and allocated money. A panel of that series alone (the city's total) is left alone, and so is
    "total" exactly, the top node of civicast's node panels (Hierarchy.aggregate). The names are the C library's
    (civ_total_row_find, one pass in C over the ids; id_arr: the ids as a ctypes char* array, when built already)."""
    if len(id_bytes) < 2:
        return None
    if id_arr is None:
        id_arr = (ctypes.c_char_p * len(id_bytes))(*id_bytes)
    found = ctypes.c_size_t()
    check(lib.civ_total_row_find(id_arr, len(id_bytes), ctypes.byref(found)))
    j = found.value
    if j >= len(id_bytes):
        return None
    row = int(np.flatnonzero(codes == j)[0])
    u = id_bytes[j].decode()
    return Error("CIV_ERR_PARSE", f"row {row}: '{u}' looks like the sheet's total row, not a series: its rows (one "
                 "a period) would be forecast and counted as one more community; drop them (civicast sums the series "
                 "itself: civicast.forecast(..., hierarchy=['district']) gives district and city totals), or rename "
                 "the series if it is one of its own", series_id=u, field="unique_id")


_PLAIN_WHOLE = r"0|-?[1-9][0-9]{0,18}"  # str(int(t)) == t: no leading zero, no "+", no "-0"


def whole_codes(values):
    """Ids as int64 when every one is the text of a whole number written
    plainly ("101", "-7": str(int(t)) == t, within int64), as pandas'
    read_csv types such a column; else None, and the ids stay text: codes
    with leading zeros ("0101"), a sign "+", spaces or decimals keep their
    text, and so does a column mixing such codes with plain numbers.
    Vectorised (a million ids in about half a second)."""
    u = pd.Series(np.asarray(values, dtype=object), dtype=object)
    if not len(u) or pd.api.types.infer_dtype(u, skipna=False) != "string" or \
            not u.str.fullmatch(_PLAIN_WHOLE).all():
        return None
    try:
        return u.astype(np.int64).to_numpy()
    except (OverflowError, ValueError):  # 19 digits beyond int64
        return None


def text_ids_as(vals, dtype):
    """Ids (an object array of the ids or their text, as the C library gives them) in the caller's id dtype when
    it is a categorical (its categories and order kept; matched by text, so categories of ints match "101") or
    pandas' string dtype (convert_dtypes()'s); None for any other dtype, or when an id is none of the categories
    (last year's community gone from this year's frame).  The one rule of forecast's outputs (PanelData.ids_out)
    and of the tables keyed by a caller's ids (ids_like: allocate, compare, need, settle, ...)."""
    if isinstance(dtype, pd.CategoricalDtype):
        cats = pd.Index([str(c) for c in dtype.categories], dtype=object)
        codes = cats.get_indexer([str(v) for v in vals]) if cats.is_unique else np.full(len(vals), -1)
        return None if (codes < 0).any() else pd.Categorical.from_codes(codes, dtype=dtype)
    if isinstance(dtype, pd.StringDtype):
        return pd.array([v if isinstance(v, str) else str(v) for v in vals], dtype=dtype)
    return None


def ids_like(df, col, *sources, source_col=None):
    """df[col], ids that a C table gives as text, in place in the dtype of the
    caller's ids: that of the first DataFrame among `sources` with the column
    source_col (the spec's id column of a communities table) or col
    (integer dtypes, Int64 too, back to that dtype; whole floats, such as a
    code column civicast.read or pandas typed as numbers, as int64;
    categoricals and pandas' string dtype as forecast's outputs keep them,
    text_ids_as; other text stays text), else (ids from files) int64 when
    whole_codes says so, as civicast.read gives them.  Returns df."""
    if col not in df.columns or df[col].dtype != object:
        return df
    for src in sources:
        name = next((n for n in (source_col, col) if isinstance(src, pd.DataFrame) and n in src.columns), None)
        if name is not None:
            dt = src[name].dtype
            typed = text_ids_as(df[col].to_numpy(dtype=object), dt)
            if typed is not None:
                df[col] = pd.Series(typed, index=df.index)
                return df
            if not (pd.api.types.is_integer_dtype(dt) or pd.api.types.is_float_dtype(dt)) or \
                    isinstance(dt, pd.CategoricalDtype):
                return df
            codes = whole_codes(df[col])
            if codes is not None:
                df[col] = pd.Series(codes, index=df.index).astype(dt if pd.api.types.is_integer_dtype(dt)
                                                                   else np.int64)
            return df
    codes = whole_codes(df[col])
    if codes is not None:
        df[col] = codes
    return df


def scope_ids_like(df, col, scope, *sources, source_col=None):
    """ids_like for the rows of one scope of a table whose column `col` mixes ids with other names (the
    Monte Carlo's name: communities, then districts and the total): those rows' ids in the caller's dtype
    (ints among the other rows' text, an object column, as the monitor's unit column); returns df."""
    if col not in df.columns or "scope" not in df.columns or df[col].dtype != object:
        return df
    rows = (df["scope"] == scope).to_numpy()
    if not rows.any():
        return df
    sub = pd.DataFrame({col: df[col].to_numpy(dtype=object)[rows]})
    ids_like(sub, col, *sources, source_col=source_col)
    if pd.api.types.is_integer_dtype(sub[col].dtype):  # a categorical or string id stays text among the names
        out = df[col].to_numpy(dtype=object).copy()
        out[rows] = [int(v) for v in sub[col]]
        df[col] = out
    return df


# Count columns of the C library's tables (numbers there, as every number):
# an accuracy table's windows, failed windows and points, a forecast
# report's observations, parameters and uncalibrated steps, a need's
# communities.
COUNT_COLUMNS = ("windows", "failed", "n", "n_params", "uncalibrated", "communities")


def count_dtypes(df, columns=COUNT_COLUMNS):
    """Count columns of df (those of `columns` it has, whole numbers) as
    int64 in place, nullable Int64 where a count is missing (a failed
    series' n_params); returns df."""
    for c in columns:
        if c not in df.columns or not pd.api.types.is_float_dtype(df[c].dtype):
            continue
        v = df[c].to_numpy()
        ok = ~np.isnan(v)
        if not np.all(v[ok] == np.round(v[ok])):
            continue
        df[c] = df[c].astype(np.int64) if ok.all() else df[c].astype("Int64")
    return df


def _column_list(df):
    """A frame's columns for messages: "a, b, c" (the first 12, then ", ...")."""
    return ", ".join(map(str, df.columns[:12])) + (", ..." if len(df.columns) > 12 else "")


def _standard_columns(df, id_col=None, time_col=None, target_col=None):
    """df with its own names of the series id, date and value columns
    (statsforecast's id_col, time_col, target_col; e.g. "社区编号", "月份",
    "用餐人次") renamed to unique_id, ds and y, by the rules files follow
    (civ_panel_read_options.id_column, ...): a frame without the given column
    but with the standard one is used as is; one with both is an Error
    CIV_ERR_DUPLICATE, one with neither CIV_ERR_MISSING_COLUMN; one column
    for two roles is a ValueError."""
    rename = {}
    for std, name, what in (("unique_id", id_col, "id_col"), ("ds", time_col, "time_col"),
                            ("y", target_col, "target_col")):
        _column_name(what, name)  # None, or a non-empty str
        if name is None or name == std:
            continue
        if name in rename:
            raise _lib.invalid(f"column {name!r} cannot be both the {rename[name]} and the {std} column")
        if name in df.columns and std in df.columns:
            raise Error("CIV_ERR_DUPLICATE", f"the frame has both '{name}' (given as {what}) and '{std}': either "
                        "could be meant; drop or rename one of them", field=std)
        if name in df.columns:
            rename[name] = std
        elif std not in df.columns:
            have = _column_list(df)
            raise Error("CIV_ERR_MISSING_COLUMN", f"the frame has no column '{name}' (given as {what}) and no "
                        f"'{std}' (it has {have}): check the name and its spelling", field=name)
    if not rename:
        return df
    # pandas' rename copies every column by default; the panel is read from the caller's arrays (no copy)
    return df.rename(columns=rename, copy=False) if isinstance(df, pd.DataFrame) else df.rename(columns=rename)


# 10**0 .. 10**22: the powers of ten a float64 holds exactly (the fast path of exact decimal conversion).
_POW10 = np.array([float(10 ** k) for k in range(23)])


class _Step:
    """10**q per value, and which values divide (q < 0): one correctly rounded operation each."""

    def __init__(self, q):
        self.p, self.neg, self.pos = _POW10[np.abs(q)], q < 0, q >= 0

    def times(self, m):  # m * 10**q
        r = np.multiply(m, self.p)
        np.divide(m, self.p, out=r, where=self.neg)
        return r

    def into(self, v):  # v / 10**q, within a unit of the last place (a first guess only)
        r = np.multiply(v, self.p)
        np.divide(v, self.p, out=r, where=self.pos)
        return r


def _multiples_inside(sg, lo, hi, bad):
    """A..B (int64), the integers m with m * 10**g strictly inside (lo, hi), sg the step 10**g: A the smallest
    with m * 10**g > lo, B the largest with m * 10**g < hi (each guess within 1).  bad (updated in place) marks
    the values whose candidate equals a bound, and those with none inside (10**g equal to the width, or the
    guess of g one too coarse)."""
    f_lo, f_hi = np.floor(sg.into(lo)), np.floor(sg.into(hi))
    A, B = f_lo + 2, f_hi - 1
    for j in (1, 0):
        d = sg.times(f_lo + j)
        bad |= d == lo
        np.copyto(A, f_lo + j, where=d > lo)
    for j in (0, 1):
        d = sg.times(f_hi + j)
        bad |= d == hi
        np.copyto(B, f_hi + j, where=d < hi)
    bad |= A > B
    B = np.maximum(A, B)
    return A.astype(np.int64), B.astype(np.int64)


def _largest_power(Ai, Bi):
    """t: the largest power of ten with a multiple in Ai..Bi (t = 0 always has one)."""
    t = np.zeros(Ai.size, dtype=np.int64)
    for k in range(1, 19):
        p = np.int64(10) ** k
        has = (Bi // p) * p >= Ai
        if not has.any():
            break
        t += has
    return t


def _closer_multiple(a, q, lo_m, hi_m):
    """Of the multiples lo_m .. hi_m of 10**q inside a value's interval (several of them), the one Dragon4
    prints for |x| = a: the closer of the two beside it, of two equally close the one whose last digit is even
    (a itself when it is one).  Returns the choices and which of them are still undecided (printed instead)."""
    sq = _Step(q)
    lm, hm = lo_m.astype(np.float64), hi_m.astype(np.float64)
    f = np.floor(sq.into(a))
    below, above, m_below = np.full(a.size, np.nan), np.full(a.size, np.nan), np.zeros(a.size)
    exact = np.zeros(a.size, dtype=bool)
    for j in (2, 1, 0, -1):  # downwards: the first above |x| kept last is the smallest
        m = f + j
        d = sq.times(m)
        ok = (m >= lm) & (m <= hm)
        exact |= ok & (d == a)
        np.copyto(above, d, where=ok & (d > a))
    for j in (-1, 0, 1, 2):  # upwards: the last below |x| is the largest
        m = f + j
        d = sq.times(m)
        ok = (m >= lm) & (m <= hm) & (d < a)
        np.copyto(below, d, where=ok)
        np.copyto(m_below, m, where=ok)
    half = 10 * m_below + 5
    mid = _Step(q - 1).times(half)  # halfway between the two
    has_b, has_a = ~np.isnan(below), ~np.isnan(above)
    choice = np.where(exact, a, np.where(~has_a | (has_b & (mid > a)), below, above))
    tie = ~exact & has_b & has_a & (mid == a)
    if tie.any():
        # |x| * 10**s is exact for s <= 12 (24 bits and 5**12 fit in 53): compared with the halfway digits,
        # the closer multiple, and for a true tie (445045.625 between .62 and .63) Dragon4's even last digit
        sh = 1 - q
        ok = tie & (sh >= 1) & (sh <= 12)
        xs = a * _POW10[np.clip(sh, 0, 22)]
        go_down = (xs < half) | ((xs == half) & (m_below % 2 == 0))
        choice = np.where(ok, np.where(go_down, below, above), choice)
        tie &= ~ok
    return choice, tie | (~exact & ~has_b & ~has_a)


def _printed_decimals(x, narrow, stats=None):
    """Each value of x (float64 holding values of the narrow float type, finite, not whole) as the float64
    nearest to the decimal numpy prints for it (the shortest decimal that reads back as the same narrow value,
    the closer to it of the two beside it when two are that short), the same as
    x.astype(narrow).astype(str).astype(np.float64), computed with numpy over the array
    (bench/float32_decimals.py: 0.2 to 0.45 s a million values where printing took 0.6 to 2.3 s).

    The decimals that read back as |x| are those strictly inside (lo, hi), the midpoints with its narrow
    neighbours (exact in float64).  At a decimal step 10**g finer than the interval's width, the multiples
    m * 10**g inside are the integers A..B; the shortest decimal is the multiple of the largest 10**t among
    them (level q = g + t), and when several are, Dragon4 (numpy's printer) takes the closer to |x| of the two
    beside it, of two equally close the one whose last digit is even.  m * 10**q and m / 10**-q are one
    correctly rounded float64 operation for |q| <= 22, and rounding is monotonic, so every comparison of a
    candidate with lo, hi or |x| is exact unless the rounded value equals the bound (a tie is then settled by
    |x| * 10**s, exact for s <= 12); what is still undecided (a candidate on the interval's edge) and values
    outside 1e-11 .. 1e21 (q out of range) take the printed text; stats, a dict, gets their count as
    "printed" (bench/float32_decimals.py)."""
    ax = np.abs(x)
    nx = ax.astype(narrow)
    with np.errstate(all="ignore"):
        up = np.nextafter(nx, narrow(np.inf)).astype(np.float64)
        down = np.nextafter(nx, narrow(0)).astype(np.float64)
        lo, hi = (ax + down) / 2, (ax + up) / 2
        g = np.floor(np.log10(hi - lo))  # 10**g <= the width: a multiple inside, as a rule (else printed)
    fast = (ax >= 1e-11) & (ax < 1e21) & np.isfinite(up) & (g >= -22) & (g <= 12)
    every = bool(fast.all())
    idx = None if every else np.flatnonzero(fast)
    if not every:
        ax_all = ax
        ax, lo, hi, g = ax[idx], lo[idx], hi[idx], g[idx]
    g = g.astype(np.int64)
    bad = np.zeros(ax.size, dtype=bool)
    Ai, Bi = _multiples_inside(_Step(g), lo, hi, bad)
    t = _largest_power(Ai, Bi)
    q = g + t
    pt = np.int64(10) ** t
    lo_m, hi_m = -(-Ai // pt), Bi // pt  # the multiples of 10**q inside: lo_m .. hi_m (times 10**q)
    pick = _Step(q).times(lo_m.astype(np.float64))
    several = np.flatnonzero(hi_m > lo_m)
    if several.size:  # the closer of the two multiples beside |x|
        choice, undecided = _closer_multiple(ax[several], q[several], lo_m[several], hi_m[several])
        bad[several] |= undecided
        pick[several] = choice
    if every:
        out = pick
        hard = bad
        ax_all = ax
    else:
        out = np.full(x.shape, np.nan)
        out[idx] = pick
        hard = ~fast
        hard[idx[bad]] = True
    if stats is not None:
        stats["printed"] = int(hard.sum())
    if hard.any():  # the rare values the rounding could decide either way, and the far ones: printed
        out[hard] = ax_all[hard].astype(narrow).astype(str).astype(np.float64)
    return np.copysign(out, x)


def _as_float64(s):
    """A numeric or boolean Series as a float64 array, missing values (NaN, pd.NA) as NaN.  A
    float32 or float16 column (also pandas' Float32) gives each value as the decimal it shows
    and DataFrame.to_csv writes: np.float32(0.95) is 0.95, as the CSV readers read "0.95",
    not its binary widening 0.949999988079071, which missed a target of 0.95 and made a
    frame's results differ from the command's on the same data written by to_csv
    (_printed_decimals: exactly what printing and reading back gives, 3 to 7 times faster)."""
    v = s.to_numpy(dtype=np.float64, na_value=np.nan)
    narrow = getattr(s.dtype, "numpy_dtype", s.dtype)
    if isinstance(narrow, np.dtype) and narrow.kind == "f" and narrow.itemsize < 8:
        frac = np.isfinite(v) & (v != np.round(v))  # whole numbers widen exactly already
        if frac.any():
            v = np.array(v, dtype=np.float64)
            v[frac] = _printed_decimals(v[frac], narrow.type)
    return v


def _text_value_error(s, name, row, frame, message):
    """The Error for the text cell at row `row` of column `name` (series `s`) that is no number by the files'
    rules: its row, series and date (from `frame`, the panel's frame), the column, the C readers' words for the
    text (civ_csv_parse_cells: a dash or a word for no data, spaces, a unit, full-width digits, an Excel error
    value, a thousands separator ...) and the pandas cure."""
    sid, where = "", f"row {row}"
    if frame is not None and {"unique_id", "ds"} <= set(frame.columns):
        sid, ds = str(frame["unique_id"].iloc[row]), frame["ds"].iloc[row]
        ds = ds.isoformat()[:10] if isinstance(ds, pd.Timestamp) and ds == ds.normalize() else ds
        where = f"row {row} (unique_id {sid!r}, ds {ds})"
    sep = re.search(r"thousands=\"(.)\"", message) if "written with a thousands separator" in message else None
    if sep:
        sep = sep.group(1)
        cure = (f"; in pandas, make the column numbers: df[{name!r}] = pd.to_numeric(df[{name!r}].str.replace("
                f"{sep!r}, ''))")
    else:
        cure = (f"; correct the value, or make it missing (NaN, None, empty text or NA); pd.to_numeric(df[{name!r}], "
                "errors='coerce') makes every such value missing")
    return Error("CIV_ERR_PARSE", f"{where}, column {name}: {message}{cure}", series_id=sid, field=str(name))


def _text_values(s, name, frame=None, sep=None, pct=0):
    """An object or string column as float64 by the rules the CSV reader reads a value cell by, in one place
    (C civ_csv_parse_cells): text that is a number is read ("1290", "1e3", "+5"), "", "NA" and "NaN" (any case)
    are missing, any other text ("-", "—", "N/A", "1,234", " 12 ", "#N/A") is an Error naming its row, series,
    date and column with the readers' words for it (_text_value_error); non-text cells (numbers, Decimals,
    bools; None, NaN and pd.NA missing) as pd.to_numeric reads them.  Before 2026-12-07 pandas' to_numeric read
    the text: "NA" and "NaN" were refused and " 12 " and "inf" taken, unlike the same CSV, and a string column
    (convert_dtypes() of text) was refused whole.  sep, pct: the thousands separator (C text, or None) and
    percent (0 or 1) the text is written with, as civ_csv_parse_cells takes them (_panel_text_values)."""
    obj = s.to_numpy(dtype=object, na_value=None)
    text = np.fromiter((isinstance(v, str) for v in obj), dtype=bool, count=len(obj))
    out = np.full(len(obj), np.nan)
    if not text.all():
        rest = pd.Series(obj[~text], dtype=object)
        try:
            out[~text] = pd.to_numeric(rest, errors="raise").to_numpy(dtype=np.float64, na_value=np.nan)
        except (ValueError, TypeError):
            bad = int(np.flatnonzero(~text)[int(np.flatnonzero(pd.to_numeric(rest, errors="coerce").isna() &
                                                             rest.notna())[0])])
            raise _text_value_error(s, name, bad, frame, f"{obj[bad]!r} ({type(obj[bad]).__name__}) is not a "
                                    "number") from None
    if text.any():
        codes, uniques = pd.factorize(obj[text])  # first-appearance order: the first bad text is the first bad row
        nul = next((k for k, u in enumerate(uniques) if "\x00" in u), None)  # C text would end at it: "12\x00x" as 12
        if nul is not None:
            row = int(np.flatnonzero(text)[int(np.flatnonzero(codes == nul)[0])])
            raise _text_value_error(s, name, row, frame, f"{uniques[nul]!r} holds a NUL character: it is no number")
        cells = (ctypes.c_char_p * max(len(uniques), 1))(*[encode(u) for u in uniques])
        vals = np.empty(len(uniques), dtype=np.float64)
        bad = ctypes.c_size_t()
        status = lib.civ_csv_parse_cells(cells, len(uniques), sep, pct, vals.ctypes.data_as(_lib.c_double_p),
                                         ctypes.byref(bad))
        if status:
            message = _lib.last_error().message
            row = int(np.flatnonzero(text)[int(np.flatnonzero(codes == bad.value)[0])])
            raise _text_value_error(s, name, row, frame, message)
        out[text] = vals[codes]
    return out


def _panel_text_values(df, fn, thousands=None, percent=False):
    """df with its text y and covariates (object or pandas' string dtype: pd.read_csv(dtype=str), pd.read_excel
    of text cells) read as numbers under thousands= and percent= (civ_csv_parse_cells, the CSV reader's rules:
    "12,345" with thousands=",", "33.3%" as 0.333 with percent=True), as forecast() and backtest() take them;
    other columns as they are, and df itself when neither is given.  A cell that is no number under them is an
    Error naming its row, series, date and column (before 2026-12-07 both arguments were refused, or ignored,
    for a frame)."""
    sep, pct = _thousands(thousands, fn), _percent(percent, fn)
    if sep is None and not pct:
        return df
    out = None
    for c in df.columns:
        s = df[c]
        if c in ("unique_id", "ds") or not (s.dtype == object or isinstance(s.dtype, pd.StringDtype)):
            continue
        try:
            v = _text_values(s, c, df, sep, pct)
        except Error as e:
            if c == "y":
                raise
            raise Error(e.status, f"covariate column '{c}' is not numeric: {e.message}", series_id=e.series_id,
                        field=str(c)) from None
        out = df.copy() if out is None else out
        out[c] = v
    return df if out is None else out


def _float_column(s, name, frame=None):
    """A numeric or boolean column as float64, its missing values (NaN, None,
    the pd.NA of nullable Int64 / Float64 / boolean columns) as NaN; text
    (object, or pandas' string dtype) by the files' rules (_text_values),
    its errors naming the row of `frame` (its unique_id and ds)."""
    if s.dtype == np.float64:
        return s.to_numpy()
    if s.dtype == object or isinstance(s.dtype, pd.StringDtype):
        return _text_values(s, name, frame)
    if not (pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)):
        raise _lib.invalid(f"civicast: {name} must be numeric, got {s.dtype}", kind=TypeError)
    return _as_float64(s)


def _date_named_columns(df):
    """The frame's columns whose names are dates (civ_date_parse), as a wide
    sheet's period columns are."""
    out = []
    form, val = ctypes.c_int(), ctypes.c_int64()
    for c in df.columns:
        b = encode(c.isoformat()[:10] if isinstance(c, (pd.Timestamp,)) else str(c))
        if lib.civ_date_parse(b, len(b), ctypes.byref(form), ctypes.byref(val)) == 0:
            out.append(str(c))
    lib.civ_clear_error()
    return out


def require_panel_columns(df):
    """The Error CIV_ERR_MISSING_COLUMN (with the fix: reset_index, melt,
    id_col=/rename) for a frame without unique_id, ds or y.  Looks at the
    column and index names only, so civicast.dask checks a Dask frame's
    metadata with it before any partition is computed."""
    for c in ("unique_id", "ds", "y"):
        if c not in df.columns:
            have = _column_list(df)
            if c in (df.index.names or []):  # e.g. a DatetimeIndex named ds, or groupby(...).sum()'s keys
                raise Error("CIV_ERR_MISSING_COLUMN",
                            f"the data needs a column '{c}', and '{c}' is the frame's index (its columns are "
                            f"{have}): pass df.reset_index()", field=c)
            dates = _date_named_columns(df)
            if len(dates) >= 2 and "ds" not in df.columns:  # the CLI's "the file is wide"
                key = next((str(k) for k in df.columns if str(k) not in dates), "unique_id")
                raise Error("CIV_ERR_MISSING_COLUMN",
                            f"the data needs a column '{c}', and {len(dates)} of its columns are dates "
                            f"({dates[0]}, ...): the frame is wide, a column per period; make it long with "
                            f"df.melt(id_vars=['{key}'], var_name='ds', value_name='y') (and id_col='{key}' "
                            "unless it is unique_id), or read the CSV as wide: civicast.read(path, "
                            "layout='wide')", field=c)
            if c == "unique_id" and "ds" in df.columns and "y" not in df.columns and len(df.columns) >= 3:
                first = next(str(k) for k in df.columns if str(k) != "ds")
                raise Error("CIV_ERR_MISSING_COLUMN",  # the C reader's message for the same CSV
                            f"the data needs a column 'unique_id' and has no 'y', but 'ds' and {len(df.columns) - 1} "
                            f"others ('{first}', ...): a column per series, as df.pivot(index='ds', "
                            "columns='unique_id') gives? make it long: df.melt(id_vars='ds', var_name='unique_id', "
                            "value_name='y')", field=c)
            raise Error("CIV_ERR_MISSING_COLUMN",
                        f"the data needs a column '{c}' (long format unique_id, ds, y; this frame has {have}): "
                        "name the series id, date and value columns (forecast(df, ..., id_col='社区编号', "
                        "time_col='月份', target_col='用餐人次'), the same in backtest and read) or rename them "
                        "(df.rename(columns={'社区编号': 'unique_id', '月份': 'ds', '用餐人次': 'y'}))",
                        field=c)


def _covariate_columns(df):
    """The frame's covariates (every column but unique_id, ds and y), in order: their names and float64 arrays.
    pandas' index written as a column ("Unnamed: 0") and a column that is not numeric are refused."""
    covnames = [c for c in df.columns if c not in ("unique_id", "ds", "y")]
    covs = []
    for c in covnames:
        if isinstance(c, str) and re.fullmatch(r"Unnamed: \d+", c):
            # the C reader refuses the same file's unnamed first column; as a covariate it would be a regressor
            raise Error("CIV_ERR_PARSE", f"column '{c}' is pandas' index, written by df.to_csv(path) or "
                        "df.to_excel(path) and read back by pd.read_csv or pd.read_excel: it is no covariate; "
                        "drop it (df.drop(columns='" + c + "')), read the file with index_col=0 "
                        "(pd.read_csv(path, index_col=0), pd.read_excel(path, index_col=0)), or save it with "
                        "index=False", field=c)
        s = df[c]
        if s.dtype == object or isinstance(s.dtype, pd.StringDtype):
            # text that holds numbers (pd.read_excel(dtype=str)) is read as y's is; other text is named at its row
            # (before 2026-12-07 the whole column was "not numeric (object)" while the same y was read)
            try:
                covs.append(_float_column(s, c, df))
            except Error as e:
                raise Error(e.status, f"covariate column '{c}' is not numeric: {e.message}", series_id=e.series_id,
                            field=str(c)) from None
            continue
        if not (pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)):
            raise Error("CIV_ERR_PARSE", f"covariate column '{c}' is not numeric ({s.dtype}); drop it or "
                                         "convert it", field=str(c))
        covs.append(_float_column(s, c))
    return covnames, covs


_PERIOD_WORD = {"yearly": "year", "quarterly": "quarter", "monthly": "month", "weekly": "week", "daily": "day"}


def _rows_in_order(df, codes, per, y, covs, id_bytes, spec, S):
    """The rows in (series, period) order: the identity when the frame is already sorted (checked in O(rows)
    without sorting), else one sort; a series with a period twice is refused (CIV_ERR_DUPLICATE).  Returns
    whether they were sorted already, and the codes, periods, y and covariates in that order."""
    n_rows = len(df)
    same_id = codes[1:] == codes[:-1]
    sorted_rows = n_rows < 2 or bool(np.all(codes[1:] >= codes[:-1]) and np.all(per[1:][same_id] > per[:-1][same_id]))
    if sorted_rows:
        order = None
        cs, ps, ys = codes, per, y
        cvs = covs
    else:
        # one int64 key (series, period) sorts faster than lexsort on two
        pmin = int(per.min())
        span = int(per.max()) - pmin + 1
        if S * span < (1 << 62):
            order = np.argsort(codes * span + (per - pmin))
        else:
            order = np.lexsort((per, codes))
        cs, ps, ys = codes[order], per[order], y[order]
        cvs = [cv[order] for cv in covs]
        same = (cs[1:] == cs[:-1]) & (ps[1:] == ps[:-1])
        if same.any():  # duplicates (same unique_id and ds)
            k = int(np.flatnonzero(same)[0])
            sid = id_bytes[cs[k]].decode()
            label = spec.to_ds(np.array([ps[k]]))[0] if spec.kind == "str" else str(df["ds"].iloc[order[k]])
            a, b = sorted((int(order[k]), int(order[k + 1])))
            first, second = df["ds"].iloc[a], df["ds"].iloc[b]
            if str(first) != str(second):  # two dates in one period: freq= coarser than the dates (as the CSV says)
                raise Error("CIV_ERR_DUPLICATE", f"rows {a} and {b}: series '{sid}' has ds {first} and {second}, "
                            f"which fall in one {_PERIOD_WORD.get(spec.freq, 'period')} of the freq= asked for: "
                            "aggregate the rows to that frequency first, or drop freq= to read the dates' own",
                            series_id=sid, field="ds")
            if isinstance(first, pd.Timestamp) and first == first.normalize():  # 2022-12-01, not ... 00:00:00
                label = first.strftime("%Y-%m-%d")
            raise Error("CIV_ERR_DUPLICATE", f"rows {a} and {b}: series '{sid}' has ds {label} twice: keep one row "
                        "(df.drop_duplicates(['unique_id', 'ds'])) or, if both count, sum them "
                        "(df.groupby(['unique_id', 'ds'], as_index=False)['y'].sum())", series_id=sid, field="ds")
    return sorted_rows, cs, ps, ys, cvs


def _panel_layout(cs, ps, ys, cvs, y, sorted_rows, S):
    """The panel's arrays from the rows in order (cs, ps, ys, cvs: codes, periods, y, covariates; y the frame's
    own column): each series' first period, length and offset, the values, and per covariate its (buffer,
    offsets, lengths).  Returns first, n, offsets, values, cov_bufs and whether the library can read y where it
    is (zero_copy)."""
    n_rows = len(cs)
    # Per-series extents by segmented reductions over the sorted rows
    # (every code 0..S-1 has at least one row, so no segment is empty).
    starts = np.flatnonzero(np.r_[True, cs[1:] != cs[:-1]]) if n_rows else np.zeros(0, np.int64)
    ynan = np.isnan(ys)

    def seg_max(mask_out):
        if not n_rows:
            return np.zeros(0, np.int64)
        return np.maximum.reduceat(np.where(mask_out, _NO_PERIOD, ps), starts)

    first = ps[starts] if n_rows else np.zeros(0, np.int64)
    last_y = seg_max(ynan)
    # A series ends at its last y (as the C reader and civ_panel_add_series):
    # later rows are future covariate values, or nothing.
    future = ynan & (ps > last_y[cs])
    last_kept = seg_max(future)
    n = np.where(last_kept == _NO_PERIOD, 0, last_kept - first + 1)
    # Sorted by (unique_id, ds) with consecutive periods inside every series:
    # the columns already have the panel's layout, so series i is rows
    # offsets[i] .. offsets[i+1]-1 and its values (and covariates) are passed
    # to the library by pointer into the caller's arrays.
    gapless = sorted_rows and bool(np.all(np.diff(ps)[cs[1:] == cs[:-1]] == 1))
    zero_copy = gapless and y.flags.c_contiguous and y.dtype == np.float64
    cov_lens = []
    for cv in cvs:
        last_c = seg_max(np.isnan(cv))
        cov_lens.append(np.maximum(n, np.where(last_c == _NO_PERIOD, 0, last_c - first + 1)))
    codes, per, y, covs = cs, ps, ys, cvs  # sorted from here on
    if gapless:
        rows = np.bincount(codes, minlength=S).astype(np.int64)
        offsets = np.zeros(S + 1, dtype=np.int64)
        np.cumsum(rows, out=offsets[1:])
        values = np.ascontiguousarray(y, dtype=np.float64)
        cov_bufs = [(np.ascontiguousarray(cv), offsets, clen) for cv, clen in zip(covs, cov_lens)]
    else:
        offsets = np.zeros(S + 1, dtype=np.int64)
        np.cumsum(n, out=offsets[1:])
        values = np.full(int(offsets[-1]), np.nan)
        keep = ~future
        pos = offsets[codes] + per - first[codes]
        values[pos[keep]] = y[keep]
        cov_bufs = []
        for cv, clen in zip(covs, cov_lens):
            coffs = np.zeros(S + 1, dtype=np.int64)
            np.cumsum(clen, out=coffs[1:])
            buf = np.full(int(coffs[-1]), np.nan)
            # a row past the covariate's last value (a trailing row with neither y nor it) has no cell: before
            # 2026-12-07 it was written past the series' cells, into the next series' or, for the last series,
            # out of the buffer (IndexError)
            at = per - first[codes]
            inside = at < clen[codes]
            buf[(coffs[codes] + at)[inside]] = cv[inside]
            cov_bufs.append((buf, coffs, clen))
    return first, n, offsets, values, cov_bufs, zero_copy


class PanelData:
    """A civ_panel built from a long-format DataFrame, plus what is needed to
    turn results back into a DataFrame."""

    def __init__(self, df, freq=None, spec=None, attributes=None):
        require_panel_columns(df)
        self.id_dtype = df["unique_id"].dtype
        codes, self.ids, id_bytes = _factorize_ids(df["unique_id"])
        S = len(self.ids)
        self.periods_of_rows, self.spec = to_periods(df["ds"], codes, S, freq, spec, ids=self.ids,
                                                     hint=df.attrs.get("frequency") if spec is None else None)
        id_arr = (ctypes.c_char_p * max(S, 1))(*id_bytes)  # for civ_total_row_find and civ_panel_add_series_many
        total = _total_row_series(id_bytes, codes, id_arr)  # after the dates: a total row without one is named there
        if total is not None:
            raise total
        per = self.periods_of_rows
        y = _float_column(df["y"], "y", df)
        covnames, covs = _covariate_columns(df)
        if np.any(np.isinf(y)):
            row = int(np.flatnonzero(np.isinf(y))[0])
            raise Error("CIV_ERR_DOMAIN", f"row {row}: infinite y", series_id=id_bytes[codes[row]].decode(),
                        field="y")
        sorted_rows, cs, ps, ys, cvs = _rows_in_order(df, codes, per, y, covs, id_bytes, self.spec, S)
        first, n, offsets, values, cov_bufs, self.zero_copy = _panel_layout(cs, ps, ys, cvs, y, sorted_rows, S)
        self.values, self.offsets, self.first, self.n = values, offsets, first, n
        self.covariate_names = [str(c) for c in covnames]
        self._create(S, id_arr, id_bytes, cov_bufs, attributes)

    def next_periods(self):
        """The period of each series' first forecast (h = 1): after its last row; for a series with no observed
        value, after the panel's last period, with the others' (C civ_panel_next_period, the CLI's rule)."""
        first, n = np.asarray(self.first, dtype=np.int64), np.asarray(self.n, dtype=np.int64)
        nxt = first + n
        offs = np.asarray(self.offsets, dtype=np.int64)
        seen = np.r_[0, np.cumsum(~np.isnan(np.asarray(self.values, dtype=float)))]
        empty = seen[offs[:len(n)] + n] == seen[offs[:len(n)]]
        if empty.any() and (n > 0).any():
            nxt[empty] = (first + n - 1)[n > 0].max() + 1
        return nxt

    def _create(self, S, id_arr, id_bytes, cov_bufs, attributes):
        """The civ_panel (self.handle) of the series in self.values (offsets, first, n), their covariates
        (cov_bufs) and attributes."""
        first, offsets, n, values = self.first, self.offsets, self.n, self.values
        self.handle = _Owned(lib.civ_panel_free)
        check(lib.civ_panel_create(self.spec.code, ctypes.byref(self.handle.ptr)))
        if self.spec.freq == "weekly":
            check(lib.civ_panel_set_phase(self.handle.ptr, self.spec.phase))
        check(lib.civ_panel_set_date_style(self.handle.ptr, self.spec.c_style()))
        p = self.handle.ptr
        if _lib.has("civ_panel_add_series_many"):
            # one call for every series, reading straight from our arrays
            starts = np.ascontiguousarray(first, dtype=np.int64)
            offs = np.ascontiguousarray(offsets[:S], dtype=np.int64)
            lens = np.ascontiguousarray(n, dtype=np.int64)
            check(lib.civ_panel_add_series_many(p, S, id_arr, _ptr(starts), _ptr(values), _ptr(offs), _ptr(lens)))
        else:
            for i in range(S):
                check(lib.civ_panel_add_series(p, id_bytes[i], int(first[i]), _ptr(values, int(offsets[i])),
                                               int(n[i]), None))
        for name, (buf, coffs, clen) in zip(self.covariate_names, cov_bufs):
            k = ctypes.c_size_t()
            check(lib.civ_panel_add_covariate(p, encode(name), ctypes.byref(k)))
            if _lib.has("civ_panel_set_covariate_many"):
                co = np.ascontiguousarray(coffs[:S], dtype=np.int64)
                cl = np.ascontiguousarray(clen, dtype=np.int64)
                check(lib.civ_panel_set_covariate_many(p, k.value, S, _ptr(buf), _ptr(co), _ptr(cl)))
            else:
                for i in range(S):
                    if clen[i]:
                        check(lib.civ_panel_set_covariate(p, i, k.value, _ptr(buf, int(coffs[i])), int(clen[i])))
        if attributes is not None:
            t = attributes_table(attributes)
            check(lib.civ_panel_set_attributes(p, t.ptr))
            t.ptr = ctypes.c_void_p()  # the panel owns it now

    @property
    def ptr(self):
        return self.handle.ptr

    def ids_out(self, repeat):
        """unique_id column of an output with `repeat` rows per series, in the
        input's dtype (categoricals keep their categories; text_ids_as, the
        rule of allocate's tables too)."""
        typed = text_ids_as(self.ids, self.id_dtype)
        if typed is not None:
            return typed.take(np.repeat(np.arange(len(self.ids)), repeat))
        vals = np.repeat(self.ids, repeat)
        if isinstance(self.id_dtype, pd.api.extensions.ExtensionDtype):  # Int64, ...
            try:
                return pd.array(vals, dtype=self.id_dtype)
            except (TypeError, ValueError):
                return vals
        if self.id_dtype != object:
            try:
                return vals.astype(self.id_dtype)
            except (TypeError, ValueError):
                pass
        return vals


def panel_to_frame(ptr):
    """A civ_panel -> long DataFrame unique_id, ds (civicast strings), y,
    covariates (future rows included); attributes in .attrs['attributes']."""
    S = lib.civ_panel_n_series(ptr)
    freq = lib.civ_panel_frequency(ptr)
    phase = lib.civ_panel_phase(ptr)
    vp, op = _lib.c_double_p(), _lib.c_size_p()
    check(lib.civ_panel_values(ptr, ctypes.byref(vp), ctypes.byref(op)))
    offsets = np.ctypeslib.as_array(op, shape=(S + 1,)).astype(np.int64) if S else np.zeros(1, np.int64)
    values = _copy_doubles(vp, int(offsets[-1]))
    n = np.diff(offsets)
    starts = np.empty(S, dtype=np.int64)
    ids = np.empty(S, dtype=object)
    st = ctypes.c_int64()
    for i in range(S):
        check(lib.civ_panel_series(ptr, i, None, None, ctypes.byref(st)))
        starts[i] = st.value
        ids[i] = _dec(lib.civ_panel_series_id(ptr, i))
    K = lib.civ_panel_n_covariates(ptr)
    names = [_dec(lib.civ_panel_covariate_name(ptr, k)) for k in range(K)]
    cov = [[None] * S for _ in range(K)]
    rows = n.copy()
    cp, cl = _lib.c_double_p(), ctypes.c_size_t()
    for k in range(K):
        for i in range(S):
            check(lib.civ_panel_covariate(ptr, i, k, ctypes.byref(cp), ctypes.byref(cl)))
            cov[k][i] = _copy_doubles(cp, cl.value)
    # future rows: beyond the series end, up to the last non-missing covariate value
    for i in range(S):
        last = n[i]
        for k in range(K):
            c = cov[k][i]
            nz = np.flatnonzero(~np.isnan(c[n[i]:]))
            if nz.size:
                last = max(last, n[i] + nz[-1] + 1)
        rows[i] = last
    total = int(rows.sum())
    roffs = np.zeros(S + 1, dtype=np.int64)
    np.cumsum(rows, out=roffs[1:])
    sid = np.repeat(np.arange(S), rows)
    t = np.arange(total) - roffs[sid]
    periods = starts[sid] + t
    y = np.full(total, np.nan)
    inside = t < n[sid]
    y[inside] = values[(offsets[sid] + t)[inside]]
    # ds as Timestamps (datetime64): the first day of each period, or the last
    # when the file named month / quarter / year ends
    style = lib.civ_panel_date_style(ptr)
    fname = _FREQ_NAMES.get(freq)
    if total and fname:
        days = _period_days(periods, fname, phase, "end" if style.anchor == _lib.ANCHOR_END else "start")
        ds = pd.to_datetime(days.astype("datetime64[D]")).to_numpy(dtype="datetime64[ns]")
    else:
        ds = np.array([], dtype="datetime64[ns]")
    whole = whole_codes(ids)  # ids 101, 102 as int64, as pandas reads them; "0101" stays text
    data = {"unique_id": (whole if whole is not None else ids)[sid], "ds": ds, "y": y}
    for k in range(K):
        col = np.full(total, np.nan)
        for i in range(S):
            c = cov[k][i]
            m = min(len(c), int(rows[i]))
            col[roffs[i]:roffs[i] + m] = c[:m]
        data[names[k]] = col
    df = pd.DataFrame(data)
    a = lib.civ_panel_attributes(ptr)
    if a:
        df.attrs["attributes"] = table_to_frame(a)
    if fname:
        # the frequency of the file, so that forecast(read(path)) needs no
        # freq= even when every series has a single date; pandas alias with
        # the file's anchor
        df.attrs["frequency"] = fname
    return df


# ====================================================================== tables

def table_to_frame(ptr):
    """A civ_table -> DataFrame (number columns float64, text columns object)."""
    rows, cols = lib.civ_table_n_rows(ptr), lib.civ_table_n_columns(ptr)
    data = {}
    for c in range(cols):
        name = _dec(lib.civ_table_column_name(ptr, c))
        if lib.civ_table_column_type(ptr, c) == _lib.COLUMN_NUMBER:
            data[name] = _copy_doubles(lib.civ_table_numbers(ptr, c), rows)
        else:
            data[name] = np.array([_dec(lib.civ_table_text(ptr, r, c)) for r in range(rows)], dtype=object)
    return pd.DataFrame(data, columns=list(data.keys()))


def _date_format(s):
    """How a file keeps a datetime column's values: the date alone when every value is a midnight (as
    before), else with the time of day (and the microseconds when some value has them); a zone's offset is
    kept as +08:00.  Before 2026-12-07 civicast.write cut '2024-01-01 08:30' to '2024-01-01'."""
    v = s.dropna()
    if not len(v):
        return "%Y-%m-%d"
    wall = v.dt.tz_localize(None) if getattr(v.dt, "tz", None) is not None else v
    if (wall == wall.dt.normalize()).all():
        return "%Y-%m-%d"
    fmt = "%Y-%m-%d %H:%M:%S" + (".%f" if (wall.dt.microsecond != 0).any() else "")
    return fmt + ("%:z" if getattr(v.dt, "tz", None) is not None else "")


def _text_cells(s, exact=False):
    if isinstance(s.dtype, pd.PeriodDtype):
        return [("" if pd.isna(v) else str(v)) for v in s]
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        fmt = _date_format(s) if exact else "%Y-%m-%d"
        if fmt.endswith("%:z"):  # strftime has %z (+0800) only
            return ["" if pd.isna(v) else v.strftime(fmt[:-3]) + v.isoformat()[-6:] for v in s]
        return ["" if pd.isna(v) else v.strftime(fmt) for v in s]
    if pd.api.types.is_integer_dtype(s.dtype):  # exact digits (Int64 too); missing as ""
        return ["" if v is pd.NA else str(int(v)) for v in s.astype(object)]
    return ["" if (v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA) else str(v) for v in s]


_EXACT_INT = 2 ** 53  # the largest magnitude from which every integer is a double


def _kept_as_text(name, s):
    """For a file (frame_to_table(exact=True)): an integer column a float64 column would change: unique_id
    (ids are text in civicast's files, as a panel's; read() gives int64 back) and integers beyond 2**53 (were
    rounded: 2**60 + 1 written as 1152921504606846976)."""
    if isinstance(s.dtype, pd.CategoricalDtype) or not pd.api.types.is_integer_dtype(s.dtype) or \
            pd.api.types.is_bool_dtype(s.dtype):
        return False
    if str(name) == "unique_id":
        return True
    v = s.dropna()
    return bool(len(v)) and bool(((v.astype(object) > _EXACT_INT) | (v.astype(object) < -_EXACT_INT)).any())


def frame_to_table(df, exact=False):
    """A DataFrame -> new civ_table (owned wrapper).  Numeric and bool columns
    become number columns, everything else text (missing -> ""; integers
    written as floats read as integers, as the CSV readers read them:
    civ_table_whole_float_ids).  exact=True (a table for a file: write,
    write_workbook): datetimes keep their time of day, an integer unique_id
    and integers beyond 2**53 are text of their exact digits (_kept_as_text)."""
    t = _Owned(lib.civ_table_free)
    check(lib.civ_table_create(ctypes.byref(t.ptr)))
    n = len(df)
    cols = []
    for name in df.columns:
        s = df[name]
        numeric = (pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)) and \
            not isinstance(s.dtype, pd.CategoricalDtype) and not (exact and _kept_as_text(name, s))
        idx = ctypes.c_size_t()
        check(lib.civ_table_add_column(t.ptr, encode(str(name)),
                                       _lib.COLUMN_NUMBER if numeric else _lib.COLUMN_TEXT, ctypes.byref(idx)))
        cols.append((idx.value, s, numeric))
    check(lib.civ_table_add_rows(t.ptr, n, None))
    bulk = _lib.has("civ_table_set_numbers")
    for idx, s, numeric in cols:
        if numeric:
            v = np.ascontiguousarray(_as_float64(s))
            if bulk:
                check(lib.civ_table_set_numbers(t.ptr, idx, 0, _ptr(v), n))
            else:
                for r in range(n):
                    check(lib.civ_table_set_number(t.ptr, r, idx, float(v[r])))
        else:
            for r, cell in enumerate(_text_cells(s, exact)):
                if cell:
                    check(lib.civ_table_set_text(t.ptr, r, idx, encode(cell)))
            lib.civ_table_whole_float_ids(t.ptr, idx)
    return t


def _read_options(text_columns, encoding=None, id_col=None, thousands=None, percent=False, sheet=None,
                  skip_rows=None):
    if not text_columns and not encoding and id_col is None and thousands is None and not percent and sheet is None \
            and not skip_rows:
        return None
    text_columns = text_columns or ()
    arr = (ctypes.c_char_p * (len(text_columns) + 1))(*[encode(c) for c in text_columns], None)
    opt = _lib.civ_table_read_options(ctypes.cast(arr, ctypes.POINTER(ctypes.c_char_p)),
                                      _encoding(encoding), _column_name("id_col", id_col),
                                      _thousands(thousands), _percent(percent), _sheet(sheet),
                                      _skip_rows(skip_rows))
    opt._keep = arr
    return opt


def _encoding(encoding, fn="civicast.read"):
    """encoding= (None, utf-8 or gb18030 and its subsets gbk and gb2312) as C text, checked here as the CLI's
    --encoding is: the library checks the name only when the file is not valid UTF-8, so
    civicast.read(path, encoding="latin1") of a UTF-8 file was taken without a word."""
    if encoding is None:
        return None
    if not isinstance(encoding, str) or encoding.lower() not in ("utf-8", "utf8", "gb18030", "gbk", "gb2312"):
        raise _lib.invalid(f"{fn}: encoding must be 'utf-8' or 'gb18030', got {encoding!r}", "encoding")
    return encode(encoding)


def _thousands(sep, fn="civicast.read"):
    """thousands= ("," "'" " " or None) as C text (civ_table_read_options.thousands)."""
    if sep is None:
        return None
    if sep not in (",", "'", " "):
        raise _lib.invalid(f"{fn}: thousands must be ',' (12,345), \"'\" (12'345) or ' ' (12 345), got {sep!r}",
                           "thousands")
    return encode(sep)


def _skip_rows(skip_rows, fn="civicast.read"):
    """skip_rows= (the rows above the header: a title, a unit line; None or 0 = none) as
    civ_table_read_options.skip_rows."""
    if skip_rows is None:
        return 0
    if isinstance(skip_rows, bool) or not isinstance(skip_rows, (int, np.integer)) or not 0 <= skip_rows <= 1000000:
        raise _lib.invalid(f"{fn}: skip_rows must be a whole number of rows from 0 to 1000000 (the rows above the "
                           f"header: a title, a unit line), got {skip_rows!r}", "skip_rows")
    return int(skip_rows)


def _sheet(sheet, fn="civicast.read"):
    """sheet= (an Excel workbook's sheet name, or None) as civ_table_read_options.sheet."""
    if sheet is None:
        return None
    if not isinstance(sheet, str) or not sheet:
        raise _lib.invalid(f"{fn}: sheet must be a sheet's name (a non-empty string) or None, got {sheet!r}")
    return encode(sheet)


def _percent(percent, fn="civicast.read"):
    """percent= (True/False) as civ_table_read_options.percent."""
    if percent not in (True, False, 0, 1):
        raise _lib.invalid(f"{fn}: percent must be True or False, got {percent!r}")
    return 1 if percent else 0


def _column_name(what, name):
    """A column name argument (id_col=, ...) as C text: None stays None."""
    if name is None:
        return None
    if not isinstance(name, str) or not name:
        raise _lib.invalid(f"{what} must be a non-empty column name, got {name!r}")
    return encode(name)


def _layout_wide(layout, fn):
    """layout= ("long", "wide" or None = long) as civ_panel_read_options.wide."""
    if layout not in (None, "long", "wide"):
        raise _lib.invalid(f"{fn}: layout must be 'long' or 'wide', got {layout!r}")
    return 1 if layout == "wide" else 0


def _panel_read_options(freq=None, encoding=None, id_col=None, time_col=None, target_col=None, layout=None,
                        fn="civicast.read", thousands=None, percent=False, sheet=None, skip_rows=None):
    """civ_panel_read_options from the arguments of read() and forecast_to_files()."""
    ro = _lib.civ_panel_read_options()
    want = _want_spec(freq)
    if want is not None:
        ro.freq = want
    else:
        ro.freq.weekday = -1
    ro.encoding = _encoding(encoding, fn)
    ro.id_column = _column_name("id_col", id_col)
    ro.time_column = _column_name("time_col", time_col)
    ro.target_column = _column_name("target_col", target_col)
    ro.wide = _layout_wide(layout, fn)
    ro.thousands = _thousands(thousands, fn)
    ro.percent = _percent(percent, fn)
    ro.sheet = _sheet(sheet, fn)
    ro.skip_rows = _skip_rows(skip_rows, fn)
    return ro


def _read_table(path, text_columns=None, isolate=None, encoding=None, id_col=None, thousands=None, percent=False,
                sheet=None, skip_rows=None):
    """Reads a table file; an .h5 path is read through a child process's
    clean copy (civicast._hdf5_probe) unless isolate is False or
    CIV_HDF5_GUARD=off."""
    path = os.fspath(path)
    if _hdf5_probe.is_hdf5_path(path) and _hdf5_probe.guard_enabled(isolate):
        with _hdf5_probe.clean_copy(path, "table") as (copy, what):
            if what is not None:
                t = _read_table(copy, text_columns, isolate=False, id_col=id_col)
                # the library's later errors about its rows name the caller's file, not the copy, gone by then
                first = ctypes.c_int(1)
                lib.civ_table_source(t.ptr, ctypes.byref(first))
                check(lib.civ_table_set_source(t.ptr, encode(path), first.value))
                return t
    t = _Owned(lib.civ_table_free)
    opt = _read_options(text_columns, encoding, id_col, thousands, percent, sheet, skip_rows)
    check(lib.civ_table_read(encode(os.fspath(path)), ctypes.byref(opt) if opt is not None else None,
                             ctypes.byref(t.ptr)))
    return t


# ==================================================================== file I/O

def _csv_header(path, encoding=None, skip_rows=None):
    import csv
    enc = "gb18030" if encoding and encoding.lower() in ("gb18030", "gbk", "gb2312", "cp936") else "utf-8-sig"
    # the C reader reports bad bytes with their line; here only the names matter
    with open(path, newline="", encoding=enc, errors="replace") as f:
        rows = csv.reader(f)
        try:
            for _ in range(skip_rows or 0):  # rows above the header, as the C reader counts them (a record each)
                next(rows)
            return next(rows)
        except StopIteration:
            return []


def read(path, kind=None, text_columns=None, isolate=None, freq=None, encoding=None, id_col=None, time_col=None,
         target_col=None, layout=None, thousands=None, percent=False, sheet=None, skip_rows=None):
    """Reads a civicast file (.csv, .h5/.hdf5) or an Excel workbook's sheet (.xlsx) into a DataFrame.

    kind: "panel" (long format unique_id, ds, y, covariates; attributes in
    df.attrs["attributes"]), "table", or None to decide from the file (a CSV
    whose header has unique_id, ds and y, or time_col= / target_col= given,
    is a panel; an HDF5 file by its schema).  ds comes back as Timestamps
    (datetime64[ns]): the first day of each period, or the last when the
    file's dates were month / quarter / year ends; df.attrs["frequency"]
    names the frequency (forecast uses it only where the dates cannot tell,
    and refuses a frame whose dates say otherwise).  Ids written as whole
    numbers (101, 102) come back as int64, as pandas' read_csv gives them;
    codes with leading zeros ("0101") stay text; the same for a table's
    unique_id (or id_col=) column unless text_columns names it.  Day dates get the
    frequency of their spacing (as the CLI); freq= overrides it ("MS", "M",
    "W-SUN", "monthly", ...: the names of the CLI's --freq).  encoding=
    "gb18030" decodes a GBK / GB18030 CSV (Excel on a Chinese Windows; a
    file that is valid UTF-8 stays UTF-8); other non-UTF-8 text is refused with the hint to save as "CSV UTF-8".
    thousands="," reads a CSV's numbers as Excel writes them ("12,345",
    "1,234,567.89"; also "'" and " "; pandas' thousands=): whole digits
    grouped in threes, any other use an Error at the cell (a decimal comma is
    never taken for a separator); without it such cells are refused with
    that hint.  percent=True reads "33.3%" as 0.333 (Excel's Percentage
    format; the same double as "0.333").  skip_rows=N skips the N rows above
    the header of a CSV or .xlsx file (a title such as "2025年各社区人口统计",
    a unit line "单位：元", empty rows, as Excel and WPS exports carry them;
    pandas' skiprows=N; the CLI's --skip-rows N): errors still name the
    file's own lines.  Without it such a title is refused with the count
    to give.  text_columns forces table columns
    to text (see civ_table_read_options).
    id_col=, time_col=, target_col= name a CSV's own series id, date and
    value columns when they are not unique_id, ds and y (e.g. "社区编号",
    "月份", "用餐人次"; statsforecast's names): the frame calls them unique_id,
    ds and y; id_col also keys a table.  A file without the given column but
    with the standard one is read as is; one with both is an Error
    (CIV_ERR_DUPLICATE), one with neither CIV_ERR_MISSING_COLUMN.
    layout="wide" reads a CSV panel laid out as spreadsheets keep it, a row
    per series and a column per period ("社区编号,2024年1月,2024年2月,...";
    civ_panel_read_options.wide): the id column is id_col, else unique_id,
    else the first column whose header is not a date; other such columns
    are attributes (df.attrs["attributes"]); the frame is long as always.
    An Excel workbook (.xlsx, .xlsm) is read as the CSV text of one sheet
    under every rule above (docs/CLI.md "Reading Excel workbooks (.xlsx)"): numbers
    exactly, date cells as ISO dates ("2025-01-05"; "2025-01" when the format
    shows no day, as 'yyyy"年"m"月"'); sheet= names the sheet, else the
    workbook's only sheet with cells (several: an Error listing them).  .xls
    and .ods are refused with the cure (save as .xlsx or CSV UTF-8).

    isolate (HDF5 only): read the file in a fresh child process, which writes
    a clean copy that this process then reads (civicast._hdf5_probe), because
    libhdf5 itself crashes or hangs on some damaged files.  None follows
    CIV_HDF5_GUARD (on unless "off"/"0"), True/False force it; the child's
    time limit is CIV_HDF5_GUARD_TIMEOUT (default 30 s + 1 s per 4 MiB).  A
    file the child could not survive is refused with civicast.Error
    CIV_ERR_IO naming the file and the signal or the limit; nothing is read
    in this process then.

    Errors: civicast.Error with the file, line and column; CIV_ERR_INVALID_ARGUMENT
    for a bad CIV_HDF5_GUARD or CIV_HDF5_GUARD_TIMEOUT; ValueError for a bad
    kind or isolate."""
    path = os.fspath(path)
    if kind not in (None, "panel", "table"):
        raise _lib.invalid(f"civicast.read: kind must be 'panel', 'table' or None, got {kind!r}")
    _layout_wide(layout, "civicast.read")
    _sheet(sheet)
    _skip_rows(skip_rows)
    cols = {"id_col": id_col, "time_col": time_col, "target_col": target_col}
    as_panel = kind != "table" and (time_col is not None or target_col is not None)  # a table's columns may say
    if _hdf5_probe.is_hdf5_path(path) and _hdf5_probe.guard_enabled(isolate):
        with _hdf5_probe.clean_copy(path, "auto" if as_panel else kind or "auto") as (copy, what):
            if what is not None:
                if what == "table" and as_panel:
                    return _hdf5_table_panel(copy, text_columns, freq, **cols)
                return read(copy, what, text_columns, isolate=False, freq=freq, **cols)
    ext = os.path.splitext(path)[1].lower()
    if kind is None:
        if ext == ".csv" and os.path.exists(path):
            head = set(_csv_header(path, encoding, skip_rows))
            roles = (("unique_id", id_col), ("ds", time_col), ("y", target_col))
            panel = time_col is not None or target_col is not None or layout == "wide"  # only a panel has them
            kind = "panel" if panel or all(std in head or name in head for std, name in roles) else "table"
        elif ext in (".xlsx", ".xlsm"):  # the sheet's header decides, as a CSV's: read it once as a table
            roles = (("unique_id", id_col), ("ds", time_col), ("y", target_col))
            if time_col is None and target_col is None and layout != "wide":
                with _read_table(path, text_columns, isolate=False, encoding=encoding, id_col=id_col,
                                 thousands=thousands, percent=percent, sheet=sheet, skip_rows=skip_rows) as t:
                    head = {_dec(lib.civ_table_column_name(t.ptr, c)) for c in range(lib.civ_table_n_columns(t.ptr))}
                    if not all(std in head or name in head for std, name in roles):
                        df = table_to_frame(t.ptr)
                        if "unique_id" not in (text_columns or ()):
                            ids_like(df, "unique_id")
                        return money_dtypes(df, major=None)
            kind = "panel"
        elif ext in (".h5", ".hdf5"):
            try:
                return read(path, "panel", isolate=False, freq=freq, **cols)
            except Error as e:
                if e.status != "CIV_ERR_SCHEMA":
                    raise
                try:
                    return read(path, "table", text_columns, isolate=False, id_col=id_col)
                except Error as t:  # neither schema: the panel's message; a table's own error (id_col=): its own
                    if t.status != "CIV_ERR_SCHEMA":
                        raise
                    raise e from None
        else:
            kind = "panel"
    if kind == "panel":
        p = _Owned(lib.civ_panel_free)
        ro = _panel_read_options(freq, encoding, id_col, time_col, target_col, layout, thousands=thousands,
                                 percent=percent, sheet=sheet, skip_rows=skip_rows)
        status = lib.civ_panel_read_ex(encode(path), ctypes.byref(ro), ctypes.byref(p.ptr))
        if status and ext in (".h5", ".hdf5") and as_panel and \
                _lib.last_error().status == "CIV_ERR_SCHEMA" and "'civicast.table'" in _lib.last_error().message:
            return _hdf5_table_panel(path, text_columns, freq, **cols)
        check(status)
        with p:
            return panel_to_frame(p.ptr)
    with _read_table(path, text_columns, isolate=False, encoding=encoding, id_col=id_col, thousands=thousands,
                     percent=percent, sheet=sheet, skip_rows=skip_rows) as t:
        df = table_to_frame(t.ptr)
    if "unique_id" not in (text_columns or ()):  # the id column (id_col= renames it): codes 101 as int64
        ids_like(df, "unique_id")
    return money_dtypes(df, major=None)  # whole fen (an allocation civicast wrote) as int64, as read_csv


def _hdf5_table_panel(path, text_columns, freq, id_col=None, time_col=None, target_col=None):
    """An HDF5 table (civicast.table) read as the panel that time_col= / target_col= ask for, as a CSV of the same
    columns is read: the table's columns named by id_col, time_col and target_col (or unique_id, ds, y) are the
    series, dates and values, its other columns covariates, and the frame is the panel's (panel_to_frame: ds as
    Timestamps, attrs["frequency"]).  An HDF5 panel (civicast.panel) stores its series, dates and values
    themselves, without column names, so read() takes it as it is, as a CSV that has the standard names."""
    with _read_table(path, text_columns, isolate=False, id_col=id_col) as t:
        df = _standard_columns(table_to_frame(t.ptr), None, time_col, target_col)
    pdata = PanelData(df, freq=freq)
    with pdata.handle:
        out = panel_to_frame(pdata.ptr)
    # the file's series order (first appearance), as the CSV reader keeps it, not the frame's sorted one
    first = pd.Index(pd.unique(df["unique_id"].astype(str)))
    order = np.argsort(first.get_indexer(out["unique_id"].astype(str)), kind="stable")
    if (order != np.arange(len(out))).any():
        attrs = out.attrs
        out = out.iloc[order].reset_index(drop=True)
        out.attrs = attrs
    return out


def _csv_options(excel, precision, min_decimals):
    """civ_csv_write_options from write()'s arguments."""
    opt = _lib.civ_csv_write_options()
    opt.bom = 1 if excel else 0
    if precision in (None, "full"):
        opt.significant_digits = 0
    elif isinstance(precision, (int, np.integer)) and not isinstance(precision, bool) and 1 <= precision <= 17:
        opt.significant_digits = int(precision)
    else:
        raise _lib.invalid(f"civicast: precision is 'full' or a number of significant digits 1..17, "
                           f"got {precision!r}")
    if not (isinstance(min_decimals, (int, np.integer)) and 0 <= min_decimals <= 9):
        raise _lib.invalid(f"civicast: min_decimals must be 0..9, got {min_decimals!r}")
    opt.min_decimals = int(min_decimals)
    return opt


def _xlsx_ids(df):
    """For a workbook: an integer unique_id column (read() gives codes such as
    310101001001 as int64) as text, so that Excel shows the code, not
    3.10101E+11."""
    if "unique_id" in df.columns and pd.api.types.is_integer_dtype(df["unique_id"].dtype):
        df = df.assign(unique_id=df["unique_id"].astype(str))
    return df


def write(df, path, kind=None, freq=None, excel=False, precision="full", min_decimals=0):
    """Writes a DataFrame as a civicast file, CSV, HDF5 or an Excel workbook
    (.xlsx, one sheet named after the file) by extension, atomically
    (temporary file + rename).  A frame with unique_id, ds and y
    is written as a panel (series in sorted unique_id order, ds in civicast
    format, attributes from df.attrs["attributes"] if present) unless
    kind="table" or it has a cutoff column (civicast.backtest's windows,
    statsforecast's cross_validation layout); anything else as a table.
    A frame taken as a panel for its columns whose other columns are not
    covariates (text, dates) is refused with the cure kind="table".

    CSV for people (civ_csv_write_options; docs/CLI.md, "Files for people"):
    excel=True starts the file with a UTF-8 byte-order mark, without which
    Excel reads the file in the ANSI code page and garbles Chinese text;
    precision=N rounds numbers that are not whole to N significant digits
    (never fewer decimals than min_decimals, e.g. 2 for yuan; whole numbers
    exact), "full" (the default) writes the shortest text that reads back to
    the same double.  HDF5 files keep full precision, workbooks 16
    significant digits and are never rounded (a workbook's money columns, *_fen and *_yuan, are shown with thousands
    separators; excel= is CSV's); see write_workbook."""
    path = os.fspath(path)
    opt = _csv_options(excel, precision, min_decimals)
    if path.lower().endswith(".xlsx"):
        df = _xlsx_ids(df)
    inferred = kind is None
    if kind is None:  # a backtest's windows (unique_id, cutoff, ds, y, ...) are a table, not a panel
        kind = "panel" if {"unique_id", "ds", "y"} <= set(df.columns) and "cutoff" not in df.columns else "table"
    if kind == "panel":
        try:
            pdata = PanelData(df, freq=freq, attributes=df.attrs.get("attributes"))
        except Error as e:
            if not inferred or e.status != "CIV_ERR_PARSE" or not str(e.message).startswith("covariate column"):
                raise
            raise Error(e.status, f"civicast.write: the frame has unique_id, ds and y, so it is written as a panel, "
                        f"whose other columns are numeric covariates: {e.message}; or write it as a table, as it "
                        f"is: civicast.write(df, {path!r}, kind='table')", field=e.field) from None
        with pdata.handle:
            check(lib.civ_panel_write_opts(pdata.ptr, encode(path), ctypes.byref(opt)))
    elif kind == "table":
        with frame_to_table(df, exact=True) as t:
            check(lib.civ_table_write_opts(t.ptr, encode(path), ctypes.byref(opt)))
    else:
        raise _lib.invalid(f"civicast.write: kind must be 'panel', 'table' or None, got {kind!r}")


def write_workbook(sheets, path):
    """Writes an Excel workbook (.xlsx) with one sheet per DataFrame:
    ``sheets`` maps sheet names to frames, in order
    (``{"分配结果": alloc, "汇总": summary}``), atomically (civ_workbook_write).
    Each sheet has its header bold, frozen and filtered; text columns as text
    (an integer unique_id too, so 310101001001 stays a code); numbers to 16
    significant digits (every whole number below 2**53 exact), missing as empty cells; *_fen columns shown as #,##0 and
    *_yuan as #,##0.00; widths from the content, long text wrapped.  Sheet
    names: 1..31 characters, none of [ ] : * ? / \\, unique.  Raises
    civicast.Error for a bad name or a table beyond Excel's limits (1,048,576
    rows, 16,384 columns, 32,767 characters per cell: write it as .csv or
    .h5)."""
    path = os.fspath(path)
    if not isinstance(sheets, dict) or not sheets:
        raise _lib.invalid("civicast.write_workbook: sheets must be a non-empty dict of sheet name -> DataFrame",
                           kind=TypeError)
    handles = []
    try:
        for name, df in sheets.items():
            if not isinstance(df, pd.DataFrame):
                raise _lib.invalid(f"civicast.write_workbook: sheet {name!r} is a {type(df).__name__}, not a DataFrame",
                                   kind=TypeError)
            handles.append(frame_to_table(_xlsx_ids(df), exact=True))
        n = len(handles)
        tables = (ctypes.c_void_p * n)(*[h.ptr.value for h in handles])
        names = (ctypes.c_char_p * n)(*[encode(str(k)) for k in sheets])
        check(lib.civ_workbook_write(encode(path), n, tables, names, None))
    finally:
        for h in handles:
            h.close()


# ================================================================= forecasting

def _level_label(level):
    return "%.15g" % level  # as forecast/output.c level_text (R's paste())


def _warn_uncalibrated(n, n_series, stacklevel):
    """The ForecastWarning of a conformal run in which n series kept the
    model's intervals somewhere (civ_forecast_result_n_uncalibrated)."""
    if n:
        warnings.warn(f"civicast: conformal intervals: {n} of {n_series} series kept the model's intervals at some "
                      "steps, too few backtest scores there (the series are short for the calibration windows; "
                      "report=True lists them: uncalibrated > 0; docs/FORECASTING.md, \"Conformal intervals\")",
                      ForecastWarning, stacklevel=stacklevel)


def _conformal(windows=None, step=None, sample=None, refit=None):
    """The conformal settings forecast() takes (conformal_windows,
    conformal_step, conformal_sample, conformal_refit) as one dict for
    _forecast_options."""
    return {"windows": windows, "step": step, "sample": sample, "refit": refit}


def _set_intervals(fn, opt, intervals, conformal):
    """civ_forecast_options opt's intervals (None: the library's default, "model" or "conformal", checked) and
    the given settings of a _conformal() dict (forecast(), backtest() and a Hierarchy's base forecasts)."""
    if not isinstance(intervals, (str, type(None))) or intervals not in _lib.INTERVALS:
        raise _lib.invalid(f"{fn}: intervals must be None, 'model' or 'conformal', got {intervals!r}", "intervals")
    opt.intervals = _lib.INTERVALS[intervals]
    for field, value in _conformal_fields(fn, conformal).items():
        setattr(opt, field, value)


def _conformal_fields(fn, conformal):
    """The given settings of a _conformal() dict (None: not given) as the C
    fields they set (conformal_windows, conformal_step, conformal_sample,
    conformal_refit), checked: windows and step whole numbers >= 1, sample
    one too or "all" (SIZE_MAX), refit "search" or "fixed"."""
    conformal, out = conformal or {}, {}
    for key in ("windows", "step"):
        if conformal.get(key) is not None:
            out[f"conformal_{key}"] = _lib.whole(fn, f"conformal_{key}", conformal[key], 1)
    sample = conformal.get("sample")
    if isinstance(sample, str) and sample == "all":
        out["conformal_sample"] = _lib.SIZE_MAX
    elif sample is not None:
        out["conformal_sample"] = _lib.whole(fn, "conformal_sample", sample, 1)
    refit = conformal.get("refit")
    if refit not in _lib.CONFORMAL_REFIT:
        raise _lib.invalid(f"{fn}: conformal_refit must be None, 'search' or 'fixed', got {refit!r}")
    if refit is not None:
        out["conformal_refit"] = _lib.CONFORMAL_REFIT[refit]
    return out


def _xreg_names(fn, xreg):
    """xreg= as a list of column names: None, a name or a list (tuple, Index) of names; anything else (True,
    a number) is refused naming what is taken."""
    if xreg is None:
        return []
    if isinstance(xreg, str):
        return [xreg]
    if isinstance(xreg, (list, tuple, pd.Index, np.ndarray)) and all(isinstance(x, str) for x in xreg):
        return list(xreg)
    raise _lib.invalid(f"{fn}: xreg must be the name of a covariate column or a list of names (xreg=['aged60']), "
                       f"not {type(xreg).__name__} {xreg!r}: the model uses the columns it names, and none "
                       "unless named", "xreg", kind=TypeError)


def panel_frame(df, fn):
    """df, when it is a DataFrame (pandas); else a civicast.Error that is a TypeError, naming what fn takes and
    the cure for what it got (a path: civicast.read or forecast_to_files; a Series: reset_index)."""
    if isinstance(df, pd.DataFrame):
        return df
    what = f"{fn}: the data must be a long-format DataFrame (unique_id, ds, y)"
    if isinstance(df, (str, bytes, os.PathLike)):
        p = os.fsdecode(df)
        cure = f"read the file first: {fn}(civicast.read({p!r}), ...)"
        if fn == "civicast.forecast":
            cure += f", or forecast file to file with civicast.forecast_to_files({p!r}, out, ...)"
        raise _lib.invalid(f"{what}, not the path {p!r}: {cure}", kind=TypeError)
    if isinstance(df, pd.Series):
        raise _lib.invalid(f"{what}, not a Series: one indexed by unique_id and ds becomes one with "
                           "s.rename('y').reset_index()", kind=TypeError)
    raise _lib.invalid(f"{what}, not {type(df).__module__}.{type(df).__name__}: make one with columns unique_id, "
                       "ds and y (pd.DataFrame({'unique_id': ..., 'ds': ..., 'y': ...})), or read a file with "
                       "civicast.read(path)", kind=TypeError)


_NONNEGATIVE = {"auto": -1, "off": 0, "on": 1}


def _nonnegative(fn, value):
    """nonnegative= ("auto", "off", "on", None, False or True) as civ_forecast_options.nonnegative (-1, 0, 1);
    anything else is an InvalidArgument naming the values taken (it was a bare KeyError)."""
    if value is None or isinstance(value, bool):
        return -1 if value is None else int(value)
    if isinstance(value, str) and value in _NONNEGATIVE:
        return _NONNEGATIVE[value]
    raise _lib.invalid(f"{fn}: nonnegative must be 'auto', 'on' or 'off' (or True / False), got {value!r}",
                       "nonnegative")


def _levels(fn, level):
    """level= (None, a number or a list of numbers, percent) as a list of floats; a level that is no number
    ("80%", "high") is a WrongType naming it; the range (0, 100) is the library's check."""
    out = []
    for x in ([] if level is None else np.atleast_1d(level)):
        try:
            out.append(float(x))
        except (TypeError, ValueError):
            raise _lib.invalid(f"{fn}: level must be a percentage or a list of them (level=[80, 95]), got {x!r}",
                               "level", kind=TypeError) from None
    return out


def check_arguments(fn, models, h, level, threads, seed, xreg, ic, n_paths, nonnegative, integer=False):
    """Checks forecast()'s arguments without a panel, as the call would (civicast.dask checks them when it is
    called, not in the workers at .compute()): the options (_forecast_options), the levels' range (as the
    library's check, which needs a panel) and every model spec by the library's parser
    (civ_model_display_name); raises what the call would raise."""
    opt, keep = _forecast_options(fn, h, None, level, threads, seed, xreg, ic, n_paths, nonnegative, False,
                                  integer=integer)
    for v in opt.levels[:opt.n_levels]:  # the library's check_options, before any series
        if 0.0 < v < 1.0:
            raise _lib.invalid(f"{fn}: level {v:g} is a fraction but levels are percentages in (0, 100): did you "
                               f"mean {v * 100:g}?", "levels")
        if not 0.0 < v < 100.0:
            raise _lib.invalid(f"{fn}: level {v:g} is not a percentage in (0, 100)", "levels")
    buf = ctypes.create_string_buffer(4096)
    for m in models:
        check(lib.civ_model_display_name(encode(m), buf, len(buf)))
    del keep


def _model_list(fn, model):
    """model= (a spec, or a list of specs) as a list of str; an empty list, or a spec that is not text, is
    refused naming what was given (model=5 said "'int' object is not iterable")."""
    models = [model] if isinstance(model, (str, bytes)) else model
    if (not isinstance(models, (list, tuple, pd.Index, np.ndarray))
            or not all(isinstance(m, (str, bytes)) for m in models)):
        raise _lib.invalid(f"{fn}: model must be a spec (model='ets') or a list of specs (model=['ets', 'theta']), "
                           f"got {model!r}", "model", kind=TypeError)
    if not len(models):
        raise _lib.invalid(f"{fn}: model is an empty list: give a spec or a non-empty list of specs (model=['ets', "
                           "'theta'])", "model")
    return list(models)


def _forecast_options(fn, h, model, level, threads, seed, xreg, ic, n_paths, nonnegative, fitted, intervals=None,
                      conformal=None, integer=False):
    """civ_forecast_options from forecast()'s arguments, and the ctypes
    buffers it points to (keep them alive for the call).  conformal: a
    _conformal() dict or None."""
    opt = _lib.civ_forecast_options()
    check(lib.civ_forecast_options_init(ctypes.byref(opt)))
    model_b = None if model is None else encode(model)  # None: the caller names the models elsewhere
    opt.model = model_b
    if h is not None:
        opt.horizon = _lib.whole(fn, "h", h, 1)
    levels = _levels(fn, level)
    lv = (ctypes.c_double * max(1, len(levels)))(*levels)
    opt.levels = ctypes.cast(lv, _lib.c_double_p)
    opt.n_levels = len(levels)
    if threads is not None:
        opt.threads = _lib.whole(fn, "threads", threads, 0)
    opt.seed = _DEFAULT_SEED if seed is None else _lib.whole(fn, "seed", seed, 0)
    if not isinstance(ic, str) or ic not in _lib.CRITERIA:
        raise _lib.invalid(f"{fn}: ic must be one of {sorted(_lib.CRITERIA)}, got {ic!r}", "ic")
    opt.criterion = _lib.CRITERIA[ic]
    if n_paths is not None:
        opt.n_paths = _lib.whole(fn, "n_paths", n_paths, 0)
    opt.nonnegative = _nonnegative(fn, nonnegative)
    opt.want_fitted = 1 if fitted else 0
    opt.integer_bounds = 1 if integer else 0
    _set_intervals(fn, opt, intervals, conformal)
    names = _xreg_names(fn, xreg)
    xr = (ctypes.c_char_p * max(1, len(names)))(*[encode(x) for x in names])
    opt.xreg = ctypes.cast(xr, ctypes.POINTER(ctypes.c_char_p)) if names else None
    opt.n_xreg = len(names)
    return opt, (model_b, lv, xr)


class _Run:
    """One civ_forecast_panel call and its result (freed on close)."""

    def __init__(self, pdata, h, model, level, threads, seed, xreg, ic, n_paths, nonnegative, fitted,
                 intervals=None, conformal=None, integer=False, progress=None):
        opt, keep = _forecast_options("civicast.forecast", h, model, level, threads, seed, xreg, ic, n_paths,
                                      nonnegative, fitted, intervals, conformal, integer)
        self.pdata = pdata
        self.result = _Owned(lib.civ_forecast_result_free)
        # ctypes releases the GIL for the whole call; Ctrl-C stops it (_lib.stoppable).
        with _lib.stoppable(progress) as stop:
            opt.progress = stop.series
            check(lib.civ_forecast_panel(pdata.ptr, ctypes.byref(opt), ctypes.byref(self.result.ptr)))
        del keep

    def close(self):
        self.result.close()

    def frame(self):
        r, pd_ = self.result.ptr, self.pdata
        S, H = lib.civ_forecast_result_n_series(r), lib.civ_forecast_result_horizon(r)
        L = lib.civ_forecast_result_n_levels(r)
        levels = np.ctypeslib.as_array(lib.civ_forecast_result_levels(r), shape=(L,)).copy() if L else []
        steps = np.tile(np.arange(1, H + 1, dtype=np.int64), S)
        periods = np.repeat(pd_.next_periods(), H) + steps - 1
        models = np.array([_dec(lib.civ_forecast_result_model(r, i)) for i in range(S)], dtype=object)
        data = {"unique_id": pd_.ids_out(H),
                "ds": pd_.spec.to_ds(periods) if S * H else np.array([], dtype=object),
                "h": steps,
                "model": np.repeat(models, H),
                "mean": _copy_doubles(lib.civ_forecast_result_mean(r), S * H)}
        for l in range(L):
            lab = _level_label(levels[l])
            data[f"lo-{lab}"] = _copy_doubles(lib.civ_forecast_result_lower(r, l), S * H)
            data[f"hi-{lab}"] = _copy_doubles(lib.civ_forecast_result_upper(r, l), S * H)
        failed = lib.civ_forecast_result_n_failed(r)
        if failed:
            first = next(i for i in range(S) if lib.civ_forecast_result_status(r, i))
            warnings.warn(f"civicast: {failed} of {S} series failed (NaN rows); first: "
                          f"'{pd_.ids[first]}': {_dec(lib.civ_forecast_result_message(r, first))}; "
                          "see civicast.models_report", ForecastWarning, stacklevel=3)
        _warn_uncalibrated(lib.civ_forecast_result_n_uncalibrated(r), S, stacklevel=4)
        return pd.DataFrame(data)

    def table(self, maker):
        """A per-series output table of the C API (report, fitted values)."""
        t = _Owned(lib.civ_table_free)
        check(maker(self.result.ptr, self.pdata.ptr, ctypes.byref(t.ptr)))
        with t:
            df = table_to_frame(t.ptr)
        if maker is lib.civ_forecast_report_table and len(df) == len(self.pdata.ids):
            df["unique_id"] = self.pdata.ids_out(1)  # the input's id dtype, as in the forecasts
        if maker is lib.civ_forecast_fitted_table:
            typed_keys(self.pdata, df)
        if maker is lib.civ_forecast_report_table:
            count_dtypes(df)
        return df

    def seconds(self):
        return lib.civ_forecast_result_seconds(self.result.ptr)


def _run(df, h, model, level, threads, seed, xreg, ic, n_paths, nonnegative, freq, fitted=False,
         spec=None, intervals=None, conformal=None, integer=False, progress=None):
    pdata = PanelData(df, freq=freq, spec=spec)
    return _Run(pdata, h, model, level, threads, seed, xreg, ic, n_paths, nonnegative, fitted, intervals,
                conformal, integer, progress)


def typed_keys(pdata, df):
    """unique_id and ds of a C table (text) in place in the types of the
    panel's (int ids 101 stay int, Timestamps stay Timestamps, categoricals
    keep their categories), so the table merges with the input.  Returns df."""
    if not len(df):
        return df
    if "unique_id" in df.columns:
        codes = pd.Index([str(u) for u in pdata.ids]).get_indexer(df["unique_id"].astype(str))
        if (codes >= 0).all():
            df["unique_id"] = pdata.ids_out(1)[codes]
    if "ds" in df.columns and not pd.api.types.is_datetime64_any_dtype(df["ds"].dtype):
        periods, _ = _string_periods(df["ds"], None, 0, None, pdata.spec)
        df["ds"] = pdata.spec.to_ds(periods)
    return df


def _typed_ds(pdata, df, steps_per_series, offset_of_row):
    """Replaces the text ds column of a C table (rows grouped by series) with
    the input's date type: period = next_periods() + offset_of_row(row in series)."""
    S = len(pdata.ids)
    if not len(df):
        return df
    base = np.repeat(pdata.next_periods(), steps_per_series)
    df["ds"] = pdata.spec.to_ds(base + np.tile(offset_of_row, S))
    df["unique_id"] = pdata.ids_out(steps_per_series)
    return df


def _multi(df, models, wide, h, level, threads, seed, xreg, ic, n_paths, nonnegative, freq, intervals,
           conformal=None, integer=False, spec=None, progress=None):
    """Several models: one civ_forecast_panel per spec, one
    civ_forecast_multi_table (long or wide), dates in the input's type
    (`spec`: a known date layout, as _run's)."""
    pdata = PanelData(df, freq=freq, spec=spec)
    runs = []
    try:
        for m in models:
            runs.append(_Run(pdata, h, m, level, threads, seed, xreg, ic, n_paths, nonnegative, False, intervals,
                             conformal, integer, progress))
        ptrs = (P * len(runs))(*[r.result.ptr for r in runs])
        specs = (ctypes.c_char_p * len(runs))(*[encode(m) for m in models])
        t = _Owned(lib.civ_table_free)
        check(lib.civ_forecast_multi_table(ptrs, specs, len(runs), pdata.ptr, int(bool(wide)), ctypes.byref(t.ptr)))
        with t:
            out = table_to_frame(t.ptr)
        H = lib.civ_forecast_result_horizon(runs[0].result.ptr)
        steps = np.arange(H, dtype=np.int64)
        if wide:
            return _typed_ds(pdata, out, H, steps)
        out["h"] = out["h"].astype(np.int64)
        return _typed_ds(pdata, out, H * len(runs), np.tile(steps, len(runs)))
    finally:
        for r in runs:
            r.close()
        pdata.handle.close()


def forecast(df, h=None, model="auto", level=(80, 95), threads=None, seed=None, xreg=None, ic="aicc",
             n_paths=None, nonnegative="auto", freq=None, report=False, fitted=False, hierarchy=None, groups=None,
             reconcile="mint_shrink", communities=None, intervals=None, conformal_windows=None, wide=False,
             integer=False, conformal_step=None, conformal_sample=None, id_col=None, time_col=None,
             target_col=None, conformal_refit=None, encoding=None, thousands=None, percent=False,
             sheet=None, progress=None):
    """Fits `model` to every series of the long-format DataFrame `df`
    (unique_id, ds, y, covariates) and forecasts h periods ahead.

    Returns a DataFrame ``unique_id, ds, h, model, mean, lo-80, hi-80, ...``,
    one row per series and step, series in sorted unique_id order.  With
    report=True (and/or fitted=True) returns a tuple (forecasts, report
    [, fitted]) from the same run.

    h: horizon (None = 2 seasons, or 10 periods for yearly data); model: a
    civicast model spec ("auto", "ets", "ETS(A,Ad,M)", "theta", "naive", ...);
    level: interval levels in percent (None or () for none); threads: OpenMP
    threads over series (None = OMP_NUM_THREADS or all cores); seed: seed of
    simulated intervals (None = the library default 20260101); xreg:
    covariate names passed to the models; ic: "aicc", "aic" or "bic";
    n_paths: sample paths of simulated intervals; nonnegative: "auto", "on",
    "off"; freq: force the frequency of datetime ds ("monthly" or a pandas
    alias); integer: whole-number interval bounds for non-negative series
    (lower rounded down, upper up; civ_forecast_options.integer_bounds).
    Results are identical for any thread count.  Series that fail
    keep NaN rows with model "" and raise a ForecastWarning.

    hierarchy (nested attribute columns, top first, e.g. ["district",
    "street"]) and/or groups (crossed columns, e.g. ["service"]) with
    communities (a DataFrame or path with unique_id and those columns):
    every node of the hierarchy is forecast and reconciled by `reconcile`
    (mint_shrink, ols, wls_struct, wls_var, bu, td); returns level,
    unique_id, ds, h, model, base, mean, lo-80, hi-80, ... (civicast.hier).
    thousands, percent: how the frame's text y and covariates are written
    (pd.read_csv(dtype=str), pd.read_excel of text cells), as civicast.read
    reads a file's: "12,345" with thousands=",", "33.3%" as 0.333 with
    percent=True; with hierarchy= also a communities CSV path's.  encoding
    (and sheet): how a communities path is written, as civicast.read's
    (encoding="gb18030" for a sheet saved by Excel on a Chinese Windows);
    they apply to that path only.

    intervals: None (the spec's default), "model" or "conformal" (the model's
    intervals calibrated on a backtest of each series, conformal_windows
    windows, default 1 (ceil(50/N), at most 10, for a panel of N < 50 series),
    conformal_step periods apart, default 1, on at most
    conformal_sample series per length class, default "all"; conformal_refit
    "search" (the default: each window's model searched afresh) or "fixed"
    (each window refits the structure the series' model chose: about a third
    less CPU for auto, intervals somewhat narrower); docs/FORECASTING.md).  model may be a list of specs
    (["ets", "theta", "arima", "auto"]): the result is then long with a
    `model` column of statsforecast names (AutoETS, Theta, ...) and a
    `fitted_model` column, or with wide=True statsforecast's wide layout
    unique_id, ds, AutoETS, AutoETS-lo-95, ... (civ_forecast_multi_table);
    report and fitted take one model.

    id_col, time_col, target_col: the frame's own names of unique_id, ds and
    y when it has others ("社区编号", "月份", "用餐人次"; statsforecast's
    arguments); the results call them unique_id and ds as always.  A frame
    with the standard names is used as is; one with both is an Error.

    progress: a callable(done, total) called with the series forecast so
    far (per model for a list of models, every node for a hierarchy) at
    most every 1% or 100 ms; an exception from it stops the run and is
    raised.  Ctrl-C stops the run too (docs/PYTHON.md, "Stopping a long
    call")."""
    df = _standard_columns(panel_frame(df, "civicast.forecast"), id_col, time_col, target_col)
    fmt = _input_format("civicast.forecast", encoding, thousands, percent, sheet)
    if (encoding is not None or sheet is not None) and (
            (hierarchy is None and groups is None) or not isinstance(communities, (str, bytes, os.PathLike))):
        raise _lib.invalid("civicast.forecast: encoding= and sheet= say how a communities CSV path (or .xlsx) is "
                           "written (with hierarchy= or groups=); the panel is a DataFrame: read a CSV or .xlsx panel "
                           "with civicast.read(path, encoding=..., sheet=...)")
    df = _panel_text_values(df, "civicast.forecast", thousands, percent)
    if hierarchy is not None or groups is not None:
        if report or fitted or xreg or integer:
            raise _lib.invalid("civicast.forecast: report, fitted, xreg and integer are not available with hierarchy=")
        if wide or not isinstance(model, (str, bytes)):
            raise _lib.invalid("civicast.forecast: wide= and a list of models are not available with hierarchy=")
        from .hier import forecast_hierarchy
        return forecast_hierarchy(df, communities, hierarchy, groups, reconcile, h=h, model=model, level=level,
                                  threads=threads, seed=seed, n_paths=n_paths, nonnegative=nonnegative, freq=freq,
                                  fmt=fmt, progress=progress, intervals=intervals, conformal_windows=conformal_windows,
                                  conformal_step=conformal_step, conformal_sample=conformal_sample,
                                  conformal_refit=conformal_refit)
    if not isinstance(model, (str, bytes)) or wide:
        models = _model_list("civicast.forecast", model)
        if report or fitted:
            raise _lib.invalid("civicast.forecast: report and fitted take one model; call forecast per model")
        return _multi(df, models, wide, h, level, threads, seed, xreg, ic, n_paths, nonnegative, freq, intervals,
                      _conformal(conformal_windows, conformal_step, conformal_sample, conformal_refit), integer,
                      progress=progress)
    run = _run(df, h, model, level, threads, seed, xreg, ic, n_paths, nonnegative, freq, fitted,
               intervals=intervals, conformal=_conformal(conformal_windows, conformal_step, conformal_sample, conformal_refit),
               integer=integer, progress=progress)
    try:
        out = run.frame()
        if not report and not fitted:
            return out
        res = [out]
        if report:
            res.append(run.table(lib.civ_forecast_report_table))
        if fitted:
            fd = run.table(lib.civ_forecast_fitted_table)
            res.append(fd)
        return tuple(res)
    finally:
        run.close()
        run.pdata.handle.close()


def models_report(df, h=None, model="auto", level=(80, 95), threads=None, seed=None, xreg=None, ic="aicc",
                  n_paths=None, nonnegative="auto", freq=None, integer=False):
    """One row per series: unique_id, model, status, message, n, loglik, aic,
    aicc, bic, sigma2, n_params, parameters (alpha, beta, ...), initial_states,
    adi, cv2, demand_class (civ_forecast_report_table).  Takes only these of
    forecast()'s arguments, with the same meaning and defaults: h, model,
    level, threads, seed, xreg, ic, n_paths, nonnegative, freq, integer.
    There is no id_col/time_col/target_col (df must have unique_id, ds, y),
    nor intervals, conformal_*, hierarchy, groups, wide or fitted."""
    return forecast(df, h, model, level, threads, seed, xreg, ic, n_paths, nonnegative, freq, report=True,
                    integer=integer)[1]


def classify_demand(df, freq=None):
    """The Syntetos-Boylan demand class of every series of the long-format
    DataFrame `df` (unique_id, ds, y): a DataFrame unique_id, n (observed
    values), adi, cv2, demand_class ("smooth", "erratic", "intermittent",
    "lumpy", "none", or "" when a value is negative), one civ_demand_classify
    call per series on its y in date order (missing periods are skipped).
    `auto` forecasts intermittent, lumpy and "none" series with TSB."""
    pdata = PanelData(panel_frame(df, "civicast.classify_demand"), freq=freq)
    try:
        ids, adi, cv2, cls, nobs = [], [], [], [], []
        a, c, k = ctypes.c_double(), ctypes.c_double(), ctypes.c_int()
        for i in range(len(pdata.ids)):
            uid = pdata.ids[i]
            y = np.ascontiguousarray(pdata.values[pdata.offsets[i]:pdata.offsets[i + 1]], dtype=np.float64)
            check(lib.civ_demand_classify(y.ctypes.data_as(_lib.c_double_p), len(y), ctypes.byref(a),
                                          ctypes.byref(c), ctypes.byref(k)))
            ids.append(uid)
            nobs.append(int(np.count_nonzero(~np.isnan(y))))
            adi.append(a.value)
            cv2.append(c.value)
            cls.append(_dec(lib.civ_demand_class_name(k.value)))
        return pd.DataFrame({"unique_id": pdata.ids_out(1) if ids else np.array([], dtype=object),
                             "n": np.array(nobs, dtype=np.int64), "adi": np.array(adi, dtype=np.float64),
                             "cv2": np.array(cv2, dtype=np.float64), "demand_class": np.array(cls, dtype=object)})
    finally:
        pdata.handle.close()


def forecast_to_files(data, out, report=None, fitted=None, h=None, model="auto", level=(80, 95), threads=None,
                      seed=None, xreg=None, ic="aicc", n_paths=None, nonnegative="auto", freq=None, chunk=None,
                      excel=False, precision="full", intervals=None, conformal_windows=None, conformal_step=None,
                      conformal_sample=None, encoding=None, id_col=None, time_col=None, target_col=None,
                      layout=None, conformal_refit=None, thousands=None, percent=False, sheet=None, progress=None,
                      skip_rows=None):
    """Forecasts every series and writes the results to files in chunks of
    series (civ_forecast_panel_write): memory holds one chunk of results,
    whatever the number of series, so a panel of millions of series can be
    forecast without its forecasts ever being in memory.

    data: a long-format DataFrame (as forecast() takes) or the path of a
    panel file (.csv or .h5, read by the C library: the data never becomes a
    DataFrame).  out, report, fitted: output paths (.csv, .h5 or .hdf5; report
    and fitted optional); their contents are those of forecast(...,
    report=True, fitted=True) as the CLI writes them, and identical for any
    chunk size and thread count.  chunk: series per chunk (None = 4096).
    excel, precision: CSV formatting as in write().  intervals,
    conformal_windows, conformal_step, conformal_sample, conformal_refit: as
    forecast(); conformal intervals are calibrated over the whole panel, so
    with intervals="conformal" every series' results are in memory at once
    (chunk has no effect).  id_col, time_col, target_col:
    the data's own names of unique_id, ds and y, as read() for a CSV path
    and forecast() for a DataFrame; encoding, layout, thousands, percent,
    sheet, skip_rows: as read(), for a CSV or .xlsx path.
    Other arguments as forecast() (progress and Ctrl-C included: a stopped
    run writes nothing).  Files appear complete or not at all.
    Returns a dict: n_series, n_failed, seconds, models (the most used,
    {name: count}) and n_uncalibrated (with intervals="conformal", how many
    series kept the model's intervals at some steps for lack of backtest
    scores, which a ForecastWarning also reports, as forecast() does; 0
    otherwise)."""
    fn = "civicast.forecast_to_files"
    if not isinstance(data, (str, os.PathLike)):
        if encoding is not None or layout is not None or thousands is not None or percent or skip_rows:
            raise _lib.invalid(f"{fn}: encoding, layout, thousands and percent apply to a file, not to a DataFrame, "
                               "and so does skip_rows")
        data = _standard_columns(panel_frame(data, fn), id_col, time_col, target_col)
    opt, keep = _forecast_options(fn, h, model, level, threads, seed, xreg, ic, n_paths, nonnegative, fitted,
                                  intervals, _conformal(conformal_windows, conformal_step, conformal_sample, conformal_refit))
    csv = _csv_options(excel, precision, 0)
    paths = [encode(os.fspath(p)) if p is not None else None for p in (out, report, fitted)]
    outs = _lib.civ_forecast_outputs(paths[0], paths[1], paths[2], ctypes.cast(ctypes.pointer(csv), ctypes.c_void_p),
                                     0 if chunk is None else _lib.whole(fn, "chunk", chunk, 1))
    stats = _lib.civ_forecast_write_stats()
    if isinstance(data, (str, os.PathLike)) and os.path.splitext(os.fspath(data))[1].lower() in (".h5", ".hdf5"):
        data = read(data, "panel", freq=freq)  # through the HDF5 guard, as read() does (HDF5 has standard names)
    if isinstance(data, (str, os.PathLike)):
        p = _Owned(lib.civ_panel_free)
        ro = _panel_read_options(freq, encoding, id_col, time_col, target_col, layout, fn, thousands, percent, sheet,
                                 skip_rows)
        check(lib.civ_panel_read_ex(encode(os.fspath(data)), ctypes.byref(ro), ctypes.byref(p.ptr)))
        with p, _lib.stoppable(progress) as stop:
            opt.progress = stop.series
            check(lib.civ_forecast_panel_write(p.ptr, ctypes.byref(opt), ctypes.byref(outs), ctypes.byref(stats)))
    else:
        pdata = PanelData(data, freq=freq)
        with pdata.handle, _lib.stoppable(progress) as stop:
            opt.progress = stop.series
            check(lib.civ_forecast_panel_write(pdata.ptr, ctypes.byref(opt), ctypes.byref(outs),
                                               ctypes.byref(stats)))
    del keep
    models = {_dec(bytes(stats.models[k]).split(b"\0", 1)[0]): int(stats.model_counts[k])
              for k in range(stats.n_models_listed)}
    _warn_uncalibrated(stats.n_uncalibrated, stats.n_series, stacklevel=3)
    return {"n_series": int(stats.n_series), "n_failed": int(stats.n_failed), "seconds": float(stats.seconds),
            "models": models, "n_uncalibrated": int(stats.n_uncalibrated)}


# ================================================================== allocation

def _spec_handle(spec):
    s = _Owned(lib.civ_alloc_spec_free)
    if isinstance(spec, (bytes, str)) and ("\n" in (spec if isinstance(spec, str) else spec.decode("utf-8"))):
        b = encode(spec)
        check(lib.civ_alloc_spec_parse(b, len(b), b"<spec text>", ctypes.byref(s.ptr)))
    else:
        check(lib.civ_alloc_spec_read(encode(os.fspath(spec)), ctypes.byref(s.ptr)))
    return s


def _spec_text_columns(sp):
    """civ_alloc_spec_text_columns of a spec handle: the columns its tables
    read as text (its [data] id among them)."""
    if sp is None:
        return _ALLOC_TEXT_COLUMNS
    arr = lib.civ_alloc_spec_text_columns(sp.ptr)
    names = []
    while arr and arr[len(names)] is not None:
        names.append(_dec(arr[len(names)]))
    return tuple(names)


def _codes_as_text(col):
    """A numeric column of whole numbers (community codes such as 310101001,
    as pandas or civicast.read type them) as text "310101001", missing values
    (NaN of a float column with gaps, <NA> of Int64) as "" (before: a float
    column with a gap stayed numbers, and Int64's <NA> became the text
    "<NA>"); else None."""
    if pd.api.types.is_integer_dtype(col):
        if not col.isna().any():
            return col.astype(str)
        return pd.Series(["" if pd.isna(x) else str(int(x)) for x in col], index=col.index, dtype=object)
    if pd.api.types.is_float_dtype(col):
        v = col.to_numpy(dtype=np.float64, na_value=np.nan)
        ok = ~np.isnan(v)
        w = v[ok]
        if ok.any() and np.all(np.isfinite(w)) and np.all(w == np.round(w)) and np.all(np.abs(w) < 2.0 ** 53):
            text = np.where(ok, np.where(ok, v, 0).astype(np.int64).astype(str), "")
            return pd.Series(text.astype(object), index=col.index)
    return None


def attributes_table(df):
    """A panel's attributes frame as a civ_table keyed by text: a unique_id of whole numbers (codes 101, as
    read_csv types them, like the panel's own ids) becomes "101", as the library requires (it refused them
    with 'attribute column unique_id must be text')."""
    if "unique_id" in df.columns:
        text = _codes_as_text(df["unique_id"])
        if text is not None:
            df = df.assign(unique_id=text)
    return frame_to_table(df)


def frame_table(df, role):
    """frame_to_table(df), named "the <role> DataFrame" with its rows counted from 0
    (civ_table_set_source), so the library's errors about a row say "row 5" for
    df.iloc[5], as every DataFrame error does (docs/PYTHON.md, "Errors"), where
    a table from a CSV file says its line."""
    t = frame_to_table(df)
    check(lib.civ_table_set_source(t.ptr, encode(f"the {role} DataFrame"), 0))
    return t


def _table_arg(x, sp=None, fmt=None, role="data"):
    """A table bound to the spec of handle sp: a DataFrame (a numeric column
    of whole numbers the spec reads as text, such as its id 310101001,
    becomes text; its errors name "the <role> DataFrame" and its rows as
    iloc counts, frame_table) or a path read with the spec's text columns and
    the input format fmt (_input_format: encoding, thousands, percent).  A
    DataFrame's other text columns are read as a file's are: a column whose
    cells are all numbers under fmt's thousands and percent ("12,345" with
    thousands=",", "1595" from pd.read_excel(dtype=str)) becomes numbers
    (civ_table_read_numbers); before 2026-12-07 they stayed text, so
    thousands= was lost on a frame."""
    if x is None:
        return None
    fmt = _fmt_for(fmt, role)  # skip_rows={"communities": 2, ...}: this input's own
    text = _spec_text_columns(sp)
    if isinstance(x, pd.DataFrame):
        for c in text:  # e.g. communities.set_index("unique_id")
            if c not in x.columns and c in (x.index.names or []):
                raise Error("CIV_ERR_MISSING_COLUMN", f"the table needs a column '{c}', and '{c}' is the frame's "
                            "index: pass df.reset_index()", field=c)
        fixed = {c: _codes_as_text(x[c]) for c in text if c in x.columns and pd.api.types.is_numeric_dtype(x[c])}
        fixed = {c: v for c, v in fixed.items() if v is not None}
        t = frame_table(x.assign(**fixed) if fixed else x, role)
        _frame_text_numbers(t, text, fmt or {})
        return t
    return _read_table(x, text, **(fmt or {}))


def _frame_text_numbers(t, text, fmt):
    """The text columns of table t (a DataFrame's) but `text`, the spec's, read as numbers where all their cells
    are numbers under fmt's thousands and percent, as a file's columns are (civ_table_read_numbers)."""
    if not _lib.has("civ_table_read_numbers"):
        return
    sep, pct = _thousands(fmt.get("thousands")), _percent(fmt.get("percent", False))
    done = ctypes.c_int()
    for c in range(lib.civ_table_n_columns(t.ptr)):
        name = lib.civ_table_column_name(t.ptr, c).decode()
        if lib.civ_table_column_type(t.ptr, c) == _lib.COLUMN_TEXT and name not in text:
            check(lib.civ_table_read_numbers(t.ptr, c, sep, pct, ctypes.byref(done)))


def _allocation_arg(x, sp, fmt=None, role="paid"):
    """An earlier allocation (paid=, settle's allocation) bound to the spec of
    handle sp: a DataFrame or an .h5 path as _table_arg takes them, any other
    path through civ_alloc_allocation_read, so the allocation.xlsx a plan
    wrote is read at its allocation sheet when sheet= names none."""
    if x is None or isinstance(x, pd.DataFrame) or _hdf5_probe.is_hdf5_path(os.fspath(x)):
        return _table_arg(x, sp, fmt, role)
    f = _fmt_for(fmt, role) or {}
    opt = _read_options(None, f.get("encoding"), None, f.get("thousands"), f.get("percent", False), f.get("sheet"),
                        f.get("skip_rows"))
    t = _Owned(lib.civ_table_free)
    check(lib.civ_alloc_allocation_read(sp.ptr, encode(os.fspath(x)), ctypes.byref(opt) if opt is not None else None,
                                        ctypes.byref(t.ptr)))
    return t


# The inputs of each call that reads several files, by argument name: the keys a dict of skip_rows= may use
# (each input its own rows above the header, as the command's --communities-skip-rows, --last-year-skip-rows ...).
_SKIP_INPUTS = {
    "civicast.allocate": ("communities", "forecasts", "last_year", "paid"),
    "civicast.allocate_to_file": ("communities", "forecasts", "last_year", "paid"),
    "civicast.compare": ("communities", "forecasts", "last_year"),
    "civicast.uncertainty": ("communities", "forecasts", "last_year"),
    "civicast.project": ("communities", "forecasts", "last_year"),
    "civicast.settle": ("allocation", "spending"),
    "civicast.need": ("forecasts",),
    "civicast.demand_check": ("forecasts", "actuals"),
    "civicast.unit_names": ("actuals", "names"),
}


def _skip_rows_arg(skip_rows, fn):
    """skip_rows= of a call that reads several files: None, a number (the rows above the header of every CSV and
    .xlsx path the call reads, as --skip-rows N) or a dict {argument name: rows} (each input its own, as the
    command's --X-skip-rows N; an input left out skips none), checked; the number as an int, the dict as is."""
    if not isinstance(skip_rows, dict):
        return _skip_rows(skip_rows, fn)
    inputs = _SKIP_INPUTS.get(fn, ())
    for k, v in skip_rows.items():
        if k not in inputs:
            raise _lib.invalid(f"{fn}: skip_rows names {k!r}, which is not one of its file inputs (it takes "
                               f"{', '.join(inputs) or 'none'}): give skip_rows={{'{inputs[0] if inputs else 'x'}"
                               f"': 2}} or one number for every input", "skip_rows")
        _skip_rows(v, fn)
    return dict(skip_rows)


def _skip_rows_for(skip_rows, role):
    """The rows of input `role` from a checked skip_rows= (_skip_rows_arg): the dict's entry, else the number."""
    return int(skip_rows.get(role) or 0) if isinstance(skip_rows, dict) else int(skip_rows or 0)


def _fmt_for(fmt, role):
    """fmt (_input_format) for input `role`: a dict of skip_rows= resolved to that input's own count."""
    if not fmt or not isinstance(fmt.get("skip_rows"), dict):
        return fmt
    f = dict(fmt)
    n = _skip_rows_for(f.pop("skip_rows"), role)
    if n:
        f["skip_rows"] = n
    return f


def _input_format(fn, encoding=None, thousands=None, percent=False, sheet=None, skip_rows=None):
    """encoding=, thousands=, percent=, sheet= and skip_rows= of the budget functions, checked
    before anything is read (as the CLI's --encoding, --thousands, --percent, --sheet, --skip-rows:
    they apply to every CSV path, and sheet= to every .xlsx path, the call reads; skip_rows= to both,
    or as a dict {argument name: rows} to each input its own, _fmt_for).
    skip_rows is in the dict only when given, for the callees that take the others alone."""
    _encoding(encoding, fn)
    _thousands(thousands, fn)
    _percent(percent, fn)
    _sheet(sheet, fn)
    fmt = {"encoding": encoding, "thousands": thousands, "percent": bool(percent), "sheet": sheet}
    skip = _skip_rows_arg(skip_rows, fn)
    if skip:
        fmt["skip_rows"] = skip
    return fmt


# Columns in minor units that are real numbers by design (docs/ALLOCATION.md, "Outputs" and
# "Monte Carlo"): an allocation's decomposition by factor (shares of a fen that add up to the whole
# amount) and the Monte Carlo's statistics of the draws (a mean, type-7 quantiles).  Every other
# column whose name ends in the minor unit holds whole minor units.
_REAL_MINOR_PREFIXES = ("factor_", "unattributed_", "rounding_", "mean_", "p5_", "p50_", "p95_")


def real_minor_column(name, minor="fen"):
    """Whether the column `name` in minor units is real-valued by design (see
    _REAL_MINOR_PREFIXES); the others are whole minor units."""
    return name.endswith(f"_{minor}") and name.startswith(_REAL_MINOR_PREFIXES)


def money_dtypes(df, minor="fen", major="yuan"):
    """Money columns of a table as the package gives them, in place: whole
    minor units (every column ending in _<minor>, and _minor, but the
    real-valued decomposition and Monte Carlo statistics) as int64, nullable
    Int64 where an amount is missing (a community without last year, a total
    row); major-unit columns, exact decimal text in C and CSV, as numbers (the
    exact values are the minor-unit columns; major=None leaves them).  Returns df."""
    for c in df.columns:
        s = df[c]
        if isinstance(c, str) and c.endswith((f"_{minor}", "_minor")) and not real_minor_column(c, minor) and \
                not real_minor_column(c, "minor") and pd.api.types.is_float_dtype(s.dtype):
            v = s.to_numpy()
            ok = ~np.isnan(v)
            if np.all(v[ok] == np.round(v[ok])):
                df[c] = s.astype(np.int64) if ok.all() else s.astype("Int64")
        elif major is not None and isinstance(c, str) and c.endswith((f"_{major}", "_major")) and s.dtype == object:
            df[c] = pd.to_numeric(s.replace("", np.nan))
    return df


def allocation_dtypes(df, minor="fen", major="yuan"):
    """An allocation table's columns as civicast.allocate gives them, in
    place (money_dtypes: amounts, pools, paid, last year and change in whole
    minor units as int64, Int64 where last year is missing; major units as
    numbers)."""
    return money_dtypes(df, minor, major)


def need_dtypes(per_community, per_year=None):
    """Need tables as civicast.need gives them, in place: money in major
    units as numbers; money in minor units (standard_fen, need_fen) as int64
    (Int64 where the total row has no standard); year and periods as int64,
    the communities a year counts as a count."""
    for df in (per_community, per_year):
        if df is None:
            continue
        money_dtypes(df)
        count_dtypes(df, ("year", "periods", "communities"))
def _explain_code(explain):
    """explain= of allocate: False/None (no column), True or "en", "zh"."""
    if explain is None or explain is False:
        return 0
    if explain is True or explain == "en":
        return 1
    if explain == "zh":
        return 2
    raise _lib.invalid(f"explain must be False, True, 'en' or 'zh', not {explain!r}")


def demand_windows(spec_ptr, fc_ptr):
    """{factor: {...}} for each forecast factor: which forecasts it sums
    (civ_alloc_spec_demand_window): period ("fiscal_year" or "horizon"),
    fiscal_year, periods, first, last (period text) and h_first, h_last."""
    out = {}
    if not fc_ptr:
        return out
    for k in range(lib.civ_alloc_spec_n_factors(spec_ptr)):
        if not lib.civ_alloc_spec_factor_is_forecast(spec_ptr, k):
            continue
        w = _lib.civ_alloc_demand_window()
        check(lib.civ_alloc_spec_demand_window(spec_ptr, k, fc_ptr, ctypes.byref(w)))
        out[_dec(lib.civ_alloc_spec_factor_name(spec_ptr, k))] = {
            "period": "fiscal_year" if w.period_by_date else "horizon", "fiscal_year": w.fiscal_year,
            "periods": w.periods, "first": _dec(w.first), "last": _dec(w.last),
            "h_first": w.h_first, "h_last": w.h_last}
    return out


def _set_last_year(sp, last_year, fmt, sheet=None):
    """Last year's allocation for the spec of handle sp: a path, else the
    spec's [data] last_year_file, else nothing, read by the library's one
    reader (civ_alloc_spec_read_last_year, as the command and a plan read
    it) at sheet `sheet` when it is an .xlsx (last_year_sheet=; the call's
    sheet= names the other inputs' sheets, as --sheet and --last-year-sheet;
    None: its only sheet with cells, or the allocation sheet of the plan's
    allocation.xlsx); a DataFrame (pd.read_excel of that sheet too), or an
    .h5 file read through the child process (_hdf5_probe), is given as a
    table (civ_alloc_spec_set_last_year)."""
    path = None if last_year is None or isinstance(last_year, pd.DataFrame) else os.fspath(last_year)
    fmt = _fmt_for(fmt, "last_year")  # skip_rows={"last_year": 0, ...}: its own
    if not isinstance(last_year, pd.DataFrame):
        f = path if path is not None else _dec(lib.civ_alloc_spec_last_year_file(sp.ptr))
        if f is None or not (_hdf5_probe.is_hdf5_path(f) and _hdf5_probe.guard_enabled(None)):
            opt = _read_options(None, **{**(fmt or {}), "sheet": sheet})
            check(lib.civ_alloc_spec_read_last_year(sp.ptr, encode(path) if path is not None else None,
                                                    ctypes.byref(opt) if opt is not None else None))
            return
        last_year = f
    t = _table_arg(last_year, sp, fmt, "last_year")
    try:
        if isinstance(last_year, pd.DataFrame):  # errors say "the last_year DataFrame, row 6" (iloc)
            check(lib.civ_table_set_source(t.ptr, b"the last_year DataFrame", 0))
        check(lib.civ_alloc_spec_set_last_year(sp.ptr, t.ptr))
    finally:
        t.close()


def closed_frame(summary):
    """The summary's closed rows (last year's communities no one continues)
    as one row per community: unique_id, name (last year's, "" when the file
    had none), last_year_<minor> and last_year_<fund>_<minor> per fund."""
    need = {"section", "item", "measure", "unit", "value"}
    if not need <= set(summary.columns):
        return pd.DataFrame({"unique_id": pd.Series(dtype=object)})
    c = summary[summary["section"] == "closed"]
    if c.empty:
        return pd.DataFrame({"unique_id": pd.Series(dtype=object), "name": pd.Series(dtype=object)})
    unit = c["unit"].iloc[0]
    names = c.groupby("item", sort=False)["label"].first() if "label" in c.columns else None
    wide = c.pivot_table(index="item", columns="measure", values="value", aggfunc="first", sort=False)
    wide = wide.rename(columns=lambda m: f"last_year_{unit}" if m == "amount" else f"{m}_{unit}")
    wide = wide.astype("int64").reset_index().rename(columns={"item": "unique_id"})
    wide.columns.name = None
    wide.insert(1, "name", names.reindex(wide.unique_id).fillna("").to_numpy() if names is not None else "")
    return wide


def discontinued_frame(summary):
    """The summary's discontinued rows (last year's funds this spec has none of) as one row per fund: fund (the
    name in last year's file), label (its header there, "" when none), last_year_<minor> (its total)."""
    empty = pd.DataFrame({"fund": pd.Series(dtype=object), "label": pd.Series(dtype=object)})
    if not {"section", "item", "unit", "value"} <= set(summary.columns):
        return empty
    c = summary[summary["section"] == "discontinued"]
    if c.empty:
        return empty
    label = c["label"].fillna("").astype(str).to_numpy() if "label" in c.columns else ""
    return pd.DataFrame({"fund": c["item"].to_numpy(), "label": label,
                         f"last_year_{c['unit'].iloc[0]}": c["value"].astype("int64").to_numpy()})


def _bind_and_solve(sp, comm, fc, paid, fmt, prob, res):
    """The allocation problem (prob) of spec sp over the communities (and forecasts) tables, with last year's
    payments when paid is given, and its result (res) solved: allocate() and allocate_to_file()."""
    check(lib.civ_alloc_bind(sp.ptr, comm.ptr, fc.ptr if fc is not None else None, ctypes.byref(prob.ptr)))
    if paid is not None:
        pd_t = _allocation_arg(paid, sp, fmt)
        try:
            if isinstance(paid, pd.DataFrame):  # errors say "the paid DataFrame: row 7" (iloc)
                check(lib.civ_table_set_source(pd_t.ptr, b"the paid DataFrame", 0))
            check(lib.civ_alloc_problem_set_paid(prob.ptr, pd_t.ptr))
        finally:
            pd_t.close()
    check(lib.civ_alloc_result_create(prob.ptr, ctypes.byref(res.ptr)))
    check(lib.civ_alloc_solve(prob.ptr, res.ptr))
    _warn_no_forecast(sp, prob, res)


def _warn_no_forecast(sp, prob, res):
    """A ForecastWarning per forecast factor whose if_missing = "zero" counted communities with no forecast as 0
    (civ_alloc_result_n_no_forecast), as `civicast allocate` prints it (before 2026-12-07 only each community's
    explanation said so)."""
    n = lib.civ_alloc_problem_n_communities(prob.ptr)
    for k in range(lib.civ_alloc_spec_n_factors(sp.ptr)):
        zero = ctypes.c_size_t(0)
        check(lib.civ_alloc_result_n_no_forecast(prob.ptr, res.ptr, k, ctypes.byref(zero)))
        if zero.value:
            import warnings
            one = zero.value == 1
            warnings.warn(f"civicast.allocate: forecast demand {_dec(lib.civ_alloc_spec_factor_name(sp.ptr, k))}: "
                          f"{zero.value} of {n} communities {'has' if one else 'have'} no forecast and "
                          f"count{'s' if one else ''} as 0 (if_missing = \"zero\"; {'its' if one else 'their'} "
                          f"explanation{'' if one else 's'} say{'s' if one else ''} so)", ForecastWarning,
                          stacklevel=4)


def allocate(communities, spec, forecasts=None, explain=False, paid=None, encoding=None, thousands=None,
             percent=False, last_year=None, sheet=None, last_year_sheet=None,
             skip_rows=None):
    """Splits the spec's budget across communities by the factor method.

    communities: DataFrame (one row per community, keyed by the spec's id
    column) or a .csv/.h5 path; spec: a spec file path, or the spec text
    itself (any string containing a newline); forecasts: None, a DataFrame
    in forecast()'s long format, or a path (a forecast factor sums the
    forecasts dated in the spec's fiscal_year, or h = 1..horizon with
    period = "horizon").  Returns (allocation, summary):
    the per-community table (input row order; the community's labels
    (name, district, street), amount_fen (int64 minor units) and amount_yuan,
    share_pct, factor decomposition in fen, binding constraint, last year and
    change in fen and yuan, in total and per fund against the fund's own
    history (last_year_<fund>_fen, change_<fund>_fen, change_<fund>_pct); an
    explanation column with explain=True or "en" (English) or "zh" (Chinese)
    saying which bound decided each fund's amount; paid (a DataFrame or
    path, e.g. an earlier allocation): a reserve release, allocated on top
    of what was paid (civ_alloc_problem_set_paid; adds paid_<fund>_fen,
    paid_fen, total_fen); "_minor"
    and "_major" for currencies other than CNY) and the tidy summary table
    (section, item, measure, unit, value).  docs/ALLOCATION.md "Outputs".
    last_year: last year's allocation (a DataFrame or path: what allocate
    returned or `civicast allocate --out` wrote last year; default: the
    spec's [data] last_year_file; civ_alloc_spec_set_last_year): blank
    last-year cells are taken from it (own id, or the predecessors' sum),
    differing cells, splits over the parent and unknown predecessors are
    refused, and last year's communities no one continues are named:
    the summary's closed rows and allocation.attrs["closed"] (unique_id,
    name, last_year_fen, last_year_<fund>_fen; docs/ALLOCATION.md "Last
    year's allocation"), as are its funds this spec has none of: the
    summary's discontinued rows and allocation.attrs["discontinued"]
    (fund, label, last_year_fen).  A path may be the allocation.xlsx a plan wrote
    (and the office kept, maybe corrected): its allocation sheet is found
    and its headers (社区编号, 民政养老补贴（分）, ...) read back as the names.
    last_year_sheet: the sheet of last_year when it is an .xlsx (sheet=
    names the other inputs'; `--last-year-sheet NAME`).
    allocation.attrs["stats"] holds the civ_alloc_stats figures,
    allocation.attrs["currency"] / ["minor_unit"] the spec's money units and
    allocation.attrs["demand"] which forecasts each forecast factor summed
    ({"meal_demand": {"period": "fiscal_year", "fiscal_year": 2026,
    "periods": 12, "first": "2026-01", "last": "2026-12", "h_first": 13,
    "h_last": 24}}).
    encoding, thousands, percent: how the CSV paths among the inputs are
    written, as civicast.read's (encoding="gb18030" for a sheet saved by
    Excel on a Chinese Windows, thousands="," for "12,345", percent=True for
    "33.3%"; the CLI's --encoding, --thousands, --percent); a DataFrame's
    text columns (not the spec's text columns) whose cells are all numbers
    under thousands and percent are read as numbers, as a file's.
    skip_rows: the rows above the header of every CSV and .xlsx path among
    the inputs (a title, a unit line), as civicast.read's (--skip-rows), or
    a dict giving each input its own, keyed by the argument names
    ({"communities": 2}: the communities' title, last_year and forecasts as
    civicast wrote them; an input left out skips none; the command's
    --communities-skip-rows 2, --last-year-skip-rows N, ...).
    Errors: civicast.Error naming the spec key or data row."""
    fmt = _input_format("civicast.allocate", encoding, thousands, percent, sheet, skip_rows)
    _sheet(last_year_sheet, "civicast.allocate")
    with _spec_handle(spec) as sp:
        _set_last_year(sp, last_year, fmt, last_year_sheet)
        comm = _table_arg(communities, sp, fmt, "communities")
        fc = _table_arg(forecasts, sp, fmt, "forecasts")
        prob = _Owned(lib.civ_alloc_problem_free)
        res = _Owned(lib.civ_alloc_result_free)
        out_t, sum_t = _Owned(lib.civ_table_free), _Owned(lib.civ_table_free)
        try:
            _bind_and_solve(sp, comm, fc, paid, fmt, prob, res)
            check(lib.civ_alloc_result_table(prob.ptr, res.ptr, _explain_code(explain), ctypes.byref(out_t.ptr)))
            st = _lib.civ_alloc_stats()  # the summary and the figures from one computation
            check(lib.civ_alloc_result_summary_stats(prob.ptr, res.ptr, ctypes.byref(sum_t.ptr), ctypes.byref(st)))
            alloc_df, summary_df = table_to_frame(out_t.ptr), table_to_frame(sum_t.ptr)
            mi = _dec(lib.civ_alloc_spec_unit_name(sp.ptr, 0))
            ma = _dec(lib.civ_alloc_spec_unit_name(sp.ptr, 1))
            allocation_dtypes(alloc_df, mi, ma)
            id_col = _dec(lib.civ_alloc_spec_id_column(sp.ptr))
            ids_like(alloc_df, "unique_id", communities, source_col=id_col)
            alloc_df.attrs["stats"] = {name: getattr(st, name) for name, _ in st._fields_}
            alloc_df.attrs["currency"] = _dec(lib.civ_alloc_spec_currency(sp.ptr))
            alloc_df.attrs["minor_unit"] = lib.civ_alloc_spec_minor_unit(sp.ptr)
            alloc_df.attrs["unit_minor"], alloc_df.attrs["unit_major"] = mi, ma
            alloc_df.attrs["spec_version"] = _dec(lib.civ_alloc_spec_version(sp.ptr))
            alloc_df.attrs["demand"] = demand_windows(sp.ptr, fc.ptr if fc is not None else None)
            alloc_df.attrs["closed"] = ids_like(closed_frame(summary_df), "unique_id", communities, source_col=id_col)
            alloc_df.attrs["discontinued"] = discontinued_frame(summary_df)
            return alloc_df, summary_df
        finally:
            for o in (sum_t, out_t, res, prob, fc, comm):
                if o is not None:
                    o.close()


def allocate_to_file(communities, spec, out, forecasts=None, explain=False, excel=True, precision="full",
                     min_decimals=None, paid=None, encoding=None, thousands=None, percent=False, last_year=None,
                     sheet=None, last_year_sheet=None,
             skip_rows=None):
    """As allocate(), but writes the per-community table straight to `out`
    (.csv, or .h5 / .hdf5) with civ_alloc_result_write instead of returning
    it: a CSV is built and written a block of rows at a time, so a million
    communities need a few MB for the output instead of a DataFrame (the
    file's bytes are those of write(allocate(...)[0], out) for the same
    options; `civicast allocate --out` writes the same way).  excel and
    precision as write(), but excel defaults to True as the command's does
    (a money table for people: Excel needs the byte-order mark to read the
    names as UTF-8; excel=False leaves it out); min_decimals defaults to the currency's decimals
    (2 for fen), as the CLI does; encoding, thousands, percent, last_year
    and last_year_sheet as allocate().  Returns the summary table."""
    out = os.fspath(out)
    fmt = _input_format("civicast.allocate_to_file", encoding, thousands, percent, sheet, skip_rows)
    _sheet(last_year_sheet, "civicast.allocate_to_file")
    with _spec_handle(spec) as sp:
        if min_decimals is None:
            mu = lib.civ_alloc_spec_minor_unit(sp.ptr)
            min_decimals = {1: 0, 10: 1, 100: 2, 1000: 3}.get(mu, 0)
        opt = _csv_options(excel, precision, min_decimals)
        _set_last_year(sp, last_year, fmt, last_year_sheet)
        comm = _table_arg(communities, sp, fmt, "communities")
        fc = _table_arg(forecasts, sp, fmt, "forecasts")
        prob = _Owned(lib.civ_alloc_problem_free)
        res = _Owned(lib.civ_alloc_result_free)
        sum_t = _Owned(lib.civ_table_free)
        try:
            _bind_and_solve(sp, comm, fc, paid, fmt, prob, res)
            check(lib.civ_alloc_result_write(prob.ptr, res.ptr, _explain_code(explain), encode(out),
                                             ctypes.byref(opt)))
            check(lib.civ_alloc_result_summary(prob.ptr, res.ptr, ctypes.byref(sum_t.ptr)))
            return table_to_frame(sum_t.ptr)
        finally:
            for o in (sum_t, res, prob, fc, comm):
                if o is not None:
                    o.close()
