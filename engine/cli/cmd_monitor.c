/*
 * cmd_monitor.c -- layer CLI (a client of civicast.h only): `civicast
 * monitor`: indicators against targets with the consecutive-miss alert,
 * early warning from forecasts, the risk matrix, inactivity alerts and
 * demand against its forecast (docs/MONITORING.md).  The job itself is in
 * monitor_job.c; this file parses the options.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "monitor_job.h"

enum { M_PERIOD, M_OUT, M_WARN, M_MODEL, M_THRESHOLD, M_SCOPE, M_THREADS, M_SEED, M_RISKS, M_MATRIX, M_EVENTS,
       M_QUANTILE, M_END, M_LOCAL_TIMES, M_UTC_OFFSET, M_DEM_FC, M_DEM_ACT, M_LANG, M_ENCODING, M_THOUSANDS,
       M_PERCENT, M_SHEET, M_SKIP_ROWS, M_RISKS_SKIP, M_EVENTS_SKIP, M_DEM_FC_SKIP, M_DEM_ACT_SKIP, M_NAMES,
       M_NAMES_SKIP,
       M_EXCEL /* +1 --no-excel, +2 --precision: CIV_CLI_CSV_OPTIONS */ };
static const civ_cli_option monitor_options[] = {
    [M_PERIOD] = {"--period", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "YYYY-MM", "the period whose alerts are listed "
                                                                           "(default: the last)"},
    [M_OUT] = {"--out", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "DIR", "write status.csv, alerts.csv and the other "
                                                                 "parts' tables there, and\nmonitoring.xlsx, every "
                                                                 "table for Excel (with the parts earlier\nruns left "
                                                                 "in DIR; not a plan's; published together;\n"
                                                                 "an earlier run's that this one does not make are "
                                                                 "removed)"},
    [M_WARN] = {"--warn", NULL, CIV_CLI_VALUE, CIV_CLI_SIZE, "H", "early warning: forecast every series H periods "
                                                                 "ahead and give\nthe probability of missing each "
                                                                 "target (warning.csv, warning_steps.csv)"},
    [M_MODEL] = {"--model", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "SPEC", "the forecasting model (default auto)"},
    [M_THRESHOLD] = {"--threshold", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "P", "warn when P(miss) >= P: 0.8 or 80% "
                                                                            "(default 0.5)"},
    [M_SCOPE] = {"--warn-scope", NULL, CIV_CLI_LIST, CIV_CLI_TEXT, "SCOPE...", "forecast only these scopes (e.g. "
                                                                               "district city; default all)"},
    [M_THREADS] = {"--threads", NULL, CIV_CLI_VALUE, CIV_CLI_SIZE, "N", "forecasting threads (0 = all cores)"},
    [M_SEED] = {"--seed", NULL, CIV_CLI_VALUE, CIV_CLI_SIZE, "N", "the forecasts' seed"},
    [M_RISKS] = {"--risks", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE", "a risk register (risk, probability, "
                                                                      "impact, owner, mitigation)"},
    [M_MATRIX] = {"--matrix", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE", "a [matrix] file (default: the 5 x 5 "
                                                                        "matrix of the docs)"},
    [M_EVENTS] = {"--events", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE", "sensor events (person, ts): inactivity "
                                                                        "alerts"},
    [M_QUANTILE] = {"--quantile", NULL, CIV_CLI_VALUE, CIV_CLI_NUMBER, "Q", "the inactivity threshold's quantile "
                                                                           "(default 0.995)"},
    [M_END] = {"--end", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "TIME", "poll open gaps at TIME (YYYY-MM-DDTHH:MM:SS "
                                                                  "UTC; default the last event)"},
    [M_LOCAL_TIMES] = {"--local-times", NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL,
                       "event times (and --end) written without a zone are\nlocal time, UTC + --utc-offset "
                       "(default: UTC)"},
    [M_UTC_OFFSET] = {"--utc-offset", NULL, CIV_CLI_VALUE, CIV_CLI_NUMBER, "H",
                      "local time = UTC + H hours, -14..14: the hour-of-day bins\nand --local-times (default 8, "
                      "Beijing time)"},
    [M_DEM_FC] = {"--demand-forecasts", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE", "forecasts (unique_id, ds, "
                                                                                   "mean, lo-L, hi-L) and"},
    [M_DEM_ACT] = {"--demand-actuals", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE", "actuals (unique_id, ds, y): "
                                                                                  "demand ahead of or behind its "
                                                                                  "forecast"},
    [M_LANG] = {"--lang", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "zh|en", "the language of monitoring.xlsx's sheets, "
                                                                     "headers and words (default zh)"},
    [M_ENCODING] = CIV_CLI_ENCODING_OPTION,
    [M_THOUSANDS] = CIV_CLI_THOUSANDS_OPTION,
    [M_SKIP_ROWS] = CIV_CLI_SKIP_ROWS_OPTION,
    [M_RISKS_SKIP] = CIV_CLI_INPUT_SKIP_ROWS_OPTION("--risks-skip-rows", "--risks"),
    [M_EVENTS_SKIP] = CIV_CLI_INPUT_SKIP_ROWS_OPTION("--events-skip-rows", "--events"),
    [M_DEM_FC_SKIP] = CIV_CLI_INPUT_SKIP_ROWS_OPTION("--demand-forecasts-skip-rows", "--demand-forecasts"),
    [M_DEM_ACT_SKIP] = CIV_CLI_INPUT_SKIP_ROWS_OPTION("--demand-actuals-skip-rows", "--demand-actuals"),
    [M_NAMES] = {"--names", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE", "the units' names: a table of the "
                                                                      "units (their codes, name)\nor the communities "
                                                                      "(unique_id, street): the report shows\n"
                                                                      "鼓角街道（D01-S01）; --out writes units.csv"},
    [M_NAMES_SKIP] = CIV_CLI_INPUT_SKIP_ROWS_OPTION("--names-skip-rows", "--names"),
    [M_EXCEL] = CIV_CLI_CSV_OPTIONS,
    {NULL, NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL, NULL},
};
static const civ_cli_spec monitor_spec = {
    "monitor",
    "usage: civicast monitor INDICATORS ACTUALS [--period YYYY-MM] [--out DIR [--lang zh|en]]\n"
    "         [--names FILE [--names-skip-rows N]]\n"
    "         [--warn H [--model SPEC] [--threshold P] [--warn-scope SCOPE ...] [--threads N] [--seed N]]\n"
    "         [--risks FILE [--matrix FILE] [--risks-skip-rows N]] [--events FILE [--quantile Q] [--end TIME]\n"
    "         [--local-times] [--utc-offset H] [--events-skip-rows N]]\n"
    "         [--demand-forecasts FILE --demand-actuals FILE [--demand-forecasts-skip-rows N]\n"
    "         [--demand-actuals-skip-rows N]] [--encoding E] [--thousands C] [--percent]\n"
    "         [--sheet NAME] [--skip-rows N] [--excel|--no-excel] [--precision P]\n"
    "       civicast monitor [--risks FILE ...] [--events FILE ...] [--demand-forecasts FILE ...]\n"
    "                        (without indicators)\n",
    "Reads the indicator file (TOML subset: [monitor], [[indicator]] with targets,\n"
    "departments and alert rules) and the actuals (unit, indicator, ds, value,\n"
    "denominator, roll-up columns); prints the period's alerts grouped by department,\n"
    "then the other parts asked for.  Every rule is in docs/MONITORING.md.  Nothing is\n"
    "written when any input is bad.\n",
    monitor_options,
    1,
    "unknown option '%s'",
    "%s needs a value",
    "Exit codes: 0 ok, 1 usage, 2 bad data, 3 I/O, 4 bad indicator file or matrix,\n"
    "6 some forecasts failed (their series have no warning rows).\n",
};

static int parse_numbers(civ_cli_monitor_job *job, const civ_cli_args *a)
{
    const char *h = a->value[M_WARN], *thr = a->value[M_THRESHOLD], *th = a->value[M_THREADS],
               *seed = a->value[M_SEED], *q = a->value[M_QUANTILE];
    size_t v;
    double end;
    if (h && (civ_cli_parse_size(h, &job->warn_h) || job->warn_h < 1 || job->warn_h > 1000))
        return civ_cli_usage_error("monitor", "--warn needs a horizon 1..1000, not '%s'", h);
    if (thr && civ_monitor_threshold_parse(thr, &job->threshold))
        return civ_cli_usage_error("monitor", "--threshold: %s", civ_last_error()->message);
    if (th && (civ_cli_parse_size(th, &v) || v > 1024))
        return civ_cli_usage_error("monitor", "--threads needs a whole number 0..1024, not '%s'", th);
    if (th)
        job->threads = (int)v;
    if (seed && civ_cli_parse_size(seed, &v))
        return civ_cli_usage_error("monitor", "--seed needs a whole number >= 0, not '%s'", seed);
    if (seed)
        job->seed = (uint64_t)v;
    if (q && (civ_cli_parse_double(q, &job->quantile) || !(job->quantile > 0.5 && job->quantile < 1)))
        return civ_cli_usage_error("monitor", "--quantile needs a number in (0.5, 1), not '%s'", q);
    const char *u = a->value[M_UTC_OFFSET];
    if (u && (civ_cli_parse_double(u, &job->utc_offset) || !(job->utc_offset >= -14 && job->utc_offset <= 14)))
        return civ_cli_usage_error("monitor", "--utc-offset needs hours east of UTC in -14..14 (8 for Beijing), not "
                                              "'%s'", u);
    if (job->end && civ_cli_monitor_parse_time(job->end, &end))
        return civ_cli_usage_error("monitor", "--end needs a time YYYY-MM-DDTHH:MM:SS (UTC), not '%s'", job->end);
    return 0;
}

static int check_combinations(const civ_cli_monitor_job *job, const civ_cli_args *a)
{
    if (a->n_positional == 1 || a->n_positional > 2)
        return civ_cli_usage_error("monitor", "give the indicator file and the actuals (two files)");
    if (!job->indicators && !job->risks && !job->events && !job->demand_actuals)
        return civ_cli_usage_error("monitor", "nothing to do: give INDICATORS ACTUALS, --risks, --events or "
                                              "--demand-actuals");
    if (!job->indicators && (a->value[M_WARN] || job->period || a->n_list || job->names))
        return civ_cli_usage_error("monitor", "--warn, --period, --warn-scope and --names need INDICATORS ACTUALS");
    if (a->n_list > CIV_CLI_MONITOR_MAX_SCOPES)
        return civ_cli_usage_error("monitor", "--warn-scope takes at most %d scopes", CIV_CLI_MONITOR_MAX_SCOPES);
    if (job->lang && strcmp(job->lang, "zh") && strcmp(job->lang, "en"))
        return civ_cli_usage_error("monitor", "--lang must be zh or en, not '%s'", job->lang);
    if (job->lang && !a->value[M_OUT]) /* it would do nothing: say so rather than ignore it */
        return civ_cli_usage_error("monitor", "--lang is the language of monitoring.xlsx, which a run writes with "
                                              "--out DIR: add --out DIR, or leave --lang out");
    if (!job->risks && job->matrix)
        return civ_cli_usage_error("monitor", "--matrix needs --risks");
    if (!job->events && a->value[M_LOCAL_TIMES])
        return civ_cli_usage_error("monitor", "--local-times says how --events' times are read: it needs --events");
    if (!job->events && a->value[M_UTC_OFFSET])
        return civ_cli_usage_error("monitor", "--utc-offset is the local time of --events: it needs --events");
    if ((job->demand_forecasts != NULL) != (job->demand_actuals != NULL))
        return civ_cli_usage_error("monitor", "--demand-forecasts and --demand-actuals go together");
    return 0;
}

static int parse(int argc, char **argv, civ_cli_monitor_job *job, const char **out)
{
    civ_cli_args a;
    int code = civ_cli_parse(&monitor_spec, argc, argv, &a);
    if (code)
        return code;
    job->indicators = a.n_positional >= 1 ? a.positional[0] : NULL;
    job->actuals = a.n_positional >= 2 ? a.positional[1] : NULL;
    job->period = a.value[M_PERIOD], *out = a.value[M_OUT], job->risks = a.value[M_RISKS];
    job->matrix = a.value[M_MATRIX], job->events = a.value[M_EVENTS], job->end = a.value[M_END];
    job->demand_forecasts = a.value[M_DEM_FC], job->demand_actuals = a.value[M_DEM_ACT];
    job->lang = a.value[M_LANG], job->names = a.value[M_NAMES], job->local_times = a.value[M_LOCAL_TIMES] != NULL;
    if (a.value[M_MODEL])
        job->model = a.value[M_MODEL];
    for (size_t i = 0; i < a.n_list && i < CIV_CLI_MONITOR_MAX_SCOPES; i++)
        job->scopes[job->n_scopes++] = a.list[i];
    code = check_combinations(job, &a);
    if (!code)
        code = parse_numbers(job, &a);
    if (!code) /* the files of --out: with the byte-order mark unless --no-excel */
        code = civ_cli_csv_options("monitor", &a, M_EXCEL, &job->csv);
    if (!code) /* every CSV input: actuals, register, events, demand */
        code = civ_cli_set_input("monitor", NULL, a.value[M_ENCODING], a.value[M_THOUSANDS],
                                 a.value[M_PERCENT], a.value[M_SHEET], a.value[M_SKIP_ROWS]);
    civ_cli_args_free(&a); /* the strings point into argv */
    return code;
}

static int run_monitor(int argc, char **argv)
{
    civ_cli_monitor_job job;
    const char *out = NULL;
    civ_cli_monitor_job_init(&job);
    int code = parse(argc, argv, &job, &out);
    if (code)
        return code;
    civ_status s = civ_cli_monitor_job_run(&job);
    if (s) {
        code = civ_cli_report(s);
        civ_cli_monitor_job_free(&job);
        return code;
    }
    job.out = out;
    civ_cli_monitor_job_print(&job);
    if (out)
        code = civ_cli_monitor_job_write(&job, out); /* prints "wrote DIR/", then "removed ..." */
    if (!code && job.n_failed)
        code = CIV_EXIT_PARTIAL;
    civ_cli_monitor_job_free(&job);
    return code;
}

const civ_cli_command civ_cmd_monitor = {
    "monitor",
    "indicators against targets, alerts by department, early warning, risk matrix, inactivity alerts",
    &monitor_spec,
    run_monitor,
};
