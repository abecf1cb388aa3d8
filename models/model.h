/*
 * model.h -- layer: models.  The forecasting model interface.
 *
 * Each model family (baselines, ETS, Theta, later ARIMA) is a *type object*: a
 * const civ_model_type with function pointers and parameter metadata, in the
 * manner of GSL's solver types.  Automatic selection, the batch driver, the
 * CLI and the Python layer go through this interface and never switch on
 * model names: the registry (registry.c) asks each type to parse a spec.
 *
 * Memory: every per-series allocation comes from the caller's civ_workspace
 * arena (arena.h), reset by the batch driver between series, so fitting a
 * series never calls malloc once the arena is warm, and a fit needs no free:
 * a civ_model_fit and everything it points to live until the next reset.
 *
 * Threads: a type object is immutable and shared; a workspace belongs to one
 * thread.  Results must not depend on which thread runs a series: randomness
 * comes only from ws->rng, which the driver seeds from (seed, series id).
 */
#ifndef CIV_MODEL_H
#define CIV_MODEL_H

#include <gsl/gsl_rng.h>

#include "arena.h"
#include "civicast.h"

/* One series as a model sees it. */
typedef struct civ_series {
    const char *id;          /* for error messages */
    const double *y;         /* n values, NaN = missing */
    size_t n;
    int period;              /* seasonal period m (1 = none): 1, 4, 12, 52, 7 */
    /* Regressors (covariates) aligned with y; each has xreg_len >= n values,
     * the ones after n being future values for the horizon.  May be 0. */
    const double *const *xreg;
    const char *const *xreg_names;
    size_t n_xreg;
    size_t xreg_len;
} civ_series;

/* Per-thread scratch: an arena and a random generator.  Owned by the driver. */
typedef struct civ_workspace {
    civ_arena arena;
    gsl_rng *rng;            /* gsl_rng_mt19937, reseeded per series by the driver */
} civ_workspace;

/* Metadata of one model parameter (for docs, reports and the bindings). */
typedef struct civ_param_info {
    const char *name;        /* "alpha", "beta", "gamma", "phi", "theta", ... */
    const char *description;
    double lower, upper;     /* admissible range as used by the optimiser */
} civ_param_info;

/* Criteria for automatic selection. */
typedef enum civ_criterion { CIV_CRIT_AICC = 0, CIV_CRIT_AIC = 1, CIV_CRIT_BIC = 2 } civ_criterion;

/* Options every family may read; zero-initialised means defaults. */
typedef struct civ_model_options {
    civ_criterion criterion; /* selection criterion (default AICc) */
    int n_paths;             /* sample paths for simulated intervals (0 = 5000) */
    int calibrated;          /* 1: the intervals will be recalibrated (conformal), in the
                                backtest windows and the forecast alike: models give their
                                own widths, without floors (auto's short-history floor) */
} civ_model_options;

typedef struct civ_model_type civ_model_type;

/* A fitted model.  Filled by type->fit; all arrays point into the arena. */
typedef struct civ_model_fit {
    const civ_model_type *type;
    char name[128];          /* e.g. "ETS(M,Ad,M)", "Theta", "Combo[ETS(A,N,A),ARIMA(0,1,1)(0,1,1)[12],Theta]" */
    double loglik, aic, aicc, bic, sigma2; /* NaN where not defined */
    size_t n_params;         /* estimated parameters (as counted for the ICs) */
    const char **param_names; double *params; size_t n_report_params; /* reported parameter values */
    const char **state_names; double *states; size_t n_states;         /* initial states */
    double *fitted;          /* n one-step fitted values (NaN where undefined) */
    double *residuals;       /* n residuals y - fitted (response scale) */
    size_t n;                /* length of the series fitted */
    int nonnegative;         /* the series had no negative value (set by driver) */
    void *state;             /* family-private, in the arena */
} civ_model_fit;

struct civ_model_type {
    const char *family;      /* short, lower case: "ets", "theta", "naive" */
    const char *summary;     /* one line for --help */
    const char *spec_help;   /* the specs it accepts, e.g. "ets | ETS(E,T,S) with E in A,M ..." */
    const civ_param_info *params;
    size_t n_params;
    size_t config_size;      /* bytes of the parsed spec (<= CIV_MODEL_CONFIG_MAX) */

    /* Parses a model spec.  Returns CIV_OK and fills config when the spec is
     * this family's; CIV_ERR_NOT_FOUND, WITHOUT recording an error, when it is
     * not; CIV_ERR_SPEC with a message when it is this family's but malformed. */
    civ_status (*parse)(const char *spec, void *config);

    /* Fits the model to a series.  Returns CIV_ERR_TOO_SHORT (with a message
     * naming the needed length) when the series cannot support it, CIV_ERR_DOMAIN
     * for data the model cannot take (e.g. multiplicative with y <= 0),
     * CIV_ERR_NUMERIC when optimisation fails. */
    civ_status (*fit)(const void *config, const civ_model_options *options, const civ_series *series,
                      civ_workspace *ws, civ_model_fit *fit);

    /* Point forecasts mean[0..h) and, for each of n_levels levels (percent, e.g.
     * 80, 95), bounds lower[l*h + j], upper[l*h + j].  lower/upper may be NULL
     * when n_levels is 0.  The series is passed again for regressors' future
     * values.  Intervals: analytic where the family has closed forms, else
     * from simulate() with ws->rng. */
    civ_status (*forecast)(const civ_model_fit *fit, const civ_series *series, size_t h, const double *levels,
                           size_t n_levels, civ_workspace *ws, double *mean, double *lower, double *upper);

    /* Simulates n_paths future sample paths of length h into paths[p*h + j],
     * using ws->rng.  May be NULL for families without a generative model. */
    civ_status (*simulate)(const civ_model_fit *fit, const civ_series *series, size_t h, size_t n_paths,
                           civ_workspace *ws, double *paths);

    /* Fits the series with the structure `like` chose (a fit of this type
     * with the same config, still in the arena): the ETS form, the ARIMA
     * orders with their mean or drift, a combination's members, auto's route,
     * with the parameters estimated afresh on `series` (conformal intervals'
     * calibration windows, conformal.c).  Where that structure cannot be
     * fitted (e.g. the series is too short for it) the family falls back to
     * its search, as fit would.  NULL for families without a search: fit is
     * used.  Errors as fit. */
    civ_status (*refit)(const civ_model_fit *like, const void *config, const civ_model_options *options,
                        const civ_series *series, civ_workspace *ws, civ_model_fit *fit);
};

#define CIV_MODEL_CONFIG_MAX 256

/* ---- registry (registry.c) ---- */

/* All model types, in the order specs are tried. NULL-terminated. */
extern const civ_model_type *const civ_model_types[];

/* Resolves a spec ("auto", "ets", "ETS(A,Ad,M)", "theta", "naive", ...) to a
 * type and its parsed config (config must hold CIV_MODEL_CONFIG_MAX bytes).
 * Errors: CIV_ERR_SPEC with the list of accepted specs. */
civ_status civ_model_resolve(const char *spec, const civ_model_type **type, void *config);

/* statsforecast's name of a spec ("ets" -> "AutoETS", "theta" -> "Theta",
 * case-insensitive), or NULL when it has none (fixed specs such as
 * "ETS(A,N,N)" keep their own text).  Static storage. */
const char *civ_model_alias(const char *spec);

/* Quantile of the standard normal for a two-sided level in percent:
 * z such that P(|Z| <= z) = level/100 (gsl_cdf_ugaussian_Pinv). */
double civ_normal_quantile_for_level(double level);

/* Information criteria from a log-likelihood with k parameters and n
 * observations: aic = -2 loglik + 2k, aicc = aic + 2k(k+1)/(n-k-1) (NaN when
 * n-k-1 <= 0), bic = -2 loglik + k log n.  Fills fit->aic/aicc/bic. */
void civ_fit_set_criteria(civ_model_fit *fit, double loglik, size_t k, size_t n_used);

/* Quantile intervals from simulated paths[p*h + j]: for each level, the
 * (1-level)/2 and (1+level)/2 sample quantiles (R type 7) per horizon.
 * Uses selection on a scratch copy from the arena (expected O(n_paths)). */
civ_status civ_intervals_from_paths(const double *paths, size_t n_paths, size_t h, const double *levels,
                                    size_t n_levels, civ_workspace *ws, double *lower, double *upper);

#endif
