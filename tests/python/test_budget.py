"""test_budget.py -- civicast.compare, civicast.uncertainty and civicast.need
(python-bindings/civicast/budget.py) give exactly the tables of `civicast
allocate --compare`, `civicast allocate --uncertainty ... --uncertainty-out`
and `civicast need` on the demo city (same C calls, same numbers to the
bit); and civicast.write's Excel/precision options (civ_csv_write_options).

Environment: CIV_CLI (the civicast binary; the CLI comparisons are skipped
without it), CIV_SOURCE_DIR."""
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import civicast

SOURCE = Path(os.environ.get("CIV_SOURCE_DIR", Path(__file__).resolve().parents[2]))
DEMO = SOURCE / "datasets" / "demo_city"
CLI = os.environ.get("CIV_CLI")
needs_cli = pytest.mark.skipif(not CLI, reason="CIV_CLI (path to the civicast binary) is not set")
pytestmark = pytest.mark.filterwarnings("ignore::civicast.ForecastWarning")


def cli(*args):
    done = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True)
    assert done.returncode in (0, 6), done.stderr
    return done


def read_csv(path, text):
    return pd.read_csv(path, keep_default_na=False, na_values=[""], float_precision="round_trip",
                       dtype={c: str for c in text})


def cell(x):
    return "" if x is None or (isinstance(x, float) and np.isnan(x)) else str(x)


def assert_frames_equal(got, want):
    """Same columns; text equal as text; numbers bit-equal (NaN = NaN)."""
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want)
    for c in want.columns:
        a, b = got[c].to_numpy(), want[c].to_numpy()
        if isinstance(got[c].dtype, pd.Int64Dtype):  # counts with a gap (the total row's communities): numbers
            a = got[c].to_numpy(dtype=np.float64, na_value=np.nan)
        if isinstance(want[c].dtype, pd.Int64Dtype):
            b = want[c].to_numpy(dtype=np.float64, na_value=np.nan)
        if a.dtype == object or b.dtype == object:
            assert [cell(x) for x in a] == [cell(x) for x in b], c
        else:
            assert np.array_equal(a.astype(np.float64), b.astype(np.float64), equal_nan=True), c


@pytest.fixture(scope="module")
def alt_spec(tmp_path_factory):
    """The demo spec with other weights and a stronger tilt (tests/cli/compare.sh)."""
    text = (DEMO / "allocation.spec").read_text()
    lines = []
    for line in text.splitlines():
        line = {"weight = 0.35": "weight = 0.45", "weight = 0.15": "weight = 0.05"}.get(line, line)
        lines.append(line.replace("multiplier = 1.2", "multiplier = 1.5"))
    p = tmp_path_factory.mktemp("spec") / "alt.spec"
    p.write_text("\n".join(lines) + "\n")
    assert p.read_text() != text
    return p


@pytest.fixture(scope="module")
def cli_forecasts(tmp_path_factory):
    """The CLI's seasonal-naive forecasts of the demo city, 36 months (the
    plan spec's need covers 2025-2027; its meal_demand factor reads them)."""
    if not CLI:
        pytest.skip("CIV_CLI is not set")
    p = tmp_path_factory.mktemp("fc") / "fc.csv"
    cli("forecast", DEMO / "meals.csv", "--out", p, "--model", "snaive", "--h", 36, "--quiet")
    return p


@needs_cli
def test_compare_equals_cli(alt_spec, tmp_path):
    out, wf = tmp_path / "cmp.csv", tmp_path / "wf.csv"
    cli("allocate", "--compare", DEMO / "allocation.spec", alt_spec, "--communities", DEMO / "communities.csv",
        "--out", out, "--summary", wf)
    table, waterfall = civicast.compare(DEMO / "communities.csv", [DEMO / "allocation.spec", alt_spec])
    assert table.attrs["labels"] == ["allocation", "alt"]
    assert "amount_alt" in table.columns and table["amount_alt"].dtype == np.int64
    assert_frames_equal(table, read_csv(out, ["unique_id", "district", "outcome_alt"]))
    assert_frames_equal(waterfall, read_csv(wf, ["spec", "scope", "name"]))
    # the migrant earmark is its own step, after the tilts: base (general funds) + earmark = the total
    cols = list(waterfall.columns)
    assert cols[cols.index("tilt") + 1] == "earmark"
    total = waterfall[(waterfall.spec == "allocation") & (waterfall.scope == "total")].iloc[0]
    assert total.earmark > 0 and abs(total.base + total.earmark - total.amount) < 1e-2
    # a DataFrame of communities and spec text give the same; labels= renames
    comm = pd.read_csv(DEMO / "communities.csv", dtype={"unique_id": str})
    t2, _ = civicast.compare(comm, [(DEMO / "allocation.spec").read_text(), alt_spec.read_text()],
                             labels=["base", "new"])
    assert (t2["amount_new"].to_numpy() == table["amount_alt"].to_numpy()).all()
    assert (t2["outcome_new"] == table["outcome_alt"]).all()
    with pytest.raises(ValueError):
        civicast.compare(comm, [DEMO / "allocation.spec"], labels=["a", "b"])
    with pytest.raises(civicast.Error) as e:  # a bad label is the library's error
        civicast.compare(comm, [DEMO / "allocation.spec", alt_spec], labels=["a b", "c"])
    assert e.value.status == "CIV_ERR_INVALID_ARGUMENT"


@needs_cli
def test_uncertainty_equals_cli(cli_forecasts, tmp_path):
    out, unc = tmp_path / "a.csv", tmp_path / "u.csv"
    cli("allocate", "--spec", DEMO / "plan.spec", "--communities", DEMO / "communities.csv", "--forecasts",
        cli_forecasts, "--out", out, "--uncertainty", 200, "--seed", 7, "--weight-concentration", 500,
        "--uncertainty-out", unc, "--threads", 2)
    want = read_csv(unc, ["scope", "name", "district"])
    fc = read_csv(cli_forecasts, ["unique_id", "ds", "model"])
    got = civicast.uncertainty(DEMO / "communities.csv", DEMO / "plan.spec", forecasts=fc, draws=200, seed=7,
                               weight_concentration=500, threads=1)
    assert_frames_equal(got, want)
    assert got.attrs["draws"] == 200 and got.attrs["seed"] == 7
    # the community rows carry the p5/p50/p95 columns `allocate` adds
    alloc = read_csv(out, ["unique_id", "district", "binding"])
    rows = got[got["scope"] == "community"]
    assert (rows["name"].to_numpy() == alloc["unique_id"].to_numpy()).all()
    for q in ("p5_fen", "p50_fen", "p95_fen"):
        assert np.array_equal(rows[q].to_numpy(), alloc[q].to_numpy())
    # a path for the forecasts works as well; nothing to perturb is an error
    again = civicast.uncertainty(DEMO / "communities.csv", DEMO / "plan.spec", forecasts=cli_forecasts,
                                 draws=200, seed=7, weight_concentration=500)
    assert_frames_equal(again, want)
    with pytest.raises(civicast.Error) as e:
        civicast.uncertainty(DEMO / "communities.csv", DEMO / "allocation.spec", draws=10)
    assert e.value.status == "CIV_ERR_SPEC"
    with pytest.raises(ValueError):
        civicast.uncertainty(DEMO / "communities.csv", DEMO / "plan.spec", forecasts=fc, draws=0)


def test_uncertainty_keep_draws():
    """keep_draws=True gives every draw's amounts (civ_alloc_uncertainty_draw): they are the draws the table
    summarises (its mean and type-7 quantiles), each exact to the allocated total, and the same with the table."""
    alone = civicast.uncertainty(DEMO / "communities.csv", DEMO / "allocation.spec", draws=40, seed=3,
                                 weight_concentration=200, threads=1)
    table, draws = civicast.uncertainty(DEMO / "communities.csv", DEMO / "allocation.spec", draws=40, seed=3,
                                        weight_concentration=200, threads=1, keep_draws=True)
    assert_frames_equal(table, alone)
    rows = table[table["scope"] == "community"]
    assert draws.shape == (len(rows), 40) and (draws.dtypes == np.int64).all()
    assert list(draws.index) == list(rows["name"])
    total = int(table.loc[table["scope"] == "total", "amount_fen"].iloc[0])
    assert (draws.sum(axis=0) == total).all() and draws.nunique(axis=1).max() > 1
    for p, col in ((0.05, "p5_fen"), (0.5, "p50_fen"), (0.95, "p95_fen")):
        assert np.allclose(draws.quantile(p, axis=1).to_numpy(), rows[col].to_numpy(), rtol=0, atol=1e-6)
    assert np.allclose(draws.mean(axis=1).to_numpy(), rows["mean_fen"].to_numpy(), rtol=0, atol=1e-6)


@needs_cli
def test_need_equals_cli(cli_forecasts, tmp_path):
    out, summ = tmp_path / "n.csv", tmp_path / "ny.csv"
    cli("need", "--spec", DEMO / "plan.spec", "--forecasts", cli_forecasts, "--out", out, "--summary", summ)
    per_community, per_year = civicast.need(DEMO / "plan.spec", read_csv(cli_forecasts, ["unique_id", "ds", "model"]))
    assert_frames_equal(per_community, read_csv(out, ["unique_id"]))
    assert_frames_equal(per_year, read_csv(summ, ["scope"]))
    assert per_community["need_fen"].dtype == np.int64
    assert per_year["need_fen"].iloc[-1] == per_community["need_fen"].sum()
    assert per_community["need_yuan"].dtype == np.float64
    assert np.allclose(per_community["need_yuan"] * 100, per_community["need_fen"])
    assert per_year.attrs["first_year"] == 2025 and per_year.attrs["years"] == 3
    # the need's currency, the spec's (the command prints "need (CNY)" from it)
    assert per_year.attrs["currency"] == "CNY" and per_community.attrs["currency"] == "CNY"
    usd = (DEMO / "plan.spec").read_text().replace('currency = "CNY"', 'currency = "USD"', 1)
    assert civicast.need(usd, cli_forecasts)[1].attrs["currency"] == "USD"
    # forecasts with Timestamp or Period ds (civicast.forecast returns the input's kind) group the same
    fc = read_csv(cli_forecasts, ["unique_id", "ds", "model"])
    for ds in (pd.to_datetime(fc["ds"]), pd.PeriodIndex(fc["ds"], freq="M")):
        pc2, _ = civicast.need(DEMO / "plan.spec", fc.assign(ds=ds))
        assert_frames_equal(pc2, per_community)
    # the path form, and a year the forecasts do not reach
    pc3, _ = civicast.need(DEMO / "plan.spec", cli_forecasts)
    assert_frames_equal(pc3, per_community)
    short = fc[fc["ds"] < "2027-01"]
    with pytest.raises(civicast.Error) as e:
        civicast.need(DEMO / "plan.spec", short)
    assert e.value.status == "CIV_ERR_NOT_FOUND" and "further" in str(e.value)
    # ... or reach only part of it: an error, not half of 2027's need
    with pytest.raises(civicast.Error, match=r"6 of the 12 periods of 2027 \(2027-01\.\.2027-06\)"):
        civicast.need(DEMO / "plan.spec", fc[fc["ds"] < "2027-07"])


def test_write_for_people(tmp_path):
    df = pd.DataFrame({"unique_id": ["民主里社区", "龙湖三村社区"], "share": [0.0009462143928035982, 2 / 3],
                       "amount_yuan": [1234567.89, 12.5], "amount": [123456789, 1250]})
    p = tmp_path / "people.csv"
    civicast.write(df, p, excel=True, precision=6, min_decimals=2)
    raw = p.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfunique_id,")
    assert raw.decode("utf-8-sig").splitlines()[1:] == ["民主里社区,0.000946214,1234567.89,123456789",
                                                          "龙湖三村社区,0.666667,12.5,1250"]
    back = civicast.read(p)  # the reader skips the mark
    assert list(back.columns) == list(df.columns)
    q = tmp_path / "full.csv"
    civicast.write(df, q)  # the default: no mark, full precision
    assert q.read_bytes().startswith(b"unique_id,") and b"0.0009462143928035982" in q.read_bytes()
    for bad in (0, 18, "6", 2.5, True):
        with pytest.raises(ValueError):
            civicast.write(df, q, precision=bad)
    with pytest.raises(ValueError):
        civicast.write(df, q, precision=6, min_decimals=10)


def _spending(alloc, seed=5):
    r = np.random.default_rng(seed)
    s = np.round(alloc.amount_fen.to_numpy() * r.uniform(0.85, 1.1, len(alloc))).astype(np.int64)
    return pd.DataFrame({"unique_id": alloc.unique_id, "spent": [f"{v // 100}.{v % 100:02d}" for v in s]})


@needs_cli
def test_settle_matches_cli_and_rules(tmp_path):
    """civicast.settle: the command's table to the fen; the identity and the caps of the demo's [settlement]."""
    spec = DEMO / "allocation.spec"
    alloc, _ = civicast.allocate(DEMO / "communities.csv", spec, explain=True)
    spend = _spending(alloc)
    spend.to_csv(tmp_path / "spent.csv", index=False)
    alloc.to_csv(tmp_path / "a.csv", index=False)
    s, t = civicast.settle(spec, alloc, tmp_path / "spent.csv", explain="zh")
    cli("settle", "--spec", spec, "--allocation", tmp_path / "a.csv", "--spending", tmp_path / "spent.csv",
        "--out", tmp_path / "s.csv", "--explain", "--lang", "zh")
    c = read_csv(tmp_path / "s.csv", ["unique_id", "explanation"])
    assert list(c.columns) == list(s.columns)
    for col in s.columns:
        assert (c[col].astype(str) == s[col].astype(str)).all(), col
    assert s.carry_over_fen.dtype == np.int64
    assert (s.allocated_fen - s.spent_fen == s.carry_over_fen + s.clawback_fen - s.top_up_fen - s.uncovered_fen).all()
    assert (s.carry_over_fen <= s.allocated_fen // 10).all()
    assert t.loc[(t["item"] == "top_up") & (t.measure == "amount"), "value"].iloc[0] <= 100_000_000
    with pytest.raises(civicast.Error, match="no row in the spending table"):
        civicast.settle(spec, alloc, spend.iloc[:5])


def test_settle_errors_name_file_line_or_frame_row(tmp_path):
    """A settle error names the cell as the user sees it (2026-12-05: it said "spending table, row 3",
    counting data rows, with no file): for an Excel sheet (byte-order mark, Chinese headers, "1,234.56", a
    name cell with a line break) the file as given, the line a spreadsheet shows and the column; for a
    DataFrame "the spending DataFrame: row N", N its position as df.iloc counts."""
    spec = (DEMO / "allocation.spec").read_text(encoding="utf-8").replace(
        'spent = "spent"', 'spent = "支出（元）"').replace('id = "unique_id"', 'id = "社区编号"')
    alloc, _ = civicast.allocate(DEMO / "communities.csv", DEMO / "allocation.spec")
    yuan = _spending(alloc).spent.astype(float)
    sheet = pd.DataFrame({"社区编号": alloc.unique_id, "名称": "社区", "支出（元）": [f"{v:,.2f}" for v in yuan]})
    sheet.loc[0, "名称"] = "石岭镇\n第一村"       # one record over two lines: every later line is one further down
    sheet.loc[6, "支出（元）"] = "180,670.327"     # data row 7, below the header and the two-line record: line 9
    path = tmp_path / "支出.csv"
    sheet.to_csv(path, index=False, encoding="utf-8-sig")
    with pytest.raises(civicast.Error) as e:
        civicast.settle(spec, alloc, path, thousands=",")
    assert (e.value.file, e.value.line, e.value.column) == (str(path), 9, 3)
    assert str(e.value).startswith(f"{path}:9:3: community '{alloc.unique_id[6]}': '支出（元）' = 180670.327 has ")
    frame = pd.DataFrame({"社区编号": alloc.unique_id, "支出（元）": yuan})
    frame.loc[6, "支出（元）"] = -1.0
    with pytest.raises(civicast.Error, match=r"^the spending DataFrame: row 6 \(community '.*'\): '支出（元）' is "
                       "negative"):
        civicast.settle(spec, alloc, frame)
    # amounts as text the way Excel displays them ("126,225.00", read with dtype=str): the cure, not "malformed"
    shown = frame.assign(**{"支出（元）": [f"{v:,.2f}" for v in yuan]})
    with pytest.raises(civicast.Error, match=r"^the spending DataFrame: row 0 .* written with thousands separators.*"
                       r"pd.to_numeric"):
        civicast.settle(spec, alloc, shown)
    three = pd.DataFrame({"社区编号": list(alloc.unique_id[:3]) + ["合计"], "支出（元）": [1.0, 2.0, 3.0, 6.0]})
    with pytest.raises(civicast.Error, match=r"^the spending DataFrame: row 3: community '合计' was not allocated"):
        civicast.settle(spec, alloc.iloc[:3], three)


def test_release_on_top_of_paid():
    """civicast.allocate(paid=...): the demo's risk reserve released on top of the allocation (reserve release)."""
    alloc, _ = civicast.allocate(DEMO / "communities.csv", DEMO / "allocation.spec")
    rel, _ = civicast.allocate(DEMO / "communities.csv", DEMO / "release.spec", paid=alloc, explain="en")
    paid = alloc["pool_eldercare+health_fen"]
    assert rel.amount_fen.sum() == 498_000_000 and (rel.amount_fen >= 0).all()   # 3% of the 166 m budget
    assert rel.total_fen.dtype == np.int64 and (rel.total_fen == paid + rel.amount_fen).all()
    assert rel.explanation.str.contains(r"\(paid \d+\.\d\d \+ released \d+\.\d\d\)").all()
    with pytest.raises(civicast.Error, match="no row in the paid table"):
        civicast.allocate(DEMO / "communities.csv", DEMO / "release.spec", paid=alloc.iloc[:3])


def test_year_end_walk():
    """A budget office's year with pandas frames (2026-12-05): allocate, release the risk reserve on top of
    what was paid, settle the year's amounts against spending summed from transactions in float yuan, and
    feed 2026 in as 2027's last year.  A third decimal of a yuan amount was rounded away silently, a release's
    output (the release alone) settled as the year's allocation, a total row of the paid sheet went unnamed
    and a paid column in whole yuan was read as fen."""
    comm = pd.read_csv(DEMO / "communities.csv", dtype={"unique_id": str})
    alloc, _ = civicast.allocate(comm, DEMO / "allocation.spec")
    rel, _ = civicast.allocate(comm, DEMO / "release.spec", paid=alloc)
    paid_col = "pool_eldercare+health_fen"
    total_row = pd.DataFrame({"unique_id": ["合计"], paid_col: [alloc[paid_col].sum()]})
    with pytest.raises(civicast.Error, match=r"^the paid DataFrame: the paid table has 1147 rows for 1146 "
                       r"communities: row 1146: community '合计' is not among the allocation's communities: .* "
                       r"total row"):
        civicast.allocate(comm, DEMO / "release.spec", paid=pd.concat([alloc, total_row]))
    yuan = pd.DataFrame({"unique_id": alloc.unique_id, "已拨金额（元）": alloc[paid_col] // 100})
    spec_yuan = (DEMO / "release.spec").read_text(encoding="utf-8").replace(
        'paid = "pool_eldercare+health_fen"', 'paid = "已拨金额（元）"')
    # a column marked in yuan was refused ("convert it in the sheet"): read exactly to the fen, float yuan too
    yuan_exact = pd.DataFrame({"unique_id": alloc.unique_id, "已拨金额（元）": alloc[paid_col] / 100})
    rel_y, _ = civicast.allocate(comm, spec_yuan, paid=yuan_exact)
    assert (rel_y.amount_fen == rel.amount_fen).all() and (rel_y["paid_fen"] == alloc[paid_col]).all()
    with pytest.raises(civicast.Error, match=r"^the paid DataFrame: row 2 \(community '.*'\): '已拨金额（元）' = "
                       r"[0-9.]+ has more than the currency's 2 decimals"):
        civicast.allocate(comm, spec_yuan, paid=yuan_exact.assign(**{"已拨金额（元）": lambda d: d["已拨金额（元）"]
                                                                       + np.where(d.index == 2, 0.005, 0)}))
    # float yuan under a header in fen: 'x is not a whole, non-negative number of minor units', no column, no cure
    spec_fen = spec_yuan.replace('paid = "已拨金额（元）"', 'paid = "paid_fen"')
    with pytest.raises(civicast.Error, match=r"^the paid DataFrame: row [0-9]+ \(community '.*'\): 'paid_fen' = "
                       r"[0-9.]+ is not a whole number of fen: [0-9]+ of the column's 1146 values have decimals, none "
                       r"more than 2, as amounts in yuan do: the column holds yuan, not fen: head it 'paid_yuan'"):
        civicast.allocate(comm, spec_fen, paid=yuan_exact.rename(columns={"已拨金额（元）": "paid_fen"}))
    # the same whole yuan under a header naming no unit passed as fen (a hundredth of what was paid): refused
    with pytest.raises(civicast.Error, match="column 'paid' does not say its unit: .* whole yuan would pass as fen"):
        civicast.allocate(comm, spec_yuan.replace('paid = "已拨金额（元）"', 'paid = "paid"'),
                          paid=yuan.rename(columns={"已拨金额（元）": "paid"}))
    year = alloc[["unique_id", "amount_fen"]].merge(rel[["unique_id", "amount_fen"]], on="unique_id", validate="1:1")
    year = pd.DataFrame({"unique_id": year.unique_id, "amount_fen": year.amount_fen_x + year.amount_fen_y})
    assert year.amount_fen.sum() == 15_272_000_000 + 498_000_000
    # spending: each community's transactions (whole fen) summed in float yuan, as a finance script would
    r = np.random.default_rng(11)
    spent_fen = np.round(year.amount_fen.to_numpy() * r.uniform(0.85, 1.1, len(year))).astype(np.int64)
    spent = []
    for v in spent_fen:
        parts = np.diff(np.sort(np.r_[0, r.integers(0, v + 1, 200), v]))
        spent.append(sum((parts / 100).tolist()))
    sp = pd.DataFrame({"unique_id": year.unique_id, "spent": spent})
    s, t = civicast.settle(DEMO / "allocation.spec", year, sp)
    assert (s.spent_fen.to_numpy() == spent_fen).all() and s.unique_id.tolist() == year.unique_id.tolist()
    assert (s.allocated_fen == s.spent_fen + s.carry_over_fen + s.clawback_fen - s.top_up_fen - s.uncovered_fen).all()
    amounts = t[t.measure == "amount"].set_index("item").value
    assert amounts["allocated"] == year.amount_fen.sum() and amounts["spent"] == spent_fen.sum()
    third = sp.assign(spent=sp.spent.where(sp.index != 7, 180670.327))
    with pytest.raises(civicast.Error, match="180670.327 has more than the currency's 2 decimals"):
        civicast.settle(DEMO / "allocation.spec", year, third)
    with pytest.raises(civicast.Error, match="is a reserve release"):
        civicast.settle(DEMO / "allocation.spec", rel, sp)
    # 2027: the year's amounts of each fund are its last year; hold-harmless and pace bind against them
    eh = (alloc.set_index("unique_id")["pool_eldercare+health_fen"] + rel.set_index("unique_id").amount_fen)
    mig = alloc.set_index("unique_id").pool_migrant_fen
    c27 = comm.assign(last_year_funding=comm.unique_id.map(eh) / 100, last_year_migrant=comm.unique_id.map(mig) / 100)
    spec27 = (DEMO / "allocation.spec").read_text(encoding="utf-8").replace("fiscal_year = 2026", "fiscal_year = 2027")
    a27, _ = civicast.allocate(c27, spec27)
    got = a27.set_index("unique_id")
    assert (got["last_year_eldercare+health_fen"] == eh).all() and (got.last_year_migrant_fen == mig).all()
    cur, floor = got["pool_eldercare+health_fen"], got.binding.fillna("").str.contains("floor")
    assert (cur >= np.ceil(0.85 * eh)).all() and ((cur <= np.floor(1.2 * eh)) | floor).all()


def test_budget_ids_keep_their_dtype(alt_spec):
    """compare and settle key their rows by the communities' ids in the
    input's dtype (int64 codes stay int64, text stays text), as
    civicast.allocate does."""
    comm = pd.read_csv(DEMO / "communities.csv", dtype={"unique_id": str})
    numeric = comm.assign(unique_id=310101001 + np.arange(len(comm)))
    for frame, dtype in ((numeric, np.int64), (comm, object)):
        table, _ = civicast.compare(frame, [DEMO / "allocation.spec", alt_spec])
        assert table["unique_id"].dtype == dtype
        alloc, _ = civicast.allocate(frame, DEMO / "allocation.spec")
        settled, _ = civicast.settle(DEMO / "allocation.spec", alloc, _spending(alloc))
        assert settled["unique_id"].dtype == dtype
        assert settled["unique_id"].tolist() == alloc["unique_id"].tolist()


@needs_cli
def test_project_matches_cli(tmp_path):
    """civicast.project: the command's stacked table to the fen; each year's history is the year before."""
    m = pd.read_csv(DEMO / "meals.csv")
    base = m.dropna(subset=["y"]).groupby("unique_id").y.apply(lambda s: s.tail(12).mean())
    ds = [f"{y}-{k:02d}" for y in (2025, 2026, 2027) for k in range(1, 13)]
    fc = pd.DataFrame([(u, d, h, "m", round(b * 1.03 ** (h / 12), 3)) for u, b in base.items()
                       for h, d in enumerate(ds, 1)], columns=["unique_id", "ds", "h", "model", "mean"])
    fc.to_csv(tmp_path / "fc.csv", index=False)
    p, s = civicast.project(DEMO / "communities.csv", DEMO / "plan.spec", fc, 2)
    cli("project", "--spec", DEMO / "plan.spec", "--communities", DEMO / "communities.csv", "--forecasts",
        tmp_path / "fc.csv", "--years", 2, "--out", tmp_path / "p.csv")
    c = pd.read_csv(tmp_path / "p.csv")
    assert (c.amount_fen.to_numpy() == p.amount_fen.to_numpy()).all() and (c.year == p.year).all()
    a, b = p[p.year == 2026].set_index("unique_id"), p[p.year == 2027].set_index("unique_id")
    assert (b["last_year_migrant_fen"] == a["pool_migrant_fen"]).all()
    assert s.loc[(s.year == 2027) & (s["item"] == "index"), "value"].iloc[0] == pytest.approx(1.1)
    with pytest.raises(ValueError):
        civicast.project(DEMO / "communities.csv", DEMO / "plan.spec", fc, 0)


def _as_excel_shows(path, out, percent_columns=()):
    """A copy of the CSV `path` as Excel on a Chinese Windows saves it:
    GB18030, numbers of four digits or more with thousands separators
    ("3,597", "16,800.5"), the columns named in percent_columns as percentages
    ("32.4159%"), every cell quoted as Excel quotes a cell with a comma."""
    import csv
    from decimal import Decimal, InvalidOperation
    rows = list(csv.reader(open(path, newline="", encoding="utf-8")))
    head = rows[0]
    for row in rows[1:]:
        for k, v in enumerate(row):
            try:
                d = Decimal(v)
            except InvalidOperation:
                continue
            if head[k] in percent_columns:
                row[k] = format(d.scaleb(2), "f") + "%"
            elif abs(d) >= 1000:
                row[k] = format(d, ",f")
    with open(out, "w", newline="", encoding="gb18030") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)
    return out


def test_budget_functions_read_excel_sheets(alt_spec, tmp_path):
    """encoding=, thousands= and percent= of allocate, allocate_to_file, compare,
    uncertainty, settle, project, need and Hierarchy (the CLI's --encoding,
    --thousands, --percent): a sheet as Excel saves it gives the plain file's
    tables to the bit; without the options the error names them."""
    shares = ("aged60_share", "aged60_share_registered", "migrant_share")
    sheet = _as_excel_shows(DEMO / "communities.csv", tmp_path / "社区.csv", shares)
    raw = sheet.read_bytes()
    assert b'"3,597"' in raw and b"32.4159%" in raw and "民主里".encode("gb18030") in raw
    fmt = dict(encoding="gb18030", thousands=",", percent=True)
    spec = DEMO / "allocation.spec"
    want, want_sum = civicast.allocate(DEMO / "communities.csv", spec, explain="zh")
    got, got_sum = civicast.allocate(sheet, spec, explain="zh", **fmt)
    assert_frames_equal(got, want)
    assert_frames_equal(got_sum, want_sum)
    with pytest.raises(civicast.Error, match='thousands=","'):
        civicast.allocate(sheet, spec, encoding="gb18030")
    with pytest.raises(ValueError, match="thousands must be"):
        civicast.allocate(sheet, spec, thousands=".")
    indexed = civicast.read(sheet, **fmt).set_index("unique_id")
    with pytest.raises(civicast.Error, match=r"'unique_id' is the frame's index: pass df.reset_index\(\)"):
        civicast.allocate(indexed, spec)
    assert_frames_equal(civicast.allocate(indexed.reset_index(), spec, explain="zh")[0], want)
    with pytest.raises(ValueError, match="encoding must be"):
        civicast.allocate(sheet, spec, encoding="latin-1")
    civicast.allocate_to_file(sheet, spec, tmp_path / "a.csv", **fmt)
    civicast.allocate_to_file(DEMO / "communities.csv", spec, tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    t, w = civicast.compare(sheet, [spec, alt_spec], **fmt)
    t0, w0 = civicast.compare(DEMO / "communities.csv", [spec, alt_spec])
    assert_frames_equal(t, t0)
    assert_frames_equal(w, w0)

    # forecasts as a planner's own sheet: "1,234.5" in mean, lo-*, hi-*
    m = pd.read_csv(DEMO / "meals.csv")
    base = m.dropna(subset=["y"]).groupby("unique_id").y.apply(lambda s: s.tail(12).sum() * 2.5)
    ds = [f"{y}-{k:02d}" for y in (2025, 2026, 2027) for k in range(1, 13)]
    fc = pd.DataFrame([(u, d, h, "m", b * 1.03 ** (h / 12), b * 0.9, b * 1.1) for u, b in base.items()
                       for h, d in enumerate(ds, 1)],
                      columns=["unique_id", "ds", "h", "model", "mean", "lo-80", "hi-80"])
    fc[["mean", "lo-80", "hi-80"]] = fc[["mean", "lo-80", "hi-80"]].round(1)
    fc.to_csv(tmp_path / "fc.csv", index=False)
    fc_sheet = _as_excel_shows(tmp_path / "fc.csv", tmp_path / "预测.csv")
    assert b'"' in fc_sheet.read_bytes()
    plan_spec = DEMO / "plan.spec"
    u0 = civicast.uncertainty(DEMO / "communities.csv", plan_spec, tmp_path / "fc.csv", draws=20, seed=3, threads=1)
    u = civicast.uncertainty(sheet, plan_spec, fc_sheet, draws=20, seed=3, threads=1, **fmt)
    assert_frames_equal(u.drop(columns="seconds", errors="ignore"), u0.drop(columns="seconds", errors="ignore"))
    n0 = civicast.need(plan_spec, tmp_path / "fc.csv")
    n = civicast.need(plan_spec, fc_sheet, **fmt)
    assert_frames_equal(n[0], n0[0])
    assert_frames_equal(n[1], n0[1])
    with pytest.raises(civicast.Error, match="thousands"):
        civicast.need(plan_spec, fc_sheet, encoding="gb18030")
    p0 = civicast.project(DEMO / "communities.csv", plan_spec, tmp_path / "fc.csv", 2)
    p = civicast.project(sheet, plan_spec, fc_sheet, 2, **fmt)
    assert_frames_equal(p[0], p0[0])
    assert_frames_equal(p[1], p0[1])

    # settlement: civicast's own allocation (UTF-8) next to an Excel spending sheet (GB18030, "12,345.67")
    spend = _spending(want)
    spend.to_csv(tmp_path / "spent.csv", index=False)
    spend_sheet = _as_excel_shows(tmp_path / "spent.csv", tmp_path / "支出.csv")
    civicast.write(want, tmp_path / "alloc.csv")
    s0 = civicast.settle(spec, tmp_path / "alloc.csv", tmp_path / "spent.csv")
    s = civicast.settle(spec, tmp_path / "alloc.csv", spend_sheet, **fmt)
    assert_frames_equal(s[0], s0[0])
    assert_frames_equal(s[1], s0[1])

    # a hierarchy's communities from the same sheet
    meals = pd.read_csv(DEMO / "meals.csv", dtype={"unique_id": str}).head(2000)
    h0 = civicast.Hierarchy(meals, DEMO / "communities.csv", hierarchy=["district", "street"])
    h = civicast.Hierarchy(meals, sheet, hierarchy=["district", "street"], **fmt)
    assert_frames_equal(h.nodes, h0.nodes)
    # ... and civicast.forecast(hierarchy=) and civicast.reconcile, which read the same path
    kw = dict(h=3, model="naive", hierarchy=["district", "street"], level=(80,))
    meals = meals[meals.unique_id.isin(meals.unique_id.unique()[:20])]  # whole series: one common last period
    f0 = civicast.forecast(meals, communities=DEMO / "communities.csv", **kw)
    assert_frames_equal(civicast.forecast(meals, communities=sheet, **kw, **fmt), f0)
    with pytest.raises(civicast.Error, match='thousands=","'):
        civicast.forecast(meals, communities=sheet, encoding="gb18030", **kw)
    with pytest.raises(ValueError, match="communities CSV path"):
        civicast.forecast(meals, h=3, model="naive", encoding="gb18030")
    with pytest.raises(ValueError, match="communities CSV path"):
        civicast.forecast(meals, communities=civicast.read(sheet, **fmt), encoding="gb18030", **kw)
    base = np.arange(3.0 * f0.unique_id.nunique()).reshape(-1, 3)
    n0, c0 = civicast.reconcile(meals, DEMO / "communities.csv", base, hierarchy=["district", "street"], method="ols")
    n1, c1 = civicast.reconcile(meals, sheet, base, hierarchy=["district", "street"], method="ols", **fmt)
    assert_frames_equal(n1, n0)
    assert np.array_equal(c1, c0)


def test_percentage_for_a_fraction_reaches_python(tmp_path):
    """A rate written as a percentage where the spec takes a fraction (pace = 15 meant +15%, an earmark's
    eligible_min = 50 over migrant shares, index_rate = 3 meant +3%) is civicast.Error at the key's line and
    column, with what it would have done and the cure; pace written with its percent sign is the fraction."""
    text = (DEMO / "allocation.spec").read_text()
    lines = text.splitlines()

    def variant(old, new):
        k = next(i for i, line in enumerate(lines) if line.startswith(old))
        p = tmp_path / f"v{k}.spec"
        p.write_text("\n".join(lines[:k] + [new] + lines[k + 1:]) + "\n")
        return p, k + 1

    spec, line = variant("pace = 0.20", "pace = 15")
    with pytest.raises(civicast.Error) as e:
        civicast.allocate(DEMO / "communities.csv", spec)
    err = e.value
    assert err.status == "CIV_ERR_SPEC" and err.field == "pace" and (err.line, err.column) == (line, 8)
    assert "'pace' = 15 would allow up to +1500% over last year (16 x last year): a percentage? write 0.15 " \
           "for 15%" in err.message
    assert str(err).startswith(f"{spec}:{line}:8: ")
    spec, line = variant("eligible_min = 0.5", "eligible_min = 50")
    with pytest.raises(civicast.Error, match=r"so no community would be eligible: a percentage\? write 0.5 for 50%"
                       ) as e:
        civicast.allocate(DEMO / "communities.csv", spec.read_text())
    assert e.value.field == "eligible_min" and (e.value.line, e.value.column) == (line, 16)
    need_spec = tmp_path / "need.spec"
    need_spec.write_text((DEMO / "plan.spec").read_text().replace("index_rate = 0.10", "index_rate = 3"))
    fc = pd.DataFrame({"unique_id": ["a"], "ds": ["2025-01"], "h": [1], "mean": [1.0]})
    with pytest.raises(civicast.Error, match=r"index_rate: 3 would raise the standard by 300% at every indexation "
                                             r"step .*: a percentage\? write 0.03 for 3%") as e:
        civicast.need(need_spec, fc)
    assert e.value.field == "index_rate"
    spec, _ = variant("pace = 0.20", 'pace = "20%"')
    got, _ = civicast.allocate(DEMO / "communities.csv", spec)
    want, _ = civicast.allocate(DEMO / "communities.csv", DEMO / "allocation.spec")
    assert (got["amount_fen"].to_numpy() == want["amount_fen"].to_numpy()).all()


def test_floor_in_fen_reaches_python(tmp_path):
    """A floor written in fen where the spec takes yuan (floor = 5_000_000 for 50,000.00; the budget walk of
    2026-12-06) is civicast.Error naming the floor's line and the cure, also under on_infeasible = "ratable",
    where before every floor was cut to 2% of itself and the fund split equally, the formula ignored."""
    text = (DEMO / "allocation.spec").read_text(encoding="utf-8")
    line = next(i for i, s in enumerate(text.splitlines(), 1) if s.startswith("floor = 50_000.00"))
    spec = tmp_path / "floor_fen.spec"
    spec.write_text(text.replace("floor = 50_000.00", "floor = 5_000_000").replace(  # no cap, to reach the cut
        'on_infeasible = "error"', 'on_infeasible = "ratable"').replace("cap_share = 0.005", ""), encoding="utf-8")
    with pytest.raises(civicast.Error) as e:
        civicast.allocate(DEMO / "communities.csv", spec)
    err = e.value
    assert err.status == "CIV_ERR_INFEASIBLE" and err.field == "main"
    assert f"the floor of 5,000,000.00 ({spec}:{line}) for each of 1146 communities is " in err.message
    assert err.message.endswith("written in fen? the spec's money is in yuan: floor = 50000.00; if the floor is "
                                "right, a cut that far keeps nothing of its promise: lower it")


def test_chinese_attribute_typo_named():
    """A spec's attribute typed with a half-width bracket for the sheet's full-width one, or one wrong character,
    is named with the column meant (the budget walk of 2026-12-06: by bytes, a Chinese name was never near)."""
    comm = pd.DataFrame({"社区编号": ["01", "02"], "面积（平方公里）": [1.5, 2.0], "常住人口": [10, 20],
                         "流动人口": [3, 4]})
    for typed, near in [("面积(平方公里)", "'面积（平方公里）' (full-width vs half-width)"), ("常驻人口", "'常住人口'")]:
        spec = (f'version = "z"\n[budget]\ntotal = 100.00\nfiscal_year = 2027\n[data]\nid = "社区编号"\n'
                f'[[pool]]\nname = "p"\nshare = 1\n[[factor]]\nname = "a"\nattribute = "{typed}"\nweight = 1\n')
        with pytest.raises(civicast.Error) as e:
            civicast.allocate(comm, spec)
        assert e.value.status == "CIV_ERR_MISSING_COLUMN"
        assert f"unknown attribute '{typed}'; did you mean {near} (the data has" in e.value.message


def test_tilt_label_naming_the_tilt():
    """A tilt labelled as offices name the rule ("老龄化倾斜") reads "老龄化倾斜 ×1.2" in the explanations, in
    both languages (the budget walk of 2026-12-06: "老龄化倾斜倾斜 ×1.2", "老龄化倾斜 tilt ×1.2")."""
    comm = pd.DataFrame({"unique_id": ["a", "b"], "pop": [10, 20], "aged_share": [0.3, 0.1]})
    spec = ('version = "t"\n[budget]\ntotal = 100.00\nfiscal_year = 2027\n[[pool]]\nname = "p"\nshare = 1\n'
            '[[factor]]\nname = "pop"\nattribute = "pop"\nweight = 1\n[[tilt]]\nname = "aging"\n'
            'label = "老龄化倾斜"\nattribute = "aged_share"\nabove = 0.25\nmultiplier = 1.2\n')
    for lang, want in [("zh", "；老龄化倾斜 ×1.2；"), ("en", "; 老龄化倾斜 ×1.2; ")]:
        alloc, _ = civicast.allocate(comm, spec, explain=lang)
        assert want in alloc.explanation[0] and "倾斜倾斜" not in alloc.explanation[0]


def test_dataframe_errors_name_rows_as_iloc(tmp_path):
    """The library's errors about a row of a DataFrame counted from 1: "data row 6" for iloc[5], "forecasts rows
    1 and 37" for iloc 0 and 36, while forecast's errors and docs/PYTHON.md count from 0. Every frame the budget
    functions pass is named now ("the communities DataFrame", rows from 0, civ_table_set_source), so allocate,
    need, uncertainty, compare and project say df.iloc's position; a CSV path keeps its file's line."""
    comm = pd.read_csv(DEMO / "communities.csv")
    spec = DEMO / "allocation.spec"
    twice = pd.concat([comm.iloc[:5], comm.iloc[:1]], ignore_index=True)
    with pytest.raises(civicast.Error) as e:
        civicast.allocate(twice, spec)
    assert f"duplicate community id '{comm.unique_id[0]}' (rows 0 and 5)" in str(e.value)
    assert e.value.file == "the communities DataFrame"
    neg = comm.copy()
    neg.loc[5, "population_resident"] = -3
    for call in (lambda: civicast.allocate(neg, spec), lambda: civicast.compare(neg, [spec])):
        with pytest.raises(civicast.Error, match=rf"negative for community '{comm.unique_id[5]}' \(row 5\)"):
            call()
    path = tmp_path / "c.csv"
    neg.to_csv(path, index=False)
    with pytest.raises(civicast.Error, match=rf"negative for community '{comm.unique_id[5]}' \(line 7\)") as e:
        civicast.allocate(path, spec)
    assert (e.value.file, e.value.line) == (str(path), 7)
    meals = pd.read_csv(DEMO / "meals.csv")
    fc = civicast.forecast(meals[meals.unique_id.isin(comm.unique_id[:20])], h=36, model="naive")
    mixed = fc.assign(ds=fc["ds"].astype(str))
    mixed.loc[36, "ds"] = "2025-Q1"
    plan = DEMO / "plan.spec"
    for call in (lambda: civicast.need(plan, mixed), lambda: civicast.allocate(comm, plan, forecasts=mixed),
                 lambda: civicast.uncertainty(comm, plan, forecasts=mixed, draws=10)):
        with pytest.raises(civicast.Error, match=r"forecasts rows 0 and 36: ds '2025-01' and '2025-Q1' are dates"):
            call()
    stray = fc.copy()
    stray.loc[5, "unique_id"] = "nosuch"
    with pytest.raises(civicast.Error, match=r"forecasts row 5: unknown community 'nosuch'"):
        civicast.allocate(comm, plan, forecasts=stray)


def test_frame_of_text_reads_as_its_file(tmp_path):
    """A DataFrame of text cells, as pd.read_csv(dtype=str) or pd.read_excel(dtype=str) gives a sheet, reads
    as the file of the same cells (before 2026-12-07 thousands= and percent= were lost on a frame, "3,597"
    was "text, not numbers" with thousands=",", and even "3597" as text named only the spec's line)."""
    spec = DEMO / "allocation.spec"
    want, _ = civicast.allocate(DEMO / "communities.csv", spec)
    plain = pd.read_csv(DEMO / "communities.csv", dtype=str)
    assert_frames_equal(civicast.allocate(plain, spec)[0], want)
    shares = ("aged60_share", "aged60_share_registered", "migrant_share")
    sheet = _as_excel_shows(DEMO / "communities.csv", tmp_path / "社区.csv", shares)
    shown = pd.read_csv(sheet, dtype=str, encoding="gb18030")
    assert shown.population_resident[0] == "3,597" and shown.aged60_share[0].endswith("%")
    assert_frames_equal(civicast.allocate(shown, spec, thousands=",", percent=True)[0], want)
    with pytest.raises(civicast.Error, match=r"row 0 .*'3,597', a number written with a thousands separator: "
                       r"read it with thousands=\",\""):
        civicast.allocate(shown, spec)
    # with thousands=",": the cell that is no number under it is named, not the first "3,597"
    shown.loc[4, "population_resident"] = "-"
    with pytest.raises(civicast.Error, match=r"row 4 .* holds '-'"):
        civicast.allocate(shown, spec, thousands=",", percent=True)
