/*
 * test_alloc_round.c -- largest-remainder rounding within bounds
 * (engine/src/alloc/round.c): hand cases (ties to the lower index, caps that
 * refuse the extra unit, floating overshoot taken back, infeasible bounds)
 * and random cases (exact total, bounds kept, each amount within one unit of
 * its real value, and the units go to the largest remainders).
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

#define MAXN 400
static civ_alloc_pair pairs[MAXN], tmp[MAXN];

static civ_status rnd(const double *x, const int64_t *lo, const int64_t *hi, size_t n, int64_t total, int64_t *out)
{
    return civ_alloc_round(x, lo, hi, n, total, pairs, tmp, out);
}

static void test_ties_to_lower_index(void **state)
{
    (void)state;
    /* 1.5 + 1.5 + 1.0 = 4: floors 1,1,1 leave one unit; #0 and #1 tie at .5,
     * the lower index wins -> 2,1,1 */
    double x[] = {1.5, 1.5, 1.0};
    int64_t lo[] = {0, 0, 0}, hi[] = {-1, -1, -1}, out[3];
    assert_int_equal(rnd(x, lo, hi, 3, 4, out), CIV_OK);
    assert_int_equal(out[0], 2);
    assert_int_equal(out[1], 1);
    assert_int_equal(out[2], 1);
}

static void test_largest_remainders(void **state)
{
    (void)state;
    /* 10 units over 3.3, 3.3, 3.4: floors 3,3,3, one unit to the .4 -> 3,3,4 */
    double x[] = {3.3, 3.3, 3.4};
    int64_t lo[] = {0, 0, 0}, hi[] = {-1, -1, -1}, out[3];
    assert_int_equal(rnd(x, lo, hi, 3, 10, out), CIV_OK);
    assert_int_equal(out[0], 3);
    assert_int_equal(out[1], 3);
    assert_int_equal(out[2], 4);
    /* 0.4, 0.35, 0.25 of one unit: the unit goes to #0 */
    double y[] = {0.4, 0.35, 0.25};
    assert_int_equal(rnd(y, lo, hi, 3, 1, out), CIV_OK);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 0);
    assert_int_equal(out[2], 0);
}

static void test_cap_refuses_unit(void **state)
{
    (void)state;
    /* #0 sits on its cap of 2 (floating noise above it); its floor is 2 and
     * the extra unit must go to #1 (.5) even though #0's real value is larger */
    double x[] = {2.0000000001, 0.5, 0.4999999999};
    int64_t lo[] = {0, 0, 0}, hi[] = {2, -1, -1}, out[3];
    assert_int_equal(rnd(x, lo, hi, 3, 3, out), CIV_OK);
    assert_int_equal(out[0], 2);
    assert_int_equal(out[1], 1);
    assert_int_equal(out[2], 0);
}

static void test_overshoot_taken_back(void **state)
{
    (void)state;
    /* reals that sum above the total (floating error upstream): floors 2+2 = 4
     * > 3, one unit is taken from the smallest remainder (tie: lower index) */
    double x[] = {2.0, 2.0};
    int64_t lo[] = {0, 0}, hi[] = {-1, -1}, out[2];
    assert_int_equal(rnd(x, lo, hi, 2, 3, out), CIV_OK);
    assert_int_equal(out[0] + out[1], 3);
    assert_int_equal(out[0], 1);
    /* but never below a floor: #0 is at its floor of 2, so #1 gives */
    int64_t lo2[] = {2, 0};
    assert_int_equal(rnd(x, lo2, hi, 2, 3, out), CIV_OK);
    assert_int_equal(out[0], 2);
    assert_int_equal(out[1], 1);
}

static void test_infeasible(void **state)
{
    (void)state;
    double x[] = {1, 1};
    int64_t lo[] = {0, 0}, hi[] = {1, 1}, out[2];
    assert_int_equal(rnd(x, lo, hi, 2, 3, out), CIV_ERR_INFEASIBLE);
    assert_non_null(strstr(civ_last_error()->message, "cannot be placed"));
}

static void test_random(void **state)
{
    (void)state;
    srand(99);
    double x[MAXN];
    int64_t lo[MAXN], hi[MAXN], out[MAXN];
    for (int rep = 0; rep < 3000; rep++) {
        size_t n = (size_t)(rand() % 200) + 1;
        int64_t total = rand() % 100000;
        /* random weights, bounds around the real values */
        double w[MAXN], sw = 0;
        for (size_t i = 0; i < n; i++)
            sw += w[i] = rep % 5 == 0 ? 1.0 : (double)(rand() % 1000 + 1);
        for (size_t i = 0; i < n; i++) {
            x[i] = (double)total * w[i] / sw;
            lo[i] = rand() % 4 == 0 ? (int64_t)floor(x[i]) : 0;
            hi[i] = rand() % 4 == 0 ? (int64_t)ceil(x[i]) : -1;
        }
        assert_int_equal(rnd(x, lo, hi, n, total, out), CIV_OK);
        int64_t s = 0;
        double min_up = INFINITY, max_down = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            s += out[i];
            assert_true(out[i] >= lo[i]);
            assert_true(hi[i] < 0 || out[i] <= hi[i]);
            assert_true(fabs((double)out[i] - x[i]) < 1.0 + 1e-9);
            double r = x[i] - floor(x[i]);
            if (out[i] > (int64_t)floor(x[i]))
                min_up = fmin(min_up, r);
            else if (hi[i] < 0 || out[i] < hi[i])
                max_down = fmax(max_down, r);
        }
        assert_int_equal(s, total);
        /* Hamilton: every community rounded up had a remainder at least as
         * large as every community with room that was rounded down */
        if (isfinite(min_up) && isfinite(max_down))
            assert_true(min_up >= max_down - 1e-9);
    }
}

/* Large inputs take the radix-select path (4096 or more candidates): the
 * same Hamilton property, and ties broken toward the lower index. */
static void test_large_select(void **state)
{
    (void)state;
    srand(4242);
    size_t N = 70000;
    double *x = malloc(N * sizeof *x);
    int64_t *lo = malloc(N * sizeof *lo), *hi = malloc(N * sizeof *hi), *out = malloc(N * sizeof *out);
    civ_alloc_pair *pp = malloc(N * sizeof *pp), *tt = malloc(N * sizeof *tt);
    for (int rep = 0; rep < 6; rep++) {
        size_t n = N - (size_t)(rand() % 10000);
        double sum = 0;
        for (size_t i = 0; i < n; i++) {
            /* rep 0/1: remainders from 8 values only -> many ties */
            double frac = rep < 2 ? (double)(rand() % 8) / 8.0 : (double)rand() / ((double)RAND_MAX + 1.0);
            x[i] = (double)(rand() % 100) + frac;
            sum += x[i];
            lo[i] = rand() % 5 == 0 ? (int64_t)floor(x[i]) : 0;
            hi[i] = rand() % 5 == 0 ? (int64_t)ceil(x[i]) : -1;
        }
        int64_t total = (int64_t)llround(sum);
        assert_int_equal(civ_alloc_round(x, lo, hi, n, total, pp, tt, out), CIV_OK);
        int64_t s = 0;
        double min_up = INFINITY, max_down = -INFINITY;
        size_t last_up_at_tie = 0, first_down_at_tie = SIZE_MAX;
        for (size_t i = 0; i < n; i++) {
            s += out[i];
            assert_true(out[i] >= lo[i] && (hi[i] < 0 || out[i] <= hi[i]));
            double r = x[i] - floor(x[i]);
            if (out[i] > (int64_t)floor(x[i]))
                min_up = fmin(min_up, r);
            else if (hi[i] < 0 || out[i] < hi[i])
                max_down = fmax(max_down, r);
        }
        assert_true(s == total);
        assert_true(!(isfinite(min_up) && isfinite(max_down)) || min_up >= max_down);
        /* at the cut remainder, every index rounded up precedes every index
         * with room that was rounded down */
        if (isfinite(min_up) && min_up == max_down) {
            for (size_t i = 0; i < n; i++) {
                double r = x[i] - floor(x[i]);
                if (r != min_up)
                    continue;
                if (out[i] > (int64_t)floor(x[i]))
                    last_up_at_tie = i;
                else if ((hi[i] < 0 || out[i] < hi[i]) && first_down_at_tie == SIZE_MAX)
                    first_down_at_tie = i;
            }
            assert_true(last_up_at_tie < first_down_at_tie);
        }
    }
    free(x), free(lo), free(hi), free(out), free(pp), free(tt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ties_to_lower_index),  cmocka_unit_test(test_largest_remainders),
        cmocka_unit_test(test_cap_refuses_unit),     cmocka_unit_test(test_overshoot_taken_back),
        cmocka_unit_test(test_infeasible),           cmocka_unit_test(test_random),
        cmocka_unit_test(test_large_select),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
