"""Loading libcivicast with ctypes, the C declarations, and error translation.

This is the only module that touches ctypes.  It follows the pattern of the
LightGBM and XGBoost Python packages (``lib_path.py`` / ``basic.py``):

* the shared library is found in this order: the ``CIV_LIBRARY`` environment
  variable (a file path), a ``libcivicast.so*`` next to the package (wheels
  and ``pip install`` copies), the library ``pip install`` found and recorded
  in ``civicast/_install.py`` (setup.py: through pkg-config or the
  interpreter's prefix), the ``lib`` folders of ``sys.prefix`` (a virtual
  environment the C library was installed into), the CMake build tree of the
  source checkout (``build/release``, then ``build/dev``), the system loader
  (``ctypes.util.find_library("civicast")``), and finally pkg-config's
  ``civicast.pc``;
* every C function the package calls has ``argtypes`` and ``restype``
  declared below, so a wrong argument is a Python ``ctypes.ArgumentError``
  instead of a crash;
* the library's runtime version (``civ_version_number()``) is checked at
  import against the major.minor this package was written for; a mismatch
  raises ImportError naming both versions and the file that was loaded;
* a non-zero ``civ_status`` becomes :class:`Error`, filled from the
  thread-local ``civ_last_error()`` of the thread that made the call, its
  message in a Python user's words (python_words: id_col= where the library
  names the command's --id-col).

The structs below mirror civicast.h field for field; tests/python/
test_bindings.py compiles a small C program to check sizes and offsets.

ctypes releases the GIL around every call through a ``CDLL`` (``PyDLL``
would not), so forecasts run by several Python threads overlap in time.
"""
import ctypes
import ctypes.util
import glob
import os
import re
import signal
import sys
import threading

from ._version import __version__ as _PACKAGE_VERSION

# The C API version this package was written against: major.minor of the
# package's own version, which comes from civicast.h (see _version.py).
# Patch releases are compatible.  None for a package copied without its
# version record: then the loaded library's version is taken (at the check).
EXPECTED_VERSION = tuple(int(x) for x in _PACKAGE_VERSION.split(".")[:2]) if _PACKAGE_VERSION else None

_PKG_DIR = os.path.dirname(os.path.abspath(__file__))
# python-bindings/civicast -> the source checkout's root
_SOURCE_ROOT = os.path.dirname(os.path.dirname(_PKG_DIR))


def _recorded_library():
    """The library setup.py found at install time (None in a source tree)."""
    try:
        from . import _install
    except ImportError:
        return None
    return getattr(_install, "LIBRARY", None)


def _prefix_libraries(prefix):
    paths = []
    for d in ("lib", "lib64", os.path.join("lib", "*-linux-gnu")):
        for name in ("libcivicast.so", "libcivicast.so.*"):
            paths += sorted(glob.glob(os.path.join(prefix, d, name)))
    return paths[:1]


def _pkg_config_library():
    import subprocess
    try:
        done = subprocess.run(["pkg-config", "--variable=libdir", "civicast"], capture_output=True, text=True,
                              timeout=30)
    except (OSError, subprocess.SubprocessError):
        return []
    libdir = done.stdout.strip()
    if done.returncode or not libdir:
        return []
    libdir = os.path.normpath(libdir)
    return (sorted(glob.glob(os.path.join(libdir, "libcivicast.so"))) +
            sorted(glob.glob(os.path.join(libdir, "libcivicast.so.*"))))[:1]


def candidate_paths(pkg_config=False):
    """The places searched for the shared library, in order (for messages);
    pkg-config (a subprocess) only when asked."""
    paths = []
    env = os.environ.get("CIV_LIBRARY")
    if env:
        paths.append(env)
    paths += sorted(glob.glob(os.path.join(_PKG_DIR, "libcivicast.so*")))
    recorded = _recorded_library()
    if recorded:
        paths.append(recorded)
    paths += _prefix_libraries(sys.prefix)
    for sub in ("release", "dev"):
        paths += sorted(glob.glob(os.path.join(_SOURCE_ROOT, "build", sub, "libcivicast.so")))
    if pkg_config:
        paths += _pkg_config_library()
    return paths


def _load():
    env = os.environ.get("CIV_LIBRARY")
    if env and not os.path.exists(env):
        raise ImportError(f"civicast: CIV_LIBRARY={env!r} does not exist")
    tried = []
    for path in candidate_paths():
        if not os.path.exists(path):
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as e:  # e.g. a build for another architecture
            tried.append(f"{path}: {e}")
            if path == env:
                raise ImportError(f"civicast: cannot load CIV_LIBRARY={env!r}: {e}") from e
    name = ctypes.util.find_library("civicast")
    if name:
        try:
            return ctypes.CDLL(name), name
        except OSError as e:
            tried.append(f"{name}: {e}")
    for path in _pkg_config_library():
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append(f"{path}: {e}")
    recorded = _recorded_library()
    if recorded and not os.path.exists(recorded):
        tried.append(f"{recorded} (recorded at pip install; it is gone: reinstall the C library or the package)")
    raise ImportError(
        "civicast: cannot find libcivicast.so; install it (cmake --install) and reinstall this package, "
        "or set CIV_LIBRARY to its path (docs/PYTHON.md). "
        "Tried: " + ("; ".join(tried) if tried else ", ".join(candidate_paths(True)) or "(no candidates)"))


# ---- C types -----------------------------------------------------------------

c_status = ctypes.c_int
c_size_p = ctypes.POINTER(ctypes.c_size_t)
c_double_p = ctypes.POINTER(ctypes.c_double)
c_int64_p = ctypes.POINTER(ctypes.c_int64)


class civ_error(ctypes.Structure):
    _fields_ = [("status", ctypes.c_int),
                ("message", ctypes.c_char * 512),
                ("file", ctypes.c_char * 512),
                ("line", ctypes.c_long),
                ("column", ctypes.c_long),
                ("series_id", ctypes.c_char * 256),
                ("field", ctypes.c_char * 128),
                ("text", ctypes.c_char * 1536)]


class civ_table_read_options(ctypes.Structure):
    _fields_ = [("text_columns", ctypes.POINTER(ctypes.c_char_p)), ("encoding", ctypes.c_char_p),
                ("id_column", ctypes.c_char_p), ("thousands", ctypes.c_char_p), ("percent", ctypes.c_int),
                ("sheet", ctypes.c_char_p), ("skip_rows", ctypes.c_int)]


class civ_freq_spec(ctypes.Structure):
    _fields_ = [("freq", ctypes.c_int), ("anchor", ctypes.c_int), ("weekday", ctypes.c_int)]


class civ_date_style(ctypes.Structure):
    _fields_ = [("anchor", ctypes.c_int), ("time_sep", ctypes.c_char)]


class civ_panel_read_options(ctypes.Structure):
    _fields_ = [("freq", civ_freq_spec), ("encoding", ctypes.c_char_p), ("id_column", ctypes.c_char_p),
                ("time_column", ctypes.c_char_p), ("target_column", ctypes.c_char_p), ("wide", ctypes.c_int),
                ("thousands", ctypes.c_char_p), ("percent", ctypes.c_int), ("sheet", ctypes.c_char_p),
                ("skip_rows", ctypes.c_int)]


class civ_monitor_workbook_tables(ctypes.Structure):
    _fields_ = [("alerts", ctypes.c_void_p), ("status", ctypes.c_void_p), ("warning", ctypes.c_void_p),
                ("warning_steps", ctypes.c_void_p), ("risks", ctypes.c_void_p), ("risk_matrix", ctypes.c_void_p),
                ("inactivity", ctypes.c_void_p), ("demand", ctypes.c_void_p), ("period", ctypes.c_char_p)]


class civ_alloc_workbook_tables(ctypes.Structure):
    _fields_ = [("allocation", ctypes.c_void_p), ("summary", ctypes.c_void_p), ("rules", ctypes.c_void_p),
                ("need", ctypes.c_void_p), ("need_summary", ctypes.c_void_p), ("uncertainty", ctypes.c_void_p)]


class civ_report_options(ctypes.Structure):
    _fields_ = [("lang", ctypes.c_char_p), ("title", ctypes.c_char_p), ("intervals", ctypes.c_int),
                ("spec", ctypes.c_void_p), ("unit", ctypes.c_char_p), ("currency", ctypes.c_char_p),
                ("minor_unit", ctypes.c_long)]


class civ_panel_summary(ctypes.Structure):
    _fields_ = [("n_series", ctypes.c_size_t),
                ("n_values", ctypes.c_size_t),
                ("n_missing", ctypes.c_size_t),
                ("min_length", ctypes.c_size_t),
                ("max_length", ctypes.c_size_t),
                ("first_period", ctypes.c_int64),
                ("last_period", ctypes.c_int64),
                ("n_covariates", ctypes.c_size_t),
                ("n_future", ctypes.c_size_t),
                ("n_attributes", ctypes.c_size_t),
                ("n_attribute_rows", ctypes.c_size_t)]


# Progress callbacks return 0 to go on, nonzero to stop the call (stoppable()).
civ_progress_fn = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_size_t, ctypes.c_size_t, ctypes.c_void_p)


class civ_forecast_options(ctypes.Structure):
    _fields_ = [("model", ctypes.c_char_p),
                ("horizon", ctypes.c_size_t),
                ("levels", c_double_p),
                ("n_levels", ctypes.c_size_t),
                ("threads", ctypes.c_int),
                ("seed", ctypes.c_uint64),
                ("criterion", ctypes.c_int),
                ("n_paths", ctypes.c_size_t),
                ("nonnegative", ctypes.c_int),
                ("want_fitted", ctypes.c_int),
                ("xreg", ctypes.POINTER(ctypes.c_char_p)),
                ("n_xreg", ctypes.c_size_t),
                ("progress", civ_progress_fn),
                ("progress_user", ctypes.c_void_p),
                ("intervals", ctypes.c_int),
                ("conformal_windows", ctypes.c_size_t),
                ("integer_bounds", ctypes.c_int),
                ("conformal_step", ctypes.c_size_t),
                ("conformal_sample", ctypes.c_size_t),
                ("conformal_refit", ctypes.c_int)]


class civ_backtest_failure_counts(ctypes.Structure):
    _fields_ = [("total", ctypes.c_size_t), ("failed", ctypes.c_size_t), ("no_data", ctypes.c_size_t),
                ("too_short", ctypes.c_size_t), ("other", ctypes.c_size_t), ("min_values", ctypes.c_size_t),
                ("max_values", ctypes.c_size_t)]


class civ_backtest_options(ctypes.Structure):
    _fields_ = [("forecast", civ_forecast_options),
                ("models", ctypes.POINTER(ctypes.c_char_p)),
                ("n_models", ctypes.c_size_t),
                ("windows", ctypes.c_size_t),
                ("step", ctypes.c_size_t)]


class civ_forecast_outputs(ctypes.Structure):
    _fields_ = [("forecasts", ctypes.c_char_p),
                ("report", ctypes.c_char_p),
                ("fitted", ctypes.c_char_p),
                ("csv", ctypes.c_void_p),
                ("chunk_series", ctypes.c_size_t)]


class civ_forecast_write_stats(ctypes.Structure):
    _fields_ = [("n_series", ctypes.c_size_t),
                ("n_failed", ctypes.c_size_t),
                ("seconds", ctypes.c_double),
                ("n_models", ctypes.c_size_t),
                ("n_models_listed", ctypes.c_size_t),
                ("models", (ctypes.c_char * 128) * 8),
                ("model_counts", ctypes.c_size_t * 8),
                ("other_count", ctypes.c_size_t),
                ("n_failures", ctypes.c_size_t),
                ("failed_ids", (ctypes.c_char * 256) * 5),
                ("failed_messages", (ctypes.c_char * 512) * 5),
                ("demand_counts", ctypes.c_size_t * 6),
                ("n_uncalibrated", ctypes.c_size_t)]


class civ_hier_options(ctypes.Structure):
    _fields_ = [("forecast", civ_forecast_options),
                ("method", ctypes.c_int),
                ("nonnegative", ctypes.c_int),
                ("n_paths", ctypes.c_size_t)]


class civ_hier_backtest_options(ctypes.Structure):
    _fields_ = [("hier", civ_hier_options),
                ("methods", ctypes.POINTER(ctypes.c_char_p)),
                ("n_methods", ctypes.c_size_t),
                ("windows", ctypes.c_size_t),
                ("step", ctypes.c_size_t)]


class civ_monitor_inactivity_options(ctypes.Structure):
    _fields_ = [("quantile", ctypes.c_double), ("min_gap_hours", ctypes.c_double),
                ("prior_weight", ctypes.c_double), ("memory", ctypes.c_double),
                ("utc_offset_hours", ctypes.c_double), ("naive_local", ctypes.c_int)]


class civ_alloc_stats(ctypes.Structure):
    _fields_ = [("total", ctypes.c_int64), ("reserved", ctypes.c_int64), ("allocated", ctypes.c_int64),
                ("n_communities", ctypes.c_size_t), ("n_funded", ctypes.c_size_t),
                ("n_floor", ctypes.c_size_t), ("n_cap", ctypes.c_size_t),
                ("n_hold_harmless", ctypes.c_size_t), ("n_pace", ctypes.c_size_t),
                ("n_ratable", ctypes.c_size_t),
                ("per_capita_mean", ctypes.c_double), ("per_aged_mean", ctypes.c_double),
                ("gini_before", ctypes.c_double), ("gini_after", ctypes.c_double),
                ("theil_before", ctypes.c_double), ("theil_after", ctypes.c_double),
                ("cv_before", ctypes.c_double), ("cv_after", ctypes.c_double)]


class civ_alloc_demand_window(ctypes.Structure):
    _fields_ = [("period_by_date", ctypes.c_int), ("fiscal_year", ctypes.c_long), ("periods", ctypes.c_size_t),
                ("first", ctypes.c_char * 32), ("last", ctypes.c_char * 32),
                ("h_first", ctypes.c_long), ("h_last", ctypes.c_long)]


class civ_csv_write_options(ctypes.Structure):
    _fields_ = [("bom", ctypes.c_int),
                ("significant_digits", ctypes.c_int),
                ("min_decimals", ctypes.c_int)]


class civ_workbook_options(ctypes.Structure):
    _fields_ = [("created", ctypes.c_int64)]


class civ_alloc_uncertainty_options(ctypes.Structure):
    _fields_ = [("n_draws", ctypes.c_size_t),
                ("seed", ctypes.c_uint64),
                ("threads", ctypes.c_int),
                ("perturb_forecasts", ctypes.c_int),
                ("weight_concentration", ctypes.c_double)]


civ_plan_progress_fn = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_size_t,
                                        ctypes.c_void_p)


class civ_plan_run_options(ctypes.Structure):
    _fields_ = [("panel", ctypes.c_void_p),
                ("communities", ctypes.c_void_p),
                ("progress", civ_plan_progress_fn),
                ("progress_user", ctypes.c_void_p)]


class civ_plan_stats(ctypes.Structure):
    _fields_ = [("n_series", ctypes.c_size_t), ("n_failed", ctypes.c_size_t), ("horizon", ctypes.c_size_t),
                ("forecast_seconds", ctypes.c_double),
                ("alloc", civ_alloc_stats), ("alloc_seconds", ctypes.c_double),
                ("n_draws", ctypes.c_size_t), ("uncertainty_seed", ctypes.c_uint64),
                ("perturb_forecasts", ctypes.c_int), ("weight_concentration", ctypes.c_double),
                ("uncertainty_threads", ctypes.c_int), ("uncertainty_seconds", ctypes.c_double),
                ("has_need", ctypes.c_int), ("need_minor_unit", ctypes.c_int64),
                ("need_seconds", ctypes.c_double),
                ("has_monitor", ctypes.c_int), ("warn_horizon", ctypes.c_size_t), ("warn_failed", ctypes.c_size_t),
                ("warn_threshold", ctypes.c_double), ("monitor_seconds", ctypes.c_double),
                ("has_backtest", ctypes.c_int), ("backtest_models", ctypes.c_size_t),
                ("backtest_windows", ctypes.c_size_t), ("backtest_step", ctypes.c_size_t),
                ("backtest_horizon", ctypes.c_size_t), ("backtest_failed", ctypes.c_size_t),
                ("backtest_seconds", ctypes.c_double), ("n_uncalibrated", ctypes.c_size_t),
                ("n_late", ctypes.c_size_t), ("late_periods", ctypes.c_size_t),
                ("n_no_series", ctypes.c_size_t), ("n_joined", ctypes.c_size_t),
                ("n_not_joined", ctypes.c_size_t), ("n_predecessor_series", ctypes.c_size_t),
                ("n_joined_by_share", ctypes.c_size_t), ("n_join_gaps", ctypes.c_size_t),
                ("n_join_gap_periods", ctypes.c_size_t), ("backtest_no_data", ctypes.c_size_t),
                ("backtest_too_short", ctypes.c_size_t), ("backtest_short_min", ctypes.c_size_t),
                ("backtest_short_max", ctypes.c_size_t), ("n_no_forecast", ctypes.c_size_t),
                ("monitor_period", ctypes.c_char * 32), ("totals_method", ctypes.c_char * 8),
                ("totals_note", ctypes.c_char * 512), ("totals_uncalibrated", ctypes.c_size_t),
                ("totals_seconds", ctypes.c_double)]


# The tables of civ_plan_run (civ_plan_table), in the order they are written.
PLAN_TABLES = ("forecasts", "forecast_report", "uncertainty", "allocation", "allocation_summary", "need",
               "need_summary", "monitor_status", "monitor_alerts", "warning", "warning_steps", "risks",
               "risk_matrix", "inactivity", "demand", "allocation_waterfall", "allocation_stages",
               "history", "backtest", "backtest_accuracy", "joins", "forecast_totals", "backtest_failures")


# Frequencies (civ_frequency) and date forms (civ_date_form).
FREQ_UNKNOWN, FREQ_YEARLY, FREQ_QUARTERLY, FREQ_MONTHLY, FREQ_WEEKLY, FREQ_DAILY = range(6)
DATE_YEAR, DATE_QUARTER, DATE_MONTH, DATE_DAY = 1, 2, 3, 4
ANCHOR_PERIOD, ANCHOR_START, ANCHOR_END = 0, 1, 2
COLUMN_NUMBER, COLUMN_TEXT = 1, 2
CRITERIA = {"aicc": 0, "aic": 1, "bic": 2}
INTERVALS = {None: 0, "model": 1, "conformal": 2}  # CIV_INTERVALS_*
CONFORMAL_REFIT = {None: 0, "search": 1, "fixed": 2}  # CIV_CONFORMAL_REFIT_*
SIZE_MAX = ctypes.c_size_t(-1).value  # conformal_sample "all"

P = ctypes.c_void_p  # opaque object pointers (civ_table *, civ_panel *, ...)
_S, _I, _D, _U64, _I64, _CP = (ctypes.c_size_t, ctypes.c_int, ctypes.c_double, ctypes.c_uint64,
                               ctypes.c_int64, ctypes.c_char_p)
PP = ctypes.POINTER(P)
CPP = ctypes.POINTER(ctypes.c_char_p)

# name: (restype, [argtypes]).  Every function the package calls is here.
_SIGNATURES = {
    "civ_version_number": (ctypes.c_uint, []),
    "civ_version": (_CP, []),
    "civ_strerror": (_CP, [c_status]),
    "civ_status_name": (_CP, [c_status]),
    "civ_last_error": (ctypes.POINTER(civ_error), []),
    "civ_clear_error": (None, []),
    "civ_frequency_season_length": (_I, [_I]),
    "civ_frequency_name": (_CP, [_I]),
    "civ_date_parse": (c_status, [_CP, _S, ctypes.POINTER(_I), c_int64_p]),
    "civ_date_time_separator": (ctypes.c_char, [_CP, _S]),
    "civ_total_row_find": (c_status, [CPP, _S, c_size_p]),
    "civ_period_format": (c_status, [_I, _I, _I64, ctypes.c_char_p, _S]),
    "civ_period_format_style": (c_status, [_I, _I, ctypes.POINTER(civ_date_style), _I64, ctypes.c_char_p, _S]),
    "civ_freq_parse": (c_status, [_CP, ctypes.POINTER(civ_freq_spec)]),
    "civ_dates_infer": (c_status, [c_int64_p, c_size_p, _S, _S, CPP, ctypes.POINTER(civ_freq_spec),
                                   ctypes.POINTER(_I), ctypes.POINTER(_I), ctypes.POINTER(_I)]),
    # tables
    "civ_table_create": (c_status, [PP]),
    "civ_table_free": (None, [P]),
    "civ_table_set_source": (c_status, [P, _CP, _I]),
    "civ_table_source": (_CP, [P, ctypes.POINTER(_I)]),
    "civ_table_row_line": (ctypes.c_long, [P, _S]),
    "civ_table_add_column": (c_status, [P, _CP, _I, c_size_p]),
    "civ_table_add_rows": (c_status, [P, _S, c_size_p]),
    "civ_table_n_rows": (_S, [P]),
    "civ_table_n_columns": (_S, [P]),
    "civ_table_column_name": (_CP, [P, _S]),
    "civ_table_column_type": (_I, [P, _S]),
    "civ_table_set_number": (c_status, [P, _S, _S, _D]),
    "civ_table_set_text": (c_status, [P, _S, _S, _CP]),
    "civ_table_whole_float_ids": (None, [P, _S]),
    "civ_table_read_numbers": (c_status, [P, _S, _CP, _I, ctypes.POINTER(_I)]),
    "civ_csv_parse_cells": (c_status, [CPP, _S, _CP, _I, c_double_p, c_size_p]),
    "civ_table_text": (_CP, [P, _S, _S]),
    "civ_table_numbers": (c_double_p, [P, _S]),
    "civ_table_read": (c_status, [_CP, ctypes.POINTER(civ_table_read_options), PP]),
    "civ_table_write": (c_status, [P, _CP]),
    "civ_table_write_opts": (c_status, [P, _CP, ctypes.POINTER(civ_csv_write_options)]),
    "civ_csv_set_formula_guard": (c_status, [_I]),
    "civ_workbook_write": (c_status, [_CP, _S, ctypes.POINTER(P), ctypes.POINTER(_CP),
                                      ctypes.POINTER(civ_workbook_options)]),
    # panels
    "civ_panel_create": (c_status, [_I, PP]),
    "civ_panel_free": (None, [P]),
    "civ_panel_frequency": (_I, [P]),
    "civ_panel_phase": (_I, [P]),
    "civ_panel_set_phase": (c_status, [P, _I]),
    "civ_panel_add_series": (c_status, [P, _CP, _I64, P, _S, c_size_p]),
    "civ_panel_n_series": (_S, [P]),
    "civ_panel_series_id": (_CP, [P, _S]),
    "civ_panel_series": (c_status, [P, _S, ctypes.POINTER(c_double_p), c_size_p, c_int64_p]),
    "civ_panel_values": (c_status, [P, ctypes.POINTER(c_double_p), ctypes.POINTER(c_size_p)]),
    "civ_panel_add_covariate": (c_status, [P, _CP, c_size_p]),
    "civ_panel_n_covariates": (_S, [P]),
    "civ_panel_covariate_name": (_CP, [P, _S]),
    "civ_panel_set_covariate": (c_status, [P, _S, _S, P, _S]),
    "civ_panel_covariate": (c_status, [P, _S, _S, ctypes.POINTER(c_double_p), c_size_p]),
    "civ_panel_set_attributes": (c_status, [P, P]),
    "civ_panel_attributes": (P, [P]),
    "civ_panel_summarize": (c_status, [P, ctypes.POINTER(civ_panel_summary)]),
    "civ_panel_join_predecessors": (c_status, [P, P, _CP, _CP, PP, PP]),
    "civ_panel_join_predecessors_shares": (c_status, [P, P, _CP, _CP, _CP, PP, PP]),
    "civ_panel_read": (c_status, [_CP, PP]),
    "civ_panel_read_ex": (c_status, [_CP, ctypes.POINTER(civ_panel_read_options), PP]),
    "civ_panel_date_style": (civ_date_style, [P]),
    "civ_panel_set_date_style": (c_status, [P, civ_date_style]),
    "civ_panel_write": (c_status, [P, _CP]),
    "civ_panel_write_opts": (c_status, [P, _CP, ctypes.POINTER(civ_csv_write_options)]),
    # forecasting
    "civ_forecast_options_init": (c_status, [ctypes.POINTER(civ_forecast_options)]),
    "civ_forecast_panel": (c_status, [P, ctypes.POINTER(civ_forecast_options), PP]),
    "civ_forecast_panel_write": (c_status, [P, ctypes.POINTER(civ_forecast_options),
                                            ctypes.POINTER(civ_forecast_outputs),
                                            ctypes.POINTER(civ_forecast_write_stats)]),
    "civ_forecast_result_free": (None, [P]),
    "civ_forecast_result_n_series": (_S, [P]),
    "civ_forecast_result_horizon": (_S, [P]),
    "civ_forecast_result_n_levels": (_S, [P]),
    "civ_forecast_result_levels": (c_double_p, [P]),
    "civ_forecast_result_n_failed": (_S, [P]),
    "civ_forecast_result_n_uncalibrated": (_S, [P]),
    "civ_backtest_result_n_uncalibrated": (_S, [P]),
    "civ_forecast_result_status": (c_status, [P, _S]),
    "civ_forecast_result_message": (_CP, [P, _S]),
    "civ_forecast_result_model": (_CP, [P, _S]),
    "civ_forecast_result_mean": (c_double_p, [P]),
    "civ_forecast_result_lower": (c_double_p, [P, _S]),
    "civ_forecast_result_upper": (c_double_p, [P, _S]),
    "civ_forecast_result_seconds": (_D, [P]),
    "civ_forecast_result_table": (c_status, [P, P, PP]),
    "civ_forecast_report_table": (c_status, [P, P, PP]),
    "civ_forecast_fitted_table": (c_status, [P, P, PP]),
    "civ_forecast_result_demand": (c_status, [P, _S, c_double_p, c_double_p, ctypes.POINTER(_I)]),
    "civ_demand_classify": (c_status, [c_double_p, _S, c_double_p, c_double_p, ctypes.POINTER(_I)]),
    "civ_demand_class_name": (_CP, [_I]),
    "civ_model_display_name": (c_status, [_CP, ctypes.c_char_p, _S]),
    "civ_forecast_multi_table": (c_status, [ctypes.POINTER(P), ctypes.POINTER(ctypes.c_char_p), _S, P, ctypes.c_int,
                                             PP]),
    "civ_backtest_options_init": (c_status, [ctypes.POINTER(civ_backtest_options)]),
    "civ_backtest_panel": (c_status, [P, ctypes.POINTER(civ_backtest_options), PP]),
    "civ_backtest_result_free": (None, [P]),
    "civ_backtest_result_n_failed": (_S, [P]),
    "civ_backtest_result_seconds": (_D, [P]),
    "civ_backtest_result_table": (c_status, [P, P, PP]),
    "civ_backtest_failures_table": (c_status, [P, P, PP]),
    "civ_backtest_result_failure_counts": (c_status, [P, P, ctypes.POINTER(civ_backtest_failure_counts)]),
    "civ_backtest_accuracy_table": (c_status, [P, P, ctypes.c_int, PP]),
    # civicast.dask.backtest of a hierarchy fills one result from its tasks' windows
    "civ_backtest_result_create": (c_status, [ctypes.POINTER(ctypes.c_char_p), _S, _S, _S, _S, _S, c_double_p, _S,
                                              PP]),
    "civ_backtest_result_set": (c_status, [P, _S, _S, _S, c_status, ctypes.c_char_p, P, P, P]),
    "civ_backtest_result_add_uncalibrated": (c_status, [P, _S]),
    # hierarchies
    "civ_reconcile_method_parse": (c_status, [_CP, ctypes.POINTER(ctypes.c_int)]),
    "civ_hier_build": (c_status, [P, P, ctypes.POINTER(_CP), _S, ctypes.POINTER(_CP), _S, PP]),
    "civ_hier_free": (None, [P]),
    "civ_hier_n_nodes": (_S, [P]),
    "civ_hier_n_bottom": (_S, [P]),
    "civ_hier_node_id": (_CP, [P, _S]),
    "civ_hier_node_level": (_CP, [P, _S]),
    "civ_hier_listed_node": (_S, [P, _S]),
    "civ_hier_summing_table": (c_status, [P, PP]),
    "civ_hier_aggregate": (c_status, [P, P, PP]),
    "civ_hier_gaps": (c_status, [P, P, PP]),
    "civ_hier_reconcile": (c_status, [P, _I, P, _S, P, _S, _I, P, c_double_p]),
    "civ_hier_options_init": (c_status, [ctypes.POINTER(civ_hier_options)]),
    "civ_hier_forecast": (c_status, [P, P, ctypes.POINTER(civ_hier_options), PP]),
    "civ_hier_result_free": (None, [P]),
    "civ_hier_result_lambda": (_D, [P]),
    "civ_hier_result_n_uncalibrated": (_S, [P]),
    "civ_hier_result_table": (c_status, [P, P, PP]),
    "civ_hier_reconcile_bands": (c_status, [P, ctypes.POINTER(civ_hier_options), P, P, P, _S, P, _S, PP]),
    "civ_hier_result_horizon": (_S, [P]),
    "civ_hier_result_n_levels": (_S, [P]),
    "civ_hier_result_mean": (c_double_p, [P]),
    "civ_hier_result_lower": (c_double_p, [P, _S]),
    "civ_hier_result_upper": (c_double_p, [P, _S]),
    "civ_hier_backtest_options_init": (c_status, [ctypes.POINTER(civ_hier_backtest_options)]),
    "civ_hier_backtest": (c_status, [P, P, ctypes.POINTER(civ_hier_backtest_options), PP]),
    "civ_hier_backtest_table": (c_status, [P, P, P, PP]),
    "civ_hier_backtest_accuracy_table": (c_status, [P, P, P, PP]),
    "civ_hier_backtest_node_accuracy_table": (c_status, [P, P, P, PP]),
    # allocation
    "civ_alloc_spec_read": (c_status, [_CP, PP]),
    "civ_alloc_spec_parse": (c_status, [_CP, _S, _CP, PP]),
    "civ_alloc_spec_free": (None, [P]),
    "civ_alloc_spec_total": (_I64, [P]),
    "civ_alloc_spec_minor_unit": (_I64, [P]),
    "civ_alloc_spec_text_columns": (ctypes.POINTER(ctypes.c_char_p), [P]),
    "civ_alloc_spec_id_column": (_CP, [P]),
    "civ_alloc_spec_last_year_file": (_CP, [P]),
    "civ_alloc_spec_set_last_year": (c_status, [P, P]),
    "civ_alloc_spec_read_last_year": (c_status, [P, _CP, ctypes.POINTER(civ_table_read_options)]),
    "civ_alloc_allocation_read": (c_status, [P, _CP, ctypes.POINTER(civ_table_read_options), PP]),
    "civ_alloc_spec_predecessors_column": (_CP, [P]),
    "civ_alloc_spec_predecessor_shares_column": (_CP, [P]),
    "civ_alloc_spec_version": (_CP, [P]),
    "civ_alloc_spec_currency": (_CP, [P]),
    "civ_alloc_spec_unit_name": (_CP, [P, ctypes.c_int]),
    "civ_alloc_spec_n_factors": (_S, [P]),
    "civ_alloc_spec_factor_name": (_CP, [P, _S]),
    "civ_alloc_spec_factor_is_forecast": (_I, [P, _S]),
    "civ_alloc_spec_demand_window": (c_status, [P, _S, P, ctypes.POINTER(civ_alloc_demand_window)]),
    "civ_alloc_bind": (c_status, [P, P, P, PP]),
    "civ_alloc_problem_free": (None, [P]),
    "civ_alloc_result_create": (c_status, [P, PP]),
    "civ_alloc_result_free": (None, [P]),
    "civ_alloc_solve": (c_status, [P, P]),
    "civ_alloc_result_amounts": (c_status, [P, P, c_int64_p, _S]),
    "civ_alloc_result_stats": (c_status, [P, P, ctypes.POINTER(civ_alloc_stats)]),
    "civ_alloc_result_table": (c_status, [P, P, _I, PP]),
    "civ_alloc_result_write": (c_status, [P, P, _I, _CP, ctypes.POINTER(civ_csv_write_options)]),
    "civ_alloc_settle": (c_status, [P, P, P, _I, PP, PP]),
    "civ_alloc_problem_set_paid": (c_status, [P, P]),
    "civ_alloc_project": (c_status, [P, P, P, P, ctypes.c_long, _I, PP, PP]),
    "civ_alloc_result_summary": (c_status, [P, P, PP]),
    "civ_alloc_result_summary_stats": (c_status, [P, P, PP, ctypes.POINTER(civ_alloc_stats)]),
    "civ_alloc_result_n_no_forecast": (c_status, [P, P, _S, ctypes.POINTER(_S)]),
    "civ_alloc_problem_n_communities": (_S, [P]),
    # scenarios (civ_alloc_compare_*)
    "civ_alloc_compare_run": (c_status, [PP, CPP, _S, P, P, PP]),
    "civ_alloc_compare_free": (None, [P]),
    "civ_alloc_compare_n_specs": (_S, [P]),
    "civ_alloc_compare_n_communities": (_S, [P]),
    "civ_alloc_compare_label": (_CP, [P, _S]),
    "civ_alloc_compare_amounts": (c_status, [P, _S, c_int64_p, _S]),
    "civ_alloc_compare_table": (c_status, [P, PP]),
    "civ_alloc_compare_waterfall": (c_status, [P, PP]),
    # Monte Carlo (civ_alloc_uncertainty_*)
    "civ_alloc_uncertainty_options_init": (c_status, [ctypes.POINTER(civ_alloc_uncertainty_options)]),
    "civ_alloc_uncertainty_run": (c_status, [P, P, P, ctypes.POINTER(civ_alloc_uncertainty_options), PP]),
    "civ_alloc_uncertainty_free": (None, [P]),
    "civ_alloc_uncertainty_n_draws": (_S, [P]),
    "civ_alloc_uncertainty_n_communities": (_S, [P]),
    "civ_alloc_uncertainty_seconds": (_D, [P]),
    "civ_alloc_uncertainty_draw": (c_status, [P, _S, c_int64_p, _S]),
    "civ_alloc_uncertainty_quantile": (c_status, [P, _D, c_double_p, _S]),
    "civ_alloc_uncertainty_table": (c_status, [P, PP]),
    # multi-year need (civ_alloc_need_*)
    "civ_alloc_need_read": (c_status, [_CP, PP]),
    "civ_alloc_need_parse": (c_status, [_CP, _S, _CP, PP]),
    "civ_alloc_need_free": (None, [P]),
    "civ_alloc_need_first_year": (ctypes.c_long, [P]),
    "civ_alloc_need_years": (ctypes.c_long, [P]),
    "civ_alloc_need_minor_unit": (_I64, [P]),
    "civ_alloc_need_currency": (_CP, [P]),
    "civ_alloc_need_project": (c_status, [P, P, PP, PP]),
    # monitoring
    "civ_monitor_spec_read": (c_status, [_CP, PP]),
    "civ_monitor_spec_parse": (c_status, [_CP, _S, _CP, PP]),
    "civ_monitor_spec_free": (None, [P]),
    "civ_monitor_spec_n_indicators": (_S, [P]),
    "civ_monitor_spec_text_columns": (ctypes.POINTER(ctypes.c_char_p), [P]),
    "civ_monitor_spec_scope": (_CP, [P]),
    "civ_monitor_run": (c_status, [P, P, _CP, PP]),
    "civ_monitor_free": (None, [P]),
    "civ_monitor_first_period": (_I64, [P]),
    "civ_monitor_last_period": (_I64, [P]),
    "civ_monitor_period_of": (c_status, [P, _CP, _CP, c_int64_p, ctypes.c_char_p, _S]),
    "civ_monitor_frequency": (_I, [P]),
    "civ_monitor_status_table": (c_status, [P, PP]),
    "civ_monitor_alert_table": (c_status, [P, _I64, PP]),
    "civ_monitor_unit_names": (c_status, [P, P, _CP, PP]),
    "civ_monitor_panel": (c_status, [P, CPP, _S, PP]),
    "civ_monitor_warn": (c_status, [P, P, _D, PP, PP]),
    "civ_monitor_threshold_parse": (c_status, [_CP, ctypes.POINTER(_D)]),
    "civ_monitor_demand_check": (c_status, [P, P, PP]),
    "civ_monitor_value_text": (c_status, [_D, _CP, _CP, _D, ctypes.c_char_p, _S]),
    "civ_monitor_matrix_default": (c_status, [PP]),
    "civ_monitor_matrix_read": (c_status, [_CP, PP]),
    "civ_monitor_matrix_parse": (c_status, [_CP, _S, _CP, PP]),
    "civ_monitor_matrix_free": (None, [P]),
    "civ_monitor_risk_assess": (c_status, [P, P, _CP, PP, PP]),
    "civ_monitor_inactivity_options_init": (c_status, [ctypes.POINTER(civ_monitor_inactivity_options)]),
    "civ_monitor_inactivity_run": (c_status, [ctypes.POINTER(civ_monitor_inactivity_options), P, _CP, _D, PP]),
    "civ_monitor_workbook_write": (c_status, [_CP, P, ctypes.POINTER(civ_monitor_workbook_tables), _CP,
                                              ctypes.POINTER(civ_workbook_options)]),
    "civ_alloc_workbook_write": (c_status, [_CP, P, ctypes.POINTER(civ_alloc_workbook_tables), _CP,
                                            ctypes.POINTER(civ_workbook_options)]),
    # errors carried across threads or processes
    "civ_error_restore": (c_status, [ctypes.POINTER(civ_error)]),
    # model families
    "civ_model_family_count": (_S, []),
    "civ_model_family_name": (_CP, [_S]),
    "civ_model_family_summary": (_CP, [_S]),
    "civ_model_family_specs": (_CP, [_S]),
    "civ_model_short_name": (c_status, [_CP, ctypes.c_char_p, _S]),
    "civ_model_display_family": (c_status, [_CP, ctypes.c_char_p, _S]),
    # plans
    "civ_plan_read": (c_status, [_CP, PP]),
    "civ_plan_free": (None, [P]),
    "civ_plan_path": (_CP, [P]),
    "civ_plan_panel": (_CP, [P]),
    "civ_plan_communities": (_CP, [P]),
    "civ_plan_spec": (_CP, [P]),
    "civ_plan_out": (_CP, [P]),
    "civ_plan_model": (_CP, [P]),
    "civ_plan_horizon": (_S, [P]),
    "civ_plan_threads": (_I, [P]),
    "civ_plan_intervals": (_I, [P]),
    "civ_plan_totals": (_CP, [P]),
    "civ_plan_set_totals": (c_status, [P, _CP]),
    "civ_plan_id_column": (_CP, [P]),
    "civ_plan_wide": (_I, [P]),
    "civ_plan_freq": (_CP, [P]),
    "civ_plan_encoding": (_CP, [P]),
    "civ_plan_thousands": (_CP, [P]),
    "civ_plan_percent": (_I, [P]),
    "civ_plan_set_wide": (c_status, [P, _I]),
    "civ_plan_time_column": (_CP, [P]),
    "civ_plan_target_column": (_CP, [P]),
    "civ_plan_seed": (_U64, [P]),
    "civ_plan_uncertainty_seed": (_U64, [P]),
    "civ_plan_draws": (_S, [P]),
    "civ_plan_levels": (_S, [P, ctypes.POINTER(c_double_p)]),
    "civ_plan_has_need": (_I, [P]),
    "civ_plan_has_backtest": (_I, [P]),
    "civ_plan_has_monitor": (_I, [P]),
    "civ_plan_warn_model": (_CP, [P]),
    "civ_plan_event_times": (c_status, [P, ctypes.POINTER(_I), c_double_p]),
    "civ_plan_lang": (_CP, [P]),
    "civ_plan_set_lang": (c_status, [P, _CP]),
    "civ_plan_set_out": (c_status, [P, _CP]),
    "civ_plan_set_model": (c_status, [P, _CP]),
    "civ_plan_set_last_year": (c_status, [P, _CP]),
    "civ_plan_warning": (c_status, [P, ctypes.POINTER(_S), c_double_p]),
    "civ_plan_set_horizon": (c_status, [P, _S]),
    "civ_plan_set_threads": (c_status, [P, _I]),
    "civ_plan_set_draws": (c_status, [P, _S]),
    "civ_plan_set_intervals": (c_status, [P, _I]),
    "civ_plan_conformal": (c_status, [P, ctypes.POINTER(_S), ctypes.POINTER(_S), ctypes.POINTER(_S),
                                      ctypes.POINTER(_I)]),
    "civ_plan_set_conformal": (c_status, [P, _S, _S, _S, _I]),
    "civ_plan_set_columns": (c_status, [P, _CP, _CP, _CP]),
    "civ_plan_set_input": (c_status, [P, _CP, _CP, _CP, _I]),
    "civ_plan_panel_sheet": (_CP, [P]),
    "civ_plan_communities_sheet": (_CP, [P]),
    "civ_plan_set_sheets": (c_status, [P, _CP, _CP]),
    "civ_plan_last_year_sheet": (_CP, [P]),
    "civ_plan_set_last_year_sheet": (c_status, [P, _CP]),
    "civ_plan_skip_rows": (c_status, [P, _CP, ctypes.POINTER(_I)]),
    "civ_plan_input_error": (c_status, [P, c_status]),
    "civ_plan_run": (c_status, [P, ctypes.POINTER(civ_plan_run_options), PP]),
    "civ_plan_result_free": (None, [P]),
    "civ_plan_result_table": (P, [P, _I]),
    "civ_plan_result_stats": (c_status, [P, ctypes.POINTER(civ_plan_stats)]),
    "civ_plan_result_spec": (P, [P]),
    "civ_plan_result_write": (c_status, [P, _CP]),
    "civ_plan_result_write_opts": (c_status, [P, _CP, ctypes.POINTER(civ_csv_write_options)]),
    "civ_plan_table_name": (_CP, [_I]),
    # the plan report
    "civ_report_write": (c_status, [_CP, ctypes.POINTER(civ_report_options)]),
}

# Optional entry points (engine/src/core/bindings_support.c); absent in older builds.
_OPTIONAL = {
    "civ_table_set_numbers": (c_status, [P, _S, _S, P, _S]),
    "civ_panel_add_series_many": (c_status, [P, _S, CPP, P, P, P, P]),
    "civ_panel_set_covariate_many": (c_status, [P, _S, _S, P, P, P]),
}

lib, path = _load()

for _name, (_res, _args) in _SIGNATURES.items():
    try:
        _f = getattr(lib, _name)
    except AttributeError as e:
        raise ImportError(f"civicast: {path} lacks {_name}; rebuild the library") from e
    _f.restype = _res
    _f.argtypes = _args
for _name, (_res, _args) in _OPTIONAL.items():
    if hasattr(lib, _name):
        _f = getattr(lib, _name)
        _f.restype = _res
        _f.argtypes = _args


def has(name):
    """Whether the loaded library exports `name`."""
    return hasattr(lib, name)


# ---- version handshake -----------------------------------------------------------

def _check_version():
    number = lib.civ_version_number()
    major, minor = number // 10000, number // 100 % 100
    global EXPECTED_VERSION
    if EXPECTED_VERSION is None:
        EXPECTED_VERSION = (major, minor)
    if (major, minor) != EXPECTED_VERSION:
        raise ImportError(
            f"civicast: the library {path} is version {lib.civ_version().decode()} "
            f"but this Python package needs {EXPECTED_VERSION[0]}.{EXPECTED_VERSION[1]}.x; "
            "rebuild the library or reinstall the package from the same source tree")
    return number


VERSION_NUMBER = _check_version()
LIBRARY_VERSION = lib.civ_version().decode()


# ---- errors ----------------------------------------------------------------------------

class Error(Exception):
    """A failure reported by the civicast library (or found by the bindings
    while preparing data for it).

    Attributes mirror ``civ_error`` (civicast.h): ``status`` is the symbolic
    name (``"CIV_ERR_PARSE"``), ``code`` its number, ``message`` the bare
    message, ``file``/``line``/``column`` the location in an input file
    (``""``/``0`` when none), ``series_id`` and ``field`` the series or
    community and the column or spec key involved, and ``text`` the whole
    one-line description, which is also ``str(error)``.
    """

    def __init__(self, status, message, file="", line=0, column=0, series_id="", field="", text=None):
        if isinstance(status, int):
            code, name = status, status_name(status)
        else:
            name, code = status, STATUS_CODES.get(status, -1)
        self.status, self.code, self.message = name, code, message
        self.file, self.line, self.column = file, line, column
        self.series_id, self.field = series_id, field
        if text is None:
            text = message
            if file:
                loc = file + (f":{line}" if line else "") + (f":{column}" if column else "")
                text = f"{loc}: {text}"
            extra = []
            if series_id:
                extra.append(f"series '{series_id}'")
            if field:
                extra.append(f"field '{field}'")
            if extra:
                text += " (" + ", ".join(extra) + ")"
        self.text = text
        super().__init__(text)

    def __reduce__(self):  # picklable, so Dask workers can send it back
        return (type(self), (self.status, self.message, self.file, self.line, self.column,
                             self.series_id, self.field, self.text))


class InvalidArgument(Error, ValueError):
    """civicast.Error (CIV_ERR_INVALID_ARGUMENT) for an argument the package
    refuses before calling the library (a base of the wrong shape, an
    unknown intervals= name); also a ValueError, which these raised before
    2026-12-07, so `except ValueError` keeps working."""


class WrongType(Error, TypeError):
    """civicast.Error (CIV_ERR_INVALID_ARGUMENT) for an argument of a type the
    function does not take (a path or an array where a DataFrame goes,
    xreg=True); also a TypeError."""


def invalid(message, field="", kind=ValueError):
    """The exception to raise for a bad argument: an InvalidArgument (a
    ValueError), or a WrongType (a TypeError) when kind is TypeError."""
    return (WrongType if kind is TypeError else InvalidArgument)("CIV_ERR_INVALID_ARGUMENT", message, field=field)


def _dec(b):
    return b.decode("utf-8", "replace")


def status_name(code):
    return _dec(lib.civ_status_name(code))


STATUS_CODES = {}
for _c in range(0, 64):
    _n = _dec(lib.civ_status_name(_c))
    if not _n.startswith("CIV_"):
        break
    STATUS_CODES[_n] = _c


def last_error():
    """The calling thread's civ_last_error() as an Error (not raised)."""
    return error_from_struct(lib.civ_last_error().contents)


# The command's options in the library's messages, as a Python user names them (python_words).  First the
# phrases whose Python form is not an option of the same name (a communities frame has no id_col=), then an
# option followed by its Python name in brackets ("--group (groups=)"), then each option alone.
_PY_PHRASES = [
    (re.compile(r"rename the id column unique_id \(or name it with --id-col\)"),
     "rename its id column unique_id (communities.rename(columns={'<its id column>': 'unique_id'}))"),
    (re.compile(r"a communities table \(--communities FILE\)"), "communities= (a DataFrame or a path)"),
    (re.compile(r"convert --hierarchy gives district and city totals"),
     "civicast.Hierarchy(df, communities, hierarchy=[...]).aggregate() gives district and city totals"),
    (re.compile(r"an allocation's --out has it"), "civicast.allocate's frame has it"),
    (re.compile(r"\(civicast allocate --out\)"), "(civicast.allocate)"),
    (re.compile(r"\(an earlier allocation's --out has unique_id\)"), "(civicast.allocate's frame has unique_id)"),
    (re.compile(r"\(civicast convert --table IN OUT\)"), "(civicast.read(path, kind=\"table\"))"),
    (re.compile(r"\(--attributes; a plan's communities\)"),
     "(communities= of civicast.allocate and civicast.Hierarchy, attributes= of civicast.info; a plan's communities)"),
    # the Python form followed by the option (read it with thousands="," (--thousands ",")): the Python form once
    (re.compile(r"(?<![\w-])(\w+=(?:\"[^\"]*\"|True)) \(--[a-z][a-z-]*(?: \"[^\"]*\")?\)"), r"\1"),
    (re.compile(r"(?<![\w-])--[a-z][a-z-]*(?: [A-Z]+)? \((\w+=[^()\s]*)\)"), r"\1"),
]
_PY_OPTIONS = [
    (re.compile(r'(?<![\w-])--thousands "(.)"'), r'thousands="\1"'),
    (re.compile(r"(?<![\w-])--freq ([A-Z][A-Z-]*)\b"), r'freq="\1"'),
    (re.compile(r"(?<![\w-])--sheet NAME\b"), 'sheet="NAME"'),
    (re.compile(r"(?<![\w-])--last-year-sheet NAME\b"), 'last_year_sheet="NAME"'),
    (re.compile(r"(?<![\w-])--communities FILE\b"), "communities="),
    (re.compile(r"(?<![\w-])--last-year FILE\b"), "last_year="),
    (re.compile(r"(?<![\w-])--percent\b"), "percent=True"),
    (re.compile(r"(?<![\w-])--wide-input\b"), 'layout="wide"'),
    (re.compile(r"(?<![\w-])--group\b"), "groups="),
    (re.compile(r"(?<![\w-])--(id|time|target)-col\b"), r"\1_col="),
    (re.compile(r"(?<![\w-])--(freq|encoding|thousands|sheet|hierarchy|communities|model|reconcile|last-year)\b"),
     lambda m: m.group(1).replace("-", "_") + "="),
]


def _file_phrases(file):
    """The phrases whose cure differs for a table given as a file (`file`, the path the error names) from one
    given as a DataFrame: a communities file without unique_id is not renamed with DataFrame.rename."""
    if not file or file.endswith("DataFrame"):  # a frame's table is named "the communities DataFrame"
        return []
    name = repr(file)
    if file.lower().endswith((".h5", ".hdf5")):  # an HDF5 table has no header to write; read() keys it by id_col=
        cure = (f"read the file with civicast.read({name}, id_col='<its id column>') and pass that DataFrame as "
                "communities=")
    else:
        cure = (f"write unique_id as the header of its id column in {name}, or read the file with "
                f"civicast.read({name}, id_col='<its id column>') and pass that DataFrame as communities=")
    return [(re.compile(r"rename the id column unique_id \(or name it with --id-col\)"), lambda m: cure)]


def python_words(message, file=None):
    """A library message in a Python user's words: the command's options it names (--id-col, --thousands ",",
    --group) as the package's arguments (id_col=, thousands=",", groups=).  A message that already names the
    Python form ("--sheet NAME (Python: sheet=\"NAME\")") is left as it is; so is any other text.  file: the
    input file the error names, if any (a cure for a file is not a DataFrame's; "the ... DataFrame" is none)."""
    if not message or "--" not in message or "Python" in message:
        return message
    for pattern, repl in _file_phrases(file) + _PY_PHRASES + _PY_OPTIONS:
        message = pattern.sub(repl, message)
    return message


def error_from_struct(e):
    """A civ_error structure (this process's, or one a child process sent) as
    an Error (not raised), its message and text in a Python user's words
    (python_words)."""
    file = _dec(e.file)
    return Error(e.status, python_words(_dec(e.message), file), file, e.line, e.column, _dec(e.series_id),
                 _dec(e.field), python_words(_dec(e.text), file) or None)


def check(status):
    """Raises Error for a non-zero civ_status.  Must run on the thread that
    made the call: the detail is thread-local."""
    if status:
        err = last_error()
        if err.code != status:  # the call failed without recording detail
            err = Error(status, _dec(lib.civ_strerror(status)))
        raise err


# ---- stopping a long call: Ctrl-C ------------------------------------------------------

class stoppable:
    """Makes one long library call (a forecast, a backtest, a plan) stop on
    Ctrl-C, or when the caller's own progress callable raises:

        with _lib.stoppable(progress) as stop:
            opt.progress = stop.series       # a civ_progress_fn
            check(lib.civ_forecast_panel(...))

    While the C call runs, Python cannot act on Ctrl-C: its SIGINT handler
    only runs between bytecodes.  For the call's duration, on the main
    thread, the SIGINT handler in place (Python's default, which raises
    KeyboardInterrupt: a script, IPython, Jupyter's "interrupt"; or the
    host's own) is wrapped: the library calls the progress callback on this
    thread at least every 100 ms, Python runs the wrapper there, the wrapper
    runs the handler and notes what it raised, the callback answers "stop",
    and the library returns CIV_ERR_CANCELLED once the series in flight are
    done.  On leaving, the handler is put back and what it raised is raised
    (a fresh KeyboardInterrupt for Python's default, the library's
    "cancelled" error not shown).  A handler that raises nothing does not
    stop the call.  An exception from `progress` stops the call the same way
    and is raised as it was.  Nothing is wrapped when SIGINT is ignored or
    has no Python handler, or from another thread (Python lets only the main
    thread run and set signal handlers: there only `progress` can stop the
    call, and the main thread gets its KeyboardInterrupt as before).

    progress: None, a callable(done, total) (series, stop.series) or a
    callable(stage, done, total) (plans, stop.stages).
    """

    def __init__(self, progress=None):
        if progress is not None and not callable(progress):  # it raised "'int' object is not callable" mid-run
            raise invalid(f"civicast: progress must be None or a callable(done, total), got {progress!r}",
                          "progress", kind=TypeError)
        self._progress = progress
        self._error = None     # what stops the call: the handler's or progress's exception
        self._previous = None  # the SIGINT handler wrapped, to put back
        self.series = civ_progress_fn(self._on_series)
        self.stages = civ_plan_progress_fn(self._on_stage)

    def _on_sigint(self, signum, frame):
        try:
            self._previous(signum, frame)
        except BaseException as e:  # noqa: B902 -- raised again when the call returns
            if self._error is None:
                self._error = KeyboardInterrupt() if type(e) is KeyboardInterrupt else e

    def _answer(self, *args):
        if self._progress is not None and self._error is None:
            try:
                self._progress(*args)
            except BaseException as e:  # noqa: B902 -- raised again when the call returns
                self._error = e
        return 0 if self._error is None else 1

    def _on_series(self, done, total, user):
        return self._answer(done, total)

    def _on_stage(self, stage, done, total, user):
        return self._answer(_dec(stage), done, total)

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            try:
                handler = signal.getsignal(signal.SIGINT)
                if callable(handler):
                    self._previous = handler
                    signal.signal(signal.SIGINT, self._on_sigint)
            except ValueError:  # not the main interpreter
                self._previous = None
        return self

    def __exit__(self, kind, value, tb):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None
        if self._error is not None:
            raise self._error from None
        return False


def encode(s):
    """Text -> NUL-terminated UTF-8 for C.  Text holding a NUL byte is refused:
    C would silently cut it there (issue 18: 'A\\x00x' became 'A')."""
    if not isinstance(s, (str, bytes, bytearray)):  # bytes(5) is five NUL bytes: "5 contains a NUL character"
        raise invalid(f"civicast: expected text, got {type(s).__name__} {s!r}", kind=TypeError)
    b = s.encode("utf-8") if isinstance(s, str) else bytes(s)
    if b"\x00" in b:
        raise invalid(f"civicast: {s!r} contains a NUL character, which C text cannot hold")
    return b


def whole(func, name, value, minimum=None):
    """A whole-number parameter, strictly: int or numpy integer (not bool, not
    float, not text), at least `minimum`; errors name the function and the
    parameter (issue 18: h=2.5, '12' and True were taken as 2, 12 and 1, and
    n_paths=-1 as 18446744073709551615)."""
    import numbers
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise invalid(f"{func}: {name} must be a whole number (int), not {type(value).__name__} {value!r}", name,
                      kind=TypeError)
    value = int(value)
    if minimum is not None and value < minimum:
        raise invalid(f"{func}: {name} must be at least {minimum}, got {value}", name)
    return value
