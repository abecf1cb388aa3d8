/*
 * fuzz_common.h -- shared helpers of the libFuzzer harnesses in tests/fuzz/
 * and of tests/test_regressions.c, which includes the harness sources to
 * replay the corpus and the crashers through the very same entry points.
 *
 * A harness defines `static int fuzz_<name>(const uint8_t *data, size_t size)`
 * and, unless CIV_FUZZ_NO_ENTRY is defined, LLVMFuzzerTestOneInput calling it.
 * FUZZ_CHECK(cond) states an oracle (a property any input must satisfy, e.g.
 * "what was read writes back and reads back identically"): under libFuzzer it
 * aborts, so the input is saved as a crash; the regression test defines
 * FUZZ_CHECK before including, as a cmocka assertion.
 */
#ifndef CIV_FUZZ_COMMON_H
#define CIV_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "civicast.h"

#ifndef FUZZ_CHECK
#define FUZZ_CHECK(cond)                                                                        \
    do {                                                                                        \
        if (!(cond)) {                                                                          \
            fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);     \
            abort();                                                                            \
        }                                                                                       \
    } while (0)
#endif

/* A per-process scratch path "<dir>/civfuzz-<pid>-<tag><ext>" in /dev/shm
 * when it exists (the readers take paths, and tmpfs keeps the fuzzers off
 * the disk), else TMPDIR or /tmp. */
static inline void fuzz_scratch_path(char *buf, size_t size, const char *tag, const char *ext)
{
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    if (!dir || !dir[0])
        dir = "/tmp";
    snprintf(buf, size, "%s/civfuzz-%ld-%s%s", dir, (long)getpid(), tag, ext);
}

/* Writes the input to `path`; 0 on failure (then the harness skips it). */
static inline int fuzz_write_file(const char *path, const uint8_t *data, size_t size)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return 0;
    int ok = fwrite(data, 1, size, fp) == size;
    ok = (fclose(fp) == 0) && ok;
    return ok;
}

/* Bitwise equality of doubles (NaN equals NaN; -0 differs from +0): the
 * round-trip oracles demand the same bits, as the file formats promise. */
static inline int fuzz_same_double(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0 || (a != a && b != b);
}

#endif
