/*
 * risk.c -- layer monitor: the risk matrix.  A register of risks (a
 * probability and an impact on a named, ordered scale each) is placed on a
 * probability x impact matrix whose cells hold ranked levels; the levels
 * decide which risks are handled first.  docs/MONITORING.md, "Risk matrix".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "column_labels.h"
#include "monitor.h"

#define MAX_SIDE 10
#define MAX_LEVELS 10

struct civ_monitor_matrix {
    size_t n_rows, n_cols, n_levels;
    double bounds[MAX_SIDE];          /* upper bounds of rows 0..n_rows-2 */
    char *impacts[MAX_SIDE];
    const char *aliases[MAX_SIDE];    /* the default scale's Chinese names (static), else NULL */
    char *levels[MAX_LEVELS];
    int cell[MAX_SIDE][MAX_SIDE];     /* level index of [row][col] */
};

void civ_monitor_matrix_free(civ_monitor_matrix *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < MAX_SIDE; i++)
        free(x->impacts[i]);
    for (size_t i = 0; i < MAX_LEVELS; i++)
        free(x->levels[i]);
    free(x);
}

static civ_status set_names(char **dst, size_t *n, const char *const *names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (!(dst[i] = strdup(names[i])))
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    *n = count;
    return CIV_OK;
}

/* Cells from minimum scores: level = the highest whose min score <= r x c. */
static void cells_from_scores(civ_monitor_matrix *x, const long *min_score)
{
    for (size_t r = 0; r < x->n_rows; r++)
        for (size_t c = 0; c < x->n_cols; c++) {
            long score = (long)((r + 1) * (c + 1));
            int lv = 0;
            for (size_t k = 1; k < x->n_levels; k++)
                if (score >= min_score[k - 1])
                    lv = (int)k;
            x->cell[r][c] = lv;
        }
}

civ_status civ_monitor_matrix_default(civ_monitor_matrix **out)
{
    if (!out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_monitor_matrix_default: NULL argument");
    *out = NULL;
    civ_monitor_matrix *x = calloc(1, sizeof *x);
    if (!x)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    static const char *const impacts[] = {"negligible", "minor", "moderate", "fairly severe", "severe"};
    static const char *const levels[] = {"low", "medium", "medium-high", "high"};
    static const long min_score[] = {5, 10, 17};
    x->n_rows = 5;
    static const double bounds[] = {0.2, 0.4, 0.6, 0.8}; /* as written: 0.2 * 3 is not 0.6 */
    memcpy(x->bounds, bounds, sizeof bounds);
    static const char *const zh[] = {"轻微", "较小", "中等", "较严重", "严重"}; /* docs/MONITORING.md */
    for (size_t k = 0; k < 5; k++)
        x->aliases[k] = zh[k];
    civ_status st = set_names(x->impacts, &x->n_cols, impacts, 5);
    if (!st)
        st = set_names(x->levels, &x->n_levels, levels, 4);
    if (st) {
        civ_monitor_matrix_free(x);
        return st;
    }
    cells_from_scores(x, min_score);
    *out = x;
    return CIV_OK;
}

/* ---- reading a [matrix] section ----------------------------------------------- */

static civ_status mx_bad(const char *path, const civ_toml_entry *e, const char *msg)
{
    civ_where w = {.file = path, .line = e->value.line, .column = e->value.column, .field = e->key};
    return civ_fail_at(CIV_ERR_SPEC, &w, "[matrix] %s: %s", e->key, msg);
}

static civ_status mx_names(const char *path, civ_toml_entry *e, char **dst, size_t *n, size_t max)
{
    if (e->value.type != CIV_TOML_ARRAY || e->value.n_items < 2 || e->value.n_items > max)
        return mx_bad(path, e, "must be an array of 2 to 10 names, lowest first");
    for (size_t i = 0; i < e->value.n_items; i++) {
        const civ_toml_value *v = &e->value.items[i];
        if (v->type != CIV_TOML_STRING || !v->text[0])
            return mx_bad(path, e, "every item must be a non-empty string");
        for (size_t j = 0; j < i; j++)
            if (!strcmp(dst[j], v->text))
                return mx_bad(path, e, "a name appears twice");
        if (!(dst[i] = strdup(v->text)))
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
        *n = i + 1;
    }
    return CIV_OK;
}

/* An error in row r of cells (item v: its own line and column), naming the row as the matrix reads it: its
 * number from the lowest probability and its probability band (before 2026-12-07 "row 2: a word is not one of
 * the levels", at the key's line, left the reader to count the rows and find the word). */
static civ_status mx_cell_bad(const char *path, const civ_toml_value *v, const civ_monitor_matrix *x, size_t r,
                              const char *what)
{
    char levels[400] = "";
    for (size_t k = 0; k < x->n_levels; k++)
        civ_snprintf(levels + strlen(levels), sizeof levels - strlen(levels), "%s%s", k ? ", " : "", x->levels[k]);
    civ_where w = {.file = path, .line = v->line, .column = v->column, .field = "cells"};
    return civ_fail_at(CIV_ERR_SPEC, &w, "[matrix] cells: row %zu of %zu (probability %g to %g, the rows lowest "
                                         "probability first): %s (levels: %s; impacts: %zu)",
                       r + 1, x->n_rows, r ? x->bounds[r - 1] : 0.0, r + 1 < x->n_rows ? x->bounds[r] : 1.0, what,
                       levels, x->n_cols);
}

static civ_status mx_cells(const char *path, civ_toml_entry *e, civ_monitor_matrix *x)
{
    if (e->value.type != CIV_TOML_ARRAY || e->value.n_items != x->n_rows)
        return mx_bad(path, e, "must hold one string per probability row, lowest probability first");
    for (size_t r = 0; r < x->n_rows; r++) {
        const civ_toml_value *v = &e->value.items[r];
        if (v->type != CIV_TOML_STRING)
            return mx_bad(path, e, "every row must be a string of level names separated by spaces");
        const char *p = v->text;
        size_t c = 0;
        while (*p) {
            while (*p == ' ')
                p++;
            if (!*p)
                break;
            size_t len = strcspn(p, " ");
            int found = -1;
            for (size_t k = 0; k < x->n_levels; k++)
                if (strlen(x->levels[k]) == len && !strncmp(x->levels[k], p, len))
                    found = (int)k;
            if (found < 0 || c >= x->n_cols) {
                char msg[300];
                if (found < 0)
                    civ_snprintf(msg, sizeof msg, "cell %zu, '%.*s', is not one of the levels", c + 1,
                                 (int)(len < 60 ? len : 60), p);
                else
                    civ_snprintf(msg, sizeof msg, "more cells than impacts");
                return mx_cell_bad(path, v, x, r, msg);
            }
            x->cell[r][c++] = found;
            p += len;
        }
        if (c != x->n_cols) {
            char msg[200];
            civ_snprintf(msg, sizeof msg, "%zu cells, not one per impact", c);
            return mx_cell_bad(path, v, x, r, msg);
        }
    }
    return CIV_OK;
}

static civ_status mx_build(const char *path, civ_toml_doc *doc, civ_monitor_matrix *x)
{
    civ_toml_table *t = NULL;
    for (size_t i = 1; i < doc->n_tables; i++)
        if (!strcmp(doc->tables[i].name, "matrix") && !doc->tables[i].is_array)
            t = &doc->tables[i];
    if (!t) {
        civ_where w = {.file = path, .line = 1, .field = "matrix"};
        return civ_fail_at(CIV_ERR_NOT_FOUND, &w, "no [matrix] section");
    }
    civ_toml_entry *ei = civ_toml_take(t, "impacts"), *eb = civ_toml_take(t, "probability_bounds"),
                   *el = civ_toml_take(t, "levels"), *ec = civ_toml_take(t, "cells"), *es = civ_toml_take(t, "level_min_scores");
    const char *keys[] = {"impacts", "probability_bounds", "levels"};
    civ_toml_entry *req[] = {ei, eb, el};
    for (int i = 0; i < 3; i++)
        if (!req[i]) {
            civ_where w = {.file = path, .line = t->line, .column = t->column, .field = keys[i]};
            return civ_fail_at(CIV_ERR_SPEC, &w, "[matrix]: missing key '%s'", keys[i]);
        }
    civ_status st;
    if ((st = mx_names(path, ei, x->impacts, &x->n_cols, MAX_SIDE)) ||
        (st = mx_names(path, el, x->levels, &x->n_levels, MAX_LEVELS)))
        return st;
    if (eb->value.type != CIV_TOML_ARRAY || !eb->value.n_items || eb->value.n_items >= MAX_SIDE)
        return mx_bad(path, eb, "must be an array of 1 to 9 increasing bounds in (0, 1)");
    x->n_rows = eb->value.n_items + 1;
    for (size_t i = 0; i < eb->value.n_items; i++) {
        const civ_toml_value *v = &eb->value.items[i];
        double b = v->number;
        if ((v->type != CIV_TOML_FLOAT && v->type != CIV_TOML_INTEGER) || !(b > 0 && b < 1) ||
            (i && b <= x->bounds[i - 1]))
            return mx_bad(path, eb, "bounds must be increasing numbers in (0, 1)");
        x->bounds[i] = b;
    }
    if ((ec != NULL) == (es != NULL)) {
        civ_where w = {.file = path, .line = t->line, .column = t->column, .field = "cells"};
        return civ_fail_at(CIV_ERR_SPEC, &w, "[matrix]: give either cells or level_min_scores");
    }
    if (ec) {
        if ((st = mx_cells(path, ec, x)))
            return st;
    } else {
        long mins[MAX_LEVELS];
        if (es->value.type != CIV_TOML_ARRAY || es->value.n_items != x->n_levels - 1)
            return mx_bad(path, es, "must hold the lowest score of each level after the first");
        for (size_t i = 0; i < es->value.n_items; i++) {
            const civ_toml_value *v = &es->value.items[i];
            if (v->type != CIV_TOML_INTEGER || v->number < 1 || (i && v->number <= (double)mins[i - 1]))
                return mx_bad(path, es, "scores must be increasing whole numbers >= 1");
            mins[i] = (long)v->number;
        }
        cells_from_scores(x, mins);
    }
    for (size_t i = 0; i < t->n_entries; i++)
        if (!t->entries[i].used) {
            civ_where w = {.file = path, .line = t->entries[i].line, .column = t->entries[i].column,
                           .field = t->entries[i].key};
            return civ_fail_at(CIV_ERR_SPEC, &w, "[matrix]: unknown key '%s' (allowed: impacts, "
                                                 "probability_bounds, levels, cells, level_min_scores)",
                               t->entries[i].key);
        }
    return CIV_OK;
}

civ_status civ_monitor_matrix_parse(const char *text, size_t len, const char *name, civ_monitor_matrix **out)
{
    if (!text || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_monitor_matrix_parse: NULL argument");
    *out = NULL;
    const char *path = name ? name : "(matrix)";
    civ_monitor_matrix *x = calloc(1, sizeof *x);
    if (!x)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    civ_toml_doc doc;
    memset(&doc, 0, sizeof doc);
    civ_status st = civ_toml_parse(text, len, path, &doc);
    if (!st)
        st = mx_build(path, &doc, x);
    civ_toml_free(&doc);
    if (st) {
        civ_monitor_matrix_free(x);
        return st;
    }
    *out = x;
    return CIV_OK;
}

civ_status civ_monitor_matrix_read(const char *path, civ_monitor_matrix **out)
{
    if (!path || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_monitor_matrix_read: NULL argument");
    *out = NULL;
    char *buf = NULL;
    size_t len = 0;
    civ_status st = civ_toml_read_text(path, "risk matrix", &buf, &len);
    if (st)
        return st;
    st = civ_monitor_matrix_parse(buf, len, path, out);
    free(buf);
    return st;
}

/* ---- assessing a register ---------------------------------------------------- */

typedef struct risk_row {
    size_t input;
    double p;
    size_t r, c;
    int level;
} risk_row;

static int cmp_risk(const void *ctx, size_t a, size_t b)
{
    const risk_row *x = (const risk_row *)ctx + a, *y = (const risk_row *)ctx + b;
    if (x->level != y->level)
        return x->level > y->level ? -1 : 1;
    size_t sx = (x->r + 1) * (x->c + 1), sy = (y->r + 1) * (y->c + 1);
    if (sx != sy)
        return sx > sy ? -1 : 1;
    if (x->p != y->p)
        return x->p > y->p ? -1 : 1;
    return 0; /* stable: input order */
}

static size_t prob_row(const civ_monitor_matrix *x, double p)
{
    size_t r = 0;
    while (r + 1 < x->n_rows && p >= x->bounds[r])
        r++;
    return r;
}

/* "; the cell has spaces around it: ..." when the impact, without the spaces around it, is on the scale (the
 * message showed '较严重 ' and the scale's 较严重 side by side, the space all but invisible); else "". */
static const char *spaced_impact(const civ_monitor_matrix *x, const char *imp)
{
    size_t n = strlen(imp), a = 0;
    while (a < n && (imp[a] == ' ' || imp[a] == '\t'))
        a++;
    while (n > a && (imp[n - 1] == ' ' || imp[n - 1] == '\t'))
        n--;
    if (a == 0 && !imp[n])
        return "";
    char bare[128];
    civ_snprintf(bare, sizeof bare, "%.*s", (int)(n - a < 127 ? n - a : 127), imp + a);
    for (size_t k = 0; k < x->n_cols; k++) {
        const char *names[2] = {x->impacts[k], x->aliases[k]};
        for (int j = 0; j < 2; j++)
            if (names[j] && !civ_ascii_casecmp(names[j], bare))
                return "; the cell has spaces around it: clear them in the sheet (Excel: =TRIM() or Find and "
                       "Replace)";
    }
    return "";
}

static civ_status read_register(const civ_monitor_matrix *x, const civ_table *t, const char *src, size_t *cols,
                                risk_row *rows, size_t n)
{
    civ_strmap seen = {0};
    civ_status st = CIV_OK;
    for (size_t i = 0; i < n && !st; i++) {
        char b[64], pb[64];
        civ_where w = {.file = src}; /* .line at a failure: the row's line, a sheet's row as Excel shows it */
        const char *id = civ_mon_cell_text(t, i, cols[0], b, sizeof b);
        double p = civ_table_number(t, i, cols[1]);
        if (civ_table_column_type(t, cols[1]) == CIV_COLUMN_TEXT) {
            const char *s = civ_table_text(t, i, cols[1]);
            char *end;
            p = civ_strtod(s, &end);
            if (!s[0] || *end)
                p = NAN;
        }
        rows[i].input = i;
        w.series_id = id;
        size_t first;
        if (!id[0]) {
            w.field = "risk", w.column = (long)cols[0] + 1, w.line = civ_mon_row_line(t, i);
            st = civ_fail_at(CIV_ERR_DOMAIN, &w, "empty risk name");
        } else if (!(p >= 0 && p <= 1)) {
            w.field = "probability", w.column = (long)cols[1] + 1, w.line = civ_mon_row_line(t, i);
            civ_snprintf(pb, sizeof pb, "%s", civ_mon_cell_text(t, i, cols[1], b, sizeof b));
            st = civ_fail_at(CIV_ERR_DOMAIN, &w, "risk '%s': probability '%s' must be a fraction in [0, 1] "
                                                 "(write 0.70 for 70%%)", id, pb);
        } else if ((st = civ_strmap_put(&seen, id, i, &first)) == CIV_ERR_DUPLICATE) {
            w.field = "risk", w.column = (long)cols[0] + 1, w.line = civ_mon_row_line(t, i);
            st = civ_fail_at(CIV_ERR_DUPLICATE, &w, "risk '%s' is listed twice: here and at %s %ld; give each "
                                                    "risk one row", id, civ_mon_line_word(src),
                             civ_mon_row_line(t, first));
        }
        if (st)
            break;
        char ib[64];
        const char *imp = civ_mon_cell_text(t, i, cols[2], ib, sizeof ib);
        int c = -1;
        for (size_t k = 0; k < x->n_cols; k++)
            if (!strcmp(x->impacts[k], imp) || (x->aliases[k] && !strcmp(x->aliases[k], imp)))
                c = (int)k;
        for (size_t k = 0; c < 0 && k < x->n_cols; k++) /* "Severe" as "severe" */
            if (!civ_ascii_casecmp(x->impacts[k], imp)) /* impact names as typed: "Severe" */
                c = (int)k;
        if (c < 0) {
            char scale[600] = "";
            for (size_t k = 0; k < x->n_cols; k++)
                civ_snprintf(scale + strlen(scale), sizeof scale - strlen(scale), "%s\"%s\"%s%s%s", k ? ", " : "",
                             x->impacts[k], x->aliases[k] ? " (" : "", x->aliases[k] ? x->aliases[k] : "",
                             x->aliases[k] ? ")" : "");
            w.field = "impact", w.column = (long)cols[2] + 1, w.line = civ_mon_row_line(t, i);
            st = civ_fail_at(CIV_ERR_NOT_FOUND, &w, "risk '%s': impact '%s' is not on the scale (%s)%s", id, imp,
                             scale, spaced_impact(x, imp));
            break;
        }
        rows[i].p = p, rows[i].r = prob_row(x, p), rows[i].c = (size_t)c;
        rows[i].level = x->cell[rows[i].r][rows[i].c];
    }
    civ_strmap_free(&seen);
    return st;
}

static civ_status matrix_table(const civ_monitor_matrix *x, const civ_table *t, size_t id_col, const risk_row *rows,
                               size_t n, civ_table **out)
{
    static const char *const names[] = {"probability_from", "probability_to", "impact", "row", "column",
                                        "score", "level", "risks"};
    const civ_column_type T = CIV_COLUMN_TEXT, N = CIV_COLUMN_NUMBER;
    const civ_column_type types[] = {N, N, T, N, N, N, T, T};
    civ_table *m = NULL;
    civ_status st = civ_table_create(&m);
    if (!st)
        st = civ_mon_add_columns(m, names, types, 8);
    if (!st)
        st = civ_table_add_rows(m, x->n_rows * x->n_cols, NULL);
    for (size_t r = 0, k = 0; !st && r < x->n_rows; r++)
        for (size_t c = 0; !st && c < x->n_cols; c++, k++) {
            char ids[2048] = "", b[64];
            for (size_t i = 0; i < n; i++)
                if (rows[i].r == r && rows[i].c == c)
                    civ_snprintf(ids + strlen(ids), sizeof ids - strlen(ids), "%s%s", ids[0] ? ";" : "",
                                 civ_mon_cell_text(t, rows[i].input, id_col, b, sizeof b));
            st = civ_table_set_number(m, k, 0, r ? x->bounds[r - 1] : 0.0);
            st = st ? st : civ_table_set_number(m, k, 1, r + 1 < x->n_rows ? x->bounds[r] : 1.0);
            st = st ? st : civ_table_set_text(m, k, 2, x->impacts[c]);
            st = st ? st : civ_table_set_number(m, k, 3, (double)(r + 1));
            st = st ? st : civ_table_set_number(m, k, 4, (double)(c + 1));
            st = st ? st : civ_table_set_number(m, k, 5, (double)((r + 1) * (c + 1)));
            st = st ? st : civ_table_set_text(m, k, 6, x->levels[x->cell[r][c]]);
            st = st ? st : civ_table_set_text(m, k, 7, ids);
        }
    if (st)
        civ_table_free(m);
    else
        *out = m;
    return st;
}

static civ_status assessed_table(const civ_monitor_matrix *x, const civ_table *t, const size_t *cols,
                                 const risk_row *rows, const size_t *order, size_t n, civ_table **out)
{
    static const char *const names[] = {"risk", "probability", "impact", "owner", "mitigation", "row",
                                        "column", "score", "level", "rank"};
    const civ_column_type T = CIV_COLUMN_TEXT, N = CIV_COLUMN_NUMBER;
    const civ_column_type types[] = {T, N, T, T, T, N, N, N, T, N};
    civ_table *a = NULL;
    civ_status st = civ_table_create(&a);
    if (!st)
        st = civ_mon_add_columns(a, names, types, 10);
    if (!st)
        st = civ_table_add_rows(a, n, NULL);
    for (size_t k = 0; !st && k < n; k++) {
        const risk_row *r = &rows[order[k]];
        char b[64];
        st = civ_table_set_text(a, k, 0, civ_mon_cell_text(t, r->input, cols[0], b, sizeof b));
        st = st ? st : civ_table_set_number(a, k, 1, r->p);
        st = st ? st : civ_table_set_text(a, k, 2, x->impacts[r->c]);
        for (int j = 3; j <= 4 && !st; j++)
            st = civ_table_set_text(a, k, (size_t)j,
                                    cols[j] == SIZE_MAX ? "" : civ_mon_cell_text(t, r->input, cols[j], b, sizeof b));
        st = st ? st : civ_table_set_number(a, k, 5, (double)(r->r + 1));
        st = st ? st : civ_table_set_number(a, k, 6, (double)(r->c + 1));
        st = st ? st : civ_table_set_number(a, k, 7, (double)((r->r + 1) * (r->c + 1)));
        st = st ? st : civ_table_set_text(a, k, 8, x->levels[r->level]);
        st = st ? st : civ_table_set_number(a, k, 9, (double)(k + 1));
    }
    if (st)
        civ_table_free(a);
    else
        *out = a;
    return st;
}

/* A register column by its name, or by the header monitoring.xlsx's risk sheet gives it (风险, 发生概率, 影响程度,
 * 责任单位, 应对措施; Risk, Probability, ... in English): a register kept in Chinese, or the workbook's sheet
 * saved back as the next month's register, is read unedited (before 2026-12-07: "no column 'risk'"). */
static civ_status register_column(const civ_table *t, const char *name, size_t *col)
{
    if (civ_table_find_column(t, name, col) == CIV_OK)
        return CIV_OK;
    for (int zh = 1; zh >= 0; zh--) {
        char buf[160];
        civ_label_ctx ctx = {.zh = zh, .table = "risks"};
        const char *label = civ_column_label(&ctx, name, buf, sizeof buf);
        if (label && civ_table_find_column(t, label, col) == CIV_OK) {
            civ_clear_error();
            return CIV_OK;
        }
    }
    return CIV_ERR_MISSING_COLUMN;
}

civ_status civ_monitor_risk_assess(const civ_monitor_matrix *x, const civ_table *t, const char *source,
                                   civ_table **assessed, civ_table **matrix_out)
{
    if (!x || !t || !assessed)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_monitor_risk_assess: NULL argument");
    *assessed = NULL;
    if (matrix_out)
        *matrix_out = NULL;
    const char *src = source ? source : "(risk register)";
    const char *names[] = {"risk", "probability", "impact", "owner", "mitigation"};
    size_t cols[5];
    for (int i = 0; i < 5; i++)
        if (register_column(t, names[i], &cols[i])) {
            if (i >= 3) {
                cols[i] = SIZE_MAX;
                continue;
            }
            civ_where w = {.file = src, .line = 1, .field = names[i]};
            return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w, "the risk register has no column '%s' (need risk, "
                                                           "probability, impact[, owner, mitigation], or the "
                                                           "workbook's headers 风险, 发生概率, 影响程度[, 责任单位, "
                                                           "应对措施])", names[i]);
        }
    civ_clear_error();
    size_t n = civ_table_n_rows(t);
    risk_row *rows = calloc(n + 1, sizeof *rows);
    size_t *order = malloc((n + 1) * sizeof *order);
    civ_status st = rows && order ? CIV_OK : civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    if (!st)
        st = read_register(x, t, src, cols, rows, n);
    for (size_t i = 0; i < n; i++)
        if (order)
            order[i] = i;
    if (!st)
        st = civ_mon_sort(order, n, cmp_risk, rows);
    civ_table *a = NULL, *m = NULL;
    if (!st)
        st = assessed_table(x, t, cols, rows, order, n, &a);
    if (!st && matrix_out)
        st = matrix_table(x, t, cols[0], rows, n, &m);
    free(rows), free(order);
    if (st) {
        civ_table_free(a);
        return st;
    }
    *assessed = a;
    if (matrix_out)
        *matrix_out = m;
    return CIV_OK;
}
