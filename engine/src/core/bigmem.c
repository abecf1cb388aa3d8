/*
 * bigmem.c -- layer: core.  Large arrays on transparent huge pages (see
 * bigmem.h for why): posix_memalign to 2 MiB, then madvise(MADV_HUGEPAGE)
 * on the whole range, so that free() releases it as any malloc'd block.
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
    if (bytes < CIV_BIGMEM_MIN)
        return calloc(bytes ? bytes : 1, 1);
    void *p = civ_bigmem_alloc(count, size);
    if (p)
        memset(p, 0, bytes);
    return p;
}
