/*
 * monitor_stage.c -- layer plan: the plan's [monitor] section and its stage
 * (docs/MONITORING.md, "The command"): indicators against targets and the
 * alerts, early warning (the monitored series forecast through the public
 * API, then civ_monitor_warn), the risk register, inactivity alerts, and the
 * realised demand checked against the plan's own forecasts.  Monitoring is
 * reached through civicast.h only, like forecasting and allocation.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "error.h"
#include "plan.h"
#include "toml.h"

static civ_status bad(const char *path, const civ_toml_entry *e, const char *msg)
{
    civ_where w = {.file = path, .line = e->value.line, .column = e->value.column, .field = e->key};
    return civ_fail_at(CIV_ERR_SPEC, &w, "[monitor] %s: %s", e->key, msg);
}

/* A path key resolved against the plan's folder ("" when absent). */
static civ_status path_of(const civ_plan *c, civ_toml_table *t, const char *key, int required, char *out)
{
    civ_toml_entry *e = civ_toml_take(t, key);
    out[0] = 0;
    if (!e) {
        if (!required)
            return CIV_OK;
        civ_where w = {.file = c->path, .line = t->line, .column = t->column, .field = key};
        return civ_fail_at(CIV_ERR_SPEC, &w, "[monitor]: missing key '%s'", key);
    }
    if (e->value.type != CIV_TOML_STRING || !e->value.text[0])
        return bad(c->path, e, "must be a non-empty path");
    const char *v = e->value.text;
    int n = (v[0] == '/' || !c->dir[0]) ? civ_snprintf(out, CIV_PLAN_PATH_MAX, "%s", v)
                                        : civ_snprintf(out, CIV_PLAN_PATH_MAX, "%s/%s", c->dir, v);
    if (n < 0 || n >= CIV_PLAN_PATH_MAX)
        return bad(c->path, e, "the path is too long once joined to the plan's folder");
    return CIV_OK;
}

static civ_status read_scopes(civ_plan *c, civ_toml_entry *e)
{
    if (e->value.type != CIV_TOML_ARRAY || !e->value.n_items || e->value.n_items > CIV_PLAN_MAX_SCOPES)
        return bad(c->path, e, "must be an array of 1 to 8 scope names, e.g. [\"district\", \"city\"]");
    for (size_t i = 0; i < e->value.n_items; i++) {
        const civ_toml_value *v = &e->value.items[i];
        if (v->type != CIV_TOML_STRING || !v->text[0] || strlen(v->text) >= sizeof c->warn_scopes[0])
            return bad(c->path, e, "every item must be a scope name (under 64 bytes)");
        civ_snprintf(c->warn_scopes[i], sizeof c->warn_scopes[i], "%s", v->text);
    }
    c->n_warn_scopes = e->value.n_items;
    return CIV_OK;
}

/* threshold: a probability (0.8) or a percentage with its sign ("80%"), by the monitor's own rule
 * (civ_monitor_threshold_parse: threshold = 80 is refused with "write 0.8 for 80%"). */
static civ_status read_threshold(civ_plan *c, const civ_toml_entry *e)
{
    if (e->value.type != CIV_TOML_FLOAT && e->value.type != CIV_TOML_INTEGER && e->value.type != CIV_TOML_STRING)
        return bad(c->path, e, "must be a probability in (0, 1), e.g. 0.5, or a percentage with its sign, \"50%\"");
    char text[64];
    if (e->value.type == CIV_TOML_STRING)
        civ_snprintf(text, sizeof text, "%.63s", e->value.text);
    else
        civ_snprintf(text, sizeof text, "%.17g", e->value.number);
    if (civ_monitor_threshold_parse(text, &c->threshold)) {
        char msg[sizeof civ_last_error()->message];
        civ_snprintf(msg, sizeof msg, "%s", civ_last_error()->message);
        return bad(c->path, e, msg);
    }
    return CIV_OK;
}

civ_status civ_plan_read_monitor(civ_plan *c, civ_toml_table *t)
{
    civ_status st;
    c->has_monitor = 1;
    c->threshold = 0.5;
    c->mon_utc_offset = 8.0; /* civ_monitor_inactivity_options_init's */
    if ((st = path_of(c, t, "indicators", 0, c->mon_indicators)) || (st = path_of(c, t, "actuals", 0, c->mon_actuals)) ||
        (st = path_of(c, t, "risks", 0, c->mon_risks)) || (st = path_of(c, t, "matrix", 0, c->mon_matrix)) ||
        (st = path_of(c, t, "events", 0, c->mon_events)) || (st = path_of(c, t, "demand_actuals", 0, c->mon_demand)))
        return st;
    if (!c->mon_indicators[0] != !c->mon_actuals[0]) {
        civ_where w = {.file = c->path, .line = t->line, .column = t->column,
                       .field = c->mon_indicators[0] ? "actuals" : "indicators"};
        return civ_fail_at(CIV_ERR_SPEC, &w, "[monitor]: indicators and actuals go together");
    }
    civ_toml_entry *e;
    if ((e = civ_toml_take(t, "warn_horizon"))) {
        if (e->value.type != CIV_TOML_INTEGER || e->value.number < 0 || e->value.number > 1000)
            return bad(c->path, e, "must be a whole number of periods in [0, 1000] (0 = no early warning)");
        c->warn_h = (size_t)e->value.number;
    }
    if ((e = civ_toml_take(t, "threshold")) && (st = read_threshold(c, e)))
        return st;
    if ((e = civ_toml_take(t, "warn_scope")) && (st = read_scopes(c, e)))
        return st;
    if ((e = civ_toml_take(t, "warn_model"))) {
        if (e->value.type != CIV_TOML_STRING || !e->value.text[0] || strlen(e->value.text) >= sizeof c->mon_model)
            return bad(c->path, e, "must be a model spec such as \"auto\" or \"ets\"");
        civ_snprintf(c->mon_model, sizeof c->mon_model, "%s", e->value.text);
    }
    if ((e = civ_toml_take(t, "period"))) {
        civ_date_form form;
        int64_t v;
        if (e->value.type != CIV_TOML_STRING || civ_date_parse(e->value.text, strlen(e->value.text), &form, &v))
            return bad(c->path, e, "must be a period such as \"2024-12\"");
        c->mon_period = v, c->mon_period_set = 1, c->mon_period_form = form;
        civ_snprintf(c->mon_period_text, sizeof c->mon_period_text, "%s", e->value.text);
    }
    if ((e = civ_toml_take(t, "local_times"))) { /* the command's --local-times, Python's local_times=True */
        if (e->value.type != CIV_TOML_BOOL)
            return bad(c->path, e, "must be true (event times written without a zone are local time, UTC + "
                                   "utc_offset_hours) or false (UTC, the default), without quotes");
        c->mon_local_times = e->value.number != 0;
    }
    if ((e = civ_toml_take(t, "utc_offset_hours"))) { /* the command's --utc-offset */
        if ((e->value.type != CIV_TOML_INTEGER && e->value.type != CIV_TOML_FLOAT) || !(e->value.number >= -14) ||
            !(e->value.number <= 14))
            return bad(c->path, e, "must be the hours of local time east of UTC, -14 to 14 (8 for Beijing, the "
                                   "default)");
        c->mon_utc_offset = e->value.number, c->mon_utc_offset_set = 1;
    }
    for (size_t i = 0; i < t->n_entries; i++)
        if (!t->entries[i].used) {
            civ_where w = {.file = c->path, .line = t->entries[i].line, .column = t->entries[i].column,
                           .field = t->entries[i].key};
            return civ_fail_at(CIV_ERR_SPEC, &w, "[monitor]: unknown key '%s' (allowed: indicators, actuals, risks, "
                                                 "matrix, events, demand_actuals, warn_horizon, warn_scope, "
                                                 "warn_model, threshold, period, local_times, utc_offset_hours)",
                               t->entries[i].key);
        }
    if ((c->mon_local_times || c->mon_utc_offset_set) && !c->mon_events[0]) { /* it would do nothing: say so */
        const char *key = c->mon_local_times ? "local_times" : "utc_offset_hours";
        civ_where w = {.file = c->path, .line = t->line, .column = t->column, .field = key};
        return civ_fail_at(CIV_ERR_SPEC, &w, "[monitor]: %s is about the events' times: it needs events = \"FILE\" "
                                             "(or leave %s out)", key, key);
    }
    if (c->warn_h && !c->mon_indicators[0]) {
        civ_where w = {.file = c->path, .line = t->line, .column = t->column, .field = "warn_horizon"};
        return civ_fail_at(CIV_ERR_SPEC, &w, "[monitor]: warn_horizon needs indicators and actuals");
    }
    return CIV_OK;
}

static civ_status early_warning(const civ_plan *p, civ_monitor *mon, civ_table **tables, size_t *n_failed)
{
    const char *scopes[CIV_PLAN_MAX_SCOPES];
    for (size_t i = 0; i < p->n_warn_scopes; i++)
        scopes[i] = p->warn_scopes[i];
    civ_panel *panel = NULL;
    civ_forecast_result *fr = NULL;
    civ_table *fc = NULL;
    civ_forecast_options fo;
    civ_forecast_options_init(&fo);
    fo.model = p->mon_model[0] ? p->mon_model : p->model;
    fo.horizon = p->warn_h, fo.levels = p->levels, fo.n_levels = p->n_levels;
    fo.threads = p->threads, fo.seed = p->seed;
    civ_plan_interval_options(p, &fo);
    civ_status s = civ_monitor_panel(mon, p->n_warn_scopes ? scopes : NULL, p->n_warn_scopes, &panel);
    if (!s)
        s = civ_forecast_panel(panel, &fo, &fr);
    if (!s) {
        *n_failed = civ_forecast_result_n_failed(fr);
        s = civ_forecast_result_table(fr, panel, &fc);
    }
    if (!s)
        s = civ_monitor_warn(mon, fc, p->threshold, &tables[CIV_PLAN_WARNING_STEPS], &tables[CIV_PLAN_WARNING]);
    civ_table_free(fc);
    civ_forecast_result_free(fr);
    civ_panel_free(panel);
    return s;
}

static civ_status indicators(const civ_plan *p, civ_table **tables, size_t *n_failed, civ_monitor_spec **spec_out,
                             char *period_label, size_t label_size)
{
    civ_monitor_spec *spec = NULL;
    civ_monitor *mon = NULL;
    civ_table *act = NULL;
    civ_status s = civ_error_name_file(civ_monitor_spec_read(p->mon_indicators, &spec), p->mon_indicators);
    if (!s) { /* the unit, indicator and period columns as text, under the file's own names */
        civ_table_read_options ro = civ_plan_table_options(p, civ_monitor_spec_text_columns(spec));
        ro.skip_rows = p->skip_rows[CIV_PLAN_IN_ACTUALS]; /* [monitor] actuals_skip_rows */
        s = civ_error_name_file(civ_table_read(p->mon_actuals, &ro, &act), p->mon_actuals);
    }
    if (!s)
        s = civ_monitor_run(spec, act, p->mon_actuals, &mon);
    int64_t period = CIV_MONITOR_LATEST;
    if (!s && p->mon_period_set) /* "2024-12" or a day in one (2024-12-31), as --period and Python's period= */
        s = civ_error_name_file(civ_monitor_period_of(mon, p->mon_period_text, "[monitor] period", &period,
                                                      period_label, label_size), p->path);
    if (!s)
        s = civ_monitor_status_table(mon, &tables[CIV_PLAN_MONITOR_STATUS]);
    if (!s)
        s = civ_monitor_alert_table(mon, period, &tables[CIV_PLAN_MONITOR_ALERTS]);
    if (!s && p->warn_h)
        s = early_warning(p, mon, tables, n_failed);
    civ_monitor_free(mon);
    civ_table_free(act);
    if (s)
        civ_monitor_spec_free(spec);
    else
        *spec_out = spec; /* monitoring.xlsx's indicator names, kinds and units */
    return s;
}

static civ_status risks(const civ_plan *p, civ_table **tables)
{
    static const char *const text_cols[] = {"risk", "impact", "owner", "mitigation", NULL};
    civ_table_read_options ro = civ_plan_table_options(p, text_cols);
    civ_monitor_matrix *mx = NULL;
    civ_table *reg = NULL;
    civ_status s = p->mon_matrix[0] ? civ_error_name_file(civ_monitor_matrix_read(p->mon_matrix, &mx), p->mon_matrix)
                                    : civ_monitor_matrix_default(&mx);
    ro.skip_rows = p->skip_rows[CIV_PLAN_IN_RISKS]; /* [monitor] risks_skip_rows */
    if (!s)
        s = civ_error_name_file(civ_table_read(p->mon_risks, &ro, &reg), p->mon_risks);
    if (!s)
        s = civ_monitor_risk_assess(mx, reg, p->mon_risks, &tables[CIV_PLAN_RISKS], &tables[CIV_PLAN_RISK_MATRIX]);
    civ_table_free(reg);
    civ_monitor_matrix_free(mx);
    return s;
}

static civ_status inactivity(const civ_plan *p, civ_table **tables)
{
    static const char *const text_cols[] = {"person", NULL};
    civ_table_read_options ro = civ_plan_table_options(p, text_cols);
    civ_table *ev = NULL;
    civ_monitor_inactivity_options opt;
    civ_monitor_inactivity_options_init(&opt);
    opt.naive_local = p->mon_local_times; /* [monitor] local_times: zone-less times are UTC + utc_offset_hours */
    if (p->has_monitor)
        opt.utc_offset_hours = p->mon_utc_offset;
    ro.skip_rows = p->skip_rows[CIV_PLAN_IN_EVENTS]; /* [monitor] events_skip_rows */
    civ_status s = civ_error_name_file(civ_table_read(p->mon_events, &ro, &ev), p->mon_events);
    if (!s)
        s = civ_monitor_inactivity_run(&opt, ev, p->mon_events, NAN, &tables[CIV_PLAN_INACTIVITY]);
    civ_table_free(ev);
    return s;
}

civ_status civ_plan_stage_monitor(const civ_plan *p, const civ_table *forecasts, civ_table **tables,
                                  size_t *n_failed, civ_monitor_spec **spec, char *period_label,
                                  size_t label_size)
{
    civ_status s = CIV_OK;
    *spec = NULL;
    if (p->mon_indicators[0])
        s = indicators(p, tables, n_failed, spec, period_label, label_size);
    if (!s && p->mon_risks[0])
        s = risks(p, tables);
    if (!s && p->mon_events[0])
        s = inactivity(p, tables);
    if (!s && p->mon_demand[0]) {
        civ_panel *act = NULL;
        civ_panel_read_options ro = civ_plan_panel_options(p);
        ro.skip_rows = p->skip_rows[CIV_PLAN_IN_DEMAND]; /* [monitor] demand_actuals_skip_rows */
        s = civ_error_name_file(civ_panel_read_ex(p->mon_demand, &ro, &act), p->mon_demand);
        if (!s)
            s = civ_error_name_file(civ_monitor_demand_check(forecasts, act, &tables[CIV_PLAN_DEMAND]),
                                    p->mon_demand);
        civ_panel_free(act);
    }
    return s;
}
