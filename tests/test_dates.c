/*
 * test_dates.c -- unit tests of engine/src/core/date.c and freq.c: date
 * parsing into period values (datetimes at midnight too), canonical and
 * styled formatting, the frequency helpers, --freq names, the period of a
 * day, spreadsheet dates ("2019/1/1 0:00"), and the frequency inferred from
 * the spacing of day dates (each case
 * and each refused case), and the calendar (checked day by day against an
 * independent civil-date counter).
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
    expect_bad("44562", "how Excel stores a date (44562 is 2022-01-01)"); /* a date cell saved as its serial */
    expect_bad("45658", "45658 is 2025-01-01");
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
    expect_bad(" 2024", "expected");
    expect_bad("2024-01-05 ", "expected");
    expect_bad("2024-01-05T13:00", "time of day");
    expect_bad("2024-01-05 00:00:01", "time of day");
    expect_bad("2024-01-05 00:00:00.5", "time of day");
    expect_bad("2024-01-05X00:00:00", "expected");
    expect_bad("2024-01-05 25:00:00", "expected");
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
    char text[48], back[48];
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


static void test_datetimes(void **state)
{
    (void)state;
    /* pandas, Excel and databases write datetimes; midnight is a day */
    expect_date("2019-01-01 00:00:00", CIV_DATE_DAY, 17897);
    expect_date("2019-01-01T00:00:00", CIV_DATE_DAY, 17897);
    expect_date("2019-01-01 00:00", CIV_DATE_DAY, 17897);
    expect_date("2019-01-01T00:00:00.000", CIV_DATE_DAY, 17897);
    expect_date("2019-01-01", CIV_DATE_DAY, 17897);
    /* tz-aware timestamps as pandas writes them: the date as written (a local midnight) */
    expect_date("2019-01-01 00:00:00+08:00", CIV_DATE_DAY, 17897);
    expect_date("2019-01-01T00:00:00Z", CIV_DATE_DAY, 17897);
    expect_date("2019-01-01 00:00:00-05:00", CIV_DATE_DAY, 17897);
    expect_date("2019-01-01 00:00+0800", CIV_DATE_DAY, 17897);
    expect_date("2019-01-01T00:00:00.000+08", CIV_DATE_DAY, 17897);
    expect_date("2019/1/1 0:00+08:00", CIV_DATE_DAY, 17897);
    expect_bad("2018-12-31 16:00:00+00:00", "tz_convert");
    expect_bad("2019-01-01 08:00:00+08:00", "time of day in its time zone");
    /* UTC midnights shown in a local zone: the cure converts them back to UTC, not to Asia/Shanghai */
    expect_bad("2019-01-01 08:00:00+08:00", "tz_convert(\"UTC\")");
    expect_bad("2019-01-01 08:00:00+0800", "midnight in UTC shown in the zone +0800");
    expect_bad("2018-12-31 19:00:00-05:00", "tz_convert(\"UTC\")");
    expect_bad("2019-01-01 05:30:00+05:30", "tz_convert(\"UTC\")");
    expect_bad("2018-12-31 16:00:00+00:00", "Asia/Shanghai");
    expect_bad("2019-01-01 09:00:00+08:00", "Asia/Shanghai");
    expect_bad("2019-01-01 00:00:00+8:00", "expected");
    expect_bad("2019-01-01 00:00:00+08:0", "expected");
    expect_bad("2019-01-01 00:00:00 +08:00", "expected");
    expect_bad("2019-01-01+08:00", "expected");
    expect_bad("2019-01-01 00:00:00ZZ", "expected");
    /* pandas Periods as text: quarterly "2024Q1", weekly "first/last day" (read as the first day) */
    expect_date("2024Q1", CIV_DATE_QUARTER, 4 * 2024);
    expect_date("2024q4", CIV_DATE_QUARTER, 4 * 2024 + 3);
    expect_bad("2024Q5", "expected");
    expect_bad("2024Q0", "expected");
    expect_bad("2024Q12", "expected");
    expect_date("2024-01-01/2024-01-07", CIV_DATE_DAY, 19723);
    expect_date("2023-12-25/2023-12-31", CIV_DATE_DAY, 19716);
    expect_bad("2024-01-01/2024-01-08", "read only as a week");
    expect_bad("2024-01-07/2024-01-01", "read only as a week");
    expect_bad("2024-01-01/2024-01-0x", "read only as a week");
    expect_bad("2024-02-30/2024-03-06", "read only as a week");
    expect_bad("2024-01-01/2024-1-7", "expected");
}

/* Dates as spreadsheets write them, year first (Excel's CSV export of a date
 * cell in a Chinese locale is "2019/1/1" or "2019/1/1 0:00"): the same
 * periods as their ISO forms; the time separator is what outputs keep. */
static void test_spreadsheet_dates(void **state)
{
    (void)state;
    expect_date("2019/1/1", CIV_DATE_DAY, 17897);
    expect_date("2019/01/01", CIV_DATE_DAY, 17897);
    expect_date("2019/1/1 0:00", CIV_DATE_DAY, 17897);
    expect_date("2019/1/1 00:00:00", CIV_DATE_DAY, 17897);
    expect_date("2019/1/1T00:00", CIV_DATE_DAY, 17897);
    expect_date("2019-1-1", CIV_DATE_DAY, 17897);
    expect_date("2024-1-05", CIV_DATE_DAY, 19727);
    expect_date("2024/01/05", CIV_DATE_DAY, 19727);
    expect_date("2024-01-05 0:00", CIV_DATE_DAY, 19727);
    expect_date("2024/2/29", CIV_DATE_DAY, 19782);
    expect_date("2024/12/31", CIV_DATE_DAY, 20088);
    expect_date("2024/7", CIV_DATE_MONTH, 12 * 2024 + 6);
    expect_date("2024/07", CIV_DATE_MONTH, 12 * 2024 + 6);
    expect_bad("2024/13/1", "month 13");
    expect_bad("2024/0/1", "month 0");
    expect_bad("2023/2/29", "does not exist");
    expect_bad("2024/1/0", "does not exist");
    expect_bad("2024/1/1 8:00", "time of day");
    expect_bad("2024/1/1 0:00:01", "time of day");
    expect_bad("2024/1/1 0:0", "expected");
    expect_bad("2024/1-1", "expected YYYY/M/D");
    expect_bad("2024/123/1", "expected");
    expect_bad("2024/1/123", "expected");
    expect_bad("2024/1/", "expected");
    expect_bad("2024/", "expected");
    /* a month typed unpadded, as "2019/1" (before: "expected YYYY-M-D") */
    expect_date("2024-1", CIV_DATE_MONTH, 12 * 2024);
    expect_date("2024-9", CIV_DATE_MONTH, 12 * 2024 + 8);
    expect_bad("2024-0", "month 0");
    expect_bad("2024-13-1", "month 13");
    expect_bad("2024-1-", "expected YYYY-M-D");
    expect_bad("2024/1/1x", "expected");
    expect_bad("2024/Q1", "expected");
    expect_bad("1/2/2019", "must start with its year");
    expect_bad("15/01/2019 0:00", "yyyy-mm-dd");
    /* dotted, as Chinese offices write them; "2024.1" is January or Excel's October */
    expect_date("2024.01", CIV_DATE_MONTH, 12 * 2024);
    expect_date("2024.10", CIV_DATE_MONTH, 12 * 2024 + 9);
    expect_date("2024.12", CIV_DATE_MONTH, 12 * 2024 + 11);
    expect_date("2024.2", CIV_DATE_MONTH, 12 * 2024 + 1);
    expect_date("2024.1.5", CIV_DATE_DAY, 19727);
    expect_date("2024.01.05", CIV_DATE_DAY, 19727);
    expect_date("2024.1.5 0:00", CIV_DATE_DAY, 19727);
    expect_bad("2024.1", "January (2024.01) or October (2024.10");
    expect_bad("2024.13", "month 13");
    expect_bad("2024.001", "expected YYYY.MM or YYYY.M.D");
    expect_bad("2024.1-5", "expected YYYY.MM or YYYY.M.D");
    expect_bad("2024.2.30", "does not exist");
    expect_bad("2024,01", "'.' or 年 after the year");
    /* a month or day as an integer (statistics systems, pandas): the form to write (before: "expected '-', ...") */
    expect_bad("201901", "a month written as YYYYMM: write it 2019-01");
    expect_bad("20190115", "a day written as YYYYMMDD: write it 2019-01-15");
    expect_bad("201913", "'.' or 年 after the year");
    /* the time's separator, as outputs keep it */
    assert_int_equal(civ_date_time_separator("2019/1/1 0:00", 13), ' ');
    assert_int_equal(civ_date_time_separator("2019-01-01 00:00:00", 19), ' ');
    assert_int_equal(civ_date_time_separator("2019-01-01T00:00:00", 19), 'T');
    assert_int_equal(civ_date_time_separator("2019/1/1", 8), 0);
    assert_int_equal(civ_date_time_separator("2019-01-01", 10), 0);
    /* only `len` bytes are read */
    assert_int_equal(civ_date_time_separator("2019-01-01 00:00", 10), 0);
}

/* Dates with an English month name, as an English-locale Excel re-saves a
 * ds column of 2025-01: read when the year has four digits, refused with the
 * cause and the cure when it has two or none (before: "expected YYYY, ..."). */
static void test_english_month_names(void **state)
{
    (void)state;
    expect_date("Jan-2025", CIV_DATE_MONTH, 12 * 2025);
    expect_date("January 2025", CIV_DATE_MONTH, 12 * 2025);
    expect_date("JAN 2025", CIV_DATE_MONTH, 12 * 2025);
    expect_date("Sep-2024", CIV_DATE_MONTH, 12 * 2024 + 8);
    expect_date("Sept 2024", CIV_DATE_MONTH, 12 * 2024 + 8);
    expect_date("december 2024", CIV_DATE_MONTH, 12 * 2024 + 11);
    expect_date("1-Jan-2025", CIV_DATE_DAY, 20089);
    expect_date("01-JAN-2025", CIV_DATE_DAY, 20089);
    expect_date("01JAN2025", CIV_DATE_DAY, 20089); /* SAS's DATE9 */
    expect_date("January 1, 2025", CIV_DATE_DAY, 20089);
    expect_date("29-Feb-2024", CIV_DATE_DAY, 19782);
    expect_bad("Jan-25", "Excel's mmm-yy display of a month");
    expect_bad("Jan-25", "format the column as yyyy-mm (Format Cells > Custom)");
    expect_bad("Dec-9", "mmm-yy");
    expect_bad("1-Jan-25", "Excel's d-mmm-yy display of a day");
    expect_bad("1-Jan-25", "format the column as yyyy-mm-dd");
    expect_bad("25-Jan", "d-mmm display of a day, without its year");
    expect_bad("29-Feb-2023", "day 29 does not exist in 2023-02");
    expect_bad("Jan-0000", "year must be");
    expect_bad("Jan-2025-3", "a month name is read in Jan-2025");
    expect_bad("Janu-2025", "expected YYYY"); /* no month name: the general message */
    expect_bad("May", "expected YYYY");
    expect_bad("Jan Feb 2025", "expected YYYY");
}

/* Year-first forms of statistics exports and reports: a month name after the year ("2025-Jan", "2025 January"),
 * the month as statistics offices number it ("2025M01") and a quarter after a space ("2025 Q1")
 * (before: "expected YYYY, YYYY-Qn, ..." or "expected '-', '/', '.' or 年 after the year"). */
static void test_year_first_words(void **state)
{
    (void)state;
    expect_date("2025-Jan", CIV_DATE_MONTH, 12 * 2025);
    expect_date("2025 January", CIV_DATE_MONTH, 12 * 2025);
    expect_date("2025 Jan.", CIV_DATE_MONTH, 12 * 2025);
    expect_date("2024-SEPT", CIV_DATE_MONTH, 12 * 2024 + 8);
    expect_date("2024Dec", CIV_DATE_MONTH, 12 * 2024 + 11);
    expect_date("2025M01", CIV_DATE_MONTH, 12 * 2025);
    expect_date("2025m1", CIV_DATE_MONTH, 12 * 2025);
    expect_date("2024M12", CIV_DATE_MONTH, 12 * 2024 + 11);
    expect_date("2025 Q1", CIV_DATE_QUARTER, 4 * 2025);
    expect_date("2024 q4", CIV_DATE_QUARTER, 4 * 2024 + 3);
    expect_bad("2025M13", "after the year");
    expect_bad("2025M001", "after the year");
    expect_bad("2025 Q5", "after the year");
    expect_bad("2025-Janu", "expected YYYY");
    expect_bad("2025-Jan-01", "expected YYYY");
    expect_bad("2025 Jan 5", "after the year");
}

/* Dates as a Chinese locale writes them (Excel's 2024年7月 and 长日期
 * formats, statistical yearbooks' quarters): the periods of their ISO forms. */
static void test_chinese_dates(void **state)
{
    (void)state;
    expect_date("2024年", CIV_DATE_YEAR, 2024);
    expect_date("2024年7月", CIV_DATE_MONTH, 12 * 2024 + 6);
    expect_date("2024年07月", CIV_DATE_MONTH, 12 * 2024 + 6);
    expect_date("2024年12月", CIV_DATE_MONTH, 12 * 2024 + 11);
    expect_date("2024年1月5日", CIV_DATE_DAY, 19727);
    expect_date("2024年01月05日", CIV_DATE_DAY, 19727);
    expect_date("2024年2月29日", CIV_DATE_DAY, 19782);
    expect_date("2024年第3季度", CIV_DATE_QUARTER, 4 * 2024 + 2);
    expect_date("2024年3季度", CIV_DATE_QUARTER, 4 * 2024 + 2);
    expect_date("2024年第三季度", CIV_DATE_QUARTER, 4 * 2024 + 2);
    expect_date("2024年一季度", CIV_DATE_QUARTER, 4 * 2024);
    expect_date("2024年四季", CIV_DATE_QUARTER, 4 * 2024 + 3);
    expect_date("2024年1季度", CIV_DATE_QUARTER, 4 * 2024);
    expect_bad("2024年13月", "month 13");
    expect_bad("2024年0月", "month 0");
    expect_bad("2023年2月29日", "does not exist");
    expect_bad("2024年1月0日", "does not exist");
    expect_bad("2024年1月5", "expected 2024年, 2024年第1季度, 2024年7月 or 2024年7月15日");
    expect_bad("2024年1", "expected 2024年");
    expect_bad("2024年1月5日 0:00", "expected 2024年");
    expect_bad("2024年第5季度", "expected 2024年");
    expect_bad("2024年第季度", "expected 2024年");
    expect_bad("2024年123月", "expected 2024年");
    expect_bad("2024年7月x", "expected 2024年");
    expect_bad("2024年\xE5", "expected 2024年"); /* a cut character: refused, nothing read past len */
    expect_bad("2024\xE5\xB9", "after the year");
    assert_int_equal(civ_date_time_separator("2024年1月5日", strlen("2024年1月5日")), 0);
}

/* days of a date text */
static int64_t day_of(const char *text)
{
    civ_date_form f;
    int64_t v;
    assert_int_equal(parse(text, &f, &v), CIV_OK);
    assert_int_equal(f, CIV_DATE_DAY);
    return v;
}

static void test_freq_parse(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        civ_frequency freq;
        civ_date_anchor anchor;
        int weekday;
    } ok[] = {
        {"D", CIV_FREQ_DAILY, CIV_ANCHOR_PERIOD, -1},       {"daily", CIV_FREQ_DAILY, CIV_ANCHOR_PERIOD, -1},
        {"W", CIV_FREQ_WEEKLY, CIV_ANCHOR_PERIOD, -1},      {"W-MON", CIV_FREQ_WEEKLY, CIV_ANCHOR_PERIOD, 0},
        {"W-SUN", CIV_FREQ_WEEKLY, CIV_ANCHOR_PERIOD, 6},   {"Weekly", CIV_FREQ_WEEKLY, CIV_ANCHOR_PERIOD, -1},
        {"MS", CIV_FREQ_MONTHLY, CIV_ANCHOR_START, -1},     {"M", CIV_FREQ_MONTHLY, CIV_ANCHOR_END, -1},
        {"ME", CIV_FREQ_MONTHLY, CIV_ANCHOR_END, -1},       {"monthly", CIV_FREQ_MONTHLY, CIV_ANCHOR_PERIOD, -1},
        {"QS", CIV_FREQ_QUARTERLY, CIV_ANCHOR_START, -1},   {"Q", CIV_FREQ_QUARTERLY, CIV_ANCHOR_END, -1},
        {"QE", CIV_FREQ_QUARTERLY, CIV_ANCHOR_END, -1},     {"Q-DEC", CIV_FREQ_QUARTERLY, CIV_ANCHOR_END, -1},
        {"quarterly", CIV_FREQ_QUARTERLY, CIV_ANCHOR_PERIOD, -1}, {"YS", CIV_FREQ_YEARLY, CIV_ANCHOR_START, -1},
        {"Y", CIV_FREQ_YEARLY, CIV_ANCHOR_END, -1},         {"A", CIV_FREQ_YEARLY, CIV_ANCHOR_END, -1},
        {"A-DEC", CIV_FREQ_YEARLY, CIV_ANCHOR_END, -1},     {"YEARLY", CIV_FREQ_YEARLY, CIV_ANCHOR_PERIOD, -1},
        {"annual", CIV_FREQ_YEARLY, CIV_ANCHOR_PERIOD, -1},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        civ_freq_spec f;
        if (civ_freq_parse(ok[i].text, &f) != CIV_OK)
            fail_msg("'%s': %s", ok[i].text, civ_last_error_message());
        assert_int_equal(f.freq, ok[i].freq);
        assert_int_equal(f.anchor, ok[i].anchor);
        assert_int_equal(f.weekday, ok[i].weekday);
    }
    civ_freq_spec f;
    assert_int_equal(civ_freq_parse("", &f), CIV_OK);
    assert_int_equal(f.freq, CIV_FREQ_UNKNOWN);
    assert_int_equal(civ_freq_parse(NULL, &f), CIV_OK);
    assert_int_equal(civ_freq_parse("fortnightly", &f), CIV_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(civ_last_error()->message, "'fortnightly'"));
    assert_non_null(strstr(civ_last_error()->message, "MS"));
    assert_int_equal(civ_freq_parse("ms", &f), CIV_ERR_INVALID_ARGUMENT); /* pandas: milliseconds */
    assert_int_equal(civ_freq_parse("Q-MAR", &f), CIV_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(civ_last_error()->message, "fiscal"));
    assert_int_equal(civ_freq_parse("W-XYZ", &f), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_freq_parse("D", NULL), CIV_ERR_INVALID_ARGUMENT);
}

static void test_date_to_period(void **state)
{
    (void)state;
    int64_t p;
    assert_int_equal(civ_date_to_period(CIV_FREQ_MONTHLY, 0, day_of("2019-03-31"), &p), CIV_OK);
    assert_int_equal(p, 12 * 2019 + 2);
    assert_int_equal(civ_date_to_period(CIV_FREQ_QUARTERLY, 0, day_of("2019-06-30"), &p), CIV_OK);
    assert_int_equal(p, 4 * 2019 + 1);
    assert_int_equal(civ_date_to_period(CIV_FREQ_YEARLY, 0, day_of("2019-12-31"), &p), CIV_OK);
    assert_int_equal(p, 2019);
    assert_int_equal(civ_date_to_period(CIV_FREQ_DAILY, 0, 17, &p), CIV_OK);
    assert_int_equal(p, 17);
    /* weekly: the week ending on the phase weekday (Sunday = phase 3) on or after the day */
    int64_t sun = day_of("2024-01-07"), wed = day_of("2024-01-03"), mon = day_of("2024-01-08");
    assert_int_equal(civ_date_to_period(CIV_FREQ_WEEKLY, 3, sun, &p), CIV_OK);
    assert_int_equal(p * 7 + 3, sun);
    assert_int_equal(civ_date_to_period(CIV_FREQ_WEEKLY, 3, wed, &p), CIV_OK);
    assert_int_equal(p * 7 + 3, sun);
    assert_int_equal(civ_date_to_period(CIV_FREQ_WEEKLY, 3, mon, &p), CIV_OK);
    assert_int_equal(p * 7 + 3, sun + 7);
    assert_int_equal(civ_date_to_period(CIV_FREQ_WEEKLY, 3, -100, &p), CIV_OK); /* before 1970 */
    assert_true(p * 7 + 3 >= -100 && p * 7 + 3 < -100 + 7);
    assert_int_equal(civ_date_to_period(CIV_FREQ_WEEKLY, 7, 0, &p), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_date_to_period(CIV_FREQ_UNKNOWN, 0, 0, &p), CIV_ERR_INVALID_ARGUMENT);
}

static void expect_styled(civ_frequency f, int phase, civ_date_anchor a, char sep, int64_t period, const char *want)
{
    char buf[32];
    civ_date_style st = {a, sep};
    assert_int_equal(civ_period_format_style(f, phase, &st, period, buf, sizeof buf), CIV_OK);
    assert_string_equal(buf, want);
}

static void test_format_style(void **state)
{
    (void)state;
    expect_styled(CIV_FREQ_MONTHLY, 0, CIV_ANCHOR_START, 0, 12 * 2024 + 1, "2024-02-01");
    expect_styled(CIV_FREQ_MONTHLY, 0, CIV_ANCHOR_END, 0, 12 * 2024 + 1, "2024-02-29");
    expect_styled(CIV_FREQ_MONTHLY, 0, CIV_ANCHOR_END, 0, 12 * 2023 + 1, "2023-02-28");
    expect_styled(CIV_FREQ_MONTHLY, 0, CIV_ANCHOR_PERIOD, 0, 12 * 2024 + 1, "2024-02");
    expect_styled(CIV_FREQ_QUARTERLY, 0, CIV_ANCHOR_START, 0, 4 * 2024 + 2, "2024-07-01");
    expect_styled(CIV_FREQ_QUARTERLY, 0, CIV_ANCHOR_END, 0, 4 * 2024 + 2, "2024-09-30");
    expect_styled(CIV_FREQ_YEARLY, 0, CIV_ANCHOR_START, 0, 2024, "2024-01-01");
    expect_styled(CIV_FREQ_YEARLY, 0, CIV_ANCHOR_END, 'T', 2024, "2024-12-31T00:00:00");
    expect_styled(CIV_FREQ_MONTHLY, 0, CIV_ANCHOR_START, ' ', 12 * 2019, "2019-01-01 00:00:00");
    expect_styled(CIV_FREQ_DAILY, 0, CIV_ANCHOR_START, ' ', 17897, "2019-01-01 00:00:00");
    expect_styled(CIV_FREQ_WEEKLY, 3, CIV_ANCHOR_START, 0, (day_of("2024-01-07") - 3) / 7, "2024-01-07");
    char small[12];
    civ_date_style st = {CIV_ANCHOR_START, ' '};
    assert_int_equal(civ_period_format_style(CIV_FREQ_DAILY, 0, &st, 0, small, sizeof small),
                     CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_period_format_style(CIV_FREQ_DAILY, 0, NULL, 0, small, sizeof small), CIV_OK);
    assert_string_equal(small, "1970-01-01");
}

/* Infers from "series|date" pairs; returns the status. */
static civ_status infer(const char *const *rows, size_t n, const char *want_text, civ_frequency *freq, int *phase,
                        civ_date_anchor *anchor)
{
    int64_t days[64];
    size_t series[64];
    const char *ids[] = {"a", "b", "c"};
    for (size_t r = 0; r < n; r++) {
        series[r] = (size_t)(rows[r][0] - 'a');
        days[r] = day_of(rows[r] + 2);
    }
    civ_freq_spec want;
    assert_int_equal(civ_freq_parse(want_text, &want), CIV_OK);
    return civ_dates_infer(days, series, n, 3, ids, &want, freq, phase, anchor);
}

#define INFER_OK(rows, want_text, f, a)                                                                       \
    do {                                                                                                       \
        civ_frequency f_;                                                                                      \
        int p_;                                                                                                \
        civ_date_anchor a_;                                                                                    \
        if (infer(rows, sizeof rows / sizeof rows[0], want_text, &f_, &p_, &a_) != CIV_OK)                    \
            fail_msg("%s: %s", #rows, civ_last_error_message());                                              \
        assert_int_equal(f_, f);                                                                               \
        assert_int_equal(a_, a);                                                                               \
    } while (0)

static void expect_infer_error(const char *const *rows, size_t n, const char *want_text, const char *series,
                               const char *needle)
{
    civ_frequency f;
    int p;
    civ_date_anchor a;
    assert_int_equal(infer(rows, n, want_text, &f, &p, &a), CIV_ERR_FREQUENCY);
    const civ_error *e = civ_last_error();
    if (!strstr(e->message, needle))
        fail_msg("message '%s' lacks '%s'", e->message, needle);
    assert_string_equal(e->series_id, series);
}

static void test_infer(void **state)
{
    (void)state;
    static const char *const month_start[] = {"a 2019-01-01", "a 2019-02-01", "a 2019-03-01", "b 2019-03-01",
                                              "b 2019-05-01", "c 2020-01-01"};
    INFER_OK(month_start, "", CIV_FREQ_MONTHLY, CIV_ANCHOR_START);
    static const char *const month_end[] = {"a 2019-01-31", "a 2019-02-28", "a 2019-03-31", "b 2020-02-29",
                                            "b 2020-03-31"};
    INFER_OK(month_end, "", CIV_FREQ_MONTHLY, CIV_ANCHOR_END);
    static const char *const quarter_start[] = {"a 2019-01-01", "a 2019-04-01", "a 2019-10-01", "b 2020-07-01",
                                                "b 2020-10-01"};
    INFER_OK(quarter_start, "", CIV_FREQ_QUARTERLY, CIV_ANCHOR_START);
    static const char *const quarter_end[] = {"a 2019-03-31", "a 2019-06-30", "a 2019-09-30", "a 2019-12-31"};
    INFER_OK(quarter_end, "", CIV_FREQ_QUARTERLY, CIV_ANCHOR_END);
    static const char *const year_start[] = {"a 2019-01-01", "a 2020-01-01", "b 2018-01-01", "b 2021-01-01"};
    INFER_OK(year_start, "", CIV_FREQ_YEARLY, CIV_ANCHOR_START);
    static const char *const year_end[] = {"a 2019-12-31", "a 2020-12-31", "c 2023-12-31"};
    INFER_OK(year_end, "", CIV_FREQ_YEARLY, CIV_ANCHOR_END);
    static const char *const weekly[] = {"a 2024-01-07", "a 2024-01-14", "a 2024-02-04", "b 2024-01-21"};
    INFER_OK(weekly, "", CIV_FREQ_WEEKLY, CIV_ANCHOR_START);
    static const char *const daily[] = {"a 2024-01-07", "a 2024-01-08", "a 2024-01-10", "b 2024-02-01",
                                        "b 2024-02-02"};
    INFER_OK(daily, "", CIV_FREQ_DAILY, CIV_ANCHOR_START);
    /* a series with one date fits the others */
    static const char *const single_fits[] = {"a 2019-01-01", "a 2019-02-01", "b 2019-07-01"};
    INFER_OK(single_fits, "", CIV_FREQ_MONTHLY, CIV_ANCHOR_START);
    {
        civ_frequency f;
        int p;
        civ_date_anchor a;
        assert_int_equal(infer(weekly, 4, "", &f, &p, &a), CIV_OK);
        assert_int_equal(p, 3); /* Sundays */
        assert_int_equal(civ_dates_infer(NULL, NULL, 0, 0, NULL, NULL, &f, &p, &a), CIV_OK);
        assert_int_equal(f, CIV_FREQ_UNKNOWN); /* no rows */
    }

    /* refused: irregular, disagreeing, ambiguous -- naming the series and the candidates */
    static const char *const two_months[] = {"a 2019-01-01", "a 2019-02-01", "b 2019-01-01", "b 2019-03-01",
                                              "b 2019-07-01"};
    INFER_OK(two_months, "", CIV_FREQ_MONTHLY, CIV_ANCHOR_START); /* b has gaps, a is monthly: gcd is per series */
    static const char *const only_two_months[] = {"a 2019-01-01", "a 2019-03-01", "a 2019-05-01"};
    expect_infer_error(only_two_months, 3, "", "a", "2 months apart");
    expect_infer_error(only_two_months, 3, "", "a", "--freq MS");
    static const char *const fortnight[] = {"a 2024-01-07", "a 2024-01-21", "a 2024-02-04"};
    expect_infer_error(fortnight, 3, "", "a", "14 days apart");
    expect_infer_error(fortnight, 3, "", "a", "--freq W-SUN");
    static const char *const weekly_and_daily[] = {"a 2024-01-07", "a 2024-01-14", "b 2024-01-07",
                                                   "b 2024-01-08"};
    expect_infer_error(weekly_and_daily, 4, "", "b", "one panel holds one frequency");
    static const char *const two_weekdays[] = {"a 2024-01-07", "a 2024-01-14", "b 2024-01-08", "b 2024-01-15"};
    expect_infer_error(two_weekdays, 4, "", "b", "weekly on Mondays");
    static const char *const start_and_end[] = {"a 2019-01-01", "a 2019-02-01", "b 2019-01-31", "b 2019-02-28"};
    expect_infer_error(start_and_end, 4, "", "b", "--freq ME");
    static const char *const all_single[] = {"a 2019-01-01", "b 2019-01-01"};
    expect_infer_error(all_single, 2, "", "a", "single date");
    static const char *const single_off[] = {"a 2019-01-01", "a 2019-02-01", "b 2019-07-15"};
    expect_infer_error(single_off, 3, "", "b", "does not fit");
    static const char *const fiscal[] = {"a 2019-04-01", "a 2020-04-01"};
    expect_infer_error(fiscal, 2, "", "a", "12 months apart");
    /* day dates about a month apart are not daily data with gaps: monthly data dated the 15th, a typo among
     * first-of-month or month-end dates, one date a month on varying days; the hint is monthly, not daily */
    static const char *const mid_month[] = {"a 2024-01-15", "a 2024-02-15", "a 2024-03-15", "a 2024-04-15"};
    expect_infer_error(mid_month, 4, "", "a", "dates on day 15 of their months, about 30 days apart");
    expect_infer_error(mid_month, 4, "", "a", "say which frequency with --freq MS (monthly: each date read as");
    static const char *const typo_start[] = {"a 2019-01-01", "a 2019-02-01", "a 2019-03-01", "b 2019-01-01",
                                             "b 2019-02-01", "b 2019-03-02", "b 2019-04-01"};
    expect_infer_error(typo_start, 7, "", "b", "first-of-month dates but for 2019-03-02 (1 of 4 dates are not), "
                                               "which does not fit series 'a'");
    static const char *const typo_end[] = {"a 2024-01-31", "a 2024-02-28", "a 2024-03-31", "a 2024-04-30"};
    expect_infer_error(typo_end, 4, "", "a", "month-end dates but for 2024-02-28");
    expect_infer_error(typo_end, 4, "", "a", "--freq ME (monthly");
    static const char *const scattered[] = {"a 2024-01-03", "a 2024-02-10", "a 2024-03-20", "a 2024-04-22"};
    expect_infer_error(scattered, 4, "", "a", "dates on varying days about 36 days apart");
    static const char *const mid_quarter[] = {"a 2024-01-15", "a 2024-04-15", "a 2024-07-15"};
    expect_infer_error(mid_quarter, 3, "", "a", "--freq QS (quarterly: each date read as its quarter), --freq MS");
    static const char *const sparse_daily[] = {"a 2024-01-01", "a 2024-01-02", "a 2024-01-20", "a 2024-02-05"};
    expect_infer_error(sparse_daily, 4, "", "a", "dates 1 day apart");
    expect_infer_error(sparse_daily, 4, "", "a", "--freq D (daily)");

    /* --freq overrides inference */
    INFER_OK(only_two_months, "MS", CIV_FREQ_MONTHLY, CIV_ANCHOR_START);
    INFER_OK(only_two_months, "monthly", CIV_FREQ_MONTHLY, CIV_ANCHOR_START);
    INFER_OK(only_two_months, "ME", CIV_FREQ_MONTHLY, CIV_ANCHOR_END);
    INFER_OK(all_single, "QS", CIV_FREQ_QUARTERLY, CIV_ANCHOR_START);
    INFER_OK(month_end, "quarterly", CIV_FREQ_QUARTERLY, CIV_ANCHOR_END);
    INFER_OK(daily, "D", CIV_FREQ_DAILY, CIV_ANCHOR_START);
    INFER_OK(mid_month, "MS", CIV_FREQ_MONTHLY, CIV_ANCHOR_START);
    INFER_OK(typo_end, "ME", CIV_FREQ_MONTHLY, CIV_ANCHOR_END);
    INFER_OK(sparse_daily, "D", CIV_FREQ_DAILY, CIV_ANCHOR_START);
    /* but not finer than the dates' own: monthly dates as days or weeks, weekly ones as days (mostly empty
     * periods, forecast by the finer step); dates with no frequency of their own still take the one asked for */
    expect_infer_error(month_start, 6, "D", "a", "has first-of-month dates 1 month apart, monthly (first-of-period "
                                                 "dates), but the frequency asked for is daily");
    expect_infer_error(month_start, 6, "W", "a", "mostly empty weeks between its values");
    expect_infer_error(month_start, 6, "D", "a", "ask for theirs: --freq MS (monthly)");
    expect_infer_error(year_end, 3, "D", "a", "--freq YE (yearly)");
    expect_infer_error(weekly, 4, "D", "a", "weekly on Sundays, but the frequency asked for is daily");
    INFER_OK(weekly, "W", CIV_FREQ_WEEKLY, CIV_ANCHOR_START);
    INFER_OK(fortnight, "D", CIV_FREQ_DAILY, CIV_ANCHOR_START);
    static const char *const daily_gaps[] = {"a 2024-01-01", "a 2024-01-02", "a 2024-01-09", "a 2024-01-21"};
    INFER_OK(daily_gaps, "", CIV_FREQ_DAILY, CIV_ANCHOR_START); /* a value a week on average: daily */
    {
        civ_frequency f;
        int p;
        civ_date_anchor a;
        assert_int_equal(infer(weekly_and_daily, 4, "W-MON", &f, &p, &a), CIV_OK);
        assert_int_equal(f, CIV_FREQ_WEEKLY);
        assert_int_equal(p, 4); /* Monday */
        assert_int_equal(infer(fortnight, 3, "W", &f, &p, &a), CIV_OK);
        assert_int_equal(p, 3); /* the dates' own weekday */
        assert_int_equal(infer(two_weekdays, 4, "weekly", &f, &p, &a), CIV_OK);
        assert_int_equal(p, 3); /* several weekdays: Sunday, as pandas' W */
    }
    size_t bad_series = 5;
    int64_t d = 0;
    civ_frequency f;
    int p;
    civ_date_anchor a;
    assert_int_equal(civ_dates_infer(&d, &bad_series, 1, 3, NULL, NULL, &f, &p, &a), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_dates_infer(NULL, NULL, 1, 3, NULL, NULL, &f, &p, &a), CIV_ERR_INVALID_ARGUMENT);
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
        cmocka_unit_test(test_datetimes),
        cmocka_unit_test(test_spreadsheet_dates),
        cmocka_unit_test(test_chinese_dates),
        cmocka_unit_test(test_english_month_names),
        cmocka_unit_test(test_year_first_words),
        cmocka_unit_test(test_freq_parse),
        cmocka_unit_test(test_date_to_period),
        cmocka_unit_test(test_format_style),
        cmocka_unit_test(test_infer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
