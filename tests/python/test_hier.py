"""Hierarchies and reconciliation from Python (civicast.Hierarchy,
civicast.reconcile, civicast.forecast(..., hierarchy=...)), checked against
a small numpy implementation of BU, OLS, WLS (structural and variance) and
MinT with the Schaefer-Strimmer shrinkage (as R's hts::shrink.estim),
written here from the formulas; coherence of forecasts; the real grouped
prison structure (tests/fixtures/hier, from ../shared); bad hierarchies."""
import os

import numpy as np
import pandas as pd
import pytest

import civicast

FIX = os.path.join(os.environ.get("CIV_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", "..")),
                   "tests", "fixtures", "hier")


def np_reconcile(S, base, method, res=None, levels=None):
    n, m = S.shape
    if method == "bu":
        return S @ base[n - m:]
    if method == "ols":
        W = np.eye(n)
    elif method == "wls_struct":
        W = np.diag(S.sum(axis=1))
    else:
        x = res[np.all(np.isfinite(res), axis=1)]
        if x.shape[0] >= 2:
            d = np.diag(x.T @ x) / x.shape[0]
        else:  # fewer than 2 complete periods: every period with a residual, missing ones 0 (FORECASTING.md)
            x = np.nan_to_num(res[np.any(np.isfinite(res), axis=1)], nan=0.0)
            cnt = np.isfinite(res).sum(axis=0)
            d = np.where(cnt > 0, (x ** 2).sum(axis=0) / np.maximum(cnt, 1), np.nan)
            for i in np.flatnonzero(cnt == 0):  # none: the mean of its level's nodes that have them
                d[i] = np.nanmean(d[levels == levels[i]])
        T = x.shape[0]
        covm = x.T @ x / T
        np.fill_diagonal(covm, d)
        if method == "wls_var":
            W = np.diag(d)
        else:
            xs = x / np.sqrt(d)
            v = (1.0 / (T * (T - 1))) * ((xs ** 2).T @ (xs ** 2) - (xs.T @ xs) ** 2 / T)
            np.fill_diagonal(v, 0.0)
            corm = (xs.T @ xs) / T
            np.fill_diagonal(corm, 0.0)
            lam = min(1.0, max(0.0, v.sum() / (corm ** 2).sum()))
            W = lam * np.diag(d) + (1 - lam) * covm
    Wi = np.linalg.inv(W)
    G = np.linalg.solve(S.T @ Wi @ S, S.T @ Wi)
    return S @ G @ base


def small_city(rng, n_months=36):
    comm = pd.DataFrame({
        "unique_id": [f"c{i}" for i in range(8)],
        "district": ["A", "A", "A", "A", "B", "B", "B", "C"],
        "street": ["A1", "A1", "A2", "A2", "B1", "B1", "B2", "C1"],
        "service": ["meals", "care", "meals", "care", "meals", "care", "meals", "care"]})
    ds = pd.period_range("2020-01", periods=n_months, freq="M").astype(str)
    rows = []
    for i, u in enumerate(comm["unique_id"]):
        y = 40 + 5 * i + np.arange(n_months) * 0.4 + rng.normal(0, 3, n_months)
        rows.append(pd.DataFrame({"unique_id": u, "ds": ds, "y": np.round(y)}))
    return pd.concat(rows, ignore_index=True), comm


@pytest.mark.parametrize("levels,groups", [(["district", "street"], None), (["district"], ["service"])])
def test_methods_match_numpy(levels, groups):
    rng = np.random.default_rng(7)
    df, comm = small_city(rng)
    hz = civicast.Hierarchy(df, comm, hierarchy=levels, groups=groups)
    S = hz.S
    n, m = S.shape
    assert m == 8 and np.allclose(S[n - m:], np.eye(m))
    T = 30
    f = rng.normal(size=(T, 1))
    res = f * rng.uniform(0.5, 2, n) + rng.normal(size=(T, n))
    res[0, 3] = np.nan  # a row without every residual is left out
    base = rng.uniform(50, 150, size=(n, 4))
    for method in ("bu", "ols", "wls_struct", "wls_var", "mint_shrink"):
        got = hz.reconcile(base, method, residuals=res)
        want = np_reconcile(S, base, method, res)
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)
        np.testing.assert_array_equal(S @ got[n - m:], got)  # coherent to the last bit
    assert 0.0 < hz.last_lambda < 1.0
    nodes, got = civicast.reconcile(df, comm, base, hierarchy=levels, groups=groups, method="ols")
    assert list(nodes["unique_id"]) == list(hz.nodes["unique_id"])
    np.testing.assert_allclose(got, np_reconcile(S, base, "ols"), rtol=1e-9)


def test_forecast_every_node_coherent():
    rng = np.random.default_rng(3)
    df, comm = small_city(rng)
    out = civicast.forecast(df, h=6, model="ets", hierarchy=["district", "street"], communities=comm,
                            reconcile="wls_struct", level=[80])
    assert list(out.columns) == ["level", "unique_id", "ds", "h", "model", "base", "mean", "lo-80", "hi-80"]
    assert set(out["level"]) == {"total", "district", "district/street", "unique_id"}
    for step in range(1, 7):
        s = out[out["h"] == step].set_index(["level", "unique_id"])["mean"]
        bottom = s["unique_id"]
        assert s[("total", "total")] == pytest.approx(bottom.sum(), rel=1e-12)
        assert s[("district", "A")] == pytest.approx(bottom[["c0", "c1", "c2", "c3"]].sum(), rel=1e-12)
    assert (out["lo-80"] <= out["hi-80"]).all()
    assert (out["mean"] >= 0).all()  # non-negative data: the non-negative variant (auto)


def test_prison_grouped_real_data_matches_numpy():
    """The fpp2 prison data: base forecasts of every node, then MinT and WLS
    in C against numpy on the same base forecasts and residuals."""
    df = pd.read_csv(os.path.join(FIX, "prison.csv"))
    groups = pd.read_csv(os.path.join(FIX, "prison_groups.csv"))
    hz = civicast.Hierarchy(df, groups, groups=["state", "gender", "legal"])
    assert hz.n_nodes == 81  # 1 + 8 + 2 + 16 + 2 + 16 + 4 + 32, as hts's gts
    agg = hz.aggregate()
    fc, fitted = civicast.forecast(agg, h=4, model="naive", level=None, fitted=True)
    order = list(hz.nodes["unique_id"])
    base = fc.pivot(index="unique_id", columns="h", values="mean").loc[order].to_numpy()
    res = fitted.pivot(index="ds", columns="unique_id", values="residual")[order].to_numpy()
    S = hz.S
    for method in ("wls_var", "mint_shrink"):
        np.testing.assert_allclose(hz.reconcile(base, method, residuals=res), np_reconcile(S, base, method, res),
                                   rtol=1e-8)


def test_bad_hierarchies_name_rows():
    rng = np.random.default_rng(1)
    df, comm = small_city(rng)
    twice = pd.concat([comm, comm.iloc[[2]].assign(street="A9")], ignore_index=True)
    with pytest.raises(civicast.Error, match=r"community 'c2' is listed twice.*row 2.*row 8"):
        civicast.Hierarchy(df, twice, hierarchy=["district", "street"])
    bad = comm.copy()
    bad.loc[4, "district"] = "A"  # B1 under A (c4) and under B (c5)
    with pytest.raises(civicast.Error, match="inconsistent nesting: street 'B1'"):
        civicast.Hierarchy(df, bad, hierarchy=["district", "street"])
    missing = comm.copy()
    missing.loc[6, "street"] = None
    with pytest.raises(civicast.Error, match=r"community 'c6' \(row 6\) has no value of 'street'"):
        civicast.Hierarchy(df, missing, hierarchy=["district", "street"])
    with pytest.raises(civicast.Error, match="twice"):
        civicast.Hierarchy(df, comm, hierarchy=["district", "district"])
    with pytest.raises(civicast.Error, match="nested"):
        civicast.forecast(df, h=2, model="naive", hierarchy=["district"], groups=["service"], communities=comm,
                          reconcile="td")


def int_city(rng):
    """small_city as a researcher's read_csv gives it: int community ids,
    int district codes, Timestamps."""
    df, comm = small_city(rng)
    num = {u: 101 + i for i, u in enumerate(comm["unique_id"])}
    df = df.assign(unique_id=df["unique_id"].map(num), ds=pd.to_datetime(df["ds"]))
    comm = comm.assign(unique_id=comm["unique_id"].map(num), district=comm["district"].map({"A": 1, "B": 2, "C": 3}))
    return df, comm


def test_int_ids_and_timestamps_come_back_as_given():
    """Ids and dates in the caller's types: int series ids and int district
    codes stay ints (they came back as text '101', '1': merges with the
    panel failed, fc[fc.unique_id == 101] was silently empty), Timestamps
    stay Timestamps (forecast gave text, aggregate() turned text into
    Timestamps)."""
    rng = np.random.default_rng(5)
    df, comm = int_city(rng)
    hz = civicast.Hierarchy(df, comm, hierarchy=["district", "street"])
    assert list(hz.nodes["unique_id"].iloc[:4]) == ["total", 1, 2, 3]
    assert list(hz.nodes["unique_id"].iloc[-8:]) == list(range(101, 109))
    assert "1/A1" in set(hz.nodes["unique_id"])  # several columns joined: text
    agg = hz.aggregate()
    assert agg["ds"].dtype == df["ds"].dtype
    both = agg.merge(df, on=["unique_id", "ds"])  # the series of the aggregate panel are the panel's
    assert len(both) == len(df) and (both["y_x"] == both["y_y"]).all()
    d1 = df.merge(comm, on="unique_id").query("district == 1").groupby("ds")["y"].sum()
    np.testing.assert_array_equal(agg[agg["unique_id"] == 1].set_index("ds")["y"].loc[d1.index], d1)
    fc = hz.forecast(h=3, model="naive", level=[80])
    assert fc["ds"].dtype == df["ds"].dtype and fc["ds"].iloc[0] == df["ds"].max() + pd.offsets.MonthBegin(1)
    assert len(fc[fc["unique_id"] == 101]) == 3
    bottom = fc[fc["level"] == "unique_id"].merge(comm, on="unique_id")
    assert len(bottom) == 8 * 3
    by_district = bottom.groupby(["district", "h"])["mean"].sum()
    got = fc[fc["level"] == "district"].merge(by_district.rename("sum").reset_index(),
                                               left_on=["unique_id", "h"], right_on=["district", "h"])
    assert len(got) == 3 * 3
    np.testing.assert_allclose(got["mean"], got["sum"], rtol=1e-12)
    st = hz.summing_table()
    assert set(st.loc[st["unique_id"] == 1, "bottom_id"]) == {101, 102, 103, 104}
    assert hz.S.shape == (hz.n_nodes, 8)
    out = civicast.forecast(df, h=3, model="naive", level=[80], hierarchy=["district", "street"], communities=comm)
    pd.testing.assert_frame_equal(out, fc)


def test_bring_your_own_base_forecasts_with_int_ids():
    """The documented route (base forecasts and residuals from
    civicast.forecast(hz.aggregate(), fitted=True), pivoted into node order)
    with int ids: the fitted values came back with text ids and text ds, so
    the pivot's columns did not match hz.nodes (KeyError)."""
    rng = np.random.default_rng(6)
    df, comm = int_city(rng)
    hz = civicast.Hierarchy(df, comm, hierarchy=["district", "street"])
    fc, fitted = civicast.forecast(hz.aggregate(), h=4, model="naive", level=None, fitted=True)
    assert fitted["ds"].dtype == df["ds"].dtype
    order = list(hz.nodes["unique_id"])
    base = fc.pivot(index="unique_id", columns="h", values="mean").loc[order].to_numpy()
    res = fitted.pivot(index="ds", columns="unique_id", values="residual")[order].to_numpy()
    S = hz.S
    np.testing.assert_allclose(hz.reconcile(base, "mint_shrink", residuals=res),
                               np_reconcile(S, base, "mint_shrink", res), rtol=1e-9)
    _, f2 = civicast.forecast(df, h=2, model="naive", fitted=True)  # a plain panel too
    assert f2["unique_id"].dtype == np.int64 and f2["ds"].dtype == df["ds"].dtype
    assert len(f2.merge(df, on=["unique_id", "ds"])) == len(df)


def test_community_opened_last_month_reconciles_by_mint():
    """A community opened last month (two values, one residual): one period has every node's residual, so mint_shrink
    and wls_var (the default of forecast with a hierarchy) failed until 2026-12-07 ("need in-sample residuals
    of every node at 2 periods or more"); they now estimate W from the periods where some node has one, as
    the numpy version of that rule here."""
    rng = np.random.default_rng(11)
    df, comm = small_city(rng)
    months = sorted(df["ds"].unique())
    df = df[(df["unique_id"] != "c7") | (df["ds"] >= months[-2])]  # c7 opens in the month before the last
    hz = civicast.Hierarchy(df, comm, hierarchy=["district", "street"])
    fc, fitted = civicast.forecast(hz.aggregate(), h=3, model="naive", level=None, fitted=True)
    order = list(hz.nodes["unique_id"])
    base = fc.pivot(index="unique_id", columns="h", values="mean").loc[order].to_numpy()
    res = fitted.pivot(index="ds", columns="unique_id", values="residual").reindex(columns=order).to_numpy()
    assert np.all(np.isfinite(res), axis=1).sum() == 1
    levels = hz.nodes["level"].to_numpy()
    for method in ("wls_var", "mint_shrink"):
        np.testing.assert_allclose(hz.reconcile(base, method, residuals=res),
                                   np_reconcile(hz.S, base, method, res, levels), rtol=1e-9)
    out = hz.forecast(h=3, model="naive", reconcile="mint_shrink")
    assert np.isfinite(out["mean"]).all() and np.isfinite(out["hi-95"]).all()


def test_whole_float_codes_are_whole_numbers():
    """A code column pandas typed as float (101.0, district 2.0) names the
    same community and district as the int codes: it failed with "series
    '101' has no row" and made nodes '1.0', '2.0'."""
    rng = np.random.default_rng(8)
    df, comm = int_city(rng)
    fl = comm.assign(unique_id=comm["unique_id"].astype(float), district=comm["district"].astype(float))
    hz = civicast.Hierarchy(df, fl, hierarchy=["district"])
    assert list(hz.nodes["unique_id"].iloc[:4]) == ["total", 1, 2, 3]


def test_grouped_structure_given_as_hierarchy_names_groups():
    df = pd.read_csv(os.path.join(FIX, "prison.csv"))
    groups = pd.read_csv(os.path.join(FIX, "prison_groups.csv"))
    with pytest.raises(civicast.Error, match=r"if genders cross states \(a grouped structure\), name 'gender' in "
                                             r"groups= instead"):  # the library's '--group (groups=)' in Python's words
        civicast.Hierarchy(df, groups, hierarchy=["state", "gender", "legal"])


def test_dask_forecast_of_a_hierarchy():
    """civicast.dask.forecast(ddf, hierarchy=..., communities=..., intervals="model") (refused before
    2026-12-07): the nodes' base forecasts in tasks, reconciled once: Hierarchy.forecast(intervals="model")
    bit for bit in one task and in three; progress counts the nodes; without intervals="model" (the
    single-machine default is conformal, pooled over every node) and without communities= it is refused."""
    dd = pytest.importorskip("dask.dataframe")
    import civicast.dask
    df, comm = small_city(np.random.default_rng(2))
    hz = civicast.Hierarchy(df, comm, hierarchy=["district", "street"])
    ref = hz.forecast(h=3, model="ets", reconcile="mint_shrink", intervals="model")
    for k in (1, 3):
        seen = []
        got = civicast.dask.forecast(dd.from_pandas(df, npartitions=k), h=3, model="ets", intervals="model",
                                     hierarchy=["district", "street"], communities=comm,
                                     progress=lambda done, total: seen.append((done, total)))
        pd.testing.assert_frame_equal(got.reset_index(drop=True), ref.reset_index(drop=True), check_exact=True)
        assert seen[0] == (0, hz.n_nodes) and seen[-1] == (hz.n_nodes, hz.n_nodes) and len(seen) == k + 1
    with pytest.raises(civicast.Error, match="pass intervals='model'"):
        civicast.dask.forecast(dd.from_pandas(df, npartitions=2), h=2, hierarchy=["district"], communities=comm)
    with pytest.raises(civicast.Error, match="intervals='conformal' is not made per partition"):
        civicast.dask.forecast(dd.from_pandas(df, npartitions=2), h=2, intervals="conformal")
    with pytest.raises(civicast.Error, match="hierarchy= needs communities="):
        civicast.dask.forecast(dd.from_pandas(df, npartitions=2), h=2, hierarchy=["district"], intervals="model")


def test_ids_written_otherwise_say_so():
    """Every community id written otherwise than the panel's (codes 0101 as
    text against the int ids 101 of read_csv): the error says the two tables'
    ids differ and shows the table's, not only that one series has no row; when the codes differ by leading
    zeros only (Excel drops them), it says so and gives the cure."""
    df, comm = int_city(np.random.default_rng(9))
    padded = comm.assign(unique_id=comm["unique_id"].map(lambda v: f"0{v}"))
    with pytest.raises(civicast.Error, match=r"series '101' and 7 other series of 8 have no row in the communities "
                                             r"table; the communities table has '0101', the same code with leading "
                                             r"zeros \(Excel drops them from a General column\): format the code "
                                             r"column as Text"):
        civicast.Hierarchy(df, padded, hierarchy=["district"])
    lettered = comm.assign(unique_id=comm["unique_id"].map(lambda v: f"C{v}"))
    with pytest.raises(civicast.Error, match=r"series '101' and 7 other series of 8 have no row in the communities "
                                             r"table, whose ids begin 'C101' \(row 0\): the panel and the table must "
                                             r"write the same ids \(case, spaces, leading zeros\)"):
        civicast.Hierarchy(df, lettered, hierarchy=["district"])


def test_total_column_does_not_duplicate_the_total():
    """A researcher's attribute table with a constant 'Total' column, named
    as the top level (hierarchy=["Total", "district", "street"]): the level
    'Total' repeated the total, a duplicate row of S that silently moved the
    MinT forecasts (by 3% on the tourism data); it is left out now, as a
    level repeating the series is."""
    df, comm = small_city(np.random.default_rng(4))
    kw = dict(h=3, model="ets", level=None, reconcile="mint_shrink")
    plain = civicast.forecast(df, hierarchy=["district", "street"], communities=comm, **kw)
    tot = civicast.forecast(df, hierarchy=["Total", "district", "street"], communities=comm.assign(Total="city"), **kw)
    assert tot.groupby("level", sort=False).size().to_dict() == {"total": 3, "Total/district": 9,
                                                                  "Total/district/street": 15, "unique_id": 24}
    np.testing.assert_allclose(tot["mean"].to_numpy(), plain["mean"].to_numpy(), rtol=1e-9)


@pytest.mark.skipif(not os.environ.get("CIV_CLI"), reason="CIV_CLI not set")
def test_aggregate_and_summing_equal_the_command(tmp_path):
    """Hierarchy.aggregate / summing_table and `civicast convert --hierarchy --summing` are one call each
    (civ_hier_aggregate, civ_hier_summing_table): the same nodes, values and matrix on the demo city."""
    import subprocess
    from pathlib import Path
    demo = Path(__file__).resolve().parents[2] / "datasets" / "demo_city"
    r = subprocess.run([os.environ["CIV_CLI"], "convert", str(demo / "meals.csv"), str(tmp_path / "agg.csv"),
                        "--hierarchy", "district,street", "--communities", str(demo / "communities.csv"),
                        "--summing", str(tmp_path / "S.csv")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    df = civicast.read(demo / "meals.csv")[["unique_id", "ds", "y"]]
    hz = civicast.Hierarchy(df, demo / "communities.csv", hierarchy=["district", "street"])
    py = hz.aggregate()
    cli = civicast.read(tmp_path / "agg.csv")
    key = ["unique_id", "ds"]
    py = py.assign(unique_id=py["unique_id"].astype(str)).sort_values(key).reset_index(drop=True)
    cli = cli.assign(unique_id=cli["unique_id"].astype(str)).sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(py[key + ["y"]], cli[key + ["y"]], check_dtype=False)
    s_py = hz.summing_table().astype(str).sort_values(["level", "unique_id", "bottom_id"]).reset_index(drop=True)
    s_cli = pd.read_csv(tmp_path / "S.csv", dtype=str).sort_values(["level", "unique_id", "bottom_id"])
    pd.testing.assert_frame_equal(s_py, s_cli.reset_index(drop=True))


def test_errors_name_the_communities_file(tmp_path):
    """An error about the communities file's content names the file, as the command's (the C table does not
    know its file); a DataFrame has no file to name."""
    df = pd.DataFrame({"unique_id": ["a"] * 3 + ["b"] * 3, "ds": ["2024-01", "2024-02", "2024-03"] * 2,
                       "y": [1.0, 2, 3, 4, 5, 6]})
    path = tmp_path / "社区.csv"
    path.write_text("unique_id,district\na,D1\n", encoding="utf-8")
    with pytest.raises(civicast.Error) as e:
        civicast.Hierarchy(df, path, hierarchy=["district"])
    assert e.value.file == str(path) and str(e.value).startswith(f"{path}: series 'b'")
    with pytest.raises(civicast.Error) as e:
        civicast.forecast(df, h=1, model="naive", hierarchy=["street"], communities=path)
    assert e.value.file == str(path) and "no column 'street'" in str(e.value)
    with pytest.raises(civicast.Error) as e:
        civicast.Hierarchy(df, pd.DataFrame({"unique_id": ["a"], "district": ["D1"]}), hierarchy=["district"])
    assert e.value.file == "the communities DataFrame"  # no path; its rows are named as iloc counts


@pytest.mark.skipif(not os.environ.get("CIV_CLI"), reason="CIV_CLI not set")
def test_reconcile_command_equals_hierarchy_reconcile(tmp_path):
    """`civicast reconcile` and Hierarchy.reconcile are one call (civ_hier_reconcile): on the demo city's
    districts, the same coherent means from the same base forecasts and residuals."""
    import subprocess
    from pathlib import Path
    cli = os.environ["CIV_CLI"]
    demo = Path(__file__).resolve().parents[2] / "datasets" / "demo_city"
    comm = demo / "communities.csv"

    def run(*args):
        r = subprocess.run([cli, *map(str, args)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr

    run("convert", demo / "meals.csv", tmp_path / "agg.csv", "--hierarchy", "district", "--communities", comm)
    run("forecast", tmp_path / "agg.csv", "--h", "3", "--model", "naive", "--out", tmp_path / "base.csv",
        "--fitted", tmp_path / "fit.csv", "--quiet")
    run("reconcile", demo / "meals.csv", "--base", tmp_path / "base.csv", "--fitted", tmp_path / "fit.csv",
        "--hierarchy", "district", "--communities", comm, "--out", tmp_path / "rec.csv")
    got = pd.read_csv(tmp_path / "rec.csv", dtype={"unique_id": str})
    df = civicast.read(demo / "meals.csv")[["unique_id", "ds", "y"]]
    hz = civicast.Hierarchy(df, comm, hierarchy=["district"])
    ids = [str(u) for u in hz.nodes["unique_id"]]
    base = pd.read_csv(tmp_path / "base.csv", dtype={"unique_id": str}).pivot(index="unique_id", columns="h",
                                                                              values="mean").loc[ids]
    fit = pd.read_csv(tmp_path / "fit.csv", dtype={"unique_id": str}).pivot(index="ds", columns="unique_id",
                                                                            values="residual")[ids].sort_index()
    want = hz.reconcile(base.to_numpy(), "mint_shrink", residuals=fit.to_numpy())
    have = got.pivot(index="unique_id", columns="h", values="mean").loc[ids].to_numpy()
    np.testing.assert_allclose(have, want, rtol=1e-12, atol=1e-9)


def test_nodes_in_natural_order_and_gaps_named():
    """Districts numbered past 9 are listed in natural order (D2 before D10; were text order, D10 first) in
    nodes, aggregate() and the forecasts, and reconcile's arrays follow nodes; a missing month inside a
    series, which leaves the total missing there, is named by gaps() and a ForecastWarning."""
    rng = np.random.default_rng(3)
    df, comm = small_city(rng, 24)
    comm["district"] = comm["district"].map({"A": "D10", "B": "D2", "C": "D1"})
    hz = civicast.Hierarchy(df, comm, hierarchy=["district"])
    assert hz.nodes["unique_id"].tolist()[:4] == ["total", "D1", "D2", "D10"]
    base = np.arange(hz.n_nodes, dtype=float)[:, None] + 1.0
    out = hz.reconcile(base, "bu")
    assert out[0, 0] == base[4:, 0].sum() and out[3, 0] == base[4:8, 0].sum()  # D10 = c0..c3, rows of nodes
    fc = hz.forecast(h=2, model="naive", reconcile="ols")
    assert fc["unique_id"].drop_duplicates().tolist()[:4] == ["total", "D1", "D2", "D10"]
    assert hz.gaps().empty
    gap = df.copy()
    gap.loc[(gap.unique_id == "c5") & (gap.ds == "2020-03"), "y"] = np.nan
    hg = civicast.Hierarchy(gap, comm, hierarchy=["district"])
    g = hg.gaps()
    assert g["unique_id"].tolist() == ["c5"] and g["ds"].tolist() == ["2020-03"]
    with pytest.warns(civicast.ForecastWarning, match=r"1 missing value of 1 series leave the aggregates above "
                                                      r"them missing there, the total in 1 period: c5 2020-03"):
        a = hg.aggregate()
    assert a[(a.unique_id == "total") & (a.ds == "2020-03")]["y"].isna().all()


def test_reconcile_aligns_frames_on_node_ids():
    """A base DataFrame and residuals DataFrame are matched to the nodes by their labels (rows of base,
    columns of residuals), in any order: base from fc.pivot(index="unique_id", ...) has its ids sorted
    ('A', 'A/A1', ..., 'c0', ..., 'total'), not in nodes' order, and was taken by position, every forecast
    attached to another node, silently (on the demo city, negative meal counts).  Labels that name no node,
    a node given twice or nodes left out are civicast.Error naming them; arrays stay positional."""
    rng = np.random.default_rng(11)
    df, comm = small_city(rng)
    hz = civicast.Hierarchy(df, comm, hierarchy=["district", "street"])
    fc, fitted = civicast.forecast(hz.aggregate(), h=3, model="naive", level=None, fitted=True)
    base = fc.pivot(index="unique_id", columns="h", values="mean")
    res = fitted.pivot(index="ds", columns="unique_id", values="residual")
    order = list(hz.nodes["unique_id"])
    assert list(base.index) != order and list(res.columns) != order  # sorted: not the nodes' order
    want = hz.reconcile(base.loc[order].to_numpy(), "mint_shrink", residuals=res[order].to_numpy())
    got = hz.reconcile(base, "mint_shrink", residuals=res)
    assert isinstance(got, pd.DataFrame) and list(got.index) == order and list(got.columns) == [1, 2, 3]
    np.testing.assert_array_equal(got.to_numpy(), want)
    shuffled = base.sample(frac=1, random_state=1)
    np.testing.assert_array_equal(hz.reconcile(shuffled, "ols").to_numpy(), hz.reconcile(base.loc[order].to_numpy(),
                                                                                          "ols"))
    one = hz.reconcile(base[2], "bu")  # a Series: one step
    assert isinstance(one, pd.Series) and list(one.index) == order
    np.testing.assert_array_equal(one.to_numpy(), hz.reconcile(base.loc[order, 2].to_numpy(), "bu")[:, 0])
    nodes, coherent = civicast.reconcile(df, comm, base, hierarchy=["district", "street"], method="ols")
    assert list(coherent.index) == list(nodes["unique_id"])
    np.testing.assert_array_equal(coherent.to_numpy(), hz.reconcile(base.loc[order].to_numpy(), "ols"))
    with pytest.raises(civicast.Error, match=r"base has no row of forecasts for 1 of the 17 nodes: 'c3'") as e:
        hz.reconcile(base.drop(index="c3"), "ols")
    assert e.value.status == "CIV_ERR_NOT_FOUND"
    with pytest.raises(civicast.Error, match=r"base names 1 id that is no node of the hierarchy: 'c9'"):
        hz.reconcile(base.rename(index={"c3": "c9"}), "ols")
    with pytest.raises(civicast.Error, match=r"base gives node 'c3' 2 times") as e:
        hz.reconcile(pd.concat([base, base.loc[["c3"]]]), "ols")
    assert e.value.status == "CIV_ERR_DUPLICATE"
    with pytest.raises(civicast.Error, match=r"residuals has no column of residuals for 1 of the 17 nodes: 'A'"):
        hz.reconcile(base, "mint_shrink", residuals=res.drop(columns="A"))
    with pytest.raises(civicast.Error, match=r"are no node of the hierarchy: 0, 1, 2, .* pass \.to_numpy\(\)"):
        hz.reconcile(pd.DataFrame(base.loc[order].to_numpy()), "ols")  # a default RangeIndex: no ids


def test_reconcile_shape_errors_are_civicast_errors():
    """A base or residuals array of the wrong shape and an unknown method raised a plain ValueError, though
    every failure raises civicast.Error; they are civicast.Error now, still ValueErrors for older code."""
    rng = np.random.default_rng(12)
    df, comm = small_city(rng)
    hz = civicast.Hierarchy(df, comm, hierarchy=["district"])
    for call in (lambda: hz.reconcile(np.ones((3, 2)), "ols"),
                 lambda: hz.reconcile(np.ones((hz.n_nodes, 2)), "mint_shrink", residuals=np.ones((5, 2))),
                 lambda: hz.reconcile(np.ones((hz.n_nodes, 2)), "nosuch")):
        with pytest.raises(civicast.Error) as e:
            call()
        assert isinstance(e.value, ValueError) and e.value.status == "CIV_ERR_INVALID_ARGUMENT"
    with pytest.raises(civicast.Error, match=r"base needs 12 rows \(one per node, in the order of \.nodes\)"):
        hz.reconcile(np.ones((3, 2)), "ols")


def test_reconcile_defaults_as_the_command():
    """civicast.reconcile / Hierarchy.reconcile without method= nor residuals= failed ("mint_shrink needs the
    in-sample residuals of every node") where `civicast reconcile` without --fitted uses ols. method=None now
    means mint_shrink with residuals and ols without, as the command; mint_shrink or wls_var asked for without
    residuals is an InvalidArgument naming residuals= and the methods that need none."""
    rng = np.random.default_rng(5)
    df, comm = small_city(rng, 24)
    hz = civicast.Hierarchy(df, comm, hierarchy=["district"])
    base = rng.normal(10.0, 1.0, (hz.n_nodes, 3))
    res = rng.normal(0.0, 1.0, (20, hz.n_nodes))
    np.testing.assert_array_equal(hz.reconcile(base), hz.reconcile(base, "ols"))
    np.testing.assert_array_equal(hz.reconcile(base, residuals=res), hz.reconcile(base, "mint_shrink", residuals=res))
    nodes, out = civicast.reconcile(df, comm, base, hierarchy=["district"])
    np.testing.assert_array_equal(out, hz.reconcile(base, "ols"))
    for method in ("mint_shrink", "wls_var"):
        with pytest.raises(civicast.InvalidArgument, match=r"needs the nodes' in-sample one-step residuals: pass "
                                                           r"residuals=.*method='ols' or 'wls_struct'") as e:
            hz.reconcile(base, method)
        assert e.value.field == "residuals"


def test_hierarchy_forecast_model_must_be_one_spec():
    """Hierarchy.forecast(model=5) said "civicast: 5 contains a NUL character" (bytes(5) is five NUL bytes) and
    model=["ets"] "'str' object cannot be interpreted as an integer"; both are a WrongType naming model=."""
    rng = np.random.default_rng(7)
    df, comm = small_city(rng, 24)
    hz = civicast.Hierarchy(df, comm, hierarchy=["district"])
    for model in (5, ["ets"]):
        with pytest.raises(civicast.WrongType, match=r"a hierarchy is forecast with one model spec") as e:
            hz.forecast(h=2, model=model)
        assert e.value.field == "model"
    with pytest.raises(civicast.WrongType, match=r"expected text, got int 5"):
        civicast._lib.encode(5)


def bt_city(late=None):
    """2 districts x 2 communities, 14 months of 2024-2025 (Timestamps), int ids; y = 10 s + (t (s + 2)) % 7;
    the last community from month `late` on."""
    comm = pd.DataFrame({"unique_id": [1, 2, 3, 4], "district": ["A", "A", "B", "B"]})
    ds = pd.date_range("2024-01-01", periods=14, freq="MS")
    rows = []
    for s in range(1, 5):
        t = np.arange(14)
        keep = t >= (late if (s == 4 and late is not None) else 0)
        rows.append(pd.DataFrame({"unique_id": s, "ds": ds[keep], "y": (10.0 * s + (t * (s + 2)) % 7)[keep]}))
    return pd.concat(rows, ignore_index=True), comm


def test_backtest_hierarchy_by_hand_and_as_forecast():
    """civicast.backtest(df, hierarchy=..., reconcile=...) (civ_hier_backtest; before, backtest had no hierarchy
    at all): naive base and bottom-up forecasts of every window by hand, ids and dates in the frame's types, the
    accuracy per level, one window equal to forecast(hierarchy=...) of the frame cut at its cutoff, and 1 and 2
    threads identical."""
    df, comm = bt_city()
    cv, acc = civicast.backtest(df, model="naive", h=2, windows=3, step=2, level=[80], hierarchy=["district"],
                                communities=comm, reconcile=["base", "bu"], accuracy=True)
    assert list(cv.columns) == ["level", "unique_id", "cutoff", "ds", "h", "y", "model", "mean", "lo-80", "hi-80"]
    assert len(cv) == 7 * 3 * 2 * 2 and set(cv["model"]) == {"Naive/base", "Naive/bu"}
    assert cv["ds"].dtype == df["ds"].dtype and cv["cutoff"].dtype == df["ds"].dtype
    members = {"total": [1, 2, 3, 4], "A": [1, 2], "B": [3, 4], 1: [1], 2: [2], 3: [3], 4: [4]}
    y = df.set_index(["unique_id", "ds"])["y"]
    for row in cv.itertuples():
        expect = sum(y[(s, row.cutoff)] for s in members[row.unique_id])
        actual = sum(y[(s, row.ds)] for s in members[row.unique_id])
        assert row.mean == expect and row.y == actual, row
    assert sorted(set(cv["cutoff"])) == list(pd.to_datetime(["2024-08-01", "2024-10-01", "2024-12-01"]))
    assert list(acc["level"].unique()) == ["all", "total", "district", "unique_id"]
    assert list(acc.columns[:5]) == ["level", "model", "windows", "failed", "n"]
    assert acc.loc[(acc["level"] == "district") & (acc["model"] == "Naive/bu"), "windows"].item() == 6
    # one window = forecast(hierarchy=...) on the first 12 months
    w = civicast.backtest(df, model="ets", h=2, windows=1, hierarchy=["district"], communities=comm,
                          reconcile="mint_shrink", threads=1)
    fc = civicast.forecast(df[df["ds"] < "2025-01-01"], model="ets", h=2, hierarchy=["district"], communities=comm)
    np.testing.assert_array_equal(w["mean"].to_numpy(), fc["mean"].to_numpy())
    np.testing.assert_array_equal(w["lo-95"].to_numpy(), fc["lo-95"].to_numpy())
    assert list(w["unique_id"]) == list(fc["unique_id"])
    w2 = civicast.backtest(df, model="ets", h=2, windows=3, hierarchy=["district"], communities=comm,
                           reconcile=["mint_shrink", "wls_var"], threads=2)
    w1 = civicast.backtest(df, model="ets", h=2, windows=3, hierarchy=["district"], communities=comm,
                           reconcile=["mint_shrink", "wls_var"], threads=1)
    pd.testing.assert_frame_equal(w1, w2)


def test_backtest_hierarchy_late_series_failures_and_refusals():
    """A community not there yet at a cutoff, or with too few values for the model, counts as 0 (its district is
    the other's alone) and its own window fails, with a warning naming the node and the cutoff; per-node accuracy;
    bad arguments refused."""
    df, comm = bt_city(late=8)
    with pytest.warns(civicast.ForecastWarning, match=r"node '4', Naive/bu, cutoff 2024-08-01: .*no value yet"):
        cv = civicast.backtest(df, model="naive", h=2, windows=3, step=2, level=[80], hierarchy=["district"],
                               communities=comm, reconcile="bu")
    first = cv[cv["cutoff"] == pd.Timestamp("2024-08-01")]
    assert first.loc[first["unique_id"] == 4, "mean"].isna().all()
    b = first[(first["unique_id"] == "B") & (first["h"] == 1)]
    assert b["mean"].item() == 30.0 + (7 * 5) % 7
    df, comm = bt_city(late=7)  # one value at the first cutoff: too few for ETS
    with pytest.warns(civicast.ForecastWarning, match=r"1 backtest windows .*node '4'.*cutoff 2024-08.*too few values"):
        cv, acc = civicast.backtest(df, model="ets", h=2, windows=3, step=2, hierarchy=["district"],
                                    communities=comm, reconcile="bu", accuracy="series")
    assert cv["mean"].isna().sum() == 2
    assert list(acc.columns[:3]) == ["level", "unique_id", "model"] and len(acc) == 7
    assert acc.loc[acc["unique_id"] == 4, "failed"].item() == 1
    with pytest.raises(civicast.Error, match="mintt"):
        civicast.backtest(df, hierarchy=["district"], communities=comm, reconcile=["bu", "mintt"])
    with pytest.raises(TypeError, match="one model spec"):
        civicast.backtest(df, model=["ets", "naive"], hierarchy=["district"], communities=comm)
    with pytest.raises(ValueError, match="need hierarchy= or groups="):
        civicast.backtest(df, reconcile="bu")
    with pytest.raises(ValueError, match="needs communities="):
        civicast.backtest(df, hierarchy=["district"])


@pytest.mark.skipif(not os.environ.get("CIV_CLI"), reason="CIV_CLI not set")
def test_backtest_accuracy_per_node_has_the_level_as_the_command(tmp_path):
    """accuracy="series" of a two-level hierarchy is the command's `--accuracy FILE --by-series`, row for row:
    level first (one C call, civ_hier_backtest_node_accuracy_table; the command's file had no level column
    before 2026-12-07), every node's measures equal."""
    import subprocess
    df, comm = small_city(np.random.default_rng(5), n_months=24)
    df.to_csv(tmp_path / "panel.csv", index=False)
    comm.to_csv(tmp_path / "comm.csv", index=False)
    args = ["--model", "naive", "--h", "3", "--windows", "2", "--reconcile", "base,bu"]
    r = subprocess.run([os.environ["CIV_CLI"], "backtest", str(tmp_path / "panel.csv"), "--hierarchy",
                        "district,street", "--communities", str(tmp_path / "comm.csv"), *args, "--out",
                        str(tmp_path / "cv.csv"), "--accuracy", str(tmp_path / "acc.csv"), "--by-series", "-q"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    cli = pd.read_csv(tmp_path / "acc.csv", dtype={"unique_id": str})
    _, acc = civicast.backtest(df, model="naive", h=3, windows=2, hierarchy=["district", "street"],
                               communities=comm, reconcile=["base", "bu"], accuracy="series")
    assert list(acc.columns) == list(cli.columns) and list(acc.columns[:3]) == ["level", "unique_id", "model"]
    assert list(acc["level"]) == list(cli["level"]) and list(acc["unique_id"].astype(str)) == list(cli["unique_id"])
    assert set(acc["level"]) == {"total", "district", "district/street", "unique_id"}
    for c in ["n", "MAE", "MASE", "coverage-80", "MSIS-95"]:
        np.testing.assert_allclose(acc[c].to_numpy(float), cli[c].to_numpy(float), rtol=1e-12)


def test_communities_frame_without_an_id_names_its_rows():
    """A communities frame with a missing unique_id (NaN, None, pd.NA: a notebook's merge or a blank cell) names
    its rows and the cure, as allocate does (was "series 'c2' has no row in the communities table", or with two
    "community '' is listed twice")."""
    df, comm = small_city(np.random.default_rng(3), n_months=12)
    one = comm.copy()
    one.loc[2, "unique_id"] = np.nan
    with pytest.raises(civicast.Error, match=r"the communities DataFrame: row 2 has no unique_id .*dropna") as e:
        civicast.forecast(df, h=2, model="naive", hierarchy=["district"], communities=one)
    assert e.value.field == "unique_id" and e.value.status == "CIV_ERR_DOMAIN"
    two = comm.astype({"unique_id": "string"})
    two.loc[[3, 5], "unique_id"] = pd.NA
    with pytest.raises(civicast.Error, match=r"rows 3, 5 have no unique_id"):
        civicast.backtest(df, h=2, model="naive", hierarchy=["district"], communities=two)


def test_base_intervals_conformal_by_default_and_model_on_request():
    """The base forecasts' intervals, from which the reconciled paths take their spreads (the base-bands round of
    2026-12-07): conformal by default (= intervals="conformal"), the models' own with intervals="model", in forecast
    and backtest with hierarchy= (refused before); a hierarchy too short for the calibration windows warns."""
    rng = np.random.default_rng(11)
    df, comm = small_city(rng)
    kw = dict(h=4, model="ets", hierarchy=["district"], communities=comm, reconcile="bu", threads=1)
    default = civicast.forecast(df, **kw)
    conformal = civicast.forecast(df, intervals="conformal", **kw)
    model = civicast.forecast(df, intervals="model", **kw)
    pd.testing.assert_frame_equal(default, conformal)
    np.testing.assert_array_equal(default["mean"].to_numpy(), model["mean"].to_numpy())
    assert (default["hi-95"] != model["hi-95"]).mean() > 0.5
    hz = civicast.Hierarchy(df, comm, ["district"])
    pd.testing.assert_frame_equal(hz.forecast(h=4, model="ets", reconcile="bu", threads=1, intervals="model"), model)
    bkw = dict(model="ets", h=3, windows=2, hierarchy=["district"], communities=comm, reconcile=["base", "bu"])
    b_default = civicast.backtest(df, **bkw)
    b_conformal = civicast.backtest(df, intervals="conformal", conformal_windows=1, **bkw)
    b_model = civicast.backtest(df, intervals="model", **bkw)
    assert (b_default["hi-80"] != b_model["hi-80"]).mean() > 0.5
    assert not b_default.equals(b_conformal)  # one calibration window instead of ceil(50 / 12) = 5
    with pytest.raises(ValueError, match="intervals must be None, 'model' or 'conformal'"):
        civicast.forecast(df, intervals="wide", **kw)
    short = df.groupby("unique_id").head(5)
    with pytest.warns(civicast.ForecastWarning, match=r"conformal base intervals: \d+ of 12 nodes kept"):
        civicast.forecast(short, h=3, model="naive", hierarchy=["district"], communities=comm, reconcile="bu")
    with pytest.warns(civicast.ForecastWarning, match=r"conformal base intervals: \d+ node windows kept"):
        civicast.backtest(short, h=2, model="naive", hierarchy=["district"], communities=comm, reconcile="bu")


def test_reconcile_forecasts_bands_equal_hierarchy_forecast(tmp_path):
    """Hierarchy.reconcile_forecasts (civ_hier_reconcile_bands, as `civicast reconcile` with bounds and
    --fitted): given the base forecasts Hierarchy.forecast makes (conformal, not clamped) and their residuals,
    its means and bands are Hierarchy.forecast's bit for bit, and the command's file holds the same numbers;
    without fitted the bounds are left out with a ForecastWarning; a missing bound or lone bound is refused."""
    import subprocess
    rng = np.random.default_rng(11)
    df, comm = small_city(rng)
    hz = civicast.Hierarchy(df, comm, hierarchy=["district", "street"])
    ref = hz.forecast(h=4, model="ets", reconcile="wls_var", nonnegative=True)
    fc, fitted = civicast.forecast(hz.aggregate(), h=4, model="ets", intervals="conformal", nonnegative=False,
                                   fitted=True)
    got = hz.reconcile_forecasts(fc, fitted, method="wls_var", nonnegative=True, threads=2)
    assert list(got.columns) == list(ref.columns)
    assert list(got["unique_id"]) == list(ref["unique_id"]) and list(got["level"]) == list(ref["level"])
    for c in ("base", "mean", "lo-80", "hi-80", "lo-95", "hi-95"):
        np.testing.assert_array_equal(got[c].to_numpy(), ref[c].to_numpy(), err_msg=c)
    assert (got["ds"].astype(str).to_numpy() == ref["ds"].astype(str).to_numpy()).all()
    # the command's file: the same numbers (its 17 digits)
    df.to_csv(tmp_path / "panel.csv", index=False)
    comm.to_csv(tmp_path / "comm.csv", index=False)
    fc.to_csv(tmp_path / "base.csv", index=False)
    fitted.to_csv(tmp_path / "fit.csv", index=False)
    r = subprocess.run([os.environ["CIV_CLI"], "reconcile", tmp_path / "panel.csv", "--base", tmp_path / "base.csv",
                        "--fitted", tmp_path / "fit.csv", "--hierarchy", "district,street", "--communities",
                        tmp_path / "comm.csv", "--method", "wls_var", "--nonnegative", "--out", tmp_path / "rec.csv"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    cmd = pd.read_csv(tmp_path / "rec.csv")
    np.testing.assert_allclose(cmd[["mean", "lo-80", "hi-95"]].to_numpy(),
                               got[["mean", "lo-80", "hi-95"]].to_numpy(), rtol=1e-12)
    with pytest.warns(civicast.ForecastWarning, match="bounds .*left out.*need fitted="):
        means = hz.reconcile_forecasts(fc, method="ols")
    assert "lo-80" not in means.columns
    np.testing.assert_allclose(means["mean"].sum(), hz.reconcile_forecasts(fc, fitted, method="ols")["mean"].sum())
    with pytest.raises(civicast.Error, match=r"node 'A/A1' has no hi-95 for h = 3"):
        hz.reconcile_forecasts(fc.assign(**{"hi-95": fc["hi-95"].where(~((fc.unique_id == "A/A1") & (fc.h == 3)))}),
                               fitted)
    with pytest.raises(civicast.Error, match="fc has lo-95 but no hi-95"):
        hz.reconcile_forecasts(fc.drop(columns="hi-95"), fitted)
    with pytest.raises(civicast.Error, match="fitted must be a DataFrame with unique_id, ds and residual"):
        hz.reconcile_forecasts(fc, fitted.drop(columns="residual"))
    with pytest.raises(civicast.Error, match=f"node '{fc.unique_id.iloc[0]}' is forecast twice for h = 1"):
        hz.reconcile_forecasts(pd.concat([fc, fc.head(1)]), fitted)
    other = pd.DataFrame({"unique_id": ["elsewhere"], "h": [9], "mean": [1.0], "lo-80": [0.0], "hi-80": [2.0],
                          "lo-95": [0.0], "hi-95": [3.0]})  # a row of another series is not used
    np.testing.assert_array_equal(hz.reconcile_forecasts(pd.concat([fc, other]), fitted, method="wls_var",
                                                         nonnegative=True)["hi-95"].to_numpy(), got["hi-95"].to_numpy())
