/*
 * toml.h -- layer: io.  The strict TOML-subset reader used by allocation specs,
 * need sections and plan files (toml.c; docs/ALLOCATION.md, "Syntax").
 */
#ifndef CIV_TOML_H
#define CIV_TOML_H

#include <stddef.h>

#include "civicast.h"

typedef enum civ_toml_type {
    CIV_TOML_STRING = 1,
    CIV_TOML_INTEGER = 2, /* a number token without '.', 'e' or 'E' */
    CIV_TOML_FLOAT = 3,
    CIV_TOML_BOOL = 4,
    CIV_TOML_ARRAY = 5    /* of scalars only (no nesting, no inline tables) */
} civ_toml_type;

typedef struct civ_toml_value {
    civ_toml_type type;
    char *text;      /* STRING: the unescaped string; numbers: the token as written */
    double number;   /* INTEGER/FLOAT: the value; BOOL: 0 or 1 */
    struct civ_toml_value *items; /* ARRAY */
    size_t n_items;
    long line, column;
} civ_toml_value;

typedef struct civ_toml_entry {
    char *key;
    civ_toml_value value;
    long line, column; /* of the key */
    int used;          /* set by the spec reader; unused keys are errors */
} civ_toml_entry;

typedef struct civ_toml_table {
    char *name;        /* "" for the root table */
    int is_array;      /* came from [[name]] */
    civ_toml_entry *entries;
    size_t n_entries, cap_entries;
    long line, column; /* of the header */
} civ_toml_table;

typedef struct civ_toml_doc {
    civ_toml_table *tables; /* [0] is the root */
    size_t n_tables, cap_tables;
} civ_toml_doc;

/* Limits that keep the parser's memory bounded on hostile input. */
#define CIV_TOML_MAX_BYTES ((size_t)1 << 20)
#define CIV_TOML_MAX_TABLES 4096
#define CIV_TOML_MAX_KEYS 256     /* per table */
#define CIV_TOML_MAX_ITEMS 1024   /* per array */
#define CIV_TOML_MAX_STRING 4096  /* bytes */

/* Reads a whole spec-like text file of at most CIV_TOML_MAX_BYTES into a new
 * malloc'd buffer (*text, not NUL-terminated; the caller frees it).  `what`
 * names the file in messages ("specification").  Errors: CIV_ERR_IO,
 * CIV_ERR_LIMIT, CIV_ERR_OUT_OF_MEMORY. */
civ_status civ_toml_read_text(const char *path, const char *what, char **text, size_t *len);

/* Parses `len` bytes; `name` is used in error locations.  On error records
 * CIV_ERR_SPEC at file:line:column for every fault of the text (syntax,
 * duplicate key or table, an item over a limit), else CIV_ERR_OUT_OF_MEMORY
 * or CIV_ERR_INVALID_ARGUMENT. */
civ_status civ_toml_parse(const char *text, size_t len, const char *name, civ_toml_doc *doc);
void civ_toml_free(civ_toml_doc *doc);

/* The entry `key` of table t (NULL: none), marked used, so that the spec readers' check for keys nobody
 * read passes it over; NULL when t has no such key. */
civ_toml_entry *civ_toml_take(civ_toml_table *t, const char *key);

#endif /* CIV_TOML_H */
