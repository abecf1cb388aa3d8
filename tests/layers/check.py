#!/usr/bin/env python3
"""check.py -- proves the layer rules of docs/ARCHITECTURE.md on a real build.

For every layer (and the CLI) it takes the compile command CMake uses for one
of the layer's own sources (compile_commands.json) and compiles a one-line
probe that includes a header of every other layer.  A header of a permitted
layer must compile; a header of a forbidden layer must fail.  Both directions
are checked, so the test fails if someone widens a layer's include folders
(the rule would no longer be enforced) or breaks the build's own layering.

usage: check.py BUILD_DIR
"""
import json
import os
import shlex
import subprocess
import sys
import tempfile

# One header that only its own layer's folder holds.
HEADERS = {
    "core": "table.h",
    "io": "csv.h",
    "models": "model.h",
    "numerics": "decompose.h",
    "forecast": "forecast.h",
    "alloc": "alloc.h",
    "monitor": "monitor.h",
    "plan": "plan.h",
    "report": "report_page.h",
    "stream": "stream.h",
    "hier": "hier.h",
}
# Folder (relative to the source root) whose sources stand for each client.
SOURCES = {
    "core": "engine/src/core/",
    "io": "engine/src/io/",
    "models": "models/",
    "forecast": "engine/src/forecast/",
    "alloc": "engine/src/alloc/",
    "monitor": "engine/src/monitor/",
    "plan": "engine/src/plan/",
    "report": "engine/src/report/",
    "stream": "engine/src/stream/",
    "hier": "engine/src/hier/",
    "cli": "engine/cli/",
}
ALLOWED = {
    "core": {"core"},
    "io": {"core", "io"},
    "models": {"core", "models", "numerics"},
    "forecast": {"core", "models", "numerics", "forecast"},
    "alloc": {"core", "io", "alloc"},
    "monitor": {"core", "io", "monitor"},
    "plan": {"core", "io", "plan"},  # forecast and alloc through civicast.h
    "report": {"core", "io", "report"},
    "stream": {"core", "io", "stream"},  # forecast through civicast.h
    "hier": {"core", "io", "hier"},  # forecast through civicast.h
    "cli": set(),  # the public header only
}


def command_for(entries, root, folder):
    for e in entries:
        rel = os.path.relpath(e["file"], root)
        if rel.startswith(folder) and rel.endswith(".c") and "/" not in rel[len(folder):]:
            return e
    return None


def probe(entry, header, tmp):
    args = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        if a in ("-o", "-c"):
            skip = True
            continue
        if a.startswith("-o") and len(a) > 2 or a == entry["file"] or a.startswith("-MF") or a in ("-MD", "-MT", "-MF"):
            continue
        out.append(a)
    src = os.path.join(tmp, "probe.c")
    with open(src, "w") as f:
        f.write('#include "%s"\nint civ_layer_probe;\n' % header)
    r = subprocess.run(out + ["-fsyntax-only", src], cwd=entry["directory"], capture_output=True, text=True)
    return r.returncode == 0, r.stderr


def unlisted_folders(root):
    """Folders of engine/src/ with C sources that SOURCES does not list: a new layer nobody checks."""
    base = os.path.join(root, "engine", "src")
    listed = set(SOURCES.values())
    return sorted("engine/src/%s/" % d for d in os.listdir(base)
                  if os.path.isdir(os.path.join(base, d)) and "engine/src/%s/" % d not in listed
                  and any(n.endswith(".c") for n in os.listdir(os.path.join(base, d))))


def main():
    build = sys.argv[1]
    with open(os.path.join(build, "compile_commands.json")) as f:
        entries = json.load(f)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    failures, checked = [], 0
    for folder in unlisted_folders(root):
        checked += 1
        failures.append("%s is in no table of tests/layers/check.py: add the layer to SOURCES, HEADERS (a header "
                        "only it holds) and ALLOWED (docs/ARCHITECTURE.md, \"A new capability layer\")" % folder)
    with tempfile.TemporaryDirectory() as tmp:
        for client, folder in SOURCES.items():
            entry = command_for(entries, root, folder)
            if entry is None:
                failures.append("%s: no compile command for a source in %s" % (client, folder))
                continue
            ok, _ = probe(entry, "civicast.h", tmp)
            if not ok:
                failures.append("%s: cannot include the public header civicast.h" % client)
            for layer, header in HEADERS.items():
                ok, err = probe(entry, header, tmp)
                checked += 1
                want = layer in ALLOWED[client] or (client == layer)
                if ok != want:
                    failures.append("%s including %s (layer %s): %s" % (
                        client, header, layer, "compiled but the rule forbids it" if ok else
                        "failed but the rule allows it:\n" + err.strip()[:400]))
    for f in failures:
        print("layer rule:", f)
    print("%d passed, %d failed" % (checked - len(failures), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
