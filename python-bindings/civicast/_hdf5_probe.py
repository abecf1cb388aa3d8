"""_hdf5_probe.py -- reads an .h5/.hdf5 file once in a fresh child process
before civicast.read reads it in this one (the Python side of
engine/cli/hdf5_guard.c, which is the reference behaviour).

Why: libhdf5 1.10.8 (Debian 12) itself crashes or loops forever on some
damaged files (docs/HOSTILE_INPUTS.md, "HDF5"; tests/fuzz/crashers/hdf5-lib).
A crash inside the library cannot be caught in the process, and in a Jupyter
kernel or a Dask worker it would take the whole host down.  So the file is
first read by a child: when the child dies by a signal, exits abnormally or
does not finish within the time limit, the file is refused with
civicast.Error (status CIV_ERR_IO, file=path); only when the child survived
the read (with or without an ordinary civicast error) does the caller read it
itself, and then gets the same data or the same error.

The child is a new interpreter started with subprocess.run (never os.fork or
multiprocessing: the host may have threads, daemonic processes or an event
loop that a fork would copy in a broken state).  It runs `python -I -S -c
_CHILD`, loads the same shared library with ctypes (the parent passes the
path it loaded) and imports nothing else: no numpy, no pandas, not this
package.  Its output goes to /dev/null.

Settings (as the command, docs/CLI.md and docs/PYTHON.md):
  CIV_HDF5_GUARD=fork|on|1|""      guard on (the default); off|0: off
  CIV_HDF5_GUARD_TIMEOUT=SECONDS   whole seconds 1..86400; default 30 s + 1 s
                                   per 4 MiB of file
Cost: the file is read twice, plus an interpreter start (tens of ms).
Limit: a file replaced between the two reads is not re-checked.
"""
import os
import re
import signal
import stat
import subprocess
import sys

from . import _lib
from ._lib import Error

# The child's exit codes: 0 read fine, CLEAN_ERROR an ordinary civicast error
# (the same as the command's GUARD_CLEAN_ERROR), SETUP_FAILED the child could
# not load the library (not a verdict on the file).  Anything else, or a
# signal, is a failure inside libhdf5.
CLEAN_ERROR = 75
SETUP_FAILED = 76

# Run as `python -I -S -c _CHILD LIBRARY KIND PATH SECONDS SCHEMA_CODE`.
# KIND is "panel", "table" or "auto" (panel, then table when the panel read
# fails with CIV_ERR_SCHEMA: what civicast.read(kind=None) does).  The alarm
# is a backstop for an orphaned child; the parent's timeout fires first.
_CHILD = r"""
import ctypes, signal, sys
lib_path, kind, path, seconds, schema = sys.argv[1:6]
try:
    if hasattr(signal, "alarm"):
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.alarm(int(seconds) + 2)
    lib = ctypes.CDLL(lib_path)
    P = ctypes.c_void_p
    for name in ("civ_panel_read_hdf5", "civ_table_read_hdf5"):
        getattr(lib, name).restype = ctypes.c_int
        getattr(lib, name).argtypes = [ctypes.c_char_p, ctypes.POINTER(P)]
    for name in ("civ_panel_free", "civ_table_free"):
        getattr(lib, name).restype = None
        getattr(lib, name).argtypes = [P]
    bpath = path.encode("utf-8", "surrogateescape")
except BaseException:
    sys.exit(76)

def read(what):
    obj = P()
    status = getattr(lib, "civ_%s_read_hdf5" % what)(bpath, ctypes.byref(obj))
    getattr(lib, "civ_%s_free" % what)(obj)
    return status

status = read("table" if kind == "table" else "panel")
if status == int(schema) and kind == "auto":
    status = read("table")
sys.exit(0 if status == 0 else 75)
"""


def is_hdf5_path(path):
    """Whether civicast reads `path` (a str) as HDF5: extension .h5 or .hdf5,
    any case, after the last '/', as engine/src/io.c decides (so ".h5" is one)."""
    dot = path.rfind(".")
    return dot >= 0 and "/" not in path[dot:] and path[dot:].lower() in (".h5", ".hdf5")


def guard_enabled(isolate=None):
    """Whether to probe: `isolate` True/False decides; None follows
    CIV_HDF5_GUARD (fork|on|1|"" or unset: yes; off|0: no).
    Errors: civicast.Error CIV_ERR_INVALID_ARGUMENT for another value of the
    variable; ValueError for an `isolate` that is not None/True/False."""
    if isolate is not None:
        if isolate not in (True, False):
            raise ValueError(f"civicast.read: isolate must be None, True or False, got {isolate!r}")
        return bool(isolate)
    v = os.environ.get("CIV_HDF5_GUARD")
    if not v or v in ("fork", "on", "1"):
        return True
    if v in ("off", "0"):
        return False
    raise Error("CIV_ERR_INVALID_ARGUMENT", f"CIV_HDF5_GUARD is '{v}'; use 'fork' (the default) or 'off'")


# strtoul(v, &end, 10) with *end == '\0', as the command parses the variable.
_SECONDS = re.compile(r"[ \t\n\v\f\r]*\+?[0-9]+")


def guard_timeout(file_size):
    """Seconds the child may take: CIV_HDF5_GUARD_TIMEOUT when set and not
    empty, else 30 plus one per 4 MiB of `file_size` (bytes).
    Errors: civicast.Error CIV_ERR_INVALID_ARGUMENT when the variable is not
    a whole number of seconds from 1 to 86400."""
    v = os.environ.get("CIV_HDF5_GUARD_TIMEOUT")
    if v:
        s = int(v) if _SECONDS.fullmatch(v) else 0
        if not 1 <= s <= 86400:
            raise Error("CIV_ERR_INVALID_ARGUMENT",
                        f"CIV_HDF5_GUARD_TIMEOUT is '{v}'; use a whole number of seconds from 1 to 86400")
        return s
    return 30 + min(max(file_size, 0) // (4 << 20), 86400)


def _library_path():
    """The library the parent loaded, absolute when it was given as a path
    (a bare soname from ctypes.util.find_library is left to the loader)."""
    p = _lib.path
    return os.path.abspath(p) if os.sep in p else p


def _signal_name(num):
    try:
        return signal.Signals(num).name
    except ValueError:
        return "unknown signal"


def check_file(path, kind):
    """Reads `path` (a str naming an .h5/.hdf5 file) in a child process as
    `kind` ("panel", "table", or "auto" = panel, else table on a schema
    error).  Returns None when the child survived the read (the caller then
    reads the file itself, getting the data or the ordinary error), or when
    `path` is not a regular file (the caller's read reports that).
    Errors: civicast.Error CIV_ERR_IO with file=path when the child died by a
    signal, exited abnormally, could not be started, or did not finish within
    guard_timeout(); CIV_ERR_INVALID_ARGUMENT for a bad
    CIV_HDF5_GUARD_TIMEOUT.  The child is killed and reaped on timeout."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    seconds = guard_timeout(st.st_size)

    def fail(message):
        return Error("CIV_ERR_IO", message, file=path)

    if not sys.executable:
        raise fail("cannot start the process that checks HDF5 files (no Python executable: "
                   "sys.executable is empty); CIV_HDF5_GUARD=off reads without it")
    args = [sys.executable, "-I", "-S", "-c", _CHILD, _library_path(), kind, path, str(seconds),
            str(_lib.STATUS_CODES["CIV_ERR_SCHEMA"])]
    try:
        # On timeout subprocess.run kills the child (SIGKILL) and waits for it.
        done = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=seconds, check=False)
    except subprocess.TimeoutExpired:
        return _timeout(fail, seconds)
    except OSError as e:
        raise fail(f"cannot start the process that checks HDF5 files ({e.strerror or e}); "
                   "CIV_HDF5_GUARD=off reads without it") from None
    rc = done.returncode
    if rc in (0, CLEAN_ERROR):
        return None
    if rc == SETUP_FAILED:
        raise fail(f"the process that checks HDF5 files could not load {_library_path()}; "
                   "CIV_HDF5_GUARD=off reads without it")
    if rc == -signal.SIGALRM:  # the child's own backstop alarm
        return _timeout(fail, seconds)
    if rc < 0:
        raise fail(f"the HDF5 library crashed reading this file (signal {-rc}, {_signal_name(-rc)}): "
                   "the file is damaged or altered; nothing was read")
    raise fail(f"the HDF5 library failed abnormally reading this file (exit status {rc}): "
               "the file is damaged or altered; nothing was read")


def _timeout(fail, seconds):
    raise fail(f"reading the file did not finish within {seconds} s (libhdf5 loops forever on some "
               "damaged files); refused. For a large valid file, raise CIV_HDF5_GUARD_TIMEOUT")
