/*
 * cmd_forecast.c -- layer CLI (a client of civicast.h only): `civicast
 * forecast IN --out FILE ...`: fits a model spec to every series of a panel
 * in parallel and writes long-format forecasts, plus an optional per-series
 * report and fitted values (docs/FORECASTING.md).
 *
 * The command is a thin shell over civ_forecast_panel_write: it parses
 * options, draws a progress bar on stderr when stderr is a terminal, lets the
 * library forecast and write the files in chunks of series (CSV or HDF5 by
 * extension; memory holds one chunk; several outputs staged and published
 * together, output_set.c) and ends with a one-line summary.  Exit 0, 6 when some series failed (their status is in the
 * report), or the code of the error that stopped it.
 *
 * With several models (--model ets,theta) or --wide it forecasts the whole
 * panel once per model and writes one table (civ_forecast_multi_table);
 * --intervals conformal is calibrated over the whole panel, so the library
 * runs it whole inside civ_forecast_panel_write (--chunk has no effect).
 *
 * With --hierarchy (and/or --group) it forecasts every node of the hierarchy
 * the community attributes define and reconciles them (civ_hier_build,
 * civ_hier_forecast; docs/FORECASTING.md "Hierarchies and reconciliation").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

#define MAX_LEVELS 16
#define MAX_XREG 64
#define MAX_MODELS 32

enum { F_OUT, F_H, F_MODEL, F_LEVEL, F_THREADS, F_SEED, F_IC, F_XREG, F_PATHS, F_NONNEG, F_REPORT, F_FITTED,
       F_QUIET, F_LIST, F_CHUNK, F_INTERVALS, F_CWINDOWS, F_CSTEP, F_CSAMPLE, F_CREFIT, F_WIDE, F_HIER, F_GROUP,
       F_RECONCILE, F_COMMUNITIES,
       F_FREQ, F_ENCODING, F_THOUSANDS, F_PERCENT, F_SHEET, F_SKIP_ROWS,
       F_COLUMNS /* +1 --time-col, +2 --target-col, +3 --wide-input */,
       F_INTEGER = F_COLUMNS + 4,
       F_EXCEL /* F_EXCEL, +1 --no-excel, +2 --precision: CIV_CLI_CSV_OPTIONS */,
       F_COMM_SKIP = F_EXCEL + 3 };
static const civ_cli_option forecast_options[] = {
    [F_OUT] = {"--out", "-o", CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
               "forecasts: unique_id,ds,h,model,mean,lo-80,hi-80,lo-95,hi-95\n(.csv, or .h5/.hdf5 for HDF5)"},
    [F_H] = {"--h", "--horizon", CIV_CLI_VALUE, CIV_CLI_SIZE, "N",
             "horizon (default: 2 seasons, or 10 periods for yearly data)"},
    [F_MODEL] = {"--model", "-m", CIV_CLI_VALUE, CIV_CLI_TEXT, "SPEC",
                 "auto (default), ets, ETS(A,Ad,M), theta, dotm, mean, naive,\nsnaive, rwf, ... "
                 "(--list-models shows every accepted spec);\nseveral: ets,theta,arima,auto (a model column names each)"},
    [F_LEVEL] = {"--level", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "L,...",
                 "interval levels in percent (default 80,95; 'none' for none)"},
    [F_THREADS] = {"--threads", "-j", CIV_CLI_VALUE, CIV_CLI_SIZE, "N",
                   "threads over series (default: OMP_NUM_THREADS or all cores)"},
    [F_SEED] = {"--seed", NULL, CIV_CLI_VALUE, CIV_CLI_SIZE, "S",
                "seed of simulated intervals (default 20260101); results are\nidentical for any thread count"},
    [F_IC] = {"--ic", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "C",
              "selection criterion for automatic models: aicc (default), aic, bic"},
    [F_XREG] = {"--xreg", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "a,b",
                "covariates passed to models that use them; each needs future\nvalues over the horizon"},
    [F_PATHS] = {"--paths", NULL, CIV_CLI_VALUE, CIV_CLI_SIZE, "N",
                 "sample paths for simulated intervals (default 5000)"},
    [F_NONNEG] = {"--nonnegative", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "M",
                  "auto (default: for series with no negative value), on, off:\n"
                  "forecasts and bounds are max(0, value) when on"},
    [F_REPORT] = {"--report", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
                  "one row per series: model, status, message, loglik, aic,\n"
                  "aicc, bic, sigma2, parameters, initial states"},
    [F_FITTED] = {"--fitted", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
                  "in-sample one-step fitted values and residuals"},
    [F_QUIET] = {"--quiet", "-q", CIV_CLI_FLAG, CIV_CLI_NONE, NULL, "no progress bar and no summary line"},
    [F_LIST] = {"--list-models", NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL, "list the model families and their specs"},
    [F_CHUNK] = {"--chunk", NULL, CIV_CLI_VALUE, CIV_CLI_SIZE, "N",
                 "series forecast and written per chunk (default 4096): memory\n"
                 "holds one chunk's results; outputs are the same for any N"},
    [F_INTERVALS] = CIV_CLI_INTERVAL_OPTIONS, /* F_CWINDOWS, F_CSTEP, F_CSAMPLE, F_CREFIT follow */
    [F_WIDE] = {"--wide", NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL,
                "statsforecast's wide layout: unique_id,ds,AutoETS,AutoETS-lo-95,..."},
    [F_HIER] = {"--hierarchy", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "a,b",
                "nested attribute columns, top first (e.g. district,street):\nforecast and reconcile every node"},
    [F_GROUP] = {"--group", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "g,...",
                 "crossed grouping columns (e.g. service): a grouped structure"},
    [F_RECONCILE] = {"--reconcile", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "M",
                     "mint_shrink (default), ols, wls_struct, wls_var, bu, td"},
    [F_COMMUNITIES] = {"--communities", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
                       "community attributes with unique_id and the hierarchy's\ncolumns (default: the panel's)"},
    [F_FREQ] = CIV_CLI_FREQ_OPTION,
    [F_ENCODING] = CIV_CLI_ENCODING_OPTION,
    [F_THOUSANDS] = CIV_CLI_THOUSANDS_OPTION,
    [F_SKIP_ROWS] = CIV_CLI_SKIP_ROWS_OPTION,
    [F_COLUMNS] = CIV_CLI_COLUMN_OPTIONS,
    [F_INTEGER] = {"--integer", NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL,
                   "whole-number interval bounds for non-negative series (lower\n"
                   "rounded down, upper up), e.g. for counts of meals or visits"},
    [F_EXCEL] = CIV_CLI_CSV_OPTIONS,
    [F_COMM_SKIP] = CIV_CLI_INPUT_SKIP_ROWS_OPTION("--communities-skip-rows", "--communities"),
    {NULL, NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL, NULL},
};
static const civ_cli_spec forecast_spec = {
    "forecast",
    "usage: civicast forecast IN --out FILE [--h N] [--model SPEC[,SPEC...]] [--level 80,95]\n"
    "                         [--threads N] [--seed S] [--ic aicc|aic|bic] [--xreg a,b]\n"
    "                         [--paths N] [--nonnegative auto|on|off] [--chunk N] [--integer]\n"
    "                         [--intervals model|conformal] [--conformal-windows K]\n"
    "                         [--conformal-step S] [--conformal-sample M|all]\n"
    "                         [--conformal-refit search|fixed] [--wide]\n"
    "                         [--report FILE] [--fitted FILE] [--quiet] [--freq F] [--encoding E]\n"
    "                         [--thousands C] [--percent] [--sheet NAME] [--skip-rows N]\n"
    "                         [--id-col NAME] [--time-col NAME] [--target-col NAME] [--wide-input]\n"
    "                         [--excel|--no-excel] [--precision P]\n"
    "                         [--hierarchy a,b] [--group g] [--reconcile M] [--communities FILE]\n"
    "                         [--communities-skip-rows N]\n"
    "       civicast forecast --list-models\n",
    "Fits one model spec to every series of the panel IN (.csv long format\n"
    "unique_id,ds,y[,covariates] or .h5) and forecasts N periods ahead.  CSV outputs\n"
    "are exact by default (--precision full), as `allocate` and `need` should read them.\n",
    forecast_options,
    1,
    "unknown option '%s'",
    "%s needs a value",
    "Exit codes: 0 ok, 6 some series failed (see the report), else the error's code.\n",
};

static int list_models(void)
{
    printf("model families (a spec is tried against each in this order):\n");
    for (size_t i = 0; i < civ_model_family_count(); i++)
        printf("  %-8s %s\n           specs: %s\n", civ_model_family_name(i), civ_model_family_summary(i),
               civ_model_family_specs(i));
    return CIV_EXIT_OK;
}
/* ---- progress bar ------------------------------------------------------------- */

typedef struct bar {
    int drawn;
} bar;

static int draw_bar(size_t done, size_t total, void *user)
{
    bar *b = user;
    int width = 30;
    int fill = total ? (int)((double)done / (double)total * width) : width;
    char line[64];
    for (int k = 0; k < width; k++)
        line[k] = k < fill ? '#' : '.';
    line[width] = '\0';
    fprintf(stderr, "\r[%s] %3d%% %zu/%zu series", line, total ? (int)(100.0 * (double)done / (double)total) : 100,
            done, total);
    fflush(stderr);
    b->drawn = 1;
    return 0; /* go on: Ctrl-C ends the command (signals.c) */
}

/* "1234567" -> "1,234,567" */
static void with_commas(size_t v, char *buf, size_t size)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%zu", v);
    size_t len = strlen(digits), o = 0;
    for (size_t k = 0; k < len && o + 2 < size; k++) {
        if (k && (len - k) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[k];
    }
    buf[o] = '\0';
}

/* Prints "models: ETS(A,N,N) 512, ETS(A,Ad,N) 300, ..." (most used first). */
static void print_model_counts(const civ_forecast_write_stats *st)
{
    if (!st->n_models_listed)
        return;
    fprintf(stderr, "models:");
    for (size_t k = 0; k < st->n_models_listed; k++) {
        char name[300];
        fprintf(stderr, "%s %s %zu", k ? "," : "", civ_cli_safe(st->models[k], name, sizeof name),
                st->model_counts[k]);
    }
    size_t others = st->n_models - st->n_models_listed;
    if (others)
        fprintf(stderr, ", %zu other model%s %zu", others, others > 1 ? "s" : "", st->other_count);
    fprintf(stderr, "\n");
}

/* Prints "demand: smooth 900, erratic 40, intermittent 52, lumpy 6, none 2"
 * (the Syntetos-Boylan classes; `auto` gives the last three to TSB). */
static void print_demand_counts(const civ_forecast_write_stats *st)
{
    const size_t *counts = st->demand_counts;
    static const civ_demand_class order[] = {CIV_DEMAND_SMOOTH, CIV_DEMAND_ERRATIC, CIV_DEMAND_INTERMITTENT,
                                             CIV_DEMAND_LUMPY, CIV_DEMAND_NONE};
    const char *sep = "demand:";
    for (size_t k = 0; k < 5; k++) {
        if (!counts[order[k]])
            continue;
        fprintf(stderr, "%s %s %zu", sep, civ_demand_class_name(order[k]), counts[order[k]]);
        sep = ",";
    }
    if (counts[CIV_DEMAND_UNDEFINED])
        fprintf(stderr, "%s unclassified (a negative value, or none observed) %zu", sep, counts[CIV_DEMAND_UNDEFINED]);
    if (strcmp(sep, "demand:") != 0 || counts[CIV_DEMAND_UNDEFINED])
        fprintf(stderr, " (Syntetos-Boylan; auto: intermittent, lumpy and none by TSB)\n");
}

/* ---- option parsing -------------------------------------------------------------- */

static char *split_names(const char *text, const char **names, size_t *n)
{
    char *copy = strdup(text);
    *n = 0;
    if (!copy)
        return NULL;
    for (char *tok = strtok(copy, ","); tok && *n < MAX_XREG; tok = strtok(NULL, ","))
        names[(*n)++] = tok;
    return copy;
}

/* Forecasts and writes the outputs (--out, --report, --fitted) in chunks of
 * series; several outputs are staged and published together (output_set.c),
 * so an error or a signal in the middle leaves the previous set whole. */
static civ_status write_outputs(const civ_panel *panel, const civ_forecast_options *opt, const char *const paths[3],
                                const civ_csv_write_options *csv, size_t chunk, civ_forecast_write_stats *st)
{
    civ_cli_outputs o;
    civ_status s = civ_cli_outputs_begin(&o, paths, 3);
    if (!s) {
        civ_forecast_outputs out = {.forecasts = civ_cli_outputs_path(&o, paths[0]),
                                    .report = civ_cli_outputs_path(&o, paths[1]),
                                    .fitted = civ_cli_outputs_path(&o, paths[2]),
                                    .csv = csv,
                                    .chunk_series = chunk};
        s = civ_forecast_panel_write(panel, opt, &out, st);
    }
    if (!s)
        s = civ_cli_outputs_commit(&o);
    civ_cli_outputs_end(&o);
    return s;
}

/* The settings of one run: options, levels and covariate names. */
typedef struct forecast_job {
    civ_forecast_options opt;
    double levels[MAX_LEVELS];
    const char *xreg[MAX_XREG];
    char *xreg_store;
    const char *models[MAX_MODELS]; /* --model ets,theta,... */
    size_t n_models;
    char *model_store;
    civ_csv_write_options csv; /* --excel, --precision */
    size_t chunk;              /* --chunk, 0 = the library's default */
} forecast_job;

/* The enumerated options (--ic, --nonnegative); 0 or the usage exit code. */
static int choice_options(const civ_cli_args *a, civ_forecast_options *opt)
{
    const char *v;
    if ((v = a->value[F_IC]) && civ_cli_parse_ic(v, &opt->criterion))
        return civ_cli_usage_error("forecast", "--ic is aicc, aic or bic, got '%s'", v);
    if ((v = a->value[F_NONNEG]) && civ_cli_parse_nonnegative(v, &opt->nonnegative))
        return civ_cli_usage_error("forecast", "--nonnegative is auto, on or off, got '%s'", v);
    return 0;
}

/* The numeric options; 0 or the usage exit code. */
static int number_options(const civ_cli_args *a, forecast_job *j)
{
    civ_forecast_options *opt = &j->opt;
    const char *v;
    size_t n;
    if ((v = a->value[F_H]) && (civ_cli_parse_size(v, &opt->horizon) || opt->horizon == 0))
        return civ_cli_usage_error("forecast", "--h needs a positive whole number, got '%s'", v);
    if ((v = a->value[F_LEVEL]) && civ_cli_parse_levels(v, j->levels, MAX_LEVELS, &opt->n_levels))
        return civ_cli_usage_error("forecast", "--level needs numbers like 80,95 (or 'none'), got '%s'", v);
    if ((v = a->value[F_THREADS])) {
        if (civ_cli_parse_size(v, &n) || n > 4096)
            return civ_cli_usage_error("forecast", "--threads needs a whole number 0..4096, got '%s'", v);
        opt->threads = (int)n;
    }
    if ((v = a->value[F_SEED])) {
        if (civ_cli_parse_size(v, &n))
            return civ_cli_usage_error("forecast", "--seed needs a non-negative whole number, got '%s'", v);
        opt->seed = (uint64_t)n;
    }
    int code = civ_cli_interval_options("forecast", a, F_INTERVALS, opt);
    if (code)
        return code;
    if ((v = a->value[F_PATHS]) && (civ_cli_parse_size(v, &opt->n_paths) || opt->n_paths == 0))
        return civ_cli_usage_error("forecast", "--paths needs a positive whole number, got '%s'", v);
    if ((v = a->value[F_CHUNK]) && (civ_cli_parse_size(v, &j->chunk) || j->chunk == 0))
        return civ_cli_usage_error("forecast", "--chunk needs a positive whole number, got '%s'", v);
    return 0;
}

/* The command line into a job; 0 or the usage exit code. */
static int forecast_settings(const civ_cli_args *a, forecast_job *j)
{
    civ_forecast_options_init(&j->opt);
    j->levels[0] = 80.0, j->levels[1] = 95.0;
    j->opt.levels = j->levels;
    j->opt.n_levels = 2;
    if (a->value[F_MODEL])
        j->opt.model = a->value[F_MODEL];
    j->model_store = civ_cli_split_models(j->opt.model, j->models, MAX_MODELS, &j->n_models);
    if (!j->model_store)
        return civ_cli_usage_error("forecast", "--model needs specs like ets or ets,theta,arima (at most %d), got '%s'",
                                   MAX_MODELS, j->opt.model);
    if (j->n_models > 1 && (a->value[F_REPORT] || a->value[F_FITTED]))
        return civ_cli_usage_error("forecast", "--report and --fitted take one model; run them per model");
    if ((j->n_models > 1 || a->value[F_WIDE]) && a->value[F_CHUNK])
        return civ_cli_usage_error("forecast", "--chunk takes one model and the long layout (several models and "
                                   "--wide are forecast whole)");
    if ((j->n_models > 1 || a->value[F_WIDE]) && (a->value[F_HIER] || a->value[F_GROUP]))
        return civ_cli_usage_error("forecast", "--hierarchy and --group take one model and the long layout");
    int code = number_options(a, j);
    if (!code)
        code = choice_options(a, &j->opt);
    if (!code)
        code = civ_cli_csv_options("forecast", a, F_EXCEL, &j->csv);
    if (code)
        return code;
    if (a->n_positional > 1)
        return civ_cli_usage_error("forecast", "more than one input file ('%s' and '%s')", a->positional[0],
                                   a->positional[1]);
    if (!a->n_positional)
        return civ_cli_usage_error("forecast", "missing the input file");
    if (!a->value[F_OUT])
        return civ_cli_usage_error("forecast", "missing --out FILE");
    j->opt.want_fitted = a->value[F_FITTED] != NULL;
    j->opt.integer_bounds = a->value[F_INTEGER] != NULL;
    if ((a->value[F_HIER] || a->value[F_GROUP]) && (a->value[F_REPORT] || a->value[F_FITTED] || a->value[F_XREG]))
        return civ_cli_usage_error("forecast", "--report, --fitted and --xreg are not available with --hierarchy "
                                   "or --group");
    if (!a->value[F_HIER] && !a->value[F_GROUP] && (a->value[F_RECONCILE] || a->value[F_COMMUNITIES]))
        return civ_cli_usage_error("forecast", "--reconcile and --communities need --hierarchy or --group");
    if (a->value[F_XREG]) {
        j->xreg_store = split_names(a->value[F_XREG], j->xreg, &j->opt.n_xreg);
        if (!j->xreg_store || j->opt.n_xreg == 0)
            return civ_cli_usage_error("forecast", "--xreg needs covariate names like aged60,migrants");
        j->opt.xreg = j->xreg;
    }
    return 0;
}

/* The summary on stderr: counts, the first failures when there is no
 * report, and the models used. */
static void print_forecast_summary(const civ_forecast_write_stats *st, int has_report)
{
    size_t n = st->n_series, failed = st->n_failed;
    char ns[32], oks[32];
    with_commas(n, ns, sizeof ns);
    with_commas(n - failed, oks, sizeof oks);
    if (failed) {
        char fs[32];
        with_commas(failed, fs, sizeof fs);
        fprintf(stderr, "forecast %s series in %.2f s: %s ok, %s failed (%s)\n", ns, st->seconds, oks, fs,
                has_report ? "see report" : "use --report for details");
        if (!has_report) {
            for (size_t k = 0; k < st->n_failures; k++) {
                char id[512], msg[1024];
                fprintf(stderr, "  %s: %s\n", civ_cli_safe(st->failed_ids[k], id, sizeof id),
                        civ_cli_safe(st->failed_messages[k], msg, sizeof msg));
            }
            if (failed > st->n_failures)
                fprintf(stderr, "  ... and %zu more\n", failed - st->n_failures);
        }
    } else {
        fprintf(stderr, "forecast %s series in %.2f s: %s ok\n", ns, st->seconds, oks);
    }
    print_model_counts(st);
    print_demand_counts(st);
    if (st->n_uncalibrated)
        fprintf(stderr,
                "conformal: %zu series kept the model's intervals at some steps: too few backtest scores there (the "
                "series are short for the calibration windows; --report lists them: uncalibrated > 0; "
                "docs/FORECASTING.md, \"Conformal intervals\")\n",
                st->n_uncalibrated);
}

/* Copies text into a fixed field, cut with "..." when it does not fit. */
static void copy_cut(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n < size) {
        memcpy(dst, src, n + 1);
        return;
    }
    memcpy(dst, src, size - 4);
    memcpy(dst + size - 4, "...", 4);
}

/* The summary counts of a whole result (several models, --wide), as
 * civ_forecast_panel_write gives them for the single-model path. */
static void result_stats(const civ_forecast_result *r, const civ_panel *panel, civ_forecast_write_stats *st)
{
    memset(st, 0, sizeof *st);
    size_t n = civ_forecast_result_n_series(r);
    st->n_series = n;
    st->n_failed = civ_forecast_result_n_failed(r);
    st->n_uncalibrated = civ_forecast_result_n_uncalibrated(r);
    st->seconds = civ_forecast_result_seconds(r);
    const char **names = calloc(n ? n : 1, sizeof *names);
    size_t *counts = calloc(n ? n : 1, sizeof *counts), kinds = 0;
    for (size_t i = 0; i < n; i++) {
        civ_demand_class cls;
        if (civ_forecast_result_demand(r, i, NULL, NULL, &cls) == CIV_OK && (unsigned)cls < 6)
            st->demand_counts[cls]++;
        if (civ_forecast_result_status(r, i) != CIV_OK) {
            if (st->n_failures < CIV_FORECAST_STATS_FAILURES) {
                copy_cut(st->failed_ids[st->n_failures], sizeof st->failed_ids[0], civ_panel_series_id(panel, i));
                copy_cut(st->failed_messages[st->n_failures], sizeof st->failed_messages[0],
                         civ_forecast_result_message(r, i));
                st->n_failures++;
            }
            continue;
        }
        const char *m = civ_forecast_result_model(r, i);
        if (!names || !counts || !m[0])
            continue;
        size_t k = 0;
        while (k < kinds && strcmp(names[k], m))
            k++;
        if (k == kinds)
            names[kinds++] = m;
        counts[k]++;
    }
    st->n_models = kinds;
    size_t listed = 0;
    while (st->n_models_listed < CIV_FORECAST_STATS_MODELS && st->n_models_listed < kinds) {
        size_t best = SIZE_MAX;
        for (size_t k = 0; k < kinds; k++)
            if (counts[k] != SIZE_MAX && (best == SIZE_MAX || counts[k] > counts[best] ||
                                          (counts[k] == counts[best] && strcmp(names[k], names[best]) < 0)))
                best = k;
        copy_cut(st->models[st->n_models_listed], sizeof st->models[0], names[best]);
        st->model_counts[st->n_models_listed++] = counts[best];
        listed += counts[best];
        counts[best] = SIZE_MAX;
    }
    st->other_count = n - st->n_failed - listed;
    free(names);
    free(counts);
}

/* Several models (or --wide): one batch per spec, one table
 * (civ_forecast_multi_table), a summary line per model. */
static int run_multi(forecast_job *j, const civ_cli_args *a, const civ_panel *panel)
{
    int quiet = a->value[F_QUIET] != NULL, code = CIV_EXIT_OK;
    civ_forecast_result *res[MAX_MODELS] = {0};
    civ_status s = CIV_OK;
    size_t failed = 0;
    for (size_t k = 0; k < j->n_models && !s; k++) {
        j->opt.model = j->models[k];
        bar progress = {0};
        if (!quiet && isatty(STDERR_FILENO)) {
            j->opt.progress = draw_bar;
            j->opt.progress_user = &progress;
        }
        s = civ_forecast_panel(panel, &j->opt, &res[k]);
        if (progress.drawn)
            fputs("\r\033[K", stderr);
        if (!s) {
            failed += civ_forecast_result_n_failed(res[k]);
            if (!quiet) {
                civ_forecast_write_stats st;
                result_stats(res[k], panel, &st);
                fprintf(stderr, "%s: ", j->models[k]);
                print_forecast_summary(&st, 0);
            }
        }
    }
    civ_table *t = NULL;
    if (!s)
        s = civ_forecast_multi_table((const civ_forecast_result *const *)res, j->models, j->n_models, panel,
                                     a->value[F_WIDE] != NULL, &t);
    if (!s)
        s = civ_table_write_opts(t, a->value[F_OUT], &j->csv);
    civ_table_free(t);
    for (size_t k = 0; k < j->n_models; k++)
        civ_forecast_result_free(res[k]);
    if (s)
        code = civ_cli_report(s);
    else if (failed)
        code = CIV_EXIT_PARTIAL;
    return code;
}

/* ---- hierarchies ---------------------------------------------------------------- */

/* --hierarchy / --group: every node forecast and reconciled. */
static int run_hier(forecast_job *j, const civ_cli_args *a, const civ_panel *panel)
{
    civ_hier_options ho;
    civ_hier_options_init(&ho);
    ho.forecast = j->opt;
    ho.nonnegative = j->opt.nonnegative;
    ho.n_paths = j->opt.n_paths;
    civ_table *t = NULL;
    civ_hier *h = NULL;
    civ_hier_result *r = NULL;
    civ_status s = CIV_OK;
    if (a->value[F_RECONCILE])
        s = civ_reconcile_method_parse(a->value[F_RECONCILE], &ho.method);
    if (!s)
        s = civ_cli_hier_build(panel, a->value[F_HIER], a->value[F_GROUP], a->value[F_COMMUNITIES], &h);
    if (!s && !a->value[F_QUIET])
        civ_cli_hier_warn_gaps(h, panel); /* missing months of a few series blank the totals */
    if (!s)
        s = civ_hier_forecast(h, panel, &ho, &r);
    if (!s)
        s = civ_hier_result_table(r, h, &t);
    if (!s)
        s = civ_table_write_opts(t, a->value[F_OUT], &j->csv);
    if (!s && !a->value[F_QUIET]) {
        double lambda = civ_hier_result_lambda(r);
        fprintf(stderr, "forecast %zu nodes (%zu series, %zu aggregates), reconciled by %s", civ_hier_n_nodes(h),
                civ_hier_n_bottom(h), civ_hier_n_nodes(h) - civ_hier_n_bottom(h),
                civ_reconcile_method_name(ho.method));
        if (lambda == lambda)
            fprintf(stderr, " (shrinkage lambda %.4f)", lambda);
        if (ho.forecast.n_levels)
            fprintf(stderr, "; base intervals: %s", ho.forecast.intervals == CIV_INTERVALS_MODEL ? "the models'"
                                                                                                   : "conformal");
        fprintf(stderr, "\n");
        if (civ_hier_result_n_uncalibrated(r))
            fprintf(stderr, "conformal: %zu nodes kept their model's base intervals at some steps: too few backtest "
                            "scores there (the nodes are short for the calibration windows; --intervals model uses "
                            "the models' own everywhere; docs/FORECASTING.md, \"Conformal intervals\")\n",
                    civ_hier_result_n_uncalibrated(r));
    }
    civ_table_free(t);
    civ_hier_result_free(r);
    civ_hier_free(h);
    return s ? civ_cli_report(s) : CIV_EXIT_OK;
}

/* Reads, forecasts (with the bar on a terminal), writes and summarises. */
static int run_job(forecast_job *j, const civ_cli_args *a)
{
    if (j->n_models > 1 || a->value[F_WIDE]) {
        civ_panel *panel = NULL;
        civ_status s = civ_cli_read_panel(a->positional[0], &panel);
        int code = s ? civ_cli_report(s) : run_multi(j, a, panel);
        civ_panel_free(panel);
        return code;
    }
    int quiet = a->value[F_QUIET] != NULL;
    bar progress = {0};
    if (!quiet && isatty(STDERR_FILENO)) {
        j->opt.progress = draw_bar;
        j->opt.progress_user = &progress;
    }
    civ_panel *panel = NULL;
    civ_status s = civ_cli_read_panel(a->positional[0], &panel);
    if (!s && (a->value[F_HIER] || a->value[F_GROUP])) {
        int code = run_hier(j, a, panel);
        civ_panel_free(panel);
        return code;
    }
    const char *paths[3] = {a->value[F_OUT], a->value[F_REPORT], a->value[F_FITTED]};
    civ_forecast_write_stats st;
    if (!s)
        s = write_outputs(panel, &j->opt, paths, &j->csv, j->chunk, &st);
    if (progress.drawn)
        fputs("\r\033[K", stderr);
    civ_panel_free(panel);
    if (s)
        return civ_cli_report(s);
    if (!quiet)
        print_forecast_summary(&st, a->value[F_REPORT] != NULL);
    return st.n_failed ? CIV_EXIT_PARTIAL : CIV_EXIT_OK;
}

static int run_forecast(int argc, char **argv)
{
    civ_cli_args a;
    int code = civ_cli_parse(&forecast_spec, argc, argv, &a);
    if (code)
        return code;
    if ((code = civ_cli_set_input("forecast", a.value[F_FREQ], a.value[F_ENCODING], a.value[F_THOUSANDS],
                                 a.value[F_PERCENT], a.value[F_SHEET], a.value[F_SKIP_ROWS])) ||
        (code = civ_cli_set_columns("forecast", a.value[F_COLUMNS], a.value[F_COLUMNS + 1], a.value[F_COLUMNS + 2],
                                        a.value[F_COLUMNS + 3] != NULL, 1))) {
        civ_cli_args_free(&a);
        return code;
    }
    forecast_job j = {0};
    if (a.value[F_LIST])
        code = list_models();
    else if (!(code = forecast_settings(&a, &j)))
        code = run_job(&j, &a);
    free(j.xreg_store);
    free(j.model_store);
    civ_cli_args_free(&a);
    return code;
}

const civ_cli_command civ_cmd_forecast = {
    "forecast",
    "fit a model to every series and write forecasts with intervals",
    &forecast_spec,
    run_forecast,
};
