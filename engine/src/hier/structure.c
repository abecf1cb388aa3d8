/*
 * structure.c -- layer hier (over core and io): builds a hierarchy from the
 * community attributes (civ_hier_build), checks it (a community listed
 * twice, a missing level value, a street under two districts, a column
 * named twice), numbers its nodes and keeps the summing matrix S as sparse
 * member and ancestor lists (hier.h).  Also the accessors and the summing
 * table.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "error.h"
#include "hier.h"
#include "strmap.h"
#include "text.h"

/* What the builder works on: the columns, and the value of every column for
 * every bottom series (vals[j * n_cols + c], owned copies). */
typedef struct builder {
    const civ_table *t;
    const civ_panel *panel;
    const char *names[CIV_HIER_MAX_LEVELS + CIV_HIER_MAX_GROUPS];
    size_t col[CIV_HIER_MAX_LEVELS + CIV_HIER_MAX_GROUPS];
    size_t n_cols, n_levels, n_groups, id_col;
    size_t *row;  /* communities row of each bottom series */
    char **vals;
    const char *src; /* the communities table's file (civ_table_source), or NULL */
    int first_row;   /* what its row 0 is called (civ_table_source) */
} builder;

/* Where data row `row` of the communities table is, for an error: its file, the row's line and the column
 * `col` (SIZE_MAX: none) when it was read from a CSV file; else its name, if any.  `what` gets how the
 * message calls the row: "line 6" (as a spreadsheet counts, header = line 1), else "row 5". */
static civ_where row_where(const builder *b, size_t row, size_t col, const char *id, const char *field, char *what,
                           size_t size)
{
    long line = b->src ? civ_table_row_line(b->t, row) : 0;
    if (line > 0)
        civ_snprintf(what, size, "line %ld", line);
    else
        civ_snprintf(what, size, "row %zu", row + (size_t)(b->src ? b->first_row : 1));
    return (civ_where){.file = b->src, .line = line, .column = line > 0 && col != SIZE_MAX ? (long)col + 1 : 0,
                       .series_id = id, .field = field};
}

/* The header's column names, "unique_id, district, street", for the message about a column it lacks. */
static const char *header_names(const civ_table *t, char *buf, size_t size)
{
    size_t o = 0, n = civ_table_n_columns(t);
    buf[0] = 0;
    for (size_t c = 0; c < n && o + 1 < size; c++) {
        int w = civ_snprintf(buf + o, size - o, "%s%s", c ? ", " : "", civ_table_column_name(t, c));
        if (w < 0 || (size_t)w >= size - o) {
            civ_snprintf(buf + (o + 5 < size ? o : size - 5), 5, " ...");
            break;
        }
        o += (size_t)w;
    }
    return buf;
}

/* A cell as text ("" when missing); numbers as %.15g into buf. */
static const char *cell_text(const civ_table *t, size_t row, size_t col, char *buf, size_t size)
{
    if (civ_table_column_type(t, col) == CIV_COLUMN_TEXT)
        return civ_table_text(t, row, col);
    double v = civ_table_number(t, row, col);
    if (isnan(v))
        return "";
    civ_snprintf(buf, size, "%.15g", v);
    return buf;
}

/* A column saved from the sheet's merged cells: the street once, then blanks under it, for half the rows or
 * more (as the allocation's check of the district and street columns, alloc/bind.c).  A few blanks are
 * values missing, not merged cells. */
static int merged_column(const civ_table *t, size_t col)
{
    size_t rows = civ_table_n_rows(t), blank_under = 0;
    int seen = 0;
    char buf[64];
    for (size_t r = 0; r < rows; r++) {
        if (cell_text(t, r, col, buf, sizeof buf)[0])
            seen = 1;
        else
            blank_under += (size_t)seen;
    }
    return rows && 2 * blank_under >= rows;
}

/* The named columns exist and none is named twice. */
static civ_status find_columns(builder *b, const char *const *levels, const char *const *groups)
{
    char cols[400];
    long header = b->src && civ_table_n_rows(b->t) && civ_table_row_line(b->t, 0) > 0 ? 1 : 0; /* a CSV file */
    for (size_t c = 0; c < b->n_cols; c++) {
        const char *name = c < b->n_levels ? levels[c] : groups[c - b->n_levels];
        if (!name || !name[0])
            return civ_fail(CIV_ERR_INVALID_ARGUMENT, "hierarchy column %zu has no name", c + 1);
        for (size_t k = 0; k < c; k++)
            if (!strcmp(b->names[k], name))
                return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &(civ_where){.field = name},
                                   "the hierarchy names column '%s' twice (a cycle): name each level once, "
                                   "top first, e.g. district,street",
                                   name);
        b->names[c] = name;
        if (civ_table_find_column(b->t, name, &b->col[c]) != CIV_OK)
            return civ_fail_at(CIV_ERR_MISSING_COLUMN, &(civ_where){.file = b->src, .line = header, .field = name},
                               "the communities table has no column '%s' named by the hierarchy; its columns are "
                               "%s: name one of them (as the header spells it) or add the column",
                               name, header_names(b->t, cols, sizeof cols));
    }
    if (civ_table_find_column(b->t, "unique_id", &b->id_col) != CIV_OK ||
        civ_table_column_type(b->t, b->id_col) != CIV_COLUMN_TEXT)
        return civ_fail_at(CIV_ERR_MISSING_COLUMN,
                           &(civ_where){.file = b->src, .line = header, .field = "unique_id"},
                           "the communities table needs a text column 'unique_id' (the series ids); its columns "
                           "are %s: rename the id column unique_id (or name it with --id-col)",
                           header_names(b->t, cols, sizeof cols));
    return CIV_OK;
}

/* Two rows of one community: names the first column where they differ. */
static civ_status duplicate_row(const builder *b, const char *id, size_t r1, size_t r2)
{
    char b1[64], b2[64], p1[32], p2[32];
    row_where(b, r1, SIZE_MAX, id, NULL, p1, sizeof p1); /* how the message calls the first row */
    for (size_t c = 0; c < b->n_cols; c++) {
        const char *v1 = cell_text(b->t, r1, b->col[c], b1, sizeof b1);
        const char *v2 = cell_text(b->t, r2, b->col[c], b2, sizeof b2);
        civ_where w = strcmp(v1, v2) ? row_where(b, r2, b->col[c], id, b->names[c], p2, sizeof p2) : (civ_where){0};
        if (strcmp(v1, v2))
            return civ_fail_at(CIV_ERR_DUPLICATE, &w,
                               "community '%s' is listed twice, in %s '%s' (%s) and in %s '%s' (%s): "
                               "a community belongs to one %s; keep one row",
                               id, b->names[c], v1, p1, b->names[c], v2, p2, b->names[c]);
    }
    civ_where w = row_where(b, r2, b->id_col, id, NULL, p2, sizeof p2);
    return civ_fail_at(CIV_ERR_DUPLICATE, &w, "community '%s' is listed twice (%s and %s); keep one row", id, p1,
                       p2);
}

/* The row of every series, and its level values (copies). */
static civ_status bottom_rows(builder *b, civ_strmap *ids)
{
    size_t rows = civ_table_n_rows(b->t), n = civ_panel_n_series(b->panel), prev;
    for (size_t r = 0; r < rows; r++) {
        const char *id = civ_table_text(b->t, r, b->id_col);
        civ_status s = civ_strmap_put(ids, id, r, &prev);
        if (s == CIV_ERR_DUPLICATE)
            return duplicate_row(b, id, prev, r);
        if (s)
            return s;
    }
    for (size_t j = 0; j < n; j++) {
        const char *id = civ_panel_series_id(b->panel, j);
        if (!civ_strmap_get(ids, id, &b->row[j])) {
            size_t others = 0, r;
            for (size_t k = j + 1; k < n; k++)
                others += !civ_strmap_get(ids, civ_panel_series_id(b->panel, k), &r);
            char zeros[400] = "";
            const char *twin = civ_id_zero_twin(id, ids->keys, ids->capacity);
            if (twin)
                civ_id_zero_hint(id, twin, "the communities table", zeros, sizeof zeros);
            civ_where w = {.file = b->src, .series_id = id, .field = "unique_id"};
            if (!others || !rows)
                return civ_fail_at(CIV_ERR_NOT_FOUND, &w,
                                   "series '%s' has no row in the communities table%s%s", id,
                                   twin ? zeros : ": add it with its ", twin ? "" : b->names[0]);
            if (twin) /* the usual cause of many: one file lost the codes' leading zeros */
                return civ_fail_at(CIV_ERR_NOT_FOUND, &w,
                                   "series '%s' and %zu other series of %zu have no row in the communities table%s",
                                   id, others, n, zeros);
            /* many missing: most likely the two tables write their ids differently */
            char p0[32];
            row_where(b, 0, SIZE_MAX, NULL, NULL, p0, sizeof p0);
            return civ_fail_at(CIV_ERR_NOT_FOUND, &w,
                               "series '%s' and %zu other series of %zu have no row in the communities table, "
                               "whose ids begin '%s' (%s): the panel and the table must write the same ids "
                               "(case, spaces, leading zeros); add the missing rows with their %s",
                               id, others, n, civ_table_text(b->t, 0, b->id_col), p0, b->names[0]);
        }
        for (size_t c = 0; c < b->n_cols; c++) {
            char buf[64];
            const char *v = cell_text(b->t, b->row[j], b->col[c], buf, sizeof buf);
            if (!v[0]) {
                char p[32], above_buf[64];
                civ_where w = row_where(b, b->row[j], b->col[c], id, b->names[c], p, sizeof p);
                const char *above = b->row[j] ? cell_text(b->t, b->row[j] - 1, b->col[c], above_buf,
                                                          sizeof above_buf) : "";
                if (above[0] && merged_column(b->t, b->col[c]))
                    return civ_fail_at(CIV_ERR_PARSE, &w,
                                       "community '%s' (%s) has no value of '%s', under '%s': left blank under the "
                                       "%s above, as Excel saves merged cells? unmerge and fill the column down "
                                       "(Excel: Go To Special, Blanks, =the cell above, Ctrl+Enter; pandas: "
                                       "df[col] = df[col].ffill()); every level needs a value",
                                       id, p, b->names[c], above, b->names[c]);
                return civ_fail_at(CIV_ERR_PARSE, &w,
                                   "community '%s' (%s) has no value of '%s': every level needs a value; fill in "
                                   "its %s", id, p, b->names[c], b->names[c]);
            }
            if (!(b->vals[j * b->n_cols + c] = strdup(v)))
                return civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for the hierarchy");
        }
    }
    return CIV_OK;
}

/* Joins the values (or names) of the columns in `mask` with '/'; a new string. */
static char *join(const char *const *parts, unsigned long mask, size_t n)
{
    size_t len = 1;
    for (size_t c = 0; c < n; c++)
        if (mask >> c & 1)
            len += strlen(parts[c]) + 1;
    char *s = malloc(len), *p = s;
    if (!s)
        return NULL;
    for (size_t c = 0; c < n; c++) {
        if (!(mask >> c & 1))
            continue;
        if (p != s)
            *p++ = '/';
        size_t l = strlen(parts[c]);
        memcpy(p, parts[c], l);
        p += l;
    }
    *p = '\0';
    return s;
}

/* Each value of a nested level has one parent path (checked on the series'
 * rows): a street under two districts is refused, naming both rows. */
static civ_status check_nesting(const builder *b)
{
    size_t n = civ_panel_n_series(b->panel);
    civ_status st = CIV_OK;
    for (size_t k = 1; k < b->n_levels && !st; k++) {
        civ_strmap seen = {0};
        for (size_t j = 0; j < n && !st; j++) {
            const char *v = b->vals[j * b->n_cols + k];
            size_t first;
            if (civ_strmap_get(&seen, v, &first)) {
                for (size_t a = 0; a < k; a++) {
                    const char *pa = b->vals[first * b->n_cols + a], *pb = b->vals[j * b->n_cols + a];
                    if (strcmp(pa, pb)) {
                        char p1[32], p2[32];
                        row_where(b, b->row[first], SIZE_MAX, NULL, NULL, p1, sizeof p1);
                        civ_where w = row_where(b, b->row[j], b->col[a], civ_panel_series_id(b->panel, j),
                                                b->names[k], p2, sizeof p2);
                        st = civ_fail_at(CIV_ERR_PARSE, &w,
                                         "inconsistent nesting: %s '%s' is in %s '%s' (%s, community '%s') and "
                                         "in %s '%s' (%s, community '%s'); a %s must belong to one %s: fix the "
                                         "rows or give the two %ss different names; if %ss cross %ss (a grouped "
                                         "structure), name '%s' in --group (groups=) instead",
                                         b->names[k], v, b->names[a], pa, p1,
                                         civ_panel_series_id(b->panel, first), b->names[a], pb, p2,
                                         civ_panel_series_id(b->panel, j), b->names[k], b->names[a], b->names[k],
                                         b->names[k], b->names[a], b->names[k]);
                        break;
                    }
                }
            } else if (civ_strmap_put(&seen, v, j, NULL) == CIV_ERR_OUT_OF_MEMORY) {
                st = CIV_ERR_OUT_OF_MEMORY;
            }
        }
        civ_strmap_free(&seen);
    }
    return st;
}

/* One candidate level: its column mask, its name, and each series' key index. */
typedef struct level_keys {
    unsigned long mask;
    char *name;
    char **keys;     /* distinct keys, sorted */
    size_t n_keys;
    size_t *of;      /* key index of each series */
} level_keys;

typedef struct key_ref {
    const char *key;
    size_t j;
} key_ref;
static int cmp_key(const void *a, const void *b)
{
    const key_ref *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->j > y->j) - (x->j < y->j);
}

static void level_keys_free(level_keys *lk)
{
    free(lk->name);
    if (lk->keys)
        for (size_t k = 0; k < lk->n_keys; k++)
            free(lk->keys[k]);
    free(lk->keys);
    free(lk->of);
}

/* The keys of one level (mask over the columns); sorted so that input row
 * order never changes the node order. */
static civ_status make_level(const builder *b, unsigned long mask, level_keys *lk)
{
    size_t n = civ_panel_n_series(b->panel);
    lk->mask = mask;
    char **all = calloc(n ? n : 1, sizeof *all);
    key_ref *order = malloc((n ? n : 1) * sizeof *order);
    lk->of = malloc((n ? n : 1) * sizeof *lk->of);
    lk->keys = calloc(n ? n : 1, sizeof *lk->keys);
    lk->name = mask ? join(b->names, mask, b->n_cols) : strdup("total");
    civ_status st = CIV_OK;
    if (!all || !order || !lk->of || !lk->keys || !lk->name)
        st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for the hierarchy");
    for (size_t j = 0; j < n && !st; j++) {
        all[j] = mask ? join((const char *const *)&b->vals[j * b->n_cols], mask, b->n_cols) : strdup("total");
        order[j] = (key_ref){all[j], j};
        if (!all[j])
            st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for the hierarchy");
    }
    if (!st) {
        qsort(order, n, sizeof *order, cmp_key);
        for (size_t t = 0; t < n; t++) {
            size_t j = order[t].j;
            if (!lk->n_keys || strcmp(lk->keys[lk->n_keys - 1], all[j])) {
                lk->keys[lk->n_keys++] = all[j];
                all[j] = NULL;
            }
            lk->of[j] = lk->n_keys - 1;
        }
    }
    if (all)
        for (size_t j = 0; j < n; j++)
            free(all[j]);
    free(all);
    free(order);
    return st;
}

void civ_hier_free(civ_hier *h)
{
    if (!h)
        return;
    if (h->node_id)
        for (size_t i = 0; i < h->n_nodes; i++)
            free(h->node_id[i]);
    if (h->level_name)
        for (size_t l = 0; l < h->n_levels; l++)
            free(h->level_name[l]);
    free(h->node_id);
    free(h->level_name);
    free(h->node_level);
    free(h->mem_off);
    free(h->mem);
    free(h->anc_off);
    free(h->anc);
    free(h->parent);
    free(h->listed);
    free(h);
}

/* Node ids unique over the whole hierarchy: an aggregate whose id is taken
 * (a district named as a series) becomes "level:id". */
static civ_status unique_ids(civ_hier *h)
{
    civ_strmap seen = {0};
    civ_status st = CIV_OK;
    for (size_t i = h->n_nodes; i-- > 0 && !st;) {
        if (civ_strmap_put(&seen, h->node_id[i], i, NULL) != CIV_ERR_DUPLICATE)
            continue;
        const char *lv = h->level_name[h->node_level[i]];
        size_t size = strlen(lv) + strlen(h->node_id[i]) + 2;
        char *q = malloc(size);
        if (!q) {
            st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for the hierarchy");
            break;
        }
        civ_snprintf(q, size, "%s:%s", lv, h->node_id[i]);
        free(h->node_id[i]);
        h->node_id[i] = q;
        if (civ_strmap_put(&seen, q, i, NULL) == CIV_ERR_DUPLICATE)
            st = civ_fail_at(CIV_ERR_DUPLICATE, &(civ_where){.series_id = q}, "two nodes of the hierarchy are "
                             "both named '%s'; rename one", q);
    }
    civ_strmap_free(&seen);
    return st;
}

/* The nodes, S as member and ancestor lists, and the parents of a nested
 * hierarchy, from the kept levels. */
static civ_status assemble(civ_hier *h, level_keys *lv, size_t n_kept, const civ_panel *panel)
{
    size_t n = civ_panel_n_series(panel), na = 0;
    for (size_t l = 0; l < n_kept; l++)
        na += lv[l].n_keys;
    h->n_agg = na, h->n_bottom = n, h->n_nodes = na + n, h->n_levels = n_kept + 1;
    h->level_name = calloc(h->n_levels, sizeof *h->level_name);
    h->node_id = calloc(h->n_nodes ? h->n_nodes : 1, sizeof *h->node_id);
    h->node_level = malloc((h->n_nodes ? h->n_nodes : 1) * sizeof *h->node_level);
    h->mem_off = calloc(na + 1, sizeof *h->mem_off);
    h->mem = malloc((n * n_kept > 0 ? n * n_kept : 1) * sizeof *h->mem);
    h->anc_off = malloc((n + 1) * sizeof *h->anc_off);
    h->anc = malloc((n * n_kept > 0 ? n * n_kept : 1) * sizeof *h->anc);
    h->parent = malloc((h->n_nodes ? h->n_nodes : 1) * sizeof *h->parent);
    if (!h->level_name || !h->node_id || !h->node_level || !h->mem_off || !h->mem || !h->anc_off || !h->anc ||
        !h->parent || !(h->level_name[n_kept] = strdup("unique_id")))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for the hierarchy");
    size_t base = 0;
    for (size_t l = 0; l < n_kept; l++) {
        h->level_name[l] = lv[l].name;
        lv[l].name = NULL;
        for (size_t k = 0; k < lv[l].n_keys; k++) {
            h->node_id[base + k] = lv[l].keys[k];
            lv[l].keys[k] = NULL;
            h->node_level[base + k] = l;
        }
        for (size_t j = 0; j < n; j++) {
            size_t p = base + lv[l].of[j];
            h->anc[j * n_kept + l] = p;
            h->mem_off[p + 1]++;
        }
        base += lv[l].n_keys;
    }
    for (size_t p = 0; p < na; p++)
        h->mem_off[p + 1] += h->mem_off[p];
    size_t *fill = calloc(na ? na : 1, sizeof *fill);
    if (!fill)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for the hierarchy");
    for (size_t j = 0; j < n; j++) {
        h->anc_off[j] = j * n_kept;
        for (size_t l = 0; l < n_kept; l++) {
            size_t p = h->anc[j * n_kept + l];
            h->mem[h->mem_off[p] + fill[p]++] = j;
        }
        h->node_level[na + j] = n_kept;
        h->parent[na + j] = n_kept ? h->anc[j * n_kept + n_kept - 1] : SIZE_MAX;
        for (size_t l = 0; l < n_kept; l++)
            h->parent[h->anc[j * n_kept + l]] = l ? h->anc[j * n_kept + l - 1] : SIZE_MAX;
        if (!(h->node_id[na + j] = strdup(civ_panel_series_id(panel, j)))) {
            free(fill);
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for the hierarchy");
        }
    }
    h->anc_off[n] = n * n_kept;
    free(fill);
    return unique_ids(h);
}

static int cmp_natural_ref(const void *a, const void *b)
{
    const key_ref *x = a, *y = b;
    int c = civ_natural_cmp(x->key, y->key);
    return c ? c : (x->j > y->j) - (x->j < y->j);
}

/* h->listed: the order of the tables people read.  Within a level the nodes
 * are numbered in byte order (make_level), so '街道10' came before '街道9'
 * and 'C10' before 'C2'; listed puts each level's aggregates in natural
 * order and leaves the numbering, on which every sum and draw rests. */
static civ_status list_nodes(civ_hier *h)
{
    key_ref *refs = malloc((h->n_agg ? h->n_agg : 1) * sizeof *refs);
    h->listed = malloc((h->n_nodes ? h->n_nodes : 1) * sizeof *h->listed);
    if (!refs || !h->listed) {
        free(refs);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for the hierarchy");
    }
    for (size_t i = 0; i < h->n_agg; i++)
        refs[i] = (key_ref){h->node_id[i], i};
    for (size_t lo = 0, hi; lo < h->n_agg; lo = hi) { /* the aggregates of one level are consecutive */
        for (hi = lo + 1; hi < h->n_agg && h->node_level[hi] == h->node_level[lo]; hi++)
            ;
        qsort(refs + lo, hi - lo, sizeof *refs, cmp_natural_ref);
    }
    for (size_t i = 0; i < h->n_agg; i++)
        h->listed[i] = refs[i].j;
    for (size_t i = h->n_agg; i < h->n_nodes; i++)
        h->listed[i] = i;
    free(refs);
    return CIV_OK;
}

/* The kept levels: every prefix of the nested levels crossed with every
 * subset of the groups, less those that repeat the bottom level and those
 * that repeat a coarser level.  Level (p, g) refines (p - 1, g) and (p, g
 * less one group), so the same number of nodes means the same nodes: a
 * constant column (a 'Total' column: the total again) or streets one per
 * district would otherwise be duplicate rows of S, which change the OLS,
 * WLS and MinT forecasts (the duplicated node weighs twice). */
static civ_status make_levels(const builder *b, level_keys *lv, size_t *n_kept)
{
    size_t n = civ_panel_n_series(b->panel), n_g = (size_t)1 << b->n_groups;
    size_t keys[(CIV_HIER_MAX_LEVELS + 1) << CIV_HIER_MAX_GROUPS];
    *n_kept = 0;
    for (size_t p = 0; p <= b->n_levels; p++) {
        for (unsigned long g = 0; g < n_g; g++) {
            unsigned long mask = ((1ul << p) - 1) | (g << b->n_levels);
            level_keys *lk = &lv[*n_kept];
            memset(lk, 0, sizeof *lk);
            civ_status st = make_level(b, mask, lk);
            if (st)
                return st;
            keys[p * n_g + g] = lk->n_keys;
            int repeats = lk->n_keys == n; /* one series per node: the bottom level again */
            if (p && keys[(p - 1) * n_g + g] == lk->n_keys)
                repeats = 1;
            for (unsigned long bit = 1; bit < n_g; bit <<= 1)
                if ((g & bit) && keys[p * n_g + (g & ~bit)] == lk->n_keys)
                    repeats = 1;
            if (repeats)
                level_keys_free(lk);
            else
                (*n_kept)++;
        }
    }
    return CIV_OK;
}

civ_status civ_hier_build(const civ_panel *panel, const civ_table *communities, const char *const *levels,
                          size_t n_levels, const char *const *groups, size_t n_groups, civ_hier **out)
{
    if (!panel || !out || (n_levels && !levels) || (n_groups && !groups))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_hier_build: NULL argument");
    if (!communities && !(communities = civ_panel_attributes(panel)))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "the hierarchy needs a communities table (--communities FILE) "
                                                  "with a unique_id column and the level columns");
    /* "1..8 nested levels" was said of a call with none, though groups alone (--group) are a hierarchy */
    if (n_levels + n_groups == 0)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "a hierarchy names its columns: nested levels (--hierarchy "
                        "district,street; Python hierarchy=['district', 'street']) and/or crossed groups (--group "
                        "service; groups=['service']); none were given");
    if (n_levels > CIV_HIER_MAX_LEVELS || n_groups > CIV_HIER_MAX_GROUPS)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "a hierarchy has at most %d nested levels and %d crossed groups, "
                        "got %zu and %zu", CIV_HIER_MAX_LEVELS, CIV_HIER_MAX_GROUPS, n_levels, n_groups);
    size_t n = civ_panel_n_series(panel), max_levels = (n_levels + 1) << n_groups;
    builder b = {.t = communities, .panel = panel, .n_cols = n_levels + n_groups, .n_levels = n_levels,
                 .n_groups = n_groups};
    b.src = civ_table_source(communities, &b.first_row); /* errors name its file, line and column */
    civ_strmap ids = {0};
    level_keys *lv = calloc(max_levels, sizeof *lv);
    civ_hier *h = calloc(1, sizeof *h);
    b.row = malloc((n ? n : 1) * sizeof *b.row);
    b.vals = calloc((n ? n : 1) * b.n_cols, sizeof *b.vals);
    size_t n_kept = 0;
    civ_status st;
    if (!lv || !h || !b.row || !b.vals)
        st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for the hierarchy");
    else if (!(st = find_columns(&b, levels, groups)) && !(st = bottom_rows(&b, &ids)) &&
             !(st = check_nesting(&b)) && !(st = make_levels(&b, lv, &n_kept))) {
        h->nested = n_groups == 0;
        if (!(st = assemble(h, lv, n_kept, panel)))
            st = list_nodes(h);
    }
    for (size_t l = 0; l < n_kept; l++)
        level_keys_free(&lv[l]);
    free(lv);
    if (b.vals)
        for (size_t k = 0; k < n * b.n_cols; k++)
            free(b.vals[k]);
    free(b.vals);
    free(b.row);
    civ_strmap_free(&ids);
    if (st) {
        civ_hier_free(h);
        return st;
    }
    *out = h;
    return CIV_OK;
}

size_t civ_hier_n_nodes(const civ_hier *h) { return h ? h->n_nodes : 0; }
size_t civ_hier_n_bottom(const civ_hier *h) { return h ? h->n_bottom : 0; }
const char *civ_hier_node_id(const civ_hier *h, size_t i) { return h && i < h->n_nodes ? h->node_id[i] : NULL; }
const char *civ_hier_node_level(const civ_hier *h, size_t i)
{
    return h && i < h->n_nodes ? h->level_name[h->node_level[i]] : NULL;
}
size_t civ_hier_listed_node(const civ_hier *h, size_t k) { return h && k < h->n_nodes ? h->listed[k] : SIZE_MAX; }

civ_status civ_hier_summing_table(const civ_hier *h, civ_table **out)
{
    if (!h || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_hier_summing_table: NULL argument");
    civ_table *t = NULL;
    size_t cl, cu, cb, r = 0;
    civ_status st;
    CIV_TRY(civ_table_create(&t));
    CIV_TRY(civ_table_add_column(t, "level", CIV_COLUMN_TEXT, &cl));
    CIV_TRY(civ_table_add_column(t, "unique_id", CIV_COLUMN_TEXT, &cu));
    CIV_TRY(civ_table_add_column(t, "bottom_id", CIV_COLUMN_TEXT, &cb));
    CIV_TRY(civ_table_add_rows(t, h->mem_off[h->n_agg] + h->n_bottom, NULL));
    for (size_t k0 = 0; k0 < h->n_nodes; k0++) { /* in the order people read (h->listed) */
        size_t i = h->listed[k0];
        size_t lo = i < h->n_agg ? h->mem_off[i] : 0, hi = i < h->n_agg ? h->mem_off[i + 1] : 1;
        for (size_t k = lo; k < hi; k++, r++) {
            size_t j = i < h->n_agg ? h->mem[k] : i - h->n_agg;
            CIV_TRY(civ_table_set_text(t, r, cl, h->level_name[h->node_level[i]]));
            CIV_TRY(civ_table_set_text(t, r, cu, h->node_id[i]));
            CIV_TRY(civ_table_set_text(t, r, cb, h->node_id[h->n_agg + j]));
        }
    }
    *out = t;
    return CIV_OK;
fail:
    civ_table_free(t);
    return st;
}
