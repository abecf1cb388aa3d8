/*
 * table.c -- layer: core.  civ_table: a small column store of numbers and UTF-8 text.
 *
 * Tables carry community attributes in, and forecasts, reports and
 * allocations out, so one writer per format serves every output.  Columns are
 * contiguous arrays (numbers are zero-copy for the bindings); rows grow by
 * doubling.  A unique index on one text column gives O(1) id lookups.
 */
#include "table.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bigmem.h"
#include "c_locale.h"
#include "text.h"
#include "error.h"

civ_status civ_table_create(civ_table **out)
{
    if (!out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_table_create: out is NULL");
    *out = calloc(1, sizeof **out);
    if (!*out)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory creating a table");
    return CIV_OK;
}

/* 1 when p points into one of c's pool blocks. */
static int in_pool(const civ_table_column *c, const char *p)
{
    for (const civ_text_block *b = c->pool; b; b = b->next)
        if (p >= b->data && p < b->data + b->cap)
            return 1;
    return 0;
}

void civ_table_clear_texts(civ_table_column *c, size_t n_rows)
{
    if (c->texts && c->has_owned)
        for (size_t r = 0; r < n_rows; r++)
            if (c->texts[r] && !(c->pool && in_pool(c, c->texts[r])))
                free(c->texts[r]);
    if (c->texts)
        memset(c->texts, 0, n_rows * sizeof *c->texts);
    while (c->pool) {
        civ_text_block *next = c->pool->next;
        free(c->pool);
        c->pool = next;
    }
    c->has_owned = 0;
}

static void free_column(civ_table_column *c, size_t n_rows)
{
    free(c->name);
    free(c->numbers);
    civ_table_clear_texts(c, n_rows);
    free(c->texts);
}

void civ_table_free(civ_table *table)
{
    if (!table)
        return;
    for (size_t c = 0; c < table->n_columns; c++)
        free_column(&table->columns[c], table->n_rows);
    free(table->columns);
    civ_strmap_free(&table->column_index);
    civ_strmap_free(&table->key_index);
    free(table->source);
    free(table);
}

civ_status civ_table_set_source(civ_table *table, const char *name, int first_row)
{
    if (!table || (first_row != 0 && first_row != 1))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_table_set_source: NULL table or first_row not 0 or 1");
    char *copy = NULL;
    if (name && name[0] && !(copy = strdup(name)))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the table's source");
    free(table->source);
    table->source = copy;
    table->first_row = first_row;
    table->csv_lines = 0;
    return CIV_OK;
}

const char *civ_table_source(const civ_table *table, int *first_row)
{
    if (first_row)
        *first_row = table && table->source ? table->first_row : 1;
    return table ? table->source : NULL;
}

size_t civ_table_row_number(const civ_table *t, size_t r)
{
    return r + (size_t)(t && t->source ? t->first_row : 1);
}

long civ_table_row_words(const civ_table *t, size_t r, char *buf, size_t size)
{
    long line = civ_table_row_line(t, r);
    if (line)
        civ_snprintf(buf, size, "line %ld", line);
    else
        civ_snprintf(buf, size, "%srow %zu", t && t->source && !t->first_row ? "" : "data ",
                     civ_table_row_number(t, r));
    return line;
}

/* Grows an array of `old` items to `capacity` items (realloc semantics):
 * once it is large it moves to huge pages (bigmem.h), after which realloc
 * keeps it there (glibc remaps large blocks without copying). */
static void *grow_array(void *p, size_t old, size_t capacity, size_t size)
{
    if (capacity > SIZE_MAX / size)
        return NULL;
    if (capacity * size < CIV_BIGMEM_MIN || old * size >= CIV_BIGMEM_MIN)
        return realloc(p, capacity * size);
    void *q = civ_bigmem_alloc(capacity, size);
    if (q && old)
        memcpy(q, p, old * size);
    if (q)
        free(p);
    return q;
}

static civ_status alloc_column_storage(civ_table_column *c, size_t capacity, size_t n_rows)
{
    if (c->type == CIV_COLUMN_NUMBER) {
        double *p = grow_array(c->numbers, n_rows, capacity ? capacity : 1, sizeof *p);
        if (!p)
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for column '%s' (%zu rows)", c->name, capacity);
        for (size_t r = n_rows; r < capacity; r++)
            p[r] = NAN;
        c->numbers = p;
    } else {
        char **p = grow_array(c->texts, n_rows, capacity ? capacity : 1, sizeof *p);
        if (!p)
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for column '%s' (%zu rows)", c->name, capacity);
        for (size_t r = n_rows; r < capacity; r++)
            p[r] = NULL;
        c->texts = p;
    }
    return CIV_OK;
}

civ_status civ_table_add_column(civ_table *table, const char *name, civ_column_type type, size_t *index)
{
    if (!table || !name || !name[0])
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_table_add_column: NULL table or empty column name");
    if (type != CIV_COLUMN_NUMBER && type != CIV_COLUMN_TEXT)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_table_add_column: bad type %d for column '%s'", (int)type, name);
    if (civ_strmap_get(&table->column_index, name, NULL)) {
        civ_where w = {.field = name};
        return civ_fail_at(CIV_ERR_DUPLICATE, &w, "column '%s' already exists", name);
    }
    if (table->n_columns == table->columns_capacity) {
        size_t cap = table->columns_capacity ? 2 * table->columns_capacity : 8;
        civ_table_column *cols = realloc(table->columns, cap * sizeof *cols);
        if (!cols)
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory adding column '%s'", name);
        table->columns = cols;
        table->columns_capacity = cap;
    }
    civ_table_column c = {0};
    c.type = type;
    c.name = strdup(name);
    if (!c.name)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory adding column '%s'", name);
    civ_status s = alloc_column_storage(&c, table->rows_capacity, 0);
    if (s) {
        free_column(&c, 0);
        return s;
    }
    /* The column map keys point into table->columns[i].name, stable strings. */
    s = civ_strmap_put(&table->column_index, c.name, table->n_columns, NULL);
    if (s) {
        free_column(&c, 0);
        return s;
    }
    table->columns[table->n_columns] = c;
    if (index)
        *index = table->n_columns;
    table->n_columns++;
    return CIV_OK;
}

civ_status civ_table_reserve(civ_table *table, size_t n)
{
    if (n <= table->rows_capacity)
        return CIV_OK;
    size_t cap = table->rows_capacity ? table->rows_capacity : 16;
    while (cap < n)
        cap *= 2;
    for (size_t c = 0; c < table->n_columns; c++) {
        civ_status s = alloc_column_storage(&table->columns[c], cap, table->rows_capacity);
        if (s)
            return s;
    }
    table->rows_capacity = cap;
    return CIV_OK;
}

civ_status civ_table_add_rows(civ_table *table, size_t count, size_t *first)
{
    if (!table)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_table_add_rows: table is NULL");
    if (count > SIZE_MAX / 2 - table->n_rows)
        return civ_fail(CIV_ERR_LIMIT, "table would exceed %zu rows", SIZE_MAX / 2);
    civ_status s = civ_table_reserve(table, table->n_rows + count);
    if (s)
        return s;
    if (first)
        *first = table->n_rows;
    table->n_rows += count;
    return CIV_OK;
}

size_t civ_table_n_rows(const civ_table *table) { return table ? table->n_rows : 0; }
size_t civ_table_n_columns(const civ_table *table) { return table ? table->n_columns : 0; }

const char *civ_table_column_name(const civ_table *table, size_t column)
{
    return table && column < table->n_columns ? table->columns[column].name : NULL;
}

civ_column_type civ_table_column_type(const civ_table *table, size_t column)
{
    return table && column < table->n_columns ? table->columns[column].type : (civ_column_type)0;
}

civ_status civ_table_find_column(const civ_table *table, const char *name, size_t *column)
{
    if (!table || !name)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_table_find_column: NULL argument");
    size_t c;
    if (!civ_strmap_get(&table->column_index, name, &c)) {
        civ_where w = {.field = name};
        return civ_fail_at(CIV_ERR_NOT_FOUND, &w, "no column named '%s'", name);
    }
    if (column)
        *column = c;
    return CIV_OK;
}

static civ_status check_cell(const civ_table *table, size_t row, size_t column, civ_column_type type)
{
    if (!table)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "table is NULL");
    if (row >= table->n_rows || column >= table->n_columns)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "cell (%zu, %zu) outside a %zu x %zu table", row, column,
                        table->n_rows, table->n_columns);
    if (table->columns[column].type != type) {
        civ_where w = {.field = table->columns[column].name};
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "column '%s' is not a %s column",
                           table->columns[column].name, type == CIV_COLUMN_NUMBER ? "number" : "text");
    }
    return CIV_OK;
}

civ_status civ_table_set_number(civ_table *table, size_t row, size_t column, double value)
{
    civ_status s = check_cell(table, row, column, CIV_COLUMN_NUMBER);
    if (s)
        return s;
    table->columns[column].numbers[row] = value;
    return CIV_OK;
}

civ_status civ_table_set_text_owned(civ_table *table, size_t row, size_t column, char *owned)
{
    civ_status s = check_cell(table, row, column, CIV_COLUMN_TEXT);
    if (s) {
        free(owned);
        return s;
    }
    if (table->key_indexed && table->key_column == column) {
        civ_strmap_free(&table->key_index); /* keys would dangle: drop the index */
        table->key_indexed = 0;
    }
    civ_table_column *c = &table->columns[column];
    if (c->texts[row] && !(c->pool && in_pool(c, c->texts[row])))
        free(c->texts[row]);
    c->texts[row] = owned;
    c->has_owned |= owned != NULL;
    return CIV_OK;
}

civ_status civ_table_set_text_pooled(civ_table *table, size_t row, size_t column, const char *text, size_t len)
{
    if (!len || !text)
        return civ_table_set_text_owned(table, row, column, NULL);
    civ_status s = check_cell(table, row, column, CIV_COLUMN_TEXT);
    if (s)
        return s;
    civ_table_column *c = &table->columns[column];
    civ_text_block *b = c->pool;
    if (!b || b->cap - b->used < len + 1) {
        /* blocks double from 64 KiB up to 16 MiB: few blocks, little slack */
        size_t cap = b ? 2 * b->cap : 65536;
        if (cap > ((size_t)16 << 20))
            cap = (size_t)16 << 20;
        if (cap < len + 1)
            cap = len + 1;
        civ_text_block *nb = civ_bigmem_alloc(1, sizeof *nb + cap);
        if (!nb)
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the text of column '%s'", c->name);
        nb->next = b;
        nb->cap = cap;
        nb->used = 0;
        c->pool = b = nb;
    }
    char *dst = b->data + b->used;
    memcpy(dst, text, len);
    dst[len] = '\0';
    b->used += len + 1;
    if (table->key_indexed && table->key_column == column) {
        civ_strmap_free(&table->key_index); /* keys would dangle: drop the index */
        table->key_indexed = 0;
    }
    if (c->texts[row] && !(c->pool && in_pool(c, c->texts[row])))
        free(c->texts[row]);
    c->texts[row] = dst;
    return CIV_OK;
}

civ_status civ_table_set_text(civ_table *table, size_t row, size_t column, const char *value)
{
    char *copy = NULL;
    if (value && value[0]) {
        copy = strdup(value);
        if (!copy)
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory setting a text cell");
    }
    return civ_table_set_text_owned(table, row, column, copy);
}

double civ_table_number(const civ_table *table, size_t row, size_t column)
{
    if (!table || row >= table->n_rows || column >= table->n_columns ||
        table->columns[column].type != CIV_COLUMN_NUMBER)
        return NAN;
    return table->columns[column].numbers[row];
}

const char *civ_table_text(const civ_table *table, size_t row, size_t column)
{
    if (!table || row >= table->n_rows || column >= table->n_columns ||
        table->columns[column].type != CIV_COLUMN_TEXT)
        return NULL;
    const char *t = table->columns[column].texts[row];
    return t ? t : "";
}

const double *civ_table_numbers(const civ_table *table, size_t column)
{
    if (!table || column >= table->n_columns || table->columns[column].type != CIV_COLUMN_NUMBER)
        return NULL;
    return table->columns[column].numbers;
}

civ_status civ_table_index(civ_table *table, size_t column)
{
    if (!table || column >= table->n_columns || table->columns[column].type != CIV_COLUMN_TEXT)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_table_index: column %zu is not a text column", column);
    civ_strmap_free(&table->key_index);
    table->key_indexed = 0;
    civ_table_column *c = &table->columns[column];
    for (size_t r = 0; r < table->n_rows; r++) {
        const char *key = c->texts[r] ? c->texts[r] : "";
        size_t first = 0;
        civ_status s = civ_strmap_put(&table->key_index, key, r, &first);
        if (s == CIV_ERR_DUPLICATE) {
            civ_strmap_free(&table->key_index);
            civ_where w = {.series_id = key, .field = c->name, .line = (long)r + 2};
            return civ_fail_at(CIV_ERR_DUPLICATE, &w, "duplicate %s '%s' in rows %zu and %zu", c->name, key,
                               civ_table_row_number(table, first), civ_table_row_number(table, r));
        }
        if (s) {
            civ_strmap_free(&table->key_index);
            return s;
        }
    }
    table->key_column = column;
    table->key_indexed = 1;
    return CIV_OK;
}

civ_status civ_table_lookup(const civ_table *table, size_t column, const char *key, size_t *row)
{
    if (!table || !key || column >= table->n_columns || table->columns[column].type != CIV_COLUMN_TEXT)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_table_lookup: bad table, column or key");
    size_t r;
    if (table->key_indexed && table->key_column == column) {
        if (civ_strmap_get(&table->key_index, key, &r)) {
            if (row)
                *row = r;
            return CIV_OK;
        }
    } else {
        const civ_table_column *c = &table->columns[column];
        for (r = 0; r < table->n_rows; r++)
            if (strcmp(c->texts[r] ? c->texts[r] : "", key) == 0) {
                if (row)
                    *row = r;
                return CIV_OK;
            }
    }
    civ_where w = {.series_id = key, .field = table->columns[column].name};
    return civ_fail_at(CIV_ERR_NOT_FOUND, &w, "no row with %s '%s'", table->columns[column].name, key);
}

void civ_table_whole_float_ids(civ_table *table, size_t column)
{
    if (!table || column >= table->n_columns || table->columns[column].type != CIV_COLUMN_TEXT)
        return;
    char **texts = table->columns[column].texts;
    if (!texts || !civ_whole_float_ids((const char *const *)texts, table->n_rows))
        return;
    for (size_t r = 0; r < table->n_rows; r++) {
        size_t len = civ_whole_float_id_len(texts[r]);
        if (len)
            texts[r][len] = '\0'; /* the cell's own storage (pooled or malloc'd), shortened */
    }
}

civ_status civ_table_rename_column(civ_table *table, size_t c, const char *name)
{
    size_t other;
    if (civ_strmap_get(&table->column_index, name, &other))
        return other == c ? CIV_OK : CIV_ERR_DUPLICATE;
    char *copy = strdup(name);
    if (!copy)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory renaming column '%s'", table->columns[c].name);
    civ_strmap index = {0}; /* the map keys are the names themselves: rebuilt over the new one */
    civ_status s = CIV_OK;
    for (size_t k = 0; k < table->n_columns && !s; k++)
        s = civ_strmap_put(&index, k == c ? copy : table->columns[k].name, k, NULL);
    if (s) {
        civ_strmap_free(&index);
        free(copy);
        return s;
    }
    civ_strmap_free(&table->column_index);
    table->column_index = index;
    free(table->columns[c].name);
    table->columns[c].name = copy;
    return CIV_OK;
}
