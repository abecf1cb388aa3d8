/*
 * workbook.c -- alloc layer: an allocation's money tables as one Excel workbook for the budget office
 * (civ_alloc_workbook_write: the plan's allocation.xlsx, `civicast allocate --workbook`, Python's
 * civicast.write_allocation_workbook): a sheet per table given (分配结果, 分配汇总, 规则分解, 需求测算, 需求汇总,
 * 不确定性), named and headed in Chinese or English (io/column_labels.c: 社区编号, 分配金额（元）, the spec's labels),
 * the codes in the cells in words (分配资金, 全市人均 元/人), the allocation's columns in the order a reader checks
 * them.  The spec's labels of its factors, formulas, funds, pools and reserves come from one function,
 * civ_alloc_column_spec_label, which the reader of the workbook (last_year_book.c) inverts, so a workbook written
 * this year reads back as next year's last-year allocation.  Written atomically through civ_workbook_write.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "c_locale.h"
#include "column_labels.h"
#include "table.h"

/* ---- the spec's labels ---------------------------------------------------------------------------------- */

static int join(char **joined, const char *part)
{
    size_t n = *joined ? strlen(*joined) : 0;
    char *s = realloc(*joined, n + strlen(part) + 2);
    if (!s)
        return 0;
    civ_snprintf(s + n, strlen(part) + 2, "%s%s", n ? "+" : "", part);
    *joined = s;
    return 1;
}

void civ_alloc_funds_free(civ_alloc_funds *f)
{
    for (size_t u = 0; u < f->n; u++)
        free(f->name[u]), free(f->label[u]);
    free(f->name), free(f->label);
    f->n = 0, f->name = f->label = NULL;
}

civ_status civ_alloc_funds_of(const civ_alloc_spec *s, civ_alloc_funds *f)
{
    size_t np = s->n_pools ? s->n_pools : 1, *first = malloc(np * sizeof *first);
    f->n = 0;
    f->name = calloc(np, sizeof *f->name), f->label = calloc(np, sizeof *f->label);
    if (!first || !f->name || !f->label) {
        free(first);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the spec's funds");
    }
    for (size_t q = 0; q < s->n_pools; q++) {
        const civ_alloc_pool *pool = &s->pools[q];
        size_t u = 0;
        while (u < f->n && !(s->pools[first[u]].formula == pool->formula &&
                             civ_alloc_earmark_equal(&s->pools[first[u]], pool)))
            u++;
        if (u == f->n)
            first[f->n++] = q;
        if (!join(&f->name[u], pool->name) || !join(&f->label[u], pool->label ? pool->label : pool->name)) {
            free(first);
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the spec's funds");
        }
    }
    free(first);
    return CIV_OK;
}

/* The summary's label column copies these (alloc/output.c: a reserve's and a pool's label, a fund's its pools'
 * labels joined when one has a label): a reserve's, then a pool's, then a fund's of that name, as the summary's
 * rows come, so a name that is both a pool and a reserve gets the one the summary lists first. */
const char *civ_alloc_column_spec_label(void *arg, const char *kind, const char *name)
{
    const civ_alloc_labels *c = arg;
    const civ_alloc_spec *s = c ? c->s : NULL;
    if (!s)
        return NULL;
    if (!strcmp(kind, "formula")) /* tilt_<formula>: 倾斜系数（综合公式） */
        return civ_alloc_spec_formula_label(s, name);
    if (!strcmp(kind, "factor")) {
        for (size_t k = 0; k < s->n_factors; k++)
            if (!strcmp(s->factors[k].name, name))
                return civ_alloc_spec_factor_label(s, k);
        return NULL;
    }
    if (strcmp(kind, "fund"))
        return NULL;
    for (size_t k = 0; k < s->n_reserves; k++)
        if (!strcmp(s->reserves[k].name, name) && s->reserves[k].label && s->reserves[k].label[0])
            return s->reserves[k].label;
    for (size_t q = 0; q < s->n_pools; q++)
        if (!strcmp(s->pools[q].name, name) && s->pools[q].label && s->pools[q].label[0])
            return s->pools[q].label;
    for (size_t u = 0; u < c->f.n; u++)
        if (!strcmp(c->f.name[u], name) && strcmp(c->f.label[u], name))
            return c->f.label[u];
    return NULL;
}

civ_status civ_alloc_labels_init(civ_alloc_labels *c, const civ_alloc_spec *s)
{
    memset(c, 0, sizeof *c);
    c->s = s;
    return s ? civ_alloc_funds_of(s, &c->f) : CIV_OK;
}

void civ_alloc_labels_free(civ_alloc_labels *c)
{
    civ_alloc_funds_free(&c->f);
}

/* ---- the sheets ----------------------------------------------------------------------------------------- */

enum { W_ALLOCATION, W_SUMMARY, W_RULES, W_NEED, W_NEED_SUMMARY, W_UNCERTAINTY, W_COUNT };

/* The sheets in the plan's order, named in each language; kind: the table's name in io/column_labels.c. */
static const struct {
    const char *zh, *en, *kind;
} SHEETS[W_COUNT] = {
    [W_ALLOCATION] = {"分配结果", "allocation", "allocation"},
    [W_SUMMARY] = {"分配汇总", "summary", "summary"},
    [W_RULES] = {"规则分解", "rules", "waterfall"},
    [W_NEED] = {"需求测算", "need", "need"},
    [W_NEED_SUMMARY] = {"需求汇总", "need summary", "need_summary"},
    [W_UNCERTAINTY] = {"不确定性", "uncertainty", "uncertainty"},
};

/* The allocation sheet's first columns: who (id, name, district, street), how much (yuan, share of the fund)
 * and why (the explanation), then the breakdown in fen for whoever audits it, in the table's order. */
static const char *const allocation_first[] = {"unique_id", "name",     "district",  "street",
                                               "amount_yuan", "amount_major", "share_pct", "explanation"};

/* The order of t's columns for the reader into order[] (the allocation's first columns first); their count. */
static size_t shown_order(const civ_table *t, const civ_label_ctx *ctx, size_t *order, unsigned char *taken)
{
    size_t nc = civ_table_n_columns(t), n = 0;
    if (!strcmp(ctx->table, "allocation"))
        for (size_t k = 0; k < sizeof allocation_first / sizeof *allocation_first; k++) {
            size_t c;
            if (!civ_table_find_column(t, allocation_first[k], &c) && !taken[c])
                order[n++] = c, taken[c] = 1;
        }
    for (size_t c = 0; c < nc; c++)
        if (!taken[c])
            order[n++] = c;
    return n;
}

/* Column c of t into column k of w, rows 0..nr-1, its codes in words. */
static civ_status shown_cells(const civ_table *t, size_t c, const civ_label_ctx *ctx, const size_t sc[4],
                              int summary, civ_table *w, size_t k)
{
    size_t nr = civ_table_n_rows(t);
    if (civ_table_column_type(t, c) == CIV_COLUMN_NUMBER)
        return civ_table_set_numbers(w, k, 0, civ_table_numbers(t, c), nr);
    const char *name = civ_table_column_name(t, c);
    int code = civ_value_column(ctx->table, name), row_words = summary && code;
    size_t cscope = SIZE_MAX; /* the uncertainty's total row names itself "total" */
    if (!strcmp(name, "name") && civ_table_find_column(t, "scope", &cscope))
        cscope = SIZE_MAX;
    civ_status s = CIV_OK;
    for (size_t r = 0; r < nr && !s; r++) {
        const char *v = civ_table_text(t, r, c);
        char buf[192], bufs[4][192];
        if (row_words) { /* the summary's four codes together: the measure follows the unit */
            const char *codes[4], *words[4];
            for (int q = 0; q < 4; q++)
                codes[q] = civ_table_text(t, r, sc[q]);
            civ_summary_row_words(ctx, codes, words, bufs);
            for (int q = 0; q < 4; q++)
                if (sc[q] == c)
                    v = words[q];
        } else if (code)
            v = civ_value_label(ctx, name, v, buf, sizeof buf);
        else if (cscope != SIZE_MAX && v && !strcmp(v, "total") && !strcmp(civ_table_text(t, r, cscope), "total"))
            v = civ_value_label(ctx, "scope", v, buf, sizeof buf);
        if (v && v[0])
            s = civ_table_set_text_pooled(w, r, k, v, strlen(v));
    }
    return s;
}

/* t's columns for the reader: headed by their labels (a label that is another column's name, or that two
 * columns share, gives way: that column keeps its name), the allocation's reordered, the codes in the cells
 * in words (io/column_labels.c, civ_value_label: the summary's section, item, measure and unit read by row,
 * the waterfall's and the scopes' rows, the allocation's binding; ids, names and spec labels as they are);
 * *out is freed by the caller. */
static civ_status sheet_table(const civ_table *t, const civ_label_ctx *ctx, civ_table **out)
{
    size_t nc = civ_table_n_columns(t), nr = civ_table_n_rows(t), n = 0;
    size_t *order = malloc((nc ? nc : 1) * sizeof *order);
    unsigned char *taken = calloc(nc ? nc : 1, 1);
    civ_table *w = NULL;
    civ_status s = order && taken ? civ_table_create(&w) : civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    if (!s)
        n = shown_order(t, ctx, order, taken);
    int summary = !strcmp(ctx->table, "summary");
    size_t sc[4] = {SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX}; /* the summary's section, item, measure, unit */
    static const char *const sc_names[4] = {"section", "item", "measure", "unit"};
    for (int q = 0; summary && q < 4; q++)
        if (civ_table_find_column(t, sc_names[q], &sc[q]))
            summary = 0; /* not the summary's shape: its cells cell by cell */
    for (size_t k = 0; k < n && !s; k++) {
        const char *name = civ_table_column_name(t, order[k]);
        civ_column_type type = civ_table_column_type(t, order[k]);
        char buf[192];
        size_t other;
        const char *label = civ_column_label(ctx, name, buf, sizeof buf);
        if (label && civ_table_find_column(t, label, &other) == CIV_OK) /* the data's own 区 beside district */
            label = NULL;
        s = civ_table_add_column(w, label ? label : name, type, NULL);
        if (s == CIV_ERR_DUPLICATE && label) /* a label two columns share: the second keeps its name */
            s = civ_table_add_column(w, name, type, NULL);
    }
    if (!s)
        s = civ_table_add_rows(w, nr, NULL);
    for (size_t k = 0; k < n && !s; k++)
        s = shown_cells(t, order[k], ctx, sc, summary, w, k);
    free(order);
    free(taken);
    if (s)
        civ_table_free(w);
    else
        *out = w;
    return s;
}

civ_status civ_alloc_workbook_write(const char *path, const civ_alloc_spec *spec,
                                    const civ_alloc_workbook_tables *tables, const char *lang,
                                    const civ_workbook_options *options)
{
    if (!path || !tables)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_workbook_write: NULL path or tables");
    if (lang && lang[0] && strcmp(lang, "zh") && strcmp(lang, "en")) {
        civ_where wh = {.field = "lang"};
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &wh, "the workbook's language is \"zh\" or \"en\", not '%s'",
                           lang);
    }
    const civ_table *given[W_COUNT] = {
        [W_ALLOCATION] = tables->allocation, [W_SUMMARY] = tables->summary,
        [W_RULES] = tables->rules,           [W_NEED] = tables->need,
        [W_NEED_SUMMARY] = tables->need_summary, [W_UNCERTAINTY] = tables->uncertainty,
    };
    int zh = !lang || !lang[0] || !strcmp(lang, "zh");
    civ_alloc_labels labels;
    civ_status s = civ_alloc_labels_init(&labels, spec);
    civ_table *shown[W_COUNT] = {0};
    const char *names[W_COUNT];
    size_t n = 0;
    for (size_t k = 0; k < W_COUNT && !s; k++)
        if (given[k]) {
            civ_label_ctx ctx = {.zh = zh, .table = SHEETS[k].kind, .minor = spec ? civ_alloc_minor_name(spec) : NULL,
                                 .spec_label = civ_alloc_column_spec_label, .arg = &labels};
            s = sheet_table(given[k], &ctx, &shown[n]);
            if (!s)
                names[n++] = zh ? SHEETS[k].zh : SHEETS[k].en;
        }
    if (!s && !n) {
        civ_where wh = {.file = path};
        s = civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &wh, "the allocation workbook has no table to show: give the "
                                                       "allocation, the summary or another of its tables");
    }
    if (!s)
        s = civ_workbook_write(path, n, (const civ_table *const *)shown, names, options);
    for (size_t k = 0; k < n; k++)
        civ_table_free(shown[k]);
    civ_alloc_labels_free(&labels);
    return s;
}
