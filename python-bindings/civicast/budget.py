"""Layer Python (a client of civicast.h only, through _lib): scenario
comparison, the Monte Carlo of the allocation and the multi-year budget
need, as DataFrames: the Python side of ``civicast allocate
--compare``, ``civicast allocate --uncertainty`` and ``civicast need``;
and the budget office's workbook of those frames (``allocate --workbook``).

Each function makes the same C calls as the command (civ_alloc_compare_*,
civ_alloc_uncertainty_*, civ_alloc_need_*; civicast.h) and returns the same
tables the command writes, so a notebook no longer has to shell out.  Money
is in minor units (fen) as in the files; docs/ALLOCATION.md explains every
column.
"""
import ctypes
import os
import re

import numpy as np
import pandas as pd

from . import _lib
from ._lib import check, encode, lib
from .frame import (_Owned, _allocation_arg, _codes_as_text, _dec, _spec_handle, _table_arg, frame_table,
                    table_to_frame, _read_table, _input_format, _set_last_year, _sheet, _fmt_for,
                    count_dtypes, ids_like, money_dtypes, need_dtypes, scope_ids_like)

__all__ = ["compare", "uncertainty", "need", "settle", "project", "write_allocation_workbook"]

# Text columns of forecast tables read from files (as the CLI's `need`).
_FORECAST_TEXT_COLUMNS = ("unique_id", "ds", "model")


def _label(spec, index):
    """The CLI's label of a spec (alloc_extra.c make_label): the file name
    without folder and extension, other characters than [A-Za-z0-9_.-] as
    '_', at most 48; "s<k>" for spec text."""
    if isinstance(spec, (str, bytes, os.PathLike)) and not (isinstance(spec, (str, bytes)) and
                                                            ("\n" in (spec if isinstance(spec, str)
                                                                      else spec.decode("utf-8")))):
        base = os.path.basename(os.fspath(spec))
        if isinstance(base, bytes):
            base = base.decode("utf-8", "replace")
        dot = base.rfind(".")
        stem = base[:dot] if dot > 0 else base
        enc = stem.encode("utf-8")[:48]
        lab = "".join(chr(b) if re.fullmatch(rb"[A-Za-z0-9_.\-]", bytes([b])) else "_" for b in enc)
        if lab:
            return lab
    return f"s{index + 1}"


def _labels(specs, labels):
    if labels is not None:
        labels = [str(x) for x in labels]
        if len(labels) != len(specs):
            raise _lib.invalid(f"civicast.compare: {len(labels)} labels for {len(specs)} specs")
        return labels
    out = []
    for k, s in enumerate(specs):
        lab = _label(s, k)
        if lab in out:  # as the CLI: a suffix "-<k>" for a repeated name
            lab = lab[:40] + f"-{k + 1}"
        if lab in out:
            raise _lib.invalid(f"civicast.compare: two specs are both labelled {lab!r}; pass labels=")
        out.append(lab)
    return out


def compare(communities, specs, forecasts=None, labels=None, encoding=None, thousands=None, percent=False,
            last_year=None, sheet=None, last_year_sheet=None, skip_rows=None):
    """Solves several allocation specs on the same communities (scenarios).

    communities: DataFrame or .csv/.h5 path; specs: a list of at least one
    spec (file paths, or spec texts: any string with a newline); forecasts:
    None, a DataFrame in forecast()'s long format, or a path; labels: names
    of the specs in column names (letters, digits, '_', '-', '.'), by default
    the CLI's: each file's name without extension ("s1", "s2", ... for text).

    Returns (table, waterfall), the two files of ``civicast allocate
    --compare``: per community unique_id, district, amount_<label> for every
    spec, then for each spec after the first change_<label>,
    change_pct_<label> and outcome_<label> (civ_alloc_compare_table); and the
    waterfall of what each rule moved, per spec and scope, columns base,
    tilt, earmark, floor, cap, hold_harmless, pace, ratable, rebalance,
    rounding, amount (civ_alloc_compare_waterfall).  Money in minor units.
    encoding, thousands, percent, skip_rows: as civicast.allocate's, for CSV paths.
    last_year: last year's allocation for every spec (a DataFrame or path, as
    civicast.allocate's and ``--compare ... --last-year FILE``); None: each
    spec's own [data] last_year_file; last_year_sheet: its sheet when it is
    an .xlsx (as civicast.allocate's).  Errors: civicast.Error (a spec's error
    is prefixed with its label)."""
    fmt = _input_format("civicast.compare", encoding, thousands, percent, sheet, skip_rows)
    _sheet(last_year_sheet, "civicast.compare")
    if isinstance(specs, (str, bytes, os.PathLike)):
        specs = [specs]
    specs = list(specs)
    if not specs:
        raise _lib.invalid("civicast.compare: give at least one spec")
    names = _labels(specs, labels)
    handles = []
    comm = fc = None
    cmp = _Owned(lib.civ_alloc_compare_free)
    table, wf = _Owned(lib.civ_table_free), _Owned(lib.civ_table_free)
    try:
        for s in specs:
            handles.append(_spec_handle(s))
            _set_last_year(handles[-1], last_year, fmt, last_year_sheet)  # else the spec's last_year_file
        comm = _table_arg(communities, handles[0], fmt, "communities")
        fc = _table_arg(forecasts, handles[0], fmt, "forecasts")
        arr = (ctypes.c_void_p * len(handles))(*[h.ptr.value for h in handles])
        labs = (ctypes.c_char_p * len(names))(*[encode(n) for n in names])
        check(lib.civ_alloc_compare_run(ctypes.cast(arr, _lib.PP), ctypes.cast(labs, _lib.CPP), len(handles),
                                        comm.ptr, fc.ptr if fc is not None else None, ctypes.byref(cmp.ptr)))
        check(lib.civ_alloc_compare_table(cmp.ptr, ctypes.byref(table.ptr)))
        check(lib.civ_alloc_compare_waterfall(cmp.ptr, ctypes.byref(wf.ptr)))
        t, w = table_to_frame(table.ptr), table_to_frame(wf.ptr)
        count_dtypes(w, ("communities",))
        for c in t.columns:  # whole minor units
            if (c.startswith("amount_") or c.startswith("change_")) and not c.startswith("change_pct_") \
                    and not t[c].isna().any():
                t[c] = t[c].astype(np.int64)
        ids_like(t, "unique_id", communities, source_col=_dec(lib.civ_alloc_spec_id_column(handles[0].ptr)))
        t.attrs["labels"] = names
        return t, w
    finally:
        for o in (wf, table, cmp, fc, comm, *handles):
            if o is not None:
                o.close()


def uncertainty(communities, spec, forecasts=None, draws=1000, seed=None, weight_concentration=0.0,
                threads=None, perturb_forecasts=None, encoding=None, thousands=None, percent=False,
                keep_draws=False, last_year=None, sheet=None, last_year_sheet=None, skip_rows=None):
    """A seeded Monte Carlo of the allocation (``civicast allocate
    --uncertainty N --uncertainty-out FILE``).

    Each draw perturbs the forecast-demand factors from the forecasts'
    prediction intervals (perturb_forecasts; default: when forecasts are
    given, as the CLI) and, with weight_concentration K > 0, the factor
    weights (Dirichlet), then re-solves.  draws >= 1; seed None = the
    library default 20260101; threads None = the OpenMP default; results are
    bit-identical for any thread count.

    Returns the long table (civ_alloc_uncertainty_table): scope
    ("community", "district", "total"), name, district, amount_fen (the
    point allocation), mean_fen, p5_fen, p50_fen, p95_fen, all in minor
    units; attrs["draws"],
    ["seed"] and ["seconds"] describe the run.  encoding, thousands, percent:
    as civicast.allocate's, for CSV paths (skip_rows too).  keep_draws=True also returns
    every draw's amounts (civ_alloc_uncertainty_draw): (table, draws), draws a
    DataFrame of int64 minor units, one row per community (index: the ids,
    in the table's order) and one column per draw (0 .. draws-1), for
    quantiles or statistics the table does not hold
    (``draws.quantile(0.9, axis=1)`` is R's type 7, as p5/p50/p95).
    last_year: last year's allocation (a DataFrame or path), as
    civicast.allocate's (``--uncertainty N --last-year FILE``); None: the
    spec's [data] last_year_file; last_year_sheet as civicast.allocate's.
    Errors: civicast.Error (CIV_ERR_SPEC when there is nothing to perturb)."""
    fmt = _input_format("civicast.uncertainty", encoding, thousands, percent, sheet, skip_rows)
    _sheet(last_year_sheet, "civicast.uncertainty")
    opt = _lib.civ_alloc_uncertainty_options()
    check(lib.civ_alloc_uncertainty_options_init(ctypes.byref(opt)))
    if int(draws) < 1:
        raise _lib.invalid("civicast.uncertainty: draws must be a whole number >= 1")
    opt.n_draws = int(draws)
    if seed is not None:
        opt.seed = int(seed)
    if threads is not None:
        opt.threads = int(threads)
    opt.weight_concentration = float(weight_concentration)
    opt.perturb_forecasts = int(bool(forecasts is not None if perturb_forecasts is None else perturb_forecasts))
    u = _Owned(lib.civ_alloc_uncertainty_free)
    t = _Owned(lib.civ_table_free)
    comm = fc = None
    with _spec_handle(spec) as sp:
        try:
            _set_last_year(sp, last_year, fmt, last_year_sheet)  # else the spec's last_year_file, as allocate
            comm = _table_arg(communities, sp, fmt, "communities")
            fc = _table_arg(forecasts, sp, fmt, "forecasts")
            check(lib.civ_alloc_uncertainty_run(sp.ptr, comm.ptr, fc.ptr if fc is not None else None,
                                                ctypes.byref(opt), ctypes.byref(u.ptr)))
            check(lib.civ_alloc_uncertainty_table(u.ptr, ctypes.byref(t.ptr)))
            df = money_dtypes(table_to_frame(t.ptr))  # the point allocation in whole minor units
            scope_ids_like(df, "name", "community", communities, source_col=_dec(lib.civ_alloc_spec_id_column(sp.ptr)))
            df.attrs["draws"] = lib.civ_alloc_uncertainty_n_draws(u.ptr)
            df.attrs["seed"] = int(opt.seed)
            df.attrs["seconds"] = lib.civ_alloc_uncertainty_seconds(u.ptr)
            return (df, _draws_frame(u.ptr, df)) if keep_draws else df
        finally:
            for o in (t, u, fc, comm):
                if o is not None:
                    o.close()


def _draws_frame(u, table):
    """Every draw's amounts (communities x draws, int64 minor units), ids from the table's community rows."""
    n, d = lib.civ_alloc_uncertainty_n_communities(u), lib.civ_alloc_uncertainty_n_draws(u)
    out = np.empty((d, n), dtype=np.int64)
    for k in range(d):
        check(lib.civ_alloc_uncertainty_draw(u, k, out[k].ctypes.data_as(_lib.c_int64_p), n))
    ids = table.loc[table["scope"] == "community", "name"].to_numpy()
    return pd.DataFrame(out.T, index=pd.Index(ids, name="unique_id"), columns=pd.RangeIndex(d, name="draw"))


def _need_handle(spec):
    h = _Owned(lib.civ_alloc_need_free)
    if isinstance(spec, (str, bytes)) and ("\n" in (spec if isinstance(spec, str) else spec.decode("utf-8"))):
        b = encode(spec)
        check(lib.civ_alloc_need_parse(b, len(b), b"<need text>", ctypes.byref(h.ptr)))
    else:
        check(lib.civ_alloc_need_read(encode(os.fspath(spec)), ctypes.byref(h.ptr)))
    return h


def _forecast_table(forecasts, fmt=None):
    if isinstance(forecasts, pd.DataFrame):
        df = forecasts
        ds = df["ds"] if "ds" in df.columns else None
        if ds is not None and isinstance(ds.dtype, pd.PeriodDtype):
            # the C call reads civicast dates: a Period's first day ("2025Q1" is not one)
            df = df.assign(ds=ds.dt.start_time.dt.strftime("%Y-%m-%d"))
        uid = df["unique_id"] if "unique_id" in df.columns else None
        if uid is not None and pd.api.types.is_numeric_dtype(uid.dtype) and _codes_as_text(uid) is not None:
            df = df.assign(unique_id=_codes_as_text(uid))  # int64 ids (310101001) as the text the call keys by
        return frame_table(df, "forecasts")
    return _read_table(forecasts, _FORECAST_TEXT_COLUMNS, **(_fmt_for(fmt, "forecasts") or {}))


def need(spec, forecasts, encoding=None, thousands=None, percent=False, sheet=None, skip_rows=None):
    """The projected budget need per year (``civicast need``): the [need]
    section of `spec` (an allocation spec or plan file path, or its text)
    and forecasts (forecast()'s DataFrame or a file) grouped by calendar
    year.

    Returns (per_community, per_year), the files of ``civicast need --out
    --summary``: unique_id, year, periods, demand, standard_fen, need_fen,
    need_yuan (minor units whole as int64; "_minor"/"_major" for other
    currencies), and per year scope, year, communities, periods, demand,
    standard_fen, need_fen, need_yuan with a last "total" row.  The yuan
    columns, exact decimal text in the files, are numbers here.
    attrs["minor_unit"], ["currency"] (the [budget] currency, else "CNY"),
    ["first_year"] and ["years"] describe the [need].  Errors: civicast.Error (e.g. CIV_ERR_NOT_FOUND for a year
    the forecasts do not reach: forecast further ahead).  encoding,
    thousands, percent, skip_rows: as civicast.allocate's, for a CSV path of forecasts."""
    fmt = _input_format("civicast.need", encoding, thousands, percent, sheet, skip_rows)
    pc, py = _Owned(lib.civ_table_free), _Owned(lib.civ_table_free)
    fc = None
    with _need_handle(spec) as nd:
        try:
            fc = _forecast_table(forecasts, fmt)
            check(lib.civ_alloc_need_project(nd.ptr, fc.ptr, ctypes.byref(pc.ptr), ctypes.byref(py.ptr)))
            a, b = table_to_frame(pc.ptr), table_to_frame(py.ptr)
            need_dtypes(a, b)
            count_dtypes(b)  # per year: communities
            ids_like(a, "unique_id", forecasts)
            for df in (a, b):
                df.attrs["minor_unit"] = lib.civ_alloc_need_minor_unit(nd.ptr)
                df.attrs["currency"] = _dec(lib.civ_alloc_need_currency(nd.ptr))
                df.attrs["first_year"] = lib.civ_alloc_need_first_year(nd.ptr)
                df.attrs["years"] = lib.civ_alloc_need_years(nd.ptr)
            return a, b
        finally:
            for o in (py, pc, fc):
                if o is not None:
                    o.close()


def settle(spec, allocation, spending, explain=False, encoding=None, thousands=None, percent=False, sheet=None,
           skip_rows=None):
    """Settlement (清算) of an allocation against actual spending by the
    spec's [settlement] rules: the Python side of ``civicast settle`` over the
    same C call (civ_alloc_settle; docs/ALLOCATION.md "Settlement").

    spec: a spec path or text with [settlement] (carry_over, top_up,
    top_up_budget, spent); allocation: civicast.allocate's table (or a
    path) with unique_id and amount_fen (or a sheet of the year's amounts
    in yuan headed amount_yuan; or the allocation.xlsx a plan wrote, its
    allocation sheet found without sheet=, civ_alloc_allocation_read); spending: a DataFrame or path with
    the spec's id column and the spent column in major units (yuan).
    explain: False, True/"en" or "zh".  Returns (settlement, summary):
    unique_id, allocated_fen, spent_fen, unspent_fen, overspent_fen,
    carry_over_fen, clawback_fen, top_up_fen, uncovered_fen (int64, exact;
    allocated - spent = carry_over + clawback - top_up - uncovered) and the
    tidy totals (section, item, measure, unit, value).  encoding, thousands,
    percent, skip_rows: as civicast.allocate's, for CSV paths (a spending sheet saved
    by Excel: encoding="gb18030", thousands=","; an allocation civicast
    wrote, valid UTF-8, stays UTF-8).  Errors: civicast.Error naming the
    cell: for a path the file, its line (as a spreadsheet counts it: the
    header is line 1) and column; for a DataFrame "the spending DataFrame,
    row N" with N the row's position (from 0, as df.iloc)."""
    from .frame import _explain_code
    fmt = _input_format("civicast.settle", encoding, thousands, percent, sheet, skip_rows)
    out, summ = _Owned(lib.civ_table_free), _Owned(lib.civ_table_free)
    al = sp_t = None
    code = _explain_code(explain)
    with _spec_handle(spec) as sp:
        try:
            al = _allocation_arg(allocation, sp, fmt, "allocation")
            sp_t = _table_arg(spending, sp, fmt, "spending")
            for frame, t, role in ((allocation, al, b"allocation"), (spending, sp_t, b"spending")):
                if isinstance(frame, pd.DataFrame):  # errors say "the spending DataFrame, row 7" (iloc)
                    check(lib.civ_table_set_source(t.ptr, b"the " + role + b" DataFrame", 0))
            check(lib.civ_alloc_settle(sp.ptr, al.ptr, sp_t.ptr, code, ctypes.byref(out.ptr),
                                       ctypes.byref(summ.ptr)))
            df = ids_like(money_dtypes(table_to_frame(out.ptr)), "unique_id", allocation, spending,
                          source_col=_dec(lib.civ_alloc_spec_id_column(sp.ptr)))
            return df, table_to_frame(summ.ptr)
        finally:
            for o in (summ, out, sp_t, al):
                if o is not None:
                    o.close()


def project(communities, spec, forecasts, years, explain=False, encoding=None, thousands=None, percent=False,
            last_year=None, sheet=None, last_year_sheet=None, skip_rows=None):
    """The multi-year allocation projection: the Python side of ``civicast
    project`` over the same C call (civ_alloc_project; docs/ALLOCATION.md
    "Multi-year projection").

    spec: a spec path (its [need] section gives the indexed standard) or
    text; communities and forecasts: DataFrames or paths (forecasts in long
    format covering every projected calendar year); years: 1..100 from the
    spec's fiscal_year.  Returns (allocation, summary): civicast.allocate's
    table for every year stacked with a leading "year" column (each fund's
    last year is the community's amount of the year before), and the
    per-year facts (year, item, unit, value: index, budget, reserved, fund
    amounts, binding counts).  encoding, thousands, percent, skip_rows: as
    civicast.allocate's, for CSV paths.  last_year: last year's allocation
    (a DataFrame or path), the first year's history, as civicast.allocate's
    (``civicast project --last-year FILE``); None: the spec's [data]
    last_year_file; last_year_sheet as civicast.allocate's."""
    from .frame import _explain_code
    fmt = _input_format("civicast.project", encoding, thousands, percent, sheet, skip_rows)
    _sheet(last_year_sheet, "civicast.project")
    if isinstance(years, bool) or not isinstance(years, (int, np.integer)) or not 1 <= years <= 100:
        raise _lib.invalid(f"years must be a whole number 1..100, not {years!r}")
    out, summ = _Owned(lib.civ_table_free), _Owned(lib.civ_table_free)
    comm = fc = None
    code = _explain_code(explain)
    with _spec_handle(spec) as sp, _need_handle(spec) as nd:
        try:
            _set_last_year(sp, last_year, fmt, last_year_sheet)  # else the spec's: the first year's history
            comm = _table_arg(communities, sp, fmt, "communities")
            fc = _forecast_table(forecasts, fmt)
            check(lib.civ_alloc_project(sp.ptr, comm.ptr, fc.ptr, nd.ptr, int(years), code, ctypes.byref(out.ptr),
                                        ctypes.byref(summ.ptr)))
            df = money_dtypes(table_to_frame(out.ptr), _dec(lib.civ_alloc_spec_unit_name(sp.ptr, 0)),
                              _dec(lib.civ_alloc_spec_unit_name(sp.ptr, 1)))
            df["year"] = df["year"].astype(np.int64)
            ids_like(df, "unique_id", communities, source_col=_dec(lib.civ_alloc_spec_id_column(sp.ptr)))
            s = table_to_frame(summ.ptr)
            s["year"] = s["year"].astype(np.int64)
            return df, s
        finally:
            for o in (summ, out, fc, comm):
                if o is not None:
                    o.close()


def write_allocation_workbook(path, spec, allocation=None, summary=None, rules=None, need=None, need_summary=None,
                              uncertainty=None, lang="zh"):
    """Writes an allocation's frames as the budget office's Excel workbook
    (civ_alloc_workbook_write, as `civicast allocate --workbook` and the
    plan's allocation.xlsx), atomically: a sheet per frame given, in the
    plan's order and names (分配结果, 分配汇总, 规则分解, 需求测算, 需求汇总,
    不确定性; lang="en": allocation, summary, rules, need, need summary,
    uncertainty), headed in `lang` ("zh" or "en": 社区编号, 分配金额（元）,
    the spec's labels of its factors and funds), the codes in the cells in
    words (分配资金, 全市人均, 元/人), the allocation's columns first who, how
    much and why.  spec: the spec the frames came from (a path or the spec
    text; None: no labels); allocation and summary are allocate()'s (its
    explain="zh" for Chinese sentences), rules compare(..., [spec])'s
    waterfall, need and need_summary need()'s, uncertainty uncertainty()'s.
    The allocation sheet reads back as next year's last_year= and as paid=
    or settle(allocation=).  Raises civicast.Error (a bad lang, no frame, an
    unwritable path or one not ending in .xlsx: nothing is left)."""
    frames = {"allocation": allocation, "summary": summary, "rules": rules, "need": need,
              "need_summary": need_summary, "uncertainty": uncertainty}
    for k, df in frames.items():
        if df is not None and not isinstance(df, pd.DataFrame):
            raise _lib.invalid(f"civicast.write_allocation_workbook: {k} must be a DataFrame, not {type(df).__name__}",
                               kind=TypeError)
    path = os.fspath(path)
    sp = None if spec is None else _spec_handle(spec)
    handles = {}
    try:
        for k, df in frames.items():
            if df is not None:  # the spec's text columns (its id) as text, as allocate() read them
                handles[k] = _table_arg(df, sp)
        t = _lib.civ_alloc_workbook_tables(**{k: h.ptr.value for k, h in handles.items()})
        check(lib.civ_alloc_workbook_write(encode(path), None if sp is None else sp.ptr, ctypes.byref(t),
                                           None if lang is None else encode(str(lang)), None))
    finally:
        for h in handles.values():
            h.close()
        if sp is not None:
            sp.close()
