/*
 * round.c -- alloc layer: whole minor units by the largest remainder method,
 * the one rounding of the layer (community amounts and the budget lines).
 *
 * Hamilton's method (Balinski & Young, "Fair Representation", 2nd ed. 2001,
 * ch. 2 and appendix A): floor every real amount, then hand the missing units,
 * one each, to the largest fractional remainders.  Two additions make it safe
 * for money: (1) the bounds are whole units (floors rounded up, caps rounded
 * down by the caller), and a unit only goes to a community still below its
 * upper bound, so rounding never breaks a floor or a cap; (2) remainders that
 * tie are ordered by index, and callers index communities in id order, so the
 * result does not depend on the input row order.
 */
#include <math.h>
#include <omp.h>
#include <string.h>

#include "alloc.h"

/* Gives +1 to the `need` smallest keys among pairs[0..m) (ties: earlier
 * position first, and positions are in index order).  A radix *select*:
 * one histogram of the top 16 key bits finds the bucket holding the cut;
 * keys in lower buckets are all taken, and only the cut bucket is sorted. */
static void take_smallest(civ_alloc_pair *pairs, civ_alloc_pair *tmp, size_t m, size_t need, int64_t *out,
                          int64_t step)
{
    if (need >= m) {
        for (size_t j = 0; j < m; j++)
            out[pairs[j].payload] += step;
        return;
    }
    if (m < 4096) {
        civ_alloc_radix_sort(pairs, tmp, m);
        for (size_t j = 0; j < need; j++)
            out[pairs[j].payload] += step;
        return;
    }
    static _Thread_local uint32_t hist[1 << 16];
    memset(hist, 0, sizeof hist);
    for (size_t j = 0; j < m; j++)
        hist[pairs[j].key >> 48]++;
    size_t below = 0, cut = 0;
    while (below + hist[cut] < need)
        below += hist[cut++];
    size_t nb = 0;
    for (size_t j = 0; j < m; j++) {
        size_t top = (size_t)(pairs[j].key >> 48);
        if (top < cut)
            out[pairs[j].payload] += step;
        else if (top == cut)
            pairs[nb++] = pairs[j]; /* in place: nb <= j; keeps index order */
    }
    civ_alloc_radix_sort(pairs, tmp, nb);
    for (size_t j = 0; j < need - below; j++)
        out[pairs[j].payload] += step;
}

/* The tie grid of civ_alloc_round: remainders that differ by less than
 * about one step are taken as equal (ties by index).  A power of two, so that
 * remainders k/d with small denominators d land on the grid exactly or far
 * from a half step: at least 2^-30 minor units, and 2^-44 relative to the
 * largest amount (about 256 ulps of it: the solve's floating error is a few
 * ulps). */
static double tie_grid(const double *x, size_t n)
{
    double mx = 1; /* a maximum: the same whatever the order */
#pragma omp parallel for if (n >= 32768 && !omp_in_parallel()) reduction(max : mx) schedule(static)
    for (size_t i = 0; i < n; i++)
        if (x[i] > mx)
            mx = x[i];
    int e;
    frexp(mx, &e); /* mx < 2^e */
    return ldexp(1.0, e - 44 > -30 ? e - 44 : -30);
}

/* The sort key of a remainder on the tie grid (ascending = smallest). */
static uint64_t grid_key(double r, double g)
{
    double q = nearbyint(r / g);
    return q > 0 ? (uint64_t)q : 0;
}

civ_status civ_alloc_round(const double *x, const int64_t *lo, const int64_t *hi, size_t n, int64_t total,
                           civ_alloc_pair *pairs, civ_alloc_pair *tmp, int64_t *out)
{
    int64_t used = 0; /* an integer sum: the same whatever the order */
#pragma omp parallel for if (n >= 32768 && !omp_in_parallel()) reduction(+ : used) schedule(static)
    for (size_t i = 0; i < n; i++) {
        int64_t v = (int64_t)x[i]; /* floor: x >= 0 */
        if (v < lo[i])
            v = lo[i];
        if (hi[i] >= 0 && v > hi[i])
            v = hi[i];
        out[i] = v;
        used += v;
    }
    const double g = tie_grid(x, n);
    int64_t deficit = total - used;
    while (deficit != 0) {
        size_t m = 0;
        if (deficit > 0) {
            /* largest remainder first: key = ~remainder, so ascending keys */
            for (size_t i = 0; i < n; i++) {
                if (hi[i] >= 0 && out[i] >= hi[i])
                    continue;
                pairs[m].key = UINT64_MAX - grid_key(x[i] - (double)out[i], g);
                pairs[m++].payload = i;
            }
        } else {
            /* floating error overshot: take back from the smallest remainders */
            for (size_t i = 0; i < n; i++) {
                if (out[i] <= lo[i])
                    continue;
                pairs[m].key = grid_key(x[i] - (double)out[i] + 1.0, g);
                pairs[m++].payload = i;
            }
        }
        if (m == 0)
            return civ_fail(CIV_ERR_INFEASIBLE,
                            "rounding: %lld minor units cannot be placed within the communities' bounds",
                            (long long)deficit);
        int64_t step = deficit > 0 ? 1 : -1;
        size_t need = (size_t)(deficit > 0 ? deficit : -deficit);
        if (need > m)
            need = m;
        take_smallest(pairs, tmp, m, need, out, step);
        deficit -= step * (int64_t)need;
    }
    return CIV_OK;
}

civ_status civ_alloc_split_exact(int64_t total, const int64_t *num, size_t n, int64_t den, civ_alloc_pair *pairs,
                                 civ_alloc_pair *tmp, int64_t *out)
{
    if (total < 0 || den <= 0)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_split_exact: negative total or denominator");
    int64_t used = 0;
    for (size_t i = 0; i < n; i++) {
        if (num[i] < 0)
            return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_split_exact: negative share");
        __int128 p = (__int128)total * num[i];
        out[i] = (int64_t)(p / den);
        pairs[i].key = UINT64_MAX - (uint64_t)(p % den); /* largest remainder first */
        pairs[i].payload = i;
        used += out[i];
    }
    if (used > total || total - used > (int64_t)n)
        return civ_fail(CIV_ERR_INTERNAL, "civ_alloc_split_exact: the shares do not sum to the denominator");
    take_smallest(pairs, tmp, n, (size_t)(total - used), out, 1);
    return CIV_OK;
}
