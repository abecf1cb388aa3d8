/*
 * auto.c -- layer: models.  The spec "auto": the median combination of
 * automatic ETS, automatic ARIMA, Theta, damped ETS and DOTM (AUTO_SMOOTH_SPEC,
 * combination.c; candidate C of the 16 compared on M1 and tourism, chosen by
 * the rule written before the figures once DOTM's intervals became exact and
 * cheap, docs/FORECASTING.md "Choosing the default on M1 and tourism" and "C
 * with exact intervals ...") for series whose demand is smooth or erratic, and the
 * intermittent family (intermittent.c) for intermittent, lumpy and no-demand
 * series, by the Syntetos-Boylan classification of the observed values
 * (civ_intermittent_classify: ADI >= 1.32 over the periods since the first
 * demand, or no demand at all).
 *
 * Why route: ETS, ARIMA and Theta assume a continuous level observed with
 * Gaussian-like noise; on a series that is zero most months they give a
 * fractional mean chasing the last demand and intervals that mean little.
 * Which intermittent method: AUTO_INTERMITTENT_SPEC below, decided on the
 * demo city's hold-out year and the intermittent series of the tourism data
 * (docs/models/INTERMITTENT.md, "auto").
 *
 * A smooth or erratic series (ADI < 1.32), and a series with a negative
 * value or nothing observed, gets exactly what AUTO_SMOOTH_SPEC (for
 * "auto(fast)": AUTO_SMOOTH_FAST_SPEC, whose ARIMA member searches by CSS)
 * gives it: same
 * fit, same name, same draws.  The fit's name is the inner model's name
 * ("ComboMedian[...]", "TSB"), so the report says which route
 * each series took.
 *
 * Short histories: unless the spec says "nofloor" ("auto(nofloor)",
 * "auto(fast,nofloor)": what the comparison measured as today's auto), a
 * series with fewer than AUTO_SHORT_HISTORY (16) observed
 * values, whatever its route, has each bound at least as far from the point
 * forecast as the naive method's (auto_naive_floor).  With so few values
 * every member fits them closely and estimates a small variance; measured on
 * M1 and tourism cut to 2..24 values, auto's 80% intervals covered 18-62% of
 * the next values below 8 values.  The point forecast is unchanged; so are the
 * sample paths of simulate(), which nothing in the engine reads.  With
 * conformal intervals (options->calibrated) there is no floor: the backtest
 * windows, shorter than the series, would be floored where the forecast is
 * not, and their scores would not fit its widths (on M1 yearly test periods
 * the 95% intervals covered 92.0% so, against 96.8% without the floor).
 *
 * Memory: the inner fit's state is in the arena, wrapped with its type; the
 * floor's naive fit and forecasts too.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "baselines.h"
#include "c_locale.h"
#include "combination.h"
#include "error.h"
#include "intermittent.h"

#define AUTO_SMOOTH_SPEC "combo(median,ets,arima,theta,damped,dotm)"
#define AUTO_SMOOTH_FAST_SPEC "combo(median,fast,ets,arima,theta,damped,dotm)"
#define AUTO_INTERMITTENT (&civ_model_tsb)
#define AUTO_INTERMITTENT_SPEC "tsb"
#define AUTO_SLOT 120 /* bytes of each inner config; both fit (static assert below) */
/* Series with fewer observed values get the naive method's interval widths as a
 * floor (docs/FORECASTING.md, "Short histories": candidate F16, chosen on M1 and
 * tourism cut short and confirmed on the demo city and two hierarchies). */
#define AUTO_SHORT_HISTORY 16

typedef struct auto_config {
    _Alignas(max_align_t) unsigned char combo[AUTO_SLOT];
    _Alignas(max_align_t) unsigned char inter[AUTO_SLOT];
    int floor; /* 1: the short-history floor (default); 0: "auto(nofloor)" */
} auto_config;
_Static_assert(sizeof(auto_config) <= CIV_MODEL_CONFIG_MAX, "auto config fits the registry's buffer");

typedef struct auto_state {
    const civ_model_type *inner;
    void *inner_state;
    int floor; /* the config's */
} auto_state;

static civ_status auto_parse(const char *spec, void *config)
{
    char buf[32];
    size_t L = 0;
    for (const char *p = spec; *p; p++) {
        if (civ_ascii_isspace((unsigned char)*p))
            continue;
        if (L + 1 >= sizeof buf)
            return CIV_ERR_NOT_FOUND;
        buf[L++] = (char)civ_ascii_tolower((unsigned char)*p);
    }
    buf[L] = 0;
    /* options: "fast" (the smooth route's ARIMA member searches by CSS,
     * combination.c) and "nofloor" (no short-history floor), once each */
    if (strcmp(buf, "auto") != 0 && strncmp(buf, "auto(", 5) != 0)
        return CIV_ERR_NOT_FOUND;
    int fast = 0, nofloor = 0, ok = 1;
    if (buf[4] == '(') {
        ok = L > 6 && buf[L - 1] == ')';
        buf[L - 1] = 0;
        for (char *tok = buf + 5, *end; ok && tok; tok = end) {
            end = strchr(tok, ',');
            if (end)
                *end++ = 0;
            int *flag = strcmp(tok, "fast") == 0 ? &fast : strcmp(tok, "nofloor") == 0 ? &nofloor : NULL;
            ok = flag && !*flag;
            if (ok)
                *flag = 1;
        }
    }
    if (!ok) {
        civ_where w = {.field = "model"};
        return civ_fail_at(CIV_ERR_SPEC, &w,
                           "malformed spec '%s': expected auto, auto(fast), auto(nofloor) or auto(fast,nofloor)",
                           spec);
    }
    auto_config *cfg = config;
    cfg->floor = !nofloor;
    if (civ_model_combination.config_size > AUTO_SLOT || AUTO_INTERMITTENT->config_size > AUTO_SLOT)
        return civ_fail(CIV_ERR_INTERNAL, "auto: an inner model's config is larger than its slot");
    civ_status s = civ_model_combination.parse(fast ? AUTO_SMOOTH_FAST_SPEC : AUTO_SMOOTH_SPEC, cfg->combo);
    if (s == CIV_OK)
        s = AUTO_INTERMITTENT->parse(AUTO_INTERMITTENT_SPEC, cfg->inter);
    return s;
}

/* auto_fit (like NULL: the route by the series' demand class) and auto_refit
 * (like: the route and the inner structure like chose). */
static civ_status auto_fit_like(const auto_config *cfg, const civ_model_fit *like, const civ_model_options *options,
                                const civ_series *series, civ_workspace *ws, civ_model_fit *fit)
{
    const auto_state *chosen = like ? like->state : NULL;
    int inter;
    if (chosen)
        inter = chosen->inner == AUTO_INTERMITTENT;
    else {
        civ_demand_class cls = civ_intermittent_classify(series->y, series->n, NULL, NULL);
        inter = cls == CIV_DEMAND_INTERMITTENT || cls == CIV_DEMAND_LUMPY || cls == CIV_DEMAND_NONE;
    }
    auto_state *st = civ_arena_alloc(&ws->arena, sizeof *st);
    if (!st) {
        civ_where w = {.series_id = series->id};
        return civ_fail_at(CIV_ERR_OUT_OF_MEMORY, &w, "out of memory");
    }
    st->inner = inter ? AUTO_INTERMITTENT : &civ_model_combination;
    /* conformal intervals score the windows by the model's own widths and rescale
     * the forecast's: the floor, which depends on the length of the history,
     * would put the two on different bases */
    st->floor = cfg->floor && !(options && options->calibrated);
    fit->type = st->inner;
    const void *inner_config = inter ? cfg->inter : cfg->combo;
    civ_status s;
    if (chosen && st->inner->refit) {
        civ_model_fit in = *like;
        in.type = chosen->inner;
        in.state = chosen->inner_state;
        s = st->inner->refit(&in, inner_config, options, series, ws, fit);
    } else
        s = st->inner->fit(inner_config, options, series, ws, fit);
    if (s != CIV_OK)
        return s;
    st->inner_state = fit->state;
    fit->state = st;
    return CIV_OK;
}

static civ_status auto_fit(const void *config, const civ_model_options *options, const civ_series *series,
                           civ_workspace *ws, civ_model_fit *fit)
{
    return auto_fit_like(config, NULL, options, series, ws, fit);
}

/* The route like took (combination or TSB) with its members' structures
 * (conformal.c's calibration windows). */
static civ_status auto_refit(const civ_model_fit *like, const void *config, const civ_model_options *options,
                             const civ_series *series, civ_workspace *ws, civ_model_fit *fit)
{
    return auto_fit_like(config, like && like->state ? like : NULL, options, series, ws, fit);
}

/* The inner model's view of a wrapped fit. */
static civ_model_fit auto_inner(const civ_model_fit *fit)
{
    const auto_state *st = fit->state;
    civ_model_fit in = *fit;
    in.type = st->inner;
    in.state = st->inner_state;
    return in;
}

static size_t observed_values(const civ_series *series)
{
    size_t k = 0;
    for (size_t t = 0; t < series->n; t++)
        k += !isnan(series->y[t]);
    return k;
}

/* The short-history floor: each bound at least as far from auto's point
 * forecast as the naive method's bound (of a non-negative series: its bound
 * clamped at zero, as the driver clamps it) at that step and level.  A series
 * the naive method cannot take keeps its bounds. */
static civ_status auto_naive_floor(const civ_model_fit *fit, const civ_series *series, size_t h,
                                   const double *levels, size_t n_levels, civ_workspace *ws, const double *mean,
                                   double *lower, double *upper)
{
    civ_where w = {.series_id = series->id};
    unsigned char config[CIV_MODEL_CONFIG_MAX];
    if (civ_model_naive.parse("naive", config) != CIV_OK)
        return civ_fail_at(CIV_ERR_INTERNAL, &w, "auto: the naive method's spec does not parse");
    civ_model_fit nf;
    memset(&nf, 0, sizeof nf);
    nf.type = &civ_model_naive;
    nf.nonnegative = fit->nonnegative;
    if (civ_model_naive.fit(config, NULL, series, ws, &nf) != CIV_OK) {
        civ_clear_error();
        return CIV_OK;
    }
    double *nmean = civ_arena_doubles(&ws->arena, h * (1 + 2 * n_levels));
    if (!nmean)
        return civ_fail_at(CIV_ERR_OUT_OF_MEMORY, &w, "out of memory for auto's short-history floor");
    double *nlo = nmean + h, *nhi = nlo + h * n_levels;
    if (civ_model_naive.forecast(&nf, series, h, levels, n_levels, ws, nmean, nlo, nhi) != CIV_OK) {
        civ_clear_error();
        return CIV_OK;
    }
    for (size_t l = 0; l < n_levels; l++)
        for (size_t j = 0; j < h; j++) {
            size_t k = l * h + j;
            double lo = fit->nonnegative && nlo[k] < 0.0 ? 0.0 : nlo[k];
            if (isfinite(lo) && isfinite(nhi[k]) && isfinite(nmean[j])) {
                lower[k] = fmin(lower[k], mean[j] - (nmean[j] - lo));
                upper[k] = fmax(upper[k], mean[j] + (nhi[k] - nmean[j]));
            }
        }
    return CIV_OK;
}

static civ_status auto_forecast(const civ_model_fit *fit, const civ_series *series, size_t h, const double *levels,
                                size_t n_levels, civ_workspace *ws, double *mean, double *lower, double *upper)
{
    civ_model_fit in = auto_inner(fit);
    civ_status s = in.type->forecast(&in, series, h, levels, n_levels, ws, mean, lower, upper);
    const auto_state *st = fit->state;
    if (s != CIV_OK || n_levels == 0 || !st->floor || observed_values(series) >= AUTO_SHORT_HISTORY)
        return s;
    return auto_naive_floor(fit, series, h, levels, n_levels, ws, mean, lower, upper);
}

static civ_status auto_simulate(const civ_model_fit *fit, const civ_series *series, size_t h, size_t n_paths,
                                civ_workspace *ws, double *paths)
{
    civ_model_fit in = auto_inner(fit);
    if (!in.type->simulate)
        return civ_fail(CIV_ERR_UNSUPPORTED, "%s has no sample paths", in.name);
    return in.type->simulate(&in, series, h, n_paths, ws, paths);
}

const civ_model_type civ_model_auto = {
    .family = "auto",
    .summary = "median combination of ETS, ARIMA, Theta, damped ETS and DOTM; intermittent series (ADI >= 1.32) by TSB",
    .spec_help = "auto | auto(fast) (the smooth route's ARIMA member searches by CSS) | auto(nofloor) (no "
                 "short-history floor) | auto(fast,nofloor)",
    .params = NULL,
    .n_params = 0,
    .config_size = sizeof(auto_config),
    .parse = auto_parse,
    .fit = auto_fit,
    .forecast = auto_forecast,
    .simulate = auto_simulate,
    .refit = auto_refit,
};
