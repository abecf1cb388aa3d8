/*
 * test_unit_root.c -- the differencing tests of auto-ARIMA against R:
 * the KPSS statistic (urca::ur.kpss with ndiffs' lag), ndiffs(), the
 * seasonal strength of forecast:::seas.heuristic() (STL via mstl) and
 * nsdiffs(), on 21 series (tests/fixtures/ref_arima_extra.csv from
 * bench/r_arima_fixtures.R); plus properties on simulated data.
 */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arima_fixture_util.h"
#include "unit_root.h"

static void test_against_r(void **state)
{
    (void)state;
    fx_series *ss = NULL;
    size_t ns = fx_load_series(&ss);
    assert_true(ns > 20);
    fx_row *rows = NULL;
    char *buf = NULL;
    size_t nr = fx_load_extra(&rows, &buf);
    assert_true(nr > 50);
    int n_kpss = 0, n_seas = 0;
    double worst_kpss = 0.0, worst_seas = 0.0;
    for (size_t i = 0; i < nr; i++) {
        if (strcmp(rows[i].spec, "-") != 0)
            continue;
        fx_series *s = fx_find(ss, ns, rows[i].id);
        if (!s)
            continue;
        double *scratch = malloc((civ_stl_scratch_size(s->n, s->freq) + 4 * s->n + 8) * sizeof(double));
        double want = fx_num(rows[i].values);
        if (strcmp(rows[i].quantity, "kpss_stat") == 0) {
            size_t k = 0;
            for (size_t t = 0; t < s->n; t++)
                if (!isnan(s->y[t]))
                    scratch[k++] = s->y[t];
            double got = civ_kpss_stat(scratch, k, -1);
            double rel = fabs(got - want) / fabs(want);
            if (rel > worst_kpss)
                worst_kpss = rel;
            assert_true(rel < 1e-9);
            n_kpss++;
        } else if (strcmp(rows[i].quantity, "ndiffs") == 0) {
            assert_int_equal(civ_ndiffs(s->y, s->n, 0.05, 2, scratch), (int)want);
        } else if (strcmp(rows[i].quantity, "seas_strength") == 0) {
            double got = civ_seasonal_strength(s->y, s->n, s->freq, scratch);
            int has_nan = 0;
            for (size_t t = 0; t < s->n; t++)
                has_nan |= isnan(s->y[t]);
            /* presidents has NAs: R fills them with na.interp(), we interpolate
             * linearly (docs/models/ARIMA.md), so only the verdict is compared. */
            if (!has_nan) {
                double err = fabs(got - want);
                if (err > worst_seas)
                    worst_seas = err;
                assert_true(err < 1e-9);
                n_seas++;
            }
        } else if (strcmp(rows[i].quantity, "nsdiffs") == 0) {
            assert_int_equal(civ_nsdiffs(s->y, s->n, s->freq, scratch), (int)want);
        }
        free(scratch);
    }
    printf("unit roots vs R: %d KPSS statistics (worst rel. error %.2e), %d seasonal strengths (worst abs. "
           "error %.2e)\n",
           n_kpss, worst_kpss, n_seas, worst_seas);
    assert_true(n_kpss >= 20);
    assert_true(n_seas >= 8);
    free(rows);
    free(buf);
    for (size_t i = 0; i < ns; i++)
        free(ss[i].y);
    free(ss);
}

/* A random walk needs one difference, white noise none; a strongly
 * seasonal series is seasonal, noise is not. */
static void test_simulated(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 42);
    enum { N = 200 };
    double rw[N], wn[N], seas[N], scratch[(N + 2 * 12) * 5 + 4 * N + 8];
    double acc = 0.0;
    for (int t = 0; t < N; t++) {
        acc += gsl_ran_gaussian(r, 1.0);
        rw[t] = acc;
        wn[t] = gsl_ran_gaussian(r, 1.0);
        seas[t] = 10.0 * sin(2 * M_PI * t / 12.0) + gsl_ran_gaussian(r, 1.0);
    }
    /* the KPSS test has size 5%: over 20 replications expect about 19 right */
    int rw_ok = 0, wn_ok = 0;
    for (int rep = 0; rep < 20; rep++) {
        double a2 = 0.0, rw2[N], wn2[N];
        for (int t = 0; t < N; t++) {
            a2 += gsl_ran_gaussian(r, 1.0);
            rw2[t] = a2;
            wn2[t] = gsl_ran_gaussian(r, 1.0);
        }
        rw_ok += civ_ndiffs(rw2, N, 0.05, 2, scratch) == 1;
        wn_ok += civ_ndiffs(wn2, N, 0.05, 2, scratch) == 0;
    }
    assert_true(rw_ok >= 16);
    assert_true(wn_ok >= 16);
    assert_int_equal(civ_nsdiffs(seas, N, 12, scratch), 1);
    assert_int_equal(civ_nsdiffs(wn, N, 12, scratch), 0);
    assert_true(civ_kpss_stat(rw, N, -1) > 0.463);
    /* p-value table: interpolation and clamping */
    assert_true(fabs(civ_kpss_pvalue(0.463) - 0.05) < 1e-15);
    assert_true(fabs(civ_kpss_pvalue(0.1) - 0.10) < 1e-15);
    assert_true(fabs(civ_kpss_pvalue(5.0) - 0.01) < 1e-15);
    /* NaN are dropped by ndiffs (na.omit): same answer as on the compacted series */
    double compact[N];
    rw[10] = NAN;
    size_t k = 0;
    for (int t = 0; t < N; t++)
        if (!isnan(rw[t]))
            compact[k++] = rw[t];
    int dc = civ_ndiffs(compact, k, 0.05, 2, scratch);
    assert_int_equal(civ_ndiffs(rw, N, 0.05, 2, scratch), dc);
    /* too short for STL */
    assert_true(isnan(civ_seasonal_strength(seas, 24, 12, scratch)));
    gsl_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_r),
        cmocka_unit_test(test_simulated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
