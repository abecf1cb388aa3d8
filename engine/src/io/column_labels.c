/*
 * column_labels.c -- layer io: the headers people read for the columns of the tables civicast writes, from one
 * table (column_labels.h): the report's tables shown as they are (report_zh.c's rep_column_label) and the
 * allocation workbook (alloc/workbook.c: the plan's allocation.xlsx, allocate --workbook), plus the words of the
 * allocation's rules (the report's constraints and waterfall steps) and of the summary's codes.  A column built
 * from a spec name (factor_<name>_fen, pool_<fund>_fen, ...) takes the spec's label; money keeps its unit at the
 * end of the header.  The codes in the cells of those tables (the summary's fund, lambda, yuan/person; the
 * waterfall's gained, lost; the scopes; the bindings) get their words from the second table, at the end of the
 * file ("the words of the codes").
 */
#include "column_labels.h"
#include "c_locale.h"

#include <stdio.h>
#include <string.h>

#define N_OF(a) (sizeof(a) / sizeof *(a))

/* A fixed header: `table` "*" any table (the report's too), "plan" any of the plan's money tables, else that
 * table only; money 1: the table's minor unit follows (the waterfall's columns carry none in their names). */
typedef struct label {
    const char *table, *column, *zh, *en;
    int money;
} label;

static const label LABELS[] = {
    /* the report's tables shown as they are: monitoring alerts and statuses, the risk register, the backtest
     * accuracy (MAE, MASE, sMAPE ... keep their names, which the page explains) */
    {"*", "department", "部门", "Department", 0}, {"*", "indicator", "指标", "Indicator", 0},
    {"*", "name", "名称", "Name", 0}, {"*", "scope", "层级", "Scope", 0},
    {"*", "unit", "单位", "Unit", 0}, {"*", "ds", "统计期", "Period", 0},
    {"*", "actual", "实际值", "Actual", 0}, {"*", "denominator", "分母", "Denominator", 0},
    {"*", "target", "目标值", "Target", 0}, {"*", "status", "状态", "Status", 0},
    {"*", "misses", "连续未达标期数", "Misses in a row", 0}, {"*", "since", "未达标起始期", "Missing since", 0},
    {"*", "alert", "预警状态", "Alert", 0}, {"*", "risk", "风险", "Risk", 0},
    {"*", "probability", "发生概率", "Probability", 0}, {"*", "impact", "影响程度", "Impact", 0},
    {"*", "owner", "责任单位", "Owner", 0}, {"*", "mitigation", "应对措施", "Mitigation", 0},
    {"*", "row", "行", "Row", 0}, {"*", "column", "列", "Column", 0},
    {"*", "score", "分值", "Score", 0}, {"*", "level", "等级", "Level", 0},
    {"*", "rank", "处理顺序", "Order", 0}, {"*", "model", "模型", "Model", 0},
    {"*", "windows", "回测窗口数", "Windows", 0}, {"*", "failed", "失败窗口数", "Failed windows", 0},
    {"*", "n", "比较点数", "Points compared", 0}, {"*", "bias", "偏差", "Bias", 0},
    /* a closed unit's [[closed]] into and note, on its status rows (docs/MONITORING.md "Units that close") */
    {"*", "into", "并入单位", "Merged into", 0}, {"*", "note", "撤并说明", "Closure note", 0},
    /* the plan's money tables (docs/ALLOCATION.md "Outputs"): the report's words where it has them (编号, 名称,
     * 区, 街道, 金额, 约束, 说明, 社区数, 需求量) */
    {"allocation", "name", "社区名称", "Community", 0},
    {"plan", "unique_id", "社区编号", "Community id", 0}, {"plan", "district", "区", "District", 0},
    {"plan", "street", "街道", "Street", 0}, {"plan", "explanation", "说明", "Explanation", 0},
    {"plan", "binding", "约束", "Held by", 0}, {"plan", "population", "人口", "Population", 0},
    {"plan", "aged", "60岁以上人口", "Aged 60+", 0}, {"plan", "communities", "社区数", "Communities", 0},
    {"plan", "year", "年度", "Year", 0}, {"plan", "periods", "期数", "Periods", 0},
    {"plan", "demand", "需求量", "Demand", 0}, {"plan", "spec", "方案", "Spec", 0},
    {"plan", "tilt", "倾斜调整", "Tilts", 0},
    {"summary", "section", "类别", "Section", 0}, {"summary", "item", "项目", "Item", 0},
    {"summary", "measure", "指标", "Measure", 0}, {"summary", "value", "数值", "Value", 0},
    {"summary", "label", "名称", "Label", 0},
    /* the waterfall: what each rule moved, in the minor unit */
    {"waterfall", "base", "因素法基数", "Factor base", 1}, {"waterfall", "tilt", "倾斜调整", "Tilts", 1},
    {"waterfall", "amount", "金额", "Amount", 1},
    /* the monitoring workbook monitoring.xlsx (monitor/workbook.c), by its sheets' tables: the early warning's
     * summary ("warning") and steps ("warning_steps"), the risk matrix's cells, the inactivity alerts, the demand
     * check; the columns every monitoring table shares are the report's ("*" above) */
    {"warning", "p_miss_next", "下期未达标概率", "P(miss) next period", 0},
    {"warning", "p_miss_max", "预测期内最高未达标概率", "Highest P(miss)", 0},
    {"warning", "first_warning", "首次预警期", "First warning", 0},
    {"warning", "first_warning_h", "首次预警距今期数", "First warning, periods ahead", 0},
    {"warning", "goal", "最终目标", "Goal", 0}, {"warning", "reach", "预计达标期", "Expected to meet it in", 0},
    {"warning", "deadline", "达标期限", "Deadline", 0}, {"warning", "on_track", "能否按期达标", "On track", 0},
    {"warning_steps", "h", "预测期数", "Periods ahead", 0}, {"warning_steps", "mean", "预测值", "Forecast", 0},
    {"warning_steps", "sigma_lo", "下侧标准差", "Sigma below", 0},
    {"warning_steps", "sigma_hi", "上侧标准差", "Sigma above", 0},
    {"warning_steps", "p_miss", "未达标概率", "P(miss)", 0}, {"warning_steps", "warning", "是否预警", "Warning", 0},
    {"risk_matrix", "probability_from", "概率下限", "Probability from", 0},
    {"risk_matrix", "probability_to", "概率上限", "Probability to", 0},
    {"risk_matrix", "risks", "所含风险", "Risks in the cell", 0},
    /* the risk sheet's matrix row as its likelihood word (civ_likelihood_label) */
    {"risks", "row", "可能性", "Likelihood", 0},
    /* the times are UTC as the events' file and the terminal give them, the hour the local one the detector bins
     * by (utc_offset_hours): said in the headers, as on the report's page, so that no one reads 12:12 UTC as
     * 12:12 Beijing time (before 2026-12-07 the headers said neither) */
    {"inactivity", "person", "人员编号", "Person", 0},
    {"inactivity", "last_event", "最后活动时间（UTC）", "Last event (UTC)", 0},
    {"inactivity", "alert_at", "预警时间（UTC）", "Alert at (UTC)", 0},
    {"inactivity", "resumed", "恢复活动时间（UTC）", "Resumed (UTC)", 0},
    {"inactivity", "gap_hours", "未活动时长（小时）", "Gap (hours)", 0},
    {"inactivity", "threshold_hours", "预警阈值（小时）", "Threshold (hours)", 0},
    {"inactivity", "hour", "开始时段（当地时间，时）", "Hour of day (local time)", 0},
    {"inactivity", "utc_offset_hours", "当地时间 = UTC +（小时）", "Local time = UTC + (hours)", 0},
    {"demand", "mean", "预测值", "Forecast", 0}, {"demand", "deviation_pct", "偏离预测（%）", "Deviation (%)", 0},
    {"demand", "level", "超出的区间水平（%）", "Interval level (%)", 0}, {"demand", "flag", "判断", "Flag", 0},
    /* the demand sheet's model as a planner knows it ("auto"), its full fitted name in a last column */
    {"demand", "model_full", "模型完整设定", "Model (full specification)", 0},
};

/* Stems of the columns named <stem>_<unit> (amount_fen, share_pct), and of <stem>_<fund>_<unit> (last_year_
 * eldercare_fen) when `of_fund` is set: "%s" is the fund's label. */
typedef struct stem {
    const char *stem, *zh, *en, *zh_of, *en_of;
} stem;

static const stem STEMS[] = {
    {"amount", "分配金额", "Amount", NULL, NULL},
    {"last_year", "上年金额", "Last year", "%s上年金额", "%s last year"},
    {"change", "比上年增减", "Change vs last year", "%s比上年增减", "%s change vs last year"},
    {"unattributed", "未归因", "Unattributed", NULL, NULL},
    {"rounding", "取整", "Rounding", NULL, NULL},
    {"need", "需求经费", "Need", NULL, NULL},
    {"standard", "单位标准", "Standard per unit", NULL, NULL},
    {"mean", "均值", "Mean", NULL, NULL},
    {"paid", "已拨付", "Paid", "%s已拨付", "%s paid"},
    {"total", "合计", "Total", NULL, NULL},
    {"factor", NULL, NULL, "%s", "%s"},
    {"pool", NULL, NULL, "%s", "%s"},
};

/* The percentages: share_pct, change_pct, change_<fund>_pct. */
static const stem PCT_STEMS[] = {
    {"share", "占比", "Share", NULL, NULL},
    {"change", "比上年变化", "Change vs last year", "%s比上年变化", "%s change vs last year"},
};

const char *civ_likelihood_label(int zh, size_t row, size_t n_rows)
{
    static const char *const zh5[] = {"几乎不可能", "不太可能", "可能", "很可能", "几乎肯定"};
    static const char *const en5[] = {"rare", "unlikely", "possible", "likely", "almost certain"};
    if (n_rows < 3 || n_rows > 5 || row < 1 || row > n_rows)
        return NULL;
    size_t k = row - 1 + (n_rows == 5 ? 0 : 1); /* three or four rows: from "unlikely" up */
    return zh ? zh5[k] : en5[k];
}

const char *civ_rule_label(int zh, const char *rule)
{
    static const char *const names[][3] = {
        {"factors", "因素法基数", "factor base"},    {"tilt", "倾斜调整", "tilts"},
        {"floor", "保底", "floors"},                 {"cap", "封顶", "caps"},
        {"hold_harmless", "不低于上年一定比例", "hold-harmless (a share of last year)"}, {"pace", "增幅上限", "pace limit"},
        {"ratable", "按比例削减", "ratable cut"},     {"rebalance", "再平衡", "rebalancing"},
        {"rounding", "取整", "rounding"},            {"earmark", "专项资金", "earmarks"},
        {"", "无约束", "no constraint"}};
    for (size_t k = 0; rule && k < N_OF(names); k++)
        if (!strcmp(rule, names[k][0]))
            return names[k][zh ? 1 : 2];
    return rule;
}

static const char *fixed_word(int zh, const char *table, const char *column, const char *value);

const char *civ_code_label(int zh, const char *column, const char *value)
{
    /* the summary's words, from the table of the codes' words at the end of this file */
    if (!zh || !column || !value)
        return value;
    const char *w = fixed_word(1, "summary", column, value);
    return w ? w : value;
}

/* "coverage-80", "score-80", "MSIS-80" (civicast backtest's interval measures): their names for readers. */
static const char *interval_measure(int zh, const char *column, char *buf, size_t size)
{
    static const char *const names[][3] = {
        {"coverage-", "覆盖率-", "coverage-"}, {"score-", "区间得分-", "interval score-"},
        {"MSIS-", "缩放区间得分-", "MSIS-"}};
    for (size_t k = 0; k < N_OF(names); k++) {
        size_t n = strlen(names[k][0]);
        if (!strncmp(column, names[k][0], n) && column[n] && strspn(column + n, "0123456789.") == strlen(column + n)) {
            civ_snprintf(buf, size, "%s%s", names[k][zh ? 1 : 2], column + n);
            return buf;
        }
    }
    return NULL;
}

static int in_table(const char *entry, const char *table)
{
    return !strcmp(entry, "*") || (table && (!strcmp(entry, table) || !strcmp(entry, "plan")));
}

/* The unit at the end of a header: 分 元 % in Chinese, the word in English. */
static const char *unit_word(int zh, const char *unit)
{
    if (!strcmp(unit, "pct"))
        return "%";
    return !zh ? unit : !strcmp(unit, "fen") ? "分" : !strcmp(unit, "yuan") ? "元" : unit;
}

static const char *with_unit(const civ_label_ctx *ctx, const char *text, const char *unit, char *buf, size_t size)
{
    civ_snprintf(buf, size, ctx->zh ? "%s（%s）" : "%s (%s)", text, unit_word(ctx->zh, unit));
    if (!ctx->zh && buf[0] >= 'a' && buf[0] <= 'z') /* a rule's word begins the header: "Floors (fen)" */
        buf[0] = (char)(buf[0] - 'a' + 'A');
    return buf;
}

static const char *spec_label(const civ_label_ctx *ctx, const char *kind, const char *name)
{
    const char *l = ctx->spec_label ? ctx->spec_label(ctx->arg, kind, name) : NULL;
    return l && l[0] ? l : name;
}

/* A column <stem>[_<name>]_<unit> of the plan's tables (unit: fen, yuan, minor, major, pct). */
static const char *by_parts(const civ_label_ctx *ctx, const char *column, char *buf, size_t size)
{
    static const char *const units[] = {"fen", "yuan", "minor", "major", "pct"};
    const char *us = strrchr(column, '_');
    if (!us || us == column)
        return NULL;
    const char *unit = us + 1;
    int known = 0;
    for (size_t k = 0; k < N_OF(units); k++)
        known |= !strcmp(unit, units[k]);
    if (!known)
        return NULL;
    char head[160], text[160];
    size_t n = (size_t)(us - column);
    if (n >= sizeof head)
        return NULL;
    memcpy(head, column, n);
    head[n] = 0;
    int pct = !strcmp(unit, "pct");
    const stem *stems = pct ? PCT_STEMS : STEMS;
    size_t n_stems = pct ? N_OF(PCT_STEMS) : N_OF(STEMS);
    if (head[0] == 'p' && head[1] && strspn(head + 1, "0123456789.") == strlen(head + 1)) { /* p5, p95 */
        civ_snprintf(text, sizeof text, ctx->zh ? "%s%% 分位" : "P%s", head + 1);
        return with_unit(ctx, text, unit, buf, size);
    }
    for (size_t k = 0; k < n_stems; k++) {
        const stem *s = &stems[k];
        size_t m = strlen(s->stem);
        if (!strcmp(head, s->stem) && s->zh)
            return with_unit(ctx, ctx->zh ? s->zh : s->en, unit, buf, size);
        if (!strncmp(head, s->stem, m) && head[m] == '_' && head[m + 1] && s->zh_of) {
            const char *kind = strcmp(s->stem, "factor") ? "fund" : "factor";
            civ_snprintf(text, sizeof text, ctx->zh ? s->zh_of : s->en_of, spec_label(ctx, kind, head + m + 1));
            return with_unit(ctx, text, unit, buf, size);
        }
    }
    return NULL;
}

static const char *brief_label(const civ_label_ctx *ctx, const char *column);

const char *civ_column_label(const civ_label_ctx *ctx, const char *column, char *buf, size_t size)
{
    if (!ctx || !column)
        return NULL;
    if (ctx->brief && brief_label(ctx, column)) /* the report's narrow columns (the section at the end) */
        return brief_label(ctx, column);
    const char *t = ctx->table;
    for (int pass = 0; pass < 3; pass++) /* the table's own first, then the plan's, then anyone's */
        for (size_t k = 0; k < N_OF(LABELS); k++) {
            const label *l = &LABELS[k];
            int match = pass == 0 ? t && !strcmp(l->table, t) : pass == 1 ? t && !strcmp(l->table, "plan")
                                                                           : in_table(l->table, t);
            if (!match || strcmp(l->column, column))
                continue;
            if (l->money && ctx->minor)
                return with_unit(ctx, ctx->zh ? l->zh : l->en, ctx->minor, buf, size);
            return ctx->zh ? l->zh : l->en;
        }
    if (t && !strcmp(t, "waterfall") && civ_rule_label(1, column) != column) /* floor, cap, ...: what each moved */
        return ctx->minor ? with_unit(ctx, civ_rule_label(ctx->zh, column), ctx->minor, buf, size)
                          : civ_rule_label(ctx->zh, column);
    if (t && !strncmp(column, "tilt_", 5) && column[5]) { /* one tilt column per formula */
        civ_snprintf(buf, size, ctx->zh ? "倾斜系数（%s）" : "Tilt (%s)", spec_label(ctx, "formula", column + 5));
        return buf;
    }
    if (t) {
        const char *l = by_parts(ctx, column, buf, size);
        if (l)
            return l;
    }
    return interval_measure(ctx->zh, column, buf, size);
}

/* ---- the words of the codes -----------------------------------------------------------------------------
 * The codes the plan's tables write in their cells (alloc/output.c's summary, alloc/compare.c's waterfall,
 * alloc/uncertainty.c, alloc/need.c, the allocation's binding) in the reader's words: the workbook and the
 * report show these, the CSVs keep the codes.  One table beside the headers' (the same words where the
 * concepts are the same: 社区数, 金额, 合计), so that a word is changed in one place; its own section of the
 * file, so that additions to the headers' table above merge apart.  test_column_labels.c and
 * tests/python/test_workbook_codes.py check every code the engine writes has its words. */

typedef struct value_word {
    const char *table, *column, *value, *zh, *en;
    const char *zh_brief, *en_brief; /* the report's shorter word (its legends), or NULL */
} value_word;

static const value_word VALUES[] = {
    /* allocation_summary.csv: section */
    {"summary", "section", "budget", "资金总额", "Budget", NULL, NULL},
    {"summary", "section", "reserve", "储备金", "Reserve", NULL, NULL},
    {"summary", "section", "pool", "资金来源", "Funding source", NULL, NULL},
    {"summary", "section", "fund", "分配资金", "Fund", NULL, NULL}, /* the pools sharing a formula, merged */
    {"summary", "section", "district", "区", "District", NULL, NULL},
    {"summary", "section", "total", "合计", "Total", NULL, NULL},
    {"summary", "section", "statistic", "统计量", "Statistic", NULL, NULL},
    {"summary", "section", "binding", "约束", "Held by", NULL, NULL},
    {"summary", "section", "history", "上年资金", "Last year's fund", NULL, NULL},
    {"summary", "section", "closed", "已撤销社区", "Closed community", NULL, NULL},
    {"summary", "section", "discontinued", "上年资金（本年无此项）", "Last year's fund, not in this spec", NULL, NULL},
    {"summary", "section", "equity", "均衡程度", "Equity", NULL, NULL},
    /* item, in the sections whose items are codes (the others name a reserve, pool, fund, district or id) */
    {"summary", "item", "total", "合计", "Total", NULL, NULL},
    {"summary", "item", "allocated", "已分配", "Allocated", NULL, NULL},
    {"summary", "item", "reserved", "预留储备金", "Reserved", NULL, NULL},
    {"summary", "item", "budget", "资金总额", "Budget", NULL, NULL},
    {"summary", "item", "communities_funded", "获得资金的社区", "Communities funded", NULL, NULL},
    /* equity.c: allocated / population (aged) of the whole city; the lowest and highest community's */
    {"summary", "item", "per_capita_mean", "全市人均", "City-wide per resident", NULL, NULL},
    {"summary", "item", "per_aged_capita_mean", "全市每位60岁以上老人", "City-wide per resident aged 60+", NULL,
     NULL},
    {"summary", "item", "per_capita_min", "社区人均最低", "Lowest community per resident", NULL, NULL},
    {"summary", "item", "per_capita_max", "社区人均最高", "Highest community per resident", NULL, NULL},
    {"summary", "item", "gini", "基尼系数", "Gini coefficient", NULL, NULL},
    {"summary", "item", "theil", "泰尔指数", "Theil index", NULL, NULL},
    {"summary", "item", "cv", "变异系数", "Coefficient of variation", NULL, NULL},
    /* measure (last_year_<fund>: composed; amount per person: civ_summary_row_words) */
    {"summary", "measure", "amount", "金额", "Amount", NULL, NULL},
    {"summary", "measure", "communities", "社区数", "Communities", NULL, NULL},
    {"summary", "measure", "per_capita", "人均", "Per resident", NULL, NULL},
    {"summary", "measure", "share_of_total", "占预算比例", "Share of the budget", NULL, NULL},
    /* solve.c: a_i = clamp(lambda x raw_i, lo_i, hi_i), raw_i the community's tilted share of the score */
    {"summary", "measure", "lambda", "分配系数λ（每单位倾斜后得分的金额）",
     "Scaling multiplier λ (amount per unit of tilted score)", NULL, NULL},
    {"summary", "measure", "before_constraints", "约束前", "Before constraints", NULL, NULL},
    {"summary", "measure", "after", "约束后", "After constraints", NULL, NULL},
    {"summary", "measure", "last_year_total", "上年资金总额", "Last year's whole fund", NULL, NULL},
    {"summary", "measure", "carried", "本年社区承接", "Carried by this year's communities", NULL, NULL},
    {"summary", "measure", "not_carried", "未承接（社区已不在本年表中）",
     "Not carried (communities no longer in the table)", NULL, NULL},
    /* unit (the money's: fen, yuan, or minor, major for another currency; <major>/person, multiplier:
     * composed) */
    {"summary", "unit", "fen", "分", "fen", NULL, NULL},
    {"summary", "unit", "yuan", "元", "yuan", NULL, NULL},
    {"summary", "unit", "minor", "最小货币单位", "minor unit", NULL, NULL},
    {"summary", "unit", "major", "货币单位", "major unit", NULL, NULL},
    {"summary", "unit", "count", "个", "count", NULL, NULL},
    {"summary", "unit", "fraction", "比例", "fraction", NULL, NULL},
    {"summary", "unit", "index", "指数", "index", NULL, NULL},
    /* allocation_waterfall.csv (compare.c): the plan's one spec, and the rows */
    {"waterfall", "spec", "plan", "本方案", "This plan", NULL, NULL},
    {"waterfall", "scope", "total", "合计", "Total", NULL, NULL},
    {"waterfall", "scope", "gained", "增加部分", "Gains", "增加", "Gained"},
    {"waterfall", "scope", "lost", "减少部分", "Losses", "减少", "Lost"},
    {"waterfall", "scope", "district", "区", "District", NULL, NULL},
    /* uncertainty.csv, need_summary.csv */
    {"uncertainty", "scope", "community", "社区", "Community", NULL, NULL},
    {"uncertainty", "scope", "district", "区", "District", NULL, NULL},
    {"uncertainty", "scope", "total", "合计", "Total", NULL, NULL},
    {"need_summary", "scope", "year", "年度", "Year", NULL, NULL},
    {"need_summary", "scope", "total", "合计", "Total", NULL, NULL},
    /* the monitoring tables (monitor/workbook.c, table "monitor": every sheet of monitoring.xlsx), in the report's
     * words (report_zh.c rep_word_zh): the alert machine, the statuses, the scopes and the city total's unit, the
     * default risk matrix's impacts and levels, the demand check's flag */
    {"monitor", "alert", "raised", "新增预警", "new", NULL, NULL},
    {"monitor", "alert", "continued", "持续预警", "continuing", NULL, NULL},
    {"monitor", "alert", "cleared", "预警解除", "cleared", NULL, NULL},
    {"monitor", "alert", "closed", "随撤并关闭", "closed with its unit", NULL, NULL},
    {"monitor", "status", "met", "达标", "met", NULL, NULL},
    {"monitor", "status", "missed", "未达标", "missed", NULL, NULL},
    {"monitor", "status", "no_data", "无数据", "no data", NULL, NULL},
    {"monitor", "status", "no_target", "未设目标", "no target", NULL, NULL},
    {"monitor", "status", "not_started", "未纳入", "not started", NULL, NULL},
    {"monitor", "status", "closed", "已撤并", "closed", NULL, NULL},
    {"monitor", "scope", "unit", "单位", "unit", NULL, NULL},
    {"monitor", "scope", "community", "社区", "community", NULL, NULL},
    {"monitor", "scope", "street", "街道", "street", NULL, NULL},
    {"monitor", "scope", "district", "区", "district", NULL, NULL},
    {"monitor", "scope", "city", "全市", "city", NULL, NULL},
    {"monitor", "unit", "city", "全市", "city", NULL, NULL}, /* the city total's unit */
    {"monitor", "impact", "negligible", "轻微", "negligible", NULL, NULL},
    {"monitor", "impact", "minor", "较小", "minor", NULL, NULL},
    {"monitor", "impact", "moderate", "中等", "moderate", NULL, NULL},
    {"monitor", "impact", "fairly severe", "较严重", "fairly severe", NULL, NULL},
    {"monitor", "impact", "severe", "严重", "severe", NULL, NULL},
    {"monitor", "level", "low", "低", "low", NULL, NULL},
    {"monitor", "level", "medium", "中", "medium", NULL, NULL},
    {"monitor", "level", "medium-high", "较高", "medium-high", NULL, NULL},
    {"monitor", "level", "high", "高", "high", NULL, NULL},
    {"monitor", "flag", "ahead", "高于预测区间", "ahead of the forecast", NULL, NULL},
    {"monitor", "flag", "behind", "低于预测区间", "behind the forecast", NULL, NULL},
    {"monitor", "flag", "within", "在预测区间内", "within the forecast", NULL, NULL},
};

/* The report's shorter headers for the allocation's columns (its community and district tables), where the
 * workbook's are longer: the same concept, one place.  "amount": the allocation's amount_<minor>, shown in
 * the report with its unit in the cells. */
static const struct {
    const char *table, *column, *zh, *en;
} BRIEF[] = {
    {"allocation", "unique_id", "编号", "Id"},
    {"allocation", "name", "名称", "Name"},
    {"allocation", "amount", "金额", "Amount"},
    {"allocation", "change_pct", "比上年", "Change"},
};

static const char *brief_label(const civ_label_ctx *ctx, const char *column)
{
    for (size_t k = 0; ctx->table && k < N_OF(BRIEF); k++)
        if (!strcmp(BRIEF[k].table, ctx->table) && !strcmp(BRIEF[k].column, column))
            return ctx->zh ? BRIEF[k].zh : BRIEF[k].en;
    return NULL;
}

/* The summary's sections whose items are codes (the rest name a spec entry, a district or a community). */
static const char *const CODE_ITEM_SECTIONS[] = {"budget", "total", "statistic", "binding", "equity"};

static const char *fixed_word(int zh, const char *table, const char *column, const char *value)
{
    for (size_t k = 0; table && column && value && k < N_OF(VALUES); k++)
        if (!strcmp(VALUES[k].table, table) && !strcmp(VALUES[k].column, column) && !strcmp(VALUES[k].value, value))
            return zh ? VALUES[k].zh : VALUES[k].en;
    if (table && column && value && !strcmp(table, "summary") && !strcmp(column, "item") && value[0] &&
        strcmp(value, "tilt") && strcmp(value, "factors") && civ_rule_label(1, value) != value)
        return civ_rule_label(zh, value); /* the binding section's floor, cap, hold_harmless, pace, ratable */
    return NULL;
}

int civ_value_column(const char *table, const char *column)
{
    if (!table || !column)
        return 0;
    if (!strcmp(table, "allocation"))
        return !strcmp(column, "binding");
    for (size_t k = 0; k < N_OF(VALUES); k++)
        if (!strcmp(VALUES[k].table, table) && !strcmp(VALUES[k].column, column))
            return 1;
    return 0;
}

/* A word at the start of an English cell: "floors" -> "Floors" (the rules' words are the report's, lower case
 * in its sentences). */
static const char *capital(const char *w, char *buf, size_t size)
{
    if (!w || w[0] < 'a' || w[0] > 'z')
        return w;
    civ_snprintf(buf, size, "%s", w);
    buf[0] = (char)(buf[0] - 'a' + 'A');
    return buf;
}

/* The allocation's binding: its rules joined by '+', each in words. */
static const char *binding_words(int zh, const char *v, char *buf, size_t size)
{
    size_t k = 0;
    buf[0] = 0;
    for (const char *p = v; *p && k < size;) {
        const char *e = strchr(p, '+');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char rule[64], cap[96];
        if (n >= sizeof rule)
            return v;
        memcpy(rule, p, n);
        rule[n] = 0;
        const char *w = civ_rule_label(zh, rule);
        k += (size_t)civ_snprintf(buf + k, size - k, "%s%s", k ? "+" : "", zh ? w : capital(w, cap, sizeof cap));
        p += n + (e != NULL);
    }
    return k < size ? buf : v;
}

/* The money's unit in words: fen -> 分, yuan -> 元 (minor, major: the fixed table's). */
static const char *money_word(int zh, const char *unit)
{
    const char *w = fixed_word(zh, "summary", "unit", unit);
    return w ? w : unit;
}

const char *civ_value_label(const civ_label_ctx *ctx, const char *column, const char *value, char *buf, size_t size)
{
    if (!ctx || !ctx->table || !column || !value || !value[0] || !civ_value_column(ctx->table, column))
        return value;
    int zh = ctx->zh;
    if (!strcmp(ctx->table, "allocation"))
        return binding_words(zh, value, buf, size);
    for (size_t k = 0; k < N_OF(VALUES); k++) { /* a brief word when asked and held */
        const value_word *v = &VALUES[k];
        if (ctx->brief && v->zh_brief && !strcmp(v->table, ctx->table) && !strcmp(v->column, column) &&
            !strcmp(v->value, value))
            return zh ? v->zh_brief : v->en_brief;
    }
    const char *w = fixed_word(zh, ctx->table, column, value);
    if (w)
        return zh || !strcmp(column, "unit") ? w : capital(w, buf, size); /* units stay lower case: fen, yuan */
    if (strcmp(ctx->table, "summary"))
        return value;
    const char *slash = strchr(value, '/');
    if (!strcmp(column, "unit") && slash && slash != value) { /* yuan/person, yuan/aged person (output.c) */
        char major[32];
        size_t n = (size_t)(slash - value);
        if (n >= sizeof major)
            return value;
        memcpy(major, value, n);
        major[n] = 0;
        int aged = !strcmp(slash + 1, "aged person");
        if (!aged && strcmp(slash + 1, "person"))
            return value;
        civ_snprintf(buf, size,
                     zh ? (aged ? "%s/老年人" : "%s/人") : (aged ? "%s per resident aged 60+" : "%s per resident"),
                     money_word(zh, major));
        return buf;
    }
    if (!strcmp(column, "unit") && !strcmp(value, "multiplier")) { /* lambda's: minor units per unit of score */
        civ_snprintf(buf, size, zh ? "%s/单位得分" : "%s per unit of score",
                     money_word(zh, ctx->minor ? ctx->minor : "fen"));
        return buf;
    }
    if (!strcmp(column, "measure") && !strncmp(value, "last_year_", 10) && value[10]) { /* closed: per fund */
        civ_snprintf(buf, size, zh ? "%s上年金额" : "%s last year", spec_label(ctx, "fund", value + 10));
        return buf;
    }
    return value;
}

void civ_summary_row_words(const civ_label_ctx *ctx, const char *const codes[4], const char *words[4],
                           char (*bufs)[192])
{
    static const char *const columns[4] = {"section", "item", "measure", "unit"};
    int code_item = 0;
    for (size_t k = 0; codes[0] && k < N_OF(CODE_ITEM_SECTIONS); k++)
        code_item |= !strcmp(codes[0], CODE_ITEM_SECTIONS[k]);
    for (int c = 0; c < 4; c++)
        words[c] = c == 1 && !code_item ? codes[c] : civ_value_label(ctx, columns[c], codes[c], bufs[c], 192);
    /* statistic per_capita_mean ...: an amount per resident (its unit says so), not an amount */
    const char *slash = codes[2] && codes[3] && !strcmp(codes[2], "amount") ? strchr(codes[3], '/') : NULL;
    if (slash) {
        int aged = !strcmp(slash + 1, "aged person");
        civ_snprintf(bufs[2], 192, "%s", ctx->zh ? (aged ? "每位60岁以上老人金额" : "人均金额")
                                                 : (aged ? "Amount per resident aged 60+" : "Amount per resident"));
        words[2] = bufs[2];
    }
}
