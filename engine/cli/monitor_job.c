/*
 * monitor_job.c -- layer CLI (a client of civicast.h only): the monitoring
 * job of `civicast monitor` and of the plan's [monitor] stage
 * (monitor_job.h; docs/MONITORING.md).  Early warning calls the public
 * forecasting API (civ_monitor_panel -> civ_forecast_panel ->
 * civ_forecast_result_table) and then civ_monitor_warn.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "monitor_job.h"

void civ_cli_monitor_job_init(civ_cli_monitor_job *job)
{
    memset(job, 0, sizeof *job);
    job->model = "auto";
    job->threshold = 0.5;
    job->seed = CIV_FORECAST_DEFAULT_SEED;
    job->period_value = CIV_MONITOR_LATEST;
    job->utc_offset = 8.0; /* civ_monitor_inactivity_options_init's: Beijing time */
    job->csv.bom = 1; /* alerts.csv and status.csv are opened in Excel: Chinese names need the mark */
}

void civ_cli_monitor_job_free(civ_cli_monitor_job *job)
{
    civ_table *t[] = {job->status, job->alerts, job->steps, job->summary, job->forecasts, job->risk_table,
                      job->matrix_table, job->inactivity, job->demand, job->units};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        civ_table_free(t[i]);
    civ_monitor_free(job->mon);
    civ_monitor_spec_free(job->spec);
    memset(job, 0, sizeof *job);
}

static civ_status run_warning(civ_cli_monitor_job *job)
{
    civ_panel *panel = NULL;
    civ_forecast_result *res = NULL;
    civ_forecast_options opt;
    static const double levels[] = {80, 95};
    civ_status s = civ_monitor_panel(job->mon, job->n_scopes ? job->scopes : NULL, job->n_scopes, &panel);
    if (!s)
        s = civ_forecast_options_init(&opt);
    if (!s) {
        opt.model = job->model, opt.horizon = job->warn_h, opt.levels = levels, opt.n_levels = 2;
        opt.threads = job->threads, opt.seed = job->seed;
        s = civ_forecast_panel(panel, &opt, &res);
    }
    if (!s) {
        job->n_failed = civ_forecast_result_n_failed(res);
        for (size_t i = 0; job->n_failed && i < civ_forecast_result_n_series(res); i++)
            if (civ_forecast_result_status(res, i) != CIV_OK) { /* say why, not only how many */
                snprintf(job->first_failed, sizeof job->first_failed, "%.200s: %.300s",
                         civ_panel_series_id(panel, civ_forecast_result_first(res) + i),
                         civ_forecast_result_message(res, i));
                break;
            }
        s = civ_forecast_result_table(res, panel, &job->forecasts);
    }
    if (!s)
        s = civ_monitor_warn(job->mon, job->forecasts, job->threshold, &job->steps, &job->summary);
    civ_forecast_result_free(res);
    civ_panel_free(panel);
    return s;
}

/* --names: the units' names, read with the codes and names as text (a code 310101001 stays a code). */
static civ_status read_names(civ_cli_monitor_job *job)
{
    const char *const *spec_text = civ_monitor_spec_text_columns(job->spec);
    const char *text_cols[] = {spec_text[0], civ_monitor_spec_scope(job->spec), "unit", "unique_id", "name", NULL};
    civ_table_read_options ro = {.text_columns = text_cols};
    civ_table *t = NULL;
    civ_status s = civ_cli_read_table(job->names, &ro, &t);
    if (!s)
        s = civ_monitor_unit_names(job->mon, t, job->names, &job->units);
    civ_table_free(t);
    return s;
}

static civ_status run_indicators(civ_cli_monitor_job *job)
{
    civ_table *actuals = NULL;
    civ_status s = civ_monitor_spec_read(job->indicators, &job->spec);
    if (!s) { /* the unit, indicator and period columns as text, under the file's own names */
        civ_table_read_options ro = {.text_columns = civ_monitor_spec_text_columns(job->spec)};
        s = civ_cli_read_table(job->actuals, &ro, &actuals);
    }
    if (!s)
        s = civ_monitor_run(job->spec, actuals, job->actuals, &job->mon);
    civ_table_free(actuals);
    if (!s && job->period) /* "2024-11", "2024年11月" or a day in one (2024-11-30): the period it is or falls in */
        s = civ_monitor_period_of(job->mon, job->period, "--period", &job->period_value, job->period_label,
                                  sizeof job->period_label);
    if (!s)
        s = civ_monitor_status_table(job->mon, &job->status);
    if (!s)
        s = civ_monitor_alert_table(job->mon, job->period_value, &job->alerts);
    if (!s && job->names)
        s = read_names(job);
    if (!s && job->warn_h)
        s = run_warning(job);
    return s;
}

static civ_status run_risks(civ_cli_monitor_job *job)
{
    static const char *const text_cols[] = {"risk", "impact", "owner", "mitigation", NULL};
    civ_table_read_options ro = {.text_columns = text_cols};
    civ_monitor_matrix *mx = NULL;
    civ_table *reg = NULL;
    civ_status s = job->matrix ? civ_monitor_matrix_read(job->matrix, &mx) : civ_monitor_matrix_default(&mx);
    if (!s)
        s = civ_cli_read_table(job->risks, &ro, &reg);
    if (!s)
        s = civ_monitor_risk_assess(mx, reg, job->risks, &job->risk_table, &job->matrix_table);
    civ_table_free(reg);
    civ_monitor_matrix_free(mx);
    return s;
}

int civ_cli_monitor_parse_time(const char *text, double *out)
{
    civ_date_form form;
    int64_t days;
    int hh = 0, mm = 0, ss = 0;
    size_t len = strlen(text);
    if (len >= 10 && !civ_date_parse(text, 10, &form, &days) && form == CIV_DATE_DAY &&
        (len == 10 || sscanf(text + 10, "T%2d:%2d:%2d", &hh, &mm, &ss) >= 2)) {
        *out = (double)days * 86400.0 + hh * 3600.0 + mm * 60.0 + ss;
        return 0;
    }
    civ_clear_error();
    return -1;
}

/* The events whose ts text carries no zone (no "Z", no "+08:00" after the time): read as UTC unless
 * --local-times, which is what the command's hint says when there are any. */
static size_t naive_times(const civ_table *ev)
{
    size_t c, n = 0;
    if (civ_table_find_column(ev, "ts", &c)) { /* (seconds since 1970, a number column, have no text: UTC) */
        civ_clear_error();
        return 0;
    }
    for (size_t r = 0; r < civ_table_n_rows(ev); r++) {
        const char *t = civ_table_text(ev, r, c);
        size_t len = t ? strlen(t) : 0;
        n += len >= 10 && !strchr(t, 'Z') && !strpbrk(t + 10, "+-");
    }
    return n;
}

static civ_status run_events(civ_cli_monitor_job *job)
{
    static const char *const text_cols[] = {"person", NULL};
    civ_table_read_options ro = {.text_columns = text_cols};
    civ_monitor_inactivity_options opt;
    civ_monitor_inactivity_options_init(&opt);
    if (job->quantile > 0)
        opt.quantile = job->quantile;
    opt.naive_local = job->local_times;
    opt.utc_offset_hours = job->utc_offset;
    double end = NAN;
    if (job->end) /* checked by the command's parser; local time with --local-times */
        civ_cli_monitor_parse_time(job->end, &end), end -= job->local_times ? opt.utc_offset_hours * 3600.0 : 0;
    civ_table *ev = NULL;
    civ_status s = civ_cli_read_table(job->events, &ro, &ev);
    job->n_naive = s ? 0 : naive_times(ev);
    if (!s)
        s = civ_monitor_inactivity_run(&opt, ev, job->events, end, &job->inactivity);
    civ_table_free(ev);
    return s;
}

static civ_status run_demand(civ_cli_monitor_job *job)
{
    static const char *const text_cols[] = {"unique_id", "ds", "model", NULL};
    civ_table_read_options ro = {.text_columns = text_cols};
    civ_table *fc = NULL;
    civ_panel *act = NULL;
    civ_status s = CIV_OK;
    if (!job->demand_forecast_table)
        s = civ_cli_read_table(job->demand_forecasts, &ro, &fc);
    if (!s)
        s = civ_cli_read_panel(job->demand_actuals, &act);
    if (!s && (s = civ_monitor_demand_check(fc ? fc : job->demand_forecast_table, act, &job->demand)) && fc &&
        !civ_last_error()->file[0]) { /* a forecast row's error: name the file its line is in */
        civ_error e = *civ_last_error();
        snprintf(e.file, sizeof e.file, "%s", job->demand_forecasts);
        s = civ_error_restore(&e);
    }
    civ_table_free(fc);
    civ_panel_free(act);
    return s;
}

civ_status civ_cli_monitor_job_run(civ_cli_monitor_job *job)
{
    civ_status s = CIV_OK;
    if (job->indicators)
        s = run_indicators(job);
    if (!s && job->risks)
        s = run_risks(job);
    if (!s && job->events)
        s = run_events(job);
    if (!s && job->demand_actuals)
        s = run_demand(job);
    return s;
}

/* ---- printing ------------------------------------------------------------------ */

static size_t col(const civ_table *t, const char *name)
{
    size_t c = SIZE_MAX;
    if (civ_table_find_column(t, name, &c))
        civ_clear_error();
    return c;
}

/* The period label of a status table's last period (ds strings of one form sort as dates). */
static const char *last_ds(const civ_table *st)
{
    size_t c = col(st, "ds");
    const char *best = "";
    for (size_t r = 0; r < civ_table_n_rows(st); r++)
        if (strcmp(civ_table_text(st, r, c), best) > 0)
            best = civ_table_text(st, r, c);
    return best;
}

/* Appends a unit name to a list line (at most 8 names, then a count). */
static void list_unit(char *line, size_t size, size_t k, const char *unit)
{
    size_t len = strlen(line);
    if (k < 8)
        snprintf(line + len, size - len, "%s%s", k ? ", " : "", unit);
    else if (k == 8)
        snprintf(line + len, size - len, ", ...");
}

/* The units of the period's status that did not report (a unit's series at
 * ds are all no_data; a unit added later is not_started there, a unit closed ([[closed]]) is closed:
 * neither is counted), the units that close this period, the units that
 * report for the first time, and the
 * unit series without a value: a street missing this month, or a month whose
 * values are all empty, is said, not only shown as fewer alerts. */
static void print_reporting(const civ_table *st, const char *ds)
{
    size_t n = civ_table_n_rows(st), c_scope = col(st, "scope"), c_unit = col(st, "unit"), c_ds = col(st, "ds"),
           c_status = col(st, "status"), c_into = col(st, "into"), c_note = col(st, "note");
    if (!n)
        return;
    const char *scope = civ_table_text(st, 0, c_scope);
    size_t series = 0, missing = 0, silent = 0, fresh = 0, gone = 0;
    int earlier_periods = 0;
    char silent_list[400] = "", fresh_list[400] = "", gone_list[2000] = "";
    const char *stopped = NULL, *started = NULL; /* the first unit that reported before and sent nothing now, and
                                                  * the first reporting for the first time: a renamed unit? */
    for (size_t r = 0; r < n && !strcmp(civ_table_text(st, r, c_scope), scope);) {
        const char *unit = civ_table_text(st, r, c_unit);
        size_t at = 0, nd = 0, before = 0, closes = 0, closed_row = 0;
        for (; r < n && !strcmp(civ_table_text(st, r, c_scope), scope) && !strcmp(civ_table_text(st, r, c_unit), unit);
             r++) {
            const char *status = civ_table_text(st, r, c_status);
            int cmp = strcmp(civ_table_text(st, r, c_ds), ds), no_data = !strcmp(status, "no_data");
            earlier_periods |= cmp < 0;
            /* closed this period: closed now, something else the period before */
            if (!cmp && !strcmp(status, "closed") && r && !strcmp(civ_table_text(st, r - 1, c_unit), unit) &&
                !strcmp(civ_table_text(st, r - 1, c_scope), scope) &&
                strcmp(civ_table_text(st, r - 1, c_status), "closed"))
                closes = 1, closed_row = r;
            /* added later, or closed: not a unit that failed to report */
            if (!strcmp(status, "not_started") || !strcmp(status, "closed"))
                continue;
            if (!cmp)
                at++, nd += no_data;
            else if (cmp < 0)
                before += !no_data;
        }
        series += at, missing += nd;
        if (closes) { /* with its [[closed]] into and note, where the planner reads the closure */
            const char *into = c_into == SIZE_MAX ? "" : civ_table_text(st, closed_row, c_into);
            const char *note = c_note == SIZE_MAX ? "" : civ_table_text(st, closed_row, c_note);
            char safe[400], item[640];
            civ_cli_safe(note ? note : "", safe, sizeof safe);
            into = into ? into : "";
            if (into[0] || safe[0])
                snprintf(item, sizeof item, "%s (%s%s%s%s)", unit, into[0] ? "into " : "", into,
                         into[0] && safe[0] ? ": " : "", safe);
            else
                snprintf(item, sizeof item, "%s", unit);
            list_unit(gone_list, sizeof gone_list, gone++, item);
        }
        if (at && nd == at) {
            list_unit(silent_list, sizeof silent_list, silent++, unit);
            stopped = stopped || !before ? stopped : unit;
        } else if (at && !before) {
            list_unit(fresh_list, sizeof fresh_list, fresh++, unit);
            started = started ? started : unit;
        }
    }
    if (missing && silent)
        printf("not reported %-9s %zu of %zu %s series have no value; %zu %s%s sent nothing: %s\n", ds, missing,
               series, scope, silent, scope, silent == 1 ? "" : "s", silent_list);
    else if (missing)
        printf("not reported %-9s %zu of %zu %s series have no value\n", ds, missing, series, scope);
    if (gone)
        printf("closed in %-12s %zu %s%s closed from this period on ([[closed]] in the indicator file): %s\n", ds, gone,
               scope, gone == 1 ? "" : "s", gone_list);
    if (fresh && earlier_periods)
        printf("new in %-15s %zu %s%s %s for the first time: %s\n", ds, fresh, scope, fresh == 1 ? "" : "s",
               fresh == 1 ? "reports" : "report", fresh_list);
    /* a unit that stops as another starts is most often one renamed or merged (before 2026-12-07 the two lines
     * stood apart, and the old name was "not reported" every month after, with its alerts "continued") */
    if (stopped && started && earlier_periods) {
        char a[160], b[160];
        printf("                       renamed or merged? if %s became %s, say so in the indicator file, and %s's "
               "months from %s are closed, not missing: [[closed]] unit = \"%s\", from = \"%s\", into = \"%s\" "
               "(docs/MONITORING.md, \"Units that close\")\n", civ_cli_safe(stopped, a, sizeof a),
               civ_cli_safe(started, b, sizeof b), a, ds, a, ds, b);
    }
}

/* 1 when every row of the status table is of one period. */
static int one_period(const civ_table *st)
{
    size_t n = civ_table_n_rows(st), c_ds = col(st, "ds");
    for (size_t r = 1; r < n; r++)
        if (strcmp(civ_table_text(st, r, c_ds), civ_table_text(st, 0, c_ds)))
            return 0;
    return n > 0;
}

/* An alert row's actual and target as its indicator's kind says (civ_monitor_value_text: "28.6%" vs "35%", "3 起",
 * "11.07 分钟"), padded for the columns (the actual right-aligned to 12 display columns, the target left to 8):
 * before 2026-12-07 both were bare fractions, "0.2863 vs 0.35", which a department head read as 0.29 people.  A
 * table without the kind column (an alerts.csv of an earlier version) keeps the bare numbers. */
static void alert_values(const civ_table *al, size_t r, size_t c_act, size_t c_tgt, char *actual, char *target,
                         size_t size)
{
    size_t c_kind = col(al, "kind"), c_vu = col(al, "value_unit");
    const char *kind = c_kind == SIZE_MAX ? NULL : civ_table_text(al, r, c_kind);
    const char *vu = c_vu == SIZE_MAX ? NULL : civ_table_text(al, r, c_vu);
    double a = civ_table_number(al, r, c_act), t = civ_table_number(al, r, c_tgt);
    char at[64] = "", tt[64] = "", safe[160];
    if (civ_monitor_value_text(a, kind, vu, t, at, sizeof at) || civ_monitor_value_text(t, kind, vu, a, tt, sizeof tt))
        civ_clear_error(), snprintf(at, sizeof at, "%.4g", a), snprintf(tt, sizeof tt, "%.4g", t);
    civ_cli_safe(isnan(a) ? "not reported" : at, safe, sizeof safe);
    size_t w = civ_cli_display_width(safe);
    snprintf(actual, size, "%*s%s", w < 12 ? (int)(12 - w) : 0, "", safe);
    civ_cli_cell(tt, 8, target, size);
}

void civ_cli_print_alerts(const civ_table *st, const civ_table *al, const char *ds)
{
    size_t n = civ_table_n_rows(al), c_alert = col(st, "alert"), c_ds = col(st, "ds");
    if (!ds)
        ds = last_ds(st);
    size_t raised = 0, continued = 0, cleared = 0, closed = 0;
    for (size_t r = 0; r < civ_table_n_rows(st); r++) {
        if (strcmp(civ_table_text(st, r, c_ds), ds))
            continue;
        const char *a = civ_table_text(st, r, c_alert);
        raised += !strcmp(a, "raised"), continued += !strcmp(a, "continued"), cleared += !strcmp(a, "cleared");
        closed += !strcmp(a, "closed");
    }
    char ended[80] = ""; /* alerts open when their unit closed ([[closed]]): ended with it, not cleared */
    if (closed)
        snprintf(ended, sizeof ended, ", %zu closed with %s unit", closed, closed == 1 ? "its" : "their");
    printf("alerts %-15s %zu open (%zu raised, %zu continued), %zu cleared%s\n", ds, n, raised, continued, cleared,
           ended);
    if (one_period(st)) /* a month's sheet alone: "0 open" would read as "all met" */
        printf("history                one period in the actuals (%s): no run of misses can be seen, so no alert "
               "of two or more misses can be raised;\n                       monitor the whole history (append "
               "each month's rows to one file), not the month alone\n", ds);
    size_t c_dep = col(al, "department"), c_ind = col(al, "indicator"), c_name = col(al, "name"),
           c_scope = col(al, "scope"), c_unit = col(al, "unit"), c_act = col(al, "actual"),
           c_tgt = col(al, "target"), c_mis = col(al, "misses"), c_since = col(al, "since"), c_a = col(al, "alert");
    for (size_t r = 0; r < n; r++) {
        const char *dep = civ_table_text(al, r, c_dep);
        if (!r || strcmp(dep, civ_table_text(al, r - 1, c_dep))) {
            size_t k = 0;
            for (size_t q = r; q < n && !strcmp(civ_table_text(al, q, c_dep), dep); q++)
                k++;
            printf("  %s: %zu\n", dep, k);
        }
        char actual[192], target[192], ind[160], scope[160], unit[160], name[400]; /* 12 + a 160-byte cell */
        alert_values(al, r, c_act, c_tgt, actual, target, sizeof actual);
        printf("    %s %s %s %s vs %s %2.0f misses since %s (%s) %s\n",
               civ_cli_cell(civ_table_text(al, r, c_ind), 20, ind, sizeof ind),
               civ_cli_cell(civ_table_text(al, r, c_scope), 10, scope, sizeof scope),
               civ_cli_cell(civ_table_text(al, r, c_unit), 10, unit, sizeof unit), actual, target,
               civ_table_number(al, r, c_mis), civ_table_text(al, r, c_since), civ_table_text(al, r, c_a),
               civ_cli_safe(civ_table_text(al, r, c_name), name, sizeof name));
    }
    /* after the alerts, which are listed under their "alerts" line: printed between them, "not reported ... 6
     * series have no value" headed the departments' alerts, and read as if those were the series missing */
    print_reporting(st, ds);
}

/* The early warning's line and the ten warned series most likely to miss next (a series that warns only later in
 * the horizon among them, by its next period's probability), then how many more warn and where they all are:
 * before 2026-12-07 the list held only series whose next period reached the threshold, ten of "25 of 180 series
 * warn" with nothing said of the 15 others nor of those warning later. */
void civ_cli_print_warnings(const civ_table *s, double threshold, size_t horizon, const char *model,
                            size_t n_failed, const char *listed_in)
{
    size_t n = civ_table_n_rows(s), c_p = col(s, "p_miss_next"), c_w = col(s, "first_warning");
    size_t warned = 0, top[10], n_top = 0;
    for (size_t r = 0; r < n; r++) {
        if (!civ_table_text(s, r, c_w)[0])
            continue;
        warned++;
        double p = civ_table_number(s, r, c_p);
        /* keep the ten highest next-period probabilities, in order */
        size_t k = n_top < 10 ? n_top++ : 10;
        while (k > 0 && !(civ_table_number(s, top[k - 1], c_p) >= p)) {
            if (k < 10)
                top[k] = top[k - 1];
            k--;
        }
        if (k < 10)
            top[k] = r;
    }
    printf("early warning          %zu of %zu series warn within %zu periods (model %s, P(miss) >= %.2f)", warned,
           n, horizon, model, threshold);
    printf(n_failed ? "; %zu forecasts failed\n" : "\n", n_failed);
    for (size_t k = 0; k < n_top; k++) {
        size_t r = top[k];
        char ind[160], scope[160], unit[160];
        printf("  P(miss next) %.2f  %s %s %s first warning %s\n", civ_table_number(s, r, c_p),
               civ_cli_cell(civ_table_text(s, r, col(s, "indicator")), 20, ind, sizeof ind),
               civ_cli_cell(civ_table_text(s, r, col(s, "scope")), 10, scope, sizeof scope),
               civ_cli_cell(civ_table_text(s, r, col(s, "unit")), 10, unit, sizeof unit), civ_table_text(s, r, c_w));
    }
    if (warned > n_top)
        printf("  ... and %zu more that warn: %s\n", warned - n_top, listed_in);
}

void civ_cli_print_risks(const civ_table *t, const char *source)
{
    printf("risks                  %s (handle in this order)\n", source);
    for (size_t r = 0; r < civ_table_n_rows(t); r++) {
        char level[160], risk[400], impact[160], owner[400];
        printf("  %.0f. %s %s p %.2f  %s score %2.0f  %s\n", civ_table_number(t, r, col(t, "rank")),
               civ_cli_cell(civ_table_text(t, r, col(t, "level")), 12, level, sizeof level),
               civ_cli_cell(civ_table_text(t, r, col(t, "risk")), 16, risk, sizeof risk),
               civ_table_number(t, r, col(t, "probability")),
               civ_cli_cell(civ_table_text(t, r, col(t, "impact")), 14, impact, sizeof impact),
               civ_table_number(t, r, col(t, "score")), civ_cli_safe(civ_table_text(t, r, col(t, "owner")), owner,
                                                                     sizeof owner));
    }
}

void civ_cli_print_inactivity(const civ_table *t, const char *source)
{
    size_t n = civ_table_n_rows(t);
    printf("inactivity             %zu alerts from %s\n", n, source);
    for (size_t r = 0; r < n; r++) {
        const char *res = civ_table_text(t, r, col(t, "resumed"));
        char person[160];
        /* every time is UTC, as inactivity.csv holds it: each one says so (the alert's was read as local) */
        printf("  %s no activity since %s UTC, alert at %s UTC (threshold %.1f h), %s%s%s\n",
               civ_cli_cell(civ_table_text(t, r, col(t, "person")), 12, person, sizeof person),
               civ_table_text(t, r, col(t, "last_event")), civ_table_text(t, r, col(t, "alert_at")),
               civ_table_number(t, r, col(t, "threshold_hours")), res[0] ? "resumed " : "STILL OPEN", res,
               res[0] ? " UTC" : "");
    }
}

/* The first row of each model of the demand table, in the order they first come, into first[] (room for every
 * row: as many models as the table holds, no cap); returns how many (0 without the model column). */
static size_t model_first_rows(const civ_table *t, size_t c_model, size_t *first)
{
    size_t n = civ_table_n_rows(t), n_first = 0;
    for (size_t r = 0; c_model != SIZE_MAX && r < n; r++) {
        size_t k = 0;
        while (k < n_first && strcmp(civ_table_text(t, first[k], c_model), civ_table_text(t, r, c_model)))
            k++;
        if (k == n_first)
            first[n_first++] = r;
    }
    return n_first;
}

/* 1 when one series of the demand table is checked by two models (a --model ets,theta forecast file, its rows in
 * any order: series by series as `forecast` writes them, or model by model as pd.concat of two frames): a series
 * under the first row of another model.  A single model's file, whose model column holds each series' fitted
 * model (ETS(M,A,N)), has each series under one name.  Its summary is then counted per model. */
static int several_models(const civ_table *t, size_t c_model, const size_t *first, size_t n_first)
{
    size_t n = civ_table_n_rows(t), c_id = col(t, "unique_id");
    for (size_t r = 0; c_model != SIZE_MAX && n_first > 1 && r < n; r++)
        for (size_t k = 0; k < n_first; k++)
            if (!strcmp(civ_table_text(t, r, c_id), civ_table_text(t, first[k], c_id)) &&
                strcmp(civ_table_text(t, r, c_model), civ_table_text(t, first[k], c_model)))
                return 1;
    return 0;
}

/* One line per model of the demand table: its actuals, ahead and behind (first[]: each model's first row). */
static void print_demand_models(const civ_table *t, size_t c_m, size_t c_f, const size_t *first, size_t n_models,
                                size_t (*counts)[3])
{
    for (size_t r = 0; r < civ_table_n_rows(t); r++) {
        const char *m = civ_table_text(t, r, c_m), *f = civ_table_text(t, r, c_f);
        size_t k = 0;
        while (k < n_models && strcmp(civ_table_text(t, first[k], c_m), m))
            k++;
        counts[k][0]++, counts[k][1] += !strcmp(f, "ahead"), counts[k][2] += !strcmp(f, "behind");
    }
    for (size_t k = 0; k < n_models; k++) {
        const char *m = civ_table_text(t, first[k], c_m);
        char name[160];
        printf("  %s %zu actuals: %zu ahead of their forecast interval, %zu behind\n",
               civ_cli_cell(m[0] ? m : "(no model)", 20, name, sizeof name), counts[k][0], counts[k][1],
               counts[k][2]);
    }
}

/* The demand check's counts, and with several models one line per model (in the order they first come), every
 * model of the table: before 2026-12-07 the rows of ets and theta were counted together, "40 actuals" of 20, and
 * then only the first 32 models had their line (a file of 40 models lost 8 without a word). */
void civ_cli_print_demand(const civ_table *t, const char *source)
{
    size_t n = civ_table_n_rows(t), ahead = 0, behind = 0, c_f = col(t, "flag"), c_m = col(t, "model");
    for (size_t r = 0; r < n; r++)
        ahead += !strcmp(civ_table_text(t, r, c_f), "ahead"), behind += !strcmp(civ_table_text(t, r, c_f), "behind");
    size_t *first = n ? malloc(n * sizeof *first) : NULL, (*counts)[3] = n ? calloc(n, sizeof *counts) : NULL;
    size_t n_models = first && counts ? model_first_rows(t, c_m, first) : 0; /* (out of memory: the total alone) */
    if (!several_models(t, c_m, first, n_models))
        printf("demand vs forecast     %zu actuals: %zu ahead of their forecast interval, %zu behind (%s)\n", n,
               ahead, behind, source);
    else {
        printf("demand vs forecast     %zu checks of the actuals by several models (%s):\n", n, source);
        print_demand_models(t, c_m, c_f, first, n_models, counts);
    }
    free(first);
    free(counts);
}

/* "names   58 of 60 units (street) named by communities.csv": how many units --names named; the others keep their
 * codes. */
static void print_names(const civ_cli_monitor_job *job)
{
    const char *scope = civ_monitor_spec_scope(job->spec), *prev = NULL;
    size_t c_scope = col(job->status, "scope"), c_unit = col(job->status, "unit"), n = 0;
    for (size_t r = 0; c_scope != (size_t)-1 && c_unit != (size_t)-1 && r < civ_table_n_rows(job->status); r++) {
        const char *sc = civ_table_text(job->status, r, c_scope), *u = civ_table_text(job->status, r, c_unit);
        if (sc && u && !strcmp(sc, scope) && (!prev || strcmp(prev, u)))
            n++, prev = u;
    }
    printf("names                  %zu of %zu units (%s) named by %s%s\n", civ_table_n_rows(job->units), n, scope,
           job->names, civ_table_n_rows(job->units) < n ? ": the others are shown by their codes" : "");
}

void civ_cli_monitor_job_print(const civ_cli_monitor_job *job)
{
    if (job->mon) {
        civ_frequency f = civ_monitor_frequency(job->mon);
        char lo[32], hi[32];
        int64_t n = civ_monitor_last_period(job->mon) - civ_monitor_first_period(job->mon) + 1;
        civ_period_format(f, 0, civ_monitor_first_period(job->mon), lo, sizeof lo);
        civ_period_format(f, 0, civ_monitor_last_period(job->mon), hi, sizeof hi);
        printf("monitoring             %zu indicators, %zu series, %s .. %s (%lld period%s), %s\n",
               civ_monitor_spec_n_indicators(job->spec), civ_monitor_n_series(job->mon), lo, hi, (long long)n,
               n == 1 ? "" : "s", job->actuals);
        if (job->units)
            print_names(job);
        civ_cli_print_alerts(job->status, job->alerts, job->period ? job->period_label : NULL);
    }
    if (job->summary)
        civ_cli_print_warnings(job->summary, job->threshold, job->warn_h, job->model, job->n_failed,
                               job->out ? "warning.csv and monitoring.xlsx list them all"
                                        : "--out DIR writes them all to warning.csv and monitoring.xlsx");
    if (job->summary && job->first_failed[0])
        printf("  the first that failed: %s\n", job->first_failed);
    if (job->risk_table)
        civ_cli_print_risks(job->risk_table, job->risks);
    if (job->inactivity)
        civ_cli_print_inactivity(job->inactivity, job->events);
    if (job->inactivity && job->n_naive && job->local_times) /* an office's export in Beijing time */
        printf("  %zu event times without a zone read as local time (UTC%+g), as --local-times says; the times "
               "above are UTC\n", job->n_naive, job->utc_offset);
    else if (job->inactivity && job->n_naive) /* ... read as UTC is 8 hours late */
        printf("  %zu event times have no zone and were read as UTC: if the sensors wrote local time "
               "(北京时间), add --local-times\n", job->n_naive);
    if (job->demand)
        civ_cli_print_demand(job->demand, job->demand_actuals);
}

/* ---- writing ---------------------------------------------------------------------- */

/* The folder's record of the files earlier `monitor --out` runs wrote there, one line per file:
 * "name inode size mtime_sec mtime_nsec".  A later run of the same family (below) that does not
 * make one of them removes it only while it is exactly as that run left it (same inode, size and
 * time) and is none of this run's inputs, so a file of the user's, or one rewritten since, is
 * never removed. */
#define MONITOR_RECORD ".civicast-monitor"

/* The files of a monitoring folder, by index; MONITOR_WORKBOOK is monitoring.xlsx: every table of the run, for
 * people (civ_monitor_workbook_write). */
enum { MF_STATUS, MF_ALERTS, MF_WARNING_STEPS, MF_WARNING, MF_FORECASTS, MF_RISKS, MF_RISK_MATRIX, MF_INACTIVITY,
       MF_DEMAND, MF_UNITS, MF_PERIOD, MONITOR_WORKBOOK, N_MONITOR_FILES };
static const char *const monitor_files[N_MONITOR_FILES] = {
    [MF_STATUS] = "status.csv",         [MF_ALERTS] = "alerts.csv",   [MF_WARNING_STEPS] = "warning_steps.csv",
    [MF_WARNING] = "warning.csv",       [MF_FORECASTS] = "forecasts.csv", [MF_RISKS] = "risks.csv",
    [MF_RISK_MATRIX] = "risk_matrix.csv", [MF_INACTIVITY] = "inactivity.csv", [MF_DEMAND] = "demand.csv",
    [MF_UNITS] = "units.csv" /* the units' names (--names), for the report */,
    [MF_PERIOD] = "period.csv" /* the alerts' period (--period, else the last), for the report */,
    [MONITOR_WORKBOOK] = "monitoring.xlsx"};

/* The family of each file: the part of the run that makes it.  A run replaces the files of the
 * families it ran and leaves the others': an indicator run replaces status.csv and alerts.csv
 * and the early warning files made from them (last month's warning.csv goes with a run without
 * --warn), a --risks run risks.csv and risk_matrix.csv, an --events run inactivity.csv, a
 * --demand-* run demand.csv; a run of --demand-* alone leaves the indicator files. */
enum { FAM_INDICATORS, FAM_RISKS, FAM_INACTIVITY, FAM_DEMAND, FAM_NAMES, N_FAMILIES };
/* units.csv is a family of its own: the names of the units, which a planner gives once (--names), stay in the folder
 * through the next months' runs without it, and go only with a run that gives other names. */
/* monitoring.xlsx counts as the indicators' file for the record and the removals; every run writes it, with the
 * sheets of the parts it ran and those of the parts earlier runs left (write_workbook). */
static const int monitor_family[N_MONITOR_FILES] = {FAM_INDICATORS, FAM_INDICATORS, FAM_INDICATORS,
                                                    FAM_INDICATORS, FAM_INDICATORS, FAM_RISKS,
                                                    FAM_RISKS,      FAM_INACTIVITY, FAM_DEMAND,
                                                    FAM_NAMES,      FAM_INDICATORS, FAM_INDICATORS};

/* One line of the record; `known` 0 when the record has no line for the file. */
typedef struct record_entry {
    int known;
    unsigned long long ino, bytes;
    long long sec, nsec;
} record_entry;

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static int is_input(const civ_cli_monitor_job *job, const struct stat *st)
{
    const char *in[] = {job->indicators, job->actuals, job->risks, job->matrix, job->events, job->demand_forecasts,
                        job->demand_actuals, job->names};
    struct stat s;
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
        if (in[i] && !stat(in[i], &s) && same_file(&s, st))
            return 1;
    return 0;
}

/* Reads the folder's record into rec (all unknown when there is none). */
static void read_record(const char *dir, record_entry *rec)
{
    char path[4096], name[64];
    memset(rec, 0, N_MONITOR_FILES * sizeof *rec);
    snprintf(path, sizeof path, "%s/%s", dir, MONITOR_RECORD);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    record_entry e = {1, 0, 0, 0, 0};
    while (fscanf(f, "%63s %llu %llu %lld %lld", name, &e.ino, &e.bytes, &e.sec, &e.nsec) == 5)
        for (size_t k = 0; k < N_MONITOR_FILES; k++)
            if (!strcmp(name, monitor_files[k]))
                rec[k] = e;
    fclose(f);
}

/* Removes the recorded files of the families this run ran (ran[family]) that it did not make
 * (written[k] == 0) and that are still as the earlier run left them; forgets them in rec and
 * lists the names removed in `removed`.  A file of a family this run did not run stays. */
static void remove_stale(const civ_cli_monitor_job *job, const char *dir, const int *written, const int *ran,
                         record_entry *rec, char *removed, size_t size)
{
    char path[4096];
    for (size_t k = 0; k < N_MONITOR_FILES; k++) {
        if (!rec[k].known || written[k] || !ran[monitor_family[k]])
            continue;
        rec[k].known = 0; /* removed, or no longer this tool's to remove */
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, monitor_files[k]);
        if (stat(path, &st) || !S_ISREG(st.st_mode) || (unsigned long long)st.st_ino != rec[k].ino ||
            (unsigned long long)st.st_size != rec[k].bytes || (long long)st.st_mtim.tv_sec != rec[k].sec ||
            (long long)st.st_mtim.tv_nsec != rec[k].nsec || is_input(job, &st) || unlink(path))
            continue;
        size_t len = strlen(removed);
        snprintf(removed + len, size - len, "%s%s", len ? ", " : "", monitor_files[k]);
    }
}

/* Writes the record (a temporary name renamed over it): the files this run published, and the
 * earlier runs' files of the families this run did not run (rec), so a later run of their family
 * can still replace them. */
static void write_record(const char *dir, const int *written, const record_entry *rec)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s", dir, MONITOR_RECORD);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f)
        return;
    for (size_t k = 0; k < N_MONITOR_FILES; k++) {
        char file[4200];
        struct stat st;
        snprintf(file, sizeof file, "%s/%s", dir, monitor_files[k]);
        if (written[k] && !stat(file, &st))
            fprintf(f, "%s %llu %llu %lld %lld\n", monitor_files[k], (unsigned long long)st.st_ino,
                    (unsigned long long)st.st_size, (long long)st.st_mtim.tv_sec, (long long)st.st_mtim.tv_nsec);
        else if (!written[k] && rec[k].known)
            fprintf(f, "%s %llu %llu %lld %lld\n", monitor_files[k], rec[k].ino, rec[k].bytes, rec[k].sec,
                    rec[k].nsec);
    }
    if (fclose(f) || rename(tmp, path))
        unlink(tmp);
}

/* 1 when dir/name exists. */
static int exists_in(const char *dir, const char *name, struct stat *st)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return !stat(path, st);
}

/* 1 when dir's monitor_files[k] is as the record says an earlier `monitor` run left it. */
static int as_recorded(const char *dir, size_t k, const record_entry *rec)
{
    struct stat st;
    const record_entry *e = &rec[k];
    return e->known && exists_in(dir, monitor_files[k], &st) && S_ISREG(st.st_mode) &&
           (unsigned long long)st.st_ino == e->ino && (unsigned long long)st.st_size == e->bytes &&
           (long long)st.st_mtim.tv_sec == e->sec && (long long)st.st_mtim.tv_nsec == e->nsec;
}

/* The text columns of the monitoring's tables, read back as text even when a column's cells are all empty or all
 * digits (an owner left blank, a unit named 101). */
static const char *const MONITOR_TEXT[] = {"scope", "unit", "indicator", "department", "ds", "alert", "since",
                                           "status", "name", "into", "note", "kind", "value_unit", "first_warning",
                                           "reach", "deadline", "risk", "impact", "owner", "mitigation", "level",
                                           "risks", "person", "last_event", "alert_at", "resumed", "model", "flag",
                                           NULL};

/* The workbook's tables of the parts this run did not run, read back from the files an earlier `monitor` run left
 * in dir as it left them (the record), so that monitoring.xlsx holds every part the folder does: the risks of one
 * run and the inactivity of the next, the month's indicators and a risk register run on another day.  Before
 * 2026-12-07 a run wrote only its own parts' sheets (two runs of different parts kept the second's) or, beside
 * the indicators' files, left the workbook without its part.  Each read table goes in earlier[k] (to free). */
static civ_status read_earlier(const civ_cli_monitor_job *job, const char *dir, civ_table **earlier)
{
    record_entry rec[N_MONITOR_FILES];
    const int ran[N_FAMILIES] = {job->mon != NULL, job->risk_table != NULL, job->inactivity != NULL,
                                 job->demand != NULL, job->units != NULL};
    read_record(dir, rec);
    civ_status s = CIV_OK;
    for (size_t k = 0; k < MONITOR_WORKBOOK && !s; k++) {
        char path[4200];
        if (k == MF_FORECASTS || k == MF_UNITS || k == MF_PERIOD || ran[monitor_family[k]] ||
            !as_recorded(dir, k, rec))
            continue; /* not a sheet, or this run's, or not as an earlier run left it */
        snprintf(path, sizeof path, "%s/%s", dir, monitor_files[k]);
        civ_table_read_options o = {.text_columns = MONITOR_TEXT};
        s = civ_table_read(path, &o, &earlier[k]); /* a .csv: the CSV reader */
    }
    return s;
}

/* The alerts' period an earlier `monitor` run recorded in dir/period.csv, as it left it ("" when none): a read-back
 * alerts sheet lists that period's cleared alerts, also when it had no open one (until 2026-12-07 the statuses'
 * latest period's, after a run of --period 2023-01). */
static const char *earlier_period(const char *dir, char *buf)
{
    record_entry rec[N_MONITOR_FILES];
    civ_table *t = NULL;
    char path[4200];
    size_t c;
    read_record(dir, rec);
    snprintf(path, sizeof path, "%s/%s", dir, monitor_files[MF_PERIOD]);
    static const char *const text[] = {"period", NULL};
    civ_table_read_options o = {.text_columns = text};
    if (as_recorded(dir, MF_PERIOD, rec) && !civ_table_read(path, &o, &t) && !civ_table_find_column(t, "period", &c) &&
        civ_table_n_rows(t) && civ_table_text(t, 0, c))
        snprintf(buf, 32, "%s", civ_table_text(t, 0, c));
    civ_clear_error();
    civ_table_free(t);
    return buf;
}

/* monitoring.xlsx: the run's tables for people, in job->lang, the alerts of the period asked for, with the tables
 * of the parts this run did not run that earlier runs left in dir (read_earlier; their alerts' own period). */
static civ_status write_workbook(const civ_cli_monitor_job *job, const char *dir, const char *path)
{
    civ_table *e[N_MONITOR_FILES] = {0};
    civ_status s = read_earlier(job, dir, e);
    char earlier[32] = "";
    const char *period = job->mon && job->period ? job->period_label : job->mon ? "" : earlier_period(dir, earlier);
    civ_monitor_workbook_tables t = {.alerts = job->mon ? job->alerts : e[MF_ALERTS],
                                     .status = job->mon ? job->status : e[MF_STATUS],
                                     .warning = job->mon ? job->summary : e[MF_WARNING],
                                     .warning_steps = job->mon ? job->steps : e[MF_WARNING_STEPS],
                                     .risks = job->risk_table ? job->risk_table : e[MF_RISKS],
                                     .risk_matrix = job->risk_table ? job->matrix_table : e[MF_RISK_MATRIX],
                                     .inactivity = job->inactivity ? job->inactivity : e[MF_INACTIVITY],
                                     .demand = job->demand ? job->demand : e[MF_DEMAND],
                                     .period = period[0] ? period : NULL};
    if (!s)
        s = civ_monitor_workbook_write(path, job->spec, &t, job->lang, NULL);
    for (size_t k = 0; k < N_MONITOR_FILES; k++)
        civ_table_free(e[k]);
    return s;
}

/* The table that stands for monitoring.xlsx in the list of files to write (NULL: not written): every run writes
 * it, with the sheets of the parts it ran and those of the parts earlier runs left in the folder (write_workbook),
 * unless the folder's workbook is not one an earlier `monitor` run left as it was (a plan's, beside its
 * monitor_status.csv, or the user's, or one edited since: kept).  Before 2026-12-07 `monitor --risks r.csv --out
 * DIR` wrote no workbook at all; until the same day a run without the indicators beside the indicators' files
 * left the month's workbook without its part. */
static const civ_table *workbook_slot(const civ_cli_monitor_job *job, const char *dir)
{
    struct stat st;
    record_entry rec[N_MONITOR_FILES];
    if (job->mon)
        return job->alerts;
    if (exists_in(dir, "monitor_status.csv", &st))
        return NULL;
    if (exists_in(dir, monitor_files[MONITOR_WORKBOOK], &st)) {
        read_record(dir, rec);
        if (!as_recorded(dir, MONITOR_WORKBOOK, rec))
            return NULL; /* a plan's, or the user's, or rewritten since */
    }
    return job->risk_table ? job->risk_table : job->inactivity ? job->inactivity : job->demand;
}

/* period.csv: one row, `period`, the period whose alerts alerts.csv lists (--period's, else the actuals' last), so
 * that the folder says it when alerts.csv has no row: the report's 监测期 and a read-back workbook's cleared alerts.
 * Before 2026-12-07 a month of --period without an open alert was reported as the data's latest period. */
static civ_status period_table(const civ_cli_monitor_job *job, civ_table **out)
{
    char label[32];
    if (job->period)
        snprintf(label, sizeof label, "%s", job->period_label);
    civ_status s = job->period ? CIV_OK : civ_period_format(civ_monitor_frequency(job->mon), 0,
                                                           civ_monitor_last_period(job->mon), label, sizeof label);
    s = s ? s : civ_table_create(out);
    s = s ? s : civ_table_add_column(*out, "period", CIV_COLUMN_TEXT, NULL);
    s = s ? s : civ_table_add_rows(*out, 1, NULL);
    s = s ? s : civ_table_set_text(*out, 0, 0, label);
    if (s) {
        civ_table_free(*out);
        *out = NULL;
    }
    return s;
}

int civ_cli_monitor_job_write(const civ_cli_monitor_job *job, const char *dir)
{
    if (mkdir(dir, 0777) && errno != EEXIST) {
        fprintf(stderr, "civicast: %s: cannot create the output folder: %s\n", dir, strerror(errno));
        return CIV_EXIT_IO;
    }
    civ_table *period = NULL;
    civ_status ps = job->mon ? period_table(job, &period) : CIV_OK;
    if (ps)
        return civ_cli_report(ps);
    const civ_table *t[] = {job->status,       job->alerts,       job->steps,      job->summary, job->forecasts,
                            job->risk_table,   job->matrix_table, job->inactivity, job->demand,
                            job->units,        period,            workbook_slot(job, dir)};
    char targets[N_MONITOR_FILES][4096];
    const char *names[N_MONITOR_FILES], *target_ptrs[N_MONITOR_FILES];
    int written[N_MONITOR_FILES] = {0}, ran[N_FAMILIES] = {0};
    size_t n = 0;
    for (size_t k = 0; k < N_MONITOR_FILES; k++)
        if (t[k]) {
            snprintf(targets[n], sizeof targets[n], "%s/%s", dir, monitor_files[k]);
            names[n] = monitor_files[k], target_ptrs[n] = targets[n], written[k] = 1, n++;
            if (k != MONITOR_WORKBOOK || job->mon) /* a workbook of the other parts runs no indicators */
                ran[monitor_family[k]] = 1;
        }
    /* Every file is written into a staging folder and the set published together (a failure or a
     * signal leaves the earlier run's files as they were); then the files of the earlier runs that
     * this one did not make, of the families it ran, are removed, so the folder never shows last
     * month's warning.csv beside this month's status.csv, and a demand run keeps status.csv. */
    civ_staging *stg = NULL;
    civ_status s = n ? civ_staging_open(targets[0], &stg) : CIV_OK;
    for (size_t i = 0, k = 0; i < N_MONITOR_FILES && !s; i++) {
        if (!t[i])
            continue;
        char staged[4200];
        snprintf(staged, sizeof staged, "%s/%s", civ_staging_dir(stg), names[k++]);
        s = i == MONITOR_WORKBOOK ? write_workbook(job, dir, staged) : civ_table_write_csv_opts(t[i], staged,
                                                                                                 &job->csv);
    }
    if (!s && n)
        s = civ_staging_publish_files(stg, names, target_ptrs, n);
    civ_staging_free(stg);
    civ_table_free(period);
    if (s)
        return civ_cli_report(s);
    char removed[256] = "";
    record_entry rec[N_MONITOR_FILES];
    read_record(dir, rec);
    remove_stale(job, dir, written, ran, rec, removed, sizeof removed);
    write_record(dir, written, rec);
    printf("wrote                  %s/\n", dir); /* then what went, so the output reads in order */
    if (removed[0])
        printf("removed                %s (an earlier run's; this run made none)\n", removed);
    return CIV_EXIT_OK;
}
