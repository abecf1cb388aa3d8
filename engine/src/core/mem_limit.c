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

/* Parses "123", "512M", "2G", ... (powers of 1024); 0 when malformed. */
static size_t parse_size(const char *s)
{
    if (!s || !*s)
        return 0;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || s[0] == '-')
        return 0;
    unsigned shift = 0;
    switch (*end) {
    case '\0': break;
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    case 't': case 'T': shift = 40; end++; break;
    default: return 0;
    }
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end || v > (SIZE_MAX >> shift))
        return 0;
    return (size_t)(v << shift);
}

size_t civ_mem_limit(void)
{
    if (mem_override)
        return mem_override;
    size_t env = parse_size(getenv("CIV_MEMORY_LIMIT"));
    if (env)
        return env;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0)
        return SIZE_MAX;
    if ((unsigned long)pages > SIZE_MAX / (unsigned long)page)
        return SIZE_MAX;
    return (size_t)pages * (size_t)page;
}

civ_status civ_mem_check(size_t count, size_t item_size, size_t extra, const char *what, const civ_where *where)
{
    size_t limit = civ_mem_limit();
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
