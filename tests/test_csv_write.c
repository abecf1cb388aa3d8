/*
 * test_csv_write.c -- unit tests of the CSV writers' options (engine/src/io/
 * csv.c, civ_csv_write_options): the UTF-8 byte-order mark for Excel, the
 * rounding rule of files for people (significant digits, the fewest
 * decimals, whole numbers exact), the defaults still round-tripping, the
 * dispatch by extension keeping HDF5 at full precision, and bad options.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "civicast.h"
#include "csv.h"
#include "test_files.h"

static char tmpdir[64];

static int setup_dir(void **state)
{
    return tf_dir_make(tmpdir, sizeof tmpdir, "/tmp", "civ_test_csvw_");
}

static int remove_dir(void **state)
{
    return tf_dir_remove(tmpdir);
}

static const char *path_of(const char *name)
{
    return tf_path(tmpdir, name);
}

/* The whole file as a NUL-terminated string (static storage). */
static const char *slurp(const char *path)
{
    static char buf[4096];
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return buf;
}

static const char *rounded(double v, int digits, int min_decimals)
{
    static char buf[CIV_CSV_NUMBER_SIZE];
    int n = civ_csv_format_rounded(v, digits, min_decimals, buf);
    assert_true(n >= 0 && n < CIV_CSV_NUMBER_SIZE);
    assert_int_equal((size_t)n, strlen(buf));
    return buf;
}

static void test_rounding_rule(void **state)
{
    (void)state;
    /* the example: a share with 17 significant digits */
    assert_string_equal(rounded(0.0009462143928035982, 6, 0), "0.000946214");
    assert_string_equal(rounded(1161.704613, 6, 0), "1161.7");
    assert_string_equal(rounded(945.613931, 6, 0), "945.614");
    /* whole-number digits are never rounded away */
    assert_string_equal(rounded(12345678.9, 6, 0), "12345679");
    /* money in yuan keeps its fen with min_decimals 2 */
    assert_string_equal(rounded(1234567.89, 6, 2), "1234567.89");
    assert_string_equal(rounded(12.5, 6, 2), "12.5");
    /* whole numbers exactly, whatever the digits (minor units, counts) */
    assert_string_equal(rounded(123456789012345.0, 3, 0), "123456789012345");
    assert_string_equal(rounded(-42.0, 2, 0), "-42");
    /* rounding up across a power of ten; negative values; -0 */
    assert_string_equal(rounded(9.9999996, 6, 0), "10");
    assert_string_equal(rounded(-0.333333333, 3, 0), "-0.333");
    assert_string_equal(rounded(-0.0000001, 6, 2), "-0.0000001");
    assert_string_equal(rounded(-0.0, 6, 0), "0");
    /* tiny and huge magnitudes in exponent form, still within the buffer */
    assert_string_equal(rounded(1.234567e-20, 3, 0), "1.23e-20");
    assert_string_equal(rounded(1.5e300, 4, 0), "1.5e+300");
    /* digits 0 is the full-precision writer */
    assert_string_equal(rounded(0.1 + 0.2, 0, 0), "0.30000000000000004");
    assert_string_equal(rounded(NAN, 6, 0), "");
    char buf[CIV_CSV_NUMBER_SIZE];
    assert_int_equal(civ_csv_format_rounded(INFINITY, 6, 0, buf), -1);
    /* never more significant digits than asked (beyond the whole-number
     * digits), for many values */
    for (int k = 1; k < 2000; k++) {
        double v = (double)k * 0.7310585786300049 / (double)(k % 97 + 1) * pow(10.0, k % 11 - 5);
        const char *t = rounded(v, 6, 0);
        double back = strtod(t, NULL);
        assert_true(fabs(back - v) <= 0.5e-5 * fabs(v) + 1e-300);
    }
}

static civ_table *small_table(void)
{
    civ_table *t = NULL;
    size_t c_name, c_x, c_n;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "name", CIV_COLUMN_TEXT, &c_name), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "share", CIV_COLUMN_NUMBER, &c_x), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "amount", CIV_COLUMN_NUMBER, &c_n), CIV_OK);
    assert_int_equal(civ_table_add_rows(t, 2, NULL), CIV_OK);
    civ_table_set_text(t, 0, c_name, "朝阳区");
    civ_table_set_number(t, 0, c_x, 0.0009462143928035982);
    civ_table_set_number(t, 0, c_n, 123456789.0);
    civ_table_set_text(t, 1, c_name, "海淀区");
    civ_table_set_number(t, 1, c_x, 2.0 / 3.0);
    civ_table_set_number(t, 1, c_n, NAN);
    return t;
}

static void test_table_bom_and_digits(void **state)
{
    (void)state;
    civ_table *t = small_table();
    civ_csv_write_options opt = {.bom = 1, .significant_digits = 6};
    const char *p = path_of("people.csv");
    assert_int_equal(civ_table_write_csv_opts(t, p, &opt), CIV_OK);
    assert_string_equal(slurp(p), "\xEF\xBB\xBFname,share,amount\n"
                                  "朝阳区,0.000946214,123456789\n"
                                  "海淀区,0.666667,\n");
    /* the readers skip the mark: the header is "name", not "\uFEFFname" */
    civ_table *back = NULL;
    size_t col;
    assert_int_equal(civ_table_read_csv(p, NULL, &back), CIV_OK);
    assert_int_equal(civ_table_find_column(back, "name", &col), CIV_OK);
    assert_string_equal(civ_table_text(back, 1, col), "海淀区");
    civ_table_free(back);

    /* the defaults (NULL, or zeroed options) are the program's file */
    const char *q = path_of("program.csv");
    assert_int_equal(civ_table_write_csv_opts(t, q, NULL), CIV_OK);
    assert_string_equal(slurp(q), "name,share,amount\n"
                                  "朝阳区,0.0009462143928035982,123456789\n"
                                  "海淀区,0.6666666666666666,\n");
    civ_csv_write_options zero = {0};
    assert_int_equal(civ_table_write_opts(t, q, &zero), CIV_OK);
    assert_string_equal(slurp(q), "name,share,amount\n"
                                  "朝阳区,0.0009462143928035982,123456789\n"
                                  "海淀区,0.6666666666666666,\n");
    civ_table_free(t);
}

static void test_hdf5_keeps_full_precision(void **state)
{
    (void)state;
    civ_table *t = small_table(), *back = NULL;
    civ_csv_write_options opt = {.bom = 1, .significant_digits = 3};
    const char *p = path_of("t.h5");
    assert_int_equal(civ_table_write_opts(t, p, &opt), CIV_OK);
    assert_int_equal(civ_table_read_hdf5(p, &back), CIV_OK);
    size_t col;
    assert_int_equal(civ_table_find_column(back, "share", &col), CIV_OK);
    assert_true(civ_table_number(back, 1, col) == 2.0 / 3.0);
    civ_table_free(back);
    assert_int_equal(civ_table_write_opts(t, path_of("t.txt"), &opt), CIV_ERR_UNSUPPORTED);
    civ_table_free(t);
}

static void test_panel_bom(void **state)
{
    (void)state;
    civ_panel *p = NULL, *back = NULL;
    const double y[3] = {1.5, 2.0 / 3.0, 10};
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "社区1", 12 * 2024, y, 3, NULL), CIV_OK);
    civ_csv_write_options opt = {.bom = 1};
    const char *path = path_of("panel.csv");
    assert_int_equal(civ_panel_write_opts(p, path, &opt), CIV_OK);
    const char *text = slurp(path);
    assert_memory_equal(text, "\xEF\xBB\xBFunique_id,ds,y\n", 17);
    /* a BOM alone keeps the exact values: the file reads back bit for bit */
    assert_int_equal(civ_panel_read_csv(path, &back), CIV_OK);
    const double *v;
    size_t n;
    assert_int_equal(civ_panel_series(back, 0, &v, &n, NULL), CIV_OK);
    assert_int_equal(n, 3);
    assert_true(v[1] == 2.0 / 3.0);
    civ_panel_free(back);
    opt.significant_digits = 4;
    assert_int_equal(civ_panel_write_csv_opts(p, path, &opt), CIV_OK);
    assert_non_null(strstr(slurp(path), "2024-02,0.6667\n"));
    civ_panel_free(p);
}

static void test_bad_options(void **state)
{
    (void)state;
    civ_table *t = small_table();
    const char *p = path_of("bad.csv");
    civ_csv_write_options opt = {.significant_digits = 18};
    assert_int_equal(civ_table_write_csv_opts(t, p, &opt), CIV_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(civ_last_error_message(), "significant_digits"));
    opt.significant_digits = -1;
    assert_int_equal(civ_table_write_csv_opts(t, p, &opt), CIV_ERR_INVALID_ARGUMENT);
    opt.significant_digits = 6;
    opt.min_decimals = 10;
    assert_int_equal(civ_table_write_csv_opts(t, p, &opt), CIV_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(civ_last_error_message(), "min_decimals"));
    assert_int_equal(access(p, F_OK), -1); /* nothing written */
    assert_int_equal(civ_table_write_csv_opts(NULL, p, NULL), CIV_ERR_INVALID_ARGUMENT);
    civ_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rounding_rule),
        cmocka_unit_test(test_table_bom_and_digits),
        cmocka_unit_test(test_hdf5_keeps_full_precision),
        cmocka_unit_test(test_panel_bom),
        cmocka_unit_test(test_bad_options),
    };
    return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
