/*
 * solve.c -- layer hier (over core): the factorised reconciliation map
 * (civ_hier_map): bottom-up, top-down by forecast proportions, and the
 * least-squares family in its constraint form (size n_agg) or structural
 * form (size n_bottom, diagonal W only), whichever is smaller; see
 * reconcile.c for the formulas.  civ_hier_reconcile, the public call over a
 * whole horizon, is here too.
 */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "hier.h"

/* LAPACK's Cholesky factorisation (Fortran interface of the LAPACK OpenBLAS
 * bundles; the trailing hidden length of the character argument is passed
 * as gfortran expects it). */
extern void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info, size_t uplo_len);

enum { FORM_BU, FORM_TD, FORM_CONSTRAINT, FORM_STRUCTURAL };

struct civ_hier_map {
    const civ_hier *h;
    const civ_hier_w *w;
    int form;
    size_t dim;    /* size of the factorised system */
    double *chol;  /* dim x dim, column-major, lower Cholesky factor */
    double *prop;  /* top-down: the share of the total of each bottom series */
};

void civ_hier_map_free(civ_hier_map *m)
{
    if (!m)
        return;
    free(m->chol);
    free(m->prop);
    free(m);
}

size_t civ_hier_map_work_size(const civ_hier_map *m)
{
    return m->h->n_nodes + m->h->n_agg + m->h->n_bottom + m->w->k + 1;
}

/* U' W U (n_agg x n_agg, lower triangle, column-major) for W = diag(d) + F F'. */
static civ_status constraint_matrix(const civ_hier *h, const civ_hier_w *w, double *a)
{
    size_t na = h->n_agg, k = w->k;
    for (size_t p = 0; p < na; p++)
        a[p * na + p] += w->d[p];
    for (size_t j = 0; j < h->n_bottom; j++) {
        double dj = w->d[na + j];
        for (size_t x = h->anc_off[j]; x < h->anc_off[j + 1]; x++)
            for (size_t y = h->anc_off[j]; y <= x; y++)
                a[h->anc[y] * na + h->anc[x]] += dj; /* anc ascending: row anc[x] >= column anc[y] */
    }
    if (!k)
        return CIV_OK;
    double *g = malloc(na * k * sizeof *g); /* U'F, row p at g[p*k] */
    if (!g)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for U'F (%zu x %zu)", na, k);
    for (size_t p = 0; p < na; p++) {
        double *gp = g + p * k;
        memcpy(gp, w->f + p * k, k * sizeof *gp);
        for (size_t x = h->mem_off[p]; x < h->mem_off[p + 1]; x++) {
            const double *fj = w->f + (na + h->mem[x]) * k;
            for (size_t r = 0; r < k; r++)
                gp[r] -= fj[r];
        }
    }
    for (size_t q = 0; q < na; q++)
        for (size_t p = q; p < na; p++) {
            double s = 0.0;
            for (size_t r = 0; r < k; r++)
                s += g[p * k + r] * g[q * k + r];
            a[q * na + p] += s;
        }
    free(g);
    return CIV_OK;
}

/* S' W^-1 S (n_bottom x n_bottom, lower, column-major) for diagonal W. */
static void structural_matrix(const civ_hier *h, const civ_hier_w *w, double *a)
{
    size_t m = h->n_bottom;
    for (size_t j = 0; j < m; j++)
        a[j * m + j] += 1.0 / w->d[h->n_agg + j];
    for (size_t p = 0; p < h->n_agg; p++) {
        double ip = 1.0 / w->d[p];
        for (size_t x = h->mem_off[p]; x < h->mem_off[p + 1]; x++)
            for (size_t y = h->mem_off[p]; y <= x; y++)
                a[h->mem[y] * m + h->mem[x]] += ip; /* members ascending */
    }
}

/* Top-down shares from the base forecasts: each node's share of its
 * parent is its base forecast over the sum of its siblings' (equal shares
 * when that sum is zero), multiplied down the tree (Athanasopoulos, Ahmed &
 * Hyndman 2009, "forecast proportions"). */
static civ_status td_shares(civ_hier_map *m, const double *base)
{
    const civ_hier *h = m->h;
    size_t n = h->n_nodes;
    double *sum = calloc(n, sizeof *sum), *cnt = calloc(n, sizeof *cnt);
    if (!m->prop)
        m->prop = malloc(h->n_bottom * sizeof *m->prop);
    if (!sum || !cnt || !m->prop) {
        free(sum);
        free(cnt);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for the top-down shares");
    }
    for (size_t i = 0; i < n; i++)
        if (h->parent[i] != SIZE_MAX)
            sum[h->parent[i]] += base[i], cnt[h->parent[i]] += 1.0;
    for (size_t j = 0; j < h->n_bottom; j++) {
        double p = 1.0;
        for (size_t i = h->n_agg + j; h->parent[i] != SIZE_MAX; i = h->parent[i]) {
            size_t q = h->parent[i];
            p *= sum[q] != 0.0 ? base[i] / sum[q] : 1.0 / cnt[q];
        }
        m->prop[j] = p;
    }
    free(sum);
    free(cnt);
    return CIV_OK;
}

static civ_status factorise(civ_hier_map *m)
{
    int dim = (int)m->dim, info = 0;
    m->chol = calloc(m->dim * m->dim > 0 ? m->dim * m->dim : 1, sizeof *m->chol);
    if (!m->chol)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for a %zu x %zu reconciliation system", m->dim, m->dim);
    civ_status st = CIV_OK;
    if (m->form == FORM_CONSTRAINT)
        st = constraint_matrix(m->h, m->w, m->chol);
    else
        structural_matrix(m->h, m->w, m->chol);
    if (st || !dim)
        return st;
    dpotrf_("L", &dim, m->chol, &dim, &info, 1);
    if (info != 0)
        return civ_fail(CIV_ERR_NUMERIC, "the reconciliation system is not positive definite (LAPACK dpotrf info "
                        "%d): W is singular, e.g. nodes with identical residuals; try wls_struct or ols", info);
    return CIV_OK;
}

civ_status civ_hier_map_build(const civ_hier *h, civ_reconcile_method method, const civ_hier_w *w,
                              const double *base_for_td, civ_hier_map **out)
{
    civ_hier_map *m = calloc(1, sizeof *m);
    if (!m)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for the reconciliation");
    m->h = h, m->w = w;
    civ_status st = CIV_OK;
    if (method == CIV_RECONCILE_BU || h->n_agg == 0) {
        m->form = FORM_BU;
    } else if (method == CIV_RECONCILE_TD) {
        m->form = FORM_TD;
        if (!h->nested)
            st = civ_fail(CIV_ERR_INVALID_ARGUMENT, "td (top-down) needs a nested hierarchy: with crossed groups "
                          "a series has several parents; use bu, ols, wls_struct, wls_var or mint_shrink");
        else
            st = td_shares(m, base_for_td);
    } else {
        m->form = (w->k == 0 && h->n_bottom < h->n_agg) ? FORM_STRUCTURAL : FORM_CONSTRAINT;
        m->dim = m->form == FORM_STRUCTURAL ? h->n_bottom : h->n_agg;
        st = factorise(m);
    }
    if (st) {
        civ_hier_map_free(m);
        return st;
    }
    *out = m;
    return CIV_OK;
}

/* ytilde_b = yhat_b - (W U x)_b with (U'WU) x = U' yhat. */
static void apply_constraint(const civ_hier_map *m, const double *yhat, double *yb, double *work)
{
    const civ_hier *h = m->h;
    const civ_hier_w *w = m->w;
    size_t na = h->n_agg, nb = h->n_bottom, k = w->k;
    double *x = work, *u = work + na, *fu = u + h->n_nodes;
    for (size_t p = 0; p < na; p++) {
        double s = yhat[p];
        for (size_t q = h->mem_off[p]; q < h->mem_off[p + 1]; q++)
            s -= yhat[na + h->mem[q]];
        x[p] = s;
    }
    int dim = (int)na;
    cblas_dtrsv(CblasColMajor, CblasLower, CblasNoTrans, CblasNonUnit, dim, m->chol, dim, x, 1);
    cblas_dtrsv(CblasColMajor, CblasLower, CblasTrans, CblasNonUnit, dim, m->chol, dim, x, 1);
    memcpy(u, x, na * sizeof *u);
    for (size_t j = 0; j < nb; j++) {
        double s = 0.0;
        for (size_t q = h->anc_off[j]; q < h->anc_off[j + 1]; q++)
            s += x[h->anc[q]];
        u[na + j] = -s;
    }
    for (size_t r = 0; r < k; r++)
        fu[r] = 0.0;
    for (size_t i = 0; i < h->n_nodes && k; i++)
        for (size_t r = 0; r < k; r++)
            fu[r] += w->f[i * k + r] * u[i];
    for (size_t j = 0; j < nb; j++) {
        double wu = w->d[na + j] * u[na + j];
        for (size_t r = 0; r < k; r++)
            wu += w->f[(na + j) * k + r] * fu[r];
        yb[j] = yhat[na + j] - wu;
    }
}

/* (S'W^-1 S) ytilde_b = S' W^-1 yhat for diagonal W. */
static void apply_structural(const civ_hier_map *m, const double *yhat, double *yb)
{
    const civ_hier *h = m->h;
    size_t na = h->n_agg;
    for (size_t j = 0; j < h->n_bottom; j++) {
        double s = yhat[na + j] / m->w->d[na + j];
        for (size_t q = h->anc_off[j]; q < h->anc_off[j + 1]; q++)
            s += yhat[h->anc[q]] / m->w->d[h->anc[q]];
        yb[j] = s;
    }
    int dim = (int)m->dim;
    cblas_dtrsv(CblasColMajor, CblasLower, CblasNoTrans, CblasNonUnit, dim, m->chol, dim, yb, 1);
    cblas_dtrsv(CblasColMajor, CblasLower, CblasTrans, CblasNonUnit, dim, m->chol, dim, yb, 1);
}

void civ_hier_map_apply(const civ_hier_map *m, const double *yhat, double *ytilde, double *work)
{
    const civ_hier *h = m->h;
    double *yb = ytilde + h->n_agg;
    switch (m->form) {
    case FORM_BU:
        memcpy(yb, yhat + h->n_agg, h->n_bottom * sizeof *yb);
        break;
    case FORM_TD:
        for (size_t j = 0; j < h->n_bottom; j++)
            yb[j] = m->prop[j] * yhat[0];
        break;
    case FORM_CONSTRAINT:
        apply_constraint(m, yhat, yb, work);
        break;
    default:
        apply_structural(m, yhat, yb);
        break;
    }
    civ_hier_sum_up(h, ytilde);
}

static const char *const method_names[] = {"", "bu", "td", "ols", "wls_struct", "wls_var", "mint_shrink"};

civ_status civ_reconcile_method_parse(const char *name, civ_reconcile_method *out)
{
    if (!name || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_reconcile_method_parse: NULL argument");
    for (int k = 1; k <= CIV_RECONCILE_MINT_SHRINK; k++)
        if (!strcmp(name, method_names[k])) {
            *out = (civ_reconcile_method)k;
            return CIV_OK;
        }
    if (!strcmp(name, "mint")) {
        *out = CIV_RECONCILE_MINT_SHRINK;
        return CIV_OK;
    }
    return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &(civ_where){.field = "reconcile"},
                       "unknown reconciliation method '%s': use bu, td, ols, wls_struct, wls_var or mint_shrink", name);
}

const char *civ_reconcile_method_name(civ_reconcile_method method)
{
    return method >= CIV_RECONCILE_BU && method <= CIV_RECONCILE_MINT_SHRINK ? method_names[method] : "";
}

civ_status civ_hier_reconcile(const civ_hier *h, civ_reconcile_method method, const double *base, size_t horizon,
                              const double *residuals, size_t n_obs, int nonnegative, double *out, double *lambda)
{
    if (!h || !base || !out || !civ_reconcile_method_name(method)[0])
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_hier_reconcile: NULL argument or unknown method");
    size_t n = h->n_nodes;
    civ_hier_w w;
    civ_status st = civ_hier_w_build(h, method, residuals, n_obs, &w);
    if (st)
        return st;
    civ_hier_map *m = NULL;
    double *yhat = malloc((n ? n : 1) * sizeof *yhat), *yt = malloc((n ? n : 1) * sizeof *yt), *work = NULL;
    if (!yhat || !yt)
        st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory to reconcile %zu nodes", n);
    for (size_t s = 0; s < horizon && !st; s++) {
        for (size_t i = 0; i < n; i++)
            yhat[i] = base[i * horizon + s];
        if (!m || method == CIV_RECONCILE_TD) {
            civ_hier_map_free(m);
            m = NULL;
            if ((st = civ_hier_map_build(h, method, &w, yhat, &m)))
                break;
            free(work);
            if (!(work = malloc(civ_hier_map_work_size(m) * sizeof *work))) {
                st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory to reconcile %zu nodes", n);
                break;
            }
        }
        civ_hier_map_apply(m, yhat, yt, work);
        if (nonnegative)
            civ_hier_clamp(h, yt);
        for (size_t i = 0; i < n; i++)
            out[i * horizon + s] = yt[i];
    }
    if (lambda)
        *lambda = w.lambda;
    civ_hier_map_free(m);
    civ_hier_w_free(&w);
    free(yhat);
    free(yt);
    free(work);
    return st;
}
