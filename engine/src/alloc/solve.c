/*
 * solve.c -- alloc layer: the exact constrained solve of the factor method.
 *
 * Given scores raw_i >= 0 and bounds 0 <= lo_i <= hi_i, the constrained
 * allocation of a pool P is a_i = clamp(lambda*raw_i, lo_i, hi_i) with the
 * single lambda >= 0 for which sum_i a_i = P.  This is the optimality
 * condition of the continuous quadratic knapsack problem
 *     min sum_i (a_i - lambda0*raw_i)^2 / raw_i  s.t.  sum a_i = P, lo <= a <= hi
 * (Helgason, Kennington & Lall 1980; Kiwiel 2008, Math. Program. 112:473-491,
 * sec. 2), i.e. the amounts stay proportional to the formula wherever no bound
 * binds -- what "floors and caps, then share the rest by the formula" means,
 * done once instead of by repeated clamp-and-renormalise (which never
 * releases a community it has clamped, so with floors AND caps it can stop
 * at a wrong answer: bench/alloc_numpy.py shows it off by up to 10,000 yuan).
 *
 * f(lambda) = sum_i clamp(lambda*raw_i, lo_i, hi_i) is continuous,
 * non-decreasing and piecewise linear with breakpoints lo_i/raw_i (community i
 * leaves its floor) and hi_i/raw_i (it reaches its cap).  Sorting the
 * breakpoints (an LSD radix sort on the IEEE bit patterns, stable, so equal
 * breakpoints keep id order) and sweeping them while tracking
 *     f(lambda) = fixed + slope*lambda
 * finds the segment where f crosses P; lambda = (P - fixed)/slope there:
 * O(n log n) as a comparison sort would be, O(n) passes with the radix sort.
 * For large n a breakpoint-search phase first narrows the bracket (Kiwiel 2008,
 * median search), so only a few thousand breakpoints are sorted; the result is the
 * same lambda, found in O(n) expected time.  Communities with raw_i = 0 stay
 * at lo_i for every lambda.
 */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "threads.h"

void civ_alloc_radix_sort(civ_alloc_pair *pairs, civ_alloc_pair *tmp, size_t n)
{
    if (n < 2)
        return;
    /* 8 passes of 8 bits; histograms for every pass in one read. */
    static _Thread_local size_t count[8][256];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++) {
        uint64_t k = pairs[i].key;
        for (int b = 0; b < 8; b++)
            count[b][(k >> (8 * b)) & 0xFF]++;
    }
    civ_alloc_pair *src = pairs, *dst = tmp;
    for (int b = 0; b < 8; b++) {
        size_t *c = count[b];
        /* a digit that is the same for every key does not reorder anything */
        if (c[(src[0].key >> (8 * b)) & 0xFF] == n)
            continue;
        size_t sum = 0;
        for (int d = 0; d < 256; d++) {
            size_t t = c[d];
            c[d] = sum;
            sum += t;
        }
        int shift = 8 * b;
        for (size_t i = 0; i < n; i++)
            dst[c[(src[i].key >> shift) & 0xFF]++] = src[i];
        civ_alloc_pair *t = src;
        src = dst;
        dst = t;
    }
    if (src != pairs)
        memcpy(pairs, src, n * sizeof *pairs);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The bracket of phase 1: lam_lo < lambda* <= lam_hi, the communities
 * act[0..na) with a breakpoint inside it, and f outside them folded into
 * fixed + slope*lambda. */
typedef struct bracket {
    double lam_lo, lam_hi, fixed, slope;
    size_t *act, na;
} bracket;

/* Phase 1 -- breakpoint search (Kiwiel 2008, the median-search idea): keep
 * a bracket lam_lo < lambda* <= lam_hi with f(lam_lo) < P <= f(lam_hi)
 * and the set A of communities with a breakpoint strictly inside it.
 * Every other community is at its floor, at its cap, or proportional
 * (lambda*raw) throughout the bracket, so it folds into
 *     f(lambda) = fixed + slope*lambda + sum_{i in A} clamp(...).
 * Each round evaluates f at 16 quantiles of a sample of A's inner
 * breakpoints, keeps the bracket between two adjacent ones and drops the
 * communities that leave A: O(n) in total.  A is kept in id
 * order, so the sums (and so the result) do not depend on input order. */
static void search_bracket(const double *raw, const double *lo, const double *hi, size_t n, double pool, bracket *bk)
{
    size_t *act = bk->act;
    double lam_lo = 0, lam_hi = INFINITY, fixed = 0, slope = 0;
    size_t na = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(raw[i] > 0)) {
            fixed += lo[i];
            continue;
        }
        double bl = lo[i] / raw[i];
        if (bl <= 0 && !isfinite(hi[i]))
            slope += raw[i]; /* proportional for every lambda */
        else
            act[na++] = i;
    }
    enum { SAMPLE = 255, NPIV = 16, SWEEP_BELOW = 4096 };
    while (na > SWEEP_BELOW) {
        /* 16 pivots at the quantiles of a sample of A's inner breakpoints,
         * all evaluated in one pass over A: each round keeps about 1/17 of
         * the breakpoints, so a million communities take two rounds. */
        double sample[SAMPLE], piv[NPIV], acc[NPIV];
        size_t ns = 0, stride = na / SAMPLE + 1;
        for (size_t j = 0; j < na && ns < SAMPLE; j += stride) {
            size_t i = act[j];
            double bl = lo[i] / raw[i], bh = hi[i] / raw[i];
            sample[ns++] = (bl > lam_lo && bl < lam_hi) ? bl : bh;
        }
        qsort(sample, ns, sizeof *sample, cmp_double);
        for (int t = 0; t < NPIV; t++) {
            piv[t] = sample[((size_t)t + 1) * ns / (NPIV + 1)];
            acc[t] = 0;
        }
        if (!(piv[0] > lam_lo && piv[NPIV - 1] < lam_hi))
            break; /* cannot happen for active communities; the sweep copes anyway */
        /* blocks of 4 pivots on the threads: each acc[t] is still summed
         * by one thread over A in order, so the sums do not depend on the
         * thread count */
#pragma omp parallel for if (na >= 32768 && !omp_in_parallel()) num_threads(civ_thread_count(0)) schedule(static)
        for (int tb = 0; tb < NPIV; tb += 4) {
            double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
            const double p0 = piv[tb], p1 = piv[tb + 1], p2 = piv[tb + 2], p3 = piv[tb + 3];
            for (size_t j = 0; j < na; j++) {
                size_t i = act[j];
                double ri = raw[i], l = lo[i], h = hi[i], v;
                v = p0 * ri, v = v < h ? v : h, a0 += v > l ? v : l;
                v = p1 * ri, v = v < h ? v : h, a1 += v > l ? v : l;
                v = p2 * ri, v = v < h ? v : h, a2 += v > l ? v : l;
                v = p3 * ri, v = v < h ? v : h, a3 += v > l ? v : l;
            }
            acc[tb] = a0, acc[tb + 1] = a1, acc[tb + 2] = a2, acc[tb + 3] = a3;
        }
        /* f is non-decreasing in lambda: the first pivot reaching the pool */
        int t = 0;
        while (t < NPIV && fixed + slope * piv[t] + acc[t] < pool)
            t++;
        if (t > 0)
            lam_lo = piv[t - 1];
        if (t < NPIV)
            lam_hi = piv[t];
        size_t keep = 0;
        for (size_t j = 0; j < na; j++) {
            size_t i = act[j];
            double bl = lo[i] / raw[i], bh = hi[i] / raw[i];
            if (bh <= lam_lo)
                fixed += hi[i]; /* at its cap all through the bracket */
            else if (bl >= lam_hi)
                fixed += lo[i]; /* at its floor all through the bracket */
            else if (bl <= lam_lo && bh >= lam_hi)
                slope += raw[i]; /* proportional all through the bracket */
            else
                act[keep++] = i;
        }
        if (keep == na)
            break; /* no progress (heavy ties): the sweep finishes exactly */
        na = keep;
    }
    bk->lam_lo = lam_lo, bk->lam_hi = lam_hi, bk->fixed = fixed, bk->slope = slope, bk->na = na;
}

/* Phase 2 -- sort the remaining breakpoints inside the bracket (radix,
 * stable: ties keep id order) and sweep f = fixed + slope*lambda. *lam gets
 * the multiplier. */
static civ_status sweep_bracket(const double *raw, const double *lo, const double *hi, double pool, const bracket *bk,
                                civ_alloc_pair *pairs, civ_alloc_pair *tmp, double *lam_out, const char *what)
{
    const size_t *act = bk->act, na = bk->na;
    double lam_lo = bk->lam_lo, lam_hi = bk->lam_hi, fixed = bk->fixed, slope = bk->slope;
    size_t m = 0;
    for (size_t j = 0; j < na; j++) {
        size_t i = act[j];
        double bl = lo[i] / raw[i], bh = hi[i] / raw[i];
        if (bh <= lam_lo) {
            fixed += hi[i];
            continue;
        }
        if (bl <= lam_lo) {
            slope += raw[i];
        } else {
            fixed += lo[i];
            if (bl <= lam_hi) {
                /* payload: index << 1 | 0 = leaves its floor, | 1 = reaches its cap */
                pairs[m].key = civ_alloc_double_key(bl);
                pairs[m++].payload = (uint64_t)i << 1;
            }
        }
        if (bh <= lam_hi) {
            pairs[m].key = civ_alloc_double_key(bh);
            pairs[m++].payload = ((uint64_t)i << 1) | 1;
        }
    }
    /* act[] lives in tmp; the sort needs tmp only from here on */
    civ_alloc_radix_sort(pairs, tmp, m);
    double lam = NAN, b_last = lam_lo;
    for (size_t e = 0; e < m; e++) {
        double b;
        uint64_t k = pairs[e].key;
        memcpy(&b, &k, sizeof b);
        b_last = b;
        if (slope > 0 && fixed + slope * b >= pool) {
            lam = (pool - fixed) / slope;
            break;
        }
        size_t i = (size_t)(pairs[e].payload >> 1);
        if (pairs[e].payload & 1) {
            slope -= raw[i];
            fixed += hi[i];
        } else {
            fixed -= lo[i];
            slope += raw[i];
        }
    }
    if (isnan(lam) && !(slope > 1e-9 * fabs(fixed > pool ? fixed : pool)) && m > 0 &&
        fixed >= pool * (1 - 1e-12)) {
        /* Every community reached its cap at the last breakpoint and the caps
         * exhaust the fund exactly: the running slope is a rounding residue
         * (e.g. -1e-16), not a missing multiplier. */
        lam = b_last;
    }
    if (isnan(lam)) {
        if (!(slope > 0))
            return civ_fail(CIV_ERR_INTERNAL, "%s: the breakpoint sweep found no multiplier (slope %g)", what, slope);
        lam = (pool - fixed) / slope;
    }
    *lam_out = lam;
    return CIV_OK;
}

civ_status civ_alloc_solve_lambda(const double *raw, const double *lo, const double *hi, size_t n, double pool,
                                  civ_alloc_pair *pairs, civ_alloc_pair *tmp, double *amounts, double *lambda,
                                  const char *what)
{
    double sum_lo = 0, reach = 0;
    for (size_t i = 0; i < n; i++) {
        sum_lo += lo[i];
        reach += raw[i] > 0 ? hi[i] : lo[i];
    }
    /* Bounds are whole minor units, so these sums are exact below 2^53. */
    if (sum_lo > pool)
        return civ_fail(CIV_ERR_INFEASIBLE,
                        "%s: the lower bounds (floors, hold-harmless) total %.0f minor units, above the pool of %.0f: "
                        "lower the floor or the hold-harmless share, raise the pool's share, or set on_infeasible = "
                        "\"ratable\" in the formula to cut every floor by one ratio",
                        what, sum_lo, pool);
    if (reach < pool)
        return civ_fail(CIV_ERR_INFEASIBLE,
                        "%s: the upper bounds (caps, pace) of communities with a positive score total %.0f minor "
                        "units (zero-score communities held at their floors), below the pool of %.0f: raise the "
                        "cap or the pace limit, or lower the pool's share (the rest could go to a reserve)",
                        what, reach, pool);
    if (sum_lo == pool) {
        memcpy(amounts, lo, n * sizeof *amounts);
        *lambda = 0;
        return CIV_OK;
    }

    bracket bk = {.act = (size_t *)(void *)tmp}; /* tmp holds 2n pairs = room for 4n indices */
    search_bracket(raw, lo, hi, n, pool, &bk);
    double lam = 0;
    civ_status st = sweep_bracket(raw, lo, hi, pool, &bk, pairs, tmp, &lam, what);
    if (st)
        return st;
    if (lam < 0)
        lam = 0;
#pragma omp parallel for if (n >= 32768 && !omp_in_parallel()) num_threads(civ_thread_count(0)) schedule(static)
    for (size_t i = 0; i < n; i++) {
        double v = lam * raw[i];
        v = v < hi[i] ? v : hi[i];
        amounts[i] = v > lo[i] ? v : lo[i];
    }
    *lambda = lam;
    return CIV_OK;
}
