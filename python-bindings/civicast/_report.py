"""civicast.report: the plan report (report.html) from a plan's output folder,
over civ_report_write (docs/REPORT.md)."""
import os

from . import _lib


def report(outdir, lang=None, title=None, intervals=None, unit=None):
    """Writes OUTDIR/report.html and OUTDIR/charts/<name>.vl.json from the
    tables `civicast plan` wrote into OUTDIR, as `civicast report` does.

    lang: "zh" (the default) or "en"; title: the page title (default: "the
    plan report" in the language); intervals: "model" or "conformal", how
    the plan's intervals were made (default: as the folder's manifest.json
    records it; "conformal" says so on the page); unit: the unit of the
    forecast series ("人次", "visits") on the demand axes (default: the
    plan's [forecast] unit as manifest.json records it, else none is named).
    Returns the report's path.  Raises
    civicast.Error (CIV_ERR_IO naming a missing table, CIV_ERR_MISSING_COLUMN,
    CIV_ERR_INVALID_ARGUMENT for another language, ...)."""
    if lang is not None and lang not in ("zh", "en"):
        raise ValueError(f"civicast.report: lang must be 'zh' or 'en', not {lang!r}")
    if intervals not in (None, "model", "conformal"):
        raise ValueError(f"civicast.report: intervals must be None, 'model' or 'conformal', not {intervals!r}")
    outdir = os.fspath(outdir)
    opt = _lib.civ_report_options(_lib.encode(lang) if lang else None, _lib.encode(title) if title else None,
                                  _lib.INTERVALS[intervals], None, _lib.encode(unit) if unit else None)
    _lib.check(_lib.lib.civ_report_write(_lib.encode(outdir), opt))
    return os.path.join(outdir, "report.html")
