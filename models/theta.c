/*
 * theta.c -- layer: models.  The Theta family: the standard Theta method as R's
 * forecast::thetaf() computes it, and the optimised Theta models (STM, OTM,
 * DSTM, DOTM) of Fiorucci et al. (2016), with automatic selection among the
 * latter ("autotheta").
 *
 * Standard Theta (Assimakopoulos & Nikolopoulos 2000; Hyndman & Billah 2003):
 *   1. seasonality test on the ACF at lag m (decompose.h), and if seasonal a
 *      classical multiplicative decomposition; x = y / s (unless an index is
 *      below 1e-4 in absolute value, when R falls back to non-seasonal);
 *   2. SES fitted as R's ets(x, "ANN", opt.crit = "mse"): initial level the
 *      mean of the first min(10, n) values, alpha starting at 0.20006, the
 *      objective the running one-step MSE of forecast's etscalc(), R's
 *      Nelder-Mead (nelder_mead.h) with maxit 2000; for n <= 6 R's ets()
 *      hands over to HoltWintersZZ (level starts at x1, SSE minimised over
 *      alpha in [0, 1]) and so do we;
 *   3. the drift b0/2, b0 the slope of the least-squares line on t = 0..n-1;
 *      forecasts l_n + b0/2 (j - 1 + (1 - (1 - alpha)^n) / alpha), times the
 *      seasonal indices; intervals mean -/+ z sigma sqrt(1 + (j - 1) alpha^2)
 *      with sigma^2 the SES residual variance (thetaf: not rescaled by the
 *      seasonal index).
 *
 * Optimised Theta models (Fiorucci et al. 2016, eqs. 6-12; forecTheta twoTL):
 *   mu_{t+1} = ell_t + (1 - 1/theta) (A_t (1-alpha)^t + B_t (1 - (1-alpha)^{t+1}) / alpha)
 *   ell_t    = alpha y_t + (1 - alpha) ell_{t-1}
 * with A_t, B_t the intercept and slope of the least-squares line of
 * y_1..y_n on t (static models: fixed at the full-sample values An, Bn) or
 * updated recursively with each new observation (dynamic models).  STM and
 * DSTM fix theta = 2.  Estimation: Nelder-Mead (R's optim defaults, maxit 500)
 * on sum(((y - mu)/mean|y|)^2), over t = 1..n (static) or t = 3..n (dynamic),
 * starting at (y1/2, 0.5, 2) with bounds ell0 in [-1e10, 1e10], alpha in
 * [0.1, 0.99], theta in [1, 1e10] (1e300 outside), as forecTheta does.
 * Intervals: forecTheta draws sample paths of the model with Gaussian errors
 * of variance var(residuals t = 3..n) and takes their quantiles (a parametric
 * bootstrap).  The recursion is linear in the errors (ell, the running mean,
 * A_t and B_t are affine in them, the seasonal index only rescales), so a path
 * at step j is mu_j + sum_{k<=j} c_jk e_k, exactly Gaussian: we give the
 * quantiles that the bootstrap estimates, mu_j -/+ z sigma sqrt(sum_k c_jk^2),
 * with the impulse responses c_jk from the same recursion (twotl_sd).
 * simulate() still draws paths (from ws->rng) for Monte Carlo users.
 */
#include "theta.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "c_locale.h"
#include "decompose.h"
#include "error.h"
#include "nelder_mead.h"

typedef enum theta_variant {
    THETA_STANDARD = 0,
    THETA_STM,
    THETA_OTM,
    THETA_DSTM,
    THETA_DOTM,
    THETA_AUTO
} theta_variant;

typedef struct theta_config {
    int variant;
} theta_config;

static const char *const variant_names[] = {"Theta", "STM", "OTM", "DSTM", "DOTM", "AutoTheta"};

/* Everything forecast() and simulate() need; lives in the arena. */
typedef struct theta_state {
    int variant;          /* fitted variant, never THETA_AUTO */
    int m;                /* seasonal period of the series */
    int seasonal;         /* 1 when the series was deseasonalised */
    double *figure;       /* m seasonal indices (position i mod m), NULL if not seasonal */
    size_t n;
    /* standard Theta */
    double alpha, level, drift, sigma2;
    /* optimised models: state after the n-th observation */
    int dynamic;
    double theta, ell, A, B, mean_y, sigma;
} theta_state;

/* ---- parameter metadata ---------------------------------------------------- */

static const civ_param_info theta_params[] = {
    {"alpha", "smoothing parameter of the level (SES: R's ets bounds; optimised models: forecTheta bounds)", 1e-4,
     0.9999},
    {"theta", "theta coefficient; 2 for Theta, STM and DSTM, estimated for OTM and DOTM", 1.0, 1e10},
    {"drift", "drift of the standard Theta method: half the slope of the linear trend (b0/2)", -INFINITY, INFINITY},
    {"ell0", "initial level", -1e10, 1e10},
};

/* ---- spec parsing ---------------------------------------------------------- */

static civ_status theta_parse(const char *spec, void *config)
{
    static const char *const specs[] = {"theta", "stm", "otm", "dstm", "dotm", "autotheta"};
    theta_config *cfg = config;
    for (int v = 0; v < 6; v++) {
        if (civ_ascii_casecmp(spec, specs[v]) == 0) {
            cfg->variant = v;
            return CIV_OK;
        }
    }
    return CIV_ERR_NOT_FOUND;
}

/* ---- SES as forecast::ets(x, "ANN", opt.crit = "mse") ------------------------ */

typedef struct ses_data {
    const double *y;
    size_t n;
} ses_data;

/* Bounds of ets(): lower = 1e-4, upper = 0.9999 for alpha (bounds = "both";
 * the admissible region 0 < alpha < 2 is wider). */
#define SES_LOWER 1e-4
#define SES_UPPER 0.9999

/* EtsTargetFunction::eval with opt.crit = "mse": amse[0] of etscalc(), a
 * running mean of squared one-step errors, updated exactly as etscalc does. */
static double ses_objective(size_t np, const double *x, void *params)
{
    (void)np;
    const ses_data *d = params;
    double alpha = x[0], l = x[1];
    if (alpha < SES_LOWER || alpha > SES_UPPER)
        return INFINITY;
    double amse = 0.0, denom = 0.0;
    for (size_t i = 0; i < d->n; i++) {
        double tmp = d->y[i] - l;
        denom += 1.0;
        amse = (amse * (denom - 1.0) + tmp * tmp) / denom;
        l = l + alpha * (d->y[i] - l);
    }
    return amse;
}

/* Runs the SES filter: fitted[i] = l_{i-1}; returns l_n; *sse the long double
 * sum of squared errors (R's sum()). */
static double ses_filter(const double *y, size_t n, double alpha, double l0, double *fitted, long double *sse)
{
    double l = l0;
    long double s = 0.0L;
    for (size_t i = 0; i < n; i++) {
        if (fitted)
            fitted[i] = l;
        double e = y[i] - l;
        s += (long double)e * e;
        l = l + alpha * e;
    }
    if (sse)
        *sse = s;
    return l;
}

/* SSE of HoltWintersZZ's level-only recursion (zzhw) from l0 = x1. */
static double hw_sse(const double *y, size_t n, double alpha)
{
    double level = y[0], sse = 0.0;
    for (size_t i = 0; i < n; i++) {
        double res = y[i] - level;
        sse += res * res;
        level = alpha * y[i] + (1.0 - alpha) * level;
    }
    return sse;
}

typedef struct ses_fit {
    double alpha, l0, sigma2;
} ses_fit;

static civ_status fit_ses(const double *y, size_t n, int period, civ_workspace *ws, const char *id, ses_fit *out)
{
    if (n <= 6) {
        /* ets(): n <= npars + 4 (npars = 2) -> HoltWintersZZ(x, beta = FALSE,
         * gamma = FALSE): l0 = x1, alpha minimising the SSE over [0, 1] by
         * L-BFGS-B from initparam's 0.2 / frequency.  We search a grid and
         * refine by golden section; like L-BFGS-B we stay at the start when
         * nothing is strictly better (e.g. n = 2, where the SSE is flat). */
        double start = 0.2 / (double)(period > 1 ? period : 1);
        double best = start, fbest = hw_sse(y, n, start);
        double grid_best = 0.0, fgrid = INFINITY;
        for (int k = 0; k <= 200; k++) {
            double a = (double)k / 200.0, f = hw_sse(y, n, a);
            if (f < fgrid) {
                fgrid = f;
                grid_best = a;
            }
        }
        double lo = grid_best - 0.005 < 0.0 ? 0.0 : grid_best - 0.005;
        double hi = grid_best + 0.005 > 1.0 ? 1.0 : grid_best + 0.005;
        const double g = 0.6180339887498949;
        double c = hi - g * (hi - lo), d = lo + g * (hi - lo);
        double fc = hw_sse(y, n, c), fd = hw_sse(y, n, d);
        for (int it = 0; it < 100 && hi - lo > 1e-12; it++) {
            if (fc < fd) {
                hi = d;
                d = c;
                fd = fc;
                c = hi - g * (hi - lo);
                fc = hw_sse(y, n, c);
            } else {
                lo = c;
                c = d;
                fc = fd;
                d = lo + g * (hi - lo);
                fd = hw_sse(y, n, d);
            }
        }
        double cand = 0.5 * (lo + hi), fcand = hw_sse(y, n, cand);
        if (fgrid < fcand) {
            cand = grid_best;
            fcand = fgrid;
        }
        if (fcand < fbest * (1.0 - 1e-10)) {
            best = cand;
            fbest = fcand;
        }
        out->alpha = best;
        out->l0 = y[0];
        out->sigma2 = fbest / (double)n; /* HoltWintersZZ: mean(res^2) */
        return CIV_OK;
    }
    ses_data d = {y, n};
    size_t maxn = n < 10 ? n : 10;
    /* initparam(): lower + 0.2 * (upper - lower) / m with m = 1 (no season). */
    double x[2] = {SES_LOWER + 0.2 * (SES_UPPER - SES_LOWER) / 1.0, civ_r_mean(y, maxn)};
    double *scratch = civ_arena_doubles(&ws->arena, civ_nm_scratch_size(2));
    if (!scratch)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the SES optimiser");
    civ_nm_control ctl = civ_nm_defaults();
    ctl.maxit = 2000; /* etsmodel(maxit = 2000) */
    double fmin;
    int fncount;
    int rc = civ_nm_minimise(2, x, &fmin, ses_objective, &d, &ctl, scratch, &fncount);
    if (rc < 0 || !isfinite(fmin)) {
        civ_where w = {.series_id = id, .field = "y"};
        return civ_fail_at(CIV_ERR_NUMERIC, &w, "Theta: SES objective not finite at the start");
    }
    long double sse;
    ses_filter(y, n, x[0], x[1], NULL, &sse);
    out->alpha = x[0];
    out->l0 = x[1];
    out->sigma2 = (double)(sse / (long double)(n - 2)); /* ets(): SSE / (n - np), np = 2 */
    return CIV_OK;
}

/* ---- the optimised Theta models (Fiorucci et al. 2016) -------------------- */

typedef struct twotl_data {
    const double *y;
    size_t n;
    int dynamic;
    int fix_theta;  /* STM / DSTM: theta = 2 */
    double An, Bn;  /* full-sample regression line (static models) */
    double cte;     /* mean |y|: scales the errors as forecTheta does */
} twotl_data;

typedef struct twotl_state {
    double ell, A, B, mean_y;
} twotl_state;

/* One pass of the state space model over y[0..n): mu[i] the one-step
 * forecasts (may be NULL); returns sum over the scored sample of
 * ((y - mu) / cte)^2 as long double; *end receives the state after y[n-1].
 */
static long double twotl_run(const twotl_data *d, double ell0, double alpha, double theta, double *mu,
                             twotl_state *end)
{
    const double *y = d->y;
    const size_t n = d->n;
    const double w = 1.0 - 1.0 / theta, om = 1.0 - alpha;
    double ell = alpha * y[0] + om * ell0, mean_y = y[0], A, B, m0;
    if (d->dynamic) {
        A = y[0];
        B = 0.0;
        m0 = y[0];
    } else {
        A = d->An;
        B = d->Bn;
        m0 = ell0 + w * (d->An + d->Bn);
    }
    const size_t first = d->dynamic ? 2 : 0;
    long double sse = 0.0L;
    if (mu)
        mu[0] = m0;
    if (first == 0) {
        double e = (y[0] - m0) / d->cte;
        sse += e * e;
    }
    /* pow() rather than a running product: the same rounding as R's ^; each
     * power is computed once (step i's (1-alpha)^(i+1) is step i+1's (1-alpha)^i) */
    double om_i = n > 1 ? pow(om, 1.0) : 0.0;
    for (size_t i = 1; i < n; i++) {
        double om_next = pow(om, (double)(i + 1));
        double mi = ell + w * (A * om_i + B * (1.0 - om_next) / alpha);
        om_i = om_next;
        if (mu)
            mu[i] = mi;
        if (i >= first) {
            double e = (y[i] - mi) / d->cte;
            sse += e * e; /* sum(errors^2): doubles summed in long double */
        }
        double yi = y[i], di = (double)i;
        ell = alpha * yi + om * ell;
        double new_mean = (di * mean_y + yi) / (di + 1.0);
        if (d->dynamic) {
            B = ((di - 1.0) * B + 6.0 * (yi - mean_y) / (di + 1.0)) / (di + 2.0);
            A = new_mean - B * (di + 2.0) / 2.0;
        }
        mean_y = new_mean;
    }
    if (end) {
        end->ell = ell;
        end->A = A;
        end->B = B;
        end->mean_y = mean_y;
    }
    return sse;
}

static const double twotl_lower[3] = {-1e10, 0.1, 1.0};
static const double twotl_upper[3] = {1e10, 0.99, 1e10};

static double twotl_objective(size_t np, const double *x, void *params)
{
    const twotl_data *d = params;
    double theta = d->fix_theta ? 2.0 : x[2];
    for (size_t k = 0; k < np; k++)
        if (x[k] < twotl_lower[k] || x[k] > twotl_upper[k])
            return 1e300; /* forecTheta's out-of-range value */
    return (double)twotl_run(d, x[0], x[1], theta, NULL, NULL);
}

/* ---- shared fit plumbing ----------------------------------------------------- */

typedef struct theta_prep {
    const double *y;      /* original series */
    double *x;            /* series to model (deseasonalised or a copy) */
    size_t n;
    int m, seasonal;
    double *figure;
} theta_prep;

static double season_at(const theta_state *st, size_t t)
{
    return st->seasonal ? st->figure[t % (size_t)st->m] : 1.0;
}

static civ_status fit_arrays(civ_model_fit *fit, civ_workspace *ws, size_t n, size_t n_report, size_t n_states)
{
    fit->fitted = civ_arena_doubles(&ws->arena, n);
    fit->residuals = civ_arena_doubles(&ws->arena, n);
    fit->params = civ_arena_doubles(&ws->arena, n_report);
    fit->states = civ_arena_doubles(&ws->arena, n_states);
    if (!fit->fitted || !fit->residuals || !fit->params || !fit->states)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for a Theta fit of %zu values", n);
    fit->n = n;
    fit->n_report_params = n_report;
    fit->n_states = n_states;
    return CIV_OK;
}

static void fit_reset(civ_model_fit *fit)
{
    memset(fit, 0, sizeof *fit);
    fit->type = &civ_model_theta;
    fit->loglik = fit->aic = fit->aicc = fit->bic = fit->sigma2 = NAN;
}

static civ_status fit_standard(const theta_prep *p, const civ_series *s, civ_workspace *ws, civ_model_fit *fit,
                               theta_state *st)
{
    static const char *names[] = {"alpha", "drift", "theta", "seasonal"};
    static const char *snames[] = {"l0"};
    const size_t n = p->n;
    ses_fit sf = {0}; /* set by fit_ses on success; zeroed for the compiler */
    civ_status rc = fit_ses(p->x, n, s->period, ws, s->id, &sf);
    if (rc)
        return rc;
    civ_status ra = fit_arrays(fit, ws, n, 4, 1);
    if (ra)
        return ra;
    /* lsfit(0:(n-1), x)$coefficients[2], by the centred normal equations. */
    double tbar = (double)(n - 1) / 2.0, xbar = civ_r_mean(p->x, n);
    long double sxy = 0.0L, stt = 0.0L;
    for (size_t i = 0; i < n; i++) {
        double dt = (double)i - tbar;
        sxy += (long double)dt * (p->x[i] - xbar);
        stt += (long double)dt * dt;
    }
    double slope = (double)(sxy / stt);
    double alpha = sf.alpha > 1e-10 ? sf.alpha : 1e-10; /* thetaf: pmax(1e-10, alpha) */
    double level = ses_filter(p->x, n, sf.alpha, sf.l0, fit->fitted, NULL);
    st->variant = THETA_STANDARD;
    st->alpha = alpha;
    st->level = level;
    st->drift = slope / 2.0;
    st->sigma2 = sf.sigma2;
    for (size_t i = 0; i < n; i++) {
        fit->fitted[i] *= season_at(st, i); /* thetaf: fitted * decomp$seasonal */
        fit->residuals[i] = p->y[i] - fit->fitted[i];
    }
    fit->param_names = names;
    fit->params[0] = alpha;
    fit->params[1] = st->drift;
    fit->params[2] = 2.0;
    fit->params[3] = (double)p->seasonal;
    fit->state_names = snames;
    fit->states[0] = sf.l0;
    fit->sigma2 = sf.sigma2;
    fit->n_params = 3; /* alpha, l0, drift (ICs undefined: thetaf reports none) */
    civ_snprintf(fit->name, sizeof fit->name, "%s", variant_names[THETA_STANDARD]);
    return CIV_OK;
}

/* The regression line and the scale of the two-theta-lines model (forecTheta's twoTL) into d, whose y and n
 * are set: Bn = 6 (2 mean(t y) - (1 + n) mean(y)) / (n^2 - 1), An = mean(y) - (n + 1) Bn / 2 (t = 1..n), and
 * cte = mean|y| (1 for an all-zero series). */
static civ_status twotl_scale(twotl_data *d, civ_workspace *ws)
{
    const size_t n = d->n;
    const double *x = d->y;
    double *tmp = civ_arena_doubles(&ws->arena, n);
    if (!tmp)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for a Theta fit of %zu values", n);
    for (size_t i = 0; i < n; i++)
        tmp[i] = (double)(i + 1) * x[i];
    double nn = (double)n, ybar = civ_r_mean(x, n), mty = civ_r_mean(tmp, n);
    d->Bn = 6.0 * (2.0 * mty - (1.0 + nn) * ybar) / (nn * nn - 1.0);
    d->An = ybar - (nn + 1.0) * d->Bn / 2.0;
    for (size_t i = 0; i < n; i++)
        tmp[i] = fabs(x[i]);
    d->cte = civ_r_mean(tmp, n);
    if (!(d->cte > 0.0))
        d->cte = 1.0; /* an all-zero series: any positive scale gives the same optimum */
    return CIV_OK;
}

/* forecTheta's sd(residuals[3:n]) on the modelling scale (returned), and *mse the mean squared error over the
 * same sample, from which the Gaussian log-likelihood makes all four variants comparable. */
static double twotl_error_sd(const double *x, const double *fitted, size_t n, double *mse)
{
    long double sum = 0.0L, ss = 0.0L;
    for (size_t i = 2; i < n; i++)
        sum += x[i] - fitted[i];
    size_t nu = n - 2;
    long double mean_e = sum / (long double)nu;
    for (size_t i = 2; i < n; i++) {
        long double e = (long double)(x[i] - fitted[i]);
        ss += (e - mean_e) * (e - mean_e);
    }
    long double sse = 0.0L;
    for (size_t i = 2; i < n; i++) {
        long double e = (long double)(x[i] - fitted[i]);
        sse += e * e;
    }
    *mse = (double)(sse / (long double)nu);
    return sqrt((double)(ss / (long double)(nu - 1)));
}

/* Fits one of STM/OTM/DSTM/DOTM; *mse_out (may be NULL) gets the in-sample
 * MSE over t = 3..n on the modelling scale. */
static civ_status fit_optimised(int variant, const theta_prep *p, const civ_model_options *opt, const civ_series *s,
                                civ_workspace *ws, civ_model_fit *fit, theta_state *st, double *mse_out)
{
    static const char *names[] = {"alpha", "theta", "seasonal"};
    static const char *snames[] = {"ell0"};
    const size_t n = p->n;
    const double *x = p->x;
    twotl_data d = {.y = x, .n = n, .dynamic = (variant == THETA_DSTM || variant == THETA_DOTM),
                    .fix_theta = (variant == THETA_STM || variant == THETA_DSTM)};
    civ_status sc = twotl_scale(&d, ws);
    if (sc)
        return sc;
    size_t np = d.fix_theta ? 2 : 3;
    /* forecTheta's par_ini = c(y[1]/2, 0.5, 2) is a promise on the ORIGINAL
     * series (forced before deseasonalisation), so y1 is not adjusted here. */
    double par[3] = {p->y[0] / 2.0, 0.5, 2.0};
    double *scratch = civ_arena_doubles(&ws->arena, civ_nm_scratch_size(3));
    if (!scratch)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the Theta optimiser");
    civ_nm_control ctl = civ_nm_defaults(); /* optim(method = "Nelder-Mead"): maxit 500 */
    double fmin;
    int fncount;
    int rc = civ_nm_minimise(np, par, &fmin, twotl_objective, &d, &ctl, scratch, &fncount);
    if (rc < 0 || !isfinite(fmin) || fmin >= 1e300) {
        civ_where w = {.series_id = s->id, .field = "y"};
        return civ_fail_at(CIV_ERR_NUMERIC, &w, "%s: no finite in-sample error found by the optimiser",
                           variant_names[variant]);
    }
    double theta = d.fix_theta ? 2.0 : par[2];
    civ_status ra = fit_arrays(fit, ws, n, 3, 1);
    if (ra)
        return ra;
    twotl_state end;
    twotl_run(&d, par[0], par[1], theta, fit->fitted, &end);
    st->variant = variant;
    st->dynamic = d.dynamic;
    st->alpha = par[1];
    st->theta = theta;
    st->ell = end.ell;
    st->A = end.A;
    st->B = end.B;
    st->mean_y = end.mean_y;
    size_t nu = n - 2;
    double mse;
    st->sigma = twotl_error_sd(x, fit->fitted, n, &mse);
    if (mse_out)
        *mse_out = mse;
    double loglik = mse > 0.0 ? -0.5 * (double)nu * (log(2.0 * 3.14159265358979323846 * mse) + 1.0) : INFINITY;
    civ_fit_set_criteria(fit, loglik, np + 1, nu);
    for (size_t i = 0; i < n; i++) {
        fit->fitted[i] *= season_at(st, i);
        fit->residuals[i] = p->y[i] - fit->fitted[i];
    }
    fit->sigma2 = st->sigma * st->sigma;
    fit->param_names = names;
    fit->params[0] = st->alpha;
    fit->params[1] = theta;
    fit->params[2] = (double)p->seasonal;
    fit->state_names = snames;
    fit->states[0] = par[0];
    civ_snprintf(fit->name, sizeof fit->name, "%s", variant_names[variant]);
    (void)opt;
    return CIV_OK;
}

static double criterion_of(const civ_model_fit *f, civ_criterion c)
{
    switch (c) {
    case CIV_CRIT_AIC:
        return f->aic;
    case CIV_CRIT_BIC:
        return f->bic;
    case CIV_CRIT_AICC:
    default:
        return f->aicc;
    }
}

/* thetaf's seasonality test and multiplicative decomposition: when the series is seasonal (and no seasonal
 * index is near zero, R: "Seasonal indexes close to zero" -> non-seasonal Theta), p->x becomes the
 * deseasonalised series, p->figure the indexes and p->seasonal 1. */
static civ_status theta_deseasonalise(theta_prep *p, const civ_series *series, civ_workspace *ws)
{
    const size_t n = p->n;
    if (!civ_seasonality_test(series->y, n, p->m, NULL, NULL))
        return CIV_OK;
    double *trend = civ_arena_doubles(&ws->arena, n);
    p->figure = civ_arena_doubles(&ws->arena, (size_t)p->m);
    if (!trend || !p->figure)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the seasonal decomposition");
    if (civ_decompose_multiplicative(series->y, n, p->m, trend, p->figure) != 0)
        return CIV_OK;
    for (int k = 0; k < p->m; k++)
        if (fabs(p->figure[k]) < 1e-4)
            return CIV_OK;
    p->seasonal = 1;
    for (size_t i = 0; i < n; i++)
        p->x[i] = series->y[i] / p->figure[i % (size_t)p->m];
    return CIV_OK;
}

/* autotheta: STM, OTM, DSTM, DOTM on the same series; the lowest criterion wins (ties to the simpler, earlier
 * one); when no candidate has a finite criterion (very short series), the lowest MSE. */
static civ_status fit_autotheta(const theta_prep *p, const civ_model_options *options, const civ_series *series,
                                civ_workspace *ws, civ_model_fit *fit, theta_state *st, const civ_where *where)
{
    static const int cands[4] = {THETA_STM, THETA_OTM, THETA_DSTM, THETA_DOTM};
    civ_model_fit cf;
    theta_state cs;
    int best = -1, best_by_mse = -1;
    double best_crit = INFINITY, best_mse = INFINITY;
    civ_model_fit best_fit, best_mse_fit;
    theta_state best_st, best_mse_st;
    memset(&best_fit, 0, sizeof best_fit);
    memset(&best_mse_fit, 0, sizeof best_mse_fit);
    memset(&best_st, 0, sizeof best_st);
    memset(&best_mse_st, 0, sizeof best_mse_st);
    civ_status rc = CIV_OK;
    for (int k = 0; k < 4; k++) {
        fit_reset(&cf);
        cs = *st;
        double mse;
        civ_status rk = fit_optimised(cands[k], p, options, series, ws, &cf, &cs, &mse);
        if (rk) {
            rc = rk;
            continue;
        }
        double c = criterion_of(&cf, options->criterion);
        if ((isfinite(c) || c == -INFINITY) && (best < 0 || c < best_crit)) {
            best = k;
            best_crit = c;
            best_fit = cf;
            best_st = cs;
        }
        if (best_by_mse < 0 || mse < best_mse) {
            best_by_mse = k;
            best_mse = mse;
            best_mse_fit = cf;
            best_mse_st = cs;
        }
    }
    if (best < 0 && best_by_mse < 0)
        return rc ? rc : civ_fail_at(CIV_ERR_NUMERIC, where, "AutoTheta: no candidate model could be fitted");
    *fit = best >= 0 ? best_fit : best_mse_fit;
    *st = best >= 0 ? best_st : best_mse_st;
    return CIV_OK;
}

static civ_status theta_fit(const void *config, const civ_model_options *options, const civ_series *series,
                            civ_workspace *ws, civ_model_fit *fit)
{
    if (!config || !series || !ws || !fit || (!series->y && series->n > 0))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "theta fit: NULL argument");
    const theta_config *cfg = config;
    const int variant = cfg->variant;
    const size_t n = series->n;
    civ_where where = {.series_id = series->id, .field = "y"};
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(series->y[i]))
            return civ_fail_at(CIV_ERR_DOMAIN, &where,
                               "%s needs a complete series: value %zu of %zu is %s (impute or trim first)",
                               variant_names[variant], i + 1, n, isnan(series->y[i]) ? "missing" : "infinite");
    }
    size_t min_n = variant == THETA_STANDARD ? 2 : 4;
    if (n < min_n)
        return civ_fail_at(CIV_ERR_TOO_SHORT, &where, "%s needs at least %zu values, the series has %zu",
                           variant_names[variant], min_n, n);
    civ_model_options defaults = {0};
    if (!options)
        options = &defaults;

    fit_reset(fit);
    theta_state *st = civ_arena_alloc(&ws->arena, sizeof *st);
    theta_prep p = {.y = series->y, .n = n, .m = series->period > 1 ? series->period : 1};
    p.x = civ_arena_doubles(&ws->arena, n);
    if (!st || !p.x)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for a Theta fit of %zu values", n);
    memset(st, 0, sizeof *st);
    memcpy(p.x, series->y, n * sizeof *p.x);
    civ_status rc = theta_deseasonalise(&p, series, ws);
    if (rc)
        return rc;
    st->m = p.m;
    st->seasonal = p.seasonal;
    st->figure = p.seasonal ? p.figure : NULL;
    st->n = n;

    if (variant == THETA_STANDARD)
        rc = fit_standard(&p, series, ws, fit, st);
    else if (variant != THETA_AUTO)
        rc = fit_optimised(variant, &p, options, series, ws, fit, st, NULL);
    else
        rc = fit_autotheta(&p, options, series, ws, fit, st, &where);
    if (rc)
        return rc;
    fit->type = &civ_model_theta;
    fit->state = st;
    return CIV_OK;
}

/* ---- forecasting ------------------------------------------------------------- */

/* Point forecasts on the modelling (deseasonalised) scale for the optimised
 * models, continuing the recursion with y = mu (forecTheta computeForec) or,
 * when eps is not NULL, with y = mu + eps[j] (a sample path). */
static void twotl_forecast(const theta_state *st, size_t h, const double *eps, double *out)
{
    const double alpha = st->alpha, om = 1.0 - alpha, w = 1.0 - 1.0 / st->theta;
    double ell = st->ell, A = st->A, B = st->B, mean_y = st->mean_y;
    /* (1 - alpha)^i as a running product from i = n: the forecasts move no
     * optimiser, and sample paths need this loop to be cheap. */
    double q = pow(om, (double)st->n);
    for (size_t j = 0; j < h; j++) {
        double di = (double)(st->n + j);
        double mu = ell + w * (A * q + B * (1.0 - q * om) / alpha);
        q *= om;
        double yv = eps ? mu + eps[j] : mu;
        out[j] = yv;
        ell = alpha * yv + om * ell;
        double new_mean = (di * mean_y + yv) / (di + 1.0);
        if (st->dynamic) {
            B = ((di - 1.0) * B + 6.0 * (yv - mean_y) / (di + 1.0)) / (di + 2.0);
            A = new_mean - B * (di + 2.0) / 2.0;
        }
        mean_y = new_mean;
    }
}

/* twotl_forecast's sample paths, np <= TWOTL_BLOCK of them at once: on entry
 * rows[p h + j] holds path p's error at step j, on return its value.  The same
 * operations in the same order for each path as twotl_forecast (so the same
 * bits); interleaving the paths only lets their independent recursions
 * overlap in the processor (about 2x faster than one path at a time). */
#define TWOTL_BLOCK 8
static void twotl_paths(const theta_state *st, size_t h, size_t np, double *rows)
{
    const double alpha = st->alpha, om = 1.0 - alpha, w = 1.0 - 1.0 / st->theta;
    double ell[TWOTL_BLOCK], A[TWOTL_BLOCK], B[TWOTL_BLOCK], mean_y[TWOTL_BLOCK];
    for (size_t p = 0; p < np; p++) {
        ell[p] = st->ell;
        A[p] = st->A;
        B[p] = st->B;
        mean_y[p] = st->mean_y;
    }
    double q = pow(om, (double)st->n);
    for (size_t j = 0; j < h; j++) {
        double di = (double)(st->n + j);
        for (size_t p = 0; p < np; p++) {
            double mu = ell[p] + w * (A[p] * q + B[p] * (1.0 - q * om) / alpha);
            double yv = mu + rows[p * h + j];
            rows[p * h + j] = yv;
            ell[p] = alpha * yv + om * ell[p];
            double new_mean = (di * mean_y[p] + yv) / (di + 1.0);
            if (st->dynamic) {
                B[p] = ((di - 1.0) * B[p] + 6.0 * (yv - mean_y[p]) / (di + 1.0)) / (di + 2.0);
                A[p] = new_mean - B[p] * (di + 2.0) / 2.0;
            }
            mean_y[p] = new_mean;
        }
        q *= om;
    }
}

/* Standard deviations of an optimised model's sample path at steps 1..h, on
 * the data scale.  The recursion of twotl_forecast is homogeneous linear in
 * (ell, A, B, mean_y, eps), so started from a zero state with eps = e_k it
 * gives the impulse responses c_jk (j >= k) of step j to the error of step k;
 * Var(path_j) = sigma^2 sum_k c_jk^2, times the seasonal index squared.
 * O(h^2).  scratch: 2h doubles. */
static void twotl_sd(const theta_state *st, size_t h, double *scratch, double *sd)
{
    theta_state zero = *st;
    zero.ell = zero.A = zero.B = zero.mean_y = 0.0;
    double *eps = scratch, *resp = scratch + h;
    for (size_t j = 0; j < h; j++)
        sd[j] = eps[j] = 0.0;
    for (size_t k = 0; k < h; k++) {
        eps[k] = 1.0;
        twotl_forecast(&zero, h, eps, resp);
        eps[k] = 0.0;
        for (size_t j = k; j < h; j++)
            sd[j] += resp[j] * resp[j];
    }
    double sigma = st->sigma > 0.0 ? st->sigma : 0.0;
    for (size_t j = 0; j < h; j++)
        sd[j] = sigma * sqrt(sd[j]) * fabs(season_at(st, st->n + j));
}

static void theta_means(const theta_state *st, size_t h, double *mean)
{
    if (st->variant == THETA_STANDARD) {
        double a = st->alpha;
        double c = (1.0 - pow(1.0 - a, (double)st->n)) / a;
        for (size_t j = 0; j < h; j++)
            mean[j] = st->level + st->drift * ((double)j + c);
    } else {
        twotl_forecast(st, h, NULL, mean);
    }
    for (size_t j = 0; j < h; j++)
        mean[j] *= season_at(st, st->n + j);
}

static civ_status check_fit(const civ_model_fit *fit, civ_workspace *ws)
{
    if (!fit || !fit->state || fit->type != &civ_model_theta || !ws)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "theta: not a fitted Theta model");
    return CIV_OK;
}

static civ_status theta_simulate(const civ_model_fit *fit, const civ_series *series, size_t h, size_t n_paths,
                                 civ_workspace *ws, double *paths)
{
    civ_status rc = check_fit(fit, ws);
    if (rc)
        return rc;
    if (h == 0 || n_paths == 0)
        return CIV_OK;
    if (!paths || !ws->rng)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "theta simulate: NULL paths or random generator");
    const theta_state *st = fit->state;
    double *mean = civ_arena_doubles(&ws->arena, h);
    if (!mean)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for %zu-step sample paths", h);
    if (st->variant == THETA_STANDARD) {
        /* Sample paths of the SES state space model (ETS(A,N,N)) around the
         * thetaf means, unscaled by the seasonal index as thetaf's intervals:
         * path_j = mean_j + (y*_j - l_n), Var = sigma^2 (1 + (j-1) alpha^2). */
        theta_means(st, h, mean);
        double sd = sqrt(st->sigma2 > 0.0 ? st->sigma2 : 0.0);
        for (size_t p = 0; p < n_paths; p++) {
            double dev = 0.0; /* l*_{j-1} - l_n */
            for (size_t j = 0; j < h; j++) {
                double e = sd > 0.0 ? gsl_ran_gaussian(ws->rng, sd) : 0.0;
                paths[p * h + j] = mean[j] + dev + e;
                dev += st->alpha * e;
            }
        }
    } else {
        double sd = st->sigma > 0.0 ? st->sigma : 0.0;
        for (size_t p0 = 0; p0 < n_paths; p0 += TWOTL_BLOCK) {
            size_t np = n_paths - p0 < TWOTL_BLOCK ? n_paths - p0 : TWOTL_BLOCK;
            double *rows = paths + p0 * h;
            for (size_t k = 0; k < np * h; k++) /* path by path, step by step: the draws' order */
                rows[k] = sd > 0.0 ? gsl_ran_gaussian(ws->rng, sd) : 0.0;
            twotl_paths(st, h, np, rows);
            for (size_t p = 0; p < np; p++)
                for (size_t j = 0; j < h; j++)
                    rows[p * h + j] *= season_at(st, st->n + j);
        }
    }
    (void)series;
    return CIV_OK;
}

static civ_status theta_forecast(const civ_model_fit *fit, const civ_series *series, size_t h, const double *levels,
                                 size_t n_levels, civ_workspace *ws, double *mean, double *lower, double *upper)
{
    (void)series; /* the fit holds all the forecast needs */
    civ_status rc = check_fit(fit, ws);
    if (rc)
        return rc;
    if (h == 0)
        return CIV_OK;
    if (!mean || (n_levels > 0 && (!levels || !lower || !upper)))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "theta forecast: NULL output");
    for (size_t l = 0; l < n_levels; l++) {
        if (!(levels[l] > 0.0 && levels[l] < 100.0)) {
            civ_where w = {.field = "level"};
            return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "interval level %g is not in (0, 100)", levels[l]);
        }
    }
    const theta_state *st = fit->state;
    theta_means(st, h, mean);
    if (n_levels == 0)
        return CIV_OK;
    /* The standard deviation of each step: thetaf's se_j = sigma sqrt((j - 1)
     * alpha^2 + 1), j = 1..h; for the optimised models the exact Gaussian
     * quantiles that forecTheta's parametric bootstrap estimates (the header;
     * twotl_sd).  Both: mean -/+ z sd. */
    double *sd = civ_arena_doubles(&ws->arena, h), *scratch = civ_arena_doubles(&ws->arena, 2 * h);
    if (!sd || !scratch)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for %zu-step intervals", h);
    if (st->variant == THETA_STANDARD) {
        double sd0 = sqrt(st->sigma2 > 0.0 ? st->sigma2 : 0.0);
        for (size_t j = 0; j < h; j++)
            sd[j] = sd0 * sqrt((double)j * st->alpha * st->alpha + 1.0);
    } else {
        twotl_sd(st, h, scratch, sd);
    }
    for (size_t l = 0; l < n_levels; l++) {
        double z = civ_normal_quantile_for_level(levels[l]);
        for (size_t j = 0; j < h; j++) {
            lower[l * h + j] = mean[j] - z * sd[j];
            upper[l * h + j] = mean[j] + z * sd[j];
        }
    }
    return CIV_OK;
}

/* autotheta's chosen variant (STM, OTM, DSTM or DOTM) fitted afresh; the
 * other specs, and a variant that cannot be fitted, as theta_fit
 * (conformal.c's calibration windows). */
static civ_status theta_refit(const civ_model_fit *like, const void *config, const civ_model_options *options,
                              const civ_series *series, civ_workspace *ws, civ_model_fit *fit)
{
    const theta_config *cfg = config;
    const theta_state *chosen = like ? like->state : NULL;
    if (!cfg || cfg->variant != THETA_AUTO || !chosen)
        return theta_fit(config, options, series, ws, fit);
    theta_config fixed = {.variant = chosen->variant};
    civ_status st = theta_fit(&fixed, options, series, ws, fit);
    if (st == CIV_OK || st == CIV_ERR_OUT_OF_MEMORY || st == CIV_ERR_INVALID_ARGUMENT)
        return st;
    civ_clear_error();
    return theta_fit(config, options, series, ws, fit);
}

const civ_model_type civ_model_theta = {
    .family = "theta",
    .summary = "Theta method (R forecast::thetaf) and optimised Theta models STM/OTM/DSTM/DOTM (Fiorucci et al. 2016)",
    .spec_help = "theta | stm | otm | dstm | dotm | autotheta",
    .params = theta_params,
    .n_params = sizeof theta_params / sizeof theta_params[0],
    .config_size = sizeof(theta_config),
    .parse = theta_parse,
    .fit = theta_fit,
    .forecast = theta_forecast,
    .simulate = theta_simulate,
    .refit = theta_refit,
};
