/*
 * test_numfmt.c -- unit tests of engine/src/io/numfmt.c, the printf-free
 * number formatters of the writers' hot loops: each must give exactly the
 * bytes of the printf call it replaces, or decline (-1).  The reference is
 * printf itself, run on random doubles of every magnitude (random bit
 * patterns, random decimals with few digits, values next to powers of ten
 * and of two, exact ties of the fixed-point rounding), and %g at every
 * precision.
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

#include "csv.h"

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint64_t next_u64(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1Dull;
}

/* The rule of civ_csv_format_number, with printf only. */
static void ref_shortest(double v, char *buf)
{
    if (v == trunc(v) && fabs(v) < 1e17) {
        snprintf(buf, 64, "%.0f", v);
        return;
    }
    for (int p = 15; p <= 17; p++) {
        snprintf(buf, 64, "%.*g", p, v);
        if (p == 17 || strtod(buf, NULL) == v)
            return;
    }
}

/* A random test value: random bits in a range of exponents, a decimal with
 * few digits, or a neighbour of a power of ten or two. */
static double sample(void)
{
    uint64_t u = next_u64();
    switch (u % 5) {
    case 0: { /* random mantissa, exponent 2^-14 .. 2^54 */
        int e = (int)(next_u64() % 69) - 14;
        return ldexp((double)(next_u64() >> 11) / 9007199254740992.0 + 0.5, e);
    }
    case 1: /* a short decimal: digits / 10^k */
        return (double)(next_u64() % 10000000) / pow(10, (double)(next_u64() % 9));
    case 2: { /* next to a power of ten */
        double p = pow(10, (double)((int)(next_u64() % 19) - 4));
        int steps = (int)(next_u64() % 5) - 2;
        for (; steps > 0; steps--)
            p = nextafter(p, INFINITY);
        for (; steps < 0; steps++)
            p = nextafter(p, 0);
        return p;
    }
    case 3: /* next to a power of two (the narrow gap below it) */
        return nextafter(ldexp(1.0, (int)(next_u64() % 60) - 10), (u >> 8) & 1 ? INFINITY : 0);
    default: /* money-like: fen / 100 and parts of it */
        return (double)(next_u64() % 100000000000ull) / 100.0 * ((double)(next_u64() % 1000) / 997.0);
    }
}

static void test_shortest_matches_printf(void **state)
{
    (void)state;
    char got[CIV_CSV_NUMBER_SIZE], want[64];
    size_t handled = 0;
    for (int i = 0; i < 400000; i++) {
        double v = sample();
        if (i & 1)
            v = -v;
        ref_shortest(v, want);
        int n = civ_csv_format_number(v, got);
        if (strcmp(got, want) || n != (int)strlen(want))
            fail_msg("value %a: got '%s', printf gives '%s'", v, got, want);
        handled += civ_numfmt_shortest(v, got) >= 0;
    }
    assert_true(handled > 100000); /* the fast path does take most values */
}

static void test_int_matches_printf(void **state)
{
    (void)state;
    char got[CIV_CSV_NUMBER_SIZE], want[64];
    static const double fixed[] = {0.0, -0.0, 1.0, -1.0, 9007199254740993.0, 99999999999999984.0, 1e16, -12345.0};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) {
        snprintf(want, sizeof want, "%.0f", fixed[i]);
        assert_int_equal(civ_numfmt_int(fixed[i], got), (int)strlen(want));
        assert_string_equal(got, want);
    }
    for (int i = 0; i < 100000; i++) {
        double v = trunc(ldexp((double)(next_u64() >> 11), -(int)(next_u64() % 53)));
        v = (i & 1) ? -v : v;
        snprintf(want, sizeof want, "%.0f", v);
        assert_int_equal(civ_numfmt_int(v, got), (int)strlen(want));
        assert_string_equal(got, want);
    }
    assert_int_equal(civ_numfmt_int(0.5, got), -1);
    assert_int_equal(civ_numfmt_int(1e17, got), -1);
    assert_int_equal(civ_numfmt_int(NAN, got), -1);
}

static void test_fixed_matches_printf(void **state)
{
    (void)state;
    char got[CIV_CSV_NUMBER_SIZE], want[64];
    for (int i = 0; i < 300000; i++) {
        int d = (int)(next_u64() % 5);
        double v = (i % 3 == 0) ? (double)(next_u64() % 200001) / 2000.0 /* exact ties like 0.25, 12.125 */
                                : sample();
        if (i & 1)
            v = -v;
        snprintf(want, sizeof want, "%.*f", d, v);
        int n = civ_numfmt_fixed(v, d, got);
        if (fabs(v) < 1e15) {
            if (n != (int)strlen(want) || strcmp(got, want))
                fail_msg("value %a, %d decimals: got '%s', printf gives '%s'", v, d, got, want);
        } else {
            assert_int_equal(n, -1);
        }
    }
    static const double tiny[] = {1e-300, -1e-300, 4.9e-324, 0.0, -0.0, 0.05, 0.15, 0.25, 2.5, 0.125};
    for (size_t i = 0; i < sizeof tiny / sizeof *tiny; i++)
        for (int d = 0; d <= 4; d++) {
            snprintf(want, sizeof want, "%.*f", d, tiny[i]);
            assert_int_equal(civ_numfmt_fixed(tiny[i], d, got), (int)strlen(want));
            assert_string_equal(got, want);
        }
    assert_int_equal(civ_numfmt_fixed(1.0, 5, got), -1);
    assert_int_equal(civ_numfmt_fixed(INFINITY, 1, got), -1);
}

static void test_g_matches_printf(void **state)
{
    (void)state;
    char got[CIV_CSV_NUMBER_SIZE], want[64];
    size_t handled = 0;
    for (int i = 0; i < 300000; i++) {
        int P = i % 4 ? 6 : 1 + (int)(next_u64() % 17); /* %g (6) most often */
        double v = (i % 3 == 0) ? (double)(next_u64() % 2000001) / 1000.0 /* multipliers, percentages */
                                : sample();
        if (i & 1)
            v = -v;
        snprintf(want, sizeof want, "%.*g", P, v);
        int n = civ_numfmt_g(v, P, got);
        if (n >= 0) {
            handled++;
            if (n != (int)strlen(want) || strcmp(got, want))
                fail_msg("value %a, %%.%dg: got '%s', printf gives '%s'", v, P, got, want);
        } else if (fabs(v) >= (P == 17 ? 1e-3 : 1e-4) && fabs(v) < 1e15 && !strchr(want, 'e')) {
            fail_msg("value %a, %%.%dg: declined '%s'", v, P, want);
        }
    }
    assert_true(handled > 150000);
    static const double fixed[] = {0.0,    -0.0,   1.2,  20.000000000000004, 85,  0.25, 999999.5, 999999.4, 100000,
                                   1e-3,   0.0015, 1e-4, 0.00099999999999999,  1e-5, 123456.5, 2.5e-4, 1e6, 1e15};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) {
        snprintf(want, sizeof want, "%g", fixed[i]);
        int n = civ_numfmt_g(fixed[i], 6, got);
        if (strchr(want, 'e'))
            assert_int_equal(n, -1);
        else if (n >= 0)
            assert_string_equal(got, want);
        else
            assert_true(fabs(fixed[i]) < 1e-4);
    }
    assert_int_equal(civ_numfmt_g(1.0, 0, got), -1);
    assert_int_equal(civ_numfmt_g(1.0, 18, got), -1);
    assert_int_equal(civ_numfmt_g(NAN, 6, got), -1);
    assert_int_equal(civ_numfmt_g(INFINITY, 6, got), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shortest_matches_printf),
        cmocka_unit_test(test_int_matches_printf),
        cmocka_unit_test(test_fixed_matches_printf),
        cmocka_unit_test(test_g_matches_printf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
