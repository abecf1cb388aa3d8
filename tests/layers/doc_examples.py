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
  a config excerpt, a call with elided arguments.  Its `civicast` commands are still checked: every
  `--option` they name must be one the command's `--help` lists.  `signature` marks a Python block that
  shows functions with their defaults: it is not run, and the first `civicast.NAME(...)` call of each function
  in it must show the defaults the function has.  In every Python block, run or not, each keyword
  argument of a `civicast.*` call must be a parameter of that function.
* A Python block (not marked) runs; the blocks of one file run in order in one interpreter, sharing their
  names, as a notebook would.

The examples run in a temporary folder holding a copy of datasets/ and examples/ (so nothing is written into
the source tree: `build/demo/...` outputs land in the temporary folder), with the dev build's `civicast`
first on PATH and `import civicast` resolving to python-bindings with the build's library (CIV_LIBRARY).
`build/demo` holds what `make demo` makes (the demo plan is run once, first, into it).  Examples that need
what this test cannot have are listed in SKIPS with the reason, and reported as skipped on every run.

usage: doc_examples.py SOURCE_DIR CIVICAST [LIBRARY] [--only DOC] [--demo DIR] [--quiet]
    exit 0 when every example runs as documented, 1 naming each one that does not; --only runs one doc
    (e.g. docs/CLI.md), --demo DIR takes DIR as build/demo instead of running the demo plan
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
    try:
        argv = shlex.split(re.sub(r"[\[\]|]", " ", cmd.text), comments=True)
    except ValueError as e:
        failures.append(f"{cmd.where()}: cannot split {cmd.text!r}: {e}")
        return
    commands = help_options(env, "")[1]
    words = [a for a in argv[1:] if not a.startswith("-")]
    command = words[0] if words and words[0] in commands else ""   # else a placeholder: the global options
    options = help_options(env, command)[0]
    for opt in re.findall(r"--[a-z][a-z0-9-]*", " ".join(argv[1:])):
        if opt not in options:
            failures.append(f"{cmd.where()}: `civicast {command or '(global)'}` has no option {opt} (its --help "
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
import ast, importlib, inspect, json, os, sys, traceback
import matplotlib
matplotlib.use("Agg")
import civicast
blocks = json.load(open(sys.argv[1], encoding="utf-8"))
failures = []
checked = set()
def resolve(name):
    obj = civicast
    for part in name.split("."):
        if part == "dask" and obj is civicast:
            importlib.import_module("civicast.dask")
        obj = getattr(obj, part)
    return obj
for b in blocks:
    tree = ast.parse(b["code"])
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        chain, f = [], node.func
        while isinstance(f, ast.Attribute):
            chain.append(f.attr); f = f.value
        if not (isinstance(f, ast.Name) and f.id == "civicast"):
            continue
        name = ".".join(reversed(chain))
        try:
            fn = resolve(name)
        except AttributeError:
            failures.append(f"{b['path']}:{b['line'] + node.lineno - 1}: civicast.{name} does not exist"); continue
        try:
            sig = inspect.signature(fn)
        except (TypeError, ValueError):
            continue
        params = sig.parameters
        first_call = (name, id(b)) not in checked
        checked.add((name, id(b)))
        var_kw = any(p.kind == p.VAR_KEYWORD for p in params.values())
        for kw in node.keywords:
            if kw.arg is None:
                continue
            if kw.arg not in params and not var_kw:
                failures.append(f"{b['path']}:{b['line'] + node.lineno - 1}: civicast.{name} has no parameter {kw.arg}= "
                                f"(it takes {', '.join(params)})")
            elif (b["signature"] and first_call and kw.arg in params
                  and params[kw.arg].default is not inspect.Parameter.empty):
                try:
                    shown = ast.literal_eval(kw.value)
                except ValueError:
                    continue
                real = params[kw.arg].default
                if shown != real and not (isinstance(real, tuple) and list(real) == shown):
                    failures.append(f"{b['path']}:{b['line'] + node.lineno - 1}: civicast.{name}'s {kw.arg}= defaults to "
                                    f"{real!r}, the doc shows {shown!r}")
ns = {"__name__": "__doc_example__"}
for b in blocks:
    if not b["run"]:
        continue
    try:
        exec(compile(b["code"], b["where"], "exec"), ns)
    except Exception as e:
        tb = traceback.extract_tb(e.__traceback__)
        line = next((fr.lineno for fr in reversed(tb) if fr.filename == b["where"]), 1)
        failures.append(f"{b['path']}:{b['line'] + line - 1}: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
    print(f"  python {b['where']}", flush=True)
json.dump(failures, open(sys.argv[2], "w", encoding="utf-8"))
'''


def run_python(path, blocks, work, env, failures, verbose):
    spec = [{"where": b.where(), "path": b.path, "line": b.line + 1, "code": "\n".join(b.body), "run": not (b.attrs & {ILLUSTRATIVE, SIGNATURE}),
             "signature": SIGNATURE in b.attrs} for b in blocks]
    import json
    src, res = os.path.join(work, ".doc_blocks.json"), os.path.join(work, ".doc_failures.json")
    with open(src, "w", encoding="utf-8") as f:
        json.dump(spec, f)
    driver = os.path.join(work, ".doc_driver.py")
    with open(driver, "w", encoding="utf-8") as f:
        f.write(PY_DRIVER)
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, driver, src, res], cwd=work, env=env, capture_output=True, text=True,
                       timeout=TIMEOUT)
    if verbose:
        print(f"  {time.monotonic() - t0:6.1f} s  python blocks of {path}")
    if r.returncode != 0 or not os.path.exists(res):
        failures.append(f"{path}: the Python blocks did not run: {r.stderr.strip()[-600:]}")
        return
    with open(res, encoding="utf-8") as f:
        failures.extend(json.load(f))
    os.unlink(res)


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
    failures, skips, counts = [], [], {"commands": 0, "illustrative": 0, "python": 0, "shown": 0}

    models = [os.path.relpath(q, root) for q in glob.glob(os.path.join(root, "docs/models/*.md"))]
    docs = DOCS + sorted(p for p in models if p not in DOCS)
    docs = [d for d in dict.fromkeys(docs) if os.path.exists(os.path.join(root, d))]
    if only:
        docs = [d for d in docs if d == only]

    work = tempfile.mkdtemp(prefix="civ-doc-examples-")
    bindir = os.path.join(work, ".bin")
    os.makedirs(bindir)
    os.symlink(cli, os.path.join(bindir, "civicast"))
    env = dict(os.environ)
    if "OPENBLAS_CORETYPE" not in env and avx2():   # the kernel the docs' figures were measured with
        env["OPENBLAS_CORETYPE"] = "Haswell"        # (docs/FORECASTING.md, "Same results on another machine")
    env.update(PATH=bindir + os.pathsep + env.get("PATH", ""), CIV_LIBRARY=library, MPLBACKEND="Agg",
               PYTHONPATH=os.path.join(root, "python-bindings"), OMP_NUM_THREADS=env.get("OMP_NUM_THREADS", "2"))
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
            r = subprocess.run(["civicast", "plan", "datasets/demo_city/plan.toml"], cwd=work, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=TIMEOUT)
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
        for path in docs:
            py_blocks = []
            for block in blocks_of(root, path):
                reason = skipped(block)
                if reason:
                    skips.append(f"{block.where()}: {reason}")
                    continue
                if block.lang == "python":
                    py_blocks.append(block)
                    counts["python"] += 1
                elif block.lang in SHELL_LANGS:
                    for cmd in commands_of(block):
                        if block.attrs & {ILLUSTRATIVE}:
                            counts["illustrative"] += 1
                            check_illustrative(cmd, env, failures)
                        else:
                            counts["commands"] += 1
                            counts["shown"] += bool(cmd.shown)
                            run_command(cmd, work, env, failures, verbose, memo)
            if py_blocks:
                run_python(path, py_blocks, memo["small"], env, failures, verbose)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if status_before is not None and git_status(root) != status_before:
        failures.append("the examples wrote into the source tree: git status changed from\n"
                        f"{status_before}\nto\n{git_status(root)}")
    for s in skips:
        print(f"skipped {s}")
    print(f"doc examples: {counts['commands']} commands run ({counts['shown']} with output compared), "
          f"{counts['illustrative']} illustrative commands' options checked, {counts['python']} Python blocks, "
          f"{len(skips)} skipped")
    for f in failures:
        print(f"FAIL {f}")
    if failures:
        print(f"{len(failures)} doc example(s) do not run as documented (convention: tests/layers/doc_examples.py)")
    return 1 if failures else 0


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
