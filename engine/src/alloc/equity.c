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

/* Community i's amount: amount_d[i], or amount_i[i] when amount_d is NULL. */
static inline double amount_of(const double *amount_d, const int64_t *amount_i, size_t i)
{
    return amount_d ? amount_d[i] : (double)amount_i[i];
}

/* Population-weighted Gini, Theil T and coefficient of variation of per-capita
 * amounts y_i = a_i / pop_i (Cowell, "Measuring Inequality", 3rd ed. 2011,
 * sec. 2.3 and Technical Appendix A.2: Gini from the Lorenz curve by the
 * trapezoid rule over weighted, sorted observations; Theil T =
 * sum_i w_i (y_i/mu) ln(y_i/mu) / sum_i w_i), over the communities with a
 * population.  pr: room for 2n pairs (the sort's keys and its scratch). */
static void equity(const double *amount_d, const int64_t *amount_i, const double *pop, size_t n, civ_alloc_pair *pr,
                   double *gini, double *theil, double *cv)
{
    *gini = *theil = *cv = NAN;
    size_t m = 0;
    double W = 0, A = 0;
    for (size_t i = 0; i < n; i++)
        if (pop[i] > 0) {
            m++;
            W += pop[i];
            A += amount_of(amount_d, amount_i, i);
        }
    if (m == 0 || !(A > 0))
        return;
    double mu = A / W, var = 0, th = 0;
    m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(pop[i] > 0))
            continue;
        double y = amount_of(amount_d, amount_i, i) / pop[i], d = y - mu;
        var += pop[i] * d * d;
        double q = y / mu;
        if (q > 0)
            th += pop[i] * q * log(q);
        pr[m].key = civ_alloc_double_key(y);
        pr[m++].payload = i;
    }
    *cv = sqrt(var / W) / mu;
    *theil = th / W;
    /* ascending y, ties in id order: a stable radix sort of the (y >= 0)
     * bit patterns, the order glibc's merge-sort qsort gave (it is the
     * same order, so the same sums to the last bit), in O(n) */
    civ_alloc_radix_sort(pr, pr + m, m);
    double cum_w = 0, cum_a = 0, area = 0;
    for (size_t t = 0; t < m; t++) {
        size_t i = (size_t)pr[t].payload;
        double y = amount_of(amount_d, amount_i, i) / pop[i];
        double pw = pop[i] / W, a = y * pop[i] / A;
        area += pw * (2 * cum_a + a);
        cum_w += pw;
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
    civ_alloc_pair *pr = malloc(2 * (n ? n : 1) * sizeof *pr); /* the sort's, for both calls of equity */
    if (!pr)
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
    equity(r->stage_tilted, NULL, p->population, n, pr, &o->gini_before, &o->theil_before, &o->cv_before);
    equity(NULL, r->amount, p->population, n, pr, &o->gini_after, &o->theil_after, &o->cv_after);
    free(pr);
    return CIV_OK;
}

