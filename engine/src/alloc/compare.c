/*
 * compare.c -- alloc layer: scenarios: several allocation specs solved on the same
 * communities, compared side by side, with a waterfall that credits each
 * community's move from its factors-only amount to its final amount to the
 * rule that caused it (tilts, earmarked funds, each kind of bound, the lambda
 * rebalance, rounding).  The split is an identity: base + effects = amount, exactly in
 * the unrounded stages and to the fen after rounding, so the waterfall of
 * any district or of the whole budget adds up to its total change.
 * docs/ALLOCATION.md, "Scenarios".
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "c_locale.h"
#include "text.h"

#define NEFF CIV_ALLOC_EFFECT_COUNT

struct civ_alloc_compare {
    size_t n_specs, n;
    char **labels;      /* n_specs */
    char **ids;         /* n, input row order (from the first spec's binding) */
    char **districts;   /* n, input row order */
    int64_t *amount;    /* n_specs x n, input row order */
    double *base;       /* n_specs x n */
    double *effect;     /* n_specs x NEFF x n */
    size_t n_districts;
    char **district_names; /* sorted, distinct */
    size_t *district_of;   /* n: index into district_names */
};

static const char *const effect_names[NEFF] = {"tilt",    "floor",     "cap",      "hold_harmless", "pace",
                                               "ratable", "rebalance", "rounding", "earmark"};
/* The waterfall's columns in the order a reader follows the rules: factors
 * (base), tilts, earmarks, the bounds, the rebalance, the rounding. */
static const civ_alloc_effect shown[NEFF] = {
    CIV_ALLOC_EFFECT_TILT,    CIV_ALLOC_EFFECT_EARMARK, CIV_ALLOC_EFFECT_FLOOR,     CIV_ALLOC_EFFECT_CAP,
    CIV_ALLOC_EFFECT_HOLD_HARMLESS, CIV_ALLOC_EFFECT_PACE, CIV_ALLOC_EFFECT_RATABLE, CIV_ALLOC_EFFECT_REBALANCE,
    CIV_ALLOC_EFFECT_ROUNDING};

const char *civ_alloc_effect_name(civ_alloc_effect e)
{
    return (unsigned)e < NEFF ? effect_names[e] : "";
}

void civ_alloc_compare_free(civ_alloc_compare *c)
{
    if (!c)
        return;
    for (size_t s = 0; s < c->n_specs && c->labels; s++)
        free(c->labels[s]);
    for (size_t i = 0; i < c->n; i++) {
        if (c->ids)
            free(c->ids[i]);
        if (c->districts)
            free(c->districts[i]);
    }
    free(c->labels), free(c->ids), free(c->districts), free(c->amount), free(c->base), free(c->effect);
    free(c->district_names), free(c->district_of); /* names borrow from districts */
    free(c);
}

static int label_ok(const char *l)
{
    if (!l || !*l || strlen(l) > 64)
        return 0;
    for (const char *p = l; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
              *p == '-' || *p == '.'))
            return 0;
    return 1;
}

/* natural order (civ_natural_cmp): district 9 before district 10, as people read the rows */
static int cmp_str(const void *a, const void *b)
{
    return civ_natural_cmp(*(char *const *)a, *(char *const *)b);
}

/* The bound that holds community i, from its binding bits over every fund. */
static civ_alloc_effect bound_effect(unsigned bits)
{
    if (bits & CIV_BIND_RATABLE)
        return CIV_ALLOC_EFFECT_RATABLE;
    if (bits & CIV_BIND_HOLD_HARMLESS)
        return CIV_ALLOC_EFFECT_HOLD_HARMLESS;
    if (bits & CIV_BIND_FLOOR)
        return CIV_ALLOC_EFFECT_FLOOR;
    if (bits & CIV_BIND_CAP)
        return CIV_ALLOC_EFFECT_CAP;
    if (bits & CIV_BIND_PACE)
        return CIV_ALLOC_EFFECT_PACE;
    return CIV_ALLOC_EFFECT_REBALANCE;
}

/* Fills spec s's rows from a solved problem (id order -> input row order).
 * The earmarked funds' part of stage BASE moves from the base to the earmark
 * step (base is then the general funds' part; unchanged with no earmark). */
static void take(civ_alloc_compare *c, size_t s, const civ_alloc_problem *p, const civ_alloc_result *r)
{
    size_t n = c->n;
    double *eff = c->effect + s * NEFF * n;
    for (size_t i = 0; i < n; i++) {
        size_t row = p->row_of[i];
        unsigned bits = 0;
        for (size_t u = 0; u < r->n_units; u++)
            bits |= r->binding[u * n + i];
        c->amount[s * n + row] = r->amount[i];
        c->base[s * n + row] = r->stage_base[i] - r->stage_earmark[i];
        for (size_t e = 0; e < NEFF; e++)
            eff[e * n + row] = 0;
        eff[CIV_ALLOC_EFFECT_EARMARK * n + row] = r->stage_earmark[i];
        eff[CIV_ALLOC_EFFECT_TILT * n + row] = r->stage_tilted[i] - r->stage_base[i];
        eff[bound_effect(bits) * n + row] = r->unrounded[i] - r->stage_tilted[i];
        eff[CIV_ALLOC_EFFECT_ROUNDING * n + row] = r->rounding[i]; /* per fund, exact (waterfall.c) */
    }
}

static civ_status check_specs(const civ_alloc_spec *const *specs, const char *const *labels, size_t n_specs)
{
    for (size_t s = 0; s < n_specs; s++) {
        if (!specs[s])
            return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_compare_run: spec %zu is NULL", s + 1);
        if (labels && !label_ok(labels[s]))
            return civ_fail(CIV_ERR_INVALID_ARGUMENT,
                            "civ_alloc_compare_run: label %zu '%s' must be 1-64 letters, digits, '_', '-' or '.'",
                            s + 1, labels[s] ? labels[s] : "(null)");
        for (size_t t = 0; labels && t < s; t++)
            if (!strcmp(labels[s], labels[t]))
                return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_compare_run: label '%s' given twice",
                                labels[s]);
    }
    return CIV_OK;
}

/* The first spec's communities fix the rows (ids, districts) and the size of every per-spec array.
 * 1 when out of memory. */
static int take_rows(civ_alloc_compare *c, const civ_alloc_problem *p)
{
    size_t n = c->n = p->n, m = n ? n : 1;
    c->ids = calloc(m, sizeof *c->ids);
    c->districts = calloc(m, sizeof *c->districts);
    c->amount = malloc(c->n_specs * m * sizeof *c->amount);
    c->base = malloc(c->n_specs * m * sizeof *c->base);
    c->effect = malloc(c->n_specs * NEFF * m * sizeof *c->effect);
    c->district_of = malloc(m * sizeof *c->district_of);
    c->district_names = malloc(m * sizeof *c->district_names);
    int bad = !c->ids || !c->districts || !c->amount || !c->base || !c->effect || !c->district_of ||
              !c->district_names;
    for (size_t i = 0; i < n && !bad; i++) {
        size_t row = p->row_of[i];
        bad = !(c->ids[row] = strdup(p->ids[i])) || !(c->districts[row] = strdup(p->districts[i]));
    }
    return bad;
}

/* Every spec must see the first spec's communities in the same rows. */
static int same_rows(const civ_alloc_compare *c, const civ_alloc_problem *p)
{
    int same = p->n == c->n;
    for (size_t i = 0; same && i < p->n; i++)
        same = !strcmp(c->ids[p->row_of[i]], p->ids[i]);
    return same;
}

/* Districts: distinct names in natural order, and each community's index among them. */
static void index_districts(civ_alloc_compare *c)
{
    for (size_t i = 0; i < c->n; i++)
        c->district_names[i] = c->districts[i];
    qsort(c->district_names, c->n, sizeof *c->district_names, cmp_str);
    size_t nd = 0;
    for (size_t i = 0; i < c->n; i++)
        if (!nd || strcmp(c->district_names[nd - 1], c->district_names[i]))
            c->district_names[nd++] = c->district_names[i];
    c->n_districts = nd;
    for (size_t i = 0; i < c->n; i++) {
        const char *key = c->districts[i];
        char **hit = bsearch(&key, c->district_names, nd, sizeof *c->district_names, cmp_str);
        c->district_of[i] = (size_t)(hit - c->district_names);
    }
}

/* Binds and solves spec s; on failure the error is re-raised with the spec's label in front. */
static civ_status solve_one(const civ_alloc_spec *spec, const char *label, const civ_table *communities,
                            const civ_table *forecasts, civ_alloc_problem **p, civ_alloc_result **r)
{
    civ_status st = civ_alloc_bind(spec, communities, forecasts, p);
    if (!st)
        st = civ_alloc_result_create(*p, r);
    if (!st)
        st = civ_alloc_solve(*p, *r);
    if (!st)
        return CIV_OK;
    civ_error e;
    civ_error_copy(&e);
    civ_alloc_result_free(*r), civ_alloc_problem_free(*p);
    *r = NULL, *p = NULL;
    civ_where w = {.file = e.file[0] ? e.file : NULL, .line = e.line, .column = e.column,
                   .series_id = e.series_id[0] ? e.series_id : NULL, .field = e.field[0] ? e.field : NULL};
    return civ_fail_at(st, &w, "spec '%s': %s", label, e.message);
}

civ_status civ_alloc_compare_run(const civ_alloc_spec *const *specs, const char *const *labels, size_t n_specs,
                                 const civ_table *communities, const civ_table *forecasts, civ_alloc_compare **out)
{
    if (!specs || !n_specs || !communities || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_compare_run: NULL argument or no spec");
    civ_status st = check_specs(specs, labels, n_specs);
    if (st)
        return st;
    civ_alloc_compare *c = calloc(1, sizeof *c);
    if (!c)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "civ_alloc_compare_run: out of memory");
    c->n_specs = n_specs;
    c->labels = calloc(n_specs, sizeof *c->labels);
    if (!c->labels)
        goto oom;
    for (size_t s = 0; s < n_specs; s++) {
        char def[32];
        civ_snprintf(def, sizeof def, "s%zu", s + 1);
        if (!(c->labels[s] = strdup(labels ? labels[s] : def)))
            goto oom;
    }
    for (size_t s = 0; s < n_specs; s++) {
        civ_alloc_problem *p = NULL;
        civ_alloc_result *r = NULL;
        if ((st = solve_one(specs[s], labels ? labels[s] : "", communities, forecasts, &p, &r))) {
            civ_alloc_compare_free(c);
            return st;
        }
        int oom = s == 0 && take_rows(c, p), other = s > 0 && !same_rows(c, p);
        if (!oom && !other)
            take(c, s, p, r);
        civ_alloc_result_free(r);
        civ_alloc_problem_free(p);
        if (oom)
            goto oom;
        if (other) {
            civ_alloc_compare_free(c);
            return civ_fail(CIV_ERR_INVALID_ARGUMENT,
                            "spec '%s' keys the communities by another id column than spec '%s'",
                            labels ? labels[s] : "", labels ? labels[0] : "");
        }
    }
    index_districts(c);
    *out = c;
    return CIV_OK;
oom:
    civ_alloc_compare_free(c);
    return civ_fail(CIV_ERR_OUT_OF_MEMORY, "civ_alloc_compare_run: out of memory");
}

size_t civ_alloc_compare_n_specs(const civ_alloc_compare *c)
{
    return c ? c->n_specs : 0;
}

size_t civ_alloc_compare_n_communities(const civ_alloc_compare *c)
{
    return c ? c->n : 0;
}

const char *civ_alloc_compare_label(const civ_alloc_compare *c, size_t s)
{
    return c && s < c->n_specs ? c->labels[s] : NULL;
}

civ_status civ_alloc_compare_amounts(const civ_alloc_compare *c, size_t s, int64_t *amounts, size_t n)
{
    if (!c || s >= c->n_specs || !amounts || n != c->n)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_compare_amounts: bad arguments");
    memcpy(amounts, c->amount + s * c->n, n * sizeof *amounts);
    return CIV_OK;
}

civ_status civ_alloc_compare_effect(const civ_alloc_compare *c, size_t s, civ_alloc_effect effect, double *values,
                                    size_t n)
{
    if (!c || s >= c->n_specs || (unsigned)effect > NEFF || !values || n != c->n)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_compare_effect: bad arguments");
    const double *src = effect == NEFF ? c->base + s * c->n : c->effect + (s * NEFF + effect) * c->n;
    memcpy(values, src, n * sizeof *values);
    return CIV_OK;
}

civ_status civ_alloc_compare_table(const civ_alloc_compare *c, civ_table **out)
{
    if (!c || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_compare_table: NULL argument");
    civ_table *t = NULL;
    civ_status st;
    size_t n = c->n, cid, cdi, col;
    char name[96];
    CIV_TRY(civ_table_create(&t));
    CIV_TRY(civ_table_add_column(t, "unique_id", CIV_COLUMN_TEXT, &cid));
    CIV_TRY(civ_table_add_column(t, "district", CIV_COLUMN_TEXT, &cdi));
    CIV_TRY(civ_table_add_rows(t, n, NULL));
    for (size_t i = 0; i < n; i++) {
        CIV_TRY(civ_table_set_text(t, i, cid, c->ids[i]));
        CIV_TRY(civ_table_set_text(t, i, cdi, c->districts[i]));
    }
    for (size_t s = 0; s < c->n_specs; s++) {
        civ_snprintf(name, sizeof name, "amount_%s", c->labels[s]);
        CIV_TRY(civ_table_add_column(t, name, CIV_COLUMN_NUMBER, &col));
        for (size_t i = 0; i < n; i++)
            CIV_TRY(civ_table_set_number(t, i, col, (double)c->amount[s * n + i]));
    }
    for (size_t s = 1; s < c->n_specs; s++) {
        size_t cc, cp, co;
        civ_snprintf(name, sizeof name, "change_%s", c->labels[s]);
        CIV_TRY(civ_table_add_column(t, name, CIV_COLUMN_NUMBER, &cc));
        civ_snprintf(name, sizeof name, "change_pct_%s", c->labels[s]);
        CIV_TRY(civ_table_add_column(t, name, CIV_COLUMN_NUMBER, &cp));
        civ_snprintf(name, sizeof name, "outcome_%s", c->labels[s]);
        CIV_TRY(civ_table_add_column(t, name, CIV_COLUMN_TEXT, &co));
        for (size_t i = 0; i < n; i++) {
            int64_t a0 = c->amount[i], a = c->amount[s * n + i], d = a - a0;
            CIV_TRY(civ_table_set_number(t, i, cc, (double)d));
            CIV_TRY(civ_table_set_number(t, i, cp, a0 ? 100.0 * (double)d / (double)a0 : NAN));
            CIV_TRY(civ_table_set_text(t, i, co, d > 0 ? "gains" : d < 0 ? "loses" : "same"));
        }
    }
    *out = t;
    return CIV_OK;
fail:
    civ_table_free(t);
    return st;
}

/* A net sum of n communities' effects as the waterfall shows it: 0 when it is
 * within the floating-point error its terms carry.  Each effect is a
 * difference of amounts of the community's size, so it carries an error of
 * about DBL_EPSILON x (|base| + |amount|), and n of them summed about n times
 * that (`scale` is the sum of |base| + |amount|).  The effects that net to
 * zero by construction (the tilt and the rounding over a whole fund) then
 * show 0, not -0.0000131703 fen (the demo city's total tilt before
 * 2026-12-07); any sum larger than its noise is shown as computed. */
static double net_effect(double sum, size_t n, double scale)
{
    return fabs(sum) <= (double)n * DBL_EPSILON * scale ? 0.0 : sum;
}

civ_status civ_alloc_compare_waterfall(const civ_alloc_compare *c, civ_table **out)
{
    if (!c || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_compare_waterfall: NULL argument");
    civ_table *t = NULL;
    civ_status st;
    size_t n = c->n, nd = c->n_districts, rows_per = 3 + nd;
    size_t cspec, cscope, cname, ccount, cbase, ceff[NEFF], camount;
    double *acc = calloc((rows_per) * (NEFF + 2), sizeof *acc);
    double *scale = calloc(rows_per, sizeof *scale); /* per row: sum of |base| + |amount|, the sums' noise scale */
    size_t *count = calloc(rows_per, sizeof *count);
    if (!acc || !scale || !count) {
        free(acc), free(scale), free(count);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "civ_alloc_compare_waterfall: out of memory");
    }
    CIV_TRY(civ_table_create(&t));
    CIV_TRY(civ_table_add_column(t, "spec", CIV_COLUMN_TEXT, &cspec));
    CIV_TRY(civ_table_add_column(t, "scope", CIV_COLUMN_TEXT, &cscope));
    CIV_TRY(civ_table_add_column(t, "name", CIV_COLUMN_TEXT, &cname));
    CIV_TRY(civ_table_add_column(t, "communities", CIV_COLUMN_NUMBER, &ccount));
    CIV_TRY(civ_table_add_column(t, "base", CIV_COLUMN_NUMBER, &cbase));
    for (size_t k = 0; k < NEFF; k++)
        CIV_TRY(civ_table_add_column(t, effect_names[shown[k]], CIV_COLUMN_NUMBER, &ceff[shown[k]]));
    CIV_TRY(civ_table_add_column(t, "amount", CIV_COLUMN_NUMBER, &camount));
    for (size_t s = 0; s < c->n_specs; s++) {
        /* acc row r: [0] base, [1..NEFF] effects, [NEFF+1] amount.  Rows: 0
         * total, 1 gained, 2 lost, 3.. districts.  Sums run in input row order
         * over doubles; the amount column sums integers exactly. */
        memset(acc, 0, rows_per * (NEFF + 2) * sizeof *acc);
        memset(scale, 0, rows_per * sizeof *scale);
        memset(count, 0, rows_per * sizeof *count);
        const double *eff = c->effect + s * NEFF * n;
        for (size_t i = 0; i < n; i++) {
            double *tot = acc, *dis = acc + (3 + c->district_of[i]) * (NEFF + 2);
            double b = c->base[s * n + i], a = (double)c->amount[s * n + i];
            tot[0] += b, dis[0] += b;
            tot[NEFF + 1] += a, dis[NEFF + 1] += a;
            scale[0] += fabs(b) + fabs(a), scale[3 + c->district_of[i]] += fabs(b) + fabs(a);
            count[0]++, count[3 + c->district_of[i]]++;
            for (size_t e = 0; e < NEFF; e++) {
                double v = eff[e * n + i];
                tot[1 + e] += v, dis[1 + e] += v;
                if (v > 0)
                    acc[1 * (NEFF + 2) + 1 + e] += v;
                else if (v < 0)
                    acc[2 * (NEFF + 2) + 1 + e] += v;
            }
        }
        /* "gained"/"lost" count the communities with any positive / negative move */
        for (size_t i = 0; i < n; i++) {
            double d = (double)c->amount[s * n + i] - c->base[s * n + i];
            count[1] += d > 0;
            count[2] += d < 0;
        }
        size_t first;
        CIV_TRY(civ_table_add_rows(t, rows_per, &first));
        for (size_t r = 0; r < rows_per; r++) {
            size_t row = first + r;
            const double *a = acc + r * (NEFF + 2);
            CIV_TRY(civ_table_set_text(t, row, cspec, c->labels[s]));
            CIV_TRY(civ_table_set_text(t, row, cscope,
                                   r == 0   ? "total"
                                   : r == 1 ? "gained"
                                   : r == 2 ? "lost"
                                            : "district"));
            CIV_TRY(civ_table_set_text(t, row, cname, r < 3 ? "" : c->district_names[r - 3]));
            CIV_TRY(civ_table_set_number(t, row, ccount, (double)count[r]));
            CIV_TRY(civ_table_set_number(t, row, cbase, r == 1 || r == 2 ? NAN : a[0]));
            for (size_t e = 0; e < NEFF; e++)
                CIV_TRY(civ_table_set_number(t, row, ceff[e], net_effect(a[1 + e], count[r], scale[r])));
            CIV_TRY(civ_table_set_number(t, row, camount, r == 1 || r == 2 ? NAN : a[NEFF + 1]));
        }
    }
    free(acc), free(scale), free(count);
    *out = t;
    return CIV_OK;
fail:
    free(acc), free(scale), free(count);
    civ_table_free(t);
    return st;
}
