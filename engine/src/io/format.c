/*
 * format.c -- layer: io.  Format dispatch by file extension for panels and tables.
 */
#include <string.h>
#include <strings.h>

#include "error.h"
#include "table_stream.h"
#include "xlsx_read.h"

typedef enum { FORMAT_UNKNOWN, FORMAT_CSV, FORMAT_HDF5 } file_format;

static file_format format_of(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (!dot || strchr(dot, '/'))
        return FORMAT_UNKNOWN;
    if (!strcasecmp(dot, ".csv"))
        return FORMAT_CSV;
    if (!strcasecmp(dot, ".h5") || !strcasecmp(dot, ".hdf5"))
        return FORMAT_HDF5;
    return FORMAT_UNKNOWN;
}

static civ_status unknown_format(const char *path)
{
    return civ_unknown_file_type(path);
}

civ_status civ_panel_read(const char *path, civ_panel **out)
{
    if (civ_xlsx_is_workbook(path)) /* a sheet is read as its CSV text (xlsx_read.c) */
        return civ_panel_read_csv(path, out);
    civ_status refused = civ_xlsx_refuse_other(path);
    if (refused)
        return refused;
    switch (format_of(path)) {
    case FORMAT_CSV: return civ_panel_read_csv(path, out);
    case FORMAT_HDF5: return civ_panel_read_hdf5(path, out);
    default: return unknown_format(path);
    }
}

civ_status civ_panel_read_ex(const char *path, const civ_panel_read_options *options, civ_panel **out)
{
    if (civ_xlsx_is_workbook(path))
        return civ_panel_read_csv_ex(path, options, out);
    civ_status refused = civ_xlsx_refuse_other(path);
    if (refused)
        return refused;
    switch (format_of(path)) {
    case FORMAT_CSV: return civ_panel_read_csv_ex(path, options, out);
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
    default: return unknown_format(path);
    }
}

civ_status civ_panel_write(const civ_panel *panel, const char *path)
{
    switch (format_of(path)) {
    case FORMAT_CSV: return civ_panel_write_csv(panel, path);
    case FORMAT_HDF5: return civ_panel_write_hdf5(panel, path);
    default: return unknown_format(path);
    }
}

civ_status civ_table_read(const char *path, const civ_table_read_options *options, civ_table **out)
{
    if (civ_xlsx_is_workbook(path))
        return civ_table_read_csv(path, options, out);
    civ_status refused = civ_xlsx_refuse_other(path);
    if (refused)
        return refused;
    switch (format_of(path)) {
    case FORMAT_CSV: return civ_table_read_csv(path, options, out);
    case FORMAT_HDF5: return civ_table_read_hdf5(path, out);
    default: return unknown_format(path);
    }
}

civ_status civ_table_write(const civ_table *table, const char *path)
{
    switch (format_of(path)) {
    case FORMAT_CSV: return civ_table_write_csv(table, path);
    case FORMAT_HDF5: return civ_table_write_hdf5(table, path);
    default: return unknown_format(path);
    }
}

civ_status civ_panel_write_opts(const civ_panel *panel, const char *path, const civ_csv_write_options *options)
{
    switch (format_of(path)) {
    case FORMAT_CSV: return civ_panel_write_csv_opts(panel, path, options);
    case FORMAT_HDF5: return civ_panel_write_hdf5(panel, path); /* always full precision */
    default: return unknown_format(path);
    }
}

civ_status civ_table_write_opts(const civ_table *table, const char *path, const civ_csv_write_options *options)
{
    switch (format_of(path)) {
    case FORMAT_CSV: return civ_table_write_csv_opts(table, path, options);
    case FORMAT_HDF5: return civ_table_write_hdf5(table, path); /* always full precision */
    default: return unknown_format(path);
    }
}
