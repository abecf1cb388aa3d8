/*
 * test_staging.c -- unit tests of runs as transactions (layer io): staging
 * folders and their publication (staging.c), the signal cleanup registry
 * (cleanup.c), the same-file check (paths.c) and SHA-256 (digest.c, against
 * the FIPS 180-2 vectors).  The kill-at-every-step and signal tests are in
 * tests/cli/transactions.sh (they need a process to kill).
 */
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

#include "civicast.h"
#include "staging.h"

static char root[256];

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/civ_test_staging_XXXXXX");
    return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    civ_cleanup_remove_tree(root);
    return 0;
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* The file's text ("" when missing). */
static const char *get(const char *path)
{
    static char buf[256];
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
    }
    return buf;
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* The number of entries in `dir` whose name starts with `prefix`. */
static int count_prefix(const char *dir, const char *prefix)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -c '^%s' > '%s/.count'", dir, prefix, root);
    (void)system(cmd);
    char path[300];
    snprintf(path, sizeof path, "%s/.count", root);
    int n = atoi(get(path));
    unlink(path);
    return n;
}

static const char *const managed[] = {"a.csv", "b.csv", "charts"};

static void test_publish_folder_new_and_replace(void **state)
{
    (void)state;
    char out[300], p[400];
    snprintf(out, sizeof out, "%s/sub/out", root);
    /* a first run: the folder (and its parents) appear whole */
    civ_staging *st = NULL;
    assert_int_equal(civ_staging_open(out, &st), CIV_OK);
    snprintf(p, sizeof p, "%s/a.csv", civ_staging_dir(st));
    put(p, "old a");
    snprintf(p, sizeof p, "%s/b.csv", civ_staging_dir(st));
    put(p, "old b");
    assert_false(exists(out));
    assert_int_equal(civ_staging_publish_folder(st, out, managed, 3), CIV_OK);
    civ_staging_free(st);
    snprintf(p, sizeof p, "%s/b.csv", out);
    assert_string_equal(get(p), "old b");
    /* the user's own file, then a second run that does not make b.csv */
    snprintf(p, sizeof p, "%s/notes.txt", out);
    put(p, "mine");
    assert_int_equal(civ_staging_open(out, &st), CIV_OK);
    snprintf(p, sizeof p, "%s/a.csv", civ_staging_dir(st));
    put(p, "new a");
    assert_int_equal(civ_staging_publish_folder(st, out, managed, 3), CIV_OK);
    civ_staging_free(st);
    snprintf(p, sizeof p, "%s/a.csv", out);
    assert_string_equal(get(p), "new a");
    snprintf(p, sizeof p, "%s/b.csv", out);
    assert_false(exists(p)); /* stale file of the old set: gone */
    snprintf(p, sizeof p, "%s/notes.txt", out);
    assert_string_equal(get(p), "mine"); /* the user's: kept */
    snprintf(p, sizeof p, "%s/sub", root);
    assert_int_equal(count_prefix(p, ".out.staging"), 0);
}

static void test_abort_keeps_old_set(void **state)
{
    (void)state;
    char out[300], p[400];
    snprintf(out, sizeof out, "%s/keep", root);
    civ_staging *st = NULL;
    assert_int_equal(civ_staging_open(out, &st), CIV_OK);
    snprintf(p, sizeof p, "%s/a.csv", civ_staging_dir(st));
    put(p, "v1");
    assert_int_equal(civ_staging_publish_folder(st, out, managed, 3), CIV_OK);
    civ_staging_free(st);
    assert_int_equal(civ_staging_open(out, &st), CIV_OK);
    snprintf(p, sizeof p, "%s/a.csv", civ_staging_dir(st));
    put(p, "v2");
    civ_staging_free(st); /* the run failed: nothing published, nothing left */
    snprintf(p, sizeof p, "%s/a.csv", out);
    assert_string_equal(get(p), "v1");
    assert_int_equal(count_prefix(root, ".keep.staging"), 0);
}

static void test_foreign_folder_refused(void **state)
{
    (void)state;
    char out[300], p[400];
    snprintf(out, sizeof out, "%s/busy", root);
    snprintf(p, sizeof p, "%s/busy/data", root);
    assert_int_equal(mkdir(out, 0777), 0);
    assert_int_equal(mkdir(p, 0777), 0);
    assert_int_equal(civ_staging_check_folder(out, managed, 3), CIV_ERR_IO);
    assert_non_null(strstr(civ_last_error()->message, "'data'"));
    civ_staging *st = NULL;
    assert_int_equal(civ_staging_open(out, &st), CIV_OK);
    assert_int_equal(civ_staging_publish_folder(st, out, managed, 3), CIV_ERR_IO);
    civ_staging_free(st);
    assert_true(exists(p));
    assert_int_equal(count_prefix(root, ".busy.staging"), 0);
}

static void test_publish_files_and_roll_forward(void **state)
{
    (void)state;
    char a[300], b[300], p[600];
    snprintf(a, sizeof a, "%s/f.csv", root);
    snprintf(b, sizeof b, "%s/r.csv", root);
    put(a, "old f");
    put(b, "old r");
    civ_staging *st = NULL;
    assert_int_equal(civ_staging_open(a, &st), CIV_OK);
    snprintf(p, sizeof p, "%s/0-f.csv", civ_staging_dir(st));
    put(p, "new f");
    snprintf(p, sizeof p, "%s/1-r.csv", civ_staging_dir(st));
    put(p, "new r");
    const char *names[] = {"0-f.csv", "1-r.csv"}, *targets[] = {a, b};
    assert_int_equal(civ_staging_publish_files(st, names, targets, 2), CIV_OK);
    civ_staging_free(st);
    assert_string_equal(get(a), "new f");
    assert_string_equal(get(b), "new r");
    assert_int_equal(count_prefix(root, ".f.csv.staging"), 0);

    /* a dead run that crashed after its first rename: its journal and the
     * second file are left; the next open beside f.csv finishes the set */
    char dead[400];
    snprintf(dead, sizeof dead, "%s/.f.csv.staging.DEAD01", root);
    assert_int_equal(mkdir(dead, 0777), 0);
    snprintf(p, sizeof p, "%s/1-r.csv", dead);
    put(p, "newer r");
    put(a, "newer f"); /* renamed before the crash */
    snprintf(p, sizeof p, "%s/.journal", dead);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fprintf(f, "0-f.csv\t%s\n1-r.csv\t%s\n", a, b);
    fclose(f);
    assert_int_equal(civ_staging_open(a, &st), CIV_OK);
    assert_string_equal(get(b), "newer r");
    assert_false(exists(dead));
    civ_staging_free(st);
    assert_int_equal(count_prefix(root, ".f.csv.staging"), 0);
}

static void test_cleanup_now(void **state)
{
    (void)state;
    char file[300], dir[300], p[400];
    snprintf(file, sizeof file, "%s/tmpfile", root);
    snprintf(dir, sizeof dir, "%s/tmpdir", root);
    put(file, "x");
    assert_int_equal(mkdir(dir, 0777), 0);
    snprintf(p, sizeof p, "%s/charts", dir);
    assert_int_equal(mkdir(p, 0777), 0);
    snprintf(p, sizeof p, "%s/charts/c.json", dir);
    put(p, "{}");
    snprintf(p, sizeof p, "%s/a.csv", dir);
    put(p, "a");
    int s1 = civ_cleanup_register(file, 0), s2 = civ_cleanup_register(dir, 1);
    assert_true(s1 >= 0 && s2 >= 0);
    char kept[300];
    snprintf(kept, sizeof kept, "%s/kept", root);
    put(kept, "k");
    int s3 = civ_cleanup_register(kept, 0);
    civ_cleanup_unregister(s3); /* committed: not removed */
    civ_cleanup_now();
    assert_false(exists(file));
    assert_false(exists(dir));
    assert_true(exists(kept));
    civ_cleanup_unregister(s1);
    civ_cleanup_unregister(s2);
    assert_int_equal(civ_cleanup_register("", 0), -1);
}

static void test_paths_check(void **state)
{
    (void)state;
    char in[300], link_path[300], other[300], rel[300];
    snprintf(in, sizeof in, "%s/in.csv", root);
    snprintf(link_path, sizeof link_path, "%s/link.csv", root);
    snprintf(other, sizeof other, "%s/new.csv", root);
    put(in, "unique_id,ds,y\n");
    assert_int_equal(symlink(in, link_path), 0);
    civ_path_role same_inode[] = {{in, "the input", 0}, {link_path, "--out", 1}};
    assert_int_equal(civ_paths_check(same_inode, 2), CIV_ERR_DUPLICATE);
    assert_non_null(strstr(civ_last_error()->message, "--out is the same file as the input"));
    /* two outputs that do not exist yet, spelled differently */
    snprintf(rel, sizeof rel, "%s/./sub/../new.csv", root);
    civ_path_role two_outs[] = {{in, "the input", 0}, {other, "--out", 1}, {rel, "--report", 1}};
    assert_int_equal(civ_paths_check(two_outs, 3), CIV_ERR_DUPLICATE);
    assert_non_null(strstr(civ_last_error()->message, "--report is the same file as --out"));
    civ_path_role fine[] = {{in, "the input", 0}, {other, "--out", 1}, {NULL, "--fitted", 1}, {"", "--x", 1}};
    assert_int_equal(civ_paths_check(fine, 4), CIV_OK);
    /* two inputs may be the same file */
    civ_path_role inputs[] = {{in, "a", 0}, {link_path, "b", 0}};
    assert_int_equal(civ_paths_check(inputs, 2), CIV_OK);
    assert_int_equal(civ_paths_check(NULL, 1), CIV_ERR_INVALID_ARGUMENT);
}

/* FIPS 180-2 (and NIST's) SHA-256 vectors. */
static void test_sha256_vectors(void **state)
{
    (void)state;
    char hex[65];
    civ_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    civ_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    civ_sha256_hex(two, strlen(two), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* one million 'a', through a file (civ_file_sha256 reads in 64 KiB blocks) */
    char path[300];
    snprintf(path, sizeof path, "%s/million", root);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int k = 0; k < 1000000; k++)
        fputc('a', f);
    fclose(f);
    assert_int_equal(civ_file_sha256(path, hex), CIV_OK);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    snprintf(path, sizeof path, "%s/missing", root);
    assert_int_equal(civ_file_sha256(path, hex), CIV_ERR_IO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_publish_folder_new_and_replace),
        cmocka_unit_test(test_abort_keeps_old_set),
        cmocka_unit_test(test_foreign_folder_refused),
        cmocka_unit_test(test_publish_files_and_roll_forward),
        cmocka_unit_test(test_cleanup_now),
        cmocka_unit_test(test_paths_check),
        cmocka_unit_test(test_sha256_vectors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
