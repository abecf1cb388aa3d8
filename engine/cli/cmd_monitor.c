/*
 * cmd_monitor.c -- layer CLI (a client of civicast.h only): `civicast
 * monitor`: indicators against targets with the consecutive-miss alert,
 * early warning from forecasts, the risk matrix, inactivity alerts and
 * demand against its forecast (docs/MONITORING.md).  The job itself is in
 * monitor_job.c, shared with the plan's [monitor] stage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "monitor_job.h"

#define MONITOR_USAGE                                                                                        \
    "usage: civicast monitor INDICATORS ACTUALS [--period YYYY-MM] [--out DIR]\n"                           \
    "         [--warn H [--model SPEC] [--threshold P] [--warn-scope SCOPE ...] [--threads N] [--seed N]]\n"   \
    "         [--risks FILE [--matrix FILE]] [--events FILE [--quantile Q] [--end TIME]]\n"                   \
    "         [--demand-forecasts FILE --demand-actuals FILE]\n"                                              \
    "       civicast monitor [--risks FILE ...] [--events FILE ...] [--demand-... ]   (without indicators)\n" \
    "\n"                                                                                                      \
    "Reads the indicator file (TOML subset: [monitor], [[indicator]] with targets,\n"                         \
    "departments and alert rules) and the actuals (unit, indicator, ds, value,\n"                             \
    "denominator, roll-up columns); prints the period's alerts grouped by department.\n"                      \
    "Every rule is in docs/MONITORING.md.\n"                                                                  \
    "\n"                                                                                                      \
    "  --period YYYY-MM      the period whose alerts are listed (default: the last)\n"                        \
    "  --out DIR             write status.csv, alerts.csv and the tables of the other parts\n"                 \
    "  --warn H              early warning: forecast every series H periods ahead and give\n"                  \
    "                        the probability of missing each target (warning.csv, warning_steps.csv)\n"       \
    "  --model SPEC          the forecasting model (default auto)\n"                                          \
    "  --threshold P         warn when P(miss) >= P (default 0.5)\n"                                          \
    "  --warn-scope SCOPE... forecast only these scopes (e.g. district city; default all)\n"                   \
    "  --threads N, --seed N forecasting threads (0 = all) and seed\n"                                        \
    "  --risks FILE          a risk register (risk, probability, impact, owner, mitigation)\n"                \
    "  --matrix FILE         a [matrix] file (default: the 5 x 5 matrix of the docs)\n"                        \
    "  --events FILE         sensor events (person, ts): inactivity alerts\n"                                 \
    "  --quantile Q          the inactivity threshold's quantile (default 0.995)\n"                           \
    "  --end TIME            poll open gaps at TIME (YYYY-MM-DDTHH:MM:SS UTC; default the last event)\n"     \
    "  --demand-forecasts F  forecasts (unique_id, ds, mean, lo-L, hi-L) and\n"                               \
    "  --demand-actuals F    actuals (unique_id, ds, y): demand ahead of or behind its forecast\n"            \
    "\n"                                                                                                      \
    "Nothing is written when any input is bad.  Exit codes: 0 ok, 1 usage, 2 bad data,\n"                     \
    "3 I/O, 4 bad indicator file or matrix, 6 some forecasts failed.\n"

static int parse_number_options(civ_cli_monitor_job *job, const char *h, const char *thr, const char *th,
                                const char *seed, const char *q)
{
    size_t v;
    if (h && (civ_cli_parse_size(h, &job->warn_h) || job->warn_h < 1 || job->warn_h > 1000))
        return civ_cli_usage_error("monitor", "--warn needs a horizon 1..1000, not '%s'", h);
    if (thr && (civ_cli_parse_double(thr, &job->threshold) || !(job->threshold > 0 && job->threshold < 1)))
        return civ_cli_usage_error("monitor", "--threshold needs a probability in (0, 1), not '%s'", thr);
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
    return 0;
}

static int parse(int argc, char **argv, civ_cli_monitor_job *job, const char **out)
{
    const char *h = NULL, *thr = NULL, *th = NULL, *seed = NULL, *q = NULL, *pos[2] = {NULL, NULL};
    size_t n_pos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], **slot = NULL;
        if (!strcmp(a, "--warn-scope")) {
            while (i + 1 < argc && strncmp(argv[i + 1], "--", 2)) {
                if (job->n_scopes == CIV_CLI_MONITOR_MAX_SCOPES)
                    return civ_cli_usage_error("monitor", "--warn-scope takes at most %d scopes",
                                               CIV_CLI_MONITOR_MAX_SCOPES);
                job->scopes[job->n_scopes++] = argv[++i];
            }
            if (!job->n_scopes)
                return civ_cli_usage_error("monitor", "--warn-scope needs scope names");
            continue;
        }
        struct { const char *name, **slot; } opts[] = {
            {"--period", &job->period}, {"--out", out}, {"--warn", &h}, {"--model", &job->model},
            {"--threshold", &thr}, {"--threads", &th}, {"--seed", &seed}, {"--risks", &job->risks},
            {"--matrix", &job->matrix}, {"--events", &job->events}, {"--quantile", &q}, {"--end", &job->end},
            {"--demand-forecasts", &job->demand_forecasts}, {"--demand-actuals", &job->demand_actuals},
        };
        for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++)
            if (!strcmp(a, opts[k].name))
                slot = opts[k].slot;
        if (!slot && !strncmp(a, "--", 2))
            return civ_cli_usage_error("monitor", "unknown option '%s'", a);
        if (!slot) {
            if (n_pos == 2)
                return civ_cli_usage_error("monitor", "unexpected argument '%s'", a);
            pos[n_pos++] = a;
            continue;
        }
        if (++i >= argc)
            return civ_cli_usage_error("monitor", "%s needs a value", a);
        *slot = argv[i];
    }
    if (n_pos == 1)
        return civ_cli_usage_error("monitor", "give both the indicator file and the actuals");
    job->indicators = pos[0], job->actuals = pos[1];
    if (!job->indicators && !job->risks && !job->events && !job->demand_actuals)
        return civ_cli_usage_error("monitor", "nothing to do: give INDICATORS ACTUALS, --risks, --events or "
                                              "--demand-actuals");
    if (!job->indicators && (h || job->period || job->n_scopes))
        return civ_cli_usage_error("monitor", "--warn, --period and --warn-scope need INDICATORS ACTUALS");
    if (!job->risks && job->matrix)
        return civ_cli_usage_error("monitor", "--matrix needs --risks");
    double end;
    if (job->end && civ_cli_monitor_parse_time(job->end, &end))
        return civ_cli_usage_error("monitor", "--end needs a time YYYY-MM-DDTHH:MM:SS (UTC), not '%s'", job->end);
    if ((job->demand_forecasts != NULL) != (job->demand_actuals != NULL))
        return civ_cli_usage_error("monitor", "--demand-forecasts and --demand-actuals go together");
    return parse_number_options(job, h, thr, th, seed, q);
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
    civ_cli_monitor_job_print(&job);
    if (out && !(code = civ_cli_monitor_job_write(&job, out)))
        printf("wrote                  %s/\n", out);
    if (!code && job.n_failed)
        code = CIV_EXIT_PARTIAL;
    civ_cli_monitor_job_free(&job);
    return code;
}

const civ_cli_command civ_cmd_monitor = {
    "monitor",
    "indicators against targets, alerts by department, early warning, risk matrix, inactivity alerts",
    MONITOR_USAGE,
    run_monitor,
};
