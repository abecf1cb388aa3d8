/*
 * xlsx_read.h -- layer: io.  Excel workbooks (.xlsx) read as the CSV text of one sheet, which the CSV readers read.
 *
 * Internal: civ_panel_read_csv_ex, civ_table_read_csv and the wide reader call
 * civ_xlsx_sheet_csv when the path ends in .xlsx / .xlsm, and then read the
 * returned file as they read a CSV file, so every CSV rule applies unchanged.
 * The rules of the conversion (values, dates, formulas, limits) are in
 * xlsx_read.c and docs/CLI.md "Reading Excel workbooks (.xlsx)".
 */
#ifndef CIV_XLSX_READ_H
#define CIV_XLSX_READ_H

#include <stddef.h>

#include "civicast.h"

/* 1 when `path` ends in .xlsx or .xlsm (any case): a workbook read by civ_xlsx_sheet_csv. */
int civ_xlsx_is_workbook(const char *path);

/* CIV_ERR_UNSUPPORTED with the cure (save as .xlsx or CSV UTF-8) when `path`
 * is a spreadsheet civicast cannot read (.xls, .xlsb, .ods, .et, .numbers),
 * naming the file; CIV_OK for any other path. */
civ_status civ_xlsx_refuse_other(const char *path);

/* Converts sheet `sheet` (its name; NULL or "" = the only sheet that has
 * cells) of the workbook `path` into CSV text in an unnamed temporary file:
 * one record per sheet row from row 1, every record as wide as the widest
 * row; a cell's line break is kept inside its quoted field, so the CSV
 * reader counts records, not line feeds, as a sheet's lines (csv.c's
 * is_sheet).  *fd is that file, positioned at its start, the caller's to
 * close.  Errors, each naming the file
 * and the part or cell: CIV_ERR_IO (cannot open), CIV_ERR_PARSE (not a zip, a
 * part missing or malformed, a DOCTYPE, a cell reference out of order or
 * beyond XFD1048576, a shared-string index beyond the table, a formula with no
 * cached value, a date cell holding a time of day or Excel's 1900-02-29),
 * CIV_ERR_LIMIT (a part larger than civ_xlsx_part_limit() once unpacked),
 * CIV_ERR_NOT_FOUND (no sheet of that name; several sheets with cells and no
 * name given), each listing the sheets where that helps. */
civ_status civ_xlsx_sheet_csv(const char *path, const char *sheet, int *fd);

/* The largest size (bytes) of one part of a workbook once unpacked (a zip
 * bomb stops there): 1 GiB.  For tests: civ_xlsx_set_part_limit(n) with
 * n > 0 sets it, 0 restores the default. */
size_t civ_xlsx_part_limit(void);
void civ_xlsx_set_part_limit(size_t bytes);

/* Excel's name of a cell ("C5") for a 1-based row and column into buf (at
 * least 16 bytes); "" when out of range. */
void civ_xlsx_cell_name(long row, long column, char *buf);

#endif
