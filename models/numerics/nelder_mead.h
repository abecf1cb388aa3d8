/*
 * nelder_mead.h -- layer: models (numerics).  The Nelder-Mead simplex minimiser of R's optim().
 *
 * A port of nmmin() from R's src/appl/optim.c (itself from Nash, "Compact
 * Numerical Methods for Computers", 1990, Algorithm 19), so that models
 * estimated here follow the same path as R's forecast package, which calls
 * optim(method = "Nelder-Mead").  Allocation-free: the caller passes scratch.
 */
#ifndef CIV_NELDER_MEAD_H
#define CIV_NELDER_MEAD_H

#include <stddef.h>

/* Objective: returns f(x) for x[0..n); may return +INFINITY (or NaN, treated
 * as +INFINITY) for infeasible points. */
typedef double (*civ_nm_objective)(size_t n, const double *x, void *params);

typedef struct civ_nm_control {
    double abstol;  /* R default: -Inf */
    double reltol;  /* R default: sqrt(DBL_EPSILON) = 1.490116e-08 */
    double alpha;   /* reflection, 1.0 */
    double beta;    /* contraction, 0.5 */
    double gamma;   /* expansion, 2.0 */
    int maxit;      /* R default 500; forecast::ets uses 2000 */
} civ_nm_control;

/* R's defaults (abstol -Inf, reltol sqrt(eps), 1, .5, 2, maxit 500). */
civ_nm_control civ_nm_defaults(void);

/* Doubles of scratch needed for dimension n: (n+1)*(n+2) + n. */
size_t civ_nm_scratch_size(size_t n);

/* Minimises fn from x (in/out: start, then the best point).  *fmin gets the
 * minimum, *fncount the evaluations.  Returns 0 on convergence, 1 when maxit
 * was reached, 10 when the simplex degenerated (as R's fail codes), and -1
 * when the function is not finite at the start. */
int civ_nm_minimise(size_t n, double *x, double *fmin, civ_nm_objective fn, void *params,
                    const civ_nm_control *control, double *scratch, int *fncount);

#endif
