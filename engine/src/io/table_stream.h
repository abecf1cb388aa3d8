/*
 * table_stream.h -- layer: io.  A table written in chunks of rows, so that a
 * producer (the chunked forecast writer, engine/src/stream/) never holds the
 * whole table: the first chunk fixes the columns, every later chunk must have
 * the same names and types, and the file appears complete or not at all
 * (temporary file + rename, atomic_file.h).  CSV, HDF5 or .xlsx by
 * extension, with the bytes civ_table_write_opts writes for CSV; HDF5 files
 * have the same schema (datasets/SCHEMA.md), only their chunk layout may
 * differ; a workbook has the cells of civ_table_write's (xlsx_write.h).
 */
#ifndef CIV_TABLE_STREAM_H
#define CIV_TABLE_STREAM_H

#include "civicast.h"

typedef struct civ_table_stream civ_table_stream;

/* CIV_ERR_UNSUPPORTED for a path whose extension is none of .csv, .h5,
 * .hdf5 (and .xlsx, which the writers take), naming it, with what was
 * likely meant for a page or an old workbook (.html: the plan's report;
 * .xls: .xlsx).  The one
 * message of the panel and table readers and writers (format.c) and of
 * the streams. */
civ_status civ_unknown_file_type(const char *path);

/* Opens a temporary file beside `path` (.csv, .h5, .hdf5 or .xlsx).  `csv`
 * (may be NULL) formats CSV numbers as civ_table_write_opts does; it is copied.
 * Errors: CIV_ERR_UNSUPPORTED (extension), CIV_ERR_INVALID_ARGUMENT (csv
 * options), CIV_ERR_IO, CIV_ERR_OUT_OF_MEMORY. */
civ_status civ_table_stream_open(const char *path, const civ_csv_write_options *csv, civ_table_stream **out);
/* Appends the rows of `chunk` (borrowed).  Errors: CIV_ERR_INVALID_ARGUMENT
 * (columns unlike the first chunk's), CIV_ERR_DOMAIN (an infinite number),
 * CIV_ERR_LIMIT (.xlsx: more rows than a sheet holds), CIV_ERR_IO.  After an error, abort. */
civ_status civ_table_stream_append(civ_table_stream *ts, const civ_table *chunk);
/* Finishes the file and renames it into place; frees ts whatever happens.
 * `columns` gives the header when no chunk was appended (may be NULL
 * otherwise).  Errors: CIV_ERR_IO (nothing left behind). */
civ_status civ_table_stream_commit(civ_table_stream *ts, const civ_table *columns);
/* Removes the temporary file and frees ts; NULL accepted. */
void civ_table_stream_abort(civ_table_stream *ts);

/* The HDF5 half (hdf5.c), under the HDF5 lock. */
typedef struct civ_h5_table_stream civ_h5_table_stream;
civ_status civ_h5_table_stream_open(const char *path, civ_h5_table_stream **out);
civ_status civ_h5_table_stream_append(civ_h5_table_stream *ts, const civ_table *chunk);
civ_status civ_h5_table_stream_commit(civ_h5_table_stream *ts, const civ_table *columns);
void civ_h5_table_stream_abort(civ_h5_table_stream *ts);

#endif
