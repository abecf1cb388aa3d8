/*
 * model_fixture.h -- the fixtures of the model unit tests: a workspace with
 * its Mersenne Twister rng (alone, or in a cmocka state with room for one
 * model config and fit), a fit of any registered spec, and the readers of
 * the R reference files ("v1;v2;NA;..." value lists, a relative tolerance).
 * Before this header test_combination.c and test_theta.c, and
 * test_baselines.c, test_intermittent.c and test_ets.c carried copies.
 * Header-only (static inline functions, like arima_fixture_util.h); test
 * code, not part of the library.  Include it after <cmocka.h>: the helpers
 * fail the running test where a test cannot go on without them.
 */
#ifndef CIV_MODEL_FIXTURE_H
#define CIV_MODEL_FIXTURE_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_rng.h>

#include "civicast.h"
#include "model.h"

/* Clears *ws and gives it a fresh gsl_rng_mt19937 (GSL's default seed; set
 * another with gsl_rng_set).  Fails the test when the rng cannot be made.
 * mf_workspace_free releases it. */
static inline void mf_workspace_init(civ_workspace *ws)
{
    memset(ws, 0, sizeof *ws);
    ws->rng = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(ws->rng);
}

/* Frees the arena and the rng of a workspace from mf_workspace_init (not ws
 * itself, which the caller owns). */
static inline void mf_workspace_free(civ_workspace *ws)
{
    civ_arena_free(&ws->arena);
    gsl_rng_free(ws->rng);
}

/* The state of a model test: a workspace with its rng, and room for one
 * parsed config and its fit (for tests that drive one model type directly). */
typedef struct model_fixture {
    civ_workspace ws;
    unsigned char config[CIV_MODEL_CONFIG_MAX];
    civ_model_fit fit;
} model_fixture;

/* cmocka setup: a zeroed model_fixture (calloc) with a fresh
 * gsl_rng_mt19937 in *state.  Returns 0, or -1 when out of memory.
 * mf_teardown frees it. */
static inline int mf_setup(void **state)
{
    model_fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    f->ws.rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!f->ws.rng) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

/* cmocka teardown: frees the model_fixture of mf_setup, its arena and rng. */
static inline int mf_teardown(void **state)
{
    model_fixture *f = *state;
    civ_arena_free(&f->ws.arena);
    gsl_rng_free(f->ws.rng);
    free(f);
    return 0;
}

/* Resolves spec through the registry (civ_model_resolve must succeed, or the
 * test fails) and fits it to the series y[0..n) of the given period (id "s")
 * on ws, its arena reset first, with default options.  Sets fit->type to the
 * resolved type and returns the fit's status; the fit's arrays live in ws's
 * arena (valid until its next reset). */
static inline civ_status mf_fit_spec(const char *spec, const double *y, size_t n, int period, civ_workspace *ws,
                                     civ_model_fit *fit)
{
    const civ_model_type *type;
    _Alignas(16) unsigned char config[CIV_MODEL_CONFIG_MAX];
    assert_int_equal(civ_model_resolve(spec, &type, config), CIV_OK);
    civ_series s = {.id = "s", .y = y, .n = n, .period = period};
    memset(fit, 0, sizeof *fit);
    civ_arena_reset(&ws->arena);
    civ_model_options mo = {0};
    civ_status st = type->fit(config, &mo, &s, ws, fit);
    fit->type = type;
    return st;
}

/* Refits spec with the structure of `like` (a fit of the same spec, still in
 * ws's arena, which is not reset) to y[0..n) of the given period (id "s"):
 * type->refit, or type->fit for a family without a search.  Returns the
 * status; the fit lives in ws's arena. */
static inline civ_status mf_refit_spec(const char *spec, const civ_model_fit *like, const double *y, size_t n,
                                       int period, civ_workspace *ws, civ_model_fit *fit)
{
    const civ_model_type *type;
    _Alignas(16) unsigned char config[CIV_MODEL_CONFIG_MAX];
    assert_int_equal(civ_model_resolve(spec, &type, config), CIV_OK);
    civ_series s = {.id = "s", .y = y, .n = n, .period = period};
    memset(fit, 0, sizeof *fit);
    civ_model_options mo = {0};
    civ_status st = type->refit ? type->refit(like, config, &mo, &s, ws, fit) : type->fit(config, &mo, &s, ws, fit);
    fit->type = type;
    return st;
}

/* Forecasts 12 steps of fit (levels 80, 95) into mean[12], lower[24],
 * upper[24], the rng reseeded first (simulated intervals compare). */
static inline void mf_forecast12(const civ_model_fit *fit, const double *y, size_t n, int period, civ_workspace *ws,
                                 double *mean, double *lower, double *upper)
{
    static const double levels[2] = {80, 95};
    civ_series s = {.id = "s", .y = y, .n = n, .period = period};
    gsl_rng_set(ws->rng, 42);
    assert_int_equal(fit->type->forecast(fit, &s, 12, levels, 2, ws, mean, lower, upper), CIV_OK);
}

/* What a refit (model.h) promises, for a spec whose family searches: with
 * like = spec fitted to a[0..n) (arena reset first),
 * (1) like refitted to a itself is like again: the same name, forecasts and
 *     bounds bit for bit (and, with fixed_spec, the same as the fixed spec
 *     that names like's structure, e.g. "ETS(M,A,M)"; "" for like's name);
 * (2) refitted to a's first n_prefix values it keeps like's structure (name);
 * (3) refitted to b[0..nb), whose own fit is another model, it takes like's
 *     structure.
 * Fails the test otherwise. */
static inline void mf_check_refit(const char *spec, const double *a, size_t n, size_t n_prefix, const double *b,
                                  size_t nb, int period, const char *fixed_spec, civ_workspace *ws)
{
    civ_model_fit like, re, other;
    assert_int_equal(mf_fit_spec(spec, a, n, period, ws, &like), CIV_OK);
    double m1[12], lo1[24], hi1[24], m2[12], lo2[24], hi2[24];
    mf_forecast12(&like, a, n, period, ws, m1, lo1, hi1);
    assert_int_equal(mf_refit_spec(spec, &like, a, n, period, ws, &re), CIV_OK);
    assert_string_equal(re.name, like.name);
    mf_forecast12(&re, a, n, period, ws, m2, lo2, hi2);
    assert_memory_equal(m1, m2, sizeof m1);
    assert_memory_equal(lo1, lo2, sizeof lo1);
    assert_memory_equal(hi1, hi2, sizeof hi1);
    if (fixed_spec) {
        const civ_model_type *type;
        _Alignas(16) unsigned char config[CIV_MODEL_CONFIG_MAX];
        assert_int_equal(civ_model_resolve(*fixed_spec ? fixed_spec : like.name, &type, config), CIV_OK);
        civ_series s = {.id = "s", .y = a, .n = n, .period = period};
        civ_model_options mo = {0};
        memset(&other, 0, sizeof other);
        assert_int_equal(type->fit(config, &mo, &s, ws, &other), CIV_OK);
        other.type = type;
        assert_string_equal(other.name, like.name);
        mf_forecast12(&other, a, n, period, ws, m2, lo2, hi2);
        assert_memory_equal(m1, m2, sizeof m1);
        assert_memory_equal(hi1, hi2, sizeof hi1);
    }
    assert_int_equal(mf_refit_spec(spec, &like, a, n_prefix, period, ws, &re), CIV_OK);
    assert_string_equal(re.name, like.name);
    /* b's own model (its fit from an arena reset, then like again) differs */
    char own[sizeof other.name];
    assert_int_equal(mf_fit_spec(spec, b, nb, period, ws, &other), CIV_OK);
    memcpy(own, other.name, sizeof own);
    assert_int_equal(mf_fit_spec(spec, a, n, period, ws, &like), CIV_OK);
    assert_string_not_equal(own, like.name);
    assert_int_equal(mf_refit_spec(spec, &like, b, nb, period, ws, &re), CIV_OK);
    assert_string_equal(re.name, like.name);
}

/* Reads a reference value list "1.5;NA;2" (NA = NaN) into out[0..max);
 * returns the count.  Stops at the end of text (which may be NULL), at max,
 * or after a field that is not a number (read as 0). */
static inline size_t mf_parse_vec(const char *text, double *out, size_t max)
{
    size_t n = 0;
    const char *p = text;
    while (p && *p && n < max) {
        if (!strncmp(p, "NA", 2)) {
            out[n++] = NAN;
            p += 2;
        } else {
            char *end;
            out[n++] = strtod(p, &end);
            if (end == p)
                break;
            p = end;
        }
        if (*p == ';')
            p++;
    }
    return n;
}

/* |a - b| <= tol * max(1, |b|), NaN only against NaN. */
static inline int mf_close_to(double a, double b, double tol)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return fabs(a - b) <= tol * fmax(1.0, fabs(b));
}

#endif
