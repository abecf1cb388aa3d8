#!/usr/bin/env python3
"""locale_free.py -- the library converts text only through core/c_locale.h, so its results do not depend
on the host's locale.

A host of the library sets the locale: Python sets LC_CTYPE from the environment at start-up, a notebook or
a Qt application may set LC_NUMERIC too.  The C library's strtod and printf family then use the host's
decimal separator ("0,5" under de_DE), and strcasecmp, tolower, toupper and the is* classes its case rules
(under tr_TR, "ARIMA" and "arima" differ).  docs/ARCHITECTURE.md ("Text and the host's locale") makes
engine/src/ and models/ call core/c_locale.h instead; this script finds every call of a locale-dependent C
function there, outside comments and string literals, and names its file and line.
(engine/cli/ is a program of its own that never calls setlocale, so it runs in the "C" locale and is not
checked.)

usage: locale_free.py SOURCE_DIR     exit 1, naming each call, when one is found (the `locale_free` test)
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
    """(path, line, function) of every locale-dependent call in the library's C sources."""
    found = []
    for rel in tracked_sources(src, roots=("engine", "models"), suffixes=(".c", ".h")):
        if not rel.startswith(FOLDERS) or rel in ALLOWED:
            continue
        with open(os.path.join(src, rel), encoding="utf-8") as f:
            text = f.read()
        code = code_only(text)
        for m in CALL.finditer(code):
            if m.group(1) in SCANF and not FLOAT_CONVERSION.search(scanf_format(text, code, m)):
                continue  # integers, text and hex are read alike in every locale
            found.append((rel, code.count("\n", 0, m.start()) + 1, m.group(1)))
    return found


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    found = violations(argv[1])
    for rel, line, name in found:
        print(f"{rel}:{line}: {name}() depends on the host's locale: call {REPLACEMENT[name]} "
              f"(core/c_locale.h) instead")
    if found:
        print(f"locale_free: {len(found)} call(s) of locale-dependent C functions in the library")
        return 1
    print("locale_free: the library's sources call no locale-dependent C function")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
