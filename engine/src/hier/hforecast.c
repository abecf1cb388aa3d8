/*
 * hforecast.c -- layer hier (over core; forecasting through civicast.h):
 * civ_hier_forecast: aggregates the panel to every node, forecasts every
 * node with civ_forecast_panel, reconciles the point forecasts, and makes
 * coherent intervals by reconciling sample paths drawn from the base
 * forecast distribution (OpenMP over paths, each path seeded from (seed,
 * step, path), so identical for any thread count).  The result, its
 * accessors and its table.  civ_hier_reconcile_bands: the same reconciliation
 * and paths for base forecasts and bounds made elsewhere.
 */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "error.h"
#include "hier.h"
#include "numeric.h"
#include "threads.h"

#define MAX_LEVELS 16

struct civ_hier_result {
    size_t n_nodes, h, n_levels;
    double levels[MAX_LEVELS];
    double *mean, *base, *lower, *upper; /* lower/upper: n_levels planes of n_nodes x h */
    char (*model)[64];
    double lambda;
    size_t n_uncalibrated;               /* nodes whose conformal base intervals kept the model's somewhere */
    civ_frequency freq;
    int phase;
    civ_date_style style;
    int64_t end;                         /* last observed period */
    int dated;                           /* freq, phase, style and end are known (not civ_hier_reconcile_bands) */
    const unsigned char *absent;         /* while reconciling: civ_hier_base's (NULL: none) */
    size_t n_agg;
};

/* Bottom node i is absent (civ_hier_base.absent): its base forecast is 0, its spread 0. */
static int is_absent(const unsigned char *absent, size_t n_agg, size_t i)
{
    return absent && i >= n_agg && absent[i - n_agg];
}

civ_status civ_hier_options_init(civ_hier_options *opt)
{
    if (!opt)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_hier_options_init: NULL");
    memset(opt, 0, sizeof *opt);
    civ_forecast_options_init(&opt->forecast);
    opt->method = CIV_RECONCILE_MINT_SHRINK;
    opt->nonnegative = -1;
    return CIV_OK;
}

void civ_hier_result_free(civ_hier_result *r)
{
    if (!r)
        return;
    free(r->mean);
    free(r->base);
    free(r->lower);
    free(r->upper);
    free(r->model);
    free(r);
}

/* The in-sample one-step residuals of every node on the common grid
 * (period-major, NaN where a node has none). */
static civ_status node_residuals(const civ_forecast_result *fr, const civ_panel *np, int64_t start, size_t t,
                                 double **out)
{
    size_t n = civ_panel_n_series(np), col, row = 0;
    civ_table *ft = NULL;
    civ_status st = civ_forecast_fitted_table(fr, np, &ft);
    if (!st)
        st = civ_table_find_column(ft, "residual", &col);
    double *res = st ? NULL : malloc(t * n * sizeof *res);
    if (!st && !res)
        st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for the residuals of %zu nodes", n);
    const double *rv = st ? NULL : civ_table_numbers(ft, col);
    for (size_t k = 0; !st && k < t * n; k++)
        res[k] = NAN;
    for (size_t i = 0; i < n && !st; i++) {
        size_t len;
        int64_t s;
        civ_panel_series(np, i, NULL, &len, &s);
        if (row + len > civ_table_n_rows(ft)) {
            st = civ_fail(CIV_ERR_INTERNAL, "fitted table shorter than the node panel");
            break;
        }
        if (s < start || (size_t)(s - start) + len > t) { /* every node lies on node 0's grid (aggregate.c) */
            st = civ_fail(CIV_ERR_INTERNAL, "node '%s' lies outside the hierarchy's common periods",
                          civ_panel_series_id(np, i));
            break;
        }
        for (size_t r = 0; r < len; r++)
            res[((size_t)(s - start) + r) * n + i] = rv[row + r];
        row += len;
    }
    civ_table_free(ft);
    if (st) {
        free(res);
        return st;
    }
    *out = res;
    return CIV_OK;
}

/* The base forecasts' intervals: CIV_INTERVALS_DEFAULT means conformal ones (the base-bands round of
 * 2026-12-07, FORECASTING.md "Which base bands"), except without levels or with covariates, which conformal
 * intervals do not take. */
static int base_intervals(const civ_forecast_options *fo)
{
    if (fo->intervals != CIV_INTERVALS_DEFAULT)
        return fo->intervals;
    return fo->n_levels && !fo->n_xreg ? CIV_INTERVALS_CONFORMAL : CIV_INTERVALS_MODEL;
}

/* Base forecasts: every node's, or the error naming the first that failed; with `absent` (a backtest window) a
 * series whose forecast failed is marked 2 there instead (counted as 0, as one not there yet). */
static civ_status base_forecasts(const civ_hier *h, const civ_panel *np, const civ_hier_options *opt,
                                 unsigned char *absent, civ_forecast_result **fr)
{
    civ_forecast_options fo = opt->forecast;
    fo.nonnegative = 0; /* the bounds give the spread of the base distribution */
    fo.want_fitted = 1;
    fo.intervals = base_intervals(&opt->forecast);
    civ_status st = civ_forecast_panel(np, &fo, fr);
    if (st)
        return st;
    for (size_t i = 0; i < h->n_nodes; i++) {
        if (civ_forecast_result_status(*fr, i) == CIV_OK || is_absent(absent, h->n_agg, i))
            continue;
        if (absent && i >= h->n_agg) {
            absent[i - h->n_agg] = 2;
            continue;
        }
        return civ_fail_at(CIV_ERR_NUMERIC, &(civ_where){.series_id = h->node_id[i]},
                           "the base forecast of node '%s' (level %s) failed: %s; every node needs a forecast "
                           "to reconcile (try another --model)", h->node_id[i],
                           h->level_name[h->node_level[i]], civ_forecast_result_message(*fr, i));
    }
    return CIV_OK;
}

/* The base forecasts' interval bounds: n_levels planes of n_nodes x h (level l at [l * plane]), as a
 * civ_forecast_result lays them out (civ_hier_forecast) or as the caller gives them (civ_hier_reconcile_bands). */
typedef struct base_bounds {
    size_t n_levels, plane;
    const double *levels, *lower, *upper;
} base_bounds;

static base_bounds forecast_bounds(const civ_forecast_result *fr)
{
    return (base_bounds){.n_levels = civ_forecast_result_n_levels(fr),
                         .plane = civ_forecast_result_n_series(fr) * civ_forecast_result_horizon(fr),
                         .levels = civ_forecast_result_levels(fr),
                         .lower = civ_forecast_result_lower(fr, 0),
                         .upper = civ_forecast_result_upper(fr, 0)};
}

/* The spread of node i's base forecast at step s (idx = i * h + s), from its interval bounds:
 * the mean over levels of (hi - lo) / (2 z). */
static double base_sd(const base_bounds *b, size_t idx)
{
    double sum = 0.0;
    for (size_t l = 0; l < b->n_levels; l++) {
        double z = gsl_cdf_ugaussian_Pinv(0.5 + b->levels[l] / 200.0);
        sum += (b->upper[l * b->plane + idx] - b->lower[l * b->plane + idx]) / (2.0 * z);
    }
    double sd = sum / (double)b->n_levels;
    return isfinite(sd) && sd > 0.0 ? sd : 0.0;
}

/* One thread's buffers for the sample paths. */
typedef struct path_ws {
    double *y, *yt, *z, *work;
    gsl_rng *rng;
} path_ws;

static int path_ws_init(path_ws *w, size_t n, size_t t, size_t work)
{
    w->y = malloc(n * sizeof *w->y);
    w->yt = malloc(n * sizeof *w->yt);
    w->z = malloc((t + 1) * sizeof *w->z);
    w->work = malloc(work * sizeof *w->work);
    w->rng = gsl_rng_alloc(gsl_rng_mt19937);
    return w->y && w->yt && w->z && w->work && w->rng;
}

static void path_ws_free(path_ws *w)
{
    free(w->y);
    free(w->yt);
    free(w->z);
    free(w->work);
    if (w->rng)
        gsl_rng_free(w->rng);
}

/* Path p of step s into paths[i * P + p]: a draw of the base distribution
 * (its own generator, seeded from (seed, step, path): the same draws for
 * any thread count), reconciled, clamped when non-negative. */
static void one_path(const civ_hier *h, const civ_hier_map *m, const civ_hier_corr_t *c, const double *mean,
                     const double *sd, uint64_t seed, size_t p, size_t P, int nonneg, path_ws *w, double *paths)
{
    size_t n = h->n_nodes;
    gsl_rng_set(w->rng, civ_seed_mix(seed, p));
    for (size_t r = 0; r < c->t; r++)
        w->z[r] = gsl_ran_gaussian_ziggurat(w->rng, 1.0);
    for (size_t i = 0; i < n; i++) {
        double e = c->a[i] * gsl_ran_gaussian_ziggurat(w->rng, 1.0);
        for (size_t r = 0; r < c->t; r++)
            e += c->b * c->xs[r * n + i] * w->z[r];
        w->y[i] = mean[i] + sd[i] * e;
    }
    civ_hier_map_apply(m, w->y, w->yt, w->work);
    if (nonneg)
        civ_hier_clamp(h, w->yt);
    for (size_t i = 0; i < n; i++)
        paths[i * P + p] = w->yt[i];
}

/* Intervals of step s: n_paths draws of the base distribution, each
 * reconciled (and clamped when non-negative), over OpenMP threads; type-7
 * quantiles per node. */
static civ_status step_intervals(const civ_hier *h, const civ_hier_map *m, const civ_hier_corr_t *c,
                                 const base_bounds *bb, const civ_hier_options *opt, size_t s, int nonneg,
                                 civ_hier_result *r)
{
    size_t n = h->n_nodes, P = opt->n_paths ? opt->n_paths : 1000, H = r->h;
    double *paths = malloc(n * P * sizeof *paths), *sd = malloc(n * sizeof *sd), *mean = malloc(n * sizeof *mean);
    int failed = !paths || !sd || !mean;
    for (size_t i = 0; i < n && !failed; i++) {
        sd[i] = is_absent(r->absent, r->n_agg, i) ? 0.0 : base_sd(bb, i * H + s);
        mean[i] = r->base[i * H + s];
    }
    uint64_t seed = civ_seed_mix(opt->forecast.seed, s);
    int threads = civ_thread_count(opt->forecast.threads);
#pragma omp parallel num_threads(threads) if (!failed)
    {
        path_ws w = {0};
        int ok = path_ws_init(&w, n, c->t, civ_hier_map_work_size(m));
        if (!ok) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(static)
        for (size_t p = 0; p < P; p++)
            if (ok)
                one_path(h, m, c, mean, sd, seed, p, P, nonneg, &w, paths);
        path_ws_free(&w);
    }
    if (!failed)
        for (size_t i = 0; i < n; i++)
            for (size_t l = 0; l < r->n_levels; l++) {
                double a = (1.0 - r->levels[l] / 100.0) / 2.0;
                r->lower[(l * n + i) * H + s] = civ_quantile7(paths + i * P, P, a);
                r->upper[(l * n + i) * H + s] = civ_quantile7(paths + i * P, P, 1.0 - a);
            }
    free(paths);
    free(sd);
    free(mean);
    return failed ? civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for %zu sample paths of %zu nodes", P, n) : CIV_OK;
}

/* -1 (auto): on when no series has a negative observation. */
int civ_hier_nonneg(int mode, const civ_panel *panel)
{
    if (mode >= 0)
        return mode != 0;
    const double *v;
    const size_t *off;
    civ_panel_values(panel, &v, &off);
    for (size_t k = 0; k < off[civ_panel_n_series(panel)]; k++)
        if (v[k] < 0.0)
            return 0;
    return 1;
}

/* A result of n_nodes x H with the levels[L] and the base point forecasts base (n_nodes x H, node-major). */
static civ_status result_alloc(const civ_hier *h, size_t H, const double *levels, size_t L, const double *base,
                               civ_hier_result **out)
{
    civ_hier_result *r = calloc(1, sizeof *r);
    if (!r)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for the hierarchical forecasts");
    r->n_nodes = h->n_nodes, r->h = H, r->n_levels = L;
    size_t plane = r->n_nodes * r->h;
    if (L > MAX_LEVELS) {
        free(r);
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "at most %d interval levels, got %zu", MAX_LEVELS, L);
    }
    if (L)
        memcpy(r->levels, levels, L * sizeof *r->levels);
    r->mean = malloc((plane ? plane : 1) * sizeof *r->mean);
    r->base = malloc((plane ? plane : 1) * sizeof *r->base);
    r->lower = malloc((plane * L > 0 ? plane * L : 1) * sizeof *r->lower);
    r->upper = malloc((plane * L > 0 ? plane * L : 1) * sizeof *r->upper);
    r->model = calloc(r->n_nodes ? r->n_nodes : 1, sizeof *r->model);
    if (!r->mean || !r->base || !r->lower || !r->upper || !r->model) {
        civ_hier_result_free(r);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for the hierarchical forecasts");
    }
    if (plane)
        memcpy(r->base, base, plane * sizeof *r->base);
    *out = r;
    return CIV_OK;
}

/* result_alloc for the forecasts fr of every node, with their models' names. */
static civ_status result_of_forecasts(const civ_hier *h, const civ_forecast_result *fr, civ_hier_result **out)
{
    civ_status st = result_alloc(h, civ_forecast_result_horizon(fr), civ_forecast_result_levels(fr),
                                 civ_forecast_result_n_levels(fr), civ_forecast_result_mean(fr), out);
    for (size_t i = 0; !st && i < h->n_nodes; i++)
        civ_copy_truncated((*out)->model[i], sizeof (*out)->model[i], civ_forecast_result_model(fr, i));
    return st;
}

/* Point forecasts and intervals of every step. */
static civ_status reconcile_steps(const civ_hier *h, const base_bounds *bb, const double *res, size_t t,
                                  const civ_hier_options *opt, int nonneg, civ_hier_result *r)
{
    size_t n = h->n_nodes, H = r->h;
    civ_hier_w w;
    civ_hier_corr_t c = {0};
    civ_hier_map *m = NULL;
    double *y = malloc(n * sizeof *y), *yt = malloc(n * sizeof *yt), *work = NULL;
    civ_status st = civ_hier_w_build(h, opt->method, res, t, &w);
    if (st) {
        free(y);
        free(yt);
        return st;
    }
    r->lambda = w.lambda;
    if (!y || !yt)
        st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory to reconcile %zu nodes", n);
    if (!st && r->n_levels)
        st = civ_hier_corr(h, res, t, &c);
    for (size_t s = 0; s < H && !st; s++) {
        for (size_t i = 0; i < n; i++)
            y[i] = r->base[i * H + s];
        if (!m || opt->method == CIV_RECONCILE_TD) {
            civ_hier_map_free(m);
            m = NULL;
            free(work);
            work = NULL;
            if ((st = civ_hier_map_build(h, opt->method, &w, y, &m)))
                break;
            if (!(work = malloc(civ_hier_map_work_size(m) * sizeof *work))) {
                st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory to reconcile %zu nodes", n);
                break;
            }
        }
        civ_hier_map_apply(m, y, yt, work);
        if (nonneg)
            civ_hier_clamp(h, yt);
        for (size_t i = 0; i < n; i++)
            r->mean[i * H + s] = yt[i];
        if (r->n_levels)
            st = step_intervals(h, m, &c, bb, opt, s, nonneg, r);
    }
    civ_hier_map_free(m);
    civ_hier_w_free(&w);
    civ_hier_corr_free(&c);
    free(y);
    free(yt);
    free(work);
    return st;
}

void civ_hier_base_free(civ_hier_base *b)
{
    if (!b)
        return;
    free(b->res);
    civ_forecast_result_free(b->fr);
    civ_panel_free(b->np);
    memset(b, 0, sizeof *b);
}

civ_status civ_hier_base_forecast(const civ_hier *h, const civ_panel *panel, const civ_hier_options *opt,
                                  unsigned char *absent, civ_hier_base *b)
{
    memset(b, 0, sizeof *b);
    b->absent = absent;
    civ_status st = civ_hier_aggregate_in(h, panel, NULL, &b->np); /* node order: node i is series i */
    if (!st) {
        civ_panel_series(b->np, 0, NULL, &b->t, &b->start); /* node 0 spans the common grid */
        st = base_forecasts(h, b->np, opt, b->absent, &b->fr);
    }
    if (!st)
        st = node_residuals(b->fr, b->np, b->start, b->t, &b->res);
    for (size_t j = 0; !st && b->absent && j < h->n_bottom; j++)
        for (size_t r = 0; b->absent[j] && r < b->t; r++)
            b->res[r * h->n_nodes + h->n_agg + j] = 0.0; /* no error: W's floor makes its 0 forecast stay */
    if (st)
        civ_hier_base_free(b);
    return st;
}

civ_status civ_hier_reconcile_base(const civ_hier *h, const civ_hier_base *b, const civ_hier_options *opt, int nonneg,
                                   civ_hier_result **out)
{
    civ_hier_result *r = NULL;
    civ_status st = result_of_forecasts(h, b->fr, &r);
    if (!st) {
        r->freq = civ_panel_frequency(b->np), r->phase = civ_panel_phase(b->np);
        r->style = civ_panel_date_style(b->np);
        r->end = b->start + (int64_t)b->t - 1, r->dated = 1;
        r->absent = b->absent, r->n_agg = h->n_agg;
        r->n_uncalibrated = civ_forecast_result_n_uncalibrated(b->fr);
        for (size_t i = 0; i < h->n_nodes; i++)
            if (is_absent(b->absent, h->n_agg, i))
                for (size_t s = 0; s < r->h; s++)
                    r->base[i * r->h + s] = 0.0;
        base_bounds bb = forecast_bounds(b->fr);
        st = reconcile_steps(h, &bb, b->res, b->t, opt, nonneg, r);
        r->absent = NULL;
    }
    if (st) {
        civ_hier_result_free(r);
        return st;
    }
    *out = r;
    return CIV_OK;
}

/* The arguments of civ_hier_reconcile_bands: the levels in (0, 100), the residuals given when there are
 * levels, every base forecast and bound a number. */
static civ_status check_bands_args(const civ_hier *h, const double *base, const base_bounds *bb, size_t H,
                                   const double *residuals)
{
    static const char *const side[] = {"lo", "hi"};
    size_t n = h->n_nodes, L = bb->n_levels;
    if (L > MAX_LEVELS)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "at most %d interval levels, got %zu", MAX_LEVELS, L);
    for (size_t l = 0; l < L; l++)
        if (!(bb->levels[l] > 0.0 && bb->levels[l] < 100.0))
            return civ_fail(CIV_ERR_INVALID_ARGUMENT, "interval level %g is not between 0 and 100", bb->levels[l]);
    if (L && !residuals)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "the bands are drawn with the correlation of the nodes' in-sample "
                        "residuals: give every node's residuals (civicast forecast --fitted; Python fitted=True), "
                        "or no levels for the point forecasts alone");
    for (size_t k = 0; k < n * H; k++) {
        civ_where at = {.series_id = h->node_id[k / H]};
        if (!isfinite(base[k]))
            return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &at, "node '%s' has no base forecast for h = %zu",
                               h->node_id[k / H], k % H + 1);
        for (size_t l = 0; l < 2 * L; l++) {
            double v = (l % 2 ? bb->upper : bb->lower)[(l / 2) * bb->plane + k];
            if (!isfinite(v))
                return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &at, "node '%s' has no %s-%g bound for h = %zu",
                                   h->node_id[k / H], side[l % 2], bb->levels[l / 2], k % H + 1);
        }
    }
    return CIV_OK;
}

civ_status civ_hier_reconcile_bands(const civ_hier *h, const civ_hier_options *opt, const double *base,
                                    const double *lower, const double *upper, size_t horizon,
                                    const double *residuals, size_t n_obs, civ_hier_result **out)
{
    size_t L = opt ? opt->forecast.n_levels : 0;
    if (!h || !opt || !base || !out || horizon == 0 || (L && (!lower || !upper || !opt->forecast.levels)))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_hier_reconcile_bands: NULL argument or horizon 0");
    base_bounds bb = {.n_levels = L, .plane = h->n_nodes * horizon, .levels = opt->forecast.levels,
                      .lower = lower, .upper = upper};
    civ_status st = civ_hier_check_method(h, opt->method);
    if (!st)
        st = check_bands_args(h, base, &bb, horizon, residuals);
    civ_hier_result *r = NULL;
    if (!st)
        st = result_alloc(h, horizon, bb.levels, L, base, &r);
    if (!st)
        st = reconcile_steps(h, &bb, residuals, n_obs, opt, opt->nonnegative > 0, r);
    if (st) {
        civ_hier_result_free(r);
        return st;
    }
    *out = r;
    return CIV_OK;
}

civ_status civ_hier_check_method(const civ_hier *h, civ_reconcile_method method)
{
    if (!civ_reconcile_method_name(method)[0])
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "unknown reconciliation method %d", (int)method);
    if (method == CIV_RECONCILE_TD && !h->nested)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "td (top-down) needs a nested hierarchy: with crossed groups a "
                        "series has several parents; use bu, ols, wls_struct, wls_var or mint_shrink");
    return CIV_OK;
}

civ_status civ_hier_forecast(const civ_hier *h, const civ_panel *panel, const civ_hier_options *opt,
                             civ_hier_result **out)
{
    if (!h || !panel || !opt || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_hier_forecast: NULL argument");
    civ_status st = civ_hier_check_method(h, opt->method);
    if (st)
        return st;
    civ_hier_base b;
    if ((st = civ_hier_base_forecast(h, panel, opt, NULL, &b)))
        return st;
    st = civ_hier_reconcile_base(h, &b, opt, civ_hier_nonneg(opt->nonnegative, panel), out);
    civ_hier_base_free(&b);
    return st;
}

size_t civ_hier_result_horizon(const civ_hier_result *r) { return r ? r->h : 0; }
size_t civ_hier_result_n_levels(const civ_hier_result *r) { return r ? r->n_levels : 0; }
const double *civ_hier_result_mean(const civ_hier_result *r) { return r ? r->mean : NULL; }
const double *civ_hier_result_base(const civ_hier_result *r) { return r ? r->base : NULL; }
const double *civ_hier_result_lower(const civ_hier_result *r, size_t l)
{
    return r && l < r->n_levels ? r->lower + l * r->n_nodes * r->h : NULL;
}
const double *civ_hier_result_upper(const civ_hier_result *r, size_t l)
{
    return r && l < r->n_levels ? r->upper + l * r->n_nodes * r->h : NULL;
}
double civ_hier_result_lambda(const civ_hier_result *r) { return r ? r->lambda : NAN; }
size_t civ_hier_result_n_uncalibrated(const civ_hier_result *r) { return r ? r->n_uncalibrated : 0; }

civ_status civ_hier_result_table(const civ_hier_result *r, const civ_hier *h, civ_table **out)
{
    if (!r || !h || !out || r->n_nodes != h->n_nodes)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_hier_result_table: NULL argument or another hierarchy");
    if (!r->dated)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_hier_result_table: the result of civ_hier_reconcile_bands has "
                        "no periods (the base forecasts came without them): read civ_hier_result_mean, _lower and "
                        "_upper");
    civ_table *t = NULL;
    size_t c[7 + 2 * MAX_LEVELS], H = r->h, plane = r->n_nodes * H;
    static const char *const fixed[] = {"level", "unique_id", "ds", "h", "model", "base", "mean"};
    civ_status st;
    CIV_TRY(civ_table_create(&t));
    for (size_t k = 0; k < 7; k++)
        CIV_TRY(civ_table_add_column(t, fixed[k], k == 3 || k > 4 ? CIV_COLUMN_NUMBER : CIV_COLUMN_TEXT, &c[k]));
    for (size_t l = 0; l < r->n_levels; l++) {
        char name[48];
        civ_snprintf(name, sizeof name, "lo-%.15g", r->levels[l]);
        CIV_TRY(civ_table_add_column(t, name, CIV_COLUMN_NUMBER, &c[7 + 2 * l]));
        civ_snprintf(name, sizeof name, "hi-%.15g", r->levels[l]);
        CIV_TRY(civ_table_add_column(t, name, CIV_COLUMN_NUMBER, &c[8 + 2 * l]));
    }
    CIV_TRY(civ_table_add_rows(t, plane, NULL));
    for (size_t k = 0; k < r->n_nodes; k++) /* rows in the order people read (h->listed); values by node */
        for (size_t s = 0; s < H; s++) {
            size_t i = h->listed[k], row = i * H + s, out_row = k * H + s;
            char ds[32];
            CIV_TRY(civ_period_format_style(r->freq, r->phase, &r->style, r->end + (int64_t)s + 1, ds, sizeof ds));
            CIV_TRY(civ_table_set_text(t, out_row, c[0], civ_hier_node_level(h, i)));
            CIV_TRY(civ_table_set_text(t, out_row, c[1], h->node_id[i]));
            CIV_TRY(civ_table_set_text(t, out_row, c[2], ds));
            CIV_TRY(civ_table_set_number(t, out_row, c[3], (double)(s + 1)));
            CIV_TRY(civ_table_set_text(t, out_row, c[4], r->model[i]));
            CIV_TRY(civ_table_set_number(t, out_row, c[5], r->base[row]));
            CIV_TRY(civ_table_set_number(t, out_row, c[6], r->mean[row]));
            for (size_t l = 0; l < r->n_levels; l++) {
                CIV_TRY(civ_table_set_number(t, out_row, c[7 + 2 * l], r->lower[l * plane + row]));
                CIV_TRY(civ_table_set_number(t, out_row, c[8 + 2 * l], r->upper[l * plane + row]));
            }
        }
    *out = t;
    return CIV_OK;
fail:
    civ_table_free(t);
    return st;
}
