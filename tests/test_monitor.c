/*
 * test_monitor.c -- indicator monitoring (engine/src/monitor/spec.c,
 * status.c): hand-computed alert sequences (a single miss, two misses that
 * raise, a continued alert through a month without data, a recovery that
 * clears, alert_after = 3), a target path (-30% against the 2023 base by
 * 2024) and a step table, roll-ups (rates weighted by denominators, counts
 * summed and missing when a unit is missing, per-unit count targets scaled),
 * the alert list by department, the panel of series ids, and bad input with
 * file, line and field; indicator values written by their kind
 * (civ_monitor_value_text) and the tables' kind and value_unit columns.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "monitor.h"
#include "test_files.h"

static const char *SPEC =
    "# a comment\n"
    "[monitor]\n"
    "scope = \"community\"\n"
    "rollup = [\"district\"]\n"
    "[[indicator]]\n"
    "id = \"coverage\"\n"
    "name = \"Service coverage\"\n"
    "kind = \"rate\"\n"
    "target = 0.9\n"
    "department = \"Civil Affairs\"\n"
    "[[indicator]]\n"
    "id = \"accidents\"\n"
    "kind = \"count\"\n"
    "better = \"lower\"\n"
    "target_change = -0.30\n"
    "base = \"2023\"\n"
    "by = \"2024\"\n"
    "department = \"Emergency\"\n"
    "[[indicator]]\n"
    "id = \"execution\"\n"
    "target_from = [\"2024-01\", \"2024-07\"]\n"
    "target_values = [0.5, 0.8]\n"
    "alert_after = 3\n"
    "department = \"Finance\"\n"
    "[[indicator]]\n"
    "id = \"incidents\"\n"
    "kind = \"count\"\n"
    "better = \"lower\"\n"
    "target = 5\n"
    "department = \"Emergency\"\n";

static civ_monitor_spec *spec_of(const char *text)
{
    civ_monitor_spec *s = NULL;
    civ_status st = civ_monitor_spec_parse(text, strlen(text), "ind.toml", &s);
    if (st)
        fprintf(stderr, "%s\n", civ_last_error_message());
    assert_int_equal(st, CIV_OK);
    return s;
}

typedef struct arow {
    const char *unit, *district, *ind, *ds;
    double value, den;
} arow;

/* A forecast table of one row (unique_id, ds, mean, lo-80, hi-80), as the early warning reads it. */
static civ_table *one_forecast(const char *id, const char *ds, double mean, double lo, double hi)
{
    civ_table *fc = NULL;
    assert_int_equal(civ_table_create(&fc), CIV_OK);
    const char *names[] = {"unique_id", "ds", "mean", "lo-80", "hi-80"};
    const double v[] = {mean, lo, hi};
    for (int c = 0; c < 5; c++)
        assert_int_equal(civ_table_add_column(fc, names[c], c < 2 ? CIV_COLUMN_TEXT : CIV_COLUMN_NUMBER, NULL),
                         CIV_OK);
    assert_int_equal(civ_table_add_rows(fc, 1, NULL), CIV_OK);
    assert_int_equal(civ_table_set_text(fc, 0, 0, id), CIV_OK);
    assert_int_equal(civ_table_set_text(fc, 0, 1, ds), CIV_OK);
    for (int c = 2; c < 5; c++)
        assert_int_equal(civ_table_set_number(fc, 0, (size_t)c, v[c - 2]), CIV_OK);
    return fc;
}

static civ_table *actuals(const arow *rows, size_t n)
{
    civ_table *t = NULL;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    const char *names[] = {"unit", "district", "indicator", "ds", "value", "denominator"};
    for (int c = 0; c < 6; c++)
        assert_int_equal(civ_table_add_column(t, names[c], c < 4 ? CIV_COLUMN_TEXT : CIV_COLUMN_NUMBER, NULL),
                         CIV_OK);
    assert_int_equal(civ_table_add_rows(t, n, NULL), CIV_OK);
    for (size_t r = 0; r < n; r++) {
        const char *txt[] = {rows[r].unit, rows[r].district, rows[r].ind, rows[r].ds};
        for (int c = 0; c < 4; c++)
            assert_int_equal(civ_table_set_text(t, r, (size_t)c, txt[c]), CIV_OK);
        assert_int_equal(civ_table_set_number(t, r, 4, rows[r].value), CIV_OK);
        assert_int_equal(civ_table_set_number(t, r, 5, rows[r].den), CIV_OK);
    }
    return t;
}

/* The row of the status table for (scope, unit, indicator, ds). */
static size_t status_row(const civ_table *t, const char *scope, const char *unit, const char *ind, const char *ds)
{
    for (size_t r = 0; r < civ_table_n_rows(t); r++)
        if (!strcmp(civ_table_text(t, r, 0), scope) && !strcmp(civ_table_text(t, r, 1), unit) &&
            !strcmp(civ_table_text(t, r, 2), ind) && !strcmp(civ_table_text(t, r, 4), ds))
            return r;
    fail_msg("no status row %s %s %s %s", scope, unit, ind, ds);
    return 0;
}

/* Day dates as pandas' to_csv writes Timestamps ("2024-01-01", "2024-01-01 00:00:00"): month starts, or
 * month ends, are the months; quarter starts 3 months apart are quarters; a day inside a month is refused at
 * its line with the cure.  They were refused as "not a year, quarter or month", while the same data as a
 * DataFrame of Timestamps was read (Python converts them). */
static void test_day_dates(void **state)
{
    (void)state;
    civ_monitor_spec *s = spec_of("[monitor]\nscope = \"community\"\nrollup = [\"district\"]\n[[indicator]]\n"
                                  "id = \"coverage\"\ntarget = 0.9\ndepartment = \"Civil Affairs\"\n");
    static const struct {
        const char *d[3], *want;
        civ_frequency freq;
    } cases[] = {{{"2024-01-01", "2024-02-01 00:00:00", "2024-04-01"}, "2024-04", CIV_FREQ_MONTHLY},
                 {{"2024-01-31", "2024-02-29", "2024-04-30"}, "2024-04", CIV_FREQ_MONTHLY},
                 {{"2024-01-01", "2024-04-01", "2024-10-01"}, "2024-Q4", CIV_FREQ_QUARTERLY},
                 {{"2024-03-31", "2024-06-30", "2024-12-31"}, "2024-Q4", CIV_FREQ_QUARTERLY},
                 {{"2022-01-01", "2023-01-01", "2024-01-01"}, "2024", CIV_FREQ_YEARLY}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        arow rows[3];
        for (int i = 0; i < 3; i++)
            rows[i] = (arow){"C1", "A", "coverage", cases[k].d[i], 0.8, 100};
        civ_table *a = actuals(rows, 3), *st = NULL;
        civ_monitor *m = NULL;
        if (civ_monitor_run(s, a, "a.csv", &m))
            fail_msg("case %zu: %s", k, civ_last_error()->text);
        assert_int_equal(civ_monitor_frequency(m), cases[k].freq);
        assert_int_equal(civ_monitor_status_table(m, &st), CIV_OK);
        size_t r = status_row(st, "community", "C1", "coverage", cases[k].want);
        assert_string_equal(civ_table_text(st, r, 8), "missed");
        civ_table_free(st), civ_table_free(a);
        civ_monitor_free(m);
    }
    arow mid[] = {{"C1", "A", "coverage", "2024-01-01", 0.9, 10}, {"C1", "A", "coverage", "2024-02-15", 0.9, 10}};
    civ_table *a = actuals(mid, 2);
    civ_monitor *m = NULL;
    assert_int_equal(civ_monitor_run(s, a, "a.csv", &m), CIV_ERR_DATE);
    assert_null(m);
    assert_int_equal(civ_last_error()->line, 3);
    assert_string_equal(civ_last_error()->field, "ds");
    assert_non_null(strstr(civ_last_error()->message, "'2024-02-15' is a day inside a month"));
    civ_table_free(a);
    /* a day date with a time of day (midnights moved by a time zone, as pandas writes converted Timestamps):
     * the date parser's reason and cure at the line, not "is not a year, quarter or month" (before 2026-12-06),
     * which sent people to rewrite dates that are read once the time is gone */
    static const struct {
        const char *ds, *says;
    } timed[] = {{"2024-02-01 09:00:00", "ds: date '2024-02-01 09:00:00' has a time of day: civicast periods are "
                                         "days or longer"},
                 {"2024-02-01 08:00:00+08:00", "ds: date '2024-02-01 08:00:00+08:00' has a time of day in its "
                                               "time zone"},
                 {"2024-02-01T08:00:00Z", "has a time of day in its time zone"}};
    for (size_t k = 0; k < sizeof timed / sizeof timed[0]; k++) {
        arow tr[] = {{"C1", "A", "coverage", "2024-01-01", 0.9, 10}, {"C1", "A", "coverage", timed[k].ds, 0.9, 10}};
        a = actuals(tr, 2);
        assert_int_equal(civ_monitor_run(s, a, "a.csv", &m), CIV_ERR_DATE);
        assert_int_equal(civ_last_error()->line, 3);
        assert_string_equal(civ_last_error()->field, "ds");
        if (!strstr(civ_last_error()->message, timed[k].says) || strstr(civ_last_error()->message, "not a year"))
            fail_msg("case %zu: %s", k, civ_last_error()->message);
        civ_table_free(a);
    }
    civ_monitor_spec_free(s);
}

static void test_alert_sequence(void **state)
{
    (void)state;
    civ_monitor_spec *s = spec_of(SPEC);
    /* coverage, target 0.9, alert after 2 misses */
    static const double v[] = {0.95, 0.85, 0.92, 0.80, 0.70, 0.60, NAN, 0.91, 0.89};
    static const char *const want_status[] = {"met", "missed", "met", "missed", "missed",
                                              "missed", "no_data", "met", "missed"};
    static const int want_misses[] = {0, 1, 0, 1, 2, 3, 3, 0, 1};
    static const char *const want_alert[] = {"", "", "", "", "raised", "continued", "continued", "cleared", ""};
    arow rows[9];
    char ds[9][8];
    for (int i = 0; i < 9; i++) {
        snprintf(ds[i], sizeof ds[i], "2024-%02d", i + 1);
        rows[i] = (arow){"C1", "A", "coverage", ds[i], v[i], 100};
    }
    civ_table *a = actuals(rows, 9), *st = NULL;
    civ_monitor *m = NULL;
    assert_int_equal(civ_monitor_run(s, a, "a.csv", &m), CIV_OK);
    assert_int_equal(civ_monitor_frequency(m), CIV_FREQ_MONTHLY);
    assert_int_equal(civ_monitor_status_table(m, &st), CIV_OK);
    for (int i = 0; i < 9; i++) {
        size_t r = status_row(st, "community", "C1", "coverage", ds[i]);
        assert_string_equal(civ_table_text(st, r, 8), want_status[i]);
        assert_true(civ_table_number(st, r, 9) == want_misses[i]);
        assert_string_equal(civ_table_text(st, r, 10), want_alert[i]);
        assert_true(civ_table_number(st, r, 7) == 0.9);
    }
    /* the alert list of 2024-06 has the open alert since 2024-04 */
    civ_table *al = NULL;
    assert_int_equal(civ_monitor_alert_table(m, 12 * 2024 + 5, &al), CIV_OK);
    assert_int_equal(civ_table_n_rows(al), 3); /* the community, its district and the city (same values) */
    assert_string_equal(civ_table_text(al, 0, 0), "Civil Affairs");
    assert_string_equal(civ_table_text(al, 0, 3), "community");
    assert_string_equal(civ_table_text(al, 0, 9), "2024-04");
    assert_string_equal(civ_table_text(al, 0, 10), "continued");
    civ_table_free(al);
    /* the latest month (2024-09): one miss, no alert */
    assert_int_equal(civ_monitor_alert_table(m, CIV_MONITOR_LATEST, &al), CIV_OK);
    assert_int_equal(civ_table_n_rows(al), 0);
    civ_table_free(al);
    assert_int_equal(civ_monitor_alert_table(m, 12 * 2030, &al), CIV_ERR_DOMAIN);
    civ_table_free(st);
    civ_monitor_free(m);
    civ_table_free(a);
    civ_monitor_spec_free(s);
}

static void test_alert_after_three_and_step_table(void **state)
{
    (void)state;
    civ_monitor_spec *s = spec_of(SPEC);
    /* execution: no target in 2023-12; 0.5 from 2024-01; 0.8 from 2024-07; alert after 3 */
    static const char *const ds[] = {"2023-12", "2024-01", "2024-06", "2024-07", "2024-08", "2024-09", "2024-10"};
    static const double v[] = {0.1, 0.4, 0.6, 0.7, 0.75, 0.79, 0.85};
    static const char *const want_status[] = {"no_target", "missed", "met", "missed", "missed", "missed", "met"};
    static const char *const want_alert[] = {"", "", "", "", "", "raised", "cleared"};
    arow rows[7];
    for (int i = 0; i < 7; i++)
        rows[i] = (arow){"C1", "A", "execution", ds[i], v[i], 10};
    civ_table *a = actuals(rows, 7), *st = NULL;
    civ_monitor *m = NULL;
    assert_int_equal(civ_monitor_run(s, a, "a.csv", &m), CIV_OK);
    assert_int_equal(civ_monitor_status_table(m, &st), CIV_OK);
    for (int i = 0; i < 7; i++) {
        size_t r = status_row(st, "community", "C1", "execution", ds[i]);
        assert_string_equal(civ_table_text(st, r, 8), want_status[i]);
        assert_string_equal(civ_table_text(st, r, 10), want_alert[i]);
    }
    size_t r = status_row(st, "community", "C1", "execution", "2024-03"); /* a gap month: no data */
    assert_string_equal(civ_table_text(st, r, 8), "no_data");
    assert_true(civ_table_number(st, r, 7) == 0.5);
    assert_true(civ_table_number(st, status_row(st, "community", "C1", "execution", "2024-07"), 7) == 0.8);
    civ_table_free(st);
    civ_monitor_free(m);
    civ_table_free(a);
    civ_monitor_spec_free(s);
}

static void test_target_path(void **state)
{
    (void)state;
    civ_monitor_spec *s = spec_of(SPEC);
    /* accidents: 2023 months average 10 (8 and 12 alternating) -> the target
     * falls linearly from 10 at 2023-12 to 7 at 2024-12: 10 (1 - 0.3 k/12) */
    arow rows[24];
    char ds[24][8];
    for (int i = 0; i < 24; i++) {
        snprintf(ds[i], sizeof ds[i], "%d-%02d", 2023 + i / 12, i % 12 + 1);
        double v = i < 12 ? (i % 2 ? 12 : 8) : 9.5 - 0.25 * (i - 12);
        rows[i] = (arow){"C1", "A", "accidents", ds[i], v, NAN};
    }
    civ_table *a = actuals(rows, 24), *st = NULL;
    civ_monitor *m = NULL;
    assert_int_equal(civ_monitor_run(s, a, "a.csv", &m), CIV_OK);
    assert_int_equal(civ_monitor_status_table(m, &st), CIV_OK);
    for (int k = 1; k <= 12; k++) {
        size_t r = status_row(st, "community", "C1", "accidents", ds[11 + k]);
        double target = 10.0 * (1.0 - 0.3 * k / 12.0), actual = 9.5 - 0.25 * (k - 1);
        assert_true(fabs(civ_table_number(st, r, 7) - target) < 1e-12);
        assert_string_equal(civ_table_text(st, r, 8), actual <= target + 1e-9 ? "met" : "missed");
    }
    /* the base year has no target: it is what the path is measured against */
    size_t r = status_row(st, "community", "C1", "accidents", "2023-02");
    assert_true(isnan(civ_table_number(st, r, 7)));
    assert_string_equal(civ_table_text(st, r, 8), "no_target");
    /* 2024-01: 9.5 vs 9.75 met; 2024-12: 6.75 vs 7 met; 2024-06: 8.25 vs 8.5 met */
    assert_string_equal(civ_table_text(st, status_row(st, "community", "C1", "accidents", "2024-12"), 8), "met");
    civ_table_free(st);
    civ_monitor_free(m);
    civ_table_free(a);
    civ_monitor_spec_free(s);
}

static void test_rollup_aggregation(void **state)
{
    (void)state;
    civ_monitor_spec *s = spec_of(SPEC);
    arow rows[] = {
        {"C1", "A", "coverage", "2024-01", 0.9, 100},  {"C2", "A", "coverage", "2024-01", 0.5, 300},
        {"C3", "B", "coverage", "2024-01", 1.0, 600},  {"C1", "A", "coverage", "2024-02", 0.8, 100},
        {"C2", "A", "coverage", "2024-02", NAN, NAN},  {"C3", "B", "coverage", "2024-02", 0.95, 200},
        {"C1", "A", "incidents", "2024-01", 3, NAN},   {"C2", "A", "incidents", "2024-01", 4, NAN},
        {"C3", "B", "incidents", "2024-01", 6, NAN},   {"C1", "A", "incidents", "2024-02", 3, NAN},
        {"C2", "A", "incidents", "2024-02", NAN, NAN}, {"C3", "B", "incidents", "2024-02", 2, NAN},
    };
    civ_table *a = actuals(rows, sizeof rows / sizeof rows[0]), *st = NULL;
    civ_monitor *m = NULL;
    assert_int_equal(civ_monitor_run(s, a, "a.csv", &m), CIV_OK);
    assert_int_equal(civ_monitor_status_table(m, &st), CIV_OK);
    /* rates: sum(value x denominator) / sum(denominator) over reporting units */
    size_t r = status_row(st, "district", "A", "coverage", "2024-01");
    assert_true(fabs(civ_table_number(st, r, 5) - (90.0 + 150.0) / 400.0) < 1e-15);
    assert_true(civ_table_number(st, r, 6) == 400.0);
    assert_string_equal(civ_table_text(st, r, 8), "missed");
    r = status_row(st, "district", "A", "coverage", "2024-02"); /* C2 did not report */
    assert_true(fabs(civ_table_number(st, r, 5) - 0.8) < 1e-15);
    r = status_row(st, "city", "city", "coverage", "2024-01");
    assert_true(fabs(civ_table_number(st, r, 5) - (90.0 + 150.0 + 600.0) / 1000.0) < 1e-15);
    /* counts: summed; a missing unit makes the sum missing; per-unit targets scale */
    r = status_row(st, "district", "A", "incidents", "2024-01");
    assert_true(civ_table_number(st, r, 5) == 7.0);
    assert_true(civ_table_number(st, r, 7) == 10.0);
    assert_string_equal(civ_table_text(st, r, 8), "met");
    r = status_row(st, "district", "A", "incidents", "2024-02");
    assert_true(isnan(civ_table_number(st, r, 5)));
    assert_string_equal(civ_table_text(st, r, 8), "no_data");
    r = status_row(st, "city", "city", "incidents", "2024-01");
    assert_true(civ_table_number(st, r, 5) == 13.0);
    assert_true(civ_table_number(st, r, 7) == 15.0);
    /* rows: units, then districts, then the city; 3 + 2 + 1 units x 2 indicators x 2 months */
    assert_int_equal(civ_table_n_rows(st), 24);
    assert_string_equal(civ_table_text(st, 0, 0), "community");
    assert_string_equal(civ_table_text(st, 23, 0), "city");
    /* the panel to forecast */
    civ_panel *p = NULL;
    size_t i;
    assert_int_equal(civ_monitor_panel(m, NULL, 0, &p), CIV_OK);
    assert_int_equal(civ_panel_n_series(p), 12);
    assert_int_equal(civ_panel_find_series(p, "district:A:coverage", &i), CIV_OK);
    assert_int_equal(civ_panel_find_series(p, "city:city:incidents", &i), CIV_OK);
    civ_panel_free(p);
    const char *scopes[] = {"district", "city"};
    assert_int_equal(civ_monitor_panel(m, scopes, 2, &p), CIV_OK);
    assert_int_equal(civ_panel_n_series(p), 6);
    assert_int_equal(civ_panel_find_series(p, "community:C1:coverage", &i), CIV_ERR_NOT_FOUND);
    civ_panel_free(p);
    const char *bad[] = {"street"};
    assert_int_equal(civ_monitor_panel(m, bad, 1, &p), CIV_ERR_NOT_FOUND);
    assert_string_equal(civ_last_error()->field, "street");
    /* the scopes to choose from, by name (--warn-scope district for a file whose roll-up column is 区) */
    assert_non_null(strstr(civ_last_error()->message, "scopes are 'community', 'district', 'city'"));
    civ_table_free(st);
    civ_monitor_free(m);
    civ_table_free(a);
    civ_monitor_spec_free(s);
}

/* A unit added in the last month (a new street) is not a missing member of
 * the months before it: the count roll-ups keep their history, their per-unit
 * targets scale with the units of each month, and a count path's base is per
 * unit (the new unit counts at the average base).  Before, the new unit's
 * empty history blanked every earlier count roll-up (no_data, no target, no
 * alert) without a word. */
/* Units and districts with numeric codes of different lengths come out in
 * natural order (2, 9, 10; district 9 before 10), as people read them, not
 * as text (10 before 2); the same order on every run. */
static void test_natural_unit_order(void **state)
{
    (void)state;
    civ_monitor_spec *s = spec_of(SPEC);
    arow rows[] = {
        {"310101010", "10", "incidents", "2024-01", 1, NAN}, {"310101002", "9", "incidents", "2024-01", 2, NAN},
        {"310101009", "9", "incidents", "2024-01", 3, NAN},  {"31010110", "10", "incidents", "2024-01", 4, NAN},
    };
    civ_table *a = actuals(rows, 4), *st = NULL;
    civ_monitor *m = NULL;
    assert_int_equal(civ_monitor_run(s, a, "a.csv", &m), CIV_OK);
    assert_int_equal(civ_monitor_status_table(m, &st), CIV_OK);
    const char *want[] = {"31010110", "310101002", "310101009", "310101010", "9", "10", "city"};
    assert_int_equal(civ_table_n_rows(st), 7);
    for (size_t r = 0; r < 7; r++)
        assert_string_equal(civ_table_text(st, r, 1), want[r]);
    civ_table_free(st);
    civ_monitor_free(m);
    civ_table_free(a);
    civ_monitor_spec_free(s);
}

static void test_unit_added_later(void **state)
{
    (void)state;
    civ_monitor_spec *s = spec_of(SPEC);
    arow rows[64];
    char ds[25][8];
    size_t n = 0;
    for (int i = 0; i < 25; i++) { /* 2023-01 .. 2025-01 */
        snprintf(ds[i], sizeof ds[i], "%d-%02d", 2023 + i / 12, i % 12 + 1);
        /* accidents: base 2023 = 10 per unit; 2024 at 9 each, so each unit meets the path
         * 10 (1 - 0.3 k/12), taken as the whole accidents it allows, until 2024-07 (8.25 -> 9) and misses
         * from 2024-08 (8) on; the district, 18, meets until 2024-05 (17.5 -> 18) and misses from 2024-06 */
        rows[n++] = (arow){"C1", "A", "accidents", ds[i], i < 12 ? 10 : 9, NAN};
        rows[n++] = (arow){"C2", "A", "accidents", ds[i], i < 12 ? 10 : 9, NAN};
        if (i >= 23) /* incidents: 2 units from 2024-12, a third (C3) joins in 2025-01 */
            for (int u = 0; u < (i == 24 ? 3 : 2); u++)
                rows[n++] = (arow){u == 0 ? "C1" : u == 1 ? "C2" : "C3", "A", "incidents", ds[i], 4, NAN};
    }
    rows[n++] = (arow){"C3", "A", "accidents", ds[24], 9, NAN};
    civ_table *a = actuals(rows, n), *st = NULL;
    civ_monitor *m = NULL;
    assert_int_equal(civ_monitor_run(s, a, "a.csv", &m), CIV_OK);
    assert_int_equal(civ_monitor_status_table(m, &st), CIV_OK);
    /* the district's history is the sum of its two streets, with its target and its alert */
    size_t r = status_row(st, "district", "A", "accidents", "2023-06");
    assert_true(civ_table_number(st, r, 5) == 20.0);
    r = status_row(st, "district", "A", "accidents", "2024-06");
    assert_true(civ_table_number(st, r, 5) == 18.0);
    assert_true(fabs(civ_table_number(st, r, 7) - 20.0 * (1 - 0.3 * 6 / 12.0)) < 1e-9);
    assert_string_equal(civ_table_text(st, r, 8), "missed");
    /* 2024-05: 18 against 17.5, which allows 18 whole accidents (a count's target is whole, rounded in the
     * lenient direction): met; the alert is raised at the second miss, 2024-07 (18 against 16.5 -> 17) */
    r = status_row(st, "district", "A", "accidents", "2024-05");
    assert_true(fabs(civ_table_number(st, r, 7) - 18.0) <= 1e-9);
    assert_string_equal(civ_table_text(st, r, 8), "met");
    assert_string_equal(civ_table_text(st, status_row(st, "district", "A", "accidents", "2024-07"), 10), "raised");
    /* 2025-01: three streets, 27 against three units' worth of the full change: 3 x 10 x 0.7 = 21 */
    r = status_row(st, "district", "A", "accidents", "2025-01");
    assert_true(civ_table_number(st, r, 5) == 27.0);
    assert_true(fabs(civ_table_number(st, r, 7) - 21.0) < 1e-9);
    assert_string_equal(civ_table_text(st, r, 10), "continued");
    r = status_row(st, "city", "city", "accidents", "2024-12");
    assert_true(civ_table_number(st, r, 5) == 18.0);
    /* the new street itself: no row before 2025-01 (not_started: it was not asked to report then; it
     * was no_data, counted and listed as a street that sent nothing in those months) and no base of its
     * own (no_target) */
    assert_string_equal(civ_table_text(st, status_row(st, "community", "C3", "accidents", "2024-12"), 8),
                        "not_started");
    assert_string_equal(civ_table_text(st, status_row(st, "community", "C3", "accidents", "2023-01"), 8),
                        "not_started");
    assert_string_equal(civ_table_text(st, status_row(st, "community", "C3", "accidents", "2025-01"), 8),
                        "no_target");
    /* a constant count target scales with the units of each month: 2 x 5, then 3 x 5 */
    r = status_row(st, "district", "A", "incidents", "2024-12");
    assert_true(civ_table_number(st, r, 5) == 8.0 && civ_table_number(st, r, 7) == 10.0);
    r = status_row(st, "district", "A", "incidents", "2025-01");
    assert_true(civ_table_number(st, r, 5) == 12.0 && civ_table_number(st, r, 7) == 15.0);
    /* before any unit reported it, the roll-up has neither a value nor a target */
    r = status_row(st, "district", "A", "incidents", "2024-06");
    assert_true(isnan(civ_table_number(st, r, 5)) && isnan(civ_table_number(st, r, 7)));
    assert_string_equal(civ_table_text(st, r, 8), "not_started");
    /* from its first member's row on, the roll-up is judged */
    assert_string_equal(civ_table_text(st, status_row(st, "district", "A", "incidents", "2024-12"), 8), "met");
    civ_table_free(st);
    civ_monitor_free(m);
    civ_table_free(a);
    civ_monitor_spec_free(s);
}

/* Actuals for the closed-unit tests: C1 and C2 in district A, C3 alone in district B, 2023-01 .. 2024-12;
 * C2 has no value from 2024-07 (a row with an empty value in 2024-07, none after), C3 none from 2024-10
 * (plus `extra`, a value C2 should not have).  accidents (path -30% from 2023 by 2024, whole accidents): C1 10
 * then 9, C2 10 throughout, so C2 misses from 2024-04 (9 allowed) and its alert is open when it closes. */
static civ_table *closing_actuals(int extra)
{
    static arow rows[160];
    static char ds[24][8];
    size_t n = 0;
    for (int i = 0; i < 24; i++) {
        snprintf(ds[i], sizeof ds[i], "%d-%02d", 2023 + i / 12, i % 12 + 1);
        rows[n++] = (arow){"C1", "A", "accidents", ds[i], i < 12 ? 10 : 9, NAN};
        rows[n++] = (arow){"C1", "A", "coverage", ds[i], 0.95, 100};
        if (i < 18)
            rows[n++] = (arow){"C2", "A", "accidents", ds[i], 10, NAN};
        if (i == 18)
            rows[n++] = (arow){"C2", "A", "accidents", ds[i], NAN, NAN};
        if (i < 21)
            rows[n++] = (arow){"C3", "B", "coverage", ds[i], 0.85, 50};
    }
    if (extra)
        rows[n++] = (arow){"C2", "A", "accidents", "2024-09", 3, NAN};
    return actuals(rows, n);
}

static civ_status spec_err(const char *text, long line, const char *field);

static const char *CLOSED = "[[closed]]\n"
                            "unit = \"C2\"\n"
                            "from = \"2024-07\"\n"
                            "into = \"C1\"\n"
                            "note = \"区划调整：并入C1\"\n"
                            "[[closed]]\n"
                            "unit = \"C3\"\n"
                            "from = \"2024-Q4\"\n";

/* A unit closed from a period on ([[closed]], docs/MONITORING.md "Units that close"): its periods from then on
 * are "closed", not no_data; the alert open when it closed ends in a row saying so ("closed"), not continued for
 * ever; its roll-ups stop expecting it (a count roll-up sums the units left, against their targets, instead of
 * being missing); a roll-up whose every unit closed is closed; the early-warning panel leaves closed series out.
 * Before, the file could not say it ("unknown section [closed]") and C2's months were no_data for ever. */
static void test_unit_closed(void **state)
{
    (void)state;
    char text[4096];
    snprintf(text, sizeof text, "%s%s", SPEC, CLOSED);
    civ_monitor_spec *s = spec_of(text);
    civ_table *a = closing_actuals(0), *st = NULL, *al = NULL;
    civ_monitor *m = NULL;
    assert_int_equal(civ_monitor_run(s, a, "a.csv", &m), CIV_OK);
    assert_int_equal(civ_monitor_status_table(m, &st), CIV_OK);
    size_t r = status_row(st, "community", "C2", "accidents", "2024-05");
    assert_string_equal(civ_table_text(st, r, 8), "missed");
    assert_string_equal(civ_table_text(st, r, 10), "raised");
    assert_string_equal(civ_table_text(st, status_row(st, "community", "C2", "accidents", "2024-06"), 10),
                        "continued");
    r = status_row(st, "community", "C2", "accidents", "2024-07");
    assert_string_equal(civ_table_text(st, r, 8), "closed");
    assert_string_equal(civ_table_text(st, r, 10), "closed"); /* the open alert ends with the street, said */
    assert_true(civ_table_number(st, r, 9) == 0.0 && isnan(civ_table_number(st, r, 7)));
    /* ... with where it went and why ([[closed]] into and note: read, checked and shown nowhere before) */
    size_t c_into, c_note;
    assert_int_equal(civ_table_find_column(st, "into", &c_into), CIV_OK);
    assert_int_equal(civ_table_find_column(st, "note", &c_note), CIV_OK);
    assert_true(c_into == 12 && c_note == 13); /* after name: the columns before keep their places */
    assert_string_equal(civ_table_text(st, r, c_into), "C1");
    assert_string_equal(civ_table_text(st, r, c_note), "区划调整：并入C1");
    r = status_row(st, "community", "C2", "accidents", "2024-06"); /* before it closed: nothing */
    assert_string_equal(civ_table_text(st, r, c_into), "");
    assert_string_equal(civ_table_text(st, r, c_note), "");
    r = status_row(st, "community", "C3", "coverage", "2024-11"); /* closed without into or note */
    assert_string_equal(civ_table_text(st, r, 8), "closed");
    assert_string_equal(civ_table_text(st, r, c_into), "");
    assert_string_equal(civ_table_text(st, r, c_note), "");
    r = status_row(st, "district", "B", "coverage", "2024-11"); /* a roll-up closed with its units: its own row */
    assert_string_equal(civ_table_text(st, r, c_into), "");
    r = status_row(st, "community", "C2", "accidents", "2024-07");
    r = status_row(st, "community", "C2", "accidents", "2024-12");
    assert_string_equal(civ_table_text(st, r, 8), "closed");
    assert_string_equal(civ_table_text(st, r, 10), "");
    /* the district: 19 against 2 x 10 x 0.85 = 17 in 2024-06; from 2024-07 C1 alone, 9 against 10 x 0.8 = 8 in
     * 2024-08 (it was missing, a count roll-up with a member that sent nothing) */
    r = status_row(st, "district", "A", "accidents", "2024-06");
    assert_true(fabs(civ_table_number(st, r, 5) - 19.0) <= 1e-9 && fabs(civ_table_number(st, r, 7) - 17.0) <= 1e-9);
    r = status_row(st, "district", "A", "accidents", "2024-08");
    assert_true(fabs(civ_table_number(st, r, 5) - 9.0) <= 1e-9);
    assert_true(fabs(civ_table_number(st, r, 7) - 8.0) <= 1e-9);
    assert_string_equal(civ_table_text(st, r, 8), "missed");
    /* C3 closed from 2024-Q4 (= 2024-10 in monthly data): district B, whose only street it was, closes too;
     * the city's coverage is C1's alone from then on */
    assert_string_equal(civ_table_text(st, status_row(st, "community", "C3", "coverage", "2024-09"), 8), "missed");
    assert_string_equal(civ_table_text(st, status_row(st, "community", "C3", "coverage", "2024-10"), 8), "closed");
    assert_string_equal(civ_table_text(st, status_row(st, "district", "B", "coverage", "2024-09"), 8), "missed");
    r = status_row(st, "district", "B", "coverage", "2024-10");
    assert_string_equal(civ_table_text(st, r, 8), "closed");
    assert_string_equal(civ_table_text(st, r, 10), "closed");
    r = status_row(st, "city", "city", "coverage", "2024-10");
    assert_true(fabs(civ_table_number(st, r, 5) - 0.95) <= 1e-12);
    assert_string_equal(civ_table_text(st, r, 8), "met");
    /* no alert of C2 or district B listed in December */
    assert_int_equal(civ_monitor_alert_table(m, CIV_MONITOR_LATEST, &al), CIV_OK);
    for (size_t k = 0; k < civ_table_n_rows(al); k++)
        assert_true(strcmp(civ_table_text(al, k, 4), "C2") && strcmp(civ_table_text(al, k, 4), "B"));
    civ_panel *p = NULL;
    assert_int_equal(civ_monitor_panel(m, NULL, 0, &p), CIV_OK);
    size_t idx;
    assert_int_equal(civ_panel_find_series(p, "community:C1:accidents", &idx), CIV_OK);
    assert_int_not_equal(civ_panel_find_series(p, "community:C2:accidents", &idx), CIV_OK);
    assert_int_not_equal(civ_panel_find_series(p, "district:B:coverage", &idx), CIV_OK);
    civ_clear_error();
    civ_panel_free(p);
    civ_table_free(al);
    civ_table_free(st);
    civ_monitor_free(m);
    civ_table_free(a);
    /* a value reported after the closing period: an error naming the row, the unit, the period and the line of
     * [[closed]]; nothing computed */
    a = closing_actuals(1);
    assert_int_equal(civ_monitor_run(s, a, "a.csv", &m), CIV_ERR_DOMAIN);
    assert_null(m);
    assert_string_equal(civ_last_error()->file, "a.csv");
    assert_int_equal(civ_last_error()->line, (long)civ_table_n_rows(a) + 1);
    assert_string_equal(civ_last_error()->field, "ds");
    assert_non_null(strstr(civ_last_error_message(), "'C2' reports a value for 2024-09"));
    assert_non_null(strstr(civ_last_error_message(), "closes it from 2024-07 ([[closed]] at ind.toml:32)"));
    civ_table_free(a);
    civ_monitor_spec_free(s);
    /* a unit the actuals do not have: the line of the key, with the nearest unit */
    const char *bad[][2] = {{"unit = \"c2\"\nfrom = \"2024-07\"\n", "did you mean 'C2'?"},
                            {"unit = \"Z9Z9Z9\"\nfrom = \"2024-07\"\n", "write one of its 3 units"},
                            {"unit = \"C2\"\nfrom = \"2024-07\"\ninto = \"C11\"\n", "did you mean 'C1'?"},
                            {"unit = \"C2\"\nfrom = \"2024-07\"\ninto = \"C3\"\n[[closed]]\nunit = \"C3\"\n"
                             "from = \"2024-03\"\n", "which is itself closed from 2024-03"}};
    for (size_t k = 0; k < 4; k++) {
        snprintf(text, sizeof text, "%s[[closed]]\n%s", SPEC, bad[k][0]);
        s = spec_of(text);
        a = closing_actuals(0);
        assert_int_equal(civ_monitor_run(s, a, "a.csv", &m), CIV_ERR_SPEC);
        assert_string_equal(civ_last_error()->file, "ind.toml");
        assert_int_equal(civ_last_error()->line, k == 0 || k == 1 ? 32 : 34);
        assert_non_null(strstr(civ_last_error_message(), bad[k][1]));
        civ_table_free(a);
        civ_monitor_spec_free(s);
    }
    /* the file's own mistakes, at their lines */
    const char *spec_bad[][2] = {{"[[closed]]\nunit = \"C2\"\n", "missing key 'from'"},
                                 {"[[closed]]\nunit = \"C2\"\nfrom = \"2024-07\"\n[[closed]]\nunit = \"C2\"\n"
                                  "from = \"2024-08\"\n", "closed twice (first at line 32)"},
                                 {"[[closed]]\nunit = \"C2\"\nfrom = \"2024-07\"\ninto = \"C2\"\n", "itself"},
                                 {"[[closed]]\nunit = \"C2\"\nfrom = \"2024-07-15\"\n", "not a year, quarter"},
                                 {"[[closed]]\nunit = \"C2\"\nfrom = \"2024-07\"\nwhen = 1\n", "unknown key 'when'"},
                                 {"[closed]\nunit = \"C2\"\n", "write [[closed]]"}};
    const long line[] = {31, 35, 34, 33, 34, 31};
    for (size_t k = 0; k < 6; k++) {
        snprintf(text, sizeof text, "%s%s", SPEC, spec_bad[k][0]);
        assert_int_equal(spec_err(text, line[k], NULL), CIV_ERR_SPEC);
        assert_non_null(strstr(civ_last_error_message(), spec_bad[k][1]));
    }
}

/* A count of whole events is judged against the whole number its target allows, rounded in the lenient
 * direction (docs/MONITORING.md, "Count targets"): a street whose 2023 base is 1 accident a month has the
 * path 1 (1 - 0.3 k/12) in 2024, 0.975 .. 0.7, which only 0 met; 1 accident was a miss, as the demo's
 * major_accidents judged its rare streets month by month on noise.  Now the target is 1: 1 meets, 2 misses.
 * Higher is better: 4.3 visits allow 4.  A count with a fractional value (per 1,000 people) keeps its
 * fractions. */
static void test_whole_count_targets(void **state)
{
    (void)state;
    const char *text = "[[indicator]]\nid = \"accidents\"\nkind = \"count\"\nbetter = \"lower\"\n"
                       "target_change = -0.30\nbase = \"2023\"\nby = \"2024\"\ndepartment = \"E\"\n"
                       "[[indicator]]\nid = \"visits\"\nkind = \"count\"\ntarget = 4.3\ndepartment = \"C\"\n";
    civ_monitor_spec *s = spec_of(text);
    arow rows[100];
    char ds[24][8];
    size_t n = 0;
    for (int i = 0; i < 24; i++) {
        snprintf(ds[i], sizeof ds[i], "%d-%02d", 2023 + i / 12, i % 12 + 1);
        rows[n++] = (arow){"U1", "A", "accidents", ds[i], i < 12 ? (i % 2 ? 2 : 0) : i == 20 ? 2 : 1, NAN};
        rows[n++] = (arow){"U1", "A", "visits", ds[i], i % 3 ? 4 : 3, NAN};
    }
    civ_table *a = actuals(rows, n), *st = NULL;
    civ_monitor *m = NULL;
    assert_int_equal(civ_monitor_run(s, a, "a.csv", &m), CIV_OK);
    assert_int_equal(civ_monitor_status_table(m, &st), CIV_OK);
    for (int k = 1; k <= 12; k++) {
        size_t r = status_row(st, "unit", "U1", "accidents", ds[11 + k]);
        assert_true(fabs(civ_table_number(st, r, 7) - 1.0) <= 1e-12);
        assert_string_equal(civ_table_text(st, r, 8), k == 9 ? "missed" : "met");
        r = status_row(st, "unit", "U1", "visits", ds[11 + k]);
        assert_true(fabs(civ_table_number(st, r, 7) - 4.0) <= 1e-12);
        assert_string_equal(civ_table_text(st, r, 8), (11 + k) % 3 ? "met" : "missed");
    }
    /* the city is the same unit: its whole target too */
    assert_true(fabs(civ_table_number(st, status_row(st, "city", "city", "accidents", "2024-12"), 7) - 1.0) <= 1e-12);
    /* the early warning judges a forecast against the same whole target (0.7 in 2025-01 allows 1) */
    civ_table *fc = one_forecast("unit:U1:accidents", "2025-01", 0.9, 0.4, 1.4), *steps = NULL, *sum = NULL;
    assert_int_equal(civ_monitor_warn(m, fc, 0.5, &steps, &sum), CIV_OK);
    size_t ct, cp;
    assert_int_equal(civ_table_find_column(steps, "target", &ct), CIV_OK);
    assert_int_equal(civ_table_find_column(steps, "p_miss", &cp), CIV_OK);
    assert_true(fabs(civ_table_number(steps, 0, ct) - 1.0) <= 1e-12);
    assert_true(civ_table_number(steps, 0, cp) < 0.5); /* 0.9 expected against 1 allowed; against 0.7 it was > 0.5 */
    civ_table_free(fc), civ_table_free(steps), civ_table_free(sum);
    civ_table_free(st);
    civ_monitor_free(m);
    civ_table_free(a);
    rows[30].value = 0.5; /* 2024-04's accidents: a fraction, so the values are no count of whole events */
    a = actuals(rows, n);
    assert_int_equal(civ_monitor_run(s, a, "a.csv", &m), CIV_OK);
    assert_int_equal(civ_monitor_status_table(m, &st), CIV_OK);
    size_t r = status_row(st, "unit", "U1", "accidents", "2024-06");
    assert_true(fabs(civ_table_number(st, r, 7) - (1.0 - 0.3 * 6 / 12.0)) <= 1e-12);
    assert_string_equal(civ_table_text(st, r, 8), "missed");
    r = status_row(st, "unit", "U1", "visits", "2024-06");
    assert_true(fabs(civ_table_number(st, r, 7) - 4.0) <= 1e-12); /* another indicator: still whole */
    civ_table_free(st);
    civ_monitor_free(m);
    civ_table_free(a);
    civ_monitor_spec_free(s);
}

/* A level's roll-up weighs units by their denominators, or each by 1 when no
 * row has one; a reported row without a weight among rows with weights is an
 * error naming both lines (it weighed 1 against the others' 40 and 60, so the
 * slow street all but vanished from its district's mean, without a word). */
static void test_level_weights(void **state)
{
    (void)state;
    civ_monitor_spec *s = spec_of("[monitor]\nrollup = [\"district\"]\n[[indicator]]\nid = \"minutes\"\n"
                                  "kind = \"level\"\nbetter = \"lower\"\ntarget = 15\ndepartment = \"Emergency\"\n");
    arow weighted[] = {{"C1", "A", "minutes", "2024-01", 10, 40}, {"C2", "A", "minutes", "2024-01", 20, 60}};
    civ_table *a = actuals(weighted, 2), *st = NULL;
    civ_monitor *m = NULL;
    assert_int_equal(civ_monitor_run(s, a, "a.csv", &m), CIV_OK);
    assert_int_equal(civ_monitor_status_table(m, &st), CIV_OK);
    size_t r = status_row(st, "district", "A", "minutes", "2024-01");
    assert_true(fabs(civ_table_number(st, r, 5) - (400.0 + 1200.0) / 100.0) < 1e-12);
    assert_string_equal(civ_table_text(st, r, 8), "missed");
    civ_table_free(st), civ_monitor_free(m), civ_table_free(a);
    arow plain[] = {{"C1", "A", "minutes", "2024-01", 10, NAN}, {"C2", "A", "minutes", "2024-01", 20, NAN}};
    a = actuals(plain, 2);
    assert_int_equal(civ_monitor_run(s, a, "a.csv", &m), CIV_OK);
    assert_int_equal(civ_monitor_status_table(m, &st), CIV_OK);
    assert_true(civ_table_number(st, status_row(st, "district", "A", "minutes", "2024-01"), 5) == 15.0);
    civ_table_free(st), civ_monitor_free(m), civ_table_free(a);
    arow mixed[] = {{"C1", "A", "minutes", "2024-01", 10, 40}, {"C2", "A", "minutes", "2024-01", 20, 60},
                    {"C1", "A", "minutes", "2024-02", 10, 40}, {"C2", "A", "minutes", "2024-02", 30, NAN},
                    {"C3", "A", "minutes", "2024-02", NAN, NAN}}; /* not reported: needs no weight */
    a = actuals(mixed, 5);
    assert_int_equal(civ_monitor_run(s, a, "a.csv", &m), CIV_ERR_DOMAIN);
    assert_null(m);
    assert_int_equal(civ_last_error()->line, 5);
    assert_string_equal(civ_last_error()->field, "denominator");
    assert_non_null(strstr(civ_last_error()->message, "line 2 gives its units weights"));
    civ_table_free(a);
    civ_monitor_spec_free(s);
}

/* An indicator's value as a person reads it (civ_monitor_value_text): before 2026-12-07 the command printed
 * every actual and target as a bare fraction ("0.2863 vs 0.35"), read as 0.29 people. */
static void test_value_text(void **state)
{
    (void)state;
    char b[64];
    struct {
        double v;
        const char *kind, *unit;
        double against;
        const char *want;
    } cases[] = {
        {0.2863, "rate", "%", 0.35, "28.6%"},     {0.35, "rate", "%", 0.2863, "35%"},
        {0.063339, "rate", NULL, NAN, "6.3%"},    {1.0, "rate", "%", 0.997, "100%"},
        {0.9796, "rate", "%", 0.98, "97.96%"},    {0.98, "rate", "%", 0.9796, "98%"},  /* a miss never reads as 98% */
        {0.97999, "rate", "%", 0.98, "97.999%"}, {0.98, "rate", "%", 0.98, "98%"},
        {2, "count", "起", 1, "2 起"},            {1207, "count", "起", NAN, "1,207 起"},
        {1234567, "count", "", NAN, "1,234,567"}, {7.9, "count", "起", 8, "7.9 起"}, /* a count per 1,000 people */
        {11.0727969348659, "level", "分钟", 15, "11.07 分钟"}, {15, "level", "分钟", 11.07, "15 分钟"},
        {-0.001, "level", NULL, NAN, "0"},        {0.2863, NULL, NULL, NAN, "0.2863"}, /* no kind: as before */
        {0.2863, "", "%", NAN, "0.2863"},         {NAN, "rate", "%", 0.35, ""},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        assert_int_equal(civ_monitor_value_text(cases[k].v, cases[k].kind, cases[k].unit, cases[k].against, b,
                                                sizeof b), CIV_OK);
        if (strcmp(b, cases[k].want))
            fail_msg("case %zu: '%s', want '%s'", k, b, cases[k].want);
    }
    assert_int_equal(civ_monitor_value_text(0.5, "ratio", NULL, NAN, b, sizeof b), CIV_ERR_INVALID_ARGUMENT);
    assert_string_equal(civ_last_error()->field, "kind");
    assert_non_null(strstr(civ_last_error()->message, "'ratio'"));
    assert_int_equal(civ_monitor_value_text(0.5, "rate", NULL, NAN, NULL, 8), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_monitor_value_text(12345, "level", "分钟", NAN, b, 6), CIV_ERR_LIMIT);
    assert_string_equal(b, "");
}

/* The status, alert and warning tables say each row's kind and unit in their last two columns, kind and
 * value_unit, so that a reader of the tables alone (the plan's command, Python) shows the values by kind. */
static void test_kind_columns(void **state)
{
    (void)state;
    civ_monitor_spec *s = spec_of("[[indicator]]\nid = \"cov\"\nunit = \"%\"\ntarget = 0.35\ndepartment = \"C\"\n"
                                  "[[indicator]]\nid = \"acc\"\nkind = \"count\"\nunit = \"起\"\nbetter = \"lower\"\n"
                                  "target = 1\ndepartment = \"E\"\n[[indicator]]\nid = \"min\"\nkind = \"level\"\n"
                                  "unit = \"分钟\"\nbetter = \"lower\"\ntarget = 15\ndepartment = \"E\"\n");
    arow rows[] = {{"U1", "A", "cov", "2024-01", 0.2, 10}, {"U1", "A", "cov", "2024-02", 0.2863, 10},
                   {"U1", "A", "acc", "2024-01", 3, NAN},  {"U1", "A", "acc", "2024-02", 2, NAN},
                   {"U1", "A", "min", "2024-01", 16, NAN}, {"U1", "A", "min", "2024-02", 15.84, NAN}};
    civ_table *a = actuals(rows, 6), *st = NULL, *al = NULL, *fc = NULL, *steps = NULL, *sum = NULL;
    civ_monitor *m = NULL;
    assert_int_equal(civ_monitor_run(s, a, "a.csv", &m), CIV_OK);
    assert_int_equal(civ_monitor_status_table(m, &st), CIV_OK);
    assert_int_equal(civ_monitor_alert_table(m, CIV_MONITOR_LATEST, &al), CIV_OK);
    size_t ns = civ_table_n_columns(st), na = civ_table_n_columns(al);
    assert_int_equal(ns, 16);
    assert_string_equal(civ_table_column_name(st, 13), "note"); /* the columns before keep their places */
    assert_string_equal(civ_table_column_name(st, 14), "kind");
    assert_string_equal(civ_table_column_name(st, 15), "value_unit");
    assert_int_equal(na, 13);
    assert_string_equal(civ_table_column_name(al, 10), "alert");
    assert_string_equal(civ_table_column_name(al, 11), "kind");
    assert_string_equal(civ_table_column_name(al, 12), "value_unit");
    const char *ids[] = {"cov", "acc", "min"}, *kinds[] = {"rate", "count", "level"}, *units[] = {"%", "起", "分钟"};
    const char *texts[] = {"28.6% vs 35%", "2 起 vs 1 起", "15.84 分钟 vs 15 分钟"};
    assert_int_equal(civ_table_n_rows(al), 6); /* every indicator missed twice: the unit's and the city's alerts */
    for (size_t j = 0; j < 6; j++) {
        size_t k = j / 2, r = status_row(st, j % 2 ? "city" : "unit", j % 2 ? "city" : "U1", ids[k], "2024-02");
        assert_string_equal(civ_table_text(st, r, 14), kinds[k]);
        assert_string_equal(civ_table_text(st, r, 15), units[k]);
        assert_string_equal(civ_table_text(al, j, 1), ids[k]);
        assert_string_equal(civ_table_text(al, j, 11), kinds[k]);
        assert_string_equal(civ_table_text(al, j, 12), units[k]);
        char x[64], y[64], both[160]; /* the alert line's words, from the table alone */
        double act = civ_table_number(al, j, 6), tgt = civ_table_number(al, j, 7);
        assert_int_equal(civ_monitor_value_text(act, civ_table_text(al, j, 11), civ_table_text(al, j, 12), tgt, x,
                                                sizeof x), CIV_OK);
        assert_int_equal(civ_monitor_value_text(tgt, civ_table_text(al, j, 11), civ_table_text(al, j, 12), act, y,
                                                sizeof y), CIV_OK);
        snprintf(both, sizeof both, "%s vs %s", x, y);
        assert_string_equal(both, texts[k]);
    }
    /* the early warning's tables too */
    fc = one_forecast("unit:U1:min", "2024-03", 15.5, 14.0, 17.0);
    assert_int_equal(civ_monitor_warn(m, fc, 0.5, &steps, &sum), CIV_OK);
    size_t c1, c2;
    assert_int_equal(civ_table_find_column(steps, "kind", &c1), CIV_OK);
    assert_int_equal(civ_table_find_column(steps, "value_unit", &c2), CIV_OK);
    assert_true(c1 == 12 && c2 == 13);
    assert_string_equal(civ_table_text(steps, 0, c1), "level");
    assert_string_equal(civ_table_text(steps, 0, c2), "分钟");
    assert_int_equal(civ_table_find_column(sum, "kind", &c1), CIV_OK);
    assert_int_equal(civ_table_find_column(sum, "value_unit", &c2), CIV_OK);
    assert_true(c1 == 12 && c2 == 13);
    assert_string_equal(civ_table_text(sum, 0, c1), "level");
    civ_table_free(fc), civ_table_free(steps), civ_table_free(sum);
    civ_table_free(st), civ_table_free(al), civ_monitor_free(m), civ_table_free(a);
    civ_monitor_spec_free(s);
}

static void test_alerts_by_department(void **state)
{
    (void)state;
    civ_monitor_spec *s = spec_of(SPEC);
    arow rows[] = {
        {"C1", "A", "incidents", "2024-01", 9, NAN}, {"C1", "A", "incidents", "2024-02", 9, NAN},
        {"C1", "A", "coverage", "2024-01", 0.5, 10}, {"C1", "A", "coverage", "2024-02", 0.5, 10},
    };
    civ_table *a = actuals(rows, 4), *al = NULL;
    civ_monitor *m = NULL;
    assert_int_equal(civ_monitor_run(s, a, "a.csv", &m), CIV_OK);
    assert_int_equal(civ_monitor_alert_table(m, CIV_MONITOR_LATEST, &al), CIV_OK);
    assert_int_equal(civ_table_n_rows(al), 6); /* 2 indicators x (unit, district, city) */
    assert_string_equal(civ_table_text(al, 0, 0), "Civil Affairs");
    assert_string_equal(civ_table_text(al, 3, 0), "Emergency");
    assert_string_equal(civ_table_text(al, 3, 1), "incidents");
    assert_string_equal(civ_table_text(al, 5, 3), "city");
    assert_string_equal(civ_table_text(al, 5, 10), "raised");
    assert_string_equal(civ_table_text(al, 5, 9), "2024-01");
    civ_table_free(al);
    civ_monitor_free(m);
    civ_table_free(a);
    civ_monitor_spec_free(s);
}

static civ_status run_err(const arow *rows, size_t n)
{
    civ_monitor_spec *s = spec_of(SPEC);
    civ_table *a = actuals(rows, n);
    civ_monitor *m = NULL;
    civ_status st = civ_monitor_run(s, a, "actuals.csv", &m);
    assert_null(m);
    civ_table_free(a);
    civ_monitor_spec_free(s);
    return st;
}

static void test_bad_actuals(void **state)
{
    (void)state;
    arow unknown[] = {{"C1", "A", "coverage", "2024-01", 0.9, 10}, {"C1", "A", "covrage", "2024-02", 0.9, 10}};
    assert_int_equal(run_err(unknown, 2), CIV_ERR_NOT_FOUND);
    assert_string_equal(civ_last_error()->file, "actuals.csv");
    assert_int_equal(civ_last_error()->line, 3);
    assert_string_equal(civ_last_error()->field, "indicator");
    assert_non_null(strstr(civ_last_error()->message, "covrage"));
    /* the column, and the cure: the file's nearest id (a typo, a suffix added, spaces around it) */
    assert_int_equal(civ_last_error()->column, 3);
    assert_non_null(strstr(civ_last_error()->message, "did you mean 'coverage'?"));
    unknown[1].ind = "coverage_rate";
    assert_int_equal(run_err(unknown, 2), CIV_ERR_NOT_FOUND);
    assert_non_null(strstr(civ_last_error()->message, "did you mean 'coverage'?"));
    unknown[1].ind = " coverage ";
    assert_int_equal(run_err(unknown, 2), CIV_ERR_NOT_FOUND);
    assert_non_null(strstr(civ_last_error()->message, "spaces around 'coverage'"));
    unknown[1].ind = "gdp"; /* nothing close: the ids to choose from and how to add one */
    assert_int_equal(run_err(unknown, 2), CIV_ERR_NOT_FOUND);
    assert_non_null(strstr(civ_last_error()->message, "one of the indicator file's 4 ids"));
    assert_null(strstr(civ_last_error()->message, "did you mean"));

    /* the sheet's total row under the data (合计, its indicator cell empty or not): said so, at its row (before
     * 2026-12-07 "unknown indicator ''", or with an indicator a unit '合计' rolled into the district and city) */
    arow total[] = {{"C1", "A", "coverage", "2024-01", 0.9, 10}, {"合 计", "", "", "", 0.9, 10}};
    assert_int_equal(run_err(total, 2), CIV_ERR_PARSE);
    assert_int_equal(civ_last_error()->line, 3);
    assert_non_null(strstr(civ_last_error()->message, "'合 计' looks like the sheet's total row, not a community"));
    total[1] = (arow){"Total:", "A", "coverage", "2024-01", 0.9, 10};
    assert_int_equal(run_err(total, 2), CIV_ERR_PARSE);
    assert_non_null(strstr(civ_last_error()->message, "total row"));

    arow rate[] = {{"C1", "A", "coverage", "2024-01", 0.9, 10}, {"C1", "A", "coverage", "2024-02", 95, 10}};
    assert_int_equal(run_err(rate, 2), CIV_ERR_DOMAIN);
    assert_int_equal(civ_last_error()->line, 3);
    assert_string_equal(civ_last_error()->field, "value");
    assert_non_null(strstr(civ_last_error()->message, "[0, 1]"));

    /* a unit or roll-up column saved from merged cells (the value once, blanks under it): the cause and the cure
     * (before: "empty unit", "needs a text value in every row") */
    arow merged_unit[] = {{"C1", "A", "coverage", "2024-01", 0.9, 10}, {"", "A", "coverage", "2024-02", 0.9, 10}};
    assert_int_equal(run_err(merged_unit, 2), CIV_ERR_PARSE);
    assert_int_equal(civ_last_error()->line, 3);
    assert_non_null(strstr(civ_last_error()->message, ", under 'C1': left blank under the value above, as Excel "
                                                      "saves merged cells? unmerge and fill the column down"));
    arow merged_d[] = {{"C1", "A", "coverage", "2024-01", 0.9, 10}, {"C2", "", "coverage", "2024-01", 0.9, 10}};
    assert_int_equal(run_err(merged_d, 2), CIV_ERR_SPEC);
    assert_int_equal(civ_last_error()->line, 3);
    assert_string_equal(civ_last_error()->field, "district");
    assert_non_null(strstr(civ_last_error()->message, "needs a text value in every row, under 'A': left blank under "
                                                      "the value above, as Excel saves merged cells?"));
    arow first_blank[] = {{"", "A", "coverage", "2024-01", 0.9, 10}}; /* nothing above: no guess */
    assert_int_equal(run_err(first_blank, 1), CIV_ERR_PARSE);
    assert_null(strstr(civ_last_error()->message, "merged"));

    arow den[] = {{"C1", "A", "coverage", "2024-01", 0.9, NAN}};
    assert_int_equal(run_err(den, 1), CIV_ERR_DOMAIN);
    assert_string_equal(civ_last_error()->field, "denominator");

    arow neg[] = {{"C1", "A", "incidents", "2024-01", -1, NAN}};
    assert_int_equal(run_err(neg, 1), CIV_ERR_DOMAIN);

    arow date[] = {{"C1", "A", "coverage", "2024-13", 0.9, 10}};
    assert_int_equal(run_err(date, 1), CIV_ERR_DATE);
    assert_string_equal(civ_last_error()->field, "ds");
    assert_non_null(strstr(civ_last_error()->message, "ds '2024-13' is not a year, quarter or month"));
    assert_non_null(strstr(civ_last_error()->message, "month 13"));
    /* periods as Excel exports them keep the date reader's diagnosis and cure (before 2026-12-07: the list of
     * forms alone, at the line of every such sheet's first row) */
    {
        static const struct {
            const char *ds, *says;
        } cases[] = {
            {"Jan-24", "ds 'Jan-24' is not a year, quarter or month (\"2024\", \"2024-Q3\", \"2024-07\", \"2024年7月\"): "
                       "it looks like Excel's mmm-yy display of a month"},
            {"45292", "how Excel stores a date (45292 is 2024-01-01)"},
            {"202401", "a month written as YYYYMM: write it 2024-01"},
            {"2024-01 ", "the cell has spaces around '2024-01'; clear them in the sheet"},
        };
        for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
            arow d1[] = {{"C1", "A", "coverage", cases[k].ds, 0.9, 10}};
            assert_int_equal(run_err(d1, 1), CIV_ERR_DATE);
            if (!strstr(civ_last_error()->message, cases[k].says))
                fprintf(stderr, "case %zu: %s\n", k, civ_last_error()->text);
            assert_int_equal(civ_last_error()->line, 2);
            assert_non_null(strstr(civ_last_error()->message, cases[k].says));
        }
    }

    arow mixed[] = {{"C1", "A", "coverage", "2024-01", 0.9, 10}, {"C1", "A", "coverage", "2024-Q2", 0.9, 10}};
    assert_int_equal(run_err(mixed, 2), CIV_ERR_FREQUENCY);
    /* both forms and texts, and for a month Excel turned into a date the cure (before 2026-12-07 "'2024/2/1' has
     * another form than line 2's") */
    mixed[1].ds = "2024/2/1";
    assert_int_equal(run_err(mixed, 2), CIV_ERR_FREQUENCY);
    assert_non_null(strstr(civ_last_error()->message, "'2024/2/1' is a day, and line 2's '2024-01' a month"));
    assert_non_null(strstr(civ_last_error()->message, "give the column a Text format"));

    arow dup[] = {{"C1", "A", "coverage", "2024-01", 0.9, 10}, {"C1", "A", "coverage", "2024-01", 0.8, 10}};
    assert_int_equal(run_err(dup, 2), CIV_ERR_DUPLICATE);
    assert_non_null(strstr(civ_last_error()->message, "(also at line 2): keep one row")); /* the other row too */
    assert_int_equal(civ_last_error()->line, 3);

    /* a value column made text by an Excel error value: named at its row, as such */
    {
        civ_table *t = NULL;
        assert_int_equal(civ_table_create(&t), CIV_OK);
        const char *names[] = {"unit", "district", "indicator", "ds", "value", "denominator"};
        for (int c = 0; c < 6; c++)
            assert_int_equal(civ_table_add_column(t, names[c], c < 5 ? CIV_COLUMN_TEXT : CIV_COLUMN_NUMBER, NULL),
                             CIV_OK);
        assert_int_equal(civ_table_add_rows(t, 2, NULL), CIV_OK);
        const char *cells[2][5] = {{"C1", "A", "coverage", "2024-01", "0.9"}, {"C1", "A", "coverage", "2024-02",
                                                                             "#DIV/0!"}};
        for (size_t r = 0; r < 2; r++) {
            for (size_t c = 0; c < 5; c++)
                assert_int_equal(civ_table_set_text(t, r, c, cells[r][c]), CIV_OK);
            assert_int_equal(civ_table_set_number(t, r, 5, 10), CIV_OK);
        }
        civ_monitor_spec *sp = spec_of(SPEC);
        civ_monitor *mm = NULL;
        assert_int_equal(civ_monitor_run(sp, t, "actuals.csv", &mm), CIV_ERR_PARSE);
        assert_int_equal(civ_last_error()->line, 3);
        assert_string_equal(civ_last_error()->field, "value");
        assert_non_null(strstr(civ_last_error()->message, "'#DIV/0!' is not a number: an Excel error value"));
        civ_monitor_spec_free(sp);
        civ_table_free(t);
    }
    /* values as Excel displays them ("90.51%", "5,194"), read without --percent or --thousands: the option
     * that reads them; with another cell that no option reads (a dash for no data, "nan%"), that cell, which
     * kept the column text with the options given (before: "value '90.51%' is not a number" at line 2, even
     * with --percent) */
    {
        static const struct {
            const char *a, *b;
            long line;
            const char *says;
        } cases[] = {
            {"90.51%", "88%", 2, "value '90.51%' is a number as Excel displays it (a percent sign): read the actuals "
                                 "with --percent (Python: percent=True)"},
            {"1,234", "5", 2, "'1,234' is a number as Excel displays it (a thousands separator): read the actuals "
                              "with --thousands \",\""},
            {"90.51%", "\xE2\x80\x94", 3, "value '\xE2\x80\x94' is not a number; a dash or slash for no data"},
            {"90.51%", "nan%", 3, "value 'nan%' is not a number"},
            /* a word for no data: the cure, as for a dash (before 2026-12-07 "'N/A' is not a number" alone) */
            {"90.51%", "N/A", 3, "value 'N/A' is not a number; a word for no data is not a number: leave the cell "
                                 "empty (or write NA)"},
            {"90.51%", "暂无", 3, "value '暂无' is not a number; a word for no data"},
            {"1.5元", "2", 2, "value '1.5元' is not a number; it has a unit after the number"},
        };
        for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
            civ_table *t = NULL;
            assert_int_equal(civ_table_create(&t), CIV_OK);
            const char *names[] = {"unit", "district", "indicator", "ds", "value", "denominator"};
            for (int c = 0; c < 6; c++)
                assert_int_equal(civ_table_add_column(t, names[c], c < 5 ? CIV_COLUMN_TEXT : CIV_COLUMN_NUMBER,
                                                      NULL),
                                 CIV_OK);
            assert_int_equal(civ_table_add_rows(t, 2, NULL), CIV_OK);
            const char *cells[2][5] = {{"C1", "A", "coverage", "2024-01", cases[k].a},
                                       {"C1", "A", "coverage", "2024-02", cases[k].b}};
            for (size_t r = 0; r < 2; r++) {
                for (size_t c = 0; c < 5; c++)
                    assert_int_equal(civ_table_set_text(t, r, c, cells[r][c]), CIV_OK);
                assert_int_equal(civ_table_set_number(t, r, 5, 10), CIV_OK);
            }
            civ_monitor_spec *sp = spec_of(SPEC);
            civ_monitor *mm = NULL;
            assert_int_equal(civ_monitor_run(sp, t, "actuals.csv", &mm), CIV_ERR_PARSE);
            if (civ_last_error()->line != cases[k].line || !strstr(civ_last_error()->message, cases[k].says))
                fprintf(stderr, "case %zu: %s\n", k, civ_last_error()->text);
            assert_int_equal(civ_last_error()->line, cases[k].line);
            assert_non_null(strstr(civ_last_error()->message, cases[k].says));
            civ_monitor_spec_free(sp);
            civ_table_free(t);
        }
    }

    arow groups[] = {{"C1", "A", "coverage", "2024-01", 0.9, 10}, {"C1", "B", "coverage", "2024-02", 0.9, 10}};
    assert_int_equal(run_err(groups, 2), CIV_ERR_SPEC);
    assert_string_equal(civ_last_error()->field, "district");
    /* both groups and the first one's line (before 2026-12-07: neither) */
    assert_non_null(strstr(civ_last_error()->message, "'B' here, 'A' at line 2: a unit belongs to one district"));

    /* spaces around a unit or group that the sheet also has without them: one unit (one district) split in two,
     * named at both lines (before 2026-12-07: a second unit, silently; its month "not reported" for the real one
     * and a phantom unit that "sent nothing" every month after) */
    arow spaced[] = {{"C1", "A", "coverage", "2024-01", 0.9, 10}, {"C1 ", "A", "coverage", "2024-02", 0.9, 10}};
    assert_int_equal(run_err(spaced, 2), CIV_ERR_PARSE);
    assert_int_equal(civ_last_error()->line, 3);
    assert_string_equal(civ_last_error()->field, "unit");
    assert_non_null(strstr(civ_last_error()->message, "unit 'C1 ' has spaces around it, and line 2 has 'C1'"));
    arow spaced_g[] = {{"C1", "A", "coverage", "2024-01", 0.9, 10}, {"C1", " A", "coverage", "2024-02", 0.9, 10}};
    assert_int_equal(run_err(spaced_g, 2), CIV_ERR_SPEC);
    assert_int_equal(civ_last_error()->line, 3);
    assert_non_null(strstr(civ_last_error()->message, "' A' has spaces around it; clear them"));
    arow spaced_g2[] = {{"C1", "A", "coverage", "2024-01", 0.9, 10}, {"C2", "A ", "coverage", "2024-01", 0.9, 10}};
    assert_int_equal(run_err(spaced_g2, 2), CIV_ERR_SPEC);
    assert_int_equal(civ_last_error()->line, 3);
    assert_string_equal(civ_last_error()->field, "district");
    assert_non_null(strstr(civ_last_error()->message, "district 'A ' has spaces around it, and line 2 has 'A'"));
    /* the same spaces on every row of a unit are its id, as the long panels' reader takes them */
    {
        arow same[] = {{" C1", "A", "coverage", "2024-01", 0.9, 10}, {" C1", "A", "coverage", "2024-02", 0.9, 10}};
        civ_monitor_spec *sp = spec_of(SPEC);
        civ_table *ta = actuals(same, 2);
        civ_monitor *mm = NULL;
        assert_int_equal(civ_monitor_run(sp, ta, "actuals.csv", &mm), CIV_OK);
        civ_monitor_free(mm);
        civ_table_free(ta);
        civ_monitor_spec_free(sp);
    }

    /* a monthly path date cannot be placed in quarterly data */
    arow q[] = {{"C1", "A", "coverage", "2024-Q1", 0.9, 10}};
    civ_monitor_spec *s = spec_of("[[indicator]]\nid = \"x\"\ntarget_from = [\"2024-02\"]\n"
                                  "target_values = [0.5]\ndepartment = \"d\"\n"
                                  "[[indicator]]\nid = \"coverage\"\ntarget = 0.9\ndepartment = \"d\"\n");
    civ_table *a = actuals(q, 1);
    civ_monitor *m = NULL;
    assert_int_equal(civ_monitor_run(s, a, "q.csv", &m), CIV_ERR_SPEC);
    assert_string_equal(civ_last_error()->file, "ind.toml");
    assert_int_equal(civ_last_error()->line, 3);
    assert_string_equal(civ_last_error()->field, "x");
    civ_monitor_spec_free(s);
    civ_table_free(a);
}

static civ_status spec_err(const char *text, long line, const char *field)
{
    civ_monitor_spec *s = NULL;
    civ_status st = civ_monitor_spec_parse(text, strlen(text), "ind.toml", &s);
    assert_null(s);
    assert_string_equal(civ_last_error()->file, "ind.toml");
    assert_int_equal(civ_last_error()->line, line);
    if (field)
        assert_string_equal(civ_last_error()->field, field);
    return st;
}

/* A sheet's own column names ([monitor] unit_column, indicator_column,
 * time_column, value_column, denominator_column): numeric unit codes and
 * yearly periods read as text through civ_monitor_spec_text_columns, Chinese
 * periods, statuses equal to the same actuals under the standard names;
 * errors name the sheet's column; two roles cannot share a column. */
static void test_own_column_names(void **state)
{
    (void)state;
    char dir[256];
    assert_int_equal(tf_dir_make(dir, sizeof dir, tf_tmp_root(), "civ_monitor_cols_"), 0);
    static const char *const own =
        "[monitor]\nunit_column = \"社区编号\"\nindicator_column = \"指标\"\ntime_column = \"年份\"\n"
        "value_column = \"数值\"\ndenominator_column = \"调查户数\"\nrollup = [\"区\"]\n"
        "[[indicator]]\nid = \"coverage\"\ntarget = 0.9\ndepartment = \"民政局\"\n";
    static const char *const standard =
        "[monitor]\nrollup = [\"区\"]\n[[indicator]]\nid = \"coverage\"\ntarget = 0.9\ndepartment = \"民政局\"\n";
    FILE *f = fopen(tf_path(dir, "own.csv"), "w");
    assert_non_null(f);
    fputs("社区编号,区,指标,年份,数值,调查户数\n310101001,东区,coverage,2023年,0.95,100\n"
          "310101001,东区,coverage,2024年,0.85,120\n310101002,东区,coverage,2023年,0.80,80\n"
          "310101002,东区,coverage,2024年,0.92,90\n", f);
    fclose(f);
    f = fopen(tf_path(dir, "standard.csv"), "w");
    assert_non_null(f);
    fputs("unit,区,indicator,ds,value,denominator\n310101001,东区,coverage,2023,0.95,100\n"
          "310101001,东区,coverage,2024,0.85,120\n310101002,东区,coverage,2023,0.80,80\n"
          "310101002,东区,coverage,2024,0.92,90\n", f);
    fclose(f);
    civ_table *st[2] = {NULL, NULL};
    const char *const specs[2] = {own, standard}, *const files[2] = {"own.csv", "standard.csv"};
    for (int k = 0; k < 2; k++) {
        civ_monitor_spec *s = spec_of(specs[k]);
        const char *const *text = civ_monitor_spec_text_columns(s);
        assert_non_null(text);
        assert_string_equal(text[0], k ? "unit" : "社区编号");
        civ_table_read_options ro = {.text_columns = text};
        civ_table *t = NULL;
        assert_int_equal(civ_table_read_csv(tf_path(dir, files[k]), &ro, &t), CIV_OK);
        civ_monitor *m = NULL;
        assert_int_equal(civ_monitor_run(s, t, files[k], &m), CIV_OK);
        assert_int_equal(civ_monitor_status_table(m, &st[k]), CIV_OK);
        civ_monitor_free(m);
        if (!k) { /* an error names the sheet's own column */
            assert_int_equal(civ_table_set_number(t, 1, 4, 85.0), CIV_OK);
            assert_int_equal(civ_monitor_run(s, t, files[k], &m), CIV_ERR_DOMAIN);
            assert_string_equal(civ_last_error()->field, "数值");
            assert_int_equal(civ_last_error()->line, 3);
        }
        civ_table_free(t);
        civ_monitor_spec_free(s);
    }
    assert_int_equal(civ_table_n_rows(st[0]), civ_table_n_rows(st[1]));
    assert_true(civ_table_n_rows(st[0]) >= 6); /* 2 communities, the district and the city, 2 years */
    for (size_t r = 0; r < civ_table_n_rows(st[0]); r++)
        for (size_t c = 0; c < civ_table_n_columns(st[0]); c++) {
            if (civ_table_column_type(st[0], c) == CIV_COLUMN_TEXT)
                assert_string_equal(civ_table_text(st[0], r, c), civ_table_text(st[1], r, c));
            else
                assert_true(civ_table_number(st[0], r, c) == civ_table_number(st[1], r, c) ||
                            (isnan(civ_table_number(st[0], r, c)) && isnan(civ_table_number(st[1], r, c))));
        }
    civ_table_free(st[0]);
    civ_table_free(st[1]);
    assert_int_equal(spec_err("[monitor]\nvalue_column = \"x\"\ndenominator_column = \"x\"\n[[indicator]]\n"
                              "id = \"a\"\ntarget = 0.5\ndepartment = \"d\"\n", 0, "x"),
                     CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error()->message, "for two roles"));
    assert_int_equal(tf_dir_remove(dir), 0);
}

/* Targets as a plan document states them, "95%" for a rate (a step table's too) and "-30%" for a path: the
 * same doubles as 0.95 and -0.30 (they were refused as "must be a number"); a count's target in percent is
 * refused. */
static void test_percent_targets(void **state)
{
    (void)state;
    civ_monitor_spec *s = spec_of("[monitor]\nscope = \"community\"\nrollup = [\"district\"]\n"
                                  "[[indicator]]\nid = \"cov\"\ntarget = \"95%\"\ndepartment = \"d\"\n"
                                  "[[indicator]]\nid = \"step\"\ntarget_from = [\"2024-01\"]\n"
                                  "target_values = [\"12.5%\"]\ndepartment = \"d\"\n"
                                  "[[indicator]]\nid = \"cut\"\nkind = \"count\"\nbetter = \"lower\"\n"
                                  "target_change = \"-30%\"\nbase = \"2024-01\"\nby = \"2024-02\"\n"
                                  "department = \"d\"\n");
    arow rows[] = {{"C1", "A", "cov", "2024-01", 0.95, 20},  {"C1", "A", "cov", "2024-02", 0.9499, 20},
                   {"C1", "A", "step", "2024-02", 0.125, 8}, {"C1", "A", "cut", "2024-01", 10, 1},
                   {"C1", "A", "cut", "2024-02", 7, 1}};
    civ_table *a = actuals(rows, 5), *st = NULL;
    civ_monitor *m = NULL;
    if (civ_monitor_run(s, a, "a.csv", &m))
        fail_msg("%s", civ_last_error()->text);
    assert_int_equal(civ_monitor_status_table(m, &st), CIV_OK);
    size_t r = status_row(st, "community", "C1", "cov", "2024-01");
    assert_true(civ_table_number(st, r, 7) == 0.95);
    assert_string_equal(civ_table_text(st, r, 8), "met");
    assert_string_equal(civ_table_text(st, status_row(st, "community", "C1", "cov", "2024-02"), 8), "missed");
    r = status_row(st, "community", "C1", "step", "2024-02");
    assert_true(civ_table_number(st, r, 7) == 0.125);
    r = status_row(st, "community", "C1", "cut", "2024-02");
    assert_true(fabs(civ_table_number(st, r, 7) - 7.0) <= 1e-12); /* 10 x (1 - 30%) */
    assert_string_equal(civ_table_text(st, r, 8), "met");
    civ_table_free(st), civ_table_free(a);
    civ_monitor_free(m);
    civ_monitor_spec_free(s);
    assert_int_equal(spec_err("[[indicator]]\nid = \"a\"\nkind = \"count\"\ntarget = \"10%\"\ndepartment = \"d\"\n",
                              4, "target"),
                     CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error()->message, "a percentage is a rate's target"));
    assert_int_equal(spec_err("[[indicator]]\nid = \"a\"\ntarget = \"95\"\ndepartment = \"d\"\n", 3, "target"),
                     CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error()->message, "must be a number (a rate's may be a percentage"));
    assert_int_equal(spec_err("[[indicator]]\nid = \"a\"\ntarget = \"150%\"\ndepartment = \"d\"\n", 3, "target"),
                     CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error()->message, "a rate target is a fraction in [0, 1]"));
    /* the sign as a Chinese input method types it, full width, and a space before it: the same percentages
     * (before 2026-12-07: "must be a number") */
    {
        civ_monitor_spec *fw = spec_of("[[indicator]]\nid = \"a\"\ntarget = \"95\xEF\xBC\x85\"\ndepartment = \"d\"\n"
                                       "[[indicator]]\nid = \"b\"\ntarget = \"95 %\"\ndepartment = \"d\"\n"
                                       "[[indicator]]\nid = \"c\"\nkind = \"count\"\n"
                                       "target_change = \"-30 \xEF\xBC\x85\"\n"
                                       "base = \"2024-01\"\nby = \"2024-02\"\ndepartment = \"d\"\n");
        arow fr[] = {{"C1", "A", "a", "2024-01", 0.95, 20}, {"C1", "A", "b", "2024-01", 0.9499, 20},
                     {"C1", "A", "c", "2024-01", 10, 1}, {"C1", "A", "c", "2024-02", 7, 1}};
        civ_table *fa = actuals(fr, 4), *fst = NULL;
        civ_monitor *fm = NULL;
        if (civ_monitor_run(fw, fa, "a.csv", &fm))
            fail_msg("%s", civ_last_error()->text);
        assert_int_equal(civ_monitor_status_table(fm, &fst), CIV_OK);
        size_t q = status_row(fst, "unit", "C1", "a", "2024-01");
        assert_true(civ_table_number(fst, q, 7) == 0.95);
        assert_string_equal(civ_table_text(fst, q, 8), "met");
        q = status_row(fst, "unit", "C1", "b", "2024-01");
        assert_true(civ_table_number(fst, q, 7) == 0.95);
        assert_string_equal(civ_table_text(fst, q, 8), "missed");
        q = status_row(fst, "unit", "C1", "c", "2024-02");
        assert_true(fabs(civ_table_number(fst, q, 7) - 7.0) <= 1e-12);
        civ_table_free(fst), civ_table_free(fa);
        civ_monitor_free(fm);
        civ_monitor_spec_free(fw);
    }
}

static void test_bad_spec(void **state)
{
    (void)state;
    assert_int_equal(spec_err("[[indicator]]\nid = \"a\"\ndepartment = \"d\"\n", 1, "target"), CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error()->message, "missing key 'target'"));
    assert_int_equal(spec_err("[[indicator]]\nid = \"a\"\ntarget = 1.5\ndepartment = \"d\"\n", 3, "target"),
                     CIV_ERR_SPEC);
    assert_int_equal(spec_err("[[indicator]]\nid = \"a\"\ntarget = 0.5\ntarget_change = -0.1\n"
                              "base = \"2023\"\nby = \"2025\"\ndepartment = \"d\"\n", 4, "target_change"),
                     CIV_ERR_SPEC);
    assert_int_equal(spec_err("[[indicator]]\nid = \"a\"\ntarget = 0.5\ndepartment = \"d\"\ncolour = 1\n", 5,
                              "colour"), CIV_ERR_SPEC);
    assert_int_equal(spec_err("[[indicator]]\nid = \"a\"\ntarget = 0.5\ndepartment = \"d\"\n"
                              "[[indicator]]\nid = \"a\"\ntarget = 0.5\ndepartment = \"d\"\n", 5, "id"),
                     CIV_ERR_SPEC);
    assert_int_equal(spec_err("[[indicator]]\nid = \"a\"\ntarget_change = -0.3\nbase = \"2023\"\n"
                              "by = \"2022\"\ndepartment = \"d\"\n", 5, "by"), CIV_ERR_SPEC);
    assert_int_equal(spec_err("[[indicator]]\nid = \"a\"\ntarget = 0.5\ndepartment = \"d\"\nbetter = \"up\"\n", 5,
                              "better"), CIV_ERR_SPEC);
    assert_int_equal(spec_err("[monitor]\nalert_after = 0\n[[indicator]]\nid = \"a\"\ntarget = 0.5\n"
                              "department = \"d\"\n", 2, "alert_after"), CIV_ERR_SPEC);
    assert_int_equal(spec_err("[[indicator]]\nid = \"a b\"\ntarget = 0.5\ndepartment = \"d\"\n", 2, "id"),
                     CIV_ERR_SPEC);
    assert_int_equal(spec_err("[[indicator]]\nid = \"a\"\ntarget = 0.5\n", 1, "department"), CIV_ERR_SPEC);
    assert_int_equal(spec_err("[monitor]\n", 1, "indicator"), CIV_ERR_SPEC);
    /* the units' scope named as the city total's: its rows could not be told from the total's */
    assert_int_equal(spec_err("[monitor]\nscope = \"city\"\n[[indicator]]\nid = \"a\"\ntarget = 0.5\n"
                              "department = \"d\"\n", 2, "scope"), CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error()->message, "scope of the city total's rows"));
    civ_monitor_spec *none = NULL;
    assert_int_equal(civ_monitor_spec_read("/nonexistent/indicators.toml", &none), CIV_ERR_IO);
    assert_null(none);
    assert_string_equal(civ_last_error()->file, "/nonexistent/indicators.toml");
    /* the facts of a good spec */
    civ_monitor_spec *s = spec_of(SPEC);
    assert_int_equal(civ_monitor_spec_n_indicators(s), 4);
    assert_string_equal(civ_monitor_spec_indicator_id(s, 1), "accidents");
    assert_null(civ_monitor_spec_indicator_id(s, 4));
    assert_string_equal(civ_monitor_spec_scope(s), "community");
    civ_monitor_spec_free(s);
    civ_monitor_spec *bare = spec_of("[[indicator]]\nid = \"a\"\ntarget = 0.5\ndepartment = \"d\"\n");
    assert_string_equal(civ_monitor_spec_scope(bare), "unit"); /* the default */
    civ_monitor_spec_free(bare);
    assert_null(civ_monitor_spec_scope(NULL));
    civ_monitor_spec_free(NULL);
    civ_monitor_free(NULL);
}

/* civ_monitor_period_of: the one reading of a written period (the command's --period, the plan's [monitor]
 * period, Python's period=): the period's own forms, a day in one, and the errors naming the field. */
static void test_period_of(void **state)
{
    (void)state;
    civ_monitor_spec *s = spec_of(SPEC);
    arow rows[5];
    char ds[5][8];
    for (int i = 0; i < 5; i++) {
        snprintf(ds[i], sizeof ds[i], "2024-%02d", i + 1);
        rows[i] = (arow){"C1", "A", "coverage", ds[i], 0.9, 100};
    }
    civ_table *a = actuals(rows, 5);
    civ_monitor *m = NULL;
    assert_int_equal(civ_monitor_run(s, a, "a.csv", &m), CIV_OK);
    static const char *const april[] = {"2024-04", "2024/4", "2024年4月", "2024-04-15", "2024/4/30 0:00",
                                        "2024-04-01T00:00:00"};
    int64_t p = 0;
    char label[32];
    for (size_t i = 0; i < sizeof april / sizeof *april; i++) {
        p = 0;
        assert_int_equal(civ_monitor_period_of(m, april[i], "--period", &p, label, sizeof label), CIV_OK);
        assert_true(p == 12 * 2024 + 3);
        assert_string_equal(label, "2024-04");
    }
    assert_int_equal(civ_monitor_period_of(m, "2024-05", NULL, &p, NULL, 0), CIV_OK);
    assert_true(p == 12 * 2024 + 4);
    assert_int_equal(civ_monitor_period_of(m, "2024-Q2", "--period", &p, label, sizeof label), CIV_ERR_DATE);
    assert_string_equal(civ_last_error()->field, "--period");
    assert_string_equal(civ_last_error()->message, "--period '2024-Q2' is not a monthly period like the actuals' "
                                                   "(2024-01 .. 2024-05): give one such as 2024-05, or a day in one");
    assert_string_equal(label, "");
    assert_int_equal(civ_monitor_period_of(m, "2024-09", NULL, &p, label, sizeof label), CIV_ERR_DOMAIN);
    assert_string_equal(civ_last_error()->field, "period");
    assert_non_null(strstr(civ_last_error()->message, "span 2024-01 .. 2024-05"));
    assert_int_equal(civ_monitor_period_of(m, "2024-13", "[monitor] period", &p, NULL, 0), CIV_ERR_DATE);
    assert_non_null(strstr(civ_last_error()->message, "month 13"));
    assert_non_null(strstr(civ_last_error()->message, "such as 2024-05"));
    assert_int_equal(civ_monitor_period_of(NULL, "2024-04", NULL, &p, NULL, 0), CIV_ERR_INVALID_ARGUMENT);
    civ_monitor_free(m);
    civ_table_free(a);
    civ_monitor_spec_free(s);
}

/* A text table of `nc` columns and `nr` rows from cells given row by row. */
static civ_table *text_table(const char *const *names, size_t nc, const char *const *cells, size_t nr)
{
    civ_table *t = NULL;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    for (size_t c = 0; c < nc; c++)
        assert_int_equal(civ_table_add_column(t, names[c], CIV_COLUMN_TEXT, NULL), CIV_OK);
    assert_int_equal(civ_table_add_rows(t, nr, NULL), CIV_OK);
    for (size_t r = 0; r < nr; r++)
        for (size_t c = 0; c < nc; c++)
            assert_int_equal(civ_table_set_text(t, r, c, cells[r * nc + c]), CIV_OK);
    return t;
}

/* civ_monitor_unit_names: the units' names from a table of the units or from the communities (ids starting with the
 * unit's code), a unit named nowhere left out (its code stays), two names of one unit refused with both lines, and a
 * table of neither form refused naming both.  Before 2026-12-07 a monitoring had no names: its report showed codes. */
static void test_unit_names(void **state)
{
    (void)state;
    civ_monitor_spec *s = spec_of(SPEC);
    arow rows[] = {{"D01-S02", "澜中区", "incidents", "2024-01", 1, NAN},
                   {"D01-S01", "澜中区", "incidents", "2024-01", 2, NAN},
                   {"D01-S03", "澜中区", "incidents", "2024-01", 3, NAN}};
    civ_table *a = actuals(rows, 3), *out = NULL;
    civ_monitor *m = NULL;
    assert_int_equal(civ_monitor_run(s, a, "a.csv", &m), CIV_OK);
    const char *units_h[] = {"unit", "name"};
    const char *units_c[] = {"D01-S02", "东门街道", "D09-S09", "别处街道", "D01-S01", "鼓角街道"};
    civ_table *units = text_table(units_h, 2, units_c, 3);
    assert_int_equal(civ_monitor_unit_names(m, units, "units.csv", &out), CIV_OK);
    assert_int_equal(civ_table_n_rows(out), 2); /* D01-S03 named nowhere; D09-S09 not a unit */
    assert_string_equal(civ_table_column_name(out, 0), "scope");
    assert_string_equal(civ_table_text(out, 0, 0), "community");
    assert_string_equal(civ_table_text(out, 0, 1), "D01-S01");
    assert_string_equal(civ_table_text(out, 0, 2), "鼓角街道");
    assert_string_equal(civ_table_text(out, 1, 1), "D01-S02");
    assert_string_equal(civ_table_text(out, 1, 2), "东门街道");
    civ_table_free(out);
    /* the communities (the demo's communities.csv): the name in the column headed as the scope */
    const char *comm_h[] = {"unique_id", "name", "community"};
    const char *comm_c[] = {"D01-S01-C001", "民主里社区", "鼓角街道", "D01-S01-C002", "龙湖三村社区", "鼓角街道",
                            "D01-S031-C001", "别的社区", "错的街道", "D01-S03-C001", "三号社区", "三号街道"};
    civ_table *comm = text_table(comm_h, 3, comm_c, 4);
    assert_int_equal(civ_monitor_unit_names(m, comm, "communities.csv", &out), CIV_OK);
    assert_int_equal(civ_table_n_rows(out), 2);
    assert_string_equal(civ_table_text(out, 0, 2), "鼓角街道");
    assert_string_equal(civ_table_text(out, 1, 1), "D01-S03"); /* not D01-S031's */
    assert_string_equal(civ_table_text(out, 1, 2), "三号街道");
    civ_table_free(out);
    /* one unit named two ways: refused, naming both lines */
    assert_int_equal(civ_table_set_text(comm, 1, 2, "鼓楼街道"), CIV_OK);
    assert_int_equal(civ_monitor_unit_names(m, comm, "communities.csv", &out), CIV_ERR_DUPLICATE);
    assert_null(out);
    assert_non_null(strstr(civ_last_error_message(), "communities.csv:3"));
    assert_non_null(strstr(civ_last_error_message(), "at line 2"));
    /* neither form */
    const char *bad_h[] = {"code", "label"};
    const char *bad_c[] = {"D01-S01", "鼓角街道"};
    civ_table *bad = text_table(bad_h, 2, bad_c, 1);
    assert_int_equal(civ_monitor_unit_names(m, bad, "x.csv", &out), CIV_ERR_MISSING_COLUMN);
    assert_non_null(strstr(civ_last_error_message(), "unique_id"));
    assert_int_equal(civ_monitor_unit_names(NULL, bad, "x.csv", &out), CIV_ERR_INVALID_ARGUMENT);
    civ_table_free(bad), civ_table_free(comm), civ_table_free(units), civ_table_free(a);
    civ_monitor_free(m);
    civ_monitor_spec_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alert_sequence),   cmocka_unit_test(test_alert_after_three_and_step_table),
        cmocka_unit_test(test_day_dates),
        cmocka_unit_test(test_target_path),      cmocka_unit_test(test_rollup_aggregation),
        cmocka_unit_test(test_natural_unit_order),
        cmocka_unit_test(test_alerts_by_department), cmocka_unit_test(test_bad_actuals),
        cmocka_unit_test(test_bad_spec),
        cmocka_unit_test(test_percent_targets),         cmocka_unit_test(test_own_column_names),
        cmocka_unit_test(test_unit_added_later), cmocka_unit_test(test_level_weights),
        cmocka_unit_test(test_unit_closed),      cmocka_unit_test(test_whole_count_targets),
        cmocka_unit_test(test_period_of),        cmocka_unit_test(test_value_text),
        cmocka_unit_test(test_kind_columns),     cmocka_unit_test(test_unit_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
