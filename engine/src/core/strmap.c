/*
 * strmap.c -- layer: core.  Open-addressing string -> index map (see strmap.h).
 */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"

uint64_t civ_hash_string(const char *s)
{
    uint64_t h = 14695981039346656037ULL; /* FNV-1a 64-bit offset basis 0xcbf29ce484222325 */
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    return h;
}

void civ_strmap_free(civ_strmap *map)
{
    if (!map)
        return;
    free(map->keys);
    free(map->values);
    memset(map, 0, sizeof *map);
}

static civ_status grow(civ_strmap *map)
{
    size_t cap = map->capacity ? map->capacity * 2 : 64;
    const char **keys = calloc(cap, sizeof *keys);
    size_t *values = malloc(cap * sizeof *values);
    if (!keys || !values) {
        free(keys);
        free(values);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory growing an id index to %zu slots", cap);
    }
    for (size_t i = 0; i < map->capacity; i++) {
        if (!map->keys[i])
            continue;
        size_t j = civ_hash_string(map->keys[i]) & (cap - 1);
        while (keys[j])
            j = (j + 1) & (cap - 1);
        keys[j] = map->keys[i];
        values[j] = map->values[i];
    }
    free(map->keys);
    free(map->values);
    map->keys = keys;
    map->values = values;
    map->capacity = cap;
    return CIV_OK;
}

civ_status civ_strmap_put(civ_strmap *map, const char *key, size_t value, size_t *existing)
{
    if ((map->count + 1) * 2 > map->capacity) {
        civ_status s = grow(map);
        if (s)
            return s;
    }
    size_t j = civ_hash_string(key) & (map->capacity - 1);
    while (map->keys[j]) {
        if (strcmp(map->keys[j], key) == 0) {
            if (existing)
                *existing = map->values[j];
            return CIV_ERR_DUPLICATE;
        }
        j = (j + 1) & (map->capacity - 1);
    }
    map->keys[j] = key;
    map->values[j] = value;
    map->count++;
    return CIV_OK;
}

int civ_strmap_get(const civ_strmap *map, const char *key, size_t *value)
{
    if (!map->capacity)
        return 0;
    size_t j = civ_hash_string(key) & (map->capacity - 1);
    while (map->keys[j]) {
        if (strcmp(map->keys[j], key) == 0) {
            if (value)
                *value = map->values[j];
            return 1;
        }
        j = (j + 1) & (map->capacity - 1);
    }
    return 0;
}
