/*
 * test_model_common.c -- tests of the helpers all model families share
 * (models/model_common.c): interval quantiles from sample paths against a
 * full-sort reference, normal quantiles, information criteria.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_rng.h>

#include "model.h"

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* R type 7 by full sort: the reference. */
static double q7(double *v, size_t n, double p)
{
    qsort(v, n, sizeof *v, cmp);
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= n)
        return v[n - 1];
    return v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]);
}

static void test_intervals_match_sorting(void **state)
{
    (void)state;
    civ_workspace ws = {0};
    ws.rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(ws.rng, 7);
    const double levels[3] = {50, 80, 95};
    size_t sizes[] = {1, 2, 3, 10, 101, 5000};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        size_t n_paths = sizes[s], h = 4;
        double *paths = malloc(n_paths * h * sizeof *paths);
        for (size_t i = 0; i < n_paths * h; i++)
            /* many ties (rounded) to exercise equal keys */
            paths[i] = (i % 3 == 0) ? round(gsl_rng_uniform(ws.rng) * 10) : gsl_rng_uniform(ws.rng);
        double lower[12], upper[12];
        assert_int_equal(civ_intervals_from_paths(paths, n_paths, h, levels, 3, &ws, lower, upper), CIV_OK);
        double *col = malloc(n_paths * sizeof *col);
        for (size_t j = 0; j < h; j++)
            for (size_t l = 0; l < 3; l++) {
                double a = (1.0 - levels[l] / 100.0) / 2.0;
                for (size_t p = 0; p < n_paths; p++)
                    col[p] = paths[p * h + j];
                assert_true(q7(col, n_paths, a) == lower[l * h + j]);
                for (size_t p = 0; p < n_paths; p++)
                    col[p] = paths[p * h + j];
                assert_true(q7(col, n_paths, 1 - a) == upper[l * h + j]);
            }
        free(col);
        free(paths);
        civ_arena_reset(&ws.arena);
    }
    civ_arena_free(&ws.arena);
    gsl_rng_free(ws.rng);
}

static void test_intervals_skip_nan(void **state)
{
    (void)state;
    civ_workspace ws = {0};
    double paths[4] = {NAN, 1.0, 3.0, NAN}; /* 4 paths, h = 1 */
    double level = 0.0, lo, hi;
    assert_int_equal(civ_intervals_from_paths(paths, 4, 1, &level, 1, &ws, &lo, &hi), CIV_OK);
    assert_true(lo == 2.0 && hi == 2.0); /* the median of {1, 3} */
    civ_arena_free(&ws.arena);
}

static void test_normal_quantile_and_criteria(void **state)
{
    (void)state;
    assert_true(fabs(civ_normal_quantile_for_level(95) - 1.959963984540054) < 1e-12);
    assert_true(fabs(civ_normal_quantile_for_level(80) - 1.2815515655446004) < 1e-12);
    civ_model_fit fit;
    memset(&fit, 0, sizeof fit);
    civ_fit_set_criteria(&fit, -100.0, 3, 20);
    assert_true(fit.aic == 206.0);
    assert_true(fabs(fit.aicc - (206.0 + 24.0 / 16.0)) < 1e-12);
    assert_true(fabs(fit.bic - (200.0 + 3.0 * log(20.0))) < 1e-12);
    civ_fit_set_criteria(&fit, -1.0, 3, 4); /* n - k - 1 = 0: AICc undefined */
    assert_true(isnan(fit.aicc));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intervals_match_sorting),
        cmocka_unit_test(test_intervals_skip_nan),
        cmocka_unit_test(test_normal_quantile_and_criteria),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
