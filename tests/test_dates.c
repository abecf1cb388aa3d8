/*
 * test_dates.c -- unit tests of engine/src/core/date.c: date parsing into period
 * values, canonical formatting, the frequency helpers, and the calendar
 * (checked day by day against an independent civil-date counter).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "civicast.h"

static civ_status parse(const char *text, civ_date_form *form, int64_t *value)
{
    return civ_date_parse(text, strlen(text), form, value);
}

static void expect_date(const char *text, civ_date_form form, int64_t value)
{
    civ_date_form f = 0;
    int64_t v = -1;
    civ_status s = parse(text, &f, &v);
    if (s)
        print_error("'%s': %s\n", text, civ_last_error_message());
    assert_int_equal(s, CIV_OK);
    assert_int_equal(f, form);
    assert_int_equal(v, value);
}

static void expect_bad(const char *text, const char *why)
{
    civ_date_form f;
    int64_t v;
    civ_clear_error();
    assert_int_equal(parse(text, &f, &v), CIV_ERR_DATE);
    assert_int_equal(civ_last_error()->status, CIV_ERR_DATE);
    if (why && !strstr(civ_last_error()->message, why))
        print_error("'%s': message '%s' lacks '%s'\n", text, civ_last_error()->message, why);
    if (why)
        assert_non_null(strstr(civ_last_error()->message, why));
}

static void test_forms(void **state)
{
    (void)state;
    expect_date("2024", CIV_DATE_YEAR, 2024);
    expect_date("0001", CIV_DATE_YEAR, 1);
    expect_date("2024-Q1", CIV_DATE_QUARTER, 4 * 2024);
    expect_date("2024-q3", CIV_DATE_QUARTER, 4 * 2024 + 2);
    expect_date("2024-07", CIV_DATE_MONTH, 12 * 2024 + 6);
    expect_date("1970-01-01", CIV_DATE_DAY, 0);
    expect_date("1970-01-02", CIV_DATE_DAY, 1);
    expect_date("1969-12-31", CIV_DATE_DAY, -1);
    expect_date("2000-03-01", CIV_DATE_DAY, 11017);
    expect_date("2024-02-29", CIV_DATE_DAY, 19782);
    expect_date("0001-01-01", CIV_DATE_DAY, -719162);
    expect_date("9999-12-31", CIV_DATE_DAY, 2932896);
    /* only `len` bytes are read */
    civ_date_form f;
    int64_t v;
    assert_int_equal(civ_date_parse("2024-07-15xyz", 10, &f, &v), CIV_OK);
    assert_int_equal(f, CIV_DATE_DAY);
    assert_int_equal(civ_date_parse("2024-07-15", 7, &f, &v), CIV_OK);
    assert_int_equal(f, CIV_DATE_MONTH);
}

static void test_bad_dates(void **state)
{
    (void)state;
    expect_bad("", "expected");
    expect_bad("202", "expected");
    expect_bad("0000", "year");
    expect_bad("20240", "'-'");
    expect_bad("2024-", "expected");
    expect_bad("2024-13", "month 13");
    expect_bad("2024-00", "month 0");
    expect_bad("2024-Q0", "quarter");
    expect_bad("2024-Q5", "quarter");
    expect_bad("2023-02-29", "does not exist");
    expect_bad("1900-02-29", "does not exist"); /* not a leap year */
    expect_bad("2024-04-31", "does not exist");
    expect_bad("2024-01-00", "does not exist");
    expect_bad("2024-1-05", "expected");
    expect_bad("2024/01/05", "'-'");
    expect_bad(" 2024", "expected");
    expect_bad("2024-01-05 ", "expected");
    expect_bad("2024-01-05T00:00", "expected");
    expect_bad("2024-0a", "expected");
    expect_bad("abcd", "expected");
    /* long texts are shown truncated, on one line */
    expect_bad("2024-01-01 and a very long tail that goes on and on and on", "...");
    assert_int_equal(civ_date_parse(NULL, 4, NULL, NULL), CIV_ERR_INVALID_ARGUMENT);
}

/* An independent calendar: step one day at a time from 0001-01-01. */
static void next_day(int *y, int *m, int *d)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
    int last = *m == 2 && leap ? 29 : dim[*m - 1];
    if (++*d > last) {
        *d = 1;
        if (++*m > 12) {
            *m = 1;
            ++*y;
        }
    }
}

static void test_every_day_round_trips(void **state)
{
    (void)state;
    int y = 1, m = 1, d = 1;
    char text[16], back[16];
    for (int64_t day = -719162; day <= 2932896; day++) {
        snprintf(text, sizeof text, "%04d-%02d-%02d", y, m, d);
        civ_date_form f;
        int64_t v;
        if (parse(text, &f, &v) != CIV_OK || v != day) {
            print_error("%s: expected day %lld\n", text, (long long)day);
            fail();
        }
        assert_int_equal(civ_period_format(CIV_FREQ_DAILY, 0, day, back, sizeof back), CIV_OK);
        if (strcmp(text, back)) {
            print_error("day %lld: formatted '%s', expected '%s'\n", (long long)day, back, text);
            fail();
        }
        next_day(&y, &m, &d);
    }
    assert_int_equal(y, 10000);
}

static void test_format(void **state)
{
    (void)state;
    char buf[16];
    assert_int_equal(civ_period_format(CIV_FREQ_YEARLY, 0, 2024, buf, sizeof buf), CIV_OK);
    assert_string_equal(buf, "2024");
    assert_int_equal(civ_period_format(CIV_FREQ_QUARTERLY, 0, 4 * 2024 + 3, buf, sizeof buf), CIV_OK);
    assert_string_equal(buf, "2024-Q4");
    assert_int_equal(civ_period_format(CIV_FREQ_MONTHLY, 0, 12 * 2024, buf, sizeof buf), CIV_OK);
    assert_string_equal(buf, "2024-01");
    assert_int_equal(civ_period_format(CIV_FREQ_MONTHLY, 0, 12 * 9999 + 11, buf, sizeof buf), CIV_OK);
    assert_string_equal(buf, "9999-12");
    /* weekly: period = floor(days / 7), the phase is the weekday offset */
    civ_date_form f;
    int64_t day;
    assert_int_equal(parse("2024-07-15", &f, &day), CIV_OK);
    int phase = (int)(((day % 7) + 7) % 7);
    assert_int_equal(civ_period_format(CIV_FREQ_WEEKLY, phase, (day - phase) / 7, buf, sizeof buf), CIV_OK);
    assert_string_equal(buf, "2024-07-15");
    assert_int_equal(civ_period_format(CIV_FREQ_WEEKLY, phase, (day - phase) / 7 + 1, buf, sizeof buf), CIV_OK);
    assert_string_equal(buf, "2024-07-22");
    /* before 1970: negative weeks */
    assert_int_equal(parse("1969-12-24", &f, &day), CIV_OK);
    phase = (int)(((day % 7) + 7) % 7);
    int64_t week = (day - phase) / 7;
    assert_true(week < 0);
    assert_int_equal(civ_period_format(CIV_FREQ_WEEKLY, phase, week, buf, sizeof buf), CIV_OK);
    assert_string_equal(buf, "1969-12-24");
    /* parse -> format round trips for the coarse forms */
    const char *texts[] = {"0001", "9999", "0001-Q1", "1999-Q2", "9999-Q4", "0001-01", "1999-12", "2025-06"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        int64_t v;
        assert_int_equal(parse(texts[i], &f, &v), CIV_OK);
        civ_frequency freq = f == CIV_DATE_YEAR ? CIV_FREQ_YEARLY : f == CIV_DATE_QUARTER ? CIV_FREQ_QUARTERLY
                                                                                           : CIV_FREQ_MONTHLY;
        assert_int_equal(civ_period_format(freq, 0, v, buf, sizeof buf), CIV_OK);
        assert_string_equal(buf, texts[i]);
    }
}

static void test_format_errors(void **state)
{
    (void)state;
    char buf[16], small[10];
    assert_int_equal(civ_period_format(CIV_FREQ_YEARLY, 0, 0, buf, sizeof buf), CIV_ERR_DOMAIN);
    assert_int_equal(civ_period_format(CIV_FREQ_YEARLY, 0, 10000, buf, sizeof buf), CIV_ERR_DOMAIN);
    assert_int_equal(civ_period_format(CIV_FREQ_QUARTERLY, 0, -1, buf, sizeof buf), CIV_ERR_DOMAIN);
    assert_int_equal(civ_period_format(CIV_FREQ_QUARTERLY, 0, 3, buf, sizeof buf), CIV_ERR_DOMAIN); /* year 0 */
    assert_int_equal(civ_period_format(CIV_FREQ_MONTHLY, 0, -12, buf, sizeof buf), CIV_ERR_DOMAIN);
    assert_int_equal(civ_period_format(CIV_FREQ_MONTHLY, 0, 12 * 10000, buf, sizeof buf), CIV_ERR_DOMAIN);
    assert_int_equal(civ_period_format(CIV_FREQ_DAILY, 0, -719163, buf, sizeof buf), CIV_ERR_DOMAIN);
    assert_int_equal(civ_period_format(CIV_FREQ_DAILY, 0, 2932897, buf, sizeof buf), CIV_ERR_DOMAIN);
    assert_int_equal(civ_period_format(CIV_FREQ_WEEKLY, 0, INT64_MAX / 2, buf, sizeof buf), CIV_ERR_DOMAIN);
    assert_int_equal(civ_period_format(CIV_FREQ_UNKNOWN, 0, 1, buf, sizeof buf), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_period_format(CIV_FREQ_DAILY, 0, 1, small, sizeof small), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_period_format(CIV_FREQ_DAILY, 0, 1, NULL, 16), CIV_ERR_INVALID_ARGUMENT);
}

static void test_frequency_helpers(void **state)
{
    (void)state;
    assert_int_equal(civ_frequency_season_length(CIV_FREQ_YEARLY), 1);
    assert_int_equal(civ_frequency_season_length(CIV_FREQ_QUARTERLY), 4);
    assert_int_equal(civ_frequency_season_length(CIV_FREQ_MONTHLY), 12);
    assert_int_equal(civ_frequency_season_length(CIV_FREQ_WEEKLY), 52);
    assert_int_equal(civ_frequency_season_length(CIV_FREQ_DAILY), 7);
    assert_int_equal(civ_frequency_season_length(CIV_FREQ_UNKNOWN), 0);
    assert_string_equal(civ_frequency_name(CIV_FREQ_MONTHLY), "monthly");
    assert_string_equal(civ_frequency_name(CIV_FREQ_WEEKLY), "weekly");
    assert_string_equal(civ_frequency_name((civ_frequency)42), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_bad_dates),
        cmocka_unit_test(test_every_day_round_trips),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_errors),
        cmocka_unit_test(test_frequency_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
