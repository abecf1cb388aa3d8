/*
 * hier.h -- layer hier (over core and io; forecasting through the public API
 * only): the layout of a hierarchy (civ_hier) and the reconciliation kernels
 * shared by structure.c, aggregate.c, reconcile.c and hforecast.c.
 *
 * Nodes are numbered aggregates first (0 .. n_agg-1, the total first when
 * there is one, then level by level, keys sorted within a level), then the
 * bottom series (n_agg .. n_nodes-1) in the panel's series order.  The
 * summing matrix S (n_nodes x n_bottom) is never stored dense: its aggregate
 * rows are kept twice, as member lists per aggregate (CSR, mem_off/mem) and
 * as ancestor lists per bottom series (anc_off/anc); its bottom rows are the
 * identity.  docs/FORECASTING.md "Hierarchies and reconciliation".
 */
#ifndef CIV_HIER_H
#define CIV_HIER_H

#include <stddef.h>
#include <stdint.h>

#include "civicast.h"

#define CIV_HIER_MAX_LEVELS 8
#define CIV_HIER_MAX_GROUPS 4

struct civ_hier {
    size_t n_nodes, n_agg, n_bottom;
    size_t n_levels;           /* levels of nodes, the bottom level included */
    char **level_name;         /* "total", "district", "district/street", "unique_id" */
    size_t *node_level;        /* level index of each node */
    char **node_id;            /* "total", "澜中区", "澜中区/鼓角街道", the series id */
    size_t *mem_off, *mem;     /* aggregate p's bottom members: mem[mem_off[p] .. mem_off[p+1]) */
    size_t *anc_off, *anc;     /* bottom j's aggregate ancestors: anc[anc_off[j] .. anc_off[j+1]) */
    int nested;                /* 1 when built without crossed groups (top-down is defined) */
    size_t *parent;            /* nested only: parent node of every node (SIZE_MAX for the root) */
    size_t *listed;            /* the node listed k-th in the tables people read: level by level, the
                                  aggregates of a level in natural order (civ_natural_cmp: C2 before C10),
                                  then the series in the panel's order; the numbering above stays the text
                                  order the computations use, so results do not change bit for bit */
};

/* The matrix W of a reconciliation in the form diag(d) + F F' (F n x k, k
 * possibly 0), the shape every method's W takes here: OLS, WLS (k = 0) and
 * MinT with the shrinkage covariance (F = sqrt((1-lambda)/T) X', X the T x n
 * residuals), so that no n x n matrix is ever formed. */
typedef struct civ_hier_w {
    double *d;     /* n_nodes */
    double *f;     /* n_nodes x k, row-major (node i at f[i*k]); NULL when k = 0 */
    size_t k;
    double lambda; /* the shrinkage intensity (MinT), else NaN */
} civ_hier_w;

/* Builds W for `method` from the residuals (n_obs x n_nodes, period-major;
 * NaN counts as 0, see reconcile.c).  Errors: CIV_ERR_INVALID_ARGUMENT
 * (residuals needed and missing), CIV_ERR_OUT_OF_MEMORY. */
civ_status civ_hier_w_build(const civ_hier *h, civ_reconcile_method method, const double *residuals, size_t n_obs,
                            civ_hier_w *w);
void civ_hier_w_free(civ_hier_w *w);

/* A factorised linear map from base forecasts (n_nodes) to coherent bottom
 * forecasts (n_bottom): built once, applied to every step and sample path. */
typedef struct civ_hier_map civ_hier_map;
civ_status civ_hier_map_build(const civ_hier *h, civ_reconcile_method method, const civ_hier_w *w,
                              const double *base_for_td, civ_hier_map **out);
/* ytilde (n_nodes) = S G yhat; `work` needs civ_hier_map_work_size doubles.
 * No allocation. */
void civ_hier_map_apply(const civ_hier_map *m, const double *yhat, double *ytilde, double *work);
size_t civ_hier_map_work_size(const civ_hier_map *m);
void civ_hier_map_free(civ_hier_map *m);

/* The correlation of the base forecast errors used to draw sample paths:
 * the sample (unshrunk) correlation of the complete-row residuals,
 * Xs'Xs / T with Xs the standardised residuals (T x n, period-major; rank
 * at most T).  A draw is e_i = sigma_i (a_i z_i + b (Xs' w)_i) with z (n)
 * and w (T) standard normal, b = 1 / sqrt(T), a_i = 0 (a_i = 1 for a node
 * whose residuals are all 0).  With fewer than 2 complete rows (or no
 * residuals) draws are independent: t = 0, a_i = 1.  The shrunk
 * correlation MinT reconciles with was used until 2026-12-07: it is near
 * independence when there are many nodes and few periods, and made the
 * aggregates' bands far too narrow (docs/FORECASTING.md, "Intervals"). */
typedef struct civ_hier_corr_t {
    double *xs;    /* t x n */
    double *a;     /* n */
    double b;
    size_t t;
} civ_hier_corr_t;
civ_status civ_hier_corr(const civ_hier *h, const double *res, size_t n_obs, civ_hier_corr_t *c);
void civ_hier_corr_free(civ_hier_corr_t *c);

/* The panel of every node in the order order[0..n_nodes) (node indices; NULL = node order, as
 * civ_hier_forecast forecasts it): civ_hier_aggregate's work (aggregate.c). */
civ_status civ_hier_aggregate_in(const civ_hier *h, const civ_panel *panel, const size_t *order, civ_panel **out);

/* y (n_nodes): sets every aggregate to the sum of its bottom members. */
void civ_hier_sum_up(const civ_hier *h, double *y);
/* The non-negative variant: bottom values below zero set to zero, then the
 * aggregates summed again (bottom-up). */
void civ_hier_clamp(const civ_hier *h, double *y);

/* civ_hier_forecast in two stages, so that civ_hier_backtest reconciles one window's base forecasts by every
 * method: the panel aggregated to every node (np, node order), the nodes' base forecasts (fr) and their
 * in-sample one-step residuals (res, t periods x n_nodes from period `start`). */
typedef struct civ_hier_base {
    unsigned char *absent;       /* per bottom series, or NULL (civ_hier_forecast): 1 = no value yet at the cutoff (a
                                    stand-in 0 at the last period in the panel), 2 = its base forecast failed (too
                                    few values), set here: either counts as 0 with no spread in the aggregates */
    civ_panel *np;
    civ_forecast_result *fr;
    double *res;
    size_t t;
    int64_t start;
} civ_hier_base;
/* Errors: those of civ_hier_forecast before reconciling (*b zeroed then). */
civ_status civ_hier_base_forecast(const civ_hier *h, const civ_panel *panel, const civ_hier_options *opt,
                                  unsigned char *absent, civ_hier_base *b);
/* b's base forecasts reconciled by opt->method (nonneg: civ_hier_nonneg's answer). */
civ_status civ_hier_reconcile_base(const civ_hier *h, const civ_hier_base *b, const civ_hier_options *opt, int nonneg,
                                   civ_hier_result **out);
void civ_hier_base_free(civ_hier_base *b);
/* The method is known and applies to h (td needs a nested hierarchy). */
civ_status civ_hier_check_method(const civ_hier *h, civ_reconcile_method method);
/* The non-negative mode resolved: -1 (auto) on when no series of panel has a negative observation. */
int civ_hier_nonneg(int mode, const civ_panel *panel);

#endif
