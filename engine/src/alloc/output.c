/*
 * output.c -- alloc layer: the allocation and summary tables built from a
 * solved civ_alloc_result (docs/ALLOCATION.md "Outputs"), with the per-row
 * explanation text.
 */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "csv.h"
#include "strmap.h"
#include "table.h"

const char *civ_alloc_unit_name(const char *currency, int64_t minor_unit, int major)
{
    int cny = !currency || !strcmp(currency, "CNY");
    if (major)
        return cny ? "yuan" : "major";
    return cny && minor_unit == 100 ? "fen" : "minor";
}

const char *civ_alloc_minor_name(const civ_alloc_spec *s) { return civ_alloc_unit_name(s->currency, s->minor_unit, 0); }

const char *civ_alloc_major_name(const civ_alloc_spec *s) { return civ_alloc_unit_name(s->currency, s->minor_unit, 1); }

char *civ_alloc_format_major(int64_t v, int digits, char *buf, size_t size)
{
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, unit = 1;
    digits = digits < 0 ? 0 : digits > 3 ? 3 : digits; /* minor_unit is 1, 10, 100 or 1000 */
    for (int d = 0; d < digits; d++)
        unit *= 10;
    /* digits from the right, without printf (a million rows write three
     * such columns): "-1234.05" for v = -123405, digits 2 */
    char tmp[48];
    size_t n = sizeof tmp;
    uint64_t whole = m / unit, frac = m % unit;
    for (int d = 0; d < digits; d++, frac /= 10)
        tmp[--n] = (char)('0' + frac % 10);
    if (digits > 0)
        tmp[--n] = '.';
    do
        tmp[--n] = (char)('0' + whole % 10);
    while (whole /= 10);
    if (v < 0)
        tmp[--n] = '-';
    size_t len = sizeof tmp - n;
    if (size) {
        if (len >= size)
            len = size - 1;
        memcpy(buf, tmp + n, len);
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

static acols alloc_columns(tb *b, const civ_alloc_problem *p, int explain)
{
    const civ_alloc_spec *s = p->spec;
    const char *mi = civ_alloc_minor_name(s), *ma = civ_alloc_major_name(s);
    char name[160];
    acols c = {0};
    c.id = add_col(b, "unique_id", CIV_COLUMN_TEXT);
    c.has_district = 1;
    for (size_t j = 0; j < p->n_labels; j++) {
        size_t k = add_col(b, p->label_names[j], CIV_COLUMN_TEXT);
        if (j == 0)
            c.label0 = k;
        c.has_district &= strcmp(p->label_names[j], "district") != 0;
    }
    if (c.has_district)
        c.district = add_col(b, "district", CIV_COLUMN_TEXT);
    for (size_t u = 0; u < p->n_units; u++) {
        snprintf(name, sizeof name, "pool_%s_%s", p->units[u].name, mi);
        size_t k = add_col(b, name, CIV_COLUMN_NUMBER);
        if (u == 0)
            c.unit0 = k;
    }
    snprintf(name, sizeof name, "amount_%s", mi);
    c.amt = add_col(b, name, CIV_COLUMN_NUMBER);
    snprintf(name, sizeof name, "amount_%s", ma);
    c.major = add_col(b, name, CIV_COLUMN_TEXT);
    c.share = add_col(b, "share_pct", CIV_COLUMN_NUMBER);
    for (size_t k = 0; k < s->n_factors; k++) {
        snprintf(name, sizeof name, "factor_%s_%s", s->factors[k].name, mi);
        size_t col = add_col(b, name, CIV_COLUMN_NUMBER);
        if (k == 0)
            c.f0 = col;
    }
    snprintf(name, sizeof name, "unattributed_%s", mi);
    c.un = add_col(b, name, CIV_COLUMN_NUMBER);
    snprintf(name, sizeof name, "rounding_%s", mi);
    c.rd = add_col(b, name, CIV_COLUMN_NUMBER);
    for (size_t f = 0; f < s->n_formulas; f++) {
        if (s->n_formulas == 1)
            snprintf(name, sizeof name, "tilt");
        else
            snprintf(name, sizeof name, "tilt_%s", s->formulas[f].name);
        size_t col = add_col(b, name, CIV_COLUMN_NUMBER);
        if (f == 0)
            c.t0 = col;
    }
    c.bind = add_col(b, "binding", CIV_COLUMN_TEXT);
    snprintf(name, sizeof name, "last_year_%s", mi);
    c.ly = add_col(b, name, CIV_COLUMN_NUMBER);
    snprintf(name, sizeof name, "last_year_%s", ma);
    c.ly_major = add_col(b, name, CIV_COLUMN_TEXT);
    snprintf(name, sizeof name, "change_%s", mi);
    c.ch = add_col(b, name, CIV_COLUMN_NUMBER);
    snprintf(name, sizeof name, "change_%s", ma);
    c.ch_major = add_col(b, name, CIV_COLUMN_TEXT);
    c.chp = add_col(b, "change_pct", CIV_COLUMN_NUMBER);
    if (p->paid) {
        for (size_t u = 0; u < p->n_units; u++) {
            snprintf(name, sizeof name, "paid_%s_%s", p->units[u].name, mi);
            size_t k = add_col(b, name, CIV_COLUMN_NUMBER);
            if (u == 0)
                c.paid0 = k;
        }
        snprintf(name, sizeof name, "paid_%s", mi);
        c.paid = add_col(b, name, CIV_COLUMN_NUMBER);
        snprintf(name, sizeof name, "total_%s", mi);
        c.total = add_col(b, name, CIV_COLUMN_NUMBER);
    }
    c.fund0 = 0;
    for (size_t u = 0, first = 1; u < p->n_units; u++) {
        if (!p->unit_has_last[u])
            continue;
        snprintf(name, sizeof name, "last_year_%s_%s", p->units[u].name, mi);
        size_t k = add_col(b, name, CIV_COLUMN_NUMBER);
        if (first)
            c.fund0 = k, first = 0;
        snprintf(name, sizeof name, "change_%s_%s", p->units[u].name, mi);
        add_col(b, name, CIV_COLUMN_NUMBER);
        snprintf(name, sizeof name, "change_%s_pct", p->units[u].name);
        add_col(b, name, CIV_COLUMN_NUMBER);
    }
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

/* The per-fund history columns of one row. */
static void fund_history_cells(tb *b, const acols *c, const civ_alloc_problem *p, const civ_alloc_result *r, size_t i,
                               size_t row)
{
    size_t col = c->fund0;
    for (size_t u = 0; u < p->n_units; u++) {
        if (!p->unit_has_last[u])
            continue;
        int64_t ly = civ_alloc_unit_last_minor(p, u, i), a = civ_alloc_unit_year_minor(p, r, u, i);
        set_num(b, row, col++, ly >= 0 ? (double)ly : NAN);
        set_num(b, row, col++, ly >= 0 ? (double)(a - ly) : NAN);
        set_num(b, row, col++, ly >= 0 ? change_pct(a, ly) : NAN);
    }
}

/* Community i's (id order) cells into table row `row`. */
static void put_row(tb *b, const acols *cp, const civ_alloc_problem *p, const civ_alloc_result *r, int explain,
                    int64_t total, size_t i, size_t row)
{
    const civ_alloc_spec *s = p->spec;
    size_t n = p->n, K = s->n_factors, U = p->n_units, F = s->n_formulas;
    int dg = s->minor_digits;
    const acols c = *cp;
    char ex[4096], bn[160], mj[48];
    set_txt(b, row, c.id, p->ids[i]);
    for (size_t j = 0; j < p->n_labels; j++)
        set_txt(b, row, c.label0 + j, p->labels[j * n + i]);
    if (c.has_district)
        set_txt(b, row, c.district, p->districts[i]);
    for (size_t u = 0; u < U; u++)
        set_num(b, row, c.unit0 + u, (double)r->unit_amount[u * n + i]);
    int64_t a = r->amount[i];
    set_num(b, row, c.amt, (double)a);
    set_txt(b, row, c.major, civ_alloc_format_major(a, dg, mj, sizeof mj));
    set_num(b, row, c.share, total > 0 ? round(1e6 * (double)a / (double)total) / 1e4 : 0);
    for (size_t k = 0; k < K; k++)
        set_num(b, row, c.f0 + k, civ_alloc_part(p, r, k, i));
    set_num(b, row, c.un, r->unattributed[i]);
    set_num(b, row, c.rd, (double)a - r->unrounded[i]);
    for (size_t f = 0; f < F; f++)
        set_num(b, row, c.t0 + f, p->tilt[f * n + i]);
    /* distinct binding names over units, joined by '+' */
    bn[0] = '\0';
    for (size_t u = 0; u < U; u++) {
        const char *nm = binding_name(r->binding[u * n + i]);
        if (nm[0] && !strstr(bn, nm)) {
            size_t L = strlen(bn);
            snprintf(bn + L, sizeof bn - L, "%s%s", L ? "+" : "", nm);
        }
    }
    set_txt(b, row, c.bind, bn);
    int64_t ly = civ_alloc_total_last_minor(p, i);
    if (p->paid) { /* a release: the change is the year's, paid + release */
        int64_t d = 0;
        for (size_t u = 0; u < U; u++) {
            set_num(b, row, c.paid0 + u, (double)p->paid[u * n + i]);
            d += p->paid[u * n + i];
        }
        set_num(b, row, c.paid, (double)d);
        set_num(b, row, c.total, (double)(a + d));
        a += d;
    }
    if (ly >= 0) {
        set_num(b, row, c.ly, (double)ly);
        set_txt(b, row, c.ly_major, civ_alloc_format_major(ly, dg, mj, sizeof mj));
        set_num(b, row, c.ch, (double)(a - ly));
        set_txt(b, row, c.ch_major, civ_alloc_format_major(a - ly, dg, mj, sizeof mj));
        set_num(b, row, c.chp, change_pct(a, ly));
    } else {
        set_num(b, row, c.ly, NAN);
        set_num(b, row, c.ch, NAN);
        set_num(b, row, c.chp, NAN);
    }
    fund_history_cells(b, &c, p, r, i, row);
    if (c.has_pop)
        set_num(b, row, c.pop, p->population[i]);
    if (c.has_aged)
        set_num(b, row, c.aged, p->aged[i]);
    if (explain) {
        civ_alloc_explain_row(p, r, i, explain == CIV_ALLOC_EXPLAIN_ZH ? "zh" : "en", ex, sizeof ex);
        set_txt(b, row, c.ex, ex);
    }
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
    for (size_t i = 0; i < n && !b.st; i++)
        put_row(&b, &c, p, r, explain, total, i, p->row_of[i]);
    if (b.st) {
        civ_table_free(b.t);
        return b.st;
    }
    *out = b.t;
    return CIV_OK;
}

/* Rows per block of civ_alloc_result_write: a few MB of table at a time. */
#define WRITE_BLOCK ((size_t)16384)

/* Block `first` .. first + m of the allocation table (input row order:
 * community inv[row]) as CSV text in *text (malloc'd, *len bytes). */
static civ_status format_block(const civ_alloc_problem *p, const civ_alloc_result *r, int explain, int64_t total,
                               const size_t *inv, size_t first, size_t m, const civ_csv_write_options *opt,
                               const char *path, char **text, size_t *len)
{
    tb b = {0};
    *text = NULL;
    *len = 0;
    if ((b.st = civ_table_create(&b.t)))
        return b.st;
    acols c = alloc_columns(&b, p, explain);
    if (!b.st)
        b.st = civ_table_add_rows(b.t, m, NULL);
    for (size_t row = 0; row < m && !b.st; row++)
        put_row(&b, &c, p, r, explain, total, inv[first + row], row);
    if (!b.st)
        b.st = civ_csv_format_rows(b.t, 0, m, opt, path, text, len);
    civ_table_free(b.t);
    return b.st;
}

/* The CSV of civ_alloc_result_table, WRITE_BLOCK rows at a time: the
 * threads format a batch of blocks each (rows are independent, so the bytes
 * do not depend on the thread count), the blocks are appended in order. */
static civ_status write_blocks(const civ_alloc_problem *p, const civ_alloc_result *r, int explain,
                               civ_csv_stream *w, const size_t *inv, const char *path)
{
    size_t n = p->n;
    int64_t total = total_amount(p, r);
    tb h = {0}; /* the header, from an empty table of the same columns */
    if ((h.st = civ_table_create(&h.t)))
        return h.st;
    alloc_columns(&h, p, explain);
    if (!h.st)
        h.st = civ_csv_stream_rows(w, h.t, 0, 0);
    civ_table_free(h.t);
    if (h.st)
        return h.st;
    enum { BATCH = 16 };
    int threads = omp_get_max_threads();
    threads = threads < 1 ? 1 : threads > BATCH ? BATCH : threads;
    const civ_csv_write_options *opt = civ_csv_stream_options(w);
    civ_status st = CIV_OK;
    for (size_t first = 0; first < n && !st;) {
        char *text[BATCH] = {0};
        size_t len[BATCH] = {0}, start[BATCH], count[BATCH];
        civ_status bst[BATCH];
        int nb = 0;
        for (; nb < 2 * threads && nb < BATCH && first < n; nb++) { /* two blocks a thread: little memory */
            start[nb] = first;
            count[nb] = n - first < WRITE_BLOCK ? n - first : WRITE_BLOCK;
            first += count[nb];
        }
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1) if (nb > 1)
        for (int k = 0; k < nb; k++)
            bst[k] = format_block(p, r, explain, total, inv, start[k], count[k], opt, path, &text[k], &len[k]);
        for (int k = 0; k < nb; k++) {
            if (!st && bst[k]) /* the thread's message stayed in its own error slot */
                st = civ_fail(bst[k], "%s: cannot format allocation rows %zu..%zu (%s)", path, start[k] + 1,
                              start[k] + count[k], civ_status_name(bst[k]));
            if (!st)
                civ_csv_stream_text(w, text[k], len[k]);
            free(text[k]);
        }
    }
    return st;
}

civ_status civ_alloc_result_write(const civ_alloc_problem *p, const civ_alloc_result *r, int explain,
                                  const char *path, const civ_csv_write_options *options)
{
    if (!p || !r || !path)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_result_write: NULL argument");
    const char *dot = strrchr(path, '.');
    if (!dot || strcasecmp(dot, ".csv")) { /* HDF5 (or an unknown type: its error) through the table */
        civ_table *t = NULL;
        civ_status s = civ_alloc_result_table(p, r, explain, &t);
        if (!s)
            s = civ_table_write_opts(t, path, options);
        civ_table_free(t);
        return s;
    }
    size_t *inv = malloc((p->n ? p->n : 1) * sizeof *inv);
    if (!inv)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory writing the allocation");
    for (size_t i = 0; i < p->n; i++)
        inv[p->row_of[i]] = i;
    civ_csv_stream *w = NULL;
    civ_status s = civ_csv_stream_open(path, options, &w);
    if (!s)
        s = write_blocks(p, r, explain, w, inv, path);
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

/* Per-capita figures for people: 4 decimals of the major unit (they print
 * without float noise); the exact amounts are the minor-unit rows. */
static double round4(double v) { return round(v * 1e4) / 1e4; }

/* District rows: amount, communities and amount per resident, districts in
 * first-seen id order. */
static void summary_districts(srow *w, const civ_alloc_problem *p, const civ_alloc_result *r)
{
    size_t n = p->n, nd = 0;
    const char *mi = civ_alloc_minor_name(p->spec), *ma = civ_alloc_major_name(p->spec);
    char unit[48];
    snprintf(unit, sizeof unit, "%s/person", ma);
    civ_strmap dm = {0};
    int64_t *damt = calloc(n, sizeof *damt);
    double *dpop = calloc(n, sizeof *dpop);
    size_t *dcnt = calloc(n, sizeof *dcnt), *dfirst = calloc(n, sizeof *dfirst);
    if (!damt || !dpop || !dcnt || !dfirst) {
        w->b->st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the summary");
    } else {
        for (size_t i = 0; i < n && !w->b->st; i++) {
            size_t d;
            if (!civ_strmap_get(&dm, p->districts[i], &d)) {
                d = nd++;
                dfirst[d] = i;
                w->b->st = civ_strmap_put(&dm, p->districts[i], d, NULL);
            }
            damt[d] += r->amount[i];
            dpop[d] += p->population[i];
            dcnt[d]++;
        }
        double yuan = (double)p->spec->minor_unit;
        for (size_t d = 0; d < nd; d++) {
            const char *name = p->districts[dfirst[d]][0] ? p->districts[dfirst[d]] : "(none)";
            put(w, "district", name, "amount", mi, (double)damt[d]);
            put(w, "district", name, "communities", "count", (double)dcnt[d]);
            put(w, "district", name, "per_capita", unit, dpop[d] > 0 ? round4((double)damt[d] / yuan / dpop[d]) : NAN);
        }
    }
    civ_strmap_free(&dm);
    free(damt), free(dpop), free(dcnt), free(dfirst);
}

civ_status civ_alloc_result_summary(const civ_alloc_problem *p, const civ_alloc_result *r, civ_table **out)
{
    if (!p || !r || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_result_summary: NULL argument");
    *out = NULL;
    const civ_alloc_spec *s = p->spec;
    size_t n = p->n;
    civ_alloc_stats st;
    civ_status e = civ_alloc_result_stats(p, r, &st);
    if (e)
        return e;
    tb b = {0};
    if ((b.st = civ_table_create(&b.t)))
        return b.st;
    srow w = {&b, add_col(&b, "section", CIV_COLUMN_TEXT), add_col(&b, "item", CIV_COLUMN_TEXT),
              add_col(&b, "measure", CIV_COLUMN_TEXT), add_col(&b, "unit", CIV_COLUMN_TEXT),
              add_col(&b, "value", CIV_COLUMN_NUMBER)};
    const char *mi = civ_alloc_minor_name(s), *ma = civ_alloc_major_name(s);
    char per_person[48];
    snprintf(per_person, sizeof per_person, "%s/person", ma);
    double yuan = (double)s->minor_unit;
    put(&w, "budget", "total", "amount", mi, (double)s->total);
    for (size_t k = 0; k < s->n_reserves; k++) {
        put(&w, "reserve", s->reserves[k].name, "amount", mi, (double)p->reserve_amount[k]);
        put(&w, "reserve", s->reserves[k].name, "share_of_total", "fraction", s->reserves[k].share);
    }
    for (size_t q = 0; q < s->n_pools; q++) {
        put(&w, "pool", s->pools[q].name, "amount", mi, (double)p->pool_amount[q]);
        put(&w, "pool", s->pools[q].name, "communities", "count", (double)p->units[p->pool_unit[q]].n_eligible);
    }
    for (size_t u = 0; u < p->n_units; u++) {
        int64_t sum = 0;
        for (size_t i = 0; i < n; i++)
            sum += r->unit_amount[u * n + i];
        put(&w, "fund", p->units[u].name, "amount", mi, (double)sum);
        put(&w, "fund", p->units[u].name, "communities", "count", (double)p->units[u].n_eligible);
        put(&w, "fund", p->units[u].name, "lambda", "multiplier", r->lambda[u]);
    }
    summary_districts(&w, p, r);
    put(&w, "total", "allocated", "amount", mi, (double)st.allocated);
    put(&w, "total", "allocated", "communities", "count", (double)n);
    put(&w, "total", "reserved", "amount", mi, (double)st.reserved);
    put(&w, "total", "budget", "amount", mi, (double)(st.allocated + st.reserved));
    put(&w, "statistic", "communities_funded", "communities", "count", (double)st.n_funded);
    put(&w, "statistic", "per_capita_mean", "amount", per_person, round4(st.per_capita_mean));
    char per_aged[56];
    snprintf(per_aged, sizeof per_aged, "%s/aged person", ma);
    put(&w, "statistic", "per_aged_capita_mean", "amount", per_aged, round4(st.per_aged_mean));
    double mn = INFINITY, mx = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (p->population[i] > 0) {
            double v = (double)r->amount[i] / yuan / p->population[i];
            mn = fmin(mn, v), mx = fmax(mx, v);
        }
    put(&w, "statistic", "per_capita_min", "amount", per_person, isfinite(mn) ? round4(mn) : NAN);
    put(&w, "statistic", "per_capita_max", "amount", per_person, isfinite(mx) ? round4(mx) : NAN);
    put(&w, "binding", "floor", "communities", "count", (double)st.n_floor);
    put(&w, "binding", "cap", "communities", "count", (double)st.n_cap);
    put(&w, "binding", "hold_harmless", "communities", "count", (double)st.n_hold_harmless);
    put(&w, "binding", "pace", "communities", "count", (double)st.n_pace);
    put(&w, "binding", "ratable", "communities", "count", (double)st.n_ratable);
    put(&w, "equity", "gini", "before_constraints", "index", st.gini_before);
    put(&w, "equity", "gini", "after", "index", st.gini_after);
    put(&w, "equity", "theil", "before_constraints", "index", st.theil_before);
    put(&w, "equity", "theil", "after", "index", st.theil_after);
    put(&w, "equity", "cv", "before_constraints", "index", st.cv_before);
    put(&w, "equity", "cv", "after", "index", st.cv_after);
    if (b.st) {
        civ_table_free(b.t);
        return b.st;
    }
    *out = b.t;
    return CIV_OK;
}
