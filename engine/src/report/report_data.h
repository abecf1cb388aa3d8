/*
 * report_data.h -- layer report: what the plan report shows, read from a
 * plan's output folder (CSV tables only, so a report can be rebuilt from the
 * folder alone).  report_data.c holds the one mapping from the tables'
 * column names to these fields; the charts and the page read only this.
 *
 * Money is in yuan (major units) here, whatever the tables carry (fen columns
 * are divided by 100).  Missing numbers are NaN, missing texts "".
 */
#ifndef CIV_REPORT_DATA_H
#define CIV_REPORT_DATA_H

#include <stddef.h>

#include "civicast.h"

typedef struct rep_comm {
    const char *id, *name, *district, *street, *binding, *explanation, *model;
    double amount, last_year, change_pct, population, aged, p5, p50, p95;
    double before;          /* amount before the constraints (stages table), NaN if unknown */
    size_t district_index;  /* into rep_data.groups (district level) */
} rep_comm;

/* A district or a street: totals in data order of first appearance. */
typedef struct rep_group {
    const char *name, *district; /* district: the street's district ("" for districts) */
    double amount, last_year, population, aged, p5, p95, amount_mc;
    size_t communities;
    int is_street;
} rep_group;

typedef struct rep_row { /* a summary row: section, name, amount (yuan), count, value */
    const char *section, *name;
    double amount, count, value;
    const char *label;    /* the spec's label of a reserve, pool or fund ("" or NULL: none) */
} rep_row;

/* The name people read of a summary row: its label, else its name. */
static inline const char *rep_row_label(const rep_row *x) { return x->label && *x->label ? x->label : x->name; }

typedef struct rep_fc { /* one forecast step of one community */
    size_t comm;     /* index into comms, or (size_t)-1 when not allocated */
    const char *ds;
    double h, mean, lo80, hi80, lo95, hi95;
} rep_fc;

typedef struct rep_tot { /* one step of the city's or a district's total (forecast_totals.csv) */
    size_t group;    /* index into groups (a district), or (size_t)-1 for the city */
    const char *ds;
    double h, mean, lo80, hi80, lo95, hi95;
} rep_tot;

typedef struct rep_hist { /* one observed period of one community (history.csv) */
    size_t comm;     /* index into comms */
    const char *ds;
    double y;
} rep_hist;

typedef struct rep_need_year {
    double year, need, standard, demand;
} rep_need_year;

typedef struct rep_step { /* one rule's effect in the waterfall, yuan */
    const char *effect;
    double gained, lost, net;
} rep_step;

typedef struct rep_data {
    civ_table *t_alloc, *t_sum, *t_fc, *t_frep, *t_needs, *t_unc, *t_wf, *t_stages, *t_backtest, *t_monitor;
    civ_table *t_status, *t_risk, *t_risks; /* monitoring: indicator statuses, the risk matrix, the risks */
    civ_table *t_warn, *t_inact, *t_demand; /* monitoring: early warning, inactivity alerts, demand check */
    civ_table *t_units;   /* units.csv (scope, unit, name: `monitor --names`), NULL when absent */
    civ_table *t_period;  /* period.csv (period: the alerts' period of a `monitor --out` run), NULL when absent */
    civ_table *t_hist;    /* history.csv */
    civ_table *t_tot;     /* forecast_totals.csv, NULL when absent (an older folder: bands summed here) */
    civ_table *t_btw;     /* backtest.csv (one row per series, cutoff, model and step), NULL when absent */
    civ_table *t_btf;     /* backtest_failures.csv (one row per failed window: reason, values), NULL when absent */
    rep_comm *comms;
    size_t n_comms;
    rep_group *groups;    /* districts then streets */
    size_t n_groups, n_districts;
    rep_row *rows;        /* allocation_summary.csv */
    char **row_names;     /* names made for the tidy summary's rows (owned) */
    size_t n_rows;
    rep_fc *fc;
    size_t n_fc;
    rep_tot *tot;         /* forecast_totals.csv's rows of the city and of known districts, file order */
    size_t n_tot;
    const char *tot_method; /* its method column ("sum"), "" when absent */
    rep_hist *hist;       /* history rows of allocated communities, file order */
    size_t n_hist;
    rep_need_year *need;
    size_t n_need;
    rep_step steps[16];
    size_t n_steps;
    double per_minor;     /* major units per minor unit (0.01 for fen) */
    char currency[16];    /* ISO code of the plan's money ("CNY" unless the spec or manifest says otherwise) */
    char currency_zh[24]; /* its Chinese name (元, 美元), or "" when it has none (the code is shown) */
    char money_unit[2][2][48]; /* [big][zh]: CNY / 元, CNY million / 万元 (rep_money_unit) */
    double base_total;    /* waterfall: total before any rule (yuan), NaN if unknown */
    int has_mc, has_name, has_street, has_population, has_aged, has_last_year, has_before;
    int has_workbook;     /* the folder has allocation.xlsx (the plan's workbook for the budget office) */
    int has_monitor_workbook; /* the folder has monitoring.xlsx (the monitoring's workbook for the departments) */
    const char *monitor_file, *backtest_file, *status_file, *risk_file, *risks_file; /* file names found, or NULL */
    const char *warn_file, *inact_file, *demand_file;                                 /* likewise */
    /* backtest.csv (the windows behind backtest_accuracy.csv), when present: */
    size_t bt_series, bt_h;           /* series backtested (0: no backtest.csv), the longest step ahead */
    char bt_first[32], bt_last[32];   /* the earliest and the latest cutoff */
    civ_frequency freq;   /* the demand's periods, from the ds of forecasts.csv and history.csv (UNKNOWN: not known);
                             in a monitoring folder, from the monitoring tables' ds */
    int monitor_only;     /* a monitoring's folder (`civicast monitor --out`): no allocation, only the monitoring
                             tables read (its forecasts.csv is the indicators', not the demand's) */
} rep_data;

/* Reads the tables of `outdir`; allocation.csv and allocation_summary.csv are
 * required, the others optional; a folder with neither but with a monitoring's
 * tables (alerts.csv, status.csv, warning.csv, risks.csv, risk_matrix.csv,
 * inactivity.csv, demand.csv or a plan's names of them, each with the column
 * that makes it a monitoring's output) is read as a monitoring folder
 * (monitor_only: those tables alone); a folder with neither is CIV_ERR_IO
 * naming what a report needs.  currency (an ISO code) and minor_unit (minor
 * units per major unit) are the plan's, from its spec or manifest.json; NULL
 * and 0 when unknown (an older folder): CNY when allocation.csv's columns are
 * CNY's (amount_fen, amount_yuan), refused when they are another currency's
 * (amount_minor, amount_major) or a bare amount; the minor unit the summary
 * implies, or for minor and major columns their ratio.  Money columns are read
 * under their CNY names or another currency's.  Errors: CIV_ERR_IO / CIV_ERR_PARSE from the
 * reader (naming the file), CIV_ERR_MISSING_COLUMN naming the file and the
 * column names accepted, CIV_ERR_DOMAIN (the currency, above), CIV_ERR_OUT_OF_MEMORY.  Free with rep_data_free. */
civ_status rep_data_load(const char *outdir, const char *currency, long minor_unit, rep_data *d);
/* The Chinese name of a currency's major unit (CNY 元, USD 美元, EUR 欧元, HKD 港元, ...), or NULL for a code
 * the report has no name for (it then shows the code). */
const char *rep_currency_zh(const char *code);
void rep_data_free(rep_data *d);

/* The summary row (section, name), or NULL. */
const rep_row *rep_data_row(const rep_data *d, const char *section, const char *name);

#endif
