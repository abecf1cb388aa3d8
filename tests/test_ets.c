/*
 * test_ets.c -- unit tests of the ETS family (models/ets.c): spec parsing,
 * recovery of known parameters from simulated series, missing values (the
 * filter's propagation rule checked against an independent SES filter),
 * constant and very short series, interval coverage by simulation, the
 * analytic class-2/3 variances against simulated paths, the Schur-Cohn root
 * test against GSL's polynomial solver, determinism (same seed, same bits), and
 * civ_ets_fit_pair (the automatic and the damped-trend search from one pass)
 * bit-identical to the two searches run alone, and refits of a chosen form.
 * The comparison with R is in test_ets_reference.c.
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
#include <gsl/gsl_poly.h>
#include <gsl/gsl_randist.h>

#include "civicast.h"
#include "ets.h"
#include "model.h"
#include "model_fixture.h"

static void init_ws(civ_workspace *ws, unsigned long seed)
{
    mf_workspace_init(ws);
    gsl_rng_set(ws->rng, seed);
}

static civ_status fit_spec(const char *spec, const double *y, size_t n, int m, civ_workspace *ws, civ_model_fit *fit)
{
    const civ_model_type *type;
    unsigned char cfg[CIV_MODEL_CONFIG_MAX];
    civ_status s = civ_model_resolve(spec, &type, cfg);
    if (s != CIV_OK)
        return s;
    assert_ptr_equal(type, &civ_model_ets);
    civ_series ser = {.id = "test", .y = y, .n = n, .period = m};
    memset(fit, 0, sizeof *fit);
    civ_model_options opt = {0};
    return type->fit(cfg, &opt, &ser, ws, fit);
}

static double param(const civ_model_fit *fit, const char *name)
{
    for (size_t i = 0; i < fit->n_report_params; i++)
        if (!strcmp(fit->param_names[i], name))
            return fit->params[i];
    return NAN;
}

/* Simulates an ETS model (HKOS Table 2.3) with Gaussian innovations. */
static void simulate_series(gsl_rng *r, char E, char T, char S, int m, double alpha, double beta, double gamma,
                            double l, double b, const double *s0, double sigma, double *y, size_t n)
{
    double s[24];
    for (int j = 0; j < m; j++)
        s[j] = s0 ? s0[j] : (S == 'M' ? 1.0 : 0.0); /* s[j]: season j steps back (s[m-1] oldest) */
    for (size_t t = 0; t < n; t++) {
        double q = T == 'A' ? l + b : l, so = S == 'N' ? (E == 'M' ? 1 : 0) : s[m - 1];
        double mu = S == 'M' ? q * so : S == 'A' ? q + so : q;
        double e = gsl_ran_gaussian(r, sigma);
        double yt = E == 'A' ? mu + e : mu * (1 + e);
        y[t] = yt;
        double ae = E == 'A' ? e : mu * e; /* additive-scale innovation */
        double nl, nb = b, ns = so;
        if (S == 'M') {
            nl = q + alpha * ae / so;
            ns = so + gamma * ae / q;
        } else if (S == 'A') {
            nl = q + alpha * ae;
            ns = so + gamma * ae;
        } else {
            nl = q + alpha * ae;
        }
        if (T == 'A')
            nb = b + beta * (S == 'M' ? ae / so : ae);
        l = nl;
        b = nb;
        if (S != 'N') {
            memmove(s + 1, s, (size_t)(m - 1) * sizeof *s);
            s[0] = ns;
        }
    }
}

static void test_parse(void **state)
{
    (void)state;
    const civ_model_type *type;
    unsigned char cfg[CIV_MODEL_CONFIG_MAX];
    const char *ok[] = {"ets", "ETS", "ETS(Z,Z,Z)", "ets(m,ad,m)", "ETS(A,N,N)", " ETS( A , Ad , A ) ",
                        "ETS(M,Md,N)", "ETS(A,Z,N)", "ETS(Z,Z,Z,bounds=usual)", "ETS(Z,Z,Z,mtrend=true)",
                        "ETS(A,N,M,restrict=false)", "ETS(Z,Z,N,damped=false)"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        civ_status s = civ_model_resolve(ok[i], &type, cfg);
        if (s != CIV_OK)
            fail_msg("spec '%s' rejected: %s", ok[i], civ_last_error_message());
        assert_ptr_equal(type, &civ_model_ets);
    }
    const char *bad[] = {"ETS(A,N,M)", "ETS(A,M,N)", "ETS(M,M,A)", "ETS(Q,N,N)", "ETS(A,Nd,N)", "ETS(A,N)",
                         "ETS(A,N,N", "ETS(A,N,N,foo=1)", "ETS(A,A,N,damped=true)"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        civ_status s = civ_model_resolve(bad[i], &type, cfg);
        if (s != CIV_ERR_SPEC)
            fail_msg("spec '%s' gave %s, expected CIV_ERR_SPEC", bad[i], civ_status_name(s));
        assert_true(strlen(civ_last_error()->message) > 10);
    }
    /* each malformed part is named */
    const char *named[][2] = {{"ETS(N,N,N)", "error type"},       {"ETS(A,Q,N)", "trend type"},
                              {"ETS(A,N,Q)", "season type"},      {"ETS(A,N,N,foo=1)", "unknown option 'foo=1'"},
                              {"ETS(A,N,N,maxit=0)", "maxit"},    {"ETS(A,A,N,damped=true)", "damped= applies"},
                              {"ETS(A,N,N,damped=true)", "damped= applies"}, {"ETS(A,Ad,M)", "forbidden"}};
    for (size_t i = 0; i < sizeof named / sizeof *named; i++) {
        assert_int_equal(civ_model_resolve(named[i][0], &type, cfg), CIV_ERR_SPEC);
        if (!strstr(civ_last_error()->message, named[i][1]))
            fail_msg("spec '%s': message '%s' lacks '%s'", named[i][0], civ_last_error()->message, named[i][1]);
    }
    assert_int_equal(civ_model_ets.parse("naive", cfg), CIV_ERR_NOT_FOUND);
    assert_int_equal(civ_model_ets.parse("theta", cfg), CIV_ERR_NOT_FOUND);
    /* the forbidden-combination message says how to override */
    assert_int_equal(civ_model_resolve("ETS(A,N,M)", &type, cfg), CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error()->message, "restrict=false"));
}

static void test_recover_ann(void **state)
{
    (void)state;
    civ_workspace ws;
    init_ws(&ws, 7);
    size_t n = 600;
    double *y = malloc(n * sizeof *y);
    simulate_series(ws.rng, 'A', 'N', 'N', 1, 0.3, 0, 0, 100, 0, NULL, 2.0, y, n);
    civ_model_fit fit;
    assert_int_equal(fit_spec("ETS(A,N,N)", y, n, 1, &ws, &fit), CIV_OK);
    assert_string_equal(fit.name, "ETS(A,N,N)");
    assert_true(fabs(param(&fit, "alpha") - 0.3) < 0.08);
    assert_true(fabs(fit.sigma2 / 4.0 - 1.0) < 0.15);
    assert_true(isfinite(fit.loglik) && isfinite(fit.aicc));
    assert_int_equal(fit.n_params, 3); /* alpha, l0, sigma */
    /* residuals + fitted reproduce y */
    for (size_t i = 0; i < n; i++)
        assert_true(fabs(fit.fitted[i] + fit.residuals[i] - y[i]) < 1e-9 * fabs(y[i]));
    free(y);
    mf_workspace_free(&ws);
}

static void test_recover_seasonal(void **state)
{
    (void)state;
    civ_workspace ws;
    init_ws(&ws, 11);
    size_t n = 240;
    int m = 12;
    double s0[12];
    for (int j = 0; j < m; j++)
        s0[j] = 1 + 0.3 * sin(2 * M_PI * j / m);
    double mean = 0;
    for (int j = 0; j < m; j++)
        mean += s0[j] / m;
    for (int j = 0; j < m; j++)
        s0[j] /= mean;
    double *y = malloc(n * sizeof *y);
    simulate_series(ws.rng, 'M', 'A', 'M', m, 0.2, 0.02, 0.1, 500, 2, s0, 0.03, y, n);
    civ_model_fit fit;
    assert_int_equal(fit_spec("ETS(M,A,M)", y, n, m, &ws, &fit), CIV_OK);
    assert_string_equal(fit.name, "ETS(M,A,M)");
    assert_true(fabs(param(&fit, "alpha") - 0.2) < 0.12);
    assert_true(fabs(sqrt(fit.sigma2) - 0.03) < 0.01);
    assert_int_equal(fit.n_states, 2 + 12);
    assert_string_equal(fit.state_names[13], "s12");
    /* the automatic selection keeps multiplicative seasonality */
    civ_arena_reset(&ws.arena);
    assert_int_equal(fit_spec("ets", y, n, m, &ws, &fit), CIV_OK);
    size_t L = strlen(fit.name);
    assert_true(L >= 10 && fit.name[L - 2] == 'M'); /* ETS(?,?,M) */
    free(y);
    mf_workspace_free(&ws);
}

/* ets(maxit=N) is R's ets(y, maxit = N): the same search with at most N
 * Nelder-Mead evaluations per model.  maxit=2000 is R's default (the same fit
 * as "ets", bit for bit); fewer evaluations can only leave each model's
 * objective higher, so the selected AICc is never lower than with 2000. */
static void test_maxit(void **state)
{
    (void)state;
    civ_workspace ws;
    init_ws(&ws, 12);
    size_t n = 96;
    int m = 12;
    double s0[12];
    for (int j = 0; j < m; j++)
        s0[j] = 1 + 0.2 * cos(2 * M_PI * j / m);
    double *y = malloc(n * sizeof *y);
    simulate_series(ws.rng, 'M', 'A', 'M', m, 0.3, 0.02, 0.1, 200, 1, s0, 0.05, y, n);
    civ_model_fit a, b, c;
    assert_int_equal(fit_spec("ets", y, n, m, &ws, &a), CIV_OK);
    assert_int_equal(fit_spec("ets(maxit=2000)", y, n, m, &ws, &b), CIV_OK);
    assert_string_equal(a.name, b.name);
    assert_true(a.aicc == b.aicc && a.loglik == b.loglik);
    assert_int_equal(fit_spec("ets(maxit=60)", y, n, m, &ws, &c), CIV_OK);
    assert_true(c.aicc >= a.aicc);
    assert_true(c.aicc > a.aicc || strcmp(c.name, a.name) != 0 || c.loglik != a.loglik); /* 60 evaluations stop early */
    assert_int_equal(fit_spec("ETS(M,A,M,maxit=2000)", y, n, m, &ws, &b), CIV_OK);
    assert_int_equal(fit_spec("ETS(M,A,M,maxit=40)", y, n, m, &ws, &c), CIV_OK);
    assert_true(c.loglik <= b.loglik);
    const civ_model_type *type;
    unsigned char cfg[CIV_MODEL_CONFIG_MAX];
    assert_int_equal(civ_model_resolve("ets(maxit=0)", &type, cfg), CIV_ERR_SPEC);
    assert_int_equal(civ_model_resolve("ets(maxit=12x)", &type, cfg), CIV_ERR_SPEC);
    assert_int_equal(civ_model_resolve("ETS(A,N,N,maxit=)", &type, cfg), CIV_ERR_SPEC);
    assert_int_equal(civ_model_resolve("ETS(A,N,N,maxit=100001)", &type, cfg), CIV_ERR_SPEC);
    free(y);
    mf_workspace_free(&ws);
}

/* Missing values: the state is propagated by its prediction and the
 * likelihood uses the observed points only.  Checked against an independent
 * SES filter run with the fitted alpha and l0. */
static void test_nan(void **state)
{
    (void)state;
    civ_workspace ws;
    init_ws(&ws, 3);
    size_t n = 80;
    double *y = malloc(n * sizeof *y);
    simulate_series(ws.rng, 'A', 'N', 'N', 1, 0.4, 0, 0, 50, 0, NULL, 1.0, y, n);
    y[10] = y[11] = y[40] = y[79] = NAN;
    civ_model_fit fit;
    assert_int_equal(fit_spec("ETS(A,N,N)", y, n, 1, &ws, &fit), CIV_OK);
    double alpha = param(&fit, "alpha"), l = fit.states[0], sse = 0;
    size_t nobs = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(fabs(fit.fitted[i] - l) <= 1e-9 * fabs(l));
        if (isnan(y[i])) {
            assert_true(isnan(fit.residuals[i]));
            continue; /* no update */
        }
        double e = y[i] - l;
        sse += e * e;
        nobs++;
        l += alpha * e;
    }
    assert_true(fabs(fit.loglik - (-0.5 * (double)nobs * log(sse))) < 1e-8 * fabs(fit.loglik));
    double mean[3];
    assert_int_equal(civ_model_ets.forecast(&fit, NULL, 3, NULL, 0, &ws, mean, NULL, NULL), CIV_OK);
    for (int j = 0; j < 3; j++)
        assert_true(fabs(mean[j] - l) <= 1e-9 * fabs(l));
    /* leading NaNs are dropped: the same forecasts as without them */
    double *z = malloc((n + 3) * sizeof *z);
    z[0] = z[1] = z[2] = NAN;
    memcpy(z + 3, y, n * sizeof *y);
    civ_model_fit fit2;
    assert_int_equal(fit_spec("ETS(A,N,N)", z, n + 3, 1, &ws, &fit2), CIV_OK);
    double mean2[3];
    assert_int_equal(civ_model_ets.forecast(&fit2, NULL, 3, NULL, 0, &ws, mean2, NULL, NULL), CIV_OK);
    assert_memory_equal(mean, mean2, sizeof mean);
    assert_true(isnan(fit2.fitted[0]) && fit2.n == n + 3);
    /* seasonal series with gaps: auto selection runs and forecasts are finite */
    size_t ns = 96;
    double *w = malloc(ns * sizeof *w);
    for (size_t i = 0; i < ns; i++)
        w[i] = 100 + 10 * sin(2 * M_PI * (double)i / 12) + 0.2 * (double)i + gsl_ran_gaussian(ws.rng, 1);
    w[5] = w[30] = w[31] = w[60] = NAN;
    assert_int_equal(fit_spec("ets", w, ns, 12, &ws, &fit), CIV_OK);
    double mf[24], lo[24], hi[24], lv = 95;
    assert_int_equal(civ_model_ets.forecast(&fit, NULL, 24, &lv, 1, &ws, mf, lo, hi), CIV_OK);
    for (int j = 0; j < 24; j++)
        assert_true(isfinite(mf[j]) && lo[j] < mf[j] && mf[j] < hi[j]);
    /* nothing observed: too short */
    for (size_t i = 0; i < ns; i++)
        w[i] = NAN;
    w[7] = 3;
    assert_int_equal(fit_spec("ets", w, ns, 12, &ws, &fit), CIV_ERR_TOO_SHORT);
    free(y), free(z), free(w);
    mf_workspace_free(&ws);
}

static void test_constant_and_short(void **state)
{
    (void)state;
    civ_workspace ws;
    init_ws(&ws, 5);
    double c[30];
    for (int i = 0; i < 30; i++)
        c[i] = 42;
    civ_model_fit fit;
    /* R: ets(y) on a constant series is ses(y, alpha = 0.99999, initial = "simple") */
    assert_int_equal(fit_spec("ets", c, 30, 12, &ws, &fit), CIV_OK);
    assert_string_equal(fit.name, "ETS(A,N,N)");
    double mean[5], lo[5], hi[5], lv = 95;
    assert_int_equal(civ_model_ets.forecast(&fit, NULL, 5, &lv, 1, &ws, mean, lo, hi), CIV_OK);
    for (int j = 0; j < 5; j++)
        assert_true(mean[j] == 42 && lo[j] == 42 && hi[j] == 42);
    /* explicit specs on a constant series must not crash */
    const char *specs[] = {"ETS(A,N,N)", "ETS(M,A,M)", "ETS(A,Ad,A)", "ETS(Z,Z,Z)"};
    for (size_t k = 0; k < 4; k++) {
        civ_arena_reset(&ws.arena);
        civ_status s = fit_spec(specs[k], c, 30, 12, &ws, &fit);
        assert_true(s == CIV_OK || s == CIV_ERR_NUMERIC || s == CIV_ERR_TOO_SHORT);
        if (s == CIV_OK)
            assert_int_equal(civ_model_ets.forecast(&fit, NULL, 5, &lv, 1, &ws, mean, lo, hi), CIV_OK);
    }
    /* 1 value: too short; 2..12 values: R's HoltWinters fallback or a fit */
    double y[12] = {5, 7, 6, 9, 8, 10, 12, 11, 13, 15, 14, 16};
    assert_int_equal(fit_spec("ets", y, 1, 1, &ws, &fit), CIV_ERR_TOO_SHORT);
    assert_int_equal(fit_spec("ets", y, 0, 1, &ws, &fit), CIV_ERR_TOO_SHORT);
    for (size_t n = 2; n <= 12; n++) {
        for (int m = 1; m <= 4; m += 3) {
            civ_arena_reset(&ws.arena);
            civ_status s = fit_spec("ets", y, n, m, &ws, &fit);
            if (s != CIV_OK)
                fail_msg("n=%zu m=%d: %s", n, m, civ_last_error_message());
            assert_int_equal(civ_model_ets.forecast(&fit, NULL, 4, &lv, 1, &ws, mean, lo, hi), CIV_OK);
            for (int j = 0; j < 4; j++)
                assert_true(isfinite(mean[j]) && lo[j] <= mean[j] && mean[j] <= hi[j]);
        }
    }
    /* seasonal spec on non-seasonal data, multiplicative model on negative data */
    assert_int_equal(fit_spec("ETS(A,N,A)", y, 12, 1, &ws, &fit), CIV_ERR_DOMAIN);
    double neg[12];
    for (int i = 0; i < 12; i++)
        neg[i] = y[i] - 10;
    assert_int_equal(fit_spec("ETS(M,N,N)", neg, 12, 1, &ws, &fit), CIV_ERR_DOMAIN);
    civ_arena_reset(&ws.arena);
    assert_int_equal(fit_spec("ets", neg, 12, 1, &ws, &fit), CIV_OK);
    assert_true(fit.name[4] == 'A');
    mf_workspace_free(&ws);
}

/* 95% intervals of ETS(A,N,N) cover about 95% of simulated future values. */
static void test_coverage(void **state)
{
    (void)state;
    civ_workspace ws;
    init_ws(&ws, 2024);
    gsl_rng *truth = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(truth, 99);
    const size_t n = 80, h = 4, reps = 500;
    double y[84], lv[2] = {80, 95};
    size_t in95[4] = {0}, in80 = 0;
    for (size_t r = 0; r < reps; r++) {
        simulate_series(truth, 'A', 'N', 'N', 1, 0.5, 0, 0, 20, 0, NULL, 1.0, y, n + h);
        civ_arena_reset(&ws.arena);
        civ_model_fit fit;
        assert_int_equal(fit_spec("ETS(A,N,N)", y, n, 1, &ws, &fit), CIV_OK);
        double mean[4], lo[8], hi[8];
        assert_int_equal(civ_model_ets.forecast(&fit, NULL, h, lv, 2, &ws, mean, lo, hi), CIV_OK);
        for (size_t j = 0; j < h; j++)
            if (y[n + j] >= lo[h + j] && y[n + j] <= hi[h + j])
                in95[j]++;
        if (y[n] >= lo[0] && y[n] <= hi[0])
            in80++;
    }
    for (size_t j = 0; j < h; j++) {
        double cov = (double)in95[j] / (double)reps;
        printf("ETS(A,N,N) 95%% coverage at h=%zu: %.3f\n", j + 1, cov);
        assert_true(cov > 0.91 && cov < 0.985);
    }
    double c80 = (double)in80 / (double)reps;
    printf("ETS(A,N,N) 80%% coverage at h=1: %.3f\n", c80);
    assert_true(c80 > 0.74 && c80 < 0.86);
    gsl_rng_free(truth);
    mf_workspace_free(&ws);
}

/* The analytic class-2 and class-3 variances agree with the variance of
 * simulated sample paths (HKOS ch. 6). */
static void test_analytic_vs_simulated(void **state)
{
    (void)state;
    civ_workspace ws;
    init_ws(&ws, 17);
    size_t n = 120;
    double y[120];
    double s0[4] = {1.2, 0.9, 0.8, 1.1};
    const char *specs[2] = {"ETS(M,A,N)", "ETS(M,N,M)"};
    for (int k = 0; k < 2; k++) {
        if (k == 0)
            simulate_series(ws.rng, 'M', 'A', 'N', 1, 0.3, 0.01, 0, 100, 1, NULL, 0.03, y, n);
        else
            simulate_series(ws.rng, 'M', 'N', 'M', 4, 0.3, 0, 0.2, 100, 0, s0, 0.05, y, n);
        civ_arena_reset(&ws.arena);
        civ_model_fit fit;
        if (fit_spec(specs[k], y, n, k ? 4 : 1, &ws, &fit) != CIV_OK)
            fail_msg("%s: %s (y0 %g y60 %g y119 %g)", specs[k], civ_last_error_message(), y[0], y[60], y[119]);
        assert_string_equal(fit.name, specs[k]);
        const size_t h = 8, np = 20000;
        double mean[8], lo[8], hi[8], lv = 95;
        assert_int_equal(civ_model_ets.forecast(&fit, NULL, h, &lv, 1, &ws, mean, lo, hi), CIV_OK);
        double *paths = malloc(np * h * sizeof *paths);
        assert_int_equal(civ_model_ets.simulate(&fit, NULL, h, np, &ws, paths), CIV_OK);
        for (size_t j = 0; j < h; j++) {
            double s = 0, ss = 0;
            for (size_t p = 0; p < np; p++)
                s += paths[p * h + j];
            double mu = s / (double)np;
            for (size_t p = 0; p < np; p++)
                ss += (paths[p * h + j] - mu) * (paths[p * h + j] - mu);
            double sd = sqrt(ss / (double)(np - 1)), sd_a = (hi[j] - mean[j]) / 1.959963984540054;
            assert_true(fabs(mu / mean[j] - 1) < 0.01);
            if (fabs(sd / sd_a - 1) > 0.05)
                fail_msg("%s h=%zu: simulated sd %.4f vs analytic %.4f", specs[k], j + 1, sd, sd_a);
        }
        free(paths);
    }
    mf_workspace_free(&ws);
}

/* Schur-Cohn test = GSL roots on random polynomials. */
static void test_roots_within(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 1);
    double a[26], z[52], work[52];
    size_t agree = 0, total = 0, inside = 0;
    for (int t = 0; t < 4000; t++) {
        size_t deg = 2 + (size_t)gsl_rng_uniform_int(r, 12);
        double scale = 0.2 + 1.5 * gsl_rng_uniform(r);
        for (size_t i = 0; i < deg; i++)
            a[i] = scale * (gsl_rng_uniform(r) * 2 - 1) / (double)(deg - i);
        a[deg] = 1;
        gsl_poly_complex_workspace *w = gsl_poly_complex_workspace_alloc(deg + 1);
        assert_int_equal(gsl_poly_complex_solve(a, deg + 1, w, z), 0);
        gsl_poly_complex_workspace_free(w);
        double mx = 0;
        for (size_t i = 0; i < deg; i++)
            mx = fmax(mx, hypot(z[2 * i], z[2 * i + 1]));
        if (fabs(mx - 1) < 1e-7)
            continue; /* too close to call for either method */
        int g = mx <= 1 + 1e-10, s = civ_ets_roots_within(a, deg, 1 + 1e-10, work);
        agree += (size_t)(g == s);
        inside += (size_t)g;
        total++;
    }
    assert_int_equal(agree, total);
    assert_true(inside > total / 10 && inside < total * 9 / 10);
    gsl_rng_free(r);
}

/* Same seed, same bits: fits and simulated intervals (ETS(M,M,N) has no
 * analytic variance, so its intervals come from sample paths). */
static void test_determinism(void **state)
{
    (void)state;
    double y[60];
    for (int i = 0; i < 60; i++)
        y[i] = 100 * pow(1.01, i) * (1 + 0.05 * sin(i * 1.7));
    double m1[12], lo1[12], hi1[12], m2[12], lo2[12], hi2[12], lv = 90;
    for (int rep = 0; rep < 2; rep++) {
        civ_workspace ws;
        init_ws(&ws, 123);
        civ_model_fit fit;
        assert_int_equal(fit_spec("ETS(M,M,N)", y, 60, 1, &ws, &fit), CIV_OK);
        assert_string_equal(fit.name, "ETS(M,M,N)");
        assert_int_equal(civ_model_ets.forecast(&fit, NULL, 12, &lv, 1, &ws, rep ? m2 : m1, rep ? lo2 : lo1,
                                                rep ? hi2 : hi1),
                         CIV_OK);
        mf_workspace_free(&ws);
    }
    assert_memory_equal(m1, m2, sizeof m1);
    assert_memory_equal(lo1, lo2, sizeof lo1);
    assert_memory_equal(hi1, hi2, sizeof hi1);
    for (int j = 0; j < 12; j++)
        assert_true(lo1[j] < m1[j] && m1[j] < hi1[j]);
    /* a different seed gives different simulated bounds */
    civ_workspace ws;
    init_ws(&ws, 124);
    civ_model_fit fit;
    assert_int_equal(fit_spec("ETS(M,M,N)", y, 60, 1, &ws, &fit), CIV_OK);
    assert_int_equal(civ_model_ets.forecast(&fit, NULL, 12, &lv, 1, &ws, m2, lo2, hi2), CIV_OK);
    assert_true(memcmp(lo1, lo2, sizeof lo1) != 0);
    mf_workspace_free(&ws);
}

/* Refits (conformal intervals' calibration windows): the form the search
 * chose, refitted (model_fixture.h's checks: the same fit on the same series,
 * the same form on a prefix and on another series); where the form cannot be
 * fitted (multiplicative errors, a negative value) or like had no form (the
 * short-series fallback) the refit is the search. */
static void test_refit(void **state)
{
    (void)state;
    civ_workspace ws;
    init_ws(&ws, 7);
    double a[72], b[72], c[72];
    for (int t = 0; t < 72; t++) {
        a[t] = (100 + 2 * t) * (1 + 0.2 * sin(2 * M_PI * t / 12)) * (1 + 0.02 * sin(t * 1.7));
        b[t] = 50 + 3 * sin(t * 2.3) + 2 * cos(t * 0.7);
        c[t] = t == 10 ? -1.0 : b[t];
    }
    mf_check_refit("ets", a, 72, 60, b, 72, 12, "", &ws);
    mf_check_refit("ets(maxit=500)", a, 72, 60, b, 72, 12, NULL, &ws);

    civ_model_fit like, re, own;
    assert_int_equal(mf_fit_spec("ETS(M,N,N)", b, 72, 12, &ws, &like), CIV_OK);
    assert_int_equal(mf_refit_spec("ets", &like, c, 72, 12, &ws, &re), CIV_OK);
    assert_int_equal(fit_spec("ets", c, 72, 12, &ws, &own), CIV_OK);
    assert_string_equal(re.name, own.name);
    assert_true(re.name[4] == 'A'); /* additive errors: c has a negative value */
    assert_true(param(&re, "alpha") == param(&own, "alpha"));

    const double tiny[5] = {3, 5, 4, 6, 5}; /* too short to estimate: R's Holt-Winters fallback */
    assert_int_equal(mf_fit_spec("ets", tiny, 5, 1, &ws, &like), CIV_OK);
    assert_int_equal(mf_refit_spec("ets", &like, b, 40, 1, &ws, &re), CIV_OK);
    assert_int_equal(fit_spec("ets", b, 40, 1, &ws, &own), CIV_OK);
    assert_string_equal(re.name, own.name);
    assert_true(param(&re, "alpha") == param(&own, "alpha"));
    mf_workspace_free(&ws);
}

/* The Theta helper: ETS(A,N,N) by MSE and by likelihood. */
static void test_fit_ann_helper(void **state)
{
    (void)state;
    civ_workspace ws;
    init_ws(&ws, 8);
    double y[50];
    simulate_series(ws.rng, 'A', 'N', 'N', 1, 0.6, 0, 0, 10, 0, NULL, 1, y, 50);
    civ_ets_ann a, b;
    assert_int_equal(civ_ets_fit_ann(y, 50, CIV_ETS_CRIT_LIK, &ws, &a), CIV_OK);
    assert_int_equal(civ_ets_fit_ann(y, 50, CIV_ETS_CRIT_MSE, &ws, &b), CIV_OK);
    assert_true(a.alpha > 0.2 && a.alpha < 0.99 && b.alpha > 0.2 && b.alpha < 0.99);
    assert_int_equal(a.fallback, 0);
    civ_model_fit fit;
    assert_int_equal(fit_spec("ETS(A,N,N)", y, 50, 1, &ws, &fit), CIV_OK);
    assert_true(param(&fit, "alpha") == a.alpha && fit.loglik == a.loglik);
    assert_int_equal(civ_ets_fit_ann(y, 5, CIV_ETS_CRIT_MSE, &ws, &b), CIV_OK);
    assert_int_equal(b.fallback, 1);
    assert_int_equal(civ_ets_fit_ann(y, 1, CIV_ETS_CRIT_MSE, &ws, &b), CIV_ERR_TOO_SHORT);
    mf_workspace_free(&ws);
}

/* ---- civ_ets_fit_pair: the automatic and the damped search from one pass ---- */

#define PAIR_H 24
#define PAIR_MAXN 2048

/* Bitwise equality of two fits and of their forecasts (h steps, levels 80
 * and 95, the same rng seed); where is the series id, for the message. */
static void assert_same_fit(const civ_model_fit *a, const civ_model_fit *b, const civ_series *s, const char *where)
{
    if (strcmp(a->name, b->name) != 0)
        fail_msg("%s: %s vs %s alone", where, a->name, b->name);
    assert_int_equal(a->n_report_params, b->n_report_params);
    assert_memory_equal(a->params, b->params, a->n_report_params * sizeof *a->params);
    assert_int_equal(a->n_states, b->n_states);
    assert_memory_equal(a->states, b->states, a->n_states * sizeof *a->states);
    double fa[4] = {a->sigma2, a->loglik, a->aicc, (double)a->n_params};
    double fb[4] = {b->sigma2, b->loglik, b->aicc, (double)b->n_params};
    assert_memory_equal(fa, fb, sizeof fa);
    assert_memory_equal(a->fitted, b->fitted, s->n * sizeof *a->fitted);
    static const double lv[2] = {80, 95};
    double m[2][PAIR_H], lo[2][2 * PAIR_H], hi[2][2 * PAIR_H];
    const civ_model_fit *f[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        civ_workspace ws;
        init_ws(&ws, 77);
        assert_int_equal(civ_model_ets.forecast(f[k], s, PAIR_H, lv, 2, &ws, m[k], lo[k], hi[k]), CIV_OK);
        mf_workspace_free(&ws);
    }
    assert_memory_equal(m[0], m[1], sizeof m[0]);
    assert_memory_equal(lo[0], lo[1], sizeof lo[0]);
    assert_memory_equal(hi[0], hi[1], sizeof hi[0]);
}

/* One series: the pair's two fits against ets(maxit=500) and
 * ETS(Z,Z,Z,damped=true,maxit=500) fitted alone (statuses, messages, fits). */
static void check_pair(const double *y, size_t n, int m, const char *id)
{
    unsigned char ca[CIV_MODEL_CONFIG_MAX], cd[CIV_MODEL_CONFIG_MAX];
    const civ_model_type *type;
    assert_int_equal(civ_model_resolve("ets(maxit=500)", &type, ca), CIV_OK);
    assert_int_equal(civ_model_resolve("ETS(Z,Z,Z,damped=true,maxit=500)", &type, cd), CIV_OK);
    civ_series s = {.id = id, .y = y, .n = n, .period = m};
    civ_model_options opt = {0};
    civ_workspace ws, ws1;
    init_ws(&ws, 1);
    init_ws(&ws1, 1);
    civ_model_fit pa, pd, sa, sd;
    memset(&pa, 0, sizeof pa), memset(&pd, 0, sizeof pd), memset(&sa, 0, sizeof sa), memset(&sd, 0, sizeof sd);
    civ_status st[2];
    char wa[160], wd[160];
    assert_int_equal(civ_ets_fit_pair(ca, cd, &opt, &s, &ws, &pa, &pd, st, wa, wd, sizeof wa), CIV_OK);
    civ_status s_alone[2] = {civ_model_ets.fit(ca, &opt, &s, &ws1, &sa), CIV_OK};
    char ma[160];
    snprintf(ma, sizeof ma, "%s", s_alone[0] == CIV_OK ? "" : civ_last_error_message());
    s_alone[1] = civ_model_ets.fit(cd, &opt, &s, &ws1, &sd);
    assert_int_equal(st[0], s_alone[0]);
    assert_int_equal(st[1], s_alone[1]);
    assert_string_equal(wa, ma);
    if (st[1] != CIV_OK)
        assert_string_equal(wd, civ_last_error_message());
    if (st[0] == CIV_OK)
        assert_same_fit(&pa, &sa, &s, id);
    if (st[1] == CIV_OK)
        assert_same_fit(&pd, &sd, &s, id);
    mf_workspace_free(&ws);
    mf_workspace_free(&ws1);
}

/* Series from a long CSV (unique_id, frequency, t, y; rows of a series
 * together, t from 1), at most max_series of them (0: all). */
static size_t check_pair_file(const char *path, size_t max_series)
{
    static const char *text[] = {"unique_id", NULL};
    civ_table_read_options o = {.text_columns = text};
    civ_table *t = NULL;
    if (civ_table_read_csv(path, &o, &t) != CIV_OK)
        fail_msg("%s: %s", path, civ_last_error_message());
    size_t c_id, c_f, c_t, c_y;
    assert_int_equal(civ_table_find_column(t, "unique_id", &c_id), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "frequency", &c_f), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "t", &c_t), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "y", &c_y), CIV_OK);
    double *y = malloc(PAIR_MAXN * sizeof *y);
    size_t nr = civ_table_n_rows(t), ns = 0;
    for (size_t r = 0; r < nr && (max_series == 0 || ns < max_series);) {
        const char *id = civ_table_text(t, r, c_id);
        size_t e = r;
        while (e < nr && !strcmp(civ_table_text(t, e, c_id), id))
            e++;
        assert_true(e - r <= PAIR_MAXN);
        for (size_t k = r; k < e; k++)
            y[(size_t)civ_table_number(t, k, c_t) - 1] = civ_table_number(t, k, c_y);
        check_pair(y, e - r, (int)civ_table_number(t, r, c_f), id);
        ns++;
        r = e;
    }
    free(y);
    civ_table_free(t);
    return ns;
}

/* The pair's fits are bit-identical to the two searches run alone: on R's
 * reference series (monthly, quarterly, yearly), a series too short for the
 * damped search (7 values: the automatic one searches, the damped one takes
 * R's Holt-Winters fallback), a constant one and one with negative values.
 * With CIV_ETS_PAIR_SERIES=FILE (same layout as ref_series.csv), every
 * series of FILE instead of the first 12 reference series (how the check on
 * all of M1 and tourism was run, docs/FORECASTING.md). */
static void test_fit_pair(void **state)
{
    (void)state;
    const char *file = getenv("CIV_ETS_PAIR_SERIES");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/fixtures/ref_series.csv", CIV_SOURCE_DIR);
    size_t ns = check_pair_file(file && *file ? file : path, file && *file ? 0 : 12);
    if (file && *file)
        printf("civ_ets_fit_pair: %zu series of %s bit-identical to the searches alone\n", ns, file);
    double y[40];
    for (int i = 0; i < 40; i++)
        y[i] = 50 + 3 * i + 10 * sin(i * 0.9);
    check_pair(y, 7, 1, "seven");
    check_pair(y, 8, 1, "eight");
    check_pair(y, 40, 4, "quarterly");
    for (int i = 0; i < 40; i++)
        y[i] -= 120;
    check_pair(y, 40, 4, "negative");
    for (int i = 0; i < 40; i++)
        y[i] = 5;
    check_pair(y, 40, 1, "constant");
    check_pair(y, 1, 1, "one");
    /* configurations that do not share a search (different maxit) are fitted alone */
    unsigned char ca[CIV_MODEL_CONFIG_MAX], cd[CIV_MODEL_CONFIG_MAX];
    const civ_model_type *type;
    assert_int_equal(civ_model_resolve("ets", &type, ca), CIV_OK);
    assert_int_equal(civ_model_resolve("ETS(Z,Z,Z,damped=true,maxit=500)", &type, cd), CIV_OK);
    for (int i = 0; i < 40; i++)
        y[i] = 50 + 3 * i + 10 * sin(i * 0.9);
    civ_series s = {.id = "mixed", .y = y, .n = 40, .period = 4};
    civ_workspace ws;
    init_ws(&ws, 1);
    civ_model_fit pa, pd, sd;
    memset(&pa, 0, sizeof pa), memset(&pd, 0, sizeof pd), memset(&sd, 0, sizeof sd);
    civ_status st[2];
    char wa[160], wd[160];
    assert_int_equal(civ_ets_fit_pair(ca, cd, NULL, &s, &ws, &pa, &pd, st, wa, wd, sizeof wa), CIV_OK);
    assert_int_equal(st[0], CIV_OK);
    assert_int_equal(st[1], CIV_OK);
    assert_int_equal(civ_model_ets.fit(cd, NULL, &s, &ws, &sd), CIV_OK);
    assert_same_fit(&pd, &sd, &s, "mixed");
    assert_int_equal(civ_ets_fit_pair(NULL, cd, NULL, &s, &ws, &pa, &pd, st, wa, wd, sizeof wa),
                     CIV_ERR_INVALID_ARGUMENT);
    mf_workspace_free(&ws);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),          cmocka_unit_test(test_recover_ann),
        cmocka_unit_test(test_recover_seasonal), cmocka_unit_test(test_nan),
        cmocka_unit_test(test_constant_and_short), cmocka_unit_test(test_coverage),
        cmocka_unit_test(test_analytic_vs_simulated), cmocka_unit_test(test_roots_within),
        cmocka_unit_test(test_determinism),    cmocka_unit_test(test_fit_ann_helper),
        cmocka_unit_test(test_maxit),          cmocka_unit_test(test_fit_pair),
        cmocka_unit_test(test_refit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
