/*
 * bindings_support.c -- layer: core.  Small entry points for language bindings (the Python
 * package in python-bindings/ and its Dask helpers), where one call replaces
 * thousands of per-cell calls across the FFI or where a distributed run needs
 * a fact about the batch driver that the rest of the API keeps internal.
 *
 * Why each exists:
 *  - civ_table_set_numbers: a pandas column becomes a table column in one call
 *    instead of one ctypes call per cell (about 1 us each).
 *  - civ_panel_add_series_many / civ_panel_set_covariate_many: a whole
 *    DataFrame's series in one call (100,000 series cost about 0.3 s as
 *    separate ctypes calls), reading straight from the caller's arrays.
 * (Partitions need no help: the batch driver seeds each series from its id,
 * so a series draws the same paths in any panel that holds it.)
 */
#include "civicast.h"
#include "error.h"
#include "panel.h"

#include <stdint.h>

civ_status civ_table_set_numbers(civ_table *table, size_t column, size_t first_row, const double *values, size_t n)
{
    if (!table || (n && !values))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_table_set_numbers: NULL table or values");
    if (column >= civ_table_n_columns(table) || civ_table_column_type(table, column) != CIV_COLUMN_NUMBER)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_table_set_numbers: column %zu is not a number column", column);
    if (first_row > civ_table_n_rows(table) || n > civ_table_n_rows(table) - first_row)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_table_set_numbers: rows %zu..%zu are outside the table's %zu",
                        first_row, first_row + n, civ_table_n_rows(table));
    for (size_t r = 0; r < n; r++) {
        civ_status s = civ_table_set_number(table, first_row + r, column, values[r]);
        if (s)
            return s;
    }
    return CIV_OK;
}

civ_status civ_panel_add_series_many(civ_panel *panel, size_t count, const char *const *ids, const int64_t *starts,
                                     const double *values, const int64_t *offsets, const int64_t *lengths)
{
    if (!panel || (count && (!ids || !starts || !offsets || !lengths)))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_add_series_many: NULL argument");
    for (size_t i = 0; i < count; i++) {
        if (offsets[i] < 0 || lengths[i] < 0 || (lengths[i] > 0 && !values))
            return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_add_series_many: series %zu has a negative offset or "
                            "length, or no values", i);
        civ_status s = civ_panel_add_series(panel, ids[i], starts[i], lengths[i] ? values + offsets[i] : NULL,
                                            (size_t)lengths[i], NULL);
        if (s)
            return s;
    }
    /* as the CSV reader: ids that differ only by spaces around them are one community split in two */
    civ_status s = civ_ids_split_by_spaces(panel->ids, panel->n_series, &panel->id_index, NULL, "unique_id");
    /* as the readers: a frame's float ids 310101001.0 are the code 310101001 */
    return s ? s : civ_panel_whole_float_ids(panel);
}

civ_status civ_panel_set_covariate_many(civ_panel *panel, size_t k, size_t count, const double *values,
                                        const int64_t *offsets, const int64_t *lengths)
{
    if (!panel || (count && (!offsets || !lengths)))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_set_covariate_many: NULL argument");
    if (count > civ_panel_n_series(panel))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_set_covariate_many: %zu series asked, the panel has %zu",
                        count, civ_panel_n_series(panel));
    for (size_t i = 0; i < count; i++) {
        if (offsets[i] < 0 || lengths[i] < 0 || (lengths[i] > 0 && !values))
            return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_set_covariate_many: series %zu has a negative "
                            "offset or length, or no values", i);
        if (!lengths[i])
            continue;
        civ_status s = civ_panel_set_covariate(panel, i, k, values + offsets[i], (size_t)lengths[i]);
        if (s)
            return s;
    }
    return CIV_OK;
}
