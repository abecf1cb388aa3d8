/*
 * reconcile.c -- layer hier (over core): the reconciliation kernels.
 *
 * Every method maps base forecasts yhat (one per node) to coherent ones
 * ytilde = S G yhat.  For the least-squares family (OLS, WLS, MinT)
 * G = (S' W^-1 S)^-1 S' W^-1 (Wickramasuriya, Athanasopoulos & Hyndman
 * 2019), computed in whichever of two equivalent forms has the smaller
 * system:
 *   - the constraint form, size n_agg: with U' = [I | -C] (C the aggregate
 *     rows of S), ytilde = yhat - W U (U' W U)^-1 U' yhat.  W is kept as
 *     diag(d) + F F' (MinT: F = sqrt((1-lambda)/T) X', X the T x n
 *     residuals), so U' W U is assembled from the sparse member and ancestor
 *     lists and the n_agg x T matrix U'F, never from an n x n matrix;
 *   - the structural form, size n_bottom, for diagonal W (OLS, WLS):
 *     (S' W^-1 S) b = S' W^-1 yhat.
 * Community hierarchies have far fewer aggregates than communities, so the
 * constraint form is the usual one; grouped structures (crossed groups) can
 * have more aggregates than series and then take the structural form when W
 * is diagonal.  The system is factorised once by LAPACK's dpotrf (Cholesky;
 * OpenBLAS bundles LAPACK, so no new dependency) and solved with
 * cblas_dtrsv for each step and sample path.  The bottom values are then
 * summed up again, so the output is coherent to the last bit.
 *
 * MinT's covariance is the Schaefer-Strimmer shrinkage of the uncentered
 * in-sample one-step residual covariance towards its diagonal, as R's hts
 * (shrink.estim) and fable compute it; lambda's sums over all pairs of
 * nodes are taken through the T x T Gram matrix, in O(T^2 n).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "hier.h"

void civ_hier_sum_up(const civ_hier *h, double *y)
{
    const double *b = y + h->n_agg;
    for (size_t p = 0; p < h->n_agg; p++) {
        double s = 0.0;
        for (size_t k = h->mem_off[p]; k < h->mem_off[p + 1]; k++)
            s += b[h->mem[k]];
        y[p] = s;
    }
}

void civ_hier_clamp(const civ_hier *h, double *y)
{
    for (size_t j = 0; j < h->n_bottom; j++)
        if (y[h->n_agg + j] < 0.0)
            y[h->n_agg + j] = 0.0;
    civ_hier_sum_up(h, y);
}

void civ_hier_w_free(civ_hier_w *w)
{
    if (!w)
        return;
    free(w->d);
    free(w->f);
    w->d = w->f = NULL;
    w->k = 0;
}

/* The residual rows that W and the sample paths are estimated from, as a new T x n period-major matrix: the
 * complete rows (every node finite) when there are 2 or more (*cnt = NULL).  Otherwise (a community opened in
 * the last periods, or a missing value leaves an aggregate without residuals) every row where some node has a
 * residual, a missing residual written 0, with (*cnt)[i] the rows where node i has one: without this, MinT
 * and WLS by variance failed whenever a community had opened in the two periods before the forecast. */
static civ_status residual_rows(const civ_hier *h, const double *res, size_t n_obs, double **x, size_t *t_out,
                                size_t **cnt)
{
    size_t n = h->n_nodes, t = 0;
    *cnt = NULL;
    *x = malloc((n_obs ? n_obs : 1) * (n ? n : 1) * sizeof **x);
    if (!*x)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for %zu x %zu residuals", n_obs, n);
    for (size_t r = 0; r < n_obs; r++) {
        size_t i = 0;
        while (i < n && isfinite(res[r * n + i]))
            i++;
        if (i == n)
            memcpy(*x + t++ * n, res + r * n, n * sizeof **x);
    }
    if (t < 2) {
        if (!(*cnt = calloc(n ? n : 1, sizeof **cnt)))
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for %zu x %zu residuals", n_obs, n);
        t = 0;
        for (size_t r = 0; r < n_obs; r++) {
            size_t some = 0;
            for (size_t i = 0; i < n; i++) {
                int ok = isfinite(res[r * n + i]);
                (*x)[t * n + i] = ok ? res[r * n + i] : 0.0;
                (*cnt)[i] += (size_t)ok, some += (size_t)ok;
            }
            t += some > 0;
        }
    }
    *t_out = t;
    if (t < 2)
        return civ_fail(CIV_ERR_TOO_SHORT, "wls_var and mint_shrink need in-sample residuals at 2 periods or "
                        "more, got %zu (series too short for their models, or models without fitted values); "
                        "use ols or wls_struct", t);
    return CIV_OK;
}

/* Each node's mean square residual over the rows where it has one (cnt NULL: every row); NaN for a node
 * with none. */
static void node_mean_squares(const double *x, size_t t, size_t n, const size_t *cnt, double *v)
{
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (size_t r = 0; r < t; r++)
            s += x[r * n + i] * x[r * n + i];
        size_t k = cnt ? cnt[i] : t;
        v[i] = k ? s / (double)k : NAN;
    }
}

/* A node without residuals (a community opened in the last period) takes the mean of its level's nodes that
 * have them (of every node's when none of its level has). */
static void fill_by_level(const civ_hier *h, double *v)
{
    double all = 0.0;
    size_t n_all = 0;
    for (size_t i = 0; i < h->n_nodes; i++)
        if (isfinite(v[i]))
            all += v[i], n_all++;
    for (size_t i = 0; i < h->n_nodes; i++) {
        if (isfinite(v[i]))
            continue;
        double s = 0.0;
        size_t k = 0;
        for (size_t q = 0; q < h->n_nodes; q++)
            if (h->node_level[q] == h->node_level[i] && isfinite(v[q]))
                s += v[q], k++;
        v[i] = k ? s / (double)k : n_all ? all / (double)n_all : 1.0;
    }
}

/* Schaefer-Strimmer intensity towards the diagonal (hts::shrink.estim), from
 * the residuals x (T x n) and their mean squares v. */
static void standardise(const double *x, size_t t, size_t n, const double *v, double *xs)
{
    for (size_t r = 0; r < t; r++)
        for (size_t i = 0; i < n; i++)
            xs[r * n + i] = v[i] > 0.0 ? x[r * n + i] / sqrt(v[i]) : 0.0;
}

static double shrink_lambda(const double *x, size_t t, size_t n, const double *v, double *xs, double *gram)
{
    standardise(x, t, n, v, xs);
    double a = 0.0, a_diag = 0.0, b_diag = 0.0, b = 0.0;
    for (size_t r = 0; r < t; r++) {
        double s = 0.0;
        for (size_t i = 0; i < n; i++) {
            double q = xs[r * n + i] * xs[r * n + i];
            s += q;
            a_diag += q * q;
        }
        a += s * s;
    }
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (size_t r = 0; r < t; r++)
            s += xs[r * n + i] * xs[r * n + i];
        b_diag += s * s;
    }
    for (size_t r = 0; r < t; r++)
        for (size_t q = 0; q <= r; q++) {
            double s = 0.0;
            for (size_t i = 0; i < n; i++)
                s += xs[r * n + i] * xs[q * n + i];
            gram[r * t + q] = s;
            b += (q == r ? 1.0 : 2.0) * s * s;
        }
    double tt = (double)t;
    double sum_v = ((a - a_diag) - (b - b_diag) / tt) / (tt * (tt - 1.0));
    double sum_d = (b - b_diag) / (tt * tt);
    if (!(sum_d > 0.0))
        return 1.0;
    double lambda = sum_v / sum_d;
    return lambda < 0.0 ? 0.0 : lambda > 1.0 ? 1.0 : lambda;
}

/* Mean squares of the residuals (the diagonal of the uncentered covariance),
 * floored so that W stays positive definite. */
static void mean_squares(const civ_hier *h, const double *x, size_t t, const size_t *cnt, double *v)
{
    size_t n = h->n_nodes;
    node_mean_squares(x, t, n, cnt, v);
    if (cnt)
        fill_by_level(h, v);
    double top = 0.0;
    for (size_t i = 0; i < n; i++)
        if (v[i] > top)
            top = v[i];
    double floor = top > 0.0 ? top * 1e-12 : 1.0;
    for (size_t i = 0; i < n; i++)
        if (!(v[i] >= floor))
            v[i] = floor;
}

static civ_status w_from_residuals(const civ_hier *h, civ_reconcile_method method, const double *res, size_t n_obs,
                                   civ_hier_w *w)
{
    size_t n = h->n_nodes, t = 0, *cnt = NULL;
    double *x = NULL, *xs = NULL, *gram = NULL;
    civ_status st = residual_rows(h, res, n_obs, &x, &t, &cnt);
    if (!st)
        mean_squares(h, x, t, cnt, w->d);
    if (!st && method == CIV_RECONCILE_MINT_SHRINK) {
        xs = malloc(t * n * sizeof *xs);
        gram = malloc(t * t * sizeof *gram);
        w->f = malloc(n * t * sizeof *w->f);
        if (!xs || !gram || !w->f) {
            st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for the residual covariance of %zu nodes", n);
        } else {
            double lambda = shrink_lambda(x, t, n, w->d, xs, gram);
            double scale = sqrt((1.0 - lambda) / (double)t);
            for (size_t i = 0; i < n; i++) { /* with missing rows F F' holds cnt/T of the variance: d the rest */
                w->d[i] *= cnt ? 1.0 - (1.0 - lambda) * (double)cnt[i] / (double)t : lambda;
                for (size_t r = 0; r < t; r++)
                    w->f[i * t + r] = scale * x[r * n + i];
            }
            w->k = t;
            w->lambda = lambda;
        }
    }
    free(x);
    free(xs);
    free(gram);
    free(cnt);
    return st;
}

civ_status civ_hier_w_build(const civ_hier *h, civ_reconcile_method method, const double *res, size_t n_obs,
                            civ_hier_w *w)
{
    memset(w, 0, sizeof *w);
    w->lambda = NAN;
    size_t n = h->n_nodes;
    if (!(w->d = malloc((n ? n : 1) * sizeof *w->d)))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for W of %zu nodes", n);
    for (size_t i = 0; i < n; i++)
        w->d[i] = method == CIV_RECONCILE_WLS_STRUCT && i < h->n_agg ? (double)(h->mem_off[i + 1] - h->mem_off[i])
                                                                    : 1.0;
    if (method != CIV_RECONCILE_WLS_VAR && method != CIV_RECONCILE_MINT_SHRINK)
        return CIV_OK;
    if (!res) {
        civ_hier_w_free(w);
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "%s needs the in-sample residuals of every node",
                        civ_reconcile_method_name(method));
    }
    civ_status st = w_from_residuals(h, method, res, n_obs, w);
    if (st)
        civ_hier_w_free(w);
    return st;
}

civ_status civ_hier_corr(const civ_hier *h, const double *res, size_t n_obs, civ_hier_corr_t *c)
{
    size_t n = h->n_nodes, t = 0, *cnt = NULL;
    memset(c, 0, sizeof *c);
    double *x = NULL, *v = malloc((n ? n : 1) * sizeof *v);
    c->a = malloc((n ? n : 1) * sizeof *c->a);
    if (!v || !c->a) {
        free(v);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for the residual correlation");
    }
    for (size_t i = 0; i < n; i++)
        c->a[i] = 1.0;
    civ_status st = res ? residual_rows(h, res, n_obs, &x, &t, &cnt) : CIV_ERR_TOO_SHORT;
    if (st == CIV_ERR_TOO_SHORT) { /* too few residuals: independent draws */
        civ_clear_error();
        st = CIV_OK, t = 0;
    }
    if (!st && t) {
        node_mean_squares(x, t, n, cnt, v);
        double top = 0.0;
        for (size_t i = 0; i < n; i++)
            top = v[i] > top ? v[i] : top;
        for (size_t i = 0; i < n; i++)
            if (!(v[i] > top * 1e-12))
                v[i] = 0.0;
        if (!(c->xs = malloc(t * n * sizeof *c->xs)))
            st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for the residual correlation");
    }
    if (!st && t) { /* the sample correlation: e = a z + Xs' w / sqrt(T), a node's own a for what Xs lacks */
        standardise(x, t, n, v, c->xs);
        c->t = t;
        c->b = 1.0 / sqrt((double)t);
        for (size_t i = 0; i < n; i++)
            c->a[i] = !(v[i] > 0.0) ? 1.0 : cnt ? sqrt(1.0 - (double)cnt[i] / (double)t) : 0.0;
    }
    free(x);
    free(v);
    free(cnt);
    return st;
}

void civ_hier_corr_free(civ_hier_corr_t *c)
{
    free(c->xs);
    free(c->a);
    memset(c, 0, sizeof *c);
}
