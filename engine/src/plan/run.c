/*
 * run.c -- layer plan: civ_plan_run, the whole job of a plan (forecast ->
 * allocation -> Monte Carlo -> need), one function per stage, and
 * civ_plan_result_write.  Forecasting and allocation are reached through the
 * public API only (civicast.h): forecasts reach the allocation as a table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "c_locale.h"
#include "error.h"
#include "plan.h"

static const char *const table_names[CIV_PLAN_TABLE_COUNT] = {
    "forecasts", "forecast_report", "uncertainty", "allocation", "allocation_summary", "need", "need_summary",
    "monitor_status", "monitor_alerts", "warning", "warning_steps", "risks", "risk_matrix", "inactivity", "demand",
    "allocation_waterfall", "allocation_stages", "history", "backtest", "backtest_accuracy", "joins",
    "forecast_totals", "backtest_failures",
};

const char *civ_plan_table_name(civ_plan_table table)
{
    return (int)table >= 0 && table < CIV_PLAN_TABLE_COUNT ? table_names[table] : "";
}

/* What the stages share. */
typedef struct run_ctx {
    const civ_plan *plan;
    const civ_plan_run_options *opt;
    civ_plan_result *res;
    civ_table *communities_read; /* read here when the caller gave none */
    civ_alloc_need *need;        /* the [need] read before the run (NULL: none asked for) */
    const civ_panel *panel;      /* the panel forecast (the backtest's too) */
    civ_panel *panel_read;       /* read here when the caller gave none */
    civ_panel *panel_joined;     /* [data] predecessors: the panel with their history joined (join.c) */
    civ_table *joins;            /* ... and what was joined (civ_panel_join_predecessors) */
    civ_frequency freq;          /* the panel's, for the explanations' periods (kept after the panel is freed) */
    const char *stopped_in;      /* the stage whose progress report the callback answered "stop" (NULL: none) */
} run_ctx;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Reports a stage's progress to the caller; once the callback has answered
 * nonzero (stop), CIV_ERR_CANCELLED: the stage returns it and the run keeps
 * nothing (civ_plan_progress_fn). */
static civ_status report(run_ctx *c, const char *stage, size_t done, size_t total)
{
    if (!c->stopped_in && c->opt && c->opt->progress && c->opt->progress(stage, done, total, c->opt->progress_user))
        c->stopped_in = stage;
    if (!c->stopped_in)
        return CIV_OK;
    return civ_fail(CIV_ERR_CANCELLED, "stopped by the progress callback in the %s stage; nothing was kept",
                    c->stopped_in);
}

/* ---- 1. forecast demand -------------------------------------------------- */

typedef struct forecast_progress {
    run_ctx *ctx;
    const char *stage; /* "forecast", "totals" */
} forecast_progress;

/* A forecast's progress as the plan's (a stop makes civ_forecast_panel
 * return CIV_ERR_CANCELLED, or the next stage when it came at the end). */
static int on_series(size_t done, size_t total, void *user)
{
    const forecast_progress *fp = user;
    return report(fp->ctx, fp->stage, done, total) != CIV_OK;
}

/* The options of the plan's forecasts: [forecast] model, levels, threads, seed, intervals, `horizon` steps. */
static void plan_forecast_options(run_ctx *c, size_t horizon, forecast_progress *fp, civ_forecast_options *fo)
{
    const civ_plan *p = c->plan;
    civ_forecast_options_init(fo);
    fo->model = p->model;
    fo->horizon = horizon;
    fo->levels = p->levels;
    fo->n_levels = p->n_levels;
    fo->threads = p->threads;
    fo->seed = p->seed;
    civ_plan_interval_options(p, fo);
    if (c->opt && c->opt->progress) {
        fo->progress = on_series;
        fo->progress_user = fp;
    }
}

/* Before the forecast: every series a community, and none too far behind
 * the others to forecast the plan's months (align.c). */
static civ_status check_panel(run_ctx *c, const civ_panel *panel, size_t horizon, civ_plan_ends *ends)
{
    const civ_plan *p = c->plan;
    const civ_table *comm = c->opt && c->opt->communities ? c->opt->communities : c->communities_read;
    civ_status s = civ_plan_check_ids(panel, p->panel, comm, p->communities, civ_alloc_spec_id_column(c->res->spec),
                                      &c->res->stats.n_no_series);
    civ_plan_panel_ends(panel, ends);
    if (s || ends->max_gap <= horizon)
        return s;
    char at[32], last[32];
    size_t n;
    int64_t start;
    civ_panel_series(panel, ends->stalest, NULL, &n, &start);
    civ_frequency f = civ_panel_frequency(panel);
    civ_period_format(f, civ_panel_phase(panel), start + (int64_t)n - 1, at, sizeof at);
    civ_period_format(f, civ_panel_phase(panel), ends->end, last, sizeof last);
    civ_where w = {.file = p->panel, .series_id = civ_panel_series_id(panel, ends->stalest)};
    return civ_fail_at(CIV_ERR_DOMAIN, &w,
                       "series '%s' ends at %s, %zu periods before the panel's last period %s: a plan forecasts "
                       "every community over the same %zu periods after %s, and a series may be at most that far "
                       "behind; bring its data up to date, or leave it out of the panel",
                       civ_panel_series_id(panel, ends->stalest), at, ends->max_gap, last, horizon, last);
}

static civ_status stage_forecast(run_ctx *c)
{
    const civ_plan *p = c->plan;
    const civ_panel *panel = c->opt ? c->opt->panel : NULL;
    civ_status s = CIV_OK;
    if (!panel) {
        civ_panel_read_options ro = civ_plan_panel_options(p);
        ro.id_column = p->id_column;
        ro.time_column = p->time_column;
        ro.target_column = p->target_column;
        ro.wide = p->wide;
        ro.sheet = p->panel_sheet[0] ? p->panel_sheet : NULL;
        ro.skip_rows = p->skip_rows[CIV_PLAN_IN_PANEL]; /* [plan] panel_skip_rows */
        if (p->freq[0])
            civ_freq_parse(p->freq, &ro.freq); /* checked by civ_plan_read */
        s = civ_error_name_file(civ_panel_read_ex(p->panel, &ro, &c->panel_read), p->panel);
        panel = c->panel_read;
    }
    if (!s)
        s = civ_plan_join_predecessors(c->res->spec, c->opt && c->opt->communities ? c->opt->communities
                                                                                  : c->communities_read,
                                       p->communities, &panel, &c->panel_joined, &c->joins, &c->res->stats);
    if (!s && c->joins) /* joins.csv: the result owns it, the explanations read it */
        c->res->tables[CIV_PLAN_JOINS] = c->joins;
    c->panel = panel;
    c->freq = panel ? civ_panel_frequency(panel) : CIV_FREQ_UNKNOWN;
    int season = civ_frequency_season_length(panel ? civ_panel_frequency(panel) : CIV_FREQ_UNKNOWN);
    size_t horizon = p->horizon ? p->horizon : (season > 1 ? 2u * (size_t)season : 10u); /* the library's default */
    civ_plan_ends ends = {0};
    if (!s)
        s = check_panel(c, panel, horizon, &ends);
    civ_forecast_options fo;
    forecast_progress fp = {c, "forecast"};
    plan_forecast_options(c, horizon + ends.max_gap, &fp, &fo); /* the late series' extra steps: dropped below */
    civ_forecast_result *fr = NULL;
    if (!s)
        s = civ_forecast_panel(panel, &fo, &fr);
    civ_table *all = NULL;
    if (!s)
        s = civ_forecast_result_table(fr, panel, &all);
    if (!s && ends.max_gap)
        s = civ_plan_align_forecasts(all, panel, ends.end, horizon, &c->res->tables[CIV_PLAN_FORECASTS]);
    else if (!s)
        c->res->tables[CIV_PLAN_FORECASTS] = all, all = NULL;
    civ_table_free(all);
    if (!s)
        s = civ_forecast_report_table(fr, panel, &c->res->tables[CIV_PLAN_FORECAST_REPORT]);
    if (!s)
        s = civ_plan_history_table(panel, civ_plan_history_periods(p->horizon), &c->res->tables[CIV_PLAN_HISTORY]);
    if (!s) {
        civ_plan_stats *st = &c->res->stats;
        st->n_series = civ_forecast_result_n_series(fr);
        st->n_failed = civ_forecast_result_n_failed(fr);
        st->n_uncalibrated = civ_forecast_result_n_uncalibrated(fr);
        st->horizon = horizon;
        st->n_late = ends.n_late;
        st->late_periods = ends.max_gap;
        st->forecast_seconds = civ_forecast_result_seconds(fr);
    }
    civ_forecast_result_free(fr);
    return s;
}

/* After the totals: only the backtest stage reads the panel again, so free it as soon as possible. */
static void release_panel(run_ctx *c)
{
    if (c->plan->has_backtest)
        return;
    civ_panel_free(c->panel_read);
    civ_panel_free(c->panel_joined);
    c->panel_read = c->panel_joined = NULL;
    c->panel = NULL;
}

/* ---- 2. allocate with the forecasts as the demand factor ----------------- */

/* What each rule did, for the report (docs/REPORT.md): the compare waterfall
 * of the one spec, and each community's amount before the constraints (the
 * general funds' base, the earmarked funds' base and the tilts), from a
 * second solve through civ_alloc_compare. */
static civ_status rule_tables(civ_plan_result *r, const civ_table *comm)
{
    const char *label = "plan";
    const civ_alloc_spec *spec = r->spec;
    civ_alloc_compare *cmp = NULL;
    civ_table *ids = NULL, *stages = NULL;
    double *base = NULL, *tilt = NULL, *earmark = NULL;
    civ_status s = civ_alloc_compare_run(&spec, &label, 1, comm, r->tables[CIV_PLAN_FORECASTS], &cmp);
    if (!s)
        s = civ_alloc_compare_waterfall(cmp, &r->tables[CIV_PLAN_ALLOCATION_WATERFALL]);
    size_t n = cmp ? civ_alloc_compare_n_communities(cmp) : 0, cid = 0, cb = 0, ci = 0, first = 0;
    if (!s && !((base = malloc((n + 1) * sizeof *base)) && (tilt = malloc((n + 1) * sizeof *tilt)) &&
                (earmark = malloc((n + 1) * sizeof *earmark))))
        s = civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for the rule stages of %zu communities", n);
    if (!s)
        s = civ_alloc_compare_effect(cmp, 0, CIV_ALLOC_EFFECT_COUNT, base, n);
    if (!s)
        s = civ_alloc_compare_effect(cmp, 0, CIV_ALLOC_EFFECT_TILT, tilt, n);
    if (!s)
        s = civ_alloc_compare_effect(cmp, 0, CIV_ALLOC_EFFECT_EARMARK, earmark, n);
    if (!s)
        s = civ_alloc_compare_table(cmp, &ids);
    if (!s)
        s = civ_table_find_column(ids, "unique_id", &ci);
    if (!s)
        s = civ_table_create(&stages);
    if (!s)
        s = civ_table_add_column(stages, "unique_id", CIV_COLUMN_TEXT, &cid);
    if (!s)
        s = civ_table_add_column(stages, "before", CIV_COLUMN_NUMBER, &cb);
    if (!s)
        s = civ_table_add_rows(stages, n, &first);
    for (size_t i = 0; i < n && !s; i++) {
        s = civ_table_set_text(stages, first + i, cid, civ_table_text(ids, i, ci));
        if (!s)
            s = civ_table_set_number(stages, first + i, cb, base[i] + earmark[i] + tilt[i]);
    }
    if (!s)
        r->tables[CIV_PLAN_ALLOCATION_STAGES] = stages, stages = NULL;
    free(base), free(tilt), free(earmark);
    civ_table_free(ids), civ_table_free(stages);
    civ_alloc_compare_free(cmp);
    return s;
}

static civ_status solve_allocation(run_ctx *c, const civ_table *comm)
{
    civ_plan_result *r = c->res;
    civ_alloc_problem *prob = NULL;
    civ_alloc_result *res = NULL;
    civ_status s = civ_alloc_bind(r->spec, comm, r->tables[CIV_PLAN_FORECASTS], &prob);
    if (!s)
        s = civ_alloc_result_create(prob, &res);
    if (!s)
        s = civ_alloc_solve(prob, res);
    if (!s)
        s = civ_alloc_result_table(prob, res, strcmp(c->plan->lang, "en") ? CIV_ALLOC_EXPLAIN_ZH : CIV_ALLOC_EXPLAIN_EN,
                                   &r->tables[CIV_PLAN_ALLOCATION]); /* the explanations in the plan's language */
    if (!s) /* the summary and the run's figures from one computation of the equity statistics */
        s = civ_alloc_result_summary_stats(prob, res, &r->tables[CIV_PLAN_ALLOCATION_SUMMARY], &r->stats.alloc);
    for (size_t k = 0; !s && k < civ_alloc_spec_n_factors(r->spec); k++) { /* if_missing = "zero": counted as 0 */
        size_t zero = 0;
        s = civ_alloc_result_n_no_forecast(prob, res, k, &zero);
        r->stats.n_no_forecast = zero > r->stats.n_no_forecast ? zero : r->stats.n_no_forecast;
    }
    if (!s)
        s = rule_tables(r, comm);
    civ_alloc_result_free(res);
    civ_alloc_problem_free(prob);
    return s;
}

/* Reads the spec, the communities (unless given) and the need before the
 * forecast: a bad input or configuration stops the run before its long
 * stage (issue 18.1). */
static civ_status read_configuration(run_ctx *c)
{
    const civ_plan *p = c->plan;
    civ_status s = civ_error_name_file(civ_alloc_spec_read(p->spec, &c->res->spec), p->spec);
    /* keyed by the spec's [data] id (as text: 310101001 is a code), not by [plan] id_column (the panel's) */
    civ_table_read_options ro = civ_plan_table_options(p, civ_alloc_spec_text_columns(c->res->spec));
    civ_table_read_options rc = ro;
    rc.sheet = p->communities_sheet[0] ? p->communities_sheet : NULL; /* [plan] communities_sheet (.xlsx) */
    rc.skip_rows = p->skip_rows[CIV_PLAN_IN_COMMUNITIES];              /* [plan] communities_skip_rows */
    if (!s && !(c->opt && c->opt->communities))
        s = civ_error_name_file(civ_table_read(p->communities, &rc, &c->communities_read), p->communities);
    civ_table_read_options rl = ro;
    rl.sheet = p->last_year_sheet[0] ? p->last_year_sheet : NULL; /* [plan] last_year_sheet (.xlsx) */
    rl.skip_rows = p->skip_rows[CIV_PLAN_IN_LAST_YEAR];            /* [plan] last_year_skip_rows */
    if (!s) /* last year's allocation (civ_plan_set_last_year, else the spec's [data] last_year_file) */
        s = civ_alloc_spec_read_last_year(c->res->spec, p->last_year[0] ? p->last_year : NULL, &rl);
    if (s)
        return s;
    if (p->has_need)
        return civ_error_name_file(civ_alloc_need_read(p->path, &c->need), p->path);
    s = civ_alloc_need_read(p->spec, &c->need);
    if (s == CIV_ERR_NOT_FOUND) {
        civ_clear_error();
        return CIV_OK; /* no need asked for */
    }
    return civ_error_name_file(s, p->spec);
}

static civ_status stage_allocation(run_ctx *c)
{
    const civ_table *comm = c->opt && c->opt->communities ? c->opt->communities : c->communities_read;
    civ_status s;
    if ((s = report(c, "allocation", 0, 1)))
        return s;
    double t0 = now_seconds();
    s = solve_allocation(c, comm);
    if (!s && c->joins) /* whose demand history was joined, in each explanation (join.c) */
        s = civ_plan_explain_joins(c->joins, strcmp(c->plan->lang, "en") != 0,
                                   c->freq,
                                   c->res->tables[CIV_PLAN_ALLOCATION]);
    c->res->stats.alloc_seconds = now_seconds() - t0;
    if (!s)
        s = report(c, "allocation", 1, 1);
    return s;
}

/* ---- 2b. the city's and the districts' totals (totals.c) ---------------- */

/* Why "bu" is not tried at all: asked for "sum", or late series (the hierarchy's nodes must end together). */
static int totals_by_sum(run_ctx *c, char *why, size_t size)
{
    const civ_plan_stats *st = &c->res->stats;
    if (strcmp(c->plan->totals, "bu"))
        return 1;
    if (st->n_late)
        civ_snprintf(why, size, "%zu communit%s end%s before the panel's last period, and the hierarchy's totals "
                     "need every series to end at the same period", st->n_late, st->n_late == 1 ? "y" : "ies",
                     st->n_late == 1 ? "s" : "");
    else if (!c->panel)
        civ_snprintf(why, size, "no panel to forecast the totals from");
    return why[0] != '\0';
}

/* forecast_totals.csv: by [forecast] totals ("bu": the district hierarchy forecast again, bottom-up), by the
 * allocation's districts as the report groups them; "sum" where "bu" was not asked for or cannot be made. */
static civ_status stage_totals(run_ctx *c)
{
    civ_plan_stats *st = &c->res->stats;
    civ_table **out = &c->res->tables[CIV_PLAN_FORECAST_TOTALS], *alloc = c->res->tables[CIV_PLAN_ALLOCATION];
    double t0 = now_seconds();
    civ_status s = CIV_OK;
    if (!totals_by_sum(c, st->totals_note, sizeof st->totals_note)) {
        civ_hier_options ho;
        civ_hier_options_init(&ho);
        forecast_progress fp = {c, "totals"};
        plan_forecast_options(c, st->horizon, &fp, &ho.forecast);
        ho.method = CIV_RECONCILE_BU;
        if (!(s = report(c, "totals", 0, 1)))
            s = civ_plan_totals_bu(c->panel, c->res->tables[CIV_PLAN_FORECASTS], alloc, &ho, out,
                                   &st->totals_uncalibrated, st->totals_note, sizeof st->totals_note);
    }
    if (!s && !*out)
        s = civ_plan_totals_table(c->res->tables[CIV_PLAN_FORECASTS], alloc, "unique_id", out);
    if (!s && *out)
        civ_snprintf(st->totals_method, sizeof st->totals_method, "%s", st->totals_note[0] ||
                     strcmp(c->plan->totals, "bu") ? "sum" : "bu");
    st->totals_seconds = now_seconds() - t0;
    release_panel(c);
    return s;
}

/* ---- 3. the Monte Carlo: p5/p50/p95 columns and the uncertainty table ---- */

static civ_status stage_uncertainty(run_ctx *c)
{
    const civ_plan *p = c->plan;
    civ_plan_stats *st = &c->res->stats;
    civ_alloc_uncertainty_options uo;
    civ_alloc_uncertainty_options_init(&uo);
    uo.n_draws = p->draws;
    uo.seed = p->unc_seed;
    uo.threads = p->threads;
    uo.perturb_forecasts = p->unc_forecasts;
    uo.weight_concentration = p->concentration;
    civ_status s = report(c, "uncertainty", 0, p->draws);
    if (s)
        return s;
    civ_alloc_uncertainty *u = NULL;
    const civ_table *comm = c->opt && c->opt->communities ? c->opt->communities : c->communities_read;
    s = civ_alloc_uncertainty_run(c->res->spec, comm, c->res->tables[CIV_PLAN_FORECASTS], &uo, &u);
    if (!s)
        s = civ_alloc_uncertainty_add_columns(u, c->res->tables[CIV_PLAN_ALLOCATION]);
    if (!s)
        s = civ_alloc_uncertainty_table(u, &c->res->tables[CIV_PLAN_UNCERTAINTY]);
    if (!s) {
        st->n_draws = civ_alloc_uncertainty_n_draws(u);
        st->uncertainty_seed = uo.seed;
        st->perturb_forecasts = uo.perturb_forecasts;
        st->weight_concentration = uo.weight_concentration;
        st->uncertainty_threads = uo.threads;
        st->uncertainty_seconds = civ_alloc_uncertainty_seconds(u);
        s = report(c, "uncertainty", p->draws, p->draws);
    }
    civ_alloc_uncertainty_free(u);
    return s;
}

/* ---- 4. the multi-year need: [need] of the plan, else of the spec --------- */

static civ_status stage_need(run_ctx *c)
{
    civ_alloc_need *need = c->need;
    civ_status s;
    if (!need)
        return CIV_OK; /* no need asked for */
    if ((s = report(c, "need", 0, 1)))
        return s;
    double t0 = now_seconds();
    civ_plan_result *r = c->res;
    /* The forecasts are the plan's own ([forecast] horizon): a projection
     * error (a year not forecast) is the plan file's to fix. */
    s = civ_error_name_file(civ_alloc_need_project(need, r->tables[CIV_PLAN_FORECASTS], &r->tables[CIV_PLAN_NEED],
                                          &r->tables[CIV_PLAN_NEED_SUMMARY]),
                   c->plan->path);
    if (!s) {
        r->stats.has_need = 1;
        r->stats.need_minor_unit = civ_alloc_need_minor_unit(need);
        r->stats.need_seconds = now_seconds() - t0;
        s = report(c, "need", 1, 1);
    }
    return s;
}

/* ---- 5. monitoring ([monitor]; monitor_stage.c) -------------------------- */

static civ_status stage_monitor(run_ctx *c)
{
    civ_plan_result *r = c->res;
    civ_status s = report(c, "monitor", 0, 1);
    if (s)
        return s;
    double t0 = now_seconds();
    s = civ_plan_stage_monitor(c->plan, r->tables[CIV_PLAN_FORECASTS], r->tables, &r->stats.warn_failed,
                               &r->mon_spec, r->stats.monitor_period, sizeof r->stats.monitor_period);
    if (!s) {
        r->stats.has_monitor = 1;
        r->stats.warn_horizon = c->plan->warn_h;
        r->stats.warn_threshold = c->plan->threshold;
        r->stats.monitor_seconds = now_seconds() - t0;
        s = report(c, "monitor", 1, 1);
    }
    return s;
}

/* ---- 6. the forecasts' accuracy on the plan's panel ([backtest]) ---------- */

static civ_status stage_backtest(run_ctx *c)
{
    civ_plan_result *r = c->res;
    civ_status s = report(c, "backtest", 0, 1);
    if (s)
        return s;
    const civ_plan_run_options *o = c->opt;
    return civ_plan_stage_backtest(c->plan, c->panel, r->tables, &r->stats, o ? o->progress : NULL,
                                   o ? o->progress_user : NULL);
}

/* Records and hashes every input file (the manifest's "inputs"): a missing
 * or unreadable input stops the run here, before anything is computed. */
static civ_status add_input(civ_plan_result *r, const char *role, const char *path)
{
    if (!path[0] || r->n_inputs >= CIV_PLAN_MAX_INPUTS)
        return CIV_OK;
    civ_plan_input *in = &r->inputs[r->n_inputs];
    civ_where w = {.file = path};
    struct stat st;
    if (stat(path, &st) != 0)
        return civ_fail_at(CIV_ERR_IO, &w, "cannot open the plan's %s: %s (nothing was run)", role, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return civ_fail_at(CIV_ERR_IO, &w, "the plan's %s is not a file (nothing was run)", role);
    civ_snprintf(in->role, sizeof in->role, "%s", role);
    civ_snprintf(in->path, sizeof in->path, "%s", path);
    in->bytes = (long long)st.st_size;
    civ_status s = civ_file_sha256(path, in->sha256);
    if (!s)
        r->n_inputs++;
    return s;
}

static civ_status hash_inputs(civ_plan_result *r)
{
    const civ_plan *p = &r->plan;
    const struct {
        const char *role, *path;
    } in[] = {
        {"plan", p->path},
        {"panel", p->panel},
        {"communities", p->communities},
        {"spec", p->spec},
        {"[monitor] indicators", p->mon_indicators},
        {"[monitor] actuals", p->mon_actuals},
        {"[monitor] risks", p->mon_risks},
        {"[monitor] matrix", p->mon_matrix},
        {"[monitor] events", p->mon_events},
        {"[monitor] demand_actuals", p->mon_demand},
    };
    civ_status s = CIV_OK;
    for (size_t k = 0; k < sizeof in / sizeof in[0] && !s; k++)
        s = add_input(r, in[k].role, in[k].path);
    return s;
}

civ_status civ_plan_run(const civ_plan *plan, const civ_plan_run_options *options, civ_plan_result **out)
{
    if (out)
        *out = NULL;
    if (!plan || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_run: NULL argument");
    civ_plan_result *r = calloc(1, sizeof *r);
    if (!r)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    run_ctx c = {.plan = plan, .opt = options, .res = r};
    double t0 = now_seconds();
    r->plan = *plan;
    civ_status s = plan->out[0] ? civ_plan_check_outputs(plan) : CIV_OK;
    if (!s)
        s = hash_inputs(r);
    if (!s)
        s = read_configuration(&c);
    if (!s)
        s = stage_forecast(&c);
    if (!s)
        s = stage_allocation(&c);
    if (!s)
        s = stage_totals(&c);
    if (!s && plan->draws > 0)
        s = stage_uncertainty(&c);
    if (!s)
        s = stage_need(&c);
    if (!s && plan->has_monitor)
        s = stage_monitor(&c);
    if (!s && plan->has_backtest)
        s = stage_backtest(&c);
    civ_table_free(c.communities_read);
    civ_panel_free(c.panel_read);
    civ_panel_free(c.panel_joined);
    civ_alloc_need_free(c.need);
    r->total_seconds = now_seconds() - t0;
    if (s) {
        s = civ_plan_input_error_spec(plan, r->spec, s); /* a reader's --skip-rows cure named as the plan's key */
        civ_plan_result_free(r);
        return s;
    }
    *out = r;
    return CIV_OK;
}

void civ_plan_result_free(civ_plan_result *result)
{
    if (!result)
        return;
    for (int t = 0; t < CIV_PLAN_TABLE_COUNT; t++)
        civ_table_free(result->tables[t]);
    civ_alloc_spec_free(result->spec);
    civ_monitor_spec_free(result->mon_spec);
    free(result);
}

const civ_table *civ_plan_result_table(const civ_plan_result *result, civ_plan_table table)
{
    return result && (int)table >= 0 && table < CIV_PLAN_TABLE_COUNT ? result->tables[table] : NULL;
}

civ_status civ_plan_result_stats(const civ_plan_result *result, civ_plan_stats *out)
{
    if (!result || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_result_stats: NULL argument");
    *out = result->stats;
    return CIV_OK;
}

const civ_alloc_spec *civ_plan_result_spec(const civ_plan_result *result)
{
    return result ? result->spec : NULL;
}
