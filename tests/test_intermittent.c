/*
 * test_intermittent.c -- the intermittent-demand methods (models/intermittent.c)
 * and the "auto" routing (models/auto.c): Croston and SBA point forecasts and
 * fitted values against R's forecast::croston, TSB, ADIDA and IMAPA against
 * the published formulas written out in R (tests/fixtures/ref_intermittent.csv,
 * made by bench/r_intermittent_reference.R); the Syntetos-Boylan
 * classification on series worked by hand; the count-distribution intervals
 * against their own sample paths; spec errors; auto on a small panel
 * (intermittent series to TSB, smooth ones exactly as combo(median,ets,arima,theta,damped,dotm));
 * whole-number bounds; and the demand columns of the report.
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

#include "civicast.h"
#include "intermittent.h"
#include "model.h"
#include "model_fixture.h"

#define MAXV 256

static void test_against_r(void **state)
{
    (void)state;
    civ_table *t = NULL;
    assert_int_equal(civ_table_read_csv(CIV_SOURCE_DIR "/tests/fixtures/ref_intermittent.csv", NULL, &t), CIV_OK);
    size_t c_id, c_spec, c_y, c_mean, c_fit;
    assert_int_equal(civ_table_find_column(t, "unique_id", &c_id), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "spec", &c_spec), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "y", &c_y), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "mean", &c_mean), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "fitted", &c_fit), CIV_OK);
    civ_workspace ws;
    mf_workspace_init(&ws);
    double y[MAXV], ref_fit[MAXV], mean[5];
    size_t checked = 0, croston_rows = 0;
    for (size_t r = 0; r < civ_table_n_rows(t); r++) {
        const char *id = civ_table_text(t, r, c_id), *spec = civ_table_text(t, r, c_spec);
        size_t n = mf_parse_vec(civ_table_text(t, r, c_y), y, MAXV);
        assert_int_equal(mf_parse_vec(civ_table_text(t, r, c_fit), ref_fit, MAXV), n);
        double ref_mean = civ_table_number(t, r, c_mean);
        civ_model_fit fit;
        if (mf_fit_spec(spec, y, n, 12, &ws, &fit) != CIV_OK)
            fail_msg("%s %s: %s", id, spec, civ_last_error_message());
        assert_int_equal(fit.type->forecast(&fit, NULL, 5, NULL, 0, &ws, mean, NULL, NULL), CIV_OK);
        for (size_t j = 0; j < 5; j++)
            if (!mf_close_to(mean[j], ref_mean, 1e-12))
                fail_msg("%s %s h=%zu: %.17g, R %.17g", id, spec, j + 1, mean[j], ref_mean);
        assert_int_equal(fit.n, n);
        for (size_t i = 0; i < n; i++)
            if (!mf_close_to(fit.fitted[i], ref_fit[i], 1e-12))
                fail_msg("%s %s fitted[%zu]: %.17g, R %.17g", id, spec, i, fit.fitted[i], ref_fit[i]);
        croston_rows += !strncmp(spec, "croston", 7);
        checked++;
    }
    assert_true(checked >= 60);
    assert_true(croston_rows >= 14);
    mf_workspace_free(&ws);
    civ_table_free(t);
}

/* Classes worked by hand from the definitions in civicast.h. */
static void test_classify(void **state)
{
    (void)state;
    double adi, cv2;
    civ_demand_class c;
    /* leading zeros do not count: 6 periods from the first demand, 3 demands */
    const double inter[] = {0, 0, 5, 0, 5, 0, 5, 0};
    assert_int_equal(civ_demand_classify(inter, 8, &adi, &cv2, &c), CIV_OK);
    assert_int_equal(c, CIV_DEMAND_INTERMITTENT);
    assert_true(mf_close_to(adi, 2.0, 1e-15) && cv2 == 0.0);
    const double smooth[] = {4, 5, 4, 5, NAN, 4};
    assert_int_equal(civ_demand_classify(smooth, 6, &adi, &cv2, &c), CIV_OK);
    assert_int_equal(c, CIV_DEMAND_SMOOTH);
    assert_true(adi == 1.0);
    /* sizes 1, 10, 1, 10: mean 5.5, sample variance 27 */
    const double erratic[] = {1, 10, 1, 10};
    assert_int_equal(civ_demand_classify(erratic, 4, &adi, &cv2, &c), CIV_OK);
    assert_int_equal(c, CIV_DEMAND_ERRATIC);
    assert_true(mf_close_to(cv2, 27.0 / 30.25, 1e-14));
    /* 7 periods, 3 demands 1, 20, 1: mean 22/3, variance ((19/3)^2*2 + (38/3)^2)/2 */
    const double lumpy[] = {0, 1, 0, 0, 20, 0, 1, 0};
    assert_int_equal(civ_demand_classify(lumpy, 8, &adi, &cv2, &c), CIV_OK);
    assert_int_equal(c, CIV_DEMAND_LUMPY);
    double m = 22.0 / 3.0, v = (2.0 * (19.0 / 3.0) * (19.0 / 3.0) + (38.0 / 3.0) * (38.0 / 3.0)) / 2.0;
    assert_true(mf_close_to(adi, 7.0 / 3.0, 1e-14) && mf_close_to(cv2, v / (m * m), 1e-13));
    const double zeros[] = {0, 0, 0};
    assert_int_equal(civ_demand_classify(zeros, 3, &adi, &cv2, &c), CIV_OK);
    assert_int_equal(c, CIV_DEMAND_NONE);
    assert_true(isnan(adi) && isnan(cv2));
    const double neg[] = {1, -1, 2};
    assert_int_equal(civ_demand_classify(neg, 3, NULL, NULL, &c), CIV_OK);
    assert_int_equal(c, CIV_DEMAND_UNDEFINED);
    assert_string_equal(civ_demand_class_name(CIV_DEMAND_LUMPY), "lumpy");
    assert_string_equal(civ_demand_class_name(CIV_DEMAND_UNDEFINED), "");
    assert_int_equal(civ_demand_classify(NULL, 3, NULL, NULL, &c), CIV_ERR_INVALID_ARGUMENT);
    /* the cut-off itself is intermittent (>= 1.32): 33 periods, 25 demands */
    double edge[33];
    for (size_t t = 0; t < 33; t++)
        edge[t] = t < 25 ? 3.0 : 0.0;
    assert_int_equal(civ_demand_classify(edge, 33, &adi, NULL, &c), CIV_OK);
    assert_true(mf_close_to(adi, 1.32, 1e-15));
    assert_int_equal(c, CIV_DEMAND_INTERMITTENT);
}

/* The analytic bounds are the quantiles of the distribution simulate() draws,
 * non-negative and nested; its mean is the point forecast. */
static void test_intervals_match_paths(void **state)
{
    (void)state;
    const double y[] = {0, 3, 0, 0, 7, 0, 2, 0, 0, 0, 12, 0, 4, 0, 0, 5, 0, 0, 1, 0, 0, 6, 0, 0};
    const char *specs[] = {"croston", "sba", "tsb", "adida", "imapa"};
    civ_workspace ws;
    mf_workspace_init(&ws);
    enum { P = 200000 };
    double *paths = malloc(P * sizeof *paths);
    assert_non_null(paths);
    static const double levels[] = {50.0, 80.0, 95.0};
    for (size_t k = 0; k < 5; k++) {
        civ_model_fit fit;
        assert_int_equal(mf_fit_spec(specs[k], y, 24, 12, &ws, &fit), CIV_OK);
        double mean[3], lo[9], hi[9];
        assert_int_equal(fit.type->forecast(&fit, NULL, 3, levels, 3, &ws, mean, lo, hi), CIV_OK);
        gsl_rng_set(ws.rng, 7);
        assert_int_equal(fit.type->simulate(&fit, NULL, 1, P, &ws, paths), CIV_OK);
        double s = 0.0;
        for (size_t p = 0; p < P; p++) {
            assert_true(paths[p] >= 0.0);
            s += paths[p];
        }
        if (!mf_close_to(s / P, mean[0], 0.02))
            fail_msg("%s: simulated mean %g, point forecast %g", specs[k], s / P, mean[0]);
        for (size_t l = 0; l < 3; l++) {
            assert_true(lo[l * 3] >= 0.0 && lo[l * 3] <= hi[l * 3]);
            if (l)
                assert_true(lo[l * 3] <= lo[(l - 1) * 3] && hi[l * 3] >= hi[(l - 1) * 3]);
            /* the share of draws at or below each bound brackets its probability */
            double a = (1.0 - levels[l] / 100.0) / 2.0;
            size_t below_hi = 0, below_lo = 0, under_hi = 0, under_lo = 0;
            for (size_t p = 0; p < P; p++) {
                below_hi += paths[p] <= hi[l * 3] * (1 + 1e-12);
                below_lo += paths[p] <= lo[l * 3] * (1 + 1e-12);
                under_hi += paths[p] < hi[l * 3] * (1 - 1e-12);
                under_lo += paths[p] < lo[l * 3] * (1 - 1e-12);
            }
            /* bounds are quantiles of a discrete law: P(Y <= q) >= u > P(Y < q) */
            if ((double)below_hi / P < 1.0 - a - 0.01 || (double)below_lo / P < a - 0.01 ||
                (double)under_hi / P > 1.0 - a + 0.01 || (double)under_lo / P > a + 0.01)
                fail_msg("%s level %g: P(Y <= hi) %g, P(Y < hi) %g, P(Y <= lo) %g, P(Y < lo) %g", specs[k], levels[l],
                         (double)below_hi / P, (double)under_hi / P, (double)below_lo / P, (double)under_lo / P);
        }
    }
    free(paths);
    mf_workspace_free(&ws);
}

static void test_specs_and_errors(void **state)
{
    (void)state;
    const civ_model_type *type;
    _Alignas(16) unsigned char config[CIV_MODEL_CONFIG_MAX];
    const char *ok[] = {"croston", "CROSTON", " sba ", "tsb(alpha=0.2, beta=0.05)", "adida(k=4)", "imapa(k=6,alpha=0.3)",
                        "auto"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        assert_int_equal(civ_model_resolve(ok[i], &type, config), CIV_OK);
    assert_int_equal(civ_model_resolve("tsb", &type, config), CIV_OK);
    assert_string_equal(type->family, "tsb");
    const char *bad[] = {"croston(alpha=2)", "croston(beta=0.1)", "tsb(gamma=1)", "adida(k=0)", "adida(k=1.5)",
                         "sba(alpha=0.1", "imapa(alpha)", "croston(alpha=x)"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (civ_model_resolve(bad[i], &type, config) != CIV_ERR_SPEC)
            fail_msg("'%s' should be a malformed spec", bad[i]);
        assert_non_null(strstr(civ_last_error_message(), bad[i]));
    }
    civ_workspace ws;
    mf_workspace_init(&ws);
    civ_model_fit fit;
    const double neg[] = {1, 0, -2, 3};
    assert_int_equal(mf_fit_spec("croston", neg, 4, 12, &ws, &fit), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "non-negative"));
    /* missing values are skipped: same forecast as without them, fitted values
     * in place with NaN at the gaps */
    const double gappy[] = {0, 4, NAN, 0, 0, 3, 0, NAN, 2, 0};
    const double packed[] = {0, 4, 0, 0, 3, 0, 2, 0};
    double m1, m2;
    assert_int_equal(mf_fit_spec("sba", packed, 8, 12, &ws, &fit), CIV_OK);
    double pf[8];
    memcpy(pf, fit.fitted, sizeof pf);
    assert_int_equal(fit.type->forecast(&fit, NULL, 1, NULL, 0, &ws, &m1, NULL, NULL), CIV_OK);
    assert_int_equal(mf_fit_spec("sba", gappy, 10, 12, &ws, &fit), CIV_OK);
    assert_int_equal(fit.type->forecast(&fit, NULL, 1, NULL, 0, &ws, &m2, NULL, NULL), CIV_OK);
    assert_true(m1 == m2);
    assert_int_equal(fit.n, 10);
    assert_true(isnan(fit.fitted[2]) && isnan(fit.fitted[7]));
    assert_true(fit.fitted[9] == pf[7] && fit.fitted[5] == pf[4]);
    mf_workspace_free(&ws);
}

/* A panel: smooth series routed to the combination exactly as combo(median,ets,arima,theta,damped,dotm),
 * intermittent and no-demand series to TSB; integer bounds. */
static void test_auto_routing(void **state)
{
    (void)state;
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    double smooth[48], inter[48], none[24];
    uint64_t x = 12345;
    for (size_t t = 0; t < 48; t++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        double u = (double)(x >> 11) / 9007199254740992.0;
        smooth[t] = 100.0 + 10.0 * sin((double)t * 0.52) + floor(20.0 * u);
        inter[t] = u < 0.3 ? floor(1.0 + 8.0 * u) : 0.0;
    }
    for (size_t t = 0; t < 24; t++)
        none[t] = 0.0;
    assert_int_equal(civ_panel_add_series(p, "smooth", 12 * 2020, smooth, 48, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "inter", 12 * 2020, inter, 48, NULL), CIV_OK);
    assert_int_equal(civ_panel_add_series(p, "none", 12 * 2022, none, 24, NULL), CIV_OK);
    civ_forecast_options o;
    civ_forecast_options_init(&o);
    o.horizon = 6;
    o.threads = 1;
    civ_forecast_result *ra = NULL, *rc = NULL, *ri = NULL;
    assert_int_equal(civ_forecast_panel(p, &o, &ra), CIV_OK);
    o.model = "combo(median,ets,arima,theta,damped,dotm)";
    assert_int_equal(civ_forecast_panel(p, &o, &rc), CIV_OK);
    o.model = "auto";
    o.integer_bounds = 1;
    assert_int_equal(civ_forecast_panel(p, &o, &ri), CIV_OK);
    assert_int_equal(civ_forecast_result_n_failed(ra), 0);

    civ_demand_class c;
    double adi;
    assert_int_equal(civ_forecast_result_demand(ra, 0, &adi, NULL, &c), CIV_OK);
    assert_int_equal(c, CIV_DEMAND_SMOOTH);
    assert_int_equal(civ_forecast_result_demand(ra, 1, &adi, NULL, &c), CIV_OK);
    assert_true(c == CIV_DEMAND_INTERMITTENT || c == CIV_DEMAND_LUMPY);
    assert_true(adi >= 1.32);
    assert_int_equal(civ_forecast_result_demand(ra, 2, NULL, NULL, &c), CIV_OK);
    assert_int_equal(c, CIV_DEMAND_NONE);
    assert_int_equal(civ_forecast_result_demand(ra, 3, NULL, NULL, &c), CIV_ERR_INVALID_ARGUMENT);

    assert_string_equal(civ_forecast_result_model(ra, 0), civ_forecast_result_model(rc, 0));
    assert_memory_equal(civ_forecast_result_mean(ra), civ_forecast_result_mean(rc), 6 * sizeof(double));
    for (size_t l = 0; l < 2; l++) {
        assert_memory_equal(civ_forecast_result_lower(ra, l), civ_forecast_result_lower(rc, l), 6 * sizeof(double));
        assert_memory_equal(civ_forecast_result_upper(ra, l), civ_forecast_result_upper(rc, l), 6 * sizeof(double));
    }
    assert_non_null(strstr(civ_forecast_result_model(ra, 1), "TSB"));
    assert_non_null(strstr(civ_forecast_result_model(ra, 2), "TSB"));
    const double *mean = civ_forecast_result_mean(ra);
    for (size_t j = 0; j < 6; j++)
        assert_true(mean[12 + j] == 0.0);

    size_t cells = 3 * 6;
    for (size_t l = 0; l < 2; l++) {
        const double *lo = civ_forecast_result_lower(ri, l), *hi = civ_forecast_result_upper(ri, l);
        const double *lo0 = civ_forecast_result_lower(ra, l), *hi0 = civ_forecast_result_upper(ra, l);
        for (size_t k = 0; k < cells; k++) {
            assert_true(lo[k] == floor(lo[k]) && hi[k] == ceil(hi[k]));
            assert_true(lo[k] >= 0.0 && lo[k] <= lo0[k] && lo0[k] - lo[k] < 1.0);
            assert_true(hi[k] >= hi0[k] && hi[k] - hi0[k] < 1.0);
        }
    }
    assert_memory_equal(civ_forecast_result_mean(ri), mean, cells * sizeof(double));

    /* auto(fast): the smooth series exactly as combo(median,fast,ets,arima,theta,damped,dotm), the others TSB */
    civ_forecast_result *rf = NULL, *rcf = NULL, *rk = NULL;
    o.integer_bounds = 0;
    o.model = "auto(fast)";
    assert_int_equal(civ_forecast_panel(p, &o, &rf), CIV_OK);
    o.model = "combo(median,fast,ets,arima,theta,damped,dotm)";
    assert_int_equal(civ_forecast_panel(p, &o, &rcf), CIV_OK);
    assert_string_equal(civ_forecast_result_model(rf, 0), civ_forecast_result_model(rcf, 0));
    assert_memory_equal(civ_forecast_result_mean(rf), civ_forecast_result_mean(rcf), 6 * sizeof(double));
    assert_memory_equal(civ_forecast_result_upper(rf, 1), civ_forecast_result_upper(rcf, 1), 6 * sizeof(double));
    assert_non_null(strstr(civ_forecast_result_model(rf, 1), "TSB"));
    assert_memory_equal(civ_forecast_result_mean(rf) + 6, mean + 6, 12 * sizeof(double));
    /* conformal intervals are rounded outward after their rescaling */
    o.model = "tsb";
    o.intervals = CIV_INTERVALS_CONFORMAL;
    o.conformal_windows = 4;
    o.integer_bounds = 1;
    assert_int_equal(civ_forecast_panel(p, &o, &rk), CIV_OK);
    for (size_t i = 0; i < 3; i++) {
        if (civ_forecast_result_status(rk, i) != CIV_OK)
            continue;
        for (size_t l = 0; l < 2; l++)
            for (size_t j = 0; j < 6; j++) {
                double lo = civ_forecast_result_lower(rk, l)[i * 6 + j];
                double hi = civ_forecast_result_upper(rk, l)[i * 6 + j];
                assert_true(lo == floor(lo) && hi == ceil(hi) && lo >= 0.0);
            }
    }
    assert_int_equal(civ_forecast_result_status(rk, 1), CIV_OK);
    civ_forecast_result_free(rf);
    civ_forecast_result_free(rcf);
    civ_forecast_result_free(rk);
    o.intervals = CIV_INTERVALS_DEFAULT;

    civ_table *t = NULL;
    size_t col;
    assert_int_equal(civ_forecast_report_table(ra, p, &t), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "demand_class", &col), CIV_OK);
    assert_string_equal(civ_table_text(t, 0, col), "smooth");
    assert_string_equal(civ_table_text(t, 2, col), "none");
    assert_int_equal(civ_table_find_column(t, "adi", &col), CIV_OK);
    assert_true(civ_table_number(t, 1, col) == adi);
    civ_table_free(t);
    civ_forecast_result_free(ra);
    civ_forecast_result_free(rc);
    civ_forecast_result_free(ri);
    civ_panel_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_r),
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_intervals_match_paths),
        cmocka_unit_test(test_specs_and_errors),
        cmocka_unit_test(test_auto_routing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
