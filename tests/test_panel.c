/*
 * test_panel.c -- unit tests of engine/src/core/panel.c: series storage (CSR
 * layout), id lookups, covariates with future values, attributes and
 * summaries, prefix panels (backtest windows) and every documented error.
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
#include "panel.h"

static void test_create_and_free(void **state)
{
    (void)state;
    civ_panel *p = (civ_panel *)0x1;
    assert_int_equal(civ_panel_create(CIV_FREQ_UNKNOWN, &p), CIV_ERR_INVALID_ARGUMENT);
    assert_null(p);
    assert_int_equal(civ_panel_create((civ_frequency)9, &p), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, NULL), CIV_ERR_INVALID_ARGUMENT);
    civ_panel_free(NULL);
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    assert_int_equal(civ_panel_frequency(p), CIV_FREQ_MONTHLY);
    assert_int_equal(civ_panel_n_series(p), 0);
    const double *v;
    const size_t *off;
    assert_int_equal(civ_panel_values(p, &v, &off), CIV_OK);
    assert_int_equal(off[0], 0);
    /* the phase only means something for weekly panels */
    assert_int_equal(civ_panel_set_phase(p, 3), CIV_OK);
    assert_int_equal(civ_panel_phase(p), 0);
    assert_int_equal(civ_panel_set_phase(p, 7), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_panel_set_phase(p, -1), CIV_ERR_INVALID_ARGUMENT);
    civ_panel_free(p);
    assert_int_equal(civ_panel_create(CIV_FREQ_WEEKLY, &p), CIV_OK);
    assert_int_equal(civ_panel_set_phase(p, 6), CIV_OK);
    assert_int_equal(civ_panel_phase(p), 6);
    civ_panel_free(p);
    assert_int_equal(civ_panel_frequency(NULL), CIV_FREQ_UNKNOWN);
    assert_int_equal(civ_panel_n_series(NULL), 0);
}

static void test_series(void **state)
{
    (void)state;
    civ_panel *p;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    /* enough series and values to make every array grow several times */
    double buf[300];
    for (size_t i = 0; i < 1000; i++) {
        char id[32];
        snprintf(id, sizeof id, "社区-%zu", i);
        size_t n = i % 300;
        for (size_t t = 0; t < n; t++)
            buf[t] = t % 17 == 5 ? NAN : (double)(i * 1000 + t);
        size_t index;
        assert_int_equal(civ_panel_add_series(p, id, (int64_t)(24000 + i % 13), buf, n, &index), CIV_OK);
        assert_int_equal(index, i);
    }
    assert_int_equal(civ_panel_n_series(p), 1000);
    const double *all;
    const size_t *off;
    civ_panel_values(p, &all, &off);
    size_t expected_total = 0;
    for (size_t i = 0; i < 1000; i++) {
        char id[32];
        snprintf(id, sizeof id, "社区-%zu", i);
        size_t j;
        assert_int_equal(civ_panel_find_series(p, id, &j), CIV_OK);
        assert_int_equal(j, i);
        assert_string_equal(civ_panel_series_id(p, i), id);
        const double *v;
        size_t n;
        int64_t start;
        assert_int_equal(civ_panel_series(p, i, &v, &n, &start), CIV_OK);
        size_t want_n = i % 300; /* trailing NaN are dropped: a series ends at its last value */
        while (want_n && (want_n - 1) % 17 == 5)
            want_n--;
        assert_int_equal(n, want_n);
        assert_int_equal(start, 24000 + i % 13);
        assert_ptr_equal(v, all + off[i]);
        assert_int_equal(off[i + 1] - off[i], n);
        for (size_t t = 0; t < n; t++)
            assert_true(t % 17 == 5 ? isnan(v[t]) : v[t] == (double)(i * 1000 + t));
        expected_total += n;
    }
    assert_int_equal(off[1000], expected_total);
    /* any output pointer may be NULL */
    assert_int_equal(civ_panel_series(p, 5, NULL, NULL, NULL), CIV_OK);
    assert_null(civ_panel_series_id(p, 1000));
    civ_panel_summary sum;
    assert_int_equal(civ_panel_summarize(p, &sum), CIV_OK);
    assert_int_equal(sum.n_series, 1000);
    assert_int_equal(sum.n_values, expected_total);
    assert_int_equal(sum.min_length, 0);
    assert_int_equal(sum.max_length, 299);
    assert_int_equal(sum.first_period, 24000);
    size_t missing = 0;
    for (size_t v = 0; v < expected_total; v++)
        missing += isnan(all[v]) != 0;
    assert_int_equal(sum.n_missing, missing);
    civ_panel_free(p);
}

static void test_series_errors(void **state)
{
    (void)state;
    civ_panel *p;
    assert_int_equal(civ_panel_create(CIV_FREQ_DAILY, &p), CIV_OK);
    double v[3] = {1, 2, 3};
    assert_int_equal(civ_panel_add_series(p, "a", 0, v, 3, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "a", 5, v, 1, NULL), CIV_ERR_DUPLICATE);
    assert_string_equal(civ_last_error()->series_id, "a");
    assert_int_equal(civ_panel_add_series(p, "", 0, v, 1, NULL), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_panel_add_series(p, NULL, 0, v, 1, NULL), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_panel_add_series(p, "b", 0, NULL, 2, NULL), CIV_ERR_INVALID_ARGUMENT);
    v[1] = -INFINITY;
    assert_int_equal(civ_panel_add_series(p, "c", 0, v, 3, NULL), CIV_ERR_DOMAIN);
    v[1] = 1e200; /* past CIV_VALUE_LIMIT: a typo, not a count */
    assert_int_equal(civ_panel_add_series(p, "c", 0, v, 3, NULL), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error()->message, "value 2 (1e+200) is beyond 1e+15 in magnitude"));
    {
        civ_panel *q = NULL;
        double edge[2] = {-CIV_VALUE_LIMIT, CIV_VALUE_LIMIT};
        assert_int_equal(civ_panel_create(CIV_FREQ_DAILY, &q), CIV_OK);
        assert_int_equal(civ_panel_add_series(q, "edge", 0, edge, 2, NULL), CIV_OK); /* the limit itself is read */
        civ_panel_free(q);
    }
    v[1] = 2;
    assert_int_equal(civ_panel_n_series(p), 1); /* failed adds leave nothing behind */
    assert_int_equal(civ_panel_add_series(p, "empty", 9, NULL, 0, NULL), CIV_OK);
    size_t i;
    assert_int_equal(civ_panel_find_series(p, "zzz", &i), CIV_ERR_NOT_FOUND);
    assert_string_equal(civ_last_error()->series_id, "zzz");
    assert_int_equal(civ_panel_series(p, 2, NULL, NULL, NULL), CIV_ERR_INVALID_ARGUMENT);
    civ_panel_free(p);
}

static void test_covariates(void **state)
{
    (void)state;
    civ_panel *p;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    size_t k0, k1;
    /* a covariate added before any series must follow the series arrays as they grow */
    assert_int_equal(civ_panel_add_covariate(p, "aged60", &k0), CIV_OK);
    double y[4] = {1, 2, 3, 4};
    for (int i = 0; i < 40; i++) {
        char id[16];
        snprintf(id, sizeof id, "s%d", i);
        assert_int_equal(civ_panel_add_series(p, id, 100, y, 4, NULL), CIV_OK);
    }
    assert_int_equal(civ_panel_add_covariate(p, "migrants", &k1), CIV_OK);
    assert_int_equal(k1, 1);
    assert_int_equal(civ_panel_n_covariates(p), 2);
    assert_string_equal(civ_panel_covariate_name(p, 1), "migrants");
    assert_null(civ_panel_covariate_name(p, 2));
    size_t k;
    assert_int_equal(civ_panel_find_covariate(p, "migrants", &k), CIV_OK);
    assert_int_equal(k, 1);
    assert_int_equal(civ_panel_find_covariate(p, "nope", &k), CIV_ERR_NOT_FOUND);
    assert_int_equal(civ_panel_add_covariate(p, "aged60", NULL), CIV_ERR_DUPLICATE);
    assert_int_equal(civ_panel_add_covariate(p, "y", NULL), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_panel_add_covariate(p, "ds", NULL), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_panel_add_covariate(p, "unique_id", NULL), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_panel_add_covariate(p, "", NULL), CIV_ERR_INVALID_ARGUMENT);
    /* never set: length 0 */
    const double *c;
    size_t len = 99;
    assert_int_equal(civ_panel_covariate(p, 39, k0, &c, &len), CIV_OK);
    assert_int_equal(len, 0);
    /* future values: longer than the series */
    double cov[6] = {10, 11, NAN, 13, 14, 15};
    assert_int_equal(civ_panel_set_covariate(p, 39, k0, cov, 6), CIV_OK);
    cov[0] = 99; /* copied on input */
    assert_int_equal(civ_panel_covariate(p, 39, k0, &c, &len), CIV_OK);
    assert_int_equal(len, 6);
    assert_true(c[0] == 10 && isnan(c[2]) && c[5] == 15);
    assert_int_equal(civ_panel_set_covariate(p, 0, k1, cov, 4), CIV_OK);
    /* replacing and clearing */
    assert_int_equal(civ_panel_set_covariate(p, 0, k1, NULL, 0), CIV_OK);
    assert_int_equal(civ_panel_covariate(p, 0, k1, &c, &len), CIV_OK);
    assert_int_equal(len, 0);
    cov[1] = INFINITY;
    assert_int_equal(civ_panel_set_covariate(p, 1, k1, cov, 3), CIV_ERR_DOMAIN);
    assert_string_equal(civ_last_error()->field, "migrants");
    assert_int_equal(civ_panel_set_covariate(p, 40, k1, cov, 1), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_panel_set_covariate(p, 1, 2, cov, 1), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_panel_set_covariate(p, 1, k1, NULL, 1), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_panel_covariate(p, 1, 2, &c, &len), CIV_ERR_INVALID_ARGUMENT);
    civ_panel_summary sum;
    assert_int_equal(civ_panel_summarize(p, &sum), CIV_OK);
    assert_int_equal(sum.n_covariates, 2);
    assert_int_equal(sum.n_future, 1);
    civ_panel_free(p);
}

static civ_table *attribute_table(const char *key_name, const char *const *ids, size_t n)
{
    civ_table *t;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    size_t key, hh;
    assert_int_equal(civ_table_add_column(t, key_name, CIV_COLUMN_TEXT, &key), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "households", CIV_COLUMN_NUMBER, &hh), CIV_OK);
    assert_int_equal(civ_table_add_rows(t, n, NULL), CIV_OK);
    for (size_t r = 0; r < n; r++) {
        assert_int_equal(civ_table_set_text(t, r, key, ids[r]), CIV_OK);
        assert_int_equal(civ_table_set_number(t, r, hh, 100.0 + (double)r), CIV_OK);
    }
    return t;
}

static void test_attributes(void **state)
{
    (void)state;
    civ_panel *p;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    double y[2] = {1, 2};
    assert_int_equal(civ_panel_add_series(p, "A", 0, y, 2, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "B", 0, y, 2, NULL), CIV_OK);
    assert_null(civ_panel_attributes(p));

    const char *bad_key[] = {"A", "B"};
    civ_table *t = attribute_table("id", bad_key, 2);
    assert_int_equal(civ_panel_set_attributes(p, t), CIV_ERR_MISSING_COLUMN);
    civ_table_free(t); /* the caller keeps it on failure */

    const char *dup[] = {"A", "B", "A"};
    t = attribute_table("unique_id", dup, 3);
    assert_int_equal(civ_panel_set_attributes(p, t), CIV_ERR_DUPLICATE);
    assert_string_equal(civ_last_error()->series_id, "A");
    civ_table_free(t);

    civ_table *numeric;
    assert_int_equal(civ_table_create(&numeric), CIV_OK);
    assert_int_equal(civ_table_add_column(numeric, "unique_id", CIV_COLUMN_NUMBER, NULL), CIV_OK);
    assert_int_equal(civ_panel_set_attributes(p, numeric), CIV_ERR_SCHEMA);
    civ_table_free(numeric);

    /* rows for ids without a series are allowed */
    const char *ids[] = {"B", "C", "A"};
    t = attribute_table("unique_id", ids, 3);
    assert_int_equal(civ_panel_set_attributes(p, t), CIV_OK);
    assert_ptr_equal(civ_panel_attributes(p), t);
    size_t key, row;
    assert_int_equal(civ_table_find_column(t, "unique_id", &key), CIV_OK);
    assert_int_equal(civ_table_lookup(t, key, "A", &row), CIV_OK);
    assert_int_equal(row, 2);
    /* a second table replaces (and frees) the first */
    civ_table *t2 = attribute_table("unique_id", ids, 2);
    assert_int_equal(civ_panel_set_attributes(p, t2), CIV_OK);
    civ_panel_summary sum;
    assert_int_equal(civ_panel_summarize(p, &sum), CIV_OK);
    assert_int_equal(sum.n_attributes, 1);
    assert_int_equal(sum.n_attribute_rows, 2);
    assert_int_equal(civ_panel_set_attributes(p, NULL), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_panel_summarize(NULL, &sum), CIV_ERR_INVALID_ARGUMENT);
    civ_panel_free(p); /* frees t2 */
}

/* civ_panel_prefixes: the first lengths[i] values (capped at the series'
 * length; 0 an empty series), trailing NaN kept, ids, starts, frequency and
 * phase as the source. */
static void test_prefixes(void **state)
{
    (void)state;
    civ_panel *p = NULL, *q = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_WEEKLY, &p), CIV_OK);
    assert_int_equal(civ_panel_set_phase(p, 3), CIV_OK);
    const double a[] = {1, 2, NAN, 4, 5}, b[] = {7, 8};
    assert_int_equal(civ_panel_add_series(p, "a", 100, a, 5, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "b", 90, b, 2, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "c", 80, b, 1, NULL), CIV_OK);
    const size_t len[] = {3, 9, 0};
    assert_int_equal(civ_panel_prefixes(p, len, &q), CIV_OK);
    assert_int_equal(civ_panel_n_series(q), 3);
    assert_int_equal(civ_panel_frequency(q), CIV_FREQ_WEEKLY);
    assert_int_equal(civ_panel_phase(q), 3);
    const double *y;
    size_t n, i;
    int64_t start;
    assert_int_equal(civ_panel_series(q, 0, &y, &n, &start), CIV_OK);
    assert_int_equal(n, 3); /* the trailing NaN of the prefix stays: it stands for a window's training values */
    assert_int_equal(start, 100);
    assert_true(y[0] == 1 && y[1] == 2 && isnan(y[2]));
    assert_int_equal(civ_panel_series(q, 1, &y, &n, &start), CIV_OK);
    assert_int_equal(n, 2);
    assert_int_equal(start, 90);
    assert_true(y[0] == 7 && y[1] == 8);
    assert_int_equal(civ_panel_series(q, 2, NULL, &n, NULL), CIV_OK);
    assert_int_equal(n, 0);
    assert_int_equal(civ_panel_find_series(q, "c", &i), CIV_OK);
    assert_int_equal(i, 2);
    assert_int_equal(civ_panel_prefixes(NULL, len, &q), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_panel_prefixes(p, NULL, &q), CIV_ERR_INVALID_ARGUMENT);
    civ_panel_free(q);
    civ_panel_free(p);
}

/* A communities table of ids and predecessors cells (NULL ends). */
static civ_table *communities(const char *const *ids, const char *const *pred)
{
    civ_table *t = NULL;
    size_t ci, cp, first;
    size_t n = 0;
    while (ids[n])
        n++;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "id", CIV_COLUMN_TEXT, &ci), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "前身", CIV_COLUMN_TEXT, &cp), CIV_OK);
    assert_int_equal(civ_table_add_rows(t, n, &first), CIV_OK);
    for (size_t r = 0; r < n; r++) {
        assert_int_equal(civ_table_set_text(t, r, ci, ids[r]), CIV_OK);
        assert_int_equal(civ_table_set_text(t, r, cp, pred[r]), CIV_OK);
    }
    return t;
}

static void expect_series(const civ_panel *p, const char *id, int64_t start, const double *want, size_t n_want)
{
    size_t i, n;
    int64_t s0;
    const double *y;
    assert_int_equal(civ_panel_find_series(p, id, &i), CIV_OK);
    assert_int_equal(civ_panel_series(p, i, &y, &n, &s0), CIV_OK);
    assert_int_equal(n, n_want);
    assert_int_equal(s0, start);
    for (size_t t = 0; t < n; t++)
        assert_true(isnan(want[t]) ? isnan(y[t]) : fabs(y[t] - want[t]) <= 1e-12);
}

/* civ_panel_join_predecessors: a merger (C900 <- A + B, from period 106), a rename (C905 <- E from 108), a
 * merged community with no months of its own (C910 <- F + G), a split (P named by S1 and S2), a predecessor
 * without a series (C920 <- H + Z), one that absorbed another and kept its id (K <- K + L). */
static void test_join_predecessors(void **state)
{
    (void)state;
    civ_panel *p = NULL, *q = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    const double a[] = {1, 2, NAN, 4, 5, 6}, b[] = {10, 20, 30, 40, 50, 60, 70}; /* B reports once too often */
    const double c900[] = {100, 101, 102}, e[] = {7, 7, 7, 7, 7, 7, 7, 7}, c905[] = {8};
    const double f[] = {1, 1, 1}, g[] = {2, 2}, s1[] = {3, 3}, pp[] = {9, 9, 9}, h[] = {4, 4}, c920[] = {5};
    const double k[] = {1, 1, 1, 1, 50, 50}, l[] = {2, 2, 2, 2}, other[] = {42, 43};
    size_t ka;
    assert_int_equal(civ_panel_add_covariate(p, "aged", &ka), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "other", 100, other, 2, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "A", 100, a, 6, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "B", 99, b, 7, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "C900", 106, c900, 3, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "E", 100, e, 8, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "C905", 108, c905, 1, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "F", 100, f, 3, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "G", 101, g, 2, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "P", 100, pp, 3, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "S1", 103, s1, 2, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "H", 100, h, 2, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "C920", 102, c920, 1, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "K", 100, k, 6, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "L", 100, l, 4, NULL), CIV_OK);
    const double ca[] = {1, 1, 1, 1, 1, 1}, cb[] = {2, 2, 2, 2, 2, 2, 2}, c9[] = {5, 5, 5, 5, 5}; /* 2 future */
    size_t i;
    civ_panel_find_series(p, "A", &i), civ_panel_set_covariate(p, i, ka, ca, 6);
    civ_panel_find_series(p, "B", &i), civ_panel_set_covariate(p, i, ka, cb, 7);
    civ_panel_find_series(p, "C900", &i), civ_panel_set_covariate(p, i, ka, c9, 5);
    const char *ids[] = {"other", "C900", "C905", "C910", "S1", "S2", "C920", "K", NULL};
    const char *pred[] = {"", "A；B", "E", "F、G", "P", "P", "H, Z", "K;L", NULL};
    civ_table *t = communities(ids, pred), *j = NULL;
    assert_int_equal(civ_panel_join_predecessors(p, t, "id", "前身", &q, &j), CIV_OK);
    /* the merger: A+B where both reported (A's NaN month 102 missing; B's month 99 before A), then C900 */
    const double w900[] = {21, 32, NAN, 54, 65, 76, 100, 101, 102};
    expect_series(q, "C900", 100, w900, 9);
    const double w905[] = {7, 7, 7, 7, 7, 7, 7, 7, 8};
    expect_series(q, "C905", 100, w905, 9);
    const double w910[] = {3, 3}; /* no months of its own: the sum where both report */
    expect_series(q, "C910", 101, w910, 2);
    expect_series(q, "S1", 103, s1, 2); /* a split: its own months */
    expect_series(q, "C920", 102, c920, 1); /* Z has no series: its own months */
    const double wk[] = {3, 3, 3, 3, 50, 50}; /* K absorbed L: K+L while L reported, then K */
    expect_series(q, "K", 100, wk, 6);
    expect_series(q, "other", 100, other, 2);
    assert_int_equal(civ_panel_n_series(q), 7); /* A B E F G P H L left out */
    assert_int_equal(civ_panel_find_series(q, "A", &i), CIV_ERR_NOT_FOUND);
    assert_int_equal(civ_panel_find_series(q, "P", &i), CIV_ERR_NOT_FOUND);
    civ_clear_error();
    /* covariates by the same rule, with C900's future values */
    const double *cv;
    size_t len;
    assert_int_equal(civ_panel_find_series(q, "C900", &i), CIV_OK);
    assert_int_equal(civ_panel_covariate(q, i, ka, &cv, &len), CIV_OK);
    assert_int_equal(len, 11);
    assert_true(fabs(cv[0] - 3) <= 1e-12 && fabs(cv[5] - 3) <= 1e-12 && fabs(cv[6] - 5) <= 1e-12 &&
                fabs(cv[10] - 5) <= 1e-12);
    /* what was joined */
    assert_int_equal(civ_table_n_rows(j), 7);
    size_t cs, cn, cf, ct, cbk;
    civ_table_find_column(j, "status", &cs), civ_table_find_column(j, "joined_periods", &cn);
    civ_table_find_column(j, "joined_from", &cf), civ_table_find_column(j, "joined_to", &ct);
    civ_table_find_column(j, "blocking", &cbk);
    const char *st[] = {"joined", "joined", "joined", "split", "split", "no_series", "joined"};
    const double np[] = {5, 8, 2, 0, 0, 0, 4};
    for (size_t r = 0; r < 7; r++) {
        assert_string_equal(civ_table_text(j, r, cs), st[r]);
        assert_true(fabs(civ_table_number(j, r, cn) - np[r]) <= 0);
    }
    assert_string_equal(civ_table_text(j, 0, cf), "0008-05");
    assert_string_equal(civ_table_text(j, 0, ct), "0008-10");
    assert_string_equal(civ_table_text(j, 3, cbk), "P");
    assert_string_equal(civ_table_text(j, 5, cbk), "Z");
    civ_table_free(j);
    civ_panel_free(q);
    civ_table_free(t);
    /* a predecessor that is a community of this year too is refused, with the row */
    const char *ids2[] = {"C900", "A", NULL}, *pred2[] = {"A;B", "", NULL};
    t = communities(ids2, pred2);
    assert_int_equal(civ_panel_join_predecessors(p, t, "id", "前身", &q, NULL), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error()->message, "include 'A', which is a community of this year too"));
    assert_null(q);
    assert_int_equal(civ_panel_join_predecessors(p, t, "id", "nope", &q, NULL), CIV_ERR_MISSING_COLUMN);
    assert_string_equal(civ_last_error()->field, "nope");
    assert_int_equal(civ_panel_join_predecessors(NULL, t, "id", "前身", &q, NULL), CIV_ERR_INVALID_ARGUMENT);
    civ_table_free(t);
    civ_panel_free(p);
}

/* civ_panel_join_predecessors_shares: P split into S1 (0.6, its own months from 105) and S2 (0.4, none yet);
 * the gap between P's last month (103) and S1's first (105) stays missing and is counted; the shares are
 * checked (tests/test_panel.c; docs/FORECASTING.md "When the map changes"). */
static civ_table *with_shares(const char *const *ids, const char *const *pred, const char *const *shares)
{
    civ_table *t = communities(ids, pred);
    size_t cs;
    assert_int_equal(civ_table_add_column(t, "份额", CIV_COLUMN_TEXT, &cs), CIV_OK);
    for (size_t r = 0; ids[r]; r++)
        assert_int_equal(civ_table_set_text(t, r, cs, shares[r]), CIV_OK);
    return t;
}

static void expect_refused(const civ_panel *p, const char *const *ids, const char *const *pred,
                           const char *const *shares, const char *says)
{
    civ_table *t = with_shares(ids, pred, shares);
    civ_panel *q = NULL;
    assert_int_equal(civ_panel_join_predecessors_shares(p, t, "id", "前身", "份额", &q, NULL), CIV_ERR_DOMAIN);
    if (!strstr(civ_last_error()->message, says))
        fail_msg("expected '%s' in: %s", says, civ_last_error()->message);
    assert_string_equal(civ_last_error()->field, "份额");
    assert_null(q);
    civ_table_free(t);
}

static void test_join_shares(void **state)
{
    (void)state;
    civ_panel *p = NULL, *q = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    const double pp[] = {10, 20, 30, 40}, s1[] = {3, 3}, x[] = {1, 1, 1, 1}, cp[] = {100, 100, 100, 100};
    size_t ka, i;
    assert_int_equal(civ_panel_add_covariate(p, "aged", &ka), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "P", 100, pp, 4, &i), CIV_OK);
    assert_int_equal(civ_panel_set_covariate(p, i, ka, cp, 4), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "S1", 105, s1, 2, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "X+Y", 100, x, 4, NULL), CIV_OK); /* an id with '+' */
    const char *ids[] = {"S1", "S2", "R", NULL}, *pred[] = {"P", "P", "X+Y", NULL};
    const char *shares[] = {"0.6", "40%", "", NULL};
    civ_table *t = with_shares(ids, pred, shares), *j = NULL;
    assert_int_equal(civ_panel_join_predecessors_shares(p, t, "id", "前身", "份额", &q, &j), CIV_OK);
    const double w1[] = {6, 12, 18, 24, NAN, 3, 3}, w2[] = {4, 8, 12, 16}; /* 104: nobody's, left missing */
    expect_series(q, "S1", 100, w1, 7);
    expect_series(q, "S2", 100, w2, 4);
    expect_series(q, "R", 100, x, 4);
    assert_int_equal(civ_panel_n_series(q), 3);
    const double *cv;
    size_t len;
    assert_int_equal(civ_panel_find_series(q, "S2", &i), CIV_OK);
    assert_int_equal(civ_panel_covariate(q, i, ka, &cv, &len), CIV_OK);
    assert_int_equal(len, 4);
    assert_true(fabs(cv[0] - 40) <= 1e-12 && fabs(cv[3] - 40) <= 1e-12); /* covariates by the share too */
    size_t cs, csh, cg, cn;
    civ_table_find_column(j, "status", &cs), civ_table_find_column(j, "shares", &csh);
    civ_table_find_column(j, "gap_periods", &cg), civ_table_find_column(j, "joined_periods", &cn);
    assert_string_equal(civ_table_text(j, 0, cs), "joined");
    assert_string_equal(civ_table_text(j, 1, cs), "joined");
    assert_string_equal(civ_table_text(j, 0, csh), "0.6");
    assert_string_equal(civ_table_text(j, 1, csh), "0.4");
    assert_string_equal(civ_table_text(j, 2, csh), "");
    assert_true(fabs(civ_table_number(j, 0, cg) - 1) <= 0 && fabs(civ_table_number(j, 1, cg)) <= 0);
    assert_true(fabs(civ_table_number(j, 0, cn) - 4) <= 0);
    civ_table_free(j);
    civ_panel_free(q);
    civ_table_free(t);
    /* without the shares column: a split, as before; the gap of a merger is counted all the same */
    t = communities(ids, pred);
    assert_int_equal(civ_panel_join_predecessors(p, t, "id", "前身", &q, &j), CIV_OK);
    assert_string_equal(civ_table_text(j, 0, cs), "split");
    expect_series(q, "S1", 105, s1, 2);
    civ_table_free(j);
    civ_panel_free(q);
    civ_table_free(t);
    const char *one[] = {"S1", NULL}, *onep[] = {"P", NULL};
    t = communities(one, onep);
    assert_int_equal(civ_panel_join_predecessors(p, t, "id", "前身", &q, &j), CIV_OK);
    assert_true(fabs(civ_table_number(j, 0, cg) - 1) <= 0); /* a rename with a month between */
    civ_table_free(j);
    civ_panel_free(q);
    civ_table_free(t);
    /* the shares checked */
    const char *two[] = {"S1", "S2", NULL}, *twop[] = {"P", "P", NULL};
    expect_refused(p, two, twop, (const char *[]){"1.5", "0.4", NULL}, "is '1.5', not a number in (0, 1]");
    expect_refused(p, two, twop, (const char *[]){"0", "0.4", NULL}, "is '0', not a number in (0, 1]");
    expect_refused(p, two, twop, (const char *[]){"abc", "0.4", NULL}, "is 'abc', not a number in (0, 1]");
    expect_refused(p, two, twop, (const char *[]){"0.6；0.4", "0.4", NULL}, "gives 2 shares for 1 predecessor");
    expect_refused(p, two, twop, (const char *[]){"0.7", "0.4", NULL},
                   "split into 'S1' 0.7, 'S2' 0.4 (column '份额'): their shares sum to 1.1, more than 1");
    expect_refused(p, two, twop, (const char *[]){"0.6", "", NULL}, "'S2' gives no share of it in '份额'");
    expect_refused(p, one, onep, (const char *[]){"0.5", NULL}, "no other community continues the rest");
    t = with_shares(one, onep, (const char *[]){"1", NULL});
    assert_int_equal(civ_panel_join_predecessors_shares(p, t, "id", "前身", "份额", &q, NULL), CIV_OK);
    civ_panel_free(q);
    assert_int_equal(civ_panel_join_predecessors_shares(p, t, "id", "前身", "nope", &q, NULL),
                     CIV_ERR_MISSING_COLUMN);
    civ_table_free(t);
    civ_panel_free(p);
    /* the joins table's reason for a split counts the panel's periods: a quarterly panel's quarters (it said
     * "divide its months" whatever the panel) */
    assert_int_equal(civ_panel_create(CIV_FREQ_QUARTERLY, &p), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "P", 100, pp, 4, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "S1", 105, s1, 2, NULL), CIV_OK);
    t = communities(two, twop);
    assert_int_equal(civ_panel_join_predecessors(p, t, "id", "前身", &q, &j), CIV_OK);
    size_t cr;
    civ_table_find_column(j, "reason", &cr);
    assert_string_equal(civ_table_text(j, 0, cr),
                        "P is also a predecessor of another community (a split: no share to divide its quarters)");
    civ_table_free(j);
    civ_panel_free(q);
    civ_table_free(t);
    civ_panel_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_and_free),
        cmocka_unit_test(test_series),
        cmocka_unit_test(test_series_errors),
        cmocka_unit_test(test_covariates),
        cmocka_unit_test(test_attributes),
        cmocka_unit_test(test_prefixes),
        cmocka_unit_test(test_join_predecessors),
        cmocka_unit_test(test_join_shares),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
