/*
 * wide.c -- layer: io.  Panels laid out wide, as spreadsheets keep them: one row per
 * series and one column per period ("社区编号,街道,2024年1月,2024年2月,..."),
 * read with civ_panel_read_csv_ex and options->wide.  The header tells the
 * columns apart (a date in any form civ_date_parse reads is a period); the
 * table reader does the rest (quoting, encodings, numbers as displayed), so
 * a wide file is held whole as a table first: wide files are spreadsheets,
 * thousands of rows, not the streamed long panels of millions.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "csv.h"
#include "date.h"
#include "error.h"
#include "panel.h" /* civ_ids_split_by_spaces: the long reader's check of the ids */
#include "table.h" /* the attributes keep the numbers' format (civ_csv_first_text_row) */
#include "text.h"
#include "xlsx_read.h" /* civ_xlsx_cell_name: a workbook's cell named as Excel names it */

/* What the header says. */
typedef struct wide_layout {
    size_t n_cols;
    size_t id;               /* the id column */
    size_t *date_col;        /* the columns whose header is a date, sorted by period */
    int64_t *period;         /* their periods, ascending */
    size_t n_dates;
    civ_frequency freq;
    int phase;
    civ_date_style style;
    unsigned char *is_date;  /* per column */
} wide_layout;

static void layout_free(wide_layout *w)
{
    free(w->date_col), free(w->period), free(w->is_date);
}

static civ_status fail_file(const char *path, const char *field, civ_status status, const char *fmt, ...)
    CIV_PRINTF(4, 5);

static civ_status fail_file(const char *path, const char *field, civ_status status, const char *fmt, ...)
{
    char message[768];
    va_list ap;
    va_start(ap, fmt);
    civ_vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    civ_where w = {.file = path, .line = 1, .field = field};
    return civ_fail_at(status, &w, "%s", message);
}

/* The current error again, with the file (and field, and line and column
 * when known: else 0) it came from. */
static civ_status in_file(const char *path, const char *field, long line, long column)
{
    const civ_error *e = civ_last_error();
    char message[sizeof e->message], series[sizeof e->series_id], own_field[sizeof e->field];
    civ_status status = e->status;
    civ_snprintf(message, sizeof message, "%s", e->message); /* copies: civ_fail_at rewrites *e */
    civ_snprintf(series, sizeof series, "%s", e->series_id);
    civ_snprintf(own_field, sizeof own_field, "%s", field ? field : e->field);
    civ_where w = {.file = path, .line = line, .column = line ? column : 0, .series_id = series[0] ? series : NULL,
                   .field = own_field[0] ? own_field : NULL};
    return civ_fail_at(status, &w, "%s", message);
}

/* An error s found in the table t read from a workbook's sheet, at a line (a sheet row) and column: its cell named
 * as the long reader names it ("cell A6: ..."; before 2026-12-07 a wide sheet's errors gave the row and column
 * numbers only).  Other errors, and those that already name their cell, are returned as they are. */
static civ_status sheet_cell(const civ_table *t, civ_status s)
{
    const civ_error *e = civ_last_error();
    if (!s || !t || t->csv_lines != 2 || e->line <= 0 || e->column <= 0 || !strncmp(e->message, "cell ", 5))
        return s;
    char cell[16] = "", message[sizeof e->message], series[sizeof e->series_id], field[sizeof e->field],
         file[sizeof e->file];
    civ_xlsx_cell_name(e->line, e->column, cell);
    civ_snprintf(message, sizeof message, "%s", e->message); /* copies: civ_fail_at rewrites *e */
    civ_snprintf(series, sizeof series, "%s", e->series_id);
    civ_snprintf(field, sizeof field, "%s", e->field);
    civ_snprintf(file, sizeof file, "%s", e->file);
    civ_where w = {.file = file, .line = e->line, .column = e->column, .series_id = series[0] ? series : NULL,
                   .field = field[0] ? field : NULL};
    return cell[0] ? civ_fail_at(s, &w, "cell %s: %s", cell, message) : s;
}

/* Sorts date columns by period (insertion sort: headers are in order, or nearly). */
static void sort_by_period(wide_layout *w)
{
    for (size_t i = 1; i < w->n_dates; i++) {
        int64_t p = w->period[i];
        size_t c = w->date_col[i], j = i;
        for (; j > 0 && w->period[j - 1] > p; j--) {
            w->period[j] = w->period[j - 1];
            w->date_col[j] = w->date_col[j - 1];
        }
        w->period[j] = p;
        w->date_col[j] = c;
    }
}

/* The periods of the date headers: their own for years, quarters and months;
 * for days, the frequency of their spacing (civ_dates_infer) or opt->freq. */
static civ_status header_periods(const char *path, char **names, const civ_panel_read_options *opt,
                                 civ_date_form form, const int64_t *value, wide_layout *w)
{
    static const civ_frequency natural[] = {[CIV_DATE_YEAR] = CIV_FREQ_YEARLY,
                                            [CIV_DATE_QUARTER] = CIV_FREQ_QUARTERLY,
                                            [CIV_DATE_MONTH] = CIV_FREQ_MONTHLY};
    const civ_freq_spec *want = &opt->freq;
    if (form != CIV_DATE_DAY) {
        w->freq = natural[form];
        if (want->freq != CIV_FREQ_UNKNOWN && want->freq != w->freq)
            return fail_file(path, names[w->date_col[0]], CIV_ERR_FREQUENCY,
                             "the date columns are %s ('%s') but the frequency asked for is %s: a frequency "
                             "chooses among day dates only",
                             civ_frequency_name(w->freq), names[w->date_col[0]], civ_frequency_name(want->freq));
        for (size_t k = 0; k < w->n_dates; k++)
            w->period[k] = value[k];
        return CIV_OK;
    }
    size_t *series = calloc(w->n_dates, sizeof *series);
    if (!series)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the date columns");
    const char *const ids[] = {"the date columns"};
    civ_date_anchor anchor;
    civ_status s = civ_dates_infer(value, series, w->n_dates, 1, ids, want->freq ? want : NULL, &w->freq, &w->phase,
                                   &anchor);
    free(series);
    if (s)
        return in_file(path, NULL, 1, 0);
    for (size_t k = 0; k < w->n_dates && !s; k++)
        s = civ_date_to_period(w->freq, w->phase, value[k], &w->period[k]);
    const char *first = names[w->date_col[0]];
    w->style.anchor = anchor; /* as the long reader keeps it */
    w->style.time_sep = civ_date_time_separator(first, strlen(first));
    return s;
}

/* Tells the columns apart: the id, the dates (parsed, one form), the rest. */
/* 1 for a header that starts as a date does (a year, a separator, a digit:
 * "2024-13", "2024.1", "2024年13月"), so that a refused one is an error
 * rather than an attribute column ("2024年预算" is a name); also one with an
 * English month name and numbers ("Jan-25", Excel's mmm-yy display). */
static int looks_like_period(const char *name)
{
    if (civ_date_month_named(name, strlen(name))) /* "Jan-25": Excel's mmm-yy display of a month */
        return 1;
    for (int i = 0; i < 4; i++)
        if (name[i] < '0' || name[i] > '9')
            return 0;
    const char *p = name + 4;
    if (*p == '-' || *p == '/' || *p == '.')
        p++;
    else if (!strncmp(p, "\xE5\xB9\xB4", 3)) /* 年 */
        p += 3;
    else
        return 0;
    return *p >= '0' && *p <= '9';
}

static size_t yearless_months(char **names, size_t n)
{
    size_t count = 0;
    for (size_t c = 0; c < n; c++)
        count += (size_t)civ_date_yearless_month(names[c]);
    return count;
}

static size_t yearless_first(char **names, size_t n)
{
    size_t c = 0;
    while (c + 1 < n && !civ_date_yearless_month(names[c]))
        c++;
    return c;
}

/* The error of a wide header with no date: months without their year said as such, else "is the file long?". */
static civ_status no_date_header(const char *path, char **names, size_t n)
{
    if (yearless_months(names, n) >= 2)
        return fail_file(path, names[yearless_first(names, n)], CIV_ERR_MISSING_COLUMN,
                         "a wide panel has one column per period, but the headers are months without their year "
                         "('%s', ...): write the year into each header (2024年1月 or 2024-01; a year in a merged "
                         "cell above the months is not read), so that each column is one month",
                         names[yearless_first(names, n)]);
    return fail_file(path, NULL, CIV_ERR_MISSING_COLUMN,
                     "a wide panel has one column per period, but no column header is a date (2024-01, 2024年1月, "
                     "2024/1/1, 2024-Q1, ...): is the file long (unique_id, ds, y)?");
}

static civ_status classify(const char *path, char **names, size_t n, const civ_panel_read_options *opt,
                           wide_layout *w)
{
    const char *given = opt->id_column && opt->id_column[0] ? opt->id_column : NULL;
    w->n_cols = n;
    w->id = SIZE_MAX;
    w->date_col = malloc((n ? n : 1) * sizeof *w->date_col);
    w->period = malloc((n ? n : 1) * sizeof *w->period);
    w->is_date = calloc(n ? n : 1, 1);
    int64_t *value = malloc((n ? n : 1) * sizeof *value);
    if (!w->date_col || !w->period || !w->is_date || !value) {
        free(value);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for a header of %zu columns", n);
    }
    civ_date_form form = 0;
    size_t first_date = SIZE_MAX;
    for (size_t c = 0; c < n; c++) {
        civ_date_form f;
        int64_t v;
        if (given && !strcmp(names[c], given))
            continue;
        if (civ_date_parse(names[c], strlen(names[c]), &f, &v)) {
            if (looks_like_period(names[c])) { /* "2024-13", "2024.1": a period column, not an attribute */
                char message[512];
                civ_snprintf(message, sizeof message, "%s", civ_last_error()->message);
                free(value);
                return fail_file(path, names[c], CIV_ERR_DATE,
                                 "column '%s' looks like a period but is not one (%s): fix its header", names[c],
                                 message);
            }
            civ_clear_error();
            continue;
        }
        if (form && f != form) {
            free(value);
            return fail_file(path, names[c], CIV_ERR_FREQUENCY,
                             "the date columns mix forms: '%s' and '%s' (one file holds one frequency)",
                             names[first_date], names[c]);
        }
        form = f, first_date = first_date == SIZE_MAX ? c : first_date;
        w->is_date[c] = 1;
        w->date_col[w->n_dates] = c;
        value[w->n_dates++] = v;
    }
    for (size_t c = 0; c < n && w->id == SIZE_MAX; c++) /* given, else unique_id, else the first other column */
        if (given ? !strcmp(names[c], given) : !strcmp(names[c], "unique_id"))
            w->id = c;
    for (size_t c = 0; c < n && w->id == SIZE_MAX && !given; c++)
        if (!w->is_date[c])
            w->id = c;
    civ_status s = CIV_OK;
    if (w->id == SIZE_MAX)
        s = fail_file(path, given ? given : "unique_id", CIV_ERR_MISSING_COLUMN,
                      given ? "a wide panel: the header has no column '%s' (given as the series id column)"
                            : "a wide panel needs a series id column%s besides its date columns",
                      given ? given : "");
    else if (!w->n_dates)
        s = no_date_header(path, names, n);
    if (!s) {
        /* days: inferred on the file's order; then sorted */
        s = header_periods(path, names, opt, form, value, w);
    }
    free(value);
    if (s)
        return s;
    sort_by_period(w);
    for (size_t k = 1; k < w->n_dates; k++)
        if (w->period[k] == w->period[k - 1])
            return fail_file(path, names[w->date_col[k]], CIV_ERR_DUPLICATE,
                             "columns '%s' and '%s' are the same period: keep one of them (delete the other "
                             "column) or, if both count, add them into one column",
                             names[w->date_col[k - 1]], names[w->date_col[k]]);
    size_t span = (size_t)(w->period[w->n_dates - 1] - w->period[0]) + 1;
    if (span > 16 * w->n_dates + 64)
        return fail_file(path, NULL, CIV_ERR_LIMIT,
                         "the %zu date columns span %zu periods (%s .. %s): check the headers' dates", w->n_dates,
                         span, names[w->date_col[0]], names[w->date_col[w->n_dates - 1]]);
    return CIV_OK;
}

/* The file line on which data row r (0-based, below the header) starts, for
 * errors found after the table was read (civ_table_row_line: a CSV file is
 * scanned again, on the error path only; a workbook's sheet knows its rows).
 * 0 when the file cannot be read. */
static long record_line(const civ_table *t, size_t r) { return civ_table_row_line(t, r); }

/* Where data row r, column c of the wide file is, for an error. */
static civ_where cell_where(const char *path, const civ_table *t, size_t r, size_t c, size_t id_col)
{
    long line = record_line(t, r);
    return (civ_where){.file = path, .line = line, .column = line ? (long)c + 1 : 0,
                       .series_id = civ_table_text(t, r, id_col), .field = civ_table_column_name(t, c)};
}

/* The first cell of a date column that is not a number as the reader read
 * numbers (the column came out as text), as an error naming it: with
 * --thousands "," the "-" under a "1,200" (before 2026-12-07 the "1,200"). */
static civ_status text_in_date_column(const char *path, const civ_table *t, size_t c, size_t id_col)
{
    size_t r = civ_csv_first_text_row(t, c);
    if (r == SIZE_MAX)
        return civ_fail(CIV_ERR_PARSE, "%s: column '%s' is not numeric", path, civ_table_column_name(t, c));
    const char *cell = civ_table_text(t, r, c);
    civ_where w = cell_where(path, t, r, c, id_col);
    if (civ_csv_excel_error(cell))
        return civ_fail_at(CIV_ERR_PARSE, &w,
                           "'%s' is an Excel error value (a formula that failed) where a number belongs: "
                           "fix the formula in the sheet, or clear the cell for a missing value",
                           cell);
    const char *hint = civ_csv_number_hint(cell);
    if (hint[0])
        return civ_fail_at(CIV_ERR_PARSE, &w, "'%s' is not a number%s", cell, hint);
    return civ_fail_at(CIV_ERR_PARSE, &w,
                       "'%s' is not a number (a wide panel's cells are its values: leave a missing month's "
                       "cell empty, or write NA)",
                       cell);
}

/* 1 when a row's id reads as a note under the table ("注：数据来自民政局",
 * "数据来源：...", "Source: ..."), as sheets often end. */
static int note_row(const char *id)
{
    static const char *const starts[] = {"注", "备注", "说明", "数据来源", "来源", "资料来源", "Note", "note",
                                         "Source", "source", "*"};
    for (size_t k = 0; k < sizeof starts / sizeof *starts; k++)
        if (!strncmp(id, starts[k], strlen(starts[k])))
            return 1;
    return 0;
}

/* Every row a series: its values by period, from its first to its last value. */
static civ_status add_rows(const char *path, const civ_table *t, const wide_layout *w, civ_panel *panel)
{
    size_t span = (size_t)(w->period[w->n_dates - 1] - w->period[0]) + 1;
    double *y = malloc(span * sizeof *y);
    if (!y)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for a row of %zu periods", span);
    civ_status s = CIV_OK;
    for (size_t r = 0; r < civ_table_n_rows(t) && !s; r++) {
        const char *id = civ_table_text(t, r, w->id);
        if (!id || !id[0]) {
            civ_where wh = cell_where(path, t, r, w->id, w->id);
            wh.series_id = NULL;
            s = civ_fail_at(CIV_ERR_PARSE, &wh, "row %zu has an empty series id", r + 1);
            break;
        }
        for (size_t k = 0; k < span; k++)
            y[k] = NAN;
        size_t lo = span, hi = 0;
        for (size_t k = 0; k < w->n_dates; k++) {
            size_t at = (size_t)(w->period[k] - w->period[0]);
            y[at] = civ_table_number(t, r, w->date_col[k]);
            if (!isnan(y[at])) {
                lo = at < lo ? at : lo;
                hi = at > hi ? at : hi;
            }
        }
        size_t n = lo == span ? 0 : hi - lo + 1; /* no value: an empty series (its forecast fails, saying why) */
        lo = lo == span ? 0 : lo;
        if (!n && note_row(id)) { /* a footnote was read as a series with no value */
            civ_where wh = cell_where(path, t, r, w->id, w->id);
            s = civ_fail_at(CIV_ERR_PARSE, &wh,
                            "'%s' has no value and reads as a note below the table, not a series: delete the row "
                            "(or move the note out of the sheet's table) before saving",
                            id);
            break;
        }
        if (civ_total_row_id(id) && civ_table_n_rows(t) > 1) { /* forecast and scored as one more community */
            civ_where wh = cell_where(path, t, r, w->id, w->id);
            s = civ_fail_at(CIV_ERR_PARSE, &wh,
                            "'%s' looks like the sheet's total row, not a series: delete the row (civicast sums "
                            "the series itself: convert --hierarchy gives district and city totals), or rename "
                            "it if it is a series of its own",
                            id);
            break;
        }
        size_t first; /* row r is series r: the row of the id's first series */
        if (civ_strmap_get(&panel->id_index, id, &first)) {
            civ_where wh = cell_where(path, t, r, w->id, w->id);
            s = civ_fail_at(CIV_ERR_DUPLICATE, &wh,
                            "series '%s' is on two rows (lines %ld and %ld): a wide sheet has one row per series: "
                            "keep one of them or, if both count, add them into one row and delete the other%s",
                            id, record_line(t, first), record_line(t, r), civ_excel_scientific_id_hint(id));
            break;
        }
        s = civ_panel_add_series(panel, id, w->period[0] + (int64_t)lo, y + lo, n, NULL);
        if (s)
            s = in_file(path, civ_table_column_name(t, w->id), record_line(t, r), (long)w->id + 1);
    }
    free(y);
    return s;
}

/* The long reader's checks of the ids, once every row is a series (row r is series r): ids that differ only by
 * spaces around them ('0101 ' and '0101': one community split in two), at the line of the spaced one.  (The
 * table reader has already read an integer column that pandas wrote as floats, 310101001.0, as the integers.) */
static civ_status check_ids(const char *path, const civ_table *t, const wide_layout *w, civ_panel *panel)
{
    const char *field = civ_table_column_name(t, w->id);
    if (civ_ids_split_by_spaces(panel->ids, panel->n_series, &panel->id_index, path, field)) {
        size_t r = 0;
        while (r + 1 < panel->n_series && strcmp(panel->ids[r], civ_last_error()->series_id))
            r++;
        return in_file(path, field, record_line(t, r), (long)w->id + 1);
    }
    return CIV_OK;
}

/* After "no column header is a date": when the first column's cells are the dates (a sheet with a
 * column per series, pandas' df.pivot(index="ds", columns="unique_id")), says so instead; else
 * keeps the error `s`. */
static civ_status transposed(const char *path, char **names, const civ_panel_read_options *opt, civ_status s)
{
    civ_error saved;
    civ_error_copy(&saved);
    const char *text_cols[] = {names[0], NULL};
    civ_table_read_options to = {.text_columns = text_cols, .encoding = opt->encoding,
                                 .thousands = opt->thousands, .percent = opt->percent, .sheet = opt->sheet,
                                 .skip_rows = opt->skip_rows};
    civ_table *t = NULL;
    int dates_down = 0;
    if (civ_table_read_csv(path, &to, &t) == CIV_OK && civ_table_n_rows(t) >= 2) {
        const char *a = civ_table_text(t, 0, 0), *b = civ_table_text(t, 1, 0);
        civ_date_form f;
        int64_t v;
        dates_down = a && b && civ_date_parse(a, strlen(a), &f, &v) == CIV_OK &&
                     civ_date_parse(b, strlen(b), &f, &v) == CIV_OK;
    }
    civ_table_free(t);
    if (!dates_down) {
        civ_error_restore(&saved);
        return s;
    }
    return fail_file(path, NULL, CIV_ERR_MISSING_COLUMN,
                     "a wide panel has one row per series and one column per period, but here the periods run "
                     "down the first column ('%s') and the series across: transpose the sheet (pandas: "
                     "df.set_index(\"%s\").T; Excel: Copy, Paste Special, Transpose), or melt it to the long "
                     "form (unique_id, ds, y)",
                     names[0], names[0]);
}

/* The columns that are neither the id nor a date, keyed by unique_id. */
static civ_status attributes(const civ_table *t, const wide_layout *w, civ_table **out)
{
    *out = NULL;
    size_t n_attr = 0;
    for (size_t c = 0; c < w->n_cols; c++)
        n_attr += c != w->id && !w->is_date[c];
    if (!n_attr)
        return CIV_OK;
    civ_table *a = NULL;
    size_t rows = civ_table_n_rows(t), key;
    civ_status s = civ_table_create(&a);
    if (!s)
        s = civ_table_add_column(a, "unique_id", CIV_COLUMN_TEXT, &key);
    if (!s)
        s = civ_table_add_rows(a, rows, NULL);
    for (size_t r = 0; r < rows && !s; r++)
        s = civ_table_set_text(a, r, key, civ_table_text(t, r, w->id));
    for (size_t c = 0; c < w->n_cols && !s; c++) {
        if (c == w->id || w->is_date[c])
            continue;
        civ_column_type type = civ_table_column_type(t, c);
        size_t to;
        if ((s = civ_table_add_column(a, civ_table_column_name(t, c), type, &to)))
            break;
        for (size_t r = 0; r < rows && !s; r++)
            s = type == CIV_COLUMN_TEXT ? civ_table_set_text(a, r, to, civ_table_text(t, r, c))
                                        : civ_table_set_number(a, r, to, civ_table_number(t, r, c));
    }
    if (s) {
        civ_table_free(a);
        return s;
    }
    a->thousands = t->thousands, a->percent = t->percent;
    *out = a;
    return CIV_OK;
}

civ_status civ_panel_read_wide_csv(const char *path, const civ_panel_read_options *opt, civ_panel **out)
{
    *out = NULL;
    if ((opt->time_column && opt->time_column[0]) || (opt->target_column && opt->target_column[0]))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT,
                        "a wide panel has no date or value column (its headers are the dates, its cells the values): "
                        "drop the time and target column names");
    char **names = NULL;
    size_t n = 0;
    wide_layout w = {0};
    civ_table *t = NULL, *attr = NULL;
    civ_panel *panel = NULL;
    long header_line = 1;
    civ_status s = civ_csv_header_names(path, opt->encoding, opt->sheet, opt->skip_rows, &names, &n, &header_line);
    if (!s && n == 1) /* "2024年社区助餐统计表,,,": a title, as the long reader says (the long reader's words) */
        s = civ_csv_title_error(path, opt->encoding, opt->sheet, opt->skip_rows);
    if (!s && (s = classify(path, names, n, opt, &w)) == CIV_ERR_MISSING_COLUMN && !w.n_dates && n >= 2)
        s = transposed(path, names, opt, s);
    if (s && header_line > 1 && civ_last_error()->line == 1) /* the header's errors name its line (skip_rows) */
        s = in_file(path, NULL, header_line, civ_last_error()->column);
    if (!s) {
        const char *text_cols[] = {names[w.id], NULL}; /* ids stay text: 001 is not 1 */
        civ_table_read_options to = {.text_columns = text_cols, .encoding = opt->encoding,
                                     .thousands = opt->thousands, .percent = opt->percent, .sheet = opt->sheet,
                                     .skip_rows = opt->skip_rows};
        s = civ_table_read_csv(path, &to, &t);
    }
    for (size_t k = 0; !s && k < w.n_dates; k++)
        if (civ_table_column_type(t, w.date_col[k]) != CIV_COLUMN_NUMBER)
            s = text_in_date_column(path, t, w.date_col[k], w.id);
    if (!s && !(s = civ_panel_create(w.freq, &panel))) {
        if (w.freq == CIV_FREQ_WEEKLY)
            s = civ_panel_set_phase(panel, w.phase);
        if (!s)
            s = civ_panel_set_date_style(panel, w.style);
        if (!s)
            s = add_rows(path, t, &w, panel);
        if (!s)
            s = check_ids(path, t, &w, panel);
        if (!s && !(s = attributes(t, &w, &attr)) && attr && (s = civ_panel_set_attributes(panel, attr)))
            civ_table_free(attr);
    }
    s = sheet_cell(t, s);
    for (size_t c = 0; c < n; c++)
        free(names[c]);
    free(names);
    layout_free(&w);
    civ_table_free(t);
    if (s) {
        civ_panel_free(panel);
        return s;
    }
    *out = panel;
    return CIV_OK;
}
