/*
 * bigmem.c -- layer: core.  Large arrays on transparent huge pages (see
 * bigmem.h for why): posix_memalign to 2 MiB, then madvise(MADV_HUGEPAGE)
 * on the whole range, so that free() releases it as any malloc'd block;
 * zeroed arrays are calloc'd (untouched until used) and advised inside.
 */
#include "bigmem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

#define HUGE_PAGE ((size_t)2 << 20)

void *civ_bigmem_alloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    size_t bytes = count * size;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (bytes >= CIV_BIGMEM_MIN) {
        void *p = NULL;
        if (posix_memalign(&p, HUGE_PAGE, bytes))
            return NULL;
        (void)madvise(p, (bytes + 4095) & ~(size_t)4095, MADV_HUGEPAGE); /* a hint: failure is harmless */
        return p;
    }
#endif
    return malloc(bytes ? bytes : 1);
}

void *civ_bigmem_calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    size_t bytes = count * size;
    /* calloc, which knows that fresh mappings are zero and leaves their pages
     * untouched until used; the 2 MiB-aligned interior is then advised */
    char *p = calloc(bytes ? bytes : 1, 1);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (p && bytes >= CIV_BIGMEM_MIN) {
        uintptr_t a = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
        uintptr_t b = ((uintptr_t)p + bytes) & ~(uintptr_t)(HUGE_PAGE - 1);
        if (b > a)
            (void)madvise((void *)a, b - a, MADV_HUGEPAGE);
    }
#endif
    return p;
}
