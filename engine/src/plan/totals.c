/*
 * totals.c -- layer plan: forecast_totals.csv, the forecast of the city total and of each district's total
 * (level, unique_id, ds, h, method, mean, lo-<L>, hi-<L>), the report's demand bands (docs/REPORT.md, "The
 * intervals of the city and district totals").  Method "sum": a total's mean and bounds are the sums of its
 * communities' (forecasts.csv; a missing value counts 0, as the report always summed them), the candidate
 * whose bands came closest to their nominal coverage on the demo city's 2025 and a real tourism hierarchy
 * (bench/totals_intervals.py).  Districts from the allocation's "district" column (the spec's [data] district,
 * as the report groups them), in its order; a community without one counts in the city total only.  Public
 * API and core helpers only.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
