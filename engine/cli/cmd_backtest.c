/*
 * cmd_backtest.c -- layer CLI (a client of civicast.h only): `civicast
 * backtest IN --model SPEC[,SPEC...] --h N --windows K ...`: rolling-origin
 * evaluation of one or more model specs (civ_backtest_panel), writing the
 * windows' forecasts in statsforecast's cross_validation layout and the
 * accuracy table (civ_backtest_accuracy_table; docs/FORECASTING.md,
 * "Backtesting").  Exit 0, 6 when some windows failed, or the error's code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

#define MAX_LEVELS 16
#define MAX_MODELS 32

enum { B_OUT, B_ACCURACY, B_BY_SERIES, B_MODEL, B_H, B_WINDOWS, B_STEP, B_LEVEL, B_THREADS, B_SEED, B_IC, B_PATHS,
       B_NONNEG, B_QUIET, B_INTERVALS /* +1..+4 --conformal-* */, B_FREQ = B_INTERVALS + 5, B_ENCODING,
       B_THOUSANDS, B_PERCENT, B_SHEET, B_SKIP_ROWS,
       B_COLUMNS /* +1 --time-col, +2 --target-col, +3 --wide-input */,
       B_EXCEL = B_COLUMNS + 4 /* +1 --no-excel, +2 --precision */, B_HIER = B_EXCEL + 3, B_GROUP, B_RECONCILE,
       B_COMMUNITIES, B_COMM_SKIP };
static const civ_cli_option backtest_options[] = {
    [B_OUT] = {"--out", "-o", CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
               "the windows' forecasts: unique_id,cutoff,ds,h,y,model,mean,\nlo-80,hi-80,... (.csv or .h5)"},
    [B_ACCURACY] = {"--accuracy", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
                    "accuracy per model: MAE, RMSE, MAPE, sMAPE, MASE, RMSSE, bias,\n"
                    "coverage, interval score and MSIS per level"},
    [B_BY_SERIES] = {"--by-series", NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL,
                     "the accuracy table per series and model"},
    [B_MODEL] = {"--model", "-m", CIV_CLI_VALUE, CIV_CLI_TEXT, "SPEC[,SPEC]",
                 "model specs to compare, e.g. ets,theta,arima,auto (default auto)"},
    [B_H] = {"--h", "--horizon", CIV_CLI_VALUE, CIV_CLI_SIZE, "N",
             "horizon of each window (default: 2 seasons, or 10 periods)"},
    [B_WINDOWS] = {"--windows", NULL, CIV_CLI_VALUE, CIV_CLI_SIZE, "K", "windows per series (default 3)"},
    [B_STEP] = {"--step", NULL, CIV_CLI_VALUE, CIV_CLI_SIZE, "S", "periods between cutoffs (default 1)"},
    [B_LEVEL] = {"--level", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "L,...",
                 "interval levels in percent (default 80,95; 'none' for none)"},
    [B_THREADS] = {"--threads", "-j", CIV_CLI_VALUE, CIV_CLI_SIZE, "N",
                   "threads over series x windows (default: OMP_NUM_THREADS or all\ncores); results are identical "
                   "for any count"},
    [B_SEED] = {"--seed", NULL, CIV_CLI_VALUE, CIV_CLI_SIZE, "S", "seed of simulated intervals (default 20260101)"},
    [B_IC] = {"--ic", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "C", "aicc (default), aic, bic"},
    [B_PATHS] = {"--paths", NULL, CIV_CLI_VALUE, CIV_CLI_SIZE, "N", "sample paths for simulated intervals"},
    [B_NONNEG] = {"--nonnegative", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "M", "auto (default), on, off"},
    [B_QUIET] = {"--quiet", "-q", CIV_CLI_FLAG, CIV_CLI_NONE, NULL, "no progress bar and no summary"},
    [B_INTERVALS] = CIV_CLI_INTERVAL_OPTIONS,
    [B_FREQ] = CIV_CLI_FREQ_OPTION,
    [B_ENCODING] = CIV_CLI_ENCODING_OPTION,
    [B_THOUSANDS] = CIV_CLI_THOUSANDS_OPTION,
    [B_SKIP_ROWS] = CIV_CLI_SKIP_ROWS_OPTION,
    [B_COLUMNS] = CIV_CLI_COLUMN_OPTIONS,
    [B_EXCEL] = CIV_CLI_CSV_OPTIONS,
    [B_HIER] = {"--hierarchy", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "a,b",
                "nested attribute columns, top first (e.g. district,street):\nbacktest every node, reconciled"},
    [B_GROUP] = {"--group", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "g,...",
                 "crossed grouping columns (e.g. service): a grouped structure"},
    [B_RECONCILE] = {"--reconcile", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "M,...",
                     "methods to compare: base (unreconciled), bu, td, ols,\nwls_struct, wls_var, mint_shrink "
                     "(default base,bu,mint_shrink)"},
    [B_COMMUNITIES] = {"--communities", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
                       "community attributes with unique_id and the hierarchy's\ncolumns (default: the panel's)"},
    [B_COMM_SKIP] = CIV_CLI_INPUT_SKIP_ROWS_OPTION("--communities-skip-rows", "--communities"),
    {NULL, NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL, NULL},
};
static const civ_cli_spec backtest_spec = {
    "backtest",
    "usage: civicast backtest IN --out FILE [--model SPEC[,SPEC...]] [--h N] [--windows K]\n"
    "                         [--step S] [--level 80,95] [--accuracy FILE] [--by-series]\n"
    "                         [--threads N] [--seed S] [--ic C] [--paths N] [--nonnegative M]\n"
    "                         [--intervals model|conformal] [--conformal-windows K]\n"
    "                         [--conformal-step S] [--conformal-sample M|all]\n"
    "                         [--conformal-refit search|fixed]\n"
    "                         [--quiet] [--freq F] [--encoding E] [--thousands C] [--percent]\n"
    "                         [--sheet NAME] [--skip-rows N] [--excel|--no-excel] [--precision P]\n"
    "                         [--id-col NAME] [--time-col NAME] [--target-col NAME] [--wide-input]\n"
    "                         [--hierarchy a,b] [--group g] [--reconcile M,...] [--communities FILE]\n"
    "                         [--communities-skip-rows N]\n",
    "Rolling-origin backtest: for each series of IN, window k = 1..K trains on the\n"
    "series up to K-k steps (of S periods) before its last N values and forecasts N\n"
    "periods ahead with every model; the forecasts are compared with what happened.\n"
    "With --intervals conformal each window's intervals are calibrated as `forecast\n"
    "--intervals conformal` would calibrate them at that cutoff (from earlier values\n"
    "only), so the coverage shows how calibrated intervals do on your own data.\n"
    "Prints the accuracy per model on stderr; docs/FORECASTING.md has the formulas.\n"
    "With --hierarchy (and/or --group) each window forecasts every node of the\n"
    "hierarchy as `forecast --hierarchy` would at that cutoff and reconciles it by\n"
    "each --reconcile method (model column 'AutoETS/mint_shrink'); the windows get a\n"
    "level column and the accuracy is per level and method ('all' first); the base\n"
    "forecasts' intervals are conformal unless --intervals model.\n",
    backtest_options,
    1,
    "unknown option '%s'",
    "%s needs a value",
    "Exit codes: 0 ok, 6 some windows failed (NaN rows), else the error's code.\n",
};

typedef struct backtest_job {
    civ_backtest_options opt;
    double levels[MAX_LEVELS];
    const char *models[MAX_MODELS];
    char *model_store;
    const char *methods[MAX_MODELS];
    char *method_store;
    size_t n_methods;
    civ_csv_write_options csv;
} backtest_job;

/* Sizes: --h, --windows, --step, --threads, --seed, --paths. */
static int size_options(const civ_cli_args *a, backtest_job *j)
{
    civ_forecast_options *fo = &j->opt.forecast;
    const char *v;
    size_t n;
    if ((v = a->value[B_H]) && (civ_cli_parse_size(v, &fo->horizon) || fo->horizon == 0))
        return civ_cli_usage_error("backtest", "--h needs a positive whole number, got '%s'", v);
    if ((v = a->value[B_WINDOWS]) && (civ_cli_parse_size(v, &j->opt.windows) || j->opt.windows == 0))
        return civ_cli_usage_error("backtest", "--windows needs a positive whole number, got '%s'", v);
    if ((v = a->value[B_STEP]) && (civ_cli_parse_size(v, &j->opt.step) || j->opt.step == 0))
        return civ_cli_usage_error("backtest", "--step needs a positive whole number, got '%s'", v);
    if ((v = a->value[B_THREADS])) {
        if (civ_cli_parse_size(v, &n) || n > 4096)
            return civ_cli_usage_error("backtest", "--threads needs a whole number 0..4096, got '%s'", v);
        fo->threads = (int)n;
    }
    if ((v = a->value[B_SEED])) {
        if (civ_cli_parse_size(v, &n))
            return civ_cli_usage_error("backtest", "--seed needs a non-negative whole number, got '%s'", v);
        fo->seed = (uint64_t)n;
    }
    if ((v = a->value[B_PATHS]) && (civ_cli_parse_size(v, &fo->n_paths) || fo->n_paths == 0))
        return civ_cli_usage_error("backtest", "--paths needs a positive whole number, got '%s'", v);
    return 0;
}

/* Choices and lists: --level, --ic, --nonnegative, --model. */
static int choice_options(const civ_cli_args *a, backtest_job *j)
{
    civ_forecast_options *fo = &j->opt.forecast;
    const char *v;
    if ((v = a->value[B_LEVEL]) && civ_cli_parse_levels(v, j->levels, MAX_LEVELS, &fo->n_levels))
        return civ_cli_usage_error("backtest", "--level needs numbers like 80,95 (or 'none'), got '%s'", v);
    if ((v = a->value[B_IC]) && civ_cli_parse_ic(v, &fo->criterion))
        return civ_cli_usage_error("backtest", "--ic is aicc, aic or bic, got '%s'", v);
    if ((v = a->value[B_NONNEG]) && civ_cli_parse_nonnegative(v, &fo->nonnegative))
        return civ_cli_usage_error("backtest", "--nonnegative is auto, on or off, got '%s'", v);
    int code = civ_cli_interval_options("backtest", a, B_INTERVALS, fo);
    if (code)
        return code;
    v = a->value[B_MODEL] ? a->value[B_MODEL] : "auto";
    j->model_store = civ_cli_split_models(v, j->models, MAX_MODELS, &j->opt.n_models);
    if (!j->model_store)
        return civ_cli_usage_error("backtest", "--model needs specs like ets or ets,theta,arima (at most %d), got '%s'",
                                   MAX_MODELS, v);
    j->opt.models = j->models;
    return 0;
}

/* --hierarchy, --group, --reconcile, --communities: their usage. */
static int hier_settings(const civ_cli_args *a, backtest_job *j)
{
    int hier = a->value[B_HIER] || a->value[B_GROUP];
    if (!hier && (a->value[B_RECONCILE] || a->value[B_COMMUNITIES]))
        return civ_cli_usage_error("backtest", "--reconcile and --communities need --hierarchy or --group");
    if (!hier)
        return 0;
    if (j->opt.n_models > 1)
        return civ_cli_usage_error("backtest", "--hierarchy and --group backtest one model (every node forecast "
                                   "with it); compare methods with --reconcile, models in separate runs");
    const char *v = a->value[B_RECONCILE] ? a->value[B_RECONCILE] : "base,bu,mint_shrink";
    j->method_store = civ_cli_split_models(v, j->methods, MAX_MODELS, &j->n_methods);
    if (!j->method_store)
        return civ_cli_usage_error("backtest", "--reconcile needs methods like base,bu,mint_shrink, got '%s'", v);
    return 0;
}

static int backtest_settings(const civ_cli_args *a, backtest_job *j)
{
    civ_backtest_options_init(&j->opt);
    j->levels[0] = 80.0, j->levels[1] = 95.0;
    j->opt.forecast.levels = j->levels;
    j->opt.forecast.n_levels = 2;
    int code = size_options(a, j);
    if (!code)
        code = choice_options(a, j);
    if (!code)
        code = civ_cli_csv_options("backtest", a, B_EXCEL, &j->csv);
    if (code)
        return code;
    if (a->n_positional != 1)
        return civ_cli_usage_error("backtest", a->n_positional ? "more than one input file" : "missing the input file");
    if (!a->value[B_OUT])
        return civ_cli_usage_error("backtest", "missing --out FILE");
    int code2 = hier_settings(a, j);
    if (code2)
        return code2;
    if (a->value[B_BY_SERIES] && !a->value[B_ACCURACY]) /* it was ignored without a word */
        return civ_cli_usage_error("backtest", "--by-series shapes the accuracy table: give it a file, "
                                   "--accuracy FILE --by-series");
    return 0;
}

typedef struct bar {
    int drawn;
} bar;

static int draw_bar(size_t done, size_t total, void *user)
{
    bar *b = user;
    int width = 30, fill = total ? (int)((double)done / (double)total * width) : width;
    char line[64];
    for (int k = 0; k < width; k++)
        line[k] = k < fill ? '#' : '.';
    line[width] = '\0';
    fprintf(stderr, "\r[%s] %3d%% %zu/%zu windows", line, total ? (int)(100.0 * (double)done / (double)total) : 100,
            done, total);
    fflush(stderr);
    b->drawn = 1;
    return 0; /* go on: Ctrl-C ends the command (signals.c) */
}

/* The first failed windows on stderr. */
static void print_failures(const civ_backtest_result *r, const civ_panel *panel)
{
    civ_table *f = NULL;
    if (civ_backtest_failures_table(r, panel, &f))
        return;
    size_t rows = civ_table_n_rows(f);
    for (size_t row = 0; row < rows && row < 5; row++) {
        char id[512], msg[1024];
        fprintf(stderr, "  %s %s (cutoff %s): %s\n", civ_cli_safe(civ_table_text(f, row, 0), id, sizeof id),
                civ_table_text(f, row, 1), civ_table_text(f, row, 2),
                civ_cli_safe(civ_table_text(f, row, 4), msg, sizeof msg));
    }
    if (rows > 5)
        fprintf(stderr, "  ... and %zu more\n", rows - 5);
    civ_table_free(f);
}

/* The accuracy per model on stderr: MASE, sMAPE, coverage. */
static void print_summary(const civ_table *acc, const civ_backtest_result *r, const civ_panel *panel)
{
    size_t cm, cmase, csmape, cfail;
    civ_backtest_failure_counts fc;
    char why[640];
    size_t clevel;
    int by_level = civ_table_find_column(acc, "level", &clevel) == CIV_OK;
    civ_clear_error();
    if (by_level && civ_backtest_result_n_failed(r))
        fprintf(stderr, "backtest: %.2f s; %zu windows (method x node x window) failed: a series with no value or "
                        "too few at a cutoff fails there and counts as 0 in the aggregates; an aggregate that cannot "
                        "be forecast fails its window for every node; they keep their rows with empty values and are "
                        "left out of the accuracy\n", civ_backtest_result_seconds(r), civ_backtest_result_n_failed(r));
    else if (!civ_backtest_result_failure_counts(r, panel, &fc) &&
        civ_cli_backtest_failures(&fc, "windows", "series", why, sizeof why))
        fprintf(stderr, "backtest: %.2f s; %s; they keep their rows with empty values and are left out of the "
                        "accuracy\n", civ_backtest_result_seconds(r), why);
    else
        fprintf(stderr, "backtest: %zu windows failed, %.2f s\n", civ_backtest_result_n_failed(r),
                civ_backtest_result_seconds(r));
    if (civ_backtest_result_n_uncalibrated(r))
        fprintf(stderr,
                "conformal: %zu %s kept the model's intervals at some steps: too few backtest scores before "
                "their cutoffs (docs/FORECASTING.md, \"Conformal intervals\")\n",
                civ_backtest_result_n_uncalibrated(r), by_level ? "node windows' base forecasts" : "windows");
    print_failures(r, panel);
    if (civ_table_find_column(acc, "model", &cm) || civ_table_find_column(acc, "MASE", &cmase) ||
        civ_table_find_column(acc, "sMAPE", &csmape) || civ_table_find_column(acc, "failed", &cfail))
        return;
    size_t cols = civ_table_n_columns(acc);
    for (size_t row = 0; row < civ_table_n_rows(acc); row++) {
        char name[128];
        if (by_level)
            fprintf(stderr, "  %-16s", civ_cli_safe(civ_table_text(acc, row, clevel), name, sizeof name));
        fprintf(stderr, "  %-24s MASE %.3f  sMAPE %.2f", civ_cli_safe(civ_table_text(acc, row, cm), name, sizeof name),
                civ_table_number(acc, row, cmase), civ_table_number(acc, row, csmape));
        for (size_t c = 0; c < cols; c++) {
            const char *cn = civ_table_column_name(acc, c);
            if (!strncmp(cn, "coverage-", 9))
                fprintf(stderr, "  %s %.1f%%", cn, civ_table_number(acc, row, c));
        }
        fprintf(stderr, "\n");
    }
}

/* The tables of a hierarchy's backtest: windows (with level), accuracy per level (or per node). */
static civ_status hier_tables(const civ_backtest_result *r, const civ_hier *h, const civ_panel *panel,
                              const civ_cli_args *a, civ_table **cv, civ_table **acc, civ_table **acc_series)
{
    civ_status s = civ_hier_backtest_table(r, h, panel, cv);
    if (!s)
        s = civ_hier_backtest_accuracy_table(r, h, panel, acc);
    if (!s && a->value[B_ACCURACY] && a->value[B_BY_SERIES])
        s = civ_hier_backtest_node_accuracy_table(r, h, panel, acc_series); /* level first, as --out's */
    return s;
}

/* --hierarchy / --group: every node backtested and reconciled by each method (civ_hier_backtest). */
static civ_status hier_backtest(backtest_job *j, const civ_cli_args *a, const civ_panel *panel, civ_hier **h,
                                civ_panel **nodes, civ_backtest_result **r)
{
    civ_hier_backtest_options ho;
    civ_hier_backtest_options_init(&ho);
    ho.hier.forecast = j->opt.forecast;
    ho.hier.forecast.model = j->models[0];
    ho.hier.nonnegative = j->opt.forecast.nonnegative;
    ho.hier.n_paths = j->opt.forecast.n_paths;
    ho.methods = j->methods;
    ho.n_methods = j->n_methods;
    ho.windows = j->opt.windows;
    ho.step = j->opt.step;
    civ_status s = civ_cli_hier_build(panel, a->value[B_HIER], a->value[B_GROUP], a->value[B_COMMUNITIES], h);
    if (!s && !a->value[B_QUIET])
        civ_cli_hier_warn_gaps(*h, panel); /* missing months of a few series blank the totals */
    if (!s)
        s = civ_hier_backtest(*h, panel, &ho, r);
    if (!s)
        s = civ_hier_aggregate(*h, panel, nodes); /* the result's series: for the failures' summary */
    return s;
}

static int run_job(backtest_job *j, const civ_cli_args *a)
{
    int quiet = a->value[B_QUIET] != NULL;
    bar progress = {0};
    if (!quiet && isatty(STDERR_FILENO)) {
        j->opt.forecast.progress = draw_bar;
        j->opt.forecast.progress_user = &progress;
    }
    civ_panel *panel = NULL;
    civ_backtest_result *r = NULL;
    civ_table *cv = NULL, *acc = NULL, *acc_series = NULL;
    civ_hier *h = NULL;
    civ_panel *nodes = NULL;
    int hier = a->value[B_HIER] || a->value[B_GROUP];
    civ_status s = civ_cli_read_panel(a->positional[0], &panel);
    if (!s)
        s = hier ? hier_backtest(j, a, panel, &h, &nodes, &r) : civ_backtest_panel(panel, &j->opt, &r);
    if (progress.drawn)
        fputs("\r\033[K", stderr);
    if (!s && hier)
        s = hier_tables(r, h, panel, a, &cv, &acc, &acc_series);
    if (!s && !hier)
        s = civ_backtest_result_table(r, panel, &cv);
    if (!s && !hier)
        s = civ_backtest_accuracy_table(r, panel, 0, &acc);
    if (!s && !hier && a->value[B_ACCURACY] && a->value[B_BY_SERIES])
        s = civ_backtest_accuracy_table(r, panel, 1, &acc_series);
    if (!s)
        s = civ_table_write_opts(cv, a->value[B_OUT], &j->csv);
    if (!s && a->value[B_ACCURACY])
        s = civ_table_write_opts(acc_series ? acc_series : acc, a->value[B_ACCURACY], &j->csv);
    int code = s ? civ_cli_report(s) : CIV_EXIT_OK;
    if (!s && !quiet)
        print_summary(acc, r, hier ? nodes : panel);
    if (!code && civ_backtest_result_n_failed(r))
        code = CIV_EXIT_PARTIAL;
    civ_table_free(cv);
    civ_table_free(acc);
    civ_table_free(acc_series);
    civ_backtest_result_free(r);
    civ_panel_free(nodes);
    civ_hier_free(h);
    civ_panel_free(panel);
    return code;
}

static int run_backtest(int argc, char **argv)
{
    civ_cli_args a;
    int code = civ_cli_parse(&backtest_spec, argc, argv, &a);
    if (code)
        return code;
    if ((code = civ_cli_set_input("backtest", a.value[B_FREQ], a.value[B_ENCODING], a.value[B_THOUSANDS],
                                 a.value[B_PERCENT], a.value[B_SHEET], a.value[B_SKIP_ROWS])) ||
        (code = civ_cli_set_columns("backtest", a.value[B_COLUMNS], a.value[B_COLUMNS + 1], a.value[B_COLUMNS + 2],
                                        a.value[B_COLUMNS + 3] != NULL, 1))) {
        civ_cli_args_free(&a);
        return code;
    }
    backtest_job j = {0};
    if (!(code = backtest_settings(&a, &j)))
        code = run_job(&j, &a);
    free(j.model_store);
    free(j.method_store);
    civ_cli_args_free(&a);
    return code;
}

const civ_cli_command civ_cmd_backtest = {
    "backtest",
    "compare models on rolling-origin windows: forecasts and accuracy",
    &backtest_spec,
    run_backtest,
};
