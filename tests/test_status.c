/*
 * test_status.c -- unit tests of the small core modules: status codes and
 * the thread-local last error (error.c; civ_error_unstage, error_restore.c), the string map (strmap.c), the
 * arena (arena.c) and crash-safe output files (atomic_file.c).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "arena.h"
#include "atomic_file.h"
#include "civicast.h"
#include "error.h"
#include "strmap.h"
#include "test_files.h"

/* ---- status and errors --------------------------------------------------- */

static void test_status_names(void **state)
{
    (void)state;
    for (int s = 0; s < CIV_STATUS_COUNT_; s++) {
        assert_string_not_equal(civ_strerror((civ_status)s), "unknown status");
        assert_memory_equal(civ_status_name((civ_status)s), "CIV_", 4);
        for (int t = 0; t < s; t++) {
            assert_string_not_equal(civ_strerror((civ_status)s), civ_strerror((civ_status)t));
            assert_string_not_equal(civ_status_name((civ_status)s), civ_status_name((civ_status)t));
        }
    }
    assert_string_equal(civ_strerror(CIV_OK), "ok");
    assert_string_equal(civ_status_name(CIV_ERR_PARSE), "CIV_ERR_PARSE");
    assert_string_equal(civ_strerror(CIV_ERR_PARSE), "malformed input");
    assert_string_equal(civ_strerror((civ_status)999), "unknown status");
    assert_string_equal(civ_status_name((civ_status)-3), "CIV_ERR_UNKNOWN");
    assert_int_equal(civ_version_number(), CIV_VERSION_NUMBER);
    assert_string_equal(civ_version(), CIV_VERSION_STRING);
}

static void test_error_text(void **state)
{
    (void)state;
    civ_clear_error();
    assert_int_equal(civ_last_error()->status, CIV_OK);
    assert_string_equal(civ_last_error_message(), "");
    civ_where w = {.file = "data/x.csv", .line = 12, .column = 3, .series_id = "社区A", .field = "y"};
    assert_int_equal(civ_fail_at(CIV_ERR_PARSE, &w, "bad number '%s'", "12x"), CIV_ERR_PARSE);
    const civ_error *e = civ_last_error();
    assert_int_equal(e->status, CIV_ERR_PARSE);
    assert_string_equal(e->message, "bad number '12x'");
    assert_string_equal(e->file, "data/x.csv");
    assert_int_equal(e->line, 12);
    assert_int_equal(e->column, 3);
    assert_string_equal(e->text, "data/x.csv:12:3: bad number '12x' (series '社区A', field 'y')");
    assert_ptr_equal(civ_last_error_message(), e->text);
    /* a later success does not clear it */
    char buf[16];
    assert_int_equal(civ_period_format(CIV_FREQ_YEARLY, 0, 2024, buf, sizeof buf), CIV_OK);
    assert_int_equal(civ_last_error()->status, CIV_ERR_PARSE);

    civ_where w2 = {.file = "f.csv", .line = 4};
    civ_fail_at(CIV_ERR_DUPLICATE, &w2, "twice");
    assert_string_equal(civ_last_error()->text, "f.csv:4: twice");
    civ_where w3 = {.file = "f.csv"};
    civ_fail_at(CIV_ERR_IO, &w3, "gone");
    assert_string_equal(civ_last_error()->text, "f.csv: gone");
    civ_fail(CIV_ERR_NUMERIC, "no location %d", 7);
    assert_string_equal(civ_last_error()->text, "no location 7");
    assert_string_equal(civ_last_error()->file, "");
    civ_error_set_series("s1");
    assert_string_equal(civ_last_error()->text, "no location 7 (series 's1')");
    civ_error_set_field("aged60");
    assert_string_equal(civ_last_error()->text, "no location 7 (series 's1', field 'aged60')");
    civ_error copy;
    civ_error_copy(&copy);
    assert_string_equal(copy.text, civ_last_error()->text);
    assert_int_equal(copy.status, CIV_ERR_NUMERIC);
    /* the text stays on one line whatever the parts hold */
    civ_where w4 = {.file = "a\nb.csv", .line = 1, .series_id = "x\ry"};
    civ_fail_at(CIV_ERR_PARSE, &w4, "tab\there");
    assert_null(strpbrk(civ_last_error()->text, "\n\r\t"));
    civ_clear_error();
    assert_int_equal(civ_last_error()->status, CIV_OK);
    assert_int_equal(civ_last_error()->line, 0);
}

static void test_truncation(void **state)
{
    (void)state;
    char dst[8];
    civ_copy_truncated(dst, sizeof dst, "short");
    assert_string_equal(dst, "short");
    civ_copy_truncated(dst, sizeof dst, "exactly"); /* 7 bytes + NUL fits */
    assert_string_equal(dst, "exactly");
    civ_copy_truncated(dst, sizeof dst, "too long!");
    assert_string_equal(dst, "too ...");
    /* never splits a UTF-8 sequence: "社" is 3 bytes */
    civ_copy_truncated(dst, sizeof dst, "a社区社区"); /* "a社" + "..." fits exactly */
    assert_string_equal(dst, "a社...");
    civ_copy_truncated(dst, sizeof dst, "ab社区"); /* the cut would fall inside "社" */
    assert_string_equal(dst, "ab...");
    civ_copy_truncated(dst, sizeof dst, NULL);
    assert_string_equal(dst, "");
    char tiny[3] = "xx";
    civ_copy_truncated(tiny, sizeof tiny, "abcdef");
    assert_string_equal(tiny, "");
    /* long parts are truncated, not overflowed */
    char big[3000];
    memset(big, 'f', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    civ_where w = {.file = big, .line = 1, .column = 1, .series_id = big, .field = big};
    civ_fail_at(CIV_ERR_PARSE, &w, "%s", big);
    const civ_error *e = civ_last_error();
    assert_true(strlen(e->file) < sizeof e->file);
    assert_true(strlen(e->text) < sizeof e->text);
    assert_non_null(strstr(e->file, "..."));
}

static void *other_thread(void *arg)
{
    (void)arg;
    /* a fresh thread starts with no error, and its failures stay its own */
    int clean = civ_last_error()->status == CIV_OK;
    civ_fail(CIV_ERR_DOMAIN, "thread");
    return (void *)(intptr_t)(clean && civ_last_error()->status == CIV_ERR_DOMAIN);
}

static void test_thread_local(void **state)
{
    (void)state;
    civ_fail(CIV_ERR_SPEC, "main");
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, other_thread, NULL), 0);
    void *ok;
    assert_int_equal(pthread_join(th, &ok), 0);
    assert_true((intptr_t)ok);
    assert_int_equal(civ_last_error()->status, CIV_ERR_SPEC);
    assert_string_equal(civ_last_error()->message, "main");
}

/* ---- strmap -------------------------------------------------------------- */

static void test_strmap(void **state)
{
    (void)state;
    civ_strmap map = {0};
    size_t v;
    assert_false(civ_strmap_get(&map, "a", &v)); /* a zeroed map is empty */
    enum { N = 20000 };
    static char keys[N][16];
    for (size_t i = 0; i < N; i++) {
        snprintf(keys[i], sizeof keys[i], "k%zu", i * 31);
        assert_int_equal(civ_strmap_put(&map, keys[i], i, NULL), CIV_OK);
    }
    assert_int_equal(map.count, N);
    assert_true(map.capacity >= 2 * N); /* load factor at most 1/2 */
    assert_int_equal(map.capacity & (map.capacity - 1), 0);
    for (size_t i = 0; i < N; i++) {
        char probe[16];
        snprintf(probe, sizeof probe, "k%zu", i * 31); /* equal text, other storage */
        assert_true(civ_strmap_get(&map, probe, &v));
        assert_int_equal(v, i);
    }
    assert_false(civ_strmap_get(&map, "k1", &v));
    assert_false(civ_strmap_get(&map, "", &v));
    size_t existing = 0;
    civ_clear_error();
    assert_int_equal(civ_strmap_put(&map, "k62", 7, &existing), CIV_ERR_DUPLICATE);
    assert_int_equal(existing, 2);
    assert_int_equal(civ_last_error()->status, CIV_OK); /* duplicates are not recorded */
    assert_int_equal(civ_strmap_put(&map, "", 99, NULL), CIV_OK);
    assert_true(civ_strmap_get(&map, "", &v));
    assert_int_equal(v, 99);
    assert_true(civ_strmap_get(&map, "k0", NULL));
    civ_strmap_free(&map);
    assert_int_equal(map.count, 0);
    assert_null(map.keys);
    civ_strmap_free(&map); /* twice is fine */
    civ_strmap_free(NULL);
    /* FNV-1a test vectors */
    assert_true(civ_hash_string("") == 0xcbf29ce484222325ULL);
    assert_true(civ_hash_string("a") == 0xaf63dc4c8601ec8cULL);
    assert_true(civ_hash_string("foobar") == 0x85944171f73967e8ULL);
}

/* ---- arena --------------------------------------------------------------- */

static void test_arena(void **state)
{
    (void)state;
    civ_arena arena = {0};
    assert_int_equal(civ_arena_capacity(&arena), 0);
    void *first = civ_arena_alloc(&arena, 1);
    assert_non_null(first);
    assert_int_equal((uintptr_t)first % 16, 0);
    void *ptrs[1000];
    for (int i = 0; i < 1000; i++) {
        ptrs[i] = civ_arena_alloc(&arena, (size_t)(i * 37 % 1000) + 1);
        assert_non_null(ptrs[i]);
        assert_int_equal((uintptr_t)ptrs[i] % 16, 0);
        memset(ptrs[i], i & 0xff, (size_t)(i * 37 % 1000) + 1);
    }
    for (int i = 0; i < 1000; i++) /* no two allocations overlap */
        assert_int_equal(((unsigned char *)ptrs[i])[0], i & 0xff);
    double *big = civ_arena_doubles(&arena, 1 << 20); /* bigger than a block */
    assert_non_null(big);
    big[(1 << 20) - 1] = 1.0;
    size_t cap = civ_arena_capacity(&arena);
    assert_true(cap >= (1u << 20) * sizeof(double));
    /* after a reset the same memory serves the same sequence: no new blocks */
    civ_arena_reset(&arena);
    assert_ptr_equal(civ_arena_alloc(&arena, 1), first);
    for (int i = 0; i < 1000; i++)
        assert_ptr_equal(civ_arena_alloc(&arena, (size_t)(i * 37 % 1000) + 1), ptrs[i]);
    assert_non_null(civ_arena_doubles(&arena, 1 << 20));
    assert_int_equal(civ_arena_capacity(&arena), cap);
    assert_null(civ_arena_doubles(&arena, SIZE_MAX / 4));
    assert_non_null(civ_arena_alloc(&arena, 0));
    civ_arena_free(&arena);
    assert_int_equal(civ_arena_capacity(&arena), 0);
    civ_arena_free(&arena);
}

/* ---- atomic files --------------------------------------------------------- */

static char dir[64];

static int make_dir(void **state)
{
    return tf_dir_make(dir, sizeof dir, "/tmp", "civ_test_status_");
}

static int remove_dir(void **state)
{
    return tf_dir_remove(dir);
}

static int count_entries(void)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq", dir);
    for (int n = 0; n < 10; n++) {
        char full[200];
        snprintf(full, sizeof full, "%s %d", cmd, n);
        if (system(full) == 0)
            return n;
    }
    return -1;
}

static void read_back(const char *path, char *buf, size_t size)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    size_t n = fread(buf, 1, size - 1, fp);
    buf[n] = '\0';
    fclose(fp);
}

/* civ_error_unstage: a path under a run's staging folder is named under the user's folder, in the file and the
 * message; a longer name that only starts with the staging folder's is not touched (engine/src/plan/write.c) */
static void test_error_unstage(void **state)
{
    (void)state;
    const char *stage = "d/.out.staging.Ab12Cd";
    civ_where w = {.file = "d/.out.staging.Ab12Cd/charts/a.vl.json"};
    civ_status s = civ_fail_at(CIV_ERR_IO, &w, "write failed: No space left on device");
    assert_int_equal(civ_error_unstage(s, stage, "d/out/"), CIV_ERR_IO);
    assert_string_equal(civ_last_error()->file, "d/out/charts/a.vl.json");
    assert_string_equal(civ_last_error_message(), "d/out/charts/a.vl.json: write failed: No space left on device");
    civ_fail(CIV_ERR_IO, "cannot read 'd/.out.staging.Ab12Cd' nor d/.out.staging.Ab12CdX/f.csv");
    civ_error_unstage(CIV_ERR_IO, stage, "d/out");
    assert_string_equal(civ_last_error_message(), "cannot read 'd/out' nor d/.out.staging.Ab12CdX/f.csv");
    civ_fail(CIV_ERR_IO, "nothing staged here");
    assert_int_equal(civ_error_unstage(CIV_ERR_IO, stage, "d/out"), CIV_ERR_IO);
    assert_string_equal(civ_last_error_message(), "nothing staged here");
    assert_int_equal(civ_error_unstage(CIV_OK, stage, "d/out"), CIV_OK);
}

static void test_atomic_file(void **state)
{
    (void)state;
    char path[128], buf[64];
    snprintf(path, sizeof path, "%s/out.csv", dir);
    civ_atomic_file af;
    assert_int_equal(civ_atomic_open(&af, path), CIV_OK);
    fputs("first\n", af.fp);
    assert_int_equal(access(path, F_OK), -1); /* nothing at the destination yet */
    assert_int_equal(count_entries(), 1);     /* only the temporary file */
    assert_int_equal(civ_atomic_commit(&af), CIV_OK);
    read_back(path, buf, sizeof buf);
    assert_string_equal(buf, "first\n");
    assert_int_equal(count_entries(), 1);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    mode_t mask = umask(0);
    umask(mask);
    assert_int_equal(st.st_mode & 0777, 0666 & ~mask);
    civ_atomic_abort(&af); /* after a commit: harmless */

    /* an aborted write keeps the old file and leaves nothing behind */
    assert_int_equal(civ_atomic_open(&af, path), CIV_OK);
    fputs("second, never committed\n", af.fp);
    civ_atomic_abort(&af);
    civ_atomic_abort(&af);
    read_back(path, buf, sizeof buf);
    assert_string_equal(buf, "first\n");
    assert_int_equal(count_entries(), 1);

    /* reserve: a named temporary for writers that open by name */
    assert_int_equal(civ_atomic_reserve(&af, path), CIV_OK);
    assert_null(af.fp);
    FILE *fp = fopen(af.temp_path, "w");
    assert_non_null(fp);
    fputs("third\n", fp);
    fclose(fp);
    assert_int_equal(civ_atomic_commit(&af), CIV_OK);
    read_back(path, buf, sizeof buf);
    assert_string_equal(buf, "third\n");

    /* errors */
    civ_atomic_file zero;
    memset(&zero, 0, sizeof zero);
    civ_atomic_abort(&zero);
    civ_atomic_abort(NULL);
    char bad[160];
    snprintf(bad, sizeof bad, "%s/missing/out.csv", dir);
    assert_int_equal(civ_atomic_open(&af, bad), CIV_ERR_IO);
    assert_non_null(strstr(civ_last_error()->text, bad));
    snprintf(bad, sizeof bad, "%s/", dir);
    assert_int_equal(civ_atomic_open(&af, bad), CIV_ERR_IO);
    assert_int_equal(civ_atomic_open(&af, ""), CIV_ERR_INVALID_ARGUMENT);
    /* a relative path in the working folder works too (no slash) */
    char cwd[512];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    assert_int_equal(civ_atomic_open(&af, "plain.txt"), CIV_OK);
    assert_int_equal(civ_atomic_commit(&af), CIV_OK);
    assert_int_equal(access("plain.txt", F_OK), 0);
    assert_int_equal(chdir(cwd), 0);
    /* committing over a folder fails and cleans up */
    snprintf(bad, sizeof bad, "%s/sub", dir);
    assert_int_equal(mkdir(bad, 0755), 0);
    char inner[200];
    snprintf(inner, sizeof inner, "%s/x", bad);
    FILE *f2 = fopen(inner, "w");
    assert_non_null(f2);
    fclose(f2);
    assert_int_equal(civ_atomic_open(&af, bad), CIV_OK);
    assert_int_equal(civ_atomic_commit(&af), CIV_ERR_IO);
    assert_int_equal(count_entries(), 3); /* out.csv, plain.txt, sub */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_error_text),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_thread_local),
        cmocka_unit_test(test_strmap),
        cmocka_unit_test(test_arena),
        cmocka_unit_test(test_error_unstage),
        cmocka_unit_test(test_atomic_file),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
