/*
 * test_column_labels.c -- unit tests of the column labels (layer io, column_labels.c): the plan workbook's
 * headers in Chinese and English (fixed columns, money with its unit at the end, the spec's labels of factors
 * and funds, a name without a label kept), the report's table headers unchanged, the rules' words and the
 * summary's codes.
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allocation_zh),
        cmocka_unit_test(test_allocation_en),
        cmocka_unit_test(test_report_tables_unchanged),
        cmocka_unit_test(test_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
