"""Plots with matplotlib: history plus fan charts of forecasts, and the
allocation by district with its change against last year.

Both functions return a matplotlib Figure and never call pyplot.show(), so
they work under the Agg backend (tests, servers) and in notebooks alike.
matplotlib is imported only when a plot is drawn.
"""
import re

import numpy as np
import pandas as pd

from . import frame as _frame

__all__ = ["plot", "plot_allocation"]


# District and community names are often Chinese: fall back per glyph
# (matplotlib >= 3.6) to a CJK font when one is installed.
_CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Zen Hei",
              "WenQuanYi Micro Hei", "Droid Sans Fallback", "AR PL UMing CN")


def _font_context():
    import matplotlib
    from matplotlib import font_manager
    have = {f.name for f in font_manager.fontManager.ttflist}
    fallback = [f for f in _CJK_FONTS if f in have]
    if not fallback:
        return matplotlib.rc_context()
    return matplotlib.rc_context({"font.family": ["DejaVu Sans"] + fallback[:1]})


def _with_fonts(fn):
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with _font_context():
            return fn(*args, **kwargs)
    return wrapper


def _figure(nrows, ncols, width, height):
    from matplotlib.figure import Figure
    fig = Figure(figsize=(width, height), constrained_layout=True)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes


def _as_datetime(ds):
    """ds (civicast strings, Timestamps or Periods) -> Timestamps for the x axis."""
    s = pd.Series(ds).reset_index(drop=True)
    if isinstance(s.dtype, pd.PeriodDtype):
        return pd.DatetimeIndex(s.dt.start_time)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return pd.DatetimeIndex(s)
    codes = np.zeros(len(s), dtype=np.int64)
    periods, spec = _frame.to_periods(s.astype(str), codes, 1)
    return pd.DatetimeIndex(_frame._period_days(periods, spec.freq, spec.phase, "start").astype("datetime64[D]"))


def _levels(forecasts):
    lv = []
    for c in forecasts.columns:
        m = re.fullmatch(r"lo-(.+)", str(c))
        if m and f"hi-{m.group(1)}" in forecasts.columns:
            lv.append((float(m.group(1)), m.group(1)))
    return [lab for _, lab in sorted(lv, reverse=True)]  # widest first, so narrower bands draw on top


@_with_fonts
def plot(df, forecasts=None, ids=None, max_ids=4, ncols=2, history=None, title=None):
    """History and fan charts, one panel per series.

    df: long format (unique_id, ds, y); forecasts: civicast.forecast output
    (unique_id, ds, mean, lo-L, hi-L, ...) or None; ids: series to draw
    (default: the first `max_ids` ids of df, in sorted order); history: draw
    only the last `history` observations.  Returns a matplotlib Figure."""
    if ids is None:
        ids = sorted(pd.unique(df["unique_id"].astype(str)))[:max_ids]
    elif isinstance(ids, str):
        ids = [ids]
    ids = [str(i) for i in ids]
    if not ids:
        raise ValueError("civicast.plot: no series to draw")
    ncols = max(1, min(ncols, len(ids)))
    nrows = (len(ids) + ncols - 1) // ncols
    fig, axes = _figure(nrows, ncols, 5.5 * ncols, 3.2 * nrows)
    hist_ids = df["unique_id"].astype(str)
    fc_ids = forecasts["unique_id"].astype(str) if forecasts is not None else None
    levels = _levels(forecasts) if forecasts is not None else []
    for k, sid in enumerate(ids):
        ax = axes[k // ncols][k % ncols]
        h = df[hist_ids == sid]
        if not len(h) and (fc_ids is None or not (fc_ids == sid).any()):
            raise _frame.Error("CIV_ERR_NOT_FOUND", f"civicast.plot: no series '{sid}'", series_id=sid)
        if len(h):
            x = _as_datetime(h["ds"])
            order = np.argsort(x.values)
            x, y = x[order], h["y"].to_numpy(dtype=float)[order]
            if history:
                x, y = x[-history:], y[-history:]
            ax.plot(x, y, color="black", linewidth=1.0, label="history")
        if forecasts is not None:
            f = forecasts[fc_ids == sid]
            if len(f):
                xf = _as_datetime(f["ds"])
                order = np.argsort(xf.values)
                xf = xf[order]
                n = len(levels)
                for j, lab in enumerate(levels):
                    shade = 0.25 + 0.35 * (j + 1) / max(n, 1)
                    ax.fill_between(xf, f[f"lo-{lab}"].to_numpy(float)[order], f[f"hi-{lab}"].to_numpy(float)[order],
                                    color="tab:blue", alpha=shade * 0.6, linewidth=0, label=f"{lab}% interval")
                ax.plot(xf, f["mean"].to_numpy(float)[order], color="tab:blue", linewidth=1.5, label="forecast")
                model = str(f["model"].iloc[0]) if "model" in f.columns else ""
                ax.set_title(f"{sid}  {model}".strip(), fontsize=9)
            else:
                ax.set_title(sid, fontsize=9)
        else:
            ax.set_title(sid, fontsize=9)
        ax.tick_params(labelsize=8)
        ax.grid(True, alpha=0.3)
        if k == 0:
            ax.legend(fontsize=7, loc="upper left")
    for k in range(len(ids), nrows * ncols):
        axes[k // ncols][k % ncols].set_visible(False)
    if title:
        fig.suptitle(title)
    return fig


@_with_fonts
def plot_allocation(result, by="district", title=None):
    """Per-district bars of the allocation and the change against last year.

    result: the (allocation, summary) tuple of civicast.allocate or the
    allocation DataFrame alone (columns by, amount_fen and optionally
    last_year_fen and change_fen -- "_minor" for currencies other than CNY;
    docs/ALLOCATION.md "Outputs").  Left: total amount by district in major
    units; right: change against last year by district, in percent (green up,
    red down).  Returns a matplotlib Figure."""
    alloc = result[0] if isinstance(result, tuple) else result
    if by not in alloc.columns:
        raise _frame.Error("CIV_ERR_MISSING_COLUMN", f"civicast.plot_allocation: no column '{by}'", field=by)
    mi = alloc.attrs.get("unit_minor") or ("fen" if "amount_fen" in alloc.columns else "minor")
    value = f"amount_{mi}"
    if value not in alloc.columns:
        raise _frame.Error("CIV_ERR_MISSING_COLUMN", f"civicast.plot_allocation: no column '{value}'", field=value)
    g = alloc.groupby(alloc[by].astype(str), sort=True)
    amount = g[value].sum() / float(alloc.attrs.get("minor_unit", 100))
    has_change = f"last_year_{mi}" in alloc.columns and f"change_{mi}" in alloc.columns
    fig, axes = _figure(1, 2 if has_change else 1, 11 if has_change else 6, 4.2)
    ax = axes[0][0]
    currency = alloc.attrs.get("currency", "")
    scale, unit = (1e6, f"million {currency}".strip()) if amount.max() >= 1e6 else (1.0, currency or value)
    pos = np.arange(len(amount))
    ax.bar(pos, amount.to_numpy() / scale, color="tab:blue")
    ax.set_xticks(pos)
    ax.set_xticklabels(amount.index, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel(unit)
    ax.set_title(f"Allocation by {by}")
    ax.grid(True, axis="y", alpha=0.3)
    if has_change:
        last = g[f"last_year_{mi}"].sum()
        change = g[f"change_{mi}"].sum()
        pct = np.where(last.to_numpy() > 0, 100.0 * change.to_numpy() / np.where(last > 0, last, 1), np.nan)
        ax2 = axes[0][1]
        ax2.bar(pos, pct, color=["tab:green" if v >= 0 else "tab:red" for v in np.nan_to_num(pct)])
        ax2.axhline(0, color="black", linewidth=0.8)
        ax2.set_xticks(pos)
        ax2.set_xticklabels(amount.index, rotation=45, ha="right", fontsize=8)
        ax2.set_ylabel("% change")
        ax2.set_title("Change against last year")
        ax2.grid(True, axis="y", alpha=0.3)
    if title:
        fig.suptitle(title)
    return fig
