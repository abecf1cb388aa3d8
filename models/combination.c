/*
 * combination.c -- layer: models.  The forecast combination of automatic ETS, automatic ARIMA
 * and the standard Theta method (specs "combo", "combo(mean)", "combo(median)"), or of
 * members named in the spec ("combo(median,ets,arima,theta,dotm)"; the catalogue is
 * combo_members below), and, through auto.c, the smooth route of "auto".
 *
 * Why: on competition data an equal-weight combination of a few good models is
 * often more accurate than each of them (Makridakis & Hibon 2000, "The M3-
 * Competition", IJF 16(4); Makridakis, Spiliotis & Assimakopoulos 2020, "The M4
 * Competition", IJF 36(1), where most of the leading entries combined models);
 * it is a cheap hedge against selecting the wrong single model.  Whether it
 * earns the spec "auto" here was decided on M1, then on M1 and tourism
 * (docs/FORECASTING.md).
 *
 * Which combination the spec "auto" uses for smooth and erratic series (auto.c)
 * was decided on M1 and tourism by a rule stated before the figures
 * (docs/FORECASTING.md, "Choosing the default on M1 and tourism").
 *
 * What: the components are type objects (civ_model_ets, civ_model_arima,
 * civ_model_theta; ets.h, arima.h, theta.h), configured by their own parsers
 * from the specs of combo_members ("ets(maxit=500)", "arima(reltol=1e-4)" --
 * "arima(approx)" with the option fast --, "theta", "ETS(Z,Z,Z,damped=true)",
 * "dotm", "dstm", "autotheta") and fitted through the type-object interface;
 * this file never names their internals.  It does not use the
 * registry (registry.c lists this family, so that would be a cycle).
 *   Spec: combo(KIND[,fast][,MEMBER...]) with KIND mean or median (default
 *     mean), members from the catalogue in the order given (default ets,
 *     arima, theta), at most COMBO_MAX of them, each once.
 *   Point forecast: at each horizon, the mean (spec "combo" or "combo(mean)") or
 *     the median ("combo(median)") of the component point forecasts.  With an
 *     even number of components the median is the mean of the middle two.
 *   Intervals: for each level and horizon, the mean (median) of the component
 *     lower bounds and of the component upper bounds.  Each bound is a quantile
 *     of a component's forecast distribution, so this is quantile averaging
 *     ("Vincentization"; Lichtendahl, Grushka-Cockayne & Winkler 2013, "Is it
 *     better to average probabilities or quantiles?", Management Science
 *     59(7), 1594-1611, who argue for it over averaging probabilities, whose
 *     mixture is wider), the simple approach among those reviewed by Wang,
 *     Hyndman, Li & Kang (2023), "Forecast combinations: an over 50-year
 *     review", IJF 39(4), in their part on probabilistic combinations.  The
 *     averaged bounds are the quantiles of the distribution whose quantile
 *     function is the average of the components' quantile functions.  No
 *     variance of the combined point forecast is modelled (that would need
 *     the components' error correlations), so read the interval as "the three
 *     models' typical interval", not as a calibrated interval of the
 *     combination.
 *   Failures: a component whose fit fails (too short, domain, numeric) is
 *     dropped and the others are combined; the fit's name lists only the
 *     components combined, e.g. "Combo[ETS(A,N,N),Theta]".  If none can be
 *     fitted the combination fails with the first component's status and a
 *     message quoting each component's error.  A series with fewer than 2
 *     observed values fails before any component is fitted (CIV_ERR_TOO_SHORT):
 *     only ARIMA would fit one value, with zero variance and zero-wide
 *     intervals.  A component whose *forecast*
 *     fails makes the combination's forecast fail (the name could no longer
 *     say what was combined).
 *   Report: the combination has no parameters of its own and no states; the
 *     components' fits are private to it.  loglik/AIC are undefined (NaN).
 *     Fitted values are the combined (mean or median) one-step fitted values
 *     where every component has one.
 *
 * Memory: the component fits, their configs and this state are in the
 * workspace arena and stay valid until the driver resets it after forecasting.
 * Determinism: components are fitted and forecast in the spec's order, so
 * their draws from ws->rng are reproducible.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "arima.h"
#include "c_locale.h"
#include "combination.h"
#include "error.h"
#include "ets.h"
#include "theta.h"

#define COMBO_MAX 7

/* The catalogue of members: the name used in a combo spec, the spec its
 * family's parser configures it from, its type and a short label (used in the
 * fit's name when the models' names do not fit).
 *
 * With the option fast (auto(fast), combo(median,fast)) the ARIMA member is
 * "arima(approx)": auto.arima's stepwise search compares the candidates by
 * their conditional-sum-of-squares fit (R's approximation = TRUE, which R
 * itself uses when n > 150 or m > 12) and only the chosen candidate is
 * refitted by exact ML.  Measured (docs/FORECASTING.md, "The combination and
 * auto"): about 2x less CPU on M1 monthly, but sMAPE +0.75% on M1 (the rule
 * allows +0.5%; on tourism it holds), and slower and less accurate on the demo city (n = 72; why
 * it is slower there was not analysed).  So it is an option, not the
 * default. */
typedef struct combo_member {
    const char *name, *spec, *label;
    const civ_model_type *type;
} combo_member;

/* The ETS member is R's ets(y, maxit = 500): at most 500 Nelder-Mead
 * evaluations per model instead of 2000 (about 3x less CPU on monthly data);
 * the ARIMA member is auto.arima(y, optim.control = list(reltol = 1e-4)): the
 * same stepwise search with a looser BFGS tolerance (about 2x less CPU).  Both
 * admitted by the rule for cheaper searches inside auto (docs/FORECASTING.md,
 * the default's speed: sMAPE and MASE within +0.2% on M1 and tourism); the
 * specs "ets" and "arima" on their own keep R's defaults. */
enum { MEMBER_ETS, MEMBER_ARIMA, MEMBER_THETA, MEMBER_DAMPED, MEMBER_DOTM, MEMBER_DSTM, MEMBER_AUTOTHETA, N_MEMBERS };
static const combo_member combo_members[N_MEMBERS] = {
    {"ets", "ets(maxit=500)", "ETS", &civ_model_ets},
    {"arima", "arima(reltol=1e-4)", "ARIMA", &civ_model_arima},
    {"theta", "theta", "Theta", &civ_model_theta},
    {"damped", "ETS(Z,Z,Z,damped=true,maxit=500)", "DampedETS", &civ_model_ets},
    {"dotm", "dotm", "DOTM", &civ_model_theta},
    {"dstm", "dstm", "DSTM", &civ_model_theta},
    {"autotheta", "autotheta", "AutoTheta", &civ_model_theta},
};
static const char *const combo_fast_arima_spec = "arima(approx)";

typedef struct combo_config {
    int median;      /* 0 = mean, 1 = median */
    int fast_arima; /* 1: the ARIMA member is "arima(approx)" (CSS search), 0: "arima" (R's defaults) */
    int n_members;
    unsigned char members[COMBO_MAX]; /* indices into combo_members, in the spec's order */
} combo_config;

typedef struct combo_state {
    size_t k;             /* components fitted */
    civ_model_fit *fits;  /* k fits, in the spec's order (failed ones dropped) */
    unsigned char member[COMBO_MAX]; /* fits[c] is of combo_members[member[c]] */
    int median;
} combo_state;

/* ---- spec ------------------------------------------------------------------ */

static civ_status combo_malformed(const char *spec, const char *why)
{
    civ_where w = {.field = "model"};
    return civ_fail_at(CIV_ERR_SPEC, &w,
                       "malformed combination spec '%s': %s; expected combo, combo(mean) or combo(median), "
                       "optionally with ',fast' and members from ets, arima, theta, damped, dotm, dstm, autotheta "
                       "(e.g. combo(median,fast), combo(median,ets,arima,dotm))",
                       spec, why);
}

/* Reads one token of the argument list (kind, "fast" or a member) into cfg. */
static civ_status combo_token(const char *spec, const char *tok, int *kind_seen, combo_config *cfg)
{
    if (strcmp(tok, "mean") == 0 || strcmp(tok, "median") == 0) {
        if (*kind_seen)
            return combo_malformed(spec, "mean or median given twice");
        *kind_seen = 1;
        cfg->median = strcmp(tok, "median") == 0;
        return CIV_OK;
    }
    if (strcmp(tok, "fast") == 0) {
        if (cfg->fast_arima)
            return combo_malformed(spec, "fast given twice");
        cfg->fast_arima = 1;
        return CIV_OK;
    }
    for (int m = 0; m < N_MEMBERS; m++)
        if (strcmp(tok, combo_members[m].name) == 0) {
            for (int j = 0; j < cfg->n_members; j++)
                if (cfg->members[j] == m)
                    return combo_malformed(spec, "a member given twice");
            if (cfg->n_members >= COMBO_MAX)
                return combo_malformed(spec, "too many members");
            cfg->members[cfg->n_members++] = (unsigned char)m;
            return CIV_OK;
        }
    return combo_malformed(spec, "unknown word in the parentheses");
}

static civ_status combo_parse(const char *spec, void *config)
{
    combo_config *cfg = config;
    char buf[128];
    size_t L = 0;
    for (const char *p = spec; *p; p++) {
        if (civ_ascii_isspace((unsigned char)*p))
            continue;
        if (L + 1 >= sizeof buf)
            return strncmp(buf, "combo", 5) == 0 && L >= 5 ? combo_malformed(spec, "too long") : CIV_ERR_NOT_FOUND;
        buf[L++] = (char)civ_ascii_tolower((unsigned char)*p);
    }
    buf[L] = 0;
    if (strncmp(buf, "combo", 5) != 0)
        return CIV_ERR_NOT_FOUND;
    memset(cfg, 0, sizeof *cfg);
    if (buf[5] != 0) {
        if (buf[5] != '(' || L < 7 || buf[L - 1] != ')')
            return combo_malformed(spec, "expected a list in parentheses");
        buf[L - 1] = 0;
        int kind_seen = 0;
        for (char *tok = buf + 6, *next; tok; tok = next) {
            next = strchr(tok, ',');
            if (next)
                *next++ = 0;
            if (!*tok)
                return combo_malformed(spec, "an empty item");
            civ_status s = combo_token(spec, tok, &kind_seen, cfg);
            if (s != CIV_OK)
                return s;
        }
    }
    if (cfg->fast_arima && cfg->n_members > 0) {
        int has_arima = 0;
        for (int j = 0; j < cfg->n_members; j++)
            has_arima |= cfg->members[j] == MEMBER_ARIMA;
        if (!has_arima)
            return combo_malformed(spec, "fast changes the arima member, which is not among the members");
    }
    if (cfg->n_members == 0) { /* the default members: automatic ETS, automatic ARIMA, Theta */
        cfg->members[0] = MEMBER_ETS, cfg->members[1] = MEMBER_ARIMA, cfg->members[2] = MEMBER_THETA;
        cfg->n_members = 3;
    } else if (cfg->n_members < 2) {
        return combo_malformed(spec, "a combination needs at least two members");
    }
    return CIV_OK;
}

/* ---- combining -------------------------------------------------------------- */

/* Mean or median of v[0..k) (k <= COMBO_MAX; with k even the median is the
 * mean of the middle two); NaN if any is NaN. */
static double combo_value(const double *v, size_t k, int median)
{
    double s[COMBO_MAX];
    for (size_t c = 0; c < k; c++) {
        if (isnan(v[c]))
            return NAN;
        s[c] = v[c];
    }
    if (!median || k < 3) {
        double sum = 0.0;
        for (size_t c = 0; c < k; c++)
            sum += s[c];
        return sum / (double)k;
    }
    /* insertion sort of at most COMBO_MAX values */
    for (size_t i = 1; i < k; i++)
        for (size_t j = i; j > 0 && s[j - 1] > s[j]; j--) {
            double t = s[j];
            s[j] = s[j - 1];
            s[j - 1] = t;
        }
    return k % 2 ? s[k / 2] : 0.5 * (s[k / 2 - 1] + s[k / 2]);
}

/* ---- fit ----------------------------------------------------------------------- */

/* The members ets and damped of one combination share one ETS search
 * (civ_ets_fit_pair: the best model and the best damped-trend model of one
 * pass, each bit-identical to its member fitted alone); both fits are made at
 * the first of the two members and taken in the spec's order. */
typedef struct combo_pair {
    const combo_state *like; /* a refit (combo_refit): the members and structures to fit; else NULL */
    int at[2]; /* positions in cfg of the members ets and damped; -1 when absent */
    int done;
    civ_model_fit fit[2];
    civ_status status[2];
    char why[2][160];
} combo_pair;

/* The fit of member m in the combination `like`, or NULL when it was dropped. */
static const civ_model_fit *combo_like_member(const combo_state *like, int m)
{
    for (size_t c = 0; c < like->k; c++)
        if (like->member[c] == m)
            return &like->fits[c];
    return NULL;
}

/* Parses member m's spec (the ARIMA member's is arima(approx) with fast) into
 * an arena config (a family may keep a pointer to its config in its fit). */
static civ_status combo_member_config(const combo_config *cfg, int m, civ_workspace *ws, const civ_where *w,
                                      void **out)
{
    void *ccfg = civ_arena_alloc(&ws->arena, CIV_MODEL_CONFIG_MAX);
    if (!ccfg)
        return civ_fail_at(CIV_ERR_OUT_OF_MEMORY, w, "out of memory for the combination");
    memset(ccfg, 0, CIV_MODEL_CONFIG_MAX);
    const char *cspec = m == MEMBER_ARIMA && cfg->fast_arima ? combo_fast_arima_spec : combo_members[m].spec;
    civ_status s = combo_members[m].type->parse(cspec, ccfg);
    if (s != CIV_OK)
        return s == CIV_ERR_NOT_FOUND ? civ_fail(CIV_ERR_INTERNAL, "combination: '%s' not accepted by its family",
                                                 cspec)
                                      : s; /* a build error, not data */
    *out = ccfg;
    return CIV_OK;
}

/* Fits member c of cfg into *f (its status in *fit_status, a failure's
 * message in why); the members of a pair through civ_ets_fit_pair.  Returns a
 * status that ends the combination (out of memory, a build error) or CIV_OK. */
static civ_status combo_member_fit(const combo_config *cfg, int c, const civ_model_options *options,
                                   const civ_series *series, civ_workspace *ws, combo_pair *pair, civ_model_fit *f,
                                   civ_status *fit_status, char why[160])
{
    civ_where w = {.series_id = series->id};
    int m = cfg->members[c];
    int j = c == pair->at[0] ? 0 : c == pair->at[1] ? 1 : -1;
    if (j >= 0 && pair->at[1 - j] >= 0 && !pair->like) {
        if (!pair->done) {
            void *ca = NULL, *cd = NULL;
            civ_status s = combo_member_config(cfg, MEMBER_ETS, ws, &w, &ca);
            if (s == CIV_OK)
                s = combo_member_config(cfg, MEMBER_DAMPED, ws, &w, &cd);
            if (s == CIV_OK)
                s = civ_ets_fit_pair(ca, cd, options, series, ws, &pair->fit[0], &pair->fit[1], pair->status,
                                     pair->why[0], pair->why[1], sizeof pair->why[0]);
            if (s != CIV_OK)
                return s;
            pair->done = 1;
        }
        *f = pair->fit[j];
        *fit_status = pair->status[j];
        civ_copy_truncated(why, 160, pair->why[j]);
        return CIV_OK;
    }
    void *ccfg = NULL;
    civ_status s = combo_member_config(cfg, m, ws, &w, &ccfg);
    if (s != CIV_OK)
        return s;
    const civ_model_type *type = combo_members[m].type;
    const civ_model_fit *like = pair->like ? combo_like_member(pair->like, m) : NULL;
    if (pair->like && !like) /* dropped from the model whose structure is refitted: dropped again */
        *fit_status = civ_fail_at(CIV_ERR_NOT_FOUND, &w, "not in the fitted combination");
    else if (like && type->refit)
        *fit_status = type->refit(like, ccfg, options, series, ws, f);
    else
        *fit_status = type->fit(ccfg, options, series, ws, f);
    if (*fit_status != CIV_OK)
        civ_copy_truncated(why, 160, civ_last_error_message());
    return *fit_status == CIV_ERR_OUT_OF_MEMORY ? *fit_status : CIV_OK;
}

/* Fits the members of cfg in order into st->fits (failed ones dropped, their
 * messages in why[]); ok[c] = 1 for each member fitted. */
static civ_status combo_fit_members(const combo_config *cfg, const civ_model_options *options,
                                    const civ_series *series, civ_workspace *ws, const civ_model_fit *fit,
                                    const combo_state *like, combo_state *st, int ok[COMBO_MAX],
                                    char why[COMBO_MAX][160])
{
    civ_where w = {.series_id = series->id};
    civ_status first = CIV_OK;
    combo_pair *pair = civ_arena_alloc(&ws->arena, sizeof *pair);
    if (!pair)
        return civ_fail_at(CIV_ERR_OUT_OF_MEMORY, &w, "out of memory for the combination");
    memset(pair, 0, sizeof *pair);
    pair->like = like;
    pair->at[0] = pair->at[1] = -1;
    for (int c = 0; c < cfg->n_members; c++)
        if (cfg->members[c] == MEMBER_ETS || cfg->members[c] == MEMBER_DAMPED)
            pair->at[cfg->members[c] == MEMBER_DAMPED] = c;
    for (int c = 0; c < cfg->n_members; c++) {
        why[c][0] = 0;
        ok[c] = 0;
        const civ_model_type *type = combo_members[cfg->members[c]].type;
        civ_model_fit *f = &st->fits[st->k];
        memset(f, 0, sizeof *f);
        f->type = type;
        f->nonnegative = fit->nonnegative;
        civ_status s;
        civ_status hard = combo_member_fit(cfg, c, options, series, ws, pair, f, &s, why[c]);
        if (hard != CIV_OK)
            return hard;
        if (s == CIV_OK) {
            f->type = type;
            f->nonnegative = fit->nonnegative;
            st->member[st->k] = cfg->members[c];
            st->k++;
            ok[c] = 1;
            continue;
        }
        if (first == CIV_OK)
            first = s;
    }
    if (st->k > 0)
        return CIV_OK;
    char all[COMBO_MAX * 180];
    size_t used = 0;
    for (int c = 0; c < cfg->n_members && used < sizeof all; c++)
        used += (size_t)civ_snprintf(all + used, sizeof all - used, "%s%s: %s", c ? " | " : "",
                                     combo_members[cfg->members[c]].label, why[c]);
    return civ_fail_at(first, &w, "combination: no component could be fitted (%s)", all);
}

/* The fit's name: the components' models, e.g.
 * "Combo[ETS(M,A,N),ARIMA(0,1,1),Theta]"; the members' labels when the
 * models' names do not fit. */
static void combo_name(const combo_config *cfg, const combo_state *st, const int ok[COMBO_MAX], char *out,
                       size_t cap)
{
    const char *head = cfg->median ? "ComboMedian[" : "Combo[";
    char name[COMBO_MAX * 80];
    size_t used = (size_t)civ_snprintf(name, sizeof name, "%s", head);
    for (size_t c = 0; c < st->k && used < sizeof name; c++)
        used += (size_t)civ_snprintf(name + used, sizeof name - used, "%s%s", c ? "," : "", st->fits[c].name);
    if (used + 2 > cap) {
        used = (size_t)civ_snprintf(name, sizeof name, "%s", head);
        for (int c = 0, j = 0; c < cfg->n_members; c++)
            if (ok[c])
                used += (size_t)civ_snprintf(name + used, sizeof name - used, "%s%s", j++ ? "," : "",
                                             combo_members[cfg->members[c]].label);
    }
    if (used + 2 <= sizeof name) {
        name[used] = ']';
        name[used + 1] = 0;
    }
    civ_copy_truncated(out, cap, name);
}

/* combo_fit (like NULL) and combo_refit (like: the members and structures to fit). */
static civ_status combo_fit_like(const combo_config *cfg, const combo_state *like, const civ_model_options *options,
                                 const civ_series *series, civ_workspace *ws, civ_model_fit *fit)
{
    civ_where w = {.series_id = series->id};
    combo_state *st = civ_arena_alloc(&ws->arena, sizeof *st);
    civ_model_fit *fits = civ_arena_alloc(&ws->arena, COMBO_MAX * sizeof *fits);
    if (!st || !fits)
        return civ_fail_at(CIV_ERR_OUT_OF_MEMORY, &w, "out of memory for the combination");
    st->fits = fits;
    st->median = cfg->median;
    st->k = 0;
    /* One observed value says nothing about how far the next may fall: every
     * member but ARIMA refuses it, and ARIMA(0,0,0) on it has sigma^2 = 0 (as in
     * R), which would make the combination's intervals zero wide. */
    size_t observed = 0;
    for (size_t t = 0; t < series->n && observed < 2; t++)
        observed += !isnan(series->y[t]);
    if (observed < 2)
        return civ_fail_at(CIV_ERR_TOO_SHORT, &w,
                           "a combination needs at least 2 observed values, the series has %zu: one value gives "
                           "no measure of its uncertainty (its intervals would be zero wide)",
                           observed);
    int ok[COMBO_MAX];
    char why[COMBO_MAX][160];
    civ_status s = combo_fit_members(cfg, options, series, ws, fit, like, st, ok, why);
    if (s != CIV_OK)
        return s;
    combo_name(cfg, st, ok, fit->name, sizeof fit->name);

    fit->loglik = fit->aic = fit->aicc = fit->bic = fit->sigma2 = NAN;
    fit->n_params = 0;
    fit->param_names = NULL;
    fit->params = NULL;
    fit->n_report_params = 0;
    fit->state_names = NULL;
    fit->states = NULL;
    fit->n_states = 0;
    fit->n = series->n;
    fit->state = st;

    /* combined one-step fitted values where every component has one (components
     * that fitted a shorter stretch report it aligned with the end) */
    fit->fitted = civ_arena_doubles(&ws->arena, series->n + 1);
    fit->residuals = civ_arena_doubles(&ws->arena, series->n + 1);
    if (!fit->fitted || !fit->residuals)
        return civ_fail_at(CIV_ERR_OUT_OF_MEMORY, &w, "out of memory for the combination");
    for (size_t t = 0; t < series->n; t++) {
        double v[COMBO_MAX];
        for (size_t c = 0; c < st->k; c++) {
            const civ_model_fit *f = &fits[c];
            size_t skip = series->n - (f->n < series->n ? f->n : series->n);
            v[c] = f->fitted && t >= skip ? f->fitted[t - skip] : NAN;
        }
        fit->fitted[t] = combo_value(v, st->k, st->median);
        fit->residuals[t] = series->y[t] - fit->fitted[t];
    }
    return CIV_OK;
}

static civ_status combo_fit(const void *config, const civ_model_options *options, const civ_series *series,
                            civ_workspace *ws, civ_model_fit *fit)
{
    return combo_fit_like(config, NULL, options, series, ws, fit);
}

/* The members `like` combined, each refitted with its own structure
 * (type->refit) or fitted as before where its family has no search; a
 * member dropped from like stays out. */
static civ_status combo_refit(const civ_model_fit *like, const void *config, const civ_model_options *options,
                              const civ_series *series, civ_workspace *ws, civ_model_fit *fit)
{
    if (!like || !like->state)
        return combo_fit(config, options, series, ws, fit);
    return combo_fit_like(config, like->state, options, series, ws, fit);
}

/* ---- forecast ------------------------------------------------------------------ */

static civ_status combo_forecast(const civ_model_fit *fit, const civ_series *series, size_t h, const double *levels,
                                 size_t n_levels, civ_workspace *ws, double *mean, double *lower, double *upper)
{
    const combo_state *st = fit->state;
    civ_where w = {.series_id = series->id};
    size_t k = st->k, L = lower && upper ? n_levels : 0;
    double *cm = civ_arena_doubles(&ws->arena, k * h + 1);
    double *cl = civ_arena_doubles(&ws->arena, k * L * h + 1);
    double *cu = civ_arena_doubles(&ws->arena, k * L * h + 1);
    if (!cm || !cl || !cu)
        return civ_fail_at(CIV_ERR_OUT_OF_MEMORY, &w, "out of memory for the combination's forecasts");
    for (size_t j = 0; j < k * L * h; j++)
        cl[j] = cu[j] = NAN;
    for (size_t c = 0; c < k; c++) {
        const civ_model_fit *f = &st->fits[c];
        civ_status s = f->type->forecast(f, series, h, levels, L, ws, cm + c * h, L ? cl + c * L * h : NULL,
                                         L ? cu + c * L * h : NULL);
        if (s != CIV_OK)
            return s;
    }
    double v[COMBO_MAX];
    for (size_t j = 0; j < h; j++) {
        for (size_t c = 0; c < k; c++)
            v[c] = cm[c * h + j];
        mean[j] = combo_value(v, k, st->median);
    }
    for (size_t l = 0; l < L; l++)
        for (size_t j = 0; j < h; j++) {
            for (size_t c = 0; c < k; c++)
                v[c] = cl[c * L * h + l * h + j];
            lower[l * h + j] = combo_value(v, k, st->median);
            for (size_t c = 0; c < k; c++)
                v[c] = cu[c * L * h + l * h + j];
            upper[l * h + j] = combo_value(v, k, st->median);
        }
    return CIV_OK;
}

const civ_model_type civ_model_combination = {
    .family = "combo",
    .summary = "combination of automatic ETS, automatic ARIMA and Theta, or of named members (mean or median of "
               "forecasts)",
    .spec_help = "combo | combo(mean) | combo(median); add ',fast' (combo(median,fast), combo(fast)) for the CSS "
                 "ARIMA search; name the members to combine others: combo(median,ets,arima,theta,damped,dotm) "
                 "(members: ets, arima, theta, damped, dotm, dstm, autotheta)",
    .params = NULL,
    .n_params = 0,
    .config_size = sizeof(combo_config),
    .parse = combo_parse,
    .fit = combo_fit,
    .forecast = combo_forecast,
    .simulate = NULL,
    .refit = combo_refit,
};
