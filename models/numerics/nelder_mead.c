/*
 * nelder_mead.c -- layer: models (numerics).  Nelder-Mead as in R's optim() (nmmin in R's
 * src/appl/optim.c; Nash 1990, Algorithm 19).  The same starting simplex,
 * step rules and stopping test, so fits follow R's forecast package closely.
 * P is the (n+1) x (n+2) working matrix of nmmin: column j holds vertex j
 * with its function value in row n; column n+1 holds the centroid.
 */
#include "nelder_mead.h"

#include <float.h>
#include <math.h>

#define NM_BIG 1.0e+35 /* R's stand-in for non-finite values */

civ_nm_control civ_nm_defaults(void)
{
    civ_nm_control c = {-INFINITY, 1.490116119384765625e-08, 1.0, 0.5, 2.0, 500};
    return c;
}

size_t civ_nm_scratch_size(size_t n)
{
    return (n + 1) * (n + 2) + n;
}

static double eval(civ_nm_objective fn, size_t n, const double *x, void *params)
{
    double f = fn(n, x, params);
    return isfinite(f) ? f : NM_BIG;
}

/* The simplex P is (n + 1) x (n + 2), P[i][j] = P[i * (n + 2) + j]: columns
 * 0..n are the vertices (row n holds their function values), column n + 1
 * the centroid or trial point. */
#define PM(i, j) P[(i) * C + (j)]

/* The starting simplex around b (function value f): b and, for each
 * coordinate, b moved by 10% of its largest component (at least 0.1, grown
 * tenfold until the coordinate changes).  Returns the simplex's size. */
static double initial_simplex(double *P, size_t n, const double *b, double f)
{
    const size_t n1 = n + 1, C = n + 2;
    PM(n1 - 1, 0) = f;
    for (size_t i = 0; i < n; i++)
        PM(i, 0) = b[i];
    double size = 0.0, step = 0.0;
    for (size_t i = 0; i < n; i++)
        if (0.1 * fabs(b[i]) > step)
            step = 0.1 * fabs(b[i]);
    if (step == 0.0)
        step = 0.1;
    for (size_t j = 2; j <= n1; j++) {
        for (size_t i = 0; i < n; i++)
            PM(i, j - 1) = b[i];
        double trystep = step;
        while (PM(j - 2, j - 1) == b[j - 2]) {
            PM(j - 2, j - 1) = b[j - 2] + trystep;
            trystep *= 10;
        }
        size += trystep;
    }
    return size;
}

/* The centroid of every vertex but H (1-based) into column n + 1. */
static void centroid(double *P, size_t n, size_t H)
{
    const size_t n1 = n + 1, C = n + 2;
    for (size_t i = 0; i < n; i++) {
        double temp = -PM(i, H - 1);
        for (size_t j = 0; j < n1; j++)
            temp += PM(i, j);
        PM(i, C - 1) = temp / (double)n;
    }
}

/* Shrinks every vertex towards the lowest, L (1-based), by bet; returns the
 * new size. */
static double shrink(double *P, size_t n, size_t L, double bet)
{
    const size_t n1 = n + 1, C = n + 2;
    double size = 0.0;
    for (size_t j = 0; j < n1; j++) {
        if (j + 1 != L) {
            for (size_t i = 0; i < n; i++) {
                PM(i, j) = bet * (PM(i, j) - PM(i, L - 1)) + PM(i, L - 1);
                size += fabs(PM(i, j) - PM(i, L - 1));
            }
        }
    }
    return size;
}

/* One piece on purpose: it follows R's nmmin (optim.c) statement by statement, so that the same objective
 * visits the same points in the same order as R and ETS selects R's models; the helpers above are the parts
 * that R itself repeats. */
int civ_nm_minimise(size_t n, double *x, double *fmin, civ_nm_objective fn, void *params,
                    const civ_nm_control *control, double *scratch, int *fncount)
{
    const double alpha = control->alpha, bet = control->beta, gamm = control->gamma;
    const size_t n1 = n + 1, C = n + 2;
    double *P = scratch;          /* P[i][j] = P[i * C + j], i in 0..n, j in 0..n+1 */
    double *bvec = scratch + (n + 1) * C;
    int fail = 0, funcount = 0;
    for (size_t i = 0; i < n; i++)
        bvec[i] = x[i];
    if (control->maxit <= 0) {
        *fmin = fn(n, bvec, params);
        if (fncount)
            *fncount = 0;
        return 0;
    }
    double f = fn(n, bvec, params);
    if (!isfinite(f)) {
        *fmin = f;
        if (fncount)
            *fncount = 1;
        return -1;
    }
    funcount = 1;
    const double convtol = control->reltol * (fabs(f) + control->reltol);
    size_t L = 1;
    double size = initial_simplex(P, n, bvec, f);
    double oldsize = size;
    int calcvert = 1;
    do {
        if (calcvert) {
            for (size_t j = 0; j < n1; j++) {
                if (j + 1 != L) {
                    for (size_t i = 0; i < n; i++)
                        bvec[i] = PM(i, j);
                    PM(n1 - 1, j) = eval(fn, n, bvec, params);
                    funcount++;
                }
            }
            calcvert = 0;
        }
        double VL = PM(n1 - 1, L - 1), VH = VL;
        size_t H = L;
        for (size_t j = 1; j <= n1; j++) {
            if (j != L) {
                f = PM(n1 - 1, j - 1);
                if (f < VL) {
                    L = j;
                    VL = f;
                }
                if (f > VH) {
                    H = j;
                    VH = f;
                }
            }
        }
        if (VH <= VL + convtol || VL <= control->abstol)
            break;
        centroid(P, n, H);
        for (size_t i = 0; i < n; i++)
            bvec[i] = (1.0 + alpha) * PM(i, C - 1) - alpha * PM(i, H - 1);
        f = eval(fn, n, bvec, params);
        funcount++;
        double VR = f;
        if (VR < VL) {
            PM(n1 - 1, C - 1) = f;
            for (size_t i = 0; i < n; i++) {
                f = gamm * bvec[i] + (1 - gamm) * PM(i, C - 1);
                PM(i, C - 1) = bvec[i];
                bvec[i] = f;
            }
            f = eval(fn, n, bvec, params);
            funcount++;
            if (f < VR) {
                for (size_t i = 0; i < n; i++)
                    PM(i, H - 1) = bvec[i];
                PM(n1 - 1, H - 1) = f;
            } else {
                for (size_t i = 0; i < n; i++)
                    PM(i, H - 1) = PM(i, C - 1);
                PM(n1 - 1, H - 1) = VR;
            }
        } else {
            if (VR < VH) {
                for (size_t i = 0; i < n; i++)
                    PM(i, H - 1) = bvec[i];
                PM(n1 - 1, H - 1) = VR;
            }
            for (size_t i = 0; i < n; i++)
                bvec[i] = (1 - bet) * PM(i, H - 1) + bet * PM(i, C - 1);
            f = eval(fn, n, bvec, params);
            funcount++;
            if (f < PM(n1 - 1, H - 1)) {
                for (size_t i = 0; i < n; i++)
                    PM(i, H - 1) = bvec[i];
                PM(n1 - 1, H - 1) = f;
            } else if (VR >= VH) {
                calcvert = 1;
                size = shrink(P, n, L, bet);
                if (size < oldsize) {
                    oldsize = size;
                } else {
                    fail = 10;
                    break;
                }
            }
        }
    } while (funcount <= control->maxit);
    *fmin = PM(n1 - 1, L - 1);
    for (size_t i = 0; i < n; i++)
        x[i] = PM(i, L - 1);
    if (funcount > control->maxit)
        fail = 1;
    if (fncount)
        *fncount = funcount;
    return fail;
#undef PM
}
