/*
 * cmd_forecast.c -- `civicast forecast IN --out FILE ...`: fits a model spec
 * to every series of a panel in parallel and writes long-format forecasts,
 * plus an optional per-series report and fitted values (docs/FORECASTING.md).
 *
 * The command is a thin shell over civ_forecast_panel: it parses options,
 * draws a progress bar on stderr when stderr is a terminal, writes the tables
 * with civ_table_write (CSV or HDF5 by extension) and ends with a one-line
 * summary.  Exit 0, 6 when some series failed (their status is in the
 * report), or the code of the error that stopped it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "model.h"

#define MAX_LEVELS 16
#define MAX_XREG 64

static const char usage[] =
    "usage: civicast forecast IN --out FILE [--h N] [--model SPEC] [--level 80,95]\n"
    "                         [--threads N] [--seed S] [--ic aicc|aic|bic] [--xreg a,b]\n"
    "                         [--paths N] [--nonnegative auto|on|off]\n"
    "                         [--report FILE] [--fitted FILE] [--quiet]\n"
    "                         [--freq F] [--encoding E]\n"
    "       civicast forecast --list-models\n\n"
    "Fits one model spec to every series of the panel IN (.csv long format\n"
    "unique_id,ds,y[,covariates] or .h5) and forecasts N periods ahead.\n\n"
    "  --out FILE        forecasts: unique_id,ds,h,model,mean,lo-80,hi-80,lo-95,hi-95\n"
    "                    (.csv, or .h5/.hdf5 for HDF5)\n"
    "  --h N             horizon (default: 2 seasons, or 10 periods for yearly data)\n"
    "  --model SPEC      auto (default), ets, ETS(A,Ad,M), theta, dotm, mean, naive,\n"
    "                    snaive, rwf, ... (--list-models shows every accepted spec)\n"
    "  --level L,...     interval levels in percent (default 80,95; 'none' for none)\n"
    "  --threads N       threads over series (default: OMP_NUM_THREADS or all cores)\n"
    "  --seed S          seed of simulated intervals (default 20260101); results are\n"
    "                    identical for any thread count\n"
    "  --ic C            selection criterion for automatic models (default aicc)\n"
    "  --xreg a,b        covariates passed to models that use them; each needs future\n"
    "                    values over the horizon\n"
    "  --paths N         sample paths for simulated intervals (default 5000)\n"
    "  --nonnegative M   auto (default: for series with no negative value), on, off:\n"
    "                    forecasts and bounds are max(0, value) when on\n"
    "  --report FILE     one row per series: model, status, message, loglik, aic,\n"
    "                    aicc, bic, sigma2, parameters, initial states\n"
    "  --fitted FILE     in-sample one-step fitted values and residuals\n"
    "  --quiet           no progress bar and no summary line\n"
    CIV_CLI_INPUT_USAGE "\n"
    "Exit codes: 0 ok, 6 some series failed (see the report), else the error's code.\n";

static int list_models(void)
{
    printf("model families (a spec is tried against each in this order):\n");
    for (size_t i = 0; civ_model_types[i]; i++)
        printf("  %-8s %s\n           specs: %s\n", civ_model_types[i]->family, civ_model_types[i]->summary,
               civ_model_types[i]->spec_help);
    return CIV_EXIT_OK;
}

/* ---- progress bar ------------------------------------------------------------- */

typedef struct bar {
    int drawn;
} bar;

static void draw_bar(size_t done, size_t total, void *user)
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
static void print_model_counts(const civ_forecast_result *r)
{
    enum { MAX_SHOWN = 8 };
    size_t n = civ_forecast_result_n_series(r), kinds = 0;
    const char **names = calloc(n ? n : 1, sizeof *names);
    size_t *counts = calloc(n ? n : 1, sizeof *counts);
    if (!names || !counts) {
        free(names);
        free(counts);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const char *m = civ_forecast_result_model(r, i);
        if (!m[0])
            continue;
        size_t k = 0;
        while (k < kinds && strcmp(names[k], m))
            k++;
        if (k == kinds)
            names[kinds++] = m;
        counts[k]++;
    }
    /* insertion sort: count descending, then name */
    for (size_t a = 1; a < kinds; a++) {
        for (size_t b = a; b > 0 && (counts[b] > counts[b - 1] ||
                                     (counts[b] == counts[b - 1] && strcmp(names[b], names[b - 1]) < 0));
             b--) {
            size_t tc = counts[b];
            counts[b] = counts[b - 1];
            counts[b - 1] = tc;
            const char *tn = names[b];
            names[b] = names[b - 1];
            names[b - 1] = tn;
        }
    }
    if (kinds) {
        fprintf(stderr, "models:");
        size_t rest = 0;
        for (size_t k = 0; k < kinds; k++) {
            if (k < MAX_SHOWN)
                fprintf(stderr, "%s %s %zu", k ? "," : "", names[k], counts[k]);
            else
                rest += counts[k];
        }
        if (rest)
            fprintf(stderr, ", %zu other model%s %zu", kinds - MAX_SHOWN, kinds - MAX_SHOWN > 1 ? "s" : "", rest);
        fprintf(stderr, "\n");
    }
    free(names);
    free(counts);
}

/* ---- option parsing -------------------------------------------------------------- */

static int parse_levels(const char *text, double *levels, size_t *n)
{
    *n = 0;
    if (!strcmp(text, "none"))
        return 0;
    char buf[512];
    if (strlen(text) >= sizeof buf)
        return -1;
    strcpy(buf, text);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        if (*n == MAX_LEVELS || civ_cli_parse_double(tok, &levels[*n]))
            return -1;
        (*n)++;
    }
    return *n ? 0 : -1;
}

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

static int write_table(civ_status (*make)(const civ_forecast_result *, const civ_panel *, civ_table **),
                       const civ_forecast_result *r, const civ_panel *panel, const char *path)
{
    civ_table *t = NULL;
    civ_status s = make(r, panel, &t);
    if (!s)
        s = civ_table_write(t, path);
    civ_table_free(t);
    return s ? civ_cli_report(s) : CIV_EXIT_OK;
}

static int run_forecast(int argc, char **argv)
{
    const char *in = NULL, *out = NULL, *report = NULL, *fitted = NULL, *xreg_text = NULL;
    int quiet = 0;
    double levels[MAX_LEVELS];
    size_t n_levels = 2;
    levels[0] = 80.0;
    levels[1] = 95.0;
    civ_forecast_options opt;
    civ_forecast_options_init(&opt);

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_VALUE()                                                                \
    do {                                                                            \
        if (!v)                                                                     \
            return civ_cli_usage_error("forecast", "%s needs a value", a);          \
        i++;                                                                        \
    } while (0)
        int io_ = civ_cli_input_option("forecast", argc, argv, &i);
        if (io_ < 0)
            return CIV_EXIT_USAGE;
        if (io_ > 0)
            continue;
        if (!strcmp(a, "--list-models")) {
            return list_models();
        } else if (!strcmp(a, "--out") || !strcmp(a, "-o")) {
            NEED_VALUE();
            out = v;
        } else if (!strcmp(a, "--report")) {
            NEED_VALUE();
            report = v;
        } else if (!strcmp(a, "--fitted")) {
            NEED_VALUE();
            fitted = v;
        } else if (!strcmp(a, "--h") || !strcmp(a, "--horizon")) {
            NEED_VALUE();
            if (civ_cli_parse_size(v, &opt.horizon) || opt.horizon == 0)
                return civ_cli_usage_error("forecast", "--h needs a positive whole number, got '%s'", v);
        } else if (!strcmp(a, "--model") || !strcmp(a, "-m")) {
            NEED_VALUE();
            opt.model = v;
        } else if (!strcmp(a, "--level")) {
            NEED_VALUE();
            if (parse_levels(v, levels, &n_levels))
                return civ_cli_usage_error("forecast", "--level needs numbers like 80,95 (or 'none'), got '%s'", v);
        } else if (!strcmp(a, "--threads") || !strcmp(a, "-j")) {
            NEED_VALUE();
            size_t t;
            if (civ_cli_parse_size(v, &t) || t > 4096)
                return civ_cli_usage_error("forecast", "--threads needs a whole number 0..4096, got '%s'", v);
            opt.threads = (int)t;
        } else if (!strcmp(a, "--seed")) {
            NEED_VALUE();
            size_t sd;
            if (civ_cli_parse_size(v, &sd))
                return civ_cli_usage_error("forecast", "--seed needs a non-negative whole number, got '%s'", v);
            opt.seed = (uint64_t)sd;
        } else if (!strcmp(a, "--ic")) {
            NEED_VALUE();
            if (!strcmp(v, "aicc"))
                opt.criterion = CIV_CRITERION_AICC;
            else if (!strcmp(v, "aic"))
                opt.criterion = CIV_CRITERION_AIC;
            else if (!strcmp(v, "bic"))
                opt.criterion = CIV_CRITERION_BIC;
            else
                return civ_cli_usage_error("forecast", "--ic is aicc, aic or bic, got '%s'", v);
        } else if (!strcmp(a, "--xreg")) {
            NEED_VALUE();
            xreg_text = v;
        } else if (!strcmp(a, "--paths")) {
            NEED_VALUE();
            if (civ_cli_parse_size(v, &opt.n_paths) || opt.n_paths == 0)
                return civ_cli_usage_error("forecast", "--paths needs a positive whole number, got '%s'", v);
        } else if (!strcmp(a, "--nonnegative")) {
            NEED_VALUE();
            if (!strcmp(v, "auto"))
                opt.nonnegative = -1;
            else if (!strcmp(v, "on"))
                opt.nonnegative = 1;
            else if (!strcmp(v, "off"))
                opt.nonnegative = 0;
            else
                return civ_cli_usage_error("forecast", "--nonnegative is auto, on or off, got '%s'", v);
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            return civ_cli_usage_error("forecast", "unknown option '%s'", a);
        } else if (!in) {
            in = a;
        } else {
            return civ_cli_usage_error("forecast", "more than one input file ('%s' and '%s')", in, a);
        }
#undef NEED_VALUE
    }
    if (!in)
        return civ_cli_usage_error("forecast", "missing the input file");
    if (!out)
        return civ_cli_usage_error("forecast", "missing --out FILE");
    opt.levels = levels;
    opt.n_levels = n_levels;
    opt.want_fitted = fitted != NULL;

    const char *xreg[MAX_XREG];
    char *xreg_store = NULL;
    if (xreg_text) {
        xreg_store = split_names(xreg_text, xreg, &opt.n_xreg);
        if (!xreg_store || opt.n_xreg == 0) {
            free(xreg_store);
            return civ_cli_usage_error("forecast", "--xreg needs covariate names like aged60,migrants");
        }
        opt.xreg = xreg;
    }

    bar progress = {0};
    if (!quiet && isatty(STDERR_FILENO)) {
        opt.progress = draw_bar;
        opt.progress_user = &progress;
    }

    civ_panel *panel = NULL;
    civ_forecast_result *r = NULL;
    civ_status s = civ_cli_read_panel(in, &panel);
    if (!s)
        s = civ_forecast_panel(panel, &opt, &r);
    if (progress.drawn)
        fputs("\r\033[K", stderr);
    if (s) {
        int code = civ_cli_report(s);
        civ_panel_free(panel);
        free(xreg_store);
        return code;
    }

    int code = write_table(civ_forecast_result_table, r, panel, out);
    if (!code && report)
        code = write_table(civ_forecast_report_table, r, panel, report);
    if (!code && fitted)
        code = write_table(civ_forecast_fitted_table, r, panel, fitted);

    size_t n = civ_forecast_result_n_series(r), failed = civ_forecast_result_n_failed(r);
    if (!code && !quiet) {
        char ns[32], oks[32];
        with_commas(n, ns, sizeof ns);
        with_commas(n - failed, oks, sizeof oks);
        if (failed) {
            char fs[32];
            with_commas(failed, fs, sizeof fs);
            fprintf(stderr, "forecast %s series in %.2f s: %s ok, %s failed (%s)\n", ns,
                    civ_forecast_result_seconds(r), oks, fs, report ? "see report" : "use --report for details");
            if (!report) {
                size_t shown = 0;
                for (size_t i = 0; i < n && shown < 5; i++) {
                    if (civ_forecast_result_status(r, i) != CIV_OK) {
                        fprintf(stderr, "  %s: %s\n", civ_panel_series_id(panel, i), civ_forecast_result_message(r, i));
                        shown++;
                    }
                }
                if (failed > shown)
                    fprintf(stderr, "  ... and %zu more\n", failed - shown);
            }
        } else {
            fprintf(stderr, "forecast %s series in %.2f s: %s ok\n", ns, civ_forecast_result_seconds(r), oks);
        }
        print_model_counts(r);
    }
    if (!code && failed)
        code = CIV_EXIT_PARTIAL;
    civ_forecast_result_free(r);
    civ_panel_free(panel);
    free(xreg_store);
    return code;
}

const civ_cli_command civ_cmd_forecast = {
    "forecast",
    "fit a model to every series and write forecasts with intervals",
    usage,
    run_forecast,
};
