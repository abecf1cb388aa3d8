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
from .frame import (ForecastWarning, PanelData, _DEFAULT_SEED, _Owned, _dec, _days_to_periods, _input_format,
                    _read_table, _string_periods, frame_to_table, panel_to_frame, table_to_frame, whole_codes)


def _names(x, what):
    if x is None:
        return []
    if isinstance(x, str):
        x = [p for p in x.split(",") if p]
    return [str(v) for v in x]


def _method(name):
    """The method's number by the library's own parser (civ_reconcile_method_parse, as --reconcile), so the
    names Python takes are the command's; an unknown name is a ValueError with the library's list."""
    if not isinstance(name, str):
        raise ValueError(f"civicast: reconcile must be a method name (bu, td, ols, ...), got {name!r}")
    out = ctypes.c_int()
    if lib.civ_reconcile_method_parse(_lib.encode(name), ctypes.byref(out)):
        raise ValueError("civicast: " + _lib.last_error().message)
    return out.value


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
    if isinstance(communities, pd.DataFrame):
        df = communities.copy()
        for c in ["unique_id"] + columns:  # level values are labels, even when they look like numbers
            if c in df.columns:
                df[c] = df[c].map(_label)
        return frame_to_table(df)
    return _read_table(os.fspath(communities), ["unique_id"] + columns, **(fmt or {}))


def _check_naming(status, communities):
    """check(status), with a communities file named in the error when the library could not (the table does
    not know its file), as the command does (engine/cli/hier_args.c)."""
    if not status:
        return
    err = _lib.last_error()
    if (err.code == status and not err.file and status != _lib.STATUS_CODES.get("CIV_ERR_OUT_OF_MEMORY")
            and communities is not None and not isinstance(communities, pd.DataFrame)):
        raise _lib.Error(err.status, err.message, os.fspath(communities), err.line, err.column, err.series_id,
                         err.field)
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
    Excel on a Chinese Windows)."""

    def __init__(self, df, communities, hierarchy=None, groups=None, freq=None, encoding=None, thousands=None,
                 percent=False, sheet=None):
        levels, grps = _names(hierarchy, "hierarchy"), _names(groups, "groups")
        fmt = _input_format("civicast.Hierarchy", encoding, thousands, percent, sheet)
        self.pdata = PanelData(df, freq=freq)
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

    def reconcile(self, base, method="mint_shrink", residuals=None, nonnegative=False):
        """Reconciles base forecasts (array n_nodes x h, rows in the order of .nodes)
        with `method` (bu, td, ols, wls_struct, wls_var, mint_shrink);
        residuals: in-sample one-step residuals, array T x n_nodes (NaN rows
        are left out), needed by wls_var and mint_shrink.  Returns the
        coherent forecasts (n_nodes x h); the shrinkage intensity of MinT is
        in self.last_lambda."""
        b = np.ascontiguousarray(np.asarray(base, dtype=np.float64))
        if b.ndim == 1:
            b = b[:, None]
        if b.shape[0] != self.n_nodes:
            raise ValueError(f"civicast: base needs {self.n_nodes} rows (one per node), got {b.shape[0]}")
        H = b.shape[1]
        r = None if residuals is None else np.ascontiguousarray(np.asarray(residuals, dtype=np.float64))
        if r is not None and (r.ndim != 2 or r.shape[1] != self.n_nodes):
            raise ValueError(f"civicast: residuals must be T x {self.n_nodes}")
        bn = np.empty_like(b)  # the library's node numbering (an exact reindex: no number changes)
        bn[self._listed] = b
        rn = None
        if r is not None:
            rn = np.empty_like(r)
            rn[:, self._listed] = r
        out = np.empty_like(bn)
        lam = ctypes.c_double()
        check(lib.civ_hier_reconcile(self._h.ptr, _method(method), bn.ctypes.data, H,
                                     rn.ctypes.data if rn is not None else None, 0 if rn is None else rn.shape[0],
                                     1 if nonnegative else 0, out.ctypes.data, ctypes.byref(lam)))
        self.last_lambda = lam.value
        return out[self._listed]

    def forecast(self, h=None, model="auto", level=(80, 95), reconcile="mint_shrink", threads=None, seed=None,
                 n_paths=None, nonnegative="auto", progress=None):
        """Forecasts every node and reconciles (civ_hier_forecast): a DataFrame
        level, unique_id, ds, h, model, base, mean, lo-80, hi-80, ...; the
        shrinkage intensity in .attrs["lambda"].  progress: a callable(done,
        total) of the nodes forecast; it, or Ctrl-C, can stop the call."""
        opt = _lib.civ_hier_options()
        check(lib.civ_hier_options_init(ctypes.byref(opt)))
        fn = "civicast.forecast"
        model_b = encode(model)
        opt.forecast.model = model_b
        if h is not None:
            opt.forecast.horizon = _lib.whole(fn, "h", h, 1)
        levels = [] if level is None else [float(x) for x in np.atleast_1d(level)]
        lv = (ctypes.c_double * max(1, len(levels)))(*levels)
        opt.forecast.levels = ctypes.cast(lv, _lib.c_double_p)
        opt.forecast.n_levels = len(levels)
        if threads is not None:
            opt.forecast.threads = _lib.whole(fn, "threads", threads, 0)
        opt.forecast.seed = _DEFAULT_SEED if seed is None else _lib.whole(fn, "seed", seed, 0)
        if n_paths is not None:
            opt.n_paths = _lib.whole(fn, "n_paths", n_paths, 1)
        opt.method = _method(reconcile)
        opt.nonnegative = {"auto": -1, "off": 0, "on": 1, None: -1, False: 0, True: 1}[nonnegative]
        self._warn_gaps()
        res, t = _Owned(lib.civ_hier_result_free), _Owned(lib.civ_table_free)
        with res, t:
            with _lib.stoppable(progress) as stop:  # Ctrl-C, or an exception from progress, stops the call
                opt.forecast.progress = stop.series
                check(lib.civ_hier_forecast(self._h.ptr, self.pdata.ptr, ctypes.byref(opt), ctypes.byref(res.ptr)))
            check(lib.civ_hier_result_table(res.ptr, self._h.ptr, ctypes.byref(t.ptr)))
            out = table_to_frame(t.ptr)
            lam = lib.civ_hier_result_lambda(res.ptr)
        out["h"] = out["h"].astype(np.int64)
        out["unique_id"] = pd.Series([self._typed.get(k, k[1]) for k in zip(out["level"], out["unique_id"])],
                                     index=out.index, dtype=object)
        out["ds"] = self._typed_ds(out["ds"])
        out.attrs["lambda"] = lam
        del lv, model_b
        return out


def reconcile(df, communities, base, hierarchy=None, groups=None, method="mint_shrink", residuals=None,
              nonnegative=False, encoding=None, thousands=None, percent=False):
    """Reconciles base forecasts of every node of the hierarchy of `df`:
    Hierarchy(df, communities, hierarchy, groups, encoding=, thousands=,
    percent=).reconcile(base, method, residuals, nonnegative).  Returns
    (nodes DataFrame, coherent array)."""
    hz = Hierarchy(df, communities, hierarchy, groups, encoding=encoding, thousands=thousands, percent=percent)
    return hz.nodes, hz.reconcile(base, method, residuals, nonnegative)


def forecast_hierarchy(df, communities, hierarchy=None, groups=None, reconcile="mint_shrink", **kw):
    """civicast.forecast(df, hierarchy=..., communities=...): every node
    forecast and reconciled; see Hierarchy.forecast."""
    if communities is None:
        raise ValueError("civicast.forecast: hierarchy= needs communities= (a DataFrame or a path with unique_id "
                         "and the hierarchy's columns)")
    fmt = kw.pop("fmt", None) or {}
    hz = Hierarchy(df, communities, hierarchy, groups, freq=kw.pop("freq", None), **fmt)
    return hz.forecast(reconcile=reconcile, **kw)
