/*
 * monitor.h -- layer monitor (over core and io): the internal layout of the
 * indicator spec and of a bound monitor (spec.c, status.c, warn.c) and the
 * helpers every file of the layer shares (risk.c and inactivity.c use the
 * sort and the table helpers).  Only this layer's folder holds it
 * (tests/layers/check.py).
 */
#ifndef CIV_MONITOR_H
#define CIV_MONITOR_H

#include <stdint.h>

#include "civicast.h"
#include "error.h"
#include "strmap.h"
#include "table.h"
#include "toml.h"

typedef enum { CIV_MON_RATE = 1, CIV_MON_COUNT = 2, CIV_MON_LEVEL = 3 } civ_mon_kind;
typedef enum { CIV_MON_CONSTANT = 1, CIV_MON_TABLE = 2, CIV_MON_PATH = 3 } civ_mon_target_kind;

/* A date as written in the spec (form + civ_date_parse value) and where. */
typedef struct civ_mon_date {
    civ_date_form form;
    int64_t value;
    long line, column;
} civ_mon_date;

typedef struct civ_mon_indicator {
    char *id, *name, *unit, *department;
    civ_mon_kind kind;
    int lower_better;
    long alert_after;
    civ_mon_target_kind target_kind;
    double target;                 /* CONSTANT */
    civ_mon_date *from;            /* TABLE: step starts, increasing */
    double *values;
    size_t n_steps;
    double change;                 /* PATH: relative change, e.g. -0.30 */
    civ_mon_date base, by;
    long line, column;             /* of the [[indicator]] header */
} civ_mon_indicator;

/* A unit closed (merged away, 撤并) from a period on: a [[closed]] table of the indicator file. */
typedef struct civ_mon_closed {
    char *unit, *into, *note;      /* into and note: NULL when not given */
    civ_mon_date from;             /* the first period the unit no longer exists */
    long line, column;             /* of the unit's value */
    long into_line, into_column;   /* of into's value */
} civ_mon_closed;

struct civ_monitor_spec {
    char *path;
    civ_mon_indicator *ind;
    size_t n_ind;
    civ_strmap index;              /* id -> indicator */
    long alert_after;
    char *unit_column, *scope;
    char *indicator_column, *time_column, *value_column, *denominator_column; /* the actuals' own names */
    const char **text_columns;     /* NULL-terminated: the actuals' columns read as text */
    char **rollup;
    size_t n_rollup;
    civ_mon_closed *closed;        /* [[closed]] tables, file order */
    size_t n_closed;
};

/* Alert codes of the status state machine. */
/* CLOSED: an alert open when its unit closed (or every unit of its roll-up group), ended with it. */
enum { CIV_MON_ALERT_NONE = 0, CIV_MON_ALERT_RAISED, CIV_MON_ALERT_CONTINUED, CIV_MON_ALERT_CLEARED,
       CIV_MON_ALERT_CLOSED };
/* Status codes. */
/* NOT_STARTED: a period before the series' first row (a unit added later; a roll-up before any of
 * its units reported), which is not a period the unit failed to report.  CLOSED: a period from the
 * unit's [[closed]] period on (a roll-up: every unit it had is closed), which is not one either. */
enum { CIV_MON_MET = 0, CIV_MON_MISSED, CIV_MON_NO_DATA, CIV_MON_NO_TARGET, CIV_MON_NOT_STARTED, CIV_MON_CLOSED };

/* One monitored series: a scope's unit and an indicator, over the periods
 * first .. first + n_periods - 1 of the monitor. */
typedef struct civ_mon_series {
    size_t scope;                  /* 0 = units, 1..n_rollup, n_rollup + 1 = city */
    char *unit;
    size_t ind;
    size_t n_units;                /* units aggregated in the last period (1 for a unit) */
    size_t start;                  /* a unit's first period with a row (0 for a roll-up) */
    size_t end;                    /* a unit's closing period ([[closed]] from; n_periods when open) */
    double base;                   /* PATH: the base value (a count roll-up's: per unit aggregated), else NaN */
    double *value, *den, *target;  /* n_periods each (slices of one buffer) */
    int *status, *misses, *alert;
    int *members;                  /* units aggregated per period: those whose first row is at or before it */
} civ_mon_series;

struct civ_monitor {
    const civ_monitor_spec *spec;
    civ_frequency freq;
    int64_t first;
    size_t n_periods;
    civ_mon_series *series;        /* sorted by scope, unit, indicator */
    size_t n_series;
    civ_strmap by_id;              /* "scope:unit:indicator" -> series */
    char **ids;
    double *numbers;               /* storage of the series' arrays */
    unsigned char *whole;          /* per indicator: a count whose reported values are all whole numbers */
    int *ints;
};

/* The scope name of series scope s. */
const char *civ_mon_scope_name(const civ_monitor *m, size_t s);
/* Target of indicator `ind` for a series with base `base` aggregating
 * n_units units at period t (in the monitor's frequency); NaN when none.  A
 * count's target scales with n_units (a count roll-up's path base is per unit)
 * and, for a count whose values are all whole (m->whole), is then the whole
 * number it allows: rounded up when lower is better, down when higher is. */
double civ_mon_target_at(const civ_monitor *m, const civ_mon_indicator *ind, double base, size_t n_units,
                         int64_t t);
/* A spec date as the first / last period of its span in `freq`; -1 when the
 * frequency cannot express it (a month for quarterly data). */
int civ_mon_date_span(const civ_mon_date *d, civ_frequency freq, int64_t *lo, int64_t *hi);
/* Frequency of a date form (0 for days). */
civ_frequency civ_mon_form_freq(civ_date_form form);
/* Does `actual` meet `target` in the indicator's direction? */
int civ_mon_meets(const civ_mon_indicator *ind, double actual, double target);
/* Reads the text of a table cell that may be a number column (ds "2024"). */
const char *civ_mon_cell_text(const civ_table *t, size_t row, size_t col, char *buf, size_t size);
/* Where data row `row` of t is, as its reader counts: a CSV file's line (line breaks inside quoted cells
 * counted: civ_table_row_line), a workbook sheet's row as Excel numbers it (header row 1), else row + 2, the
 * line of df.to_csv(index=False) (Python names a DataFrame's row from it).  For error paths: a CSV is read
 * again. */
long civ_mon_row_line(const civ_table *t, size_t row);
/* The word for civ_mon_row_line's number in a message naming another row: "row" in a workbook sheet (as Excel
 * shows it), else "line" (a file's; Python turns a DataFrame's into its row). */
const char *civ_mon_line_word(const char *source);
/* The interval columns of a forecast table: levels and lo/hi column pairs
 * (up to 16); returns the count. */
size_t civ_mon_interval_columns(const civ_table *t, double *levels, size_t *lo, size_t *hi);
/* Fitted side scales of a forecast step (see civ_monitor_warn). */
void civ_mon_side_sigmas(const civ_table *t, size_t row, double mean, size_t n_lv, const double *levels,
                         const size_t *lo, const size_t *hi, double *s_lo, double *s_hi);

/* The kind's name as the indicator file writes it and the tables' kind column holds it: "rate", "count",
 * "level" (value_text.c). */
const char *civ_mon_kind_name(civ_mon_kind kind);

/* Stable sort of indices by cmp(ctx, a, b).  Errors: CIV_ERR_OUT_OF_MEMORY. */
civ_status civ_mon_sort(size_t *idx, size_t n, int (*cmp)(const void *ctx, size_t a, size_t b), const void *ctx);
/* Appends n columns to a table. */
civ_status civ_mon_add_columns(civ_table *t, const char *const *names, const civ_column_type *types, size_t n);

#endif
