/*
 * last_year_read.c -- alloc layer: civ_alloc_spec_read_last_year, last year's allocation read from its file (the
 * given path, else the spec's [data] last_year_file) with the spec's text columns and given to the spec, the one
 * reader that `civicast allocate`, `compare`, `uncertainty`, `project`, a plan and Python share (docs/ALLOCATION.md,
 * "Last year's allocation").
 *
 * Before, each client resolved the default, chose the text columns, read the table and named the file in errors
 * itself (the command in alloc_print.c, the plan in run.c, Python in frame.py), so a change to one could leave the
 * others behind.  What binding does with the table is last_year.c's (civ_alloc_spec_set_last_year).
 */
#include <stdio.h>

#include "alloc.h"

civ_status civ_alloc_spec_read_last_year(civ_alloc_spec *spec, const char *path, const civ_table_read_options *options)
{
    if (!spec)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_spec_read_last_year: NULL spec");
    if (!path)
        path = civ_alloc_spec_last_year_file(spec); /* already relative to the spec's folder */
    if (!path)
        return CIV_OK;
    civ_table_read_options o = {0};
    if (options)
        o = *options;
    /* its ids stay text (310101001, 001 are codes), under their names or the plan's workbook's headers; that
     * workbook is read at its allocation sheet (last_year_book.c) */
    civ_table *t = NULL;
    civ_status s = civ_error_name_file(civ_alloc_book_read(spec, path, &o, &t), path);
    if (!s)
        s = civ_error_name_file(civ_alloc_spec_set_last_year(spec, t), path);
    civ_table_free(t);
    return s;
}
