/*
 * ets.h -- layer: models.  Exponential smoothing state-space models (ETS) as R's
 * forecast::ets() fits them; internal to the library.
 *
 * The model family is the type object civ_model_ets (specs "auto", "ets",
 * "ETS(E,T,S)" with E in {A,M,Z}, T in {N,A,Ad,M,Md,Z}, S in {N,A,M,Z}).
 * The maths is Hyndman, Koehler, Ord & Snyder (2008), "Forecasting with
 * Exponential Smoothing: the State Space Approach", Springer (HKOS), ch. 2
 * (the taxonomy and recursions), ch. 5 (estimation), ch. 6 (forecast
 * variances, classes 1-3), and Hyndman & Khandakar (2008), "Automatic time
 * series forecasting: the forecast package for R", JSS 27(3), sec. 2
 * (automatic selection).  docs/models/ETS.md describes every rule.
 *
 * Besides the type object, one helper is exported for the Theta family,
 * which (as forecast::thetaf) needs simple exponential smoothing fitted as
 * ets(x, "ANN", opt.crit = "mse"), and one for the combination, which fits the
 * automatic and the damped-trend search in one pass (civ_ets_fit_pair).
 */
#ifndef CIV_ETS_H
#define CIV_ETS_H

#include <stddef.h>

#include "model.h"

extern const civ_model_type civ_model_ets;

/* Optimisation criterion of forecast::ets(opt.crit = ...). */
typedef enum civ_ets_crit {
    CIV_ETS_CRIT_LIK = 0, /* R's default: n log(SSE) (+ 2 sum log|f| for M errors) */
    CIV_ETS_CRIT_MSE = 1  /* mean squared one-step error (R's amse[1]) */
} civ_ets_crit;

/* Simple exponential smoothing, ETS(A,N,N), as fitted by the helper. */
typedef struct civ_ets_ann {
    double alpha;      /* smoothing parameter */
    double l0;         /* initial level */
    double last_level; /* level after the last observation (the point forecast) */
    double sigma2;     /* residual variance as ets(): SSE / (n_obs - 2) (HW fallback: SSE / n) */
    double loglik;     /* -0.5 * R's lik; NaN for the Holt-Winters fallback */
    int fallback;      /* 1 when R's "too short" HoltWintersZZ path was taken (n <= 6) */
} civ_ets_ann;

/* Fits ETS(A,N,N) to y[0..n) (NaN = missing) exactly as
 * forecast::ets(y, model = "ANN", opt.crit = crit) does: the same starting
 * values, Nelder-Mead with maxit 2000, the same bounds ("both"), and the
 * HoltWintersZZ fallback when n <= 6.  Scratch comes from ws->arena.
 * Errors: CIV_ERR_TOO_SHORT (fewer than 2 observed values),
 * CIV_ERR_INVALID_ARGUMENT (NULL), CIV_ERR_NUMERIC (no finite fit). */
civ_status civ_ets_fit_ann(const double *y, size_t n, civ_ets_crit crit, civ_workspace *ws, civ_ets_ann *out);

/* Fits two ETS configurations (parsed by civ_model_ets.parse) to one series:
 * config_all, the automatic search ("ets", "ets(maxit=N)"), and config_damped,
 * the same search restricted to damped trends ("ETS(Z,Z,Z,damped=true)" with
 * the same maxit).  Where the damped search would run the same selection loop,
 * it is run once and both winners are taken from it: the best model overall
 * and the best damped-trend model (the same candidates, the same fits, the same
 * criterion, so the same fit, bit for bit, as config_damped fitted alone); where
 * it would not (a series too short for the damped models, a constant series,
 * or configurations that differ otherwise) each is fitted alone.  The
 * combination uses it when it has both members (models/combination.c).
 * Results: fit_all and fit_damped as civ_model_ets.fit fills them (arena
 * memory, valid until ws->arena is reset); status[0] and status[1] are the two
 * fits' statuses, and a failed fit's error message is copied into why_all or
 * why_damped (why_cap bytes each; "" when it fitted).
 * Returns CIV_OK when both statuses are set, CIV_ERR_OUT_OF_MEMORY, or
 * CIV_ERR_INVALID_ARGUMENT for a NULL argument. */
civ_status civ_ets_fit_pair(const void *config_all, const void *config_damped, const civ_model_options *options,
                            const civ_series *series, civ_workspace *ws, civ_model_fit *fit_all,
                            civ_model_fit *fit_damped, civ_status status[2], char *why_all, char *why_damped,
                            size_t why_cap);

/* 1 when every root of a[0] + a[1] z + ... + a[deg] z^deg lies strictly
 * inside |z| < radius (Schur-Cohn step-down test), 0 otherwise (also when
 * a[deg] is 0).  Used for the admissible region (HKOS sec. 10.2) in place of
 * R's polyroot(); exposed for the tests.  work holds 2 (deg + 1) doubles. */
int civ_ets_roots_within(const double *a, size_t deg, double radius, double *work);

#endif
