/*
 * alloc_fixture.h -- the fixtures of the allocation unit tests: a spec parsed
 * from text, a number cell found by its column's name, a table of
 * communities c00, c01, ... with two number columns "a" and "b", and the
 * amounts a spec gives such a table.  Before this header test_alloc.c,
 * test_alloc_compare.c and test_alloc_uncertainty.c carried copies of
 * spec_of (test_alloc_settle.c, test_alloc_spec.c and test_alloc_write.c
 * its body), test_alloc_exact.c and test_alloc_round.c of table_ab and
 * amounts_of, and test_alloc.c, test_alloc_project.c and
 * test_alloc_settle.c of cell; af_csv_table, a table from CSV text.
 * Header-only (static inline functions, like model_fixture.h); test code,
 * not part of the library.  Include it after <cmocka.h>: the helpers fail
 * the running test, with the library's message, where a test cannot go on
 * without them.
 */
#ifndef CIV_ALLOC_FIXTURE_H
#define CIV_ALLOC_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "civicast.h"

/* The spec written in `text` (named "t.spec" in messages).  Fails the test
 * with the parser's message and the text when it does not parse.  The
 * caller frees it with civ_alloc_spec_free. */
static inline civ_alloc_spec *af_spec_of(const char *text)
{
    civ_alloc_spec *s = NULL;
    if (civ_alloc_spec_parse(text, strlen(text), "t.spec", &s))
        fail_msg("spec: %s\n%s", civ_last_error_message(), text);
    return s;
}

/* The table in CSV `text`, written to a new file in `dir` (af0.csv, af1.csv, ...) and read back as a user's
 * file is, with `text_columns` (NULL-terminated, may be NULL; e.g. civ_alloc_spec_text_columns) kept as text.
 * Before, test_alloc.c (three times) and test_alloc_workbook.c each had a copy.  The caller frees it with
 * civ_table_free. */
static inline civ_table *af_csv_table(const char *dir, const char *text, const char *const *text_columns)
{
    static int counter;
    char path[600];
    snprintf(path, sizeof path, "%s/af%d.csv", dir, counter++);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    civ_table_read_options opt = {.text_columns = text_columns};
    civ_table *t = NULL;
    assert_int_equal(civ_table_read_csv(path, &opt, &t), CIV_OK);
    return t;
}

/* The number in column `col` of `row`.  Fails the test when t has no such
 * column. */
static inline double af_cell(const civ_table *t, size_t row, const char *col)
{
    size_t c;
    if (civ_table_find_column(t, col, &c))
        fail_msg("no column %s", col);
    return civ_table_number(t, row, c);
}

/* n communities "c00", "c01", ... (ids in byte order = row order) with the
 * number columns "a" (a[i]) and "b" (b[i], or a[i] when b is NULL).  The
 * caller frees it with civ_table_free. */
static inline civ_table *af_table_ab(size_t n, const double *a, const double *b)
{
    civ_table *t = NULL;
    size_t ci, ca, cb;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "unique_id", CIV_COLUMN_TEXT, &ci), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "a", CIV_COLUMN_NUMBER, &ca), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "b", CIV_COLUMN_NUMBER, &cb), CIV_OK);
    assert_int_equal(civ_table_add_rows(t, n, NULL), CIV_OK);
    for (size_t i = 0; i < n; i++) {
        char id[24];
        snprintf(id, sizeof id, "c%02zu", i);
        assert_int_equal(civ_table_set_text(t, i, ci, id), CIV_OK);
        assert_int_equal(civ_table_set_number(t, i, ca, a[i]), CIV_OK);
        assert_int_equal(civ_table_set_number(t, i, cb, b ? b[i] : a[i]), CIV_OK);
    }
    return t;
}

/* Solves the spec written in `spec_text` on the communities t (no
 * forecasts) and leaves the n amounts, in minor units, in out[] in row
 * order.  Fails the test with the library's message when a step fails. */
static inline void af_amounts_of(const char *spec_text, const civ_table *t, size_t n, int64_t *out)
{
    civ_alloc_spec *s = af_spec_of(spec_text);
    civ_alloc_problem *p = NULL;
    civ_alloc_result *r = NULL;
    assert_int_equal(civ_alloc_bind(s, t, NULL, &p), CIV_OK);
    assert_int_equal(civ_alloc_result_create(p, &r), CIV_OK);
    if (civ_alloc_solve(p, r))
        fail_msg("solve: %s", civ_last_error_message());
    assert_int_equal(civ_alloc_result_amounts(p, r, out, n), CIV_OK);
    civ_alloc_result_free(r);
    civ_alloc_problem_free(p);
    civ_alloc_spec_free(s);
}

#endif
