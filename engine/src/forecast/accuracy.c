/*
 * accuracy.c -- layer: forecast.  The accuracy table of a backtest: point
 * measures (MAE, RMSE, MAPE, sMAPE, MASE, RMSSE, bias) and interval measures
 * (coverage, Winkler's interval score, MSIS) per model, or per series and
 * model.  Formulas in docs/FORECASTING.md ("Accuracy measures"): with
 * e = y - f for each scored point (actual and forecast both present),
 *   MAE = mean |e|, RMSE = sqrt(mean e^2), MAPE = 100 mean |e| / |y| (y != 0),
 *   sMAPE = mean 200 |e| / (|y| + |f|) (0 when both are 0), bias = mean (f - y),
 *   coverage_L = 100 * share of points with lo_L <= y <= hi_L,
 *   score_L = mean of (hi - lo) + (2 / a) (lo - y) [y < lo] + (2 / a) (y - hi) [y > hi],
 *             a = 1 - L / 100 (Gneiting & Raftery 2007; Winkler 1972),
 * and per window w with training part y_1..y_c and seasonal period m (1 when
 * c <= m): d_w = mean |y_t - y_{t-m}|, d2_w = mean (y_t - y_{t-m})^2 over
 * t = m+1..c with both values observed,
 *   MASE = mean over windows of mean_j |e_j| / d_w,
 *   RMSSE = mean over windows of sqrt(mean_j e_j^2 / d2_w),
 *   MSIS_L = mean over windows of mean_j score_L,j / d_w,
 * windows with d_w = 0 (or none) left out of the scaled measures.  Sums run
 * in a fixed order, so the table is bit-identical for any thread count.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "error.h"
#include "forecast.h"

/* Running sums of one group (a model, or a series and a model). */
typedef struct acc {
    size_t windows, failed, n, n_ape, n_mase, n_rmsse;
    double abs, sq, ape, sape, bias, mase, rmsse;
    size_t *n_int, *covered, *n_msis; /* per level */
    double *score, *msis;             /* per level */
} acc;

static void seasonal_scales(const double *y, long long c, int period, double *d1, double *d2)
{
    long long m = c > period ? period : 1;
    double s1 = 0.0, s2 = 0.0;
    size_t cnt = 0;
    for (long long t = m; t < c; t++) {
        if (isnan(y[t]) || isnan(y[t - m]))
            continue;
        double d = y[t] - y[t - m];
        s1 += fabs(d);
        s2 += d * d;
        cnt++;
    }
    *d1 = cnt && s1 > 0.0 ? s1 / (double)cnt : NAN;
    *d2 = cnt && s2 > 0.0 ? s2 / (double)cnt : NAN;
}

static double interval_score(double y, double lo, double hi, double level)
{
    double a = 1.0 - level / 100.0, s = hi - lo;
    if (y < lo)
        s += 2.0 / a * (lo - y);
    else if (y > hi)
        s += 2.0 / a * (y - hi);
    return s;
}

/* Adds task t (series i with values y[0..n), window k) into g. */
static void add_window(const civ_backtest_result *r, size_t t, const double *y, size_t n, size_t k, int period,
                       acc *g)
{
    size_t h = r->h, L = r->n_levels, tasks = r->n_models * r->n_series * r->windows;
    g->windows++;
    if (r->status[t] != CIV_OK) {
        g->failed++;
        return;
    }
    long long c = civ_backtest_cutoff(n, h, r->windows, r->step, k);
    double d1, d2;
    seasonal_scales(y, c, period, &d1, &d2);
    double w_abs = 0.0, w_sq = 0.0, w_is[64] = {0};
    size_t w_n = 0, w_nis[64] = {0};
    for (size_t j = 0; j < h; j++) {
        double a = y[c + (long long)j], f = r->mean[t * h + j];
        if (isnan(a) || isnan(f))
            continue;
        double e = a - f;
        g->n++, w_n++;
        g->abs += fabs(e), w_abs += fabs(e);
        g->sq += e * e, w_sq += e * e;
        g->bias += f - a;
        if (a != 0.0)
            g->ape += 100.0 * fabs(e) / fabs(a), g->n_ape++;
        if (fabs(a) + fabs(f) > 0.0)
            g->sape += 200.0 * fabs(e) / (fabs(a) + fabs(f));
        for (size_t l = 0; l < L && l < 64; l++) {
            double lo = r->lower[(l * tasks + t) * h + j], hi = r->upper[(l * tasks + t) * h + j];
            if (isnan(lo) || isnan(hi))
                continue;
            double is = interval_score(a, lo, hi, r->levels[l]);
            g->n_int[l]++;
            g->covered[l] += a >= lo && a <= hi;
            g->score[l] += is;
            w_is[l] += is, w_nis[l]++;
        }
    }
    if (w_n && !isnan(d1)) {
        g->mase += w_abs / (double)w_n / d1, g->n_mase++;
        for (size_t l = 0; l < L && l < 64; l++)
            if (w_nis[l])
                g->msis[l] += w_is[l] / (double)w_nis[l] / d1, g->n_msis[l]++;
    }
    if (w_n && !isnan(d2))
        g->rmsse += sqrt(w_sq / (double)w_n / d2), g->n_rmsse++;
}

static double ratio(double s, size_t n) { return n ? s / (double)n : NAN; }

/* Writes group g into row `row`; cols[0] is unique_id when by_series. */
static civ_status put_row(civ_table *t, size_t row, const size_t *cols, size_t L, const acc *g)
{
    double v[11] = {(double)g->windows, (double)g->failed, (double)g->n, ratio(g->abs, g->n),
                    sqrt(ratio(g->sq, g->n)), ratio(g->ape, g->n_ape), ratio(g->sape, g->n),
                    ratio(g->mase, g->n_mase), ratio(g->rmsse, g->n_rmsse), ratio(g->bias, g->n)};
    civ_status st;
    /* windows, failed, n, MAE, RMSE, MAPE, sMAPE, MASE, RMSSE, bias */
    for (size_t c = 0; c < 10; c++)
        CIV_TRY(civ_table_set_number(t, row, cols[c], v[c]));
    for (size_t l = 0; l < L; l++) {
        CIV_TRY(civ_table_set_number(t, row, cols[10 + 3 * l], 100.0 * ratio((double)g->covered[l], g->n_int[l])));
        CIV_TRY(civ_table_set_number(t, row, cols[11 + 3 * l], ratio(g->score[l], g->n_int[l])));
        CIV_TRY(civ_table_set_number(t, row, cols[12 + 3 * l], ratio(g->msis[l], g->n_msis[l])));
    }
    return CIV_OK;
fail:
    return st;
}

static civ_status make_columns(const civ_backtest_result *r, int by_series, civ_table *t, size_t *id_col,
                               size_t *model_col, size_t *cols)
{
    static const char *const names[] = {"windows", "failed", "n", "MAE", "RMSE", "MAPE", "sMAPE",
                                        "MASE", "RMSSE", "bias"};
    civ_status st;
    if (by_series)
        CIV_TRY(civ_table_add_column(t, "unique_id", CIV_COLUMN_TEXT, id_col));
    CIV_TRY(civ_table_add_column(t, "model", CIV_COLUMN_TEXT, model_col));
    for (size_t c = 0; c < 10; c++)
        CIV_TRY(civ_table_add_column(t, names[c], CIV_COLUMN_NUMBER, &cols[c]));
    for (size_t l = 0; l < r->n_levels; l++) {
        static const char *const kinds[] = {"coverage", "score", "MSIS"};
        for (size_t q = 0; q < 3; q++) {
            char name[48];
            civ_snprintf(name, sizeof name, "%s-%.15g", kinds[q], r->levels[l]);
            CIV_TRY(civ_table_add_column(t, name, CIV_COLUMN_NUMBER, &cols[10 + 3 * l + q]));
        }
    }
    return CIV_OK;
fail:
    return st;
}

/* Zeroes g, whose per-level arrays live in store (5 * L slots). */
static void acc_reset(acc *g, size_t L, size_t *counts, double *sums)
{
    memset(g, 0, sizeof *g);
    memset(counts, 0, 3 * L * sizeof *counts);
    memset(sums, 0, 2 * L * sizeof *sums);
    g->n_int = counts, g->covered = counts + L, g->n_msis = counts + 2 * L;
    g->score = sums, g->msis = sums + L;
}

/* The distinct labels of group_of[0..N) in first-appearance order into first[] (series indices); their count. */
static size_t distinct_groups(const char *const *group_of, size_t N, size_t *first)
{
    size_t G = 0;
    for (size_t i = 0; i < N; i++) {
        size_t g = 0;
        while (g < G && strcmp(group_of[first[g]], group_of[i]))
            g++;
        if (g == G)
            first[G++] = i;
    }
    return G;
}

/* Row `row` of model m over the series whose label is `label` (NULL: every series). */
static civ_status group_row(const civ_backtest_result *r, const civ_panel *panel, const char *const *group_of,
                            const char *label, size_t m, int period, civ_table *t, size_t row, const size_t *cols)
{
    size_t counts[3 * 64 + 1], N = r->n_series, K = r->windows;
    double sums[2 * 64 + 1];
    acc g;
    acc_reset(&g, r->n_levels, counts, sums);
    for (size_t i = 0; i < N; i++) {
        if (label && strcmp(group_of[i], label))
            continue;
        const double *y;
        size_t n;
        civ_panel_series(panel, i, &y, &n, NULL);
        for (size_t k = 0; k < K; k++)
            add_window(r, (m * N + i) * K + k, y, n, k, period, &g);
    }
    return put_row(t, row, cols, r->n_levels, &g);
}

civ_status civ_backtest_accuracy_table(const civ_backtest_result *r, const civ_panel *panel, int by_series,
                                       civ_table **out)
{
    if (!r || !panel || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_backtest_accuracy_table: NULL argument");
    if (civ_panel_n_series(panel) != r->n_series)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT,
                        "civ_backtest_accuracy_table: the panel has %zu series but the backtest %zu",
                        civ_panel_n_series(panel), r->n_series);
    if (r->n_levels > 64)
        return civ_fail(CIV_ERR_LIMIT, "civ_backtest_accuracy_table: %zu levels is over the limit of 64", r->n_levels);
    size_t M = r->n_models, N = r->n_series, K = r->windows, L = r->n_levels;
    int period = civ_frequency_season_length(civ_panel_frequency(panel));
    if (period < 1)
        period = 1;
    size_t counts[3 * 64 + 1], cols[10 + 3 * 64], id_col = 0, model_col = 0;
    double sums[2 * 64 + 1];
    civ_table *t = NULL;
    civ_status st;
    CIV_TRY(civ_table_create(&t));
    CIV_TRY(make_columns(r, by_series, t, &id_col, &model_col, cols));
    CIV_TRY(civ_table_add_rows(t, by_series ? N * M : M, NULL));
    acc g;
    size_t row = 0;
    if (by_series) {
        for (size_t i = 0; i < N; i++) {
            const double *y;
            size_t n;
            civ_panel_series(panel, i, &y, &n, NULL);
            for (size_t m = 0; m < M; m++, row++) {
                acc_reset(&g, L, counts, sums);
                for (size_t k = 0; k < K; k++)
                    add_window(r, (m * N + i) * K + k, y, n, k, period, &g);
                CIV_TRY(civ_table_set_text(t, row, id_col, civ_panel_series_id(panel, i)));
                CIV_TRY(civ_table_set_text(t, row, model_col, r->models[m]));
                CIV_TRY(put_row(t, row, cols, L, &g));
            }
        }
    } else {
        for (size_t m = 0; m < M; m++, row++) {
            CIV_TRY(civ_table_set_text(t, row, model_col, r->models[m]));
            CIV_TRY(group_row(r, panel, NULL, NULL, m, period, t, row, cols)); /* every series */
        }
    }
    *out = t;
    return CIV_OK;
fail:
    civ_table_free(t);
    return st;
}

civ_status civ_backtest_accuracy_grouped(const civ_backtest_result *r, const civ_panel *panel,
                                         const char *group_column, const char *const *group_of, const char *overall,
                                         civ_table **out)
{
    if (!r || !panel || !group_column || !group_of || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_backtest_accuracy_grouped: NULL argument");
    size_t M = r->n_models, N = r->n_series, L = r->n_levels;
    if (civ_panel_n_series(panel) != N)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT,
                        "civ_backtest_accuracy_grouped: the panel has %zu series but the backtest %zu",
                        civ_panel_n_series(panel), N);
    if (L > 64)
        return civ_fail(CIV_ERR_LIMIT, "civ_backtest_accuracy_grouped: %zu levels is over the limit of 64", L);
    for (size_t i = 0; i < N; i++)
        if (!group_of[i])
            return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_backtest_accuracy_grouped: series %zu has no group", i);
    int period = civ_frequency_season_length(civ_panel_frequency(panel));
    size_t *first = malloc((N ? N : 1) * sizeof *first), cols[10 + 3 * 64], group_col = 0, model_col = 0;
    civ_table *t = NULL;
    civ_status st;
    if (!first)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the groups of %zu series", N);
    size_t G = distinct_groups(group_of, N, first), lead = overall ? 1 : 0, row = 0;
    CIV_TRY(civ_table_create(&t));
    CIV_TRY(civ_table_add_column(t, group_column, CIV_COLUMN_TEXT, &group_col));
    CIV_TRY(make_columns(r, 0, t, NULL, &model_col, cols));
    CIV_TRY(civ_table_add_rows(t, (G + lead) * M, NULL));
    for (size_t g = 0; g < G + lead; g++) {
        const char *label = g < lead ? NULL : group_of[first[g - lead]];
        for (size_t m = 0; m < M; m++, row++) {
            CIV_TRY(civ_table_set_text(t, row, group_col, label ? label : overall));
            CIV_TRY(civ_table_set_text(t, row, model_col, r->models[m]));
            CIV_TRY(group_row(r, panel, group_of, label, m, period < 1 ? 1 : period, t, row, cols));
        }
    }
    free(first);
    *out = t;
    return CIV_OK;
fail:
    free(first);
    civ_table_free(t);
    return st;
}
