/*
 * cmd_convert.c -- layer CLI (a client of civicast.h only): `civicast convert IN OUT`: panels or tables between CSV
 * and HDF5, chosen by extension.  Values round-trip exactly (unless
 * --precision rounds a CSV for people; --excel only adds a byte-order mark).
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

enum { V_TABLE, V_FREQ, V_ENCODING, V_THOUSANDS, V_PERCENT,
       V_COLUMNS /* +1 --time-col, +2 --target-col, +3 --wide-input */,
       V_EXCEL = V_COLUMNS + 4 /* +1 --no-excel, +2 --precision: CIV_CLI_CSV_OPTIONS */ };
static const civ_cli_option convert_options[] = {
    [V_TABLE] = {"--table", NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL, "IN is a table (e.g. community attributes)"},
    [V_FREQ] = CIV_CLI_FREQ_OPTION,
    [V_ENCODING] = CIV_CLI_ENCODING_OPTION,
    [V_THOUSANDS] = CIV_CLI_THOUSANDS_OPTION,
    [V_COLUMNS] = CIV_CLI_COLUMN_OPTIONS,
    [V_EXCEL] = CIV_CLI_CSV_OPTIONS,
    {NULL, NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL, NULL},
};
static const civ_cli_spec convert_spec = {
    "convert",
    "usage: civicast convert IN OUT [--table] [--freq F] [--encoding E] [--thousands C] [--percent]\n"
    "                               [--excel] [--precision P]\n"
    "                               [--id-col NAME] [--time-col NAME] [--target-col NAME] [--wide-input]\n",
    "Converts by extension (.csv, .h5, .hdf5).  Without --table, IN is a panel in\n"
    "long format (unique_id,ds,y[,covariates]); with --table, a table such as the\n"
    "community attributes.  OUT is written atomically (temporary file + rename).\n"
    "Values round-trip exactly unless --precision N rounds a CSV for people.\n",
    convert_options,
    1,
    "unknown option '%s'",
    "%s needs a value",
    NULL,
};

static int run_convert(int argc, char **argv)
{
    civ_cli_args a;
    int code = civ_cli_parse(&convert_spec, argc, argv, &a);
    if (code)
        return code;
    if ((code = civ_cli_set_input("convert", a.value[V_FREQ], a.value[V_ENCODING], a.value[V_THOUSANDS],
                                 a.value[V_PERCENT])) ||
        (code = civ_cli_set_columns("convert", a.value[V_COLUMNS], a.value[V_COLUMNS + 1], a.value[V_COLUMNS + 2],
                                        a.value[V_COLUMNS + 3] != NULL, 1))) {
        civ_cli_args_free(&a);
        return code;
    }
    size_t n = a.n_positional;
    const char *in = n > 0 ? a.positional[0] : NULL, *out = n > 1 ? a.positional[1] : NULL;
    int table = a.value[V_TABLE] != NULL;
    civ_csv_write_options csv = {0};
    code = civ_cli_csv_options("convert", &a, V_EXCEL, &csv);
    civ_cli_args_free(&a);
    if (code)
        return code;
    if (n > 2)
        return civ_cli_usage_error("convert", "expected exactly two files, IN and OUT");
    if (!in || !out)
        return civ_cli_usage_error("convert", "expected two files, IN and OUT");
    civ_status s;
    if (table) {
        civ_table *t = NULL;
        s = civ_cli_read_table(in, NULL, &t);
        if (!s)
            s = civ_table_write_opts(t, out, &csv);
        civ_table_free(t);
    } else {
        civ_panel *p = NULL;
        s = civ_cli_read_panel(in, &p);
        if (!s)
            s = civ_panel_write_opts(p, out, &csv);
        civ_panel_free(p);
    }
    if (s)
        return civ_cli_report(s);
    return CIV_EXIT_OK;
}

const civ_cli_command civ_cmd_convert = {
    "convert",
    "convert a panel (or with --table, a table) between CSV and HDF5",
    &convert_spec,
    run_convert,
};
