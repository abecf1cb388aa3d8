/*
 * numeric.c -- layer: core.  SplitMix64 seed mixing, the R type-7 sample
 * quantile by selection, one or several at a time, and rates written with
 * their percent sign (see numeric.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "numeric.h"
#include "c_locale.h"

uint64_t civ_seed_mix(uint64_t seed, uint64_t key)
{
    uint64_t z = seed + (key + 1u) * UINT64_C(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Hoare-style selection (Floyd-Rivest without sampling): after the call,
 * a[k] holds the k-th smallest of a[lo..hi] and the elements before it are
 * <= a[k] <= those after.  Expected O(n); deterministic (median-of-three). */
static void select_kth(double *a, size_t lo, size_t hi, size_t k)
{
    while (hi > lo) {
        size_t mid = lo + (hi - lo) / 2;
        /* median of three as the pivot, moved to a[lo] */
        if (a[mid] < a[lo]) { double t = a[mid]; a[mid] = a[lo]; a[lo] = t; }
        if (a[hi] < a[lo]) { double t = a[hi]; a[hi] = a[lo]; a[lo] = t; }
        if (a[hi] < a[mid]) { double t = a[hi]; a[hi] = a[mid]; a[mid] = t; }
        double pivot = a[mid];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                double t = a[i]; a[i] = a[j]; a[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return;
    }
}

double civ_quantile7(double *a, size_t m, double p)
{
    double h = (double)(m - 1) * p;
    size_t lo = (size_t)floor(h);
    select_kth(a, 0, m - 1, lo);
    double x = a[lo];
    if (lo + 1 >= m || h == (double)lo)
        return x;
    /* the next order statistic is the minimum of the upper part */
    double y = a[lo + 1];
    for (size_t i = lo + 2; i < m; i++)
        if (a[i] < y)
            y = a[i];
    return x + (h - (double)lo) * (y - x);
}


/* Puts the order statistics ranks[r0..r1] (ascending, distinct, all in
 * [lo, hi]) in place: the middle one by selection, then each side within its
 * own part (the elements left of it are <= it, those right >= it). */
static void select_ranks(double *a, size_t lo, size_t hi, const size_t *ranks, size_t r0, size_t r1)
{
    for (;;) {
        size_t mid = r0 + (r1 - r0) / 2, k = ranks[mid];
        select_kth(a, lo, hi, k);
        if (mid > r0)
            select_ranks(a, lo, k - 1, ranks, r0, mid - 1);
        if (mid >= r1)
            return;
        r0 = mid + 1;
        lo = k + 1;
    }
}

void civ_quantiles7(double *a, size_t m, const double *p, size_t np, double *out)
{
    size_t ranks[2 * CIV_QUANTILES_MAX], nr = 0;
    for (size_t i = 0; i < np; i++) {
        double h = (double)(m - 1) * p[i];
        size_t lo = (size_t)floor(h);
        ranks[nr++] = lo;
        if (lo + 1 < m && h != (double)lo)
            ranks[nr++] = lo + 1;
    }
    for (size_t i = 1; i < nr; i++) /* insertion sort of at most 2 CIV_QUANTILES_MAX ranks */
        for (size_t j = i; j > 0 && ranks[j - 1] > ranks[j]; j--) {
            size_t t = ranks[j];
            ranks[j] = ranks[j - 1];
            ranks[j - 1] = t;
        }
    size_t nu = 0;
    for (size_t i = 0; i < nr; i++)
        if (nu == 0 || ranks[nu - 1] != ranks[i])
            ranks[nu++] = ranks[i];
    if (nu > 0)
        select_ranks(a, 0, m - 1, ranks, 0, nu - 1);
    for (size_t i = 0; i < np; i++) { /* civ_quantile7's arithmetic on the same order statistics */
        double h = (double)(m - 1) * p[i];
        size_t lo = (size_t)floor(h);
        double x = a[lo];
        out[i] = lo + 1 >= m || h == (double)lo ? x : x + (h - (double)lo) * (a[lo + 1] - x);
    }
}

int civ_percent_text(const char *text, double *out)
{
    const char *p = text, *start;
    size_t nd = 0, ndot = 0;
    if (*p == '+')
        p++;
    for (start = p; *p && *p != '%'; p++) {
        if (*p == '.')
            ndot++;
        else if (*p >= '0' && *p <= '9')
            nd++;
        else
            return -1;
    }
    if (!nd || ndot > 1 || *p != '%' || p[1] || p - start > 40)
        return -1;
    char buf[64], *end;
    civ_snprintf(buf, sizeof buf, "%.*se-2", (int)(p - start), start); /* "15%" -> 15e-2: the double of 0.15 */
    double v = civ_strtod(buf, &end);
    if (*end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}
