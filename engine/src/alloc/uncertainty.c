/*
 * uncertainty.c -- alloc layer: a seeded Monte Carlo of the allocation: each draw
 * perturbs the forecast-demand factors (from the forecasts' prediction
 * intervals) and/or the factor weights (Dirichlet around the spec weights),
 * re-solves with the allocation-free civ_alloc_solve, and keeps every
 * community's amount; P5/P50/P95 per community, per district and of the
 * total come from the draws.
 *
 * Determinism: draw d takes its own generator state, seeded from
 * (seed, d) by the SplitMix64 finaliser (Steele, Lea & Flood 2014, "Fast
 * splittable pseudorandom number generators", OOPSLA), and writes only its
 * own row of the draw matrix, so the results are bit-identical for any
 * number of threads and any schedule.  Each thread binds its own problem
 * (set_factor/set_weights modify it) and owns its own result buffers.
 *
 * The distributions (also in civicast.h and docs/ALLOCATION.md):
 *  - forecast demand: a quantile-matched split normal per community and step,
 *    centred on the forecast mean, each side's scale fitted by least squares
 *    through the origin to the interval bounds, sigma = sum z_L d_L / sum z_L^2;
 *    one standard normal per community and draw, shared by every step of the
 *    horizon (perfect correlation across h); values below 0 are cut to 0
 *    (demand cannot be negative), then summed over h like the point factor.
 *  - weights: Dirichlet(K w) within each formula (each factor group of a
 *    greater_of formula), drawn as normalised Gamma(K w_k, 1) variates
 *    (Devroye 1986, Non-Uniform Random Variate Generation, ch. XI.4).
 */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "alloc.h"
#include "c_locale.h"
#include "error.h"
#include "numeric.h"
#include "threads.h"

#define MAX_LEVELS 16

/* One perturbed forecast factor: per community (id order) H slots of
 * (mean, sigma below, sigma above), in the forecast file's row order. */
typedef struct pfactor {
    size_t k;       /* factor index */
    size_t H;       /* slots per community (= the factor's horizon) */
    double *m, *slo, *shi; /* n x H */
    unsigned *count;       /* n: slots used */
} pfactor;

struct civ_alloc_uncertainty {
    size_t n, n_draws, n_districts;
    char **ids, **districts;   /* n, input row order (owned) */
    char **district_names;     /* sorted distinct, borrowed from districts */
    size_t *district_of;       /* n, input row order */
    int64_t *point;            /* n, input row order */
    int64_t *draws;            /* n_draws x n, input row order */
    double seconds;
    char minor_name[8];        /* "fen" or "minor", for the column names */
};

civ_status civ_alloc_uncertainty_options_init(civ_alloc_uncertainty_options *opt)
{
    if (!opt)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_uncertainty_options_init: NULL");
    memset(opt, 0, sizeof *opt);
    opt->n_draws = 1000;
    opt->seed = UINT64_C(20260101);
    opt->perturb_forecasts = 1;
    return CIV_OK;
}

void civ_alloc_uncertainty_free(civ_alloc_uncertainty *u)
{
    if (!u)
        return;
    for (size_t i = 0; i < u->n; i++) {
        if (u->ids)
            free(u->ids[i]);
        if (u->districts)
            free(u->districts[i]);
    }
    free(u->ids), free(u->districts), free(u->district_names), free(u->district_of);
    free(u->point), free(u->draws);
    free(u);
}

static void pfactors_free(pfactor *pf, size_t n)
{
    for (size_t j = 0; j < n && pf; j++)
        free(pf[j].m), free(pf[j].slo), free(pf[j].shi), free(pf[j].count);
    free(pf);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}


/* Reads the interval scales of forecast factor f.  The problem was bound
 * with the same table, so rows, models and counts were already validated;
 * here the same rows are visited in the same order. */
static civ_status load_pfactor(const civ_alloc_problem *p, const civ_table *fc, size_t k, pfactor *pf, int *has_levels)
{
    const civ_alloc_factor *f = &p->spec->factors[k];
    size_t n = p->n, cv;
    civ_strmap idmap = {0};
    civ_alloc_demand_rows d = {0};
    civ_status st = CIV_OK;
    for (size_t i = 0; i < n && !st; i++)
        st = civ_strmap_put(&idmap, p->ids[i], i, NULL);
    if (!st)
        st = civ_alloc_demand_rows_select(p->spec, p->ids, p->n, &idmap, fc, f, &d);
    civ_strmap_free(&idmap);
    if (st)
        return st;
    size_t H = d.n_slots;
    pf->k = k, pf->H = H;
    pf->m = calloc(n * H, sizeof *pf->m);
    pf->slo = calloc(n * H, sizeof *pf->slo);
    pf->shi = calloc(n * H, sizeof *pf->shi);
    pf->count = calloc(n, sizeof *pf->count);
    if (!pf->m || !pf->slo || !pf->shi || !pf->count) {
        civ_alloc_demand_rows_free(&d);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "uncertainty: out of memory");
    }
    if (civ_table_find_column(fc, f->column, &cv)) {
        civ_alloc_demand_rows_free(&d);
        return civ_fail(CIV_ERR_MISSING_COLUMN, "uncertainty: the forecasts have no column %s", f->column);
    }
    /* interval columns lo-<L> / hi-<L> */
    size_t lo_col[MAX_LEVELS], hi_col[MAX_LEVELS], nl = 0;
    double z[MAX_LEVELS];
    for (size_t c = 0; c < civ_table_n_columns(fc) && nl < MAX_LEVELS; c++) {
        const char *name = civ_table_column_name(fc, c);
        if (strncmp(name, "lo-", 3) || !civ_table_numbers(fc, c))
            continue;
        char *end;
        double L = civ_strtod(name + 3, &end);
        if (*end || !(L > 0 && L < 100))
            continue;
        char hname[64];
        size_t hc;
        civ_snprintf(hname, sizeof hname, "hi-%s", name + 3);
        if (civ_table_find_column(fc, hname, &hc) || !civ_table_numbers(fc, hc))
            continue;
        lo_col[nl] = c, hi_col[nl] = hc;
        z[nl] = gsl_cdf_ugaussian_Pinv(0.5 + L / 200.0);
        nl++;
    }
    civ_clear_error();
    *has_levels = nl > 0;
    const double *vv = civ_table_numbers(fc, cv);
    for (size_t r = 0; r < civ_table_n_rows(fc); r++) {
        if (d.slot[r] == SIZE_MAX) /* another model's row, or outside the factor's period */
            continue;
        size_t i = d.community[r];
        double m = vv[r];
        if (isnan(m) && f->missing_zero)
            continue;
        if (pf->count[i] >= H)
            continue; /* bind rejected this; defensive */
        size_t j = i * H + pf->count[i]++;
        pf->m[j] = m;
        double nlo = 0, nhi = 0, den_lo = 0, den_hi = 0;
        for (size_t l = 0; l < nl; l++) {
            double lo = civ_table_numbers(fc, lo_col[l])[r], hi = civ_table_numbers(fc, hi_col[l])[r];
            if (isfinite(lo)) {
                nlo += z[l] * fmax(0.0, m - lo);
                den_lo += z[l] * z[l];
            }
            if (isfinite(hi)) {
                nhi += z[l] * fmax(0.0, hi - m);
                den_hi += z[l] * z[l];
            }
        }
        pf->slo[j] = den_lo > 0 ? nlo / den_lo : 0;
        pf->shi[j] = den_hi > 0 ? nhi / den_hi : 0;
    }
    civ_alloc_demand_rows_free(&d);
    return CIV_OK;
}

/* Per-thread state. */
typedef struct worker {
    civ_alloc_problem *p;
    civ_alloc_result *r;
    gsl_rng *rng;
    double *vals;  /* n, input row order */
    double *w;     /* n_factors */
    int64_t *amt;  /* n, input row order */
} worker;

/* Dirichlet(K w) over each block of factors whose weights sum to 1. */
static void draw_weights(const civ_alloc_spec *s, double K, gsl_rng *rng, double *w)
{
    size_t nf = s->n_factors;
    for (size_t k = 0; k < nf; k++)
        w[k] = s->factors[k].weight > 0 ? gsl_ran_gamma(rng, K * s->factors[k].weight, 1.0) : 0.0;
    for (size_t k = 0; k < nf; k++) {
        /* the first factor of each block normalises it */
        const civ_alloc_factor *fk = &s->factors[k];
        size_t gk = s->formulas[fk->formula].greater_of ? fk->group_index : 0;
        int first = 1;
        for (size_t j = 0; j < k && first; j++) {
            const civ_alloc_factor *fj = &s->factors[j];
            first = !(fj->formula == fk->formula &&
                      (s->formulas[fj->formula].greater_of ? fj->group_index : 0) == gk);
        }
        if (!first)
            continue;
        double sum = 0;
        for (size_t j = k; j < nf; j++) {
            const civ_alloc_factor *fj = &s->factors[j];
            if (fj->formula == fk->formula && (s->formulas[fj->formula].greater_of ? fj->group_index : 0) == gk)
                sum += w[j];
        }
        for (size_t j = k; j < nf; j++) {
            const civ_alloc_factor *fj = &s->factors[j];
            if (fj->formula == fk->formula && (s->formulas[fj->formula].greater_of ? fj->group_index : 0) == gk)
                /* every Gamma variate underflowed (tiny K w): keep the spec's weights */
                w[j] = sum > 0 ? w[j] / sum : fj->weight;
        }
    }
}

static civ_status one_draw(worker *wk, const pfactor *pf, size_t npf, double K, uint64_t seed, size_t d,
                           int64_t *row)
{
    const civ_alloc_problem *p = wk->p;
    const civ_alloc_spec *s = p->spec;
    size_t n = p->n;
    civ_status st;
    gsl_rng_set(wk->rng, (unsigned long)civ_seed_mix(seed, d));
    if (K > 0) {
        draw_weights(s, K, wk->rng, wk->w);
        if ((st = civ_alloc_problem_set_weights(wk->p, wk->w, s->n_factors)))
            return st;
    }
    for (size_t j = 0; j < npf; j++) {
        const pfactor *f = &pf[j];
        for (size_t i = 0; i < n; i++) {
            double zz = gsl_ran_gaussian_ziggurat(wk->rng, 1.0), x = 0;
            for (size_t h = 0; h < f->count[i]; h++) {
                size_t q = i * f->H + h;
                x += fmax(0.0, f->m[q] + zz * (zz < 0 ? f->slo[q] : f->shi[q]));
            }
            wk->vals[p->row_of[i]] = x;
        }
        if ((st = civ_alloc_problem_set_factor(wk->p, f->k, wk->vals, n)))
            return st;
    }
    if ((st = civ_alloc_solve(p, wk->r)))
        return st;
    return civ_alloc_result_amounts(p, wk->r, row, n);
}

/* The forecast factors to perturb (source = "forecast", column = "mean",
 * with interval columns) into pf[0..*npf). */
static civ_status load_pfactors(const civ_alloc_problem *p0, const civ_table *forecasts, pfactor *pf, size_t *npf)
{
    const civ_alloc_spec *spec = p0->spec;
    civ_status st;
    for (size_t k = 0; k < spec->n_factors; k++) {
        const civ_alloc_factor *f = &spec->factors[k];
        if (f->source != CIV_SOURCE_FORECAST || strcmp(f->column, "mean"))
            continue;
        int has = 0;
        if ((st = load_pfactor(p0, forecasts, k, &pf[*npf], &has))) {
            (*npf)++;
            return st;
        }
        if (has)
            (*npf)++;
        else
            free(pf[*npf].m), free(pf[*npf].slo), free(pf[*npf].shi), free(pf[*npf].count),
                memset(&pf[*npf], 0, sizeof pf[*npf]);
    }
    return CIV_OK;
}

/* The result's arrays, with the ids and districts in input row order. */
static civ_status alloc_outputs(civ_alloc_uncertainty *u, const civ_alloc_problem *p0, size_t n_draws)
{
    size_t n = u->n;
    u->ids = calloc(n ? n : 1, sizeof *u->ids);
    u->districts = calloc(n ? n : 1, sizeof *u->districts);
    u->district_names = malloc((n ? n : 1) * sizeof *u->district_names);
    u->district_of = malloc((n ? n : 1) * sizeof *u->district_of);
    u->point = malloc((n ? n : 1) * sizeof *u->point);
    u->draws = malloc(n_draws * (n ? n : 1) * sizeof *u->draws);
    int bad = !u->ids || !u->districts || !u->district_names || !u->district_of || !u->point || !u->draws;
    for (size_t i = 0; i < n && !bad; i++) {
        size_t row = p0->row_of[i];
        bad = !(u->ids[row] = strdup(p0->ids[i])) || !(u->districts[row] = strdup(p0->districts[i]));
    }
    return bad ? civ_fail(CIV_ERR_OUT_OF_MEMORY, "uncertainty: out of memory") : CIV_OK;
}

/* Each thread's own problem (thread 0's is already bound), result buffers,
 * generator and scratch. */
static civ_status workers_create(worker *wk, int threads, const civ_alloc_spec *spec, const civ_table *communities,
                                 const civ_table *forecasts, size_t n)
{
    civ_status st;
    for (int t = 0; t < threads; t++) {
        if (t > 0 && (st = civ_alloc_bind(spec, communities, forecasts, &wk[t].p)))
            return st;
        if ((st = civ_alloc_result_create(wk[t].p, &wk[t].r)))
            return st;
        wk[t].rng = gsl_rng_alloc(gsl_rng_mt19937);
        wk[t].vals = malloc((n ? n : 1) * sizeof *wk[t].vals);
        wk[t].w = malloc((spec->n_factors ? spec->n_factors : 1) * sizeof *wk[t].w);
        wk[t].amt = malloc((n ? n : 1) * sizeof *wk[t].amt);
        if (!wk[t].rng || !wk[t].vals || !wk[t].w || !wk[t].amt)
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "uncertainty: out of memory");
    }
    return CIV_OK;
}

/* The draws, in parallel; the lowest failing draw is reported. */
static civ_status run_draws(civ_alloc_uncertainty *u, worker *wk, int threads, const pfactor *pf, size_t npf,
                            double K, uint64_t seed)
{
    size_t n = u->n, fail_draw = SIZE_MAX;
    civ_error fail_err;
    memset(&fail_err, 0, sizeof fail_err);
    double t0 = omp_get_wtime();
#pragma omp parallel for num_threads(threads) schedule(dynamic, 4)
    for (size_t d = 0; d < u->n_draws; d++) {
        worker *me = &wk[omp_get_thread_num()];
        civ_status s = one_draw(me, pf, npf, K, seed, d, u->draws + d * n);
        if (s) {
#pragma omp critical(civ_alloc_uncertainty_fail)
            if (d < fail_draw) {
                fail_draw = d;
                civ_error_copy(&fail_err);
            }
        }
    }
    u->seconds = omp_get_wtime() - t0;
    if (fail_draw != SIZE_MAX) {
        civ_where w = {.series_id = fail_err.series_id[0] ? fail_err.series_id : NULL,
                       .field = fail_err.field[0] ? fail_err.field : NULL};
        return civ_fail_at(fail_err.status ? fail_err.status : CIV_ERR_INTERNAL, &w, "uncertainty draw %zu: %s",
                           fail_draw, fail_err.message);
    }
    return CIV_OK;
}

/* Districts: distinct names in byte order, and each community's index. */
static void index_districts(civ_alloc_uncertainty *u)
{
    size_t n = u->n;
    for (size_t i = 0; i < n; i++)
        u->district_names[i] = u->districts[i];
    qsort(u->district_names, n, sizeof *u->district_names, cmp_str);
    size_t nd = 0;
    for (size_t i = 0; i < n; i++)
        if (!nd || strcmp(u->district_names[nd - 1], u->district_names[i]))
            u->district_names[nd++] = u->district_names[i];
    u->n_districts = nd;
    for (size_t i = 0; i < n; i++) {
        const char *key = u->districts[i];
        char **hit = bsearch(&key, u->district_names, nd, sizeof *u->district_names, cmp_str);
        u->district_of[i] = (size_t)(hit - u->district_names);
    }
}

civ_status civ_alloc_uncertainty_run(const civ_alloc_spec *spec, const civ_table *communities,
                                     const civ_table *forecasts, const civ_alloc_uncertainty_options *opt,
                                     civ_alloc_uncertainty **out)
{
    civ_alloc_uncertainty_options def;
    if (!opt) {
        civ_alloc_uncertainty_options_init(&def);
        opt = &def;
    }
    if (!spec || !communities || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_uncertainty_run: NULL argument");
    if (!opt->n_draws || !(opt->weight_concentration >= 0) || !isfinite(opt->weight_concentration) ||
        opt->threads < 0)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT,
                        "civ_alloc_uncertainty_run: need n_draws >= 1, weight_concentration >= 0, threads >= 0");
    double K = opt->weight_concentration;
    int threads = civ_thread_count(opt->threads);
    if ((size_t)threads > opt->n_draws)
        threads = (int)opt->n_draws;

    civ_status st;
    civ_alloc_uncertainty *u = calloc(1, sizeof *u);
    worker *wk = calloc((size_t)threads, sizeof *wk);
    pfactor *pf = NULL;
    size_t npf = 0;
    if (!u || !wk) {
        free(u), free(wk);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "uncertainty: out of memory");
    }
    /* thread 0's problem also gives the point allocation and the ids */
    if ((st = civ_alloc_bind(spec, communities, forecasts, &wk[0].p)))
        goto done;
    civ_alloc_problem *p0 = wk[0].p;
    size_t n = u->n = p0->n;
    u->n_draws = opt->n_draws;
    civ_snprintf(u->minor_name, sizeof u->minor_name, "%s", civ_alloc_minor_name(spec));
    if (opt->perturb_forecasts && forecasts) {
        if (!(pf = calloc(spec->n_factors ? spec->n_factors : 1, sizeof *pf))) {
            st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "uncertainty: out of memory");
            goto done;
        }
        if ((st = load_pfactors(p0, forecasts, pf, &npf)))
            goto done;
    }
    if (!npf && !(K > 0)) {
        st = civ_fail(CIV_ERR_SPEC, "uncertainty: nothing to perturb: no factor with source = \"forecast\" and "
                                    "column = \"mean\" whose forecasts carry lo-<L>/hi-<L> interval columns, and "
                                    "no weight concentration");
        goto done;
    }
    if ((st = alloc_outputs(u, p0, opt->n_draws)) ||
        (st = workers_create(wk, threads, spec, communities, forecasts, n)))
        goto done;
    /* the point allocation, before any problem is perturbed */
    if ((st = civ_alloc_solve(p0, wk[0].r)) || (st = civ_alloc_result_amounts(p0, wk[0].r, u->point, n)))
        goto done;
    if ((st = run_draws(u, wk, threads, pf, npf, K, opt->seed)))
        goto done;
    index_districts(u);
done:
    for (int t = 0; t < threads; t++) {
        civ_alloc_result_free(wk[t].r);
        civ_alloc_problem_free(wk[t].p);
        if (wk[t].rng)
            gsl_rng_free(wk[t].rng);
        free(wk[t].vals), free(wk[t].w), free(wk[t].amt);
    }
    free(wk);
    pfactors_free(pf, npf);
    if (st) {
        civ_alloc_uncertainty_free(u);
        return st;
    }
    *out = u;
    return CIV_OK;
}

const char *civ_alloc_uncertainty_minor_name(const civ_alloc_uncertainty *u) { return u->minor_name; }

size_t civ_alloc_uncertainty_n_draws(const civ_alloc_uncertainty *u)
{
    return u ? u->n_draws : 0;
}

size_t civ_alloc_uncertainty_n_communities(const civ_alloc_uncertainty *u)
{
    return u ? u->n : 0;
}

double civ_alloc_uncertainty_seconds(const civ_alloc_uncertainty *u)
{
    return u ? u->seconds : 0;
}

civ_status civ_alloc_uncertainty_draw(const civ_alloc_uncertainty *u, size_t d, int64_t *amounts, size_t n)
{
    if (!u || d >= u->n_draws || !amounts || n != u->n)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_uncertainty_draw: bad arguments");
    memcpy(amounts, u->draws + d * n, n * sizeof *amounts);
    return CIV_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

civ_status civ_alloc_uncertainty_quantile(const civ_alloc_uncertainty *u, double p, double *values, size_t n)
{
    if (!u || !values || n != u->n || !(p >= 0 && p <= 1))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_uncertainty_quantile: bad arguments");
    double *v = malloc(u->n_draws * sizeof *v);
    if (!v)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "uncertainty: out of memory");
    for (size_t i = 0; i < n; i++) {
        for (size_t d = 0; d < u->n_draws; d++)
            v[d] = (double)u->draws[d * n + i];
        qsort(v, u->n_draws, sizeof *v, cmp_double);
        values[i] = civ_quantile7(v, u->n_draws, p);
    }
    free(v);
    return CIV_OK;
}

civ_status civ_alloc_uncertainty_table(const civ_alloc_uncertainty *u, civ_table **out)
{
    if (!u || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_uncertainty_table: NULL argument");
    size_t n = u->n, N = u->n_draws, nd = u->n_districts, cs, cn, cd, ca, cm, c5, c50, c95;
    civ_table *t = NULL;
    civ_status st;
    double *v = malloc(N * sizeof *v), *dsum = calloc((nd + 1) * N, sizeof *dsum);
    double *dpoint = calloc(nd + 1, sizeof *dpoint);
    if (!v || !dsum || !dpoint) {
        free(v), free(dsum), free(dpoint);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "uncertainty: out of memory");
    }
    CIV_TRY(civ_table_create(&t));
    CIV_TRY(civ_table_add_column(t, "scope", CIV_COLUMN_TEXT, &cs));
    CIV_TRY(civ_table_add_column(t, "name", CIV_COLUMN_TEXT, &cn));
    CIV_TRY(civ_table_add_column(t, "district", CIV_COLUMN_TEXT, &cd));
    char nm[5][24];
    static const char *base[5] = {"amount", "mean", "p5", "p50", "p95"};
    for (int j = 0; j < 5; j++)
        civ_snprintf(nm[j], sizeof nm[j], "%s_%s", base[j], u->minor_name);
    CIV_TRY(civ_table_add_column(t, nm[0], CIV_COLUMN_NUMBER, &ca));
    CIV_TRY(civ_table_add_column(t, nm[1], CIV_COLUMN_NUMBER, &cm));
    CIV_TRY(civ_table_add_column(t, nm[2], CIV_COLUMN_NUMBER, &c5));
    CIV_TRY(civ_table_add_column(t, nm[3], CIV_COLUMN_NUMBER, &c50));
    CIV_TRY(civ_table_add_column(t, nm[4], CIV_COLUMN_NUMBER, &c95));
    CIV_TRY(civ_table_add_rows(t, n + nd + 1, NULL));
    /* district and total sums per draw: integers, exact in doubles below 2^53 */
    for (size_t d = 0; d < N; d++)
        for (size_t i = 0; i < n; i++) {
            double a = (double)u->draws[d * n + i];
            dsum[u->district_of[i] * N + d] += a;
            dsum[nd * N + d] += a;
        }
    for (size_t i = 0; i < n; i++) {
        dpoint[u->district_of[i]] += (double)u->point[i];
        dpoint[nd] += (double)u->point[i];
    }
    for (size_t row = 0; row < n + nd + 1; row++) {
        double mean = 0;
        for (size_t d = 0; d < N; d++) {
            v[d] = row < n ? (double)u->draws[d * n + row] : dsum[(row - n) * N + d];
            mean += v[d];
        }
        qsort(v, N, sizeof *v, cmp_double);
        if (row < n) {
            CIV_TRY(civ_table_set_text(t, row, cs, "community"));
            CIV_TRY(civ_table_set_text(t, row, cn, u->ids[row]));
            CIV_TRY(civ_table_set_text(t, row, cd, u->districts[row]));
            CIV_TRY(civ_table_set_number(t, row, ca, (double)u->point[row]));
        } else if (row < n + nd) {
            CIV_TRY(civ_table_set_text(t, row, cs, "district"));
            CIV_TRY(civ_table_set_text(t, row, cn, u->district_names[row - n]));
            CIV_TRY(civ_table_set_text(t, row, cd, u->district_names[row - n]));
            CIV_TRY(civ_table_set_number(t, row, ca, dpoint[row - n]));
        } else {
            CIV_TRY(civ_table_set_text(t, row, cs, "total"));
            CIV_TRY(civ_table_set_text(t, row, cn, "total"));
            CIV_TRY(civ_table_set_number(t, row, ca, dpoint[nd]));
        }
        CIV_TRY(civ_table_set_number(t, row, cm, mean / (double)N));
        CIV_TRY(civ_table_set_number(t, row, c5, civ_quantile7(v, N, 0.05)));
        CIV_TRY(civ_table_set_number(t, row, c50, civ_quantile7(v, N, 0.50)));
        CIV_TRY(civ_table_set_number(t, row, c95, civ_quantile7(v, N, 0.95)));
    }
    free(v), free(dsum), free(dpoint);
    *out = t;
    return CIV_OK;
fail:
    free(v), free(dsum), free(dpoint);
    civ_table_free(t);
    return st;
}
