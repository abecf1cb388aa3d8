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

/* Edit distance of two short words, case-insensitive (at most 24 bytes each; longer: a large number). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b), row[25];
    if (na > 24 || nb > 24)
        return 99;
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            int differ = civ_ascii_tolower((unsigned char)a[i - 1]) != civ_ascii_tolower((unsigned char)b[j - 1]);
            size_t sub = diag + (size_t)differ;
            size_t best = up + 1 < row[j - 1] + 1 ? up + 1 : row[j - 1] + 1;
            row[j] = sub < best ? sub : best;
            diag = up;
        }
    }
    return row[nb];
}

/* The family a mistyped spec most likely meant: the longest family name the spec starts with ("etsx" ->
 * "ets"), else one within one edit of the spec's leading word ("arma" -> "arima"); NULL when none. */
static const char *nearest_family(const char *spec)
{
    const char *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; civ_model_types[i]; i++) {
        const char *f = civ_model_types[i]->family;
        size_t n = strlen(f);
        if (n > best_len && !civ_ascii_ncasecmp(spec, f, n))
            best = f, best_len = n;
    }
    if (best)
        return best;
    char word[25];
    size_t n = strcspn(spec, "(, ");
    if (n == 0 || n >= sizeof word)
        return NULL;
    memcpy(word, spec, n);
    word[n] = '\0';
    for (size_t i = 0; civ_model_types[i]; i++)
        if (edit_distance(word, civ_model_types[i]->family) <= 1)
            return civ_model_types[i]->family;
    return NULL;
}

/* The error for a spec no family accepts: the families by name and where their specs are listed, since every
 * family's specs (over 1,000 bytes) do not fit in an error's message (it was cut mid-word at 511 bytes). */
static civ_status unknown_model(const char *spec)
{
    char families[256] = "";
    size_t used = 0;
    for (size_t i = 0; civ_model_types[i] && used + 1 < sizeof families; i++) {
        int w = civ_snprintf(families + used, sizeof families - used, "%s%s", i ? ", " : "",
                             civ_model_types[i]->family);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    const char *near = nearest_family(spec);
    civ_where w = {.field = "model"};
    return civ_fail_at(CIV_ERR_SPEC, &w,
                       "unknown model '%.80s'%s%s%s; the families are %s (the specs each takes: civicast forecast "
                       "--list-models, Python civicast.model_families())",
                       spec, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "", families);
}

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
    return unknown_model(spec);
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
