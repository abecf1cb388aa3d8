/*
 * aggregate.c -- layer hier (over core): the panel of every node of a
 * hierarchy (civ_hier_aggregate): each aggregate the sum of its series over
 * their common span, then the series themselves.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "hier.h"
#include "panel.h"

/* The panel is the one the hierarchy was built on, and every series ends at
 * the same period; *start gets the earliest start, *end the common end. */
static civ_status common_span(const civ_hier *h, const civ_panel *panel, int64_t *start, int64_t *end)
{
    size_t n = civ_panel_n_series(panel);
    if (n != h->n_bottom)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "the panel has %zu series, the hierarchy %zu: use the panel the "
                        "hierarchy was built on", n, h->n_bottom);
    size_t first_end = 0;
    for (size_t j = 0; j < n; j++) {
        const char *id = civ_panel_series_id(panel, j);
        if (strcmp(id, h->node_id[h->n_agg + j]))
            return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &(civ_where){.series_id = id}, "series %zu of the panel is "
                               "'%s', not '%s' as in the hierarchy", j + 1, id, h->node_id[h->n_agg + j]);
        size_t len;
        int64_t s;
        civ_panel_series(panel, j, NULL, &len, &s);
        if (!len)
            return civ_fail_at(CIV_ERR_TOO_SHORT, &(civ_where){.series_id = id}, "series '%s' has no observation",
                               id);
        int64_t e = s + (int64_t)len - 1;
        if (j == 0 || s < *start)
            *start = s;
        if (j == 0) {
            *end = e;
        } else if (e != *end) {
            char a[32] = "", b[32] = "";
            civ_period_format(civ_panel_frequency(panel), civ_panel_phase(panel), e, a, sizeof a);
            civ_period_format(civ_panel_frequency(panel), civ_panel_phase(panel), *end, b, sizeof b);
            return civ_fail_at(CIV_ERR_DOMAIN, &(civ_where){.series_id = id}, "series '%s' ends at %s but series "
                               "'%s' at %s: a hierarchy is forecast from one common last period; trim or complete "
                               "the series", id, a, civ_panel_series_id(panel, first_end), b);
        }
    }
    return CIV_OK;
}

civ_status civ_hier_aggregate(const civ_hier *h, const civ_panel *panel, civ_panel **out)
{
    if (!h || !panel || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_hier_aggregate: NULL argument");
    return civ_hier_aggregate_in(h, panel, h->listed, out); /* the order people read */
}

civ_status civ_hier_aggregate_in(const civ_hier *h, const civ_panel *panel, const size_t *order, civ_panel **out)
{
    int64_t start = 0, end = 0;
    civ_status st = common_span(h, panel, &start, &end);
    if (st)
        return st;
    size_t t = (size_t)(end - start + 1);
    civ_panel *p = NULL;
    double *v = malloc(t * sizeof *v);
    if (!v)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for %zu periods", t);
    CIV_TRY(civ_panel_create(civ_panel_frequency(panel), &p));
    CIV_TRY(civ_panel_set_phase(p, civ_panel_phase(panel)));
    CIV_TRY(civ_panel_set_date_style(p, civ_panel_date_style(panel)));
    for (size_t k = 0; k < h->n_agg; k++) { /* the aggregates come first in either order */
        size_t a = order ? order[k] : k;
        memset(v, 0, t * sizeof *v);
        for (size_t m = h->mem_off[a]; m < h->mem_off[a + 1]; m++) {
            const double *x;
            size_t len;
            int64_t s;
            civ_panel_series(panel, h->mem[m], &x, &len, &s);
            for (size_t r = 0; r < len; r++)
                v[(size_t)(s - start) + r] += x[r]; /* NaN stays NaN: the sum is missing there */
        }
        CIV_TRY(civ_panel_add_series_grid(p, h->node_id[a], start, v, t)); /* trailing NaN kept: see panel.h */
    }
    for (size_t j = 0; j < h->n_bottom; j++) {
        const double *x;
        size_t len;
        int64_t s;
        civ_panel_series(panel, j, &x, &len, &s);
        CIV_TRY(civ_panel_add_series_grid(p, h->node_id[h->n_agg + j], s, x, len)); /* as the panel has it */
    }
    free(v);
    *out = p;
    return CIV_OK;
fail:
    free(v);
    civ_panel_free(p);
    return st;
}

civ_status civ_hier_gaps(const civ_hier *h, const civ_panel *panel, civ_table **out)
{
    if (!h || !panel || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_hier_gaps: NULL argument");
    *out = NULL;
    int64_t start = 0, end = 0;
    civ_status st = common_span(h, panel, &start, &end);
    if (st)
        return st;
    civ_table *t = NULL;
    size_t cid, cds;
    civ_date_style style = civ_panel_date_style(panel);
    CIV_TRY(civ_table_create(&t));
    CIV_TRY(civ_table_add_column(t, "unique_id", CIV_COLUMN_TEXT, &cid));
    CIV_TRY(civ_table_add_column(t, "ds", CIV_COLUMN_TEXT, &cds));
    for (size_t j = 0; j < h->n_bottom; j++) {
        const double *x;
        size_t len, row;
        int64_t s;
        civ_panel_series(panel, j, &x, &len, &s);
        for (size_t r = 0; r < len; r++) {
            if (!isnan(x[r]))
                continue;
            char ds[32];
            CIV_TRY(civ_period_format_style(civ_panel_frequency(panel), civ_panel_phase(panel), &style,
                                            s + (int64_t)r, ds, sizeof ds));
            CIV_TRY(civ_table_add_rows(t, 1, &row));
            CIV_TRY(civ_table_set_text(t, row, cid, civ_panel_series_id(panel, j)));
            CIV_TRY(civ_table_set_text(t, row, cds, ds));
        }
    }
    *out = t;
    return CIV_OK;
fail:
    civ_table_free(t);
    return st;
}
