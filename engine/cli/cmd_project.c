/*
 * cmd_project.c -- layer CLI (a client of civicast.h only): `civicast
 * project`: the multi-year allocation projection (civ_alloc_project;
 * docs/ALLOCATION.md "Multi-year projection").
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

enum { J_SPEC, J_COMMUNITIES, J_FORECASTS, J_YEARS, J_OUT, J_SUMMARY, J_EXPLAIN, J_LANG, J_LAST_YEAR,
       J_LAST_YEAR_SHEET, J_ENCODING,
       J_THOUSANDS,
       J_PERCENT, J_SHEET, J_SKIP_ROWS, J_COMM_SKIP, J_FC_SKIP, J_LY_SKIP,
       J_EXCEL /* +1 --no-excel, +2 --precision: CIV_CLI_CSV_OPTIONS */ };
static const civ_cli_option project_options[] = {
    [J_SPEC] = {"--spec", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "SPEC", "the allocation spec with [need] (required)"},
    [J_COMMUNITIES] = {"--communities", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE", "community attributes (required)"},
    [J_FORECASTS] = {"--forecasts", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
                     "forecasts in long format covering the years (required)"},
    [J_YEARS] = {"--years", NULL, CIV_CLI_VALUE, CIV_CLI_SIZE, "N", "years from the spec's fiscal_year (1..100)"},
    [J_OUT] = {"--out", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE", "the allocation of every year (required)"},
    [J_SUMMARY] = {"--summary", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE", "index, budget, funds, bindings per year"},
    [J_EXPLAIN] = {"--explain", NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL, "add a sentence per community and year"},
    [J_LANG] = {"--lang", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "en|zh", "language of --explain (default en)"},
    [J_LAST_YEAR] = CIV_CLI_LAST_YEAR_OPTION, /* the first year's history */
    [J_LAST_YEAR_SHEET] = CIV_CLI_LAST_YEAR_SHEET_OPTION,
    [J_ENCODING] = CIV_CLI_ENCODING_OPTION,
    [J_THOUSANDS] = CIV_CLI_THOUSANDS_OPTION,
    [J_SKIP_ROWS] = CIV_CLI_SKIP_ROWS_OPTION,
    [J_COMM_SKIP] = CIV_CLI_INPUT_SKIP_ROWS_OPTION("--communities-skip-rows", "--communities"),
    [J_FC_SKIP] = CIV_CLI_INPUT_SKIP_ROWS_OPTION("--forecasts-skip-rows", "--forecasts"),
    [J_LY_SKIP] = CIV_CLI_INPUT_SKIP_ROWS_OPTION("--last-year-skip-rows", "--last-year"),
    [J_EXCEL] = CIV_CLI_CSV_OPTIONS,
    {NULL, NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL, NULL},
};
static const civ_cli_spec project_spec = {
    "project",
    "usage: civicast project --spec SPEC --communities FILE --forecasts FILE --years N\n"
    "                        --out FILE [--summary FILE] [--explain [--lang en|zh]]\n"
    "                        [--last-year FILE [--last-year-sheet NAME] [--last-year-skip-rows N]]\n"
    "                        [--encoding E] [--thousands C] [--percent] [--sheet NAME] [--skip-rows N]\n"
    "                        [--communities-skip-rows N] [--forecasts-skip-rows N]\n"
    "                        [--excel|--no-excel] [--precision P]\n",
    "Rolls the allocation spec forward N years from its fiscal_year: the budget, fund\n"
    "amounts, floors and caps indexed by the [need] section's standard, every\n"
    "forecast factor reading that year's projected demand, and hold-harmless and\n"
    "pace applied against each community's amount of the year before, fund by fund\n"
    "(the first year's against last year's allocation: --last-year FILE, default the\n"
    "spec's [data] last_year_file, as allocate reads it).\n"
    "--out stacks the allocation of every year with a leading year column.  The CSVs\n"
    "start with a UTF-8 byte-order mark for Excel (--no-excel omits it).\n",
    project_options,
    0,
    "unknown argument '%s'",
    "%s needs a file",
    "Exit codes: 0 ok, 1 usage, 2 bad data, 3 I/O, 4 bad spec or infeasible.\n",
};

/* One block per year from the summary (year, item, unit, value): the budget and funds in major units with
 * separators and the currency, and the binding counts, as `allocate` prints them (were raw fen: "2026 budget
 * 16600000000 fen"); the tables keep exact minor units. */
static void print_years(const civ_table *sum, const civ_alloc_spec *spec)
{
    int64_t unit = civ_alloc_spec_minor_unit(spec);
    const char *cur = civ_alloc_spec_currency(spec);
    for (size_t r = 0; r < civ_table_n_rows(sum);) {
        double year = civ_table_number(sum, r, 0);
        int funds = 0, binding = 0, line = 0;
        printf("%-22.0f", year);
        for (; r < civ_table_n_rows(sum) && civ_table_number(sum, r, 0) == year; r++) {
            const char *item = civ_table_text(sum, r, 1), *u = civ_table_text(sum, r, 2);
            double v = civ_table_number(sum, r, 3);
            char money[64];
            civ_cli_format_money(money, sizeof money, v, unit);
            if (!strncmp(item, "fund ", 5))
                printf("%s%s %s %s", funds++ ? ", " : "\n  funds                ", item + 5, money, cur);
            else if (!strncmp(item, "binding ", 8))
                printf("%s%s %.0f", binding++ ? ", " : "\n  binding              ", item + 8, v);
            else if (!strcmp(u, "count") || !strcmp(u, "ratio"))
                printf("%s%s %g", line++ ? ", " : " ", item, v);
            else
                printf("%s%s %s %s", line++ ? ", " : " ", item, money, cur);
        }
        printf("\n");
    }
}

static int run_project(int argc, char **argv)
{
    civ_cli_args a;
    int code = civ_cli_parse(&project_spec, argc, argv, &a);
    if (code)
        return code;
    if ((code = civ_cli_set_input("project", NULL, a.value[J_ENCODING], a.value[J_THOUSANDS], a.value[J_PERCENT],
                                  a.value[J_SHEET], a.value[J_SKIP_ROWS]))) {
        civ_cli_args_free(&a);
        return code;
    }
    civ_csv_write_options csv = {.bom = 1}; /* money tables for people: Excel needs the mark */
    const char *lang = a.value[J_LANG];
    size_t years = 0;
    if (!a.value[J_SPEC] || !a.value[J_COMMUNITIES] || !a.value[J_FORECASTS] || !a.value[J_OUT] || !a.value[J_YEARS])
        code = civ_cli_usage_error("project", "--spec, --communities, --forecasts, --years and --out are required");
    else if (civ_cli_parse_size(a.value[J_YEARS], &years) || years < 1 || years > 100)
        code = civ_cli_usage_error("project", "--years needs a whole number 1..100, not '%s'", a.value[J_YEARS]);
    else if (lang && strcmp(lang, "en") && strcmp(lang, "zh"))
        code = civ_cli_usage_error("project", "--lang must be en or zh, not '%s'", lang);
    else
        code = civ_cli_csv_options("project", &a, J_EXCEL, &csv);
    if (code) {
        civ_cli_args_free(&a);
        return code;
    }
    int explain = !a.value[J_EXPLAIN] ? CIV_ALLOC_EXPLAIN_NONE
                  : lang && !strcmp(lang, "zh") ? CIV_ALLOC_EXPLAIN_ZH
                                                : CIV_ALLOC_EXPLAIN_EN;
    civ_alloc_spec *spec = NULL;
    civ_alloc_need *need = NULL;
    civ_table *comm = NULL, *fc = NULL, *out = NULL, *sum = NULL;
    static const char *const fc_text[] = {"unique_id", "ds", "model", NULL};
    civ_table_read_options fro = {.text_columns = fc_text};
    civ_status s = civ_alloc_spec_read(a.value[J_SPEC], &spec);
    if (!s)
        csv.min_decimals = civ_cli_money_decimals(civ_alloc_spec_minor_unit(spec));
    if (!s) /* --last-year, else the spec's [data] last_year_file: the first year's history, as allocate reads it */
        s = civ_cli_last_year(spec, a.value[J_LAST_YEAR], a.value[J_LAST_YEAR_SHEET]);
    if (!s)
        s = civ_alloc_need_read(a.value[J_SPEC], &need);
    if (!s)
        s = civ_cli_read_table(a.value[J_COMMUNITIES],
                               &(civ_table_read_options){.text_columns = civ_alloc_spec_text_columns(spec)}, &comm);
    if (!s)
        s = civ_cli_read_table(a.value[J_FORECASTS], &fro, &fc);
    if (!s)
        s = civ_alloc_project(spec, comm, fc, need, (long)years, explain, &out, &sum);
    const char *paths[2] = {a.value[J_OUT], a.value[J_SUMMARY]};
    const civ_table *tables[2] = {out, sum};
    if (!s) /* published together (output_set.c) */
        s = civ_cli_write_tables(tables, paths, 2, &csv);
    if (s) {
        code = civ_cli_report(s);
    } else {
        print_years(sum, spec);
        printf("wrote                  %s%s%s\n", a.value[J_OUT], a.value[J_SUMMARY] ? ", " : "",
               a.value[J_SUMMARY] ? a.value[J_SUMMARY] : "");
    }
    civ_table_free(out), civ_table_free(sum), civ_table_free(comm), civ_table_free(fc);
    civ_alloc_need_free(need), civ_alloc_spec_free(spec);
    civ_cli_args_free(&a);
    return code;
}

const civ_cli_command civ_cmd_project = {
    "project",
    "roll the allocation forward N years: indexed budget, projected demand, last year's result as history",
    &project_spec,
    run_project,
};
