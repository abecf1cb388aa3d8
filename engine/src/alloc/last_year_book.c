/*
 * last_year_book.c -- alloc layer: last year's allocation as the plan's workbook wrote it (allocation.xlsx, sheet
 * 分配结果 or allocation, docs/ALLOCATION.md "Last year's allocation"): the sheet recognised, its headers (社区编号,
 * 民政养老补贴（分）, Community id, ...) mapped back to the machine names (unique_id, pool_<fund>_fen, ...) through
 * the same label table that wrote them (io/column_labels.c with the spec's labels), and its money checked where a
 * hand edit left the yuan and the fen of one amount apart.  Settlement and a reserve release read that sheet
 * the same way (civ_alloc_book_table, a copy under the machine names).
 *
 * The inverse is not a second list of headers: every column the allocation table can have for this spec (its
 * funds, factors, formulas) is labelled by civ_column_label with the spec's labels of workbook.c
 * (civ_alloc_column_spec_label), as the writer labels it, and a header takes the name whose label it is.  So a
 * header the writer changes is read back the same way, in both languages.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "c_locale.h"
#include "column_labels.h"
#include "table.h"
#include "xlsx_read.h"

/* The machine names the allocation table of this spec can have (alloc/output.c, docs/ALLOCATION.md "Outputs"),
 * in the table's column order, so that a label two columns share maps to the first, as the writer kept it. */
typedef struct names {
    size_t n, cap;
    char **v;
} names;

static int add(names *l, const char *fmt, ...)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return 0;
        l->v = v, l->cap = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    int len = civ_vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0 || !(l->v[l->n] = malloc((size_t)len + 1)))
        return 0;
    va_start(ap, fmt);
    civ_vsnprintf(l->v[l->n++], (size_t)len + 1, fmt, ap);
    va_end(ap);
    return 1;
}

static void names_free(names *l)
{
    for (size_t k = 0; k < l->n; k++)
        free(l->v[k]);
    free(l->v);
}

static civ_status candidates(const civ_alloc_labels *c, names *l)
{
    const civ_alloc_spec *s = c->s;
    const char *mi = civ_alloc_minor_name(s), *ma = civ_alloc_major_name(s);
    int ok = add(l, "unique_id") && add(l, "name") && add(l, "district") && add(l, "street");
    for (size_t k = 0; ok && k < s->n_labels; k++)
        ok = add(l, "%s", s->labels[k]);
    for (size_t u = 0; ok && u < c->f.n; u++)
        ok = add(l, "pool_%s_%s", c->f.name[u], mi) && add(l, "pool_%s_%s", c->f.name[u], ma);
    ok = ok && add(l, "amount_%s", mi) && add(l, "amount_%s", ma) && add(l, "share_pct");
    for (size_t k = 0; ok && k < s->n_factors; k++)
        ok = add(l, "factor_%s_%s", s->factors[k].name, mi);
    ok = ok && add(l, "unattributed_%s", mi) && add(l, "rounding_%s", mi);
    for (size_t k = 0; ok && k < s->n_formulas; k++)
        ok = add(l, "tilt_%s", s->formulas[k].name);
    ok = ok && add(l, "binding") && add(l, "last_year_%s", mi) && add(l, "last_year_%s", ma) &&
         add(l, "change_%s", mi) && add(l, "change_%s", ma) && add(l, "change_pct");
    for (size_t u = 0; ok && u < c->f.n; u++)
        ok = add(l, "last_year_%s_%s", c->f.name[u], mi) && add(l, "change_%s_%s", c->f.name[u], mi) &&
             add(l, "change_%s_pct", c->f.name[u]) && add(l, "paid_%s_%s", c->f.name[u], mi);
    ok = ok && add(l, "paid_%s", mi) && add(l, "total_%s", mi) && add(l, "population") && add(l, "aged") &&
         add(l, "explanation") && add(l, "mean_%s", mi) && add(l, "p5_%s", mi) && add(l, "p50_%s", mi) &&
         add(l, "p95_%s", mi);
    return ok ? CIV_OK : civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading last year's allocation");
}

/* The header workbook.c gives `column` in the allocation sheet, in Chinese (zh 1) or English, into buf. */
static const char *label_of(const civ_alloc_labels *c, int zh, const char *column, char *buf, size_t size)
{
    civ_label_ctx ctx = {.zh = zh, .table = "allocation", .minor = civ_alloc_minor_name(c->s),
                         .spec_label = civ_alloc_column_spec_label, .arg = (void *)c};
    const char *l = civ_column_label(&ctx, column, buf, size);
    if (l && l != buf)
        civ_snprintf(buf, size, "%s", l);
    return l ? buf : NULL;
}

const char *civ_alloc_book_label(const civ_alloc_spec *s, int zh, const char *column, char *buf, size_t size)
{
    civ_alloc_labels c = {.s = s};
    const char *l = NULL;
    if (zh >= 0 && !civ_alloc_funds_of(s, &c.f))
        l = label_of(&c, zh, column, buf, size);
    civ_alloc_funds_free(&c.f);
    if (!l)
        civ_snprintf(buf, size, "%s", column);
    return buf;
}

int civ_alloc_book_language(const civ_table *t)
{
    size_t c;
    if (!civ_table_find_column(t, "unique_id", &c))
        return -1;
    char buf[64];
    for (int zh = 1; zh >= 0; zh--) {
        civ_label_ctx ctx = {.zh = zh, .table = "allocation"};
        const char *l = civ_column_label(&ctx, "unique_id", buf, sizeof buf);
        if (l && !civ_table_find_column(t, l, &c))
            return zh;
    }
    civ_clear_error();
    return -1;
}

void civ_alloc_book_names_free(char **mapped, size_t n)
{
    for (size_t k = 0; mapped && k < n; k++)
        free(mapped[k]);
    free(mapped);
}

/* 1 when `name` is a fund's column pool_<fund>_<unit> (alloc/output.c). */
int civ_alloc_is_fund_column(const char *name, const char *unit)
{
    size_t L = strlen(name), lu = strlen(unit);
    return L > 6 + lu && !strncmp(name, "pool_", 5) && name[L - lu - 1] == '_' && !strcmp(name + L - lu, unit);
}

const char *civ_alloc_book_name_label(const civ_alloc_spec *s, int zh, const char *column, char *buf, size_t size)
{
    civ_label_ctx ctx = {.zh = zh, .table = "allocation", .minor = civ_alloc_minor_name(s)};
    const char *l = civ_column_label(&ctx, column, buf, size);
    if (l && l != buf)
        civ_snprintf(buf, size, "%s", l);
    return l ? buf : NULL;
}

/* Whether column j of t is mapped to, or headed, `name`. */
static int has_name(const civ_table *t, char *const *m, const char *name)
{
    for (size_t j = 0; j < civ_table_n_columns(t); j++)
        if (!strcmp(m[j] ? m[j] : civ_table_column_name(t, j), name))
            return 1;
    return 0;
}

/* A fund of this spec whose column the workbook heads by the fund's name, not by the label this spec gives it
 * (last year's spec had none, or another): found by its name too (民政养老补贴（分） or eldercare（分）). */
static civ_status unlabel_by_name(const civ_alloc_labels *c, const civ_table *t, int zh, char **m)
{
    const char *mi = civ_alloc_minor_name(c->s);
    char want[300], head[300];
    for (size_t u = 0; u < c->f.n; u++) {
        civ_snprintf(want, sizeof want, "pool_%s_%s", c->f.name[u], mi);
        if (has_name(t, m, want) || !civ_alloc_book_name_label(c->s, zh, want, head, sizeof head))
            continue;
        for (size_t j = 0; j < civ_table_n_columns(t); j++)
            if (!m[j] && civ_table_column_type(t, j) == CIV_COLUMN_NUMBER &&
                !strcmp(civ_table_column_name(t, j), head)) {
                if (!(m[j] = strdup(want)))
                    return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading an allocation");
                break;
            }
    }
    return CIV_OK;
}

/* The workbook's own summary sheet (分配汇总 / summary), read once when a fund's header needs it: its rows of
 * section 分配资金 / Fund hold each fund's name (项目 / Item) and the label the spec that wrote the workbook gave it
 * (名称 / Label), so a header <label>（分） written under another spec reads back as its fund. */
typedef struct book_summary {
    civ_table *t;
    size_t sec, item, label;
    int tried;
} book_summary;

static void summary_open(book_summary *b, const civ_table *t, int zh)
{
    const char *src = civ_table_source(t, NULL);
    b->tried = 1;
    if (!src || !civ_xlsx_is_workbook(src))
        return;
    char h[3][64];
    civ_label_ctx ctx = {.zh = zh, .table = "summary"};
    const char *col[3] = {"section", "item", "label"};
    for (int k = 0; k < 3; k++)
        civ_snprintf(h[k], sizeof h[k], "%s", civ_column_label(&ctx, col[k], h[k], sizeof h[k]));
    const char *text[] = {h[0], h[1], h[2], NULL};
    civ_table_read_options o = {.text_columns = text, .sheet = zh ? "分配汇总" : "summary"};
    civ_error saved = *civ_last_error();
    if (civ_table_read(src, &o, &b->t) || civ_table_find_column(b->t, h[0], &b->sec) ||
        civ_table_find_column(b->t, h[1], &b->item) || civ_table_find_column(b->t, h[2], &b->label)) {
        civ_table_free(b->t);
        b->t = NULL; /* no summary sheet (a workbook trimmed by hand): headers read as they are */
    }
    civ_error_restore(&saved);
}

/* The fund whose label in the summary is label[0..len): 1 with its name in buf when one fund has it; 0 when no
 * fund or several have it (ambiguous: the header is then left as it is, and named in the error). */
static int summary_fund(const book_summary *b, int zh, const char *label, size_t len, char *buf, size_t size)
{
    char word[192];
    civ_label_ctx ctx = {.zh = zh, .table = "summary"};
    const char *fund = civ_value_label(&ctx, "section", "fund", word, sizeof word);
    const char *found = NULL;
    for (size_t r = 0; b->t && r < civ_table_n_rows(b->t); r++) {
        const char *sec = civ_table_text(b->t, r, b->sec), *item = civ_table_text(b->t, r, b->item),
                   *lab = civ_table_text(b->t, r, b->label);
        if (!sec || !item || !lab || !*item || strcmp(sec, fund) || strlen(lab) != len || strncmp(lab, label, len))
            continue;
        if (found && strcmp(found, item))
            return 0;
        found = item;
    }
    if (found)
        civ_snprintf(buf, size, "%s", found);
    return found != NULL;
}

/* The funds this spec does not have (a fund discontinued since, or labelled otherwise): the workbook writes
 * every fund's column, headed <label>（分）, just before the total 分配金额（分）, so the unnamed columns of that run
 * are funds' too, and get the machine name pool_<header's text>_<minor> (eldercare+health（分） ->
 * pool_eldercare+health_fen, as the CSV names it; an English header's capital first letter, which the writer
 * adds, taken off unless the spec names the fund so).  Then the total is checked against every fund's column,
 * and a fund's column is never confused with the total. */
static civ_status unlabel_fund_run(const civ_alloc_labels *c, const civ_table *t, int zh, char **m)
{
    const civ_alloc_spec *s = c->s;
    const char *mi = civ_alloc_minor_name(s);
    char want[300], unit[100];
    size_t tot = SIZE_MAX, nc = civ_table_n_columns(t);
    civ_snprintf(want, sizeof want, "amount_%s", mi);
    for (size_t j = 0; j < nc && tot == SIZE_MAX; j++)
        if (m[j] && !strcmp(m[j], want))
            tot = j;
    if (tot == SIZE_MAX)
        return CIV_OK;
    civ_snprintf(want, sizeof want, "pool_\001_%s", mi); /* the unit after the label: （分）, " (fen)" */
    if (!civ_alloc_book_name_label(s, zh, want, unit, sizeof unit) || unit[0] != '\001')
        return CIV_OK;
    const char *suffix = unit + 1;
    size_t ls = strlen(suffix);
    book_summary b = {0};
    for (size_t j = tot; j-- > 0;) {
        const char *head = civ_table_column_name(t, j);
        size_t L = strlen(head);
        if (civ_table_column_type(t, j) != CIV_COLUMN_NUMBER)
            break;
        if (m[j]) {
            if (civ_alloc_is_fund_column(m[j], mi))
                continue;
            break;
        }
        if (L <= ls || strcmp(head + L - ls, suffix))
            break;
        civ_snprintf(want, sizeof want, "pool_%.*s_%s", (int)(L - ls), head, mi);
        int own = 0; /* the header is a fund's name of this spec */
        for (size_t u = 0; u < c->f.n; u++)
            own |= (int)(strlen(c->f.name[u]) == L - ls && !strncmp(c->f.name[u], head, L - ls));
        char name[200];
        if (!own && !b.tried)
            summary_open(&b, t, zh);
        if (!own && summary_fund(&b, zh, head, L - ls, name, sizeof name)) /* a label another spec wrote */
            civ_snprintf(want, sizeof want, "pool_%s_%s", name, mi);
        else if (!zh && want[5] >= 'A' && want[5] <= 'Z') {
            int known = 0;
            for (size_t u = 0; u < c->f.n; u++)
                known |= (int)(strlen(c->f.name[u]) == L - ls && !strncmp(c->f.name[u], head, L - ls));
            for (size_t q = 0; q < s->n_pools; q++)
                known |= s->pools[q].paid && !strcmp(s->pools[q].paid, want);
            if (!known)
                want[5] = (char)(want[5] - 'A' + 'a');
        }
        if (!has_name(t, m, want) && !(m[j] = strdup(want))) {
            civ_table_free(b.t);
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading an allocation");
        }
    }
    civ_table_free(b.t);
    return CIV_OK;
}

civ_status civ_alloc_book_unlabel(const civ_alloc_spec *s, const civ_table *t, int zh, char ***mapped)
{
    size_t nc = civ_table_n_columns(t);
    *mapped = NULL;
    civ_alloc_labels c = {.s = s};
    names l = {0};
    char **m = calloc(nc ? nc : 1, sizeof *m);
    unsigned char *used = NULL;
    civ_status st = m ? civ_alloc_funds_of(s, &c.f) : civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    if (!st)
        st = candidates(&c, &l);
    if (!st && !(used = calloc(l.n ? l.n : 1, 1)))
        st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading last year's allocation");
    for (size_t k = 0; !st && k < l.n; k++) { /* a machine name the sheet already has (a label that gave way) */
        size_t col;
        used[k] = !civ_table_find_column(t, l.v[k], &col);
    }
    civ_clear_error();
    for (size_t j = 0; !st && j < nc; j++) {
        const char *head = civ_table_column_name(t, j);
        for (size_t k = 0; k < l.n; k++) {
            char buf[256];
            const char *lab = used[k] ? NULL : label_of(&c, zh, l.v[k], buf, sizeof buf);
            if (lab && !strcmp(lab, head)) {
                used[k] = 1;
                if (!(m[j] = strdup(l.v[k])))
                    st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading last year's allocation");
                break;
            }
        }
    }
    free(used);
    names_free(&l);
    if (!st)
        st = unlabel_by_name(&c, t, zh, m);
    if (!st)
        st = unlabel_fund_run(&c, t, zh, m);
    civ_alloc_funds_free(&c.f);
    if (st)
        civ_alloc_book_names_free(m, nc);
    else
        *mapped = m;
    return st;
}

/* Column `name` (a machine name) of t under the mapping, or SIZE_MAX. */
static size_t find(const civ_table *t, char *const *mapped, const char *name)
{
    size_t nc = civ_table_n_columns(t);
    for (size_t j = 0; j < nc; j++)
        if (!strcmp(mapped && mapped[j] ? mapped[j] : civ_table_column_name(t, j), name))
            return j;
    return SIZE_MAX;
}

static void at_row(const civ_table *t, size_t r, char *buf, size_t size)
{
    const char *src = civ_table_source(t, NULL);
    long line = civ_table_row_line(t, r);
    if (line)
        civ_snprintf(buf, size, "%s:%ld", src ? src : "", line);
    else
        civ_snprintf(buf, size, "%s%sdata row %zu", src ? src : "", src && *src ? ", " : "", r + 1);
}

/* 1. an amount in both units (amount_<minor> and amount_<major>, pool_<fund>_<minor> and _<major>): the same
 * money, to the minor unit */
static civ_status check_both_units(const civ_alloc_spec *s, const civ_table *t, char *const *mapped, size_t idc,
                                   const char *what)
{
    const char *mi = civ_alloc_minor_name(s), *ma = civ_alloc_major_name(s);
    size_t nc = civ_table_n_columns(t), nr = civ_table_n_rows(t);
    int digits = civ_alloc_money_digits(s->minor_digits);
    char want[300];
    for (size_t j = 0; j < nc; j++) {
        const char *nm = mapped && mapped[j] ? mapped[j] : civ_table_column_name(t, j);
        size_t L = strlen(nm), lm = strlen(mi);
        if (L <= lm + 1 || strcmp(nm + L - lm, mi) || nm[L - lm - 1] != '_' ||
            (strncmp(nm, "amount_", 7) && strncmp(nm, "pool_", 5)) || civ_table_column_type(t, j) != CIV_COLUMN_NUMBER)
            continue;
        civ_snprintf(want, sizeof want, "%.*s%s", (int)(L - lm), nm, ma);
        size_t k = find(t, mapped, want);
        if (k == SIZE_MAX || civ_table_column_type(t, k) != CIV_COLUMN_NUMBER)
            continue;
        const double *minor = civ_table_numbers(t, j), *major = civ_table_numbers(t, k);
        for (size_t r = 0; r < nr; r++) {
            if (!isfinite(minor[r]) || !isfinite(major[r]) ||
                fabs(major[r] * (double)s->minor_unit - minor[r]) < 0.5)
                continue;
            char at[600], a[64], b[64];
            at_row(t, r, at, sizeof at);
            const char *id = civ_table_text(t, r, idc);
            civ_alloc_format_major((int64_t)llround(minor[r]), digits, b, sizeof b);
            civ_where w = {.file = civ_table_source(t, NULL), .line = civ_table_row_line(t, r),
                           .column = civ_table_row_line(t, r) ? (long)k + 1 : 0, .series_id = id,
                           .field = civ_table_column_name(t, k)};
            civ_snprintf(a, sizeof a, "%.*f", digits, major[r]);
            return civ_fail_at(CIV_ERR_DOMAIN, &w,
                               "%s (%s): community '%s' has %s in '%s' but %.0f in '%s' (%s %s): the %s and the %s "
                               "disagree (a cell edited in one unit only?); its amounts are read in %s: correct "
                               "'%s' to the amount it got, then make '%s' agree",
                               what, at, id ? id : "", a, civ_table_column_name(t, k), minor[r], civ_table_column_name(t, j),
                               b, ma, ma, mi, mi, civ_table_column_name(t, j), civ_table_column_name(t, k));
        }
    }
    return CIV_OK;
}

/* 2. the total in the minor unit against every fund's column the file has (pool_<fund>_<minor>, else its
 * pool_<fund>_<major>), this spec's funds and the others (a fund discontinued since: its money is in the total
 * too), when the file has a column of each of this spec's funds (else the missing one is named when the funds
 * are read): which one was edited cannot be told */
static civ_status check_total(const civ_alloc_spec *s, const civ_table *t, char *const *mapped, size_t idc,
                              const char *what)
{
    const char *mi = civ_alloc_minor_name(s), *ma = civ_alloc_major_name(s);
    size_t nr = civ_table_n_rows(t), nc = civ_table_n_columns(t);
    char want[300], twin[300];
    size_t tot = find(t, mapped, (civ_snprintf(want, sizeof want, "amount_%s", mi), want)), n_pools = 0, u;
    civ_alloc_funds f = {0};
    civ_status st = civ_alloc_funds_of(s, &f);
    size_t *pools = st ? NULL : malloc((nc ? nc : 1) * sizeof *pools);
    double *scale = st ? NULL : malloc((nc ? nc : 1) * sizeof *scale);
    if (!pools || !scale) {
        civ_alloc_funds_free(&f);
        free(pools), free(scale);
        return st ? st : civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading last year's allocation");
    }
    for (u = 0; u < f.n; u++) { /* every fund of the spec has its column */
        size_t j = find(t, mapped, (civ_snprintf(want, sizeof want, "pool_%s_%s", f.name[u], mi), want)),
               k = find(t, mapped, (civ_snprintf(want, sizeof want, "pool_%s_%s", f.name[u], ma), want));
        if ((j == SIZE_MAX || civ_table_column_type(t, j) != CIV_COLUMN_NUMBER) &&
            (k == SIZE_MAX || civ_table_column_type(t, k) != CIV_COLUMN_NUMBER))
            break;
    }
    for (size_t j = 0; u == f.n && j < nc; j++) {
        const char *nm = mapped && mapped[j] ? mapped[j] : civ_table_column_name(t, j);
        if (civ_table_column_type(t, j) != CIV_COLUMN_NUMBER)
            continue;
        if (civ_alloc_is_fund_column(nm, mi)) {
            pools[n_pools] = j, scale[n_pools++] = 1;
        } else if (civ_alloc_is_fund_column(nm, ma)) { /* in yuan only: its fen twin absent */
            civ_snprintf(twin, sizeof twin, "%.*s%s", (int)(strlen(nm) - strlen(ma)), nm, mi);
            size_t k = find(t, mapped, twin);
            if (k == SIZE_MAX || civ_table_column_type(t, k) != CIV_COLUMN_NUMBER)
                pools[n_pools] = j, scale[n_pools++] = (double)s->minor_unit;
        }
    }
    civ_alloc_funds_free(&f);
    if (tot != SIZE_MAX && n_pools && civ_table_column_type(t, tot) == CIV_COLUMN_NUMBER)
        for (size_t r = 0; r < nr && !st; r++) {
            double sum = 0, v = civ_table_number(t, r, tot);
            for (size_t q = 0; q < n_pools; q++)
                sum += scale[q] == 1 ? civ_table_number(t, r, pools[q])
                                     : nearbyint(civ_table_number(t, r, pools[q]) * scale[q]);
            if (!isfinite(sum) || !isfinite(v) || fabs(sum - v) < 0.5)
                continue;
            char at[600], parts[400] = "";
            for (size_t q = 0; q < n_pools; q++) {
                size_t L = strlen(parts);
                if (L < sizeof parts - 80)
                    civ_snprintf(parts + L, sizeof parts - L, "%s'%s' %.*f", q ? " + " : "",
                                 civ_table_column_name(t, pools[q]), scale[q] == 1 ? 0 : s->minor_digits,
                                 civ_table_number(t, r, pools[q]));
            }
            at_row(t, r, at, sizeof at);
            const char *id = civ_table_text(t, r, idc);
            civ_where w = {.file = civ_table_source(t, NULL), .line = civ_table_row_line(t, r),
                           .column = civ_table_row_line(t, r) ? (long)tot + 1 : 0, .series_id = id,
                           .field = civ_table_column_name(t, tot)};
            st = civ_fail_at(CIV_ERR_DOMAIN, &w,
                             "%s (%s): community '%s' has %.0f in '%s' but its funds' columns sum to %.0f (%s): "
                             "a cell edited and not the other? Each fund's amount is read from its own column: "
                             "correct the one that is wrong, so that they agree",
                             what, at, id ? id : "", v, civ_table_column_name(t, tot), sum, parts);
        }
    free(pools), free(scale);
    return st;
}

civ_status civ_alloc_book_check(const civ_alloc_spec *s, const civ_table *t, char *const *mapped, size_t idc,
                                 const char *what)
{
    civ_status st = check_both_units(s, t, mapped, idc, what);
    return st ? st : check_total(s, t, mapped, idc, what);
}

civ_status civ_alloc_book_table(const civ_alloc_spec *s, const civ_table *t, civ_table **out)
{
    *out = NULL;
    int lang = civ_alloc_book_language(t);
    size_t nc = civ_table_n_columns(t), nr = civ_table_n_rows(t), idc = SIZE_MAX;
    if (lang < 0) { /* machine names (allocation.csv, allocate --out a.xlsx): checked, read as they are */
        if ((!civ_table_find_column(t, "unique_id", &idc) || !civ_table_find_column(t, s->id_column, &idc)) &&
            civ_table_column_type(t, idc) == CIV_COLUMN_TEXT)
            return civ_alloc_book_check(s, t, NULL, idc, "the allocation");
        return CIV_OK; /* no text id: refused where the id is read */
    }
    char **mapped = NULL;
    civ_status st = civ_alloc_book_unlabel(s, t, lang, &mapped);
    for (size_t j = 0; !st && j < nc; j++)
        if (mapped[j] && !strcmp(mapped[j], "unique_id") && civ_table_column_type(t, j) == CIV_COLUMN_TEXT)
            idc = j;
    if (!st && idc == SIZE_MAX) { /* 社区编号 read as numbers: refused where the id is read */
        civ_alloc_book_names_free(mapped, nc);
        return CIV_OK;
    }
    if (!st)
        st = civ_alloc_book_check(s, t, mapped, idc, "the allocation");
    civ_table *c = NULL;
    if (!st)
        st = civ_table_create(&c);
    for (size_t j = 0; !st && j < nc; j++)
        st = civ_table_add_column(c, mapped[j] ? mapped[j] : civ_table_column_name(t, j),
                                  civ_table_column_type(t, j), NULL);
    if (!st)
        st = civ_table_add_rows(c, nr, NULL);
    for (size_t j = 0; !st && j < nc; j++) {
        if (civ_table_column_type(t, j) == CIV_COLUMN_NUMBER) {
            st = civ_table_set_numbers(c, j, 0, civ_table_numbers(t, j), nr);
            continue;
        }
        for (size_t r = 0; r < nr && !st; r++) {
            const char *v = civ_table_text(t, r, j);
            if (v && v[0])
                st = civ_table_set_text_pooled(c, r, j, v, strlen(v));
        }
    }
    /* errors still name the file, its lines and the rows as the sheet's */
    if (!st && t->source && !(c->source = strdup(t->source)))
        st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading an allocation");
    if (!st) {
        c->first_row = t->first_row, c->csv_lines = t->csv_lines, c->first_line = t->first_line;
        *out = c;
    } else {
        civ_table_free(c);
    }
    civ_alloc_book_names_free(mapped, nc);
    return st;
}

/* The spec's text columns and their headers in the workbook, in both languages (社区编号, Community id, ...), so
 * that a code such as 310101001 under 社区编号 stays text; *out is NULL-terminated, freed with free() (one block). */
static civ_status book_text_columns(const civ_alloc_spec *s, const char ***out)
{
    const char *const *tc = civ_alloc_spec_text_columns(s);
    size_t n = 0, bytes = 0;
    while (tc && tc[n])
        n++;
    char buf[3][256];
    for (size_t k = 0; k < n; k++)
        for (int zh = 0; zh < 2; zh++)
            bytes += strlen(civ_alloc_book_label(s, zh, tc[k], buf[zh], sizeof buf[zh])) + 1;
    const char **v = malloc((3 * n + 1) * sizeof *v + bytes);
    if (!v)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading last year's allocation");
    char *p = (char *)(v + 3 * n + 1);
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        v[m++] = tc[k];
        for (int zh = 0; zh < 2; zh++) {
            const char *l = civ_alloc_book_label(s, zh, tc[k], buf[zh], sizeof buf[zh]);
            v[m++] = strcpy(p, l), p += strlen(l) + 1;
        }
    }
    v[m] = NULL;
    *out = v;
    return CIV_OK;
}

/* The sheets of a workbook civicast wrote (workbook.c's names): the allocation sheet in Chinese and English. */
static const char *const book_sheet[2] = {"allocation", "分配结果"};

/* civ_alloc_book_read for `what` ("last year's allocation", "the allocation"), whose sheet the user names with
 * `cure` ("--last-year-sheet NAME (Python: last_year_sheet=\"NAME\")") when none is civicast's. */
static civ_status book_read(const civ_alloc_spec *s, const char *path, const civ_table_read_options *options,
                            const char *what, const char *cure, civ_table **out)
{
    *out = NULL;
    civ_table_read_options o = *options;
    const char **tc = NULL;
    civ_status st = book_text_columns(s, &tc);
    if (st)
        return st;
    o.text_columns = tc;
    st = civ_table_read(path, &o, out);
    if (st == CIV_ERR_NOT_FOUND && !(o.sheet && o.sheet[0]) && civ_xlsx_is_workbook(path)) {
        /* several sheets: civicast's own workbook is read at its allocation sheet, known by its name and its
         * header (社区编号 in 分配结果, Community id in allocation), so an office's sheet of that name but another
         * shape is not taken for it */
        civ_error saved = *civ_last_error();
        for (int zh = 1; zh >= 0 && st; zh--) {
            civ_table *t = NULL;
            o.sheet = book_sheet[zh];
            if (!civ_table_read(path, &o, &t) && civ_alloc_book_language(t) == zh)
                *out = t, st = CIV_OK;
            else
                civ_table_free(t);
        }
        if (st) {
            char head[512];
            const char *cut = strstr(saved.message, ": name the one");
            civ_snprintf(head, sizeof head, "%.*s", cut ? (int)(cut - saved.message) : (int)strlen(saved.message),
                         saved.message);
            civ_where w = {.file = saved.file, .line = saved.line};
            st = civ_fail_at(CIV_ERR_NOT_FOUND, &w,
                             "%s: %s, and none is the allocation sheet civicast writes (分配结果 headed 社区编号, or "
                             "allocation headed Community id): name the one to read with %s",
                             what, head, cure);
        }
    }
    free(tc);
    return st;
}

civ_status civ_alloc_book_read(const civ_alloc_spec *s, const char *path, const civ_table_read_options *options,
                               civ_table **out)
{
    return book_read(s, path, options, "last year's allocation",
                     "--last-year-sheet NAME (Python: last_year_sheet=\"NAME\")", out);
}

civ_status civ_alloc_allocation_read(const civ_alloc_spec *spec, const char *path,
                                     const civ_table_read_options *options, civ_table **out)
{
    if (out)
        *out = NULL;
    if (!spec || !path || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_allocation_read: NULL argument");
    civ_table_read_options o = {0};
    if (options)
        o = *options;
    return civ_error_name_file(book_read(spec, path, &o, "the allocation", "--sheet NAME (Python: sheet=\"NAME\")",
                                         out), path);
}
