"""Python strictness (issue 18, item 7): ids holding NUL are refused (C would
cut them and merge series), whole-number parameters must be ints (bool, float
and text refused), negative counts are refused naming the parameter."""
import os

import numpy as np
import pandas as pd
import pytest

import civicast


def _frame(ids=("A", "B")):
    rows = []
    for sid in ids:
        for t in range(24):
            rows.append((sid, f"{2022 + t // 12}-{t % 12 + 1:02d}", 10.0 + t % 12 + (t // 12)))
    return pd.DataFrame(rows, columns=["unique_id", "ds", "y"])


@pytest.mark.parametrize("ids,dtype", [(("A", "A\x00x"), object), (("A", "A\x00x"), "string"),
                                       ((7, "A\x00x"), object)])
def test_nul_in_id_refused(ids, dtype):
    """Text ids are screened in one join, other ids (ints among them, pandas' string dtype) row by row."""
    df = _frame(ids)
    df["unique_id"] = df["unique_id"].astype(dtype)
    with pytest.raises(civicast.Error) as e:
        civicast.forecast(df, h=2, model="naive")
    assert e.value.status == "CIV_ERR_INVALID_ARGUMENT"
    assert "NUL" in str(e.value) and "row 24:" in str(e.value)


@pytest.mark.parametrize("h", [2.5, "12", True, 2.0, None.__class__])
def test_h_must_be_int(h):
    with pytest.raises(TypeError, match="h must be a whole number"):
        civicast.forecast(_frame(), h=h, model="naive")


def test_counts_not_negative():
    with pytest.raises(ValueError, match="n_paths must be at least 0, got -1"):
        civicast.forecast(_frame(), h=2, model="naive", n_paths=-1)
    with pytest.raises(ValueError, match="h must be at least 1"):
        civicast.forecast(_frame(), h=0, model="naive")
    with pytest.raises(TypeError, match="threads"):
        civicast.forecast(_frame(), h=2, model="naive", threads=1.5)
    with pytest.raises(TypeError, match="seed"):
        civicast.forecast(_frame(), h=2, model="naive", seed=True)


def test_numpy_integers_accepted():
    fc = civicast.forecast(_frame(), h=np.int64(2), model="naive", threads=np.int32(1))
    assert len(fc) == 4


def test_nul_in_text_argument_refused():
    with pytest.raises(ValueError, match="NUL"):
        civicast.forecast(_frame(), h=2, model="naive\x00ets")


def test_formula_guard_switch(tmp_path):
    df = _frame(("=cmd", "B"))
    p = civicast.read_frame(df) if hasattr(civicast, "read_frame") else None
    out = tmp_path / "fc.csv"
    fc = civicast.forecast(df, h=1, model="naive")
    assert set(fc["unique_id"]) == {"=cmd", "B"}  # in memory the id is exact
    with pytest.raises(TypeError):
        civicast.set_csv_formula_guard(0)
    civicast.set_csv_formula_guard(False)
    civicast.set_csv_formula_guard(True)
    del p, out
