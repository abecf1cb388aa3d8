"""_hdf5_probe.py -- reads an .h5/.hdf5 file in a fresh child process, which
writes what it read to a private temporary folder with civicast's own writer;
civicast.read then reads that clean copy (the Python side of
engine/cli/hdf5_guard.c, which is the reference behaviour).

Why: libhdf5 1.10.8 (Debian 12) itself crashes or loops forever on some
damaged files (docs/HOSTILE_INPUTS.md, "HDF5"; tests/fuzz/crashers/hdf5-lib).
A crash inside the library cannot be caught in the process, and in a Jupyter
kernel or a Dask worker it would take the whole host down.  So this process
never hands an untrusted file to libhdf5: when the child dies by a signal,
exits abnormally or does not finish within the time limit, the file is
refused with civicast.Error (status CIV_ERR_IO, file=path); an ordinary
civicast error in the child comes back whole (its civ_error structure, on the
child's stdout).  Re-reading the original after a successful check would not
do: some of libhdf5's faults are wild reads whose outcome depends on the
address layout, so a file can pass in the child and crash the caller.

The child is a new interpreter started with subprocess.run (never os.fork or
multiprocessing: the host may have threads, daemonic processes or an event
loop that a fork would copy in a broken state).  It runs `python -I -S -c
_CHILD`, loads the same shared library with ctypes (the parent passes the
path it loaded) and imports nothing else: no numpy, no pandas, not this
package.

Settings (as the command, docs/CLI.md and docs/PYTHON.md):
  CIV_HDF5_GUARD=fork|on|1|""      guard on (the default); off|0: off
  CIV_HDF5_GUARD_TIMEOUT=SECONDS   whole seconds 1..86400; default 30 s + 1 s
                                   per 4 MiB of file
Cost: a read and a write in the child, a read here, an interpreter start (tens
of ms), and the copy's disk space in the temporary folder while it is read.
"""
import contextlib
import ctypes
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile

from . import _lib
from ._lib import Error

# The child's exit codes: 0 read fine, CLEAN_ERROR an ordinary civicast error
# (the same as the command's GUARD_CLEAN_ERROR), SETUP_FAILED the child could
# not load the library (not a verdict on the file).  Anything else, or a
# signal, is a failure inside libhdf5.
CLEAN_ERROR = 75
SETUP_FAILED = 76

# Run as `python -I -S -c _CHILD LIBRARY KIND PATH SECONDS SCHEMA_CODE COPY
# ERROR_SIZE`.  KIND is "panel", "table" or "auto" (panel, then table when the
# panel read fails with CIV_ERR_SCHEMA: what civicast.read(kind=None) does; if
# both fail, the panel's error is the one reported).  On success the child
# writes the copy to COPY and prints the kind it wrote; on a civicast error it
# writes the civ_error structure (ERROR_SIZE bytes) to stdout and exits
# CLEAN_ERROR.  The alarm is a backstop for an orphaned child; the parent's
# timeout fires first.
_CHILD = r"""
import ctypes, signal, sys
lib_path, kind, path, seconds, schema, copy, err_size = sys.argv[1:8]
try:
    if hasattr(signal, "alarm"):
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.alarm(int(seconds) + 2)
    lib = ctypes.CDLL(lib_path)
    P = ctypes.c_void_p
    for what in ("panel", "table"):
        f = getattr(lib, "civ_%s_read_hdf5" % what)
        f.restype, f.argtypes = ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(P)]
        f = getattr(lib, "civ_%s_write_hdf5" % what)
        f.restype, f.argtypes = ctypes.c_int, [P, ctypes.c_char_p]
        f = getattr(lib, "civ_%s_free" % what)
        f.restype, f.argtypes = None, [P]
    lib.civ_last_error.restype, lib.civ_last_error.argtypes = ctypes.c_void_p, []
    bpath = path.encode("utf-8", "surrogateescape")
    bcopy = copy.encode("utf-8", "surrogateescape")
except BaseException:
    sys.exit(76)

def read_and_copy(what):
    obj = P()
    status = getattr(lib, "civ_%s_read_hdf5" % what)(bpath, ctypes.byref(obj))
    if status == 0:
        status = getattr(lib, "civ_%s_write_hdf5" % what)(obj, bcopy)
    getattr(lib, "civ_%s_free" % what)(obj)
    return status, ctypes.string_at(lib.civ_last_error(), int(err_size)) if status else b""

what = "table" if kind == "table" else "panel"
status, error = read_and_copy(what)
if status == int(schema) and kind == "auto":
    what = "table"
    status, _ = read_and_copy(what)
if status:
    sys.stdout.buffer.write(error)
    sys.stdout.flush()
    sys.exit(75)
sys.stdout.write(what)
sys.stdout.flush()
sys.exit(0)
"""


def is_hdf5_path(path):
    """Whether civicast reads `path` (a str) as HDF5: extension .h5 or .hdf5,
    any case, after the last '/', as engine/src/io/format.c decides (so ".h5" is one)."""
    dot = path.rfind(".")
    return dot >= 0 and "/" not in path[dot:] and path[dot:].lower() in (".h5", ".hdf5")


def guard_enabled(isolate=None):
    """Whether to probe: `isolate` True/False decides; None follows
    CIV_HDF5_GUARD (fork|on|1|"" or unset: yes; off|0: no).
    Errors: civicast.Error CIV_ERR_INVALID_ARGUMENT for another value of the
    variable; ValueError for an `isolate` that is not None/True/False."""
    if isolate is not None:
        if isolate not in (True, False):
            raise _lib.invalid(f"civicast.read: isolate must be None, True or False, got {isolate!r}")
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


@contextlib.contextmanager
def clean_copy(path, kind):
    """Reads `path` (a str naming an .h5/.hdf5 file) in a child process as
    `kind` ("panel", "table", or "auto" = panel, else table on a schema
    error) and yields (copy_path, what): a clean copy written by civicast in a
    private temporary folder, removed when the block ends, and the kind it
    holds ("panel" or "table").  Yields (path, None) when `path` is not a
    regular file (the caller's read reports that).
    Errors: the child's own civicast.Error when the file is readable by
    libhdf5 but wrong (schema, values), unchanged; civicast.Error CIV_ERR_IO
    with file=path when the child died by a signal, exited abnormally, could
    not be started, or did not finish within guard_timeout();
    CIV_ERR_INVALID_ARGUMENT for a bad CIV_HDF5_GUARD_TIMEOUT.  The child is
    killed and reaped on timeout."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        st = None
    if st is None or not stat.S_ISREG(st.st_mode):
        yield path, None
        return
    seconds = guard_timeout(st.st_size)

    def fail(message):
        return Error("CIV_ERR_IO", message, file=path)

    if not sys.executable:
        raise fail("cannot start the process that checks HDF5 files (no Python executable: "
                   "sys.executable is empty); CIV_HDF5_GUARD=off reads without it")
    try:
        folder = tempfile.mkdtemp(prefix="civicast-h5guard-")
    except OSError as e:
        raise fail(f"cannot create a temporary folder for checking HDF5 files ({e.strerror or e}); "
                   "set TMPDIR, or CIV_HDF5_GUARD=off to read without the check") from None
    try:
        copy = os.path.join(folder, "copy.h5")
        args = [sys.executable, "-I", "-S", "-c", _CHILD, _library_path(), kind, path, str(seconds),
                str(_lib.STATUS_CODES["CIV_ERR_SCHEMA"]), copy, str(ctypes.sizeof(_lib.civ_error))]
        try:
            # On timeout subprocess.run kills the child (SIGKILL) and waits for it.
            done = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, timeout=seconds, check=False)
        except subprocess.TimeoutExpired:
            raise _timeout_error(fail, seconds) from None
        except OSError as e:
            raise fail(f"cannot start the process that checks HDF5 files ({e.strerror or e}); "
                       "CIV_HDF5_GUARD=off reads without it") from None
        rc = done.returncode
        if rc == 0 and done.stdout in (b"panel", b"table"):
            try:
                yield copy, done.stdout.decode()
            except Error as e:  # an error of the block's read of the copy names the caller's file, not the copy
                raise _renamed(e, copy, path).with_traceback(e.__traceback__) from None
            return
        if rc == CLEAN_ERROR and len(done.stdout) == ctypes.sizeof(_lib.civ_error):
            raise _lib.error_from_struct(_lib.civ_error.from_buffer_copy(done.stdout))
        if rc == SETUP_FAILED:
            raise fail(f"the process that checks HDF5 files could not load {_library_path()}; "
                       "CIV_HDF5_GUARD=off reads without it")
        if rc == -signal.SIGALRM:  # the child's own backstop alarm
            raise _timeout_error(fail, seconds)
        if rc < 0:
            raise fail(f"the HDF5 library crashed reading this file (signal {-rc}, {_signal_name(-rc)}): "
                       "the file is damaged or altered; nothing was read")
        raise fail(f"the HDF5 library failed abnormally reading this file (exit status {rc}): "
                   "the file is damaged or altered; nothing was read")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _renamed(e, copy, path):
    """Error e with the clean copy's path (gone once the block ends) replaced by the file the caller gave;
    before 2026-12-07 civicast.read("p.h5", freq="QS") named /tmp/civicast-h5guard-.../copy.h5."""
    if copy not in (e.file or "") and copy not in (e.text or ""):
        return e
    return type(e)(e.status, e.message.replace(copy, path), (e.file or "").replace(copy, path), e.line, e.column,
                   e.series_id, e.field, (e.text or "").replace(copy, path) or None)


def _timeout_error(fail, seconds):
    return fail(f"reading the file did not finish within {seconds} s (libhdf5 loops forever on some "
               "damaged files); refused. For a large valid file, raise CIV_HDF5_GUARD_TIMEOUT")
