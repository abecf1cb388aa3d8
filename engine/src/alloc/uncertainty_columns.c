/*
 * uncertainty_columns.c -- layer alloc: civ_alloc_uncertainty_add_columns,
 * the Monte Carlo's P5/P50/P95 appended to the per-community allocation
 * table (used by `civicast allocate --uncertainty` and by civ_plan_run).
 */
#include <stdlib.h>

#include <stdio.h>

#include "alloc.h"
#include "c_locale.h"

civ_status civ_alloc_uncertainty_add_columns(const civ_alloc_uncertainty *u, civ_table *allocation)
{
    if (!u || !allocation)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_uncertainty_add_columns: NULL argument");
    size_t n = civ_alloc_uncertainty_n_communities(u);
    if (civ_table_n_rows(allocation) != n)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT,
                        "civ_alloc_uncertainty_add_columns: the table has %zu rows, the Monte Carlo %zu communities",
                        civ_table_n_rows(allocation), n);
    static const double ps[3] = {0.05, 0.50, 0.95};
    static const char *const base[3] = {"p5", "p50", "p95"};
    char names[3][32]; /* p5_fen ...: the unit in the name (docs/ALLOCATION.md "Outputs") */
    for (int k = 0; k < 3; k++)
        civ_snprintf(names[k], sizeof names[k], "%s_%s", base[k], civ_alloc_uncertainty_minor_name(u));
    double *q = malloc((n ? n : 1) * sizeof *q);
    civ_status s = q ? CIV_OK : civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the Monte Carlo quantiles");
    for (int k = 0; k < 3 && !s; k++) {
        size_t col;
        s = civ_alloc_uncertainty_quantile(u, ps[k], q, n);
        if (!s)
            s = civ_table_add_column(allocation, names[k], CIV_COLUMN_NUMBER, &col);
        if (!s)
            s = civ_table_set_numbers(allocation, col, 0, q, n);
    }
    free(q);
    return s;
}
