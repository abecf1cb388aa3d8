/*
 * test_alloc_solve.c -- the exact constrained solve (engine/src/alloc/solve.c):
 * hand-computed cases for floors, caps, zero scores, ties, equal bounds and
 * infeasibility (status and the totals in the message), the radix sort
 * against qsort, and random instances checked against the optimality
 * conditions and an independent bisection.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"

#define MAXN 512
static civ_alloc_pair pairs[2 * MAXN], tmp[2 * MAXN];

static civ_status solve(const double *raw, const double *lo, const double *hi, size_t n, double pool, double *a,
                        double *lam)
{
    return civ_alloc_solve_lambda(raw, lo, hi, n, pool, pairs, tmp, a, lam, "test pool");
}

static void expect_amounts(const double *a, const double *want, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (fabs(a[i] - want[i]) > 1e-9 * fmax(1, fabs(want[i])))
            fail_msg("amount %zu: got %.12g, want %.12g", i, a[i], want[i]);
    }
}

static void test_no_bounds(void **state)
{
    (void)state;
    /* by hand: lambda = 100 / (1+2+3+4) = 10 -> 10, 20, 30, 40 */
    double raw[] = {1, 2, 3, 4}, lo[] = {0, 0, 0, 0}, hi[] = {INFINITY, INFINITY, INFINITY, INFINITY}, a[4], lam;
    assert_int_equal(solve(raw, lo, hi, 4, 100, a, &lam), CIV_OK);
    double want[] = {10, 20, 30, 40};
    expect_amounts(a, want, 4);
    assert_true(fabs(lam - 10) < 1e-12);
}

static void test_floor_needs_two_rounds(void **state)
{
    (void)state;
    /* raw 1,2,7, floors 20,20,0, pool 100.  Proportional: 10, 20, 70.  One
     * clamp-and-renormalise round raises #0 to 20 and gives 80*2/9 = 17.8 to
     * #1, below its floor; the exact answer has both at 20 and #2 at 60
     * (lambda = 60/7 = 8.571: 8.571*2 = 17.1 < 20, so #1 is at its floor). */
    double raw[] = {1, 2, 7}, lo[] = {20, 20, 0}, hi[] = {INFINITY, INFINITY, INFINITY}, a[3], lam;
    assert_int_equal(solve(raw, lo, hi, 3, 100, a, &lam), CIV_OK);
    double want[] = {20, 20, 60};
    expect_amounts(a, want, 3);
    assert_true(fabs(lam - 60.0 / 7.0) < 1e-12);
}

static void test_cap(void **state)
{
    (void)state;
    /* raw 1,1,2, cap 40 on #2, pool 100: proportional 25,25,50 -> #2 capped at
     * 40, the other 60 split 30/30 (lambda = 30). */
    double raw[] = {1, 1, 2}, lo[] = {0, 0, 0}, hi[] = {INFINITY, INFINITY, 40}, a[3], lam;
    assert_int_equal(solve(raw, lo, hi, 3, 100, a, &lam), CIV_OK);
    double want[] = {30, 30, 40};
    expect_amounts(a, want, 3);
    assert_true(fabs(lam - 30) < 1e-12);
}

static void test_floor_and_cap_together(void **state)
{
    (void)state;
    /* raw 1,4,5, floor 15 for all, cap 45 for all, pool 100.  Proportional
     * 10,40,50 -> #0 to 15 and #2 to 45 leaves 40 for #1 (lambda = 10:
     * 10*1 = 10 < 15, 10*5 = 50 > 45, 10*4 = 40 inside). */
    double raw[] = {1, 4, 5}, lo[] = {15, 15, 15}, hi[] = {45, 45, 45}, a[3], lam;
    assert_int_equal(solve(raw, lo, hi, 3, 100, a, &lam), CIV_OK);
    double want[] = {15, 40, 45};
    expect_amounts(a, want, 3);
}

static void test_zero_score(void **state)
{
    (void)state;
    /* #0 has no score but a floor of 10: it gets exactly 10; the rest (40)
     * is shared 20/20 by #1 and #2. */
    double raw[] = {0, 1, 1}, lo[] = {10, 0, 0}, hi[] = {INFINITY, INFINITY, INFINITY}, a[3], lam;
    assert_int_equal(solve(raw, lo, hi, 3, 50, a, &lam), CIV_OK);
    double want[] = {10, 20, 20};
    expect_amounts(a, want, 3);
}

static void test_equal_bounds_and_ties(void **state)
{
    (void)state;
    /* #0 pinned at 30 (lo = hi), the other 70 to #1. */
    double raw[] = {1, 1}, lo[] = {30, 0}, hi[] = {30, INFINITY}, a[2], lam;
    assert_int_equal(solve(raw, lo, hi, 2, 100, a, &lam), CIV_OK);
    double want[] = {30, 70};
    expect_amounts(a, want, 2);
    /* four equal scores, caps that exactly exhaust the pool: 25 each */
    double raw4[] = {1, 1, 1, 1}, lo4[] = {0, 0, 0, 0}, hi4[] = {25, 25, 25, 25}, a4[4];
    assert_int_equal(solve(raw4, lo4, hi4, 4, 100, a4, &lam), CIV_OK);
    double want4[] = {25, 25, 25, 25};
    expect_amounts(a4, want4, 4);
    /* floors that exactly exhaust the pool: lambda 0, everyone at the floor */
    double lo5[] = {40, 60}, hi5[] = {INFINITY, INFINITY}, a5[2];
    assert_int_equal(solve(raw, lo5, hi5, 2, 100, a5, &lam), CIV_OK);
    double want5[] = {40, 60};
    expect_amounts(a5, want5, 2);
}

static void test_infeasible(void **state)
{
    (void)state;
    double raw[] = {1, 1}, a[2], lam;
    double lo[] = {60, 60}, hi[] = {INFINITY, INFINITY};
    assert_int_equal(solve(raw, lo, hi, 2, 100, a, &lam), CIV_ERR_INFEASIBLE);
    assert_non_null(strstr(civ_last_error()->message, "120"));
    assert_non_null(strstr(civ_last_error()->message, "100"));
    assert_non_null(strstr(civ_last_error()->message, "test pool"));
    double lo2[] = {0, 0}, hi2[] = {30, 30};
    assert_int_equal(solve(raw, lo2, hi2, 2, 100, a, &lam), CIV_ERR_INFEASIBLE);
    assert_non_null(strstr(civ_last_error()->message, "60"));
    /* caps total 140 but #0 has no score, so only #1's 40 is reachable */
    double raw3[] = {0, 1}, hi3[] = {100, 40};
    assert_int_equal(solve(raw3, lo2, hi3, 2, 50, a, &lam), CIV_ERR_INFEASIBLE);
    assert_non_null(strstr(civ_last_error()->message, "40"));
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = ((const civ_alloc_pair *)a)->key, y = ((const civ_alloc_pair *)b)->key;
    if (x != y)
        return x < y ? -1 : 1;
    uint64_t p = ((const civ_alloc_pair *)a)->payload, q = ((const civ_alloc_pair *)b)->payload;
    return p < q ? -1 : p > q;
}

static void test_radix_sort(void **state)
{
    (void)state;
    srand(7);
    civ_alloc_pair ref[2 * MAXN];
    for (int rep = 0; rep < 50; rep++) {
        size_t n = (size_t)(rand() % (2 * MAXN)) + 1;
        for (size_t i = 0; i < n; i++) {
            double x = rep % 3 == 0 ? (double)(rand() % 5) : ldexp((double)rand() / RAND_MAX, rand() % 40 - 20);
            pairs[i].key = civ_alloc_double_key(x);
            pairs[i].payload = i;
            ref[i] = pairs[i];
        }
        qsort(ref, n, sizeof *ref, cmp_u64); /* payload breaks ties = stability */
        civ_alloc_radix_sort(pairs, tmp, n);
        for (size_t i = 0; i < n; i++) {
            assert_true(pairs[i].key == ref[i].key);
            assert_true(pairs[i].payload == ref[i].payload);
        }
    }
    /* the key map orders doubles */
    assert_true(civ_alloc_double_key(0.0) < civ_alloc_double_key(1e-300));
    assert_true(civ_alloc_double_key(1.0) < civ_alloc_double_key(1.0000000000000002));
    assert_true(civ_alloc_double_key(-0.0) == civ_alloc_double_key(0.0));
    assert_true(civ_alloc_double_key(1e300) < civ_alloc_double_key(INFINITY));
}

static double urand_test(void) { return (double)rand() / ((double)RAND_MAX + 1.0); }

/* Reference: bisection on lambda (independent of the breakpoint sweep). */
static double ref_sum(const double *raw, const double *lo, const double *hi, size_t n, double lam)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double a = raw[i] > 0 ? lam * raw[i] : lo[i];
        s += a < lo[i] ? lo[i] : a > hi[i] ? hi[i] : a;
    }
    return s;
}

static void test_random_against_bisection(void **state)
{
    (void)state;
    srand(12345);
    double raw[MAXN], lo[MAXN], hi[MAXN], a[MAXN];
    int solved = 0, infeasible = 0;
    for (int rep = 0; rep < 3000; rep++) {
        size_t n = (size_t)(rand() % 60) + 1;
        double sum_lo = 0, reach = 0;
        for (size_t i = 0; i < n; i++) {
            raw[i] = rand() % 5 == 0 ? 0 : (double)(rand() % 1000) / 37.0;
            if (rep % 7 == 0)
                raw[i] = 1; /* many ties */
            lo[i] = rand() % 3 == 0 ? (double)(rand() % 50) : 0;
            hi[i] = rand() % 3 == 0 ? lo[i] + (double)(rand() % 80) : INFINITY;
            sum_lo += lo[i];
            reach += raw[i] > 0 ? hi[i] : lo[i];
        }
        double pool = (double)(rand() % 3000);
        double lam;
        civ_status st = solve(raw, lo, hi, n, pool, a, &lam);
        int feasible = sum_lo <= pool && reach >= pool;
        if (!feasible) {
            assert_int_equal(st, CIV_ERR_INFEASIBLE);
            infeasible++;
            continue;
        }
        assert_int_equal(st, CIV_OK);
        solved++;
        double s = 0;
        for (size_t i = 0; i < n; i++) {
            assert_true(a[i] >= lo[i] && a[i] <= hi[i]);
            s += a[i];
            /* optimality: inside the bounds the amount is lambda*raw */
            if (raw[i] > 0 && a[i] > lo[i] && a[i] < hi[i])
                assert_true(fabs(a[i] - lam * raw[i]) <= 1e-9 * fmax(1, a[i]));
            if (raw[i] > 0 && a[i] == lo[i] && lo[i] > 0 && lo[i] < hi[i])
                assert_true(lam * raw[i] <= lo[i] * (1 + 1e-12));
            if (raw[i] > 0 && a[i] == hi[i] && lo[i] < hi[i])
                assert_true(lam * raw[i] >= hi[i] * (1 - 1e-12));
        }
        assert_true(fabs(s - pool) <= 1e-9 * fmax(1, pool));
        /* bisection: any lambda hitting the pool gives the same amounts */
        double l0 = 0, l1 = 1;
        while (ref_sum(raw, lo, hi, n, l1) < pool && l1 < 1e300)
            l1 *= 2;
        for (int it = 0; it < 200; it++) {
            double mid = 0.5 * (l0 + l1);
            if (ref_sum(raw, lo, hi, n, mid) < pool)
                l0 = mid;
            else
                l1 = mid;
        }
        for (size_t i = 0; i < n; i++) {
            double b = raw[i] > 0 ? l1 * raw[i] : lo[i];
            b = b < lo[i] ? lo[i] : b > hi[i] ? hi[i] : b;
            assert_true(fabs(a[i] - b) <= 1e-6 * fmax(1, b));
        }
    }
    assert_true(solved > 1000);
    assert_true(infeasible > 50);
}

/* Large instances take the variable-fixing path (n > 4096): the same checks,
 * with heavy ties (scores from a handful of values) and bounds everywhere. */
static void test_large_against_bisection(void **state)
{
    (void)state;
    srand(777);
    size_t N = 60000;
    double *raw = malloc(N * sizeof *raw), *lo = malloc(N * sizeof *lo), *hi = malloc(N * sizeof *hi);
    double *a = malloc(N * sizeof *a);
    civ_alloc_pair *pp = malloc(2 * N * sizeof *pp), *tt = malloc(2 * N * sizeof *tt);
    for (int rep = 0; rep < 12; rep++) {
        size_t n = N - (size_t)(rand() % 20000);
        double sum_lo = 0, reach = 0, sum_raw = 0;
        for (size_t i = 0; i < n; i++) {
            raw[i] = rep % 3 == 0 ? (double)(1 + rand() % 4) : rand() % 50 == 0 ? 0 : urand_test();
            lo[i] = rand() % 2 ? floor(100 * urand_test()) : 0;
            hi[i] = rand() % 3 ? lo[i] + floor(300 * urand_test()) : INFINITY;
            sum_lo += lo[i];
            reach += raw[i] > 0 ? hi[i] : lo[i];
            sum_raw += raw[i];
        }
        /* a pool between the floors and the reachable maximum */
        double top = isfinite(reach) ? reach : sum_lo + 200.0 * (double)n;
        double pool = floor(sum_lo + (top - sum_lo) * (0.05 + 0.9 * urand_test()));
        double lam;
        assert_int_equal(civ_alloc_solve_lambda(raw, lo, hi, n, pool, pp, tt, a, &lam, "big"), CIV_OK);
        double s = 0;
        for (size_t i = 0; i < n; i++) {
            assert_true(a[i] >= lo[i] && a[i] <= hi[i]);
            s += a[i];
            if (raw[i] > 0 && a[i] > lo[i] && a[i] < hi[i])
                assert_true(fabs(a[i] - lam * raw[i]) <= 1e-9 * fmax(1, a[i]));
            if (raw[i] > 0 && a[i] == lo[i] && lo[i] < hi[i])
                assert_true(lam * raw[i] <= lo[i] * (1 + 1e-12) + 1e-300);
            if (raw[i] > 0 && a[i] == hi[i] && lo[i] < hi[i])
                assert_true(lam * raw[i] >= hi[i] * (1 - 1e-12));
        }
        assert_true(fabs(s - pool) <= 1e-9 * pool);
        double l0 = 0, l1 = 1;
        while (ref_sum(raw, lo, hi, n, l1) < pool)
            l1 *= 2;
        for (int it = 0; it < 200; it++) {
            double mid = 0.5 * (l0 + l1);
            if (ref_sum(raw, lo, hi, n, mid) < pool)
                l0 = mid;
            else
                l1 = mid;
        }
        assert_true(fabs(lam - l1) <= 1e-9 * l1);
        (void)sum_raw;
    }
    free(raw), free(lo), free(hi), free(a), free(pp), free(tt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_bounds),
        cmocka_unit_test(test_floor_needs_two_rounds),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_floor_and_cap_together),
        cmocka_unit_test(test_zero_score),
        cmocka_unit_test(test_equal_bounds_and_ties),
        cmocka_unit_test(test_infeasible),
        cmocka_unit_test(test_radix_sort),
        cmocka_unit_test(test_random_against_bisection),
        cmocka_unit_test(test_large_against_bisection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
