/*
 * decompose.h -- layer: models (numerics).  Classical seasonal decomposition and the ACF seasonality
 * test, as R's stats::decompose(), stats::acf() and forecast::thetaf() do
 * them.  Shared by model families that deseasonalise before fitting (Theta);
 * internal to the library.
 *
 * All functions are allocation-free: callers pass scratch where needed.
 * Positions are 0-based; the series is taken to start at season position 1
 * (R's ts(x, frequency = m) with start = 1), so value i belongs to season
 * i mod m.  Inputs must be finite (the callers reject NaN beforehand).
 */
#ifndef CIV_DECOMPOSE_H
#define CIV_DECOMPOSE_H

#include <stddef.h>

/* 1 when the series is constant as R's forecast::is.constant() judges it:
 * isTRUE(all.equal(x, rep(x[1], n))), i.e. mean|x - x1| / mean|x| <= 1.5e-8
 * (or mean|x - x1| <= 1.5e-8 when mean|x| <= 1.5e-8).  0 otherwise; n = 0
 * counts as constant. */
int civ_series_is_constant(const double *y, size_t n);

/* The mean as R's mean() computes it: a long double sum divided by n, then
 * one refinement pass (summary.c).  NaN for n = 0. */
double civ_r_mean(const double *y, size_t n);

/* Sample autocorrelation at lag k as R's acf() (demeaned, divisor n for every
 * lag, clamped to [-1, 1]).  Returns NaN when n = 0 or the variance is 0. */
double civ_acf_lag(const double *y, size_t n, double mean, double c0, size_t k);

/* The seasonality test of forecast::thetaf() (Assimakopoulos & Nikolopoulos
 * 2000; Hyndman & Billah 2003, sec. 4): with r_k the lag-k autocorrelation,
 * the series is seasonal when m > 1, it is not constant, n > 2m and
 *     |r_m| > qnorm(0.95) * sqrt((1 + 2 sum_{k=1}^{m-1} r_k^2) / n),
 * a 90% two-sided test of r_m = 0 under Bartlett's variance.  Returns 1 for
 * seasonal, 0 otherwise.  r_m and stat (the right-hand sqrt(...) factor
 * without the quantile) may be NULL; they are set to NaN when the test is
 * not run. */
int civ_seasonality_test(const double *y, size_t n, int m, double *r_m, double *stat);

/* Classical multiplicative decomposition as R's decompose(x, "multiplicative"):
 * a centred moving average of order m (2 x m for even m) gives the trend
 * trend[0..n) (NaN where undefined); the seasonal figure figure[0..m) is the
 * mean of x/trend per season position, normalised to mean 1.  Needs n >= 2m
 * (R: "time series has no or less than 2 periods").  trend is caller scratch
 * of n doubles.  Returns 0 on success, -1 when n < 2m or m < 2, -2 when a
 * figure value is not finite (e.g. a zero trend value). */
int civ_decompose_multiplicative(const double *y, size_t n, int m, double *trend, double *figure);

#endif
