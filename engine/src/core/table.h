/*
 * table.h -- layer: core.  Internal layout of civ_table, shared by table.c, the CSV and
 * HDF5 readers/writers, and the engines that build output tables.
 */
#ifndef CIV_TABLE_H
#define CIV_TABLE_H

#include "civicast.h"
#include "strmap.h"

typedef struct civ_table_column {
    char *name;
    civ_column_type type;
    double *numbers; /* CIV_COLUMN_NUMBER: capacity doubles */
    char **texts;    /* CIV_COLUMN_TEXT: capacity pointers, NULL = "" */
} civ_table_column;

struct civ_table {
    civ_table_column *columns;
    size_t n_columns, columns_capacity;
    size_t n_rows, rows_capacity;
    civ_strmap column_index;
    civ_strmap key_index;     /* unique index on one text column */
    size_t key_column;        /* valid when key_indexed */
    int key_indexed;
};

/* Sets a text cell taking ownership of `owned` (malloc'd), no copy. */
civ_status civ_table_set_text_owned(civ_table *table, size_t row, size_t column, char *owned);
/* Reserves capacity for at least n rows (no change to n_rows). */
civ_status civ_table_reserve(civ_table *table, size_t n);

#endif
