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
 *  - Results do not depend on the host's locale: numbers are read and written
 *    with '.' and names compared in ASCII case, whatever setlocale the host
 *    called (docs/ARCHITECTURE.md, "Text and the host's locale").  The host's
 *    locale is left as it was.
 *  - A process forked after the library ran a team of threads (Python's
 *    multiprocessing) runs the library on one thread in the thread that
 *    forked: GNU OpenMP's team would wait there for workers fork did not copy
 *    (docs/ARCHITECTURE.md, "Threads and fork").  Results are the same.
 *  - A long call (forecast, backtest, plan) stops when its progress callback
 *    returns nonzero: it returns CIV_ERR_CANCELLED and keeps nothing
 *    (civ_progress_fn).  The library installs no signal handler.
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

/* The one place the version is written: CMakeLists.txt (project VERSION) and
 * the Python package (civicast/_version.py, pyproject.toml) read these three
 * lines; keep their form "#define CIV_VERSION_<PART> <number>". */
#define CIV_VERSION_MAJOR 0
#define CIV_VERSION_MINOR 1
#define CIV_VERSION_PATCH 0
#define CIV_VERSION_NUMBER (CIV_VERSION_MAJOR * 10000 + CIV_VERSION_MINOR * 100 + CIV_VERSION_PATCH)
#define CIV_VERSION_STR_(x) #x
#define CIV_VERSION_XSTR_(x) CIV_VERSION_STR_(x)
#define CIV_VERSION_STRING                                                                                             \
    CIV_VERSION_XSTR_(CIV_VERSION_MAJOR) "." CIV_VERSION_XSTR_(CIV_VERSION_MINOR) "." CIV_VERSION_XSTR_(CIV_VERSION_PATCH)

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
/** Re-records *error as the calling thread's last error (all its fields:
 *  status, message, file, line, column, series id, field; the one-line text is
 *  rebuilt from them) and returns its status: for hosts that carry an error
 *  across threads or processes, e.g. a child process that read a file and
 *  sent its civ_error back through a pipe.  Strings need not be NUL-terminated
 *  (they are cut at their array's size).  Errors: CIV_ERR_INVALID_ARGUMENT
 *  (NULL, or a status that is not a failure status), recorded as usual. */
CIV_API civ_status civ_error_restore(const civ_error *error);

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
 *  accepted).  Years 1..9999, proleptic Gregorian calendar.  A day may carry
 *  a time of midnight, as pandas and databases write datetimes:
 *  "2024-07-15 00:00:00", "2024-07-15T00:00:00", "2024-07-15 00:00" (and
 *  fractional zero seconds); the form is then CIV_DATE_DAY.  Other times are
 *  refused (civicast periods are days or longer).  Dates as spreadsheets
 *  write them, year first, are read too: "2024/7/15" and "2024/07/15" (also
 *  with a midnight time, "2024/7/15 0:00", Excel's CSV export of a date cell
 *  in a Chinese locale) and unpadded "2024-7-15" are days; "2024/7",
 *  "2024/07" and unpadded "2024-7" are months; as a Chinese locale writes
 *  them, "2024年" (a year), "2024年第3季度" / "2024年3季度" / "2024年三季度"
 *  (a quarter), "2024年7月" / "2024年07月" (a month) and "2024年7月15日" (a
 *  day); with an English month name and a four-digit year, "Jul-2024",
 *  "July 2024" (months), "15-Jul-2024", "15JUL2024", "July 15, 2024" (days).
 *  (Outputs write such dates in ISO form.)
 *  Errors: CIV_ERR_DATE with the reason (bad shape, month 13, Feb 30, ...);
 *  an English month with a two-digit year or none ("Jul-24", Excel's mmm-yy;
 *  "15-Jul-24"; "15-Jul") is refused with the Excel format that shows it and
 *  the cure, as are day-first dates, "2024.1" and YYYYMM integers. */
CIV_API civ_status civ_date_parse(const char *text, size_t len, civ_date_form *form, int64_t *value);

/** The separator of the time that follows a day date civ_date_parse accepted:
 *  ' ' or 'T', or 0 when the text is the date alone ("2024-07-15 00:00:00"
 *  and "2024/7/15 0:00" give ' ', "2024-07-15T00:00:00" 'T').  A panel's
 *  outputs write their day dates with a midnight time in that style
 *  (civ_date_style.time_sep).  No error: the text is not checked again. */
CIV_API char civ_date_time_separator(const char *text, size_t len);

/* ---- Date layouts: how a panel's dates are written, and --freq ----------- */
/* Day dates ("2019-01-01") carry no frequency in their text: it is inferred
 * from their spacing (civ_dates_infer, and the CSV reader per series):
 * first-of-month or month-end dates one month apart are monthly, quarter
 * starts/ends three months apart quarterly, year starts/ends a year apart
 * yearly, 7-day steps weekly, 1-day steps daily.  The anchor remembers
 * whether the input used the first or the last day of each period, so that
 * outputs (forecast dates) come out in the same form. */

/** Which day of a period its date text names. */
typedef enum civ_date_anchor {
    CIV_ANCHOR_PERIOD = 0, /* period text: "2024", "2024-Q3", "2024-07" (weekly, daily: the day) */
    CIV_ANCHOR_START = 1,  /* the first day: "2024-07-01", "2024-01-01" (quarter, year starts) */
    CIV_ANCHOR_END = 2     /* the last day: "2024-07-31", "2024-09-30", "2024-12-31" */
} civ_date_anchor;

/** How dates are written: anchor, and whether a midnight time follows the day
 *  (time_sep ' ' gives "2024-07-01 00:00:00", 'T' "2024-07-01T00:00:00", 0
 *  the day alone).  Zero-initialised = period text. */
typedef struct civ_date_style {
    civ_date_anchor anchor;
    char time_sep;
} civ_date_style;

/** A frequency as a user names it (--freq, a plan's `freq`, Python freq=). */
typedef struct civ_freq_spec {
    civ_frequency freq;     /* CIV_FREQ_UNKNOWN = infer from the dates */
    civ_date_anchor anchor; /* CIV_ANCHOR_PERIOD = not said (from the dates) */
    int weekday;            /* weekly: 0 = Monday .. 6 = Sunday; -1 = not said */
} civ_freq_spec;

/** Parses a frequency name: the words "daily", "weekly", "monthly",
 *  "quarterly", "yearly" (also "annual"; any case), or a pandas alias (case
 *  as pandas writes it): "D"; "W" (the data's weekday), "W-MON" .. "W-SUN";
 *  "MS" (month starts), "M" / "ME" (month ends); "QS" / "QS-JAN" (quarter
 *  starts), "Q" / "QE" / "Q-DEC" / "QE-DEC" (quarter ends); "YS" / "AS" /
 *  "YS-JAN" (year starts), "Y" / "A" / "YE" / "Y-DEC" / "A-DEC" (year ends).
 *  NULL or "" gives {UNKNOWN, PERIOD, -1} (infer).  Errors:
 *  CIV_ERR_INVALID_ARGUMENT naming the text and listing the accepted names
 *  (quarters and years must end in December: fiscal years are not supported). */
CIV_API civ_status civ_freq_parse(const char *text, civ_freq_spec *out);

/** Period of day `day` (days since 1970-01-01) in `freq`: the month, quarter
 *  or year holding it; for weekly, the week ending on the weekday `phase`
 *  (days since 1970-01-01 mod 7) on or after the day; daily, the day.
 *  Errors: CIV_ERR_INVALID_ARGUMENT (unknown freq, phase outside 0..6). */
CIV_API civ_status civ_date_to_period(civ_frequency freq, int phase, int64_t day, int64_t *period);

/** Infers the layout of day dates: row r has day days[r] (days since
 *  1970-01-01) and belongs to series series[r] (< n_series; ids[s] names
 *  series s in messages, ids may be NULL).  Each series with two or more
 *  distinct dates gets the frequency of its spacing (see above); every such
 *  series must agree (frequency, anchor, weekday), and a series with one date
 *  must fit it.  `want` (may be NULL) overrides: with want->freq set nothing
 *  is inferred but the anchor (from want->anchor, else START when every date
 *  is a period start, END when every date is a period end) and the weekly
 *  phase (want->weekday, else the dates' common weekday, else Sunday).
 *  Outputs: *freq, *phase (weekly: days mod 7 of the dates; else 0), *anchor
 *  (START or END for monthly, quarterly and yearly; START otherwise).  No
 *  rows gives CIV_FREQ_UNKNOWN.  Errors: CIV_ERR_FREQUENCY naming the
 *  series, its spacing and the candidate --freq values (irregular or
 *  ambiguous spacing, e.g. dates two months apart, or every series with a
 *  single date), or two series that disagree; CIV_ERR_INVALID_ARGUMENT. */
CIV_API civ_status civ_dates_infer(const int64_t *days, const size_t *series, size_t n_rows, size_t n_series,
                                   const char *const *ids, const civ_freq_spec *want, civ_frequency *freq,
                                   int *phase, civ_date_anchor *anchor);

/** Writes the canonical text of `period` (in `freq`) into buf (NUL-terminated).
 *  `phase` is the weekday offset of weekly panels (0..6, ignored otherwise).
 *  Errors: CIV_ERR_INVALID_ARGUMENT (unknown freq, buffer under 11 bytes),
 *  CIV_ERR_DOMAIN (year outside 1..9999). */
CIV_API civ_status civ_period_format(civ_frequency freq, int phase, int64_t period, char *buf, size_t size);
/** As civ_period_format in a style: anchor START / END write the first / last
 *  day of a monthly, quarterly or yearly period ("2024-07-01" / "2024-07-31");
 *  a time_sep appends the midnight time.  `style` NULL = period text.  buf
 *  must hold 20 bytes when a time is appended, else 11.  Errors as
 *  civ_period_format. */
CIV_API civ_status civ_period_format_style(civ_frequency freq, int phase, const civ_date_style *style,
                                           int64_t period, char *buf, size_t size);

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
/** Reads text column `column` as an integer column that pandas wrote as
 *  floats when it is one: every non-empty cell digits or digits ".0" and at
 *  least one ".0" ("310101001.0", df.to_csv of an int column with gaps);
 *  the ".0" is then dropped in place ("310101001").  `1.5`, `-7.0`, `A01`
 *  and exponents are never rewritten; a number column, an out-of-range
 *  column or any other text column is left as it is.  The CSV readers apply
 *  it to every text column, so every reader of ids (communities, forecasts,
 *  actuals, predecessors, hierarchies, spending) sees one code; a host that
 *  builds a table cell by cell (Python's DataFrames) calls it once a column
 *  is filled, before civ_table_index (docs/HOSTILE_INPUTS.md). */
CIV_API void civ_table_whole_float_ids(civ_table *table, size_t column);
/** Reads text column `column` as the CSV and workbook readers read a
 *  column, under civ_table_read_options `thousands` (NULL or "" = none) and
 *  `percent`: when each of its cells is a number under them ("12345",
 *  "12,345" with ",", "33.3%" with percent 1, "¥12,000.00" with a
 *  separator) or empty, "NA" or "NaN" (NaN), the column becomes a number
 *  column in place and *converted (may be NULL) is 1; else it stays text,
 *  *converted is 0.  Either way the table keeps thousands and percent, so an
 *  error about a text column names the cell that is no number under them,
 *  as for a file.  A host that builds a table from its own text cells
 *  (Python's DataFrames of text, pd.read_excel(dtype=str)) reads them as a
 *  file of the same cells would be read.  A number column is left as it is.
 *  Errors: CIV_ERR_INVALID_ARGUMENT for a NULL table, a column out of range
 *  or another separator; CIV_ERR_OUT_OF_MEMORY (the column unchanged). */
CIV_API civ_status civ_table_read_numbers(civ_table *table, size_t column, const char *thousands, int percent,
                                          int *converted);
/** Reads n text cells as the CSV and workbook readers read a value cell (a
 *  panel's y and covariates), for a host whose numbers come as text (Python:
 *  pd.read_csv(dtype=str), pd.read_excel of text cells, convert_dtypes()'s
 *  string columns), so that they follow the files' rules: values[i] is the
 *  number, NaN for a missing cell (NULL, "", "NA" or "NaN" in any case), under
 *  `thousands` (NULL or "" = none; ",", "'" or " ") and `percent` as
 *  civ_table_read_options'.  Stops at the first cell that is no number
 *  (a thousands separator without `thousands`, "-", "—", "N/A", " 12 ",
 *  "inf", "#N/A", "１２", ...): CIV_ERR_PARSE, *bad (may be NULL; SIZE_MAX
 *  when every cell was read) its index, and civ_last_error() the readers'
 *  message for that text without a place (the host names its row and
 *  column): "bad number '-' (...); a dash or slash for no data is not a
 *  number: leave the cell empty ...".  values after *bad are unspecified.
 *  Errors: CIV_ERR_INVALID_ARGUMENT (NULL cells or values with n > 0, another
 *  separator). */
CIV_API civ_status civ_csv_parse_cells(const char *const *cells, size_t n, const char *thousands, int percent,
                                       double *values, size_t *bad);
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

/** Where a table's rows came from, for the errors of the calls that read it
 *  row by row (civ_alloc_settle, civ_alloc_bind and the forecast factors,
 *  the need, civ_hier_build, civ_panel_join_predecessors, civ_table_index):
 *  a table read from a CSV file is named by
 *  its reader with the path as given, and such an error names the file's
 *  line (civ_table_row_line) and column ("spent.csv:4:2: ..."); any other
 *  named table is named with its row, "<name>, row <r + first_row>" (e.g.
 *  "the spending DataFrame", first_row 0: pandas' positions, "rows 0 and
 *  5"; an HDF5 file's path, first_row 1, "data rows 1 and 6").  `name` is
 *  copied; NULL or "" clears it (errors then count rows from 1: "the <role>
 *  table, row <r + 1>", "data row <r + 1>").  Errors: CIV_ERR_INVALID_ARGUMENT
 *  (NULL table, first_row not 0 or 1), CIV_ERR_OUT_OF_MEMORY. */
CIV_API civ_status civ_table_set_source(civ_table *table, const char *name, int first_row);
/** The table's source name (borrowed), or NULL when it has none; *first_row
 *  (may be NULL) receives the number its row 0 is called by. */
CIV_API const char *civ_table_source(const civ_table *table, int *first_row);
/** The line of the source CSV file on which data row `row` (0-based) starts,
 *  as a spreadsheet user counts it: the header (with any byte-order mark) is
 *  line 1 and line breaks inside quoted cells count.  0 when the table was
 *  not read from a CSV file or the file can no longer be read (the file is
 *  read again: for error messages, not loops). */
CIV_API long civ_table_row_line(const civ_table *table, size_t row);

/** Options for reading CSV tables.  Zero-initialise, then set what you need. */
typedef struct civ_table_read_options {
    /* Columns forced to text even when every cell parses as a number.  The
     * column "unique_id" is always text.  NULL-terminated list or NULL. */
    const char *const *text_columns;
    /* NULL, "" or "utf-8"; "gb18030" (also "gbk", "gb2312") decodes the file
     * from GB18030 first (glibc iconv). */
    const char *encoding;
    /* The file's own name for the key column (e.g. "社区编号"): that column
     * becomes the table's "unique_id".  NULL or "" = none.  A header without
     * it is read as is (a file civicast wrote, keyed by unique_id); a header
     * with both it and unique_id is CIV_ERR_DUPLICATE.  civ_table_read applies
     * it to HDF5 tables too (their column names), the one option that does. */
    const char *id_column;
    /* The thousands separator of the file's numbers, as Excel writes them
     * ("12,345.5"): ",", "'" or " "; NULL or "" = none.  A cell reads as a
     * number when its whole digits are grouped in threes by it ("12,345",
     * "1,234,567.89"); other uses ("1,5", "12,34") are errors at the cell, so
     * a decimal comma is never taken for a separator.  Another value is
     * CIV_ERR_INVALID_ARGUMENT. */
    const char *thousands;
    /* 1: a number that ends in a percent sign, as Excel writes a Percentage
     * cell ("33.3%", "-5%", "1,234.5%" with thousands), reads as its
     * fraction (0.333: the same double as "0.333").  0: such cells are
     * refused at their cell with this hint. */
    int percent;
    /* An Excel workbook's sheet to read (a path ending in .xlsx or .xlsm),
     * by its name.  NULL or "" = the only sheet that has cells; several
     * sheets with cells are CIV_ERR_NOT_FOUND listing their names, and so is
     * a name the workbook lacks.  The sheet is read as the CSV text Excel
     * would save (values exact, date cells as ISO dates, docs/CLI.md "Excel
     * workbooks (.xlsx)") under every rule above; ignored for other files. */
    const char *sheet;
    /* How many rows above the header to skip: a title ("2025年各社区人口统计,,,"),
     * a unit line ("单位：元"), empty rows, as Excel and WPS exports carry
     * them.  0 = none: the header is the first row (after a byte-order
     * mark), and a one-cell first row over a wider table is refused naming
     * the count to skip.  Rows as a spreadsheet counts them: a line break
     * outside quotes ends a row, an empty line is a row; a workbook's rows
     * from row 1.  Errors keep naming the file's own lines and cells (the
     * header of a file read with 2 is on line 3).  Negative, or as many
     * rows as the file has, is an error (CIV_ERR_INVALID_ARGUMENT,
     * CIV_ERR_PARSE).  Also for CSV and .xlsx panels
     * (civ_panel_read_options.skip_rows); HDF5 files ignore it. */
    int skip_rows;
} civ_table_read_options;

/** Reads a CSV table (RFC 4180 quoting, UTF-8, optional BOM, LF or CRLF).  The
 *  header names the columns; a column is a number column when every non-empty
 *  cell parses as a number, else text.  `options` may be NULL.  A file of
 *  8 MiB or more is parsed on the OpenMP threads (omp_get_max_threads()):
 *  the same table and the same errors as on one thread.
 *  Errors: CIV_ERR_IO, CIV_ERR_PARSE (ragged rows, bad quoting, empty file),
 *  CIV_ERR_LIMIT (field over 1 MiB), CIV_ERR_DUPLICATE (header names), each
 *  with file:line:column. */
CIV_API civ_status civ_table_read_csv(const char *path, const civ_table_read_options *options, civ_table **out);
/** Writes a table as CSV: header then rows; numbers in the shortest text that
 *  reads back to the same double, NaN as an empty cell; text quoted when it
 *  needs it.  Written to a temporary file in the same folder and renamed, so a
 *  failure never leaves a partial file.  Errors: CIV_ERR_IO. */
CIV_API civ_status civ_table_write_csv(const civ_table *table, const char *path);

/** How a CSV writer formats a file; zero-initialise for the defaults (the
 *  file for programs: no BOM, every number in the shortest text that reads
 *  back to the same double).  docs/CLI.md, "Files for people". */
typedef struct civ_csv_write_options {
    /* 1: start the file with the UTF-8 byte-order mark (EF BB BF).  Excel
     * opens a CSV without one in the ANSI code page of the machine (GBK on a
     * Chinese Windows), which turns Chinese names into garbage; with it Excel
     * reads UTF-8.  civicast's readers accept and skip the mark. */
    int bom;
    /* 0: full precision (shortest round trip).  1..17: a number that is not
     * whole is rounded to this many significant digits, but never to fewer
     * decimals than min_decimals nor to fewer than its whole-number digits,
     * and written in plain decimal without trailing zeros: 1161.704613 ->
     * "1161.7", 0.0009462143928035982 -> "0.000946214" with 6 digits.  Whole
     * numbers (counts, minor units) are always written exactly.  Magnitudes
     * below about 1e-14 or above 1e17 fall back to exponent form. */
    int significant_digits;
    /* 0..9, with significant_digits > 0: the fewest decimals kept, e.g. 2 so
     * that money in yuan keeps its fen ("1234567.89" stays whole).  */
    int min_decimals;
} civ_csv_write_options;

/** The significant digits civicast uses for files meant for people
 *  (`civicast plan`'s folder, `--precision` by default when given no
 *  number). */
#define CIV_CSV_PEOPLE_DIGITS 6

/** As civ_table_write_csv with formatting options (`options` may be NULL:
 *  the defaults).  Errors: CIV_ERR_INVALID_ARGUMENT (significant_digits
 *  outside 0..17, min_decimals outside 0..9), CIV_ERR_IO, CIV_ERR_DOMAIN. */
CIV_API civ_status civ_table_write_csv_opts(const civ_table *table, const char *path,
                                            const civ_csv_write_options *options);
/** Spreadsheet formula guard of every CSV writer (tables, panels, forecasts,
 *  reports), on by default: a text field (an id, a name, a column name, a
 *  text cell) that starts with '=', '+', '-', '@', a tab or a carriage return
 *  is written quoted with a leading apostrophe ('=A1 becomes "'=A1"), so
 *  Excel or LibreOffice shows it as text instead of running it as a formula
 *  (the OWASP "CSV injection" rule).  Text that is a plain decimal number
 *  ("-5", "+1.5") is left alone: a spreadsheet reads it as a number, not a
 *  formula.  `enabled` = 0 turns the guard off for machine consumers (exact
 *  round trips of such ids); 1 turns it back on.  Process-wide; set it before
 *  starting writers in other threads.  Errors: CIV_ERR_INVALID_ARGUMENT
 *  (enabled not 0 or 1). */
CIV_API civ_status civ_csv_set_formula_guard(int enabled);
/** Reads / writes a table in HDF5 (schema "civicast.table", datasets/SCHEMA.md).
 *  Writing is atomic as for CSV.  Errors: CIV_ERR_IO, CIV_ERR_SCHEMA. */
CIV_API civ_status civ_table_read_hdf5(const char *path, civ_table **out);
CIV_API civ_status civ_table_write_hdf5(const civ_table *table, const char *path);
/* Reading (civ_table_read, civ_panel_read, civ_panel_read_ex) also takes an
 * Excel workbook, ".xlsx" or ".xlsm": the sheet options .sheet names (or its
 * only sheet with cells) is read under the CSV rules and options.  ".xls",
 * ".xlsb" and ".ods" are CIV_ERR_UNSUPPORTED with the cure (save as .xlsx or
 * CSV UTF-8). */
/** Read / write by extension: ".csv" or ".h5"/".hdf5".  Errors as above plus
 *  CIV_ERR_UNSUPPORTED for other extensions. */
CIV_API civ_status civ_table_read(const char *path, const civ_table_read_options *options, civ_table **out);
CIV_API civ_status civ_table_write(const civ_table *table, const char *path);
/** As civ_table_write; `options` apply to CSV only (HDF5 always keeps full
 *  precision and needs no BOM).  `options` may be NULL. */
CIV_API civ_status civ_table_write_opts(const civ_table *table, const char *path,
                                        const civ_csv_write_options *options);

/** Options of civ_workbook_write; NULL or a zeroed struct gives the defaults. */
typedef struct civ_workbook_options {
    /* The workbook's creation time (a document property Excel shows), in
     * seconds since 1970-01-01 UTC; 0: 2000-01-01T00:00:00Z.  Fixed so that
     * the same tables give the same bytes (the zip entries are dated from
     * it too). */
    int64_t created;
} civ_workbook_options;

/** Writes an Excel workbook (.xlsx) with one sheet per table: tables[k]
 *  (borrowed) as sheet sheet_names[k] (UTF-8, 1..31 characters, none of
 *  [ ] : * ? / \, unique ignoring case), in that order.  Each sheet: the
 *  header row bold, frozen, with an autofilter; text columns as text cells
 *  (an id such as 310101001001 or 0042 stays text; a string cell is never a
 *  formula, so no formula guard applies); number columns as numbers with 16
 *  significant digits (libxlsxwriter's; Excel shows 15; every whole number
 *  below 2^53, so every fen amount, exact), NaN as an empty cell; money
 *  columns by name: `*_fen`, `*_分`, `*（分）`, `*(fen)` shown as #,##0,
 *  `*_yuan`, `*_元`, `*（元）`, `*(yuan)` as #,##0.00, their plain-decimal
 *  text cells (the allocation's exact yuan, "126225.00") written as numbers;
 *  a `value` (数值, Value) column by its row's `unit` (单位, Unit), fen or
 *  yuan (分, 元); widths from the content (a CJK character counts two); text
 *  wider than 60 wrapped in a wide column.  civ_table_write and the other
 *  writers by extension write a one-sheet workbook for a ".xlsx" path (the
 *  sheet named after the file).  Excel's limits are checked before anything
 *  is written: 1,048,576 rows (the header included), 16,384 columns, 32,767
 *  characters per cell (CIV_ERR_LIMIT naming the sheet and the limit; write
 *  such a table as .csv or .h5).  Atomic: written to a temporary file beside
 *  `path` and renamed; nothing is left on error.  Errors:
 *  CIV_ERR_INVALID_ARGUMENT (NULL, no table, a bad sheet name),
 *  CIV_ERR_DUPLICATE (two sheets of one name), CIV_ERR_UNSUPPORTED (path not
 *  .xlsx), CIV_ERR_LIMIT, CIV_ERR_DOMAIN (an infinite number), CIV_ERR_IO. */
CIV_API civ_status civ_workbook_write(const char *path, size_t n, const civ_table *const *tables,
                                      const char *const *sheet_names, const civ_workbook_options *options);

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
/** How the panel's dates are written (outputs: forecasts, fitted values, CSV):
 *  the style of the file it was read from, period text for a new panel. */
CIV_API civ_date_style civ_panel_date_style(const civ_panel *panel);
/** Sets the date style.  Errors: CIV_ERR_INVALID_ARGUMENT (NULL, anchor not a
 *  civ_date_anchor, time_sep other than 0, ' ', 'T'). */
CIV_API civ_status civ_panel_set_date_style(civ_panel *panel, civ_date_style style);

/** The largest magnitude a series' value or covariate may have: 1e15 (a
 *  thousand trillion: service counts and amounts in yuan or fen stay far
 *  below it).  Beyond it squares and products in the models overflow, so a
 *  value past it -- a typo such as 1e200 -- is refused where it is read,
 *  rather than fitted into a meaningless forecast. */
#define CIV_VALUE_LIMIT 1e15

/** Appends a series with id `id` (UTF-8, copied), first period `start` and `n`
 *  values (copied; NaN = missing; n may be 0).  A series ends at its last
 *  observed value: trailing NaN are dropped (they are not observations; give
 *  future covariate values with civ_panel_set_covariate).  `index` (may be NULL) gets its
 *  position.  Borrowed value pointers obtained earlier become invalid.
 *  Errors: CIV_ERR_DUPLICATE (id exists), CIV_ERR_INVALID_ARGUMENT (NULL/empty
 *  id, NULL values with n > 0), CIV_ERR_DOMAIN (a value beyond
 *  CIV_VALUE_LIMIT in magnitude, infinite included). */
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

/** A merged or renamed community's series continued by its predecessors'
 *  history (docs/FORECASTING.md, "When the map changes").  `communities` is
 *  this year's communities table: its text column `id_column` keys them and
 *  its column `predecessors_column` names, for a community that continues
 *  last year's communities under a new id, their ids ("C001;C002"; ; , 、 ；
 *  ， separate; the column the allocation spec's [data] predecessors names).
 *  *out gets a new panel (caller frees) in which
 *   - a community with predecessors has, before its own first period, the
 *     sum of their values in each period where EVERY predecessor has a value
 *     (a period one of them lacks is missing), then its own values (the
 *     predecessors' periods that overlap them are not used); one that lists
 *     itself (it absorbed the others) has the sum up to the last period of
 *     the others, then its own values; one with no series of its own is the
 *     sum; covariates are joined by the same rule (summed: counts of people);
 *   - a community whose predecessor is named by another community too (a
 *     split) keeps its own series unless the parts give shares (see
 *     civ_panel_join_predecessors_shares); one whose predecessor has no
 *     series in the panel keeps its own series;
 *   - periods between the last joined period and the community's own first
 *     stay missing (NaN), counted in joins' gap_periods;
 *   - every named predecessor's series is left out (no community this year);
 *     every other series is copied.  Attributes are not copied.
 *  `joins` (may be NULL) gets a new table, one row per community naming
 *  predecessors, in table order: unique_id, predecessors (joined by '+'),
 *  status ("joined", "split", "no_series", "no_common_months"),
 *  joined_periods (number), joined_from, joined_to (periods, "" unless
 *  joined), blocking (the predecessor that stopped the join, else ""),
 *  reason (why not joined, in English, "" when joined), shares (the row's
 *  shares joined by '+' as predecessors is, "" without), gap_periods (number:
 *  periods left missing between the joined ones and its own first), gap_from,
 *  gap_to (those periods, "" without).
 *  Errors: CIV_ERR_INVALID_ARGUMENT (NULL), CIV_ERR_MISSING_COLUMN (either
 *  column; field = its name), CIV_ERR_DOMAIN (a predecessor that is a
 *  community of the table too, at its file:line:column; a predecessors
 *  column of numbers), CIV_ERR_OUT_OF_MEMORY. */
CIV_API civ_status civ_panel_join_predecessors(const civ_panel *panel, const civ_table *communities,
                                               const char *id_column, const char *predecessors_column,
                                               civ_panel **out, civ_table **joins);
/** civ_panel_join_predecessors with the shares of a split: `shares_column`
 *  (NULL: none, exactly civ_panel_join_predecessors) names the column of the
 *  communities table (the allocation spec's [data] predecessor_shares) that
 *  gives, aligned with each community's predecessors list, the part of each
 *  predecessor it continues: "0.6", "0.5;1" (same separators), "60%", or a
 *  number column for a single predecessor; a blank cell gives none.  A part
 *  of a split whose every part gives a share is joined: before its own first
 *  period, sum over its predecessors of share x value (where every one of
 *  them has a value), covariates likewise.  Errors, besides those above
 *  (CIV_ERR_DOMAIN at the share cell's file:line:column, naming the
 *  community, the value and the cure): a share not in (0, 1]; a count of
 *  shares unlike the count of predecessors; shares for some parts of a split
 *  and not for others; parts whose shares of one predecessor sum above 1
 *  (named, with the sum); a predecessor's single successor with a share
 *  below 1 (the rest goes to no community: write 1, or name the community
 *  that took it); CIV_ERR_MISSING_COLUMN (no such column). */
CIV_API civ_status civ_panel_join_predecessors_shares(const civ_panel *panel, const civ_table *communities,
                                                      const char *id_column, const char *predecessors_column,
                                                      const char *shares_column, civ_panel **out,
                                                      civ_table **joins);

/** Reads a long-format CSV `unique_id,ds,y[,covariate...]` (columns in any
 *  order, extra numeric columns are covariates).  Rows in any order; the
 *  frequency is inferred from ds and must be the same for every row; gaps
 *  inside a series become NaN, as do empty y cells.  A series ends at its
 *  last non-empty y: later rows are future covariate values (or nothing),
 *  never missing observations.  Day dates (and midnight datetimes) get the
 *  frequency of their spacing (civ_dates_infer), and the panel keeps their
 *  style (first-of-month in, first-of-month out).  Empty, "NA" and "NaN" cells are
 *  missing.  A header with no rows gives an empty panel whose frequency is
 *  CIV_FREQ_UNKNOWN.  docs/CLI.md lists every rule.
 *  Errors (all with file:line:column): CIV_ERR_IO, CIV_ERR_PARSE (bad number,
 *  ragged row, bad quoting, empty file), CIV_ERR_DATE, CIV_ERR_DUPLICATE
 *  (same unique_id and ds twice), CIV_ERR_FREQUENCY (mixed date forms,
 *  irregular or disagreeing spacing), CIV_ERR_MISSING_COLUMN, CIV_ERR_LIMIT (field over 1 MiB, absurd spans). */
CIV_API civ_status civ_panel_read_csv(const char *path, civ_panel **out);
/** Options of civ_panel_read_csv_ex.  Zero-initialise (freq.weekday = -1
 *  when setting a weekly freq without a weekday). */
typedef struct civ_panel_read_options {
    civ_freq_spec freq;   /* overrides the inferred frequency (--freq); {0} = infer */
    const char *encoding; /* NULL, "" or "utf-8"; "gb18030" (also "gbk", "gb2312")
                             decodes the file from GB18030 first (glibc iconv) */
    /* The file's own names for the series id, date and value columns when
     * they are not unique_id, ds and y (e.g. "社区编号", "月份", "用餐人次";
     * statsforecast's id_col, time_col, target_col).  NULL or "" = the
     * standard name.  The panel calls them unique_id, ds and y as always
     * (outputs too); error messages name the file's columns.  A header
     * without the given name but with the standard one is read as is (a file
     * civicast wrote); one with both is CIV_ERR_DUPLICATE; one with neither
     * CIV_ERR_MISSING_COLUMN; one column for two roles CIV_ERR_INVALID_ARGUMENT.
     * HDF5 panels store the standard names and ignore these. */
    const char *id_column;
    const char *time_column;
    const char *target_column;
    /* 1: the file is wide, as spreadsheets lay panels out: one row per
     * series and one column per period, whose header is a date in any form
     * civ_date_parse reads ("社区编号,2024年1月,2024年2月,..." or
     * "unique_id,2024-01,2024-02,...").  The id column is id_column, else
     * unique_id, else the first column whose header is not a date; other such
     * columns become the panel's attributes; cells are the values (empty =
     * missing; a series spans its first to its last value).  One date form;
     * day dates get the frequency of their spacing (or freq).  Covariates
     * need the long layout; time_column and target_column do not apply
     * (CIV_ERR_INVALID_ARGUMENT). */
    int wide;
    /* The thousands separator of y and the covariates, and whether "33.3%"
     * reads as 0.333, as for tables (civ_table_read_options.thousands,
     * .percent). */
    const char *thousands;
    int percent;
    /* An Excel workbook's sheet (.xlsx), as civ_table_read_options.sheet. */
    const char *sheet;
    /* Rows above the header to skip (a title, a unit line), as
     * civ_table_read_options.skip_rows. */
    int skip_rows;
} civ_panel_read_options;
/** As civ_panel_read_csv with options (`options` may be NULL).  Day dates get
 *  the frequency of their spacing (civ_dates_infer), or options->freq; the
 *  panel's date style is that of the file.  A series ends at its last row
 *  with a value of y: later rows are future covariate values, or nothing.
 *  Errors as civ_panel_read_csv, plus CIV_ERR_FREQUENCY (spacing; --freq that
 *  contradicts YYYY-MM / YYYY-Qn / YYYY text), CIV_ERR_UNSUPPORTED (unknown
 *  encoding), CIV_ERR_PARSE (bytes invalid in the encoding). */
CIV_API civ_status civ_panel_read_csv_ex(const char *path, const civ_panel_read_options *options, civ_panel **out);
/** Writes the long format read by civ_panel_read_csv (attributes are not
 *  included; write them with civ_table_write_csv).  Values round-trip exactly.
 *  Atomic (temporary file + rename).  Errors: CIV_ERR_IO, CIV_ERR_DOMAIN
 *  (an infinite value or a period outside years 1..9999, which could not be
 *  read back). */
CIV_API civ_status civ_panel_write_csv(const civ_panel *panel, const char *path);
/** As civ_panel_write_csv with formatting options (civ_csv_write_options;
 *  NULL = the defaults, which round-trip exactly; rounded values do not).
 *  Errors as civ_table_write_csv_opts. */
CIV_API civ_status civ_panel_write_csv_opts(const civ_panel *panel, const char *path,
                                            const civ_csv_write_options *options);
/** Reads / writes a panel, its covariates and its attributes in HDF5 (schema
 *  "civicast.panel", datasets/SCHEMA.md).  Atomic writes.  Errors: CIV_ERR_IO,
 *  CIV_ERR_SCHEMA (missing attribute, wrong version, inconsistent lengths).
 *  Untrusted files: libhdf5 1.10.8 itself can crash or loop forever on some
 *  damaged files, which no status can report; read such files in a separate
 *  process first, as the command and the Python `read` do (CIV_HDF5_GUARD,
 *  docs/HOSTILE_INPUTS.md).  The same holds for civ_table_read_hdf5. */
CIV_API civ_status civ_panel_read_hdf5(const char *path, civ_panel **out);
CIV_API civ_status civ_panel_write_hdf5(const civ_panel *panel, const char *path);
/* Reading also takes an Excel workbook (.xlsx): see civ_table_read. */
/** Read / write by extension (".csv", ".h5", ".hdf5").  Errors as above plus
 *  CIV_ERR_UNSUPPORTED for other extensions. */
CIV_API civ_status civ_panel_read(const char *path, civ_panel **out);
/** civ_panel_read with options (CSV only: an HDF5 file stores its own
 *  frequency, and a freq that differs from it is CIV_ERR_FREQUENCY; encoding
 *  and thousands do not apply to it). */
CIV_API civ_status civ_panel_read_ex(const char *path, const civ_panel_read_options *options, civ_panel **out);
CIV_API civ_status civ_panel_write(const civ_panel *panel, const char *path);
/** As civ_panel_write; `options` (may be NULL) apply to CSV only. */
CIV_API civ_status civ_panel_write_opts(const civ_panel *panel, const char *path,
                                        const civ_csv_write_options *options);

/* ------------------------------------------------------------------------ */
/* Forecasting (models/ and engine/src/forecast/)                           */
/* ------------------------------------------------------------------------ */

/* Forecasting a panel: one model spec fitted to every series in parallel.
 *
 * Model specs (see docs/FORECASTING.md and docs/models/): "auto", "ets",
 * "ETS(A,Ad,M)", "theta", "dotm", "mean", "naive", "snaive", "rwf", ... are
 * resolved by the model registry; the batch never stops for one series: each
 * series records its own status and message, and its outputs are NaN when it
 * failed.  Results are bit-identical for any number of threads: randomness
 * (simulated intervals) comes from a generator reseeded per series from
 * (seed, series id): the same series gets the same draws whatever its
 * position in the panel (civ_forecast_options.seed). */

/** Selection criteria for automatic model choice ("--ic"). */
#define CIV_CRITERION_AICC 0
#define CIV_CRITERION_AIC 1
#define CIV_CRITERION_BIC 2

/** The seed civ_forecast_options_init sets. */
#define CIV_FORECAST_DEFAULT_SEED UINT64_C(20260101)

/** Called with the number of series finished so far and the total, from the
 *  thread that called civ_forecast_panel only (never concurrently), at most
 *  about every 1% of the series or 100 ms, and once at the end with
 *  done == total.  Must not call back into the same batch.
 *
 *  Return 0 to go on, anything else to stop: no thread starts another series,
 *  the series in flight finish (each thread's one fit: milliseconds, at most
 *  seconds for a long seasonal search), and the call returns
 *  CIV_ERR_CANCELLED with nothing produced (*out untouched, no output file
 *  and no temporary file left).  The last call (done == total) comes when
 *  the work is done; what it returns is ignored.  This is how a host stops a
 *  long run: the Python binding returns nonzero once Ctrl-C has been pressed
 *  (docs/PYTHON.md, "Stopping a long call"). */
typedef int (*civ_progress_fn)(size_t done, size_t total, void *user);

/** The model families a spec is tried against, in that order (models/
 *  registry.c): their number, and family i's short name ("ets"), one-line
 *  summary, and the specs it accepts ("ets | ETS(E,T,S) ...").  Strings are
 *  static; NULL when i >= civ_model_family_count(). */
CIV_API size_t civ_model_family_count(void);
CIV_API const char *civ_model_family_name(size_t i);
CIV_API const char *civ_model_family_summary(size_t i);
CIV_API const char *civ_model_family_specs(size_t i);

/** The short name of a fitted model, as the report's titles and legends show
 *  it: a combination lists its components' display families
 *  ("ComboMedian[ETS(A,N,A),ARIMA(0,1,0),Theta,ETS(A,Ad,A),DOTM]" ->
 *  "Median(ETS, ARIMA, Theta, DampedETS, DOTM)"); a single model keeps its
 *  specification without trailing words ("ARIMA(1,1,0) with drift" ->
 *  "ARIMA(1,1,0)").  model: a fit's name (the forecast's `model` column).
 *  Writes a NUL-terminated UTF-8 string of at most size bytes to buf.
 *  Errors: CIV_ERR_INVALID_ARGUMENT (NULL model or buf, size 0);
 *  CIV_ERR_LIMIT when buf is too small (buf then holds the name cut short,
 *  and the message the size needed). */
CIV_API civ_status civ_model_short_name(const char *model, char *buf, size_t size);

/** The display family of one model specification, as the report's model mix
 *  groups them: "DampedETS" for an ETS model with a damped trend
 *  ("ETS(A,Ad,N)"), else its leading letters ("ETS(M,N,M)" -> "ETS",
 *  "ARIMA(1,1,0) with drift" -> "ARIMA", "TSB" -> "TSB").  Buffer and errors
 *  as civ_model_short_name. */
CIV_API civ_status civ_model_display_family(const char *spec, char *buf, size_t size);

/** Demand pattern of a series by Syntetos & Boylan's scheme (Syntetos,
 *  Boylan & Croston 2005, JORS 56(5)): ADI, the mean number of periods per
 *  demand (non-zero value), against 1.32 and CV2, the squared coefficient of
 *  variation of the demand sizes, against 0.49. */
typedef enum civ_demand_class {
    CIV_DEMAND_UNDEFINED = 0,    /* a negative value, or nothing observed */
    CIV_DEMAND_SMOOTH = 1,       /* ADI < 1.32, CV2 < 0.49 */
    CIV_DEMAND_ERRATIC = 2,      /* ADI < 1.32, CV2 >= 0.49 */
    CIV_DEMAND_INTERMITTENT = 3, /* ADI >= 1.32, CV2 < 0.49 */
    CIV_DEMAND_LUMPY = 4,        /* ADI >= 1.32, CV2 >= 0.49 */
    CIV_DEMAND_NONE = 5          /* every observed value is 0 */
} civ_demand_class;

/** Classifies y[0..n) (NaN = missing, skipped).  ADI = observed periods from
 *  the first demand to the end / number of demands (leading zeros, e.g. the
 *  months before a service opened, do not count); CV2 = sample variance /
 *  mean^2 of the demand sizes (0 with one demand).  *adi and *cv2 (either may
 *  be NULL) are NaN for CIV_DEMAND_UNDEFINED and CIV_DEMAND_NONE.  `auto`
 *  forecasts intermittent, lumpy and no-demand series with the intermittent
 *  family (docs/models/INTERMITTENT.md).  Errors: CIV_ERR_INVALID_ARGUMENT
 *  (y NULL with n > 0, cls NULL). */
CIV_API civ_status civ_demand_classify(const double *y, size_t n, double *adi, double *cv2,
                                       civ_demand_class *cls);
/** Static name of a class: "smooth", "erratic", "intermittent", "lumpy",
 *  "none" (no demand), "" for CIV_DEMAND_UNDEFINED or an unknown value. */
CIV_API const char *civ_demand_class_name(civ_demand_class cls);

/** How prediction intervals are made (civ_forecast_options.intervals):
 *  DEFAULT the spec's own choice (today the model's intervals for every
 *  spec, "auto" included: conformal intervals did not meet the calibration
 *  targets on M1 and tourism, docs/FORECASTING.md); MODEL the model's own
 *  (analytic or simulated); CONFORMAL the model's intervals rescaled by the
 *  errors of a rolling-origin backtest of the same model on each series
 *  (conformal_windows windows conformal_step periods apart, on every
 *  series or on conformal_sample series per length class), per series and
 *  step when a series has enough windows, else pooled by step over series of
 *  the same length class ("Conformal intervals" in docs/FORECASTING.md).
 *  Conformal costs conformal_windows extra fits per backtested series and
 *  needs no covariates. */
#define CIV_INTERVALS_DEFAULT 0
#define CIV_INTERVALS_MODEL 1
#define CIV_INTERVALS_CONFORMAL 2

/** How conformal intervals' calibration windows are fitted
 *  (civ_forecast_options.conformal_refit): SEARCH, each window's history
 *  searched afresh as the forecast's own (its ETS form, ARIMA orders, ...;
 *  about one more fit per window); FIXED, each window refits the structure
 *  the series' final model chose (ETS form, ARIMA orders, a combination's
 *  members, auto's route, autotheta's variant), its parameters estimated on
 *  the window's history only (specs without a search fit as before; a series
 *  whose own fit failed gives no scores); DEFAULT, the one chosen on validation
 *  data ("Conformal intervals: refitting the chosen structure" in
 *  docs/FORECASTING.md). */
#define CIV_CONFORMAL_REFIT_DEFAULT 0
#define CIV_CONFORMAL_REFIT_SEARCH 1
#define CIV_CONFORMAL_REFIT_FIXED 2

/** Options of civ_forecast_panel.  Initialise with civ_forecast_options_init,
 *  then change what you need.  Strings and arrays are borrowed for the call. */
typedef struct civ_forecast_options {
    const char *model;         /* model spec; default "auto" */
    size_t horizon;            /* h, periods ahead; 0 = R's default: 2 seasons when
                                  the season length m > 1, else 10 */
    const double *levels;      /* interval levels in percent, each in (0, 100),
                                  distinct; default {80, 95}.  A fraction such as
                                  0.95 is refused ("did you mean 95?") */
    size_t n_levels;           /* 0 = point forecasts only */
    int threads;               /* 0 = the OpenMP default (OMP_NUM_THREADS) */
    uint64_t seed;             /* seeds simulated intervals; default CIV_FORECAST_DEFAULT_SEED */
    int criterion;             /* CIV_CRITERION_*, default AICc */
    size_t n_paths;            /* sample paths for simulated intervals; 0 = 5000 */
    int nonnegative;           /* -1 (default) auto: on for series without a negative
                                  observation; 0 off; 1 on for every series.  When on,
                                  mean and bounds are max(0, .) (docs/FORECASTING.md) */
    int want_fitted;           /* keep one-step fitted values (civ_forecast_fitted_table) */
    const char *const *xreg;   /* names of covariates passed to the models, or NULL */
    size_t n_xreg;
    civ_progress_fn progress;  /* may be NULL; returns nonzero to stop the run */
    void *progress_user;
    int intervals;             /* CIV_INTERVALS_*: how intervals are made; default
                                  CIV_INTERVALS_DEFAULT (the spec's own choice) */
    size_t conformal_windows;  /* backtest windows of conformal intervals; 0 = 1 (chosen
                                  on validation data, docs/FORECASTING.md), or
                                  ceil(50/N), at most 10, for a panel of N < 50 series */
    int integer_bounds;        /* 1: interval bounds of non-negative series are whole
                                  numbers, lower bounds rounded down and upper bounds
                                  up (the interval of an integer-valued count keeps
                                  at least its coverage); 0 (default): as the model
                                  gives them.  Point forecasts are never rounded;
                                  backtest windows are rounded alike; conformal
                                  intervals are rounded after their rescaling */
    size_t conformal_step;     /* periods between the cutoffs of conformal intervals'
                                  backtest windows; 0 = the default (1) */
    size_t conformal_sample;   /* at most this many series of each length class are
                                  backtested for conformal intervals (evenly spaced
                                  in panel order; the others use the pooled scores);
                                  0 or SIZE_MAX = every series (the default) */
    int conformal_refit;       /* CIV_CONFORMAL_REFIT_*: how the calibration windows
                                  are fitted; default CIV_CONFORMAL_REFIT_DEFAULT */
} civ_forecast_options;

/** Fills *opt with the defaults above.  Errors: CIV_ERR_INVALID_ARGUMENT (NULL). */
CIV_API civ_status civ_forecast_options_init(civ_forecast_options *opt);

/** The results of a batch: per-series status, model, forecasts and fit
 *  statistics.  Opaque; free with civ_forecast_result_free. */
typedef struct civ_forecast_result civ_forecast_result;

/** Fits opt->model to every series of `panel` and forecasts opt->horizon
 *  periods ahead with intervals at opt->levels.  Returns CIV_OK when the batch
 *  ran, even if some series failed (see civ_forecast_result_n_failed and
 *  civ_forecast_result_status); *out then owns the results.  Runs
 *  opt->threads OpenMP threads over series (dynamic schedule); OpenBLAS is
 *  kept at one thread meanwhile.  `opt` may be NULL (all defaults).
 *  Errors (nothing is forecast, *out untouched): CIV_ERR_INVALID_ARGUMENT
 *  (NULL panel/out, bad level, negative threads), CIV_ERR_SPEC (unknown or
 *  malformed model spec, with the accepted list), CIV_ERR_NOT_FOUND (a named
 *  covariate the panel lacks, field = its name), CIV_ERR_OUT_OF_MEMORY,
 *  CIV_ERR_CANCELLED (opt->progress asked to stop). */
CIV_API civ_status civ_forecast_panel(const civ_panel *panel, const civ_forecast_options *opt,
                                      civ_forecast_result **out);
/** Frees a result; NULL accepted. */
CIV_API void civ_forecast_result_free(civ_forecast_result *result);

/** Series per chunk of civ_forecast_panel_chunks and civ_forecast_panel_write
 *  when chunk_series is 0. */
#define CIV_FORECAST_DEFAULT_CHUNK 4096u

/** Receives one chunk of a chunked batch: the results of the consecutive
 *  series civ_forecast_result_first(chunk) .. + civ_forecast_result_n_series(chunk)
 *  - 1 of the panel.  The accessors index the chunk's own series from 0, and
 *  civ_forecast_result_table, civ_forecast_report_table and
 *  civ_forecast_fitted_table (given the whole panel) give that chunk's rows.
 *  The chunk is borrowed for the call and reused after it.  Return CIV_OK to
 *  go on; any other status stops the batch and is returned by the batch
 *  call (record it with a message, as every civicast call does). */
typedef civ_status (*civ_forecast_chunk_fn)(const civ_forecast_result *chunk, void *user);

/** civ_forecast_panel in chunks of `chunk_series` consecutive series (0 =
 *  CIV_FORECAST_DEFAULT_CHUNK), in series order, with only one chunk's results
 *  in memory: for each chunk the series are forecast in parallel (as
 *  civ_forecast_panel does, same options), then on_chunk is called on the
 *  calling thread.  Every series' results are bit-identical to
 *  civ_forecast_panel's, whatever the chunk size and the thread count.
 *  Errors: those of civ_forecast_panel (before any chunk), CIV_ERR_INVALID_ARGUMENT
 *  (NULL panel or on_chunk; opt->intervals CIV_INTERVALS_CONFORMAL, whose
 *  intervals are calibrated over the whole panel: use civ_forecast_panel or
 *  civ_forecast_panel_write), the status on_chunk returned, or
 *  CIV_ERR_CANCELLED when opt->progress asked to stop (the chunks delivered
 *  before stay delivered; the stopped one is not delivered). */
CIV_API civ_status civ_forecast_panel_chunks(const civ_panel *panel, const civ_forecast_options *opt,
                                             size_t chunk_series, civ_forecast_chunk_fn on_chunk, void *user);
/** Panel index of a result's first series: 0 for civ_forecast_panel's,
 *  the chunk's start for a chunk (0 for NULL). */
CIV_API size_t civ_forecast_result_first(const civ_forecast_result *result);

/** Where civ_forecast_panel_write writes (paths end in .csv, .h5 or .hdf5). */
typedef struct civ_forecast_outputs {
    const char *forecasts;            /* required: civ_forecast_result_table's rows */
    const char *report;               /* or NULL: civ_forecast_report_table's rows */
    const char *fitted;               /* or NULL: civ_forecast_fitted_table's rows (sets want_fitted) */
    const civ_csv_write_options *csv; /* CSV number format; NULL = exact (HDF5 is always exact) */
    size_t chunk_series;              /* series per chunk; 0 = CIV_FORECAST_DEFAULT_CHUNK */
} civ_forecast_outputs;

#define CIV_FORECAST_STATS_MODELS 8
#define CIV_FORECAST_STATS_FAILURES 5
/** What civ_forecast_panel_write did, for a summary line (caller-allocated). */
typedef struct civ_forecast_write_stats {
    size_t n_series, n_failed;
    double seconds;                   /* wall time of the whole call */
    size_t n_models;                  /* distinct models of the series that succeeded */
    size_t n_models_listed;           /* entries of models[] used (<= CIV_FORECAST_STATS_MODELS) */
    char models[CIV_FORECAST_STATS_MODELS][128];       /* the most used: count descending, then name */
    size_t model_counts[CIV_FORECAST_STATS_MODELS];
    size_t other_count;               /* series fitted by the models not listed */
    size_t n_failures;                /* entries below (<= CIV_FORECAST_STATS_FAILURES) */
    char failed_ids[CIV_FORECAST_STATS_FAILURES][256];  /* the first failed series, in panel order */
    char failed_messages[CIV_FORECAST_STATS_FAILURES][512]; /* (both truncated with "...") */
    size_t demand_counts[6];          /* series per civ_demand_class (indexed by its value) */
    size_t n_uncalibrated;            /* conformal runs: civ_forecast_result_n_uncalibrated */
} civ_forecast_write_stats;

/** Forecasts every series of `panel` (as civ_forecast_panel, same options;
 *  opt may be NULL) and writes the forecasts, and optionally the report and
 *  fitted values, to files in chunks of series (civ_forecast_panel_chunks):
 *  memory holds one chunk's results and rows, whatever the number of series,
 *  and the files are byte-identical to writing civ_forecast_panel's tables
 *  with civ_table_write_opts (CSV; HDF5 holds the same data), for any chunk
 *  size and thread count.  Conformal intervals (opt->intervals
 *  CIV_INTERVALS_CONFORMAL) are calibrated over the whole panel: such a run is
 *  forecast whole (civ_forecast_panel) and written as one chunk, so memory
 *  then holds every series' results.  The report's rows wait in an anonymous temporary
 *  file (in TMPDIR, else /tmp; unlinked once open) until its parameter
 *  columns are known.  Every file is
 *  written to a temporary file beside it and renamed into place after the
 *  last chunk: on an error none is replaced and no temporary file remains.
 *  `stats` (may be NULL) receives the counts for a summary.  CIV_OK even when
 *  some series failed (stats->n_failed; their status is in the report).
 *  Errors: those of civ_forecast_panel, CIV_ERR_INVALID_ARGUMENT (NULL panel,
 *  no forecasts path, bad csv options), CIV_ERR_UNSUPPORTED (extension),
 *  CIV_ERR_IO (naming the file), CIV_ERR_OUT_OF_MEMORY, CIV_ERR_CANCELLED
 *  (opt->progress asked to stop: no file replaced, none left behind). */
CIV_API civ_status civ_forecast_panel_write(const civ_panel *panel, const civ_forecast_options *opt,
                                            const civ_forecast_outputs *out, civ_forecast_write_stats *stats);

/** Number of series (that of the panel forecast), the horizon h, and the levels
 *  (borrowed, n_levels entries). */
CIV_API size_t civ_forecast_result_n_series(const civ_forecast_result *result);
CIV_API size_t civ_forecast_result_horizon(const civ_forecast_result *result);
CIV_API size_t civ_forecast_result_n_levels(const civ_forecast_result *result);
CIV_API const double *civ_forecast_result_levels(const civ_forecast_result *result);
/** Number of series whose status is not CIV_OK. */
CIV_API size_t civ_forecast_result_n_failed(const civ_forecast_result *result);
/** Conformal intervals (CIV_INTERVALS_CONFORMAL): the number of series that
 *  kept the model's own interval at some step and level because no pool had
 *  enough backtest scores there (a small panel whose calibration windows are
 *  too short for the model; docs/FORECASTING.md, "Conformal intervals").
 *  0 for the model's intervals. */
CIV_API size_t civ_forecast_result_n_uncalibrated(const civ_forecast_result *result);
/** Status of series i (CIV_ERR_INVALID_ARGUMENT when i is out of range). */
CIV_API civ_status civ_forecast_result_status(const civ_forecast_result *result, size_t i);
/** Borrowed one-line message of series i's failure ("" when it succeeded or i
 *  is out of range). */
CIV_API const char *civ_forecast_result_message(const civ_forecast_result *result, size_t i);
/** Borrowed name of the model fitted to series i, e.g. "ETS(M,Ad,M)", "Naive"
 *  ("" when it failed or i is out of range). */
CIV_API const char *civ_forecast_result_model(const civ_forecast_result *result, size_t i);
/** Zero-copy point forecasts: n_series * h doubles, series-major (series i at
 *  [i*h, i*h + h)), NaN for failed series.  Borrowed from the result. */
CIV_API const double *civ_forecast_result_mean(const civ_forecast_result *result);
/** Zero-copy lower / upper bounds of level index l (0 <= l < n_levels), laid
 *  out as civ_forecast_result_mean; NULL when l is out of range. */
CIV_API const double *civ_forecast_result_lower(const civ_forecast_result *result, size_t l);
CIV_API const double *civ_forecast_result_upper(const civ_forecast_result *result, size_t l);
/** Wall-clock seconds the batch took (not part of any output table, since it
 *  differs from run to run). */
CIV_API double civ_forecast_result_seconds(const civ_forecast_result *result);

/** Long-format forecasts, one row per series and step:
 *    unique_id, ds, h, model, mean, lo-<L1>, hi-<L1>, lo-<L2>, hi-<L2>, ...
 *  with ds the future period (civ_period_format) and <L> the level as R and
 *  statsforecast print it ("80", "97.5").  Failed series keep their h rows
 *  with model "" and NaN numbers; a series with no observed value has its
 *  rows dated after the panel's last period, with the other series' (not
 *  from its own first row).  `panel` must be the panel that was
 *  forecast (ids and periods come from it).  *out is a new table the caller
 *  frees.  Errors: CIV_ERR_INVALID_ARGUMENT (NULL, or a panel with another
 *  number of series), CIV_ERR_OUT_OF_MEMORY. */
/** Demand class of series i's observed values (civ_demand_classify), with
 *  its ADI and CV2 (either pointer may be NULL); computed for every series
 *  whatever the model.  Errors: CIV_ERR_INVALID_ARGUMENT (NULL result or cls,
 *  i out of range). */
CIV_API civ_status civ_forecast_result_demand(const civ_forecast_result *result, size_t i, double *adi,
                                              double *cv2, civ_demand_class *cls);

CIV_API civ_status civ_forecast_result_table(const civ_forecast_result *result, const civ_panel *panel,
                                             civ_table **out);
/** One row per series: unique_id, model, status (civ_status_name, e.g.
 *  "CIV_OK", "CIV_ERR_TOO_SHORT"), message, n (observations), loglik, aic,
 *  aicc, bic, sigma2, n_params (a non-finite value, e.g. the infinite
 *  loglik of a perfect fit, is NaN), then one column per reported parameter name
 *  (union over series in order of first appearance: alpha, beta, gamma, phi,
 *  theta, drift, ...; NaN where a series' model lacks it), then
 *  initial_states as text ("l=12.5 b=0.31 s1=..."; %.15g), then adi, cv2
 *  and demand_class (civ_forecast_result_demand; "" when undefined), and,
 *  with conformal intervals only, uncalibrated: the (step, level) cells of
 *  the series that kept the model's interval for want of backtest scores
 *  (0 = every interval calibrated; h x levels = none; NaN for a failed
 *  series; civ_forecast_result_n_uncalibrated counts the series above 0).
 *  Deterministic (no timings).  Errors as civ_forecast_result_table. */
CIV_API civ_status civ_forecast_report_table(const civ_forecast_result *result, const civ_panel *panel,
                                             civ_table **out);
/** In-sample one-step fitted values: unique_id, ds, y, fitted, residual for
 *  every observed period of every series (NaN for failed series).
 *  Errors: CIV_ERR_INVALID_ARGUMENT also when the batch ran without
 *  want_fitted. */
CIV_API civ_status civ_forecast_fitted_table(const civ_forecast_result *result, const civ_panel *panel,
                                             civ_table **out);

/* ---- Several models, backtests and accuracy --------------------------- */

/** The name a model spec goes by in multi-model outputs and backtests:
 *  statsforecast's for the automatic families ("ets" -> "AutoETS", "arima"
 *  -> "AutoARIMA", "theta" -> "Theta", "autotheta" -> "AutoTheta", "otm" ->
 *  "OptimizedTheta", "dstm" -> "DynamicTheta", "dotm" ->
 *  "DynamicOptimizedTheta", "naive" -> "Naive", "snaive" -> "SeasonalNaive",
 *  "mean" -> "HistoricAverage", "rwf" -> "RandomWalkWithDrift", "auto" ->
 *  "Auto", "combo" -> "Combo", "combo(median)" -> "ComboMedian"), else the
 *  spec as written ("ETS(A,Ad,N)").  Writes at most size bytes to buf.
 *  Errors: CIV_ERR_INVALID_ARGUMENT (NULL, size < 2), CIV_ERR_SPEC (a spec
 *  no family accepts). */
CIV_API civ_status civ_model_display_name(const char *spec, char *buf, size_t size);

/** Several models' forecasts of one panel as one table.  results[k] is the
 *  civ_forecast_panel result of spec specs[k] on `panel` (same horizon and
 *  levels).  Long (wide = 0): unique_id, ds, h, model, fitted_model, mean,
 *  lo-<L>, hi-<L>, ... one row per series, model (in the order given) and
 *  step, with model the display name (civ_model_display_name) and
 *  fitted_model the model fitted to that series ("ETS(M,A,N)").  Wide
 *  (wide = 1): statsforecast's forecast layout unique_id, ds, <name>,
 *  <name>-lo-<L>, <name>-hi-<L>, ... for each model, one row per series and
 *  step.  Errors: CIV_ERR_INVALID_ARGUMENT (NULL, n = 0, results of
 *  another panel, horizon or levels), CIV_ERR_SPEC (a spec, or two specs with
 *  the same display name), CIV_ERR_OUT_OF_MEMORY. */
CIV_API civ_status civ_forecast_multi_table(const civ_forecast_result *const *results, const char *const *specs,
                                            size_t n, const civ_panel *panel, int wide, civ_table **out);

/** Options of civ_backtest_panel (rolling-origin evaluation, statsforecast's
 *  cross_validation).  Initialise with civ_backtest_options_init. */
typedef struct civ_backtest_options {
    civ_forecast_options forecast; /* horizon, levels, threads, seed, criterion,
                                      n_paths, nonnegative, progress (counted in
                                      windows: done/total model x series x
                                      window tasks, then the calibrations of
                                      conformal intervals); model when
                                      n_models = 0; intervals and conformal_*
                                      as in a forecast (each window calibrated
                                      at its own cutoff, below).  Not
                                      supported: xreg */
    const char *const *models;     /* specs to compare, or NULL */
    size_t n_models;
    size_t windows;                /* K >= 1 windows per series (default 3) */
    size_t step;                   /* periods between successive cutoffs (default 1) */
} civ_backtest_options;

/** Fills *opt with the defaults (forecast options as
 *  civ_forecast_options_init, 3 windows, step 1).  Errors:
 *  CIV_ERR_INVALID_ARGUMENT (NULL). */
CIV_API civ_status civ_backtest_options_init(civ_backtest_options *opt);

/** Backtest results: per model, series and window, the forecasts of that
 *  window.  Opaque; free with civ_backtest_result_free. */
typedef struct civ_backtest_result civ_backtest_result;

/** Rolling-origin backtest.  For series i with n values, window k = 0..K-1
 *  (oldest first) trains on the first c = n - h - (K-1-k)*step values (the
 *  cutoff is the period of value c) and forecasts h steps, compared with the
 *  values c+1..c+h that follow.  Each window is forecast exactly as
 *  civ_forecast_panel would forecast that stretch alone (same seeds).  With
 *  opt->forecast.intervals = CIV_INTERVALS_CONFORMAL, window k's intervals
 *  are exactly those civ_forecast_panel with conformal intervals gives on the
 *  panel of every series' first c values of that window (its calibration
 *  backtest uses nothing after the cutoff): the coverage of conformal
 *  intervals measured on the user's own series, at the cost of one
 *  calibration backtest (conformal_windows extra fits per series) per model
 *  and window.  A window that cannot be fitted (c < 1, too short for the
 *  model, ...) records its status and NaN forecasts; the run goes on.
 *  Parallel over model x series x window tasks; bit-identical for any
 *  thread count.
 *  Errors (nothing run, *out untouched): CIV_ERR_INVALID_ARGUMENT (NULL,
 *  windows or step 0, bad levels or intervals), CIV_ERR_SPEC (an unknown
 *  spec, two specs with one display name), CIV_ERR_UNSUPPORTED (xreg),
 *  CIV_ERR_OUT_OF_MEMORY, CIV_ERR_CANCELLED (opt->forecast.progress asked
 *  to stop). */
CIV_API civ_status civ_backtest_panel(const civ_panel *panel, const civ_backtest_options *opt,
                                      civ_backtest_result **out);
/** Frees a backtest result; NULL accepted. */
CIV_API void civ_backtest_result_free(civ_backtest_result *result);
/** Windows (model x series x window) that failed, and the wall-clock seconds. */
CIV_API size_t civ_backtest_result_n_failed(const civ_backtest_result *result);
/** With conformal intervals: the windows (model x series x window) that kept
 *  the model's interval at some step and level for want of backtest scores
 *  (as civ_forecast_result_n_uncalibrated); 0 otherwise.  For
 *  civ_hier_backtest: the node windows (node x window) whose conformal base
 *  intervals kept the model's somewhere (civ_hier_result_n_uncalibrated per
 *  window, summed). */
CIV_API size_t civ_backtest_result_n_uncalibrated(const civ_backtest_result *result);
CIV_API double civ_backtest_result_seconds(const civ_backtest_result *result);

/** The windows that failed: unique_id, model (the display name), cutoff,
 *  status (e.g. "CIV_ERR_TOO_SHORT"), message, reason and values; one row per
 *  failed window, in the order of civ_backtest_result_table.  reason is why,
 *  as civ_backtest_result_failure_counts counts it ("no_data", "too_short",
 *  "other"), values the series' observed values up to the cutoff (a number).
 *  Errors as civ_backtest_result_table. */
CIV_API civ_status civ_backtest_failures_table(const civ_backtest_result *result, const civ_panel *panel,
                                               civ_table **out);
/** Why the failed windows failed, in words a reader can act on (the
 *  summaries of `civicast backtest` and `civicast plan` say this instead of
 *  a bare count).  Counts of windows (model x series x window):
 *    total      every window of the backtest;
 *    failed     those that failed (civ_backtest_result_n_failed);
 *    no_data    the series had no observed value up to the window's cutoff
 *               (a community not counted yet then): nothing to forecast from;
 *    too_short  it had some values (between min_values and max_values of
 *               them), too few for the model (CIV_ERR_TOO_SHORT);
 *    other      any other reason (civ_backtest_failures_table names each).
 *  failed = no_data + too_short + other; min_values = max_values = 0 when
 *  too_short is 0.  `panel` must be the panel backtested.  Errors (*out
 *  untouched): CIV_ERR_INVALID_ARGUMENT (NULL, another panel). */
typedef struct civ_backtest_failure_counts {
    size_t total, failed, no_data, too_short, other;
    size_t min_values, max_values;
} civ_backtest_failure_counts;
CIV_API civ_status civ_backtest_result_failure_counts(const civ_backtest_result *result, const civ_panel *panel,
                                                      civ_backtest_failure_counts *out);
/** The windows' forecasts in statsforecast's cross_validation layout, long:
 *    unique_id, cutoff, ds, h, y, model, mean, lo-<L>, hi-<L>, ...
 *  one row per series, window, model and step (in that order), with cutoff
 *  the last training period, y the actual (NaN when missing) and model the
 *  display name.  Failed windows keep their rows with NaN forecasts; a
 *  series with no observed value has its windows dated as a series that ends
 *  with the panel (here and in civ_backtest_failures_table).
 *  `panel` must be the panel backtested.  Errors: CIV_ERR_INVALID_ARGUMENT,
 *  CIV_ERR_OUT_OF_MEMORY. */
CIV_API civ_status civ_backtest_result_table(const civ_backtest_result *result, const civ_panel *panel,
                                             civ_table **out);
/** Accuracy of each model over all series, windows and steps (by_series = 0)
 *  or per series and model (by_series = 1: a unique_id column first):
 *    [unique_id,] model, windows, failed, n, MAE, RMSE, MAPE, sMAPE, MASE,
 *    RMSSE, bias, coverage-<L>, score-<L>, MSIS-<L>, ...
 *  windows / failed count windows, n the forecast points scored.  MAE, RMSE,
 *  MAPE, sMAPE, bias (mean forecast - actual), coverage (% of actuals inside
 *  the interval) and score (Winkler's interval score) are means over all
 *  scored points; MASE, RMSSE and MSIS are means over windows of measures
 *  scaled by the in-sample seasonal naive errors of that window's training
 *  part.  docs/FORECASTING.md ("Accuracy measures") gives every formula.
 *  Errors as civ_backtest_result_table. */
CIV_API civ_status civ_backtest_accuracy_table(const civ_backtest_result *result, const civ_panel *panel,
                                               int by_series, civ_table **out);
/** The accuracy of civ_backtest_accuracy_table per group of series and model:
 *    <group_column>, model, windows, failed, n, MAE, ... (the same measures)
 *  series i in the group labelled group_of[i] (n_series labels, borrowed);
 *  groups in the order their labels first appear, and before them, when
 *  `overall` is not NULL, one row per model over every series labelled
 *  `overall` (civ_hier_backtest_accuracy_table: per hierarchy level, "all"
 *  first).  MASE is scaled per series as there.  Errors as
 *  civ_backtest_result_table, and CIV_ERR_INVALID_ARGUMENT for a NULL label. */
CIV_API civ_status civ_backtest_accuracy_grouped(const civ_backtest_result *result, const civ_panel *panel,
                                                 const char *group_column, const char *const *group_of,
                                                 const char *overall, civ_table **out);
/** A backtest result filled window by window by another computation (the
 *  tables and accuracy above then score it): n_models names (display names,
 *  at most 63 bytes each, copied), n_series series (those of the panel the
 *  tables are later given, in its order), `windows` windows of h steps
 *  `step` periods apart (window k's cutoff as civ_backtest_panel's), and the
 *  interval levels (copied).  Every window starts unset: NaN forecasts and
 *  status CIV_OK; civ_backtest_result_seconds counts from this call to the
 *  last civ_backtest_result_set.  The caller frees *out with
 *  civ_backtest_result_free.  Errors: CIV_ERR_INVALID_ARGUMENT (NULL, no
 *  model, windows, step or h 0, a name too long), CIV_ERR_OUT_OF_MEMORY. */
CIV_API civ_status civ_backtest_result_create(const char *const *models, size_t n_models, size_t n_series,
                                              size_t windows, size_t h, size_t step, const double *levels,
                                              size_t n_levels, civ_backtest_result **out);
/** Sets window `window` of series `series` for model `model`: with status
 *  CIV_OK its h forecasts `mean` and, per level l, lower[l*h .. l*h+h) and
 *  upper[...] (copied; NaN allowed); with another status the window fails
 *  (NaN forecasts, counted by civ_backtest_result_n_failed) with `message`
 *  (copied; NULL = the status's text) in civ_backtest_failures_table.
 *  Errors: CIV_ERR_INVALID_ARGUMENT (NULL result or forecasts, an index out
 *  of range). */
CIV_API civ_status civ_backtest_result_set(civ_backtest_result *result, size_t model, size_t series, size_t window,
                                           civ_status status, const char *message, const double *mean,
                                           const double *lower, const double *upper);
/** Adds n to the count civ_backtest_result_n_uncalibrated returns (the other
 *  computation's windows that kept a model's interval somewhere for want of
 *  conformal scores).  Errors: CIV_ERR_INVALID_ARGUMENT (NULL result). */
CIV_API civ_status civ_backtest_result_add_uncalibrated(civ_backtest_result *result, size_t n);

/* ------------------------------------------------------------------------ */
/* Hierarchies and reconciliation (engine/src/hier/)                        */
/* ------------------------------------------------------------------------ */
/*
 * A hierarchy is taken from community attributes: nested levels (e.g.
 * district, street: each street in one district) and optional crossed
 * groups (e.g. service type, or gender and legal status), whose every
 * combination with every prefix of the levels is a level of aggregate nodes
 * (a grouped structure).  The panel's series are the bottom nodes.  Every
 * node is forecast with one model spec, and the base forecasts are
 * reconciled: ytilde = S G yhat, coherent (every aggregate the sum of its
 * bottom series).  docs/FORECASTING.md "Hierarchies and reconciliation"
 * gives the methods, the formulas and the accuracy measured on real data.
 */
typedef struct civ_hier civ_hier;

/** Reconciliation methods.  W is the matrix of the generalised least squares
 *  G = (S' W^-1 S)^-1 S' W^-1 (Wickramasuriya, Athanasopoulos & Hyndman
 *  2019, JASA 114:804). */
typedef enum civ_reconcile_method {
    CIV_RECONCILE_BU = 1,          /* bottom-up: the bottom base forecasts summed */
    CIV_RECONCILE_TD = 2,          /* top-down by forecast proportions (nested hierarchies only) */
    CIV_RECONCILE_OLS = 3,         /* W = I */
    CIV_RECONCILE_WLS_STRUCT = 4,  /* W = diag(number of bottom series under each node) */
    CIV_RECONCILE_WLS_VAR = 5,     /* W = diag(in-sample one-step residual variances) */
    CIV_RECONCILE_MINT_SHRINK = 6  /* W = the Schaefer-Strimmer shrinkage of the residual covariance */
} civ_reconcile_method;

/** Parses "bu", "td", "ols", "wls_struct", "wls_var", "mint_shrink" (also
 *  "mint").  Errors: CIV_ERR_INVALID_ARGUMENT naming the accepted list. */
CIV_API civ_status civ_reconcile_method_parse(const char *name, civ_reconcile_method *out);
/** The name of a method as parse accepts it; "" for an unknown value. */
CIV_API const char *civ_reconcile_method_name(civ_reconcile_method method);

/** Builds the hierarchy of the panel's series from the attribute table
 *  `communities` (a text column "unique_id" and the named columns; NULL =
 *  the panel's attributes).  `levels` (n_levels 0..8) are nested, top first;
 *  `groups` (n_groups 0..4) cross them.  Nodes: the total, then for each
 *  prefix of the levels (empty included) and each subset of the groups one
 *  level of aggregates (ids: the values joined with "/"), then the series.
 *  A level in which every node holds exactly one series repeats the bottom
 *  level and is left out.  Rows of `communities` without a series are
 *  ignored.  *out is a new hierarchy the caller frees with civ_hier_free.
 *  Errors (each names the rows: "row r" is the r-th data row, line r+1 of a
 *  CSV file with a header): CIV_ERR_INVALID_ARGUMENT (NULL, no levels nor
 *  groups, too many, a column named twice -- a cycle), CIV_ERR_MISSING_COLUMN
 *  (a named column or unique_id absent), CIV_ERR_DUPLICATE (a community
 *  listed twice, e.g. in two streets), CIV_ERR_NOT_FOUND (a series without a
 *  community row), CIV_ERR_PARSE (a missing level value; inconsistent
 *  nesting: a street under two districts), CIV_ERR_OUT_OF_MEMORY. */
CIV_API civ_status civ_hier_build(const civ_panel *panel, const civ_table *communities, const char *const *levels,
                                  size_t n_levels, const char *const *groups, size_t n_groups, civ_hier **out);
/** Frees a hierarchy; NULL accepted. */
CIV_API void civ_hier_free(civ_hier *hier);
/** Nodes (aggregates then bottom series), bottom series (the panel's series,
 *  in its order: node n_nodes - n_bottom + i is series i) and levels. */
CIV_API size_t civ_hier_n_nodes(const civ_hier *hier);
CIV_API size_t civ_hier_n_bottom(const civ_hier *hier);
/** Borrowed id / level name of node i ("total", "澜中区/鼓角街道", the
 *  series id; levels "total", "district/street", "unique_id"), NULL when out
 *  of range. */
CIV_API const char *civ_hier_node_id(const civ_hier *hier, size_t i);
CIV_API const char *civ_hier_node_level(const civ_hier *hier, size_t i);
/** The node listed k-th in the tables civicast writes for people
 *  (civ_hier_result_table, civ_hier_summing_table, civ_hier_aggregate,
 *  `civicast reconcile --out`): level by level, the aggregates of a level in
 *  natural order (digit runs as numbers: '街道9' before '街道10', 'C2' before
 *  'C10'), then the series in the panel's order.  The node numbering of the
 *  other calls (civ_hier_node_id, the arrays of civ_hier_reconcile and
 *  civ_hier_result_mean) is unchanged: byte order within a level.  SIZE_MAX
 *  when k is out of range or hier is NULL. */
CIV_API size_t civ_hier_listed_node(const civ_hier *hier, size_t k);
/** The summing matrix S in sparse long form, one row per non-zero:
 *  level, unique_id (the node), bottom_id (a series it sums); nodes in the
 *  listed order (civ_hier_listed_node).  The caller frees *out.  Errors:
 *  CIV_ERR_INVALID_ARGUMENT, CIV_ERR_OUT_OF_MEMORY. */
CIV_API civ_status civ_hier_summing_table(const civ_hier *hier, civ_table **out);
/** A new panel with one series per node (in the listed order,
 *  civ_hier_listed_node; ids as civ_hier_node_id), each aggregate the sum of its series over the common
 *  span: a series counts 0 before its first period (a service not yet
 *  open), and a missing value inside a series makes the aggregate missing
 *  at that period.  Every series must end at the same period.  `panel` must
 *  be the panel the hierarchy was built on (same ids in the same order).
 *  Errors: CIV_ERR_INVALID_ARGUMENT (another panel), CIV_ERR_DOMAIN (series
 *  ending at different periods, naming one), CIV_ERR_OUT_OF_MEMORY. */
CIV_API civ_status civ_hier_aggregate(const civ_hier *hier, const civ_panel *panel, civ_panel **out);
/** The missing values that make aggregates missing: one row per missing
 *  value inside a series' span (unique_id, ds), in the panel's series order.
 *  Each blanks every aggregate above its series at that period (the total
 *  included), as civ_hier_aggregate sums them: on the demo city 19 missing
 *  months of 8 of the 1,146 communities blank the city total in 15 of its 72
 *  months.  An empty table when there is none.  The command and Python warn
 *  with it (docs/FORECASTING.md, "Aggregation").  The caller frees *out.
 *  Errors: those of civ_hier_aggregate (another panel, series ending at
 *  different periods), CIV_ERR_OUT_OF_MEMORY. */
CIV_API civ_status civ_hier_gaps(const civ_hier *hier, const civ_panel *panel, civ_table **out);
/** Reconciles base forecasts: `base` is n_nodes x horizon, node-major (node i
 *  at base[i*horizon]); `residuals` n_obs x n_nodes, period-major (in-sample
 *  one-step residuals of every node, NaN where a node has none), needed by
 *  wls_var and mint_shrink (else may be NULL): W is estimated from the
 *  periods where every node has a residual when there are 2 or more, else
 *  from every period where some node has one, a missing one counted 0 (the
 *  rule in docs/FORECASTING.md, "The methods").  `nonnegative` 1 sets
 *  negative bottom forecasts to zero and sums up again.  Writes `out`
 *  (n_nodes x horizon, coherent) and, when not NULL, *lambda (MinT's
 *  shrinkage intensity, else NaN).  Errors: CIV_ERR_INVALID_ARGUMENT (NULL,
 *  residuals missing, td on a grouped structure), CIV_ERR_TOO_SHORT (fewer
 *  than 2 periods with any residual), CIV_ERR_NUMERIC (a W that is not
 *  positive definite), CIV_ERR_OUT_OF_MEMORY. */
CIV_API civ_status civ_hier_reconcile(const civ_hier *hier, civ_reconcile_method method, const double *base,
                                      size_t horizon, const double *residuals, size_t n_obs, int nonnegative,
                                      double *out, double *lambda);

/** Options of civ_hier_forecast.  Initialise with civ_hier_options_init. */
typedef struct civ_hier_options {
    civ_forecast_options forecast; /* model, horizon, levels, seed, threads, ... of the base forecasts;
                                      its nonnegative and want_fitted are set by the call; its intervals
                                      CIV_INTERVALS_DEFAULT means conformal base intervals (with levels and
                                      no covariates; since 2026-12-07), CIV_INTERVALS_MODEL the models' own */
    civ_reconcile_method method;   /* default CIV_RECONCILE_MINT_SHRINK */
    int nonnegative;               /* -1 (default) auto: on when no series has a negative observation;
                                      0 off; 1 on (negative bottom forecasts to 0, then bottom-up) */
    size_t n_paths;                /* sample paths reconciled for the intervals; 0 = 1000 */
} civ_hier_options;
/** Fills *opt with the defaults.  Errors: CIV_ERR_INVALID_ARGUMENT (NULL). */
CIV_API civ_status civ_hier_options_init(civ_hier_options *opt);

typedef struct civ_hier_result civ_hier_result;
/** Aggregates the panel to every node (civ_hier_aggregate), forecasts every
 *  node with opt->forecast (intervals off the clamp: base forecasts are not
 *  floored at zero; by default conformal intervals, calibrated on backtest
 *  windows of the nodes' own histories as civ_forecast_panel's
 *  CIV_INTERVALS_CONFORMAL, which costs one more fit per node and window),
 *  reconciles the point forecasts, and draws opt->n_paths
 *  sample paths per step from the base forecast distribution (normal, each
 *  node's spread from its interval, correlated as the sample correlation
 *  of the nodes' in-sample one-step residuals; the shrunk correlation until
 *  2026-12-07), reconciles each and takes their quantiles as the
 *  intervals: coherent sample paths.  Bit-identical for any thread count.
 *  Errors: those of civ_hier_aggregate, civ_forecast_panel and
 *  civ_hier_reconcile; CIV_ERR_NUMERIC when a node's base forecast failed
 *  (naming the node and why). */
CIV_API civ_status civ_hier_forecast(const civ_hier *hier, const civ_panel *panel, const civ_hier_options *opt,
                                     civ_hier_result **out);
/** Coherent forecasts and intervals from base forecasts made elsewhere
 *  (another model per level, another program), as civ_hier_forecast makes
 *  them from its own: the point forecasts reconciled by opt->method, and
 *  opt->n_paths sample paths per step drawn from the base distribution
 *  (normal, each node's spread from its bounds, correlated as the sample
 *  correlation of the residuals), each reconciled; their quantiles are the
 *  intervals.  `base`: n_nodes x horizon, node-major (node i at
 *  base[i*horizon], nodes in civ_hier_node_id's order); `lower`, `upper`: the
 *  base forecasts' bounds at opt->forecast.levels[0..n_levels), n_levels
 *  planes laid out as base (level l at [l*n_nodes*horizon]); may be NULL when
 *  n_levels is 0 (then only the point forecasts, as civ_hier_reconcile;
 *  civ_hier_options_init leaves the forecast defaults, levels 80 and 95, so
 *  set n_levels = 0 for that);
 *  `residuals`: n_obs x n_nodes, period-major, the nodes' in-sample one-step
 *  residuals (NaN where a node has none), required with levels (the paths'
 *  correlation) and by wls_var and mint_shrink.  Uses opt->method,
 *  opt->n_paths (0 = 1000), opt->forecast.levels, n_levels, seed and
 *  threads; opt->nonnegative 1 clamps negative bottom forecasts and paths
 *  at zero (0 and -1 do not: there is no panel to decide from).  Given
 *  civ_hier_forecast's own base forecasts, bounds and residuals, the result
 *  equals its result bit for bit; bit-identical for any thread count.
 *  *out: free with civ_hier_result_free; its accessors give the arrays
 *  (model names empty, civ_hier_result_table refuses it: no periods).
 *  Errors: CIV_ERR_INVALID_ARGUMENT (NULL, horizon 0, a level outside
 *  (0, 100), more than 16 levels, levels without residuals, a base forecast
 *  or bound that is not a number, naming the node and step; td on a grouped
 *  structure), those of civ_hier_reconcile, CIV_ERR_OUT_OF_MEMORY. */
CIV_API civ_status civ_hier_reconcile_bands(const civ_hier *hier, const civ_hier_options *opt, const double *base,
                                            const double *lower, const double *upper, size_t horizon,
                                            const double *residuals, size_t n_obs, civ_hier_result **out);
CIV_API void civ_hier_result_free(civ_hier_result *result);
CIV_API size_t civ_hier_result_horizon(const civ_hier_result *result);
CIV_API size_t civ_hier_result_n_levels(const civ_hier_result *result);
/** Reconciled / base point forecasts, n_nodes x h node-major; borrowed. */
CIV_API const double *civ_hier_result_mean(const civ_hier_result *result);
CIV_API const double *civ_hier_result_base(const civ_hier_result *result);
/** Reconciled interval bounds of level index l, laid out as the mean; NULL
 *  when l is out of range. */
CIV_API const double *civ_hier_result_lower(const civ_hier_result *result, size_t l);
CIV_API const double *civ_hier_result_upper(const civ_hier_result *result, size_t l);
/** MinT's shrinkage intensity (NaN for other methods). */
CIV_API double civ_hier_result_lambda(const civ_hier_result *result);
/** Conformal base intervals: the number of nodes whose base forecast kept
 *  its model's interval at some step and level, for too few backtest scores
 *  (as civ_forecast_result_n_uncalibrated); 0 with the models' intervals. */
CIV_API size_t civ_hier_result_n_uncalibrated(const civ_hier_result *result);
/** One row per node and step: level, unique_id, ds, h, model, base, mean,
 *  lo-<L>, hi-<L>, ...  (mean is reconciled, base the node's own forecast),
 *  nodes in the listed order (civ_hier_listed_node).
 *  The caller frees *out.  Errors: CIV_ERR_INVALID_ARGUMENT (NULL, another
 *  hierarchy), CIV_ERR_OUT_OF_MEMORY. */
CIV_API civ_status civ_hier_result_table(const civ_hier_result *result, const civ_hier *hier, civ_table **out);

/** Options of civ_hier_backtest.  Initialise with civ_hier_backtest_options_init. */
typedef struct civ_hier_backtest_options {
    civ_hier_options hier;       /* the base forecasts and reconciliation as civ_hier_forecast's (model,
                                    horizon: 0 = 2 seasons or 10 periods, levels, seed, threads, nonnegative,
                                    n_paths; progress: done/total nodes x windows); hier.method is ignored */
    const char *const *methods;  /* "base" (the unreconciled base forecasts) or a civ_reconcile_method_parse
                                    name, each at most once; NULL / 0 = base, bu, mint_shrink */
    size_t n_methods;
    size_t windows;              /* K >= 1 windows (default 3) */
    size_t step;                 /* periods between successive cutoffs (default 1) */
} civ_hier_backtest_options;
/** Defaults: civ_hier_options_init's, methods base, bu, mint_shrink, 3
 *  windows, step 1.  Errors: CIV_ERR_INVALID_ARGUMENT (NULL). */
CIV_API civ_status civ_hier_backtest_options_init(civ_hier_backtest_options *opt);
/** Rolling-origin backtest of reconciled forecasts.  Every series of `panel`
 *  ends at the same period E (civ_hier_aggregate's rule); window k = 0..K-1
 *  (oldest first) has the cutoff E - h - (K-1-k)*step: the panel truncated
 *  at the cutoff is forecast exactly as civ_hier_forecast forecasts it
 *  (aggregated to every node, every node's base forecast with the model,
 *  its intervals as opt->hier.forecast.intervals says: by default conformal,
 *  calibrated on the window's history only; reconciled; the same seeds),
 *  once per requested method, and compared with
 *  the h periods after the cutoff of the full panel aggregated.  The result
 *  is a civ_backtest_result whose series are the nodes in the order of
 *  civ_hier_aggregate(hier, panel) (the listed order) and whose models are
 *  "<model display name>/<method>" ("AutoETS/mint_shrink", "Naive/base"), so
 *  civ_backtest_failures_table, civ_backtest_result_failure_counts and
 *  civ_backtest_accuracy_table (by_series = 1: per node) score it with that
 *  aggregated panel; civ_hier_backtest_table,
 *  civ_hier_backtest_accuracy_table and civ_hier_backtest_node_accuracy_table
 *  add the node's level.  A series with
 *  no value yet at a cutoff, or too few for the model, counts as 0 in the
 *  aggregates above it and its own window fails (CIV_ERR_TOO_SHORT); an
 *  aggregate whose base forecast cannot be made, or a cutoff before the
 *  panel's first period, fails the window for every node and method; a
 *  method that cannot reconcile a window fails it for that method.  A
 *  failed window has NaN forecasts and a message naming the window and the
 *  node (civ_backtest_failures_table adds the cutoff); the run goes on.
 *  Windows run one after
 *  another, each parallel over nodes (and sample paths) as
 *  civ_hier_forecast: bit-identical for any thread count.
 *  Errors (nothing kept, *out untouched): CIV_ERR_INVALID_ARGUMENT (NULL,
 *  windows or step 0, an unknown or repeated method, td on a grouped
 *  hierarchy, another panel), CIV_ERR_SPEC (an unknown model spec),
 *  CIV_ERR_DOMAIN (series ending at different periods),
 *  CIV_ERR_OUT_OF_MEMORY, CIV_ERR_CANCELLED (progress asked to stop). */
CIV_API civ_status civ_hier_backtest(const civ_hier *hier, const civ_panel *panel,
                                     const civ_hier_backtest_options *opt, civ_backtest_result **out);
/** civ_hier_backtest's windows: level, then civ_backtest_result_table's
 *  columns (unique_id, cutoff, ds, h, y, model, mean, lo-<L>, hi-<L>, ...),
 *  the nodes in the listed order, y the actual of the node.  `panel` the one
 *  backtested.  Errors: those of civ_hier_aggregate and
 *  civ_backtest_result_table (another hierarchy). */
CIV_API civ_status civ_hier_backtest_table(const civ_backtest_result *result, const civ_hier *hier,
                                           const civ_panel *panel, civ_table **out);
/** civ_hier_backtest's accuracy per level and method: level ("all" for
 *  every node, then each level top first), model, windows, failed, n, MAE,
 *  ... as civ_backtest_accuracy_grouped.  Errors as civ_hier_backtest_table. */
CIV_API civ_status civ_hier_backtest_accuracy_table(const civ_backtest_result *result, const civ_hier *hier,
                                                    const civ_panel *panel, civ_table **out);
/** civ_hier_backtest's accuracy per node and method: level (the node's, as
 *  in civ_hier_backtest_table), then civ_backtest_accuracy_table's by_series
 *  columns (unique_id, model, windows, failed, n, MAE, ...), the nodes in the
 *  listed order, so a district and a street of the same name are told apart.
 *  The caller frees *out.  Errors as civ_hier_backtest_table. */
CIV_API civ_status civ_hier_backtest_node_accuracy_table(const civ_backtest_result *result, const civ_hier *hier,
                                                         const civ_panel *panel, civ_table **out);

/* ------------------------------------------------------------------------ */
/* Allocation (engine/src/alloc/)                                           */
/* ------------------------------------------------------------------------ */
/*
 * The factor method (因素分配法): a budget, less named reserves, is split into
 * pools; each pool (or each group of pools sharing a formula and an earmark)
 * is divided among eligible communities in proportion to a weighted sum of
 * factor shares x_i*c_i / sum_j x_j*c_j (or the greater of several such
 * formulas, as the US CDBG grant), multiplied by tilts, and bounded by
 * floors, caps, hold-harmless and pace-of-change limits solved exactly
 * (amounts = clamp(lambda*score_i, lo_i, hi_i) with the one lambda that
 * exhausts the pool), then rounded to whole minor units by largest remainder
 * so that every total is exact.  docs/ALLOCATION.md documents the spec file
 * and the maths.
 *
 * Life cycle (each object owns what it allocates; free accepts NULL):
 *   spec    = civ_alloc_spec_read(path)             parse + validate once
 *   problem = civ_alloc_bind(spec, communities, forecasts)
 *             resolves every attribute into arrays, in id order (so input
 *             row order never changes a result); the spec must outlive it
 *   result  = civ_alloc_result_create(problem)      buffers, sized once
 *   civ_alloc_solve(problem, result)                 call it repeatedly after
 *             civ_alloc_problem_set_factor / _set_weights (Monte Carlo,
 *             perturbed weights, scenarios): from the second solve on it
 *             allocates nothing
 *   civ_alloc_result_table / _summary / _stats       outputs
 *   civ_alloc_result_write                           the table straight to a file
 * civ_alloc_run() does all of it in one call.  Money is int64 minor units
 * (fen when minor_unit = 100) everywhere in this API.
 */
typedef struct civ_alloc_spec civ_alloc_spec;
typedef struct civ_alloc_problem civ_alloc_problem;
typedef struct civ_alloc_result civ_alloc_result;

/** Reads and validates a spec file (TOML subset, docs/ALLOCATION.md).  Free
 *  with civ_alloc_spec_free.  Errors (file:line:column and the key):
 *  CIV_ERR_IO, CIV_ERR_PARSE (syntax), CIV_ERR_DUPLICATE (key, table or
 *  name twice), CIV_ERR_LIMIT (over 1 MiB, 256 keys, 32 tilts, ...),
 *  CIV_ERR_SPEC (unknown or missing key, wrong type, out of range, weights
 *  not summing to 1 within 1e-9, pool amounts not adding up, ...). */
CIV_API civ_status civ_alloc_spec_read(const char *path, civ_alloc_spec **out);
/** As civ_alloc_spec_read from `len` bytes of text; `name` labels errors. */
CIV_API civ_status civ_alloc_spec_parse(const char *text, size_t len, const char *name, civ_alloc_spec **out);
CIV_API void civ_alloc_spec_free(civ_alloc_spec *spec);
/** Spec facts (0 / NULL for NULL spec or index out of range; strings borrowed). */
CIV_API int64_t civ_alloc_spec_total(const civ_alloc_spec *spec);       /* minor units */
CIV_API int64_t civ_alloc_spec_minor_unit(const civ_alloc_spec *spec);  /* per major unit, e.g. 100 */
CIV_API const char *civ_alloc_spec_version(const civ_alloc_spec *spec);
CIV_API const char *civ_alloc_spec_currency(const civ_alloc_spec *spec);   /* e.g. "CNY" */
/** The columns to read as text from the tables bound to the spec
 *  (civ_table_read_options.text_columns): unique_id, name, district, street,
 *  model, pilot, the spec's [data] id and district columns and its labels, each
 *  once, NULL-terminated (borrowed; NULL for a NULL spec).  A numeric
 *  community code ("310101001", "001") must stay text to key the rows. */
CIV_API const char *const *civ_alloc_spec_text_columns(const civ_alloc_spec *spec);
/** The column of the communities table that keys the rows: the spec's
 *  [data] id ("unique_id" unless set; borrowed; NULL for a NULL spec). */
CIV_API const char *civ_alloc_spec_id_column(const civ_alloc_spec *spec);
/** The spec's [data] last_year_file, resolved against the spec file's folder
 *  (borrowed; NULL when the spec has no such key).  The spec does not read it
 *  when it is read: civ_alloc_spec_read_last_year does (docs/ALLOCATION.md,
 *  "Last year's allocation"). */
CIV_API const char *civ_alloc_spec_last_year_file(const civ_alloc_spec *spec);
/** Gives the spec last year's allocation: the table `civicast allocate` wrote
 *  last year (or the same shape from a spreadsheet): the spec's [data] id
 *  column (or unique_id) as text, and per fund the amount it got last year in
 *  pool_<fund>_<minor> (minor units; pool_<fund>_<major> in major units is
 *  read when the minor column is absent; amount_<minor> serves a spec of one
 *  fund).  The allocation sheet of the plan's allocation.xlsx is read as it
 *  is: a table without unique_id whose header has 社区编号 (or Community id,
 *  English) has each header mapped back to its name through the labels that
 *  wrote it (the spec's: 民政养老补贴（分） -> pool_eldercare_fen), and a
 *  header no name has keeps its text.  In such a sheet (one the office may
 *  have edited), an amount given in both units (amount_<minor> and
 *  amount_<major>; pool_<fund>_<minor> and _<major>) must agree to the minor
 *  unit, and amount_<minor> must be the sum of the pool_<fund>_<minor>
 *  columns when every fund has one (a cell edited and not its twin: refused
 *  naming the community, both headers and both values).  The spec keeps a copy (`last_year` may be freed at once; NULL
 *  removes it).  Every later civ_alloc_bind of the spec then: takes a blank
 *  (NaN) or absent last-year cell of the communities table from the file (the
 *  community's own id, else the sum of its [data] predecessors' amounts);
 *  refuses a last-year cell that differs from it (both values, the cell's
 *  file:line:column); refuses the parts of a split (a predecessor named by
 *  several communities) whose last-year amounts sum to more than its amount;
 *  refuses a predecessor the file has no row for; and names last year's
 *  communities no one continues as closed (the summary's `closed` rows) and
 *  reconciles each fund with the file's total (the `history` rows, as with
 *  [[formula]] last_year_total).  Errors: CIV_ERR_MISSING_COLUMN (no id
 *  column), CIV_ERR_DOMAIN (a blank or duplicate id, with its line),
 *  CIV_ERR_OUT_OF_MEMORY; the spec is unchanged on error. */
CIV_API civ_status civ_alloc_spec_set_last_year(civ_alloc_spec *spec, const civ_table *last_year);
/** Reads last year's allocation from `path` (CSV, HDF5 or an Excel workbook,
 *  by extension; NULL = the spec's [data] last_year_file,
 *  civ_alloc_spec_last_year_file) and gives it to the spec
 *  (civ_alloc_spec_set_last_year), the one reader of `civicast allocate`,
 *  `compare`, `uncertainty`, `project`, civ_plan_run and Python.  `options`
 *  (may be NULL) give the file's encoding, thousands separator, percent
 *  cells, id column and sheet (.xlsx); its text_columns are not used: the
 *  spec's (civ_alloc_spec_text_columns) and their workbook headers (社区编号,
 *  Community id) are, so its ids stay text.  A workbook of several sheets
 *  read with no sheet named is read at the allocation sheet of the plan's
 *  allocation.xlsx (分配结果 headed 社区编号, or allocation headed Community
 *  id) when it has one, else CIV_ERR_NOT_FOUND listing its sheets.
 *  Returns CIV_OK and changes nothing when `path` is NULL and the spec names
 *  no file.  Errors: those of civ_table_read (CIV_ERR_IO for a missing file,
 *  ...) and of civ_alloc_spec_set_last_year, each naming the file (its
 *  line and column when the reader knows them); the spec is unchanged on
 *  error.  An untrusted .h5 file: see civ_panel_read_hdf5 (the command and
 *  Python read it in a child process, then call civ_alloc_spec_set_last_year). */
CIV_API civ_status civ_alloc_spec_read_last_year(civ_alloc_spec *spec, const char *path,
                                                 const civ_table_read_options *options);
/** Reads an earlier allocation from `path` (.csv, .h5 or .xlsx): what a
 *  reserve release paid (civ_alloc_problem_set_paid) or what a settlement
 *  settles (civ_alloc_settle), the one reader of `civicast allocate --paid`,
 *  `civicast settle --allocation` and Python's paid= and settle(allocation=).
 *  As civ_table_read with `options` (may be NULL: encoding, thousands,
 *  percent, sheet; their text_columns are not used: the spec's and their
 *  workbook headers are, so ids stay text), except that a workbook of
 *  several sheets read with no sheet named is read at the allocation sheet
 *  of the allocation.xlsx a plan wrote (分配结果 headed 社区编号, or
 *  allocation headed Community id), as civ_alloc_spec_read_last_year does.
 *  *out is the caller's (civ_table_free); NULL on error.  Errors:
 *  CIV_ERR_INVALID_ARGUMENT (NULL spec, path or out), those of
 *  civ_table_read, and CIV_ERR_NOT_FOUND for a workbook of several sheets,
 *  none named and none civicast's allocation sheet (the message lists them
 *  and names --sheet), each naming the file. */
CIV_API civ_status civ_alloc_allocation_read(const civ_alloc_spec *spec, const char *path,
                                             const civ_table_read_options *options, civ_table **out);

/* ---- The allocation workbook (engine/src/alloc/workbook.c) -------------- */
/** The money tables of one allocation for civ_alloc_workbook_write, each
 *  borrowed, NULL when the run did not make it (its sheet is left out). */
typedef struct civ_alloc_workbook_tables {
    const civ_table *allocation;   /* civ_alloc_result_table (with civ_alloc_uncertainty_add_columns' p5..p95) */
    const civ_table *summary;      /* civ_alloc_result_summary */
    const civ_table *rules;        /* civ_alloc_compare_waterfall of the one spec (the report's rules) */
    const civ_table *need;         /* civ_alloc_need_project's per community and year */
    const civ_table *need_summary; /* civ_alloc_need_project's per year */
    const civ_table *uncertainty;  /* civ_alloc_uncertainty_table */
} civ_alloc_workbook_tables;

/** Writes an allocation's money tables as one Excel workbook for the budget
 *  office (the plan's allocation.xlsx, `civicast allocate --workbook`,
 *  Python's civicast.write_allocation_workbook; docs/ALLOCATION.md, "The
 *  workbook without a plan"): a sheet per table given, in the order of the struct, named in
 *  `lang` ("zh", the default for NULL or "", or "en": 分配结果 / allocation,
 *  分配汇总 / summary, 规则分解 / rules, 需求测算 / need, 需求汇总 / need
 *  summary, 不确定性 / uncertainty), each column headed in it
 *  (io/column_labels.c: unique_id 社区编号, amount_yuan 分配金额（元）,
 *  factor_<name>_fen with the factor's label from `spec`, 常住人口（分）;
 *  pool_<fund>_fen with the fund's, pool's or reserve's label; a label that
 *  is another column's name, or that two columns share, gives way and that
 *  column keeps its name), the codes in the cells in words (the summary's
 *  section, item, measure and unit: fund 分配资金, per_capita_mean 全市人均,
 *  yuan/person 元/人; the rules' and the scopes' rows; the binding rules),
 *  ids, names, districts and explanations as they are; the allocation's
 *  columns first who (id, name, district, street), then how much
 *  (amount_yuan, share_pct), the explanation, then the rest in the table's
 *  order.  Numbers keep their values, money columns formatted by their
 *  headers' unit (civ_workbook_write).  The allocation sheet reads back as
 *  last year's allocation (civ_alloc_spec_read_last_year) and as an
 *  allocation (civ_alloc_allocation_read) with the same `spec`, in either
 *  language.  `spec` (borrowed) gives the labels and the money's unit word;
 *  NULL: the columns of its factors and funds keep their names' parts.
 *  Atomic: written to a temporary file beside `path` and renamed; nothing is
 *  left on error.  Errors: CIV_ERR_INVALID_ARGUMENT (NULL path or tables, no
 *  table at all, lang other than zh or en, field "lang"),
 *  CIV_ERR_UNSUPPORTED (path not .xlsx), those of civ_workbook_write
 *  (CIV_ERR_LIMIT, CIV_ERR_IO naming the path, ...). */
CIV_API civ_status civ_alloc_workbook_write(const char *path, const civ_alloc_spec *spec,
                                            const civ_alloc_workbook_tables *tables, const char *lang,
                                            const civ_workbook_options *options);
/** The column of the communities table naming each community's predecessors
 *  (the spec's [data] predecessors; borrowed), or NULL when the spec names
 *  none.  civ_plan_run joins their history (civ_panel_join_predecessors). */
CIV_API const char *civ_alloc_spec_predecessors_column(const civ_alloc_spec *spec);
/** The column of the communities table giving each community's shares of
 *  its predecessors (the spec's [data] predecessor_shares; borrowed), or NULL
 *  when the spec names none.  civ_plan_run joins a split's history by them
 *  (civ_panel_join_predecessors_shares), and civ_alloc_bind with last year's
 *  allocation fills a blank last-year cell of a split's part from them. */
CIV_API const char *civ_alloc_spec_predecessor_shares_column(const civ_alloc_spec *spec);
/** The unit word the output column names use for money: major = 0 gives the
 *  minor unit ("fen" for CNY with minor_unit 100, else "minor"), major = 1 the
 *  major unit ("yuan" for CNY, else "major"); e.g. amount_fen, amount_yuan. */
CIV_API const char *civ_alloc_spec_unit_name(const civ_alloc_spec *spec, int major);
CIV_API size_t civ_alloc_spec_n_factors(const civ_alloc_spec *spec);
CIV_API const char *civ_alloc_spec_factor_name(const civ_alloc_spec *spec, size_t k);
CIV_API double civ_alloc_spec_factor_weight(const civ_alloc_spec *spec, size_t k);
/** The factor's `label` (what people read, "助餐需求"), else its name; NULL when k is out of range. */
CIV_API const char *civ_alloc_spec_factor_label(const civ_alloc_spec *spec, size_t k);
/** The `label` of the [[formula]] named `formula` ("综合公式": the plan workbook's tilt_<formula> column is
 *  headed 倾斜系数（综合公式）), borrowed from the spec; NULL when that formula has no label, or the spec no such
 *  formula (the caller then shows the name).  No error is set. */
CIV_API const char *civ_alloc_spec_formula_label(const civ_alloc_spec *spec, const char *formula);
/** Which forecasts forecast factor k sums (docs/ALLOCATION.md, "Which
 *  forecasts a factor sums"), so that a summary can say "2026-01..2026-12,
 *  h = 13..24".  `period_by_date` 1: the rows dated in the spec's
 *  fiscal_year (period = "fiscal_year"); 0: the steps h = 1..horizon. */
typedef struct civ_alloc_demand_window {
    int period_by_date;
    long fiscal_year;           /* the spec's [budget] fiscal_year */
    size_t periods;             /* summed per community: the year's periods, or the horizon */
    char first[32], last[32];   /* the first and last period summed as the forecasts date them
                                 * ("2026-01", "2026-12"); "" without a ds column */
    long h_first, h_last;       /* their steps ahead (0 without an h column) */
} civ_alloc_demand_window;
/** 1 when factor k reads forecasts (source = "forecast"), else 0. */
CIV_API int civ_alloc_spec_factor_is_forecast(const civ_alloc_spec *spec, size_t k);
/** The window of forecast factor k in `forecasts` (the table civ_alloc_bind
 *  reads).  Errors: CIV_ERR_INVALID_ARGUMENT (NULL, k out of range or not a
 *  forecast factor), and the factor's own checks as civ_alloc_bind makes them
 *  (CIV_ERR_MISSING_COLUMN, CIV_ERR_NOT_FOUND when the forecasts do not reach
 *  the fiscal year, with the horizon that does, CIV_ERR_DATE, ...). */
CIV_API civ_status civ_alloc_spec_demand_window(const civ_alloc_spec *spec, size_t k, const civ_table *forecasts,
                                                civ_alloc_demand_window *out);
CIV_API size_t civ_alloc_spec_n_pools(const civ_alloc_spec *spec);
CIV_API const char *civ_alloc_spec_pool_name(const civ_alloc_spec *spec, size_t p);
CIV_API int64_t civ_alloc_spec_pool_amount(const civ_alloc_spec *spec, size_t p);
CIV_API size_t civ_alloc_spec_n_reserves(const civ_alloc_spec *spec);
CIV_API const char *civ_alloc_spec_reserve_name(const civ_alloc_spec *spec, size_t r);
CIV_API int64_t civ_alloc_spec_reserve_amount(const civ_alloc_spec *spec, size_t r);

/** Binds a spec to data: `communities` has one row per community keyed by the
 *  spec's id column (default "unique_id"); `forecasts` (may be NULL unless a
 *  factor has source = "forecast") is long format unique_id,h,model,<column>.
 *  The spec is borrowed and must outlive the problem.  Errors name the spec
 *  key (file:line:col) or the data row: CIV_ERR_MISSING_COLUMN (unknown
 *  attribute), CIV_ERR_DUPLICATE (id twice), CIV_ERR_DOMAIN (negative, NaN
 *  or infinite value in a used attribute; a factor that is zero for every
 *  eligible community), CIV_ERR_NOT_FOUND (forecasts for unknown ids,
 *  communities lacking forecasts), CIV_ERR_INFEASIBLE (a pool with no
 *  eligible community). */
CIV_API civ_status civ_alloc_bind(const civ_alloc_spec *spec, const civ_table *communities, const civ_table *forecasts,
                                  civ_alloc_problem **out);
CIV_API void civ_alloc_problem_free(civ_alloc_problem *problem);
CIV_API size_t civ_alloc_problem_n_communities(const civ_alloc_problem *problem);
/** Replaces factor k's values x_i (n = communities, in the input row order of
 *  the bound table); the coefficient c_i is kept.  For Monte Carlo over
 *  forecast paths.  Errors: CIV_ERR_INVALID_ARGUMENT (k or n), CIV_ERR_DOMAIN
 *  (negative or non-finite value, naming the community). */
CIV_API civ_status civ_alloc_problem_set_factor(civ_alloc_problem *problem, size_t k, const double *values, size_t n);
/** Copies factor k's current values (input row order) into values[n]. */
CIV_API civ_status civ_alloc_problem_get_factor(const civ_alloc_problem *problem, size_t k, double *values, size_t n);
/** Replaces every factor weight (n = civ_alloc_spec_n_factors).  Errors:
 *  CIV_ERR_SPEC when a formula's weights (each group's, for a "greater_of"
 *  formula) do not sum to 1 within 1e-9 or a weight is outside [0, 1]. */
CIV_API civ_status civ_alloc_problem_set_weights(civ_alloc_problem *problem, const double *weights, size_t n);

/** Reserve release: what each community was already paid this year, so that
 *  the problem's funds (e.g. a released reserve, allocated by this spec's
 *  formula) are allocated ON TOP of it without changing it.  `paid` has a
 *  text unique_id column (every community, once) and, per fund, the column
 *  named by its pools' `paid` key, else pool_<fund>_<minor> when present,
 *  else amount_<minor> when the spec has one fund (an earlier allocation's
 *  table serves as is, and so does the allocation sheet of the plan's
 *  allocation.xlsx, its headers read back as in
 *  civ_alloc_spec_set_last_year); whole minor units >= 0.  Each later solve then
 *  gives every fund's release_i in [max(0, lo_i - paid_i), max(0, hi_i -
 *  paid_i)] (the floors, caps, hold-harmless and pace hold for paid +
 *  release; cap_share is a share of the year's fund, paid + release), and
 *  civ_alloc_result_table adds paid_<fund>_<minor>, paid_<minor> and
 *  total_<minor> (paid + release) and compares the total with last year.
 *  NULL clears.  The table is read during the call only.  Errors:
 *  CIV_ERR_MISSING_COLUMN (naming the column and fund), CIV_ERR_NOT_FOUND
 *  (a community with no row, or rows for others), CIV_ERR_DUPLICATE,
 *  CIV_ERR_DOMAIN (negative or fractional minor units); on error the
 *  problem is left with no paid amounts. */
CIV_API civ_status civ_alloc_problem_set_paid(civ_alloc_problem *problem, const civ_table *paid);

/** Result buffers for a problem (sized once; reusable across solves; all
 *  zero until the first successful solve, and unspecified after a failed one). */
CIV_API civ_status civ_alloc_result_create(const civ_alloc_problem *problem, civ_alloc_result **out);
CIV_API void civ_alloc_result_free(civ_alloc_result *result);
/** Runs the allocation into `result`.  The solve's working memory (about 100
 *  bytes per community) is allocated by the first solve on a result and
 *  released when it ends, so that a result solved once holds only its
 *  results while the outputs are made; from the second solve on it is kept
 *  with the result (freed by civ_alloc_result_free), so repeated solves
 *  allocate nothing.  Large problems use the OpenMP threads (results are
 *  bit-identical whatever their number).  One result per thread; the
 *  problem is read-only here.  Errors: CIV_ERR_OUT_OF_MEMORY, CIV_ERR_INFEASIBLE
 *  (floors above a pool, or caps below it, naming both totals, unless the
 *  formula says on_infeasible = "ratable"), CIV_ERR_DOMAIN (a factor whose
 *  eligible total is 0). */
CIV_API civ_status civ_alloc_solve(const civ_alloc_problem *problem, civ_alloc_result *result);

/** Stages of the waterfall (all in minor units, per community). */
typedef enum civ_alloc_stage {
    CIV_ALLOC_STAGE_BASE = 1,        /* factors only: pool * score / sum(score), no tilt, no constraint */
    CIV_ALLOC_STAGE_TILTED = 2,      /* factors and tilts, no constraint */
    CIV_ALLOC_STAGE_CONSTRAINED = 3, /* after floors, caps, hold-harmless, pace (unrounded) */
    CIV_ALLOC_STAGE_ROUNDED = 4      /* the final whole minor units */
} civ_alloc_stage;
/** Copies one stage into values[n] (input row order).  Errors:
 *  CIV_ERR_INVALID_ARGUMENT (stage, n). */
CIV_API civ_status civ_alloc_result_stage(const civ_alloc_problem *problem, const civ_alloc_result *result,
                                          civ_alloc_stage stage, double *values, size_t n);
/** Factor k's part of each community's constrained, unrounded amount (minor
 *  units, input row order): a_i * w_k s_ik / base_i, so that the parts of all
 *  factors, plus "unattributed" (amounts given to zero-score communities by a
 *  floor) and the rounding, add up to the amount.  Computed on demand from
 *  the last solve.  Errors: CIV_ERR_INVALID_ARGUMENT (k, n). */
CIV_API civ_status civ_alloc_result_part(const civ_alloc_problem *problem, const civ_alloc_result *result, size_t k,
                                         double *values, size_t n);
/** How many communities forecast factor k (spec order) counted as 0 for want
 *  of any forecast, under its if_missing = "zero" (none in the forecasts, or
 *  only failed, NaN ones): their demand is 0 and their explanations say so.
 *  0 for an attribute factor and for a forecast factor without
 *  if_missing = "zero" (which refuses such communities at civ_alloc_bind).
 *  The count is fixed when the problem is bound (the same for every solve of
 *  it); `civicast allocate` prints it, Python's civicast.allocate warns
 *  (civicast.ForecastWarning).  Errors: CIV_ERR_INVALID_ARGUMENT (NULL, k out
 *  of range, a result of another problem); *out is 0 on error. */
CIV_API civ_status civ_alloc_result_n_no_forecast(const civ_alloc_problem *problem, const civ_alloc_result *result,
                                                  size_t k, size_t *out);
/** Copies the final amounts (minor units, input row order) into amounts[n]. */
CIV_API civ_status civ_alloc_result_amounts(const civ_alloc_problem *problem, const civ_alloc_result *result,
                                            int64_t *amounts, size_t n);

/** Figures for a one-screen summary. */
typedef struct civ_alloc_stats {
    int64_t total, reserved, allocated; /* minor units; allocated = total - reserved */
    size_t n_communities, n_funded;     /* funded: amount > 0 */
    size_t n_floor, n_cap, n_hold_harmless, n_pace, n_ratable; /* binding counts */
    double per_capita_mean, per_aged_mean; /* major units per person (NaN without [data] population/aged) */
    /* equity of per-capita amounts, population weighted; "before" = factors
     * and tilts only (stage TILTED), "after" = final amounts */
    double gini_before, gini_after, theil_before, theil_after, cv_before, cv_after;
} civ_alloc_stats;
/** Errors: CIV_ERR_INVALID_ARGUMENT (NULL), CIV_ERR_OUT_OF_MEMORY (the equity
 *  statistics sort 24 bytes a community), CIV_ERR_LIMIT (more than
 *  4,294,967,295 communities). */
CIV_API civ_status civ_alloc_result_stats(const civ_alloc_problem *problem, const civ_alloc_result *result,
                                          civ_alloc_stats *out);

/** Values of `explain` (civ_alloc_result_table, civ_alloc_run): 0 = no
 *  explanation column; the language of the "explanation" column otherwise
 *  (any other non-zero value is English). */
enum { CIV_ALLOC_EXPLAIN_NONE = 0, CIV_ALLOC_EXPLAIN_EN = 1, CIV_ALLOC_EXPLAIN_ZH = 2 };
/** The per-community table (input row order): unique_id, district, one
 *  column per pool group "pool_<name>", amount (minor units), amount_yuan,
 *  share, one column per factor "factor_<name>" plus "unattributed" and
 *  "rounding" (these sum to amount), tilt, binding, last_year, change,
 *  change_pct (the total against last year's total: [data] last_year, else
 *  the sum of the funds' histories when every fund has one), then for each
 *  fund with a history (a [[pool]] or [[formula]] last_year)
 *  last_year_<fund>_<minor>, change_<fund>_<minor>, change_<fund>_pct;
 *  "population" and "aged" (persons, copied from the spec's [data]
 *  population / aged columns, only when it names them); with `explain`,
 *  an "explanation" text column saying, per fund, which bound decided the
 *  amount, with the bound's value (CIV_ALLOC_EXPLAIN_EN / _ZH).
 *  Free with civ_table_free. */
CIV_API civ_status civ_alloc_result_table(const civ_alloc_problem *problem, const civ_alloc_result *result,
                                          int explain, civ_table **out);
/** Writes the table of civ_alloc_result_table (`explain` as there) to `path`
 *  (.csv, .h5 or .hdf5; `options` as civ_table_write_opts, may be NULL) without holding it
 *  in memory: a CSV is built and written a block of rows at a time (the same
 *  bytes as civ_table_write_opts of the whole table), so a million
 *  communities with explanations need a few MB instead of about 500 MB.  The
 *  file is written atomically (nothing is left at `path` on error).  HDF5
 *  goes through the whole table.  Errors: CIV_ERR_INVALID_ARGUMENT (NULL),
 *  CIV_ERR_UNSUPPORTED (unknown extension), CIV_ERR_IO, CIV_ERR_OUT_OF_MEMORY. */
CIV_API civ_status civ_alloc_result_write(const civ_alloc_problem *problem, const civ_alloc_result *result,
                                          int explain, const char *path, const civ_csv_write_options *options);
/** The summary table: section, name, amount (minor units), amount_yuan,
 *  share, communities, value -- rows for the budget, each reserve, each pool
 *  and pool group, each district, the total (= budget), per-capita
 *  statistics and equity before/after. */
CIV_API civ_status civ_alloc_result_summary(const civ_alloc_problem *problem, const civ_alloc_result *result,
                                            civ_table **out);
/** civ_alloc_result_summary and civ_alloc_result_stats in one call: the
 *  summary table in *out and, when `stats` is not NULL, the figures of
 *  civ_alloc_result_stats in *stats (filled only on success).  The summary
 *  is built from those figures, so a caller that wants both (`civicast
 *  allocate` prints them) computes the equity statistics, two sorts of the
 *  communities, once instead of twice.  Errors: those of
 *  civ_alloc_result_summary. */
CIV_API civ_status civ_alloc_result_summary_stats(const civ_alloc_problem *problem, const civ_alloc_result *result,
                                                  civ_table **out, civ_alloc_stats *stats);
/** One call: bind, solve, build both tables (`summary` may be NULL). */
CIV_API civ_status civ_alloc_run(const civ_alloc_spec *spec, const civ_table *communities, const civ_table *forecasts,
                                 int explain, civ_table **allocation, civ_table **summary);

/* ---- Settlement (engine/src/alloc/settle.c) ----------------------------- */
/** Settles an allocation against actual spending (清算) by the spec's
 *  [settlement] rules (carry_over c, top_up t: plain decimals in [0, 1],
 *  default 0; top_up_budget B, money, optional; spent: the spending
 *  column, default "spent"; docs/ALLOCATION.md "Settlement").  Per
 *  community, A = `allocation`'s amount_<minor> (whole minor units, keyed by
 *  unique_id; e.g. civ_alloc_result_table's output, or the allocation
 *  sheet of the plan's allocation.xlsx, its headers read back and its yuan
 *  and fen checked as in civ_alloc_spec_set_last_year) and S = `spending`'s
 *  spent column (major units, keyed by the spec's id column): unspent
 *  U = max(0, A - S) carries over up to floor(c A) and the rest is clawed
 *  back; overspending O = max(0, S - A) is topped up up to floor(t A) (the
 *  claims cut pro rata to B by the largest remainder when they exceed it)
 *  and the rest is uncovered; A - S = carry_over + clawback - top_up -
 *  uncovered exactly.  *out (allocation row order): unique_id,
 *  allocated_<minor>, spent_<minor>, unspent_<minor>, overspent_<minor>,
 *  carry_over_<minor>, clawback_<minor>, top_up_<minor>, uncovered_<minor>
 *  (whole minor units) and, with explain (CIV_ALLOC_EXPLAIN_EN / _ZH), an
 *  explanation quoting the rule's limit; *summary (may be NULL): section
 *  "total", item (allocated, spent, carry_over, clawback, top_up,
 *  uncovered), measure (amount in minor units, communities with a non-zero
 *  amount), unit, value.  Tables are new (civ_table_free).  Errors:
 *  CIV_ERR_MISSING_COLUMN, CIV_ERR_DUPLICATE (an id twice in either table),
 *  CIV_ERR_DOMAIN (negative, missing or fractional minor units, naming the
 *  row), CIV_ERR_NOT_FOUND (an allocated community with no spending row, or
 *  spending by a community not allocated).  A row or cell is named where its
 *  table came from (civ_table_set_source): a CSV file's path, line and column
 *  in the error's file, line and column; another named table by its row. */
CIV_API civ_status civ_alloc_settle(const civ_alloc_spec *spec, const civ_table *allocation, const civ_table *spending,
                                    int explain, civ_table **out, civ_table **summary);

/* ---- Multi-year projection (engine/src/alloc/project.c) ----------------- */
typedef struct civ_alloc_need civ_alloc_need;
/** Rolls the spec forward `years` (1..100) years from its fiscal_year:
 *  year y's budget, fund amounts, floors (rounded up) and caps (rounded
 *  down) are the spec's times the index k_y = S_y / S_fiscal_year of
 *  `need`'s indexed standard (reserves re-taken as ceil(share x budget), the
 *  funds' shares of the rest kept by the exact largest remainder); every
 *  forecast factor reads the community's projected demand of year y (the
 *  need's demand: the forecast means of that calendar year, for the
 *  projection's years whatever years `need`'s section reports); hold-harmless
 *  and pace compare each fund with the community's amount of that fund in
 *  year y - 1 (the data's history in the first year).  *out: the
 *  allocation table of civ_alloc_result_table for every year, stacked, with
 *  a leading "year" column (explanations with `explain`); *summary (may be
 *  NULL): year, item ("index", "budget", "reserved", "fund <name>",
 *  "binding floor|cap|hold_harmless|pace"), unit, value.  Tables are new.
 *  Errors: CIV_ERR_INVALID_ARGUMENT, those of civ_alloc_bind /
 *  civ_alloc_need_project / civ_alloc_solve (prefixed with the year), and
 *  CIV_ERR_NOT_FOUND for a community with no projected demand in a year
 *  (unless its factor says if_missing = "zero"). */
CIV_API civ_status civ_alloc_project(const civ_alloc_spec *spec, const civ_table *communities,
                                     const civ_table *forecasts, const civ_alloc_need *need, long years, int explain,
                                     civ_table **out, civ_table **summary);

/* ---- Scenarios (engine/src/alloc/compare.c) ----------------------------- */
/* Several specs solved on the same communities (and forecasts): amounts side
 * by side, the change against the first spec, and a waterfall that splits
 * each community's move from its factors-only amount to its final amount
 * into the effect of each rule:
 *   amount = base + tilt + earmark + floor + cap + hold_harmless + pace
 *            + ratable + rebalance + rounding       (exactly, in minor units)
 * where base is stage BASE of the general funds (the pools with no earmark),
 * earmark is stage BASE of the earmarked funds (an earmarked pool's money
 * shared by its formula among the communities eligible for it; 0 for a
 * community eligible for none), tilt = TILTED - BASE (every fund), the
 * constraint effect CONSTRAINED - TILTED is
 * credited to the bound that holds the community (ratable > hold-harmless >
 * floor > cap > pace when several funds bind it differently) or, for a
 * community no bound holds, to "rebalance" (its share of the money the bounds
 * freed or consumed, through the common lambda), and rounding = ROUNDED -
 * CONSTRAINED.  docs/ALLOCATION.md, "Scenarios". */
typedef struct civ_alloc_compare civ_alloc_compare;

typedef enum civ_alloc_effect {
    CIV_ALLOC_EFFECT_TILT = 0,
    CIV_ALLOC_EFFECT_FLOOR = 1,
    CIV_ALLOC_EFFECT_CAP = 2,
    CIV_ALLOC_EFFECT_HOLD_HARMLESS = 3,
    CIV_ALLOC_EFFECT_PACE = 4,
    CIV_ALLOC_EFFECT_RATABLE = 5,
    CIV_ALLOC_EFFECT_REBALANCE = 6,
    CIV_ALLOC_EFFECT_ROUNDING = 7,
    CIV_ALLOC_EFFECT_EARMARK = 8, /* last, so the values above keep their numbers */
    CIV_ALLOC_EFFECT_COUNT = 9
} civ_alloc_effect;
/** Lower-case name of an effect ("tilt", "hold_harmless", ...; "" if unknown). */
CIV_API const char *civ_alloc_effect_name(civ_alloc_effect effect);

/** Binds and solves each of the n_specs (>= 1) specs on `communities` (and
 *  `forecasts`, may be NULL), which every spec must key by the same id column
 *  and district column.  labels[s] names spec s in column names (letters,
 *  digits, '_', '-', '.'; distinct); `labels` may be NULL ("s1", "s2", ...).
 *  Specs and tables are borrowed for the call only.  *out is freed with
 *  civ_alloc_compare_free.  Errors: CIV_ERR_INVALID_ARGUMENT (NULLs, no spec,
 *  bad or duplicate label), any error of civ_alloc_bind / civ_alloc_solve
 *  (the message is prefixed with the spec's label). */
CIV_API civ_status civ_alloc_compare_run(const civ_alloc_spec *const *specs, const char *const *labels,
                                         size_t n_specs, const civ_table *communities, const civ_table *forecasts,
                                         civ_alloc_compare **out);
CIV_API void civ_alloc_compare_free(civ_alloc_compare *cmp);
CIV_API size_t civ_alloc_compare_n_specs(const civ_alloc_compare *cmp);
CIV_API size_t civ_alloc_compare_n_communities(const civ_alloc_compare *cmp);
/** Borrowed label of spec s (NULL when out of range). */
CIV_API const char *civ_alloc_compare_label(const civ_alloc_compare *cmp, size_t s);
/** Spec s's final amounts (minor units, input row order) into amounts[n]. */
CIV_API civ_status civ_alloc_compare_amounts(const civ_alloc_compare *cmp, size_t s, int64_t *amounts, size_t n);
/** Spec s's per-community effect (minor units, unrounded except ROUNDING
 *  makes the sum whole; input row order); the base plus the nine effects
 *  equals the final amount.  `effect` = CIV_ALLOC_EFFECT_COUNT gives the
 *  base: stage BASE of the general funds (stage BASE itself when the spec
 *  has no earmark; add CIV_ALLOC_EFFECT_EARMARK for the whole stage BASE).
 *  Errors: CIV_ERR_INVALID_ARGUMENT (s, effect, n). */
CIV_API civ_status civ_alloc_compare_effect(const civ_alloc_compare *cmp, size_t s, civ_alloc_effect effect,
                                            double *values, size_t n);
/** Per community (input row order): unique_id, district, amount_<label> for
 *  every spec (minor units), then for each spec after the first
 *  change_<label> (minor units, against the first), change_pct_<label> (%,
 *  NaN when the first is 0) and outcome_<label> ("gains", "loses", "same").
 *  Free with civ_table_free. */
CIV_API civ_status civ_alloc_compare_table(const civ_alloc_compare *cmp, civ_table **out);
/** The waterfall: one row per spec and scope with columns spec, scope, name,
 *  communities, base, tilt, earmark, floor, cap, hold_harmless, pace,
 *  ratable, rebalance, rounding, amount (minor units; base + the effects =
 *  amount; the effects in the order a reader follows them, not the enum's).
 *  Scopes: "total" (net effects; base + earmark is the whole factor base,
 *  earmark the earmarked funds' part; tilt, rebalance and the constraints net
 *  to zero within each fund only together), "gained" and "lost" (sums of the
 *  positive and of the negative parts: the money each rule moved), then one
 *  "district" row per district (name = the district, sorted by byte order). */
CIV_API civ_status civ_alloc_compare_waterfall(const civ_alloc_compare *cmp, civ_table **out);

/* ---- Uncertainty (engine/src/alloc/uncertainty.c) ----------------------- */
/* A seeded Monte Carlo of the allocation: each draw perturbs the forecast-
 * demand factors (from the forecasts' prediction intervals) and/or the factor
 * weights (Dirichlet around the spec's weights), re-solves, and keeps every
 * community's amount; quantiles of the draws give P5/P50/P95.
 *  - Forecast factors (source = "forecast", column = "mean"): for community i
 *    and step h with mean m and bounds lo-L / hi-L at levels L (any of the
 *    columns "lo-<L>", "hi-<L>" present), each side's scale is fitted through
 *    the origin to the normal quantiles, sigma = sum_L z_L d_L / sum_L z_L^2
 *    (d_L = m - lo_L or hi_L - m, z_L = Phi^-1(1/2 + L/200)): a quantile-
 *    matched split normal whose median is m.  One z ~ N(0,1) per community
 *    and draw is shared by all steps h (perfect correlation across the
 *    horizon, which keeps the yearly total as wide as the intervals imply;
 *    communities are independent), x_ih = max(0, m + z sigma_side), and the
 *    factor is sum_h x_ih.  Missing bounds (failed series) mean sigma = 0.
 *  - Weights: with concentration K > 0, the weights of each formula (each
 *    group of a greater_of formula) are drawn from Dirichlet(K w_k) over its
 *    factors with w_k > 0 (mean w_k, variance w_k(1 - w_k)/(K + 1)).
 * Draw d uses its own generator seeded from (seed, d), so every result is
 * bit-identical for any number of threads. */
typedef struct civ_alloc_uncertainty civ_alloc_uncertainty;

typedef struct civ_alloc_uncertainty_options {
    size_t n_draws;               /* >= 1; default 1000 */
    uint64_t seed;                /* default 20260101 */
    int threads;                  /* 0 = the OpenMP default */
    int perturb_forecasts;        /* default 1: needs a forecast factor and interval columns */
    double weight_concentration;  /* K; 0 (default) keeps the weights fixed */
} civ_alloc_uncertainty_options;
/** Fills *opt with the defaults above.  Errors: CIV_ERR_INVALID_ARGUMENT. */
CIV_API civ_status civ_alloc_uncertainty_options_init(civ_alloc_uncertainty_options *opt);
/** Runs the Monte Carlo.  The spec and tables are borrowed for the call
 *  (each thread binds its own problem).  Memory: n_draws x communities
 *  int64.  Errors: CIV_ERR_INVALID_ARGUMENT (NULLs, n_draws 0, K < 0,
 *  negative threads), CIV_ERR_SPEC (nothing to perturb: no forecast factor
 *  with interval columns and K = 0), the errors of civ_alloc_bind, and those
 *  of civ_alloc_solve for a draw (the lowest failing draw, named). */
CIV_API civ_status civ_alloc_uncertainty_run(const civ_alloc_spec *spec, const civ_table *communities,
                                             const civ_table *forecasts, const civ_alloc_uncertainty_options *opt,
                                             civ_alloc_uncertainty **out);
CIV_API void civ_alloc_uncertainty_free(civ_alloc_uncertainty *u);
CIV_API size_t civ_alloc_uncertainty_n_draws(const civ_alloc_uncertainty *u);
CIV_API size_t civ_alloc_uncertainty_n_communities(const civ_alloc_uncertainty *u);
/** Wall-clock seconds of the draws (not part of any table). */
CIV_API double civ_alloc_uncertainty_seconds(const civ_alloc_uncertainty *u);
/** The amounts of draw d (minor units, input row order) into amounts[n]. */
CIV_API civ_status civ_alloc_uncertainty_draw(const civ_alloc_uncertainty *u, size_t d, int64_t *amounts, size_t n);
/** Quantile p in [0, 1] of each community's amount over the draws (minor
 *  units, input row order; R's type 7, linear between order statistics, so
 *  it may fall between whole fen).  Errors: CIV_ERR_INVALID_ARGUMENT. */
CIV_API civ_status civ_alloc_uncertainty_quantile(const civ_alloc_uncertainty *u, double p, double *values,
                                                  size_t n);
/** The long table: scope ("community", "district", "total"), name (id or
 *  district), district, amount (the point allocation, minor units), mean,
 *  p5, p50, p95 (minor units over the draws).  Communities in input row
 *  order, districts by byte order, then the total (whose quantiles equal
 *  the allocated total: every draw is exact). */
CIV_API civ_status civ_alloc_uncertainty_table(const civ_alloc_uncertainty *u, civ_table **out);
/** Appends the columns p5, p50, p95 (quantiles 0.05, 0.50, 0.95 of each
 *  community's amount over the draws, minor units) to `allocation`, the
 *  per-community table of the same communities in the same row order (e.g.
 *  civ_alloc_result_table).  Errors: CIV_ERR_INVALID_ARGUMENT (NULL, another
 *  row count), those of civ_table_add_column (e.g. the table has such a
 *  column already). */
CIV_API civ_status civ_alloc_uncertainty_add_columns(const civ_alloc_uncertainty *u, civ_table *allocation);

/* ---- Multi-year need (engine/src/alloc/need.c) -------------------------- */
/* The projected budget need: a subsidy standard per unit of demand (e.g. per
 * meal), indexed by `index_rate` every `index_every_years` years from
 * `base_year`, times the forecast demand (the sum of the forecast means of
 * each calendar year).  Read from a [need] section (of the allocation spec or
 * a plan config):
 *   [need]
 *   standard_per_meal = 8.00    # money, major units, read exactly
 *   index_rate = 0.10           # decimal, read exactly (at most 9 decimals)
 *   index_every_years = 2       # default 1
 *   base_year = 2025            # the year standard_per_meal applies to
 *   years = 3                   # years reported, from first_year
 *   first_year = 2025           # default base_year
 *   minor_unit = 100            # default: [budget] minor_unit, else 100
 *   column = "mean"  model = "..."   # which forecasts (model when several)
 * Integer rules (docs/ALLOCATION.md, "Multi-year need"): the standard of
 * year y is S_k with k = floor((y - base_year) / every), S_0 the standard in
 * minor units and S_k = round(S_{k-1} x (1 + rate)) computed exactly in
 * integers, half away from zero (standards are published in whole fen at each
 * step); a community's need in year y is round(demand_iy x S_k), half away
 * from zero; a year's total is the sum of the rounded community needs. */
typedef struct civ_alloc_need civ_alloc_need;
/** Reads the [need] section of a TOML-subset file (other sections are
 *  ignored).  Errors: CIV_ERR_IO, CIV_ERR_PARSE, CIV_ERR_NOT_FOUND (no
 *  [need] section), CIV_ERR_SPEC (unknown key, wrong type, range), with
 *  file:line:column. */
CIV_API civ_status civ_alloc_need_read(const char *path, civ_alloc_need **out);
CIV_API civ_status civ_alloc_need_parse(const char *text, size_t len, const char *name, civ_alloc_need **out);
CIV_API void civ_alloc_need_free(civ_alloc_need *need);
/** First year reported and the number of years. */
CIV_API long civ_alloc_need_first_year(const civ_alloc_need *need);
CIV_API long civ_alloc_need_years(const civ_alloc_need *need);
CIV_API int64_t civ_alloc_need_minor_unit(const civ_alloc_need *need);
/** The currency of the need's money (borrowed): the file's [budget] currency
 *  (an allocation spec's), else "CNY", the spec's default; NULL for a NULL
 *  need.  `civicast need` labels its total with it, as `plan` does. */
CIV_API const char *civ_alloc_need_currency(const civ_alloc_need *need);
/** The indexed standard of `year` in minor units (-1 when year < base_year). */
CIV_API int64_t civ_alloc_need_standard(const civ_alloc_need *need, long year);
/** Projects the need from long-format forecasts (unique_id, ds, h, model,
 *  <column>): rows are grouped by the calendar year of ds (monthly,
 *  quarterly, weekly, daily or yearly dates); rows of other years are
 *  ignored.  *per_community: unique_id, year, periods, demand, standard,
 *  need, need_yuan (ids by byte order, then year); *per_year: scope
 *  ("year", then one "total" row with year NaN), year, communities,
 *  periods (the most rows of one community), demand, standard, need,
 *  need_yuan.  Tables are new (civ_table_free); either output may be NULL.
 *  Errors:
 *  CIV_ERR_MISSING_COLUMN, CIV_ERR_SPEC (several models without model = ...),
 *  CIV_ERR_DATE, CIV_ERR_DOMAIN (negative or missing demand in a used year,
 *  overflow), CIV_ERR_NOT_FOUND (a reported year with no forecast rows:
 *  forecast further ahead).  Errors in the forecasts name no file (the table
 *  has none): the caller adds the forecasts' path; errors of the [need]
 *  section name the spec. */
CIV_API civ_status civ_alloc_need_project(const civ_alloc_need *need, const civ_table *forecasts,
                                          civ_table **per_community, civ_table **per_year);

/* ------------------------------------------------------------------------ */
/* Monitoring and early warning (engine/src/monitor/)                       */
/* ------------------------------------------------------------------------ */
/*
 * Indicators against targets, the consecutive-miss alert, roll-ups, early
 * warning from forecasts, the risk matrix and inactivity alerts.
 * docs/MONITORING.md states every rule; the summaries here are binding.
 *
 * Life cycle:
 *   spec = civ_monitor_spec_read(path)          the indicator file (TOML subset)
 *   mon  = civ_monitor_run(spec, actuals, ...)  statuses of every unit and roll-up
 *   civ_monitor_status_table / _alert_table     outputs
 *   civ_monitor_panel(mon)  -> civ_forecast_panel + civ_forecast_result_table
 *   civ_monitor_warn(mon, forecast table)       probability of missing each target
 * The monitor layer never forecasts itself: forecasts reach it as tables, as
 * civ_forecast_result_table writes them (unique_id, ds, mean, lo-L, hi-L).
 */
typedef struct civ_monitor_spec civ_monitor_spec;
typedef struct civ_monitor civ_monitor;

/** Reads an indicator file: a [monitor] section (alert_after, unit_column,
 *  scope, rollup) and one [[indicator]] per indicator (id, name, unit, kind =
 *  "rate" | "count" | "level", better = "higher" | "lower", department,
 *  alert_after, and exactly one target form: target = constant;
 *  target_from = [dates] with target_values = [numbers] (a step table); or
 *  target_change = -0.30 with base = "2023" and by = "2025" (a path)), and
 *  one [[closed]] per unit closed (merged away) from a period on: unit,
 *  from (the first period without it), optional into (the unit that took it
 *  over) and note; civ_monitor_run gives its series the status "closed" from
 *  then on (docs/MONITORING.md, "Units that close").
 *  Free with civ_monitor_spec_free.  Errors (file:line:column and the key):
 *  CIV_ERR_IO, CIV_ERR_PARSE, CIV_ERR_DUPLICATE (an indicator id twice),
 *  CIV_ERR_LIMIT, CIV_ERR_SPEC (unknown or missing key, no target, two
 *  target forms, a rate target outside [0, 1], bad date, wrong type, a unit
 *  closed twice, into naming the closed unit). */
CIV_API civ_status civ_monitor_spec_read(const char *path, civ_monitor_spec **out);
/** As civ_monitor_spec_read from `len` bytes of text; `name` labels errors. */
CIV_API civ_status civ_monitor_spec_parse(const char *text, size_t len, const char *name, civ_monitor_spec **out);
CIV_API void civ_monitor_spec_free(civ_monitor_spec *spec);
/** The columns of the actuals to read as text (civ_table_read_options.
 *  text_columns): the unit, indicator and time columns the file's [monitor]
 *  names, its roll-up columns and the usual names (unit, street, community,
 *  district, indicator, ds), so that numeric unit codes and years stay text.
 *  NULL-terminated, owned by the spec (NULL for a NULL spec). */
CIV_API const char *const *civ_monitor_spec_text_columns(const civ_monitor_spec *spec);
/** Number of indicators and the borrowed id of indicator k (NULL out of range). */
CIV_API size_t civ_monitor_spec_n_indicators(const civ_monitor_spec *spec);
CIV_API const char *civ_monitor_spec_indicator_id(const civ_monitor_spec *spec, size_t k);
/** The scope name of the units ([monitor] scope, default "unit"; borrowed, NULL for a NULL spec): the
 *  outputs' scope column holds it on the units' rows, each roll-up column's name on its groups' rows
 *  and "city" on the total's, so that a caller knows which column of the actuals each unit came from. */
CIV_API const char *civ_monitor_spec_scope(const civ_monitor_spec *spec);

/** Binds the spec to a table of actuals and computes every status.  The
 *  actuals have one row per unit, indicator and period: columns <unit_column>
 *  (default "unit"), <indicator_column> ("indicator"), <time_column> ("ds":
 *  "YYYY", "YYYY-Qn" or "YYYY-MM", or their Chinese forms, one form
 *  throughout), <value_column> ("value"; NaN or empty = not reported),
 *  <denominator_column> ("denominator", required for rate indicators), the
 *  names in brackets being the defaults of the spec's [monitor] keys, and
 *  one text column per roll-up named in the spec.
 *  Rates are fractions in [0, 1]; counts are >= 0.  `source` names the
 *  table in errors (e.g. its file); row r is reported as line r + 2 (the
 *  header is line 1).  The spec is borrowed and must outlive *out (free with
 *  civ_monitor_free).  Errors, with source:line and the column as field:
 *  CIV_ERR_MISSING_COLUMN, CIV_ERR_NOT_FOUND (an indicator the spec lacks),
 *  CIV_ERR_DOMAIN (a rate outside [0, 1], a negative count, a missing or
 *  non-positive denominator of a reported rate), CIV_ERR_DATE,
 *  CIV_ERR_FREQUENCY (mixed date forms), CIV_ERR_DUPLICATE (unit, indicator
 *  and ds twice), CIV_ERR_SPEC (a unit in two roll-up groups, an empty
 *  roll-up cell, a target date the data's frequency cannot express; with the
 *  spec's file:line: a [[closed]] unit or into the actuals lack, with the
 *  nearest unit, an into itself closed by then, a from the frequency cannot
 *  express).  A value reported in or after its unit's [[closed]] period is
 *  CIV_ERR_DOMAIN at its row (field: the time column), naming the unit, the
 *  closing period and the [[closed]] line; an empty value there is accepted. */
CIV_API civ_status civ_monitor_run(const civ_monitor_spec *spec, const civ_table *actuals, const char *source,
                                   civ_monitor **out);
CIV_API void civ_monitor_free(civ_monitor *mon);
/** Number of monitored series (units and roll-ups times indicators), the
 *  frequency and the first and last period of the actuals. */
CIV_API size_t civ_monitor_n_series(const civ_monitor *mon);
CIV_API civ_frequency civ_monitor_frequency(const civ_monitor *mon);
CIV_API int64_t civ_monitor_first_period(const civ_monitor *mon);
CIV_API int64_t civ_monitor_last_period(const civ_monitor *mon);
/** A period as a person writes it against the monitor's actuals (the command's --period, the plan's
 *  [monitor] period, Python's monitor(period=)): a period of the actuals' frequency in any form
 *  civ_date_parse reads ("2024-11", "2024/11", "2024年11月" for monthly actuals; "2024-Q4", "2024") or a day
 *  in one ("2024-11-30", "2024/11/30 0:00": the period it falls in).  *period gets the period, for
 *  civ_monitor_alert_table; label (may be NULL, `size` bytes) gets it as the outputs write it ("2024-11").
 *  `field` names the setting in errors (NULL: "period").  Errors, with field = `field` and the actuals'
 *  first .. last period in the message: CIV_ERR_DATE (not a date, or a period of another frequency: a
 *  quarter for monthly actuals), CIV_ERR_DOMAIN (a period outside the actuals), CIV_ERR_INVALID_ARGUMENT
 *  (NULL mon, text or period). */
CIV_API civ_status civ_monitor_period_of(const civ_monitor *mon, const char *text, const char *field,
                                         int64_t *period, char *label, size_t size);

/** The status table, one row per series and period: scope (the spec's scope
 *  name, each roll-up column, "city"), unit, indicator, department, ds,
 *  actual, denominator, target (a count whose reported values are all whole:
 *  the whole number of events its target allows, rounded up when lower is
 *  better, down when higher; the early warning judges against the same),
 *  status ("met", "missed", "no_data",
 *  "no_target", "not_started" before the series' first row, "closed" from
 *  its unit's [[closed]] period on or, for a roll-up, once all its units
 *  closed: no actual, no target), misses (consecutive misses up to this
 *  period), alert ("raised", "continued", "cleared", "closed" (an alert open
 *  when its unit closed, ended with it) or ""), name (the indicator's name in
 *  the spec, "" when it has none; after the others, so that they keep
 *  their places), into and note (a closed unit's [[closed]] into and note on
 *  its "closed" rows: where it went and why; "" on every other row and on a
 *  roll-up closed with its units), kind and value_unit (the indicator's kind,
 *  "rate" | "count" | "level", and its unit in the spec, "" when none: how a
 *  reader shows actual and target, civ_monitor_value_text; last, so that the
 *  columns before keep their places).  Rows by scope (units, roll-ups
 *  in spec order, city), unit (byte order), indicator (spec order), ds.
 *  *out is new (civ_table_free).  Errors: CIV_ERR_INVALID_ARGUMENT. */
CIV_API civ_status civ_monitor_status_table(const civ_monitor *mon, civ_table **out);
/** Period value meaning "the last period of the actuals". */
#define CIV_MONITOR_LATEST INT64_MIN
/** The alerts open in `period` (CIV_MONITOR_LATEST for the last one): rows
 *  whose alert is "raised" or "continued", grouped by department (byte
 *  order), then indicator (spec order), scope, unit.  Columns: department,
 *  indicator, name, scope, unit, ds, actual, target, misses, since (the ds
 *  of the run's first miss), alert, kind, value_unit (as in the status
 *  table).  Errors: CIV_ERR_INVALID_ARGUMENT,
 *  CIV_ERR_DOMAIN (a period outside the actuals). */
CIV_API civ_status civ_monitor_alert_table(const civ_monitor *mon, int64_t period, civ_table **out);
/** The monitored units' names, for readers (a street's 鼓角街道 beside its code D01-S01; docs/MONITORING.md,
 *  "Units' names"): a new table (civ_table_free) with columns scope, unit, name (all text), one row per unit of
 *  the actuals (the spec's unit scope, rows in the status table's unit order) that `names` names; a unit it does
 *  not name has no row (its code stays its only name; an empty table is not an error).  `names` is either a
 *  table of the units, its codes in a text column headed as the actuals' unit column (or "unit") and their names
 *  in "name", or a communities table: text column "unique_id" holding ids that start with the unit's code and
 *  '-' (D01-S01-C001) and the name in a text column headed as the spec's scope ("street") or unit column.
 *  `source` labels errors (may be NULL).  Errors: CIV_ERR_INVALID_ARGUMENT, CIV_ERR_MISSING_COLUMN (neither
 *  form: the message names both), CIV_ERR_DUPLICATE (two rows give one unit two names: both lines named). */
CIV_API civ_status civ_monitor_unit_names(const civ_monitor *mon, const civ_table *names, const char *source,
                                          civ_table **out);
/** The monitored series as a panel to forecast (frequency of the actuals):
 *  one series per scope, unit and indicator with id "scope:unit:indicator"
 *  and the actual values (NaN where not reported), in status-table order;
 *  a series closed at the last period ([[closed]]) is left out.
 *  `scopes` (n_scopes names, e.g. {"district", "city"}) keeps only those
 *  scopes; NULL keeps all.  *out is new (civ_panel_free).  Errors:
 *  CIV_ERR_NOT_FOUND (a scope the monitor does not have, field = it),
 *  CIV_ERR_OUT_OF_MEMORY. */
CIV_API civ_status civ_monitor_panel(const civ_monitor *mon, const char *const *scopes, size_t n_scopes,
                                     civ_panel **out);

/** Early warning.  `forecasts` is long format as civ_forecast_result_table
 *  writes it for civ_monitor_panel's series: unique_id, ds, mean and any
 *  lo-<L>/hi-<L> pairs (h and model are optional).  Each step's
 *  distribution is the quantile-matched split normal with median `mean`
 *  and side scales fitted through the origin to the bounds,
 *  sigma = sum_L z_L d_L / sum_L z_L^2 with z_L = Phi^-1(1/2 + L/200) (for
 *  Gaussian forecasts: exactly the normal); P(miss) = F(target) when higher
 *  is better, 1 - F(target) when lower is.  `threshold` in (0, 1) marks the
 *  first warning step (p_miss >= threshold; 0.5 is a good default; 80 is refused with the cure
 *  "write 0.8 for 80%": civ_monitor_threshold_parse reads "80%").
 *  *steps (may be NULL): scope, unit, indicator, department, ds, h, mean,
 *  sigma_lo, sigma_hi, target, p_miss, warning (1/0), kind, value_unit (as
 *  in the status table).  *summary (may be
 *  NULL): one row per series: scope, unit, indicator, department,
 *  p_miss_next, p_miss_max, first_warning (ds or ""), first_warning_h,
 *  goal (the final target of a path, else the last step's target), reach
 *  (first ds whose mean meets the goal, or ""), deadline (a path's `by`
 *  period, else ""), on_track (1 when reach <= deadline, 0 when not, NaN
 *  without a deadline), kind, value_unit.  Errors: CIV_ERR_INVALID_ARGUMENT (threshold),
 *  CIV_ERR_MISSING_COLUMN, CIV_ERR_NOT_FOUND (an id that is not a
 *  monitored series, line = row + 2), CIV_ERR_DATE, CIV_ERR_DOMAIN (a bound
 *  on the wrong side of the mean). */
CIV_API civ_status civ_monitor_warn(const civ_monitor *mon, const civ_table *forecasts, double threshold,
                                    civ_table **steps, civ_table **summary);
/** A warning threshold as a person writes it (the command's --threshold, the plan's [monitor] threshold
 *  given as a string, Python's threshold="80%"): a probability "0.8" or a percentage with its sign "80%"
 *  (the same double as 0.8), strictly between 0 and 1.  Errors: CIV_ERR_INVALID_ARGUMENT naming the text:
 *  a plain number in [1, 100) is refused as a percentage written for a probability with the cure
 *  ("threshold 80 is not a probability in (0, 1): a percentage? write 0.8 for 80% (or \"80%\")"), as
 *  civ_monitor_warn refuses such a threshold; other text is not a number. */
CIV_API civ_status civ_monitor_threshold_parse(const char *text, double *out);

/** Demand running ahead of (or behind) its forecast: for every forecast row
 *  (unique_id, ds, mean, lo-<L>/hi-<L>) whose series and period `actuals`
 *  holds a value, the widest level L whose interval excludes the actual.
 *  Columns: unique_id, ds, actual, mean, deviation_pct (100 (actual -
 *  mean) / mean), level (NaN when inside every interval), flag ("ahead"
 *  above hi-L, "behind" below lo-L, "within"), and, when the forecasts have
 *  a text column model (a long file of several models, --model ets,theta),
 *  model: each row's, so that the rows of two models for one series and
 *  period are told apart.  Rows in forecast order;
 *  forecast rows without an actual are skipped.  Errors:
 *  CIV_ERR_MISSING_COLUMN (no interval columns), CIV_ERR_DATE,
 *  CIV_ERR_FREQUENCY (ds of another frequency than the panel's),
 *  CIV_ERR_NOT_FOUND (forecast rows, but none with an actual: no forecast
 *  series is in `actuals`, field unique_id, or none of their periods holds
 *  a value, field ds; an empty check would read as demand on plan). */
CIV_API civ_status civ_monitor_demand_check(const civ_table *forecasts, const civ_panel *actuals, civ_table **out);

/** An indicator's value as a person reads it, by its kind (docs/MONITORING.md, "Values as people read
 *  them"), for the alert lines of `civicast monitor` and `plan` and Python's civicast.value_text: `kind` as
 *  the status, alert and warning tables' kind column holds it.  "rate": a percentage with one decimal,
 *  trailing zeros dropped (0.2863 -> "28.6%", 0.35 -> "35%"; `unit` is not used); "count": a whole number
 *  ("1,207", with the unit: "3 起"; a count that is not whole, such as a count per 1,000 people, with up to
 *  two decimals); "level": up to two decimals and the unit ("11.07 分钟").  Thousands are separated by ","
 *  (counts and levels).  `against` (NaN for none) is the value this one is compared with (an actual's
 *  target, or a target's actual): when the two differ but would read the same, up to three more decimals
 *  are shown, so a miss never reads as equal to its target (0.9796 against 0.98: "97.96%", not "98%").
 *  NaN gives "" (not reported: the caller says so).  NULL or "" kind: the number as "%.4g" (a table
 *  without the kind column).  Independent of the host's locale.  Errors: CIV_ERR_INVALID_ARGUMENT (NULL
 *  buf or size 0; a kind other than rate, count, level, field "kind"), CIV_ERR_LIMIT (the text does not fit
 *  in `size` bytes, buf ""; 64 bytes hold every number with a unit of up to 40 bytes). */
CIV_API civ_status civ_monitor_value_text(double value, const char *kind, const char *unit, double against,
                                          char *buf, size_t size);

/* ---- Risk matrix (engine/src/monitor/risk.c) ----------------------------- */
/* A probability x impact matrix: probabilities fall into rows by upper
 * bounds, impacts are names on an ordered scale (columns), each cell holds a
 * level, and levels are ranked.  The default (5 x 5): rows [0, .2), [.2, .4),
 * [.4, .6), [.6, .8), [.8, 1]; impacts "negligible", "minor", "moderate",
 * "fairly severe", "severe"; cell score = row x column (1..25); levels by
 * score: 1-4 "low", 5-9 "medium", 10-16 "medium-high", 17-25 "high". */
typedef struct civ_monitor_matrix civ_monitor_matrix;
/** The default matrix above. */
CIV_API civ_status civ_monitor_matrix_default(civ_monitor_matrix **out);
/** Reads a [matrix] section: impacts = [names, lowest first],
 *  probability_bounds = [upper bounds of every row but the last, increasing,
 *  in (0, 1)], levels = [names, lowest first], and either cells = [one
 *  string per row, lowest probability first, with one level name per impact
 *  separated by spaces] or level_min_scores = [lowest score of each level
 *  after the first] (score = row x column, 1-based).  Errors as
 *  civ_monitor_spec_read. */
CIV_API civ_status civ_monitor_matrix_read(const char *path, civ_monitor_matrix **out);
CIV_API civ_status civ_monitor_matrix_parse(const char *text, size_t len, const char *name,
                                            civ_monitor_matrix **out);
CIV_API void civ_monitor_matrix_free(civ_monitor_matrix *matrix);
/** Levels of a risk register.  `risks` has columns risk, probability (a
 *  fraction in [0, 1]), impact (a name on the matrix's scale) and, kept as
 *  given, owner and mitigation when present.  *assessed: risk, probability,
 *  impact, owner, mitigation, row, column (1-based), score (row x column),
 *  level, rank (1 = handle first), sorted by level (highest first), then
 *  score, probability (both descending), then input order.  *matrix_out
 *  (may be NULL): one row per cell (probability_from, probability_to,
 *  impact, row, column, score, level, risks = the ids in the cell, ";"
 *  separated).  `source` names the register in errors (line = row + 2).
 *  Errors: CIV_ERR_MISSING_COLUMN, CIV_ERR_DOMAIN (a probability outside
 *  [0, 1] or missing), CIV_ERR_NOT_FOUND (an impact not on the scale, with
 *  the scale), CIV_ERR_DUPLICATE (a risk twice). */
CIV_API civ_status civ_monitor_risk_assess(const civ_monitor_matrix *matrix, const civ_table *risks,
                                           const char *source, civ_table **assessed, civ_table **matrix_out);

/* ---- Inactivity alerts (engine/src/monitor/inactivity.c) ----------------- */
/* Each person's normal gap between activity events, by the hour of day in
 * which the gap starts (24 bins, local time = UTC + utc_offset_hours), as a
 * log-normal of the gaps weighted by their length (the distribution of "time
 * since the last event" that the alarm watches, so a rare 2-hour outing
 * weighs as much as twelve 10-minute gaps), shrunk towards the population's
 * (the prior for new people and for sparse hours):
 *   mu = (k0 mu_pop + n m) / (k0 + n),  s2 = (k0 s2_pop + n v) / (k0 + n)
 * with n the person's weight in the bin (hours of gaps, forgetting past
 * `memory` hours).  The alert threshold of a gap starting in bin b is
 * T = max(min_gap, exp(mu + z_q sqrt(s2))) with z_q = Phi^-1(quantile).  A
 * gap that reaches T raises one alert at last_event + T and is learned as
 * min(gap, 2T) (winsorised).  State per person: the last event time and 24 x (weight,
 * mean, variance): O(1) per event.  docs/MONITORING.md has the measured
 * delay and false alarms. */
typedef struct civ_monitor_inactivity civ_monitor_inactivity;
typedef struct civ_monitor_inactivity_options {
    double quantile;        /* quantile of the threshold; default 0.995 */
    double min_gap_hours;   /* threshold floor; default 1 */
    double prior_weight;    /* k0, hours of gaps the population prior is worth; default 20 */
    double memory;          /* cap of a bin's weight in hours (habits change); default 60 */
    double utc_offset_hours;/* local time = UTC + offset, for the hour bins; default 8 */
    int naive_local;        /* a ts text without a zone ("2025-03-01 08:00:00") is: 0 UTC (the default), 1 local
                             * time, UTC + utc_offset_hours (an office's sensor export in Beijing time); a ts with
                             * "Z" or an offset, and seconds since 1970, are UTC either way (docs/MONITORING.md,
                             * "Inactivity alerts") */
} civ_monitor_inactivity_options;
/** Fills *opt with the defaults above.  Errors: CIV_ERR_INVALID_ARGUMENT. */
CIV_API civ_status civ_monitor_inactivity_options_init(civ_monitor_inactivity_options *opt);
/** A streaming detector (opt may be NULL for the defaults).  Errors:
 *  CIV_ERR_INVALID_ARGUMENT (quantile outside (0.5, 1), negative hours,
 *  prior_weight <= 0, memory < 1, offset outside [-14, 14]). */
CIV_API civ_status civ_monitor_inactivity_create(const civ_monitor_inactivity_options *opt,
                                                 civ_monitor_inactivity **out);
CIV_API void civ_monitor_inactivity_free(civ_monitor_inactivity *det);
/** Records an event of `person` (copied on first sight) at `t` seconds since
 *  1970-01-01 UTC; O(1) expected.  *alert_at (may be NULL) receives the time
 *  the gap that this event ends raised its alert, or NaN when it did not.
 *  Errors: CIV_ERR_INVALID_ARGUMENT (NULL/empty person, t not finite),
 *  CIV_ERR_DOMAIN (t earlier than the detector's latest event: timestamps
 *  out of order). */
CIV_API civ_status civ_monitor_inactivity_event(civ_monitor_inactivity *det, const char *person, double t,
                                                double *alert_at);
/** The current threshold (seconds) of `person`'s open gap, or of a new
 *  person's gap starting at `t` when the person is unknown. */
CIV_API civ_status civ_monitor_inactivity_threshold(const civ_monitor_inactivity *det, const char *person, double t,
                                                    double *seconds);
/** People whose open gap has reached its threshold at time `now`: person,
 *  last_event, alert_at, gap_hours (now - last_event), threshold_hours.
 *  Errors: CIV_ERR_INVALID_ARGUMENT. */
CIV_API civ_status civ_monitor_inactivity_poll(const civ_monitor_inactivity *det, double now, civ_table **out);
/** A whole event table: columns person and ts (text "YYYY-MM-DDTHH:MM:SS",
 *  optionally with "Z" or a space for "T", taken as UTC (without a zone: as
 *  opt->naive_local says, UTC or local time), or with its zone's
 *  offset "+08:00" / "+0800", fractional seconds allowed; or a number of
 *  seconds since 1970-01-01 UTC), each person's events in time order (the
 *  people may be interleaved or listed one after another).  Events go
 *  through a new detector one by one, in time order; at the end the open gaps are polled at `end` (NaN =
 *  the last event's time).  *alerts: person, last_event, alert_at,
 *  resumed (the next event, "" while open), gap_hours (the whole gap, up to
 *  `end` when open), threshold_hours, hour (local hour of last_event),
 *  utc_offset_hours (opt->utc_offset_hours: the local time `hour` is in,
 *  UTC + this; the report reads it to say the monitoring's local time).
 *  `source` names the table in errors (line = row + 2).  Errors:
 *  CIV_ERR_MISSING_COLUMN, CIV_ERR_DATE (bad ts, field "ts"), CIV_ERR_DOMAIN
 *  (a person's event earlier than their event before it, field "ts", both
 *  lines named), errors of _create. */
CIV_API civ_status civ_monitor_inactivity_run(const civ_monitor_inactivity_options *opt, const civ_table *events,
                                              const char *source, double end, civ_table **alerts);

/* ---- The monitoring workbook (engine/src/monitor/workbook.c) ------------- */
/** The tables of one monitoring run for civ_monitor_workbook_write, each
 *  borrowed, NULL when the run did not make it (its sheet is left out). */
typedef struct civ_monitor_workbook_tables {
    const civ_table *alerts;        /* civ_monitor_alert_table */
    const civ_table *status;        /* civ_monitor_status_table */
    const civ_table *warning;       /* civ_monitor_warn's summary */
    const civ_table *warning_steps; /* civ_monitor_warn's steps */
    const civ_table *risks;         /* civ_monitor_risk_assess's assessed */
    const civ_table *risk_matrix;   /* civ_monitor_risk_assess's matrix_out */
    const civ_table *inactivity;    /* civ_monitor_inactivity_run */
    const civ_table *demand;        /* civ_monitor_demand_check */
    /* The alerts' period as the tables write it ("2024-12") or a day in it
     * ("2024-12-15": the status table's period it falls in); NULL: the
     * alerts' own ds, else the status table's last. */
    const char *period;
} civ_monitor_workbook_tables;

/** Writes the monitoring run's tables as one Excel workbook for the
 *  departments (the command's and the plan's monitoring.xlsx;
 *  docs/MONITORING.md, "The workbook"): a sheet per table given, in the
 *  order of the struct, named in `lang` ("zh", the default for NULL or "",
 *  or "en": 本期预警 / Alerts, 指标状态, 预警概率, 逐期预警概率, 风险,
 *  风险矩阵, 独居老人未活动, 需求偏离), headed in it (io/column_labels.c),
 *  the codes in words (raised 新增预警, continued 持续预警, met 达标,
 *  street 街道, city 全市, the risk levels and impacts, demand flags; 1/0 as
 *  是/否), the indicator's name from `spec` right after its id.  The
 *  alerts sheet holds the alerts' rows as they are (open ones, by
 *  department), then, when `status` is given, the period's rows whose alert
 *  was cleared or closed (misses 0, since = the first miss of the run they
 *  ended).  Numbers keep their values; a rate indicator's actual, target,
 *  goal, mean and sigmas are shown as percentages by number format (0.0%:
 *  the cell holds 0.063339, Excel shows 6.3%), a count's or level's with
 *  the indicator file's unit (12 起); probabilities as percentages.  Each
 *  sheet: the header bold, frozen and filtered (civ_workbook_write).
 *  `spec` (borrowed) may be NULL: no names are added and no number formats
 *  by indicator.  Atomic: written to a temporary file beside `path` and
 *  renamed; nothing is left on error.  Errors: CIV_ERR_INVALID_ARGUMENT
 *  (NULL path or tables, no table at all, lang other than zh or en, field
 *  "lang"), CIV_ERR_UNSUPPORTED (path not .xlsx), those of
 *  civ_workbook_write (CIV_ERR_LIMIT, CIV_ERR_IO naming the path, ...). */
CIV_API civ_status civ_monitor_workbook_write(const char *path, const civ_monitor_spec *spec,
                                              const civ_monitor_workbook_tables *tables, const char *lang,
                                              const civ_workbook_options *options);

/* ------------------------------------------------------------------------ */
/* Bindings support (engine/src/core/bindings_support.c)                    */
/* ------------------------------------------------------------------------ */
/* Bindings support */

/** Sets rows first_row .. first_row+n-1 of number column `column` from
 *  values[n] (copied; NaN = missing): one call per column instead of one per
 *  cell for language bindings.  Errors: CIV_ERR_INVALID_ARGUMENT (NULL,
 *  a text or missing column, rows outside the table). */
CIV_API civ_status civ_table_set_numbers(civ_table *table, size_t column, size_t first_row, const double *values,
                                         size_t n);
/** Appends `count` series in one call: series i has id ids[i] (copied), first
 *  period starts[i] and the lengths[i] values at values + offsets[i] (copied;
 *  NaN = missing), as civ_panel_add_series for each i in order.  Stops at the
 *  first failure, returning its status (errors as civ_panel_add_series, or
 *  CIV_ERR_INVALID_ARGUMENT for NULL arrays or negative offsets/lengths); the
 *  series added before it stay in the panel.  Then, as the CSV reader, two
 *  series whose ids differ only by spaces or tabs around one of them ('C001 '
 *  and 'C001') are CIV_ERR_DUPLICATE naming both (one community split in two;
 *  the panel is then to be freed).  And, as the CSV readers, the
 *  panel's ids are read as integers when they are integers written as floats
 *  (every id digits or digits ".0", one at least with ".0": '310101001.0' is
 *  series '310101001'; docs/HOSTILE_INPUTS.md); CIV_ERR_DUPLICATE when two
 *  series become one ('7' and '7.0'). */
CIV_API civ_status civ_panel_add_series_many(civ_panel *panel, size_t count, const char *const *ids,
                                             const int64_t *starts, const double *values, const int64_t *offsets,
                                             const int64_t *lengths);
/** Finds a spreadsheet's total row among the series ids of a long panel
 *  (an Excel export with a total block per month, '合计,2024-01,924723'),
 *  which would be forecast, summed into the city and allocated money as one
 *  more community.  Sets *index to the first of the n ids (NULL entries
 *  skipped) that is a total row's name: 合计, 总计, 小计, 共计 (or in
 *  traditional characters), Total, Subtotal, Grand Total, Sum, in any ASCII
 *  case, with spaces anywhere in it (ASCII, U+3000 ideographic, U+00A0
 *  no-break: "合 计", "合　计") and a trailing colon (':' or '：') ignored;
 *  else to n.  "total" exactly is not one: it is the top node of civicast's
 *  own node panels (convert --hierarchy).  The CSV and HDF5 panel readers
 *  refuse such a series when the panel has other series (CIV_ERR_PARSE); a
 *  host building a panel from its own data (Python's frames) calls this to
 *  do the same, so the names are listed once.  Errors:
 *  CIV_ERR_INVALID_ARGUMENT (index NULL, or ids NULL with n > 0). */
CIV_API civ_status civ_total_row_find(const char *const *ids, size_t n, size_t *index);
/** Sets covariate k of series 0..count-1 from values + offsets[i], lengths[i]
 *  values each (a length of 0 leaves the series' covariate untouched), as
 *  civ_panel_set_covariate.  Errors: CIV_ERR_INVALID_ARGUMENT (NULL arrays,
 *  count above the series count, bad k, negative offsets/lengths). */
CIV_API civ_status civ_panel_set_covariate_many(civ_panel *panel, size_t k, size_t count, const double *values,
                                                const int64_t *offsets, const int64_t *lengths);

/* ------------------------------------------------------------------------ */
/* Plan: the whole job from one file (engine/src/plan)                      */
/* ------------------------------------------------------------------------ */
/* A plan file (the spec's TOML subset; docs/ALLOCATION.md, "Plan") names the
 * inputs and settings of the whole job:
 *   [plan]        panel, communities, spec, out   (paths relative to the file), lang
 *   [forecast]    model, horizon, levels, threads, seed
 *   [uncertainty] draws, seed, weight_concentration, forecasts   (optional)
 *   [need]        the multi-year need (optional; else the spec's [need])
 *   [monitor]     indicators, actuals, risks, matrix, events, demand_actuals,
 *                 warn_horizon, warn_scope, warn_model, threshold, period, local_times,
 *                 utc_offset_hours
 *                 (optional; docs/MONITORING.md)
 *   [backtest]    windows, step, h, models   (optional: the forecasts' accuracy
 *                 on the plan's own panel, civ_backtest_panel)
 * civ_plan_run forecasts every community's demand, allocates the fund with
 * the forecasts as the demand factor, runs the Monte Carlo when draws > 0,
 * projects the need and, with [monitor], runs the monitoring stage (the
 * civ_monitor_* calls: alerts, early warning, risks, inactivity, and the
 * realised demand against the plan's forecasts) and, with [backtest], a
 * rolling-origin backtest of the plan's panel, returning every table;
 * civ_plan_result_write writes them
 * into a folder.  The library never prints: the figures a summary needs are
 * in civ_plan_stats. */
typedef struct civ_plan civ_plan;
typedef struct civ_plan_result civ_plan_result;

/** Reads a plan file.  Relative paths are resolved against the file's folder.
 *  *out is freed with civ_plan_free.  Errors (file:line:column, field): 
 *  CIV_ERR_IO (cannot open), CIV_ERR_LIMIT (over 1 MiB; a path too long once
 *  joined to the folder), CIV_ERR_PARSE, CIV_ERR_SPEC (missing [plan] or key,
 *  unknown section or key, wrong type or range). */
CIV_API civ_status civ_plan_read(const char *path, civ_plan **out);
CIV_API void civ_plan_free(civ_plan *plan);
/** Borrowed strings: the plan file's path, the resolved input paths, the
 *  output folder ("" when the plan has none) and the model spec ("auto"). */
CIV_API const char *civ_plan_path(const civ_plan *plan);
CIV_API const char *civ_plan_panel(const civ_plan *plan);
CIV_API const char *civ_plan_communities(const civ_plan *plan);
CIV_API const char *civ_plan_spec(const civ_plan *plan);
CIV_API const char *civ_plan_out(const civ_plan *plan);
CIV_API const char *civ_plan_model(const civ_plan *plan);
/** [plan] freq and encoding as written or set ("" when not set): the --freq
 *  and --encoding of the panel (and, for encoding, the communities and the
 *  [monitor] tables) the plan reads. */
CIV_API const char *civ_plan_freq(const civ_plan *plan);
CIV_API const char *civ_plan_encoding(const civ_plan *plan);
/** [plan] thousands as written or set ("" when not set): the thousands
 *  separator of the numbers of every CSV input the plan reads
 *  (civ_panel_read_options.thousands, --thousands).  Borrowed. */
CIV_API const char *civ_plan_thousands(const civ_plan *plan);
/** [plan] percent as written or set (0 when not set): whether the plan's CSV
 *  inputs write fractions as "33.3%" (civ_table_read_options.percent). */
CIV_API int civ_plan_percent(const civ_plan *plan);
/** [plan] id_column, time_column, target_column as written ("" when not
 *  set): the file's own names of the panel's series id, date and value
 *  columns (civ_panel_read_options.id_column, ...).  The communities table
 *  is keyed by the spec's [data] id, as in civicast allocate.  Borrowed. */
CIV_API const char *civ_plan_id_column(const civ_plan *plan);
CIV_API const char *civ_plan_time_column(const civ_plan *plan);
CIV_API const char *civ_plan_target_column(const civ_plan *plan);
/** [plan] layout: 1 when "wide" (the panel has a row per series and a column
 *  per period: civ_panel_read_options.wide), 0 for "long" (the default). */
CIV_API int civ_plan_wide(const civ_plan *plan);
/** The language of the plan report ([plan] lang): "zh" (the default) or "en"
 *  (borrowed; civ_report_options.lang). */
CIV_API const char *civ_plan_lang(const civ_plan *plan);
/** Horizon in periods (default 12); forecast threads (0 = the OpenMP
 *  default); the forecast seed and the Monte Carlo's seed (both default
 *  CIV_FORECAST_DEFAULT_SEED); Monte Carlo draws (0 = no Monte Carlo). */
CIV_API size_t civ_plan_horizon(const civ_plan *plan);
CIV_API int civ_plan_threads(const civ_plan *plan);
CIV_API uint64_t civ_plan_seed(const civ_plan *plan);
CIV_API uint64_t civ_plan_uncertainty_seed(const civ_plan *plan);
CIV_API size_t civ_plan_draws(const civ_plan *plan);
/** Interval levels in percent (borrowed; default {80, 95}); returns the count. */
CIV_API size_t civ_plan_levels(const civ_plan *plan, const double **levels);
/** [forecast] intervals: CIV_INTERVALS_MODEL ("model"), CIV_INTERVALS_CONFORMAL
 *  ("conformal") or CIV_INTERVALS_DEFAULT (not set: the spec's own, today the
 *  model's).  Every forecast of the run uses it: the demand forecasts, the
 *  early warning and the backtest windows (so the backtest measures the
 *  intervals the plan publishes). */
CIV_API int civ_plan_intervals(const civ_plan *plan);
/** [forecast] totals, how forecast_totals.csv makes the bands of the city's
 *  and the districts' totals (docs/REPORT.md, "The intervals of the city and
 *  district totals"): "bu" (the default) bottom-up coherent sample paths of
 *  the district hierarchy (civ_hier_forecast with CIV_RECONCILE_BU and the
 *  plan's model, levels, seed and intervals: by default conformal base
 *  intervals; one more forecast of every community; a community whose
 *  forecast failed is left out, so it counts 0), "sum" the communities'
 *  bounds added up (no more fitting).  Where "bu" cannot be made the run
 *  writes "sum" and says why (civ_plan_stats.totals_note).  Borrowed; "" for
 *  a NULL plan. */
CIV_API const char *civ_plan_totals(const civ_plan *plan);
/** [forecast] conformal_windows, conformal_step, conformal_sample and
 *  conformal_refit as written or set: the settings of the plan's conformal
 *  intervals, as civ_forecast_options' fields of the same names (0 = the
 *  library default; sample SIZE_MAX = "all"; refit CIV_CONFORMAL_REFIT_*).
 *  Every forecast of the run uses them when its intervals are conformal.
 *  Any output may be NULL.  Errors: CIV_ERR_INVALID_ARGUMENT (NULL plan). */
CIV_API civ_status civ_plan_conformal(const civ_plan *plan, size_t *windows, size_t *step, size_t *sample,
                                      int *refit);
/** Whether the plan file has its own [need] section (else the spec's, if any). */
CIV_API int civ_plan_has_need(const civ_plan *plan);
/** Whether the plan file has a [monitor] section (the monitoring stage runs). */
CIV_API int civ_plan_has_monitor(const civ_plan *plan);
/** Whether the plan file has a [backtest] section (the backtest stage runs:
 *  backtest.csv and backtest_accuracy.csv). */
CIV_API int civ_plan_has_backtest(const civ_plan *plan);
/** The model of the monitoring stage's early warning ([monitor] warn_model,
 *  else the plan's model); borrowed. */
CIV_API const char *civ_plan_warn_model(const civ_plan *plan);
/** The early warning of the monitoring stage as the plan sets it: *horizon
 *  ([monitor] warn_horizon, periods ahead; 0 = no early warning) and
 *  *threshold ([monitor] threshold as a probability: "80%" and 0.8 are 0.8;
 *  0.5 when not written, the command's and Python's default).  A plan
 *  without [monitor] gives 0 and 0.5.  Either output may be NULL.  Errors:
 *  CIV_ERR_INVALID_ARGUMENT (NULL plan). */
CIV_API civ_status civ_plan_warning(const civ_plan *plan, size_t *horizon, double *threshold);
/** How the plan's monitoring stage reads the events' times ([monitor] local_times and utc_offset_hours, the
 *  command's --local-times and --utc-offset): *local_times 1 when a time written without a zone is local time,
 *  0 when UTC (the default; civ_monitor_inactivity_options.naive_local), *utc_offset_hours local time's hours
 *  east of UTC, for the hour-of-day bins and those times (8, Beijing, when not written).  A plan without
 *  [monitor] gives 0 and 8.  Either output may be NULL.  Errors: CIV_ERR_INVALID_ARGUMENT (NULL plan). */
CIV_API civ_status civ_plan_event_times(const civ_plan *plan, int *local_times, double *utc_offset_hours);
/** Overrides (a command's options).  Strings are copied.  Errors:
 *  CIV_ERR_INVALID_ARGUMENT (NULL; horizon 0; threads outside 0..1024),
 *  CIV_ERR_LIMIT (a string longer than 4095 bytes, a model of 127). */
CIV_API civ_status civ_plan_set_out(civ_plan *plan, const char *dir);
CIV_API civ_status civ_plan_set_model(civ_plan *plan, const char *model);
/** Last year's allocation for the plan's allocation (a path; "" = the spec's
 *  [data] last_year_file, the default): read with the plan's input options and
 *  given to civ_alloc_spec_set_last_year before the forecast, so a missing
 *  file or one without an id column stops the run early; its amounts are
 *  checked when the allocation binds (`civicast plan --last-year FILE`).
 *  Errors: CIV_ERR_INVALID_ARGUMENT (NULL), CIV_ERR_LIMIT (a path of 4096
 *  bytes or more). */
CIV_API civ_status civ_plan_set_last_year(civ_plan *plan, const char *path);
/** [plan] last_year_sheet as written or set ("" when not set; borrowed): the
 *  sheet of last year's allocation when it is an Excel workbook (the spec's
 *  [data] last_year_file or civ_plan_set_last_year's path); "" = its only
 *  sheet with cells, or, in a workbook of several, the allocation sheet of
 *  the allocation.xlsx a plan wrote (civ_alloc_spec_read_last_year). */
CIV_API const char *civ_plan_last_year_sheet(const civ_plan *plan);
/** Sets it, as `civicast plan --last-year-sheet NAME` does ("" clears it).
 *  Errors: CIV_ERR_INVALID_ARGUMENT (NULL), CIV_ERR_LIMIT (256 bytes or
 *  more; nothing is changed). */
CIV_API civ_status civ_plan_set_last_year_sheet(civ_plan *plan, const char *sheet);
CIV_API civ_status civ_plan_set_horizon(civ_plan *plan, size_t horizon);
CIV_API civ_status civ_plan_set_threads(civ_plan *plan, int threads);
CIV_API civ_status civ_plan_set_draws(civ_plan *plan, size_t draws);
/** Sets [plan] id_column, time_column and target_column (NULL keeps one; ""
 *  clears it).  Errors: CIV_ERR_INVALID_ARGUMENT (NULL plan), CIV_ERR_LIMIT
 *  (a name of 256 bytes or more; nothing is changed). */
CIV_API civ_status civ_plan_set_columns(civ_plan *plan, const char *id_column, const char *time_column,
                                        const char *target_column);
/** Sets [plan] freq, encoding and thousands (NULL keeps one; "" clears it)
 *  and percent (-1 keeps it, 0 or 1), as --freq, --encoding, --thousands and
 *  --percent override them: they apply to every CSV input the plan reads
 *  (the panel, the communities and the [monitor] tables) and manifest.json
 *  records them.  Errors: CIV_ERR_INVALID_ARGUMENT (NULL plan; a frequency
 *  civ_freq_parse refuses; an encoding other than utf-8 or gb18030 (gbk,
 *  gb2312); a separator other than ",", "'" or " "; percent not -1, 0 or 1);
 *  nothing is changed then. */
CIV_API civ_status civ_plan_set_input(civ_plan *plan, const char *freq, const char *encoding,
                                      const char *thousands, int percent);
/** [plan] panel_sheet and communities_sheet as written or set ("" when not
 *  set): the sheet civ_plan_run (and the command) reads of the panel and the
 *  communities when they are Excel workbooks (.xlsx;
 *  civ_table_read_options.sheet; "" = the workbook's only sheet with
 *  cells).  The [monitor] tables are read from their workbooks' only sheet
 *  with cells, last year's allocation as civ_plan_last_year_sheet says.
 *  Borrowed. */
CIV_API const char *civ_plan_panel_sheet(const civ_plan *plan);
CIV_API const char *civ_plan_communities_sheet(const civ_plan *plan);
/** Sets them, as --sheet overrides them (NULL keeps one; "" clears it);
 *  manifest.json records them.  Errors: CIV_ERR_INVALID_ARGUMENT (NULL plan,
 *  a name of 256 bytes or more); nothing is changed then. */
CIV_API civ_status civ_plan_set_sheets(civ_plan *plan, const char *panel_sheet, const char *communities_sheet);
/** The rows above the header (a title, a unit line such as 单位：元; civ_table_read_options.skip_rows) of one
 *  of the plan's inputs, as its own key beside its file's key sets them: `input` is "panel", "communities",
 *  "last_year" ([plan] panel_skip_rows, communities_skip_rows, last_year_skip_rows) or "actuals", "risks",
 *  "events", "demand_actuals" ([monitor] actuals_skip_rows, ...); *rows gets 0 when not set.  civ_plan_run reads
 *  each input with its own count (a plan has no one count for all: an office's sheet has a title, a table
 *  civicast wrote has none).  Errors: CIV_ERR_INVALID_ARGUMENT (NULL argument, an unknown input, naming those
 *  above). */
CIV_API civ_status civ_plan_skip_rows(const civ_plan *plan, const char *input, int *rows);
/** `status`, the failed read of one of the plan's inputs (the last error on this thread), with the cure its
 *  reader names for rows above the header ("skip the 2 rows above the header with --skip-rows 2 (Python
 *  skip_rows=2)") re-worded as the plan's key for that file ("... with [plan] communities_skip_rows = 2"), as
 *  civ_plan_run does for the inputs it reads: for a client that reads some of them itself (the command reads
 *  the panel and the communities).  Other errors, and errors of other files, are left as they are.  Returns
 *  `status`. */
CIV_API civ_status civ_plan_input_error(const civ_plan *plan, civ_status status);
/** Sets [plan] layout: 1 wide, 0 long (else CIV_ERR_INVALID_ARGUMENT). */
CIV_API civ_status civ_plan_set_wide(civ_plan *plan, int wide);
/** Sets [forecast] intervals (CIV_INTERVALS_*; else CIV_ERR_INVALID_ARGUMENT). */
CIV_API civ_status civ_plan_set_intervals(civ_plan *plan, int intervals);
/** Sets the four conformal settings at once (read them with
 *  civ_plan_conformal to change one): windows and step 0 (default) to 1000,
 *  sample 0 or SIZE_MAX (every series) or at most that many series per
 *  length class, refit CIV_CONFORMAL_REFIT_*.  They take effect when the
 *  plan's intervals are conformal.  Errors: CIV_ERR_INVALID_ARGUMENT (NULL
 *  plan, a value out of range; nothing is changed then). */
CIV_API civ_status civ_plan_set_conformal(civ_plan *plan, size_t windows, size_t step, size_t sample, int refit);
/** Sets [forecast] totals: "bu" or "sum" (civ_plan_totals; else
 *  CIV_ERR_INVALID_ARGUMENT, nothing changed). */
CIV_API civ_status civ_plan_set_totals(civ_plan *plan, const char *method);
/** Sets the report's language: "zh" or "en" (else CIV_ERR_INVALID_ARGUMENT). */
CIV_API civ_status civ_plan_set_lang(civ_plan *plan, const char *lang);

/** Progress of civ_plan_run: stage is "forecast" (done/total series),
 *  "allocation", "totals" (with [forecast] totals = "bu": 0/1 at the start,
 *  then done/total nodes of the district hierarchy), "uncertainty" (draws),
 *  "need", "monitor" (0/1 at the start, 1/1 at the end of the stage) or
 *  "backtest" (done/total model x series x window tasks).  Called on the
 *  calling thread.  Return 0 to go on, anything else to stop: within the
 *  forecast, totals and backtest stages as civ_progress_fn says, else before
 *  the next stage; civ_plan_run then returns CIV_ERR_CANCELLED and no
 *  result. */
typedef int (*civ_plan_progress_fn)(const char *stage, size_t done, size_t total, void *user);

typedef struct civ_plan_run_options {
    /* Inputs already read (borrowed for the call), or NULL to read the plan's
     * paths with civ_panel_read / civ_table_read.  The command passes them to
     * read HDF5 inputs in a guarded child process. */
    const civ_panel *panel;
    const civ_table *communities;
    civ_plan_progress_fn progress; /* may be NULL; returns nonzero to stop the run */
    void *progress_user;
} civ_plan_run_options;

/** The tables of a plan run, in the order civ_plan_result_write writes them. */
typedef enum civ_plan_table {
    CIV_PLAN_FORECASTS = 0,          /* forecasts.csv: civ_forecast_result_table */
    CIV_PLAN_FORECAST_REPORT = 1,    /* forecast_report.csv: civ_forecast_report_table */
    CIV_PLAN_UNCERTAINTY = 2,        /* uncertainty.csv: civ_alloc_uncertainty_table (draws > 0) */
    CIV_PLAN_ALLOCATION = 3,         /* allocation.csv: civ_alloc_result_table with explanations,
                                        plus p5, p50, p95 (minor units) when draws > 0 */
    CIV_PLAN_ALLOCATION_SUMMARY = 4, /* allocation_summary.csv: civ_alloc_result_summary */
    CIV_PLAN_NEED = 5,               /* need.csv: per community and year (with a [need]) */
    CIV_PLAN_NEED_SUMMARY = 6,       /* need_summary.csv: per year (with a [need]) */
    /* with [monitor] (each when its input is given): */
    CIV_PLAN_MONITOR_STATUS = 7,     /* monitor_status.csv: civ_monitor_status_table */
    CIV_PLAN_MONITOR_ALERTS = 8,     /* monitor_alerts.csv: civ_monitor_alert_table of the period */
    CIV_PLAN_WARNING = 9,            /* warning.csv: civ_monitor_warn's summary (warn_horizon > 0) */
    CIV_PLAN_WARNING_STEPS = 10,     /* warning_steps.csv: civ_monitor_warn's steps */
    CIV_PLAN_RISKS = 11,             /* risks.csv: civ_monitor_risk_assess */
    CIV_PLAN_RISK_MATRIX = 12,       /* risk_matrix.csv: the matrix's cells */
    CIV_PLAN_INACTIVITY = 13,        /* inactivity.csv: civ_monitor_inactivity_run */
    CIV_PLAN_DEMAND = 14,            /* demand.csv: civ_monitor_demand_check of the plan's forecasts */
    /* what each rule did, for the plan report (docs/REPORT.md): */
    CIV_PLAN_ALLOCATION_WATERFALL = 15, /* allocation_waterfall.csv: civ_alloc_compare_waterfall of the
                                           plan's spec (label "plan"): the money each rule moved */
    CIV_PLAN_ALLOCATION_STAGES = 16, /* allocation_stages.csv: unique_id, before (each community's
                                        amount before the constraints: factor base plus tilts, minor
                                        units, allocation row order), for the report's Lorenz curve */
    CIV_PLAN_HISTORY = 17,           /* history.csv: unique_id, ds, y -- the last observed periods of every
                                        series (the horizon, at least 24), for the report's charts */
    /* with [backtest]: */
    CIV_PLAN_BACKTEST = 18,          /* backtest.csv: civ_backtest_result_table (unique_id, cutoff, ds, h,
                                        y, model, mean, lo-<L>, hi-<L>, ...) */
    CIV_PLAN_BACKTEST_ACCURACY = 19, /* backtest_accuracy.csv: civ_backtest_accuracy_table per model */
    /* with [data] predecessors: */
    CIV_PLAN_JOINS = 20,             /* joins.csv: civ_panel_join_predecessors_shares' joins table (one row
                                        per community naming predecessors: status, shares, gap_periods) */
    CIV_PLAN_FORECAST_TOTALS = 21,   /* forecast_totals.csv: level ("total", "district"), unique_id ("total",
                                        the district), ds, h, method, mean, lo-<L>, hi-<L>: the city's and
                                        each district's total (the allocation's districts; without
                                        them, the city alone); method "sum", the sums of the communities'
                                        means and bounds (docs/REPORT.md, "The intervals of the city and
                                        district totals"); the report's demand bands */
    /* with [backtest]: */
    CIV_PLAN_BACKTEST_FAILURES = 22, /* backtest_failures.csv: civ_backtest_failures_table (unique_id, model,
                                        cutoff, status, message, reason, values; no rows when every window
                                        was made): why windows failed, for the report, as the command says */
    CIV_PLAN_TABLE_COUNT = 23
} civ_plan_table;
/** The file stem of a table ("forecasts", "need_summary"; "" if unknown). */
CIV_API const char *civ_plan_table_name(civ_plan_table table);

/** Per-stage figures for a summary (seconds are wall clock, not in tables). */
typedef struct civ_plan_stats {
    size_t n_series, n_failed, horizon; /* the forecast stage */
    double forecast_seconds;
    civ_alloc_stats alloc;              /* the allocation */
    double alloc_seconds;
    size_t n_draws;                     /* 0 when the Monte Carlo did not run */
    uint64_t uncertainty_seed;
    int perturb_forecasts;
    double weight_concentration;
    int uncertainty_threads;            /* as asked; 0 = the OpenMP default */
    double uncertainty_seconds;
    int has_need;                       /* the need tables exist */
    int64_t need_minor_unit;
    double need_seconds;
    int has_monitor;                    /* the monitoring stage ran */
    size_t warn_horizon, warn_failed;   /* early warning: periods ahead, forecasts that failed */
    double warn_threshold;
    double monitor_seconds;
    int has_backtest;                   /* the backtest stage ran */
    size_t backtest_models, backtest_windows, backtest_step, backtest_horizon;
    size_t backtest_failed;             /* windows (model x series x window) that failed */
    double backtest_seconds;
    size_t n_uncalibrated;              /* conformal intervals: civ_forecast_result_n_uncalibrated */
    size_t n_late, late_periods;        /* series that end before the panel's last period, and how many
                                         * periods the stalest is behind: forecast that much further
                                         * ahead, so that every community covers the same months */
    size_t n_no_series;                 /* communities of the communities table with no series in the panel
                                         * (a new estate with no data yet): their forecast demand is what the
                                         * spec's if_missing says (0 with "zero"; their explanations say so) */
    size_t n_joined;                    /* [data] predecessors: communities whose series continues their
                                         * predecessors' summed history (civ_panel_join_predecessors) */
    size_t n_not_joined;                /* ... and those forecast from their own months (a split, a
                                         * predecessor without a series, no common month) */
    size_t n_predecessor_series;        /* the predecessors' series left out of the forecast */
    size_t n_joined_by_share;           /* ... of n_joined, parts of a split joined by their shares ([data]
                                         * predecessor_shares) */
    size_t n_join_gaps;                 /* joined communities with periods left missing between their
                                         * predecessors' last common period and their own first (joins.csv's
                                         * gap_periods names them) */
    size_t n_join_gap_periods;          /* ... those periods, summed over them */
    size_t backtest_no_data;            /* of backtest_failed, as civ_backtest_result_failure_counts: windows
                                         * of communities with no value yet at the cutoff, ... */
    size_t backtest_too_short;          /* ... those with some values, too few for the model, ... */
    size_t backtest_short_min, backtest_short_max; /* ... how many values these had (0 when none) */
    size_t n_no_forecast;               /* communities counted as 0 by a forecast factor with if_missing = "zero"
                                         * (no series, or a fit that failed: n_no_series and n_failed): the
                                         * largest civ_alloc_result_n_no_forecast over the spec's factors */
    char monitor_period[32];            /* [monitor] period as the outputs write it, the period a day written
                                         * there falls in ("2024-06" for 2024-06-15 and monthly actuals;
                                         * civ_monitor_period_of); "" when not set (the last period) */
    char totals_method[8];              /* how forecast_totals.csv was made: "bu", "sum" ("" = no such table:
                                         * the forecasts had no mean) */
    char totals_note[512];              /* why "sum" when [forecast] totals asked for "bu" (series ending at
                                         * different periods, communities without a district, an aggregate
                                         * whose forecast failed); "" otherwise */
    size_t totals_uncalibrated;         /* "bu" with conformal base intervals: nodes that kept their model's
                                         * interval somewhere (civ_hier_result_n_uncalibrated) */
    double totals_seconds;              /* the totals' stage ("bu": one more forecast of every community) */
} civ_plan_stats;

/** Runs the plan's stages: forecast -> allocation -> totals (forecast_totals,
 *  civ_plan_totals) -> Monte Carlo -> need (-> monitoring with [monitor] ->
 *  backtest with [backtest]).
 *  `options` may be NULL.  Returns CIV_OK when every stage ran, even if some
 *  series could not be forecast (stats.n_failed; their demand is then what
 *  the spec's if_missing says).  Nothing is written.  *out is freed with
 *  civ_plan_result_free.  Errors: those of the stages (reading an input,
 *  civ_forecast_panel, civ_alloc_spec_read, civ_alloc_bind, civ_alloc_solve,
 *  civ_alloc_uncertainty_run, civ_alloc_need_read, civ_alloc_need_project,
 *  civ_backtest_panel, civ_hier_forecast's out of memory; a hierarchy that
 *  cannot be forecast is not an error: the totals are then summed and
 *  stats.totals_note says why; failed backtest windows are not errors: they are
 *  counted in stats.backtest_failed and the table's "failed" column);
 *  a failure without a file names the input that was being read;
 *  CIV_ERR_CANCELLED when options->progress asked to stop. */
CIV_API civ_status civ_plan_run(const civ_plan *plan, const civ_plan_run_options *options, civ_plan_result **out);
CIV_API void civ_plan_result_free(civ_plan_result *result);
/** Borrowed table (NULL when its stage did not run: uncertainty without
 *  draws, the need without a [need] section). */
CIV_API const civ_table *civ_plan_result_table(const civ_plan_result *result, civ_plan_table table);
/** Copies the stage figures into *out.  Errors: CIV_ERR_INVALID_ARGUMENT. */
CIV_API civ_status civ_plan_result_stats(const civ_plan_result *result, civ_plan_stats *out);
/** The allocation spec the run used (borrowed; currency, minor unit,
 *  reserves and pools for a summary). */
CIV_API const civ_alloc_spec *civ_plan_result_spec(const civ_plan_result *result);
/** Writes every table the run made as <dir>/<name>.csv (atomically, one by
 *  one, in civ_plan_table order; for people, see civ_plan_result_write_opts),
 *  creating dir and its parents.  Errors:
 *  CIV_ERR_IO (cannot create the folder, or write), CIV_ERR_LIMIT (path).  A
 *  write error names the file under `dir` ("out/forecasts.csv: write failed:
 *  No space left on device"), not under the staging folder it is written in. */
CIV_API civ_status civ_plan_result_write(const civ_plan_result *result, const char *dir);
/** As civ_plan_result_write with the CSV options of every file.  The folder
 *  is for people: `options` NULL (and civ_plan_result_write) means a UTF-8
 *  byte-order mark and CIV_CSV_PEOPLE_DIGITS significant digits (docs/CLI.md,
 *  "Files for people"); {0} gives the exact files for programs.  The tables
 *  with money (all but forecasts and forecast_report) never get fewer
 *  decimals than the spec's currency has (2 for minor_unit = 100).  Errors:
 *  as civ_plan_result_write, and CIV_ERR_INVALID_ARGUMENT for bad options. */
CIV_API civ_status civ_plan_result_write_opts(const civ_plan_result *result, const char *dir,
                                              const civ_csv_write_options *options);

/* The plan report (engine/src/report/, docs/REPORT.md) */

/** Options of civ_report_write.  Zero-initialise, then set what you need. */
typedef struct civ_report_options {
    const char *lang;  /* "zh" (the default when NULL) or "en": headings, explanations, units, numbers */
    const char *title; /* the page title; NULL = "the plan report" in the language */
    int intervals;     /* CIV_INTERVALS_* the forecasts' intervals were made with: CONFORMAL
                          says so in the demand and backtest sections (calibrated on
                          backtest errors), MODEL adds nothing; DEFAULT (0): as the
                          folder's manifest.json records it (civicast plan's
                          options.intervals), the model's without one */
    const civ_alloc_spec *spec; /* the allocation's rules, when the caller has them (civicast plan):
                                   the allocation section then says which forecasts each forecast
                                   factor summed (civ_alloc_spec_demand_window over forecasts.csv);
                                   NULL: as the folder's manifest.json records it, nothing without one */
    const char *unit;  /* the unit of the forecast series, shown on the demand axes and the backtest's measures
                          ("人次", "visits"; a plan's [forecast] unit); NULL: as the folder's manifest.json
                          records it (options.demand_unit), else no unit is named ("需求（每月）") */
    const char *currency; /* the money's ISO 4217 code ("USD") for a folder that does not say it (assembled by
                             hand, without manifest.json); NULL: the spec's, else manifest.json's, else CNY
                             when allocation.csv's columns are CNY's (amount_fen, amount_yuan).  A folder whose
                             columns are another currency's (amount_minor, amount_major) and that says none is
                             refused without it (CIV_ERR_DOMAIN); one that differs from the spec's or
                             manifest's is refused (CIV_ERR_INVALID_ARGUMENT) */
    long minor_unit;      /* minor units per major unit (1, 10, 100, 1000) with currency; 0: the spec's, else
                             manifest.json's, else amount_minor / amount_major in allocation.csv */
} civ_report_options;

/** Writes OUTDIR/report.html from the tables a plan wrote into OUTDIR
 *  (allocation.csv and allocation_summary.csv required; forecasts.csv,
 *  forecast_report.csv, need_summary.csv, uncertainty.csv,
 *  allocation_waterfall.csv, allocation_stages.csv, history.csv,
 *  backtest_accuracy.csv and the monitoring tables used when present;
 *  docs/REPORT.md lists them and their columns), and each chart's Vega-Lite spec as
 *  OUTDIR/charts/<name>.vl.json.  The page is one self-contained file (the
 *  Vega builds are inlined; it makes no network request) with the sections
 *  Summary, Demand, Allocation, Uncertainty, Need and Monitoring.  A folder
 *  with neither money table but with a monitoring's tables (what `civicast
 *  monitor --out` writes: alerts.csv, status.csv, warning.csv, risks.csv,
 *  risk_matrix.csv, inactivity.csv, demand.csv) gets the monitoring report:
 *  Summary (its period, counts, local time) and Monitoring, no money.  Files are
 *  written to a temporary name and renamed.  `options` may be NULL.
 *  Errors: CIV_ERR_INVALID_ARGUMENT (NULL outdir, unknown lang),
 *  CIV_ERR_IO (a table missing: the message names it; a folder with neither an
 *  allocation nor a monitoring's tables: the message names what a report needs;
 *  an unwritable folder),
 *  CIV_ERR_PARSE (a malformed table, with file:line), CIV_ERR_MISSING_COLUMN
 *  (naming the table and the column), CIV_ERR_DOMAIN (amounts whose currency
 *  nothing states: options.currency; a bare 'amount' column), CIV_ERR_OUT_OF_MEMORY. */
CIV_API civ_status civ_report_write(const char *outdir, const civ_report_options *options);

/* ------------------------------------------------------------------------ */
/* Runs as transactions: staging, publishing, cleanup, path checks          */
/* (engine/src/io/staging.c, cleanup.c, paths.c, digest.c; docs/CLI.md,     */
/* "Runs are transactions")                                                 */
/* ------------------------------------------------------------------------ */
/* A run that writes several files writes them into a staging folder beside
 * its target and publishes them together: a reader sees the old set or the
 * new set, never a mix.  Two ways to publish:
 *  - a folder (civ_staging_publish_folder; `civicast plan`): the staging
 *    folder is swapped with the target in one renameat2(RENAME_EXCHANGE),
 *    so the target folder holds the whole old set or the whole new set at
 *    every instant, and files of the old set the new run did not make are
 *    gone with it;
 *  - files (civ_staging_publish_files; `civicast forecast --out --report
 *    --fitted`): the staged files are renamed onto their targets after a
 *    journal naming them is written; a crash in the middle is rolled
 *    forward by the next civ_staging_open beside the same target.
 * A crash at any point leaves stale staging folders (".<name>.staging.*"),
 * never a partial target; the next civ_staging_open beside the same target
 * removes those whose run is gone (a live run holds a lock on its own). */
typedef struct civ_staging civ_staging;

/** Creates the staging folder "<parent>/.<base>.staging.XXXXXX" beside
 *  `target` (a folder or a file path; its parent folders are created),
 *  registers it for civ_cleanup_now, and first cleans up (rolls forward or
 *  removes) stale staging folders of dead runs beside the same target.
 *  *out is freed with civ_staging_free.  Errors: CIV_ERR_INVALID_ARGUMENT
 *  (NULL, empty path), CIV_ERR_LIMIT (path over 4095 bytes), CIV_ERR_IO
 *  (cannot create, naming the folder and errno's text). */
CIV_API civ_status civ_staging_open(const char *target, civ_staging **out);
/** The staging folder's path (borrowed): writers write their files here. */
CIV_API const char *civ_staging_dir(const civ_staging *staging);
/** Publishes the staging folder as `target` (a folder; usually the target
 *  given to civ_staging_open).  Entries of the existing target that are not
 *  in managed[0..n_managed) (names of files or folders this kind of run
 *  writes) are the user's: regular files and symbolic links among them are
 *  carried over into the new set by hard links (never copied, never lost);
 *  a folder among them is refused (CIV_ERR_IO: give the run a folder of its
 *  own).  Entries in `managed` that the new run did not write are removed
 *  with the old set.  Then the staging folder and the target are exchanged
 *  atomically (renameat2 RENAME_EXCHANGE; on a file system without it, two
 *  renames with a window in which the target is missing, documented in
 *  docs/CLI.md), and the old set is removed.  After success the staging is
 *  spent (free it).  Errors: CIV_ERR_IO (naming the path); on any error the
 *  old set is still the target's.  Testing hook: CIV_TEST_PUBLISH_KILL=K
 *  kills the process with SIGKILL just before publishing step K (1..4). */
CIV_API civ_status civ_staging_publish_folder(civ_staging *staging, const char *target,
                                              const char *const *managed, size_t n_managed);
/** Publishes staged files: names[i] (a file in the staging folder) onto
 *  targets[i], for i < n.  A journal listing them is written first (and
 *  fsynced), then each file is renamed, then the staging folder removed; a
 *  crash in between is rolled forward by the next civ_staging_open beside
 *  targets[0].  Every target must be on the staging folder's file system
 *  (checked before anything is renamed).  Errors: CIV_ERR_IO,
 *  CIV_ERR_INVALID_ARGUMENT.  CIV_TEST_PUBLISH_KILL=K as above. */
CIV_API civ_status civ_staging_publish_files(civ_staging *staging, const char *const *names,
                                             const char *const *targets, size_t n);
/** Removes the staging folder (with its files) unless it was published;
 *  accepts NULL. */
CIV_API void civ_staging_free(civ_staging *staging);

/** Registers a temporary file (is_dir 0) or folder (is_dir 1, removed with
 *  everything in it) to be removed by civ_cleanup_now.  The path is copied
 *  (at most 4095 bytes).  Returns a slot (>= 0) for civ_cleanup_unregister,
 *  or -1 when all 64 slots are taken or the path is too long (the path is
 *  then simply not cleaned).  Thread-safe.  The library registers its own
 *  temporary files and staging folders. */
CIV_API int civ_cleanup_register(const char *path, int is_dir);
/** Forgets a slot (the file was committed or removed); -1 is ignored. */
CIV_API void civ_cleanup_unregister(int slot);
/** Removes every registered temporary file and folder.  Async-signal-safe
 *  (open, getdents64, unlinkat, close only): call it from a SIGINT/SIGTERM
 *  handler before _exit, as the civicast command does (exit 130/143). */
CIV_API void civ_cleanup_now(void);

/** One path of a run, for civ_paths_check. */
typedef struct civ_path_role {
    const char *path; /* NULL or "" = not used (skipped) */
    const char *role; /* names it in the message: "the input", "--out", "the [plan] spec" (NULL: generic) */
    int is_output;
} civ_path_role;
/** Refuses a run that would destroy data: an output that is the same file as
 *  an input or as another output of the run.  Existing files are compared by
 *  device and inode (so links and other spellings are caught), others by
 *  their normalised absolute path (with the parent folder's symbolic links
 *  resolved).  Call before anything runs.  Errors: CIV_ERR_DUPLICATE naming
 *  both paths and roles; CIV_ERR_INVALID_ARGUMENT (NULL with n > 0). */
CIV_API civ_status civ_paths_check(const civ_path_role *paths, size_t n);

/** SHA-256 of a file's bytes as 64 lowercase hex digits and a NUL in hex[65]
 *  (Nettle's sha256; the manifest's input hashes).  Errors: CIV_ERR_IO. */
CIV_API civ_status civ_file_sha256(const char *path, char hex[65]);
/** SHA-256 of n bytes of memory into hex[65] (as civ_file_sha256). */
CIV_API void civ_sha256_hex(const void *data, size_t n, char hex[65]);

#ifdef __cplusplus
}
#endif

#endif /* CIVICAST_H */
