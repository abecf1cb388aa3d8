/*
 * forecast.h -- layer: forecast.  Internal entry points of the batch forecasting driver
 * (driver.c) and the layout of civ_forecast_result shared with the output
 * tables (output.c).
 */
#ifndef CIV_FORECAST_H
#define CIV_FORECAST_H

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
} civ_forecast_series;

struct civ_forecast_result {
    size_t n_series, h, n_levels;
    double *levels;         /* n_levels */
    double *mean;           /* n_series * h */
    double *lower, *upper;  /* n_levels * n_series * h: level l at [l * n_series * h] */
    civ_forecast_series *series;
    size_t n_failed;
    double seconds;
    int want_fitted;
    size_t n_values;        /* panel values in total (fitted arrays' length) */
    double *fitted, *residuals; /* n_values, laid out as the panel's values */
};

/* civ_forecast_panel with an already resolved model type and parsed config
 * (the registry is bypassed; used by the tests to drive their own types). */
civ_status civ_forecast_panel_with_type(const civ_panel *panel, const civ_forecast_options *opt,
                                        const civ_model_type *type, const void *config, civ_forecast_result **out);

/* The generator seed of the series with id `id` in a batch seeded with
 * `seed`: one SplitMix64 step (Steele, Lea & Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014) from seed + (FNV-1a(id)+1) *
 * golden ratio, so similar ids get unrelated mt19937 seeds and a series'
 * draws do not depend on its position in the panel. */
uint64_t civ_forecast_series_seed(uint64_t seed, const char *id);

#endif
