/*
 * exact.c -- alloc layer: the proportional part of a fund's amounts in exact
 * integer arithmetic (issue 16 item 2).
 *
 * The solve (solve.c) finds a_i = clamp(lambda raw_i, lo_i, hi_i) in doubles.
 * Communities at a bound hold a whole number of minor units; the others (the
 * "free" ones) share what is left, P_free = P - sum of the bounds held, in
 * proportion to their scores.  When the scores have an exact integer form --
 * every factor value x_ik c_ik a whole number, every weight and tilt
 * multiplier a decimal with at most 6 places -- the free amounts are the
 * rationals P_free N_i / D with
 *     N_i = T_i sum_k W_k X_ik prod_{l != k} S_l,   D = sum_free N_i
 * (W_k, T_i the weights and tilts times 10^6 over their gcd, S_l the factor
 * totals over the fund's members), and round.c's civ_alloc_split_exact gives
 * floor(P_free N_i / D) plus the spare units to the largest exact remainders,
 * ties to the lower id.  Doubles cannot do this near 2^53 minor units: the
 * remainders themselves are below one ulp.  When N_i or D does not fit in 64
 * bits, or the doubles put a community on the wrong side of a bound, the
 * caller falls back to round.c's rounding of the double amounts (remainders
 * compared on its tie grid); docs/ALLOCATION.md states the rule.
 */
#include <math.h>
#include <stdint.h>

#include "alloc.h"

/* v x 10^6 as an integer when v is a decimal with at most 6 places (within
 * floating noise), else 0. */
static int64_t micro(double v)
{
    double s = v * 1e6, r = nearbyint(s);
    if (!(r >= 1 && r < 1e15) || fabs(s - r) > 1e-9 * r)
        return 0;
    return (int64_t)r;
}

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b, b = t;
    }
    return a;
}

/* A whole, non-negative value below 2^53, else -1. */
static int64_t whole(double v)
{
    return v >= 0 && v < 9007199254740992.0 && v == floor(v) ? (int64_t)v : -1;
}

#define MAXK 16

/* The integer scores N_j of the free members (num[0..nf), their indices in
 * free_j) and D; 0 when they have no exact 64-bit form. */
static int exact_scores(const civ_alloc_problem *p, civ_alloc_result *r, size_t u, size_t m, const size_t *free_j,
                        size_t nf, int64_t *num, int64_t *den)
{
    const civ_alloc_spec *s = p->spec;
    size_t n = p->n, f = p->units[u].formula, K = 0, fk[MAXK];
    int64_t W[MAXK], g = 0;
    __int128 S[MAXK];
    for (size_t k = 0; k < s->n_factors; k++) {
        if (s->factors[k].formula != f || p->weights[k] == 0)
            continue;
        if (K == MAXK || !(W[K] = micro(p->weights[k])))
            return 0;
        g = gcd64(W[K], g);
        fk[K++] = k;
    }
    if (K == 0)
        return 0;
    for (size_t t = 0; t < K; t++) {
        W[t] /= g;
        const double *xc = p->xc + fk[t] * n;
        S[t] = 0;
        for (size_t j = 0; j < m; j++) {
            int64_t x = whole(xc[r->member[j]]);
            if (x < 0)
                return 0;
            S[t] += x; /* m < 2^64 terms below 2^53: no overflow */
        }
        if (S[t] <= 0 || S[t] > INT64_MAX)
            return 0;
    }
    /* prod_{l != t} S_l, within 64 bits */
    int64_t prod[MAXK];
    for (size_t t = 0; t < K; t++) {
        __int128 q = W[t];
        for (size_t l = 0; l < K && q <= INT64_MAX; l++)
            if (l != t)
                q *= S[l];
        if (q > INT64_MAX)
            return 0;
        prod[t] = (int64_t)q;
    }
    const double *tilt = p->tilt + f * n;
    int64_t tg = 0;
    for (size_t a = 0; a < nf; a++) {
        if (!(num[a] = micro(tilt[r->member[free_j[a]]])))
            return 0;
        tg = gcd64(num[a], tg);
    }
    __int128 D = 0;
    for (size_t a = 0; a < nf; a++) {
        size_t i = r->member[free_j[a]];
        __int128 v = 0;
        for (size_t t = 0; t < K && v <= INT64_MAX; t++)
            v += (__int128)prod[t] * whole(p->xc[fk[t] * n + i]); /* < 2^63 * 2^53 */
        if (v > INT64_MAX || (v *= num[a] / tg) > INT64_MAX)
            return 0;
        num[a] = (int64_t)v;
        D += v;
        if (D > INT64_MAX)
            return 0;
    }
    *den = (int64_t)D;
    return D > 0;
}

civ_status civ_alloc_exact_round(const civ_alloc_problem *p, civ_alloc_result *r, size_t u, size_t m, int *done)
{
    *done = 0;
    if (p->spec->formulas[p->units[u].formula].greater_of)
        return CIV_OK;
    /* the free members (compacted into r->free_j) and P_free */
    size_t nf = 0;
    __int128 held = 0;
    for (size_t j = 0; j < m; j++) {
        if (r->amt[j] == r->lo_d[j] || r->amt[j] == r->hi_d[j])
            held += (int64_t)r->amt[j];
        else
            r->free_j[nf++] = j;
    }
    int64_t den = 0, P = p->units[u].amount;
    if (nf == 0 || held > P || !exact_scores(p, r, u, m, r->free_j, nf, r->num_i, &den))
        return CIV_OK;
    int64_t Pf = P - (int64_t)held;
    /* every free member must stay strictly inside its bounds */
    for (size_t a = 0; a < nf; a++) {
        size_t j = r->free_j[a];
        __int128 prod = (__int128)Pf * r->num_i[a];
        int64_t q = (int64_t)(prod / den), up = q + (prod % den != 0);
        int64_t lo = (int64_t)r->lo_d[j], hi = isfinite(r->hi_d[j]) ? (int64_t)r->hi_d[j] : -1;
        if (q < lo || (hi >= 0 && up > hi))
            return CIV_OK; /* the doubles disagree with the exact amounts: round.c decides */
    }
    civ_status st = civ_alloc_split_exact(Pf, r->num_i, nf, den, r->pairs, r->tmp, r->ex_i);
    if (st)
        return st;
    for (size_t j = 0; j < m; j++) {
        r->out_i[j] = (int64_t)r->amt[j]; /* the held bounds */
        r->rnd[j] = 0;
    }
    for (size_t a = 0; a < nf; a++) {
        size_t j = r->free_j[a];
        __int128 prod = (__int128)Pf * r->num_i[a];
        int64_t q = (int64_t)(prod / den), rem = (int64_t)(prod % den);
        r->out_i[j] = r->ex_i[a];
        r->amt[j] = (double)q + (double)rem / (double)den;
        /* the rounding from the remainder, not out - amt: amt's fraction is only as fine as its ulp */
        r->rnd[j] = (double)(r->ex_i[a] - q) - (double)rem / (double)den;
    }
    *done = 1;
    return CIV_OK;
}
