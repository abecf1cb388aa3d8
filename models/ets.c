/*
 * ets.c -- layer: models.  Exponential smoothing state-space models, ported from R's
 * forecast package (8.20): ets(), etsmodel(), initparam(), initstate(),
 * check.param()/admissible() (C++ EtsTargetFunction), lik(), etscalc.c,
 * forecast.ets() with class1/class2/class3, simulate.ets() and the
 * HoltWintersZZ() "series too short" fallback.
 *
 * Maths: Hyndman, Koehler, Ord & Snyder (2008), "Forecasting with Exponential
 * Smoothing", Springer (HKOS): sec. 2.5 (the 30 models and their recursions,
 * Tables 2.2-2.3), ch. 5 (likelihood n log(SSE) + 2 sum log|mu_t| for
 * multiplicative errors, eq. 5.3), sec. 10.2 (admissible region),
 * ch. 6 (forecast means and variances: class 1 eq. 6.1-6.2, class 2 sec. 6.3,
 * class 3 sec. 6.4).  Selection: Hyndman & Khandakar (2008), JSS 27(3), sec. 2.
 *
 * State layout follows R: x = (l, b, s1, ..., sm) with s1 the most recent
 * seasonal value and sm the one used for the next forecast.  Inside the filter
 * the seasons live in a ring buffer so no memmove is needed per observation.
 *
 * Missing values (NaN) inside the series are handled in the filter as current
 * forecast/etscalc.c does: the state is propagated by its prediction (no
 * update), the observation contributes nothing to the likelihood, and the
 * likelihood's n is the number of observed points.  Leading NaNs are dropped.
 *
 * Memory: everything per series comes from ws->arena; the likelihood loop
 * allocates nothing and calls no function pointer per observation.
 */
#include "ets.h"

#include <float.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "decompose.h"
#include "error.h"
#include "nelder_mead.h"

#define ETS_N 0
#define ETS_A 1
#define ETS_M 2
#define ETS_Z (-1)
#define ETS_MAXM 24 /* R: seasonal models need m <= 24 ("frequency too high") */
#define ETS_PMAX (2 + ETS_MAXM)
#define ETS_TOL 1.0e-10
#define ETS_HUGEN 1.0e10

enum { ETS_BOUNDS_BOTH = 0, ETS_BOUNDS_USUAL = 1, ETS_BOUNDS_ADMISSIBLE = 2 };
enum { ETS_FB_NONE = 0, ETS_FB_HOLTWINTERS = 1, ETS_FB_CONSTANT = 2 };

/* A parsed spec (fits in CIV_MODEL_CONFIG_MAX). */
typedef struct ets_config {
    int error, trend, season; /* ETS_Z = choose */
    int damped;               /* -1 = try both (R's damped = NULL), 0, 1 */
    int bounds;
    int restrict_models; /* R's restrict = TRUE */
    int mult_trend;      /* R's allow.multiplicative.trend */
    int missing_model;   /* spec "auto"/"ets": R's missing(model) (constant-series rule) */
    int maxit;           /* Nelder-Mead evaluations per model, R's ets(maxit =); 0 = R's default 2000 */
} ets_config;

/* One fitted model: everything forecast/simulate need.  Lives in the arena. */
typedef struct ets_model {
    int error, trend, season, damped, m, p;
    double alpha, beta, gamma, phi; /* beta/gamma 0, phi 1 when absent (as R passes them) */
    double sigma2;
    double x0[ETS_PMAX], xlast[ETS_PMAX];
    int fallback;
    int n_paths;
} ets_model;

/* ------------------------------------------------------------------------ */
/* The filter (etscalc.c)                                                   */
/* ------------------------------------------------------------------------ */

/* Outputs of the filter beyond the likelihood; any pointer may be NULL. */
typedef struct ets_out {
    double *e;     /* innovations: y - f (A) or (y - f)/f (M); NaN where y is NaN */
    double *f;     /* one-step forecasts */
    double *xlast; /* final state, R layout */
    double sse_abs; /* sum over observed points of (y - f)^2 (for opt.crit mse) */
    size_t nobs;
} ets_out;

/* The hot loop of every ETS fit, one piece on purpose: it is instantiated per component combination with
 * constant types (always_inline), and the whole recursion must stay in one function for the compiler to
 * remove the branches; it follows R's etscalc.c step by step. */
/* R's lik for fixed parameters: nobs log(SSE) + 2 sum log|f| (M errors),
 * NaN when a multiplicative trend turns negative (R's NA forecast).  The
 * component types are compile-time constants in each instantiation below so
 * the compiler removes the branches (HKOS Table 2.3 recursions as in
 * etscalc.c, including its TOL/HUGEN guards). */
static inline __attribute__((always_inline)) double
ets_filter_core(const double *restrict y, size_t n, const double *x0, int m, const int error, const int trend,
                const int season, double alpha, double beta, double gamma, double phi, double *restrict ring,
                ets_out *out, const int full)
{
    double l = x0[0], b = trend ? x0[1] : 0.0;
    const int off = 1 + (trend != ETS_N);
    size_t pos = 0;
    if (season)
        for (int j = 0; j < m; j++)
            ring[j] = x0[off + m - 1 - j]; /* ring[0] = sm, the oldest */
    const int phi_is_one = fabs(phi - 1.0) < ETS_TOL;
    const double bova = beta / alpha;
    double sse = 0.0, lsum = 0.0, lprod = 1.0, sse_abs = 0.0;
    size_t nobs = 0;
    double *e = full && out ? out->e : NULL, *fo = full && out ? out->f : NULL;
    for (size_t i = 0; i < n; i++) {
        const double oldl = l, oldb = b;
        double phib = 0.0, q;
        if (trend == ETS_N) {
            q = oldl;
        } else if (trend == ETS_A) {
            phib = phi * oldb;
            q = oldl + phib;
        } else {
            if (oldb < 0.0)
                return NAN; /* R: forecast() gives NA for l * b^phi with b < 0 */
            phib = phi_is_one ? oldb : pow(oldb, phi);
            q = oldl * phib;
        }
        const double olds = season ? ring[pos] : 0.0;
        const double f = season == ETS_A ? q + olds : season == ETS_M ? q * olds : q;
        const double yi = y[i];
        if (full && fo)
            fo[i] = f;
        double p;
        if (isnan(yi)) {
            if (full && e)
                e[i] = NAN;
            p = q;
        } else {
            const double ei = error == ETS_A ? yi - f : (yi - f) / f;
            if (full && e)
                e[i] = ei;
            sse += ei * ei;
            if (error == ETS_M) {
                /* sum log|f| as the log of a running product: one log per
                 * ~100 steps instead of one per observation */
                lprod *= fabs(f);
                if (!(lprod < 1e150 && lprod > 1e-150)) {
                    lsum += log(lprod);
                    lprod = 1.0;
                }
            }
            if (full)
                sse_abs += (yi - f) * (yi - f);
            nobs++;
            if (season == ETS_N)
                p = yi;
            else if (season == ETS_A)
                p = yi - olds;
            else
                p = fabs(olds) < ETS_TOL ? ETS_HUGEN : yi / olds;
        }
        l = q + alpha * (p - q);
        if (trend != ETS_N) {
            double r;
            if (trend == ETS_A)
                r = l - oldl;
            else
                r = fabs(oldl) < ETS_TOL ? ETS_HUGEN : l / oldl;
            b = phib + bova * (r - phib);
        }
        if (season != ETS_N) {
            double t;
            if (isnan(yi))
                t = olds;
            else if (season == ETS_A)
                t = yi - q;
            else
                t = fabs(q) < ETS_TOL ? ETS_HUGEN : yi / q;
            ring[pos] = olds + gamma * (t - olds);
            pos = pos + 1 == (size_t)m ? 0 : pos + 1;
        }
    }
    if (full && out) {
        out->sse_abs = sse_abs;
        out->nobs = nobs;
        if (out->xlast) {
            out->xlast[0] = l;
            if (trend)
                out->xlast[1] = b;
            if (season) /* s1 = the value just written, s_k = k-1 steps before */
                for (int k = 0; k < m; k++)
                    out->xlast[off + k] = ring[(pos + (size_t)m - 1 - (size_t)k) % (size_t)m];
        }
    }
    if (nobs == 0)
        return NAN;
    double lik = (double)nobs * log(sse);
    if (error == ETS_M)
        lik += 2.0 * (lsum + log(lprod));
    return lik;
}

#define ETS_CASE(E, T, S)                                                                                         \
    case (E) * 9 + (T) * 3 + (S):                                                                                 \
        return out ? ets_filter_core(y, n, x0, m, E, T, S, alpha, beta, gamma, phi, ring, out, 1)                 \
                   : ets_filter_core(y, n, x0, m, E, T, S, alpha, beta, gamma, phi, ring, NULL, 0);

/* Dispatches once per call (not per observation) to a loop specialised for
 * the model and for likelihood-only (optimiser) or full (final fit) output. */
static double ets_filter(const double *y, size_t n, const double *x0, int m, int error, int trend, int season,
                         double alpha, double beta, double gamma, double phi, double *ring, ets_out *out)
{
    switch (error * 9 + trend * 3 + season) {
        ETS_CASE(1, 0, 0) ETS_CASE(1, 0, 1) ETS_CASE(1, 0, 2)
        ETS_CASE(1, 1, 0) ETS_CASE(1, 1, 1) ETS_CASE(1, 1, 2)
        ETS_CASE(1, 2, 0) ETS_CASE(1, 2, 1) ETS_CASE(1, 2, 2)
        ETS_CASE(2, 0, 0) ETS_CASE(2, 0, 1) ETS_CASE(2, 0, 2)
        ETS_CASE(2, 1, 0) ETS_CASE(2, 1, 1) ETS_CASE(2, 1, 2)
        ETS_CASE(2, 2, 0) ETS_CASE(2, 2, 1) ETS_CASE(2, 2, 2)
    default:
        return NAN;
    }
}
#undef ETS_CASE

/* Point forecasts from state x (R's static forecast() in etscalc.c). */
static void ets_point_forecast(const double *x, int m, int trend, int season, double phi, double *f, size_t h)
{
    double l = x[0], b = trend ? x[1] : 0.0, phistar = phi;
    const double *s = x + 1 + (trend != ETS_N);
    for (size_t i = 0; i < h; i++) {
        double v;
        if (trend == ETS_N)
            v = l;
        else if (trend == ETS_A)
            v = l + phistar * b;
        else if (b < 0)
            v = NAN;
        else
            v = l * pow(b, phistar);
        if (season) {
            long j = (long)m - 1 - (long)(i % (size_t)m);
            v = season == ETS_A ? v + s[j] : v * s[j];
        }
        f[i] = v;
        if (i + 1 < h)
            phistar += fabs(phi - 1.0) < ETS_TOL ? 1.0 : pow(phi, (double)(i + 1));
    }
}

/* ------------------------------------------------------------------------ */
/* Parameter checks (EtsTargetFunction::check_params / admissible)          */
/* ------------------------------------------------------------------------ */

typedef struct ets_problem {
    const double *y;
    size_t n;       /* length used (leading NaNs dropped) */
    size_t nobs;    /* observed values */
    int m;          /* seasonal period of the model (1 when S = N) */
    int error, trend, season, damped, bounds;
    double lower[4], upper[4];
    int nstate;     /* free initial states in the optimisation vector */
    int nsmooth;    /* smoothing parameters in the vector */
    civ_ets_crit crit;
    /* scratch */
    double *x0, *ring, *poly, *coef, *roots;
} ets_problem;

/* Schur-Cohn (Jury) step-down test: 1 when every root of
 * a[0] + a[1] z + ... + a[deg] z^deg lies strictly inside |z| < radius.
 * With radius = 1 + 1e-10 this is R's "max(abs(polyroot(P))) > 1 + 1e-10"
 * test without finding the roots: substitute z = radius w, then repeatedly
 * replace p by (a_n p(w) - a_0 p*(w)) / w, which keeps the number of roots
 * inside the unit disk as long as |a_0| < |a_n| (Schur 1917; Jury 1964).
 * O(deg^2) instead of an eigenvalue problem; work holds 2 (deg + 1) doubles. */
int civ_ets_roots_within(const double *a, size_t deg, double radius, double *work)
{
    if (deg == 0)
        return 1;
    if (!(a[deg] != 0.0))
        return 0;
    double *w = work, *c = work + deg + 1;
    double sc = 1.0;
    for (size_t i = 0; i <= deg; i++) {
        w[i] = a[i] * sc / a[deg];
        sc *= radius;
    }
    for (size_t n = deg; n >= 1; n--) {
        double an = w[n], a0 = w[0];
        if (!(fabs(a0) < fabs(an)))
            return 0;
        for (size_t i = 0; i < n; i++)
            c[i] = an * w[i + 1] - a0 * w[n - 1 - i];
        double inv = 1.0 / c[n - 1]; /* an^2 - a0^2 > 0; rescaling keeps the numbers O(1) */
        for (size_t i = 0; i < n; i++)
            w[i] = c[i] * inv;
    }
    return 1;
}

/* Admissible region of HKOS sec. 10.2 as forecast's C++ admissible(): the
 * characteristic polynomial's roots must lie inside the unit circle. */
static int ets_admissible(const ets_problem *pr, double alpha, double beta, double gamma, double phi)
{
    if (phi < 0 || phi > 1 + 1e-8)
        return 0;
    if (pr->season == ETS_N) {
        if (alpha < 1 - 1 / phi || alpha > 1 + 1 / phi)
            return 0;
        if (pr->trend != ETS_N)
            if (beta < alpha * (phi - 1) || beta > (1 + phi) * (2 - alpha))
                return 0;
    } else if (pr->m > 1) {
        const int m = pr->m;
        if (pr->trend == ETS_N)
            beta = 0;
        double d = 1 - 1 / phi - alpha;
        if (gamma < (d > 0 ? d : 0) || gamma > 1 + 1 / phi - alpha)
            return 0;
        if (alpha < 1 - 1 / phi - gamma * (1 - m + phi + phi * m) / (2 * phi * m))
            return 0;
        if (beta < -(1 - phi) * (gamma / m + alpha))
            return 0;
        /* ascending coefficients of R's P (degree m + 1, leading 1) */
        double *a = pr->coef;
        a[0] = phi * (1 - alpha - gamma);
        a[1] = alpha + beta - alpha * phi + gamma - 1;
        for (int i = 2; i < m; i++)
            a[i] = alpha + beta - alpha * phi;
        a[m] = alpha + beta - phi;
        a[m + 1] = 1.0;
        if (!civ_ets_roots_within(a, (size_t)m + 1, 1 + 1e-10, pr->poly))
            return 0;
    }
    return 1;
}

static int ets_check_param(const ets_problem *pr, double alpha, double beta, double gamma, double phi)
{
    if (pr->bounds != ETS_BOUNDS_ADMISSIBLE) {
        if (alpha < pr->lower[0] || alpha > pr->upper[0])
            return 0;
        if (pr->trend != ETS_N && (beta < pr->lower[1] || beta > alpha || beta > pr->upper[1]))
            return 0;
        if (pr->damped && (phi < pr->lower[3] || phi > pr->upper[3]))
            return 0;
        if (pr->season != ETS_N && (gamma < pr->lower[2] || gamma > 1 - alpha || gamma > pr->upper[2]))
            return 0;
    }
    if (pr->bounds != ETS_BOUNDS_USUAL)
        if (!ets_admissible(pr, alpha, beta, gamma, phi))
            return 0;
    return 1;
}

/* Unpacks the optimisation vector (alpha, [beta], [gamma], [phi], states). */
static void ets_unpack(const ets_problem *pr, const double *par, double *alpha, double *beta, double *gamma,
                       double *phi)
{
    int j = 0;
    *alpha = par[j++];
    *beta = pr->trend != ETS_N ? par[j++] : 0.0;
    *gamma = pr->season != ETS_N ? par[j++] : 0.0;
    *phi = pr->damped ? par[j++] : 1.0;
}

/* Builds the full initial state: R appends the m-th season so that the
 * seasons sum to 0 (A) or m (M). Returns 0 when multiplicative seasons go
 * negative (R's objective is then Inf). */
static int ets_full_state(const ets_problem *pr, const double *states, double *x0)
{
    int ns = pr->nstate;
    for (int i = 0; i < ns; i++)
        x0[i] = states[i];
    if (pr->season != ETS_N) {
        int start = 1 + (pr->trend != ETS_N);
        double sum = 0;
        for (int i = start; i < ns; i++)
            sum += states[i];
        x0[ns] = (pr->season == ETS_M ? pr->m : 0) - sum;
        if (pr->season == ETS_M)
            for (int i = start; i <= ns; i++)
                if (x0[i] < 0)
                    return 0;
    }
    return 1;
}

/* The objective of forecast's etsNelderMead (EtsTargetFunction::eval). */
static double ets_objective(size_t np, const double *par, void *vp)
{
    ets_problem *pr = vp;
    double alpha, beta, gamma, phi;
    ets_unpack(pr, par, &alpha, &beta, &gamma, &phi);
    if (!ets_check_param(pr, alpha, beta, gamma, phi))
        return INFINITY;
    if (!ets_full_state(pr, par + pr->nsmooth, pr->x0))
        return INFINITY;
    double lik;
    if (pr->crit == CIV_ETS_CRIT_MSE) {
        ets_out o = {0};
        lik = ets_filter(pr->y, pr->n, pr->x0, pr->m, pr->error, pr->trend, pr->season, alpha, beta, gamma, phi,
                         pr->ring, &o);
        if (!isnan(lik))
            lik = o.sse_abs / (double)pr->n;
    } else {
        lik = ets_filter(pr->y, pr->n, pr->x0, pr->m, pr->error, pr->trend, pr->season, alpha, beta, gamma, phi,
                         pr->ring, NULL);
    }
    (void)np;
    if (lik < -1e10)
        lik = -1e10; /* R: avoid perfect fits */
    if (isnan(lik))
        lik = INFINITY;
    return lik;
}

/* ------------------------------------------------------------------------ */
/* Initial values (initparam, initstate)                                    */
/* ------------------------------------------------------------------------ */

/* R's initparam(): starting smoothing parameters.  Returns the count. */
static int ets_initparam(const ets_problem *pr, double *par)
{
    double lower[4], upper[4];
    memcpy(lower, pr->lower, sizeof lower);
    memcpy(upper, pr->upper, sizeof upper);
    if (pr->bounds == ETS_BOUNDS_ADMISSIBLE) {
        for (int i = 0; i < 3; i++) {
            lower[i] = 0;
            upper[i] = 0.001;
        }
    }
    int k = 0;
    double alpha = lower[0] + 0.2 * (upper[0] - lower[0]) / pr->m;
    if (alpha > 1 || alpha < 0)
        alpha = lower[0] + 0.002;
    par[k++] = alpha;
    if (pr->trend != ETS_N) {
        upper[1] = fmin(upper[1], alpha);
        double beta = lower[1] + 0.1 * (upper[1] - lower[1]);
        if (beta < 0 || beta > alpha)
            beta = alpha - 0.001;
        par[k++] = beta;
    }
    if (pr->season != ETS_N) {
        upper[2] = fmin(upper[2], 1 - alpha);
        double gamma = lower[2] + 0.05 * (upper[2] - lower[2]);
        if (gamma < 0 || gamma > 1 - alpha)
            gamma = 1 - alpha - 0.001;
        par[k++] = gamma;
    }
    if (pr->damped) {
        double phi = lower[3] + 0.99 * (upper[3] - lower[3]);
        if (phi < 0 || phi > 1)
            phi = upper[3] - 0.001;
        par[k++] = phi;
    }
    return k;
}

/* Least squares y ~ X (k <= 4 columns, rows with NaN y skipped) through the
 * normal equations with partial pivoting; enough for these tiny designs. */
static int ets_lsq(const double *X, const double *y, size_t n, int k, double *coef)
{
    double A[4][5] = {{0}};
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(y[i]))
            continue;
        used++;
        for (int r = 0; r < k; r++) {
            for (int c = 0; c < k; c++)
                A[r][c] += X[i * 4 + r] * X[i * 4 + c];
            A[r][k] += X[i * 4 + r] * y[i];
        }
    }
    if (used < (size_t)k)
        return -1;
    for (int c = 0; c < k; c++) {
        int piv = c;
        for (int r = c + 1; r < k; r++)
            if (fabs(A[r][c]) > fabs(A[piv][c]))
                piv = r;
        if (fabs(A[piv][c]) < 1e-300)
            return -1;
        if (piv != c)
            for (int j = 0; j <= k; j++) {
                double t = A[c][j];
                A[c][j] = A[piv][j];
                A[piv][j] = t;
            }
        for (int r = 0; r < k; r++) {
            if (r == c)
                continue;
            double fct = A[r][c] / A[c][c];
            for (int j = c; j <= k; j++)
                A[r][j] -= fct * A[c][j];
        }
    }
    for (int c = 0; c < k; c++)
        coef[c] = A[c][k] / A[c][c];
    return 0;
}

/* lsfit(1:n, y): intercept and slope (NaN rows dropped). */
static int ets_linfit(const double *y, size_t n, double *a, double *b)
{
    double st = 0, sy = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(y[i])) {
            st += (double)(i + 1);
            sy += y[i];
            k++;
        }
    if (k < 2)
        return -1;
    double mt = st / (double)k, my = sy / (double)k, sxx = 0, sxy = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(y[i])) {
            double dt = (double)(i + 1) - mt;
            sxx += dt * dt;
            sxy += dt * (y[i] - my);
        }
    *b = sxy / sxx;
    *a = my - *b * mt;
    return 0;
}

/* initstate's seasonal estimate for fewer than 3 periods:
 * tslm(y ~ trend + fourier(y, 1)), seas = y detrended.  work: 4n doubles. */
static int seasonal_fourier(const double *y, size_t n, int season, int m, double *D, double *seas)
{
    int ncol = 0;
    double coef[4];
    int with_sin = fabs(2.0 / m - round(2.0 / m)) > DBL_EPSILON;
    for (size_t i = 0; i < n; i++) {
        double t = (double)(i + 1), arg = 2.0 * t / m;
        int c = 0;
        D[i * 4 + c++] = 1.0;
        D[i * 4 + c++] = t;
        if (with_sin)
            D[i * 4 + c++] = sin(M_PI * arg);
        D[i * 4 + c++] = cos(M_PI * arg);
        ncol = c;
    }
    if (ets_lsq(D, y, n, ncol, coef) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        double tr = coef[0] + coef[1] * (double)(i + 1);
        seas[i] = season == ETS_A ? y[i] - tr : y[i] / tr;
    }
    return 0;
}

/* initstate's seasonal estimate otherwise: decompose(y, type), a centred
 * moving average (into trend_ma), then the mean of each season. */
static void seasonal_decompose(const double *y, size_t n, int season, int m, double *trend_ma, double *seas)
{
    size_t half = (size_t)m / 2;
    for (size_t i = 0; i < n; i++) {
        if (i < half || i + half >= n) {
            trend_ma[i] = NAN;
            continue;
        }
        double s = 0;
        if (m % 2 == 0) {
            s = 0.5 * y[i - half] + 0.5 * y[i + half];
            for (size_t j = i - half + 1; j < i + half; j++)
                s += y[j];
        } else {
            for (size_t j = i - half; j <= i + half; j++)
                s += y[j];
        }
        trend_ma[i] = s / m;
    }
    double figure[ETS_MAXM], fsum = 0;
    for (int i = 0; i < m; i++) {
        double s = 0;
        size_t c = 0;
        for (size_t j = (size_t)i; j < n; j += (size_t)m) {
            double v = season == ETS_A ? y[j] - trend_ma[j] : y[j] / trend_ma[j];
            if (!isnan(v)) {
                s += v;
                c++;
            }
        }
        figure[i] = c ? s / (double)c : (season == ETS_A ? 0.0 : 1.0);
        fsum += figure[i];
    }
    double fmean = fsum / m;
    for (int i = 0; i < m; i++)
        figure[i] = season == ETS_A ? figure[i] - fmean : figure[i] / fmean;
    for (size_t i = 0; i < n; i++)
        seas[i] = figure[i % (size_t)m];
}

/* initstate's level (and trend) from the first max(10, 2m) seasonally
 * adjusted values ysa; writes them to st and returns how many, or -1. */
static int init_level_trend(const double *ysa, size_t n, int trend, int m, double *st)
{
    int k = 0;
    size_t maxn = (size_t)(10 > 2 * m ? 10 : 2 * m);
    if (maxn > n)
        maxn = n;
    if (trend == ETS_N) {
        double s = 0;
        size_t c = 0;
        for (size_t i = 0; i < maxn; i++)
            if (!isnan(ysa[i])) {
                s += ysa[i];
                c++;
            }
        if (c == 0)
            return -1;
        st[k++] = s / (double)c;
        return k;
    }
    double a, b;
    if (ets_linfit(ysa, maxn, &a, &b) != 0)
        return -1;
    if (trend == ETS_A) {
        double l0 = a, b0 = b;
        if (fabs(l0 + b0) < 1e-8) {
            l0 *= 1 + 0.001;
            b0 *= 1 - 0.001;
        }
        st[k++] = l0;
        st[k++] = b0;
    } else {
        double l0 = a + b;
        if (fabs(l0) < 1e-8)
            l0 = 1e-7;
        double b0 = (a + 2 * b) / l0;
        l0 = l0 / b0;
        if (fabs(b0) > 1e10)
            b0 = b0 > 0 ? 1e10 : -1e10;
        if (l0 < 1e-8 || b0 < 1e-8) {
            l0 = fmax(ysa[0], 0.001);
            b0 = fmax(ysa[1] / ysa[0], 0.001);
        }
        st[k++] = l0;
        st[k++] = b0;
    }
    return k;
}

/* R's initstate(): initial l, b and m-1 seasons.  work holds 6n doubles.
 * Returns the number of states, or -1 when R would stop with an error. */
static int ets_initstate(const double *y, size_t n, int trend, int season, int m, double *work, double *st)
{
    double *seas = work, *ysa = work + n;
    double init_seas[ETS_MAXM];
    if (season != ETS_N) {
        if (n < 4)
            return -1; /* "You've got to be joking (not enough data)." */
        if (n < 3 * (size_t)m) {
            /* the caller's work holds 6n doubles: n rows of 4 from 2n on */
            if (seasonal_fourier(y, n, season, m, work + 2 * n, seas) != 0)
                return -1;
        } else {
            seasonal_decompose(y, n, season, m, ysa, seas);
        }
        for (int kk = 0; kk < m - 1; kk++) {
            double v = seas[m - 1 - kk]; /* rev(seasonal[2:m]) */
            if (isnan(v))
                v = season == ETS_A ? 0.0 : 1.0;
            init_seas[kk] = v;
        }
        if (season == ETS_A) {
            for (size_t i = 0; i < n; i++)
                ysa[i] = y[i] - seas[i];
        } else {
            double sum = 0, sum2 = 0;
            for (int kk = 0; kk < m - 1; kk++) {
                if (init_seas[kk] < 0.01)
                    init_seas[kk] = 0.01;
                sum += init_seas[kk];
                sum2 += init_seas[kk] + 0.01;
            }
            if (sum > m)
                for (int kk = 0; kk < m - 1; kk++)
                    init_seas[kk] /= sum2;
            for (size_t i = 0; i < n; i++)
                ysa[i] = y[i] / (seas[i] > 0.01 ? seas[i] : 0.01);
        }
    } else {
        m = 1;
        memcpy(ysa, y, n * sizeof *y);
    }
    int k = init_level_trend(ysa, n, trend, m, st);
    if (k < 0)
        return -1;
    if (season != ETS_N)
        for (int kk = 0; kk < m - 1; kk++)
            st[k++] = init_seas[kk];
    return k;
}

/* ------------------------------------------------------------------------ */
/* Fitting one model (etsmodel)                                             */
/* ------------------------------------------------------------------------ */

/* Per-series data and scratch, allocated once from the arena. */
typedef struct ets_data {
    const char *id;
    const double *y; /* leading NaNs dropped */
    size_t n, nobs, lead;
    int period;      /* the series' seasonal period (>= 1) */
    int positive;    /* min(y) > 0 over observed values */
    double *work;    /* 6n */
    double *e, *f;   /* n */
    double *nm;      /* Nelder-Mead scratch for the largest dimension */
    double *ring, *poly, *coef, *roots;
    double *par;     /* 4 + ETS_PMAX */
} ets_data;

typedef struct ets_result {
    ets_model mod;
    double lik, loglik, aic, aicc, bic;
    int npar; /* length(par): smoothing parameters + free initial states */
    int nm_fail, nm_count;
} ets_result;

static const double ETS_LOWER[4] = {1e-4, 1e-4, 1e-4, 0.8};
static const double ETS_UPPER[4] = {0.9999, 0.9999, 0.9999, 0.98};

static void ets_problem_init(ets_problem *pr, const ets_data *d, int error, int trend, int season, int damped,
                             int bounds, civ_ets_crit crit)
{
    memset(pr, 0, sizeof *pr);
    pr->y = d->y;
    pr->n = d->n;
    pr->nobs = d->nobs;
    pr->m = season != ETS_N ? d->period : 1;
    pr->error = error;
    pr->trend = trend;
    pr->season = season;
    pr->damped = damped;
    pr->bounds = bounds;
    pr->crit = crit;
    memcpy(pr->lower, ETS_LOWER, sizeof pr->lower);
    memcpy(pr->upper, ETS_UPPER, sizeof pr->upper);
    pr->x0 = d->par + 4 + ETS_PMAX; /* see ets_data_init: par has room for both */
    pr->ring = d->ring;
    pr->poly = d->poly;
    pr->coef = d->coef;
    pr->roots = d->roots;
}

/* Fits ETS(error, trend[d], season) as R's etsmodel().  Returns 0, or -1
 * when R's etsmodel would fail or return an infinite criterion (the
 * candidate is then skipped by the selection, as R's try() does). */
static int ets_fit_model(const ets_data *d, int error, int trend, int season, int damped, int bounds,
                         civ_ets_crit crit, int maxit, ets_result *r)
{
    ets_problem pr;
    ets_problem_init(&pr, d, error, trend, season, damped, bounds, crit);
    double *par = d->par;
    int k = ets_initparam(&pr, par);
    double a0, b0, g0, p0;
    ets_unpack(&pr, par, &a0, &b0, &g0, &p0);
    if (!ets_check_param(&pr, a0, b0, g0, p0))
        return -1; /* R: stop("Parameters out of range") */
    int nst = ets_initstate(d->y, d->n, trend, season, pr.m, d->work, par + k);
    if (nst < 0)
        return -1;
    pr.nsmooth = k;
    pr.nstate = nst;
    int np = k + nst;
    if ((size_t)np + 1 >= d->n)
        return -1; /* R: np >= length(y) - 1 gives aic = Inf */
    civ_nm_control ctl = civ_nm_defaults();
    ctl.maxit = maxit > 0 ? maxit : 2000;
    double fmin;
    int cnt = 0;
    int rc = civ_nm_minimise((size_t)np, par, &fmin, ets_objective, &pr, &ctl, d->nm, &cnt);
    if (rc < 0)
        return -1; /* R: "function cannot be evaluated at initial parameters" */
    ets_model *mod = &r->mod;
    memset(r, 0, sizeof *r);
    mod->error = error;
    mod->trend = trend;
    mod->season = season;
    mod->damped = damped;
    mod->m = pr.m;
    mod->p = 1 + (trend != ETS_N) + (season != ETS_N ? pr.m : 0);
    ets_unpack(&pr, par, &mod->alpha, &mod->beta, &mod->gamma, &mod->phi);
    ets_full_state(&pr, par + k, mod->x0);
    ets_out o = {d->e, d->f, mod->xlast, 0, 0};
    double lik = ets_filter(d->y, d->n, mod->x0, pr.m, error, trend, season, mod->alpha, mod->beta, mod->gamma,
                            mod->phi, d->ring, &o);
    if (!isfinite(lik) && !(lik == -INFINITY))
        return -1; /* NA lik: R's criterion is NA and the model is skipped */
    double ny = (double)d->nobs, npi = (double)(np + 1);
    r->lik = lik;
    r->loglik = -0.5 * lik;
    r->aic = lik + 2 * npi;
    r->bic = lik + log(ny) * npi;
    r->aicc = r->aic + 2 * npi * (npi + 1) / (ny - npi - 1);
    r->npar = np;
    r->nm_fail = rc;
    r->nm_count = cnt;
    double sse = 0;
    for (size_t i = 0; i < d->n; i++)
        if (!isnan(d->e[i]))
            sse += d->e[i] * d->e[i];
    mod->sigma2 = sse / (ny - np);
    mod->fallback = ETS_FB_NONE;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* HoltWintersZZ: R's fallback for series too short for the ETS model       */
/* ------------------------------------------------------------------------ */

typedef struct hw_problem {
    const double *y;
    size_t n;
    int m, dotrend, doseason, multseason, exponential;
    int sel[3]; /* which of alpha, beta, gamma are optimised */
    double fixed[3];
    double l0, b0, s0[ETS_MAXM];
    double *season; /* m + n scratch */
} hw_problem;

/* zzhw(): Holt-Winters recursions with phi = 1; returns SSE (NaN terms
 * skipped, the state is then propagated by its prediction).  Fills the last
 * state (R layout) and the fitted values when asked. */
static double hw_run(const hw_problem *h, double alpha, double beta, double gamma, double *xlast, double *fit)
{
    const int m = h->m;
    double *S = h->season;
    double l = h->l0, b = h->dotrend ? h->b0 : 0.0, sse = 0;
    if (!h->dotrend)
        beta = 0;
    if (!h->doseason)
        gamma = 0;
    for (int j = 0; j < m; j++)
        S[j] = h->doseason ? h->s0[j] : (h->multseason ? 1.0 : 0.0);
    for (size_t i = 0; i < h->n; i++) {
        double ls = S[i], tr = h->exponential ? pow(b, 1.0) : b;
        double base = h->exponential ? l * tr : l + tr;
        double xhat = h->multseason ? base * ls : base + ls;
        if (fit)
            fit[i] = xhat;
        double x = h->y[i];
        double nl, nb, ns;
        if (isnan(x)) {
            nl = base;
            ns = ls;
        } else {
            double res = x - xhat;
            sse += res * res;
            nl = h->multseason ? alpha * (x / ls) + (1 - alpha) * base : alpha * (x - ls) + (1 - alpha) * base;
            ns = h->multseason ? gamma * (x / base) + (1 - gamma) * ls : gamma * (x - base) + (1 - gamma) * ls;
        }
        nb = h->exponential ? beta * (nl / l) + (1 - beta) * tr : beta * (nl - l) + (1 - beta) * b;
        l = nl;
        b = nb;
        S[i + (size_t)m] = ns;
    }
    if (xlast) {
        int k = 0;
        xlast[k++] = l;
        if (h->dotrend)
            xlast[k++] = b;
        if (h->doseason)
            for (int i = 1; i <= m; i++)
                xlast[k++] = S[(size_t)(m - i) + h->n];
    }
    return sse;
}

static double hw_objective(size_t np, const double *p, void *vp)
{
    const hw_problem *h = vp;
    double v[3];
    size_t j = 0;
    for (int i = 0; i < 3; i++) {
        if (h->sel[i]) {
            double sn = sin(p[j++]); /* [0, 1] box through p = sin^2(u), see ets_fit_holtwinters */
            v[i] = sn * sn;
        } else {
            v[i] = h->fixed[i];
        }
    }
    (void)np;
    return hw_run(h, v[0], v[1], v[2], NULL, NULL);
}

/* HoltWinters' smoothing parameters: R's starting values (initparam with
 * lower 0, upper 1, "usual"), then Nelder-Mead over u with p = sin^2(u).
 * v gets alpha, beta, gamma; returns how many were estimated, or -1. */
static int hw_estimate(const ets_data *d, hw_problem *h, int dotrend, int doseason, double fixed_alpha, double v[3])
{
    /* initparam(alpha, beta, gamma, phi = 1, ..., lower = 0, upper = 1, m = frequency, "usual") */
    double start[3];
    int np = 0;
    double alpha = fixed_alpha;
    h->sel[0] = isnan(fixed_alpha);
    if (h->sel[0]) {
        alpha = 0.2 / d->period;
        start[np++] = alpha;
    }
    h->fixed[0] = alpha;
    h->sel[1] = dotrend;
    if (dotrend) {
        double beta = 0.1 * fmin(1.0, alpha);
        if (beta < 0 || beta > alpha)
            beta = alpha - 0.001;
        start[np++] = beta;
    }
    h->sel[2] = doseason;
    if (doseason) {
        double gamma = 0.05 * fmin(1.0, 1 - alpha);
        if (gamma < 0 || gamma > 1 - alpha)
            gamma = 1 - alpha - 0.001;
        start[np++] = gamma;
    }
    v[0] = alpha, v[1] = 0, v[2] = 0;
    if (np > 0) {
        /* The box [0, 1]^k is removed by p = sin^2(u), so that optima on the
         * boundary (common here: beta = 1) are reachable, as with R's L-BFGS-B. */
        for (int i = 0; i < np; i++)
            start[i] = asin(sqrt(start[i]));
        civ_nm_control ctl = civ_nm_defaults();
        double fmin;
        int cnt;
        if (civ_nm_minimise((size_t)np, start, &fmin, hw_objective, h, &ctl, d->nm, &cnt) < 0 || !isfinite(fmin))
            return -1;
        int j = 0;
        for (int i = 0; i < 3; i++)
            if (h->sel[i]) {
                double sn = sin(start[j++]);
                v[i] = sn * sn;
            }
    }
    return np;
}

/* R's starting values of HoltWintersZZ into h (whose y, n, m and flags are set): l.start = y[1] and
 * b.start = y[2] - y[1] (or y[2] / y[1]) without a season; with one, the first period's mean, the slope
 * between the first two periods' means and the first period's deviations.  -1 where R's SSE would be NA. */
static int hw_start(hw_problem *h, int m)
{
    const double *y = h->y;
    if (!h->doseason) {
        h->l0 = y[0];
        if (h->dotrend) {
            if (h->n < 2)
                return -1;
            h->b0 = h->exponential ? y[1] / y[0] : y[1] - y[0];
        }
    } else {
        if (h->n < 2 * (size_t)m)
            return -1; /* b.start needs two full periods (R: NA SSE, optim fails) */
        double s1 = 0, s2 = 0;
        for (int i = 0; i < m; i++) {
            s1 += y[i];
            s2 += y[m + i];
        }
        h->l0 = s1 / m;
        h->b0 = (s2 / m - h->l0) / m;
        for (int i = 0; i < m; i++)
            h->s0[i] = h->multseason ? y[i] / h->l0 : y[i] - h->l0;
    }
    if (isnan(h->l0) || (h->dotrend && isnan(h->b0)))
        return -1;
    return 0;
}

/* The fitted Holt-Winters as an ETS model (as forecast::ets reports its HoltWinters fallback): the form, the
 * smoothing parameters v, the initial states in R's order, and the residuals d->e with sigma2 (relative
 * errors for a multiplicative form); d->f holds the one-step forecasts of hw_run. */
static void hw_fill_model(const ets_data *d, const hw_problem *h, const double v[3], ets_model *mod)
{
    int dotrend = h->dotrend, doseason = h->doseason;
    mod->trend = dotrend ? (h->exponential ? ETS_M : ETS_A) : ETS_N;
    mod->season = doseason ? (h->multseason ? ETS_M : ETS_A) : ETS_N;
    mod->error = doseason ? (h->multseason ? ETS_M : ETS_A) : (h->exponential ? ETS_M : ETS_A);
    mod->damped = 0;
    mod->m = h->m;
    mod->p = 1 + (mod->trend != ETS_N) + (doseason ? h->m : 0);
    mod->alpha = v[0];
    mod->beta = dotrend ? v[1] : 0.0;
    mod->gamma = doseason ? v[2] : 0.0;
    mod->phi = 1.0;
    int k = 0;
    mod->x0[k++] = h->l0;
    if (dotrend)
        mod->x0[k++] = h->b0;
    if (doseason) /* states[1, ] as R builds it: s_i = season0[m - i + 1] */
        for (int i = 1; i <= h->m; i++)
            mod->x0[k++] = h->s0[h->m - i];
    double s2 = 0;
    size_t c = 0;
    for (size_t i = 0; i < h->n; i++) {
        if (isnan(h->y[i])) {
            d->e[i] = NAN;
            continue;
        }
        double res = h->y[i] - d->f[i];
        double rel = mod->error == ETS_M ? res / d->f[i] : res;
        d->e[i] = rel;
        s2 += rel * rel;
        c++;
    }
    mod->sigma2 = c ? s2 / (double)c : NAN;
    mod->fallback = ETS_FB_HOLTWINTERS;
}

/* HoltWintersZZ(y, alpha = fixed_alpha (NaN: estimate), beta = dotrend ? NULL
 * : FALSE, gamma = doseason ? NULL : FALSE, seasonal, exponential).  The
 * starting values are R's; R minimises the SSE with L-BFGS-B in [0, 1], here
 * Nelder-Mead over p = sin^2(u) (documented difference: the same minimum
 * when the SSE has one in the box, not the same path). */
static int ets_fit_holtwinters(const ets_data *d, int dotrend, int doseason, int multseason, int exponential,
                               double fixed_alpha, ets_result *r)
{
    hw_problem h;
    memset(&h, 0, sizeof h);
    const double *y = d->y;
    size_t n = d->n;
    int m = d->period;
    if (m <= 1)
        doseason = 0;
    h.y = y;
    h.n = n;
    h.m = doseason ? m : 1;
    h.dotrend = dotrend;
    h.doseason = doseason;
    h.multseason = doseason && multseason;
    h.exponential = exponential;
    h.season = d->work;
    if (doseason && multseason && !d->positive)
        return -1; /* "data must be positive for multiplicative Holt-Winters." */
    if (hw_start(&h, m) != 0)
        return -1;
    double v[3];
    int np = hw_estimate(d, &h, dotrend, doseason, fixed_alpha, v);
    if (np < 0)
        return -1;
    memset(r, 0, sizeof *r);
    ets_model *mod = &r->mod;
    double sse = hw_run(&h, v[0], v[1], v[2], mod->xlast, d->f);
    if (!isfinite(sse))
        return -1;
    hw_fill_model(d, &h, v, mod);
    r->lik = r->loglik = r->aic = r->aicc = r->bic = NAN;
    r->npar = np;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* ets(): checks, fallbacks and the selection loop                          */
/* ------------------------------------------------------------------------ */

static civ_status ets_data_init(ets_data *d, const civ_series *series, civ_workspace *ws)
{
    memset(d, 0, sizeof *d);
    d->id = series->id;
    size_t lead = 0;
    while (lead < series->n && isnan(series->y[lead]))
        lead++;
    d->lead = lead;
    d->y = series->y + lead;
    d->n = series->n - lead;
    d->period = series->period < 1 ? 1 : series->period;
    double mn = INFINITY;
    for (size_t i = 0; i < d->n; i++)
        if (!isnan(d->y[i])) {
            d->nobs++;
            if (d->y[i] < mn)
                mn = d->y[i];
        }
    d->positive = mn > 0;
    size_t n = d->n ? d->n : 1, mm = ETS_MAXM + 2, dim = 4 + ETS_PMAX;
    d->work = civ_arena_doubles(&ws->arena, 6 * n + (size_t)d->period + 2 * n);
    d->e = civ_arena_doubles(&ws->arena, n);
    d->f = civ_arena_doubles(&ws->arena, n);
    d->nm = civ_arena_doubles(&ws->arena, civ_nm_scratch_size(dim));
    d->ring = civ_arena_doubles(&ws->arena, mm);
    d->poly = civ_arena_doubles(&ws->arena, mm * mm);
    d->coef = civ_arena_doubles(&ws->arena, mm + 1);
    d->roots = civ_arena_doubles(&ws->arena, 2 * mm);
    d->par = civ_arena_doubles(&ws->arena, 2 * dim);
    if (!d->work || !d->e || !d->f || !d->nm || !d->ring || !d->poly || !d->coef || !d->roots || !d->par)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for ETS scratch (series of %zu values)", series->n);
    return CIV_OK;
}

static void ets_model_name(const ets_model *mod, char *buf, size_t size)
{
    static const char *comp = "NAM";
    civ_snprintf(buf, size, "ETS(%c,%c%s,%c)", comp[mod->error], comp[mod->trend], mod->damped ? "d" : "",
                 comp[mod->season]);
}

/* Too few observations for the state space models: R's HoltWintersZZ
 * fallback, in R's order of attempts. */
static civ_status ets_short_fallback(const ets_data *d, int T, int S, const civ_where *w, ets_result *best)
{
    if (S == ETS_A || S == ETS_M)
        if (ets_fit_holtwinters(d, 1, 1, S == ETS_M, T == ETS_M, NAN, best) == 0)
            return CIV_OK;
    if (T == ETS_A || T == ETS_M)
        if (ets_fit_holtwinters(d, 1, 0, 0, T == ETS_M, NAN, best) == 0)
            return CIV_OK;
    if (T == ETS_N && S == ETS_N) {
        if (ets_fit_holtwinters(d, 0, 0, 0, 0, NAN, best) == 0)
            return CIV_OK;
    }
    ets_result r1;
    int ok1 = ets_fit_holtwinters(d, 1, 0, 0, T == ETS_M, NAN, &r1) == 0;
    int ok2 = ets_fit_holtwinters(d, 0, 0, 0, T == ETS_M, NAN, best) == 0;
    if (ok1 && (!ok2 || r1.mod.sigma2 < best->mod.sigma2)) {
        /* refit so that the scratch fitted values belong to the winner */
        if (ets_fit_holtwinters(d, 1, 0, 0, T == ETS_M, NAN, best) != 0)
            *best = r1;
        ok2 = 1;
    }
    if (!ok2)
        return civ_fail_at(CIV_ERR_TOO_SHORT, w, "ETS: unable to estimate a model from %zu observations",
                           d->nobs);
    return CIV_OK;
}

/* The best damped-trend candidate of a search, tracked beside the best one
 * (civ_ets_fit_pair): the damped candidates are fitted in the order, by the
 * calls and compared by the criterion that the search restricted to damped
 * trends (damped = 1) would use, so the winner is the one it would select. */
typedef struct ets_damped_track {
    ets_result best;
    int state; /* -1: not tracked (fit the damped search alone), 0: tracked, none fitted, 1: found */
} ets_damped_track;

/* The selection loop of R's ets() over the candidate lists; best (and, when
 * dt is not NULL, dt->best among the damped candidates) by the criterion ic. */
static int ets_search(const ets_config *cfg, civ_criterion ic, civ_ets_crit crit, const ets_data *d,
                      const int *errs, int ne, const int *trends, int nt, const int *seasons, int ns,
                      const int *damps, int nd, ets_result *best, ets_damped_track *dt)
{
    double best_ic = INFINITY, best_damped_ic = INFINITY;
    int found = 0;
    ets_result r;
    for (int i = 0; i < ne; i++)
        for (int j = 0; j < nt; j++)
            for (int k = 0; k < ns; k++)
                for (int l = 0; l < nd; l++) {
                    if (trends[j] == ETS_N && damps[l])
                        continue;
                    if (cfg->restrict_models) {
                        if (errs[i] == ETS_A && (trends[j] == ETS_M || seasons[k] == ETS_M))
                            continue;
                        if (errs[i] == ETS_M && trends[j] == ETS_M && seasons[k] == ETS_A)
                            continue;
                    }
                    if (!d->positive && errs[i] == ETS_M)
                        continue;
                    if (ets_fit_model(d, errs[i], trends[j], seasons[k], damps[l], cfg->bounds, crit, cfg->maxit, &r) != 0)
                        continue;
                    double v = ic == CIV_CRIT_AIC ? r.aic : ic == CIV_CRIT_BIC ? r.bic : r.aicc;
                    if (!isnan(v) && v < best_ic) {
                        best_ic = v;
                        *best = r;
                        found = 1;
                    }
                    if (dt && damps[l] && !isnan(v) && v < best_damped_ic) {
                        best_damped_ic = v;
                        dt->best = r;
                        dt->state = 1;
                    }
                }
    return found;
}

/* R's ets() front end (restrictions, fallbacks, selection loop); fills best.
 * dt (may be NULL; cfg's damped must then be -1, trend Z): also the best
 * damped-trend candidate, when the search restricted to damped trends would
 * run the same loop (dt->state 0 or 1; else -1, also on an error). */
static civ_status ets_run(const ets_config *cfg, civ_criterion ic, civ_ets_crit crit, const ets_data *d,
                          ets_result *best, ets_damped_track *dt)
{
    if (dt)
        dt->state = -1;
    civ_where w = {.series_id = d->id, .field = "y"};
    if (d->nobs < 2)
        return civ_fail_at(CIV_ERR_TOO_SHORT, &w, "ETS needs at least 2 observed values, the series has %zu",
                           d->nobs);
    int m = d->period;
    int E = cfg->error, T = cfg->trend, S = cfg->season;
    size_t n_obs_copied = 0; /* R's is.constant() on the observed values */
    for (size_t i = 0; i < d->n; i++)
        if (!isnan(d->y[i]))
            d->work[n_obs_copied++] = d->y[i];
    if (cfg->missing_model && civ_series_is_constant(d->work, n_obs_copied)) {
        /* R: ses(y, alpha = 0.99999, initial = "simple")$model */
        if (ets_fit_holtwinters(d, 0, 0, 0, 0, 0.99999, best) != 0)
            return civ_fail_at(CIV_ERR_NUMERIC, &w, "ETS: constant series could not be fitted");
        best->mod.fallback = ETS_FB_CONSTANT;
        return CIV_OK;
    }
    if (m < 1 || d->n <= (size_t)m)
        S = ETS_N;
    if (m == 1) {
        if (S == ETS_A || S == ETS_M)
            return civ_fail_at(CIV_ERR_DOMAIN, &w, "seasonal ETS model for non-seasonal data (period 1)");
        S = ETS_N;
    }
    if (m > ETS_MAXM) {
        if (S == ETS_A || S == ETS_M)
            return civ_fail_at(CIV_ERR_DOMAIN, &w,
                               "seasonal ETS needs a period <= 24 (R: \"Frequency too high\"), period is %d", m);
        if (S == ETS_Z)
            S = ETS_N;
    }
    if (!d->positive && E == ETS_M)
        return civ_fail_at(CIV_ERR_DOMAIN, &w, "multiplicative-error ETS needs positive data");
    size_t npars = 2;
    if (T == ETS_A || T == ETS_M)
        npars += 2;
    if (S == ETS_A || S == ETS_M)
        npars += (size_t)m;
    if (cfg->damped > 0)
        npars += 1;
    if (d->nobs <= npars + 4)
        return ets_short_fallback(d, T, S, &w, best);
    int errs[2], trends[3], seasons[3], damps[2];
    int ne = 0, nt = 0, ns = 0, nd = 0;
    if (E == ETS_Z) {
        errs[ne++] = ETS_A;
        errs[ne++] = ETS_M;
    } else
        errs[ne++] = E;
    if (T == ETS_Z) {
        trends[nt++] = ETS_N;
        trends[nt++] = ETS_A;
        if (cfg->mult_trend)
            trends[nt++] = ETS_M;
    } else
        trends[nt++] = T;
    if (S == ETS_Z) {
        seasons[ns++] = ETS_N;
        seasons[ns++] = ETS_A;
        seasons[ns++] = ETS_M;
    } else
        seasons[ns++] = S;
    if (cfg->damped < 0) {
        damps[nd++] = 1;
        damps[nd++] = 0;
    } else
        damps[nd++] = cfg->damped;
    /* the damped search's own too-short rule counts its damping parameter */
    if (dt && cfg->damped < 0 && cfg->trend == ETS_Z && d->nobs > npars + 1 + 4)
        dt->state = 0;
    else
        dt = NULL;
    int found = ets_search(cfg, ic, crit, d, errs, ne, trends, nt, seasons, ns, damps, nd, best, dt);
    if (!found)
        return civ_fail_at(CIV_ERR_NUMERIC, &w, "ETS: no model could be fitted (R: \"No model able to be fitted\")");
    return CIV_OK;
}

/* Fills the public fit from a result; refilters to get fitted values. */
/* The smoothing parameters as R prints them (alpha, then beta, gamma, phi where the form has them) into
 * names/values (room for 4); returns how many. */
static size_t ets_report_params(const ets_model *mod, const char **names, double *values)
{
    size_t k = 0;
    names[k] = "alpha";
    values[k++] = mod->alpha;
    if (mod->trend) {
        names[k] = "beta";
        values[k++] = mod->beta;
    }
    if (mod->season) {
        names[k] = "gamma";
        values[k++] = mod->gamma;
    }
    if (mod->damped) {
        names[k] = "phi";
        values[k++] = mod->phi;
    }
    return k;
}

/* The initial states as R prints them (l, b, s1..sm) into names/values (room for ETS_PMAX); returns how
 * many. */
static size_t ets_report_states(const ets_model *mod, const char **names, double *values)
{
    static const char *season_names[ETS_MAXM] = {"s1",  "s2",  "s3",  "s4",  "s5",  "s6",  "s7",  "s8",
                                                 "s9",  "s10", "s11", "s12", "s13", "s14", "s15", "s16",
                                                 "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24"};
    size_t q = 0;
    names[q] = "l";
    values[q] = mod->x0[q];
    q++;
    if (mod->trend) {
        names[q] = "b";
        values[q] = mod->x0[q];
        q++;
    }
    if (mod->season)
        for (int j = 0; j < mod->m; j++, q++) {
            names[q] = season_names[j];
            values[q] = mod->x0[q];
        }
    return q;
}

static civ_status ets_fill_fit(const ets_result *res, const ets_data *d, const civ_series *series,
                               const civ_model_options *options, civ_workspace *ws, civ_model_fit *fit)
{
    ets_model *mod = civ_arena_alloc(&ws->arena, sizeof *mod);
    size_t N = series->n;
    double *fitted = civ_arena_doubles(&ws->arena, N ? N : 1);
    double *resid = civ_arena_doubles(&ws->arena, N ? N : 1);
    const char **pn = civ_arena_alloc(&ws->arena, 4 * sizeof *pn);
    double *pv = civ_arena_doubles(&ws->arena, 4);
    const char **sn = civ_arena_alloc(&ws->arena, ETS_PMAX * sizeof *sn);
    double *sv = civ_arena_doubles(&ws->arena, ETS_PMAX);
    if (!mod || !fitted || !resid || !pn || !pv || !sn || !sv)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for an ETS fit");
    *mod = res->mod;
    mod->n_paths = options && options->n_paths > 0 ? options->n_paths : 5000;
    /* fitted values: rerun the filter from x0 (the HW path filled d->f already) */
    if (mod->fallback == ETS_FB_NONE) {
        ets_out o = {d->e, d->f, NULL, 0, 0};
        ets_filter(d->y, d->n, mod->x0, mod->m, mod->error, mod->trend, mod->season, mod->alpha, mod->beta,
                   mod->gamma, mod->phi, d->ring, &o);
    }
    for (size_t i = 0; i < N; i++) {
        if (i < d->lead) {
            fitted[i] = resid[i] = NAN;
            continue;
        }
        double f = d->f[i - d->lead], yv = series->y[i];
        fitted[i] = f;
        resid[i] = isnan(yv) ? NAN : yv - f;
    }
    memset(fit->name, 0, sizeof fit->name);
    ets_model_name(mod, fit->name, sizeof fit->name);
    fit->n = N;
    fit->fitted = fitted;
    fit->residuals = resid;
    fit->sigma2 = mod->sigma2;
    fit->param_names = pn;
    fit->params = pv;
    fit->n_report_params = ets_report_params(mod, pn, pv);
    fit->state_names = sn;
    fit->states = sv;
    fit->n_states = ets_report_states(mod, sn, sv);
    if (mod->fallback == ETS_FB_NONE) {
        fit->loglik = res->loglik;
        fit->aic = res->aic;
        fit->aicc = res->aicc;
        fit->bic = res->bic;
        fit->n_params = (size_t)res->npar + 1;
    } else {
        fit->loglik = fit->aic = fit->aicc = fit->bic = NAN;
        fit->n_params = (size_t)res->npar;
    }
    fit->state = mod;
    return CIV_OK;
}

static civ_status ets_fit(const void *config, const civ_model_options *options, const civ_series *series,
                          civ_workspace *ws, civ_model_fit *fit)
{
    const ets_config *cfg = config;
    if (!series || !series->y || !ws || !fit)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "ETS fit: NULL argument");
    ets_data d;
    civ_status st = ets_data_init(&d, series, ws);
    if (st != CIV_OK)
        return st;
    ets_result best;
    civ_criterion ic = options ? options->criterion : CIV_CRIT_AICC;
    st = ets_run(cfg, ic, CIV_ETS_CRIT_LIK, &d, &best, NULL);
    if (st != CIV_OK)
        return st;
    fit->type = &civ_model_ets;
    return ets_fill_fit(&best, &d, series, options, ws, fit);
}

/* The form `like` chose (error, trend, season, damping) fitted afresh, the
 * config's other options kept; the config's own search where like was a
 * fallback (Holt-Winters on a short series, a constant series) or where the
 * form cannot be fitted to this series (conformal.c's calibration windows). */
static civ_status ets_refit(const civ_model_fit *like, const void *config, const civ_model_options *options,
                            const civ_series *series, civ_workspace *ws, civ_model_fit *fit)
{
    const ets_model *chosen = like ? like->state : NULL;
    if (!chosen || chosen->fallback != ETS_FB_NONE)
        return ets_fit(config, options, series, ws, fit);
    ets_config fixed = *(const ets_config *)config;
    fixed.error = chosen->error;
    fixed.trend = chosen->trend;
    fixed.season = chosen->season;
    fixed.damped = chosen->damped;
    civ_status st = ets_fit(&fixed, options, series, ws, fit);
    if (st == CIV_OK || st == CIV_ERR_OUT_OF_MEMORY || st == CIV_ERR_INVALID_ARGUMENT)
        return st;
    civ_clear_error();
    return ets_fit(config, options, series, ws, fit);
}

/* 1 when the damped configuration is the automatic one restricted to damped
 * trends: the same error, season, bounds, restriction, multiplicative-trend
 * and maxit options, trend Z, damped "try both" (all) and "yes" (damped). */
static int ets_pair_shares(const ets_config *all, const ets_config *damped)
{
    return all->damped < 0 && damped->damped == 1 && all->trend == ETS_Z && damped->trend == ETS_Z &&
           all->error == damped->error && all->season == damped->season && all->bounds == damped->bounds &&
           all->restrict_models == damped->restrict_models && all->mult_trend == damped->mult_trend &&
           (all->maxit > 0 ? all->maxit : 2000) == (damped->maxit > 0 ? damped->maxit : 2000) &&
           (all->missing_model || !damped->missing_model);
}

/* One fit as ets_fit, its status in *status and a failure's message in why. */
static civ_status ets_fit_alone(const ets_config *cfg, const civ_model_options *options, const civ_series *series,
                                civ_workspace *ws, civ_model_fit *fit, civ_status *status, char *why, size_t cap)
{
    *status = ets_fit(cfg, options, series, ws, fit);
    if (*status != CIV_OK)
        civ_copy_truncated(why, cap, civ_last_error_message());
    return *status == CIV_ERR_OUT_OF_MEMORY ? *status : CIV_OK;
}

civ_status civ_ets_fit_pair(const void *config_all, const void *config_damped, const civ_model_options *options,
                            const civ_series *series, civ_workspace *ws, civ_model_fit *fit_all,
                            civ_model_fit *fit_damped, civ_status status[2], char *why_all, char *why_damped,
                            size_t why_cap)
{
    const ets_config *ca = config_all, *cd = config_damped;
    if (!ca || !cd || !series || !series->y || !ws || !fit_all || !fit_damped || !status || !why_all || !why_damped)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "ETS pair fit: NULL argument");
    why_all[0] = why_damped[0] = 0;
    if (!ets_pair_shares(ca, cd)) {
        civ_status s = ets_fit_alone(ca, options, series, ws, fit_all, &status[0], why_all, why_cap);
        return s != CIV_OK ? s : ets_fit_alone(cd, options, series, ws, fit_damped, &status[1], why_damped, why_cap);
    }
    ets_data d;
    civ_status st = ets_data_init(&d, series, ws);
    if (st != CIV_OK)
        return st;
    ets_result best;
    ets_damped_track dt;
    civ_criterion ic = options ? options->criterion : CIV_CRIT_AICC;
    status[0] = ets_run(ca, ic, CIV_ETS_CRIT_LIK, &d, &best, &dt);
    if (status[0] == CIV_OK) {
        fit_all->type = &civ_model_ets;
        status[0] = ets_fill_fit(&best, &d, series, options, ws, fit_all);
    }
    if (status[0] == CIV_ERR_OUT_OF_MEMORY)
        return status[0];
    if (status[0] != CIV_OK)
        civ_copy_truncated(why_all, why_cap, civ_last_error_message());
    if (dt.state < 0) /* the damped search would not run the same loop: alone */
        return ets_fit_alone(cd, options, series, ws, fit_damped, &status[1], why_damped, why_cap);
    if (dt.state == 0) { /* the same failure as the damped search alone */
        civ_where w = {.series_id = d.id, .field = "y"};
        status[1] = civ_fail_at(CIV_ERR_NUMERIC, &w, "ETS: no model could be fitted (R: \"No model able to be fitted\")");
        civ_copy_truncated(why_damped, why_cap, civ_last_error_message());
        return CIV_OK;
    }
    fit_damped->type = &civ_model_ets;
    status[1] = ets_fill_fit(&dt.best, &d, series, options, ws, fit_damped);
    if (status[1] == CIV_ERR_OUT_OF_MEMORY)
        return status[1];
    if (status[1] != CIV_OK)
        civ_copy_truncated(why_damped, why_cap, civ_last_error_message());
    return CIV_OK;
}

civ_status civ_ets_fit_ann(const double *y, size_t n, civ_ets_crit crit, civ_workspace *ws, civ_ets_ann *out)
{
    if (!y || !ws || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_ets_fit_ann: NULL argument");
    civ_series s = {.id = "", .y = y, .n = n, .period = 1};
    ets_data d;
    civ_status st = ets_data_init(&d, &s, ws);
    if (st != CIV_OK)
        return st;
    ets_config cfg = {ETS_A, ETS_N, ETS_N, 0, ETS_BOUNDS_BOTH, 1, 0, 0, 0};
    ets_result r;
    st = ets_run(&cfg, CIV_CRIT_AICC, crit, &d, &r, NULL);
    if (st != CIV_OK)
        return st;
    out->alpha = r.mod.alpha;
    out->l0 = r.mod.x0[0];
    out->last_level = r.mod.xlast[0];
    out->sigma2 = r.mod.sigma2;
    out->loglik = r.loglik;
    out->fallback = r.mod.fallback != ETS_FB_NONE;
    return CIV_OK;
}

/* ------------------------------------------------------------------------ */
/* Forecast means and variances (forecast.ets: class1, class2, class3)      */
/* ------------------------------------------------------------------------ */

/* HKOS sec. 6.2 (class 1) as forecast:::class1: with H, F, G of the linear
 * model, mu_j = H F^(j-1) x_n, c_j = H F^(j-1) G and
 * v_h = sigma2 (1 + sum_{j<h} c_j^2).  R's G puts gamma in row 3 whatever
 * the trend (so for ETS(A,N,A) it sits on s2); ported as is to match R. */
static civ_status ets_class1(const ets_model *mod, size_t h, civ_workspace *ws, double *mu, double *var, double *cj)
{
    const int p = mod->p, m = mod->m;
    double *F = civ_arena_doubles(&ws->arena, (size_t)p * p);
    double *v = civ_arena_doubles(&ws->arena, (size_t)p);
    double *v2 = civ_arena_doubles(&ws->arena, (size_t)p);
    double G[ETS_PMAX] = {0};
    if (!F || !v || !v2)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for ETS forecast variances");
    memset(F, 0, sizeof *F * (size_t)p * p);
    memset(v, 0, sizeof *v * (size_t)p);
    const double phi = mod->damped ? mod->phi : 1.0;
#define FM(i, j) F[(size_t)(i) * p + (j)]
    v[0] = 1; /* v = H */
    if (mod->season == ETS_A)
        v[p - 1] = 1;
    if (mod->trend == ETS_A)
        v[1] = phi;
    FM(0, 0) = 1;
    if (mod->trend == ETS_A)
        FM(0, 1) = FM(1, 1) = phi;
    if (mod->season == ETS_A) {
        FM(p - m, p - 1) = 1;
        for (int k = 0; k < m - 1; k++)
            FM(p - m + 1 + k, p - m + k) = 1;
    }
    G[0] = mod->alpha;
    if (mod->trend == ETS_A)
        G[1] = mod->beta;
    if (mod->season == ETS_A)
        G[2] = mod->gamma;
    double csum = 0;
    for (size_t i = 0; i < h; i++) {
        double a = 0, c = 0;
        for (int k = 0; k < p; k++) {
            a += v[k] * mod->xlast[k];
            c += v[k] * G[k];
        }
        mu[i] = a;
        if (cj)
            cj[i] = c;
        var[i] = mod->sigma2 * (1 + csum);
        csum += c * c;
        for (int j = 0; j < p; j++) { /* v <- v F */
            double s = 0;
            for (int k = 0; k < p; k++)
                s += v[k] * FM(k, j);
            v2[j] = s;
        }
        memcpy(v, v2, sizeof *v * (size_t)p);
    }
#undef FM
    return CIV_OK;
}

/* HKOS sec. 6.3 (class 2) as forecast:::class2. */
static civ_status ets_class2(const ets_model *mod, size_t h, civ_workspace *ws, double *mu, double *var)
{
    double *cj = civ_arena_doubles(&ws->arena, h);
    double *theta = civ_arena_doubles(&ws->arena, h);
    if (!cj || !theta)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for ETS forecast variances");
    civ_status st = ets_class1(mod, h, ws, mu, var, cj);
    if (st != CIV_OK)
        return st;
    const double s2 = mod->sigma2;
    for (size_t j = 0; j < h; j++) {
        double t = mu[j] * mu[j];
        for (size_t k = 0; k < j; k++)
            t += s2 * cj[k] * cj[k] * theta[j - 1 - k];
        theta[j] = t;
        var[j] = (1 + s2) * theta[j] - mu[j] * mu[j];
    }
    return CIV_OK;
}

/* C = A B (r x k times k x c), or with B transposed (B is c x k). */
static void mat_mul(const double *A, const double *B, double *C, int r, int k, int c, int bt)
{
    for (int i = 0; i < r; i++)
        for (int j = 0; j < c; j++) {
            double s = 0;
            for (int l = 0; l < k; l++)
                s += A[i * k + l] * (bt ? B[j * k + l] : B[l * c + j]);
            C[i * c + j] = s;
        }
}

/* Kronecker product A (a x a) x B (b x b) into K (ab x ab). */
static void kron(const double *A, int a, const double *B, int b, double *K)
{
    int n = a * b;
    for (int i = 0; i < a; i++)
        for (int j = 0; j < a; j++)
            for (int k = 0; k < b; k++)
                for (int l = 0; l < b; l++)
                    K[(i * b + k) * n + j * b + l] = A[i * a + j] * B[k * b + l];
}

/* The matrices of forecast:::class3 for one model, and the work of its recursion: p1 = 1 + (trend), the
 * state dimension dd = p1 m; F1, G1 (p1 x p1), F2, G2 (m x m), F21 = F2 x F1, G21 = G2 x G1,
 * K = G2 x F1 + F2 x G1 (dd x dd); Vh, Mh the variance and mean recursions' states; the rest scratch. */
typedef struct class3_work {
    int m, p1, dd;
    double s2;
    double F1[4], G1[4];
    double *F2, *G2, *F21, *G21, *K, *T1, *T2, *W, *Vh, *Vn, *Mh, *Mn, *vm;
} class3_work;

/* Allocates c's arrays from the arena and builds the matrices of the model; -1 when out of memory. */
static int class3_setup(const ets_model *mod, civ_workspace *ws, class3_work *c)
{
    const int m = mod->m, p1 = 1 + (mod->trend != ETS_N), dd = p1 * m;
    const double phi = mod->damped ? mod->phi : 1.0;
    memset(c, 0, sizeof *c);
    c->m = m, c->p1 = p1, c->dd = dd, c->s2 = mod->sigma2;
    if (p1 == 1) {
        c->F1[0] = 1;
        c->G1[0] = mod->alpha;
    } else {
        c->F1[0] = 1, c->F1[1] = 1, c->F1[2] = 0, c->F1[3] = phi;
        c->G1[0] = c->G1[1] = mod->alpha;
        c->G1[2] = c->G1[3] = mod->beta;
    }
    size_t D2 = (size_t)dd * dd, M2 = (size_t)m * m;
    civ_arena *A = &ws->arena;
    c->F2 = civ_arena_doubles(A, M2), c->G2 = civ_arena_doubles(A, M2);
    c->F21 = civ_arena_doubles(A, D2), c->G21 = civ_arena_doubles(A, D2);
    c->K = civ_arena_doubles(A, D2), c->T1 = civ_arena_doubles(A, D2);
    c->Vh = civ_arena_doubles(A, D2), c->Vn = civ_arena_doubles(A, D2);
    c->W = civ_arena_doubles(A, D2), c->T2 = civ_arena_doubles(A, D2);
    c->Mh = civ_arena_doubles(A, (size_t)dd), c->Mn = civ_arena_doubles(A, (size_t)dd);
    c->vm = civ_arena_doubles(A, (size_t)dd);
    if (!c->F2 || !c->G2 || !c->F21 || !c->G21 || !c->K || !c->T1 || !c->Vh || !c->Vn || !c->W || !c->T2 ||
        !c->Mh || !c->Mn || !c->vm)
        return -1;
    memset(c->F2, 0, M2 * sizeof *c->F2);
    memset(c->G2, 0, M2 * sizeof *c->G2);
    c->F2[m - 1] = 1; /* first row (0, ..., 0, 1), then (I_{m-1}, 0) */
    for (int i = 1; i < m; i++)
        c->F2[i * m + i - 1] = 1;
    c->G2[m - 1] = mod->gamma;
    kron(c->F2, m, c->F1, p1, c->F21);
    kron(c->G2, m, c->G1, p1, c->G21);
    kron(c->G2, m, c->F1, p1, c->K);
    kron(c->F2, m, c->G1, p1, c->T1);
    for (size_t i = 0; i < D2; i++)
        c->K[i] += c->T1[i];
    /* Mh (p1 x m) = x[0..p1) x[p1..p1+m)'; stored as vec (column-major) */
    const double *x = mod->xlast;
    for (int col = 0; col < m; col++)
        for (int r = 0; r < p1; r++)
            c->Mh[col * p1 + r] = x[r] * x[p1 + col];
    memset(c->Vh, 0, D2 * sizeof *c->Vh);
    return 0;
}

/* One step of class3's variance recursion, with vm = vec(Mh) of the step:
 * Vh <- F21 Vh F21' + s2 (F21 Vh G21' + G21 Vh F21' + K (Vh + vm vm') K' + s2 G21 (3 Vh + 2 vm vm') G21'). */
static void class3_next_variance(class3_work *c)
{
    const int dd = c->dd;
    const size_t D2 = (size_t)dd * dd;
    const double s2 = c->s2;
    double *Vh = c->Vh, *Vn = c->Vn, *T1 = c->T1, *T2 = c->T2, *W = c->W, *vm = c->vm;
    /* Vn = F21 Vh F21' */
    mat_mul(c->F21, Vh, T1, dd, dd, dd, 0);
    mat_mul(T1, c->F21, Vn, dd, dd, dd, 1);
    /* + s2 (F21 Vh G21' + G21 Vh F21') */
    mat_mul(T1, c->G21, T2, dd, dd, dd, 1);
    for (size_t q = 0; q < D2; q++)
        Vn[q] += s2 * (T2[q] + T2[(q % dd) * dd + q / dd]); /* G21 Vh F21' = (F21 Vh G21')' */
    /* + s2 K (Vh + vm vm') K' */
    for (int a = 0; a < dd; a++)
        for (int b = 0; b < dd; b++)
            W[a * dd + b] = Vh[a * dd + b] + vm[a] * vm[b];
    mat_mul(c->K, W, T1, dd, dd, dd, 0);
    mat_mul(T1, c->K, T2, dd, dd, dd, 1);
    for (size_t q = 0; q < D2; q++)
        Vn[q] += s2 * T2[q];
    /* + s2^2 G21 (3 Vh + 2 vm vm') G21' */
    for (int a = 0; a < dd; a++)
        for (int b = 0; b < dd; b++)
            W[a * dd + b] = 3 * Vh[a * dd + b] + 2 * vm[a] * vm[b];
    mat_mul(c->G21, W, T1, dd, dd, dd, 0);
    mat_mul(T1, c->G21, T2, dd, dd, dd, 1);
    for (size_t q = 0; q < D2; q++)
        Vn[q] += s2 * s2 * T2[q];
    memcpy(Vh, Vn, D2 * sizeof *Vh);
}

/* One step of class3's mean recursion from vm = vec(Mh): Mh <- F1 Mh F2' + G1 Mh G2' s2 (matrices p1 x m,
 * Mh[r][c] = vec[c p1 + r]). */
static void class3_next_mean(class3_work *c)
{
    const int p1 = c->p1, m = c->m;
    for (int r = 0; r < p1; r++)
        for (int col = 0; col < m; col++) {
            double s = 0, g = 0;
            for (int a = 0; a < p1; a++)
                for (int b = 0; b < m; b++) {
                    double mv = c->vm[b * p1 + a];
                    s += c->F1[r * p1 + a] * mv * c->F2[col * m + b];
                    g += c->G1[r * p1 + a] * mv * c->G2[col * m + b];
                }
            c->Mn[col * p1 + r] = s + g * c->s2;
        }
    memcpy(c->Mh, c->Mn, (size_t)c->dd * sizeof *c->Mh);
}

/* HKOS sec. 6.4 (class 3: multiplicative error and seasonality) as
 * forecast:::class3, including its mean (which carries a sigma2 term). */
static civ_status ets_class3(const ets_model *mod, size_t h, civ_workspace *ws, double *mu, double *var)
{
    class3_work c;
    if (class3_setup(mod, ws, &c) != 0)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for ETS class-3 variances");
    const int m = c.m, p1 = c.p1, dd = c.dd;
    for (size_t i = 0; i < h; i++) {
        double mui = 0; /* H1 Mh H2' = sum of the last column */
        for (int r = 0; r < p1; r++)
            mui += c.Mh[(m - 1) * p1 + r];
        mu[i] = mui;
        /* H21 = H2 x H1 selects the last p1 entries of vec: sum of Vh block */
        double hv = 0;
        for (int a = 0; a < p1; a++)
            for (int b = 0; b < p1; b++)
                hv += c.Vh[((m - 1) * p1 + a) * dd + (m - 1) * p1 + b];
        var[i] = (1 + c.s2) * hv + c.s2 * mui * mui;
        if (i + 1 == h)
            break;
        memcpy(c.vm, c.Mh, (size_t)dd * sizeof *c.vm);
        class3_next_variance(&c);
        class3_next_mean(&c);
    }
    return CIV_OK;
}

/* Which analytic class forecast.ets uses (0 = simulate). */
static int ets_class(const ets_model *mod)
{
    if (mod->error == ETS_A && mod->trend != ETS_M && mod->season != ETS_M)
        return 1;
    if (mod->error == ETS_M && mod->trend != ETS_M && mod->season != ETS_M)
        return 2;
    if (mod->error == ETS_M && mod->season == ETS_M && mod->trend != ETS_M)
        return 3;
    return 0;
}

/* simulate.ets(future = TRUE) + etssimulate: Gaussian errors with sd
 * sqrt(sigma2), truncated at -1 for multiplicative errors. A path on which a
 * multiplicative trend turns negative is NaN (R stops with an error). */
static civ_status ets_simulate(const civ_model_fit *fit, const civ_series *series, size_t h, size_t n_paths,
                               civ_workspace *ws, double *paths)
{
    (void)series;
    if (!fit || !fit->state || !ws || !ws->rng || (!paths && h > 0 && n_paths > 0))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "ETS simulate: NULL argument");
    const ets_model *mod = fit->state;
    const int m = mod->m, season = mod->season, trend = mod->trend, off = 1 + (trend != ETS_N);
    const double sd = sqrt(mod->sigma2 > 0 ? mod->sigma2 : 0.0);
    double ring[ETS_MAXM];
    const int phi_is_one = fabs(mod->phi - 1.0) < ETS_TOL;
    for (size_t pth = 0; pth < n_paths; pth++) {
        double *out = paths + pth * h;
        double l = mod->xlast[0], b = trend ? mod->xlast[1] : 0.0;
        size_t pos = 0;
        if (season)
            for (int j = 0; j < m; j++)
                ring[j] = mod->xlast[off + m - 1 - j];
        int bad = 0;
        for (size_t i = 0; i < h; i++) {
            double e = sd > 0 ? gsl_ran_gaussian(ws->rng, sd) : 0.0;
            if (bad) {
                out[i] = NAN;
                continue;
            }
            if (mod->error == ETS_M && e < -1)
                e = -1;
            double phib = 0, q;
            if (trend == ETS_N)
                q = l;
            else if (trend == ETS_A) {
                phib = mod->phi * b;
                q = l + phib;
            } else {
                if (b < 0) {
                    bad = 1;
                    for (size_t k = 0; k <= i; k++)
                        out[k] = NAN;
                    continue;
                }
                phib = phi_is_one ? b : pow(b, mod->phi);
                q = l * phib;
            }
            double olds = season ? ring[pos] : 0;
            double f = season == ETS_A ? q + olds : season == ETS_M ? q * olds : q;
            double yv = mod->error == ETS_A ? f + e : f * (1 + e);
            out[i] = yv;
            double pp = season == ETS_N ? yv : season == ETS_A ? yv - olds
                                           : (fabs(olds) < ETS_TOL ? ETS_HUGEN : yv / olds);
            double oldl = l;
            l = q + mod->alpha * (pp - q);
            if (trend) {
                double r = trend == ETS_A ? l - oldl : (fabs(oldl) < ETS_TOL ? ETS_HUGEN : l / oldl);
                b = phib + (mod->beta / mod->alpha) * (r - phib);
            }
            if (season) {
                double t = season == ETS_A ? yv - q : (fabs(q) < ETS_TOL ? ETS_HUGEN : yv / q);
                ring[pos] = olds + mod->gamma * (t - olds);
                pos = pos + 1 == (size_t)m ? 0 : pos + 1;
            }
        }
    }
    return CIV_OK;
}

static civ_status ets_forecast(const civ_model_fit *fit, const civ_series *series, size_t h, const double *levels,
                               size_t n_levels, civ_workspace *ws, double *mean, double *lower, double *upper)
{
    if (!fit || !fit->state || !ws || !mean || (n_levels && (!levels || !lower || !upper)))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "ETS forecast: NULL argument");
    if (h == 0)
        return CIV_OK;
    const ets_model *mod = fit->state;
    int cls = ets_class(mod);
    double *var = civ_arena_doubles(&ws->arena, h);
    if (!var)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for ETS forecasts");
    civ_status st = CIV_OK;
    if (cls == 1)
        st = ets_class1(mod, h, ws, mean, var, NULL);
    else if (cls == 2)
        st = ets_class2(mod, h, ws, mean, var);
    else if (cls == 3)
        st = ets_class3(mod, h, ws, mean, var);
    else
        ets_point_forecast(mod->xlast, mod->m, mod->trend, mod->season, mod->damped ? mod->phi : 1.0, mean, h);
    if (st != CIV_OK)
        return st;
    for (size_t l = 0; l < n_levels; l++)
        if (!(levels[l] > 0 && levels[l] < 100))
            return civ_fail(CIV_ERR_INVALID_ARGUMENT, "interval level %g is not in (0, 100)", levels[l]);
    if (n_levels == 0)
        return CIV_OK;
    if (cls) {
        for (size_t l = 0; l < n_levels; l++) {
            double z = civ_normal_quantile_for_level(levels[l]);
            for (size_t j = 0; j < h; j++) {
                double me = sqrt(var[j]) * z;
                lower[l * h + j] = mean[j] - me;
                upper[l * h + j] = mean[j] + me;
            }
        }
        return CIV_OK;
    }
    size_t np = (size_t)mod->n_paths;
    double *paths = civ_arena_doubles(&ws->arena, np * h);
    if (!paths)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for %zu ETS sample paths", np);
    st = ets_simulate(fit, series, h, np, ws, paths);
    if (st != CIV_OK)
        return st;
    return civ_intervals_from_paths(paths, np, h, levels, n_levels, ws, lower, upper);
}

/* ------------------------------------------------------------------------ */
/* Specs                                                                    */
/* ------------------------------------------------------------------------ */

static int ets_token_eq(const char *a, size_t len, const char *b)
{
    return strlen(b) == len && strncmp(a, b, len) == 0;
}

/* One of the three component letters of ETS(E,T,S) (idx 0, 1, 2) into cfg. */
static civ_status ets_parse_component(ets_config *cfg, int idx, const char *tok, size_t len, const char *spec,
                                      const civ_where *w)
{
    static const char *letters[] = {"n", "a", "m", "z"};
    static const int kinds[] = {ETS_N, ETS_A, ETS_M, ETS_Z};
    if (idx == 1) {
        static const char *names[] = {"n", "a", "ad", "m", "md", "z"};
        static const int tr[] = {ETS_N, ETS_A, ETS_A, ETS_M, ETS_M, ETS_Z};
        static const int dp[] = {0, 0, 1, 0, 1, -1};
        for (int i = 0; i < 6; i++)
            if (ets_token_eq(tok, len, names[i])) {
                cfg->trend = tr[i];
                cfg->damped = dp[i];
                return CIV_OK;
            }
        return civ_fail_at(CIV_ERR_SPEC, w, "ETS spec '%s': trend type must be N, A, Ad, M, Md or Z", spec);
    }
    for (int i = idx == 0 ? 1 : 0; i < 4; i++) /* the error type has no N */
        if (ets_token_eq(tok, len, letters[i])) {
            *(idx == 0 ? &cfg->error : &cfg->season) = kinds[i];
            return CIV_OK;
        }
    return civ_fail_at(CIV_ERR_SPEC, w, idx == 0 ? "ETS spec '%s': error type must be A, M or Z"
                                                 : "ETS spec '%s': season type must be N, A, M or Z",
                       spec);
}

/* An option after the three letters (bounds=, restrict=, mtrend=, damped=, maxit=) into cfg; damped= goes to
 * *damped_opt, checked against the trend once every token is read. */
static civ_status ets_parse_option(ets_config *cfg, const char *tok, size_t len, const char *spec, const civ_where *w,
                                   int *damped_opt)
{
    static const struct {
        const char *text;
        int bounds, restrict_models, mult_trend, damped;
    } flags[] = {
        {"bounds=both", ETS_BOUNDS_BOTH, -1, -1, -2},   {"bounds=usual", ETS_BOUNDS_USUAL, -1, -1, -2},
        {"bounds=admissible", ETS_BOUNDS_ADMISSIBLE, -1, -1, -2},
        {"restrict=false", -1, 0, -1, -2},              {"restrict=true", -1, 1, -1, -2},
        {"mtrend=true", -1, -1, 1, -2},                 {"mtrend=false", -1, -1, 0, -2},
        {"damped=true", -1, -1, -1, 1},                 {"damped=false", -1, -1, -1, 0},
    };
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        if (!ets_token_eq(tok, len, flags[i].text))
            continue;
        if (flags[i].bounds >= 0)
            cfg->bounds = flags[i].bounds;
        if (flags[i].restrict_models >= 0)
            cfg->restrict_models = flags[i].restrict_models;
        if (flags[i].mult_trend >= 0)
            cfg->mult_trend = flags[i].mult_trend;
        if (flags[i].damped != -2)
            *damped_opt = flags[i].damped;
        return CIV_OK;
    }
    if (len > 6 && strncmp(tok, "maxit=", 6) == 0) {
        char *end;
        long v = strtol(tok + 6, &end, 10);
        if (end != tok + len || v < 1 || v > 100000)
            return civ_fail_at(CIV_ERR_SPEC, w, "ETS spec '%s': maxit must be an integer in 1..100000", spec);
        cfg->maxit = (int)v;
        return CIV_OK;
    }
    return civ_fail_at(CIV_ERR_SPEC, w,
                       "ETS spec '%s': unknown option '%.*s' (bounds=both|usual|admissible, "
                       "restrict=true|false, mtrend=true|false, damped=true|false, maxit=N)",
                       spec, (int)len, tok);
}

/* The checks of a parsed ETS(E,T,S,...) that need all of it. */
static civ_status ets_check_config(ets_config *cfg, int damped_opt, const char *spec, const civ_where *w)
{
    if (damped_opt != -2) {
        if (cfg->trend != ETS_Z)
            return civ_fail_at(CIV_ERR_SPEC, w, "ETS spec '%s': damped= applies only to trend Z (write Ad or Md)",
                               spec);
        cfg->damped = damped_opt;
    }
    if (cfg->trend == ETS_N && cfg->damped > 0)
        return civ_fail_at(CIV_ERR_SPEC, w, "ETS spec '%s': a damped model needs a trend", spec);
    if (cfg->restrict_models && ((cfg->error == ETS_A && (cfg->trend == ETS_M || cfg->season == ETS_M)) ||
                                 (cfg->error == ETS_M && cfg->trend == ETS_M && cfg->season == ETS_A)))
        return civ_fail_at(CIV_ERR_SPEC, w,
                           "ETS spec '%s': forbidden model combination (unstable: additive error with "
                           "multiplicative components, or M,M,A), as R's ets(restrict = TRUE); "
                           "add ',restrict=false' to fit it anyway",
                           spec);
    return CIV_OK;
}

static civ_status ets_parse(const char *spec, void *config)
{
    ets_config *cfg = config;
    char buf[128];
    size_t L = 0;
    for (const char *p = spec; *p && L + 1 < sizeof buf; p++)
        if (!civ_ascii_isspace((unsigned char)*p))
            buf[L++] = (char)civ_ascii_tolower((unsigned char)*p);
    buf[L] = 0;
    memset(cfg, 0, sizeof *cfg);
    cfg->bounds = ETS_BOUNDS_BOTH;
    cfg->restrict_models = 1;
    if (strcmp(buf, "ets") == 0) { /* "auto" is the combination (models/combination.c, M1 decision) */
        cfg->error = cfg->trend = cfg->season = ETS_Z;
        cfg->damped = -1;
        cfg->missing_model = 1;
        return CIV_OK;
    }
    if (strncmp(buf, "ets(", 4) != 0)
        return CIV_ERR_NOT_FOUND;
    civ_where w = {.field = "model"};
    if (strncmp(buf, "ets(maxit=", 10) == 0) { /* R's ets(y, maxit = N): automatic ETS, N evaluations per model */
        char *end;
        long v = strtol(buf + 10, &end, 10);
        if (end == buf + 10 || strcmp(end, ")") != 0 || v < 1 || v > 100000)
            return civ_fail_at(CIV_ERR_SPEC, &w, "ETS spec '%s': expected ets(maxit=N) with N in 1..100000", spec);
        cfg->error = cfg->trend = cfg->season = ETS_Z;
        cfg->damped = -1;
        cfg->missing_model = 1;
        cfg->maxit = (int)v;
        return CIV_OK;
    }
    if (L < 5 || buf[L - 1] != ')')
        return civ_fail_at(CIV_ERR_SPEC, &w, "malformed ETS spec '%s': expected ETS(E,T,S), e.g. ETS(M,Ad,M)", spec);
    buf[L - 1] = 0;
    int idx = 0, damped_opt = -2;
    for (const char *tok = buf + 4; tok; idx++) {
        const char *comma = strchr(tok, ',');
        size_t len = comma ? (size_t)(comma - tok) : strlen(tok);
        civ_status st = idx < 3 ? ets_parse_component(cfg, idx, tok, len, spec, &w)
                                : ets_parse_option(cfg, tok, len, spec, &w, &damped_opt);
        if (st != CIV_OK)
            return st;
        tok = comma ? comma + 1 : NULL;
    }
    if (idx < 3)
        return civ_fail_at(CIV_ERR_SPEC, &w, "malformed ETS spec '%s': expected ETS(E,T,S), e.g. ETS(M,Ad,M)", spec);
    return ets_check_config(cfg, damped_opt, spec, &w);
}

static const civ_param_info ets_params[] = {
    {"alpha", "level smoothing", 1e-4, 0.9999},
    {"beta", "trend smoothing (<= alpha)", 1e-4, 0.9999},
    {"gamma", "seasonal smoothing (<= 1 - alpha)", 1e-4, 0.9999},
    {"phi", "trend damping", 0.8, 0.98},
};

const civ_model_type civ_model_ets = {
    .family = "ets",
    .summary = "exponential smoothing state-space models (R forecast::ets)",
    .spec_help = "ets | ets(maxit=N) | ETS(E,T,S[,options]) with E in A,M,Z; T in N,A,Ad,M,Md,Z; S in N,A,M,Z",
    .params = ets_params,
    .n_params = sizeof ets_params / sizeof ets_params[0],
    .config_size = sizeof(ets_config),
    .parse = ets_parse,
    .fit = ets_fit,
    .forecast = ets_forecast,
    .simulate = ets_simulate,
    .refit = ets_refit,
};
