/*
 * pred_map.c -- layer: core.  civ_pred_map_read: each community's predecessors as a list of ids and their
 * shares, checked once for the panel join, the allocation's binding and last year's allocation (pred_map.h;
 * docs/FORECASTING.md and docs/ALLOCATION.md, "When the map changes").
 */
#include "pred_map.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "table.h"
#include "error.h"
#include "strmap.h"
#include "text.h"

void civ_pred_map_free(civ_pred_map *m)
{
    if (!m)
        return;
    for (size_t k = 0; k < m->n_items; k++)
        free(m->id[k]);
    free(m->first), free(m->n), free(m->id), free(m->share), free(m->self), free(m->named_by), free(m->divided);
    memset(m, 0, sizeof *m);
}

double civ_pred_map_weight(const civ_pred_map *m, size_t k)
{
    return isnan(m->share[k]) ? 1.0 : m->share[k];
}

static void where_cell(const civ_table *t, size_t r, size_t c, const char *id, const char *field, civ_where *w,
                       char *row, size_t size)
{
    long line = civ_table_row_words(t, r, row, size);
    *w = (civ_where){.file = civ_table_source(t, NULL), .line = line, .column = line ? (long)c + 1 : 0,
                     .series_id = id, .field = field};
}

/* One share as written ("0.6", "60%"): the number, or NaN when it is none. */
static double parse_share(const char *b, size_t len)
{
    char buf[64], *end;
    if (!len || len >= sizeof buf)
        return NAN;
    memcpy(buf, b, len);
    buf[len] = 0;
    int pct = buf[len - 1] == '%';
    if (pct)
        buf[--len] = 0;
    double v = civ_strtod(buf, &end);
    if (end == buf || *end || !isfinite(v))
        return NAN;
    return pct ? v / 100 : v;
}

static civ_status grow(civ_pred_map *m, size_t *cap)
{
    if (m->n_items < *cap)
        return CIV_OK;
    size_t c = *cap ? 2 * *cap : 16;
    char **id = realloc(m->id, c * sizeof *id);
    if (id)
        m->id = id;
    double *sh = realloc(m->share, c * sizeof *sh);
    if (sh)
        m->share = sh;
    unsigned char *se = realloc(m->self, c);
    if (se)
        m->self = se;
    if (!id || !sh || !se)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading predecessors");
    *cap = c;
    return CIV_OK;
}

/* Row r's shares (column sc; none when sc is SIZE_MAX): up to 256 of them in shares, their count in *n_sh (all of
 * them, also those past 256), *given set when the cell holds any, and the cell as written in shown. */
static civ_status read_shares(const civ_table *t, size_t r, size_t sc, const char *id, const char *cell,
                              const char *pred_name, const char *share_name, double shares[256], size_t *n_sh,
                              int *given, char shown[128])
{
    if (sc == SIZE_MAX)
        return CIV_OK;
    if (civ_table_column_type(t, sc) == CIV_COLUMN_TEXT) {
        const char *s = civ_table_text(t, r, sc), *b;
        size_t len;
        civ_snprintf(shown, 128, "%s", s ? s : "");
        while (s && civ_text_list_next(&s, &b, &len)) {
            if (*n_sh < 256)
                shares[*n_sh] = parse_share(b, len);
            (*n_sh)++;
            *given = 1;
            if (*n_sh <= 256 && !(shares[*n_sh - 1] > 0 && shares[*n_sh - 1] <= 1)) {
                civ_where w;
                char row[64];
                where_cell(t, r, sc, id, share_name, &w, row, sizeof row);
                return civ_fail_at(CIV_ERR_DOMAIN, &w,
                                   "community '%s' (%s): share %zu of '%s' = '%s' is '%.*s', not a number in "
                                   "(0, 1]: write the part of each predecessor ('%s' = '%s') this community "
                                   "continues, e.g. 0.6 or 60%%, in the same order",
                                   id, row, *n_sh, share_name, shown, (int)len, b, pred_name, cell);
            }
        }
        return CIV_OK;
    }
    double v = civ_table_numbers(t, sc)[r];
    if (!isnan(v)) {
        civ_snprintf(shown, 128, "%g", v);
        shares[(*n_sh)++] = v, *given = 1;
        if (!(v > 0 && v <= 1)) {
            civ_where w;
            char row[64];
            where_cell(t, r, sc, id, share_name, &w, row, sizeof row);
            return civ_fail_at(CIV_ERR_DOMAIN, &w,
                               "community '%s' (%s): its share '%s' = %g is not in (0, 1]: write the part "
                               "of its predecessor ('%s' = '%s') it continues, e.g. 0.6",
                               id, row, share_name, v, pred_name, cell);
        }
    }
    return CIV_OK;
}

/* Row r's items and shares. */
static civ_status read_row(civ_pred_map *m, const civ_table *t, size_t r, size_t idc, size_t pc, size_t sc,
                           const char *pred_name, const char *share_name, size_t *cap)
{
    const char *cell = civ_table_text(t, r, pc), *id = civ_table_text(t, r, idc);
    m->first[r] = m->n_items;
    if (!cell || !cell[0] || !id || !id[0])
        return CIV_OK;
    double shares[256];
    size_t n_sh = 0, n_written = 0;
    int given = 0;
    char shown[128] = "";
    civ_status st = read_shares(t, r, sc, id, cell, pred_name, share_name, shares, &n_sh, &given, shown);
    if (st)
        return st;
    const char *c = cell, *b;
    size_t len;
    while (civ_text_list_next(&c, &b, &len)) {
        size_t at = n_written++;
        int seen = 0; /* the same id twice in one cell counts once */
        for (size_t k = m->first[r]; k < m->n_items && !seen; k++)
            seen = strlen(m->id[k]) == len && !memcmp(m->id[k], b, len);
        if (seen)
            continue;
        civ_status s = grow(m, cap);
        if (s)
            return s;
        char *copy = malloc(len + 1);
        if (!copy)
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading predecessors");
        memcpy(copy, b, len);
        copy[len] = 0;
        m->id[m->n_items] = copy;
        m->share[m->n_items] = given && at < n_sh && at < sizeof shares / sizeof *shares ? shares[at] : NAN;
        m->self[m->n_items] = !strcmp(copy, id);
        m->n_items++;
    }
    m->n[r] = m->n_items - m->first[r];
    if (given && n_sh != n_written) {
        civ_where w;
        char row[64];
        where_cell(t, r, sc, id, share_name, &w, row, sizeof row);
        return civ_fail_at(CIV_ERR_DOMAIN, &w,
                           "community '%s' (%s): '%s' = '%s' gives %zu share%s for %zu predecessor%s ('%s' = '%s'): "
                           "write one share per predecessor, in the same order (1 for one it continues whole), or "
                           "leave the cell blank",
                           id, row, share_name, shown, n_sh, n_sh == 1 ? "" : "s", n_written,
                           n_written == 1 ? "" : "s", pred_name, cell);
    }
    m->any_share |= given;
    return CIV_OK;
}

/* The items naming one id (itself excluded) chained in table order: next[k] is the next item naming the same id
 * as item k (SIZE_MAX at the end); first maps an id to its first item.  last is scratch. */
static civ_status chain_parents(const civ_pred_map *m, civ_strmap *first, size_t *next, size_t *last)
{
    civ_status s = CIV_OK;
    for (size_t k = 0; k < m->n_items && !s; k++) {
        next[k] = SIZE_MAX;
        if (m->self[k])
            continue;
        size_t head;
        s = civ_strmap_put(first, m->id[k], k, &head);
        if (s == CIV_ERR_DUPLICATE) {
            s = CIV_OK;
            next[last[head]] = k;
            last[head] = k;
        } else if (!s) {
            last[k] = k;
        }
    }
    return s;
}

/* Item k, a community that lists itself: it continues all of its own past, so its share (if any) must be 1. */
static civ_status check_self(civ_pred_map *m, const civ_table *t, size_t k, size_t r, size_t idc, size_t sc,
                             const char *pred_name, const char *share_name)
{
    m->named_by[k] = 0;
    if (!isnan(m->share[k]) && m->share[k] < 1 - 1e-9) {
        civ_where w;
        char row[64];
        const char *id = civ_table_text(t, r, idc);
        where_cell(t, r, sc, id, share_name, &w, row, sizeof row);
        return civ_fail_at(CIV_ERR_DOMAIN, &w,
                           "community '%s' (%s) lists itself among its predecessors ('%s') with share %g in "
                           "'%s': a community continues all of its own past; write 1 for itself",
                           id, row, pred_name, m->share[k], share_name);
    }
    return CIV_OK;
}

/* The parts of the parent whose first item is k (the chain next): counted into named_by and divided, and their
 * shares checked together (a lone part short of 1, some parts without a share, a sum over 1). */
static civ_status check_parent(civ_pred_map *m, const civ_table *t, size_t k, const size_t *next,
                               const size_t *row_of, size_t idc, size_t sc, const char *pred_name,
                               const char *share_name)
{
    size_t count = 0, with = 0;
    double sum = 0;
    for (size_t q = k; q != SIZE_MAX; q = next[q]) {
        count++;
        if (!isnan(m->share[q]))
            with++, sum += m->share[q];
    }
    char parts[600] = "", bare[400] = "";
    for (size_t q = k; q != SIZE_MAX; q = next[q]) {
        m->named_by[q] = count;
        m->divided[q] = count > 1 && with == count;
        const char *sid = civ_table_text(t, row_of[q], idc);
        size_t L = strlen(parts), B = strlen(bare);
        if (L < sizeof parts - 80)
            civ_snprintf(parts + L, sizeof parts - L, "%s'%s' %g", L ? ", " : "", sid, m->share[q]);
        if (isnan(m->share[q]) && B < sizeof bare - 80)
            civ_snprintf(bare + B, sizeof bare - B, "%s'%s'", B ? ", " : "", sid);
    }
    civ_where w;
    char row[64];
    size_t r = row_of[k];
    const char *id = civ_table_text(t, r, idc);
    if (count == 1 && with && m->share[k] < 1 - 1e-9) {
        where_cell(t, r, sc, id, share_name, &w, row, sizeof row);
        return civ_fail_at(CIV_ERR_DOMAIN, &w,
                           "community '%s' (%s) continues %g of last year's '%s' ('%s'), and no other community "
                           "continues the rest: write 1 (it continues all of it), or name '%s' in the '%s' of the "
                           "community that took the rest, with its share",
                           id, row, m->share[k], m->id[k], share_name, m->id[k], pred_name);
    } else if (count > 1 && with && with < count) {
        size_t q = k;
        while (q != SIZE_MAX && !isnan(m->share[q]))
            q = next[q];
        r = row_of[q], id = civ_table_text(t, r, idc);
        where_cell(t, r, sc, id, share_name, &w, row, sizeof row);
        return civ_fail_at(CIV_ERR_DOMAIN, &w,
                           "last year's '%s' was split (column '%s'), and %s give%s no share of it in '%s' while "
                           "the others do: give every part its share (e.g. by population), or none (each part then "
                           "keeps its own months, and its last year is written by hand)",
                           m->id[k], pred_name, bare, strchr(bare, ',') ? "" : "s", share_name);
    } else if (count > 1 && with == count && sum > 1 + 1e-9) {
        where_cell(t, r, sc, id, share_name, &w, row, sizeof row);
        return civ_fail_at(CIV_ERR_DOMAIN, &w,
                           "last year's '%s' was split into %s (column '%s'): their shares sum to %g, more than 1 "
                           "(its whole): correct the shares so that they sum to at most 1",
                           m->id[k], parts, share_name, sum);
    }
    return CIV_OK;
}

/* The parts of each parent: counted, and their shares checked together. */
static civ_status check_parents(civ_pred_map *m, const civ_table *t, size_t idc, size_t sc, const char *pred_name,
                                const char *share_name)
{
    civ_strmap first = {0};
    size_t *next = malloc((m->n_items ? m->n_items : 1) * sizeof *next), *row_of = NULL;
    civ_status s = next ? CIV_OK : civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading predecessors");
    if (!s && !(row_of = malloc((m->n_items ? m->n_items : 1) * sizeof *row_of)))
        s = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading predecessors");
    for (size_t r = 0; r < m->n_rows && !s; r++)
        for (size_t k = m->first[r]; k < m->first[r] + m->n[r]; k++)
            row_of[k] = r;
    size_t *last = calloc(m->n_items ? m->n_items : 1, sizeof *last);
    if (!s && !last)
        s = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading predecessors");
    if (!s)
        s = chain_parents(m, &first, next, last);
    for (size_t k = 0; k < m->n_items && !s; k++) {
        size_t head;
        if (m->self[k]) {
            s = check_self(m, t, k, row_of[k], idc, sc, pred_name, share_name);
            continue;
        }
        civ_strmap_get(&first, m->id[k], &head);
        if (head == k) /* else counted at its first item */
            s = check_parent(m, t, k, next, row_of, idc, sc, pred_name, share_name);
    }
    civ_strmap_free(&first);
    free(next), free(row_of), free(last);
    return s;
}

civ_status civ_pred_map_read(const civ_table *t, size_t idc, size_t pc, size_t sc, const char *pred_name,
                             const char *share_name, civ_pred_map *m)
{
    memset(m, 0, sizeof *m);
    size_t rows = civ_table_n_rows(t), cap = 0;
    m->n_rows = rows;
    m->first = calloc(rows ? rows : 1, sizeof *m->first);
    m->n = calloc(rows ? rows : 1, sizeof *m->n);
    civ_status s = m->first && m->n ? CIV_OK : civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading predecessors");
    int text = civ_table_column_type(t, pc) == CIV_COLUMN_TEXT; /* else: the callers refuse numbers, or none */
    for (size_t r = 0; r < rows && !s && text; r++)
        s = read_row(m, t, r, idc, pc, sc, pred_name, share_name, &cap);
    if (!s) {
        m->named_by = calloc(m->n_items ? m->n_items : 1, sizeof *m->named_by);
        m->divided = calloc(m->n_items ? m->n_items : 1, 1);
        if (!m->named_by || !m->divided)
            s = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading predecessors");
    }
    if (!s)
        s = check_parents(m, t, idc, sc, pred_name, share_name);
    if (s)
        civ_pred_map_free(m);
    return s;
}
