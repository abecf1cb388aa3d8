/*
 * strmap.h -- layer: core.  An open-addressing hash map from borrowed strings to indices.
 *
 * Used for id lookups (series, table keys, column names).  Keys are NOT
 * copied: the map stores pointers into storage the owner keeps alive.  FNV-1a
 * hashing, linear probing, load factor <= 1/2.  Deterministic: no random seed,
 * so iteration-free use gives identical results run to run.
 */
#ifndef CIV_STRMAP_H
#define CIV_STRMAP_H

#include "civicast.h"

typedef struct civ_strmap {
    const char **keys; /* NULL = empty slot */
    size_t *values;
    size_t capacity;   /* power of two, or 0 */
    size_t count;
} civ_strmap;

/* A zeroed struct is an empty map.  Free releases the tables, not the keys. */
void civ_strmap_free(civ_strmap *map);
/* Inserts key -> value.  If the key exists, *existing gets its value and
 * CIV_ERR_DUPLICATE is returned WITHOUT recording an error (callers report it
 * with their own context).  CIV_ERR_OUT_OF_MEMORY records an error. */
civ_status civ_strmap_put(civ_strmap *map, const char *key, size_t value, size_t *existing);
/* Returns 1 and sets *value if found, else 0. */
int civ_strmap_get(const civ_strmap *map, const char *key, size_t *value);
/* FNV-1a over a NUL-terminated string. */
uint64_t civ_hash_string(const char *s);

#endif
