/*
 * cmd_convert.c -- `civicast convert IN OUT`: panels or tables between CSV
 * and HDF5, chosen by extension.  Values round-trip exactly.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static int run_convert(int argc, char **argv)
{
    const char *in = NULL, *out = NULL;
    int table = 0;
    for (int i = 1; i < argc; i++) {
        int io_ = civ_cli_input_option("convert", argc, argv, &i);
        if (io_ < 0)
            return CIV_EXIT_USAGE;
        if (io_ > 0)
            continue;
        if (!strcmp(argv[i], "--table")) {
            table = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return civ_cli_usage_error("convert", "unknown option '%s'", argv[i]);
        } else if (!in) {
            in = argv[i];
        } else if (!out) {
            out = argv[i];
        } else {
            return civ_cli_usage_error("convert", "expected exactly two files, IN and OUT");
        }
    }
    if (!in || !out)
        return civ_cli_usage_error("convert", "expected two files, IN and OUT");
    civ_status s;
    if (table) {
        civ_table *t = NULL;
        s = civ_cli_read_table(in, NULL, &t);
        if (!s)
            s = civ_table_write(t, out);
        civ_table_free(t);
    } else {
        civ_panel *p = NULL;
        s = civ_cli_read_panel(in, &p);
        if (!s)
            s = civ_panel_write(p, out);
        civ_panel_free(p);
    }
    if (s)
        return civ_cli_report(s);
    return CIV_EXIT_OK;
}

const civ_cli_command civ_cmd_convert = {
    "convert",
    "convert a panel (or with --table, a table) between CSV and HDF5",
    "usage: civicast convert IN OUT [--table] [--freq F] [--encoding E]\n\n"
    "Converts by extension (.csv, .h5, .hdf5).  Without --table, IN is a panel in\n"
    "long format (unique_id,ds,y[,covariates]); with --table, a table such as the\n"
    "community attributes.  OUT is written atomically (temporary file + rename).\n\n"
    CIV_CLI_INPUT_USAGE,
    run_convert,
};
