"""The plan workbook (allocation.xlsx) says every code in the reader's language: the cells of the code columns
of its summary, rules, uncertainty and need sheets and the allocation's 约束 column, not only their headers
(before: fund | eldercare+health | lambda | multiplier, statistic | per_capita_mean | 金额 | yuan/person, plan |
gained, community, year).  The codes are taken from the engine's own sources (alloc/output.c's summary rows,
the scopes of compare.c, uncertainty.c and need.c), so a code added there without its words fails here; a tiny
plan exercising every section (reserve, pools merged into funds, tilts on two formulas, floor, hold-harmless,
pace, earmark, last year's allocation with a closed community and the fund's history, uncertainty, need) is
written in Chinese and every such cell must have left its ASCII machine form.  The CSVs keep the codes.

Exempt, because they hold the reader's own words, not codes: the summary's item in the sections naming a spec
entry, a district or a community (reserve, pool, fund, district, history, closed) and its label column; the
rules' and the uncertainty's name and district columns (district names, community ids); ids, names, districts
and explanations of the allocation and need sheets (io/column_labels.c, civ_value_column, lists the code
columns).  Skipped when openpyxl is missing."""

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import civicast

openpyxl = pytest.importorskip("openpyxl", reason="openpyxl is missing: apt-get install python3-openpyxl")

SOURCE = Path(__file__).resolve().parents[2]
PLAN = SOURCE / "tests" / "data" / "plan"
ALLOC = SOURCE / "engine" / "src" / "alloc"
MACHINE = re.compile(r"^[A-Za-z0-9_ /+.()-]+$")  # a code as the CSVs write it: fund, per_capita_mean, yuan/person
# summary sections whose item is a name
NAMED = {"reserve", "pool", "fund", "district", "history", "closed", "discontinued"}


def _literals(text):
    return re.findall(r'"([^"\\]*)"', text)


def engine_codes():
    """The codes the engine writes, read from its sources: {(csv, column): {code, ...}}."""
    out = (ALLOC / "output.c").read_text(encoding="utf-8")
    codes = {}

    def add(csv, column, value):
        codes.setdefault((csv, column), set()).add(value)

    for m in re.finditer(r"\bput\(&?w, ([^;]*?)\);", out, re.S):  # put(w, sec, item, measure, unit, v)
        args = [a.strip() for a in m.group(1).split(",")]
        for column, a in zip(["section", "item", "measure", "unit"], args):
            if a.startswith('"'):
                add("allocation_summary", column, a.strip('"'))
    for m in re.finditer(r"\bput_item\(&?w, ([^;]*?)\);", out, re.S):  # put_item(w, sec, name, label, measure, unit, v)
        args = [a.strip() for a in m.group(1).split(",")]
        for column, a in zip(["section", None, None, "measure", "unit"], args):
            if column and a.startswith('"'):
                add("allocation_summary", column, a.strip('"'))
    for src, csv, scope in [("compare.c", "allocation_waterfall", "cscope"), ("uncertainty.c", "uncertainty", "cs"),
                            ("need.c", "need_summary", "s_scope")]:
        text = (ALLOC / src).read_text(encoding="utf-8")
        for m in re.finditer(r"civ_table_set_text\(\s*\w+,\s*[^,]+,\s*%s,(.*?)\)\);" % scope, text, re.S):
            for v in _literals(m.group(1)):
                add(csv, "scope", v)
    return codes


def test_the_sources_are_read():
    """The scan finds the codes it must (a scan that found nothing would let every code through)."""
    c = engine_codes()
    assert {"budget", "reserve", "fund", "statistic", "equity", "history", "closed"} <= c["allocation_summary",
                                                                                            "section"]
    assert {"lambda", "share_of_total", "per_capita", "before_constraints"} <= c["allocation_summary", "measure"]
    assert {"per_capita_mean", "theil", "cv", "reserved"} <= c["allocation_summary", "item"]
    assert {"fraction", "index", "count", "multiplier"} <= c["allocation_summary", "unit"]
    assert c["allocation_waterfall", "scope"] == {"total", "gained", "lost", "district"}
    assert c["uncertainty", "scope"] == {"community", "district", "total"}
    assert c["need_summary", "scope"] == {"total", "year"}


def _every_feature_plan(tmp_path):
    """tests/data/plan with what the summary can say: a labelled pool and formula, pace, a tilt on each formula,
    last year's allocation naming a community that has closed (P99: the history and closed rows) and a fund this
    year's spec does not have (old: the discontinued rows)."""
    d = tmp_path / "plan"
    shutil.copytree(PLAN, d)
    spec = (d / "plan.spec").read_text(encoding="utf-8")
    spec = spec.replace('last_year = "last_year_funding"\n\n[[reserve]]',
                        'last_year = "last_year_funding"\nlast_year_file = "ly.csv"\n\n[[reserve]]', 1)
    spec = spec.replace('[[formula]]\nname = "main"\n', '[[formula]]\nname = "main"\nlabel = "综合公式"\npace = 0.5\n', 1)
    spec = spec.replace('[[pool]]\nname = "main"\n', '[[pool]]\nname = "main"\nlabel = "养老服务"\n', 1)
    spec += ('\n[[tilt]]\nname = "newcomers"\nformula = "migrant"\nattribute = "migrant_share"\nabove = 0.7\n'
             'multiplier = 1.1\n')
    (d / "plan.spec").write_text(spec, encoding="utf-8")
    c = pd.read_csv(d / "communities.csv")
    ly = pd.DataFrame({"unique_id": list(c.unique_id) + ["P99"],
                       "pool_main_fen": [round(v * 100) for v in c.last_year_funding] + [500_000],
                       "pool_old_fen": [100] * len(c) + [0]})  # a fund discontinued: the discontinued rows
    ly.to_csv(d / "ly.csv", index=False)
    return d / "plan.toml"


SHEETS = {"allocation": "分配结果", "allocation_summary": "分配汇总", "allocation_waterfall": "规则分解",
          "need_summary": "需求汇总", "uncertainty": "不确定性"}
CODE_COLUMNS = {"allocation": ["binding"], "allocation_summary": ["section", "item", "measure", "unit"],
                "allocation_waterfall": ["spec", "scope"], "need_summary": ["scope"], "uncertainty": ["scope"]}
HEADS = {"binding": "约束", "section": "类别", "item": "项目", "measure": "指标", "unit": "单位", "spec": "方案",
         "scope": "层级"}


def test_every_code_is_in_words(tmp_path):
    out = tmp_path / "zh"
    civicast.plan(_every_feature_plan(tmp_path), out=out)
    wb = openpyxl.load_workbook(out / "allocation.xlsx")
    codes = engine_codes()
    left = []
    for csv_name, sheet in SHEETS.items():
        csv = pd.read_csv(out / f"{csv_name}.csv", dtype=str, keep_default_na=False)
        ws = wb[sheet]
        head = [c.value for c in ws[1]]
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        assert len(rows) == len(csv), sheet
        order = csv["unique_id"] if "unique_id" in csv.columns else None
        for column in CODE_COLUMNS[csv_name]:
            k = head.index(HEADS[column])
            for r, (code, cell) in enumerate(zip(csv[column], (row[k] for row in rows))):
                if csv_name == "allocation_summary" and column == "item" and csv["section"][r] in NAMED:
                    continue  # a reserve's, pool's, fund's or district's name, a closed community's id
                if code and (cell is None or MACHINE.match(str(cell))):
                    left.append((sheet, HEADS[column], r + 2, code, cell))
            # every code the sources write is exercised by this plan, so its words were checked above
            for code in codes.get((csv_name, column), set()) - set(csv[column]):
                if not (csv_name == "allocation_summary" and column == "unit"):
                    left.append((sheet, HEADS[column], "not exercised by the test plan", code, None))
        if order is not None and csv_name == "allocation":
            assert [row[head.index("社区编号")] for row in rows] == list(order)
    # the units the sources compose (<minor>, <major>/person, /aged person) are the CSV's, checked above
    assert {"fen", "yuan/person", "yuan/aged person", "fraction", "index", "count", "multiplier"} <= set(
        pd.read_csv(out / "allocation_summary.csv")["unit"])
    assert not left, "\n".join(map(str, left))
    # the CSVs keep the machine codes (notebooks and the report read them)
    s = pd.read_csv(out / "allocation_summary.csv")
    assert {"fund", "statistic", "equity", "history", "closed"} <= set(s.section)
    assert "gained" in set(pd.read_csv(out / "allocation_waterfall.csv").scope)


def test_a_few_words(tmp_path):
    """The words themselves, Chinese and English, and the tilt header with the formula's label."""
    toml = _every_feature_plan(tmp_path)
    civicast.plan(toml, out=tmp_path / "zh")
    wb = openpyxl.load_workbook(tmp_path / "zh" / "allocation.xlsx")
    s = [r[:4] for r in wb["分配汇总"].iter_rows(min_row=2, values_only=True)]
    assert ("分配资金", "main", "分配系数λ（每单位倾斜后得分的金额）", "分/单位得分") in s
    assert ("储备金", "emergency", "占预算比例", "比例") in s
    assert ("统计量", "全市人均", "人均金额", "元/人") in s  # before: statistic | per_capita_mean | 金额 | yuan/person
    assert ("统计量", "全市每位60岁以上老人", "每位60岁以上老人金额", "元/老年人") in s
    assert ("均衡程度", "泰尔指数", "约束前", "指数") in s
    assert ("已撤销社区", "P99", "养老服务上年金额", "分") in s
    assert ("上年资金", "main", "未承接（社区已不在本年表中）", "分") in s
    wf = [r[:2] for r in wb["规则分解"].iter_rows(min_row=2, values_only=True)]
    assert ("本方案", "增加部分") in wf and ("本方案", "减少部分") in wf
    u = [r[:2] for r in wb["不确定性"].iter_rows(min_row=2, values_only=True)]
    assert ("合计", "合计") in u and ("社区", "P01") in u
    head = [c.value for c in wb["分配结果"][1]]
    assert "倾斜系数（综合公式）" in head and "倾斜系数（migrant）" in head  # the label; a formula without one: its name
    civicast.plan(toml, out=tmp_path / "en", lang="en")
    wb = openpyxl.load_workbook(tmp_path / "en" / "allocation.xlsx")
    s = [r[:4] for r in wb["summary"].iter_rows(min_row=2, values_only=True)]
    assert ("Fund", "main", "Scaling multiplier λ (amount per unit of tilted score)", "fen per unit of score") in s
    assert ("Statistic", "City-wide per resident", "Amount per resident", "yuan per resident") in s
    assert ("Equity", "Coefficient of variation", "After constraints", "index") in s
    assert ("Held by", "Hold-harmless (a share of last year)", "Communities", "count") in s
    head = [c.value for c in wb["allocation"][1]]
    held = {r[head.index("Held by")] for r in wb["allocation"].iter_rows(min_row=2, values_only=True)}
    assert "Hold-harmless (a share of last year)" in held and "Pace limit" in held, held
    assert [r[:2] for r in wb["need summary"].iter_rows(min_row=2, values_only=True)][-1] == ("Total", None)
