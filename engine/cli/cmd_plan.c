/*
 * cmd_plan.c -- layer CLI (a client of civicast.h only): `civicast plan
 * CONFIG`: the whole job from one plan file (forecast demand for every
 * community, allocate the fund with the forecasts as the demand factor, the
 * Monte Carlo, the multi-year need).  The library does the job (civ_plan_read,
 * civ_plan_run, civ_plan_result_write; docs/ALLOCATION.md, "Plan"); this
 * command reads the plan, applies its options, runs, prints and writes.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "monitor_job.h"

enum { P_OUT, P_MODEL, P_H, P_THREADS, P_DRAWS,
       P_INTERVALS /* +1..+4 --conformal-windows, -step, -sample, -refit: CIV_CLI_INTERVAL_OPTIONS */,
       P_FREQ = P_INTERVALS + 5, P_ENCODING, P_THOUSANDS, P_PERCENT, P_SHEET,
       P_COLUMNS /* +1 --time-col, +2 --target-col, +3 --wide-input */, P_LANG = P_COLUMNS + 4, P_LAST_YEAR,
       P_LAST_YEAR_SHEET, P_TOTALS,
       P_EXCEL /* +1 --no-excel, +2 --precision: CIV_CLI_CSV_OPTIONS */ };
static const civ_cli_option plan_options[] = {
    [P_OUT] = {"--out", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "DIR", "the output folder (else [plan] out)"},
    [P_MODEL] = {"--model", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "SPEC", "the model spec (else [forecast] model)"},
    [P_H] = {"--h", NULL, CIV_CLI_VALUE, CIV_CLI_SIZE, "H", "the horizon, >= 1 (else [forecast] horizon)"},
    [P_THREADS] = {"--threads", NULL, CIV_CLI_VALUE, CIV_CLI_SIZE, "N", "threads, 0..1024 (else [forecast] threads)"},
    [P_DRAWS] = {"--draws", NULL, CIV_CLI_VALUE, CIV_CLI_SIZE, "N", "Monte Carlo draws (else [uncertainty] draws)"},
    [P_INTERVALS] = CIV_CLI_INTERVAL_OPTIONS, /* else [forecast] intervals, conformal_* */
    [P_FREQ] = CIV_CLI_FREQ_OPTION,
    [P_ENCODING] = CIV_CLI_ENCODING_OPTION,
    [P_THOUSANDS] = CIV_CLI_THOUSANDS_OPTION,
    [P_COLUMNS] = CIV_CLI_COLUMN_OPTIONS,
    [P_LANG] = {"--lang", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "zh|en", "the report's language (else [plan] lang, zh)"},
    [P_LAST_YEAR] = CIV_CLI_LAST_YEAR_OPTION,
    [P_LAST_YEAR_SHEET] = CIV_CLI_LAST_YEAR_SHEET_OPTION,
    [P_TOTALS] = {"--totals", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "bu|sum",
                  "the bands of the city's and districts' totals (else [forecast] totals, bu)"},
    [P_EXCEL] = CIV_CLI_CSV_OPTIONS,
    {NULL, NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL, NULL},
};
static const civ_cli_spec plan_spec = {
    "plan",
    "usage: civicast plan CONFIG [--out DIR] [--model SPEC] [--h H] [--threads N] [--draws N]\n"
    "                     [--intervals model|conformal] [--conformal-windows K] [--conformal-step S]\n"
    "                     [--conformal-sample M|all] [--conformal-refit search|fixed]\n"
    "                     [--freq F] [--encoding E] [--thousands C] [--percent] [--sheet NAME]\n"
    "                     [--lang zh|en] [--last-year FILE [--last-year-sheet NAME]] [--totals bu|sum]\n"
    "                     [--id-col NAME] [--time-col NAME] [--target-col NAME] [--wide-input]\n"
    "                     [--excel|--no-excel] [--precision P]\n",
    "Reads a plan config (the spec's TOML subset; docs/ALLOCATION.md, \"Plan\"):\n"
    "  [plan]        panel, communities, spec, out (paths relative to CONFIG), lang,\n"
    "                freq, encoding, thousands, percent, id_column, time_column, target_column, layout\n"
    "  [forecast]    model, horizon, levels, threads, seed, intervals, conformal_windows,\n"
    "                conformal_step, conformal_sample, conformal_refit, unit, totals\n"
    "  [uncertainty] draws, seed, weight_concentration, forecasts (optional)\n"
    "  [need]        the multi-year need (optional; else the spec's [need])\n"
    "  [monitor]     indicators, actuals, risks, events, demand_actuals, warn_horizon, ...\n"
    "                (optional; docs/MONITORING.md): alerts, early warning, risk levels\n"
    "  [backtest]    windows, step, h, models (optional): the forecasts' accuracy on\n"
    "                the panel, backtest.csv and backtest_accuracy.csv\n"
    "Forecasts every community's demand, allocates the fund with the forecasts as the\n"
    "demand factor, then the Monte Carlo and the need, and writes into the output\n"
    "folder forecasts.csv, forecast_report.csv, allocation.csv, allocation_summary.csv,\n"
    "need.csv, need_summary.csv and uncertainty.csv (with [monitor] also monitor_status.csv,\n"
    "monitor_alerts.csv, warning.csv, warning_steps.csv, risks.csv, risk_matrix.csv,\n"
    "inactivity.csv, demand.csv; with [backtest] backtest.csv, backtest_accuracy.csv),\n"
    "allocation_waterfall.csv and allocation_stages.csv\n"
    "(what each rule did), history.csv (the last observed periods of each series),\n"
    "forecast_totals.csv (the city's and each district's forecast total and bands), and\n"
    "the plan report report.html with charts/NAME.vl.json\n"
    "(docs/REPORT.md), and manifest.json (civicast's and the spec's versions, each\n"
    "input's SHA-256, seeds, threads, options, each stage's time).  The folder is\n"
    "published as a whole once everything is written (docs/CLI.md, \"Runs are\n"
    "transactions\"): an error, Ctrl-C or a crash leaves the previous folder as it\n"
    "was; files of the previous run that this run does not make are removed; your\n"
    "own files in the folder are kept.  Progress goes to stderr (a bar with an ETA\n"
    "on a terminal, one line per stage otherwise).  The options override the config.\n"
    "The folder is for people: every CSV starts with a UTF-8 byte-order mark (Excel\n"
    "reads a CSV without one as ANSI/GBK and garbles Chinese names; --no-excel omits\n"
    "it) and numbers are rounded to 6 significant digits, whole numbers and money\n"
    "decimals exact (--precision full for the shortest exact text, or N digits).\n",
    plan_options,
    1,
    "unknown option '%s'",
    "%s needs a value",
    "Exit codes: 0 ok, 1 usage, 2 bad data, 3 I/O, 4 bad spec or infeasible,\n"
    "6 done but some series' forecasts failed (see the report).\n",
};

/* The command's options over the plan's settings; 0 or the usage exit code. */
static int apply_options(civ_plan *plan, const civ_cli_args *a)
{
    const char *v;
    size_t n;
    if ((v = a->value[P_OUT]) && civ_plan_set_out(plan, v))
        return civ_cli_report(civ_last_error()->status);
    if ((v = a->value[P_MODEL]) && civ_plan_set_model(plan, v))
        return civ_cli_report(civ_last_error()->status);
    if ((v = a->value[P_LAST_YEAR]) && civ_plan_set_last_year(plan, v))
        return civ_cli_report(civ_last_error()->status);
    if ((v = a->value[P_LAST_YEAR_SHEET]) && !v[0]) /* overrides [plan] last_year_sheet */
        return civ_cli_usage_error("plan", "--last-year-sheet needs a sheet name");
    if (v && civ_plan_set_last_year_sheet(plan, v))
        return civ_cli_report(civ_last_error()->status);
    if ((v = a->value[P_THREADS]) && (civ_cli_parse_size(v, &n) || n > 1024 || civ_plan_set_threads(plan, (int)n)))
        return civ_cli_usage_error("plan", "--threads needs a whole number 0..1024");
    if ((v = a->value[P_DRAWS]) && (civ_cli_parse_size(v, &n) || civ_plan_set_draws(plan, n)))
        return civ_cli_usage_error("plan", "--draws needs a whole number >= 0");
    if ((v = a->value[P_H]) && (civ_cli_parse_size(v, &n) || n < 1 || civ_plan_set_horizon(plan, n)))
        return civ_cli_usage_error("plan", "--h needs a whole number >= 1");
    /* --intervals and --conformal-* over [forecast] intervals and conformal_* (what is not given is kept) */
    civ_forecast_options fo;
    civ_forecast_options_init(&fo);
    fo.intervals = civ_plan_intervals(plan);
    civ_plan_conformal(plan, &fo.conformal_windows, &fo.conformal_step, &fo.conformal_sample, &fo.conformal_refit);
    int code = civ_cli_interval_options("plan", a, P_INTERVALS, &fo);
    if (code)
        return code;
    if (civ_plan_set_intervals(plan, fo.intervals) ||
        civ_plan_set_conformal(plan, fo.conformal_windows, fo.conformal_step, fo.conformal_sample, fo.conformal_refit))
        return civ_cli_report(civ_last_error()->status);
    if ((v = a->value[P_LANG]) && civ_plan_set_lang(plan, v))
        return civ_cli_usage_error("plan", "--lang must be zh or en, not '%s'", v);
    if ((v = a->value[P_TOTALS]) && civ_plan_set_totals(plan, v))
        return civ_cli_usage_error("plan", "--totals must be bu or sum, not '%s'", v);
    if (!civ_plan_out(plan)[0])
        return civ_cli_usage_error("plan", "no output folder: set out = \"...\" in [plan] or give --out DIR");
    return 0;
}

/* ---- progress (civ_plan_progress_fn) ----------------------------------------- */

typedef struct progress {
    int tty;             /* stderr is a terminal: redraw a line; else one line per stage */
    char stage[32];      /* the stage being drawn */
    double stage_start;  /* its start (monotonic seconds) */
    double last_end;     /* the end of the previous stage (or the run's start) */
    int drawn;           /* a partial line is on the terminal */
    double last_draw;    /* redraws at most every 0.1 s */
} progress;

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* "1 h 02 min", "3 min 05 s", "12 s" */
static void fmt_eta(double s, char *buf, size_t size)
{
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, size, "%ld h %02ld min", t / 3600, t / 60 % 60);
    else if (t >= 60)
        snprintf(buf, size, "%ld min %02ld s", t / 60, t % 60);
    else
        snprintf(buf, size, "%ld s", t);
}

static void stage_done(progress *pg, size_t total)
{
    double secs = mono() - pg->stage_start;
    if (pg->tty && pg->drawn)
        fputs("\r\033[K", stderr);
    if (!strcmp(pg->stage, "forecast"))
        fprintf(stderr, "civicast: forecast     %zu series in %.1f s\n", total, secs);
    else if (!strcmp(pg->stage, "totals") && total > 1)
        fprintf(stderr, "civicast: totals       %zu nodes in %.1f s\n", total, secs);
    else if (!strcmp(pg->stage, "uncertainty"))
        fprintf(stderr, "civicast: uncertainty  %zu draws in %.1f s\n", total, secs);
    else
        fprintf(stderr, "civicast: %-12s done in %.1f s\n", pg->stage, secs);
    pg->drawn = 0;
    pg->stage[0] = '\0';
    pg->last_end = mono();
}

static int on_progress(const char *stage, size_t done, size_t total, void *user)
{
    progress *pg = user;
    if (strcmp(stage, pg->stage)) { /* a new stage */
        snprintf(pg->stage, sizeof pg->stage, "%s", stage);
        pg->stage_start = pg->last_end;
    }
    if (done >= total && total) {
        stage_done(pg, total);
        return 0;
    }
    if (!pg->tty)
        return 0;
    double now = mono();
    if (pg->drawn && now - pg->last_draw < 0.1)
        return 0;
    pg->last_draw = now;
    if ((!strcmp(stage, "forecast") || !strcmp(stage, "totals")) && total > 1) {
        int width = 30, fill = (int)((double)done / (double)total * width);
        char bar[40], eta[32] = "";
        for (int k = 0; k < width; k++)
            bar[k] = k < fill ? '#' : '.';
        bar[width] = '\0';
        double el = now - pg->stage_start;
        if (done > 0 && el > 0.5)
            fmt_eta(el / (double)done * (double)(total - done), eta, sizeof eta);
        fprintf(stderr, "\r\033[K%s [%s] %3d%% %zu/%zu %s%s%s", stage, bar, (int)(100.0 * done / total), done, total,
                strcmp(stage, "totals") ? "series" : "nodes", eta[0] ? ", ETA " : "", eta);
    } else
        fprintf(stderr, "\r\033[K%s ...", stage);
    fflush(stderr);
    pg->drawn = 1;
    return 0; /* go on: Ctrl-C ends the command (signals.c) */
}

/* An input read here (through the HDF5 guard); an error without a file is
 * reported with the input's path. */
static int report_input(civ_status s, const char *path)
{
    if (civ_last_error()->file[0])
        return civ_cli_report(s);
    fprintf(stderr, "civicast: %s: %s\n", path, civ_last_error_message());
    return civ_cli_exit_code(s);
}

/* The monitoring stage: the period's alerts by department, the warnings, the
 * risk levels, inactivity alerts and demand against the plan's forecasts. */
static void print_monitor(const civ_plan *plan, const civ_plan_result *r, const civ_plan_stats *st)
{
    const civ_table *t;
    /* [monitor] period as the stage read it (a day: the period it falls in), else the last */
    const char *period = st->monitor_period[0] ? st->monitor_period : NULL;
    size_t horizon = 0;
    double threshold = 0.5;
    civ_plan_warning(plan, &horizon, &threshold); /* [monitor] warn_horizon and threshold, as read_plan gives them */
    if ((t = civ_plan_result_table(r, CIV_PLAN_MONITOR_STATUS)))
        civ_cli_print_alerts(t, civ_plan_result_table(r, CIV_PLAN_MONITOR_ALERTS), period);
    if ((t = civ_plan_result_table(r, CIV_PLAN_WARNING)))
        civ_cli_print_warnings(t, threshold, horizon, civ_plan_warn_model(plan), st->warn_failed,
                               "warning.csv and monitoring.xlsx list them all");
    if ((t = civ_plan_result_table(r, CIV_PLAN_RISKS)))
        civ_cli_print_risks(t, "[monitor] risks");
    if ((t = civ_plan_result_table(r, CIV_PLAN_INACTIVITY)))
        civ_cli_print_inactivity(t, "[monitor] events");
    int local = 0;
    double offset = 8;
    civ_plan_event_times(plan, &local, &offset); /* [monitor] local_times, utc_offset_hours */
    if (t && local) /* as the command's --local-times line says it */
        printf("  event times without a zone read as local time (UTC%+g), as [monitor] local_times says; the "
               "times above are UTC\n", offset);
    if ((t = civ_plan_result_table(r, CIV_PLAN_DEMAND)))
        civ_cli_print_demand(t, "[monitor] demand_actuals vs the plan's forecasts");
}

/* The backtest stage in one line: models, windows and, for the plan's own
 * model (the accuracy table's first row), MASE and the coverage per level;
 * then, when some windows could not be made, how many and why. */
static void print_backtest(const civ_plan_result *r, const civ_plan_stats *st)
{
    const civ_table *acc = civ_plan_result_table(r, CIV_PLAN_BACKTEST_ACCURACY);
    size_t cm, cmase;
    char name[128] = "", line[512] = "";
    if (acc && civ_table_n_rows(acc) && !civ_table_find_column(acc, "model", &cm) &&
        !civ_table_find_column(acc, "MASE", &cmase)) {
        int n = snprintf(line, sizeof line, "; %s MASE %.3f", civ_cli_safe(civ_table_text(acc, 0, cm), name, sizeof name),
                         civ_table_number(acc, 0, cmase));
        for (size_t c = 0; c < civ_table_n_columns(acc) && n > 0 && (size_t)n < sizeof line; c++)
            if (!strncmp(civ_table_column_name(acc, c), "coverage-", 9))
                n += snprintf(line + n, sizeof line - (size_t)n, ", %s %.1f%%", civ_table_column_name(acc, c),
                              civ_table_number(acc, 0, c));
    }
    printf("backtest               %zu model%s x %zu windows (step %zu, h = %zu), %.2f s%s\n", st->backtest_models,
           st->backtest_models == 1 ? "" : "s", st->backtest_windows, st->backtest_step, st->backtest_horizon,
           st->backtest_seconds, line);
    /* The windows that could not be made, and why: a bare "N windows failed" read as an alarm to a budget
     * officer, though on a city with new communities most of them are expected. */
    civ_backtest_failure_counts fc = {.total = st->backtest_models * st->n_series * st->backtest_windows,
                                      .failed = st->backtest_failed, .no_data = st->backtest_no_data,
                                      .too_short = st->backtest_too_short, .min_values = st->backtest_short_min,
                                      .max_values = st->backtest_short_max};
    char why[640];
    if (civ_cli_backtest_failures(&fc, "test forecasts from earlier cutoffs", "communities", why, sizeof why))
        printf("                       %s;\n                       they are left out of the accuracy figures "
               "(the report's backtest section explains them; backtest.csv keeps their rows, empty)\n",
               why);
}

/* How forecast_totals.csv made the totals' bands ([forecast] totals), and why not "bu" when it was asked for. */
static void print_totals(const civ_plan *plan, const civ_plan_stats *st)
{
    if (!strcmp(st->totals_method, "bu"))
        printf("totals                 city and districts: bottom-up sample paths of the district hierarchy (%s base "
               "intervals), %.2f s\n", civ_plan_intervals(plan) == CIV_INTERVALS_MODEL ? "the models'" : "conformal",
               st->totals_seconds);
    else if (st->totals_method[0])
        printf("totals                 city and districts: the communities' bounds added up (%s%s)\n",
               st->totals_note[0] ? "bottom-up could not be made: " : "[forecast] totals = \"sum\"", st->totals_note);
    if (!strcmp(st->totals_method, "bu") && st->n_failed)
        printf("                       the %zu communit%s without a forecast count%s 0 in the totals\n", st->n_failed,
               st->n_failed == 1 ? "y" : "ies", st->n_failed == 1 ? "s" : "");
    if (st->totals_uncalibrated)
        printf("                       conformal: %zu nodes of the hierarchy kept the model's intervals at some steps "
               "(too few backtest scores there)\n", st->totals_uncalibrated);
}

/* The summary of a run, stage by stage. */
static void print_plan(const civ_plan *plan, const civ_plan_result *r, const civ_table *comm)
{
    civ_plan_stats st;
    civ_plan_result_stats(r, &st);
    const civ_alloc_spec *spec = civ_plan_result_spec(r);
    printf("plan                   %s\n", civ_plan_path(plan));
    printf("forecast               %zu communities, %s%s, h = %zu, %.2f s; %zu failed%s\n", st.n_series,
           civ_plan_model(plan), civ_plan_intervals(plan) == CIV_INTERVALS_CONFORMAL ? " (conformal intervals)" : "",
           st.horizon, st.forecast_seconds, st.n_failed, st.n_failed ? " (see the report)" : "");
    if (st.n_late)
        printf("                       %zu communit%s end%s before the panel's last period (up to %zu periods "
               "behind): forecast from %s own last value over the same months as the others\n",
               st.n_late, st.n_late == 1 ? "y" : "ies", st.n_late == 1 ? "s" : "", st.late_periods,
               st.n_late == 1 ? "its" : "their");
    if (st.n_no_series)
        printf("                       %zu communit%s of %s %s no series in %s (no data yet): %s forecast demand "
               "is what the spec's if_missing says (0 with \"zero\"; the explanations say so)\n",
               st.n_no_series, st.n_no_series == 1 ? "y" : "ies", civ_plan_communities(plan),
               st.n_no_series == 1 ? "has" : "have", civ_plan_panel(plan), st.n_no_series == 1 ? "its" : "their");
    if (st.n_no_forecast) { /* no series, or a failed fit: what the allocation counted as 0, as allocate says */
        int one = st.n_no_forecast == 1;
        printf("%-22s %zu of %zu communit%s %s no forecast and count%s as 0 (if_missing = \"zero\"; %s "
               "explanation%s say%s so)\n",
               "forecast demand", st.n_no_forecast, st.alloc.n_communities, st.alloc.n_communities == 1 ? "y" : "ies",
               one ? "has" : "have", one ? "s" : "", one ? "its" : "their", one ? "" : "s", one ? "s" : "");
    }
    if (st.n_joined || st.n_not_joined)
        printf("                       [data] predecessors: %zu communit%s continue%s %s predecessors' history; "
               "%zu forecast from %s own months (a split, or a predecessor without data; the explanations say "
               "why); %zu series of last year's ids not forecast themselves\n",
               st.n_joined, st.n_joined == 1 ? "y" : "ies", st.n_joined == 1 ? "s" : "",
               st.n_joined == 1 ? "its" : "their", st.n_not_joined, st.n_not_joined == 1 ? "its" : "their",
               st.n_predecessor_series);
    if (st.n_joined_by_share)
        printf("                       [data] predecessor_shares: %zu part%s of a split continue%s %s parent's "
               "history by %s share (joins.csv: shares)\n",
               st.n_joined_by_share, st.n_joined_by_share == 1 ? "" : "s", st.n_joined_by_share == 1 ? "s" : "",
               st.n_joined_by_share == 1 ? "its" : "their", st.n_joined_by_share == 1 ? "its" : "their");
    if (st.n_join_gaps) {
        const civ_table *j = civ_plan_result_table(r, CIV_PLAN_JOINS);
        size_t cid, cg, cf, ct;
        civ_table_find_column(j, "unique_id", &cid), civ_table_find_column(j, "gap_periods", &cg);
        civ_table_find_column(j, "gap_from", &cf), civ_table_find_column(j, "gap_to", &ct);
        printf("warning                %zu communit%s ha%s %zu month%s missing between %s predecessors' last common "
               "month and %s own first (neither reported; left missing, not guessed):",
               st.n_join_gaps, st.n_join_gaps == 1 ? "y" : "ies", st.n_join_gaps == 1 ? "s" : "ve",
               st.n_join_gap_periods, st.n_join_gap_periods == 1 ? "" : "s", st.n_join_gaps == 1 ? "its" : "their",
               st.n_join_gaps == 1 ? "its" : "their");
        for (size_t k = 0, shown = 0; k < civ_table_n_rows(j); k++)
            if (civ_table_number(j, k, cg) > 0 && shown++ < 5)
                printf("%s %s %s..%s", shown > 1 ? "," : "", civ_table_text(j, k, cid), civ_table_text(j, k, cf),
                       civ_table_text(j, k, ct));
        printf("%s\n", st.n_join_gaps > 5 ? ", ... (joins.csv: gap_periods)" : "");
    }
    if (st.n_uncalibrated)
        printf("                       conformal: %zu communities kept the model's intervals at some steps (too few "
               "backtest scores there; forecast_report.csv: uncalibrated > 0)\n",
               st.n_uncalibrated);
    print_totals(plan, &st);
    civ_cli_print_alloc_summary(spec, civ_plan_spec(plan), &st.alloc);
    char demand[2048];
    civ_cli_demand_lines(spec, civ_plan_result_table(r, CIV_PLAN_FORECASTS), demand, sizeof demand);
    civ_cli_print_demand_window(demand);
    civ_cli_print_districts(civ_plan_result_table(r, CIV_PLAN_ALLOCATION_SUMMARY), civ_alloc_spec_minor_unit(spec));
    civ_cli_print_history(civ_plan_result_table(r, CIV_PLAN_ALLOCATION_SUMMARY), civ_alloc_spec_minor_unit(spec));
    civ_cli_print_pilots(comm, civ_plan_result_table(r, CIV_PLAN_ALLOCATION),
                         civ_plan_result_table(r, CIV_PLAN_FORECAST_REPORT), civ_alloc_spec_minor_unit(spec));
    if (st.n_draws)
        civ_cli_print_uncertainty(civ_plan_result_table(r, CIV_PLAN_UNCERTAINTY),
                                  civ_plan_result_table(r, CIV_PLAN_ALLOCATION), st.n_draws, st.uncertainty_seed,
                                  st.perturb_forecasts, st.weight_concentration, st.uncertainty_seconds,
                                  st.uncertainty_threads);
    if (st.has_need)
        civ_cli_print_need(civ_plan_result_table(r, CIV_PLAN_NEED_SUMMARY), st.need_minor_unit,
                           civ_alloc_spec_currency(spec));
    if (st.has_monitor)
        print_monitor(plan, r, &st);
    if (st.has_backtest)
        print_backtest(r, &st);
}

/* Reads the inputs through the guard, runs, prints and writes the CSV files
 * with `csv`. */
static int run_and_write(const civ_plan *plan, const civ_csv_write_options *csv)
{
    civ_panel *panel = NULL;
    civ_table *comm = NULL;
    civ_plan_result *r = NULL;
    int code = 0;
    civ_alloc_spec *spec = NULL; /* for the communities' text columns (its id stays text) */
    int skip[2] = {0, 0};        /* [plan] panel_skip_rows, communities_skip_rows; errors name the key */
    civ_plan_skip_rows(plan, "panel", &skip[0]);
    civ_plan_skip_rows(plan, "communities", &skip[1]);
    civ_cli_skip_rows_add(NULL, civ_plan_panel(plan), skip[0]);
    civ_status s = civ_plan_input_error(plan, civ_cli_read_panel(civ_plan_panel(plan), &panel));
    if (s)
        code = report_input(s, civ_plan_panel(plan));
    if (!code && (s = civ_alloc_spec_read(civ_plan_spec(plan), &spec)))
        code = civ_cli_report(s);
    const char *sheet = civ_plan_communities_sheet(plan); /* [plan] communities_sheet, --sheet (.xlsx) */
    civ_table_read_options ro = {.text_columns = civ_alloc_spec_text_columns(spec), .sheet = sheet[0] ? sheet : NULL,
                                 .skip_rows = skip[1]};
    if (!code && (s = civ_plan_input_error(plan, civ_cli_read_table(civ_plan_communities(plan), &ro, &comm))))
        code = report_input(s, civ_plan_communities(plan));
    civ_alloc_spec_free(spec);
    progress pg = {.tty = isatty(STDERR_FILENO), .last_end = mono()};
    civ_plan_run_options opt = {.panel = panel, .communities = comm, .progress = on_progress, .progress_user = &pg};
    if (!code && (s = civ_plan_run(plan, &opt, &r))) {
        if (pg.drawn)
            fputs("\r\033[K", stderr);
        code = civ_cli_report(s);
    }
    if (!code)
        print_plan(plan, r, comm);
    /* the tables, allocation.xlsx, monitoring.xlsx ([monitor]), report.html, charts/ and manifest.json, published
     * together */
    if (!code && (s = civ_plan_result_write_opts(r, civ_plan_out(plan), csv)))
        code = civ_cli_report(s);
    if (!code) {
        civ_plan_stats st;
        civ_plan_result_stats(r, &st);
        printf("wrote                  %s/{forecasts.csv, forecast_report.csv, allocation.csv, "
               "allocation_summary.csv, allocation_waterfall.csv, allocation_stages.csv, history.csv%s%s%s%s%s, "
               "allocation.xlsx%s, manifest.json}\n",
               civ_plan_out(plan), civ_plan_result_table(r, CIV_PLAN_FORECAST_TOTALS) ? ", forecast_totals.csv" : "",
               st.has_need ? ", need.csv, need_summary.csv" : "",
               st.n_draws ? ", uncertainty.csv" : "", st.has_monitor ? ", the monitoring tables" : "",
               st.has_backtest ? ", backtest.csv, backtest_accuracy.csv, backtest_failures.csv" : "",
               st.has_monitor ? ", monitoring.xlsx" : "");
        printf("report                 %s/report.html\n", civ_plan_out(plan));
        code = st.n_failed ? CIV_EXIT_PARTIAL : CIV_EXIT_OK;
    }
    civ_plan_result_free(r);
    civ_table_free(comm);
    civ_panel_free(panel);
    return code;
}

static const char *set_or_null(const char *value) { return value[0] ? value : NULL; }

static int run_plan(int argc, char **argv)
{
    civ_cli_args a;
    int code = civ_cli_parse(&plan_spec, argc, argv, &a);
    if (code)
        return code;
    if ((code = civ_cli_set_input("plan", a.value[P_FREQ], a.value[P_ENCODING], a.value[P_THOUSANDS],
                                 a.value[P_PERCENT], NULL, NULL))) { /* --sheet: below, through the plan */
        civ_cli_args_free(&a);
        return code;
    }
    civ_plan *plan = NULL;
    /* for people by default (civ_plan_result_write_opts); the options undo it */
    civ_csv_write_options csv = {.bom = 1, .significant_digits = CIV_CSV_PEOPLE_DIGITS};
    code = civ_cli_csv_options("plan", &a, P_EXCEL, &csv);
    if (code)
        (void)0; /* the usage error is printed */
    else if (a.n_positional > 1)
        code = civ_cli_usage_error("plan", "one config file only ('%s' is extra)", a.positional[1]);
    else if (!a.n_positional)
        code = civ_cli_usage_error("plan", "give the plan config file");
    else if (civ_plan_read(a.positional[0], &plan))
        code = civ_cli_report(civ_last_error()->status);
    /* --freq / --encoding / --thousands / --percent override [plan] freq / encoding / thousands / percent
     * (and manifest.json says so); the plan's then read the panel and the communities here, the [monitor]
     * tables in the run */
    else if (civ_plan_set_input(plan, a.value[P_FREQ], a.value[P_ENCODING], a.value[P_THOUSANDS],
                                a.value[P_PERCENT] ? 1 : -1))
        code = civ_cli_report(civ_last_error()->status);
    /* --sheet overrides [plan] panel_sheet and communities_sheet (the inputs' sheets when they are .xlsx) */
    else if (a.value[P_SHEET] &&
             (!a.value[P_SHEET][0] || civ_plan_set_sheets(plan, a.value[P_SHEET], a.value[P_SHEET])))
        code = a.value[P_SHEET][0] ? civ_cli_report(civ_last_error()->status)
                                   : civ_cli_usage_error("plan", "--sheet needs a sheet name");
    else if ((code = civ_cli_set_input("plan", set_or_null(civ_plan_freq(plan)), set_or_null(civ_plan_encoding(plan)),
                                       set_or_null(civ_plan_thousands(plan)), civ_plan_percent(plan) ? "" : NULL,
                                       set_or_null(civ_plan_panel_sheet(plan)), NULL)))
        ;
    /* --id-col ... override [plan] id_column ... (and manifest.json says so);
     * the panel's only: the communities are keyed by the spec's [data] id */
    else if ((code = civ_cli_set_columns("plan", a.value[P_COLUMNS], a.value[P_COLUMNS + 1], a.value[P_COLUMNS + 2],
                                         0, 0)))
        ;
    else if (civ_plan_set_columns(plan, a.value[P_COLUMNS], a.value[P_COLUMNS + 1], a.value[P_COLUMNS + 2]) ||
             (a.value[P_COLUMNS + 3] && civ_plan_set_wide(plan, 1)))
        code = civ_cli_report(civ_last_error()->status);
    else if ((code = civ_cli_set_columns("plan", set_or_null(civ_plan_id_column(plan)),
                                         set_or_null(civ_plan_time_column(plan)),
                                         set_or_null(civ_plan_target_column(plan)), civ_plan_wide(plan), 0)))
        ;
    else
        code = apply_options(plan, &a);
    if (!code)
        code = run_and_write(plan, &csv);
    civ_plan_free(plan);
    civ_cli_args_free(&a);
    return code;
}

const civ_cli_command civ_cmd_plan = {
    "plan",
    "run the whole job from one config: forecast demand, allocate, project the need",
    &plan_spec,
    run_plan,
};
