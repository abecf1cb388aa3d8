/*
 * cmd_reconcile.c -- layer CLI (a client of civicast.h only): `civicast reconcile IN --base FILE --out FILE
 * --hierarchy a,b ...`: forecasts of every node of a hierarchy made elsewhere (any model, another program)
 * made coherent by civ_hier_reconcile_bands, with the nodes' in-sample residuals (--fitted) for MinT and WLS
 * and, when the base file has interval bounds (lo-<L>, hi-<L>), coherent bands drawn from sample paths as
 * `forecast --hierarchy` draws them (docs/FORECASTING.md "Hierarchies and reconciliation"; Python
 * civicast.reconcile and Hierarchy.reconcile_forecasts).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

enum { C_BASE, C_OUT, C_HIER, C_GROUP, C_COMMUNITIES, C_METHOD, C_FITTED, C_NONNEG, C_SEED, C_PATHS, C_ENCODING,
       C_THOUSANDS, C_PERCENT, C_SHEET, C_SKIP_ROWS, C_EXCEL /* +1 --no-excel, +2 --precision: CIV_CLI_CSV_OPTIONS */,
       C_COMM_SKIP = C_EXCEL + 3 };
static const civ_cli_option reconcile_options[] = {
    [C_BASE] = {"--base", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
                "every node's forecasts: unique_id, h, mean (and ds, model; lo-<L>, hi-<L>\n"
                "bounds are reconciled too, with --fitted), e.g. `forecast` of the panel\n"
                "`convert --hierarchy` wrote (required)"},
    [C_OUT] = {"--out", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
               "level, unique_id, ds, h, model, base, mean (coherent), lo-<L>, hi-<L>\n"
               "(coherent bands, when the base has bounds) (required)"},
    [C_HIER] = {"--hierarchy", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "a,b", "nested attribute columns, top first"},
    [C_GROUP] = {"--group", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "g,...", "crossed grouping columns"},
    [C_COMMUNITIES] = {"--communities", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
                       "community attributes with unique_id and the hierarchy's\ncolumns (default: the panel's)"},
    [C_METHOD] = {"--method", "--reconcile", CIV_CLI_VALUE, CIV_CLI_TEXT, "M", /* --reconcile: forecast's name */
                  "mint_shrink (default with --fitted), wls_var, ols (default without),\nwls_struct, bu, td"},
    [C_FITTED] = {"--fitted", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
                  "every node's in-sample residuals: unique_id, ds, residual (`forecast --fitted`);\n"
                  "the bands need them (their correlation)"},
    [C_NONNEG] = {"--nonnegative", NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL,
                  "negative bottom forecasts to 0, then summed up again"},
    [C_SEED] = {"--seed", NULL, CIV_CLI_VALUE, CIV_CLI_SIZE, "S",
                "seed of the bands' sample paths (default 20260101); identical for any\nthread count"},
    [C_PATHS] = {"--paths", NULL, CIV_CLI_VALUE, CIV_CLI_SIZE, "N", "sample paths a step for the bands (default 1000)"},
    [C_ENCODING] = CIV_CLI_ENCODING_OPTION,
    [C_THOUSANDS] = CIV_CLI_THOUSANDS_OPTION,
    [C_SKIP_ROWS] = CIV_CLI_SKIP_ROWS_OPTION,
    [C_EXCEL] = CIV_CLI_CSV_OPTIONS,
    [C_COMM_SKIP] = CIV_CLI_INPUT_SKIP_ROWS_OPTION("--communities-skip-rows", "--communities"),
    {NULL, NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL, NULL},
};
static const civ_cli_spec reconcile_spec = {
    "reconcile",
    "usage: civicast reconcile IN --base FILE --out FILE --hierarchy a,b [--group g] [--communities FILE]\n"
    "                          [--method M] [--fitted FILE] [--nonnegative] [--seed S] [--paths N]\n"
    "                          [--encoding E] [--thousands C] [--percent] [--sheet NAME] [--skip-rows N]\n"
    "                          [--excel|--no-excel] [--precision P] [--communities-skip-rows N]\n",
    "Makes forecasts of every node of the hierarchy of the panel IN coherent (each\n"
    "aggregate the sum of its series at every step): --base holds each node's own\n"
    "forecasts, made by any model or program (civicast convert IN by_node.csv\n"
    "--hierarchy ... then civicast forecast by_node.csv --fitted fit.csv gives both\n"
    "files); MinT (mint_shrink) and wls_var need the residuals, --fitted.  When the\n"
    "base has interval bounds (lo-80, hi-80, ...) and --fitted is given, the output\n"
    "has coherent bands: sample paths of the base forecasts, each reconciled.\n",
    reconcile_options,
    1,
    "unknown option '%s'",
    "%s needs a value",
    "Exit codes: 0 ok, 1 usage, 2 bad data (a node without a forecast), 3 I/O.\n",
};

/* Records a data error of the command's own (file, node, field) as the library records its errors. */
static civ_status fail_at(civ_status st, const char *file, const char *node, const char *field, const char *fmt, ...)
{
    civ_error e = {.status = st};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    va_end(ap);
    snprintf(e.file, sizeof e.file, "%s", file);
    snprintf(e.series_id, sizeof e.series_id, "%s", node ? node : "");
    snprintf(e.field, sizeof e.field, "%s", field ? field : "");
    return civ_error_restore(&e);
}

/* Node ids sorted, for lookups by id: order[k] is a node index. */
static const civ_hier *sort_hier;
static int by_id(const void *a, const void *b)
{
    return strcmp(civ_hier_node_id(sort_hier, *(const size_t *)a), civ_hier_node_id(sort_hier, *(const size_t *)b));
}

static size_t find_node(const civ_hier *h, const size_t *order, const char *id)
{
    size_t lo = 0, hi = civ_hier_n_nodes(h);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(civ_hier_node_id(h, order[mid]), id);
        if (!c)
            return order[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return SIZE_MAX;
}

/* The base forecasts, node-major (node i at base[i*H]), and the row of each cell in the base table. */
static civ_status read_base(const civ_hier *h, const size_t *order, const civ_table *t, const char *path,
                            double **base, size_t **rows, size_t *H)
{
    size_t cid, ch, cm, n = civ_hier_n_nodes(h), nr = civ_table_n_rows(t);
    civ_status s = civ_table_find_column(t, "unique_id", &cid);
    if (!s)
        s = civ_table_find_column(t, "h", &ch);
    if (!s)
        s = civ_table_find_column(t, "mean", &cm);
    if (s)
        return fail_at(CIV_ERR_MISSING_COLUMN, path, NULL, civ_last_error()->field,
                       "the base forecasts need the columns unique_id, h and mean (a `civicast forecast` output)");
    *H = 0;
    for (size_t r = 0; r < nr; r++) {
        double v = civ_table_number(t, r, ch);
        if (!(v >= 1 && v <= 100000 && v == (double)(size_t)v))
            return fail_at(CIV_ERR_PARSE, path, civ_table_text(t, r, cid), "h", "row %zu: h must be a whole "
                           "number >= 1, got %g", r + 1, v);
        if (find_node(h, order, civ_table_text(t, r, cid)) != SIZE_MAX && (size_t)v > *H)
            *H = (size_t)v;
    }
    *base = malloc((n * *H > 0 ? n * *H : 1) * sizeof **base);
    *rows = malloc((n * *H > 0 ? n * *H : 1) * sizeof **rows);
    if (!*base || !*rows)
        return CIV_ERR_OUT_OF_MEMORY;
    for (size_t k = 0; k < n * *H; k++)
        (*rows)[k] = SIZE_MAX;
    for (size_t r = 0; r < nr; r++) {
        size_t i = find_node(h, order, civ_table_text(t, r, cid)), step = (size_t)civ_table_number(t, r, ch);
        if (i == SIZE_MAX)
            continue; /* a row of another series (e.g. a node of another hierarchy): not used */
        if ((*rows)[i * *H + step - 1] != SIZE_MAX)
            return fail_at(CIV_ERR_DUPLICATE, path, civ_hier_node_id(h, i), "h", "rows %zu and %zu both forecast "
                           "h = %zu; give one model's forecasts", (*rows)[i * *H + step - 1] + 1, r + 1, step);
        (*rows)[i * *H + step - 1] = r;
        (*base)[i * *H + step - 1] = civ_table_number(t, r, cm);
    }
    for (size_t k = 0; k < n * *H; k++)
        if ((*rows)[k] == SIZE_MAX || !isfinite((*base)[k]))
            return fail_at(CIV_ERR_NOT_FOUND, path, civ_hier_node_id(h, k / *H), "mean", "node '%s' (level %s) "
                           "has no forecast for h = %zu: forecast every node (civicast convert IN OUT --hierarchy "
                           "..., then civicast forecast OUT)", civ_hier_node_id(h, k / *H),
                           civ_hier_node_level(h, k / *H), k % *H + 1);
    return CIV_OK;
}

#define MAX_BANDS 16

/* The base's interval levels: each lo-<L> with its hi-<L>, in the file's order (cols[2l], cols[2l + 1]); a bound
 * without its pair, a level that is not a number in (0, 100) or more than MAX_BANDS levels is an error. */
static civ_status base_levels(const civ_table *t, const char *path, double *levels, size_t *cols, size_t *n)
{
    static const char *const side[] = {"lo-", "hi-"};
    *n = 0;
    for (size_t c = 0; c < civ_table_n_columns(t); c++)
        for (int k = 0; k < 2; k++) {
            const char *name = civ_table_column_name(t, c);
            if (strncmp(name, side[k], 3))
                continue;
            char pair[256];
            size_t other;
            double L;
            snprintf(pair, sizeof pair, "%s%s", side[!k], name + 3);
            if (civ_cli_parse_double(name + 3, &L) || !(L > 0.0 && L < 100.0))
                return fail_at(CIV_ERR_PARSE, path, NULL, name, "column %s: a bound's level must be a number between "
                               "0 and 100 (lo-80, hi-95)", name);
            if (civ_table_find_column(t, pair, &other)) {
                civ_clear_error();
                return fail_at(CIV_ERR_MISSING_COLUMN, path, NULL, pair, "the base has %s but no %s: give both "
                               "bounds of each level, or neither", name, pair);
            }
            if (k == 1)
                continue; /* its pair was counted with the lo- column */
            if (*n == MAX_BANDS)
                return fail_at(CIV_ERR_PARSE, path, NULL, name, "at most %d interval levels", MAX_BANDS);
            levels[*n] = L, cols[2 * *n] = c, cols[2 * *n + 1] = other, ++*n;
        }
    return CIV_OK;
}

/* The bounds of the base forecasts at the levels' columns, laid out as civ_hier_reconcile_bands takes them
 * (level l at [l * n * H], node-major); a missing bound names its node, step and row. */
static civ_status read_bounds(const civ_hier *h, const civ_table *t, const char *path, const size_t *rows, size_t H,
                              const size_t *cols, size_t L, double **lower, double **upper)
{
    size_t n = civ_hier_n_nodes(h), plane = n * H;
    *lower = malloc((plane * L > 0 ? plane * L : 1) * sizeof **lower);
    *upper = malloc((plane * L > 0 ? plane * L : 1) * sizeof **upper);
    if (!*lower || !*upper)
        return CIV_ERR_OUT_OF_MEMORY;
    for (size_t l = 0; l < 2 * L; l++)
        for (size_t k = 0; k < plane; k++) {
            double v = civ_table_number(t, rows[k], cols[l]);
            const char *node = civ_hier_node_id(h, k / H), *name = civ_table_column_name(t, cols[l]);
            if (!isfinite(v))
                return fail_at(CIV_ERR_NOT_FOUND, path, node, name, "row %zu: node '%s' has no %s for h = %zu: every "
                               "node needs both bounds of each level at every step (or leave the bound columns out)",
                               rows[k] + 1, node, name, k % H + 1);
            (l % 2 ? *upper : *lower)[(l / 2) * plane + k] = v;
        }
    return CIV_OK;
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The residuals, period-major (n_obs x nodes; NaN counts as 0), periods the distinct ds in text order. */
static civ_status read_residuals(const civ_hier *h, const size_t *order, const civ_table *t, const char *path,
                                 double **res, size_t *n_obs)
{
    size_t cid, cds, cr, n = civ_hier_n_nodes(h), nr = civ_table_n_rows(t), u = 0;
    civ_status s = civ_table_find_column(t, "unique_id", &cid);
    if (!s)
        s = civ_table_find_column(t, "ds", &cds);
    if (!s)
        s = civ_table_find_column(t, "residual", &cr);
    if (s)
        return fail_at(CIV_ERR_MISSING_COLUMN, path, NULL, civ_last_error()->field,
                       "the residuals need the columns unique_id, ds and residual (`civicast forecast --fitted`)");
    const char **ds = malloc((nr ? nr : 1) * sizeof *ds);
    if (!ds)
        return CIV_ERR_OUT_OF_MEMORY;
    for (size_t r = 0; r < nr; r++)
        ds[r] = civ_table_text(t, r, cds);
    qsort(ds, nr, sizeof *ds, by_text);
    for (size_t r = 0; r < nr; r++)
        if (!u || strcmp(ds[u - 1], ds[r]))
            ds[u++] = ds[r];
    *n_obs = u;
    *res = malloc((u * n > 0 ? u * n : 1) * sizeof **res);
    if (!*res) {
        free(ds);
        return CIV_ERR_OUT_OF_MEMORY;
    }
    for (size_t k = 0; k < u * n; k++)
        (*res)[k] = NAN;
    for (size_t r = 0; r < nr; r++) {
        size_t i = find_node(h, order, civ_table_text(t, r, cid));
        const char *key = civ_table_text(t, r, cds);
        const char **p = bsearch(&key, ds, u, sizeof *ds, by_text);
        if (i != SIZE_MAX && p)
            (*res)[(size_t)(p - ds) * n + i] = civ_table_number(t, r, cr);
    }
    free(ds);
    return CIV_OK;
}

/* level, unique_id, ds, h, model, base, mean, lo-<L>, hi-<L>, ...: one row per node and step, nodes in the order
 * people read (civ_hier_listed_node: a level's aggregates in natural order, then the series). */
static civ_status result_table(const civ_hier *h, const civ_table *bt, const size_t *rows, const double *base,
                               const civ_hier_result *r, const size_t *r_cols, size_t H, civ_table **out)
{
    static const char *const names[] = {"level", "unique_id", "ds", "h", "model", "base", "mean"};
    size_t col[7 + 2 * MAX_BANDS], n = civ_hier_n_nodes(h), cds = SIZE_MAX, cmodel = SIZE_MAX, first = 0;
    size_t L = civ_hier_result_n_levels(r);
    const double *mean = civ_hier_result_mean(r);
    civ_table *t = NULL;
    civ_status s = civ_table_create(&t);
    for (int k = 0; !s && k < 7; k++)
        s = civ_table_add_column(t, names[k], k == 3 || k > 4 ? CIV_COLUMN_NUMBER : CIV_COLUMN_TEXT, &col[k]);
    for (size_t c = 0; !s && c < 2 * L; c++)
        s = civ_table_add_column(t, civ_table_column_name(bt, r_cols[c]), CIV_COLUMN_NUMBER, &col[7 + c]);
    if (!s)
        s = civ_table_add_rows(t, n * H, &first);
    if (civ_table_find_column(bt, "ds", &cds))
        cds = SIZE_MAX;
    if (civ_table_find_column(bt, "model", &cmodel))
        cmodel = SIZE_MAX;
    civ_clear_error();
    for (size_t k = 0; !s && k < n * H; k++) {
        size_t i = civ_hier_listed_node(h, k / H), v = i * H + k % H; /* row k shows node i's step */
        s = civ_table_set_text(t, k, col[0], civ_hier_node_level(h, i));
        if (!s)
            s = civ_table_set_text(t, k, col[1], civ_hier_node_id(h, i));
        if (!s && cds != SIZE_MAX)
            s = civ_table_set_text(t, k, col[2], civ_table_text(bt, rows[v], cds));
        if (!s)
            s = civ_table_set_number(t, k, col[3], (double)(k % H + 1));
        if (!s && cmodel != SIZE_MAX)
            s = civ_table_set_text(t, k, col[4], civ_table_text(bt, rows[v], cmodel));
        if (!s)
            s = civ_table_set_number(t, k, col[5], base[v]);
        if (!s)
            s = civ_table_set_number(t, k, col[6], mean[v]);
        for (size_t c = 0; !s && c < 2 * L; c++) {
            const double *bound = c % 2 ? civ_hier_result_upper(r, c / 2) : civ_hier_result_lower(r, c / 2);
            s = civ_table_set_number(t, k, col[7 + c], bound[v]);
        }
    }
    if (s)
        civ_table_free(t);
    else
        *out = t;
    return s;
}

typedef struct reconcile_job {
    civ_panel *panel;
    civ_hier *hier;
    civ_table *base_t, *fit_t, *out;
    civ_hier_result *result;
    size_t *order, *rows, H, n_obs, n_levels, cols[2 * MAX_BANDS];
    double *base, *res, *lower, *upper, levels[MAX_BANDS];
    size_t seed, n_paths; /* --seed (SIZE_MAX: the default), --paths (0: the default) */
    int bounds_left_out;  /* the base has bounds but no --fitted came: the means alone */
} reconcile_job;

/* The reconciliation of the job's inputs by m: bands when the base had bounds and residuals came. */
static civ_status reconcile_bands(reconcile_job *j, const civ_cli_args *a, civ_reconcile_method m)
{
    civ_hier_options o;
    civ_status s = civ_hier_options_init(&o);
    o.method = m, o.nonnegative = a->value[C_NONNEG] != NULL, o.n_paths = j->n_paths;
    if (j->seed != SIZE_MAX)
        o.forecast.seed = (uint64_t)j->seed;
    j->bounds_left_out = j->n_levels && !j->res;
    o.forecast.levels = j->levels, o.forecast.n_levels = j->bounds_left_out ? 0 : j->n_levels;
    if (!s)
        s = civ_hier_reconcile_bands(j->hier, &o, j->base, j->lower, j->upper, j->H, j->res, j->n_obs, &j->result);
    return s;
}

/* Reads the inputs, reconciles, builds the table (nothing written yet). */
static civ_status reconcile_run(reconcile_job *j, const civ_cli_args *a, const char *in, civ_reconcile_method m)
{
    static const char *const base_text[] = {"unique_id", "ds", "model", NULL};
    static const char *const fit_text[] = {"unique_id", "ds", NULL};
    civ_status s = civ_cli_read_panel(in, &j->panel);
    if (!s)
        s = civ_cli_hier_build(j->panel, a->value[C_HIER], a->value[C_GROUP], a->value[C_COMMUNITIES], &j->hier);
    if (!s)
        s = civ_cli_read_table(a->value[C_BASE], &(civ_table_read_options){.text_columns = base_text}, &j->base_t);
    if (!s && a->value[C_FITTED])
        s = civ_cli_read_table(a->value[C_FITTED], &(civ_table_read_options){.text_columns = fit_text}, &j->fit_t);
    size_t n = j->hier ? civ_hier_n_nodes(j->hier) : 0;
    if (!s && !(j->order = malloc(n * sizeof *j->order)))
        s = CIV_ERR_OUT_OF_MEMORY;
    for (size_t i = 0; !s && i < n; i++)
        j->order[i] = i;
    if (!s) {
        sort_hier = j->hier;
        qsort(j->order, n, sizeof *j->order, by_id);
        s = read_base(j->hier, j->order, j->base_t, a->value[C_BASE], &j->base, &j->rows, &j->H);
    }
    if (!s)
        s = base_levels(j->base_t, a->value[C_BASE], j->levels, j->cols, &j->n_levels);
    if (!s && j->n_levels && j->fit_t)
        s = read_bounds(j->hier, j->base_t, a->value[C_BASE], j->rows, j->H, j->cols, j->n_levels, &j->lower,
                        &j->upper);
    if (!s && j->fit_t)
        s = read_residuals(j->hier, j->order, j->fit_t, a->value[C_FITTED], &j->res, &j->n_obs);
    if (!s)
        s = reconcile_bands(j, a, m);
    if (!s)
        s = result_table(j->hier, j->base_t, j->rows, j->base, j->result, j->cols, j->H, &j->out);
    return s;
}

static void reconcile_free(reconcile_job *j)
{
    civ_table_free(j->out), civ_table_free(j->fit_t), civ_table_free(j->base_t);
    civ_hier_free(j->hier), civ_panel_free(j->panel), civ_hier_result_free(j->result);
    free(j->order), free(j->rows), free(j->base), free(j->res), free(j->lower), free(j->upper);
}

/* The summary's bands: which levels, from how many paths. */
static void print_bands(const reconcile_job *j)
{
    size_t L = civ_hier_result_n_levels(j->result);
    if (!L)
        return;
    printf("\nbands                  ");
    for (size_t l = 0; l < L; l++)
        printf("%s%g%%", l ? ", " : "", j->levels[l]);
    printf(": %zu sample paths a step, each reconciled (seed %zu)", j->n_paths ? j->n_paths : (size_t)1000,
           j->seed != SIZE_MAX ? j->seed : (size_t)CIV_FORECAST_DEFAULT_SEED);
}

static int run_reconcile(int argc, char **argv)
{
    civ_cli_args a;
    int code = civ_cli_parse(&reconcile_spec, argc, argv, &a);
    if (code)
        return code;
    civ_csv_write_options csv = {0};
    civ_reconcile_method m = a.value[C_FITTED] ? CIV_RECONCILE_MINT_SHRINK : CIV_RECONCILE_OLS;
    const char *in = a.n_positional ? a.positional[0] : NULL;
    if (!(code = civ_cli_set_input("reconcile", NULL, a.value[C_ENCODING], a.value[C_THOUSANDS],
                                   a.value[C_PERCENT], a.value[C_SHEET], a.value[C_SKIP_ROWS])))
        code = civ_cli_csv_options("reconcile", &a, C_EXCEL, &csv);
    if (code)
        ;
    else if (a.n_positional != 1)
        code = civ_cli_usage_error("reconcile", "expected one panel IN (the series the hierarchy sums)");
    else if (!a.value[C_BASE] || !a.value[C_OUT])
        code = civ_cli_usage_error("reconcile", "--base FILE and --out FILE are required");
    else if (!a.value[C_HIER] && !a.value[C_GROUP])
        code = civ_cli_usage_error("reconcile", "--hierarchy a,b (or --group g) says which nodes to reconcile");
    else if (a.value[C_METHOD] && civ_reconcile_method_parse(a.value[C_METHOD], &m))
        code = civ_cli_report(civ_last_error()->status);
    else if (!a.value[C_FITTED] && (m == CIV_RECONCILE_MINT_SHRINK || m == CIV_RECONCILE_WLS_VAR))
        code = civ_cli_usage_error("reconcile", "--method %s needs the nodes' residuals: --fitted FILE (from "
                                   "civicast forecast --fitted), or use ols or wls_struct", a.value[C_METHOD]);
    reconcile_job j = {.seed = SIZE_MAX};
    if (code)
        ;
    else if (a.value[C_SEED] && civ_cli_parse_size(a.value[C_SEED], &j.seed))
        code = civ_cli_usage_error("reconcile", "--seed needs a non-negative whole number, got '%s'", a.value[C_SEED]);
    else if (a.value[C_PATHS] && (civ_cli_parse_size(a.value[C_PATHS], &j.n_paths) || j.n_paths == 0))
        code = civ_cli_usage_error("reconcile", "--paths needs a positive whole number, got '%s'", a.value[C_PATHS]);
    if (code) {
        civ_cli_args_free(&a);
        return code;
    }
    civ_status s = reconcile_run(&j, &a, in, m);
    if (!s)
        s = civ_table_write_opts(j.out, a.value[C_OUT], &csv);
    if (s) {
        code = civ_cli_report(s);
    } else {
        double lambda = civ_hier_result_lambda(j.result);
        printf("reconciled             %zu nodes (%zu series, %zu aggregates), h = %zu, by %s",
               civ_hier_n_nodes(j.hier), civ_hier_n_bottom(j.hier),
               civ_hier_n_nodes(j.hier) - civ_hier_n_bottom(j.hier), j.H, civ_reconcile_method_name(m));
        if (lambda == lambda)
            printf(" (shrinkage lambda %.4f)", lambda);
        print_bands(&j);
        printf("\nwrote                  %s\n", a.value[C_OUT]);
        if (j.bounds_left_out)
            fprintf(stderr, "civicast: warning: the base's bounds (%s, ...) are not in %s: coherent bands are drawn "
                    "with the correlation of the nodes' in-sample residuals, so they need --fitted FILE (civicast "
                    "forecast --fitted)\n", civ_table_column_name(j.base_t, j.cols[0]), a.value[C_OUT]);
    }
    reconcile_free(&j);
    civ_cli_args_free(&a);
    return code;
}

const civ_cli_command civ_cmd_reconcile = {
    "reconcile",
    "make forecasts of every node of a hierarchy, made elsewhere, coherent (MinT, WLS, OLS, bu, td)",
    &reconcile_spec,
    run_reconcile,
};
