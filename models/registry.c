/*
 * registry.c -- layer: models.  The list of model families and spec
 * resolution.
 *
 * A spec is resolved by asking each type object in turn to parse it; the
 * first that accepts it wins.  Adding a family means adding its type here;
 * outside models/ nothing names a model.  The registry sits on top of the
 * families: no family uses it (the combination names its components' type
 * objects directly), so there is no cycle.
 */
#include <stdio.h>
#include <string.h>

#include "arima.h"
#include "baselines.h"
#include "c_locale.h"
#include "combination.h"
#include "error.h"
#include "ets.h"
#include "intermittent.h"
#include "model.h"
#include "theta.h"

/* Families register here (declared in their own headers). */
const civ_model_type *const civ_model_types[] = {
    &civ_model_mean, &civ_model_naive, &civ_model_snaive, &civ_model_rwf,
    &civ_model_auto,        /* "auto": the combination, or TSB for intermittent series (auto.c) */
    &civ_model_combination,
    &civ_model_ets,
    &civ_model_theta,
    &civ_model_arima,
    &civ_model_croston, &civ_model_sba, &civ_model_tsb, &civ_model_adida, &civ_model_imapa,
    NULL,
};

civ_status civ_model_resolve(const char *spec, const civ_model_type **type, void *config)
{
    if (!spec || !type || !config)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_model_resolve: NULL argument");
    for (size_t i = 0; civ_model_types[i]; i++) {
        const civ_model_type *t = civ_model_types[i];
        memset(config, 0, CIV_MODEL_CONFIG_MAX);
        civ_status s = t->parse(spec, config);
        if (s == CIV_OK) {
            *type = t;
            return CIV_OK;
        }
        if (s != CIV_ERR_NOT_FOUND)
            return s;
    }
    char accepted[1024] = "";
    size_t used = 0;
    for (size_t i = 0; civ_model_types[i] && used + 1 < sizeof accepted; i++) {
        int w =
            civ_snprintf(accepted + used, sizeof accepted - used, "%s%s", i ? "; " : "", civ_model_types[i]->spec_help);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    civ_where w = {.field = "model"};
    return civ_fail_at(CIV_ERR_SPEC, &w, "unknown model '%s'; accepted: %s", spec, accepted);
}

/* statsforecast's model names for the automatic families and baselines
 * (its aliases: AutoETS, AutoARIMA, Theta, ...), for multi-model outputs. */
static const struct {
    const char *spec, *name;
} aliases[] = {
    {"ets", "AutoETS"},
    {"arima", "AutoARIMA"},
    {"auto.arima", "AutoARIMA"},
    {"theta", "Theta"},
    {"autotheta", "AutoTheta"},
    {"stm", "STM"},
    {"otm", "OptimizedTheta"},
    {"dstm", "DynamicTheta"},
    {"dotm", "DynamicOptimizedTheta"},
    {"naive", "Naive"},
    {"snaive", "SeasonalNaive"},
    {"mean", "HistoricAverage"},
    {"meanf", "HistoricAverage"},
    {"rwf", "RandomWalkWithDrift"},
    {"drift", "RandomWalkWithDrift"},
    {"rwf(drift)", "RandomWalkWithDrift"},
    {"auto", "Auto"},
    {"combo", "Combo"},
    {"combo(mean)", "Combo"},
    {"combo(median)", "ComboMedian"},
};

const char *civ_model_alias(const char *spec)
{
    if (!spec)
        return NULL;
    for (size_t k = 0; k < sizeof aliases / sizeof aliases[0]; k++)
        if (!civ_ascii_casecmp(spec, aliases[k].spec))
            return aliases[k].name;
    return NULL;
}
