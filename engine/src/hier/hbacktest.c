/*
 * hbacktest.c -- layer hier (over core; forecasting through civicast.h):
 * civ_hier_backtest, the rolling-origin backtest of reconciled forecasts.
 * Window by window the panel is truncated at the cutoff and forecast as
 * civ_hier_forecast forecasts it (hforecast.c's two stages: the base
 * forecasts once, then each method's reconciliation); the windows go into a
 * civ_backtest_result (civ_backtest_result_create / _set) whose series are
 * the nodes in the listed order, so the flat backtest's tables and accuracy
 * code score it against the full panel aggregated.  Bit-identical for any
 * thread count: each window's stages are (civ_forecast_panel, the sample
 * paths seeded per path).  docs/FORECASTING.md, "Backtesting a hierarchy".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "error.h"
#include "hier.h"
#include "panel.h"

#define MAX_METHODS 8
#define METHOD_BASE 0 /* the unreconciled base forecasts, not a civ_reconcile_method */

civ_status civ_hier_backtest_options_init(civ_hier_backtest_options *opt)
{
    if (!opt)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_hier_backtest_options_init: NULL");
    memset(opt, 0, sizeof *opt);
    civ_hier_options_init(&opt->hier);
    opt->windows = 3;
    opt->step = 1;
    return CIV_OK;
}

/* One run: the settings, the methods parsed and the progress over windows. */
typedef struct hb_run {
    const civ_hier *h;
    const civ_panel *panel;
    const civ_hier_backtest_options *opt;
    civ_hier_options ho;         /* opt->hier with the staged progress */
    int method[MAX_METHODS];     /* METHOD_BASE or a civ_reconcile_method */
    size_t n_methods, H, L, K;
    size_t n_nodes, done;        /* progress: nodes of the windows before this one */
    civ_frequency freq;
    int phase;
    civ_date_style style;
    int64_t end;                 /* the common last period */
    double *lower, *upper;       /* L x H buffers of one node */
    unsigned char *absent;       /* per series: no value yet at this window's cutoff */
    civ_backtest_result *r;
} hb_run;

static int staged(size_t done, size_t total, void *user)
{
    hb_run *b = user;
    (void)total;
    return b->opt->hier.forecast.progress(b->done + done, b->n_nodes * b->K, b->opt->hier.forecast.progress_user);
}

/* The methods of opt into b (names checked, each once) and the models' names into names[]. */
static civ_status parse_methods(hb_run *b, char (*names)[64])
{
    static const char *const fallback[] = {"base", "bu", "mint_shrink"};
    const char *const *m = b->opt->n_methods ? b->opt->methods : fallback;
    size_t M = b->opt->n_methods ? b->opt->n_methods : 3;
    civ_where w = {.field = "reconcile"};
    char model[48];
    civ_status st = civ_model_display_name(b->ho.forecast.model ? b->ho.forecast.model : "auto", model, sizeof model);
    if (st)
        return st;
    if (!m || M > MAX_METHODS)
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "%zu methods: give 1 to %d of base, bu, td, ols, "
                           "wls_struct, wls_var, mint_shrink", M, MAX_METHODS);
    for (size_t k = 0; k < M; k++) {
        civ_reconcile_method rm = CIV_RECONCILE_BU;
        if (m[k] && !strcmp(m[k], "base"))
            b->method[k] = METHOD_BASE;
        else if ((st = civ_reconcile_method_parse(m[k] ? m[k] : "", &rm)) ||
                 (st = civ_hier_check_method(b->h, rm))) {
            char why[512];
            civ_snprintf(why, sizeof why, "%s", civ_last_error()->message); /* civ_fail_at rewrites it */
            return civ_fail_at(st, &w, "%s (or base: the unreconciled forecasts)", why);
        } else
            b->method[k] = (int)rm;
        for (size_t q = 0; q < k; q++)
            if (b->method[q] == b->method[k])
                return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "method '%s' is given twice; give each once",
                                   m[k]);
        civ_snprintf(names[k], sizeof names[k], "%s/%s", model,
                     b->method[k] == METHOD_BASE ? "base" : civ_reconcile_method_name(rm));
    }
    b->n_methods = M;
    return CIV_OK;
}

/* Method slot m of window k failed for every node with status st: why. */
static civ_status fail_window(hb_run *b, size_t m, size_t k, civ_status st, const char *why)
{
    char msg[1024];
    civ_status fs;
    civ_snprintf(msg, sizeof msg, "window %zu of %zu: %s", k + 1, b->K, why); /* the failures' table has the cutoff */
    for (size_t i = 0; i < b->n_nodes; i++)
        if ((fs = civ_backtest_result_set(b->r, m, i, k, st, msg, NULL, NULL, NULL)))
            return fs;
    return CIV_OK;
}

/* Bottom node i (listed kk) of window k was counted as 0 (civ_hier_base.absent): its own rows fail, saying why. */
static civ_status absent_node(hb_run *b, size_t m, size_t k, size_t kk, size_t i, const civ_hier_base *base)
{
    char msg[1024];
    if (base->absent[i - b->h->n_agg] == 1)
        civ_snprintf(msg, sizeof msg, "window %zu of %zu: no value yet at the cutoff; counted as 0 in the "
                     "aggregates above it", k + 1, b->K);
    else
        civ_snprintf(msg, sizeof msg, "window %zu of %zu: too few values at the cutoff for the model (%s); counted "
                     "as 0 in the aggregates above it", k + 1, b->K, civ_forecast_result_message(base->fr, i));
    return civ_backtest_result_set(b->r, m, kk, k, CIV_ERR_TOO_SHORT, msg, NULL, NULL, NULL);
}

/* Method slot m of window k: the node forecasts of x (base: fr's) in the listed order. */
static civ_status store(hb_run *b, size_t m, size_t k, const civ_hier_base *base, const civ_hier_result *x)
{
    size_t H = b->H, L = b->L, n_agg = b->h->n_agg;
    const double *mean = x ? civ_hier_result_mean(x) : civ_forecast_result_mean(base->fr);
    for (size_t kk = 0; kk < b->n_nodes; kk++) {
        size_t i = civ_hier_listed_node(b->h, kk);
        civ_status st;
        if (i >= n_agg && base->absent[i - n_agg]) {
            if ((st = absent_node(b, m, k, kk, i, base)))
                return st;
            continue;
        }
        for (size_t l = 0; l < L; l++) {
            const double *lo = x ? civ_hier_result_lower(x, l) : civ_forecast_result_lower(base->fr, l);
            const double *hi = x ? civ_hier_result_upper(x, l) : civ_forecast_result_upper(base->fr, l);
            memcpy(b->lower + l * H, lo + i * H, H * sizeof *lo);
            memcpy(b->upper + l * H, hi + i * H, H * sizeof *hi);
        }
        if ((st = civ_backtest_result_set(b->r, m, kk, k, CIV_OK, NULL, mean + i * H, b->lower, b->upper)))
            return st;
    }
    return CIV_OK;
}

/* A failure that ends the run rather than a window: cancelled, out of memory. */
static int fatal(civ_status st) { return st == CIV_ERR_CANCELLED || st == CIV_ERR_OUT_OF_MEMORY; }

/* Window k on the truncated panel `cut`: the base forecasts, then every method. */
static civ_status run_window(hb_run *b, size_t k, const civ_panel *cut)
{
    size_t seen = 0, N = civ_panel_n_series(cut);
    for (size_t i = 0; i < N; i++)
        seen += !b->absent[i];
    if (!seen) { /* before every series' first value: nothing to forecast from */
        civ_status fs = CIV_OK;
        for (size_t m = 0; m < b->n_methods && !fs; m++)
            fs = fail_window(b, m, k, CIV_ERR_TOO_SHORT, "no series has a value by the cutoff (it comes before the "
                             "panel's first period): fewer windows or a smaller step");
        b->done += b->n_nodes;
        return fs;
    }
    civ_hier_base base;
    civ_status st = civ_hier_base_forecast(b->h, cut, &b->ho, b->absent, &base);
    b->done += b->n_nodes;
    if (st) {
        if (fatal(st))
            return st;
        char why[900];
        civ_snprintf(why, sizeof why, "%s; or put the cutoffs later (fewer windows, a smaller step)",
                     civ_last_error()->message);
        civ_status fs = CIV_OK;
        for (size_t m = 0; m < b->n_methods && !fs; m++)
            fs = fail_window(b, m, k, st, why);
        return fs;
    }
    int nonneg = civ_hier_nonneg(b->ho.nonnegative, cut);
    st = civ_backtest_result_add_uncalibrated(b->r, civ_forecast_result_n_uncalibrated(base.fr));
    for (size_t m = 0; m < b->n_methods && !st; m++) {
        if (b->method[m] == METHOD_BASE) {
            st = store(b, m, k, &base, NULL);
            continue;
        }
        civ_hier_options ho = b->ho;
        ho.method = (civ_reconcile_method)b->method[m];
        civ_hier_result *x = NULL;
        if ((st = civ_hier_reconcile_base(b->h, &base, &ho, nonneg, &x)) == CIV_OK) {
            st = store(b, m, k, &base, x);
        } else if (!fatal(st)) {
            char why[640];
            civ_snprintf(why, sizeof why, "reconciling by %s: %s", civ_reconcile_method_name(ho.method),
                         civ_last_error()->message);
            st = fail_window(b, m, k, st, why);
        }
        civ_hier_result_free(x);
    }
    civ_hier_base_free(&base);
    return st;
}

/* Every window: the panel truncated at its cutoff, then run_window. */
static civ_status run_windows(hb_run *b)
{
    size_t N = civ_panel_n_series(b->panel);
    b->absent = malloc(N ? N : 1);
    if (!b->absent)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for %zu series", N);
    civ_status st = CIV_OK;
    for (size_t k = 0; k < b->K && !st; k++) {
        civ_panel *cut = NULL;
        int64_t cutoff = b->end - (int64_t)(b->H + (b->K - 1 - k) * b->opt->step);
        if (!(st = civ_panel_cut(b->panel, cutoff, b->absent, &cut))) /* a series not there yet: a 0 */
            st = run_window(b, k, cut);
        civ_panel_free(cut);
    }
    free(b->absent);
    return st;
}

/* The settings of the run that the full panel and the options give (nothing run). */
static civ_status hb_setup(hb_run *b, char (*names)[64])
{
    const civ_hier_backtest_options *opt = b->opt;
    civ_where w = {.field = "windows"};
    if (opt->windows < 1 || opt->windows > 100000)
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "windows must be 1..100000, got %zu", opt->windows);
    if (opt->step < 1 || opt->step > 100000) {
        w.field = "step";
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "step must be 1..100000, got %zu", opt->step);
    }
    b->ho = opt->hier;
    if (opt->hier.forecast.progress) {
        b->ho.forecast.progress = staged;
        b->ho.forecast.progress_user = b;
    }
    civ_status st = parse_methods(b, names);
    civ_panel *np = NULL;
    if (!st)
        st = civ_hier_aggregate(b->h, b->panel, &np); /* checks the panel; gives the common end */
    if (st)
        return st;
    size_t n;
    int64_t start;
    civ_panel_series(np, 0, NULL, &n, &start);
    b->end = start + (int64_t)n - 1;
    b->freq = civ_panel_frequency(np), b->phase = civ_panel_phase(np), b->style = civ_panel_date_style(np);
    civ_panel_free(np);
    int season = civ_frequency_season_length(b->freq);
    b->H = opt->hier.forecast.horizon ? opt->hier.forecast.horizon : (season > 1 ? 2u * (size_t)season : 10u);
    b->L = opt->hier.forecast.n_levels, b->K = opt->windows, b->n_nodes = civ_hier_n_nodes(b->h);
    return CIV_OK;
}

civ_status civ_hier_backtest(const civ_hier *hier, const civ_panel *panel, const civ_hier_backtest_options *opt,
                             civ_backtest_result **out)
{
    if (!hier || !panel || !opt || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_hier_backtest: NULL argument");
    hb_run b = {.h = hier, .panel = panel, .opt = opt};
    char names[MAX_METHODS][64];
    const char *name_ptr[MAX_METHODS];
    civ_status st = hb_setup(&b, names);
    if (st)
        return st;
    for (size_t m = 0; m < b.n_methods; m++)
        name_ptr[m] = names[m];
    if ((st = civ_backtest_result_create(name_ptr, b.n_methods, b.n_nodes, b.K, b.H, opt->step,
                                         opt->hier.forecast.levels, b.L, &b.r)))
        return st;
    b.lower = malloc((b.L && b.H ? b.L * b.H : 1) * sizeof *b.lower);
    b.upper = malloc((b.L && b.H ? b.L * b.H : 1) * sizeof *b.upper);
    st = b.lower && b.upper ? run_windows(&b) : civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for a node's bounds");
    free(b.lower);
    free(b.upper);
    if (st) {
        civ_backtest_result_free(b.r);
        return st;
    }
    civ_clear_error();
    *out = b.r;
    return CIV_OK;
}

/* ---- tables ------------------------------------------------------------------------ */

/* Copies column c of src (rows 0..n) into column d of dst. */
static civ_status copy_column(const civ_table *src, size_t c, civ_table *dst, size_t d, size_t n)
{
    civ_status st = CIV_OK;
    int text = civ_table_column_type(src, c) == CIV_COLUMN_TEXT;
    for (size_t row = 0; row < n && !st; row++)
        st = text ? civ_table_set_text(dst, row, d, civ_table_text(src, row, c))
                  : civ_table_set_number(dst, row, d, civ_table_number(src, row, c));
    return st;
}

/* src's rows (per_node rows per node, the nodes in the listed order) with the node's level in a column before
 * src's columns: the windows and the per-node accuracy as civ_hier_backtest_table and
 * civ_hier_backtest_node_accuracy_table give them.  src stays the caller's. */
static civ_status with_level(const civ_hier *h, const civ_table *src, size_t n_nodes, civ_table **out)
{
    size_t rows = civ_table_n_rows(src), per_node = n_nodes ? rows / n_nodes : 0, col;
    civ_table *t = NULL;
    civ_status st;
    CIV_TRY(civ_table_create(&t));
    CIV_TRY(civ_table_add_column(t, "level", CIV_COLUMN_TEXT, &col));
    CIV_TRY(civ_table_add_rows(t, rows, NULL));
    for (size_t row = 0; row < rows; row++)
        CIV_TRY(civ_table_set_text(t, row, col, civ_hier_node_level(h, civ_hier_listed_node(h, row / per_node))));
    for (size_t c = 0; c < civ_table_n_columns(src); c++) {
        CIV_TRY(civ_table_add_column(t, civ_table_column_name(src, c), civ_table_column_type(src, c), &col));
        CIV_TRY(copy_column(src, c, t, col, rows));
    }
    *out = t;
    return CIV_OK;
fail:
    civ_table_free(t);
    return st;
}

/* A per-node table of r (accuracy: the accuracy per node and method, else the windows) with the level first. */
static civ_status node_table(const civ_backtest_result *r, const civ_hier *h, const civ_panel *panel, int accuracy,
                             civ_table **out)
{
    civ_panel *np = NULL;
    civ_table *src = NULL;
    civ_status st = civ_hier_aggregate(h, panel, &np);
    if (!st)
        st = accuracy ? civ_backtest_accuracy_table(r, np, 1, &src) : civ_backtest_result_table(r, np, &src);
    if (!st)
        st = with_level(h, src, civ_panel_n_series(np), out);
    civ_table_free(src);
    civ_panel_free(np);
    return st;
}

civ_status civ_hier_backtest_table(const civ_backtest_result *r, const civ_hier *h, const civ_panel *panel,
                                   civ_table **out)
{
    if (!r || !h || !panel || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_hier_backtest_table: NULL argument");
    return node_table(r, h, panel, 0, out);
}

civ_status civ_hier_backtest_node_accuracy_table(const civ_backtest_result *r, const civ_hier *h,
                                                 const civ_panel *panel, civ_table **out)
{
    if (!r || !h || !panel || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_hier_backtest_node_accuracy_table: NULL argument");
    return node_table(r, h, panel, 1, out);
}

civ_status civ_hier_backtest_accuracy_table(const civ_backtest_result *r, const civ_hier *h, const civ_panel *panel,
                                            civ_table **out)
{
    if (!r || !h || !panel || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_hier_backtest_accuracy_table: NULL argument");
    civ_panel *np = NULL;
    const char **level = malloc((h->n_nodes ? h->n_nodes : 1) * sizeof *level);
    civ_status st = level ? civ_hier_aggregate(h, panel, &np)
                          : civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for %zu nodes", h->n_nodes);
    for (size_t k = 0; !st && k < h->n_nodes; k++)
        level[k] = civ_hier_node_level(h, civ_hier_listed_node(h, k));
    if (!st)
        st = civ_backtest_accuracy_grouped(r, np, "level", level, "all", out);
    free(level);
    civ_panel_free(np);
    return st;
}
