"""Build hook of the civicast Python package (the metadata is in
pyproject.toml): at `pip install` time, find the installed libcivicast and
record its absolute path in civicast/_install.py, so that `import civicast`
finds it later with no environment variable (docs/PYTHON.md, "Installing").

Where it looks, in order: CIV_LIBRARY (a file); pkg-config's civicast.pc
(`pkg-config --variable=libdir civicast`: the default search path, so
`cmake --install` to /usr/local, or PKG_CONFIG_PATH=<prefix>/lib/pkgconfig
for another prefix); the installing interpreter's prefix (a virtual
environment the C library was installed into with `cmake --install build
--prefix $VIRTUAL_ENV`).  The path is recorded rather than the library
copied, so the CLI, C programs and Python share one library and an upgrade
of the C install reaches Python (the version handshake at import catches a
mismatch).  When nothing is found the package still installs and looks for
the library at import (civicast/_lib.py).
"""
import glob
import os
import subprocess
import sys

from setuptools import setup
from setuptools.command.build_py import build_py

_NAMES = ("libcivicast.so", "libcivicast.so.*")


def _in_dir(libdir):
    for pattern in _NAMES:
        found = sorted(glob.glob(os.path.join(libdir, pattern)))
        if found:
            return os.path.realpath(found[0])
    return None


def _prefix_libdirs(prefix):
    dirs = [os.path.join(prefix, "lib"), os.path.join(prefix, "lib64")]
    dirs += sorted(glob.glob(os.path.join(prefix, "lib", "*-linux-gnu")))
    return dirs


def find_installed_library():
    """(absolute path, how it was found) or (None, reasons)."""
    env = os.environ.get("CIV_LIBRARY")
    if env and os.path.isfile(env):
        return os.path.realpath(env), "CIV_LIBRARY"
    try:
        done = subprocess.run(["pkg-config", "--variable=libdir", "civicast"], capture_output=True, text=True,
                              timeout=30)
        libdir = done.stdout.strip()
        if done.returncode == 0 and libdir:
            path = _in_dir(os.path.normpath(libdir))
            if path:
                return path, "pkg-config"
    except (OSError, subprocess.SubprocessError):
        pass
    for d in _prefix_libdirs(sys.prefix):
        path = _in_dir(d)
        if path:
            return path, "the interpreter's prefix"
    return None, "not found through CIV_LIBRARY, pkg-config (civicast.pc) or " + sys.prefix


class build_py_recording_library(build_py):
    def run(self):
        super().run()
        path, how = find_installed_library()
        target = os.path.join(self.build_lib, "civicast", "_install.py")
        with open(target, "w", encoding="utf-8") as f:
            f.write('"""Written by setup.py at install time: the libcivicast the package was installed\n'
                    'against (see civicast/_lib.py)."""\n')
            f.write(f"LIBRARY = {path!r}\n")
            f.write(f"FOUND_BY = {how!r}\n")
        if path:
            print(f"civicast: recorded the library {path} (found by {how})")
        else:
            print(f"civicast: warning: libcivicast {how}; the package will look for it at import",
                  file=sys.stderr)


setup(cmdclass={"build_py": build_py_recording_library})
