/*
 * test_bigmem.c -- unit tests of engine/src/core/bigmem.c: large arrays on
 * huge pages are usable whole, zeroed when asked, released with free(), and
 * refuse an overflowing size; small ones are plain malloc.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bigmem.h"

static void test_sizes(void **state)
{
    (void)state;
    size_t sizes[] = {0, 1, 4095, CIV_BIGMEM_MIN - 1, CIV_BIGMEM_MIN, CIV_BIGMEM_MIN + 12345, 3 * CIV_BIGMEM_MIN};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        size_t n = sizes[k];
        unsigned char *a = civ_bigmem_alloc(n, 1);
        assert_non_null(a);
        if (n >= CIV_BIGMEM_MIN)
            assert_int_equal((uintptr_t)a % 4096, 0); /* page-aligned (2 MiB on Linux) */
        memset(a, 0xAB, n); /* every byte is ours */
        free(a);
        uint64_t *z = civ_bigmem_calloc(n / 8 + 1, sizeof *z);
        assert_non_null(z);
        for (size_t i = 0; i < n / 8 + 1; i++)
            assert_int_equal(z[i], 0);
        z[n / 8] = 7; /* the last item is writable */
        free(z);
    }
}

static void test_overflow(void **state)
{
    (void)state;
    assert_null(civ_bigmem_alloc(SIZE_MAX / 2, 4));
    assert_null(civ_bigmem_calloc(SIZE_MAX / 8 + 1, 16));
}

/* A large block is free to grow with realloc (table columns do). */
static void test_grow(void **state)
{
    (void)state;
    size_t n = CIV_BIGMEM_MIN / sizeof(double);
    double *v = civ_bigmem_alloc(n, sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++)
        v[i] = (double)i;
    double *w = realloc(v, 2 * n * sizeof *w);
    assert_non_null(w);
    for (size_t i = 0; i < n; i++)
        assert_true(w[i] == (double)i);
    w[2 * n - 1] = 1;
    free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_grow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
