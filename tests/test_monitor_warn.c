/*
 * test_monitor_warn.c -- early warning (engine/src/monitor/warn.c): the
 * probability of missing a target against the closed form of a Gaussian
 * forecast, Phi((target - mean) / sigma), in both directions; a skewed
 * forecast uses the side of the target; the first warning, the period the
 * mean reaches a target path and on_track; the whole chain through the
 * public forecasting API (civ_monitor_panel -> civ_forecast_panel ->
 * civ_forecast_result_table -> civ_monitor_warn); demand running ahead of
 * or behind its forecast, with the level; and bad forecast tables.
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
#include <gsl/gsl_cdf.h>

#include "monitor.h"

static const char *SPEC = "[monitor]\nscope = \"community\"\n"
                          "[[indicator]]\nid = \"coverage\"\ntarget = 0.9\ndepartment = \"CA\"\n"
                          "[[indicator]]\nid = \"accidents\"\nkind = \"count\"\nbetter = \"lower\"\n"
                          "target_change = -0.30\nbase = \"2023\"\nby = \"2025\"\ndepartment = \"EM\"\n";

static civ_monitor *monitor_of(civ_monitor_spec **spec)
{
    assert_int_equal(civ_monitor_spec_parse(SPEC, strlen(SPEC), "w.toml", spec), CIV_OK);
    civ_table *t = NULL;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    const char *names[] = {"unit", "indicator", "ds", "value", "denominator"};
    for (int c = 0; c < 5; c++)
        assert_int_equal(civ_table_add_column(t, names[c], c < 3 ? CIV_COLUMN_TEXT : CIV_COLUMN_NUMBER, NULL),
                         CIV_OK);
    assert_int_equal(civ_table_add_rows(t, 48, NULL), CIV_OK);
    for (int i = 0; i < 24; i++) {
        char ds[16];
        snprintf(ds, sizeof ds, "%d-%02d", 2023 + i / 12, i % 12 + 1);
        for (int k = 0; k < 2; k++) {
            size_t r = (size_t)(2 * i + k);
            civ_table_set_text(t, r, 0, "C1");
            civ_table_set_text(t, r, 1, k ? "accidents" : "coverage");
            civ_table_set_text(t, r, 2, ds);
            /* accidents: 10 a month in 2023, then falling by 0.1 a month */
            civ_table_set_number(t, r, 3, k ? (i < 12 ? 10.0 : 10.0 - 0.1 * (i - 11)) : 0.9 + 0.002 * (i % 5));
            civ_table_set_number(t, r, 4, 200);
        }
    }
    civ_monitor *m = NULL;
    civ_status st = civ_monitor_run(*spec, t, "w.csv", &m);
    if (st)
        fprintf(stderr, "%s\n", civ_last_error_message());
    assert_int_equal(st, CIV_OK);
    civ_table_free(t);
    return m;
}

typedef struct frow {
    const char *id, *ds;
    double mean, s_lo, s_hi;
} frow;

/* A forecast table with bounds mean -/+ z_L sigma at 80 and 95. */
static civ_table *forecasts(const frow *rows, size_t n)
{
    civ_table *t = NULL;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    const char *names[] = {"unique_id", "ds", "h", "mean", "lo-80", "hi-80", "lo-95", "hi-95"};
    for (int c = 0; c < 8; c++)
        assert_int_equal(civ_table_add_column(t, names[c], c < 2 ? CIV_COLUMN_TEXT : CIV_COLUMN_NUMBER, NULL),
                         CIV_OK);
    assert_int_equal(civ_table_add_rows(t, n, NULL), CIV_OK);
    double z80 = gsl_cdf_ugaussian_Pinv(0.9), z95 = gsl_cdf_ugaussian_Pinv(0.975);
    for (size_t r = 0; r < n; r++) {
        civ_table_set_text(t, r, 0, rows[r].id);
        civ_table_set_text(t, r, 1, rows[r].ds);
        civ_table_set_number(t, r, 2, (double)(r + 1));
        civ_table_set_number(t, r, 3, rows[r].mean);
        civ_table_set_number(t, r, 4, rows[r].mean - z80 * rows[r].s_lo);
        civ_table_set_number(t, r, 5, rows[r].mean + z80 * rows[r].s_hi);
        civ_table_set_number(t, r, 6, rows[r].mean - z95 * rows[r].s_lo);
        civ_table_set_number(t, r, 7, rows[r].mean + z95 * rows[r].s_hi);
    }
    return t;
}

static void test_gaussian_closed_form(void **state)
{
    (void)state;
    civ_monitor_spec *spec = NULL;
    civ_monitor *m = monitor_of(&spec);
    frow rows[] = {
        {"community:C1:coverage", "2025-01", 0.92, 0.01, 0.01},  /* P = Phi(-2) */
        {"community:C1:coverage", "2025-02", 0.90, 0.02, 0.02},  /* P = 1/2 (the target is the median) */
        {"community:C1:coverage", "2025-03", 0.88, 0.015, 0.015}, /* P = Phi(4/3) */
        {"community:C1:coverage", "2025-04", 0.95, 0.03, 0.005}, /* skewed: the lower side, Phi(-5/3) */
    };
    civ_table *fc = forecasts(rows, 4), *steps = NULL, *sum = NULL;
    assert_int_equal(civ_monitor_warn(m, fc, 0.5, &steps, &sum), CIV_OK);
    size_t cp, cw, cs;
    civ_table_find_column(steps, "p_miss", &cp);
    civ_table_find_column(steps, "warning", &cw);
    civ_table_find_column(steps, "sigma_lo", &cs);
    double want[] = {gsl_cdf_ugaussian_P(-2.0), 0.5, gsl_cdf_ugaussian_P(4.0 / 3.0), gsl_cdf_ugaussian_P(-5.0 / 3.0)};
    for (size_t r = 0; r < 4; r++) {
        double p = civ_table_number(steps, r, cp);
        assert_true(fabs(p - want[r]) < 1e-9);
        assert_true(civ_table_number(steps, r, cw) == (want[r] >= 0.5 - 1e-9 ? 1.0 : 0.0));
        assert_true(fabs(civ_table_number(steps, r, cs) - rows[r].s_lo) < 1e-12);
    }
    /* summary: first warning at 2025-02 (P = 0.5 >= 0.5), h = 2; max = Phi(4/3) */
    assert_int_equal(civ_table_n_rows(sum), 1);
    size_t c;
    civ_table_find_column(sum, "first_warning", &c);
    assert_string_equal(civ_table_text(sum, 0, c), "2025-02");
    civ_table_find_column(sum, "first_warning_h", &c);
    assert_true(civ_table_number(sum, 0, c) == 2.0);
    civ_table_find_column(sum, "p_miss_max", &c);
    assert_true(fabs(civ_table_number(sum, 0, c) - want[2]) < 1e-9);
    civ_table_find_column(sum, "p_miss_next", &c);
    assert_true(fabs(civ_table_number(sum, 0, c) - want[0]) < 1e-9);
    civ_table_find_column(sum, "on_track", &c);
    assert_true(isnan(civ_table_number(sum, 0, c)));
    civ_table_free(steps), civ_table_free(sum), civ_table_free(fc);
    civ_monitor_free(m);
    civ_monitor_spec_free(spec);
}

static void test_lower_is_better_and_path(void **state)
{
    (void)state;
    civ_monitor_spec *spec = NULL;
    civ_monitor *m = monitor_of(&spec);
    /* base 10; path 10 (1 - 0.3 k / 24) for 2025-k... ; the goal is 7 at 2025-12 */
    frow rows[12];
    char ds[12][8];
    for (int k = 0; k < 12; k++) {
        snprintf(ds[k], sizeof ds[k], "2025-%02d", k + 1);
        rows[k] = (frow){"community:C1:accidents", ds[k], 8.7 - 0.15 * (k + 1), 0.5, 0.5};
    }
    civ_table *fc = forecasts(rows, 12), *steps = NULL, *sum = NULL;
    assert_int_equal(civ_monitor_warn(m, fc, 0.5, &steps, &sum), CIV_OK);
    size_t cp, ct;
    civ_table_find_column(steps, "p_miss", &cp);
    civ_table_find_column(steps, "target", &ct);
    for (int k = 0; k < 12; k++) {
        double target = 10.0 * (1.0 - 0.3 * (12.0 + k + 1) / 24.0);
        assert_true(fabs(civ_table_number(steps, (size_t)k, ct) - target) < 1e-12);
        double want = 1.0 - gsl_cdf_ugaussian_P((target - rows[k].mean) / 0.5);
        assert_true(fabs(civ_table_number(steps, (size_t)k, cp) - want) < 1e-9);
    }
    /* the mean reaches 7 when 8.7 - 0.15 (k+1) <= 7: k+1 = 12 -> 2025-12, on the deadline */
    size_t c;
    civ_table_find_column(sum, "reach", &c);
    assert_string_equal(civ_table_text(sum, 0, c), "2025-12");
    civ_table_find_column(sum, "deadline", &c);
    assert_string_equal(civ_table_text(sum, 0, c), "2025-12");
    civ_table_find_column(sum, "on_track", &c);
    assert_true(civ_table_number(sum, 0, c) == 1.0);
    civ_table_find_column(sum, "goal", &c);
    assert_true(fabs(civ_table_number(sum, 0, c) - 7.0) < 1e-12);
    civ_table_free(steps), civ_table_free(sum), civ_table_free(fc);
    civ_monitor_free(m);
    civ_monitor_spec_free(spec);
}

static void test_through_the_forecasting_api(void **state)
{
    (void)state;
    civ_monitor_spec *spec = NULL;
    civ_monitor *m = monitor_of(&spec);
    civ_panel *p = NULL;
    civ_forecast_options opt;
    civ_forecast_result *res = NULL;
    civ_table *fc = NULL, *steps = NULL;
    assert_int_equal(civ_monitor_panel(m, NULL, 0, &p), CIV_OK);
    assert_int_equal(civ_forecast_options_init(&opt), CIV_OK);
    opt.model = "naive", opt.horizon = 6, opt.threads = 1;
    assert_int_equal(civ_forecast_panel(p, &opt, &res), CIV_OK);
    assert_int_equal(civ_forecast_result_table(res, p, &fc), CIV_OK);
    assert_int_equal(civ_monitor_warn(m, fc, 0.5, &steps, NULL), CIV_OK);
    assert_int_equal(civ_table_n_rows(steps), 24); /* community and city, 2 indicators */
    /* naive intervals are Gaussian: P(miss) = Phi((target - mean) / sigma_h) with sigma_h from hi-95 */
    size_t cm, ch, cp, ct;
    civ_table_find_column(fc, "mean", &cm);
    civ_table_find_column(fc, "hi-95", &ch);
    civ_table_find_column(steps, "p_miss", &cp);
    civ_table_find_column(steps, "target", &ct);
    for (size_t r = 0; r < 6; r++) { /* coverage rows come first (series order) */
        double mean = civ_table_number(fc, r, cm), sh = (civ_table_number(fc, r, ch) - mean) / 1.959963984540054;
        double want = gsl_cdf_ugaussian_P((civ_table_number(steps, r, ct) - mean) / sh);
        assert_true(fabs(civ_table_number(steps, r, cp) - want) < 1e-6);
    }
    civ_table_free(steps), civ_table_free(fc);
    civ_forecast_result_free(res);
    civ_panel_free(p);
    civ_monitor_free(m);
    civ_monitor_spec_free(spec);
}

static void test_demand_check(void **state)
{
    (void)state;
    civ_panel *p = NULL;
    double y[] = {100, 130, 80, 101};
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "C1", 12 * 2025, y, 4, NULL), CIV_OK);
    frow rows[] = {{"C1", "2025-01", 100, 5, 5}, {"C1", "2025-02", 100, 5, 5}, {"C1", "2025-03", 100, 5, 5},
                   {"C1", "2025-04", 100, 0.5, 0.5}, {"C1", "2025-05", 100, 5, 5}, {"C9", "2025-01", 1, 1, 1}};
    civ_table *fc = forecasts(rows, 6), *out = NULL;
    assert_int_equal(civ_monitor_demand_check(fc, p, &out), CIV_OK);
    assert_int_equal(civ_table_n_rows(out), 4); /* 2025-05 has no actual, C9 no series */
    /* 130: beyond hi-95 = 109.8 -> ahead at 95; 80: below lo-95 -> behind at 95;
     * 101 with sigma 0.5: hi-80 = 100.64 < 101 < hi-95 = 100.98? no: 101 > 100.98 -> 95 */
    assert_string_equal(civ_table_text(out, 0, 6), "within");
    assert_true(isnan(civ_table_number(out, 0, 5)));
    assert_string_equal(civ_table_text(out, 1, 6), "ahead");
    assert_true(civ_table_number(out, 1, 5) == 95.0);
    assert_true(fabs(civ_table_number(out, 1, 4) - 30.0) < 1e-12);
    assert_string_equal(civ_table_text(out, 2, 6), "behind");
    assert_true(civ_table_number(out, 2, 5) == 95.0);
    assert_string_equal(civ_table_text(out, 3, 6), "ahead");
    assert_true(civ_table_number(out, 3, 5) == 95.0);
    civ_table_free(out), civ_table_free(fc);
    /* 104 with sigma 5 is inside both; 107 is outside 80 only */
    frow r2[] = {{"C1", "2025-04", 94.0, 5, 5}};
    fc = forecasts(r2, 1);
    assert_int_equal(civ_monitor_demand_check(fc, p, &out), CIV_OK);
    assert_string_equal(civ_table_text(out, 0, 6), "ahead");
    assert_true(civ_table_number(out, 0, 5) == 80.0);
    civ_table_free(out), civ_table_free(fc);
    /* the forecasts of a panel dated by days (2019-01-01, ...; pandas Timestamps), as `civicast forecast`
     * writes them: a month's first or last day is that month; a day inside a month is refused with the cure */
    frow days[] = {{"C1", "2025-02-01", 100, 5, 5}, {"C1", "2025-03-31", 100, 5, 5}};
    fc = forecasts(days, 2);
    assert_int_equal(civ_monitor_demand_check(fc, p, &out), CIV_OK);
    assert_int_equal(civ_table_n_rows(out), 2);
    assert_true(civ_table_number(out, 0, 2) == 130.0 && civ_table_number(out, 1, 2) == 80.0);
    assert_string_equal(civ_table_text(out, 0, 1), "2025-02-01"); /* the forecast's ds as written */
    civ_table_free(out), civ_table_free(fc);
    frow mid[] = {{"C1", "2025-02-15", 100, 5, 5}};
    fc = forecasts(mid, 1);
    assert_int_equal(civ_monitor_demand_check(fc, p, &out), CIV_ERR_FREQUENCY);
    assert_non_null(strstr(civ_last_error()->message, "first or last day"));
    civ_table_free(fc);
    /* forecasts that check nothing are refused, not an empty table read as "demand on plan": another
     * panel's series (the indicators' forecasts against the meals), or months the actuals do not reach */
    frow other[] = {{"city:city:meal_coverage", "2025-01", 0.6, 0.1, 0.1}};
    fc = forecasts(other, 1);
    out = NULL;
    assert_int_equal(civ_monitor_demand_check(fc, p, &out), CIV_ERR_NOT_FOUND);
    assert_null(out);
    assert_string_equal(civ_last_error()->field, "unique_id");
    assert_non_null(strstr(civ_last_error()->message, "'city:city:meal_coverage'"));
    assert_non_null(strstr(civ_last_error()->message, "'C1'"));
    civ_table_free(fc);
    frow later[] = {{"C1", "2026-01", 100, 5, 5}, {"C1", "2026-02", 100, 5, 5}};
    fc = forecasts(later, 2);
    assert_int_equal(civ_monitor_demand_check(fc, p, &out), CIV_ERR_NOT_FOUND);
    assert_string_equal(civ_last_error()->field, "ds");
    assert_non_null(strstr(civ_last_error()->message, "2026-01 .. 2026-02"));
    civ_table_free(fc);
    /* a forecast row given twice (a file appended to itself, a copy-paste): its actual was checked and counted
     * twice ("3 actuals" from 2); refused with both rows named and the cure */
    frow twice[] = {{"C1", "2025-01", 100, 5, 5}, {"C1", "2025-02", 100, 5, 5}, {"C1", "2025-01", 100, 5, 5}};
    fc = forecasts(twice, 3);
    out = NULL;
    assert_int_equal(civ_monitor_demand_check(fc, p, &out), CIV_ERR_DUPLICATE);
    assert_null(out);
    assert_int_equal(civ_last_error()->line, 4);
    assert_non_null(strstr(civ_last_error()->message, "series 'C1' at 2025-01 twice (line 2 and this one)"));
    assert_non_null(strstr(civ_last_error()->message, "keep one of the two rows"));
    civ_table_free(fc);
    fc = forecasts(later, 0); /* no forecast rows: nothing was asked, an empty table */
    assert_int_equal(civ_monitor_demand_check(fc, p, &out), CIV_OK);
    assert_int_equal(civ_table_n_rows(out), 0);
    civ_table_free(out), civ_table_free(fc);
    civ_panel_free(p);
}

/* A forecast file of two models (`civicast forecast --model ets,theta`, long: a model column): each row of the
 * check carries its model, in a last column, so the ets and theta rows of one series and period are told apart
 * (before 2026-12-07 the output had no model column); a file without the column keeps the seven columns. */
static void test_demand_two_models(void **state)
{
    (void)state;
    civ_panel *p = NULL;
    double y[] = {100, 130};
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "C1", 12 * 2025, y, 2, NULL), CIV_OK);
    frow rows[] = {{"C1", "2025-01", 100, 5, 5}, {"C1", "2025-02", 100, 5, 5},  /* AutoETS: within, ahead */
                   {"C1", "2025-01", 80, 5, 5},  {"C1", "2025-02", 129, 5, 5}}; /* Theta: ahead, within */
    civ_table *fc = forecasts(rows, 2), *out = NULL; /* one model, without the column: the seven columns */
    assert_int_equal(civ_monitor_demand_check(fc, p, &out), CIV_OK);
    assert_int_equal(civ_table_n_columns(out), 7);
    civ_table_free(out), civ_table_free(fc);
    fc = forecasts(rows, 4);
    assert_int_equal(civ_table_add_column(fc, "model", CIV_COLUMN_TEXT, NULL), CIV_OK);
    for (size_t r = 0; r < 4; r++)
        assert_int_equal(civ_table_set_text(fc, r, 8, r < 2 ? "AutoETS" : "Theta"), CIV_OK);
    assert_int_equal(civ_monitor_demand_check(fc, p, &out), CIV_OK);
    assert_int_equal(civ_table_n_rows(out), 4);
    assert_int_equal(civ_table_n_columns(out), 8);
    assert_string_equal(civ_table_column_name(out, 6), "flag"); /* the columns before keep their places */
    assert_string_equal(civ_table_column_name(out, 7), "model");
    const char *models[] = {"AutoETS", "AutoETS", "Theta", "Theta"}, *flags[] = {"within", "ahead", "ahead", "within"};
    for (size_t r = 0; r < 4; r++) {
        assert_string_equal(civ_table_text(out, r, 7), models[r]);
        assert_string_equal(civ_table_text(out, r, 6), flags[r]);
    }
    civ_table_free(out), civ_table_free(fc);
    civ_panel_free(p);
}

static void test_bad_forecasts(void **state)
{
    (void)state;
    civ_monitor_spec *spec = NULL;
    civ_monitor *m = monitor_of(&spec);
    civ_table *steps = NULL;
    frow unknown[] = {{"community:C1:coverage", "2025-01", 0.9, 0.01, 0.01}, {"community:C2:coverage", "2025-01", 0.9, 0.01, 0.01}};
    civ_table *fc = forecasts(unknown, 2);
    assert_int_equal(civ_monitor_warn(m, fc, 0.5, &steps, NULL), CIV_ERR_NOT_FOUND);
    assert_null(steps);
    assert_int_equal(civ_last_error()->line, 3);
    assert_string_equal(civ_last_error()->field, "unique_id");
    assert_int_equal(civ_monitor_warn(m, fc, 1.5, &steps, NULL), CIV_ERR_INVALID_ARGUMENT);
    /* 80 meant 80%: refused with the cure, as the spec's fraction keys are (it said "must be in (0, 1)") */
    assert_int_equal(civ_monitor_warn(m, fc, 80, &steps, NULL), CIV_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(civ_last_error()->message, "a percentage? write 0.8 for 80%"));
    civ_table_free(fc);
    frow wrong[] = {{"community:C1:coverage", "2025-01", 0.9, -0.01, 0.01}};
    fc = forecasts(wrong, 1);
    assert_int_equal(civ_monitor_warn(m, fc, 0.5, &steps, NULL), CIV_ERR_DOMAIN);
    civ_table_free(fc);
    frow quarter[] = {{"community:C1:coverage", "2025-Q1", 0.9, 0.01, 0.01}};
    fc = forecasts(quarter, 1);
    assert_int_equal(civ_monitor_warn(m, fc, 0.5, &steps, NULL), CIV_ERR_FREQUENCY);
    civ_table_free(fc);
    frow first_day[] = {{"community:C1:coverage", "2025-01-01", 0.9, 0.01, 0.01}}; /* January 2025 */
    fc = forecasts(first_day, 1);
    assert_int_equal(civ_monitor_warn(m, fc, 0.5, &steps, NULL), CIV_OK);
    assert_string_equal(civ_table_text(steps, 0, 4), "2025-01");
    civ_table_free(steps), civ_table_free(fc);
    civ_monitor_free(m);
    civ_monitor_spec_free(spec);
}

/* A threshold as people write it: "0.8" and "80%" are the same double; a plain 80 (or 1, or 99.5) is a
 * percentage written for a probability, refused with the cure; 0, 100%, 150% and words are refused. */
static void test_threshold_parse(void **state)
{
    (void)state;
    double v = -1;
    assert_int_equal(civ_monitor_threshold_parse("0.8", &v), CIV_OK);
    assert_true(v == 0.8);
    v = -1;
    assert_int_equal(civ_monitor_threshold_parse("80%", &v), CIV_OK);
    assert_true(v == 0.8);
    assert_int_equal(civ_monitor_threshold_parse("12.5%", &v), CIV_OK);
    assert_true(v == 0.125);
    static const struct {
        const char *text, *words;
    } bad[] = {{"80", "threshold 80 is not a probability in (0, 1): a percentage? write 0.8 for 80% (or \"80%\")"},
               {"1", "write 0.01 for 1%"},
               {"99.5", "write 0.995 for 99.5%"},
               {"100", "not a probability in (0, 1) (0% .. 100% exclusive)"},
               {"0", "not a probability in (0, 1)"},
               {"100%", "threshold 100% is not a probability"},
               {"150%", "threshold 150% is not a probability"},
               {"-0.5", "not a probability"},
               {"half", "threshold 'half' is not a number"},
               {"", "is not a number"},
               {"0.8 ", "is not a number"}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        v = -1;
        assert_int_equal(civ_monitor_threshold_parse(bad[k].text, &v), CIV_ERR_INVALID_ARGUMENT);
        if (!strstr(civ_last_error()->message, bad[k].words))
            fail_msg("'%s': %s", bad[k].text, civ_last_error()->message);
        assert_true(v == -1);
    }
    assert_int_equal(civ_monitor_threshold_parse(NULL, &v), CIV_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gaussian_closed_form), cmocka_unit_test(test_lower_is_better_and_path),
        cmocka_unit_test(test_through_the_forecasting_api), cmocka_unit_test(test_demand_check),
        cmocka_unit_test(test_demand_two_models),
        cmocka_unit_test(test_bad_forecasts),        cmocka_unit_test(test_threshold_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
