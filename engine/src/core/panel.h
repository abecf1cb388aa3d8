/*
 * panel.h -- layer: core.  Internal layout of civ_panel, for the readers and writers.
 */
#ifndef CIV_PANEL_H
#define CIV_PANEL_H

#include "civicast.h"
#include "strmap.h"

typedef struct civ_panel_covariate_store {
    char *name;
    double **values; /* per series, malloc'd, len[i] doubles (NULL when 0) */
    size_t *len;     /* per series */
} civ_panel_covariate_store;

struct civ_panel {
    civ_frequency freq;
    int phase;
    civ_date_style style; /* how its dates are written (civ_panel_date_style) */
    size_t n_series, series_capacity;
    char **ids;
    int64_t *starts;
    size_t *offsets;  /* n_series + 1 entries */
    double *values;   /* all series back to back */
    size_t values_capacity;
    civ_strmap id_index;
    civ_panel_covariate_store *covariates;
    size_t n_covariates, covariates_capacity;
    civ_strmap covariate_index; /* name -> k, keys are covariates[k].name */
    civ_table *attributes;
};

/* Reserves room for n series and v values in total (no change in counts). */
civ_status civ_panel_reserve(civ_panel *panel, size_t n_series, size_t n_values);
/* Two series whose ids differ only by spaces or tabs around one of them ('0101 ' and '0101': a cell Excel
 * kept with a trailing space) are one community split in two: CIV_ERR_DUPLICATE naming both, with the cure
 * (=TRIM()), at `file` (NULL for a frame) and `field`, the id column's name.  `index` maps every id of
 * ids[0..n) to its position.  The one check of the CSV panel reader and civ_panel_add_series_many (Python's
 * frames), so a frame and the same CSV give the same error. */
civ_status civ_ids_split_by_spaces(char *const *ids, size_t n, const civ_strmap *index, const char *file,
                                   const char *field);
/* Reads the panel's ids as an integer column that pandas wrote as floats
 * when they are one (civ_whole_float_ids: series '310101001.0' becomes
 * '310101001'), in place, the id index rebuilt; other ids are left as they
 * are.  Called by the panel readers (CSV long and wide) and
 * civ_panel_add_series_many (Python's frames) once all series are in.
 * Errors: CIV_ERR_DUPLICATE when two series become one ('7' and '7.0'),
 * CIV_ERR_OUT_OF_MEMORY; the panel is then to be freed. */
civ_status civ_panel_whole_float_ids(civ_panel *panel);
/* Sets covariate k of series i taking ownership of `values` (malloc'd). */
civ_status civ_panel_set_covariate_owned(civ_panel *panel, size_t i, size_t k, double *values, size_t len);

/* The long layout's rows of series i (the CSV and .xlsx panel writers):
 * civ_panel_long_span is the number of periods from the series' start that
 * may have a row (its values and its covariates' future values);
 * civ_panel_long_row is 1 when period t (< that span) has one: an observed
 * period, or a future one where some covariate has a value.  A series with
 * no row at all is still written, as one row at its start. */
size_t civ_panel_long_span(const civ_panel *panel, size_t i);
/* The period of series i's first forecast (h = 1): the one after its last value; for a series with no observed
 * value (a wide sheet's empty row, a community that sent only empty cells), the one after the panel's last period,
 * where the other series' forecasts start, so that its empty forecast rows are dated with theirs.  *end caches
 * the panel's last period between calls on one panel: set it to INT64_MIN before the first. */
int64_t civ_panel_next_period(const civ_panel *panel, size_t i, int64_t *end);
int civ_panel_long_row(const civ_panel *panel, size_t i, size_t t);

/* A new panel of the first min(lengths[i], n_i) values of every series of
 * `panel` (0 gives an empty series), with the same ids, starts, frequency,
 * phase and date style; no covariates or attributes.  *out owns it (free with
 * civ_panel_free).  Backtests calibrate conformal intervals on such prefixes.
 * Errors: CIV_ERR_INVALID_ARGUMENT (NULL), CIV_ERR_OUT_OF_MEMORY. */
civ_status civ_panel_prefixes(const civ_panel *panel, const size_t *lengths, civ_panel **out);
/* civ_panel_add_series keeping the series' trailing NaN: a hierarchy's aggregate on the common grid of its
 * members (civ_hier_aggregate), missing at the last periods where a member is (a backtest window's cutoff),
 * so that its forecasts start where its members' do.  Errors as civ_panel_add_series. */
civ_status civ_panel_add_series_grid(civ_panel *panel, const char *id, int64_t start, const double *values, size_t n);
/* A new panel of every series cut after period `last` (trailing NaN kept, as civ_panel_prefixes keeps them); a
 * series with no period by then (absent[i] = 1, else 0) as one 0 at `last`, the 0 an aggregate counts before a
 * series' first period (civ_hier_backtest's windows).  Errors: CIV_ERR_INVALID_ARGUMENT, CIV_ERR_OUT_OF_MEMORY. */
civ_status civ_panel_cut(const civ_panel *panel, int64_t last, unsigned char *absent, civ_panel **out);

#endif
