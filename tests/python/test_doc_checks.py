"""test_doc_checks.py -- the static checks of tests/layers/doc_examples.py find what a broken doc gets wrong.

doc_examples.py (ctest doc_examples) checks, without running them, the Python signatures the docs show
(every parameter, in order, with its default, against inspect.signature), the ```c blocks (compiled against
civicast.h) and the `civicast ...`, `civicast.*(...)` and `civ_*(...)` spans of the prose (subcommands and
options against --help, keywords and signatures against the functions, names and arguments against
civicast.h).  Here a doc with one deliberate mistake per line goes through those checks, and each mistake
must be reported at its line; the same snippets written correctly must pass.
"""
import importlib.util
import os
import pathlib

import pytest

SOURCE = pathlib.Path(__file__).resolve().parents[2]
CLI = os.environ.get("CIV_CLI", str(SOURCE / "build/dev/civicast"))
LIBRARY = os.environ.get("CIV_LIBRARY", str(SOURCE / "build/dev/libcivicast.so"))

spec = importlib.util.spec_from_file_location("doc_examples", SOURCE / "tests/layers/doc_examples.py")
doc_examples = importlib.util.module_from_spec(spec)
spec.loader.exec_module(doc_examples)

F = "```"
# (line text, the words the failure at that line must contain); each line one mistake
BROKEN = [
    # Python signature blocks: a parameter missing, the order, a default, a name, a non-literal default
    (f"{F}python signature\nstats = civicast.forecast_to_files(data, out, report=None, fitted=None, h=None, "
     f"model=\"auto\", chunk=None, excel=False, precision=\"full\")\n{F}",
     ["forecast_to_files", "does not show", "level=", "percent="]),
    (f"{F}python signature\nper_community, per_year = civicast.need(spec, forecasts, thousands=None, "
     f"encoding=None, percent=False)\n{F}", ["civicast.need", "thousands= before encoding="]),
    (f"{F}python signature\nclasses = civicast.classify_demand(df, freq=\"M\")\n{F}",
     ["classify_demand", "freq='M'", "default is None"]),
    (f"{F}python signature\nchecked = civicast.demand_check(forecasts, actuals_panel, encoding=None, "
     f"thousands=None, percent=False)\n{F}", ["demand_check", "`actuals_panel`", "`actuals`"]),
    (f"{F}python signature\nt, s = civicast.allocate(communities, spec, forecasts=fc, ...)\n{F}",
     ["civicast.allocate", "forecasts=fc", "default is None"]),
    (f"{F}python signature\nt = civicast.read(path, ..., layout=None, id_col=None)\n{F}",
     ["civicast.read", "layout= before id_col="]),
    (f"{F}python signature\n# each also takes encoding=None, thousands=None, percent=True (below)\n"
     f"t = civicast.need(spec, forecasts)\n{F}", ["civicast.need", "percent=True", "default is False"]),
    (f"{F}python signature\nt = civicast.need(spec, forecasts)\n{F}",
     ["civicast.need", "does not show encoding=, thousands=, percent="]),
    (f"{F}python illustrative\nfc = civicast.forecast(df, horizon=12)\n{F}", ["has no parameter horizon="]),
    # Python spans of prose
    ("`civicast.write(df, path, kind=None, freq=None, excel=True, precision=\"full\", min_decimals=0)`",
     ["civicast.write", "excel=True", "default is False"]),
    ("`civicast.restore_error(err)`", ["restore_error", "`err`", "`error`"]),
    ("`civicast.settle(spec, allocation, spending, explain=False)`",
     ["civicast.settle", "does not show encoding="]),
    ("`civicast.forecast(..., intervalls=\"conformal\")`", ["has no parameter intervalls="]),
    ("`civicast.forcast(df)`", ["civicast.forcast does not exist"]),
    # commands in prose
    ("`civicast allocate spec.toml --last-yeer FILE`", ["civicast allocate", "no option --last-yeer"]),
    ("`civicast alocate --out`", ["no command 'alocate'"]),
    ("`civicast --raw-csv forecast IN --out FILE`", ["no global option --raw-csv"]),
    ("| a table cell | `civicast plan CONFIG [--lang zh\\|en] [--no-excell]` |", ["civicast plan", "--no-excell"]),
    (f"{F}sh illustrative\ncivicast backtest IN --window 3\n{F}", ["civicast backtest", "no option --window"]),
    # C: blocks compiled against civicast.h, calls in prose
    (f"{F}c\nciv_forecast_options_init(&opt, 12);\n{F}", ["does not compile", "civ_forecast_options_init"]),
    (f"{F}c\nopt.horizn = 12;\n{F}", ["does not compile", "horizn"]),
    (f"{F}c\ncivicast_table *t = NULL;\n{F}", ["does not compile"]),
    (f"{F}c\nciv_table *t = NULL;\nciv_forecast_result_table(panel, &t);\n{F}", ["does not compile"]),
    ("`civ_monitor_inactivity_poll(now)`", ["civ_monitor_inactivity_poll takes 3 argument(s)", "passes 1"]),
    ("`civ_csv_set_formula_guard(\"no\")`", ["civ_csv_set_formula_guard's argument 1"]),
    ("`civ_forecast_panle(panel, &opt, &r)`", ["civ_forecast_panle is neither in civicast.h"]),
]

GOOD = [
    f"{F}python signature\nstats = civicast.forecast_to_files(data, out, report=None, fitted=None, h=None, "
    f"model=\"auto\", level=(80, 95), threads=None, seed=None, xreg=None, ic=\"aicc\", n_paths=None, "
    f"nonnegative=\"auto\", freq=None, chunk=None, excel=False, precision=\"full\", intervals=None, "
    f"conformal_windows=None, conformal_step=None, conformal_sample=None, encoding=None, id_col=None, "
    f"time_col=None, target_col=None, layout=None, conformal_refit=None, thousands=None, percent=False, "
    f"sheet=None, progress=None, skip_rows=None)\n"
    f"stats = civicast.forecast_to_files(\"big.csv\", \"fc.csv\", h=24)   # a call after the signature\n{F}",
    f"{F}python signature\n# each also takes encoding=None, thousands=None, percent=False, sheet=None, skip_rows=None "
    f"(below)\nt = civicast.monitor(indicators, actuals, period=None)\n"
    f"checked = civicast.demand_check(forecasts, actuals)\n{F}",
    f"{F}python signature\nt = civicast.read(path, ..., id_col=None, layout=None)\n{F}",
    "`civicast.restore_error(error)` and `civicast.settle(spec, allocation, spending, explain=False, ...)`",
    "`civicast.dask.forecast(ddf, h=12)` is a call, not a signature; `civicast.forecast(..., integer=True)` too",
    "`civicast allocate --spec SPEC --last-year FILE`, `civicast --raw-csv-text COMMAND`, `civicast NAME …`",
    "| a table cell | `civicast plan CONFIG [--lang zh\\|en] [--no-excel]` |",
    f"{F}sh illustrative\ncivicast backtest IN --windows 3 --step 1\n{F}",
    f"{F}c\nciv_forecast_options_init(&opt);\nopt.horizon = 12;\nciv_forecast_result *r = NULL;\n"
    f"if (civ_forecast_panel(panel, &opt, &r) != CIV_OK)\n"
    f"    fprintf(stderr, \"%s\\n\", civ_last_error_message());\n{F}",
    "`civ_monitor_inactivity_poll(det, now, &alerts)`, `civ_csv_set_formula_guard(0)`, `civ_staging_dir(...)`",
    "placeholders: `civicast SUB --option …`, `civicast.NAME(…)`, `civ_NAME(…)`",
]


def check(tmp_path, snippets):
    """The static checks over a doc made of the snippets, in a tree whose code is this source tree's."""
    for name in ("engine", "models", "python-bindings", "cmake", "CMakeLists.txt"):
        (tmp_path / name).symlink_to(SOURCE / name)
    (tmp_path / "docs").mkdir()
    lines, at = ["# A doc", ""], []
    for s in snippets:
        at.append(len(lines) + 1 + (1 if s.startswith(F) else 0))   # a block's first body line
        lines += s.split("\n") + [""]
    (tmp_path / "docs/TEST.md").write_text("\n".join(lines), encoding="utf-8")
    failures, counts = doc_examples.check_static(str(tmp_path), CLI, LIBRARY, ["docs/TEST.md"])
    return failures, at


@pytest.mark.skipif(not os.path.exists(CLI), reason="no civicast command built")
def test_each_mistake_is_reported_at_its_line(tmp_path):
    failures, at = check(tmp_path, [s for s, _ in BROKEN])
    for (snippet, words), line in zip(BROKEN, at):
        here = [f for f in failures if f.startswith(f"docs/TEST.md:{line}:")
                or f.startswith(f"docs/TEST.md:{line + 1}:")]   # a signature after a comment line
        assert any(all(w in f for w in words) for f in here), (snippet, words, line, failures)
    assert len(failures) >= len(BROKEN)


@pytest.mark.skipif(not os.path.exists(CLI), reason="no civicast command built")
def test_the_same_snippets_written_right_pass(tmp_path):
    failures, _ = check(tmp_path, GOOD)
    assert failures == []
