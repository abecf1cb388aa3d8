/*
 * multi.c -- layer: forecast.  Several models' forecasts of one panel as one
 * table (civ_forecast_multi_table): long, with the model's display name in
 * `model` and the fitted model in `fitted_model`, or wide in statsforecast's
 * forecast layout (unique_id, ds, AutoETS, AutoETS-lo-95, AutoETS-lo-80,
 * AutoETS-hi-80, AutoETS-hi-95, AutoARIMA, ...), so that a notebook compares
 * models without loops.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "error.h"
#include "forecast.h"
#include "panel.h" /* civ_panel_next_period */

typedef char name64[64];

static civ_status check_results(const civ_forecast_result *const *res, const char *const *specs, size_t n,
                                const civ_panel *panel, name64 *names)
{
    const civ_forecast_result *a = res[0];
    for (size_t k = 0; k < n; k++) {
        const civ_forecast_result *b = res[k];
        if (!b || !specs[k])
            return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_forecast_multi_table: result or spec %zu is NULL", k);
        if (b->n_series != civ_panel_n_series(panel) || b->h != a->h || b->n_levels != a->n_levels ||
            (a->n_levels && memcmp(a->levels, b->levels, a->n_levels * sizeof *a->levels)))
            return civ_fail(CIV_ERR_INVALID_ARGUMENT,
                            "civ_forecast_multi_table: result %zu ('%s') is not of this panel, horizon and levels",
                            k, specs[k]);
        civ_status st = civ_model_display_name(specs[k], names[k], sizeof names[k]);
        if (st)
            return st;
        for (size_t q = 0; q < k; q++)
            if (!strcmp(names[q], names[k])) {
                civ_where w = {.field = "model"};
                return civ_fail_at(CIV_ERR_SPEC, &w, "models '%s' and '%s' are the same model (%s); give each once",
                                   specs[q], specs[k], names[k]);
            }
    }
    return CIV_OK;
}

/* Columns of the long form: unique_id, ds, h, model, fitted_model, mean, lo/hi per level. */
static civ_status long_columns(civ_table *t, const civ_forecast_result *a, size_t *cols)
{
    static const char *const fixed[] = {"unique_id", "ds", "h", "model", "fitted_model", "mean"};
    static const civ_column_type types[] = {CIV_COLUMN_TEXT, CIV_COLUMN_TEXT, CIV_COLUMN_NUMBER,
                                            CIV_COLUMN_TEXT, CIV_COLUMN_TEXT, CIV_COLUMN_NUMBER};
    civ_status st;
    for (size_t c = 0; c < 6; c++)
        CIV_TRY(civ_table_add_column(t, fixed[c], types[c], &cols[c]));
    CIV_TRY(civ_forecast_add_level_columns(t, a->levels, a->n_levels, &cols[6]));
    return CIV_OK;
fail:
    return st;
}

/* Columns of the wide form: unique_id, ds, then per model <name>,
 * <name>-lo-<L> (levels descending), <name>-hi-<L> (ascending): cols[2 +
 * k * (1 + 2L) + 0] the mean, + 1 + l the lower and + 1 + L + l the upper
 * bound of level index l. */
static civ_status wide_columns(civ_table *t, const civ_forecast_result *a, const name64 *names, size_t n,
                               size_t *cols)
{
    size_t L = a->n_levels, per = 1 + 2 * L;
    size_t *order = malloc((L ? L : 1) * sizeof *order);
    civ_status st;
    if (!order)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the wide table");
    for (size_t l = 0; l < L; l++)
        order[l] = l;
    for (size_t x = 1; x < L; x++) /* levels ascending */
        for (size_t y = x; y > 0 && a->levels[order[y]] < a->levels[order[y - 1]]; y--) {
            size_t tmp = order[y];
            order[y] = order[y - 1];
            order[y - 1] = tmp;
        }
    CIV_TRY(civ_table_add_column(t, "unique_id", CIV_COLUMN_TEXT, &cols[0]));
    CIV_TRY(civ_table_add_column(t, "ds", CIV_COLUMN_TEXT, &cols[1]));
    for (size_t k = 0; k < n; k++) {
        char name[96];
        CIV_TRY(civ_table_add_column(t, names[k], CIV_COLUMN_NUMBER, &cols[2 + k * per]));
        for (size_t x = L; x-- > 0;) {
            civ_snprintf(name, sizeof name, "%s-lo-%.15g", names[k], a->levels[order[x]]);
            CIV_TRY(civ_table_add_column(t, name, CIV_COLUMN_NUMBER, &cols[2 + k * per + 1 + order[x]]));
        }
        for (size_t x = 0; x < L; x++) {
            civ_snprintf(name, sizeof name, "%s-hi-%.15g", names[k], a->levels[order[x]]);
            CIV_TRY(civ_table_add_column(t, name, CIV_COLUMN_NUMBER, &cols[2 + k * per + 1 + L + order[x]]));
        }
    }
    free(order);
    return CIV_OK;
fail:
    free(order);
    return st;
}

/* Fills the rows of series i (from *row on). */
static civ_status fill_series(civ_table *t, const civ_forecast_result *const *res, const name64 *names, size_t n,
                              const civ_panel *panel, size_t i, int64_t next, int wide, const size_t *cols,
                              size_t *row)
{
    const civ_forecast_result *a = res[0];
    size_t h = a->h, L = a->n_levels, plane = a->n_series * h, per = 1 + 2 * L;
    civ_frequency freq = civ_panel_frequency(panel);
    int phase = civ_panel_phase(panel);
    civ_date_style style = civ_panel_date_style(panel);
    const char *id = civ_panel_series_id(panel, i);
    civ_status st;
    for (size_t km = 0; km < (wide ? 1 : n); km++) {
        for (size_t j = 0; j < h; j++, (*row)++) {
            char ds[32];
            CIV_TRY(civ_period_format_style(freq, phase, &style, next + (int64_t)j, ds, sizeof ds));
            CIV_TRY(civ_table_set_text(t, *row, cols[0], id));
            CIV_TRY(civ_table_set_text(t, *row, cols[1], ds));
            size_t cell = i * h + j;
            if (!wide) {
                const civ_forecast_result *b = res[km];
                CIV_TRY(civ_table_set_number(t, *row, cols[2], (double)(j + 1)));
                CIV_TRY(civ_table_set_text(t, *row, cols[3], names[km]));
                CIV_TRY(civ_table_set_text(t, *row, cols[4], b->series[i].model));
                CIV_TRY(civ_table_set_number(t, *row, cols[5], b->mean[cell]));
                for (size_t l = 0; l < L; l++) {
                    CIV_TRY(civ_table_set_number(t, *row, cols[6 + 2 * l], b->lower[l * plane + cell]));
                    CIV_TRY(civ_table_set_number(t, *row, cols[7 + 2 * l], b->upper[l * plane + cell]));
                }
                continue;
            }
            for (size_t k = 0; k < n; k++) {
                const civ_forecast_result *b = res[k];
                CIV_TRY(civ_table_set_number(t, *row, cols[2 + k * per], b->mean[cell]));
                for (size_t l = 0; l < L; l++) {
                    CIV_TRY(civ_table_set_number(t, *row, cols[2 + k * per + 1 + l], b->lower[l * plane + cell]));
                    CIV_TRY(civ_table_set_number(t, *row, cols[2 + k * per + 1 + L + l], b->upper[l * plane + cell]));
                }
            }
        }
    }
    return CIV_OK;
fail:
    return st;
}

civ_status civ_forecast_multi_table(const civ_forecast_result *const *results, const char *const *specs, size_t n,
                                    const civ_panel *panel, int wide, civ_table **out)
{
    if (!results || !specs || !n || !panel || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_forecast_multi_table: NULL argument or no results");
    if (n > 1000)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_forecast_multi_table: %zu models is over the limit of 1000", n);
    name64 *names = calloc(n, sizeof *names);
    if (!names)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for model names");
    civ_status st = check_results(results, specs, n, panel, names);
    if (st) {
        free(names);
        return st;
    }
    const civ_forecast_result *a = results[0];
    size_t L = a->n_levels, ncols = wide ? 2 + n * (1 + 2 * L) : 6 + 2 * L;
    size_t *cols = malloc(ncols * sizeof *cols);
    civ_table *t = NULL;
    if (!cols) {
        free(names);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the multi-model table");
    }
    CIV_TRY(civ_table_create(&t));
    CIV_TRY(wide ? wide_columns(t, a, (const name64 *)names, n, cols) : long_columns(t, a, cols));
    CIV_TRY(civ_table_add_rows(t, a->n_series * a->h * (wide ? 1 : n), NULL));
    size_t row = 0;
    int64_t end = INT64_MIN; /* a series with no value: dated after the panel's end, as the others */
    for (size_t i = 0; i < a->n_series; i++)
        CIV_TRY(fill_series(t, results, (const name64 *)names, n, panel, i, civ_panel_next_period(panel, i, &end),
                            wide, cols, &row));
    free(cols);
    free(names);
    *out = t;
    return CIV_OK;
fail:
    free(cols);
    free(names);
    civ_table_free(t);
    return st;
}
