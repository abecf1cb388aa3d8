#!/usr/bin/env python3
"""function_length.py -- every function fits on a screen, or its comment says why it is one piece.

The house rule (docs/ARCHITECTURE.md, "Functions"): a function whose body runs over LIMIT lines is split
into named steps, unless splitting would hurt the reader (a state machine whose states jump to each other,
a routine that follows R's code statement by statement so the two can be read side by side).  Such a
function says so in the comment right above it, with the words "one piece" and the reason, e.g.
    /* One piece: a single pass over the buffer whose states ... jump to each other. */
This script finds the functions of the C sources under engine/ and models/ and of the Python package
whose body is longer than LIMIT lines (a Python docstring does not count) and that carry no such note.

usage: function_length.py SOURCE_DIR [PATH ...]   check every source (or only those under the PATHs);
                                                  exit 1, naming each function, when one is too long
                                                  (the `function_length` test)
"""
import ast
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from module_index import ROOTS, tracked_sources  # noqa: E402  (the same list of sources)

LIMIT = 80
NOTE = re.compile(r"one piece", re.IGNORECASE)
# A C function definition's last signature line: ends with ')' (before an optional '{'), and is not a
# declaration, a macro or an initialiser.
SIGNATURE_END = re.compile(r"\)\s*(\{\s*)?$")


def comment_above(lines, first):
    """The comment blocks (/* */ or // lines, one or several in a row) that end right above index `first`."""
    block = []
    i = first - 1
    while i >= 0:
        line = lines[i].strip()
        if line.endswith("*/"):
            while i >= 0 and "/*" not in lines[i]:
                block.append(lines[i])
                i -= 1
            if i < 0:
                break
        elif not line.startswith("//"):
            break
        block.append(lines[i])
        i -= 1
    return "\n".join(reversed(block))


def c_functions(text):
    """(name, first line of the signature (1-based), body lines, comment above) for each C definition.
    The house style puts a definition's braces in column 0: '{' on its own line (or ending the signature)
    and '}' alone on the line that closes it."""
    lines = text.split("\n")
    out = []
    i = 0
    while i < len(lines):
        line = lines[i]
        opens_alone = line == "{"
        opens_inline = line[:1].isalpha() and line.endswith("{") and SIGNATURE_END.search(line)
        if not (opens_alone or opens_inline):
            i += 1
            continue
        sig_last = i - 1 if opens_alone else i
        if sig_last < 0 or not SIGNATURE_END.search(lines[sig_last]) or lines[sig_last].startswith("#"):
            i += 1
            continue
        sig_first = sig_last
        while sig_first > 0 and not lines[sig_first][:1].isalpha():
            sig_first -= 1  # continuation lines of a long parameter list are indented
        while sig_first > 0 and lines[sig_first - 1][:1].isalpha() and not lines[sig_first - 1].endswith((";", "}")):
            sig_first -= 1  # the return type on a line of its own ("static inline double")
        end = i + 1
        while end < len(lines) and lines[end] != "}":
            end += 1
        name = re.search(r"(\w+)\s*\(", " ".join(lines[sig_first:sig_last + 1]))
        out.append((name.group(1) if name else "?", sig_first + 1, end - i - 1, comment_above(lines, sig_first)))
        i = end + 1
    return out


def py_functions(text):
    """(name, first line, body lines without the docstring, docstring) for each Python def."""
    out = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        body = node.body
        doc = ast.get_docstring(node) or ""
        if doc and len(body) > 1:
            body = body[1:]
        first = body[0].lineno if body else node.lineno
        out.append((node.name, node.lineno, node.end_lineno - first + 1, doc))
    return out


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    src = argv[1]
    bad = []
    roots = tuple(argv[2:]) or ROOTS
    for f in (f for f in tracked_sources(src, roots, (".c", ".py")) if f.startswith(ROOTS)):
        with open(os.path.join(src, f), encoding="utf-8") as fh:
            text = fh.read()
        found = c_functions(text) if f.endswith(".c") else py_functions(text)
        for name, line, n, note in found:
            if n > LIMIT and not NOTE.search(note):
                bad.append(f"{f}:{line}: {name} has {n} lines (at most {LIMIT}): split it into named steps, "
                           f"or say in the comment above it why it is one piece (\"One piece: ...\")")
    for b in bad:
        print(b)
    if bad:
        print(f"{len(bad)} function(s) too long without a reason (docs/ARCHITECTURE.md, \"Functions\")")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
