/*
 * numfmt.c -- layer: io.  Exact number-to-text conversions without printf,
 * for the writers' hot loops (a million-row allocation writes ~20 million
 * numbers; glibc's printf converts each through multi-precision arithmetic).
 *
 * Every function here produces exactly the bytes that the printf call it
 * replaces would (stated per function), or returns -1 so that the caller
 * falls back to printf: the writers' output does not change.
 *
 * Method.  A finite double x > 0 is m * 2^-s with m a 53-bit integer.  For
 * the magnitudes handled (below 1e15, and not so small that the scaled
 * product leaves 128 bits) x * 10^k is m * 10^k / 2^s with m * 10^k below
 * 2^117: one 128-bit product and a shift give the decimal digits truncated,
 * the shifted-out bits the exact remainder, hence correct rounding with ties
 * to even (what glibc does in the default rounding mode) and an exact test
 * of whether a decimal reads back to x (strtod: nearest, ties to even).
 */
#include "csv.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

typedef unsigned __int128 u128;

static const uint64_t pow10_u64[20] = {1ull,
                                       10ull,
                                       100ull,
                                       1000ull,
                                       10000ull,
                                       100000ull,
                                       1000000ull,
                                       10000000ull,
                                       100000000ull,
                                       1000000000ull,
                                       10000000000ull,
                                       100000000000ull,
                                       1000000000000ull,
                                       10000000000000ull,
                                       100000000000000ull,
                                       1000000000000000ull,
                                       10000000000000000ull,
                                       100000000000000000ull,
                                       1000000000000000000ull,
                                       10000000000000000000ull};

/* "00" "01" ... "99": two digits per division. */
static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                     "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                     "8081828384858687888990919293949596979899";

/* The digits of v < 10^8 (no leading zeros), returning their count. */
static int put_small(uint32_t v, char *buf)
{
    int n = v >= 10000 ? (v >= 1000000 ? (v >= 10000000 ? 8 : 7) : (v >= 100000 ? 6 : 5))
                       : (v >= 100 ? (v >= 1000 ? 4 : 3) : (v >= 10 ? 2 : 1));
    char *p = buf + n;
    while (v >= 100) {
        uint32_t d = (v % 100) * 2;
        v /= 100;
        p -= 2;
        memcpy(p, digit_pairs + d, 2);
    }
    if (v >= 10) {
        p -= 2;
        memcpy(p, digit_pairs + 2 * v, 2);
    } else {
        *--p = (char)('0' + v);
    }
    return n;
}

/* Exactly 8 digits of v < 10^8, leading zeros included. */
static void put8(uint32_t v, char *buf)
{
    uint32_t hi = v / 10000, lo = v % 10000;
    memcpy(buf, digit_pairs + 2 * (hi / 100), 2);
    memcpy(buf + 2, digit_pairs + 2 * (hi % 100), 2);
    memcpy(buf + 4, digit_pairs + 2 * (lo / 100), 2);
    memcpy(buf + 6, digit_pairs + 2 * (lo % 100), 2);
}

/* Writes the decimal digits of v (no sign) and returns their count: 8-digit
 * pieces in 32-bit arithmetic, two digits per step. */
static int put_u64(uint64_t v, char *buf)
{
    if (v < 100000000)
        return put_small((uint32_t)v, buf);
    if (v < 10000000000000000ull) {
        int n = put_small((uint32_t)(v / 100000000), buf);
        put8((uint32_t)(v % 100000000), buf + n);
        return n + 8;
    }
    int n = put_small((uint32_t)(v / 10000000000000000ull), buf);
    put8((uint32_t)(v / 100000000 % 100000000), buf + n);
    put8((uint32_t)(v % 100000000), buf + n + 8);
    return n + 16;
}

int civ_numfmt_minor(int64_t v, int digits, char *buf)
{
    if (digits < 0 || digits > 18)
        return -1;
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, unit = pow10_u64[digits];
    int n = 0;
    if (v < 0)
        buf[n++] = '-';
    n += put_u64(m / unit, buf + n);
    if (digits > 0) {
        buf[n++] = '.';
        uint64_t f = m % unit;
        for (int i = digits - 1; i >= 0; i--, f /= 10)
            buf[n + i] = (char)('0' + f % 10);
        n += digits;
    }
    buf[n] = '\0';
    return n;
}

int civ_numfmt_int(double value, char *buf)
{
    if (!(fabs(value) < 1e17) || value != trunc(value))
        return -1;
    int n = 0;
    if (signbit(value))
        buf[n++] = '-'; /* printf("%.0f", -0.0) is "-0" */
    n += put_u64((uint64_t)fabs(value), buf + n);
    buf[n] = '\0';
    return n;
}

/* x = m * 2^-s, x > 0 finite, m a 53-bit integer, read from the bits;
 * returns 0 when s is outside 1..125 (the magnitudes this file does not
 * handle; a subnormal x gets s > 125). */
static int split(double x, uint64_t *m, int *s)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    int be = (int)((bits >> 52) & 0x7ff);
    *m = (bits & (((uint64_t)1 << 52) - 1)) | ((uint64_t)1 << 52);
    *s = be ? 1075 - be : 1075;
    return be && *s >= 1 && *s <= 125;
}

/* D = round-half-even(m * 10^k / 2^s) and r = m * 10^k - D * 2^s (signed,
 * exact: |r| <= 2^(s-1)).  k <= 19, s in 1..125, m < 2^53. */
static uint64_t scale_round(uint64_t m, int k, int s, __int128 *r)
{
    u128 num = (u128)m * pow10_u64[k];
    u128 q = num >> s, rem = num - (q << s), half = (u128)1 << (s - 1);
    q += (u128)((rem > half) | ((rem == half) & (int)(q & 1))); /* no branch: the rest is random */
    *r = (__int128)(num - (q << s));
    return (uint64_t)q;
}

/* 1 when D * 10^-k reads back (strtod, ties to even) to x = m * 2^-s, r being
 * m * 10^k - D * 2^s. */
static int reads_back(uint64_t m, int k, __int128 r)
{
    u128 a = (u128)(r < 0 ? -r : r), lim = pow10_u64[k];
    /* half the gap to the neighbour on r's side; the gap below a power of
     * two (m = 2^52) is half as wide */
    int below = r > 0, bottom = m == ((uint64_t)1 << 52);
    u128 twice = a << (1 + (below & bottom));
    return (twice < lim) | ((twice == lim) & !(m & 1)); /* no branch */
}

/* Decimal exponent X of x in [1e-4, 1e15): 10^X <= x < 10^(X+1).  The
 * doubles 1e-1 ... 1e-4 lie above the powers they stand for, and no double
 * lies between a power and its nearest double, so comparing with them is
 * exact. */
static int dec_exponent(double x)
{
    static const double p[19] = {1e-4, 1e-3, 1e-2, 1e-1, 1e0,  1e1,  1e2,  1e3,  1e4, 1e5,
                                 1e6,  1e7,  1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14};
    int X = -4;
    while (X < 14 && x >= p[X + 5])
        X++;
    return X;
}

/* Formats the P significant digits D with decimal exponent X as %g does
 * (trailing zeros dropped), in plain notation: -4 <= X < P. */
static int put_g(int negative, uint64_t D, int P, int X, char *buf)
{
    while (D % 10 == 0 && P > 1) { /* trailing zeros dropped: fewer digits */
        D /= 10;
        P--;
    }
    char dig[24];
    int nd = put_u64(D, dig), n = 0; /* nd = P */
    if (negative)
        buf[n++] = '-';
    if (X >= 0) {
        int ip = X + 1; /* integer digits */
        if (nd <= ip) { /* a whole number: its digits, then zeros */
            memcpy(buf + n, dig, (size_t)nd);
            memset(buf + n + nd, '0', (size_t)(ip - nd));
            n += ip;
        } else {
            memcpy(buf + n, dig, (size_t)ip);
            n += ip;
            buf[n++] = '.';
            memcpy(buf + n, dig + ip, (size_t)(nd - ip));
            n += nd - ip;
        }
    } else {
        buf[n++] = '0';
        buf[n++] = '.';
        memset(buf + n, '0', (size_t)(-X - 1));
        n += -X - 1;
        memcpy(buf + n, dig, (size_t)nd);
        n += nd;
    }
    buf[n] = '\0';
    return n;
}

/* P significant digits of x = m * 2^-s (decimal exponent X) as %.<P>g in
 * plain notation, or -1 when %g would use exponent notation. */
static int g_digits(int negative, uint64_t m, int s, int X, int P, char *buf)
{
    __int128 r;
    uint64_t D = scale_round(m, P - 1 - X, s, &r); /* k = P - 1 - X in 0..19 */
    if (D == pow10_u64[P]) { /* rounded up to the next power of ten */
        X++;
        D /= 10;
    }
    return X >= P ? -1 : put_g(negative, D, P, X, buf);
}

int civ_numfmt_g(double value, int precision, char *buf)
{
    double x = fabs(value);
    if (precision < 1 || precision > 17)
        return -1;
    if (x == 0) { /* "%g" of 0 is "0", of -0.0 "-0" */
        int n = 0;
        if (signbit(value))
            buf[n++] = '-';
        buf[n++] = '0';
        buf[n] = '\0';
        return n;
    }
    uint64_t m;
    int s;
    if (!(x >= 1e-4 && x < 1e15) || !split(x, &m, &s))
        return -1;
    int X = dec_exponent(x);
    if (X >= precision || precision - 1 - X > 19) /* exponent notation; 10^k beyond 64 bits */
        return -1;
    return g_digits(signbit(value), m, s, X, precision, buf);
}

int civ_numfmt_shortest(double value, char *buf)
{
    double x = fabs(value);
    if (!(x >= 1e-4 && x < 1e15))
        return -1;
    uint64_t m;
    int s;
    if (!split(x, &m, &s))
        return -1;
    int X = dec_exponent(x);
    for (int P = 15; P <= 17; P++) {
        int k = P - 1 - X; /* in 0..20 */
        if (k > 19) /* 10^20 is beyond 64 bits: printf */
            return -1;
        __int128 r;
        uint64_t D = scale_round(m, k, s, &r);
        int Xr = X;
        uint64_t Dg = D;
        if (D == pow10_u64[P]) { /* rounded up to the next power of ten */
            Xr = X + 1;
            Dg = D / 10;
        }
        if (P == 17 || reads_back(m, k, r)) {
            if (Xr >= P) /* %g would switch to exponent notation */
                return -1;
            return put_g(signbit(value), Dg, P, Xr, buf);
        }
    }
    return -1; /* not reached: 17 digits always read back */
}

int civ_numfmt_fixed(double value, int decimals, char *buf)
{
    double x = fabs(value);
    if (decimals < 0 || decimals > 4 || !(x < 1e15))
        return -1;
    uint64_t D = 0;
    if (x > 0) {
        uint64_t m;
        int s;
        if (split(x, &m, &s)) {
            __int128 r;
            D = scale_round(m, decimals, s, &r);
        } else if (s < 1) {
            return -1; /* cannot happen below 1e15 */
        } /* s > 125: x * 10^4 < 2^-60, rounds to 0 */
    }
    int n = 0;
    if (signbit(value))
        buf[n++] = '-'; /* printf keeps the sign of a value rounded to 0 */
    uint64_t unit = pow10_u64[decimals];
    n += put_u64(D / unit, buf + n);
    if (decimals > 0) {
        buf[n++] = '.';
        uint64_t f = D % unit;
        for (int i = decimals - 1; i >= 0; i--) {
            buf[n + i] = (char)('0' + f % 10);
            f /= 10;
        }
        n += decimals;
    }
    buf[n] = '\0';
    return n;
}
