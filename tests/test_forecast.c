/*
 * test_forecast.c -- the batch driver (engine/src/forecast/driver.c) and its output
 * tables (forecast/output.c): per-series status that never stops the batch
 * (NaN, short and constant series), bit-identical results for 1, 2 and 8
 * threads for every registered model type and for a test type that draws from
 * the per-series generator, the progress callback and stopping a run from it,
 * non-negative clamping, covariates, option errors and the table layouts.
 */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <gsl/gsl_randist.h>

#include "civicast.h"
#include "forecast.h"
#include "model.h"

/* ---- a panel with awkward series -------------------------------------------- */

enum { N_GOOD = 40 };

/* Monthly panel: N_GOOD ordinary series of varied length and level, then
 * "allnan" (only NaN), "one" (a single value), "constant", "negative" (a
 * series with a negative value), "gappy" (missing values inside). */
static civ_panel *make_panel_n(size_t n_good)
{
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    double y[200];
    for (size_t s = 0; s < n_good; s++) {
        size_t n = 30 + (s * 7) % 90;
        for (size_t t = 0; t < n; t++)
            y[t] = 50.0 + 10.0 * (double)(s % 5) + 0.3 * (double)t + 8.0 * sin(0.5236 * (double)t + (double)s) +
                   3.0 * cos(1.3 * (double)(t * (s + 1)));
        char id[32];
        snprintf(id, sizeof id, "c%03zu", s);
        assert_int_equal(civ_panel_add_series(p, id, 12 * 2019 + (int64_t)(s % 12), y, n, NULL), CIV_OK);
    }
    double nan3[3] = {NAN, NAN, NAN};
    assert_int_equal(civ_panel_add_series(p, "allnan", 12 * 2020, nan3, 3, NULL), CIV_OK);
    double one[1] = {7.0};
    assert_int_equal(civ_panel_add_series(p, "one", 12 * 2020, one, 1, NULL), CIV_OK);
    double c[36];
    for (size_t t = 0; t < 36; t++)
        c[t] = 12.0;
    assert_int_equal(civ_panel_add_series(p, "constant", 12 * 2021, c, 36, NULL), CIV_OK);
    for (size_t t = 0; t < 36; t++)
        c[t] = 5.0 - 0.5 * (double)t; /* goes negative */
    assert_int_equal(civ_panel_add_series(p, "negative", 12 * 2021, c, 36, NULL), CIV_OK);
    for (size_t t = 0; t < 36; t++)
        c[t] = t % 5 == 2 ? NAN : 20.0 + (double)(t % 12);
    assert_int_equal(civ_panel_add_series(p, "gappy", 12 * 2021, c, 36, NULL), CIV_OK);
    return p;
}

static civ_panel *make_panel(void) { return make_panel_n(N_GOOD); }

/* A small version for looping over every registered family (automatic model
 * searches are slow enough to matter in a unit test). */
static civ_panel *make_small_panel(void) { return make_panel_n(4); }

static size_t series_index(const civ_panel *p, const char *id)
{
    size_t i = 0;
    assert_int_equal(civ_panel_find_series(p, id, &i), CIV_OK);
    return i;
}

static void run(const civ_panel *p, const char *model, int threads, civ_forecast_result **out)
{
    civ_forecast_options opt;
    assert_int_equal(civ_forecast_options_init(&opt), CIV_OK);
    opt.model = model;
    opt.horizon = 12;
    opt.threads = threads;
    opt.want_fitted = 1;
    civ_status s = civ_forecast_panel(p, &opt, out);
    if (s != CIV_OK)
        fail_msg("forecast %s: %s", model, civ_last_error_message());
}

/* Specs tried, in this order, for each registered type; the type's own family
 * name is the last resort.  Cheap fixed specs come first (automatic searches
 * are slow in a unit test), and for ETS one whose intervals are simulated, so
 * the generator is exercised.  A new family that accepts none of these nor
 * its family name makes the test fail, so that its author adds one here. */
static const char *const candidate_specs[] = {"ETS(M,M,N)", "ARIMA(1,1,1)", "theta", "dotm", "mean", "naive",
                                              "snaive",     "rwf",          NULL};

/* The first candidate spec that resolves to `want`, or NULL. */
static const char *spec_for(const civ_model_type *want)
{
    _Alignas(16) unsigned char config[CIV_MODEL_CONFIG_MAX];
    const civ_model_type *got = NULL;
    for (size_t c = 0; candidate_specs[c]; c++)
        if (civ_model_resolve(candidate_specs[c], &got, config) == CIV_OK && got == want)
            return candidate_specs[c];
    if (civ_model_resolve(want->family, &got, config) == CIV_OK && got == want)
        return want->family;
    return NULL;
}

/* ---- per-series status ------------------------------------------------------- */

static void test_status_per_series(void **state)
{
    (void)state;
    civ_panel *p = make_panel();
    civ_forecast_result *r = NULL;
    run(p, "naive", 2, &r);
    size_t N = civ_panel_n_series(p), h = 12;
    assert_int_equal(civ_forecast_result_n_series(r), N);
    assert_int_equal(civ_forecast_result_horizon(r), h);
    assert_int_equal(civ_forecast_result_n_levels(r), 2);
    assert_int_equal(civ_forecast_result_n_failed(r), 2);
    size_t allnan = series_index(p, "allnan"), one = series_index(p, "one");
    assert_int_equal(civ_forecast_result_status(r, allnan), CIV_ERR_TOO_SHORT);
    assert_int_equal(civ_forecast_result_status(r, one), CIV_ERR_TOO_SHORT);
    assert_non_null(strstr(civ_forecast_result_message(r, allnan), "no observed value"));
    assert_non_null(strstr(civ_forecast_result_message(r, one), "at least 2"));
    assert_string_equal(civ_forecast_result_model(r, one), "");
    assert_int_equal(civ_forecast_result_status(r, N), CIV_ERR_INVALID_ARGUMENT);
    const double *mean = civ_forecast_result_mean(r);
    const double *lo95 = civ_forecast_result_lower(r, 1), *hi95 = civ_forecast_result_upper(r, 1);
    assert_null(civ_forecast_result_lower(r, 2));
    for (size_t i = 0; i < N; i++) {
        int ok = civ_forecast_result_status(r, i) == CIV_OK;
        assert_int_equal(ok, i != allnan && i != one);
        if (ok) {
            assert_string_equal(civ_forecast_result_model(r, i), "Naive");
            assert_string_equal(civ_forecast_result_message(r, i), "");
        }
        for (size_t j = 0; j < h; j++) {
            assert_int_equal(isnan(mean[i * h + j]), !ok);
            assert_int_equal(isnan(lo95[i * h + j]), !ok);
            if (ok)
                assert_true(lo95[i * h + j] <= mean[i * h + j] && mean[i * h + j] <= hi95[i * h + j]);
        }
    }
    /* the constant series forecasts its level with zero-width intervals */
    size_t c = series_index(p, "constant");
    for (size_t j = 0; j < h; j++) {
        assert_true(mean[c * h + j] == 12.0);
        assert_true(lo95[c * h + j] == 12.0 && hi95[c * h + j] == 12.0);
    }
    /* the gappy series: last value observed (t = 35, 35 % 5 != 2) is 20 + 11 */
    size_t g = series_index(p, "gappy");
    assert_int_equal(civ_forecast_result_status(r, g), CIV_OK);
    assert_true(mean[g * h] == 31.0);

    /* every model type survives the same awkward series: the batch runs */
    civ_panel *small = make_small_panel();
    size_t small_allnan = series_index(small, "allnan");
    for (size_t k = 0; civ_model_types[k]; k++) {
        civ_forecast_result *r2 = NULL;
        const char *spec = spec_for(civ_model_types[k]);
        if (!spec)
            fail_msg("no spec in test_forecast.c resolves to family '%s': add one to candidate_specs[]",
                     civ_model_types[k]->family);
        run(small, spec, 2, &r2);
        assert_true(civ_forecast_result_n_failed(r2) >= 1); /* allnan at least */
        assert_int_equal(civ_forecast_result_status(r2, small_allnan), CIV_ERR_TOO_SHORT);
        civ_forecast_result_free(r2);
    }
    civ_panel_free(small);
    civ_forecast_result_free(r);
    civ_panel_free(p);
}

/* ---- determinism ---------------------------------------------------------------- */

/* A test model that draws from ws->rng: a naive forecast plus a random offset,
 * and intervals from simulated paths.  Any dependence on the thread (shared
 * generator, unseeded state, wrong slot) shows up as a difference. */
typedef struct noisy_state {
    double last, sd;
} noisy_state;

static civ_status noisy_parse(const char *spec, void *config)
{
    (void)config;
    return strcmp(spec, "noisy") ? CIV_ERR_NOT_FOUND : CIV_OK;
}

static civ_status noisy_fit(const void *config, const civ_model_options *o, const civ_series *s, civ_workspace *ws,
                            civ_model_fit *fit)
{
    noisy_state *st = civ_arena_alloc(&ws->arena, sizeof *st);
    st->last = NAN;
    for (size_t t = s->n; t-- > 0;)
        if (!isnan(s->y[t])) {
            st->last = s->y[t];
            break;
        }
    st->sd = 1.0 + gsl_rng_uniform(ws->rng);
    snprintf(fit->name, sizeof fit->name, "Noisy");
    fit->loglik = gsl_rng_uniform(ws->rng);
    fit->aic = fit->aicc = fit->bic = NAN;
    fit->sigma2 = st->sd * st->sd;
    fit->n = s->n;
    fit->state = st;
    fit->fitted = civ_arena_doubles(&ws->arena, s->n);
    fit->residuals = civ_arena_doubles(&ws->arena, s->n);
    for (size_t t = 0; t < s->n; t++) {
        fit->fitted[t] = st->last + gsl_ran_gaussian(ws->rng, 1.0);
        fit->residuals[t] = s->y[t] - fit->fitted[t];
    }
    return CIV_OK;
}

static civ_status noisy_simulate(const civ_model_fit *fit, const civ_series *s, size_t h, size_t n_paths,
                                 civ_workspace *ws, double *paths)
{
    const noisy_state *st = fit->state;
    for (size_t p = 0; p < n_paths; p++)
        for (size_t j = 0; j < h; j++)
            paths[p * h + j] = (j ? paths[p * h + j - 1] : st->last) + gsl_ran_gaussian_ziggurat(ws->rng, st->sd);
    return CIV_OK;
}

static civ_status noisy_forecast(const civ_model_fit *fit, const civ_series *s, size_t h, const double *levels,
                                 size_t n_levels, civ_workspace *ws, double *mean, double *lower, double *upper)
{
    const noisy_state *st = fit->state;
    enum { P = 400 };
    double *paths = civ_arena_doubles(&ws->arena, (size_t)P * h);
    noisy_simulate(fit, s, h, P, ws, paths);
    for (size_t j = 0; j < h; j++)
        mean[j] = st->last + gsl_rng_uniform(ws->rng);
    return civ_intervals_from_paths(paths, P, h, levels, n_levels, ws, lower, upper);
}

static const civ_model_type noisy_type = {
    .family = "noisy",
    .summary = "test model drawing from the generator",
    .spec_help = "noisy",
    .config_size = 1,
    .parse = noisy_parse,
    .fit = noisy_fit,
    .forecast = noisy_forecast,
    .simulate = noisy_simulate,
};

static void assert_same_results(const civ_forecast_result *a, const civ_forecast_result *b, const civ_panel *p,
                                const char *what)
{
    size_t N = civ_forecast_result_n_series(a), h = civ_forecast_result_horizon(a);
    assert_int_equal(N, civ_forecast_result_n_series(b));
    if (memcmp(civ_forecast_result_mean(a), civ_forecast_result_mean(b), N * h * sizeof(double)))
        fail_msg("%s: point forecasts differ between thread counts", what);
    for (size_t l = 0; l < civ_forecast_result_n_levels(a); l++) {
        if (memcmp(civ_forecast_result_lower(a, l), civ_forecast_result_lower(b, l), N * h * sizeof(double)) ||
            memcmp(civ_forecast_result_upper(a, l), civ_forecast_result_upper(b, l), N * h * sizeof(double)))
            fail_msg("%s: interval level %zu differs between thread counts", what, l);
    }
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(civ_forecast_result_status(a, i), civ_forecast_result_status(b, i));
        assert_string_equal(civ_forecast_result_model(a, i), civ_forecast_result_model(b, i));
        assert_string_equal(civ_forecast_result_message(a, i), civ_forecast_result_message(b, i));
    }
    /* the report (criteria, parameters, states as text) is identical too */
    civ_table *ta = NULL, *tb = NULL;
    assert_int_equal(civ_forecast_report_table(a, p, &ta), CIV_OK);
    assert_int_equal(civ_forecast_report_table(b, p, &tb), CIV_OK);
    assert_int_equal(civ_table_n_columns(ta), civ_table_n_columns(tb));
    for (size_t c = 0; c < civ_table_n_columns(ta); c++) {
        if (civ_table_column_type(ta, c) == CIV_COLUMN_NUMBER) {
            if (memcmp(civ_table_numbers(ta, c), civ_table_numbers(tb, c), N * sizeof(double)))
                fail_msg("%s: report column %s differs", what, civ_table_column_name(ta, c));
        } else {
            for (size_t i = 0; i < N; i++)
                assert_string_equal(civ_table_text(ta, i, c), civ_table_text(tb, i, c));
        }
    }
    civ_table_free(ta);
    civ_table_free(tb);
    civ_table *fa = NULL, *fb = NULL;
    assert_int_equal(civ_forecast_fitted_table(a, p, &fa), CIV_OK);
    assert_int_equal(civ_forecast_fitted_table(b, p, &fb), CIV_OK);
    size_t col;
    assert_int_equal(civ_table_find_column(fa, "fitted", &col), CIV_OK);
    if (memcmp(civ_table_numbers(fa, col), civ_table_numbers(fb, col), civ_table_n_rows(fa) * sizeof(double)))
        fail_msg("%s: fitted values differ between thread counts", what);
    civ_table_free(fa);
    civ_table_free(fb);
}

static void determinism_for(const civ_panel *p, const civ_model_type *type, const void *config, const char *what)
{
    static const int threads[] = {1, 2, 8};
    civ_forecast_result *r[3] = {NULL, NULL, NULL};
    for (size_t k = 0; k < 3; k++) {
        civ_forecast_options opt;
        civ_forecast_options_init(&opt);
        opt.horizon = 9;
        opt.threads = threads[k];
        opt.want_fitted = 1;
        opt.n_paths = 500;
        civ_status s = civ_forecast_panel_with_type(p, &opt, type, config, &r[k]);
        if (s)
            fail_msg("%s with %d threads: %s", what, threads[k], civ_last_error_message());
    }
    assert_same_results(r[0], r[1], p, what);
    assert_same_results(r[0], r[2], p, what);
    for (size_t k = 0; k < 3; k++)
        civ_forecast_result_free(r[k]);
}

static void test_determinism(void **state)
{
    (void)state;
    civ_panel *p = make_panel();
    /* the generator-drawing test type: the strongest check of per-series seeding */
    unsigned char cfg[1] = {0};
    determinism_for(p, &noisy_type, cfg, "noisy");

    /* ... and two seeds give different draws (the seed is used) */
    civ_forecast_options opt;
    civ_forecast_options_init(&opt);
    opt.horizon = 4;
    opt.threads = 2;
    civ_forecast_result *a = NULL, *b = NULL;
    assert_int_equal(civ_forecast_panel_with_type(p, &opt, &noisy_type, cfg, &a), CIV_OK);
    opt.seed = 7;
    assert_int_equal(civ_forecast_panel_with_type(p, &opt, &noisy_type, cfg, &b), CIV_OK);
    assert_true(memcmp(civ_forecast_result_mean(a), civ_forecast_result_mean(b), 4 * sizeof(double)) != 0);
    civ_forecast_result_free(a);
    civ_forecast_result_free(b);

    /* every registered family, through the registry */
    civ_panel *small = make_small_panel();
    for (size_t k = 0; civ_model_types[k]; k++) {
        const civ_model_type *want = civ_model_types[k];
        _Alignas(16) unsigned char config[CIV_MODEL_CONFIG_MAX];
        const civ_model_type *got = NULL;
        const char *spec = NULL;
        for (size_t c = 0; !spec && candidate_specs[c]; c++)
            if (civ_model_resolve(candidate_specs[c], &got, config) == CIV_OK && got == want)
                spec = candidate_specs[c];
        if (!spec && civ_model_resolve(want->family, &got, config) == CIV_OK && got == want)
            spec = want->family;
        if (!spec)
            fail_msg("no spec in test_forecast.c resolves to model family '%s' (%s): add one to candidate_specs[]",
                     want->family, want->spec_help);
        assert_int_equal(civ_model_resolve(spec, &got, config), CIV_OK);
        determinism_for(small, got, config, spec);
    }
    civ_panel_free(small);
    civ_panel_free(p);
}

static void test_series_seed(void **state)
{
    (void)state;
    /* distinct across seeds and ids, stable for the same pair */
    assert_true(civ_forecast_series_seed(1, "a") != civ_forecast_series_seed(0, "a"));
    assert_true(civ_forecast_series_seed(5, "a") != civ_forecast_series_seed(5, "b"));
    assert_true(civ_forecast_series_seed(5, "社区-3") == civ_forecast_series_seed(5, "社区-3"));
    /* SplitMix64 reference: the first output for state 0 is 0xE220A8397B1DCDAF
     * (the step adds golden to the state first); with id "" (FNV-1a = its
     * offset basis) that state is reached from seed = -basis * golden */
    uint64_t fnv_empty = UINT64_C(14695981039346656037);
    uint64_t seed0 = (uint64_t)0 - fnv_empty * UINT64_C(0x9E3779B97F4A7C15);
    assert_true(civ_forecast_series_seed(seed0, "") == UINT64_C(0xE220A8397B1DCDAF));
}

/* ---- progress ------------------------------------------------------------------- */

typedef struct progress_log {
    size_t calls, last_done, total;
    int monotone, wrong_thread;
    pthread_t caller;
} progress_log;

static int on_progress(size_t done, size_t total, void *user)
{
    progress_log *log = user;
    if (done < log->last_done)
        log->monotone = 0;
    if (!pthread_equal(pthread_self(), log->caller))
        log->wrong_thread = 1;
    log->calls++;
    log->last_done = done;
    log->total = total;
    return 0;
}

static void test_progress(void **state)
{
    (void)state;
    civ_panel *p = make_panel();
    progress_log log = {.monotone = 1, .caller = pthread_self()};
    civ_forecast_options opt;
    civ_forecast_options_init(&opt);
    opt.model = "snaive";
    opt.threads = 4;
    opt.progress = on_progress;
    opt.progress_user = &log;
    civ_forecast_result *r = NULL;
    assert_int_equal(civ_forecast_panel(p, &opt, &r), CIV_OK);
    assert_true(log.calls >= 1);
    assert_true(log.calls <= civ_panel_n_series(p) + 1);
    assert_int_equal(log.last_done, civ_panel_n_series(p));
    assert_int_equal(log.total, civ_panel_n_series(p));
    assert_true(log.monotone);
    assert_false(log.wrong_thread);
    /* h = 0 means R's default: 2 seasons for monthly data */
    assert_int_equal(civ_forecast_result_horizon(r), 24);
    civ_forecast_result_free(r);
    civ_panel_free(p);
}

/* ---- non-negative forecasts --------------------------------------------------- */

/* ---- stopping a run from the progress callback ------------------------------------ */

/* Answers "stop" from call number stop_at on (1-based; 0: never), or, with
 * at_end, only to the last call (done == total). */
typedef struct stopper {
    size_t stop_at, calls, calls_after_stop, done_at_stop, previous_done;
    int at_end, stopped, restart_seen, stop_on_restart;
} stopper;

static int stop_when_asked(size_t done, size_t total, void *user)
{
    stopper *s = user;
    s->calls++;
    if (s->stopped)
        s->calls_after_stop++;
    if (done < s->previous_done)
        s->restart_seen = 1; /* the conformal calibration's own bar */
    s->previous_done = done;
    int stop = s->at_end ? done == total
                         : (s->stop_at && s->calls >= s->stop_at) || (s->stop_on_restart && s->restart_seen);
    if (stop && !s->stopped) {
        s->stopped = 1;
        s->done_at_stop = done;
    }
    return stop;
}

/* The noisy model, a millisecond per fit: every thread of a team gets its
 * share of the series (without it, one thread may fit them all before the
 * team's thread 0 reports once). */
static civ_status slow_fit(const void *config, const civ_model_options *o, const civ_series *s, civ_workspace *ws,
                           civ_model_fit *fit)
{
    nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
    return noisy_fit(config, o, s, ws, fit);
}

static const civ_model_type slow_type = {
    .family = "slow",
    .summary = "test model that takes a millisecond",
    .spec_help = "slow",
    .config_size = 1,
    .parse = noisy_parse,
    .fit = slow_fit,
    .forecast = noisy_forecast,
    .simulate = noisy_simulate,
};

/* The D of the CIV_ERR_CANCELLED message "... after D of N <units>; ...". */
static size_t stopped_after(size_t total, const char *units)
{
    const civ_error *e = civ_last_error();
    assert_int_equal(e->status, CIV_ERR_CANCELLED);
    char want[128];
    snprintf(want, sizeof want, " of %zu %s; nothing was kept", total, units);
    if (!strstr(e->message, want))
        fail_msg("message '%s' lacks '%s'", e->message, want);
    size_t d = 0;
    assert_int_equal(sscanf(e->message, "stopped by the progress callback after %zu", &d), 1);
    return d;
}

static void test_progress_stop(void **state)
{
    (void)state;
    civ_panel *p = make_panel_n(300);
    size_t N = civ_panel_n_series(p);
    for (int threads = 1; threads <= 4; threads += 3) {
        stopper st = {.stop_at = 2};
        civ_forecast_options opt;
        civ_forecast_options_init(&opt);
        opt.threads = threads;
        opt.progress = stop_when_asked;
        opt.progress_user = &st;
        civ_forecast_result *r = NULL;
        char config = 0;
        assert_int_equal(civ_forecast_panel_with_type(p, &opt, &slow_type, &config, &r), CIV_ERR_CANCELLED);
        assert_null(r);
        size_t d = stopped_after(N, "series");
        /* no series starts after the stop: only those in flight finish */
        assert_true(d >= st.done_at_stop && d <= st.done_at_stop + (size_t)threads - 1);
        assert_true(d < N);
        assert_int_equal(st.calls_after_stop, 0); /* no "done" call for a stopped run */
    }
    /* "stop" to the last call comes too late: the run is complete and kept */
    civ_forecast_options opt;
    civ_forecast_options_init(&opt);
    opt.model = "snaive";
    opt.threads = 2;
    civ_forecast_result *plain = NULL, *r = NULL;
    assert_int_equal(civ_forecast_panel(p, &opt, &plain), CIV_OK);
    stopper st = {.at_end = 1};
    opt.progress = stop_when_asked;
    opt.progress_user = &st;
    assert_int_equal(civ_forecast_panel(p, &opt, &r), CIV_OK);
    assert_true(st.stopped);
    size_t cells = N * civ_forecast_result_horizon(r);
    assert_memory_equal(civ_forecast_result_mean(r), civ_forecast_result_mean(plain), cells * sizeof(double));
    assert_memory_equal(civ_forecast_result_upper(r, 1), civ_forecast_result_upper(plain, 1), cells * sizeof(double));
    civ_forecast_result_free(r);
    civ_forecast_result_free(plain);
    civ_panel_free(p);
}

/* Conformal intervals: a stop during the calibration backtest (the bar that
 * restarts) stops the run too. */
static void test_progress_stop_conformal(void **state)
{
    (void)state;
    civ_panel *p = make_panel_n(120);
    stopper st = {.stop_on_restart = 1};
    civ_forecast_options opt;
    civ_forecast_options_init(&opt);
    opt.model = "snaive";
    opt.threads = 1; /* thread 0 reports every series (N < 200): the restart is seen */
    opt.horizon = 6;
    opt.intervals = CIV_INTERVALS_CONFORMAL;
    opt.progress = stop_when_asked;
    opt.progress_user = &st;
    civ_forecast_result *r = NULL;
    assert_int_equal(civ_forecast_panel(p, &opt, &r), CIV_ERR_CANCELLED);
    assert_null(r);
    assert_true(st.restart_seen);
    size_t total = 0, d = 0;
    assert_int_equal(sscanf(civ_last_error_message(), "stopped by the progress callback after %zu of %zu backtest",
                            &d, &total), 2);
    assert_true(d < total);
    civ_panel_free(p);
}

typedef struct chunk_count {
    size_t chunks, series;
} chunk_count;

static civ_status count_chunk(const civ_forecast_result *chunk, void *user)
{
    chunk_count *c = user;
    c->chunks++;
    c->series += civ_forecast_result_n_series(chunk);
    return CIV_OK;
}

/* Chunks: the chunks before the stop were delivered, the stopped one is not. */
static void test_progress_stop_chunks(void **state)
{
    (void)state;
    civ_panel *p = make_panel_n(300);
    stopper st = {.stop_at = 40}; /* one thread reports every 3 series: done = 120 at the latest */
    civ_forecast_options opt;
    civ_forecast_options_init(&opt);
    opt.model = "snaive";
    opt.threads = 1;
    opt.progress = stop_when_asked;
    opt.progress_user = &st;
    chunk_count c = {0};
    assert_int_equal(civ_forecast_panel_chunks(p, &opt, 50, count_chunk, &c), CIV_ERR_CANCELLED);
    size_t d = stopped_after(civ_panel_n_series(p), "series");
    assert_int_equal(d, st.done_at_stop);
    assert_int_equal(c.chunks, d / 50); /* every complete chunk before the stop, not the stopped one */
    assert_int_equal(c.series, 50 * c.chunks);
    civ_panel_free(p);
}

static void test_nonnegative(void **state)
{
    (void)state;
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_YEARLY, &p), CIV_OK);
    const double falling[] = {10, 8, 7, 5, 2, 1};            /* drift -1.8 a year */
    const double negative[] = {10, 8, 7, 5, 2, -1};           /* has a negative value */
    assert_int_equal(civ_panel_add_series(p, "falling", 2000, falling, 6, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "negative", 2000, negative, 6, NULL), CIV_OK);
    civ_forecast_options opt;
    civ_forecast_options_init(&opt);
    opt.model = "rwf";
    opt.horizon = 5;
    civ_forecast_result *autor = NULL, *off = NULL, *on = NULL;
    assert_int_equal(civ_forecast_panel(p, &opt, &autor), CIV_OK); /* default: auto */
    opt.nonnegative = 0;
    assert_int_equal(civ_forecast_panel(p, &opt, &off), CIV_OK);
    opt.nonnegative = 1;
    assert_int_equal(civ_forecast_panel(p, &opt, &on), CIV_OK);
    const double *ma = civ_forecast_result_mean(autor), *mo = civ_forecast_result_mean(off),
                 *mn = civ_forecast_result_mean(on);
    size_t h = 5;
    int some_negative = 0;
    for (size_t j = 0; j < h; j++) {
        /* falling: auto clamps, off does not */
        assert_true(ma[j] == fmax(0.0, mo[j]));
        some_negative |= mo[j] < 0.0;
        for (size_t l = 0; l < 2; l++) {
            assert_true(civ_forecast_result_lower(autor, l)[j] == fmax(0.0, civ_forecast_result_lower(off, l)[j]));
            assert_true(civ_forecast_result_upper(autor, l)[j] == fmax(0.0, civ_forecast_result_upper(off, l)[j]));
            assert_true(civ_forecast_result_lower(autor, l)[j] >= 0.0);
        }
        /* negative: auto leaves it alone, on clamps */
        assert_true(ma[h + j] == mo[h + j]);
        assert_true(mn[h + j] == fmax(0.0, mo[h + j]));
    }
    assert_true(some_negative);
    assert_true(mo[h + h - 1] < 0.0);
    civ_forecast_result_free(autor);
    civ_forecast_result_free(off);
    civ_forecast_result_free(on);
    civ_panel_free(p);
}

/* ---- covariates ------------------------------------------------------------------ */

static void test_covariates(void **state)
{
    (void)state;
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    double y[24], x[36];
    for (size_t t = 0; t < 24; t++)
        y[t] = 100.0 + (double)t;
    for (size_t t = 0; t < 36; t++)
        x[t] = 0.1 * (double)t;
    size_t k, a, b, c;
    assert_int_equal(civ_panel_add_series(p, "full", 12 * 2020, y, 24, &a), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "short", 12 * 2020, y, 24, &b), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "hole", 12 * 2020, y, 24, &c), CIV_OK);
    assert_int_equal(civ_panel_add_covariate(p, "aged60", &k), CIV_OK);
    assert_int_equal(civ_panel_set_covariate(p, a, k, x, 36), CIV_OK);
    assert_int_equal(civ_panel_set_covariate(p, b, k, x, 26), CIV_OK); /* future for h = 1, 2 only */
    x[24 + 4] = NAN;                                                    /* h = 5 missing */
    assert_int_equal(civ_panel_set_covariate(p, c, k, x, 36), CIV_OK);

    const char *names[] = {"aged60"};
    civ_forecast_options opt;
    civ_forecast_options_init(&opt);
    opt.model = "naive";
    opt.horizon = 12;
    opt.xreg = names;
    opt.n_xreg = 1;
    civ_forecast_result *r = NULL;
    assert_int_equal(civ_forecast_panel(p, &opt, &r), CIV_OK);
    assert_int_equal(civ_forecast_result_status(r, a), CIV_OK);
    assert_int_equal(civ_forecast_result_status(r, b), CIV_ERR_NOT_FOUND);
    assert_string_equal(civ_forecast_result_message(r, b),
                        "covariate 'aged60' has no future values for h=3..12 (field 'aged60')");
    assert_int_equal(civ_forecast_result_status(r, c), CIV_ERR_NOT_FOUND);
    assert_non_null(strstr(civ_forecast_result_message(r, c), "no future value for h=5"));
    assert_int_equal(civ_forecast_result_n_failed(r), 2);
    civ_forecast_result_free(r);

    /* without xreg the covariates are not looked at */
    opt.n_xreg = 0;
    assert_int_equal(civ_forecast_panel(p, &opt, &r), CIV_OK);
    assert_int_equal(civ_forecast_result_n_failed(r), 0);
    civ_forecast_result_free(r);

    /* a covariate the panel lacks stops the call */
    const char *bad[] = {"migrants"};
    opt.xreg = bad;
    opt.n_xreg = 1;
    r = NULL;
    assert_int_equal(civ_forecast_panel(p, &opt, &r), CIV_ERR_NOT_FOUND);
    assert_null(r);
    assert_string_equal(civ_last_error()->field, "migrants");
    civ_panel_free(p);
}

/* A covariate missing in an observed period makes that period missing for
 * the regression, as in R's Arima (docs/FORECASTING.md "Covariates"): the
 * series is fitted; with fixed orders as if its y were missing there. The
 * reference values are R 4.2.2, forecast 8.20 (x[10] <- NA, 1-based):
 * Arima(ts(y, frequency = 12), order = c(1, 0, 0), xreg = x[1:36]) and
 * auto.arima(ts(y, frequency = 12), xreg = x[1:36]), forecast(fit, xreg = x[37:42]). */
static void test_covariate_gap_in_history(void **state)
{
    (void)state;
    static const double r_fixed[6] = {204.3716351499, 209.2455255557, 213.4025052612,
                                      215.6052919196, 216.0926859298, 216.0147177100};
    static const double r_auto[6] = {204.3871447891, 205.4546476513, 209.2274972132,
                                     218.2815461570, 217.4716172014, 217.2015287310};
    static const double r_auto_hi95[6] = {208.3236133318, 209.3911161940, 213.1639657560,
                                          222.2180146997, 221.4080857441, 221.1379972738};
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    double y[36], y_gap[36], x[42], x_gap[42];
    for (size_t t = 0; t < 42; t++)
        x[t] = x_gap[t] = 50.0 + 2.0 * (double)t + 3.0 * sin(0.7 * (double)t);
    for (size_t t = 0; t < 36; t++)
        y[t] = y_gap[t] = 20.0 + 1.5 * x[t] + 4.0 * sin(1.3 * (double)t) + 2.0 * cos(0.4 * (double)t * (double)t);
    x_gap[9] = NAN;
    y_gap[9] = NAN;
    size_t a, b, k;
    assert_int_equal(civ_panel_add_series(p, "covariate_gap", 12 * 2020, y, 36, &a), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "y_gap", 12 * 2020, y_gap, 36, &b), CIV_OK);
    assert_int_equal(civ_panel_add_covariate(p, "aged60", &k), CIV_OK);
    assert_int_equal(civ_panel_set_covariate(p, a, k, x_gap, 42), CIV_OK);
    assert_int_equal(civ_panel_set_covariate(p, b, k, x, 42), CIV_OK);
    const char *names[] = {"aged60"};
    civ_forecast_options opt;
    civ_forecast_options_init(&opt);
    opt.horizon = 6;
    opt.xreg = names;
    opt.n_xreg = 1;
    opt.model = "ARIMA(1,0,0)";
    civ_forecast_result *r = NULL;
    assert_int_equal(civ_forecast_panel(p, &opt, &r), CIV_OK);
    assert_int_equal(civ_forecast_result_status(r, a), CIV_OK);
    const double *mean = civ_forecast_result_mean(r);
    for (size_t j = 0; j < 6; j++) {
        assert_float_equal(mean[j], r_fixed[j], 1e-6 * r_fixed[j]);
        assert_float_equal(mean[j], mean[6 + j], 1e-6 * r_fixed[j]); /* as if y were missing */
    }
    civ_forecast_result_free(r);
    opt.model = "arima"; /* the search sees the two gaps differently, as R's does */
    assert_int_equal(civ_forecast_panel(p, &opt, &r), CIV_OK);
    assert_string_equal(civ_forecast_result_model(r, a), "Regression with ARIMA(0,0,0)(1,0,0)[12] errors");
    mean = civ_forecast_result_mean(r);
    for (size_t j = 0; j < 6; j++) {
        assert_float_equal(mean[j], r_auto[j], 1e-6 * r_auto[j]);
        assert_float_equal(civ_forecast_result_upper(r, 1)[j], r_auto_hi95[j], 1e-6 * r_auto_hi95[j]);
    }
    civ_forecast_result_free(r);
    civ_panel_free(p);
}

/* ---- option errors --------------------------------------------------------------- */

static void test_bad_options(void **state)
{
    (void)state;
    civ_panel *p = make_panel();
    civ_forecast_result *r = NULL;
    civ_forecast_options opt;
    civ_forecast_options_init(&opt);
    opt.model = "naive";
    double lv[2] = {80.0, 100.0};
    opt.levels = lv;
    assert_int_equal(civ_forecast_panel(p, &opt, &r), CIV_ERR_INVALID_ARGUMENT);
    assert_string_equal(civ_last_error()->field, "levels");
    lv[1] = 80.0;
    assert_int_equal(civ_forecast_panel(p, &opt, &r), CIV_ERR_INVALID_ARGUMENT);
    lv[1] = 0.0;
    assert_int_equal(civ_forecast_panel(p, &opt, &r), CIV_ERR_INVALID_ARGUMENT);
    lv[1] = NAN;
    assert_int_equal(civ_forecast_panel(p, &opt, &r), CIV_ERR_INVALID_ARGUMENT);
    civ_forecast_options_init(&opt);
    opt.model = "naive";
    opt.threads = -1;
    assert_int_equal(civ_forecast_panel(p, &opt, &r), CIV_ERR_INVALID_ARGUMENT);
    opt.threads = 0;
    opt.criterion = 9;
    assert_int_equal(civ_forecast_panel(p, &opt, &r), CIV_ERR_INVALID_ARGUMENT);
    opt.criterion = CIV_CRITERION_BIC;
    opt.model = "no-such-model";
    assert_int_equal(civ_forecast_panel(p, &opt, &r), CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error()->message, "no-such-model"));
    assert_null(r);
    assert_int_equal(civ_forecast_panel(NULL, &opt, &r), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_forecast_options_init(NULL), CIV_ERR_INVALID_ARGUMENT);
    /* zero levels: point forecasts only */
    civ_forecast_options_init(&opt);
    opt.model = "mean";
    opt.n_levels = 0;
    opt.horizon = 2;
    assert_int_equal(civ_forecast_panel(p, &opt, &r), CIV_OK);
    assert_int_equal(civ_forecast_result_n_levels(r), 0);
    civ_table *t = NULL;
    assert_int_equal(civ_forecast_result_table(r, p, &t), CIV_OK);
    assert_int_equal(civ_table_n_columns(t), 5);
    civ_table_free(t);
    /* without want_fitted there is no fitted table */
    assert_int_equal(civ_forecast_fitted_table(r, p, &t), CIV_ERR_INVALID_ARGUMENT);
    civ_forecast_result_free(r);
    civ_forecast_result_free(NULL);
    civ_panel_free(p);
}

/* An unknown spec's message names every family and where their specs are listed, whole: it listed every
 * family's specs, over 1,000 bytes, and was cut at the message's 511 bytes mid-word ("ETS(E,T,S[,options])
 * wit"), the later families (arima, croston, ...) never named; a near miss says what it likely meant. */
static void test_unknown_model_message(void **state)
{
    (void)state;
    char cfg[CIV_MODEL_CONFIG_MAX];
    const civ_model_type *type = NULL;
    assert_int_equal(civ_model_resolve("etsx", &type, cfg), CIV_ERR_SPEC);
    const char *m = civ_last_error()->message;
    assert_string_equal(civ_last_error()->field, "model");
    assert_non_null(strstr(m, "unknown model 'etsx' (did you mean 'ets'?)"));
    for (size_t i = 0; civ_model_types[i]; i++)
        assert_non_null(strstr(m, civ_model_types[i]->family));
    assert_non_null(strstr(m, "--list-models, Python civicast.model_families())"));
    assert_true(strlen(m) < sizeof civ_last_error()->message - 1);
    assert_int_equal(civ_model_resolve("arma", &type, cfg), CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error()->message, "(did you mean 'arima'?)"));
    assert_int_equal(civ_model_resolve("nonsense", &type, cfg), CIV_ERR_SPEC);
    assert_null(strstr(civ_last_error()->message, "did you mean"));
}

/* ---- tables ---------------------------------------------------------------------- */

/* A series with no observed value (a wide sheet's empty row, a community whose cells were all empty) keeps its
 * empty forecast rows, dated after the panel's end with the others' (before 2026-12-07 from its own first row:
 * 2024-01 and 2024-02 here, in the past); a series that ends early is forecast from its own end, as before. */
static void test_empty_series_dates(void **state)
{
    (void)state;
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    double y[6] = {5, 6, 7, 8, 9, 10}, nan3[3] = {NAN, NAN, NAN};
    assert_int_equal(civ_panel_add_series(p, "A", 12 * 2024, y, 6, NULL), CIV_OK);     /* 2024-01 .. 2024-06 */
    assert_int_equal(civ_panel_add_series(p, "B", 12 * 2024, NULL, 0, NULL), CIV_OK);  /* no row with a value */
    assert_int_equal(civ_panel_add_series(p, "C", 12 * 2024 + 1, nan3, 3, NULL), CIV_OK); /* empty cells */
    assert_int_equal(civ_panel_add_series(p, "D", 12 * 2024, y, 3, NULL), CIV_OK);     /* ends 2024-03 */
    civ_forecast_options opt;
    assert_int_equal(civ_forecast_options_init(&opt), CIV_OK);
    opt.model = "naive";
    opt.horizon = 2;
    civ_forecast_result *r = NULL;
    assert_int_equal(civ_forecast_panel(p, &opt, &r), CIV_OK);
    civ_table *t = NULL;
    assert_int_equal(civ_forecast_result_table(r, p, &t), CIV_OK);
    static const char *const want[] = {"2024-07", "2024-08", "2024-07", "2024-08",
                                       "2024-07", "2024-08", "2024-04", "2024-05"};
    for (size_t row = 0; row < 8; row++)
        assert_string_equal(civ_table_text(t, row, 1), want[row]);
    assert_true(isnan(civ_table_number(t, 2, 4)));
    civ_table_free(t);
    const civ_forecast_result *rs[] = {r};
    const char *specs[] = {"naive"};
    for (int wide = 0; wide <= 1; wide++) {
        assert_int_equal(civ_forecast_multi_table(rs, specs, 1, p, wide, &t), CIV_OK);
        for (size_t row = 0; row < 8; row++)
            assert_string_equal(civ_table_text(t, row, 1), want[row]);
        civ_table_free(t);
    }
    civ_forecast_result_free(r);
    civ_panel_free(p);
}

static void test_tables(void **state)
{
    (void)state;
    civ_panel *p = make_panel();
    civ_forecast_options opt;
    civ_forecast_options_init(&opt);
    opt.model = "rwf";
    opt.horizon = 3;
    double lv[2] = {97.5, 80.0};
    opt.levels = lv;
    opt.want_fitted = 1;
    civ_forecast_result *r = NULL;
    assert_int_equal(civ_forecast_panel(p, &opt, &r), CIV_OK);
    size_t N = civ_panel_n_series(p);

    civ_table *t = NULL;
    assert_int_equal(civ_forecast_result_table(r, p, &t), CIV_OK);
    static const char *const cols[] = {"unique_id", "ds", "h", "model", "mean", "lo-97.5", "hi-97.5", "lo-80", "hi-80"};
    assert_int_equal(civ_table_n_columns(t), 9);
    for (size_t c = 0; c < 9; c++)
        assert_string_equal(civ_table_column_name(t, c), cols[c]);
    assert_int_equal(civ_table_n_rows(t), N * 3);
    /* c000 starts 2019-01 with 30 values: last 2021-06, forecasts 2021-07.. */
    assert_string_equal(civ_table_text(t, 0, 0), "c000");
    assert_string_equal(civ_table_text(t, 0, 1), "2021-07");
    assert_string_equal(civ_table_text(t, 2, 1), "2021-09");
    assert_true(civ_table_number(t, 2, 2) == 3.0);
    assert_string_equal(civ_table_text(t, 0, 3), "Drift");
    assert_true(civ_table_number(t, 1, 4) == civ_forecast_result_mean(r)[1]);
    assert_true(civ_table_number(t, 1, 5) == civ_forecast_result_lower(r, 0)[1]);
    assert_true(civ_table_number(t, 1, 8) == civ_forecast_result_upper(r, 1)[1]);
    size_t one = series_index(p, "one");
    assert_string_equal(civ_table_text(t, one * 3, 3), "");
    assert_true(isnan(civ_table_number(t, one * 3, 4)));
    civ_table_free(t);

    assert_int_equal(civ_forecast_report_table(r, p, &t), CIV_OK);
    assert_int_equal(civ_table_n_rows(t), N);
    size_t c_status, c_drift, c_msg, c_aic, c_states;
    assert_int_equal(civ_table_find_column(t, "status", &c_status), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "drift", &c_drift), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "message", &c_msg), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "aicc", &c_aic), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "initial_states", &c_states), CIV_OK);
    assert_string_equal(civ_table_text(t, 0, c_status), "CIV_OK");
    assert_string_equal(civ_table_text(t, one, c_status), "CIV_ERR_TOO_SHORT");
    assert_true(strlen(civ_table_text(t, one, c_msg)) > 0);
    assert_true(isnan(civ_table_number(t, one, c_drift)));
    size_t cst = series_index(p, "constant");
    assert_true(civ_table_number(t, cst, c_drift) == 0.0);
    civ_table_free(t);

    assert_int_equal(civ_forecast_fitted_table(r, p, &t), CIV_OK);
    const size_t *offsets;
    const double *values;
    civ_panel_values(p, &values, &offsets);
    assert_int_equal(civ_table_n_rows(t), offsets[N]);
    assert_string_equal(civ_table_text(t, 0, 1), "2019-01");
    assert_true(isnan(civ_table_number(t, 0, 3))); /* no fitted value for the first period */
    assert_true(civ_table_number(t, 5, 2) == values[5]);
    assert_true(fabs(civ_table_number(t, 5, 4) - (values[5] - civ_table_number(t, 5, 3))) < 1e-12);
    civ_table_free(t);

    /* a panel of another size is refused */
    civ_panel *other = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &other), CIV_OK);
    assert_int_equal(civ_forecast_result_table(r, other, &t), CIV_ERR_INVALID_ARGUMENT);
    /* an empty panel forecasts nothing, successfully */
    civ_forecast_result *empty = NULL;
    assert_int_equal(civ_forecast_panel(other, &opt, &empty), CIV_OK);
    assert_int_equal(civ_forecast_result_n_series(empty), 0);
    assert_int_equal(civ_forecast_result_table(empty, other, &t), CIV_OK);
    assert_int_equal(civ_table_n_rows(t), 0);
    civ_table_free(t);
    assert_int_equal(civ_forecast_report_table(empty, other, &t), CIV_OK);
    civ_table_free(t);
    civ_forecast_result_free(empty);
    civ_panel_free(other);

    /* written through civ_table_write and read back */
    assert_int_equal(civ_forecast_result_table(r, p, &t), CIV_OK);
    char path[] = "test_forecast_out.csv";
    assert_int_equal(civ_table_write(t, path), CIV_OK);
    civ_table *back = NULL;
    assert_int_equal(civ_table_read(path, NULL, &back), CIV_OK);
    assert_int_equal(civ_table_n_rows(back), civ_table_n_rows(t));
    size_t c_lo;
    assert_int_equal(civ_table_find_column(back, "lo-97.5", &c_lo), CIV_OK);
    assert_true(civ_table_number(back, 4, c_lo) == civ_table_number(t, 4, 5));
    remove(path);
    civ_table_free(back);
    civ_table_free(t);
    civ_forecast_result_free(r);
    civ_panel_free(p);
}

/* ---- non-finite values from a model ------------------------------------------ */

/* "perfect" fits with an infinite log-likelihood (sigma2 = 0); series whose
 * last value is negative get an infinite interval bound. */
static civ_status perfect_parse(const char *spec, void *config)
{
    (void)config;
    return strcmp(spec, "perfect") ? CIV_ERR_NOT_FOUND : CIV_OK;
}

static civ_status perfect_fit(const void *config, const civ_model_options *o, const civ_series *s,
                              civ_workspace *ws, civ_model_fit *fit)
{
    snprintf(fit->name, sizeof fit->name, "Perfect");
    fit->loglik = INFINITY;
    fit->aic = fit->aicc = fit->bic = -INFINITY;
    fit->sigma2 = 0.0;
    fit->n = s->n;
    fit->state = (void *)&s->y[s->n - 1];
    return CIV_OK;
}

static civ_status perfect_forecast(const civ_model_fit *fit, const civ_series *s, size_t h, const double *levels,
                                   size_t n_levels, civ_workspace *ws, double *mean, double *lower, double *upper)
{
    double last = *(const double *)fit->state;
    for (size_t j = 0; j < h; j++) {
        mean[j] = fabs(last);
        for (size_t l = 0; l < n_levels; l++) {
            lower[l * h + j] = last < 0 ? -INFINITY : fabs(last);
            upper[l * h + j] = fabs(last);
        }
    }
    return CIV_OK;
}

static const civ_model_type perfect_type = {
    .family = "perfect",
    .summary = "test model with infinite statistics",
    .spec_help = "perfect",
    .config_size = 1,
    .parse = perfect_parse,
    .fit = perfect_fit,
    .forecast = perfect_forecast,
};

static void test_nonfinite(void **state)
{
    (void)state;
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_YEARLY, &p), CIV_OK);
    const double up[] = {1, 2, 3}, down[] = {1, 0, -3};
    assert_int_equal(civ_panel_add_series(p, "up", 2000, up, 3, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "down", 2000, down, 3, NULL), CIV_OK);
    civ_forecast_options opt;
    civ_forecast_options_init(&opt);
    opt.horizon = 2;
    unsigned char cfg[1] = {0};
    civ_forecast_result *r = NULL;
    assert_int_equal(civ_forecast_panel_with_type(p, &opt, &perfect_type, cfg, &r), CIV_OK);
    assert_int_equal(civ_forecast_result_status(r, 0), CIV_OK);
    assert_int_equal(civ_forecast_result_status(r, 1), CIV_ERR_NUMERIC);
    assert_non_null(strstr(civ_forecast_result_message(r, 1), "infinite interval bound"));
    civ_table *t = NULL;
    assert_int_equal(civ_forecast_report_table(r, p, &t), CIV_OK);
    size_t c;
    assert_int_equal(civ_table_find_column(t, "loglik", &c), CIV_OK);
    assert_true(isnan(civ_table_number(t, 0, c)));
    assert_int_equal(civ_table_find_column(t, "sigma2", &c), CIV_OK);
    assert_true(civ_table_number(t, 0, c) == 0.0);
    assert_int_equal(civ_table_write(t, "test_forecast_report.csv"), CIV_OK);
    remove("test_forecast_report.csv");
    civ_table_free(t);
    civ_forecast_result_free(r);
    civ_panel_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_per_series),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_series_seed),
        cmocka_unit_test(test_progress),
        cmocka_unit_test(test_progress_stop),
        cmocka_unit_test(test_progress_stop_conformal),
        cmocka_unit_test(test_progress_stop_chunks),
        cmocka_unit_test(test_nonnegative),
        cmocka_unit_test(test_covariates),
        cmocka_unit_test(test_covariate_gap_in_history),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_unknown_model_message),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_empty_series_dates),
        cmocka_unit_test(test_nonfinite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
