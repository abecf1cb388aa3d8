/*
 * project.c -- alloc layer: the multi-year allocation projection
 * (docs/ALLOCATION.md "Multi-year projection"): the same spec rolled forward
 * year by year from its fiscal_year, with projected demand and indexed
 * standards, each year's result feeding the next year's "last year".
 *
 * Year y = fiscal_year + t, t = 0..years-1, with the [need] section's
 * indexed standard S_y (need.c) and index k_y = S_y / S_fiscal_year:
 *   - budget T_y = T k_y, rounded half up, in 128-bit integers; each reserve
 *     ceil(share x T_y) as the spec's split (a minimum), and the rest split
 *     over the funds in proportion to their amounts in the first year by
 *     the exact largest remainder (fixed amounts and shares alike indexed);
 *   - floors ceil(floor k_y), caps floor(cap k_y) (minimum up, maximum down);
 *   - every forecast factor reads the community's projected demand of year y
 *     (the sum of the forecast means of that calendar year, as the need);
 *   - hold-harmless and pace compare each fund with the community's amount
 *     of that fund in year y - 1 (in the first year, with the data's own
 *     history), so the constraints apply year by year.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "c_locale.h"
#include "strmap.h"

/* round(v x num / den) half up, v, num, den >= 0, 128-bit */
static int64_t scale_round(int64_t v, int64_t num, int64_t den)
{
    return (int64_t)(((__int128)v * num * 2 + den) / ((__int128)den * 2));
}

/* Year t's budget lines into p (units' amounts) and *reserved. */
static civ_status index_budget(civ_alloc_problem *p, const int64_t *unit0, int64_t num, int64_t den, int64_t *total,
                               int64_t *reserved, civ_alloc_pair *pairs, civ_alloc_pair *tmp)
{
    const civ_alloc_spec *s = p->spec;
    int64_t T = scale_round(s->total, num, den), R = 0;
    for (size_t r = 0; r < s->n_reserves; r++) {
        const civ_alloc_reserve *rv = &s->reserves[r];
        int64_t v;
        if (rv->share_digits >= 0) {
            __int128 d = 1;
            for (int k = 0; k < rv->share_digits; k++)
                d *= 10;
            v = (int64_t)(((__int128)T * rv->share_num + d - 1) / d); /* a minimum: up */
        } else {
            double x = rv->share * (double)T, w = nearbyint(x);
            v = (int64_t)(fabs(x - w) <= 1e-12 * fmax(1, x) ? w : ceil(x));
        }
        R += v;
    }
    int64_t D = T - R, D0 = 0;
    for (size_t u = 0; u < p->n_units; u++)
        D0 += unit0[u];
    int64_t *amt = calloc(p->n_units + 1, sizeof *amt); /* D0 = 0 (the spec refuses it): 0 */
    if (!amt)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the projection");
    civ_status st = D0 > 0 ? civ_alloc_split_exact(D, unit0, p->n_units, D0, pairs, tmp, amt) : CIV_OK;
    for (size_t u = 0; u < p->n_units && !st; u++)
        p->units[u].amount = amt[u];
    free(amt);
    *total = T, *reserved = R;
    return st;
}

/* Year y's projected demand per community (id order) into x (NaN = none). */
static void year_demand(const civ_alloc_problem *p, const civ_table *pc, const civ_strmap *ids, long year, double *x)
{
    size_t cid, cy, cd;
    for (size_t i = 0; i < p->n; i++)
        x[i] = NAN;
    if (civ_table_find_column(pc, "unique_id", &cid) || civ_table_find_column(pc, "year", &cy) ||
        civ_table_find_column(pc, "demand", &cd))
        return;
    for (size_t r = 0; r < civ_table_n_rows(pc); r++) {
        size_t i;
        if ((long)civ_table_number(pc, r, cy) == year && civ_strmap_get(ids, civ_table_text(pc, r, cid), &i))
            x[i] = civ_table_number(pc, r, cd);
    }
}

/* Sets every forecast factor to year y's demand (in the problem's row order). */
static civ_status set_demand(civ_alloc_problem *p, const civ_table *pc, const civ_strmap *ids, long year, double *x,
                             double *rows)
{
    const civ_alloc_spec *s = p->spec;
    year_demand(p, pc, ids, year, x);
    size_t with_demand = 0;
    for (size_t i = 0; i < p->n; i++)
        with_demand += !isnan(x[i]);
    for (size_t k = 0; k < s->n_factors && !with_demand; k++)
        if (s->factors[k].source == CIV_SOURCE_FORECAST) { /* the forecasts end before this year */
            civ_where w = {.field = s->factors[k].name};
            return civ_fail_at(CIV_ERR_NOT_FOUND, &w,
                               "the forecasts have no period in %ld, so factor '%s' has no "
                               "demand there; forecast further ahead (through %ld), or project fewer years",
                               year, s->factors[k].name, year);
        }
    for (size_t k = 0; k < s->n_factors; k++) {
        if (s->factors[k].source != CIV_SOURCE_FORECAST)
            continue;
        for (size_t i = 0; i < p->n; i++) {
            double v = x[i];
            if (isnan(v) && !s->factors[k].missing_zero) {
                civ_where w = {.series_id = p->ids[i], .field = s->factors[k].name};
                return civ_fail_at(CIV_ERR_NOT_FOUND, &w,
                                   "projection year %ld: community '%s' has no projected demand for factor '%s' "
                                   "(forecast further ahead, or if_missing = \"zero\")",
                                   year, p->ids[i], s->factors[k].name);
            }
            rows[p->row_of[i]] = isnan(v) ? 0 : v;
        }
        civ_status st = civ_alloc_problem_set_factor(p, k, rows, p->n);
        if (st)
            return st;
    }
    return CIV_OK;
}

/* Appends year y's allocation table to the long table *out (created on the
 * first year with a leading "year" column and the same columns). */
static civ_status append_year(civ_table **out, const civ_table *t, long year)
{
    civ_status st = CIV_OK;
    size_t nc = civ_table_n_columns(t), n = civ_table_n_rows(t), first = 0, k;
    if (!*out) {
        if ((st = civ_table_create(out)) || (st = civ_table_add_column(*out, "year", CIV_COLUMN_NUMBER, &k)))
            return st;
        for (size_t c = 0; c < nc && !st; c++)
            st = civ_table_add_column(*out, civ_table_column_name(t, c), civ_table_column_type(t, c), &k);
    }
    if (!st)
        st = civ_table_add_rows(*out, n, &first);
    for (size_t r = 0; r < n && !st; r++) {
        st = civ_table_set_number(*out, first + r, 0, (double)year);
        for (size_t c = 0; c < nc && !st; c++) {
            if (civ_table_column_type(t, c) == CIV_COLUMN_TEXT) {
                const char *v = civ_table_text(t, r, c);
                st = civ_table_set_text(*out, first + r, c + 1, v ? v : "");
            } else {
                st = civ_table_set_number(*out, first + r, c + 1, civ_table_number(t, r, c));
            }
        }
    }
    return st;
}

typedef struct proj_ctx {
    civ_alloc_problem *p;
    civ_alloc_result *r;
    civ_table *pc, *sum;
    civ_strmap ids;
    int64_t *unit0;
    double *x, *rows;
    civ_alloc_pair *pairs, *tmp;
} proj_ctx;

static void proj_free(proj_ctx *c)
{
    civ_alloc_result_free(c->r), civ_alloc_problem_free(c->p), civ_table_free(c->pc), civ_table_free(c->sum);
    civ_strmap_free(&c->ids);
    free(c->unit0), free(c->x), free(c->rows), free(c->pairs), free(c->tmp);
}

/* One summary row per year and measure. */
static civ_status sum_row(civ_table *t, long year, const char *item, const char *unit, double v)
{
    size_t row;
    civ_status st = civ_table_add_rows(t, 1, &row);
    if (!st)
        st = civ_table_set_number(t, row, 0, (double)year);
    if (!st)
        st = civ_table_set_text(t, row, 1, item);
    if (!st)
        st = civ_table_set_text(t, row, 2, unit);
    if (!st)
        st = civ_table_set_number(t, row, 3, v);
    return st;
}

/* Year t: index, demand, solve, tables; then this year feeds the next. */
static civ_status project_year(proj_ctx *c, const civ_alloc_need *need, long t, int explain, civ_table **out)
{
    civ_alloc_problem *p = c->p;
    const civ_alloc_spec *s = p->spec;
    long year = s->fiscal_year + t;
    int64_t num = civ_alloc_need_standard(need, year), den = civ_alloc_need_standard(need, s->fiscal_year);
    if (num <= 0 || den <= 0)
        return civ_fail(CIV_ERR_SPEC, "projection year %ld: the [need] standard is not defined (base_year after %ld)",
                        year, s->fiscal_year);
    int64_t total = 0, reserved = 0;
    civ_status st = index_budget(p, c->unit0, num, den, &total, &reserved, c->pairs, c->tmp);
    for (size_t f = 0; f < s->n_formulas && !st; f++) {
        const civ_alloc_formula *fo = &s->formulas[f];
        p->floor_y[f] = fo->floor < 0 ? -1 : (int64_t)(((__int128)fo->floor * num + den - 1) / den); /* minimum: up */
        p->cap_y[f] = fo->cap < 0 ? -1 : (int64_t)((__int128)fo->cap * num / den);                   /* maximum: down */
    }
    if (!st)
        st = set_demand(p, c->pc, &c->ids, year, c->x, c->rows);
    if (!st)
        st = civ_alloc_solve(p, c->r);
    civ_table *t_year = NULL;
    if (!st)
        st = civ_alloc_result_table(p, c->r, explain, &t_year);
    if (!st)
        st = append_year(out, t_year, year);
    civ_table_free(t_year);
    civ_alloc_stats stats = {0};
    if (!st)
        st = civ_alloc_result_stats(p, c->r, &stats);
    const char *mi = civ_alloc_minor_name(s);
    if (!st)
        st = sum_row(c->sum, year, "index", "ratio", (double)num / (double)den);
    if (!st)
        st = sum_row(c->sum, year, "budget", mi, (double)total);
    if (!st)
        st = sum_row(c->sum, year, "reserved", mi, (double)reserved);
    for (size_t u = 0; u < p->n_units && !st; u++) {
        char item[200];
        civ_snprintf(item, sizeof item, "fund %s", p->units[u].name);
        st = sum_row(c->sum, year, item, mi, (double)p->units[u].amount);
    }
    static const char *const bind[] = {"binding floor", "binding cap", "binding hold_harmless", "binding pace"};
    const size_t nb[] = {stats.n_floor, stats.n_cap, stats.n_hold_harmless, stats.n_pace};
    for (int k = 0; k < 4 && !st; k++)
        st = sum_row(c->sum, year, bind[k], "count", (double)nb[k]);
    if (st) {
        char msg[900];
        civ_snprintf(msg, sizeof msg, "projection year %ld: %s", year, civ_last_error()->message);
        return civ_fail(st, "%s", msg);
    }
    /* this year is next year's history, fund by fund (major units, as the attributes) */
    for (size_t u = 0; u < p->n_units; u++) {
        p->unit_has_last[u] = 1;
        for (size_t i = 0; i < p->n; i++)
            p->last_year[u * p->n + i] = (double)c->r->unit_amount[u * p->n + i] / (double)s->minor_unit;
    }
    /* last_year_total reconciles the first year's history only; later years' history is this allocation */
    free(p->hist_total), free(p->hist_carried), free(p->closed);
    p->hist_total = p->hist_carried = NULL;
    p->closed = NULL, p->n_closed = 0; /* last year's closed communities belong to the first year */
    return CIV_OK;
}

civ_status civ_alloc_project(const civ_alloc_spec *spec, const civ_table *communities, const civ_table *forecasts,
                             const civ_alloc_need *need, long years, int explain, civ_table **out, civ_table **summary)
{
    if (!spec || !communities || !forecasts || !need || !out || years < 1 || years > 100)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_project: NULL argument or years outside 1..100");
    *out = NULL;
    if (summary)
        *summary = NULL;
    proj_ctx c = {0};
    civ_status st = civ_alloc_bind(spec, communities, forecasts, &c.p);
    if (!st)
        st = civ_alloc_result_create(c.p, &c.r);
    if (!st)
        /* the projection's own years: the [need] section's (2025..2027 in the demo) once limited a projection
         * from 2027 to one year ("no period in 2028" with forecasts through 2029), and asked for forecasts of
         * years before the fiscal year */
        st = civ_alloc_need_project_years(need, spec->fiscal_year, years, forecasts, &c.pc);
    size_t n = c.p ? c.p->n : 0, U = c.p ? c.p->n_units : 0, F = spec->n_formulas;
    if (!st) {
        c.unit0 = malloc((U + 1) * sizeof *c.unit0), c.x = malloc((n + 1) * sizeof *c.x);
        c.rows = malloc((n + 1) * sizeof *c.rows);
        c.pairs = malloc((U + 1) * sizeof *c.pairs), c.tmp = malloc((U + 1) * sizeof *c.tmp);
        c.p->floor_y = malloc((F + 1) * sizeof(int64_t)), c.p->cap_y = malloc((F + 1) * sizeof(int64_t));
        if (!c.unit0 || !c.x || !c.rows || !c.pairs || !c.tmp || !c.p->floor_y || !c.p->cap_y)
            st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the projection");
    }
    for (size_t i = 0; i < n && !st; i++)
        st = civ_strmap_put(&c.ids, c.p->ids[i], i, NULL);
    for (size_t u = 0; u < U && !st; u++)
        c.unit0[u] = c.p->units[u].amount;
    size_t k;
    if (!st && !(st = civ_table_create(&c.sum)) && !(st = civ_table_add_column(c.sum, "year", CIV_COLUMN_NUMBER, &k)) &&
        !(st = civ_table_add_column(c.sum, "item", CIV_COLUMN_TEXT, &k)) &&
        !(st = civ_table_add_column(c.sum, "unit", CIV_COLUMN_TEXT, &k)))
        st = civ_table_add_column(c.sum, "value", CIV_COLUMN_NUMBER, &k);
    for (long t = 0; t < years && !st; t++)
        st = project_year(&c, need, t, explain, out);
    if (st) {
        civ_table_free(*out);
        *out = NULL;
    } else if (summary) {
        *summary = c.sum, c.sum = NULL;
    }
    proj_free(&c);
    return st;
}
