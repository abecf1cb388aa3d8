/*
 * test_backtest.c -- rolling-origin backtests (engine/src/forecast/
 * backtest.c), their accuracy table (accuracy.c), conformal intervals
 * (conformal.c) and the multi-model table (multi.c): windows and accuracy
 * worked by hand for the naive and mean methods, the cross_validation
 * layout, why windows failed (no data yet, too few values), thread-count
 * independence, the conformal quantile rule re-derived
 * from the public backtest, wide and long multi-model tables, option errors.
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

#include <gsl/gsl_cdf.h>

#include "civicast.h"
#include "forecast.h"

/* Yearly: a = 1,3,2,5,4,6 (2020..2025), b = 10,10,12,11 (2020..2023). */
static civ_panel *small_panel(void)
{
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_YEARLY, &p), CIV_OK);
    const double a[] = {1, 3, 2, 5, 4, 6}, b[] = {10, 10, 12, 11};
    assert_int_equal(civ_panel_add_series(p, "a", 2020, a, 6, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "b", 2020, b, 4, NULL), CIV_OK);
    return p;
}

static civ_backtest_result *backtest(const civ_panel *p, const char *const *models, size_t n_models, size_t h,
                                     size_t windows, size_t step, const double *levels, size_t n_levels, int threads)
{
    civ_backtest_options opt;
    assert_int_equal(civ_backtest_options_init(&opt), CIV_OK);
    assert_int_equal(opt.windows, 3);
    assert_int_equal(opt.step, 1);
    opt.models = models;
    opt.n_models = n_models;
    opt.forecast.horizon = h;
    opt.forecast.levels = levels;
    opt.forecast.n_levels = n_levels;
    opt.forecast.threads = threads;
    opt.windows = windows;
    opt.step = step;
    civ_backtest_result *r = NULL;
    if (civ_backtest_panel(p, &opt, &r) != CIV_OK)
        fail_msg("backtest: %s", civ_last_error_message());
    return r;
}

static size_t col(const civ_table *t, const char *name)
{
    size_t c = 0;
    if (civ_table_find_column(t, name, &c) != CIV_OK)
        fail_msg("no column %s", name);
    return c;
}

static void test_windows_by_hand(void **state)
{
    (void)state;
    civ_panel *p = small_panel();
    const char *models[] = {"naive", "mean"};
    const double level[] = {80};
    civ_backtest_result *r = backtest(p, models, 2, 2, 2, 1, level, 1, 1);
    /* tasks (m*N + i)*K + k; windows train on 3 and 4 values of a, 1 and 2 of b */
    assert_int_equal(civ_backtest_cutoff(6, 2, 2, 1, 0), 3);
    assert_int_equal(civ_backtest_cutoff(6, 2, 2, 1, 1), 4);
    assert_int_equal(civ_backtest_cutoff(10, 2, 3, 3, 0), 2);
    const double naive_a[] = {2, 2, 5, 5}, mean_a[] = {2, 2, 2.75, 2.75};
    for (size_t q = 0; q < 4; q++) {
        assert_float_equal(r->mean[q], naive_a[q], 0);          /* model 0, series a, windows 0-1 */
        assert_float_equal(r->mean[8 + q], mean_a[q], 1e-15);   /* model 1, series a */
    }
    assert_int_equal(r->status[2], CIV_ERR_TOO_SHORT); /* naive on b's single value */
    assert_int_equal(r->status[6], CIV_ERR_TOO_SHORT); /* mean on b's single value */
    assert_true(isnan(r->mean[4]));
    assert_float_equal(r->mean[6], 10, 0);
    assert_int_equal(civ_backtest_result_n_failed(r), 2);
    /* meanf's interval on 1,3,2: 2 +- t(2, 0.9) * sd * sqrt(1 + 1/3), clamped at 0 */
    double half = gsl_cdf_tdist_Pinv(0.9, 2) * 1.0 * sqrt(4.0 / 3.0);
    size_t tasks = 2 * 2 * 2;
    assert_float_equal(r->upper[(0 * tasks + 4) * 2 + 0], 2 + half, 1e-12);
    assert_float_equal(r->lower[(0 * tasks + 4) * 2 + 0], 0, 0);

    civ_table *t = NULL;
    assert_int_equal(civ_backtest_result_table(r, p, &t), CIV_OK);
    static const char *const header[] = {"unique_id", "cutoff", "ds", "h", "y", "model", "mean", "lo-80", "hi-80"};
    assert_int_equal(civ_table_n_columns(t), 9);
    for (size_t c = 0; c < 9; c++)
        assert_string_equal(civ_table_column_name(t, c), header[c]);
    assert_int_equal(civ_table_n_rows(t), 2 * 2 * 2 * 2);
    /* row order: series, window, model, step */
    assert_string_equal(civ_table_text(t, 0, 1), "2022");
    assert_string_equal(civ_table_text(t, 0, 2), "2023");
    assert_float_equal(civ_table_number(t, 0, 4), 5, 0);
    assert_string_equal(civ_table_text(t, 0, 5), "Naive");
    assert_string_equal(civ_table_text(t, 2, 5), "HistoricAverage");
    assert_string_equal(civ_table_text(t, 4, 1), "2023");
    assert_float_equal(civ_table_number(t, 5, 4), 6, 0);
    assert_float_equal(civ_table_number(t, 5, 6), 5, 0);
    assert_string_equal(civ_table_text(t, 8, 1), "2020");
    assert_true(isnan(civ_table_number(t, 8, 6)));
    civ_table_free(t);
    assert_int_equal(civ_backtest_failures_table(r, p, &t), CIV_OK);
    assert_int_equal(civ_table_n_rows(t), 2);
    assert_string_equal(civ_table_text(t, 0, 0), "b");
    assert_string_equal(civ_table_text(t, 0, 1), "Naive");
    assert_string_equal(civ_table_text(t, 1, 1), "HistoricAverage");
    assert_string_equal(civ_table_text(t, 0, 2), "2020");
    assert_string_equal(civ_table_text(t, 0, 3), "CIV_ERR_TOO_SHORT");
    assert_non_null(strstr(civ_table_text(t, 0, 4), "needs"));
    civ_table_free(t);
    civ_backtest_result_free(r);
    civ_panel_free(p);
}

/* Why windows failed (civ_backtest_result_failure_counts): naive, h 2, 3 windows 1 apart.  b (4 values) has no
 * value yet at its first cutoff and one at its second; c starts with two missing values, so its first window has
 * positions but no observed value (no data) and its second one value (too short). */
static void test_failure_counts(void **state)
{
    (void)state;
    civ_panel *p = small_panel();
    const double c[] = {NAN, NAN, 7, 8, 9, 10};
    assert_int_equal(civ_panel_add_series(p, "c", 2020, c, 6, NULL), CIV_OK);
    const char *models[] = {"naive"};
    const double level[] = {80};
    civ_backtest_result *r = backtest(p, models, 1, 2, 3, 1, level, 1, 1);
    civ_backtest_failure_counts fc;
    assert_int_equal(civ_backtest_result_failure_counts(r, p, &fc), CIV_OK);
    assert_int_equal(fc.total, 9);
    assert_int_equal(fc.failed, civ_backtest_result_n_failed(r));
    assert_int_equal(fc.failed, 4);
    assert_int_equal(fc.no_data, 2);
    assert_int_equal(fc.too_short, 2);
    assert_int_equal(fc.other, 0);
    assert_int_equal(fc.min_values, 1);
    assert_int_equal(fc.max_values, 1);
    /* the failures table says the same per window (reason, values): the plan writes it as backtest_failures.csv,
     * and the report counts it so that the page and the command give the same reasons and counts (the page
     * once guessed them from history.csv and named reasons the command did not) */
    civ_table *t = NULL;
    assert_int_equal(civ_backtest_failures_table(r, p, &t), CIV_OK);
    assert_int_equal(civ_table_n_rows(t), 4);
    size_t creason = col(t, "reason"), cvalues = col(t, "values"), no_data = 0, too_short = 0;
    assert_int_equal(civ_table_column_type(t, cvalues), CIV_COLUMN_NUMBER);
    for (size_t row = 0; row < 4; row++) {
        const char *why = civ_table_text(t, row, creason);
        double v = civ_table_number(t, row, cvalues);
        if (!strcmp(why, "no_data"))
            no_data++, assert_float_equal(v, 0, 0);
        else if (!strcmp(why, "too_short"))
            too_short++, assert_float_equal(v, 1, 0);
        else
            fail_msg("reason %s", why);
    }
    assert_int_equal(no_data, fc.no_data);
    assert_int_equal(too_short, fc.too_short);
    civ_table_free(t);
    /* another panel, NULL: errors, *out untouched */
    civ_panel *q = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_YEARLY, &q), CIV_OK);
    assert_int_equal(civ_backtest_result_failure_counts(r, q, &fc), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(fc.failed, 4);
    assert_int_equal(civ_backtest_result_failure_counts(NULL, p, &fc), CIV_ERR_INVALID_ARGUMENT);
    civ_panel_free(q);
    civ_backtest_result_free(r);
    /* none failed: zeros, min and max 0 */
    r = backtest(p, models, 1, 1, 1, 1, level, 1, 1);
    assert_int_equal(civ_backtest_result_failure_counts(r, p, &fc), CIV_OK);
    assert_int_equal(fc.total, 3);
    assert_int_equal(fc.failed + fc.no_data + fc.too_short + fc.other + fc.min_values + fc.max_values, 0);
    civ_backtest_result_free(r);
    civ_panel_free(p);
}

/* A series with no observed value (a wide sheet's empty row) keeps its failed windows, dated as those of a series
 * that ends with the panel: cutoffs 2023 and 2024 here, as a's (before 2026-12-07 2018 and 2019, before any data),
 * in the windows' table and the failures' table alike. */
static void test_empty_series_dates(void **state)
{
    (void)state;
    civ_panel *p = small_panel(); /* a ends 2025 */
    assert_int_equal(civ_panel_add_series(p, "e", 2020, NULL, 0, NULL), CIV_OK);
    const char *models[] = {"naive"};
    civ_backtest_result *r = backtest(p, models, 1, 1, 2, 1, NULL, 0, 1);
    civ_table *t = NULL;
    assert_int_equal(civ_backtest_result_table(r, p, &t), CIV_OK);
    size_t cid = col(t, "unique_id"), ccut = col(t, "cutoff"), cds = col(t, "ds"), seen = 0;
    for (size_t row = 0; row < civ_table_n_rows(t); row++) {
        if (strcmp(civ_table_text(t, row, cid), "e"))
            continue;
        assert_string_equal(civ_table_text(t, row, ccut), seen ? "2024" : "2023");
        assert_string_equal(civ_table_text(t, row, cds), seen ? "2025" : "2024");
        seen++;
    }
    assert_int_equal(seen, 2);
    civ_table_free(t);
    assert_int_equal(civ_backtest_failures_table(r, p, &t), CIV_OK);
    assert_int_equal(civ_table_n_rows(t), 2);
    assert_string_equal(civ_table_text(t, 0, col(t, "cutoff")), "2023");
    assert_string_equal(civ_table_text(t, 1, col(t, "cutoff")), "2024");
    civ_table_free(t);
    civ_backtest_result_free(r);
    civ_panel_free(p);
}

static void test_accuracy_by_hand(void **state)
{
    (void)state;
    civ_panel *p = small_panel();
    const char *models[] = {"naive", "mean"};
    const double level[] = {80};
    civ_backtest_result *r = backtest(p, models, 2, 2, 2, 1, level, 1, 1);
    civ_table *t = NULL;
    assert_int_equal(civ_backtest_accuracy_table(r, p, 0, &t), CIV_OK);
    assert_int_equal(civ_table_n_rows(t), 2);
    assert_string_equal(civ_table_text(t, 0, col(t, "model")), "Naive");
    /* naive errors y - f: a1 3,2; a2 -1,1; b2 2,1 (b1 failed) */
    assert_float_equal(civ_table_number(t, 0, col(t, "windows")), 4, 0);
    assert_float_equal(civ_table_number(t, 0, col(t, "failed")), 1, 0);
    assert_float_equal(civ_table_number(t, 0, col(t, "n")), 6, 0);
    assert_float_equal(civ_table_number(t, 0, col(t, "MAE")), 10.0 / 6, 1e-14);
    assert_float_equal(civ_table_number(t, 0, col(t, "RMSE")), sqrt(20.0 / 6), 1e-14);
    assert_float_equal(civ_table_number(t, 0, col(t, "bias")), -8.0 / 6, 1e-14);
    double mape = 100.0 * (3.0 / 5 + 2.0 / 4 + 1.0 / 4 + 1.0 / 6 + 2.0 / 12 + 1.0 / 11) / 6;
    assert_float_equal(civ_table_number(t, 0, col(t, "MAPE")), mape, 1e-12);
    double smape = 200.0 * (3.0 / 7 + 2.0 / 6 + 1.0 / 9 + 1.0 / 11 + 2.0 / 22 + 1.0 / 21) / 6;
    assert_float_equal(civ_table_number(t, 0, col(t, "sMAPE")), smape, 1e-12);
    /* MASE: a1 scale mean(|3-1|,|2-3|) = 1.5, MAE 2.5; a2 scale 2, MAE 1; b2 scale 0: left out */
    assert_float_equal(civ_table_number(t, 0, col(t, "MASE")), (2.5 / 1.5 + 1.0 / 2) / 2, 1e-14);
    /* RMSSE: a1 sqrt(6.5 / 2.5); a2 sqrt(1 / (14/3)) */
    assert_float_equal(civ_table_number(t, 0, col(t, "RMSSE")), (sqrt(6.5 / 2.5) + sqrt(1.0 / (14.0 / 3))) / 2, 1e-14);
    /* mean: errors a1 3,2; a2 1.25,3.25; b2 2,1 */
    assert_float_equal(civ_table_number(t, 1, col(t, "MAE")), 12.5 / 6, 1e-14);
    /* coverage and Winkler score recomputed from the windows' own bounds */
    size_t tasks = 8;
    double covered = 0, score = 0, msis_a = 0;
    const double ys[4][2] = {{5, 4}, {4, 6}, {12, 11}, {12, 11}};
    const size_t task_of[3] = {0, 1, 3};
    const int rows_of[3] = {0, 1, 2};
    for (size_t w = 0; w < 3; w++) {
        double ws = 0;
        for (size_t j = 0; j < 2; j++) {
            double lo = r->lower[task_of[w] * 2 + j], hi = r->upper[task_of[w] * 2 + j], y = ys[rows_of[w]][j];
            double is = hi - lo + (y < lo ? 10 * (lo - y) : 0) + (y > hi ? 10 * (y - hi) : 0);
            covered += y >= lo && y <= hi;
            score += is;
            ws += is / 2;
        }
        if (w < 2)
            msis_a += ws / (w == 0 ? 1.5 : 2.0) / 2;
    }
    (void)tasks;
    assert_float_equal(civ_table_number(t, 0, col(t, "coverage-80")), 100.0 * covered / 6, 1e-12);
    assert_float_equal(civ_table_number(t, 0, col(t, "score-80")), score / 6, 1e-12);
    assert_float_equal(civ_table_number(t, 0, col(t, "MSIS-80")), msis_a, 1e-12);
    civ_table_free(t);

    assert_int_equal(civ_backtest_accuracy_table(r, p, 1, &t), CIV_OK);
    assert_int_equal(civ_table_n_rows(t), 4);
    assert_string_equal(civ_table_column_name(t, 0), "unique_id");
    assert_string_equal(civ_table_text(t, 0, 0), "a");
    assert_string_equal(civ_table_text(t, 1, 1), "HistoricAverage");
    assert_float_equal(civ_table_number(t, 0, col(t, "MAE")), 7.0 / 4, 1e-14);
    assert_float_equal(civ_table_number(t, 2, col(t, "MAE")), 1.5, 1e-14);
    assert_true(isnan(civ_table_number(t, 2, col(t, "MASE")))); /* b: constant training part */
    civ_table_free(t);
    civ_backtest_result_free(r);
    civ_panel_free(p);
}

/* A monthly panel of noisy seasonal series of varied length. */
static civ_panel *seasonal_panel(size_t n_series)
{
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    double y[200];
    for (size_t s = 0; s < n_series; s++) {
        size_t n = 40 + (s * 13) % 60;
        for (size_t t = 0; t < n; t++)
            y[t] = 100 + 5.0 * (double)(s % 4) + 0.2 * (double)t + 10 * sin(0.5236 * (double)t + (double)s) +
                   4 * cos(1.7 * (double)(t * (s + 3)));
        char id[32];
        snprintf(id, sizeof id, "s%02zu", s);
        assert_int_equal(civ_panel_add_series(p, id, 12 * 2018, y, n, NULL), CIV_OK);
    }
    return p;
}

static void test_threads_identical(void **state)
{
    (void)state;
    civ_panel *p = seasonal_panel(12);
    const char *models[] = {"ETS(A,A,N)", "theta", "ETS(M,Md,N)"}; /* the last simulates its intervals */
    const double levels[] = {80, 95};
    civ_backtest_result *r1 = backtest(p, models, 3, 6, 4, 2, levels, 2, 1);
    civ_backtest_result *r2 = backtest(p, models, 3, 6, 4, 2, levels, 2, 3);
    size_t cells = 3 * 12 * 4 * 6;
    assert_memory_equal(r1->mean, r2->mean, cells * sizeof(double));
    assert_memory_equal(r1->lower, r2->lower, 2 * cells * sizeof(double));
    assert_memory_equal(r1->upper, r2->upper, 2 * cells * sizeof(double));
    /* a window is forecast as the batch forecasts that stretch alone */
    const double *y;
    size_t n;
    int64_t start;
    civ_panel_series(p, 5, &y, &n, &start);
    civ_panel *one = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &one), CIV_OK);
    long long c = civ_backtest_cutoff(n, 6, 4, 2, 1);
    assert_int_equal(civ_panel_add_series(one, civ_panel_series_id(p, 5), start, y, (size_t)c, NULL), CIV_OK);
    civ_forecast_options fo;
    civ_forecast_options_init(&fo);
    fo.model = "ETS(M,Md,N)";
    fo.horizon = 6;
    fo.levels = levels;
    fo.n_levels = 2;
    civ_forecast_result *f = NULL;
    assert_int_equal(civ_forecast_panel(one, &fo, &f), CIV_OK);
    size_t task = (2 * 12 + 5) * 4 + 1, tasks = 3 * 12 * 4;
    assert_memory_equal(civ_forecast_result_mean(f), r1->mean + task * 6, 6 * sizeof(double));
    assert_memory_equal(civ_forecast_result_upper(f, 1), r1->upper + (tasks + task) * 6, 6 * sizeof(double));
    civ_table *a1 = NULL, *a2 = NULL;
    assert_int_equal(civ_backtest_accuracy_table(r1, p, 1, &a1), CIV_OK);
    assert_int_equal(civ_backtest_accuracy_table(r2, p, 1, &a2), CIV_OK);
    for (size_t c2 = 2; c2 < civ_table_n_columns(a1); c2++)
        assert_memory_equal(civ_table_numbers(a1, c2), civ_table_numbers(a2, c2),
                            civ_table_n_rows(a1) * sizeof(double));
    civ_table_free(a1);
    civ_table_free(a2);
    civ_forecast_result_free(f);
    civ_panel_free(one);
    civ_backtest_result_free(r1);
    civ_backtest_result_free(r2);
    civ_panel_free(p);
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The conformal quantile re-derived from the public backtest: pooled over
 * the panel (too few scores for a length class) or the series' own; windows
 * S periods apart; with every > 1 only series 0, every, 2 every, ... are
 * backtested (conformal_sample N / every: the panel's series are all of
 * one length class). */
static void check_conformal_ex(civ_panel *p, size_t h, size_t K, size_t S, size_t every, double level, int own)
{
    const char *model = "naive";
    const double lv[] = {level};
    civ_backtest_result *bt = backtest(p, &model, 1, h, K, S, lv, 1, 2);
    civ_forecast_options fo;
    civ_forecast_options_init(&fo);
    fo.model = model;
    fo.horizon = h;
    fo.levels = lv;
    fo.n_levels = 1;
    fo.threads = 2;
    civ_forecast_result *m = NULL, *c = NULL;
    assert_int_equal(civ_forecast_panel(p, &fo, &m), CIV_OK);
    fo.intervals = CIV_INTERVALS_CONFORMAL;
    fo.conformal_windows = K;
    fo.conformal_step = S;
    size_t N = civ_panel_n_series(p);
    fo.conformal_sample = every > 1 ? N / every : 0;
    assert_int_equal(civ_forecast_panel(p, &fo, &c), CIV_OK);
    double *pool = malloc(N * K * sizeof *pool);
    for (size_t j = 0; j < h; j++) {
        size_t np = 0;
        for (size_t i = 0; i < N; i++) {
            const double *y;
            size_t n;
            civ_panel_series(p, i, &y, &n, NULL);
            size_t first = np;
            for (size_t k = 0; k < K && i % every == 0; k++) {
                size_t t = i * K + k;
                double f = bt->mean[t * h + j], lo = bt->lower[t * h + j], hi = bt->upper[t * h + j];
                double a = y[civ_backtest_cutoff(n, h, K, S, k) + (long long)j];
                if (bt->status[t] == CIV_OK && hi > f)
                    pool[np++] = a >= f ? (a - f) / (hi - f) : (f - a) / (f - lo);
            }
            if (own && np - first >= 20) { /* own scores (fewer, e.g. outside the sample: pooled, not checked) */
                qsort(pool + first, np - first, sizeof *pool, cmp);
                size_t rank = (size_t)ceil((double)(np - first + 1) * level / 100 - 1e-9);
                double q = pool[first + rank - 1];
                double f = civ_forecast_result_mean(m)[i * h + j], hi = civ_forecast_result_upper(m, 0)[i * h + j];
                assert_float_equal(civ_forecast_result_upper(c, 0)[i * h + j], f + q * (hi - f), 1e-9 * fabs(hi));
                np = 0;
            }
        }
        if (own)
            continue;
        qsort(pool, np, sizeof *pool, cmp);
        double q = pool[(size_t)ceil((double)(np + 1) * level / 100 - 1e-9) - 1];
        for (size_t i = 0; i < N; i++) {
            double f = civ_forecast_result_mean(m)[i * h + j];
            double lo = civ_forecast_result_lower(m, 0)[i * h + j], hi = civ_forecast_result_upper(m, 0)[i * h + j];
            assert_float_equal(civ_forecast_result_upper(c, 0)[i * h + j], f + q * (hi - f), 1e-9 * fabs(hi));
            double want_lo = f - q * (f - lo);
            assert_float_equal(civ_forecast_result_lower(c, 0)[i * h + j], want_lo < 0 ? 0 : want_lo, 1e-9 * fabs(hi));
        }
    }
    assert_memory_equal(civ_forecast_result_mean(m), civ_forecast_result_mean(c), N * h * sizeof(double));
    free(pool);
    civ_forecast_result_free(m);
    civ_forecast_result_free(c);
    civ_backtest_result_free(bt);
}

static void check_conformal(civ_panel *p, size_t h, size_t K, double level, int own)
{
    check_conformal_ex(p, h, K, 1, 1, level, own);
}

static void test_conformal_rule(void **state)
{
    (void)state;
    civ_panel *p = seasonal_panel(6); /* 6 x 5 = 30 scores per step: the panel pool */
    check_conformal(p, 3, 5, 80, 0);
    check_conformal(p, 3, 5, 95, 0);
    check_conformal(p, 2, 25, 80, 1); /* 25 windows >= 20: each series' own scores */
    check_conformal_ex(p, 3, 4, 2, 1, 80, 0); /* windows 2 periods apart */
    check_conformal_ex(p, 3, 10, 3, 2, 80, 0); /* series 0, 2, 4 (sample 3 of 6), windows 3 apart */
    check_conformal_ex(p, 1, 20, 2, 3, 80, 1); /* series 0, 3 only; 20 windows: their own scores */
    /* bit-identical for any thread count, nested levels */
    const double lv[] = {95, 80};
    civ_forecast_options fo;
    civ_forecast_options_init(&fo);
    fo.model = "theta";
    fo.levels = lv;
    fo.intervals = CIV_INTERVALS_CONFORMAL;
    civ_forecast_result *a = NULL, *b = NULL;
    fo.threads = 1;
    assert_int_equal(civ_forecast_panel(p, &fo, &a), CIV_OK);
    fo.threads = 3;
    assert_int_equal(civ_forecast_panel(p, &fo, &b), CIV_OK);
    size_t cells = 6 * 24;
    assert_memory_equal(civ_forecast_result_upper(a, 0), civ_forecast_result_upper(b, 0), cells * sizeof(double));
    assert_memory_equal(civ_forecast_result_lower(a, 1), civ_forecast_result_lower(b, 1), cells * sizeof(double));
    for (size_t q = 0; q < cells; q++) {
        assert_true(civ_forecast_result_upper(a, 0)[q] >= civ_forecast_result_upper(a, 1)[q]);
        assert_true(civ_forecast_result_lower(a, 0)[q] <= civ_forecast_result_lower(a, 1)[q]);
    }
    /* the default windows of a panel of 6 series: ceil(50 / 6) = 9 (docs/FORECASTING.md) */
    civ_forecast_result *c = NULL;
    fo.conformal_windows = 9;
    assert_int_equal(civ_forecast_panel(p, &fo, &c), CIV_OK);
    assert_memory_equal(civ_forecast_result_upper(a, 0), civ_forecast_result_upper(c, 0), cells * sizeof(double));
    assert_memory_equal(civ_forecast_result_lower(a, 1), civ_forecast_result_lower(c, 1), cells * sizeof(double));
    civ_forecast_result_free(c);
    fo.conformal_windows = 8;
    assert_int_equal(civ_forecast_panel(p, &fo, &c), CIV_OK);
    assert_memory_not_equal(civ_forecast_result_upper(a, 0), civ_forecast_result_upper(c, 0), cells * sizeof(double));
    civ_forecast_result_free(c);
    civ_forecast_result_free(a);
    civ_forecast_result_free(b);
    civ_panel_free(p);
}

/* CIV_CONFORMAL_REFIT_FIXED re-derived from the public API: each calibration
 * window of a series is its final model's form (the result's model name, a
 * fixed ETS spec) fitted to the window's history alone, and the conformal
 * quantile pools those windows' scores as in check_conformal_ex.  Series
 * with negative values take additive-error forms, whose intervals are
 * analytic (no random draws to line up).  A model without a search
 * (theta) calibrates the same whichever way its windows are fitted. */
static void test_conformal_fixed_rule(void **state)
{
    (void)state;
    size_t N = 6, n = 60, h = 4, K = 5;
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    for (size_t i = 0; i < N; i++) {
        double y[60];
        for (size_t t = 0; t < n; t++)
            y[t] = (double)i * 0.3 * (double)t + 10 * sin(0.5236 * (double)t + (double)i) +
                   4 * cos(1.7 * (double)(t * (i + 3))) - 2.0;
        char id[8];
        snprintf(id, sizeof id, "f%zu", i);
        assert_int_equal(civ_panel_add_series(p, id, 12 * 2018, y, n, NULL), CIV_OK);
    }
    const double lv[] = {80};
    civ_forecast_options fo;
    civ_forecast_options_init(&fo);
    fo.model = "ets";
    fo.horizon = h;
    fo.levels = lv;
    fo.n_levels = 1;
    civ_forecast_result *m = NULL, *c = NULL, *c3 = NULL;
    assert_int_equal(civ_forecast_panel(p, &fo, &m), CIV_OK);
    fo.intervals = CIV_INTERVALS_CONFORMAL;
    fo.conformal_windows = K;
    fo.conformal_refit = CIV_CONFORMAL_REFIT_FIXED;
    fo.threads = 1;
    assert_int_equal(civ_forecast_panel(p, &fo, &c), CIV_OK);
    fo.threads = 3;
    assert_int_equal(civ_forecast_panel(p, &fo, &c3), CIV_OK);
    assert_memory_equal(civ_forecast_result_upper(c, 0), civ_forecast_result_upper(c3, 0), N * h * sizeof(double));
    double pool[6][5 * 6];
    size_t np[6] = {0};
    for (size_t i = 0; i < N; i++) {
        const double *y;
        civ_panel_series(p, i, &y, NULL, NULL);
        for (size_t k = 0; k < K; k++) {
            long long cut = civ_backtest_cutoff(n, h, K, 1, k);
            civ_panel *w = NULL;
            assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &w), CIV_OK);
            assert_int_equal(civ_panel_add_series(w, "w", 12 * 2018, y, (size_t)cut, NULL), CIV_OK);
            civ_forecast_options wo;
            civ_forecast_options_init(&wo);
            wo.model = civ_forecast_result_model(m, i); /* e.g. "ETS(A,N,A)" */
            wo.horizon = h;
            wo.levels = lv;
            wo.n_levels = 1;
            civ_forecast_result *r = NULL;
            assert_int_equal(civ_forecast_panel(w, &wo, &r), CIV_OK);
            assert_string_equal(civ_forecast_result_model(r, 0), civ_forecast_result_model(m, i));
            for (size_t j = 0; j < h; j++) {
                double f = civ_forecast_result_mean(r)[j], lo = civ_forecast_result_lower(r, 0)[j];
                double hi = civ_forecast_result_upper(r, 0)[j], a = y[cut + (long long)j];
                pool[j][np[j]++] = a >= f ? (a - f) / (hi - f) : (f - a) / (f - lo);
            }
            civ_forecast_result_free(r);
            civ_panel_free(w);
        }
    }
    for (size_t j = 0; j < h; j++) {
        qsort(pool[j], np[j], sizeof(double), cmp);
        double q = pool[j][(size_t)ceil((double)(np[j] + 1) * 0.8 - 1e-9) - 1];
        for (size_t i = 0; i < N; i++) {
            double f = civ_forecast_result_mean(m)[i * h + j];
            double lo = civ_forecast_result_lower(m, 0)[i * h + j], hi = civ_forecast_result_upper(m, 0)[i * h + j];
            double tol = 1e-9 * (1.0 + fabs(hi) + fabs(lo)); /* doubles (assert_float_equal compares floats) */
            assert_true(fabs(civ_forecast_result_upper(c, 0)[i * h + j] - (f + q * (hi - f))) <= tol);
            assert_true(fabs(civ_forecast_result_lower(c, 0)[i * h + j] - (f - q * (f - lo))) <= tol);
        }
    }
    civ_forecast_result_free(c);
    civ_forecast_result_free(c3);
    /* theta: no search, the same calibration both ways */
    civ_forecast_result *s = NULL;
    fo.model = "theta";
    assert_int_equal(civ_forecast_panel(p, &fo, &c), CIV_OK);
    fo.conformal_refit = CIV_CONFORMAL_REFIT_SEARCH;
    assert_int_equal(civ_forecast_panel(p, &fo, &s), CIV_OK);
    assert_memory_equal(civ_forecast_result_upper(c, 0), civ_forecast_result_upper(s, 0), N * h * sizeof(double));
    assert_memory_equal(civ_forecast_result_lower(c, 0), civ_forecast_result_lower(s, 0), N * h * sizeof(double));
    civ_forecast_result_free(s);
    /* the default is search (docs/FORECASTING.md, fourth round) */
    fo.conformal_refit = CIV_CONFORMAL_REFIT_DEFAULT;
    fo.model = "ets";
    civ_forecast_result_free(c);
    assert_int_equal(civ_forecast_panel(p, &fo, &c), CIV_OK);
    fo.conformal_refit = CIV_CONFORMAL_REFIT_SEARCH;
    assert_int_equal(civ_forecast_panel(p, &fo, &s), CIV_OK);
    assert_memory_equal(civ_forecast_result_upper(c, 0), civ_forecast_result_upper(s, 0), N * h * sizeof(double));
    civ_forecast_result_free(s);
    civ_forecast_result_free(c);
    civ_forecast_result_free(m);
    civ_panel_free(p);
}

/* The panel of every series' first c values (c = its length in window k of
 * a backtest with h, K, step), without the series that have none. */
static civ_panel *window_prefixes(const civ_panel *p, size_t h, size_t K, size_t step, size_t k)
{
    civ_panel *q = NULL;
    assert_int_equal(civ_panel_create(civ_panel_frequency(p), &q), CIV_OK);
    for (size_t i = 0; i < civ_panel_n_series(p); i++) {
        const double *y;
        size_t n;
        int64_t start;
        civ_panel_series(p, i, &y, &n, &start);
        long long c = civ_backtest_cutoff(n, h, K, step, k);
        if (c >= 1)
            assert_int_equal(civ_panel_add_series(q, civ_panel_series_id(p, i), start, y, (size_t)c, NULL), CIV_OK);
    }
    return q;
}

/* Conformal intervals in backtest windows: window k of every series equals,
 * bit for bit, civ_forecast_panel with conformal intervals on the panel of
 * the series' first c_k values (so no value after the cutoff is used), for
 * any thread count; a series too short for a window is left out of that
 * window's calibration (the small-panel default of ceil(50/N) windows counts
 * only the series that have values).  With CIV_CONFORMAL_REFIT_FIXED the
 * calibration windows refit each backtest window's own model, as the
 * forecast on the prefixes refits its final models. */
static void check_conformal_windows(const char *const models[2], int refit)
{
    civ_panel *p = seasonal_panel(12);
    const double shorty[] = {90, 95, 99, 97, 101, 104, 99, 102, 100, 98};
    assert_int_equal(civ_panel_add_series(p, "short", 12 * 2020, shorty, 10, NULL), CIV_OK);
    const double lv[] = {80, 95};
    size_t N = 13, h = 4, K = 3, step = 3, tasks = 2 * N * K;
    civ_backtest_options opt;
    civ_backtest_options_init(&opt);
    opt.models = models;
    opt.n_models = 2;
    opt.forecast.horizon = h;
    opt.forecast.levels = lv;
    opt.forecast.n_levels = 2;
    opt.windows = K;
    opt.step = step;
    opt.forecast.conformal_refit = refit;
    civ_backtest_result *model = NULL, *conf = NULL, *conf3 = NULL;
    opt.forecast.threads = 1;
    assert_int_equal(civ_backtest_panel(p, &opt, &model), CIV_OK);
    opt.forecast.intervals = CIV_INTERVALS_CONFORMAL;
    assert_int_equal(civ_backtest_panel(p, &opt, &conf), CIV_OK);
    opt.forecast.threads = 3;
    assert_int_equal(civ_backtest_panel(p, &opt, &conf3), CIV_OK);
    assert_memory_equal(conf->lower, conf3->lower, 2 * tasks * h * sizeof(double));
    assert_memory_equal(conf->upper, conf3->upper, 2 * tasks * h * sizeof(double));
    assert_memory_equal(conf->mean, model->mean, tasks * h * sizeof(double)); /* point forecasts unchanged */
    assert_memory_not_equal(conf->upper, model->upper, tasks * h * sizeof(double));
    assert_int_equal(conf->n_failed, model->n_failed);
    assert_true(conf->n_failed >= 2); /* "short" has no training values in window 1 */
    for (size_t k = 0; k < K; k++) {
        civ_panel *q = window_prefixes(p, h, K, step, k);
        for (size_t m = 0; m < 2; m++) {
            civ_forecast_options fo;
            civ_forecast_options_init(&fo);
            fo.model = models[m];
            fo.horizon = h;
            fo.levels = lv;
            fo.n_levels = 2;
            fo.intervals = CIV_INTERVALS_CONFORMAL;
            fo.conformal_refit = refit;
            civ_forecast_result *f = NULL;
            assert_int_equal(civ_forecast_panel(q, &fo, &f), CIV_OK);
            size_t Nq = civ_panel_n_series(q);
            for (size_t iq = 0; iq < Nq; iq++) {
                size_t i = 0;
                assert_int_equal(civ_panel_find_series(p, civ_panel_series_id(q, iq), &i), CIV_OK);
                size_t t = (m * N + i) * K + k;
                assert_int_equal(conf->status[t], CIV_OK);
                for (size_t l = 0; l < 2; l++) {
                    assert_memory_equal(conf->lower + (l * tasks + t) * h, civ_forecast_result_lower(f, l) + iq * h,
                                        h * sizeof(double));
                    assert_memory_equal(conf->upper + (l * tasks + t) * h, civ_forecast_result_upper(f, l) + iq * h,
                                        h * sizeof(double));
                }
            }
            civ_forecast_result_free(f);
        }
        civ_panel_free(q);
    }
    civ_backtest_result_free(model);
    civ_backtest_result_free(conf);
    civ_backtest_result_free(conf3);
    civ_panel_free(p);
}

static void test_conformal_windows(void **state)
{
    (void)state;
    const char *const searched[2] = {"theta", "naive"}, *const refitted[2] = {"theta", "ets"};
    check_conformal_windows(searched, CIV_CONFORMAL_REFIT_SEARCH);
    check_conformal_windows(refitted, CIV_CONFORMAL_REFIT_FIXED);
}

/* Every row of the report's uncalibrated column is `want`; -1: no column. */
static void assert_report_uncalibrated(const civ_forecast_result *r, const civ_panel *p, int want)
{
    civ_table *t = NULL;
    size_t col;
    assert_int_equal(civ_forecast_report_table(r, p, &t), CIV_OK);
    civ_status s = civ_table_find_column(t, "uncalibrated", &col);
    assert_int_equal(s, want < 0 ? CIV_ERR_NOT_FOUND : CIV_OK);
    for (size_t row = 0; want >= 0 && row < civ_table_n_rows(t); row++)
        assert_true(civ_table_number(t, row, col) == want);
    civ_table_free(t);
}

/* Too few backtest scores anywhere: the model's interval is kept and the
 * series counted (civ_forecast_result_n_uncalibrated) and named in the
 * report (uncalibrated); none otherwise. */
static void test_conformal_uncalibrated(void **state)
{
    (void)state;
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    double y[40];
    for (size_t s = 0; s < 4; s++) {
        for (size_t t = 0; t < 40; t++)
            y[t] = 100 + (double)s + 10 * sin(0.5236 * (double)t) + (double)((t * 7 + s) % 5);
        char id[8];
        snprintf(id, sizeof id, "s%zu", s);
        assert_int_equal(civ_panel_add_series(p, id, 12 * 2020, y, 40, NULL), CIV_OK);
    }
    const double lv[] = {80, 95};
    civ_forecast_options fo;
    civ_forecast_options_init(&fo);
    fo.model = "snaive"; /* needs 13 values: 4 of the 10 calibration windows (7..16 values) fit */
    fo.horizon = 24;
    fo.levels = lv;
    fo.n_levels = 2;
    civ_forecast_result *m = NULL, *c = NULL;
    assert_int_equal(civ_forecast_panel(p, &fo, &m), CIV_OK);
    assert_int_equal(civ_forecast_result_n_uncalibrated(m), 0);
    fo.intervals = CIV_INTERVALS_CONFORMAL;
    assert_int_equal(civ_forecast_panel(p, &fo, &c), CIV_OK);
    assert_int_equal(civ_forecast_result_n_uncalibrated(c), 4); /* 16 scores a step: 80% yes, 95% (19) no */
    for (size_t k = 0; k < 4 * 24; k++) /* 95%: the model's, or the calibrated 80% bound where that is wider */
        assert_true(civ_forecast_result_upper(c, 1)[k] ==
                    fmax(civ_forecast_result_upper(m, 1)[k], civ_forecast_result_upper(c, 0)[k]));
    assert_memory_not_equal(civ_forecast_result_upper(c, 0), civ_forecast_result_upper(m, 0), 4 * 24 * sizeof(double));
    /* the report names them: 24 of the 48 (step, level) cells kept (every 95% one); model runs have no column */
    assert_report_uncalibrated(m, p, -1);
    assert_report_uncalibrated(c, p, 24);
    civ_forecast_result_free(c);
    fo.model = "naive"; /* fits every window */
    assert_int_equal(civ_forecast_panel(p, &fo, &c), CIV_OK);
    assert_int_equal(civ_forecast_result_n_uncalibrated(c), 0);
    assert_report_uncalibrated(c, p, 0);
    assert_int_equal(civ_forecast_result_n_uncalibrated(NULL), 0);
    civ_forecast_result_free(c);
    /* backtest windows: cut at 16 values, no calibration window has any training value */
    civ_backtest_options bo;
    civ_backtest_options_init(&bo);
    bo.forecast = fo;
    bo.forecast.model = "naive";
    bo.windows = 1;
    civ_backtest_result *bt = NULL;
    assert_int_equal(civ_backtest_panel(p, &bo, &bt), CIV_OK);
    assert_int_equal(civ_backtest_result_n_uncalibrated(bt), 4);
    civ_backtest_result_free(bt);
    bo.forecast.intervals = CIV_INTERVALS_MODEL;
    assert_int_equal(civ_backtest_panel(p, &bo, &bt), CIV_OK);
    assert_int_equal(civ_backtest_result_n_uncalibrated(bt), 0);
    civ_backtest_result_free(bt);
    civ_forecast_result_free(m);
    civ_panel_free(p);
}

static void test_multi_table(void **state)
{
    (void)state;
    civ_panel *p = small_panel();
    const char *specs[] = {"naive", "mean"};
    const double lv[] = {80, 95};
    civ_forecast_options fo;
    civ_forecast_options_init(&fo);
    fo.horizon = 2;
    fo.levels = lv;
    civ_forecast_result *res[2] = {NULL, NULL};
    for (size_t k = 0; k < 2; k++) {
        fo.model = specs[k];
        assert_int_equal(civ_forecast_panel(p, &fo, &res[k]), CIV_OK);
    }
    civ_table *t = NULL;
    assert_int_equal(civ_forecast_multi_table((const civ_forecast_result *const *)res, specs, 2, p, 0, &t), CIV_OK);
    static const char *const lng[] = {"unique_id", "ds", "h", "model", "fitted_model", "mean",
                                      "lo-80", "hi-80", "lo-95", "hi-95"};
    assert_int_equal(civ_table_n_columns(t), 10);
    for (size_t c = 0; c < 10; c++)
        assert_string_equal(civ_table_column_name(t, c), lng[c]);
    assert_int_equal(civ_table_n_rows(t), 8);
    assert_string_equal(civ_table_text(t, 2, 3), "HistoricAverage");
    assert_string_equal(civ_table_text(t, 2, 4), "Mean");
    assert_float_equal(civ_table_number(t, 2, 5), 3.5, 0);
    assert_string_equal(civ_table_text(t, 4, 0), "b");
    civ_table_free(t);
    assert_int_equal(civ_forecast_multi_table((const civ_forecast_result *const *)res, specs, 2, p, 1, &t), CIV_OK);
    static const char *const wide[] = {"unique_id", "ds", "Naive", "Naive-lo-95", "Naive-lo-80", "Naive-hi-80",
                                       "Naive-hi-95", "HistoricAverage", "HistoricAverage-lo-95",
                                       "HistoricAverage-lo-80", "HistoricAverage-hi-80", "HistoricAverage-hi-95"};
    assert_int_equal(civ_table_n_columns(t), 12);
    for (size_t c = 0; c < 12; c++)
        assert_string_equal(civ_table_column_name(t, c), wide[c]);
    assert_int_equal(civ_table_n_rows(t), 4);
    assert_float_equal(civ_table_number(t, 0, 2), 6, 0);
    assert_float_equal(civ_table_number(t, 0, 7), 3.5, 0);
    assert_float_equal(civ_table_number(t, 3, 5), civ_forecast_result_upper(res[0], 0)[3], 0);
    assert_float_equal(civ_table_number(t, 3, 3), civ_forecast_result_lower(res[0], 1)[3], 0);
    civ_table_free(t);
    const char *dup[] = {"naive", "NAIVE"};
    assert_int_equal(civ_forecast_multi_table((const civ_forecast_result *const *)res, dup, 2, p, 1, &t), CIV_ERR_SPEC);
    char name[64];
    assert_int_equal(civ_model_display_name("ets", name, sizeof name), CIV_OK);
    assert_string_equal(name, "AutoETS");
    assert_int_equal(civ_model_display_name("ETS(A,Ad,N)", name, sizeof name), CIV_OK);
    assert_string_equal(name, "ETS(A,Ad,N)");
    assert_int_equal(civ_model_display_name("nonsense", name, sizeof name), CIV_ERR_SPEC);
    civ_forecast_result_free(res[0]);
    civ_forecast_result_free(res[1]);
    civ_panel_free(p);
}

/* Stops at the first call past `after` done; records the last done seen. */
typedef struct stop_at {
    size_t after, done, total;
} stop_at;

static int stop_countdown(size_t done, size_t total, void *user)
{
    stop_at *s = user;
    s->done = done, s->total = total;
    return done > s->after;
}

/* The progress callback stops a backtest, also in its conformal
 * calibrations: CIV_ERR_CANCELLED, nothing produced. */
static void test_progress_stop(void **state)
{
    (void)state;
    civ_panel *p = seasonal_panel(80);
    const double levels[] = {80};
    const char *models[] = {"naive", "snaive"};
    for (int conformal = 0; conformal <= 1; conformal++) {
        civ_backtest_options opt;
        assert_int_equal(civ_backtest_options_init(&opt), CIV_OK);
        opt.models = models;
        opt.n_models = 2;
        opt.forecast.horizon = 6;
        opt.forecast.levels = levels;
        opt.forecast.n_levels = 1;
        opt.forecast.threads = 1;
        opt.forecast.intervals = conformal ? CIV_INTERVALS_CONFORMAL : CIV_INTERVALS_MODEL;
        size_t T = 2 * 80 * opt.windows; /* the windows' tasks; conformal adds its calibrations after them */
        stop_at s = {.after = conformal ? T : 0};
        opt.forecast.progress = stop_countdown;
        opt.forecast.progress_user = &s;
        civ_backtest_result *r = NULL;
        assert_int_equal(civ_backtest_panel(p, &opt, &r), CIV_ERR_CANCELLED);
        assert_null(r);
        assert_non_null(strstr(civ_last_error_message(), "stopped by the progress callback after"));
        if (conformal)
            assert_true(s.done > T && s.done < s.total); /* stopped in the calibrations */
        else
            assert_true(s.done < T);
    }
    civ_panel_free(p);
}

static void test_errors(void **state)
{
    (void)state;
    civ_panel *p = small_panel();
    civ_backtest_options opt;
    civ_backtest_options_init(&opt);
    civ_backtest_result *r = NULL;
    opt.windows = 0;
    assert_int_equal(civ_backtest_panel(p, &opt, &r), CIV_ERR_INVALID_ARGUMENT);
    assert_string_equal(civ_last_error()->field, "windows");
    opt.windows = 2;
    opt.step = 0;
    assert_int_equal(civ_backtest_panel(p, &opt, &r), CIV_ERR_INVALID_ARGUMENT);
    opt.step = 1;
    const char *dup[] = {"ets", "ETS"};
    opt.models = dup;
    opt.n_models = 2;
    assert_int_equal(civ_backtest_panel(p, &opt, &r), CIV_ERR_SPEC);
    const char *bad[] = {"naive", "nonsense"};
    opt.models = bad;
    assert_int_equal(civ_backtest_panel(p, &opt, &r), CIV_ERR_SPEC);
    opt.n_models = 1;
    opt.forecast.intervals = 7;
    assert_int_equal(civ_backtest_panel(p, &opt, &r), CIV_ERR_INVALID_ARGUMENT);
    assert_string_equal(civ_last_error()->field, "intervals");
    opt.forecast.intervals = CIV_INTERVALS_CONFORMAL; /* with covariates: refused below as well */
    const char *x[] = {"aged60"};
    opt.forecast.xreg = x;
    opt.forecast.n_xreg = 1;
    assert_int_equal(civ_backtest_panel(p, &opt, &r), CIV_ERR_UNSUPPORTED);
    opt.forecast.n_xreg = 0;
    const double frac[] = {0.8};
    opt.forecast.levels = frac;
    opt.forecast.n_levels = 1;
    assert_int_equal(civ_backtest_panel(p, &opt, &r), CIV_ERR_INVALID_ARGUMENT);
    assert_null(r);
    civ_forecast_options fo;
    civ_forecast_options_init(&fo);
    fo.intervals = 7;
    civ_forecast_result *f = NULL;
    assert_int_equal(civ_forecast_panel(p, &fo, &f), CIV_ERR_INVALID_ARGUMENT);
    assert_string_equal(civ_last_error()->field, "intervals");
    assert_null(f);
    civ_backtest_result_free(NULL);
    civ_panel_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_windows_by_hand),   cmocka_unit_test(test_accuracy_by_hand),
        cmocka_unit_test(test_failure_counts),    cmocka_unit_test(test_empty_series_dates),
        cmocka_unit_test(test_threads_identical), cmocka_unit_test(test_conformal_rule),
        cmocka_unit_test(test_conformal_fixed_rule),
        cmocka_unit_test(test_conformal_windows), cmocka_unit_test(test_conformal_uncalibrated),
        cmocka_unit_test(test_multi_table),       cmocka_unit_test(test_errors),
        cmocka_unit_test(test_progress_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
