"""test_info.py -- civicast.info says what a panel holds over civ_panel_summarize, the call of `civicast info`:
the same figures as the command prints on the demo city, from a file or a DataFrame, with attributes from a
file or a DataFrame, and errors that name the attributes file."""
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import civicast

SOURCE = Path(os.environ.get("CIV_SOURCE_DIR", Path(__file__).resolve().parents[2]))
CLI = os.environ.get("CIV_CLI")
MEALS = SOURCE / "datasets/demo_city/meals.csv"
COMMUNITIES = SOURCE / "datasets/demo_city/communities.csv"


def _cli_info(*args):
    r = subprocess.run([CLI, "info", *map(str, args)], capture_output=True, text=True, check=True)
    return {line[:12].strip(): line[13:] for line in r.stdout.splitlines()}


@pytest.mark.skipif(not CLI, reason="CIV_CLI not set")
def test_info_matches_the_command_on_the_demo_city():
    got = civicast.info(MEALS, attributes=COMMUNITIES)
    cli = _cli_info(MEALS, "--attributes", COMMUNITIES)
    assert str(got["series"]) == cli["series"]
    assert f"{got['frequency']} (season length {got['season_length']})" == cli["frequency"]
    assert f"{got['first']} .. {got['last']}" == cli["span"]
    assert f"{got['min_length']} .. {got['max_length']} periods" == cli["length"]
    assert cli["values"].startswith(f"{got['values']}, missing {got['missing']} (")
    assert cli["covariates"] == f"{len(got['covariates'])}: " + ", ".join(got["covariates"])
    assert cli["future"].startswith(f"{got['future']} series")
    assert cli["attributes"].split(":", 1)[1].split() == got["attributes"]
    assert cli["linked"].startswith(f"{got['linked']} of ")
    assert cli["linked"].endswith(f"; {got['unlinked_series']} series lack attributes")


def test_info_of_a_frame_with_gaps_covariates_and_attributes():
    df = pd.DataFrame({"unique_id": ["a"] * 4 + ["b"] * 2,
                       "ds": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01",
                                             "2024-03-01", "2024-04-01"]),
                       "y": [1.0, np.nan, 3.0, 4.0, 5.0, 6.0],
                       "temp": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    attrs = pd.DataFrame({"unique_id": ["a", "z"], "district": ["D1", "D2"]})
    got = civicast.info(df, attributes=attrs)
    assert got["file"] is None
    assert (got["series"], got["frequency"], got["season_length"]) == (2, "monthly", 12)
    assert (got["first"], got["last"]) == ("2024-01-01", "2024-04-01")
    assert (got["min_length"], got["max_length"]) == (2, 4)
    assert (got["values"], got["missing"]) == (6, 1)
    assert got["missing_share"] == pytest.approx(1 / 6)
    assert got["covariates"] == ["temp"]
    assert got["attributes"] == ["district"]
    assert (got["linked"], got["unlinked_series"]) == (1, 1)
    plain = civicast.info(df)
    assert plain["attributes"] is None and plain["linked"] is None


def test_info_reads_a_sheet_as_excel_saves_it(tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_bytes("社区编号,月份,用餐人次\nC1,2024年1月,\"1,200\"\nC1,2024年2月,\"1,300\"\n".encode("gb18030"))
    got = civicast.info(path, encoding="gb18030", id_col="社区编号", time_col="月份", target_col="用餐人次",
                        thousands=",")
    assert (got["series"], got["first"], got["last"], got["values"]) == (1, "2024-01", "2024-02", 2)


def test_info_names_the_attributes_file_in_errors(tmp_path):
    bad = tmp_path / "attrs.csv"
    bad.write_text("name,district\nx,D1\n", encoding="utf-8")
    with pytest.raises(civicast.Error) as e:
        civicast.info(MEALS, attributes=bad)
    assert "attrs.csv" in str(e.value)
    with pytest.raises(civicast.Error) as e:
        civicast.info(tmp_path / "missing.csv")
    assert "missing.csv" in str(e.value)


def test_info_with_codes_as_numbers(tmp_path):
    """Community codes that pandas types as int64 (101, as read_csv gives them) link the attributes to the
    series as the same codes in a CSV do for the command."""
    df = pd.DataFrame({"unique_id": [101, 101, 102, 102], "ds": pd.to_datetime(["2024-01-01", "2024-02-01"] * 2),
                       "y": [1.0, 2, 3, 4]})
    attrs = pd.DataFrame({"unique_id": [101, 103], "district": ["A", "B"]})
    for data in (df, tmp_path / "p.csv"):
        df.to_csv(tmp_path / "p.csv", index=False)
        got = civicast.info(data, attributes=attrs)
        assert (got["linked"], got["unlinked_series"], got["attributes"]) == (1, 1, ["district"])


def test_write_panel_with_attributes_keyed_by_codes(tmp_path):
    """write() of a panel whose attrs['attributes'] has int codes (pd.read_csv of a communities sheet) was
    refused ('attribute column unique_id must be text'); the codes are written as text, as the ids are."""
    df = pd.DataFrame({"unique_id": [101, 101], "ds": ["2024-01", "2024-02"], "y": [1.0, 2.0]})
    df.attrs["attributes"] = pd.DataFrame({"unique_id": [101], "district": ["A"]})
    civicast.write(df, tmp_path / "p.h5")
    back = civicast.read(tmp_path / "p.h5")
    assert list(back.attrs["attributes"]["unique_id"].astype(str)) == ["101"]
    assert civicast.info(tmp_path / "p.h5")["attributes"] == ["district"]
