/*
 * unit_root.c -- layer: models (numerics).  KPSS statistic, STL decomposition and the seasonal-strength
 * heuristic used by automatic ARIMA order selection (see unit_root.h).
 *
 * STL follows the published Fortran of Cleveland et al. (1990) as used by
 * R's stats::stl (routines stlstp, stlss, stless, stlest, stlfts, stlma),
 * restricted to the non-robust case that forecast::mstl() uses, with the
 * Fortran's 1-based indices kept through the IX() macro so that each step
 * can be checked against the paper's description.
 */
#include "unit_root.h"

#include <math.h>
#include <string.h>

#include "decompose.h"

#define IX(a, i) ((a)[(i)-1])

double civ_kpss_stat(const double *y, size_t n, int lags)
{
    if (n < 2)
        return NAN;
    long lmax = lags >= 0 ? lags : (long)trunc(3.0 * sqrt((double)n) / 13.0);
    double mean = 0.0;
    for (size_t i = 0; i < n; i++)
        mean += y[i];
    mean /= (double)n;
    double S = 0.0, num = 0.0, s2 = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = y[i] - mean;
        S += e;
        num += S * S;
        s2 += e * e;
    }
    double nn = (double)n;
    num /= nn * nn;
    s2 /= nn;
    double den = s2;
    for (long k = 1; k <= lmax && (size_t)k < n; k++) {
        double c = 0.0;
        for (size_t t = (size_t)k; t < n; t++)
            c += (y[t] - mean) * (y[t - (size_t)k] - mean);
        den += 2.0 / nn * (1.0 - (double)k / (double)(lmax + 1)) * c;
    }
    return num / den;
}

double civ_kpss_pvalue(double stat)
{
    static const double cv[4] = {0.347, 0.463, 0.574, 0.739};
    static const double pv[4] = {0.10, 0.05, 0.025, 0.01};
    if (isnan(stat))
        return NAN;
    if (stat <= cv[0])
        return pv[0];
    if (stat >= cv[3])
        return pv[3];
    for (int i = 0; i < 3; i++)
        if (stat <= cv[i + 1])
            return pv[i] + (pv[i + 1] - pv[i]) * (stat - cv[i]) / (cv[i + 1] - cv[i]);
    return pv[3];
}

int civ_ndiffs(const double *x, size_t n, double alpha, int max_d, double *scratch)
{
    if (alpha < 0.01)
        alpha = 0.01;
    if (alpha > 0.1)
        alpha = 0.1;
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]))
            scratch[len++] = x[i];
    int d = 0;
    if (civ_series_is_constant(scratch, len))
        return d;
    double p = civ_kpss_pvalue(civ_kpss_stat(scratch, len, -1));
    if (isnan(p))
        return d;
    int dodiff = p < alpha;
    while (dodiff && d < max_d) {
        d++;
        for (size_t i = 0; i + 1 < len; i++)
            scratch[i] = scratch[i + 1] - scratch[i];
        len = len ? len - 1 : 0;
        if (civ_series_is_constant(scratch, len))
            return d;
        p = civ_kpss_pvalue(civ_kpss_stat(scratch, len, -1));
        if (isnan(p))
            return d - 1;
        dodiff = p < alpha;
    }
    return d;
}

/* ---- STL (non-robust) ---- */

/* Local (weighted) regression estimate at xs from y[nleft..nright] (1-based),
 * tricube weights (stlest). */
static int stlest(const double *y, int n, int len, int ideg, double xs, double *ys, int nleft, int nright,
                  double *w)
{
    double range = (double)n - 1.0;
    double h = fmax(xs - (double)nleft, (double)nright - xs);
    if (len > n)
        h += (double)((len - n) / 2);
    double h9 = 0.999 * h, h1 = 0.001 * h, a = 0.0;
    for (int j = nleft; j <= nright; j++) {
        double r = fabs((double)j - xs);
        if (r <= h9) {
            if (r <= h1)
                IX(w, j) = 1.0;
            else {
                double u = r / h;
                u = 1.0 - u * u * u;
                IX(w, j) = u * u * u;
            }
            a += IX(w, j);
        } else {
            IX(w, j) = 0.0;
        }
    }
    if (a <= 0.0)
        return 0;
    for (int j = nleft; j <= nright; j++)
        IX(w, j) /= a;
    if (h > 0.0 && ideg > 0) {
        a = 0.0;
        for (int j = nleft; j <= nright; j++)
            a += IX(w, j) * (double)j;
        double b = xs - a, c = 0.0;
        for (int j = nleft; j <= nright; j++)
            c += IX(w, j) * ((double)j - a) * ((double)j - a);
        if (sqrt(c) > 0.001 * range) {
            b /= c;
            for (int j = nleft; j <= nright; j++)
                IX(w, j) *= b * ((double)j - a) + 1.0;
        }
    }
    double s = 0.0;
    for (int j = nleft; j <= nright; j++)
        s += IX(w, j) * IX(y, j);
    *ys = s;
    return 1;
}

/* Loess smoothing of y[1..n] with span len, evaluated every njump points
 * and linearly interpolated between (stless). */
static void stless(const double *y, int n, int len, int ideg, int njump, double *ys, double *res)
{
    if (n < 2) {
        IX(ys, 1) = IX(y, 1);
        return;
    }
    int newnj = njump < n - 1 ? njump : n - 1;
    int nleft = 0, nright = 0;
    if (len >= n) {
        nleft = 1;
        nright = n;
        for (int i = 1; i <= n; i += newnj)
            if (!stlest(y, n, len, ideg, (double)i, &IX(ys, i), nleft, nright, res))
                IX(ys, i) = IX(y, i);
    } else if (newnj == 1) {
        int nsh = (len + 1) / 2;
        nleft = 1;
        nright = len;
        for (int i = 1; i <= n; i++) {
            if (i > nsh && nright != n) {
                nleft++;
                nright++;
            }
            if (!stlest(y, n, len, ideg, (double)i, &IX(ys, i), nleft, nright, res))
                IX(ys, i) = IX(y, i);
        }
    } else {
        int nsh = (len + 1) / 2;
        for (int i = 1; i <= n; i += newnj) {
            if (i < nsh) {
                nleft = 1;
                nright = len;
            } else if (i >= n - nsh + 1) {
                nleft = n - len + 1;
                nright = n;
            } else {
                nleft = i - nsh + 1;
                nright = len + i - nsh;
            }
            if (!stlest(y, n, len, ideg, (double)i, &IX(ys, i), nleft, nright, res))
                IX(ys, i) = IX(y, i);
        }
    }
    if (newnj != 1) {
        for (int i = 1; i <= n - newnj; i += newnj) {
            double delta = (IX(ys, i + newnj) - IX(ys, i)) / (double)newnj;
            for (int j = i + 1; j <= i + newnj - 1; j++)
                IX(ys, j) = IX(ys, i) + delta * (double)(j - i);
        }
        int k = ((n - 1) / newnj) * newnj + 1;
        if (k != n) {
            if (!stlest(y, n, len, ideg, (double)n, &IX(ys, n), nleft, nright, res))
                IX(ys, n) = IX(y, n);
            if (k != n - 1) {
                double delta = (IX(ys, n) - IX(ys, k)) / (double)(n - k);
                for (int j = k + 1; j <= n - 1; j++)
                    IX(ys, j) = IX(ys, k) + delta * (double)(j - k);
            }
        }
    }
}

/* Moving average of length len (stlma). */
static void stlma(const double *x, int n, int len, double *ave)
{
    int newn = n - len + 1;
    double flen = (double)len, v = 0.0;
    for (int i = 1; i <= len; i++)
        v += IX(x, i);
    IX(ave, 1) = v / flen;
    for (int j = 2, k = len, m = 0; j <= newn; j++) {
        k++;
        m++;
        v = v - IX(x, m) + IX(x, k);
        IX(ave, j) = v / flen;
    }
}

static void stlfts(const double *x, int n, int np, double *trend, double *work)
{
    stlma(x, n, np, trend);
    stlma(trend, n - np + 1, np, work);
    stlma(work, n - 2 * np + 2, 3, trend);
}

/* Cycle-subseries smoothing, extended one period at each end (stlss). */
static void stlss(const double *y, int n, int np, int ns, int isdeg, int nsjump, double *season, double *work1,
                  double *work2, double *work3, double *work4)
{
    (void)work3;
    for (int j = 1; j <= np; j++) {
        int k = (n - j) / np + 1;
        for (int i = 1; i <= k; i++)
            IX(work1, i) = IX(y, (i - 1) * np + j);
        stless(work1, k, ns, isdeg, nsjump, work2 + 1, work4);
        int nright = ns < k ? ns : k;
        if (!stlest(work1, k, ns, isdeg, 0.0, &IX(work2, 1), 1, nright, work4))
            IX(work2, 1) = IX(work2, 2);
        int nleft = 1 > k - ns + 1 ? 1 : k - ns + 1;
        if (!stlest(work1, k, ns, isdeg, (double)(k + 1), &IX(work2, k + 2), nleft, k, work4))
            IX(work2, k + 2) = IX(work2, k + 1);
        for (int m = 1; m <= k + 2; m++)
            IX(season, (m - 1) * np + j) = IX(work2, m);
    }
}

size_t civ_stl_scratch_size(size_t n, int m)
{
    return (n + 2 * (size_t)(m > 2 ? m : 2)) * 5;
}

static int nextodd(double x)
{
    int v = (int)lround(x);
    if (v % 2 == 0)
        v++;
    return v;
}

int civ_stl(const double *x, size_t n_, int np, int s_window, double *season, double *trend, double *scratch)
{
    int n = (int)n_;
    if (np < 2 || n <= 2 * np)
        return -1;
    int ns = s_window, nt = nextodd(ceil(1.5 * np / (1.0 - 1.5 / s_window))), nl = nextodd(np);
    int isdeg = 0, itdeg = 1, ildeg = 1;
    int nsjump = (int)ceil(ns / 10.0), ntjump = (int)ceil(nt / 10.0), nljump = (int)ceil(nl / 10.0);
    if (ns < 3)
        ns = 3;
    if (nt < 3)
        nt = 3;
    if (nl < 3)
        nl = 3;
    if (ns % 2 == 0)
        ns++;
    if (nt % 2 == 0)
        nt++;
    if (nl % 2 == 0)
        nl++;
    size_t ld = (size_t)n + 2 * (size_t)np;
    double *w1 = scratch, *w2 = w1 + ld, *w3 = w2 + ld, *w4 = w3 + ld, *w5 = w4 + ld;
    for (int i = 1; i <= n; i++)
        IX(trend, i) = 0.0;
    for (int it = 0; it < 2; it++) { /* ni = 2 inner iterations, no robustness */
        for (int i = 1; i <= n; i++)
            IX(w1, i) = IX(x, i) - IX(trend, i);
        stlss(w1, n, np, ns, isdeg, nsjump, w2, w3, w4, w5, season);
        stlfts(w2, n + 2 * np, np, w3, w1);
        stless(w3, n, nl, ildeg, nljump, w1, w5);
        for (int i = 1; i <= n; i++)
            IX(season, i) = IX(w2, np + i) - IX(w1, i);
        for (int i = 1; i <= n; i++)
            IX(w1, i) = IX(x, i) - IX(season, i);
        stless(w1, n, nt, itdeg, ntjump, trend, w3);
    }
    return 0;
}

static double var_of(const double *a, const double *b, size_t n)
{
    /* sample variance of a + (b ? b : 0) */
    double mean = 0.0;
    for (size_t i = 0; i < n; i++)
        mean += a[i] + (b ? b[i] : 0.0);
    mean /= (double)n;
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = a[i] + (b ? b[i] : 0.0) - mean;
        s += e * e;
    }
    return s / (double)(n - 1);
}

double civ_seasonal_strength(const double *x, size_t n, int m, double *scratch)
{
    if (m < 2 || n <= 2 * (size_t)m)
        return NAN;
    double *xi = scratch, *seas = xi + n, *trend = seas + n, *work = trend + n;
    /* fill NaN by linear interpolation (constant at the ends) */
    size_t first = n, last = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i])) {
            if (first == n)
                first = i;
            last = i;
        }
    if (first == n)
        return NAN;
    for (size_t i = 0; i < n; i++) {
        if (!isnan(x[i])) {
            xi[i] = x[i];
            continue;
        }
        if (i < first) {
            xi[i] = x[first];
            continue;
        }
        if (i > last) {
            xi[i] = x[last];
            continue;
        }
        size_t lo = i - 1, hi = i + 1;
        while (isnan(x[hi]))
            hi++;
        xi[i] = xi[lo] + (x[hi] - xi[lo]) * (double)(i - lo) / (double)(hi - lo);
    }
    if (civ_stl(xi, n, m, 11, seas, trend, work) != 0)
        return NAN;
    /* remainder = x - seasonal - trend, NA where x was NA */
    double *rem = work;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i]))
            continue;
        rem[k] = xi[i] - seas[i] - trend[i];
        seas[k] = seas[i];
        k++;
    }
    if (k < 2)
        return NAN;
    double vr = var_of(rem, NULL, k), vsr = var_of(rem, seas, k);
    double s = 1.0 - vr / vsr;
    if (s < 0.0)
        s = 0.0;
    if (s > 1.0)
        s = 1.0;
    return isnan(s) ? 0.0 : s;
}

int civ_nsdiffs(const double *x, size_t n, int m, double *scratch)
{
    if (m < 2 || civ_series_is_constant(x, n) || (size_t)m >= n)
        return 0;
    double s = civ_seasonal_strength(x, n, m, scratch);
    return (!isnan(s) && s > 0.64) ? 1 : 0;
}
