/*
 * baselines.c -- layer: models.  Historic mean, naive, seasonal naive and random walk with
 * drift, computed as R's forecast package does (forecast 8.20):
 *
 *   meanf():  point forecast mean(y, na.rm); interval
 *             mean -+ t_{n-1, (1+level)/2} * sd(y) * sqrt(1 + 1/n), where n is
 *             the length of the series *including* missing values (R uses
 *             length(x)) and sd the sample standard deviation of the observed
 *             values (FPP2 section 3.5, table 3.8).
 *   lagwalk() (naive: lag 1; snaive: lag m; rwf drift: lag 1 + drift):
 *             a missing value is replaced by the value one lag earlier before
 *             the walk is formed; fitted[t] = y*[t - lag] (+ drift b, the mean
 *             of the lag differences, with standard error sd/sqrt(n_d));
 *             forecasts y*[n - lag + (j mod lag)] + k_j b with
 *             k_j = floor(j / lag) + 1 (j = 0, 1, ...); the variance
 *             mse k_j + (k_j se(b))^2 with mse = sum(res^2) / (n_res - [b != 0])
 *             and normal quantiles, exactly forecast.lagwalk().
 *
 * None of these has a likelihood in R, so loglik and the information criteria
 * are NaN.  Series that leave R with NaN intervals (too few observations) are
 * reported as CIV_ERR_TOO_SHORT instead.
 */
#include "baselines.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "c_locale.h"
#include "error.h"

enum { BL_MEAN = 1, BL_NAIVE = 2, BL_SNAIVE = 3, BL_DRIFT = 4 };

typedef struct bl_config {
    int kind;
} bl_config;

/* What forecast() and simulate() need after a fit (in the arena). */
typedef struct bl_state {
    int kind;
    size_t lag;
    /* meanf */
    double mean, sd;
    size_t n_total;   /* length including missing values, as R's length(x) */
    /* lagwalk */
    double *future;   /* the last `lag` values of the filled series */
    double drift, drift_se, mse;
} bl_state;

/* ---- spec parsing ---------------------------------------------------------- */

static int equal_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (civ_ascii_tolower((unsigned char)*a) != civ_ascii_tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

static civ_status parse_names(const char *spec, void *config, int kind, const char *const *names)
{
    for (size_t i = 0; names[i]; i++) {
        if (equal_nocase(spec, names[i])) {
            ((bl_config *)config)->kind = kind;
            return CIV_OK;
        }
    }
    return CIV_ERR_NOT_FOUND;
}

static civ_status parse_mean(const char *spec, void *config)
{
    static const char *const names[] = {"mean", "meanf", NULL};
    return parse_names(spec, config, BL_MEAN, names);
}

static civ_status parse_naive(const char *spec, void *config)
{
    static const char *const names[] = {"naive", NULL};
    return parse_names(spec, config, BL_NAIVE, names);
}

static civ_status parse_snaive(const char *spec, void *config)
{
    static const char *const names[] = {"snaive", NULL};
    return parse_names(spec, config, BL_SNAIVE, names);
}

static civ_status parse_rwf(const char *spec, void *config)
{
    static const char *const names[] = {"rwf", "drift", "rwf(drift)", NULL};
    return parse_names(spec, config, BL_DRIFT, names);
}

/* ---- helpers ------------------------------------------------------------- */

/* Mean of the non-missing values, as R's mean(): a long double sum and one
 * refinement pass (src/main/summary.c), so results agree with R to the last
 * bit or two.  *count receives how many values were observed. */
static double mean_observed(const double *x, size_t n, size_t *count)
{
    long double s = 0.0L;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i])) {
            s += x[i];
            m++;
        }
    *count = m;
    if (m == 0)
        return NAN;
    s /= (long double)m;
    long double t = 0.0L;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]))
            t += x[i] - s;
    return (double)(s + t / (long double)m);
}

/* Sample standard deviation (divisor m - 1) of the non-missing values about
 * `mean`; two passes as R's var(). */
static double sd_observed(const double *x, size_t n, double mean, size_t m)
{
    if (m < 2)
        return NAN;
    long double ss = 0.0L;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i])) {
            long double d = (long double)x[i] - mean;
            ss += d * d;
        }
    return sqrt((double)(ss / (long double)(m - 1)));
}

static civ_status out_of_memory(const civ_series *s)
{
    civ_where w = {.series_id = s->id};
    return civ_fail_at(CIV_ERR_OUT_OF_MEMORY, &w, "out of memory fitting a baseline");
}

static void fit_common(civ_model_fit *fit, const civ_series *s, const char *name)
{
    civ_snprintf(fit->name, sizeof fit->name, "%s", name);
    fit->loglik = fit->aic = fit->aicc = fit->bic = NAN;
    fit->n = s->n;
    fit->n_report_params = 0;
    fit->n_states = 0;
    fit->param_names = NULL;
    fit->params = NULL;
    fit->state_names = NULL;
    fit->states = NULL;
}

/* ---- meanf ----------------------------------------------------------------- */

static civ_status fit_mean(const civ_series *s, civ_workspace *ws, civ_model_fit *fit)
{
    size_t m;
    double mu = mean_observed(s->y, s->n, &m);
    if (m < 2) {
        civ_where w = {.series_id = s->id};
        return civ_fail_at(CIV_ERR_TOO_SHORT, &w,
                           "the historic mean needs at least 2 observed values for its interval, got %zu", m);
    }
    double sd = sd_observed(s->y, s->n, mu, m);
    bl_state *st = civ_arena_alloc(&ws->arena, sizeof *st);
    double *fitted = civ_arena_doubles(&ws->arena, s->n);
    double *res = civ_arena_doubles(&ws->arena, s->n);
    double *par = civ_arena_doubles(&ws->arena, 1);
    const char **pn = civ_arena_alloc(&ws->arena, sizeof *pn);
    if (!st || !fitted || !res || !par || !pn)
        return out_of_memory(s);
    memset(st, 0, sizeof *st);
    st->kind = BL_MEAN;
    st->mean = mu;
    st->sd = sd;
    st->n_total = s->n;
    for (size_t i = 0; i < s->n; i++) {
        fitted[i] = mu;
        res[i] = s->y[i] - mu; /* NaN where y is missing */
    }
    fit_common(fit, s, "Mean");
    fit->sigma2 = sd * sd;
    fit->n_params = 1;
    pn[0] = "mu";
    par[0] = mu;
    fit->param_names = pn;
    fit->params = par;
    fit->n_report_params = 1;
    fit->fitted = fitted;
    fit->residuals = res;
    fit->state = st;
    return CIV_OK;
}

static void forecast_mean(const bl_state *st, size_t h, const double *levels, size_t n_levels, double *mean,
                          double *lower, double *upper)
{
    double n = (double)st->n_total;
    for (size_t j = 0; j < h; j++)
        mean[j] = st->mean;
    for (size_t l = 0; l < n_levels; l++) {
        /* R: tfrac <- qt(0.5 - level/200, n - 1); w <- -tfrac * s * sqrt(1 + 1/n) */
        double tfrac = gsl_cdf_tdist_Pinv(0.5 - levels[l] / 200.0, n - 1.0);
        double w = -tfrac * st->sd * sqrt(1.0 + 1.0 / n);
        for (size_t j = 0; j < h; j++) {
            lower[l * h + j] = st->mean - w;
            upper[l * h + j] = st->mean + w;
        }
    }
}

/* ---- lagwalk: naive, snaive, rwf with drift ------------------------------- */

/* R: a missing value past the first lag takes the value one lag back (after that one was itself filled),
 * then fitted[t] = fills[t - lag]; future holds the last lag filled values, the forecasts' seed. */
static civ_status lagwalk_carry(const civ_series *s, size_t lag, const civ_where *w, double *fills, double *fitted,
                                double *future)
{
    size_t n = s->n;
    for (size_t i = 0; i < n; i++)
        fills[i] = (isnan(s->y[i]) && i >= lag) ? fills[i - lag] : s->y[i];
    for (size_t i = 0; i < n; i++)
        fitted[i] = i >= lag ? fills[i - lag] : NAN;
    for (size_t k = 0; k < lag; k++) {
        future[k] = fills[n - lag + k];
        if (isnan(future[k]))
            return civ_fail_at(CIV_ERR_TOO_SHORT, w,
                               "no observed value to carry forward for season position %zu of %zu", k + 1, lag);
    }
    return CIV_OK;
}

/* The residuals, the drift (with drift: fitted gains it) and the variances: *sigma2 as R's model reports it,
 * st->mse as R's lagwalk forecasts use it; st->drift and st->drift_se 0 without drift. */
static civ_status lagwalk_residuals(const civ_series *s, int drift, const civ_where *w, double *fitted, double *res,
                                    bl_state *st, double *sigma2)
{
    size_t n = s->n;
    double b = 0.0, b_se = 0.0;
    for (size_t i = 0; i < n; i++)
        res[i] = s->y[i] - fitted[i];
    if (drift) {
        /* R: summary(lm(y - fitted ~ 1)): b the mean of the differences, its
         * standard error sd/sqrt(n_d), sigma the residual sd (divisor n_d - 1). */
        size_t nd;
        b = mean_observed(res, n, &nd);
        if (nd < 2)
            return civ_fail_at(CIV_ERR_TOO_SHORT, w, "the drift method needs at least 2 observed differences, got %zu",
                               nd);
        double sd = sd_observed(res, n, b, nd);
        b_se = sd / sqrt((double)nd);
        *sigma2 = sd * sd;
        for (size_t i = 0; i < n; i++) {
            fitted[i] += b;
            res[i] = s->y[i] - fitted[i];
        }
    }
    long double ss = 0.0L;
    size_t n_res = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(res[i])) {
            ss += (long double)res[i] * res[i];
            n_res++;
        }
    if (n_res == 0 || n_res <= (size_t)(b != 0.0))
        return civ_fail_at(CIV_ERR_TOO_SHORT, w, "no residual to estimate the forecast variance from");
    if (!drift)
        *sigma2 = (double)(ss / (long double)n_res); /* R's mean(res^2, na.rm) */
    /* R: mse <- sum(res^2) / (sum(!is.na(res)) - (drift != 0)) */
    st->mse = (double)(ss / (long double)(n_res - (size_t)(b != 0.0)));
    st->drift = b;
    st->drift_se = b_se;
    return CIV_OK;
}

static civ_status fit_lagwalk(int kind, const civ_series *s, civ_workspace *ws, civ_model_fit *fit)
{
    size_t lag = kind == BL_SNAIVE && s->period > 1 ? (size_t)s->period : 1;
    int drift = kind == BL_DRIFT;
    size_t n = s->n;
    civ_where w = {.series_id = s->id};
    if (n < lag + 1 + (size_t)drift)
        return civ_fail_at(CIV_ERR_TOO_SHORT, &w, "%s needs at least %zu values, got %zu",
                           kind == BL_SNAIVE ? "the seasonal naive method"
                           : drift           ? "the drift method"
                                             : "the naive method",
                           lag + 1 + (size_t)drift, n);

    bl_state *st = civ_arena_alloc(&ws->arena, sizeof *st);
    double *fills = civ_arena_doubles(&ws->arena, n);
    double *fitted = civ_arena_doubles(&ws->arena, n);
    double *res = civ_arena_doubles(&ws->arena, n);
    double *future = civ_arena_doubles(&ws->arena, lag);
    double *par = civ_arena_doubles(&ws->arena, 1);
    const char **pn = civ_arena_alloc(&ws->arena, sizeof *pn);
    if (!st || !fills || !fitted || !res || !future || !par || !pn)
        return out_of_memory(s);
    memset(st, 0, sizeof *st);

    double sigma2 = NAN;
    civ_status e = lagwalk_carry(s, lag, &w, fills, fitted, future);
    if (e == CIV_OK)
        e = lagwalk_residuals(s, drift, &w, fitted, res, st, &sigma2);
    if (e != CIV_OK)
        return e;
    st->kind = kind;
    st->lag = lag;
    st->future = future;

    fit_common(fit, s, kind == BL_SNAIVE ? "SNaive" : drift ? "Drift" : "Naive");
    fit->sigma2 = sigma2;
    fit->n_params = (size_t)drift;
    if (drift) {
        pn[0] = "drift";
        par[0] = st->drift;
        fit->param_names = pn;
        fit->params = par;
        fit->n_report_params = 1;
    }
    fit->fitted = fitted;
    fit->residuals = res;
    fit->state = st;
    return CIV_OK;
}

static void forecast_lagwalk(const bl_state *st, size_t h, const double *levels, size_t n_levels, double *mean,
                             double *lower, double *upper)
{
    for (size_t j = 0; j < h; j++) {
        double k = (double)(j / st->lag + 1);
        mean[j] = st->future[j % st->lag] + k * st->drift;
        double se = sqrt(st->mse * k + (k * st->drift_se) * (k * st->drift_se));
        for (size_t l = 0; l < n_levels; l++) {
            double z = civ_normal_quantile_for_level(levels[l]);
            lower[l * h + j] = mean[j] - z * se;
            upper[l * h + j] = mean[j] + z * se;
        }
    }
}

/* ---- the type entries ------------------------------------------------------ */

static civ_status bl_fit(const void *config, const civ_model_options *options, const civ_series *series,
                         civ_workspace *ws, civ_model_fit *fit)
{
    int kind = ((const bl_config *)config)->kind;
    if (kind == BL_MEAN)
        return fit_mean(series, ws, fit);
    return fit_lagwalk(kind, series, ws, fit);
}

static civ_status bl_forecast(const civ_model_fit *fit, const civ_series *series, size_t h, const double *levels,
                              size_t n_levels, civ_workspace *ws, double *mean, double *lower, double *upper)
{
    const bl_state *st = fit->state;
    if (st->kind == BL_MEAN)
        forecast_mean(st, h, levels, n_levels, mean, lower, upper);
    else
        forecast_lagwalk(st, h, levels, n_levels, mean, lower, upper);
    return CIV_OK;
}

/* Sample paths.  Mean: independent N(mean, sd^2 (1 + 1/n)) draws (the
 * predictive distribution behind meanf's interval, with the t replaced by a
 * normal).  Lag walks: as R's simulate.lagwalk, each season position walks on
 * from its last value with N(0, mse) steps plus the drift. */
static civ_status bl_simulate(const civ_model_fit *fit, const civ_series *series, size_t h, size_t n_paths,
                              civ_workspace *ws, double *paths)
{
    const bl_state *st = fit->state;
    for (size_t p = 0; p < n_paths; p++) {
        double *x = paths + p * h;
        if (st->kind == BL_MEAN) {
            double sd = st->sd * sqrt(1.0 + 1.0 / (double)st->n_total);
            for (size_t j = 0; j < h; j++)
                x[j] = st->mean + gsl_ran_gaussian_ziggurat(ws->rng, sd);
        } else {
            double sd = sqrt(st->mse);
            for (size_t j = 0; j < h; j++) {
                double prev = j < st->lag ? st->future[j] : x[j - st->lag];
                x[j] = prev + st->drift + gsl_ran_gaussian_ziggurat(ws->rng, sd);
            }
        }
    }
    return CIV_OK;
}

static const civ_param_info mean_params[] = {
    {"mu", "the historic mean of the observed values", -INFINITY, INFINITY},
};
static const civ_param_info rwf_params[] = {
    {"drift", "mean change per period (slope of the random walk)", -INFINITY, INFINITY},
};

const civ_model_type civ_model_mean = {
    .family = "mean",
    .summary = "historic mean with t-distribution intervals (R forecast::meanf)",
    .spec_help = "mean | meanf",
    .params = mean_params,
    .n_params = 1,
    .config_size = sizeof(bl_config),
    .parse = parse_mean,
    .fit = bl_fit,
    .forecast = bl_forecast,
    .simulate = bl_simulate,
};

const civ_model_type civ_model_naive = {
    .family = "naive",
    .summary = "naive method: the last value (R forecast::naive)",
    .spec_help = "naive",
    .params = NULL,
    .n_params = 0,
    .config_size = sizeof(bl_config),
    .parse = parse_naive,
    .fit = bl_fit,
    .forecast = bl_forecast,
    .simulate = bl_simulate,
};

const civ_model_type civ_model_snaive = {
    .family = "snaive",
    .summary = "seasonal naive method: the value one season earlier (R forecast::snaive)",
    .spec_help = "snaive",
    .params = NULL,
    .n_params = 0,
    .config_size = sizeof(bl_config),
    .parse = parse_snaive,
    .fit = bl_fit,
    .forecast = bl_forecast,
    .simulate = bl_simulate,
};

const civ_model_type civ_model_rwf = {
    .family = "rwf",
    .summary = "random walk with drift (R forecast::rwf(drift = TRUE))",
    .spec_help = "rwf | drift | rwf(drift)",
    .params = rwf_params,
    .n_params = 1,
    .config_size = sizeof(bl_config),
    .parse = parse_rwf,
    .fit = bl_fit,
    .forecast = bl_forecast,
    .simulate = bl_simulate,
};
