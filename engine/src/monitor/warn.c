/*
 * warn.c -- layer monitor: early warning from forecasts that reach the layer
 * as tables (civ_forecast_result_table's long format): the probability that
 * each future period misses its target, the first period that warns, when
 * the forecast reaches a target path; and actual demand checked against the
 * intervals of its forecast ("running ahead / behind").
 * docs/MONITORING.md, "Early warning".
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "c_locale.h"
#include "date.h"
#include "monitor.h"
#include "numeric.h"

#define MAX_LEVELS 16

size_t civ_mon_interval_columns(const civ_table *t, double *levels, size_t *lo, size_t *hi)
{
    size_t n = 0, nc = civ_table_n_columns(t);
    for (size_t c = 0; c < nc && n < MAX_LEVELS; c++) {
        const char *name = civ_table_column_name(t, c);
        if (strncmp(name, "lo-", 3) || civ_table_column_type(t, c) != CIV_COLUMN_NUMBER)
            continue;
        char *end;
        double L = civ_strtod(name + 3, &end);
        char hiname[160];
        size_t h;
        civ_snprintf(hiname, sizeof hiname, "hi-%s", name + 3);
        if (*end || !(L > 0 && L < 100) || civ_table_find_column(t, hiname, &h) ||
            civ_table_column_type(t, h) != CIV_COLUMN_NUMBER)
            continue;
        levels[n] = L, lo[n] = c, hi[n] = h, n++;
    }
    civ_clear_error();
    return n;
}

void civ_mon_side_sigmas(const civ_table *t, size_t row, double mean, size_t n_lv, const double *levels,
                         const size_t *lo, const size_t *hi, double *s_lo, double *s_hi)
{
    /* least squares through the origin of the distances d_L on z_L:
     * sigma = sum z d / sum z^2 (the split normal of civ_alloc_uncertainty) */
    double zl = 0, zzl = 0, zh = 0, zzh = 0;
    for (size_t k = 0; k < n_lv; k++) {
        double z = gsl_cdf_ugaussian_Pinv(0.5 + levels[k] / 200.0);
        double a = civ_table_number(t, row, lo[k]), b = civ_table_number(t, row, hi[k]);
        if (isfinite(a))
            zl += z * (mean - a), zzl += z * z;
        if (isfinite(b))
            zh += z * (b - mean), zzh += z * z;
    }
    *s_lo = zzl > 0 ? zl / zzl : NAN;
    *s_hi = zzh > 0 ? zh / zzh : NAN;
}

/* P(X < x) under the quantile-matched split normal with median m. */
static double split_cdf(double x, double m, double s_lo, double s_hi)
{
    double s = x < m ? s_lo : s_hi;
    if (isnan(s))
        return NAN;
    return gsl_cdf_ugaussian_P((x - m) / s);
}

static double p_miss(const civ_mon_indicator *d, double mean, double s_lo, double s_hi, double target)
{
    if (isnan(target) || isnan(mean))
        return NAN;
    double s = target < mean ? s_lo : s_hi;
    if (s == 0) /* a point forecast: it misses or it does not */
        return civ_mon_meets(d, mean, target) ? 0.0 : 1.0;
    double f = split_cdf(target, mean, s_lo, s_hi);
    return d->lower_better ? 1.0 - f : f;
}

typedef struct warn_acc {
    int seen;
    int64_t t_next, t_warn, t_reach, t_goal, t_last;
    double p_next, p_max, goal;
} warn_acc;

static civ_status fc_columns(const civ_table *fc, size_t *c_id, size_t *c_ds, size_t *c_mean, size_t *c_h, int *has_h)
{
    const char *need[] = {"unique_id", "ds", "mean"};
    size_t *cols[] = {c_id, c_ds, c_mean};
    for (int i = 0; i < 3; i++)
        if (civ_table_find_column(fc, need[i], cols[i])) {
            civ_where w = {.field = need[i]};
            return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w, "the forecasts have no column '%s' (need unique_id, "
                                                           "ds, mean, lo-L/hi-L)", need[i]);
        }
    *has_h = civ_table_find_column(fc, "h", c_h) == CIV_OK && civ_table_column_type(fc, *c_h) == CIV_COLUMN_NUMBER;
    civ_clear_error();
    return CIV_OK;
}

/* A forecast row's ds as a period of `freq`; -1 and an error when not. */
static civ_status row_period(const civ_table *fc, size_t r, size_t c_ds, civ_frequency freq, int64_t *t)
{
    char b[64];
    const char *ds = civ_mon_cell_text(fc, r, c_ds, b, sizeof b);
    civ_date_form form;
    civ_where w = {.line = (long)r + 2, .field = "ds"};
    if (civ_date_parse(ds, strlen(ds), &form, t))
        return civ_fail_at(CIV_ERR_DATE, &w, "forecast ds '%s' is not a date", ds);
    if (form == CIV_DATE_DAY && (freq == CIV_FREQ_DAILY || freq == CIV_FREQ_WEEKLY)) {
        if (freq == CIV_FREQ_WEEKLY)
            *t = *t >= 0 ? *t / 7 : -((-*t + 6) / 7);
        return CIV_OK;
    }
    if (form == CIV_DATE_DAY && (freq == CIV_FREQ_MONTHLY || freq == CIV_FREQ_QUARTERLY || freq == CIV_FREQ_YEARLY)) {
        /* a month, quarter or year as its first or last day, as `civicast forecast` writes the forecasts of
         * a panel dated 2019-01-01, 2019-02-01, ... (and pandas Timestamps): the period the day opens or closes */
        int64_t y, y_next;
        unsigned mo, d, mo_next, d_next, span = freq == CIV_FREQ_MONTHLY ? 1 : freq == CIV_FREQ_QUARTERLY ? 3 : 12;
        civ_civil_from_days(*t, &y, &mo, &d);
        civ_civil_from_days(*t + 1, &y_next, &mo_next, &d_next);
        int opens = d == 1 && (mo - 1) % span == 0, closes = d_next == 1 && mo % span == 0;
        if (opens || closes) {
            *t = freq == CIV_FREQ_MONTHLY ? 12 * y + mo - 1 : freq == CIV_FREQ_QUARTERLY ? 4 * y + (mo - 1) / 3 : y;
            return CIV_OK;
        }
        return civ_fail_at(CIV_ERR_FREQUENCY, &w, "forecast ds '%s' is a day inside a %s period, and the actuals "
                                                  "are %s: write the period (2025-01, 2025-Q1, 2025) or its first "
                                                  "or last day", ds, civ_frequency_name(freq),
                           civ_frequency_name(freq));
    }
    if (civ_mon_form_freq(form) != freq)
        return civ_fail_at(CIV_ERR_FREQUENCY, &w, "forecast ds '%s' is not %s like the data", ds,
                           civ_frequency_name(freq));
    return CIV_OK;
}

static civ_status make_steps_table(civ_table **t, size_t n)
{
    static const char *const names[] = {"scope", "unit", "indicator", "department", "ds", "h",
                                        "mean", "sigma_lo", "sigma_hi", "target", "p_miss", "warning",
                                        "kind", "value_unit"}; /* how a reader shows mean and target: last */
    const civ_column_type T = CIV_COLUMN_TEXT, N = CIV_COLUMN_NUMBER;
    const civ_column_type types[] = {T, T, T, T, T, N, N, N, N, N, N, N, T, T};
    civ_status st = civ_table_create(t);
    if (!st)
        st = civ_mon_add_columns(*t, names, types, 14);
    return st ? st : civ_table_add_rows(*t, n, NULL);
}

static civ_status summary_table(const civ_monitor *m, const warn_acc *acc, double threshold, civ_table **out)
{
    static const char *const names[] = {"scope", "unit", "indicator", "department", "p_miss_next",
                                        "p_miss_max", "first_warning", "first_warning_h", "goal", "reach",
                                        "deadline", "on_track", "kind", "value_unit"};
    const civ_column_type T = CIV_COLUMN_TEXT, N = CIV_COLUMN_NUMBER;
    const civ_column_type types[] = {T, T, T, T, N, N, T, N, N, T, T, N, T, T};
    civ_table *t = NULL;
    size_t n = 0;
    for (size_t i = 0; i < m->n_series; i++)
        n += acc[i].seen != 0;
    civ_status st = civ_table_create(&t);
    if (!st)
        st = civ_mon_add_columns(t, names, types, 14);
    if (!st)
        st = civ_table_add_rows(t, n, NULL);
    int64_t last = civ_monitor_last_period(m);
    for (size_t i = 0, r = 0; !st && i < m->n_series; i++) {
        if (!acc[i].seen)
            continue;
        const warn_acc *a = &acc[i];
        const civ_mon_series *s = &m->series[i];
        const civ_mon_indicator *d = &m->spec->ind[s->ind];
        char warn[32] = "", reach[32] = "", deadline[32] = "";
        if (a->t_warn != INT64_MAX)
            civ_period_format(m->freq, 0, a->t_warn, warn, sizeof warn);
        if (a->t_reach != INT64_MAX)
            civ_period_format(m->freq, 0, a->t_reach, reach, sizeof reach);
        if (a->t_goal != INT64_MIN)
            civ_period_format(m->freq, 0, a->t_goal, deadline, sizeof deadline);
        const char *texts[] = {civ_mon_scope_name(m, s->scope), s->unit, d->id, d->department};
        for (size_t c = 0; !st && c < 4; c++)
            st = civ_table_set_text(t, r, c, texts[c]);
        double on_track = a->t_goal == INT64_MIN ? NAN : (a->t_reach != INT64_MAX && a->t_reach <= a->t_goal);
        st = st ? st : civ_table_set_number(t, r, 4, a->p_next);
        st = st ? st : civ_table_set_number(t, r, 5, a->p_max);
        st = st ? st : civ_table_set_text(t, r, 6, warn);
        st = st ? st : civ_table_set_number(t, r, 7, a->t_warn == INT64_MAX ? NAN : (double)(a->t_warn - last));
        st = st ? st : civ_table_set_number(t, r, 8, a->goal);
        st = st ? st : civ_table_set_text(t, r, 9, reach);
        st = st ? st : civ_table_set_text(t, r, 10, deadline);
        st = st ? st : civ_table_set_number(t, r, 11, on_track);
        st = st ? st : civ_table_set_text(t, r, 12, civ_mon_kind_name(d->kind));
        st = st ? st : civ_table_set_text(t, r, 13, d->unit ? d->unit : "");
        r++;
    }
    (void)threshold;
    if (st)
        civ_table_free(t);
    else
        *out = t;
    return st;
}

/* Goal and deadline of a series: a path's final target at its `by` period. */
static void series_goal(const civ_monitor *m, const civ_mon_series *s, warn_acc *a)
{
    const civ_mon_indicator *d = &m->spec->ind[s->ind];
    int64_t lo, hi;
    a->t_goal = INT64_MIN, a->goal = NAN;
    if (d->target_kind == CIV_MON_PATH && !civ_mon_date_span(&d->by, m->freq, &lo, &hi)) {
        a->t_goal = hi;
        a->goal = civ_mon_target_at(m, d, s->base, s->n_units, hi);
    }
}

static civ_status warn_row(const civ_monitor *m, const civ_table *fc, size_t r, const size_t *cols, int has_h,
                           size_t n_lv, const double *levels, const size_t *lo, const size_t *hi, double threshold,
                           warn_acc *acc, civ_table *steps)
{
    char b[64];
    const char *id = civ_mon_cell_text(fc, r, cols[0], b, sizeof b);
    size_t i;
    civ_where w = {.line = (long)r + 2, .field = "unique_id", .series_id = id};
    if (!civ_strmap_get(&m->by_id, id, &i))
        return civ_fail_at(CIV_ERR_NOT_FOUND, &w, "forecast series '%s' is not a monitored series "
                                                  "(ids are scope:unit:indicator, as civ_monitor_panel names them)", id);
    int64_t t;
    civ_status st = row_period(fc, r, cols[1], m->freq, &t);
    if (st)
        return st;
    const civ_mon_series *s = &m->series[i];
    const civ_mon_indicator *d = &m->spec->ind[s->ind];
    double mean = civ_table_number(fc, r, cols[2]), s_lo, s_hi;
    civ_mon_side_sigmas(fc, r, mean, n_lv, levels, lo, hi, &s_lo, &s_hi);
    if (s_lo < 0 || s_hi < 0) {
        w.field = "lo-/hi-";
        return civ_fail_at(CIV_ERR_DOMAIN, &w, "forecast bounds of '%s' lie on the wrong side of the mean", id);
    }
    double target = civ_mon_target_at(m, d, s->base, s->n_units, t);
    double p = p_miss(d, mean, s_lo, s_hi, target);
    double h = has_h ? civ_table_number(fc, r, cols[3]) : (double)(t - civ_monitor_last_period(m));
    warn_acc *a = &acc[i];
    if (!a->seen) {
        a->seen = 1, a->t_next = a->t_warn = a->t_reach = INT64_MAX, a->p_max = NAN, a->p_next = NAN;
        a->t_last = INT64_MIN;
        series_goal(m, s, a);
    }
    if (t < a->t_next)
        a->t_next = t, a->p_next = p;
    if (!isnan(p) && (isnan(a->p_max) || p > a->p_max))
        a->p_max = p;
    if (!isnan(p) && p >= threshold && t < a->t_warn)
        a->t_warn = t;
    double goal = a->t_goal != INT64_MIN ? a->goal : target;
    if (!isnan(goal) && !isnan(mean) && civ_mon_meets(d, mean, goal) && t < a->t_reach)
        a->t_reach = t;
    if (a->t_goal == INT64_MIN && t >= a->t_last)
        a->goal = target; /* no path: the goal reported is the last step's target */
    if (t > a->t_last)
        a->t_last = t;
    if (!steps)
        return CIV_OK;
    char ds[32];
    civ_period_format(m->freq, 0, t, ds, sizeof ds);
    const char *texts[] = {civ_mon_scope_name(m, s->scope), s->unit, d->id, d->department, ds};
    for (size_t c = 0; !st && c < 5; c++)
        st = civ_table_set_text(steps, r, c, texts[c]);
    double nums[] = {h, mean, s_lo, s_hi, target, p, isnan(p) ? NAN : (double)(p >= threshold)};
    for (size_t c = 0; !st && c < 7; c++)
        st = civ_table_set_number(steps, r, 5 + c, nums[c]);
    st = st ? st : civ_table_set_text(steps, r, 12, civ_mon_kind_name(d->kind));
    return st ? st : civ_table_set_text(steps, r, 13, d->unit ? d->unit : "");
}

/* The error of a warning threshold outside (0, 1), as `text` was written: a plain number in [1, 100) is a
 * percentage written for a probability ("threshold = 80" meant 80%), and the cure says so, as the
 * allocation spec's fraction keys do (docs/ALLOCATION.md, "Percentages written for fractions"). */
static civ_status threshold_error(const char *text, double v)
{
    if (v >= 1 && v < 100 && !strchr(text, '%'))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "threshold %s is not a probability in (0, 1): a percentage? "
                        "write %g for %g%% (or \"%g%%\")", text, v / 100, v, v);
    return civ_fail(CIV_ERR_INVALID_ARGUMENT, "threshold %s is not a probability in (0, 1) (0%% .. 100%% "
                    "exclusive): e.g. 0.5 or \"50%%\", warn when a miss is at least as likely as not", text);
}

civ_status civ_monitor_threshold_parse(const char *text, double *out)
{
    if (!text || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_monitor_threshold_parse: NULL argument");
    char *end;
    double v;
    if (civ_percent_text(text, &v)) {
        errno = 0;
        v = civ_strtod(text, &end);
        if (end == text || *end || errno || !isfinite(v))
            return civ_fail(CIV_ERR_INVALID_ARGUMENT, "threshold '%s' is not a number: write a probability such "
                            "as 0.5, or a percentage with its sign, \"50%%\"", text);
    }
    if (!(v > 0 && v < 1))
        return threshold_error(text, v);
    *out = v;
    return CIV_OK;
}

civ_status civ_monitor_warn(const civ_monitor *m, const civ_table *fc, double threshold, civ_table **steps,
                            civ_table **summary)
{
    if (!m || !fc)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_monitor_warn: NULL argument");
    if (!(threshold > 0 && threshold < 1)) {
        char text[40];
        civ_snprintf(text, sizeof text, "%g", threshold);
        return threshold_error(text, threshold);
    }
    if (steps)
        *steps = NULL;
    if (summary)
        *summary = NULL;
    size_t cols[4];
    int has_h;
    civ_status st = fc_columns(fc, &cols[0], &cols[1], &cols[2], &cols[3], &has_h);
    if (st)
        return st;
    double levels[MAX_LEVELS];
    size_t lo[MAX_LEVELS], hi[MAX_LEVELS], n_lv = civ_mon_interval_columns(fc, levels, lo, hi);
    size_t n = civ_table_n_rows(fc);
    warn_acc *acc = calloc(m->n_series + 1, sizeof *acc);
    civ_table *st_t = NULL, *sum_t = NULL;
    if (!acc)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    if (steps)
        st = make_steps_table(&st_t, n);
    for (size_t r = 0; !st && r < n; r++)
        st = warn_row(m, fc, r, cols, has_h, n_lv, levels, lo, hi, threshold, acc, st_t);
    if (!st && summary)
        st = summary_table(m, acc, threshold, &sum_t);
    free(acc);
    if (st) {
        civ_table_free(st_t);
        civ_table_free(sum_t);
        return st;
    }
    if (steps)
        *steps = st_t;
    if (summary)
        *summary = sum_t;
    return CIV_OK;
}

/* ---- demand against its forecast ------------------------------------------------- */

/* The error of a demand check that found no actual for any forecast row: an empty demand.csv
 * ("0 actuals: 0 ahead, 0 behind", exit 0) would read as "demand on plan" when the files do not
 * belong together (another panel's forecasts, or forecasts of months the actuals do not reach). */
static civ_status nothing_checked(const civ_table *fc, size_t c_id, size_t c_ds, const civ_panel *actuals,
                                  size_t id_rows)
{
    char b[64], first[64], last[64];
    size_t n = civ_table_n_rows(fc), n_act = civ_panel_n_series(actuals);
    const char *src = civ_table_source(fc, NULL);
    civ_where w = {.file = src, .field = id_rows ? "ds" : "unique_id"};
    if (!id_rows)
        return civ_fail_at(CIV_ERR_NOT_FOUND, &w,
                           "none of the forecasts' series is in the actuals (forecast '%s', actual '%s', ...): "
                           "nothing to check; give the forecasts of these actuals' series (the ids must match)",
                           civ_mon_cell_text(fc, 0, c_id, b, sizeof b),
                           n_act ? civ_panel_series_id(actuals, 0) : "(none)");
    return civ_fail_at(CIV_ERR_NOT_FOUND, &w,
                       "the actuals hold no value at any forecast period of their series (forecasts %s .. %s): "
                       "nothing to check; give actuals of the months forecast (e.g. the holdout after the "
                       "forecast origin)",
                       civ_mon_cell_text(fc, 0, c_ds, first, sizeof first),
                       civ_mon_cell_text(fc, n - 1, c_ds, last, sizeof last));
}

/* A checked forecast row: its series in the actuals, its period and its row of the forecasts. */
typedef struct checked_row {
    size_t series, row;
    int64_t period;
    const char *model; /* the forecasts' `model` cell, "" without that column */
} checked_row;

static int checked_order(const void *pa, const void *pb)
{
    const checked_row *a = pa, *b = pb;
    if (a->series != b->series)
        return a->series < b->series ? -1 : 1;
    if (a->period != b->period)
        return a->period < b->period ? -1 : 1;
    int c = strcmp(a->model, b->model);
    return c ? c : a->row < b->row ? -1 : a->row > b->row;
}

/* Two forecast rows of one series, period (and model) checked against one actual: before 2026-12-07 both were
 * checked and the actual counted twice ("3 actuals" from 2).  The error names both rows and the cure. */
static civ_status duplicate_forecasts(const civ_table *fc, size_t c_id, size_t c_ds, checked_row *rows, size_t n)
{
    qsort(rows, n, sizeof *rows, checked_order);
    for (size_t k = 1; k < n; k++) {
        const checked_row *a = &rows[k - 1], *b = &rows[k];
        if (a->series != b->series || a->period != b->period || strcmp(a->model, b->model))
            continue;
        char ib[64], db[64];
        const char *src = civ_table_source(fc, NULL);
        civ_where w = {.file = src, .line = civ_mon_row_line(fc, b->row), .field = "ds"};
        return civ_fail_at(CIV_ERR_DUPLICATE, &w, "the forecasts hold series '%.100s' at %.40s%s%.100s%s twice (%s "
                           "%ld and this one), and its actual would be checked twice: keep one of the two rows",
                           civ_mon_cell_text(fc, b->row, c_id, ib, sizeof ib),
                           civ_mon_cell_text(fc, b->row, c_ds, db, sizeof db), b->model[0] ? " (model '" : "",
                           b->model, b->model[0] ? "')" : "", civ_mon_line_word(src), civ_mon_row_line(fc, a->row));
    }
    return CIV_OK;
}

/* The demand check's empty table, with the forecasts' model last when they have one: the rows of ets and theta
 * for one series and period are told apart (before 2026-12-07 they were not), the other columns in their places. */
static civ_status demand_table(int has_model, civ_table **out)
{
    static const char *const names[] = {"unique_id", "ds", "actual", "mean", "deviation_pct", "level", "flag",
                                        "model"};
    const civ_column_type T = CIV_COLUMN_TEXT, N = CIV_COLUMN_NUMBER;
    const civ_column_type types[] = {T, T, N, N, N, N, T, T};
    civ_table *t = NULL;
    civ_status st = civ_table_create(&t);
    if (st || (st = civ_mon_add_columns(t, names, types, has_model ? 8 : 7))) {
        civ_table_free(t);
        return st;
    }
    *out = t;
    return CIV_OK;
}

civ_status civ_monitor_demand_check(const civ_table *fc, const civ_panel *actuals, civ_table **out)
{
    if (!fc || !actuals || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_monitor_demand_check: NULL argument");
    *out = NULL;
    size_t cols[4];
    int has_h;
    civ_status st = fc_columns(fc, &cols[0], &cols[1], &cols[2], &cols[3], &has_h);
    if (st)
        return st;
    double levels[MAX_LEVELS];
    size_t lo[MAX_LEVELS], hi[MAX_LEVELS], n_lv = civ_mon_interval_columns(fc, levels, lo, hi);
    if (!n_lv) {
        civ_where w = {.field = "lo-80"};
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w, "the forecasts have no interval columns (lo-L, hi-L): "
                                                       "forecast with levels");
    }
    civ_frequency freq = civ_panel_frequency(actuals);
    size_t n = civ_table_n_rows(fc), row = 0, id_rows = 0, c_model;
    int has_model = civ_table_find_column(fc, "model", &c_model) == CIV_OK &&
                    civ_table_column_type(fc, c_model) == CIV_COLUMN_TEXT; /* several models' rows are not twins */
    civ_clear_error();
    civ_table *t = NULL;
    if ((st = demand_table(has_model, &t)))
        return st;
    checked_row *seen = malloc((n ? n : 1) * sizeof *seen);
    if (!seen)
        st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory to check %zu forecast rows", n);
    for (size_t r = 0; !st && r < n; r++) {
        char b[64], db[64];
        const char *id = civ_mon_cell_text(fc, r, cols[0], b, sizeof b);
        size_t i, len;
        int64_t p, start;
        const double *v;
        if (civ_panel_find_series(actuals, id, &i)) {
            civ_clear_error();
            continue;
        }
        id_rows++;
        if ((st = row_period(fc, r, cols[1], freq, &p)))
            break;
        civ_panel_series(actuals, i, &v, &len, &start);
        if (p < start || p >= start + (int64_t)len || isnan(v[p - start]))
            continue;
        double x = v[p - start], mean = civ_table_number(fc, r, cols[2]), level = NAN;
        const char *flag = "within";
        for (size_t k = 0; k < n_lv; k++) {
            double a = civ_table_number(fc, r, lo[k]), bnd = civ_table_number(fc, r, hi[k]);
            int out_hi = x > bnd, out_lo = x < a;
            if ((out_hi || out_lo) && (isnan(level) || levels[k] > level))
                level = levels[k], flag = out_hi ? "ahead" : "behind";
        }
        if ((st = civ_table_add_rows(t, 1, NULL)))
            break;
        st = civ_table_set_text(t, row, 0, id);
        st = st ? st : civ_table_set_text(t, row, 1, civ_mon_cell_text(fc, r, cols[1], db, sizeof db));
        st = st ? st : civ_table_set_number(t, row, 2, x);
        st = st ? st : civ_table_set_number(t, row, 3, mean);
        st = st ? st : civ_table_set_number(t, row, 4, mean != 0 ? 100.0 * (x - mean) / mean : NAN);
        st = st ? st : civ_table_set_number(t, row, 5, level);
        st = st ? st : civ_table_set_text(t, row, 6, flag);
        if (has_model)
            st = st ? st : civ_table_set_text(t, row, 7, civ_table_text(fc, r, c_model));
        seen[row] = (checked_row){i, r, p, has_model ? civ_table_text(fc, r, c_model) : ""};
        row++;
    }
    if (!st && n && !row)
        st = nothing_checked(fc, cols[0], cols[1], actuals, id_rows);
    if (!st)
        st = duplicate_forecasts(fc, cols[0], cols[1], seen, row);
    free(seen);
    if (st) {
        civ_table_free(t);
        return st;
    }
    *out = t;
    return CIV_OK;
}
