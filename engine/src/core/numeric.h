/*
 * numeric.h -- layer: core.  Small numeric helpers more than one layer uses:
 * the SplitMix64 seed mixer (forecast paths, allocation draws), R's
 * type-7 sample quantile (model intervals, allocation uncertainty) and rates
 * written with their percent sign (the spec's pace, the need's index_rate,
 * the monitor's warning threshold).
 */
#ifndef CIV_NUMERIC_H
#define CIV_NUMERIC_H

#include <stddef.h>
#include <stdint.h>

/* A well-mixed 64-bit seed for stream `key` of a run seeded with `seed`:
 * the SplitMix64 finaliser (Steele, Lea & Flood 2014) of
 * seed + (key + 1) * 0x9E3779B97F4A7C15.  Distinct keys give independent
 * looking streams; the same (seed, key) always gives the same value.
 * The forecast driver keys by civ_hash_string(series id), the allocation
 * uncertainty by draw index. */
uint64_t civ_seed_mix(uint64_t seed, uint64_t key);

/* R's quantile type 7 (Hyndman & Fan 1996, "Sample quantiles in statistical
 * packages", Am. Stat. 50:361-365, definition 7) of the n >= 1 values in a,
 * at probability p in [0, 1].  By selection, expected O(n): a is permuted
 * (it stays the same multiset, and a sorted array stays sorted), so calls for
 * several p on the same array agree with a full sort. */
double civ_quantile7(double *a, size_t n, double p);

/* civ_quantile7 at np <= CIV_QUANTILES_MAX probabilities p[0..np) (any order)
 * at once into out[0..np), bit-identical to np calls of civ_quantile7 (the same
 * order statistics, the same interpolation) but cheaper: each order statistic
 * is selected within the part its neighbours left (sample-path intervals take
 * two to eight quantiles of thousands of values).  n >= 1; a is permuted. */
#define CIV_QUANTILES_MAX 16
void civ_quantiles7(double *a, size_t n, const double *p, size_t np, double *out);

/* A rate written with its unit, "150%" or "+12.5%" (digits, at most one
 * '.', then '%'; no exponent, no spaces), as the fraction a plain number
 * would give: the same double as the literal "1.5" or "0.125".  -1 when the
 * text is not of that form (*out untouched). */
int civ_percent_text(const char *text, double *out);

#endif
