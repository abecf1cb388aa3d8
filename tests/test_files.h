/*
 * test_files.h -- the file helpers of the unit tests: a scratch folder per
 * test program (made with mkdtemp, removed with `rm -rf`), paths inside it,
 * and a whole file read into memory.  Before this header each test carried
 * its own copy (test_alloc.c, test_csv.c, test_report.c and others).
 * Header-only (static inline functions, like arima_fixture_util.h); test
 * code, not part of the library.  Include it after <cmocka.h>: the helpers
 * fail the running test (cmocka's assert_* and fail_msg) where a test cannot
 * go on without them.
 */
#ifndef CIV_TEST_FILES_H
#define CIV_TEST_FILES_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* The folder for scratch files: $TMPDIR when it is set and not empty, else
 * /tmp.  The string is the environment's or a literal: do not free it. */
static inline const char *tf_tmp_root(void)
{
    const char *tmp = getenv("TMPDIR");
    return tmp && *tmp ? tmp : "/tmp";
}

/* Makes a fresh folder "<parent>/<prefix>XXXXXX" (just "<prefix>XXXXXX",
 * relative to the working folder, when parent is NULL) with mkdtemp(3) and
 * leaves its name in dir[size].  Returns 0, or -1 when the name does not fit
 * or mkdtemp fails (the return value of a cmocka setup function). */
static inline int tf_dir_make(char *dir, size_t size, const char *parent, const char *prefix)
{
    int n = parent ? snprintf(dir, size, "%s/%sXXXXXX", parent, prefix) : snprintf(dir, size, "%sXXXXXX", prefix);
    if (n < 0 || (size_t)n >= size)
        return -1;
    return mkdtemp(dir) ? 0 : -1;
}

/* Removes the folder dir and all below it (`rm -rf`).  Returns 0, or -1 when
 * the command fails or the name is too long (the return value of a cmocka
 * teardown function). */
static inline int tf_dir_remove(const char *dir)
{
    char cmd[600];
    int n = snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (n < 0 || (size_t)n >= sizeof cmd)
        return -1;
    return system(cmd) == 0 ? 0 : -1;
}

/* "<dir>/<name>" in static storage that rotates over 8 slots, so up to eight
 * paths can be alive at once (e.g. the arguments of one call).  Not thread
 * safe; do not free.  Fails the test when the path does not fit. */
static inline const char *tf_path(const char *dir, const char *name)
{
    static char buf[8][512];
    static int next;
    char *p = buf[next++ % 8];
    int n = snprintf(p, sizeof buf[0], "%s/%s", dir, name);
    assert_true(n >= 0 && (size_t)n < sizeof buf[0]);
    return p;
}

/* The whole file at path, followed by a NUL byte (not counted in *len), in
 * memory from malloc: the caller frees it.  len may be NULL.  Fails the test,
 * naming the path, when the file cannot be opened or read. */
static inline char *tf_slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        fail_msg("cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    assert_true(n >= 0);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    buf[n] = '\0';
    if (len)
        *len = (size_t)n;
    return buf;
}

/* The text of the member `name` of the zip at `path` (an .xlsx's sheet or styles XML), read with
 * `unzip -p`; malloc'd, the caller frees it; "" when the member is missing.  Fails the test when
 * unzip cannot be started or memory runs out. */
static inline char *tf_zip_member(const char *path, const char *name)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "unzip -p '%s' '%s' 2>/dev/null", path, name);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    for (size_t got; (got = fread(buf + n, 1, cap - n - 1, p)) > 0;) {
        n += got;
        if (cap - n < 2) {
            buf = realloc(buf, cap *= 2);
            assert_non_null(buf);
        }
    }
    pclose(p);
    buf[n] = '\0';
    return buf;
}

#endif
