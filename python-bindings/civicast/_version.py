"""The package's version, written in one place: engine/include/civicast.h.

In a source checkout it is read from that header's CIV_VERSION_MAJOR/MINOR/
PATCH lines (pyproject.toml takes it from here when the package is built);
an installed package reads what was recorded when it was built; a package
copied by hand has neither, and is None here (the package then takes the
loaded library's version).  This module stands alone (setuptools loads it
without the package) and loads no library.
"""
import os
import re

_HEADER = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                       "engine", "include", "civicast.h")


def _from_header(path):
    parts = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"#define CIV_VERSION_(MAJOR|MINOR|PATCH) ([0-9]+)\s*$", line)
            if m:
                parts[m.group(1)] = m.group(2)
    return "%s.%s.%s" % (parts["MAJOR"], parts["MINOR"], parts["PATCH"])


def _read():
    if os.path.isfile(_HEADER):
        return _from_header(_HEADER)
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("civicast")
    except PackageNotFoundError:
        return None


__version__ = _read()
