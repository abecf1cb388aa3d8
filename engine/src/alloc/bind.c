/*
 * bind.c -- alloc layer: binding a parsed spec to the communities table (and
 * forecasts) into a civ_alloc_problem.
 *
 * Binding resolves every name in the spec into arrays once, in canonical id
 * order (ids sorted by byte value), and validates the data (duplicate ids,
 * NaN/inf/negative values, forecasts for unknown ids or communities without
 * forecasts).  Working in id order makes every floating-point sum, and so
 * every result to the last fen, independent of the input row order.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "bigmem.h"
#include "c_locale.h"
#include "csv.h" /* civ_csv_excel_error, civ_csv_first_text_row */
#include "strmap.h"
#include "table.h"
#include "text.h"

/* qsort has no context argument; thread-local keeps concurrent binds apart */
static _Thread_local const char *const *sort_ids_key;
static int cmp_row_by_id(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcmp(sort_ids_key[x], sort_ids_key[y]);
    return c ? c : (x < y ? -1 : x > y);
}

void civ_alloc_problem_free(civ_alloc_problem *p)
{
    if (!p)
        return;
    for (size_t b = 0; b < 2 + CIV_ALLOC_MAX_LABELS; b++)
        free(p->text_block[b]);
    free(p->labels), free((void *)p->label_names);
    free(p->ids), free(p->districts), free(p->row_of), free(p->x), free(p->c), free(p->xc), free(p->weights);
    free(p->tilt), free(p->tilt_mask), free(p->last_year), free(p->unit_has_last), free(p->no_forecast);
    free(p->pred), free(p->pred_block), free(p->hist_total), free(p->hist_carried);
    civ_pred_map_free(&p->pm);
    free(p->closed), free(p->ly_fen);
    free(p->paid), free(p->paid_total), free(p->floor_y), free(p->cap_y);
    if (!p->population_shared)
        free(p->population);
    if (!p->aged_shared)
        free(p->aged);
    free(p->report_last_year), free(p->reserve_amount), free(p->pool_amount);
    for (size_t u = 0; u < p->n_units; u++)
        free(p->units[u].name), free(p->units[u].label), free(p->units[u].eligible);
    free(p->units);
    free(p->pool_unit);
    free(p);
}

double *civ_alloc_factor_x(civ_alloc_problem *p, size_t k)
{
    return (p->spec->factors[k].coefficient ? p->x : p->xc) + k * p->n;
}

size_t civ_alloc_problem_n_communities(const civ_alloc_problem *p) { return p ? p->n : 0; }

/* Flags for read_attribute */
enum { ALLOW_NEGATIVE = 1, HISTORY = 2 }; /* HISTORY: last year's amounts (a blank is a new community?) */

/* Row r of the communities table t for an error: w gets the table's file
 * (when it was read from one) and, for a CSV file, the line a spreadsheet
 * counts and column c (SIZE_MAX: none); `row` gets the words for the
 * message (civ_table_row_words): "line N" for a CSV file, "row N" for a
 * DataFrame (its position, as iloc counts), else "data row N" (1 = the first
 * data row). */
static void row_where(const civ_table *t, size_t r, size_t c, civ_where *w, char *row, size_t size)
{
    long line = civ_table_row_words(t, r, row, size);
    w->file = civ_table_source(t, NULL);
    w->line = line;
    w->column = line && c != SIZE_MAX ? (long)c + 1 : 0;
}

/* The cure for a text cell that is a number as a spreadsheet displays it ("3,597", "32.4%"), read without the
 * option that reads it (a DataFrame's text, a table read without --thousands): that option; for a dash, Excel's
 * accounting zero, the words settle gives it (civ_csv_dash_zero); else "write a number". */
static const char *displayed_number_cure(const civ_table *t, const char *cell, char *buf, size_t size)
{
    static const char seps[] = {',', ' ', '\''};
    double x;
    size_t n = strlen(cell);
    const char *dash = civ_csv_dash_zero(cell);
    if (dash) {
        civ_snprintf(buf, size, " (%s): write 0 for a community with nothing (civicast never guesses a zero), "
                     "or its number", dash);
        return buf;
    }
    for (int k = 0; k < 3; k++)
        if (strchr(cell, seps[k]) && civ_csv_parse_formatted(cell, n, seps[k], 1, &x) == CIV_CSV_NUMBER_OK &&
            !t->thousands)
            return k == 0   ? ", a number written with a thousands separator: read it with thousands=\",\" "
                              "(--thousands \",\"), or write plain digits (12345)"
                   : k == 1 ? ", a number written with a thousands separator: read it with thousands=\" \" "
                              "(--thousands \" \"), or write plain digits (12345)"
                            : ", a number written with a thousands separator: read it with thousands=\"'\" "
                              "(--thousands \"'\"), or write plain digits (12345)";
    if (n && cell[n - 1] == '%' && !t->percent &&
        civ_csv_parse_formatted(cell, n, t->thousands, 1, &x) == CIV_CSV_NUMBER_OK)
        return ", a percentage: read it with percent=True (--percent), or write the fraction (0.35)";
    return ": write a number there (12345, 0.35)";
}

/* An attribute column that is text: named at the cell that made it so (an
 * Excel error value such as #DIV/0! or #N/A, a word, a unit), else at the
 * spec's line.  That cell is found as the reader read numbers (its thousands
 * separator and percent option): before 2026-12-07 "1,200" read with
 * --thousands "," was named, not the "-" below it that made the column text. */
static civ_status attribute_is_text(const civ_alloc_problem *p, const civ_table *t, size_t col, const char *name,
                                    const char *role, const civ_where *spec_where)
{
    size_t r = civ_csv_first_text_row(t, col), idc;
    if (r == SIZE_MAX)
        return civ_fail_at(CIV_ERR_DOMAIN, spec_where, "%s: attribute '%s' is text, not numbers", role, name);
    const char *cell = civ_table_text(t, r, col);
    const char *id = civ_table_find_column(t, p->spec->id_column, &idc) ? NULL : civ_table_text(t, r, idc);
    civ_where w = {.series_id = id, .field = name};
    char row[64], cure[200];
    row_where(t, r, col, &w, row, sizeof row);
    return civ_fail_at(CIV_ERR_DOMAIN, &w,
                       "%s: attribute '%s' is text, not numbers: %s%s%s%s holds '%.80s'%s", role, name,
                       row, id ? " (community '" : "", id ? id : "", id ? "')" : "", cell,
                       civ_csv_excel_error(cell) ? ", an Excel error value: fix the formula in the sheet or clear "
                                                   "the cell"
                                                 : displayed_number_cure(t, cell, cure, sizeof cure));
}

/* "; did you mean 'X' (the data has: a, b, ...)" for a column name the table lacks: names that start with it
 * or are within one or two characters of it (by characters, full-width punctuation as ASCII), then every column. */
static void column_hint(const civ_table *t, const char *name, char *out, size_t size)
{
    char avail[400] = "";
    for (size_t k = 0; k < civ_table_n_columns(t); k++) {
        size_t L = strlen(avail);
        if (L < sizeof avail - 60)
            civ_snprintf(avail + L, sizeof avail - L, "%s%s", k ? ", " : "", civ_table_column_name(t, k));
    }
    char near[300] = "";
    size_t n_near = 0, ln = strlen(name), chars = 0;
    for (const char *q = name; *q; q++) /* characters, not bytes: 4 in '常住人口' */
        chars += (*q & 0xC0) != 0x80;
    for (size_t k = 0; k < civ_table_n_columns(t) && n_near < 3; k++) { /* 'Population' or 'population' */
        const char *cn = civ_table_column_name(t, k);
        size_t lc = strlen(cn);
        int prefix = ln >= 3 && lc > ln && !civ_ascii_ncasecmp(cn, name, ln);
        /* by characters, full-width punctuation as ASCII: '常驻人口' for '常住人口', '面积(平方公里)' for
         * '面积（平方公里）' (before 2026-12-06 by bytes: a Chinese name was never near) */
        size_t d = civ_text_distance_chars(name, cn, 3, 1);
        if (prefix || d <= (chars > 6 ? 2u : 1u)) {
            size_t L = strlen(near);
            int spaced = civ_text_is_spaced(cn, name); /* 'population_resident ': a header cell's stray spaces */
            civ_snprintf(near + L, sizeof near - L, "%s'%s'%s", n_near ? " or " : "; did you mean ", cn,
                         spaced ? " (the same name with spaces around it: delete them in the header cell)"
                         : d == 0 && civ_text_distance(name, cn, 1, 1) ? " (full-width vs half-width)"
                                                                       : "");
            n_near++;
        }
    }
    civ_snprintf(out, size, "%s (the data has: %s)", near, avail);
}

/* Reads attribute `name` into out[n] in id order.  A name the table lacks is
 * reported at its spec location; bad values at the community and row. */
static civ_status read_attribute(const civ_alloc_problem *p, const civ_table *t, const char *name, civ_alloc_loc loc,
                                 const char *role, int flags, double *out)
{
    const civ_alloc_spec *s = p->spec;
    size_t col;
    civ_where w = {.file = s->path, .line = loc.line, .column = loc.column, .field = name};
    if ((flags & HISTORY) && s->ly && civ_table_find_column(t, name, &col)) {
        civ_clear_error(); /* last year's allocation gives every community's amount (last_year.c) */
        for (size_t i = 0; i < p->n; i++)
            out[i] = NAN;
        return CIV_OK;
    }
    if (civ_table_find_column(t, name, &col)) {
        char hint[720];
        column_hint(t, name, hint, sizeof hint);
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w, "%s: unknown attribute '%s'%s", role, name, hint);
    }
    const double *v = civ_table_numbers(t, col);
    if (!v)
        return attribute_is_text(p, t, col, name, role, &w);
    for (size_t i = 0; i < p->n; i++) {
        size_t r = p->row_of[i];
        double x = v[r];
        if (isnan(x) && (flags & HISTORY) && s->ly) { /* blank: taken from last year's allocation (last_year.c) */
            out[i] = x;
            continue;
        }
        if (!isfinite(x) || (x < 0 && !(flags & ALLOW_NEGATIVE))) {
            civ_where d = {.series_id = p->ids[i], .field = name};
            char row[64];
            row_where(t, r, col, &d, row, sizeof row);
            return civ_fail_at(CIV_ERR_DOMAIN, &d, "%s: attribute '%s' is %s for community '%s' (%s)%s",
                               role, name, isnan(x) ? "missing (NaN)" : !isfinite(x) ? "infinite" : "negative",
                               p->ids[i], row,
                               isnan(x) && (flags & HISTORY)
                                   ? "; for a community new this year write 0 (hold-harmless and pace then do not "
                                     "apply to it); for one merged or renamed from last year's communities, the sum "
                                     "of their amounts, and name them in [data] predecessors; or leave it blank "
                                     "and give last year's allocation (--last-year FILE, [data] last_year_file), "
                                     "which has every community's amount"
                                   : isnan(x) ? ": the factor needs every community's value; fill the cell in (0 "
                                                "if the community has none)"
                                   : !isfinite(x) ? ": write the community's value there"
                                                  : ": correct the cell (this attribute cannot be negative)");
        }
        /* A subnormal (0 < |x| < 2.2e-308, e.g. 1e-310) is no real quantity
         * and overflows every share and per-person amount computed from it
         * (issue 18): refused here, at the cell that holds it. */
        if (x != 0 && fabs(x) < DBL_MIN) {
            civ_where d = {.series_id = p->ids[i], .field = name};
            char row[64];
            row_where(t, r, col, &d, row, sizeof row);
            return civ_fail_at(CIV_ERR_DOMAIN, &d,
                               "%s: attribute '%s' is %g for community '%s' (%s), below the smallest normal "
                               "number (2.2e-308): write 0 if it is zero",
                               role, name, x, p->ids[i], row);
        }
        out[i] = x;
    }
    return CIV_OK;
}

/* A community short of some of the factor's periods: name them and the cure. */
static civ_status missing_periods(const civ_alloc_problem *p, const civ_alloc_factor *f,
                                  const civ_alloc_demand_rows *d, const unsigned char *seen, size_t i, unsigned count)
{
    civ_where w = {.series_id = p->ids[i], .field = f->name};
    const char *zero = count ? "" : " (if_missing = \"zero\" would count it as 0)";
    if (f->horizon > 0)
        return civ_fail_at(CIV_ERR_NOT_FOUND, &w,
                           "factor '%s': community '%s' has %u forecast rows for h = 1..%ld, needs exactly %ld%s",
                           f->name, p->ids[i], count, f->horizon, f->horizon, zero);
    size_t first = 0, last = d->n_slots;
    while (first < d->n_slots && seen[first])
        first++; /* the first missing period */
    while (last > 0 && seen[last - 1])
        last--; /* one past the last missing one */
    char a[24], b[24], hint[160] = "";
    civ_alloc_demand_rows_period(d, first, a, sizeof a);
    civ_alloc_demand_rows_period(d, last - 1, b, sizeof b);
    if (first == 0 && count)
        civ_snprintf(hint, sizeof hint,
                     "; the forecasts start after the year began (its first periods are history): to "
                     "sum the first steps whatever their dates, write horizon = 12 in the factor");
    else if (last == d->n_slots && count) {
        char steps[40] = "";
        if (d->horizon_to_end)
            civ_snprintf(steps, sizeof steps, " (horizon = %ld)", d->horizon_to_end);
        civ_snprintf(hint, sizeof hint, "; forecast further ahead, through the year's end%s", steps);
    }
    return civ_fail_at(CIV_ERR_NOT_FOUND, &w,
                       "factor '%s': community '%s' has forecasts for %u of the %zu periods of fiscal year %ld "
                       "(missing %s%s%s)%s%s",
                       f->name, p->ids[i], count, d->n_slots, p->spec->fiscal_year, a, last - 1 > first ? ".." : "",
                       last - 1 > first ? b : "", hint, zero);
}

/* "h = 3" or "2026-03": where row slot `slot` is, for messages. */
static const char *slot_text(const civ_alloc_factor *f, const civ_alloc_demand_rows *d, size_t slot, char *buf,
                             size_t size)
{
    if (f->horizon > 0)
        civ_snprintf(buf, size, "h = %zu", slot + 1);
    else
        civ_alloc_demand_rows_period(d, slot, buf, size);
    return buf;
}

/* Sums the selected rows of fc (column cv) into x and count, marking each
 * community's period in seen[i * n_slots + slot]; a second row for a period
 * (naming its model when model_col is not SIZE_MAX) or a bad value fails. */
static civ_status sum_forecast_rows(const civ_alloc_problem *p, const civ_table *fc, const civ_alloc_factor *f,
                                    const civ_alloc_demand_rows *d, size_t cv, size_t model_col, unsigned char *seen,
                                    double *x, unsigned *count)
{
    size_t S = d->n_slots, nr = civ_table_n_rows(fc);
    int has_model = model_col != SIZE_MAX;
    const double *vv = civ_table_numbers(fc, cv);
    for (size_t r = 0; r < nr; r++) {
        if (d->slot[r] == SIZE_MAX)
            continue;
        size_t i = d->community[r];
        const char *id = p->ids[i];
        char when[40];
        unsigned char *mark = &seen[i * S + d->slot[r]];
        if (*mark) {
            civ_where w = {.series_id = id, .field = f->horizon > 0 ? "h" : "ds"};
            char row[64];
            row_where(fc, r, SIZE_MAX, &w, row, sizeof row);
            return civ_fail_at(CIV_ERR_DUPLICATE, &w,
                               "forecasts %s: a second row for community '%s' at %s%s%s%s; choose one "
                               "model with model = \"...\" in factor '%s'",
                               row, id, slot_text(f, d, d->slot[r], when, sizeof when), has_model ? " (model '" : "",
                               has_model ? civ_table_text(fc, r, model_col) : "",
                               has_model ? "')" : "", f->name);
        }
        *mark = 1;
        double v = vv[r];
        if (isnan(v) && f->missing_zero)
            continue; /* a failed forecast: counts as missing */
        if (!isfinite(v) || v < 0) {
            civ_where w = {.series_id = id, .field = f->column};
            char row[64];
            row_where(fc, r, SIZE_MAX, &w, row, sizeof row);
            return civ_fail_at(CIV_ERR_DOMAIN, &w, "forecasts %s: '%s' is %s for community '%s' (%s)%s", row,
                               f->column, isnan(v) ? "missing" : v < 0 ? "negative" : "infinite", id,
                               slot_text(f, d, d->slot[r], when, sizeof when),
                               isnan(v) ? "; did its forecast fail? (see the forecast report)" : "");
        }
        x[i] += v;
        count[i]++;
    }
    return CIV_OK;
}

/* Every community must have all the factor's periods (or, under if_missing =
 * "zero", none): the first one short of some is named with its cure. */
static civ_status check_forecast_counts(const civ_alloc_problem *p, const civ_alloc_factor *f,
                                        const civ_alloc_demand_rows *d, const unsigned char *seen,
                                        const unsigned *count)
{
    size_t S = d->n_slots;
    for (size_t i = 0; i < p->n; i++)
        if (count[i] != (unsigned)S && !(f->missing_zero && count[i] == 0)) {
            /* a NaN skipped under if_missing = "zero" still marked its period */
            unsigned marked = 0;
            for (size_t j = 0; j < S; j++)
                marked += seen[i * S + j];
            if (marked == S && f->horizon == 0) {
                civ_where w = {.series_id = p->ids[i], .field = f->column};
                return civ_fail_at(CIV_ERR_DOMAIN, &w,
                                   "factor '%s': community '%s' has a missing forecast (NaN) in %zu of its %zu "
                                   "periods of fiscal year %ld; if_missing = \"zero\" counts only a wholly failed "
                                   "forecast as 0",
                                   f->name, p->ids[i], S - count[i], S, p->spec->fiscal_year);
            }
            return missing_periods(p, f, d, &seen[i * S], i, f->horizon > 0 ? count[i] : marked);
        }
    return CIV_OK;
}

/* Sums the forecast rows factor f reads (demand_rows.c: the fiscal year's
 * periods, or h = 1..horizon) into x[n] (id order); count[i] = rows summed. */
static civ_status read_forecast(const civ_alloc_problem *p, const civ_strmap *idmap, const civ_table *fc,
                                const civ_alloc_factor *f, double *x, unsigned *count)
{
    const civ_alloc_spec *s = p->spec;
    civ_where at = {.file = s->path, .line = f->loc.line, .column = f->loc.column, .field = f->name};
    if (!fc)
        return civ_fail_at(CIV_ERR_SPEC, &at, "factor '%s' has source = \"forecast\" but no forecasts were given",
                           f->name);
    size_t cv, cm = SIZE_MAX;
    civ_where wc = {.file = s->path, .line = f->attribute_loc.line, .column = f->attribute_loc.column,
                    .field = f->column};
    if (civ_table_find_column(fc, f->column, &cv) || !civ_table_numbers(fc, cv))
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &wc, "factor '%s': the forecasts have no number column '%s'",
                           f->name, f->column);
    civ_alloc_demand_rows d;
    civ_status st = civ_alloc_demand_rows_select(p->spec, p->ids, p->n, idmap, fc, f, &d);
    if (st)
        return st;
    /* Several models in one file are fine (automatic selection names each
     * community's own model); what must not happen is two rows for the same
     * community and period, which would be summed twice. */
    int has_model = !civ_table_find_column(fc, "model", &cm) && civ_table_text(fc, 0, cm);
    civ_clear_error();
    size_t S = d.n_slots;
    if (S > 0 && p->n > SIZE_MAX / S) {
        civ_alloc_demand_rows_free(&d);
        return civ_fail(CIV_ERR_LIMIT, "factor '%s': %zu communities x %zu periods is too large", f->name, p->n, S);
    }
    unsigned char *seen = calloc(p->n * S + 1, 1);
    if (!seen) {
        civ_alloc_demand_rows_free(&d);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory checking forecast rows of factor '%s'", f->name);
    }
    memset(x, 0, p->n * sizeof *x);
    memset(count, 0, p->n * sizeof *count);
    if (!(st = sum_forecast_rows(p, fc, f, &d, cv, has_model ? cm : SIZE_MAX, seen, x, count)))
        st = check_forecast_counts(p, f, &d, seen, count);
    free(seen);
    civ_alloc_demand_rows_free(&d);
    return st;
}

/* *joined = part, or "<*joined>+<part>" when it holds a name already (a fund
 * fed by several pools).  Returns 0 when out of memory (*joined freed). */
static int join_name(char **joined, const char *part)
{
    size_t size = (*joined ? strlen(*joined) + 1 : 0) + strlen(part) + 1;
    char *nm = malloc(size);
    if (nm)
        civ_snprintf(nm, size, "%s%s%s", *joined ? *joined : "", *joined ? "+" : "", part);
    free(*joined);
    *joined = nm;
    return nm != NULL;
}

/* Whether an attribute holds fractions (every value in 0..1, not all 0),
 * with its range. */
static int holds_fractions(const double *v, size_t n, double *lo_out, double *hi_out)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i])) {
            lo = v[i] < lo ? v[i] : lo;
            hi = v[i] > hi ? v[i] : hi;
        }
    *lo_out = lo, *hi_out = hi;
    return lo >= 0 && hi <= 1 && hi > 0;
}

/* Whether an attribute of range lo..hi (holds_fractions) reads as percentages: every value in 0..100,
 * some above 1, and some not whole (a count, whole values, is never taken for percentages). */
static int holds_percentages(const double *v, size_t n, double lo, double hi)
{
    if (!(lo >= 0 && hi <= 100 && hi > 1))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i]) && fabs(v[i] - nearbyint(v[i])) > 1e-9)
            return 1;
    return 0;
}

/* An earmark's bound in percent over an attribute of fractions
 * ("eligible_min = 50" on migrant_share, 0.02..0.71): as written no
 * community is eligible (a minimum), or the bound keeps every one (a
 * maximum); an error at the bound naming the attribute, the effect and the
 * fix, as for a tilt's threshold (tilt_units). */
static civ_status earmark_units(const civ_alloc_spec *spec, const civ_alloc_pool *pool, const double *v, size_t n)
{
    double lo, hi;
    if (!holds_fractions(v, n, &lo, &hi)) {
        /* The reverse slip, a fraction over an attribute in percent ("eligible_min = 0.5" on migrant_pct,
         * 0.8..64.2), is refused only when its effect proves it: a minimum that excludes no community, or a
         * maximum that keeps none.  Otherwise it is as likely meant in the attribute's units (0.5 km, at least
         * one family of a count: docs/ALLOCATION.md, "Percentages written for fractions"), and runs.  Counts
         * (whole values) are never taken for percentages. */
        if (!holds_percentages(v, n, lo, hi))
            return CIV_OK;
        for (int k = 0; k < 2; k++) {
            double b = k ? pool->eligible_max : pool->eligible_min;
            if (!(b > 0 && b < 1) || (k ? b >= lo : b > lo)) /* a bound that splits the communities: as meant */
                continue;
            const char *key = k ? "eligible_max" : "eligible_min";
            civ_alloc_loc at = k ? pool->eligible_max_loc : pool->eligible_min_loc;
            civ_where w = {.file = spec->path, .line = at.line, .column = at.column, .field = key};
            return civ_fail_at(CIV_ERR_SPEC, &w,
                               "pool '%s': %s = %g, but attribute '%s' holds values up to %g (%g..%g, not whole: "
                               "percentages?), so %s: a fraction written for a percentage? write %g for %g%%; if "
                               "%g is meant in the attribute's units, the bound %s: %s",
                               pool->name, key, b, pool->eligible_attribute, hi, lo, hi,
                               k ? "no community would be eligible" : "the bound would exclude no community", b * 100,
                               b * 100, b, k ? "leaves the earmark to no community" : "restricts nothing",
                               k ? "lower it to the values it should keep" : "drop it");
        }
        return CIV_OK;
    }
    for (int k = 0; k < 2; k++) {
        double b = k ? pool->eligible_max : pool->eligible_min;
        if (!(b > 1 && b <= 100))
            continue;
        const char *key = k ? "eligible_max" : "eligible_min";
        civ_alloc_loc at = k ? pool->eligible_max_loc : pool->eligible_min_loc;
        civ_where w = {.file = spec->path, .line = at.line, .column = at.column, .field = key};
        return civ_fail_at(CIV_ERR_SPEC, &w,
                           "pool '%s': %s = %g, but attribute '%s' holds fractions (%g..%g), so %s: a percentage? "
                           "write %g for %g%%",
                           pool->name, key, b, pool->eligible_attribute, lo, hi,
                           k ? "the bound would keep every community" : "no community would be eligible", b / 100, b);
    }
    return CIV_OK;
}

int civ_alloc_earmark_equal(const civ_alloc_pool *a, const civ_alloc_pool *b)
{
    if (!a->eligible_attribute || !b->eligible_attribute)
        return !a->eligible_attribute && !b->eligible_attribute;
    return !strcmp(a->eligible_attribute, b->eligible_attribute) &&
           ((isnan(a->eligible_min) && isnan(b->eligible_min)) || a->eligible_min == b->eligible_min) &&
           ((isnan(a->eligible_max) && isnan(b->eligible_max)) || a->eligible_max == b->eligible_max) &&
           a->eligible_top_k == b->eligible_top_k;
}

static _Thread_local const double *topk_values;
static int cmp_topk(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (topk_values[x] != topk_values[y])
        return topk_values[x] > topk_values[y] ? -1 : 1;
    return x < y ? -1 : x > y; /* ties: lower id first */
}

static civ_status bind_units(civ_alloc_problem *p, const civ_table *t, double *scratch)
{
    const civ_alloc_spec *s = p->spec;
    p->units = calloc(s->n_pools, sizeof *p->units);
    p->pool_unit = calloc(s->n_pools, sizeof *p->pool_unit);
    if (!p->units || !p->pool_unit)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory binding the allocation");
    for (size_t q = 0; q < s->n_pools; q++) {
        const civ_alloc_pool *pool = &s->pools[q];
        size_t u = 0;
        while (u < p->n_units && !(p->units[u].formula == pool->formula &&
                                   civ_alloc_earmark_equal(&s->pools[p->units[u].first_pool], pool)))
            u++;
        civ_alloc_unit *un = &p->units[u];
        if (u == p->n_units) {
            p->n_units++;
            un->formula = pool->formula;
            un->first_pool = q;
        }
        if (!join_name(&un->name, pool->name) || !join_name(&un->label, pool->label ? pool->label : pool->name))
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory binding the allocation");
        un->amount += pool->amount;
        p->pool_unit[q] = u;
    }
    size_t *idx = malloc((p->n ? p->n : 1) * sizeof *idx);
    if (!idx)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory binding the allocation");
    civ_status st = CIV_OK;
    for (size_t u = 0; u < p->n_units && !st; u++) {
        civ_alloc_unit *un = &p->units[u];
        const civ_alloc_pool *pool = &s->pools[un->first_pool];
        un->eligible = civ_bigmem_alloc(p->n ? p->n : 1, 1);
        if (!un->eligible) {
            st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory binding the allocation");
            break;
        }
        if (!pool->eligible_attribute) {
            memset(un->eligible, 1, p->n);
            un->n_eligible = p->n;
        } else {
            char role[120];
            civ_snprintf(role, sizeof role, "pool '%s' earmark", pool->name);
            if ((st = read_attribute(p, t, pool->eligible_attribute, pool->eligible_loc, role, ALLOW_NEGATIVE,
                                     scratch)) ||
                (st = earmark_units(s, pool, scratch, p->n)))
                break;
            size_t m = 0;
            for (size_t i = 0; i < p->n; i++) {
                double v = scratch[i];
                int ok = (isnan(pool->eligible_min) || v >= pool->eligible_min) &&
                         (isnan(pool->eligible_max) || v <= pool->eligible_max);
                un->eligible[i] = (unsigned char)ok;
                if (ok)
                    idx[m++] = i;
            }
            if (pool->eligible_top_k && m > pool->eligible_top_k) {
                topk_values = scratch;
                qsort(idx, m, sizeof *idx, cmp_topk);
                memset(un->eligible, 0, p->n);
                for (size_t j = 0; j < pool->eligible_top_k; j++)
                    un->eligible[idx[j]] = 1;
                m = pool->eligible_top_k;
            }
            un->n_eligible = m;
        }
        if (un->n_eligible == 0 && un->amount > 0) {
            civ_where w = {.file = s->path, .line = pool->loc.line, .column = pool->loc.column, .field = pool->name};
            st = civ_fail_at(CIV_ERR_INFEASIBLE, &w, "pool '%s': no community is eligible under its earmark",
                             pool->name);
        }
    }
    free(idx);
    return st;
}

/* The problem's arrays, sized for n communities (NULL members on failure;
 * civ_alloc_problem_free releases whatever was allocated). */
static civ_status bind_alloc(civ_alloc_problem *p, size_t n)
{
    const civ_alloc_spec *spec = p->spec;
    size_t K = spec->n_factors, F = spec->n_formulas;
    p->row_of = civ_bigmem_alloc(n, sizeof *p->row_of);
    p->ids = civ_bigmem_alloc(n, sizeof *p->ids);
    p->districts = civ_bigmem_alloc(n, sizeof *p->districts);
    /* x and c hold only the factors with a coefficient (factor_x); xc all */
    p->x = civ_bigmem_alloc((K ? K : 1) * n, sizeof *p->x);
    p->c = civ_bigmem_alloc((K ? K : 1) * n, sizeof *p->c);
    p->xc = civ_bigmem_alloc((K ? K : 1) * n, sizeof *p->xc);
    p->weights = malloc((K ? K : 1) * sizeof *p->weights);
    p->tilt = civ_bigmem_alloc(F * n, sizeof *p->tilt);
    p->tilt_mask = civ_bigmem_calloc(F * n, sizeof *p->tilt_mask);
    p->population = civ_bigmem_alloc(n, sizeof(double));
    p->aged = civ_bigmem_alloc(n, sizeof(double));
    p->report_last_year = civ_bigmem_alloc(n, sizeof(double));
    p->reserve_amount = calloc(spec->n_reserves + 1, sizeof(int64_t));
    p->pool_amount = calloc(spec->n_pools + 1, sizeof(int64_t));
    if (!p->row_of || !p->ids || !p->districts || !p->x || !p->c || !p->xc || !p->weights || !p->tilt ||
        !p->tilt_mask || !p->population || !p->aged || !p->report_last_year || !p->reserve_amount ||
        !p->pool_amount)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory binding %zu communities", n);
    return CIV_OK;
}

/* Copies text cells into one block *block (owned by the problem): dst[i] =
 * the cell of column col at row row_of[i] (col = SIZE_MAX: "" for all). */
static civ_status pack_texts(const civ_table *t, size_t col, const size_t *row_of, size_t n, char **dst,
                             char **block)
{
    size_t total = 1;
    for (size_t i = 0; i < n && col != SIZE_MAX; i++)
        total += strlen(civ_table_text(t, row_of[i], col)) + 1;
    char *b = *block = civ_bigmem_alloc(total, 1);
    if (!b)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory binding the allocation");
    b[0] = '\0';
    size_t used = 1; /* b[0] is the "" every empty cell shares */
    for (size_t i = 0; i < n; i++) {
        const char *v = col == SIZE_MAX ? "" : civ_table_text(t, row_of[i], col);
        size_t len = strlen(v);
        if (!len) {
            dst[i] = b;
            continue;
        }
        dst[i] = memcpy(b + used, v, len + 1);
        used += len + 1;
    }
    return CIV_OK;
}

/* The ids in canonical order: p->row_of sorted by id, p->ids copies;
 * empty and duplicate ids are errors naming the data rows. */
static civ_status bind_ids(civ_alloc_problem *p, const civ_table *t, size_t idc)
{
    const civ_alloc_spec *spec = p->spec;
    size_t n = p->n;
    /* files are usually already in id order: then no sort and no key array */
    int sorted = 1;
    const char *prev = NULL;
    for (size_t r = 0; r < n; r++) {
        const char *id = civ_table_text(t, r, idc);
        p->row_of[r] = r;
        if (!id[0]) {
            civ_where w = {.field = spec->id_column};
            char row[64];
            row_where(t, r, idc, &w, row, sizeof row);
            return civ_fail_at(CIV_ERR_DOMAIN, &w, "communities %s has an empty id", row);
        }
        if (civ_total_row_id(id)) { /* allocated as a community, it took a fifth of the budget */
            civ_where w = {.series_id = id, .field = spec->id_column};
            char row[64];
            row_where(t, r, idc, &w, row, sizeof row);
            return civ_fail_at(CIV_ERR_DOMAIN, &w,
                               "communities %s ('%s') looks like the sheet's total row, not a community: delete "
                               "the row (civicast sums the communities itself)",
                               row, id);
        }
        if (sorted && prev)
            sorted = strcmp(prev, id) < 0;
        prev = id;
    }
    if (!sorted) {
        const char **keys = civ_bigmem_alloc(n, sizeof *keys);
        if (!keys)
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory binding %zu communities", n);
        for (size_t r = 0; r < n; r++)
            keys[r] = civ_table_text(t, r, idc);
        sort_ids_key = keys;
        qsort(p->row_of, n, sizeof *p->row_of, cmp_row_by_id);
        free(keys);
    }
    for (size_t i = 1; i < n && !sorted; i++) { /* a sorted file has distinct ids: checked above */
        size_t r = p->row_of[i], r0 = p->row_of[i - 1];
        const char *id = civ_table_text(t, r, idc);
        if (!strcmp(id, civ_table_text(t, r0, idc))) {
            civ_where w = {.series_id = id, .field = spec->id_column};
            size_t lo = r0 < r ? r0 : r, hi = r0 < r ? r : r0;
            char again[64], rows[96];
            row_where(t, hi, idc, &w, again, sizeof again); /* the error is at the second */
            long l0 = civ_table_row_line(t, lo);
            if (l0 && w.line)
                civ_snprintf(rows, sizeof rows, "lines %ld and %ld", l0, w.line);
            else
                civ_snprintf(rows, sizeof rows, "%srows %zu and %zu", strncmp(again, "data ", 5) ? "" : "data ",
                             civ_table_row_number(t, lo), civ_table_row_number(t, hi));
            const char *hint = civ_excel_scientific_id_hint(id);
            return civ_fail_at(CIV_ERR_DUPLICATE, &w, "duplicate community id '%s' (%s)%s", id, rows,
                               *hint ? hint
                                     : ": one row per community: correct the id of the one that is another "
                                       "community, or merge the two rows into one");
        }
    }
    return pack_texts(t, idc, p->row_of, n, p->ids, &p->text_block[0]);
}

/* A grouping column (the district, the street) saved from the sheet's merged cells: 澜中区 once, then blanks,
 * which put most communities in no district's (street's) total.  `what` is the column's role ("district",
 * "street").  A few blanks (communities without one) stay "(none)": refused when half the rows or more are
 * blank under a value. */
static civ_status merged_blanks(const civ_alloc_problem *p, const civ_table *t, size_t col, const char *name,
                                const char *what)
{
    size_t rows = civ_table_n_rows(t), blank_under = 0, first = SIZE_MAX;
    const char *last = NULL;
    for (size_t r = 0; r < rows; r++) {
        const char *cell = civ_table_text(t, r, col);
        if (cell && cell[0])
            last = cell;
        else if (last && blank_under++ == 0)
            first = r;
    }
    if (!rows || 2 * blank_under < rows)
        return CIV_OK;
    size_t idc; /* the first blank is right under a value */
    const char *id = civ_table_find_column(t, p->spec->id_column, &idc) ? NULL : civ_table_text(t, first, idc);
    civ_clear_error();
    civ_where w = {.series_id = id, .field = name};
    char row[64];
    row_where(t, first, col, &w, row, sizeof row);
    return civ_fail_at(CIV_ERR_DOMAIN, &w,
                       "communities %s has no %s in '%s', under '%s': left blank under the %s above, as Excel "
                       "saves merged cells? unmerge and fill the column down (Excel: Go To Special, Blanks, =the "
                       "cell above, Ctrl+Enter; pandas: df[col] = df[col].ffill()); else %zu of the %zu "
                       "communities would count in no %s's total",
                       row, what, name, civ_table_text(t, first - 1, col), what, blank_under, rows, what);
}

/* Districts (text; optional unless [data] district names the column). */
static civ_status bind_districts(civ_alloc_problem *p, const civ_table *t)
{
    const civ_alloc_spec *spec = p->spec;
    size_t dc;
    const char *dname = spec->district_column ? spec->district_column : "district";
    int have_d = !civ_table_find_column(t, dname, &dc) && civ_table_column_type(t, dc) == CIV_COLUMN_TEXT;
    if (!have_d && spec->district_column) {
        civ_where w = {.file = spec->path, .line = spec->district_loc.line, .column = spec->district_loc.column,
                       .field = dname};
        char hint[720] = "";
        if (civ_table_find_column(t, dname, &dc))
            column_hint(t, dname, hint, sizeof hint);
        else
            civ_snprintf(hint, sizeof hint, ": the column holds numbers; district names are text");
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w, "[data]: no text column '%s' for districts%s", dname, hint);
    }
    civ_clear_error();
    civ_status s = have_d ? merged_blanks(p, t, dc, dname, "district") : CIV_OK;
    if (s)
        return s;
    return pack_texts(t, have_d ? dc : SIZE_MAX, p->row_of, p->n, p->districts, &p->text_block[1]);
}

/* The label columns copied into the allocation rows: [data] labels (each
 * must be a text column), or by default those of the name column ([data]
 * name, else name), the district column and street that the table has as
 * text.  The name column is written as `name` whatever the table calls it
 * (the report labels communities by it), and the district column as
 * `district` unless another label has that name: the allocation has one
 * district column (before, `[data] district = "区"` wrote `区` and again
 * `district`, and the workbook headed the second in English). */
static civ_status bind_labels(civ_alloc_problem *p, const civ_table *t)
{
    const civ_alloc_spec *spec = p->spec;
    const char *name_col = spec->name_column ? spec->name_column : "name";
    size_t nc;
    if (spec->name_column &&
        (civ_table_find_column(t, name_col, &nc) || civ_table_column_type(t, nc) != CIV_COLUMN_TEXT)) {
        civ_where w = {.file = spec->path, .line = spec->name_loc.line, .column = spec->name_loc.column,
                       .field = name_col};
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w, "[data]: no text column '%s' for the communities' names",
                           name_col);
    }
    civ_clear_error();
    const char *defaults[3] = {name_col, spec->district_column ? spec->district_column : "district", "street"};
    size_t n_cand = spec->labels_given ? spec->n_labels : 3, col[CIV_ALLOC_MAX_LABELS];
    const char *const *cand = spec->labels_given ? (const char *const *)spec->labels : defaults;
    if (!(p->label_names = calloc(n_cand + 1, sizeof *p->label_names)))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory binding the allocation");
    for (size_t j = 0; j < n_cand; j++) {
        size_t c;
        int ok = !civ_table_find_column(t, cand[j], &c) && civ_table_column_type(t, c) == CIV_COLUMN_TEXT;
        civ_clear_error();
        if (!ok && spec->labels_given) {
            civ_where w = {.file = spec->path, .line = spec->labels_loc.line, .column = spec->labels_loc.column,
                           .field = cand[j]};
            return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w, "[data] labels: the communities table has no text column '%s'",
                               cand[j]);
        }
        int street = !strcmp(cand[j], "street") || !strcmp(cand[j], "街道");
        civ_status ms = ok && street ? merged_blanks(p, t, c, cand[j], "street") : CIV_OK;
        if (ms)
            return ms;
        if (ok) {
            col[p->n_labels] = c;
            p->label_names[p->n_labels++] = !strcmp(cand[j], name_col) ? "name" : cand[j];
        }
    }
    const char *dname = spec->district_column;
    int district_taken = 0;
    for (size_t j = 0; j < p->n_labels; j++)
        district_taken |= !strcmp(p->label_names[j], "district");
    for (size_t j = 0; dname && !district_taken && j < p->n_labels; j++)
        if (!strcmp(p->label_names[j], dname))
            p->label_names[j] = "district";
    if (!(p->labels = civ_bigmem_alloc(p->n_labels * p->n + 1, sizeof *p->labels)))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory binding the allocation");
    civ_status st = CIV_OK;
    for (size_t j = 0; j < p->n_labels && !st; j++)
        st = pack_texts(t, col[j], p->row_of, p->n, p->labels + j * p->n, &p->text_block[2 + j]);
    return st;
}

/* The communities a forecast factor with if_missing = "zero" counted as 0
 * for want of any forecast (count[i] == 0): a new community with no data
 * got 0 demand and nothing said so. */
static civ_status mark_no_forecast(civ_alloc_problem *p, size_t k, const unsigned *count)
{
    for (size_t i = 0; i < p->n; i++) {
        if (count[i])
            continue;
        if (!p->no_forecast && !(p->no_forecast = calloc(p->spec->n_factors * p->n, 1)))
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory binding %zu communities", p->n);
        p->no_forecast[k * p->n + i] = 1;
    }
    return CIV_OK;
}

/* The count of mark_no_forecast's marks of factor k: what `civicast allocate` prints and Python warns of (before
 * 2026-12-07 only each community's explanation said it). */
civ_status civ_alloc_result_n_no_forecast(const civ_alloc_problem *p, const civ_alloc_result *r, size_t k, size_t *out)
{
    if (out)
        *out = 0;
    if (!p || !r || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_result_n_no_forecast: NULL argument");
    if (r->n != p->n || k >= p->spec->n_factors)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT,
                        "civ_alloc_result_n_no_forecast: factor %zu of %zu, or a result of another problem", k,
                        p->spec->n_factors);
    for (size_t i = 0; p->no_forecast && i < p->n; i++)
        *out += p->no_forecast[k * p->n + i];
    return CIV_OK;
}

/* Factor values x, coefficients c and their products, from attributes or
 * summed forecasts; the weights as the spec gives them. */
static civ_status bind_factors(civ_alloc_problem *p, const civ_table *t, const civ_table *fc, unsigned *count)
{
    const civ_alloc_spec *spec = p->spec;
    size_t n = p->n, K = spec->n_factors;
    civ_strmap idmap = {0};
    civ_status st = CIV_OK;
    /* the id map is only needed to place forecast rows */
    int need_map = 0;
    for (size_t k = 0; k < K; k++)
        need_map |= spec->factors[k].source == CIV_SOURCE_FORECAST;
    for (size_t i = 0; i < n && need_map && !st; i++)
        st = civ_strmap_put(&idmap, p->ids[i], i, NULL);
    for (size_t k = 0; k < K && !st; k++) {
        const civ_alloc_factor *f = &spec->factors[k];
        char role[120];
        civ_snprintf(role, sizeof role, "factor '%s'", f->name);
        p->weights[k] = f->weight;
        double *xk = civ_alloc_factor_x(p, k);
        if (f->source == CIV_SOURCE_ATTRIBUTE)
            st = read_attribute(p, t, f->attribute, f->attribute_loc, role, 0, xk);
        else if (!(st = read_forecast(p, &idmap, fc, f, xk, count)) && f->missing_zero)
            st = mark_no_forecast(p, k, count);
        if (st)
            break;
        if (f->coefficient) {
            if ((st = read_attribute(p, t, f->coefficient, f->coefficient_loc, role, 0, p->c + k * n)))
                break;
            for (size_t i = 0; i < n; i++)
                p->xc[k * n + i] = p->x[k * n + i] * p->c[k * n + i];
        } /* else c = 1: the values were read straight into xc */
    }
    civ_strmap_free(&idmap);
    return st;
}

/* A tilt's threshold in the other scale than its attribute's, refused when
 * the data prove the slip, with the cure (docs/ALLOCATION.md, "Percentages
 * written for fractions"):
 * - a percentage over an attribute of fractions ("above = 25" on
 *   aged60_share, 0.05..0.41): no community, or every one, would be tilted;
 * - a fraction over an attribute in percent ("above = 0.25" on aged60_pct,
 *   3.7..64.2, some not whole), refused only when, as written, it tilts every
 *   community or none; a threshold that splits the communities (a value
 *   below it) runs as written, as eligible_min/eligible_max do
 *   (earmark_units), and a count (whole values) is never taken for
 *   percentages. */
static civ_status tilt_units(const civ_alloc_spec *spec, const civ_alloc_tilt *tl, const double *v, size_t n)
{
    double lo, hi, b = tl->threshold;
    civ_where w = {.file = spec->path, .line = tl->threshold_loc.line, .column = tl->threshold_loc.column,
                   .field = tl->threshold_key};
    size_t hits = 0, known = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i]))
            continue;
        known++;
        hits += tl->op == CIV_OP_GT ? v[i] > b : tl->op == CIV_OP_GE ? v[i] >= b : tl->op == CIV_OP_LT ? v[i] < b
                                                                                                    : v[i] <= b;
    }
    const char *effect = hits ? "every community would be tilted" : "no community would be tilted";
    if (holds_fractions(v, n, &lo, &hi)) {
        if (!(b > 1 && b <= 100))
            return CIV_OK;
        return civ_fail_at(CIV_ERR_SPEC, &w,
                           "tilt '%s': %s = %g, but attribute '%s' holds fractions (%g..%g), so %s: a percentage? "
                           "write %g for %g%%",
                           tl->name, tl->threshold_key, b, tl->attribute, lo, hi, effect, b / 100, b);
    }
    if (!holds_percentages(v, n, lo, hi) || !(b > 0 && b < 1) || (hits && hits < known))
        return CIV_OK;
    return civ_fail_at(CIV_ERR_SPEC, &w,
                       "tilt '%s': %s = %g, but attribute '%s' holds values up to %g (%g..%g, not whole: "
                       "percentages?), so %s: a fraction written for a percentage? write %g for %g%%; if %g is "
                       "meant in the attribute's units, the tilt %s: drop it",
                       tl->name, tl->threshold_key, b, tl->attribute, hi, lo, hi, effect, b * 100, b * 100, b,
                       hits ? "raises every community's score alike and changes no share" : "applies to no one");
}

/* Tilt multipliers per formula and community, with the mask of the tilts
 * that applied (for the explanations). */
static civ_status bind_tilts(civ_alloc_problem *p, const civ_table *t, double *scratch)
{
    const civ_alloc_spec *spec = p->spec;
    size_t n = p->n, F = spec->n_formulas;
    civ_status st;
    for (size_t i = 0; i < F * n; i++)
        p->tilt[i] = 1;
    for (size_t r = 0; r < spec->n_tilts; r++) {
        const civ_alloc_tilt *tl = &spec->tilts[r];
        char role[120];
        civ_snprintf(role, sizeof role, "tilt '%s'", tl->name);
        if ((st = read_attribute(p, t, tl->attribute, tl->attribute_loc, role, ALLOW_NEGATIVE, scratch)))
            return st;
        if ((st = tilt_units(spec, tl, scratch, n)))
            return st;
        for (size_t i = 0; i < n; i++) {
            double v = scratch[i];
            int hit = tl->op == CIV_OP_GT ? v > tl->threshold
                      : tl->op == CIV_OP_GE ? v >= tl->threshold
                      : tl->op == CIV_OP_LT ? v < tl->threshold
                                            : v <= tl->threshold;
            if (!hit)
                continue;
            for (size_t f = 0; f < F; f++)
                if (tl->formula == SIZE_MAX || tl->formula == f) {
                    p->tilt[f * n + i] *= tl->multiplier;
                    p->tilt_mask[f * n + i] |= (uint32_t)1 << r;
                }
        }
    }
    return CIV_OK;
}

/* [[formula]] last_year_total: last year's whole fund against what this
 * year's communities carry in their history.  Less is the money of
 * communities that are gone (closed, merged without their amounts), which
 * vanished from every total unnamed: kept for the summary.  More is money
 * counted twice (a split part given its parent's whole amount): refused. */
static civ_status reconcile_history(civ_alloc_problem *p, size_t u, const char *attr)
{
    const civ_alloc_spec *s = p->spec;
    const civ_alloc_formula *fo = &s->formulas[p->units[u].formula];
    if (fo->last_year_total < 0 || s->ly) /* with last year's allocation, last_year.c reconciles with it */
        return CIV_OK;
    civ_where w = {.file = s->path, .line = fo->loc.line, .column = fo->loc.column, .field = "last_year_total"};
    size_t uses = 0;
    for (size_t v = 0; v < p->n_units; v++)
        uses += p->units[v].formula == p->units[u].formula;
    if (uses > 1 || !attr)
        return civ_fail_at(CIV_ERR_SPEC, &w,
                           "formula '%s': last_year_total is last year's whole fund, to reconcile with the fund's "
                           "history column; %s",
                           fo->name, attr ? "the formula allocates several funds (earmarks), each with its own "
                                            "history: remove the key"
                                          : "the fund has no last_year column: name it in the formula");
    int64_t sum = 0;
    for (size_t i = 0; i < p->n; i++)
        sum += (int64_t)llround(p->last_year[u * p->n + i] * (double)s->minor_unit);
    if (sum > fo->last_year_total)
        return civ_fail_at(CIV_ERR_DOMAIN, &w,
                           "fund '%s': this year's communities carry %lld minor units of last year in '%s', more "
                           "than last year's whole fund of %lld (last_year_total): money counted twice, e.g. a "
                           "split community's parts each given the parent's whole amount (give each part its share) "
                           "or a predecessor's amount carried into two communities",
                           p->units[u].name, (long long)sum, attr, (long long)fo->last_year_total);
    if (!p->hist_total) {
        p->hist_total = malloc(p->n_units * sizeof *p->hist_total);
        p->hist_carried = calloc(p->n_units, sizeof *p->hist_carried);
        if (!p->hist_total || !p->hist_carried)
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory binding the history");
        for (size_t v = 0; v < p->n_units; v++)
            p->hist_total[v] = -1;
    }
    p->hist_total[u] = fo->last_year_total;
    p->hist_carried[u] = sum;
    return CIV_OK;
}

/* The attribute holding fund u's history: the last_year of its pools (all
 * that name one must name the same attribute: it is the fund's, not the
 * pool's), else its formula's last_year; NULL when neither.  *loc gets the
 * key's place. */
static civ_status unit_history_attribute(const civ_alloc_problem *p, size_t u, const char **name, civ_alloc_loc *loc)
{
    const civ_alloc_spec *s = p->spec;
    *name = NULL;
    for (size_t q = 0; q < s->n_pools; q++) {
        const civ_alloc_pool *pool = &s->pools[q];
        if (p->pool_unit[q] != u || !pool->last_year)
            continue;
        if (*name && strcmp(*name, pool->last_year)) {
            civ_where w = {.file = s->path, .line = pool->last_year_loc.line, .column = pool->last_year_loc.column,
                           .field = "last_year"};
            return civ_fail_at(CIV_ERR_SPEC, &w,
                               "pool '%s' names last_year '%s' but fund '%s' (pools sharing a formula and an earmark "
                               "are allocated together) already has last_year '%s': name one attribute holding the "
                               "fund's last-year amount",
                               pool->name, pool->last_year, p->units[u].name, *name);
        }
        *name = pool->last_year;
        *loc = pool->last_year_loc;
    }
    const civ_alloc_formula *fo = &s->formulas[p->units[u].formula];
    if (!*name && fo->last_year) {
        *name = fo->last_year;
        *loc = fo->last_year_loc;
    }
    return CIV_OK;
}

/* Last year's amount of every fund, against its own history (major units,
 * NaN when the fund has none), and the reporting attributes ([data]
 * population, aged, last_year; NaN when not named).  A formula's last_year
 * serves only a formula that allocates one fund: with several, each fund is
 * compared with its own history, so each needs its pools' last_year. */
static civ_status bind_history(civ_alloc_problem *p, const civ_table *t)
{
    const civ_alloc_spec *spec = p->spec;
    size_t n = p->n, U = p->n_units;
    civ_status st;
    p->last_year = civ_bigmem_alloc((U ? U : 1) * n, sizeof *p->last_year);
    p->unit_has_last = calloc(U ? U : 1, sizeof *p->unit_has_last);
    if (!p->last_year || !p->unit_has_last)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory binding %zu communities", n);
    for (size_t u = 0; u < U; u++) {
        const civ_alloc_formula *fo = &spec->formulas[p->units[u].formula];
        const char *attr;
        civ_alloc_loc loc = {0, 0};
        if ((st = unit_history_attribute(p, u, &attr, &loc)))
            return st;
        size_t uses = 0;
        for (size_t v = 0; v < U; v++)
            uses += p->units[v].formula == p->units[u].formula;
        if (attr && attr == fo->last_year && uses > 1 && (!isnan(fo->hold_harmless) || !isnan(fo->pace))) {
            civ_where w = {.file = spec->path, .line = fo->loc.line, .column = fo->loc.column, .field = fo->name};
            return civ_fail_at(CIV_ERR_SPEC, &w,
                               "formula '%s' has hold_harmless/pace and allocates %zu funds (pools with different "
                               "earmarks); its last_year '%s' cannot be each fund's own history: give the pools of "
                               "fund '%s' a last_year of their own",
                               fo->name, uses, fo->last_year, p->units[u].name);
        }
        if (attr) {
            char role[200];
            civ_snprintf(role, sizeof role, "fund '%s' last_year", p->units[u].name);
            if ((st = read_attribute(p, t, attr, loc, role, HISTORY, p->last_year + u * n)))
                return st;
            p->unit_has_last[u] = 1;
            if ((st = reconcile_history(p, u, attr)))
                return st;
        } else {
            for (size_t i = 0; i < n; i++)
                p->last_year[u * n + i] = NAN;
            if ((st = reconcile_history(p, u, NULL)))
                return st;
        }
    }
    /* population and aged are usually also factors: then they share the
     * factor's values (bound with the same checks) instead of a copy */
    double **share[2] = {&p->population, &p->aged};
    int *shared[2] = {&p->population_shared, &p->aged_shared};
    const char *share_name[2] = {spec->population, spec->aged};
    for (int j = 0; j < 2; j++)
        for (size_t k = 0; k < spec->n_factors && share_name[j] && !*shared[j]; k++)
            if (spec->factors[k].source == CIV_SOURCE_ATTRIBUTE && !strcmp(spec->factors[k].attribute, share_name[j])) {
                free(*share[j]);
                *share[j] = civ_alloc_factor_x(p, k);
                *shared[j] = 1;
            }
    struct {
        const char *name;
        civ_alloc_loc loc;
        double *out;
        const char *role;
        int shared;
    } rep[3] = {{spec->population, spec->population_loc, p->population, "[data] population", p->population_shared},
                {spec->aged, spec->aged_loc, p->aged, "[data] aged", p->aged_shared},
                {spec->last_year, spec->last_year_loc, p->report_last_year, "[data] last_year", 0}};
    for (int j = 0; j < 3; j++) {
        if (rep[j].shared)
            continue;
        if (rep[j].name) {
            if ((st = read_attribute(p, t, rep[j].name, rep[j].loc, rep[j].role, 0, rep[j].out)))
                return st;
        } else {
            for (size_t i = 0; i < n; i++)
                rep[j].out[i] = NAN;
        }
    }
    return CIV_OK;
}

static int cmp_id_key(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(const char *const *)elem);
}

/* One predecessor id of community i (tok, len bytes): not a community of
 * this year too (its money would count twice, and its row would be
 * allocated again). */
static civ_status check_one_predecessor(const civ_alloc_problem *p, const civ_table *t, size_t col, size_t i,
                                        const char *tok, size_t len, const char *cell)
{
    char id[256];
    if (len >= sizeof id)
        len = sizeof id - 1;
    memcpy(id, tok, len);
    id[len] = 0;
    if (!strcmp(id, p->ids[i]))
        return CIV_OK; /* a community that absorbed others may list itself */
    if (!bsearch(id, p->ids, p->n, sizeof *p->ids, cmp_id_key)) {
        /* this year's code but for leading zeros (Excel dropped them in one file): the same community,
         * most likely, whose money would count twice; refused with both readings' cures */
        const char *twin = civ_id_zero_twin(id, (const char *const *)p->ids, p->n);
        if (!twin)
            return CIV_OK;
        civ_where w = {.series_id = p->ids[i], .field = p->spec->predecessors};
        char row[64], hint[400];
        row_where(t, p->row_of[i], col, &w, row, sizeof row);
        civ_id_zero_hint(id, twin, "the communities table", hint, sizeof hint);
        return civ_fail_at(CIV_ERR_DOMAIN, &w,
                           "community '%s' (%s): its predecessors ('%s' = '%s') include '%s'%s; if it is that "
                           "community of this year, it is not a predecessor (remove it from the cell)",
                           p->ids[i], row, p->spec->predecessors, cell, id, hint);
    }
    civ_where w = {.series_id = p->ids[i], .field = p->spec->predecessors};
    char row[64];
    row_where(t, p->row_of[i], col, &w, row, sizeof row);
    return civ_fail_at(CIV_ERR_DOMAIN, &w,
                       "community '%s' (%s): its predecessors ('%s' = '%s') include '%s', which is a "
                       "community of this year too: "
                       "a community merged or renamed into '%s' has no row of its own this year (delete it), and "
                       "one that still exists is not a predecessor (remove it from the cell)",
                       p->ids[i], row, p->spec->predecessors, cell, id, p->ids[i]);
}

/* The predecessors column read as numbers: a blank column (nobody continues
 * anybody) passes, a number in it is refused at `at`. */
static civ_status predecessors_as_numbers(const civ_alloc_spec *spec, const civ_table *t, size_t col,
                                          const civ_where *at)
{
    const double *v = civ_table_numbers(t, col);
    for (size_t r = 0; v && r < civ_table_n_rows(t); r++)
        if (!isnan(v[r]))
            return civ_fail_at(CIV_ERR_DOMAIN, at,
                               "[data] predecessors: column '%s' holds numbers (row %zu: %g); it must be text: "
                               "last year's ids, e.g. \"C001;C002\"",
                               spec->predecessors, civ_table_row_number(t, r), v[r]);
    return CIV_OK; /* an empty column read as numbers: nobody continues anybody */
}

/* Checks community i's predecessors and writes them joined at *dst
 * ("C001+C002×0.5", NUL-terminated; *dst moves past it); *n_tok = their number. */
static civ_status join_predecessors(const civ_alloc_problem *p, const civ_table *t, size_t col, size_t i,
                                    const char *cell, char **dst, size_t *n_tok)
{
    const civ_pred_map *m = &p->pm;
    char *out = *dst;
    *n_tok = 0;
    for (size_t k = m->first[p->row_of[i]]; k < m->first[p->row_of[i]] + m->n[p->row_of[i]]; k++) {
        size_t len = strlen(m->id[k]);
        civ_status st = check_one_predecessor(p, t, col, i, m->id[k], len, cell);
        if (st)
            return st;
        if ((*n_tok)++)
            *out++ = '+';
        memcpy(out, m->id[k], len);
        out += len;
        if (!isnan(m->share[k]) && m->share[k] != 1)
            out += civ_snprintf(out, 24, "\xc3\x97%.6g", m->share[k]); /* ×; 24: the room kept per predecessor */
    }
    *out++ = '\0';
    *dst = out;
    return CIV_OK;
}

/* Community i continues others but has 0 last year in every fund that limits
 * change: refused, naming the history columns to fill in. */
static civ_status predecessors_without_last_year(const civ_alloc_problem *p, const civ_table *t, size_t col, size_t i,
                                                 const char *cell)
{
    char cols[300] = "";
    for (size_t u = 0; u < p->n_units; u++) {
        const char *a = NULL;
        civ_alloc_loc l;
        size_t L = strlen(cols);
        if (p->unit_has_last[u] && !unit_history_attribute(p, u, &a, &l) && a && !strstr(cols, a) &&
            L < sizeof cols - 70)
            civ_snprintf(cols + L, sizeof cols - L, "%s'%s'", L ? ", " : "", a);
    }
    civ_where w = {.series_id = p->ids[i], .field = p->spec->predecessors};
    char row[64];
    row_where(t, p->row_of[i], col, &w, row, sizeof row);
    return civ_fail_at(CIV_ERR_DOMAIN, &w,
                       "community '%s' (%s) continues last year's %s (column '%s') but has no last "
                       "year in any fund (%s are 0): it would be allocated as a new community, exempt from "
                       "hold-harmless and pace; write in %s the sum of its predecessors' last-year amounts "
                       "(a merger or a rename) or its part of them (a split)",
                       p->ids[i], row, cell, p->spec->predecessors, cols, cols);
}

/* [data] predecessors (docs/ALLOCATION.md "When the map changes"): a
 * community that continues last year's communities (merged, split, renamed)
 * had last year's money under their ids.  With 0 last year in every fund it
 * would pass as new, exempt from hold-harmless and pace (a merger of two
 * communities given -37% where 85% was promised): refused, with the cure. */
static civ_status bind_predecessors(civ_alloc_problem *p, const civ_table *t)
{
    const civ_alloc_spec *spec = p->spec;
    size_t col;
    if (!spec->predecessors)
        return CIV_OK;
    civ_where at = {.file = spec->path, .line = spec->predecessors_loc.line,
                    .column = spec->predecessors_loc.column, .field = "predecessors"};
    if (civ_table_find_column(t, spec->predecessors, &col))
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &at,
                           "[data] predecessors: the communities table has no column '%s' (the text column naming, "
                           "for a merged, split or renamed community, last year's ids it continues, e.g. "
                           "\"C001;C002\")",
                           spec->predecessors);
    if (!civ_table_text(t, 0, col) && civ_table_n_rows(t))
        return predecessors_as_numbers(spec, t, col, &at);
    size_t idc, shc = SIZE_MAX;
    if (civ_table_find_column(t, spec->id_column, &idc))
        return civ_fail(CIV_ERR_MISSING_COLUMN, "no id column '%s'", spec->id_column); /* bound before: unreached */
    if (spec->predecessor_shares && civ_table_find_column(t, spec->predecessor_shares, &shc)) {
        civ_where ws = {.file = spec->path, .line = spec->predecessor_shares_loc.line,
                        .column = spec->predecessor_shares_loc.column, .field = "predecessor_shares"};
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &ws,
                           "[data] predecessor_shares: the communities table has no column '%s' (for each community, "
                           "the part of each of its predecessors it continues, e.g. \"0.6\" or \"0.5;1\")",
                           spec->predecessor_shares);
    }
    civ_status pst = civ_pred_map_read(t, idc, col, shc, spec->predecessors,
                                       spec->predecessor_shares ? spec->predecessor_shares : "", &p->pm);
    if (pst)
        return pst;
    size_t bytes = 0;
    for (size_t i = 0; i < p->n; i++) /* the joined ids, each with its share */
        bytes += strlen(civ_table_text(t, p->row_of[i], col)) + 1 + 24 * p->pm.n[p->row_of[i]];
    p->pred = calloc(p->n, sizeof *p->pred);
    p->pred_block = malloc(bytes);
    if (!p->pred || !p->pred_block)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory binding %zu communities", p->n);
    char *dst = p->pred_block;
    int limited = 0;
    for (size_t u = 0; u < p->n_units; u++) {
        const civ_alloc_formula *fo = &spec->formulas[p->units[u].formula];
        limited |= p->unit_has_last[u] && (!isnan(fo->hold_harmless) || !isnan(fo->pace));
    }
    for (size_t i = 0; i < p->n; i++) {
        const char *cell = civ_table_text(t, p->row_of[i], col);
        size_t n_tok = 0;
        p->pred[i] = dst;
        civ_status st = join_predecessors(p, t, col, i, cell, &dst, &n_tok);
        if (st)
            return st;
        double total = 0;
        for (size_t u = 0; u < p->n_units; u++)
            if (p->unit_has_last[u])
                total += p->last_year[u * p->n + i];
        if (n_tok && limited && total == 0 && !spec->ly) /* with the file, last_year.c checks the amount */
            return predecessors_without_last_year(p, t, col, i, cell);
    }
    return CIV_OK;
}

/* Last year's allocation (civ_alloc_spec_set_last_year): last_year.c, given each fund's history column. */
static civ_status bind_last_year(civ_alloc_problem *p, const civ_table *t)
{
    const char **attr = calloc(p->n_units ? p->n_units : 1, sizeof *attr);
    if (!attr)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory binding last year's allocation");
    civ_status st = CIV_OK;
    for (size_t u = 0; u < p->n_units && !st; u++) {
        civ_alloc_loc loc;
        if (p->unit_has_last[u])
            st = unit_history_attribute(p, u, &attr[u], &loc);
    }
    if (!st)
        st = civ_alloc_bind_last_year(p, t, attr);
    free(attr);
    return st;
}

civ_status civ_alloc_bind(const civ_alloc_spec *spec, const civ_table *t, const civ_table *fc, civ_alloc_problem **out)
{
    if (!spec || !t || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_bind: NULL argument");
    *out = NULL;
    size_t idc;
    if (civ_table_find_column(t, spec->id_column, &idc) || civ_table_column_type(t, idc) != CIV_COLUMN_TEXT) {
        civ_where w = {.field = spec->id_column};
        char hint[720] = "";
        if (civ_table_find_column(t, spec->id_column, &idc))
            column_hint(t, spec->id_column, hint, sizeof hint);
        civ_clear_error();
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w,
                           "the communities table has no text id column '%s' (the spec's [data] id names the "
                           "key column, e.g. id = \"社区编号\")%s",
                           spec->id_column, hint);
    }
    size_t n = civ_table_n_rows(t);
    if (n == 0)
        return civ_fail(CIV_ERR_DOMAIN, "the communities table has no rows");
    if (n > ((size_t)1 << 31))
        return civ_fail(CIV_ERR_LIMIT, "more than 2^31 communities");
    civ_alloc_problem *p = calloc(1, sizeof *p);
    if (!p)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory binding the allocation");
    p->spec = spec;
    p->n = n;
    double *scratch = civ_bigmem_alloc(n, sizeof *scratch);
    unsigned *count = malloc(n * sizeof *count);
    p->row_first = civ_table_row_number(t, 0);
    civ_status st = bind_alloc(p, n);
    if (!st && (!scratch || !count))
        st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory binding %zu communities", n);
    if (!st)
        st = bind_ids(p, t, idc);
    if (!st)
        st = bind_districts(p, t);
    if (!st)
        st = bind_labels(p, t);
    if (!st)
        st = bind_factors(p, t, fc, count);
    if (!st)
        st = bind_tilts(p, t, scratch);
    if (!st) {
        for (size_t r = 0; r < spec->n_reserves; r++)
            p->reserve_amount[r] = spec->reserves[r].amount;
        for (size_t q = 0; q < spec->n_pools; q++)
            p->pool_amount[q] = spec->pools[q].amount;
        p->distributable = spec->distributable;
        st = bind_units(p, t, scratch);
    }
    if (!st)
        st = bind_history(p, t);
    if (!st)
        st = bind_predecessors(p, t);
    if (!st && spec->ly)
        st = bind_last_year(p, t);
    free(scratch);
    free(count);
    if (st) {
        civ_alloc_problem_free(p);
        return st;
    }
    *out = p;
    return CIV_OK;
}

civ_status civ_alloc_problem_set_factor(civ_alloc_problem *p, size_t k, const double *values, size_t n)
{
    if (!p || !values || k >= p->spec->n_factors || n != p->n)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_problem_set_factor: bad factor index or length");
    for (size_t i = 0; i < p->n; i++) {
        double v = values[p->row_of[i]];
        if (!isfinite(v) || v < 0) {
            civ_where w = {.series_id = p->ids[i], .field = p->spec->factors[k].name};
            return civ_fail_at(CIV_ERR_DOMAIN, &w, "factor '%s': value %g for community '%s' (row %zu)",
                               p->spec->factors[k].name, v, p->ids[i], p->row_of[i] + 1);
        }
    }
    double *x = civ_alloc_factor_x(p, k);
    double **share[2] = {&p->population, &p->aged};
    int *shared[2] = {&p->population_shared, &p->aged_shared};
    for (int j = 0; j < 2; j++) /* population / aged keep the bound values: their own copy first */
        if (*shared[j] && *share[j] == x) {
            double *own = civ_bigmem_alloc(p->n, sizeof *own);
            if (!own)
                return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for %zu communities", p->n);
            memcpy(own, x, p->n * sizeof *own);
            *share[j] = own;
            *shared[j] = 0;
        }
    for (size_t i = 0; i < p->n; i++)
        x[i] = values[p->row_of[i]];
    if (p->spec->factors[k].coefficient)
        for (size_t i = 0; i < p->n; i++)
            p->xc[k * p->n + i] = x[i] * p->c[k * p->n + i];
    return CIV_OK;
}

civ_status civ_alloc_problem_get_factor(const civ_alloc_problem *p, size_t k, double *values, size_t n)
{
    if (!p || !values || k >= p->spec->n_factors || n != p->n)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_problem_get_factor: bad factor index or length");
    const double *x = civ_alloc_factor_x((civ_alloc_problem *)p, k);
    for (size_t i = 0; i < p->n; i++)
        values[p->row_of[i]] = x[i];
    return CIV_OK;
}

civ_status civ_alloc_problem_set_weights(civ_alloc_problem *p, const double *w, size_t n)
{
    if (!p || !w || n != p->spec->n_factors)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_problem_set_weights: need %zu weights",
                        p ? p->spec->n_factors : 0);
    for (size_t fg = 0; fg < p->spec->n_formulas * CIV_ALLOC_MAX_GROUPS; fg++) {
        size_t f = fg / CIV_ALLOC_MAX_GROUPS, grp = fg % CIV_ALLOC_MAX_GROUPS;
        if (grp > 0 && grp >= p->spec->formulas[f].n_groups)
            continue;
        double sum = 0;
        for (size_t k = 0; k < n; k++) {
            if (p->spec->factors[k].formula != f || p->spec->factors[k].group_index != grp)
                continue;
            if (!(w[k] >= 0 && w[k] <= 1)) {
                civ_where wh = {.field = p->spec->factors[k].name};
                return civ_fail_at(CIV_ERR_SPEC, &wh, "weight %g of factor '%s' is outside [0, 1]", w[k],
                                   p->spec->factors[k].name);
            }
            sum += w[k];
        }
        if (fabs(sum - 1) > 1e-9) {
            civ_where wh = {.field = p->spec->formulas[f].name};
            return civ_fail_at(CIV_ERR_SPEC, &wh, "weights of formula '%s'%s%s%s sum to %.12g, not 1",
                               p->spec->formulas[f].name, p->spec->formulas[f].greater_of ? " group '" : "",
                               p->spec->formulas[f].greater_of ? p->spec->formulas[f].groups[grp] : "",
                               p->spec->formulas[f].greater_of ? "'" : "", sum);
        }
    }
    memcpy(p->weights, w, n * sizeof *w);
    return CIV_OK;
}

