/*
 * cmd_settle.c -- layer CLI (a client of civicast.h only): `civicast settle`:
 * settlement (清算) of an allocation against actual spending by the spec's
 * [settlement] rules (civ_alloc_settle; docs/ALLOCATION.md "Settlement").
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

enum { S_SPEC, S_ALLOCATION, S_SPENDING, S_OUT, S_SUMMARY, S_EXPLAIN, S_LANG, S_ENCODING, S_THOUSANDS, S_PERCENT,
       S_SHEET, S_SKIP_ROWS, S_ALLOC_SKIP, S_SPEND_SKIP,
       S_EXCEL /* +1 --no-excel, +2 --precision: CIV_CLI_CSV_OPTIONS */ };
static const civ_cli_option settle_options[] = {
    [S_SPEC] = {"--spec", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "SPEC", "the allocation spec with [settlement] (required)"},
    [S_ALLOCATION] = {"--allocation", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
                      "what was allocated: unique_id, amount_<minor> (civicast allocate --out)"},
    [S_SPENDING] = {"--spending", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
                    "what was spent: the spec's id column and [settlement] spent (major units)"},
    [S_OUT] = {"--out", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE", "the settlement per community (required)"},
    [S_SUMMARY] = {"--summary", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE", "the totals"},
    [S_EXPLAIN] = {"--explain", NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL, "add a sentence per community"},
    [S_LANG] = {"--lang", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "en|zh", "language of --explain (default en)"},
    [S_ENCODING] = CIV_CLI_ENCODING_OPTION,
    [S_THOUSANDS] = CIV_CLI_THOUSANDS_OPTION,
    [S_SKIP_ROWS] = CIV_CLI_SKIP_ROWS_OPTION,
    [S_ALLOC_SKIP] = CIV_CLI_INPUT_SKIP_ROWS_OPTION("--allocation-skip-rows", "--allocation"),
    [S_SPEND_SKIP] = CIV_CLI_INPUT_SKIP_ROWS_OPTION("--spending-skip-rows", "--spending"),
    [S_EXCEL] = CIV_CLI_CSV_OPTIONS,
    {NULL, NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL, NULL},
};
static const civ_cli_spec settle_spec = {
    "settle",
    "usage: civicast settle --spec SPEC --allocation FILE --spending FILE --out FILE\n"
    "                       [--summary FILE] [--explain [--lang en|zh]] [--excel|--no-excel] [--precision P]\n"
    "                       [--encoding E] [--thousands C] [--percent] [--sheet NAME] [--skip-rows N]\n"
    "                       [--allocation-skip-rows N] [--spending-skip-rows N]\n",
    "Settles an allocation against actual spending (清算) by the spec's [settlement]\n"
    "rules: unspent money up to carry_over x the allocation carries over, the rest is\n"
    "clawed back; overspending up to top_up x the allocation is topped up (cut pro\n"
    "rata to top_up_budget), the rest is uncovered.  Exact to the minor unit; per\n"
    "community allocated = spent + carry_over + clawback - top_up - uncovered.\n"
    "The CSVs start with a UTF-8 byte-order mark for Excel (--no-excel omits it).\n",
    settle_options,
    0,
    "unknown argument '%s'",
    "%s needs a file",
    "Exit codes: 0 ok, 1 usage, 2 bad data, 3 I/O, 4 bad spec.\n",
};

static int run_settle(int argc, char **argv)
{
    civ_cli_args a;
    int code = civ_cli_parse(&settle_spec, argc, argv, &a);
    if (code)
        return code;
    if ((code = civ_cli_set_input("settle", NULL, a.value[S_ENCODING], a.value[S_THOUSANDS], a.value[S_PERCENT],
                                  a.value[S_SHEET], a.value[S_SKIP_ROWS]))) {
        civ_cli_args_free(&a);
        return code;
    }
    civ_csv_write_options csv = {.bom = 1}; /* money tables for people: Excel needs the mark */
    const char *lang = a.value[S_LANG];
    if (!a.value[S_SPEC] || !a.value[S_ALLOCATION] || !a.value[S_SPENDING] || !a.value[S_OUT])
        code = civ_cli_usage_error("settle", "--spec, --allocation, --spending and --out are required");
    else if (lang && strcmp(lang, "en") && strcmp(lang, "zh"))
        code = civ_cli_usage_error("settle", "--lang must be en or zh, not '%s'", lang);
    else
        code = civ_cli_csv_options("settle", &a, S_EXCEL, &csv);
    if (code) {
        civ_cli_args_free(&a);
        return code;
    }
    int explain = !a.value[S_EXPLAIN] ? CIV_ALLOC_EXPLAIN_NONE
                  : lang && !strcmp(lang, "zh") ? CIV_ALLOC_EXPLAIN_ZH
                                                : CIV_ALLOC_EXPLAIN_EN;
    civ_alloc_spec *spec = NULL;
    civ_table *alloc = NULL, *spent = NULL, *out = NULL, *sum = NULL;
    civ_status s = civ_alloc_spec_read(a.value[S_SPEC], &spec);
    if (!s)
        csv.min_decimals = civ_cli_money_decimals(civ_alloc_spec_minor_unit(spec));
    civ_table_read_options ro = {.text_columns = civ_alloc_spec_text_columns(spec)}; /* its id stays text */
    if (!s)
        s = civ_cli_read_allocation(spec, a.value[S_ALLOCATION], &ro, &alloc);
    if (!s)
        s = civ_cli_read_table(a.value[S_SPENDING], &ro, &spent);
    if (!s)
        s = civ_alloc_settle(spec, alloc, spent, explain, &out, &sum);
    const char *paths[2] = {a.value[S_OUT], a.value[S_SUMMARY]};
    const civ_table *tables[2] = {out, sum};
    if (!s) /* published together (output_set.c) */
        s = civ_cli_write_tables(tables, paths, 2, &csv);
    if (s) {
        code = civ_cli_report(s);
    } else {
        /* in major units with separators, as `allocate` prints (the tables keep exact minor units) */
        int64_t unit = civ_alloc_spec_minor_unit(spec);
        for (size_t r = 0; r < civ_table_n_rows(sum); r += 2) {
            char money[64];
            civ_cli_format_money(money, sizeof money, civ_table_number(sum, r, 4), unit);
            printf("%-22s %s %s (%.0f communities)\n", civ_table_text(sum, r, 1), money,
                   civ_alloc_spec_currency(spec), civ_table_number(sum, r + 1, 4));
        }
        printf("wrote                  %s%s%s\n", a.value[S_OUT], a.value[S_SUMMARY] ? ", " : "",
               a.value[S_SUMMARY] ? a.value[S_SUMMARY] : "");
    }
    civ_table_free(out), civ_table_free(sum), civ_table_free(alloc), civ_table_free(spent);
    civ_alloc_spec_free(spec);
    civ_cli_args_free(&a);
    return code;
}

const civ_cli_command civ_cmd_settle = {
    "settle",
    "settle an allocation against spending: carry-over, clawback, top-up by the spec's rules",
    &settle_spec,
    run_settle,
};
