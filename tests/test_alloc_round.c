/*
 * test_alloc_round.c -- largest-remainder rounding within bounds
 * (engine/src/alloc/round.c): hand cases (ties to the lower index, caps that
 * refuse the extra unit, floating overshoot taken back, infeasible bounds)
 * and random cases (exact total, bounds kept, each amount within one unit of
 * its real value, and the units go to the largest remainders); exact ties
 * (issue 16 item 1): the two examples of the issue and a property test of
 * many exact ties against an exact rational reference written here.
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
#include "alloc_fixture.h"

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

/* ---- exact ties (issue 16) ------------------------------------------------ */

/* Issue 16 (a): 1,887.60 yuan with reserves of 3% and 1%: exact lines are
 * 5662.8, 1887.6 and 181209.6 fen; the two spare fen go to the largest
 * remainder (risk, .8) and then to the tie at .6 between elastic and the rest,
 * which the earlier line (elastic) wins. */
static void test_issue_reserve_tie(void **state)
{
    (void)state;
    const char *text = "version = \"t\"\n[budget]\ntotal = 1887.60\nfiscal_year = 2026\n"
                       "[[reserve]]\nname = \"risk\"\nshare = 0.03\n[[reserve]]\nname = \"elastic\"\nshare = 0.01\n"
                       "[[pool]]\nname = \"p\"\nshare = 1\n[[factor]]\nname = \"a\"\nattribute = \"a\"\nweight = 1\n";
    civ_alloc_spec *s = NULL;
    assert_int_equal(civ_alloc_spec_parse(text, strlen(text), "t.spec", &s), CIV_OK);
    assert_true(civ_alloc_spec_reserve_amount(s, 0) == 5663);
    assert_true(civ_alloc_spec_reserve_amount(s, 1) == 1888);
    assert_true(civ_alloc_spec_pool_amount(s, 0) == 181209);
    civ_alloc_spec_free(s);
}

/* Issue 16 (b): 5,999.97 yuan by population 2,000 : 10,000 is 99,999.5 and
 * 499,997.5 fen exactly; ties by id give A 100,000 and B 499,997. */
static void test_issue_community_tie(void **state)
{
    (void)state;
    const double pop[2] = {2000, 10000};
    civ_table *t = af_table_ab(2, pop, NULL);
    int64_t out[2];
    af_amounts_of("version = \"t\"\n[budget]\ntotal = 5999.97\nfiscal_year = 2026\n[[pool]]\nname = \"p\"\n"
                  "share = 1\n[[factor]]\nname = \"pop\"\nattribute = \"a\"\nweight = 1\n",
                  t, 2, out);
    assert_true(out[0] == 100000 && out[1] == 499997);
    civ_table_free(t);
}

/* Many exact ties: two factors of weight 0.5 over small integers (shares with
 * small denominators), random totals.  Reference, in integers: community i's
 * exact amount is T (a_i B + b_i A) / (2 A B) (A, B the factor totals); floor
 * it, then give the spare units to the largest remainders T num_i mod den,
 * ties to the lower id. */
static void test_exact_ties_property(void **state)
{
    (void)state;
    srand(16);
    static const int vals[] = {0, 1, 2, 3, 4, 6, 8, 12};
    int cases = 0, tied_cases = 0;
    for (int rep = 0; rep < 2000; rep++) {
        size_t n = 2 + (size_t)(rand() % 7);
        double a[8], b[8];
        int64_t A = 0, B = 0;
        for (size_t i = 0; i < n; i++) {
            a[i] = vals[1 + rand() % 7], b[i] = vals[rand() % 8];
            A += (int64_t)a[i], B += (int64_t)b[i];
        }
        if (B == 0)
            continue;
        int64_t T = (int64_t)(rand() % 100000) + (int64_t)n; /* fen */
        if (rep % 2)
            T = T / 24 * 24 + (rand() % 2); /* totals divisible by small numbers: more exact ties */
        if (T <= 0)
            continue;
        /* the reference */
        int64_t den = 2 * A * B, ref[8], rem[8], used = 0;
        for (size_t i = 0; i < n; i++) {
            int64_t num = (int64_t)a[i] * B + (int64_t)b[i] * A;
            ref[i] = T * num / den, rem[i] = T * num % den;
            used += ref[i];
        }
        int tie = 0;
        for (int64_t k = used; k < T; k++) {
            size_t best = 0;
            for (size_t i = 1; i < n; i++)
                if (rem[i] > rem[best])
                    best = i;
            for (size_t i = 0; i < n; i++)
                tie |= i != best && rem[i] == rem[best];
            ref[best]++, rem[best] = -1;
        }
        char spec[512];
        snprintf(spec, sizeof spec,
                 "version = \"t\"\n[budget]\ntotal = %lld.%02lld\nfiscal_year = 2026\n[[pool]]\nname = \"p\"\n"
                 "share = 1\n[[factor]]\nname = \"fa\"\nattribute = \"a\"\nweight = 0.5\n"
                 "[[factor]]\nname = \"fb\"\nattribute = \"b\"\nweight = 0.5\n",
                 (long long)(T / 100), (long long)(T % 100));
        civ_table *t = af_table_ab(n, a, b);
        int64_t got[8];
        af_amounts_of(spec, t, n, got);
        civ_table_free(t);
        for (size_t i = 0; i < n; i++)
            if (got[i] != ref[i])
                fail_msg("rep %d: community %zu got %lld, the rule gives %lld (T = %lld, A = %lld, B = %lld)", rep, i,
                         (long long)got[i], (long long)ref[i], (long long)T, (long long)A, (long long)B);
        cases++;
        tied_cases += tie;
    }
    assert_true(cases > 1500);
    assert_true(tied_cases > 100); /* the test does exercise exact ties */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ties_to_lower_index),  cmocka_unit_test(test_largest_remainders),
        cmocka_unit_test(test_cap_refuses_unit),     cmocka_unit_test(test_overshoot_taken_back),
        cmocka_unit_test(test_infeasible),           cmocka_unit_test(test_random),
        cmocka_unit_test(test_large_select),         cmocka_unit_test(test_issue_reserve_tie),
        cmocka_unit_test(test_issue_community_tie),  cmocka_unit_test(test_exact_ties_property),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
