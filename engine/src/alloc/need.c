/*
 * need.c -- alloc layer: the multi-year budget need: a subsidy standard per unit of
 * demand (e.g. yuan per meal), indexed every few years, times the forecast
 * demand of each calendar year.  Money stays in integer minor units: the
 * standard is read digit by digit, the index rate as an exact decimal
 * fraction, and each indexation step rounds half away from zero in 128-bit
 * integer arithmetic, as published standards are stated in whole fen at
 * each step.  The [need] section is read with the allocation spec's TOML
 * subset reader (io/toml.c).  docs/ALLOCATION.md, "Multi-year need".
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "c_locale.h"
#include "table.h"

struct civ_alloc_need {
    char *path;
    int64_t standard;       /* minor units per unit of demand in base_year */
    int64_t rate_num, rate_den; /* index_rate = num / den exactly */
    long every, base_year, first_year, years;
    int64_t minor_unit;
    int minor_digits;
    int not_cny;            /* [budget] currency names another currency */
    char currency[16];      /* [budget] currency (ISO code), else "CNY" */
    char *column, *model;
    int missing_zero;
};

void civ_alloc_need_free(civ_alloc_need *n)
{
    if (!n)
        return;
    free(n->path), free(n->column), free(n->model);
    free(n);
}

static civ_status bad(const civ_alloc_need *n, const civ_toml_entry *e, const char *fmt, const char *a)
{
    civ_where w = {.file = n->path, .line = e->value.line, .column = e->value.column, .field = e->key};
    char msg[1024]; /* room for what rate_as_percent formats (up to 600 bytes) */
    civ_snprintf(msg, sizeof msg, fmt, a);
    return civ_fail_at(CIV_ERR_SPEC, &w, "[need] %s: %s", e->key, msg);
}

static civ_status get_long(const civ_alloc_need *n, civ_toml_table *t, const char *key, long lo, long hi, long *out,
                           int required)
{
    civ_toml_entry *e = civ_toml_take(t, key);
    if (!e) {
        if (!required)
            return CIV_OK;
        civ_where w = {.file = n->path, .line = t->line, .column = t->column, .field = key};
        return civ_fail_at(CIV_ERR_SPEC, &w, "[need]: missing key '%s'", key);
    }
    if (e->value.type != CIV_TOML_INTEGER || e->value.number < (double)lo || e->value.number > (double)hi) {
        char range[64];
        civ_snprintf(range, sizeof range, "%ld..%ld", lo, hi);
        return bad(n, e, "must be a whole number in %s", range);
    }
    *out = (long)e->value.number;
    return CIV_OK;
}

static civ_status get_string(const civ_alloc_need *n, civ_toml_table *t, const char *key, char **out)
{
    civ_toml_entry *e = civ_toml_take(t, key);
    if (!e)
        return CIV_OK;
    if (e->value.type != CIV_TOML_STRING || !e->value.text[0])
        return bad(n, e, "must be a non-empty string%s", "");
    free(*out);
    if (!(*out = strdup(e->value.text)))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    return CIV_OK;
}

/* "0.10" -> 10/100 exactly; at most 9 decimals, no sign, no exponent; with
 * *percent, "10%" -> 10/100 too (the text is a percentage: a '%' ends it). */
static int parse_rate(const char *text, int64_t *num, int64_t *den, int *percent)
{
    int64_t v = 0, d = 1;
    int nd = 0, frac = 0;
    const char *p = text;
    size_t len = strlen(text);
    *percent = len > 1 && text[len - 1] == '%';
    for (; *p && !(*percent && p == text + len - 1); p++) {
        if (*p == '.' && !frac) {
            frac = 1;
            continue;
        }
        if (*p < '0' || *p > '9')
            return -1;
        if (v > INT64_C(100000000000))
            return -1;
        v = v * 10 + (*p - '0');
        nd++;
        if (frac) {
            d *= 10;
            if (d > INT64_C(1000000000))
                return -1;
        }
    }
    if (!nd || (*percent && d > INT64_C(10000000)))
        return -1;
    *num = v, *den = *percent ? 100 * d : d;
    return 0;
}

/* index_rate written as a plain number >= 1 (the standard doubling or more
 * at every step): a percentage written for a fraction, "index_rate = 3"
 * meant +3%; the message says what it would have done and the cure. */
static civ_status rate_as_percent(const civ_alloc_need *n, const civ_toml_entry *e)
{
    double v = (double)n->rate_num / (double)n->rate_den;
    char cure[300], was[64], would[64], example[200] = "", msg[600];
    civ_alloc_rate_cure("index_rate", v, 1000, cure, sizeof cure);
    if (v < 100) { /* a standard of at most 2^53 minor units times 101 stays in int64 */
        civ_alloc_format_major(n->standard, n->minor_digits, was, sizeof was);
        civ_alloc_format_major((int64_t)llround((double)n->standard * (1 + v)), n->minor_digits, would,
                               sizeof would);
        civ_snprintf(example, sizeof example, " (standard_per_meal %s would become %s at the first step)", was, would);
    }
    civ_snprintf(msg, sizeof msg, "%s would raise the standard by %.15g%% at every indexation step%s: %s",
                 e->value.text, 100 * v, example, cure);
    return bad(n, e, "%s", msg);
}

/* The minor unit: [need] minor_unit, else [budget] minor_unit, else 100;
 * also [budget] currency (n->not_cny, n->currency). */
static civ_status read_minor_unit(civ_alloc_need *n, civ_toml_doc *doc, civ_toml_table *t)
{
    long minor = 100;
    for (size_t i = 1; i < doc->n_tables; i++) {
        if (strcmp(doc->tables[i].name, "budget") || doc->tables[i].is_array)
            continue;
        for (size_t k = 0; k < doc->tables[i].n_entries; k++) {
            const civ_toml_entry *e = &doc->tables[i].entries[k];
            if (!strcmp(e->key, "minor_unit") && e->value.type == CIV_TOML_INTEGER)
                minor = (long)e->value.number;
            else if (!strcmp(e->key, "currency") && e->value.type == CIV_TOML_STRING) {
                n->not_cny = strcmp(e->value.text, "CNY") != 0;
                civ_snprintf(n->currency, sizeof n->currency, "%.15s", e->value.text);
            }
        }
    }
    civ_status st;
    if ((st = get_long(n, t, "minor_unit", 1, 1000, &minor, 0)))
        return st;
    if (minor != 1 && minor != 10 && minor != 100 && minor != 1000) {
        civ_where w = {.file = n->path, .line = t->line, .column = t->column, .field = "minor_unit"};
        return civ_fail_at(CIV_ERR_SPEC, &w, "[need] minor_unit must be 1, 10, 100 or 1000, not %ld", minor);
    }
    n->minor_unit = minor;
    n->minor_digits = minor == 1 ? 0 : minor == 10 ? 1 : minor == 100 ? 2 : 3;
    return CIV_OK;
}

/* standard_per_meal: required, an amount in major units, positive. */
static civ_status read_standard(civ_alloc_need *n, civ_toml_table *t)
{
    civ_toml_entry *e = civ_toml_take(t, "standard_per_meal");
    if (!e) {
        civ_where w = {.file = n->path, .line = t->line, .column = t->column, .field = "standard_per_meal"};
        return civ_fail_at(CIV_ERR_SPEC, &w, "[need]: missing key 'standard_per_meal' (money per unit of demand)");
    }
    if (e->value.type == CIV_TOML_BOOL || e->value.type == CIV_TOML_ARRAY)
        return bad(n, e, "must be an amount in major units, e.g. 8.00%s", "");
    civ_where wm = {.file = n->path, .line = e->value.line, .column = e->value.column, .field = e->key};
    civ_status st;
    if ((st = civ_alloc_parse_money(e->value.text, n->minor_digits, &n->standard, &wm)))
        return st;
    if (n->standard <= 0)
        return bad(n, e, "must be positive%s", "");
    return CIV_OK;
}

/* index_rate: optional (0), a plain decimal fraction or a percentage with its sign. */
static civ_status read_index_rate(civ_alloc_need *n, civ_toml_table *t)
{
    civ_toml_entry *e;
    n->rate_num = 0, n->rate_den = 1;
    if ((e = civ_toml_take(t, "index_rate"))) {
        int percent = 0;
        if ((e->value.type != CIV_TOML_INTEGER && e->value.type != CIV_TOML_FLOAT &&
             e->value.type != CIV_TOML_STRING) ||
            parse_rate(e->value.text, &n->rate_num, &n->rate_den, &percent))
            return bad(n, e, "must be a plain decimal >= 0 with at most 9 decimals (e.g. 0.10) or a percentage "
                       "with its sign (\"10%%\"), not '%s'", e->value.text ? e->value.text : "?");
        if (!percent && n->rate_num >= n->rate_den)
            return rate_as_percent(n, e);
        if (n->rate_num > 10 * n->rate_den)
            return bad(n, e, "must be at most \"1000%%\" (the standard times 11 at every step), not '%s'",
                       e->value.text);
    }
    return CIV_OK;
}

/* index_every_years, base_year (required), first_year and years. */
static civ_status read_years(civ_alloc_need *n, civ_toml_table *t)
{
    civ_status st;
    n->every = 1;
    if ((st = get_long(n, t, "index_every_years", 1, 100, &n->every, 0)) ||
        (st = get_long(n, t, "base_year", 1900, 9999, &n->base_year, 1)))
        return st;
    n->first_year = n->base_year;
    n->years = 1;
    if ((st = get_long(n, t, "first_year", 1900, 9999, &n->first_year, 0)) ||
        (st = get_long(n, t, "years", 1, 100, &n->years, 0)))
        return st;
    if (n->first_year < n->base_year) {
        civ_where w = {.file = n->path, .line = t->line, .column = t->column, .field = "first_year"};
        return civ_fail_at(CIV_ERR_SPEC, &w, "[need] first_year %ld is before base_year %ld", n->first_year,
                           n->base_year);
    }
    return CIV_OK;
}

/* column (default "mean"), model and if_missing ("error" or "zero"). */
static civ_status read_source(civ_alloc_need *n, civ_toml_table *t)
{
    civ_status st;
    if ((st = get_string(n, t, "column", &n->column)) || (st = get_string(n, t, "model", &n->model)))
        return st;
    if (!n->column && !(n->column = strdup("mean")))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    char *miss = NULL;
    if ((st = get_string(n, t, "if_missing", &miss)))
        return st;
    if (miss) {
        int ok = !strcmp(miss, "zero") || !strcmp(miss, "error");
        n->missing_zero = !strcmp(miss, "zero");
        free(miss);
        if (!ok)
            return bad(n, civ_toml_take(t, "if_missing"), "must be \"error\" or \"zero\"%s", "");
    }
    return CIV_OK;
}

/* Unknown keys of [need], then the last standard must fit comfortably in int64. */
static civ_status check_rest(civ_alloc_need *n, civ_toml_table *t)
{
    for (size_t i = 0; i < t->n_entries; i++)
        if (!t->entries[i].used) {
            civ_where w = {.file = n->path, .line = t->entries[i].line, .column = t->entries[i].column,
                           .field = t->entries[i].key};
            return civ_fail_at(CIV_ERR_SPEC, &w,
                               "[need]: unknown key '%s' (allowed: standard_per_meal, index_rate, "
                               "index_every_years, base_year, first_year, years, minor_unit, column, model, "
                               "if_missing)",
                               t->entries[i].key);
        }
    if (civ_alloc_need_standard(n, n->first_year + n->years - 1) < 0) {
        civ_where w = {.file = n->path, .line = t->line, .column = t->column, .field = "index_rate"};
        return civ_fail_at(CIV_ERR_SPEC, &w, "[need]: the indexed standard overflows by year %ld",
                           n->first_year + n->years - 1);
    }
    return CIV_OK;
}

/* Reads [need] of doc into n, key by key in the order the messages have always come. */
static civ_status build(civ_alloc_need *n, civ_toml_doc *doc)
{
    civ_toml_table *t = NULL;
    for (size_t i = 1; i < doc->n_tables; i++)
        if (!strcmp(doc->tables[i].name, "need") && !doc->tables[i].is_array)
            t = &doc->tables[i];
    civ_where w0 = {.file = n->path, .field = "need"};
    if (!t)
        return civ_fail_at(CIV_ERR_NOT_FOUND, &w0, "no [need] section");
    civ_status st;
    if ((st = read_minor_unit(n, doc, t)) || (st = read_standard(n, t)) || (st = read_index_rate(n, t)) ||
        (st = read_years(n, t)) || (st = read_source(n, t)))
        return st;
    return check_rest(n, t);
}

civ_status civ_alloc_need_parse(const char *text, size_t len, const char *name, civ_alloc_need **out)
{
    if (!text || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_need_parse: NULL argument");
    *out = NULL;
    civ_alloc_need *n = calloc(1, sizeof *n);
    if (!n || !(n->path = strdup(name ? name : "(need)"))) {
        free(n);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    }
    civ_toml_doc doc;
    memset(&doc, 0, sizeof doc);
    civ_status st = civ_toml_parse(text, len, n->path, &doc);
    if (!st)
        st = build(n, &doc);
    civ_toml_free(&doc);
    if (st) {
        civ_alloc_need_free(n);
        return st;
    }
    *out = n;
    return CIV_OK;
}

civ_status civ_alloc_need_read(const char *path, civ_alloc_need **out)
{
    if (!path || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_need_read: NULL argument");
    char *buf = NULL;
    size_t len = 0;
    civ_status st = civ_toml_read_text(path, "need specification", &buf, &len);
    if (st)
        return st;
    st = civ_alloc_need_parse(buf, len, path, out);
    free(buf);
    return st;
}

long civ_alloc_need_first_year(const civ_alloc_need *n)
{
    return n ? n->first_year : 0;
}

long civ_alloc_need_years(const civ_alloc_need *n)
{
    return n ? n->years : 0;
}

int64_t civ_alloc_need_minor_unit(const civ_alloc_need *n)
{
    return n ? n->minor_unit : 0;
}

const char *civ_alloc_need_currency(const civ_alloc_need *n)
{
    return !n ? NULL : n->currency[0] ? n->currency : "CNY";
}

/* round(a * b / c) half away from zero, a, b, c > 0, in 128-bit integers */
static __int128 div_round(__int128 a, __int128 c)
{
    return (2 * a + c) / (2 * c);
}

int64_t civ_alloc_need_standard(const civ_alloc_need *n, long year)
{
    if (!n || year < n->base_year)
        return -1;
    long k = (year - n->base_year) / n->every;
    __int128 s = n->standard;
    for (long j = 0; j < k; j++) {
        s = div_round(s * (n->rate_den + n->rate_num), n->rate_den);
        if (s > (__int128)INT64_MAX / 4)
            return -1;
    }
    return (int64_t)s;
}

typedef struct nrow {
    const char *id, *ds;
    long year;
    double demand;
    size_t row;         /* file order breaks ties, so demand sums in file order */
    size_t shown;       /* the number errors call the row by (civ_table_row_number: from 0 in a DataFrame) */
    civ_date_form form; /* of the date: its period is value (day dates: value is the day) */
    int64_t value;
} nrow;

static int cmp_nrow(const void *a, const void *b)
{
    const nrow *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    if (c)
        return c;
    if (x->year != y->year)
        return (x->year > y->year) - (x->year < y->year);
    if ((c = strcmp(x->ds, y->ds)))
        return c;
    return (x->row > y->row) - (x->row < y->row);
}

static int same_key(const nrow *x, const nrow *y)
{
    return x->year == y->year && !strcmp(x->id, y->id);
}

/* The forecast columns the need reads (unique_id, ds, the demand column and
 * the optional model column; *cm = SIZE_MAX without one). */
static civ_status need_columns(const civ_alloc_need *n, const civ_table *fc, size_t *cid, size_t *cds, size_t *cv,
                               size_t *cm)
{
    if (civ_table_find_column(fc, "unique_id", cid) || civ_table_find_column(fc, "ds", cds))
        return civ_fail(CIV_ERR_MISSING_COLUMN, "need: the forecasts need columns unique_id and ds");
    if (civ_table_column_type(fc, *cid) != CIV_COLUMN_TEXT) {
        civ_where w = {.field = "unique_id"};
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w,
                           "need: the forecasts' unique_id column holds numbers, not ids: read it as text "
                           "(civ_table_read_options.text_columns = {\"unique_id\", \"ds\", \"model\"}, as "
                           "`civicast need` does), so that codes keep their text");
    }
    if (civ_table_find_column(fc, n->column, cv) || !civ_table_numbers(fc, *cv)) {
        civ_where w = {.field = n->column};
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w, "need: the forecasts have no number column '%s'", n->column);
    }
    if (civ_table_find_column(fc, "model", cm) || !civ_table_text(fc, 0, *cm))
        *cm = SIZE_MAX;
    civ_clear_error();
    if (n->model && *cm == SIZE_MAX)
        return civ_fail(CIV_ERR_MISSING_COLUMN, "need: model '%s' is named but the forecasts have no model column",
                        n->model);
    return CIV_OK;
}

/* The frequency of the rows' dates (day dates: inferred per community, as a
 * panel's); rows sorted by id. */
static civ_status rows_frequency(const nrow *rows, size_t m, civ_frequency *freq, int *phase)
{
    *phase = 0;
    for (size_t a = 1; a < m; a++)
        if (rows[a].form != rows[0].form) {
            civ_where w = {.series_id = rows[a].id, .field = "ds"};
            return civ_fail_at(CIV_ERR_DATE, &w,
                               "need: forecasts rows %zu and %zu: ds '%s' and '%s' are dates of different kinds (a "
                               "month, a quarter, a day, ...); one file holds one frequency",
                               rows[0].shown, rows[a].shown, rows[0].ds, rows[a].ds);
        }
    int64_t *days = NULL;
    size_t *series = NULL, k = 0;
    civ_status st = CIV_OK;
    if (rows[0].form == CIV_DATE_DAY) {
        days = malloc(m * sizeof *days);
        series = malloc(m * sizeof *series);
        if (!days || !series)
            st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "need: out of memory");
        for (size_t a = 0; a < m && !st; a++) {
            k += a > 0 && strcmp(rows[a].id, rows[a - 1].id);
            days[a] = rows[a].value, series[a] = k;
        }
    }
    if (!st && (st = civ_alloc_dates_frequency(rows[0].form, days, series, m, k + 1, NULL, freq, phase))) {
        char msg[760];
        civ_snprintf(msg, sizeof msg, "need: %s", civ_last_error()->message);
        st = civ_fail(st, "%s", msg);
    }
    free(days), free(series);
    return st;
}

/* A year the forecasts enter or leave part-way would be a fraction of its
 * need (a 30-month horizon gave half of 2027's need, and exit 0): every
 * community's year must hold every period of the year. */
static civ_status whole_years(const nrow *rows, size_t m)
{
    if (!m)
        return CIV_OK;
    civ_frequency freq;
    int phase;
    civ_status st = rows_frequency(rows, m, &freq, &phase);
    if (st)
        return st;
    for (size_t a = 0; a < m;) {
        size_t b = a;
        int64_t lo = INT64_MAX, hi = INT64_MIN, first;
        size_t want;
        for (; b < m && same_key(&rows[a], &rows[b]); b++) {
            int64_t per = rows[b].value;
            if (rows[b].form == CIV_DATE_DAY)
                civ_date_to_period(freq, phase, rows[b].value, &per);
            lo = per < lo ? per : lo, hi = per > hi ? per : hi;
        }
        civ_alloc_year_periods(freq, phase, rows[a].year, &first, &want);
        if (b - a < want) {
            char p0[24] = "", p1[24] = "", end[24] = "", hint[160];
            civ_period_format(freq, phase, lo, p0, sizeof p0);
            civ_period_format(freq, phase, hi, p1, sizeof p1);
            civ_period_format(freq, phase, first + (int64_t)want - 1, end, sizeof end);
            civ_clear_error();
            if (lo > first && hi == first + (int64_t)want - 1)
                civ_snprintf(hint, sizeof hint, "the forecasts start inside the year (its first periods are history): "
                                                "start the need at the next year ([need] first_year = %ld)",
                             rows[a].year + 1);
            else
                civ_snprintf(hint, sizeof hint, "forecast further ahead, through %s, or cover fewer years ([need] "
                                                "years)", end);
            civ_where w = {.series_id = rows[a].id, .field = "ds"};
            return civ_fail_at(CIV_ERR_NOT_FOUND, &w,
                               "need: community '%s' has forecasts for %zu of the %zu periods of %ld (%s..%s), and a "
                               "year's need sums the whole year: %s",
                               rows[a].id, b - a, want, rows[a].year, p0, p1, hint);
        }
        a = b;
    }
    return CIV_OK;
}

/* The forecast rows of the chosen model inside the need's years, into
 * rows[0..*m) sorted by (id, year, ds, file row); one row per community and
 * period is required. */
static civ_status need_rows(const civ_alloc_need *n, const civ_table *fc, nrow *rows, size_t *m_out)
{
    size_t cid, cds, cv, cm, nr = civ_table_n_rows(fc), m = 0;
    civ_status st = need_columns(n, fc, &cid, &cds, &cv, &cm);
    if (st)
        return st;
    const double *vv = civ_table_numbers(fc, cv);
    const double *dsnum = civ_table_numbers(fc, cds);
    long y0 = n->first_year, y1 = n->first_year + n->years - 1;
    for (size_t r = 0; r < nr; r++) {
        const char *id = civ_table_text(fc, r, cid);
        if (n->model && strcmp(civ_table_text(fc, r, cm), n->model))
            continue;
        long year;
        civ_date_form form = CIV_DATE_YEAR;
        int64_t v = 0;
        if (dsnum) {
            year = dsnum[r] == floor(dsnum[r]) ? (long)dsnum[r] : 0;
            v = year;
        } else {
            const char *ds = civ_table_text(fc, r, cds);
            if (civ_date_parse(ds, strlen(ds), &form, &v)) {
                civ_where w = {.series_id = id, .field = "ds"};
                return civ_fail_at(CIV_ERR_DATE, &w, "need: forecasts row %zu: bad date '%s'",
                                   civ_table_row_number(fc, r), ds);
            }
            year = civ_alloc_date_year(form, v);
        }
        if (year < y0 || year > y1)
            continue;
        double d = vv[r];
        if (isnan(d) && n->missing_zero)
            d = 0;
        if (!isfinite(d) || d < 0) {
            civ_where w = {.series_id = id, .field = n->column};
            return civ_fail_at(CIV_ERR_DOMAIN, &w, "need: forecasts row %zu: '%s' is %s for community '%s'%s",
                               civ_table_row_number(fc, r), n->column,
                               isnan(d) ? "missing" : d < 0 ? "negative" : "infinite", id,
                               isnan(d) ? " (did its forecast fail? if_missing = \"zero\" in [need] counts it as 0)"
                                        : "");
        }
        rows[m].id = id, rows[m].ds = dsnum ? "" : civ_table_text(fc, r, cds), rows[m].year = year, rows[m].demand = d,
        rows[m].row = r, rows[m].shown = civ_table_row_number(fc, r), rows[m].form = form, rows[m].value = v;
        m++;
    }
    qsort(rows, m, sizeof *rows, cmp_nrow);
    /* one forecast per community and period: several models need model = ... */
    for (size_t a = 1; a < m; a++)
        if (same_key(&rows[a - 1], &rows[a]) && (dsnum || !strcmp(rows[a - 1].ds, rows[a].ds))) {
            civ_where w = {.file = n->path, .series_id = rows[a].id, .field = "model"};
            return civ_fail_at(CIV_ERR_SPEC, &w,
                               "need: community '%s' has several forecasts for period '%s' (forecasts rows %zu and "
                               "%zu); choose one model with model = \"...\" in [need]",
                               rows[a].id, rows[a].ds[0] ? rows[a].ds : "", rows[a - 1].shown, rows[a].shown);
        }
    *m_out = m;
    return whole_years(rows, m);
}

/* The money column names: standard_<minor> (per unit of demand), need_<minor>
 * (whole minor units) and need_<major> (text with exactly the currency's
 * decimals). */
static void need_names(const civ_alloc_need *n, char *std, char *need, char *major)
{
    const char *cur = n->not_cny ? "" : "CNY";
    civ_snprintf(std, 40, "standard_%s", civ_alloc_unit_name(cur, n->minor_unit, 0));
    civ_snprintf(need, 40, "need_%s", civ_alloc_unit_name(cur, n->minor_unit, 0));
    civ_snprintf(major, 40, "need_%s", civ_alloc_unit_name(cur, n->minor_unit, 1));
}

/* Per-year totals, filled by need_per_community. */
typedef struct need_years {
    double *dem;
    int64_t *need;
    size_t *comm, *per;
} need_years;

/* One row per community and year (need = round(demand x standard), half away
 * from zero), accumulating the year totals; *out gets the table when out is
 * not NULL. */
static civ_status need_per_community(const civ_alloc_need *n, const nrow *rows, size_t m, need_years *yr,
                                     civ_table **out)
{
    civ_status st = CIV_OK;
    civ_table *tc = NULL;
    size_t c_id, c_year, c_per, c_dem, c_std, c_need, c_yuan;
    char nm_std[40], nm_need[40], nm_major[40], mj[48];
    need_names(n, nm_std, nm_need, nm_major);
    if (out) {
        CIV_TRY(civ_table_create(&tc));
        CIV_TRY(civ_table_add_column(tc, "unique_id", CIV_COLUMN_TEXT, &c_id));
        CIV_TRY(civ_table_add_column(tc, "year", CIV_COLUMN_NUMBER, &c_year));
        CIV_TRY(civ_table_add_column(tc, "periods", CIV_COLUMN_NUMBER, &c_per));
        CIV_TRY(civ_table_add_column(tc, "demand", CIV_COLUMN_NUMBER, &c_dem));
        CIV_TRY(civ_table_add_column(tc, nm_std, CIV_COLUMN_NUMBER, &c_std));
        CIV_TRY(civ_table_add_column(tc, nm_need, CIV_COLUMN_NUMBER, &c_need));
        CIV_TRY(civ_table_add_column(tc, nm_major, CIV_COLUMN_TEXT, &c_yuan));
    }
    for (size_t a = 0; a < m;) {
        size_t b = a;
        double dem = 0;
        while (b < m && same_key(&rows[a], &rows[b]))
            dem += rows[b++].demand;
        long y = rows[a].year;
        int64_t S = civ_alloc_need_standard(n, y);
        double x = dem * (double)S;
        if (!(x < 9.0e15)) {
            civ_where w = {.series_id = rows[a].id, .field = "need"};
            st = civ_fail_at(CIV_ERR_DOMAIN, &w, "need: the need of community '%s' in %ld overflows", rows[a].id, y);
            goto fail;
        }
        int64_t need = (int64_t)llround(x); /* half away from zero */
        size_t yi = (size_t)(y - n->first_year);
        yr->dem[yi] += dem, yr->need[yi] += need, yr->comm[yi]++;
        if (b - a > yr->per[yi])
            yr->per[yi] = b - a;
        if (tc) {
            size_t row;
            CIV_TRY(civ_table_add_rows(tc, 1, &row));
            CIV_TRY(civ_table_set_text(tc, row, c_id, rows[a].id));
            CIV_TRY(civ_table_set_number(tc, row, c_year, (double)y));
            CIV_TRY(civ_table_set_number(tc, row, c_per, (double)(b - a)));
            CIV_TRY(civ_table_set_number(tc, row, c_dem, dem));
            CIV_TRY(civ_table_set_number(tc, row, c_std, (double)S));
            CIV_TRY(civ_table_set_number(tc, row, c_need, (double)need));
            CIV_TRY(civ_table_set_text(tc, row, c_yuan, civ_alloc_format_major(need, n->minor_digits, mj, sizeof mj)));
        }
        a = b;
    }
    if (out)
        *out = tc;
    return CIV_OK;
fail:
    civ_table_free(tc);
    return st;
}

/* The per-year table: one row per year and a "total" row. */
static civ_status need_per_year(const civ_alloc_need *n, const need_years *yr, civ_table **out)
{
    civ_status st = CIV_OK;
    civ_table *ty = NULL;
    long ny = n->years, y0 = n->first_year;
    size_t s_scope, s_year, s_comm, s_per, s_dem, s_std, s_need, s_yuan;
    char nm_std[40], nm_need[40], nm_major[40], mj[48];
    need_names(n, nm_std, nm_need, nm_major);
    CIV_TRY(civ_table_create(&ty));
    CIV_TRY(civ_table_add_column(ty, "scope", CIV_COLUMN_TEXT, &s_scope));
    CIV_TRY(civ_table_add_column(ty, "year", CIV_COLUMN_NUMBER, &s_year));
    CIV_TRY(civ_table_add_column(ty, "communities", CIV_COLUMN_NUMBER, &s_comm));
    CIV_TRY(civ_table_add_column(ty, "periods", CIV_COLUMN_NUMBER, &s_per));
    CIV_TRY(civ_table_add_column(ty, "demand", CIV_COLUMN_NUMBER, &s_dem));
    CIV_TRY(civ_table_add_column(ty, nm_std, CIV_COLUMN_NUMBER, &s_std));
    CIV_TRY(civ_table_add_column(ty, nm_need, CIV_COLUMN_NUMBER, &s_need));
    CIV_TRY(civ_table_add_column(ty, nm_major, CIV_COLUMN_TEXT, &s_yuan));
    CIV_TRY(civ_table_add_rows(ty, (size_t)ny + 1, NULL));
    double tdem = 0;
    int64_t tneed = 0;
    for (long yi = 0; yi <= ny; yi++) {
        int last = yi == ny;
        CIV_TRY(civ_table_set_text(ty, (size_t)yi, s_scope, last ? "total" : "year"));
        CIV_TRY(civ_table_set_number(ty, (size_t)yi, s_year, last ? NAN : (double)(y0 + yi)));
        CIV_TRY(civ_table_set_number(ty, (size_t)yi, s_comm, last ? NAN : (double)yr->comm[yi]));
        CIV_TRY(civ_table_set_number(ty, (size_t)yi, s_per, last ? NAN : (double)yr->per[yi]));
        CIV_TRY(civ_table_set_number(ty, (size_t)yi, s_dem, last ? tdem : yr->dem[yi]));
        CIV_TRY(civ_table_set_number(ty, (size_t)yi, s_std, last ? NAN : (double)civ_alloc_need_standard(n, y0 + yi)));
        CIV_TRY(civ_table_set_number(ty, (size_t)yi, s_need, (double)(last ? tneed : yr->need[yi])));
        CIV_TRY(civ_table_set_text(ty, (size_t)yi, s_yuan,
                               civ_alloc_format_major(last ? tneed : yr->need[yi], n->minor_digits, mj, sizeof mj)));
        if (!last)
            tdem += yr->dem[yi], tneed += yr->need[yi];
    }
    *out = ty;
    return CIV_OK;
fail:
    civ_table_free(ty);
    return st;
}

/* The need's tables; allow_empty: a year without forecast rows is left out rather than an error (the
 * projection names such a year itself). */
static civ_status need_project(const civ_alloc_need *n, const civ_table *fc, civ_table **per_community,
                               civ_table **per_year, int allow_empty)
{
    if (!n || !fc)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_need_project: NULL argument");
    size_t nr = civ_table_n_rows(fc), m = 0, ny = (size_t)n->years;
    nrow *rows = malloc((nr ? nr : 1) * sizeof *rows);
    need_years yr = {calloc(ny, sizeof(double)), calloc(ny, sizeof(int64_t)), calloc(ny, sizeof(size_t)),
                     calloc(ny, sizeof(size_t))};
    civ_table *tc = NULL, *ty = NULL;
    civ_status st = CIV_OK;
    if (!rows || !yr.dem || !yr.need || !yr.comm || !yr.per)
        st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "need: out of memory");
    if (!st)
        st = need_rows(n, fc, rows, &m);
    if (!st)
        st = need_per_community(n, rows, m, &yr, per_community ? &tc : NULL);
    for (size_t yi = 0; yi < ny && !st && !allow_empty; yi++)
        if (!yr.comm[yi]) {
            civ_where w = {.field = "ds"};
            st = civ_fail_at(CIV_ERR_NOT_FOUND, &w,
                             "need: no forecast rows fall in %ld (the need covers %ld..%ld); forecast further ahead",
                             n->first_year + (long)yi, n->first_year, n->first_year + n->years - 1);
        }
    if (!st && per_year)
        st = need_per_year(n, &yr, &ty);
    free(yr.dem), free(yr.need), free(yr.comm), free(yr.per), free(rows);
    if (st) {
        civ_table_free(tc), civ_table_free(ty);
        return st;
    }
    if (per_community)
        *per_community = tc;
    if (per_year)
        *per_year = ty;
    return CIV_OK;
}

civ_status civ_alloc_need_project_years(const civ_alloc_need *n, long first_year, long years, const civ_table *fc,
                                        civ_table **per_community)
{
    if (!n || years < 1)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_need_project_years: NULL need or no years");
    civ_alloc_need span = *n; /* borrows n's strings */
    span.first_year = first_year, span.years = years;
    return need_project(&span, fc, per_community, NULL, 1);
}

civ_status civ_alloc_need_project(const civ_alloc_need *n, const civ_table *fc, civ_table **per_community,
                                  civ_table **per_year)
{
    return need_project(n, fc, per_community, per_year, 0);
}
