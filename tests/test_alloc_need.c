/*
 * test_alloc_need.c -- the multi-year budget need (engine/src/alloc/need.c):
 * hand-computed indexation (+10% every two years, rounded to the fen at each
 * step, half away from zero, including a step that lands on half a fen),
 * the projection by calendar year from monthly forecasts (rows outside the
 * years ignored, year totals = the sum of the rounded community needs, which
 * differs from rounding the sum), yearly numeric ds, the model filter, and
 * errors with their locations.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"
#include "date.h"

static civ_alloc_need *need_of(const char *text)
{
    civ_alloc_need *n = NULL;
    civ_status st = civ_alloc_need_parse(text, strlen(text), "n.toml", &n);
    if (st)
        fprintf(stderr, "%s\n", civ_last_error_message());
    assert_int_equal(st, CIV_OK);
    return n;
}

static civ_status need_err(const char *text)
{
    civ_alloc_need *n = NULL;
    civ_status st = civ_alloc_need_parse(text, strlen(text), "n.toml", &n);
    assert_null(n);
    return st;
}

typedef struct frow {
    const char *id, *ds, *model;
    double mean;
} frow;

static civ_table *forecasts(const frow *rows, size_t n)
{
    civ_table *t = NULL;
    size_t ci, cd, cm, cv, ch;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "unique_id", CIV_COLUMN_TEXT, &ci), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "ds", CIV_COLUMN_TEXT, &cd), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "h", CIV_COLUMN_NUMBER, &ch), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "model", CIV_COLUMN_TEXT, &cm), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "mean", CIV_COLUMN_NUMBER, &cv), CIV_OK);
    assert_int_equal(civ_table_add_rows(t, n, NULL), CIV_OK);
    for (size_t r = 0; r < n; r++) {
        assert_int_equal(civ_table_set_text(t, r, ci, rows[r].id), CIV_OK);
        assert_int_equal(civ_table_set_text(t, r, cd, rows[r].ds), CIV_OK);
        assert_int_equal(civ_table_set_number(t, r, ch, (double)(r + 1)), CIV_OK);
        assert_int_equal(civ_table_set_text(t, r, cm, rows[r].model ? rows[r].model : "ETS"), CIV_OK);
        assert_int_equal(civ_table_set_number(t, r, cv, rows[r].mean), CIV_OK);
    }
    return t;
}

static const char *NEED = "# the demo's rule\n[need]\nstandard_per_meal = 8.00\nindex_rate = 0.10\n"
                          "index_every_years = 2\nbase_year = 2025\nyears = 3\n";

static void test_indexation(void **state)
{
    (void)state;
    civ_alloc_need *n = need_of(NEED);
    assert_int_equal(civ_alloc_need_first_year(n), 2025);
    assert_int_equal(civ_alloc_need_years(n), 3);
    assert_int_equal(civ_alloc_need_minor_unit(n), 100);
    assert_int_equal(civ_alloc_need_standard(n, 2024), -1);
    assert_int_equal(civ_alloc_need_standard(n, 2025), 800);
    assert_int_equal(civ_alloc_need_standard(n, 2026), 800);
    assert_int_equal(civ_alloc_need_standard(n, 2027), 880);
    assert_int_equal(civ_alloc_need_standard(n, 2028), 880);
    assert_int_equal(civ_alloc_need_standard(n, 2029), 968);
    assert_int_equal(civ_alloc_need_standard(n, 2031), 1065); /* 968 x 1.1 = 1064.8 */
    assert_int_equal(civ_alloc_need_standard(n, 2033), 1172); /* 1065 x 1.1 = 1171.5: half away from zero */
    civ_alloc_need_free(n);
    /* yearly 12.5% from 1.00: 112.5 -> 113, then 113 x 1.125 = 127.125 -> 127 */
    n = need_of("[need]\nstandard_per_meal = 1\nindex_rate = 0.125\nbase_year = 2000\n");
    assert_int_equal(civ_alloc_need_standard(n, 2000), 100);
    assert_int_equal(civ_alloc_need_standard(n, 2001), 113);
    assert_int_equal(civ_alloc_need_standard(n, 2002), 127);
    assert_int_equal(civ_alloc_need_years(n), 1);
    civ_alloc_need_free(n);
    /* no index: the standard stays; [budget] minor_unit = 10 applies */
    n = need_of("[budget]\nminor_unit = 10\n[need]\nstandard_per_meal = \"2.5\"\nbase_year = 2030\n");
    assert_int_equal(civ_alloc_need_minor_unit(n), 10);
    assert_int_equal(civ_alloc_need_standard(n, 2040), 25);
    civ_alloc_need_free(n);
}

static void test_projection(void **state)
{
    (void)state;
    const frow rows[] = {
        {"b", "2024-Q4", NULL, 999}, /* before first_year: ignored */
        {"b", "2025-Q1", NULL, 0},   {"b", "2025-Q2", NULL, 0},    {"b", "2025-Q3", NULL, 10},
        {"b", "2025-Q4", NULL, 20},  {"b", "2026-Q1", NULL, 30},   {"b", "2026-Q2", NULL, 40},
        {"b", "2026-Q3", NULL, 0},   {"b", "2026-Q4", NULL, 0},    {"b", "2027-Q1", NULL, 5},
        {"b", "2027-Q2", NULL, 0},   {"b", "2027-Q3", NULL, 0},    {"b", "2027-Q4", NULL, 0},
        {"b", "2028-Q1", NULL, 999}, /* after: ignored */
        {"a", "2025-Q1", NULL, 0},   {"a", "2025-Q2", NULL, 0},    {"a", "2025-Q3", NULL, 0},
        {"a", "2025-Q4", NULL, 1.5}, {"a", "2026-Q1", NULL, 0},    {"a", "2026-Q2", NULL, 2.25},
        {"a", "2026-Q3", NULL, 0},   {"a", "2026-Q4", NULL, 0},
    };
    civ_table *fc = forecasts(rows, sizeof rows / sizeof *rows);
    civ_alloc_need *n = need_of(NEED);
    civ_table *pc = NULL, *py = NULL;
    assert_int_equal(civ_alloc_need_project(n, fc, &pc, &py), CIV_OK);
    /* per community: a-2025, a-2026, b-2025, b-2026, b-2027 */
    assert_int_equal(civ_table_n_rows(pc), 5);
    size_t cid, cy, cp, cd, cs, cn, cyu;
    assert_int_equal(civ_table_find_column(pc, "unique_id", &cid), CIV_OK);
    assert_int_equal(civ_table_find_column(pc, "year", &cy), CIV_OK);
    assert_int_equal(civ_table_find_column(pc, "periods", &cp), CIV_OK);
    assert_int_equal(civ_table_find_column(pc, "demand", &cd), CIV_OK);
    assert_int_equal(civ_table_find_column(pc, "standard_fen", &cs), CIV_OK);
    assert_int_equal(civ_table_find_column(pc, "need_fen", &cn), CIV_OK);
    assert_int_equal(civ_table_find_column(pc, "need_yuan", &cyu), CIV_OK);
    const char *ids[] = {"a", "a", "b", "b", "b"};
    const double years[] = {2025, 2026, 2025, 2026, 2027}, periods[] = {4, 4, 4, 4, 4};
    const double demand[] = {1.5, 2.25, 30, 70, 5}, standard[] = {800, 800, 800, 800, 880};
    const double need[] = {1200, 1800, 24000, 56000, 4400};
    for (size_t r = 0; r < 5; r++) {
        assert_string_equal(civ_table_text(pc, r, cid), ids[r]);
        assert_true(civ_table_number(pc, r, cy) == years[r]);
        assert_true(civ_table_number(pc, r, cp) == periods[r]);
        assert_true(civ_table_number(pc, r, cd) == demand[r]);
        assert_true(civ_table_number(pc, r, cs) == standard[r]);
        assert_true(civ_table_number(pc, r, cn) == need[r]);
        char yuan[32];
        snprintf(yuan, sizeof yuan, "%.2f", need[r] / 100); /* exact: whole fen below 2^53 */
        assert_string_equal(civ_table_text(pc, r, cyu), yuan);
    }
    /* per year, then the total */
    assert_int_equal(civ_table_n_rows(py), 4);
    size_t ys, yy, yc, yn, yd;
    assert_int_equal(civ_table_find_column(py, "scope", &ys), CIV_OK);
    assert_int_equal(civ_table_find_column(py, "year", &yy), CIV_OK);
    assert_int_equal(civ_table_find_column(py, "communities", &yc), CIV_OK);
    assert_int_equal(civ_table_find_column(py, "need_fen", &yn), CIV_OK);
    assert_int_equal(civ_table_find_column(py, "demand", &yd), CIV_OK);
    assert_true(civ_table_number(py, 0, yy) == 2025 && civ_table_number(py, 0, yn) == 25200 &&
                civ_table_number(py, 0, yc) == 2);
    assert_true(civ_table_number(py, 1, yy) == 2026 && civ_table_number(py, 1, yn) == 57800);
    assert_true(civ_table_number(py, 2, yy) == 2027 && civ_table_number(py, 2, yn) == 4400 &&
                civ_table_number(py, 2, yc) == 1);
    assert_string_equal(civ_table_text(py, 3, ys), "total");
    assert_true(civ_table_number(py, 3, yn) == 87400 && civ_table_number(py, 3, yd) == 108.75);
    civ_table_free(pc), civ_table_free(py);
    /* one output only */
    assert_int_equal(civ_alloc_need_project(n, fc, NULL, &py), CIV_OK);
    civ_table_free(py);
    civ_alloc_need_free(n);
    civ_table_free(fc);
}

/* 8 fen per meal; demands 0.0625, 0.1875, 0.3125 (exact in binary) give
 * 0.5, 1.5, 2.5 fen: each rounds half away from zero to 1, 2, 3, and the
 * year's total is their sum, 6, not round(4.5) = 5. */
static void test_half_fen_rounding(void **state)
{
    (void)state;
    const frow rows[] = {
        {"x", "2025", NULL, 0.0625}, {"y", "2025", NULL, 0.1875}, {"z", "2025", NULL, 0.3125}};
    civ_table *fc = forecasts(rows, 3);
    civ_alloc_need *n = need_of("[need]\nstandard_per_meal = 0.08\nbase_year = 2025\n");
    civ_table *pc = NULL, *py = NULL;
    assert_int_equal(civ_alloc_need_project(n, fc, &pc, &py), CIV_OK);
    size_t cn;
    assert_int_equal(civ_table_find_column(pc, "need_fen", &cn), CIV_OK);
    assert_true(civ_table_number(pc, 0, cn) == 1 && civ_table_number(pc, 1, cn) == 2 &&
                civ_table_number(pc, 2, cn) == 3);
    assert_int_equal(civ_table_find_column(py, "need_fen", &cn), CIV_OK);
    assert_true(civ_table_number(py, 0, cn) == 6 && civ_table_number(py, 1, cn) == 6);
    civ_table_free(pc), civ_table_free(py);
    civ_alloc_need_free(n);
    civ_table_free(fc);
}

static void test_models_and_days(void **state)
{
    (void)state;
    /* quarter-end day dates over two years, two models: model = picks one */
    const frow rows[] = {{"a", "2025-03-31", "M1", 1},   {"a", "2025-06-30", "M1", 0},  {"a", "2025-09-30", "M1", 0},
                         {"a", "2025-12-31", "M1", 0},   {"a", "2026-03-31", "M1", 2},  {"a", "2026-06-30", "M1", 0},
                         {"a", "2026-09-30", "M1", 0},   {"a", "2026-12-31", "M1", 0},  {"a", "2025-03-31", "M2", 4},
                         {"a", "2025-06-30", "M2", 2},   {"a", "2025-09-30", "M2", 2},  {"a", "2025-12-31", "M2", 2},
                         {"a", "2026-03-31", "M2", 5},   {"a", "2026-06-30", "M2", 5},  {"a", "2026-09-30", "M2", 5},
                         {"a", "2026-12-31", "M2", 5}};
    civ_table *fc = forecasts(rows, 16);
    civ_alloc_need *n = need_of("[need]\nstandard_per_meal = 1.00\nbase_year = 2025\nyears = 2\n");
    civ_table *py = NULL;
    assert_int_equal(civ_alloc_need_project(n, fc, NULL, &py), CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error()->message, "several forecasts"));
    civ_alloc_need_free(n);
    n = need_of("[need]\nstandard_per_meal = 1.00\nbase_year = 2025\nyears = 2\nmodel = \"M2\"\n");
    assert_int_equal(civ_alloc_need_project(n, fc, NULL, &py), CIV_OK);
    size_t cn;
    assert_int_equal(civ_table_find_column(py, "need_fen", &cn), CIV_OK);
    assert_true(civ_table_number(py, 0, cn) == 1000 && civ_table_number(py, 1, cn) == 2000);
    civ_table_free(py);
    civ_alloc_need_free(n);
    civ_table_free(fc);
}

static void test_errors(void **state)
{
    (void)state;
    assert_int_equal(need_err("[budget]\ntotal = 1\n"), CIV_ERR_NOT_FOUND);
    assert_int_equal(need_err("[need]\nstandard_per_meal = 8.00\nbase_year = 2025\ncolour = 1\n"), CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error()->text, "n.toml:4:1"));
    assert_non_null(strstr(civ_last_error()->message, "colour"));
    assert_int_equal(need_err("[need]\nstandard_per_meal = 8.00\n"), CIV_ERR_SPEC); /* base_year */
    assert_int_equal(need_err("[need]\nstandard_per_meal = 8.001\nbase_year = 2025\n"), CIV_ERR_SPEC);
    assert_int_equal(need_err("[need]\nstandard_per_meal = 8\nindex_rate = 1e-1\nbase_year = 2025\n"), CIV_ERR_SPEC);
    assert_int_equal(need_err("[need]\nstandard_per_meal = 8\nindex_rate = -0.1\nbase_year = 2025\n"), CIV_ERR_SPEC);
    assert_int_equal(need_err("[need]\nstandard_per_meal = 8\nbase_year = 2025\nfirst_year = 2024\n"), CIV_ERR_SPEC);
    assert_int_equal(need_err("[need]\nstandard_per_meal = 8\nbase_year = 2025\nyears = 0\n"), CIV_ERR_SPEC);
    assert_int_equal(need_err("[need]\nstandard_per_meal = 0\nbase_year = 2025\n"), CIV_ERR_SPEC);
    assert_int_equal(need_err("[need]\nstandard_per_meal = 8\nbase_year = 2025\nif_missing = \"skip\"\n"),
                     CIV_ERR_SPEC);
    assert_int_equal(need_err("[need\n"), CIV_ERR_SPEC);
    /* an index rate of 1 or more written as a plain number: a percentage written for a fraction, refused at
     * its line and column with what it would do and the cure; with its percent sign it is meant */
    assert_int_equal(need_err("[need]\nstandard_per_meal = 8.00\nindex_rate = 3\nbase_year = 2025\n"), CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error()->text, "n.toml:3:14: [need] index_rate: 3 would raise the standard by "
                                                   "300% at every indexation step (standard_per_meal 8.00 would "
                                                   "become 32.00 at the first step): a percentage? write 0.03 for "
                                                   "3%; a rate of 100% or more is written with its percent sign, "
                                                   "index_rate = \"300%\""));
    assert_string_equal(civ_last_error()->field, "index_rate");
    assert_int_equal(need_err("[need]\nstandard_per_meal = 8\nindex_rate = 1\nbase_year = 2025\n"), CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error()->message, "write 0.01 for 1%"));
    assert_int_equal(need_err("[need]\nstandard_per_meal = 8\nindex_rate = \"2.5\"\nbase_year = 2025\n"),
                     CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error()->message, "write 0.025 for 2.5%"));
    assert_int_equal(need_err("[need]\nstandard_per_meal = 8\nindex_rate = 150\nbase_year = 2025\n"), CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error()->message, "a percentage? write index_rate = \"150%\""));
    assert_int_equal(need_err("[need]\nstandard_per_meal = 8\nindex_rate = \"1001%\"\nbase_year = 2025\n"),
                     CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error()->message, "at most \"1000%\""));
    assert_int_equal(need_err("[need]\nstandard_per_meal = 8\nindex_rate = \"5 %\"\nbase_year = 2025\n"),
                     CIV_ERR_SPEC);
    assert_int_equal(need_err("[need]\nstandard_per_meal = 8\nindex_rate = \"%\"\nbase_year = 2025\n"), CIV_ERR_SPEC);
    {
        /* "10%" is 0.10 exactly, "300%" triples the standard's step: 8.00 -> 32.00 */
        civ_alloc_need *a = need_of("[need]\nstandard_per_meal = 8.00\nindex_rate = \"10%\"\nbase_year = 2025\n"
                                    "years = 3\n");
        civ_alloc_need *b = need_of("[need]\nstandard_per_meal = 8.00\nindex_rate = 0.10\nbase_year = 2025\n"
                                    "years = 3\n");
        civ_alloc_need *c = need_of("[need]\nstandard_per_meal = 8.00\nindex_rate = \"300%\"\nbase_year = 2025\n"
                                    "years = 3\n");
        for (long y = 2025; y <= 2027; y++)
            assert_int_equal(civ_alloc_need_standard(a, y), civ_alloc_need_standard(b, y));
        assert_int_equal(civ_alloc_need_standard(a, 2027), 968);
        assert_int_equal(civ_alloc_need_standard(c, 2026), 3200);
        assert_int_equal(civ_alloc_need_standard(c, 2027), 12800);
        civ_alloc_need_free(a), civ_alloc_need_free(b), civ_alloc_need_free(c);
    }
    civ_alloc_need *n = NULL;
    assert_int_equal(civ_alloc_need_read("/nonexistent/need.toml", &n), CIV_ERR_IO);

    /* data errors */
    n = need_of(NEED);
    const frow short_rows[] = {{"a", "2025", NULL, 1}, {"a", "2026", NULL, 1}};
    civ_table *fc = forecasts(short_rows, 2), *pc = NULL;
    assert_int_equal(civ_alloc_need_project(n, fc, &pc, NULL), CIV_ERR_NOT_FOUND); /* no 2027 */
    assert_non_null(strstr(civ_last_error()->message, "2027"));
    assert_null(pc);
    civ_table_free(fc);
    const frow neg[] = {{"a", "2025-01", NULL, -1}};
    fc = forecasts(neg, 1);
    assert_int_equal(civ_alloc_need_project(n, fc, &pc, NULL), CIV_ERR_DOMAIN);
    assert_string_equal(civ_last_error()->series_id, "a");
    civ_table_free(fc);
    const frow missing[] = {{"a", "2025", NULL, NAN}};
    fc = forecasts(missing, 1);
    assert_int_equal(civ_alloc_need_project(n, fc, &pc, NULL), CIV_ERR_DOMAIN);
    civ_alloc_need_free(n);
    n = need_of("[need]\nstandard_per_meal = 8\nbase_year = 2025\nif_missing = \"zero\"\n");
    assert_int_equal(civ_alloc_need_project(n, fc, &pc, NULL), CIV_OK);
    civ_table_free(pc);
    civ_table_free(fc);
    const frow baddate[] = {{"a", "2025-13", NULL, 1}};
    fc = forecasts(baddate, 1);
    assert_int_equal(civ_alloc_need_project(n, fc, &pc, NULL), CIV_ERR_DATE);
    civ_table_free(fc);
    civ_alloc_need_free(n);
    civ_alloc_need_free(NULL);
}

/* A year the forecasts leave or enter part-way is an error, not a fraction of
 * its need (a 30-month horizon gave half of 2027's need, with exit 0). */
static void test_whole_years(void **state)
{
    (void)state;
    frow rows[30];
    char ds[30][16];
    for (int k = 0; k < 30; k++) { /* 2025-01 .. 2027-06 */
        snprintf(ds[k], sizeof ds[k], "%d-%02d", 2025 + k / 12, k % 12 + 1);
        rows[k] = (frow){"a", ds[k], NULL, 1};
    }
    civ_table *fc = forecasts(rows, 30), *py = NULL;
    civ_alloc_need *n = need_of(NEED); /* 2025..2027 */
    assert_int_equal(civ_alloc_need_project(n, fc, NULL, &py), CIV_ERR_NOT_FOUND);
    assert_non_null(strstr(civ_last_error()->message, "community 'a' has forecasts for 6 of the 12 periods of 2027 "
                                                      "(2027-01..2027-06), and a year's need sums the whole year: "
                                                      "forecast further ahead, through 2027-12"));
    assert_string_equal(civ_last_error()->series_id, "a");
    civ_alloc_need_free(n);
    /* two years are whole: fine */
    n = need_of("[need]\nstandard_per_meal = 1.00\nbase_year = 2025\nyears = 2\n");
    assert_int_equal(civ_alloc_need_project(n, fc, NULL, &py), CIV_OK);
    size_t cn;
    assert_int_equal(civ_table_find_column(py, "need_fen", &cn), CIV_OK);
    assert_true(civ_table_number(py, 0, cn) == 1200 && civ_table_number(py, 1, cn) == 1200);
    civ_table_free(py);
    civ_alloc_need_free(n);
    civ_table_free(fc);
    /* the forecasts start inside the first year: its first months are history */
    fc = forecasts(rows + 3, 21); /* 2025-04 .. 2026-12 */
    n = need_of("[need]\nstandard_per_meal = 1.00\nbase_year = 2025\nyears = 2\n");
    assert_int_equal(civ_alloc_need_project(n, fc, NULL, &py), CIV_ERR_NOT_FOUND);
    assert_non_null(strstr(civ_last_error()->message, "9 of the 12 periods of 2025 (2025-04..2025-12)"));
    assert_non_null(strstr(civ_last_error()->message, "[need] first_year = 2026"));
    civ_alloc_need_free(n);
    civ_table_free(fc);
    /* weekly dates (Sundays): 2025 has 52 of them, all needed */
    frow weeks[60];
    char wd[60][16];
    for (int k = 0; k < 60; k++) { /* Sundays from 2025-01-05 */
        int64_t day = civ_days_from_civil(2025, 1, 5) + 7 * k, y;
        unsigned mo, d;
        civ_civil_from_days(day, &y, &mo, &d);
        snprintf(wd[k], sizeof wd[k], "%04d-%02u-%02u", (int)y, mo, d);
        weeks[k] = (frow){"w", wd[k], NULL, 1};
    }
    n = need_of("[need]\nstandard_per_meal = 1.00\nbase_year = 2025\n");
    fc = forecasts(weeks, 60);
    assert_int_equal(civ_alloc_need_project(n, fc, NULL, &py), CIV_OK);
    assert_true(civ_table_number(py, 0, cn) == 5200);
    civ_table_free(py);
    civ_table_free(fc);
    fc = forecasts(weeks, 51); /* to 2025-12-21: the week of 2025-12-28 is missing */
    assert_int_equal(civ_alloc_need_project(n, fc, NULL, &py), CIV_ERR_NOT_FOUND);
    assert_non_null(strstr(civ_last_error()->message, "51 of the 52 periods of 2025"));
    civ_table_free(fc);
    civ_alloc_need_free(n);
}

/* An allocation spec may carry [need]: the spec reader accepts the section
 * and leaves it to civ_alloc_need. */
/* Forecasts whose unique_id is a number column (codes 310101001 read as numbers, a DataFrame's int64
 * ids passed as they are): the error names the column and the cure; it said the forecasts needed
 * columns unique_id and ds, which they had.  An empty table of text ids is no such case. */
static void test_numeric_ids(void **state)
{
    (void)state;
    civ_alloc_need *n = need_of(NEED);
    civ_table *fc = NULL, *a = NULL, *b = NULL;
    size_t ci, cd, cv;
    assert_int_equal(civ_table_create(&fc), CIV_OK);
    assert_int_equal(civ_table_add_column(fc, "unique_id", CIV_COLUMN_NUMBER, &ci), CIV_OK);
    assert_int_equal(civ_table_add_column(fc, "ds", CIV_COLUMN_TEXT, &cd), CIV_OK);
    assert_int_equal(civ_table_add_column(fc, "mean", CIV_COLUMN_NUMBER, &cv), CIV_OK);
    assert_int_equal(civ_table_add_rows(fc, 1, NULL), CIV_OK);
    assert_int_equal(civ_table_set_number(fc, 0, ci, 310101001), CIV_OK);
    assert_int_equal(civ_table_set_text(fc, 0, cd, "2025-01"), CIV_OK);
    assert_int_equal(civ_alloc_need_project(n, fc, &a, &b), CIV_ERR_MISSING_COLUMN);
    assert_string_equal(civ_last_error()->field, "unique_id");
    assert_non_null(strstr(civ_last_error()->message, "unique_id column holds numbers"));
    assert_non_null(strstr(civ_last_error()->message, "text_columns"));
    assert_null(a);
    civ_table_free(fc);
    civ_alloc_need_free(n);
}

static void test_spec_with_need(void **state)
{
    (void)state;
    const char *text = "version = \"v\"\n[budget]\ntotal = 100.00\nfiscal_year = 2026\n"
                       "[[pool]]\nname = \"p\"\nshare = 1.0\n"
                       "[[factor]]\nname = \"pop\"\nattribute = \"pop\"\nweight = 1.0\n"
                       "[need]\nstandard_per_meal = 8.00\nbase_year = 2026\n";
    civ_alloc_spec *s = NULL;
    assert_int_equal(civ_alloc_spec_parse(text, strlen(text), "s.spec", &s), CIV_OK);
    civ_alloc_spec_free(s);
    civ_alloc_need *n = need_of(text);
    assert_int_equal(civ_alloc_need_standard(n, 2026), 800);
    civ_alloc_need_free(n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_indexation),      cmocka_unit_test(test_projection),
        cmocka_unit_test(test_half_fen_rounding), cmocka_unit_test(test_models_and_days),
        cmocka_unit_test(test_errors),          cmocka_unit_test(test_spec_with_need),
        cmocka_unit_test(test_whole_years),     cmocka_unit_test(test_numeric_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
