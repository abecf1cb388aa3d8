/*
 * test_model_names.c -- unit tests of the public model names
 * (engine/src/report/model_names.c): civ_model_short_name and
 * civ_model_display_family give the report's short names and families
 * (combinations, damped ETS, trailing words, single models), and report a
 * NULL argument and a buffer that is too small as errors, with the text cut
 * short and the size needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "civicast.h"

static void test_short_names(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"ComboMedian[ETS(A,N,A),ARIMA(2,0,0)(2,0,0)[12] with non-zero mean,Theta]", "Median(ETS, ARIMA, Theta)"},
        {"ComboMedian[ETS(A,N,A),ARIMA(0,1,0),Theta,ETS(A,Ad,A),DOTM]", "Median(ETS, ARIMA, Theta, DampedETS, DOTM)"},
        {"Combo[ETS(A,N,N),Theta]", "Combo(ETS, Theta)"},
        {"ARIMA(1,1,0) with drift", "ARIMA(1,1,0)"},
        {"ETS(M,Ad,M)", "ETS(M,Ad,M)"},
        {"TSB", "TSB"},
    };
    char buf[128];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        assert_int_equal(civ_model_short_name(cases[i][0], buf, sizeof buf), CIV_OK);
        assert_string_equal(buf, cases[i][1]);
    }
}

static void test_display_families(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"ETS(M,Ad,M)", "DampedETS"}, {"ETS(A,Ad,N)", "DampedETS"}, {"ETS(A,N,A)", "ETS"},
        {"ETS(M,Md,N)", "DampedETS"}, {"ARIMA(1,1,0) with drift", "ARIMA"}, {"Theta", "Theta"},
        {"DOTM", "DOTM"},          {"TSB", "TSB"},
    };
    char buf[32];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        assert_int_equal(civ_model_display_family(cases[i][0], buf, sizeof buf), CIV_OK);
        assert_string_equal(buf, cases[i][1]);
    }
}

static void test_errors(void **state)
{
    (void)state;
    char buf[8];
    assert_int_equal(civ_model_short_name(NULL, buf, sizeof buf), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_model_short_name("Theta", NULL, 8), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_model_display_family("Theta", buf, 0), CIV_ERR_INVALID_ARGUMENT);
    /* "Median(ETS, ARIMA, Theta)" needs 26 bytes: cut to 7 characters, the size named */
    assert_int_equal(civ_model_short_name("ComboMedian[ETS(A,N,A),ARIMA(0,1,0),Theta]", buf, sizeof buf),
                     CIV_ERR_LIMIT);
    assert_string_equal(buf, "Median(");
    assert_non_null(strstr(civ_last_error_message(), "at least 26"));
    char nine[9]; /* 9 characters need 10 bytes */
    assert_int_equal(civ_model_display_family("DampedETS", nine, sizeof nine), CIV_ERR_LIMIT);
    assert_string_equal(nine, "DampedET");
    /* exactly enough room: 9 characters and the NUL */
    char room[10];
    assert_int_equal(civ_model_display_family("ETS(A,Ad,N)", room, sizeof room), CIV_OK);
    assert_string_equal(room, "DampedETS");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_names),
        cmocka_unit_test(test_display_families),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
