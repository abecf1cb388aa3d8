/*
 * panel_join.c -- layer: core.  civ_panel_join_predecessors: the panel in which a community that continues last
 * year's communities under a new id (a merger, a rename) has their summed months before its own months, and
 * their series are gone (docs/FORECASTING.md, "When the map changes").
 *
 * The rule, month by month, for a community whose predecessors are named:
 *  - before its own first month, the sum of its predecessors' values, where every predecessor reported the
 *    month (a month one of them lacks is missing: a sum of some parts is not the community's demand);
 *  - from its own first month on, its own values (predecessors' months that overlap them are not used);
 *  - a community that lists itself among its predecessors (it absorbed the others and kept its id) has the
 *    sum up to the last month any other predecessor reported, then its own values.
 * A predecessor named by several communities (a split) is divided by the parts' shares (the shares column,
 * read with the predecessors by pred_map.c): each part's sum takes share x the parent's value; without shares
 * it cannot be divided, and one without a series cannot be summed: those communities keep their own months,
 * and `joins` says why.  Months between the last joined one and the community's own first stay missing (a
 * sum of some parts, or of none, is not its demand) and `joins` counts them (gap_periods).  Every named
 * predecessor's own series is left out of the result: it is no community this year.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "table.h"
#include "error.h"
#include "pred_map.h"
#include "strmap.h"
#include "text.h"

enum { J_JOINED, J_SPLIT, J_NO_SERIES, J_NO_MONTHS };
static const char *const status_names[] = {"joined", "split", "no_series", "no_common_months"};

typedef struct succ {
    size_t row;             /* its row of the communities table */
    const char *id;         /* borrowed from the table */
    size_t first, n;        /* its predecessors: item[first .. first + n) (itself excluded) */
    size_t gap;             /* periods between the last joined one and its own first, left missing */
    int self;               /* it lists itself */
    int status;
    const char *bad;        /* the predecessor that stopped the join (split, no series) */
    size_t periods;         /* months joined */
    int64_t from, to;       /* first and last joined month */
} succ;

typedef struct join_ctx {
    const civ_panel *in;
    const civ_table *t;
    size_t idc, pc;
    size_t *item;           /* every predecessor (itself excluded): its item of map (id, share, named_by) */
    size_t n_toks;
    civ_pred_map map;
    succ *succ;
    size_t n_succ;
    civ_strmap named;       /* token -> index of its first copy in item */
} join_ctx;

/* The id of token k. */
static const char *tok_id(const join_ctx *x, size_t k)
{
    return x->map.id[x->item[k]];
}

static void where_row(const civ_table *t, size_t r, size_t c, civ_where *w, char *row, size_t size)
{
    long line = civ_table_row_words(t, r, row, size);
    w->file = civ_table_source(t, NULL);
    w->line = line;
    w->column = line ? (long)c + 1 : 0;
}

/* The predecessors of row r (from the map), checked: none is a community of this year (but itself). */
static civ_status read_row(join_ctx *x, const civ_strmap *ids, size_t r, const char *pred_column)
{
    const char *cell = civ_table_text(x->t, r, x->pc), *id = civ_table_text(x->t, r, x->idc);
    const civ_pred_map *m = &x->map;
    if (!m->n[r])
        return CIV_OK;
    succ *sc = &x->succ[x->n_succ];
    *sc = (succ){.row = r, .id = id, .first = x->n_toks};
    for (size_t k = m->first[r]; k < m->first[r] + m->n[r]; k++) {
        if (m->self[k]) {
            sc->self = 1;
            continue;
        }
        x->item[x->n_toks++] = k;
        if (civ_strmap_get(ids, m->id[k], NULL)) {
            civ_where w = {.series_id = id, .field = pred_column};
            char row[64];
            where_row(x->t, r, x->pc, &w, row, sizeof row);
            return civ_fail_at(CIV_ERR_DOMAIN, &w,
                               "community '%s' (%s): its predecessors ('%s' = '%s') include '%s', which is a "
                               "community of this year too: a community merged or renamed into '%s' has no row of "
                               "its own this year (delete it), and one that still exists is not a predecessor "
                               "(remove it from the cell)",
                               id, row, pred_column, cell, m->id[k], id);
        }
    }
    sc->n = x->n_toks - sc->first;
    if (sc->n)
        x->n_succ++;
    return CIV_OK;
}

static int64_t series_end(const civ_panel *p, size_t i, int64_t *start)
{
    size_t n;
    civ_panel_series(p, i, NULL, &n, start);
    return *start + (int64_t)n - 1;
}

/* Value of series i at period t, NaN outside its span. */
static double value_at(const civ_panel *p, size_t i, int64_t t)
{
    const double *v;
    size_t n;
    int64_t start;
    civ_panel_series(p, i, &v, &n, &start);
    return t >= start && t < start + (int64_t)n ? v[t - start] : NAN;
}

static double covariate_at(const civ_panel *p, size_t i, size_t k, int64_t t)
{
    const double *v;
    size_t len, n;
    int64_t start;
    civ_panel_series(p, i, NULL, &n, &start);
    civ_panel_covariate(p, i, k, &v, &len);
    return t >= start && t < start + (int64_t)len ? v[t - start] : NAN;
}

/* How one community's series is joined: parts[0..np) summed before own_from, its own series (SIZE_MAX:
 * none) from it on, over [start, end]. */
typedef struct plan_one {
    size_t parts[65];       /* at most 64 predecessors, and itself */
    double w[65];           /* each part's weight: its share of the parent, 1 without one */
    size_t np;
    size_t own;
    int64_t own_from, start, end; /* end: last period of the joined series */
} plan_one;

static double joined_value(const civ_panel *p, const plan_one *o, int64_t t)
{
    if (o->own != SIZE_MAX && t >= o->own_from)
        return value_at(p, o->own, t);
    double sum = 0;
    for (size_t k = 0; k < o->np; k++)
        sum += o->w[k] * value_at(p, o->parts[k], t); /* NaN when one lacks it */
    return sum;
}

static double joined_covariate(const civ_panel *p, const plan_one *o, size_t k, int64_t t)
{
    if (o->own != SIZE_MAX && t >= o->own_from)
        return covariate_at(p, o->own, k, t);
    double sum = 0;
    for (size_t q = 0; q < o->np; q++)
        sum += o->w[q] * covariate_at(p, o->parts[q], k, t);
    return sum;
}

/* Works out how community sc joins: its status, its months, and o (when joined). */
static void plan_join(join_ctx *x, succ *sc, plan_one *o)
{
    const civ_panel *p = x->in;
    size_t own;
    o->own = civ_panel_find_series(p, sc->id, &own) ? SIZE_MAX : own;
    civ_clear_error();
    o->np = 0;
    int64_t others_end = INT64_MIN, lo = INT64_MIN, hi = INT64_MAX;
    for (size_t k = 0; k < sc->n; k++) {
        size_t q = x->item[sc->first + k], i;
        const char *tok = x->map.id[q];
        if (x->map.named_by[q] > 1 && !x->map.divided[q]) {
            sc->status = J_SPLIT, sc->bad = tok;
            return;
        }
        if (civ_panel_find_series(p, tok, &i)) {
            civ_clear_error();
            sc->status = J_NO_SERIES, sc->bad = tok;
            return;
        }
        if (o->np == sizeof o->parts / sizeof o->parts[0]) {
            sc->status = J_NO_SERIES, sc->bad = tok; /* more than 64 parts: not joined */
            return;
        }
        o->w[o->np] = civ_pred_map_weight(&x->map, q);
        o->parts[o->np++] = i;
        int64_t s, e = series_end(p, i, &s);
        others_end = e > others_end ? e : others_end;
        lo = s > lo ? s : lo;
        hi = e < hi ? e : hi;
    }
    if (sc->self && o->own != SIZE_MAX) {
        o->w[o->np] = 1;
        o->parts[o->np++] = o->own;
        int64_t s, e = series_end(p, o->own, &s);
        lo = s > lo ? s : lo;
        hi = e < hi ? e : hi;
        o->own_from = others_end + 1;
    } else if (o->own != SIZE_MAX) {
        series_end(p, o->own, &o->own_from);
    } else {
        o->own_from = INT64_MAX;
    }
    if (hi > o->own_from - 1)
        hi = o->own_from - 1;
    sc->periods = 0;
    for (int64_t t = lo; t <= hi; t++) {
        double v = 0;
        for (size_t k = 0; k < o->np; k++)
            v += value_at(p, o->parts[k], t);
        if (isnan(v))
            continue;
        if (!sc->periods++)
            sc->from = t;
        sc->to = t;
    }
    if (!sc->periods) {
        sc->status = J_NO_MONTHS;
        return;
    }
    sc->status = J_JOINED;
    if (o->own != SIZE_MAX && o->own_from - 1 > sc->to) /* months between: nobody's sum, nor its own */
        sc->gap = (size_t)(o->own_from - 1 - sc->to);
    o->start = sc->from;
    o->end = sc->to;
    if (o->own != SIZE_MAX) {
        int64_t s, e = series_end(p, o->own, &s);
        if (e >= o->own_from && e > o->end)
            o->end = e;
    }
}

/* Adds the joined series of sc to out (ids borrowed: add_series copies). */
static civ_status emit_joined(join_ctx *x, const succ *sc, const plan_one *o, civ_panel *out)
{
    const civ_panel *p = x->in;
    size_t n = (size_t)(o->end - o->start + 1), idx;
    double *v = malloc(n * sizeof *v);
    if (!v)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory joining the series of '%s'", sc->id);
    for (size_t t = 0; t < n; t++)
        v[t] = joined_value(p, o, o->start + (int64_t)t);
    civ_status s = civ_panel_add_series(out, sc->id, o->start, v, n, &idx);
    free(v);
    for (size_t k = 0; k < civ_panel_n_covariates(p) && !s; k++) {
        int64_t cend = INT64_MIN; /* the covariate's reach: the parts' common reach, or the own one */
        if (o->own != SIZE_MAX) {
            const double *cv;
            size_t len;
            int64_t st;
            series_end(p, o->own, &st);
            civ_panel_covariate(p, o->own, k, &cv, &len);
            cend = st + (int64_t)len - 1;
        }
        if (o->own == SIZE_MAX || cend < o->end) {
            int64_t reach = INT64_MAX;
            for (size_t q = 0; q < o->np; q++) {
                const double *cv;
                size_t len;
                int64_t st;
                series_end(p, o->parts[q], &st);
                civ_panel_covariate(p, o->parts[q], k, &cv, &len);
                reach = st + (int64_t)len - 1 < reach ? st + (int64_t)len - 1 : reach;
            }
            cend = reach > cend ? reach : cend;
        }
        if (cend < o->start)
            continue;
        size_t len = (size_t)(cend - o->start + 1);
        double *c = malloc(len * sizeof *c);
        if (!c)
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory joining the covariates of '%s'", sc->id);
        for (size_t t = 0; t < len; t++)
            c[t] = joined_covariate(p, o, k, o->start + (int64_t)t);
        while (len && isnan(c[len - 1]))
            len--;
        if (len)
            s = civ_panel_set_covariate(out, idx, k, c, len);
        free(c);
    }
    return s;
}

static civ_status copy_series(const civ_panel *p, size_t i, civ_panel *out)
{
    const double *v;
    size_t n, idx;
    int64_t start;
    civ_panel_series(p, i, &v, &n, &start);
    civ_status s = civ_panel_add_series(out, civ_panel_series_id(p, i), start, v, n, &idx);
    for (size_t k = 0; k < civ_panel_n_covariates(p) && !s; k++) {
        const double *c;
        size_t len;
        civ_panel_covariate(p, i, k, &c, &len);
        if (len)
            s = civ_panel_set_covariate(out, idx, k, c, len);
    }
    return s;
}

/* The predecessors of a successor joined by '+' ("C001+C002"), allocated; NULL when out of memory. */
static char *joined_ids(const join_ctx *x, const succ *sc)
{
    size_t len = 1;
    for (size_t k = 0; k < sc->n; k++)
        len += strlen(tok_id(x, sc->first + k)) + 1;
    char *pred = malloc(len + strlen(sc->id) + 1);
    if (!pred)
        return NULL;
    pred[0] = 0;
    for (size_t k = 0; k < sc->n; k++) {
        if (k)
            strcat(pred, "+");
        strcat(pred, tok_id(x, sc->first + k));
    }
    return pred;
}

/* A successor's outcome as text: the first and last joined periods when joined, else the reason it was not. */
static void join_outcome(const join_ctx *x, const succ *sc, char from[32], char to[32], char reason[512])
{
    civ_frequency f = civ_panel_frequency(x->in);
    int ph = civ_panel_phase(x->in);
    if (sc->status == J_JOINED) {
        civ_period_format(f, ph, sc->from, from, 32);
        civ_period_format(f, ph, sc->to, to, 32);
    } else if (sc->status == J_SPLIT) {
        static const char *const words[] = {"periods", "years", "quarters", "months", "weeks", "days"};
        civ_snprintf(reason, 512, "%s is also a predecessor of another community (a split: no share to "
                     "divide its %s)", sc->bad, words[f >= CIV_FREQ_YEARLY && f <= CIV_FREQ_DAILY ? f : 0]);
    } else if (sc->status == J_NO_SERIES) {
        civ_snprintf(reason, 512, "%s has no series in the panel", sc->bad);
    } else {
        civ_snprintf(reason, 512, "no period before its own in which every predecessor reported");
    }
}

/* Row r of the joins table: successor sc's ids, status, joined span or reason, shares and gap. */
static civ_status joins_row(const join_ctx *x, civ_table *t, const size_t c[12], size_t r, const succ *sc)
{
    civ_frequency f = civ_panel_frequency(x->in);
    int ph = civ_panel_phase(x->in);
    char *pred = joined_ids(x, sc);
    if (!pred)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the joins table");
    char from[32] = "", to[32] = "", reason[512] = "";
    join_outcome(x, sc, from, to, reason);
    civ_status s = civ_table_set_text(t, r, c[0], sc->id);
    if (!s)
        s = civ_table_set_text(t, r, c[1], pred);
    if (!s)
        s = civ_table_set_text(t, r, c[2], status_names[sc->status]);
    if (!s)
        s = civ_table_set_number(t, r, c[3], (double)sc->periods);
    if (!s)
        s = civ_table_set_text(t, r, c[4], from);
    if (!s)
        s = civ_table_set_text(t, r, c[5], to);
    if (!s)
        s = civ_table_set_text(t, r, c[6], sc->bad ? sc->bad : "");
    if (!s)
        s = civ_table_set_text(t, r, c[7], reason);
    char shares[512] = "";
    for (size_t k = 0; k < sc->n && !isnan(x->map.share[x->item[sc->first]]); k++) { /* "0.6+1" */
        size_t L = strlen(shares);
        if (L < sizeof shares - 32)
            civ_snprintf(shares + L, sizeof shares - L, "%s%.10g", k ? "+" : "", x->map.share[x->item[sc->first + k]]);
    }
    if (!s)
        s = civ_table_set_text(t, r, c[8], shares);
    if (!s)
        s = civ_table_set_number(t, r, c[9], (double)sc->gap);
    char gf[32] = "", gt[32] = "";
    if (sc->gap) {
        civ_period_format(f, ph, sc->to + 1, gf, sizeof gf);
        civ_period_format(f, ph, sc->to + (int64_t)sc->gap, gt, sizeof gt);
    }
    if (!s)
        s = civ_table_set_text(t, r, c[10], gf);
    if (!s)
        s = civ_table_set_text(t, r, c[11], gt);
    free(pred);
    return s;
}

/* The joins table: one row per community that names predecessors (joins_row). */
static civ_status joins_table(const join_ctx *x, civ_table **out)
{
    civ_table *t = NULL;
    size_t c[12], first = 0;
    const char *names[12] = {"unique_id", "predecessors", "status", "joined_periods", "joined_from", "joined_to",
                             "blocking", "reason", "shares", "gap_periods", "gap_from", "gap_to"};
    civ_status s = civ_table_create(&t);
    for (int k = 0; k < 12 && !s; k++)
        s = civ_table_add_column(t, names[k], k == 3 || k == 9 ? CIV_COLUMN_NUMBER : CIV_COLUMN_TEXT, &c[k]);
    if (!s)
        s = civ_table_add_rows(t, x->n_succ, &first);
    for (size_t j = 0; j < x->n_succ && !s; j++)
        s = joins_row(x, t, c, first + j, &x->succ[j]);
    if (s) {
        civ_table_free(t);
        return s;
    }
    *out = t;
    return CIV_OK;
}

static civ_status find_columns(join_ctx *x, const char *id_column, const char *pred_column, int *none)
{
    const civ_table *t = x->t;
    *none = 0;
    if (civ_table_find_column(t, id_column, &x->idc) || civ_table_column_type(t, x->idc) != CIV_COLUMN_TEXT) {
        civ_where w = {.file = civ_table_source(t, NULL), .field = id_column};
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w, "the communities table has no text id column '%s'",
                           id_column);
    }
    if (civ_table_find_column(t, pred_column, &x->pc)) {
        civ_where w = {.file = civ_table_source(t, NULL), .field = pred_column};
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w,
                           "the communities table has no column '%s' (the text column naming, for a merged or "
                           "renamed community, last year's ids it continues, e.g. \"C001;C002\")",
                           pred_column);
    }
    civ_clear_error();
    if (civ_table_column_type(t, x->pc) != CIV_COLUMN_TEXT) {
        const double *v = civ_table_numbers(t, x->pc);
        for (size_t r = 0; v && r < civ_table_n_rows(t); r++)
            if (!isnan(v[r])) {
                civ_where w = {.file = civ_table_source(t, NULL), .field = pred_column};
                return civ_fail_at(CIV_ERR_DOMAIN, &w,
                                   "column '%s' holds numbers (row %zu: %g); it must be text: last year's ids, "
                                   "e.g. \"C001;C002\"",
                                   pred_column, civ_table_row_number(t, r), v[r]);
            }
        *none = 1; /* an empty column read as numbers: nobody continues anybody */
    }
    return CIV_OK;
}

civ_status civ_panel_join_predecessors(const civ_panel *panel, const civ_table *communities, const char *id_column,
                                       const char *predecessors_column, civ_panel **out, civ_table **joins)
{
    return civ_panel_join_predecessors_shares(panel, communities, id_column, predecessors_column, NULL, out, joins);
}

/* The successors of the communities table: its columns found, the predecessors read and checked (read_row),
 * and x->named filled; *none is set when the predecessors column is empty (nobody continues anybody). */
static civ_status read_successors(join_ctx *x, const char *id_column, const char *predecessors_column,
                                  const char *shares_column, int *none)
{
    const civ_table *communities = x->t;
    size_t shc = SIZE_MAX;
    civ_status s = find_columns(x, id_column, predecessors_column, none);
    if (!s && shares_column && civ_table_find_column(communities, shares_column, &shc)) {
        civ_where w = {.file = civ_table_source(communities, NULL), .field = shares_column};
        s = civ_fail_at(CIV_ERR_MISSING_COLUMN, &w,
                        "the communities table has no column '%s' (the shares of a split: for each community, the "
                        "part of each predecessor it continues, e.g. \"0.6\" or \"0.5;1\")",
                        shares_column);
    }
    if (!s && !*none)
        s = civ_pred_map_read(communities, x->idc, x->pc, shc, predecessors_column,
                              shares_column ? shares_column : "", &x->map);
    size_t items = x->map.n_items + 1;
    if (!s && !*none && !(x->item = calloc(items, sizeof *x->item)))
        s = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading predecessors");
    size_t rows = civ_table_n_rows(communities);
    civ_strmap ids = {0};
    if (!s && !*none && !(x->succ = calloc(rows + 1, sizeof *x->succ)))
        s = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading predecessors");
    for (size_t r = 0; r < rows && !s && !*none; r++) {
        const char *v = civ_table_text(communities, r, x->idc);
        if (v && v[0] && (s = civ_strmap_put(&ids, v, r, NULL)) == CIV_ERR_DUPLICATE)
            s = CIV_OK;
    }
    for (size_t r = 0; r < rows && !s && !*none; r++)
        s = read_row(x, &ids, r, predecessors_column);
    for (size_t k = 0; k < x->n_toks && !s; k++)
        if ((s = civ_strmap_put(&x->named, tok_id(x, k), k, NULL)) == CIV_ERR_DUPLICATE)
            s = CIV_OK;
    civ_strmap_free(&ids);
    return s;
}

/* The output panel (*res, created here): every series but the named predecessors', a joined community's in its
 * own place (or after the others when it has no series of its own). */
static civ_status emit_panel(join_ctx *x, const plan_one *plans, civ_panel **res)
{
    const civ_panel *panel = x->in;
    civ_strmap joined = {0};
    civ_status s = CIV_OK;
    for (size_t j = 0; j < x->n_succ && !s; j++)
        if (x->succ[j].status == J_JOINED)
            s = civ_strmap_put(&joined, x->succ[j].id, j, NULL);
    if (!s)
        s = civ_panel_create(civ_panel_frequency(panel), res);
    if (!s)
        s = civ_panel_set_phase(*res, civ_panel_phase(panel));
    if (!s)
        s = civ_panel_set_date_style(*res, civ_panel_date_style(panel));
    for (size_t k = 0; k < civ_panel_n_covariates(panel) && !s; k++)
        s = civ_panel_add_covariate(*res, civ_panel_covariate_name(panel, k), NULL);
    for (size_t i = 0; i < civ_panel_n_series(panel) && !s; i++) {
        const char *id = civ_panel_series_id(panel, i);
        size_t j;
        if (civ_strmap_get(&x->named, id, NULL))
            continue;
        if (civ_strmap_get(&joined, id, &j))
            s = emit_joined(x, &x->succ[j], &plans[j], *res);
        else
            s = copy_series(panel, i, *res);
    }
    for (size_t j = 0; j < x->n_succ && !s; j++)
        if (x->succ[j].status == J_JOINED && plans[j].own == SIZE_MAX)
            s = emit_joined(x, &x->succ[j], &plans[j], *res);
    civ_strmap_free(&joined);
    return s;
}

civ_status civ_panel_join_predecessors_shares(const civ_panel *panel, const civ_table *communities,
                                              const char *id_column, const char *predecessors_column,
                                              const char *shares_column, civ_panel **out, civ_table **joins)
{
    if (out)
        *out = NULL;
    if (joins)
        *joins = NULL;
    if (!panel || !communities || !id_column || !predecessors_column || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_join_predecessors: NULL argument");
    join_ctx x = {.in = panel, .t = communities};
    int none = 0;
    plan_one *plans = NULL;
    civ_panel *res = NULL;
    civ_status s = read_successors(&x, id_column, predecessors_column, shares_column, &none);
    if (!s && !(plans = calloc(x.n_succ + 1, sizeof *plans)))
        s = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory joining series");
    for (size_t j = 0; j < x.n_succ && !s; j++)
        plan_join(&x, &x.succ[j], &plans[j]);
    if (!s)
        s = emit_panel(&x, plans, &res);
    if (!s && joins)
        s = joins_table(&x, joins);
    civ_strmap_free(&x.named);
    civ_pred_map_free(&x.map);
    free(x.item);
    free(x.succ);
    free(plans);
    if (s) {
        civ_panel_free(res);
        if (joins) {
            civ_table_free(*joins);
            *joins = NULL;
        }
        return s;
    }
    *out = res;
    return CIV_OK;
}
