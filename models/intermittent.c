/*
 * intermittent.c -- layer: models.  Croston, SBA, TSB, ADIDA and IMAPA for
 * intermittent and small-count demand, their count-distribution intervals,
 * and the Syntetos-Boylan demand classification.
 *
 * Let x_1..x_n be the observed values (missing values skipped), the demands
 * the non-zero x_t ("sizes" s_1..s_m) and q_1..q_m the intervals between
 * them, q_1 counted from the start of the series (R's tt).
 *
 * Croston (Croston 1972, ORQ 23(3)) exactly as R's forecast::croston (8.20):
 *   sizes and intervals are each smoothed by simple exponential smoothing
 *   with the same alpha and R's "simple" start (the level starts at the first
 *   value): z_k = z_{k-1} + alpha (s_k - z_{k-1}), p_k likewise on q_k, with
 *   z_1 = s_1, p_1 = q_1.  Forecast z_m / p_m; 0 with no demand; the one-step
 *   fitted value at t is the forecast from x_1..x_{t-1}.
 * SBA (Syntetos & Boylan 2005, IJF 21(2)): Croston times (1 - alpha/2),
 *   the bias correction; fitted values likewise.
 * TSB (Teunter, Syntetos & Babai 2011, EJOR 214(3)): the demand probability
 *   p and size z are updated every period:
 *     x_t > 0: p <- p + beta (1 - p),  z <- z + alpha (x_t - z)
 *     x_t = 0: p <- p - beta p,        z unchanged
 *   forecast p z.  Start: p_0 = m / n, z_0 = mean of the sizes (the "mean"
 *   initialisation of Kourentzes' tsintermittent::tsb); fitted value at t is
 *   p_{t-1} z_{t-1}.
 * ADIDA (Nikolopoulos, Syntetos, Boylan, Petropoulos & Assimakopoulos 2011,
 *   JORS 62(3)): the series is cut into non-overlapping buckets of k periods
 *   ending at the last observation (the n mod k oldest values are dropped),
 *   the bucket totals are forecast, and the forecast is spread equally over
 *   the k periods (divided by k).  k defaults to the series' ADI rounded to
 *   the nearest integer (at least 1), the level at which the aggregate is
 *   close to non-intermittent.  The bucket series is forecast by SBA when it
 *   is still intermittent (its ADI >= 1.32), else by SES (alpha, R's simple
 *   start), as Syntetos-Boylan-Croston selection prescribes.
 * IMAPA (Petropoulos & Kourentzes 2015, JORS 66(6)): ADIDA at every level
 *   k = 1..K, the per-period forecasts averaged with equal weights; K
 *   defaults to max(2, ceil(ADI)), at most n.
 *
 * Intervals: a count distribution per period (forecasts are flat, so every
 * step has the same one).  A demand occurs with probability pi (Croston and
 * SBA: 1/p_m; TSB: p; ADIDA and IMAPA: 1/ADI) and its size is drawn from the
 * empirical distribution of the series' own sizes times c = f / (pi * mean(s)),
 * so that the distribution's mean is the point forecast f.  Its quantile at
 * probability u is 0 when u <= 1 - pi, else c * Q_s((u - (1 - pi)) / pi)
 * with Q_s the inverse of the sizes' empirical distribution function (R
 * type 1), so each bound is a value the distribution takes and
 * P(Y <= upper) >= (1 + level)/2, P(Y <= lower) >= (1 - level)/2.  This is the
 * bootstrap of demand sizes of Willemain, Smart & Schwarz (2004, IJF 20(3))
 * in closed form, with Croston's independence of occurrence and size; it
 * ignores the uncertainty of the smoothed estimates, so it is a little
 * narrow for short series.  Never negative; whole numbers where asked (the
 * driver rounds bounds outward, civ_forecast_options.integer_bounds).
 * simulate() draws the same distribution (Bernoulli(pi) times a resampled,
 * rescaled size), independently per period.
 *
 * No likelihood: loglik and the criteria are NaN; sigma2 is the mean squared
 * one-step residual.  The smoothing parameters are fixed (R's croston does
 * not optimise either); set them in the spec.
 */
#include "intermittent.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "error.h"

enum { IM_CROSTON = 1, IM_SBA, IM_TSB, IM_ADIDA, IM_IMAPA };

typedef struct im_config {
    int method;
    double alpha, beta;
    int k; /* ADIDA level, IMAPA largest level; 0 = from the ADI */
} im_config;

typedef struct im_state {
    double point;   /* per-period forecast f */
    double pi;      /* probability of a demand in a period */
    double scale;   /* c: size multiplier */
    double *sizes;  /* m sorted sizes */
    size_t m;
} im_state;

/* ---- classification --------------------------------------------------------- */

civ_demand_class civ_intermittent_classify(const double *y, size_t n, double *adi, double *cv2)
{
    double a = NAN, c = NAN;
    size_t observed = 0, periods = 0, m = 0;
    double sum = 0.0;
    int negative = 0;
    for (size_t t = 0; t < n; t++) {
        if (isnan(y[t]))
            continue;
        observed++;
        negative |= y[t] < 0.0;
        if (y[t] > 0.0) {
            m++;
            sum += y[t];
        }
        if (m > 0)
            periods++;
    }
    civ_demand_class cls;
    if (negative || observed == 0) {
        cls = CIV_DEMAND_UNDEFINED;
    } else if (m == 0) {
        cls = CIV_DEMAND_NONE;
    } else {
        double mean = sum / (double)m, ss = 0.0;
        for (size_t t = 0; t < n; t++)
            if (!isnan(y[t]) && y[t] > 0.0)
                ss += (y[t] - mean) * (y[t] - mean);
        a = (double)periods / (double)m;
        c = m > 1 ? ss / (double)(m - 1) / (mean * mean) : 0.0;
        int inter = a >= CIV_DEMAND_ADI_CUTOFF, var = c >= CIV_DEMAND_CV2_CUTOFF;
        cls = inter ? (var ? CIV_DEMAND_LUMPY : CIV_DEMAND_INTERMITTENT)
                    : (var ? CIV_DEMAND_ERRATIC : CIV_DEMAND_SMOOTH);
    }
    if (adi)
        *adi = a;
    if (cv2)
        *cv2 = c;
    return cls;
}

/* ---- spec parsing ------------------------------------------------------------- */

/* "name" or "name(key=value,...)": lower-cased, spaces removed, into buf. */
static int im_normalise(const char *spec, char *buf, size_t cap)
{
    size_t L = 0;
    for (const char *p = spec; *p; p++) {
        if (civ_ascii_isspace((unsigned char)*p))
            continue;
        if (L + 1 >= cap)
            return 0;
        buf[L++] = (char)civ_ascii_tolower((unsigned char)*p);
    }
    buf[L] = 0;
    return 1;
}

static civ_status im_bad(const char *spec, const char *why)
{
    civ_where w = {.field = "model"};
    return civ_fail_at(CIV_ERR_SPEC, &w, "malformed model spec '%s': %s", spec, why);
}

/* Parses "key=value" pairs of args (NUL-terminated, no parentheses). */
static civ_status im_parse_args(const char *spec, char *args, im_config *cfg)
{
    char *save = NULL;
    for (char *tok = strtok_r(args, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq)
            return im_bad(spec, "expected key=value");
        *eq = 0;
        char *end;
        double v = civ_strtod(eq + 1, &end);
        if (end == eq + 1 || *end)
            return im_bad(spec, "a value is not a number");
        if (!strcmp(tok, "alpha") || (!strcmp(tok, "beta") && cfg->method == IM_TSB)) {
            if (!(v > 0.0 && v <= 1.0))
                return im_bad(spec, "smoothing parameters must be in (0, 1]");
            *(!strcmp(tok, "alpha") ? &cfg->alpha : &cfg->beta) = v;
        } else if (!strcmp(tok, "k") && (cfg->method == IM_ADIDA || cfg->method == IM_IMAPA)) {
            if (!(v >= 1.0 && v <= 1000.0) || v != floor(v))
                return im_bad(spec, "k must be a whole number from 1 to 1000");
            cfg->k = (int)v;
        } else {
            return im_bad(spec, cfg->method == IM_TSB     ? "TSB takes alpha and beta"
                                : cfg->method >= IM_ADIDA ? "ADIDA and IMAPA take k and alpha"
                                                          : "Croston and SBA take alpha");
        }
    }
    return CIV_OK;
}

static civ_status im_parse(const char *spec, void *config, int method, const char *name)
{
    im_config *cfg = config;
    char buf[96];
    if (!im_normalise(spec, buf, sizeof buf))
        return CIV_ERR_NOT_FOUND;
    size_t L = strlen(name);
    if (strncmp(buf, name, L) != 0 || (buf[L] != 0 && buf[L] != '('))
        return CIV_ERR_NOT_FOUND;
    cfg->method = method;
    cfg->alpha = 0.1;
    cfg->beta = 0.1;
    cfg->k = 0;
    if (buf[L] == 0)
        return CIV_OK;
    size_t B = strlen(buf);
    if (buf[B - 1] != ')')
        return im_bad(spec, "missing ')'");
    buf[B - 1] = 0;
    return im_parse_args(spec, buf + L + 1, cfg);
}

static civ_status parse_croston(const char *s, void *c) { return im_parse(s, c, IM_CROSTON, "croston"); }
static civ_status parse_sba(const char *s, void *c) { return im_parse(s, c, IM_SBA, "sba"); }
static civ_status parse_tsb(const char *s, void *c) { return im_parse(s, c, IM_TSB, "tsb"); }
static civ_status parse_adida(const char *s, void *c) { return im_parse(s, c, IM_ADIDA, "adida"); }
static civ_status parse_imapa(const char *s, void *c) { return im_parse(s, c, IM_IMAPA, "imapa"); }

/* ---- the estimators ---------------------------------------------------------- */

/* Croston on x[0..n) with alpha, R's croston2; the result times `factor`
 * (1 for Croston, 1 - alpha/2 for SBA).  fitted[t] (may be NULL) is the
 * forecast from x[0..t); *p_out the smoothed interval (1 without demand). */
static double croston_run(const double *x, size_t n, double alpha, double factor, double *fitted, double *p_out)
{
    double z = 0.0, p = 1.0;
    size_t m = 0, last = 0;
    for (size_t t = 0; t < n; t++) {
        if (fitted)
            fitted[t] = t == 0 ? NAN : (m ? factor * z / p : 0.0);
        if (x[t] > 0.0) {
            double q = (double)(t + 1 - last);
            last = t + 1;
            if (++m == 1) {
                z = x[t];
                p = q;
            } else {
                z += alpha * (x[t] - z);
                p += alpha * (q - p);
            }
        }
    }
    if (m == 0 && fitted) /* R: with no demand the fitted values are x * 0 */
        for (size_t t = 0; t < n; t++)
            fitted[t] = 0.0;
    *p_out = p;
    return m ? factor * z / p : 0.0;
}

/* SES with R's "simple" start (level = x[0]); fitted[t] = level before x[t]. */
static double ses_run(const double *x, size_t n, double alpha, double *fitted)
{
    double l = x[0];
    for (size_t t = 0; t < n; t++) {
        if (fitted)
            fitted[t] = t == 0 ? NAN : l;
        l += alpha * (x[t] - l);
    }
    return l;
}

/* TSB with the "mean" start; *p_out the final demand probability. */
static double tsb_run(const double *x, size_t n, double alpha, double beta, double *fitted, double *p_out)
{
    double zsum = 0.0;
    size_t m = 0;
    for (size_t t = 0; t < n; t++)
        if (x[t] > 0.0) {
            zsum += x[t];
            m++;
        }
    if (m == 0) {
        for (size_t t = 0; fitted && t < n; t++)
            fitted[t] = 0.0;
        *p_out = 0.0;
        return 0.0;
    }
    double p = (double)m / (double)n, z = zsum / (double)m;
    for (size_t t = 0; t < n; t++) {
        if (fitted)
            fitted[t] = p * z;
        if (x[t] > 0.0) {
            p += beta * (1.0 - p);
            z += alpha * (x[t] - z);
        } else {
            p -= beta * p;
        }
    }
    *p_out = p;
    return p * z;
}

/* ADIDA at level k: the per-period forecast; fitted[t] (may be NULL) the
 * one-step forecast of the bucket holding t divided by k (NaN in the first
 * bucket and the dropped head).  agg and aggfit: scratch of n/k doubles. */
static double adida_run(const double *x, size_t n, size_t k, double alpha, double *agg, double *aggfit,
                        double *fitted)
{
    size_t B = n / k, head = n - B * k;
    for (size_t b = 0; b < B; b++) {
        double s = 0.0;
        for (size_t j = 0; j < k; j++)
            s += x[head + b * k + j];
        agg[b] = s;
    }
    double adi = NAN;
    civ_demand_class cls = civ_intermittent_classify(agg, B, &adi, NULL);
    double f, p;
    if (cls == CIV_DEMAND_INTERMITTENT || cls == CIV_DEMAND_LUMPY || cls == CIV_DEMAND_NONE)
        f = croston_run(agg, B, alpha, 1.0 - alpha / 2.0, aggfit, &p);
    else
        f = ses_run(agg, B, alpha, aggfit);
    if (fitted) {
        for (size_t t = 0; t < n; t++)
            fitted[t] = t < head ? NAN : aggfit[(t - head) / k] / (double)k;
    }
    return f / (double)k;
}

/* ---- fit ------------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static const char *const croston_names[] = {"alpha", "demand_size", "interval"};
static const char *const tsb_names[] = {"alpha", "beta", "demand_size", "probability"};
static const char *const adida_names[] = {"alpha", "aggregation"};

/* The point forecast, pi and report values of one method; fills fitted. */
static civ_status im_estimate(const im_config *cfg, const double *x, size_t n, double adi, civ_workspace *ws,
                              civ_model_fit *fit, im_state *st)
{
    double p = 1.0, a = cfg->alpha;
    double *rep = civ_arena_doubles(&ws->arena, 4);
    if (!rep)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    fit->params = rep;
    if (cfg->method == IM_CROSTON || cfg->method == IM_SBA) {
        st->point = croston_run(x, n, a, cfg->method == IM_SBA ? 1.0 - a / 2.0 : 1.0, fit->fitted, &p);
        st->pi = 1.0 / p;
        rep[0] = a;
        rep[1] = st->point * p / (cfg->method == IM_SBA ? 1.0 - a / 2.0 : 1.0);
        rep[2] = p;
        fit->param_names = (const char **)croston_names;
        fit->n_report_params = 3;
        civ_snprintf(fit->name, sizeof fit->name, "%s", cfg->method == IM_SBA ? "SBA" : "Croston");
        return CIV_OK;
    }
    if (cfg->method == IM_TSB) {
        st->point = tsb_run(x, n, a, cfg->beta, fit->fitted, &p);
        st->pi = p;
        rep[0] = a;
        rep[1] = cfg->beta;
        rep[2] = p > 0.0 ? st->point / p : 0.0;
        rep[3] = p;
        fit->param_names = (const char **)tsb_names;
        fit->n_report_params = 4;
        civ_snprintf(fit->name, sizeof fit->name, "TSB");
        return CIV_OK;
    }
    /* ADIDA, IMAPA */
    size_t kd = isnan(adi) ? 1 : (size_t)fmax(1.0, floor(adi + 0.5));
    size_t lo = 1, hi;
    if (cfg->method == IM_ADIDA) {
        hi = cfg->k ? (size_t)cfg->k : kd;
        if (hi > n)
            hi = n;
        lo = hi;
    } else {
        hi = cfg->k ? (size_t)cfg->k : (size_t)fmax(2.0, isnan(adi) ? 2.0 : ceil(adi));
        if (hi > n)
            hi = n;
    }
    double *agg = civ_arena_doubles(&ws->arena, n), *aggfit = civ_arena_doubles(&ws->arena, n);
    double *lev = civ_arena_doubles(&ws->arena, n);
    if (!agg || !aggfit || !lev)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    double sum = 0.0;
    for (size_t t = 0; t < n; t++)
        fit->fitted[t] = 0.0;
    for (size_t k = lo; k <= hi; k++) {
        sum += adida_run(x, n, k, a, agg, aggfit, lev);
        for (size_t t = 0; t < n; t++)
            fit->fitted[t] += lev[t]; /* NaN where any level has none */
    }
    double levels = (double)(hi - lo + 1);
    for (size_t t = 0; t < n; t++)
        fit->fitted[t] /= levels;
    st->point = sum / levels;
    st->pi = isnan(adi) ? 0.0 : 1.0 / adi;
    rep[0] = a;
    rep[1] = (double)hi;
    fit->param_names = (const char **)adida_names;
    fit->n_report_params = 2;
    if (cfg->method == IM_ADIDA)
        civ_snprintf(fit->name, sizeof fit->name, "ADIDA(k=%zu)", hi);
    else
        civ_snprintf(fit->name, sizeof fit->name, "IMAPA(k=1..%zu)", hi);
    return CIV_OK;
}

static civ_status im_fit(const void *config, const civ_model_options *options, const civ_series *series,
                         civ_workspace *ws, civ_model_fit *fit)
{
    (void)options;
    const im_config *cfg = config;
    civ_where w = {.series_id = series->id};
    double *x = civ_arena_doubles(&ws->arena, series->n + 1);
    im_state *st = civ_arena_alloc(&ws->arena, sizeof *st);
    if (!x || !st)
        return civ_fail_at(CIV_ERR_OUT_OF_MEMORY, &w, "out of memory");
    size_t n = 0, m = 0;
    for (size_t t = 0; t < series->n; t++) {
        double v = series->y[t];
        if (isnan(v))
            continue;
        if (v < 0.0)
            return civ_fail_at(CIV_ERR_DOMAIN, &w,
                               "intermittent-demand methods need non-negative counts, got %g at position %zu", v,
                               t + 1);
        x[n++] = v;
        m += v > 0.0;
    }
    if (n == 0)
        return civ_fail_at(CIV_ERR_TOO_SHORT, &w, "the series has no observed value");
    double adi = NAN;
    civ_intermittent_classify(x, n, &adi, NULL);

    size_t N = series->n;
    fit->n = N;
    fit->fitted = civ_arena_doubles(&ws->arena, N);
    fit->residuals = civ_arena_doubles(&ws->arena, N);
    st->sizes = civ_arena_doubles(&ws->arena, m + 1);
    if (!fit->fitted || !fit->residuals || !st->sizes)
        return civ_fail_at(CIV_ERR_OUT_OF_MEMORY, &w, "out of memory");
    /* the estimators see the observed values only: their fitted values are
     * laid out compactly, then spread back over the series below */
    civ_status s = im_estimate(cfg, x, n, adi, ws, fit, st);
    if (s != CIV_OK)
        return s;

    st->m = 0;
    double ssum = 0.0;
    for (size_t t = 0; t < n; t++)
        if (x[t] > 0.0) {
            st->sizes[st->m++] = x[t];
            ssum += x[t];
        }
    qsort(st->sizes, st->m, sizeof *st->sizes, cmp_double);
    if (st->pi > 1.0)
        st->pi = 1.0;
    st->scale = st->m && st->pi > 0.0 && st->point > 0.0 ? st->point / (st->pi * ssum / (double)st->m) : 0.0;

    double sse = 0.0;
    size_t nres = 0, k = n;
    for (size_t t = N; t-- > 0;) {
        if (isnan(series->y[t])) {
            fit->fitted[t] = fit->residuals[t] = NAN;
            continue;
        }
        fit->fitted[t] = fit->fitted[--k]; /* k <= t: moving right never overwrites unread values */
        fit->residuals[t] = series->y[t] - fit->fitted[t];
        if (!isnan(fit->residuals[t])) {
            sse += fit->residuals[t] * fit->residuals[t];
            nres++;
        }
    }
    fit->loglik = fit->aic = fit->aicc = fit->bic = NAN;
    fit->sigma2 = nres ? sse / (double)nres : NAN;
    fit->n_params = cfg->method == IM_TSB ? 2 : 1;
    fit->state = st;
    return CIV_OK;
}

/* ---- forecast, intervals, simulation -------------------------------------------------- */

/* Quantile at probability u of the per-period count distribution. */
static double im_quantile(const im_state *st, double u)
{
    if (st->m == 0 || st->scale <= 0.0 || u <= 1.0 - st->pi)
        return 0.0;
    /* the inverse of the sizes' empirical distribution function (R type 1):
     * the smallest size s_(k) with k/m >= v, so P(Y <= bound) >= u holds */
    double v = (u - (1.0 - st->pi)) / st->pi;
    double kpos = ceil((double)st->m * v - 1e-9);
    size_t k = kpos < 1.0 ? 1 : (kpos > (double)st->m ? st->m : (size_t)kpos);
    return st->scale * st->sizes[k - 1];
}

static civ_status im_forecast(const civ_model_fit *fit, const civ_series *series, size_t h, const double *levels,
                              size_t n_levels, civ_workspace *ws, double *mean, double *lower, double *upper)
{
    (void)series;
    (void)ws;
    const im_state *st = fit->state;
    for (size_t j = 0; j < h; j++)
        mean[j] = st->point;
    for (size_t l = 0; l < n_levels; l++) {
        double a = (1.0 - levels[l] / 100.0) / 2.0;
        double lo = im_quantile(st, a), hi = im_quantile(st, 1.0 - a);
        for (size_t j = 0; j < h; j++) {
            lower[l * h + j] = lo;
            upper[l * h + j] = hi;
        }
    }
    return CIV_OK;
}

static civ_status im_simulate(const civ_model_fit *fit, const civ_series *series, size_t h, size_t n_paths,
                              civ_workspace *ws, double *paths)
{
    (void)series;
    const im_state *st = fit->state;
    for (size_t p = 0; p < n_paths; p++)
        for (size_t j = 0; j < h; j++) {
            double v = 0.0;
            if (st->m && gsl_rng_uniform(ws->rng) < st->pi)
                v = st->scale * st->sizes[gsl_rng_uniform_int(ws->rng, st->m)];
            paths[p * h + j] = v;
        }
    return CIV_OK;
}

/* ---- type objects ---------------------------------------------------------------------- */

static const civ_param_info alpha_param[] = {
    {"alpha", "smoothing of demand sizes (and of intervals for Croston/SBA)", 0.0, 1.0},
};
static const civ_param_info tsb_params[] = {
    {"alpha", "smoothing of demand sizes", 0.0, 1.0},
    {"beta", "smoothing of the demand probability", 0.0, 1.0},
};

#define IM_TYPE(var, fam, sum, help, pr, npr, parser)                                                          \
    const civ_model_type var = {                                                                                \
        .family = fam, .summary = sum, .spec_help = help, .params = pr, .n_params = npr,                          \
        .config_size = sizeof(im_config), .parse = parser, .fit = im_fit, .forecast = im_forecast,                \
        .simulate = im_simulate,                                                                                  \
    }

IM_TYPE(civ_model_croston, "croston", "Croston's method for intermittent demand (as R's forecast::croston)",
        "croston | croston(alpha=A)", alpha_param, 1, parse_croston);
IM_TYPE(civ_model_sba, "sba", "Syntetos-Boylan approximation: Croston with the (1 - alpha/2) bias correction",
        "sba | sba(alpha=A)", alpha_param, 1, parse_sba);
IM_TYPE(civ_model_tsb, "tsb", "Teunter-Syntetos-Babai: demand probability updated every period (obsolescence)",
        "tsb | tsb(alpha=A,beta=B)", tsb_params, 2, parse_tsb);
IM_TYPE(civ_model_adida, "adida", "ADIDA: temporal aggregation at level k, forecast, equal disaggregation",
        "adida | adida(k=K,alpha=A)", alpha_param, 1, parse_adida);
IM_TYPE(civ_model_imapa, "imapa", "IMAPA: ADIDA at levels 1..K, forecasts averaged",
        "imapa | imapa(k=K,alpha=A)", alpha_param, 1, parse_imapa);
