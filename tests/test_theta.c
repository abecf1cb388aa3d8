/*
 * test_theta.c -- unit tests of the Theta family (models/theta.c) and of the
 * decomposition helpers it uses (models/numerics/decompose.c): spec parsing, drift
 * recovery on a linear trend, seasonality detection, constant, short and
 * incomplete series, R's values for short series (ets -> HoltWintersZZ
 * fallback), interval shapes, simulation, automatic selection and
 * determinism.  R comparisons on real data are in test_theta_reference.c.
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
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "civicast.h"
#include "decompose.h"
#include "model.h"
#include "model_fixture.h"
#include "theta.h"

/* Parses spec and fits; returns the fit status. */
static civ_status fit_spec(model_fixture *f, const char *spec, const double *y, size_t n, int period)
{
    memset(f->config, 0, sizeof f->config);
    assert_int_equal(civ_model_theta.parse(spec, f->config), CIV_OK);
    civ_arena_reset(&f->ws.arena);
    gsl_rng_set(f->ws.rng, 42);
    civ_series s = {.id = "test-series", .y = y, .n = n, .period = period};
    return civ_model_theta.fit(f->config, NULL, &s, &f->ws, &f->fit);
}

static civ_status forecast(model_fixture *f, const double *y, size_t n, int period, size_t h, double *mean, double *lo,
                           double *hi)
{
    static const double levels[2] = {80.0, 95.0};
    civ_series s = {.id = "test-series", .y = y, .n = n, .period = period};
    return civ_model_theta.forecast(&f->fit, &s, h, levels, lo ? 2 : 0, &f->ws, mean, lo, hi);
}

static void fill_trend(double *y, size_t n, double a, double b, double sd, unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    for (size_t t = 0; t < n; t++)
        y[t] = a + b * (double)(t + 1) + (sd > 0 ? gsl_ran_gaussian(r, sd) : 0.0);
    gsl_rng_free(r);
}

/* ---- parsing and registry --------------------------------------------------- */

static void test_parse_specs(void **state)
{
    (void)state;
    unsigned char cfg[CIV_MODEL_CONFIG_MAX];
    const char *ok[] = {"theta", "Theta", "STM", "otm", "dstm", "DOTM", "autotheta", "AutoTheta"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        assert_int_equal(civ_model_theta.parse(ok[i], cfg), CIV_OK);
    const char *no[] = {"thetaf", "ets", "", "otm2", "auto"};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_int_equal(civ_model_theta.parse(no[i], cfg), CIV_ERR_NOT_FOUND);
    assert_true(civ_model_theta.config_size <= CIV_MODEL_CONFIG_MAX);

    const civ_model_type *type = NULL;
    unsigned char buf[CIV_MODEL_CONFIG_MAX];
    assert_int_equal(civ_model_resolve("dotm", &type, buf), CIV_OK);
    assert_ptr_equal(type, &civ_model_theta);
}

/* ---- standard Theta ---------------------------------------------------------- */

static void test_theta_recovers_drift(void **state)
{
    model_fixture *f = *state;
    enum { N = 200, H = 12 };
    double y[N], mean[H], lo[2 * H], hi[2 * H];
    fill_trend(y, N, 10.0, 0.5, 0.3, 7);
    assert_int_equal(fit_spec(f, "theta", y, N, 1), CIV_OK);
    assert_string_equal(f->fit.name, "Theta");
    /* The Theta method's drift is half the trend slope (Hyndman & Billah 2003). */
    assert_true(fabs(f->fit.params[1] - 0.25) < 0.01);
    assert_true(f->fit.params[3] == 0.0);
    assert_int_equal(forecast(f, y, N, 1, H, mean, lo, hi), CIV_OK);
    for (size_t j = 1; j < H; j++) {
        assert_true(fabs((mean[j] - mean[j - 1]) - f->fit.params[1]) < 1e-9);
        /* wider with the horizon, 95% wider than 80% */
        assert_true(hi[j] - lo[j] >= hi[j - 1] - lo[j - 1]);
        assert_true(hi[H + j] - lo[H + j] > hi[j] - lo[j]);
    }
    /* the first forecast is near the line's next value (SES lags the trend by
     * about b (1 - alpha) / alpha; the drift term catches most of it up) */
    assert_true(fabs(mean[0] - (10.0 + 0.5 * (N + 1))) < 1.5);
    for (size_t t = 0; t < N; t++)
        assert_true(fabs(f->fit.fitted[t] + f->fit.residuals[t] - y[t]) < 1e-9);
    assert_true(isnan(f->fit.aic) && isnan(f->fit.loglik));
    assert_true(f->fit.sigma2 > 0.0);
}

/* thetaf() on 10, 12, 11, 14, 13, 15, 16, 18 truncated to n = 2..8 (R 4.2.2,
 * forecast 8.20): n <= 6 exercises ets()'s HoltWintersZZ fallback. */
static void test_theta_short_series_match_r(void **state)
{
    model_fixture *f = *state;
    static const double v[8] = {10, 12, 11, 14, 13, 15, 16, 18};
    static const double r_mean[7][3] = {
        {12.2, 13.2, 14.2},
        {11.4375, 11.6875, 11.9375},
        {13.8879120640997, 14.4379120640997, 14.9879120640997},
        {13.6105309361595, 14.0105309361595, 14.4105309361595},
        {15.0737672756442, 15.5166244185013, 15.9594815613584},
        {16.278451621473, 16.7427373357587, 17.2070230500444},
        {18.3131843094066, 18.8310414522638, 19.3488985951209},
    };
    static const double r_hi95[7][3] = {
        {14.9718076486994, 16.0267002577288, 17.0805470058132},
        {13.7006714681523, 14.2178026237633, 14.7093076486994},
        {17.3458987281999, 18.6306078894845, 19.8045213278145},
        {16.7041420096419, 17.7416034177479, 18.6850337437103},
        {18.3034708719249, 19.5019298273487, 20.5783919397645},
        {20.0222070131241, 21.4825233065319, 22.7671883052288},
        {22.1692192782193, 23.9407246951277, 25.4602585095837},
    };
    static const double r_alpha[7] = {0.2, 0.500000000000014, 0.685621618378476, 0.674221340502376,
                                      0.722940020650193, 0.776457092905773, 0.869439630954894};
    double mean[3], lo[6], hi[6];
    for (size_t n = 2; n <= 8; n++) {
        assert_int_equal(fit_spec(f, "theta", v, n, 1), CIV_OK);
        assert_int_equal(forecast(f, v, n, 1, 3, mean, lo, hi), CIV_OK);
        assert_true(fabs(f->fit.params[0] - r_alpha[n - 2]) < 1e-6);
        for (size_t j = 0; j < 3; j++) {
            assert_true(fabs(mean[j] - r_mean[n - 2][j]) < 1e-6 * r_mean[n - 2][j]);
            assert_true(fabs(hi[3 + j] - r_hi95[n - 2][j]) < 1e-6 * r_hi95[n - 2][j]);
        }
    }
    /* n = 1: R fails (lsfit: "only 1 case"); we say why. */
    assert_int_equal(fit_spec(f, "theta", v, 1, 1), CIV_ERR_TOO_SHORT);
    assert_string_equal(civ_last_error()->series_id, "test-series");
    assert_int_equal(fit_spec(f, "otm", v, 3, 1), CIV_ERR_TOO_SHORT);
    assert_int_equal(fit_spec(f, "otm", v, 4, 1), CIV_OK);
}

static void make_seasonal(double *y, size_t n, unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    for (size_t t = 0; t < n; t++) {
        double s = 1.0 + 0.3 * sin(2.0 * M_PI * (double)t / 12.0);
        y[t] = (100.0 + 0.5 * (double)t) * s + gsl_ran_gaussian(r, 1.0);
    }
    gsl_rng_free(r);
}

static void test_seasonality_detected(void **state)
{
    model_fixture *f = *state;
    enum { N = 120, H = 24 };
    double y[N], mean[H];
    make_seasonal(y, N, 3);
    double r_m = NAN, stat = NAN;
    assert_int_equal(civ_seasonality_test(y, N, 12, &r_m, &stat), 1);
    assert_true(r_m > 0.5 && stat > 0.0);
    const char *specs[] = {"theta", "stm", "otm", "dstm", "dotm", "autotheta"};
    for (size_t k = 0; k < 6; k++) {
        assert_int_equal(fit_spec(f, specs[k], y, N, 12), CIV_OK);
        size_t is = strcmp(specs[k], "theta") == 0 ? 3 : 2;
        assert_true(f->fit.params[is] == 1.0);
        assert_int_equal(forecast(f, y, N, 12, H, mean, NULL, NULL), CIV_OK);
        /* the seasonal shape carries into the forecasts: position t = N + j
         * peaks at t mod 12 = 3 and bottoms at t mod 12 = 9 */
        for (size_t j = 0; j < H; j++) {
            size_t pos = (N + j) % 12;
            if (pos == 3)
                assert_true(mean[j] > mean[(j + 6) % H]);
        }
    }
    /* the same series declared non-seasonal is not decomposed */
    assert_int_equal(fit_spec(f, "theta", y, N, 1), CIV_OK);
    assert_true(f->fit.params[3] == 0.0);
}

static void test_nonseasonal_not_detected(void **state)
{
    model_fixture *f = *state;
    enum { N = 120 };
    double y[N];
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 11);
    for (size_t t = 0; t < N; t++)
        y[t] = 50.0 + gsl_ran_gaussian(r, 2.0);
    gsl_rng_free(r);
    double r_m = NAN, stat = NAN;
    assert_int_equal(civ_seasonality_test(y, N, 12, &r_m, &stat), 0);
    assert_true(fabs(r_m) <= 1.6448536269514722 * stat);
    assert_int_equal(fit_spec(f, "theta", y, N, 12), CIV_OK);
    assert_true(f->fit.params[3] == 0.0);
    /* too short for the test (n <= 2m): never seasonal, as thetaf */
    double s[24];
    make_seasonal(s, 24, 5);
    assert_int_equal(civ_seasonality_test(s, 24, 12, NULL, NULL), 0);
    assert_int_equal(fit_spec(f, "theta", s, 24, 12), CIV_OK);
    assert_true(f->fit.params[3] == 0.0);
}

static void test_constant_series(void **state)
{
    model_fixture *f = *state;
    enum { N = 30, H = 6 };
    double y[N], mean[H], lo[2 * H], hi[2 * H];
    for (size_t t = 0; t < N; t++)
        y[t] = 5.0;
    assert_int_equal(civ_series_is_constant(y, N), 1);
    const char *specs[] = {"theta", "stm", "otm", "dstm", "dotm", "autotheta"};
    for (size_t k = 0; k < 6; k++) {
        assert_int_equal(fit_spec(f, specs[k], y, N, 12), CIV_OK);
        assert_int_equal(forecast(f, y, N, 12, H, mean, lo, hi), CIV_OK);
        for (size_t j = 0; j < H; j++) {
            assert_true(fabs(mean[j] - 5.0) < 1e-6);
            assert_true(isfinite(lo[j]) && isfinite(hi[H + j]));
            assert_true(fabs(hi[H + j] - lo[H + j]) < 1e-4);
        }
    }
    /* thetaf on rep(5, 20): alpha stays at ets's start 0.20006 */
    assert_int_equal(fit_spec(f, "theta", y, 20, 1), CIV_OK);
    assert_true(fabs(f->fit.params[0] - 0.20006) < 1e-12);
    y[N - 1] = 5.0000001; /* all.equal: still "constant" */
    assert_int_equal(civ_series_is_constant(y, N), 1);
    y[N - 1] = 5.01;
    assert_int_equal(civ_series_is_constant(y, N), 0);
}

static void test_missing_and_infinite_values(void **state)
{
    model_fixture *f = *state;
    enum { N = 40 };
    double y[N];
    fill_trend(y, N, 1.0, 1.0, 0.5, 9);
    y[17] = NAN;
    const char *specs[] = {"theta", "otm", "autotheta"};
    for (size_t k = 0; k < 3; k++) {
        assert_int_equal(fit_spec(f, specs[k], y, N, 4), CIV_ERR_DOMAIN);
        const civ_error *e = civ_last_error();
        assert_string_equal(e->series_id, "test-series");
        assert_string_equal(e->field, "y");
        assert_non_null(strstr(e->message, "18"));
    }
    y[17] = INFINITY;
    assert_int_equal(fit_spec(f, "theta", y, N, 4), CIV_ERR_DOMAIN);
}

/* ---- optimised models --------------------------------------------------------- */

static void test_optimised_models_on_trend(void **state)
{
    model_fixture *f = *state;
    enum { N = 100, H = 8 };
    double y[N], mean[H], lo[2 * H], hi[2 * H];
    fill_trend(y, N, 20.0, 1.0, 0.5, 21);
    const char *specs[] = {"stm", "otm", "dstm", "dotm"};
    const char *names[] = {"STM", "OTM", "DSTM", "DOTM"};
    double aicc[4];
    for (size_t k = 0; k < 4; k++) {
        assert_int_equal(fit_spec(f, specs[k], y, N, 1), CIV_OK);
        assert_string_equal(f->fit.name, names[k]);
        double alpha = f->fit.params[0], theta = f->fit.params[1];
        assert_true(alpha >= 0.1 && alpha <= 0.99);
        if (k == 0 || k == 2)
            assert_true(theta == 2.0);
        else
            assert_true(theta >= 1.0);
        assert_true(isfinite(f->fit.loglik) && isfinite(f->fit.aicc));
        assert_int_equal(f->fit.n_params, (k == 0 || k == 2) ? 3 : 4);
        aicc[k] = f->fit.aicc;
        assert_int_equal(forecast(f, y, N, 1, H, mean, lo, hi), CIV_OK);
        /* OTM/DOTM can follow a clean trend (theta grows); all four stay
         * within a few noise sd of the line for one step */
        double next = 20.0 + 1.0 * (N + 1);
        assert_true(fabs(mean[0] - next) < ((k % 2) ? 1.5 : 4.0));
        for (size_t j = 0; j < H; j++) {
            assert_true(lo[j] < mean[j] && mean[j] < hi[j]);
            assert_true(lo[H + j] < lo[j] && hi[H + j] > hi[j]);
        }
        /* simulated 95% interval at h = 1 is about mean -/+ 1.96 sigma */
        double sd = sqrt(f->fit.sigma2);
        assert_true(fabs((hi[H] - lo[H]) / (2 * 1.959964 * sd) - 1.0) < 0.1);
    }
    /* autotheta keeps the candidate with the lowest AICc */
    assert_int_equal(fit_spec(f, "autotheta", y, N, 1), CIV_OK);
    double best = aicc[0];
    for (size_t k = 1; k < 4; k++)
        best = aicc[k] < best ? aicc[k] : best;
    assert_true(fabs(f->fit.aicc - best) <= 1e-9 * fabs(best));
    int known = 0;
    for (size_t k = 0; k < 4; k++)
        known |= strcmp(f->fit.name, names[k]) == 0;
    assert_true(known);
}

/* ---- simulation and determinism ---------------------------------------------- */

static void test_simulate_centred_on_forecast(void **state)
{
    model_fixture *f = *state;
    enum { N = 60, H = 5, P = 4000 };
    double y[N], mean[H];
    fill_trend(y, N, 3.0, 0.2, 1.0, 5);
    double *paths = malloc((size_t)P * H * sizeof *paths);
    assert_non_null(paths);
    const char *specs[] = {"theta", "otm"};
    for (size_t k = 0; k < 2; k++) {
        assert_int_equal(fit_spec(f, specs[k], y, N, 1), CIV_OK);
        assert_int_equal(forecast(f, y, N, 1, H, mean, NULL, NULL), CIV_OK);
        civ_series s = {.id = "test-series", .y = y, .n = N, .period = 1};
        assert_int_equal(civ_model_theta.simulate(&f->fit, &s, H, P, &f->ws, paths), CIV_OK);
        double sd = sqrt(f->fit.sigma2);
        for (size_t j = 0; j < H; j++) {
            double m = 0.0;
            for (size_t p = 0; p < P; p++)
                m += paths[p * H + j];
            m /= P;
            /* 5 standard errors of the path mean at horizon j */
            assert_true(fabs(m - mean[j]) < 5.0 * sd * sqrt(1.0 + (double)j) / sqrt((double)P));
        }
    }
    free(paths);
}

/* The optimised models' intervals are the exact Gaussian quantiles of the
 * sample paths: the mean and variance of 100,000 simulated paths agree with
 * the forecast and with the variance implied by the 95% bound, within 4
 * standard errors at every step, for static and dynamic, non-seasonal and
 * seasonal fits; the 80% and 95% bounds are mean -/+ z sd of one sd. */
static void test_exact_intervals_match_paths(void **state)
{
    model_fixture *f = *state;
    enum { N = 72, H = 12, P = 100000 };
    double y[N], mean[H], lo[2 * H], hi[2 * H];
    double *paths = malloc((size_t)P * H * sizeof *paths);
    assert_non_null(paths);
    const char *specs[] = {"stm", "otm", "dstm", "dotm"};
    for (int seasonal = 0; seasonal < 2; seasonal++) {
        int period = seasonal ? 12 : 1;
        if (seasonal)
            make_seasonal(y, N, 4);
        else
            fill_trend(y, N, 10.0, 0.4, 2.0, 17);
        for (size_t k = 0; k < 4; k++) {
            assert_int_equal(fit_spec(f, specs[k], y, N, period), CIV_OK);
            assert_int_equal(forecast(f, y, N, period, H, mean, lo, hi), CIV_OK);
            civ_series s = {.id = "test-series", .y = y, .n = N, .period = period};
            assert_int_equal(civ_model_theta.simulate(&f->fit, &s, H, P, &f->ws, paths), CIV_OK);
            for (size_t j = 0; j < H; j++) {
                double sd = (hi[H + j] - mean[j]) / 1.959963984540054;
                assert_true(sd > 0.0);
                assert_true(fabs((mean[j] - lo[H + j]) / 1.959963984540054 - sd) <= 1e-9 * sd);
                assert_true(fabs((hi[j] - mean[j]) / 1.2815515655446004 - sd) <= 1e-9 * sd);
                double m = 0.0, v = 0.0;
                for (size_t p = 0; p < P; p++)
                    m += paths[p * H + j];
                m /= P;
                for (size_t p = 0; p < P; p++)
                    v += (paths[p * H + j] - m) * (paths[p * H + j] - m);
                v /= P - 1;
                /* standard errors: of the mean sd / sqrt(P), of the variance
                 * sd^2 sqrt(2 / (P - 1)) for Gaussian paths */
                assert_true(fabs(m - mean[j]) < 4.0 * sd / sqrt((double)P));
                assert_true(fabs(v - sd * sd) < 4.0 * sd * sd * sqrt(2.0 / (P - 1)));
            }
            /* the variance grows with the horizon (seasonal: the index rescales it) */
            if (!seasonal)
                assert_true(hi[2 * H - 1] - lo[2 * H - 1] > hi[H] - lo[H]);
        }
    }
    free(paths);
}

static void test_deterministic(void **state)
{
    model_fixture *f = *state;
    enum { N = 48, H = 12 };
    double y[N], m1[H], m2[H], lo1[2 * H], hi1[2 * H], lo2[2 * H], hi2[2 * H];
    make_seasonal(y, N, 8);
    const char *specs[] = {"theta", "dotm", "autotheta"};
    for (size_t k = 0; k < 3; k++) {
        assert_int_equal(fit_spec(f, specs[k], y, N, 12), CIV_OK);
        assert_int_equal(forecast(f, y, N, 12, H, m1, lo1, hi1), CIV_OK);
        assert_int_equal(fit_spec(f, specs[k], y, N, 12), CIV_OK); /* reseeds the rng to 42 */
        assert_int_equal(forecast(f, y, N, 12, H, m2, lo2, hi2), CIV_OK);
        assert_memory_equal(m1, m2, sizeof m1);
        assert_memory_equal(lo1, lo2, sizeof lo1);
        assert_memory_equal(hi1, hi2, sizeof hi1);
    }
}

static void test_bad_levels(void **state)
{
    model_fixture *f = *state;
    enum { N = 20 };
    double y[N], mean[3], lo[3], hi[3];
    fill_trend(y, N, 1.0, 1.0, 0.5, 2);
    assert_int_equal(fit_spec(f, "theta", y, N, 1), CIV_OK);
    civ_series s = {.id = "test-series", .y = y, .n = N, .period = 1};
    const double bad[1] = {100.0};
    assert_int_equal(civ_model_theta.forecast(&f->fit, &s, 3, bad, 1, &f->ws, mean, lo, hi),
                     CIV_ERR_INVALID_ARGUMENT);
}

/* ---- decomposition helper ---------------------------------------------------- */

static void test_decompose_recovers_figure(void **state)
{
    (void)state;
    enum { N = 48 };
    double y[N], trend[N], fig[4];
    static const double s[4] = {1.2, 0.9, 0.7, 1.2};
    for (size_t t = 0; t < N; t++)
        y[t] = 100.0 * s[t % 4];
    assert_int_equal(civ_decompose_multiplicative(y, N, 4, trend, fig), 0);
    for (size_t k = 0; k < 4; k++)
        assert_true(fabs(fig[k] - s[k]) < 1e-12);
    assert_true(isnan(trend[0]) && isnan(trend[1]) && !isnan(trend[2]) && isnan(trend[N - 1]));
    assert_int_equal(civ_decompose_multiplicative(y, 7, 4, trend, fig), -1);
}

/* Refits (conformal intervals' calibration windows): autotheta keeps the
 * variant it chose (model_fixture.h's checks); the other specs have no
 * search and refit as they fit. */
static void test_refit(void **state)
{
    model_fixture *f = *state;
    double a[40], b[40];
    for (int t = 0; t < 40; t++) {
        a[t] = 50 + 2.0 * t + 3 * sin(t * 1.7);          /* autotheta: OTM */
        b[t] = 80 + 4 * sin(t * 2.3) + 3 * cos(t * 0.7); /* autotheta: STM */
    }
    mf_check_refit("autotheta", a, 40, 32, b, 40, 1, "", &f->ws);
    civ_model_fit like, re, own;
    double m1[12], lo1[24], hi1[24], m2[12], lo2[24], hi2[24];
    assert_int_equal(mf_fit_spec("dotm", a, 40, 1, &f->ws, &like), CIV_OK);
    assert_int_equal(mf_refit_spec("dotm", &like, b, 40, 1, &f->ws, &re), CIV_OK);
    mf_forecast12(&re, b, 40, 1, &f->ws, m1, lo1, hi1);
    assert_int_equal(mf_fit_spec("dotm", b, 40, 1, &f->ws, &own), CIV_OK);
    mf_forecast12(&own, b, 40, 1, &f->ws, m2, lo2, hi2);
    assert_memory_equal(m1, m2, sizeof m1);
    assert_memory_equal(hi1, hi2, sizeof hi1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_specs),
        cmocka_unit_test_setup_teardown(test_theta_recovers_drift, mf_setup, mf_teardown),
        cmocka_unit_test_setup_teardown(test_theta_short_series_match_r, mf_setup, mf_teardown),
        cmocka_unit_test_setup_teardown(test_seasonality_detected, mf_setup, mf_teardown),
        cmocka_unit_test_setup_teardown(test_nonseasonal_not_detected, mf_setup, mf_teardown),
        cmocka_unit_test_setup_teardown(test_constant_series, mf_setup, mf_teardown),
        cmocka_unit_test_setup_teardown(test_missing_and_infinite_values, mf_setup, mf_teardown),
        cmocka_unit_test_setup_teardown(test_optimised_models_on_trend, mf_setup, mf_teardown),
        cmocka_unit_test_setup_teardown(test_simulate_centred_on_forecast, mf_setup, mf_teardown),
        cmocka_unit_test_setup_teardown(test_exact_intervals_match_paths, mf_setup, mf_teardown),
        cmocka_unit_test_setup_teardown(test_deterministic, mf_setup, mf_teardown),
        cmocka_unit_test_setup_teardown(test_bad_levels, mf_setup, mf_teardown),
        cmocka_unit_test(test_decompose_recovers_figure),
        cmocka_unit_test_setup_teardown(test_refit, mf_setup, mf_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
