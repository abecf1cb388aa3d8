"""test_cli_usage.py -- the usage lines of every `civicast` command (the "usage: ..." synopsis at the top of
`civicast CMD --help`) name every option of its table (--help's "options:" list), and name no option the table
lacks: before 2026-12-07 --skip-rows and --sheet were in --help only, and monitor's usage named "--demand-...".
An option with an alias (--excel, --bom) counts when either name is in the usage lines.

Environment: CIV_CLI (the command).
"""
import os
import re
import subprocess

import pytest

CLI = os.environ.get("CIV_CLI", "build/dev/civicast")


def _commands():
    out = subprocess.run([CLI, "--help"], capture_output=True, text=True, check=True).stdout
    block = out.split("\ncommands:\n", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^  ([a-z]+) ", block, re.M)


def _usage_and_options(command):
    out = subprocess.run([CLI, command, "--help"], capture_output=True, text=True, check=True).stdout
    usage = out.split("\n\n", 1)[0]
    table = out.split("\noptions:\n", 1)[1].split("\n\n", 1)[0]
    # "  --name META  help", "  -j, --threads N  help", "  --bom, --excel  help": each line's names are one option
    groups = [re.findall(r"--?[\w-]+", line.split("  ", 2)[1])
              for line in table.splitlines() if re.match(r"^  -", line)]
    groups = [[n for n in g if n.startswith("-") and not n.isupper()] for g in groups]
    return usage, groups


def test_commands_found():
    assert len(_commands()) >= 12


@pytest.mark.parametrize("command", _commands() if os.path.exists(CLI) else [])
def test_usage_lines_agree_with_help(command):
    usage, groups = _usage_and_options(command)
    named = set(re.findall(r"(?<![\w-])(--?[a-z](?:[\w-]*[a-z0-9])?)", usage)) - {"--help"}
    missing = [g[0] for g in groups if not any(n in named for n in g)]
    known = {n for g in groups for n in g}
    unknown = sorted(n for n in named if n not in known)
    assert not missing, f"civicast {command}: in --help but not in its usage lines: {missing}"
    assert not unknown, f"civicast {command}: in its usage lines but not an option: {unknown}"
