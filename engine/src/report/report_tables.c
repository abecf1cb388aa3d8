/*
 * report_tables.c -- layer report: the tables of other steps shown as they
 * are (backtest accuracy, monitoring alerts and statuses, risks), with
 * headers in the page's language and, for the monitoring tables, what a
 * reader knows the rows by: the indicator's name (its code in the cell's
 * tooltip), the street's name beside its code, and rates in %.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "c_locale.h"
#include "column_labels.h"
#include "report_page.h"
#include "report_text.h"
#include "report_zh.h"

size_t rep_typed_column(const civ_table *t, const char *name, civ_column_type type)
{
    size_t c;
    if (!t || civ_table_find_column(t, name, &c) || civ_table_column_type(t, c) != type) {
        civ_clear_error();
        return (size_t)-1;
    }
    return c;
}

/* A text column's index, or (size_t)-1. */
static size_t text_column(const civ_table *t, const char *name)
{
    return rep_typed_column(t, name, CIV_COLUMN_TEXT);
}

/* A column of any type (an empty column read from a file is a number column), or (size_t)-1. */
static size_t any_column(const civ_table *t, const char *name)
{
    size_t c;
    if (!t || civ_table_find_column(t, name, &c)) {
        civ_clear_error();
        return (size_t)-1;
    }
    return c;
}

static size_t num_column(const civ_table *t, const char *name)
{
    return rep_typed_column(t, name, CIV_COLUMN_NUMBER);
}

/* 1 when `code` is a rate in the status table: every row of it with an
 * actual has a denominator, and its actuals and targets are fractions (0..1). */
static int is_rate(const rep_data *d, const char *code)
{
    const civ_table *s = d->t_status;
    size_t ci = text_column(s, "indicator"), cd = num_column(s, "denominator");
    size_t ca = num_column(s, "actual"), ct = num_column(s, "target");
    if (ci == (size_t)-1 || cd == (size_t)-1 || ca == (size_t)-1 || !code)
        return 0;
    size_t rows = 0;
    for (size_t r = 0; r < civ_table_n_rows(s); r++) {
        const char *v = civ_table_text(s, r, ci);
        if (!v || strcmp(v, code))
            continue;
        double a = civ_table_number(s, r, ca), t = ct == (size_t)-1 ? NAN : civ_table_number(s, r, ct);
        int fraction = (!isfinite(a) || (isfinite(civ_table_number(s, r, cd)) && a >= 0 && a <= 1)) &&
                       (!isfinite(t) || (t >= 0 && t <= 1));
        if (!fraction)
            return 0;
        rows++;
    }
    return rows > 0;
}

/* The name units.csv gives unit `code` of `scope` (any scope when NULL; a monitoring folder's: `civicast monitor
 * --names`), NULL when none. */
static const char *units_name(const rep_data *d, const char *scope, const char *code)
{
    const civ_table *t = d->t_units;
    size_t cu = text_column(t, "unit"), cn = text_column(t, "name"), cs = text_column(t, "scope");
    for (size_t r = 0; cu != (size_t)-1 && cn != (size_t)-1 && r < civ_table_n_rows(t); r++) {
        const char *u = civ_table_text(t, r, cu), *name = civ_table_text(t, r, cn);
        const char *sc = cs == (size_t)-1 ? NULL : civ_table_text(t, r, cs);
        if (u && !strcmp(u, code) && name && name[0] && (!scope || (sc && !strcmp(sc, scope))))
            return name;
    }
    return NULL;
}

const char *rep_unit_name(const rep_data *d, const char *scope, const char *code)
{
    if (!code || !code[0])
        return NULL;
    return !strcmp(scope, "street") ? rep_street_name(d, code) : units_name(d, scope, code);
}

const char *rep_street_name(const rep_data *d, const char *code)
{
    size_t n = code ? strlen(code) : 0;
    if (!n)
        return NULL;
    for (size_t i = 0; d->has_street && i < d->n_comms; i++)
        if (!strncmp(d->comms[i].id, code, n) && d->comms[i].id[n] == '-' && d->comms[i].street[0])
            return d->comms[i].street;
    return units_name(d, NULL, code); /* a monitoring folder has no allocation: its units.csv, if any */
}

/* The matrix's number of probability rows and row r's band, from risk_matrix.csv (0 when the folder lacks it). */
static size_t matrix_rows(const rep_data *d, double row, char *band, size_t size)
{
    const civ_table *m = d->t_risk;
    size_t cr = rep_typed_column(m, "row", CIV_COLUMN_NUMBER), n = 0;
    size_t cf = rep_typed_column(m, "probability_from", CIV_COLUMN_NUMBER);
    size_t ct = rep_typed_column(m, "probability_to", CIV_COLUMN_NUMBER);
    band[0] = '\0';
    for (size_t r = 0; cr != (size_t)-1 && r < civ_table_n_rows(m); r++) {
        double v = civ_table_number(m, r, cr);
        n = isfinite(v) && v > (double)n ? (size_t)v : n;
        if (v == row && cf != (size_t)-1 && ct != (size_t)-1)
            civ_snprintf(band, size, "%.0f%%–%.0f%%", 100 * civ_table_number(m, r, cf),
                         100 * civ_table_number(m, r, ct));
    }
    return n;
}

/* A risk's matrix row as its likelihood word, its row, column and score in the tooltip ("row 4 of 5 (60%–80%),
 * column 5, score 20"): the committee reads 很可能 and 严重, not 4 and 5 (before 2026-12-07 the table showed the
 * numbers). */
static void likelihood_cell(rep_ctx *ctx, const civ_table *t, size_t r, size_t c)
{
    char band[64], tip[160];
    double row = civ_table_number(t, r, c);
    size_t cc = num_column(t, "column"), cs = num_column(t, "score");
    size_t n = matrix_rows(ctx->d, row, band, sizeof band);
    const char *word = isfinite(row) && row >= 1 ? civ_likelihood_label(ctx->zh, (size_t)row, n) : NULL;
    int k = civ_snprintf(tip, sizeof tip, TR(ctx, "矩阵第 %.0f 行（共 %zu 行", "matrix row %.0f of %zu"), row, n);
    if (band[0] && k > 0 && (size_t)k < sizeof tip)
        k += civ_snprintf(tip + k, sizeof tip - (size_t)k, TR(ctx, "，%s", " (%s)"), band);
    if (k > 0 && (size_t)k < sizeof tip)
        civ_snprintf(tip + k, sizeof tip - (size_t)k, TR(ctx, "），第 %.0f 列，分值 %.0f", ", column %.0f, score %.0f"),
                     cc == (size_t)-1 ? NAN : civ_table_number(t, r, cc),
                     cs == (size_t)-1 ? NAN : civ_table_number(t, r, cs));
    civ_rbuf_put(&ctx->page, "<td title=\"");
    civ_rbuf_html(&ctx->page, tip);
    civ_rbuf_put(&ctx->page, "\">");
    civ_rbuf_html(&ctx->page, word ? word : band[0] ? band : "");
    civ_rbuf_put(&ctx->page, "</td>");
}

typedef struct cols {
    size_t indicator, name, unit; /* text columns, or (size_t)-1 */
    int rate_row;                 /* the row being written is a rate's */
    size_t kind, value_unit;      /* the tables' kind and value_unit (since 2026-12-07), or (size_t)-1 */
    const char *row_unit;         /* the row's value_unit, shown after a count's or level's actual and target */
    const char *row_kind;         /* the row's kind ("rate", "count", "level"), "rate" told from the values, or NULL */
    size_t into, note;            /* a closed unit's [[closed]] into and note (status table), or (size_t)-1 */
    int into_shown, note_shown;   /* some row kept holds one: else the column is left out */
    size_t risk_row, risk_column, risk_score; /* the risk register's matrix numbers (v->risks), or (size_t)-1 */
    size_t risk_prob;             /* its probability column: the likelihood comes right after it */
} cols;

/* The column shown at position j: the table's order, but a risk's likelihood (its matrix row) right after its
 * probability. */
static size_t at(const cols *k, size_t j)
{
    if (k->risk_row == (size_t)-1 || k->risk_prob == (size_t)-1 || k->risk_row < k->risk_prob || j <= k->risk_prob)
        return j;
    return j == k->risk_prob + 1 ? k->risk_row : j <= k->risk_row ? j - 1 : j;
}

static int hidden(const rep_table_view *v, const cols *k, size_t c)
{
    if (v->risks && (c == k->risk_column || c == k->risk_score))
        return 1; /* the impact's and the level's words say them */
    if (v->monitoring && ((c == k->into && !k->into_shown) || (c == k->note && !k->note_shown)))
        return 1; /* no closed unit among the rows: two empty columns said nothing */
    if (v->monitoring && (c == k->kind || c == k->value_unit))
        return 1; /* said by the values themselves: 28.6%, 3 起 */
    return v->monitoring && c == k->indicator && k->name != (size_t)-1; /* the name column says it */
}

static void head(rep_ctx *ctx, const civ_table *t, const rep_table_view *v, const cols *k)
{
    civ_rbuf *b = &ctx->page;
    char buf[64];
    civ_rbuf_put(b, "<div class=\"tbl\"><table class=\"data\"><thead><tr>");
    for (size_t j = 0, c; j < civ_table_n_columns(t); j++) {
        if (hidden(v, k, c = at(k, j)))
            continue;
        const char *name = civ_table_column_name(t, c);
        const char *label = v->monitoring && c == k->name ? TR(ctx, "指标", "Indicator")
                            : v->risks && c == k->risk_row ? TR(ctx, "可能性", "Likelihood")
                                                            : rep_column_label(ctx->zh, name, buf, sizeof buf);
        civ_rbuf_put(b, "<th title=\""); /* the file's column name in the tooltip */
        civ_rbuf_html(b, name);
        civ_rbuf_put(b, "\">");
        civ_rbuf_html(b, label ? label : name);
        civ_rbuf_put(b, "</th>");
    }
    civ_rbuf_put(b, "</tr></thead><tbody>\n");
}

/* A monitoring row's actual or target as the alert lines of `civicast monitor` and `plan` write it: the same
 * civ_monitor_value_text, through civicast.h (report reaches the monitor layer only so, as it reaches alloc), with
 * the other value as its `against` ("97.96%" against "98%"); 0 when the row has no kind (a bare number then). */
static int monitor_value(const civ_table *t, size_t r, size_t c, const cols *k, char *buf, size_t size)
{
    if (!k->row_kind)
        return 0;
    size_t o = any_column(t, !strcmp(civ_table_column_name(t, c), "actual") ? "target" : "actual");
    double w = o != (size_t)-1 && civ_table_column_type(t, o) == CIV_COLUMN_NUMBER ? civ_table_number(t, r, o) : NAN;
    if (civ_monitor_value_text(civ_table_number(t, r, c), k->row_kind, k->row_unit, w, buf, size) == CIV_OK)
        return 1;
    civ_clear_error(); /* a kind of a later version: the bare number */
    return 0;
}

static void number_cell(rep_ctx *ctx, const civ_table *t, size_t r, size_t c, const cols *k)
{
    char buf[64];
    double v = civ_table_number(t, r, c);
    const char *name = civ_table_column_name(t, c);
    int value = !strcmp(name, "actual") || !strcmp(name, "target");
    /* a risk's probability in %, as monitoring.xlsx shows it: 70% (0.700 until 2026-12-07) */
    int done = !strcmp(name, "probability") && civ_monitor_value_text(v, "rate", NULL, NAN, buf, sizeof buf) == CIV_OK;
    if (!done && !(value && monitor_value(t, r, c, k, buf, sizeof buf)))
        rep_fmt_num(buf, sizeof buf, v, fabs(v) >= 1000 || v == floor(v) ? 0 : value && k->kind != (size_t)-1 ? 2 : 3);
    rep_cell(&ctx->page, isfinite(v) ? buf : "", 1);
}

static void text_cell(rep_ctx *ctx, const civ_table *t, size_t r, size_t c, const rep_table_view *v, const cols *k)
{
    civ_rbuf *b = &ctx->page;
    const char *s = civ_table_text(t, r, c), *code = NULL, *street = NULL, *raw = s ? s : "";
    s = rep_word(ctx->zh, civ_table_column_name(t, c), raw);
    if (v->monitoring && c == k->name && k->indicator != (size_t)-1)
        code = civ_table_text(t, r, k->indicator);
    if (s != raw && !strcmp(civ_table_column_name(t, c), "model"))
        code = raw; /* a model shown by its Chinese name keeps its id in the tooltip */
    if (v->monitoring && c == k->unit)
        street = rep_street_name(ctx->d, s);
    if (code) {
        civ_rbuf_put(b, "<td title=\"");
        civ_rbuf_html(b, code);
        civ_rbuf_put(b, "\">");
    } else {
        civ_rbuf_put(b, strlen(s) > 36 ? "<td class=\"long\">" : "<td>"); /* a sentence wraps */
    }
    if (street) {
        char both[256];
        civ_snprintf(both, sizeof both, TR(ctx, "%s（%s）", "%s (%s)"), street, s);
        civ_rbuf_html(b, both);
    } else {
        civ_rbuf_html(b, s);
    }
    civ_rbuf_put(b, "</td>");
}

static void row(rep_ctx *ctx, const civ_table *t, size_t r, const rep_table_view *v, cols *k)
{
    int has_kind = k->kind != (size_t)-1 && civ_table_column_type(t, k->kind) == CIV_COLUMN_TEXT;
    const char *kind = has_kind ? civ_table_text(t, r, k->kind) : NULL;
    k->row_unit = k->value_unit != (size_t)-1 && civ_table_column_type(t, k->value_unit) == CIV_COLUMN_TEXT
                      ? civ_table_text(t, r, k->value_unit) : NULL;
    if (kind && kind[0]) /* the row says its kind: a level between 0 and 1 is no rate */
        k->rate_row = v->monitoring && !strcmp(kind, "rate");
    else /* a folder of an earlier version: told from the values */
        k->rate_row = v->monitoring && k->indicator != (size_t)-1 &&
                      is_rate(ctx->d, civ_table_text(t, r, k->indicator));
    k->row_kind = !v->monitoring ? NULL : kind && kind[0] ? kind : k->rate_row ? "rate" : NULL;
    civ_rbuf_put(&ctx->page, "<tr>");
    for (size_t j = 0, c; j < civ_table_n_columns(t); j++) {
        if (hidden(v, k, c = at(k, j)))
            continue;
        if (c == k->risk_row)
            likelihood_cell(ctx, t, r, c);
        else if (civ_table_column_type(t, c) == CIV_COLUMN_NUMBER)
            number_cell(ctx, t, r, c, k);
        else
            text_cell(ctx, t, r, c, v, k);
    }
    civ_rbuf_put(&ctx->page, "</tr>\n");
}

/* "Showing the first 40 of 139 rows; all of them are in FILE (FILTER)." */
static void left_out_note(rep_ctx *ctx, const rep_table_view *v, size_t shown, size_t kept)
{
    char n1[32], n2[32], text[768];
    rep_fmt_num(n1, sizeof n1, (double)shown, 0), rep_fmt_num(n2, sizeof n2, (double)kept, 0);
    int k = civ_snprintf(text, sizeof text, TR(ctx, "表中显示前 %s 行，共 %s 行", "Showing the first %s of %s rows"), n1, n2);
    if (v->file && k > 0 && (size_t)k < sizeof text)
        civ_snprintf(text + k, sizeof text - (size_t)k,
                     TR(ctx, "；完整列表见输出目录中的 %s%s%s%s。", "; all of them are in %s in the output folder%s%s%s."),
                     v->file, v->filter ? TR(ctx, "（", " (") : "", v->filter ? v->filter : "",
                     v->filter ? TR(ctx, "）", ")") : "");
    else if (k > 0 && (size_t)k < sizeof text)
        civ_snprintf(text + k, sizeof text - (size_t)k, "%s", TR(ctx, "。", "."));
    civ_rbuf_put(&ctx->page, "<p class=\"note\">");
    civ_rbuf_html(&ctx->page, text);
    civ_rbuf_put(&ctx->page, "</p>\n");
}

void rep_generic_table(rep_ctx *ctx, const civ_table *t, const rep_table_view *v)
{
    cols k = {text_column(t, "indicator"), text_column(t, "name"), text_column(t, "unit"), 0,
              any_column(t, "kind"), any_column(t, "value_unit"), NULL, NULL,
              any_column(t, "into"), any_column(t, "note"), 0, 0, (size_t)-1, (size_t)-1, (size_t)-1, (size_t)-1};
    if (v->risks) /* the register as written by civ_monitor_risk_assess: else shown as it is */
        k.risk_row = num_column(t, "row"), k.risk_column = num_column(t, "column"),
        k.risk_score = num_column(t, "score"), k.risk_prob = num_column(t, "probability");
    size_t shown = 0, kept = 0;
    for (size_t r = 0; r < civ_table_n_rows(t) && kept < v->max_rows; r++) {
        if (v->keep && !v->keep(t, r, v->arg))
            continue;
        kept++;
        const char *a = text_column(t, "into") != (size_t)-1 ? civ_table_text(t, r, k.into) : NULL;
        const char *b = text_column(t, "note") != (size_t)-1 ? civ_table_text(t, r, k.note) : NULL;
        k.into_shown |= a && a[0], k.note_shown |= b && b[0];
    }
    kept = 0;
    head(ctx, t, v, &k);
    for (size_t r = 0; r < civ_table_n_rows(t); r++) {
        if (v->keep && !v->keep(t, r, v->arg))
            continue;
        if (kept++ >= v->max_rows)
            continue;
        shown++;
        row(ctx, t, r, v, &k);
    }
    civ_rbuf_put(&ctx->page, "</tbody></table></div>\n");
    if (kept > shown)
        left_out_note(ctx, v, shown, kept);
}
