/*
 * output.c -- alloc layer: the allocation and summary tables built from a
 * solved civ_alloc_result (docs/ALLOCATION.md "Outputs"), with the per-row
 * explanation text.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "strmap.h"
#include "table.h"

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
static void set_txt(tb *b, size_t row, size_t col, const char *v)
{
    if (!b->st)
        b->st = civ_table_set_text(b->t, row, col, v);
}

static void explain_row(const civ_alloc_problem *p, const civ_alloc_result *r, size_t i, char *buf, size_t size)
{
    const civ_alloc_spec *s = p->spec;
    size_t n = p->n, L = 0;
    buf[0] = '\0';
#define APPEND(...)                                                       \
    do {                                                                  \
        if (L < size) {                                                   \
            int w_ = snprintf(buf + L, size - L, __VA_ARGS__);            \
            if (w_ > 0)                                                   \
                L += (size_t)w_;                                          \
        }                                                                 \
    } while (0)
    double tot = r->unrounded[i];
    int first = 1;
    for (size_t k = 0; k < s->n_factors; k++) {
        double v = civ_alloc_part(p, r, k, i);
        if (v == 0 || !(tot > 0))
            continue;
        APPEND("%s%s %.1f%%", first ? "" : " + ", s->factors[k].name, 100 * v / tot);
        first = 0;
    }
    if (r->unattributed[i] > 0)
        APPEND("%sno factor score", first ? "" : " + ");
    if (first && !(r->unattributed[i] > 0))
        APPEND("not funded");
    for (size_t u = 0; u < p->n_units; u++) {
        const civ_alloc_unit *un = &p->units[u];
        const civ_alloc_formula *fo = &s->formulas[un->formula];
        if (!un->eligible[i] && s->pools[un->first_pool].eligible_attribute) {
            APPEND("; not eligible for %s", un->name);
            continue;
        }
        if (fo->greater_of && r->unrounded[i] > 0)
            APPEND("; group '%s' of %s scored higher", fo->groups[r->winner[u * n + i]], fo->name);
        uint32_t mask = p->tilt_mask[un->formula * n + i];
        for (size_t t = 0; t < s->n_tilts; t++)
            if (mask & ((uint32_t)1 << t))
                APPEND("; %s tilt ×%g", s->tilts[t].name, s->tilts[t].multiplier);
        unsigned char b = r->binding[u * n + i];
        const char *pre = p->n_units > 1 ? un->name : "";
        const char *sep = p->n_units > 1 ? " " : "";
        if (b & CIV_BIND_RATABLE)
            APPEND("; %s%sfloors ratably reduced to %.2f%%", pre, sep, 100 * r->ratable[u]);
        if ((b & CIV_BIND_HOLD_HARMLESS))
            APPEND("; %s%sraised to hold-harmless %g%% of last year", pre, sep, 100 * fo->hold_harmless);
        else if (b & CIV_BIND_FLOOR)
            APPEND("; %s%sraised to the floor of %.*f", pre, sep, s->minor_digits,
                   (double)fo->floor / (double)s->minor_unit);
        if (b & CIV_BIND_PACE)
            APPEND("; %s%slimited by pace to +%g%% over last year", pre, sep, 100 * fo->pace);
        else if (b & CIV_BIND_CAP)
            APPEND("; %s%slowered to the cap", pre, sep);
    }
#undef APPEND
}

civ_status civ_alloc_result_table(const civ_alloc_problem *p, const civ_alloc_result *r, int explain, civ_table **out)
{
    if (!p || !r || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_result_table: NULL argument");
    *out = NULL;
    const civ_alloc_spec *s = p->spec;
    size_t n = p->n, K = s->n_factors, U = p->n_units, F = s->n_formulas;
    tb b = {0};
    if ((b.st = civ_table_create(&b.t)))
        return b.st;
    char name[128];
    size_t c_id = add_col(&b, "unique_id", CIV_COLUMN_TEXT);
    size_t c_d = add_col(&b, "district", CIV_COLUMN_TEXT);
    size_t c_unit0 = 0;
    for (size_t u = 0; u < U; u++) {
        snprintf(name, sizeof name, "pool_%s", p->units[u].name);
        size_t k = add_col(&b, name, CIV_COLUMN_NUMBER);
        if (u == 0)
            c_unit0 = k;
    }
    size_t c_amt = add_col(&b, "amount", CIV_COLUMN_NUMBER);
    size_t c_yuan = add_col(&b, "amount_yuan", CIV_COLUMN_NUMBER);
    size_t c_share = add_col(&b, "share", CIV_COLUMN_NUMBER);
    size_t c_f0 = 0;
    for (size_t k = 0; k < K; k++) {
        snprintf(name, sizeof name, "factor_%s", s->factors[k].name);
        size_t c = add_col(&b, name, CIV_COLUMN_NUMBER);
        if (k == 0)
            c_f0 = c;
    }
    size_t c_un = add_col(&b, "unattributed", CIV_COLUMN_NUMBER);
    size_t c_rd = add_col(&b, "rounding", CIV_COLUMN_NUMBER);
    size_t c_t0 = 0;
    for (size_t f = 0; f < F; f++) {
        if (F == 1)
            snprintf(name, sizeof name, "tilt");
        else
            snprintf(name, sizeof name, "tilt_%s", s->formulas[f].name);
        size_t c = add_col(&b, name, CIV_COLUMN_NUMBER);
        if (f == 0)
            c_t0 = c;
    }
    size_t c_b = add_col(&b, "binding", CIV_COLUMN_TEXT);
    size_t c_ly = add_col(&b, "last_year", CIV_COLUMN_NUMBER);
    size_t c_ch = add_col(&b, "change", CIV_COLUMN_NUMBER);
    size_t c_chp = add_col(&b, "change_pct", CIV_COLUMN_NUMBER);
    size_t c_ex = explain ? add_col(&b, "explanation", CIV_COLUMN_TEXT) : 0;
    if (!b.st)
        b.st = civ_table_add_rows(b.t, n, NULL);
    double total = 0, yuan = (double)s->minor_unit;
    for (size_t i = 0; i < n; i++)
        total += (double)r->amount[i];
    char ex[2048], bn[160];
    for (size_t i = 0; i < n && !b.st; i++) {
        size_t row = p->row_of[i];
        set_txt(&b, row, c_id, p->ids[i]);
        set_txt(&b, row, c_d, p->districts[i]);
        for (size_t u = 0; u < U; u++)
            set_num(&b, row, c_unit0 + u, (double)r->unit_amount[u * n + i]);
        double a = (double)r->amount[i];
        set_num(&b, row, c_amt, a);
        set_num(&b, row, c_yuan, a / yuan);
        set_num(&b, row, c_share, total > 0 ? a / total : 0);
        for (size_t k = 0; k < K; k++)
            set_num(&b, row, c_f0 + k, civ_alloc_part(p, r, k, i));
        set_num(&b, row, c_un, r->unattributed[i]);
        set_num(&b, row, c_rd, a - r->unrounded[i]);
        for (size_t f = 0; f < F; f++)
            set_num(&b, row, c_t0 + f, p->tilt[f * n + i]);
        /* distinct binding names over units, joined by '+' */
        bn[0] = '\0';
        for (size_t u = 0; u < U; u++) {
            const char *nm = binding_name(r->binding[u * n + i]);
            if (nm[0] && !strstr(bn, nm)) {
                size_t L = strlen(bn);
                snprintf(bn + L, sizeof bn - L, "%s%s", L ? "+" : "", nm);
            }
        }
        set_txt(&b, row, c_b, bn);
        double ly = p->report_last_year[i];
        if (isnan(ly)) /* fall back on the first formula's last_year attribute */
            for (size_t f = 0; f < F && isnan(ly); f++)
                ly = p->last_year[f * n + i];
        set_num(&b, row, c_ly, ly);
        if (!isnan(ly)) {
            double ch = a / yuan - ly;
            set_num(&b, row, c_ch, ch);
            set_num(&b, row, c_chp, ly > 0 ? 100 * ch / ly : NAN);
        }
        if (explain) {
            explain_row(p, r, i, ex, sizeof ex);
            set_txt(&b, row, c_ex, ex);
        }
    }
    if (b.st) {
        civ_table_free(b.t);
        return b.st;
    }
    *out = b.t;
    return CIV_OK;
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
    size_t c_sec = add_col(&b, "section", CIV_COLUMN_TEXT), c_name = add_col(&b, "name", CIV_COLUMN_TEXT);
    size_t c_amt = add_col(&b, "amount", CIV_COLUMN_NUMBER), c_yuan = add_col(&b, "amount_yuan", CIV_COLUMN_NUMBER);
    size_t c_sh = add_col(&b, "share", CIV_COLUMN_NUMBER), c_n = add_col(&b, "communities", CIV_COLUMN_NUMBER);
    size_t c_v = add_col(&b, "value", CIV_COLUMN_NUMBER);
    double yuan = (double)s->minor_unit, T = (double)s->total;
    size_t row = 0;
#define ROW(sec, nm, amt, cnt, val)                                                 \
    do {                                                                            \
        if (!b.st)                                                                  \
            b.st = civ_table_add_rows(b.t, 1, &row);                                \
        set_txt(&b, row, c_sec, (sec));                                             \
        set_txt(&b, row, c_name, (nm));                                             \
        if (!isnan((double)(amt))) {                                                \
            set_num(&b, row, c_amt, (double)(amt));                                 \
            set_num(&b, row, c_yuan, (double)(amt) / yuan);                         \
            set_num(&b, row, c_sh, (double)(amt) / T);                              \
        }                                                                           \
        if ((cnt) >= 0)                                                             \
            set_num(&b, row, c_n, (double)(cnt));                                   \
        set_num(&b, row, c_v, (val));                                               \
    } while (0)
    ROW("budget", "total", s->total, -1, NAN);
    for (size_t k = 0; k < s->n_reserves; k++)
        ROW("reserve", s->reserves[k].name, p->reserve_amount[k], -1, s->reserves[k].share);
    for (size_t q = 0; q < s->n_pools; q++) {
        size_t cnt = 0;
        cnt = p->units[p->pool_unit[q]].n_eligible;
        ROW("pool", s->pools[q].name, p->pool_amount[q], (double)cnt, NAN);
    }
    for (size_t u = 0; u < p->n_units; u++) {
        int64_t sum = 0;
        for (size_t i = 0; i < n; i++)
            sum += r->unit_amount[u * n + i];
        ROW("fund", p->units[u].name, sum, (double)p->units[u].n_eligible, r->lambda[u]);
    }
    /* districts in first-seen id order */
    civ_strmap dm = {0};
    size_t nd = 0;
    int64_t *damt = calloc(n, sizeof *damt);
    double *dpop = calloc(n, sizeof *dpop);
    size_t *dcnt = calloc(n, sizeof *dcnt), *dfirst = calloc(n, sizeof *dfirst);
    if (!damt || !dpop || !dcnt || !dfirst) {
        b.st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the summary");
    } else {
        for (size_t i = 0; i < n && !b.st; i++) {
            size_t d;
            if (!civ_strmap_get(&dm, p->districts[i], &d)) {
                d = nd++;
                dfirst[d] = i;
                b.st = civ_strmap_put(&dm, p->districts[i], d, NULL);
            }
            damt[d] += r->amount[i];
            dpop[d] += p->population[i];
            dcnt[d]++;
        }
        for (size_t d = 0; d < nd; d++)
            ROW("district", p->districts[dfirst[d]][0] ? p->districts[dfirst[d]] : "(none)", damt[d], (double)dcnt[d],
                dpop[d] > 0 ? (double)damt[d] / yuan / dpop[d] : NAN);
    }
    civ_strmap_free(&dm);
    free(damt), free(dpop), free(dcnt), free(dfirst);
    ROW("total", "allocated", st.allocated, (double)n, NAN);
    ROW("total", "reserved", st.reserved, -1, NAN);
    ROW("total", "budget", st.allocated + st.reserved, -1, NAN);
    ROW("statistic", "communities_funded", NAN, (double)st.n_funded, (double)st.n_funded);
    ROW("statistic", "per_capita_mean", NAN, -1, st.per_capita_mean);
    ROW("statistic", "per_aged_capita_mean", NAN, -1, st.per_aged_mean);
    double mn = INFINITY, mx = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (p->population[i] > 0) {
            double v = (double)r->amount[i] / yuan / p->population[i];
            mn = fmin(mn, v), mx = fmax(mx, v);
        }
    ROW("statistic", "per_capita_min", NAN, -1, isfinite(mn) ? mn : NAN);
    ROW("statistic", "per_capita_max", NAN, -1, isfinite(mx) ? mx : NAN);
    ROW("binding", "floor", NAN, (double)st.n_floor, (double)st.n_floor);
    ROW("binding", "cap", NAN, (double)st.n_cap, (double)st.n_cap);
    ROW("binding", "hold_harmless", NAN, (double)st.n_hold_harmless, (double)st.n_hold_harmless);
    ROW("binding", "pace", NAN, (double)st.n_pace, (double)st.n_pace);
    ROW("binding", "ratable", NAN, (double)st.n_ratable, (double)st.n_ratable);
    ROW("equity", "gini_before", NAN, -1, st.gini_before);
    ROW("equity", "gini_after", NAN, -1, st.gini_after);
    ROW("equity", "theil_before", NAN, -1, st.theil_before);
    ROW("equity", "theil_after", NAN, -1, st.theil_after);
    ROW("equity", "cv_before", NAN, -1, st.cv_before);
    ROW("equity", "cv_after", NAN, -1, st.cv_after);
#undef ROW
    if (b.st) {
        civ_table_free(b.t);
        return b.st;
    }
    *out = b.t;
    return CIV_OK;
}
