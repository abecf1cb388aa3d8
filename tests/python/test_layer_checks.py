"""test_layer_checks.py -- the house checks module_index.py and function_length.py see a new file before it is
added to git; surface.py finds a new command written with designated initialisers.

Both scripts list the sources with `git ls-files`; they listed only tracked files, so a newcomer's new
models/<family>.c without its purpose comment, or with a function of 200 lines, passed the checks (the build
compiles it all the same, through the CMake globs) and failed only once committed.  Here a tiny repository
with one tracked file and one new, untracked file goes through each script: the new file must be named.
And surface.py must find a command however its civ_cli_command is initialised.
"""
import importlib.util
import pathlib
import shutil
import subprocess
import sys

import pytest

SOURCE = pathlib.Path(__file__).resolve().parents[2]
LAYERS = SOURCE / "tests/layers"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def repo(tmp_path, new_file, text):
    """A git repository with engine/core/ok.c tracked, docs/MODULES.md as module_index writes it, and
    new_file (untracked) holding text."""
    root = tmp_path / "src"
    (root / "engine/core").mkdir(parents=True)
    (root / "docs").mkdir()
    (root / "engine/core/ok.c").write_text("/* ok.c -- layer: core.  A tracked file. */\nint ok(void) { return 0; }\n")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "engine"], check=True)
    subprocess.run([sys.executable, str(LAYERS / "module_index.py"), str(root)], check=True)
    (root / new_file).write_text(text)
    return root


def run(script, *args):
    return subprocess.run([sys.executable, str(LAYERS / script), *map(str, args)], capture_output=True, text=True)


def test_module_index_names_an_untracked_file_without_purpose_comment(tmp_path):
    root = repo(tmp_path, "engine/core/new.c", "int new_thing(void) { return 1; }\n")
    r = run("module_index.py", root, "--check")
    assert r.returncode == 1
    assert "engine/core/new.c" in r.stderr and "/* new.c -- layer: LAYER." in r.stderr


def test_module_index_asks_for_the_page_of_an_untracked_file(tmp_path):
    root = repo(tmp_path, "engine/core/new.c", "/* new.c -- layer: core.  A new file. */\n")
    r = run("module_index.py", root, "--check")
    assert r.returncode == 1 and "stale" in r.stderr
    assert run("module_index.py", root).returncode == 0
    assert "| `new.c` | A new file. |" in (root / "docs/MODULES.md").read_text()
    assert run("module_index.py", root, "--check").returncode == 0


def test_function_length_names_a_long_function_of_an_untracked_file(tmp_path):
    body = "".join(f"    x += {i};\n" for i in range(90))
    root = repo(tmp_path, "engine/core/long.c", f"/* long.c */\nint long_one(int x)\n{{\n{body}    return x;\n}}\n")
    r = run("function_length.py", root)
    assert r.returncode == 1
    assert "engine/core/long.c:2: long_one has" in r.stdout


def test_surface_finds_a_command_defined_with_designated_initialisers(tmp_path):
    """A new command written as {.name = "hello", ...} (as the model type objects are) is found; it was reported
    as 'defined in no engine/cli/cmd_*.c'."""
    spec = importlib.util.spec_from_file_location("surface", LAYERS / "surface.py")
    surface = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(surface)
    cli = tmp_path / "engine/cli"
    cli.mkdir(parents=True)
    (cli / "commands.c").write_text("const civ_cli_command *const civ_cli_commands[] = {&civ_cmd_info, "
                                    "&civ_cmd_hello, &civ_cmd_gone, NULL};\n")
    (cli / "cmd_info.c").write_text('const civ_cli_command civ_cmd_info = {\n    "info",\n    "summary", &s, run};\n')
    (cli / "cmd_hello.c").write_text('const civ_cli_command civ_cmd_hello = {\n    .summary = "say hello",\n'
                                     '    .name = "hello", .spec = &s, .run = run,\n};\n')
    assert surface.commands(str(tmp_path)) == [("info", "engine/cli/cmd_info.c"), ("hello", "engine/cli/cmd_hello.c"),
                                               ("civ_cmd_gone", "?")]


def test_layer_rules_name_a_layer_folder_missing_from_their_tables(tmp_path):
    """check.py (ctest layer_rules) proves the rules of the layers in its tables only; a new engine/src/<name>/
    left out of them was never checked.  Now it is named."""
    spec = importlib.util.spec_from_file_location("check", LAYERS / "check.py")
    check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check)
    assert check.unlisted_folders(str(SOURCE)) == []
    for folder, files in (("core", ["table.c"]), ("budget", ["budget.c", "budget.h"]), ("notes", ["README"])):
        (tmp_path / "engine/src" / folder).mkdir(parents=True)
        for f in files:
            (tmp_path / "engine/src" / folder / f).write_text("")
    assert check.unlisted_folders(str(tmp_path)) == ["engine/src/budget/"]
