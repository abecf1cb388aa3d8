/*
 * decompose.c -- layer: models (numerics).  Classical multiplicative decomposition (R's stats::decompose),
 * the sample ACF (R's stats::acf) and the ACF seasonality test used by
 * forecast::thetaf().  The arithmetic follows R's C code (filter.c cfilter,
 * acf0 in filter.c/arima.c, summary.c mean) in order and precision, so that
 * the seasonal indices and the test verdict agree with R to rounding.
 */
#include "decompose.h"

#include <math.h>

/* qnorm(0.95): the 90% two-sided critical value thetaf() uses. */
#define CIV_QNORM_095 1.6448536269514722

int civ_series_is_constant(const double *y, size_t n)
{
    if (n == 0)
        return 1;
    /* all.equal.numeric(target = x, current = rep(x[1], n)), tolerance 1.5e-8. */
    double sum_diff = 0.0, sum_abs = 0.0;
    for (size_t i = 0; i < n; i++) {
        sum_diff += fabs(y[i] - y[0]);
        sum_abs += fabs(y[i]);
    }
    double xy = sum_diff / (double)n, xn = sum_abs / (double)n;
    const double tol = 1.5e-8;
    if (isfinite(xn) && xn > tol)
        xy /= xn;
    return !(isnan(xy) || xy > tol);
}

/* R's mean(): long double sum, divided, then one refinement pass. */
double civ_r_mean(const double *y, size_t n)
{
    if (n == 0)
        return NAN;
    long double s = 0.0L;
    for (size_t i = 0; i < n; i++)
        s += y[i];
    s /= (long double)n;
    if (isfinite((double)s)) {
        long double t = 0.0L;
        for (size_t i = 0; i < n; i++)
            t += y[i] - s;
        s += t / (long double)n;
    }
    return (double)s;
}

/* colMeans(): long double sum divided by n, no refinement. */
static double col_mean(const double *y, size_t n)
{
    long double s = 0.0L;
    for (size_t i = 0; i < n; i++)
        s += y[i];
    return (double)(s / (long double)n);
}

/* Autocovariance at lag k with R's divisor (nu + lag = n). */
static double acov(const double *y, size_t n, double mean, size_t k)
{
    double sum = 0.0;
    for (size_t i = 0; i + k < n; i++)
        sum += (y[i + k] - mean) * (y[i] - mean);
    return sum / (double)n;
}

double civ_acf_lag(const double *y, size_t n, double mean, double c0, size_t k)
{
    if (n == 0 || !(c0 > 0.0))
        return NAN;
    double se = sqrt(c0);
    double a = acov(y, n, mean, k) / (se * se);
    return a > 1.0 ? 1.0 : (a < -1.0 ? -1.0 : a);
}

int civ_seasonality_test(const double *y, size_t n, int m, double *r_m, double *stat)
{
    if (r_m)
        *r_m = NAN;
    if (stat)
        *stat = NAN;
    if (m <= 1 || n <= 2 * (size_t)m || civ_series_is_constant(y, n))
        return 0;
    double mean = col_mean(y, n);
    double c0 = acov(y, n, mean, 0);
    if (!(c0 > 0.0))
        return 0;
    double sum_sq = 0.0;
    for (size_t k = 1; k < (size_t)m; k++) {
        double r = civ_acf_lag(y, n, mean, c0, k);
        sum_sq += r * r;
    }
    double rm = civ_acf_lag(y, n, mean, c0, (size_t)m);
    double s = sqrt((1.0 + 2.0 * sum_sq) / (double)n);
    if (r_m)
        *r_m = rm;
    if (stat)
        *stat = s;
    return fabs(rm) / s > CIV_QNORM_095;
}

int civ_decompose_multiplicative(const double *y, size_t n, int m, double *trend, double *figure)
{
    if (m < 2 || n < 2 * (size_t)m)
        return -1;
    const size_t f = (size_t)m;
    /* filter <- if (!f %% 2) c(0.5, rep_len(1, f - 1), 0.5) / f else rep_len(1, f) / f;
     * cfilter(sides = 2): out[i] = sum_j filter[j] * x[i + nshift - j]. */
    const size_t nf = (f % 2 == 0) ? f + 1 : f;
    const size_t nshift = nf / 2;
    const double w_end = (f % 2 == 0) ? 0.5 / (double)f : 1.0 / (double)f;
    const double w_mid = 1.0 / (double)f;
    for (size_t i = 0; i < n; i++) {
        if (i + nshift < nf - 1 || i + nshift >= n) {
            trend[i] = NAN;
            continue;
        }
        double z = 0.0;
        for (size_t j = 0; j < nf; j++) {
            double w = (j == 0 || j == nf - 1) ? w_end : w_mid;
            z += w * y[i + nshift - j];
        }
        trend[i] = z;
    }
    /* figure[i] = mean(season[index + i], na.rm = TRUE), index = 0, f, 2f, ...
     * (positions past the end are NA in R and dropped). */
    for (size_t s = 0; s < f; s++) {
        long double sum = 0.0L;
        size_t cnt = 0;
        for (size_t k = 0; k * f < n; k++) {
            size_t i = k * f + s;
            /* na.rm = TRUE drops NA trend values and NaN ratios (0/0) alike */
            if (i >= n || isnan(trend[i]) || isnan(y[i] / trend[i]))
                continue;
            sum += y[i] / trend[i];
            cnt++;
        }
        /* R's mean with refinement over the kept values. */
        double mu = NAN;
        if (cnt > 0) {
            long double s1 = sum / (long double)cnt;
            if (isfinite((double)s1)) {
                long double t = 0.0L;
                for (size_t k = 0; k * f < n; k++) {
                    size_t i = k * f + s;
                    if (i >= n || isnan(trend[i]) || isnan(y[i] / trend[i]))
                        continue;
                    t += (y[i] / trend[i]) - s1;
                }
                s1 += t / (long double)cnt;
            }
            mu = (double)s1;
        }
        figure[s] = mu;
    }
    double fm = civ_r_mean(figure, f);
    for (size_t s = 0; s < f; s++) {
        figure[s] /= fm;
        if (!isfinite(figure[s]))
            return -2;
    }
    return 0;
}
