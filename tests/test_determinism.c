/*
 * test_determinism.c -- forecasts, reports and allocations are bit-identical
 * across 1, 2 and 8 threads and across repeated runs, seeded simulations
 * included (docs/FORECASTING.md, "Intervals and seeds"; the Monte Carlo of
 * docs/ALLOCATION.md).
 *
 * Every output is written to a file the way the CLI writes it (CSV, and HDF5
 * for one table) and the file's bytes are hashed (64-bit FNV-1a); the hashes
 * must be equal.  Hashing the written files checks the whole path a budget
 * office sees, number formatting included, not only the doubles in memory.
 * The panel is synthetic and seeded: 48 series of 60 months with trend,
 * seasonality, a few missing values, a constant and a very short series.
 * Models: "ets" (automatic, analytic and simulated intervals), "theta"
 * (analytic), "dotm" (exact Gaussian quantiles of a linear recursion) and "ETS(M,Md,M)" (simulated sample paths).
 * CIV_DETERMINISM_SERIES overrides the series count.  Also: an HDF5 file
 * written twice, a second apart, has the same bytes (no object timestamps).
 */
#include <inttypes.h>
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
#include "test_files.h"

static uint64_t fnv1a_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    uint64_t h = UINT64_C(14695981039346656037);
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
        for (size_t i = 0; i < n; i++)
            h = (h ^ buf[i]) * UINT64_C(1099511628211);
    fclose(fp);
    return h;
}

static char scratch_dir[256];

static int setup(void **state)
{
    assert_int_equal(tf_dir_make(scratch_dir, sizeof scratch_dir, tf_tmp_root(), "civ-determinism-"), 0);
    return 0;
}

static int teardown(void **state)
{
    return tf_dir_remove(scratch_dir);
}

/* Writes a table to <scratch>/<name> and returns the hash of its bytes. */
static uint64_t table_hash(const civ_table *t, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", scratch_dir, name);
    civ_status s = civ_table_write(t, path);
    if (s)
        fprintf(stderr, "%s\n", civ_last_error_message());
    assert_int_equal(s, CIV_OK);
    uint64_t h = fnv1a_file(path);
    unlink(path);
    return h;
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
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    lcg = 20260101;
    double y[60];
    for (size_t i = 0; i < n_series; i++) {
        char id[32];
        snprintf(id, sizeof id, "C%03zu", i);
        size_t n = i == 1 ? 3 : 60; /* one very short series */
        double level = 200 + 800 * unif(), trend = (unif() - 0.3) * 3, amp = 0.05 + 0.3 * unif();
        for (size_t t = 0; t < n; t++) {
            double season = 1 + amp * sin(2 * M_PI * (double)t / 12.0);
            y[t] = i == 2 ? 42 : round((level + trend * (double)t) * season * (0.9 + 0.2 * unif()));
            if (y[t] < 0)
                y[t] = 0;
        }
        if (i % 7 == 3)
            y[17] = NAN;
        assert_int_equal(civ_panel_add_series(p, id, 12 * 2019, y, n, NULL), CIV_OK);
    }
    return p;
}

typedef struct fc_hashes {
    uint64_t forecast, report;
} fc_hashes;

static fc_hashes forecast_hashes(const civ_panel *panel, const char *model, int threads, civ_table **keep)
{
    civ_forecast_options opt;
    assert_int_equal(civ_forecast_options_init(&opt), CIV_OK);
    opt.model = model;
    opt.horizon = 12;
    opt.threads = threads;
    opt.n_paths = 400;
    static const double levels[] = {80, 95};
    opt.levels = levels;
    opt.n_levels = 2;
    civ_forecast_result *res = NULL;
    assert_int_equal(civ_forecast_panel(panel, &opt, &res), CIV_OK);
    civ_table *fc = NULL, *rep = NULL;
    assert_int_equal(civ_forecast_result_table(res, panel, &fc), CIV_OK);
    assert_int_equal(civ_forecast_report_table(res, panel, &rep), CIV_OK);
    fc_hashes h = {table_hash(fc, "forecast.csv"), table_hash(rep, "report.csv")};
    if (keep)
        *keep = fc;
    else
        civ_table_free(fc);
    civ_table_free(rep);
    civ_forecast_result_free(res);
    return h;
}

static size_t n_series(void)
{
    const char *e = getenv("CIV_DETERMINISM_SERIES");
    return e && *e ? (size_t)strtoul(e, NULL, 10) : 48;
}

static void check_model(const char *model)
{
    civ_panel *panel = make_panel(n_series());
    static const int threads[] = {1, 2, 8, 1};
    fc_hashes ref = forecast_hashes(panel, model, threads[0], NULL);
    for (size_t k = 1; k < sizeof threads / sizeof threads[0]; k++) {
        fc_hashes h = forecast_hashes(panel, model, threads[k], NULL);
        print_message("%s threads %d: forecast %016" PRIx64 " report %016" PRIx64 "\n", model, threads[k],
                      h.forecast, h.report);
        assert_true(h.forecast == ref.forecast);
        assert_true(h.report == ref.report);
    }
    civ_panel_free(panel);
}

static void test_forecast_ets(void **state) { (void)state; check_model("ets"); }
static void test_forecast_theta(void **state) { (void)state; check_model("theta"); }
static void test_forecast_dotm(void **state) { (void)state; check_model("dotm"); }
static void test_forecast_ets_mmdm_simulated(void **state) { (void)state; check_model("ETS(M,Md,M)"); }

/* A different seed must change simulated intervals: otherwise the hashes
 * above could be equal because the simulation was never used. */
static void test_seed_matters(void **state)
{
    (void)state;
    civ_panel *panel = make_panel(8);
    civ_forecast_options opt;
    civ_forecast_options_init(&opt);
    opt.model = "ETS(M,Md,M)"; /* simulated intervals (dotm's are exact since 2026-12-04) */
    opt.horizon = 6;
    opt.n_paths = 400;
    civ_forecast_result *a = NULL, *b = NULL;
    assert_int_equal(civ_forecast_panel(panel, &opt, &a), CIV_OK);
    opt.seed = 7;
    assert_int_equal(civ_forecast_panel(panel, &opt, &b), CIV_OK);
    const double *la = civ_forecast_result_lower(a, 0), *lb = civ_forecast_result_lower(b, 0);
    int differ = 0;
    for (size_t i = 0; i < 8 * 6; i++)
        differ |= !isnan(la[i]) && la[i] != lb[i];
    assert_true(differ);
    civ_forecast_result_free(a);
    civ_forecast_result_free(b);
    civ_panel_free(panel);
}

/* ---- allocation: the solve, the tables, and the Monte Carlo ------------- */

static const char alloc_spec_text[] =
    "version = \"det\"\n"
    "[budget]\ntotal = 12_345_678.91\nfiscal_year = 2026\n"
    "[data]\nid = \"unique_id\"\ndistrict = \"district\"\npopulation = \"pop\"\nlast_year = \"last\"\n"
    "[[reserve]]\nname = \"r\"\nshare = 0.03\n"
    "[[pool]]\nname = \"main\"\nshare = 1\n"
    "[[formula]]\nname = \"main\"\nfloor = 20_000.00\nhold_harmless = 0.8\nlast_year = \"last\"\n"
    "[[factor]]\nname = \"pop\"\nattribute = \"pop\"\ncoefficient = \"d\"\nweight = 0.5\n"
    "[[factor]]\nname = \"demand\"\nsource = \"forecast\"\ncolumn = \"mean\"\nhorizon = 12\nweight = 0.5\n"
    "[[tilt]]\nname = \"t\"\nattribute = \"d\"\nabove = 1.1\nmultiplier = 1.3\n";

static civ_table *make_communities(const civ_panel *panel)
{
    civ_table *t = NULL;
    size_t n = civ_panel_n_series(panel), cid, cdi, cp, cd, cl;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    assert_int_equal(civ_table_add_rows(t, n, NULL), CIV_OK);
    civ_table_add_column(t, "unique_id", CIV_COLUMN_TEXT, &cid);
    civ_table_add_column(t, "district", CIV_COLUMN_TEXT, &cdi);
    civ_table_add_column(t, "pop", CIV_COLUMN_NUMBER, &cp);
    civ_table_add_column(t, "d", CIV_COLUMN_NUMBER, &cd);
    civ_table_add_column(t, "last", CIV_COLUMN_NUMBER, &cl);
    lcg = 99;
    for (size_t i = 0; i < n; i++) {
        civ_table_set_text(t, i, cid, civ_panel_series_id(panel, i));
        civ_table_set_text(t, i, cdi, i % 3 == 0 ? "north" : i % 3 == 1 ? "south" : "east");
        civ_table_set_number(t, i, cp, round(1000 + 9000 * unif()));
        civ_table_set_number(t, i, cd, round(50 + 100 * unif()) / 100);
        civ_table_set_number(t, i, cl, round(100000 + 200000 * unif()));
    }
    return t;
}

static void test_allocation_and_monte_carlo(void **state)
{
    (void)state;
    /* forecasts with intervals for the demand factor (ETS, analytic) */
    civ_panel *panel = make_panel(n_series());
    civ_table *fc = NULL;
    forecast_hashes(panel, "ets", 2, &fc);
    civ_table *comm = make_communities(panel);
    civ_alloc_spec *spec = NULL;
    civ_status s = civ_alloc_spec_parse(alloc_spec_text, sizeof alloc_spec_text - 1, "det.spec", &spec);
    if (s)
        fprintf(stderr, "%s\n", civ_last_error_message());
    assert_int_equal(s, CIV_OK);

    uint64_t ref_alloc = 0, ref_sum = 0, ref_h5 = 0, ref_mc = 0;
    static const int threads[] = {1, 2, 8, 1};
    for (size_t k = 0; k < sizeof threads / sizeof threads[0]; k++) {
        civ_table *alloc = NULL, *summary = NULL;
        s = civ_alloc_run(spec, comm, fc, 1, &alloc, &summary);
        if (s)
            fprintf(stderr, "%s\n", civ_last_error_message());
        assert_int_equal(s, CIV_OK);
        uint64_t ha = table_hash(alloc, "allocation.csv"), hs = table_hash(summary, "summary.csv");
        uint64_t h5 = table_hash(alloc, "allocation.h5");
        civ_table_free(alloc);
        civ_table_free(summary);

        civ_alloc_uncertainty_options uo;
        assert_int_equal(civ_alloc_uncertainty_options_init(&uo), CIV_OK);
        uo.n_draws = 200;
        uo.threads = threads[k];
        uo.weight_concentration = 50;
        civ_alloc_uncertainty *u = NULL;
        s = civ_alloc_uncertainty_run(spec, comm, fc, &uo, &u);
        if (s)
            fprintf(stderr, "%s\n", civ_last_error_message());
        assert_int_equal(s, CIV_OK);
        civ_table *ut = NULL;
        assert_int_equal(civ_alloc_uncertainty_table(u, &ut), CIV_OK);
        uint64_t hm = table_hash(ut, "uncertainty.csv");
        civ_table_free(ut);
        civ_alloc_uncertainty_free(u);
        print_message("threads %d: allocation %016" PRIx64 " summary %016" PRIx64 " h5 %016" PRIx64
                      " monte carlo %016" PRIx64 "\n", threads[k], ha, hs, h5, hm);
        if (k == 0) {
            ref_alloc = ha, ref_sum = hs, ref_h5 = h5, ref_mc = hm;
        } else {
            assert_true(ha == ref_alloc);
            assert_true(hs == ref_sum);
            assert_true(h5 == ref_h5);
            assert_true(hm == ref_mc);
        }
    }
    civ_alloc_spec_free(spec);
    civ_table_free(comm);
    civ_table_free(fc);
    civ_panel_free(panel);
}

/* HDF5 files carry no object timestamps (io/hdf5.c sets
 * H5Pset_obj_track_times off): the same panel written a second apart gives
 * the same bytes.  Before, the modification times made every .h5 differ. */
static void test_hdf5_bytes_reproducible(void **state)
{
    (void)state;
    civ_panel *panel = make_panel(6);
    char a[512], b[512];
    snprintf(a, sizeof a, "%s/a.h5", scratch_dir);
    snprintf(b, sizeof b, "%s/b.h5", scratch_dir);
    assert_int_equal(civ_panel_write_hdf5(panel, a), CIV_OK);
    usleep(1100 * 1000);
    assert_int_equal(civ_panel_write_hdf5(panel, b), CIV_OK);
    assert_true(fnv1a_file(a) == fnv1a_file(b));
    unlink(a);
    unlink(b);
    civ_panel_free(panel);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forecast_ets),
        cmocka_unit_test(test_forecast_theta),
        cmocka_unit_test(test_forecast_dotm),
        cmocka_unit_test(test_forecast_ets_mmdm_simulated),
        cmocka_unit_test(test_seed_matters),
        cmocka_unit_test(test_allocation_and_monte_carlo),
        cmocka_unit_test(test_hdf5_bytes_reproducible),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
