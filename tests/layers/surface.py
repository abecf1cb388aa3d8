#!/usr/bin/env python3
"""surface.py -- checks the "three ways" rule: every capability of civicast.h is reachable from the C API, the
`civicast` command and the Python package, and the docs say how.

It reads sources only (no build, no import of the package):

1. the public functions: every `CIV_API ... civ_xxx(` declared in engine/include/*.h;
2. which of them the command calls (identifiers in engine/cli/*.c and *.h, comments and strings left out) and
   which the Python package calls (`lib.civ_xxx` / `_lib.lib.civ_xxx` in python-bindings/civicast/*.py; a
   ctypes declaration in _lib.py's _SIGNATURES alone is not a call);
3. the subcommands (the `civ_cli_command` definitions listed in engine/cli/commands.c): each needs a section
   `## \\`civicast NAME ...\\`` in docs/CLI.md and a Python function in civicast.__all__ (the same name, or the
   one COMMAND_PYTHON names);
4. every name of civicast.__all__ (read with ast from python-bindings/civicast/__init__.py) appears in
   docs/PYTHON.md;
5. every option of the commands' tables (`{"--name", ...}` in engine/cli/) is named in docs/*.md.

A public function that the command or Python does not call fails the test unless EXCEPTIONS, the one table of
functions a user would never call for a capability, waives that client with a reason.  An exception that no
longer matches a function, or that waives a client that does call the function, fails too, so the table
only shrinks when a gap is closed.

usage: surface.py SOURCE_DIR            exit 1, printing each gap and where to close it, when one is found
"""
import ast
import fnmatch
import glob
import os
import re
import sys

# The one table of waivers: (pattern, client waived: "cli", "python" or "both", kind, reason).  kind "exempt":
# no user calls the function for a capability (frees, accessors of results whose tables the clients take,
# building blocks one client makes from its own data); kind "gap": a capability a client still lacks, listed
# so that it is printed on every run until someone closes it (never a place to hide one).  fnmatch patterns;
# keep a pattern narrow enough that a new capability cannot hide behind it.
EXEMPT, GAP = "exempt", "gap"
EXCEPTIONS = [
    ("civ_*_free", "both", EXEMPT, "releases an object; each client frees what it creates"),
    ("civ_version_number", "cli", EXEMPT, "the command prints civ_version(); the number is Python's import check"),
    ("civ_status_name", "cli", EXEMPT, "the command maps statuses to exit codes; civicast.Error names them"),
    ("civ_last_error_message", "python", EXEMPT, "Python reads the whole civ_last_error() record"),
    ("civ_cleanup_*", "python", EXEMPT, "the command's SIGINT/SIGTERM cleanup; a Python host keeps its handlers"),
    ("civ_staging_[dfo]*", "python", EXEMPT, "the command publishes its files together; Python returns frames"),
    ("civ_staging_publish_*", "both", EXEMPT, "publishing; civ_plan_result_write does it for both clients"),
    ("civ_paths_check", "python", EXEMPT, "refuses an output that is an input, before a command runs"),
    ("civ_plan_input_error", "python", EXEMPT, "the command re-words its own reads of a plan's panel and "
     "communities; Python lets civ_plan_run read them (which re-words its errors itself) and pre-reads only .h5 "
     "inputs, which have no rows above a header"),
    # building blocks: Python builds tables and panels from DataFrames, the command reads them from files
    ("civ_table_column_type", "cli", EXEMPT, "Python converts columns by type; the command writes tables whole"),
    ("civ_table_numbers", "cli", EXEMPT, "Python's zero-copy column read"),
    ("civ_table_number", "python", EXEMPT, "per-cell read; Python reads whole columns (civ_table_numbers)"),
    ("civ_table_find_column", "python", EXEMPT, "per-column lookup; Python takes the table into pandas"),
    ("civ_panel_join_predecessors", "both", EXEMPT, "civ_panel_join_predecessors_shares with no shares column, "
     "which both clients call (--shares / shares= optional)"),
    ("civ_backtest_result_create", "cli", EXEMPT, "a building block: civ_hier_backtest fills a backtest result "
     "window by window for the flat backtest's tables, and civicast.dask.backtest from its tasks' windows; the "
     "command calls civ_hier_backtest"),
    ("civ_backtest_result_set", "cli", EXEMPT, "a building block of civ_hier_backtest (see "
     "civ_backtest_result_create)"),
    ("civ_backtest_result_add_uncalibrated", "cli", EXEMPT, "a building block of civ_hier_backtest (see "
     "civ_backtest_result_create)"),
    ("civ_backtest_accuracy_grouped", "both", EXEMPT, "the building block of civ_hier_backtest_accuracy_table (per "
     "hierarchy level), which both clients call"),
    ("civ_table_index", "both", EXEMPT, "a key index for C hosts; the clients look up in pandas or the engine"),
    ("civ_table_lookup", "both", EXEMPT, "a key lookup for C hosts (see civ_table_index)"),
    ("civ_table_source", "cli", EXEMPT, "where a table was read from, read back; the command's errors name it "
     "(Python reads it to rename the isolate guard's .h5 copy after the caller's file)"),
    ("civ_table_whole_float_ids", "cli", EXEMPT, "the command's CSV readers apply it; Python calls it on a frame's "
     "text columns"),
    ("civ_table_read_numbers", "cli", EXEMPT, "the command's CSV and workbook readers type their columns so; "
     "Python calls it on a frame's text columns"),
    ("civ_csv_parse_cells", "cli", EXEMPT, "the command's CSV and workbook readers read their cells so; Python "
     "calls it on a frame's text values (y, covariates)"),
    ("civ_total_row_find", "cli", EXEMPT, "the command's panel readers (CSV, HDF5) apply it; Python calls it on "
     "a frame's ids"),
    ("civ_table_row_line", "both", EXEMPT, "a row's file line, for a C host's own messages; the library's errors "
     "give it"),
    ("civ_panel_create", "cli", EXEMPT, "Python builds panels from DataFrames; the command reads files"),
    ("civ_panel_add_*", "cli", EXEMPT, "Python builds panels from DataFrames; the command reads files"),
    ("civ_panel_set_*", "cli", EXEMPT, "Python builds panels from DataFrames; the command reads files"),
    ("civ_panel_series", "cli", EXEMPT, "Python reads a panel back into a DataFrame; the command writes it"),
    ("civ_panel_values", "cli", EXEMPT, "Python's zero-copy read of all values"),
    ("civ_panel_covariate", "cli", EXEMPT, "Python reads covariates back into a DataFrame"),
    ("civ_panel_n_covariates", "cli", EXEMPT, "Python reads covariates back into a DataFrame"),
    ("civ_panel_find_*", "both", EXEMPT, "per-name lookup; the clients take whole panels"),
    ("civ_panel_read", "cli", EXEMPT, "civ_panel_read_ex without options; the command always passes options"),
    ("civ_panel_read_csv*", "both", EXEMPT, "format-specific forms behind civ_panel_read_ex (by extension)"),
    ("civ_panel_write_csv*", "both", EXEMPT, "format-specific forms behind civ_panel_write_opts"),
    ("civ_panel_write", "both", EXEMPT, "civ_panel_write_opts without options"),
    ("civ_table_read_csv", "both", EXEMPT, "format-specific form behind civ_table_read"),
    ("civ_table_write_csv*", "both", EXEMPT, "format-specific forms behind civ_table_write_opts"),
    ("civ_table_write", "both", EXEMPT, "civ_table_write_opts without options"),
    # dates: Python converts pandas dates itself; the readers do it for the command
    ("civ_date_time_separator", "cli", EXEMPT, "Python keeps a frame's time form; the readers do it for the command"),
    ("civ_date_to_period", "both", EXEMPT, "a day's period for C hosts; the readers, DateSpec and "
     "civ_monitor_period_of do it"),
    ("civ_period_format", "python", EXEMPT, "Python writes periods with civ_period_format_style (frame.py)"),
    ("civ_monitor_last_period", "python", EXEMPT, "the actuals' span for C hosts: Python's tables carry their "
     "periods, and civ_monitor_period_of's errors name the span"),
    ("civ_dates_infer", "cli", EXEMPT, "Python infers a frame's frequency; the readers do it for the command"),
    # per-value accessors of results whose tables (civ_*_table) both clients take
    ("civ_forecast_result_[hlmnu]*", "cli", EXEMPT, "Python's zero-copy arrays; the command writes tables"),
    ("civ_forecast_result_first", "python", EXEMPT, "chunk offset of the command's streaming writer"),
    ("civ_forecast_result_demand", "python", EXEMPT, "Python has each series' class as report columns"),
    ("civ_forecast_report_table", "cli", EXEMPT, "the command writes it through civ_forecast_panel_write"),
    ("civ_forecast_fitted_table", "cli", EXEMPT, "the command writes it through civ_forecast_panel_write"),
    ("civ_forecast_panel_chunks", "both", EXEMPT, "the streaming loop under civ_forecast_panel_write"),
    ("civ_demand_classify", "cli", EXEMPT, "one array's class; `forecast --report` gives every series' class"),
    ("civ_backtest_result_seconds", "python", EXEMPT, "the command prints the run time"),
    ("civ_hier_result_[bhlmnu]*", "both", EXEMPT, "per-value arrays; both clients take civ_hier_result_table, and "
     "for civ_hier_reconcile_bands (no periods) the mean and bounds"),
    ("civ_hier_reconcile", "cli", EXEMPT, "the points-only form of civ_hier_reconcile_bands, which `civicast "
     "reconcile` calls (bands when the base has bounds); Python's Hierarchy.reconcile calls it"),
    ("civ_reconcile_method_name", "python", EXEMPT, "the command prints the method"),
    ("civ_alloc_compare_[aelns]*", "both", EXEMPT, "per-value accessors; both clients take the compare tables"),
    ("civ_alloc_effect_name", "both", EXEMPT, "names of the waterfall columns both clients take"),
    ("civ_alloc_uncertainty_quantile", "both", EXEMPT, "any quantile of the draws: Python keep_draws=True, the "
     "command --draws-out (P5/P50/P95 come with the tables)"),
    ("civ_alloc_uncertainty_add_columns", "python", EXEMPT, "P5/P50/P95 on the command's allocation file"),
    ("civ_alloc_result_[ap]*", "both", EXEMPT, "per-value accessors; both clients take the allocation tables"),
    ("civ_alloc_result_stage", "both", EXEMPT, "per-value accessor; both clients take the allocation tables"),
    ("civ_alloc_result_stats", "both", EXEMPT, "what civ_alloc_result_summary_stats returns with the summary"),
    ("civ_alloc_result_summary", "cli", EXEMPT, "the command takes it from civ_alloc_result_summary_stats"),
    ("civ_alloc_run", "both", EXEMPT, "bind+solve+table for C hosts; the clients need the problem (--paid)"),
    ("civ_alloc_problem_[gns]*", "both", EXEMPT, "a bound problem's factors and weights, for C hosts' what-ifs"),
    ("civ_alloc_spec_[ituv]*", "both", EXEMPT, "spec accessors for printing"),
    ("civ_alloc_spec_factor_[lw]*", "both", EXEMPT, "spec accessors for printing"),
    ("civ_alloc_spec_formula_label", "both", EXEMPT, "the allocation workbook's tilt_<formula> "
     "header (alloc/workbook.c), which both clients get from civ_alloc_workbook_write; the CSVs keep the name"),
    ("civ_alloc_spec_[nrp][!a]*", "python", EXEMPT, "the command prints the spec's pools and reserves"),
    ("civ_alloc_need_[fsy]*", "both", EXEMPT, "accessors; the need tables carry the years and standards"),
    ("civ_*_parse", "cli", EXEMPT, "a spec, need or matrix from text in memory; the command reads files"),
    ("civ_monitor_spec_[in]*", "both", EXEMPT, "accessors for printing"),
    ("civ_monitor_[fn]*", "python", EXEMPT, "accessors the command prints; Python has the tables"),
    ("civ_monitor_inactivity_[ceptf]*", "both", EXEMPT, "the detector fed one live event at a time, for a "
     "host receiving sensor events; files go through civ_monitor_inactivity_run (the same detector)"),
    ("civ_model_short_name", "cli", EXEMPT, "Python's column names"),
    ("civ_model_display_*", "cli", EXEMPT, "Python's plot legends and model names"),
    ("civ_model_display_name", "cli", EXEMPT, "the name the forecast tables already carry"),
    ("civ_plan_[!rs]*", "both", EXEMPT, "a plan's settings read back; each client reads those it shows"),
    ("civ_plan_seed", "cli", EXEMPT, "a plan's setting read back (civicast.read_plan)"),
    ("civ_plan_result_write", "both", EXEMPT, "civ_plan_result_write_opts without options"),
    ("civ_file_sha256", "both", EXEMPT, "the manifest's digests; a general helper"),
    ("civ_sha256_hex", "both", EXEMPT, "the manifest's digests; a general helper"),
]

# Commands whose Python counterpart has another name than the command's.
COMMAND_PYTHON = {"convert": ("read", "write")}

CLIENTS = ("cli", "python")


def strip_c(text):
    """C source without comments and string literals (so a mention in a message or comment is no call)."""
    return re.sub(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'',
                  lambda m: " " if m.group(0)[0] in "/" else '""', text, flags=re.S)


def public_functions(src):
    """{name: "header:line"} of every CIV_API function of the public headers."""
    out = {}
    for path in sorted(glob.glob(os.path.join(src, "engine/include/*.h"))):
        text = open(path, encoding="utf-8").read()
        for m in re.finditer(r"^CIV_API\b[^;{(]*?\b(civ_\w+)\s*\(", text, re.M):
            out[m.group(1)] = f"{os.path.relpath(path, src)}:{text.count(chr(10), 0, m.start()) + 1}"
    return out


def cli_calls(src, names):
    found = set()
    for path in glob.glob(os.path.join(src, "engine/cli/*.[ch]")):
        text = strip_c(open(path, encoding="utf-8").read())
        found |= set(re.findall(r"\b(civ_\w+)\b", text)) & names
    return found


def python_calls(src, names):
    """Calls through the ctypes library object: lib.civ_x(...), _lib.lib.civ_x, and the name templates of
    getattr(lib, "civ_%s_x" % what) expanded with the values the file loops over."""
    found = set()
    for path in glob.glob(os.path.join(src, "python-bindings/civicast/*.py")):
        text = open(path, encoding="utf-8").read()
        found |= set(re.findall(r"\b_?lib\.(civ_\w+)", text)) & names
        values = re.findall(r'"(\w+)"', " ".join(re.findall(r"for \w+ in \(([^)]*)\)", text)))
        for template in re.findall(r'getattr\(lib,\s*"(civ_%s_\w+)"', text):
            found |= {template % v for v in values} & names
    return found


def python_all(src):
    tree = ast.parse(open(os.path.join(src, "python-bindings/civicast/__init__.py"), encoding="utf-8").read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return [ast.literal_eval(e) for e in node.value.elts]
    return []


def commands(src):
    """[(name, file)] of the subcommands in engine/cli/commands.c's table."""
    table = open(os.path.join(src, "engine/cli/commands.c"), encoding="utf-8").read()
    listed = re.findall(r"&(civ_cmd_\w+)", table)
    defined = {}
    for path in glob.glob(os.path.join(src, "engine/cli/cmd_*.c")):
        text = open(path, encoding="utf-8").read()
        # the name is the first initialiser ({"info", ...}) or a designated one ({.name = "info", ...})
        for var, body in re.findall(r"const civ_cli_command (civ_cmd_\w+) = \{(.*?)\};", text, re.S):
            name = re.search(r'\.name\s*=\s*"([^"]+)"', body) or re.match(r'\s*"([^"]+)"', body)
            if name:
                defined[var] = (name.group(1), os.path.relpath(path, src))
    return [defined.get(v, (v, "?")) for v in listed]


def waived(name, client):
    """The EXCEPTIONS rows that waive `client` for function `name`."""
    return [e for e in EXCEPTIONS if fnmatch.fnmatchcase(name, e[0]) and e[1] in (client, "both")]


def open_gaps():
    return [e for e in EXCEPTIONS if e[2] == GAP]


def check_functions(src, problems):
    pub = public_functions(src)
    names = set(pub)
    calls = {"cli": cli_calls(src, names), "python": python_calls(src, names)}
    where = {"cli": "a command or flag in engine/cli/ (docs/CLI.md)",
             "python": "a function in python-bindings/civicast/ over the same call (docs/PYTHON.md)"}
    for name in sorted(pub):
        missing = [c for c in CLIENTS if name not in calls[c] and not waived(name, c)]
        if missing:
            problems.append(f"{pub[name]}: {name} is not reachable from " + " nor ".join(
                {"cli": "the command", "python": "Python"}[c] for c in missing) + "; add " +
                " and ".join(where[c] for c in missing) + ", or, if no user would call it for a capability, "
                "an EXCEPTIONS row with the reason in tests/layers/surface.py")
    for pattern, clients, kind, _ in EXCEPTIONS:
        if kind not in (EXEMPT, GAP) or clients not in CLIENTS + ("both",):
            problems.append(f"tests/layers/surface.py: the exception '{pattern}' has kind '{kind}' and clients "
                            f"'{clients}'; use exempt or gap, and cli, python or both")
        matched = [n for n in pub if fnmatch.fnmatchcase(n, pattern)]
        if not matched:
            problems.append(f"tests/layers/surface.py: the exception '{pattern}' matches no public function; "
                            "remove it")
            continue
        for client in (CLIENTS if clients == "both" else (clients,)):
            if all(n in calls[client] for n in matched):
                problems.append(f"tests/layers/surface.py: the exception '{pattern}' waives {client}, which "
                                f"calls {', '.join(sorted(matched))}; narrow or remove it")
    return len(pub), calls


def check_commands(src, problems, exported):
    cli_md = open(os.path.join(src, "docs/CLI.md"), encoding="utf-8").read()
    cmds = commands(src)
    for name, path in cmds:
        if path == "?":
            problems.append(f"engine/cli/commands.c: {name} is listed but defined in no engine/cli/cmd_*.c; define "
                            f"it there as `const civ_cli_command {name} = {{\"NAME\", \"summary\", &spec, run}};`")
            continue
        if not re.search(r"^#{2,3} `civicast " + re.escape(name) + r"\b", cli_md, re.M):
            problems.append(f"docs/CLI.md: no section for `civicast {name}` ({path}); add a heading "
                            f"'## `civicast {name} ...`' with its synopsis")
        for fn in COMMAND_PYTHON.get(name, (name,)):
            if fn not in exported:
                problems.append(f"python-bindings/civicast/__init__.py: `civicast {name}` ({path}) has no Python "
                                f"function '{fn}' in __all__; add one over the same C call, or name its "
                                "counterpart in COMMAND_PYTHON in tests/layers/surface.py")
    return cmds


def check_options(src, problems):
    """Every option of a command's table ({"--name", ...} in engine/cli/) is named somewhere in docs/."""
    docs = "".join(open(f, encoding="utf-8").read() for f in glob.glob(os.path.join(src, "docs/*.md")))
    seen = 0
    for path in sorted(glob.glob(os.path.join(src, "engine/cli/*.[ch]"))):
        # table entries, and the per-input --X-skip-rows entries made by CIV_CLI_INPUT_SKIP_ROWS_OPTION("--X-...")
        text = open(path, encoding="utf-8").read()
        for opt in sorted(set(re.findall(r'(?:\{|_OPTION\()"(--[a-z][a-z0-9-]*)"', text))):
            seen += 1
            if not re.search(re.escape(opt) + r"(?![\w-])", docs):
                problems.append(f"{os.path.relpath(path, src)}: the option {opt} is in no docs/*.md; describe it in "
                                "the command's section of docs/CLI.md (or the page that section points to)")
    return seen


def check_python_docs(src, problems, exported):
    doc = open(os.path.join(src, "docs/PYTHON.md"), encoding="utf-8").read()
    for name in exported:
        if name.startswith("__"):
            continue
        if not re.search(r"(?<![\w.])(civicast\.)?" + re.escape(name) + r"\b", doc):
            problems.append(f"docs/PYTHON.md: civicast.{name} (in __all__) is not documented; describe it there")


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    src = argv[1]
    problems = []
    exported = python_all(src)
    n_pub, calls = check_functions(src, problems)
    cmds = check_commands(src, problems, exported)
    check_python_docs(src, problems, exported)
    n_opts = check_options(src, problems)
    for p in problems:
        print(p)
    for pattern, clients, _, reason in open_gaps():
        print(f"open gap ({'the command' if clients == 'cli' else clients}): {pattern}: {reason}")
    print(f"surface: {n_pub} public functions ({len(calls['cli'])} called by the command, {len(calls['python'])} "
          f"by Python, {len(EXCEPTIONS)} exception rows), {len(cmds)} commands, {n_opts} options, "
          f"{len(exported)} Python names: "
          + (f"{len(problems)} problems" if problems else "ok"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
