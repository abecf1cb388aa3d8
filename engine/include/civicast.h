/*
 * civicast.h -- the one public header of civicast: the whole stable C API.
 *
 * civicast forecasts demand for community services and allocates public funds
 * across communities by weighted factors.  Data flows one way:
 *     read -> panel -> models (forecast) -> allocation -> write
 *
 * Conventions that hold for every declaration below:
 *  - Every function that can fail returns a civ_status (0 = CIV_OK).  On failure
 *    civ_last_error() gives the thread-local detail: what went wrong and where
 *    (file, line, column, series id, field).  The library never prints, never
 *    exits and never aborts.
 *  - The caller owns inputs and outputs.  Objects are created through an
 *    out-pointer by a *_create / *_read function and released by the matching
 *    *_free function, which accepts NULL.
 *  - Strings are UTF-8 and NUL-terminated; they are copied on input.
 *  - Missing values are NaN.  Money is integer minor units (e.g. fen) at the
 *    output boundary.  Time is a period index plus a frequency (see civ_period).
 *  - Pointers returned by accessors ("borrowed") stay valid until the owning
 *    object is modified or freed.
 *
 * Copyright (C) 2026 the civicast authors.  SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CIVICAST_H
#define CIVICAST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Version                                                                  */
/* ------------------------------------------------------------------------ */

#define CIV_VERSION_MAJOR 0
#define CIV_VERSION_MINOR 1
#define CIV_VERSION_PATCH 0
#define CIV_VERSION_NUMBER (CIV_VERSION_MAJOR * 10000 + CIV_VERSION_MINOR * 100 + CIV_VERSION_PATCH)
#define CIV_VERSION_STRING "0.1.0"

#if defined(CIV_BUILDING_LIBRARY) && defined(__GNUC__)
#define CIV_API __attribute__((visibility("default")))
#else
#define CIV_API
#endif

/** The library's version as CIV_VERSION_NUMBER of the build that is loaded
 *  (which may differ from the header the caller compiled against). */
CIV_API unsigned civ_version_number(void);
/** The library's version string, e.g. "0.1.0".  Static storage. */
CIV_API const char *civ_version(void);

/* ------------------------------------------------------------------------ */
/* Status codes and errors                                                  */
/* ------------------------------------------------------------------------ */

/* The single list of status codes: name, value, message.  The CLI maps them to
 * exit codes (see docs/CLI.md); the Python package to exception text. */
#define CIV_STATUS_LIST(X)                                                     \
    X(CIV_OK, 0, "ok")                                                         \
    X(CIV_ERR_INVALID_ARGUMENT, 1, "invalid argument")                         \
    X(CIV_ERR_OUT_OF_MEMORY, 2, "out of memory")                               \
    X(CIV_ERR_IO, 3, "input/output error")                                     \
    X(CIV_ERR_PARSE, 4, "malformed input")                                     \
    X(CIV_ERR_DATE, 5, "bad date")                                             \
    X(CIV_ERR_DUPLICATE, 6, "duplicate key")                                   \
    X(CIV_ERR_FREQUENCY, 7, "inconsistent frequency")                          \
    X(CIV_ERR_MISSING_COLUMN, 8, "missing column")                             \
    X(CIV_ERR_NOT_FOUND, 9, "not found")                                       \
    X(CIV_ERR_SCHEMA, 10, "unsupported file schema")                           \
    X(CIV_ERR_LIMIT, 11, "size limit exceeded")                                \
    X(CIV_ERR_DOMAIN, 12, "value out of domain")                               \
    X(CIV_ERR_TOO_SHORT, 13, "series too short")                               \
    X(CIV_ERR_NUMERIC, 14, "numerical failure")                                \
    X(CIV_ERR_SPEC, 15, "invalid specification")                               \
    X(CIV_ERR_INFEASIBLE, 16, "infeasible constraints")                        \
    X(CIV_ERR_UNSUPPORTED, 17, "unsupported operation")                        \
    X(CIV_ERR_CANCELLED, 18, "cancelled")                                      \
    X(CIV_ERR_INTERNAL, 19, "internal error")

typedef enum civ_status {
#define CIV_STATUS_ENUM_(name, value, message) name = value,
    CIV_STATUS_LIST(CIV_STATUS_ENUM_)
#undef CIV_STATUS_ENUM_
    CIV_STATUS_COUNT_
} civ_status;

/** A short English description of a status ("malformed input").  Static
 *  storage; unknown codes give "unknown status". */
CIV_API const char *civ_strerror(civ_status status);
/** The symbolic name of a status ("CIV_ERR_PARSE").  Static storage. */
CIV_API const char *civ_status_name(civ_status status);

/** Detail of the last failure on the calling thread.  Fields that do not apply
 *  are empty strings or 0.  Long values (file names, series ids) are truncated
 *  with "..." so the struct has a fixed size. */
typedef struct civ_error {
    civ_status status;   /* the status that was returned */
    char message[512];   /* what was wrong, one line, no location */
    char file[512];      /* file being read or written, or "" */
    long line;           /* 1-based line (CSV: physical line), or 0 */
    long column;         /* 1-based column (CSV: field number), or 0 */
    char series_id[256]; /* series or community id involved, or "" */
    char field[128];     /* column, attribute or spec field involved, or "" */
    char text[1536];     /* all of it on one line: "file:line:col: message (series 'x', field 'y')" */
} civ_error;

/** The thread-local detail of the last failure of a civicast call on this
 *  thread.  Successful calls do not clear it; civ_clear_error() does.  Never
 *  NULL; the storage belongs to the library and lives as long as the thread. */
CIV_API const civ_error *civ_last_error(void);
/** Shorthand for civ_last_error()->text. */
CIV_API const char *civ_last_error_message(void);
/** Resets the calling thread's last error to CIV_OK. */
CIV_API void civ_clear_error(void);

/* ------------------------------------------------------------------------ */
/* Frequencies and periods                                                  */
/* ------------------------------------------------------------------------ */

typedef enum civ_frequency {
    CIV_FREQ_UNKNOWN = 0,
    CIV_FREQ_YEARLY = 1,    /* ds "YYYY"; period = year                       */
    CIV_FREQ_QUARTERLY = 2, /* ds "YYYY-Qn"; period = 4*year + (n-1)          */
    CIV_FREQ_MONTHLY = 3,   /* ds "YYYY-MM"; period = 12*year + (month-1)     */
    CIV_FREQ_WEEKLY = 4,    /* ds "YYYY-MM-DD" every 7 days; period = floor(days/7),
                               the weekday is the panel's phase (days mod 7)   */
    CIV_FREQ_DAILY = 5      /* ds "YYYY-MM-DD"; period = days since 1970-01-01 */
} civ_frequency;

/** Seasonal period of a frequency: 1, 4, 12, 52, 7 (0 for unknown). */
CIV_API int civ_frequency_season_length(civ_frequency freq);
/** Lower-case name: "yearly", "quarterly", "monthly", "weekly", "daily". */
CIV_API const char *civ_frequency_name(civ_frequency freq);

/** Forms a date text can take. */
typedef enum civ_date_form {
    CIV_DATE_YEAR = 1,    /* "2024"        value = 2024                   */
    CIV_DATE_QUARTER = 2, /* "2024-Q3"     value = 4*2024 + 2             */
    CIV_DATE_MONTH = 3,   /* "2024-07"     value = 12*2024 + 6            */
    CIV_DATE_DAY = 4      /* "2024-07-15"  value = days since 1970-01-01  */
} civ_date_form;

/** Parses a date of `len` bytes (no NUL needed; surrounding spaces are not
 *  accepted).  Years 1..9999, proleptic Gregorian calendar.
 *  Errors: CIV_ERR_DATE with the reason (bad shape, month 13, Feb 30, ...). */
CIV_API civ_status civ_date_parse(const char *text, size_t len, civ_date_form *form, int64_t *value);

/** Writes the canonical text of `period` (in `freq`) into buf (NUL-terminated).
 *  `phase` is the weekday offset of weekly panels (0..6, ignored otherwise).
 *  Errors: CIV_ERR_INVALID_ARGUMENT (unknown freq, buffer under 11 bytes),
 *  CIV_ERR_DOMAIN (year outside 1..9999). */
CIV_API civ_status civ_period_format(civ_frequency freq, int phase, int64_t period, char *buf, size_t size);

/* ------------------------------------------------------------------------ */
/* Tables: columns of numbers or text (attributes, communities, outputs)    */
/* ------------------------------------------------------------------------ */

typedef struct civ_table civ_table;

typedef enum civ_column_type {
    CIV_COLUMN_NUMBER = 1, /* double, NaN for missing */
    CIV_COLUMN_TEXT = 2    /* UTF-8 string, "" for missing */
} civ_column_type;

/** Creates an empty table (no columns, no rows).  Free with civ_table_free. */
CIV_API civ_status civ_table_create(civ_table **out);
/** Frees a table; NULL is accepted. */
CIV_API void civ_table_free(civ_table *table);

/** Appends a column; existing rows get NaN or "".  `index` (may be NULL)
 *  receives its position.  Errors: CIV_ERR_DUPLICATE (name exists),
 *  CIV_ERR_INVALID_ARGUMENT (empty name, bad type). */
CIV_API civ_status civ_table_add_column(civ_table *table, const char *name, civ_column_type type, size_t *index);
/** Appends `count` rows filled with NaN / "".  `first` (may be NULL) receives
 *  the index of the first new row. */
CIV_API civ_status civ_table_add_rows(civ_table *table, size_t count, size_t *first);

CIV_API size_t civ_table_n_rows(const civ_table *table);
CIV_API size_t civ_table_n_columns(const civ_table *table);
/** Borrowed column name, or NULL when out of range. */
CIV_API const char *civ_table_column_name(const civ_table *table, size_t column);
/** Column type, or 0 when out of range. */
CIV_API civ_column_type civ_table_column_type(const civ_table *table, size_t column);
/** Finds a column by exact name.  Errors: CIV_ERR_NOT_FOUND (field = name). */
CIV_API civ_status civ_table_find_column(const civ_table *table, const char *name, size_t *column);

/** Sets a number cell.  Errors: CIV_ERR_INVALID_ARGUMENT (out of range or a
 *  text column). */
CIV_API civ_status civ_table_set_number(civ_table *table, size_t row, size_t column, double value);
/** Sets a text cell (copied).  Errors as civ_table_set_number. */
CIV_API civ_status civ_table_set_text(civ_table *table, size_t row, size_t column, const char *value);
/** A number cell; NaN for missing, out of range or text columns. */
CIV_API double civ_table_number(const civ_table *table, size_t row, size_t column);
/** A borrowed text cell; "" for missing; NULL when out of range or a number column. */
CIV_API const char *civ_table_text(const civ_table *table, size_t row, size_t column);
/** Zero-copy view of a number column: n_rows doubles, or NULL for text columns
 *  and out-of-range indices. */
CIV_API const double *civ_table_numbers(const civ_table *table, size_t column);

/** Builds a unique index on a text column so that civ_table_lookup is O(1).
 *  Errors: CIV_ERR_DUPLICATE naming the key and both rows (line = 2nd row+1),
 *  CIV_ERR_INVALID_ARGUMENT for number columns. */
CIV_API civ_status civ_table_index(civ_table *table, size_t column);
/** Finds the row whose text cell in `column` equals `key` (uses the index when
 *  built, else scans).  Errors: CIV_ERR_NOT_FOUND (series_id = key). */
CIV_API civ_status civ_table_lookup(const civ_table *table, size_t column, const char *key, size_t *row);

/** Options for reading CSV tables.  Zero-initialise, then set what you need. */
typedef struct civ_table_read_options {
    /* Columns forced to text even when every cell parses as a number.  The
     * column "unique_id" is always text.  NULL-terminated list or NULL. */
    const char *const *text_columns;
} civ_table_read_options;

/** Reads a CSV table (RFC 4180 quoting, UTF-8, optional BOM, LF or CRLF).  The
 *  header names the columns; a column is a number column when every non-empty
 *  cell parses as a number, else text.  `options` may be NULL.
 *  Errors: CIV_ERR_IO, CIV_ERR_PARSE (ragged rows, bad quoting, empty file),
 *  CIV_ERR_LIMIT (field over 1 MiB), CIV_ERR_DUPLICATE (header names), each
 *  with file:line:column. */
CIV_API civ_status civ_table_read_csv(const char *path, const civ_table_read_options *options, civ_table **out);
/** Writes a table as CSV: header then rows; numbers in the shortest text that
 *  reads back to the same double, NaN as an empty cell; text quoted when it
 *  needs it.  Written to a temporary file in the same folder and renamed, so a
 *  failure never leaves a partial file.  Errors: CIV_ERR_IO. */
CIV_API civ_status civ_table_write_csv(const civ_table *table, const char *path);
/** Reads / writes a table in HDF5 (schema "civicast.table", datasets/SCHEMA.md).
 *  Writing is atomic as for CSV.  Errors: CIV_ERR_IO, CIV_ERR_SCHEMA. */
CIV_API civ_status civ_table_read_hdf5(const char *path, civ_table **out);
CIV_API civ_status civ_table_write_hdf5(const civ_table *table, const char *path);
/** Read / write by extension: ".csv" or ".h5"/".hdf5".  Errors as above plus
 *  CIV_ERR_UNSUPPORTED for other extensions. */
CIV_API civ_status civ_table_read(const char *path, const civ_table_read_options *options, civ_table **out);
CIV_API civ_status civ_table_write(const civ_table *table, const char *path);

/* ------------------------------------------------------------------------ */
/* Panels: many time series of one frequency                                */
/* ------------------------------------------------------------------------ */

typedef struct civ_panel civ_panel;

/** Creates an empty panel of the given frequency.  Errors:
 *  CIV_ERR_INVALID_ARGUMENT (unknown frequency). */
CIV_API civ_status civ_panel_create(civ_frequency freq, civ_panel **out);
/** Frees a panel and everything it owns (attributes included); NULL accepted. */
CIV_API void civ_panel_free(civ_panel *panel);

CIV_API civ_frequency civ_panel_frequency(const civ_panel *panel);
/** Weekday offset (days since 1970-01-01 mod 7) of a weekly panel, else 0. */
CIV_API int civ_panel_phase(const civ_panel *panel);
/** Sets the weekly phase (0..6).  Errors: CIV_ERR_INVALID_ARGUMENT. */
CIV_API civ_status civ_panel_set_phase(civ_panel *panel, int phase);

/** Appends a series with id `id` (UTF-8, copied), first period `start` and `n`
 *  values (copied; NaN = missing; n may be 0).  `index` (may be NULL) gets its
 *  position.  Borrowed value pointers obtained earlier become invalid.
 *  Errors: CIV_ERR_DUPLICATE (id exists), CIV_ERR_INVALID_ARGUMENT (NULL/empty
 *  id, NULL values with n > 0), CIV_ERR_DOMAIN (infinite value). */
CIV_API civ_status civ_panel_add_series(civ_panel *panel, const char *id, int64_t start, const double *values, size_t n, size_t *index);

CIV_API size_t civ_panel_n_series(const civ_panel *panel);
/** Borrowed id of series i, or NULL when out of range. */
CIV_API const char *civ_panel_series_id(const civ_panel *panel, size_t i);
/** Finds a series by id in O(1).  Errors: CIV_ERR_NOT_FOUND (series_id = id). */
CIV_API civ_status civ_panel_find_series(const civ_panel *panel, const char *id, size_t *i);
/** Zero-copy view of series i: its values, length and first period.  Any
 *  output pointer may be NULL.  Errors: CIV_ERR_INVALID_ARGUMENT (range). */
CIV_API civ_status civ_panel_series(const civ_panel *panel, size_t i, const double **values, size_t *n, int64_t *start);
/** Zero-copy view of all values: series i occupies values[offsets[i]] to
 *  values[offsets[i+1]-1]; offsets has n_series+1 entries. */
CIV_API civ_status civ_panel_values(const civ_panel *panel, const double **values, const size_t **offsets);

/** Adds a covariate column (e.g. "aged60"); every series gets an empty one.
 *  Errors: CIV_ERR_DUPLICATE, CIV_ERR_INVALID_ARGUMENT (empty name, or "y",
 *  "ds", "unique_id"). */
CIV_API civ_status civ_panel_add_covariate(civ_panel *panel, const char *name, size_t *k);
CIV_API size_t civ_panel_n_covariates(const civ_panel *panel);
/** Borrowed name of covariate k, or NULL. */
CIV_API const char *civ_panel_covariate_name(const civ_panel *panel, size_t k);
CIV_API civ_status civ_panel_find_covariate(const civ_panel *panel, const char *name, size_t *k);
/** Sets covariate k of series i: `len` values aligned with the series' first
 *  period; len may exceed the series length, the excess being future values
 *  for forecasting (copied; NaN = missing).  Errors: CIV_ERR_INVALID_ARGUMENT. */
CIV_API civ_status civ_panel_set_covariate(civ_panel *panel, size_t i, size_t k, const double *values, size_t len);
/** Zero-copy view of covariate k of series i (length 0 when never set). */
CIV_API civ_status civ_panel_covariate(const civ_panel *panel, size_t i, size_t k, const double **values, size_t *len);

/** Attaches static attributes, one row per series id, keyed by a text column
 *  "unique_id".  On success the panel owns `attributes` (do not free it);
 *  on failure the caller keeps it.  Rows for ids the panel lacks are allowed
 *  (communities without a series); duplicate ids are not.  A previous
 *  attribute table is freed.  Errors: CIV_ERR_MISSING_COLUMN, CIV_ERR_DUPLICATE. */
CIV_API civ_status civ_panel_set_attributes(civ_panel *panel, civ_table *attributes);
/** Borrowed attribute table, or NULL when none is attached. */
CIV_API const civ_table *civ_panel_attributes(const civ_panel *panel);

/** Counts a panel holds, for summaries (`civicast info`). */
typedef struct civ_panel_summary {
    size_t n_series;
    size_t n_values;       /* observed span cells, missing included */
    size_t n_missing;      /* NaN cells */
    size_t min_length, max_length;
    int64_t first_period;  /* earliest start over series (0 when empty) */
    int64_t last_period;   /* latest end over series (0 when empty) */
    size_t n_covariates;
    size_t n_future;       /* series with covariate values beyond their end */
    size_t n_attributes;   /* attribute columns, unique_id excluded */
    size_t n_attribute_rows;
} civ_panel_summary;
CIV_API civ_status civ_panel_summarize(const civ_panel *panel, civ_panel_summary *out);

/** Reads a long-format CSV `unique_id,ds,y[,covariate...]` (columns in any
 *  order, extra numeric columns are covariates).  Rows in any order; the
 *  frequency is inferred from ds and must be the same for every row; gaps
 *  inside a series become NaN, as do empty y cells.  Rows after a series' last
 *  non-empty y that carry covariates are future covariate values.
 *  Errors (all with file:line:column): CIV_ERR_IO, CIV_ERR_PARSE (bad number,
 *  ragged row, bad quoting, empty file), CIV_ERR_DATE, CIV_ERR_DUPLICATE
 *  (same unique_id and ds twice), CIV_ERR_FREQUENCY (mixed forms, or weekly
 *  dates that are not 7 days apart), CIV_ERR_MISSING_COLUMN, CIV_ERR_LIMIT
 *  (field over 1 MiB). */
CIV_API civ_status civ_panel_read_csv(const char *path, civ_panel **out);
/** Writes the long format read by civ_panel_read_csv (attributes are not
 *  included; write them with civ_table_write_csv).  Values round-trip exactly.
 *  Atomic (temporary file + rename).  Errors: CIV_ERR_IO. */
CIV_API civ_status civ_panel_write_csv(const civ_panel *panel, const char *path);
/** Reads / writes a panel, its covariates and its attributes in HDF5 (schema
 *  "civicast.panel", datasets/SCHEMA.md).  Atomic writes.  Errors: CIV_ERR_IO,
 *  CIV_ERR_SCHEMA (missing attribute, wrong version, inconsistent lengths). */
CIV_API civ_status civ_panel_read_hdf5(const char *path, civ_panel **out);
CIV_API civ_status civ_panel_write_hdf5(const civ_panel *panel, const char *path);
/** Read / write by extension (".csv", ".h5", ".hdf5").  Errors as above plus
 *  CIV_ERR_UNSUPPORTED for other extensions. */
CIV_API civ_status civ_panel_read(const char *path, civ_panel **out);
CIV_API civ_status civ_panel_write(const civ_panel *panel, const char *path);

/* ------------------------------------------------------------------------ */
/* Forecasting (models/ and engine/src/forecast*.c)                         */
/* ------------------------------------------------------------------------ */
/* @@FORECAST-API@@ */

/* ------------------------------------------------------------------------ */
/* Allocation (engine/src/alloc*.c)                                         */
/* ------------------------------------------------------------------------ */
/* @@ALLOC-API@@ */

#ifdef __cplusplus
}
#endif

#endif /* CIVICAST_H */
