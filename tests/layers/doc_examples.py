#!/usr/bin/env python3
"""doc_examples.py -- runs the examples of the documentation and checks that they still do what the docs say.

A newcomer copies a command from README.md or docs/*.md; when an option was renamed or a file moved, the copy
fails and trust goes with it.  This test runs every example the docs show, as a newcomer would, and fails
naming the doc's file and line when one no longer runs, exits otherwise than the doc says, or prints other
than the doc shows.

The convention of the docs' fenced blocks (also in docs/ARCHITECTURE.md, "Examples in the docs"):

* The info string's first word is the language; further words are attributes.  `sh`, `console` and a bare
  fence are shell blocks; `python` blocks are Python.
* Shell, prompt form: when a block has lines starting with `$ `, those lines are the commands (a line ending
  in `\\` continues on the next) and every other line, up to the next `$ `, is what the command prints (stdout
  and stderr together).  The printed lines are compared with the real output: each run of them must appear,
  in order, as consecutive lines of the output; a line `...` skips any number of lines; `...` inside a line
  matches anything; runs of spaces count as one; durations (`0.17 s`) are not compared.  A block shows
  either everything or a part: comparing starts wherever the shown part's first line appears.
* Shell, plain form: a block without `$ ` lines runs every line that starts with `civicast ` (or
  `build/<preset>/civicast `), with `\\` continuations; `#` lines are comments and other lines are not
  run by this test (cmake, pip: the install test covers them).  Plain blocks show no output.
* A command's trailing comment `# exit N` states its exit code (e.g. 6, partial success); without it the
  command must exit 0.
* `illustrative` marks a block that is shown, not run: a synopsis with placeholders (`SPEC`, `[--seed S]`),
  a config excerpt, a call with elided arguments.  Its `civicast` commands are still checked: the subcommand
  must be one `civicast --help` lists (a word that is not lowercase letters is a placeholder: a path, or
  `SUB`, after which nothing is checked), options before it global ones, and every `--option` after it one
  the subcommand's `--help` lists.  `signature` marks a Python block that shows functions with their defaults: it
  is not run, and the first `civicast.NAME(...)` call of each function in it is its signature, checked against
  inspect.signature: every parameter (but `_private` ones), in the function's order, keywords with the
  function's defaults (literals), positional names the parameters' (a literal stands for a required
  value: `"plan.toml"`).  `...` as an argument elides parameters (those shown are still checked for order
  and defaults); a comment line `# each also takes a=None, b=False` adds those keywords to every signature
  of its block.  In every Python block, run or not, each keyword argument of a `civicast.*` call must be
  a parameter of that function.
* `c` blocks compile (cc -fsyntax-only, the C API's pointer, argument-count, format and const errors as
  errors) inside a function, against engine/include/civicast.h, with the names of C_GIVEN (`panel`, `opt`)
  in scope.
* The prose is checked too (inline code spans, outside fenced blocks, within a paragraph): a span
  `civicast SUB --option ...` as an illustrative command; a span `civicast.NAME(...)` for its keywords,
  and as a signature when it looks like one (positional arguments bare names, keyword values literals, and
  no keyword, two or more, or only defaults: `civicast.settle(spec, allocation, spending, explain=False, ...)`);
  a span that calls `civ_NAME(...)` against civicast.h (argument count and kinds: `&x`, a string, a number)
  or, for a name civicast.h lacks, against the sources (an internal function).  Capitals name placeholders
  (`civicast.NAME(...)`, `civ_NAME(...)`), which are not checked.
* A Python block (not marked) runs; the blocks of one file run in order in one interpreter, sharing their
  names, as a notebook would.

The examples run in a temporary folder holding a copy of datasets/ and examples/ (so nothing is written into
the source tree: `build/demo/...` outputs land in the temporary folder), with the dev build's `civicast`
first on PATH and `import civicast` resolving to python-bindings with the build's library (CIV_LIBRARY).
`build/demo` holds what `make demo` makes (the demo plan is run once, first, into it).  Examples that need
what this test cannot have are listed in SKIPS with the reason, and reported as skipped on every run.

usage: doc_examples.py SOURCE_DIR CIVICAST [LIBRARY] [--only DOC] [--demo DIR] [--static] [--quiet]
    exit 0 when every example runs as documented, 1 naming each one that does not; --only runs one doc
    (e.g. docs/CLI.md), --demo DIR takes DIR as build/demo instead of running the demo plan, --static runs
    nothing and makes the checks alone (options, signatures, C, prose: seconds; tests/python/test_doc_checks.py
    feeds them broken docs)
"""
import functools
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

DOCS = ["README.md", "docs/CLI.md", "docs/FORECASTING.md", "docs/ALLOCATION.md", "docs/MONITORING.md",
        "docs/REPORT.md", "docs/PYTHON.md", "docs/HOSTILE_INPUTS.md", "docs/ARCHITECTURE.md",
        "datasets/README.md", "examples/spreadsheet/README.md"]   # and docs/models/*.md

# Examples this test cannot run, each with its reason: (doc file, a text of the block, reason).
SKIPS = [
]

# The demo city has 1,146 communities; automatic models and backtests over all of them take minutes of CPU.
# So a block's commands run on the whole demo city only when the block shows output (which names the
# city's counts), and every other command and the Python blocks run, as written, on a second copy whose
# datasets/demo_city/meals.csv keeps 98 communities: every series with fewer than 24 values or a missing
# month inside it (the ones behind the documented partial successes, exit 6) and every 25th other one.
# Their options, files and exit codes are checked all the same.  The demo plan (plan.toml as it stands) is
# run once, on the whole city, into build/demo of both copies, as `make demo` does, and commands running it
# share that run.

SHELL_LANGS = {"", "sh", "console", "shell", "bash"}
ILLUSTRATIVE, SIGNATURE = "illustrative", "signature"
TIMEOUT = 300
print = functools.partial(print, flush=True)


class Block:
    def __init__(self, path, line, lang, attrs, body):
        self.path, self.line, self.lang, self.attrs, self.body = path, line, lang, attrs, body

    def where(self, offset=0):
        return f"{self.path}:{self.line + 1 + offset}"


def blocks_of(root, path):
    """Every fenced block of a Markdown file: its first body line (0-based), language, attributes, body."""
    out, inside = [], None
    with open(os.path.join(root, path), encoding="utf-8") as f:
        lines = f.read().split("\n")
    for i, text in enumerate(lines):
        m = re.match(r"^\s*(```+|~~~+)\s*(.*)$", text)
        if m and inside is None:
            words = m.group(2).split()
            inside = (i + 1, words[0] if words else "", set(words[1:]), m.group(1))
            body = []
        elif m and inside is not None and m.group(1).startswith(inside[3][:3]) and not m.group(2).strip():
            out.append(Block(path, inside[0], inside[1], inside[2], body))
            inside = None
        elif inside is not None:
            body.append(text)
    return out


def prose_spans(root, path):
    """The inline code spans of a Markdown file's prose (outside fenced blocks, within a paragraph): each as
    (0-based line of its start, its text with line breaks as spaces)."""
    with open(os.path.join(root, path), encoding="utf-8") as f:
        lines = f.read().split("\n")
    fence = None
    for i, text in enumerate(lines):   # blank the fenced blocks, as blocks_of delimits them
        m = re.match(r"^\s*(```+|~~~+)\s*(.*)$", text)
        if m and fence is None:
            fence = m.group(1)
            lines[i] = ""
        elif fence is not None:
            if m and m.group(1).startswith(fence[:3]) and not m.group(2).strip():
                fence = None
            lines[i] = ""
    out, start = [], 0
    for i in range(len(lines) + 1):
        if i < len(lines) and lines[i].strip():
            continue
        para = "\n".join(lines[start:i])
        for m in re.finditer(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", para, re.S):
            out.append((start + para.count("\n", 0, m.start()), " ".join(m.group(2).split("\n")).strip()))
        start = i + 1
    return out


INLINE_COMMAND = re.compile(r"^(?:build/[\w-]+/)?civicast(?:\s|$)")
INLINE_PYTHON = re.compile(r"^civicast(?:\.dask)?\.(?![A-Z][A-Z0-9_]*\()[A-Za-z_]\w*\(")   # not NAME(


# Names the docs' C blocks use without declaring them, as the prose around them gives them: the blocks compile
# inside a function with these in scope (a block may declare its own, which shadows them).
C_GIVEN = {"panel": "civ_panel *panel", "opt": "civ_forecast_options opt"}
C_FLAGS = ["-std=gnu11", "-fsyntax-only", "-Werror=implicit-function-declaration", "-Werror=implicit-int",
           "-Werror=incompatible-pointer-types", "-Werror=int-conversion", "-Werror=discarded-qualifiers",
           "-Werror=format"]


@functools.lru_cache(maxsize=None)
def c_api(root):
    """The prototypes of civicast.h: name -> (return type, [(parameter type, is a pointer)])."""
    with open(os.path.join(root, "engine/include/civicast.h"), encoding="utf-8") as f:
        text = re.sub(r"/\*.*?\*/|//[^\n]*", " ", f.read(), flags=re.S)
    api = {}
    for m in re.finditer(r"CIV_API\s+([^;{}()]*?)\b(civ_\w+)\s*\(([^;{}]*?)\)\s*;", text, re.S):
        params = []
        for p in split_args(m.group(3)):
            p = " ".join(p.split())
            if p in ("void", ""):
                continue
            if p == "...":
                params.append(("...", False))
                continue
            typ = re.sub(r"\b\w+\s*(\[[^]]*\])?$", "", p).strip() or p
            params.append((typ, "*" in p or "[" in p))
        api[m.group(2)] = (" ".join(m.group(1).split()), params)
    return api


@functools.lru_cache(maxsize=None)
def c_identifiers(root):
    """Every civ_ name the sources and the build files define or use: where a doc's internal name must be."""
    names = set()
    for pattern in ("engine/**/*.[ch]", "models/**/*.[ch]", "python-bindings/**/*.py", "CMakeLists.txt",
                    "cmake/*", "tests/*.[ch]"):
        for q in glob.glob(os.path.join(root, pattern), recursive=True):
            with open(q, encoding="utf-8", errors="replace") as f:
                names.update(re.findall(r"\bciv_\w+", f.read()))
    return names


def split_args(text):
    """The top-level comma-separated arguments of a C argument list (strings and brackets respected)."""
    args, depth, cur, quote = [], 0, "", None
    for i, c in enumerate(text):
        if quote:
            quote = None if c == quote and text[i - 1] != "\\" else quote
        elif c in "'\"":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            args.append(cur.strip())
            cur = ""
            continue
        cur += c
    if cur.strip() or args:
        args.append(cur.strip())
    return args


def check_c_calls(text, where, root, failures):
    """The `civ_NAME(args)` calls of a span of prose: a public name (civicast.h) must be called with its
    parameters' number (an argument `...` elides) and kinds (`&x`, NULL: a pointer; "text": a char pointer;
    a number: not a pointer); another civ_ name must exist in the sources (an internal function, a CMake one)."""
    api = c_api(root)
    for m in re.finditer(r"\b(civ_(?![A-Z][A-Z0-9_]*\b)\w+)\s*\(", text):   # not a placeholder civ_NAME(
        name, depth, end, i = m.group(1), 0, None, m.end() - 1
        while i < len(text):   # the matching parenthesis, outside string literals
            c = text[i]
            if c == '"':
                i = text.find('"', i + 1)
                if i < 0:
                    break
            depth += c == "("
            depth -= c == ")"
            if depth == 0:
                end = i
                break
            i += 1
        if name not in api:
            if name not in c_identifiers(root):
                failures.append(f"{where}: {name} is neither in civicast.h nor anywhere in the sources: `{text}`")
            continue
        if end is None:
            continue
        args = split_args(re.sub(r'"(?:[^"\\]|\\.)*"', '"s"', text[m.end():end]))
        params = api[name][1]
        if any(a in ("...", "…") for a in args):
            continue
        variadic = any(t == "..." for t, _ in params)
        fixed = [p for p in params if p[0] != "..."]
        if len(args) != len(fixed) and not (variadic and len(args) >= len(fixed)):
            types = ", ".join(t for t, _ in params) or "void"
            failures.append(f"{where}: {name} takes {len(fixed)} argument(s) ({types} in civicast.h), the doc "
                            f"passes {len(args)}: `{text}`")
            continue
        for k, (arg, (typ, pointer)) in enumerate(zip(args, fixed)):
            wrong = ((arg.startswith("&") or arg == "NULL") and not pointer or
                     arg.startswith('"') and not re.search(r"\bchar\s*\*", typ) or
                     re.fullmatch(r"-?\d+(\.\d+)?", arg) and pointer)
            if wrong:
                failures.append(f"{where}: {name}'s argument {k + 1} is `{typ}` in civicast.h, the doc passes "
                                f"{arg}: `{text}`")


def check_c_block(block, root, failures):
    """A ```c block compiles against civicast.h (cc -fsyntax-only), inside a function given C_GIVEN."""
    body = "\n".join(block.body)
    given = "".join(f"{decl};\n" for name, decl in C_GIVEN.items() if re.search(rf"\b{name}\b", body))
    prelude = ("#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include \"civicast.h\"\n" + given +
               "void doc_example(void) {\n")
    source = prelude + f"#line {block.line + 1}\n" + body + "\n}\n"
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not compiler:
        failures.append(f"{block.where()}: no C compiler (cc) to check this block against civicast.h")
        return
    r = subprocess.run([compiler, *C_FLAGS, "-I", os.path.join(root, "engine/include"), "-x", "c", "-"],
                       input=source, capture_output=True, text=True, timeout=60)
    errors = [l for l in r.stderr.split("\n") if " error: " in l]
    if r.returncode != 0:
        shown = "\n      ".join(re.sub(r"^<stdin>:(\d+):", rf"{block.path}:\1:", l) for l in errors[:4]) or \
            r.stderr.strip()[-400:]
        failures.append(f"{block.where()}: the C block does not compile against civicast.h "
                        f"(names, arguments, types):\n      {shown}")


class Command:
    def __init__(self, block, offset, text, shown):
        self.block, self.offset, self.text, self.shown = block, offset, text, shown

    def where(self):
        return self.block.where(self.offset)


CIVICAST_LINE = re.compile(r"^(?:build/[\w-]+/)?civicast(?:\s|$)")


def commands_of(block):
    """The commands of a shell block (prompt or plain form), each with the output lines it shows."""
    lines, cmds = block.body, []
    prompt = any(l.startswith("$ ") for l in lines)
    i = 0
    while i < len(lines):
        line = lines[i]
        start = i
        if prompt:
            if not line.startswith("$ "):
                i += 1
                continue
            text = line[2:]
        else:
            if not CIVICAST_LINE.match(line.strip()):
                i += 1
                continue
            text = line.strip()
        while text.rstrip().endswith("\\") and i + 1 < len(lines):
            i += 1
            text = text.rstrip()[:-1] + " " + lines[i].strip()
        i += 1
        shown = []
        if prompt:
            while i < len(lines) and not lines[i].startswith("$ "):
                shown.append(lines[i])
                i += 1
        if CIVICAST_LINE.match(text.strip()):
            cmds.append(Command(block, start, text.strip(), shown))
    for cmd in cmds:   # a block that shows output runs on the whole demo city, all its commands
        cmd.block_shows = any(c.shown for c in cmds)
    return cmds


def split_command(text):
    """argv (the leading civicast path reduced to `civicast`) and the exit code the trailing comment states."""
    code, quote = 0, None
    for i, c in enumerate(text):   # the trailing comment: the first # outside quotes after a blank
        if quote:
            quote = None if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c == "#" and (i == 0 or text[i - 1].isspace()):
            m = re.search(r"\bexit (\d+)\b", text[i:])
            code = int(m.group(1)) if m else 0
            text = text[:i]
            break
    argv = shlex.split(text)
    argv[0] = "civicast"
    return argv, code


DURATION = re.compile(r"\d+(?:\.\d+)? (?:s|ms)\b")


def norm(line):
    return re.sub(r"\s+", " ", DURATION.sub("<time>", line)).strip()


def line_matches(shown, real):
    shown, real = norm(shown), norm(real)
    if "..." not in shown:
        return shown == real
    pattern = ".*".join(re.escape(p) for p in shown.split("..."))
    return re.fullmatch(pattern, real) is not None


def compare_output(shown, real):
    """None when the shown lines appear in the real output as the convention says, else what is missing."""
    chunks, cur = [], []
    for line in shown:
        if line.strip() == "...":
            if cur:
                chunks.append(cur)
            cur = []
        elif line.strip():
            cur.append(line)
    if cur:
        chunks.append(cur)
    real = [r for r in real.split("\n") if r.strip()]
    pos = 0
    for chunk in chunks:
        found = None
        for start in range(pos, len(real) - len(chunk) + 1):
            if all(line_matches(chunk[k], real[start + k]) for k in range(len(chunk))):
                found = start
                break
        if found is None:
            # name the first line of the chunk that does not match where its first line matches
            for start in range(pos, len(real)):
                if line_matches(chunk[0], real[start]):
                    for k in range(1, len(chunk)):
                        if start + k >= len(real) or not line_matches(chunk[k], real[start + k]):
                            got = real[start + k] if start + k < len(real) else "(end of output)"
                            return f"shown  {chunk[k].strip()!r}\n      printed {got.strip()!r}"
            return f"shown line not printed: {chunk[0].strip()!r}"
        pos = found + len(chunk)
    return None


def skipped(block):
    for path, text, reason in SKIPS:
        if block.path == path and text in "\n".join(block.body):
            return reason
    return None


def help_options(env, command, cache={}):
    """The options `civicast [COMMAND] --help` lists, and (for no command) the commands it lists."""
    if command not in cache:
        argv = ["civicast", command, "--help"] if command else ["civicast", "--help"]
        r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
        text = r.stdout + r.stderr
        cache[command] = (set(re.findall(r"--[a-z][a-z0-9-]*", text)) | {"--help"},
                          set(re.findall(r"^  ([a-z]+)  ", text, re.M)))
    return cache[command]


def check_illustrative(cmd, env, failures):
    check_command_text(cmd.text, cmd.where(), env, failures)


OPTION = re.compile(r"--[a-z][a-z0-9-]*")


def check_command_text(text, where, env, failures, inline=False):
    """A `civicast ...` command shown, not run (a synopsis, a span of prose): its subcommand must be one
    `civicast --help` lists, the options before it global ones, and every --option after it one the
    subcommand's --help lists.  A word in the subcommand's place that is not lowercase letters (`COMMAND`,
    `NAME`, `IN`, a path) is a placeholder: the options are then checked against the global --help."""
    cleaned = re.sub(r"\\?[\[\]|]", " ", text)
    try:
        argv = shlex.split(cleaned, comments=True)
    except ValueError as e:
        if not inline:
            failures.append(f"{where}: cannot split {text!r}: {e}")
            return
        argv = cleaned.split()   # prose: an apostrophe is no quote
    commands = help_options(env, "")[1]
    command, before, after = None, [], []
    for word in argv[1:]:
        if command is None and not word.startswith("-"):
            word = word.rstrip(":")   # `civicast forecast: --h needs ...`, a message of the command
            if re.fullmatch(r"[a-z][a-z-]*", word) and word not in commands:
                failures.append(f"{where}: civicast has no command {word!r} (`civicast --help` lists "
                                f"{', '.join(sorted(commands))}): `{text.strip()}`")
                return
            if re.fullmatch(r"[A-Z][A-Z0-9_]*|…|\.\.\.", word) and not before:
                return   # `civicast SUB --option`, `civicast NAME …`: whatever command, nothing to check
            command = word if word in commands else ""   # else a placeholder: the global options
            continue
        (before if command is None else after).extend(OPTION.findall(word))
    command = command or ""
    for opt in before:
        if opt not in help_options(env, "")[0]:
            failures.append(f"{where}: `civicast` has no global option {opt} (`civicast --help` does not list "
                            f"it): `{text.strip()}`")
    options = help_options(env, command)[0]
    for opt in after:
        if opt not in options:
            failures.append(f"{where}: `civicast {command or '(global)'}` has no option {opt} (its --help "
                            f"does not list it): rename it in the doc or add it to the command")


def make_small_panel(work, small):
    """A copy of work's datasets/ and examples/ whose meals.csv keeps 98 communities (above)."""
    for d in ("datasets", "examples"):
        shutil.copytree(os.path.join(work, d), os.path.join(small, d))
    os.makedirs(os.path.join(small, "build"))
    path = os.path.join(small, "datasets/demo_city/meals.csv")
    with open(path, encoding="utf-8") as f:
        header, *rows = f.read().rstrip("\n").split("\n")
    by_id = {}
    for row in rows:
        uid, ds, y = row.split(",")[:3]
        by_id.setdefault(uid, []).append((ds, y))
    keep = set()
    for k, (uid, values) in enumerate(sorted(by_id.items())):
        observed = [i for i, (ds, y) in enumerate(values) if y != ""]
        inner_gap = observed and any(values[i][1] == "" for i in range(observed[0], observed[-1]))
        if len(observed) < 24 or inner_gap or k % 25 == 0:
            keep.add(uid)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join([header] + [r for r in rows if r.split(",", 1)[0] in keep]) + "\n")
    return len(keep)


def run_command(cmd, work, env, failures, verbose, memo):
    argv, code = split_command(cmd.text)
    if not cmd.block_shows:
        work = memo["small"]
    key = (work, tuple(argv))
    if key in memo:   # the same command in another doc: one run (the outputs are deterministic)
        r = memo[key]
        if verbose:
            print(f"    same  exit {r.returncode}  {cmd.where()}  {cmd.text[:80]}")
    elif (argv[:3] == ["civicast", "plan", "datasets/demo_city/plan.toml"] and
          (len(argv) == 3 or (len(argv) == 5 and argv[3] == "--out")) and not cmd.block_shows):
        # the demo plan, run once by the setup into build/demo: its folder is copied where this one writes
        out = os.path.normpath(os.path.join(work, argv[4] if len(argv) == 5 else "build/demo"))
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(memo["demo"], out)
        r = memo["setup"]
        if verbose:
            print(f"  shared  exit {r.returncode}  {cmd.where()}  {cmd.text[:80]}")
    else:
        r = None
    if r is not None:
        check_result(cmd, code, r, failures)
        return
    t0 = time.monotonic()
    try:
        r = subprocess.run(argv, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        failures.append(f"{cmd.where()}: timed out after {TIMEOUT} s: {cmd.text}")
        return
    if verbose:
        print(f"  {time.monotonic() - t0:6.1f} s  exit {r.returncode}  {cmd.where()}  {cmd.text[:80]}"
              f"{'  (small panel)' if work == memo.get('small') else ''}")
    memo[key] = r
    check_result(cmd, code, r, failures)


def check_result(cmd, code, r, failures):
    if r.returncode != code:
        tail = "\n      ".join(r.stdout.strip().split("\n")[-4:])
        failures.append(f"{cmd.where()}: exit {r.returncode}, the doc says {code}"
                        f"{' (state another with a trailing # exit N)' if code == 0 else ''}: {cmd.text}\n"
                        f"      {tail}")
        return
    if cmd.shown:
        diff = compare_output(cmd.shown, r.stdout)
        if diff:
            failures.append(f"{cmd.where()}: the output differs from the doc's: {cmd.text}\n      {diff}")


PY_DRIVER = r'''
import ast, importlib, inspect, json, os, re, sys, traceback
import matplotlib
matplotlib.use("Agg")
import civicast
blocks = json.load(open(sys.argv[1], encoding="utf-8"))
failures = []
checked = set()
ELIDED = "__elided__"
def resolve(name):
    obj = civicast
    for part in name.split("."):
        if part == "dask" and obj is civicast:
            importlib.import_module("civicast.dask")
        obj = getattr(obj, part)
    return obj
def elide(code):
    # `...` as an argument (a signature or span that elides parameters) becomes **__elided__, valid Python
    return re.sub(r"(?<=[(,])(\s*)(?:\.\.\.|…)(\s*)(?=[,)])", r"\1**" + ELIDED + r"\2", code)
def literal(node):
    try:
        return True, ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError):
        return False, None
def same(shown, real):
    return shown == real or (isinstance(real, tuple) and isinstance(shown, (list, tuple)) and list(real) == list(shown))
def is_elided(node):
    return isinstance(node, ast.Name) and node.id == ELIDED or isinstance(node, ast.Constant) and node.value is Ellipsis
def looks_like_signature(node, params):
    # an inline span shows a signature (not a call) when its positional arguments are bare names, its keyword
    # values literals, and it names no keyword or two and more, or only shows defaults
    real = [p for p in params.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    for a in node.args:
        if is_elided(a) or isinstance(a, ast.Starred):
            break
        if not isinstance(a, ast.Name):
            return False
    kws = [k for k in node.keywords if k.arg is not None]
    for k in kws:
        ok, value = literal(k.value)
        if not ok or value is Ellipsis:
            return False
    if len(kws) >= 2 or not kws:
        return True
    k = kws[0]
    return k.arg in params and params[k.arg].default is not inspect.Parameter.empty and \
        same(literal(k.value)[1], params[k.arg].default)
def check_signature(where, name, node, params, extra):
    # a shown signature: every parameter of the function (but _private ones), in its order, with its
    # default; `...` among the arguments elides parameters (those shown are still checked)
    real = [p for p in params.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            and not p.name.startswith("_")]
    order = {p.name: i for i, p in enumerate(real)}
    elided = any(is_elided(a) or isinstance(a, ast.Starred) for a in node.args) or \
        any(k.arg is None for k in node.keywords)
    shown, bad = [], []
    for i, a in enumerate(node.args):
        if is_elided(a) or isinstance(a, ast.Starred):
            break
        if i >= len(real):
            bad.append(f"shows {len(node.args)} positional arguments, it takes {len(real)} parameters")
            break
        if isinstance(a, ast.Name) and a.id != real[i].name:
            bad.append(f"shows `{a.id}` where its parameter {i + 1} is `{real[i].name}`")
        shown.append(real[i].name)
    for k in list(node.keywords) + extra:
        if k.arg is None or k.arg not in params:
            continue   # unknown keywords: reported by the keyword check
        shown.append(k.arg)
        default = params[k.arg].default
        if default is inspect.Parameter.empty:
            continue
        ok, value = literal(k.value)
        if not ok:
            bad.append(f"shows {k.arg}={ast.unparse(k.value)}, its default is {default!r}")
        elif not same(value, default):
            bad.append(f"shows {k.arg}={value!r}, its default is {default!r}")
    at = [order[n] for n in shown if n in order]
    for a, b in zip(at, at[1:]):
        if b <= a:
            bad.append(f"shows {real[a].name}= before {real[b].name}=, the function takes "
                       f"{'them' if b < a else 'it'} in the order {', '.join(p.name for p in real)}")
            break
    missing = [p.name for p in real if p.name not in shown]
    if missing and not elided:
        bad.append(f"does not show {', '.join(m + '=' for m in missing)} (show every parameter, in order, "
                   f"or elide with `...`)")
    for msg in bad:
        failures.append(f"{where}: the signature of civicast.{name} {msg}")
def also_takes(code):
    # a signature block's comment `# each also takes a=1, b=None`: keywords every signature of the block has
    extra = []
    for m in re.finditer(r"^\s*#\s*each also takes\s+(.*)$", code, re.M):
        text = re.sub(r"\s*\([^()]*\)\s*$", "", m.group(1))
        extra += ast.parse(f"f({text})").body[0].value.keywords
    return extra
for b in blocks:
    code = elide(b["code"]) if b["signature"] or b.get("inline") else b["code"]
    try:
        tree = ast.parse(code)
    except SyntaxError as e:
        if b.get("inline"):
            continue   # a span that is no Python call (`h=, windows=`, `a | b`): not checked
        failures.append(f"{b['path']}:{b['line'] + (e.lineno or 1) - 1}: not Python: {e.msg}"); continue
    extra = also_takes(b["code"]) if b["signature"] else []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        chain, f = [], node.func
        while isinstance(f, ast.Attribute):
            chain.append(f.attr); f = f.value
        if not (isinstance(f, ast.Name) and f.id == "civicast"):
            continue
        name = ".".join(reversed(chain))
        where = f"{b['path']}:{b['line'] + node.lineno - 1}"
        try:
            fn = resolve(name)
        except AttributeError:
            failures.append(f"{where}: civicast.{name} does not exist"); continue
        try:
            sig = inspect.signature(fn)
        except (TypeError, ValueError):
            continue
        params = sig.parameters
        first_call = (name, id(b)) not in checked
        checked.add((name, id(b)))
        var_kw = any(p.kind == p.VAR_KEYWORD for p in params.values())
        for kw in node.keywords:
            if kw.arg is not None and kw.arg not in params and not var_kw:
                failures.append(f"{where}: civicast.{name} has no parameter {kw.arg}= "
                                f"(it takes {', '.join(params)})")
        if (b["signature"] and first_call) or (b.get("inline") and looks_like_signature(node, params)):
            check_signature(where, name, node, params, extra)
ns = {"__name__": "__doc_example__"}
for b in blocks:
    if not b["run"]:
        continue
    try:
        exec(compile(b["code"], b["where"], "exec"), ns)
    except Exception as e:
        tb = traceback.extract_tb(e.__traceback__)
        line = next((fr.lineno for fr in reversed(tb) if fr.filename == b["where"]), 1)
        first = str(e).splitlines()[0] if str(e) else ""
        failures.append(f"{b['path']}:{b['line'] + line - 1}: {type(e).__name__}: {first}")
    print(f"  python {b['where']}", flush=True)
json.dump(failures, open(sys.argv[2], "w", encoding="utf-8"))
'''


def run_python(path, blocks, work, env, failures, verbose, spans=(), run=True):
    """Runs a doc's Python blocks in order in one interpreter (not with run=False) and checks the calls of
    civicast.* they and the doc's inline spans (line, text) show: keywords, and the signatures shown."""
    spec = [{"where": b.where(), "path": b.path, "line": b.line + 1, "code": "\n".join(b.body),
             "run": run and not (b.attrs & {ILLUSTRATIVE, SIGNATURE}), "signature": SIGNATURE in b.attrs}
            for b in blocks]
    spec += [{"where": f"{(span + (path,))[2]}:{span[0] + 1}", "path": (span + (path,))[2], "line": span[0] + 1,
              "code": span[1], "run": False, "signature": False, "inline": True} for span in spans]
    import json
    # the driver's files in a folder of their own: `work` may be the shared temp folder, and two checks at once
    # (ctest -j2 runs this script beside tests/python/test_doc_checks.py) read each other's blocks otherwise
    own = tempfile.mkdtemp(prefix="civ-doc-py-")
    src, res = os.path.join(own, ".doc_blocks.json"), os.path.join(own, ".doc_failures.json")
    with open(src, "w", encoding="utf-8") as f:
        json.dump(spec, f)
    driver = os.path.join(own, ".doc_driver.py")
    with open(driver, "w", encoding="utf-8") as f:
        f.write(PY_DRIVER)
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, driver, src, res], cwd=work, env=env, capture_output=True, text=True,
                       timeout=TIMEOUT)
    if verbose:
        print(f"  {time.monotonic() - t0:6.1f} s  python blocks of {path}")
    if r.returncode != 0 or not os.path.exists(res):
        failures.append(f"{path}: the Python blocks did not run: {r.stderr.strip()[-600:]}")
    else:
        with open(res, encoding="utf-8") as f:
            failures.extend(json.load(f))
    shutil.rmtree(own, ignore_errors=True)


def check_doc(root, path, env, failures, counts, skips, verbose, memo=None, spans_later=None):
    """Every example of one doc: its blocks (run, unless memo is None: then only checked, as --static does),
    its ```c blocks compiled, and the `civicast ...` commands, `civicast.*(...)` Python calls and `civ_*(...)`
    C calls of its prose checked against the command's --help, the Python functions and civicast.h.  The
    Python spans of a doc without Python blocks go to spans_later (one interpreter checks them all)."""
    py_blocks = []
    for block in blocks_of(root, path):
        reason = skipped(block)
        if reason:
            skips.append(f"{block.where()}: {reason}")
            continue
        if block.lang == "python":
            py_blocks.append(block)
            counts["python"] += 1
        elif block.lang == "c":
            counts["c"] += 1
            check_c_block(block, root, failures)
        elif block.lang in SHELL_LANGS:
            for cmd in commands_of(block):
                if block.attrs & {ILLUSTRATIVE} or memo is None:
                    counts["illustrative"] += 1
                    check_illustrative(cmd, env, failures)
                else:
                    counts["commands"] += 1
                    counts["shown"] += bool(cmd.shown)
                    run_command(cmd, memo["work"], env, failures, verbose, memo)
    py_spans = []
    for line, text in prose_spans(root, path):
        where = f"{path}:{line + 1}"
        if INLINE_COMMAND.match(text):
            counts["inline"] += 1
            check_command_text(text, where, env, failures, inline=True)
        elif INLINE_PYTHON.match(text):
            counts["inline"] += 1
            py_spans.append((line, text))
        if "civ_" in text:
            check_c_calls(text, where, root, failures)
    if py_spans and not py_blocks and spans_later is not None:
        spans_later.extend((path, line, text) for line, text in py_spans)
    elif py_blocks or py_spans:
        work = memo["small"] if memo else tempfile.gettempdir()
        run_python(path, py_blocks, work, env, failures, verbose, spans=py_spans, run=memo is not None)


def check_spans_later(spans, env, failures, verbose):
    """The Python spans check_doc left for later, checked in one interpreter."""
    if spans:
        run_python("the docs' prose", [], tempfile.gettempdir(), env, failures, verbose,
                   spans=[(line, text, path) for path, line, text in spans], run=False)


def doc_environment(root, cli, library, work):
    """The environment the examples run in: the build's civicast first on PATH (a link in work/.bin), the
    build's library for `import civicast` over python-bindings/."""
    bindir = os.path.join(work, ".bin")
    os.makedirs(bindir, exist_ok=True)
    if not os.path.exists(os.path.join(bindir, "civicast")):
        os.symlink(cli, os.path.join(bindir, "civicast"))
    env = dict(os.environ)
    if "OPENBLAS_CORETYPE" not in env and avx2():   # the kernel the docs' figures were measured with
        env["OPENBLAS_CORETYPE"] = "Haswell"        # (docs/FORECASTING.md, "Same results on another machine")
    env.update(PATH=bindir + os.pathsep + env.get("PATH", ""), CIV_LIBRARY=library, MPLBACKEND="Agg",
               PYTHONPATH=os.path.join(root, "python-bindings"), OMP_NUM_THREADS=env.get("OMP_NUM_THREADS", "2"))
    return env


def new_counts():
    return {"commands": 0, "illustrative": 0, "python": 0, "shown": 0, "c": 0, "inline": 0}


def check_static(root, cli, library, docs):
    """The checks that run nothing (--static): commands' options against --help, Python calls and signatures
    against the functions, C blocks and calls against civicast.h.  Returns (failures, counts)."""
    failures, skips, counts = [], [], new_counts()
    cli, library = os.path.abspath(cli), os.path.abspath(library)
    work = tempfile.mkdtemp(prefix="civ-doc-static-")
    try:
        env = doc_environment(root, cli, library, work)
        later = []
        for path in docs:
            check_doc(root, path, env, failures, counts, skips, False, spans_later=later)
        check_spans_later(later, env, failures, False)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return failures, counts


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    only = argv[argv.index("--only") + 1] if "--only" in argv else None
    demo = argv[argv.index("--demo") + 1] if "--demo" in argv else None
    for value in (only, demo):
        if value in args:
            args.remove(value)
    demo = os.path.abspath(demo) if demo else None
    verbose = "--quiet" not in argv
    if len(args) < 2:
        print(__doc__[__doc__.index("usage:"):].strip(), file=sys.stderr)
        return 2
    root, cli = os.path.abspath(args[0]), os.path.abspath(args[1])
    library = os.path.abspath(args[2]) if len(args) > 2 else os.path.join(os.path.dirname(cli), "libcivicast.so")
    failures, skips, counts = [], [], new_counts()

    models = [os.path.relpath(q, root) for q in glob.glob(os.path.join(root, "docs/models/*.md"))]
    docs = DOCS + sorted(p for p in models if p not in DOCS)
    docs = [d for d in dict.fromkeys(docs) if os.path.exists(os.path.join(root, d))]
    if only:
        docs = [d for d in docs if d == only]
    if "--static" in argv:
        failures, counts = check_static(root, cli, library, docs)
        report(failures, [], counts)
        return 1 if failures else 0

    work = tempfile.mkdtemp(prefix="civ-doc-examples-")
    env = doc_environment(root, cli, library, work)
    status_before = git_status(root)
    try:
        for d in ("datasets", "examples"):
            shutil.copytree(os.path.join(root, d), os.path.join(work, d),
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        os.makedirs(os.path.join(work, "build"))
        # build/demo: what `make demo` makes, which the docs read (e.g. build/demo/forecasts.csv)
        t0 = time.monotonic()
        if demo:   # --demo DIR: a folder the demo plan made (with this build), to iterate on the docs faster
            shutil.copytree(demo, os.path.join(work, "build/demo"))
            r = subprocess.CompletedProcess(["civicast", "plan"], 0, stdout="")
        else:
            try:   # the dev build's plan: ~60 s idle, several minutes beside a parallel ctest
                r = subprocess.run(["civicast", "plan", "datasets/demo_city/plan.toml"], cwd=work, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   timeout=2 * TIMEOUT)
            except subprocess.TimeoutExpired as e:
                out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
                r = subprocess.CompletedProcess(e.cmd, 124, stdout=out + f"\n(timed out after {2 * TIMEOUT} s)")
        memo = {"work": work, "small": os.path.join(work, ".small"), "setup": r,
                "demo": os.path.join(work, ".demo")}
        make_small_panel(work, memo["small"])
        if os.path.isdir(os.path.join(work, "build/demo")):
            shutil.copytree(os.path.join(work, "build/demo"), memo["demo"])
            shutil.copytree(memo["demo"], os.path.join(memo["small"], "build/demo"))
        if verbose:
            print(f"  {time.monotonic() - t0:6.1f} s  exit {r.returncode}  setup: the demo plan into build/demo")
        if r.returncode != 0:
            failures.append(f"setup: `civicast plan datasets/demo_city/plan.toml` exited {r.returncode}: "
                            f"{r.stdout.strip()[-400:]}")
        later = []
        for path in docs:
            check_doc(root, path, env, failures, counts, skips, verbose, memo, later)
        check_spans_later(later, env, failures, verbose)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if status_before is not None and git_status(root) != status_before:
        failures.append("the examples wrote into the source tree (or the tree was edited or committed while this "
                        "test ran: then run it again): git status changed from\n"
                        f"{status_before}\nto\n{git_status(root)}")
    report(failures, skips, counts)
    return 1 if failures else 0


def report(failures, skips, counts):
    for s in skips:
        print(f"skipped {s}")
    print(f"doc examples: {counts['commands']} commands run ({counts['shown']} with output compared), "
          f"{counts['illustrative']} shown commands' options checked, {counts['python']} Python blocks, "
          f"{counts['c']} C blocks compiled, {counts['inline']} commands and calls in prose checked, "
          f"{len(skips)} skipped")
    for f in failures:
        print(f"FAIL {f}")
    if failures:
        print(f"{len(failures)} doc example(s) do not run as documented (convention: tests/layers/doc_examples.py)")


def avx2():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            return " avx2" in f.read()
    except OSError:
        return False


def git_status(root):
    try:
        r = subprocess.run(["git", "-C", root, "status", "--porcelain", "--untracked-files=all"],
                           capture_output=True, text=True, timeout=60)
        return r.stdout if r.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


if __name__ == "__main__":
    import signal
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))   # the temporary folder is removed (finally)
    sys.exit(main(sys.argv))
