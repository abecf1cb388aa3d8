/*
 * monitor_job.h -- layer CLI (a client of civicast.h only): the monitoring
 * job shared by `civicast monitor` and the [monitor] stage of `civicast
 * plan`: compute every output first (indicators, early warning, risks,
 * inactivity, demand), then print, then write, so bad input writes nothing.
 */
#ifndef CIV_CLI_MONITOR_JOB_H
#define CIV_CLI_MONITOR_JOB_H

#include <stdint.h>

#include "civicast.h"

#define CIV_CLI_MONITOR_MAX_SCOPES 8

typedef struct civ_cli_monitor_job {
    /* inputs (paths; NULL = the part is skipped) */
    const char *indicators, *actuals;
    const char *names;                  /* --names: the units' names (a table of them, or communities), or NULL */
    const char *period;                 /* "YYYY-MM" etc., NULL = the last period */
    size_t warn_h;                      /* 0 = no early warning */
    const char *model;                  /* default "auto" */
    double threshold;                   /* default 0.5 */
    const char *scopes[CIV_CLI_MONITOR_MAX_SCOPES];
    size_t n_scopes;                    /* 0 = every scope */
    int threads;
    uint64_t seed;
    const char *risks, *matrix;         /* register; matrix NULL = the default */
    const char *events;                 /* sensor events */
    double quantile;                    /* 0 = the default */
    const char *end;                    /* "YYYY-MM-DDTHH:MM:SS" or NULL */
    int local_times;                    /* --local-times: event times without a zone (and end) are local time */
    double utc_offset;                  /* --utc-offset: local time = UTC + this (hours), bins and local_times; 8 */
    size_t n_naive;                     /* events whose time has no zone (read as UTC unless local_times) */
    const char *demand_forecasts;       /* a forecast table file, or NULL */
    const civ_table *demand_forecast_table; /* or a table (the plan's), borrowed */
    const char *demand_actuals;         /* a panel file */
    const char *lang;                   /* monitoring.xlsx's language: "zh" (NULL) or "en" */
    const char *out;                    /* --out DIR, for the printed lines that point to its files; or NULL */
    /* outputs (owned; NULL when the part was skipped) */
    civ_monitor_spec *spec;
    civ_monitor *mon;
    civ_table *status, *alerts, *steps, *summary, *forecasts, *risk_table, *matrix_table, *inactivity, *demand;
    civ_table *units;                   /* civ_monitor_unit_names of --names (units.csv), or NULL */
    size_t n_failed;                    /* forecasts that failed */
    int64_t period_value;
    char period_label[32];              /* period_value as the outputs write it ("2024-11") */
    civ_csv_write_options csv;          /* --excel (the default: the files are for people), --precision */
    char first_failed[512];             /* "id: why" of the first forecast that failed, "" when none */
} civ_cli_monitor_job;

/* Sets the defaults (model "auto", threshold 0.5, seed 20260101). */
void civ_cli_monitor_job_init(civ_cli_monitor_job *job);
/* Computes every part; on failure records the error and returns it (the
 * outputs made so far stay in the job for civ_cli_monitor_job_free). */
civ_status civ_cli_monitor_job_run(civ_cli_monitor_job *job);
/* Prints the period's alerts by department, the warnings, the risk levels,
 * the inactivity alerts and the demand flags. */
void civ_cli_monitor_job_print(const civ_cli_monitor_job *job);
/* Writes the tables into `dir` (created if missing; one level), and
 * monitoring.xlsx (civ_monitor_workbook_write: every table of the run, a sheet
 * each, in job->lang, with the tables of the parts this run did not run that
 * earlier runs left in dir as they left them, read back; not when dir's
 * workbook is a plan's, the user's or edited since), through a
 * staging folder, published together (on failure the earlier files stay as
 * they were; reports and returns the exit code); then removes the files an
 * earlier run recorded in dir/.civicast-monitor that this run did not make,
 * of the parts this run ran (indicators with their early warning, risks,
 * inactivity, demand: a run of --demand-* alone keeps status.csv), while
 * they are as that run left them and are none of this run's inputs.  Prints
 * "wrote DIR/" and then the "removed ..." line, if any. */
int civ_cli_monitor_job_write(const civ_cli_monitor_job *job, const char *dir);
void civ_cli_monitor_job_free(civ_cli_monitor_job *job);

/* The printers, over the tables (shared with `civicast plan`): the alerts of
 * period `ds` (NULL = the status table's last) by department with the counts
 * of raised, continued and cleared alerts; the ten warned series most likely
 * to miss next and how many more warn (listed_in: where they all are); the
 * risks in handling order; inactivity alerts; demand flags. */
void civ_cli_print_alerts(const civ_table *status, const civ_table *alerts, const char *ds);
void civ_cli_print_warnings(const civ_table *summary, double threshold, size_t horizon, const char *model,
                            size_t n_failed, const char *listed_in);
void civ_cli_print_risks(const civ_table *risks, const char *source);
void civ_cli_print_inactivity(const civ_table *inactivity, const char *source);
void civ_cli_print_demand(const civ_table *demand, const char *source);
/* "YYYY-MM-DD[THH:MM[:SS]]" (UTC) as seconds since 1970; 0 or -1. */
int civ_cli_monitor_parse_time(const char *text, double *out);

#endif
