/*
 * arena.h -- layer: core.  A bump allocator for per-thread scratch memory.
 *
 * The batch driver gives each thread one arena; models take their per-series
 * scratch from it and the driver resets it between series.  After the first
 * few series the arena holds enough blocks and no further malloc happens:
 * hot loops never allocate.
 */
#ifndef CIV_ARENA_H
#define CIV_ARENA_H

#include <stddef.h>

typedef struct civ_arena_block civ_arena_block;

typedef struct civ_arena {
    civ_arena_block *head;    /* current block */
    civ_arena_block *first;   /* chain, kept across resets */
    size_t used;              /* bytes used in head */
} civ_arena;

/* Returns `bytes` of 16-byte aligned memory, or NULL when out of memory.  A
 * zeroed civ_arena is ready to use.  Memory is NOT zeroed. */
void *civ_arena_alloc(civ_arena *arena, size_t bytes);
/* As civ_arena_alloc for n doubles. */
double *civ_arena_doubles(civ_arena *arena, size_t n);
/* Forgets every allocation but keeps the blocks for reuse. */
void civ_arena_reset(civ_arena *arena);
/* Releases every block. */
void civ_arena_free(civ_arena *arena);
/* Total bytes held in blocks (for memory reports). */
size_t civ_arena_capacity(const civ_arena *arena);

#endif
