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
#include "model_fixture.h"

#define MAXV 8192

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

/* Reads ref_series.csv into sr (at most 400 series); returns the count. */
static size_t load_series(const civ_table *ts, series_ref *sr)
{
    size_t c_id = col(ts, "unique_id"), c_f = col(ts, "frequency"), c_t = col(ts, "t"), c_y = col(ts, "y");
    size_t nr = civ_table_n_rows(ts);
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
    return ns;
}

/* Columns of ref_ets.csv. */
typedef struct ets_cols {
    size_t id, spec, method, fb, ll, mean, lo, hi, h, s2, err;
} ets_cols;

/* Forecast and reference buffers (MAXV each). */
typedef struct ets_bufs {
    double *mean, *lo, *hi, *rv, *rlo, *rhi;
} ets_bufs;

/* Tallies over all rows of ref_ets.csv. */
typedef struct ets_tally {
    double *times;
    int *tfreq;
    size_t ntimes;
    size_t fixed_fc_ok, fixed_pi_ok, fb_fc_ok, fb_sse_ok;
    double max_abs_dll;
    size_t fixed_total, fixed_ok, fixed_better, fb_total, fb_name;
    size_t auto_total, auto_match, auto_fc_ok, auto_ll_ok, pi_ok, pi_total;
    double worst_fixed;
    char worst_fixed_id[96];
} ets_tally;

/* One fitted row compared with R. */
typedef struct ets_row {
    const char *id, *rspec, *method;
    int is_fb, fc_ok, pi_ok1, name_match;
    double rll;
} ets_row;

static void tally_fallback(ets_tally *tl, const ets_row *w, const civ_model_fit *fit, double rs2, const ets_bufs *b)
{
    tl->fb_total++;
    tl->fb_name += (size_t)w->name_match;
    tl->fb_fc_ok += (size_t)w->fc_ok;
    tl->fb_sse_ok += (size_t)(fit->sigma2 <= rs2 * (1 + 1e-3));
    if (fit->sigma2 > rs2 * (1 + 1e-3))
        printf("  fallback %-10s %-5s SSE/n %.6g vs R %.6g\n", w->id, w->rspec, fit->sigma2, rs2);
    if (!w->fc_ok)
        printf("  fallback %-10s %-5s %s: forecasts differ by more than 2%% (h1 %.4f vs R %.4f)\n", w->id,
               w->rspec, w->method, b->mean[0], b->rv[0]);
}

static void tally_fixed(ets_tally *tl, const ets_row *w, const civ_model_fit *fit)
{
    tl->fixed_total++;
    double d = fit->loglik - w->rll;
    if (d >= -0.01)
        tl->fixed_ok++;
    if (d > 0.01)
        tl->fixed_better++;
    if (fabs(d) > tl->max_abs_dll)
        tl->max_abs_dll = fabs(d);
    if (d < tl->worst_fixed) {
        tl->worst_fixed = d;
        snprintf(tl->worst_fixed_id, sizeof tl->worst_fixed_id, "%s/%s", w->id, w->rspec);
    }
    tl->fixed_fc_ok += (size_t)w->fc_ok;
    tl->fixed_pi_ok += (size_t)w->pi_ok1;
    if (!w->fc_ok || !w->pi_ok1)
        printf("  fixed %-10s %-5s forecasts or 95%% bounds differ by more than 2%%\n", w->id, w->rspec);
    if (d < -0.01)
        printf("  fixed %-10s %-5s loglik %.4f vs R %.4f (%+.4f)\n", w->id, w->rspec, fit->loglik, w->rll, d);
}

static void tally_auto(ets_tally *tl, const ets_row *w, const civ_model_fit *fit, double cpu, int freq,
                       const ets_bufs *b)
{
    tl->times[tl->ntimes] = cpu;
    tl->tfreq[tl->ntimes++] = freq;
    tl->auto_total++;
    if (w->name_match) {
        tl->auto_match++;
        tl->auto_fc_ok += (size_t)w->fc_ok;
        tl->pi_total++;
        tl->pi_ok += (size_t)w->pi_ok1;
        if (w->is_fb || isnan(w->rll) || fit->loglik >= w->rll - 0.01)
            tl->auto_ll_ok++;
        else
            printf("  auto  %-10s %s loglik %.4f vs R %.4f\n", w->id, w->method, fit->loglik, w->rll);
        if (!w->fc_ok)
            printf("  auto  %-10s %s forecasts differ by more than 2%% (h1 %.4f vs %.4f)\n", w->id, w->method,
                   b->mean[0], b->rv[0]);
    } else {
        printf("  auto  %-10s chose %s, R %s (aicc %.3f)\n", w->id, fit->name, w->method, fit->aicc);
    }
}

/* Fits row r of ref_ets.csv (R's spec on R's series), forecasts, compares
 * with R's forecasts and bounds, and tallies the outcome. */
static void check_row(const civ_table *te, size_t r, const ets_cols *ec, const series_ref *sr, size_t ns,
                      civ_workspace *ws, const ets_bufs *b, ets_tally *tl)
{
    ets_row w = {.id = civ_table_text(te, r, ec->id), .rspec = civ_table_text(te, r, ec->spec)};
    const char *id = w.id, *rspec = w.rspec;
    const char *ferr = civ_table_text(te, r, ec->err);
    if (ferr[0] && strcmp(ferr, "NA") != 0)
        return; /* R itself failed */
    const series_ref *s = NULL;
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
    civ_arena_reset(&ws->arena);
    gsl_rng_set(ws->rng, 42);
    civ_model_options opt = {0};
    struct timespec t0, t1;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    civ_status fs = type->fit(cfg, &opt, &ser, ws, &fit);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
    if (fs != CIV_OK)
        fail_msg("%s %s: fit failed: %s", id, spec, civ_last_error_message());
    w.method = civ_table_text(te, r, ec->method);
    w.is_fb = !strcmp(civ_table_text(te, r, ec->fb), "HoltWintersZZ");
    w.rll = civ_table_number(te, r, ec->ll);
    size_t h = (size_t)civ_table_number(te, r, ec->h);
    assert_true(h < MAXV);
    double levels[1] = {95};
    assert_int_equal(type->forecast(&fit, &ser, h, levels, 1, ws, b->mean, b->lo, b->hi), CIV_OK);
    size_t nv = mf_parse_vec(civ_table_text(te, r, ec->mean), b->rv, MAXV);
    mf_parse_vec(civ_table_text(te, r, ec->lo), b->rlo, MAXV);
    mf_parse_vec(civ_table_text(te, r, ec->hi), b->rhi, MAXV);
    assert_int_equal(nv, h);
    double ysc = 0;
    for (size_t i = 0; i < len; i++)
        ysc += fabs(ser.y[i]) / (double)len;
    w.fc_ok = 1, w.pi_ok1 = 1;
    for (size_t j = 0; j < h; j++) {
        double tol = 0.02 * fmax(fabs(b->rv[j]), 1e-3 * ysc);
        if (!(fabs(b->mean[j] - b->rv[j]) <= tol))
            w.fc_ok = 0;
        double wd = b->rhi[j] - b->rlo[j];
        if (!(fabs(b->lo[j] - b->rlo[j]) <= 0.02 * fmax(wd, 1e-3 * ysc)) ||
            !(fabs(b->hi[j] - b->rhi[j]) <= 0.02 * fmax(wd, 1e-3 * ysc)))
            w.pi_ok1 = 0;
    }
    w.name_match = !strcmp(fit.name, w.method);
    if (w.is_fb)
        tally_fallback(tl, &w, &fit, civ_table_number(te, r, ec->s2), b);
    else if (strcmp(rspec, "auto") != 0)
        tally_fixed(tl, &w, &fit);
    if (!strcmp(rspec, "auto"))
        tally_auto(tl, &w, &fit,
                   (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec), s->freq, b);
}

/* Prints the summary (CPU times per frequency, agreement rates) and
 * asserts the agreement thresholds. */
static void report_and_check(ets_tally *tl)
{
    double *times = tl->times;
    size_t ntimes = tl->ntimes;
    /* CPU time of the fit, per frequency (R's ets on this machine: about 0.025 s
     * yearly, 0.25 s quarterly, 0.7 s monthly per series, see docs/models/ETS.md) */
    static const int freqs[3] = {1, 4, 12};
    for (int fq = 0; fq < 3; fq++) {
        double tf[400];
        size_t k = 0;
        for (size_t i = 0; i < ntimes; i++)
            if (tl->tfreq[i] == freqs[fq])
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
           tl->auto_match, tl->auto_total, 100.0 * (double)tl->auto_match / (double)tl->auto_total, tl->auto_fc_ok,
           tl->auto_match, tl->auto_ll_ok, tl->auto_match, tl->pi_ok, tl->pi_total);
    printf("ETS reference: fixed specs loglik >= R-0.01 %zu/%zu (%zu better than R by > 0.01); worst %+.4f (%s);"
           " HoltWinters fallbacks same model %zu/%zu\n",
           tl->fixed_ok, tl->fixed_total, tl->fixed_better, tl->worst_fixed, tl->worst_fixed_id, tl->fb_name,
           tl->fb_total);
    printf("ETS reference: fixed specs forecasts within 2%% %zu/%zu, 95%% bounds within 2%% of width %zu/%zu;"
           " max |loglik - R| %.2e\nETS reference: HoltWinters fallback forecasts within 2%% %zu/%zu, sigma2 <= R's + 0.1%% %zu/%zu\n",
           tl->fixed_fc_ok, tl->fixed_total, tl->fixed_pi_ok, tl->fixed_total, tl->max_abs_dll, tl->fb_fc_ok,
           tl->fb_total, tl->fb_sse_ok, tl->fb_total);
    printf("ETS reference: median auto fit CPU time %.2f ms per series (max %.2f ms, %zu series)\n", 1e3 * med,
           ntimes ? 1e3 * times[ntimes - 1] : NAN, ntimes);
    assert_true(tl->auto_total > 100 && tl->fixed_total > 100);
    assert_true(tl->auto_match * 10 >= tl->auto_total * 9);
    assert_true(tl->auto_fc_ok * 100 >= tl->auto_match * 95);
    assert_true(tl->auto_ll_ok * 100 >= tl->auto_match * 95);
    assert_true(tl->fixed_ok * 100 >= tl->fixed_total * 95);
    assert_true(tl->fixed_fc_ok * 100 >= tl->fixed_total * 95);
    assert_true(tl->fb_name == tl->fb_total && tl->fb_fc_ok * 10 >= tl->fb_total * 8);
}

static void test_reference(void **state)
{
    (void)state;
    civ_table *ts = read_table("ref_series.csv");
    civ_table *te = read_table("ref_ets.csv");
    series_ref *sr = calloc(400, sizeof *sr);
    size_t ns = load_series(ts, sr);
    ets_cols ec = {.id = col(te, "unique_id"), .spec = col(te, "spec"), .method = col(te, "method"),
                   .fb = col(te, "fallback"), .ll = col(te, "loglik"), .mean = col(te, "mean"),
                   .lo = col(te, "lo95"), .hi = col(te, "hi95"), .h = col(te, "h"), .s2 = col(te, "sigma2"),
                   .err = col(te, "fit_error")};
    civ_workspace ws;
    memset(&ws, 0, sizeof ws);
    ws.rng = gsl_rng_alloc(gsl_rng_mt19937);
    ets_bufs b = {malloc(MAXV * sizeof(double)), malloc(MAXV * sizeof(double)), malloc(MAXV * sizeof(double)),
                  malloc(MAXV * sizeof(double)), malloc(MAXV * sizeof(double)), malloc(MAXV * sizeof(double))};
    ets_tally tl = {.times = malloc(400 * sizeof(double)), .tfreq = malloc(400 * sizeof(int))};
    size_t ne = civ_table_n_rows(te);
    for (size_t r = 0; r < ne; r++)
        check_row(te, r, &ec, sr, ns, &ws, &b, &tl);
    report_and_check(&tl);
    for (size_t k = 0; k < ns; k++)
        free(sr[k].y);
    free(sr);
    free(b.mean), free(b.lo), free(b.hi), free(b.rv), free(b.rlo), free(b.rhi), free(tl.times), free(tl.tfreq);
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
