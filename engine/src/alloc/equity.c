/*
 * equity.c -- alloc layer: summary statistics of an allocation result
 * (totals, binding counts, per-capita means, and the population-weighted
 * Gini, Theil and coefficient of variation before and after constraints).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "strmap.h"
#include "table.h"

/* The amounts of the communities, a double or an integer array. */
typedef struct amounts {
    const double *d; /* when set */
    const int64_t *i;
    const double *pop;
} amounts;

/* Community i's amount and per-capita amount y_i = a_i / pop_i. */
static inline double amount_of(const amounts *a, size_t i) { return a->d ? a->d[i] : (double)a->i[i]; }
static inline double per_capita(const amounts *a, size_t i) { return amount_of(a, i) / a->pop[i]; }

/* idx[0..m) (communities, with their keys key[0..m): the bit patterns of
 * y >= 0) in ascending key, ties in the order given: a stable LSD radix
 * sort, 8 bits a pass, keys and 32-bit indices moved together (12 bytes a
 * community and as much scratch: wkey, widx), digits every key shares
 * skipped.  The order of the (y, index) pairs' radix sort (and of glibc's
 * merge-sort qsort before it): the same sums to the last bit. */
static void sort_by_key(uint64_t *key, uint32_t *idx, uint64_t *wkey, uint32_t *widx, size_t m)
{
    if (m < 2)
        return;
    size_t count[8][256];
    memset(count, 0, sizeof count);
    for (size_t t = 0; t < m; t++)
        for (int b = 0; b < 8; b++)
            count[b][(key[t] >> (8 * b)) & 0xFF]++;
    uint64_t *sk = key, *dk = wkey;
    uint32_t *si = idx, *di = widx;
    for (int b = 0; b < 8; b++) {
        size_t *c = count[b];
        int shift = 8 * b;
        if (c[(sk[0] >> shift) & 0xFF] == m)
            continue; /* a digit that is the same for every key reorders nothing */
        size_t sum = 0;
        for (int d = 0; d < 256; d++) {
            size_t t = c[d];
            c[d] = sum;
            sum += t;
        }
        for (size_t t = 0; t < m; t++) {
            size_t to = c[(sk[t] >> shift) & 0xFF]++;
            dk[to] = sk[t];
            di[to] = si[t];
        }
        uint64_t *tk = sk;
        sk = dk, dk = tk;
        uint32_t *ti = si;
        si = di, di = ti;
    }
    if (si != idx)
        memcpy(idx, si, m * sizeof *idx);
}

/* Population-weighted Gini, Theil T and coefficient of variation of per-capita
 * amounts y_i = a_i / pop_i (Cowell, "Measuring Inequality", 3rd ed. 2011,
 * sec. 2.3 and Technical Appendix A.2: Gini from the Lorenz curve by the
 * trapezoid rule over weighted, sorted observations; Theil T =
 * sum_i w_i (y_i/mu) ln(y_i/mu) / sum_i w_i), over the communities with a
 * population.  w: the sort's room (equity_room). */
static void equity(const amounts *am, size_t n, void *w, double *gini, double *theil, double *cv)
{
    uint64_t *key = w, *wkey = key + n;
    uint32_t *idx = (uint32_t *)(wkey + n), *widx = idx + n;
    const double *pop = am->pop;
    *gini = *theil = *cv = NAN;
    size_t m = 0;
    double W = 0, A = 0;
    for (size_t i = 0; i < n; i++)
        if (pop[i] > 0) {
            idx[m++] = (uint32_t)i;
            W += pop[i];
            A += amount_of(am, i);
        }
    if (m == 0 || !(A > 0))
        return;
    double mu = A / W, var = 0, th = 0;
    for (size_t j = 0; j < m; j++) {
        size_t i = idx[j];
        double y = per_capita(am, i), d = y - mu;
        key[j] = civ_alloc_double_key(y);
        var += pop[i] * d * d;
        double q = y / mu;
        if (q > 0)
            th += pop[i] * q * log(q);
    }
    *cv = sqrt(var / W) / mu;
    *theil = th / W;
    sort_by_key(key, idx, wkey, widx, m); /* ascending y, ties in id order */
    double cum_a = 0, area = 0;
    for (size_t t = 0; t < m; t++) {
        size_t i = idx[t];
        double pw = pop[i] / W, a = per_capita(am, i) * pop[i] / A;
        area += pw * (2 * cum_a + a);
        cum_a += a;
    }
    *gini = 1 - area;
}

civ_status civ_alloc_result_stats(const civ_alloc_problem *p, const civ_alloc_result *r, civ_alloc_stats *o)
{
    if (!p || !r || !o)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_result_stats: NULL argument");
    memset(o, 0, sizeof *o);
    const civ_alloc_spec *s = p->spec;
    size_t n = p->n;
    o->total = s->total;
    for (size_t k = 0; k < s->n_reserves; k++)
        o->reserved += p->reserve_amount[k];
    o->n_communities = n;
    if (n > UINT32_MAX)
        return civ_fail(CIV_ERR_LIMIT, "civ_alloc_result_stats: more than %u communities", (unsigned)UINT32_MAX);
    void *w = malloc((n ? n : 1) * 2 * (sizeof(uint64_t) + sizeof(uint32_t))); /* the sort's, for both equity calls */
    if (!w)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for equity statistics");
    double pop = 0, aged = 0;
    for (size_t i = 0; i < n; i++) {
        o->allocated += r->amount[i];
        o->n_funded += r->amount[i] > 0;
        unsigned char b = 0;
        for (size_t u = 0; u < p->n_units; u++)
            b |= r->binding[u * n + i];
        o->n_floor += !!(b & CIV_BIND_FLOOR);
        o->n_cap += !!(b & CIV_BIND_CAP);
        o->n_hold_harmless += !!(b & CIV_BIND_HOLD_HARMLESS);
        o->n_pace += !!(b & CIV_BIND_PACE);
        o->n_ratable += !!(b & CIV_BIND_RATABLE);
        pop += p->population[i];
        aged += p->aged[i];
    }
    double yuan = (double)s->minor_unit;
    o->per_capita_mean = pop > 0 ? (double)o->allocated / yuan / pop : NAN;
    o->per_aged_mean = aged > 0 ? (double)o->allocated / yuan / aged : NAN;
    const amounts before = {.d = r->stage_tilted, .pop = p->population}, after = {.i = r->amount, .pop = p->population};
    equity(&before, n, w, &o->gini_before, &o->theil_before, &o->cv_before);
    equity(&after, n, w, &o->gini_after, &o->theil_after, &o->cv_after);
    free(w);
    return CIV_OK;
}

