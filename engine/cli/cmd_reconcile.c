/*
 * cmd_reconcile.c -- layer CLI (a client of civicast.h only): `civicast reconcile IN --base FILE --out FILE
 * --hierarchy a,b ...`: forecasts of every node of a hierarchy made elsewhere (any model, another program)
 * made coherent by civ_hier_reconcile, with the nodes' in-sample residuals (--fitted) for MinT and WLS
 * (docs/FORECASTING.md "Hierarchies and reconciliation"; Python civicast.reconcile).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

enum { C_BASE, C_OUT, C_HIER, C_GROUP, C_COMMUNITIES, C_METHOD, C_FITTED, C_NONNEG, C_ENCODING, C_THOUSANDS,
       C_PERCENT, C_SHEET, C_SKIP_ROWS, C_EXCEL /* +1 --no-excel, +2 --precision: CIV_CLI_CSV_OPTIONS */ };
static const civ_cli_option reconcile_options[] = {
    [C_BASE] = {"--base", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
                "every node's forecasts: unique_id, h, mean (and ds, model), e.g. `forecast` of\n"
                "the panel `convert --hierarchy` wrote (required)"},
    [C_OUT] = {"--out", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
               "level, unique_id, ds, h, model, base, mean (coherent) (required)"},
    [C_HIER] = {"--hierarchy", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "a,b", "nested attribute columns, top first"},
    [C_GROUP] = {"--group", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "g,...", "crossed grouping columns"},
    [C_COMMUNITIES] = {"--communities", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
                       "community attributes with unique_id and the hierarchy's\ncolumns (default: the panel's)"},
    [C_METHOD] = {"--method", "--reconcile", CIV_CLI_VALUE, CIV_CLI_TEXT, "M", /* --reconcile: forecast's name */
                  "mint_shrink (default with --fitted), wls_var, ols (default without),\nwls_struct, bu, td"},
    [C_FITTED] = {"--fitted", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
                  "every node's in-sample residuals: unique_id, ds, residual (`forecast --fitted`)"},
    [C_NONNEG] = {"--nonnegative", NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL,
                  "negative bottom forecasts to 0, then summed up again"},
    [C_ENCODING] = CIV_CLI_ENCODING_OPTION,
    [C_THOUSANDS] = CIV_CLI_THOUSANDS_OPTION,
    [C_SKIP_ROWS] = CIV_CLI_SKIP_ROWS_OPTION,
    [C_EXCEL] = CIV_CLI_CSV_OPTIONS,
    {NULL, NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL, NULL},
};
static const civ_cli_spec reconcile_spec = {
    "reconcile",
    "usage: civicast reconcile IN --base FILE --out FILE --hierarchy a,b [--group g] [--communities FILE]\n"
    "                          [--method M] [--fitted FILE] [--nonnegative]\n"
    "                          [--encoding E] [--thousands C] [--percent] [--excel] [--precision P]\n",
    "Makes forecasts of every node of the hierarchy of the panel IN coherent (each\n"
    "aggregate the sum of its series at every step): --base holds each node's own\n"
    "forecasts, made by any model or program (civicast convert IN by_node.csv\n"
    "--hierarchy ... then civicast forecast by_node.csv --fitted fit.csv gives both\n"
    "files); MinT (mint_shrink) and wls_var need the residuals, --fitted.\n",
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

/* level, unique_id, ds, h, model, base, mean: one row per node and step, nodes in the order people read
 * (civ_hier_listed_node: a level's aggregates in natural order, then the series). */
static civ_status result_table(const civ_hier *h, const civ_table *bt, const size_t *rows, const double *base,
                               const double *mean, size_t H, civ_table **out)
{
    static const char *const names[] = {"level", "unique_id", "ds", "h", "model", "base", "mean"};
    size_t col[7], n = civ_hier_n_nodes(h), cds = SIZE_MAX, cmodel = SIZE_MAX, first = 0;
    civ_table *t = NULL;
    civ_status s = civ_table_create(&t);
    for (int k = 0; !s && k < 7; k++)
        s = civ_table_add_column(t, names[k], k == 3 || k > 4 ? CIV_COLUMN_NUMBER : CIV_COLUMN_TEXT, &col[k]);
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
    size_t *order, *rows, H, n_obs;
    double *base, *res, *mean, lambda;
} reconcile_job;

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
    if (!s && j->fit_t)
        s = read_residuals(j->hier, j->order, j->fit_t, a->value[C_FITTED], &j->res, &j->n_obs);
    if (!s && !(j->mean = malloc((n * j->H > 0 ? n * j->H : 1) * sizeof *j->mean)))
        s = CIV_ERR_OUT_OF_MEMORY;
    if (!s)
        s = civ_hier_reconcile(j->hier, m, j->base, j->H, j->res, j->n_obs, a->value[C_NONNEG] != NULL, j->mean,
                               &j->lambda);
    if (!s)
        s = result_table(j->hier, j->base_t, j->rows, j->base, j->mean, j->H, &j->out);
    return s;
}

static void reconcile_free(reconcile_job *j)
{
    civ_table_free(j->out), civ_table_free(j->fit_t), civ_table_free(j->base_t);
    civ_hier_free(j->hier), civ_panel_free(j->panel);
    free(j->order), free(j->rows), free(j->base), free(j->res), free(j->mean);
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
    if (code) {
        civ_cli_args_free(&a);
        return code;
    }
    reconcile_job j = {0};
    civ_status s = reconcile_run(&j, &a, in, m);
    if (!s)
        s = civ_table_write_opts(j.out, a.value[C_OUT], &csv);
    if (s) {
        code = civ_cli_report(s);
    } else {
        printf("reconciled             %zu nodes (%zu series, %zu aggregates), h = %zu, by %s",
               civ_hier_n_nodes(j.hier), civ_hier_n_bottom(j.hier),
               civ_hier_n_nodes(j.hier) - civ_hier_n_bottom(j.hier), j.H, civ_reconcile_method_name(m));
        if (j.lambda == j.lambda)
            printf(" (shrinkage lambda %.4f)", j.lambda);
        printf("\nwrote                  %s\n", a.value[C_OUT]);
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
