/*
 * bigmem.h -- layer: core.  Large arrays (columns of a million rows, the
 * allocation's problem and result) that are filled soon after they are
 * allocated: 2 MiB-aligned and marked for transparent huge pages, so that
 * their first touch costs one page fault per 2 MiB instead of one per 4 KiB.
 *
 * Why: on the small virtual machines civicast runs on, a 4 KiB page fault
 * costs 3-6 microseconds, so touching 250 MB of fresh memory took 1.3-1.7 s
 * (bench: `civicast allocate` on a million communities spent about half of
 * reading, binding and the first solve in page faults); with huge pages the
 * same memory is ready in 0.05-0.4 s.  Linux only (madvise MADV_HUGEPAGE,
 * honoured when /sys/kernel/mm/transparent_hugepage/enabled is "always" or
 * "madvise"); elsewhere, and below CIV_BIGMEM_MIN bytes, these are plain
 * malloc / calloc.  The memory is released with free().
 */
#ifndef CIV_BIGMEM_H
#define CIV_BIGMEM_H

#include <stddef.h>

/* Below this many bytes an array gets plain malloc. */
#define CIV_BIGMEM_MIN ((size_t)4 << 20)

/* count x size bytes, uninitialised; NULL when out of memory or when the
 * product overflows.  Release with free(). */
void *civ_bigmem_alloc(size_t count, size_t size);
/* As civ_bigmem_alloc, zeroed, from calloc: pages are touched only when
 * used, and only the array's 2 MiB-aligned interior is on huge pages. */
void *civ_bigmem_calloc(size_t count, size_t size);

#endif
