/*
 * alloc.c -- the factor method (因素分配法) end to end: binding a spec to the
 * community table (and forecasts), the solve, and the output tables.
 *
 * Binding resolves every name in the spec into arrays once, in canonical id
 * order (ids sorted by byte value), and validates the data (duplicate ids,
 * NaN/inf/negative values, forecasts for unknown ids or communities without
 * forecasts).  Working in id order makes every floating-point sum, and so
 * every result to the last fen, independent of the input row order.
 *
 * The solve, per allocation unit (the pools that share a formula and an
 * earmark), is (docs/ALLOCATION.md "The maths"):
 *   s_ik   = x_ik c_ik / sum_{j in E} x_jk c_jk          factor shares
 *   base_i = sum_k w_k s_ik                              formula score
 *   raw_i  = t_i base_i                                  tilted score
 *   a_i    = clamp(lambda raw_i, lo_i, hi_i), sum a_i = P (alloc_solve.c)
 *   amounts = largest-remainder rounding of a within [lo, hi] (alloc_round.c)
 * and the decomposition of a_i by factor is a_i * w_k s_ik / base_i (the tilt
 * and the constraint scale every factor alike, so the proportions hold).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "strmap.h"
#include "table.h"

/* Whole minor units from a product of money and rates, with the floating
 * noise removed first: 0.9 * 148500 * 100 = 13365000.000000002 must give
 * 13365000, not ...001.  A value within 1e-11 (relative) of a whole unit is
 * taken as that unit -- far above the few ulps of error of a product of
 * three doubles -- but never further than 1e-3 units away, so that large
 * amounts (above 1e8 minor units) are not moved by a whole unit: the
 * property test found 2-unit cap breaches at 2e11 fen with a purely
 * relative tolerance. */
static double clean(double v)
{
    double r = nearbyint(v);
    return fabs(v - r) <= fmin(1e-3, 1e-11 * fmax(1.0, fabs(v))) ? r : v;
}
static inline double units_down(double v) /* floor, snapping up to a unit just above */
{
    return floor(clean(v));
}
static inline double units_up(double v) /* ceil, snapping down to a unit just below */
{
    return ceil(clean(v));
}

/* ---- binding ------------------------------------------------------------ */

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
    for (size_t i = 0; i < p->n && p->ids; i++)
        free(p->ids[i]);
    for (size_t i = 0; i < p->n && p->districts; i++)
        free(p->districts[i]);
    free(p->ids), free(p->districts), free(p->row_of), free(p->x), free(p->c), free(p->xc), free(p->weights);
    free(p->tilt), free(p->tilt_mask), free(p->last_year), free(p->population), free(p->aged);
    free(p->report_last_year), free(p->reserve_amount), free(p->pool_amount);
    for (size_t u = 0; u < p->n_units; u++)
        free(p->units[u].name), free(p->units[u].eligible);
    free(p->units);
    free(p->pool_unit);
    free(p);
}

size_t civ_alloc_problem_n_communities(const civ_alloc_problem *p) { return p ? p->n : 0; }

/* Flags for read_attribute */
enum { ALLOW_NEGATIVE = 1 };

/* Reads attribute `name` into out[n] in id order.  A name the table lacks is
 * reported at its spec location; bad values at the community and row. */
static civ_status read_attribute(const civ_alloc_problem *p, const civ_table *t, const char *name, civ_alloc_loc loc,
                                 const char *role, int flags, double *out)
{
    const civ_alloc_spec *s = p->spec;
    size_t col;
    civ_where w = {.file = s->path, .line = loc.line, .column = loc.column, .field = name};
    if (civ_table_find_column(t, name, &col)) {
        char avail[400] = "";
        for (size_t k = 0; k < civ_table_n_columns(t); k++) {
            size_t L = strlen(avail);
            if (L < sizeof avail - 60)
                snprintf(avail + L, sizeof avail - L, "%s%s", k ? ", " : "", civ_table_column_name(t, k));
        }
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w, "%s: unknown attribute '%s' (the data has: %s)", role, name,
                           avail);
    }
    const double *v = civ_table_numbers(t, col);
    if (!v)
        return civ_fail_at(CIV_ERR_DOMAIN, &w, "%s: attribute '%s' is text, not numbers", role, name);
    for (size_t i = 0; i < p->n; i++) {
        size_t r = p->row_of[i];
        double x = v[r];
        if (!isfinite(x) || (x < 0 && !(flags & ALLOW_NEGATIVE))) {
            civ_where d = {.series_id = p->ids[i], .field = name};
            return civ_fail_at(CIV_ERR_DOMAIN, &d, "%s: attribute '%s' is %s for community '%s' (data row %zu)",
                               role, name, isnan(x) ? "missing (NaN)" : !isfinite(x) ? "infinite" : "negative",
                               p->ids[i], r + 1);
        }
        out[i] = x;
    }
    return CIV_OK;
}

/* Sums forecast rows h = 1..H of factor f into x[n] (id order). */
static civ_status read_forecast(const civ_alloc_problem *p, const civ_strmap *idmap, const civ_table *fc,
                                const civ_alloc_factor *f, double *x, unsigned *count)
{
    const civ_alloc_spec *s = p->spec;
    civ_where at = {.file = s->path, .line = f->loc.line, .column = f->loc.column, .field = f->name};
    if (!fc)
        return civ_fail_at(CIV_ERR_SPEC, &at, "factor '%s' has source = \"forecast\" but no forecasts were given",
                           f->name);
    size_t cid, ch, cv, cm = SIZE_MAX;
    if (civ_table_find_column(fc, "unique_id", &cid) || !civ_table_text(fc, 0, cid) ||
        civ_table_find_column(fc, "h", &ch) || !civ_table_numbers(fc, ch))
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &at,
                           "forecasts need a text column 'unique_id' and a number column 'h'");
    civ_where wc = {.file = s->path, .line = f->attribute_loc.line, .column = f->attribute_loc.column,
                    .field = f->column};
    if (civ_table_find_column(fc, f->column, &cv) || !civ_table_numbers(fc, cv))
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &wc, "factor '%s': the forecasts have no number column '%s'",
                           f->name, f->column);
    size_t nr = civ_table_n_rows(fc);
    /* Several models in one file are fine (automatic selection names each
     * community's own model); what must not happen is two rows for the same
     * community and horizon, which would be summed twice.  That is checked
     * per (community, h) below. */
    int has_model = !civ_table_find_column(fc, "model", &cm) && civ_table_text(fc, 0, cm);
    if (f->model && !has_model)
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &at,
                           "factor '%s' names model '%s' but the forecasts have no 'model' column",
                           f->name, f->model);
    if (f->horizon > 0 && p->n > SIZE_MAX / (size_t)f->horizon)
        return civ_fail(CIV_ERR_LIMIT, "factor '%s': %zu communities x horizon %ld is too large", f->name, p->n,
                        f->horizon);
    civ_status st = CIV_OK;
    unsigned char *seen = calloc(p->n * (size_t)f->horizon + 1, 1);
    if (!seen)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory checking forecast rows of factor '%s'", f->name);
    const double *hv = civ_table_numbers(fc, ch), *vv = civ_table_numbers(fc, cv);
    memset(x, 0, p->n * sizeof *x);
    memset(count, 0, p->n * sizeof *count);
    size_t matched = 0;
    for (size_t r = 0; r < nr; r++) {
        if (f->model && strcmp(civ_table_text(fc, r, cm), f->model))
            continue;
        matched++;
        const char *id = civ_table_text(fc, r, cid);
        size_t i;
        if (!civ_strmap_get(idmap, id, &i)) {
            civ_where d = {.series_id = id, .field = "unique_id"};
            st = civ_fail_at(CIV_ERR_NOT_FOUND, &d, "forecasts row %zu: unknown community '%s'", r + 1, id);
            goto out;
        }
        double h = hv[r];
        if (!(h >= 1) || h != floor(h)) {
            civ_where d = {.series_id = id, .field = "h"};
            st = civ_fail_at(CIV_ERR_DOMAIN, &d, "forecasts row %zu: horizon h = %g is not a whole number >= 1",
                             r + 1, h);
            goto out;
        }
        if (h > (double)f->horizon)
            continue;
        unsigned char *mark = &seen[i * (size_t)f->horizon + (size_t)h - 1];
        if (*mark) {
            civ_where d = {.series_id = id, .field = "h"};
            st = civ_fail_at(CIV_ERR_DUPLICATE, &d,
                             "forecasts row %zu: a second row for community '%s' at h = %g%s%s%s; choose one "
                             "model with model = \"...\" in factor '%s'",
                             r + 1, id, h, has_model ? " (model '" : "", has_model ? civ_table_text(fc, r, cm) : "",
                             has_model ? "')" : "", f->name);
            goto out;
        }
        *mark = 1;
        double v = vv[r];
        if (isnan(v) && f->missing_zero)
            continue; /* a failed forecast: counts as missing */
        if (!isfinite(v) || v < 0) {
            civ_where d = {.series_id = id, .field = f->column};
            st = civ_fail_at(CIV_ERR_DOMAIN, &d, "forecasts row %zu: '%s' is %s for community '%s' (h = %g)%s",
                             r + 1, f->column, isnan(v) ? "missing" : v < 0 ? "negative" : "infinite", id, h,
                             isnan(v) ? "; did its forecast fail? (see the forecast report)" : "");
            goto out;
        }
        x[i] += v;
        count[i]++;
    }
    if (f->model && !matched) {
        st = civ_fail_at(CIV_ERR_NOT_FOUND, &at, "factor '%s': no forecast rows for model '%s'", f->name, f->model);
        goto out;
    }
    for (size_t i = 0; i < p->n; i++)
        if (count[i] != (unsigned)f->horizon && !(f->missing_zero && count[i] == 0)) {
            civ_where d = {.series_id = p->ids[i], .field = f->name};
            st = civ_fail_at(CIV_ERR_NOT_FOUND, &d,
                             "factor '%s': community '%s' has %u forecast rows for h = 1..%ld, needs exactly %ld%s",
                             f->name, p->ids[i], count[i], f->horizon, f->horizon,
                             count[i] ? "" : " (if_missing = \"zero\" would count it as 0)");
            goto out;
        }
out:
    free(seen);
    return st;
}

static int earmark_equal(const civ_alloc_pool *a, const civ_alloc_pool *b)
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
                                   earmark_equal(&s->pools[p->units[u].first_pool], pool)))
            u++;
        civ_alloc_unit *un = &p->units[u];
        if (u == p->n_units) {
            p->n_units++;
            un->formula = pool->formula;
            un->first_pool = q;
            un->name = strdup(pool->name);
        } else {
            char *nm = malloc(strlen(un->name) + strlen(pool->name) + 2);
            if (nm)
                sprintf(nm, "%s+%s", un->name, pool->name);
            free(un->name);
            un->name = nm;
        }
        if (!un->name)
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory binding the allocation");
        un->amount += pool->amount;
        p->pool_unit[q] = u;
    }
    /* hold-harmless and pace compare with last year's total: one unit only */
    for (size_t f = 0; f < s->n_formulas; f++) {
        size_t uses = 0;
        for (size_t u = 0; u < p->n_units; u++)
            uses += p->units[u].formula == f;
        const civ_alloc_formula *fo = &s->formulas[f];
        if (uses > 1 && (!isnan(fo->hold_harmless) || !isnan(fo->pace))) {
            civ_where w = {.file = s->path, .line = fo->loc.line, .column = fo->loc.column, .field = fo->name};
            return civ_fail_at(CIV_ERR_SPEC, &w,
                               "formula '%s' has hold_harmless/pace (against last year's total) but allocates pools "
                               "with different earmarks; give those pools their own formula",
                               fo->name);
        }
    }
    size_t *idx = malloc((p->n ? p->n : 1) * sizeof *idx);
    if (!idx)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory binding the allocation");
    civ_status st = CIV_OK;
    for (size_t u = 0; u < p->n_units && !st; u++) {
        civ_alloc_unit *un = &p->units[u];
        const civ_alloc_pool *pool = &s->pools[un->first_pool];
        un->eligible = malloc(p->n ? p->n : 1);
        if (!un->eligible) {
            st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory binding the allocation");
            break;
        }
        if (!pool->eligible_attribute) {
            memset(un->eligible, 1, p->n);
            un->n_eligible = p->n;
        } else {
            char role[120];
            snprintf(role, sizeof role, "pool '%s' earmark", pool->name);
            if ((st = read_attribute(p, t, pool->eligible_attribute, pool->eligible_loc, role, ALLOW_NEGATIVE,
                                     scratch)))
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

civ_status civ_alloc_bind(const civ_alloc_spec *spec, const civ_table *t, const civ_table *fc, civ_alloc_problem **out)
{
    if (!spec || !t || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_bind: NULL argument");
    *out = NULL;
    size_t idc;
    if (civ_table_find_column(t, spec->id_column, &idc) || civ_table_column_type(t, idc) != CIV_COLUMN_TEXT) {
        civ_where w = {.field = spec->id_column};
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w, "the communities table has no text id column '%s'",
                           spec->id_column);
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
    size_t K = spec->n_factors, F = spec->n_formulas;
    const char **raw_ids = malloc(n * sizeof *raw_ids);
    p->row_of = malloc(n * sizeof *p->row_of);
    p->ids = calloc(n, sizeof *p->ids);
    p->districts = calloc(n, sizeof *p->districts);
    p->x = malloc((K ? K : 1) * n * sizeof *p->x);
    p->c = malloc((K ? K : 1) * n * sizeof *p->c);
    p->xc = malloc((K ? K : 1) * n * sizeof *p->xc);
    p->weights = malloc((K ? K : 1) * sizeof *p->weights);
    p->tilt = malloc(F * n * sizeof *p->tilt);
    p->tilt_mask = calloc(F * n, sizeof *p->tilt_mask);
    p->last_year = malloc(F * n * sizeof *p->last_year);
    p->population = malloc(n * sizeof(double));
    p->aged = malloc(n * sizeof(double));
    p->report_last_year = malloc(n * sizeof(double));
    p->reserve_amount = calloc(spec->n_reserves + 1, sizeof(int64_t));
    p->pool_amount = calloc(spec->n_pools + 1, sizeof(int64_t));
    double *scratch = malloc(n * sizeof *scratch);
    unsigned *count = malloc(n * sizeof *count);
    civ_strmap idmap = {0};
    civ_status st = CIV_OK;
    if (!raw_ids || !p->row_of || !p->ids || !p->districts || !p->x || !p->c || !p->xc || !p->weights || !p->tilt ||
        !p->tilt_mask || !p->last_year || !p->population || !p->aged || !p->report_last_year ||
        !p->reserve_amount || !p->pool_amount || !scratch || !count) {
        st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory binding %zu communities", n);
        goto done;
    }
    for (size_t r = 0; r < n; r++) {
        raw_ids[r] = civ_table_text(t, r, idc);
        p->row_of[r] = r;
        if (!raw_ids[r][0]) {
            civ_where w = {.field = spec->id_column};
            st = civ_fail_at(CIV_ERR_DOMAIN, &w, "communities row %zu has an empty id", r + 1);
            goto done;
        }
    }
    /* files are usually already in id order: then the sort is skipped */
    int sorted = 1;
    for (size_t r = 1; r < n && sorted; r++)
        sorted = strcmp(raw_ids[r - 1], raw_ids[r]) < 0;
    if (!sorted) {
        sort_ids_key = raw_ids;
        qsort(p->row_of, n, sizeof *p->row_of, cmp_row_by_id);
    }
    for (size_t i = 0; i < n; i++) {
        size_t r = p->row_of[i];
        if (i > 0 && !strcmp(raw_ids[r], raw_ids[p->row_of[i - 1]])) {
            size_t r0 = p->row_of[i - 1];
            civ_where w = {.series_id = raw_ids[r], .field = spec->id_column};
            st = civ_fail_at(CIV_ERR_DUPLICATE, &w, "duplicate community id '%s' (data rows %zu and %zu)", raw_ids[r],
                             (r0 < r ? r0 : r) + 1, (r0 < r ? r : r0) + 1);
            goto done;
        }
        if (!(p->ids[i] = strdup(raw_ids[r]))) {
            st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory binding the allocation");
            goto done;
        }
    }
    /* districts (text; optional unless named) */
    size_t dc;
    const char *dname = spec->district_column ? spec->district_column : "district";
    int have_d = !civ_table_find_column(t, dname, &dc) && civ_table_column_type(t, dc) == CIV_COLUMN_TEXT;
    if (!have_d && spec->district_column) {
        civ_where w = {.file = spec->path, .line = spec->district_loc.line, .column = spec->district_loc.column,
                       .field = dname};
        st = civ_fail_at(CIV_ERR_MISSING_COLUMN, &w, "[data]: no text column '%s' for districts", dname);
        goto done;
    }
    civ_clear_error();
    for (size_t i = 0; i < n; i++)
        if (!(p->districts[i] = strdup(have_d ? civ_table_text(t, p->row_of[i], dc) : ""))) {
            st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory binding the allocation");
            goto done;
        }
    /* the id map is only needed to place forecast rows */
    int need_map = 0;
    for (size_t k = 0; k < K; k++)
        need_map |= spec->factors[k].source == CIV_SOURCE_FORECAST;
    for (size_t i = 0; i < n && need_map; i++)
        if ((st = civ_strmap_put(&idmap, p->ids[i], i, NULL)))
            goto done;

    /* factors */
    for (size_t k = 0; k < K; k++) {
        const civ_alloc_factor *f = &spec->factors[k];
        char role[120];
        snprintf(role, sizeof role, "factor '%s'", f->name);
        p->weights[k] = f->weight;
        if (f->source == CIV_SOURCE_ATTRIBUTE)
            st = read_attribute(p, t, f->attribute, f->attribute_loc, role, 0, p->x + k * n);
        else
            st = read_forecast(p, &idmap, fc, f, p->x + k * n, count);
        if (st)
            goto done;
        if (f->coefficient) {
            if ((st = read_attribute(p, t, f->coefficient, f->coefficient_loc, role, 0, p->c + k * n)))
                goto done;
        } else {
            for (size_t i = 0; i < n; i++)
                p->c[k * n + i] = 1;
        }
        for (size_t i = 0; i < n; i++)
            p->xc[k * n + i] = p->x[k * n + i] * p->c[k * n + i];
    }
    /* tilts */
    for (size_t i = 0; i < F * n; i++)
        p->tilt[i] = 1;
    for (size_t r = 0; r < spec->n_tilts; r++) {
        const civ_alloc_tilt *tl = &spec->tilts[r];
        char role[120];
        snprintf(role, sizeof role, "tilt '%s'", tl->name);
        if ((st = read_attribute(p, t, tl->attribute, tl->attribute_loc, role, ALLOW_NEGATIVE, scratch)))
            goto done;
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
    /* last year's funding per formula (yuan) */
    for (size_t f = 0; f < F; f++) {
        const civ_alloc_formula *fo = &spec->formulas[f];
        if (fo->last_year) {
            char role[120];
            snprintf(role, sizeof role, "formula '%s' last_year", fo->name);
            if ((st = read_attribute(p, t, fo->last_year, fo->last_year_loc, role, 0, p->last_year + f * n)))
                goto done;
        } else {
            for (size_t i = 0; i < n; i++)
                p->last_year[f * n + i] = NAN;
        }
    }
    /* reporting attributes */
    struct {
        const char *name;
        civ_alloc_loc loc;
        double *out;
        const char *role;
    } rep[3] = {{spec->population, spec->population_loc, p->population, "[data] population"},
                {spec->aged, spec->aged_loc, p->aged, "[data] aged"},
                {spec->last_year, spec->last_year_loc, p->report_last_year, "[data] last_year"}};
    for (int j = 0; j < 3; j++) {
        if (rep[j].name) {
            if ((st = read_attribute(p, t, rep[j].name, rep[j].loc, rep[j].role, 0, rep[j].out)))
                goto done;
        } else {
            for (size_t i = 0; i < n; i++)
                rep[j].out[i] = NAN;
        }
    }
    for (size_t r = 0; r < spec->n_reserves; r++)
        p->reserve_amount[r] = spec->reserves[r].amount;
    for (size_t q = 0; q < spec->n_pools; q++)
        p->pool_amount[q] = spec->pools[q].amount;
    p->distributable = spec->distributable;
    st = bind_units(p, t, scratch);

done:
    civ_strmap_free(&idmap);
    free(raw_ids);
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
    for (size_t i = 0; i < p->n; i++) {
        p->x[k * p->n + i] = values[p->row_of[i]];
        p->xc[k * p->n + i] = p->x[k * p->n + i] * p->c[k * p->n + i];
    }
    return CIV_OK;
}

civ_status civ_alloc_problem_get_factor(const civ_alloc_problem *p, size_t k, double *values, size_t n)
{
    if (!p || !values || k >= p->spec->n_factors || n != p->n)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_problem_get_factor: bad factor index or length");
    for (size_t i = 0; i < p->n; i++)
        values[p->row_of[i]] = p->x[k * p->n + i];
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

/* ---- results and the solve ---------------------------------------------- */

void civ_alloc_result_free(civ_alloc_result *r)
{
    if (!r)
        return;
    free(r->amount), free(r->unit_amount), free(r->unrounded), free(r->q), free(r->unattributed);
    free(r->wused), free(r->kw), free(r->kcol), free(r->winner), free(r->kgrp);
    free(r->stage_base), free(r->stage_tilted), free(r->binding), free(r->lambda), free(r->ratable);
    free(r->raw), free(r->base), free(r->lo_d), free(r->hi_d), free(r->amt), free(r->member), free(r->bsrc);
    free(r->lo_i), free(r->hi_i), free(r->out_i), free(r->pairs), free(r->tmp), free(r->ftotal);
    free(r);
}

civ_status civ_alloc_result_create(const civ_alloc_problem *p, civ_alloc_result **out)
{
    if (!p || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_result_create: NULL argument");
    civ_alloc_result *r = calloc(1, sizeof *r);
    if (!r)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the allocation result");
    size_t n = p->n, U = p->n_units, K = p->spec->n_factors ? p->spec->n_factors : 1;
    r->n = n, r->n_units = U, r->n_factors = p->spec->n_factors;
    r->amount = calloc(n, sizeof *r->amount);
    r->unit_amount = calloc(U * n, sizeof *r->unit_amount);
    r->unrounded = calloc(n, sizeof(double));
    r->q = calloc(U * n, sizeof(double));
    r->wused = calloc(K, sizeof(double));
    r->kw = calloc(K, sizeof(double));
    r->kcol = calloc(K, sizeof(double *));
    r->unattributed = calloc(n, sizeof(double));
    r->stage_base = calloc(n, sizeof(double));
    r->stage_tilted = calloc(n, sizeof(double));
    r->binding = calloc(U * n, 1);
    r->lambda = calloc(U, sizeof(double));
    r->ratable = calloc(U, sizeof(double));
    r->raw = calloc(n, sizeof(double));
    r->base = calloc(n, sizeof(double));
    r->lo_d = calloc(n, sizeof(double));
    r->hi_d = calloc(n, sizeof(double));
    r->amt = calloc(n, sizeof(double));
    r->member = calloc(n, sizeof(size_t));
    r->bsrc = calloc(n, 1);
    r->lo_i = calloc(n, sizeof(int64_t));
    r->hi_i = calloc(n, sizeof(int64_t));
    r->out_i = calloc(n, sizeof(int64_t));
    r->pairs = calloc(2 * n, sizeof(civ_alloc_pair));
    r->tmp = calloc(2 * n, sizeof(civ_alloc_pair));
    r->ftotal = calloc(U * K, sizeof(double));
    r->winner = calloc(U * n, 1);
    r->kgrp = calloc(K, sizeof(size_t));
    if (!r->ftotal || !r->winner || !r->kgrp || !r->wused || !r->kw || !r->kcol || !r->amount || !r->unit_amount || !r->unrounded || !r->q ||
        !r->unattributed || !r->stage_base || !r->stage_tilted || !r->binding || !r->lambda || !r->ratable ||
        !r->raw || !r->base || !r->lo_d ||
        !r->hi_d || !r->amt || !r->member || !r->bsrc || !r->lo_i || !r->hi_i || !r->out_i || !r->pairs ||
        !r->tmp) {
        civ_alloc_result_free(r);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the allocation result (%zu communities)", n);
    }
    *out = r;
    return CIV_OK;
}

/* bsrc: low nibble = source of lo, high nibble = source of hi */
static civ_status solve_unit(const civ_alloc_problem *p, civ_alloc_result *r, size_t u)
{
    const civ_alloc_spec *s = p->spec;
    const civ_alloc_unit *un = &p->units[u];
    const civ_alloc_formula *fo = &s->formulas[un->formula];
    size_t n = p->n, K = s->n_factors, f = un->formula;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (un->eligible[i])
            r->member[m++] = i;
    unsigned char *bind = r->binding + u * n;
    int64_t *ua = r->unit_amount + u * n;
    memset(bind, 0, n);
    memset(ua, 0, n * sizeof *ua);
    r->lambda[u] = 0;
    r->ratable[u] = 1;
    if (m == 0 || un->amount == 0)
        return CIV_OK;
    const double P = (double)un->amount, minor = (double)s->minor_unit;
    char what[200];
    snprintf(what, sizeof what, "pool '%s' (formula '%s')", un->name, fo->name);

    /* factor shares -> base score (members compacted into j = 0..m-1).  The
     * common case, every community eligible, skips the index indirection. */
    const int dense = m == n;
    size_t nk = 0;
    double *ft = r->ftotal + u * K;
    for (size_t k = 0; k < K; k++) {
        ft[k] = 0;
        if (s->factors[k].formula != f || p->weights[k] == 0)
            continue;
        const double *xc = p->xc + k * n;
        /* four partial sums: faster, and still a fixed order */
        double S0 = 0, S1 = 0, S2 = 0, S3 = 0;
        size_t j = 0;
        if (dense) {
            for (; j + 4 <= m; j += 4)
                S0 += xc[j], S1 += xc[j + 1], S2 += xc[j + 2], S3 += xc[j + 3];
            for (; j < m; j++)
                S0 += xc[j];
        } else {
            for (; j < m; j++)
                S0 += xc[r->member[j]];
        }
        double S = (S0 + S1) + (S2 + S3);
        if (!(S > 0) || !isfinite(S)) {
            civ_where w = {.file = s->path, .line = s->factors[k].loc.line, .column = s->factors[k].loc.column,
                           .field = s->factors[k].name};
            return civ_fail_at(CIV_ERR_DOMAIN, &w,
                               "%s: factor '%s' totals %g over the %zu eligible communities; its weight cannot be "
                               "shared",
                               what, s->factors[k].name, S, m);
        }
        ft[k] = S;
        r->kcol[nk] = xc;
        r->kgrp[nk] = s->factors[k].group_index;
        r->kw[nk++] = p->weights[k] / S;
    }
    if (fo->greater_of) {
        /* "the greater of two formulas" (US CDBG, 42 U.S.C. 5306(b)): each
         * group is a complete formula (weights sum to 1); a community's score
         * is the larger of its group scores, and the single lambda below is
         * the pro rata reduction that makes the maxima fit the pool.  Ties go
         * to the earlier group. */
        unsigned char *win = r->winner + u * n;
        for (size_t j = 0; j < m; j++)
            r->base[j] = -1;
        for (size_t g = 0; g < fo->n_groups; g++) {
            for (size_t j = 0; j < m; j++) {
                size_t i = r->member[j];
                double b = 0;
                for (size_t t = 0; t < nk; t++)
                    if (r->kgrp[t] == g)
                        b += r->kw[t] * r->kcol[t][i];
                if (b > r->base[j]) {
                    r->base[j] = b;
                    win[i] = (unsigned char)g;
                }
            }
        }
    } else if (dense) {
        for (size_t i = 0; i < m; i++) {
            double b = 0;
            for (size_t t = 0; t < nk; t++)
                b += r->kw[t] * r->kcol[t][i];
            r->base[i] = b;
        }
    } else {
        for (size_t j = 0; j < m; j++) {
            size_t i = r->member[j];
            double b = 0;
            for (size_t t = 0; t < nk; t++)
                b += r->kw[t] * r->kcol[t][i];
            r->base[j] = b;
        }
    }
    double sum_base = 0, sum_raw = 0;
    const double *tilt = p->tilt + f * n;
    for (size_t j = 0; j < m; j++) {
        r->raw[j] = r->base[j] * tilt[r->member[j]];
        sum_base += r->base[j];
        sum_raw += r->raw[j];
    }
    const double kb = P / sum_base, kr = P / sum_raw;
    for (size_t j = 0; j < m; j++) {
        size_t i = r->member[j];
        r->stage_base[i] += kb * r->base[j];
        r->stage_tilted[i] += kr * r->raw[j];
    }

    /* bounds in whole minor units: lower rounded up, upper rounded down */
    const double *last = p->last_year + f * n;
    double cap_share = isnan(fo->cap_share) ? INFINITY : floor(clean(fo->cap_share * P));
    double cap = fo->cap >= 0 ? (double)fo->cap : INFINITY;
    double floor_v = fo->floor >= 0 ? (double)fo->floor : 0;
    double sum_lo = 0;
    for (size_t j = 0; j < m; j++) {
        size_t i = r->member[j];
        double lo = floor_v, hi = cap;
        unsigned char src = fo->floor > 0 ? CIV_BIND_FLOOR : 0;
        unsigned char hsrc = CIV_BIND_CAP;
        if (cap_share < hi)
            hi = cap_share;
        double ly = last[i];
        if (!isnan(fo->hold_harmless) && ly > 0) {
            double hh = units_up(fo->hold_harmless * ly * minor);
            if (hh > lo) {
                lo = hh;
                src = CIV_BIND_HOLD_HARMLESS;
            }
        }
        if (!isnan(fo->pace) && ly > 0) {
            /* the pace limit yields to the community's own floor / hold-harmless */
            double pc = fmax(units_down((1 + fo->pace) * ly * minor), lo);
            if (pc < hi) {
                hi = pc;
                hsrc = CIV_BIND_PACE;
            }
        }
        if (hi < lo) {
            civ_where w = {.series_id = p->ids[i], .field = fo->name};
            return civ_fail_at(CIV_ERR_INFEASIBLE, &w,
                               "%s: community '%s' has an upper bound (%s) of %.0f minor units below its lower bound "
                               "of %.0f",
                               what, p->ids[i], hsrc == CIV_BIND_PACE ? "pace" : "cap", hi, lo);
        }
        r->lo_d[j] = lo;
        r->hi_d[j] = hi;
        r->bsrc[j] = (unsigned char)(src | (hsrc << 4));
        sum_lo += lo;
    }

    double lam = 0;
    civ_status st;
    if (sum_lo > P && fo->ratable) {
        /* Ratable reduction (US ESEA Title I, sec. 1122(c), 20 U.S.C. 6332(c)): every lower
         * bound is cut by the same ratio so that they exactly exhaust the pool. */
        double ratio = P / sum_lo;
        r->ratable[u] = ratio;
        for (size_t j = 0; j < m; j++) {
            r->amt[j] = r->lo_d[j] * ratio;
            r->lo_i[j] = (int64_t)floor(r->amt[j]);
            r->hi_i[j] = (int64_t)ceil(r->amt[j]);
            bind[r->member[j]] = (unsigned char)((r->lo_d[j] > 0 ? (r->bsrc[j] & 0x0F) : 0) | CIV_BIND_RATABLE);
        }
    } else {
        st = civ_alloc_solve_lambda(r->raw, r->lo_d, r->hi_d, m, P, r->pairs, r->tmp, r->amt, &lam, what);
        if (st) {
            civ_error_set_field(fo->name);
            return st;
        }
        for (size_t j = 0; j < m; j++) {
            double free_amt = lam * r->raw[j];
            unsigned char b = 0;
            if (r->amt[j] > free_amt && r->lo_d[j] > 0)
                b = r->bsrc[j] & 0x0F;
            else if (r->amt[j] < free_amt)
                b = (unsigned char)(r->bsrc[j] >> 4);
            bind[r->member[j]] = b;
            r->lo_i[j] = (int64_t)r->lo_d[j];
            r->hi_i[j] = isfinite(r->hi_d[j]) ? (int64_t)r->hi_d[j] : -1;
        }
    }
    r->lambda[u] = lam;
    if ((st = civ_alloc_round(r->amt, r->lo_i, r->hi_i, m, un->amount, r->pairs, r->tmp, r->out_i))) {
        civ_error_set_field(un->name);
        return st;
    }
    /* accumulate the amounts; keep q_i = a_i / base_i so that factor k's
     * part of the amount, q_i w_k x_ik c_ik / S_k, can be formed on demand
     * (alloc_part) without a pass over every factor here */
    double *q = r->q + u * n;
    for (size_t j = 0; j < m; j++) {
        size_t i = r->member[j];
        ua[i] = r->out_i[j];
        r->amount[i] += r->out_i[j];
        r->unrounded[i] += r->amt[j];
        if (r->base[j] > 0) {
            q[i] = r->amt[j] / r->base[j];
        } else {
            q[i] = 0;
            r->unattributed[i] += r->amt[j];
        }
    }
    return CIV_OK;
}

/* Factor k's part of community i's unrounded amount, summed over the units
 * whose formula holds the factor (id-order index i). */
static double alloc_part(const civ_alloc_problem *p, const civ_alloc_result *r, size_t k, size_t i)
{
    const civ_alloc_spec *s = p->spec;
    size_t n = p->n, K = s->n_factors;
    double v = 0;
    for (size_t u = 0; u < p->n_units; u++) {
        if (p->units[u].formula != s->factors[k].formula)
            continue;
        if (s->formulas[p->units[u].formula].greater_of && r->winner[u * n + i] != s->factors[k].group_index)
            continue; /* the losing formula contributes nothing */
        double S = r->ftotal[u * K + k];
        if (S > 0 && r->q[u * n + i] != 0)
            v += r->q[u * n + i] * (r->wused[k] * p->xc[k * n + i] / S);
    }
    return v;
}

civ_status civ_alloc_result_part(const civ_alloc_problem *p, const civ_alloc_result *r, size_t k, double *values,
                                 size_t n)
{
    if (!p || !r || !values || n != p->n || k >= p->spec->n_factors)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_result_part: bad factor index or length");
    for (size_t i = 0; i < n; i++)
        values[p->row_of[i]] = alloc_part(p, r, k, i);
    return CIV_OK;
}

civ_status civ_alloc_solve(const civ_alloc_problem *p, civ_alloc_result *r)
{
    if (!p || !r || r->n != p->n || r->n_units != p->n_units)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_solve: NULL or mismatched result");
    size_t n = p->n;
    memset(r->amount, 0, n * sizeof *r->amount);
    for (size_t i = 0; i < n; i++)
        r->unrounded[i] = r->unattributed[i] = r->stage_base[i] = r->stage_tilted[i] = 0;
    memcpy(r->wused, p->weights, r->n_factors * sizeof *r->wused);
    for (size_t u = 0; u < p->n_units; u++) {
        civ_status st = solve_unit(p, r, u);
        if (st)
            return st;
    }
    return CIV_OK;
}

civ_status civ_alloc_result_stage(const civ_alloc_problem *p, const civ_alloc_result *r, civ_alloc_stage stage,
                                  double *values, size_t n)
{
    if (!p || !r || !values || n != p->n)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_result_stage: bad arguments");
    for (size_t i = 0; i < n; i++) {
        double v;
        switch (stage) {
        case CIV_ALLOC_STAGE_BASE: v = r->stage_base[i]; break;
        case CIV_ALLOC_STAGE_TILTED: v = r->stage_tilted[i]; break;
        case CIV_ALLOC_STAGE_CONSTRAINED: v = r->unrounded[i]; break;
        case CIV_ALLOC_STAGE_ROUNDED: v = (double)r->amount[i]; break;
        default: return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_result_stage: unknown stage %d", (int)stage);
        }
        values[p->row_of[i]] = v;
    }
    return CIV_OK;
}

civ_status civ_alloc_result_amounts(const civ_alloc_problem *p, const civ_alloc_result *r, int64_t *amounts, size_t n)
{
    if (!p || !r || !amounts || n != p->n)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_result_amounts: bad arguments");
    for (size_t i = 0; i < n; i++)
        amounts[p->row_of[i]] = r->amount[i];
    return CIV_OK;
}

/* ---- equity ------------------------------------------------------------- */

typedef struct wy {
    double y, w;
} wy;
static int cmp_wy(const void *a, const void *b)
{
    double x = ((const wy *)a)->y, y = ((const wy *)b)->y;
    return x < y ? -1 : x > y;
}

/* Population-weighted Gini, Theil T and coefficient of variation of per-capita
 * amounts y_i = a_i / pop_i (Cowell, "Measuring Inequality", 3rd ed. 2011,
 * sec. 2.3 and Technical Appendix A.2: Gini from the Lorenz curve by the
 * trapezoid rule over weighted, sorted observations; Theil T =
 * sum_i w_i (y_i/mu) ln(y_i/mu) / sum_i w_i). */
static civ_status equity(const double *amount, const double *pop, size_t n, double *gini, double *theil, double *cv)
{
    *gini = *theil = *cv = NAN;
    wy *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for equity statistics");
    size_t m = 0;
    double W = 0, A = 0;
    for (size_t i = 0; i < n; i++)
        if (pop[i] > 0) {
            v[m].y = amount[i] / pop[i];
            v[m++].w = pop[i];
            W += pop[i];
            A += amount[i];
        }
    if (m == 0 || !(A > 0)) {
        free(v);
        return CIV_OK;
    }
    double mu = A / W, var = 0, th = 0;
    for (size_t j = 0; j < m; j++) {
        double d = v[j].y - mu;
        var += v[j].w * d * d;
        double q = v[j].y / mu;
        if (q > 0)
            th += v[j].w * q * log(q);
    }
    *cv = sqrt(var / W) / mu;
    *theil = th / W;
    qsort(v, m, sizeof *v, cmp_wy);
    double cum_w = 0, cum_a = 0, area = 0;
    for (size_t j = 0; j < m; j++) {
        double pw = v[j].w / W, a = v[j].y * v[j].w / A;
        area += pw * (2 * cum_a + a);
        cum_w += pw;
        cum_a += a;
    }
    *gini = 1 - area;
    free(v);
    return CIV_OK;
}

civ_status civ_alloc_result_stats(const civ_alloc_problem *p, const civ_alloc_result *r, civ_alloc_stats *o)
{
    if (!p || !r || !o)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_result_stats: NULL argument");
    memset(o, 0, sizeof *o);
    const civ_alloc_spec *s = p->spec;
    size_t n = p->n;
    o->total = s->total;
    for (size_t k = 0; k < s->n_reserves; k++)
        o->reserved += p->reserve_amount[k];
    o->n_communities = n;
    double *after = malloc(n * sizeof *after);
    if (!after)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for statistics");
    double pop = 0, aged = 0;
    for (size_t i = 0; i < n; i++) {
        o->allocated += r->amount[i];
        o->n_funded += r->amount[i] > 0;
        after[i] = (double)r->amount[i];
        unsigned char b = 0;
        for (size_t u = 0; u < p->n_units; u++)
            b |= r->binding[u * n + i];
        o->n_floor += !!(b & CIV_BIND_FLOOR);
        o->n_cap += !!(b & CIV_BIND_CAP);
        o->n_hold_harmless += !!(b & CIV_BIND_HOLD_HARMLESS);
        o->n_pace += !!(b & CIV_BIND_PACE);
        o->n_ratable += !!(b & CIV_BIND_RATABLE);
        pop += p->population[i];
        aged += p->aged[i];
    }
    double yuan = (double)s->minor_unit;
    o->per_capita_mean = pop > 0 ? (double)o->allocated / yuan / pop : NAN;
    o->per_aged_mean = aged > 0 ? (double)o->allocated / yuan / aged : NAN;
    civ_status st = equity(r->stage_tilted, p->population, n, &o->gini_before, &o->theil_before, &o->cv_before);
    if (!st)
        st = equity(after, p->population, n, &o->gini_after, &o->theil_after, &o->cv_after);
    free(after);
    return st;
}

/* ---- output tables ------------------------------------------------------ */

static const char *binding_name(unsigned char b)
{
    if (b & CIV_BIND_HOLD_HARMLESS)
        return "hold_harmless";
    if (b & CIV_BIND_FLOOR)
        return "floor";
    if (b & CIV_BIND_PACE)
        return "pace";
    if (b & CIV_BIND_CAP)
        return "cap";
    return "";
}

typedef struct tb {
    civ_table *t;
    civ_status st;
} tb;

static size_t add_col(tb *b, const char *name, civ_column_type type)
{
    size_t k = 0;
    if (!b->st)
        b->st = civ_table_add_column(b->t, name, type, &k);
    return k;
}
static void set_num(tb *b, size_t row, size_t col, double v)
{
    if (!b->st)
        b->st = civ_table_set_number(b->t, row, col, v);
}
static void set_txt(tb *b, size_t row, size_t col, const char *v)
{
    if (!b->st)
        b->st = civ_table_set_text(b->t, row, col, v);
}

static void explain_row(const civ_alloc_problem *p, const civ_alloc_result *r, size_t i, char *buf, size_t size)
{
    const civ_alloc_spec *s = p->spec;
    size_t n = p->n, L = 0;
    buf[0] = '\0';
#define APPEND(...)                                                       \
    do {                                                                  \
        if (L < size) {                                                   \
            int w_ = snprintf(buf + L, size - L, __VA_ARGS__);            \
            if (w_ > 0)                                                   \
                L += (size_t)w_;                                          \
        }                                                                 \
    } while (0)
    double tot = r->unrounded[i];
    int first = 1;
    for (size_t k = 0; k < s->n_factors; k++) {
        double v = alloc_part(p, r, k, i);
        if (v == 0 || !(tot > 0))
            continue;
        APPEND("%s%s %.1f%%", first ? "" : " + ", s->factors[k].name, 100 * v / tot);
        first = 0;
    }
    if (r->unattributed[i] > 0)
        APPEND("%sno factor score", first ? "" : " + ");
    if (first && !(r->unattributed[i] > 0))
        APPEND("not funded");
    for (size_t u = 0; u < p->n_units; u++) {
        const civ_alloc_unit *un = &p->units[u];
        const civ_alloc_formula *fo = &s->formulas[un->formula];
        if (!un->eligible[i] && s->pools[un->first_pool].eligible_attribute) {
            APPEND("; not eligible for %s", un->name);
            continue;
        }
        if (fo->greater_of && r->unrounded[i] > 0)
            APPEND("; group '%s' of %s scored higher", fo->groups[r->winner[u * n + i]], fo->name);
        uint32_t mask = p->tilt_mask[un->formula * n + i];
        for (size_t t = 0; t < s->n_tilts; t++)
            if (mask & ((uint32_t)1 << t))
                APPEND("; %s tilt ×%g", s->tilts[t].name, s->tilts[t].multiplier);
        unsigned char b = r->binding[u * n + i];
        const char *pre = p->n_units > 1 ? un->name : "";
        const char *sep = p->n_units > 1 ? " " : "";
        if (b & CIV_BIND_RATABLE)
            APPEND("; %s%sfloors ratably reduced to %.2f%%", pre, sep, 100 * r->ratable[u]);
        if ((b & CIV_BIND_HOLD_HARMLESS))
            APPEND("; %s%sraised to hold-harmless %g%% of last year", pre, sep, 100 * fo->hold_harmless);
        else if (b & CIV_BIND_FLOOR)
            APPEND("; %s%sraised to the floor of %.*f", pre, sep, s->minor_digits,
                   (double)fo->floor / (double)s->minor_unit);
        if (b & CIV_BIND_PACE)
            APPEND("; %s%slimited by pace to +%g%% over last year", pre, sep, 100 * fo->pace);
        else if (b & CIV_BIND_CAP)
            APPEND("; %s%slowered to the cap", pre, sep);
    }
#undef APPEND
}

civ_status civ_alloc_result_table(const civ_alloc_problem *p, const civ_alloc_result *r, int explain, civ_table **out)
{
    if (!p || !r || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_result_table: NULL argument");
    *out = NULL;
    const civ_alloc_spec *s = p->spec;
    size_t n = p->n, K = s->n_factors, U = p->n_units, F = s->n_formulas;
    tb b = {0};
    if ((b.st = civ_table_create(&b.t)))
        return b.st;
    char name[128];
    size_t c_id = add_col(&b, "unique_id", CIV_COLUMN_TEXT);
    size_t c_d = add_col(&b, "district", CIV_COLUMN_TEXT);
    size_t c_unit0 = 0;
    for (size_t u = 0; u < U; u++) {
        snprintf(name, sizeof name, "pool_%s", p->units[u].name);
        size_t k = add_col(&b, name, CIV_COLUMN_NUMBER);
        if (u == 0)
            c_unit0 = k;
    }
    size_t c_amt = add_col(&b, "amount", CIV_COLUMN_NUMBER);
    size_t c_yuan = add_col(&b, "amount_yuan", CIV_COLUMN_NUMBER);
    size_t c_share = add_col(&b, "share", CIV_COLUMN_NUMBER);
    size_t c_f0 = 0;
    for (size_t k = 0; k < K; k++) {
        snprintf(name, sizeof name, "factor_%s", s->factors[k].name);
        size_t c = add_col(&b, name, CIV_COLUMN_NUMBER);
        if (k == 0)
            c_f0 = c;
    }
    size_t c_un = add_col(&b, "unattributed", CIV_COLUMN_NUMBER);
    size_t c_rd = add_col(&b, "rounding", CIV_COLUMN_NUMBER);
    size_t c_t0 = 0;
    for (size_t f = 0; f < F; f++) {
        if (F == 1)
            snprintf(name, sizeof name, "tilt");
        else
            snprintf(name, sizeof name, "tilt_%s", s->formulas[f].name);
        size_t c = add_col(&b, name, CIV_COLUMN_NUMBER);
        if (f == 0)
            c_t0 = c;
    }
    size_t c_b = add_col(&b, "binding", CIV_COLUMN_TEXT);
    size_t c_ly = add_col(&b, "last_year", CIV_COLUMN_NUMBER);
    size_t c_ch = add_col(&b, "change", CIV_COLUMN_NUMBER);
    size_t c_chp = add_col(&b, "change_pct", CIV_COLUMN_NUMBER);
    size_t c_ex = explain ? add_col(&b, "explanation", CIV_COLUMN_TEXT) : 0;
    if (!b.st)
        b.st = civ_table_add_rows(b.t, n, NULL);
    double total = 0, yuan = (double)s->minor_unit;
    for (size_t i = 0; i < n; i++)
        total += (double)r->amount[i];
    char ex[2048], bn[160];
    for (size_t i = 0; i < n && !b.st; i++) {
        size_t row = p->row_of[i];
        set_txt(&b, row, c_id, p->ids[i]);
        set_txt(&b, row, c_d, p->districts[i]);
        for (size_t u = 0; u < U; u++)
            set_num(&b, row, c_unit0 + u, (double)r->unit_amount[u * n + i]);
        double a = (double)r->amount[i];
        set_num(&b, row, c_amt, a);
        set_num(&b, row, c_yuan, a / yuan);
        set_num(&b, row, c_share, total > 0 ? a / total : 0);
        for (size_t k = 0; k < K; k++)
            set_num(&b, row, c_f0 + k, alloc_part(p, r, k, i));
        set_num(&b, row, c_un, r->unattributed[i]);
        set_num(&b, row, c_rd, a - r->unrounded[i]);
        for (size_t f = 0; f < F; f++)
            set_num(&b, row, c_t0 + f, p->tilt[f * n + i]);
        /* distinct binding names over units, joined by '+' */
        bn[0] = '\0';
        for (size_t u = 0; u < U; u++) {
            const char *nm = binding_name(r->binding[u * n + i]);
            if (nm[0] && !strstr(bn, nm)) {
                size_t L = strlen(bn);
                snprintf(bn + L, sizeof bn - L, "%s%s", L ? "+" : "", nm);
            }
        }
        set_txt(&b, row, c_b, bn);
        double ly = p->report_last_year[i];
        if (isnan(ly)) /* fall back on the first formula's last_year attribute */
            for (size_t f = 0; f < F && isnan(ly); f++)
                ly = p->last_year[f * n + i];
        set_num(&b, row, c_ly, ly);
        if (!isnan(ly)) {
            double ch = a / yuan - ly;
            set_num(&b, row, c_ch, ch);
            set_num(&b, row, c_chp, ly > 0 ? 100 * ch / ly : NAN);
        }
        if (explain) {
            explain_row(p, r, i, ex, sizeof ex);
            set_txt(&b, row, c_ex, ex);
        }
    }
    if (b.st) {
        civ_table_free(b.t);
        return b.st;
    }
    *out = b.t;
    return CIV_OK;
}

civ_status civ_alloc_result_summary(const civ_alloc_problem *p, const civ_alloc_result *r, civ_table **out)
{
    if (!p || !r || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_result_summary: NULL argument");
    *out = NULL;
    const civ_alloc_spec *s = p->spec;
    size_t n = p->n;
    civ_alloc_stats st;
    civ_status e = civ_alloc_result_stats(p, r, &st);
    if (e)
        return e;
    tb b = {0};
    if ((b.st = civ_table_create(&b.t)))
        return b.st;
    size_t c_sec = add_col(&b, "section", CIV_COLUMN_TEXT), c_name = add_col(&b, "name", CIV_COLUMN_TEXT);
    size_t c_amt = add_col(&b, "amount", CIV_COLUMN_NUMBER), c_yuan = add_col(&b, "amount_yuan", CIV_COLUMN_NUMBER);
    size_t c_sh = add_col(&b, "share", CIV_COLUMN_NUMBER), c_n = add_col(&b, "communities", CIV_COLUMN_NUMBER);
    size_t c_v = add_col(&b, "value", CIV_COLUMN_NUMBER);
    double yuan = (double)s->minor_unit, T = (double)s->total;
    size_t row = 0;
#define ROW(sec, nm, amt, cnt, val)                                                 \
    do {                                                                            \
        if (!b.st)                                                                  \
            b.st = civ_table_add_rows(b.t, 1, &row);                                \
        set_txt(&b, row, c_sec, (sec));                                             \
        set_txt(&b, row, c_name, (nm));                                             \
        if (!isnan((double)(amt))) {                                                \
            set_num(&b, row, c_amt, (double)(amt));                                 \
            set_num(&b, row, c_yuan, (double)(amt) / yuan);                         \
            set_num(&b, row, c_sh, (double)(amt) / T);                              \
        }                                                                           \
        if ((cnt) >= 0)                                                             \
            set_num(&b, row, c_n, (double)(cnt));                                   \
        set_num(&b, row, c_v, (val));                                               \
    } while (0)
    ROW("budget", "total", s->total, -1, NAN);
    for (size_t k = 0; k < s->n_reserves; k++)
        ROW("reserve", s->reserves[k].name, p->reserve_amount[k], -1, s->reserves[k].share);
    for (size_t q = 0; q < s->n_pools; q++) {
        size_t cnt = 0;
        cnt = p->units[p->pool_unit[q]].n_eligible;
        ROW("pool", s->pools[q].name, p->pool_amount[q], (double)cnt, NAN);
    }
    for (size_t u = 0; u < p->n_units; u++) {
        int64_t sum = 0;
        for (size_t i = 0; i < n; i++)
            sum += r->unit_amount[u * n + i];
        ROW("fund", p->units[u].name, sum, (double)p->units[u].n_eligible, r->lambda[u]);
    }
    /* districts in first-seen id order */
    civ_strmap dm = {0};
    size_t nd = 0;
    int64_t *damt = calloc(n, sizeof *damt);
    double *dpop = calloc(n, sizeof *dpop);
    size_t *dcnt = calloc(n, sizeof *dcnt), *dfirst = calloc(n, sizeof *dfirst);
    if (!damt || !dpop || !dcnt || !dfirst) {
        b.st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the summary");
    } else {
        for (size_t i = 0; i < n && !b.st; i++) {
            size_t d;
            if (!civ_strmap_get(&dm, p->districts[i], &d)) {
                d = nd++;
                dfirst[d] = i;
                b.st = civ_strmap_put(&dm, p->districts[i], d, NULL);
            }
            damt[d] += r->amount[i];
            dpop[d] += p->population[i];
            dcnt[d]++;
        }
        for (size_t d = 0; d < nd; d++)
            ROW("district", p->districts[dfirst[d]][0] ? p->districts[dfirst[d]] : "(none)", damt[d], (double)dcnt[d],
                dpop[d] > 0 ? (double)damt[d] / yuan / dpop[d] : NAN);
    }
    civ_strmap_free(&dm);
    free(damt), free(dpop), free(dcnt), free(dfirst);
    ROW("total", "allocated", st.allocated, (double)n, NAN);
    ROW("total", "reserved", st.reserved, -1, NAN);
    ROW("total", "budget", st.allocated + st.reserved, -1, NAN);
    ROW("statistic", "communities_funded", NAN, (double)st.n_funded, (double)st.n_funded);
    ROW("statistic", "per_capita_mean", NAN, -1, st.per_capita_mean);
    ROW("statistic", "per_aged_capita_mean", NAN, -1, st.per_aged_mean);
    double mn = INFINITY, mx = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (p->population[i] > 0) {
            double v = (double)r->amount[i] / yuan / p->population[i];
            mn = fmin(mn, v), mx = fmax(mx, v);
        }
    ROW("statistic", "per_capita_min", NAN, -1, isfinite(mn) ? mn : NAN);
    ROW("statistic", "per_capita_max", NAN, -1, isfinite(mx) ? mx : NAN);
    ROW("binding", "floor", NAN, (double)st.n_floor, (double)st.n_floor);
    ROW("binding", "cap", NAN, (double)st.n_cap, (double)st.n_cap);
    ROW("binding", "hold_harmless", NAN, (double)st.n_hold_harmless, (double)st.n_hold_harmless);
    ROW("binding", "pace", NAN, (double)st.n_pace, (double)st.n_pace);
    ROW("binding", "ratable", NAN, (double)st.n_ratable, (double)st.n_ratable);
    ROW("equity", "gini_before", NAN, -1, st.gini_before);
    ROW("equity", "gini_after", NAN, -1, st.gini_after);
    ROW("equity", "theil_before", NAN, -1, st.theil_before);
    ROW("equity", "theil_after", NAN, -1, st.theil_after);
    ROW("equity", "cv_before", NAN, -1, st.cv_before);
    ROW("equity", "cv_after", NAN, -1, st.cv_after);
#undef ROW
    if (b.st) {
        civ_table_free(b.t);
        return b.st;
    }
    *out = b.t;
    return CIV_OK;
}

civ_status civ_alloc_run(const civ_alloc_spec *spec, const civ_table *communities, const civ_table *forecasts,
                         int explain, civ_table **allocation, civ_table **summary)
{
    if (!allocation)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_run: allocation is NULL");
    *allocation = NULL;
    if (summary)
        *summary = NULL;
    civ_alloc_problem *p = NULL;
    civ_alloc_result *r = NULL;
    civ_status st = civ_alloc_bind(spec, communities, forecasts, &p);
    if (!st)
        st = civ_alloc_result_create(p, &r);
    if (!st)
        st = civ_alloc_solve(p, r);
    if (!st)
        st = civ_alloc_result_table(p, r, explain, allocation);
    if (!st && summary && (st = civ_alloc_result_summary(p, r, summary))) {
        civ_table_free(*allocation);
        *allocation = NULL;
    }
    civ_alloc_result_free(r);
    civ_alloc_problem_free(p);
    return st;
}
