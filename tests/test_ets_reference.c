/*
 * test_ets_reference.c -- ETS (models/ets.c) against R's forecast::ets
 * (forecast 8.20), read from tests/fixtures/ref_ets.csv and ref_series.csv
 * (made by bench/r_reference.R; columns in tests/fixtures/README.md).
 *
 * For every series: the fixed specs (ANN, AAdN, MAM) must reach a
 * log-likelihood at least R's - 0.01 (Nelder-Mead from the same start; a
 * higher value is a better optimum, not a failure), and the automatic
 * selection must pick R's model for >= 90% of the series; where it does, the
 * point forecasts must agree within 2% and the log-likelihood as above.
 * Forecasts and 95% bounds of the fixed specs and of R's HoltWintersZZ
 * fallbacks are compared too.  Summary lines go to stdout for the lead's
 * report, with the CPU time of the automatic selection per frequency.
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

#include <cmocka.h>

#include "civicast.h"
#include "ets.h"
#include "model.h"

#define MAXV 8192

static size_t parse_vec(const char *text, double *out, size_t max)
{
    size_t n = 0;
    const char *p = text;
    while (p && *p && n < max) {
        if (!strncmp(p, "NA", 2)) {
            out[n++] = NAN;
            p += 2;
        } else {
            char *end;
            out[n++] = strtod(p, &end);
            if (end == p)
                break;
            p = end;
        }
        if (*p == ';')
            p++;
    }
    return n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct series_ref {
    char id[64];
    int freq;
    size_t n;
    double *y;
} series_ref;

static civ_table *read_table(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/fixtures/%s", CIV_SOURCE_DIR, name);
    static const char *text[] = {"unique_id", "spec", "method", "error", "trend", "season", "damped",
                                 "fallback", "initstate", "laststate", "start_par", "mean", "lo80",
                                 "hi80", "lo95", "hi95", "var", "fit_error", NULL};
    civ_table_read_options o = {.text_columns = text};
    civ_table *t = NULL;
    civ_status s = civ_table_read_csv(path, &o, &t);
    if (s != CIV_OK)
        fail_msg("fixture %s is missing or unreadable (%s): run bench/r_reference.R", path,
                 civ_last_error_message());
    return t;
}

static size_t col(const civ_table *t, const char *name)
{
    size_t c;
    if (civ_table_find_column(t, name, &c) != CIV_OK)
        fail_msg("fixture column '%s' missing", name);
    return c;
}

/* The series as R's ets() saw it: na.contiguous() (longest NaN-free run). */
static void contiguous(const double *y, size_t n, size_t *start, size_t *len)
{
    size_t best = 0, bl = 0, i = 0;
    while (i < n) {
        while (i < n && isnan(y[i]))
            i++;
        size_t s = i;
        while (i < n && !isnan(y[i]))
            i++;
        if (i - s > bl) {
            bl = i - s;
            best = s;
        }
    }
    *start = best;
    *len = bl;
}

static const char *spec_of(const char *rspec)
{
    if (!strcmp(rspec, "auto"))
        return "ets";
    if (!strcmp(rspec, "ANN"))
        return "ETS(A,N,N)";
    if (!strcmp(rspec, "AAdN"))
        return "ETS(A,Ad,N)";
    if (!strcmp(rspec, "MAM"))
        return "ETS(M,A,M)";
    return NULL;
}

static void test_reference(void **state)
{
    (void)state;
    civ_table *ts = read_table("ref_series.csv");
    civ_table *te = read_table("ref_ets.csv");
    size_t c_id = col(ts, "unique_id"), c_f = col(ts, "frequency"), c_t = col(ts, "t"), c_y = col(ts, "y");
    size_t nr = civ_table_n_rows(ts);
    series_ref *sr = calloc(400, sizeof *sr);
    size_t ns = 0;
    for (size_t r = 0; r < nr;) {
        const char *id = civ_table_text(ts, r, c_id);
        size_t e = r;
        while (e < nr && !strcmp(civ_table_text(ts, e, c_id), id))
            e++;
        assert_true(ns < 400);
        series_ref *s = &sr[ns++];
        snprintf(s->id, sizeof s->id, "%s", id);
        s->freq = (int)civ_table_number(ts, r, c_f);
        s->n = e - r;
        s->y = malloc(s->n * sizeof *s->y);
        for (size_t k = r; k < e; k++) {
            size_t t = (size_t)civ_table_number(ts, k, c_t) - 1;
            assert_true(t < s->n);
            s->y[t] = civ_table_number(ts, k, c_y);
        }
        r = e;
    }
    size_t e_id = col(te, "unique_id"), e_spec = col(te, "spec"), e_method = col(te, "method"),
           e_fb = col(te, "fallback"), e_ll = col(te, "loglik"), e_mean = col(te, "mean"),
           e_lo = col(te, "lo95"),
           e_hi = col(te, "hi95"), e_h = col(te, "h"), e_s2 = col(te, "sigma2"), e_err = col(te, "fit_error");
    civ_workspace ws;
    memset(&ws, 0, sizeof ws);
    ws.rng = gsl_rng_alloc(gsl_rng_mt19937);
    double *mean = malloc(MAXV * sizeof *mean), *lo = malloc(MAXV * sizeof *lo), *hi = malloc(MAXV * sizeof *hi);
    double *rv = malloc(MAXV * sizeof *rv), *rlo = malloc(MAXV * sizeof *rlo), *rhi = malloc(MAXV * sizeof *rhi);
    double *times = malloc(400 * sizeof *times);
    int *tfreq = malloc(400 * sizeof *tfreq);
    size_t ntimes = 0;
    size_t fixed_fc_ok = 0, fixed_pi_ok = 0, fb_fc_ok = 0, fb_sse_ok = 0;
    double max_abs_dll = 0;
    size_t fixed_total = 0, fixed_ok = 0, fixed_better = 0, fb_total = 0, fb_name = 0;
    size_t auto_total = 0, auto_match = 0, auto_fc_ok = 0, auto_ll_ok = 0, pi_ok = 0, pi_total = 0;
    double worst_fixed = 0;
    char worst_fixed_id[96] = "";
    size_t ne = civ_table_n_rows(te);
    for (size_t r = 0; r < ne; r++) {
        const char *id = civ_table_text(te, r, e_id), *rspec = civ_table_text(te, r, e_spec);
        const char *ferr = civ_table_text(te, r, e_err);
        if (ferr[0] && strcmp(ferr, "NA") != 0)
            continue; /* R itself failed */
        series_ref *s = NULL;
        for (size_t k = 0; k < ns; k++)
            if (!strcmp(sr[k].id, id))
                s = &sr[k];
        assert_non_null(s);
        size_t st, len;
        contiguous(s->y, s->n, &st, &len);
        civ_series ser = {.id = id, .y = s->y + st, .n = len, .period = s->freq};
        const char *spec = spec_of(rspec);
        assert_non_null(spec);
        const civ_model_type *type;
        unsigned char cfg[CIV_MODEL_CONFIG_MAX];
        assert_int_equal(civ_model_resolve(spec, &type, cfg), CIV_OK);
        civ_model_fit fit;
        memset(&fit, 0, sizeof fit);
        civ_arena_reset(&ws.arena);
        gsl_rng_set(ws.rng, 42);
        civ_model_options opt = {0};
        struct timespec t0, t1;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
        civ_status fs = type->fit(cfg, &opt, &ser, &ws, &fit);
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
        if (fs != CIV_OK)
            fail_msg("%s %s: fit failed: %s", id, spec, civ_last_error_message());
        const char *method = civ_table_text(te, r, e_method);
        int is_fb = !strcmp(civ_table_text(te, r, e_fb), "HoltWintersZZ");
        double rll = civ_table_number(te, r, e_ll);
        size_t h = (size_t)civ_table_number(te, r, e_h);
        assert_true(h < MAXV);
        double levels[1] = {95};
        assert_int_equal(type->forecast(&fit, &ser, h, levels, 1, &ws, mean, lo, hi), CIV_OK);
        size_t nv = parse_vec(civ_table_text(te, r, e_mean), rv, MAXV);
        parse_vec(civ_table_text(te, r, e_lo), rlo, MAXV);
        parse_vec(civ_table_text(te, r, e_hi), rhi, MAXV);
        assert_int_equal(nv, h);
        double ysc = 0;
        for (size_t i = 0; i < len; i++)
            ysc += fabs(ser.y[i]) / (double)len;
        int fc_ok = 1, pi_ok1 = 1;
        for (size_t j = 0; j < h; j++) {
            double tol = 0.02 * fmax(fabs(rv[j]), 1e-3 * ysc);
            if (!(fabs(mean[j] - rv[j]) <= tol))
                fc_ok = 0;
            double w = rhi[j] - rlo[j];
            if (!(fabs(lo[j] - rlo[j]) <= 0.02 * fmax(w, 1e-3 * ysc)) ||
                !(fabs(hi[j] - rhi[j]) <= 0.02 * fmax(w, 1e-3 * ysc)))
                pi_ok1 = 0;
        }
        int name_match = !strcmp(fit.name, method);
        if (is_fb) {
            fb_total++;
            fb_name += (size_t)name_match;
            fb_fc_ok += (size_t)fc_ok;
            double rs2 = civ_table_number(te, r, e_s2);
            fb_sse_ok += (size_t)(fit.sigma2 <= rs2 * (1 + 1e-3));
            if (fit.sigma2 > rs2 * (1 + 1e-3))
                printf("  fallback %-10s %-5s SSE/n %.6g vs R %.6g\n", id, rspec, fit.sigma2, rs2);
            if (!fc_ok)
                printf("  fallback %-10s %-5s %s: forecasts differ by more than 2%% (h1 %.4f vs R %.4f)\n", id,
                       rspec, method, mean[0], rv[0]);
        } else if (strcmp(rspec, "auto") != 0) {
            fixed_total++;
            double d = fit.loglik - rll;
            if (d >= -0.01)
                fixed_ok++;
            if (d > 0.01)
                fixed_better++;
            if (fabs(d) > max_abs_dll)
                max_abs_dll = fabs(d);
            if (d < worst_fixed) {
                worst_fixed = d;
                snprintf(worst_fixed_id, sizeof worst_fixed_id, "%s/%s", id, rspec);
            }
            fixed_fc_ok += (size_t)fc_ok;
            fixed_pi_ok += (size_t)pi_ok1;
            if (!fc_ok || !pi_ok1)
                printf("  fixed %-10s %-5s forecasts or 95%% bounds differ by more than 2%%\n", id, rspec);
            if (d < -0.01)
                printf("  fixed %-10s %-5s loglik %.4f vs R %.4f (%+.4f)\n", id, rspec, fit.loglik, rll, d);
        }
        if (!strcmp(rspec, "auto")) {
            times[ntimes] = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
            tfreq[ntimes++] = s->freq;
            auto_total++;
            if (name_match) {
                auto_match++;
                auto_fc_ok += (size_t)fc_ok;
                pi_total++;
                pi_ok += (size_t)pi_ok1;
                if (is_fb || isnan(rll) || fit.loglik >= rll - 0.01)
                    auto_ll_ok++;
                else
                    printf("  auto  %-10s %s loglik %.4f vs R %.4f\n", id, method, fit.loglik, rll);
                if (!fc_ok)
                    printf("  auto  %-10s %s forecasts differ by more than 2%% (h1 %.4f vs %.4f)\n", id, method,
                           mean[0], rv[0]);
            } else {
                printf("  auto  %-10s chose %s, R %s (aicc %.3f)\n", id, fit.name, method, fit.aicc);
            }
        }
    }
    /* CPU time of the fit, per frequency (R's ets on this machine: about 0.025 s
     * yearly, 0.25 s quarterly, 0.7 s monthly per series, see docs/models/ETS.md) */
    static const int freqs[3] = {1, 4, 12};
    for (int fq = 0; fq < 3; fq++) {
        double tf[400];
        size_t k = 0;
        for (size_t i = 0; i < ntimes; i++)
            if (tfreq[i] == freqs[fq])
                tf[k++] = times[i];
        qsort(tf, k, sizeof *tf, cmp_double);
        if (k)
            printf("ETS reference: frequency %2d: median auto fit CPU time %.2f ms (%zu series)\n", freqs[fq],
                   1e3 * tf[k / 2], k);
    }
    qsort(times, ntimes, sizeof *times, cmp_double);
    double med = ntimes ? times[ntimes / 2] : NAN;
    printf("ETS reference: auto selection %zu/%zu (%.1f%%); forecasts within 2%% %zu/%zu; loglik >= R-0.01 %zu/%zu;"
           " 95%% bounds within 2%% of width %zu/%zu\n",
           auto_match, auto_total, 100.0 * (double)auto_match / (double)auto_total, auto_fc_ok, auto_match,
           auto_ll_ok, auto_match, pi_ok, pi_total);
    printf("ETS reference: fixed specs loglik >= R-0.01 %zu/%zu (%zu better than R by > 0.01); worst %+.4f (%s);"
           " HoltWinters fallbacks same model %zu/%zu\n",
           fixed_ok, fixed_total, fixed_better, worst_fixed, worst_fixed_id, fb_name, fb_total);
    printf("ETS reference: fixed specs forecasts within 2%% %zu/%zu, 95%% bounds within 2%% of width %zu/%zu;"
           " max |loglik - R| %.2e\nETS reference: HoltWinters fallback forecasts within 2%% %zu/%zu, sigma2 <= R's + 0.1%% %zu/%zu\n",
           fixed_fc_ok, fixed_total, fixed_pi_ok, fixed_total, max_abs_dll, fb_fc_ok, fb_total, fb_sse_ok, fb_total);
    printf("ETS reference: median auto fit CPU time %.2f ms per series (max %.2f ms, %zu series)\n", 1e3 * med,
           ntimes ? 1e3 * times[ntimes - 1] : NAN, ntimes);
    assert_true(auto_total > 100 && fixed_total > 100);
    assert_true(auto_match * 10 >= auto_total * 9);
    assert_true(auto_fc_ok * 100 >= auto_match * 95);
    assert_true(auto_ll_ok * 100 >= auto_match * 95);
    assert_true(fixed_ok * 100 >= fixed_total * 95);
    assert_true(fixed_fc_ok * 100 >= fixed_total * 95);
    assert_true(fb_name == fb_total && fb_fc_ok * 10 >= fb_total * 8);
    for (size_t k = 0; k < ns; k++)
        free(sr[k].y);
    free(sr);
    free(mean), free(lo), free(hi), free(rv), free(rlo), free(rhi), free(times), free(tfreq);
    civ_arena_free(&ws.arena);
    gsl_rng_free(ws.rng);
    civ_table_free(ts);
    civ_table_free(te);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
