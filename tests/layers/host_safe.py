#!/usr/bin/env python3
"""host_safe.py -- the library behaves the same whatever its host process does: it converts text only through
core/c_locale.h, and every parallel region takes its thread count from core/threads.h.

Locale.  A host of the library sets the locale: Python sets LC_CTYPE from the environment at start-up, a
notebook or a Qt application may set LC_NUMERIC too.  The C library's strtod and printf family then use the
host's decimal separator ("0,5" under de_DE), and strcasecmp, tolower, toupper and the is* classes its case
rules (under tr_TR, "ARIMA" and "arima" differ).  docs/ARCHITECTURE.md ("Text and the host's locale") makes
engine/src/ and models/ call core/c_locale.h instead.

Fork.  A host may fork after the library ran an OpenMP team (multiprocessing's default on Linux); GNU OpenMP's
team in the child waits for workers that were not copied.  core/threads.h runs such a child serially, so every
`#pragma omp parallel` must say num_threads(...) with a count from civ_thread_count, and nothing else may ask
OpenMP for its default (docs/ARCHITECTURE.md, "Threads and fork").

This script names, with file and line, every call of a locale-dependent C function in engine/src/ and models/
outside comments and string literals, every parallel pragma without num_threads, and every call of
omp_get_max_threads or omp_set_num_threads outside core/threads.c.  (engine/cli/ is a program of its own that
never calls setlocale and never forks, so it is not checked.)

usage: host_safe.py SOURCE_DIR     exit 1, naming each finding, when there is one (the `host_safe` test)
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from module_index import tracked_sources  # noqa: E402  (the same list of sources, untracked ones included)

# The C library's locale-dependent functions and what to call instead.
REPLACEMENT = {
    "strtod": "civ_strtod", "strtof": "civ_strtod", "strtold": "civ_strtod", "atof": "civ_strtod",
    "sscanf": "civ_strtod", "scanf": "civ_strtod", "fscanf": "civ_strtod",  # only with %f, %g, %e or %a
    "printf": "civ_fprintf", "fprintf": "civ_fprintf", "vfprintf": "civ_fprintf", "sprintf": "civ_snprintf",
    "snprintf": "civ_snprintf", "vsnprintf": "civ_vsnprintf", "vprintf": "civ_fprintf",
    "strcasecmp": "civ_ascii_casecmp", "strncasecmp": "civ_ascii_ncasecmp",
    "tolower": "civ_ascii_tolower", "toupper": "civ_ascii_toupper",
    "isalpha": "civ_ascii_isalpha", "isdigit": "civ_ascii_isdigit", "isspace": "civ_ascii_isspace",
    "isalnum": "civ_ascii_isalpha or civ_ascii_isdigit", "isupper": "a range test", "islower": "a range test",
    "isxdigit": "civ_ascii_isdigit and a range test", "ispunct": "strchr on the characters meant",
    "isprint": "a range test", "isgraph": "a range test", "iscntrl": "a range test", "isblank": "a range test",
    "strcoll": "strcmp", "strxfrm": "strcpy", "localeconv": "nothing: the library is locale-free",
    "setlocale": "nothing: the host owns the locale",
}
SCANF = ("sscanf", "scanf", "fscanf")
FLOAT_CONVERSION = re.compile(r"%\*?[0-9]*(?:l|L|ll)?[aefgAEFG]")
FIRST_LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
CALL = re.compile(r"(?<![\w.>])(" + "|".join(sorted(REPLACEMENT, key=len, reverse=True)) + r")\s*\(")
# The one module allowed to call them: it brackets each call with the "C" locale.
ALLOWED = {os.path.join("engine", "src", "core", "c_locale.c")}
# OpenMP's own thread counts: only core/threads.c asks for them.
OMP_COUNT = re.compile(r"(?<![\w.>])(omp_get_max_threads|omp_set_num_threads)\s*\(")
THREADS_HOME = os.path.join("engine", "src", "core", "threads.c")
PARALLEL = re.compile(r"#\s*pragma\s+omp\s+parallel\b((?:\\\n|[^\n])*)")
FOLDERS = (os.path.join("engine", "src") + os.sep, "models" + os.sep)


def code_only(text):
    """The text with comments and string and character literals blanked (newlines kept, so that line
    numbers stay right)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * (min(j, n) - i - 1) + (c if j < n else ""))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def scanf_format(text, code, m):
    """The format literal of a scanf-family call (its second argument for sscanf and fscanf), or '%f' when it
    is not a literal: such a call is reported."""
    start, depth = m.end(), 0
    while m.group(1) != "scanf" and start < len(code) and not (code[start] == "," and depth == 0):
        depth += {"(": 1, ")": -1}.get(code[start], 0)  # past the first argument
        start += 1
    fmt = FIRST_LITERAL.match(text[start:].lstrip(", \t\n"))
    return fmt.group(1) if fmt else "%f"


def violations(src):
    """(path, line, message) of every finding in the library's C sources."""
    found = []
    for rel in tracked_sources(src, roots=("engine", "models"), suffixes=(".c", ".h")):
        if not rel.startswith(FOLDERS) or rel in ALLOWED:
            continue
        with open(os.path.join(src, rel), encoding="utf-8") as f:
            text = f.read()
        code = code_only(text)
        def line(m):
            return code.count("\n", 0, m.start()) + 1
        for m in CALL.finditer(code):
            if m.group(1) in SCANF and not FLOAT_CONVERSION.search(scanf_format(text, code, m)):
                continue  # integers, text and hex are read alike in every locale
            found.append((rel, line(m), f"{m.group(1)}() depends on the host's locale: call "
                                        f"{REPLACEMENT[m.group(1)]} (core/c_locale.h) instead"))
        for m in PARALLEL.finditer(code):
            if "num_threads(" not in m.group(1):
                found.append((rel, line(m), "a parallel region without num_threads(...): a forked child would wait "
                                            "for its workers; take the count from civ_thread_count (core/threads.h)"))
        if rel != THREADS_HOME:
            for m in OMP_COUNT.finditer(code):
                found.append((rel, line(m), f"{m.group(1)}(): the library's thread counts come from "
                                            "civ_thread_count (core/threads.h)"))
    return found


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    found = violations(argv[1])
    for rel, line, message in found:
        print(f"{rel}:{line}: {message}")
    if found:
        print(f"host_safe: {len(found)} finding(s) in the library's sources")
        return 1
    print("host_safe: no locale-dependent call, every parallel region takes its count from civ_thread_count")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
