/*
 * test_theta_reference.c -- the standard Theta model against R's
 * forecast::thetaf() on every series of the reference fixtures
 * (tests/fixtures/ref_series.csv, ref_theta.csv; made by bench/r_reference.R,
 * columns in tests/fixtures/README.md).
 *
 * For every series R could forecast we require: the same seasonality verdict
 * and deseasonalisation, point forecasts within 0.5% (relative to |R|, with a
 * floor of 1e-3 mean|y| so values near zero do not explode the ratio), and
 * the 80%/95% bounds within 1% on the same scale.  Series R could not fit
 * (presidents: missing values) must fail here too.  A one-line summary with
 * the match count, the worst errors and the time per series goes to stdout.
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <gsl/gsl_rng.h>

#include "civicast.h"
#include "decompose.h"
#include "model.h"
#include "theta.h"

#define FIX_DIR CIV_SOURCE_DIR "/tests/fixtures/"
#define MAX_H 4096

/* A cell as numbers: number columns give one value, text columns a
 * ';'-separated list in which "NA" (or empty) is NaN.  Returns the count. */
static size_t cell_values(const civ_table *t, size_t row, size_t col, double *out, size_t max)
{
    if (civ_table_column_type(t, col) == CIV_COLUMN_NUMBER) {
        if (max > 0)
            out[0] = civ_table_number(t, row, col);
        return 1;
    }
    const char *s = civ_table_text(t, row, col);
    size_t k = 0;
    if (!s || !*s)
        return 0;
    while (*s && k < max) {
        const char *end = strchr(s, ';');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        char buf[64];
        if (len >= sizeof buf)
            len = sizeof buf - 1;
        memcpy(buf, s, len);
        buf[len] = '\0';
        out[k++] = (strcmp(buf, "NA") == 0 || len == 0) ? NAN : strtod(buf, NULL);
        if (!end)
            break;
        s = end + 1;
    }
    return k;
}

static size_t col_of(const civ_table *t, const char *name)
{
    size_t c = 0;
    civ_status s = civ_table_find_column(t, name, &c);
    if (s != CIV_OK)
        fail_msg("fixture column '%s' missing: %s", name, civ_last_error_message());
    return c;
}

static int flag_of(const civ_table *t, size_t row, size_t col)
{
    if (civ_table_column_type(t, col) == CIV_COLUMN_NUMBER)
        return civ_table_number(t, row, col) != 0.0;
    const char *s = civ_table_text(t, row, col);
    return s && (strcmp(s, "TRUE") == 0 || strcmp(s, "1") == 0);
}

static double rel_err(double ours, double ref, double floor_abs)
{
    double den = fabs(ref) > floor_abs ? fabs(ref) : floor_abs;
    return fabs(ours - ref) / den;
}

static void test_theta_matches_thetaf(void **state)
{
    (void)state;
    FILE *probe = fopen(FIX_DIR "ref_theta.csv", "r");
    if (!probe)
        fail_msg("fixture %s is missing: run bench/r_reference.R (see tests/fixtures/README.md)",
                 FIX_DIR "ref_theta.csv");
    fclose(probe);

    static const char *const ser_text[] = {"y", NULL};
    civ_table_read_options sopt = {.text_columns = ser_text};
    civ_table *ser = NULL, *ref = NULL;
    assert_int_equal(civ_table_read_csv(FIX_DIR "ref_series.csv", &sopt, &ser), CIV_OK);
    assert_int_equal(civ_table_read_csv(FIX_DIR "ref_theta.csv", NULL, &ref), CIV_OK);

    size_t s_id = col_of(ser, "unique_id"), s_y = col_of(ser, "y");
    size_t r_id = col_of(ref, "unique_id"), r_freq = col_of(ref, "frequency"), r_h = col_of(ref, "h");
    size_t r_seas = col_of(ref, "seasonal_test"), r_deseas = col_of(ref, "deseasonalised");
    size_t r_mean = col_of(ref, "mean"), r_lo80 = col_of(ref, "lo80"), r_hi80 = col_of(ref, "hi80");
    size_t r_lo95 = col_of(ref, "lo95"), r_hi95 = col_of(ref, "hi95"), r_err = col_of(ref, "fit_error");
    size_t r_alpha = col_of(ref, "ses_alpha"), r_acf = col_of(ref, "acf_m");

    size_t n_ser_rows = civ_table_n_rows(ser), n_ref = civ_table_n_rows(ref);
    assert_true(n_ref > 0);
    double *y = malloc(n_ser_rows * sizeof *y);
    double *buf = malloc(MAX_H * 10 * sizeof *buf);
    assert_non_null(y);
    assert_non_null(buf);
    double *rm = buf, *rlo80 = buf + MAX_H, *rhi80 = buf + 2 * MAX_H, *rlo95 = buf + 3 * MAX_H;
    double *rhi95 = buf + 4 * MAX_H, *ours = buf + 5 * MAX_H;
    double *lower = buf + 6 * MAX_H, *upper = buf + 8 * MAX_H;
    const double levels[2] = {80.0, 95.0};

    civ_workspace ws = {0};
    ws.rng = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(ws.rng);
    unsigned char config[CIV_MODEL_CONFIG_MAX] = {0};
    assert_int_equal(civ_model_theta.parse("theta", config), CIV_OK);

    size_t total = 0, matched = 0, verdict_ok = 0, fitted_series = 0;
    double worst_mean = 0.0, worst_bound = 0.0, worst_alpha = 0.0, worst_acf = 0.0;
    const char *worst_mean_id = "", *worst_bound_id = "";
    double seconds = 0.0;
    size_t row = 0;
    for (size_t k = 0; k < n_ref; k++) {
        const char *id = civ_table_text(ref, k, r_id);
        /* the series' rows in ref_series (same order as ref_theta) */
        while (row < n_ser_rows && strcmp(civ_table_text(ser, row, s_id), id) != 0)
            row++;
        if (row >= n_ser_rows) {
            row = 0;
            while (row < n_ser_rows && strcmp(civ_table_text(ser, row, s_id), id) != 0)
                row++;
        }
        assert_true(row < n_ser_rows);
        size_t n = 0;
        while (row + n < n_ser_rows && strcmp(civ_table_text(ser, row + n, s_id), id) == 0) {
            double v;
            cell_values(ser, row + n, s_y, &v, 1);
            y[n] = v;
            n++;
        }
        row += n;
        total++;
        civ_series s = {.id = id, .y = y, .n = n, .period = (int)civ_table_number(ref, k, r_freq)};
        size_t h = (size_t)civ_table_number(ref, k, r_h);
        assert_true(h > 0 && h <= MAX_H);
        const char *err = civ_table_text(ref, k, r_err);
        int r_failed = err && *err && strcmp(err, "NA") != 0;

        civ_arena_reset(&ws.arena);
        gsl_rng_set(ws.rng, 1);
        civ_model_fit fit;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        civ_status st = civ_model_theta.fit(config, NULL, &s, &ws, &fit);
        if (st == CIV_OK)
            st = civ_model_theta.forecast(&fit, &s, h, levels, 2, &ws, ours, lower, upper);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        seconds += (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);

        if (r_failed) {
            /* R could not forecast it (missing values): we must refuse too. */
            if (st != CIV_OK) {
                matched++;
                verdict_ok++;
            } else {
                print_message("%s: R failed (%s) but civicast forecast it\n", id, err);
            }
            continue;
        }
        if (st != CIV_OK) {
            print_message("%s: fit failed: %s\n", id, civ_last_error_message());
            continue;
        }
        fitted_series++;
        assert_int_equal(cell_values(ref, k, r_mean, rm, MAX_H), h);
        cell_values(ref, k, r_lo80, rlo80, MAX_H);
        cell_values(ref, k, r_hi80, rhi80, MAX_H);
        cell_values(ref, k, r_lo95, rlo95, MAX_H);
        cell_values(ref, k, r_hi95, rhi95, MAX_H);

        double scale = 0.0;
        for (size_t i = 0; i < n; i++)
            scale += fabs(y[i]);
        scale = 1e-3 * scale / (double)n + 1e-12;

        int seas_ours = civ_seasonality_test(y, n, s.period, NULL, NULL);
        int deseas_ours = fit.params[3] != 0.0;
        int verdict = seas_ours == flag_of(ref, k, r_seas) && deseas_ours == flag_of(ref, k, r_deseas);
        verdict_ok += verdict;
        if (!verdict)
            print_message("%s: seasonality verdict differs (ours %d/%d)\n", id, seas_ours, deseas_ours);

        double em = 0.0, eb = 0.0;
        for (size_t j = 0; j < h; j++) {
            double e = rel_err(ours[j], rm[j], scale);
            em = e > em ? e : em;
            const double *rb[4] = {rlo80, rhi80, rlo95, rhi95};
            const double ob[4] = {lower[j], upper[j], lower[h + j], upper[h + j]};
            for (int b = 0; b < 4; b++) {
                double eb1 = rel_err(ob[b], rb[b][j], scale);
                eb = eb1 > eb ? eb1 : eb;
            }
        }
        double ra = civ_table_number(ref, k, r_alpha), racf = civ_table_number(ref, k, r_acf);
        if (isfinite(ra) && fabs(fit.params[0] - ra) > worst_alpha)
            worst_alpha = fabs(fit.params[0] - ra);
        if (isfinite(racf) && s.period > 1 && n > 2 * (size_t)s.period) {
            double r_m = NAN;
            civ_seasonality_test(y, n, s.period, &r_m, NULL);
            if (fabs(r_m - racf) > worst_acf)
                worst_acf = fabs(r_m - racf);
        }
        if (em > worst_mean) {
            worst_mean = em;
            worst_mean_id = id;
        }
        if (eb > worst_bound) {
            worst_bound = eb;
            worst_bound_id = id;
        }
        int ok = verdict && em <= 0.005 && eb <= 0.01;
        if (!ok)
            print_message("%s: n=%zu m=%d mean err %.3g%% bound err %.3g%% (alpha ours %.6g R %.6g)\n", id, n,
                          s.period, 100 * em, 100 * eb, fit.params[0], ra);
        matched += ok;
    }
    printf("theta vs R thetaf: %zu/%zu series match (seasonality verdict %zu/%zu); worst mean rel err %.3g%% (%s), "
           "worst 80/95 bound rel err %.3g%% (%s); max |alpha diff| %.3g, max |acf_m diff| %.3g; %.3f ms/series "
           "(fit + forecast, %zu fitted)\n",
           matched, total, verdict_ok, total, 100 * worst_mean, worst_mean_id, 100 * worst_bound, worst_bound_id,
           worst_alpha, worst_acf, 1e3 * seconds / (double)(total ? total : 1), fitted_series);
    fflush(stdout);

    civ_arena_free(&ws.arena);
    gsl_rng_free(ws.rng);
    free(y);
    free(buf);
    civ_table_free(ser);
    civ_table_free(ref);
    assert_int_equal(matched, total);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_theta_matches_thetaf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
