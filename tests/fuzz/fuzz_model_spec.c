/*
 * fuzz_model_spec.c -- libFuzzer harness of the model specifications (every
 * family's parser in models/, reached through civ_forecast_panel's opt.model,
 * as `--model`, a plan's `model =` and Python's model= pass them).
 *
 * The input is the spec text.  It forecasts a fixed panel of three monthly
 * series (36 values with trend and season, 5 values, 1 value) 4 steps ahead
 * at 80 and 95% on one thread.  Oracles:
 *  - the run returns a status of the list; a refused spec (CIV_ERR_SPEC or
 *    CIV_ERR_NOT_FOUND) leaves no result, an accepted one a result;
 *  - each series' status is of the list; a series forecast OK has finite
 *    means and nested bounds lo95 <= lo80 <= hi80 <= hi95 (NaN bounds only
 *    when the family gives none; the mean of a skewed forecast distribution
 *    need not lie inside);
 *  - a one-value series is never forecast with zero-wide intervals by a
 *    combination or auto (models/combination.c refuses it).
 */
#include "fuzz_common.h"

#include <math.h>

#define FUZZ_H 4
#define FUZZ_MAX_SPEC 200

static civ_panel *fuzz_spec_panel;

static void fuzz_spec_data(void)
{
    if (fuzz_spec_panel)
        return;
    double y[36];
    for (int t = 0; t < 36; t++)
        y[t] = 200.0 + 3.0 * t + 40.0 * sin(2.0 * M_PI * t / 12.0) + 11.0 * sin(1.7 * t);
    static const double few[5] = {120, 135, 90, 150, 110}, one[1] = {80};
    if (civ_panel_create(CIV_FREQ_MONTHLY, &fuzz_spec_panel) != CIV_OK)
        abort();
    size_t k;
    if (civ_panel_add_series(fuzz_spec_panel, "long", 24000, y, 36, &k) != CIV_OK ||
        civ_panel_add_series(fuzz_spec_panel, "short", 24000, few, 5, &k) != CIV_OK ||
        civ_panel_add_series(fuzz_spec_panel, "one", 24000, one, 1, &k) != CIV_OK)
        abort();
}

static int fuzz_valid_status(civ_status s)
{
    return s >= CIV_OK && s < CIV_STATUS_COUNT_;
}

static int fuzz_model_spec(const uint8_t *data, size_t size)
{
    fuzz_spec_data();
    char spec[FUZZ_MAX_SPEC + 1];
    size_t n = size < FUZZ_MAX_SPEC ? size : FUZZ_MAX_SPEC;
    memcpy(spec, data, n);
    spec[n] = '\0';
    civ_forecast_options opt;
    civ_forecast_options_init(&opt);
    opt.model = spec;
    opt.horizon = FUZZ_H;
    opt.threads = 1;
    civ_forecast_result *r = NULL;
    civ_status s = civ_forecast_panel(fuzz_spec_panel, &opt, &r);
    FUZZ_CHECK(fuzz_valid_status(s));
    if (s != CIV_OK) {
        FUZZ_CHECK(r == NULL);
        return 0;
    }
    FUZZ_CHECK(r != NULL);
    const double *mean = civ_forecast_result_mean(r);
    const double *lo80 = civ_forecast_result_lower(r, 0), *hi80 = civ_forecast_result_upper(r, 0);
    const double *lo95 = civ_forecast_result_lower(r, 1), *hi95 = civ_forecast_result_upper(r, 1);
    for (size_t i = 0; i < civ_forecast_result_n_series(r); i++) {
        civ_status si = civ_forecast_result_status(r, i);
        FUZZ_CHECK(fuzz_valid_status(si));
        if (si != CIV_OK)
            continue;
        /* the one-value series: a combination (and auto) refuses it */
        FUZZ_CHECK(i != 2 || !strstr(civ_forecast_result_model(r, i), "Combo"));
        for (size_t j = 0; j < FUZZ_H; j++) {
            size_t k = i * FUZZ_H + j;
            FUZZ_CHECK(isfinite(mean[k]));
            if (isnan(lo80[k]) || isnan(hi80[k]) || isnan(lo95[k]) || isnan(hi95[k]))
                continue;
            FUZZ_CHECK(lo95[k] <= lo80[k] && lo80[k] <= hi80[k] && hi80[k] <= hi95[k]);
        }
    }
    civ_forecast_result_free(r);
    return 0;
}

#ifndef CIV_FUZZ_NO_ENTRY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_model_spec(data, size);
}
#endif
