"""test_python_words.py -- the library's messages that name a command-line option (--thousands, --freq,
--id-col, ...) reach a Python user in the package's words (_lib.python_words): every C string literal of
engine/src and models/ that names an option either names the Python form itself ("(Python: sheet=...)", left
whole) or is translated with no option left; and each message a Python call can reach is triggered here, from
the call a notebook makes, and checked for what it says.

Audited 2026-12-07.  Not reachable from Python, so not triggered (their words are still checked by the walk):
the hierarchy without a communities table (structure.c: Python refuses communities=None first, and a frame's
panel has no attributes), an HDF5 panel with a total row (hdf5.c: civicast's writers refuse to make one; a
file from another writer gets the CSV's words, which the walk checks), and the note on the English report
page for a plan run in Chinese (report.c: text of report.html, no error).
"""
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import civicast
from civicast import _lib

SOURCE = Path(os.environ.get("CIV_SOURCE_DIR", Path(__file__).resolve().parents[2]))
DEMO = SOURCE / "datasets" / "demo_city"
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
pytestmark = pytest.mark.filterwarnings("ignore::civicast.ForecastWarning")

# texts with an option that are not error messages
NOT_MESSAGES = {("report/report.c", "civicast report OUTDIR --lang zh"),
                # the plan's search for a reader's --skip-rows cure, to re-word it as the plan's key
                ("plan/read.c", "--skip-rows")}


def _literals(path):
    """(line, text) of each run of adjacent C string literals (one message, as C concatenates them), comments
    left out."""
    src = path.read_text(encoding="utf-8")
    token = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|/\*.*?\*/|//[^\n]*', re.S)
    src = token.sub(lambda m: m.group(0) if m.group(0)[0] in "\"'" else re.sub(r"[^\n]", " ", m.group(0)), src)
    for m in re.finditer(r'(?:"(?:\\.|[^"\\\n])*"\s*)+', src):
        parts = re.findall(r'"((?:\\.|[^"\\\n])*)"', m.group(0))
        yield src.count("\n", 0, m.start()) + 1, "".join(parts).replace('\\"', '"')


def test_every_library_option_has_python_words():
    """Walks the C sources: a message naming an option names the Python form too, or python_words leaves no
    option in it (before 2026-12-07 '--table IN OUT' and '--attributes' were left, and 'thousands="," (--thousands
    ",")' became 'thousands="," (thousands=",")')."""
    seen, left = 0, []
    for root in (SOURCE / "engine" / "src", SOURCE / "models"):
        for path in sorted(root.rglob("*.[ch]")):
            rel = path.relative_to(root).as_posix()
            for line, text in _literals(path):
                if not OPTION.search(text) or "Python" in text:
                    continue
                if any(rel == f and s in text for f, s in NOT_MESSAGES):
                    continue
                seen += 1
                out = _lib.python_words(text)
                if OPTION.search(out) or re.search(r"(\w+=\S+) \(\1\)", out):
                    left.append(f"{rel}:{line}: {out}")
    assert seen >= 30, seen  # the walk found the messages (40 of the 53 literals naming an option, 2026-12-07)
    assert not left, "\n".join(left)


@pytest.fixture(scope="module")
def demo():
    read = dict(keep_default_na=False, na_values=[""])
    comm = pd.read_csv(DEMO / "communities.csv", dtype={"unique_id": str}, **read)
    meals = pd.read_csv(DEMO / "meals.csv", dtype={"unique_id": str, "ds": str}, **read)
    small = meals[meals["unique_id"].isin(sorted(meals["unique_id"].unique())[:3])][["unique_id", "ds", "y"]]
    return comm, (DEMO / "allocation.spec").read_text(), small.dropna().reset_index(drop=True)


def _says(call, *want):
    """The civicast.Error of call(): no command option in its message or text, and each of `want` in it."""
    with pytest.raises(civicast.Error) as e:
        call()
    for text in (str(e.value), e.value.message):
        assert not OPTION.search(text), text
    for w in want:
        assert w in str(e.value), (w, str(e.value))
    return e.value


def test_budget_messages_in_python_words(demo):
    comm, spec, _ = demo
    c = comm.assign(population_resident=comm["population_resident"].map(lambda v: f"{v:,.0f}"))
    _says(lambda: civicast.allocate(c, spec), "read it with thousands=\",\", or write plain digits")
    c = comm.assign(aged60_share=comm["aged60_share"].map(lambda v: f"{v * 100:.1f}%"))
    _says(lambda: civicast.allocate(c, spec), "read it with percent=True, or write the fraction")
    c = comm.copy()
    c.loc[2, "last_year_funding"] = np.nan
    _says(lambda: civicast.allocate(c, spec), "give last year's allocation (last_year=, [data] last_year_file)")
    alloc, _ = civicast.allocate(comm, spec)
    _says(lambda: civicast.allocate(comm, spec, paid=alloc.rename(columns={"unique_id": "x"})),
          "(civicast.allocate's frame has unique_id)")
    spent = pd.DataFrame({"unique_id": alloc["unique_id"], "spent_yuan": 1.0})
    _says(lambda: civicast.settle(spec, alloc.rename(columns={"unique_id": "x"}), spent),
          "(civicast.allocate's frame has it)")
    _says(lambda: civicast.settle(spec, pd.concat([alloc, alloc.iloc[:1]]), spent),
          "an allocation has one row per community (civicast.allocate)")


def test_reading_messages_in_python_words(demo, tmp_path):
    _, _, small = demo
    p = tmp_path / "p.h5"
    civicast.write(small.assign(ds=pd.to_datetime(small["ds"])), p)
    e = _says(lambda: civicast.read(p, freq="QS"), "an HDF5 panel stores its frequency; drop freq=")
    assert e.file == str(p)  # was the isolate guard's copy, /tmp/civicast-h5guard-.../copy.h5, gone by then
    fw = small.astype({"y": object})
    fw.iloc[3, 2] = "１２３，４５６"
    fw.to_csv(tmp_path / "fw.csv", index=False)
    _says(lambda: civicast.read(tmp_path / "fw.csv"), "civicast reads the 123,456 it gives with thousands=\",\"")
    small.assign(cutoff=small["ds"]).to_csv(tmp_path / "cut.csv", index=False)
    _says(lambda: civicast.read(tmp_path / "cut.csv"), "is read as a table (civicast.read(path, kind=\"table\"))")
    small.assign(name="x").to_csv(tmp_path / "name.csv", index=False)
    _says(lambda: civicast.read(tmp_path / "name.csv"),
          "(communities= of civicast.allocate and civicast.Hierarchy, attributes= of civicast.info")
    (tmp_path / "gb.csv").write_bytes(b"unique_id,ds,y\nc\x80,2024-01,1\n")
    _says(lambda: civicast.read(tmp_path / "gb.csv", encoding="gb18030"), "and drop encoding=)")
    first = small[small["unique_id"] == small["unique_id"].iloc[0]]
    pd.concat([small, first.assign(unique_id="合计")]).to_csv(tmp_path / "tot.csv", index=False)
    hz = "civicast.Hierarchy(df, communities, hierarchy=[...]).aggregate() gives district and city totals"
    _says(lambda: civicast.read(tmp_path / "tot.csv"), hz)
    wide = small.pivot(index="unique_id", columns="ds", values="y").reset_index()
    pd.concat([wide, wide.iloc[:1].assign(unique_id="合计")]).to_csv(tmp_path / "wide.csv", index=False)
    _says(lambda: civicast.read(tmp_path / "wide.csv", layout="wide"), hz)
    small.pivot(index="ds", columns="unique_id", values="y").reset_index().to_csv(tmp_path / "piv.csv", index=False)
    _says(lambda: civicast.read(tmp_path / "piv.csv", kind="panel"), "a row per series (df.T) with layout=\"wide\"")
    small.assign(ds=small["ds"] + "-01").to_csv(tmp_path / "day.csv", index=False)
    _says(lambda: civicast.read(tmp_path / "day.csv", freq="QS"), "one period of the freq= asked for",
          "or drop freq= to read")
    small.to_csv(tmp_path / "month.csv", index=False)
    _says(lambda: civicast.read(tmp_path / "month.csv", freq="D"), "freq= chooses among day dates only")


def test_messages_naming_both_forms_are_kept(demo, tmp_path):
    """A message that names the Python form beside the option is left whole: the freq= candidates."""
    _, _, small = demo
    small.assign(ds=small["ds"] + "-15").to_csv(tmp_path / "d15.csv", index=False)
    with pytest.raises(civicast.Error, match=r'--freq MS \(monthly: each date read as its month\) \(Python: '
                                             r'freq="MS"'):
        civicast.read(tmp_path / "d15.csv")


def test_hierarchy_messages_in_python_words(demo):
    _, _, small = demo
    comm = pd.DataFrame({"unique_id": small["unique_id"].unique(), "district": "A", "street": ["S1", "S2", "S1"]})
    zero = small.copy()
    zero.loc[zero["unique_id"] == zero["unique_id"].iloc[0], "y"] = 0.0
    _says(lambda: civicast.forecast(zero, h=2, model="ETS(M,N,N)", hierarchy=["district"], communities=comm),
          "every node needs a forecast to reconcile (try another model=)")
    _says(lambda: civicast.Hierarchy(small, comm.rename(columns={"unique_id": "code"}), hierarchy=["district"]),
          "communities.rename(columns={'<its id column>': 'unique_id'})")
    _says(lambda: civicast.Hierarchy(small, comm.assign(district=["A", "A", "B"]), hierarchy=["district", "street"]),
          "name 'street' in groups= instead")
