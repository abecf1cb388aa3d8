"""test_hdf5_guard.py -- civicast.read reads .h5/.hdf5 files in a child
process first (python-bindings/civicast/_hdf5_probe.py, the Python side of
engine/cli/hdf5_guard.c): files on which libhdf5 itself crashes or loops
forever (tests/fuzz/crashers/hdf5-lib) give civicast.Error instead of killing
or hanging this process; valid files read the same with and without the
probe; ordinary damage gives the ordinary error; CIV_HDF5_GUARD and
CIV_HDF5_GUARD_TIMEOUT are parsed as by the command, and "off" skips the
child.

Environment as the other Python tests (tests/CMakeLists.txt): CIV_LIBRARY,
CIV_SOURCE_DIR, PYTHONPATH=python-bindings.
"""
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import civicast
from civicast import _hdf5_probe, _lib

SOURCE = Path(os.environ.get("CIV_SOURCE_DIR", Path(__file__).resolve().parents[2]))
DEMO = SOURCE / "datasets" / "demo_city"
CRASHERS = SOURCE / "tests" / "fuzz" / "crashers" / "hdf5-lib"
FIXTURES = sorted(p for p in CRASHERS.iterdir() if p.is_file() and p.name != "README.md")
TIMEOUT = 3  # CIV_HDF5_GUARD_TIMEOUT for the crasher tests (hang_* loop forever)


@pytest.fixture(autouse=True)
def default_guard(monkeypatch):
    """Every test starts from the default settings, whatever the caller's
    environment holds."""
    monkeypatch.delenv("CIV_HDF5_GUARD", raising=False)
    monkeypatch.delenv("CIV_HDF5_GUARD_TIMEOUT", raising=False)


@pytest.fixture(scope="module")
def meals():
    return pd.read_csv(DEMO / "meals.csv", keep_default_na=False, na_values=[""],
                       float_precision="round_trip", dtype={"unique_id": str, "ds": str})


@pytest.fixture(scope="module")
def small_h5(meals, tmp_path_factory):
    """A valid panel .h5 (8 series of the demo city) written by civicast."""
    ids = sorted(meals["unique_id"].unique())[:8]
    path = tmp_path_factory.mktemp("guard") / "small.h5"
    civicast.write(meals[meals["unique_id"].isin(ids)].reset_index(drop=True), path)
    return path


def probe_children():
    """Live child processes of this process that run the probe."""
    found = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        try:
            kids = (task / "children").read_text().split()
        except OSError:
            continue
        for pid in kids:
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"_read_hdf5" in cmd:
                found.append(int(pid))
    return found


# A read without any guard, in its own process: what the library does to a
# process with this file (the oracle for the guard's verdict).
_RAW = textwrap.dedent("""
    import ctypes, sys
    lib = ctypes.CDLL(sys.argv[1])
    f = getattr(lib, "civ_%s_read_hdf5" % sys.argv[2])
    f.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
    out = ctypes.c_void_p()
    sys.exit(0 if f(sys.argv[3].encode(), ctypes.byref(out)) == 0 else 75)
""")


def raw_returncode(path, kind):
    done = subprocess.run([sys.executable, "-c", _RAW, os.path.abspath(_lib.path), kind, str(path)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    return done.returncode


# ------------------------------------------------------------ crashing inputs

@pytest.mark.parametrize("kind", ["panel", "table"])
@pytest.mark.parametrize("fixture", FIXTURES, ids=[p.name for p in FIXTURES])
def test_crashers_are_refused_not_fatal(fixture, kind, tmp_path, monkeypatch):
    monkeypatch.setenv("CIV_HDF5_GUARD_TIMEOUT", str(TIMEOUT))
    path = tmp_path / (fixture.name + ".h5")
    shutil.copyfile(fixture, path)
    with pytest.raises(civicast.Error) as info:
        civicast.read(path, kind=kind)
    err = info.value
    assert err.file == str(path)
    assert not probe_children(), "the probe child outlived the read"
    if fixture.name.startswith("hang_"):
        assert err.status == "CIV_ERR_IO"
        assert f"did not finish within {TIMEOUT} s" in err.message
        assert "CIV_HDF5_GUARD_TIMEOUT" in err.message
        return
    if fixture.name.startswith("segv_H5HG_read_schema_attr"):
        # These crash libhdf5 on every read (test_crasher_fixtures_do_crash).
        # Others fault by wild reads whose outcome depends on the address
        # layout (segv_H5O_msg_read_oh segfaults in some processes and ends in
        # a clean error in others): for them any civicast.Error is right, and
        # the caller never reads the original, so a lucky child cannot leave
        # an unlucky parent.
        assert err.status == "CIV_ERR_IO"
        assert re.fullmatch(r"the HDF5 library crashed reading this file \(signal \d+, SIG[A-Z]+\): "
                            r"the file is damaged or altered; nothing was read", err.message), err.message
        assert str(err).startswith(f"{path}: the HDF5 library crashed")


def test_crasher_fixtures_do_crash():
    """The fixtures still do what the README says to libhdf5 (else the test
    above would pass without exercising the signal path)."""
    # civ_panel_read_hdf5 does not look at the extension: read it in place
    assert raw_returncode(CRASHERS / "segv_H5HG_read_schema_attr", "panel") == -signal.SIGSEGV


def test_auto_kind_probes_the_table_read_too(tmp_path):
    """kind=None reads a panel, then a table on a schema error: the probe
    must cover both (this file is a table whose table read crashes)."""
    path = tmp_path / "x.h5"
    shutil.copyfile(CRASHERS / "segv_H5F_accum_read_b2_1", path)
    if raw_returncode(path, "table") >= 0:
        pytest.skip("this libhdf5 no longer crashes on segv_H5F_accum_read_b2_1")
    with pytest.raises(civicast.Error, match="HDF5 library crashed"):
        civicast.read(path)


def test_allocate_probes_table_files(tmp_path):
    """civicast.allocate(communities="x.h5") reads the table through the same
    guard: a file whose table read crashes libhdf5 gives civicast.Error."""
    path = tmp_path / "communities.h5"
    shutil.copyfile(CRASHERS / "segv_H5F_accum_read_b2_1", path)
    if raw_returncode(path, "table") >= 0:
        pytest.skip("this libhdf5 no longer crashes on segv_H5F_accum_read_b2_1")
    with pytest.raises(civicast.Error, match="HDF5 library crashed") as e:
        civicast.allocate(str(path), str(DEMO / "allocation.spec"))
    assert e.value.file == str(path)


def test_error_pickles_with_file(tmp_path):
    path = tmp_path / "x.hdf5"
    shutil.copyfile(CRASHERS / "segv_H5HG_read_schema_attr", path)
    with pytest.raises(civicast.Error) as info:
        civicast.read(path, kind="panel")
    back = pickle.loads(pickle.dumps(info.value))
    assert (back.status, back.file, str(back)) == ("CIV_ERR_IO", str(path), str(info.value))


# ---------------------------------------------------------------- valid files

def test_valid_panel_reads_the_same(small_h5, monkeypatch):
    calls = []
    real_run = subprocess.run

    def spy(*a, **k):
        calls.append(a[0])
        return real_run(*a, **k)

    monkeypatch.setattr(subprocess, "run", spy)
    plain = civicast.read(small_h5, isolate=False)
    assert calls == []
    guarded = civicast.read(small_h5, isolate=True)
    assert len(calls) == 1
    default = civicast.read(small_h5)
    assert len(calls) == 2
    # args: ... LIBRARY KIND PATH SECONDS SCHEMA_CODE COPY ERROR_SIZE
    assert calls[0][-6:-3] == ["auto", str(small_h5), "30"]
    assert os.path.basename(calls[0][-2]) == "copy.h5" and not os.path.exists(calls[0][-2])
    assert len(plain) > 0 and {"unique_id", "ds", "y"} <= set(plain.columns)
    pd.testing.assert_frame_equal(guarded, plain)
    pd.testing.assert_frame_equal(default, plain)
    assert guarded.attrs.keys() == plain.attrs.keys()
    pd.testing.assert_frame_equal(civicast.read(small_h5, kind="panel", isolate=True), plain)
    assert calls[-1][-6] == "panel"


def test_valid_table_reads_the_same(tmp_path):
    df = pd.DataFrame({"name": ["a", "b", "c"], "value": [1.5, np.nan, 3.0]})
    path = tmp_path / "t.HDF5"  # extension in any case, as the C dispatch
    civicast.write(df, path)
    plain = civicast.read(path, isolate=False)
    pd.testing.assert_frame_equal(civicast.read(path, isolate=True), plain)
    pd.testing.assert_frame_equal(civicast.read(path), plain)
    pd.testing.assert_frame_equal(plain, df)


# ------------------------------------------------------------- ordinary damage

@pytest.mark.parametrize("keep", [0.5, 0.1])
def test_truncated_file_gives_the_normal_error(small_h5, tmp_path, keep):
    path = tmp_path / "cut.h5"
    data = small_h5.read_bytes()
    path.write_bytes(data[:int(len(data) * keep)])
    with pytest.raises(civicast.Error) as plain:
        civicast.read(path, kind="panel", isolate=False)
    with pytest.raises(civicast.Error) as guarded:
        civicast.read(path, kind="panel", isolate=True)
    assert (guarded.value.status, guarded.value.message, guarded.value.file) == \
        (plain.value.status, plain.value.message, plain.value.file)
    assert "HDF5 library" not in guarded.value.message.split("(HDF5:")[0]


def test_missing_file_skips_the_probe(tmp_path, monkeypatch):
    def no_run(*a, **k):
        raise AssertionError("probe started for a missing file")

    monkeypatch.setattr(subprocess, "run", no_run)
    path = tmp_path / "absent.h5"
    with pytest.raises(civicast.Error) as info:
        civicast.read(path, isolate=True)
    assert info.value.status == "CIV_ERR_IO" and info.value.file == str(path)


def test_csv_is_not_probed(monkeypatch):
    def no_run(*a, **k):
        raise AssertionError("probe started for a CSV")

    monkeypatch.setattr(subprocess, "run", no_run)
    assert len(civicast.read(DEMO / "factors.csv", isolate=True)) > 0


# -------------------------------------------------------------------- settings

class Started(Exception):
    pass


def _started(*a, **k):
    raise Started


@pytest.mark.parametrize("value", ["off", "0"])
def test_guard_off_skips_the_probe(small_h5, monkeypatch, value):
    monkeypatch.setattr(subprocess, "run", _started)
    monkeypatch.setenv("CIV_HDF5_GUARD", value)
    assert len(civicast.read(small_h5)) > 0
    # isolate=True overrides the variable; the default does probe (the spy works)
    with pytest.raises(Started):
        civicast.read(small_h5, isolate=True)


@pytest.mark.parametrize("value", ["fork", "on", "1", ""])
def test_guard_on_values_probe(small_h5, monkeypatch, value):
    monkeypatch.setattr(subprocess, "run", _started)
    monkeypatch.setenv("CIV_HDF5_GUARD", value)
    with pytest.raises(Started):
        civicast.read(small_h5)
    assert len(civicast.read(small_h5, isolate=False)) > 0


@pytest.mark.parametrize("value", ["yes", "OFF", "Fork", "true", " off"])
def test_bad_guard_value(small_h5, monkeypatch, value):
    monkeypatch.setenv("CIV_HDF5_GUARD", value)
    with pytest.raises(civicast.Error) as info:
        civicast.read(small_h5)
    assert info.value.status == "CIV_ERR_INVALID_ARGUMENT"
    assert info.value.message == f"CIV_HDF5_GUARD is '{value}'; use 'fork' (the default) or 'off'"
    # an explicit isolate does not consult the variable
    assert len(civicast.read(small_h5, isolate=True)) > 0


@pytest.mark.parametrize("value", ["0", "-5", "86401", "abc", "1.5", "1_0", "3s", "99999999999999999999999"])
def test_bad_timeout_value(small_h5, monkeypatch, value):
    monkeypatch.setenv("CIV_HDF5_GUARD_TIMEOUT", value)
    with pytest.raises(civicast.Error) as info:
        civicast.read(small_h5)
    assert info.value.status == "CIV_ERR_INVALID_ARGUMENT"
    assert info.value.message == \
        f"CIV_HDF5_GUARD_TIMEOUT is '{value}'; use a whole number of seconds from 1 to 86400"
    # not consulted when the guard is off
    assert len(civicast.read(small_h5, isolate=False)) > 0


def test_timeout_values(monkeypatch):
    assert _hdf5_probe.guard_timeout(0) == 30
    assert _hdf5_probe.guard_timeout((4 << 20) * 10 + 5) == 40
    assert _hdf5_probe.guard_timeout(1 << 62) == 30 + 86400
    for value, seconds in [("1", 1), ("86400", 86400), ("+7", 7), (" 12", 12), ("", 30)]:
        monkeypatch.setenv("CIV_HDF5_GUARD_TIMEOUT", value)
        assert _hdf5_probe.guard_timeout(0) == seconds


def test_bad_isolate(small_h5):
    with pytest.raises(ValueError, match="isolate"):
        civicast.read(small_h5, isolate="yes")


def test_hdf5_path_rule():
    yes = ["a.h5", "a.H5", "dir/b.hdf5", "x.y.HDF5", ".h5", "dir/.h5"]
    no = ["a.csv", "a.h5.csv", "a.h5/b", "h5", "a.h55", "a"]
    assert all(_hdf5_probe.is_hdf5_path(p) for p in yes)
    assert not any(_hdf5_probe.is_hdf5_path(p) for p in no)


def test_child_imports_only_ctypes(small_h5, tmp_path):
    """The probe child loads the library and nothing heavy (no numpy, no
    pandas, not civicast): run its script with an extra line that fails when
    they are loaded."""
    script = _hdf5_probe._CHILD.replace(
        "sys.stdout.write(what)",
        "bad = [m for m in ('numpy', 'pandas', 'civicast') if m in sys.modules]\n"
        "sys.exit(3) if bad else None\n"
        "sys.stdout.write(what)")
    assert script != _hdf5_probe._CHILD
    copy = tmp_path / "copy.h5"
    done = subprocess.run([sys.executable, "-I", "-S", "-c", script, os.path.abspath(_lib.path), "auto",
                           str(small_h5), "30", "10", str(copy), "3000"], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_child_error_comes_back_whole(tmp_path, monkeypatch):
    """An ordinary error in the child (a table read as a panel) is the same
    civicast.Error, field by field, as an unguarded read gives; the guard's
    temporary folders are all removed, after errors and crashes too."""
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    table = tmp_path / "t.h5"
    civicast.write(pd.DataFrame({"unique_id": ["a", "b"], "x": [1.0, 2.0]}), table, kind="table")
    with pytest.raises(civicast.Error) as guarded:
        civicast.read(table, kind="panel", isolate=True)
    with pytest.raises(civicast.Error) as plain:
        civicast.read(table, kind="panel", isolate=False)
    g, p = guarded.value, plain.value
    assert (g.status, g.message, g.file, g.line, g.column, g.series_id, g.field, str(g)) == \
           (p.status, p.message, p.file, p.line, p.column, p.series_id, p.field, str(p))
    assert g.status == "CIV_ERR_SCHEMA" and g.file == str(table)
    monkeypatch.setenv("CIV_HDF5_GUARD_TIMEOUT", str(TIMEOUT))
    for name in ("segv_H5HG_read_schema_attr", "hang_H5HG_read_attr"):
        path = tmp_path / (name + ".h5")
        shutil.copyfile(CRASHERS / name, path)
        with pytest.raises(civicast.Error):
            civicast.read(path)
    assert list((tmp_path / "tmp").iterdir()) == []
