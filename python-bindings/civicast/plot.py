"""Plots with matplotlib: history plus fan charts of forecasts, and the
allocation by district with its change against last year.

Both functions return a matplotlib Figure and never call pyplot.show(), so
they work under the Agg backend (tests, servers) and in notebooks alike.
matplotlib is imported only when a plot is drawn.
"""
import ctypes
import os
import re
import warnings

import numpy as np
import pandas as pd

from . import _lib, frame as _frame
from ._lib import check, encode, lib

__all__ = ["plot", "plot_allocation", "short_model", "model_family", "cjk_font"]


# District and community names are often Chinese: fall back per glyph
# (matplotlib >= 3.6) to a CJK font when one is installed.
_CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Zen Hei",
              "WenQuanYi Micro Hei", "Droid Sans Fallback", "AR PL UMing CN", "Noto Serif CJK SC")
_CJK_FILES = re.compile(r"(NotoSansCJK|NotoSerifCJK|SourceHanSans|NotoSansSC|wqy-|DroidSansFallback|uming)", re.I)
_CJK_TEXT = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_INSTALL_HINT = ("no CJK font is installed, so Chinese labels draw as empty boxes; install one, e.g. "
                 "`apt-get install fonts-noto-cjk` (Debian/Ubuntu), `dnf install google-noto-sans-cjk-fonts` "
                 "(Fedora) or Noto Sans CJK SC from https://github.com/notofonts/noto-cjk, then restart Python")
_cjk_font = []  # [name or None] once looked up


def cjk_font():
    """The CJK-capable font family plots use, or None when none is installed.

    Looks in matplotlib's font list first, then among the system's font files
    (matplotlib's cache may predate a font installed later) and adds one."""
    if _cjk_font:
        return _cjk_font[0]
    from matplotlib import font_manager
    have = {f.name for f in font_manager.fontManager.ttflist}
    found = next((f for f in _CJK_FONTS if f in have), None)
    if found is None:
        for path in sorted(font_manager.findSystemFonts()):
            if _CJK_FILES.search(os.path.basename(path)):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        have = {f.name for f in font_manager.fontManager.ttflist}
        found = next((f for f in _CJK_FONTS if f in have), None)
    _cjk_font.append(found)
    return found


def _font_context():
    import matplotlib
    font = cjk_font()
    if font is None:
        return matplotlib.rc_context()
    return matplotlib.rc_context({"font.family": ["DejaVu Sans", font]})


def _warn_if_no_cjk(texts):
    """Warns, saying how to install a font, when labels hold CJK text and no
    CJK font is installed."""
    if cjk_font() is None and any(_CJK_TEXT.search(str(t)) for t in texts):
        warnings.warn("civicast.plot: " + _INSTALL_HINT, stacklevel=3)


def _name_call(fn, text):
    """fn(text, buf, size) of the C library, the text it writes."""
    buf = ctypes.create_string_buffer(1024)
    check(fn(encode(str(text)), buf, len(buf)))
    return buf.value.decode("utf-8")


def model_family(spec):
    """The display family of one model specification, by the C report's rule
    (civ_model_display_family): "DampedETS" for an ETS model with a damped
    trend ("ETS(A,Ad,N)"), else its leading letters ("ETS(A,N,A)" -> "ETS")."""
    return _name_call(lib.civ_model_display_family, spec.strip())


def short_model(name):
    """A model name short enough for a title, by the C report's rule
    (civ_model_short_name): a combination lists its components' families
    ("ComboMedian[ETS(A,N,A),ARIMA(2,0,0)(2,0,0)[12] with non-zero mean,Theta]"
    -> "Median(ETS, ARIMA, Theta)"; a damped-trend ETS component is
    "DampedETS": "ComboMedian[ETS(A,N,A),ARIMA(0,1,0),Theta,ETS(A,Ad,A),DOTM]"
    -> "Median(ETS, ARIMA, Theta, DampedETS, DOTM)"); a single model keeps its
    specification without trailing words ("ARIMA(1,1,0) with drift" ->
    "ARIMA(1,1,0)")."""
    return _name_call(lib.civ_model_short_name, name)


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


def _check_one_forecast(f, sid):
    """A series' forecast rows must be one path (one row per ds): stacked
    models (model=[...]) or backtest windows are refused with the filter that
    picks one, instead of being drawn as one zigzag line."""
    if not f["ds"].duplicated().any():
        return
    for col, what in (("cutoff", "backtest windows"), ("model", "models")):
        if col in f.columns and f[col].nunique() > 1:
            vals = f[col].drop_duplicates().tolist()
            shown = ", ".join(repr(str(v)) for v in vals[:4]) + (", ..." if len(vals) > 4 else "")
            raise _frame.Error("CIV_ERR_DUPLICATE", f"civicast.plot: series '{sid}' has the forecasts of "
                               f"{len(vals)} {what} ({shown}); draw one: forecasts[forecasts['{col}'] == "
                               f"{str(vals[0])!r}]", series_id=sid, field=col)
    raise _frame.Error("CIV_ERR_DUPLICATE", f"civicast.plot: series '{sid}' has several forecast rows for one ds; "
                       "pass one forecast per series", series_id=sid, field="ds")


def _levels(forecasts):
    lv = []
    for c in forecasts.columns:
        m = re.fullmatch(r"lo-(.+)", str(c))
        if m and f"hi-{m.group(1)}" in forecasts.columns:
            lv.append((float(m.group(1)), m.group(1)))
    return [lab for _, lab in sorted(lv, reverse=True)]  # widest first, so narrower bands draw on top


def _floats(column):
    """A column's values as float64, pandas' missing values (pd.NA of Int64 / Float64, what convert_dtypes() and
    read_excel give) as NaN: to_numpy(float) alone raised "cannot convert ... with missing values"."""
    return column.to_numpy(dtype=float, na_value=np.nan)


@_with_fonts
def plot(df, forecasts=None, ids=None, max_ids=4, ncols=2, history=None, title=None, actuals=None, unit=None):
    """History and fan charts, one panel per series.

    df: long format (unique_id, ds, y); forecasts: civicast.forecast output
    (unique_id, ds, mean, lo-L, hi-L, ...) or None, one forecast per series
    (stacked models or backtest windows are an Error naming the filter that
    picks one: fc[fc["model"] == "AutoETS"]); ids: series to draw
    (default: the first `max_ids` ids of df, in sorted order); history: draw
    only the last `history` observations; actuals: what happened over the
    forecast period (unique_id, ds, y), drawn as red points over the fan;
    unit: the y axis' unit ("meals per month"; default: the column name y).
    Titles give the model's short name (combinations list their families).
    Chinese ids and titles draw with a CJK font when one is installed (a
    warning says how to install one otherwise).  Returns a matplotlib Figure."""
    if ids is None:
        ids = sorted(pd.unique(df["unique_id"].astype(str)))[:max_ids]
    elif isinstance(ids, str):
        ids = [ids]
    ids = [str(i) for i in ids]
    if not ids:
        raise _lib.invalid("civicast.plot: no series to draw")
    _warn_if_no_cjk(ids + [title or ""])
    ncols = max(1, min(ncols, len(ids)))
    nrows = (len(ids) + ncols - 1) // ncols
    fig, axes = _figure(nrows, ncols, 5.5 * ncols, 3.2 * nrows)
    hist_ids = df["unique_id"].astype(str)
    if forecasts is not None and "mean" not in forecasts.columns:
        raise _frame.Error("CIV_ERR_MISSING_COLUMN", "civicast.plot: forecasts need the long layout (unique_id, ds, "
                           f"mean, lo-L, hi-L; these have {_frame._column_list(forecasts)}): for several models "
                           "call civicast.forecast without wide=True and pass one model's rows", field="mean")
    fc_ids = forecasts["unique_id"].astype(str) if forecasts is not None else None
    levels = _levels(forecasts) if forecasts is not None else []
    act_ids = actuals["unique_id"].astype(str) if actuals is not None else None
    for k, sid in enumerate(ids):
        ax = axes[k // ncols][k % ncols]
        h = df[hist_ids == sid]
        if not len(h) and (fc_ids is None or not (fc_ids == sid).any()):
            raise _frame.Error("CIV_ERR_NOT_FOUND", f"civicast.plot: no series '{sid}'", series_id=sid)
        if len(h):
            x = _as_datetime(h["ds"])
            order = np.argsort(x.values)
            x, y = x[order], _floats(h["y"])[order]
            if history:
                x, y = x[-history:], y[-history:]
            ax.plot(x, y, color="black", linewidth=1.0, label="history")
        if forecasts is not None:
            f = forecasts[fc_ids == sid]
            if len(f):
                _check_one_forecast(f, sid)
                xf = _as_datetime(f["ds"])
                order = np.argsort(xf.values)
                xf = xf[order]
                n = len(levels)
                for j, lab in enumerate(levels):
                    shade = 0.25 + 0.35 * (j + 1) / max(n, 1)
                    ax.fill_between(xf, _floats(f[f"lo-{lab}"])[order], _floats(f[f"hi-{lab}"])[order],
                                    color="tab:blue", alpha=shade * 0.6, linewidth=0, label=f"{lab}% interval")
                ax.plot(xf, _floats(f["mean"])[order], color="tab:blue", linewidth=1.5, label="forecast")
                model = short_model(f["model"].iloc[0]) if "model" in f.columns else ""
                ax.set_title(f"{sid}  {model}".strip(), fontsize=9)
            else:
                ax.set_title(sid, fontsize=9)
        else:
            ax.set_title(sid, fontsize=9)
        if actuals is not None:
            a = actuals[act_ids == sid]
            if len(a):
                xa = _as_datetime(a["ds"])
                order = np.argsort(xa.values)
                ax.plot(xa[order], _floats(a["y"])[order], linestyle="none", marker="o", markersize=3,
                        color="tab:red", label="actual")
        ax.tick_params(labelsize=8)
        ax.set_xlabel("date", fontsize=8)
        ax.set_ylabel(unit or "y", fontsize=8)
        ax.grid(True, alpha=0.3)
        if k == 0:
            ax.legend(fontsize=7, loc="upper left")
    for k in range(len(ids), nrows * ncols):
        axes[k // ncols][k % ncols].set_visible(False)
    if title:
        fig.suptitle(title)
    return fig


def _grouping_columns(df):
    """Columns a table can be grouped by: text (or categorical) columns other
    than the id and the explanation."""
    return [c for c in df.columns if c not in ("unique_id", "explanation") and
            (df[c].dtype == object or isinstance(df[c].dtype, pd.CategoricalDtype))]


def _with_group(alloc, by, communities):
    """alloc with the column `by`, taken from the communities (DataFrame or
    file, joined on unique_id) when the allocation lacks it."""
    if by in alloc.columns:
        return alloc
    if communities is not None:
        comm = communities if isinstance(communities, pd.DataFrame) else _frame.read(communities, kind="table")
        if by in comm.columns and "unique_id" in comm.columns and "unique_id" in alloc.columns:
            first = comm.drop_duplicates("unique_id")
            key = pd.Series(first[by].to_numpy(), index=first["unique_id"].astype(str).to_numpy())
            out = alloc.copy()
            out[by] = alloc["unique_id"].astype(str).map(key).to_numpy()
            out.attrs = dict(alloc.attrs)
            return out
    have = _grouping_columns(alloc)
    raise _frame.Error("CIV_ERR_MISSING_COLUMN",
                       f"civicast.plot_allocation: no column '{by}' to group by (the allocation has "
                       f"{', '.join(have) if have else 'no text column'}; pass communities= to take it from "
                       "the community attributes)", field=by)


@_with_fonts
def plot_allocation(result, by="district", title=None, communities=None):
    """Bars of the allocation per group and the change against last year.

    result: the (allocation, summary) tuple of civicast.allocate or the
    allocation DataFrame alone (columns by, amount_fen and optionally
    last_year_fen and change_fen -- "_minor" for currencies other than CNY;
    docs/ALLOCATION.md "Outputs").  by: any grouping column of the
    allocation ("district", "street", or whatever grouping attribute the
    allocation carries); when the allocation lacks it, communities (a
    DataFrame or file with unique_id and that column) supplies it.  Left:
    total amount per group in major units; right: change against last year
    per group, in percent (green up, red down).  Groups come in the order the
    data first names them; axes say their units.  Returns a matplotlib
    Figure.  Errors: civicast.Error CIV_ERR_MISSING_COLUMN naming the
    columns there are."""
    alloc = result[0] if isinstance(result, tuple) else result
    alloc = _with_group(alloc, by, communities)
    mi = alloc.attrs.get("unit_minor") or ("fen" if "amount_fen" in alloc.columns else "minor")
    value = f"amount_{mi}"
    if value not in alloc.columns:
        raise _frame.Error("CIV_ERR_MISSING_COLUMN", f"civicast.plot_allocation: no column '{value}'", field=value)
    g = alloc.groupby(alloc[by].astype(str), sort=False)  # the data's order, not the byte order
    amount = g[value].sum() / float(alloc.attrs.get("minor_unit", 100))
    _warn_if_no_cjk(list(amount.index) + [title or ""])
    has_change = f"last_year_{mi}" in alloc.columns and f"change_{mi}" in alloc.columns
    fig, axes = _figure(1, 2 if has_change else 1, 11 if has_change else 6, 4.2)
    ax = axes[0][0]
    currency = alloc.attrs.get("currency", "") or ("CNY" if mi == "fen" else "")
    scale, unit = (1e6, f"million {currency}".strip()) if amount.max() >= 1e6 else (1.0, currency or value)
    pos = np.arange(len(amount))
    ax.bar(pos, amount.to_numpy() / scale, color="tab:blue")
    ax.set_xticks(pos)
    ax.set_xticklabels(amount.index, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel(f"amount ({unit})")
    ax.set_xlabel(by)
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
        ax2.set_ylabel("change against last year (%)")
        ax2.set_xlabel(by)
        ax2.set_title("Change against last year")
        ax2.grid(True, axis="y", alpha=0.3)
    if title:
        fig.suptitle(title)
    return fig
