"""Hierarchies and reconciliation over civicast.h (civ_hier_*).

``Hierarchy(df, communities, hierarchy=[...], groups=[...])`` builds the
hierarchy of the series of a long-format panel from community attributes
(``civ_hier_build``): its nodes, the summing matrix S, the panel of every
node (``aggregate``) and ``reconcile`` of given base forecasts
(``civ_hier_reconcile``).  ``forecast_hierarchy`` (reached through
``civicast.forecast(..., hierarchy=...)``) forecasts and reconciles every
node in one C call (``civ_hier_forecast``).  docs/FORECASTING.md,
"Hierarchies and reconciliation"; docs/PYTHON.md.
"""
import ctypes
import os
import warnings

import numpy as np
import pandas as pd

from . import _lib
from ._lib import check, encode, lib
from .frame import (ForecastWarning, PanelData, _DEFAULT_SEED, _Owned, _conformal, _dec, _set_intervals,
                    _days_to_periods, _input_format, count_dtypes, _levels, _nonnegative, _read_table,
                    _string_periods, frame_table, panel_frame, panel_to_frame, table_to_frame, whole_codes)


def _names(x, what):
    if x is None:
        return []
    if isinstance(x, str):
        x = [p for p in x.split(",") if p]
    return [str(v) for v in x]


def _method(name):
    """The method's number by the library's own parser (civ_reconcile_method_parse, as --reconcile), so the
    names Python takes are the command's; an unknown name is a civicast.Error (also a ValueError) with the
    library's list."""
    if not isinstance(name, str):
        raise _lib.invalid(f"civicast: reconcile must be a method name (bu, td, ols, ...), got {name!r}")
    out = ctypes.c_int()
    if lib.civ_reconcile_method_parse(_lib.encode(name), ctypes.byref(out)):
        raise _lib.invalid("civicast: " + _lib.last_error().message)
    return out.value


def _reconcile_method(method, residuals):
    """reconcile's method= as the library's number: None is mint_shrink with residuals and ols without (the
    command's defaults with and without --fitted; it was mint_shrink always, so the call without residuals
    failed); a method that needs residuals (mint_shrink, wls_var) without them names the cure."""
    if method is None:
        method = "ols" if residuals is None else "mint_shrink"
    number = _method(method)
    if residuals is None and number in (_method("mint_shrink"), _method("wls_var")):
        raise _lib.invalid(f"civicast: method={method!r} needs the nodes' in-sample one-step residuals: pass "
                           "residuals= (fitted.pivot(index='ds', columns='unique_id', values='residual') of "
                           "civicast.forecast(hz.aggregate(), fitted=True)), or use method='ols' or 'wls_struct'",
                           "residuals")
    return number


def _label(v):
    """A level value or id as text: whole floats as whole numbers (a code
    column pandas typed as float, 101.0, is the label '101', as the panel's
    int id 101)."""
    if pd.isna(v):
        return ""
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def _communities_table(communities, columns, fmt=None):
    if communities is None:  # was a TypeError from os.fspath(None)
        raise _lib.invalid("civicast.Hierarchy: communities= is needed (a DataFrame or a path with unique_id and "
                           f"the hierarchy's columns {columns})", "communities")
    if isinstance(communities, pd.DataFrame):
        df = communities.copy()
        for c in ["unique_id"] + columns:  # level values are labels, even when they look like numbers
            if c in df.columns:
                df[c] = df[c].map(_label)
        empty = np.flatnonzero(df["unique_id"].to_numpy() == "") if "unique_id" in df.columns else []
        if len(empty):  # was "series 'C004' has no row in the communities table", or "community '' is listed twice"
            rows = ", ".join(map(str, empty[:5])) + (", ..." if len(empty) > 5 else "")
            what = f"row {rows} has" if len(empty) == 1 else f"rows {rows} have"
            raise _lib.Error("CIV_ERR_DOMAIN", f"the communities DataFrame: {what} no unique_id (NaN, None or "
                             "empty): fill in the community's id, or drop the row (communities.dropna(subset="
                             "['unique_id']))", field="unique_id")
        return frame_table(df, "communities")  # errors name its rows as iloc counts
    return _read_table(os.fspath(communities), ["unique_id"] + columns, **(fmt or {}))


def _check_naming(status, communities):
    """check(status), with a communities file named in the error when the library could not (the table does
    not know its file), as the command does (engine/cli/hier_args.c)."""
    if not status:
        return
    err = _lib.last_error()
    if (err.code == status and not err.file and status != _lib.STATUS_CODES.get("CIV_ERR_OUT_OF_MEMORY")
            and communities is not None and not isinstance(communities, pd.DataFrame)):
        path = os.fspath(communities)  # the message again, in the words for a file (python_words)
        raise _lib.Error(err.status, _lib.python_words(_dec(lib.civ_last_error().contents.message), path), path,
                         err.line, err.column, err.series_id, err.field)
    check(status)


class Hierarchy:
    """The hierarchy of the series of `df` (long format unique_id, ds, y)
    given by the attribute columns of `communities` (a DataFrame or a
    .csv/.h5 path with unique_id): `hierarchy` nested, top first (e.g.
    ["district", "street"]), `groups` crossed (e.g. ["service"]).

    nodes: DataFrame level, unique_id (aggregates first, level by level and
    each level's in natural order as the command lists them, 'C2' before
    'C10' (civ_hier_listed_node), then the series in sorted unique_id
    order); reconcile's arrays have their rows in this order; S: the dense summing matrix (nodes x series; for
    small hierarchies); summing_table(): its non-zeros in long form.
    Errors: civicast.Error naming the rows (a community listed twice, a
    missing level value, a street under two districts, a column named
    twice).  encoding, thousands, percent: how a communities CSV path is
    written, as civicast.read's (encoding="gb18030" for a sheet saved by
    Excel on a Chinese Windows); skip_rows=N: the rows above its header (a
    title, a unit line), as civicast.read's and --skip-rows."""

    def __init__(self, df, communities, hierarchy=None, groups=None, freq=None, encoding=None, thousands=None,
                 percent=False, sheet=None, skip_rows=None, _spec=None):
        levels, grps = _names(hierarchy, "hierarchy"), _names(groups, "groups")
        fmt = _input_format("civicast.Hierarchy", encoding, thousands, percent, sheet, skip_rows)
        # _spec: civicast.dask.backtest's tasks read their part of the panel with the whole panel's date layout
        self.pdata = PanelData(panel_frame(df, "civicast.Hierarchy"), freq=freq, spec=_spec)
        self._comm = _communities_table(communities, levels + grps, fmt)
        lv = (ctypes.c_char_p * max(1, len(levels)))(*[encode(v) for v in levels])
        gr = (ctypes.c_char_p * max(1, len(grps)))(*[encode(v) for v in grps])
        self._h = _Owned(lib.civ_hier_free)
        _check_naming(lib.civ_hier_build(self.pdata.ptr, self._comm.ptr, lv, len(levels), gr, len(grps),
                                         ctypes.byref(self._h.ptr)), communities)
        n = lib.civ_hier_n_nodes(self._h.ptr)
        self.n_nodes, self.n_bottom = n, lib.civ_hier_n_bottom(self._h.ptr)
        # the C node numbering is byte order within a level ('C10' before 'C2'); rows here are in the order
        # the command lists them, and reconcile maps its arrays between the two
        self._listed = np.array([lib.civ_hier_listed_node(self._h.ptr, k) for k in range(n)], dtype=np.intp)
        lvl = [_dec(lib.civ_hier_node_level(self._h.ptr, i)) for i in self._listed]
        txt = [_dec(lib.civ_hier_node_id(self._h.ptr, i)) for i in self._listed]
        typed = self._typed_ids(lvl, txt, communities)
        self._typed = dict(zip(zip(lvl, txt), typed))
        self._typed_bottom = dict(zip(txt[n - self.n_bottom:], typed[n - self.n_bottom:]))
        self.nodes = pd.DataFrame({"level": lvl, "unique_id": pd.Series(typed, dtype=object)})
        # a frame's label -> row of nodes, by text (ids are unique over the nodes; 3, '3' and 3.0 are one)
        self._row_of = {_label(u): k for k, u in enumerate(txt)}
        self._row_of.update({_label(u): k for k, u in enumerate(typed)})

    def _typed_ids(self, levels, ids, communities):
        """Node ids as the caller's frames have them (the C library gives
        text): a series' id as in the panel (int 101 stays int, so outputs
        merge with frames from read_csv), an aggregate of one numeric column
        (a district code 3, int or whole float in the DataFrame, or whole
        numbers in a CSV path, as read_csv types them) as int; the rest text
        ('A/3', 'total', and 'level:id' where an aggregate's id is another
        node's)."""
        out = np.array(ids, dtype=object)
        lv = np.array(levels, dtype=object)
        bottom = lv == "unique_id"
        by_text = {str(u): u for u in self.pdata.ids}
        out[bottom] = [by_text.get(u, u) for u in out[bottom]]
        for c in set(lv[~bottom]) - {"total"}:
            if "/" in c:
                continue  # several columns joined: text
            if isinstance(communities, pd.DataFrame) and c in communities.columns:
                dt = communities[c].dtype
                if pd.api.types.is_bool_dtype(dt) or not (pd.api.types.is_integer_dtype(dt) or
                                                          pd.api.types.is_float_dtype(dt)):
                    continue
            rows = lv == c
            codes = whole_codes(out[rows])
            if codes is not None:
                out[rows] = [int(v) for v in codes]
        return out

    def _typed_ds(self, ds):
        """A C table's / panel's ds (text or Timestamps) in the type of the
        panel's ds (Timestamps stay Timestamps, '2024-07' text stays text)."""
        spec = self.pdata.spec
        if not len(ds):
            return ds
        if pd.api.types.is_datetime64_any_dtype(ds.dtype):
            d = ds.to_numpy(dtype="datetime64[D]").astype(np.int64)
            periods = _days_to_periods(d, spec.freq, spec.phase)
        else:
            periods, _ = _string_periods(ds, None, 0, None, spec)
        return spec.to_ds(periods)

    def summing_table(self):
        """level, unique_id, bottom_id: one row per non-zero of S."""
        t = _Owned(lib.civ_table_free)
        check(lib.civ_hier_summing_table(self._h.ptr, ctypes.byref(t.ptr)))
        with t:
            df = table_to_frame(t.ptr)
        df["unique_id"] = pd.Series([self._typed.get(k, k[1]) for k in zip(df["level"], df["unique_id"])],
                                    index=df.index, dtype=object)
        df["bottom_id"] = pd.Series([self._typed_bottom.get(b, b) for b in df["bottom_id"]], index=df.index,
                                    dtype=object)
        return df

    @property
    def S(self):
        st = self.summing_table()
        row = {k: i for i, k in enumerate(zip(self.nodes["level"], self.nodes["unique_id"]))}
        col = {k: j for j, k in enumerate(self.nodes["unique_id"].iloc[self.n_nodes - self.n_bottom:])}
        s = np.zeros((self.n_nodes, self.n_bottom))
        for lv, u, b in zip(st["level"], st["unique_id"], st["bottom_id"]):
            s[row[(lv, u)], col[b]] = 1.0
        return s

    def _gaps_text(self):
        t = _Owned(lib.civ_table_free)
        check(lib.civ_hier_gaps(self._h.ptr, self.pdata.ptr, ctypes.byref(t.ptr)))
        with t:
            return table_to_frame(t.ptr)

    def gaps(self):
        """The missing values inside the series that leave every aggregate
        above them (the total included) missing at their period: a DataFrame
        unique_id, ds (as the panel has them), one row per value
        (civ_hier_gaps; empty when none)."""
        df = self._gaps_text()
        df["unique_id"] = pd.Series([self._typed_bottom.get(u, u) for u in df["unique_id"]], index=df.index,
                                    dtype=object)
        df["ds"] = self._typed_ds(df["ds"])
        return df

    def _warn_gaps(self):
        """A ForecastWarning naming the series whose missing values leave the aggregates missing, as the
        command warns."""
        g = self._gaps_text()  # periods as text, for the message
        if g.empty:
            return
        by = g.groupby("unique_id", sort=False)["ds"].apply(list)
        shown = "; ".join(f"{u} {', '.join(map(str, d))}" for u, d in list(by.items())[:8])
        warnings.warn(f"{len(g)} missing value{'s' if len(g) > 1 else ''} of {len(by)} series leave the "
                      f"aggregates above them missing there, the total in {g['ds'].nunique()} "
                      f"period{'s' if g['ds'].nunique() > 1 else ''}: {shown}"
                      f"{'; ...' if len(by) > 8 else ''}; fill or estimate them for complete totals "
                      "(Hierarchy.gaps(); docs/FORECASTING.md, \"Aggregation\")", ForecastWarning, stacklevel=3)

    def aggregate(self):
        """The panel of every node (long format unique_id, ds, y), aggregates
        summed over the series (civ_hier_aggregate); a ForecastWarning names
        the series whose missing values leave aggregates missing (gaps())."""
        self._warn_gaps()
        out = _Owned(lib.civ_panel_free)
        check(lib.civ_hier_aggregate(self._h.ptr, self.pdata.ptr, ctypes.byref(out.ptr)))
        with out:
            df = panel_to_frame(out.ptr)
        # ids (unique over the nodes) and ds as the caller's panel has them
        by_text = {k[1]: v for k, v in self._typed.items()}
        df["unique_id"] = pd.Series([by_text.get(u, u) for u in df["unique_id"].astype(str)], index=df.index,
                                    dtype=object)
        df["ds"] = self._typed_ds(df["ds"])
        return df

    def _node_rows(self, labels, what):
        """The row in .nodes of each label of a frame's index or columns (ids as the frame has them: 3, '3'
        and 3.0 name the same node, as in nodes), refused with civicast.Error naming the labels that name no
        node, a node given twice and the nodes left without one."""
        if isinstance(labels, pd.MultiIndex):  # e.g. pivot(index=["level", "unique_id"], ...)
            if "unique_id" not in labels.names:
                raise _lib.invalid(f"civicast: {what} has a MultiIndex {list(labels.names)} without a "
                                   "'unique_id' level: label it by the node ids of .nodes['unique_id']",
                                   "unique_id")
            labels = labels.get_level_values("unique_id")
        rows = np.array([self._row_of.get(_label(v), -1) for v in labels], dtype=np.intp)

        def some(vals):
            vals = list(vals)
            return ", ".join(repr(v) for v in vals[:8]) + (f", ... ({len(vals)} in all)" if len(vals) > 8 else "")
        unknown = [v for v, r in zip(labels, rows) if r < 0]
        if unknown:
            raise _lib.Error("CIV_ERR_NOT_FOUND", f"{what} names {len(unknown)} id{'s' if len(unknown) > 1 else ''} "
                             f"that {'are' if len(unknown) > 1 else 'is'} no node of the hierarchy: {some(unknown)}; "
                             "label it by the node ids of .nodes['unique_id'] (a frame's labels are matched to "
                             "them; pass .to_numpy() for rows in the order of .nodes)", field="unique_id")
        counts = np.bincount(rows, minlength=self.n_nodes)
        if (counts > 1).any():
            k = int(np.argmax(counts > 1))
            raise _lib.Error("CIV_ERR_DUPLICATE", f"{what} gives node {self.nodes['unique_id'].iloc[k]!r} "
                             f"{counts[k]} times: keep one", series_id=_label(self.nodes["unique_id"].iloc[k]),
                             field="unique_id")
        if len(rows) < self.n_nodes:
            missing = self.nodes["unique_id"].to_numpy()[counts == 0]
            need = ("a column of residuals", "forecast .aggregate() with fitted=True") if what == "residuals" else \
                ("a row of forecasts", "forecast .aggregate(), the panel of every node")
            raise _lib.Error("CIV_ERR_NOT_FOUND", f"{what} has no {need[0][2:]} for {len(missing)} of the "
                             f"{self.n_nodes} nodes: {some(missing)}; every node needs {need[0]} ({need[1]})",
                             field="unique_id")
        return rows

    def reconcile(self, base, method=None, residuals=None, nonnegative=False):
        """Reconciles base forecasts of every node with `method` (bu, td, ols, wls_struct, wls_var,
        mint_shrink; None, the default: mint_shrink with residuals, ols without, as `civicast reconcile`
        with and without --fitted).  base: a DataFrame (a row per node, a column per step, e.g.
        fc.pivot(index="unique_id", columns="h", values="mean")) or a Series (one step) whose index holds the
        node ids, matched to .nodes' unique_id in any order; or an array n_nodes x h (or n_nodes), taken by
        position: rows in the order of .nodes.  residuals: in-sample one-step residuals, T x n_nodes (NaN
        rows are left out), needed by wls_var and mint_shrink: a DataFrame with a column per node id
        (fitted.pivot(index="ds", columns="unique_id", values="residual")) matched the same way, or an array
        with columns in the order of .nodes.  Returns the coherent forecasts, rows in the order of .nodes:
        a DataFrame (Series) indexed by the node ids with base's columns for a labelled base, else an array.
        Errors: civicast.Error naming the ids that are no node, a node given twice and the nodes without a
        forecast (labels), or the shapes expected (arrays); the shrinkage intensity of MinT is in
        self.last_lambda."""
        labelled = isinstance(base, (pd.DataFrame, pd.Series))
        if labelled:
            rows = self._node_rows(base.index, "base")
            b = np.empty((self.n_nodes,) + base.shape[1:], dtype=np.float64)
            b[rows] = base.to_numpy(dtype=np.float64)
        else:
            try:
                b = np.asarray(base, dtype=np.float64)
            except (TypeError, ValueError) as e:
                raise _lib.invalid(f"civicast: base must be numbers, a DataFrame (a row per node id) or an array "
                                   f"n_nodes x h: {e}", kind=TypeError) from None
        b = np.ascontiguousarray(b[:, None] if b.ndim == 1 else b)
        if b.ndim != 2 or b.shape[0] != self.n_nodes:
            raise _lib.invalid(f"civicast: base needs {self.n_nodes} rows (one per node, in the order of .nodes) "
                               f"and a column per step, got shape {b.shape}")
        H = b.shape[1]
        r = None
        if isinstance(residuals, pd.DataFrame):
            cols = self._node_rows(residuals.columns, "residuals")
            r = np.empty((len(residuals), self.n_nodes), dtype=np.float64)
            r[:, cols] = residuals.to_numpy(dtype=np.float64)
        elif residuals is not None:
            r = np.ascontiguousarray(np.asarray(residuals, dtype=np.float64))
            if r.ndim != 2 or r.shape[1] != self.n_nodes:
                raise _lib.invalid(f"civicast: residuals must be T x {self.n_nodes} (a column per node, in the "
                                   f"order of .nodes), got shape {r.shape}")
        bn = np.empty_like(b)  # the library's node numbering (an exact reindex: no number changes)
        bn[self._listed] = b
        rn = None
        if r is not None:
            rn = np.empty_like(r)
            rn[:, self._listed] = r
        out = np.empty_like(bn)
        lam = ctypes.c_double()
        check(lib.civ_hier_reconcile(self._h.ptr, _reconcile_method(method, rn), bn.ctypes.data, H,
                                     rn.ctypes.data if rn is not None else None, 0 if rn is None else rn.shape[0],
                                     1 if nonnegative else 0, out.ctypes.data, ctypes.byref(lam)))
        self.last_lambda = lam.value
        out = out[self._listed]
        if not labelled:
            return out
        index = pd.Index(self.nodes["unique_id"].to_numpy(), dtype=object,
                         name=base.index.name if not isinstance(base.index, pd.MultiIndex) else "unique_id")
        if isinstance(base, pd.Series):
            return pd.Series(out[:, 0], index=index, name=base.name)
        return pd.DataFrame(out, index=index, columns=base.columns)

    def reconcile_forecasts(self, fc, fitted=None, method=None, nonnegative=False, seed=None, n_paths=None,
                            threads=None):
        """Forecasts of every node made elsewhere, made coherent with their bands (civ_hier_reconcile_bands, as
        `civicast reconcile --base FILE --fitted FILE`).  fc: a long DataFrame, as civicast.forecast returns it
        for the frame of every node (self.aggregate()): unique_id, h, mean, with ds and model carried over and
        lo-<L>, hi-<L> bounds reconciled too.  fitted: the nodes' in-sample residuals, long (unique_id, ds,
        residual: civicast.forecast(..., fitted=True)'s fitted frame); the bands need them (their correlation),
        as do method mint_shrink (the default with fitted) and wls_var; without fitted the bounds are left out
        with a ForecastWarning and the method defaults to ols.  seed, n_paths (default 1000), threads: the
        sample paths' (identical for any thread count); nonnegative: clamp negative bottom forecasts and paths at
        zero.  Returns level, unique_id, ds, h, model, base, mean, lo-<L>, hi-<L>, ... in the order of .nodes,
        as Hierarchy.forecast; MinT's shrinkage intensity in .attrs["lambda"].  Errors: civicast.Error naming
        the missing columns, a bound without its pair, and a node without a forecast or bound (node, h)."""
        fn = "civicast.Hierarchy.reconcile_forecasts"
        if not isinstance(fc, pd.DataFrame):
            raise _lib.invalid(f"{fn}: fc must be a DataFrame (unique_id, h, mean, ...), got {type(fc).__name__}",
                               "fc", kind=TypeError)
        missing = [c for c in ("unique_id", "h", "mean") if c not in fc.columns]
        if missing:
            raise _lib.invalid(f"{fn}: fc lacks the column(s) {missing}: it needs unique_id, h and mean (a "
                               "civicast.forecast frame of every node)", missing[0])
        levels = _band_levels(fn, fc.columns)
        res = None if fitted is None else self._residual_matrix(fn, fitted)
        if levels and res is None:
            warnings.warn(f"{fn}: the bounds ({', '.join(f'lo-{c}' for c, _ in levels)}, ...) are left out: coherent "
                          "bands are drawn with the correlation of the nodes' in-sample residuals, so they need "
                          "fitted= (civicast.forecast(..., fitted=True))", ForecastWarning, stacklevel=2)
            levels = []
        grid, H = self._node_grid(fn, fc, ["mean"] + [f"{s}-{c}" for c, _ in levels for s in ("lo", "hi")])
        opt = _lib.civ_hier_options()
        check(lib.civ_hier_options_init(ctypes.byref(opt)))
        lv = (ctypes.c_double * max(len(levels), 1))(*[v for _, v in levels])
        opt.forecast.levels = ctypes.cast(lv, _lib.c_double_p)
        opt.forecast.n_levels = len(levels)
        opt.forecast.seed = _DEFAULT_SEED if seed is None else _lib.whole(fn, "seed", seed, 0)
        if threads is not None:
            opt.forecast.threads = _lib.whole(fn, "threads", threads, 0)
        if n_paths is not None:
            opt.n_paths = _lib.whole(fn, "n_paths", n_paths, 1)
        opt.method = _reconcile_method(method, res)
        opt.nonnegative = 1 if nonnegative else 0
        lo = np.ascontiguousarray(np.stack([grid[f"lo-{c}"] for c, _ in levels])) if levels else None
        hi = np.ascontiguousarray(np.stack([grid[f"hi-{c}"] for c, _ in levels])) if levels else None
        out = ctypes.c_void_p()
        check(lib.civ_hier_reconcile_bands(self._h.ptr, ctypes.byref(opt), grid["mean"].ctypes.data,
                                           None if lo is None else lo.ctypes.data,
                                           None if hi is None else hi.ctypes.data, H,
                                           None if res is None else res.ctypes.data,
                                           0 if res is None else res.shape[0], ctypes.byref(out)))
        try:
            return self._bands_frame(fc, grid["mean"], out, levels, H)
        finally:
            lib.civ_hier_result_free(out)

    def _residual_matrix(self, fn, fitted):
        """fitted (long: unique_id, ds, residual) as the library's T x n_nodes period-major matrix, periods the
        distinct ds in text order, NaN where a node has none (as `civicast reconcile --fitted` reads its file)."""
        missing = [c for c in ("unique_id", "ds", "residual") if not isinstance(fitted, pd.DataFrame) or
                   c not in fitted.columns]
        if missing:
            raise _lib.invalid(f"{fn}: fitted must be a DataFrame with unique_id, ds and residual (civicast."
                               f"forecast(..., fitted=True)'s fitted frame); it lacks {missing}", "fitted")
        ds = fitted["ds"].astype(str)
        periods = np.array(sorted(set(ds)))
        rows = np.searchsorted(periods, ds.to_numpy())
        cols = np.array([self._row_of.get(_label(v), -1) for v in fitted["unique_id"]], dtype=np.intp)
        keep = cols >= 0  # rows of series that are no node of this hierarchy are not used, as in the command
        res = np.full((len(periods), self.n_nodes), np.nan)
        res[rows[keep], self._listed[cols[keep]]] = pd.to_numeric(fitted["residual"]).to_numpy(dtype=np.float64)[keep]
        return np.ascontiguousarray(res)

    def _node_grid(self, fn, fc, columns):
        """fc's columns as n_nodes x H arrays in the library's node numbering, H the largest step of the nodes'
        rows (rows of other series are not used, as in the command); a step that is no whole number >= 1, a node
        forecast twice for one step, and a node without a value at some step are refused naming them."""
        cols = np.array([self._row_of.get(_label(v), -1) for v in fc["unique_id"]], dtype=np.intp)
        steps = pd.to_numeric(fc["h"], errors="coerce").to_numpy(dtype=np.float64)
        keep = cols >= 0
        bad_h = keep & ~((steps >= 1) & (steps == np.floor(steps)))
        if bad_h.any():
            raise _lib.invalid(f"{fn}: fc's h must be a whole number >= 1, got {fc['h'].to_numpy()[bad_h][0]!r}", "h")
        twice = pd.DataFrame({"node": cols[keep], "h": steps[keep]}).duplicated()
        if twice.any():
            k = int(np.flatnonzero(keep)[np.flatnonzero(twice.to_numpy())[0]])
            raise _lib.invalid(f"{fn}: node '{fc['unique_id'].iloc[k]}' is forecast twice for h = {int(steps[k])}: "
                               "give one model's forecasts", "h")
        H = int(steps[keep].max()) if keep.any() else 0
        if H == 0:
            raise _lib.invalid(f"{fn}: fc has no forecast of a node of this hierarchy (its unique_id are "
                               f"{list(pd.unique(fc['unique_id']))[:3]} ...; the nodes are .nodes['unique_id'])",
                               "unique_id")
        grid = {}
        for name in columns:
            g = np.full((self.n_nodes, H), np.nan)
            g[self._listed[cols[keep]], steps[keep].astype(np.intp) - 1] = \
                pd.to_numeric(fc[name]).to_numpy(dtype=np.float64)[keep]
            bad = np.argwhere(~np.isfinite(g))
            if len(bad):
                node = _dec(lib.civ_hier_node_id(self._h.ptr, int(bad[0][0])))
                raise _lib.invalid(f"{fn}: node '{node}' has no {name} for h = {bad[0][1] + 1} in fc ({len(bad)} "
                                   "cells lack one): give every node's forecast at every step (hz.aggregate(), then "
                                   "civicast.forecast)", name)
            grid[name] = np.ascontiguousarray(g)
        return grid, H

    def _bands_frame(self, fc, base, out, levels, H):
        """The reconciled result out as Hierarchy.forecast's frame, rows in the order of .nodes."""
        n = self.n_nodes

        def take(ptr):  # the library's n_nodes x H array, rows in the order of .nodes
            return np.ctypeslib.as_array(ptr, shape=(n, H))[self._listed].reshape(-1).copy()

        frame = {"level": np.repeat(self.nodes["level"].to_numpy(), H),
                 "unique_id": np.repeat(self.nodes["unique_id"].to_numpy(), H)}
        key = pd.MultiIndex.from_arrays([frame["unique_id"].astype(str), np.tile(np.arange(1, H + 1), n)])
        src = fc.assign(unique_id=fc["unique_id"].map(lambda v: str(_label(v))),
                        h=pd.to_numeric(fc["h"]).astype(int)).drop_duplicates(["unique_id", "h"])
        src = src.set_index(["unique_id", "h"]).reindex(key)
        frame["ds"] = src["ds"].to_numpy() if "ds" in fc.columns else None
        frame["h"] = np.tile(np.arange(1, H + 1), n)
        frame["model"] = src["model"].to_numpy() if "model" in fc.columns else ""
        frame["base"] = base[self._listed].reshape(-1)
        frame["mean"] = take(lib.civ_hier_result_mean(out))
        for l, (c, _) in enumerate(levels):
            frame[f"lo-{c}"] = take(lib.civ_hier_result_lower(out, l))
            frame[f"hi-{c}"] = take(lib.civ_hier_result_upper(out, l))
        df = pd.DataFrame(frame)
        if "ds" not in fc.columns:
            df = df.drop(columns="ds")
        df.attrs["lambda"] = lib.civ_hier_result_lambda(out)
        return df

    def forecast(self, h=None, model="auto", level=(80, 95), reconcile="mint_shrink", threads=None, seed=None,
                 n_paths=None, nonnegative="auto", progress=None, intervals=None, conformal_windows=None,
                 conformal_step=None, conformal_sample=None, conformal_refit=None):
        """Forecasts every node and reconciles (civ_hier_forecast): a DataFrame
        level, unique_id, ds, h, model, base, mean, lo-80, hi-80, ...; the
        shrinkage intensity in .attrs["lambda"].  progress: a callable(done,
        total) of the nodes forecast; it, or Ctrl-C, can stop the call.
        intervals: the base forecasts' intervals that the sample paths take
        their spreads from: None (conformal ones, calibrated on the nodes'
        own backtest errors), "conformal" (with conformal_* as
        civicast.forecast's) or "model" (the models' own); a ForecastWarning
        names the nodes whose conformal intervals kept the model's somewhere."""
        opt = _lib.civ_hier_options()
        check(lib.civ_hier_options_init(ctypes.byref(opt)))
        fn = "civicast.forecast"
        if not isinstance(model, (str, bytes)):
            raise _lib.invalid(f"{fn}: a hierarchy is forecast with one model spec (model='ets'), got {model!r}",
                               "model", kind=TypeError)
        model_b = encode(model)
        opt.forecast.model = model_b
        if h is not None:
            opt.forecast.horizon = _lib.whole(fn, "h", h, 1)
        levels = _levels(fn, level)
        lv = (ctypes.c_double * max(1, len(levels)))(*levels)
        opt.forecast.levels = ctypes.cast(lv, _lib.c_double_p)
        opt.forecast.n_levels = len(levels)
        if threads is not None:
            opt.forecast.threads = _lib.whole(fn, "threads", threads, 0)
        opt.forecast.seed = _DEFAULT_SEED if seed is None else _lib.whole(fn, "seed", seed, 0)
        if n_paths is not None:
            opt.n_paths = _lib.whole(fn, "n_paths", n_paths, 1)
        _set_intervals(fn, opt.forecast, intervals, _conformal(conformal_windows, conformal_step, conformal_sample,
                                                               conformal_refit))
        opt.method = _method(reconcile)
        opt.nonnegative = _nonnegative(fn, nonnegative)
        self._warn_gaps()
        res, t = _Owned(lib.civ_hier_result_free), _Owned(lib.civ_table_free)
        with res, t:
            with _lib.stoppable(progress) as stop:  # Ctrl-C, or an exception from progress, stops the call
                opt.forecast.progress = stop.series
                check(lib.civ_hier_forecast(self._h.ptr, self.pdata.ptr, ctypes.byref(opt), ctypes.byref(res.ptr)))
            check(lib.civ_hier_result_table(res.ptr, self._h.ptr, ctypes.byref(t.ptr)))
            out = table_to_frame(t.ptr)
            lam = lib.civ_hier_result_lambda(res.ptr)
            uncalibrated = lib.civ_hier_result_n_uncalibrated(res.ptr)
        if uncalibrated:
            warnings.warn(f"civicast: conformal base intervals: {uncalibrated} of {len(self.nodes)} nodes kept their "
                          "model's intervals at some steps: too few backtest scores there (the nodes are short for "
                          "the calibration windows; intervals='model' uses the models' own everywhere; "
                          "docs/FORECASTING.md, \"Conformal intervals\")", ForecastWarning, stacklevel=3)
        out["h"] = out["h"].astype(np.int64)
        out["unique_id"] = pd.Series([self._typed.get(k, k[1]) for k in zip(out["level"], out["unique_id"])],
                                     index=out.index, dtype=object)
        out["ds"] = self._typed_ds(out["ds"])
        out.attrs["lambda"] = lam
        del lv, model_b
        return out

    def _backtest_options(self, fn, h, model, windows, step, level, threads, seed, ic, n_paths, nonnegative,
                          reconcile, progress_stop, keep, intervals=None, conformal=None):
        """civ_hier_backtest_options from backtest()'s arguments; keep holds the buffers it points to."""
        opt = _lib.civ_hier_backtest_options()
        check(lib.civ_hier_backtest_options_init(ctypes.byref(opt)))
        if not isinstance(model, (str, bytes)):
            raise _lib.invalid(f"{fn}: a hierarchy is backtested with one model spec (model='ets'; compare "
                               f"reconciliations with reconcile=[...]), got {model!r}", "model", kind=TypeError)
        methods = [reconcile] if isinstance(reconcile, str) else list(reconcile)
        if not methods or not all(isinstance(m, str) for m in methods):
            raise _lib.invalid(f"{fn}: reconcile must be a method or a list of them ('base', 'bu', 'td', 'ols', "
                               f"'wls_struct', 'wls_var', 'mint_shrink'), got {reconcile!r}", "reconcile")
        model_b = encode(model)
        opt.hier.forecast.model = model_b
        if h is not None:
            opt.hier.forecast.horizon = _lib.whole(fn, "h", h, 1)
        levels = _levels(fn, level)
        lv = (ctypes.c_double * max(1, len(levels)))(*levels)
        opt.hier.forecast.levels = ctypes.cast(lv, _lib.c_double_p)
        opt.hier.forecast.n_levels = len(levels)
        if threads is not None:
            opt.hier.forecast.threads = _lib.whole(fn, "threads", threads, 0)
        opt.hier.forecast.seed = _DEFAULT_SEED if seed is None else _lib.whole(fn, "seed", seed, 0)
        if not isinstance(ic, str) or ic not in _lib.CRITERIA:
            raise _lib.invalid(f"{fn}: ic must be one of {sorted(_lib.CRITERIA)}, got {ic!r}", "ic")
        opt.hier.forecast.criterion = _lib.CRITERIA[ic]
        if n_paths is not None:
            opt.hier.n_paths = _lib.whole(fn, "n_paths", n_paths, 1)
        opt.hier.nonnegative = _nonnegative(fn, nonnegative)
        _set_intervals(fn, opt.hier.forecast, intervals, _conformal(*(conformal or (None,) * 4)))
        opt.hier.forecast.progress = progress_stop
        ms = (ctypes.c_char_p * len(methods))(*[encode(m) for m in methods])
        opt.methods = ctypes.cast(ms, ctypes.POINTER(ctypes.c_char_p))
        opt.n_methods = len(methods)
        opt.windows = _lib.whole(fn, "windows", windows, 1)
        opt.step = _lib.whole(fn, "step", step, 1)
        keep.extend([model_b, lv, ms])
        return opt

    def _frame(self, fn_table, res, what):
        """A civ_hier_backtest table (fn_table: its C call) as a DataFrame, ids and dates typed as the panel's."""
        t = _Owned(lib.civ_table_free)
        with t:
            check(fn_table(res, self._h.ptr, self.pdata.ptr, ctypes.byref(t.ptr)))
            out = table_to_frame(t.ptr)
        if what == "windows" and len(out):
            out["h"] = out["h"].astype(np.int64)
            out["unique_id"] = pd.Series([self._typed.get(k, k[1]) for k in zip(out["level"], out["unique_id"])],
                                         index=out.index, dtype=object)
            out["cutoff"] = self._typed_ds(out["cutoff"])
            out["ds"] = self._typed_ds(out["ds"])
        return out

    def backtest(self, h=None, model="auto", windows=3, step=1, level=(80, 95), reconcile=("base", "bu",
                 "mint_shrink"), threads=None, seed=None, ic="aicc", n_paths=None, nonnegative="auto",
                 accuracy=False, progress=None, intervals=None, conformal_windows=None, conformal_step=None,
                 conformal_sample=None, conformal_refit=None):
        """Rolling-origin backtest of reconciled forecasts (civ_hier_backtest):
        each window forecasts every node of the panel cut at its cutoff as
        forecast() would, reconciled by each method of `reconcile` ('base' =
        the unreconciled base forecasts).  Returns the windows: level,
        unique_id, cutoff, ds, h, y, model ('AutoETS/mint_shrink'), mean,
        lo-80, hi-80, ...; with accuracy=True (windows, accuracy per level
        and method: level ('all' first), model, windows, failed, n, MAE, ...);
        with accuracy="series" (windows, accuracy per node and method: level,
        unique_id, model, ... as `civicast backtest --by-series` writes it).
        intervals, conformal_*: the base intervals as forecast()'s, conformal
        ones calibrated on each window's history only."""
        fn = "civicast.backtest"
        if accuracy not in (False, True, "series"):
            raise _lib.invalid(f"{fn}: accuracy must be False, True or 'series', got {accuracy!r}", "accuracy")
        keep = []
        self._warn_gaps()
        res = _Owned(lib.civ_backtest_result_free)
        with res:
            with _lib.stoppable(progress) as stop:  # Ctrl-C, or an exception from progress, stops the call
                opt = self._backtest_options(fn, h, model, windows, step, level, threads, seed, ic, n_paths,
                                             nonnegative, reconcile, stop.series, keep, intervals,
                                             (conformal_windows, conformal_step, conformal_sample, conformal_refit))
                check(lib.civ_hier_backtest(self._h.ptr, self.pdata.ptr, ctypes.byref(opt), ctypes.byref(res.ptr)))
            return self._backtest_frames(res.ptr, accuracy, stacklevel=4)

    def _backtest_frames(self, res, accuracy, stacklevel=3):
        """backtest()'s results from the civ_backtest_result `res` of this hierarchy's panel (civ_hier_backtest's,
        or the one civicast.dask.backtest fills from its tasks' windows): the windows, warnings for failed and
        uncalibrated windows, and the accuracy asked for."""
        out = self._frame(lib.civ_hier_backtest_table, res, "windows")
        self._warn_failed(res, stacklevel + 1)
        kept = lib.civ_backtest_result_n_uncalibrated(res)
        if kept:
            warnings.warn(f"civicast: conformal base intervals: {kept} node windows kept their model's intervals "
                          "at some steps, too few backtest scores before their cutoffs (intervals='model' uses "
                          "the models' own everywhere; docs/FORECASTING.md, \"Conformal intervals\")",
                          ForecastWarning, stacklevel=stacklevel)
        if not accuracy:
            return out
        if accuracy is True:
            return out, count_dtypes(self._frame(lib.civ_hier_backtest_accuracy_table, res, "accuracy"))
        acc = count_dtypes(self._frame(lib.civ_hier_backtest_node_accuracy_table, res, "accuracy"))
        if len(acc):  # the level from C, as the command's --by-series; ids typed as the panel's
            acc["unique_id"] = pd.Series([self._typed.get(k, k[1]) for k in zip(acc["level"], acc["unique_id"])],
                                         index=acc.index, dtype=object)
        return out, acc

    def _warn_failed(self, res, stacklevel=4):
        """A ForecastWarning when windows failed, naming the first (node, method, cutoff, why)."""
        failed = lib.civ_backtest_result_n_failed(res)
        if not failed:
            return
        nodes = _Owned(lib.civ_panel_free)
        t = _Owned(lib.civ_table_free)
        with nodes, t:
            check(lib.civ_hier_aggregate(self._h.ptr, self.pdata.ptr, ctypes.byref(nodes.ptr)))
            check(lib.civ_backtest_failures_table(res, nodes.ptr, ctypes.byref(t.ptr)))
            f = table_to_frame(t.ptr)
        warnings.warn(f"civicast: {failed} backtest windows (method x node x window) could not be made: a series "
                      "with no value or too few at a cutoff fails there and counts as 0 in the aggregates; an "
                      "aggregate that cannot be forecast fails its window for every node; they keep their rows with "
                      f"NaN forecasts and are left out of the accuracy; first: node "
                      f"'{f.unique_id[0]}', {f.model[0]}, cutoff {f.cutoff[0]}: {f.message[0]}", ForecastWarning,
                      stacklevel=stacklevel)


def reconcile(df, communities, base, hierarchy=None, groups=None, method=None, residuals=None,
              nonnegative=False, encoding=None, thousands=None, percent=False, skip_rows=None):
    """Reconciles base forecasts of every node of the hierarchy of `df`:
    Hierarchy(df, communities, hierarchy, groups, encoding=, thousands=,
    percent=, skip_rows=).reconcile(base, method, residuals, nonnegative) (method None:
    mint_shrink with residuals, ols without, as `civicast reconcile`).  Returns
    (nodes DataFrame, coherent forecasts): rows in the order of nodes, a
    DataFrame indexed by the node ids when base is a DataFrame (matched to
    the nodes by its index), else an array."""
    hz = Hierarchy(df, communities, hierarchy, groups, encoding=encoding, thousands=thousands, percent=percent,
                   skip_rows=skip_rows)
    return hz.nodes, hz.reconcile(base, method, residuals, nonnegative)


def _band_levels(fn, columns):
    """fc's interval levels: each lo-<L> with its hi-<L>, in the frame's order, as (text, number); a bound
    without its pair or a level that is no number in (0, 100) is refused."""
    out = []
    names = [str(c) for c in columns]
    for name in names:
        if not (name.startswith("lo-") or name.startswith("hi-")):
            continue
        text, pair = name[3:], ("hi-" if name.startswith("lo-") else "lo-") + name[3:]
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not 0.0 < value < 100.0:
            raise _lib.invalid(f"{fn}: column {name}: a bound's level must be a number between 0 and 100 (lo-80, "
                               "hi-95)", name)
        if pair not in names:
            raise _lib.invalid(f"{fn}: fc has {name} but no {pair}: give both bounds of each level, or neither", pair)
        if name.startswith("lo-"):
            out.append((text, value))
    return out


def forecast_hierarchy(df, communities, hierarchy=None, groups=None, reconcile="mint_shrink", **kw):
    """civicast.forecast(df, hierarchy=..., communities=...): every node
    forecast and reconciled; see Hierarchy.forecast."""
    if communities is None:
        raise _lib.invalid("civicast.forecast: hierarchy= needs communities= (a DataFrame or a path with unique_id "
                           "and the hierarchy's columns)")
    fmt = kw.pop("fmt", None) or {}
    hz = Hierarchy(df, communities, hierarchy, groups, freq=kw.pop("freq", None), **fmt)
    return hz.forecast(reconcile=reconcile, **kw)


def backtest_hierarchy(df, communities, hierarchy=None, groups=None, reconcile=None, freq=None, **kw):
    """civicast.backtest(df, hierarchy=..., communities=...): the rolling-origin
    backtest of reconciled forecasts; see Hierarchy.backtest."""
    if communities is None:
        raise _lib.invalid("civicast.backtest: hierarchy= needs communities= (a DataFrame or a path with unique_id "
                           "and the hierarchy's columns)", "communities")
    hz = Hierarchy(df, communities, hierarchy, groups, freq=freq)
    if reconcile is not None:
        kw["reconcile"] = reconcile
    return hz.backtest(**kw)
