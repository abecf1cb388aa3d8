/*
 * arima.c -- layer: models.  The ARIMA model family: spec parsing, fixed-order fits as
 * forecast::Arima(), automatic selection as forecast::auto.arima()
 * (Hyndman & Khandakar 2008, JSS 27(3), sec. 3.2: KPSS for d, a seasonal
 * test for D, stepwise search on AICc over p <= 5, q <= 5, P <= 2, Q <= 2,
 * p+q+P+Q <= 5 in the full search, roots kept outside 1.01), regression with
 * ARIMA errors on the series' covariates, and forecasts with intervals from
 * the Kalman forecast variances (Harvey 1989, sec. 3.5; stats::KalmanForecast).
 *
 * The control flow of auto.arima/search.arima/myarima is reproduced step by
 * step (the same candidate order, the same strict comparisons, the same
 * approximation by CSS for long or high-frequency series and the refit of
 * the best candidates by exact ML), so that the same series give the same
 * models as R.  Estimation itself lives in arima_kalman.c, the differencing
 * tests in unit_root.c.
 */
#include "arima.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arima_kalman.h"
#include "c_locale.h"
#include "decompose.h"
#include "error.h"
#include "unit_root.h"

#define NMODELS 94

typedef struct arima_config {
    int automatic; /* auto.arima */
    int stepwise;  /* 1 stepwise, 0 full search */
    int approx;    /* -1 R's default, 0 never, 1 always */
    int p, d, q, P, D, Q, m; /* fixed orders; m = 0: the series' period */
    int seasonal_given;
    int mean;  /* -1 default (mean when d + D = 0), 0 none, 1 mean */
    int drift; /* 1 with drift */
    double reltol; /* BFGS reltol (R's optim.control = list(reltol =)); 0 = R's default */
} arima_config;

/* Scores of one fitted candidate (R's myarima / Arima). */
typedef struct arima_scores {
    double aic, aicc, bic, ic, sigma2;
    int npar, intercept, drift;
} arima_scores;

/* What forecast() needs, in the arena. */
typedef struct arima_state {
    civ_arima_result *res;
    arima_scores sc;
    int constant_series;
    double constant_value;
    size_t first, nx, n_user;
} arima_state;

typedef struct search_ctx {
    civ_arima_work *w;
    const double *x;
    size_t nx, serieslength;
    const double *ux; /* user regressors nx x nu, column-major */
    size_t nu;
    double *X; /* scratch nx x (nu + 2) */
    int m;
    civ_criterion ic;
    const char *id;
} search_ctx;

/* ---------------------------------------------------------------------------
 * Spec parsing
 * ------------------------------------------------------------------------- */

static int word_eq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (civ_ascii_tolower((unsigned char)a[i]) != civ_ascii_tolower((unsigned char)b[i]))
            return 0;
    return b[n] == '\0';
}

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* "(a,b,c)" -> 3 ints; returns pointer after ')' or NULL. */
static const char *parse_triple(const char *s, int v[3])
{
    if (*s != '(')
        return NULL;
    s++;
    for (int i = 0; i < 3; i++) {
        s = skip_ws(s);
        char *end;
        long x = strtol(s, &end, 10);
        if (end == s || x < 0 || x > 100)
            return NULL;
        v[i] = (int)x;
        s = skip_ws(end);
        if (*s != (i < 2 ? ',' : ')'))
            return NULL;
        s++;
    }
    return s;
}

/* The options of an automatic spec, `arima(full, noapprox, reltol=1e-4)`: the words between the
 * parenthesis after the name (`open`) and the closing one (`close`). */
static civ_status parse_auto_options(arima_config *c, const char *spec, const char *open, const char *close)
{
    const char *o = open + 1;
    while (o < close) {
        o = skip_ws(o);
        const char *e = o;
        while (e < close && *e != ',')
            e++;
        size_t wl = (size_t)(e - o);
        while (wl && o[wl - 1] == ' ')
            wl--;
        if (word_eq(o, "full", wl))
            c->stepwise = 0;
        else if (word_eq(o, "stepwise", wl))
            c->stepwise = 1;
        else if (word_eq(o, "approx", wl))
            c->approx = 1;
        else if (word_eq(o, "noapprox", wl))
            c->approx = 0;
        else if (wl > 7 && strncmp(o, "reltol=", 7) == 0) {
            char *end;
            double v = civ_strtod(o + 7, &end);
            if (end != o + wl || !(v > 0 && v < 1))
                return civ_fail(CIV_ERR_SPEC, "model '%s': reltol must be a number in (0, 1), e.g. reltol=1e-4",
                                spec);
            c->reltol = v;
        } else if (wl)
            return civ_fail(CIV_ERR_SPEC,
                            "model '%s': unknown option '%.*s' (full, stepwise, approx, noapprox, reltol=X)",
                            spec, (int)wl, o);
        o = e + (e < close);
    }
    return CIV_OK;
}

/* The suffix after fixed orders: "" | "with drift" | "with mean" | "with non-zero mean" | "with zero mean" |
 * "without mean"; t points at it and tl is its length (trailing blanks trimmed). */
static civ_status parse_mean_suffix(arima_config *c, const char *spec, const char *t, size_t tl)
{
    if (tl == 0) {
    } else if (word_eq(t, "with drift", tl)) {
        c->drift = 1;
    } else if (word_eq(t, "with mean", tl) || word_eq(t, "with non-zero mean", tl)) {
        c->mean = 1;
    } else if (word_eq(t, "with zero mean", tl) || word_eq(t, "without mean", tl)) {
        c->mean = 0;
    } else {
        return civ_fail(CIV_ERR_SPEC, "model '%s': unknown suffix '%.*s' (with drift | with mean | with zero mean)",
                        spec, (int)tl, t);
    }
    return CIV_OK;
}

/* Fixed orders, `ARIMA(p,d,q)(P,D,Q)[m] with drift`: paren is the first '(' and end the end of the spec
 * (trailing blanks trimmed). */
static civ_status parse_fixed_orders(arima_config *c, const char *spec, const char *paren, const char *end)
{
    int v[3];
    const char *r = parse_triple(paren, v);
    if (!r)
        return civ_fail(CIV_ERR_SPEC, "model '%s': expected ARIMA(p,d,q) with integers 0..100", spec);
    c->p = v[0];
    c->d = v[1];
    c->q = v[2];
    if (*r == '(') {
        r = parse_triple(r, v);
        if (!r)
            return civ_fail(CIV_ERR_SPEC, "model '%s': expected a seasonal part (P,D,Q)", spec);
        c->P = v[0];
        c->D = v[1];
        c->Q = v[2];
        c->seasonal_given = 1;
        if (*r == '[') {
            char *stop;
            long m = strtol(r + 1, &stop, 10);
            if (stop == r + 1 || *stop != ']' || m < 1 || m > 1000)
                return civ_fail(CIV_ERR_SPEC, "model '%s': expected a period [m] with m in 1..1000", spec);
            c->m = (int)m;
            r = stop + 1;
        }
    }
    const char *t = skip_ws(r);
    civ_status st = parse_mean_suffix(c, spec, t, (size_t)(end - t));
    if (st)
        return st;
    if (c->drift && c->d + c->D > 1)
        return civ_fail(CIV_ERR_SPEC, "model '%s': no drift with two or more differences", spec);
    if (c->p + c->q + c->P + c->Q > 30)
        return civ_fail(CIV_ERR_SPEC, "model '%s': at most 30 ARMA coefficients", spec);
    return CIV_OK;
}

static civ_status arima_parse(const char *spec, void *config)
{
    arima_config *c = config;
    memset(c, 0, sizeof *c);
    c->approx = -1;
    c->mean = -1;
    c->stepwise = 1;
    const char *s = skip_ws(spec);
    size_t len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    const char *paren = memchr(s, '(', len);
    size_t head = paren ? (size_t)(paren - s) : len;
    if (!word_eq(s, "arima", head) && !word_eq(s, "auto.arima", head))
        return CIV_ERR_NOT_FOUND;
    int is_auto = !paren || !civ_ascii_isdigit((unsigned char)*skip_ws(paren + 1));
    if (!is_auto)
        return parse_fixed_orders(c, spec, paren, s + len);
    c->automatic = 1;
    if (!paren)
        return CIV_OK;
    if (s[len - 1] != ')')
        return civ_fail(CIV_ERR_SPEC, "model '%s': missing ')'", spec);
    return parse_auto_options(c, spec, paren, s + len - 1);
}

/* ---------------------------------------------------------------------------
 * One candidate (forecast:::myarima and forecast::Arima)
 * ------------------------------------------------------------------------- */

static size_t build_xreg(search_ctx *s, int intercept, int drift)
{
    size_t col = 0, n = s->nx;
    if (intercept) {
        for (size_t t = 0; t < n; t++)
            s->X[t] = 1.0;
        col++;
    }
    if (drift) {
        for (size_t t = 0; t < n; t++)
            s->X[col * n + t] = (double)(t + 1);
        col++;
    }
    for (size_t k = 0; k < s->nu; k++, col++)
        memcpy(s->X + col * n, s->ux + k * n, n * sizeof(double));
    return col;
}

static double pick_ic(civ_criterion c, const arima_scores *sc)
{
    return c == CIV_CRIT_AIC ? sc->aic : c == CIV_CRIT_BIC ? sc->bic : sc->aicc;
}

/* Information criteria and sigma2 as Arima()/myarima(). */
static void score(search_ctx *s, const civ_arima_result *res, int method, double offset, civ_criterion crit,
                  arima_scores *sc)
{
    double nstar = (double)s->serieslength - res->order.d - (double)res->order.D * res->order.m;
    int npar = (int)(res->no_optim ? 0 : res->ncoef) + 1;
    double aic = res->aic;
    if (method == CIV_ARIMA_CSS)
        aic = offset + nstar * log(res->sigma2_arima) + 2.0 * npar;
    sc->npar = npar;
    if (!isnan(aic)) {
        sc->aic = aic;
        sc->bic = aic + npar * (log(nstar) - 2.0);
        sc->aicc = aic + 2.0 * npar * (npar + 1) / (nstar - npar - 1);
        sc->ic = pick_ic(crit, sc);
    } else {
        sc->aic = sc->bic = sc->aicc = sc->ic = INFINITY;
    }
    double ss = 0.0;
    for (size_t t = 0; t < res->n; t++)
        if (!isnan(res->resid[t]))
            ss += res->resid[t] * res->resid[t];
    sc->sigma2 = ss / (nstar - npar + 1);
}

/* R's myarima(): fit, score, and reject near-unit roots and undefined
 * standard errors.  Returns the criterion (+INFINITY on failure). */
static double my_arima(search_ctx *s, int p, int d, int q, int P, int D, int Q, int constant, int approx,
                       double offset, civ_arima_result *res, arima_scores *sc)
{
    int diffs = d + D;
    int drift = diffs == 1 && constant, intercept = diffs == 0 && constant;
    size_t ncx = build_xreg(s, intercept, drift);
    civ_arima_order o = {p, d, q, P, D, Q, s->m};
    int method = approx ? CIV_ARIMA_CSS : CIV_ARIMA_CSS_ML;
    sc->ic = INFINITY;
    sc->intercept = intercept;
    sc->drift = drift;
    if (civ_arima_estimate(s->w, s->x, s->nx, ncx ? s->X : NULL, ncx, &o, method, NULL, res) != CIV_ARIMA_OK)
        return INFINITY;
    score(s, res, method, offset, s->ic, sc);
    double minroot = 2.0;
    if (p + P > 0) {
        double r = civ_arima_min_root(s->w, res->phi, res->nphi, -1);
        if (isnan(r))
            sc->ic = INFINITY;
        else if (r < minroot)
            minroot = r;
    }
    if (q + Q > 0 && sc->ic < INFINITY) {
        double r = civ_arima_min_root(s->w, res->theta, res->ntheta, +1);
        if (isnan(r))
            sc->ic = INFINITY;
        else if (r < minroot)
            minroot = r;
    }
    int bad_se = 0;
    if (!res->no_optim)
        for (size_t i = 0; i < res->ncoef; i++)
            if (isnan(sqrt(res->var[i * res->ncoef + i])))
                bad_se = 1;
    if (minroot < 1.01 || bad_se)
        sc->ic = INFINITY;
    return sc->ic;
}

/* ---------------------------------------------------------------------------
 * auto.arima
 * ------------------------------------------------------------------------- */

typedef struct cand {
    int p, q, P, Q, constant;
    double ic;
} cand;

typedef struct stepper {
    search_ctx *s;
    int d, D, approx;
    double offset;
    cand results[NMODELS + 1];
    int k;
    civ_arima_result *best, *cur;
    arima_scores best_sc;
    double best_ic;
    int best_set;
    cand best_c;
} stepper;

static int new_model(const stepper *st, int p, int q, int P, int Q, int c)
{
    for (int i = 0; i < st->k; i++) {
        const cand *r = &st->results[i];
        if (r->p == p && r->q == q && r->P == P && r->Q == Q && r->constant == c)
            return 0;
    }
    return 1;
}

/* Fits a candidate and records it; returns 1 when it improves on the best. */
static int consider(stepper *st, int p, int q, int P, int Q, int c)
{
    arima_scores sc;
    double ic = my_arima(st->s, p, st->d, q, P, st->D, Q, c, st->approx, st->offset, st->cur, &sc);
    cand cd = {p, q, P, Q, c, ic};
    if (st->k < NMODELS)
        st->results[st->k] = cd;
    st->k++;
    if (ic < st->best_ic) {
        civ_arima_result *t = st->best;
        st->best = st->cur;
        st->cur = t;
        st->best_ic = ic;
        st->best_sc = sc;
        st->best_set = 1;
        st->best_c = cd;
        return 1;
    }
    return 0;
}

/* One neighbour of the stepwise search: 0 not better, 1 better, 2 limit. */
static int step(stepper *st, int p, int q, int P, int Q, int c)
{
    if (!new_model(st, p, q, P, Q, c))
        return 0;
    if (st->k + 1 > NMODELS) {
        st->k++;
        return 2;
    }
    return consider(st, p, q, P, Q, c);
}

static int cmp_cand(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    /* R's order(): increasing, ties kept in index order (we sort indices) */
    return (x->ic > y->ic) - (x->ic < y->ic);
}

static void stable_sort_cands(cand *c, int n)
{
    /* insertion sort: stable, n <= 94 */
    for (int i = 1; i < n; i++) {
        cand t = c[i];
        int j = i - 1;
        while (j >= 0 && cmp_cand(&c[j], &t) > 0) {
            c[j + 1] = c[j];
            j--;
        }
        c[j + 1] = t;
    }
}

/* Differences x (length *len) in place at lag `lag`. */
static void diff_inplace(double *x, size_t *len, size_t lag)
{
    if (*len <= lag) {
        *len = 0;
        return;
    }
    for (size_t t = 0; t + lag < *len; t++)
        x[t] = x[t + lag] - x[t];
    *len -= lag;
}

static int all_nan(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]))
            return 0;
    return 1;
}

/* 1 when some differenced regressor column is constant. */
static int any_const_diff(search_ctx *s, civ_workspace *ws, int D, int d)
{
    double *buf = civ_arena_doubles(&ws->arena, s->nx);
    if (!buf)
        return 0;
    for (size_t k = 0; k < s->nu; k++) {
        memcpy(buf, s->ux + k * s->nx, s->nx * sizeof *buf);
        size_t len = s->nx;
        for (int i = 0; i < D; i++)
            diff_inplace(buf, &len, (size_t)s->m);
        for (int i = 0; i < d; i++)
            diff_inplace(buf, &len, 1);
        if (civ_series_is_constant(buf, len))
            return 1;
    }
    return 0;
}

static civ_status fit_fixed(search_ctx *s, const civ_arima_order *o, int intercept, int drift,
                            const double *fixed, civ_arima_result *res, arima_scores *sc)
{
    size_t ncx = build_xreg(s, intercept, drift);
    int rc = civ_arima_estimate(s->w, s->x, s->nx, ncx ? s->X : NULL, ncx, o, CIV_ARIMA_CSS_ML, fixed, res);
    if (rc != CIV_ARIMA_OK) {
        civ_where w = {.series_id = s->id, .field = "model"};
        return civ_fail_at(CIV_ERR_NUMERIC, &w, "ARIMA estimation failed: %s", civ_arima_strerror(rc));
    }
    score(s, res, CIV_ARIMA_CSS_ML, 0.0, s->ic, sc);
    sc->intercept = intercept;
    sc->drift = drift;
    return CIV_OK;
}

/* ---------------------------------------------------------------------------
 * fit
 * ------------------------------------------------------------------------- */

static void arima_name(char *buf, size_t cap, const civ_arima_result *r, const arima_scores *sc, size_t nu)
{
    const civ_arima_order *o = &r->order;
    int w = civ_snprintf(buf, cap, "%sARIMA(%d,%d,%d)", nu ? "Regression with " : "", o->p, o->d, o->q);
    if (w < 0 || (size_t)w >= cap)
        return;
    if (o->m > 1 && o->P + o->D + o->Q > 0)
        w += civ_snprintf(buf + w, cap - (size_t)w, "(%d,%d,%d)[%d]", o->P, o->D, o->Q, o->m);
    if ((size_t)w >= cap)
        return;
    if (nu)
        civ_snprintf(buf + w, cap - (size_t)w, "%s errors", sc->drift ? " with drift" : "");
    else if (sc->drift)
        civ_snprintf(buf + w, cap - (size_t)w, " with drift");
    else if (sc->intercept)
        civ_snprintf(buf + w, cap - (size_t)w, " with non-zero mean");
    else if (o->d == 0 && o->D == 0)
        civ_snprintf(buf + w, cap - (size_t)w, " with zero mean");
}

static char *arena_strdup(civ_arena *a, const char *s)
{
    size_t l = strlen(s) + 1;
    char *p = civ_arena_alloc(a, l);
    if (p)
        memcpy(p, s, l);
    return p;
}

static civ_status fill_fit(search_ctx *s, const civ_series *series, civ_workspace *ws, civ_arima_result *res,
                           const arima_scores *sc, size_t first, civ_model_fit *fit)
{
    civ_arena *A = &ws->arena;
    arima_state *st = civ_arena_alloc(A, sizeof *st);
    if (!st)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "arima: out of memory");
    memset(st, 0, sizeof *st);
    st->res = res;
    st->sc = *sc;
    st->first = first;
    st->nx = s->nx;
    st->n_user = s->nu;
    fit->state = st;
    arima_name(fit->name, sizeof fit->name, res, sc, s->nu);
    fit->loglik = res->loglik;
    fit->aic = sc->aic;
    fit->aicc = sc->aicc;
    fit->bic = sc->bic;
    fit->sigma2 = sc->sigma2;
    fit->n_params = (size_t)sc->npar;
    fit->n = series->n;
    /* coefficient names */
    size_t nc = res->ncoef;
    fit->param_names = civ_arena_alloc(A, 2 * (nc ? nc : 1) * sizeof(char *));
    fit->params = civ_arena_doubles(A, 2 * (nc ? nc : 1));
    if (!fit->param_names || !fit->params)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "arima: out of memory");
    const civ_arima_order *o = &res->order;
    char nm[160];
    for (size_t i = 0; i < nc; i++) {
        size_t j = i;
        if (j < (size_t)o->p)
            civ_snprintf(nm, sizeof nm, "ar%zu", j + 1);
        else if ((j -= (size_t)o->p) < (size_t)o->q)
            civ_snprintf(nm, sizeof nm, "ma%zu", j + 1);
        else if ((j -= (size_t)o->q) < (size_t)o->P)
            civ_snprintf(nm, sizeof nm, "sar%zu", j + 1);
        else if ((j -= (size_t)o->P) < (size_t)o->Q)
            civ_snprintf(nm, sizeof nm, "sma%zu", j + 1);
        else {
            j -= (size_t)o->Q;
            if (sc->intercept && j == 0)
                civ_snprintf(nm, sizeof nm, "intercept");
            else {
                j -= (size_t)sc->intercept;
                if (sc->drift && j == 0)
                    civ_snprintf(nm, sizeof nm, "drift");
                else {
                    j -= (size_t)sc->drift;
                    const char *un = series->xreg_names && series->xreg_names[j] ? series->xreg_names[j] : NULL;
                    if (un)
                        civ_snprintf(nm, sizeof nm, "%s", un);
                    else
                        civ_snprintf(nm, sizeof nm, "xreg%zu", j + 1);
                }
            }
        }
        char se[170];
        civ_snprintf(se, sizeof se, "se(%s)", nm);
        fit->param_names[i] = arena_strdup(A, nm);
        fit->param_names[nc + i] = arena_strdup(A, se);
        if (!fit->param_names[i] || !fit->param_names[nc + i])
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "arima: out of memory");
        fit->params[i] = res->coef[i];
        double v = res->no_optim ? NAN : res->var[i * nc + i];
        fit->params[nc + i] = v >= 0 ? sqrt(v) : NAN;
    }
    fit->n_report_params = 2 * nc;
    fit->n_states = 0;
    fit->fitted = civ_arena_doubles(A, series->n ? series->n : 1);
    fit->residuals = civ_arena_doubles(A, series->n ? series->n : 1);
    if (!fit->fitted || !fit->residuals)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "arima: out of memory");
    for (size_t t = 0; t < series->n; t++) {
        double e = t >= first ? res->resid[t - first] : NAN;
        fit->residuals[t] = e;
        fit->fitted[t] = series->y[t] - e;
    }
    return CIV_OK;
}

/* ---- arima_fit, stage 0: the search context over the series' span ---- */

/* Fills s from the series: the data from the first observed value on, the
 * user regressors over the same span, and the regression scratch X. */
static civ_status search_init(search_ctx *s, const civ_model_options *options, const civ_series *series,
                              civ_workspace *ws, const civ_where *where, size_t *first_out)
{
    civ_arena *A = &ws->arena;
    size_t n = series->n, first = 0;
    while (first < n && isnan(series->y[first]))
        first++;
    if (first == n)
        return civ_fail_at(CIV_ERR_TOO_SHORT, where, "ARIMA: all data are missing");
    size_t last = n - 1;
    while (isnan(series->y[last]))
        last--;
    s->x = series->y + first;
    s->nx = n - first;
    s->id = series->id;
    for (size_t t = first; t <= last; t++)
        s->serieslength += !isnan(series->y[t]);
    s->ic = options ? options->criterion : CIV_CRIT_AICC;
    s->nu = series->n_xreg;
    if (s->nu > 16)
        return civ_fail_at(CIV_ERR_LIMIT, where, "ARIMA: at most 16 regressors (got %zu)", s->nu);
    if (s->nu && series->xreg_len < n)
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, where, "ARIMA: regressors shorter than the series");
    double *ux = NULL;
    if (s->nu) {
        ux = civ_arena_doubles(A, s->nx * s->nu);
        if (!ux)
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "arima: out of memory");
        for (size_t k = 0; k < s->nu; k++)
            memcpy(ux + k * s->nx, series->xreg[k] + first, s->nx * sizeof *ux);
    }
    s->ux = ux;
    s->X = civ_arena_doubles(A, s->nx * (s->nu + 2));
    if (!s->X)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "arima: out of memory");
    *first_out = first;
    return CIV_OK;
}

/* ---- arima_fit, fixed orders: forecast::Arima ---- */

static civ_status fit_given_orders(const arima_config *c, search_ctx *s, const civ_series *series, civ_workspace *ws,
                                   size_t first, int m, const civ_where *where, civ_model_fit *fit)
{
    civ_arima_order o = {c->p, c->d, c->q, c->P, c->D, c->Q, c->m ? c->m : m};
    if (!c->seasonal_given || o.m <= 1) {
        if ((c->P || c->D || c->Q) && o.m <= 1)
            return civ_fail_at(CIV_ERR_SPEC, where, "ARIMA: a seasonal part needs a seasonal period (series has %d)",
                               series->period);
        o.m = m;
    }
    int nd = o.d + o.D * o.m;
    if (s->nx <= (size_t)nd)
        return civ_fail_at(CIV_ERR_TOO_SHORT, where, "ARIMA: not enough data (need more than %d values)", nd);
    s->m = o.m;
    int rr = o.p + o.m * o.P, qq = o.q + o.m * o.Q + 1;
    s->w = civ_arima_work_alloc(&ws->arena, s->nx, s->nu + 2, rr > qq ? rr : qq, nd, 0);
    civ_arima_result *res = s->w ? civ_arima_result_alloc(&ws->arena, s->w) : NULL;
    if (!res)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "arima: out of memory");
    if (c->reltol > 0)
        civ_arima_work_set_reltol(s->w, c->reltol); /* a refit of auto's choice keeps its tolerance */
    int intercept = (c->mean != 0) && o.d + o.D == 0;
    arima_scores sc;
    civ_status st = fit_fixed(s, &o, intercept, c->drift, NULL, res, &sc);
    if (st != CIV_OK)
        return st;
    return fill_fit(s, series, ws, res, &sc, first, fit);
}

/* ---- auto.arima, special case: a constant series is its mean, no estimation ---- */

static civ_status fit_constant_series(const search_ctx *s, const civ_series *series, civ_workspace *ws, size_t first,
                                      civ_model_fit *fit)
{
    civ_arena *A = &ws->arena;
    size_t n = series->n;
    arima_state *st = civ_arena_alloc(A, sizeof *st);
    if (!st)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "arima: out of memory");
    memset(st, 0, sizeof *st);
    st->constant_series = 1;
    st->constant_value = s->x[0];
    st->first = first;
    st->nx = s->nx;
    fit->state = st;
    civ_snprintf(fit->name, sizeof fit->name, "ARIMA(0,0,0) with non-zero mean");
    fit->loglik = fit->aic = fit->aicc = fit->bic = NAN;
    fit->sigma2 = 0.0;
    fit->n_params = 1;
    fit->n = n;
    fit->param_names = civ_arena_alloc(A, sizeof(char *));
    fit->params = civ_arena_doubles(A, 1);
    fit->fitted = civ_arena_doubles(A, n);
    fit->residuals = civ_arena_doubles(A, n);
    if (!fit->param_names || !fit->params || !fit->fitted || !fit->residuals)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "arima: out of memory");
    fit->param_names[0] = "intercept";
    fit->params[0] = s->x[0];
    fit->n_report_params = 1;
    for (size_t t = 0; t < n; t++) {
        fit->fitted[t] = t >= first ? s->x[0] : NAN;
        fit->residuals[t] = series->y[t] - fit->fitted[t];
    }
    return CIV_OK;
}

/* ---- auto.arima, stage 1: differencing ---- */

/* auto.arima's order limits. */
typedef struct arima_limits {
    int max_p, max_q, max_P, max_Q, max_order;
} arima_limits;

/* xx (a copy of x on entry) becomes the residuals of x's regression on the
 * non-constant user regressors, when there are any; *have_regs says so. */
static civ_status regress_out(search_ctx *s, const civ_series *series, civ_workspace *ws, double *xx, int *have_regs)
{
    *have_regs = 0;
    if (!s->nu)
        return CIV_OK;
    double *Xl = civ_arena_doubles(&ws->arena, s->nx * (s->nu + 1));
    double cf[CIV_ARIMA_MAX_COEF], se[CIV_ARIMA_MAX_COEF];
    if (!Xl)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "arima: out of memory");
    size_t k = 0;
    for (size_t t = 0; t < s->nx; t++)
        Xl[t] = 1.0;
    for (size_t j = 0; j < s->nu; j++) {
        if (civ_series_is_constant(s->ux + j * s->nx, s->nx))
            continue;
        memcpy(Xl + (k + 1) * s->nx, s->ux + j * s->nx, s->nx * sizeof *Xl);
        k++;
    }
    if (!k)
        return CIV_OK;
    int rk = civ_arima_lm(s->w, s->x, Xl, s->nx, k + 1, cf, se);
    if (rk != 0) {
        civ_where wx = {.series_id = series->id, .field = "xreg"};
        return civ_fail_at(CIV_ERR_DOMAIN, &wx, "ARIMA: the regressors are rank deficient");
    }
    for (size_t t = 0; t < s->nx; t++) {
        double f = cf[0];
        int ok = !isnan(s->x[t]);
        for (size_t j = 0; j < k; j++) {
            f += cf[j + 1] * Xl[(j + 1) * s->nx + t];
            ok = ok && !isnan(Xl[(j + 1) * s->nx + t]);
        }
        if (ok)
            xx[t] = s->x[t] - f;
    }
    *have_regs = 1;
    return CIV_OK;
}

/* The seasonal (nsdiffs) and ordinary (ndiffs) differencing orders of xx, as
 * auto.arima chooses them; dx[0..*dlen) is xx so differenced.  A non-seasonal
 * series also gets max_P = max_Q = 0. */
static void choose_differences(search_ctx *s, civ_workspace *ws, const double *xx, double *dx, double *scratch,
                               int have_regs, arima_limits *L, int *D_out, int *d_out, size_t *dlen_out)
{
    int m = s->m, D = 0, d = 0;
    if (m == 1) {
        D = 0;
        L->max_P = L->max_Q = 0;
    } else if (s->nx <= 2 * (size_t)m) {
        D = 0;
    } else {
        D = civ_nsdiffs(xx, s->nx, m, scratch);
        if (D > 0 && have_regs && any_const_diff(s, ws, D, 0))
            D--;
        if (D > 0) {
            memcpy(dx, xx, s->nx * sizeof *dx);
            size_t len = s->nx;
            diff_inplace(dx, &len, (size_t)m);
            if (all_nan(dx, len))
                D--;
        }
    }
    memcpy(dx, xx, s->nx * sizeof *dx);
    size_t dlen = s->nx;
    for (int i = 0; i < D; i++)
        diff_inplace(dx, &dlen, (size_t)m);
    d = civ_ndiffs(dx, dlen, 0.05, 2, scratch);
    if (d > 0 && have_regs && any_const_diff(s, ws, D, d))
        d--;
    if (d > 0) {
        memcpy(scratch, dx, dlen * sizeof *dx);
        size_t l2 = dlen;
        for (int i = 0; i < d; i++)
            diff_inplace(scratch, &l2, 1);
        if (all_nan(scratch, l2))
            d--;
    }
    for (int i = 0; i < d; i++)
        diff_inplace(dx, &dlen, 1);
    *D_out = D;
    *d_out = d;
    *dlen_out = dlen;
}

/* ---- auto.arima, special case: the differenced data are constant ---- */

static civ_status fit_constant_diff(search_ctx *s, const civ_series *series, civ_workspace *ws, const double *dx,
                                    size_t dlen, int d, int D, civ_arima_result *best, size_t first,
                                    civ_model_fit *fit)
{
    int m = s->m;
    civ_arima_order o = {0, d, 0, 0, D, 0, m};
    arima_scores sc;
    civ_status st;
    double mean = 0.0;
    size_t cnt = 0;
    for (size_t t = 0; t < dlen; t++)
        if (!isnan(dx[t])) {
            mean += dx[t];
            cnt++;
        }
    mean /= (double)cnt;
    if (!s->nu) {
        if (D > 0 && d == 0) {
            double f = mean / m;
            st = fit_fixed(s, &o, 0, 1, &f, best, &sc);
        } else if (D > 0 || d == 2) {
            st = fit_fixed(s, &o, 0, 0, NULL, best, &sc);
        } else {
            st = fit_fixed(s, &o, d == 0, d == 1, &mean, best, &sc);
        }
    } else {
        st = fit_fixed(s, &o, d + D == 0, 0, NULL, best, &sc);
    }
    if (st != CIV_OK)
        return st;
    return fill_fit(s, series, ws, best, &sc, first, fit);
}

/* ---- auto.arima, stage 2: the search over orders ---- */

/* cur becomes the best (the two buffers swap). */
static void take_current(stepper *stp, double ic, const arima_scores *sc)
{
    civ_arima_result *t = stp->best;
    stp->best = stp->cur;
    stp->cur = t;
    stp->best_ic = ic;
    stp->best_sc = *sc;
}

/* Every order within the limits (auto.arima with stepwise = FALSE). */
static void grid_search(stepper *stp, const arima_limits *L, int maxK, int approx, double offset)
{
    for (int i = 0; i <= L->max_p; i++)
        for (int j = 0; j <= L->max_q; j++)
            for (int I = 0; I <= L->max_P; I++)
                for (int J = 0; J <= L->max_Q; J++)
                    if (i + j + I + J <= L->max_order)
                        for (int K = 0; K <= maxK; K++) {
                            arima_scores sc;
                            double ic = my_arima(stp->s, i, stp->d, j, I, stp->D, J, K, approx, offset, stp->cur, &sc);
                            if (ic < stp->best_ic) {
                                take_current(stp, ic, &sc);
                                stp->best_set = 1;
                                stp->best_c = (cand){i, j, I, J, K, ic};
                            }
                        }
}

/* The grid search; with the approximation, the winner is refitted exactly,
 * and when that fails the whole grid is searched again without it. */
static civ_status search_grid(stepper *stp, const arima_limits *L, int maxK, const civ_where *where)
{
    grid_search(stp, L, maxK, stp->approx, stp->offset);
    if (!stp->best_set)
        return civ_fail_at(CIV_ERR_NUMERIC, where, "ARIMA: no ARIMA model able to be estimated");
    if (stp->approx) {
        arima_scores sc;
        cand b = stp->best_c;
        double ic = my_arima(stp->s, b.p, stp->d, b.q, b.P, stp->D, b.Q, b.constant, 0, 0.0, stp->cur, &sc);
        if (ic < INFINITY) {
            take_current(stp, ic, &sc);
        } else {
            /* full search without approximation */
            stp->best_ic = INFINITY;
            stp->best_set = 0;
            grid_search(stp, L, maxK, 0, 0.0);
        }
    }
    return CIV_OK;
}

/* The stepwise search (Hyndman & Khandakar 2008, sec. 3.2, as search in
 * auto.arima): start models, then moves of one order at a time while they
 * improve.  `constant` is whether a mean or drift may be included. */
static void search_stepwise(stepper *stp, const arima_limits *L, int constant)
{
    const int max_p = L->max_p, max_q = L->max_q, max_P = L->max_P, max_Q = L->max_Q, m = stp->s->m;
    const int may_toggle = constant;
    int start_p = 2, start_q = 2, start_P = 1, start_Q = 1;
    if (stp->s->nx < 10) {
        start_p = start_p < 1 ? start_p : 1;
        start_q = start_q < 1 ? start_q : 1;
        start_P = 0;
        start_Q = 0;
    }
    int p = start_p < max_p ? start_p : max_p;
    int q = start_q < max_q ? start_q : max_q;
    int P = start_P < max_P ? start_P : max_P;
    int Q = start_Q < max_Q ? start_Q : max_Q;
    consider(stp, p, q, P, Q, constant);
    if (consider(stp, 0, 0, 0, 0, constant))
        p = q = P = Q = 0;
    if (max_p > 0 || max_P > 0) {
        int pp = max_p > 0, PP = (m > 1) && (max_P > 0);
        if (consider(stp, pp, 0, PP, 0, constant)) {
            p = pp;
            P = PP;
            q = Q = 0;
        }
    }
    if (max_q > 0 || max_Q > 0) {
        int qq = max_q > 0, QQ = (m > 1) && (max_Q > 0);
        if (consider(stp, 0, qq, 0, QQ, constant)) {
            p = P = 0;
            Q = QQ;
            q = qq;
        }
    }
    if (constant) {
        if (consider(stp, 0, 0, 0, 0, 0))
            p = q = P = Q = 0;
    }
    int startk = 0;
    while (startk < stp->k && stp->k < NMODELS) {
        startk = stp->k;
        int r;
        if (P > 0 && (r = step(stp, p, q, P - 1, Q, constant))) { if (r == 1) P--; continue; }
        if (Q > 0 && (r = step(stp, p, q, P, Q - 1, constant))) { if (r == 1) Q--; continue; }
        if (P < max_P && (r = step(stp, p, q, P + 1, Q, constant))) { if (r == 1) P++; continue; }
        if (Q < max_Q && (r = step(stp, p, q, P, Q + 1, constant))) { if (r == 1) Q++; continue; }
        if (Q > 0 && P > 0 && (r = step(stp, p, q, P - 1, Q - 1, constant))) { if (r == 1) { Q--; P--; } continue; }
        if (Q < max_Q && P > 0 && (r = step(stp, p, q, P - 1, Q + 1, constant))) { if (r == 1) { Q++; P--; } continue; }
        if (Q > 0 && P < max_P && (r = step(stp, p, q, P + 1, Q - 1, constant))) { if (r == 1) { Q--; P++; } continue; }
        if (Q < max_Q && P < max_P && (r = step(stp, p, q, P + 1, Q + 1, constant))) { if (r == 1) { Q++; P++; } continue; }
        if (p > 0 && (r = step(stp, p - 1, q, P, Q, constant))) { if (r == 1) p--; continue; }
        if (q > 0 && (r = step(stp, p, q - 1, P, Q, constant))) { if (r == 1) q--; continue; }
        if (p < max_p && (r = step(stp, p + 1, q, P, Q, constant))) { if (r == 1) p++; continue; }
        if (q < max_q && (r = step(stp, p, q + 1, P, Q, constant))) { if (r == 1) q++; continue; }
        if (q > 0 && p > 0 && (r = step(stp, p - 1, q - 1, P, Q, constant))) { if (r == 1) { q--; p--; } continue; }
        if (q < max_q && p > 0 && (r = step(stp, p - 1, q + 1, P, Q, constant))) { if (r == 1) { q++; p--; } continue; }
        if (q > 0 && p < max_p && (r = step(stp, p + 1, q - 1, P, Q, constant))) { if (r == 1) { q--; p++; } continue; }
        if (q < max_q && p < max_p && (r = step(stp, p + 1, q + 1, P, Q, constant))) { if (r == 1) { q++; p++; } continue; }
        if (may_toggle) {
            r = step(stp, p, q, P, Q, !constant);
            if (r == 1)
                constant = !constant;
        }
    }
}

/* After an approximate stepwise search: the candidates in order of their
 * approximate criterion, refitted exactly until one succeeds. */
static void refit_exact(stepper *stp)
{
    int nres = stp->k < NMODELS ? stp->k : NMODELS;
    cand sorted[NMODELS];
    memcpy(sorted, stp->results, (size_t)nres * sizeof *sorted);
    stable_sort_cands(sorted, nres);
    for (int i = 0; i < nres; i++) {
        arima_scores sc;
        double ic = my_arima(stp->s, sorted[i].p, stp->d, sorted[i].q, sorted[i].P, stp->D, sorted[i].Q,
                             sorted[i].constant, 0, 0.0, stp->cur, &sc);
        if (ic < INFINITY) {
            take_current(stp, ic, &sc);
            break;
        }
    }
}

/* ---- auto.arima: limits, differencing, special cases, search, finish ---- */

/* auto.arima's order limits (max.p = 5, max.q = 5, max.P = 2, max.Q = 2, max.order = 5), cut to a third of
 * the series length as R does. */
static arima_limits limits_for_length(size_t sl, int m)
{
    arima_limits L = {5, 5, 2, 2, 5};
    if ((size_t)L.max_p > sl / 3)
        L.max_p = (int)(sl / 3);
    if ((size_t)L.max_q > sl / 3)
        L.max_q = (int)(sl / 3);
    if ((size_t)L.max_P > sl / 3 / (size_t)m)
        L.max_P = (int)(sl / 3 / (size_t)m);
    if ((size_t)L.max_Q > sl / 3 / (size_t)m)
        L.max_Q = (int)(sl / 3 / (size_t)m);
    return L;
}

/* The likelihood work for the whole search: r <= max(max_p + m max_P, max_q + m max_Q + 1), d + mD <= 2 + m.
 * NULL when out of memory. */
static civ_arima_work *alloc_search_work(civ_arena *A, const search_ctx *s, const arima_limits *L, int m,
                                         double reltol)
{
    int rmax = L->max_p + m * L->max_P, qmax = L->max_q + m * L->max_Q + 1;
    if (qmax > rmax)
        rmax = qmax;
    if (rmax < 1)
        rmax = 1;
    civ_arima_work *w = civ_arima_work_alloc(A, s->nx, s->nu + 2, rmax, 2 + m, 0);
    if (w && reltol > 0)
        civ_arima_work_set_reltol(w, reltol);
    return w;
}

/* R's offset for the approximate (CSS) criteria: -2 loglik - n log(sigma2) of ARIMA(0,d,0)(0,D,0)[m] fitted by
 * CSS-ML, or 0 when that fit fails. */
static double approx_offset(search_ctx *s, int d, int D, int m, civ_arima_result *scratch_fit)
{
    civ_arima_order o = {0, d, 0, 0, D, 0, m};
    size_t ncx = build_xreg(s, d + D == 0, 0);
    if (civ_arima_estimate(s->w, s->x, s->nx, ncx ? s->X : NULL, ncx, &o, CIV_ARIMA_CSS_ML, NULL, scratch_fit) ==
        CIV_ARIMA_OK)
        return -2.0 * scratch_fit->loglik - (double)s->serieslength * log(scratch_fit->sigma2_arima);
    return 0.0;
}

static civ_status auto_arima(const arima_config *c, search_ctx *s, const civ_series *series, civ_workspace *ws,
                             size_t first, int m, const civ_where *where, civ_model_fit *fit)
{
    civ_arena *A = &ws->arena;
    arima_limits L = limits_for_length(s->serieslength, m);
    if (s->serieslength <= 3)
        s->ic = CIV_CRIT_AIC;
    s->m = m;
    double *scratch = civ_arena_doubles(A, civ_stl_scratch_size(s->nx, m) + 4 * s->nx + 8);
    double *xx = civ_arena_doubles(A, s->nx), *dx = civ_arena_doubles(A, s->nx);
    if (!scratch || !xx || !dx)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "arima: out of memory");
    if (civ_series_is_constant(s->x, s->nx))
        return fit_constant_series(s, series, ws, first, fit);

    s->w = alloc_search_work(A, s, &L, m, c->reltol);
    if (!s->w)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "arima: out of memory");
    /* xx: x, or the residuals of its regression on the non-constant regressors */
    memcpy(xx, s->x, s->nx * sizeof *xx);
    int have_regs, D, d;
    civ_status st = regress_out(s, series, ws, xx, &have_regs);
    if (st != CIV_OK)
        return st;
    size_t dlen;
    choose_differences(s, ws, xx, dx, scratch, have_regs, &L, &D, &d, &dlen);
    if (dlen == 0)
        return civ_fail_at(CIV_ERR_TOO_SHORT, where, "ARIMA: not enough data to proceed");

    civ_arima_result *best = civ_arima_result_alloc(A, s->w), *cur = civ_arima_result_alloc(A, s->w);
    if (!best || !cur)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "arima: out of memory");
    if (civ_series_is_constant(dx, dlen))
        return fit_constant_diff(s, series, ws, dx, dlen, d, D, best, first, fit);

    if (m > 1) {
        if (L.max_P > 0 && L.max_p > m - 1)
            L.max_p = m - 1;
        if (L.max_Q > 0 && L.max_q > m - 1)
            L.max_q = m - 1;
    }
    int approx = c->approx >= 0 ? c->approx : (s->nx > 150 || m > 12);
    double offset = approx ? approx_offset(s, d, D, m, cur) : 0.0;
    int constant = (d + D == 1) || (d + D == 0); /* drift or mean allowed */

    stepper stp;
    memset(&stp, 0, sizeof stp);
    stp.s = s;
    stp.d = d;
    stp.D = D;
    stp.approx = approx;
    stp.offset = offset;
    stp.best = best;
    stp.cur = cur;
    stp.best_ic = INFINITY;
    if (!c->stepwise) {
        st = search_grid(&stp, &L, constant, where);
        if (st != CIV_OK)
            return st;
    } else {
        search_stepwise(&stp, &L, constant);
        if (approx && stp.best_set)
            refit_exact(&stp);
    }
    if (!(stp.best_ic < INFINITY))
        return civ_fail_at(CIV_ERR_NUMERIC, where, "ARIMA: no suitable ARIMA model found");
    return fill_fit(s, series, ws, stp.best, &stp.best_sc, first, fit);
}

/* The model family's fit: the given orders (forecast::Arima) or the automatic
 * search (forecast::auto.arima). */
static civ_status arima_fit(const void *config, const civ_model_options *options, const civ_series *series,
                            civ_workspace *ws, civ_model_fit *fit)
{
    const arima_config *c = config;
    civ_where where = {.series_id = series->id, .field = "y"};
    search_ctx s = {0};
    size_t first = 0;
    civ_status st = search_init(&s, options, series, ws, &where, &first);
    if (st != CIV_OK)
        return st;
    int m = series->period > 1 ? series->period : 1;
    if (!c->automatic)
        return fit_given_orders(c, &s, series, ws, first, m, &where, fit);
    return auto_arima(c, &s, series, ws, first, m, &where, fit);
}

/* The orders auto.arima chose for `like`, with its mean or drift, fitted
 * afresh (forecast::Arima(y, model = like) re-estimating the coefficients);
 * the search where like was a fixed spec's, a constant series, or where those
 * orders cannot be fitted to this series (conformal.c's calibration windows). */
static civ_status arima_refit(const civ_model_fit *like, const void *config, const civ_model_options *options,
                              const civ_series *series, civ_workspace *ws, civ_model_fit *fit)
{
    const arima_config *c = config;
    const arima_state *chosen = like ? like->state : NULL;
    if (!c->automatic || !chosen || chosen->constant_series || !chosen->res)
        return arima_fit(config, options, series, ws, fit);
    const civ_arima_order *o = &chosen->res->order;
    arima_config fixed = *c;
    fixed.automatic = 0;
    fixed.p = o->p, fixed.d = o->d, fixed.q = o->q;
    fixed.P = o->P, fixed.D = o->D, fixed.Q = o->Q, fixed.m = o->m;
    fixed.seasonal_given = 1;
    fixed.mean = chosen->sc.intercept ? 1 : 0;
    fixed.drift = chosen->sc.drift;
    civ_status st = arima_fit(&fixed, options, series, ws, fit);
    if (st == CIV_OK || st == CIV_ERR_OUT_OF_MEMORY || st == CIV_ERR_INVALID_ARGUMENT)
        return st;
    civ_clear_error();
    return arima_fit(config, options, series, ws, fit);
}

/* ---------------------------------------------------------------------------
 * forecast
 * ------------------------------------------------------------------------- */

static civ_status arima_forecast(const civ_model_fit *fit, const civ_series *series, size_t h, const double *levels,
                                 size_t n_levels, civ_workspace *ws, double *mean, double *lower, double *upper)
{
    const arima_state *st = fit->state;
    if (!st)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "arima forecast: not a fitted ARIMA model");
    if (st->constant_series) {
        for (size_t j = 0; j < h; j++) {
            mean[j] = st->constant_value;
            for (size_t l = 0; l < n_levels; l++)
                lower[l * h + j] = upper[l * h + j] = st->constant_value;
        }
        return CIV_OK;
    }
    const civ_arima_result *res = st->res;
    size_t n = series->n;
    civ_where where = {.series_id = series->id, .field = "xreg"};
    if (st->n_user) {
        if (series->n_xreg != st->n_user)
            return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &where,
                               "ARIMA forecast: model fitted with %zu regressors, given %zu", st->n_user,
                               series->n_xreg);
        if (series->xreg_len < n + h) {
            where.field = series->xreg_names && series->xreg_names[0] ? series->xreg_names[0] : "xreg";
            return civ_fail_at(CIV_ERR_NOT_FOUND, &where,
                               "ARIMA forecast: future values of the regressors are needed for %zu periods, "
                               "only %zu are given",
                               h, series->xreg_len > n ? series->xreg_len - n : 0);
        }
        for (size_t k = 0; k < st->n_user; k++)
            for (size_t j = 0; j < h; j++)
                if (!isfinite(series->xreg[k][n + j])) {
                    where.field = series->xreg_names && series->xreg_names[k] ? series->xreg_names[k] : "xreg";
                    return civ_fail_at(CIV_ERR_DOMAIN, &where,
                                       "ARIMA forecast: future value %zu of regressor '%s' is missing", j + 1,
                                       where.field);
                }
    }
    size_t rd = (size_t)res->rd;
    double *scratch = civ_arena_doubles(&ws->arena, 3 * rd * rd + 2 * rd + 2);
    double *var = civ_arena_doubles(&ws->arena, h ? h : 1);
    if (!scratch || !var)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "arima: out of memory");
    civ_arima_kalman_forecast(res, h, mean, var, scratch);
    size_t k0 = res->narma;
    for (size_t j = 0; j < h; j++) {
        double xm = 0.0;
        size_t k = k0;
        if (st->sc.intercept)
            xm += res->coef[k++];
        if (st->sc.drift)
            xm += res->coef[k++] * (double)(st->nx + j + 1);
        for (size_t u = 0; u < st->n_user; u++)
            xm += res->coef[k++] * series->xreg[u][n + j];
        mean[j] += xm;
    }
    for (size_t l = 0; l < n_levels; l++) {
        double z = civ_normal_quantile_for_level(levels[l]);
        for (size_t j = 0; j < h; j++) {
            double se = sqrt(var[j] * st->sc.sigma2);
            lower[l * h + j] = mean[j] - z * se;
            upper[l * h + j] = mean[j] + z * se;
        }
    }
    return CIV_OK;
}

static const civ_param_info arima_params[] = {
    {"ar", "non-seasonal autoregressive coefficients ar1..arp", -INFINITY, INFINITY},
    {"ma", "non-seasonal moving-average coefficients ma1..maq", -INFINITY, INFINITY},
    {"sar", "seasonal autoregressive coefficients", -INFINITY, INFINITY},
    {"sma", "seasonal moving-average coefficients", -INFINITY, INFINITY},
    {"intercept", "mean of a stationary model (d + D = 0)", -INFINITY, INFINITY},
    {"drift", "slope per period of a model with one difference", -INFINITY, INFINITY},
    {"xreg", "regression coefficient of each covariate, named after it, with se(name)", -INFINITY, INFINITY},
};

const civ_model_type civ_model_arima = {
    .family = "arima",
    .summary = "ARIMA(p,d,q)(P,D,Q)[m] with mean/drift/covariates; automatic selection as R's auto.arima",
    .spec_help = "arima | auto.arima | arima(full|approx|noapprox|reltol=X,...) | ARIMA(p,d,q)[(P,D,Q)[m]] [with drift|with mean|with zero mean]",
    .params = arima_params,
    .n_params = sizeof arima_params / sizeof arima_params[0],
    .config_size = sizeof(arima_config),
    .parse = arima_parse,
    .fit = arima_fit,
    .forecast = arima_forecast,
    .simulate = NULL,
    .refit = arima_refit,
};
