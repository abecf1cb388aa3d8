"""civicast.info: what a panel holds (series, frequency, span, lengths, missing share, covariates, attributes),
as `civicast info FILE [--attributes FILE]` prints it, over the same civ_panel_summarize call.
"""
import ctypes
import os

import pandas as pd

from . import _hdf5_probe
from . import _lib
from ._lib import check, encode, lib
from .frame import (PanelData, _Owned, _panel_read_options, _read_table, attributes_table, format_periods,
                    table_to_frame)


def _dec(b):
    return b.decode("utf-8", "replace") if b else ""


def _read_panel(path, isolate, **options):
    path = os.fspath(path)
    if _hdf5_probe.is_hdf5_path(path) and _hdf5_probe.guard_enabled(isolate):
        with _hdf5_probe.clean_copy(path, "panel") as (copy, what):
            if what is not None:
                return _read_panel(copy, False, **options)
    p = _Owned(lib.civ_panel_free)
    ro = _panel_read_options(fn="civicast.info", **options)
    check(lib.civ_panel_read_ex(encode(path), ctypes.byref(ro), ctypes.byref(p.ptr)))
    return p


def _summary(ptr, source):
    s = _lib.civ_panel_summary()
    check(lib.civ_panel_summarize(ptr, ctypes.byref(s)))
    freq, phase = lib.civ_panel_frequency(ptr), lib.civ_panel_phase(ptr)
    style = lib.civ_panel_date_style(ptr)
    first = last = None
    if s.n_series:
        first, last = format_periods([s.first_period, s.last_period], freq, phase, style)
    ids = [_dec(lib.civ_panel_series_id(ptr, i)) for i in range(s.n_series)]
    out = {"file": source, "series": s.n_series, "frequency": _dec(lib.civ_frequency_name(freq)),
           "season_length": lib.civ_frequency_season_length(freq), "first": first, "last": last,
           "min_length": s.min_length, "max_length": s.max_length, "values": s.n_values, "missing": s.n_missing,
           "missing_share": s.n_missing / s.n_values if s.n_values else 0.0,
           "covariates": [_dec(lib.civ_panel_covariate_name(ptr, k)) for k in range(s.n_covariates)],
           "future": s.n_future, "attributes": None, "linked": None, "unlinked_series": None}
    attr = lib.civ_panel_attributes(ptr)
    if attr:
        adf = table_to_frame(attr)
        out["attributes"] = [c for c in adf.columns if c != "unique_id"]
        keys = [str(k) for k in adf["unique_id"]] if "unique_id" in adf else []
        have, known = set(ids), set(keys)
        out["linked"] = sum(k in have for k in keys)
        out["unlinked_series"] = sum(i not in known for i in ids)
    return out


def info(data, attributes=None, freq=None, encoding=None, id_col=None, time_col=None, target_col=None,
         layout=None, thousands=None, percent=False, isolate=None, sheet=None, skip_rows=None):
    """What a panel holds, as ``civicast info FILE [--attributes FILE]``
    prints it (civ_panel_summarize): a dict with file (the path, or None for
    a DataFrame), series, frequency ("monthly", ...), season_length, first
    and last (the span's first and last period as civicast writes them,
    "2019-01"; None when empty), min_length and max_length (periods),
    values (observed-span cells, missing included), missing, missing_share
    (0..1), covariates (names), future (series with covariate values beyond
    their last observation) and, with attributes (a path keyed by
    unique_id / id_col, or a DataFrame), attributes (column names), linked
    (attribute rows that have a series) and unlinked_series (series without
    an attribute row); these three are None without attributes.

    data: a panel file (.csv long or wide, .h5) or a long-format DataFrame.
    freq, encoding, id_col, time_col, target_col, layout, thousands,
    percent, isolate, sheet (an .xlsx input's sheet) and skip_rows (the rows above the header of every CSV and
    .xlsx input): as civicast.read's.  Errors: civicast.Error with
    the file, line and column; a data or attributes argument that is neither a DataFrame nor a path is a
    civicast.WrongType naming it."""
    for what, v in (("data", data), ("attributes", attributes)):
        if not (isinstance(v, (pd.DataFrame, str, bytes, os.PathLike)) or (v is None and what == "attributes")):
            raise _lib.invalid(f"civicast.info: {what} must be a DataFrame or a file's path, not "
                               f"{type(v).__module__}.{type(v).__name__}", what, kind=TypeError)
    if isinstance(data, pd.DataFrame):
        pdata = PanelData(data, freq=freq, attributes=_attributes_frame(attributes, encoding, id_col, thousands,
                                                                        percent, isolate, sheet, skip_rows))
        try:
            return _summary(pdata.ptr, None)
        finally:
            pdata.handle.close()
    with _read_panel(data, isolate, freq=freq, encoding=encoding, id_col=id_col, time_col=time_col,
                     target_col=target_col, layout=layout, thousands=thousands, percent=percent, sheet=sheet,
                     skip_rows=skip_rows) as p:
        if attributes is not None:
            if isinstance(attributes, pd.DataFrame):
                t = attributes_table(attributes)
            else:
                t = _read_table(attributes, None, isolate, encoding, id_col, thousands, percent, sheet, skip_rows)
            status = lib.civ_panel_set_attributes(p.ptr, t.ptr)
            if status == 0:
                t.ptr = ctypes.c_void_p()  # the panel owns it now
            else:
                t.close()
                _named(status, attributes)
        return _summary(p.ptr, os.fspath(data))


def _attributes_frame(attributes, encoding, id_col, thousands, percent, isolate, sheet=None, skip_rows=None):
    if attributes is None:
        return None
    if isinstance(attributes, pd.DataFrame):
        return attributes
    with _read_table(attributes, None, isolate, encoding, id_col, thousands, percent, sheet, skip_rows) as t:
        return table_to_frame(t.ptr)


def _named(status, attributes):
    """The attribute table's error, with its file named (the table does not know it), as the CLI does."""
    err = _lib.last_error()
    if not err.file and not isinstance(attributes, pd.DataFrame):
        err = _lib.Error(err.status, err.message, os.fspath(attributes), err.line, err.column, err.series_id,
                         err.field)
    raise err
