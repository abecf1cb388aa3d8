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
#include "threads.h"

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
#pragma omp parallel for if (n >= 32768 && !omp_in_parallel()) num_threads(civ_thread_count(0)) reduction(max : mx) schedule(static)
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

/* The integer bounds of community i: from int64 arrays (hi < 0: none), or
 * from the solve's whole-unit doubles (hi infinite: none), which spares the
 * solve two integer copies of its bounds. */
typedef struct round_bounds {
    const int64_t *lo, *hi;
    const double *lo_d, *hi_d;
} round_bounds;
static inline int64_t b_lo(const round_bounds *b, size_t i)
{
    return b->lo ? b->lo[i] : (int64_t)b->lo_d[i];
}
static inline int64_t b_hi(const round_bounds *b, size_t i)
{
    return b->hi ? b->hi[i] : isfinite(b->hi_d[i]) ? (int64_t)b->hi_d[i] : -1;
}

/* Whether community i can take one more unit (step +1: below its upper
 * bound) or give one back (step -1: above its lower bound). */
static inline int eligible(const int64_t *out, const round_bounds *b, size_t i, int64_t step)
{
    if (step > 0) {
        int64_t hi = b_hi(b, i);
        return !(hi >= 0 && out[i] >= hi);
    }
    return out[i] > b_lo(b, i);
}

/* The sort key of community i's remainder: ascending = first served
 * (step +1: largest remainder first, key = ~remainder; step -1, when the
 * floating error overshot: the smallest remainders give back first). */
static inline uint64_t round_key(const double *x, const int64_t *out, size_t i, double g, int64_t step)
{
    return step > 0 ? UINT64_MAX - grid_key(x[i] - (double)out[i], g) : grid_key(x[i] - (double)out[i] + 1.0, g);
}

/* take_smallest over the eligible communities' keys, computed on the fly;
 * returns how many were eligible. */
static size_t select_smallest(const double *x, const round_bounds *b, size_t n, double g,
                              int64_t step, size_t need, civ_alloc_pair *pairs, civ_alloc_pair *tmp, int64_t *out)
{
    static _Thread_local uint32_t hist[1 << 16];
    memset(hist, 0, sizeof hist);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (eligible(out, b, i, step)) {
            hist[round_key(x, out, i, g, step) >> 48]++;
            m++;
        }
    if (need >= m) {
        for (size_t i = 0; i < n; i++)
            if (eligible(out, b, i, step))
                out[i] += step;
        return m;
    }
    size_t below = 0, cut = 0;
    while (below + hist[cut] < need)
        below += hist[cut++];
    size_t nb = 0;
    for (size_t i = 0; i < n; i++) {
        if (!eligible(out, b, i, step))
            continue;
        uint64_t key = round_key(x, out, i, g, step);
        size_t top = (size_t)(key >> 48);
        if (top < cut) {
            out[i] += step;
        } else if (top == cut) {
            pairs[nb].key = key;
            pairs[nb++].payload = i;
        }
    }
    civ_alloc_radix_sort(pairs, tmp, nb);
    for (size_t j = 0; j < need - below; j++)
        out[pairs[j].payload] += step;
    return m;
}

static civ_status round_core(const double *x, const round_bounds *b, size_t n, int64_t total, civ_alloc_pair *pairs,
                             civ_alloc_pair *tmp, int64_t *out)
{
    int64_t used = 0; /* an integer sum: the same whatever the order */
#pragma omp parallel for if (n >= 32768 && !omp_in_parallel()) num_threads(civ_thread_count(0)) reduction(+ : used) schedule(static)
    for (size_t i = 0; i < n; i++) {
        int64_t v = (int64_t)x[i]; /* floor: x >= 0 */
        int64_t lo = b_lo(b, i), hi = b_hi(b, i);
        if (v < lo)
            v = lo;
        if (hi >= 0 && v > hi)
            v = hi;
        out[i] = v;
        used += v;
    }
    const double g = tie_grid(x, n);
    int64_t deficit = total - used;
    while (deficit != 0) {
        int64_t step = deficit > 0 ? 1 : -1;
        size_t need = (size_t)(deficit > 0 ? deficit : -deficit), m;
        if (n >= 4096) {
            /* take_smallest's radix select without materialising every
             * pair: the keys' histogram in one pass, then the units below
             * the cut bucket given and only the cut bucket's pairs sorted
             * (the same keys, the same order: the same result) */
            m = select_smallest(x, b, n, g, step, need, pairs, tmp, out);
        } else {
            m = 0;
            for (size_t i = 0; i < n; i++)
                if (eligible(out, b, i, step)) {
                    pairs[m].key = round_key(x, out, i, g, step);
                    pairs[m++].payload = i;
                }
            if (m)
                take_smallest(pairs, tmp, m, need < m ? need : m, out, step);
        }
        if (m == 0)
            return civ_fail(CIV_ERR_INFEASIBLE,
                            "rounding: %lld minor units cannot be placed within the communities' bounds",
                            (long long)deficit);
        if (need > m)
            need = m;
        deficit -= step * (int64_t)need;
    }
    return CIV_OK;
}

civ_status civ_alloc_round(const double *x, const int64_t *lo, const int64_t *hi, size_t n, int64_t total,
                           civ_alloc_pair *pairs, civ_alloc_pair *tmp, int64_t *out)
{
    round_bounds b = {.lo = lo, .hi = hi};
    return round_core(x, &b, n, total, pairs, tmp, out);
}

civ_status civ_alloc_round_d(const double *x, const double *lo, const double *hi, size_t n, int64_t total,
                             civ_alloc_pair *pairs, civ_alloc_pair *tmp, int64_t *out)
{
    round_bounds b = {.lo_d = lo, .hi_d = hi};
    return round_core(x, &b, n, total, pairs, tmp, out);
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
