/*
 * table.h -- layer: core.  Internal layout of civ_table, shared by table.c, the CSV and
 * HDF5 readers/writers, and the engines that build output tables.
 */
#ifndef CIV_TABLE_H
#define CIV_TABLE_H

#include "civicast.h"
#include "strmap.h"

/* A block of a text column's string pool (civ_table_set_text_pooled). */
typedef struct civ_text_block {
    struct civ_text_block *next;
    size_t cap, used;
    char data[];
} civ_text_block;

typedef struct civ_table_column {
    char *name;
    civ_column_type type;
    double *numbers; /* CIV_COLUMN_NUMBER: capacity doubles */
    char **texts;    /* CIV_COLUMN_TEXT: capacity pointers, NULL = ""; each
                      * malloc'd, or inside `pool` (set_text_pooled) */
    civ_text_block *pool; /* strings of many cells in few blocks (newest first) */
    int has_owned;   /* some cell was malloc'd: free them one by one */
} civ_table_column;

struct civ_table {
    civ_table_column *columns;
    size_t n_columns, columns_capacity;
    size_t n_rows, rows_capacity;
    civ_strmap column_index;
    civ_strmap key_index;     /* unique index on one text column */
    size_t key_column;        /* valid when key_indexed */
    int key_indexed;
    char *source;   /* where the rows came from, for errors (civ_table_set_source; the readers' path), or NULL */
    int first_row;  /* the number errors call row 0 by: 0 (pandas positions) or 1 */
    int csv_lines;  /* 1: source is the CSV file read, so a row's line can be found (civ_table_row_line);
                       2: a workbook's sheet, whose row r is on line first_line + r */
    long first_line;
    char thousands; /* how the CSV reader read numbers (options .thousands as civ_csv_thousands gives it, 0 = none; */
    int percent;    /* options .percent): a text column's cell is no number when it reads as none under them
                     * (civ_csv_first_text_row), so "1,200" with --thousands "," is not the cell that made it text */
};

/* Sets a text cell taking ownership of `owned` (malloc'd), no copy. */
civ_status civ_table_set_text_owned(civ_table *table, size_t row, size_t column, char *owned);
/* Sets a text cell to a copy of text[0..len) placed in the column's string
 * pool: no malloc per cell, freed with the table (for readers and builders
 * of large tables).  len 0 stores "" (NULL).  A pooled string that is
 * replaced is not reclaimed before the table is freed. */
civ_status civ_table_set_text_pooled(civ_table *table, size_t row, size_t column, const char *text, size_t len);
/* Drops a text column's cells (pooled or malloc'd), leaving texts[] of
 * NULLs. */
void civ_table_clear_texts(civ_table_column *c, size_t n_rows);
/* The number an error calls data row r of t by, when it names no CSV line: counted from the table's first_row
 * when it has a source name (civ_table_set_source; 0 for a DataFrame, the position iloc counts), else from 1
 * (the first row under the header). */
size_t civ_table_row_number(const civ_table *t, size_t r);
/* Row r of t in an error's words: "line N" of a CSV file (civ_table_row_line, returned; 0 when none), else
 * "row N" of a table whose rows count from 0 (a DataFrame), else "data row N" (civ_table_row_number). */
long civ_table_row_words(const civ_table *t, size_t r, char *buf, size_t size);
/* Reserves capacity for at least n rows (no change to n_rows). */
civ_status civ_table_reserve(civ_table *table, size_t n);
/* Renames column c to `name` (a reader's key option: the file's 社区编号 becomes unique_id).  CIV_ERR_DUPLICATE
 * (not recorded: the caller says which columns) when another column has that name; CIV_ERR_OUT_OF_MEMORY (the
 * table unchanged). */
civ_status civ_table_rename_column(civ_table *table, size_t c, const char *name);

#endif
