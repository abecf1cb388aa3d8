/*
 * waterfall.c -- alloc layer: the per-unit waterfall from factor values to
 * whole minor units, the result object, and civ_alloc_run (bind, solve,
 * tables in one call).
 *
 * The solve, per allocation unit (the pools that share a formula and an
 * earmark), is (docs/ALLOCATION.md "The maths"):
 *   s_ik   = x_ik c_ik / sum_{j in E} x_jk c_jk          factor shares
 *   base_i = sum_k w_k s_ik                              formula score
 *   raw_i  = t_i base_i                                  tilted score
 *   a_i    = clamp(lambda raw_i, lo_i, hi_i), sum a_i = P (solve.c)
 *   amounts = largest-remainder rounding of a within [lo, hi]: in exact
 *             integers when the scores have an integer form (exact.c),
 *             else of the doubles (round.c)
 * and the decomposition of a_i by factor is a_i * w_k s_ik / base_i (the tilt
 * and the constraint scale every factor alike, so the proportions hold).
 */
#include <float.h>
#include <math.h>
#include <omp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "bigmem.h"
#include "c_locale.h"
#include "strmap.h"
#include "table.h"
#include "threads.h"

/* Whole minor units from a product of money and rates, with the floating
 * noise removed first: 0.9 * 148500 * 100 = 13365000.000000002 must give
 * 13365000, not ...001.  A value within 1e-11 (relative) of a whole unit is
 * taken as that unit -- far above the few ulps of error of a product of
 * three doubles -- but never further than 1e-3 units away, so that large
 * amounts (above 1e8 minor units) are not moved by a whole unit: the
 * property test found 2-unit cap breaches at 2e11 fen with a purely
 * relative tolerance. */
static inline double clean(double v)
{
    double r = nearbyint(v), a = fabs(v);
    /* = fmin(1e-3, 1e-11 * fmax(1.0, fabs(v))) for every v (NaN included), without the libm calls */
    double tol = 1e-11 * (a > 1.0 ? a : 1.0);
    tol = tol < 1e-3 ? tol : 1e-3;
    return fabs(v - r) <= tol ? r : v;
}
static inline double units_down(double v) /* floor, snapping up to a unit just above */
{
    return floor(clean(v));
}
static inline double units_up(double v) /* ceil, snapping down to a unit just below */
{
    return ceil(clean(v));
}

/* ---- whole minor units, results and the solve ----------------------------- */

/* The per-community loops of the solve run on OpenMP threads from this many
 * members on (and not inside another parallel region, e.g. the Monte Carlo's
 * draws).  Only loops whose every iteration is independent are split; every
 * sum stays one serial loop in id order, so results are bit-identical
 * whatever the thread count (tests/test_alloc_solve.c checks 1, 2 and 3). */
#define PAR_MIN 32768
#define PAR(m) ((m) >= PAR_MIN && !omp_in_parallel())

/* The solve's working memory (about 100 bytes per community: scores, bounds,
 * integer amounts, sort pairs): allocated by a solve, not by
 * civ_alloc_result_create, and written before it is read (not zeroed, so
 * that what a solve does not use is never touched). */
static void scratch_free(civ_alloc_result *r)
{
    free(r->raw), free(r->base), free(r->lo_d), free(r->hi_d), free(r->amt), free(r->rnd), free(r->member);
    free(r->bsrc);
    free(r->out_i), free(r->free_j), free(r->num_i), free(r->ex_i);
    free(r->pairs), free(r->tmp);
    r->raw = r->base = r->lo_d = r->hi_d = r->amt = r->rnd = NULL;
    r->member = r->free_j = NULL;
    r->bsrc = NULL;
    r->out_i = r->num_i = r->ex_i = NULL;
    r->pairs = r->tmp = NULL;
}

static civ_status scratch_alloc(civ_alloc_result *r)
{
    size_t n = r->n ? r->n : 1;
    r->raw = civ_bigmem_alloc(n, sizeof(double));
    r->base = civ_bigmem_alloc(n, sizeof(double));
    r->lo_d = civ_bigmem_alloc(n, sizeof(double));
    r->hi_d = civ_bigmem_alloc(n, sizeof(double));
    r->amt = civ_bigmem_alloc(n, sizeof(double));
    r->rnd = civ_bigmem_alloc(n, sizeof(double));
    r->member = civ_bigmem_alloc(n, sizeof(size_t));
    r->bsrc = civ_bigmem_alloc(n, 1);
    r->out_i = civ_bigmem_alloc(n, sizeof(int64_t));
    r->free_j = civ_bigmem_alloc(n, sizeof(size_t));
    r->num_i = civ_bigmem_alloc(n, sizeof(int64_t));
    r->ex_i = civ_bigmem_alloc(n, sizeof(int64_t));
    r->pairs = civ_bigmem_alloc(2 * n, sizeof(civ_alloc_pair));
    r->tmp = civ_bigmem_alloc(2 * n, sizeof(civ_alloc_pair));
    if (!r->raw || !r->base || !r->lo_d || !r->hi_d || !r->amt || !r->rnd || !r->member || !r->bsrc ||
        !r->out_i || !r->free_j || !r->num_i || !r->ex_i || !r->pairs || !r->tmp) {
        scratch_free(r);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the solve's working memory (%zu communities)", r->n);
    }
    return CIV_OK;
}

void civ_alloc_result_free(civ_alloc_result *r)
{
    if (!r)
        return;
    free(r->amount), free(r->unit_amount), free(r->unrounded), free(r->rounding), free(r->q), free(r->unattributed);
    free(r->wused), free(r->kw), free(r->kcol), free(r->winner), free(r->kgrp);
    free(r->stage_base), free(r->stage_tilted), free(r->stage_earmark), free(r->binding), free(r->detail), free(r->lambda), free(r->ratable);
    scratch_free(r);
    free(r->ftotal);
    free(r);
}

civ_status civ_alloc_result_create(const civ_alloc_problem *p, civ_alloc_result **out)
{
    if (!p || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_result_create: NULL argument");
    civ_alloc_result *r = calloc(1, sizeof *r);
    if (!r)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the allocation result");
    size_t n = p->n, U = p->n_units, K = p->spec->n_factors ? p->spec->n_factors : 1;
    r->n = n, r->n_units = U, r->n_factors = p->spec->n_factors;
    r->amount = civ_bigmem_calloc(n, sizeof *r->amount);
    r->unit_amount = civ_bigmem_calloc(U * n, sizeof *r->unit_amount);
    r->unrounded = civ_bigmem_calloc(n, sizeof(double));
    r->rounding = civ_bigmem_calloc(n, sizeof(double));
    r->q = civ_bigmem_calloc(U * n, sizeof(double));
    r->wused = calloc(K, sizeof(double));
    r->kw = calloc(K, sizeof(double));
    r->kcol = calloc(K, sizeof(double *));
    r->unattributed = civ_bigmem_calloc(n, sizeof(double));
    r->stage_base = civ_bigmem_calloc(n, sizeof(double));
    r->stage_tilted = civ_bigmem_calloc(n, sizeof(double));
    r->stage_earmark = civ_bigmem_calloc(n ? n : 1, sizeof(double));
    r->binding = civ_bigmem_calloc(U * n, 1);
    r->detail = civ_bigmem_calloc(U * n + 1, 1);
    r->lambda = calloc(U, sizeof(double));
    r->ratable = calloc(U, sizeof(double));
    r->ftotal = calloc(U * K, sizeof(double));
    r->winner = calloc(U * n + 1, 1); /* greater_of formulas only: mostly never touched */
    r->kgrp = calloc(K, sizeof(size_t));
    if (!r->ftotal || !r->winner || !r->kgrp || !r->wused || !r->kw || !r->kcol || !r->amount || !r->unit_amount ||
        !r->unrounded || !r->rounding || !r->q ||
        !r->unattributed || !r->stage_base || !r->stage_tilted || !r->stage_earmark || !r->binding || !r->detail || !r->lambda ||
        !r->ratable) {
        civ_alloc_result_free(r);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the allocation result (%zu communities)", n);
    }
    *out = r;
    return CIV_OK;
}

/* Stage 1 of the waterfall: factor totals S_k over the unit's m members and
 * the formula score base_j = sum_k w_k x_jk c_jk / S_k (members compacted into
 * j = 0..m-1; the greatest group score for greater_of formulas).  The common
 * case, every community eligible, skips the index indirection. */
static civ_status unit_scores(const civ_alloc_problem *p, civ_alloc_result *r, size_t u, size_t m, const char *what)
{
    const civ_alloc_spec *s = p->spec;
    const civ_alloc_formula *fo = &s->formulas[p->units[u].formula];
    size_t n = p->n, K = s->n_factors, f = p->units[u].formula;
    const int dense = m == n;
    size_t nk = 0;
    double *ft = r->ftotal + u * K;
    for (size_t k = 0; k < K; k++) {
        ft[k] = 0;
        if (s->factors[k].formula != f || p->weights[k] == 0)
            continue;
        const double *xc = p->xc + k * n;
        /* four partial sums: faster, and still a fixed order */
        double S0 = 0, S1 = 0, S2 = 0, S3 = 0;
        size_t j = 0;
        if (dense) {
            for (; j + 4 <= m; j += 4)
                S0 += xc[j], S1 += xc[j + 1], S2 += xc[j + 2], S3 += xc[j + 3];
            for (; j < m; j++)
                S0 += xc[j];
        } else {
            for (; j < m; j++)
                S0 += xc[r->member[j]];
        }
        double S = (S0 + S1) + (S2 + S3);
        if (!(S > 0) || !isfinite(S)) {
            civ_where w = {.file = s->path, .line = s->factors[k].loc.line, .column = s->factors[k].loc.column,
                           .field = s->factors[k].name};
            return civ_fail_at(CIV_ERR_DOMAIN, &w,
                               "%s: factor '%s' totals %g over the %zu eligible communities; its weight cannot be "
                               "shared",
                               what, s->factors[k].name, S, m);
        }
        ft[k] = S;
        r->kcol[nk] = xc;
        r->kgrp[nk] = s->factors[k].group_index;
        r->kw[nk++] = p->weights[k] / S;
    }
    if (fo->greater_of) {
        /* "the greater of two formulas" (US CDBG, 42 U.S.C. 5306(b)): each
         * group is a complete formula (weights sum to 1); a community's score
         * is the larger of its group scores, and the single lambda below is
         * the pro rata reduction that makes the maxima fit the pool.  Ties go
         * to the earlier group. */
        unsigned char *win = r->winner + u * n;
        for (size_t j = 0; j < m; j++)
            r->base[j] = -1;
        for (size_t g = 0; g < fo->n_groups; g++) {
            for (size_t j = 0; j < m; j++) {
                size_t i = r->member[j];
                double b = 0;
                for (size_t t = 0; t < nk; t++)
                    if (r->kgrp[t] == g)
                        b += r->kw[t] * r->kcol[t][i];
                if (b > r->base[j]) {
                    r->base[j] = b;
                    win[i] = (unsigned char)g;
                }
            }
        }
    } else if (dense) {
#pragma omp parallel for if (PAR(m)) num_threads(civ_thread_count(0)) schedule(static)
        for (size_t i = 0; i < m; i++) {
            double b = 0;
            for (size_t t = 0; t < nk; t++)
                b += r->kw[t] * r->kcol[t][i];
            r->base[i] = b;
        }
    } else {
#pragma omp parallel for if (PAR(m)) num_threads(civ_thread_count(0)) schedule(static)
        for (size_t j = 0; j < m; j++) {
            size_t i = r->member[j];
            double b = 0;
            for (size_t t = 0; t < nk; t++)
                b += r->kw[t] * r->kcol[t][i];
            r->base[j] = b;
        }
    }
    return CIV_OK;
}

/* Stage 2: the tilt, raw_j = t_j base_j, and the two unconstrained stages
 * (untilted and tilted shares of the pool P) kept for the decomposition; an
 * earmarked fund's untilted share is also kept apart (the earmark step). */
static void unit_tilt(const civ_alloc_problem *p, civ_alloc_result *r, size_t u, size_t m, double P)
{
    const double *tilt = p->tilt + p->units[u].formula * p->n;
    double sum_base = 0, sum_raw = 0;
#pragma omp parallel for if (PAR(m)) num_threads(civ_thread_count(0)) schedule(static)
    for (size_t j = 0; j < m; j++)
        r->raw[j] = r->base[j] * tilt[r->member[j]];
    for (size_t j = 0; j < m; j++) { /* the sums: serial, in id order */
        sum_base += r->base[j];
        sum_raw += r->raw[j];
    }
    const double kb = P / sum_base, kr = P / sum_raw;
#pragma omp parallel for if (PAR(m)) num_threads(civ_thread_count(0)) schedule(static)
    for (size_t j = 0; j < m; j++) {
        size_t i = r->member[j];
        r->stage_base[i] += kb * r->base[j];
        r->stage_tilted[i] += kr * r->raw[j];
    }
    if (p->spec->pools[p->units[u].first_pool].eligible_attribute)
#pragma omp parallel for if (PAR(m)) num_threads(civ_thread_count(0)) schedule(static)
        for (size_t j = 0; j < m; j++)
            r->stage_earmark[r->member[j]] += kb * r->base[j];
}

/* Unit u's bound rules, the same for every member: floor, cap and cap_share
 * in whole minor units (NaN = not set), hold-harmless and pace rates (NaN =
 * not set), the minor units per major unit. */
typedef struct unit_rules {
    double floor, cap, cap_share, hold_harmless, pace, minor;
} unit_rules;

static void unit_rules_init(const civ_alloc_problem *p, size_t u, unit_rules *ur)
{
    const civ_alloc_spec *s = p->spec;
    const civ_alloc_formula *fo = &s->formulas[p->units[u].formula];
    size_t f = p->units[u].formula;
    int64_t fl = p->floor_y ? p->floor_y[f] : fo->floor, cp = p->cap_y ? p->cap_y[f] : fo->cap;
    ur->floor = fl >= 0 ? (double)fl : NAN;
    ur->cap = cp >= 0 ? (double)cp : NAN;
    /* after a reserve release the cap share is of the whole year's fund: what was paid plus the release */
    double fund = (double)p->units[u].amount + (p->paid ? (double)p->paid_total[u] : 0);
    ur->cap_share = isnan(fo->cap_share) ? NAN : floor(clean(fo->cap_share * fund));
    ur->hold_harmless = fo->hold_harmless;
    ur->pace = fo->pace;
    ur->minor = (double)s->minor_unit;
}

/* The history bounds of a member with last year ly (major units; NaN =
 * none): communities with nothing last year are exempt from both rules. */
static inline double rules_hold_harmless(const unit_rules *ur, double ly)
{
    return !isnan(ur->hold_harmless) && ly > 0 ? units_up(ur->hold_harmless * ly * ur->minor) : NAN;
}
static inline double rules_pace(const unit_rules *ur, double ly)
{
    return !isnan(ur->pace) && ly > 0 ? units_down((1 + ur->pace) * ly * ur->minor) : NAN;
}

void civ_alloc_member_bounds(const civ_alloc_problem *p, size_t u, size_t i, civ_alloc_bounds *b)
{
    unit_rules ur;
    unit_rules_init(p, u, &ur);
    const double ly = p->last_year[u * p->n + i];
    b->floor = ur.floor;
    b->cap = ur.cap;
    b->cap_share = ur.cap_share;
    b->last_year = isnan(ly) ? NAN : clean(ly * ur.minor);
    b->hold_harmless = rules_hold_harmless(&ur, ly);
    b->pace = rules_pace(&ur, ly);
}

/* When last year's amounts of fund u's members total more than ten times this year's fund: the likeliest
 * cause of bounds that cannot be met at year end is minor units (an allocation's pool_<fund>_fen) fed to a
 * last_year column, which is in major units (the year-end walk, 2026-12-05: the cure offered was
 * on_infeasible = "ratable", which would have cut every hold-harmless by one ratio). "" otherwise. */
static void units_hint(const civ_alloc_problem *p, const civ_alloc_result *r, size_t u, size_t m, char *hint,
                       size_t size)
{
    const double *last = p->last_year + u * p->n;
    double ly = 0, fund = (double)p->units[u].amount, minor = (double)p->spec->minor_unit;
    for (size_t k = 0; k < m; k++)
        ly += isnan(last[r->member[k]]) ? 0 : last[r->member[k]] * minor;
    const civ_alloc_formula *fo = &p->spec->formulas[p->units[u].formula];
    const char *col = p->spec->pools[p->units[u].first_pool].last_year;
    col = col ? col : fo->last_year ? fo->last_year : "last_year";
    hint[0] = '\0';
    if (fund > 0 && ly > 10 * fund)
        civ_snprintf(hint, size,
                     "; last year's amounts total %.0f minor units, %.0f times this year's fund: minor units in '%s', "
                     "which is in major units? write last year's pool_%s_%s / %lld there",
                     ly, ly / fund, col, p->units[u].name, civ_alloc_minor_name(p->spec),
                     (long long)p->spec->minor_unit);
}

/* When the floors of fund u's m members alone total more than ten times the fund: the likeliest cause is a floor
 * written in minor units (fen) in the spec, whose money is in major units (yuan). The budget walk of 2026-12-06:
 * floor = 15_000_000 (150,000.00 yuan in fen) on a fund of 12,377,200.00 was refused in minor units without its
 * cause, and under on_infeasible = "ratable" it ran, every floor cut to 2% of itself and the fund split equally,
 * the formula ignored, exit 0. "" otherwise. */
static void floor_hint(const civ_alloc_problem *p, size_t u, size_t m, char *hint, size_t size)
{
    const civ_alloc_spec *s = p->spec;
    size_t f = p->units[u].formula;
    const civ_alloc_formula *fo = &s->formulas[f];
    int64_t fl = p->floor_y ? p->floor_y[f] : fo->floor;
    double fund = (double)p->units[u].amount + (p->paid ? (double)p->paid_total[u] : 0);
    hint[0] = '\0';
    /* only where the slip is the likely cause: a currency with minor units, and the floors read as minor units
     * would fit the fund (a property test's floor of 11 times a fund in whole units is a floor, not a slip) */
    if (fl <= 0 || !(fund > 0) || s->minor_unit <= 1 || (double)fl * (double)m <= 10 * fund ||
        (double)fl * (double)m >= 9e18 || (double)fl / (double)s->minor_unit * (double)m > fund)
        return;
    char a[48], at[300] = "", fix[80] = "";
    int digits = civ_alloc_money_digits(s->minor_digits);
    civ_alloc_money_text(a, sizeof a, fl, s->minor_unit);
    if (fo->floor_loc.line > 0 && s->path)
        civ_snprintf(at, sizeof at, " (%s:%ld)", s->path, fo->floor_loc.line);
    if (fl % s->minor_unit == 0) { /* the amount as typed, read as minor units */
        char v[48];
        civ_snprintf(fix, sizeof fix, ": floor = %s", civ_alloc_format_major(fl / s->minor_unit, digits, v, sizeof v));
    }
    civ_snprintf(hint, size,
                 "; the floor of %s%s for each of %zu communities is %.0f times the fund: written in %s? the "
                 "spec's money is in %s%s",
                 a, at, m, (double)fl * (double)m / fund, civ_alloc_minor_name(s), civ_alloc_major_name(s), fix);
}

/* Money in minor units held in a double (a whole number), as major units with separators ("12,377,200.00"). */
static const char *money_d(const civ_alloc_problem *p, double v, char *buf, size_t size)
{
    civ_alloc_money_text(buf, size, (int64_t)llround(v), p->spec->minor_unit);
    return buf;
}

/* Stage 3: each member's bounds in whole minor units, lower rounded up and
 * upper rounded down (floor, hold-harmless; cap, cap_share, pace), with the
 * source of each in bsrc (low nibble = lo, high nibble = hi).  A pace limit
 * below the community's own lower bound yields to it: hi = lo, and the
 * source of hi is then the lower bound's (the floor decided, not the pace;
 * r->detail records CIV_DETAIL_PACE_YIELDED).  *sum_lo gets the sum of the
 * lower bounds. */
static civ_status unit_bounds(const civ_alloc_problem *p, civ_alloc_result *r, size_t u, size_t m, const char *what,
                              double *sum_lo)
{
    const civ_alloc_formula *fo = &p->spec->formulas[p->units[u].formula];
    unsigned char *detail = r->detail + u * p->n;
    const double *last = p->last_year + u * p->n;
    const int64_t *paid = p->paid ? p->paid + u * p->n : NULL;
    unit_rules ur;
    unit_rules_init(p, u, &ur); /* the rules of civ_alloc_member_bounds, hoisted out of the loop */
#pragma omp parallel for if (PAR(m)) num_threads(civ_thread_count(0)) schedule(static)
    for (size_t j = 0; j < m; j++) {
        size_t i = r->member[j];
        double hold = rules_hold_harmless(&ur, last[i]), pace = rules_pace(&ur, last[i]);
        double lo = isnan(ur.floor) ? 0 : ur.floor, hi = isnan(ur.cap) ? INFINITY : ur.cap;
        unsigned char src = ur.floor > 0 ? CIV_BIND_FLOOR : 0, hsrc = CIV_BIND_CAP, det = 0;
        if (ur.cap_share < hi) {
            hi = ur.cap_share;
            det = CIV_DETAIL_CAP_SHARE;
        }
        if (hold > lo) {
            lo = hold;
            src = CIV_BIND_HOLD_HARMLESS;
        }
        if (pace < hi) {
            if (pace >= lo) {
                hi = pace;
                hsrc = CIV_BIND_PACE;
                det = 0;
            } else if (lo < hi) {
                hi = lo; /* the pace limit yields to the community's own floor / hold-harmless */
                hsrc = src;
                det = CIV_DETAIL_PACE_YIELDED;
            }
        }
        if (paid) { /* a release adds on top of what was paid: the bounds hold for the sum */
            double pd = (double)paid[i];
            lo = fmax(0, lo - pd);
            hi = fmax(0, hi - pd);
        }
        r->lo_d[j] = lo;
        r->hi_d[j] = hi;
        r->bsrc[j] = (unsigned char)(src | (hsrc << 4));
        detail[i] = det;
    }
    *sum_lo = 0;
    for (size_t j = 0; j < m; j++) { /* serial, in id order: the first infeasible member, and the sum */
        if (r->hi_d[j] < r->lo_d[j]) {
            size_t i = r->member[j];
            civ_where w = {.series_id = p->ids[i], .field = fo->name};
            char hint[400], hi[48], lo[48];
            units_hint(p, r, u, m, hint, sizeof hint);
            if (!hint[0])
                floor_hint(p, u, m, hint, sizeof hint);
            return civ_fail_at(CIV_ERR_INFEASIBLE, &w,
                               "%s: community '%s' has an upper bound (%s) of %s %s below its lower bound (%s) of "
                               "%s%s",
                               what, p->ids[i], (r->bsrc[j] >> 4) == CIV_BIND_PACE ? "pace" : "cap",
                               money_d(p, r->hi_d[j], hi, sizeof hi), p->spec->currency,
                               (r->bsrc[j] & 0x0F) == CIV_BIND_HOLD_HARMLESS ? "hold-harmless" : "floor",
                               money_d(p, r->lo_d[j], lo, sizeof lo), hint);
        }
        *sum_lo += r->lo_d[j];
    }
    return CIV_OK;
}

/* The solve's feasibility (civ_alloc_solve_lambda checks the same sums), said in major units with the currency
 * and, when the bounds are far beyond the fund, the likeliest cause (minor units given where major units belong):
 * sum lo <= P <= sum of hi (raw > 0) and lo (raw = 0). */
static civ_status infeasible(const civ_alloc_problem *p, civ_alloc_result *r, size_t u, size_t m, double P,
                             double sum_lo, const char *what)
{
    civ_where w = {.field = p->spec->formulas[p->units[u].formula].name};
    char hint[400], a[48], b[48];
    const char *cur = p->spec->currency;
    if (sum_lo > P) {
        units_hint(p, r, u, m, hint, sizeof hint);
        if (!hint[0])
            floor_hint(p, u, m, hint, sizeof hint);
        if (hint[0]) /* not "set on_infeasible = ratable": that would cut every bound */
            return civ_fail_at(CIV_ERR_INFEASIBLE, &w,
                               "%s: the lower bounds (floors, hold-harmless) total %s %s, above the fund of %s %s%s",
                               what, money_d(p, sum_lo, a, sizeof a), cur, money_d(p, P, b, sizeof b), cur, hint);
        return civ_fail_at(CIV_ERR_INFEASIBLE, &w,
                           "%s: the lower bounds (floors, hold-harmless) total %s %s, above the pool of %s %s: lower "
                           "the floor or the hold-harmless share, raise the pool's share, or set on_infeasible = "
                           "\"ratable\" in the formula to cut every floor by one ratio",
                           what, money_d(p, sum_lo, a, sizeof a), cur, money_d(p, P, b, sizeof b), cur);
    }
    double reach = 0;
    for (size_t j = 0; j < m; j++)
        reach += r->raw[j] > 0 ? r->hi_d[j] : r->lo_d[j];
    if (reach < P)
        return civ_fail_at(CIV_ERR_INFEASIBLE, &w,
                           "%s: the upper bounds (caps, pace) of communities with a positive score total %s %s "
                           "(zero-score communities held at their floors), below the pool of %s %s: raise the cap or "
                           "the pace limit, or lower the pool's share (the rest could go to a reserve)",
                           what, money_d(p, reach, a, sizeof a), cur, money_d(p, P, b, sizeof b), cur);
    return CIV_OK;
}

/* Stage 4: the constrained real amounts a_j (the lambda solve, or the ratable
 * reduction of the floors when they exceed the pool), the binding bits, and
 * the integer bounds for the rounding. */
static civ_status unit_constrain(const civ_alloc_problem *p, civ_alloc_result *r, size_t u, size_t m, double P,
                                 double sum_lo, const char *what)
{
    const civ_alloc_formula *fo = &p->spec->formulas[p->units[u].formula];
    unsigned char *bind = r->binding + u * p->n;
    double lam = 0;
    if (sum_lo > P && fo->ratable) {
        /* Ratable reduction (US ESEA Title I, sec. 1122(c), 20 U.S.C. 6332(c)): every lower
         * bound is cut by the same ratio so that they exactly exhaust the pool. */
        double ratio = P / sum_lo;
        /* ... but not hold-harmless bounds on a history more than ten times the fund: that is minor units fed to
         * a last_year column in major units (pool_<fund>_fen), and the cut would quietly hand out the fund in
         * proportion to last year (hold-harmless 85% cut to under 1%), the formula ignored, exit 0; were the
         * history right, a hold-harmless cut to under a tenth of itself keeps nothing of its promise */
        char hint[400], fhint[400], a[48], b[48];
        units_hint(p, r, u, m, hint, sizeof hint);
        floor_hint(p, u, m, fhint, sizeof fhint); /* ... nor floors of more than ten times the fund (fen for yuan) */
        int held = 0;
        for (size_t j = 0; j < m && !held; j++)
            held = r->lo_d[j] > 0 && (r->bsrc[j] & 0x0F) == CIV_BIND_HOLD_HARMLESS;
        if ((hint[0] && held) || fhint[0]) {
            civ_where w = {.field = fo->name};
            if (!(hint[0] && held)) /* the floors */
                return civ_fail_at(CIV_ERR_INFEASIBLE, &w,
                                   "%s: on_infeasible = \"ratable\" would cut every floor to %.2g%% of itself%s; if "
                                   "the floor is right, a cut that far keeps nothing of its promise: lower it",
                                   what, 100 * ratio, fhint);
            return civ_fail_at(CIV_ERR_INFEASIBLE, &w,
                               "%s: the lower bounds (floors, hold-harmless) total %s %s, above the fund of %s, and "
                               "on_infeasible = \"ratable\" would cut each to %.2g%% of itself%s; if last year's "
                               "amounts are right, the fund is under a tenth of last year and a hold-harmless cut that "
                               "far keeps nothing of its promise: drop hold_harmless",
                               what, money_d(p, sum_lo, a, sizeof a), p->spec->currency, money_d(p, P, b, sizeof b),
                               100 * ratio, hint);
        }
        r->ratable[u] = ratio;
#pragma omp parallel for if (PAR(m)) num_threads(civ_thread_count(0)) schedule(static)
        for (size_t j = 0; j < m; j++) {
            r->amt[j] = r->lo_d[j] * ratio;
            bind[r->member[j]] = (unsigned char)((r->lo_d[j] > 0 ? (r->bsrc[j] & 0x0F) : 0) | CIV_BIND_RATABLE);
            r->lo_d[j] = floor(r->amt[j]); /* from here on, the rounding's bounds */
            r->hi_d[j] = ceil(r->amt[j]);
        }
    } else {
        civ_status st = infeasible(p, r, u, m, P, sum_lo, what);
        if (!st)
            st = civ_alloc_solve_lambda(r->raw, r->lo_d, r->hi_d, m, P, r->pairs, r->tmp, r->amt, &lam, what);
        if (st) {
            civ_error_set_field(fo->name);
            return st;
        }
#pragma omp parallel for if (PAR(m)) num_threads(civ_thread_count(0)) schedule(static)
        for (size_t j = 0; j < m; j++) {
            double free_amt = lam * r->raw[j];
            unsigned char b = 0;
            if (r->amt[j] > free_amt && r->lo_d[j] > 0)
                b = r->bsrc[j] & 0x0F;
            else if (r->amt[j] < free_amt)
                b = (unsigned char)(r->bsrc[j] >> 4);
            bind[r->member[j]] = b;
        }
    }
    r->lambda[u] = lam;
    return CIV_OK;
}

/* A member's rounding in a unit that round.c rounded: whole units less the
 * constrained amount, a difference computed exactly (the two are within one
 * unit), but of an amount that carries the solve's floating-point error,
 * about DBL_EPSILON x the amount: within 2 DBL_EPSILON x (|whole| + |amount|)
 * it is that noise, and 0 (a community at its pro rata amount of 300000 fen
 * showed -0.0000000000291 before 2026-12-07); larger, it is the rounding, as
 * computed.  compare.c's net_effect snaps the waterfall's sums the same way. */
static double unit_rounding(int64_t whole, double amount)
{
    double d = (double)whole - amount;
    return fabs(d) <= 2 * DBL_EPSILON * (fabs((double)whole) + fabs(amount)) ? 0.0 : d;
}

/* Stage 6 (after the rounding): accumulate the amounts; keep q_i = a_i /
 * base_i so that factor k's part of the amount, q_i w_k x_ik c_ik / S_k, can
 * be formed on demand (civ_alloc_part) without a pass over every factor. */
static void unit_accumulate(const civ_alloc_problem *p, civ_alloc_result *r, size_t u, size_t m, int exact)
{
    size_t n = p->n;
    int64_t *ua = r->unit_amount + u * n;
    double *q = r->q + u * n;
#pragma omp parallel for if (PAR(m)) num_threads(civ_thread_count(0)) schedule(static) /* members are distinct: no two iterations share an i */
    for (size_t j = 0; j < m; j++) {
        size_t i = r->member[j];
        ua[i] = r->out_i[j];
        r->amount[i] += r->out_i[j];
        r->unrounded[i] += r->amt[j];
        r->rounding[i] += exact ? r->rnd[j] : unit_rounding(r->out_i[j], r->amt[j]);
        if (r->base[j] > 0) {
            q[i] = r->amt[j] / r->base[j];
        } else {
            q[i] = 0;
            r->unattributed[i] += r->amt[j];
        }
    }
}

/* One allocation unit through the waterfall: members, scores, tilt, bounds,
 * constrained amounts, largest-remainder rounding (stage 5), accumulation. */
static civ_status solve_unit(const civ_alloc_problem *p, civ_alloc_result *r, size_t u)
{
    const civ_alloc_unit *un = &p->units[u];
    const civ_alloc_formula *fo = &p->spec->formulas[un->formula];
    size_t n = p->n, m = 0;
    for (size_t i = 0; i < n; i++)
        if (un->eligible[i])
            r->member[m++] = i;
    memset(r->binding + u * n, 0, n);
    memset(r->detail + u * n, 0, n);
    memset(r->unit_amount + u * n, 0, n * sizeof *r->unit_amount);
    r->lambda[u] = 0;
    r->ratable[u] = 1;
    if (m == 0 || un->amount == 0)
        return CIV_OK;
    const double P = (double)un->amount;
    char what[200];
    civ_snprintf(what, sizeof what, "pool '%s' (formula '%s')", un->name, fo->name);
    double sum_lo;
    civ_status st;
    if ((st = unit_scores(p, r, u, m, what)))
        return st;
    unit_tilt(p, r, u, m, P);
    if ((st = unit_bounds(p, r, u, m, what, &sum_lo)) || (st = unit_constrain(p, r, u, m, P, sum_lo, what)))
        return st;
    int exact = 0;
    if (r->ratable[u] == 1 && (st = civ_alloc_exact_round(p, r, u, m, &exact)))
        return st;
    if (!exact && (st = civ_alloc_round_d(r->amt, r->lo_d, r->hi_d, m, un->amount, r->pairs, r->tmp, r->out_i))) {
        civ_error_set_field(un->name);
        return st;
    }
    unit_accumulate(p, r, u, m, exact);
    return CIV_OK;
}

/* Factor k's part of community i's unrounded amount, summed over the units
 * whose formula holds the factor (id-order index i). */
double civ_alloc_part(const civ_alloc_problem *p, const civ_alloc_result *r, size_t k, size_t i)
{
    const civ_alloc_spec *s = p->spec;
    size_t n = p->n, K = s->n_factors;
    double v = 0;
    for (size_t u = 0; u < p->n_units; u++) {
        if (p->units[u].formula != s->factors[k].formula)
            continue;
        if (s->formulas[p->units[u].formula].greater_of && r->winner[u * n + i] != s->factors[k].group_index)
            continue; /* the losing formula contributes nothing */
        double S = r->ftotal[u * K + k];
        if (S > 0 && r->q[u * n + i] != 0)
            v += r->q[u * n + i] * (r->wused[k] * p->xc[k * n + i] / S);
    }
    return v;
}

civ_status civ_alloc_result_part(const civ_alloc_problem *p, const civ_alloc_result *r, size_t k, double *values,
                                 size_t n)
{
    if (!p || !r || !values || n != p->n || k >= p->spec->n_factors)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_result_part: bad factor index or length");
    for (size_t i = 0; i < n; i++)
        values[p->row_of[i]] = civ_alloc_part(p, r, k, i);
    return CIV_OK;
}

civ_status civ_alloc_solve(const civ_alloc_problem *p, civ_alloc_result *r)
{
    if (!p || !r || r->n != p->n || r->n_units != p->n_units)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_solve: NULL or mismatched result");
    size_t n = p->n;
    civ_status st = r->raw ? CIV_OK : scratch_alloc(r);
    if (st)
        return st;
    memset(r->amount, 0, n * sizeof *r->amount);
#pragma omp parallel for if (PAR(n)) num_threads(civ_thread_count(0)) schedule(static)
    for (size_t i = 0; i < n; i++)
        r->unrounded[i] = r->rounding[i] = r->unattributed[i] = r->stage_base[i] = r->stage_tilted[i] =
            r->stage_earmark[i] = 0;
    memcpy(r->wused, p->weights, r->n_factors * sizeof *r->wused);
    for (size_t u = 0; u < p->n_units && !st; u++)
        st = solve_unit(p, r, u);
    /* A result solved once (an allocation, a scenario) keeps only its
     * results: the working memory goes back before the outputs are made.
     * From the second solve on (Monte Carlo draws, re-weighting) it is
     * kept for the next solve, until civ_alloc_result_free. */
    if (r->n_solves++ == 0)
        scratch_free(r);
    return st;
}

civ_status civ_alloc_result_stage(const civ_alloc_problem *p, const civ_alloc_result *r, civ_alloc_stage stage,
                                  double *values, size_t n)
{
    if (!p || !r || !values || n != p->n)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_result_stage: bad arguments");
    for (size_t i = 0; i < n; i++) {
        double v;
        switch (stage) {
        case CIV_ALLOC_STAGE_BASE: v = r->stage_base[i]; break;
        case CIV_ALLOC_STAGE_TILTED: v = r->stage_tilted[i]; break;
        case CIV_ALLOC_STAGE_CONSTRAINED: v = r->unrounded[i]; break;
        case CIV_ALLOC_STAGE_ROUNDED: v = (double)r->amount[i]; break;
        default: return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_result_stage: unknown stage %d", (int)stage);
        }
        values[p->row_of[i]] = v;
    }
    return CIV_OK;
}

civ_status civ_alloc_result_amounts(const civ_alloc_problem *p, const civ_alloc_result *r, int64_t *amounts, size_t n)
{
    if (!p || !r || !amounts || n != p->n)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_result_amounts: bad arguments");
    for (size_t i = 0; i < n; i++)
        amounts[p->row_of[i]] = r->amount[i];
    return CIV_OK;
}

civ_status civ_alloc_run(const civ_alloc_spec *spec, const civ_table *communities, const civ_table *forecasts,
                         int explain, civ_table **allocation, civ_table **summary)
{
    if (!allocation)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_run: allocation is NULL");
    *allocation = NULL;
    if (summary)
        *summary = NULL;
    civ_alloc_problem *p = NULL;
    civ_alloc_result *r = NULL;
    civ_status st = civ_alloc_bind(spec, communities, forecasts, &p);
    if (!st)
        st = civ_alloc_result_create(p, &r);
    if (!st)
        st = civ_alloc_solve(p, r);
    if (!st)
        st = civ_alloc_result_table(p, r, explain, allocation);
    if (!st && summary && (st = civ_alloc_result_summary(p, r, summary))) {
        civ_table_free(*allocation);
        *allocation = NULL;
    }
    civ_alloc_result_free(r);
    civ_alloc_problem_free(p);
    return st;
}
