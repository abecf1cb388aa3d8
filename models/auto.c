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
 * Memory: the inner fit's state is in the arena, wrapped with its type.
 */
#include <ctype.h>
#include <stddef.h>
#include <string.h>

#include "combination.h"
#include "error.h"
#include "intermittent.h"

#define AUTO_SMOOTH_SPEC "combo(median,ets,arima,theta,damped,dotm)"
#define AUTO_SMOOTH_FAST_SPEC "combo(median,fast,ets,arima,theta,damped,dotm)"
#define AUTO_INTERMITTENT (&civ_model_tsb)
#define AUTO_INTERMITTENT_SPEC "tsb"
#define AUTO_SLOT 120 /* bytes of each inner config; both fit (static assert below) */

typedef struct auto_config {
    _Alignas(max_align_t) unsigned char combo[AUTO_SLOT];
    _Alignas(max_align_t) unsigned char inter[AUTO_SLOT];
} auto_config;
_Static_assert(sizeof(auto_config) <= CIV_MODEL_CONFIG_MAX, "auto config fits the registry's buffer");

typedef struct auto_state {
    const civ_model_type *inner;
    void *inner_state;
} auto_state;

static civ_status auto_parse(const char *spec, void *config)
{
    char buf[32];
    size_t L = 0;
    for (const char *p = spec; *p; p++) {
        if (isspace((unsigned char)*p))
            continue;
        if (L + 1 >= sizeof buf)
            return CIV_ERR_NOT_FOUND;
        buf[L++] = (char)tolower((unsigned char)*p);
    }
    buf[L] = 0;
    /* "auto(fast)": the smooth route's ARIMA member searches by CSS (combination.c) */
    int fast = strcmp(buf, "auto(fast)") == 0;
    if (!fast && strcmp(buf, "auto") != 0) {
        if (strncmp(buf, "auto(", 5) != 0)
            return CIV_ERR_NOT_FOUND;
        civ_where w = {.field = "model"};
        return civ_fail_at(CIV_ERR_SPEC, &w, "malformed spec '%s': expected auto or auto(fast)", spec);
    }
    auto_config *cfg = config;
    if (civ_model_combination.config_size > AUTO_SLOT || AUTO_INTERMITTENT->config_size > AUTO_SLOT)
        return civ_fail(CIV_ERR_INTERNAL, "auto: an inner model's config is larger than its slot");
    civ_status s = civ_model_combination.parse(fast ? AUTO_SMOOTH_FAST_SPEC : AUTO_SMOOTH_SPEC, cfg->combo);
    if (s == CIV_OK)
        s = AUTO_INTERMITTENT->parse(AUTO_INTERMITTENT_SPEC, cfg->inter);
    return s;
}

static civ_status auto_fit(const void *config, const civ_model_options *options, const civ_series *series,
                           civ_workspace *ws, civ_model_fit *fit)
{
    const auto_config *cfg = config;
    civ_demand_class cls = civ_intermittent_classify(series->y, series->n, NULL, NULL);
    int inter = cls == CIV_DEMAND_INTERMITTENT || cls == CIV_DEMAND_LUMPY || cls == CIV_DEMAND_NONE;
    auto_state *st = civ_arena_alloc(&ws->arena, sizeof *st);
    if (!st) {
        civ_where w = {.series_id = series->id};
        return civ_fail_at(CIV_ERR_OUT_OF_MEMORY, &w, "out of memory");
    }
    st->inner = inter ? AUTO_INTERMITTENT : &civ_model_combination;
    fit->type = st->inner;
    civ_status s = st->inner->fit(inter ? cfg->inter : cfg->combo, options, series, ws, fit);
    if (s != CIV_OK)
        return s;
    st->inner_state = fit->state;
    fit->state = st;
    return CIV_OK;
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

static civ_status auto_forecast(const civ_model_fit *fit, const civ_series *series, size_t h, const double *levels,
                                size_t n_levels, civ_workspace *ws, double *mean, double *lower, double *upper)
{
    civ_model_fit in = auto_inner(fit);
    return in.type->forecast(&in, series, h, levels, n_levels, ws, mean, lower, upper);
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
    .spec_help = "auto | auto(fast) (the smooth route's ARIMA member searches by CSS)",
    .params = NULL,
    .n_params = 0,
    .config_size = sizeof(auto_config),
    .parse = auto_parse,
    .fit = auto_fit,
    .forecast = auto_forecast,
    .simulate = auto_simulate,
};
