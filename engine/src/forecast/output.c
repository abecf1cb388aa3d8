/*
 * output.c -- layer: forecast.  The output tables of a forecast batch: long-format
 * forecasts (statsforecast's layout with unique_id, ds), the per-series report
 * (status, model, criteria, parameters, initial states) and in-sample fitted
 * values.  Every table depends only on the results, never on timings, so it is
 * bit-identical for any thread count; write it with civ_table_write.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "error.h"
#include "forecast.h"
#include "panel.h" /* civ_panel_next_period */

static civ_status check_args(const civ_forecast_result *r, const civ_panel *panel, civ_table **out, const char *what)
{
    if (!r || !panel || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "%s: NULL argument", what);
    size_t want = r->first + r->n_series;
    if (r->is_chunk ? civ_panel_n_series(panel) < want : civ_panel_n_series(panel) != want)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "%s: the panel has %zu series but the forecasts %zu", what,
                        civ_panel_n_series(panel), r->first + r->n_series);
    return CIV_OK;
}

/* Adds columns in order; indices into cols[]. */
static civ_status add_columns(civ_table *t, const char *const *names, const civ_column_type *types, size_t n,
                              size_t *cols)
{
    for (size_t k = 0; k < n; k++) {
        civ_status s = civ_table_add_column(t, names[k], types[k], &cols[k]);
        if (s)
            return s;
    }
    return CIV_OK;
}

/* The level as R's paste() prints it: 80 -> "80", 97.5 -> "97.5". */
static void level_text(double level, char *buf, size_t size) { civ_snprintf(buf, size, "%.15g", level); }

civ_status civ_forecast_add_level_columns(civ_table *t, const double *levels, size_t n_levels, size_t *cols)
{
    civ_status st;
    for (size_t l = 0; l < n_levels; l++) {
        char name[48];
        civ_snprintf(name, sizeof name, "lo-%.15g", levels[l]);
        CIV_TRY(civ_table_add_column(t, name, CIV_COLUMN_NUMBER, &cols[2 * l]));
        civ_snprintf(name, sizeof name, "hi-%.15g", levels[l]);
        CIV_TRY(civ_table_add_column(t, name, CIV_COLUMN_NUMBER, &cols[2 * l + 1]));
    }
    return CIV_OK;
fail:
    return st;
}

civ_status civ_forecast_result_table(const civ_forecast_result *r, const civ_panel *panel, civ_table **out)
{
    civ_status s = check_args(r, panel, out, "civ_forecast_result_table");
    if (s)
        return s;
    size_t L = r->n_levels, h = r->h, N = r->n_series, plane = N * h;
    size_t n_cols = 5 + 2 * L;
    char(*names)[32] = calloc(n_cols, sizeof *names);
    const char **name_ptrs = calloc(n_cols, sizeof *name_ptrs);
    civ_column_type *types = calloc(n_cols, sizeof *types);
    size_t *cols = calloc(n_cols, sizeof *cols);
    civ_table *t = NULL;
    if (!names || !name_ptrs || !types || !cols) {
        s = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the forecast table");
        goto done;
    }
    static const char *const fixed[] = {"unique_id", "ds", "h", "model", "mean"};
    static const civ_column_type fixed_types[] = {CIV_COLUMN_TEXT, CIV_COLUMN_TEXT, CIV_COLUMN_NUMBER,
                                                  CIV_COLUMN_TEXT, CIV_COLUMN_NUMBER};
    for (size_t k = 0; k < 5; k++) {
        civ_snprintf(names[k], sizeof names[k], "%s", fixed[k]);
        types[k] = fixed_types[k];
    }
    for (size_t l = 0; l < L; l++) {
        char lv[24];
        level_text(r->levels[l], lv, sizeof lv);
        civ_snprintf(names[5 + 2 * l], sizeof names[0], "lo-%s", lv);
        civ_snprintf(names[6 + 2 * l], sizeof names[0], "hi-%s", lv);
        types[5 + 2 * l] = types[6 + 2 * l] = CIV_COLUMN_NUMBER;
    }
    for (size_t k = 0; k < n_cols; k++)
        name_ptrs[k] = names[k];
    if ((s = civ_table_create(&t)) || (s = add_columns(t, name_ptrs, types, n_cols, cols)) ||
        (s = civ_table_add_rows(t, N * h, NULL)))
        goto done;

    civ_frequency freq = civ_panel_frequency(panel);
    int phase = civ_panel_phase(panel);
    civ_date_style style = civ_panel_date_style(panel);
    size_t row = 0;
    int64_t end = INT64_MIN;
    for (size_t i = 0; i < N; i++) {
        const char *id = civ_panel_series_id(panel, r->first + i);
        int64_t next = civ_panel_next_period(panel, r->first + i, &end); /* after the panel's end when empty */
        for (size_t j = 0; j < h; j++, row++) {
            char ds[32];
            if ((s = civ_period_format_style(freq, phase, &style, next + (int64_t)j, ds, sizeof ds)))
                goto done;
            if ((s = civ_table_set_text(t, row, cols[0], id)) || (s = civ_table_set_text(t, row, cols[1], ds)) ||
                (s = civ_table_set_number(t, row, cols[2], (double)(j + 1))) ||
                (s = civ_table_set_text(t, row, cols[3], r->series[i].model)) ||
                (s = civ_table_set_number(t, row, cols[4], r->mean[i * h + j])))
                goto done;
            for (size_t l = 0; l < L; l++) {
                if ((s = civ_table_set_number(t, row, cols[5 + 2 * l], r->lower[l * plane + i * h + j])) ||
                    (s = civ_table_set_number(t, row, cols[6 + 2 * l], r->upper[l * plane + i * h + j])))
                    goto done;
            }
        }
    }
    *out = t;
    t = NULL;
done:
    civ_table_free(t);
    free(names);
    free(name_ptrs);
    free(types);
    free(cols);
    return s;
}

/* Parameter names across series, in order of first appearance. */
typedef struct name_list {
    const char **names;
    size_t n, cap;
} name_list;

static civ_status name_list_add(name_list *nl, const char *name, size_t *index)
{
    for (size_t k = 0; k < nl->n; k++)
        if (!strcmp(nl->names[k], name)) {
            *index = k;
            return CIV_OK;
        }
    if (nl->n == nl->cap) {
        size_t cap = nl->cap ? 2 * nl->cap : 16;
        const char **p = realloc(nl->names, cap * sizeof *p);
        if (!p)
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for parameter names");
        nl->names = p;
        nl->cap = cap;
    }
    nl->names[nl->n] = name;
    *index = nl->n++;
    return CIV_OK;
}

/* Appends "name=value" to a growing text buffer. */
static civ_status append_state(char **buf, size_t *len, size_t *cap, const char *name, double value)
{
    char item[96];
    int w = civ_snprintf(item, sizeof item, "%s%.60s=%.15g", *len ? " " : "", name, value);
    if (w < 0)
        return civ_fail(CIV_ERR_INTERNAL, "cannot format a state value");
    size_t need = *len + (size_t)w + 1;
    if (need > *cap) {
        size_t c = *cap ? *cap : 256;
        while (c < need)
            c *= 2;
        char *p = realloc(*buf, c);
        if (!p)
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for state text");
        *buf = p;
        *cap = c;
    }
    memcpy(*buf + *len, item, (size_t)w + 1);
    *len += (size_t)w;
    return CIV_OK;
}

/* The report holds numbers for people and files: an infinite log-likelihood
 * (a perfect fit, sigma2 = 0) or criterion is shown as missing, since CSV
 * and HDF5 writers refuse infinities (docs/FORECASTING.md). */
static double finite_or_nan(double v) { return isfinite(v) ? v : NAN; }

/* The report's columns: the fixed ones, one per reported parameter, then the rest. */
enum { C_ID, C_MODEL, C_STATUS, C_MESSAGE, C_N, C_LOGLIK, C_AIC, C_AICC, C_BIC, C_SIGMA2, C_NPARAMS, C_FIXED };
typedef struct report_cols {
    size_t fixed[C_FIXED];
    size_t *param; /* per name of the parameter list */
    size_t states, adi, cv2, klass, kept; /* kept: SIZE_MAX without conformal intervals */
} report_cols;

/* The union of reported parameter names, in order of first appearance. */
static civ_status collect_param_names(const civ_forecast_result *r, name_list *params)
{
    civ_status s;
    for (size_t i = 0; i < r->n_series; i++) {
        const civ_forecast_series *fs = &r->series[i];
        const char *p = fs->names;
        for (size_t k = 0; k < fs->n_report; k++) {
            size_t idx;
            if ((s = name_list_add(params, p, &idx)))
                return s;
            p += strlen(p) + 1;
        }
    }
    return CIV_OK;
}

/* Creates the report's table with its columns (c->param allocated here) and its N rows. */
static civ_status add_report_columns(const civ_forecast_result *r, const name_list *params, civ_table **t,
                                     report_cols *c)
{
    static const char *const fixed[] = {"unique_id", "model", "status", "message", "n",    "loglik",
                                        "aic",       "aicc",  "bic",    "sigma2",  "n_params"};
    static const civ_column_type fixed_types[] = {CIV_COLUMN_TEXT,   CIV_COLUMN_TEXT,   CIV_COLUMN_TEXT,
                                                  CIV_COLUMN_TEXT,   CIV_COLUMN_NUMBER, CIV_COLUMN_NUMBER,
                                                  CIV_COLUMN_NUMBER, CIV_COLUMN_NUMBER, CIV_COLUMN_NUMBER,
                                                  CIV_COLUMN_NUMBER, CIV_COLUMN_NUMBER};
    civ_status s;
    c->param = calloc(params->n ? params->n : 1, sizeof *c->param);
    if (!c->param)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the report");
    if ((s = civ_table_create(t)) || (s = add_columns(*t, fixed, fixed_types, C_FIXED, c->fixed)))
        return s;
    for (size_t k = 0; k < params->n; k++) {
        if ((s = civ_table_add_column(*t, params->names[k], CIV_COLUMN_NUMBER, &c->param[k]))) {
            if (s == CIV_ERR_DUPLICATE)
                civ_error_set_field(params->names[k]);
            return s;
        }
    }
    c->kept = SIZE_MAX;
    if ((s = civ_table_add_column(*t, "initial_states", CIV_COLUMN_TEXT, &c->states)) ||
        (s = civ_table_add_column(*t, "adi", CIV_COLUMN_NUMBER, &c->adi)) ||
        (s = civ_table_add_column(*t, "cv2", CIV_COLUMN_NUMBER, &c->cv2)) ||
        (s = civ_table_add_column(*t, "demand_class", CIV_COLUMN_TEXT, &c->klass)) ||
        (r->conformal && (s = civ_table_add_column(*t, "uncalibrated", CIV_COLUMN_NUMBER, &c->kept))) ||
        (s = civ_table_add_rows(*t, r->n_series, NULL)))
        return s;
    return CIV_OK;
}

/* Row i: series i's fit, its parameters and its initial states (as text, in *text of *text_cap bytes). */
static civ_status fill_report_row(const civ_forecast_result *r, const civ_panel *panel, size_t i, name_list *params,
                                  const report_cols *c, civ_table *t, char **text, size_t *text_cap)
{
    const civ_forecast_series *fs = &r->series[i];
    int ok = fs->status == CIV_OK;
    civ_status s;
    if ((s = civ_table_set_text(t, i, c->fixed[C_ID], civ_panel_series_id(panel, r->first + i))) ||
        (s = civ_table_set_text(t, i, c->fixed[C_MODEL], fs->model)) ||
        (s = civ_table_set_text(t, i, c->fixed[C_STATUS], civ_status_name(fs->status))) ||
        (s = civ_table_set_text(t, i, c->fixed[C_MESSAGE], fs->message ? fs->message : "")))
        return s;
    if (ok) {
        const double v[] = {(double)fs->n, fs->loglik, fs->aic,   fs->aicc,
                            fs->bic,       fs->sigma2, (double)fs->n_params};
        for (size_t k = 0; k < 7; k++)
            if ((s = civ_table_set_number(t, i, c->fixed[C_N + k], finite_or_nan(v[k]))))
                return s;
    }
    const char *p = fs->names;
    size_t text_len = 0;
    if (*text)
        (*text)[0] = '\0';
    for (size_t k = 0; k < fs->n_report + fs->n_states; k++) {
        if (k < fs->n_report) {
            size_t idx;
            name_list_add(params, p, &idx); /* found: every name is in the list */
            if ((s = civ_table_set_number(t, i, c->param[idx], finite_or_nan(fs->values[k]))))
                return s;
        } else if ((s = append_state(text, &text_len, text_cap, p, fs->values[k]))) {
            return s;
        }
        p += strlen(p) + 1;
    }
    if ((s = civ_table_set_text(t, i, c->states, text_len ? *text : "")) ||
        (s = civ_table_set_number(t, i, c->adi, finite_or_nan(fs->adi))) ||
        (s = civ_table_set_number(t, i, c->cv2, finite_or_nan(fs->cv2))) ||
        (s = civ_table_set_text(t, i, c->klass, civ_demand_class_name(fs->demand))) ||
        (c->kept != SIZE_MAX && ok && (s = civ_table_set_number(t, i, c->kept, (double)fs->uncalibrated))))
        return s;
    return CIV_OK;
}

civ_status civ_forecast_report_table(const civ_forecast_result *r, const civ_panel *panel, civ_table **out)
{
    civ_status s = check_args(r, panel, out, "civ_forecast_report_table");
    if (s)
        return s;
    name_list params = {0};
    report_cols c = {0};
    civ_table *t = NULL;
    char *text = NULL;
    size_t text_cap = 0;
    if ((s = collect_param_names(r, &params)) || (s = add_report_columns(r, &params, &t, &c)))
        goto done;
    for (size_t i = 0; i < r->n_series; i++)
        if ((s = fill_report_row(r, panel, i, &params, &c, t, &text, &text_cap)))
            goto done;
    *out = t;
    t = NULL;
done:
    civ_table_free(t);
    free(params.names);
    free(c.param);
    free(text);
    return s;
}

civ_status civ_forecast_fitted_table(const civ_forecast_result *r, const civ_panel *panel, civ_table **out)
{
    civ_status s = check_args(r, panel, out, "civ_forecast_fitted_table");
    if (s)
        return s;
    if (!r->want_fitted)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "fitted values were not kept: forecast with want_fitted = 1");
    const size_t *offsets;
    const double *values;
    civ_panel_values(panel, &values, &offsets);
    size_t N = r->n_series, F = r->first, base = r->value_base;
    if (offsets[F + N] - offsets[F] != r->n_values || offsets[F] != base)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_forecast_fitted_table: the panel is not the one forecast");
    static const char *const names[] = {"unique_id", "ds", "y", "fitted", "residual"};
    static const civ_column_type types[] = {CIV_COLUMN_TEXT, CIV_COLUMN_TEXT, CIV_COLUMN_NUMBER, CIV_COLUMN_NUMBER,
                                            CIV_COLUMN_NUMBER};
    size_t cols[5];
    civ_table *t = NULL;
    if ((s = civ_table_create(&t)) || (s = add_columns(t, names, types, 5, cols)) ||
        (s = civ_table_add_rows(t, r->n_values, NULL)))
        goto done;
    civ_frequency freq = civ_panel_frequency(panel);
    int phase = civ_panel_phase(panel);
    civ_date_style style = civ_panel_date_style(panel);
    for (size_t i = F; i < F + N; i++) {
        const char *id = civ_panel_series_id(panel, i);
        int64_t start;
        civ_panel_series(panel, i, NULL, NULL, &start);
        for (size_t v = offsets[i]; v < offsets[i + 1]; v++) {
            char ds[32];
            size_t row = v - base;
            if ((s = civ_period_format_style(freq, phase, &style, start + (int64_t)(v - offsets[i]), ds, sizeof ds)) ||
                (s = civ_table_set_text(t, row, cols[0], id)) || (s = civ_table_set_text(t, row, cols[1], ds)) ||
                (s = civ_table_set_number(t, row, cols[2], values[v])) ||
                (s = civ_table_set_number(t, row, cols[3], finite_or_nan(r->fitted[row]))) ||
                (s = civ_table_set_number(t, row, cols[4], finite_or_nan(r->residuals[row]))))
                goto done;
        }
    }
    *out = t;
    t = NULL;
done:
    civ_table_free(t);
    return s;
}
