/*
 * arima_kalman.c -- layer: models (numerics).  Exact and conditional likelihood of ARIMA models with
 * regressors, and their estimation, following R's stats::arima() step by
 * step so that civicast's auto-ARIMA selects the same models as
 * forecast::auto.arima().  See arima_kalman.h for the model and references.
 *
 * The numerical procedures re-implement, from their published descriptions
 * and R's documented behaviour (R is GPL-2+, civicast GPL-3+):
 *   - getQ0: Gardner, Harvey & Phillips (1980), Algorithm AS 154, the
 *     solution of P0 = T P0 T' + R R' by Givens-based least squares (inclu2),
 *     including R's ordering of the equations, so that the known inexactness
 *     of "Gardner1980" for some MA models is reproduced as R has it;
 *   - partrans/invpartrans: Jones (1980), Durbin-Levinson on tanh(pacf);
 *   - vmmin: Nash (1990), Algorithm 21 (variable metric / BFGS) as R's optim;
 *   - the Kalman filter of Harvey (1989, sec. 3.3.4) with R's convention of
 *     leaving out of the likelihood the steps whose prediction variance is
 *     >= 1e4 (the diffuse start of the differenced states).
 */
#include "arima_kalman.h"

#include <float.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_poly.h>
#include <math.h>
#include <string.h>

#define KAPPA 1e6
#define NDEPS 1e-3
#define BFGS_MAXIT 100
#define MAX_AR_TRANS 100
/* AS 154 (getQ0) needs np(np-1)/2 doubles with np = r(r+1)/2; in Gardner
 * mode models beyond this many are refused (r above about 55), where R needs
 * hundreds of MB and minutes.  The default Q0 path has no such limit. */
#define MAX_RBAR ((size_t)2500000)

struct civ_arima_work {
    size_t n_cap, ncx_cap;
    int r_max, nd_max, rd_max;
    size_t np_max, nrbar_max;
    double *xw, *wcss, *rcss, *xrot, *dX, *lmX, *lmy, *lmtau, *lmres, *rinv;
    double *a, *anew, *M, *P, *Pnew, *mm, *Pn;
    double *phi, *theta, *delta;
    double *V, *xnext, *xrow, *thetab, *rbar, *q0;
    /* Q0 depends on phi and theta only: the last ones are remembered, so
     * steps that move only regression coefficients skip AS 154 */
    double *q0_phi, *q0_theta;
    int q0_p, q0_q, q0_r, q0_valid, q0_fast, q0_full;
    int use_gardner; /* 1: AS 154 for Q0 everywhere (as R); 0: the O(r^4) path */
    double reltol;   /* optim's reltol for both BFGS stages (R's default sqrt(DBL_EPSILON)) */
    double *acv, *psi, *gsys; /* fast Q0: autocovariances, psi weights, (p+1)^2 system */
    int *css_idx;             /* obj_css, fast_q0: indices of the non-zero phi and theta (4 r + 4) */
    /* optimiser (sizes CIV_ARIMA_MAX_COEF) */
    double *ob, *og, *ot, *oX, *oc, *oB, *oH, *odf1, *odf2, *ox, *opar, *ogr;
    double *hd, *hfv; /* optim_hess: 4 coordinate vectors, 4 n^2 values (hess_pts) */
    double *lu, *inv, *tmpm;
    size_t *perm;
    double *polym, *polyz, *polyc;
    int poly_max;
};

const char *civ_arima_strerror(int code)
{
    switch (code) {
    case CIV_ARIMA_OK: return "ok";
    case CIV_ARIMA_E_NONSTATIONARY_CSS: return "non-stationary AR part from CSS";
    case CIV_ARIMA_E_NONFINITE: return "non-finite objective or finite-difference gradient";
    case CIV_ARIMA_E_SINGULAR: return "singular Hessian (coefficients not identified)";
    case CIV_ARIMA_E_TOO_FEW: return "too few non-missing observations";
    case CIV_ARIMA_E_TOO_LARGE: return "model too large (state dimension or coefficient count)";
    case CIV_ARIMA_E_REGRESSION: return "regressors are rank deficient";
    default: return "unknown failure";
    }
}

static double *dz(civ_arena *a, size_t k, int *fail)
{
    double *p = civ_arena_doubles(a, k ? k : 1);
    if (!p)
        *fail = 1;
    else
        memset(p, 0, (k ? k : 1) * sizeof *p);
    return p;
}

/* The work of the regression and CSS steps: n observations, ncx regressors.  *fail = 1 on a failed allocation. */
static void alloc_regression_work(civ_arima_work *w, civ_arena *arena, size_t n, size_t ncx, int *fail)
{
    int f = 0;
    w->xw = dz(arena, n, &f);
    w->wcss = dz(arena, n, &f);
    w->rcss = dz(arena, n, &f);
    w->xrot = dz(arena, n * (ncx ? ncx : 1), &f);
    w->dX = dz(arena, n * (ncx ? ncx : 1), &f);
    w->lmX = dz(arena, n * (ncx + 1), &f);
    w->lmy = dz(arena, n, &f);
    w->lmres = dz(arena, n, &f);
    w->lmtau = dz(arena, ncx + 1, &f);
    w->rinv = dz(arena, (ncx + 1) * (ncx + 1), &f);
    *fail |= f;
}

/* The work of the state space (the Kalman filter, Gardner's Q0, the CSS residuals): state dimension up to
 * rd = r + nd (r = r_max).  *fail = 1 on a failed allocation. */
static void alloc_state_work(civ_arima_work *w, civ_arena *arena, size_t rd, size_t r, size_t nd_max, int *fail)
{
    int f = 0;
    w->a = dz(arena, rd, &f);
    w->anew = dz(arena, rd, &f);
    w->M = dz(arena, rd, &f);
    w->P = dz(arena, rd * rd, &f);
    w->Pnew = dz(arena, rd * rd, &f);
    w->mm = dz(arena, rd * rd > 4 * rd + 4 ? rd * rd : 4 * rd + 4, &f); /* ss_filter_arma needs 4r */
    w->Pn = dz(arena, rd * rd, &f);
    w->phi = dz(arena, r, &f);
    w->theta = dz(arena, r, &f);
    w->delta = dz(arena, nd_max + 1, &f);
    w->V = dz(arena, w->np_max, &f);
    w->xnext = dz(arena, w->np_max, &f);
    w->xrow = dz(arena, w->np_max, &f);
    w->thetab = dz(arena, w->np_max, &f);
    w->rbar = dz(arena, w->nrbar_max, &f);
    w->q0 = dz(arena, r * r, &f);
    w->q0_phi = dz(arena, r, &f);
    w->acv = dz(arena, 2 * r + 2, &f);
    w->css_idx = civ_arena_alloc(arena, (4 * r + 4) * sizeof(int));
    if (!w->css_idx)
        f = 1;
    w->psi = dz(arena, 4 * r + 4, &f);
    w->gsys = dz(arena, (r + 1) * (r + 2) + 4 * r + 4, &f); /* + arma_acvf_levinson's 5r + 3 */
    w->q0_theta = dz(arena, r, &f);
    *fail |= f;
}

/* The work of the optimiser, its Hessian and the root checks: nc = CIV_ARIMA_MAX_COEF coefficients.
 * *fail = 1 on a failed allocation. */
static void alloc_optim_work(civ_arima_work *w, civ_arena *arena, size_t r_max, int *fail)
{
    int f = 0;
    size_t nc = CIV_ARIMA_MAX_COEF;
    w->ob = dz(arena, nc, &f);
    w->og = dz(arena, nc, &f);
    w->ot = dz(arena, nc, &f);
    w->oX = dz(arena, nc, &f);
    w->oc = dz(arena, nc, &f);
    w->oB = dz(arena, nc * nc, &f);
    w->oH = dz(arena, nc * nc, &f);
    w->odf1 = dz(arena, nc, &f);
    w->odf2 = dz(arena, nc, &f);
    w->ox = dz(arena, nc, &f);
    w->opar = dz(arena, nc, &f);
    w->ogr = dz(arena, nc, &f);
    /* not cleared: optim_hess writes every entry before reading it, and
     * untouched pages of the 4 nc^2 values cost nothing */
    w->hd = civ_arena_doubles(arena, 4 * nc);
    w->hfv = civ_arena_doubles(arena, 4 * nc * nc);
    if (!w->hd || !w->hfv)
        f = 1;
    w->lu = dz(arena, nc * nc, &f);
    w->inv = dz(arena, nc * nc, &f);
    w->tmpm = dz(arena, nc * nc, &f);
    w->perm = civ_arena_alloc(arena, nc * sizeof(size_t));
    if (!w->perm)
        f = 1;
    w->poly_max = (int)r_max + 1;
    w->polym = dz(arena, (size_t)w->poly_max * (size_t)w->poly_max, &f);
    w->polyz = dz(arena, 2 * (size_t)w->poly_max + 2, &f);
    w->polyc = dz(arena, (size_t)w->poly_max + 2, &f);
    *fail |= f;
}

civ_arima_work *civ_arima_work_alloc(civ_arena *arena, size_t n, size_t ncx, int r_max, int nd_max, int gardner)
{
    civ_arima_work *w = civ_arena_alloc(arena, sizeof *w);
    if (!w)
        return NULL;
    memset(w, 0, sizeof *w);
    if (r_max < 1)
        r_max = 1;
    w->n_cap = n;
    w->ncx_cap = ncx;
    w->r_max = r_max;
    w->nd_max = nd_max;
    w->rd_max = r_max + nd_max;
    size_t rd = (size_t)w->rd_max, r = (size_t)r_max;
    w->np_max = r * (r + 1) / 2;
    w->nrbar_max = w->np_max * (w->np_max - 1) / 2;
    if (w->nrbar_max > MAX_RBAR)
        w->nrbar_max = MAX_RBAR;
    if (!gardner)
        w->nrbar_max = 0; /* AS 154 is not used for p > 0: no R-bar storage */
    w->use_gardner = gardner != 0;
    w->reltol = 1.490116119384765625e-8; /* sqrt(DBL_EPSILON), R's optim default */
    int f = 0;
    alloc_regression_work(w, arena, n, ncx, &f);
    alloc_state_work(w, arena, rd, r, (size_t)nd_max, &f);
    alloc_optim_work(w, arena, (size_t)r_max, &f);
    if (f)
        return NULL;
    return w;
}

void civ_arima_work_set_reltol(civ_arima_work *w, double reltol)
{
    w->reltol = reltol > 0 && reltol < 1 ? reltol : 1.490116119384765625e-8;
}

civ_arima_result *civ_arima_result_alloc(civ_arena *arena, const civ_arima_work *w)
{
    civ_arima_result *r = civ_arena_alloc(arena, sizeof *r);
    if (!r)
        return NULL;
    memset(r, 0, sizeof *r);
    int f = 0;
    size_t rd = (size_t)w->rd_max;
    r->var = dz(arena, CIV_ARIMA_MAX_COEF * CIV_ARIMA_MAX_COEF, &f);
    r->resid = dz(arena, w->n_cap, &f);
    r->phi = dz(arena, (size_t)w->r_max, &f);
    r->theta = dz(arena, (size_t)w->r_max, &f);
    r->delta = dz(arena, (size_t)w->nd_max + 1, &f);
    r->a = dz(arena, rd, &f);
    r->P = dz(arena, rd * rd, &f);
    return f ? NULL : r;
}

void civ_arima_result_copy(civ_arima_result *dst, const civ_arima_result *src, const civ_arima_work *w)
{
    double *var = dst->var, *resid = dst->resid, *phi = dst->phi, *theta = dst->theta, *delta = dst->delta,
           *a = dst->a, *P = dst->P;
    size_t rd = (size_t)w->rd_max;
    memcpy(var, src->var, CIV_ARIMA_MAX_COEF * CIV_ARIMA_MAX_COEF * sizeof *var);
    memcpy(resid, src->resid, w->n_cap * sizeof *resid);
    memcpy(phi, src->phi, (size_t)w->r_max * sizeof *phi);
    memcpy(theta, src->theta, (size_t)w->r_max * sizeof *theta);
    memcpy(delta, src->delta, ((size_t)w->nd_max + 1) * sizeof *delta);
    memcpy(a, src->a, rd * sizeof *a);
    memcpy(P, src->P, rd * rd * sizeof *P);
    *dst = *src;
    dst->var = var;
    dst->resid = resid;
    dst->phi = phi;
    dst->theta = theta;
    dst->delta = delta;
    dst->a = a;
    dst->P = P;
}

/* ---------------------------------------------------------------------------
 * Parameter transformations (Jones 1980; R's partrans / invpartrans)
 * ------------------------------------------------------------------------- */

/* raw -> AR coefficients of a stationary process: the tanh of raw are the
 * partial autocorrelations, and the Durbin-Levinson recursion turns them
 * into coefficients. */
static void partrans(int p, const double *raw, double *out)
{
    double work[MAX_AR_TRANS];
    for (int j = 0; j < p; j++)
        work[j] = out[j] = tanh(raw[j]);
    for (int j = 1; j < p; j++) {
        double a = out[j];
        for (int k = 0; k < j; k++)
            work[k] -= a * out[j - k - 1];
        for (int k = 0; k < j; k++)
            out[k] = work[k];
    }
}

static void invpartrans(int p, const double *phi, double *out)
{
    double work[MAX_AR_TRANS];
    for (int j = 0; j < p; j++)
        work[j] = out[j] = phi[j];
    for (int j = p - 1; j > 0; j--) {
        double a = out[j];
        for (int k = 0; k < j; k++)
            work[k] = (out[k] + a * out[j - k - 1]) / (1 - a * a);
        for (int k = 0; k < j; k++)
            out[k] = work[k];
    }
    for (int j = 0; j < p; j++)
        out[j] = atanh(out[j]);
}

void civ_arima_expand(const civ_arima_order *o, const double *par, double *phi, double *theta)
{
    int mp = o->p, mq = o->q, msp = o->P, msq = o->Q, ns = o->m;
    int p = mp + ns * msp, q = mq + ns * msq;
    if (msp == 0 && msq == 0) {
        for (int i = 0; i < mp; i++)
            phi[i] = par[i];
        for (int i = 0; i < mq; i++)
            theta[i] = par[i + mp];
        return;
    }
    for (int i = 0; i < mp; i++)
        phi[i] = par[i];
    for (int i = 0; i < mq; i++)
        theta[i] = par[i + mp];
    for (int i = mp; i < p; i++)
        phi[i] = 0.0;
    for (int i = mq; i < q; i++)
        theta[i] = 0.0;
    /* (1 - sum phi B^i)(1 - sum Phi B^{mj}) and (1 + ...)(1 + ...) */
    for (int j = 0; j < msp; j++) {
        phi[(j + 1) * ns - 1] += par[j + mp + mq];
        for (int i = 0; i < mp; i++)
            phi[(j + 1) * ns + i] -= par[i] * par[j + mp + mq];
    }
    for (int j = 0; j < msq; j++) {
        theta[(j + 1) * ns - 1] += par[j + mp + mq + msp];
        for (int i = 0; i < mq; i++)
            theta[(j + 1) * ns + i] += par[i + mp] * par[j + mp + mq + msp];
    }
}

/* par (transformed scale when trans) -> phi, theta. */
static void trans_pars(const civ_arima_order *o, const double *in, int trans, double *phi, double *theta)
{
    double params[CIV_ARIMA_MAX_COEF];
    int n = o->p + o->q + o->P + o->Q;
    for (int i = 0; i < n; i++)
        params[i] = in[i];
    if (trans) {
        if (o->p > 0)
            partrans(o->p, in, params);
        int v = o->p + o->q;
        if (o->P > 0)
            partrans(o->P, in + v, params + v);
    }
    civ_arima_expand(o, params, phi, theta);
}

/* ---------------------------------------------------------------------------
 * Polynomial roots (for stationarity / invertibility checks)
 * ------------------------------------------------------------------------- */

/* Roots of c[0] + c[1] z + ... + c[k] z^k (c[k] != 0) into z (2k doubles).
 * Returns 0 on success. */
static int poly_roots(civ_arima_work *w, const double *c, int k, double *z)
{
    if (k < 1 || k + 1 > w->poly_max + 1)
        return -1;
    if (k == 1) {
        z[0] = -c[0] / c[1];
        z[1] = 0.0;
        return 0;
    }
    gsl_poly_complex_workspace ws = {(size_t)k, w->polym};
    return gsl_poly_complex_solve(c, (size_t)k + 1, &ws, z) == GSL_SUCCESS ? 0 : -1;
}

double civ_arima_min_root(civ_arima_work *w, const double *c, int k, int sign)
{
    int last = -1;
    for (int i = 0; i < k; i++)
        if (fabs(c[i]) > 1e-8)
            last = i;
    if (last < 0)
        return INFINITY;
    double *pc = w->polyc;
    pc[0] = 1.0;
    for (int i = 0; i <= last; i++)
        pc[i + 1] = sign * c[i];
    if (poly_roots(w, pc, last + 1, w->polyz) != 0)
        return NAN;
    double mn = INFINITY;
    for (int i = 0; i <= last; i++) {
        double m = hypot(w->polyz[2 * i], w->polyz[2 * i + 1]);
        if (m < mn)
            mn = m;
    }
    return mn;
}

/* R's maInvert: reflect the roots of 1 + sum ma_i z^i inside the unit circle. */
static void ma_invert(civ_arima_work *w, double *ma, int q)
{
    int q0 = 0;
    for (int i = 0; i < q; i++)
        if (ma[i] != 0.0)
            q0 = i + 1;
    if (q0 == 0)
        return;
    double *pc = w->polyc, *z = w->polyz;
    pc[0] = 1.0;
    for (int i = 0; i < q0; i++)
        pc[i + 1] = ma[i];
    if (poly_roots(w, pc, q0, z) != 0)
        return;
    int any = 0;
    for (int i = 0; i < q0; i++)
        if (hypot(z[2 * i], z[2 * i + 1]) < 1.0)
            any = 1;
    if (!any)
        return;
    if (q0 == 1) {
        ma[0] = 1.0 / ma[0];
        for (int i = 1; i < q; i++)
            ma[i] = 0.0;
        return;
    }
    for (int i = 0; i < q0; i++) {
        double re = z[2 * i], im = z[2 * i + 1], m2 = re * re + im * im;
        if (sqrt(m2) < 1.0) { /* 1 / root */
            z[2 * i] = re / m2;
            z[2 * i + 1] = -im / m2;
        }
    }
    /* x <- 1; for (r in roots) x <- c(x, 0) - c(0, x) / r, in complex. */
    double xr[MAX_AR_TRANS + 1], xi[MAX_AR_TRANS + 1];
    if (q0 > MAX_AR_TRANS)
        return;
    xr[0] = 1.0;
    xi[0] = 0.0;
    int len = 1;
    for (int k = 0; k < q0; k++) {
        double rr = z[2 * k], ri = z[2 * k + 1], m2 = rr * rr + ri * ri;
        double ir = rr / m2, ii = -ri / m2; /* 1/r */
        xr[len] = 0.0;
        xi[len] = 0.0;
        for (int j = len; j >= 1; j--) {
            /* new[j] = x[j] - x[j-1] / r */
            double pr = xr[j - 1] * ir - xi[j - 1] * ii, pi = xr[j - 1] * ii + xi[j - 1] * ir;
            xr[j] -= pr;
            xi[j] -= pi;
        }
        len++;
    }
    for (int i = 0; i < q0; i++)
        ma[i] = xr[i + 1];
    for (int i = q0; i < q; i++)
        ma[i] = 0.0;
}

static int ar_check(civ_arima_work *w, const double *ar, int p)
{
    int last = -1;
    for (int i = 0; i < p; i++)
        if (ar[i] != 0.0)
            last = i;
    if (last < 0)
        return 1;
    double *pc = w->polyc, *z = w->polyz;
    pc[0] = 1.0;
    for (int i = 0; i <= last; i++)
        pc[i + 1] = -ar[i];
    if (poly_roots(w, pc, last + 1, z) != 0)
        return 0;
    for (int i = 0; i <= last; i++)
        if (!(hypot(z[2 * i], z[2 * i + 1]) > 1.0))
            return 0;
    return 1;
}

/* ---------------------------------------------------------------------------
 * Q0 of Gardner, Harvey & Phillips (1980), AS 154
 * ------------------------------------------------------------------------- */

/* Givens update of the square-root-free QR of the equations with one row
 * (xnext, ynext) (AS 154 INCLU2; AS 75 of Gentleman 1974). */
static void inclu2(size_t np, const double *xnext, double *xrow, double ynext, double *d, double *rbar,
                   double *thetab)
{
    for (size_t i = 0; i < np; i++)
        xrow[i] = xnext[i];
    size_t ithisr = 0;
    for (size_t i = 0; i < np; i++) {
        if (xrow[i] != 0.0) {
            double xi = xrow[i], di = d[i], dpi = di + xi * xi;
            d[i] = dpi;
            double cbar = di / dpi, sbar = xi / dpi;
            for (size_t k = i + 1; k < np; k++) {
                double xk = xrow[k], rbthis = rbar[ithisr];
                xrow[k] = xk - xi * rbthis;
                rbar[ithisr++] = cbar * rbthis + sbar * xk;
            }
            double xk = ynext;
            ynext = xk - xi * thetab[i];
            thetab[i] = cbar * thetab[i] + sbar * xk;
            if (di == 0.0)
                return;
        } else {
            ithisr = ithisr + np - i - 1;
        }
    }
}

/* Fills the r x r matrix Pq (column-major == row-major, symmetric) with the
 * stationary covariance of the ARMA state.  Returns 0, or -1 when the work
 * is too small.  One piece: it follows R's getQ0 (stats/src/arima.c, AS 154)
 * statement by statement, with its variable names, so the two read side by
 * side; its index arithmetic does not split into steps that mean anything. */
static int get_q0(civ_arima_work *w, const double *phi, int p, const double *theta, int q, int r, double *Pq)
{
    size_t np = (size_t)r * (size_t)(r + 1) / 2, nrbar = np * (np - 1) / 2;
    double *V = w->V, *xnext = w->xnext, *xrow = w->xrow, *rbar = w->rbar, *thetab = w->thetab, *P = Pq;
    if (np > w->np_max)
        return -1;
    size_t ind = 0;
    for (int j = 0; j < r; j++) {
        double vj = (j == 0) ? 1.0 : (j - 1 < q ? theta[j - 1] : 0.0);
        for (int i = j; i < r; i++) {
            double vi = (i == 0) ? 1.0 : (i - 1 < q ? theta[i - 1] : 0.0);
            V[ind++] = vi * vj;
        }
    }
    if (r == 1) {
        P[0] = p > 0 ? 1.0 / (1.0 - phi[0] * phi[0]) : 1.0;
        return 0;
    }
    if (p > 0) {
        if (nrbar > w->nrbar_max)
            return -1;
        /* The equations s * vec(P0) = vec(V) are generated row by row in
         * xnext, with P reordered to bring leading zeros into the rows. */
        for (size_t i = 0; i < nrbar; i++)
            rbar[i] = 0.0;
        for (size_t i = 0; i < np; i++) {
            P[i] = 0.0;
            thetab[i] = 0.0;
            xnext[i] = 0.0;
        }
        ind = 0;
        long ind1 = -1;
        size_t npr = np - (size_t)r, npr1 = npr + 1, indj = npr;
        size_t ind2 = npr - 1;
        for (int j = 0; j < r; j++) {
            double phij = (j < p) ? phi[j] : 0.0;
            xnext[indj++] = 0.0;
            size_t indi = npr1 + (size_t)j;
            for (int i = j; i < r; i++) {
                double ynext = V[ind++];
                double phii = (i < p) ? phi[i] : 0.0;
                if (j != r - 1) {
                    xnext[indj] = -phii;
                    if (i != r - 1) {
                        xnext[indi] -= phij;
                        xnext[++ind1] = -1.0;
                    }
                }
                xnext[npr] = -phii * phij;
                if (++ind2 >= np)
                    ind2 = 0;
                xnext[ind2] += 1.0;
                inclu2(np, xnext, xrow, ynext, P, rbar, thetab);
                xnext[ind2] = 0.0;
                if (i != r - 1) {
                    xnext[indi++] = 0.0;
                    xnext[ind1] = 0.0;
                }
            }
        }
        /* back substitution */
        long ithisr = (long)nrbar - 1, im = (long)np - 1;
        for (size_t i = 0; i < np; i++) {
            double bi = thetab[im];
            long jm = (long)np - 1;
            for (size_t j = 0; j < i; j++)
                bi -= rbar[ithisr--] * P[jm--];
            P[im--] = bi;
        }
        /* re-order */
        ind = npr;
        for (int i = 0; i < r; i++)
            xnext[i] = P[ind++];
        long k = (long)np - 1, k1 = (long)npr - 1;
        for (size_t i = 0; i < npr; i++)
            P[k--] = P[k1--];
        for (int i = 0; i < r; i++)
            P[i] = xnext[i];
    } else {
        /* pure MA: P0 by back substitution */
        size_t indn = np;
        ind = np;
        for (int i = 0; i < r; i++)
            for (int j = 0; j <= i; j++) {
                --ind;
                P[ind] = V[ind];
                if (j != 0)
                    P[ind] += P[--indn];
            }
    }
    /* unpack the packed upper triangle to a full matrix */
    ind = np;
    for (int i = r - 1; i > 0; i--)
        for (int j = r - 1; j >= i; j--)
            P[r * i + j] = P[--ind];
    for (int i = 0; i < r - 1; i++)
        for (int j = i + 1; j < r; j++)
            P[i + r * j] = P[j + r * i];
    return 0;
}

/* ---------------------------------------------------------------------------
 * Kalman filter for the ARIMA state space (Harvey 1989, sec. 3.3)
 * ------------------------------------------------------------------------- */

typedef struct arima_ss {
    const double *phi, *theta, *delta;
    int p, q, d, r, rd;
} arima_ss;

/* P[i][j] read from the upper triangle: the filter keeps only that half of
 * its symmetric covariances current (the lower half is written once, at the
 * end), and a mirrored element has the same bits as the one it mirrors. */
#define UPPER(P, rd, i, j) ((i) <= (j) ? (P)[(size_t)(i) * (rd) + (j)] : (P)[(size_t)(j) * (rd) + (i)])

/* ss_predict_cov_upper for a stationary state (d = 0, rd = r): Pnew[i][j] = phi_i phi_j P00 + phi_i P[0][j+1]
 * + phi_j P[i+1][0] + P[i+1][j+1] + v_i v_j in one symmetric pass. */
static void ss_predict_cov_stationary(const arima_ss *s, const double *P, double *Pnew)
{
    int r = s->r, rd = s->rd, p = s->p, q = s->q;
    double p00 = P[0];
    for (int i = 0; i < r; i++) {
        double phii = i < p ? s->phi[i] : 0.0;
        double vi = i == 0 ? 1.0 : (i - 1 < q ? s->theta[i - 1] : 0.0);
        const double *Pi1 = P + (size_t)(i + 1) * rd;
        for (int j = i; j < r; j++) {
            double phij = j < p ? s->phi[j] : 0.0;
            double vj = j == 0 ? 1.0 : (j - 1 < q ? s->theta[j - 1] : 0.0);
            double tmp = vi * vj;
            if (j < r - 1) {
                tmp += phii * P[j + 1];
                if (i < r - 1)
                    tmp += Pi1[j + 1];
            }
            if (i < r - 1)
                tmp += phij * P[i + 1]; /* P[i+1][0] */
            tmp += phii * phij * p00;
            Pnew[(size_t)i * rd + j] = tmp;
        }
    }
}

/* mm = T P for a differenced state: row i is read later at column 0 (i <= r) and at the columns from i + 1
 * (i < r), r (i = r) or i - 1 (i > r) on, all in P's upper triangle but column 0 and row r's (P[i][0] is
 * read as P[0][i]); only those entries are computed. */
static void ss_times_T(const arima_ss *s, const double *P, double *mm)
{
    int r = s->r, rd = s->rd, p = s->p, d = s->d;
    for (int i = 0; i < r; i++) {
        double *mi = mm + (size_t)i * rd, tmp = 0.0;
        const double *Pi1 = P + (size_t)(i + 1) * rd;
        int hp = i < p, hr = i < r - 1;
        double phii = hp ? s->phi[i] : 0.0;
        if (hp)
            tmp += phii * P[0];
        if (hr)
            tmp += P[i + 1];
        mi[0] = tmp;
        /* the same sum, with its terms present or not, for each column */
        if (hp && hr)
            for (int j = i + 1; j < rd; j++)
                mi[j] = (0.0 + phii * P[j]) + Pi1[j];
        else if (hp)
            for (int j = i + 1; j < rd; j++)
                mi[j] = 0.0 + phii * P[j];
        else if (hr)
            for (int j = i + 1; j < rd; j++)
                mi[j] = 0.0 + Pi1[j];
        else
            for (int j = i + 1; j < rd; j++)
                mi[j] = 0.0;
    }
    double *mr = mm + (size_t)r * rd;
    for (int j = 0; j < rd; j = j == 0 ? r : j + 1) {
        double tmp = P[j];
        for (int k = 0; k < d; k++)
            tmp += s->delta[k] * UPPER(P, rd, r + k, j);
        mr[j] = tmp;
    }
    for (int i = r + 1; i < rd; i++)
        memcpy(mm + (size_t)i * rd + (i - 1), P + (size_t)(i - 1) * rd + (i - 1), (size_t)(rd - i + 1) * sizeof *mm);
}

/* The upper triangle of Pnew = mm T' (symmetric: row i from column i on), from the entries ss_times_T made. */
static void ss_times_Tt(const arima_ss *s, const double *mm, double *Pnew)
{
    int r = s->r, rd = s->rd, p = s->p, d = s->d;
    for (int i = 0; i < rd; i++) {
        const double *mi = mm + (size_t)i * rd;
        double *pi = Pnew + (size_t)i * rd;
        if (i < r) {
            /* tmp = 0; (j < p) tmp += phi_j mi[0]; (j < r - 1) tmp += mi[j + 1] */
            double mi0 = mi[0];
            int jp = p < r - 1 ? p : r - 1, j = i;
            for (; j < jp; j++)
                pi[j] = (0.0 + s->phi[j] * mi0) + mi[j + 1];
            for (; j < r - 1; j++)
                pi[j] = 0.0 + mi[j + 1];
            if (j == r - 1)
                pi[j] = r - 1 < p ? 0.0 + s->phi[r - 1] * mi0 : 0.0;
        }
        if (i <= r) {
            double tmp = mi[0];
            for (int k = 0; k < d; k++)
                tmp += s->delta[k] * mi[r + k];
            pi[r] = tmp;
        }
        for (int k = (i - r > 1 ? i - r : 1); k < d; k++)
            pi[r + k] = mi[r + k - 1];
    }
}

/* The upper triangle of Pnew = T P T' + V from the upper triangle of P,
 * using the sparsity of T (row-major; mm: rd x rd scratch for T P).  Every
 * element gets the same operations, in the same order, as a full update
 * would give it; only the work for the lower halves is left out. */
static void ss_predict_cov_upper(const arima_ss *s, const double *P, double *mm, double *Pnew)
{
    if (s->d == 0) {
        ss_predict_cov_stationary(s, P, Pnew);
        return;
    }
    ss_times_T(s, P, mm);
    ss_times_Tt(s, mm, Pnew);
    for (int i = 0; i <= s->q; i++) {
        double vi = (i == 0) ? 1.0 : s->theta[i - 1];
        for (int j = i; j <= s->q; j++)
            Pnew[(size_t)i * s->rd + j] += vi * ((j == 0) ? 1.0 : s->theta[j - 1]);
    }
}

/* Copies the upper triangle of the rd x rd P to its lower one. */
static void mirror_upper(double *P, int rd)
{
    for (int i = 1; i < rd; i++)
        for (int j = 0; j < i; j++)
            P[(size_t)i * rd + j] = P[(size_t)j * rd + i];
}

/* Pnew = T P T' + V in full (P full and symmetric). */
static void ss_predict_cov(const arima_ss *s, const double *P, double *mm, double *Pnew)
{
    ss_predict_cov_upper(s, P, mm, Pnew);
    mirror_upper(Pnew, s->rd);
}

static void ss_predict_state(const arima_ss *s, const double *a, double *anew)
{
    int r = s->r, rd = s->rd, p = s->p, d = s->d;
    for (int i = 0; i < r; i++) {
        double tmp = (i < r - 1) ? a[i + 1] : 0.0;
        if (i < p)
            tmp += s->phi[i] * a[0];
        anew[i] = tmp;
    }
    if (d > 0) {
        for (int i = r + 1; i < rd; i++)
            anew[i] = a[i - 1];
        double tmp = a[0];
        for (int i = 0; i < d; i++)
            tmp += s->delta[i] * a[r + i];
        anew[r] = tmp;
    }
}

/* Runs the filter over y[0..n) from a and Pn (the covariance of the first
 * prediction); a, P end as the filtered state.  Returns ssq, sumlog and
 * the count nu of steps with prediction variance < 1e4.  resid may be NULL. */
static void ss_filter(const arima_ss *s, const double *y, size_t n, double *a, double *P, const double *Pn,
                      civ_arima_work *w, double *ssq_out, double *sumlog_out, int *nu_out, double *resid)
{
    int rd = s->rd, r = s->r, d = s->d;
    double *anew = w->anew, *M = w->M, *Pnew = w->Pnew, *mm = w->mm;
    double ssq = 0.0, sumlog = 0.0;
    int nu = 0;
    size_t rd2 = (size_t)rd * rd;
    /* P and Pnew: only the upper triangles are kept current (UPPER) */
    for (size_t l = 0; l < n; l++) {
        ss_predict_state(s, a, anew);
        if (l > 0)
            ss_predict_cov_upper(s, P, mm, Pnew);
        else
            memcpy(Pnew, Pn, rd2 * sizeof *Pnew);
        if (!isnan(y[l])) {
            double res = y[l] - anew[0];
            for (int i = 0; i < d; i++)
                res -= s->delta[i] * anew[r + i];
            for (int i = 0; i < rd; i++) {
                double tmp = Pnew[i]; /* P[i][0] = P[0][i] */
                for (int j = 0; j < d; j++)
                    tmp += UPPER(Pnew, rd, i, r + j) * s->delta[j];
                M[i] = tmp;
            }
            double gain = M[0];
            for (int j = 0; j < d; j++)
                gain += s->delta[j] * M[r + j];
            if (gain < 1e4) {
                nu++;
                ssq += res * res / gain;
                sumlog += log(gain);
            }
            if (resid)
                resid[l] = res / sqrt(gain);
            for (int i = 0; i < rd; i++)
                a[i] = anew[i] + M[i] * res / gain;
            for (int i = 0; i < rd; i++) {
                double mi = M[i] / gain;
                for (int j = i; j < rd; j++)
                    P[(size_t)i * rd + j] = Pnew[(size_t)i * rd + j] - mi * M[j];
            }
        } else {
            memcpy(a, anew, (size_t)rd * sizeof *a);
            memcpy(P, Pnew, rd2 * sizeof *P);
            if (resid)
                resid[l] = NAN;
        }
    }
    mirror_upper(P, rd); /* the filtered covariance in full, for forecasting */
    *ssq_out = ssq;
    *sumlog_out = sumlog;
    *nu_out = nu;
}

/* The filter for the stationary ARMA state and complete data (the
 * optimiser's path), with the measurement update fused into the next
 * prediction: with M = P_{t|t-1} Z the first column and g = M[0],
 *   P_{t+1|t}[i][j] = v_i v_j + phi_i phi_j U[0][0] + phi_i U[0][j+1]
 *                     + phi_j U[i+1][0] + U[i+1][j+1],   U = P - M M'/g,
 * one symmetric pass per observation instead of three. */
static void ss_filter_arma(const arima_ss *s, const double *y, size_t n, const double *Pn, civ_arima_work *w,
                           double *ssq_out, double *sumlog_out, int *nu_out)
{
    int r = s->r, p = s->p, q = s->q;
    size_t r2 = (size_t)r * r;
    /* only the upper triangles of A = P_{t|t-1} and B are kept */
    double *A = w->Pnew, *B = w->P, *a = w->a, *anew = w->anew, *M = w->M;
    double *ph = w->mm, *v = ph + r, *u0 = v + r, *mg = u0 + r; /* mm holds >= 4r doubles */
    for (int i = 0; i < r; i++) {
        ph[i] = i < p ? s->phi[i] : 0.0;
        v[i] = i == 0 ? 1.0 : (i - 1 < q ? s->theta[i - 1] : 0.0);
    }
    memcpy(A, Pn, r2 * sizeof *A);
    memset(a, 0, (size_t)r * sizeof *a);
    double ssq = 0.0, sumlog = 0.0;
    int nu = 0;
    for (size_t l = 0; l < n; l++) {
        ss_predict_state(s, a, anew);
        double g = A[0], res = y[l] - anew[0];
        if (g < 1e4) {
            nu++;
            ssq += res * res / g;
            sumlog += log(g);
        }
        double rg = res / g;
        for (int i = 0; i < r; i++) {
            M[i] = A[i]; /* first row = first column */
            mg[i] = M[i] / g;
            a[i] = anew[i] + M[i] * rg;
        }
        if (l + 1 == n)
            break;
        /* U = A - M M'/g: u00 = U[0][0], u0[j] = U[0][j+1] */
        double u00 = A[0] - M[0] * mg[0];
        for (int j = 0; j + 1 < r; j++)
            u0[j] = A[j + 1] - M[0] * mg[j + 1];
        u0[r - 1] = 0.0;
        for (int i = 0; i < r; i++) {
            double phii = ph[i], vi = v[i], u0i = u0[i];
            double *Bi = B + (size_t)i * r;
            if (i + 1 < r) {
                const double *Ai1 = A + (size_t)(i + 1) * r;
                double mi1 = M[i + 1];
                for (int j = i; j + 1 < r; j++)
                    Bi[j] = vi * v[j] + phii * ph[j] * u00 + ph[j] * u0i + phii * u0[j] + Ai1[j + 1] - mi1 * mg[j + 1];
            } else {
                for (int j = i; j + 1 < r; j++)
                    Bi[j] = vi * v[j] + phii * ph[j] * u00 + phii * u0[j];
            }
            int j = r - 1;
            if (j >= i)
                Bi[j] = vi * v[j] + phii * ph[j] * u00 + ph[j] * u0i;
        }
        double *t = A;
        A = B;
        B = t;
    }
    *ssq_out = ssq;
    *sumlog_out = sumlog;
    *nu_out = nu;
}

/* The same likelihood terms as ss_filter_arma by the Chandrasekhar recursions
 * (Morf, Sidhu & Kailath 1974, "Some new algorithms for recursive estimation
 * in constant linear systems", IEEE TAC 19(4); Harvey 1989, sec. 3.3.4;
 * Durbin & Koopman 2012, sec. 4.12): O(r) work per observation instead of
 * the Riccati update's O(r^2).  With P_t = P_{t|t-1}, F_t = P_t[0][0],
 * G_t = T P_t Z' and the increment P_{t+1} - P_t = W_t M_t W_t':
 *   F_{t+1} = F_t + M_t z^2,  z = W_t[0]
 *   G_{t+1} = G_t + (T W_t) M_t z
 *   W_{t+1} = T W_t - G_{t+1} z / F_{t+1}
 *   M_{t+1} = M_t + (M_t z)^2 / F_t
 * started from P_1 = Q0, the stationary covariance: then
 * P_2 - P_1 = -G_1 G_1' / F_1 (as Q0 = T Q0 T' + v v'), of rank one, so W is
 * a vector and M a number.  This needs Q0 to be the exact stationary
 * solution (fast_q0 or AS 154's pure-MA branch, not Gardner's inexact MA
 * case), so obj_ml uses it only without use_gardner.  The results equal the
 * Riccati filter's up to rounding (tests/test_arima_kalman.c). */
static int fast_q0(civ_arima_work *w, const double *phi, int p, const double *theta, int q, int r, double *Q,
                   int row_only);

static void ss_filter_chandra(const arima_ss *s, const double *y, size_t n, const double *Q0, civ_arima_work *w,
                              double *ssq_out, double *sumlog_out, int *nu_out)
{
    int r = s->r, p = s->p;
    double *a = w->anew, *ph = w->mm, *G = ph + r, *W = G + r; /* mm holds >= 4r doubles */
    for (int i = 0; i < r; i++) {
        ph[i] = i < p ? s->phi[i] : 0.0;
        a[i] = 0.0;
    }
    double F = Q0[0];
    for (int i = 0; i < r; i++) {
        G[i] = ph[i] * F + (i + 1 < r ? Q0[i + 1] : 0.0); /* Q0 symmetric: its first row */
        W[i] = G[i];
    }
    double M = -1.0 / F;
    double ssq = 0.0, sumlog = 0.0, lprod = 1.0;
    int nu = 0;
    for (size_t l = 0; l < n; l++) {
        double res = y[l] - a[0];
        if (F < 1e4) {
            nu++;
            ssq += res * res / F;
            /* sum log F as the log of a running product: one log per many steps */
            lprod *= F;
            if (!(lprod < 1e150 && lprod > 1e-150)) {
                sumlog += log(lprod);
                lprod = 1.0;
            }
        }
        if (l + 1 == n)
            break;
        /* a_{t+1|t} = T a_{t|t-1} + G_t res / F_t (in place: row i reads a[i+1] and a[0]) */
        double rf = res / F, a0 = a[0];
        for (int i = 0; i + 1 < r; i++)
            a[i] = a[i + 1] + ph[i] * a0 + G[i] * rf;
        a[r - 1] = ph[r - 1] * a0 + G[r - 1] * rf;
        double z = W[0], Mz = M * z;
        double Fn = F + z * Mz;
        double zF = z / Fn;
        for (int i = 0; i < r; i++) {
            double tw = ph[i] * z + (i + 1 < r ? W[i + 1] : 0.0); /* (T W)[i]; W[0] is z */
            G[i] += tw * Mz;
            W[i] = tw - G[i] * zF;
        }
        M += Mz * Mz / F;
        F = Fn;
    }
    *ssq_out = ssq;
    *sumlog_out = sumlog + log(lprod);
    *nu_out = nu;
}

int civ_arima_arma_filter(civ_arima_work *w, const double *phi, int p, const double *theta, int q, const double *y,
                          size_t n, int chandra, double *ssq, double *sumlog, int *nu)
{
    int r = p > q + 1 ? p : q + 1;
    if (r > w->r_max || p < 0 || q < 0)
        return -1;
    double *ph = w->phi, *th = w->theta;
    for (int i = 0; i < p; i++)
        ph[i] = phi[i];
    for (int i = 0; i < q; i++)
        th[i] = theta[i];
    int fastq = p > 0 && r > 1;
    if (fastq ? fast_q0(w, ph, p, th, q, r, w->q0, 0) != 0 : get_q0(w, ph, p, th, q, r, w->q0) != 0)
        return -1;
    w->q0_valid = 0;
    arima_ss s0 = {ph, th, w->delta, p, q, 0, r, r};
    if (chandra)
        ss_filter_chandra(&s0, y, n, w->q0, w, ssq, sumlog, nu);
    else
        ss_filter_arma(&s0, y, n, w->q0, w, ssq, sumlog, nu);
    return 0;
}

void civ_arima_kalman_forecast(const civ_arima_result *res, size_t h, double *mean, double *var, double *scratch)
{
    arima_ss s = {res->phi, res->theta, res->delta, res->nphi, res->ntheta, res->ndelta, res->r, res->rd};
    size_t rd = (size_t)res->rd, rd2 = rd * rd;
    double *P = scratch, *Pnew = P + rd2, *mm = Pnew + rd2, *a = mm + rd2, *anew = a + rd;
    memcpy(a, res->a, rd * sizeof *a);
    memcpy(P, res->P, rd2 * sizeof *P);
    for (size_t l = 0; l < h; l++) {
        ss_predict_state(&s, a, anew);
        double fc = anew[0];
        for (int i = 0; i < s.d; i++)
            fc += s.delta[i] * anew[s.r + i];
        memcpy(a, anew, rd * sizeof *a);
        mean[l] = fc;
        ss_predict_cov(&s, P, mm, Pnew);
        memcpy(P, Pnew, rd2 * sizeof *P);
        /* Z' P Z with Z = (1, 0.., delta) */
        double v = 0.0;
        for (int i = 0; i < s.rd; i++) {
            double zi = i == 0 ? 1.0 : (i >= s.r ? s.delta[i - s.r] : 0.0);
            if (zi == 0.0)
                continue;
            for (int j = 0; j < s.rd; j++) {
                double zj = j == 0 ? 1.0 : (j >= s.r ? s.delta[j - s.r] : 0.0);
                v += zi * zj * P[(size_t)i * rd + j];
            }
        }
        var[l] = v;
    }
}

/* ---------------------------------------------------------------------------
 * Objectives
 * ------------------------------------------------------------------------- */

typedef struct arima_ctx {
    civ_arima_work *w;
    const double *x, *xreg;
    size_t n, ncx, narma, ncoef;
    const civ_arima_order *o;
    int trans, ncond;
    int fast;       /* optimiser path: fast Q0, and the differenced data when complete */
    int complete;   /* no NaN in x nor in the regressors */
    int p, q, r, rd, nd; /* expanded orders */
    const double *parscale;
    const double *fixed; /* all-fixed coefficients (no optimisation) or NULL */
} arima_ctx;

static void regress_out(const arima_ctx *c, const double *par, double *out)
{
    size_t n = c->n;
    memcpy(out, c->x, n * sizeof *out);
    for (size_t k = 0; k < c->ncx; k++) {
        double b = par[c->narma + k];
        const double *z = c->xreg + k * n;
        for (size_t t = 0; t < n; t++)
            out[t] -= b * z[t];
    }
}

/* R's armaCSS: 0.5 log(mean square of the conditional residuals). */
static double obj_css(const double *par, void *vc)
{
    arima_ctx *c = vc;
    civ_arima_work *w = c->w;
    trans_pars(c->o, par, 0, w->phi, w->theta);
    regress_out(c, par, w->wcss);
    double *y = w->wcss, *res = w->rcss;
    size_t n = c->n;
    int m = c->o->m;
    for (int i = 0; i < c->o->d; i++)
        for (size_t l = n - 1; l > 0; l--)
            y[l] -= y[l - 1];
    for (int i = 0; i < c->o->D; i++)
        for (size_t l = n - 1; l >= (size_t)m && l > 0; l--)
            y[l] -= y[l - (size_t)m];
    double ssq = 0.0;
    int nu = 0;
    for (size_t l = 0; l < (size_t)c->ncond && l < n; l++)
        res[l] = 0.0;
    /* the expanded seasonal polynomials are mostly zeros: loop over the
     * non-zero coefficients only (subtracting 0 changes nothing) */
    int *pj = w->css_idx, *qj = pj + c->p, np = 0, nq = 0;
    for (int j = 0; j < c->p; j++)
        if (w->phi[j] != 0.0)
            pj[np++] = j;
    for (int j = 0; j < c->q; j++)
        if (w->theta[j] != 0.0)
            qj[nq++] = j;
    for (size_t l = (size_t)c->ncond; l < n; l++) {
        double tmp = y[l];
        for (int k = 0; k < np; k++)
            tmp -= w->phi[pj[k]] * y[l - (size_t)pj[k] - 1];
        size_t lim = l - (size_t)c->ncond;
        if (lim > (size_t)c->q)
            lim = (size_t)c->q;
        for (int k = 0; k < nq && (size_t)qj[k] < lim; k++)
            tmp -= w->theta[qj[k]] * res[l - (size_t)qj[k] - 1];
        res[l] = tmp;
        if (!isnan(tmp)) {
            nu++;
            ssq += tmp * tmp;
        }
    }
    return 0.5 * log(ssq / (double)nu);
}

/* Solves the n x n row-major system A x = b in place (x in b) by Gaussian
 * elimination with partial pivoting (the (p+1)-equation system of fast_q0:
 * n is small, so no BLAS call).  Returns -1 when a pivot is zero. */
static int solve_small(double *A, double *b, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        size_t piv = k;
        for (size_t i = k + 1; i < n; i++)
            if (fabs(A[i * n + k]) > fabs(A[piv * n + k]))
                piv = i;
        if (A[piv * n + k] == 0.0)
            return -1;
        if (piv != k) {
            for (size_t j = 0; j < n; j++) {
                double t = A[k * n + j];
                A[k * n + j] = A[piv * n + j];
                A[piv * n + j] = t;
            }
            double t = b[k];
            b[k] = b[piv];
            b[piv] = t;
        }
        double inv = 1.0 / A[k * n + k];
        for (size_t i = k + 1; i < n; i++) {
            double f = A[i * n + k] * inv;
            if (f == 0.0)
                continue;
            for (size_t j = k + 1; j < n; j++)
                A[i * n + j] -= f * A[k * n + j];
            b[i] -= f * b[k];
        }
    }
    for (size_t k = n; k-- > 0;) {
        double v = b[k];
        for (size_t j = k + 1; j < n; j++)
            v -= A[k * n + j] * b[j];
        b[k] = v / A[k * n + k];
    }
    return 0;
}

/* The ARMA autocovariances gamma(0..r) (unit innovation variance) from the
 * (p+1)-equation system of Brockwell & Davis (2016, sec. 3.3):
 * gamma(h) - sum_k phi_k gamma(|h-k|) = sum_{j=h}^{q} theta_j psi_{j-h}, h = 0..p,
 * then the AR recursion beyond p.  pk/tj: the non-zero lags of phi and theta
 * (fast_q0); w->psi holds the psi weights.  Returns -1 when singular. */
static int arma_acvf_system(civ_arima_work *w, const double *phi, int p, const int *pk, int npk,
                            const double *theta, const int *tj, int ntj, int r, double *g)
{
    double *psi = w->psi, *A = w->gsys;
    size_t np1 = (size_t)p + 1;
    for (size_t i = 0; i < np1 * np1; i++)
        A[i] = 0.0;
    double *rhs = A + np1 * np1; /* p + 1 more doubles (gsys holds (r+1)(r+2)) */
    for (int h = 0; h <= p; h++) {
        A[(size_t)h * np1 + (size_t)h] += 1.0;
        for (int i = 0; i < npk; i++) {
            int k = pk[i], lag = h - k < 0 ? k - h : h - k;
            A[(size_t)h * np1 + (size_t)lag] -= phi[k - 1];
        }
        double v = h == 0 ? psi[0] : 0.0; /* theta_0 = 1 */
        for (int i = 0; i < ntj; i++)
            if (tj[i] >= h)
                v += theta[tj[i] - 1] * psi[tj[i] - h];
        rhs[h] = v;
    }
    if (solve_small(A, rhs, np1) != 0)
        return -1;
    for (int h = 0; h <= p; h++)
        g[h] = rhs[h];
    for (int h = p + 1; h <= r; h++) {
        double v = 0.0;
        for (int i = 0; i < npk; i++)
            v += phi[pk[i] - 1] * g[h - pk[i]];
        for (int i = 0; i < ntj; i++)
            if (tj[i] >= h)
                v += theta[tj[i] - 1] * psi[tj[i] - h];
        g[h] = v;
    }
    return 0;
}

/* The same autocovariances through the AR part (Brockwell & Davis 2016,
 * sec. 3.3 and 5.1.1): the partial autocorrelations of phi by the step-down
 * (reverse Durbin-Levinson) recursion, the AR(p) autocovariances gamma_x from
 * them by Durbin-Levinson, then gamma(h) = sum_{i,j} theta_i theta_j
 * gamma_x(h + j - i) (theta_0 = 1).  O(p^2 + nnz(theta)^2 r) instead of the
 * system's O(p^3): cheaper for the long, sparse seasonal AR polynomials.
 * Returns -1 when phi is not stationary. */
static int arma_acvf_levinson(civ_arima_work *w, const double *phi, int p, const int *pk, int npk,
                              const double *theta, const int *tj, int ntj, int r, double *g)
{
    int qmax = ntj ? tj[ntj - 1] : 0, hmax = r + qmax;
    double *a = w->gsys, *b = a + p + 1, *pac = b + p + 1, *gx = pac + p + 1; /* 3p + 3 + 2r <= gsys's size */
    for (int k = 1; k <= p; k++)
        a[k] = phi[k - 1];
    for (int k = p; k >= 1; k--) {
        double c = a[k], den = 1.0 - c * c;
        if (!(fabs(c) < 1.0))
            return -1;
        pac[k] = c;
        for (int j = 1; j < k; j++)
            b[j] = (a[j] + c * a[k - j]) / den;
        for (int j = 1; j < k; j++)
            a[j] = b[j];
    }
    double v = 1.0;
    for (int k = 1; k <= p; k++)
        v *= 1.0 - pac[k] * pac[k];
    gx[0] = 1.0 / v; /* the AR(p) variance with unit innovation variance */
    v = gx[0];
    for (int k = 1; k <= p; k++) { /* a: the order k-1 coefficients */
        double s = pac[k] * v;
        for (int j = 1; j < k; j++)
            s += a[j] * gx[k - j];
        gx[k] = s;
        for (int j = 1; j < k; j++)
            b[j] = a[j] - pac[k] * a[k - j];
        for (int j = 1; j < k; j++)
            a[j] = b[j];
        a[k] = pac[k];
        v *= 1.0 - pac[k] * pac[k];
    }
    for (int h = p + 1; h <= hmax; h++) {
        double s = 0.0;
        for (int i = 0; i < npk; i++)
            s += phi[pk[i] - 1] * gx[h - pk[i]];
        gx[h] = s;
    }
    for (int h = 0; h <= r; h++) {
        double s = gx[h]; /* i = j = 0 */
        for (int jj = 0; jj < ntj; jj++) { /* i = 0, j >= 1 and i >= 1, j = 0 */
            int j = tj[jj];
            s += theta[j - 1] * (gx[h + j] + gx[h - j < 0 ? j - h : h - j]);
        }
        for (int ii = 0; ii < ntj; ii++)
            for (int jj = 0; jj < ntj; jj++) {
                int i = tj[ii], j = tj[jj], lag = h + j - i;
                s += theta[i - 1] * theta[j - 1] * gx[lag < 0 ? -lag : lag];
            }
        g[h] = s;
    }
    return 0;
}

/* Q0 from the ARMA autocovariances (the "fast" path used inside the
 * optimiser).  With the state of Harvey (1989, sec. 3.3),
 *   alpha_t[i] = sum_{a >= 0} phi_{i+a} y_{t-1-a} + theta_{i+a} e_{t-a}
 * (theta_0 = 1, phi_k the lag-(k+1) coefficient), so that
 *   Q0[i][j] = sum_{a,b} phi phi gamma(a-b) + phi theta psi_{b-a-1}
 *              + theta phi psi_{a-b-1} + theta theta [a = b],
 * with gamma the autocovariances (Brockwell & Davis 2016, sec. 3.3, the
 * (p+1)-equation system) and psi the MA(infinity) weights.  Computed by the
 * recursion below in O(r^2 + min(p^3, p^2 + nnz(theta)^2 r)) instead of AS 154's O(r^6): the same
 * matrix up to rounding for stationary models. */
static int fast_q0(civ_arima_work *w, const double *phi, int p, const double *theta, int q, int r, double *Q,
                   int row_only)
{
    double *psi = w->psi, *g = w->acv;
#define TH(k) ((k) == 0 ? 1.0 : ((k) <= q ? theta[(k)-1] : 0.0))
#define PH(k) ((k) < p ? phi[k] : 0.0)
    /* Seasonal polynomials are mostly zeros: the sums below run over the
     * non-zero coefficients only, in the same order (adding 0 changes
     * nothing).  pk: lags k (1-based) with phi_k != 0; tj: j >= 1 with
     * theta_j != 0; U: indices u < r with PH(u) or TH(u) non-zero. */
    int *pk = w->css_idx, *tj = pk + p, *U = tj + q, npk = 0, ntj = 0, nU = 0;
    for (int k = 1; k <= p; k++)
        if (phi[k - 1] != 0.0)
            pk[npk++] = k;
    for (int j = 1; j <= q; j++)
        if (theta[j - 1] != 0.0)
            tj[ntj++] = j;
    for (int u = 0; u < r; u++)
        if (PH(u) != 0.0 || TH(u) != 0.0)
            U[nU++] = u;
    int L = r + 1 > q + 1 ? r + 1 : q + 1;
    for (int j = 0; j <= L; j++) {
        double v = TH(j);
        for (int i = 0; i < npk && pk[i] <= j; i++)
            v += phi[pk[i] - 1] * psi[j - pk[i]];
        psi[j] = v;
    }
    /* the autocovariances gamma(0..r): by the (p+1)-equation system, O(p^3),
     * or through the AR part's Durbin-Levinson recursions, O(p^2 + nnz(theta)^2 r),
     * whichever costs less (a long seasonal AR polynomial) */
    double cost_system = (double)(p + 1) * (p + 1) * (p + 1) / 3.0;
    double cost_levinson = (double)p * p + (double)(ntj + 1) * (ntj + 1) * (r + 1);
    if (cost_levinson < cost_system) {
        if (arma_acvf_levinson(w, phi, p, pk, npk, theta, tj, ntj, r, g) != 0)
            return -1;
    } else if (arma_acvf_system(w, phi, p, pk, npk, theta, tj, ntj, r, g) != 0) {
        return -1;
    }
    /* row 0: Q0[0][k] = Cov(y_t, alpha_t[k]) = sum_a phi_{k+a} gamma(a+1) + theta_{k+a} psi_a;
     * then, from alpha_t[i] = phi_i y_{t-1} + alpha_{t-1}[i+1] + theta_i e_t,
     * Q0[i][j] = phi_i phi_j gamma(0) + theta_i theta_j + phi_i Q0[0][j+1]
     *            + phi_j Q0[0][i+1] + Q0[i+1][j+1]   (O(r^2) in all) */
    double *row0 = psi + (L + 1);
    for (int k = 0, i0 = 0; k < r; k++) {
        while (i0 < nU && U[i0] < k)
            i0++;
        double v = 0.0;
        for (int i = i0; i < nU; i++) {
            int u = U[i];
            v += PH(u) * g[u - k + 1] + TH(u) * psi[u - k];
        }
        row0[k] = v;
    }
    if (row_only) { /* the first row (= column) is all the Chandrasekhar filter needs */
        for (int k = 0; k < r; k++)
            Q[k] = row0[k];
        return 0;
    }
    for (int i = r - 1; i >= 0; i--)
        for (int j = r - 1; j >= i; j--) {
            double v = PH(i) * PH(j) * g[0] + TH(i) * TH(j);
            if (j + 1 < r)
                v += PH(i) * row0[j + 1] + PH(j) * row0[i + 1] + Q[(size_t)(i + 1) * r + (size_t)(j + 1)];
            else if (i + 1 < r)
                v += PH(j) * row0[i + 1];
            Q[(size_t)i * r + j] = Q[(size_t)j * r + i] = v;
        }
#undef TH
#undef PH
    return 0;
}

/* Q0 of the current phi, theta into w->q0 (r x r), or only its first row
 * when row_only (fast path only; the Chandrasekhar filter needs no more).
 * The last one is remembered: steps that move only regression coefficients
 * skip it.  Returns -1 when Q0 cannot be computed. */
static int ensure_q0(arima_ctx *c, int row_only)
{
    civ_arima_work *w = c->w;
    int r = c->r;
    int fastq = !w->use_gardner && c->p > 0 && r > 1;
    if (!fastq)
        row_only = 0;
    int same = w->q0_valid && w->q0_fast == fastq && (row_only || w->q0_full) && w->q0_p == c->p &&
               w->q0_q == c->q && w->q0_r == r && memcmp(w->q0_phi, w->phi, (size_t)c->p * sizeof(double)) == 0 &&
               memcmp(w->q0_theta, w->theta, (size_t)c->q * sizeof(double)) == 0;
    if (same)
        return 0;
    w->q0_valid = 0;
    if (fastq ? fast_q0(w, w->phi, c->p, w->theta, c->q, r, w->q0, row_only) != 0
              : get_q0(w, w->phi, c->p, w->theta, c->q, r, w->q0) != 0)
        return -1;
    w->q0_fast = fastq;
    w->q0_full = !row_only;
    memcpy(w->q0_phi, w->phi, (size_t)c->p * sizeof(double));
    memcpy(w->q0_theta, w->theta, (size_t)c->q * sizeof(double));
    w->q0_p = c->p;
    w->q0_q = c->q;
    w->q0_r = r;
    w->q0_valid = 1;
    return 0;
}

/* Initial state: a = 0, Pn = blockdiag(Q0, kappa I_d).  Returns -1 when Q0
 * cannot be computed. */
static int init_state(arima_ctx *c, double *a, double *Pn)
{
    int r = c->r, rd = c->rd;
    size_t rd2 = (size_t)rd * rd;
    memset(a, 0, (size_t)rd * sizeof *a);
    memset(Pn, 0, rd2 * sizeof *Pn);
    if (ensure_q0(c, 0) != 0)
        return -1;
    civ_arima_work *w = c->w;
    for (int i = 0; i < r; i++)
        for (int j = 0; j < r; j++)
            Pn[(size_t)i * rd + j] = w->q0[(size_t)i * r + j];
    for (int i = r; i < rd; i++)
        Pn[(size_t)i * rd + i] = KAPPA;
    return 0;
}

/* The complete series xw[0..n) differenced in place by the model's d and D:
 * returns the start of the differenced part, its length in *len. */
static double *difference(const arima_ctx *c, double *y, size_t *len_io)
{
    size_t len = *len_io;
    for (int i = 0; i < c->o->d; i++) {
        for (size_t t = len - 1; t > 0; t--)
            y[t] -= y[t - 1];
        y++;
        len--;
    }
    size_t m = (size_t)c->o->m;
    for (int i = 0; i < c->o->D; i++) {
        for (size_t t = len - 1; t >= m; t--)
            y[t] -= y[t - m];
        y += m;
        len -= m;
    }
    *len_io = len;
    return y;
}

/* R's armafn: 0.5 (log(ssq/nu) + sumlog/nu). */
static double obj_ml(const double *par, void *vc)
{
    arima_ctx *c = vc;
    civ_arima_work *w = c->w;
    trans_pars(c->o, par, c->trans, w->phi, w->theta);
    double ssq, sumlog;
    int nu;
    if (c->fast && c->complete) {
        /* Complete data: the diffuse filter's likelihood is that of the
         * differenced series under the ARMA model (Ansley & Kohn 1985), so
         * the optimiser works on the r-dimensional stationary state only. */
        int chandra = !w->use_gardner;
        if (ensure_q0(c, chandra) != 0)
            return DBL_MAX;
        regress_out(c, par, w->xw);
        size_t len = c->n;
        double *y = difference(c, w->xw, &len);
        int r = c->r;
        arima_ss s0 = {w->phi, w->theta, w->delta, c->p, c->q, 0, r, r};
        if (chandra) {
            ss_filter_chandra(&s0, y, len, w->q0, w, &ssq, &sumlog, &nu);
        } else {
            /* Pn for the stationary part only, with stride r */
            for (int i = 0; i < r; i++)
                for (int j = 0; j < r; j++)
                    w->Pn[(size_t)i * r + j] = w->q0[(size_t)i * r + j];
            ss_filter_arma(&s0, y, len, w->Pn, w, &ssq, &sumlog, &nu);
        }
    } else {
        if (init_state(c, w->a, w->Pn) != 0)
            return DBL_MAX;
        regress_out(c, par, w->xw);
        arima_ss s = {w->phi, w->theta, w->delta, c->p, c->q, c->nd, c->r, c->rd};
        ss_filter(&s, w->xw, c->n, w->a, w->P, w->Pn, w, &ssq, &sumlog, &nu, NULL);
    }
    double s2 = ssq / nu;
    return 0.5 * (log(s2) + sumlog / nu);
}

/* ---------------------------------------------------------------------------
 * optim(method = "BFGS") and optimHess, as R
 * ------------------------------------------------------------------------- */

typedef double (*objfn)(const double *par, void *ctx);

typedef struct optim_ctx {
    objfn fn;
    void *ctx;
    size_t n;
    const double *parscale;
    double *x; /* scratch: unscaled parameters */
    int failed;
} optim_ctx;

static double fminfn(optim_ctx *oc, const double *b)
{
    for (size_t i = 0; i < oc->n; i++) {
        if (!isfinite(b[i])) {
            oc->failed = 1;
            return NAN;
        }
        oc->x[i] = b[i] * oc->parscale[i];
    }
    return oc->fn(oc->x, oc->ctx);
}

/* Central differences on the scaled parameters (optim's fmingr). */
static int fmingr(optim_ctx *oc, double *b, double *df)
{
    for (size_t i = 0; i < oc->n; i++) {
        double bi = b[i];
        b[i] = bi + NDEPS;
        double v1 = fminfn(oc, b);
        b[i] = bi - NDEPS;
        double v2 = fminfn(oc, b);
        b[i] = bi;
        df[i] = (v1 - v2) / (2 * NDEPS);
        if (!isfinite(df[i]) || oc->failed)
            return -1;
    }
    return 0;
}

/* One piece on purpose, like R's vmmin: splitting it would break the line-by-line correspondence with R
 * that auto-ARIMA's parity with forecast::auto.arima() rests on (tests/test_arima_reference.c). */
/* vmmin of R (Nash 1990, Algorithm 21).  b: scaled start in, optimum out.
 * Returns 0 / 1 (maxit) as R's fail, or -1 on an R error. */
static int vmmin(optim_ctx *oc, civ_arima_work *w, double *b, double *fmin, int maxit)
{
    const double stepredn = 0.2, acctol = 0.0001, reltest = 10.0;
    const double reltol = w->reltol; /* R: sqrt(DBL_EPSILON) unless optim.control says otherwise */
    const double abstol = -INFINITY;
    size_t n = oc->n;
    double *g = w->og, *t = w->ot, *X = w->oX, *c = w->oc, *B = w->oB;
    if (maxit <= 0) {
        *fmin = fminfn(oc, b);
        return oc->failed ? -1 : 0;
    }
    double f = fminfn(oc, b);
    if (!isfinite(f))
        return -1;
    *fmin = f;
    int funcount = 1, gradcount = 1, iter = 0, count = 0;
    if (fmingr(oc, b, g) != 0)
        return -1;
    iter++;
    int ilast = gradcount;
    do {
        if (ilast == gradcount)
            for (size_t i = 0; i < n; i++) {
                for (size_t j = 0; j < i; j++)
                    B[i * n + j] = 0.0;
                B[i * n + i] = 1.0;
            }
        for (size_t i = 0; i < n; i++) {
            X[i] = b[i];
            c[i] = g[i];
        }
        double gradproj = 0.0;
        for (size_t i = 0; i < n; i++) {
            double s = 0.0;
            for (size_t j = 0; j <= i; j++)
                s -= B[i * n + j] * g[j];
            for (size_t j = i + 1; j < n; j++)
                s -= B[j * n + i] * g[j];
            t[i] = s;
            gradproj += s * g[i];
        }
        if (gradproj < 0.0) { /* downhill */
            double steplength = 1.0;
            int accpoint = 0;
            do {
                count = 0;
                for (size_t i = 0; i < n; i++) {
                    b[i] = X[i] + steplength * t[i];
                    if (reltest + X[i] == reltest + b[i])
                        count++;
                }
                if ((size_t)count < n) {
                    f = fminfn(oc, b);
                    if (oc->failed)
                        return -1;
                    funcount++;
                    accpoint = isfinite(f) && (f <= *fmin + gradproj * steplength * acctol);
                    if (!accpoint)
                        steplength *= stepredn;
                }
            } while (!((size_t)count == n || accpoint));
            int enough = (f > abstol) && fabs(f - *fmin) > reltol * (fabs(*fmin) + reltol);
            if (!enough) {
                count = (int)n;
                *fmin = f;
            }
            if ((size_t)count < n) { /* making progress */
                *fmin = f;
                if (fmingr(oc, b, g) != 0)
                    return -1;
                gradcount++;
                iter++;
                double D1 = 0.0;
                for (size_t i = 0; i < n; i++) {
                    t[i] = steplength * t[i];
                    c[i] = g[i] - c[i];
                    D1 += t[i] * c[i];
                }
                if (D1 > 0) {
                    double D2 = 0.0;
                    for (size_t i = 0; i < n; i++) {
                        double s = 0.0;
                        for (size_t j = 0; j <= i; j++)
                            s += B[i * n + j] * c[j];
                        for (size_t j = i + 1; j < n; j++)
                            s += B[j * n + i] * c[j];
                        X[i] = s;
                        D2 += s * c[i];
                    }
                    D2 = 1.0 + D2 / D1;
                    for (size_t i = 0; i < n; i++)
                        for (size_t j = 0; j <= i; j++)
                            B[i * n + j] += (D2 * t[i] * t[j] - X[i] * t[j] - t[i] * X[j]) / D1;
                } else {
                    ilast = gradcount;
                }
            } else if (ilast < gradcount) { /* no progress */
                count = 0;
                ilast = gradcount;
            }
        } else { /* uphill search: reset unless just reset */
            count = 0;
            if (ilast == gradcount)
                count = (int)n;
            else
                ilast = gradcount;
        }
        if (iter >= maxit)
            break;
        if (gradcount - ilast > 2 * (int)n)
            ilast = gradcount; /* periodic restart */
    } while ((size_t)count != n || ilast != gradcount);
    (void)funcount;
    return iter < maxit ? 0 : 1;
}

/* optimHess evaluates the objective at 4 n^2 points
 *   X(i,s,j,t) = B(i,s) with coordinate j moved by t * NDEPS  (s, t = +/-),
 * B(i,s) the scaled vector while row i is differenced: coordinates k < i at
 * their drifted value dr[k] = ((d[k] + e_k) - 2 e_k) + e_k, coordinate i at
 * up[i] = d[i] + e_i (s = +) or dn[i] = up[i] - 2 e_i (s = -), the others at
 * d[k] (e_k = NDEPS / parscale[k], optimHess's step).  Mathematically
 * X(i,s,j,t) = X(j,t,i,s); in floating point the two are often the same bits,
 * and then the objective (a pure function of the point) need not run twice.
 * The tests below compare bits, so every value used is the one R's order of
 * evaluation computes: the Hessian is bit for bit that of evaluating all.
 * (Pure: inside the optimiser obj_ml's only memory is ensure_q0's cache, and
 * from the first step here on that holds first rows computed by fast_q0 for
 * the point's own phi and theta, as a second evaluation would compute them.)
 * Saves about 28% of the Hessian's evaluations on M1 monthly; most misses
 * are the regression coefficients, whose step e_k is not NDEPS. */
typedef struct hess_pts {
    size_t n;
    const double *d, *up, *dn, *dr; /* the coordinates above, n each */
    double *fv;                     /* fv[((i * 2 + s) * n + j) * 2 + t]: X(i,s,j,t)'s value */
} hess_pts;

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* 1 when X(i,s,j,t) (j < i) has the bits of X(j,t,i,s); s, t: 0 = +, 1 = -.
 * They differ only where B(i,s) and B(j,t) differ: coordinates j..i. */
static int hess_partner_same(const hess_pts *hp, size_t i, int s, size_t j, int t)
{
    double xj = t ? hp->dr[j] - NDEPS : hp->dr[j] + NDEPS; /* as fmingr moves it */
    if (!same_bits(xj, t ? hp->dn[j] : hp->up[j]))
        return 0;
    double yi = s ? hp->d[i] - NDEPS : hp->d[i] + NDEPS;
    if (!same_bits(s ? hp->dn[i] : hp->up[i], yi))
        return 0;
    for (size_t k = j + 1; k < i; k++)
        if (!same_bits(hp->dr[k], hp->d[k]))
            return 0;
    return 1;
}

/* The value at X(i,s,j,t) when an earlier evaluation had the same point
 * (the partner row, or for j = i the other side's inward step); else NAN
 * with *found = 0. */
static double hess_known(const hess_pts *hp, size_t i, int s, size_t j, int t, int *found)
{
    size_t n = hp->n;
    *found = 0;
    if (j < i && hess_partner_same(hp, i, s, j, t)) {
        *found = 1;
        return hp->fv[((j * 2 + (size_t)t) * n + i) * 2 + (size_t)s];
    }
    if (j == i && s == 1 && t == 0 && same_bits(hp->dn[i] + NDEPS, hp->up[i] - NDEPS)) {
        *found = 1; /* X(i,-,i,+) = X(i,+,i,-), both next to d */
        return hp->fv[((i * 2) * n + i) * 2 + 1];
    }
    return NAN;
}

/* fmingr at B(i,s) (in b) for optim_hess, with the values known from earlier
 * rows taken instead of evaluated; records every value in hp->fv. */
static int hess_grad(optim_ctx *oc, hess_pts *hp, size_t i, int s, double *b, double *df)
{
    size_t n = oc->n;
    for (size_t j = 0; j < n; j++) {
        double bj = b[j], v[2];
        for (int t = 0; t < 2; t++) {
            int found;
            v[t] = hess_known(hp, i, s, j, t, &found);
            if (!found) {
                b[j] = t ? bj - NDEPS : bj + NDEPS;
                v[t] = fminfn(oc, b);
            }
            hp->fv[((i * 2 + (size_t)s) * n + j) * 2 + (size_t)t] = v[t];
        }
        b[j] = bj;
        df[j] = (v[0] - v[1]) / (2 * NDEPS);
        if (!isfinite(df[j]) || oc->failed)
            return -1;
    }
    return 0;
}

/* optimHess at par (unscaled) into H (n x n, row-major): R's steps, with the
 * objective evaluated once per distinct point (hess_pts). */
static int optim_hess(optim_ctx *oc, civ_arima_work *w, const double *par, double *H)
{
    size_t n = oc->n;
    double *dpar = w->ob;
    double *df1 = w->odf1, *df2 = w->odf2;
    double *d = w->hd, *up = d + n, *dn = up + n, *dr = dn + n;
    hess_pts hp = {n, d, up, dn, dr, w->hfv};
    for (size_t i = 0; i < n; i++) {
        dpar[i] = par[i] / oc->parscale[i];
        double eps = NDEPS / oc->parscale[i];
        d[i] = dpar[i];
        up[i] = d[i] + eps; /* dpar[i]'s values in the loop below, in its order */
        dn[i] = up[i] - 2 * eps;
        dr[i] = dn[i] + eps;
    }
    for (size_t i = 0; i < n; i++) {
        double eps = NDEPS / oc->parscale[i];
        dpar[i] += eps;
        if (hess_grad(oc, &hp, i, 0, dpar, df1) != 0)
            return -1;
        dpar[i] -= 2 * eps;
        if (hess_grad(oc, &hp, i, 1, dpar, df2) != 0)
            return -1;
        for (size_t j = 0; j < n; j++)
            H[i * n + j] = (df1[j] - df2[j]) / (2 * eps * oc->parscale[i] * oc->parscale[j]);
        dpar[i] += eps;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++) {
            double tmp = 0.5 * (H[i * n + j] + H[j * n + i]);
            H[i * n + j] = H[j * n + i] = tmp;
        }
    return 0;
}

/* R's optim(par, fn, method = "BFGS", control = list(parscale), hessian):
 * par in/out (unscaled).  Returns the convergence code or -1 on error. */
static int optim_bfgs(arima_ctx *ac, objfn fn, double *par, size_t n, int maxit, double *value, double *H)
{
    civ_arima_work *w = ac->w;
    optim_ctx oc = {fn, ac, n, ac->parscale, w->ox, 0};
    double *b = w->ogr;
    for (size_t i = 0; i < n; i++)
        b[i] = par[i] / ac->parscale[i];
    int code = vmmin(&oc, w, b, value, maxit);
    if (code < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        par[i] = b[i] * ac->parscale[i];
    if (H && optim_hess(&oc, w, par, H) != 0)
        return -1;
    return code;
}

/* ---------------------------------------------------------------------------
 * Small dense linear algebra
 * ------------------------------------------------------------------------- */

/* Inverse of the n x n row-major A (copied) into inv, as R's solve(): fails
 * when the reciprocal condition number (1-norm) is below DBL_EPSILON. */
static int solve_inverse(civ_arima_work *w, const double *A, size_t n, double *inv)
{
    memcpy(w->lu, A, n * n * sizeof *A);
    gsl_matrix_view lu = gsl_matrix_view_array(w->lu, n, n);
    gsl_permutation perm = {n, w->perm};
    int signum;
    if (gsl_linalg_LU_decomp(&lu.matrix, &perm, &signum) != GSL_SUCCESS)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (gsl_matrix_get(&lu.matrix, i, i) == 0.0)
            return -1;
    gsl_matrix_view iv = gsl_matrix_view_array(inv, n, n);
    if (gsl_linalg_LU_invert(&lu.matrix, &perm, &iv.matrix) != GSL_SUCCESS)
        return -1;
    double na = 0.0, ni = 0.0;
    for (size_t j = 0; j < n; j++) {
        double sa = 0.0, si = 0.0;
        for (size_t i = 0; i < n; i++) {
            sa += fabs(A[i * n + j]);
            si += fabs(inv[i * n + j]);
        }
        if (sa > na)
            na = sa;
        if (si > ni)
            ni = si;
    }
    if (!isfinite(ni) || 1.0 / (na * ni) < DBL_EPSILON)
        return -1;
    return 0;
}

/* OLS of y on the k columns of X (column-major, rows with NaN dropped):
 * coefficients and standard errors.  Returns the rank deficiency (0 when of
 * full rank) or -1 when there are no usable rows. */
static int ols(civ_arima_work *w, const double *y, const double *X, size_t n, size_t k, double *coef, double *se)
{
    size_t used = 0;
    double *A = w->lmX, *b = w->lmy;
    for (size_t t = 0; t < n; t++) {
        int ok = !isnan(y[t]);
        for (size_t j = 0; j < k && ok; j++)
            ok = !isnan(X[j * n + t]);
        if (!ok)
            continue;
        b[used] = y[t];
        used++;
    }
    if (used < k || used == 0)
        return -1;
    /* row-major used x k */
    size_t row = 0;
    for (size_t t = 0; t < n; t++) {
        int ok = !isnan(y[t]);
        for (size_t j = 0; j < k && ok; j++)
            ok = !isnan(X[j * n + t]);
        if (!ok)
            continue;
        for (size_t j = 0; j < k; j++)
            A[row * k + j] = X[j * n + t];
        row++;
    }
    gsl_matrix_view Av = gsl_matrix_view_array(A, used, k);
    gsl_vector_view tau = gsl_vector_view_array(w->lmtau, k);
    if (gsl_linalg_QR_decomp(&Av.matrix, &tau.vector) != GSL_SUCCESS)
        return -1;
    double rmax = 0.0;
    for (size_t j = 0; j < k; j++)
        rmax = fmax(rmax, fabs(A[j * k + j]));
    int deficient = 0;
    for (size_t j = 0; j < k; j++)
        if (!(fabs(A[j * k + j]) > 1e-7 * rmax))
            deficient++;
    if (deficient)
        return deficient;
    gsl_vector_view bv = gsl_vector_view_array(b, used);
    gsl_vector_view cv = gsl_vector_view_array(coef, k);
    gsl_vector_view rv = gsl_vector_view_array(w->lmres, used);
    if (gsl_linalg_QR_lssolve(&Av.matrix, &tau.vector, &bv.vector, &cv.vector, &rv.vector) != GSL_SUCCESS)
        return -1;
    double rss = 0.0;
    for (size_t t = 0; t < used; t++)
        rss += w->lmres[t] * w->lmres[t];
    double s2 = used > k ? rss / (double)(used - k) : NAN;
    /* R^{-1} (upper triangular) by back substitution, then se_j = s sqrt(sum_k Rinv_jk^2) */
    double *Ri = w->rinv;
    for (size_t j = 0; j < k; j++) {
        for (size_t i = 0; i < k; i++)
            Ri[i * k + j] = 0.0;
        for (size_t ii = j + 1; ii-- > 0;) {
            double s = (ii == j) ? 1.0 : 0.0;
            for (size_t l = ii + 1; l <= j; l++)
                s -= A[ii * k + l] * Ri[l * k + j];
            Ri[ii * k + j] = s / A[ii * k + ii];
        }
    }
    for (size_t j = 0; j < k; j++) {
        double s = 0.0;
        for (size_t l = 0; l < k; l++)
            s += Ri[j * k + l] * Ri[j * k + l];
        se[j] = sqrt(s2 * s);
    }
    return 0;
}

int civ_arima_lm(civ_arima_work *w, const double *y, const double *X, size_t n, size_t k, double *coef, double *se)
{
    if (k > w->ncx_cap + 1 || k == 0)
        return -1;
    return ols(w, y, X, n, k, coef, se);
}

/* ---------------------------------------------------------------------------
 * stats::arima
 * ------------------------------------------------------------------------- */

/* Delta = the coefficients of (1-B)^d (1-B^m)^D without the leading 1,
 * negated (R's arima).  Returns 0, or -1 when nd is beyond the table. */
static int diff_coefficients(const civ_arima_order *o, int m, int nd, double *delta)
{
    double poly[256];
    if (nd + 1 > 256)
        return -1;
    int len = 1;
    poly[0] = 1.0;
    for (int i = 0; i < o->d; i++) {
        poly[len] = 0.0;
        for (int j = len; j >= 1; j--)
            poly[j] -= poly[j - 1];
        len++;
    }
    for (int i = 0; i < o->D; i++) {
        for (int j = len; j < len + m; j++)
            poly[j] = 0.0;
        for (int j = len + m - 1; j >= m; j--)
            poly[j] -= poly[j - m];
        len += m;
    }
    for (int i = 0; i < nd; i++)
        delta[i] = -poly[i + 1];
    return 0;
}

/* orig.xreg = FALSE for several columns: the regressors rotated onto their
 * right singular vectors (V, ncx x ncx), so the columns are orthogonal
 * (R's arima).  The rotated columns go to w->xrot. */
static int xreg_rotate(civ_arima_work *w, const double *xreg, size_t n, size_t ncx, double *V)
{
    size_t used = 0;
    double *A = w->lmX;
    for (size_t t = 0; t < n; t++) {
        int ok = 1;
        for (size_t k = 0; k < ncx && ok; k++)
            ok = !isnan(xreg[k * n + t]);
        if (!ok)
            continue;
        for (size_t k = 0; k < ncx; k++)
            A[used * ncx + k] = xreg[k * n + t];
        used++;
    }
    if (used < ncx)
        return CIV_ARIMA_E_REGRESSION;
    gsl_matrix_view Av = gsl_matrix_view_array(A, used, ncx);
    gsl_matrix_view Vv = gsl_matrix_view_array(V, ncx, ncx);
    gsl_vector_view Sv = gsl_vector_view_array(w->lmtau, ncx);
    gsl_vector_view wk = gsl_vector_view_array(w->lmres, ncx);
    if (gsl_linalg_SV_decomp(&Av.matrix, &Vv.matrix, &Sv.vector, &wk.vector) != GSL_SUCCESS)
        return CIV_ARIMA_E_REGRESSION;
    double *Z = w->xrot;
    for (size_t j = 0; j < ncx; j++)
        for (size_t t = 0; t < n; t++) {
            double s = 0.0;
            for (size_t k = 0; k < ncx; k++)
                s += xreg[k * n + t] * V[k * ncx + j];
            Z[j * n + t] = s;
        }
    return CIV_ARIMA_OK;
}

/* Starting values and parscale of the regression coefficients: OLS on the
 * differenced data, or on the data when that fails (R's arima). */
static int xreg_start(civ_arima_work *w, const double *x, const double *xr, size_t n, size_t ncx,
                      const civ_arima_order *o, int m, double *init, double *parscale)
{
    double *dx = w->wcss, *DX = w->dX;
    double cf[CIV_ARIMA_MAX_COEF], se[CIV_ARIMA_MAX_COEF];
    memcpy(dx, x, n * sizeof *dx);
    for (size_t k = 0; k < ncx; k++)
        memcpy(DX + k * n, xr + k * n, n * sizeof *DX);
    size_t len = n;
    for (int i = 0; i < o->d; i++) {
        for (size_t t = 0; t + 1 < len; t++) {
            dx[t] = dx[t + 1] - dx[t];
            for (size_t k = 0; k < ncx; k++)
                DX[k * n + t] = DX[k * n + t + 1] - DX[k * n + t];
        }
        len = len > 0 ? len - 1 : 0;
    }
    if (m > 1)
        for (int i = 0; i < o->D; i++) {
            for (size_t t = 0; t + (size_t)m < len; t++) {
                dx[t] = dx[t + (size_t)m] - dx[t];
                for (size_t k = 0; k < ncx; k++)
                    DX[k * n + t] = DX[k * n + t + (size_t)m] - DX[k * n + t];
            }
            len = len >= (size_t)m ? len - (size_t)m : 0;
        }
    int rk = -1;
    if (len > ncx) {
        /* the columns of DX have stride n: copy into a compact matrix */
        for (size_t k = 0; k < ncx; k++)
            memmove(DX + k * len, DX + k * n, len * sizeof *DX);
        rk = ols(w, dx, DX, len, ncx, cf, se);
    }
    if (rk != 0)
        rk = ols(w, x, xr, n, ncx, cf, se);
    if (rk != 0)
        return CIV_ARIMA_E_REGRESSION;
    for (size_t k = 0; k < ncx; k++) {
        init[k] = cf[k];
        parscale[k] = isfinite(se[k]) && se[k] > 0 ? 10.0 * se[k] : 1.0;
    }
    return CIV_ARIMA_OK;
}

/* var = (H n_used)^{-1}, the CSS fit's covariance. */
static int estimate_css(arima_ctx *ac, int n_used, double *coef, const double *init, double *value, int *code,
                        double *var)
{
    civ_arima_work *w = ac->w;
    size_t ncoef = ac->ncoef;
    double *H = w->oH;
    for (size_t i = 0; i < ncoef; i++)
        coef[i] = init[i];
    *code = optim_bfgs(ac, obj_css, coef, ncoef, BFGS_MAXIT, value, H);
    if (*code < 0)
        return CIV_ARIMA_E_NONFINITE;
    double Hn[CIV_ARIMA_MAX_COEF * CIV_ARIMA_MAX_COEF];
    for (size_t i = 0; i < ncoef * ncoef; i++)
        Hn[i] = H[i] * n_used;
    if (solve_inverse(w, Hn, ncoef, w->inv) != 0)
        return CIV_ARIMA_E_SINGULAR;
    for (size_t i = 0; i < ncoef; i++)
        for (size_t j = 0; j < ncoef; j++)
            var[i * ncoef + j] = w->inv[i * ncoef + j];
    return CIV_ARIMA_OK;
}

/* CSS-ML's first stage: CSS estimates as the ML starting values, which must
 * give stationary AR parts. */
static int css_start(arima_ctx *ac, const civ_arima_order *o, double *init)
{
    size_t ncoef = ac->ncoef;
    double cp[CIV_ARIMA_MAX_COEF];
    for (size_t i = 0; i < ncoef; i++)
        cp[i] = init[i];
    double v;
    int c0 = optim_bfgs(ac, obj_css, cp, ncoef, BFGS_MAXIT, &v, NULL);
    if (c0 < 0)
        return CIV_ARIMA_E_NONFINITE;
    if (c0 == 0)
        for (size_t i = 0; i < ncoef; i++)
            init[i] = cp[i];
    if (o->p > 0 && !ar_check(ac->w, init, o->p))
        return CIV_ARIMA_E_NONSTATIONARY_CSS;
    if (o->P > 0 && !ar_check(ac->w, init + o->p + o->q, o->P))
        return CIV_ARIMA_E_NONSTATIONARY_CSS;
    return CIV_ARIMA_OK;
}

/* transform.pars = TRUE: the starting values onto the optimiser's scale. */
static void to_transformed(civ_arima_work *w, const civ_arima_order *o, size_t ncoef, double *init)
{
    double t[CIV_ARIMA_MAX_COEF];
    for (size_t i = 0; i < ncoef; i++)
        t[i] = init[i];
    if (o->p > 0)
        invpartrans(o->p, init, t);
    if (o->P > 0)
        invpartrans(o->P, init + o->p + o->q, t + o->p + o->q);
    for (size_t i = 0; i < ncoef; i++)
        init[i] = t[i];
    if (o->q > 0)
        ma_invert(w, init + o->p, o->q);
    if (o->Q > 0)
        ma_invert(w, init + o->p + o->q + o->P, o->Q);
}

/* var = A' (H n_used)^{-1} A with A = d(coef)/d(raw) by forward differences
 * (R's ARIMA_Gradtrans), coef still on the transformed scale. */
static int ml_variance(civ_arima_work *w, const civ_arima_order *o, const double *coef, size_t ncoef, int n_used,
                       double *var)
{
    double A[CIV_ARIMA_MAX_COEF * CIV_ARIMA_MAX_COEF];
    for (size_t i = 0; i < ncoef; i++)
        for (size_t j = 0; j < ncoef; j++)
            A[i * ncoef + j] = (i == j);
    const double eps = 1e-3;
    int blocks[2][2] = {{0, o->p}, {o->p + o->q, o->P}};
    for (int bI = 0; bI < 2; bI++) {
        int v = blocks[bI][0], k = blocks[bI][1];
        if (k <= 0)
            continue;
        double w1[MAX_AR_TRANS], w2[MAX_AR_TRANS], w3[MAX_AR_TRANS];
        for (int i = 0; i < k; i++)
            w1[i] = coef[v + i];
        partrans(k, w1, w2);
        for (int i = 0; i < k; i++) {
            w1[i] += eps;
            partrans(k, w1, w3);
            for (int j = 0; j < k; j++)
                A[(size_t)(v + i) * ncoef + (size_t)(v + j)] = (w3[j] - w2[j]) / eps;
            w1[i] -= eps;
        }
    }
    double Hn[CIV_ARIMA_MAX_COEF * CIV_ARIMA_MAX_COEF];
    for (size_t i = 0; i < ncoef * ncoef; i++)
        Hn[i] = w->oH[i] * n_used;
    if (solve_inverse(w, Hn, ncoef, w->inv) != 0)
        return CIV_ARIMA_E_SINGULAR;
    double *T = w->tmpm; /* inv * A */
    for (size_t i = 0; i < ncoef; i++)
        for (size_t j = 0; j < ncoef; j++) {
            double s = 0.0;
            for (size_t k = 0; k < ncoef; k++)
                s += w->inv[i * ncoef + k] * A[k * ncoef + j];
            T[i * ncoef + j] = s;
        }
    for (size_t i = 0; i < ncoef; i++)
        for (size_t j = 0; j < ncoef; j++) {
            double s = 0.0;
            for (size_t k = 0; k < ncoef; k++)
                s += A[k * ncoef + i] * T[k * ncoef + j];
            var[i * ncoef + j] = s;
        }
    return CIV_ARIMA_OK;
}

/* ML (or the ML stage of CSS-ML) on the transformed scale, then the
 * coefficients back on their own scale with their covariance in var. */
static int estimate_ml(arima_ctx *ac, const civ_arima_order *o, int method, int n_used, double *init, double *coef,
                       double *value, int *code, double *var)
{
    civ_arima_work *w = ac->w;
    size_t ncoef = ac->ncoef;
    double *H = w->oH;
    if (method == CIV_ARIMA_CSS_ML) {
        int st = css_start(ac, o, init);
        if (st != CIV_ARIMA_OK)
            return st;
        /* R sets ncond = 0 here; only the CSS residuals read it, and this is ML */
    }
    to_transformed(w, o, ncoef, init);
    ac->trans = 1;
    for (size_t i = 0; i < ncoef; i++)
        coef[i] = init[i];
    ac->fast = 1;
    *code = optim_bfgs(ac, obj_ml, coef, ncoef, BFGS_MAXIT, value, H);
    if (*code < 0)
        return CIV_ARIMA_E_NONFINITE;
    double before[CIV_ARIMA_MAX_COEF];
    memcpy(before, coef, ncoef * sizeof *coef);
    if (o->q > 0)
        ma_invert(w, coef + o->p, o->q);
    if (o->Q > 0)
        ma_invert(w, coef + o->p + o->q + o->P, o->Q);
    int changed = 0;
    for (size_t i = 0; i < ncoef; i++)
        changed |= coef[i] != before[i];
    if (changed) {
        int c1 = optim_bfgs(ac, obj_ml, coef, ncoef, 0, value, H);
        if (c1 < 0)
            return CIV_ARIMA_E_NONFINITE;
    }
    /* The reported likelihood is R's: the diffuse filter on the undifferenced
     * data.  final_filter runs that filter on the same phi, theta and
     * regression coefficients (bit for bit: partrans below is trans_pars's),
     * so it sets *value from that one run instead of a second run here. */
    ac->fast = 0;
    int st = ml_variance(w, o, coef, ncoef, n_used, var);
    if (st != CIV_ARIMA_OK)
        return st;
    /* undo the transformation */
    double t[CIV_ARIMA_MAX_COEF];
    memcpy(t, coef, ncoef * sizeof *t);
    if (o->p > 0)
        partrans(o->p, coef, t);
    if (o->P > 0)
        partrans(o->P, coef + o->p + o->q, t + o->p + o->q);
    memcpy(coef, t, ncoef * sizeof *t);
    return CIV_ARIMA_OK;
}

/* The regression coefficients and their covariance back from the rotated
 * regressors: coef <- blockdiag(I, V) coef, var <- A var A'. */
static void rotate_back(civ_arima_work *w, const double *V, size_t narma, size_t ncx, double *coef, double *var)
{
    size_t ncoef = narma + ncx;
    double b[CIV_ARIMA_MAX_COEF];
    for (size_t j = 0; j < ncx; j++) {
        double sum = 0.0;
        for (size_t k = 0; k < ncx; k++)
            sum += V[j * ncx + k] * coef[narma + k];
        b[j] = sum;
    }
    for (size_t j = 0; j < ncx; j++)
        coef[narma + j] = b[j];
    double *T = w->tmpm;
    for (size_t i = 0; i < ncoef; i++)
        for (size_t j = 0; j < ncoef; j++) {
            double sum = 0.0;
            for (size_t k = 0; k < ncoef; k++) {
                double aik = (i < narma || k < narma) ? (i == k) : V[(i - narma) * ncx + (k - narma)];
                sum += aik * var[k * ncoef + j];
            }
            T[i * ncoef + j] = sum;
        }
    for (size_t i = 0; i < ncoef; i++)
        for (size_t j = 0; j < ncoef; j++) {
            double sum = 0.0;
            for (size_t k = 0; k < ncoef; k++) {
                double ajk = (j < narma || k < narma) ? (j == k) : V[(j - narma) * ncx + (k - narma)];
                sum += T[i * ncoef + k] * ajk;
            }
            var[i * ncoef + j] = sum;
        }
}

/* The final model: the whole series filtered with the estimates (the state
 * for forecasting, the residuals); returns sigma^2 as R reports it.  For the
 * ML methods, ml_value (when not NULL) receives obj_ml's value on the
 * diffuse path (R's armafn) from the same run, as estimate_ml's optimum
 * reports it: one filter run per fitted model instead of two. */
static int final_filter(arima_ctx *ac, const double *coef, int method, int n_used, civ_arima_result *res,
                        double *sigma2, double *ml_value)
{
    civ_arima_work *w = ac->w;
    size_t n = ac->n;
    ac->trans = 0;
    trans_pars(ac->o, coef, 0, w->phi, w->theta);
    if (init_state(ac, res->a, w->Pn) != 0)
        return CIV_ARIMA_E_TOO_LARGE;
    regress_out(ac, coef, w->xw);
    arima_ss s = {w->phi, w->theta, w->delta, ac->p, ac->q, ac->nd, ac->r, ac->r + ac->nd};
    double ssq, sumlog;
    int nu;
    ss_filter(&s, w->xw, n, res->a, res->P, w->Pn, w, &ssq, &sumlog, &nu, res->resid);
    if (method != CIV_ARIMA_CSS) {
        *sigma2 = ssq / n_used;
        if (ml_value) /* obj_ml's formula, operation for operation */
            *ml_value = 0.5 * (log(ssq / nu) + sumlog / nu);
        return CIV_ARIMA_OK;
    }
    double v = obj_css(coef, ac); /* fills w->rcss */
    (void)v;
    double ss = 0.0;
    int cnt = 0;
    for (size_t t = (size_t)ac->ncond; t < n; t++)
        if (!isnan(w->rcss[t])) {
            ss += w->rcss[t] * w->rcss[t];
            cnt++;
        }
    *sigma2 = ss / cnt;
    for (size_t t = 0; t < n; t++)
        res->resid[t] = w->rcss[t];
    return CIV_ARIMA_OK;
}

/* Observations usable (x and every regressor present) and the method R
 * actually runs: CSS-ML with missing values is ML. */
static int count_used(const double *x, const double *xreg, size_t n, size_t ncx, int *method)
{
    int nobs = 0;
    for (size_t t = 0; t < n; t++) {
        int ok = !isnan(x[t]);
        for (size_t k = 0; k < ncx && ok; k++)
            ok = !isnan(xreg[k * n + t]);
        nobs += ok;
    }
    if (*method == CIV_ARIMA_CSS_ML) {
        int anyna = 0;
        for (size_t t = 0; t < n && !anyna; t++)
            anyna = isnan(x[t]);
        for (size_t t = 0; t < n * ncx && !anyna; t++)
            anyna = isnan(xreg[t]);
        if (anyna)
            *method = CIV_ARIMA_ML;
    }
    return nobs;
}

/* Whether the model fits the work w was allocated for (coefficients, state and differencing dimensions,
 * length, regressors, AR orders the transformation handles, Gardner's R-bar storage). */
static int fits_work(const civ_arima_work *w, const civ_arima_order *o, size_t n, size_t ncx, size_t ncoef, int pp,
                     int r, int nd)
{
    if (ncoef > CIV_ARIMA_MAX_COEF || r > w->r_max || nd > w->nd_max || n > w->n_cap || ncx > w->ncx_cap ||
        o->p > MAX_AR_TRANS || o->P > MAX_AR_TRANS)
        return 0;
    size_t np = (size_t)r * (size_t)(r + 1) / 2;
    return !(w->use_gardner && pp > 0 && r > 1 && np * (np - 1) / 2 > w->nrbar_max);
}

/* The estimate as stats::arima reports it: the coefficients, loglik and AIC from the objective's value
 * (R's val2 = 2 n_used value + n_used + n_used log(2 pi)), sigma^2, and the state space's polynomials. */
static void store_result(const arima_ctx *ac, const double *coef, double value, double sigma2, int n_used, int code,
                         int method, civ_arima_result *res)
{
    const civ_arima_work *w = ac->w;
    double val2 = 2.0 * n_used * value + n_used + n_used * log(2 * M_PI);
    res->order = *ac->o;
    res->narma = ac->narma;
    res->ncx = ac->ncx;
    res->ncoef = ac->ncoef;
    memcpy(res->coef, coef, ac->ncoef * sizeof *coef);
    res->no_optim = ac->fixed != NULL || ac->ncoef == 0;
    res->loglik = -0.5 * val2;
    res->aic = method != CIV_ARIMA_CSS ? val2 + 2.0 * (ac->fixed ? 0 : (double)ac->ncoef) + 2.0 : NAN;
    res->sigma2_arima = sigma2;
    res->n_used = n_used;
    res->code = code;
    res->method = method;
    res->n = ac->n;
    res->r = ac->r;
    res->rd = ac->r + ac->nd;
    res->nphi = ac->p;
    res->ntheta = ac->q;
    res->ndelta = ac->nd;
    memcpy(res->phi, w->phi, (size_t)ac->p * sizeof *w->phi);
    memcpy(res->theta, w->theta, (size_t)ac->q * sizeof *w->theta);
    memcpy(res->delta, w->delta, (size_t)ac->nd * sizeof *w->delta);
}

/* stats::arima: checks and differencing, starting values, estimation (given,
 * CSS, or ML/CSS-ML), the final filter, and the result. */
int civ_arima_estimate(civ_arima_work *w, const double *x, size_t n, const double *xreg, size_t ncx,
                       const civ_arima_order *o, int method, const double *fixed, civ_arima_result *res)
{
    size_t narma = (size_t)(o->p + o->q + o->P + o->Q), ncoef = narma + ncx;
    int m = o->m > 0 ? o->m : 1;
    int pp = o->p + m * o->P, qq = o->q + m * o->Q;
    int r = pp > qq + 1 ? pp : qq + 1;
    int nd = o->d + m * o->D;
    if (!fits_work(w, o, n, ncx, ncoef, pp, r, nd))
        return CIV_ARIMA_E_TOO_LARGE;
    civ_arima_order oo = *o;
    oo.m = m;
    if (diff_coefficients(o, m, nd, w->delta) != 0)
        return CIV_ARIMA_E_TOO_LARGE;
    int n_used = count_used(x, xreg, n, ncx, &method) - nd;
    int ncond = method != CIV_ARIMA_ML ? o->d + o->D * m + o->p + m * o->P : 0;

    double init[CIV_ARIMA_MAX_COEF], parscale[CIV_ARIMA_MAX_COEF], coef[CIV_ARIMA_MAX_COEF];
    for (size_t i = 0; i < ncoef; i++) {
        init[i] = 0.0;
        parscale[i] = 1.0;
    }
    const double *xr = xreg;
    int rotated = 0, st;
    double Vrot[CIV_ARIMA_MAX_COEF * CIV_ARIMA_MAX_COEF];
    if (ncx > 0 && !fixed) {
        if (ncx > 1) {
            if ((st = xreg_rotate(w, xreg, n, ncx, Vrot)) != CIV_ARIMA_OK)
                return st;
            xr = w->xrot;
            rotated = 1;
        }
        if ((st = xreg_start(w, x, xr, n, ncx, o, m, init + narma, parscale + narma)) != CIV_ARIMA_OK)
            return st;
    }
    if (n_used <= 0)
        return CIV_ARIMA_E_TOO_FEW;

    arima_ctx ac = {.w = w, .x = x, .xreg = xr, .n = n, .ncx = ncx, .narma = narma, .ncoef = ncoef, .o = &oo,
                    .trans = 0, .ncond = ncond, .p = pp, .q = qq, .r = r, .rd = r + nd, .nd = nd,
                    .parscale = parscale, .fixed = fixed};
    ac.complete = 1;
    for (size_t t = 0; t < n && ac.complete; t++)
        ac.complete = !isnan(x[t]);
    for (size_t t = 0; t < n * ncx && ac.complete; t++)
        ac.complete = !isnan(xr[t]);
    double value = NAN;
    int code = 0;
    double *var = res->var;
    for (size_t i = 0; i < CIV_ARIMA_MAX_COEF * CIV_ARIMA_MAX_COEF; i++)
        var[i] = NAN;

    if (fixed || ncoef == 0) {
        for (size_t i = 0; i < ncoef; i++)
            coef[i] = fixed[i];
        value = method == CIV_ARIMA_CSS ? obj_css(coef, &ac) : obj_ml(coef, &ac);
        st = CIV_ARIMA_OK;
    } else if (method == CIV_ARIMA_CSS) {
        st = estimate_css(&ac, n_used, coef, init, &value, &code, var);
    } else {
        st = estimate_ml(&ac, o, method, n_used, init, coef, &value, &code, var);
    }
    if (st != CIV_ARIMA_OK)
        return st;
    double sigma2;
    int ml_fitted = !(fixed || ncoef == 0) && method != CIV_ARIMA_CSS; /* value comes from final_filter */
    if ((st = final_filter(&ac, coef, method, n_used, res, &sigma2, ml_fitted ? &value : NULL)) != CIV_ARIMA_OK)
        return st;
    if (rotated)
        rotate_back(w, Vrot, narma, ncx, coef, var);

    store_result(&ac, coef, value, sigma2, n_used, code, method, res);
    return CIV_ARIMA_OK;
}
