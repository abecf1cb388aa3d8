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

#include "error.h"
#include "plan.h"

struct civ_plan_result {
    civ_table *tables[CIV_PLAN_TABLE_COUNT];
    civ_alloc_spec *spec;
    civ_plan_stats stats;
};

static const char *const table_names[CIV_PLAN_TABLE_COUNT] = {
    "forecasts", "forecast_report", "uncertainty", "allocation", "allocation_summary", "need", "need_summary",
    "monitor_status", "monitor_alerts", "warning", "warning_steps", "risks", "risk_matrix", "inactivity", "demand",
    "allocation_waterfall", "allocation_stages",
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
} run_ctx;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void report(const run_ctx *c, const char *stage, size_t done, size_t total)
{
    if (c->opt && c->opt->progress)
        c->opt->progress(stage, done, total, c->opt->progress_user);
}

/* A failure that names no file gets the input that was being read. */
static civ_status name_input(civ_status s, const char *path)
{
    if (!s || civ_last_error()->file[0])
        return s;
    civ_error e = *civ_last_error();
    snprintf(e.file, sizeof e.file, "%s", path);
    return civ_error_restore(&e);
}

/* ---- 1. forecast demand -------------------------------------------------- */

typedef struct forecast_progress {
    const run_ctx *ctx;
} forecast_progress;

static void on_series(size_t done, size_t total, void *user)
{
    const forecast_progress *fp = user;
    report(fp->ctx, "forecast", done, total);
}

static civ_status stage_forecast(run_ctx *c)
{
    const civ_plan *p = c->plan;
    civ_panel *owned = NULL;
    const civ_panel *panel = c->opt ? c->opt->panel : NULL;
    civ_status s = CIV_OK;
    if (!panel) {
        civ_panel_read_options ro = {{CIV_FREQ_UNKNOWN, CIV_ANCHOR_PERIOD, -1}, p->encoding[0] ? p->encoding : NULL};
        if (p->freq[0])
            civ_freq_parse(p->freq, &ro.freq); /* checked by civ_plan_read */
        s = name_input(civ_panel_read_ex(p->panel, &ro, &owned), p->panel);
        panel = owned;
    }
    civ_forecast_options fo;
    civ_forecast_options_init(&fo);
    forecast_progress fp = {c};
    fo.model = p->model;
    fo.horizon = p->horizon;
    fo.levels = p->levels;
    fo.n_levels = p->n_levels;
    fo.threads = p->threads;
    fo.seed = p->seed;
    if (c->opt && c->opt->progress) {
        fo.progress = on_series;
        fo.progress_user = &fp;
    }
    civ_forecast_result *fr = NULL;
    if (!s)
        s = civ_forecast_panel(panel, &fo, &fr);
    if (!s)
        s = civ_forecast_result_table(fr, panel, &c->res->tables[CIV_PLAN_FORECASTS]);
    if (!s)
        s = civ_forecast_report_table(fr, panel, &c->res->tables[CIV_PLAN_FORECAST_REPORT]);
    if (!s) {
        civ_plan_stats *st = &c->res->stats;
        st->n_series = civ_forecast_result_n_series(fr);
        st->n_failed = civ_forecast_result_n_failed(fr);
        st->horizon = civ_forecast_result_horizon(fr);
        st->forecast_seconds = civ_forecast_result_seconds(fr);
    }
    civ_forecast_result_free(fr);
    civ_panel_free(owned);
    return s;
}

/* ---- 2. allocate with the forecasts as the demand factor ----------------- */

/* What each rule did, for the report (docs/REPORT.md): the compare waterfall
 * of the one spec, and each community's amount before the constraints (the
 * BASE stage plus the tilts), from a second solve through civ_alloc_compare. */
static civ_status rule_tables(civ_plan_result *r, const civ_table *comm)
{
    const char *label = "plan";
    const civ_alloc_spec *spec = r->spec;
    civ_alloc_compare *cmp = NULL;
    civ_table *ids = NULL, *stages = NULL;
    double *base = NULL, *tilt = NULL;
    civ_status s = civ_alloc_compare_run(&spec, &label, 1, comm, r->tables[CIV_PLAN_FORECASTS], &cmp);
    if (!s)
        s = civ_alloc_compare_waterfall(cmp, &r->tables[CIV_PLAN_ALLOCATION_WATERFALL]);
    size_t n = cmp ? civ_alloc_compare_n_communities(cmp) : 0, cid = 0, cb = 0, ci = 0, first = 0;
    if (!s && !((base = malloc((n + 1) * sizeof *base)) && (tilt = malloc((n + 1) * sizeof *tilt))))
        s = civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for the rule stages of %zu communities", n);
    if (!s)
        s = civ_alloc_compare_effect(cmp, 0, CIV_ALLOC_EFFECT_COUNT, base, n);
    if (!s)
        s = civ_alloc_compare_effect(cmp, 0, CIV_ALLOC_EFFECT_TILT, tilt, n);
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
            s = civ_table_set_number(stages, first + i, cb, base[i] + tilt[i]);
    }
    if (!s)
        r->tables[CIV_PLAN_ALLOCATION_STAGES] = stages, stages = NULL;
    free(base), free(tilt);
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
        s = civ_alloc_result_table(prob, res, 1, &r->tables[CIV_PLAN_ALLOCATION]);
    if (!s)
        s = civ_alloc_result_summary(prob, res, &r->tables[CIV_PLAN_ALLOCATION_SUMMARY]);
    if (!s)
        s = civ_alloc_result_stats(prob, res, &r->stats.alloc);
    if (!s)
        s = rule_tables(r, comm);
    civ_alloc_result_free(res);
    civ_alloc_problem_free(prob);
    return s;
}

static civ_status stage_allocation(run_ctx *c)
{
    const civ_plan *p = c->plan;
    static const char *const text_cols[] = {"unique_id", "name", "district", "street", "model", NULL};
    civ_table_read_options ro = {.text_columns = text_cols, .encoding = p->encoding[0] ? p->encoding : NULL};
    civ_status s = name_input(civ_alloc_spec_read(p->spec, &c->res->spec), p->spec);
    const civ_table *comm = c->opt ? c->opt->communities : NULL;
    if (!s && !comm) {
        s = name_input(civ_table_read(p->communities, &ro, &c->communities_read), p->communities);
        comm = c->communities_read;
    }
    if (s)
        return s;
    report(c, "allocation", 0, 1);
    double t0 = now_seconds();
    s = solve_allocation(c, comm);
    c->res->stats.alloc_seconds = now_seconds() - t0;
    if (!s)
        report(c, "allocation", 1, 1);
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
    report(c, "uncertainty", 0, p->draws);
    civ_alloc_uncertainty *u = NULL;
    const civ_table *comm = c->opt && c->opt->communities ? c->opt->communities : c->communities_read;
    civ_status s = civ_alloc_uncertainty_run(c->res->spec, comm, c->res->tables[CIV_PLAN_FORECASTS], &uo, &u);
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
        report(c, "uncertainty", p->draws, p->draws);
    }
    civ_alloc_uncertainty_free(u);
    return s;
}

/* ---- 4. the multi-year need: [need] of the plan, else of the spec --------- */

static civ_status stage_need(run_ctx *c)
{
    const civ_plan *p = c->plan;
    civ_alloc_need *need = NULL;
    civ_status s;
    if (p->has_need) {
        s = name_input(civ_alloc_need_read(p->path, &need), p->path);
    } else {
        s = civ_alloc_need_read(p->spec, &need);
        if (s == CIV_ERR_NOT_FOUND) {
            civ_clear_error();
            return CIV_OK; /* no need asked for */
        }
        s = name_input(s, p->spec);
    }
    if (s)
        return s;
    report(c, "need", 0, 1);
    double t0 = now_seconds();
    civ_plan_result *r = c->res;
    /* The forecasts are the plan's own ([forecast] horizon): a projection
     * error (a year not forecast) is the plan file's to fix. */
    s = name_input(civ_alloc_need_project(need, r->tables[CIV_PLAN_FORECASTS], &r->tables[CIV_PLAN_NEED],
                                          &r->tables[CIV_PLAN_NEED_SUMMARY]),
                   p->path);
    if (!s) {
        r->stats.has_need = 1;
        r->stats.need_minor_unit = civ_alloc_need_minor_unit(need);
        r->stats.need_seconds = now_seconds() - t0;
        report(c, "need", 1, 1);
    }
    civ_alloc_need_free(need);
    return s;
}

/* ---- 5. monitoring ([monitor]; monitor_stage.c) -------------------------- */

static civ_status stage_monitor(run_ctx *c)
{
    civ_plan_result *r = c->res;
    report(c, "monitor", 0, 1);
    double t0 = now_seconds();
    civ_status s = civ_plan_stage_monitor(c->plan, r->tables[CIV_PLAN_FORECASTS], r->tables, &r->stats.warn_failed);
    if (!s) {
        r->stats.has_monitor = 1;
        r->stats.warn_horizon = c->plan->warn_h;
        r->stats.warn_threshold = c->plan->threshold;
        r->stats.monitor_seconds = now_seconds() - t0;
        report(c, "monitor", 1, 1);
    }
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
    civ_status s = stage_forecast(&c);
    if (!s)
        s = stage_allocation(&c);
    if (!s && plan->draws > 0)
        s = stage_uncertainty(&c);
    if (!s)
        s = stage_need(&c);
    if (!s && plan->has_monitor)
        s = stage_monitor(&c);
    civ_table_free(c.communities_read);
    if (s) {
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

/* mkdir -p; CIV_ERR_IO naming the folder. */
static civ_status make_dirs(const char *dir)
{
    char buf[CIV_PLAN_PATH_MAX];
    civ_where w = {.file = dir};
    if (strlen(dir) >= sizeof buf)
        return civ_fail_at(CIV_ERR_LIMIT, &w, "the output folder's path is longer than %zu bytes", sizeof buf - 1);
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *q = buf + 1; *q; q++)
        if (*q == '/') {
            *q = 0;
            if (mkdir(buf, 0777) && errno != EEXIST)
                return civ_fail_at(CIV_ERR_IO, &w, "cannot create the output folder: %s", strerror(errno));
            *q = '/';
        }
    if (mkdir(buf, 0777) && errno != EEXIST)
        return civ_fail_at(CIV_ERR_IO, &w, "cannot create the output folder: %s", strerror(errno));
    return CIV_OK;
}

civ_status civ_plan_result_write(const civ_plan_result *result, const char *dir)
{
    return civ_plan_result_write_opts(result, dir, NULL);
}

/* The decimals of a currency's major unit: 100 -> 2, 1000 -> 3, 1 -> 0. */
static int money_decimals(int64_t minor_unit)
{
    int d = 0;
    for (int64_t u = minor_unit; u >= 10 && d < 9; u /= 10)
        d++;
    return d;
}

civ_status civ_plan_result_write_opts(const civ_plan_result *result, const char *dir,
                                      const civ_csv_write_options *options)
{
    if (!result || !dir || !dir[0])
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_result_write: NULL result or empty folder");
    /* The folder is for people by default (docs/CLI.md, "Files for people"). */
    civ_csv_write_options people = {.bom = 1, .significant_digits = CIV_CSV_PEOPLE_DIGITS};
    civ_csv_write_options plain = options ? *options : people;
    /* money tables keep the currency's decimals when rounded (yuan keep their fen) */
    civ_csv_write_options money = plain;
    int d = money_decimals(result->spec ? civ_alloc_spec_minor_unit(result->spec) : 100);
    if (money.min_decimals < d)
        money.min_decimals = d;
    civ_status s = make_dirs(dir);
    for (int t = 0; t < CIV_PLAN_TABLE_COUNT && !s; t++) {
        if (!result->tables[t])
            continue;
        char path[CIV_PLAN_PATH_MAX + 32];
        snprintf(path, sizeof path, "%s/%s.csv", dir, table_names[t]);
        int is_money = t != CIV_PLAN_FORECASTS && t != CIV_PLAN_FORECAST_REPORT;
        s = name_input(civ_table_write_csv_opts(result->tables[t], path, is_money ? &money : &plain), path);
    }
    return s;
}
