"""civicast.join_predecessors: a merged or renamed community's series continued by its predecessors' history
(civ_panel_join_predecessors), as `civicast convert IN OUT --communities FILE --predecessors COLUMN` and
civicast.plan do it (docs/FORECASTING.md, "When the map changes")."""
import ctypes
import os
import warnings

import pandas as pd

from . import _lib
from ._lib import Error, check, encode, lib
from .frame import (PanelData, _dec, _Owned, _read_table, _spec_handle, frame_table, ids_like, panel_to_frame,
                    table_to_frame)


def join_predecessors(df, communities, predecessors=None, spec=None, id="unique_id", freq=None, shares=None):
    """The panel in which each community of `communities` that names its predecessors (a merger, a rename)
    continues their history: before its own first month, the sum of their values in each month where every
    one of them reported; then its own months.  A community whose predecessor is named by another one too (a
    split) or has no series keeps its own months; the predecessors' own series are left out.

    df: a long-format panel DataFrame (unique_id, ds, y, covariates; civicast.read reads a file).
    communities: this year's communities, a DataFrame or a file.  predecessors: the column naming each
    community's predecessors ("C001;C002"); or spec: an allocation spec (path or text) whose [data] id and
    predecessors name the key and that column, as civicast.plan reads them.  id: the key column.
    shares: with predecessors=, the column giving each community's share of each predecessor ("0.6",
    "0.5;1", aligned with the predecessors list; with spec=, its [data] predecessor_shares): the parts of a
    split continue share x the parent's history (civ_panel_join_predecessors_shares).  Months between the
    predecessors' last common month and a community's own first stay missing: a UserWarning names them.
    Returns (panel, joins): the joined panel (ids in df's dtype, ds as civicast.read gives them) and one row
    per community naming
    predecessors (unique_id, predecessors, status "joined" / "split" / "no_series" / "no_common_months",
    joined_periods (int64), joined_from, joined_to, blocking, reason, shares, gap_periods (int64), gap_from,
    gap_to).  Errors: civicast.Error (a predecessor that is a community of this year too, a missing column, a
    share outside (0, 1] or not aligned with the predecessors, a split's shares summing above 1)."""
    if (predecessors is None) == (spec is None):
        raise _lib.invalid("civicast.join_predecessors: give predecessors= (a column) or spec= (an allocation spec)")
    if shares is not None and predecessors is None:
        raise _lib.invalid("civicast.join_predecessors: shares= goes with predecessors= (with spec=, its [data] "
                           "predecessor_shares names the column)")
    if spec is not None:
        sp = _spec_handle(spec)
        with sp:
            id = _dec(lib.civ_alloc_spec_id_column(sp.ptr))
            col = lib.civ_alloc_spec_predecessors_column(sp.ptr)
            if not col:
                raise Error("CIV_ERR_SPEC", "the spec names no [data] predecessors column (the communities' "
                            "column naming each community's predecessors)", field="predecessors")
            predecessors = _dec(col)
            sh = lib.civ_alloc_spec_predecessor_shares_column(sp.ptr)
            shares = _dec(sh) if sh else None
    if isinstance(communities, pd.DataFrame):
        c = communities.copy()
        for name in (id, predecessors) + ((shares,) if shares is not None else ()):
            if name in c.columns:
                c[name] = c[name].map(lambda v: "" if pd.isna(v) else str(v))
        t = frame_table(c, "communities")  # errors name its rows as iloc counts
    else:
        t = _read_table(os.fspath(communities), [id, predecessors] + ([shares] if shares is not None else []))
    pdata = PanelData(df, freq=freq)
    out, joins = _Owned(lib.civ_panel_free), _Owned(lib.civ_table_free)
    try:
        check(lib.civ_panel_join_predecessors_shares(pdata.ptr, t.ptr, encode(id), encode(predecessors),
                                                     encode(shares) if shares is not None else None,
                                                     ctypes.byref(out.ptr), ctypes.byref(joins.ptr)))
        with out:
            panel = panel_to_frame(out.ptr)
        with joins:
            table = table_to_frame(joins.ptr)
    finally:
        pdata.handle.close()
        t.close()
    # ids in the caller's dtype (int64 codes stay int64, as read_csv types them); the months as counts
    ids_like(panel, "unique_id", df)
    ids_like(table, "unique_id", communities, df, source_col=id)
    table["joined_periods"] = table["joined_periods"].astype("int64")
    table["gap_periods"] = table["gap_periods"].astype("int64")
    gaps = table[table["gap_periods"] > 0]
    if len(gaps):
        warnings.warn("civicast.join_predecessors: " + "; ".join(
            f"{r.unique_id}: {r.gap_periods} period{'' if r.gap_periods == 1 else 's'} "
            f"{r.gap_from}..{r.gap_to} missing"
            for r in gaps.itertuples()) + " (between the predecessors' last common period and the "
            "community's own first: neither reported; left missing, not guessed)", UserWarning, stacklevel=2)
    return panel, table
