/*
 * cmd_need.c -- layer CLI (a client of civicast.h only): `civicast need`:
 * the multi-year budget need alone (civ_alloc_need_*; docs/ALLOCATION.md,
 * "Multi-year need") from a [need] section and long-format forecasts; with
 * --workbook, the need sheets of the budget office's workbook
 * (civ_alloc_workbook_write, as the plan's allocation.xlsx).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "commands.h"

enum { N_SPEC, N_FORECASTS, N_OUT, N_SUMMARY, N_WORKBOOK, N_LANG, N_ENCODING,
       N_THOUSANDS, N_PERCENT, N_SHEET, N_SKIP_ROWS,
       N_EXCEL /* +1 --no-excel, +2 --precision: CIV_CLI_CSV_OPTIONS */ };
static const civ_cli_option need_options[] = {
    [N_SPEC] = {"--spec", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE", "an allocation spec or plan with [need]"},
    [N_FORECASTS] = {"--forecasts", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE", "forecasts in long format"},
    [N_OUT] = {"--out", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE", "the need per community and year"},
    [N_SUMMARY] = {"--summary", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE", "the need per year"},
    [N_WORKBOOK] = {"--workbook", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE.xlsx",
                    "both tables as the sheets 需求测算 and 需求汇总 (as the plan's allocation.xlsx)"},
    [N_LANG] = {"--lang", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "zh|en", "language of --workbook (default zh)"},
    [N_ENCODING] = CIV_CLI_ENCODING_OPTION,
    [N_THOUSANDS] = CIV_CLI_THOUSANDS_OPTION,
    [N_SKIP_ROWS] = CIV_CLI_SKIP_ROWS_OPTION,
    [N_EXCEL] = CIV_CLI_CSV_OPTIONS,
    {NULL, NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL, NULL},
};
static const civ_cli_spec need_spec = {
    "need",
    "usage: civicast need --spec FILE --forecasts FILE --out FILE [--summary FILE]\n"
    "                     [--workbook FILE.xlsx [--lang zh|en]]\n"
    "                     [--excel|--no-excel] [--precision P] [--encoding E] [--thousands C] [--percent]\n"
    "                     [--sheet NAME] [--skip-rows N]\n",
    "Reads the [need] section of FILE (an allocation spec or a plan config:\n"
    "standard_per_meal, index_rate, index_every_years, base_year, years, ...;\n"
    "docs/ALLOCATION.md, \"Multi-year need\") and forecasts in long format\n"
    "(unique_id,ds,h,model,mean,...; civicast's own, or a sheet of demand estimates\n"
    "saved by Excel: --encoding, --thousands, --percent).  Writes the need per\n"
    "community and year (minor units, exact rounding rules in the docs) and, with\n"
    "--summary, per year.  The CSVs start with a UTF-8 byte-order mark for Excel\n"
    "(--no-excel omits it).  --workbook FILE.xlsx writes both tables again for the\n"
    "budget office, as the plan's allocation.xlsx has them: sheets 需求测算 and 需求汇总\n"
    "headed in Chinese (--lang en: need, need summary, English headers).\n",
    need_options,
    0,
    "unknown argument '%s'",
    "%s needs a file",
    "Exit codes: 0 ok, 1 usage, 2 bad data, 3 I/O, 4 bad spec.\n",
};

static int run_need(int argc, char **argv)
{
    civ_cli_args a;
    int code = civ_cli_parse(&need_spec, argc, argv, &a);
    if (code)
        return code;
    if ((code = civ_cli_set_input("need", NULL, a.value[N_ENCODING], a.value[N_THOUSANDS], a.value[N_PERCENT],
                                  a.value[N_SHEET], a.value[N_SKIP_ROWS]))) {
        civ_cli_args_free(&a);
        return code;
    }
    const char *spec_path = a.value[N_SPEC], *fc_path = a.value[N_FORECASTS], *out_path = a.value[N_OUT],
               *sum_path = a.value[N_SUMMARY], *wb_path = a.value[N_WORKBOOK], *lang = a.value[N_LANG];
    civ_csv_write_options csv = {.bom = 1}; /* money tables for people: Excel needs the mark */
    code = civ_cli_csv_options("need", &a, N_EXCEL, &csv);
    size_t wl = wb_path ? strlen(wb_path) : 0;
    if (!code && (!spec_path || !fc_path || !out_path))
        code = civ_cli_usage_error("need", "--spec, --forecasts and --out are required");
    else if (!code && wb_path && (wl <= 5 || strcasecmp(wb_path + wl - 5, ".xlsx")))
        code = civ_cli_usage_error("need", "--workbook writes an Excel workbook: give a path ending in .xlsx, not "
                                           "'%s' (--out and --summary write CSV or HDF5)", wb_path);
    else if (!code && lang && strcmp(lang, "zh") && strcmp(lang, "en"))
        code = civ_cli_usage_error("need", "--lang must be zh or en, not '%s'", lang);
    else if (!code && lang && !wb_path)
        code = civ_cli_usage_error("need", "--lang sets the language of --workbook; add --workbook FILE.xlsx");
    if (code) {
        civ_cli_args_free(&a);
        return code;
    }
    civ_alloc_need *need = NULL;
    civ_table *fc = NULL;
    static const char *const text_cols[] = {"unique_id", "ds", "model", NULL};
    civ_table_read_options ro = {.text_columns = text_cols};
    civ_status s = civ_alloc_need_read(spec_path, &need);
    if (!s)
        s = civ_cli_read_table(fc_path, &ro, &fc);
    const char *paths[3] = {out_path, sum_path, wb_path};
    civ_cli_outputs o = {0}; /* published together (output_set.c) */
    if (!s)
        s = civ_cli_outputs_begin(&o, paths, 3);
    if (!s)
        s = civ_cli_need(need, fc, fc_path, civ_cli_outputs_path(&o, out_path), civ_cli_outputs_path(&o, sum_path),
                         civ_alloc_need_currency(need), &csv, civ_cli_outputs_path(&o, wb_path), lang);
    if (!s)
        s = civ_cli_outputs_commit(&o);
    civ_cli_outputs_end(&o);
    code = s ? civ_cli_report(s) : CIV_EXIT_OK;
    if (!s)
        printf("wrote                  %s%s%s%s%s\n", out_path, sum_path ? ", " : "", sum_path ? sum_path : "",
               wb_path ? ", " : "", wb_path ? wb_path : "");
    civ_table_free(fc);
    civ_alloc_need_free(need);
    civ_cli_args_free(&a);
    return code;
}

const civ_cli_command civ_cmd_need = {
    "need",
    "project the budget need per year: indexed subsidy standard x forecast demand",
    &need_spec,
    run_need,
};
