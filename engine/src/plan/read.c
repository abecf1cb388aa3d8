/*
 * read.c -- layer plan: civ_plan_read, the plan file reader (docs/
 * ALLOCATION.md, "Plan"), over io's TOML-subset reader, and the plan's
 * getters and overrides.  Paths are resolved against the plan file's folder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "csv.h" /* civ_csv_encoding_known, civ_csv_thousands */
#include "error.h"
#include "plan.h"
#include "toml.h"

/* Joins the plan file's folder and a relative path into out; CIV_ERR_LIMIT
 * (naming the key) when the result would not fit, rather than a cut path. */
static civ_status resolve(const char *plan_path, const char *key, const char *dir, const char *path, char *out,
                          size_t size)
{
    int n = (path[0] == '/' || !dir[0]) ? civ_snprintf(out, size, "%s", path)
                                          : civ_snprintf(out, size, "%s/%s", dir, path);
    if (n < 0 || (size_t)n >= size) {
        civ_where w = {.file = plan_path, .field = key};
        return civ_fail_at(CIV_ERR_LIMIT, &w, "the path is longer than %zu bytes once joined to the plan's folder",
                           size - 1);
    }
    return CIV_OK;
}

static civ_status cfg_error(const char *path, const civ_toml_entry *e, const char *section, const char *msg)
{
    civ_where w = {.file = path, .line = e ? e->value.line : 1, .column = e ? e->value.column : 1,
                   .field = e ? e->key : section};
    return civ_fail_at(CIV_ERR_SPEC, &w, "[%s] %s%s%s", section, e ? e->key : "", e ? ": " : "", msg);
}

static civ_status get_str(const char *path, civ_toml_table *t, const char *section, const char *key, int required,
                          char *out, size_t size)
{
    civ_toml_entry *e = civ_toml_take(t, key);
    if (!e) {
        if (!required)
            return CIV_OK;
        civ_where w = {.file = path, .line = t ? t->line : 1, .column = t ? t->column : 1, .field = key};
        return civ_fail_at(CIV_ERR_SPEC, &w, "[%s]: missing key '%s'", section, key);
    }
    if (e->value.type != CIV_TOML_STRING || !e->value.text[0] || strlen(e->value.text) >= size)
        return cfg_error(path, e, section, "must be a non-empty string");
    civ_snprintf(out, size, "%s", e->value.text);
    return CIV_OK;
}

static civ_status get_num(const char *path, civ_toml_table *t, const char *section, const char *key, int integer,
                          double lo, double hi, double *out)
{
    civ_toml_entry *e = civ_toml_take(t, key);
    if (!e)
        return CIV_OK;
    if ((integer ? e->value.type != CIV_TOML_INTEGER
                 : e->value.type != CIV_TOML_INTEGER && e->value.type != CIV_TOML_FLOAT) ||
        !(e->value.number >= lo && e->value.number <= hi)) {
        char msg[128];
        civ_snprintf(msg, sizeof msg, "must be a%s number in [%g, %g]", integer ? " whole" : "", lo, hi);
        return cfg_error(path, e, section, msg);
    }
    *out = e->value.number;
    return CIV_OK;
}

static civ_status unused(const char *path, civ_toml_table *t, const char *section, const char *allowed)
{
    for (size_t i = 0; t && i < t->n_entries; i++)
        if (!t->entries[i].used) {
            civ_where w = {.file = path, .line = t->entries[i].line, .column = t->entries[i].column,
                           .field = t->entries[i].key};
            return civ_fail_at(CIV_ERR_SPEC, &w, "[%s]: unknown key '%s' (allowed: %s)", section,
                               t->entries[i].key, allowed);
        }
    return CIV_OK;
}

/* The plan's inputs that may carry rows above their header (a title, a unit line: Excel and WPS exports), each
 * with its own key beside its file's key, in the style of panel_sheet (CIV_PLAN_IN_*): one count for every file
 * of a plan is rarely right (an office's sheet has a title, a table civicast wrote has none). */
static const struct {
    const char *section, *key, *input;
} skip_keys[CIV_PLAN_INPUTS] = {
    {"plan", "panel_skip_rows", "panel"},          {"plan", "communities_skip_rows", "communities"},
    {"plan", "last_year_skip_rows", "last_year"},  {"monitor", "actuals_skip_rows", "actuals"},
    {"monitor", "risks_skip_rows", "risks"},       {"monitor", "events_skip_rows", "events"},
    {"monitor", "demand_actuals_skip_rows", "demand_actuals"},
};

/* The skip keys of `section` ("plan" or "monitor") into c->skip_rows, each entry found into e[k]. */
static civ_status read_skip_rows(const char *path, civ_toml_table *t, const char *section, civ_plan *c,
                                 const civ_toml_entry **found)
{
    for (int k = 0; k < CIV_PLAN_INPUTS; k++) {
        civ_toml_entry *e;
        if (strcmp(skip_keys[k].section, section) || !(e = civ_toml_take(t, skip_keys[k].key)))
            continue;
        if (e->value.type != CIV_TOML_INTEGER || !(e->value.number >= 0 && e->value.number <= 1000000))
            return cfg_error(path, e, section, "must be a whole number of rows from 0 to 1000000: the rows above "
                                               "the header of its file (a title, a unit line such as 单位：元)");
        c->skip_rows[k] = (int)e->value.number;
        if (found)
            found[k] = e;
    }
    return CIV_OK;
}

/* [monitor]: the section (civ_plan_read_monitor, after its skip keys), then a skip key whose file is not there
 * (risks_skip_rows without risks) refused: it would do nothing. */
static civ_status read_monitor(const char *path, civ_toml_table *t, civ_plan *c)
{
    const civ_toml_entry *found[CIV_PLAN_INPUTS] = {0};
    civ_status st = read_skip_rows(path, t, "monitor", c, found);
    if (!st)
        st = civ_plan_read_monitor(c, t);
    const char *file[CIV_PLAN_INPUTS] = {[CIV_PLAN_IN_ACTUALS] = c->mon_actuals, [CIV_PLAN_IN_RISKS] = c->mon_risks,
                                         [CIV_PLAN_IN_EVENTS] = c->mon_events, [CIV_PLAN_IN_DEMAND] = c->mon_demand};
    for (int k = 0; !st && k < CIV_PLAN_INPUTS; k++)
        if (found[k] && file[k] && !file[k][0]) {
            char msg[160];
            civ_snprintf(msg, sizeof msg, "skips rows of the %s file, which the section does not name: add %s = "
                         "\"FILE\" or delete this key", skip_keys[k].input, skip_keys[k].input);
            st = cfg_error(path, found[k], "monitor", msg);
        }
    return st;
}

/* The sections: [plan], [forecast], [uncertainty], [backtest] into the slots; [need] is
 * only noted (civ_alloc_need_read reads it); [monitor] is read here, after
 * the defaults (monitor_stage.c); anything else is refused. */
static civ_status find_sections(const char *path, civ_toml_doc *doc, civ_plan *c, civ_toml_table **tp,
                                civ_toml_table **tf, civ_toml_table **tu, civ_toml_table **tb)
{
    for (size_t i = 1; i < doc->n_tables; i++) {
        civ_toml_table *t = &doc->tables[i];
        civ_toml_table **slot = !strcmp(t->name, "plan")          ? tp
                                : !strcmp(t->name, "forecast")    ? tf
                                : !strcmp(t->name, "uncertainty") ? tu
                                : !strcmp(t->name, "backtest")    ? tb
                                                                  : NULL;
        if (!strcmp(t->name, "need") && !t->is_array) {
            c->has_need = 1;
            continue;
        }
        if (!strcmp(t->name, "monitor") && !t->is_array) {
            civ_status st = read_monitor(path, t, c);
            if (st)
                return st;
            continue;
        }
        if (!slot || t->is_array) {
            civ_where wt = {.file = path, .line = t->line, .column = t->column, .field = t->name};
            return civ_fail_at(CIV_ERR_SPEC, &wt,
                               "unknown section '%s' (allowed: [plan], [forecast], [uncertainty], [need], [monitor], "
                               "[backtest])",
                               t->name);
        }
        *slot = t;
    }
    if (doc->tables[0].n_entries) {
        civ_where wt = {.file = path, .line = doc->tables[0].entries[0].line, .field = doc->tables[0].entries[0].key};
        return civ_fail_at(CIV_ERR_SPEC, &wt, "key '%s' outside a section; put it under [plan]",
                           doc->tables[0].entries[0].key);
    }
    if (!*tp) {
        civ_where w = {.file = path};
        return civ_fail_at(CIV_ERR_SPEC, &w, "missing the [plan] section");
    }
    return CIV_OK;
}

/* One path key of [plan], resolved against the plan's folder. */
static civ_status path_key(const char *path, civ_toml_table *tp, const char *key, const char *field, int required,
                           const char *dir, char *out)
{
    char tmp[CIV_PLAN_PATH_MAX] = "";
    civ_status st = get_str(path, tp, "plan", key, required, tmp, sizeof tmp);
    if (!st && tmp[0])
        st = resolve(path, field, dir, tmp, out, CIV_PLAN_PATH_MAX);
    return st;
}

/* [plan] encoding, thousands, percent: how the plan's CSV inputs are written
 * (civ_panel_read_options / civ_table_read_options). */
static civ_status read_input_format(const char *path, civ_toml_table *tp, civ_plan *c)
{
    civ_toml_entry *e;
    char sep;
    if ((e = civ_toml_take(tp, "encoding"))) {
        if (e->value.type != CIV_TOML_STRING || !e->value.text[0] || strlen(e->value.text) >= sizeof c->encoding ||
            !civ_csv_encoding_known(e->value.text))
            return cfg_error(path, e, "plan", "must be \"utf-8\" or \"gb18030\" (also \"gbk\"): the encoding of the "
                             "plan's CSV inputs");
        civ_snprintf(c->encoding, sizeof c->encoding, "%s", e->value.text);
    }
    if ((e = civ_toml_take(tp, "thousands"))) {
        if (e->value.type != CIV_TOML_STRING || !e->value.text[0] ||
            civ_csv_thousands(e->value.text, "[plan] thousands", &sep))
            return cfg_error(path, e, "plan", "must be \",\" (12,345), \"'\" (12'345) or \" \" (12 345): the "
                             "thousands separator of the plan's CSV inputs");
        civ_snprintf(c->thousands, sizeof c->thousands, "%s", e->value.text);
    }
    if ((e = civ_toml_take(tp, "percent"))) {
        if (e->value.type != CIV_TOML_BOOL)
            return cfg_error(path, e, "plan", "must be true or false: whether the CSV inputs write fractions as "
                             "\"33.3%\" (Excel's Percentage format)");
        c->percent = e->value.number != 0;
    }
    return CIV_OK;
}

static civ_status read_plan_section(const char *path, civ_toml_table *tp, civ_plan *c)
{
    civ_status st = path_key(path, tp, "panel", "plan.panel", 1, c->dir, c->panel);
    if (!st)
        st = path_key(path, tp, "communities", "plan.communities", 1, c->dir, c->communities);
    if (!st)
        st = path_key(path, tp, "spec", "plan.spec", 1, c->dir, c->spec);
    if (!st)
        st = path_key(path, tp, "out", "plan.out", 0, c->dir, c->out);
    civ_toml_entry *e = NULL;
    if (!st && (e = civ_toml_take(tp, "lang"))) {
        if (e->value.type != CIV_TOML_STRING || (strcmp(e->value.text, "zh") && strcmp(e->value.text, "en")))
            st = cfg_error(path, e, "plan", "must be \"zh\" or \"en\" (the report's language)");
        else
            civ_snprintf(c->lang, sizeof c->lang, "%s", e->value.text);
    }
    if (!st)
        st = get_str(path, tp, "plan", "freq", 0, c->freq, sizeof c->freq);
    civ_freq_spec f;
    if (!st && c->freq[0] && civ_freq_parse(c->freq, &f)) {
        char message[512];
        civ_snprintf(message, sizeof message, "%s", civ_last_error()->message);
        civ_where w = {.file = path, .field = "plan.freq"};
        st = civ_fail_at(CIV_ERR_SPEC, &w, "[plan] freq: %s", message);
    }
    if (!st)
        st = read_input_format(path, tp, c);
    if (!st)
        st = get_str(path, tp, "plan", "id_column", 0, c->id_column, sizeof c->id_column);
    if (!st)
        st = get_str(path, tp, "plan", "time_column", 0, c->time_column, sizeof c->time_column);
    if (!st)
        st = get_str(path, tp, "plan", "target_column", 0, c->target_column, sizeof c->target_column);
    if (!st) /* the sheet of an Excel workbook input (.xlsx): "" = its only sheet with cells */
        st = get_str(path, tp, "plan", "panel_sheet", 0, c->panel_sheet, sizeof c->panel_sheet);
    if (!st)
        st = get_str(path, tp, "plan", "communities_sheet", 0, c->communities_sheet, sizeof c->communities_sheet);
    if (!st) /* last year's allocation's (the spec's [data] last_year_file, --last-year): "" = its only sheet, or
              * the allocation sheet of the plan's own allocation.xlsx */
        st = get_str(path, tp, "plan", "last_year_sheet", 0, c->last_year_sheet, sizeof c->last_year_sheet);
    if (!st)
        st = read_skip_rows(path, tp, "plan", c, NULL);
    if (!st && (e = civ_toml_take(tp, "layout"))) {
        if (e->value.type != CIV_TOML_STRING || (strcmp(e->value.text, "long") && strcmp(e->value.text, "wide")))
            st = cfg_error(path, e, "plan", "must be \"long\" (unique_id, ds, y) or \"wide\" (a column per period)");
        else
            c->wide = !strcmp(e->value.text, "wide");
    }
    if (!st)
        st = unused(path, tp, "plan",
                    "panel, communities, spec, out, freq, encoding, thousands, percent, id_column, time_column, "
                    "target_column, layout, lang, panel_sheet, communities_sheet, last_year_sheet, panel_skip_rows, "
                    "communities_skip_rows, last_year_skip_rows");
    return st;
}

static civ_status read_levels(const char *path, civ_toml_table *tf, civ_plan *c)
{
    civ_toml_entry *e = civ_toml_take(tf, "levels");
    if (!e)
        return CIV_OK;
    c->levels_set = 1;
    c->n_levels = 0;
    if (e->value.type != CIV_TOML_ARRAY || e->value.n_items > CIV_PLAN_MAX_LEVELS)
        return cfg_error(path, e, "forecast", "must be an array of at most 8 levels, e.g. [80, 95]");
    for (size_t k = 0; k < e->value.n_items; k++) {
        const civ_toml_value *it = &e->value.items[k];
        if ((it->type != CIV_TOML_INTEGER && it->type != CIV_TOML_FLOAT) || !(it->number > 0 && it->number < 100))
            return cfg_error(path, e, "forecast", "levels must be numbers in (0, 100)");
        c->levels[c->n_levels++] = it->number;
    }
    return CIV_OK;
}

/* [forecast] intervals = "model" | "conformal": how every forecast of the
 * plan (the demand forecasts, the early warning, the backtest windows) makes
 * its intervals; absent = the model spec's own choice. */
static civ_status read_intervals(const char *path, civ_toml_table *tf, civ_plan *c)
{
    civ_toml_entry *e = civ_toml_take(tf, "intervals");
    if (!e)
        return CIV_OK;
    if (e->value.type == CIV_TOML_STRING && !strcmp(e->value.text, "model"))
        c->intervals = CIV_INTERVALS_MODEL;
    else if (e->value.type == CIV_TOML_STRING && !strcmp(e->value.text, "conformal"))
        c->intervals = CIV_INTERVALS_CONFORMAL;
    else
        return cfg_error(path, e, "forecast", "must be \"model\" or \"conformal\"");
    return CIV_OK;
}

/* [forecast] conformal_windows, conformal_step (1..1000), conformal_sample (a
 * positive whole number or "all") and conformal_refit ("search" | "fixed"):
 * the settings of conformal intervals (civ_forecast_options.conformal_*;
 * docs/FORECASTING.md, "Conformal intervals").  They only make sense with
 * intervals = "conformal", so they are refused without it: a setting that
 * silently did nothing would mislead. */
static civ_status read_conformal(const char *path, civ_toml_table *tf, civ_plan *c)
{
    static const char *const keys[] = {"conformal_windows", "conformal_step", "conformal_sample", "conformal_refit"};
    civ_toml_entry *e[4];
    const civ_toml_entry *first = NULL;
    for (int k = 0; k < 4; k++)
        if ((e[k] = civ_toml_take(tf, keys[k])) && !first)
            first = e[k];
    if (!first)
        return CIV_OK;
    if (c->intervals != CIV_INTERVALS_CONFORMAL)
        return cfg_error(path, first, "forecast",
                         "applies to conformal intervals only: add intervals = \"conformal\" to [forecast]");
    size_t *whole[2] = {&c->conformal_windows, &c->conformal_step};
    for (int k = 0; k < 2; k++) {
        if (!e[k])
            continue;
        if (e[k]->value.type != CIV_TOML_INTEGER || !(e[k]->value.number >= 1 && e[k]->value.number <= 1000))
            return cfg_error(path, e[k], "forecast", "must be a whole number in [1, 1000]");
        *whole[k] = (size_t)e[k]->value.number;
    }
    if (e[2]) {
        if (e[2]->value.type == CIV_TOML_STRING && !strcmp(e[2]->value.text, "all"))
            c->conformal_sample = SIZE_MAX;
        else if (e[2]->value.type == CIV_TOML_INTEGER && e[2]->value.number >= 1 && e[2]->value.number <= 1e9)
            c->conformal_sample = (size_t)e[2]->value.number;
        else
            return cfg_error(path, e[2], "forecast", "must be \"all\" or a whole number of series per length class "
                                                     "in [1, 1000000000]");
    }
    if (e[3]) {
        if (e[3]->value.type == CIV_TOML_STRING && !strcmp(e[3]->value.text, "search"))
            c->conformal_refit = CIV_CONFORMAL_REFIT_SEARCH;
        else if (e[3]->value.type == CIV_TOML_STRING && !strcmp(e[3]->value.text, "fixed"))
            c->conformal_refit = CIV_CONFORMAL_REFIT_FIXED;
        else
            return cfg_error(path, e[3], "forecast", "must be \"search\" or \"fixed\"");
    }
    return CIV_OK;
}

static civ_status read_forecast_section(const char *path, civ_toml_table *tf, civ_plan *c)
{
    double v;
    civ_status st = get_str(path, tf, "forecast", "model", 0, c->model, sizeof c->model);
    if (!st && !(v = (double)c->horizon, st = get_num(path, tf, "forecast", "horizon", 1, 1, 1000, &v)))
        c->horizon = (size_t)v;
    if (!st && !(v = 0, st = get_num(path, tf, "forecast", "threads", 1, 0, 1024, &v)))
        c->threads = (int)v;
    if (!st && !(v = (double)c->seed, st = get_num(path, tf, "forecast", "seed", 1, 0, 9007199254740992.0, &v)))
        c->seed = (uint64_t)v;
    if (!st)
        st = get_str(path, tf, "forecast", "unit", 0, c->unit, sizeof c->unit);
    if (!st)
        st = read_levels(path, tf, c);
    civ_toml_entry *e = NULL;
    if (!st && (e = civ_toml_take(tf, "totals"))) {
        if (e->value.type != CIV_TOML_STRING || (strcmp(e->value.text, "bu") && strcmp(e->value.text, "sum")))
            st = cfg_error(path, e, "forecast", "must be \"bu\" (bottom-up sample paths of the district hierarchy) or "
                           "\"sum\" (the communities' bounds added up): how forecast_totals.csv makes its bands");
        else
            civ_snprintf(c->totals, sizeof c->totals, "%s", e->value.text);
    }
    if (!st)
        st = read_intervals(path, tf, c);
    if (!st)
        st = read_conformal(path, tf, c);
    if (!st)
        st = unused(path, tf, "forecast",
                    "model, horizon, levels, threads, seed, intervals, conformal_windows, conformal_step, "
                    "conformal_sample, conformal_refit, unit, totals");
    return st;
}

static civ_status read_uncertainty_section(const char *path, civ_toml_table *tu, civ_plan *c)
{
    double v;
    civ_status st;
    if (!(v = 0, st = get_num(path, tu, "uncertainty", "draws", 1, 0, 1e7, &v)))
        c->draws = (size_t)v;
    if (!st && !(v = (double)c->unc_seed, st = get_num(path, tu, "uncertainty", "seed", 1, 0, 9007199254740992.0, &v)))
        c->unc_seed = (uint64_t)v;
    if (!st)
        st = get_num(path, tu, "uncertainty", "weight_concentration", 0, 0, 1e12, &c->concentration);
    civ_toml_entry *e;
    if (!st && (e = civ_toml_take(tu, "forecasts"))) {
        if (e->value.type != CIV_TOML_BOOL)
            st = cfg_error(path, e, "uncertainty", "must be true or false");
        else
            c->unc_forecasts = e->value.number != 0;
    }
    if (!st)
        st = unused(path, tu, "uncertainty", "draws, seed, weight_concentration, forecasts");
    return st;
}

/* [backtest] models: spec names any model family accepts, at most one per
 * display name (civ_backtest_panel refuses two "SeasonalNaive"). */
static civ_status read_backtest_models(const char *path, civ_toml_entry *e, civ_plan *c)
{
    if (e->value.type != CIV_TOML_ARRAY || !e->value.n_items || e->value.n_items > CIV_PLAN_MAX_BT_MODELS)
        return cfg_error(path, e, "backtest", "must be an array of 1 to 8 model specs, e.g. [\"auto\", \"snaive\"]");
    char names[CIV_PLAN_MAX_BT_MODELS][128];
    for (size_t k = 0; k < e->value.n_items; k++) {
        const civ_toml_value *it = &e->value.items[k];
        char msg[320];
        if (it->type != CIV_TOML_STRING || !it->text[0] || strlen(it->text) >= sizeof c->bt_models[0])
            return cfg_error(path, e, "backtest", "every item must be a model spec (under 128 bytes), e.g. \"ets\"");
        if (civ_model_display_name(it->text, names[k], sizeof names[k])) {
            civ_snprintf(msg, sizeof msg, "'%.120s' is not a model spec (e.g. auto, ets, theta, arima, snaive)",
                         it->text);
            return cfg_error(path, e, "backtest", msg);
        }
        for (size_t j = 0; j < k; j++)
            if (!strcmp(names[j], names[k])) {
                civ_snprintf(msg, sizeof msg, "'%.120s' is listed twice (as %.120s); list each model once", it->text,
                             names[k]);
                return cfg_error(path, e, "backtest", msg);
            }
        civ_snprintf(c->bt_models[k], sizeof c->bt_models[k], "%s", it->text);
    }
    c->bt_n_models = e->value.n_items;
    return CIV_OK;
}

static civ_status read_backtest_section(const char *path, civ_toml_table *tb, civ_plan *c)
{
    double v;
    civ_status st;
    c->has_backtest = 1;
    if (!(v = (double)c->bt_windows, st = get_num(path, tb, "backtest", "windows", 1, 1, 1000, &v)))
        c->bt_windows = (size_t)v;
    if (!st && !(v = (double)c->bt_step, st = get_num(path, tb, "backtest", "step", 1, 1, 1000, &v)))
        c->bt_step = (size_t)v;
    if (!st && !(v = 0, st = get_num(path, tb, "backtest", "h", 1, 1, 1000, &v)))
        c->bt_h = (size_t)v;
    civ_toml_entry *e;
    if (!st && (e = civ_toml_take(tb, "models")))
        st = read_backtest_models(path, e, c);
    if (!st)
        st = unused(path, tb, "backtest", "windows, step, h, models (the levels are [forecast] levels)");
    return st;
}

static void set_defaults(const char *path, civ_plan *c)
{
    memset(c, 0, sizeof *c);
    civ_snprintf(c->path, sizeof c->path, "%s", path);
    civ_snprintf(c->model, sizeof c->model, "auto");
    civ_snprintf(c->lang, sizeof c->lang, "zh");
    civ_snprintf(c->totals, sizeof c->totals, "bu");
    c->horizon = 12;
    c->seed = CIV_FORECAST_DEFAULT_SEED;
    c->unc_seed = CIV_FORECAST_DEFAULT_SEED;
    c->unc_forecasts = 1;
    c->levels[0] = 80, c->levels[1] = 95;
    c->n_levels = 2;
    c->bt_windows = 3, c->bt_step = 1;
    const char *slash = strrchr(path, '/');
    if (slash)
        civ_snprintf(c->dir, sizeof c->dir, "%.*s", (int)(slash - path), path);
    if (slash && !c->dir[0])
        civ_snprintf(c->dir, sizeof c->dir, "/");
}

civ_status civ_plan_read(const char *path, civ_plan **out)
{
    if (out)
        *out = NULL;
    if (!path || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_read: NULL argument");
    if (strlen(path) >= CIV_PLAN_PATH_MAX) {
        civ_where w = {.file = path};
        return civ_fail_at(CIV_ERR_LIMIT, &w, "the plan's path is longer than %d bytes", CIV_PLAN_PATH_MAX - 1);
    }
    civ_plan *c = malloc(sizeof *c);
    if (!c)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    set_defaults(path, c);
    char *buf = NULL;
    size_t len = 0;
    civ_toml_doc doc;
    memset(&doc, 0, sizeof doc);
    civ_status st = civ_toml_read_text(path, "plan", &buf, &len);
    if (!st)
        st = civ_toml_parse(buf, len, path, &doc);
    free(buf);
    civ_toml_table *tp = NULL, *tf = NULL, *tu = NULL, *tb = NULL;
    if (!st)
        st = find_sections(path, &doc, c, &tp, &tf, &tu, &tb);
    if (!st)
        st = read_plan_section(path, tp, c);
    if (!st && tf)
        st = read_forecast_section(path, tf, c);
    if (!st && tu)
        st = read_uncertainty_section(path, tu, c);
    if (!st && tb)
        st = read_backtest_section(path, tb, c);
    civ_toml_free(&doc);
    if (st) {
        free(c);
        return st;
    }
    *out = c;
    return CIV_OK;
}

void civ_plan_free(civ_plan *plan)
{
    free(plan);
}

/* ---- getters and overrides ---------------------------------------------- */

const char *civ_plan_path(const civ_plan *p) { return p ? p->path : ""; }
const char *civ_plan_panel(const civ_plan *p) { return p ? p->panel : ""; }
const char *civ_plan_communities(const civ_plan *p) { return p ? p->communities : ""; }
const char *civ_plan_spec(const civ_plan *p) { return p ? p->spec : ""; }
const char *civ_plan_out(const civ_plan *p) { return p ? p->out : ""; }
const char *civ_plan_model(const civ_plan *p) { return p ? p->model : ""; }
const char *civ_plan_freq(const civ_plan *p) { return p ? p->freq : ""; }
const char *civ_plan_encoding(const civ_plan *p) { return p ? p->encoding : ""; }
const char *civ_plan_thousands(const civ_plan *p) { return p ? p->thousands : ""; }
int civ_plan_percent(const civ_plan *p) { return p ? p->percent : 0; }
const char *civ_plan_lang(const civ_plan *p) { return p ? p->lang : ""; }
const char *civ_plan_id_column(const civ_plan *p) { return p ? p->id_column : ""; }
const char *civ_plan_time_column(const civ_plan *p) { return p ? p->time_column : ""; }
const char *civ_plan_target_column(const civ_plan *p) { return p ? p->target_column : ""; }
int civ_plan_wide(const civ_plan *p) { return p ? p->wide : 0; }

civ_status civ_plan_set_wide(civ_plan *p, int wide)
{
    if (!p || (wide != 0 && wide != 1))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_set_wide: %s", p ? "wide must be 0 or 1" : "NULL plan");
    p->wide = wide;
    return CIV_OK;
}
size_t civ_plan_horizon(const civ_plan *p) { return p ? p->horizon : 0; }
int civ_plan_threads(const civ_plan *p) { return p ? p->threads : 0; }
int civ_plan_intervals(const civ_plan *p) { return p ? p->intervals : CIV_INTERVALS_DEFAULT; }
const char *civ_plan_totals(const civ_plan *p) { return p ? p->totals : ""; }
uint64_t civ_plan_seed(const civ_plan *p) { return p ? p->seed : 0; }
uint64_t civ_plan_uncertainty_seed(const civ_plan *p) { return p ? p->unc_seed : 0; }
size_t civ_plan_draws(const civ_plan *p) { return p ? p->draws : 0; }
int civ_plan_has_need(const civ_plan *p) { return p ? p->has_need : 0; }
int civ_plan_has_monitor(const civ_plan *p) { return p ? p->has_monitor : 0; }
int civ_plan_has_backtest(const civ_plan *p) { return p ? p->has_backtest : 0; }
const char *civ_plan_warn_model(const civ_plan *p) { return !p ? "" : p->mon_model[0] ? p->mon_model : p->model; }

civ_status civ_plan_event_times(const civ_plan *p, int *local_times, double *utc_offset_hours)
{
    if (!p)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_event_times: NULL plan");
    if (local_times)
        *local_times = p->mon_local_times;
    if (utc_offset_hours)
        *utc_offset_hours = p->has_monitor ? p->mon_utc_offset : 8.0; /* civ_plan_read_monitor's default */
    return CIV_OK;
}

civ_status civ_plan_warning(const civ_plan *p, size_t *horizon, double *threshold)
{
    if (!p)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_warning: NULL plan");
    if (horizon)
        *horizon = p->has_monitor ? p->warn_h : 0;
    if (threshold)
        *threshold = p->has_monitor ? p->threshold : 0.5; /* civ_plan_read_monitor's default */
    return CIV_OK;
}

size_t civ_plan_levels(const civ_plan *p, const double **levels)
{
    if (levels)
        *levels = p ? p->levels : NULL;
    return p ? p->n_levels : 0;
}

static civ_status set_string(char *dst, size_t size, const char *value, const char *what)
{
    if (!value)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_set_%s: NULL argument", what);
    if (strlen(value) >= size)
        return civ_fail(CIV_ERR_LIMIT, "the plan's %s is longer than %zu bytes", what, size - 1);
    civ_snprintf(dst, size, "%s", value);
    return CIV_OK;
}

civ_status civ_plan_set_out(civ_plan *p, const char *dir)
{
    return p ? set_string(p->out, sizeof p->out, dir, "out")
             : civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_set_out: NULL plan");
}

civ_status civ_plan_set_last_year(civ_plan *p, const char *path)
{
    return p ? set_string(p->last_year, sizeof p->last_year, path, "last_year")
             : civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_set_last_year: NULL plan");
}

civ_status civ_plan_set_last_year_sheet(civ_plan *p, const char *sheet)
{
    return p ? set_string(p->last_year_sheet, sizeof p->last_year_sheet, sheet, "last_year_sheet")
             : civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_set_last_year_sheet: NULL plan");
}

const char *civ_plan_last_year_sheet(const civ_plan *p) { return p ? p->last_year_sheet : ""; }

civ_status civ_plan_set_model(civ_plan *p, const char *model)
{
    return p ? set_string(p->model, sizeof p->model, model, "model")
             : civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_set_model: NULL plan");
}

civ_status civ_plan_set_columns(civ_plan *p, const char *id_column, const char *time_column,
                                const char *target_column)
{
    if (!p)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_set_columns: NULL plan");
    const char *value[3] = {id_column, time_column, target_column};
    char *dst[3] = {p->id_column, p->time_column, p->target_column};
    const char *what[3] = {"id_column", "time_column", "target_column"};
    for (int k = 0; k < 3; k++)
        if (value[k] && strlen(value[k]) >= sizeof p->id_column)
            return civ_fail(CIV_ERR_LIMIT, "the plan's %s is longer than %zu bytes", what[k], sizeof p->id_column - 1);
    for (int k = 0; k < 3; k++)
        if (value[k])
            civ_snprintf(dst[k], sizeof p->id_column, "%s", value[k]);
    return CIV_OK;
}

civ_status civ_plan_set_input(civ_plan *p, const char *freq, const char *encoding, const char *thousands,
                              int percent)
{
    civ_freq_spec f;
    char sep;
    if (!p)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_set_input: NULL plan");
    if (freq && freq[0] && strlen(freq) >= sizeof p->freq)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_set_input: unknown frequency '%.40s'", freq);
    if (freq && freq[0] && civ_freq_parse(freq, &f)) {
        char message[512];
        civ_snprintf(message, sizeof message, "%s", civ_last_error()->message);
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_set_input: %s", message);
    }
    if (encoding && (strlen(encoding) >= sizeof p->encoding || !civ_csv_encoding_known(encoding)))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT,
                        "civ_plan_set_input: encoding '%.40s' is not supported: use utf-8 or gb18030", encoding);
    if (thousands && civ_csv_thousands(thousands, "civ_plan_set_input", &sep))
        return civ_last_error()->status;
    if (percent < -1 || percent > 1)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_set_input: percent must be -1 (keep), 0 or 1, not %d",
                        percent);
    if (percent >= 0)
        p->percent = percent;
    if (freq)
        civ_snprintf(p->freq, sizeof p->freq, "%s", freq);
    if (encoding)
        civ_snprintf(p->encoding, sizeof p->encoding, "%s", encoding);
    if (thousands)
        civ_snprintf(p->thousands, sizeof p->thousands, "%s", thousands);
    return CIV_OK;
}

const char *civ_plan_panel_sheet(const civ_plan *p) { return p ? p->panel_sheet : ""; }
const char *civ_plan_communities_sheet(const civ_plan *p) { return p ? p->communities_sheet : ""; }

civ_status civ_plan_set_sheets(civ_plan *p, const char *panel_sheet, const char *communities_sheet)
{
    if (!p)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_set_sheets: NULL plan");
    if ((panel_sheet && strlen(panel_sheet) >= sizeof p->panel_sheet) ||
        (communities_sheet && strlen(communities_sheet) >= sizeof p->communities_sheet))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_set_sheets: a sheet name of %zu bytes or more",
                        sizeof p->panel_sheet);
    if (panel_sheet)
        civ_snprintf(p->panel_sheet, sizeof p->panel_sheet, "%s", panel_sheet);
    if (communities_sheet)
        civ_snprintf(p->communities_sheet, sizeof p->communities_sheet, "%s", communities_sheet);
    return CIV_OK;
}

civ_status civ_plan_conformal(const civ_plan *p, size_t *windows, size_t *step, size_t *sample, int *refit)
{
    if (!p)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_conformal: NULL plan");
    if (windows)
        *windows = p->conformal_windows;
    if (step)
        *step = p->conformal_step;
    if (sample)
        *sample = p->conformal_sample;
    if (refit)
        *refit = p->conformal_refit;
    return CIV_OK;
}

civ_status civ_plan_set_conformal(civ_plan *p, size_t windows, size_t step, size_t sample, int refit)
{
    if (!p)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_set_conformal: NULL plan");
    if (windows > 1000 || step > 1000)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_set_conformal: windows and step must be 0 (the default) "
                                                  "to 1000, got %zu and %zu", windows, step);
    if (refit < CIV_CONFORMAL_REFIT_DEFAULT || refit > CIV_CONFORMAL_REFIT_FIXED)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_set_conformal: refit must be CIV_CONFORMAL_REFIT_DEFAULT, "
                                                  "_SEARCH or _FIXED, got %d", refit);
    p->conformal_windows = windows, p->conformal_step = step, p->conformal_sample = sample;
    p->conformal_refit = refit;
    return CIV_OK;
}

civ_status civ_plan_set_intervals(civ_plan *p, int intervals)
{
    if (!p || intervals < CIV_INTERVALS_DEFAULT || intervals > CIV_INTERVALS_CONFORMAL)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_set_intervals: %s",
                        p ? "intervals must be CIV_INTERVALS_DEFAULT, _MODEL or _CONFORMAL" : "NULL plan");
    p->intervals = intervals;
    return CIV_OK;
}

civ_status civ_plan_set_totals(civ_plan *p, const char *method)
{
    if (!p || !method || (strcmp(method, "bu") && strcmp(method, "sum")))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_set_totals: %s",
                        p ? "the totals' method must be \"bu\" or \"sum\"" : "NULL plan");
    civ_snprintf(p->totals, sizeof p->totals, "%s", method);
    return CIV_OK;
}

civ_status civ_plan_set_lang(civ_plan *p, const char *lang)
{
    if (!p || !lang || (strcmp(lang, "zh") && strcmp(lang, "en")))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_set_lang: %s",
                        p ? "the language must be \"zh\" or \"en\"" : "NULL plan");
    civ_snprintf(p->lang, sizeof p->lang, "%s", lang);
    return CIV_OK;
}

civ_status civ_plan_set_horizon(civ_plan *p, size_t horizon)
{
    if (!p || horizon < 1)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_set_horizon: %s", p ? "the horizon must be >= 1" : "NULL plan");
    p->horizon = horizon;
    return CIV_OK;
}

civ_status civ_plan_set_threads(civ_plan *p, int threads)
{
    if (!p || threads < 0 || threads > 1024)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_set_threads: %s",
                        p ? "threads must be 0..1024" : "NULL plan");
    p->threads = threads;
    return CIV_OK;
}

civ_status civ_plan_set_draws(civ_plan *p, size_t draws)
{
    if (!p)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_set_draws: NULL plan");
    p->draws = draws;
    return CIV_OK;
}

/* ---- rows above the header ---------------------------------------------- */

civ_status civ_plan_skip_rows(const civ_plan *p, const char *input, int *rows)
{
    if (rows)
        *rows = 0;
    if (!p || !input || !rows)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_skip_rows: NULL argument");
    for (int k = 0; k < CIV_PLAN_INPUTS; k++)
        if (!strcmp(skip_keys[k].input, input)) {
            *rows = p->skip_rows[k];
            return CIV_OK;
        }
    return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_skip_rows: unknown input '%.40s' (panel, communities, "
                    "last_year, actuals, risks, events or demand_actuals)", input);
}

/* In buf, the reader's cure "--skip-rows N (Python skip_rows=N)" (or "--skip-rows N; Python skip_rows=N",
 * "--skip-rows; Python skip_rows=") re-worded as `setting = N` ("[plan] communities_skip_rows = 2"). */
static void reword_skip(char *buf, size_t size, const char *setting)
{
    char *q = strstr(buf, "--skip-rows"), *r = q ? strstr(q, "skip_rows=") : NULL;
    if (!r)
        return;
    r += strlen("skip_rows=");
    size_t digits = strspn(r, "0123456789");
    char *end = r + digits, number[24];
    civ_snprintf(number, sizeof number, "%.*s", (int)(digits < 20 ? digits : 20), r);
    for (const char *x = q; *end == ')' && x < r; x++) /* the first form's own parenthesis goes with it */
        if (!strncmp(x, " (Python ", 9)) {
            end++;
            break;
        }
    char out[1536];
    civ_snprintf(out, sizeof out, "%.*s%s%s%s%s", (int)(q - buf), buf, setting, digits ? " = " : "", number, end);
    civ_snprintf(buf, size, "%s", out);
}

civ_status civ_plan_input_error_spec(const civ_plan *p, const civ_alloc_spec *spec, civ_status s)
{
    const civ_error *e = civ_last_error();
    if (!s || !p || !e->file[0] || !strstr(e->message, "--skip-rows"))
        return s;
    const char *ly = p->last_year[0] ? p->last_year : spec ? civ_alloc_spec_last_year_file(spec) : NULL;
    const char *file[CIV_PLAN_INPUTS] = {p->panel,      p->communities, ly,           p->mon_actuals,
                                         p->mon_risks,  p->mon_events,  p->mon_demand};
    for (int k = 0; k < CIV_PLAN_INPUTS; k++)
        if (file[k] && file[k][0] && !strcmp(file[k], e->file)) {
            civ_error copy = *e;
            char setting[80];
            civ_snprintf(setting, sizeof setting, "[%s] %s", skip_keys[k].section, skip_keys[k].key);
            reword_skip(copy.message, sizeof copy.message, setting);
            reword_skip(copy.text, sizeof copy.text, setting);
            civ_error_restore(&copy);
            break;
        }
    return s;
}

civ_status civ_plan_input_error(const civ_plan *p, civ_status s) { return civ_plan_input_error_spec(p, NULL, s); }
