/*
 * table_stream.c -- layer: io.  Tables written in chunks of rows, CSV here,
 * HDF5 in hdf5.c and .xlsx in xlsx_write.c (table_stream.h).
 */
#include "table_stream.h"

#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "csv.h"
#include "error.h"
#include "table.h"
#include "xlsx_write.h"

struct civ_table_stream {
    civ_csv_stream *csv;         /* CSV: csv.c's buffered writer (the bytes of civ_table_write_csv_opts) */
    civ_h5_table_stream *h5;     /* or HDF5 */
    civ_xlsx_stream *xlsx;       /* or an Excel workbook */
    char *path;                  /* for errors */
    int header_done;
    size_t n_columns;
    char **names;                /* the first chunk's columns, to check later ones */
    civ_column_type *types;
};

static int is_hdf5(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot && !strchr(dot, '/') && (!civ_ascii_casecmp(dot, ".h5") || !civ_ascii_casecmp(dot, ".hdf5"));
}

static int is_csv(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot && !strchr(dot, '/') && !civ_ascii_casecmp(dot, ".csv");
}

civ_status civ_unknown_file_type(const char *path)
{
    civ_where w = {.file = path};
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (dot && strchr(dot, '/'))
        dot = NULL;
    const char *hint = "";
    if (dot && (!civ_ascii_casecmp(dot, ".html") || !civ_ascii_casecmp(dot, ".htm")))
        hint = " (tables only: the HTML report for a committee is written by civicast plan, or civicast report "
               "from a plan's folder; Python: civicast.plan)";
    else if (dot && !civ_ascii_casecmp(dot, ".xls"))
        hint = " (Excel 97-2003 workbooks are not written: use .xlsx)";
    else if (dot && !civ_ascii_casecmp(dot, ".xlsm"))
        hint = " (macro-enabled workbooks are read, not written: use .xlsx)";
    return civ_fail_at(CIV_ERR_UNSUPPORTED, &w, "unknown file type: use a .csv, .h5, .hdf5 or .xlsx extension%s",
                       hint);
}

static void stream_free(civ_table_stream *ts)
{
    for (size_t c = 0; ts->names && c < ts->n_columns; c++)
        free(ts->names[c]);
    free(ts->names);
    free(ts->types);
    free(ts->path);
    free(ts);
}

civ_status civ_table_stream_open(const char *path, const civ_csv_write_options *csv, civ_table_stream **out)
{
    if (!path || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_table_stream_open: NULL argument");
    *out = NULL;
    if (!is_csv(path) && !is_hdf5(path) && !civ_is_xlsx_path(path))
        return civ_unknown_file_type(path);
    civ_status s = civ_csv_check_write_options(csv, "civ_table_stream_open");
    if (s)
        return s;
    civ_table_stream *ts = calloc(1, sizeof *ts);
    if (!ts || !(ts->path = strdup(path))) {
        free(ts);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory opening %s", path);
    }
    s = is_hdf5(path)             ? civ_h5_table_stream_open(path, &ts->h5)
        : civ_is_xlsx_path(path) ? civ_xlsx_stream_open(path, &ts->xlsx) /* full precision, no BOM */
                                 : civ_csv_stream_open(path, csv, &ts->csv);
    if (s) {
        stream_free(ts);
        return s;
    }
    *out = ts;
    return CIV_OK;
}

/* The first chunk fixes the columns; later ones must match them. */
static civ_status same_columns(civ_table_stream *ts, const civ_table *t)
{
    if (!ts->header_done) {
        ts->n_columns = t->n_columns;
        ts->names = calloc(t->n_columns ? t->n_columns : 1, sizeof *ts->names);
        ts->types = malloc((t->n_columns ? t->n_columns : 1) * sizeof *ts->types);
        if (!ts->names || !ts->types)
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for column names");
        for (size_t c = 0; c < t->n_columns; c++) {
            ts->types[c] = t->columns[c].type;
            if (!(ts->names[c] = strdup(t->columns[c].name)))
                return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for column names");
        }
        ts->header_done = 1;
        /* The CSV writer writes the header with its first rows, even none. */
        return ts->h5 || ts->xlsx ? CIV_OK : civ_csv_stream_rows(ts->csv, t, 0, 0);
    }
    int same = t->n_columns == ts->n_columns;
    for (size_t c = 0; same && c < t->n_columns; c++)
        same = t->columns[c].type == ts->types[c] && !strcmp(t->columns[c].name, ts->names[c]);
    if (!same) {
        civ_where w = {.file = ts->path};
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "a chunk's columns differ from the first chunk's");
    }
    return CIV_OK;
}

civ_status civ_table_stream_append(civ_table_stream *ts, const civ_table *chunk)
{
    if (!ts || !chunk)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_table_stream_append: NULL argument");
    civ_status s = same_columns(ts, chunk);
    if (s)
        return s;
    if (ts->h5)
        return civ_h5_table_stream_append(ts->h5, chunk);
    if (ts->xlsx)
        return civ_xlsx_stream_append(ts->xlsx, chunk);
    return civ_csv_stream_rows(ts->csv, chunk, 0, chunk->n_rows);
}

civ_status civ_table_stream_commit(civ_table_stream *ts, const civ_table *columns)
{
    if (!ts)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_table_stream_commit: NULL stream");
    civ_status s = CIV_OK;
    if (!ts->header_done) {
        if (!columns)
            s = civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_table_stream_commit: no chunk and no columns");
        else
            s = same_columns(ts, columns);
    }
    if (ts->h5) {
        if (s)
            civ_h5_table_stream_abort(ts->h5);
        else
            s = civ_h5_table_stream_commit(ts->h5, columns);
    } else if (ts->xlsx) {
        if (s)
            civ_xlsx_stream_abort(ts->xlsx);
        else
            s = civ_xlsx_stream_commit(ts->xlsx, columns);
    } else if (s) {
        civ_csv_stream_abort(ts->csv);
    } else {
        s = civ_csv_stream_commit(ts->csv);
    }
    stream_free(ts);
    return s;
}

void civ_table_stream_abort(civ_table_stream *ts)
{
    if (!ts)
        return;
    if (ts->h5)
        civ_h5_table_stream_abort(ts->h5);
    else if (ts->xlsx)
        civ_xlsx_stream_abort(ts->xlsx);
    else
        civ_csv_stream_abort(ts->csv);
    stream_free(ts);
}
