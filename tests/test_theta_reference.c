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

/* Columns of ref_theta.csv. */
typedef struct ref_cols {
    size_t id, freq, h, seas, deseas, mean, lo80, hi80, lo95, hi95, err, alpha, acf;
} ref_cols;

static ref_cols ref_cols_of(const civ_table *ref)
{
    ref_cols c;
    c.id = col_of(ref, "unique_id"), c.freq = col_of(ref, "frequency"), c.h = col_of(ref, "h");
    c.seas = col_of(ref, "seasonal_test"), c.deseas = col_of(ref, "deseasonalised");
    c.mean = col_of(ref, "mean"), c.lo80 = col_of(ref, "lo80"), c.hi80 = col_of(ref, "hi80");
    c.lo95 = col_of(ref, "lo95"), c.hi95 = col_of(ref, "hi95"), c.err = col_of(ref, "fit_error");
    c.alpha = col_of(ref, "ses_alpha"), c.acf = col_of(ref, "acf_m");
    return c;
}

/* Tallies over all series, and the worst errors seen. */
typedef struct theta_stats {
    size_t total, matched, verdict_ok, fitted_series;
    double worst_mean, worst_bound, worst_alpha, worst_acf;
    const char *worst_mean_id, *worst_bound_id;
    double seconds;
} theta_stats;

/* Reads series id's values from ref_series into y (searching from *row,
 * then from the top); leaves *row after them; returns their count. */
static size_t series_values(const civ_table *ser, size_t s_id, size_t s_y, const char *id, size_t *row, double *y)
{
    size_t n_ser_rows = civ_table_n_rows(ser);
    /* the series' rows in ref_series (same order as ref_theta) */
    while (*row < n_ser_rows && strcmp(civ_table_text(ser, *row, s_id), id) != 0)
        (*row)++;
    if (*row >= n_ser_rows) {
        *row = 0;
        while (*row < n_ser_rows && strcmp(civ_table_text(ser, *row, s_id), id) != 0)
            (*row)++;
    }
    assert_true(*row < n_ser_rows);
    size_t n = 0;
    while (*row + n < n_ser_rows && strcmp(civ_table_text(ser, *row + n, s_id), id) == 0) {
        double v = 0;
        cell_values(ser, *row + n, s_y, &v, 1);
        y[n] = v;
        n++;
    }
    *row += n;
    return n;
}

/* Compares one fitted series (row k of ref) with R: seasonality verdict,
 * mean and 80/95 bounds; buf holds the reference rows (0..5 MAX_H) and our
 * forecast (5 MAX_H mean, 6 MAX_H lower, 8 MAX_H upper). Returns 1 on a match. */
static int compare_fitted(const civ_table *ref, size_t k, const ref_cols *rc, const civ_series *s, size_t h,
                          const civ_model_fit *fit, double *buf, theta_stats *st)
{
    double *rm = buf, *rlo80 = buf + MAX_H, *rhi80 = buf + 2 * MAX_H, *rlo95 = buf + 3 * MAX_H;
    double *rhi95 = buf + 4 * MAX_H, *ours = buf + 5 * MAX_H;
    double *lower = buf + 6 * MAX_H, *upper = buf + 8 * MAX_H;
    const double *y = s->y;
    size_t n = s->n;
    const char *id = s->id;
    assert_int_equal(cell_values(ref, k, rc->mean, rm, MAX_H), h);
    cell_values(ref, k, rc->lo80, rlo80, MAX_H);
    cell_values(ref, k, rc->hi80, rhi80, MAX_H);
    cell_values(ref, k, rc->lo95, rlo95, MAX_H);
    cell_values(ref, k, rc->hi95, rhi95, MAX_H);

    double scale = 0.0;
    for (size_t i = 0; i < n; i++)
        scale += fabs(y[i]);
    scale = 1e-3 * scale / (double)n + 1e-12;

    int seas_ours = civ_seasonality_test(y, n, s->period, NULL, NULL);
    int deseas_ours = fit->params[3] != 0.0;
    int verdict = seas_ours == flag_of(ref, k, rc->seas) && deseas_ours == flag_of(ref, k, rc->deseas);
    st->verdict_ok += verdict;
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
    double ra = civ_table_number(ref, k, rc->alpha), racf = civ_table_number(ref, k, rc->acf);
    if (isfinite(ra) && fabs(fit->params[0] - ra) > st->worst_alpha)
        st->worst_alpha = fabs(fit->params[0] - ra);
    if (isfinite(racf) && s->period > 1 && n > 2 * (size_t)s->period) {
        double r_m = NAN;
        civ_seasonality_test(y, n, s->period, &r_m, NULL);
        if (fabs(r_m - racf) > st->worst_acf)
            st->worst_acf = fabs(r_m - racf);
    }
    if (em > st->worst_mean) {
        st->worst_mean = em;
        st->worst_mean_id = id;
    }
    if (eb > st->worst_bound) {
        st->worst_bound = eb;
        st->worst_bound_id = id;
    }
    int ok = verdict && em <= 0.005 && eb <= 0.01;
    if (!ok)
        print_message("%s: n=%zu m=%d mean err %.3g%% bound err %.3g%% (alpha ours %.6g R %.6g)\n", id, n,
                      s->period, 100 * em, 100 * eb, fit->params[0], ra);
    return ok;
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
    ref_cols rc = ref_cols_of(ref);

    size_t n_ser_rows = civ_table_n_rows(ser), n_ref = civ_table_n_rows(ref);
    assert_true(n_ref > 0);
    double *y = malloc(n_ser_rows * sizeof *y);
    double *buf = malloc(MAX_H * 10 * sizeof *buf);
    assert_non_null(y);
    assert_non_null(buf);
    double *ours = buf + 5 * MAX_H, *lower = buf + 6 * MAX_H, *upper = buf + 8 * MAX_H;
    const double levels[2] = {80.0, 95.0};

    civ_workspace ws = {0};
    ws.rng = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(ws.rng);
    unsigned char config[CIV_MODEL_CONFIG_MAX] = {0};
    assert_int_equal(civ_model_theta.parse("theta", config), CIV_OK);

    theta_stats st = {.worst_mean_id = "", .worst_bound_id = ""};
    size_t row = 0;
    for (size_t k = 0; k < n_ref; k++) {
        const char *id = civ_table_text(ref, k, rc.id);
        size_t n = series_values(ser, s_id, s_y, id, &row, y);
        st.total++;
        civ_series s = {.id = id, .y = y, .n = n, .period = (int)civ_table_number(ref, k, rc.freq)};
        size_t h = (size_t)civ_table_number(ref, k, rc.h);
        assert_true(h > 0 && h <= MAX_H);
        const char *err = civ_table_text(ref, k, rc.err);
        int r_failed = err && *err && strcmp(err, "NA") != 0;

        civ_arena_reset(&ws.arena);
        gsl_rng_set(ws.rng, 1);
        civ_model_fit fit;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        civ_status fs = civ_model_theta.fit(config, NULL, &s, &ws, &fit);
        if (fs == CIV_OK)
            fs = civ_model_theta.forecast(&fit, &s, h, levels, 2, &ws, ours, lower, upper);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        st.seconds += (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);

        if (r_failed) {
            /* R could not forecast it (missing values): we must refuse too. */
            if (fs != CIV_OK) {
                st.matched++;
                st.verdict_ok++;
            } else {
                print_message("%s: R failed (%s) but civicast forecast it\n", id, err);
            }
            continue;
        }
        if (fs != CIV_OK) {
            print_message("%s: fit failed: %s\n", id, civ_last_error_message());
            continue;
        }
        st.fitted_series++;
        st.matched += compare_fitted(ref, k, &rc, &s, h, &fit, buf, &st);
    }
    printf("theta vs R thetaf: %zu/%zu series match (seasonality verdict %zu/%zu); worst mean rel err %.3g%% (%s), "
           "worst 80/95 bound rel err %.3g%% (%s); max |alpha diff| %.3g, max |acf_m diff| %.3g; %.3f ms/series "
           "(fit + forecast, %zu fitted)\n",
           st.matched, st.total, st.verdict_ok, st.total, 100 * st.worst_mean, st.worst_mean_id, 100 * st.worst_bound,
           st.worst_bound_id, st.worst_alpha, st.worst_acf, 1e3 * st.seconds / (double)(st.total ? st.total : 1),
           st.fitted_series);
    fflush(stdout);

    civ_arena_free(&ws.arena);
    gsl_rng_free(ws.rng);
    free(y);
    free(buf);
    civ_table_free(ser);
    civ_table_free(ref);
    assert_int_equal(st.matched, st.total);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_theta_matches_thetaf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
