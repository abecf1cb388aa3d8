/*
 * test_regressions.c -- replays every input of tests/fuzz/crashers/<target>/
 * and tests/fuzz/corpus/<target>/ through the fuzz harnesses' own entry
 * points, under the normal build (and the ASan+UBSan one in `make test`).
 *
 * This is how a crasher stays a regression test: the harness sources are
 * included here with CIV_FUZZ_NO_ENTRY (no LLVMFuzzerTestOneInput) and
 * FUZZ_CHECK turned into a cmocka assertion, so the oracles (round trips,
 * money conservation, date round trips) are checked on every replayed file.
 * tests/fuzz/crashers/hdf5-lib/ holds inputs that crash inside libhdf5
 * 1.10.8 itself and is NOT replayed (docs/HOSTILE_INPUTS.md, "HDF5").
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "test_files.h"

#define CIV_FUZZ_NO_ENTRY 1
#define FUZZ_CHECK(cond) assert_true(cond)
#include "../tests/fuzz/fuzz_alloc_spec.c"
#include "../tests/fuzz/fuzz_csv.c"
#include "../tests/fuzz/fuzz_date.c"
#include "../tests/fuzz/fuzz_hdf5.c"
#include "../tests/fuzz/fuzz_model_spec.c"
#include "../tests/fuzz/fuzz_xlsx.c"

#ifndef CIV_SOURCE_DIR
#define CIV_SOURCE_DIR "."
#endif

typedef int (*harness_fn)(const uint8_t *data, size_t size);

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays every regular file of dir (sorted, for a stable order); returns the
 * count.  A missing folder counts 0 (crashers/<t> may be empty). */
static size_t replay_dir(const char *dir, harness_fn fn)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            names = realloc(names, cap * sizeof *names);
            assert_non_null(names);
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, by_name);
    size_t done = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            size_t size;
            /* tf_slurp adds a NUL after the data; the harnesses get size. */
            uint8_t *data = (uint8_t *)tf_slurp(path, &size);
            /* CIV_REPLAY_VERBOSE=1 names each file, to find the one that fails */
            if (getenv("CIV_REPLAY_VERBOSE"))
                print_message("replay %s\n", path);
            fn(data, size);
            free(data);
            done++;
        }
        free(names[i]);
    }
    free(names);
    return done;
}

static void replay_target(const char *target, harness_fn fn, size_t min_corpus)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/%s", CIV_SOURCE_DIR, target);
    size_t corpus = replay_dir(dir, fn);
    snprintf(dir, sizeof dir, "%s/tests/fuzz/crashers/%s", CIV_SOURCE_DIR, target);
    size_t crashers = replay_dir(dir, fn);
    print_message("%s: %zu corpus inputs, %zu crashers replayed\n", target, corpus, crashers);
    /* The seeds are committed: an empty corpus means a broken checkout. */
    assert_true(corpus >= min_corpus);
}

static void test_replay_csv(void **state)
{
    (void)state;
    replay_target("csv", fuzz_csv, 10);
}

static void test_replay_hdf5(void **state)
{
    (void)state;
    replay_target("hdf5", fuzz_hdf5, 3);
}

static void test_replay_alloc_spec(void **state)
{
    (void)state;
    replay_target("alloc_spec", fuzz_alloc_spec, 3);
}

static void test_replay_date(void **state)
{
    (void)state;
    replay_target("date", fuzz_date, 10);
}

static void test_replay_model_spec(void **state)
{
    (void)state;
    replay_target("model_spec", fuzz_model_spec, 20);
}

static void test_replay_xlsx(void **state)
{
    (void)state;
    replay_target("xlsx", fuzz_xlsx, 10);
}

/* The crashers that were real bugs, each with the outcome its fix gives
 * (not only "does not crash"). */
static void test_fixed_crashers_outcomes(void **state)
{
    (void)state;
    /* io/toml.c read "true"/"false" with strncmp past a non-terminated
     * buffer: "x = t" at the very end must be a clean parse error. */
    static const char spec[] = {'x', ' ', '=', ' ', 't'};
    civ_alloc_spec *s = NULL;
    assert_int_equal(civ_alloc_spec_parse(spec, sizeof spec, "t.spec", &s), CIV_ERR_SPEC);
    assert_null(s);

    /* io/hdf5.c trusted a dataset's declared length (2^59 ids) and asked
     * calloc for it: now CIV_ERR_LIMIT before allocating. */
    civ_panel *p = NULL;
    civ_table *t = NULL;
    assert_int_equal(civ_panel_read_hdf5(CIV_SOURCE_DIR "/tests/fuzz/crashers/hdf5/huge_dim", &p), CIV_ERR_LIMIT);
    assert_null(p);
    assert_non_null(strstr(civ_last_error()->message, "limit"));

    /* io/hdf5.c trusted a table's n_rows attribute (2^38 rows) and asked
     * realloc for 2 TiB: now CIV_ERR_LIMIT before allocating, naming the
     * group.  Found by the second one-hour fuzz_hdf5 run. */
    t = NULL;
    assert_int_equal(civ_table_read_hdf5(CIV_SOURCE_DIR "/tests/fuzz/crashers/hdf5/huge_table_rows", &t),
                     CIV_ERR_LIMIT);
    assert_null(t);
    assert_non_null(strstr(civ_last_error()->message, "the table"));
    assert_string_equal(civ_last_error()->field, "/");

    /* csv.c accepted a header name starting with a second BOM (U+FEFF),
     * which looked like "unique_id", did not match it, and lost the BOM on
     * a write and re-read: now CIV_ERR_PARSE at 1:1. */
    t = NULL;
    assert_int_equal(civ_table_read_csv(CIV_SOURCE_DIR "/tests/fuzz/crashers/csv/double_bom", NULL, &t),
                     CIV_ERR_PARSE);
    assert_null(t);
    assert_int_equal(civ_last_error()->line, 1);
    assert_int_equal(civ_last_error()->column, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_csv),
        cmocka_unit_test(test_replay_hdf5),
        cmocka_unit_test(test_replay_alloc_spec),
        cmocka_unit_test(test_replay_date),
        cmocka_unit_test(test_replay_model_spec),
        cmocka_unit_test(test_replay_xlsx),
        cmocka_unit_test(test_fixed_crashers_outcomes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
