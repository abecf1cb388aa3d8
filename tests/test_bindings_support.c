/*
 * test_bindings_support.c -- engine/src/core/bindings_support.c: the bulk number
 * setter of tables, the many-series panel setters, and the block seed that lets a partition of a panel
 * reproduce the whole panel's simulated intervals bit for bit (the Dask
 * helpers of the Python package rely on it).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "civicast.h"
#include "forecast.h"

static void test_set_numbers(void **state)
{
    (void)state;
    civ_table *t = NULL;
    size_t num = 0, txt = 0;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "x", CIV_COLUMN_NUMBER, &num), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "name", CIV_COLUMN_TEXT, &txt), CIV_OK);
    assert_int_equal(civ_table_add_rows(t, 5, NULL), CIV_OK);
    const double v[3] = {1.5, NAN, -2.0};
    assert_int_equal(civ_table_set_numbers(t, num, 2, v, 3), CIV_OK);
    assert_true(isnan(civ_table_number(t, 0, num)));
    assert_true(civ_table_number(t, 2, num) == 1.5);
    assert_true(isnan(civ_table_number(t, 3, num)));
    assert_true(civ_table_number(t, 4, num) == -2.0);
    /* out of range, text column, NULL values: errors, nothing written */
    assert_int_equal(civ_table_set_numbers(t, num, 3, v, 3), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_table_set_numbers(t, txt, 0, v, 3), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_table_set_numbers(t, 7, 0, v, 3), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_table_set_numbers(t, num, 0, NULL, 2), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_last_error()->status, CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_table_set_numbers(t, num, 5, NULL, 0), CIV_OK);
    assert_true(civ_table_number(t, 0, num) != civ_table_number(t, 0, num)); /* still NaN */
    civ_table_free(t);
}

static void test_add_series_many(void **state)
{
    (void)state;
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    const char *ids[3] = {"a", "b", "c"};
    const int64_t starts[3] = {24240, 24250, 24241};
    const double values[7] = {1, 2, 3, 10, 20, 30, 40};
    const int64_t offsets[3] = {0, 3, 7}, lengths[3] = {3, 4, 0};
    assert_int_equal(civ_panel_add_series_many(p, 3, ids, starts, values, offsets, lengths), CIV_OK);
    assert_int_equal(civ_panel_n_series(p), 3);
    const double *v = NULL;
    size_t n = 0;
    int64_t start = 0;
    assert_int_equal(civ_panel_series(p, 1, &v, &n, &start), CIV_OK);
    assert_int_equal(n, 4);
    assert_int_equal(start, 24250);
    assert_true(v[0] == 10 && v[3] == 40);
    assert_int_equal(civ_panel_series(p, 2, &v, &n, &start), CIV_OK);
    assert_int_equal(n, 0);
    /* covariates: series 0 gets 5 values (2 future), series 1 none */
    size_t k = 0;
    assert_int_equal(civ_panel_add_covariate(p, "x", &k), CIV_OK);
    const double cov[5] = {0.5, 0.6, 0.7, 0.8, 0.9};
    const int64_t coffs[2] = {0, 5}, clens[2] = {5, 0};
    assert_int_equal(civ_panel_set_covariate_many(p, k, 2, cov, coffs, clens), CIV_OK);
    assert_int_equal(civ_panel_covariate(p, 0, k, &v, &n), CIV_OK);
    assert_int_equal(n, 5);
    assert_true(v[4] == 0.9);
    assert_int_equal(civ_panel_covariate(p, 1, k, &v, &n), CIV_OK);
    assert_int_equal(n, 0);
    assert_int_equal(civ_panel_set_covariate_many(p, k, 4, cov, coffs, clens), CIV_ERR_INVALID_ARGUMENT);
    /* a duplicate id stops the batch with the panel's own error */
    const char *dup[2] = {"d", "a"};
    assert_int_equal(civ_panel_add_series_many(p, 2, dup, starts, values, offsets, lengths), CIV_ERR_DUPLICATE);
    assert_int_equal(civ_panel_n_series(p), 4);
    assert_string_equal(civ_last_error()->series_id, "a");
    const int64_t bad[1] = {-1};
    assert_int_equal(civ_panel_add_series_many(p, 1, ids, starts, values, bad, lengths), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_panel_add_series_many(p, 1, NULL, starts, values, offsets, lengths), CIV_ERR_INVALID_ARGUMENT);
    civ_panel_free(p);
}

/* Ids that differ only by spaces or tabs around one of them ('C001 ' and 'C001', a cell Excel kept with a
 * trailing space) are one community split in two: refused with the CSV reader's message (they were two
 * series from a frame, silently, while the same CSV was refused); ' C 1 ' inside spaces stays apart from
 * 'C1', and an id of spaces alone is no twin. */
static void test_add_series_many_spaced_ids(void **state)
{
    (void)state;
    const int64_t starts[3] = {24240, 24240, 24240};
    const double values[3] = {1, 2, 3};
    const int64_t offsets[3] = {0, 1, 2}, lengths[3] = {1, 1, 1};
    const char *sets[3][3] = {{"C001", "C002", "C001 "}, {"\tC002", "C001", "C002"}, {"C 1", " ", "C1"}};
    const char *named[2][2] = {{"C001 ", "C001"}, {"\tC002", "C002"}};
    for (int k = 0; k < 3; k++) {
        civ_panel *p = NULL;
        assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
        civ_status s = civ_panel_add_series_many(p, 3, sets[k], starts, values, offsets, lengths);
        if (k == 2) {
            assert_int_equal(s, CIV_OK);
            civ_panel_free(p);
            continue;
        }
        assert_int_equal(s, CIV_ERR_DUPLICATE);
        char want[200];
        snprintf(want, sizeof want, "series '%s' and '%s' differ only by spaces around the id: one community "
                 "split in two; delete the spaces (in Excel, =TRIM() or Find and Replace)", named[k][0], named[k][1]);
        assert_string_equal(civ_last_error()->message, want);
        assert_string_equal(civ_last_error()->series_id, named[k][0]);
        assert_string_equal(civ_last_error()->field, "unique_id");
        assert_string_equal(civ_last_error()->file, "");
        civ_panel_free(p);
    }
}

/* Positive monthly series; ETS(M,M,N) (multiplicative trend) has no analytic
 * intervals (ets.c ets_class 0), so it draws sample paths from the
 * per-series generator. */
static civ_panel *make_panel(size_t from, size_t to)
{
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    double y[60];
    for (size_t s = from; s < to; s++) {
        for (size_t t = 0; t < 60; t++)
            y[t] = (100.0 + 7.0 * (double)s) * (1.0 + 0.3 * sin(0.5236 * (double)t + (double)s)) *
                   (1.0 + 0.05 * cos(2.1 * (double)(t * (s + 3))));
        char id[32];
        snprintf(id, sizeof id, "s%02zu", s);
        assert_int_equal(civ_panel_add_series(p, id, 12 * 2020, y, 60, NULL), CIV_OK);
    }
    return p;
}

static civ_forecast_result *run(const civ_panel *p, uint64_t seed)
{
    civ_forecast_options opt;
    assert_int_equal(civ_forecast_options_init(&opt), CIV_OK);
    opt.model = "ETS(M,M,N)";
    opt.horizon = 6;
    opt.seed = seed;
    opt.n_paths = 500;
    opt.threads = 1;
    civ_forecast_result *r = NULL;
    assert_int_equal(civ_forecast_panel(p, &opt, &r), CIV_OK);
    assert_int_equal(civ_forecast_result_n_failed(r), 0);
    return r;
}

static void test_partition_equals_whole(void **state)
{
    (void)state;
    enum { N = 8, FIRST = 5, H = 6 };
    civ_panel *whole = make_panel(0, N), *block = make_panel(FIRST, N);
    civ_forecast_result *rw = run(whole, 42), *rb = run(block, 42);
    civ_forecast_result *other = run(block, 43);
    const double *lw = civ_forecast_result_lower(rw, 0), *lb = civ_forecast_result_lower(rb, 0);
    const double *ln = civ_forecast_result_lower(other, 0);
    int differs = 0;
    for (size_t i = 0; i < N - FIRST; i++)
        for (size_t k = 0; k < H; k++) {
            assert_memory_equal(&lw[(FIRST + i) * H + k], &lb[i * H + k], sizeof(double));
            differs |= memcmp(&lw[(FIRST + i) * H + k], &ln[i * H + k], sizeof(double)) != 0;
        }
    /* another seed draws other paths: the intervals really are simulated */
    assert_true(differs);
    civ_forecast_result_free(rw);
    civ_forecast_result_free(rb);
    civ_forecast_result_free(other);
    civ_panel_free(whole);
    civ_panel_free(block);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_numbers),
        cmocka_unit_test(test_add_series_many),
        cmocka_unit_test(test_add_series_many_spaced_ids),
        cmocka_unit_test(test_partition_equals_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
