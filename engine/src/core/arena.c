/*
 * arena.c -- layer: core.  Bump allocator (arena.h).  Blocks are chained; a reset rewinds
 * to the first block so the same memory serves the next series.
 */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>

struct civ_arena_block {
    civ_arena_block *next;
    size_t size;
    _Alignas(16) unsigned char data[];
};

#define CIV_ARENA_MIN_BLOCK ((size_t)1 << 16)

void *civ_arena_alloc(civ_arena *arena, size_t bytes)
{
    bytes = (bytes + 15) & ~(size_t)15;
    if (bytes == 0)
        bytes = 16;
    while (arena->head) {
        if (arena->head->size - arena->used >= bytes) {
            void *p = arena->head->data + arena->used;
            arena->used += bytes;
            return p;
        }
        if (!arena->head->next)
            break;
        arena->head = arena->head->next;
        arena->used = 0;
    }
    size_t size = bytes > CIV_ARENA_MIN_BLOCK ? bytes : CIV_ARENA_MIN_BLOCK;
    if (arena->head && arena->head->size * 2 > size && arena->head->size <= SIZE_MAX / 4)
        size = arena->head->size * 2;
    civ_arena_block *b = malloc(sizeof *b + size);
    if (!b)
        return NULL;
    b->next = NULL;
    b->size = size;
    if (arena->head)
        arena->head->next = b;
    else
        arena->first = b;
    arena->head = b;
    arena->used = bytes;
    return b->data;
}

double *civ_arena_doubles(civ_arena *arena, size_t n)
{
    if (n > SIZE_MAX / sizeof(double))
        return NULL;
    return civ_arena_alloc(arena, n * sizeof(double));
}

void civ_arena_reset(civ_arena *arena)
{
    arena->head = arena->first;
    arena->used = 0;
}

void civ_arena_free(civ_arena *arena)
{
    civ_arena_block *b = arena->first;
    while (b) {
        civ_arena_block *next = b->next;
        free(b);
        b = next;
    }
    arena->first = arena->head = NULL;
    arena->used = 0;
}

size_t civ_arena_capacity(const civ_arena *arena)
{
    size_t total = 0;
    for (const civ_arena_block *b = arena->first; b; b = b->next)
        total += b->size;
    return total;
}
