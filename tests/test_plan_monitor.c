/*
 * test_plan_monitor.c -- the plan's [monitor] section and stage
 * (engine/src/plan/monitor_stage.c): the keys read and resolved against the
 * plan's folder, the defaults, errors with the key's line, and a run of the
 * tiny plan whose monitoring stage gives the risk levels and the demand
 * check against the plan's own forecasts (and no indicator tables when the
 * section names none), and the folder's monitoring.xlsx (in the manifest, the report's language),
 * and [monitor] local_times: a zone-less event log read as Beijing time.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "plan.h"

#define DATA CIV_SOURCE_DIR "/tests/data/plan/"
#define DEMO CIV_SOURCE_DIR "/datasets/demo_city/"

static char path[256];

/* Writes the tiny plan (absolute paths) plus `monitor` into a temporary file. */
static const char *plan_file(const char *monitor)
{
    snprintf(path, sizeof path, "%s/civ_plan_monitor_%ld.toml", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (long)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "[plan]\npanel = \"%smeals.csv\"\ncommunities = \"%scommunities.csv\"\nspec = \"%splan.spec\"\n"
               "[forecast]\nmodel = \"snaive\"\nhorizon = 24\n%s",
            DATA, DATA, DATA, monitor);
    fclose(f);
    return path;
}

static void test_read(void **state)
{
    (void)state;
    civ_plan *p = NULL;
    assert_int_equal(civ_plan_read(plan_file("[monitor]\nrisks = \"" DEMO "risks.csv\"\n"
                                             "indicators = \"x.toml\"\nactuals = \"/abs/a.csv\"\n"
                                             "warn_horizon = 3\nwarn_scope = [\"district\", \"city\"]\n"
                                             "threshold = 0.7\nperiod = \"2024-06\"\n"),
                                   &p),
                     CIV_OK);
    assert_true(civ_plan_has_monitor(p));
    assert_string_equal(civ_plan_warn_model(p), "snaive"); /* the plan's model */
    char want[512];
    const char *slash = strrchr(path, '/');
    snprintf(want, sizeof want, "%.*s/x.toml", (int)(slash - path), path);
    assert_string_equal(p->mon_indicators, want); /* relative to the plan's folder */
    assert_string_equal(p->mon_actuals, "/abs/a.csv");
    assert_int_equal(p->warn_h, 3);
    assert_int_equal(p->n_warn_scopes, 2);
    assert_string_equal(p->warn_scopes[1], "city");
    assert_true(p->threshold == 0.7);
    assert_true(p->mon_period_set && p->mon_period == 12 * 2024 + 5);
    assert_string_equal(p->mon_period_text, "2024-06"); /* for civ_monitor_period_of, once the actuals are read */
    civ_plan_free(p);
    assert_int_equal(civ_plan_read(plan_file("[monitor]\nrisks = \"r.csv\"\nwarn_model = \"ets\"\n"), &p), CIV_OK);
    assert_string_equal(civ_plan_warn_model(p), "ets");
    assert_false(p->mon_period_set);
    assert_true(p->threshold == 0.5);
    civ_plan_free(p);
    /* a percentage with its sign, as the spec's pace = "20%" */
    assert_int_equal(civ_plan_read(plan_file("[monitor]\nrisks = \"r.csv\"\nthreshold = \"80%\"\n"), &p), CIV_OK);
    assert_true(p->threshold == 0.8);
    civ_plan_free(p);
    unlink(path);
}

static void expect_error(const char *monitor, const char *field)
{
    civ_plan *p = NULL;
    assert_int_equal(civ_plan_read(plan_file(monitor), &p), CIV_ERR_SPEC);
    assert_null(p);
    assert_string_equal(civ_last_error()->field, field);
    assert_true(civ_last_error()->line >= 8); /* the [monitor] lines come after the tiny plan's 7 */
    unlink(path);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("[monitor]\nrisks = \"r.csv\"\ncolour = 1\n", "colour");
    expect_error("[monitor]\nindicators = \"i.toml\"\n", "actuals");
    expect_error("[monitor]\nindicators = \"i.toml\"\nactuals = \"a.csv\"\nthreshold = 1.5\n", "threshold");
    /* 80 meant 80%: the cure, as the spec's fraction keys give it */
    expect_error("[monitor]\nindicators = \"i.toml\"\nactuals = \"a.csv\"\nthreshold = 80\n", "threshold");
    assert_non_null(strstr(civ_last_error()->message, "[monitor] threshold: threshold 80 is not a probability in "
                                                      "(0, 1): a percentage? write 0.8 for 80%"));
    expect_error("[monitor]\nindicators = \"i.toml\"\nactuals = \"a.csv\"\nthreshold = \"180%\"\n", "threshold");
    expect_error("[monitor]\nindicators = \"i.toml\"\nactuals = \"a.csv\"\nthreshold = true\n", "threshold");
    expect_error("[monitor]\nrisks = \"r.csv\"\nwarn_horizon = 3\n", "warn_horizon");
    expect_error("[monitor]\nrisks = \"r.csv\"\nwarn_scope = \"city\"\n", "warn_scope");
    expect_error("[monitor]\nrisks = \"r.csv\"\nperiod = \"2024-13\"\n", "period");
}

static void test_run(void **state)
{
    (void)state;
    civ_plan *p = NULL;
    civ_plan_result *r = NULL;
    /* the plan's forecasts start after its data, so its own meals check nothing: refused, naming the
     * file (an empty demand.csv read as "demand on plan") */
    assert_int_equal(civ_plan_read(plan_file("[monitor]\nrisks = \"" DEMO "risks.csv\"\n"
                                             "demand_actuals = \"" DATA "meals.csv\"\n"),
                                   &p),
                     CIV_OK);
    assert_int_equal(civ_plan_set_threads(p, 1), CIV_OK);
    assert_int_equal(civ_plan_run(p, NULL, &r), CIV_ERR_NOT_FOUND);
    assert_null(r);
    assert_string_equal(civ_last_error()->file, DATA "meals.csv");
    assert_string_equal(civ_last_error()->field, "ds");
    civ_plan_free(p);
    assert_int_equal(civ_plan_read(plan_file("[monitor]\nrisks = \"" DEMO "risks.csv\"\n"), &p), CIV_OK);
    assert_int_equal(civ_plan_set_threads(p, 1), CIV_OK);
    assert_int_equal(civ_plan_run(p, NULL, &r), CIV_OK);
    civ_plan_stats st;
    assert_int_equal(civ_plan_result_stats(r, &st), CIV_OK);
    assert_true(st.has_monitor);
    const civ_table *risks = civ_plan_result_table(r, CIV_PLAN_RISKS);
    assert_non_null(risks);
    assert_string_equal(civ_table_text(risks, 0, 8), "high");
    assert_non_null(civ_plan_result_table(r, CIV_PLAN_RISK_MATRIX));
    assert_null(civ_plan_result_table(r, CIV_PLAN_MONITOR_STATUS));
    assert_null(civ_plan_result_table(r, CIV_PLAN_WARNING));
    assert_null(civ_plan_result_table(r, CIV_PLAN_DEMAND));
    assert_string_equal(civ_plan_table_name(CIV_PLAN_DEMAND), "demand");
    civ_plan_result_free(r);
    civ_plan_free(p);
    /* a bad register fails the whole run, naming the file */
    assert_int_equal(civ_plan_read(plan_file("[monitor]\nrisks = \"" DATA "meals.csv\"\n"), &p), CIV_OK);
    assert_int_equal(civ_plan_run(p, NULL, &r), CIV_ERR_MISSING_COLUMN);
    assert_null(r);
    assert_string_equal(civ_last_error()->file, DATA "meals.csv");
    civ_plan_free(p);
    unlink(path);
}

/* The plan with a [monitor] stage writes monitoring.xlsx beside allocation.xlsx (civ_monitor_workbook_write), in
 * the manifest's files, in the report's language, with the indicator names of the indicator file; a plan without
 * one writes none. */
static void test_workbook(void **state)
{
    (void)state;
    civ_plan *p = NULL;
    civ_plan_result *r = NULL;
    char out[300], book[400], cmd[900];
    snprintf(out, sizeof out, "%s/civ_plan_monitor_out_%ld", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (long)getpid());
    snprintf(book, sizeof book, "%s/monitoring.xlsx", out);
    assert_int_equal(civ_plan_read(plan_file("[monitor]\nindicators = \"" DEMO "indicators.toml\"\n"
                                             "actuals = \"" DEMO "monitoring.csv\"\nrisks = \"" DEMO "risks.csv\"\n"),
                                   &p),
                     CIV_OK);
    assert_int_equal(civ_plan_set_threads(p, 1), CIV_OK);
    assert_int_equal(civ_plan_run(p, NULL, &r), CIV_OK);
    assert_int_equal(civ_plan_result_write(r, out), CIV_OK);
    static const char *const text[] = {"统计期", "未达标起始期", NULL};
    civ_table_read_options o = {.sheet = "本期预警", .text_columns = text};
    civ_table *t = NULL;
    assert_int_equal(civ_table_read(book, &o, &t), CIV_OK);
    const civ_table *alerts = civ_plan_result_table(r, CIV_PLAN_MONITOR_ALERTS);
    assert_true(civ_table_n_rows(t) >= civ_table_n_rows(alerts));
    assert_string_equal(civ_table_column_name(t, 0), "部门");
    assert_string_equal(civ_table_text(t, 0, 2), civ_table_text(alerts, 0, 2)); /* the indicator's name */
    civ_table_free(t);
    o.sheet = "风险";
    assert_int_equal(civ_table_read(book, &o, &t), CIV_OK);
    assert_string_equal(civ_table_text(t, 0, 8), "高");
    civ_table_free(t);
    snprintf(cmd, sizeof cmd, "grep -q '\"name\": \"monitoring.xlsx\"' '%s/manifest.json'", out);
    assert_int_equal(system(cmd), 0);
    civ_plan_result_free(r);
    civ_plan_free(p);
    /* without [monitor]: none (and a rerun into the folder removes the earlier one with the old set) */
    assert_int_equal(civ_plan_read(plan_file(""), &p), CIV_OK);
    assert_int_equal(civ_plan_set_threads(p, 1), CIV_OK);
    assert_int_equal(civ_plan_run(p, NULL, &r), CIV_OK);
    assert_int_equal(civ_plan_result_write(r, out), CIV_OK);
    assert_int_not_equal(access(book, F_OK), 0);
    civ_plan_result_free(r);
    civ_plan_free(p);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", out);
    assert_int_equal(system(cmd), 0);
    unlink(path);
}

/* Writes `bytes` to a temporary file named after `tag`; returns its path (static per tag slot). */
static const char *scratch(int slot, const char *tag, const char *bytes)
{
    static char paths[2][256];
    const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(paths[slot], sizeof paths[slot], "%s/civ_plan_monitor_%ld_%s", dir, (long)getpid(), tag);
    FILE *f = fopen(paths[slot], "wb");
    assert_non_null(f);
    fputs(bytes, f);
    fclose(f);
    return paths[slot];
}

/* [plan] encoding and thousands (and civ_plan_set_input, as --encoding and
 * --thousands, percent as --percent) reach the [monitor] tables: a GB18030
 * risk register with a probability written "70%" and demand actuals
 * written "1,234". */
static void test_input_options(void **state)
{
    (void)state;
    /* 政策冲突风险 in GB18030 */
    const char *reg = scratch(0, "risks.csv", "risk,probability,impact,owner,mitigation\n"
                                              "\xD5\xFE\xB2\xDF\xB3\xE5\xCD\xBB\xB7\xE7\xCF\xD5,70%,severe,x,y\n");
    const char *dem = scratch(1, "demand.csv", "unique_id,ds,y\nP01,2025-01,\"1,204\"\nP01,2025-02,\"1,222\"\n");
    char monitor[800];
    snprintf(monitor, sizeof monitor, "[monitor]\nrisks = \"%s\"\ndemand_actuals = \"%s\"\n", reg, dem);
    civ_plan *p = NULL;
    civ_plan_result *r = NULL;
    assert_int_equal(civ_plan_read(plan_file(monitor), &p), CIV_OK);
    assert_int_equal(civ_plan_set_threads(p, 1), CIV_OK);
    assert_int_equal(civ_plan_run(p, NULL, &r), CIV_ERR_PARSE); /* not UTF-8: named, with the hint */
    assert_string_equal(civ_last_error()->file, reg);
    assert_non_null(strstr(civ_last_error()->message, "gb18030"));
    assert_int_equal(civ_plan_set_input(p, NULL, "gb18030", NULL, -1), CIV_OK);
    assert_int_equal(civ_plan_run(p, NULL, &r), CIV_ERR_PARSE); /* now the register's "70%", with its hint */
    assert_string_equal(civ_last_error()->file, reg);
    assert_non_null(strstr(civ_last_error()->message, "[plan] percent = true"));
    assert_int_equal(civ_plan_set_input(p, NULL, NULL, NULL, 1), CIV_OK);
    assert_int_equal(civ_plan_run(p, NULL, &r), CIV_ERR_PARSE); /* then the grouped numbers */
    assert_string_equal(civ_last_error()->file, dem);
    assert_non_null(strstr(civ_last_error()->message, "[plan] thousands = \",\""));
    assert_int_equal(civ_plan_set_input(p, NULL, NULL, ",", -1), CIV_OK);
    assert_string_equal(civ_plan_encoding(p), "gb18030");
    assert_string_equal(civ_plan_thousands(p), ",");
    assert_int_equal(civ_plan_percent(p), 1);
    assert_int_equal(civ_plan_run(p, NULL, &r), CIV_OK);
    const civ_table *risks = civ_plan_result_table(r, CIV_PLAN_RISKS);
    assert_string_equal(civ_table_text(risks, 0, 0), "政策冲突风险");
    size_t col;
    assert_int_equal(civ_table_find_column(risks, "probability", &col), CIV_OK);
    assert_true(civ_table_number(risks, 0, col) == 0.70);
    const civ_table *demand = civ_plan_result_table(r, CIV_PLAN_DEMAND); /* "1,204" read as 1204 */
    assert_int_equal(civ_table_n_rows(demand), 2);
    assert_true(civ_table_number(demand, 0, 2) == 1204 && civ_table_number(demand, 1, 2) == 1222);
    civ_plan_result_free(r);
    /* refused values change nothing; "" clears */
    assert_int_equal(civ_plan_set_input(p, "fortnightly", NULL, NULL, -1), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_plan_set_input(p, NULL, "latin1", NULL, -1), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_plan_set_input(p, NULL, NULL, ".", -1), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_plan_set_input(p, NULL, NULL, NULL, 2), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_plan_set_input(NULL, NULL, NULL, NULL, -1), CIV_ERR_INVALID_ARGUMENT);
    assert_string_equal(civ_plan_freq(p), "");
    assert_string_equal(civ_plan_thousands(p), ",");
    assert_int_equal(civ_plan_percent(p), 1);
    assert_int_equal(civ_plan_set_input(p, "MS", "", "", 0), CIV_OK);
    assert_string_equal(civ_plan_freq(p), "MS");
    assert_string_equal(civ_plan_encoding(p), "");
    assert_string_equal(civ_plan_thousands(p), "");
    assert_int_equal(civ_plan_percent(p), 0);
    civ_plan_free(p);
    unlink(reg);
    unlink(dem);
    /* in the file: checked when read, at the key */
    static const char *bad[] = {"encoding = \"latin1\"", "thousands = \".\"", "thousands = \"\"", "percent = 1"};
    static const char *key[] = {"encoding", "thousands", "thousands", "percent"};
    for (size_t k = 0; k < 4; k++) {
        const char *plan = scratch(0, "bad.toml", "");
        FILE *f = fopen(plan, "w");
        assert_non_null(f);
        fprintf(f, "[plan]\npanel = \"%smeals.csv\"\ncommunities = \"%scommunities.csv\"\nspec = \"%splan.spec\"\n%s\n",
                DATA, DATA, DATA, bad[k]);
        fclose(f);
        assert_int_equal(civ_plan_read(plan, &p), CIV_ERR_SPEC);
        assert_int_equal(civ_last_error()->line, 5);
        assert_string_equal(civ_last_error()->field, key[k]);
        unlink(plan);
    }
    unlink(path);
}

/* The demo's sensor log (every time with "Z") rewritten as an office's export in local time, UTC + `hours`,
 * without a zone (Beijing: "2025-02-28 17:08:18Z" -> "2025-03-01 01:08:18"); returns its path (slot 1). */
static const char *local_events(int hours)
{
    FILE *in = fopen(DEMO "sensor_events.csv", "r");
    assert_non_null(in);
    const char *out_path = scratch(1, "local_events.csv", "person,ts\n");
    FILE *out = fopen(out_path, "a");
    assert_non_null(out);
    char line[256], person[64];
    int y, mo, d, h, mi, sec;
    assert_non_null(fgets(line, sizeof line, in)); /* the header */
    while (fgets(line, sizeof line, in)) {
        assert_int_equal(sscanf(line, "%63[^,],%d-%d-%dT%d:%d:%dZ", person, &y, &mo, &d, &h, &mi, &sec), 7);
        struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h + hours, .tm_min = mi,
                        .tm_sec = sec};
        time_t t = timegm(&tm); /* normalises the hour past 23 */
        gmtime_r(&t, &tm);
        fprintf(out, "%s,%04d-%02d-%02d %02d:%02d:%02d\n", person, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
    }
    fclose(in);
    fclose(out);
    return out_path;
}

/* The plan's run of `events` with [monitor] `extra` (owned by the caller: its inactivity table). */
static civ_plan_result *plan_inactivity(const char *events, const char *extra, int *local_times, double *offset)
{
    char monitor[600];
    snprintf(monitor, sizeof monitor, "[monitor]\nevents = \"%s\"\n%s", events, extra);
    civ_plan *p = NULL;
    civ_plan_result *r = NULL;
    assert_int_equal(civ_plan_read(plan_file(monitor), &p), CIV_OK);
    assert_int_equal(civ_plan_event_times(p, local_times, offset), CIV_OK);
    assert_int_equal(civ_plan_set_threads(p, 1), CIV_OK);
    if (civ_plan_run(p, NULL, &r))
        fail_msg("%s", civ_last_error()->text);
    civ_plan_free(p);
    return r;
}

/* Cell by cell, two inactivity tables are the same. */
static void same_table(const civ_table *a, const civ_table *b)
{
    size_t n = civ_table_n_rows(a), nc = civ_table_n_columns(a);
    assert_int_equal(civ_table_n_rows(b), n);
    for (size_t r = 0; r < n; r++)
        for (size_t c = 0; c < nc; c++)
            if (civ_table_column_type(a, c) == CIV_COLUMN_TEXT)
                assert_string_equal(civ_table_text(b, r, c), civ_table_text(a, r, c));
            else
                assert_true(civ_table_number(b, r, c) == civ_table_number(a, r, c));
}

/* [monitor] local_times = true (the command's --local-times): a zone-less log in Beijing time gives the alerts of
 * the same log with its zones; without the key it is read as UTC, every alert 8 hours late.  utc_offset_hours (the
 * command's --utc-offset) moves local time, for the hour bins and those times: a log in UTC+5 read with 5 is the
 * zoned log's with 5.  Before 2026-12-07 a plan could say neither ("unknown key 'local_times'"). */
static void test_local_times(void **state)
{
    (void)state;
    const char *local = local_events(8);
    int lt_zoned, lt_utc, lt_local;
    double off;
    civ_plan_result *rz = plan_inactivity(DEMO "sensor_events.csv", "", &lt_zoned, &off),
                    *ru = plan_inactivity(local, "local_times = false\n", &lt_utc, &off),
                    *rl = plan_inactivity(local, "local_times = true\n", &lt_local, &off);
    const civ_table *zoned = civ_plan_result_table(rz, CIV_PLAN_INACTIVITY),
                    *as_utc = civ_plan_result_table(ru, CIV_PLAN_INACTIVITY),
                    *as_local = civ_plan_result_table(rl, CIV_PLAN_INACTIVITY);
    assert_int_equal(lt_zoned, 0);
    assert_int_equal(lt_utc, 0);
    assert_int_equal(lt_local, 1);
    assert_true(off == 8);
    assert_true(civ_table_n_rows(zoned) >= 5); /* the demo log's 5 alerts */
    same_table(zoned, as_local);
    assert_true(civ_table_n_rows(as_utc) > 0); /* read as UTC: 8 hours late */
    assert_string_not_equal(civ_table_text(as_utc, 0, 1), civ_table_text(zoned, 0, 1));
    /* UTC+5: the zoned log's hour bins at 5, and the zone-less log in UTC+5 read as such */
    local = local_events(5);
    civ_plan_result *rz5 = plan_inactivity(DEMO "sensor_events.csv", "utc_offset_hours = 5\n", &lt_zoned, &off),
                    *rl5 = plan_inactivity(local, "local_times = true\nutc_offset_hours = 5\n", &lt_local, &off);
    assert_true(off == 5 && lt_local == 1);
    const civ_table *zoned5 = civ_plan_result_table(rz5, CIV_PLAN_INACTIVITY);
    same_table(zoned5, civ_plan_result_table(rl5, CIV_PLAN_INACTIVITY));
    size_t c_hour;
    assert_int_equal(civ_table_find_column(zoned5, "hour", &c_hour), CIV_OK);
    int h;
    assert_int_equal(sscanf(civ_table_text(zoned5, 0, 1), "%*d-%*d-%*dT%d", &h), 1); /* last_event, UTC */
    assert_true(civ_table_number(zoned5, 0, c_hour) == (h + 5) % 24);
    civ_plan_result_free(rz), civ_plan_result_free(ru), civ_plan_result_free(rl);
    civ_plan_result_free(rz5), civ_plan_result_free(rl5);
    /* a bad value, and the key without events, are refused at the key */
    expect_error("[monitor]\nevents = \"e.csv\"\nlocal_times = \"yes\"\n", "local_times");
    assert_non_null(strstr(civ_last_error()->message, "must be true (event times written without a zone are local "
                                                      "time, UTC + utc_offset_hours) or false"));
    expect_error("[monitor]\nrisks = \"r.csv\"\nlocal_times = true\n", "local_times");
    assert_non_null(strstr(civ_last_error()->message, "it needs events"));
    expect_error("[monitor]\nevents = \"e.csv\"\nutc_offset_hours = 15\n", "utc_offset_hours");
    assert_non_null(strstr(civ_last_error()->message, "-14 to 14 (8 for Beijing"));
    expect_error("[monitor]\nevents = \"e.csv\"\nutc_offset_hours = \"+8\"\n", "utc_offset_hours");
    expect_error("[monitor]\nrisks = \"r.csv\"\nutc_offset_hours = 8\n", "utc_offset_hours");
    unlink(local);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_run),
        cmocka_unit_test(test_workbook),
        cmocka_unit_test(test_input_options),
        cmocka_unit_test(test_local_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
