/*
 * output.c -- alloc layer: the allocation and summary tables built from a
 * solved civ_alloc_result (docs/ALLOCATION.md "Outputs"), with the per-row
 * explanation text.
 */
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "c_locale.h"
#include "csv.h"
#include "strmap.h"
#include "table.h"
#include "threads.h"

const char *civ_alloc_unit_name(const char *currency, int64_t minor_unit, int major)
{
    int cny = !currency || !strcmp(currency, "CNY");
    if (major)
        return cny ? "yuan" : "major";
    return cny && minor_unit == 100 ? "fen" : "minor";
}

const char *civ_alloc_minor_name(const civ_alloc_spec *s) { return civ_alloc_unit_name(s->currency, s->minor_unit, 0); }

const char *civ_alloc_major_name(const civ_alloc_spec *s) { return civ_alloc_unit_name(s->currency, s->minor_unit, 1); }

static int has_suffix(const char *name, const char *unit)
{
    size_t nl = strlen(name), ul = strlen(unit);
    return nl > ul && name[nl - ul - 1] == '_' && !strcmp(name + nl - ul, unit);
}

/* A Chinese unit character in one of the brackets sheets put after a header, or after 单位：. */
static int marks_unit(const char *name, const char *unit)
{
    static const char *const forms[] = {"（%s）", "(%s)", "[%s]", "【%s】", "单位：%s", "单位:%s"};
    for (size_t k = 0; k < sizeof forms / sizeof *forms; k++) {
        char mark[32];
        civ_snprintf(mark, sizeof mark, forms[k], unit);
        if (strstr(name, mark))
            return 1;
    }
    return 0;
}

civ_unit_mark civ_alloc_column_unit(const civ_alloc_spec *s, const char *name)
{
    int cny = !s->currency || !strcmp(s->currency, "CNY");
    if (cny && strstr(name, "万元"))
        return CIV_UNIT_MARK_WAN;
    /* "已拨金额_分", "已拨金额_元": a sheet's header written as civicast writes its own (paid_fen) */
    if (has_suffix(name, civ_alloc_minor_name(s)) || (cny && (marks_unit(name, "分") || has_suffix(name, "分"))))
        return CIV_UNIT_MARK_MINOR;
    if (has_suffix(name, civ_alloc_major_name(s)) || (cny && (marks_unit(name, "元") || has_suffix(name, "元"))))
        return CIV_UNIT_MARK_MAJOR;
    return CIV_UNIT_MARK_NONE;
}

const char *civ_alloc_unit_mark_name(const civ_alloc_spec *s, civ_unit_mark mark)
{
    return mark == CIV_UNIT_MARK_WAN     ? "万元 (10,000 yuan)"
           : mark == CIV_UNIT_MARK_MINOR ? civ_alloc_minor_name(s)
                                         : civ_alloc_major_name(s);
}

char *civ_alloc_major_header(const civ_alloc_spec *s, const char *name, char *buf, size_t size)
{
    const char *mi = civ_alloc_minor_name(s), *ma = civ_alloc_major_name(s);
    int cny = !s->currency || !strcmp(s->currency, "CNY");
    size_t nl = strlen(name);
    if (has_suffix(name, mi)) /* paid_fen -> paid_yuan */
        civ_snprintf(buf, size, "%.*s%s", (int)(nl - strlen(mi)), name, ma);
    else if (cny && has_suffix(name, "分")) /* 已拨金额_分 -> 已拨金额_元 */
        civ_snprintf(buf, size, "%.*s元", (int)(nl - strlen("分")), name);
    else {
        static const char *const forms[] = {"（分）", "(分)", "[分]", "【分】", "单位：分", "单位:分"};
        const char *at = NULL;
        size_t k = 0;
        for (; cny && k < sizeof forms / sizeof *forms && !(at = strstr(name, forms[k])); k++)
            ;
        if (at) { /* 已拨金额（分） -> 已拨金额（元）: the 分 is the form's last character, or the one before its bracket */
            size_t fl = strlen(forms[k]), fen_at = strstr(forms[k], "分") - forms[k];
            civ_snprintf(buf, size, "%.*s%.*s元%s", (int)(at - name), name, (int)fen_at, forms[k],
                         forms[k] + fen_at + strlen("分"));
            size_t L = strlen(buf);
            if (L < size)
                civ_snprintf(buf + L, size - L, "%s", at + fl);
        } else
            civ_snprintf(buf, size, "%s_%s", name, ma);
    }
    return buf;
}

void civ_alloc_fraction_cure(const civ_alloc_spec *s, const char *col, const double *v, size_t n, size_t r,
                             const char *rename, char *buf, size_t size)
{
    const char *mi = civ_alloc_minor_name(s), *ma = civ_alloc_major_name(s);
    const int d = civ_alloc_money_digits(s->minor_digits);
    const double per = (double)s->minor_unit;
    size_t fractions = 0, major_like = 0;
    /* x read as major units has at most d decimals when x * minor_unit (= 10^d) is whole */
    for (size_t i = 0; i < n; i++) {
        double x = v[i], m = x * per;
        if (!isfinite(x) || fabs(x - nearbyint(x)) <= 0.01)
            continue;
        fractions++;
        major_like += fabs(m - nearbyint(m)) <= fmax(1e-6, 8 * (nextafter(fabs(m), INFINITY) - fabs(m)));
    }
    double m = v[r] * per;
    char head[256];
    civ_alloc_major_header(s, col, head, sizeof head);
    if (fabs(m - nearbyint(m)) > fmax(1e-6, 8 * (nextafter(fabs(m), INFINITY) - fabs(m))))
        civ_snprintf(buf, size, "nor is it an amount in %s (more than the currency's %d decimals): correct the cell",
                     ma, d);
    else if (fractions > 1 && major_like == fractions)
        civ_snprintf(buf, size, "%zu of the column's %zu values have decimals, none more than %d, as amounts in %s "
                     "do: the column holds %s, not %s: head it '%s' (read exactly to the %s)%s",
                     fractions, n, d, ma, ma, mi, head, mi, rename);
    else
        civ_snprintf(buf, size, "if the column holds %s, head it '%s' (read exactly to the %s)%s; if %s, correct the "
                     "cell", ma, head, mi, rename, mi);
}

char *civ_alloc_format_major(int64_t v, int digits, char *buf, size_t size)
{
    char tmp[CIV_CSV_NUMBER_SIZE]; /* digits from the integer, without printf */
    size_t len = (size_t)civ_numfmt_minor(v, civ_alloc_money_digits(digits), tmp);
    if (size) {
        if (len >= size)
            len = size - 1;
        memcpy(buf, tmp, len);
        buf[len] = '\0';
    }
    return buf;
}

static const char *binding_name(unsigned char b)
{
    if (b & CIV_BIND_HOLD_HARMLESS)
        return "hold_harmless";
    if (b & CIV_BIND_FLOOR)
        return "floor";
    if (b & CIV_BIND_PACE)
        return "pace";
    if (b & CIV_BIND_CAP)
        return "cap";
    return "";
}

typedef struct tb {
    civ_table *t;
    civ_status st;
} tb;

static size_t add_col(tb *b, const char *name, civ_column_type type)
{
    size_t k = 0;
    if (!b->st)
        b->st = civ_table_add_column(b->t, name, type, &k);
    return k;
}
static void set_num(tb *b, size_t row, size_t col, double v)
{
    if (!b->st)
        b->st = civ_table_set_number(b->t, row, col, v);
}
/* Text cells go to the column's string pool: no malloc per cell. */
static void set_txt(tb *b, size_t row, size_t col, const char *v)
{
    if (!b->st)
        b->st = civ_table_set_text_pooled(b->t, row, col, v, v ? strlen(v) : 0);
}

/* The allocation table's columns (indices into the table being built). */
typedef struct acols {
    size_t id, label0, district, unit0, amt, major, share, f0, un, rd, t0, bind, ly, ly_major, ch, ch_major, chp, ex;
    size_t paid0, paid, total; /* reserve release: paid_<fund>_<minor>..., paid_<minor>, total_<minor> */
    size_t fund0; /* per fund with a history: last_year_<fund>_<minor>, change_<fund>_<minor>, change_<fund>_pct */
    size_t pop, aged; /* [data] population / aged, when named */
    int has_district, has_pop, has_aged;
} acols;

static int has_label(const civ_alloc_problem *p, const char *name)
{
    for (size_t j = 0; j < p->n_labels; j++)
        if (!strcmp(p->label_names[j], name))
            return 1;
    return 0;
}

/* One number column "<prefix>_<fund>_<minor>" per fund, in fund order; returns the first one's index. */
static size_t add_unit_cols(tb *b, const civ_alloc_problem *p, const char *prefix, const char *mi)
{
    char name[160];
    size_t first = 0;
    for (size_t u = 0; u < p->n_units; u++) {
        civ_snprintf(name, sizeof name, "%s_%s_%s", prefix, p->units[u].name, mi);
        size_t k = add_col(b, name, CIV_COLUMN_NUMBER);
        if (u == 0)
            first = k;
    }
    return first;
}

/* unique_id, the label columns and district (unless a label has that name). */
static void add_label_cols(tb *b, const civ_alloc_problem *p, acols *c)
{
    c->id = add_col(b, "unique_id", CIV_COLUMN_TEXT);
    c->has_district = 1;
    for (size_t j = 0; j < p->n_labels; j++) {
        size_t k = add_col(b, p->label_names[j], CIV_COLUMN_TEXT);
        if (j == 0)
            c->label0 = k;
        c->has_district &= strcmp(p->label_names[j], "district") != 0;
    }
    if (c->has_district)
        c->district = add_col(b, "district", CIV_COLUMN_TEXT);
}

/* The amounts: per fund, in total, the share, per factor, unattributed, rounding and the tilts. */
static void add_amount_cols(tb *b, const civ_alloc_problem *p, acols *c)
{
    const civ_alloc_spec *s = p->spec;
    const char *mi = civ_alloc_minor_name(s), *ma = civ_alloc_major_name(s);
    char name[160];
    c->unit0 = add_unit_cols(b, p, "pool", mi);
    civ_snprintf(name, sizeof name, "amount_%s", mi);
    c->amt = add_col(b, name, CIV_COLUMN_NUMBER);
    civ_snprintf(name, sizeof name, "amount_%s", ma);
    c->major = add_col(b, name, CIV_COLUMN_TEXT);
    c->share = add_col(b, "share_pct", CIV_COLUMN_NUMBER);
    for (size_t k = 0; k < s->n_factors; k++) {
        civ_snprintf(name, sizeof name, "factor_%s_%s", s->factors[k].name, mi);
        size_t col = add_col(b, name, CIV_COLUMN_NUMBER);
        if (k == 0)
            c->f0 = col;
    }
    civ_snprintf(name, sizeof name, "unattributed_%s", mi);
    c->un = add_col(b, name, CIV_COLUMN_NUMBER);
    civ_snprintf(name, sizeof name, "rounding_%s", mi);
    c->rd = add_col(b, name, CIV_COLUMN_NUMBER);
    for (size_t f = 0; f < s->n_formulas; f++) {
        if (s->n_formulas == 1)
            civ_snprintf(name, sizeof name, "tilt");
        else
            civ_snprintf(name, sizeof name, "tilt_%s", s->formulas[f].name);
        size_t col = add_col(b, name, CIV_COLUMN_NUMBER);
        if (f == 0)
            c->t0 = col;
    }
}

/* Last year and the change, in total; what was paid (reserve release); per fund with a history. */
static void add_history_cols(tb *b, const civ_alloc_problem *p, acols *c)
{
    const civ_alloc_spec *s = p->spec;
    const char *mi = civ_alloc_minor_name(s), *ma = civ_alloc_major_name(s);
    char name[160];
    civ_snprintf(name, sizeof name, "last_year_%s", mi);
    c->ly = add_col(b, name, CIV_COLUMN_NUMBER);
    civ_snprintf(name, sizeof name, "last_year_%s", ma);
    c->ly_major = add_col(b, name, CIV_COLUMN_TEXT);
    civ_snprintf(name, sizeof name, "change_%s", mi);
    c->ch = add_col(b, name, CIV_COLUMN_NUMBER);
    civ_snprintf(name, sizeof name, "change_%s", ma);
    c->ch_major = add_col(b, name, CIV_COLUMN_TEXT);
    c->chp = add_col(b, "change_pct", CIV_COLUMN_NUMBER);
    if (p->paid) {
        c->paid0 = add_unit_cols(b, p, "paid", mi);
        civ_snprintf(name, sizeof name, "paid_%s", mi);
        c->paid = add_col(b, name, CIV_COLUMN_NUMBER);
        civ_snprintf(name, sizeof name, "total_%s", mi);
        c->total = add_col(b, name, CIV_COLUMN_NUMBER);
    }
    c->fund0 = 0;
    for (size_t u = 0, first = 1; u < p->n_units; u++) {
        if (!p->unit_has_last[u])
            continue;
        civ_snprintf(name, sizeof name, "last_year_%s_%s", p->units[u].name, mi);
        size_t k = add_col(b, name, CIV_COLUMN_NUMBER);
        if (first)
            c->fund0 = k, first = 0;
        civ_snprintf(name, sizeof name, "change_%s_%s", p->units[u].name, mi);
        add_col(b, name, CIV_COLUMN_NUMBER);
        civ_snprintf(name, sizeof name, "change_%s_pct", p->units[u].name);
        add_col(b, name, CIV_COLUMN_NUMBER);
    }
}

static acols alloc_columns(tb *b, const civ_alloc_problem *p, int explain)
{
    const civ_alloc_spec *s = p->spec;
    acols c = {0};
    add_label_cols(b, p, &c);
    add_amount_cols(b, p, &c);
    c.bind = add_col(b, "binding", CIV_COLUMN_TEXT);
    add_history_cols(b, p, &c);
    /* the per-capita bases, when [data] names them (a label column of the
     * same name keeps its place) */
    c.has_pop = s->population && !has_label(p, "population");
    c.has_aged = s->aged && !has_label(p, "aged");
    c.pop = c.has_pop ? add_col(b, "population", CIV_COLUMN_NUMBER) : 0;
    c.aged = c.has_aged ? add_col(b, "aged", CIV_COLUMN_NUMBER) : 0;
    c.ex = explain ? add_col(b, "explanation", CIV_COLUMN_TEXT) : 0;
    return c;
}

/* Community i's last-year funding in minor units (rounded to the nearest
 * unit; -1 when the data has none): [data] last_year, else the sum of the
 * funds' own histories when every fund has one (a total compared with the
 * history of only some of its funds would mislead). */
int64_t civ_alloc_total_last_minor(const civ_alloc_problem *p, size_t i)
{
    double ly = p->report_last_year[i];
    if (!isnan(ly))
        return (int64_t)llround(ly * (double)p->spec->minor_unit);
    int64_t sum = 0;
    for (size_t u = 0; u < p->n_units; u++) {
        int64_t v = civ_alloc_unit_last_minor(p, u, i);
        if (v < 0)
            return -1;
        sum += v;
    }
    return p->n_units ? sum : -1;
}

int64_t civ_alloc_unit_last_minor(const civ_alloc_problem *p, size_t u, size_t i)
{
    double ly = p->last_year[u * p->n + i];
    return isnan(ly) ? -1 : (int64_t)llround(ly * (double)p->spec->minor_unit);
}

int64_t civ_alloc_unit_year_minor(const civ_alloc_problem *p, const civ_alloc_result *r, size_t u, size_t i)
{
    return r->unit_amount[u * p->n + i] + (p->paid ? p->paid[u * p->n + i] : 0);
}

/* change_pct: 100 x change / last year, 2 decimals (NaN when last year is 0) */
static double change_pct(int64_t a, int64_t ly)
{
    return ly > 0 ? round(10000.0 * (double)(a - ly) / (double)ly) / 100 : NAN;
}

/* A growing text buffer (a block of CSV rows), kept across blocks. */
typedef struct obuf {
    char *data;
    size_t len, cap;
} obuf;

/* Where put_row's cells go, in column order: cells of table row `row` (b
 * set), or CSV text appended to o (the bytes civ_table_write_csv_opts would
 * write for that row, with opt). */
typedef struct emit {
    tb *b;
    size_t row, col;
    obuf *o;
    const civ_csv_write_options *opt;
    civ_status st; /* CSV: out of memory, or an infinite number */
} emit;

/* Room for n more bytes of CSV text. */
static int e_room(emit *e, size_t n)
{
    obuf *o = e->o;
    if (e->st)
        return 0;
    if (o->len + n <= o->cap)
        return 1;
    size_t cap = 2 * o->cap > o->len + n + 65536 ? 2 * o->cap : o->len + n + 65536;
    char *d = realloc(o->data, cap);
    if (!d) {
        e->st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory formatting CSV rows");
        return 0;
    }
    o->data = d, o->cap = cap;
    return 1;
}

static void e_num(emit *e, double v)
{
    if (e->b) {
        set_num(e->b, e->row, e->col++, v);
        return;
    }
    if (!e_room(e, CIV_CSV_NUMBER_SIZE + 1))
        return;
    if (e->col++)
        e->o->data[e->o->len++] = ',';
    int n = civ_csv_format_rounded(v, e->opt->significant_digits, e->opt->min_decimals, e->o->data + e->o->len);
    if (n < 0)
        e->st = civ_fail(CIV_ERR_DOMAIN, "cannot write an infinite value");
    else
        e->o->len += (size_t)n;
}

/* A text cell of len = strlen(v) bytes; NULL or "" is an empty cell (a
 * NULL cell of the table). */
static void e_txt_len(emit *e, const char *v, size_t len)
{
    if (e->b) {
        set_txt(e->b, e->row, e->col++, v);
        return;
    }
    if (!e_room(e, 2 * len + 4))
        return;
    if (e->col++)
        e->o->data[e->o->len++] = ',';
    if (len) /* the table holds at least two columns: an empty cell needs no quotes */
        e->o->len += civ_csv_text_cell(v, len, 0, e->o->data + e->o->len);
}

/* Money: minor units v as major text ("1234.05").  Its CSV text needs no
 * quotes and no formula guard (a plain decimal number, "-" only as a sign),
 * so it goes straight to the buffer. */
static void e_money(emit *e, int64_t v, int digits)
{
    if (e->b) {
        char mj[CIV_CSV_NUMBER_SIZE];
        set_txt(e->b, e->row, e->col++, civ_alloc_format_major(v, digits, mj, sizeof mj));
        return;
    }
    if (!e_room(e, CIV_CSV_NUMBER_SIZE + 1))
        return;
    if (e->col++)
        e->o->data[e->o->len++] = ',';
    e->o->len += (size_t)civ_numfmt_minor(v, civ_alloc_money_digits(digits), e->o->data + e->o->len);
}

static void e_txt(emit *e, const char *v) { e_txt_len(e, v, v ? strlen(v) : 0); }

static void e_end(emit *e)
{
    if (!e->b && e_room(e, 1))
        e->o->data[e->o->len++] = '\n';
}

/* The per-fund history columns of one row. */
static void fund_history_cells(emit *e, const civ_alloc_problem *p, const civ_alloc_result *r, size_t i)
{
    for (size_t u = 0; u < p->n_units; u++) {
        if (!p->unit_has_last[u])
            continue;
        int64_t ly = civ_alloc_unit_last_minor(p, u, i), a = civ_alloc_unit_year_minor(p, r, u, i);
        e_num(e, ly >= 0 ? (double)ly : NAN);
        e_num(e, ly >= 0 ? (double)(a - ly) : NAN);
        e_num(e, ly >= 0 ? change_pct(a, ly) : NAN);
    }
}

/* The distinct binding names of community i over its funds, joined by '+'
 * into bn (room for all four names). */
static void binding_names(const civ_alloc_problem *p, const civ_alloc_result *r, size_t i, char *bn)
{
    size_t L = 0;
    bn[0] = '\0';
    for (size_t u = 0; u < p->n_units; u++) {
        const char *nm = binding_name(r->binding[u * p->n + i]);
        if (nm[0] && !strstr(bn, nm)) {
            if (L)
                bn[L++] = '+';
            size_t k = strlen(nm);
            memcpy(bn + L, nm, k + 1);
            L += k;
        }
    }
}

/* Community i's (id order) cells, in the order of alloc_columns. */
static void put_row(emit *e, const acols *c, const civ_alloc_problem *p, const civ_alloc_result *r, int explain,
                    int64_t total, size_t i)
{
    const civ_alloc_spec *s = p->spec;
    size_t n = p->n, K = s->n_factors, U = p->n_units, F = s->n_formulas;
    int dg = s->minor_digits;
    char ex[4096], bn[64];
    double parts[64]; /* the factor parts, for the columns and the explanation */
    const int have_parts = K <= sizeof parts / sizeof *parts;
    e_txt(e, p->ids[i]);
    for (size_t j = 0; j < p->n_labels; j++)
        e_txt(e, p->labels[j * n + i]);
    if (c->has_district)
        e_txt(e, p->districts[i]);
    for (size_t u = 0; u < U; u++)
        e_num(e, (double)r->unit_amount[u * n + i]);
    int64_t a = r->amount[i];
    e_num(e, (double)a);
    e_money(e, a, dg);
    e_num(e, total > 0 ? round(1e6 * (double)a / (double)total) / 1e4 : 0);
    for (size_t k = 0; k < K; k++) {
        double v = civ_alloc_part(p, r, k, i);
        if (have_parts)
            parts[k] = v;
        e_num(e, v);
    }
    e_num(e, r->unattributed[i]);
    e_num(e, r->rounding[i]); /* per fund, exact: not a - unrounded, the ulp of a sum (waterfall.c) */
    for (size_t f = 0; f < F; f++)
        e_num(e, p->tilt[f * n + i]);
    binding_names(p, r, i, bn);
    e_txt(e, bn);
    int64_t ly = civ_alloc_total_last_minor(p, i), d = 0;
    for (size_t u = 0; p->paid && u < U; u++)
        d += p->paid[u * n + i];
    int64_t year = a + d; /* a release: the change is the year's, paid + release */
    if (ly >= 0) {
        e_num(e, (double)ly);
        e_money(e, ly, dg);
        e_num(e, (double)(year - ly));
        e_money(e, year - ly, dg);
        e_num(e, change_pct(year, ly));
    } else {
        e_num(e, NAN), e_txt(e, NULL), e_num(e, NAN), e_txt(e, NULL), e_num(e, NAN);
    }
    if (p->paid) {
        for (size_t u = 0; u < U; u++)
            e_num(e, (double)p->paid[u * n + i]);
        e_num(e, (double)d);
        e_num(e, (double)year);
    }
    fund_history_cells(e, p, r, i);
    if (c->has_pop)
        e_num(e, p->population[i]);
    if (c->has_aged)
        e_num(e, p->aged[i]);
    if (explain) {
        size_t len = civ_alloc_explain_row_parts(p, r, i, explain == CIV_ALLOC_EXPLAIN_ZH, have_parts ? parts : NULL,
                                                 ex, sizeof ex);
        e_txt_len(e, ex, len);
    }
    e_end(e);
}

static int64_t total_amount(const civ_alloc_problem *p, const civ_alloc_result *r)
{
    int64_t total = 0;
    for (size_t i = 0; i < p->n; i++)
        total += r->amount[i];
    return total;
}

civ_status civ_alloc_result_table(const civ_alloc_problem *p, const civ_alloc_result *r, int explain, civ_table **out)
{
    if (!p || !r || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_result_table: NULL argument");
    *out = NULL;
    size_t n = p->n;
    tb b = {0};
    if ((b.st = civ_table_create(&b.t)))
        return b.st;
    acols c = alloc_columns(&b, p, explain);
    if (!b.st)
        b.st = civ_table_add_rows(b.t, n, NULL);
    int64_t total = total_amount(p, r);
    for (size_t i = 0; i < n && !b.st; i++) {
        emit e = {.b = &b, .row = p->row_of[i]};
        put_row(&e, &c, p, r, explain, total, i);
        if (!b.st && e.col != civ_table_n_columns(b.t)) /* put_row and alloc_columns disagree */
            b.st = civ_fail(CIV_ERR_INTERNAL, "civ_alloc_result_table: %zu cells for %zu columns", e.col,
                            civ_table_n_columns(b.t));
    }
    if (b.st) {
        civ_table_free(b.t);
        return b.st;
    }
    *out = b.t;
    return CIV_OK;
}

/* Rows per block of civ_alloc_result_write (about a MB of text), and the
 * most threads that format blocks (each holds two blocks of text). */
#define WRITE_BLOCK ((size_t)2048)
#define WRITE_THREADS 16

/* Rows first .. first + count of the allocation CSV (input order:
 * community inv[row], or row when inv is NULL) as text in o, which is
 * emptied first (a thread's buffer, reused block after block: no fresh
 * pages, no malloc per block). */
static civ_status format_block(const civ_alloc_problem *p, const civ_alloc_result *r, int explain, int64_t total,
                               const acols *c, const size_t *inv, const civ_csv_write_options *opt, size_t first,
                               size_t count, obuf *o)
{
    emit e = {.o = o, .opt = opt};
    o->len = 0;
    for (size_t row = 0; row < count && !e.st; row++) {
        e.col = 0;
        put_row(&e, c, p, r, explain, total, inv ? inv[first + row] : first + row);
    }
    return e.st;
}

/* The blocks of the allocation CSV between the threads that format them
 * and the one that appends them, in order, to the file. */
typedef struct wslot {
    obuf o;
    civ_status st;
    int ready; /* atomic: formatted, not yet appended */
} wslot;

typedef struct wqueue {
    civ_csv_stream *w;
    wslot *slot; /* S slots: block b goes to slot b % S */
    size_t S, nblocks;
    size_t next;    /* atomic: the next block to format */
    size_t written; /* atomic: the blocks appended (0 .. written - 1) */
    int appending;  /* atomic flag: 1 while a thread appends (acquire/release, which ThreadSanitizer
                     * follows; an omp_test_lock that fails is misread as a lock by its OpenMP shim) */
    civ_status bad; /* the first block (in order) that failed, set by the appending thread */
    size_t bad_block;
} wqueue;

/* Appends the formatted blocks that come next in order, unless another
 * thread is appending: a thread never waits for its turn to write. */
static void drain(wqueue *q)
{
    if (__atomic_exchange_n(&q->appending, 1, __ATOMIC_ACQUIRE))
        return;
    size_t k;
#pragma omp atomic read seq_cst
    k = q->written;
    for (; k < q->nblocks; k++) {
        wslot *sl = &q->slot[k % q->S];
        int ready;
#pragma omp atomic read seq_cst
        ready = sl->ready;
        if (!ready)
            break;
        if (!q->bad && sl->st)
            q->bad = sl->st, q->bad_block = k;
        if (!q->bad)
            civ_csv_stream_text(q->w, sl->o.data, sl->o.len);
#pragma omp atomic write seq_cst
        sl->ready = 0;
#pragma omp atomic write seq_cst
        q->written = k + 1;
    }
    __atomic_store_n(&q->appending, 0, __ATOMIC_RELEASE);
}

static size_t written(wqueue *q)
{
    size_t k;
#pragma omp atomic read seq_cst
    k = q->written;
    return k;
}

/* The CSV of civ_alloc_result_table, `block` rows at a time: the threads
 * take blocks in turn, format each into a slot (2 a thread, their buffers
 * reused block after block) and append whatever blocks are next in order
 * when no other thread is appending (drain), so writing overlaps
 * formatting and no thread waits for its turn (a thread waits only when
 * the appending lags two slots a thread behind).  Rows are independent and
 * blocks are appended in order: the bytes depend neither on the thread
 * count nor on the block size. */
static civ_status write_blocks(const civ_alloc_problem *p, const civ_alloc_result *r, int explain,
                               civ_csv_stream *w, const size_t *inv, size_t block, const char *path)
{
    size_t n = p->n;
    int64_t total = total_amount(p, r);
    tb h = {0}; /* the header, from an empty table of the same columns */
    if ((h.st = civ_table_create(&h.t)))
        return h.st;
    acols c = alloc_columns(&h, p, explain);
    if (!h.st)
        h.st = civ_csv_stream_rows(w, h.t, 0, 0);
    civ_table_free(h.t);
    if (h.st)
        return h.st;
    int threads = civ_thread_count(0);
    threads = threads > WRITE_THREADS ? WRITE_THREADS : threads;
    wqueue q = {.w = w, .S = 2 * (size_t)threads, .nblocks = (n + block - 1) / block};
    if (!(q.slot = calloc(q.S, sizeof *q.slot)))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory writing the allocation");
    const civ_csv_write_options *opt = civ_csv_stream_options(w);
#pragma omp parallel num_threads(threads) if (threads > 1 && q.nblocks > 1)
    {
        for (;;) {
            size_t b;
#pragma omp atomic capture seq_cst
            b = q.next++;
            if (b >= q.nblocks)
                break;
            while (written(&q) + q.S <= b) { /* slot b % S still holds block b - S */
                drain(&q);
                sched_yield(); /* the appending thread is behind: let it run */
            }
            wslot *sl = &q.slot[b % q.S];
            size_t first = b * block, count = n - first < block ? n - first : block;
            sl->st = format_block(p, r, explain, total, &c, inv, opt, first, count, &sl->o);
#pragma omp atomic write seq_cst
            sl->ready = 1;
            drain(&q);
        }
        while (written(&q) < q.nblocks) { /* the last blocks, formatted by others */
            drain(&q);
            sched_yield();
        }
    }
    for (size_t k = 0; k < q.S; k++)
        free(q.slot[k].o.data);
    free(q.slot);
    if (q.bad) { /* the thread's message stayed in its own error slot */
        size_t first = q.bad_block * block, last = first + block < n ? first + block : n;
        return civ_fail(q.bad, "%s: cannot format allocation rows %zu..%zu (%s)", path, first + 1, last,
                        civ_status_name(q.bad));
    }
    return CIV_OK;
}

civ_status civ_alloc_result_write(const civ_alloc_problem *p, const civ_alloc_result *r, int explain,
                                  const char *path, const civ_csv_write_options *options)
{
    return civ_alloc_result_write_blocks(p, r, explain, path, options, WRITE_BLOCK);
}

civ_status civ_alloc_result_write_blocks(const civ_alloc_problem *p, const civ_alloc_result *r, int explain,
                                         const char *path, const civ_csv_write_options *options, size_t block)
{
    if (!p || !r || !path || !block)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_result_write: NULL argument or no rows per block");
    const char *dot = strrchr(path, '.');
    if (!dot || civ_ascii_casecmp(dot, ".csv")) { /* HDF5 (or an unknown type: its error) through the table */
        civ_table *t = NULL;
        civ_status s = civ_alloc_result_table(p, r, explain, &t);
        if (!s)
            s = civ_table_write_opts(t, path, options);
        civ_table_free(t);
        return s;
    }
    size_t i = 0, *inv = NULL; /* input row -> community; none when the rows come in id order */
    while (i < p->n && p->row_of[i] == i)
        i++;
    if (i < p->n) {
        if (!(inv = malloc(p->n * sizeof *inv)))
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory writing the allocation");
        for (i = 0; i < p->n; i++)
            inv[p->row_of[i]] = i;
    }
    civ_csv_stream *w = NULL;
    civ_status s = civ_csv_stream_open(path, options, &w);
    if (!s)
        s = write_blocks(p, r, explain, w, inv, block, path);
    free(inv);
    if (s) {
        civ_csv_stream_abort(w);
        return s;
    }
    return civ_csv_stream_commit(w);
}

/* The summary's builder: one row per (section, item, measure). */
typedef struct srow {
    tb *b;
    size_t c_sec, c_item, c_meas, c_unit, c_val;
    size_t c_label; /* SIZE_MAX: the spec has no labels, no column */
} srow;

static void put(srow *w, const char *sec, const char *item, const char *measure, const char *unit, double v)
{
    size_t row = 0;
    if (!w->b->st)
        w->b->st = civ_table_add_rows(w->b->t, 1, &row);
    set_txt(w->b, row, w->c_sec, sec);
    set_txt(w->b, row, w->c_item, item);
    set_txt(w->b, row, w->c_meas, measure);
    set_txt(w->b, row, w->c_unit, unit);
    set_num(w->b, row, w->c_val, v);
}

/* put() for a reserve, pool or fund row, with its label when the summary has
 * the column (empty where the entry has none). */
static void put_item(srow *w, const char *sec, const char *item, const char *label, const char *measure,
                     const char *unit, double v)
{
    put(w, sec, item, measure, unit, v);
    if (w->c_label != SIZE_MAX && !w->b->st)
        set_txt(w->b, civ_table_n_rows(w->b->t) - 1, w->c_label, label ? label : "");
}

/* 1 when a reserve or pool of the spec has a label (the summary then has a
 * label column). */
static int spec_has_labels(const civ_alloc_spec *s)
{
    int any = 0;
    for (size_t k = 0; k < s->n_reserves; k++)
        any |= s->reserves[k].label != NULL;
    for (size_t q = 0; q < s->n_pools; q++)
        any |= s->pools[q].label != NULL;
    return any;
}

/* Per-capita figures for people: 4 decimals of the major unit (they print
 * without float noise); the exact amounts are the minor-unit rows. */
static double round4(double v) { return round(v * 1e4) / 1e4; }

/* One district's sums. */
typedef struct dsum {
    int64_t amount;
    double pop;
    size_t count, first; /* communities; the first one (id order), which names it */
} dsum;

/* District rows: amount, communities and amount per resident, districts in
 * first-seen id order (one entry a district, not a community). */
static void summary_districts(srow *w, const civ_alloc_problem *p, const civ_alloc_result *r)
{
    size_t n = p->n, nd = 0, cap = 0;
    const char *mi = civ_alloc_minor_name(p->spec), *ma = civ_alloc_major_name(p->spec);
    char unit[48];
    civ_snprintf(unit, sizeof unit, "%s/person", ma);
    civ_strmap dm = {0};
    dsum *ds = NULL;
    for (size_t i = 0; i < n && !w->b->st; i++) {
        size_t d;
        if (!civ_strmap_get(&dm, p->districts[i], &d)) {
            if (nd == cap) {
                size_t nc = cap ? 2 * cap : 64;
                dsum *g = realloc(ds, nc * sizeof *g);
                if (!g) {
                    w->b->st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the summary");
                    break;
                }
                ds = g, cap = nc;
            }
            d = nd++;
            ds[d] = (dsum){.first = i};
            w->b->st = civ_strmap_put(&dm, p->districts[i], d, NULL);
        }
        ds[d].amount += r->amount[i];
        ds[d].pop += p->population[i];
        ds[d].count++;
    }
    double yuan = (double)p->spec->minor_unit;
    for (size_t d = 0; d < nd && !w->b->st; d++) {
        const char *name = p->districts[ds[d].first][0] ? p->districts[ds[d].first] : "(none)";
        put(w, "district", name, "amount", mi, (double)ds[d].amount);
        put(w, "district", name, "communities", "count", (double)ds[d].count);
        put(w, "district", name, "per_capita", unit,
            ds[d].pop > 0 ? round4((double)ds[d].amount / yuan / ds[d].pop) : NAN);
    }
    civ_strmap_free(&dm);
    free(ds);
}

civ_status civ_alloc_result_summary(const civ_alloc_problem *p, const civ_alloc_result *r, civ_table **out)
{
    if (!p || !r || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_result_summary: NULL argument");
    return civ_alloc_result_summary_stats(p, r, out, NULL);
}

/* The budget's rows: its total, each reserve, each pool and each fund. */
static void summary_budget(srow *w, const civ_alloc_problem *p, const civ_alloc_result *r)
{
    const civ_alloc_spec *s = p->spec;
    const char *mi = civ_alloc_minor_name(s);
    size_t n = p->n;
    put(w, "budget", "total", "amount", mi, (double)s->total);
    for (size_t k = 0; k < s->n_reserves; k++) {
        const civ_alloc_reserve *rv = &s->reserves[k];
        put_item(w, "reserve", rv->name, rv->label, "amount", mi, (double)p->reserve_amount[k]);
        put_item(w, "reserve", rv->name, rv->label, "share_of_total", "fraction", rv->share);
    }
    for (size_t q = 0; q < s->n_pools; q++) {
        const civ_alloc_pool *pl = &s->pools[q];
        put_item(w, "pool", pl->name, pl->label, "amount", mi, (double)p->pool_amount[q]);
        put_item(w, "pool", pl->name, pl->label, "communities", "count",
                 (double)p->units[p->pool_unit[q]].n_eligible);
    }
    for (size_t u = 0; u < p->n_units; u++) {
        int64_t sum = 0;
        for (size_t i = 0; i < n; i++)
            sum += r->unit_amount[u * n + i];
        const civ_alloc_unit *un = &p->units[u];
        const char *label = strcmp(un->label, un->name) ? un->label : NULL; /* none of its pools has a label */
        put_item(w, "fund", un->name, label, "amount", mi, (double)sum);
        put_item(w, "fund", un->name, label, "communities", "count", (double)un->n_eligible);
        put_item(w, "fund", un->name, label, "lambda", "multiplier", r->lambda[u]);
    }
}

/* Last year's rows: each fund's last_year_total and what of it is carried; the closed communities. */
static void summary_history(srow *w, const civ_alloc_problem *p)
{
    const civ_alloc_spec *s = p->spec;
    const char *mi = civ_alloc_minor_name(s);
    for (size_t u = 0; p->hist_total && u < p->n_units; u++) /* [[formula]] last_year_total: what is gone */
        if (p->hist_total[u] >= 0) {
            const civ_alloc_unit *un = &p->units[u];
            const char *label = strcmp(un->label, un->name) ? un->label : NULL;
            put_item(w, "history", un->name, label, "last_year_total", mi, (double)p->hist_total[u]);
            put_item(w, "history", un->name, label, "carried", mi, (double)p->hist_carried[u]);
            put_item(w, "history", un->name, label, "not_carried", mi,
                     (double)(p->hist_total[u] - p->hist_carried[u]));
        }
    /* last year's allocation: its funds this spec has none of (a fund discontinued), with their totals */
    char fund[200];
    const char *head;
    int64_t fen;
    for (size_t k = 0; s->ly && p->ly_fen && civ_alloc_last_year_dropped(p, k, fund, sizeof fund, &head, &fen); k++)
        put_item(w, "discontinued", fund, head, "last_year_total", mi, (double)fen);
    /* last year's allocation (civ_alloc_spec_set_last_year): its communities no one continues, by name */
    for (size_t c = 0; c < p->n_closed && s->ly; c++) {
        size_t j = p->closed[c];
        int64_t sum = 0;
        for (size_t u = 0; u < p->n_units; u++)
            sum += p->unit_has_last[u] ? p->ly_fen[u * s->ly->n + j] : 0;
        put_item(w, "closed", s->ly->ids[j], *s->ly->names[j] ? s->ly->names[j] : NULL, "amount", mi, (double)sum);
        for (size_t u = 0; u < p->n_units; u++)
            if (p->unit_has_last[u]) {
                char m[200];
                civ_snprintf(m, sizeof m, "last_year_%s", p->units[u].name);
                put_item(w, "closed", s->ly->ids[j], *s->ly->names[j] ? s->ly->names[j] : NULL, m, mi,
                         (double)p->ly_fen[u * s->ly->n + j]);
            }
    }
}

/* The totals and the statistics: allocated, reserved, the per-capita mean, least and most. */
static void summary_statistics(srow *w, const civ_alloc_problem *p, const civ_alloc_result *r,
                               const civ_alloc_stats *st)
{
    const civ_alloc_spec *s = p->spec;
    const char *mi = civ_alloc_minor_name(s), *ma = civ_alloc_major_name(s);
    size_t n = p->n;
    char per_person[48];
    civ_snprintf(per_person, sizeof per_person, "%s/person", ma);
    double yuan = (double)s->minor_unit;
    put(w, "total", "allocated", "amount", mi, (double)st->allocated);
    put(w, "total", "allocated", "communities", "count", (double)n);
    put(w, "total", "reserved", "amount", mi, (double)st->reserved);
    put(w, "total", "budget", "amount", mi, (double)(st->allocated + st->reserved));
    put(w, "statistic", "communities_funded", "communities", "count", (double)st->n_funded);
    put(w, "statistic", "per_capita_mean", "amount", per_person, round4(st->per_capita_mean));
    char per_aged[56];
    civ_snprintf(per_aged, sizeof per_aged, "%s/aged person", ma);
    put(w, "statistic", "per_aged_capita_mean", "amount", per_aged, round4(st->per_aged_mean));
    double mn = INFINITY, mx = -INFINITY;
    for (size_t i = 0; i < n && !w->b->st; i++)
        if (p->population[i] > 0) {
            double v = (double)r->amount[i] / yuan / p->population[i];
            mn = fmin(mn, v), mx = fmax(mx, v);
            if (isinf(v)) { /* blame the input cell, not the summary being written (issue 18) */
                civ_where d = {.series_id = p->ids[i], .field = s->population};
                w->b->st = civ_fail_at(CIV_ERR_DOMAIN, &d,
                                       "[data] population: attribute '%s' is %g for community '%s' (%srow %zu), "
                                       "too small for its amount per person to be a number", s->population,
                                       p->population[i], p->ids[i], p->row_first ? "data " : "",
                                       p->row_of[i] + p->row_first);
            }
        }
    put(w, "statistic", "per_capita_min", "amount", per_person, isfinite(mn) ? round4(mn) : NAN);
    put(w, "statistic", "per_capita_max", "amount", per_person, isfinite(mx) ? round4(mx) : NAN);
}

/* How many communities each constraint bound, and the equity indices before and after them. */
static void summary_binding_equity(srow *w, const civ_alloc_stats *st)
{
    put(w, "binding", "floor", "communities", "count", (double)st->n_floor);
    put(w, "binding", "cap", "communities", "count", (double)st->n_cap);
    put(w, "binding", "hold_harmless", "communities", "count", (double)st->n_hold_harmless);
    put(w, "binding", "pace", "communities", "count", (double)st->n_pace);
    put(w, "binding", "ratable", "communities", "count", (double)st->n_ratable);
    put(w, "equity", "gini", "before_constraints", "index", st->gini_before);
    put(w, "equity", "gini", "after", "index", st->gini_after);
    put(w, "equity", "theil", "before_constraints", "index", st->theil_before);
    put(w, "equity", "theil", "after", "index", st->theil_after);
    put(w, "equity", "cv", "before_constraints", "index", st->cv_before);
    put(w, "equity", "cv", "after", "index", st->cv_after);
}

civ_status civ_alloc_result_summary_stats(const civ_alloc_problem *p, const civ_alloc_result *r, civ_table **out,
                                          civ_alloc_stats *stats)
{
    if (!p || !r || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_result_summary_stats: NULL argument");
    *out = NULL;
    const civ_alloc_spec *s = p->spec;
    civ_alloc_stats st;
    civ_status e = civ_alloc_result_stats(p, r, &st);
    if (e)
        return e;
    tb b = {0};
    if ((b.st = civ_table_create(&b.t)))
        return b.st;
    srow w = {&b, add_col(&b, "section", CIV_COLUMN_TEXT), add_col(&b, "item", CIV_COLUMN_TEXT),
              add_col(&b, "measure", CIV_COLUMN_TEXT), add_col(&b, "unit", CIV_COLUMN_TEXT),
              add_col(&b, "value", CIV_COLUMN_NUMBER), SIZE_MAX};
    int closed_names = 0; /* the closed communities' names (last year's allocation's name column) as labels */
    for (size_t c = 0; c < p->n_closed && s->ly && !closed_names; c++)
        closed_names = *s->ly->names[p->closed[c]] != 0;
    if (spec_has_labels(s) || closed_names)
        w.c_label = add_col(&b, "label", CIV_COLUMN_TEXT);
    summary_budget(&w, p, r);
    summary_history(&w, p);
    summary_districts(&w, p, r);
    summary_statistics(&w, p, r, &st);
    summary_binding_equity(&w, &st);
    if (b.st) {
        civ_table_free(b.t);
        return b.st;
    }
    *out = b.t;
    if (stats)
        *stats = st;
    return CIV_OK;
}
