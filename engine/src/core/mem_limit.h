/*
 * mem_limit.h -- layer: core.  The memory bound of the readers: refuse, before allocating,
 * a panel or dataset whose values would not fit in memory.
 *
 * The limit is CIV_MEMORY_LIMIT from the environment (bytes, with an optional
 * K, M, G or T suffix, powers of 1024, optionally followed by B or iB: 512M,
 * 2GiB; anything else is CIV_ERR_INVALID_ARGUMENT, never ignored) when set, else the machine's physical
 * memory (sysconf _SC_PHYS_PAGES x _SC_PAGESIZE).  Physical rather than
 * "available" memory: available memory moves with the page cache and other
 * processes, so a refusal based on it would not be reproducible; the limit is
 * a guard against files that cannot possibly be held (a 10-byte HDF5 file
 * declaring 2^40 elements, a CSV of 50 GB), not a scheduler.  Readers stream
 * the file (two passes for CSV), so the check happens after counting and
 * before the one big allocation.  docs/HOSTILE_INPUTS.md, "Resource bounds".
 */
#ifndef CIV_MEM_LIMIT_H
#define CIV_MEM_LIMIT_H

#include <stddef.h>

#include "error.h"

/* The limit in bytes (never 0); a malformed CIV_MEMORY_LIMIT counts as no
 * limit here (use civ_mem_limit_get or civ_mem_check to see the error). */
size_t civ_mem_limit(void);
/* The limit in *bytes; CIV_ERR_INVALID_ARGUMENT naming CIV_MEMORY_LIMIT when
 * the variable is set but is not a size (then *bytes = SIZE_MAX). */
civ_status civ_mem_limit_get(size_t *bytes);
/* Overrides the limit for the calling process (0 restores the default); for
 * tests and hosts that know better.  Not synchronised: set it before starting
 * threads. */
void civ_mem_limit_set(size_t bytes);
/* CIV_OK when `count` items of `item_size` bytes (plus `extra` bytes) fit in
 * the limit, else CIV_ERR_LIMIT at `where` naming `what`, the bytes needed
 * and the limit.  Overflowing products count as too large. */
civ_status civ_mem_check(size_t count, size_t item_size, size_t extra, const char *what, const civ_where *where);

#endif
