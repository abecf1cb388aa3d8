/*
 * totals.c -- layer plan: forecast_totals.csv, the forecast of the city total and of each district's total
 * (level, unique_id, ds, h, method, mean, lo-<L>, hi-<L>), the report's demand bands (docs/REPORT.md, "The
 * intervals of the city and district totals").  Method "sum": a total's mean and bounds are the sums of its
 * communities' (forecasts.csv; a missing value counts 0, as the report always summed them), the candidate
 * whose bands came closest to their nominal coverage on the demo city's 2025 and a real tourism hierarchy
 * (bench/totals_intervals.py) until 2026-12-07.  Districts from the allocation's "district" column (the spec's
 * [data] district, as the report groups them), in its order; a community without one counts in the city total
 * only.  Method "bu" (the default since 2026-12-07, when the measurement picked it): bottom-up coherent sample
 * paths of the district hierarchy (civ_hier_forecast), the means the sums of the communities' means, the bands
 * the quantiles of the summed paths; where it cannot be made the caller writes "sum" and says why.  Public API
 * and core helpers only.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "error.h"
#include "plan.h"
#include "strmap.h"

#define MAX_VALUES (1 + 2 * CIV_PLAN_MAX_LEVELS)

/* The numeric columns summed: mean, then every lo-<L> and hi-<L> in the table's order. */
static size_t value_columns(const civ_table *fc, size_t *cols)
{
    size_t n = 0, c;
    if (civ_table_find_column(fc, "mean", &c) || civ_table_column_type(fc, c) != CIV_COLUMN_NUMBER) {
        civ_clear_error();
        return 0;
    }
    cols[n++] = c;
    for (c = 0; c < civ_table_n_columns(fc) && n < MAX_VALUES; c++) {
        const char *name = civ_table_column_name(fc, c);
        int bound = !strncmp(name, "lo-", 3) || !strncmp(name, "hi-", 3);
        if (bound && civ_table_column_type(fc, c) == CIV_COLUMN_NUMBER)
            cols[n++] = c;
    }
    return n;
}

/* Each community's district index (ids -> index into `dists`, the district names in first-seen order);
 * communities without a district are left out of `ids`. */
static civ_status districts(const civ_table *comm, size_t key, size_t dist, civ_strmap *ids, civ_strmap *names,
                            const char **dists, size_t *nd)
{
    size_t dup;
    for (size_t r = 0; r < civ_table_n_rows(comm); r++) {
        const char *d = civ_table_text(comm, r, dist);
        if (!d || !d[0])
            continue;
        size_t k = *nd;
        civ_status s = civ_strmap_put(names, d, k, &dup);
        if (s == CIV_ERR_DUPLICATE)
            k = dup;
        else if (s)
            return s;
        else
            dists[(*nd)++] = d;
        if ((s = civ_strmap_put(ids, civ_table_text(comm, r, key), k, &dup)) == CIV_ERR_OUT_OF_MEMORY)
            return s;
    }
    return CIV_OK;
}

/* The table: the total's rows (g = 0), then each district's (g = 1 + district), steps 1..H with a period. */
static civ_status totals_rows(const civ_table *fc, const size_t *cols, size_t nv, const double *sum,
                              const char *const *ds, size_t H, const char *const *dists, size_t nd, civ_table **out)
{
    civ_table *t = NULL;
    size_t c[5 + MAX_VALUES], steps = 0, row = 0;
    static const char *const fixed[] = {"level", "unique_id", "ds", "h", "method"};
    civ_status st;
    CIV_TRY(civ_table_create(&t));
    for (size_t k = 0; k < 5; k++)
        CIV_TRY(civ_table_add_column(t, fixed[k], k == 3 ? CIV_COLUMN_NUMBER : CIV_COLUMN_TEXT, &c[k]));
    for (size_t v = 0; v < nv; v++)
        CIV_TRY(civ_table_add_column(t, civ_table_column_name(fc, cols[v]), CIV_COLUMN_NUMBER, &c[5 + v]));
    for (size_t h = 1; h <= H; h++)
        steps += ds[h] != NULL;
    CIV_TRY(civ_table_add_rows(t, (nd + 1) * steps, NULL));
    for (size_t g = 0; g <= nd; g++)
        for (size_t h = 1; h <= H; h++) {
            if (!ds[h])
                continue;
            CIV_TRY(civ_table_set_text(t, row, c[0], g ? "district" : "total"));
            CIV_TRY(civ_table_set_text(t, row, c[1], g ? dists[g - 1] : "total"));
            CIV_TRY(civ_table_set_text(t, row, c[2], ds[h]));
            CIV_TRY(civ_table_set_number(t, row, c[3], (double)h));
            CIV_TRY(civ_table_set_text(t, row, c[4], "sum"));
            for (size_t v = 0; v < nv; v++)
                CIV_TRY(civ_table_set_number(t, row, c[5 + v], sum[(g * (H + 1) + h) * nv + v]));
            row++;
        }
    *out = t;
    return CIV_OK;
fail:
    civ_table_free(t);
    return st;
}

civ_status civ_plan_totals_table(const civ_table *fc, const civ_table *comm, const char *key, civ_table **out)
{
    *out = NULL;
    size_t cols[MAX_VALUES], nv = fc ? value_columns(fc, cols) : 0, cid, cds, ch, ck = 0, cd = 0, nd = 0, H = 0;
    if (!nv || civ_table_find_column(fc, "unique_id", &cid) || civ_table_find_column(fc, "ds", &cds) ||
        civ_table_find_column(fc, "h", &ch)) {
        civ_clear_error();
        return CIV_OK;
    }
    int by_district = comm && key && !civ_table_find_column(comm, key, &ck) &&
                      civ_table_column_type(comm, ck) == CIV_COLUMN_TEXT &&
                      !civ_table_find_column(comm, "district", &cd) &&
                      civ_table_column_type(comm, cd) == CIV_COLUMN_TEXT;
    civ_clear_error(); /* no key or no district column: the city total alone */
    size_t n = civ_table_n_rows(fc), m = by_district ? civ_table_n_rows(comm) : 0;
    for (size_t r = 0; r < n; r++) {
        double h = civ_table_number(fc, r, ch);
        if (isfinite(h) && h >= 1 && h <= 100000 && (size_t)h > H)
            H = (size_t)h;
    }
    civ_strmap ids = {0}, names = {0};
    const char **dists = malloc((m + 1) * sizeof *dists), **ds = calloc(H + 1, sizeof *ds);
    civ_status s = dists && ds ? CIV_OK : civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for the totals");
    if (!s && by_district)
        s = districts(comm, ck, cd, &ids, &names, dists, &nd);
    double *sum = s ? NULL : calloc((nd + 1) * (H + 1) * nv, sizeof *sum);
    if (!s && !sum)
        s = civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for the totals of %zu districts", nd);
    for (size_t r = 0; r < n && !s; r++) {
        double hv = civ_table_number(fc, r, ch);
        if (!isfinite(hv) || hv < 1 || hv > (double)H)
            continue;
        size_t h = (size_t)hv, g;
        if (!ds[h])
            ds[h] = civ_table_text(fc, r, cds);
        int in_district = civ_strmap_get(&ids, civ_table_text(fc, r, cid), &g);
        for (size_t v = 0; v < nv; v++) {
            double x = civ_table_number(fc, r, cols[v]);
            x = isfinite(x) ? x : 0.0;
            sum[h * nv + v] += x;
            if (in_district)
                sum[((g + 1) * (H + 1) + h) * nv + v] += x;
        }
    }
    if (!s)
        s = totals_rows(fc, cols, nv, sum, ds, H, dists, nd, out);
    civ_strmap_free(&ids);
    civ_strmap_free(&names);
    free(dists), free(ds), free(sum);
    return s;
}

/* ---- method "bu": the district hierarchy's sample paths ----------------------------------------------- */

/* Why the hierarchy cannot be built, or "" when every series has a district: the allocation needs a text
 * "district" column with a value for each series of the panel (new communities without a series are left out
 * by civ_hier_build; the series are the allocation's communities, civ_plan_check_ids). */
static civ_status district_gap(const civ_panel *panel, const civ_table *alloc, char *why, size_t size)
{
    size_t cid, cd, r, n = civ_panel_n_series(panel), missing = 0, first = 0;
    if (civ_table_find_column(alloc, "unique_id", &cid) || civ_table_find_column(alloc, "district", &cd) ||
        civ_table_column_type(alloc, cd) != CIV_COLUMN_TEXT || civ_table_column_type(alloc, cid) != CIV_COLUMN_TEXT) {
        civ_clear_error();
        civ_snprintf(why, size, "the allocation has no district column (the spec's [data] district), so the city "
                     "total is the only total");
        return CIV_OK;
    }
    civ_strmap rows = {0};
    civ_status s = CIV_OK;
    for (r = 0; r < civ_table_n_rows(alloc) && !s; r++) {
        const char *d = civ_table_text(alloc, r, cd);
        if (d && d[0] && (s = civ_strmap_put(&rows, civ_table_text(alloc, r, cid), r, &(size_t){0})) ==
                             CIV_ERR_DUPLICATE)
            s = CIV_OK;
    }
    for (size_t i = 0; i < n && !s; i++)
        if (!civ_strmap_get(&rows, civ_panel_series_id(panel, i), &r) && !missing++)
            first = i;
    civ_strmap_free(&rows);
    if (!s && missing == n)
        civ_snprintf(why, size, "no community has a district (the spec's [data] district column of the communities "
                     "table), so the city total is the only total");
    else if (!s && missing)
        civ_snprintf(why, size, "%zu communit%s with a series %s no district (the first: '%s'); the city total "
                     "counts %s but no district does", missing, missing == 1 ? "y" : "ies", missing == 1 ? "has" : "have",
                     civ_panel_series_id(panel, first), missing == 1 ? "it" : "them");
    return s;
}

/* The totals' rows of a hierarchy table (level, unique_id, ds, h, model, base, mean, lo-<L>, hi-<L>, ...) in
 * forecast_totals.csv's layout, method "bu": the aggregates' rows (level other than "unique_id"), in its order. */
static civ_status bu_rows(const civ_table *ht, civ_table **out)
{
    civ_table *t = NULL;
    size_t n = civ_table_n_columns(ht), src[5 + MAX_VALUES], dst[5 + MAX_VALUES], nc = 0, cm, cl, rows = 0, row = 0;
    civ_status st;
    CIV_TRY(civ_table_find_column(ht, "level", &cl));
    CIV_TRY(civ_table_create(&t));
    for (size_t c = 0; c < n && nc < 4 + MAX_VALUES; c++) { /* level, unique_id, ds, h; then method; then values */
        const char *name = civ_table_column_name(ht, c);
        if (!strcmp(name, "model") || !strcmp(name, "base"))
            continue;
        if (!strcmp(name, "mean"))
            CIV_TRY(civ_table_add_column(t, "method", CIV_COLUMN_TEXT, &cm));
        src[nc] = c;
        CIV_TRY(civ_table_add_column(t, name, civ_table_column_type(ht, c), &dst[nc++]));
    }
    for (size_t r = 0; r < civ_table_n_rows(ht); r++)
        rows += strcmp(civ_table_text(ht, r, cl), "unique_id") != 0;
    CIV_TRY(civ_table_add_rows(t, rows, NULL));
    for (size_t r = 0; r < civ_table_n_rows(ht); r++) {
        if (!strcmp(civ_table_text(ht, r, cl), "unique_id"))
            continue;
        CIV_TRY(civ_table_set_text(t, row, cm, "bu"));
        for (size_t k = 0; k < nc; k++)
            CIV_TRY(civ_table_column_type(ht, src[k]) == CIV_COLUMN_TEXT
                        ? civ_table_set_text(t, row, dst[k], civ_table_text(ht, r, src[k]))
                        : civ_table_set_number(t, row, dst[k], civ_table_number(ht, r, src[k])));
        row++;
    }
    *out = t;
    return CIV_OK;
fail:
    civ_table_free(t);
    return st;
}

/* A failure that means "bu cannot be made here" (the caller falls back to the sum): a node whose forecast
 * failed or is too short, series ending at different periods, an inconsistent district (a community listed
 * twice); not memory or a cancelled run. */
static int falls_back(civ_status s)
{
    return s == CIV_ERR_NUMERIC || s == CIV_ERR_TOO_SHORT || s == CIV_ERR_DOMAIN || s == CIV_ERR_PARSE ||
           s == CIV_ERR_DUPLICATE || s == CIV_ERR_NOT_FOUND;
}

/* The panel without the series whose forecast failed (no mean at any step in `fc`): they count 0 in the
 * totals, as in the allocation with if_missing = "zero" and in the sum, and would fail the hierarchy's forecast
 * (the same model on the same values).  *out NULL when none failed (use `panel`); `why` said when all did. */
static civ_status forecast_series(const civ_panel *panel, const civ_table *fc, civ_panel **out, char *why,
                                  size_t size)
{
    size_t cid, cm, n = civ_panel_n_series(panel), kept = 0, i;
    *out = NULL;
    if (civ_table_find_column(fc, "unique_id", &cid) || civ_table_find_column(fc, "mean", &cm)) {
        civ_clear_error();
        return CIV_OK;
    }
    civ_strmap has = {0};
    civ_status s = CIV_OK;
    for (size_t r = 0; r < civ_table_n_rows(fc) && !s; r++)
        if (isfinite(civ_table_number(fc, r, cm)) &&
            (s = civ_strmap_put(&has, civ_table_text(fc, r, cid), r, &(size_t){0})) == CIV_ERR_DUPLICATE)
            s = CIV_OK;
    for (i = 0; i < n && !s; i++)
        kept += civ_strmap_get(&has, civ_panel_series_id(panel, i), &(size_t){0});
    if (!s && kept < n && !kept)
        civ_snprintf(why, size, "no community's forecast could be made");
    if (!s && kept < n && kept && !(s = civ_panel_create(civ_panel_frequency(panel), out))) {
        s = civ_panel_set_phase(*out, civ_panel_phase(panel));
        if (!s)
            s = civ_panel_set_date_style(*out, civ_panel_date_style(panel));
        for (i = 0; i < n && !s; i++) {
            const double *v;
            size_t len;
            int64_t start;
            if (!civ_strmap_get(&has, civ_panel_series_id(panel, i), &(size_t){0}))
                continue;
            civ_panel_series(panel, i, &v, &len, &start);
            s = civ_panel_add_series(*out, civ_panel_series_id(panel, i), start, v, len, NULL);
        }
    }
    civ_strmap_free(&has);
    if (s) {
        civ_panel_free(*out);
        *out = NULL;
    }
    return s;
}

civ_status civ_plan_totals_bu(const civ_panel *panel, const civ_table *fc, const civ_table *alloc,
                              const civ_hier_options *opt, civ_table **out, size_t *n_uncalibrated, char *why,
                              size_t why_size)
{
    *out = NULL;
    *n_uncalibrated = 0;
    why[0] = '\0';
    if (!panel || !fc || !alloc)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_totals_bu: NULL panel, forecasts or allocation");
    civ_panel *sub = NULL;
    civ_status s = district_gap(panel, alloc, why, why_size);
    if (!s && !why[0])
        s = forecast_series(panel, fc, &sub, why, why_size);
    if (s || why[0])
        return s;
    panel = sub ? sub : panel;
    static const char *const levels[] = {"district"};
    civ_hier *h = NULL;
    civ_hier_result *r = NULL;
    civ_table *ht = NULL;
    s = civ_hier_build(panel, alloc, levels, 1, NULL, 0, &h);
    if (!s)
        s = civ_hier_forecast(h, panel, opt, &r);
    if (!s)
        s = civ_hier_result_table(r, h, &ht);
    if (!s)
        s = bu_rows(ht, out);
    if (!s)
        *n_uncalibrated = civ_hier_result_n_uncalibrated(r);
    if (s && falls_back(s)) {
        civ_snprintf(why, why_size, "the district hierarchy could not be forecast: %s", civ_last_error_message());
        civ_clear_error();
        s = CIV_OK;
    }
    civ_table_free(ht);
    civ_hier_result_free(r);
    civ_hier_free(h);
    civ_panel_free(sub);
    return s;
}
