/*
 * align.c -- layer plan: what the plan checks of the panel before its long
 * forecast stage, and how it makes every community's forecasts cover the
 * same months.
 *
 *  - Every series of the panel must be a community of the communities table
 *    (keyed by the spec's [data] id). A series that is not is an error naming
 *    both files, with the likely cause when it is plain: spaces around the
 *    id, zeros Excel dropped from a code, a total row (合计).
 *  - A community that stopped reporting k periods before the panel's last
 *    period is forecast k periods further ahead, and only the periods after
 *    the panel's last one are kept, renumbered h = 1..H from there: its
 *    demand then covers the budget months as every other community's does
 *    (forecast from its own last value, with intervals as wide as k + h
 *    steps ahead make them). Before, its 12 forecast months began where its
 *    data ended, so the allocation summed another year for it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "plan.h"
#include "strmap.h"
#include "text.h"

/* The last period of the panel (the latest of its series' ends), how far
 * behind it the stalest series ends, and how many series end before it. */
void civ_plan_panel_ends(const civ_panel *panel, civ_plan_ends *out)
{
    memset(out, 0, sizeof *out);
    size_t n_series = civ_panel_n_series(panel);
    int any = 0;
    for (size_t i = 0; i < n_series; i++) {
        size_t n;
        int64_t start;
        civ_panel_series(panel, i, NULL, &n, &start);
        if (n && (!any || start + (int64_t)n - 1 > out->end)) {
            out->end = start + (int64_t)n - 1;
            any = 1;
        }
    }
    for (size_t i = 0; i < n_series && any; i++) {
        size_t n;
        int64_t start;
        civ_panel_series(panel, i, NULL, &n, &start);
        size_t gap = n ? (size_t)(out->end - (start + (int64_t)n - 1)) : 0;
        if (gap) {
            out->n_late++;
            if (gap > out->max_gap) {
                out->max_gap = gap;
                out->stalest = i;
            }
        }
    }
}

/* Why an id may be missing from the communities (their ids, keys of
 * `known`), when it is plain. */
static const char *likely_cause(const char *id, const civ_strmap *known, char *buf, size_t size)
{
    size_t len = strlen(id);
    if (len && (id[0] == ' ' || id[len - 1] == ' ' || id[0] == '\t' || id[len - 1] == '\t'))
        return ": the id has spaces around it (delete them: in Excel, =TRIM() or Find and Replace)";
    if (civ_total_row_id(id))
        return ": it looks like a total row of the sheet (delete the row: civicast sums the communities itself)";
    const char *twin = civ_id_zero_twin(id, known->keys, known->capacity);
    if (twin) {
        civ_id_zero_hint(id, twin, "the communities table", buf, size);
        buf[0] = ':'; /* the sentence goes on from the id */
        return buf;
    }
    /* the usual cause at the turn of a year: the map changed and the panel kept the old ids' months */
    return "; a community closed, merged or renamed since last year? the plan forecasts this year's communities: "
           "drop its series from the panel, or add its months to its successor's series (and its last-year amounts "
           "to the successor's history, docs/ALLOCATION.md \"When the map changes\")";
}

/* How many communities (rows of comm with an id in column col) have no
 * series in the panel. */
static civ_status count_no_series(const civ_panel *panel, const civ_table *comm, size_t col, size_t *out)
{
    civ_strmap series = {0};
    civ_status s = CIV_OK;
    *out = 0;
    for (size_t i = 0; i < civ_panel_n_series(panel) && !s; i++)
        if ((s = civ_strmap_put(&series, civ_panel_series_id(panel, i), i, NULL)) == CIV_ERR_DUPLICATE)
            s = CIV_OK;
    for (size_t r = 0; r < civ_table_n_rows(comm) && !s; r++) {
        const char *v = civ_table_text(comm, r, col);
        *out += v && v[0] && !civ_strmap_get(&series, v, NULL);
    }
    civ_strmap_free(&series);
    return s;
}

civ_status civ_plan_check_ids(const civ_panel *panel, const char *panel_path, const civ_table *comm,
                              const char *comm_path, const char *key, size_t *n_no_series)
{
    size_t col;
    *n_no_series = 0;
    if (!key || civ_table_find_column(comm, key, &col) != CIV_OK ||
        civ_table_column_type(comm, col) != CIV_COLUMN_TEXT) {
        civ_clear_error();
        return CIV_OK; /* the allocation's binding names the missing key column */
    }
    civ_strmap ids = {0}; /* the communities' ids, borrowed from the table */
    civ_status s = CIV_OK;
    for (size_t r = 0; r < civ_table_n_rows(comm) && !s; r++) {
        const char *v = civ_table_text(comm, r, col);
        if (v && v[0] && (s = civ_strmap_put(&ids, v, r, NULL)) == CIV_ERR_DUPLICATE)
            s = CIV_OK; /* a duplicate id is the allocation's binding's error to report */
    }
    for (size_t i = 0; i < civ_panel_n_series(panel) && !s; i++) {
        const char *id = civ_panel_series_id(panel, i);
        if (civ_strmap_get(&ids, id, NULL))
            continue;
        char buf[700];
        const char *cause = likely_cause(id, &ids, buf, sizeof buf);
        civ_where w = {.file = panel_path, .series_id = id, .field = key};
        s = civ_fail_at(CIV_ERR_NOT_FOUND, &w,
                        "series '%s' of the panel has no row in the communities table %s (key column '%s')%s", id,
                        comm_path && comm_path[0] ? comm_path : "(given)", key, cause);
    }
    civ_strmap_free(&ids);
    if (!s)
        s = count_no_series(panel, comm, col, n_no_series);
    return s;
}

civ_status civ_plan_align_forecasts(const civ_table *all, const civ_panel *panel, int64_t end, size_t horizon,
                                    civ_table **out)
{
    *out = NULL;
    size_t cid, ch, n_cols = civ_table_n_columns(all);
    civ_status s = civ_table_find_column(all, "unique_id", &cid);
    if (!s)
        s = civ_table_find_column(all, "h", &ch);
    civ_table *t = NULL;
    if (!s)
        s = civ_table_create(&t);
    for (size_t c = 0; c < n_cols && !s; c++)
        s = civ_table_add_column(t, civ_table_column_name(all, c), civ_table_column_type(all, c), NULL);
    size_t kept = 0, rows = civ_table_n_rows(all);
    if (!s)
        s = civ_table_add_rows(t, civ_panel_n_series(panel) * horizon, NULL);
    for (size_t r = 0; r < rows && !s; r++) {
        size_t i, n;
        int64_t start;
        if ((s = civ_panel_find_series(panel, civ_table_text(all, r, cid), &i)))
            break;
        civ_panel_series(panel, i, NULL, &n, &start);
        double gap = n ? (double)(end - (start + (int64_t)n - 1)) : 0.0;
        double h = civ_table_number(all, r, ch) - gap; /* the step after the panel's last period */
        if (!(h >= 1.0 && h <= (double)horizon))
            continue;
        if (kept >= civ_table_n_rows(t) && (s = civ_table_add_rows(t, 1, NULL)))
            break;
        for (size_t c = 0; c < n_cols && !s; c++)
            s = c == ch ? civ_table_set_number(t, kept, c, h)
                : civ_table_column_type(all, c) == CIV_COLUMN_TEXT
                    ? civ_table_set_text(t, kept, c, civ_table_text(all, r, c) ? civ_table_text(all, r, c) : "")
                    : civ_table_set_number(t, kept, c, civ_table_number(all, r, c));
        kept++;
    }
    if (!s && kept != civ_table_n_rows(t))
        s = civ_fail(CIV_ERR_INTERNAL, "aligned forecasts: %zu rows for %zu series x %zu steps", kept,
                     civ_panel_n_series(panel), horizon);
    if (s) {
        civ_table_free(t);
        return s;
    }
    *out = t;
    return CIV_OK;
}
