/*
 * demand_rows.c -- alloc layer: which rows of a forecasts table a forecast
 * factor sums (docs/ALLOCATION.md, section 3, "period").
 *
 * Two ways to choose them:
 *   - period = "fiscal_year" (the default): the rows whose date (ds) falls in
 *     the spec's fiscal_year, e.g. the twelve months 2026-01..2026-12 of the
 *     2026 fund, whatever step ahead they are; every community needs every
 *     period of the year (monthly 12, quarterly 4, yearly 1, weekly the
 *     weeks whose date falls in the year, daily 365 or 366);
 *   - period = "horizon" (or a spec that gives `horizon = N`): the steps
 *     h = 1..N whatever their dates (before 2026-12-05 the only way).
 * Each read row gets its community (id order) and a slot 0..n_slots-1 (the
 * step, or the period within the year), so that the binder (bind.c) can
 * refuse a period given twice and count what is missing, and the Monte Carlo
 * (uncertainty.c) visits exactly the same rows.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "c_locale.h"
#include "table.h"
#include "date.h"
#include "strmap.h"
#include "text.h"

/* Whom the rows may name: the spec, and the communities (ids, a map of them). */
typedef struct demand_ctx {
    const civ_alloc_spec *spec;
    char *const *ids;
    size_t n;
} demand_ctx;

void civ_alloc_demand_rows_free(civ_alloc_demand_rows *d)
{
    if (!d)
        return;
    free(d->community);
    free(d->slot);
    memset(d, 0, sizeof *d);
}

/* The forecasts' columns a factor reads: unique_id, the optional model and h. */
typedef struct fc_columns {
    size_t id, h, model, ds;
    const double *hv; /* NULL: no number column h */
} fc_columns;

static civ_status find_columns(const demand_ctx *p, const civ_table *fc, const civ_alloc_factor *f,
                               fc_columns *c)
{
    const civ_alloc_spec *s = p->spec;
    civ_where at = {.file = s->path, .line = f->loc.line, .column = f->loc.column, .field = f->name};
    c->model = c->ds = SIZE_MAX;
    c->hv = NULL;
    if (civ_table_find_column(fc, "unique_id", &c->id) || !civ_table_text(fc, 0, c->id))
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &at, "forecasts need a text column 'unique_id'");
    if (!civ_table_find_column(fc, "h", &c->h))
        c->hv = civ_table_numbers(fc, c->h);
    if (civ_table_find_column(fc, "model", &c->model) || !civ_table_text(fc, 0, c->model))
        c->model = SIZE_MAX;
    if (civ_table_find_column(fc, "ds", &c->ds))
        c->ds = SIZE_MAX;
    civ_clear_error();
    if (f->model && c->model == SIZE_MAX)
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &at,
                           "factor '%s' names model '%s' but the forecasts have no 'model' column", f->name, f->model);
    if (f->horizon > 0 && !c->hv)
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &at,
                           "forecasts need a text column 'unique_id' and a number column 'h' (factor '%s' sums the "
                           "steps h = 1..%ld)",
                           f->name, f->horizon);
    if (!f->horizon && c->ds == SIZE_MAX)
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &at,
                           "factor '%s' sums the forecasts of fiscal year %ld by their dates, but the forecasts have "
                           "no 'ds' column; give the dates, or sum the first steps with horizon = 12 in the factor",
                           f->name, s->fiscal_year);
    return CIV_OK;
}

/* Row r of the forecasts table for an error about its column col (field): w gets the table's file and, for a
 * CSV file, the line a spreadsheet counts and the column; `row` the words for the message (civ_table_row_words:
 * "line 26" of a CSV file, "row 24" of a DataFrame as iloc counts, else "data row 25").  For the error path
 * only: a CSV file's line is found by reading the file again (civ_csv_record_line). */
static void fc_row(const civ_table *fc, size_t r, size_t col, const char *field, civ_where *w, char *row, size_t size)
{
    long line = civ_table_row_words(fc, r, row, size);
    *w = (civ_where){.file = civ_table_source(fc, NULL), .line = line, .column = line ? (long)col + 1 : 0,
                     .field = field};
}

/* "; it has spaces around it: the communities table has 'X' ..." when id, trimmed of spaces and tabs, is a
 * community (a code Excel kept with a trailing space); "" otherwise. */
static const char *space_hint(const char *id, const civ_strmap *idmap, char *buf, size_t size)
{
    size_t a = 0, b = strlen(id), i;
    while (a < b && (id[a] == ' ' || id[a] == '\t'))
        a++;
    while (b > a && (id[b - 1] == ' ' || id[b - 1] == '\t'))
        b--;
    char trimmed[256];
    buf[0] = '\0';
    if ((a == 0 && b == strlen(id)) || b - a >= sizeof trimmed)
        return buf;
    memcpy(trimmed, id + a, b - a);
    trimmed[b - a] = '\0';
    if (civ_strmap_get(idmap, trimmed, &i))
        civ_snprintf(buf, size, "; it has spaces around it: the communities table has '%s': delete the spaces (in "
                     "Excel, =TRIM() or Find and Replace)", trimmed);
    return buf;
}

/* Pass 1: the model filter and the community of every row (SIZE_MAX = another
 * model's row); an id that is no community is an error. */
static civ_status place_rows(const civ_table *fc, const civ_alloc_factor *f, const civ_strmap *idmap,
                             const fc_columns *c, civ_alloc_demand_rows *d)
{
    size_t nr = civ_table_n_rows(fc);
    d->n_matched = 0;
    for (size_t r = 0; r < nr; r++) {
        d->community[r] = d->slot[r] = SIZE_MAX;
        if (f->model && strcmp(civ_table_text(fc, r, c->model), f->model))
            continue;
        d->n_matched++;
        const char *id = civ_table_text(fc, r, c->id);
        size_t i;
        if (!civ_strmap_get(idmap, id, &i)) {
            civ_where w;
            char hint[600] = "", row[48];
            fc_row(fc, r, c->id, "unique_id", &w, row, sizeof row);
            w.series_id = id;
            const char *twin = civ_id_zero_twin(id, idmap->keys, idmap->capacity);
            if (twin)
                civ_id_zero_hint(id, twin, "the communities table", hint, sizeof hint);
            else
                space_hint(id, idmap, hint, sizeof hint);
            return civ_fail_at(CIV_ERR_NOT_FOUND, &w, "forecasts %s: unknown community '%s'%s", row, id, hint);
        }
        d->community[r] = i;
    }
    return CIV_OK;
}

/* period = "horizon": slot h - 1 for h = 1..horizon. */
static civ_status slots_by_step(const civ_table *fc, const civ_alloc_factor *f, const fc_columns *c,
                                civ_alloc_demand_rows *d)
{
    d->n_slots = (size_t)f->horizon;
    for (size_t r = 0; r < civ_table_n_rows(fc); r++) {
        if (d->community[r] == SIZE_MAX)
            continue;
        double h = c->hv[r];
        if (!(h >= 1) || h != floor(h)) {
            civ_where w;
            char row[48];
            fc_row(fc, r, c->h, "h", &w, row, sizeof row);
            w.series_id = civ_table_text(fc, r, c->id);
            return civ_fail_at(CIV_ERR_DOMAIN, &w, "forecasts %s: horizon h = %g is not a whole number >= 1", row, h);
        }
        if (h <= (double)f->horizon)
            d->slot[r] = (size_t)h - 1;
    }
    return CIV_OK;
}

/* ---- period = "fiscal_year" ------------------------------------------- */

/* Row r's date: a text ds in any form civ_date_parse reads, or a number
 * column of whole years. */
static civ_status row_date(const civ_table *fc, const fc_columns *c, size_t r, civ_date_form *form, int64_t *v)
{
    const double *num = civ_table_numbers(fc, c->ds);
    civ_where w;
    char row[48];
    if (num) {
        double x = num[r];
        if (!(x >= 1 && x <= 9999) || x != floor(x)) {
            fc_row(fc, r, c->ds, "ds", &w, row, sizeof row); /* on the error path only: it reads the file again */
            w.series_id = civ_table_text(fc, r, c->id);
            return civ_fail_at(CIV_ERR_DATE, &w, "forecasts %s: ds %g is not a date nor a year", row, x);
        }
        *form = CIV_DATE_YEAR, *v = (int64_t)x;
        return CIV_OK;
    }
    const char *ds = civ_table_text(fc, r, c->ds);
    if (civ_date_parse(ds, strlen(ds), form, v)) {
        civ_clear_error();
        fc_row(fc, r, c->ds, "ds", &w, row, sizeof row);
        w.series_id = civ_table_text(fc, r, c->id);
        return civ_fail_at(CIV_ERR_DATE, &w, "forecasts %s: bad date '%s' in ds", row, ds);
    }
    return CIV_OK;
}

/* The frequency of the rows' dates (day dates: inferred from their spacing per
 * community, as a panel's). */
static civ_status date_frequency(const demand_ctx *p, const civ_table *fc, const fc_columns *c,
                                 civ_alloc_demand_rows *d, int64_t *val, civ_date_form *form_out)
{
    size_t nr = civ_table_n_rows(fc), first = SIZE_MAX, n_days = 0;
    civ_date_form form = 0;
    civ_status st = CIV_OK;
    for (size_t r = 0; r < nr; r++) {
        if (d->community[r] == SIZE_MAX)
            continue;
        civ_date_form fr;
        CIV_TRY(row_date(fc, c, r, &fr, &val[r]));
        if (first == SIZE_MAX)
            first = r, form = fr;
        else if (fr != form) {
            civ_where w = {.series_id = civ_table_text(fc, r, c->id), .field = "ds"};
            return civ_fail_at(CIV_ERR_DATE, &w,
                               "forecasts rows %zu and %zu: ds '%s' and '%s' are dates of different kinds (a month, "
                               "a quarter, a day, ...); one file holds one frequency",
                               civ_table_row_number(fc, first), civ_table_row_number(fc, r),
                               civ_table_text(fc, first, c->ds), civ_table_text(fc, r, c->ds));
        }
        n_days += fr == CIV_DATE_DAY;
    }
    *form_out = form;
    int64_t *days = NULL;
    size_t *series = NULL, m = 0;
    if (form == CIV_DATE_DAY) {
        days = malloc((n_days + 1) * sizeof *days);
        series = malloc((n_days + 1) * sizeof *series);
        if (!days || !series)
            st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading the forecasts' dates");
        for (size_t r = 0; r < nr && !st; r++)
            if (d->community[r] != SIZE_MAX)
                days[m] = val[r], series[m++] = d->community[r];
    }
    if (!st)
        st = civ_alloc_dates_frequency(form, days, series, m, p->n, (const char *const *)p->ids, &d->freq,
                                       &d->phase);
    free(days), free(series);
    return st;
fail:
    return st;
}

civ_status civ_alloc_dates_frequency(civ_date_form form, const int64_t *days, const size_t *series, size_t m,
                                     size_t n_series, const char *const *ids, civ_frequency *freq, int *phase)
{
    *phase = 0;
    if (form != CIV_DATE_DAY) {
        *freq = form == CIV_DATE_YEAR ? CIV_FREQ_YEARLY : form == CIV_DATE_QUARTER ? CIV_FREQ_QUARTERLY
                                                                                   : CIV_FREQ_MONTHLY;
        return CIV_OK;
    }
    civ_date_anchor anchor;
    civ_status st = civ_dates_infer(days, series, m, n_series, ids, NULL, freq, phase, &anchor);
    if (st) {
        char msg[700];
        civ_snprintf(msg, sizeof msg, "the forecasts' dates (ds): %s", civ_last_error()->message);
        st = civ_fail(st, "%s", msg);
    }
    return st;
}

/* The period index of a date and the fiscal year's first period and count. */
static int64_t period_of(const civ_alloc_demand_rows *d, civ_date_form form, int64_t v)
{
    if (form != CIV_DATE_DAY)
        return v; /* year, 4 y + q, 12 y + m: the period itself */
    int64_t per = 0;
    civ_date_to_period(d->freq, d->phase, v, &per); /* freq and phase valid: no error */
    return per;
}

long civ_alloc_date_year(civ_date_form form, int64_t v)
{
    if (form == CIV_DATE_YEAR)
        return (long)v;
    if (form == CIV_DATE_QUARTER || form == CIV_DATE_MONTH) {
        int64_t k = form == CIV_DATE_QUARTER ? 4 : 12;
        return (long)((v - (((v % k) + k) % k)) / k);
    }
    int64_t y;
    unsigned m, dd;
    civ_civil_from_days(v, &y, &m, &dd);
    return (long)y;
}

void civ_alloc_year_periods(civ_frequency freq, int phase, long year, int64_t *first, size_t *n)
{
    int64_t jan1 = civ_days_from_civil(year, 1, 1), dec25 = civ_days_from_civil(year, 12, 25), last = 0;
    switch (freq) {
    case CIV_FREQ_YEARLY: *first = year, *n = 1; return;
    case CIV_FREQ_QUARTERLY: *first = 4 * (int64_t)year, *n = 4; return;
    case CIV_FREQ_MONTHLY: *first = 12 * (int64_t)year, *n = 12; return;
    case CIV_FREQ_DAILY: *first = jan1, *n = (size_t)(civ_days_from_civil(year + 1, 1, 1) - jan1); return;
    default: /* weekly: the weeks whose date (their last day) falls in the year */
        civ_date_to_period(freq, phase, jan1, first);
        civ_date_to_period(freq, phase, dec25, &last);
        *n = (size_t)(last - *first + 1);
    }
}

/* The steps ahead that reach the year's last period, from row r (h known). */
static long steps_to_year_end(const civ_alloc_demand_rows *d, const fc_columns *c, size_t r, int64_t per)
{
    if (!c->hv || !(c->hv[r] >= 1))
        return 0;
    int64_t origin = per - (int64_t)c->hv[r], end = d->first_period + (int64_t)d->n_slots - 1;
    return end > origin ? (long)(end - origin) : 0;
}

/* No read row falls in the fiscal year: say where the forecasts are. */
static civ_status year_not_covered(const demand_ctx *p, const civ_table *fc, const civ_alloc_factor *f,
                                   const fc_columns *c, const civ_alloc_demand_rows *d, size_t r_min, size_t r_max,
                                   int64_t p_max)
{
    const civ_alloc_spec *s = p->spec;
    civ_where at = {.file = s->path, .line = f->loc.line, .column = f->loc.column, .field = f->name};
    char a[24] = "", b[24] = "", end[24] = "";
    civ_period_format(d->freq, d->phase, period_of(d, d->form, d->value[r_min]), a, sizeof a);
    civ_period_format(d->freq, d->phase, p_max, b, sizeof b);
    civ_period_format(d->freq, d->phase, d->first_period + (int64_t)d->n_slots - 1, end, sizeof end);
    civ_clear_error();
    if (p_max < d->first_period) {
        long h = steps_to_year_end(d, c, r_max, p_max);
        char hint[48] = "";
        if (h)
            civ_snprintf(hint, sizeof hint, " (horizon = %ld)", h);
        return civ_fail_at(CIV_ERR_NOT_FOUND, &at,
                           "factor '%s' sums the forecasts of fiscal year %ld, but they cover %s..%s and end before "
                           "it: forecast further ahead, through %s%s; or, to sum the first 12 steps whatever their "
                           "dates, write horizon = 12 in the factor",
                           f->name, s->fiscal_year, a, b, end, hint);
    }
    return civ_fail_at(CIV_ERR_NOT_FOUND, &at,
                       "factor '%s' sums the forecasts of fiscal year %ld, but they cover %s..%s and start after it: "
                       "check [budget] fiscal_year, or sum the first steps with horizon = 12 in the factor",
                       f->name, s->fiscal_year, a, b);
}

static civ_status slots_by_date(const demand_ctx *p, const civ_table *fc, const civ_alloc_factor *f,
                                const fc_columns *c, civ_alloc_demand_rows *d)
{
    size_t nr = civ_table_n_rows(fc), r_min = SIZE_MAX, r_max = SIZE_MAX, in_year = 0;
    int64_t p_min = INT64_MAX, p_max = INT64_MIN;
    d->value = malloc((nr + 1) * sizeof *d->value);
    if (!d->value)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading the forecasts' dates");
    civ_status st = date_frequency(p, fc, c, d, d->value, &d->form);
    if (st)
        return st;
    civ_alloc_year_periods(d->freq, d->phase, p->spec->fiscal_year, &d->first_period, &d->n_slots);
    for (size_t r = 0; r < nr; r++) {
        if (d->community[r] == SIZE_MAX)
            continue;
        int64_t per = period_of(d, d->form, d->value[r]);
        if (per < p_min)
            p_min = per, r_min = r;
        if (per > p_max)
            p_max = per, r_max = r;
        if (civ_alloc_date_year(d->form, d->value[r]) != p->spec->fiscal_year)
            continue;
        d->slot[r] = (size_t)(per - d->first_period);
        if (d->slot[r] >= d->n_slots) /* cannot happen: the period is in the year */
            return civ_fail(CIV_ERR_INTERNAL, "forecasts row %zu: period outside fiscal year %ld", r + 1,
                            p->spec->fiscal_year);
        in_year++;
        long h = steps_to_year_end(d, c, r, per);
        if (h > d->horizon_to_end)
            d->horizon_to_end = h;
    }
    if (r_max != SIZE_MAX && !d->horizon_to_end)
        d->horizon_to_end = steps_to_year_end(d, c, r_max, p_max);
    if (!in_year && r_min != SIZE_MAX)
        return year_not_covered(p, fc, f, c, d, r_min, r_max, p_max);
    return CIV_OK;
}

civ_status civ_alloc_demand_rows_select(const civ_alloc_spec *spec, char *const *ids, size_t n_ids,
                                        const civ_strmap *idmap, const civ_table *fc, const civ_alloc_factor *f,
                                        civ_alloc_demand_rows *d)
{
    const demand_ctx ctx = {spec, ids, n_ids}, *p = &ctx;
    memset(d, 0, sizeof *d);
    fc_columns c;
    civ_status st = find_columns(p, fc, f, &c);
    if (st)
        return st;
    size_t nr = civ_table_n_rows(fc);
    d->community = malloc((nr + 1) * sizeof *d->community);
    d->slot = malloc((nr + 1) * sizeof *d->slot);
    if (!d->community || !d->slot)
        st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory placing the forecast rows of factor '%s'", f->name);
    if (!st)
        st = place_rows(fc, f, idmap, &c, d);
    if (!st && f->model && !d->n_matched) {
        civ_where at = {.file = p->spec->path, .line = f->loc.line, .column = f->loc.column, .field = f->name};
        st = civ_fail_at(CIV_ERR_NOT_FOUND, &at, "factor '%s': no forecast rows for model '%s'", f->name, f->model);
    }
    if (!st)
        st = f->horizon > 0 ? slots_by_step(fc, f, &c, d) : slots_by_date(p, fc, f, &c, d);
    free(d->value);
    d->value = NULL;
    if (st)
        civ_alloc_demand_rows_free(d);
    return st;
}

void civ_alloc_demand_rows_period(const civ_alloc_demand_rows *d, size_t slot, char *buf, size_t size)
{
    if (civ_period_format(d->freq, d->phase, d->first_period + (int64_t)slot, buf, size)) {
        civ_clear_error();
        civ_snprintf(buf, size, "period %zu", slot + 1);
    }
}

int civ_alloc_spec_factor_is_forecast(const civ_alloc_spec *s, size_t k)
{
    return s && k < s->n_factors && s->factors[k].source == CIV_SOURCE_FORECAST;
}

/* The text of forecasts row r's ds as written (a number column: the year). */
static void ds_text(const civ_table *fc, size_t r, char *buf, size_t size)
{
    size_t cd;
    buf[0] = '\0';
    if (civ_table_find_column(fc, "ds", &cd)) {
        civ_clear_error();
        return;
    }
    const double *num = civ_table_numbers(fc, cd);
    if (num)
        civ_snprintf(buf, size, "%.0f", num[r]);
    else
        civ_snprintf(buf, size, "%s", civ_table_text(fc, r, cd));
}

/* The window of selected rows d: first/last period and the h range. */
static void window_of(const civ_alloc_factor *f, const civ_table *fc, const civ_alloc_demand_rows *d,
                      civ_alloc_demand_window *w)
{
    size_t ch, r_first = SIZE_MAX, r_last = SIZE_MAX;
    const double *hv = NULL;
    if (!civ_table_find_column(fc, "h", &ch))
        hv = civ_table_numbers(fc, ch);
    civ_clear_error();
    w->h_first = w->h_last = 0;
    for (size_t r = 0; r < civ_table_n_rows(fc); r++) {
        if (d->slot[r] == SIZE_MAX)
            continue;
        if (r_first == SIZE_MAX || d->slot[r] < d->slot[r_first])
            r_first = r;
        if (r_last == SIZE_MAX || d->slot[r] > d->slot[r_last])
            r_last = r;
        if (hv && hv[r] >= 1) {
            long h = (long)hv[r];
            w->h_first = !w->h_first || h < w->h_first ? h : w->h_first;
            w->h_last = h > w->h_last ? h : w->h_last;
        }
    }
    if (!f->horizon) { /* by date: the year's own first and last period */
        civ_alloc_demand_rows_period(d, 0, w->first, sizeof w->first);
        civ_alloc_demand_rows_period(d, d->n_slots - 1, w->last, sizeof w->last);
    } else if (r_first != SIZE_MAX) {
        ds_text(fc, r_first, w->first, sizeof w->first);
        ds_text(fc, r_last, w->last, sizeof w->last);
    }
}

civ_status civ_alloc_spec_demand_window(const civ_alloc_spec *s, size_t k, const civ_table *fc,
                                        civ_alloc_demand_window *w)
{
    if (!s || !fc || !w || !civ_alloc_spec_factor_is_forecast(s, k))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_spec_demand_window: NULL argument, or factor %zu is "
                                                  "not a forecast factor",
                        k);
    memset(w, 0, sizeof *w);
    const civ_alloc_factor *f = &s->factors[k];
    size_t cid, nr = civ_table_n_rows(fc), n = 0;
    if (civ_table_find_column(fc, "unique_id", &cid) || !civ_table_text(fc, 0, cid))
        return civ_fail(CIV_ERR_MISSING_COLUMN, "forecasts need a text column 'unique_id'");
    /* every id of the forecasts is a community here: the window, not the binding */
    char **ids = malloc((nr + 1) * sizeof *ids);
    civ_strmap map = {0};
    civ_alloc_demand_rows d = {0};
    civ_status st = ids ? CIV_OK : civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the forecasts' ids");
    for (size_t r = 0; r < nr && !st; r++) {
        size_t old;
        char *id = (char *)civ_table_text(fc, r, cid);
        st = civ_strmap_put(&map, id, n, &old);
        if (st == CIV_ERR_DUPLICATE)
            st = CIV_OK;
        else if (!st)
            ids[n++] = id;
    }
    if (!st)
        st = civ_alloc_demand_rows_select(s, ids, n, &map, fc, f, &d);
    if (!st) {
        w->period_by_date = f->horizon == 0;
        w->fiscal_year = s->fiscal_year;
        w->periods = d.n_slots;
        window_of(f, fc, &d, w);
    }
    civ_alloc_demand_rows_free(&d);
    civ_strmap_free(&map);
    free(ids);
    return st;
}
