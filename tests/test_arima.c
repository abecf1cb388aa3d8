/*
 * test_arima.c -- the ARIMA family: spec parsing; fixed-order fits against
 * R's forecast::Arima() (tests/fixtures/ref_arima_extra.csv, made by
 * bench/r_arima_fixtures.R) including missing values and a regression with
 * ARIMA errors; recovery of known parameters on simulated series; NaN
 * handling; covariates with and without future values; intervals; refits
 * of auto.arima's orders.
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

#include "arima.h"
#include "arima_kalman.h"
#include "arima_fixture_util.h"
#include "model.h"
#include "model_fixture.h"

typedef struct env {
    civ_workspace ws;
    fx_series *ss;
    size_t ns;
    fx_row *rows;
    size_t nr;
    char *buf;
} env;

static int setup(void **state)
{
    env *e = calloc(1, sizeof *e);
    e->ws.rng = gsl_rng_alloc(gsl_rng_mt19937);
    e->ns = fx_load_series(&e->ss);
    e->nr = fx_load_extra(&e->rows, &e->buf);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    env *e = *state;
    civ_arena_free(&e->ws.arena);
    gsl_rng_free(e->ws.rng);
    for (size_t i = 0; i < e->ns; i++)
        free(e->ss[i].y);
    free(e->ss);
    free(e->rows);
    free(e->buf);
    free(e);
    return 0;
}

static double param(const civ_model_fit *f, const char *name)
{
    for (size_t i = 0; i < f->n_report_params; i++)
        if (strcmp(f->param_names[i], name) == 0)
            return f->params[i];
    return NAN;
}

static civ_status fit_spec(env *e, const char *spec, const civ_series *s, civ_model_fit *fit)
{
    const civ_model_type *type;
    char config[CIV_MODEL_CONFIG_MAX];
    civ_status st = civ_model_resolve(spec, &type, config);
    if (st != CIV_OK)
        return st;
    if (type != &civ_model_arima)
        return CIV_ERR_INTERNAL;
    memset(fit, 0, sizeof *fit);
    fit->type = type;
    return type->fit(config, NULL, s, &e->ws, fit);
}

static void test_parse(void **state)
{
    (void)state;
    const civ_model_type *t;
    char c[CIV_MODEL_CONFIG_MAX];
    const char *good[] = {"arima", "auto.arima", "ARIMA", "arima(full)", "auto.arima(full, noapprox)",
                          "ARIMA(1,1,1)", "ARIMA(0,1,1)(0,1,1)[12]", "arima(2,0,0) with zero mean",
                          "ARIMA(1,1,0) with drift", "ARIMA(1,0,0)(1,0,0)", "ARIMA(1, 0, 1) with non-zero mean",
                          "arima(reltol=1e-4)", "auto.arima(approx, reltol=0.001)"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        assert_int_equal(civ_model_resolve(good[i], &t, c), CIV_OK);
        assert_ptr_equal(t, &civ_model_arima);
    }
    const char *bad[] = {"ARIMA(1,1)", "ARIMA(1,1,1) with sauce", "ARIMA(0,2,1) with drift",
                         "arima(fast)", "ARIMA(1,0,0)(1,0,0)[0]", "ARIMA(-1,0,0)", "arima(reltol=0)",
                         "arima(reltol=1)", "arima(reltol=x)", "arima(reltol=)"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(civ_model_resolve(bad[i], &t, c), CIV_ERR_SPEC);
    /* not ours: NOT_FOUND from the type itself */
    assert_int_equal(civ_model_arima.parse("ets", c), CIV_ERR_NOT_FOUND);
}

/* relative error with an absolute floor */
static double relerr(double got, double want, double floor_)
{
    return fabs(got - want) / fmax(fabs(want), floor_);
}

static void check_fit_vs_r(env *e, const char *id, const char *rspec, const char *spec, const civ_series *s,
                           size_t h, int check_coef)
{
    civ_model_fit fit;
    civ_arena_reset(&e->ws.arena);
    civ_status st = fit_spec(e, spec, s, &fit);
    if (st != CIV_OK)
        print_error("%s %s: %s\n", id, spec, civ_last_error()->text);
    assert_int_equal(st, CIV_OK);
    double want_ll = fx_num(fx_get(e->rows, e->nr, id, rspec, "loglik"));
    double coef[16], se[16], mean[16], lo[16], hi[16];
    int nc = fx_vec(fx_get(e->rows, e->nr, id, rspec, "coef"), coef, 16);
    fx_vec(fx_get(e->rows, e->nr, id, rspec, "se"), se, 16);
    fx_vec(fx_get(e->rows, e->nr, id, rspec, "mean"), mean, 16);
    fx_vec(fx_get(e->rows, e->nr, id, rspec, "lo95"), lo, 16);
    fx_vec(fx_get(e->rows, e->nr, id, rspec, "hi95"), hi, 16);
    char names[256];
    snprintf(names, sizeof names, "%s", fx_get(e->rows, e->nr, id, rspec, "coef_names"));
    /* log-likelihood: no worse than R's minus 0.01, and close */
    assert_true(fit.loglik >= want_ll - 0.01);
    assert_true(fabs(fit.loglik - want_ll) < 0.05);
    assert_int_equal((int)fit.n_report_params, 2 * nc);
    char *save = NULL, *tok = strtok_r(names, ";", &save);
    for (int i = 0; i < nc && tok; i++, tok = strtok_r(NULL, ";", &save)) {
        const char *nm = strcmp(tok, "income") == 0 ? "income" : tok;
        double got = param(&fit, nm);
        if (check_coef) {
            if (relerr(got, coef[i], 0.05) > 0.01)
                print_error("%s %s: %s = %.6g, R %.6g\n", id, spec, nm, got, coef[i]);
            assert_true(relerr(got, coef[i], 0.05) <= 0.01);
            char sen[64];
            snprintf(sen, sizeof sen, "se(%s)", nm);
            double gse = param(&fit, sen);
            if (isfinite(se[i]))
                assert_true(relerr(gse, se[i], 1e-3) <= 0.05);
        }
    }
    double lev = 95.0, fm[16], fl[16], fu[16];
    assert_int_equal(civ_model_arima.forecast(&fit, s, h, &lev, 1, &e->ws, fm, fl, fu), CIV_OK);
    for (size_t j = 0; j < h; j++) {
        double scale = fmax(fabs(mean[j]), hi[j] - lo[j]);
        assert_true(fabs(fm[j] - mean[j]) <= 0.01 * scale);
        assert_true(fabs((fu[j] - fl[j]) - (hi[j] - lo[j])) <= 0.02 * (hi[j] - lo[j]));
    }
}

static void test_fixed_orders_vs_r(void **state)
{
    env *e = *state;
    assert_true(e->nr > 0);
    struct {
        const char *id, *spec;
    } cases[] = {
        {"AirPassengers", "ARIMA(0,1,1)(0,1,1)[12]"}, {"USAccDeaths", "ARIMA(0,1,1)(0,1,1)[12]"},
        {"lynx", "ARIMA(2,0,0)"},                     {"Nile", "ARIMA(1,0,1)"},
        {"WWWusage", "ARIMA(1,1,1)"},                 {"LakeHuron", "ARIMA(2,0,0) with zero mean"},
        {"austres", "ARIMA(1,1,0) with drift"},       {"presidents", "ARIMA(1,0,0)"},
        {"UKgas", "ARIMA(1,0,0)(0,1,1)[4] with drift"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        fx_series *fs = fx_find(e->ss, e->ns, cases[i].id);
        assert_non_null(fs);
        civ_series s = {.id = fs->id, .y = fs->y, .n = fs->n, .period = fs->freq};
        check_fit_vs_r(e, cases[i].id, cases[i].spec, cases[i].spec, &s, 8, 1);
    }
}

/* Regression with ARIMA errors: freeny.y on income level, 35 quarters fitted,
 * 4 forecast with the held-out covariate values. */
static void test_xreg_vs_r(void **state)
{
    env *e = *state;
    fx_series *fs = fx_find(e->ss, e->ns, "freeny.y");
    assert_non_null(fs);
    double xr[64];
    int nx = fx_vec(fx_get(e->rows, e->nr, "freeny.y", "-", "xreg"), xr, 64);
    assert_int_equal(nx, 39);
    const double *xp[1] = {xr};
    const char *names[1] = {"income"};
    civ_series s = {.id = "freeny.y", .y = fs->y, .n = 35, .period = 4, .xreg = xp, .xreg_names = names,
                    .n_xreg = 1, .xreg_len = 39};
    check_fit_vs_r(e, "freeny.y", "ARIMA(1,0,0)+xreg", "ARIMA(1,0,0)", &s, 4, 1);
    /* drift + income is nearly collinear in R too (s.e. NaN there): check the
     * likelihood and forecasts only */
    check_fit_vs_r(e, "freeny.y", "ARIMA(0,1,1) with drift+xreg", "ARIMA(0,1,1) with drift", &s, 4, 0);
}

/* ---- simulation ---- */

/* ARMA(1,1)(0,1)_m with d, D differences: phi, theta, Theta; burn-in 200. */
static void simulate(gsl_rng *r, double *y, size_t n, double c, double phi, double theta, int m, double Theta,
                     int d, int D)
{
    size_t burn = 200, N = n + burn;
    double *e = calloc(N, sizeof *e), *u = calloc(N, sizeof *u);
    for (size_t t = 0; t < N; t++) {
        e[t] = gsl_ran_gaussian(r, 1.0);
        double v = c + e[t];
        if (t >= 1)
            v += phi * u[t - 1] + theta * e[t - 1];
        if (m > 1 && t >= (size_t)m)
            v += Theta * e[t - (size_t)m];
        if (m > 1 && t >= (size_t)m + 1)
            v += theta * Theta * e[t - (size_t)m - 1];
        u[t] = v;
    }
    for (int k = 0; k < D; k++)
        for (size_t t = (size_t)m; t < N; t++)
            u[t] += u[t - (size_t)m];
    for (int k = 0; k < d; k++)
        for (size_t t = 1; t < N; t++)
            u[t] += u[t - 1];
    memcpy(y, u + burn, n * sizeof *y);
    free(e);
    free(u);
}

static void test_recovery(void **state)
{
    env *e = *state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 2024);
    enum { N = 600 };
    double y[N];
    civ_series s = {.id = "sim", .y = y, .n = N, .period = 1};
    civ_model_fit fit;

    simulate(r, y, N, 3.0, 0.6, 0.0, 1, 0.0, 0, 0);
    civ_arena_reset(&e->ws.arena);
    assert_int_equal(fit_spec(e, "ARIMA(1,0,0)", &s, &fit), CIV_OK);
    assert_true(fabs(param(&fit, "ar1") - 0.6) < 3 * param(&fit, "se(ar1)"));
    assert_true(fabs(param(&fit, "intercept") - 3.0 / 0.4) < 3 * param(&fit, "se(intercept)"));
    assert_true(fabs(fit.sigma2 - 1.0) < 0.2);

    simulate(r, y, N, 0.0, 0.0, -0.5, 1, 0.0, 1, 0);
    civ_arena_reset(&e->ws.arena);
    assert_int_equal(fit_spec(e, "ARIMA(0,1,1)", &s, &fit), CIV_OK);
    assert_true(fabs(param(&fit, "ma1") + 0.5) < 3 * param(&fit, "se(ma1)"));

    simulate(r, y, N, 0.0, 0.5, 0.3, 1, 0.0, 0, 0);
    civ_arena_reset(&e->ws.arena);
    assert_int_equal(fit_spec(e, "ARIMA(1,0,1) with zero mean", &s, &fit), CIV_OK);
    assert_true(fabs(param(&fit, "ar1") - 0.5) < 3 * param(&fit, "se(ar1)"));
    assert_true(fabs(param(&fit, "ma1") - 0.3) < 3 * param(&fit, "se(ma1)"));

    /* the airline model */
    s.period = 12;
    simulate(r, y, 360, 0.0, 0.0, -0.4, 12, -0.6, 1, 1);
    s.n = 360;
    civ_arena_reset(&e->ws.arena);
    assert_int_equal(fit_spec(e, "ARIMA(0,1,1)(0,1,1)[12]", &s, &fit), CIV_OK);
    assert_true(fabs(param(&fit, "ma1") + 0.4) < 3 * param(&fit, "se(ma1)"));
    assert_true(fabs(param(&fit, "sma1") + 0.6) < 3 * param(&fit, "se(sma1)"));
    /* auto.arima finds seasonal differencing and an airline-like model */
    civ_arena_reset(&e->ws.arena);
    assert_int_equal(fit_spec(e, "auto.arima", &s, &fit), CIV_OK);
    int p, d, q, P, D, Q, m;
    assert_int_equal(sscanf(fit.name, "ARIMA(%d,%d,%d)(%d,%d,%d)[%d]", &p, &d, &q, &P, &D, &Q, &m), 7);
    assert_int_equal(d, 1);
    assert_int_equal(D, 1);
    assert_int_equal(m, 12);
    assert_true(q + Q >= 1);
    gsl_rng_free(r);
}

static void test_missing_values(void **state)
{
    env *e = *state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7);
    enum { N = 400 };
    double y[N];
    simulate(r, y, N, 1.0, 0.7, 0.0, 1, 0.0, 0, 0);
    for (size_t t = 0; t < N; t += 9)
        y[t] = NAN;
    y[0] = y[1] = NAN; /* leading NaN too */
    civ_series s = {.id = "nan", .y = y, .n = N, .period = 1};
    civ_model_fit fit;
    civ_arena_reset(&e->ws.arena);
    assert_int_equal(fit_spec(e, "ARIMA(1,0,0)", &s, &fit), CIV_OK);
    assert_true(isfinite(fit.loglik));
    assert_true(fabs(param(&fit, "ar1") - 0.7) < 3 * param(&fit, "se(ar1)"));
    assert_true(isnan(fit.residuals[0]) && isnan(fit.residuals[9]) && isfinite(fit.residuals[10]));
    double lev[2] = {80, 95}, m[10], lo[20], hi[20];
    assert_int_equal(civ_model_arima.forecast(&fit, &s, 10, lev, 2, &e->ws, m, lo, hi), CIV_OK);
    for (int j = 0; j < 10; j++) {
        assert_true(isfinite(m[j]));
        /* nested intervals, widening with the horizon */
        assert_true(lo[10 + j] < lo[j] && lo[j] < m[j] && m[j] < hi[j] && hi[j] < hi[10 + j]);
        if (j)
            assert_true(hi[j] - lo[j] >= hi[j - 1] - lo[j - 1] - 1e-12);
    }
    /* automatic selection copes with the gaps */
    civ_arena_reset(&e->ws.arena);
    assert_int_equal(fit_spec(e, "auto.arima", &s, &fit), CIV_OK);
    assert_true(isfinite(fit.aicc));
    /* all missing */
    for (size_t t = 0; t < N; t++)
        y[t] = NAN;
    civ_arena_reset(&e->ws.arena);
    assert_int_equal(fit_spec(e, "auto.arima", &s, &fit), CIV_ERR_TOO_SHORT);
    gsl_rng_free(r);
}

/* Demand driven by a covariate: y = 50 + 2.5 x + AR(1) noise. */
static void test_xreg_recovery_and_future(void **state)
{
    env *e = *state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 99);
    enum { N = 120, H = 12 };
    double x[N + H], y[N], u[N];
    simulate(r, u, N, 0.0, 0.5, 0.0, 1, 0.0, 0, 0);
    for (int t = 0; t < N + H; t++)
        x[t] = 100.0 + 0.8 * t + 5.0 * gsl_ran_gaussian(r, 1.0);
    for (int t = 0; t < N; t++)
        y[t] = 50.0 + 2.5 * x[t] + 3.0 * u[t];
    const double *xp[1] = {x};
    const char *names[1] = {"aged60"};
    civ_series s = {.id = "city", .y = y, .n = N, .period = 1, .xreg = xp, .xreg_names = names, .n_xreg = 1,
                    .xreg_len = N + H};
    civ_model_fit fit;
    civ_arena_reset(&e->ws.arena);
    assert_int_equal(fit_spec(e, "auto.arima", &s, &fit), CIV_OK);
    assert_non_null(strstr(fit.name, "Regression with"));
    double b = param(&fit, "aged60"), se = param(&fit, "se(aged60)");
    assert_true(isfinite(se) && se > 0);
    assert_true(fabs(b - 2.5) < 3 * se + 0.05);
    double m[H];
    assert_int_equal(civ_model_arima.forecast(&fit, &s, H, NULL, 0, &e->ws, m, NULL, NULL), CIV_OK);
    /* the forecast follows the covariate */
    assert_true(m[H - 1] > m[0]);
    /* without future values: NOT_FOUND naming the covariate */
    s.xreg_len = N + 3;
    assert_int_equal(civ_model_arima.forecast(&fit, &s, H, NULL, 0, &e->ws, m, NULL, NULL), CIV_ERR_NOT_FOUND);
    assert_non_null(strstr(civ_last_error()->text, "future"));
    /* a missing future value: DOMAIN */
    s.xreg_len = N + H;
    x[N + 4] = NAN;
    assert_int_equal(civ_model_arima.forecast(&fit, &s, H, NULL, 0, &e->ws, m, NULL, NULL), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error()->text, "aged60"));
    /* a fixed-order regression too */
    x[N + 4] = 104.0;
    civ_arena_reset(&e->ws.arena);
    assert_int_equal(fit_spec(e, "ARIMA(1,0,0)", &s, &fit), CIV_OK);
    assert_true(fabs(param(&fit, "aged60") - 2.5) < 3 * param(&fit, "se(aged60)") + 0.05);
    gsl_rng_free(r);
}

static void test_constant_and_short(void **state)
{
    env *e = *state;
    double y[20];
    for (int t = 0; t < 20; t++)
        y[t] = 7.0;
    civ_series s = {.id = "const", .y = y, .n = 20, .period = 4};
    civ_model_fit fit;
    civ_arena_reset(&e->ws.arena);
    assert_int_equal(fit_spec(e, "arima", &s, &fit), CIV_OK);
    double lev = 95, m[5], lo[5], hi[5];
    assert_int_equal(civ_model_arima.forecast(&fit, &s, 5, &lev, 1, &e->ws, m, lo, hi), CIV_OK);
    for (int j = 0; j < 5; j++)
        assert_true(m[j] == 7.0 && lo[j] == 7.0 && hi[j] == 7.0);
    /* a linear trend: the differences are constant -> drift */
    for (int t = 0; t < 20; t++)
        y[t] = 3.0 + 2.0 * t;
    s.period = 1;
    civ_arena_reset(&e->ws.arena);
    assert_int_equal(fit_spec(e, "arima", &s, &fit), CIV_OK);
    assert_int_equal(civ_model_arima.forecast(&fit, &s, 5, NULL, 0, &e->ws, m, NULL, NULL), CIV_OK);
    assert_true(fabs(m[0] - 43.0) < 1e-6);
    /* too short for the differences asked */
    civ_arena_reset(&e->ws.arena);
    s.n = 3;
    assert_int_equal(fit_spec(e, "ARIMA(0,1,0)(0,1,0)", &s, &fit), CIV_ERR_SPEC); /* no period */
    s.period = 4;
    assert_int_equal(fit_spec(e, "ARIMA(0,1,0)(0,1,0)[4]", &s, &fit), CIV_ERR_TOO_SHORT);
}

/* The O(r^2) stationary covariance used by default equals R's AS 154 (Gardner
 * et al. 1980) to rounding: the same exact log-likelihood at fixed
 * coefficients, for AR, MA, mixed and seasonal models. */
static void test_q0_matches_gardner(void **state)
{
    env *e = *state;
    fx_series *fs = fx_find(e->ss, e->ns, "AirPassengers");
    assert_non_null(fs);
    double y[144];
    for (int t = 0; t < 144; t++)
        y[t] = log(fs->y[t]);
    struct {
        civ_arima_order o;
        double c[6];
    } cases[] = {
        {{1, 0, 0, 0, 0, 0, 12}, {0.9}},
        {{2, 1, 1, 0, 0, 0, 12}, {0.5, -0.3, 0.4}},
        {{1, 1, 2, 0, 0, 0, 12}, {-0.7, 0.2, 0.5}},
        {{0, 1, 1, 0, 1, 1, 12}, {-0.4, -0.6}},
        {{1, 1, 1, 1, 1, 1, 12}, {0.3, -0.6, -0.2, -0.5}},
        {{2, 0, 0, 2, 1, 0, 12}, {0.6, 0.2, -0.5, -0.3}},
        {{3, 1, 0, 1, 0, 1, 12}, {0.2, 0.1, 0.3, 0.8, -0.3}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        civ_arena_reset(&e->ws.arena);
        civ_arima_work *w = civ_arima_work_alloc(&e->ws.arena, 144, 1, 40, 14, 0);
        civ_arima_work *wg = civ_arima_work_alloc(&e->ws.arena, 144, 1, 40, 14, 1);
        assert_non_null(w);
        assert_non_null(wg);
        civ_arima_result *r1 = civ_arima_result_alloc(&e->ws.arena, w);
        civ_arima_result *r2 = civ_arima_result_alloc(&e->ws.arena, wg);
        assert_non_null(r1);
        assert_non_null(r2);
        assert_int_equal(civ_arima_estimate(w, y, 144, NULL, 0, &cases[i].o, CIV_ARIMA_ML, cases[i].c, r1), 0);
        assert_int_equal(civ_arima_estimate(wg, y, 144, NULL, 0, &cases[i].o, CIV_ARIMA_ML, cases[i].c, r2), 0);
        assert_true(fabs(r1->loglik - r2->loglik) < 1e-7 * fabs(r2->loglik));
        for (int t = 0; t < 144; t++)
            assert_true(fabs(r1->resid[t] - r2->resid[t]) < 1e-6);
    }
}

/* The optimiser's likelihood by the Chandrasekhar recursions (O(r) per step)
 * equals the Riccati covariance filter's to rounding, for AR, MA, mixed and
 * seasonal ARMA models, short and long series (the differenced log
 * AirPassengers, which the seasonal models fit). */
static void test_chandrasekhar_matches_riccati(void **state)
{
    env *e = *state;
    fx_series *fs = fx_find(e->ss, e->ns, "AirPassengers");
    assert_non_null(fs);
    double y[144];
    for (int t = 0; t < 144; t++)
        y[t] = log(fs->y[t]);
    double dy[131]; /* (1 - B)(1 - B^12) log y */
    for (int t = 13; t < 144; t++)
        dy[t - 13] = y[t] - y[t - 1] - y[t - 12] + y[t - 13];
    struct {
        civ_arima_order o;
        double c[6];
    } cases[] = {
        {{1, 0, 0, 0, 0, 0, 12}, {0.9}},
        {{0, 0, 1, 0, 0, 0, 12}, {-0.4}},
        {{2, 0, 1, 0, 0, 0, 12}, {0.5, -0.3, 0.4}},
        {{1, 0, 2, 0, 0, 0, 12}, {-0.7, 0.2, 0.5}},
        {{0, 0, 1, 0, 0, 1, 12}, {-0.4, -0.6}},
        {{0, 0, 1, 0, 0, 1, 12}, {-0.95, -0.97}}, /* near non-invertible: slow convergence */
        {{1, 0, 1, 1, 0, 1, 12}, {0.3, -0.6, -0.2, -0.5}},
        {{2, 0, 0, 2, 0, 0, 12}, {0.6, 0.2, -0.5, -0.3}},
        {{3, 0, 0, 1, 0, 1, 12}, {0.2, 0.1, 0.3, 0.8, -0.3}},
    };
    size_t lens[] = {131, 40, 14};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        for (size_t k = 0; k < sizeof lens / sizeof *lens; k++) {
            civ_arena_reset(&e->ws.arena);
            civ_arima_work *w = civ_arima_work_alloc(&e->ws.arena, 144, 1, 40, 14, 0);
            assert_non_null(w);
            double phi[40] = {0}, theta[40] = {0};
            civ_arima_expand(&cases[i].o, cases[i].c, phi, theta);
            int p = cases[i].o.p + 12 * cases[i].o.P, q = cases[i].o.q + 12 * cases[i].o.Q;
            double ssq[2], sumlog[2];
            int nu[2];
            for (int c = 0; c < 2; c++)
                assert_int_equal(civ_arima_arma_filter(w, phi, p, theta, q, dy, lens[k], c, &ssq[c], &sumlog[c], &nu[c]),
                                 0);
            assert_int_equal(nu[0], nu[1]);
            assert_true(fabs(ssq[0] - ssq[1]) <= 1e-10 * fabs(ssq[0]));
            assert_true(fabs(sumlog[0] - sumlog[1]) <= 1e-10 * (1.0 + fabs(sumlog[0])));
        }
    /* and it is what the estimation uses: ML fits agree with Gardner's (AS 154, Riccati) to the optimiser's
     * tolerance (test_q0_matches_gardner compares fixed coefficients) */
    civ_arena_reset(&e->ws.arena);
    civ_arima_work *w = civ_arima_work_alloc(&e->ws.arena, 144, 1, 40, 14, 0);
    civ_arima_work *wg = civ_arima_work_alloc(&e->ws.arena, 144, 1, 40, 14, 1);
    assert_non_null(w);
    assert_non_null(wg);
    civ_arima_result *r1 = civ_arima_result_alloc(&e->ws.arena, w);
    civ_arima_result *r2 = civ_arima_result_alloc(&e->ws.arena, wg);
    assert_non_null(r1);
    assert_non_null(r2);
    civ_arima_order o = {0, 1, 1, 0, 1, 1, 12};
    assert_int_equal(civ_arima_estimate(w, y, 144, NULL, 0, &o, CIV_ARIMA_CSS_ML, NULL, r1), 0);
    assert_int_equal(civ_arima_estimate(wg, y, 144, NULL, 0, &o, CIV_ARIMA_CSS_ML, NULL, r2), 0);
    assert_true(fabs(r1->loglik - r2->loglik) < 1e-6 * fabs(r2->loglik));
    for (int j = 0; j < 2; j++)
        assert_true(fabs(r1->coef[j] - r2->coef[j]) < 1e-4);
}

/* reltol=X is R's optim.control reltol for every fit of the search: R's own
 * value gives the default fit bit for bit; a loose one still fits a valid
 * model (its likelihood within a small margin of the default's). */
static void test_reltol(void **state)
{
    env *e = *state;
    fx_series *fs = fx_find(e->ss, e->ns, "AirPassengers");
    assert_non_null(fs);
    civ_series s = {.id = fs->id, .y = fs->y, .n = fs->n, .period = fs->freq};
    civ_model_fit a, b, c;
    civ_arena_reset(&e->ws.arena);
    assert_int_equal(fit_spec(e, "arima", &s, &a), CIV_OK);
    assert_int_equal(fit_spec(e, "arima(reltol=1.490116119384765625e-8)", &s, &b), CIV_OK);
    assert_string_equal(a.name, b.name);
    assert_true(a.loglik == b.loglik && a.aicc == b.aicc);
    assert_int_equal(fit_spec(e, "arima(reltol=1e-3)", &s, &c), CIV_OK);
    assert_true(isfinite(c.aicc));
    assert_true(c.loglik != a.loglik || strcmp(c.name, a.name) != 0); /* the tolerance is used */
}

/* Refits (conformal intervals' calibration windows): auto.arima's orders with
 * their mean or drift, re-estimated (model_fixture.h's checks: the same fit
 * on the same series as the fixed spec naming it, the same orders on a prefix
 * and on another series); a constant series' fit has no orders to keep, so
 * its refit is the search. */
static void test_refit(void **state)
{
    env *e = *state;
    fx_series *air = fx_find(e->ss, e->ns, "AirPassengers"), *acc = fx_find(e->ss, e->ns, "USAccDeaths");
    fx_series *www = fx_find(e->ss, e->ns, "WWWusage"), *nile = fx_find(e->ss, e->ns, "Nile");
    fx_series *lynx = fx_find(e->ss, e->ns, "lynx");
    assert_non_null(air);
    assert_non_null(acc);
    assert_non_null(www);
    assert_non_null(nile);
    assert_non_null(lynx);
    mf_check_refit("arima", air->y, air->n, air->n - 12, acc->y, acc->n, 12, "", &e->ws);
    mf_check_refit("arima(reltol=1e-4)", acc->y, acc->n, acc->n - 12, air->y, air->n, 12, NULL, &e->ws);
    mf_check_refit("arima", www->y, www->n, www->n - 10, lynx->y, lynx->n, 1, "", &e->ws);

    double flat[30];
    for (int t = 0; t < 30; t++)
        flat[t] = 7.0;
    civ_model_fit like, re, own;
    assert_int_equal(mf_fit_spec("arima", flat, 30, 1, &e->ws, &like), CIV_OK);
    assert_int_equal(mf_refit_spec("arima", &like, nile->y, nile->n, 1, &e->ws, &re), CIV_OK);
    civ_series s = {.id = "s", .y = nile->y, .n = nile->n, .period = 1};
    assert_int_equal(fit_spec(e, "arima", &s, &own), CIV_OK);
    assert_string_equal(re.name, own.name);
    assert_true(re.loglik == own.loglik);
}

/* The full search (auto.arima(stepwise = FALSE)) picks R's model. */
static void test_full_search_vs_r(void **state)
{
    env *e = *state;
    const char *ids[] = {"WWWusage", "lynx", "USAccDeaths", "austres", "Nile"};
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        fx_series *fs = fx_find(e->ss, e->ns, ids[i]);
        assert_non_null(fs);
        const char *want = fx_get(e->rows, e->nr, ids[i], "arima(full)", "model");
        assert_non_null(want);
        double want_ll = fx_num(fx_get(e->rows, e->nr, ids[i], "arima(full)", "loglik"));
        civ_series s = {.id = fs->id, .y = fs->y, .n = fs->n, .period = fs->freq};
        civ_model_fit fit;
        civ_arena_reset(&e->ws.arena);
        assert_int_equal(fit_spec(e, "arima(full)", &s, &fit), CIV_OK);
        if (strcmp(fit.name, want) != 0)
            print_error("%s: %s, R %s\n", ids[i], fit.name, want);
        assert_string_equal(fit.name, want);
        assert_true(fabs(fit.loglik - want_ll) < 0.01);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_q0_matches_gardner),
        cmocka_unit_test(test_chandrasekhar_matches_riccati),
        cmocka_unit_test(test_reltol),
        cmocka_unit_test(test_fixed_orders_vs_r),
        cmocka_unit_test(test_xreg_vs_r),
        cmocka_unit_test(test_recovery),
        cmocka_unit_test(test_missing_values),
        cmocka_unit_test(test_xreg_recovery_and_future),
        cmocka_unit_test(test_constant_and_short),
        cmocka_unit_test(test_full_search_vs_r),
        cmocka_unit_test(test_refit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
