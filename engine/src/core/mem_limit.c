/*
 * mem_limit.c -- layer: core.  The memory bound of the readers (see mem_limit.h): the limit
 * (CIV_MEMORY_LIMIT or physical memory) and the check the CSV and HDF5
 * readers make after counting and before their one large allocation, so a
 * file that cannot fit is refused with CIV_ERR_LIMIT instead of driving the
 * process into swap or the OOM killer.  docs/HOSTILE_INPUTS.md, section 8.
 */
#include "mem_limit.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

static size_t mem_override;

void civ_mem_limit_set(size_t bytes)
{
    mem_override = bytes;
}

/* Parses "123", "512M", "2G", "10MiB", "2GB" (K, M, G, T are powers of
 * 1024; an optional "B" or "iB" may follow the letter, "B" alone a number).
 * Returns 0 for a valid size (stored in *out), -1 for anything else: the
 * variable is read strictly, because a limit that is silently ignored is no
 * limit (issue 18). */
static int parse_size(const char *s, size_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return -1;
    unsigned shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    case 't': case 'T': shift = 40; end++; break;
    default: break;
    }
    if (shift && *end == 'i' && end[1] == 'B')
        end += 2;
    else if (*end == 'B')
        end++;
    if (*end || v == 0 || v > (SIZE_MAX >> shift))
        return -1;
    *out = (size_t)(v << shift);
    return 0;
}

civ_status civ_mem_limit_get(size_t *bytes)
{
    *bytes = SIZE_MAX;
    if (mem_override) {
        *bytes = mem_override;
        return CIV_OK;
    }
    const char *env = getenv("CIV_MEMORY_LIMIT");
    if (env) {
        if (parse_size(env, bytes) == 0)
            return CIV_OK;
        *bytes = SIZE_MAX;
        civ_where w = {.field = "CIV_MEMORY_LIMIT"};
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w,
                           "CIV_MEMORY_LIMIT='%.64s' is not a size: write a whole number of bytes with an optional "
                           "K, M, G or T suffix (powers of 1024), e.g. 512M, 2G or 2GiB, or unset it",
                           env);
    }
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0 && (unsigned long)pages <= SIZE_MAX / (unsigned long)page)
        *bytes = (size_t)pages * (size_t)page;
    return CIV_OK;
}

size_t civ_mem_limit(void)
{
    size_t bytes;
    civ_status s = civ_mem_limit_get(&bytes);
    (void)s; /* a malformed variable is reported by civ_mem_check */
    return bytes;
}

civ_status civ_mem_check(size_t count, size_t item_size, size_t extra, const char *what, const civ_where *where)
{
    size_t limit;
    civ_status s = civ_mem_limit_get(&limit);
    if (s)
        return s;
    int over = item_size && count > (SIZE_MAX - extra) / item_size;
    size_t need = over ? SIZE_MAX : count * item_size + extra;
    if (!over && need <= limit)
        return CIV_OK;
    return civ_fail_at(CIV_ERR_LIMIT, where,
                       "%s would need %.1f MiB of memory (%zu values), more than the limit of %.1f MiB "
                       "(physical memory, or CIV_MEMORY_LIMIT)",
                       what, over ? (double)SIZE_MAX / 1048576.0 : (double)need / 1048576.0, count,
                       (double)limit / 1048576.0);
}
