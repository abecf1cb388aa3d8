/*
 * test_table.c -- unit tests of engine/src/core/table.c: columns of numbers and
 * text, row growth, cell access and its errors, the unique key index.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "civicast.h"

static void test_columns(void **state)
{
    (void)state;
    civ_table *t;
    civ_table_free(NULL);
    assert_int_equal(civ_table_create(NULL), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_table_create(&t), CIV_OK);
    assert_int_equal(civ_table_n_rows(t), 0);
    assert_int_equal(civ_table_n_columns(t), 0);
    size_t c;
    for (int i = 0; i < 20; i++) { /* grows the column array */
        char name[16];
        snprintf(name, sizeof name, "c%d", i);
        assert_int_equal(civ_table_add_column(t, name, i % 2 ? CIV_COLUMN_TEXT : CIV_COLUMN_NUMBER, &c), CIV_OK);
        assert_int_equal(c, (size_t)i);
    }
    assert_int_equal(civ_table_add_column(t, "c3", CIV_COLUMN_NUMBER, NULL), CIV_ERR_DUPLICATE);
    assert_string_equal(civ_last_error()->field, "c3");
    assert_int_equal(civ_table_add_column(t, "", CIV_COLUMN_NUMBER, NULL), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_table_add_column(t, "x", (civ_column_type)7, NULL), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_table_n_columns(t), 20);
    assert_int_equal(civ_table_find_column(t, "c17", &c), CIV_OK);
    assert_int_equal(c, 17);
    assert_string_equal(civ_table_column_name(t, 17), "c17");
    assert_int_equal(civ_table_column_type(t, 17), CIV_COLUMN_TEXT);
    assert_int_equal(civ_table_column_type(t, 16), CIV_COLUMN_NUMBER);
    assert_null(civ_table_column_name(t, 20));
    assert_int_equal(civ_table_column_type(t, 20), 0);
    assert_int_equal(civ_table_find_column(t, "zz", &c), CIV_ERR_NOT_FOUND);
    assert_string_equal(civ_last_error()->field, "zz");
    civ_table_free(t);
}

static void test_rows_and_cells(void **state)
{
    (void)state;
    civ_table *t;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    size_t num, txt, first;
    assert_int_equal(civ_table_add_column(t, "n", CIV_COLUMN_NUMBER, &num), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "s", CIV_COLUMN_TEXT, &txt), CIV_OK);
    assert_int_equal(civ_table_add_rows(t, 3, &first), CIV_OK);
    assert_int_equal(first, 0);
    assert_true(isnan(civ_table_number(t, 2, num)));
    assert_string_equal(civ_table_text(t, 2, txt), "");
    for (size_t r = 0; r < 10000; r++) { /* row growth one at a time */
        assert_int_equal(civ_table_add_rows(t, 1, &first), CIV_OK);
        assert_int_equal(civ_table_set_number(t, first, num, (double)r * 0.5), CIV_OK);
        char s[32];
        snprintf(s, sizeof s, "行%zu", r);
        assert_int_equal(civ_table_set_text(t, first, txt, s), CIV_OK);
    }
    assert_int_equal(civ_table_n_rows(t), 10003);
    const double *col = civ_table_numbers(t, num);
    assert_non_null(col);
    assert_true(col[3 + 999] == 999 * 0.5);
    assert_string_equal(civ_table_text(t, 3 + 4321, txt), "行4321");
    assert_null(civ_table_numbers(t, txt));
    assert_null(civ_table_text(t, 0, num));
    assert_null(civ_table_text(t, 10003, txt));
    assert_true(isnan(civ_table_number(t, 0, txt)));
    assert_true(isnan(civ_table_number(t, 10003, num)));
    /* a column added late gets empty cells for the existing rows */
    size_t late, late_txt;
    assert_int_equal(civ_table_add_column(t, "late", CIV_COLUMN_NUMBER, &late), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "late_txt", CIV_COLUMN_TEXT, &late_txt), CIV_OK);
    assert_true(isnan(civ_table_number(t, 10002, late)));
    assert_string_equal(civ_table_text(t, 10002, late_txt), "");
    assert_int_equal(civ_table_add_rows(t, 5, NULL), CIV_OK);
    assert_true(isnan(civ_table_number(t, 10007, late)));
    /* errors */
    assert_int_equal(civ_table_set_number(t, 0, txt, 1), CIV_ERR_INVALID_ARGUMENT);
    assert_string_equal(civ_last_error()->field, "s");
    assert_int_equal(civ_table_set_text(t, 0, num, "x"), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_table_set_number(t, 10008, num, 1), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_table_set_number(t, 0, 9, 1), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_table_set_number(NULL, 0, 0, 1), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_table_add_rows(NULL, 1, NULL), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_table_add_rows(t, SIZE_MAX, NULL), CIV_ERR_LIMIT);
    /* setting "" or NULL clears a text cell */
    assert_int_equal(civ_table_set_text(t, 5, txt, NULL), CIV_OK);
    assert_string_equal(civ_table_text(t, 5, txt), "");
    civ_table_free(t);
}

static void test_index_and_lookup(void **state)
{
    (void)state;
    civ_table *t;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    size_t key, num, row;
    assert_int_equal(civ_table_add_column(t, "unique_id", CIV_COLUMN_TEXT, &key), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "v", CIV_COLUMN_NUMBER, &num), CIV_OK);
    const size_t n = 5000;
    assert_int_equal(civ_table_add_rows(t, n, NULL), CIV_OK);
    for (size_t r = 0; r < n; r++) {
        char id[32];
        snprintf(id, sizeof id, "id-%zu", (r * 7919) % n);
        assert_int_equal(civ_table_set_text(t, r, key, id), CIV_OK);
    }
    /* lookups without an index scan */
    assert_int_equal(civ_table_lookup(t, key, "id-2919", &row), CIV_OK); /* 7919 mod 5000: row 1 */
    assert_int_equal(row, 1);
    assert_int_equal(civ_table_index(t, key), CIV_OK);
    for (size_t r = 0; r < n; r += 13) {
        char id[32];
        snprintf(id, sizeof id, "id-%zu", (r * 7919) % n);
        assert_int_equal(civ_table_lookup(t, key, id, &row), CIV_OK);
        assert_int_equal(row, r);
    }
    assert_int_equal(civ_table_lookup(t, key, "id-missing", &row), CIV_ERR_NOT_FOUND);
    assert_string_equal(civ_last_error()->series_id, "id-missing");
    assert_int_equal(civ_table_index(t, num), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_table_lookup(t, num, "x", &row), CIV_ERR_INVALID_ARGUMENT);
    /* changing a key cell drops the index; lookups still answer correctly */
    assert_int_equal(civ_table_set_text(t, 10, key, "renamed"), CIV_OK);
    assert_int_equal(civ_table_lookup(t, key, "renamed", &row), CIV_OK);
    assert_int_equal(row, 10);
    /* a duplicate key names both rows */
    assert_int_equal(civ_table_set_text(t, 20, key, "renamed"), CIV_OK);
    assert_int_equal(civ_table_index(t, key), CIV_ERR_DUPLICATE);
    assert_string_equal(civ_last_error()->series_id, "renamed");
    assert_non_null(strstr(civ_last_error()->message, "rows 11 and 21"));
    assert_int_equal(civ_last_error()->line, 22); /* CSV line of the second: header + row 21 */
    assert_int_equal(civ_table_lookup(t, key, "renamed", &row), CIV_OK); /* scan after a failed index */
    assert_int_equal(row, 10);
    civ_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_columns),
        cmocka_unit_test(test_rows_and_cells),
        cmocka_unit_test(test_index_and_lookup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
