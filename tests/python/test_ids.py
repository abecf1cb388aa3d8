"""Identifier and code columns as pandas and Excel write them
(docs/HOSTILE_INPUTS.md, "Identifiers"): integer codes written as floats
(310101001.0, an int column with gaps), nullable Int64, objects and
categories of numbers are the same ids from a DataFrame as from the file."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import civicast

SOURCE = Path(__file__).resolve().parents[2]
DEMO = SOURCE / "datasets" / "demo_city"


def _code(u):
    d, s, c = re.match(r"D(\d+)-S(\d+)-C(\d+)", u).groups()
    return int(f"3101{int(d):02d}{int(s):02d}{int(c):03d}")


def _street(u):
    d, s = re.match(r"D(\d+)-S(\d+)", u).groups()
    return int(f"3101{int(d):02d}{int(s):02d}")


def _coded_communities():
    c = pd.read_csv(DEMO / "communities.csv")
    return c.assign(unique_id=c["unique_id"].map(_code))


@pytest.mark.parametrize("kind", ["float64", "object-float", "category-float", "str-float", "Int64"])
def test_monitor_units_as_the_file_reads_them(tmp_path, kind):
    """Street codes 31010101 as a float column, objects or categories of
    floats, or their text "31010101.0" (before: units '31010101.0' in every
    monitoring table, not the file's 31010101), from a frame and from the
    CSV pandas writes of it."""
    mon = pd.read_csv(DEMO / "monitoring.csv")
    mon = mon.assign(street=mon["street"].map(_street))
    ind = (DEMO / "indicators.toml").read_text(encoding="utf-8")
    want = civicast.monitor(ind, mon)[0]
    col = {"float64": lambda s: s.astype(float), "object-float": lambda s: s.astype(float).astype(object),
           "category-float": lambda s: s.astype(float).astype("category"),
           "str-float": lambda s: s.astype(float).astype(str), "Int64": lambda s: s.astype("Int64")}[kind]
    frame = mon.assign(street=col(mon["street"]))
    got = civicast.monitor(ind, frame)[0]
    units = got.loc[got["scope"] == "street", "unit"].astype(str)
    assert not units.str.endswith(".0").any(), units.iloc[0]
    assert list(units) == list(want.loc[want["scope"] == "street", "unit"].astype(str))
    path = tmp_path / "monitoring.csv"
    frame.to_csv(path, index=False)
    from_file = civicast.monitor(ind, str(path))[0]
    assert list(from_file.loc[from_file["scope"] == "street", "unit"].astype(str)) == list(units)


@pytest.mark.parametrize("kind", ["Int64", "float64"])
def test_predecessors_column_with_gaps(kind):
    """[data] predecessors as pandas types a code column that is empty for
    most communities: Int64 with <NA> (read as the text '<NA>' before) or
    float64 with NaN (refused before as 'holds numbers'): the renamed
    community is named as continuing 31010101001."""
    c = _coded_communities()
    old = c.index[c["unique_id"] == 31010101001][0]
    c.loc[old, "unique_id"] = 31010101900
    c.loc[old, "last_year_funding"] = 0
    pred = pd.Series([np.nan] * len(c))
    pred[old] = 31010101001
    c["前身"] = pred.astype(kind)
    spec = (DEMO / "allocation.spec").read_text(encoding="utf-8")
    spec = spec.replace('aged = "aged60_resident"', 'aged = "aged60_resident"\npredecessors = "前身"', 1)
    with pytest.raises(civicast.Error) as err:
        civicast.allocate(c, spec)
    assert err.value.status == "CIV_ERR_DOMAIN", err.value.message
    assert "continues last year's 31010101001 (column '前身')" in err.value.message


def test_forecast_float_ids_and_zero_twins():
    """A panel frame whose ids are floats (a NaN gap dropped) forecasts the
    codes 31010101001, which allocate matches with the communities' int
    codes; forecasts whose codes lost their leading zeros name the twin."""
    meals = pd.read_csv(DEMO / "meals.csv")
    meals = meals.assign(unique_id=meals["unique_id"].map(_code).astype(float))
    keep = meals["unique_id"].isin(meals["unique_id"].unique()[:3])
    fc = civicast.forecast(meals[keep], h=24, model="snaive")
    assert fc["unique_id"].iloc[0] == 31010101001
    c = pd.DataFrame({"unique_id": ["007", "010"], "pop": [1.0, 2.0]})
    f = pd.DataFrame({"unique_id": [7, 10], "ds": ["2026-01", "2026-01"], "h": [1, 1], "model": ["ets", "ets"],
                      "mean": [10.0, 30.0]})
    spec = ('version = "t"\n[budget]\ntotal = 1000.00\nfiscal_year = 2026\n[[pool]]\nname = "p"\nshare = 1\n'
            '[[factor]]\nname = "meals"\nsource = "forecast"\nhorizon = 1\nweight = 1\n')
    with pytest.raises(civicast.Error, match=r"unknown community '7'; the communities table has '007', the same "
                                             r"code with leading zeros \(Excel drops them"):
        civicast.allocate(c, spec, forecasts=f)


def test_plan_of_pandas_written_float_ids(tmp_path):
    """A plan whose panel pandas wrote with float ids (31010101001.0) and
    whose communities have the int codes: one community per series, as with
    int ids (before: stopped, 'a community closed, merged or renamed')."""
    meals = pd.read_csv(DEMO / "meals.csv")
    meals["unique_id"] = meals["unique_id"].map(_code).astype(float)
    meals.to_csv(tmp_path / "meals.csv", index=False)
    assert open(tmp_path / "meals.csv").read().splitlines()[1].startswith("31010101001.0,")
    _coded_communities().to_csv(tmp_path / "communities.csv", index=False)
    (tmp_path / "plan.spec").write_text((DEMO / "plan.spec").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "plan.toml").write_text('[plan]\npanel = "meals.csv"\ncommunities = "communities.csv"\n'
                                        'spec = "plan.spec"\n[forecast]\nmodel = "snaive"\nhorizon = 36\n'
                                        '[uncertainty]\ndraws = 0\n', encoding="utf-8")
    out = civicast.plan(str(tmp_path / "plan.toml"), out=str(tmp_path / "out"))
    a = out["allocation"]
    assert len(a) == 1146
    assert a["unique_id"].astype(str).str.fullmatch(r"3101\d{7}").all()


def test_ids_split_by_spaces_refused_as_in_the_csv(tmp_path):
    """Ids that differ only by spaces or tabs around them ('C001 ' and 'C001', a cell Excel kept with a
    trailing space) were two series from a DataFrame, silently, while the CSV reader refuses the same data;
    the frame is refused with the reader's message now (the check is civ_panel_add_series_many's, the CSV
    reader's own), in forecast, backtest and Hierarchy alike."""
    meals = pd.read_csv(DEMO / "meals.csv")
    ids = sorted(meals["unique_id"].unique())[:3]
    d = meals[meals["unique_id"].isin(ids)].reset_index(drop=True)
    split = d.copy()
    split.loc[split.index[-5:], "unique_id"] = ids[-1] + " "  # the last five months typed with a space
    path = tmp_path / "split.csv"
    split.to_csv(path, index=False)
    with pytest.raises(civicast.Error) as from_file:
        civicast.read(path)
    msg = (f"series '{ids[-1]} ' and '{ids[-1]}' differ only by spaces around the id: one community split in "
           "two; delete the spaces (in Excel, =TRIM() or Find and Replace)")
    assert from_file.value.message == msg
    for call in (lambda f: civicast.forecast(f, h=3, model="naive"),
                 lambda f: civicast.backtest(f, h=3, model="naive", windows=1)):
        with pytest.raises(civicast.Error) as e:
            call(split)
        assert (e.value.status, e.value.message, e.value.series_id, e.value.field) == \
            ("CIV_ERR_DUPLICATE", msg, f"{ids[-1]} ", "unique_id")
    tabbed = d.assign(unique_id=d["unique_id"].where(d["unique_id"] != ids[0], "\t" + ids[0]))
    tabbed.loc[0, "unique_id"] = ids[0]  # one month without the tab
    with pytest.raises(civicast.Error, match="differ only by spaces around the id"):
        civicast.forecast(tabbed, h=3, model="naive")
    inner = d.assign(unique_id=d["unique_id"].str.replace("-", " - "))  # spaces inside an id are its own
    assert civicast.forecast(inner, h=3, model="naive")["unique_id"].nunique() == 3
