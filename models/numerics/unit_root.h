/*
 * unit_root.h -- layer: models (numerics).  The differencing tests of automatic ARIMA selection, as
 * R's forecast::ndiffs() (KPSS) and forecast::nsdiffs() (seasonal strength
 * from an STL decomposition) compute them; internal to the library.
 *
 * References: Kwiatkowski, Phillips, Schmidt & Shin (1992), J. Econometrics
 * 54, eq. (13)-(14) with the Bartlett window of Newey & West (1987);
 * Cleveland, Cleveland, McRae & Terpenning (1990), J. Official Statistics 6,
 * "STL"; Wang, Smith & Hyndman (2006) for the seasonal strength
 * F_s = max(0, 1 - var(R) / var(S + R)); Hyndman & Khandakar (2008, JSS 27)
 * sec. 3.2 for their use in auto.arima.
 *
 * All functions are allocation-free: callers pass scratch.
 */
#ifndef CIV_UNIT_ROOT_H
#define CIV_UNIT_ROOT_H

#include <stddef.h>

/* KPSS level-stationarity statistic of urca::ur.kpss(y, type = "mu",
 * use.lag = lags) for finite y[0..n); lags < 0 means forecast::ndiffs'
 * choice trunc(3 sqrt(n) / 13).  NaN when n < 2. */
double civ_kpss_stat(const double *y, size_t n, int lags);

/* The p-value ndiffs() reads off urca's table for the "mu" statistic:
 * linear interpolation of (0.347, 0.463, 0.574, 0.739) -> (0.10, 0.05,
 * 0.025, 0.01), clamped at the ends (approx(rule = 2)). */
double civ_kpss_pvalue(double stat);

/* forecast::ndiffs(x, alpha, test = "kpss", max.d): the number of first
 * differences (0..max_d) after which the KPSS test no longer rejects
 * stationarity at level alpha (clamped to [0.01, 0.1]).  NaN values are
 * dropped first (na.omit).  scratch: n doubles. */
int civ_ndiffs(const double *x, size_t n, double alpha, int max_d, double *scratch);

/* Doubles of scratch civ_stl needs for length n and period m. */
size_t civ_stl_scratch_size(size_t n, int m);

/* stats::stl(x, s.window, robust = FALSE) with R's default windows and jumps
 * for that s.window (s.degree 0, t.degree = l.degree = 1, two inner
 * iterations, no outer ones).  x finite, m >= 2, n > 2m.  Returns 0, or -1
 * when the series is too short. */
int civ_stl(const double *x, size_t n, int m, int s_window, double *seasonal, double *trend, double *scratch);

/* forecast:::seas.heuristic(): the seasonal strength from mstl(x) (one
 * STL pass with s.window = 11), in [0, 1].  NaN values are filled by linear
 * interpolation first (R uses na.interp; see docs/models/ARIMA.md).
 * scratch: civ_stl_scratch_size(n, m) + 3n doubles.  NaN when n <= 2m. */
double civ_seasonal_strength(const double *x, size_t n, int m, double *scratch);

/* forecast::nsdiffs(x, test = "seas", max.D = 1): 1 when the seasonal
 * strength exceeds 0.64, else 0 (0 also when m < 2, n <= m or x constant).
 * scratch as civ_seasonal_strength. */
int civ_nsdiffs(const double *x, size_t n, int m, double *scratch);

#endif
