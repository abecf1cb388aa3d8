/*
 * xlsx_write.h -- layer: io.  Tables written as Excel workbooks (.xlsx) with
 * libxlsxwriter: one sheet per table, the header bold, frozen and filtered,
 * text cells as text (ids keep their digits), numbers to 16 significant digits,
 * money columns formatted, widths from the content; atomic and deterministic
 * (xlsx_write.c).  The public calls are civ_workbook_write and the writers by
 * extension (civ_table_write, civ_panel_write, the table streams).
 */
#ifndef CIV_XLSX_WRITE_H
#define CIV_XLSX_WRITE_H

#include "civicast.h"

/* Excel's limits, checked before anything is written. */
#define CIV_XLSX_MAX_ROWS 1048576u  /* rows of a sheet, the header included */
#define CIV_XLSX_MAX_COLUMNS 16384u /* columns of a sheet */
#define CIV_XLSX_MAX_CELL 32767u    /* characters of a cell (UTF-16 units, as Excel counts them) */

/* 1 when `path` ends in .xlsx (any case). */
int civ_is_xlsx_path(const char *path);

/* The number format of number cell (row, column) of table `sheet` of civ_workbook_write_formatted: an Excel
 * format code ("0.0%", "General\" 起\""), or NULL for the column's own (money by name, else General).  Called
 * for the cells of columns that are not money; the code may be a buffer of arg's, read before the next call. */
typedef const char *(*civ_xlsx_cell_format)(void *arg, size_t sheet, size_t row, size_t column);
/* civ_workbook_write with a number format per cell (the monitoring workbook's rates as percentages, each row by
 * its indicator's kind, the stored value still the fraction).  At most 32 distinct codes (CIV_ERR_LIMIT).
 * cell_format NULL: civ_workbook_write. */
civ_status civ_workbook_write_formatted(const char *path, size_t n, const civ_table *const *tables,
                                        const char *const *sheet_names, const civ_workbook_options *options,
                                        civ_xlsx_cell_format cell_format, void *arg);

/* One table as a one-sheet workbook named after the file (allocation.xlsx:
 * sheet "allocation").  Errors as civ_workbook_write. */
civ_status civ_table_write_xlsx(const civ_table *table, const char *path);
/* A panel as the table civ_panel_write_csv writes (unique_id, ds, y,
 * covariates), one sheet. */
civ_status civ_panel_write_xlsx(const civ_panel *panel, const char *path);

/* A one-sheet workbook written in chunks of rows (table_stream.c): rows go
 * to the sheet as they come (libxlsxwriter's constant_memory mode), the
 * workbook is assembled into a temporary file at commit and renamed. */
typedef struct civ_xlsx_stream civ_xlsx_stream;
civ_status civ_xlsx_stream_open(const char *path, civ_xlsx_stream **out);
/* Appends chunk's rows (the first call writes the header).  Errors:
 * CIV_ERR_LIMIT (a limit above, naming it), CIV_ERR_DOMAIN (an infinite
 * number), CIV_ERR_IO.  After an error, abort. */
civ_status civ_xlsx_stream_append(civ_xlsx_stream *xs, const civ_table *chunk);
/* Writes the header of `columns` when no row came, sizes the columns,
 * closes the workbook and renames it into place; frees xs whatever happens. */
civ_status civ_xlsx_stream_commit(civ_xlsx_stream *xs, const civ_table *columns);
void civ_xlsx_stream_abort(civ_xlsx_stream *xs);

#endif
