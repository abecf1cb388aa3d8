/*
 * fit_one.c -- layer: forecast.  One series (or one backtest window of it)
 * through a model type: the checks before the fit, the fit, the forecast and
 * the checks and non-negative clamp after it.  The batch driver (driver.c),
 * the backtest (backtest.c) and the conformal intervals (conformal.c) all
 * forecast through these two functions, so a window of a backtest is forecast
 * exactly as the batch would forecast that stretch of the series alone.
 */
#include <math.h>
#include <string.h>

#include "error.h"
#include "forecast.h"

civ_status civ_forecast_scan(const civ_series *s, int nonnegative_option, int *nonnegative)
{
    size_t observed = 0;
    int negative = 0;
    for (size_t t = 0; t < s->n; t++) {
        if (!isnan(s->y[t])) {
            observed++;
            negative |= s->y[t] < 0.0;
        }
    }
    if (observed == 0) {
        civ_where w = {.series_id = s->id};
        return civ_fail_at(CIV_ERR_TOO_SHORT, &w, "the series has no observed value");
    }
    *nonnegative = nonnegative_option < 0 ? !negative : nonnegative_option != 0;
    return CIV_OK;
}

/* The forecast of a fitted model, its checks and the non-negative clamp. */
static civ_status forecast_checked(const civ_model_type *type, civ_model_fit *fit, const civ_series *s,
                                   int nonnegative, size_t h, const double *levels, size_t L, civ_workspace *ws,
                                   double *mean, double *lower, double *upper)
{
    civ_where w = {.series_id = s->id};
    civ_status st;
    fit->type = type;
    fit->nonnegative = nonnegative;

    for (size_t j = 0; j < L * h; j++)
        lower[j] = upper[j] = NAN;
    if ((st = type->forecast(fit, s, h, levels, L, ws, mean, L ? lower : NULL, L ? upper : NULL)) != CIV_OK)
        return st;
    for (size_t j = 0; j < h; j++)
        if (!isfinite(mean[j]))
            return civ_fail_at(CIV_ERR_NUMERIC, &w, "%s gave a non-finite point forecast at h=%zu", fit->name, j + 1);
    for (size_t j = 0; j < L * h; j++)
        if (isinf(lower[j]) || isinf(upper[j]))
            return civ_fail_at(CIV_ERR_NUMERIC, &w, "%s gave an infinite interval bound at h=%zu", fit->name,
                               j % h + 1);

    /* Non-negative series: max(0, .) of the mean and of each bound.  Since
     * x -> max(0, x) is monotone, the clamped bounds are exactly the quantiles
     * of the censored forecast distribution max(0, Y). */
    if (nonnegative) {
        for (size_t j = 0; j < h; j++)
            if (mean[j] < 0.0)
                mean[j] = 0.0;
        for (size_t j = 0; j < L * h; j++) {
            if (lower[j] < 0.0)
                lower[j] = 0.0;
            if (upper[j] < 0.0)
                upper[j] = 0.0;
        }
    }
    return CIV_OK;
}

civ_status civ_forecast_buffers(civ_workspace *ws, size_t h, size_t L, const char *what, double **mean,
                                double **lower, double **upper)
{
    *mean = civ_arena_doubles(&ws->arena, h);
    *lower = civ_arena_doubles(&ws->arena, L * h + 1);
    *upper = civ_arena_doubles(&ws->arena, L * h + 1);
    if (!*mean || !*lower || !*upper)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for %s", what);
    return CIV_OK;
}

civ_status civ_forecast_fit_one(const civ_model_type *type, const void *config, const civ_model_options *mo,
                                const civ_series *s, int nonnegative, size_t h, const double *levels, size_t L,
                                civ_workspace *ws, civ_model_fit *fit, double *mean, double *lower, double *upper)
{
    return civ_forecast_refit_one(type, config, NULL, mo, s, nonnegative, h, levels, L, ws, fit, mean, lower, upper);
}

civ_status civ_forecast_refit_one(const civ_model_type *type, const void *config, const civ_model_fit *like,
                                  const civ_model_options *mo, const civ_series *s, int nonnegative, size_t h,
                                  const double *levels, size_t L, civ_workspace *ws, civ_model_fit *fit,
                                  double *mean, double *lower, double *upper)
{
    memset(fit, 0, sizeof *fit);
    fit->type = type;
    fit->nonnegative = nonnegative;
    civ_status st = like && type->refit ? type->refit(like, config, mo, s, ws, fit) : type->fit(config, mo, s, ws, fit);
    if (st != CIV_OK)
        return st;
    return forecast_checked(type, fit, s, nonnegative, h, levels, L, ws, mean, lower, upper);
}

void civ_forecast_round_bounds(double *lower, double *upper, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        lower[j] = floor(lower[j]);
        upper[j] = ceil(upper[j]);
    }
}
