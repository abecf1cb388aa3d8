/*
 * test_monitor_risk.c -- the risk matrix (engine/src/monitor/risk.c): the
 * plan's four risks give the plan's levels (policy conflict 70% / severe ->
 * high; execution deviation 65% / fairly severe -> medium-high; social
 * resistance 45% / moderate -> medium; resource shortfall 60% / fairly
 * severe -> medium-high) in handling order; the matrix table; a matrix read
 * from a file with explicit cells; and bad registers and matrices.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "monitor.h"

typedef struct rrow {
    const char *risk;
    double p;
    const char *impact, *owner;
} rrow;

/* A register with the columns headed `heads` (risk, probability, impact, owner). */
static civ_table *reg_headed(const rrow *rows, size_t n, const char *const heads[4])
{
    civ_table *t = NULL;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    for (size_t c = 0; c < 4; c++)
        assert_int_equal(civ_table_add_column(t, heads[c], c == 1 ? CIV_COLUMN_NUMBER : CIV_COLUMN_TEXT, NULL),
                         CIV_OK);
    assert_int_equal(civ_table_add_rows(t, n, NULL), CIV_OK);
    for (size_t r = 0; r < n; r++) {
        civ_table_set_text(t, r, 0, rows[r].risk);
        civ_table_set_number(t, r, 1, rows[r].p);
        civ_table_set_text(t, r, 2, rows[r].impact);
        civ_table_set_text(t, r, 3, rows[r].owner);
    }
    return t;
}

static civ_table *reg(const rrow *rows, size_t n)
{
    static const char *const heads[4] = {"risk", "probability", "impact", "owner"};
    return reg_headed(rows, n, heads);
}

static const rrow PLAN[] = {
    {"policy conflict", 0.70, "severe", "policy office"},
    {"execution deviation", 0.65, "fairly severe", "supervision"},
    {"social resistance", 0.45, "moderate", "streets"},
    {"resource shortfall", 0.60, "fairly severe", "finance"},
};

static void test_plan_risks(void **state)
{
    (void)state;
    civ_monitor_matrix *x = NULL;
    assert_int_equal(civ_monitor_matrix_default(&x), CIV_OK);
    civ_table *t = reg(PLAN, 4), *a = NULL, *m = NULL;
    assert_int_equal(civ_monitor_risk_assess(x, t, "risks.csv", &a, &m), CIV_OK);
    static const char *const order[] = {"policy conflict", "execution deviation", "resource shortfall",
                                        "social resistance"};
    static const char *const level[] = {"high", "medium-high", "medium-high", "medium"};
    static const double score[] = {20, 16, 16, 9};
    for (size_t r = 0; r < 4; r++) {
        assert_string_equal(civ_table_text(a, r, 0), order[r]);
        assert_string_equal(civ_table_text(a, r, 8), level[r]);
        assert_true(civ_table_number(a, r, 7) == score[r]);
        assert_true(civ_table_number(a, r, 9) == (double)(r + 1));
    }
    assert_string_equal(civ_table_text(a, 0, 3), "policy office");
    assert_string_equal(civ_table_text(a, 0, 4), ""); /* no mitigation column */
    /* the matrix: 25 cells; the cell of 0.6-0.8 x fairly severe holds two risks */
    assert_int_equal(civ_table_n_rows(m), 25);
    size_t cell = 3 * 5 + 3; /* row 4, column 4 */
    assert_true(civ_table_number(m, cell, 0) == 0.6 || fabs(civ_table_number(m, cell, 0) - 0.6) < 1e-15);
    assert_string_equal(civ_table_text(m, cell, 6), "medium-high");
    assert_string_equal(civ_table_text(m, cell, 7), "execution deviation;resource shortfall");
    assert_string_equal(civ_table_text(m, 0, 6), "low");
    assert_string_equal(civ_table_text(m, 24, 6), "high");
    civ_table_free(a), civ_table_free(m), civ_table_free(t);
    civ_monitor_matrix_free(x);
    civ_monitor_matrix_free(NULL);
}

/* The default scale's Chinese names (轻微, 较小, 中等, 较严重, 严重, as the docs list them) and an
 * English name typed with a capital place a risk as the English names do (they were refused as
 * "not on the scale"); the outputs write the scale's name. */
static void test_impact_names(void **state)
{
    (void)state;
    civ_monitor_matrix *x = NULL;
    assert_int_equal(civ_monitor_matrix_default(&x), CIV_OK);
    rrow rows[] = {{"policy conflict", 0.70, "严重", ""}, {"execution deviation", 0.65, "较严重", ""},
                   {"social resistance", 0.45, "中等", ""}, {"resource shortfall", 0.60, "Fairly Severe", ""},
                   {"small", 0.1, "轻微", ""}, {"smaller", 0.1, "较小", ""}};
    civ_table *t = reg(rows, 6), *a = NULL;
    assert_int_equal(civ_monitor_risk_assess(x, t, "risks.csv", &a, NULL), CIV_OK);
    static const char *const order[] = {"policy conflict", "execution deviation", "resource shortfall",
                                        "social resistance", "smaller", "small"};
    static const char *const impact[] = {"severe", "fairly severe", "fairly severe", "moderate", "minor",
                                         "negligible"};
    static const double score[] = {20, 16, 16, 9, 2, 1};
    for (size_t r = 0; r < 6; r++) {
        assert_string_equal(civ_table_text(a, r, 0), order[r]);
        assert_string_equal(civ_table_text(a, r, 2), impact[r]);
        assert_true(civ_table_number(a, r, 7) == score[r]);
    }
    civ_table_free(a), civ_table_free(t);
    rrow bad[] = {{"a", 0.5, "很严重", ""}}; /* not a name: the message lists both names of each */
    t = reg(bad, 1);
    assert_int_equal(civ_monitor_risk_assess(x, t, "risks.csv", &a, NULL), CIV_ERR_NOT_FOUND);
    assert_non_null(strstr(civ_last_error()->message, "\"fairly severe\" (较严重)"));
    civ_table_free(t);
    civ_monitor_matrix_free(x);
}

static void test_matrix_file(void **state)
{
    (void)state;
    const char *text = "# a 3 x 3 matrix\n[matrix]\nimpacts = [\"minor\", \"moderate\", \"severe\"]\n"
                       "probability_bounds = [0.3, 0.6]\nlevels = [\"green\", \"amber\", \"red\"]\n"
                       "cells = [\"green green amber\", \"green amber red\", \"amber red red\"]\n";
    civ_monitor_matrix *x = NULL;
    assert_int_equal(civ_monitor_matrix_parse(text, strlen(text), "m.toml", &x), CIV_OK);
    rrow rows[] = {{"a", 0.29, "severe", ""}, {"b", 0.3, "moderate", ""}, {"c", 1.0, "moderate", ""}};
    civ_table *t = reg(rows, 3), *a = NULL;
    assert_int_equal(civ_monitor_risk_assess(x, t, "r.csv", &a, NULL), CIV_OK);
    assert_string_equal(civ_table_text(a, 0, 0), "c"); /* red */
    assert_string_equal(civ_table_text(a, 1, 0), "b"); /* amber, score 4 */
    assert_string_equal(civ_table_text(a, 1, 8), "amber");
    assert_string_equal(civ_table_text(a, 2, 8), "amber"); /* a: 0.29 is in the first row */
    civ_table_free(a), civ_table_free(t);
    civ_monitor_matrix_free(x);
    /* bad matrices */
    const char *bad = "[matrix]\nimpacts = [\"a\", \"b\"]\nprobability_bounds = [0.5]\nlevels = [\"x\", \"y\"]\n"
                      "cells = [\"x y\", \"x z\"]\n";
    assert_int_equal(civ_monitor_matrix_parse(bad, strlen(bad), "m.toml", &x), CIV_ERR_SPEC);
    assert_null(x);
    assert_int_equal(civ_last_error()->line, 5);
    assert_int_equal(civ_last_error()->column, 17); /* the row's own string, not the key's array */
    assert_string_equal(civ_last_error()->field, "cells");
    /* the row as the matrix reads it (its band) and the word (before 2026-12-07: "row 2: a word is not one of
     * the levels") */
    assert_string_equal(civ_last_error()->message, "[matrix] cells: row 2 of 2 (probability 0.5 to 1, the rows "
                                                   "lowest probability first): cell 2, 'z', is not one of the "
                                                   "levels (levels: x, y; impacts: 2)");
    const char *bounds = "[matrix]\nimpacts = [\"a\", \"b\"]\nprobability_bounds = [0.5, 0.4]\n"
                         "levels = [\"x\", \"y\"]\nlevel_min_scores = [2]\n";
    assert_int_equal(civ_monitor_matrix_parse(bounds, strlen(bounds), "m.toml", &x), CIV_ERR_SPEC);
    assert_int_equal(civ_last_error()->line, 3);
}

/* The rows a register's errors name are those its reader shows: a CSV's physical line when a cell above holds a
 * line break (a mitigation typed with Alt+Enter), a workbook sheet's row as Excel numbers it, and the other row
 * of a duplicate as "row 2" in a sheet.  Before 2026-12-07 both were data row + 2, one line short after such a
 * cell, and a sheet's other row was "line 2". */
static void test_register_rows_as_shown(void **state)
{
    (void)state;
    char csv[256], book[256];
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(csv, sizeof csv, "%s/civ_risk_rows_%ld.csv", tmp, (long)getpid());
    snprintf(book, sizeof book, "%s/civ_risk_rows_%ld.xlsx", tmp, (long)getpid());
    FILE *f = fopen(csv, "w");
    assert_non_null(f);
    fputs("risk,probability,impact,owner,mitigation\na,0.5,minor,o,\"1. check\n2. meet\"\nb,1.7,minor,o,x\n", f);
    fclose(f);
    civ_monitor_matrix *x = NULL;
    assert_int_equal(civ_monitor_matrix_default(&x), CIV_OK);
    civ_table *t = NULL, *a = NULL;
    assert_int_equal(civ_table_read(csv, NULL, &t), CIV_OK);
    assert_int_equal(civ_monitor_risk_assess(x, t, csv, &a, NULL), CIV_ERR_DOMAIN);
    assert_int_equal(civ_last_error()->line, 4); /* b's line: the cell above spans lines 2 and 3 */
    civ_table_free(t);
    rrow dup[] = {{"a", 0.5, "minor", ""}, {"b", 0.5, "minor", ""}, {"a", 0.5, "minor", ""}};
    civ_table *d = reg(dup, 3);
    assert_int_equal(civ_table_write(d, book), CIV_OK);
    civ_table_free(d);
    assert_int_equal(civ_table_read(book, NULL, &t), CIV_OK);
    assert_int_equal(civ_monitor_risk_assess(x, t, book, &a, NULL), CIV_ERR_DUPLICATE);
    assert_int_equal(civ_last_error()->line, 4);
    assert_non_null(strstr(civ_last_error()->message, "listed twice: here and at row 2;"));
    civ_table_free(t);
    civ_monitor_matrix_free(x);
    unlink(csv), unlink(book);
}

static void test_bad_register(void **state)
{
    (void)state;
    civ_monitor_matrix *x = NULL;
    assert_int_equal(civ_monitor_matrix_default(&x), CIV_OK);
    civ_table *a = NULL;
    rrow pct[] = {{"a", 0.5, "severe", ""}, {"b", 70, "severe", ""}};
    civ_table *t = reg(pct, 2);
    assert_int_equal(civ_monitor_risk_assess(x, t, "risks.csv", &a, NULL), CIV_ERR_DOMAIN);
    assert_null(a);
    assert_string_equal(civ_last_error()->file, "risks.csv");
    assert_int_equal(civ_last_error()->line, 3);
    assert_string_equal(civ_last_error()->field, "probability");
    civ_table_free(t);
    rrow imp[] = {{"a", 0.5, "catastrophic", ""}};
    t = reg(imp, 1);
    assert_int_equal(civ_monitor_risk_assess(x, t, "risks.csv", &a, NULL), CIV_ERR_NOT_FOUND);
    assert_string_equal(civ_last_error()->field, "impact");
    assert_non_null(strstr(civ_last_error()->message, "\"fairly severe\""));
    civ_table_free(t);
    rrow dup[] = {{"a", 0.5, "minor", ""}, {"a", 0.5, "minor", ""}};
    t = reg(dup, 2);
    assert_int_equal(civ_monitor_risk_assess(x, t, "risks.csv", &a, NULL), CIV_ERR_DUPLICATE);
    /* the cell and the other row (before 2026-12-07: "listed twice", neither) */
    assert_int_equal(civ_last_error()->line, 3);
    assert_int_equal(civ_last_error()->column, 1);
    assert_non_null(strstr(civ_last_error()->message, "listed twice: here and at line 2"));
    civ_table_free(t);
    /* an impact on the scale but for the spaces around it says so (the space was all but invisible) */
    rrow spaced[] = {{"a", 0.5, "较严重 ", ""}};
    t = reg(spaced, 1);
    assert_int_equal(civ_monitor_risk_assess(x, t, "risks.csv", &a, NULL), CIV_ERR_NOT_FOUND);
    assert_int_equal(civ_last_error()->column, 3);
    assert_non_null(strstr(civ_last_error()->message, "the cell has spaces around it"));
    civ_table_free(t);
    civ_monitor_matrix_free(x);
}

/* A register headed as monitoring.xlsx's risk sheet heads it (风险, 发生概率, 影响程度, 责任单位; in English Risk,
 * Probability, ...): a register kept in Chinese, or the workbook's sheet saved as next month's register, gives
 * the plan's levels (before 2026-12-07: "the risk register has no column 'risk'"). */
static void test_register_headers(void **state)
{
    (void)state;
    static const char *const heads[2][4] = {{"风险", "发生概率", "影响程度", "责任单位"},
                                            {"Risk", "Probability", "Impact", "Owner"}};
    civ_monitor_matrix *x = NULL;
    assert_int_equal(civ_monitor_matrix_default(&x), CIV_OK);
    for (int k = 0; k < 2; k++) {
        civ_table *t = reg_headed(PLAN, 4, heads[k]), *a = NULL;
        if (civ_monitor_risk_assess(x, t, "风险登记.csv", &a, NULL))
            fail_msg("%s", civ_last_error()->text);
        assert_string_equal(civ_table_text(a, 0, 0), "policy conflict");
        assert_string_equal(civ_table_text(a, 0, 8), "high");
        assert_string_equal(civ_table_text(a, 3, 8), "medium");
        assert_string_equal(civ_table_text(a, 0, 3), "policy office");
        civ_table_free(a), civ_table_free(t);
    }
    /* headers neither way: the message gives both */
    static const char *const other[4] = {"名称", "发生概率", "影响程度", "责任单位"};
    civ_table *t = reg_headed(PLAN, 4, other), *a = NULL;
    assert_int_equal(civ_monitor_risk_assess(x, t, "r.csv", &a, NULL), CIV_ERR_MISSING_COLUMN);
    assert_non_null(strstr(civ_last_error()->message, "or the workbook's headers 风险, 发生概率, 影响程度"));
    civ_table_free(t);
    civ_monitor_matrix_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_risks),
        cmocka_unit_test(test_matrix_file),
        cmocka_unit_test(test_bad_register),
        cmocka_unit_test(test_register_rows_as_shown),
        cmocka_unit_test(test_impact_names),
        cmocka_unit_test(test_register_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
