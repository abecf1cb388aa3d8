/*
 * format.c -- layer: io.  Format dispatch by file extension for panels and tables: CSV, HDF5 and
 * Excel workbooks (read as a sheet's CSV text, xlsx_read.c; written by xlsx_write.c).
 */
#include <string.h>

#include "c_locale.h"
#include "error.h"
#include "table.h"
#include "table_stream.h"
#include "xlsx_read.h"
#include "xlsx_write.h"

typedef enum { FORMAT_UNKNOWN, FORMAT_CSV, FORMAT_HDF5, FORMAT_XLSX } file_format;

static file_format format_of(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (!dot || strchr(dot, '/'))
        return FORMAT_UNKNOWN;
    if (!civ_ascii_casecmp(dot, ".csv"))
        return FORMAT_CSV;
    if (!civ_ascii_casecmp(dot, ".h5") || !civ_ascii_casecmp(dot, ".hdf5"))
        return FORMAT_HDF5;
    if (civ_xlsx_is_workbook(path)) /* .xlsx, .xlsm */
        return FORMAT_XLSX;
    return FORMAT_UNKNOWN;
}

static civ_status unknown_format(const char *path)
{
    return civ_unknown_file_type(path);
}

/* An input in another spreadsheet format (.xls, .ods, ...) is refused with its cure, anything else as unknown. */
static civ_status unknown_input(const char *path)
{
    civ_status refused = civ_xlsx_refuse_other(path);
    return refused ? refused : civ_unknown_file_type(path);
}

civ_status civ_panel_read(const char *path, civ_panel **out)
{
    switch (format_of(path)) {
    case FORMAT_CSV:
    case FORMAT_XLSX: return civ_panel_read_csv(path, out); /* a sheet is read as its CSV text */
    case FORMAT_HDF5: return civ_panel_read_hdf5(path, out);
    default: return unknown_input(path);
    }
}

civ_status civ_panel_read_ex(const char *path, const civ_panel_read_options *options, civ_panel **out)
{
    switch (format_of(path)) {
    case FORMAT_CSV:
    case FORMAT_XLSX: return civ_panel_read_csv_ex(path, options, out);
    case FORMAT_HDF5: {
        civ_status s = civ_panel_read_hdf5(path, out);
        if (s || !options || options->freq.freq == CIV_FREQ_UNKNOWN ||
            options->freq.freq == civ_panel_frequency(*out))
            return s;
        civ_where w = {.file = path, .field = "freq"};
        civ_frequency stored = civ_panel_frequency(*out);
        civ_panel_free(*out);
        *out = NULL;
        return civ_fail_at(CIV_ERR_FREQUENCY, &w,
                           "the HDF5 panel is %s but the frequency asked for is %s: an HDF5 panel stores its "
                           "frequency; drop --freq",
                           civ_frequency_name(stored), civ_frequency_name(options->freq.freq));
    }
    default: return unknown_input(path);
    }
}

civ_status civ_panel_write(const civ_panel *panel, const char *path)
{
    switch (format_of(path)) {
    case FORMAT_CSV: return civ_panel_write_csv(panel, path);
    case FORMAT_HDF5: return civ_panel_write_hdf5(panel, path);
    case FORMAT_XLSX: return civ_is_xlsx_path(path) ? civ_panel_write_xlsx(panel, path) : unknown_format(path);
    default: return unknown_format(path);
    }
}

/* An HDF5 table keyed by options->id_column as a CSV header is (csv.c, header_role): that column becomes
 * unique_id; a table without it is kept as it is (one civicast wrote, keyed by unique_id); one with both is
 * refused, as either could be meant.  Before 2026-12-07 the option was ignored for HDF5 files, so the table of
 * `--id-col 社区编号` or Python's id_col= had no unique_id when it came as .h5. */
static civ_status hdf5_table_key(const char *path, const civ_table_read_options *options, civ_table *t)
{
    const char *given = options ? options->id_column : NULL;
    size_t own, standard;
    if (!given || !given[0] || !strcmp(given, "unique_id") || !civ_strmap_get(&t->column_index, given, &own))
        return CIV_OK;
    if (civ_strmap_get(&t->column_index, "unique_id", &standard)) {
        civ_where w = {.file = path, .field = "unique_id"};
        return civ_fail_at(CIV_ERR_DUPLICATE, &w,
                           "the table has both '%s' (column %zu, given as the key column) and 'unique_id' (column "
                           "%zu): either could be meant; drop or rename one of them",
                           given, own + 1, standard + 1);
    }
    return civ_table_rename_column(t, own, "unique_id");
}

civ_status civ_table_read(const char *path, const civ_table_read_options *options, civ_table **out)
{
    switch (format_of(path)) {
    case FORMAT_CSV:
    case FORMAT_XLSX: return civ_table_read_csv(path, options, out);
    case FORMAT_HDF5: {
        civ_status s = civ_table_read_hdf5(path, out);
        if (!s && (s = hdf5_table_key(path, options, *out))) {
            civ_table_free(*out);
            *out = NULL;
        }
        return s;
    }
    default: return unknown_input(path);
    }
}

civ_status civ_table_write(const civ_table *table, const char *path)
{
    switch (format_of(path)) {
    case FORMAT_CSV: return civ_table_write_csv(table, path);
    case FORMAT_HDF5: return civ_table_write_hdf5(table, path);
    case FORMAT_XLSX: return civ_is_xlsx_path(path) ? civ_table_write_xlsx(table, path) : unknown_format(path);
    default: return unknown_format(path);
    }
}

civ_status civ_panel_write_opts(const civ_panel *panel, const char *path, const civ_csv_write_options *options)
{
    switch (format_of(path)) {
    case FORMAT_CSV: return civ_panel_write_csv_opts(panel, path, options);
    case FORMAT_HDF5: return civ_panel_write_hdf5(panel, path); /* always full precision */
    /* .xlsx: full precision (the sheet's format rounds what it shows); the BOM is CSV's */
    case FORMAT_XLSX: return civ_is_xlsx_path(path) ? civ_panel_write_xlsx(panel, path) : unknown_format(path);
    default: return unknown_format(path);
    }
}

civ_status civ_table_write_opts(const civ_table *table, const char *path, const civ_csv_write_options *options)
{
    switch (format_of(path)) {
    case FORMAT_CSV: return civ_table_write_csv_opts(table, path, options);
    case FORMAT_HDF5: return civ_table_write_hdf5(table, path); /* always full precision */
    /* .xlsx: full precision (the sheet's format rounds what it shows); the BOM is CSV's */
    case FORMAT_XLSX: return civ_is_xlsx_path(path) ? civ_table_write_xlsx(table, path) : unknown_format(path);
    default: return unknown_format(path);
    }
}
