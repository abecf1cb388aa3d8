/*
 * cmd_report.c -- layer CLI (a client of civicast.h only): `civicast report
 * OUTDIR [--lang zh|en] [--title TEXT] [--intervals KIND] [--unit TEXT] [--currency CODE [--minor-unit N]]`:
 * rebuilds OUTDIR/report.html (and
 * OUTDIR/charts/NAME.vl.json) from the tables a plan wrote there, through
 * civ_report_write (docs/REPORT.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

enum { R_LANG, R_TITLE, R_INTERVALS, R_UNIT, R_CURRENCY, R_MINOR };
static const civ_cli_option report_options[] = {
    [R_LANG] = {"--lang", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "zh|en", "the page's language (default zh)"},
    [R_TITLE] = {"--title", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "TEXT", "the page's title"},
    [R_INTERVALS] = {"--intervals", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "KIND",
                     "model or conformal: how the plan's intervals were made (default:\n"
                     "as the folder's manifest.json records it); conformal says so on the page"},
    [R_UNIT] = {"--unit", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "TEXT",
                "the unit of the forecast series (人次, visits) for the demand axes\n"
                "(default: the plan's [forecast] unit as manifest.json records it, else none)"},
    [R_CURRENCY] = {"--currency", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "CODE",
                    "the money's ISO code (USD) for a folder without manifest.json whose\n"
                    "amounts are not CNY's fen and yuan (default: as manifest.json records it)"},
    [R_MINOR] = {"--minor-unit", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "N",
                 "minor units per major unit with --currency (default: amount_minor /\n"
                 "amount_major in allocation.csv)"},
    {NULL, NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL, NULL},
};
static const civ_cli_spec report_spec = {
    "report",
    "usage: civicast report OUTDIR [--lang zh|en] [--title TEXT] [--intervals model|conformal] [--unit TEXT]\n"
    "                       [--currency CODE [--minor-unit N]]\n",
    "Reads the tables `civicast plan` wrote into OUTDIR and writes OUTDIR/report.html:\n"
    "one self-contained page (no network request; prints on A4, the community table\n"
    "whole or, unticking the box beside it, left out with a note) with the sections\n"
    "Summary, Demand, Allocation, Uncertainty, Need and Monitoring, and each chart's\n"
    "Vega-Lite spec as OUTDIR/charts/NAME.vl.json.  Written atomically.\n",
    report_options,
    1,
    "unknown option '%s'",
    "%s needs a value",
    "Exit codes: 0 ok, 1 usage, 2 a table without a column the report needs,\n"
    "3 a missing table or an unwritable folder.\n",
};

static int run_report(int argc, char **argv)
{
    civ_cli_args a;
    int code = civ_cli_parse(&report_spec, argc, argv, &a);
    if (code)
        return code;
    civ_report_options opt = {.lang = a.value[R_LANG], .title = a.value[R_TITLE], .unit = a.value[R_UNIT],
                              .currency = a.value[R_CURRENCY]};
    const char *minor = a.value[R_MINOR];
    char *end = NULL;
    if (minor)
        opt.minor_unit = strtol(minor, &end, 10);
    if (minor && (!*minor || *end || (opt.minor_unit != 1 && opt.minor_unit != 10 && opt.minor_unit != 100 &&
                                      opt.minor_unit != 1000)))
        code = civ_cli_usage_error("report", "--minor-unit is 1, 10, 100 or 1000 (minor units per major unit), "
                                             "got '%s'", minor);
    else if (minor && !opt.currency)
        code = civ_cli_usage_error("report", "--minor-unit goes with --currency CODE");
    const char *outdir = a.n_positional ? a.positional[0] : NULL, *kind = a.value[R_INTERVALS];
    if (kind)
        opt.intervals = !strcmp(kind, "model")       ? CIV_INTERVALS_MODEL
                        : !strcmp(kind, "conformal") ? CIV_INTERVALS_CONFORMAL
                                                     : -1;
    if (code)
        ; /* --minor-unit, above */
    else if (opt.intervals < 0)
        code = civ_cli_usage_error("report", "--intervals is model or conformal, got '%s'", kind);
    else if (a.n_positional > 1)
        code = civ_cli_usage_error("report", "expected one output folder, got '%s' too", a.positional[1]);
    else if (!outdir)
        code = civ_cli_usage_error("report", "expected the output folder of a plan");
    else if (opt.lang && strcmp(opt.lang, "zh") && strcmp(opt.lang, "en"))
        code = civ_cli_usage_error("report", "--lang must be zh or en, not '%s'", opt.lang);
    else if (civ_report_write(outdir, &opt))
        code = civ_cli_report(civ_last_error()->status);
    else
        printf("report                 %s/report.html\n", outdir);
    civ_cli_args_free(&a);
    return code;
}

const civ_cli_command civ_cmd_report = {
    "report",
    "write the plan report (report.html) from a plan's output folder",
    &report_spec,
    run_report,
};
