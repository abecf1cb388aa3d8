/*
 * backtest.c -- layer: forecast.  Rolling-origin backtests (statsforecast's
 * cross_validation): several model specs, each fitted to K windows of every
 * series, in parallel over model x series x window tasks; the windows'
 * forecasts as a table.  The accuracy measures are in accuracy.c, the
 * conformal intervals that reuse these windows in conformal.c.
 *
 * Determinism: a task writes only its own slots, its arena is reset and its
 * generator reseeded from (seed, series id) before it runs, exactly as the
 * batch driver does for a whole series, so the results are bit-identical for
 * any thread count and each window is forecast as civ_forecast_panel would
 * forecast that stretch of the series alone.
 */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "error.h"
#include "forecast.h"
#include "panel.h"

long long civ_backtest_cutoff(size_t n, size_t h, size_t windows, size_t step, size_t k)
{
    return (long long)n - (long long)h - (long long)(windows - 1 - k) * (long long)step;
}

civ_status civ_backtest_options_init(civ_backtest_options *opt)
{
    if (!opt)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_backtest_options_init: NULL options");
    memset(opt, 0, sizeof *opt);
    civ_forecast_options_init(&opt->forecast);
    opt->windows = 3;
    opt->step = 1;
    return CIV_OK;
}

void civ_backtest_result_free(civ_backtest_result *r)
{
    if (!r)
        return;
    size_t tasks = r->n_models * r->n_series * r->windows;
    if (r->messages)
        for (size_t t = 0; t < tasks; t++)
            free(r->messages[t]);
    free(r->messages);
    free(r->status);
    free(r->levels);
    free(r->models);
    free(r->mean);
    free(r->lower);
    free(r->upper);
    free(r);
}

size_t civ_backtest_result_n_failed(const civ_backtest_result *r) { return r ? r->n_failed : 0; }
size_t civ_backtest_result_n_uncalibrated(const civ_backtest_result *r) { return r ? r->n_uncalibrated : 0; }
double civ_backtest_result_seconds(const civ_backtest_result *r) { return r ? r->seconds : NAN; }

static double *nan_doubles(size_t n)
{
    double *a = malloc((n ? n : 1) * sizeof *a);
    if (a)
        for (size_t k = 0; k < n; k++)
            a[k] = NAN;
    return a;
}

civ_status civ_backtest_result_alloc(size_t M, size_t N, size_t K, size_t h, size_t step, const double *levels,
                                     size_t L, civ_backtest_result **out)
{
    civ_backtest_result *r = calloc(1, sizeof *r);
    if (!r)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for backtest results");
    r->n_models = M, r->n_series = N, r->windows = K, r->h = h, r->n_levels = L, r->step = step;
    size_t tasks = M * N * K, cells = tasks * h;
    int ok = N == 0 || (tasks / N / K == M && (h == 0 || cells / h == tasks) && (L == 0 || cells * L / L == cells));
    if (ok) {
        r->levels = malloc((L ? L : 1) * sizeof *r->levels);
        r->models = calloc(M ? M : 1, sizeof *r->models);
        r->status = calloc(tasks ? tasks : 1, sizeof *r->status);
        r->messages = calloc(tasks ? tasks : 1, sizeof *r->messages);
        r->mean = nan_doubles(cells);
        r->lower = nan_doubles(cells * L);
        r->upper = nan_doubles(cells * L);
    }
    if (!ok || !r->levels || !r->models || !r->status || !r->messages || !r->mean || !r->lower || !r->upper) {
        civ_backtest_result_free(r);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for a backtest of %zu models x %zu series x %zu windows",
                        M, N, K);
    }
    if (L)
        memcpy(r->levels, levels, L * sizeof *levels);
    *out = r;
    return CIV_OK;
}

typedef struct bt_run {
    const civ_panel *panel;
    const civ_forecast_options *opt;
    const civ_model_type *const *types;
    const void *const *configs;
    civ_model_options model_options;
    const unsigned char *sample; /* NULL, or per series: 0 = skip its windows */
    const civ_conformal_plan *plans; /* conformal windows that refit the structure (NULL: none): */
    civ_backtest_result **inner;     /* the calibration windows of model m's window k at [m * K + k] */
    civ_backtest_result *r;
} bt_run;

/* Forecasts task t (model m, series i, window k) into its slots. */
static civ_status run_task(const bt_run *b, size_t t, civ_workspace *ws)
{
    civ_backtest_result *r = b->r;
    size_t K = r->windows, N = r->n_series, h = r->h, L = r->n_levels;
    size_t k = t % K, i = (t / K) % N, m = t / K / N;
    const double *y;
    size_t n;
    civ_panel_series(b->panel, i, &y, &n, NULL);
    civ_series s = {.id = civ_panel_series_id(b->panel, i), .y = y,
                    .period = civ_frequency_season_length(civ_panel_frequency(b->panel))};
    if (s.period < 1)
        s.period = 1;
    long long c = civ_backtest_cutoff(n, h, K, r->step, k);
    if (c < 1) {
        civ_where w = {.series_id = s.id};
        return civ_fail_at(CIV_ERR_TOO_SHORT, &w,
                           "window %zu of %zu has no training values: the series has %zu values, the windows need "
                           "at least %zu",
                           k + 1, K, n, h + (K - 1 - k) * r->step + 1);
    }
    s.n = (size_t)c;
    civ_status st;
    int nonnegative;
    if ((st = civ_forecast_scan(&s, b->opt->nonnegative, &nonnegative)) != CIV_OK)
        return st;
    double *mean, *lower, *upper;
    if ((st = civ_forecast_buffers(ws, h, L, "a backtest window", &mean, &lower, &upper)) != CIV_OK)
        return st;
    civ_model_fit fit;
    if ((st = civ_forecast_fit_one(b->types[m], b->configs[m], &b->model_options, &s, nonnegative, h, r->levels, L,
                                   ws, &fit, mean, lower, upper)) != CIV_OK)
        return st;
    if (nonnegative && b->opt->integer_bounds) /* as the forecast would round them (driver.c) */
        civ_forecast_round_bounds(lower, upper, L * h);
    if (b->inner && (st = civ_conformal_refit_windows(&b->plans[k], b->types[m], b->configs[m], &b->model_options,
                                                      &fit, &s, b->opt->nonnegative, ws, b->inner[m * K + k], i)))
        return st;
    civ_backtest_store(r, t, mean, lower, upper);
    return CIV_OK;
}

void civ_backtest_store(civ_backtest_result *r, size_t t, const double *mean, const double *lower,
                        const double *upper)
{
    size_t h = r->h, tasks = r->n_models * r->n_series * r->windows;
    memcpy(r->mean + t * h, mean, h * sizeof *mean);
    for (size_t l = 0; l < r->n_levels; l++) {
        memcpy(r->lower + (l * tasks + t) * h, lower + l * h, h * sizeof *lower);
        memcpy(r->upper + (l * tasks + t) * h, upper + l * h, h * sizeof *upper);
    }
}

/* Records the calling thread's last error as task t's failure. */
static void record_failure(civ_backtest_result *r, size_t t, civ_status status)
{
    const civ_error *e = civ_last_error();
    const char *msg = e->status == status && e->message[0] ? e->message : civ_strerror(status);
    r->status[t] = status;
    r->messages[t] = strdup(msg); /* NULL on OOM: the status still tells */
    size_t tasks = r->n_models * r->n_series * r->windows;
    for (size_t j = 0; j < r->h; j++) {
        r->mean[t * r->h + j] = NAN;
        for (size_t l = 0; l < r->n_levels; l++)
            r->lower[(l * tasks + t) * r->h + j] = r->upper[(l * tasks + t) * r->h + j] = NAN;
    }
}

/* The parallel loop over tasks; once the progress callback asks to stop, the
 * tasks not yet started are skipped. */
static void run_tasks(const bt_run *b, civ_workspace *ws, int threads, civ_ticker *ticker)
{
    civ_backtest_result *r = b->r;
    const civ_forecast_options *opt = b->opt;
    long long n_tasks = (long long)(r->n_models * r->n_series * r->windows);
#pragma omp parallel num_threads(threads)
    {
        civ_workspace *my = &ws[omp_get_thread_num()];
#pragma omp for schedule(dynamic, 1)
        for (long long tt = 0; tt < n_tasks; tt++) {
            size_t t = (size_t)tt, i = (t / r->windows) % r->n_series;
            if (civ_ticker_stopped(ticker))
                continue;
            if (b->sample && !b->sample[i]) { /* not in the sample: no fit, its slots stay NaN */
                r->status[t] = CIV_ERR_NOT_FOUND;
                civ_ticker_tick(ticker);
                continue;
            }
            civ_arena_reset(&my->arena);
            gsl_rng_set(my->rng, (unsigned long)civ_forecast_series_seed(opt->seed, b->panel->ids[i]));
            civ_clear_error();
            civ_status s = run_task(b, t, my);
            if (s != CIV_OK)
                record_failure(r, t, s);
            civ_ticker_tick(ticker);
        }
    }
}

civ_status civ_backtest_run(const civ_panel *panel, const civ_forecast_options *fopt, const civ_model_type *const *types,
                            const void *const *configs, const char *const *names, size_t M, size_t h, size_t windows,
                            size_t step, civ_backtest_result **out)
{
    return civ_backtest_run_sample(panel, fopt, types, configs, names, M, h, windows, step, NULL, out);
}

/* The backtest of b's models (b->r allocated here) with b's sample and
 * calibration windows. */
static civ_status backtest_run(bt_run *b, const char *const *names, size_t M, size_t h, size_t windows, size_t step,
                               civ_backtest_result **out)
{
    const civ_panel *panel = b->panel;
    const civ_forecast_options *fopt = b->opt;
    double t0 = omp_get_wtime();
    size_t N = civ_panel_n_series(panel);
    civ_backtest_result *r = NULL;
    civ_status st = civ_backtest_result_alloc(M, N, windows, h, step, fopt->levels, fopt->n_levels, &r);
    if (st)
        return st;
    for (size_t m = 0; m < M; m++)
        civ_snprintf(r->models[m], sizeof r->models[m], "%s", names[m]);
    b->r = r;
    b->model_options.criterion = (civ_criterion)fopt->criterion;
    b->model_options.n_paths = (int)fopt->n_paths;
    b->model_options.calibrated = fopt->intervals == CIV_INTERVALS_CONFORMAL; /* conformal.c's windows */

    size_t T = M * N * windows;
    civ_team team;
    if ((st = civ_team_begin(&team, fopt->threads, T)) != CIV_OK) {
        civ_backtest_result_free(r);
        return st;
    }
    civ_ticker ticker;
    civ_ticker_start(&ticker, fopt->progress, fopt->progress_user, T);
    run_tasks(b, team.ws, team.threads, &ticker);
    civ_team_end(&team);
    if ((st = civ_ticker_verdict(&ticker, "backtest windows"))) {
        civ_backtest_result_free(r);
        return st;
    }
    for (size_t t = 0; t < T; t++)
        r->n_failed += r->status[t] != CIV_OK;
    civ_ticker_finish(&ticker);
    r->seconds = omp_get_wtime() - t0;
    civ_clear_error();
    *out = r;
    return CIV_OK;
}

civ_status civ_backtest_run_sample(const civ_panel *panel, const civ_forecast_options *fopt,
                                   const civ_model_type *const *types, const void *const *configs,
                                   const char *const *names, size_t M, size_t h, size_t windows, size_t step,
                                   const unsigned char *sample, civ_backtest_result **out)
{
    bt_run b = {.panel = panel, .opt = fopt, .types = types, .configs = configs, .sample = sample};
    return backtest_run(&b, names, M, h, windows, step, out);
}

/* ---- conformal intervals in the windows -------------------------------------------- */

/* The calibrations' progress after the windows', on one bar. */
typedef struct stage_progress {
    civ_progress_fn fn;
    void *user;
    size_t offset, total, last_total; /* last_total: the running stage's own total */
    int stop;                         /* the caller's callback said stop (kept: a stage's last report is
                                         the next one's start, and its answer would be lost) */
} stage_progress;

static int staged(size_t done, size_t total, void *user)
{
    stage_progress *p = user;
    p->last_total = total;
    size_t now = p->offset + done;
    if (!p->stop && now < p->total)
        p->stop = p->fn(now, p->total, p->user) != 0;
    return p->stop;
}

/* Conformal intervals in window k of every series (k = 0..K-1) for every
 * model: its intervals rescaled exactly as civ_forecast_panel with
 * CIV_INTERVALS_CONFORMAL rescales them on the panel of every series' first
 * c_k values (its training stretch in that window), so the calibration
 * backtest sees nothing after the window's cutoff.  Cost: one calibration
 * backtest per model and window, or none when the windows' own fits
 * refitted their structures into inner[m * K + k] (CIV_CONFORMAL_REFIT_FIXED;
 * inner NULL otherwise). */
static civ_status conformal_windows(const civ_panel *panel, const civ_forecast_options *fopt,
                                    const civ_model_type *const *types, const void *const *configs,
                                    civ_backtest_result *const *inner, civ_backtest_result *r, stage_progress *pg)
{
    size_t M = r->n_models, N = r->n_series, K = r->windows, h = r->h, L = r->n_levels, tasks = M * N * K;
    if (L == 0 || N == 0)
        return CIV_OK;
    size_t *len = malloc(N * sizeof *len);
    if (!len)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for %zu window lengths", N);
    civ_forecast_options fo = *fopt;
    fo.progress = pg ? staged : NULL;
    fo.progress_user = pg;
    civ_status st = CIV_OK;
    for (size_t k = 0; k < K && !st; k++) {
        for (size_t i = 0; i < N; i++) {
            size_t n;
            civ_panel_series(panel, i, NULL, &n, NULL);
            long long c = civ_backtest_cutoff(n, h, K, r->step, k);
            len[i] = c > 0 ? (size_t)c : 0;
        }
        civ_panel *prefixes = NULL;
        if ((st = civ_panel_prefixes(panel, len, &prefixes)))
            break;
        for (size_t m = 0; m < M && !st; m++) {
            double *q = NULL;
            if (inner)
                st = civ_conformal_factors_from(prefixes, inner[m * K + k], &q);
            else if ((st = civ_conformal_factors(prefixes, &fo, types[m], configs[m], h, &q)) == CIV_OK && pg)
                pg->offset += pg->last_total;
            if (st)
                break;
            for (size_t i = 0; i < N; i++) {
                size_t t = (m * N + i) * K + k;
                const double *y;
                civ_panel_series(prefixes, i, &y, NULL, NULL);
                civ_series s = {.id = civ_panel_series_id(panel, i), .y = y, .n = len[i]};
                int nonnegative = 0;
                if (r->status[t] != CIV_OK || civ_forecast_scan(&s, fopt->nonnegative, &nonnegative) != CIV_OK)
                    continue;
                for (size_t c = 0; c < h * L; c++)
                    if (isnan(q[i * h * L + c])) {
                        r->n_uncalibrated++;
                        break;
                    }
                civ_conformal_rescale(r->mean + t * h, r->lower + t * h, r->upper + t * h, tasks * h, r->levels, L,
                                      h, q + i * h * L, nonnegative, fopt->integer_bounds);
            }
            free(q);
        }
        civ_panel_free(prefixes);
    }
    free(len);
    if (!st)
        civ_clear_error(); /* a skipped window's scan; a failure keeps its message */
    return st;
}

/* The calibration windows of every window k and model m when they refit the
 * windows' structures: plans[k] for the series cut at window k's cutoffs and
 * inner[m * K + k] to hold them (both malloc'd; free_calibration). */
static civ_status alloc_calibration(const civ_panel *panel, const civ_forecast_options *fopt, size_t M, size_t h,
                                    size_t K, size_t step, civ_conformal_plan **plans_out,
                                    civ_backtest_result ***inner_out)
{
    size_t N = civ_panel_n_series(panel);
    civ_conformal_plan *plans = calloc(K ? K : 1, sizeof *plans);
    civ_backtest_result **inner = calloc(M * K > 0 ? M * K : 1, sizeof *inner);
    size_t *len = malloc((N ? N : 1) * sizeof *len);
    *plans_out = plans;
    *inner_out = inner;
    if (!plans || !inner || !len) {
        free(len);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the calibration windows of %zu windows", K);
    }
    civ_status st = CIV_OK;
    for (size_t k = 0; k < K && !st; k++) {
        for (size_t i = 0; i < N; i++) {
            size_t n;
            civ_panel_series(panel, i, NULL, &n, NULL);
            long long c = civ_backtest_cutoff(n, h, K, step, k);
            len[i] = c > 0 ? (size_t)c : 0;
        }
        st = civ_conformal_plan_init(len, N, fopt, h, &plans[k]);
        for (size_t m = 0; m < M && !st; m++)
            st = civ_backtest_result_alloc(1, N, plans[k].K, h, plans[k].S, fopt->levels, fopt->n_levels,
                                           &inner[m * K + k]);
    }
    free(len);
    return st;
}

static void free_calibration(civ_conformal_plan *plans, civ_backtest_result **inner, size_t M, size_t K)
{
    for (size_t k = 0; plans && k < K; k++)
        civ_conformal_plan_free(&plans[k]);
    for (size_t t = 0; inner && t < M * K; t++)
        civ_backtest_result_free(inner[t]);
    free(plans);
    free(inner);
}

/* civ_backtest_run, then conformal intervals in every window when fopt asks
 * for them (the windows' own bounds unrounded until rescaled). */
static civ_status backtest_with_intervals(const civ_panel *panel, const civ_forecast_options *fopt,
                                          const civ_model_type *const *types, const void *const *configs,
                                          const char *const *names, size_t M, size_t h, size_t windows, size_t step,
                                          civ_backtest_result **out)
{
    if (fopt->intervals != CIV_INTERVALS_CONFORMAL || fopt->n_levels == 0)
        return civ_backtest_run(panel, fopt, types, configs, names, M, h, windows, step, out);
    double t0 = omp_get_wtime();
    size_t N = civ_panel_n_series(panel), T = M * N * windows;
    int fixed = civ_conformal_fixed(fopt);
    size_t calib = fixed ? 0 : civ_conformal_windows(fopt, N); /* per calibration backtest, empty series included */
    stage_progress pg = {.fn = fopt->progress, .user = fopt->progress_user, .total = T + windows * M * N * calib};
    civ_forecast_options fo = *fopt;
    fo.integer_bounds = 0; /* rounded after rescaling, as the batch does */
    fo.progress = fopt->progress ? staged : NULL;
    fo.progress_user = &pg;
    civ_conformal_plan *plans = NULL;
    civ_backtest_result **inner = NULL, *r = NULL;
    civ_status st = fixed ? alloc_calibration(panel, fopt, M, h, windows, step, &plans, &inner) : CIV_OK;
    if (!st) {
        bt_run b = {.panel = panel, .opt = &fo, .types = types, .configs = configs, .plans = plans, .inner = inner};
        st = backtest_run(&b, names, M, h, windows, step, &r);
    }
    pg.offset = T;
    if (!st && pg.stop) /* said at the windows' last report */
        st = civ_fail(CIV_ERR_CANCELLED, "stopped by the progress callback after the backtest windows, before "
                                         "their conformal calibration; nothing was kept");
    if (!st)
        st = conformal_windows(panel, fopt, types, configs, inner, r, fopt->progress ? &pg : NULL);
    free_calibration(plans, inner, M, windows);
    if (st) {
        civ_backtest_result_free(r);
        return st;
    }
    if (fopt->progress)
        (void)fopt->progress(pg.total, pg.total, fopt->progress_user); /* the end: its answer is moot */
    r->seconds = omp_get_wtime() - t0;
    *out = r;
    return CIV_OK;
}

/* ---- the public entry ------------------------------------------------------------ */

/* One resolved spec: its type, parsed config and display name. */
typedef struct bt_model {
    const civ_model_type *type;
    _Alignas(max_align_t) unsigned char config[CIV_MODEL_CONFIG_MAX];
    char name[64];
} bt_model;

static civ_status check_backtest_options(const civ_backtest_options *opt)
{
    civ_where w = {.field = "windows"};
    if (opt->windows < 1 || opt->windows > 100000)
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "windows must be 1..100000, got %zu", opt->windows);
    if (opt->step < 1 || opt->step > 100000) {
        w.field = "step";
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "step must be 1..100000, got %zu", opt->step);
    }
    if (opt->forecast.n_xreg) {
        w.field = "xreg";
        return civ_fail_at(CIV_ERR_UNSUPPORTED, &w, "backtests with covariates (xreg) are not supported");
    }
    if (opt->n_models && !opt->models) {
        w.field = "models";
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "%zu models but no spec array", opt->n_models);
    }
    return CIV_OK;
}

/* Resolves the specs into models[] with distinct display names. */
static civ_status resolve_models(const char *const *specs, size_t M, bt_model *models)
{
    for (size_t m = 0; m < M; m++) {
        civ_status st;
        if ((st = civ_model_resolve(specs[m] ? specs[m] : "", &models[m].type, models[m].config)) ||
            (st = civ_model_display_name(specs[m], models[m].name, sizeof models[m].name)))
            return st;
        for (size_t q = 0; q < m; q++) {
            if (!strcmp(models[q].name, models[m].name)) {
                civ_where w = {.field = "model"};
                return civ_fail_at(CIV_ERR_SPEC, &w, "models '%s' and '%s' are the same model (%s); give each once",
                                   specs[q], specs[m], models[m].name);
            }
        }
    }
    return CIV_OK;
}

civ_status civ_backtest_panel(const civ_panel *panel, const civ_backtest_options *opt, civ_backtest_result **out)
{
    if (!panel || !opt || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_backtest_panel: NULL argument");
    civ_status st = check_backtest_options(opt);
    if (st)
        return st;
    const char *one = opt->forecast.model ? opt->forecast.model : "auto";
    const char *const *specs = opt->n_models ? opt->models : &one;
    size_t M = opt->n_models ? opt->n_models : 1;
    if (M > 1000)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_backtest_panel: %zu models is over the limit of 1000", M);
    /* The forecast options are checked by the batch's own rules: a dry run
     * of civ_forecast_panel on no series would need a panel, so check here. */
    civ_forecast_options fo = opt->forecast;
    fo.model = specs[0];
    bt_model *models = calloc(M, sizeof *models);
    const civ_model_type **types = calloc(M, sizeof *types);
    const void **configs = calloc(M, sizeof *configs);
    const char **names = calloc(M, sizeof *names);
    if (!models || !types || !configs || !names) {
        st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for %zu models", M);
        goto done;
    }
    if ((st = resolve_models(specs, M, models)) || (st = civ_forecast_check_options(&fo)))
        goto done;
    for (size_t m = 0; m < M; m++) {
        types[m] = models[m].type;
        configs[m] = models[m].config;
        names[m] = models[m].name;
    }
    int season = civ_frequency_season_length(civ_panel_frequency(panel));
    size_t h = fo.horizon ? fo.horizon : (season > 1 ? 2u * (size_t)season : 10u);
    st = backtest_with_intervals(panel, &fo, types, configs, names, M, h, opt->windows, opt->step, out);
done:
    free(models);
    free(types);
    free(configs);
    free(names);
    return st;
}

/* ---- the windows' table ------------------------------------------------------------ */

/* The columns unique_id, cutoff, ds, h, y, model, mean, lo-L, hi-L, ... */
static civ_status table_columns(const civ_backtest_result *r, civ_table *t, size_t *cols)
{
    static const char *const fixed[] = {"unique_id", "cutoff", "ds", "h", "y", "model", "mean"};
    static const civ_column_type ftypes[] = {CIV_COLUMN_TEXT, CIV_COLUMN_TEXT, CIV_COLUMN_TEXT, CIV_COLUMN_NUMBER,
                                             CIV_COLUMN_NUMBER, CIV_COLUMN_TEXT, CIV_COLUMN_NUMBER};
    civ_status st;
    for (size_t c = 0; c < 7; c++)
        CIV_TRY(civ_table_add_column(t, fixed[c], ftypes[c], &cols[c]));
    CIV_TRY(civ_forecast_add_level_columns(t, r->levels, r->n_levels, &cols[7]));
    return CIV_OK;
fail:
    return st;
}

/* The rows of series i from `row` on. */
/* The rows of series i; *end: civ_panel_next_period's cache, so that a series with no observed value has its
 * windows dated as a series that ends with the panel (before 2026-12-07 before its own first row). */
static civ_status table_series(const civ_backtest_result *r, const civ_panel *panel, size_t i, civ_table *t,
                               const size_t *cols, size_t *row, int64_t *end)
{
    size_t M = r->n_models, N = r->n_series, K = r->windows, h = r->h, tasks = M * N * K;
    civ_frequency freq = civ_panel_frequency(panel);
    int phase = civ_panel_phase(panel);
    civ_date_style style = civ_panel_date_style(panel);
    const char *id = civ_panel_series_id(panel, i);
    const double *y;
    size_t n;
    int64_t start;
    civ_status st;
    civ_panel_series(panel, i, &y, &n, &start);
    start = civ_panel_next_period(panel, i, end) - (int64_t)n; /* its own start unless it has no value */
    for (size_t k = 0; k < K; k++) {
        long long c = civ_backtest_cutoff(n, h, K, r->step, k);
        char cut[32];
        CIV_TRY(civ_period_format_style(freq, phase, &style, start + c - 1, cut, sizeof cut));
        for (size_t m = 0; m < M; m++) {
            size_t task = (m * N + i) * K + k;
            for (size_t j = 0; j < h; j++, (*row)++) {
                char ds[32];
                long long at = c + (long long)j;
                double actual = at >= 0 && at < (long long)n ? y[at] : NAN;
                CIV_TRY(civ_period_format_style(freq, phase, &style, start + at, ds, sizeof ds));
                CIV_TRY(civ_table_set_text(t, *row, cols[0], id));
                CIV_TRY(civ_table_set_text(t, *row, cols[1], cut));
                CIV_TRY(civ_table_set_text(t, *row, cols[2], ds));
                CIV_TRY(civ_table_set_number(t, *row, cols[3], (double)(j + 1)));
                CIV_TRY(civ_table_set_number(t, *row, cols[4], actual));
                CIV_TRY(civ_table_set_text(t, *row, cols[5], r->models[m]));
                CIV_TRY(civ_table_set_number(t, *row, cols[6], r->mean[task * h + j]));
                for (size_t l = 0; l < r->n_levels; l++) {
                    CIV_TRY(civ_table_set_number(t, *row, cols[7 + 2 * l], r->lower[(l * tasks + task) * h + j]));
                    CIV_TRY(civ_table_set_number(t, *row, cols[8 + 2 * l], r->upper[(l * tasks + task) * h + j]));
                }
            }
        }
    }
    return CIV_OK;
fail:
    return st;
}

civ_status civ_backtest_result_table(const civ_backtest_result *r, const civ_panel *panel, civ_table **out)
{
    if (!r || !panel || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_backtest_result_table: NULL argument");
    if (civ_panel_n_series(panel) != r->n_series)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT,
                        "civ_backtest_result_table: the panel has %zu series but the backtest %zu",
                        civ_panel_n_series(panel), r->n_series);
    size_t *cols = malloc((7 + 2 * r->n_levels) * sizeof *cols);
    civ_table *t = NULL;
    civ_status st;
    if (!cols)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the backtest table");
    CIV_TRY(civ_table_create(&t));
    CIV_TRY(table_columns(r, t, cols));
    CIV_TRY(civ_table_add_rows(t, r->n_models * r->n_series * r->windows * r->h, NULL));
    size_t row = 0;
    int64_t end = INT64_MIN;
    for (size_t i = 0; i < r->n_series; i++)
        CIV_TRY(table_series(r, panel, i, t, cols, &row, &end));
    free(cols);
    *out = t;
    return CIV_OK;
fail:
    free(cols);
    civ_table_free(t);
    return st;
}

/* The observed values of series i up to the cutoff of window k. */
static size_t values_to_cutoff(const civ_backtest_result *r, const civ_panel *panel, size_t i, size_t k)
{
    const double *y;
    size_t n, seen = 0;
    civ_panel_series(panel, i, &y, &n, NULL);
    long long cut = civ_backtest_cutoff(n, r->h, r->windows, r->step, k);
    for (long long j = 0; j < cut; j++)
        seen += isfinite(y[j]) != 0;
    return seen;
}

/* Why a window failed, as civ_backtest_failure_counts counts it: "no_data" (no value up to the cutoff),
 * "too_short" (some, too few for the model: CIV_ERR_TOO_SHORT), "other". */
static const char *failure_reason(civ_status st, size_t seen)
{
    return !seen ? "no_data" : st == CIV_ERR_TOO_SHORT ? "too_short" : "other";
}

civ_status civ_backtest_result_failure_counts(const civ_backtest_result *r, const civ_panel *panel,
                                             civ_backtest_failure_counts *out)
{
    if (!r || !panel || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_backtest_result_failure_counts: NULL argument");
    if (civ_panel_n_series(panel) != r->n_series)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT,
                        "civ_backtest_result_failure_counts: the panel has %zu series but the backtest %zu",
                        civ_panel_n_series(panel), r->n_series);
    size_t M = r->n_models, N = r->n_series, K = r->windows;
    civ_backtest_failure_counts c = {.total = M * N * K, .min_values = (size_t)-1};
    for (size_t i = 0; i < N; i++) {
        for (size_t k = 0; k < K; k++) {
            size_t seen = values_to_cutoff(r, panel, i, k);
            for (size_t m = 0; m < M; m++) {
                civ_status st = r->status[(m * N + i) * K + k];
                if (st == CIV_OK)
                    continue;
                c.failed++;
                const char *why = failure_reason(st, seen);
                if (!strcmp(why, "no_data")) {
                    c.no_data++;
                } else if (!strcmp(why, "too_short")) {
                    c.too_short++;
                    c.min_values = seen < c.min_values ? seen : c.min_values;
                    c.max_values = seen > c.max_values ? seen : c.max_values;
                } else {
                    c.other++;
                }
            }
        }
    }
    if (!c.too_short)
        c.min_values = 0;
    *out = c;
    return CIV_OK;
}

civ_status civ_backtest_failures_table(const civ_backtest_result *r, const civ_panel *panel, civ_table **out)
{
    if (!r || !panel || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_backtest_failures_table: NULL argument");
    if (civ_panel_n_series(panel) != r->n_series)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT,
                        "civ_backtest_failures_table: the panel has %zu series but the backtest %zu",
                        civ_panel_n_series(panel), r->n_series);
    static const char *const names[] = {"unique_id", "model", "cutoff", "status", "message", "reason", "values"};
    size_t cols[7], M = r->n_models, N = r->n_series, K = r->windows, row = 0;
    civ_table *t = NULL;
    civ_status st;
    CIV_TRY(civ_table_create(&t));
    for (size_t c = 0; c < 7; c++)
        CIV_TRY(civ_table_add_column(t, names[c], c == 6 ? CIV_COLUMN_NUMBER : CIV_COLUMN_TEXT, &cols[c]));
    CIV_TRY(civ_table_add_rows(t, r->n_failed, NULL));
    civ_frequency freq = civ_panel_frequency(panel);
    int phase = civ_panel_phase(panel);
    civ_date_style style = civ_panel_date_style(panel);
    int64_t end = INT64_MIN;
    for (size_t i = 0; i < N; i++) {
        size_t n;
        civ_panel_series(panel, i, NULL, &n, NULL);
        int64_t start = civ_panel_next_period(panel, i, &end) - (int64_t)n; /* a series with no value: the panel's */
        for (size_t k = 0; k < K; k++) {
            for (size_t m = 0; m < M; m++) {
                size_t task = (m * N + i) * K + k;
                if (r->status[task] == CIV_OK || row >= r->n_failed)
                    continue;
                char cut[32];
                CIV_TRY(civ_period_format_style(freq, phase, &style,
                                                start + civ_backtest_cutoff(n, r->h, K, r->step, k) - 1, cut,
                                                sizeof cut));
                CIV_TRY(civ_table_set_text(t, row, cols[0], civ_panel_series_id(panel, i)));
                CIV_TRY(civ_table_set_text(t, row, cols[1], r->models[m]));
                CIV_TRY(civ_table_set_text(t, row, cols[2], cut));
                CIV_TRY(civ_table_set_text(t, row, cols[3], civ_status_name(r->status[task])));
                CIV_TRY(civ_table_set_text(t, row, cols[4], r->messages[task] ? r->messages[task] : ""));
                size_t seen = values_to_cutoff(r, panel, i, k);
                CIV_TRY(civ_table_set_text(t, row, cols[5], failure_reason(r->status[task], seen)));
                CIV_TRY(civ_table_set_number(t, row, cols[6], (double)seen));
                row++;
            }
        }
    }
    *out = t;
    return CIV_OK;
fail:
    civ_table_free(t);
    return st;
}

/* ---- results filled by another layer (civ_hier_backtest) --------------------------- */

civ_status civ_backtest_result_create(const char *const *models, size_t n_models, size_t n_series, size_t windows,
                                      size_t h, size_t step, const double *levels, size_t n_levels,
                                      civ_backtest_result **out)
{
    if (!models || !out || (n_levels && !levels) || !n_models || !windows || !h || !step)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_backtest_result_create: NULL argument, or no model, window, "
                                                  "step or horizon");
    for (size_t m = 0; m < n_models; m++)
        if (!models[m] || strlen(models[m]) >= sizeof ((civ_backtest_result *)0)->models[0])
            return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &(civ_where){.field = "models"},
                               "civ_backtest_result_create: model name %zu is NULL or over 63 bytes", m);
    civ_backtest_result *r = NULL;
    civ_status st = civ_backtest_result_alloc(n_models, n_series, windows, h, step, levels, n_levels, &r);
    if (st)
        return st;
    for (size_t m = 0; m < n_models; m++)
        civ_snprintf(r->models[m], sizeof r->models[m], "%s", models[m]);
    r->started = omp_get_wtime();
    *out = r;
    return CIV_OK;
}

civ_status civ_backtest_result_add_uncalibrated(civ_backtest_result *r, size_t n)
{
    if (!r)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_backtest_result_add_uncalibrated: NULL result");
    r->n_uncalibrated += n;
    return CIV_OK;
}

civ_status civ_backtest_result_set(civ_backtest_result *r, size_t model, size_t series, size_t window,
                                   civ_status status, const char *message, const double *mean, const double *lower,
                                   const double *upper)
{
    if (!r || model >= r->n_models || series >= r->n_series || window >= r->windows ||
        (status == CIV_OK && (!mean || (r->n_levels && (!lower || !upper)))))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_backtest_result_set: NULL argument or index out of range");
    size_t t = (model * r->n_series + series) * r->windows + window;
    r->n_failed -= r->status[t] != CIV_OK;
    free(r->messages[t]);
    r->messages[t] = NULL;
    if (status == CIV_OK) {
        civ_backtest_store(r, t, mean, lower, upper);
        r->status[t] = CIV_OK;
    } else {
        (void)civ_fail(status, "%s", message && message[0] ? message : civ_strerror(status));
        record_failure(r, t, status);
        civ_clear_error();
        r->n_failed++;
    }
    r->seconds = omp_get_wtime() - r->started;
    return CIV_OK;
}
