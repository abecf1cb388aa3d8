/*
 * test_plan.c -- the plan layer (engine/src/plan): civ_plan_read on the tiny
 * plan of tests/data/plan (settings, paths resolved against the plan's
 * folder) and on broken plans (status, file:line:column, field), the
 * overrides, civ_plan_run (every table, the stage figures, the progress
 * calls in stage order, no Monte Carlo without draws), [forecast] intervals
 * and civ_plan_result_write, forecast_totals.csv (the city's and the districts'
 * sums); also the public calls added with it: civ_error_restore,
 * civ_model_family_* and civ_alloc_uncertainty_add_columns.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "civicast.h"
#include "test_files.h"

#define PLAN CIV_SOURCE_DIR "/tests/data/plan/plan.toml"

static char tmpdir[256];

static int setup(void **state)
{
    return tf_dir_make(tmpdir, sizeof tmpdir, tf_tmp_root(), "civ_test_plan_");
}

static int teardown(void **state)
{
    return tf_dir_remove(tmpdir);
}

/* Writes text to tmpdir/name; returns the path (static buffer). */
static const char *write_file(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* A text file into buf (NUL-terminated; it must fit). */
static void slurp(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, size - 1, f);
    fclose(f);
    assert_true(n > 0 && n < size - 1);
    buf[n] = '\0';
}

static void test_read_tiny_plan(void **state)
{
    civ_plan *p = NULL;
    assert_int_equal(civ_plan_read(PLAN, &p), CIV_OK);
    assert_string_equal(civ_plan_path(p), PLAN);
    assert_string_equal(civ_plan_panel(p), CIV_SOURCE_DIR "/tests/data/plan/meals.csv");
    assert_string_equal(civ_plan_communities(p), CIV_SOURCE_DIR "/tests/data/plan/communities.csv");
    assert_string_equal(civ_plan_spec(p), CIV_SOURCE_DIR "/tests/data/plan/plan.spec");
    assert_string_equal(civ_plan_out(p), "");
    assert_string_equal(civ_plan_model(p), "snaive");
    assert_int_equal(civ_plan_horizon(p), 24);
    const double *lv = NULL;
    assert_int_equal(civ_plan_levels(p, &lv), 2);
    assert_true(lv[0] == 80 && lv[1] == 95);
    assert_int_equal(civ_plan_seed(p), 7);
    assert_int_equal(civ_plan_draws(p), 200);
    assert_int_equal(civ_plan_uncertainty_seed(p), 11);
    assert_int_equal(civ_plan_threads(p), 0);
    assert_false(civ_plan_has_need(p));
    assert_string_equal(civ_plan_lang(p), "zh"); /* the report's default */
    civ_plan_free(p);
    civ_plan_free(NULL);
}

/* Reads a broken plan; checks status, line, column and field. */
static void expect_error(const char *text, civ_status status, long line, long column, const char *field,
                         const char *needle)
{
    civ_plan *p = (civ_plan *)1;
    const char *path = write_file("bad.toml", text);
    assert_int_equal(civ_plan_read(path, &p), status);
    assert_null(p);
    const civ_error *e = civ_last_error();
    assert_int_equal(e->status, status);
    assert_string_equal(e->file, path);
    assert_int_equal(e->line, line);
    assert_int_equal(e->column, column);
    assert_string_equal(e->field, field);
    if (!strstr(e->message, needle))
        fail_msg("'%s' lacks '%s'", e->message, needle);
}

static void test_read_errors(void **state)
{
    const char *base = "[plan]\npanel = \"a.csv\"\ncommunities = \"c.csv\"\nspec = \"s.spec\"\n";
    char text[2048];
    snprintf(text, sizeof text, "%scolour = 1\n", base);
    expect_error(text, CIV_ERR_SPEC, 5, 1, "colour", "[plan]: unknown key 'colour'");
    expect_error("[forecast]\nmodel = \"snaive\"\n", CIV_ERR_SPEC, 0, 0, "", "missing the [plan] section");
    snprintf(text, sizeof text, "%slang = \"fr\"\n", base);
    expect_error(text, CIV_ERR_SPEC, 5, 8, "lang", "must be \"zh\" or \"en\"");
    snprintf(text, sizeof text, "%slang = \"en\"\n", base);
    civ_plan *pl = NULL;
    assert_int_equal(civ_plan_read(write_file("en.toml", text), &pl), CIV_OK);
    assert_string_equal(civ_plan_lang(pl), "en");
    civ_plan_free(pl);
    snprintf(text, sizeof text, "%s[extra]\n", base);
    expect_error(text, CIV_ERR_SPEC, 5, 1, "extra", "unknown section 'extra'");
    snprintf(text, sizeof text, "%s[forecast]\nlevels = [80, 100]\n", base);
    expect_error(text, CIV_ERR_SPEC, 6, 10, "levels", "levels must be numbers in (0, 100)");
    snprintf(text, sizeof text, "%s[forecast]\nhorizon = 0\n", base);
    expect_error(text, CIV_ERR_SPEC, 6, 11, "horizon", "must be a whole number in [1, 1000]");
    snprintf(text, sizeof text, "%s[uncertainty]\nforecasts = 1\n", base);
    expect_error(text, CIV_ERR_SPEC, 6, 13, "forecasts", "must be true or false");
    expect_error("[plan]\npanel = \"a.csv\"\n", CIV_ERR_SPEC, 1, 1, "communities", "missing key 'communities'");
    /* a relative path too long once joined to the folder: refused, not cut */
    char longp[4100];
    memset(longp, 'a', 4090);
    longp[4090] = 0;
    char *big = malloc(8192);
    snprintf(big, 8192, "[plan]\npanel = \"%s\"\ncommunities = \"c\"\nspec = \"s\"\n", longp);
    expect_error(big, CIV_ERR_LIMIT, 0, 0, "plan.panel", "longer than 4095 bytes once joined");
    free(big);
    civ_plan *p = NULL;
    assert_int_equal(civ_plan_read("/nonexistent/plan.toml", &p), CIV_ERR_IO);
    assert_non_null(strstr(civ_last_error()->message, "cannot open the plan"));
    assert_int_equal(civ_plan_read(NULL, &p), CIV_ERR_INVALID_ARGUMENT);
}

static void test_overrides(void **state)
{
    civ_plan *p = NULL;
    assert_int_equal(civ_plan_read(PLAN, &p), CIV_OK);
    assert_int_equal(civ_plan_set_out(p, "/x/y"), CIV_OK);
    assert_int_equal(civ_plan_set_model(p, "naive"), CIV_OK);
    assert_int_equal(civ_plan_set_horizon(p, 30), CIV_OK);
    assert_int_equal(civ_plan_set_threads(p, 2), CIV_OK);
    assert_int_equal(civ_plan_set_draws(p, 0), CIV_OK);
    assert_int_equal(civ_plan_set_lang(p, "en"), CIV_OK);
    assert_int_equal(civ_plan_set_lang(p, "de"), CIV_ERR_INVALID_ARGUMENT);
    assert_string_equal(civ_plan_lang(p), "en");
    assert_string_equal(civ_plan_out(p), "/x/y");
    assert_string_equal(civ_plan_model(p), "naive");
    assert_int_equal(civ_plan_horizon(p), 30);
    assert_int_equal(civ_plan_threads(p), 2);
    assert_int_equal(civ_plan_draws(p), 0);
    assert_int_equal(civ_plan_set_horizon(p, 0), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_plan_set_threads(p, 1025), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_plan_set_threads(p, -1), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_plan_set_model(p, NULL), CIV_ERR_INVALID_ARGUMENT);
    char model[200];
    memset(model, 'm', sizeof model - 1);
    model[sizeof model - 1] = 0;
    assert_int_equal(civ_plan_set_model(p, model), CIV_ERR_LIMIT);
    assert_string_equal(civ_plan_model(p), "naive"); /* unchanged by the failed override */
    civ_plan_free(p);
}

typedef struct calls {
    char stages[16][16];
    size_t done[16], total[16];
    int n, n_forecast, n_totals;
} calls;

static int on_progress(const char *stage, size_t done, size_t total, void *user)
{
    calls *c = user;
    if (!strcmp(stage, "forecast")) {
        c->n_forecast++;
        return 0;
    }
    if (!strcmp(stage, "totals")) { /* the district hierarchy's forecast: per node, as the forecast's */
        c->n_totals++;
        return 0;
    }
    if (c->n < 16) {
        snprintf(c->stages[c->n], sizeof c->stages[c->n], "%s", stage);
        c->done[c->n] = done, c->total[c->n] = total;
        c->n++;
    }
    return 0;
}

static double column_sum(const civ_table *t, const char *name)
{
    size_t c;
    assert_int_equal(civ_table_find_column(t, name, &c), CIV_OK);
    double s = 0;
    for (size_t r = 0; r < civ_table_n_rows(t); r++)
        s += civ_table_number(t, r, c);
    return s;
}

/* Answers "stop" to the first report of the stage named in user. */
static int stop_in_stage(const char *stage, size_t done, size_t total, void *user)
{
    (void)done, (void)total;
    return !strcmp(stage, (const char *)user);
}

/* The progress callback stops the plan in any stage: CIV_ERR_CANCELLED, no
 * result; the next run of the same plan is whole. */
static void test_run_stopped(void **state)
{
    (void)state;
    civ_plan *p = NULL;
    assert_int_equal(civ_plan_read(PLAN, &p), CIV_OK);
    assert_int_equal(civ_plan_set_threads(p, 1), CIV_OK);
    static const char *const stages[] = {"forecast", "allocation", "uncertainty", "need"};
    for (size_t k = 0; k < sizeof stages / sizeof stages[0]; k++) {
        civ_plan_run_options opt = {.progress = stop_in_stage, .progress_user = (void *)stages[k]};
        civ_plan_result *r = NULL;
        assert_int_equal(civ_plan_run(p, &opt, &r), CIV_ERR_CANCELLED);
        assert_null(r);
        const char *msg = civ_last_error_message();
        if (k == 0)
            assert_non_null(strstr(msg, "stopped by the progress callback after 1 of 6 series"));
        else if (!strstr(msg, stages[k]))
            fail_msg("stopped in %s: '%s'", stages[k], msg);
    }
    civ_plan_run_options opt = {.progress = stop_in_stage, .progress_user = (void *)"no such stage"};
    civ_plan_result *r = NULL;
    assert_int_equal(civ_plan_run(p, &opt, &r), CIV_OK);
    civ_plan_result_free(r);
    civ_plan_free(p);
}

static void test_run_and_write(void **state)
{
    civ_plan *p = NULL;
    assert_int_equal(civ_plan_read(PLAN, &p), CIV_OK);
    assert_int_equal(civ_plan_set_threads(p, 1), CIV_OK);
    calls c = {0};
    civ_plan_run_options opt = {.progress = on_progress, .progress_user = &c};
    civ_plan_result *r = NULL;
    assert_int_equal(civ_plan_run(p, &opt, &r), CIV_OK);
    for (int t = 0; t <= CIV_PLAN_NEED_SUMMARY; t++)
        assert_non_null(civ_plan_result_table(r, (civ_plan_table)t));
    for (int t = CIV_PLAN_MONITOR_STATUS; t <= CIV_PLAN_DEMAND; t++) /* no [monitor] section */
        assert_null(civ_plan_result_table(r, (civ_plan_table)t));
    assert_non_null(civ_plan_result_table(r, CIV_PLAN_ALLOCATION_WATERFALL)); /* the report's rule tables */
    assert_non_null(civ_plan_result_table(r, CIV_PLAN_ALLOCATION_STAGES));
    assert_false(civ_plan_has_monitor(p));
    assert_false(civ_plan_has_backtest(p)); /* no [backtest]: no backtest tables */
    assert_null(civ_plan_result_table(r, CIV_PLAN_BACKTEST));
    assert_null(civ_plan_result_table(r, CIV_PLAN_BACKTEST_ACCURACY));
    assert_null(civ_plan_result_table(r, CIV_PLAN_BACKTEST_FAILURES));
    assert_null(civ_plan_result_table(r, CIV_PLAN_TABLE_COUNT));
    civ_plan_stats st;
    assert_int_equal(civ_plan_result_stats(r, &st), CIV_OK);
    assert_int_equal(st.n_series, 6);
    assert_int_equal(st.n_failed, 0);
    assert_int_equal(st.horizon, 24);
    assert_int_equal(st.n_draws, 200);
    assert_int_equal(st.uncertainty_seed, 11);
    assert_true(st.has_need);
    assert_int_equal(st.need_minor_unit, 100);
    assert_int_equal(st.alloc.allocated, 11400000);
    const civ_table *alloc = civ_plan_result_table(r, CIV_PLAN_ALLOCATION);
    assert_true(column_sum(alloc, "amount_fen") == 11400000.0);
    size_t col;
    assert_int_equal(civ_table_find_column(alloc, "p50_fen", &col), CIV_OK);
    assert_int_equal(civ_table_find_column(alloc, "explanation", &col), CIV_OK);
    assert_string_equal(civ_alloc_spec_currency(civ_plan_result_spec(r)), "CNY");
    /* the rule tables of the report: the waterfall's total row adds up to the
     * allocation; one "before" per community, in the allocation's order */
    const civ_table *wf = civ_plan_result_table(r, CIV_PLAN_ALLOCATION_WATERFALL);
    size_t cscope, camt, cid, cbefore, aid;
    assert_int_equal(civ_table_find_column(wf, "scope", &cscope), CIV_OK);
    assert_int_equal(civ_table_find_column(wf, "amount", &camt), CIV_OK);
    assert_string_equal(civ_table_text(wf, 0, cscope), "total");
    assert_true(civ_table_number(wf, 0, camt) == 11400000.0);
    const civ_table *stg = civ_plan_result_table(r, CIV_PLAN_ALLOCATION_STAGES);
    assert_int_equal(civ_table_n_rows(stg), civ_table_n_rows(alloc));
    assert_int_equal(civ_table_find_column(stg, "unique_id", &cid), CIV_OK);
    assert_int_equal(civ_table_find_column(stg, "before", &cbefore), CIV_OK);
    assert_int_equal(civ_table_find_column(alloc, "unique_id", &aid), CIV_OK);
    for (size_t i = 0; i < civ_table_n_rows(stg); i++) {
        assert_string_equal(civ_table_text(stg, i, cid), civ_table_text(alloc, i, aid));
        assert_true(civ_table_number(stg, i, cbefore) > 0);
    }
    /* history.csv: the last max(horizon, 24) = 24 observations of each
     * series, as the panel holds them, ending at the series' last period */
    const civ_table *hist = civ_plan_result_table(r, CIV_PLAN_HISTORY);
    assert_non_null(hist);
    civ_panel *panel = NULL;
    assert_int_equal(civ_panel_read(civ_plan_panel(p), &panel), CIV_OK);
    size_t hid, hds, hy, want_rows = 0, row = 0;
    assert_int_equal(civ_table_find_column(hist, "unique_id", &hid), CIV_OK);
    assert_int_equal(civ_table_find_column(hist, "ds", &hds), CIV_OK);
    assert_int_equal(civ_table_find_column(hist, "y", &hy), CIV_OK);
    for (size_t i = 0; i < civ_panel_n_series(panel); i++) {
        const double *v;
        size_t n, k;
        int64_t start;
        assert_int_equal(civ_panel_series(panel, i, &v, &n, &start), CIV_OK);
        k = n < 24 ? n : 24;
        want_rows += k;
        char last[32];
        assert_int_equal(civ_period_format(civ_panel_frequency(panel), 0, start + (int64_t)n - 1, last, sizeof last), CIV_OK);
        for (size_t j = 0; j < k; j++, row++) {
            assert_string_equal(civ_table_text(hist, row, hid), civ_panel_series_id(panel, i));
            double y = civ_table_number(hist, row, hy), x = v[n - k + j];
            assert_true(y == x || (y != y && x != x));
        }
        assert_string_equal(civ_table_text(hist, row - 1, hds), last);
    }
    assert_int_equal(civ_table_n_rows(hist), want_rows);
    civ_panel_free(panel);
    /* progress: forecast per series, the totals' per node, then each later stage's start and end */
    assert_true(c.n_forecast >= 1);
    assert_true(c.n_totals >= 2);
    const char *want[6] = {"allocation", "allocation", "uncertainty", "uncertainty", "need", "need"};
    assert_int_equal(c.n, 6);
    for (int k = 0; k < 6; k++)
        assert_string_equal(c.stages[k], want[k]);
    assert_true(c.done[2] == 0 && c.done[3] == 200 && c.total[3] == 200);
    /* written into a new nested folder, one CSV per table */
    char dir[400], path[500];
    snprintf(dir, sizeof dir, "%s/a/b", tmpdir);
    assert_int_equal(civ_plan_result_write(r, dir), CIV_OK);
    for (int t = 0; t < CIV_PLAN_TABLE_COUNT; t++) { /* the monitoring tables only with [monitor] */
        snprintf(path, sizeof path, "%s/%s.csv", dir, civ_plan_table_name((civ_plan_table)t));
        assert_int_equal(access(path, R_OK) == 0, ((t <= CIV_PLAN_NEED_SUMMARY || t > CIV_PLAN_DEMAND) &&
                                                   t < CIV_PLAN_BACKTEST) || t == CIV_PLAN_FORECAST_TOTALS);
    /* joins.csv only with [data] predecessors */
    }
    /* the folder is for people by default (a UTF-8 byte-order mark); {0}
     * options give the exact files for programs, without one */
    char head[4] = {0};
    snprintf(path, sizeof path, "%s/allocation.csv", dir);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    assert_int_equal(fread(head, 1, 3, fp), 3);
    fclose(fp);
    assert_memory_equal(head, "\xEF\xBB\xBF", 3);
    civ_csv_write_options exact = {0};
    assert_int_equal(civ_plan_result_write_opts(r, dir, &exact), CIV_OK);
    fp = fopen(path, "rb");
    assert_non_null(fp);
    assert_int_equal(fread(head, 1, 3, fp), 3);
    fclose(fp);
    assert_memory_equal(head, "uni", 3);
    civ_csv_write_options bad = {.significant_digits = 99};
    assert_int_equal(civ_plan_result_write_opts(r, dir, &bad), CIV_ERR_INVALID_ARGUMENT);
    assert_string_equal(civ_plan_table_name(CIV_PLAN_NEED_SUMMARY), "need_summary");
    assert_string_equal(civ_plan_table_name(CIV_PLAN_TABLE_COUNT), "");
    snprintf(dir, sizeof dir, "%s/a/b/forecasts.csv/x", tmpdir); /* a file in the way */
    assert_int_equal(civ_plan_result_write(r, dir), CIV_ERR_IO);
    assert_non_null(strstr(civ_last_error()->message, "cannot create the output folder"));
    civ_plan_result_free(r);
    civ_plan_result_free(NULL);
    civ_plan_free(p);
}

static void test_run_without_draws_and_errors(void **state)
{
    civ_plan *p = NULL;
    assert_int_equal(civ_plan_read(PLAN, &p), CIV_OK);
    assert_int_equal(civ_plan_set_draws(p, 0), CIV_OK);
    civ_plan_result *r = NULL;
    assert_int_equal(civ_plan_run(p, NULL, &r), CIV_OK);
    assert_null(civ_plan_result_table(r, CIV_PLAN_UNCERTAINTY));
    size_t col;
    assert_int_equal(civ_table_find_column(civ_plan_result_table(r, CIV_PLAN_ALLOCATION), "p5_fen", &col),
                     CIV_ERR_NOT_FOUND);
    civ_plan_result_free(r);
    /* the need's years are not all forecast: the need stage's error, nothing returned */
    assert_int_equal(civ_plan_set_horizon(p, 12), CIV_OK);
    r = (civ_plan_result *)1;
    assert_int_equal(civ_plan_run(p, NULL, &r), CIV_ERR_NOT_FOUND);
    assert_null(r);
    assert_non_null(strstr(civ_last_error()->message, "forecast further ahead"));
    assert_int_equal(civ_plan_run(NULL, NULL, &r), CIV_ERR_INVALID_ARGUMENT);
    civ_plan_free(p);
    /* a missing input is named */
    const char *path = write_file("np.toml", "[plan]\npanel = \"nope.csv\"\ncommunities = \"c.csv\"\n"
                                             "spec = \"s.spec\"\n");
    assert_int_equal(civ_plan_read(path, &p), CIV_OK);
    assert_int_equal(civ_plan_run(p, NULL, &r), CIV_ERR_IO);
    assert_non_null(strstr(civ_last_error()->file, "nope.csv"));
    civ_plan_free(p);
}

/* Each input its own rows above the header ([plan] panel_skip_rows, communities_skip_rows; [monitor]
 * risks_skip_rows, ...): the tiny plan on copies of its files with a title (and a unit line) above the header
 * allocates as the plain plan does; without the key the refusal names the plan's key, not --skip-rows (an option
 * a plan does not have), at the file's own line; a key whose file is absent, or a bad count, is refused. */
static void test_skip_rows(void **state)
{
    (void)state;
    char *meals = tf_slurp(CIV_SOURCE_DIR "/tests/data/plan/meals.csv", NULL);
    char *comm = tf_slurp(CIV_SOURCE_DIR "/tests/data/plan/communities.csv", NULL);
    char *spec = tf_slurp(CIV_SOURCE_DIR "/tests/data/plan/plan.spec", NULL);
    char *text = malloc(strlen(meals) + 64);
    assert_non_null(text);
    sprintf(text, "2025年社区助餐统计\n%s", meals);
    write_file("m.csv", text);
    sprintf(text, "2025年各社区人口统计,,\n单位：人,,\n%s", comm);
    write_file("c.csv", text);
    write_file("plan.spec", spec);
    free(text), free(meals), free(comm), free(spec);
    static const char head[] = "[plan]\npanel = \"m.csv\"\ncommunities = \"c.csv\"\nspec = \"plan.spec\"\n";
    static const char tail[] = "[forecast]\nmodel = \"snaive\"\nhorizon = 24\n[uncertainty]\ndraws = 0\n";
    char buf[512];
    snprintf(buf, sizeof buf, "%spanel_skip_rows = 1\ncommunities_skip_rows = 2\n%s", head, tail);
    civ_plan *p = NULL, *q = NULL;
    assert_int_equal(civ_plan_read(write_file("t.toml", buf), &p), CIV_OK);
    int n = -1;
    assert_int_equal(civ_plan_skip_rows(p, "communities", &n), CIV_OK);
    assert_int_equal(n, 2);
    assert_int_equal(civ_plan_skip_rows(p, "panel", &n), CIV_OK);
    assert_int_equal(n, 1);
    assert_int_equal(civ_plan_skip_rows(p, "risks", &n), CIV_OK);
    assert_int_equal(n, 0);
    assert_int_equal(civ_plan_skip_rows(p, "attributes", &n), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_plan_read(PLAN, &q), CIV_OK);
    assert_int_equal(civ_plan_set_draws(q, 0), CIV_OK);
    civ_plan_result *r = NULL, *rq = NULL;
    assert_int_equal(civ_plan_run(p, NULL, &r), CIV_OK);
    assert_int_equal(civ_plan_run(q, NULL, &rq), CIV_OK);
    const civ_table *a = civ_plan_result_table(r, CIV_PLAN_ALLOCATION), *b = civ_plan_result_table(rq,
                                                                                                CIV_PLAN_ALLOCATION);
    size_t ca, cb;
    assert_int_equal(civ_table_find_column(a, "amount_fen", &ca), CIV_OK);
    assert_int_equal(civ_table_find_column(b, "amount_fen", &cb), CIV_OK);
    assert_int_equal(civ_table_n_rows(a), civ_table_n_rows(b));
    for (size_t i = 0; i < civ_table_n_rows(a); i++)
        assert_true(civ_table_number(a, i, ca) == civ_table_number(b, i, cb));
    civ_plan_result_free(r), civ_plan_result_free(rq);
    civ_plan_free(p), civ_plan_free(q);
    /* without communities_skip_rows: the reader's count, as the plan's key, at the file's own line */
    snprintf(buf, sizeof buf, "%spanel_skip_rows = 1\n%s", head, tail);
    assert_int_equal(civ_plan_read(write_file("t.toml", buf), &p), CIV_OK);
    assert_int_not_equal(civ_plan_run(p, NULL, &r), CIV_OK);
    assert_non_null(strstr(civ_last_error()->file, "c.csv"));
    assert_int_equal(civ_last_error()->line, 3);
    assert_non_null(strstr(civ_last_error()->message, "with [plan] communities_skip_rows = 2, or delete"));
    assert_non_null(strstr(civ_last_error()->text, "[plan] communities_skip_rows = 2"));
    assert_null(strstr(civ_last_error()->text, "--skip-rows"));
    civ_plan_free(p);
    /* the panel's, and an error of a file that is no input of the plan is left as it is */
    snprintf(buf, sizeof buf, "%scommunities_skip_rows = 2\n%s", head, tail);
    assert_int_equal(civ_plan_read(write_file("t.toml", buf), &p), CIV_OK);
    assert_int_not_equal(civ_plan_run(p, NULL, &r), CIV_OK);
    assert_non_null(strstr(civ_last_error()->message, "[plan] panel_skip_rows = 1"));
    civ_status s = civ_table_read_csv(write_file("o.csv", "标题\n单位：人\nunique_id,x\na,1\n"), NULL, &(civ_table *){NULL});
    assert_int_equal(civ_plan_input_error(p, s), s);
    assert_non_null(strstr(civ_last_error()->message, "--skip-rows 2 (Python skip_rows=2)"));
    s = civ_table_read_csv(tf_path(tmpdir, "c.csv"), NULL, &(civ_table *){NULL}); /* its communities, read alone */
    assert_int_equal(civ_plan_input_error(p, s), s);
    assert_non_null(strstr(civ_last_error()->message, "[plan] communities_skip_rows = 2"));
    civ_plan_free(p);
    /* a key whose file the plan does not have, a bad count */
    snprintf(buf, sizeof buf, "%s%s[monitor]\nrisks_skip_rows = 1\n", head, tail);
    assert_int_equal(civ_plan_read(write_file("t.toml", buf), &p), CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error()->message, "risks_skip_rows: skips rows of the risks file"));
    assert_int_equal(civ_last_error()->line, 11);
    snprintf(buf, sizeof buf, "%scommunities_skip_rows = -1\n%s", head, tail);
    assert_int_equal(civ_plan_read(write_file("t.toml", buf), &p), CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error()->message, "communities_skip_rows: must be a whole number of rows"));
}

/* [backtest]: the keys, the defaults and the errors (file:line:column, key). */
/* The totals' forecasts (forecast_totals.csv), method "sum": each step's mean and bounds of the city and of
 * each district (East: P01-P03, West: the others) are the sums of their communities' in forecasts.csv; without a
 * district column, the city alone. */
static void check_totals(const civ_plan_result *r, const char *const *dists, size_t nd)
{
    const civ_table *fc = civ_plan_result_table(r, CIV_PLAN_FORECASTS), *tot;
    assert_non_null(tot = civ_plan_result_table(r, CIV_PLAN_FORECAST_TOTALS));
    static const char *const vals[] = {"mean", "lo-80", "hi-80", "lo-95", "hi-95"};
    size_t fid, fh, th, tl, tid, tds, tm, fds, fv[5], tv[5];
    assert_int_equal(civ_table_find_column(fc, "unique_id", &fid), CIV_OK);
    assert_int_equal(civ_table_find_column(fc, "h", &fh), CIV_OK);
    assert_int_equal(civ_table_find_column(fc, "ds", &fds), CIV_OK);
    assert_int_equal(civ_table_find_column(tot, "level", &tl), CIV_OK);
    assert_int_equal(civ_table_find_column(tot, "unique_id", &tid), CIV_OK);
    assert_int_equal(civ_table_find_column(tot, "ds", &tds), CIV_OK);
    assert_int_equal(civ_table_find_column(tot, "h", &th), CIV_OK);
    assert_int_equal(civ_table_find_column(tot, "method", &tm), CIV_OK);
    for (int v = 0; v < 5; v++) {
        assert_int_equal(civ_table_find_column(fc, vals[v], &fv[v]), CIV_OK);
        assert_int_equal(civ_table_find_column(tot, vals[v], &tv[v]), CIV_OK);
    }
    assert_int_equal(civ_table_n_rows(tot), (1 + nd) * 24);
    for (size_t row = 0; row < civ_table_n_rows(tot); row++) {
        size_t g = row / 24, h = row % 24 + 1;
        assert_string_equal(civ_table_text(tot, row, tl), g ? "district" : "total");
        assert_string_equal(civ_table_text(tot, row, tid), g ? dists[g - 1] : "total");
        assert_string_equal(civ_table_text(tot, row, tm), "sum");
        assert_true(civ_table_number(tot, row, th) == (double)h);
        double want[5] = {0};
        for (size_t f = 0; f < civ_table_n_rows(fc); f++) {
            const char *id = civ_table_text(fc, f, fid);
            int east = !strcmp(id, "P01") || !strcmp(id, "P02") || !strcmp(id, "P03");
            if (civ_table_number(fc, f, fh) != (double)h || (g == 1 && !east) || (g == 2 && east))
                continue;
            assert_string_equal(civ_table_text(tot, row, tds), civ_table_text(fc, f, fds));
            for (int v = 0; v < 5; v++)
                want[v] += civ_table_number(fc, f, fv[v]);
        }
        for (int v = 0; v < 5; v++)
            assert_true(fabs(civ_table_number(tot, row, tv[v]) - want[v]) <= 1e-9 * fabs(want[v]));
        assert_true(civ_table_number(tot, row, tv[1]) < civ_table_number(tot, row, tv[0]));
    }
}

/* The test plan's communities, with `drop` (a column) left out and `blank`'s district emptied (NULL: none). */
static civ_table *plan_communities(const char *drop, const char *blank)
{
    civ_table *comm = NULL, *out = NULL;
    assert_int_equal(civ_table_read_csv(CIV_SOURCE_DIR "/tests/data/plan/communities.csv", NULL, &comm), CIV_OK);
    size_t keep[16], nk = 0, cid, cd;
    assert_int_equal(civ_table_find_column(comm, "unique_id", &cid), CIV_OK);
    assert_int_equal(civ_table_find_column(comm, "district", &cd), CIV_OK);
    assert_int_equal(civ_table_create(&out), CIV_OK);
    for (size_t c = 0; c < civ_table_n_columns(comm); c++)
        if (!drop || strcmp(civ_table_column_name(comm, c), drop)) {
            assert_int_equal(civ_table_add_column(out, civ_table_column_name(comm, c), civ_table_column_type(comm, c),
                                                  NULL), CIV_OK);
            keep[nk++] = c;
        }
    assert_int_equal(civ_table_add_rows(out, civ_table_n_rows(comm), NULL), CIV_OK);
    for (size_t i = 0; i < civ_table_n_rows(comm); i++)
        for (size_t k = 0; k < nk; k++) {
            const char *text = civ_table_text(comm, i, keep[k]);
            if (keep[k] == cd && blank && !strcmp(civ_table_text(comm, i, cid), blank))
                text = "";
            assert_int_equal(civ_table_column_type(comm, keep[k]) == CIV_COLUMN_TEXT
                                 ? civ_table_set_text(out, i, k, text)
                                 : civ_table_set_number(out, i, k, civ_table_number(comm, i, keep[k])),
                             CIV_OK);
        }
    civ_table_free(comm);
    return out;
}

/* A run with these communities (NULL: the plan's own) and this panel (NULL: the plan's own) by "sum", with the
 * stats' method and a note holding `why` (NULL: no note, i.e. "sum" was asked for); its rows checked against the
 * communities' (check_totals) when the districts are dists (NULL: none; check_totals' rule for East and West). */
static void check_sum_run(civ_plan *p, const civ_table *comm, const civ_panel *panel, const char *const *dists,
                          size_t nd, const char *why)
{
    civ_plan_run_options opt = {.communities = comm, .panel = panel};
    civ_plan_result *r = NULL;
    civ_plan_stats st;
    assert_int_equal(civ_plan_run(p, &opt, &r), CIV_OK);
    assert_int_equal(civ_plan_result_stats(r, &st), CIV_OK);
    assert_string_equal(st.totals_method, "sum");
    if (why)
        assert_non_null(strstr(st.totals_note, why));
    else
        assert_string_equal(st.totals_note, "");
    if (dists || !nd)
        check_totals(r, dists, nd);
    civ_plan_result_free(r);
}

/* method "sum": asked for, and where "bu" cannot be made (no district column, a series without a district). */
static void test_forecast_totals(void **state)
{
    civ_plan *p = NULL;
    assert_int_equal(civ_plan_read(PLAN, &p), CIV_OK);
    assert_string_equal(civ_plan_totals(p), "bu"); /* the default */
    civ_plan *q = NULL; /* [forecast] totals: read, and refused with the key's line when it is neither */
    const char *key = "[plan]\npanel = \"a.csv\"\ncommunities = \"c.csv\"\nspec = \"s.spec\"\n[forecast]\n";
    char text[512];
    snprintf(text, sizeof text, "%stotals = \"sum\"\n", key);
    assert_int_equal(civ_plan_read(write_file("totals.toml", text), &q), CIV_OK);
    assert_string_equal(civ_plan_totals(q), "sum");
    civ_plan_free(q);
    snprintf(text, sizeof text, "%stotals = \"mint\"\n", key);
    assert_int_equal(civ_plan_read(write_file("totals.toml", text), &q), CIV_ERR_SPEC);
    assert_int_equal(civ_last_error()->line, 6);
    assert_non_null(strstr(civ_last_error_message(), "[forecast] totals: must be \"bu\""));
    assert_int_equal(civ_plan_set_totals(p, "mint"), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_plan_set_totals(p, "sum"), CIV_OK);
    assert_string_equal(civ_plan_totals(p), "sum");
    const char *const both[] = {"East", "West"};
    check_sum_run(p, NULL, NULL, both, 2, NULL);
    assert_string_equal(civ_plan_table_name(CIV_PLAN_FORECAST_TOTALS), "forecast_totals");
    assert_int_equal(civ_plan_set_totals(p, "bu"), CIV_OK);
    civ_table *nodist = plan_communities("district", NULL), *blank = plan_communities(NULL, "P05");
    check_sum_run(p, nodist, NULL, NULL, 0, "no community has a district");       /* the city total alone */
    check_sum_run(p, blank, NULL, NULL, 2, "(the first: 'P05')");         /* P05 in the city total only */
    civ_table_free(nodist);
    civ_table_free(blank);
    civ_plan_free(p);
}

/* method "bu" (the default): the city's and the districts' rows are civ_hier_forecast's of the district
 * hierarchy with the plan's model, horizon, levels, seed and intervals, bottom-up, bit for bit; their means the
 * sums of the communities' in forecasts.csv; a series ending early falls back to "sum", saying why. */
static void test_forecast_totals_bu(void **state)
{
    civ_plan *p = NULL;
    civ_plan_result *r = NULL;
    civ_plan_stats st;
    assert_int_equal(civ_plan_read(PLAN, &p), CIV_OK);
    assert_int_equal(civ_plan_run(p, NULL, &r), CIV_OK);
    assert_int_equal(civ_plan_result_stats(r, &st), CIV_OK);
    assert_string_equal(st.totals_method, "bu");
    assert_string_equal(st.totals_note, "");
    civ_panel *panel = NULL;
    civ_table *comm = NULL, *want = NULL;
    civ_hier *h = NULL;
    civ_hier_result *hr = NULL;
    assert_int_equal(civ_panel_read(CIV_SOURCE_DIR "/tests/data/plan/meals.csv", &panel), CIV_OK);
    assert_int_equal(civ_table_read_csv(CIV_SOURCE_DIR "/tests/data/plan/communities.csv", NULL, &comm), CIV_OK);
    const char *const levels[] = {"district"};
    assert_int_equal(civ_hier_build(panel, comm, levels, 1, NULL, 0, &h), CIV_OK);
    civ_hier_options ho;
    civ_hier_options_init(&ho);
    const double lv[] = {80, 95};
    ho.forecast.model = "snaive", ho.forecast.horizon = 24, ho.forecast.levels = lv, ho.forecast.n_levels = 2;
    ho.forecast.seed = 7, ho.method = CIV_RECONCILE_BU;
    assert_int_equal(civ_hier_forecast(h, panel, &ho, &hr), CIV_OK);
    assert_int_equal(civ_hier_result_table(hr, h, &want), CIV_OK);
    const civ_table *tot = civ_plan_result_table(r, CIV_PLAN_FORECAST_TOTALS);
    assert_int_equal(civ_table_n_rows(tot), 3 * 24); /* total, East, West: the aggregates listed first */
    static const char *const text[] = {"level", "unique_id", "ds"}, *const num[] = {"h", "mean", "lo-80", "hi-80",
                                                                                   "lo-95", "hi-95"};
    size_t a, b, m;
    assert_int_equal(civ_table_find_column(tot, "method", &m), CIV_OK);
    for (size_t row = 0; row < civ_table_n_rows(tot); row++) {
        assert_string_equal(civ_table_text(tot, row, m), "bu");
        for (int k = 0; k < 3; k++) {
            assert_int_equal(civ_table_find_column(tot, text[k], &a) | civ_table_find_column(want, text[k], &b), 0);
            assert_string_equal(civ_table_text(tot, row, a), civ_table_text(want, row, b));
        }
        for (int k = 0; k < 6; k++) {
            assert_int_equal(civ_table_find_column(tot, num[k], &a) | civ_table_find_column(want, num[k], &b), 0);
            assert_true(civ_table_number(tot, row, a) == civ_table_number(want, row, b));
        }
    }
    /* the city's mean is the sum of the communities' forecasts (as the allocation's demand) */
    const civ_table *fc = civ_plan_result_table(r, CIV_PLAN_FORECASTS);
    assert_int_equal(civ_table_find_column(fc, "mean", &a) | civ_table_find_column(tot, "mean", &b), 0);
    for (size_t s = 0; s < 24; s++) {
        double sum = 0;
        for (size_t i = 0; i < 6; i++)
            sum += civ_table_number(fc, i * 24 + s, a);
        assert_true(fabs(civ_table_number(tot, s, b) - sum) <= 1e-9 * sum);
    }
    civ_plan_result_free(r);
    /* P06 a month behind: the hierarchy needs every series to end together, so the sum, and why */
    static char text_csv[16384];
    slurp(CIV_SOURCE_DIR "/tests/data/plan/meals.csv", text_csv, sizeof text_csv);
    char *last = strrchr(text_csv, '\n');
    *last = '\0';
    *strrchr(text_csv, '\n') = '\0'; /* P06,2024-12 left out */
    civ_panel *late = NULL;
    assert_int_equal(civ_panel_read(write_file("late.csv", text_csv), &late), CIV_OK);
    check_sum_run(p, NULL, late, NULL, 2, "1 community ends before the panel's last period");
    civ_panel_free(late);
    civ_table_free(want);
    civ_hier_result_free(hr);
    civ_hier_free(h);
    civ_table_free(comm);
    civ_panel_free(panel);
    civ_plan_free(p);
}

/* A community whose forecast fails (P06 with its last 9 months, too few for snaive; the spec counts it 0): the
 * totals are still "bu", P06 left out of the hierarchy, so the city's means are the other five's sums. */
static void test_forecast_totals_bu_failed_series(void **state)
{
    static char text_csv[16384], spec[8192];
    civ_plan *p = NULL;
    civ_plan_result *r = NULL;
    civ_plan_stats st;
    slurp(CIV_SOURCE_DIR "/tests/data/plan/meals.csv", text_csv, sizeof text_csv);
    char *p06 = strstr(text_csv, "P06,"), *cut = p06;
    for (int k = 0; k < 27; k++) /* P06's 36 months, the first 27 left out */
        cut = strchr(cut, '\n') + 1;
    memmove(p06, cut, strlen(cut) + 1);
    civ_panel *young = NULL;
    assert_int_equal(civ_panel_read(write_file("young.csv", text_csv), &young), CIV_OK);
    slurp(CIV_SOURCE_DIR "/tests/data/plan/plan.spec", spec, sizeof spec - 64); /* if_missing = "zero" added */
    static const char *const after[] = {"source = \"forecast\"\n", "[need]\n"}; /* the factor's, the need's */
    for (int k = 0; k < 2; k++) {
        char *at = strstr(spec, after[k]) + strlen(after[k]);
        memmove(at + 20, at, strlen(at) + 1);
        memcpy(at, "if_missing = \"zero\"\n", 20);
    }
    char plan_text[2048];
    snprintf(plan_text, sizeof plan_text, "[plan]\npanel = \"%s\"\ncommunities = \"%s\"\nspec = \"%s\"\n"
             "[forecast]\nmodel = \"snaive\"\nhorizon = 24\nseed = 7\n", CIV_SOURCE_DIR "/tests/data/plan/meals.csv",
             CIV_SOURCE_DIR "/tests/data/plan/communities.csv", write_file("zero.spec", spec));
    assert_int_equal(civ_plan_read(write_file("zero.toml", plan_text), &p), CIV_OK);
    civ_plan_run_options yo = {.panel = young};
    assert_int_equal(civ_plan_run(p, &yo, &r), CIV_OK);
    assert_int_equal(civ_plan_result_stats(r, &st), CIV_OK);
    assert_int_equal(st.n_failed, 1);
    assert_string_equal(st.totals_method, "bu");
    assert_string_equal(st.totals_note, "");
    const civ_table *fc = civ_plan_result_table(r, CIV_PLAN_FORECASTS);
    const civ_table *tot = civ_plan_result_table(r, CIV_PLAN_FORECAST_TOTALS);
    size_t a, b;
    assert_int_equal(civ_table_find_column(fc, "mean", &a) | civ_table_find_column(tot, "mean", &b), 0);
    for (size_t s = 0; s < 24; s++) {
        double sum = 0;
        for (size_t i = 0; i < 5; i++) /* P01..P05; P06's rows are empty */
            sum += civ_table_number(fc, i * 24 + s, a);
        assert_true(isnan(civ_table_number(fc, 5 * 24 + s, a)));
        assert_true(fabs(civ_table_number(tot, s, b) - sum) <= 1e-9 * sum);
    }
    civ_plan_result_free(r);
    civ_panel_free(young);
    civ_plan_free(p);
}

static void test_read_backtest_section(void **state)
{
    const char *base = "[plan]\npanel = \"a.csv\"\ncommunities = \"c.csv\"\nspec = \"s.spec\"\n[backtest]\n";
    char text[2048];
    civ_plan *p = NULL;
    assert_int_equal(civ_plan_read(PLAN, &p), CIV_OK);
    assert_false(civ_plan_has_backtest(p));
    civ_plan_free(p);
    snprintf(text, sizeof text, "%swindows = 4\nstep = 2\nh = 6\nmodels = [\"ets\", \"snaive\"]\n", base);
    assert_int_equal(civ_plan_read(write_file("bt.toml", text), &p), CIV_OK);
    assert_true(civ_plan_has_backtest(p));
    civ_plan_free(p);
    assert_int_equal(civ_plan_read(write_file("bt0.toml", base), &p), CIV_OK); /* every key optional */
    assert_true(civ_plan_has_backtest(p));
    civ_plan_free(p);
    static const struct {
        const char *line; /* the section's one key, on line 6 */
        long column;
        const char *field, *needle;
    } bad[] = {
        {"windows = 0", 11, "windows", "[backtest] windows: must be a whole number in [1, 1000]"},
        {"step = \"6\"", 8, "step", "[backtest] step: must be a whole number"},
        {"h = 1.5", 5, "h", "[backtest] h: must be a whole number"},
        {"models = [\"ets\", \"nope\"]", 10, "models", "'nope' is not a model spec"},
        {"models = [\"snaive\", \"snaive\"]", 10, "models", "'snaive' is listed twice"},
        {"models = \"ets\"", 10, "models", "must be an array of 1 to 8 model specs"},
        {"levels = [80]", 1, "levels", "[backtest]: unknown key 'levels'"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        snprintf(text, sizeof text, "%s%s\n", base, bad[k].line);
        expect_error(text, CIV_ERR_SPEC, 6, bad[k].column, bad[k].field, bad[k].needle);
    }
    expect_error("[plan]\npanel = \"a.csv\"\ncommunities = \"c.csv\"\nspec = \"s.spec\"\n[[backtest]]\n", CIV_ERR_SPEC, 5,
                 1, "backtest", "unknown section 'backtest'");
}

/* The tiny plan with [backtest]: both tables, the stage figures, the
 * default models (the plan's and the seasonal naive, once) and the files. */
static void test_run_backtest(void **state)
{
    const char *text = "[plan]\npanel = \"" CIV_SOURCE_DIR "/tests/data/plan/meals.csv\"\n"
                       "communities = \"" CIV_SOURCE_DIR "/tests/data/plan/communities.csv\"\n"
                       "spec = \"" CIV_SOURCE_DIR "/tests/data/plan/plan.spec\"\n"
                       "[forecast]\nmodel = \"snaive\"\nhorizon = 24\n"
                       "[backtest]\nwindows = 2\nstep = 3\nh = 6\nmodels = [\"snaive\", \"naive\"]\n";
    civ_plan *p = NULL;
    assert_int_equal(civ_plan_read(write_file("run_bt.toml", text), &p), CIV_OK);
    calls c = {0};
    civ_plan_run_options opt = {.progress = on_progress, .progress_user = &c};
    civ_plan_result *r = NULL;
    assert_int_equal(civ_plan_run(p, &opt, &r), CIV_OK);
    assert_string_equal(c.stages[c.n - 1], "backtest"); /* the last stage */
    const civ_table *cv = civ_plan_result_table(r, CIV_PLAN_BACKTEST);
    const civ_table *acc = civ_plan_result_table(r, CIV_PLAN_BACKTEST_ACCURACY);
    assert_non_null(cv);
    assert_non_null(acc);
    assert_int_equal(civ_table_n_rows(cv), 6 * 2 * 2 * 6); /* series x windows x models x steps */
    assert_int_equal(civ_table_n_rows(acc), 2);
    size_t cm, cmase, cw;
    assert_int_equal(civ_table_find_column(acc, "model", &cm), CIV_OK);
    assert_int_equal(civ_table_find_column(acc, "MASE", &cmase), CIV_OK);
    assert_int_equal(civ_table_find_column(acc, "coverage-95", &cw), CIV_OK);
    assert_string_equal(civ_table_text(acc, 0, cm), "SeasonalNaive");
    assert_string_equal(civ_table_text(acc, 1, cm), "Naive");
    assert_true(civ_table_number(acc, 0, cmase) > 0 && civ_table_number(acc, 0, cmase) < 10);
    civ_plan_stats st;
    assert_int_equal(civ_plan_result_stats(r, &st), CIV_OK);
    assert_true(st.has_backtest);
    assert_int_equal(st.backtest_models, 2);
    assert_int_equal(st.backtest_windows, 2);
    assert_int_equal(st.backtest_step, 3);
    assert_int_equal(st.backtest_horizon, 6);
    assert_int_equal(st.backtest_failed, 0);
    assert_int_equal(st.backtest_no_data + st.backtest_too_short + st.backtest_short_min + st.backtest_short_max, 0);
    char dir[400], path[500];
    snprintf(dir, sizeof dir, "%s/bt", tmpdir);
    assert_int_equal(civ_plan_result_write(r, dir), CIV_OK);
    for (int t = CIV_PLAN_BACKTEST; t <= CIV_PLAN_BACKTEST_ACCURACY; t++) {
        snprintf(path, sizeof path, "%s/%s.csv", dir, civ_plan_table_name((civ_plan_table)t));
        assert_int_equal(access(path, R_OK), 0);
    }
    snprintf(path, sizeof path, "%s/backtest_failures.csv", dir); /* why windows failed, for the report */
    assert_int_equal(access(path, R_OK), 0);
    civ_plan_result_free(r);
    /* the defaults: the plan's model and the seasonal naive, h = 12 (< 24) */
    text = "[plan]\npanel = \"" CIV_SOURCE_DIR "/tests/data/plan/meals.csv\"\n"
           "communities = \"" CIV_SOURCE_DIR "/tests/data/plan/communities.csv\"\n"
           "spec = \"" CIV_SOURCE_DIR "/tests/data/plan/plan.spec\"\n"
           "[forecast]\nmodel = \"snaive\"\nhorizon = 24\n[backtest]\nwindows = 1\n";
    civ_plan_free(p);
    assert_int_equal(civ_plan_read(write_file("run_bt0.toml", text), &p), CIV_OK);
    assert_int_equal(civ_plan_run(p, NULL, &r), CIV_OK);
    assert_int_equal(civ_plan_result_stats(r, &st), CIV_OK);
    assert_int_equal(st.backtest_models, 1); /* snaive once */
    assert_int_equal(st.backtest_horizon, 12);
    civ_plan_result_free(r);
    assert_int_equal(civ_plan_set_model(p, "naive"), CIV_OK); /* --model carries over */
    assert_int_equal(civ_plan_run(p, NULL, &r), CIV_OK);
    assert_int_equal(civ_plan_result_stats(r, &st), CIV_OK);
    assert_int_equal(st.backtest_models, 2); /* the plan's model and the reference */
    assert_int_equal(st.backtest_horizon, 12);
    acc = civ_plan_result_table(r, CIV_PLAN_BACKTEST_ACCURACY);
    assert_int_equal(civ_table_find_column(acc, "model", &cm), CIV_OK);
    assert_string_equal(civ_table_text(acc, 0, cm), "Naive");
    assert_string_equal(civ_table_text(acc, 1, cm), "SeasonalNaive");
    civ_plan_result_free(r);
    civ_plan_free(p);
}

/* A plan run's forecasts and backtest windows (h = bt_h, bt_windows windows)
 * are what civ_forecast_panel and civ_backtest_panel give with *fo on the
 * plan's panel, bit for bit in `column`, and differ from `other`'s run in
 * more than half of the rows (the setting under test matters). */
static void expect_plan_made_as(const civ_plan_result *got_run, const civ_plan_result *other_run,
                                const civ_forecast_options *fo, size_t bt_h, size_t bt_windows, const char *column)
{
    civ_panel *panel = NULL;
    assert_int_equal(civ_panel_read(CIV_SOURCE_DIR "/tests/data/plan/meals.csv", &panel), CIV_OK);
    civ_forecast_result *fr = NULL;
    civ_table *want = NULL, *want_bt = NULL;
    assert_int_equal(civ_forecast_panel(panel, fo, &fr), CIV_OK);
    assert_int_equal(civ_forecast_result_table(fr, panel, &want), CIV_OK);
    civ_backtest_options bo;
    civ_backtest_options_init(&bo);
    bo.forecast = *fo;
    bo.forecast.horizon = bt_h;
    bo.windows = bt_windows;
    civ_backtest_result *br = NULL;
    assert_int_equal(civ_backtest_panel(panel, &bo, &br), CIV_OK);
    assert_int_equal(civ_backtest_result_table(br, panel, &want_bt), CIV_OK);
    const struct {
        civ_plan_table table;
        const civ_table *want;
    } pairs[] = {{CIV_PLAN_FORECASTS, want}, {CIV_PLAN_BACKTEST, want_bt}};
    for (size_t k = 0; k < 2; k++) {
        const civ_table *got = civ_plan_result_table(got_run, pairs[k].table);
        const civ_table *other = civ_plan_result_table(other_run, pairs[k].table);
        size_t cg, cw, co, rows = civ_table_n_rows(pairs[k].want);
        assert_int_equal(civ_table_n_rows(got), rows);
        assert_int_equal(civ_table_find_column(got, column, &cg), CIV_OK);
        assert_int_equal(civ_table_find_column(pairs[k].want, column, &cw), CIV_OK);
        assert_int_equal(civ_table_find_column(other, column, &co), CIV_OK);
        size_t differ = 0;
        for (size_t row = 0; row < rows; row++) {
            double g = civ_table_number(got, row, cg), w = civ_table_number(pairs[k].want, row, cw);
            assert_true(g == w || (g != g && w != w));
            differ += g != civ_table_number(other, row, co);
        }
        assert_true(differ > rows / 2);
    }
    civ_table_free(want);
    civ_table_free(want_bt);
    civ_forecast_result_free(fr);
    civ_backtest_result_free(br);
    civ_panel_free(panel);
}

/* [forecast] intervals: read, refused when not "model" or "conformal", set
 * by the override, and used by every forecast of the run: the plan's
 * forecasts equal civ_forecast_panel's with conformal intervals on the same
 * panel, its backtest windows civ_backtest_panel's; the manifest says so. */
static void test_intervals(void **state)
{
    const char *base = "[plan]\npanel = \"" CIV_SOURCE_DIR "/tests/data/plan/meals.csv\"\n"
                       "communities = \"" CIV_SOURCE_DIR "/tests/data/plan/communities.csv\"\n"
                       "spec = \"" CIV_SOURCE_DIR "/tests/data/plan/plan.spec\"\n[forecast]\n";
    char text[4096];
    civ_plan *p = NULL;
    assert_int_equal(civ_plan_read(PLAN, &p), CIV_OK);
    assert_int_equal(civ_plan_intervals(p), CIV_INTERVALS_DEFAULT);
    civ_plan_free(p);
    snprintf(text, sizeof text, "%sintervals = \"wide\"\n", base);
    expect_error(text, CIV_ERR_SPEC, 6, 13, "intervals", "must be \"model\" or \"conformal\"");
    snprintf(text, sizeof text, "%sintervals = 2\n", base);
    expect_error(text, CIV_ERR_SPEC, 6, 13, "intervals", "must be \"model\" or \"conformal\"");
    snprintf(text, sizeof text,
             "%smodel = \"theta\"\nhorizon = 24\nintervals = \"conformal\"\n[backtest]\nwindows = 2\nh = 6\n"
             "models = [\"theta\"]\n",
             base);
    assert_int_equal(civ_plan_read(write_file("conf.toml", text), &p), CIV_OK);
    assert_int_equal(civ_plan_intervals(p), CIV_INTERVALS_CONFORMAL);
    assert_int_equal(civ_plan_set_intervals(p, 7), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_plan_set_intervals(NULL, CIV_INTERVALS_MODEL), CIV_ERR_INVALID_ARGUMENT);
    civ_plan_result *conf = NULL, *model = NULL;
    assert_int_equal(civ_plan_run(p, NULL, &conf), CIV_OK);
    assert_int_equal(civ_plan_set_intervals(p, CIV_INTERVALS_MODEL), CIV_OK);
    assert_int_equal(civ_plan_run(p, NULL, &model), CIV_OK);
    /* the same calls by hand; the model's intervals are another thing */
    const double lv[] = {80, 95};
    civ_forecast_options fo;
    civ_forecast_options_init(&fo);
    fo.model = "theta", fo.horizon = 24, fo.levels = lv, fo.n_levels = 2;
    fo.intervals = CIV_INTERVALS_CONFORMAL;
    expect_plan_made_as(conf, model, &fo, 6, 2, "hi-95");
    char dir[400], path[500];
    snprintf(dir, sizeof dir, "%s/conf", tmpdir);
    assert_int_equal(civ_plan_result_write(conf, dir), CIV_OK);
    const char *const expect[][2] = {{"manifest.json", "\"intervals\": \"conformal\""},
                                     {"report.html", "保形区间"}}; /* the report says how they were made */
    for (size_t k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, expect[k][0]);
        char *content = tf_slurp(path, NULL);
        assert_non_null(content);
        assert_non_null(strstr(content, expect[k][1]));
        free(content);
    }
    civ_plan_result_free(conf);
    civ_plan_result_free(model);
    civ_plan_free(p);
}

/* [forecast] conformal_windows, conformal_step, conformal_sample and
 * conformal_refit: read (refused without intervals = "conformal", out of
 * range or of the wrong kind, at their line and column), set by the
 * override, and used by every forecast of the run: the plan's forecasts and
 * backtest windows equal civ_forecast_panel's and civ_backtest_panel's with
 * the same settings, and differ from the default settings'; the manifest
 * records them. */
static void test_conformal_settings(void **state)
{
    const char *base = "[plan]\npanel = \"" CIV_SOURCE_DIR "/tests/data/plan/meals.csv\"\n"
                       "communities = \"" CIV_SOURCE_DIR "/tests/data/plan/communities.csv\"\n"
                       "spec = \"" CIV_SOURCE_DIR "/tests/data/plan/plan.spec\"\n[forecast]\n";
    char text[4096];
    snprintf(text, sizeof text, "%sconformal_windows = 3\n", base);
    expect_error(text, CIV_ERR_SPEC, 6, 21, "conformal_windows", "add intervals = \"conformal\"");
    snprintf(text, sizeof text, "%sintervals = \"model\"\nconformal_refit = \"fixed\"\n", base);
    expect_error(text, CIV_ERR_SPEC, 7, 19, "conformal_refit", "applies to conformal intervals only");
    const struct {
        const char *line, *field, *needle;
        long column;
    } bad[] = {{"conformal_windows = 0", "conformal_windows", "whole number in [1, 1000]", 21},
               {"conformal_windows = 1001", "conformal_windows", "whole number in [1, 1000]", 21},
               {"conformal_step = 2.5", "conformal_step", "whole number in [1, 1000]", 18},
               {"conformal_sample = \"some\"", "conformal_sample", "must be \"all\" or a whole number", 20},
               {"conformal_sample = 0", "conformal_sample", "must be \"all\" or a whole number", 20},
               {"conformal_refit = \"exact\"", "conformal_refit", "must be \"search\" or \"fixed\"", 19}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        snprintf(text, sizeof text, "%sintervals = \"conformal\"\n%s\n", base, bad[k].line);
        expect_error(text, CIV_ERR_SPEC, 7, bad[k].column, bad[k].field, bad[k].needle);
    }
    snprintf(text, sizeof text,
             "%smodel = \"ets\"\nhorizon = 24\nintervals = \"conformal\"\nconformal_windows = 3\n"
             "conformal_step = 2\nconformal_sample = 2\nconformal_refit = \"fixed\"\n"
             "[backtest]\nwindows = 2\nh = 6\nmodels = [\"ets\"]\n",
             base);
    civ_plan *p = NULL;
    assert_int_equal(civ_plan_read(write_file("conf_settings.toml", text), &p), CIV_OK);
    size_t w = 0, st = 0, sm = 0;
    int rf = 0;
    assert_int_equal(civ_plan_conformal(p, &w, &st, &sm, &rf), CIV_OK);
    assert_true(w == 3 && st == 2 && sm == 2 && rf == CIV_CONFORMAL_REFIT_FIXED);
    assert_int_equal(civ_plan_conformal(NULL, &w, NULL, NULL, NULL), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_plan_set_conformal(p, 1001, 1, 0, 0), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_plan_set_conformal(p, 1, 1, 0, 3), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_plan_set_conformal(NULL, 1, 1, 0, 0), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_plan_conformal(p, &w, &st, &sm, &rf), CIV_OK); /* a refused set changes nothing */
    assert_true(w == 3 && st == 2 && sm == 2 && rf == CIV_CONFORMAL_REFIT_FIXED);
    civ_plan_result *set = NULL, *dflt = NULL;
    assert_int_equal(civ_plan_run(p, NULL, &set), CIV_OK);
    assert_int_equal(civ_plan_set_conformal(p, 0, 0, 0, CIV_CONFORMAL_REFIT_DEFAULT), CIV_OK);
    assert_int_equal(civ_plan_run(p, NULL, &dflt), CIV_OK);
    /* the same calls by hand; the settings matter */
    const double lv[] = {80, 95};
    civ_forecast_options fo;
    civ_forecast_options_init(&fo);
    fo.model = "ets", fo.horizon = 24, fo.levels = lv, fo.n_levels = 2;
    fo.intervals = CIV_INTERVALS_CONFORMAL;
    fo.conformal_windows = 3, fo.conformal_step = 2, fo.conformal_sample = 2;
    fo.conformal_refit = CIV_CONFORMAL_REFIT_FIXED;
    expect_plan_made_as(set, dflt, &fo, 6, 2, "hi-80");
    char dir[400], path[500];
    snprintf(dir, sizeof dir, "%s/conf_settings", tmpdir);
    assert_int_equal(civ_plan_result_write(set, dir), CIV_OK);
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    char *content = tf_slurp(path, NULL);
    assert_non_null(content);
    assert_non_null(
        strstr(content, "\"conformal\": {\"windows\": 3, \"step\": 2, \"sample\": 2, \"refit\": \"fixed\"}"));
    free(content);
    civ_plan_result_free(set);
    civ_plan_result_free(dflt);
    civ_plan_free(p);
}

/* Writes `table` to tmpdir/name and returns its bytes (free them). */
static char *table_bytes(const civ_table *table, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    assert_int_equal(civ_table_write_csv(table, path), CIV_OK);
    char *bytes = tf_slurp(path, NULL);
    assert_non_null(bytes);
    return bytes;
}

/* Copies a fixture to tmpdir/name with its header line replaced. */
static void copy_renamed(const char *from, const char *name, const char *header)
{
    char *text = tf_slurp(from, NULL);
    assert_non_null(text);
    const char *rows = strchr(text, '\n');
    assert_non_null(rows);
    char *out = malloc(strlen(header) + strlen(rows) + 1);
    assert_non_null(out);
    sprintf(out, "%s%s", header, rows);
    write_file(name, out);
    free(out);
    free(text);
}

/* [plan] id_column, time_column, target_column: a panel with a
 * spreadsheet's own headers (and communities keyed by the spec's [data] id)
 * gives the plan of the standard ones. */
static void test_columns(void **state)
{
    const char *spec = "spec = \"" CIV_SOURCE_DIR "/tests/data/plan/plan.spec\"\n";
    char *spec_text = tf_slurp(CIV_SOURCE_DIR "/tests/data/plan/plan.spec", NULL);
    char *data = spec_text ? strstr(spec_text, "[data]\n") : NULL;
    assert_non_null(data);
    char zh_spec[8192];
    snprintf(zh_spec, sizeof zh_spec, "%.*s[data]\nid = \"社区编号\"\n%s", (int)(data - spec_text), spec_text,
             data + strlen("[data]\n"));
    write_file("zh.spec", zh_spec);
    free(spec_text);
    const char *forecast = "[forecast]\nmodel = \"snaive\"\nhorizon = 24\n";
    char text[4096];
    snprintf(text, sizeof text,
             "[plan]\npanel = \"" CIV_SOURCE_DIR "/tests/data/plan/meals.csv\"\n"
             "communities = \"" CIV_SOURCE_DIR "/tests/data/plan/communities.csv\"\n%s%s",
             spec, forecast);
    civ_plan *standard = NULL, *own = NULL;
    assert_int_equal(civ_plan_read(write_file("standard.toml", text), &standard), CIV_OK);
    assert_string_equal(civ_plan_id_column(standard), "");
    copy_renamed(CIV_SOURCE_DIR "/tests/data/plan/meals.csv", "meals_zh.csv", "\xEF\xBB\xBF社区编号,月份,用餐人次");
    copy_renamed(CIV_SOURCE_DIR "/tests/data/plan/communities.csv", "communities_zh.csv",
                 "社区编号,district,population,aged60,aged60_share,migrant_share,last_year_funding");
    snprintf(text, sizeof text,
             "[plan]\npanel = \"meals_zh.csv\"\ncommunities = \"communities_zh.csv\"\nspec = \"zh.spec\"\n"
             "id_column = \"社区编号\"\ntime_column = \"月份\"\ntarget_column = \"用餐人次\"\n%s",
             forecast);
    assert_int_equal(civ_plan_read(write_file("own.toml", text), &own), CIV_OK);
    assert_string_equal(civ_plan_id_column(own), "社区编号");
    assert_string_equal(civ_plan_time_column(own), "月份");
    assert_string_equal(civ_plan_target_column(own), "用餐人次");
    civ_plan_result *a = NULL, *b = NULL;
    assert_int_equal(civ_plan_run(standard, NULL, &a), CIV_OK);
    assert_int_equal(civ_plan_run(own, NULL, &b), CIV_OK);
    const civ_plan_table tables[] = {CIV_PLAN_FORECASTS, CIV_PLAN_ALLOCATION};
    for (size_t k = 0; k < 2; k++) {
        char *x = table_bytes(civ_plan_result_table(a, tables[k]), "a.csv");
        char *y = table_bytes(civ_plan_result_table(b, tables[k]), "b.csv");
        assert_string_equal(x, y);
        free(x);
        free(y);
    }
    civ_plan_result_free(a);
    civ_plan_result_free(b);
    /* overrides: NULL keeps, "" clears (then the file's own headers are missing) */
    assert_int_equal(civ_plan_set_columns(own, NULL, "", NULL), CIV_OK);
    assert_string_equal(civ_plan_id_column(own), "社区编号");
    assert_string_equal(civ_plan_time_column(own), "");
    assert_int_equal(civ_plan_run(own, NULL, &b), CIV_ERR_MISSING_COLUMN);
    assert_string_equal(civ_last_error()->field, "ds");
    char long_name[300];
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    assert_int_equal(civ_plan_set_columns(own, long_name, NULL, NULL), CIV_ERR_LIMIT);
    assert_string_equal(civ_plan_id_column(own), "社区编号");
    assert_int_equal(civ_plan_set_columns(NULL, NULL, NULL, NULL), CIV_ERR_INVALID_ARGUMENT);
    civ_plan_free(standard);
    civ_plan_free(own);
    /* the communities are keyed by the spec's [data] id, not by the panel's id_column */
    snprintf(text, sizeof text,
             "[plan]\npanel = \"meals_zh.csv\"\ncommunities = \"communities_zh.csv\"\n%s"
             "id_column = \"社区编号\"\ntime_column = \"月份\"\ntarget_column = \"用餐人次\"\n%s",
             spec, forecast);
    assert_int_equal(civ_plan_read(write_file("own2.toml", text), &own), CIV_OK);
    assert_int_equal(civ_plan_run(own, NULL, &b), CIV_ERR_MISSING_COLUMN);
    assert_string_equal(civ_last_error()->field, "unique_id");
    civ_plan_free(own);
    snprintf(text, sizeof text, "[plan]\npanel = \"a.csv\"\ncommunities = \"c.csv\"\n%sid_column = 3\n", spec);
    expect_error(text, CIV_ERR_SPEC, 5, 13, "id_column", "must be a non-empty string");
}

static void test_error_restore(void **state)
{
    civ_error e;
    memset(&e, 0, sizeof e);
    e.status = CIV_ERR_PARSE;
    snprintf(e.message, sizeof e.message, "bad number 'x'");
    snprintf(e.file, sizeof e.file, "a.csv");
    e.line = 3, e.column = 2;
    snprintf(e.series_id, sizeof e.series_id, "S1");
    snprintf(e.field, sizeof e.field, "y");
    civ_clear_error();
    assert_int_equal(civ_error_restore(&e), CIV_ERR_PARSE);
    assert_string_equal(civ_last_error_message(), "a.csv:3:2: bad number 'x' (series 'S1', field 'y')");
    assert_int_equal(civ_last_error()->line, 3);
    memset(e.message, 'x', sizeof e.message); /* no NUL: cut at the array's end */
    assert_int_equal(civ_error_restore(&e), CIV_ERR_PARSE);
    assert_int_equal(strlen(civ_last_error()->message), sizeof e.message - 1);
    e.status = CIV_OK;
    assert_int_equal(civ_error_restore(&e), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_error_restore(NULL), CIV_ERR_INVALID_ARGUMENT);
}

static void test_model_families(void **state)
{
    size_t n = civ_model_family_count();
    assert_true(n >= 4);
    int ets = 0;
    for (size_t i = 0; i < n; i++) {
        assert_non_null(civ_model_family_name(i));
        assert_true(civ_model_family_summary(i)[0] && civ_model_family_specs(i)[0]);
        ets += !strcmp(civ_model_family_name(i), "ets");
    }
    assert_int_equal(ets, 1);
    assert_null(civ_model_family_name(n));
    assert_null(civ_model_family_summary(n));
    assert_null(civ_model_family_specs(n));
}

static void test_uncertainty_columns_arguments(void **state)
{
    civ_table *t = NULL;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    assert_int_equal(civ_alloc_uncertainty_add_columns(NULL, t), CIV_ERR_INVALID_ARGUMENT);
    civ_table_free(t);
}

/* The fixture panel with P03's values from `cut` (a month, "YYYY-MM") on
 * left out, and id `from` written as `to`; written to tmpdir/name, and a
 * plan over it (the fixture's communities and spec, snaive, h = 24) read. */
static civ_plan *plan_over_variant(const char *name, const char *cut, const char *from, const char *to)
{
    char *text = tf_slurp(CIV_SOURCE_DIR "/tests/data/plan/meals.csv", NULL);
    assert_non_null(text);
    size_t cap = strlen(text) * 2 + 64, n = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (cut && !strncmp(line, "P03,", 4) && strncmp(line + 4, cut, 7) >= 0)
            continue;
        if (from && !strncmp(line, from, strlen(from)) && line[strlen(from)] == ',')
            n += (size_t)sprintf(out + n, "%s%s\n", to, line + strlen(from));
        else
            n += (size_t)sprintf(out + n, "%s\n", line);
    }
    write_file(name, out);
    free(out);
    free(text);
    char plan[2048];
    snprintf(plan, sizeof plan,
             "[plan]\npanel = \"%s\"\ncommunities = \"" CIV_SOURCE_DIR "/tests/data/plan/communities.csv\"\n"
             "spec = \"" CIV_SOURCE_DIR "/tests/data/plan/plan.spec\"\n[forecast]\nmodel = \"snaive\"\n"
             "horizon = 24\n",
             name);
    civ_plan *p = NULL;
    assert_int_equal(civ_plan_read(write_file("variant.toml", plan), &p), CIV_OK);
    return p;
}

/* A community that stopped reporting is forecast over the same months as
 * the others (its own forecast k + 1 .. k + 24 steps ahead); one too far
 * behind, and series that are not communities, are named before the
 * forecast runs. */
static void test_late_series_and_ids(void **state)
{
    civ_plan *p = plan_over_variant("late.csv", "2024-10", NULL, NULL);
    civ_plan_result *r = NULL;
    assert_int_equal(civ_plan_run(p, NULL, &r), CIV_OK);
    civ_plan_stats st;
    assert_int_equal(civ_plan_result_stats(r, &st), CIV_OK);
    assert_int_equal(st.n_late, 1);
    assert_int_equal(st.late_periods, 3);
    assert_int_equal(st.horizon, 24);
    const civ_table *fc = civ_plan_result_table(r, CIV_PLAN_FORECASTS);
    assert_int_equal(civ_table_n_rows(fc), 6 * 24);
    size_t cid, cds, ch, cm;
    assert_int_equal(civ_table_find_column(fc, "unique_id", &cid), CIV_OK);
    assert_int_equal(civ_table_find_column(fc, "ds", &cds), CIV_OK);
    assert_int_equal(civ_table_find_column(fc, "h", &ch), CIV_OK);
    assert_int_equal(civ_table_find_column(fc, "mean", &cm), CIV_OK);
    /* the forecast of the same panel 27 steps ahead, P03's steps 4..27 */
    civ_panel *panel = NULL;
    assert_int_equal(civ_panel_read_csv(civ_plan_panel(p), &panel), CIV_OK);
    civ_forecast_options fo;
    civ_forecast_options_init(&fo);
    fo.model = "snaive";
    fo.horizon = 27;
    fo.seed = civ_plan_seed(p);
    civ_forecast_result *f27 = NULL;
    assert_int_equal(civ_forecast_panel(panel, &fo, &f27), CIV_OK);
    size_t i3;
    assert_int_equal(civ_panel_find_series(panel, "P03", &i3), CIV_OK);
    size_t seen = 0;
    for (size_t row = 0; row < civ_table_n_rows(fc); row++) {
        if (strcmp(civ_table_text(fc, row, cid), "P03"))
            continue;
        size_t h = (size_t)civ_table_number(fc, row, ch);
        assert_true(h == ++seen);
        assert_string_equal(civ_table_text(fc, row, cds), civ_table_text(fc, h - 1, cds)); /* P01's months */
        double want = civ_forecast_result_mean(f27)[i3 * 27 + h + 2];
        assert_memory_equal(&want, &(double){civ_table_number(fc, row, cm)}, sizeof want);
    }
    assert_int_equal(seen, 24);
    assert_string_equal(civ_table_text(fc, 0, cds), "2025-01");
    civ_forecast_result_free(f27);
    civ_panel_free(panel);
    civ_plan_result_free(r);
    civ_plan_free(p);
    /* 25 periods behind, more than the horizon: refused, naming the series and its end */
    p = plan_over_variant("stale.csv", "2022-12", NULL, NULL);
    r = (civ_plan_result *)1;
    assert_int_equal(civ_plan_run(p, NULL, &r), CIV_ERR_DOMAIN);
    assert_null(r);
    assert_string_equal(civ_last_error()->series_id, "P03");
    assert_non_null(strstr(civ_last_error()->message, "ends at 2022-11, 25 periods before the panel's last period "
                                                      "2024-12"));
    civ_plan_free(p);
    /* a series that is no community: named with both files and the likely cause; a total row with dates
     * ('合计,2024-01,...') is refused by the panel's reader at its first row, before the communities */
    const char *from[] = {"P01", "P02", "P02"}, *to[] = {"P01 ", "合计", "XP02"},
               *cause[] = {"spaces around it", "looks like the sheet's total row, not a series",
                           "(key column 'unique_id'); a community closed, merged or renamed since last year? the plan "
                           "forecasts this year's communities: drop its series from the panel, or add its months to "
                           "its successor's series"};
    for (size_t k = 0; k < 3; k++) {
        p = plan_over_variant("ids.csv", NULL, from[k], to[k]);
        assert_int_equal(civ_plan_run(p, NULL, &r), k == 1 ? CIV_ERR_PARSE : CIV_ERR_NOT_FOUND);
        const civ_error *e = civ_last_error();
        assert_string_equal(e->series_id, to[k]);
        assert_non_null(strstr(e->file, "ids.csv"));
        if (k != 1)
            assert_non_null(strstr(e->message, "tests/data/plan/communities.csv"));
        if (!strstr(e->message, cause[k]))
            fail_msg("'%s' lacks '%s'", e->message, cause[k]);
        civ_plan_free(p);
    }
}

/* The mean forecasts of one community, h = 1..24, from a plan's forecast table. */
static void means_of(const civ_table *fc, const char *id, double *out)
{
    size_t cid, ch, cm, seen = 0;
    assert_int_equal(civ_table_find_column(fc, "unique_id", &cid), CIV_OK);
    assert_int_equal(civ_table_find_column(fc, "h", &ch), CIV_OK);
    assert_int_equal(civ_table_find_column(fc, "mean", &cm), CIV_OK);
    for (size_t r = 0; r < civ_table_n_rows(fc); r++)
        if (!strcmp(civ_table_text(fc, r, cid), id)) {
            out[(size_t)civ_table_number(fc, r, ch) - 1] = civ_table_number(fc, r, cm);
            seen++;
        }
    assert_int_equal(seen, 24);
}

/* [data] predecessors (docs/FORECASTING.md "When the map changes"): P01 and P02 merged into M12 from 2024-07
 * (its own six months are their sum).  Before, the plan refused P01's series (no community row), and with
 * their series dropped M12 was forecast from six months; now M12 continues P01+P02's summed history, so its
 * seasonal-naive forecast is exactly the sum of P01's and P02's, and its explanation says so. */
/* The communities table and spec of the merged-community tests, as NAME_comm.csv and NAME.spec: M12
 * continues P01 + P02 (column 前身, named by [data] predecessors in the test plan's spec). */
static void write_merged_map(const char *name)
{
    char path[64];
    snprintf(path, sizeof path, "%s_comm.csv", name);
    write_file(path, "unique_id,district,population,aged60,aged60_share,migrant_share,last_year_funding,前身\n"
                     "M12,East,3700,900,0.243243,0.4,30000,P01；P02\n"
                     "P03,East,1800,700,0.388889,0.2,15000,\n"
                     "P04,West,3000,600,0.200000,0.7,20000,\n"
                     "P05,West,900,350,0.388889,0.05,8000,\n"
                     "P06,West,2200,450,0.204545,0.3,15000,\n");
    char *spec = tf_slurp(CIV_SOURCE_DIR "/tests/data/plan/plan.spec", NULL);
    assert_non_null(spec);
    char *at = strstr(spec, "[data]\n"), *with = malloc(strlen(spec) + 64);
    assert_non_null(at);
    sprintf(with, "%.*s[data]\npredecessors = \"前身\"\n%s", (int)(at - spec), spec, at + 7);
    snprintf(path, sizeof path, "%s.spec", name);
    write_file(path, with);
    free(with);
    free(spec);
}

static void test_merged_community_history(void **state)
{
    (void)state;
    char *text = tf_slurp(CIV_SOURCE_DIR "/tests/data/plan/meals.csv", NULL);
    assert_non_null(text);
    size_t cap = strlen(text) * 2 + 64, n = 0;
    char *out = malloc(cap), *p1[36], *p2[36];
    size_t n1 = 0, n2 = 0;
    assert_non_null(out);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        int late = strlen(line) > 11 && strncmp(line + 4, "2024-07", 7) >= 0;
        if (!strncmp(line, "P01,", 4) && late)
            p1[n1++] = line;
        else if (!strncmp(line, "P02,", 4) && late)
            p2[n2++] = line;
        else
            n += (size_t)sprintf(out + n, "%s\n", line);
    }
    assert_int_equal(n1, 6);
    assert_int_equal(n2, 6);
    for (size_t k = 0; k < 6; k++) /* M12's own months: P01 + P02 */
        n += (size_t)sprintf(out + n, "M12,%.7s,%g\n", p1[k] + 4, atof(p1[k] + 12) + atof(p2[k] + 12));
    write_file("merged.csv", out);
    free(out);
    free(text);
    write_merged_map("merged");
    char plan[2048];
    snprintf(plan, sizeof plan,
             "[plan]\npanel = \"%s/merged.csv\"\ncommunities = \"%s/merged_comm.csv\"\nspec = \"%s/merged.spec\"\n"
             "[forecast]\nmodel = \"snaive\"\nhorizon = 24\n",
             tmpdir, tmpdir, tmpdir);
    civ_plan *p = NULL, *orig = NULL;
    civ_plan_result *r = NULL, *ro = NULL;
    assert_int_equal(civ_plan_read(write_file("merged.toml", plan), &p), CIV_OK);
    assert_int_equal(civ_plan_run(p, NULL, &r), CIV_OK);
    civ_plan_stats st;
    assert_int_equal(civ_plan_result_stats(r, &st), CIV_OK);
    assert_int_equal(st.n_joined, 1);
    assert_int_equal(st.n_not_joined, 0);
    assert_int_equal(st.n_predecessor_series, 2);
    assert_int_equal(st.n_series, 5);
    /* the same panel, unmerged: M12's forecast is P01's + P02's */
    snprintf(plan, sizeof plan,
             "[plan]\npanel = \"" CIV_SOURCE_DIR "/tests/data/plan/meals.csv\"\ncommunities = \"" CIV_SOURCE_DIR
             "/tests/data/plan/communities.csv\"\nspec = \"" CIV_SOURCE_DIR "/tests/data/plan/plan.spec\"\n"
             "[forecast]\nmodel = \"snaive\"\nhorizon = 24\n");
    assert_int_equal(civ_plan_read(write_file("orig.toml", plan), &orig), CIV_OK);
    assert_int_equal(civ_plan_run(orig, NULL, &ro), CIV_OK);
    double m[24], a[24], b[24];
    means_of(civ_plan_result_table(r, CIV_PLAN_FORECASTS), "M12", m);
    means_of(civ_plan_result_table(ro, CIV_PLAN_FORECASTS), "P01", a);
    means_of(civ_plan_result_table(ro, CIV_PLAN_FORECASTS), "P02", b);
    for (size_t h = 0; h < 24; h++)
        assert_true(fabs(m[h] - (a[h] + b[h])) <= 1e-9 * fabs(m[h]));
    /* the explanation says where M12's demand history came from */
    const civ_table *al = civ_plan_result_table(r, CIV_PLAN_ALLOCATION);
    size_t cid, cex;
    assert_int_equal(civ_table_find_column(al, "unique_id", &cid), CIV_OK);
    assert_int_equal(civ_table_find_column(al, "explanation", &cex), CIV_OK);
    int found = 0;
    for (size_t row = 0; row < civ_table_n_rows(al); row++)
        if (!strcmp(civ_table_text(al, row, cid), "M12")) {
            const char *e = civ_table_text(al, row, cex);
            if (!strstr(e, "（需求历史接续自 P01+P02：30 个月 2022-01..2024-06）"))
                fail_msg("explanation lacks the join: %s", e);
            found = 1;
        }
    assert_true(found);
    civ_plan_result_free(ro);
    civ_plan_free(orig);
    civ_plan_result_free(r);
    civ_plan_free(p);
}

/* The explanation of a joined history counts the panel's own periods: on a quarterly panel (the test plan's
 * months summed by quarter) P01 and P02 merged into M12, whose own quarters start in 2024-Q4 while theirs end in
 * 2024-Q2.  Before, the note said "10 个月 2022-Q1..2024-Q2" and "1 个月前身与本社区均无数据" (English "10
 * months", "1 months") whatever the frequency; now 个季度 / quarters, in both languages of the plan. */
static void test_merged_community_quarters(void **state)
{
    (void)state;
    char *text = tf_slurp(CIV_SOURCE_DIR "/tests/data/plan/meals.csv", NULL);
    assert_non_null(text);
    char ids[8][8];
    double q[8][12] = {{0}};
    size_t n_ids = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (!strncmp(line, "unique_id", 9))
            continue;
        size_t k = 0;
        while (k < n_ids && strncmp(ids[k], line, 3))
            k++;
        if (k == n_ids)
            snprintf(ids[n_ids++], sizeof ids[0], "%.3s", line);
        int y = atoi(line + 4), m = atoi(line + 9);
        q[k][(y - 2022) * 4 + (m - 1) / 3] += atof(line + 12);
    }
    free(text);
    assert_int_equal(n_ids, 6);
    char panel[8192];
    size_t n = (size_t)sprintf(panel, "unique_id,ds,y\n");
    for (size_t k = 0; k < n_ids; k++)
        for (int t = 0; t < 12; t++) {
            int merged = !strcmp(ids[k], "P01") || !strcmp(ids[k], "P02");
            if (!merged || t < 10) /* P01 and P02 end in 2024-Q2 */
                n += (size_t)sprintf(panel + n, "%s,%d-Q%d,%g\n", ids[k], 2022 + t / 4, t % 4 + 1, q[k][t]);
        }
    n += (size_t)sprintf(panel + n, "M12,2024-Q4,%g\n", q[0][11] + q[1][11]); /* M12's own quarter */
    write_file("quarters.csv", panel);
    write_merged_map("quarters");
    for (int zh = 1; zh >= 0; zh--) {
        char plan[2048];
        snprintf(plan, sizeof plan,
                 "[plan]\npanel = \"%s/quarters.csv\"\ncommunities = \"%s/quarters_comm.csv\"\n"
                 "spec = \"%s/quarters.spec\"\nlang = \"%s\"\n[forecast]\nmodel = \"snaive\"\nhorizon = 12\n",
                 tmpdir, tmpdir, tmpdir, zh ? "zh" : "en");
        civ_plan *p = NULL;
        civ_plan_result *r = NULL;
        assert_int_equal(civ_plan_read(write_file("quarters.toml", plan), &p), CIV_OK);
        if (civ_plan_run(p, NULL, &r))
            fail_msg("quarterly plan: %s", civ_last_error_message());
        civ_plan_stats st;
        assert_int_equal(civ_plan_result_stats(r, &st), CIV_OK);
        assert_int_equal(st.n_joined, 1);
        const civ_table *al = civ_plan_result_table(r, CIV_PLAN_ALLOCATION);
        size_t cid, cex;
        assert_int_equal(civ_table_find_column(al, "unique_id", &cid), CIV_OK);
        assert_int_equal(civ_table_find_column(al, "explanation", &cex), CIV_OK);
        int found = 0;
        for (size_t row = 0; row < civ_table_n_rows(al); row++)
            if (!strcmp(civ_table_text(al, row, cid), "M12")) {
                const char *e = civ_table_text(al, row, cex);
                const char *want = zh ? "（需求历史接续自 P01+P02：10 个季度 2022-Q1..2024-Q2，2024-Q3..2024-Q3 共 1 "
                                        "个季度前身与本社区均无数据，按缺失处理）"
                                      : " (demand history joined from P01+P02: 10 quarters 2022-Q1..2024-Q2, "
                                        "2024-Q3..2024-Q3, 1 quarter, missing: neither its predecessors nor it "
                                        "reported)";
                if (!strstr(e, want) || strstr(e, "月") || strstr(e, "month"))
                    fail_msg("M12's explanation (%s) does not count quarters: %s", zh ? "zh" : "en", e);
                found = 1;
            }
        assert_true(found);
        civ_plan_result_free(r);
        civ_plan_free(p);
    }
}

/* [data] predecessor_shares: P03 split into S31 (0.6) and S32 (0.4), neither with months of its own yet, and
 * P05 renamed R05 from 2023-09 with P05's months ending 2023-06.  Before, S31 and S32 were a split without a
 * share: no series, their demand counted as 0 (if_missing); now each continues its share of P03's history,
 * so its seasonal-naive forecast is exactly 0.6 (0.4) x P03's, and R05's two months between (2023-07..08)
 * stay missing, counted (stats, joins.csv) and named in its explanation. */
static void test_split_shares(void **state)
{
    (void)state;
    char *text = tf_slurp(CIV_SOURCE_DIR "/tests/data/plan/meals.csv", NULL);
    assert_non_null(text);
    size_t cap = strlen(text) * 2 + 64, n = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (!strncmp(line, "P05,", 4) && strncmp(line + 4, "2023-07", 7) >= 0) {
            if (strncmp(line + 4, "2023-09", 7) >= 0) /* R05's own months */
                n += (size_t)sprintf(out + n, "R05,%s\n", line + 4);
            continue;
        }
        n += (size_t)sprintf(out + n, "%s\n", line);
    }
    write_file("split.csv", out);
    free(out);
    free(text);
    write_file("split_comm.csv", "unique_id,district,population,aged60,aged60_share,migrant_share,"
                                 "last_year_funding,前身,份额\n"
                                 "P01,East,1200,400,0.333333,0.1,12000,,\n"
                                 "P02,East,2500,500,0.200000,0.6,18000,,\n"
                                 "S31,East,1080,420,0.388889,0.2,9000,P03,0.6\n"
                                 "S32,East,720,280,0.388889,0.2,6000,P03,40%\n"
                                 "P04,West,3000,600,0.200000,0.7,20000,,\n"
                                 "R05,West,900,350,0.388889,0.05,8000,P05,\n"
                                 "P06,West,2200,450,0.204545,0.3,15000,,\n");
    char *spec = tf_slurp(CIV_SOURCE_DIR "/tests/data/plan/plan.spec", NULL);
    assert_non_null(spec);
    char *at = strstr(spec, "[data]\n"), *with = malloc(strlen(spec) + 128);
    assert_non_null(at);
    sprintf(with, "%.*s[data]\npredecessors = \"前身\"\npredecessor_shares = \"份额\"\n%s", (int)(at - spec), spec,
            at + 7);
    write_file("split.spec", with);
    free(with);
    free(spec);
    char plan[2048];
    snprintf(plan, sizeof plan,
             "[plan]\npanel = \"%s/split.csv\"\ncommunities = \"%s/split_comm.csv\"\nspec = \"%s/split.spec\"\n"
             "[forecast]\nmodel = \"snaive\"\nhorizon = 24\n",
             tmpdir, tmpdir, tmpdir);
    civ_plan *p = NULL, *orig = NULL;
    civ_plan_result *r = NULL, *ro = NULL;
    assert_int_equal(civ_plan_read(write_file("split.toml", plan), &p), CIV_OK);
    assert_int_equal(civ_plan_run(p, NULL, &r), CIV_OK);
    civ_plan_stats st;
    assert_int_equal(civ_plan_result_stats(r, &st), CIV_OK);
    assert_int_equal(st.n_joined, 3);
    assert_int_equal(st.n_not_joined, 0);
    assert_int_equal(st.n_joined_by_share, 2);
    assert_int_equal(st.n_join_gaps, 1);
    assert_int_equal(st.n_join_gap_periods, 2);
    assert_int_equal(st.n_predecessor_series, 2);
    const civ_table *j = civ_plan_result_table(r, CIV_PLAN_JOINS);
    assert_non_null(j);
    assert_int_equal(civ_table_n_rows(j), 3);
    snprintf(plan, sizeof plan,
             "[plan]\npanel = \"" CIV_SOURCE_DIR "/tests/data/plan/meals.csv\"\ncommunities = \"" CIV_SOURCE_DIR
             "/tests/data/plan/communities.csv\"\nspec = \"" CIV_SOURCE_DIR "/tests/data/plan/plan.spec\"\n"
             "[forecast]\nmodel = \"snaive\"\nhorizon = 24\n");
    assert_int_equal(civ_plan_read(write_file("orig.toml", plan), &orig), CIV_OK);
    assert_int_equal(civ_plan_run(orig, NULL, &ro), CIV_OK);
    assert_null(civ_plan_result_table(ro, CIV_PLAN_JOINS)); /* no [data] predecessors: no joins.csv */
    double a[24], b[24], c[24], e[24], f[24];
    means_of(civ_plan_result_table(r, CIV_PLAN_FORECASTS), "S31", a);
    means_of(civ_plan_result_table(r, CIV_PLAN_FORECASTS), "S32", b);
    means_of(civ_plan_result_table(r, CIV_PLAN_FORECASTS), "R05", e);
    means_of(civ_plan_result_table(ro, CIV_PLAN_FORECASTS), "P03", c);
    means_of(civ_plan_result_table(ro, CIV_PLAN_FORECASTS), "P05", f);
    for (size_t h = 0; h < 24; h++) {
        assert_true(fabs(a[h] - 0.6 * c[h]) <= 1e-9 * fabs(c[h]));
        assert_true(fabs(b[h] - 0.4 * c[h]) <= 1e-9 * fabs(c[h]));
        assert_true(fabs(e[h] - f[h]) <= 1e-9 * fabs(f[h]));
    }
    const civ_table *al = civ_plan_result_table(r, CIV_PLAN_ALLOCATION);
    size_t cid, cex;
    assert_int_equal(civ_table_find_column(al, "unique_id", &cid), CIV_OK);
    assert_int_equal(civ_table_find_column(al, "explanation", &cex), CIV_OK);
    int found = 0;
    for (size_t row = 0; row < civ_table_n_rows(al); row++) {
        const char *id = civ_table_text(al, row, cid), *ex = civ_table_text(al, row, cex);
        const char *want = !strcmp(id, "S31")   ? "（需求历史接续自 P03（份额 0.6）：36 个月 2022-01..2024-12）"
                           : !strcmp(id, "S32") ? "（需求历史接续自 P03（份额 0.4）：36 个月 2022-01..2024-12）"
                           : !strcmp(id, "R05") ? "（需求历史接续自 P05：18 个月 2022-01..2023-06，2023-07..2023-08 共 2 "
                                                  "个月前身与本社区均无数据，按缺失处理）"
                                                : NULL;
        if (!want)
            continue;
        if (!strstr(ex, want))
            fail_msg("the explanation of %s lacks '%s': %s", id, want, ex);
        found++;
    }
    assert_int_equal(found, 3);
    civ_plan_result_free(ro);
    civ_plan_free(orig);
    civ_plan_result_free(r);
    civ_plan_free(p);
}

/* The fixture's file `src` with each row's first field P<nn> written as
 * <prefix><nn><suffix> (numeric codes as pandas and Excel write them). */
static char *recoded(const char *src, const char *name, const char *prefix, const char *suffix)
{
    char *text = tf_slurp(src, NULL);
    assert_non_null(text);
    size_t cap = strlen(text) * 2 + 64, n = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
        if (line[0] == 'P') {
            const char *comma = strchr(line, ',');
            n += (size_t)sprintf(out + n, "%s%.*s%s%s\n", prefix, (int)(comma - line - 1), line + 1, suffix, comma);
        } else {
            n += (size_t)sprintf(out + n, "%s\n", line);
        }
    char *path = strdup(write_file(name, out));
    free(out);
    free(text);
    return path;
}

static civ_plan *plan_over_codes(const char *panel, const char *comm)
{
    char plan[2048];
    snprintf(plan, sizeof plan,
             "[plan]\npanel = \"%s\"\ncommunities = \"%s\"\nspec = \"" CIV_SOURCE_DIR "/tests/data/plan/plan.spec\"\n"
             "[forecast]\nmodel = \"snaive\"\nhorizon = 24\n",
             panel, comm);
    civ_plan *p = NULL;
    assert_int_equal(civ_plan_read(write_file("codes.toml", plan), &p), CIV_OK);
    return p;
}

/* Numeric community codes as pandas and Excel write them: the panel's ids
 * written by pandas as floats (1001.0, an int column with gaps) are the
 * communities' 1001 (before: no series matched, "a community closed, merged
 * or renamed"); codes that lost their leading zeros in one file are named
 * with the cause and the cure, in both directions. */
static void test_codes_as_written(void **state)
{
    (void)state;
    const char *meals = CIV_SOURCE_DIR "/tests/data/plan/meals.csv",
               *comm = CIV_SOURCE_DIR "/tests/data/plan/communities.csv";
    char *pf = recoded(meals, "float_ids.csv", "10", ".0"), *pi = recoded(meals, "int_ids.csv", "10", ""),
         *cz = recoded(comm, "zero_comm.csv", "010", ""), *ci = recoded(comm, "int_comm.csv", "10", ""),
         *pz = recoded(meals, "zero_ids.csv", "010", "");
    civ_plan *p = plan_over_codes(pf, ci);
    civ_plan_result *r = NULL;
    assert_int_equal(civ_plan_run(p, NULL, &r), CIV_OK);
    civ_plan_result_free(r);
    civ_plan_free(p);
    /* panel 1001, communities 01001 (the panel lost the zeros), and the reverse */
    const char *panels[] = {pi, pz}, *comms[] = {cz, ci}, *series[] = {"1001", "01001"},
               *twin[] = {"the communities table has '01001', the same code with leading zeros",
                          "the communities table has '1001', the same code without its leading zeros"};
    for (size_t k = 0; k < 2; k++) {
        p = plan_over_codes(panels[k], comms[k]);
        r = NULL;
        assert_int_equal(civ_plan_run(p, NULL, &r), CIV_ERR_NOT_FOUND);
        const civ_error *e = civ_last_error();
        assert_string_equal(e->series_id, series[k]);
        if (!strstr(e->message, twin[k]) || !strstr(e->message, "format the code column as Text"))
            fail_msg("'%s' lacks '%s'", e->message, twin[k]);
        civ_plan_free(p);
    }
    free(pf), free(pi), free(cz), free(ci), free(pz);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_tiny_plan),
        cmocka_unit_test(test_read_errors),
        cmocka_unit_test(test_overrides),
        cmocka_unit_test(test_run_and_write),
        cmocka_unit_test(test_run_stopped),
        cmocka_unit_test(test_run_without_draws_and_errors),
        cmocka_unit_test(test_read_backtest_section),
        cmocka_unit_test(test_run_backtest),
        cmocka_unit_test(test_intervals),
        cmocka_unit_test(test_conformal_settings),
        cmocka_unit_test(test_columns),
        cmocka_unit_test(test_error_restore),
        cmocka_unit_test(test_model_families),
        cmocka_unit_test(test_uncertainty_columns_arguments),
        cmocka_unit_test(test_late_series_and_ids),
        cmocka_unit_test(test_merged_community_history),
        cmocka_unit_test(test_merged_community_quarters),
        cmocka_unit_test(test_split_shares),
        cmocka_unit_test(test_codes_as_written),
        cmocka_unit_test(test_skip_rows),
        cmocka_unit_test(test_forecast_totals),
        cmocka_unit_test(test_forecast_totals_bu),
        cmocka_unit_test(test_forecast_totals_bu_failed_series),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
