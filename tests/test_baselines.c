/*
 * test_baselines.c -- the baseline methods (models/baselines.c) against R's
 * forecast package: meanf, naive, snaive and rwf(drift = TRUE) point
 * forecasts, 80/95% intervals, sigma2 and fitted values, read from
 * tests/fixtures/ref_baselines.csv (made by bench/r_baselines_reference.R),
 * plus spec parsing, too-short series and the simulated paths.
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

#include "baselines.h"
#include "civicast.h"
#include "model.h"
#include "model_fixture.h"

#define MAXV 512

static void test_against_r(void **state)
{
    (void)state;
    civ_table *t = NULL;
    assert_int_equal(civ_table_read_csv(CIV_SOURCE_DIR "/tests/fixtures/ref_baselines.csv", NULL, &t), CIV_OK);
    size_t c_id, c_f, c_m, c_h, c_y, c_mean, c_lo80, c_hi80, c_lo95, c_hi95, c_s2, c_fit;
    assert_int_equal(civ_table_find_column(t, "unique_id", &c_id), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "frequency", &c_f), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "method", &c_m), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "h", &c_h), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "y", &c_y), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "mean", &c_mean), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "lo80", &c_lo80), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "hi80", &c_hi80), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "lo95", &c_lo95), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "hi95", &c_hi95), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "sigma2", &c_s2), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "fitted", &c_fit), CIV_OK);
    assert_true(civ_table_n_rows(t) >= 30);

    civ_workspace ws;
    mf_workspace_init(&ws);
    static const double levels[2] = {80.0, 95.0};
    double y[MAXV], ref_mean[MAXV], ref_lo80[MAXV], ref_hi80[MAXV], ref_lo95[MAXV], ref_hi95[MAXV], ref_fit[MAXV];
    double mean[MAXV], lower[2 * MAXV], upper[2 * MAXV];
    size_t checked = 0;
    for (size_t r = 0; r < civ_table_n_rows(t); r++) {
        const char *id = civ_table_text(t, r, c_id);
        const char *method = civ_table_text(t, r, c_m);
        size_t h = (size_t)civ_table_number(t, r, c_h);
        size_t n = mf_parse_vec(civ_table_text(t, r, c_y), y, MAXV);
        assert_int_equal(mf_parse_vec(civ_table_text(t, r, c_mean), ref_mean, MAXV), h);
        mf_parse_vec(civ_table_text(t, r, c_lo80), ref_lo80, MAXV);
        mf_parse_vec(civ_table_text(t, r, c_hi80), ref_hi80, MAXV);
        mf_parse_vec(civ_table_text(t, r, c_lo95), ref_lo95, MAXV);
        mf_parse_vec(civ_table_text(t, r, c_hi95), ref_hi95, MAXV);
        assert_int_equal(mf_parse_vec(civ_table_text(t, r, c_fit), ref_fit, MAXV), n);

        const civ_model_type *type;
        _Alignas(16) unsigned char config[CIV_MODEL_CONFIG_MAX];
        assert_int_equal(civ_model_resolve(method, &type, config), CIV_OK);
        civ_series s = {.id = id, .y = y, .n = n, .period = (int)civ_table_number(t, r, c_f)};
        civ_model_fit fit;
        memset(&fit, 0, sizeof fit);
        civ_arena_reset(&ws.arena);
        civ_model_options mo = {0};
        civ_status st = type->fit(config, &mo, &s, &ws, &fit);
        if (st != CIV_OK)
            fail_msg("%s %s: fit failed: %s", id, method, civ_last_error_message());
        assert_int_equal(type->forecast(&fit, &s, h, levels, 2, &ws, mean, lower, upper), CIV_OK);
        for (size_t j = 0; j < h; j++) {
            if (!mf_close_to(mean[j], ref_mean[j], 1e-10) || !mf_close_to(lower[j], ref_lo80[j], 1e-9) ||
                !mf_close_to(upper[j], ref_hi80[j], 1e-9) || !mf_close_to(lower[h + j], ref_lo95[j], 1e-9) ||
                !mf_close_to(upper[h + j], ref_hi95[j], 1e-9))
                fail_msg("%s %s h=%zu: got %.17g [%.17g, %.17g] [%.17g, %.17g], R %.17g [%.17g, %.17g] [%.17g, %.17g]",
                         id, method, j + 1, mean[j], lower[j], upper[j], lower[h + j], upper[h + j], ref_mean[j],
                         ref_lo80[j], ref_hi80[j], ref_lo95[j], ref_hi95[j]);
        }
        if (!mf_close_to(fit.sigma2, civ_table_number(t, r, c_s2), 1e-10))
            fail_msg("%s %s: sigma2 %.17g, R %.17g", id, method, fit.sigma2, civ_table_number(t, r, c_s2));
        assert_int_equal(fit.n, n);
        for (size_t i = 0; i < n; i++) {
            if (!mf_close_to(fit.fitted[i], ref_fit[i], 1e-10))
                fail_msg("%s %s fitted[%zu]: %.17g, R %.17g", id, method, i, fit.fitted[i], ref_fit[i]);
            if (!isnan(y[i]) && !isnan(fit.fitted[i]))
                assert_true(mf_close_to(fit.residuals[i], y[i] - fit.fitted[i], 1e-12));
        }
        assert_true(isnan(fit.loglik) && isnan(fit.aic));
        checked++;
    }
    assert_true(checked >= 30);
    mf_workspace_free(&ws);
    civ_table_free(t);
}

static void test_specs(void **state)
{
    (void)state;
    static const struct {
        const char *spec;
        const civ_model_type *type;
    } cases[] = {
        {"mean", &civ_model_mean},     {"MeanF", &civ_model_mean},  {"naive", &civ_model_naive},
        {"NAIVE", &civ_model_naive},   {"snaive", &civ_model_snaive}, {"rwf", &civ_model_rwf},
        {"drift", &civ_model_rwf},     {"rwf(drift)", &civ_model_rwf},
    };
    _Alignas(16) unsigned char config[CIV_MODEL_CONFIG_MAX];
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const civ_model_type *type = NULL;
        assert_int_equal(civ_model_resolve(cases[k].spec, &type, config), CIV_OK);
        assert_ptr_equal(type, cases[k].type);
    }
    /* Each type declines the others' specs without recording an error. */
    civ_clear_error();
    assert_int_equal(civ_model_naive.parse("snaive", config), CIV_ERR_NOT_FOUND);
    assert_int_equal(civ_model_mean.parse("naive", config), CIV_ERR_NOT_FOUND);
    assert_int_equal(civ_model_rwf.parse("naive2", config), CIV_ERR_NOT_FOUND);
    assert_int_equal(civ_last_error()->status, CIV_OK);
    const civ_model_type *type = NULL;
    assert_int_equal(civ_model_resolve("naïve-ish", &type, config), CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error()->message, "snaive"));
    /* Baselines come first in the registry. */
    assert_ptr_equal(civ_model_types[0], &civ_model_mean);
}

static void test_too_short(void **state)
{
    (void)state;
    civ_workspace ws;
    mf_workspace_init(&ws);
    civ_model_fit fit;
    const double one[] = {4.0};
    const double four[] = {1, 2, 3, 4};
    const double nan_mostly[] = {NAN, 3.0, NAN};
    civ_clear_error();
    assert_int_equal(mf_fit_spec("naive", one, 1, 1, &ws, &fit), CIV_ERR_TOO_SHORT);
    assert_string_equal(civ_last_error()->series_id, "s");
    assert_int_equal(mf_fit_spec("snaive", four, 4, 4, &ws, &fit), CIV_ERR_TOO_SHORT);
    assert_int_equal(mf_fit_spec("snaive", four, 4, 1, &ws, &fit), CIV_OK); /* lag 1 when not seasonal */
    assert_int_equal(mf_fit_spec("rwf", four, 2, 1, &ws, &fit), CIV_ERR_TOO_SHORT);
    assert_int_equal(mf_fit_spec("rwf", four, 3, 1, &ws, &fit), CIV_OK);
    assert_int_equal(mf_fit_spec("mean", nan_mostly, 3, 1, &ws, &fit), CIV_ERR_TOO_SHORT);
    assert_non_null(strstr(civ_last_error()->message, "2 observed"));
    /* the last value missing and nothing a lag back to carry: naive of {NaN, 3, NaN} carries 3 */
    assert_int_equal(mf_fit_spec("naive", nan_mostly, 3, 1, &ws, &fit), CIV_ERR_TOO_SHORT); /* no residual */
    mf_workspace_free(&ws);
}

/* Simulated sample paths reproduce the analytic intervals (naive and drift:
 * normal random walks) within Monte Carlo error. */
static void test_simulate(void **state)
{
    (void)state;
    civ_workspace ws;
    mf_workspace_init(&ws);
    gsl_rng_set(ws.rng, 12345);
    double y[60];
    for (size_t i = 0; i < 60; i++)
        y[i] = 100.0 + 0.5 * (double)i + 3.0 * sin((double)i * 1.7);
    const char *specs[] = {"naive", "rwf", "snaive", "mean"};
    enum { H = 6, P = 20000 };
    static double paths[(size_t)P * H];
    static const double levels[1] = {90.0};
    for (size_t k = 0; k < 4; k++) {
        civ_model_fit fit;
        assert_int_equal(mf_fit_spec(specs[k], y, 60, 4, &ws, &fit), CIV_OK);
        civ_series s = {.id = "s", .y = y, .n = 60, .period = 4};
        double mean[H], lo[H], hi[H], slo[H], shi[H];
        const civ_model_type *type;
        _Alignas(16) unsigned char config[CIV_MODEL_CONFIG_MAX];
        civ_model_resolve(specs[k], &type, config);
        assert_int_equal(type->forecast(&fit, &s, H, levels, 1, &ws, mean, lo, hi), CIV_OK);
        assert_non_null(type->simulate);
        assert_int_equal(type->simulate(&fit, &s, H, P, &ws, paths), CIV_OK);
        assert_int_equal(civ_intervals_from_paths(paths, P, H, levels, 1, &ws, slo, shi), CIV_OK);
        for (size_t j = 0; j < H; j++) {
            double width = hi[j] - lo[j];
            /* meanf's interval uses a t quantile (n = 60: 1.6706 vs 1.6449). */
            double tol = 0.05 * width;
            if (fabs(slo[j] - lo[j]) > tol || fabs(shi[j] - hi[j]) > tol)
                fail_msg("%s h=%zu: simulated [%g, %g], analytic [%g, %g]", specs[k], j + 1, slo[j], shi[j], lo[j],
                         hi[j]);
        }
    }
    mf_workspace_free(&ws);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_r),
        cmocka_unit_test(test_specs),
        cmocka_unit_test(test_too_short),
        cmocka_unit_test(test_simulate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
