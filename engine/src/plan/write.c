/*
 * write.c -- layer plan: the plan's output folder as one transaction
 * (civ_plan_result_write_opts): every table as CSV, the money tables again
 * as one Excel workbook for the budget office (allocation.xlsx, a sheet per
 * table named in the report's language, its columns headed in it with the
 * spec's labels, through the public civ_alloc_workbook_write), the plan report (report.html and charts/, through
 * the public civ_report_write) and manifest.json are written into a staging folder beside the target, which
 * is then published as a whole (civ_staging_publish_folder: the folder holds
 * the old set or the new set, never a mix; files of the old set the new run
 * did not make, such as uncertainty.csv after draws = 0, go with it).
 *
 * manifest.json records what made the folder: civicast's version, the spec's
 * version, each input's path, size and SHA-256 (hashed when the run
 * started), the seeds, the threads, the options, each stage's seconds and
 * every file written with its size and SHA-256 (docs/CLI.md, "manifest.json").
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "atomic_file.h"
#include "c_locale.h"
#include "error.h"
#include "plan.h"
#include "staging.h"
#include "table.h"

/* OpenBLAS's kernel for this CPU (weak: NULL when another BLAS is linked).
 * GSL's linear algebra goes through it, so the last bits of a fit -- and,
 * rarely, a near-tie between models -- can differ between CPUs; the
 * manifest records it next to the version. */
extern char *openblas_get_corename(void) __attribute__((weak));

size_t civ_plan_managed_names(const char **names, char (*buf)[64])
{
    size_t n = 0;
    for (int t = 0; t < CIV_PLAN_TABLE_COUNT; t++) {
        civ_snprintf(buf[t], 64, "%s.csv", civ_plan_table_name((civ_plan_table)t));
        names[n++] = buf[t];
    }
    names[n++] = "allocation.xlsx";
    names[n++] = "monitoring.xlsx";
    names[n++] = "report.html";
    names[n++] = "charts";
    names[n++] = "manifest.json";
    return n;
}

civ_status civ_plan_check_outputs(const civ_plan *p)
{
    const char *managed[CIV_PLAN_MAX_MANAGED];
    char buf[CIV_PLAN_MAX_MANAGED][64];
    size_t nm = civ_plan_managed_names(managed, buf);
    civ_path_role roles[CIV_PLAN_MAX_MANAGED + 12];
    char (*outs)[CIV_PLAN_PATH_MAX + 64] = malloc(CIV_PLAN_MAX_MANAGED * sizeof *outs);
    if (!outs)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    size_t n = 0;
    const char *inputs[][2] = {
        {p->path, "the plan file"},           {p->panel, "the [plan] panel"},
        {p->communities, "the [plan] communities"}, {p->spec, "the [plan] spec"},
        {p->mon_indicators, "the [monitor] indicators"}, {p->mon_actuals, "the [monitor] actuals"},
        {p->mon_risks, "the [monitor] risks"}, {p->mon_matrix, "the [monitor] matrix"},
        {p->mon_events, "the [monitor] events"}, {p->mon_demand, "the [monitor] demand_actuals"},
    };
    for (size_t k = 0; k < sizeof inputs / sizeof inputs[0]; k++)
        roles[n++] = (civ_path_role){inputs[k][0], inputs[k][1], 0};
    for (size_t k = 0; k < nm; k++) {
        civ_snprintf(outs[k], sizeof outs[k], "%s/%s", p->out, managed[k]);
        roles[n++] = (civ_path_role){outs[k], "the plan's output", 1};
    }
    civ_status s = civ_paths_check(roles, n);
    free(outs);
    if (!s)
        s = civ_staging_check_folder(p->out, managed, nm);
    return s;
}

civ_status civ_plan_result_write(const civ_plan_result *result, const char *dir)
{
    return civ_plan_result_write_opts(result, dir, NULL);
}

/* The decimals of a currency's major unit: 100 -> 2, 1000 -> 3, 1 -> 0. */
static int money_decimals(int64_t minor_unit)
{
    int d = 0;
    for (int64_t u = minor_unit; u >= 10 && d < 9; u /= 10)
        d++;
    return d;
}

/* Every table as <stage>/<name>.csv. */
static civ_status write_tables(const civ_plan_result *result, const char *stage, const civ_csv_write_options *options)
{
    /* The folder is for people by default (docs/CLI.md, "Files for people"). */
    civ_csv_write_options people = {.bom = 1, .significant_digits = CIV_CSV_PEOPLE_DIGITS};
    civ_csv_write_options plain = options ? *options : people;
    /* money tables keep the currency's decimals when rounded (yuan keep their fen) */
    civ_csv_write_options money = plain;
    int d = money_decimals(result->spec ? civ_alloc_spec_minor_unit(result->spec) : 100);
    if (money.min_decimals < d)
        money.min_decimals = d;
    civ_status s = CIV_OK;
    for (int t = 0; t < CIV_PLAN_TABLE_COUNT && !s; t++) {
        if (!result->tables[t])
            continue;
        char path[CIV_PLAN_PATH_MAX + 64];
        civ_snprintf(path, sizeof path, "%s/%s.csv", stage, civ_plan_table_name((civ_plan_table)t));
        int is_money = t != CIV_PLAN_FORECASTS && t != CIV_PLAN_FORECAST_REPORT && t != CIV_PLAN_HISTORY &&
                       t != CIV_PLAN_BACKTEST && t != CIV_PLAN_BACKTEST_ACCURACY && t != CIV_PLAN_BACKTEST_FAILURES &&
                       t != CIV_PLAN_JOINS &&
                       t != CIV_PLAN_FORECAST_TOTALS;
        s = civ_error_name_file(civ_table_write_csv_opts(result->tables[t], path, is_money ? &money : &plain), path);
    }
    return s;
}

/* monitoring.xlsx: the [monitor] stage's tables for the departments, in the report's language, through the public
 * civ_monitor_workbook_write (the command's monitor --out writes the same); none without a [monitor] stage. */
static civ_status write_monitor_workbook(const civ_plan_result *result, const char *stage)
{
    civ_table *const *t = result->tables;
    civ_monitor_workbook_tables mt = {.alerts = t[CIV_PLAN_MONITOR_ALERTS], .status = t[CIV_PLAN_MONITOR_STATUS],
                                      .warning = t[CIV_PLAN_WARNING], .warning_steps = t[CIV_PLAN_WARNING_STEPS],
                                      .risks = t[CIV_PLAN_RISKS], .risk_matrix = t[CIV_PLAN_RISK_MATRIX],
                                      .inactivity = t[CIV_PLAN_INACTIVITY], .demand = t[CIV_PLAN_DEMAND]};
    if (!mt.alerts && !mt.status && !mt.warning && !mt.warning_steps && !mt.risks && !mt.risk_matrix &&
        !mt.inactivity && !mt.demand)
        return CIV_OK;
    char path[CIV_PLAN_PATH_MAX + 64];
    if (result->stats.monitor_period[0]) /* a day written there: the period it falls in */
        mt.period = result->stats.monitor_period;
    civ_snprintf(path, sizeof path, "%s/monitoring.xlsx", stage);
    return civ_monitor_workbook_write(path, result->mon_spec, &mt, result->plan.lang[0] ? result->plan.lang : NULL,
                                      NULL);
}

/* allocation.xlsx: the money tables the plan made for the budget office, in the report's language, through the
 * public civ_alloc_workbook_write (the command's allocate --workbook writes the same; docs/ALLOCATION.md, "The
 * workbook without a plan"); none without an allocation or need table.  The CSVs keep the machine names. */
static civ_status write_workbook(const civ_plan_result *result, const char *stage)
{
    civ_table *const *t = result->tables;
    civ_alloc_workbook_tables at = {.allocation = t[CIV_PLAN_ALLOCATION], .summary = t[CIV_PLAN_ALLOCATION_SUMMARY],
                                    .rules = t[CIV_PLAN_ALLOCATION_WATERFALL], .need = t[CIV_PLAN_NEED],
                                    .need_summary = t[CIV_PLAN_NEED_SUMMARY], .uncertainty = t[CIV_PLAN_UNCERTAINTY]};
    if (!at.allocation && !at.summary && !at.rules && !at.need && !at.need_summary && !at.uncertainty)
        return CIV_OK;
    char path[CIV_PLAN_PATH_MAX + 64];
    civ_snprintf(path, sizeof path, "%s/allocation.xlsx", stage);
    int en = result->plan.lang[0] && strcmp(result->plan.lang, "zh") != 0;
    return civ_alloc_workbook_write(path, result->spec, &at, en ? "en" : "zh", NULL);
}

/* ---- manifest.json ---------------------------------------------------------- */

/* A JSON string (UTF-8 passed through; quotes, backslashes and controls escaped). */
static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            civ_fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            civ_fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* "demand": which forecasts each forecast factor summed (civ_alloc_spec_demand_window),
 * for the report's allocation section and for whoever audits the run. */
static void json_demand(FILE *f, const civ_plan_result *r)
{
    const civ_table *fc = r->tables[CIV_PLAN_FORECASTS];
    int first = 1;
    civ_fprintf(f, ", \"demand\": [");
    for (size_t k = 0; r->spec && fc && k < civ_alloc_spec_n_factors(r->spec); k++) {
        civ_alloc_demand_window w;
        if (!civ_alloc_spec_factor_is_forecast(r->spec, k) || civ_alloc_spec_demand_window(r->spec, k, fc, &w))
            continue; /* the allocation bound these forecasts: no failure to expect */
        civ_fprintf(f, "%s{\"factor\": ", first ? "" : ", ");
        json_str(f, civ_alloc_spec_factor_name(r->spec, k));
        civ_fprintf(f, ", \"label\": ");
        json_str(f, civ_alloc_spec_factor_label(r->spec, k));
        civ_fprintf(f, ", \"period\": \"%s\", \"fiscal_year\": %ld, \"periods\": %zu, \"first\": ",
                    w.period_by_date ? "fiscal_year" : "horizon", w.fiscal_year, w.periods);
        json_str(f, w.first);
        civ_fprintf(f, ", \"last\": ");
        json_str(f, w.last);
        civ_fprintf(f, ", \"h_first\": %ld, \"h_last\": %ld}", w.h_first, w.h_last);
        first = 0;
    }
    civ_clear_error();
    civ_fprintf(f, "]");
}

static void json_seconds(FILE *f, const char *stage, double seconds, int *first)
{
    civ_fprintf(f, "%s\n    {\"stage\": ", *first ? "" : ",");
    json_str(f, stage);
    civ_fprintf(f, ", \"seconds\": %.3f}", seconds);
    *first = 0;
}

/* The files written into the staging folder (names relative to it), with
 * sizes and hashes; charts/ one level down. */
static civ_status json_files(FILE *f, const char *stage, const char *const *managed, size_t nm)
{
    int first = 1;
    civ_status s = CIV_OK;
    for (size_t k = 0; k < nm && !s; k++) {
        char path[CIV_PLAN_PATH_MAX + 64];
        civ_snprintf(path, sizeof path, "%s/%s", stage, managed[k]);
        struct stat st;
        if (stat(path, &st) != 0 || strcmp(managed[k], "manifest.json") == 0)
            continue;
        if (S_ISDIR(st.st_mode)) { /* charts/: the report's files, sorted names */
            char cmd_names[64][128];
            size_t n = 0;
            DIR *d = opendir(path);
            for (struct dirent *e; d && (e = readdir(d)) && n < 64;)
                if (e->d_name[0] != '.' && strlen(e->d_name) < 128)
                    civ_snprintf(cmd_names[n++], 128, "%.127s", e->d_name);
            if (d)
                closedir(d);
            qsort(cmd_names, n, sizeof cmd_names[0], (int (*)(const void *, const void *))strcmp);
            for (size_t j = 0; j < n && !s; j++) {
                char sub[CIV_PLAN_PATH_MAX + 256], name[256];
                if (civ_snprintf(sub, sizeof sub, "%s/%s", path, cmd_names[j]) >= (int)sizeof sub ||
                    civ_snprintf(name, sizeof name, "%s/%s", managed[k], cmd_names[j]) >= (int)sizeof name) {
                    s = civ_fail(CIV_ERR_LIMIT, "manifest: the path of %s/%s is too long", managed[k], cmd_names[j]);
                    break;
                }
                char hex[65];
                struct stat sb;
                if ((s = civ_file_sha256(sub, hex)) || stat(sub, &sb) != 0)
                    break;
                civ_fprintf(f, "%s\n    {\"name\": ", first ? "" : ",");
                json_str(f, name);
                civ_fprintf(f, ", \"bytes\": %lld, \"sha256\": \"%s\"}", (long long)sb.st_size, hex);
                first = 0;
            }
            continue;
        }
        char hex[65];
        if ((s = civ_file_sha256(path, hex)))
            break;
        civ_fprintf(f, "%s\n    {\"name\": ", first ? "" : ",");
        json_str(f, managed[k]);
        civ_fprintf(f, ", \"bytes\": %lld, \"sha256\": \"%s\"}", (long long)st.st_size, hex);
        first = 0;
    }
    return s;
}

static void json_options(FILE *f, const civ_plan_result *r, const civ_csv_write_options *csv)
{
    const civ_plan *p = &r->plan;
    civ_fprintf(f, "  \"options\": {\n    \"model\": ");
    json_str(f, p->model);
    civ_fprintf(f, ",\n    \"horizon\": %zu,\n    \"levels\": [", p->horizon);
    for (size_t k = 0; k < p->n_levels; k++)
        civ_fprintf(f, "%s%.17g", k ? ", " : "", p->levels[k]);
    civ_fprintf(f, "],\n    \"intervals\": \"%s\"", p->intervals == CIV_INTERVALS_CONFORMAL ? "conformal" : "model");
    civ_fprintf(f, ",\n    \"totals\": ");
    json_str(f, p->totals); /* [forecast] totals as asked; results.totals_method says what was made */
    if (p->unit[0]) { /* [forecast] unit: the report's demand axes */
        civ_fprintf(f, ",\n    \"demand_unit\": ");
        json_str(f, p->unit);
    }
    if (p->intervals == CIV_INTERVALS_CONFORMAL) { /* windows null: the library's default (FORECASTING.md) */
        civ_fprintf(f, ",\n    \"conformal\": {\"windows\": ");
        if (p->conformal_windows)
            civ_fprintf(f, "%zu", p->conformal_windows);
        else
            fputs("null", f);
        civ_fprintf(f, ", \"step\": %zu, \"sample\": ", p->conformal_step ? p->conformal_step : 1);
        if (p->conformal_sample && p->conformal_sample != SIZE_MAX)
            civ_fprintf(f, "%zu", p->conformal_sample);
        else
            civ_fprintf(f, "\"all\"");
        civ_fprintf(f, ", \"refit\": \"%s\"}", p->conformal_refit == CIV_CONFORMAL_REFIT_FIXED ? "fixed" : "search");
    }
    civ_fprintf(f, ",\n    \"draws\": %zu,\n    \"weight_concentration\": %.17g,\n    \"perturb_forecasts\": %s,\n",
                p->draws, p->concentration, p->unc_forecasts ? "true" : "false");
    civ_fprintf(f, "    \"freq\": ");
    json_str(f, p->freq);
    civ_fprintf(f, ",\n    \"encoding\": ");
    json_str(f, p->encoding);
    civ_fprintf(f, ",\n    \"thousands\": ");
    json_str(f, p->thousands);
    civ_fprintf(f, ",\n    \"percent\": %s", p->percent ? "true" : "false");
    if (p->panel_sheet[0] || p->communities_sheet[0]) { /* the sheets of .xlsx inputs, when named */
        civ_fprintf(f, ",\n    \"panel_sheet\": ");
        json_str(f, p->panel_sheet);
        civ_fprintf(f, ",\n    \"communities_sheet\": ");
        json_str(f, p->communities_sheet);
    }
    if (p->last_year_sheet[0]) { /* last year's allocation's sheet, when named */
        civ_fprintf(f, ",\n    \"last_year_sheet\": ");
        json_str(f, p->last_year_sheet);
    }
    civ_fprintf(f, ",\n    \"id_column\": ");
    json_str(f, p->id_column);
    civ_fprintf(f, ",\n    \"time_column\": ");
    json_str(f, p->time_column);
    civ_fprintf(f, ",\n    \"target_column\": ");
    json_str(f, p->target_column);
    civ_fprintf(f, ",\n    \"layout\": \"%s\"", p->wide ? "wide" : "long");
    civ_fprintf(f, ",\n    \"lang\": ");
    json_str(f, p->lang[0] ? p->lang : "zh");
    civ_fprintf(f, ",\n    \"out\": ");
    json_str(f, p->out);
    if (p->mon_events[0]) /* [monitor] local_times and utc_offset_hours: how the events' times were read */
        civ_fprintf(f, ",\n    \"monitor_local_times\": %s,\n    \"monitor_utc_offset_hours\": %.17g",
                    p->mon_local_times ? "true" : "false", p->mon_utc_offset);
    if (r->stats.has_backtest) { /* as run: the defaults resolved */
        const civ_plan_stats *st = &r->stats;
        civ_fprintf(f, ",\n    \"backtest\": {\"models\": [");
        const char *models[CIV_PLAN_MAX_BT_MODELS];
        size_t n = civ_plan_backtest_models(p, models);
        for (size_t k = 0; k < n; k++) {
            civ_fprintf(f, "%s", k ? ", " : "");
            json_str(f, models[k]);
        }
        civ_fprintf(f, "], \"windows\": %zu, \"step\": %zu, \"h\": %zu}", st->backtest_windows, st->backtest_step,
                    st->backtest_horizon);
    }
    civ_fprintf(f, ",\n    \"csv\": {\"bom\": %s, \"significant_digits\": %d}\n  },\n", csv->bom ? "true" : "false",
                csv->significant_digits);
}

static void json_stages(FILE *f, const civ_plan_result *r)
{
    const civ_plan_stats *st = &r->stats;
    int first = 1;
    civ_fprintf(f, "  \"stages\": [");
    json_seconds(f, "forecast", st->forecast_seconds, &first);
    json_seconds(f, "allocation", st->alloc_seconds, &first);
    if (st->totals_method[0])
        json_seconds(f, "totals", st->totals_seconds, &first);
    if (st->n_draws)
        json_seconds(f, "uncertainty", st->uncertainty_seconds, &first);
    if (st->has_need)
        json_seconds(f, "need", st->need_seconds, &first);
    if (st->has_monitor)
        json_seconds(f, "monitor", st->monitor_seconds, &first);
    if (st->has_backtest)
        json_seconds(f, "backtest", st->backtest_seconds, &first);
    json_seconds(f, "total", r->total_seconds, &first);
    civ_fprintf(f, "\n  ],\n");
}

static civ_status write_manifest(const civ_plan_result *r, const char *stage, const civ_csv_write_options *csv,
                                 const char *const *managed, size_t nm)
{
    char path[CIV_PLAN_PATH_MAX + 64];
    civ_snprintf(path, sizeof path, "%s/manifest.json", stage);
    civ_atomic_file af;
    civ_status s = civ_atomic_open(&af, path);
    if (s)
        return s;
    FILE *f = af.fp;
    const civ_plan *p = &r->plan;
    time_t now = time(NULL);
    struct tm tm;
    char when[32];
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    civ_fprintf(f, "{\n  \"schema\": \"civicast-plan-manifest\",\n  \"schema_version\": 1,\n  \"civicast_version\": ");
    json_str(f, civ_version());
    civ_fprintf(f, ",\n  \"blas_core\": ");
    json_str(f, openblas_get_corename && openblas_get_corename() ? openblas_get_corename() : "");
    civ_fprintf(f, ",\n  \"created_utc\": \"%s\",\n  \"spec_version\": ", when);
    json_str(f, r->spec ? civ_alloc_spec_version(r->spec) : "");
    /* the money's currency and minor unit, for `civicast report` on the folder (its labels and amounts) */
    civ_fprintf(f, ",\n  \"currency\": ");
    json_str(f, r->spec && civ_alloc_spec_currency(r->spec) ? civ_alloc_spec_currency(r->spec) : "CNY");
    civ_fprintf(f, ", \"minor_unit\": %lld", r->spec ? (long long)civ_alloc_spec_minor_unit(r->spec) : 100LL);
    civ_fprintf(f, ",\n  \"inputs\": [");
    for (size_t k = 0; k < r->n_inputs; k++) {
        const civ_plan_input *in = &r->inputs[k];
        civ_fprintf(f, "%s\n    {\"role\": ", k ? "," : "");
        json_str(f, in->role);
        civ_fprintf(f, ", \"path\": ");
        json_str(f, in->path);
        civ_fprintf(f, ", \"bytes\": %lld, \"sha256\": \"%s\"}", in->bytes, in->sha256);
    }
    civ_fprintf(f, "\n  ],\n  \"seeds\": {\"forecast\": %" PRIu64 ", \"uncertainty\": %" PRIu64 "},\n", p->seed,
                p->unc_seed);
    civ_fprintf(f, "  \"threads\": %d,\n", p->threads);
    json_options(f, r, csv);
    json_stages(f, r);
    civ_fprintf(f, "  \"results\": {\"series\": %zu, \"failed\": %zu, \"draws\": %zu, \"need\": %s, \"monitor\": %s",
                r->stats.n_series, r->stats.n_failed, r->stats.n_draws, r->stats.has_need ? "true" : "false",
                r->stats.has_monitor ? "true" : "false");
    if (r->stats.has_backtest)
        civ_fprintf(f, ", \"backtest_failed\": %zu, \"backtest_no_data\": %zu, \"backtest_too_short\": %zu",
                    r->stats.backtest_failed, r->stats.backtest_no_data, r->stats.backtest_too_short);
    civ_fprintf(f, ", \"late_series\": %zu, \"late_periods\": %zu, \"no_series\": %zu, \"no_forecast\": %zu",
                r->stats.n_late, r->stats.late_periods, r->stats.n_no_series, r->stats.n_no_forecast);
    civ_fprintf(f, ", \"joined\": %zu, \"not_joined\": %zu, \"predecessor_series\": %zu", r->stats.n_joined,
                r->stats.n_not_joined, r->stats.n_predecessor_series);
    civ_fprintf(f, ", \"joined_by_share\": %zu, \"join_gaps\": %zu, \"join_gap_periods\": %zu",
                r->stats.n_joined_by_share, r->stats.n_join_gaps, r->stats.n_join_gap_periods);
    if (r->stats.totals_method[0]) { /* forecast_totals.csv's method, and why not "bu" when it was asked for */
        civ_fprintf(f, ", \"totals_method\": ");
        json_str(f, r->stats.totals_method);
        civ_fprintf(f, ", \"totals_note\": ");
        json_str(f, r->stats.totals_note);
    }
    json_demand(f, r);
    civ_fprintf(f, "},\n");
    civ_fprintf(f, "  \"files\": [");
    s = json_files(f, stage, managed, nm);
    civ_fprintf(f, "\n  ]\n}\n");
    if (s) {
        civ_atomic_abort(&af);
        return s;
    }
    return civ_atomic_commit(&af);
}

civ_status civ_plan_result_write_opts(const civ_plan_result *result, const char *dir,
                                      const civ_csv_write_options *options)
{
    if (!result || !dir || !dir[0])
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_plan_result_write: NULL result or empty folder");
    const char *managed[CIV_PLAN_MAX_MANAGED];
    char buf[CIV_PLAN_MAX_MANAGED][64];
    size_t nm = civ_plan_managed_names(managed, buf);
    civ_plan check = result->plan;
    civ_snprintf(check.out, sizeof check.out, "%s", dir);
    civ_status s = civ_plan_check_outputs(&check); /* a folder other than the run's */
    civ_staging *stg = NULL;
    if (!s)
        s = civ_staging_open(dir, &stg);
    const char *stage = civ_staging_dir(stg);
    civ_csv_write_options people = {.bom = 1, .significant_digits = CIV_CSV_PEOPLE_DIGITS};
    if (!s)
        s = write_tables(result, stage, options);
    if (!s)
        s = write_workbook(result, stage);
    if (!s)
        s = write_monitor_workbook(result, stage);
    if (!s) {
        civ_report_options ro = {.lang = result->plan.lang[0] ? result->plan.lang : NULL,
                                 .intervals = result->plan.intervals, .spec = result->spec,
                                 .unit = result->plan.unit[0] ? result->plan.unit : NULL};
        s = civ_error_name_file(civ_report_write(stage, &ro), dir);
    }
    if (!s)
        s = write_manifest(result, stage, options ? options : &people, managed, nm);
    /* an error while writing names the user's folder, not the staging one (before: "./.out.staging.Xb3kQz/
     * allocation.csv: write failed: No space left on device"); publishing's own messages name both */
    s = civ_error_unstage(s, stage, dir);
    if (!s)
        s = civ_staging_publish_folder(stg, dir, managed, nm);
    civ_staging_free(stg);
    return s;
}
