"""civicast: forecast demand for community services and allocate funds by
weighted factors, from pandas (and Dask), over the civicast C library.

    import civicast
    df = civicast.read("datasets/demo_city/meals.csv")      # unique_id, ds, y, ...
    fc = civicast.forecast(df, h=12, model="auto")           # unique_id, ds, h, model, mean, lo-80, ...
    cv, acc = civicast.backtest(df, model=["ets", "theta"], h=12, windows=3, accuracy=True)
    alloc, summary = civicast.allocate("communities.csv", "allocation.spec", forecasts=fc)
    table, waterfall = civicast.compare("communities.csv", ["a.spec", "b.spec"])
    mc = civicast.uncertainty("communities.csv", "plan.spec", forecasts=fc, draws=1000)
    per_community, per_year = civicast.need("plan.spec", fc)
    civicast.plot(df, fc, ids=["D01-S01-C001"])
    status, alerts = civicast.monitor("indicators.toml", "monitoring.csv")  # docs/MONITORING.md
    tables = civicast.plan("datasets/demo_city/plan.toml")   # the whole job, as `civicast plan`
    civicast.report("build/demo", lang="zh")                  # report.html from a plan's output folder

The shared library is located and version-checked at import (see
civicast._lib); C errors are raised as civicast.Error.  docs/PYTHON.md
documents the whole package.
"""
from ._lib import InvalidArgument, WrongType  # noqa: F401 (bad arguments, refused before any call)
from ._lib import EXPECTED_VERSION, LIBRARY_VERSION, Error  # noqa: F401 (EXPECTED_VERSION: the C API major.minor)
from ._lib import path as library_path
from .frame import (DateSpec, ForecastWarning, allocate, allocate_to_file, classify_demand, forecast, forecast_to_files,
                    models_report,
                    read, write, write_workbook)
from .budget import compare, need, project, settle, uncertainty, write_allocation_workbook
from .monitor import (demand_check, early_warning, inactivity_alerts, monitor, risk_matrix, unit_names, value_text,
                      write_monitor_workbook)
from ._plan import model_families, plan, read_plan, restore_error
from ._report import report
from ._info import info
from ._backtest import backtest
from .hier import Hierarchy, reconcile
from ._join import join_predecessors

from ._version import __version__  # noqa: E402 (engine/include/civicast.h, the one place)

if __version__ is None:  # a package copied without its version record
    __version__ = LIBRARY_VERSION
__all__ = ["Error", "InvalidArgument", "WrongType", "ForecastWarning", "DateSpec", "info", "forecast",
           "forecast_to_files", "backtest", "models_report",
           "classify_demand", "read", "write_workbook",
           "write", "allocate", "allocate_to_file", "compare", "uncertainty", "need", "settle", "project", "monitor",
           "write_allocation_workbook",
           "early_warning", "demand_check", "risk_matrix", "write_monitor_workbook", "value_text", "unit_names",
           "inactivity_alerts", "plot", "plot_allocation", "read_plan", "plan", "model_families", "restore_error",
           "report", "Hierarchy", "reconcile", "join_predecessors",
           "library_version", "library_path", "set_csv_formula_guard", "EXPECTED_VERSION", "__version__"]


def set_csv_formula_guard(enabled):
    """Turn the spreadsheet formula guard of the CSV writers on (the default)
    or off (civ_csv_set_formula_guard).

    With the guard on, a text field that starts with ``=``, ``+``, ``-``,
    ``@``, a tab or a carriage return (and is not a plain number) is written
    as ``"'=..."`` so a spreadsheet shows it as text instead of running it as
    a formula.  Turn it off (``False``) when the file is for programs that
    need the exact text back.  Process-wide."""
    from . import _lib as _l
    if not isinstance(enabled, bool):
        raise _l.invalid(f"civicast.set_csv_formula_guard: enabled must be True or False, not "
                         f"{type(enabled).__name__}", "enabled", kind=TypeError)
    _l.check(_l.lib.civ_csv_set_formula_guard(int(enabled)))


def library_version():
    """Version string of the loaded libcivicast (civ_version())."""
    return LIBRARY_VERSION


# The submodule civicast.plot (plot.py) and the function civicast.plot share a
# name: import the module first (which binds civicast.plot to it), then bind
# the functions.  matplotlib itself is imported only when a plot is drawn.
import importlib as _importlib

_plot_module = _importlib.import_module(".plot", __name__)
plot = _plot_module.plot
plot_allocation = _plot_module.plot_allocation
