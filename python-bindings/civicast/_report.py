"""civicast.report: the plan report (report.html) from a plan's output folder,
over civ_report_write (docs/REPORT.md)."""
import os

from . import _lib


def report(outdir, lang=None, title=None, intervals=None, unit=None, currency=None, minor_unit=None):
    """Writes OUTDIR/report.html and OUTDIR/charts/<name>.vl.json from the
    tables `civicast plan` wrote into OUTDIR, as `civicast report` does; a
    folder `civicast monitor --out` wrote (no allocation) gets the monitoring
    report (docs/REPORT.md, "A monitoring folder").

    lang: "zh" (the default) or "en"; title: the page title (default: "the
    plan report" in the language); intervals: "model" or "conformal", how
    the plan's intervals were made (default: as the folder's manifest.json
    records it; "conformal" says so on the page); unit: the unit of the
    forecast series ("人次", "visits") on the demand axes (default: the
    plan's [forecast] unit as manifest.json records it, else none is named);
    currency: the money's ISO code ("USD") for a folder without manifest.json
    whose amounts are not CNY's (amount_minor, amount_major: refused without
    it), minor_unit: its minor units per major unit (1, 10, 100, 1000;
    default: amount_minor / amount_major in allocation.csv).
    Returns the report's path.  Raises
    civicast.Error (CIV_ERR_IO naming a missing table, or what a report needs for
    a folder with neither an allocation nor a monitoring's tables, CIV_ERR_MISSING_COLUMN,
    CIV_ERR_INVALID_ARGUMENT for another language, ...)."""
    if lang is not None and lang not in ("zh", "en"):
        raise _lib.invalid(f"civicast.report: lang must be 'zh' or 'en', not {lang!r}", "lang")
    if intervals not in (None, "model", "conformal"):
        raise _lib.invalid(f"civicast.report: intervals must be None, 'model' or 'conformal', not {intervals!r}",
                           "intervals")
    if minor_unit is not None and (minor_unit not in (1, 10, 100, 1000) or isinstance(minor_unit, bool)):
        raise _lib.invalid(f"civicast.report: minor_unit is 1, 10, 100 or 1000, not {minor_unit!r}")
    if minor_unit is not None and currency is None:
        raise _lib.invalid("civicast.report: minor_unit goes with currency=")
    outdir = os.fspath(outdir)
    opt = _lib.civ_report_options(_lib.encode(lang) if lang else None, _lib.encode(title) if title else None,
                                  _lib.INTERVALS[intervals], None, _lib.encode(unit) if unit else None,
                                  _lib.encode(currency) if currency else None, int(minor_unit or 0))
    _lib.check(_lib.lib.civ_report_write(_lib.encode(outdir), opt))
    return os.path.join(outdir, "report.html")
