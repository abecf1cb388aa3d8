/*
 * test_column_labels.c -- unit tests of the column labels (layer io, column_labels.c): the plan workbook's
 * headers in Chinese and English (fixed columns, money with its unit at the end, the spec's labels of factors
 * and funds, a name without a label kept), the report's table headers unchanged, the rules' words and the
 * summary's codes; the words of the codes in the cells (civ_value_label, civ_summary_row_words: the summary,
 * the rules, the scopes, the bindings, in both languages, the report's brief forms).  That every code the engine
 * writes has its words: tests/python/test_workbook_codes.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "column_labels.h"

static const char *labels(void *arg, const char *kind, const char *name)
{
    (void)arg;
    if (!strcmp(kind, "factor") && !strcmp(name, "population"))
        return "常住人口";
    if (!strcmp(kind, "fund") && !strcmp(name, "eldercare+health"))
        return "民政养老补贴+公共卫生服务";
    return NULL;
}

static const char *head(int zh, const char *table, const char *column)
{
    static char buf[192];
    civ_label_ctx ctx = {.zh = zh, .table = table, .minor = "fen", .spec_label = labels};
    return civ_column_label(&ctx, column, buf, sizeof buf);
}

static void test_allocation_zh(void **state)
{
    (void)state;
    assert_string_equal(head(1, "allocation", "unique_id"), "社区编号");
    assert_string_equal(head(1, "allocation", "name"), "社区名称");
    assert_string_equal(head(1, "uncertainty", "name"), "名称");
    assert_string_equal(head(1, "allocation", "amount_yuan"), "分配金额（元）");
    assert_string_equal(head(1, "allocation", "amount_fen"), "分配金额（分）");
    assert_string_equal(head(1, "allocation", "share_pct"), "占比（%）");
    assert_string_equal(head(1, "allocation", "factor_population_fen"), "常住人口（分）");
    assert_string_equal(head(1, "allocation", "factor_aged60_fen"), "aged60（分）"); /* no label: its name */
    assert_string_equal(head(1, "allocation", "pool_eldercare+health_fen"), "民政养老补贴+公共卫生服务（分）");
    assert_string_equal(head(1, "allocation", "last_year_eldercare+health_fen"), "民政养老补贴+公共卫生服务上年金额（分）");
    assert_string_equal(head(1, "allocation", "change_eldercare+health_pct"), "民政养老补贴+公共卫生服务比上年变化（%）");
    assert_string_equal(head(1, "allocation", "change_yuan"), "比上年增减（元）");
    assert_string_equal(head(1, "allocation", "tilt_main"), "倾斜系数（main）");
    assert_string_equal(head(1, "allocation", "p95_fen"), "95% 分位（分）");
    assert_string_equal(head(1, "waterfall", "hold_harmless"), "不低于上年一定比例（分）");
    assert_string_equal(head(1, "waterfall", "base"), "因素法基数（分）");
    assert_string_equal(head(1, "summary", "value"), "数值");
    assert_null(head(1, "allocation", "population_resident")); /* unknown: the caller keeps the name */
    assert_null(head(1, "allocation", "x_fen"));
}

static void test_allocation_en(void **state)
{
    (void)state;
    assert_string_equal(head(0, "allocation", "unique_id"), "Community id");
    assert_string_equal(head(0, "allocation", "amount_yuan"), "Amount (yuan)");
    assert_string_equal(head(0, "allocation", "share_pct"), "Share (%)");
    assert_string_equal(head(0, "allocation", "factor_population_fen"), "常住人口 (fen)");
    assert_string_equal(head(0, "allocation", "change_pct"), "Change vs last year (%)");
    assert_string_equal(head(0, "waterfall", "floor"), "Floors (fen)");
    assert_string_equal(head(0, "need", "need_yuan"), "Need (yuan)");
}

static void test_report_tables_unchanged(void **state)
{
    (void)state;
    /* the report's tables (table NULL): only the names they share; the plan's columns stay unknown */
    assert_string_equal(head(1, NULL, "ds"), "统计期");
    assert_string_equal(head(0, NULL, "misses"), "Misses in a row");
    assert_string_equal(head(1, NULL, "coverage-80"), "覆盖率-80");
    assert_null(head(1, NULL, "amount_fen"));
    assert_null(head(1, NULL, "unique_id"));
}

static void test_words(void **state)
{
    (void)state;
    assert_string_equal(civ_rule_label(1, "floor"), "保底");
    assert_string_equal(civ_rule_label(0, "pace"), "pace limit");
    assert_string_equal(civ_rule_label(1, "other"), "other");
    assert_string_equal(civ_code_label(1, "section", "reserve"), "储备金");
    assert_string_equal(civ_code_label(1, "item", "hold_harmless"), "不低于上年一定比例");
    assert_string_equal(civ_code_label(1, "unit", "fen"), "分");
    assert_string_equal(civ_code_label(1, "item", "emergency"), "emergency"); /* a spec name stays */
    assert_string_equal(civ_code_label(0, "section", "reserve"), "reserve");  /* English keeps the codes */
}

static const char *word(int zh, const char *table, const char *column, const char *value)
{
    static char buf[192];
    civ_label_ctx ctx = {.zh = zh, .table = table, .minor = "fen", .spec_label = labels};
    return civ_value_label(&ctx, column, value, buf, sizeof buf);
}

static void test_value_words(void **state)
{
    (void)state;
    assert_string_equal(word(1, "summary", "section", "fund"), "分配资金");
    assert_string_equal(word(0, "summary", "section", "fund"), "Fund");
    assert_string_equal(word(1, "summary", "measure", "lambda"), "分配系数λ（每单位倾斜后得分的金额）");
    assert_string_equal(word(1, "summary", "unit", "multiplier"), "分/单位得分");
    assert_string_equal(word(0, "summary", "unit", "multiplier"), "fen per unit of score");
    assert_string_equal(word(1, "summary", "unit", "yuan/person"), "元/人");
    assert_string_equal(word(1, "summary", "unit", "yuan/aged person"), "元/老年人");
    assert_string_equal(word(0, "summary", "unit", "yuan/person"), "yuan per resident");
    assert_string_equal(word(1, "summary", "unit", "fraction"), "比例");
    assert_string_equal(word(1, "summary", "unit", "index"), "指数");
    assert_string_equal(word(0, "summary", "unit", "fen"), "fen"); /* units stay lower case */
    assert_string_equal(word(1, "summary", "item", "theil"), "泰尔指数");
    assert_string_equal(word(0, "summary", "item", "cv"), "Coefficient of variation");
    assert_string_equal(word(0, "summary", "item", "floor"), "Floors"); /* the rules' words, capitalised */
    assert_string_equal(word(1, "summary", "measure", "last_year_eldercare+health"), "民政养老补贴+公共卫生服务上年金额");
    assert_string_equal(word(0, "summary", "measure", "last_year_x"), "x last year"); /* no label: the name */
    assert_string_equal(word(1, "waterfall", "scope", "gained"), "增加部分");
    assert_string_equal(word(1, "waterfall", "spec", "plan"), "本方案");
    assert_string_equal(word(1, "uncertainty", "scope", "community"), "社区");
    assert_string_equal(word(1, "need_summary", "scope", "year"), "年度");
    assert_string_equal(word(1, "allocation", "binding", "pace+hold_harmless"), "增幅上限+不低于上年一定比例");
    assert_string_equal(word(0, "allocation", "binding", "floor"), "Floors");
    /* the monitoring workbook's (monitor/workbook.c): the report's words, English capitalised */
    assert_string_equal(word(1, "monitor", "alert", "raised"), "新增预警");
    assert_string_equal(word(0, "monitor", "alert", "continued"), "Continuing");
    assert_string_equal(word(1, "monitor", "status", "no_data"), "无数据");
    assert_string_equal(word(1, "monitor", "level", "medium-high"), "较高");
    assert_string_equal(word(1, "monitor", "scope", "city"), "全市");
    assert_string_equal(word(1, "monitor", "scope", "county"), "county"); /* a roll-up's own name */
    /* not codes: names, ids, other columns, empty cells stay as they are */
    assert_string_equal(word(1, "summary", "item", "emergency"), "emergency");
    assert_string_equal(word(1, "uncertainty", "name", "total"), "total"); /* by its row: write.c */
    assert_string_equal(word(1, "allocation", "district", "total"), "total");
    assert_string_equal(word(1, "summary", "section", ""), "");
    assert_true(civ_value_column("summary", "unit") && civ_value_column("allocation", "binding"));
    assert_false(civ_value_column("summary", "label") || civ_value_column("uncertainty", "name") ||
                 civ_value_column("allocation", "unique_id"));
    /* the report's brief form where the table holds one */
    civ_label_ctx brief = {.zh = 1, .table = "waterfall", .brief = 1};
    char buf[192];
    assert_string_equal(civ_value_label(&brief, "scope", "gained", buf, sizeof buf), "增加");
    assert_string_equal(civ_value_label(&brief, "scope", "total", buf, sizeof buf), "合计");
    civ_label_ctx head = {.zh = 1, .table = "allocation", .brief = 1};
    assert_string_equal(civ_column_label(&head, "unique_id", buf, sizeof buf), "编号");
    assert_string_equal(civ_column_label(&head, "binding", buf, sizeof buf), "约束"); /* no brief form: the word */
    head.zh = 0;
    assert_string_equal(civ_column_label(&head, "amount", buf, sizeof buf), "Amount");
}

static void test_summary_rows(void **state)
{
    (void)state;
    civ_label_ctx ctx = {.zh = 1, .table = "summary", .minor = "fen", .spec_label = labels};
    char bufs[4][192];
    const char *words[4];
    const char *const mean[4] = {"statistic", "per_capita_mean", "amount", "yuan/person"};
    civ_summary_row_words(&ctx, mean, words, bufs); /* before: statistic | per_capita_mean | 金额 | yuan/person */
    assert_string_equal(words[0], "统计量");
    assert_string_equal(words[1], "全市人均");
    assert_string_equal(words[2], "人均金额");
    assert_string_equal(words[3], "元/人");
    const char *const fund[4] = {"fund", "total", "amount", "fen"}; /* a fund named "total": its name */
    civ_summary_row_words(&ctx, fund, words, bufs);
    assert_string_equal(words[1], "total");
    assert_string_equal(words[2], "金额");
    const char *const sum[4] = {"total", "reserved", "amount", "fen"};
    civ_summary_row_words(&ctx, sum, words, bufs);
    assert_string_equal(words[0], "合计");
    assert_string_equal(words[1], "预留储备金");
    ctx.zh = 0;
    civ_summary_row_words(&ctx, mean, words, bufs);
    assert_string_equal(words[2], "Amount per resident");
    assert_string_equal(words[3], "yuan per resident");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allocation_zh),
        cmocka_unit_test(test_allocation_en),
        cmocka_unit_test(test_report_tables_unchanged),
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_value_words),
        cmocka_unit_test(test_summary_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
