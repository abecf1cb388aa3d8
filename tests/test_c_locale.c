/*
 * test_c_locale.c -- core/c_locale.c: text conversions that do not depend on
 * the host's locale, checked under two real host locales: de_DE (decimal
 * comma: the C library writes and reads "0,5") and tr_TR (the C library lowers
 * 'I' to a dotless ı, so strcasecmp("ARIMA", "arima") != 0).
 *
 * The locales are compiled into the build tree by the `host_locales` test
 * (tests/CMakeLists.txt, Debian's `locales` package) and found through
 * CIV_TEST_LOCPATH; without them the tests fail, naming the cure.  Each test
 * first shows that the host's locale really changes the C library's answer,
 * so it cannot pass for want of a locale.
 */
#include <ctype.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "c_locale.h"
#include "civicast.h"
#include "model.h"
#include "toml.h"

/* Switches the whole process to a host locale from CIV_TEST_LOCPATH. */
static void host_locale(int category, const char *name)
{
    const char *dir = getenv("CIV_TEST_LOCPATH");
    if (!dir || !*dir)
        fail_msg("CIV_TEST_LOCPATH is not set: run this test through ctest (its host_locales fixture compiles "
                 "de_DE and tr_TR with localedef; Debian package `locales`)");
    setenv("LOCPATH", dir, 1);
    if (!setlocale(category, name))
        fail_msg("locale %s not found in %s: run ctest -R host_locales (needs Debian's `locales`)", name, dir);
}

static int back_to_c(void **state)
{
    (void)state;
    setlocale(LC_ALL, "C");
    return 0;
}

/* Under de_DE the C library reads and writes "0,5"; civicast's conversions keep '.', and the host's locale
 * is the same after them (the thread's locale is restored). */
static void test_numbers_under_a_decimal_comma(void **state)
{
    (void)state;
    host_locale(LC_ALL, "de_DE.UTF-8");
    char buf[64];
    snprintf(buf, sizeof buf, "%.1f", 0.5);
    assert_string_equal(buf, "0,5"); /* the hazard is real */

    char *end = NULL;
    assert_true(civ_strtod("0.5", &end) == 0.5);
    assert_int_equal(*end, '\0');
    assert_true(civ_strtod("0,5", &end) == 0.0); /* a comma ends the number, as in "C" */
    assert_int_equal(*end, ',');
    errno = 0;
    assert_true(isinf(civ_strtod("1e999", NULL)));
    assert_int_equal(errno, ERANGE);

    assert_int_equal(civ_snprintf(buf, sizeof buf, "%.2f|%g|%.3e|%a", 1.5, 0.25, 1234.5, 1.0), 26);
    assert_string_equal(buf, "1.50|0.25|1.234e+03|0x1p+0");
    assert_int_equal(civ_snprintf(buf, 4, "%.3f", 2.0), 5); /* truncates and counts as snprintf */
    assert_string_equal(buf, "2.0");

    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(civ_fprintf(f, "%.17g", 0.1), 19);
    rewind(f);
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "0.10000000000000001");

    snprintf(buf, sizeof buf, "%.1f", 0.5);
    assert_string_equal(buf, "0,5"); /* the host's locale is untouched */
    assert_string_equal(localeconv()->decimal_point, ",");
}

/* A scope can bracket calls into another library; scopes nest, and leave restores the host's locale. */
static void test_scope_nests_and_restores(void **state)
{
    (void)state;
    host_locale(LC_ALL, "de_DE.UTF-8");
    char buf[32];
    civ_c_locale_scope outer = civ_c_locale_enter();
    civ_c_locale_scope inner = civ_c_locale_enter();
    snprintf(buf, sizeof buf, "%.1f", 0.5);
    assert_string_equal(buf, "0.5");
    civ_c_locale_leave(inner);
    snprintf(buf, sizeof buf, "%.1f", 0.5);
    assert_string_equal(buf, "0.5");
    civ_c_locale_leave(outer);
    snprintf(buf, sizeof buf, "%.1f", 0.5);
    assert_string_equal(buf, "0,5");
    setlocale(LC_ALL, "C"); /* under "C" a scope is a no-op */
    civ_c_locale_scope none = civ_c_locale_enter();
    assert_null(none.saved);
    civ_c_locale_leave(none);
}

/* Under tr_TR the C library's case folding differs on 'I'; civicast's is ASCII's. */
static void test_case_under_turkish(void **state)
{
    (void)state;
    host_locale(LC_ALL, "tr_TR.UTF-8");
    assert_int_not_equal(tolower('I'), 'i'); /* the hazard is real: strcasecmp("ARIMA", "arima") != 0 (ASan's
                                                own strcasecmp folds ASCII, so the test shows it with tolower) */

    assert_int_equal(civ_ascii_casecmp("ARIMA", "arima"), 0);
    assert_int_equal(civ_ascii_casecmp("SNaive", "snaive"), 0);
    assert_true(civ_ascii_casecmp("arima", "arimax") < 0);
    assert_true(civ_ascii_casecmp("b", "A") > 0);
    assert_int_equal(civ_ascii_ncasecmp("INTERMITTENT", "intermittent demand", 12), 0);
    assert_int_not_equal(civ_ascii_ncasecmp("I", "\xc4\xb1", 1), 0); /* 'I' is not the dotless ı */
    assert_int_equal(civ_ascii_tolower('I'), 'i');
    assert_int_equal(civ_ascii_toupper('i'), 'I');
    assert_int_equal(civ_ascii_tolower(0xC4), 0xC4); /* bytes of UTF-8 characters stay */
    for (int c = 0x80; c < 0x100; c++)
        assert_false(civ_ascii_isspace(c) || civ_ascii_isalpha(c) || civ_ascii_isdigit(c));
    assert_true(civ_ascii_isspace('\t') && civ_ascii_isspace('\r') && civ_ascii_isspace(' '));
    assert_true(civ_ascii_isdigit('7') && civ_ascii_isalpha('z') && !civ_ascii_isalpha('_'));
}

/* What the library builds on them: a model spec in capitals resolves under tr_TR, and a TOML number is
 * read with its '.' under de_DE (both failed before: "unknown model 'ARIMA'", "malformed number '0.5'"). */
static void test_library_under_host_locales(void **state)
{
    (void)state;
    host_locale(LC_ALL, "de_DE.UTF-8");
    host_locale(LC_CTYPE, "tr_TR.UTF-8");
    const civ_model_type *type = NULL;
    _Alignas(16) unsigned char config[CIV_MODEL_CONFIG_MAX];
    const char *specs[] = {"ARIMA(0,1,1)", "SNAIVE", "NAIVE", "COMBO(MEDIAN,ETS,ARIMA,THETA)",
                           "TSB(ALPHA=0.2,BETA=0.1)"};
    for (size_t k = 0; k < sizeof specs / sizeof *specs; k++)
        if (civ_model_resolve(specs[k], &type, config) != CIV_OK)
            fail_msg("spec %s: %s", specs[k], civ_last_error()->message);

    civ_toml_doc doc;
    const char text[] = "threshold = 0.5\nshare = 2.5e-3\n";
    assert_int_equal(civ_toml_parse(text, sizeof text - 1, "host.toml", &doc), CIV_OK);
    assert_true(doc.tables[0].entries[0].value.number == 0.5);
    assert_true(doc.tables[0].entries[1].value.number == 2.5e-3);
    civ_toml_free(&doc);
}

/* A table written and read back under de_DE: the CSV holds "0.1" and "-1234.5", never a decimal comma,
 * and every value reads back bit for bit. */
static void test_csv_round_trip_under_a_decimal_comma(void **state)
{
    (void)state;
    host_locale(LC_ALL, "de_DE.UTF-8");
    const double values[] = {0.1, -1234.5, 1e-300, 6.02214076e23, 1.0 / 3.0};
    const size_t n = sizeof values / sizeof *values;
    civ_table *t = NULL, *back = NULL;
    size_t col = 0, first = 0;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "y", CIV_COLUMN_NUMBER, &col), CIV_OK);
    assert_int_equal(civ_table_add_rows(t, n, &first), CIV_OK);
    for (size_t r = 0; r < n; r++)
        assert_int_equal(civ_table_set_number(t, r, col, values[r]), CIV_OK);
    char path[] = "/tmp/civ_c_locale_XXXXXX.csv";
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(civ_table_write_csv(t, path), CIV_OK);
    char text[256] = "";
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t got = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[got] = '\0';
    assert_non_null(strstr(text, "\n0.1\n-1234.5\n"));
    assert_null(strchr(text, ','));
    assert_int_equal(civ_table_read_csv(path, NULL, &back), CIV_OK);
    for (size_t r = 0; r < n; r++)
        assert_true(civ_table_number(back, r, 0) == values[r]);
    civ_table_free(back);
    civ_table_free(t);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_numbers_under_a_decimal_comma, back_to_c),
        cmocka_unit_test_teardown(test_scope_nests_and_restores, back_to_c),
        cmocka_unit_test_teardown(test_case_under_turkish, back_to_c),
        cmocka_unit_test_teardown(test_library_under_host_locales, back_to_c),
        cmocka_unit_test_teardown(test_csv_round_trip_under_a_decimal_comma, back_to_c),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
