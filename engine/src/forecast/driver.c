/*
 * driver.c -- layer: forecast.  The parallel batch driver: one model spec fitted to every
 * series of a panel, forecasts with intervals, per-series status.
 *
 * Design (docs/FORECASTING.md):
 *  - OpenMP over series with schedule(dynamic): series differ in length and
 *    model search cost, so static blocks would leave threads idle.
 *  - One civ_workspace per thread (arena + mt19937; the thread team of
 *    team.c), allocated before the parallel region so an allocation failure stops the call up front rather
 *    than failing whichever series happened to land on that thread.
 *  - Bit-identical results for any thread count: the arena is reset and the
 *    generator reseeded from (seed, series id) before each series, and each
 *    series writes only its own slots of preallocated result arrays.  Seeding
 *    by id rather than position means a series draws the same paths in any
 *    panel that holds it: row order, subsets and Dask partitions agree.
 *  - A failing series records its status and message and NaN outputs; the
 *    batch goes on.
 *  - OpenBLAS is held at one thread while the batch runs, whatever the thread
 *    count (threads over series already fill the cores, nested BLAS threads
 *    would oversubscribe them, and a BLAS whose thread count varied with ours
 *    could change the last bits of results; team.c).  The OpenBLAS setters are weak symbols, so this costs
 *    nothing when the BLAS in the process is another one.
 *  - Progress is reported from the calling thread (OpenMP thread 0) only.
 */
#include "c_locale.h"
#include "forecast.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "intermittent.h"
#include "numeric.h"
#include "panel.h"
#include "strmap.h"

_Static_assert(CIV_CRITERION_AICC == (int)CIV_CRIT_AICC && CIV_CRITERION_AIC == (int)CIV_CRIT_AIC &&
                   CIV_CRITERION_BIC == (int)CIV_CRIT_BIC,
               "public and model criterion codes must agree");

static const double default_levels[] = {80.0, 95.0};

civ_status civ_forecast_options_init(civ_forecast_options *opt)
{
    if (!opt)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_forecast_options_init: NULL options");
    memset(opt, 0, sizeof *opt);
    opt->model = "auto";
    opt->horizon = 0;
    opt->levels = default_levels;
    opt->n_levels = 2;
    opt->threads = 0;
    opt->seed = CIV_FORECAST_DEFAULT_SEED;
    opt->criterion = CIV_CRITERION_AICC;
    opt->n_paths = 0;
    opt->nonnegative = -1;
    return CIV_OK;
}

uint64_t civ_forecast_series_seed(uint64_t seed, const char *id)
{
    return civ_seed_mix(seed, civ_hash_string(id));
}

/* ---- result lifetime --------------------------------------------------------- */

void civ_forecast_result_free(civ_forecast_result *r)
{
    if (!r)
        return;
    if (r->series) {
        for (size_t i = 0; i < r->n_series; i++) {
            free(r->series[i].message);
            free(r->series[i].values);
            free(r->series[i].names);
        }
    }
    free(r->series);
    free(r->levels);
    free(r->mean);
    free(r->lower);
    free(r->upper);
    free(r->fitted);
    free(r->residuals);
    free(r);
}

static double *nan_array(size_t n)
{
    double *a = malloc((n ? n : 1) * sizeof *a);
    if (a)
        for (size_t i = 0; i < n; i++)
            a[i] = NAN;
    return a;
}

static civ_status result_alloc(size_t n_series, size_t h, const double *levels, size_t n_levels, int want_fitted,
                               size_t n_values, civ_forecast_result **out)
{
    civ_forecast_result *r = calloc(1, sizeof *r);
    if (!r)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for forecast results");
    r->n_series = n_series;
    r->h = h;
    r->n_levels = n_levels;
    r->want_fitted = want_fitted;
    r->n_values = n_values;
    size_t cells = n_series * h;
    int ok = (h == 0 || cells / h == n_series) && (n_levels == 0 || (cells * n_levels) / n_levels == cells);
    if (ok) {
        r->levels = malloc((n_levels ? n_levels : 1) * sizeof *r->levels);
        r->series = calloc(n_series ? n_series : 1, sizeof *r->series);
        r->mean = nan_array(cells);
        r->lower = nan_array(cells * n_levels);
        r->upper = nan_array(cells * n_levels);
        if (want_fitted) {
            r->fitted = nan_array(n_values);
            r->residuals = nan_array(n_values);
        }
    }
    if (!ok || !r->levels || !r->series || !r->mean || !r->lower || !r->upper ||
        (want_fitted && (!r->fitted || !r->residuals))) {
        civ_forecast_result_free(r);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for forecasts of %zu series x %zu steps", n_series, h);
    }
    if (n_levels)
        memcpy(r->levels, levels, n_levels * sizeof *levels);
    *out = r;
    return CIV_OK;
}

/* ---- one series ---------------------------------------------------------------- */

typedef struct batch {
    const civ_panel *panel;
    const civ_forecast_options *opt;
    const civ_model_type *type;
    const void *config;
    civ_model_options model_options;
    size_t h;
    size_t *xreg_index;   /* n_xreg covariate indices */
    civ_forecast_result *result;
    const civ_conformal_plan *plan; /* conformal runs that refit the final models' structures: */
    civ_backtest_result *windows;   /* their calibration windows, filled by run_series; else NULL */
} batch;

/* Records the calling thread's last error as series i's failure. */
static void record_failure(civ_forecast_result *r, size_t i, civ_status status)
{
    civ_forecast_series *fs = &r->series[i - r->first];
    const civ_error *e = civ_last_error();
    const char *msg = e->status == status && e->message[0] ? e->message : civ_strerror(status);
    char line[700];
    if (e->status == status && e->field[0])
        civ_snprintf(line, sizeof line, "%s (field '%s')", msg, e->field);
    else
        civ_snprintf(line, sizeof line, "%s", msg);
    fs->status = status;
    fs->model[0] = '\0';
    fs->message = strdup(line); /* NULL on OOM: the status still tells */
}

/* Builds the regressors of series i: each named covariate must have values
 * for the n observed periods and the h future ones. */
static civ_status series_xreg(const batch *b, size_t i, size_t n, civ_workspace *ws, civ_series *s)
{
    size_t k = b->opt->n_xreg;
    const double **x = civ_arena_alloc(&ws->arena, k * sizeof *x);
    if (!x)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for regressors");
    size_t len_min = (size_t)-1;
    for (size_t c = 0; c < k; c++) {
        const double *v;
        size_t len;
        civ_panel_covariate(b->panel, i, b->xreg_index[c], &v, &len);
        const char *name = b->opt->xreg[c];
        civ_where w = {.series_id = s->id, .field = name};
        if (len < n)
            return civ_fail_at(CIV_ERR_NOT_FOUND, &w, "covariate '%s' has %zu values for %zu observations", name, len,
                               n);
        size_t first = 0, last = 0;
        for (size_t j = 0; j < b->h; j++) {
            if (n + j >= len || isnan(v[n + j])) {
                if (!first)
                    first = j + 1;
                last = j + 1;
            }
        }
        if (first == last && first)
            return civ_fail_at(CIV_ERR_NOT_FOUND, &w, "covariate '%s' has no future value for h=%zu", name, first);
        if (first)
            return civ_fail_at(CIV_ERR_NOT_FOUND, &w, "covariate '%s' has no future values for h=%zu..%zu", name, first,
                               last);
        x[c] = v;
        if (len < len_min)
            len_min = len;
    }
    s->xreg = x;
    s->xreg_names = b->opt->xreg;
    s->n_xreg = k;
    s->xreg_len = len_min;
    return CIV_OK;
}

static civ_status keep_fit(civ_forecast_series *fs, const civ_model_fit *fit)
{
    civ_snprintf(fs->model, sizeof fs->model, "%s", fit->name);
    fs->loglik = fit->loglik;
    fs->aic = fit->aic;
    fs->aicc = fit->aicc;
    fs->bic = fit->bic;
    fs->sigma2 = fit->sigma2;
    fs->n = fit->n;
    fs->n_params = fit->n_params;
    size_t np = fit->params && fit->param_names ? fit->n_report_params : 0;
    size_t ns = fit->states && fit->state_names ? fit->n_states : 0;
    fs->n_report = np;
    fs->n_states = ns;
    if (np + ns == 0)
        return CIV_OK;
    size_t chars = 0;
    for (size_t k = 0; k < np; k++)
        chars += strlen(fit->param_names[k]) + 1;
    for (size_t k = 0; k < ns; k++)
        chars += strlen(fit->state_names[k]) + 1;
    fs->values = malloc((np + ns) * sizeof *fs->values);
    fs->names = malloc(chars);
    if (!fs->values || !fs->names)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory keeping fit statistics");
    char *p = fs->names;
    for (size_t k = 0; k < np + ns; k++) {
        const char *name = k < np ? fit->param_names[k] : fit->state_names[k - np];
        size_t len = strlen(name) + 1;
        memcpy(p, name, len);
        p += len;
        fs->values[k] = k < np ? fit->params[k] : fit->states[k - np];
    }
    return CIV_OK;
}

static civ_status run_series(const batch *b, size_t i, civ_workspace *ws)
{
    civ_forecast_result *r = b->result;
    const civ_panel *panel = b->panel;
    size_t h = b->h, L = r->n_levels;
    const double *y;
    size_t n;
    civ_panel_series(panel, i, &y, &n, NULL);
    civ_series s = {
        .id = civ_panel_series_id(panel, i),
        .y = y,
        .n = n,
        .period = civ_frequency_season_length(civ_panel_frequency(panel)),
    };
    if (s.period < 1)
        s.period = 1;
    civ_where w = {.series_id = s.id};

    size_t k = i - r->first; /* the series' slot in this chunk */
    civ_forecast_series *fs = &r->series[k];
    fs->demand = civ_intermittent_classify(y, n, &fs->adi, &fs->cv2);
    civ_status st;
    int nonnegative;
    if ((st = civ_forecast_scan(&s, b->opt->nonnegative, &nonnegative)) != CIV_OK)
        return st;
    if (b->opt->n_xreg && (st = series_xreg(b, i, n, ws, &s)) != CIV_OK)
        return st;

    double *mean = civ_arena_doubles(&ws->arena, h);
    double *lower = civ_arena_doubles(&ws->arena, L * h + 1);
    double *upper = civ_arena_doubles(&ws->arena, L * h + 1);
    if (!mean || !lower || !upper)
        return civ_fail_at(CIV_ERR_OUT_OF_MEMORY, &w, "out of memory for forecasts");
    civ_model_fit fit;
    if ((st = civ_forecast_fit_one(b->type, b->config, &b->model_options, &s, nonnegative, h, r->levels, L, ws, &fit,
                                   mean, lower, upper)) != CIV_OK)
        return st;
    /* Whole-number bounds, rounded outward so that the interval of an
     * integer-valued count keeps at least its coverage (conformal intervals
     * are rounded after their rescaling, conformal.c). */
    if (nonnegative && b->opt->integer_bounds && b->opt->intervals != CIV_INTERVALS_CONFORMAL)
        civ_forecast_round_bounds(lower, upper, L * h);

    if (b->windows && (st = civ_conformal_refit_windows(b->plan, b->type, b->config, &b->model_options, &fit, &s,
                                                        b->opt->nonnegative, ws, b->windows, i)) != CIV_OK)
        return st;
    if ((st = keep_fit(fs, &fit)) != CIV_OK)
        return st;
    memcpy(r->mean + k * h, mean, h * sizeof *mean);
    size_t plane = r->n_series * h;
    for (size_t l = 0; l < L; l++) {
        memcpy(r->lower + l * plane + k * h, lower + l * h, h * sizeof *lower);
        memcpy(r->upper + l * plane + k * h, upper + l * h, h * sizeof *upper);
    }
    if (r->want_fitted && fit.fitted && fit.residuals) {
        const size_t *offsets;
        const double *all;
        civ_panel_values(panel, &all, &offsets);
        size_t m = fit.n < n ? fit.n : n;
        /* A model that fitted a shorter stretch (e.g. the last contiguous
         * part) reports its values aligned with the end of the series. */
        size_t skip = n - m, at = offsets[i] - r->value_base + skip;
        memcpy(r->fitted + at, fit.fitted, m * sizeof *fit.fitted);
        memcpy(r->residuals + at, fit.residuals, m * sizeof *fit.residuals);
    }
    fs->status = CIV_OK;
    return CIV_OK;
}

/* Undoes a partial success of series i (a panel index) so that a failure
 * leaves NaN outputs. */
static void clear_series(civ_forecast_result *r, const civ_panel *panel, size_t i)
{
    size_t h = r->h, plane = r->n_series * h, k = i - r->first;
    for (size_t j = 0; j < h; j++) {
        r->mean[k * h + j] = NAN;
        for (size_t l = 0; l < r->n_levels; l++)
            r->lower[l * plane + k * h + j] = r->upper[l * plane + k * h + j] = NAN;
    }
    civ_forecast_series *fs = &r->series[k];
    free(fs->values);
    free(fs->names);
    fs->values = NULL;
    fs->names = NULL;
    fs->n_report = fs->n_states = 0;
    fs->loglik = fs->aic = fs->aicc = fs->bic = fs->sigma2 = NAN;
    fs->n_params = 0;
    if (r->want_fitted) {
        const size_t *offsets;
        const double *all;
        civ_panel_values(panel, &all, &offsets);
        for (size_t t = offsets[i]; t < offsets[i + 1]; t++)
            r->fitted[t - r->value_base] = r->residuals[t - r->value_base] = NAN;
    }
}

/* ---- the batch ------------------------------------------------------------------- */

static civ_status check_options(const civ_panel *panel, const civ_forecast_options *opt)
{
    civ_where w = {.field = "levels"};
    if (opt->n_levels && !opt->levels)
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "%zu levels but no level array", opt->n_levels);
    for (size_t l = 0; l < opt->n_levels; l++) {
        double v = opt->levels[l];
        if (v > 0.0 && v < 1.0) /* 0.95, as sktime and darts write levels */
            return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w,
                               "level %g is a fraction but levels are percentages in (0, 100): did you mean %g?", v,
                               v * 100.0);
        if (!(v > 0.0 && v < 100.0))
            return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "level %g is not a percentage in (0, 100)", v);
        for (size_t k = 0; k < l; k++)
            if (opt->levels[k] == v)
                return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "level %g is given twice", v);
    }
    if (opt->threads < 0) {
        w.field = "threads";
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "threads must be 0 (default) or positive, got %d",
                           opt->threads);
    }
    if (opt->criterion < CIV_CRITERION_AICC || opt->criterion > CIV_CRITERION_BIC) {
        w.field = "criterion";
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "unknown criterion %d", opt->criterion);
    }
    if (opt->n_paths > 100000000u) {
        w.field = "n_paths";
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "n_paths %zu is over the limit of 100000000", opt->n_paths);
    }
    if (opt->nonnegative < -1 || opt->nonnegative > 1) {
        w.field = "nonnegative";
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "nonnegative must be -1 (auto), 0 or 1, got %d",
                           opt->nonnegative);
    }
    if (opt->horizon > 100000u) {
        w.field = "horizon";
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "horizon %zu is over the limit of 100000", opt->horizon);
    }
    if (opt->n_xreg && opt->intervals == CIV_INTERVALS_CONFORMAL) {
        w.field = "intervals";
        return civ_fail_at(CIV_ERR_UNSUPPORTED, &w, "conformal intervals with covariates (xreg) are not supported: "
                           "use model intervals");
    }
    if (opt->n_xreg && !opt->xreg) {
        w.field = "xreg";
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "%zu covariates but no name array", opt->n_xreg);
    }
    if (opt->intervals < CIV_INTERVALS_DEFAULT || opt->intervals > CIV_INTERVALS_CONFORMAL) {
        w.field = "intervals";
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "intervals must be 0 (default), 1 (model) or 2 (conformal), "
                           "got %d", opt->intervals);
    }
    if (opt->conformal_windows > 1000u) {
        w.field = "conformal_windows";
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "conformal_windows %zu is over the limit of 1000",
                           opt->conformal_windows);
    }
    if (opt->conformal_step > 1000u) {
        w.field = "conformal_step";
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "conformal_step %zu is over the limit of 1000 periods",
                           opt->conformal_step);
    }
    if (opt->conformal_refit < CIV_CONFORMAL_REFIT_DEFAULT || opt->conformal_refit > CIV_CONFORMAL_REFIT_FIXED) {
        w.field = "conformal_refit";
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w,
                           "conformal_refit must be 0 (default), 1 (search) or 2 (fixed), got %d",
                           opt->conformal_refit);
    }
    (void)panel;
    return CIV_OK;
}

civ_status civ_forecast_check_options(const civ_forecast_options *opt) { return check_options(NULL, opt); }

/* The panel's covariate index of each of opt->xreg, in a new array
 * (*index, the caller frees it). */
static civ_status resolve_xreg(const civ_panel *panel, const civ_forecast_options *opt, size_t **index)
{
    size_t *ix = malloc(opt->n_xreg * sizeof *ix);
    if (!ix)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for covariate names");
    for (size_t c = 0; c < opt->n_xreg; c++) {
        if (!opt->xreg[c] || civ_panel_find_covariate(panel, opt->xreg[c], &ix[c]) != CIV_OK) {
            civ_where w = {.field = opt->xreg[c] ? opt->xreg[c] : "xreg"};
            free(ix);
            return civ_fail_at(CIV_ERR_NOT_FOUND, &w, "the panel has no covariate '%s'",
                               opt->xreg[c] ? opt->xreg[c] : "(null)");
        }
    }
    *index = ix;
    return CIV_OK;
}

/* What a batch holds across its chunks: the resolved options, the thread
 * workspaces and the progress over the whole panel. */
typedef struct batch_run {
    batch b;
    civ_team team;
    civ_ticker ticker;
    size_t N;
    double t0;
} batch_run;

/* Checks the options and sets up the batch: horizon, covariates, one
 * workspace per thread, OpenBLAS at one thread (batch_end undoes it). */
static civ_status batch_begin(batch_run *br, const civ_panel *panel, const civ_forecast_options *opt,
                              const civ_model_type *type, const void *config, size_t max_chunk)
{
    civ_status st = check_options(panel, opt);
    if (st)
        return st;
    br->t0 = omp_get_wtime();
    br->N = civ_panel_n_series(panel);
    int m = civ_frequency_season_length(civ_panel_frequency(panel));
    size_t h = opt->horizon ? opt->horizon : (m > 1 ? 2u * (size_t)m : 10u);
    br->b = (batch){.panel = panel, .opt = opt, .type = type, .config = config, .h = h};
    br->b.model_options.criterion = (civ_criterion)opt->criterion;
    br->b.model_options.n_paths = (int)opt->n_paths;
    br->b.model_options.calibrated = opt->intervals == CIV_INTERVALS_CONFORMAL;
    br->b.xreg_index = NULL;
    if (opt->n_xreg && (st = resolve_xreg(panel, opt, &br->b.xreg_index)))
        return st;
    if ((st = civ_team_begin(&br->team, opt->threads, max_chunk)) != CIV_OK) {
        free(br->b.xreg_index);
        return st;
    }
    civ_ticker_start(&br->ticker, opt->progress, opt->progress_user, br->N);
    return CIV_OK;
}

static void batch_end(batch_run *br)
{
    civ_team_end(&br->team);
    free(br->b.xreg_index);
}

/* Forecasts the series r->first .. r->first + r->n_series - 1 into r, in
 * parallel over series; once the progress callback asks to stop, the series
 * not yet started are skipped (civ_ticker_verdict tells the caller). */
static void batch_chunk(batch_run *br, civ_forecast_result *r)
{
    batch *b = &br->b;
    b->result = r;
    const civ_forecast_options *opt = b->opt;
    const civ_panel *panel = b->panel;
    long long first = (long long)r->first, last = first + (long long)r->n_series;
    int threads = (size_t)br->team.threads > r->n_series ? (int)(r->n_series ? r->n_series : 1) : br->team.threads;
#pragma omp parallel num_threads(threads)
    {
        civ_workspace *my = &br->team.ws[omp_get_thread_num()];
#pragma omp for schedule(dynamic, 1)
        for (long long ii = first; ii < last; ii++) {
            size_t i = (size_t)ii;
            if (civ_ticker_stopped(&br->ticker))
                continue;
            civ_arena_reset(&my->arena);
            gsl_rng_set(my->rng, (unsigned long)civ_forecast_series_seed(opt->seed, panel->ids[i]));
            civ_clear_error();
            r->series[i - r->first].adi = r->series[i - r->first].cv2 = NAN;
            civ_status s = run_series(b, i, my);
            if (s != CIV_OK) {
                clear_series(r, panel, i);
                record_failure(r, i, s);
            }
            civ_ticker_tick(&br->ticker);
        }
    }
    r->n_failed = 0;
    for (size_t k = 0; k < r->n_series; k++)
        r->n_failed += r->series[k].status != CIV_OK;
    r->seconds = omp_get_wtime() - br->t0;
}

/* Makes r hold the chunk of `count` series from `first`: per-series records
 * freed, outputs NaN (a result allocated for at least `count` series). */
static void chunk_reset(civ_forecast_result *r, const civ_panel *panel, size_t first, size_t count)
{
    for (size_t k = 0; k < r->n_series; k++) {
        free(r->series[k].message);
        free(r->series[k].values);
        free(r->series[k].names);
    }
    memset(r->series, 0, count * sizeof *r->series);
    const size_t *offsets;
    const double *values;
    civ_panel_values(panel, &values, &offsets);
    r->first = first;
    r->n_series = count;
    r->value_base = offsets[first];
    r->n_values = offsets[first + count] - offsets[first];
    size_t cells = count * r->h;
    for (size_t j = 0; j < cells; j++)
        r->mean[j] = NAN;
    for (size_t j = 0; j < cells * r->n_levels; j++)
        r->lower[j] = r->upper[j] = NAN;
    for (size_t j = 0; r->want_fitted && j < r->n_values; j++)
        r->fitted[j] = r->residuals[j] = NAN;
}

civ_status civ_forecast_panel_with_type(const civ_panel *panel, const civ_forecast_options *opt,
                                        const civ_model_type *type, const void *config, civ_forecast_result **out)
{
    if (!panel || !type || !config || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_forecast_panel: NULL argument");
    civ_forecast_options defaults;
    if (!opt) {
        civ_forecast_options_init(&defaults);
        opt = &defaults;
    }
    size_t N = civ_panel_n_series(panel);
    batch_run br;
    civ_status st = batch_begin(&br, panel, opt, type, config, N);
    if (st)
        return st;
    const size_t *offsets;
    const double *values;
    civ_panel_values(panel, &values, &offsets);
    civ_forecast_result *r = NULL;
    civ_conformal_plan plan = {0};
    civ_backtest_result *windows = NULL;
    st = result_alloc(N, br.b.h, opt->levels, opt->n_levels, opt->want_fitted != 0, offsets[N], &r);
    if (!st && opt->intervals == CIV_INTERVALS_CONFORMAL && opt->n_levels && civ_conformal_fixed(opt) &&
        !(st = civ_conformal_panel_plan(panel, opt, br.b.h, &plan)))
        st = civ_backtest_result_alloc(1, N, plan.K, br.b.h, plan.S, opt->levels, opt->n_levels, &windows);
    if (st) {
        civ_forecast_result_free(r);
        civ_conformal_plan_free(&plan);
        batch_end(&br);
        return st;
    }
    br.b.plan = &plan;
    br.b.windows = windows;
    batch_chunk(&br, r);
    batch_end(&br);
    st = civ_ticker_verdict(&br.ticker, "series");
    /* Conformal intervals are calibrated over the whole panel, after every
     * series is forecast (hence no chunked conformal run). */
    if (!st && opt->intervals == CIV_INTERVALS_CONFORMAL)
        st = civ_conformal_apply(panel, opt, type, config, windows, r);
    civ_conformal_plan_free(&plan);
    civ_backtest_result_free(windows);
    if (st) {
        civ_forecast_result_free(r);
        return st;
    }
    r->n_failed = 0;
    for (size_t i = 0; i < N; i++)
        r->n_failed += r->series[i].status != CIV_OK;
    civ_ticker_finish(&br.ticker);
    r->seconds = omp_get_wtime() - br.t0;
    civ_clear_error();
    *out = r;
    return CIV_OK;
}

/* The most values any `chunk` consecutive series of the panel hold (the
 * fitted arrays of a reused chunk result must hold them). */
static size_t max_chunk_values(const civ_panel *panel, size_t chunk)
{
    const size_t *offsets;
    const double *values;
    civ_panel_values(panel, &values, &offsets);
    size_t N = civ_panel_n_series(panel), most = 0;
    for (size_t a = 0; a < N; a += chunk) {
        size_t b = a + chunk < N ? a + chunk : N;
        if (offsets[b] - offsets[a] > most)
            most = offsets[b] - offsets[a];
    }
    return most;
}

civ_status civ_forecast_chunks_with_type(const civ_panel *panel, const civ_forecast_options *opt,
                                         const civ_model_type *type, const void *config, size_t chunk_series,
                                         civ_forecast_chunk_fn on_chunk, void *user)
{
    if (!panel || !type || !config || !on_chunk)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_forecast_panel_chunks: NULL argument");
    civ_forecast_options defaults;
    if (!opt) {
        civ_forecast_options_init(&defaults);
        opt = &defaults;
    }
    if (opt->intervals == CIV_INTERVALS_CONFORMAL) {
        civ_where w = {.field = "intervals"};
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w,
                           "conformal intervals are calibrated over the whole panel and cannot be forecast in "
                           "chunks: use civ_forecast_panel, or civ_forecast_panel_write (which runs them whole)");
    }
    size_t N = civ_panel_n_series(panel);
    size_t chunk = chunk_series ? chunk_series : CIV_FORECAST_DEFAULT_CHUNK;
    if (chunk > N)
        chunk = N > 0 ? N : 1;
    batch_run br;
    civ_status st = batch_begin(&br, panel, opt, type, config, chunk);
    if (st)
        return st;
    civ_forecast_result *r = NULL;
    st = result_alloc(chunk, br.b.h, opt->levels, opt->n_levels, opt->want_fitted != 0,
                      opt->want_fitted ? max_chunk_values(panel, chunk) : 0, &r);
    if (st) {
        batch_end(&br);
        return st;
    }
    r->n_series = 0;
    r->is_chunk = 1;
    for (size_t first = 0; first < N && !st; first += chunk) {
        chunk_reset(r, panel, first, first + chunk <= N ? chunk : N - first);
        batch_chunk(&br, r);
        civ_clear_error();
        if (!(st = civ_ticker_verdict(&br.ticker, "series"))) /* a stopped chunk is incomplete: not delivered */
            st = on_chunk(r, user);
    }
    batch_end(&br);
    civ_forecast_result_free(r);
    if (!st)
        civ_ticker_finish(&br.ticker);
    if (!st)
        civ_clear_error();
    return st;
}

/* The model opt names (opt->model, default "auto") resolved to its type and config. */
static civ_status resolve_model(const civ_forecast_options *opt, const civ_model_type **type, unsigned char *config)
{
    return civ_model_resolve(opt && opt->model ? opt->model : "auto", type, config);
}

civ_status civ_forecast_panel_chunks(const civ_panel *panel, const civ_forecast_options *opt, size_t chunk_series,
                                     civ_forecast_chunk_fn on_chunk, void *user)
{
    if (!panel || !on_chunk)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_forecast_panel_chunks: NULL argument");
    const civ_model_type *type;
    _Alignas(max_align_t) unsigned char config[CIV_MODEL_CONFIG_MAX];
    civ_status st = resolve_model(opt, &type, config);
    if (st)
        return st;
    return civ_forecast_chunks_with_type(panel, opt, type, config, chunk_series, on_chunk, user);
}

civ_status civ_forecast_panel(const civ_panel *panel, const civ_forecast_options *opt, civ_forecast_result **out)
{
    if (!panel || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_forecast_panel: NULL argument");
    const civ_model_type *type;
    _Alignas(max_align_t) unsigned char config[CIV_MODEL_CONFIG_MAX];
    civ_status st = resolve_model(opt, &type, config);
    if (st)
        return st;
    return civ_forecast_panel_with_type(panel, opt, type, config, out);
}

/* ---- accessors ---------------------------------------------------------------------- */

size_t civ_forecast_result_n_series(const civ_forecast_result *r) { return r ? r->n_series : 0; }
size_t civ_forecast_result_first(const civ_forecast_result *r) { return r ? r->first : 0; }
size_t civ_forecast_result_horizon(const civ_forecast_result *r) { return r ? r->h : 0; }
size_t civ_forecast_result_n_levels(const civ_forecast_result *r) { return r ? r->n_levels : 0; }
const double *civ_forecast_result_levels(const civ_forecast_result *r) { return r ? r->levels : NULL; }
size_t civ_forecast_result_n_failed(const civ_forecast_result *r) { return r ? r->n_failed : 0; }
size_t civ_forecast_result_n_uncalibrated(const civ_forecast_result *r) { return r ? r->n_uncalibrated : 0; }
double civ_forecast_result_seconds(const civ_forecast_result *r) { return r ? r->seconds : NAN; }

civ_status civ_forecast_result_status(const civ_forecast_result *r, size_t i)
{
    if (!r || i >= r->n_series)
        return CIV_ERR_INVALID_ARGUMENT;
    return r->series[i].status;
}

const char *civ_forecast_result_message(const civ_forecast_result *r, size_t i)
{
    if (!r || i >= r->n_series || !r->series[i].message)
        return "";
    return r->series[i].message;
}

const char *civ_forecast_result_model(const civ_forecast_result *r, size_t i)
{
    if (!r || i >= r->n_series)
        return "";
    return r->series[i].model;
}

const double *civ_forecast_result_mean(const civ_forecast_result *r) { return r ? r->mean : NULL; }

const double *civ_forecast_result_lower(const civ_forecast_result *r, size_t l)
{
    return r && l < r->n_levels ? r->lower + l * r->n_series * r->h : NULL;
}

const double *civ_forecast_result_upper(const civ_forecast_result *r, size_t l)
{
    return r && l < r->n_levels ? r->upper + l * r->n_series * r->h : NULL;
}

civ_status civ_forecast_result_demand(const civ_forecast_result *r, size_t i, double *adi, double *cv2,
                                      civ_demand_class *cls)
{
    if (!r || !cls || i >= r->n_series)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_forecast_result_demand: NULL argument or series %zu out of "
                                                  "range", i);
    *cls = r->series[i].demand;
    if (adi)
        *adi = r->series[i].adi;
    if (cv2)
        *cv2 = r->series[i].cv2;
    return CIV_OK;
}
