/*
 * test_combination.c -- unit tests of the forecast combination
 * (models/combination.c): spec parsing and resolution; the combined point
 * forecasts and bounds equal the mean / median of the components' forecasts
 * computed independently through the registry's type objects; a component
 * that cannot be fitted is dropped (and the name says so); a series no
 * component can take fails, and so does one with a single observed value;
 * auto's short-history floor (the naive method's widths below 16 values); determinism for a fixed seed; combinations of
 * named members (combo(median,ets,arima,theta,damped,dotm)) equal the mean /
 * median of those members computed alone; refits keep the members, their
 * structures and auto's route.
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
#include "combination.h"
#include "intermittent.h"
#include "model.h"
#include "model_fixture.h"

#define H 18
#define NLEV 2
static const double levels[NLEV] = {80.0, 95.0};
static const char *const component_specs[3] = {"ets(maxit=500)", "arima(reltol=1e-4)", "theta"};
/* the members with the option fast (auto(fast), combo(mean,fast)): ARIMA searches by CSS */
static const char *const fast_specs[3] = {"ets(maxit=500)", "arima(approx)", "theta"};

/* A positive monthly series with trend, seasonality and noise (multiplicative
 * ETS models are eligible, so ETS may draw simulated intervals from the rng). */
static void seasonal_series(double *y, size_t n, unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    for (size_t t = 0; t < n; t++)
        y[t] = 200.0 + 1.5 * (double)t + 30.0 * sin(2.0 * M_PI * (double)t / 12.0) + gsl_ran_gaussian(r, 8.0);
    gsl_rng_free(r);
}

typedef struct forecasts {
    double mean[H], lower[NLEV * H], upper[NLEV * H];
    char name[128];
} forecasts;

/* Fits and forecasts spec through civ_model_resolve on a freshly reset workspace. */
static civ_status run_spec(model_fixture *f, const char *spec, const civ_series *s, forecasts *out)
{
    unsigned char config[CIV_MODEL_CONFIG_MAX];
    const civ_model_type *type = NULL;
    assert_int_equal(civ_model_resolve(spec, &type, config), CIV_OK);
    civ_arena_reset(&f->ws.arena);
    gsl_rng_set(f->ws.rng, 42);
    civ_model_fit fit;
    memset(&fit, 0, sizeof fit);
    fit.type = type;
    civ_status st = type->fit(config, NULL, s, &f->ws, &fit);
    if (st != CIV_OK)
        return st;
    snprintf(out->name, sizeof out->name, "%s", fit.name);
    return type->forecast(&fit, s, H, levels, NLEV, &f->ws, out->mean, out->lower, out->upper);
}

/* The components computed independently, in the combination's order (ETS,
 * ARIMA, Theta) on one workspace seeded as run_spec seeds it: all fits first,
 * then all forecasts, so any simulated intervals see the same random stream.
 * ok[c] says whether component c could be fitted. */
static void run_components(model_fixture *f, const civ_series *s, const char *const specs[3], forecasts comp[3],
                           int ok[3])
{
    unsigned char config[3][CIV_MODEL_CONFIG_MAX];
    const civ_model_type *type[3];
    civ_model_fit fit[3];
    civ_arena_reset(&f->ws.arena);
    gsl_rng_set(f->ws.rng, 42);
    for (int c = 0; c < 3; c++) {
        assert_int_equal(civ_model_resolve(specs[c], &type[c], config[c]), CIV_OK);
        memset(&fit[c], 0, sizeof fit[c]);
        fit[c].type = type[c];
        ok[c] = type[c]->fit(config[c], NULL, s, &f->ws, &fit[c]) == CIV_OK;
        if (ok[c])
            snprintf(comp[c].name, sizeof comp[c].name, "%s", fit[c].name);
    }
    for (int c = 0; c < 3; c++)
        if (ok[c])
            assert_int_equal(type[c]->forecast(&fit[c], s, H, levels, NLEV, &f->ws, comp[c].mean, comp[c].lower,
                                               comp[c].upper),
                             CIV_OK);
}

static double mean3(const double *v, int k)
{
    double s = 0;
    for (int c = 0; c < k; c++)
        s += v[c];
    return s / k;
}

static double median3(const double *v, int k)
{
    if (k < 3)
        return mean3(v, k);
    double a = v[0], b = v[1], c = v[2];
    return fmax(fmin(a, b), fmin(fmax(a, b), c));
}

static void assert_close(double got, double want)
{
    assert_true(isfinite(got));
    assert_true(fabs(got - want) <= 1e-10 * (1.0 + fabs(want)));
}

/* The k members (specs) computed independently as run_components does. */
static void run_members(model_fixture *f, const civ_series *s, const char *const *specs, int k, forecasts *comp,
                        int *ok)
{
    unsigned char config[8][CIV_MODEL_CONFIG_MAX];
    const civ_model_type *type[8];
    civ_model_fit fit[8];
    assert_true(k <= 8);
    civ_arena_reset(&f->ws.arena);
    gsl_rng_set(f->ws.rng, 42);
    for (int c = 0; c < k; c++) {
        assert_int_equal(civ_model_resolve(specs[c], &type[c], config[c]), CIV_OK);
        memset(&fit[c], 0, sizeof fit[c]);
        fit[c].type = type[c];
        ok[c] = type[c]->fit(config[c], NULL, s, &f->ws, &fit[c]) == CIV_OK;
        if (ok[c])
            snprintf(comp[c].name, sizeof comp[c].name, "%s", fit[c].name);
    }
    for (int c = 0; c < k; c++)
        if (ok[c])
            assert_int_equal(type[c]->forecast(&fit[c], s, H, levels, NLEV, &f->ws, comp[c].mean, comp[c].lower,
                                               comp[c].upper),
                             CIV_OK);
}

/* Mean, or median (the mean of the middle two when k is even), of v[0..k). */
static double combined(const double *v, int k, int median)
{
    double w[8];
    memcpy(w, v, (size_t)k * sizeof *w);
    for (int i = 0; i < k; i++) /* selection sort, independent of the library's insertion sort */
        for (int j = i + 1; j < k; j++)
            if (w[j] < w[i]) {
                double t = w[i];
                w[i] = w[j];
                w[j] = t;
            }
    if (!median)
        return mean3(w, k);
    return k % 2 ? w[k / 2] : 0.5 * (w[k / 2 - 1] + w[k / 2]);
}

/* spec combines the k members specs[] by mean or median: checked value by value. */
static void check_members(model_fixture *f, const civ_series *s, const char *spec, int median, const char *const *specs,
                          int k)
{
    forecasts comp[8], combo;
    int ok[8];
    run_members(f, s, specs, k, comp, ok);
    for (int c = 0; c < k; c++)
        assert_true(ok[c]);
    assert_int_equal(run_spec(f, spec, s, &combo), CIV_OK);
    double v[8];
    for (size_t j = 0; j < H; j++) {
        for (int c = 0; c < k; c++)
            v[c] = comp[c].mean[j];
        assert_close(combo.mean[j], combined(v, k, median));
    }
    for (size_t j = 0; j < NLEV * H; j++) {
        for (int c = 0; c < k; c++)
            v[c] = comp[c].lower[j];
        assert_close(combo.lower[j], combined(v, k, median));
        for (int c = 0; c < k; c++)
            v[c] = comp[c].upper[j];
        assert_close(combo.upper[j], combined(v, k, median));
    }
    assert_int_equal(strncmp(combo.name, median ? "ComboMedian[" : "Combo[", median ? 12 : 6), 0);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_parse(void **state)
{
    (void)state;
    unsigned char config[CIV_MODEL_CONFIG_MAX];
    const civ_model_type *type = NULL;
    const char *good[] = {"combo",         "COMBO",      "combo(mean)",      " Combo ( Median ) ",
                          "combo(median)", "combo(fast)", "combo(mean,fast)", "Combo(Median, Fast)"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        memset(config, 0, sizeof config);
        assert_int_equal(civ_model_combination.parse(good[i], config), CIV_OK);
        assert_int_equal(civ_model_resolve(good[i], &type, config), CIV_OK);
        assert_ptr_equal(type, &civ_model_combination);
    }
    /* not ours: left to the other families, without an error */
    assert_int_equal(civ_model_combination.parse("ets", config), CIV_ERR_NOT_FOUND);
    assert_int_equal(civ_model_combination.parse("theta", config), CIV_ERR_NOT_FOUND);
    /* ours but malformed */
    assert_int_equal(civ_model_combination.parse("combo(max)", config), CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error_message(), "combo(median)"));
    assert_int_equal(civ_model_resolve("combo(", &type, config), CIV_ERR_SPEC);
    /* "auto" and "auto(fast)" are auto.c's (combo(median,[fast,]ets,arima,theta,damped,dotm)
     * for smooth series, TSB for intermittent ones), not the combination's */
    assert_int_equal(civ_model_combination.parse("auto", config), CIV_ERR_NOT_FOUND);
    assert_int_equal(civ_model_combination.parse("auto(fast)", config), CIV_ERR_NOT_FOUND);
    assert_int_equal(civ_model_resolve("auto", &type, config), CIV_OK);
    assert_ptr_equal(type, &civ_model_auto);
    assert_int_equal(civ_model_resolve(" Auto ( Fast ) ", &type, config), CIV_OK);
    assert_ptr_equal(type, &civ_model_auto);
    assert_int_equal(civ_model_resolve("auto(exact)", &type, config), CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error_message(), "auto(fast)"));
    const char *auto_good[] = {"auto(nofloor)", "auto(fast,nofloor)", " AUTO ( NoFloor , Fast ) "};
    for (size_t i = 0; i < sizeof auto_good / sizeof *auto_good; i++) {
        assert_int_equal(civ_model_resolve(auto_good[i], &type, config), CIV_OK);
        assert_ptr_equal(type, &civ_model_auto);
    }
    const char *auto_bad[] = {"auto()", "auto(fast,fast)", "auto(nofloor,nofloor)", "auto(fast,)", "auto(fast",
                              "auto(,fast)", "auto(floor)"};
    for (size_t i = 0; i < sizeof auto_bad / sizeof *auto_bad; i++) {
        assert_int_equal(civ_model_resolve(auto_bad[i], &type, config), CIV_ERR_SPEC);
        assert_non_null(strstr(civ_last_error_message(), "auto(nofloor)"));
    }
    assert_int_equal(civ_model_combination.parse("combo(median,fast,fast)", config), CIV_ERR_SPEC);
    assert_int_equal(civ_model_combination.parse("combo(max,fast)", config), CIV_ERR_SPEC);
    /* named members */
    const char *members_good[] = {"combo(median,ets,arima,theta,damped,dotm)", "combo(mean, ets, dotm)",
                                  "combo(ets,theta)", "COMBO(Median,Fast,ETS,ARIMA,DSTM,AutoTheta)"};
    for (size_t i = 0; i < sizeof members_good / sizeof *members_good; i++) {
        assert_int_equal(civ_model_resolve(members_good[i], &type, config), CIV_OK);
        assert_ptr_equal(type, &civ_model_combination);
    }
    const char *members_bad[] = {"combo(median,ets)",       "combo(median,ets,ets)", "combo(median,ets,foo)",
                                 "combo(median,,ets,theta)", "combo(mean,median,ets,theta)",
                                 "combo(ets,arima,theta,damped,dotm,dstm,autotheta,ets)", "combo(median",
                                 "combo(median,fast,ets,theta)"};
    for (size_t i = 0; i < sizeof members_bad / sizeof *members_bad; i++) {
        assert_int_equal(civ_model_resolve(members_bad[i], &type, config), CIV_ERR_SPEC);
        assert_non_null(strstr(civ_last_error_message(), members_bad[i]));
    }
    /* the registry resolves the components to other families */
    for (int c = 0; c < 3; c++) {
        assert_int_equal(civ_model_resolve(component_specs[c], &type, config), CIV_OK);
        assert_ptr_not_equal(type, &civ_model_combination);
    }
}

/* spec: the combination (NULL: combo(median) or combo); specs: its members */
static void check_combination_spec(model_fixture *f, const civ_series *s, int median, const char *spec,
                                   const char *const specs[3])
{
    forecasts comp[3], combo;
    int ok[3];
    run_components(f, s, specs, comp, ok);
    assert_true(ok[0] && ok[1] && ok[2]);
    assert_int_equal(run_spec(f, spec ? spec : median ? "combo(median)" : "combo", s, &combo), CIV_OK);
    double v[3];
    for (size_t j = 0; j < H; j++) {
        for (int c = 0; c < 3; c++)
            v[c] = comp[c].mean[j];
        assert_close(combo.mean[j], median ? median3(v, 3) : mean3(v, 3));
    }
    for (size_t j = 0; j < NLEV * H; j++) {
        for (int c = 0; c < 3; c++)
            v[c] = comp[c].lower[j];
        assert_close(combo.lower[j], median ? median3(v, 3) : mean3(v, 3));
        for (int c = 0; c < 3; c++)
            v[c] = comp[c].upper[j];
        assert_close(combo.upper[j], median ? median3(v, 3) : mean3(v, 3));
        assert_true(combo.lower[j] <= combo.upper[j]);
    }
    /* the name lists the components' models in order */
    char want[512];
    snprintf(want, sizeof want, "%s[%s,%s,%s]", median ? "ComboMedian" : "Combo", comp[0].name, comp[1].name,
             comp[2].name);
    if (strlen(want) < sizeof combo.name)
        assert_string_equal(combo.name, want);
    else
        assert_string_equal(combo.name, median ? "ComboMedian[ETS,ARIMA,Theta]" : "Combo[ETS,ARIMA,Theta]");
}

static void check_combination(model_fixture *f, const civ_series *s, int median)
{
    check_combination_spec(f, s, median, NULL, component_specs);
}

static void test_mean_of_components(void **state)
{
    model_fixture *f = *state;
    double y[72];
    seasonal_series(y, 72, 7);
    civ_series s = {.id = "seasonal", .y = y, .n = 72, .period = 12};
    check_combination(f, &s, 0);
    /* a yearly-like series without season */
    double z[30];
    for (size_t t = 0; t < 30; t++)
        z[t] = 50.0 + 2.0 * (double)t + 5.0 * sin((double)t * 1.3);
    civ_series s2 = {.id = "trend", .y = z, .n = 30, .period = 1};
    check_combination(f, &s2, 0);
}

static void test_median_of_components(void **state)
{
    model_fixture *f = *state;
    double y[72];
    seasonal_series(y, 72, 11);
    civ_series s = {.id = "seasonal", .y = y, .n = 72, .period = 12};
    check_combination(f, &s, 1);
}

/* The option fast: the ARIMA member is arima(approx) (CSS search); on some
 * series that search picks another model (so the option is not a no-op).
 * "auto" on a smooth series is the median of ets, arima, theta, damped ETS and
 * DOTM (auto.c), "auto(fast)" the same with the fast ARIMA member. */
static void test_fast_option(void **state)
{
    model_fixture *f = *state;
    double y[72];
    seasonal_series(y, 72, 11);
    civ_series s = {.id = "seasonal", .y = y, .n = 72, .period = 12};
    check_combination_spec(f, &s, 1, "combo(median, fast)", fast_specs);
    check_combination_spec(f, &s, 0, "combo(mean,fast)", fast_specs);
    const char *const five[] = {component_specs[0], component_specs[1], "theta", "ETS(Z,Z,Z,damped=true,maxit=500)",
                                "dotm"};
    const char *const five_fast[] = {fast_specs[0], fast_specs[1], "theta", "ETS(Z,Z,Z,damped=true,maxit=500)", "dotm"};
    check_members(f, &s, "auto", 1, five, 5);
    check_members(f, &s, "auto(fast)", 1, five_fast, 5);
    /* the option is not a no-op: among a few such series the two searches pick different models */
    int differ = 0;
    for (unsigned long seed = 1; seed <= 30 && !differ; seed++) {
        forecasts dflt, fast;
        seasonal_series(y, 72, seed);
        assert_int_equal(run_spec(f, "auto", &s, &dflt), CIV_OK);
        assert_int_equal(run_spec(f, "auto(fast)", &s, &fast), CIV_OK);
        differ = strcmp(dflt.name, fast.name) != 0;
    }
    assert_true(differ);
}

/* Named members: the mean / median (of 4: the middle two's mean) of exactly those members. */
static void test_named_members(void **state)
{
    model_fixture *f = *state;
    double y[72];
    seasonal_series(y, 72, 13);
    civ_series s = {.id = "seasonal", .y = y, .n = 72, .period = 12};
    /* the ets and arima members as the combination configures them (component_specs) */
    const char *const five[] = {component_specs[0], component_specs[1], "theta", "ETS(Z,Z,Z,damped=true,maxit=500)", "dotm"};
    check_members(f, &s, "combo(median,ets,arima,theta,damped,dotm)", 1, five, 5);
    check_members(f, &s, "combo(mean,ets,arima,theta,damped,dotm)", 0, five, 5);
    const char *const four[] = {component_specs[0], "ETS(Z,Z,Z,damped=true,maxit=500)", "theta", "dstm"};
    check_members(f, &s, "combo(median,ets,damped,theta,dstm)", 1, four, 4);
    /* the default members, named: the same as combo(median) */
    check_members(f, &s, "combo(median,ets,arima,theta)", 1, component_specs, 3);
    forecasts a, b;
    assert_int_equal(run_spec(f, "combo(median,ets,arima,theta)", &s, &a), CIV_OK);
    assert_int_equal(run_spec(f, "combo(median)", &s, &b), CIV_OK);
    assert_memory_equal(a.mean, b.mean, sizeof a.mean);
    assert_string_equal(a.name, b.name);
}

/* One observation: ETS and Theta need two, ARIMA fits a mean model. */
/* Two values: DOTM cannot take them, ETS and Theta can; the combination is
 * the mean of the two that fitted, and its name lists only them. */
static void test_failing_component_dropped(void **state)
{
    model_fixture *f = *state;
    double y[2] = {5.0, 7.0};
    civ_series s = {.id = "short", .y = y, .n = 2, .period = 1};
    static const char *const specs[3] = {"ets(maxit=500)", "dotm", "theta"};
    forecasts comp[3], combo;
    int ok[3];
    run_components(f, &s, specs, comp, ok);
    assert_true(ok[0]);
    assert_false(ok[1]);
    assert_true(ok[2]);
    assert_int_equal(run_spec(f, "combo(mean,ets,dotm,theta)", &s, &combo), CIV_OK);
    char want[2 * sizeof comp[0].name + 16];
    snprintf(want, sizeof want, "Combo[%s,%s]", comp[0].name, comp[2].name);
    assert_string_equal(combo.name, want);
    for (size_t j = 0; j < H; j++)
        assert_close(combo.mean[j], (comp[0].mean[j] + comp[2].mean[j]) / 2);
    for (size_t j = 0; j < NLEV * H; j++) {
        assert_close(combo.lower[j], (comp[0].lower[j] + comp[2].lower[j]) / 2);
        assert_close(combo.upper[j], (comp[0].upper[j] + comp[2].upper[j]) / 2);
    }
    assert_null(strstr(combo.name, "DOTM"));
}

/* One observed value: only ARIMA would fit it, with sigma^2 = 0 and zero-wide
 * intervals; the combination, and auto through it, refuse the series instead,
 * saying why. */
static void test_one_observed_value_refused(void **state)
{
    model_fixture *f = *state;
    double y[3] = {NAN, 5.0, NAN};
    civ_series s = {.id = "one", .y = y, .n = 3, .period = 1};
    static const char *const specs[] = {"combo", "combo(median,ets,arima,theta,damped,dotm)", "auto"};
    for (size_t k = 0; k < sizeof specs / sizeof *specs; k++) {
        forecasts out;
        assert_int_equal(run_spec(f, specs[k], &s, &out), CIV_ERR_TOO_SHORT);
        assert_non_null(strstr(civ_last_error_message(), "at least 2 observed values, the series has 1"));
    }
    /* ARIMA alone keeps R's answer (parity): a fit, with zero-wide intervals */
    double one[1] = {5.0};
    civ_series s1 = {.id = "one", .y = one, .n = 1, .period = 1};
    forecasts arima;
    assert_int_equal(run_spec(f, "arima", &s1, &arima), CIV_OK);
    assert_true(arima.upper[0] - arima.lower[0] == 0.0);
}

/* auto's short-history floor: below 16 observed values each bound is at least
 * as far from auto's point forecast as the naive method's (and at least as far
 * as auto(nofloor)'s); from 16 values on, auto is auto(nofloor). */
static void test_auto_short_history_floor(void **state)
{
    model_fixture *f = *state;
    double y[16];
    seasonal_series(y, 16, 7);
    for (size_t n = 3; n <= 16; n += 13) { /* 3 values: floored; 16: untouched */
        civ_series s = {.id = "short", .y = y, .n = n, .period = 12};
        forecasts a, raw, naive;
        assert_int_equal(run_spec(f, "auto", &s, &a), CIV_OK);
        assert_int_equal(run_spec(f, "auto(nofloor)", &s, &raw), CIV_OK);
        assert_int_equal(run_spec(f, "naive", &s, &naive), CIV_OK);
        assert_string_equal(a.name, raw.name);
        int widened = 0;
        for (size_t j = 0; j < H; j++) {
            assert_true(a.mean[j] == raw.mean[j]);
            for (size_t l = 0; l < NLEV; l++) {
                size_t k = l * H + j;
                double lo = fmin(raw.lower[k], a.mean[j] - (naive.mean[j] - naive.lower[k]));
                double hi = fmax(raw.upper[k], a.mean[j] + (naive.upper[k] - naive.mean[j]));
                if (n < 16) {
                    assert_close(a.lower[k], lo);
                    assert_close(a.upper[k], hi);
                    widened += a.upper[k] - a.lower[k] > raw.upper[k] - raw.lower[k] + 1e-9;
                } else {
                    assert_true(a.lower[k] == raw.lower[k] && a.upper[k] == raw.upper[k]);
                }
            }
        }
        if (n < 16)
            assert_true(widened > 0); /* the floor bites on 3 values: the test is not vacuous */
    }
}

/* Nothing observed: refused before any component is tried.  Two values that
 * neither DOTM nor DSTM can take: every component fails, so does the
 * combination, with a message quoting the components. */
static void test_all_components_fail(void **state)
{
    model_fixture *f = *state;
    double y[3] = {NAN, NAN, NAN};
    civ_series s = {.id = "empty", .y = y, .n = 3, .period = 1};
    forecasts combo;
    assert_int_equal(run_spec(f, "combo", &s, &combo), CIV_ERR_TOO_SHORT);
    assert_non_null(strstr(civ_last_error_message(), "the series has 0"));
    double two[2] = {5.0, 7.0};
    civ_series s2 = {.id = "two", .y = two, .n = 2, .period = 1};
    civ_status st = run_spec(f, "combo(mean,dotm,dstm)", &s2, &combo);
    assert_int_not_equal(st, CIV_OK);
    assert_non_null(strstr(civ_last_error_message(), "no component could be fitted"));
    assert_non_null(strstr(civ_last_error_message(), "DOTM: "));
    assert_non_null(strstr(civ_last_error_message(), "DSTM: "));
}

/* Refits (conformal intervals' calibration windows): the members that were
 * combined, each with its own structure (model_fixture.h's checks, for the
 * combination and auto); a member dropped from like stays out even where it
 * would fit; auto keeps like's route (TSB for an intermittent like). */
static void test_refit(void **state)
{
    model_fixture *f = *state;
    double a[72], b[72];
    seasonal_series(a, 72, 5);
    for (size_t t = 0; t < 72; t++)
        b[t] = 80.0 + 4.0 * sin((double)t * 2.3) + 3.0 * cos((double)t * 0.7);
    mf_check_refit("combo(median)", a, 72, 60, b, 72, 12, NULL, &f->ws);
    mf_check_refit("auto", a, 72, 60, b, 72, 12, NULL, &f->ws);

    civ_model_fit like, re;
    const double two[2] = {5.0, 7.0};
    assert_int_equal(mf_fit_spec("combo(mean,ets,dotm,theta)", two, 2, 1, &f->ws, &like), CIV_OK);
    assert_null(strstr(like.name, "DOTM"));
    assert_int_equal(mf_refit_spec("combo(mean,ets,dotm,theta)", &like, b, 40, 1, &f->ws, &re), CIV_OK);
    assert_null(strstr(re.name, "DOTM"));
    assert_int_equal(mf_fit_spec("combo(mean,ets,dotm,theta)", b, 40, 1, &f->ws, &like), CIV_OK);
    assert_non_null(strstr(like.name, "DOTM")); /* DOTM fits b itself */

    double sparse[48];
    for (size_t t = 0; t < 48; t++)
        sparse[t] = t % 5 == 0 ? 3.0 + (double)(t % 3) : 0.0;
    assert_int_equal(mf_fit_spec("auto", sparse, 48, 12, &f->ws, &like), CIV_OK);
    assert_int_equal(mf_refit_spec("auto", &like, b, 48, 12, &f->ws, &re), CIV_OK);
    assert_string_equal(re.name, like.name);
    assert_null(strstr(re.name, "Combo"));
}

static void test_deterministic(void **state)
{
    model_fixture *f = *state;
    double y[60];
    seasonal_series(y, 60, 3);
    /* multiplicative-looking: amplitude grows with the level */
    for (size_t t = 0; t < 60; t++)
        y[t] *= 1.0 + 0.02 * (double)t;
    civ_series s = {.id = "det", .y = y, .n = 60, .period = 12};
    forecasts a, b;
    assert_int_equal(run_spec(f, "combo", &s, &a), CIV_OK);
    assert_int_equal(run_spec(f, "combo", &s, &b), CIV_OK);
    assert_memory_equal(a.mean, b.mean, sizeof a.mean);
    assert_memory_equal(a.lower, b.lower, sizeof a.lower);
    assert_memory_equal(a.upper, b.upper, sizeof a.upper);
    assert_string_equal(a.name, b.name);
}

/* Through the public batch API: the fit name reaches the result. */
static void test_through_driver(void **state)
{
    (void)state;
    double y[48];
    seasonal_series(y, 48, 5);
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "a", 2000 * 12, y, 48, NULL), CIV_OK);
    civ_forecast_options opt;
    civ_forecast_options_init(&opt);
    opt.model = "combo(median)";
    opt.horizon = 6;
    opt.threads = 1;
    civ_forecast_result *r = NULL;
    assert_int_equal(civ_forecast_panel(p, &opt, &r), CIV_OK);
    assert_int_equal(civ_forecast_result_status(r, 0), CIV_OK);
    const double *m = civ_forecast_result_mean(r);
    for (size_t j = 0; j < 6; j++)
        assert_true(isfinite(m[j]) && m[j] > 0);
    assert_int_equal(strncmp(civ_forecast_result_model(r, 0), "ComboMedian[", 12), 0);
    civ_forecast_result_free(r);
    civ_panel_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test_setup_teardown(test_mean_of_components, mf_setup, mf_teardown),
        cmocka_unit_test_setup_teardown(test_median_of_components, mf_setup, mf_teardown),
        cmocka_unit_test_setup_teardown(test_fast_option, mf_setup, mf_teardown),
        cmocka_unit_test_setup_teardown(test_named_members, mf_setup, mf_teardown),
        cmocka_unit_test_setup_teardown(test_failing_component_dropped, mf_setup, mf_teardown),
        cmocka_unit_test_setup_teardown(test_one_observed_value_refused, mf_setup, mf_teardown),
        cmocka_unit_test_setup_teardown(test_auto_short_history_floor, mf_setup, mf_teardown),
        cmocka_unit_test_setup_teardown(test_all_components_fail, mf_setup, mf_teardown),
        cmocka_unit_test_setup_teardown(test_deterministic, mf_setup, mf_teardown),
        cmocka_unit_test_setup_teardown(test_refit, mf_setup, mf_teardown),
        cmocka_unit_test(test_through_driver),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
