/*
 * conformal.c -- layer: forecast.  Conformal prediction intervals from
 * rolling-origin backtest errors (split conformal prediction with a
 * normalised score: Papadopoulos et al. 2002, Lei et al. 2018, "Distribution-
 * free predictive inference for regression", JASA 113; for forecasting,
 * Stankeviciute et al. 2021 and statsforecast's ConformalIntervals).
 *
 * The same model is backtested on K windows (default 1; ceil(50 / N) up to
 * 10 for a panel of N < 50 series) of each series
 * whose cutoffs are S periods apart (default 1), full horizon; with a
 * calibration sample of M series per length class (choose_sample) only those
 * series are backtested.  The defaults were chosen on validation data carved
 * from the training parts of M1 and tourism (docs/FORECASTING.md, "Conformal
 * intervals: choosing the settings").  The score of window k at step j for level L is the actual's
 * distance from the point forecast in units of the model's own half-width
 * on that side:
 *     s = (y - f) / (hi_L - f)  when y >= f,   s = (f - y) / (f - lo_L)  when y < f
 * so that y lies in [f - q (f - lo_L), f + q (hi_L - f)] exactly when s <= q.
 * The conformal quantile q of n scores is the ceil((n + 1) L / 100)-th
 * smallest.  Scores come from the series' own windows at that step when it
 * has at least max(20, ceil(2L / (100 - L))) of them (20 for 80%, 38 for
 * 95%), else from every series of the panel in the same length class (n / h
 * below 4, 4 to 8, 8 and over) at that step when they number at least
 * max(50, ceil(L / (100 - L))), else from the whole panel at that step, else
 * the model's interval is kept (q = 1; the result counts such series:
 * civ_forecast_result_n_uncalibrated).  The final forecast's bounds become
 * f - q (f - lo_L) and f + q (hi_L - f); levels are then nested (a wider
 * level never gives a narrower interval) and non-negative series clamped at
 * zero as in the batch.  docs/FORECASTING.md ("Conformal intervals").
 *
 * The calibration windows are fitted one of two ways (civ_forecast_options.
 * conformal_refit): searched afresh, as a backtest of the same spec
 * (civ_conformal_factors: the default, chosen on validation data), or
 * refitting the structure each series' final model chose while that fit is
 * still in the series' arena (civ_conformal_refit_windows, called by the
 * batch and by the backtest for each window; then civ_conformal_factors_from).
 *
 * Two steps, so that backtests can calibrate their windows too (backtest.c,
 * each window on the panel of the series cut at its cutoff): the factors
 * (the calibration windows' scores and quantiles) and civ_conformal_rescale
 * (one forecast's bounds).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "forecast.h"

#define CONFORMAL_DEFAULT_WINDOWS 1 /* chosen on validation data: docs/FORECASTING.md */
#define CONFORMAL_SMALL_PANEL_SCORES 50 /* a small panel gets windows for this many scores a step */
#define CONFORMAL_SMALL_PANEL_MAX_WINDOWS 10
#define CONFORMAL_DEFAULT_STEP 1
#define CONFORMAL_DEFAULT_SAMPLE 0 /* every series */
#define CONFORMAL_DEFAULT_REFIT CIV_CONFORMAL_REFIT_SEARCH /* docs/FORECASTING.md, fourth round */
#define LENGTH_CLASSES 3

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Minimum scores for a conformal quantile at level L: ceil(L / (100 - L)). */
static size_t min_scores(double level) { return (size_t)ceil(level / (100.0 - level) - 1e-9); }
static size_t series_min(double level)
{
    size_t k = (size_t)ceil(2.0 * level / (100.0 - level) - 1e-9);
    return k > 20 ? k : 20;
}
static size_t pool_min(double level)
{
    size_t k = min_scores(level);
    return k > 50 ? k : 50;
}

/* The conformal quantile of n sorted scores at level L (n >= min_scores). */
static double conformal_quantile(const double *sorted, size_t n, double level)
{
    size_t rank = (size_t)ceil((double)(n + 1) * level / 100.0 - 1e-9);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

static int length_class(size_t n, size_t h)
{
    double r = (double)n / (double)(h ? h : 1);
    return r < 4.0 ? 0 : r < 8.0 ? 1 : 2;
}

/* The score of actual y against forecast f and bounds lo, hi (NaN when it
 * cannot be formed: a missing value, or a zero half-width on y's side). */
static double score(double y, double f, double lo, double hi)
{
    if (isnan(y) || isnan(f) || isnan(lo) || isnan(hi))
        return NAN;
    if (y >= f)
        return hi - f > 0.0 ? (y - f) / (hi - f) : (y == f ? 0.0 : NAN);
    return f - lo > 0.0 ? (f - y) / (f - lo) : NAN;
}

typedef struct scores {
    size_t N, h, L, K, step;
    double *s;      /* (i*h + j)*L + l -> K scores, valid ones first, sorted */
    size_t *count;  /* valid scores per (i, j, l) */
} scores;

/* Fills sc from the backtest bt of the panel. */
static void collect(const civ_panel *panel, const civ_backtest_result *bt, scores *sc)
{
    size_t N = sc->N, h = sc->h, L = sc->L, K = sc->K, tasks = N * K;
    for (size_t i = 0; i < N; i++) {
        const double *y;
        size_t n;
        civ_panel_series(panel, i, &y, &n, NULL);
        for (size_t j = 0; j < h; j++) {
            for (size_t l = 0; l < L; l++) {
                size_t cell = (i * h + j) * L + l, c = 0;
                double *dst = sc->s + cell * K;
                for (size_t k = 0; k < K; k++) {
                    size_t t = i * K + k;
                    if (bt->status[t] != CIV_OK)
                        continue;
                    long long at = civ_backtest_cutoff(n, h, K, sc->step, k) + (long long)j;
                    double v = score(y[at], bt->mean[t * h + j], bt->lower[(l * tasks + t) * h + j],
                                     bt->upper[(l * tasks + t) * h + j]);
                    if (!isnan(v))
                        dst[c++] = v;
                }
                qsort(dst, c, sizeof *dst, cmp_double);
                sc->count[cell] = c;
            }
        }
    }
}

/* The pooled quantile at step j, level l over the series with in_pool[i]
 * (NaN when fewer than `need` scores); buf holds N*K doubles. */
static double pooled(const scores *sc, const unsigned char *in_pool, size_t j, size_t l, double level, size_t need,
                     double *buf)
{
    size_t n = 0;
    for (size_t i = 0; i < sc->N; i++) {
        if (!in_pool[i])
            continue;
        size_t cell = (i * sc->h + j) * sc->L + l;
        memcpy(buf + n, sc->s + cell * sc->K, sc->count[cell] * sizeof *buf);
        n += sc->count[cell];
    }
    if (n < need || n == 0)
        return NAN;
    qsort(buf, n, sizeof *buf, cmp_double);
    return conformal_quantile(buf, n, level);
}

/* The default number of windows: 1, or for a panel of N < 50 series
 * ceil(50 / N) windows (at most 10), so that the pooled quantile at each step
 * has about 50 scores (one window of a small panel would leave too few for a
 * 95% quantile, which needs 19, and the model's interval would be kept). */
static size_t default_windows(size_t N)
{
    size_t k = N ? (CONFORMAL_SMALL_PANEL_SCORES + N - 1) / N : CONFORMAL_SMALL_PANEL_MAX_WINDOWS;
    if (k < CONFORMAL_DEFAULT_WINDOWS)
        k = CONFORMAL_DEFAULT_WINDOWS;
    return k > CONFORMAL_SMALL_PANEL_MAX_WINDOWS ? CONFORMAL_SMALL_PANEL_MAX_WINDOWS : k;
}

size_t civ_conformal_windows(const civ_forecast_options *opt, size_t n_series)
{
    return opt->conformal_windows ? opt->conformal_windows : default_windows(n_series);
}

/* The calibration sample: with at most M series per length class (M > 0),
 * a class of c > M series keeps its members number floor(m c / M), m = 0..M-1,
 * in panel order; every series otherwise.  len holds the N series' lengths,
 * sample N flags. */
static void choose_sample(const size_t *len, size_t N, size_t h, size_t M, unsigned char *sample)
{
    for (int c = 0; c < LENGTH_CLASSES; c++) {
        size_t count = 0;
        for (size_t i = 0; i < N; i++)
            count += len[i] > 0 && length_class(len[i], h) == c;
        size_t m = 0, member = 0; /* next sample rank m wants member floor(m count / M) */
        for (size_t i = 0; i < N; i++) {
            size_t n = len[i];
            if (n == 0) /* an empty series (a backtest's prefix panel) has no windows to score */
                sample[i] = 0;
            if (n == 0 || length_class(n, h) != c)
                continue;
            int keep = M == 0 || count <= M;
            if (!keep && m < M && member == m * count / M) {
                keep = 1;
                m++;
            }
            sample[i] = (unsigned char)keep;
            member++;
        }
    }
}

/* q for every (i, j, l) by the rule at the top of the file. */
static civ_status quantiles(const civ_panel *panel, const scores *sc, const double *levels, double *q)
{
    size_t N = sc->N, h = sc->h, L = sc->L;
    double *buf = malloc((N * sc->K > 0 ? N * sc->K : 1) * sizeof *buf);
    unsigned char *mask = malloc(N ? N : 1);
    int *cls = malloc((N ? N : 1) * sizeof *cls);
    double *class_q = malloc((LENGTH_CLASSES + 1) * sizeof *class_q);
    if (!buf || !mask || !cls || !class_q) {
        free(buf), free(mask), free(cls), free(class_q);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for conformal scores");
    }
    for (size_t i = 0; i < N; i++) {
        size_t n;
        civ_panel_series(panel, i, NULL, &n, NULL);
        cls[i] = length_class(n, h);
    }
    for (size_t j = 0; j < h; j++) {
        for (size_t l = 0; l < L; l++) {
            for (int c = 0; c < LENGTH_CLASSES; c++) {
                for (size_t i = 0; i < N; i++)
                    mask[i] = cls[i] == c;
                class_q[c] = pooled(sc, mask, j, l, levels[l], pool_min(levels[l]), buf);
            }
            memset(mask, 1, N);
            double panel_q = pooled(sc, mask, j, l, levels[l], min_scores(levels[l]), buf);
            for (size_t i = 0; i < N; i++) {
                size_t cell = (i * h + j) * L + l;
                double v;
                if (sc->count[cell] >= series_min(levels[l]))
                    v = conformal_quantile(sc->s + cell * sc->K, sc->count[cell], levels[l]);
                else if (!isnan(class_q[cls[i]]))
                    v = class_q[cls[i]];
                else if (!isnan(panel_q))
                    v = panel_q;
                else
                    v = NAN; /* no pool has enough scores: the model's interval is kept, and counted */
                q[cell] = v;
            }
        }
    }
    free(buf), free(mask), free(cls), free(class_q);
    return CIV_OK;
}

void civ_conformal_rescale(const double *mean, double *lower, double *upper, size_t stride, const double *levels,
                           size_t L, size_t h, const double *q, int nonnegative, int integer_bounds)
{
    for (size_t j = 0; j < h; j++) {
        double f = mean[j];
        for (size_t l = 0; l < L; l++) {
            double *lo = &lower[l * stride + j], *hi = &upper[l * stride + j];
            double qq = q[j * L + l];
            if (isnan(qq) || isnan(*lo) || isnan(*hi)) /* NaN q: too few scores, the model's interval stays */
                continue;
            *lo = f - qq * (f - *lo);
            *hi = f + qq * (*hi - f);
        }
        /* nest: for each pair of levels, the higher one at least as wide */
        for (size_t a = 0; a < L; a++) {
            for (size_t b = 0; b < L; b++) {
                if (levels[b] <= levels[a])
                    continue;
                double *loa = &lower[a * stride + j], *hia = &upper[a * stride + j];
                double *lob = &lower[b * stride + j], *hib = &upper[b * stride + j];
                if (*loa < *lob)
                    *lob = *loa;
                if (*hia > *hib)
                    *hib = *hia;
            }
        }
        if (nonnegative) {
            for (size_t l = 0; l < L; l++) {
                double *lo = &lower[l * stride + j], *hi = &upper[l * stride + j];
                if (*lo < 0.0)
                    *lo = 0.0;
                if (*hi < 0.0)
                    *hi = 0.0;
                if (integer_bounds)
                    civ_forecast_round_bounds(lo, hi, 1);
            }
        }
    }
}

typedef struct progress_map {
    const civ_forecast_options *opt;
    size_t n_series;
} progress_map;

/* The backtest's progress (in windows) shown as series, restarting the bar. */
static int map_progress(size_t done, size_t total, void *user)
{
    const progress_map *pm = user;
    size_t shown = total ? (size_t)((double)done / (double)total * (double)pm->n_series) : pm->n_series;
    if (shown >= pm->n_series && done < total)
        shown = pm->n_series ? pm->n_series - 1 : 0;
    return done < total ? pm->opt->progress(shown, pm->n_series, pm->opt->progress_user) : 0;
}

int civ_conformal_fixed(const civ_forecast_options *opt)
{
    int refit = opt->conformal_refit ? opt->conformal_refit : CONFORMAL_DEFAULT_REFIT;
    return refit == CIV_CONFORMAL_REFIT_FIXED;
}

civ_status civ_conformal_plan_init(const size_t *len, size_t N, const civ_forecast_options *opt, size_t h,
                                   civ_conformal_plan *plan)
{
    size_t nonempty = 0; /* a backtest's prefix panel holds empty series: they do not count */
    for (size_t i = 0; i < N; i++)
        nonempty += len[i] > 0;
    plan->K = civ_conformal_windows(opt, nonempty);
    plan->S = opt->conformal_step ? opt->conformal_step : CONFORMAL_DEFAULT_STEP;
    plan->sample = malloc(N ? N : 1);
    if (!plan->sample)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the conformal sample of %zu series", N);
    choose_sample(len, N, h, opt->conformal_sample ? opt->conformal_sample : CONFORMAL_DEFAULT_SAMPLE, plan->sample);
    return CIV_OK;
}

void civ_conformal_plan_free(civ_conformal_plan *plan)
{
    free(plan->sample);
    plan->sample = NULL;
}

civ_status civ_conformal_panel_plan(const civ_panel *panel, const civ_forecast_options *opt, size_t h,
                                    civ_conformal_plan *plan)
{
    size_t N = civ_panel_n_series(panel);
    size_t *len = malloc((N ? N : 1) * sizeof *len);
    if (!len)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for %zu series lengths", N);
    for (size_t i = 0; i < N; i++)
        civ_panel_series(panel, i, NULL, &len[i], NULL);
    civ_status st = civ_conformal_plan_init(len, N, opt, h, plan);
    free(len);
    return st;
}

civ_status civ_conformal_refit_windows(const civ_conformal_plan *plan, const civ_model_type *type, const void *config,
                                       const civ_model_options *mo, const civ_model_fit *like, const civ_series *s,
                                       int nonnegative_option, civ_workspace *ws, civ_backtest_result *bt, size_t i)
{
    size_t K = bt->windows, h = bt->h, L = bt->n_levels;
    for (size_t k = 0; k < K; k++) {
        size_t t = i * K + k;
        bt->status[t] = CIV_ERR_NOT_FOUND; /* no score unless the window is forecast below */
        long long c = civ_backtest_cutoff(s->n, h, K, plan->S, k);
        if ((plan->sample && !plan->sample[i]) || c < 1)
            continue;
        civ_series w = *s;
        w.n = (size_t)c;
        int nonnegative;
        double *mean, *lower, *upper;
        civ_status st = civ_forecast_buffers(ws, h, L, "a calibration window", &mean, &lower, &upper);
        if (st)
            return st;
        civ_model_fit fit;
        st = civ_forecast_scan(&w, nonnegative_option, &nonnegative);
        if (st == CIV_OK)
            st = civ_forecast_refit_one(type, config, like, mo, &w, nonnegative, h, bt->levels, L, ws, &fit, mean,
                                        lower, upper);
        if (st == CIV_ERR_OUT_OF_MEMORY)
            return st;
        civ_clear_error(); /* a window that fails gives no score; the series' own forecast stands */
        bt->status[t] = st;
        if (st == CIV_OK)
            civ_backtest_store(bt, t, mean, lower, upper);
    }
    return CIV_OK;
}

civ_status civ_conformal_factors_from(const civ_panel *panel, const civ_backtest_result *bt, double **q_out)
{
    size_t N = bt->n_series, h = bt->h, L = bt->n_levels, K = bt->windows, cells = N * h * L;
    *q_out = NULL;
    scores sc = {.N = N, .h = h, .L = L, .K = K, .step = bt->step};
    sc.s = malloc((cells * K > 0 ? cells * K : 1) * sizeof *sc.s);
    sc.count = calloc(cells ? cells : 1, sizeof *sc.count);
    double *q = malloc((cells ? cells : 1) * sizeof *q);
    civ_status st = CIV_OK;
    if (!sc.s || !sc.count || !q)
        st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for conformal scores of %zu series", N);
    if (st == CIV_OK) {
        collect(panel, bt, &sc);
        st = quantiles(panel, &sc, bt->levels, q);
    }
    if (st == CIV_OK) {
        *q_out = q;
        q = NULL;
    }
    free(sc.s);
    free(sc.count);
    free(q);
    return st;
}

civ_status civ_conformal_factors(const civ_panel *panel, const civ_forecast_options *opt, const civ_model_type *type,
                                 const void *config, size_t h, double **q_out)
{
    *q_out = NULL;
    civ_conformal_plan plan;
    civ_status st = civ_conformal_panel_plan(panel, opt, h, &plan);
    if (st)
        return st;
    civ_forecast_options fo = *opt;
    fo.integer_bounds = 0; /* scores on the model's own bounds; rounded after rescaling */
    const char *name = "conformal";
    civ_backtest_result *bt = NULL;
    st = civ_backtest_run_sample(panel, &fo, &type, &config, &name, 1, h, plan.K, plan.S, plan.sample, &bt);
    civ_conformal_plan_free(&plan);
    if (st == CIV_OK)
        st = civ_conformal_factors_from(panel, bt, q_out);
    civ_backtest_result_free(bt);
    return st;
}

civ_status civ_conformal_apply(const civ_panel *panel, const civ_forecast_options *opt, const civ_model_type *type,
                               const void *config, const civ_backtest_result *windows, civ_forecast_result *r)
{
    size_t N = r->n_series, h = r->h, L = r->n_levels;
    if (L == 0 || N == 0)
        return CIV_OK;
    civ_forecast_options fo = *opt;
    progress_map pm = {.opt = opt, .n_series = N};
    fo.progress = opt->progress ? map_progress : NULL;
    fo.progress_user = &pm;
    double *q = NULL;
    civ_status st = windows ? civ_conformal_factors_from(panel, windows, &q)
                            : civ_conformal_factors(panel, &fo, type, config, h, &q);
    if (st)
        return st;
    r->n_uncalibrated = 0;
    r->conformal = 1;
    for (size_t i = 0; i < N; i++) {
        if (r->series[i].status != CIV_OK)
            continue;
        size_t kept = 0;
        for (size_t c = 0; c < h * L; c++)
            kept += isnan(q[i * h * L + c]) != 0;
        r->series[i].uncalibrated = kept;
        r->n_uncalibrated += kept > 0;
        const double *y;
        size_t n;
        civ_panel_series(panel, i, &y, &n, NULL);
        civ_series s = {.id = civ_panel_series_id(panel, i), .y = y, .n = n};
        int nonnegative = 0;
        if (civ_forecast_scan(&s, opt->nonnegative, &nonnegative) == CIV_OK)
            civ_conformal_rescale(r->mean + i * h, r->lower + i * h, r->upper + i * h, N * h, r->levels, L, h,
                                  q + i * h * L, nonnegative, opt->integer_bounds);
    }
    civ_clear_error();
    free(q);
    return CIV_OK;
}
