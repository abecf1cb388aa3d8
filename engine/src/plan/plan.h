/*
 * plan.h -- layer plan (over core and io; forecast and alloc through the
 * public API only): the layout of civ_plan, shared by the reader (read.c)
 * and the runner (run.c).
 */
#ifndef CIV_PLAN_H
#define CIV_PLAN_H

#include <stdint.h>

#include "civicast.h"

#define CIV_PLAN_PATH_MAX 4096 /* bytes of a path, with its NUL */
#define CIV_PLAN_MAX_LEVELS 8
#define CIV_PLAN_MAX_SCOPES 8
#define CIV_PLAN_MAX_BT_MODELS 8

/* The plan's input tables that may carry rows above their header, each with its own key (read.c's skip_keys). */
enum { CIV_PLAN_IN_PANEL, CIV_PLAN_IN_COMMUNITIES, CIV_PLAN_IN_LAST_YEAR, CIV_PLAN_IN_ACTUALS, CIV_PLAN_IN_RISKS,
       CIV_PLAN_IN_EVENTS, CIV_PLAN_IN_DEMAND, CIV_PLAN_INPUTS };

struct civ_plan {
    char path[CIV_PLAN_PATH_MAX];                 /* the plan file as given */
    char dir[CIV_PLAN_PATH_MAX];                  /* its folder ("" = the working folder) */
    char panel[CIV_PLAN_PATH_MAX], communities[CIV_PLAN_PATH_MAX], spec[CIV_PLAN_PATH_MAX],
        out[CIV_PLAN_PATH_MAX];
    char last_year[CIV_PLAN_PATH_MAX];            /* last year's allocation (civ_plan_set_last_year; "" = the spec's) */
    char model[128];
    char freq[32], encoding[32], thousands[8];    /* [plan] freq, encoding, thousands ("" = not set) */
    char id_column[256], time_column[256], target_column[256]; /* [plan] id_column, ... ("" = not set) */
    int wide;                                     /* [plan] layout = "wide": the panel is wide */
    int percent;                                  /* [plan] percent = true: "33.3%" reads as 0.333 */
    char panel_sheet[256], communities_sheet[256]; /* [plan] panel_sheet, communities_sheet: an .xlsx input's */
    char last_year_sheet[256]; /* [plan] last_year_sheet: last year's allocation's, when an .xlsx ("" = found) */
    int skip_rows[CIV_PLAN_INPUTS]; /* [plan] panel_skip_rows, ..., [monitor] actuals_skip_rows, ... (0 = none) */
    char lang[8];                                 /* the report's language: "zh" (default) or "en" */
    size_t horizon;
    double levels[CIV_PLAN_MAX_LEVELS];
    size_t n_levels;
    int levels_set;                               /* else {80, 95} */
    int intervals;                                /* [forecast] intervals: CIV_INTERVALS_* of every forecast */
    char unit[64];                                /* [forecast] unit of the panel's values (人次; "" = not stated) */
    char totals[8];                               /* [forecast] totals: "bu" (default) or "sum" (totals.c) */
    size_t conformal_windows, conformal_step;     /* [forecast] conformal_*: civ_forecast_options' (0 = default) */
    size_t conformal_sample;                      /* 0 = default (every series); SIZE_MAX = "all" */
    int conformal_refit;                          /* CIV_CONFORMAL_REFIT_* */
    int threads;
    uint64_t seed;
    size_t draws;
    uint64_t unc_seed;
    double concentration;
    int unc_forecasts;
    int has_need;                                 /* the file has a [need] section */
    /* [monitor] (monitor_stage.c); paths "" when absent */
    int has_monitor;
    char mon_indicators[CIV_PLAN_PATH_MAX], mon_actuals[CIV_PLAN_PATH_MAX], mon_risks[CIV_PLAN_PATH_MAX],
        mon_matrix[CIV_PLAN_PATH_MAX], mon_events[CIV_PLAN_PATH_MAX], mon_demand[CIV_PLAN_PATH_MAX];
    char mon_model[128];                          /* "" = the [forecast] model */
    size_t warn_h;                                /* 0 = no early warning */
    double threshold;
    char warn_scopes[CIV_PLAN_MAX_SCOPES][64];
    size_t n_warn_scopes;
    int64_t mon_period;
    int mon_period_set;
    civ_date_form mon_period_form;
    char mon_period_text[64];                     /* as written, for civ_monitor_period_of */
    int mon_local_times;                          /* local_times: events' zone-less times are local (naive_local) */
    double mon_utc_offset;                        /* utc_offset_hours: local time = UTC + this; 8 when not written */
    int mon_utc_offset_set;
    /* [backtest] (read.c; run by backtest_stage.c) */
    int has_backtest;
    size_t bt_windows, bt_step;
    size_t bt_h;                                  /* 0 = 12, or the horizon if shorter */
    char bt_models[CIV_PLAN_MAX_BT_MODELS][128];  /* none = the plan's model and "snaive" */
    size_t bt_n_models;
};

/* An input file of a run, as the manifest records it (hashed before the run). */
#define CIV_PLAN_MAX_INPUTS 12
typedef struct civ_plan_input {
    char role[32];                 /* "plan", "panel", "communities", "spec", "[monitor] actuals", ... */
    char path[CIV_PLAN_PATH_MAX];
    long long bytes;
    char sha256[65];
} civ_plan_input;

struct civ_plan_result {
    civ_table *tables[CIV_PLAN_TABLE_COUNT];
    civ_alloc_spec *spec;
    civ_monitor_spec *mon_spec;    /* the [monitor] indicator file, for monitoring.xlsx's names and formats */
    civ_plan_stats stats;
    civ_plan plan;                 /* the settings the run used (for the manifest and the report) */
    civ_plan_input inputs[CIV_PLAN_MAX_INPUTS];
    size_t n_inputs;
    double total_seconds;          /* civ_plan_run, wall clock */
};

/* The names a plan writes into its folder (<table>.csv, allocation.xlsx, monitoring.xlsx,
 * report.html, charts, manifest.json) into names[0..CIV_PLAN_MAX_MANAGED);
 * returns the count.  buf holds the .csv names.  (write.c) */
#define CIV_PLAN_MAX_MANAGED (CIV_PLAN_TABLE_COUNT + 5)
size_t civ_plan_managed_names(const char **names, char (*buf)[64]);
/* Before anything runs: no output of the plan's folder is one of its inputs,
 * and the folder can be published (civ_staging_check_folder).  (write.c) */
civ_status civ_plan_check_outputs(const civ_plan *p);

/* civ_plan_input_error with the spec whose [data] last_year_file the run read (NULL: none), so that its errors
 * name last_year_skip_rows too.  (read.c) */
civ_status civ_plan_input_error_spec(const civ_plan *p, const civ_alloc_spec *spec, civ_status s);

struct civ_toml_table;
/* Reads the [monitor] section into c (monitor_stage.c).  Errors: CIV_ERR_SPEC
 * with file:line:column and the key. */
civ_status civ_plan_read_monitor(civ_plan *c, struct civ_toml_table *t);

/* How the plan's CSV inputs are written ([plan] encoding, thousands, percent),
 * as the readers' options: one place for every table and panel the plan
 * reads (the communities, the [monitor] tables; the panel adds its columns). */
static inline civ_table_read_options civ_plan_table_options(const civ_plan *p, const char *const *text_columns)
{
    civ_table_read_options o = {.text_columns = text_columns, .encoding = p->encoding[0] ? p->encoding : NULL,
                                .thousands = p->thousands, .percent = p->percent};
    return o;
}
static inline civ_panel_read_options civ_plan_panel_options(const civ_plan *p)
{
    civ_panel_read_options o = {.freq = {CIV_FREQ_UNKNOWN, CIV_ANCHOR_PERIOD, -1},
                                .encoding = p->encoding[0] ? p->encoding : NULL,
                                .thousands = p->thousands,
                                .percent = p->percent};
    return o;
}

/* How every forecast of the plan makes its intervals ([forecast] intervals and
 * conformal_*): one place for the demand forecasts, the early warning and the
 * backtest windows, so the backtest measures the intervals the plan publishes. */
static inline void civ_plan_interval_options(const civ_plan *p, civ_forecast_options *fo)
{
    fo->intervals = p->intervals;
    fo->conformal_windows = p->conformal_windows;
    fo->conformal_step = p->conformal_step;
    fo->conformal_sample = p->conformal_sample;
    fo->conformal_refit = p->conformal_refit;
}

/* Runs the monitoring stage into tables[CIV_PLAN_MONITOR_STATUS ..
 * CIV_PLAN_DEMAND]; `forecasts` is the plan's forecast table (for the demand
 * check); *n_failed gets the early-warning forecasts that failed; *spec
 * the indicator file read (NULL without one; the caller frees it), which
 * monitoring.xlsx names and formats its indicators by; period_label the
 * period of [monitor] period as the outputs write it ("" when not set:
 * the last period), civ_monitor_period_of's. */
civ_status civ_plan_stage_monitor(const civ_plan *p, const civ_table *forecasts, civ_table **tables,
                                  size_t *n_failed, civ_monitor_spec **spec, char *period_label, size_t label_size);

/* The models the backtest stage runs into models[0..CIV_PLAN_MAX_BT_MODELS)
 * (borrowed from p): [backtest] models, else the plan's model and the
 * seasonal naive (once, when the plan's model is itself the seasonal naive);
 * returns the count.  (backtest_stage.c) */
size_t civ_plan_backtest_models(const civ_plan *p, const char **models);
/* The backtest stage (backtest_stage.c): civ_backtest_panel of the plan's
 * [backtest] on `panel` (the panel the forecast stage read) into
 * tables[CIV_PLAN_BACKTEST] and tables[CIV_PLAN_BACKTEST_ACCURACY], its
 * figures into *stats; progress as "backtest" (tasks). */
civ_status civ_plan_stage_backtest(const civ_plan *p, const civ_panel *panel, civ_table **tables,
                                   civ_plan_stats *stats, civ_plan_progress_fn progress, void *progress_user);

/* history.csv (history.c): the last `periods` observations of every series
 * of `panel` as unique_id, ds (the panel's date style), y (NaN = missing),
 * series in panel order.  civ_plan_history_periods gives the periods a plan
 * keeps: its horizon, at least CIV_PLAN_HISTORY_MIN. */
#define CIV_PLAN_HISTORY_MIN 24
size_t civ_plan_history_periods(size_t horizon);
civ_status civ_plan_history_table(const civ_panel *panel, size_t periods, civ_table **out);

/* forecast_totals.csv (totals.c): the city's total and each district's (comm's "district" column, keyed by
 * its text column `key`; without them, the city alone) from the plan's forecast table fc (unique_id, ds, h,
 * mean, lo-<L>, hi-<L>), method "sum": the sums of the communities' means and bounds.  The plan passes its
 * allocation table (unique_id, district: the spec's [data] district), whose districts the report shows.
 * *out stays NULL, with CIV_OK, when fc lacks those columns.  Errors: CIV_ERR_OUT_OF_MEMORY. */
civ_status civ_plan_totals_table(const civ_table *fc, const civ_table *comm, const char *key, civ_table **out);

/* forecast_totals.csv by method "bu" (totals.c): the city's and each district's total (the allocation's
 * unique_id and district columns) from civ_hier_forecast of the district hierarchy over `panel` with `opt`
 * (its method is the caller's: CIV_RECONCILE_BU), in the same layout as civ_plan_totals_table's, method "bu".
 * The series without a forecast in `fc` (the plan's forecasts: no mean at any step) are left out, so they
 * count 0, as in the allocation and the sum.  When it cannot be made here (no district column, a series without
 * a district, no forecast at all, an aggregate whose forecast failed, series ending at different periods) *out stays
 * NULL, `why` says why in a sentence (the caller then writes the sum) and CIV_OK is returned.  *n_uncalibrated:
 * civ_hier_result_n_uncalibrated.  Errors: CIV_ERR_INVALID_ARGUMENT (NULL), CIV_ERR_OUT_OF_MEMORY,
 * CIV_ERR_CANCELLED (opt's progress said stop). */
civ_status civ_plan_totals_bu(const civ_panel *panel, const civ_table *fc, const civ_table *alloc,
                              const civ_hier_options *opt, civ_table **out, size_t *n_uncalibrated, char *why,
                              size_t why_size);

/* The ends of a panel's series (align.c): the panel's last period (the
 * latest end), the series that end before it and how far the stalest is
 * behind. */
typedef struct civ_plan_ends {
    int64_t end;      /* the panel's last period */
    size_t n_late;    /* series ending before it */
    size_t max_gap;   /* periods between the stalest series' end and `end` */
    size_t stalest;   /* that series' index */
} civ_plan_ends;
void civ_plan_panel_ends(const civ_panel *panel, civ_plan_ends *out);
/* CIV_ERR_NOT_FOUND, naming both files and the likely cause (spaces, lost
 * leading zeros, a total row), for the first series of `panel` without a
 * row keyed `key` in `comm`; CIV_OK when `key` is not a text column of comm
 * (the allocation's binding reports that).  *n_no_series gets the number of
 * communities with no series in the panel (a new estate with no data yet),
 * whose forecast demand is then what the spec's if_missing says. (align.c) */
civ_status civ_plan_check_ids(const civ_panel *panel, const char *panel_path, const civ_table *comm,
                              const char *comm_path, const char *key, size_t *n_no_series);
/* The rows of the forecast table `all` (h = 1..H + gap from each series'
 * own end) that fall in the `horizon` periods after `end`, renumbered h =
 * 1..horizon from there: every series' forecasts cover the same months.
 * (align.c) */
civ_status civ_plan_align_forecasts(const civ_table *all, const civ_panel *panel, int64_t end, size_t horizon,
                                    civ_table **out);

/* [data] predecessors (join.c; docs/FORECASTING.md "When the map changes"): when the spec names the
 * column, *panel becomes a new panel (*joined, the caller frees it) in which each merged or renamed
 * community continues its predecessors' summed history (civ_panel_join_predecessors over the communities
 * table), *joins gets what was joined, and stats gets n_joined, n_not_joined and n_predecessor_series.
 * Without the key nothing changes.  Errors: those of civ_panel_join_predecessors, naming comm_path. */
civ_status civ_plan_join_predecessors(const civ_alloc_spec *spec, const civ_table *comm, const char *comm_path,
                                      const civ_panel **panel, civ_panel **joined, civ_table **joins,
                                      civ_plan_stats *stats);
/* Adds to the explanation of each community of `joins` (the allocation table's "explanation", at the end of
 * its first clause) where its demand history came from: joined from its predecessors, or its own months only
 * and why, counted in the periods of freq, the panel's (30 个月 / 30 months, 8 个季度 / 8 quarters, 3 年 /
 * 3 years); in Chinese when zh, else English (the plan report translates the English, report_zh.c). */
civ_status civ_plan_explain_joins(const civ_table *joins, int zh, civ_frequency freq, civ_table *allocation);

#endif
