/*
 * test_hostile.c -- hostile inputs that no other module test covers, each
 * class listed in docs/HOSTILE_INPUTS.md with the status it must give:
 *   - API misuse: NULL pointers, out-of-range indices and wrong lengths on
 *     every family of public calls (never a crash, CIV_ERR_INVALID_ARGUMENT);
 *   - huge values, NaN and infinities in community attributes (CIV_ERR_DOMAIN
 *     naming the community, or an exact allocation);
 *   - series of length 0 and 1 and constant series through every model
 *     family (a per-series status, never a crash, never an infinite output);
 *   - huge values in a panel: up to CIV_VALUE_LIMIT (1e15) forecasts are
 *     finite or the series fails, and the outputs can always be written;
 *     past it (1e300) the value is refused (CIV_ERR_DOMAIN);
 *   - 10^6-character ids (read, forecast, written back, error text
 *     truncated) and ids over the 1 MiB field limit (CIV_ERR_LIMIT);
 *   - deep nesting in the spec: dotted tables, nested arrays, 100,000
 *     brackets, inline tables (CIV_ERR_PARSE, no recursion);
 *   - the memory guard (engine/src/core/mem_limit.c): a panel or dataset larger
 *     than the limit is refused with CIV_ERR_LIMIT before allocating.
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
#include "mem_limit.h"
#include "test_files.h"

static char dir[256];

static int setup(void **state)
{
    return tf_dir_make(dir, sizeof dir, tf_tmp_root(), "civ-hostile-");
}

static int teardown(void **state)
{
    return tf_dir_remove(dir);
}

static void path_of(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
}

static void write_text(const char *path, const char *text, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

/* ---- API misuse ---------------------------------------------------------- */

static void misuse_frees_and_io(void)
{
    civ_panel *p = NULL;
    civ_table *t = NULL;
    /* frees accept NULL */
    civ_panel_free(NULL);
    civ_table_free(NULL);
    civ_forecast_result_free(NULL);
    civ_alloc_spec_free(NULL);
    civ_alloc_problem_free(NULL);
    civ_alloc_result_free(NULL);
    civ_alloc_uncertainty_free(NULL);
    civ_alloc_need_free(NULL);
    civ_alloc_compare_free(NULL);

    /* readers: NULL path, NULL out, empty path */
    assert_int_equal(civ_panel_read_csv("x.csv", NULL), CIV_ERR_INVALID_ARGUMENT);
    assert_int_not_equal(civ_panel_read_csv(NULL, &p), CIV_OK);
    assert_null(p);
    assert_int_not_equal(civ_panel_read_csv("", &p), CIV_OK);
    assert_int_equal(civ_panel_read_hdf5("x.h5", NULL), CIV_ERR_INVALID_ARGUMENT);
    assert_int_not_equal(civ_panel_read_hdf5(NULL, &p), CIV_OK);
    assert_int_not_equal(civ_table_read_csv(NULL, NULL, &t), CIV_OK);
    assert_int_not_equal(civ_table_read_csv("x.csv", NULL, NULL), CIV_OK);
    assert_int_not_equal(civ_table_read_hdf5(NULL, &t), CIV_OK);
    assert_int_equal(civ_panel_read("x.txt", &p), CIV_ERR_UNSUPPORTED);
    /* writers: NULL object, NULL path */
    assert_int_not_equal(civ_panel_write_csv(NULL, "x.csv"), CIV_OK);
    assert_int_not_equal(civ_table_write_csv(NULL, "x.csv"), CIV_OK);
    assert_int_equal(civ_panel_write_hdf5(NULL, "x.h5"), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_table_write_hdf5(NULL, "x.h5"), CIV_ERR_INVALID_ARGUMENT);
}

static void misuse_panels(void)
{
    civ_panel *p = NULL;
    /* panels: NULL id, empty id, NULL values with n > 0, bad index */
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    double v[3] = {1, 2, 3};
    assert_int_equal(civ_panel_add_series(p, NULL, 0, v, 3, NULL), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_panel_add_series(p, "", 0, v, 3, NULL), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_panel_add_series(p, "a", 0, NULL, 3, NULL), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_panel_add_series(p, "a", 0, v, 3, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "a", 0, v, 3, NULL), CIV_ERR_DUPLICATE);
    assert_int_equal(civ_panel_series(p, 1, NULL, NULL, NULL), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_panel_series(p, SIZE_MAX, NULL, NULL, NULL), CIV_ERR_INVALID_ARGUMENT);
    assert_null(civ_panel_series_id(p, 7));
    assert_int_equal(civ_panel_set_covariate(p, 0, 3, v, 3), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_panel_set_phase(p, 7), CIV_ERR_INVALID_ARGUMENT);
    civ_panel *q = NULL;
    assert_int_equal(civ_panel_create((civ_frequency)99, &q), CIV_ERR_INVALID_ARGUMENT);
    assert_null(q);
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, NULL), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_panel_summarize(p, NULL), CIV_ERR_INVALID_ARGUMENT);
    civ_panel_free(p);
    p = NULL;
}

static void misuse_tables(void)
{
    civ_table *t = NULL;
    double v[3] = {1, 2, 3};
    /* tables: out-of-range cells, wrong column type, bulk set with bad rows */
    assert_int_equal(civ_table_create(&t), CIV_OK);
    size_t c;
    assert_int_equal(civ_table_add_column(t, "", CIV_COLUMN_NUMBER, &c), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_table_add_column(t, "x", (civ_column_type)9, &c), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_table_add_column(t, "x", CIV_COLUMN_NUMBER, &c), CIV_OK);
    assert_int_equal(civ_table_add_rows(t, 2, NULL), CIV_OK);
    assert_int_equal(civ_table_set_number(t, 2, c, 1.0), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_table_set_text(t, 0, c, "text in a number column"), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_table_set_numbers(t, c, 1, v, 3), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_table_set_numbers(t, c, 0, NULL, 2), CIV_ERR_INVALID_ARGUMENT);
    assert_true(isnan(civ_table_number(t, 9, c)));
    assert_null(civ_table_text(t, 0, c));
    assert_null(civ_table_numbers(t, 5));
    assert_int_equal(civ_table_find_column(t, "nope", &c), CIV_ERR_NOT_FOUND);
    /* an infinite cell cannot be written (no civicast file holds one), and
     * the failed write leaves no file */
    char inf_path[512];
    path_of(inf_path, sizeof inf_path, "inf.csv");
    assert_int_equal(civ_table_set_number(t, 0, 0, INFINITY), CIV_OK);
    civ_status ws = civ_table_write_csv(t, inf_path);
    assert_int_not_equal(ws, CIV_OK);
    assert_int_not_equal(access(inf_path, F_OK), 0);
    civ_table_free(t);
}

static void misuse_dates(void)
{
    /* dates */
    civ_date_form form;
    int64_t value;
    char small[4];
    assert_int_equal(civ_date_parse(NULL, 4, &form, &value), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_date_parse("2024", 4, NULL, &value), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_period_format(CIV_FREQ_MONTHLY, 0, 24000, small, sizeof small), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_period_format(CIV_FREQ_MONTHLY, 0, 24000, NULL, 32), CIV_ERR_INVALID_ARGUMENT);
}

static void misuse_forecast(void)
{
    civ_panel *p = NULL;
    civ_table *t = NULL;
    double v[3] = {1, 2, 3};
    /* forecasting: NULL panel/out, bad options, out-of-range accessors */
    civ_forecast_options opt;
    assert_int_equal(civ_forecast_options_init(NULL), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_forecast_options_init(&opt), CIV_OK);
    civ_forecast_result *res = NULL;
    assert_int_equal(civ_forecast_panel(NULL, &opt, &res), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "a", 0, v, 3, NULL), CIV_OK);
    assert_int_equal(civ_forecast_panel(p, &opt, NULL), CIV_ERR_INVALID_ARGUMENT);
    opt.threads = -1;
    assert_int_equal(civ_forecast_panel(p, &opt, &res), CIV_ERR_INVALID_ARGUMENT);
    civ_forecast_options_init(&opt);
    static const double bad_levels[] = {80, 100};
    opt.levels = bad_levels;
    opt.n_levels = 2;
    assert_int_equal(civ_forecast_panel(p, &opt, &res), CIV_ERR_INVALID_ARGUMENT);
    civ_forecast_options_init(&opt);
    opt.levels = NULL;
    opt.n_levels = 2;
    assert_int_not_equal(civ_forecast_panel(p, &opt, &res), CIV_OK);
    civ_forecast_options_init(&opt);
    opt.model = "no_such_model(1,2";
    assert_int_equal(civ_forecast_panel(p, &opt, &res), CIV_ERR_SPEC);
    assert_null(res);
    civ_forecast_options_init(&opt);
    opt.model = "naive";
    assert_int_equal(civ_forecast_panel(p, &opt, &res), CIV_OK);
    assert_int_equal(civ_forecast_result_status(res, 5), CIV_ERR_INVALID_ARGUMENT);
    assert_string_equal(civ_forecast_result_message(res, 5), "");
    assert_null(civ_forecast_result_lower(res, 9));
    civ_panel *other = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &other), CIV_OK);
    assert_int_equal(civ_forecast_result_table(res, other, &t), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_forecast_fitted_table(res, p, &t), CIV_ERR_INVALID_ARGUMENT);
    civ_panel_free(other);
    civ_forecast_result_free(res);
    civ_panel_free(p);
}

static void misuse_alloc(void)
{
    /* allocation: NULLs and wrong lengths */
    civ_alloc_spec *spec = NULL;
    assert_int_not_equal(civ_alloc_spec_parse(NULL, 10, "x", &spec), CIV_OK);
    assert_int_not_equal(civ_alloc_spec_parse("version = \"1\"", 13, "x", NULL), CIV_OK);
    assert_int_not_equal(civ_alloc_spec_read(NULL, &spec), CIV_OK);
    assert_int_equal(civ_alloc_run(NULL, NULL, NULL, 0, NULL, NULL), CIV_ERR_INVALID_ARGUMENT);
    civ_alloc_problem *prob = NULL;
    assert_int_not_equal(civ_alloc_bind(NULL, NULL, NULL, &prob), CIV_OK);
    assert_null(prob);
    assert_int_equal(civ_alloc_spec_total(NULL), 0);
    assert_null(civ_alloc_spec_factor_name(NULL, 0));
}

static void test_api_misuse(void **state)
{
    (void)state;
    misuse_frees_and_io();
    misuse_panels();
    misuse_tables();
    misuse_dates();
    misuse_forecast();
    misuse_alloc();
}

/* A spec and a community table built from attribute values (for the
 * attribute classes). */
static const char spec_text[] = "version = \"h\"\n[budget]\ntotal = 1000000.00\nfiscal_year = 2026\n"
                                "[[pool]]\nname = \"all\"\nshare = 1\n[[factor]]\nname = \"x\"\nattribute = \"x\"\nweight = 1\n";

static civ_status alloc_with(const double *x, size_t n, civ_table **alloc)
{
    civ_table *t = NULL;
    size_t cid, cx;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    assert_int_equal(civ_table_add_rows(t, n, NULL), CIV_OK);
    civ_table_add_column(t, "unique_id", CIV_COLUMN_TEXT, &cid);
    civ_table_add_column(t, "x", CIV_COLUMN_NUMBER, &cx);
    for (size_t i = 0; i < n; i++) {
        char id[32];
        snprintf(id, sizeof id, "c%zu", i);
        civ_table_set_text(t, i, cid, id);
        civ_table_set_number(t, i, cx, x[i]);
    }
    civ_alloc_spec *spec = NULL;
    assert_int_equal(civ_alloc_spec_parse(spec_text, sizeof spec_text - 1, "h.spec", &spec), CIV_OK);
    civ_status s = civ_alloc_run(spec, t, NULL, 0, alloc, NULL);
    civ_alloc_spec_free(spec);
    civ_table_free(t);
    return s;
}

static int64_t sum_amounts(const civ_table *alloc)
{
    size_t c;
    assert_int_equal(civ_table_find_column(alloc, "amount_fen", &c), CIV_OK);
    int64_t s = 0;
    for (size_t i = 0; i < civ_table_n_rows(alloc); i++)
        s += (int64_t)civ_table_number(alloc, i, c);
    return s;
}

static void test_attributes_nan_inf_huge(void **state)
{
    (void)state;
    civ_table *alloc = NULL;
    double nan_x[3] = {1, NAN, 2}, inf_x[3] = {1, INFINITY, 2}, neg_x[3] = {1, -5, 2}, zero_x[3] = {0, 0, 0};
    assert_int_equal(alloc_with(nan_x, 3, &alloc), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error()->text, "c1"));
    assert_null(alloc);
    assert_int_equal(alloc_with(inf_x, 3, &alloc), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error()->text, "c1"));
    assert_int_equal(alloc_with(neg_x, 3, &alloc), CIV_ERR_DOMAIN);
    assert_int_equal(alloc_with(zero_x, 3, &alloc), CIV_ERR_DOMAIN);
    /* huge but finite: shares are ratios, so 1e300 works, and two values
     * whose sum overflows to infinity must not produce NaN amounts */
    double huge_x[3] = {1e300, 3e300, 1e-300};
    assert_int_equal(alloc_with(huge_x, 3, &alloc), CIV_OK);
    assert_int_equal(sum_amounts(alloc), 100000000);
    civ_table_free(alloc);
    alloc = NULL;
    double over_x[3] = {1.5e308, 1.5e308, 1};
    civ_status s = alloc_with(over_x, 3, &alloc);
    if (s == CIV_OK) {
        assert_int_equal(sum_amounts(alloc), 100000000);
        civ_table_free(alloc);
    } else {
        assert_int_equal(s, CIV_ERR_DOMAIN);
        assert_true(strlen(civ_last_error()->message) > 10);
    }
}

/* ---- degenerate series through every model family ------------------------ */

static void test_degenerate_series(void **state)
{
    (void)state;
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    double one = 5, cons[36], nan3[3] = {NAN, NAN, NAN}, huge[36];
    for (int i = 0; i < 36; i++) {
        cons[i] = 42;
        huge[i] = 1e300 * (1 + 0.01 * i);
    }
    assert_int_equal(civ_panel_add_series(p, "huge", 24000, huge, 36, NULL), CIV_ERR_DOMAIN); /* a typo's size */
    for (int i = 0; i < 36; i++)
        huge[i] = CIV_VALUE_LIMIT * (0.6 + 0.01 * i); /* the largest values a panel takes */
    assert_int_equal(civ_panel_add_series(p, "empty", 24000, NULL, 0, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "one", 24000, &one, 1, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "constant", 24000, cons, 36, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "all_missing", 24000, nan3, 3, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "huge", 24000, huge, 36, NULL), CIV_OK);
    static const char *models[] = {"auto", "ets", "theta", "dotm", "arima", "mean", "naive", "snaive", "rwf"};
    char out[512];
    path_of(out, sizeof out, "degenerate.csv");
    for (size_t m = 0; m < sizeof models / sizeof models[0]; m++) {
        civ_forecast_options opt;
        civ_forecast_options_init(&opt);
        opt.model = models[m];
        opt.horizon = 6;
        opt.n_paths = 200;
        civ_forecast_result *res = NULL;
        civ_status s = civ_forecast_panel(p, &opt, &res);
        if (s == CIV_ERR_SPEC)
            continue; /* a family not registered in this build */
        assert_int_equal(s, CIV_OK);
        const double *mean = civ_forecast_result_mean(res);
        for (size_t i = 0; i < civ_panel_n_series(p); i++) {
            civ_status si = civ_forecast_result_status(res, i);
            if (si != CIV_OK)
                assert_true(strlen(civ_forecast_result_message(res, i)) > 0);
            for (size_t h = 0; h < 6; h++) {
                double y = mean[i * 6 + h];
                assert_false(isinf(y)); /* finite or NaN (failed), never infinite */
                if (si == CIV_OK && i == 2)
                    assert_true(fabs(y - 42) < 1e-6); /* a constant forecasts itself */
            }
            for (size_t l = 0; l < civ_forecast_result_n_levels(res); l++)
                for (size_t h = 0; h < 6; h++) {
                    assert_false(isinf(civ_forecast_result_lower(res, l)[i * 6 + h]));
                    assert_false(isinf(civ_forecast_result_upper(res, l)[i * 6 + h]));
                }
        }
        /* the empty series cannot be forecast */
        assert_int_not_equal(civ_forecast_result_status(res, 0), CIV_OK);
        civ_table *tab = NULL, *rep = NULL;
        assert_int_equal(civ_forecast_result_table(res, p, &tab), CIV_OK);
        assert_int_equal(civ_forecast_report_table(res, p, &rep), CIV_OK);
        s = civ_table_write_csv(tab, out);
        if (s)
            fprintf(stderr, "%s: %s\n", models[m], civ_last_error_message());
        assert_int_equal(s, CIV_OK);
        assert_int_equal(civ_table_write_csv(rep, out), CIV_OK);
        civ_table_free(tab);
        civ_table_free(rep);
        civ_forecast_result_free(res);
    }
    civ_panel_free(p);
}

/* ---- a 10^6-character id ------------------------------------------------- */

static void test_million_character_id(void **state)
{
    (void)state;
    size_t idlen = 1000000;
    size_t cap = 3 * idlen + 4096;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t n = (size_t)snprintf(text, cap, "unique_id,ds,y\n");
    for (int row = 0; row < 3; row++) {
        memset(text + n, 'x', idlen);
        n += idlen;
        n += (size_t)snprintf(text + n, cap - n, ",2024-%02d,%d\n", row + 1, 10 + row);
    }
    char in[512], out[512];
    path_of(in, sizeof in, "long_id.csv");
    path_of(out, sizeof out, "long_id_out.csv");
    write_text(in, text, n);
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_read_csv(in, &p), CIV_OK);
    assert_int_equal(civ_panel_n_series(p), 1);
    assert_int_equal(strlen(civ_panel_series_id(p, 0)), idlen);
    /* errors naming it are truncated to the fixed civ_error size */
    assert_int_equal(civ_panel_add_series(p, civ_panel_series_id(p, 0), 0, NULL, 0, NULL), CIV_ERR_DUPLICATE);
    assert_true(strlen(civ_last_error()->series_id) < sizeof civ_last_error()->series_id);
    assert_true(strlen(civ_last_error()->text) < sizeof civ_last_error()->text);
    civ_forecast_options opt;
    civ_forecast_options_init(&opt);
    opt.model = "naive";
    opt.horizon = 2;
    civ_forecast_result *res = NULL;
    assert_int_equal(civ_forecast_panel(p, &opt, &res), CIV_OK);
    civ_table *tab = NULL;
    assert_int_equal(civ_forecast_result_table(res, p, &tab), CIV_OK);
    assert_int_equal(civ_table_write_csv(tab, out), CIV_OK);
    civ_table_free(tab);
    tab = NULL;
    assert_int_equal(civ_table_read_csv(out, NULL, &tab), CIV_OK);
    assert_int_equal(civ_table_n_rows(tab), 2);
    assert_int_equal(strlen(civ_table_text(tab, 0, 0)), idlen);
    civ_table_free(tab);
    civ_forecast_result_free(res);
    civ_panel_free(p);

    /* over the 1 MiB field limit: CIV_ERR_LIMIT, not an allocation per byte */
    size_t big = ((size_t)1 << 20) + 10;
    char *t2 = malloc(big + 64);
    assert_non_null(t2);
    size_t m = (size_t)snprintf(t2, big + 64, "unique_id,ds,y\n");
    memset(t2 + m, 'y', big);
    m += big;
    m += (size_t)snprintf(t2 + m, big + 64 - m, ",2024-01,1\n");
    write_text(in, t2, m);
    p = NULL;
    assert_int_equal(civ_panel_read_csv(in, &p), CIV_ERR_LIMIT);
    assert_null(p);
    free(t2);
    free(text);
}

/* ---- deep nesting in the spec -------------------------------------------- */

static void expect_spec_error(const char *text, size_t len, civ_status want)
{
    civ_alloc_spec *spec = NULL;
    civ_status s = civ_alloc_spec_parse(text, len, "deep.spec", &spec);
    if (s != want)
        fprintf(stderr, "got %s: %s\n", civ_status_name(s), civ_last_error_message());
    assert_int_equal(s, want);
    assert_null(spec);
    assert_true(civ_last_error()->line >= 1);
}

static void test_deep_nesting_in_spec(void **state)
{
    (void)state;
    static const char dotted[] = "version = \"1\"\n[a.b.c.d.e.f.g]\nx = 1\n";
    expect_spec_error(dotted, sizeof dotted - 1, CIV_ERR_SPEC);
    static const char dotted_key[] = "version = \"1\"\na.b.c = 1\n";
    expect_spec_error(dotted_key, sizeof dotted_key - 1, CIV_ERR_SPEC);
    static const char nested[] = "version = \"1\"\nx = [[[[[[[[1]]]]]]]]\n";
    expect_spec_error(nested, sizeof nested - 1, CIV_ERR_SPEC);
    static const char inline_t[] = "version = \"1\"\nx = {a = {b = {c = 1}}}\n";
    expect_spec_error(inline_t, sizeof inline_t - 1, CIV_ERR_SPEC);
    /* 100,000 opening brackets, as a value and as a table header: linear, no
     * recursion, one error */
    size_t n = 100000;
    char *deep = malloc(n + 64);
    assert_non_null(deep);
    size_t k = (size_t)snprintf(deep, n + 64, "version = \"1\"\nx = ");
    memset(deep + k, '[', n);
    k += n;
    deep[k++] = '\n';
    expect_spec_error(deep, k, CIV_ERR_SPEC);
    memset(deep, '[', n);
    deep[n] = '\n';
    expect_spec_error(deep, n + 1, CIV_ERR_SPEC);
    free(deep);
    /* 5,000 tables: over the 4,096-table limit */
    size_t cap = 5000 * 24 + 64;
    char *many = malloc(cap);
    assert_non_null(many);
    size_t m = (size_t)snprintf(many, cap, "version = \"1\"\n");
    for (int i = 0; i < 5000; i++)
        m += (size_t)snprintf(many + m, cap - m, "[[reserve]]\n");
    expect_spec_error(many, m, CIV_ERR_SPEC);
    free(many);
}

/* ---- the memory guard ---------------------------------------------------- */

static void test_memory_guard(void **state)
{
    (void)state;
    /* a panel of 200 x 600 values = 960 kB of doubles, against a 256 kB limit */
    size_t cap = 200 * 600 * 24 + 64;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t n = (size_t)snprintf(text, cap, "unique_id,ds,y\n");
    for (int s = 0; s < 200; s++)
        for (int t = 0; t < 600; t++)
            n += (size_t)snprintf(text + n, cap - n, "s%d,%04d-%02d,%d\n", s, 1900 + t / 12, t % 12 + 1, t);
    char csv[512], h5[512];
    path_of(csv, sizeof csv, "guard.csv");
    path_of(h5, sizeof h5, "guard.h5");
    write_text(csv, text, n);
    free(text);
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_read_csv(csv, &p), CIV_OK);
    assert_int_equal(civ_panel_write_hdf5(p, h5), CIV_OK);
    civ_panel_free(p);
    p = NULL;

    civ_mem_limit_set(256 * 1024);
    assert_int_equal(civ_mem_limit(), 256 * 1024);
    assert_int_equal(civ_panel_read_csv(csv, &p), CIV_ERR_LIMIT);
    assert_null(p);
    assert_non_null(strstr(civ_last_error()->message, "CIV_MEMORY_LIMIT"));
    assert_string_equal(civ_last_error()->file, csv);
    assert_int_equal(civ_panel_read_hdf5(h5, &p), CIV_ERR_LIMIT);
    assert_null(p);
    /* overflowing products are refused, not wrapped */
    assert_int_equal(civ_mem_check(SIZE_MAX / 2, 16, 0, "x", NULL), CIV_ERR_LIMIT);
    civ_mem_limit_set(0);

    /* the environment variable, with suffixes; malformed values are errors
     * naming the variable (issue 18: "10MiB" and "garbage" used to be ignored) */
    setenv("CIV_MEMORY_LIMIT", "3M", 1);
    assert_int_equal(civ_mem_limit(), 3 * 1024 * 1024);
    setenv("CIV_MEMORY_LIMIT", "2g", 1);
    assert_int_equal(civ_mem_limit(), (size_t)2 << 30);
    setenv("CIV_MEMORY_LIMIT", "10MiB", 1);
    assert_int_equal(civ_mem_limit(), (size_t)10 << 20);
    setenv("CIV_MEMORY_LIMIT", "2GB", 1);
    assert_int_equal(civ_mem_limit(), (size_t)2 << 30);
    setenv("CIV_MEMORY_LIMIT", "4096", 1);
    assert_int_equal(civ_mem_limit(), 4096);
    const char *bad[] = {"12 potatoes", "garbage", "", "-5M", "0", "10Mi", "1.5G", "99999999999999999999", "10MB!"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        setenv("CIV_MEMORY_LIMIT", bad[i], 1);
        size_t bytes = 0;
        assert_int_equal(civ_mem_limit_get(&bytes), CIV_ERR_INVALID_ARGUMENT);
        assert_string_equal(civ_last_error()->field, "CIV_MEMORY_LIMIT");
        assert_int_equal(civ_panel_read_csv(csv, &p), CIV_ERR_INVALID_ARGUMENT);
        assert_null(p);
        assert_non_null(strstr(civ_last_error()->message, "is not a size"));
    }
    setenv("CIV_MEMORY_LIMIT", "garbage", 1);
    assert_int_equal(civ_mem_limit(), SIZE_MAX); /* no limit from it: the error comes from the readers */
    unsetenv("CIV_MEMORY_LIMIT");
    assert_true(civ_mem_limit() > 3 * 1024 * 1024); /* physical memory */
    assert_int_equal(civ_panel_read_csv(csv, &p), CIV_OK);
    civ_panel_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api_misuse),
        cmocka_unit_test(test_attributes_nan_inf_huge),
        cmocka_unit_test(test_degenerate_series),
        cmocka_unit_test(test_million_character_id),
        cmocka_unit_test(test_deep_nesting_in_spec),
        cmocka_unit_test(test_memory_guard),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
