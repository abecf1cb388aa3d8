/*
 * backtest_stage.c -- layer plan: the plan's [backtest] stage.  How accurate
 * have the demand forecasts behind the allocation been on the plan's own
 * communities?  A rolling-origin backtest (civ_backtest_panel, the same
 * public calls as `civicast backtest`) of the panel the forecast stage read,
 * with the plan's levels, threads and seed, gives backtest.csv (every
 * window's forecasts against what happened) and backtest_accuracy.csv (per
 * model: MASE, sMAPE, coverage, ...; docs/FORECASTING.md, "Accuracy
 * measures"), which the report's "Backtest accuracy" section shows, and
 * backtest_failures.csv (each failed window and why, counted as the
 * command's summary counts them), from which the report says why.
 *
 * Defaults, resolved here so that the command's --model and --h overrides
 * carry over: the models are the plan's model plus the seasonal naive (the
 * reference every accuracy table should have), h is 12 or the plan's horizon
 * if shorter.  A window that cannot be fitted is counted, not an error, and
 * why (no data yet at the cutoff, too few values for the model) goes to the
 * stats for the command's summary line.
 */
#include <stdio.h>
#include <string.h>

#include "c_locale.h"
#include "error.h"
#include "plan.h"

typedef struct bt_progress {
    civ_plan_progress_fn fn;
    void *user;
} bt_progress;

static int on_task(size_t done, size_t total, void *user)
{
    const bt_progress *bp = user;
    return bp->fn("backtest", done, total, bp->user);
}

size_t civ_plan_backtest_models(const civ_plan *p, const char **models)
{
    if (p->bt_n_models) {
        for (size_t k = 0; k < p->bt_n_models; k++)
            models[k] = p->bt_models[k];
        return p->bt_n_models;
    }
    char a[128], b[128];
    models[0] = p->model;
    if (!civ_model_display_name(p->model, a, sizeof a) && !civ_model_display_name("snaive", b, sizeof b) &&
        !strcmp(a, b))
        return 1;
    civ_clear_error(); /* an unknown plan model: civ_backtest_panel names it */
    models[1] = "snaive";
    return 2;
}

civ_status civ_plan_stage_backtest(const civ_plan *p, const civ_panel *panel, civ_table **tables,
                                   civ_plan_stats *stats, civ_plan_progress_fn progress, void *progress_user)
{
    const char *models[CIV_PLAN_MAX_BT_MODELS];
    civ_backtest_options bo;
    civ_status s = civ_backtest_options_init(&bo);
    if (s)
        return s;
    bo.n_models = civ_plan_backtest_models(p, models);
    bo.models = models;
    bo.windows = p->bt_windows;
    bo.step = p->bt_step;
    bo.forecast.horizon = p->bt_h ? p->bt_h : p->horizon < 12 ? p->horizon : 12;
    bo.forecast.levels = p->levels;
    bo.forecast.n_levels = p->n_levels;
    bo.forecast.threads = p->threads;
    bo.forecast.seed = p->seed;
    civ_plan_interval_options(p, &bo.forecast); /* the windows' intervals made as the plan's forecasts' */
    bt_progress bp = {progress, progress_user};
    if (progress) {
        bo.forecast.progress = on_task;
        bo.forecast.progress_user = &bp;
    }
    civ_backtest_result *r = NULL;
    s = civ_backtest_panel(panel, &bo, &r);
    if (s && !civ_last_error()->file[0]) { /* an unknown spec: the plan file's to fix */
        civ_error e = *civ_last_error();
        if (civ_snprintf(e.file, sizeof e.file, "%s", p->path) >= (int)sizeof e.file)
            memcpy(e.file + sizeof e.file - 4, "...", 4); /* a message may show a cut path */
        civ_snprintf(e.field, sizeof e.field, "%s", p->bt_n_models ? "backtest.models" : "forecast.model");
        s = civ_error_restore(&e);
    }
    if (!s)
        s = civ_backtest_result_table(r, panel, &tables[CIV_PLAN_BACKTEST]);
    if (!s)
        s = civ_backtest_accuracy_table(r, panel, 0, &tables[CIV_PLAN_BACKTEST_ACCURACY]);
    if (!s) /* each failed window and why, by the rule of the counts below: the report says what the command does */
        s = civ_backtest_failures_table(r, panel, &tables[CIV_PLAN_BACKTEST_FAILURES]);
    civ_backtest_failure_counts fc;
    if (!s)
        s = civ_backtest_result_failure_counts(r, panel, &fc);
    if (!s) {
        stats->has_backtest = 1;
        stats->backtest_no_data = fc.no_data;
        stats->backtest_too_short = fc.too_short;
        stats->backtest_short_min = fc.min_values;
        stats->backtest_short_max = fc.max_values;
        stats->backtest_models = bo.n_models;
        stats->backtest_windows = bo.windows;
        stats->backtest_step = bo.step;
        stats->backtest_horizon = bo.forecast.horizon;
        stats->backtest_failed = civ_backtest_result_n_failed(r);
        stats->backtest_seconds = civ_backtest_result_seconds(r);
    }
    civ_backtest_result_free(r);
    return s;
}
