/*
 * forecast.h -- layer: forecast.  Internal entry points of the batch forecasting driver
 * (driver.c) and the layout of civ_forecast_result shared with the output
 * tables (output.c).
 */
#ifndef CIV_FORECAST_H
#define CIV_FORECAST_H

#include <stdatomic.h>

#include "civicast.h"
#include "model.h"

/* What one series left behind. */
typedef struct civ_forecast_series {
    civ_status status;
    char *message;          /* malloc'd one-line failure message, NULL when ok */
    char model[128];        /* fit->name, "" when failed */
    double loglik, aic, aicc, bic, sigma2;
    size_t n;               /* observations the model saw */
    size_t n_params;        /* parameters counted by the information criteria */
    size_t n_report, n_states;
    double *values;         /* malloc'd: n_report parameter values then n_states states */
    char *names;            /* malloc'd: n_report + n_states NUL-terminated names back to back */
    double adi, cv2;        /* demand classification of the observed values (NaN if undefined) */
    civ_demand_class demand;
    size_t uncalibrated;    /* conformal runs: (step, level) cells that kept the model's interval */
} civ_forecast_series;

struct civ_forecast_result {
    size_t first;           /* panel index of series 0: a chunk covers first .. first + n_series - 1 */
    size_t value_base;      /* panel offset of the chunk's first value (fitted arrays start there) */
    int is_chunk;           /* one chunk of civ_forecast_panel_chunks (the panel holds more series) */
    size_t n_series, h, n_levels;
    double *levels;         /* n_levels */
    double *mean;           /* n_series * h */
    double *lower, *upper;  /* n_levels * n_series * h: level l at [l * n_series * h] */
    civ_forecast_series *series;
    size_t n_failed;
    size_t n_uncalibrated;  /* conformal runs: series that kept the model's interval somewhere (conformal.c) */
    int conformal;          /* the intervals were calibrated (conformal.c): the report says per series */
    double seconds;
    int want_fitted;
    size_t n_values;        /* panel values of the chunk's series (fitted arrays' length) */
    double *fitted, *residuals; /* n_values, laid out as the panel's values */
};

/* civ_forecast_panel with an already resolved model type and parsed config
 * (the registry is bypassed; used by the tests to drive their own types). */
civ_status civ_forecast_panel_with_type(const civ_panel *panel, const civ_forecast_options *opt,
                                        const civ_model_type *type, const void *config, civ_forecast_result **out);

/* civ_forecast_panel_chunks with a resolved type and config (as above). */
civ_status civ_forecast_chunks_with_type(const civ_panel *panel, const civ_forecast_options *opt,
                                         const civ_model_type *type, const void *config, size_t chunk_series,
                                         civ_forecast_chunk_fn on_chunk, void *user);

/* The generator seed of the series with id `id` in a batch seeded with
 * `seed`: one SplitMix64 step (Steele, Lea & Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014) from seed + (FNV-1a(id)+1) *
 * golden ratio, so similar ids get unrelated mt19937 seeds and a series'
 * draws do not depend on its position in the panel. */
uint64_t civ_forecast_series_seed(uint64_t seed, const char *id);

/* The option checks of civ_forecast_panel (levels, threads, criterion, ...). */
civ_status civ_forecast_check_options(const civ_forecast_options *opt);

/* ---- one series (fit_one.c) ---- */

/* Checks that s has an observed value (else CIV_ERR_TOO_SHORT) and decides
 * whether it is forecast as non-negative under civ_forecast_options.nonnegative
 * (-1 auto: no negative observation; 0 off; 1 on). */
civ_status civ_forecast_scan(const civ_series *s, int nonnegative_option, int *nonnegative);

/* Fits type/config to s and forecasts h steps with intervals at levels[L]
 * into mean[h], lower[L*h], upper[L*h] (caller's buffers, e.g. from the
 * arena): the fit, the finiteness checks and the non-negative clamp of the
 * batch.  *fit lives in ws's arena.  Errors: those of the family, and
 * CIV_ERR_NUMERIC for a non-finite forecast or an infinite bound. */
civ_status civ_forecast_fit_one(const civ_model_type *type, const void *config, const civ_model_options *mo,
                                const civ_series *s, int nonnegative, size_t h, const double *levels, size_t L,
                                civ_workspace *ws, civ_model_fit *fit, double *mean, double *lower, double *upper);

/* One forecast's buffers from ws's arena: mean[h], lower[L*h + 1] and
 * upper[L*h + 1] (the spare keeps L = 0 allocations non-empty).  Returns
 * CIV_ERR_OUT_OF_MEMORY ("out of memory for <what>") or CIV_OK. */
civ_status civ_forecast_buffers(civ_workspace *ws, size_t h, size_t L, const char *what, double **mean,
                                double **lower, double **upper);

/* civ_forecast_fit_one with the structure of `like` (a fit of the same type
 * and config in ws's arena): type->refit where the family has one, else
 * type->fit; like NULL is civ_forecast_fit_one. */
civ_status civ_forecast_refit_one(const civ_model_type *type, const void *config, const civ_model_fit *like,
                                  const civ_model_options *mo, const civ_series *s, int nonnegative, size_t h,
                                  const double *levels, size_t L, civ_workspace *ws, civ_model_fit *fit,
                                  double *mean, double *lower, double *upper);

/* civ_forecast_options.integer_bounds: lower[j] = floor, upper[j] = ceil for
 * j < n (outward, so an integer-valued count's interval keeps its coverage).
 * The caller applies it to non-negative series only. */
void civ_forecast_round_bounds(double *lower, double *upper, size_t n);

/* Adds to t the interval columns lo-<L> and hi-<L> of each level (L as R's paste() prints it: "80",
 * "97.5"), level by level: cols[2 l] the lower, cols[2 l + 1] the upper bound's index (output.c; shared by
 * the long forecasts and the backtest's windows). */
civ_status civ_forecast_add_level_columns(civ_table *t, const double *levels, size_t n_levels, size_t *cols);

/* ---- the thread team of a parallel loop (team.c) ---- */

/* A loop's threads, one workspace each (ws[omp_get_thread_num()]), and the
 * OpenBLAS thread count to restore when the loop ends. */
typedef struct civ_team {
    int threads;
    civ_workspace *ws;
    int blas_threads;
} civ_team;

/* Starts a team for `tasks` tasks: `requested` threads (<= 0: OpenMP's
 * maximum), at most one per task and at least one; allocates the
 * workspaces and pins OpenBLAS to one thread.  On CIV_ERR_OUT_OF_MEMORY
 * nothing is held and *team is zeroed.  End it with civ_team_end. */
civ_status civ_team_begin(civ_team *team, int requested, size_t tasks);

/* Restores OpenBLAS's thread count and frees the workspaces (their arenas
 * included); *team is zeroed. */
void civ_team_end(civ_team *team);

/* A team loop's progress and its stop (team.c): every thread counts the units
 * (series, backtest tasks) it finished with civ_ticker_tick; the team's
 * thread 0, which is the thread that called the library, reports them to the
 * caller's civ_progress_fn at most every 1% of the total or 100 ms, and once
 * the callback returns nonzero no thread starts another unit
 * (civ_ticker_stopped at the top of the loop body: the loop runs on, doing
 * nothing, since an OpenMP loop cannot be left).  The counters are atomic;
 * the report fields are thread 0's alone. */
typedef struct civ_ticker {
    civ_progress_fn fn; /* NULL: nothing reported, never stopped */
    void *user;
    size_t total, every, reported;
    double last;        /* omp_get_wtime() of the last report */
    atomic_size_t done;
    atomic_int stop;
} civ_ticker;

/* Starts counting towards `total` units. */
void civ_ticker_start(civ_ticker *t, civ_progress_fn fn, void *user, size_t total);

/* Nonzero once the callback asked to stop. */
int civ_ticker_stopped(civ_ticker *t);

/* One unit finished (any thread of the team); on thread 0, reports when due. */
void civ_ticker_tick(civ_ticker *t);

/* After the loop: CIV_ERR_CANCELLED (recorded: "stopped by the progress
 * callback after D of N <units>") when the callback asked to stop, else
 * CIV_OK.  `units` names what was counted ("series", "backtest windows"). */
civ_status civ_ticker_verdict(civ_ticker *t, const char *units);

/* The last report, done == total, once the work is complete (its return
 * value is ignored: the work is done). */
void civ_ticker_finish(civ_ticker *t);

/* ---- rolling-origin backtest (backtest.c) ---- */

/* Window k (0-based, oldest first) of a series of n values ends its training
 * part after civ_backtest_cutoff(n, h, K, step, k) values (may be <= 0: the
 * window does not exist and fails with CIV_ERR_TOO_SHORT). */
long long civ_backtest_cutoff(size_t n, size_t h, size_t windows, size_t step, size_t k);

/* The results of a backtest.  Task t = (m * n_series + i) * windows + k for
 * model m, series i, window k. */
struct civ_backtest_result {
    size_t n_models, n_series, windows, step, h, n_levels;
    double *levels;           /* n_levels */
    char (*models)[64];       /* n_models display names (civ_model_display_name) */
    civ_status *status;       /* per task */
    char **messages;          /* per task, malloc'd, NULL when ok */
    double *mean;             /* tasks * h: task t at [t*h, t*h + h) */
    double *lower, *upper;    /* n_levels * tasks * h: level l at [l * tasks * h] */
    size_t n_failed;
    size_t n_uncalibrated;    /* conformal windows that kept the model's interval somewhere */
    double seconds;
    double started;           /* civ_backtest_result_create's clock: seconds = the last set's - this */
};

/* Runs the backtest of M resolved models (types[m], configs[m], display
 * names[m]) over every series and window of the panel, in parallel over
 * tasks (model x series x window), with the settings of fopt (levels,
 * threads, seed, criterion, n_paths, nonnegative, progress: counted in
 * tasks).  Bit-identical for any thread count. */
civ_status civ_backtest_run(const civ_panel *panel, const civ_forecast_options *fopt, const civ_model_type *const *types,
                            const void *const *configs, const char *const *names, size_t M, size_t h, size_t windows,
                            size_t step, civ_backtest_result **out);

/* civ_backtest_run over the series i with sample[i] != 0 only (sample NULL:
 * every series); the other series' tasks are not run: status
 * CIV_ERR_NOT_FOUND, no message, NaN forecasts (conformal.c's calibration
 * sample). */
civ_status civ_backtest_run_sample(const civ_panel *panel, const civ_forecast_options *fopt,
                                   const civ_model_type *const *types, const void *const *configs,
                                   const char *const *names, size_t M, size_t h, size_t windows, size_t step,
                                   const unsigned char *sample, civ_backtest_result **out);

/* A backtest result of M models x N series x K windows of horizon h with
 * the levels[L], every forecast NaN and every status CIV_OK (conformal.c's
 * calibration windows fill one).  Free with civ_backtest_result_free. */
civ_status civ_backtest_result_alloc(size_t M, size_t N, size_t K, size_t h, size_t step, const double *levels,
                                     size_t L, civ_backtest_result **out);

/* Copies one window's forecasts mean[h] and bounds lower[L*h], upper[L*h]
 * (level l at [l*h]) into task t of r. */
void civ_backtest_store(civ_backtest_result *r, size_t t, const double *mean, const double *lower,
                        const double *upper);

/* ---- conformal intervals (conformal.c) ---- */

/* Replaces the intervals of every series of r that succeeded by conformal
 * intervals (docs/FORECASTING.md, "Conformal intervals"), calibrated on
 * `windows` (civ_conformal_refit_windows of every series, with
 * CIV_CONFORMAL_REFIT_FIXED) or, when windows is NULL, on a backtest of the
 * same model on the panel.  Called by the batch when opt->intervals asks for
 * them. */
civ_status civ_conformal_apply(const civ_panel *panel, const civ_forecast_options *opt, const civ_model_type *type,
                               const void *config, const civ_backtest_result *windows, civ_forecast_result *r);

/* 1 when opt's calibration windows refit the final models' structures
 * (CIV_CONFORMAL_REFIT_FIXED, itself or as the default), 0 when they search. */
int civ_conformal_fixed(const civ_forecast_options *opt);

/* Which calibration windows a conformal run fits: K per series, their
 * cutoffs S periods apart, on the series with sample[i] != 0. */
typedef struct civ_conformal_plan {
    size_t K, S;
    unsigned char *sample; /* one flag per series, malloc'd (civ_conformal_plan_free) */
} civ_conformal_plan;

/* The plan for N series of lengths len[i] (0: an empty series, no windows)
 * under opt's conformal settings and horizon h.  Errors: out of memory. */
civ_status civ_conformal_plan_init(const size_t *len, size_t N, const civ_forecast_options *opt, size_t h,
                                   civ_conformal_plan *plan);

/* civ_conformal_plan_init for the series of a panel. */
civ_status civ_conformal_panel_plan(const civ_panel *panel, const civ_forecast_options *opt, size_t h,
                                    civ_conformal_plan *plan);

void civ_conformal_plan_free(civ_conformal_plan *plan);

/* The calibration windows of series i (s, its values as the panel holds
 * them), whose final model `like` (type, config) is still in ws's arena:
 * window k of the plan refits like's structure (civ_forecast_refit_one) to
 * the series cut at civ_backtest_cutoff(s->n, h, K, S, k) and forecasts h
 * steps into task i*K + k of bt (one model, the panel's series, plan->K
 * windows, step plan->S; bt->levels).  A window that cannot be forecast
 * (too short, not in the sample, a failed fit) gets a non-OK status and
 * no score.  Returns CIV_OK, or CIV_ERR_OUT_OF_MEMORY. */
civ_status civ_conformal_refit_windows(const civ_conformal_plan *plan, const civ_model_type *type, const void *config,
                                       const civ_model_options *mo, const civ_model_fit *like, const civ_series *s,
                                       int nonnegative_option, civ_workspace *ws, civ_backtest_result *bt, size_t i);

/* The conformal factors (as civ_conformal_factors) from the windows bt of
 * one model on the panel's series (bt's horizon, levels, windows, step). */
civ_status civ_conformal_factors_from(const civ_panel *panel, const civ_backtest_result *bt, double **q);

/* The calibration windows per series of a conformal run on a panel of
 * n_series series with values: opt->conformal_windows, or the default (1;
 * ceil(50 / n_series), at most 10, below 50 series). */
size_t civ_conformal_windows(const civ_forecast_options *opt, size_t n_series);

/* The conformal factors of every series i of the panel, step j = 0..h-1 and
 * level l of opt->levels, at q[(i*h + j)*n_levels + l] (*q malloc'd, the
 * caller frees): a backtest of the model on the panel with opt's conformal
 * settings, scored and pooled by the rule of conformal.c; NaN where no pool
 * had enough scores (the model's interval is then kept).  opt->progress
 * counts that backtest's tasks. */
civ_status civ_conformal_factors(const civ_panel *panel, const civ_forecast_options *opt, const civ_model_type *type,
                                 const void *config, size_t h, double **q);

/* Rescales one forecast's intervals by its factors q[j*L + l]: the bound of
 * level l at step j is lower[l*stride + j] (upper alike), around mean[j];
 * then nests the levels, clamps at zero when nonnegative and, with
 * integer_bounds, rounds outward.  NaN bounds stay NaN; a NaN factor leaves
 * that bound as the model gave it. */
void civ_conformal_rescale(const double *mean, double *lower, double *upper, size_t stride, const double *levels,
                           size_t L, size_t h, const double *q, int nonnegative, int integer_bounds);

#endif
