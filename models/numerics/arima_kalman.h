/*
 * arima_kalman.h -- layer: models (numerics).  Estimation of one ARIMA(p,d,q)(P,D,Q)m model with
 * regressors, as R's stats::arima() does it; internal to the library.
 *
 * The model is the regression with ARMA errors of Brockwell & Davis (2016,
 * sec. 6.6): x_t = beta' z_t + u_t, with phi(B) Phi(B^m) (1-B)^d (1-B^m)^D u_t
 * = theta(B) Theta(B^m) e_t, e_t ~ N(0, sigma^2).  The exact Gaussian
 * likelihood comes from the state-space form of Harvey (1989, sec. 3.3) /
 * Durbin & Koopman (2012, sec. 3.4) run through the Kalman filter, with the
 * stationary part initialised by the covariance Q0 of Gardner, Harvey &
 * Phillips (1980, AS 154) and the nonstationary part diffuse (kappa = 1e6),
 * exactly as R's ARIMA_Like / getQ0 / makeARIMA.  Conditional sum of squares
 * (CSS, Box & Jenkins 1976, sec. 7.1) gives starting values ("CSS-ML").  The
 * AR parts are kept stationary during ML by R's transform.pars (Jones 1980:
 * tanh of partial autocorrelations through the Durbin-Levinson recursion).
 * The optimiser is a port of R's BFGS (vmmin, Nash 1990, Algorithm 21) with
 * optim()'s central-difference gradients (ndeps = 1e-3 on the parscale'd
 * parameters) and optimHess(), so the search follows R's path.
 *
 * Memory: a civ_arima_work holds every scratch buffer for the largest model
 * a caller will fit (sizes fixed at allocation, from the arena); fitting,
 * likelihood evaluations and forecasts then never allocate.
 */
#ifndef CIV_ARIMA_KALMAN_H
#define CIV_ARIMA_KALMAN_H

#include <stddef.h>

#include "arena.h"

/* Orders as R's arma vector (but named): p, q, P, Q, m, d, D. */
typedef struct civ_arima_order {
    int p, d, q, P, D, Q, m;
} civ_arima_order;

enum { CIV_ARIMA_CSS_ML = 0, CIV_ARIMA_ML = 1, CIV_ARIMA_CSS = 2 };

/* Largest number of coefficients (ARMA + regressors) handled. */
#define CIV_ARIMA_MAX_COEF 40

/* Failure codes of civ_arima_estimate (R would raise an error there). */
enum {
    CIV_ARIMA_OK = 0,
    CIV_ARIMA_E_NONSTATIONARY_CSS = 1, /* "non-stationary AR part from CSS" */
    CIV_ARIMA_E_NONFINITE = 2,         /* "initial value in 'vmmin' is not finite" or a non-finite gradient */
    CIV_ARIMA_E_SINGULAR = 3,          /* Hessian singular in solve() */
    CIV_ARIMA_E_TOO_FEW = 4,           /* too few non-missing observations */
    CIV_ARIMA_E_TOO_LARGE = 5,         /* state or coefficient count beyond the work's capacity */
    CIV_ARIMA_E_REGRESSION = 6,        /* regressors rank deficient */
};

/* A short English message for a failure code (static storage). */
const char *civ_arima_strerror(int code);

typedef struct civ_arima_work civ_arima_work;

/* Work for series of length up to n with up to ncx regressor columns and
 * models with r = max(p + mP, q + mQ + 1) <= r_max and d + mD <= nd_max.
 * gardner: 1 computes Q0 by Gardner et al.'s AS 154 exactly as R (O(r^6)
 * work per evaluation, and its R-bar storage, up to 2.5 M doubles, is
 * allocated here); 0 (what the family uses) computes the same matrix from
 * the ARMA autocovariances in O(r^2 + p^3) (fast_q0 in arima_kalman.c,
 * docs/models/ARIMA.md).  From the arena; NULL when out of memory. */
civ_arima_work *civ_arima_work_alloc(civ_arena *arena, size_t n, size_t ncx, int r_max, int nd_max, int gardner);

/* The relative convergence tolerance of the BFGS optimiser (CSS and ML
 * stages), R's arima(optim.control = list(reltol = ...)); a value outside
 * (0, 1) restores R's default sqrt(DBL_EPSILON), which a new work has. */
void civ_arima_work_set_reltol(civ_arima_work *w, double reltol);

/* A fitted model.  Arrays are allocated once (civ_arima_result_alloc) with
 * the capacities of the work, so results can be copied cheaply. */
typedef struct civ_arima_result {
    civ_arima_order order;
    size_t narma, ncx, ncoef;      /* ncoef = narma + ncx */
    double coef[CIV_ARIMA_MAX_COEF]; /* ar, ma, sar, sma, regressors (R's order) */
    double *var;                   /* ncoef x ncoef covariance (row-major); NaN when not available */
    int no_optim;                  /* every coefficient was fixed */
    double loglik;                 /* -0.5 * value as R (for CSS: the CSS pseudo log-likelihood) */
    double aic;                    /* R's arima aic (NaN for CSS) */
    double sigma2_arima;           /* R's arima sigma2: ssq / n.used (ML) or the CSS mean square */
    int n_used;                    /* R's n.used */
    int code;                      /* optim convergence code (0 ok, 1 maxit) */
    int method;                    /* method actually used (CSS-ML turns into ML with NaN) */
    double *resid;                 /* n standardised innovations (ML) or CSS residuals; NaN when missing */
    size_t n;
    /* state after filtering the whole series, for forecasting */
    int r, rd, nphi, ntheta, ndelta;
    double *phi, *theta, *delta, *a, *P;
} civ_arima_result;

/* Result storage sized for the work's capacities.  NULL when out of memory. */
civ_arima_result *civ_arima_result_alloc(civ_arena *arena, const civ_arima_work *w);
/* Deep copy (same capacities). */
void civ_arima_result_copy(civ_arima_result *dst, const civ_arima_result *src, const civ_arima_work *w);

/* Fits the model as stats::arima(x, order, seasonal, xreg, include.mean =
 * FALSE, method) -- callers put intercept/drift columns into xreg themselves
 * (column-major n x ncx, NaN allowed).  fixed: NULL, or ncoef values that fix
 * every coefficient (no optimisation, as arima(fixed =) with nothing free).
 * Returns CIV_ARIMA_OK or a failure code (never records an error). */
int civ_arima_estimate(civ_arima_work *w, const double *x, size_t n, const double *xreg, size_t ncx,
                       const civ_arima_order *order, int method, const double *fixed, civ_arima_result *res);

/* Kalman forecasts from the filtered state of res (as KalmanForecast):
 * mean[j] (regression part not included) and var[j], the forecast variance
 * in units of sigma^2, j < h.  scratch: 3 rd^2 + 2 rd doubles. */
void civ_arima_kalman_forecast(const civ_arima_result *res, size_t h, double *mean, double *var, double *scratch);

/* Minimum modulus of the roots of 1 - sum phi_i z^i (sign = -1) or
 * 1 + sum theta_i z^i (sign = +1), ignoring trailing |coef| <= 1e-8; returns
 * +INFINITY when the polynomial is constant.  Uses the work's scratch. */
double civ_arima_min_root(civ_arima_work *w, const double *c, int k, int sign);

/* OLS of y on the k columns of X (column-major n x k, rows with NaN left
 * out), k <= ncx + 1 of the work: coefficients and standard errors as R's
 * lm().  Returns 0, the number of aliased columns (> 0), or -1 when there
 * are fewer usable rows than columns. */
int civ_arima_lm(civ_arima_work *w, const double *y, const double *X, size_t n, size_t k, double *coef, double *se);

/* The likelihood terms of the zero-mean ARMA model phi (p), theta (q) for
 * the complete series y[0..n), as obj_ml's optimiser path computes them:
 * ssq = sum e_t^2 / F_t, sumlog = sum log F_t and nu, over the steps with
 * prediction variance F_t < 1e4, the filter started from the stationary
 * covariance.  chandra: 1 the Chandrasekhar recursions (O(r) per step, what
 * obj_ml uses), 0 the Riccati (covariance) update (O(r^2)).  For tests.
 * Returns 0, or -1 when r exceeds the work or Q0 cannot be computed. */
int civ_arima_arma_filter(civ_arima_work *w, const double *phi, int p, const double *theta, int q, const double *y,
                          size_t n, int chandra, double *ssq, double *sumlog, int *nu);

/* Expands (ar, ma, sar, sma) to the full phi/theta polynomials (R's
 * ARIMA_transPars with trans = FALSE). */
void civ_arima_expand(const civ_arima_order *o, const double *par, double *phi, double *theta);

#endif
