/*
 * test_forecast_write.c -- the chunked forecast writer (engine/src/stream/,
 * civ_forecast_panel_write) and the chunked batch under it
 * (civ_forecast_panel_chunks), issue 18 item 9.
 *
 * The reference is the whole-result path: civ_forecast_panel, then the three
 * tables written with civ_table_write_opts.  The streamed files must have the
 * same bytes (CSV) or the same cells (HDF5, read back) for chunk sizes 1, 7
 * and larger than the panel, on 1 and 3 threads.  The panel is synthetic and
 * seeded: 40 quarterly series of different lengths, so automatic ETS picks
 * models with different parameter sets (the report's parameter columns are a
 * union, in order of first appearance, that a chunk cannot know alone), plus
 * a series too short to fit and one with no value (failures).  Also: chunks
 * arrive in order and cover the panel once; a callback's error stops the
 * batch and is returned; an output that cannot be written gives CIV_ERR_IO
 * and leaves no file and no temporary file (also when the report's spill
 * cannot be made); an empty panel gives headers.
 */
#include <dirent.h>
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
#include "error.h"
#include "test_files.h"

static char dir[256];

static int setup(void **state)
{
    return tf_dir_make(dir, sizeof dir, tf_tmp_root(), "civ-fcwrite-");
}

static int teardown(void **state)
{
    return tf_dir_remove(dir);
}

static const char *path_of(const char *name)
{
    return tf_path(dir, name);
}

static void assert_same_file(const char *a, const char *b)
{
    size_t la, lb;
    char *ta = tf_slurp(a, &la), *tb = tf_slurp(b, &lb);
    if (la != lb || memcmp(ta, tb, la))
        fail_msg("%s and %s differ (%zu and %zu bytes)", a, b, la, lb);
    free(ta);
    free(tb);
}

static uint64_t lcg;
static double unif(void)
{
    lcg = lcg * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return (double)(lcg >> 11) * 0x1.0p-53;
}

static civ_panel *make_panel(size_t n_series)
{
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_QUARTERLY, &p), CIV_OK);
    lcg = 18;
    double y[40];
    for (size_t i = 0; i < n_series; i++) {
        char id[32];
        snprintf(id, sizeof id, "S%03zu", i);
        size_t n = i == 5 ? 2 : 16 + (size_t)(24 * unif());
        double level = 50 + 500 * unif(), trend = (i % 3) * (unif() - 0.4) * 4, amp = (i % 2) * 0.3 * unif();
        for (size_t t = 0; t < n; t++)
            y[t] = round((level + trend * (double)t) * (1 + amp * sin(M_PI * (double)t / 2)) *
                         (0.85 + 0.3 * unif()));
        if (i == 9)
            for (size_t t = 0; t < n; t++)
                y[t] = NAN; /* no value: the series fails */
        assert_int_equal(civ_panel_add_series(p, id, 4 * 2015 + (int64_t)(i % 4), y, n, NULL), CIV_OK);
    }
    return p;
}

static void options(civ_forecast_options *opt, int threads)
{
    assert_int_equal(civ_forecast_options_init(opt), CIV_OK);
    opt->model = "ets";
    opt->horizon = 6;
    opt->threads = threads;
    opt->n_paths = 200;
}

/* The whole result's failures, in series order (the stats must match). */
static size_t whole_failed;
static char whole_first_failed[32];

/* The reference files: the whole result's tables, written whole. */
static void write_whole(const civ_panel *panel, const char *ext)
{
    civ_forecast_options opt;
    options(&opt, 2);
    opt.want_fitted = 1;
    civ_forecast_result *r = NULL;
    assert_int_equal(civ_forecast_panel(panel, &opt, &r), CIV_OK);
    whole_failed = civ_forecast_result_n_failed(r);
    for (size_t i = civ_forecast_result_n_series(r); i-- > 0;)
        if (civ_forecast_result_status(r, i) != CIV_OK)
            snprintf(whole_first_failed, sizeof whole_first_failed, "%s", civ_panel_series_id(panel, i));
    civ_table *t = NULL;
    char name[32];
    assert_int_equal(civ_forecast_result_table(r, panel, &t), CIV_OK);
    snprintf(name, sizeof name, "whole_fc.%s", ext);
    assert_int_equal(civ_table_write_opts(t, path_of(name), NULL), CIV_OK);
    civ_table_free(t);
    assert_int_equal(civ_forecast_report_table(r, panel, &t), CIV_OK);
    snprintf(name, sizeof name, "whole_rep.%s", ext);
    assert_int_equal(civ_table_write_opts(t, path_of(name), NULL), CIV_OK);
    civ_table_free(t);
    assert_int_equal(civ_forecast_fitted_table(r, panel, &t), CIV_OK);
    snprintf(name, sizeof name, "whole_fit.%s", ext);
    assert_int_equal(civ_table_write_opts(t, path_of(name), NULL), CIV_OK);
    civ_table_free(t);
    civ_forecast_result_free(r);
}

static void write_streamed(const civ_panel *panel, const char *ext, size_t chunk, int threads,
                           civ_forecast_write_stats *st)
{
    civ_forecast_options opt;
    options(&opt, threads);
    char a[32], b[32], c[32];
    snprintf(a, sizeof a, "fc.%s", ext);
    snprintf(b, sizeof b, "rep.%s", ext);
    snprintf(c, sizeof c, "fit.%s", ext);
    civ_forecast_outputs out = {path_of(a), path_of(b), path_of(c), NULL, chunk};
    civ_status s = civ_forecast_panel_write(panel, &opt, &out, st);
    if (s)
        fail_msg("%s", civ_last_error_message());
}

/* An HDF5 table read back and written as CSV, to compare cells. */
static void h5_as_csv(const char *h5, const char *csv)
{
    civ_table *t = NULL;
    assert_int_equal(civ_table_read(path_of(h5), NULL, &t), CIV_OK);
    assert_int_equal(civ_table_write_opts(t, path_of(csv), NULL), CIV_OK);
    civ_table_free(t);
}

static void test_streamed_equals_whole(void **state)
{
    (void)state;
    civ_panel *panel = make_panel(40);
    write_whole(panel, "csv");
    write_whole(panel, "h5");
    h5_as_csv("whole_rep.h5", "whole_rep_h5.csv");
    h5_as_csv("whole_fc.h5", "whole_fc_h5.csv");
    h5_as_csv("whole_fit.h5", "whole_fit_h5.csv");
    /* chunk sizes 1, 7 and more than the panel, on 1, 3 and 2 threads */
    const size_t chunks[] = {1, 7, 1000};
    const int threads[] = {1, 3, 2};
    for (size_t k = 0; k < 3; k++) {
        civ_forecast_write_stats st;
        write_streamed(panel, "csv", chunks[k], threads[k], &st);
        assert_same_file(path_of("whole_fc.csv"), path_of("fc.csv"));
        assert_same_file(path_of("whole_rep.csv"), path_of("rep.csv"));
        assert_same_file(path_of("whole_fit.csv"), path_of("fit.csv"));
        assert_int_equal(st.n_series, 40);
        assert_true(whole_failed >= 1); /* S009 has no value */
        assert_int_equal(st.n_failed, whole_failed);
        assert_int_equal(st.n_failures, whole_failed < 5 ? whole_failed : 5);
        assert_string_equal(st.failed_ids[0], whole_first_failed);
        size_t listed = 0;
        for (size_t m = 0; m < st.n_models_listed; m++) {
            listed += st.model_counts[m];
            if (m)
                assert_true(st.model_counts[m] <= st.model_counts[m - 1]);
        }
        assert_int_equal(listed + st.other_count, 40 - whole_failed);
        assert_true(st.n_models >= 2); /* the report's union is really tested */
    }
    write_streamed(panel, "h5", 7, 2, NULL);
    h5_as_csv("rep.h5", "rep_h5.csv");
    h5_as_csv("fc.h5", "fc_h5.csv");
    h5_as_csv("fit.h5", "fit_h5.csv");
    assert_same_file(path_of("whole_rep_h5.csv"), path_of("rep_h5.csv"));
    assert_same_file(path_of("whole_fc_h5.csv"), path_of("fc_h5.csv"));
    assert_same_file(path_of("whole_fit_h5.csv"), path_of("fit_h5.csv"));
    civ_panel_free(panel);
}

typedef struct chunk_log {
    size_t next, calls, stop_at;
    size_t n_series;
} chunk_log;

static civ_status log_chunk(const civ_forecast_result *r, void *user)
{
    chunk_log *log = user;
    assert_int_equal(civ_forecast_result_first(r), log->next);
    size_t n = civ_forecast_result_n_series(r);
    assert_true(n >= 1);
    assert_non_null(civ_forecast_result_mean(r));
    log->next += n;
    log->calls++;
    if (log->calls == log->stop_at)
        return civ_fail(CIV_ERR_CANCELLED, "stopped by the test after %zu chunks", log->calls);
    return CIV_OK;
}

static void test_chunks_in_order_and_stop(void **state)
{
    (void)state;
    civ_panel *panel = make_panel(23);
    civ_forecast_options opt;
    options(&opt, 2);
    opt.model = "naive";
    chunk_log log = {0, 0, 0, 0};
    assert_int_equal(civ_forecast_panel_chunks(panel, &opt, 5, log_chunk, &log), CIV_OK);
    assert_int_equal(log.next, 23);
    assert_int_equal(log.calls, 5); /* 5 + 5 + 5 + 5 + 3 */
    chunk_log stop = {0, 0, 2, 0};
    assert_int_equal(civ_forecast_panel_chunks(panel, &opt, 5, log_chunk, &stop), CIV_ERR_CANCELLED);
    assert_int_equal(stop.calls, 2);
    assert_non_null(strstr(civ_last_error_message(), "stopped by the test"));
    assert_int_equal(civ_forecast_panel_chunks(NULL, &opt, 5, log_chunk, &log), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_forecast_panel_chunks(panel, &opt, 5, NULL, NULL), CIV_ERR_INVALID_ARGUMENT);
    opt.model = "no-such-model";
    assert_int_equal(civ_forecast_panel_chunks(panel, &opt, 5, log_chunk, &log), CIV_ERR_SPEC);
    civ_panel_free(panel);
}

/* Conformal intervals are calibrated over the whole panel: the chunked batch
 * refuses them, and civ_forecast_panel_write runs them whole (the files are
 * the whole conformal result's tables, for any chunk size). */
static void test_conformal_runs_whole(void **state)
{
    (void)state;
    civ_panel *panel = make_panel(12);
    civ_forecast_options opt;
    options(&opt, 2);
    opt.model = "naive";
    opt.intervals = CIV_INTERVALS_CONFORMAL;
    opt.conformal_windows = 3;
    chunk_log log = {0, 0, 0, 0};
    assert_int_equal(civ_forecast_panel_chunks(panel, &opt, 5, log_chunk, &log), CIV_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(civ_last_error_message(), "conformal"));
    assert_int_equal(log.calls, 0);

    civ_forecast_result *r = NULL;
    assert_int_equal(civ_forecast_panel(panel, &opt, &r), CIV_OK);
    civ_table *t = NULL;
    assert_int_equal(civ_forecast_result_table(r, panel, &t), CIV_OK);
    assert_int_equal(civ_table_write_opts(t, path_of("conf_whole.csv"), NULL), CIV_OK);
    civ_table_free(t);
    civ_forecast_result_free(r);
    /* differs from the model's intervals, so the test sees which ran */
    opt.intervals = CIV_INTERVALS_MODEL;
    civ_forecast_outputs model_out = {path_of("conf_model.csv"), NULL, NULL, NULL, 5};
    assert_int_equal(civ_forecast_panel_write(panel, &opt, &model_out, NULL), CIV_OK);
    size_t la, lb;
    char *a = tf_slurp(path_of("conf_whole.csv"), &la), *b = tf_slurp(path_of("conf_model.csv"), &lb);
    assert_true(la != lb || memcmp(a, b, la) != 0);
    free(a);
    free(b);

    opt.intervals = CIV_INTERVALS_CONFORMAL;
    civ_forecast_write_stats st;
    civ_forecast_outputs out = {path_of("conf_fc.csv"), NULL, NULL, NULL, 5};
    assert_int_equal(civ_forecast_panel_write(panel, &opt, &out, &st), CIV_OK);
    assert_same_file(path_of("conf_whole.csv"), path_of("conf_fc.csv"));
    assert_int_equal(st.n_series, 12);
    civ_panel_free(panel);
}

static size_t count_entries(const char *folder)
{
    DIR *d = opendir(folder);
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."));
    closedir(d);
    return n;
}

/* Stops the run at its second progress report (Ctrl-C in a notebook). */
static int stop_second(size_t done, size_t total, void *user)
{
    (void)done, (void)total;
    return ++*(int *)user >= 2;
}

static void test_errors_leave_nothing(void **state)
{
    (void)state;
    civ_panel *panel = make_panel(12);
    civ_forecast_options opt;
    options(&opt, 2);
    opt.model = "naive";
    char sub[300];
    snprintf(sub, sizeof sub, "%s/errors", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    char fc[400], rep[400], bad[400];
    snprintf(fc, sizeof fc, "%s/fc.csv", sub);
    snprintf(rep, sizeof rep, "%s/rep.csv", sub);
    snprintf(bad, sizeof bad, "%s/missing/fit.csv", sub);
    civ_forecast_outputs out = {fc, rep, bad, NULL, 4};
    assert_int_equal(civ_forecast_panel_write(panel, &opt, &out, NULL), CIV_ERR_IO);
    assert_non_null(strstr(civ_last_error()->file, "missing/fit.csv"));
    assert_int_equal(count_entries(sub), 0);
    out.fitted = NULL;
    out.report = "x.txt";
    assert_int_equal(civ_forecast_panel_write(panel, &opt, &out, NULL), CIV_ERR_UNSUPPORTED);
    assert_int_equal(count_entries(sub), 0);
    out.forecasts = NULL;
    assert_int_equal(civ_forecast_panel_write(panel, &opt, &out, NULL), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_forecast_panel_write(panel, &opt, NULL, NULL), CIV_ERR_INVALID_ARGUMENT);
    /* the report's spill cannot be made (TMPDIR missing): nothing written */
    out = (civ_forecast_outputs){fc, rep, NULL, NULL, 4};
    const char *tmpdir = getenv("TMPDIR");
    char *saved = tmpdir ? strdup(tmpdir) : NULL;
    setenv("TMPDIR", "/nonexistent-civicast-dir", 1);
    assert_int_equal(civ_forecast_panel_write(panel, &opt, &out, NULL), CIV_ERR_IO);
    assert_non_null(strstr(civ_last_error_message(), "spill file in TMPDIR"));
    if (saved)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    free(saved);
    assert_int_equal(count_entries(sub), 0);
    /* a model that does not parse: nothing written */
    out = (civ_forecast_outputs){fc, rep, NULL, NULL, 4};
    opt.model = "ETS(X,Y,Z)";
    assert_int_equal(civ_forecast_panel_write(panel, &opt, &out, NULL), CIV_ERR_SPEC);
    assert_int_equal(count_entries(sub), 0);
    /* stopped by the progress callback after a chunk was written: nothing left */
    civ_panel_free(panel);
    panel = make_panel(60);
    opt.model = "naive";
    opt.threads = 1;
    int calls = 0;
    opt.progress = stop_second;
    opt.progress_user = &calls;
    civ_forecast_outputs three = {fc, rep, NULL, NULL, 4};
    snprintf(bad, sizeof bad, "%s/fit.csv", sub);
    three.fitted = bad;
    assert_int_equal(civ_forecast_panel_write(panel, &opt, &three, NULL), CIV_ERR_CANCELLED);
    assert_true(calls == 2);
    assert_int_equal(count_entries(sub), 0);
    civ_panel_free(panel);
}

static void test_empty_panel(void **state)
{
    (void)state;
    civ_panel *panel = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &panel), CIV_OK);
    civ_forecast_options opt;
    options(&opt, 1);
    civ_forecast_outputs out = {path_of("e_fc.csv"), path_of("e_rep.csv"), path_of("e_fit.h5"), NULL, 0};
    civ_forecast_write_stats st;
    assert_int_equal(civ_forecast_panel_write(panel, &opt, &out, &st), CIV_OK);
    assert_int_equal(st.n_series, 0);
    size_t n;
    char *t = tf_slurp(path_of("e_fc.csv"), &n);
    assert_string_equal(t, "unique_id,ds,h,model,mean,lo-80,hi-80,lo-95,hi-95\n");
    free(t);
    t = tf_slurp(path_of("e_rep.csv"), &n);
    assert_non_null(strstr(t, "unique_id,model,status,message,n,"));
    assert_non_null(strstr(t, ",initial_states,adi,cv2,demand_class\n"));
    free(t);
    civ_table *fit = NULL;
    assert_int_equal(civ_table_read(path_of("e_fit.h5"), NULL, &fit), CIV_OK);
    assert_int_equal(civ_table_n_rows(fit), 0);
    assert_int_equal(civ_table_n_columns(fit), 5);
    civ_table_free(fit);
    civ_panel_free(panel);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_streamed_equals_whole),
        cmocka_unit_test(test_chunks_in_order_and_stop),
        cmocka_unit_test(test_conformal_runs_whole),
        cmocka_unit_test(test_errors_leave_nothing),
        cmocka_unit_test(test_empty_panel),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
