/*
 * test_numeric.c -- tests of engine/src/core/numeric.c: the SplitMix64 seed
 * mixer against its published first output, the type-7 quantile by
 * selection against a full-sort reference, and several quantiles at once
 * (civ_quantiles7) bit-identical to one civ_quantile7 call each.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "numeric.h"

static void test_seed_mix(void **state)
{
    (void)state;
    /* SplitMix64 from state 0 first outputs 0xE220A8397B1DCDAF; the mixer
     * adds (key + 1) * golden to the seed, so key 0 from seed 0 is that step */
    assert_true(civ_seed_mix(0, 0) == UINT64_C(0xE220A8397B1DCDAF));
    assert_true(civ_seed_mix(7, 1) != civ_seed_mix(7, 2));
    assert_true(civ_seed_mix(7, 1) != civ_seed_mix(8, 1));
    assert_true(civ_seed_mix(7, 1) == civ_seed_mix(7, 1));
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_quantile7(void **state)
{
    (void)state;
    const double ps[] = {0.0, 0.05, 0.25, 0.5, 0.9, 0.95, 1.0};
    double a[97], s[97];
    uint64_t r = 1;
    for (size_t n = 1; n <= 97; n += 8) {
        for (size_t i = 0; i < n; i++) {
            r = r * UINT64_C(6364136223846793005) + 1442695040888963407u;
            a[i] = (double)(r >> 44) - (i % 3 == 0 ? 0 : 2000.0); /* with ties */
        }
        memcpy(s, a, n * sizeof *a);
        qsort(s, n, sizeof *s, cmp);
        for (size_t k = 0; k < sizeof ps / sizeof *ps; k++) {
            double h = (double)(n - 1) * ps[k];
            size_t j = (size_t)floor(h);
            double want = j + 1 >= n ? s[n - 1] : s[j] + (h - (double)j) * (s[j + 1] - s[j]);
            assert_true(civ_quantile7(a, n, ps[k]) == want);
        }
        /* a sorted array stays sorted */
        civ_quantile7(s, n, 0.37);
        for (size_t i = 1; i < n; i++)
            assert_true(s[i - 1] <= s[i]);
    }
}

/* civ_quantiles7 = civ_quantile7 per probability, bit for bit: random sizes,
 * ties, probabilities in any order (repeated, 0 and 1, sharing order
 * statistics), as sample-path intervals ask for them (lo/hi of 80 and 95). */
static void test_quantiles7(void **state)
{
    (void)state;
    static const double sets[][8] = {{0.1, 0.9, 0.025, 0.975},
                                     {0.975, 0.025, 0.5, 0.5, 1.0, 0.0, 0.3, 0.31},
                                     {0.05}};
    static const size_t np[] = {4, 8, 1};
    double a[5001], b[5001], got[8];
    uint64_t r = 9;
    for (size_t n = 1; n <= 5001; n = n * 3 + 1)
        for (size_t set = 0; set < 3; set++) {
            for (size_t i = 0; i < n; i++) {
                r = r * UINT64_C(6364136223846793005) + 1442695040888963407u;
                a[i] = (double)(r >> 40) * (i % 5 == 0 ? 1.0 : 1e-3) - (i % 7 == 0 ? 0 : 3000.0);
            }
            memcpy(b, a, n * sizeof *a);
            civ_quantiles7(a, n, sets[set], np[set], got);
            for (size_t k = 0; k < np[set]; k++) {
                double want = civ_quantile7(b, n, sets[set][k]);
                assert_memory_equal(&got[k], &want, sizeof want);
            }
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_mix),
        cmocka_unit_test(test_quantile7),
        cmocka_unit_test(test_quantiles7),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
