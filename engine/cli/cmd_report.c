/*
 * cmd_report.c -- `civicast report OUTDIR [--lang zh|en] [--title TEXT]`:
 * rebuilds OUTDIR/report.html (and OUTDIR/charts/NAME.vl.json) from the tables
 * a plan wrote there, through civ_report_write (docs/REPORT.md).
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static int run_report(int argc, char **argv)
{
    const char *outdir = NULL;
    civ_report_options opt = {0};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--lang") || !strcmp(argv[i], "--title")) {
            if (i + 1 >= argc)
                return civ_cli_usage_error("report", "%s needs a value", argv[i]);
            if (!strcmp(argv[i], "--lang"))
                opt.lang = argv[++i];
            else
                opt.title = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return civ_cli_usage_error("report", "unknown option '%s'", argv[i]);
        } else if (!outdir) {
            outdir = argv[i];
        } else {
            return civ_cli_usage_error("report", "expected one output folder, got '%s' too", argv[i]);
        }
    }
    if (!outdir)
        return civ_cli_usage_error("report", "expected the output folder of a plan");
    if (opt.lang && strcmp(opt.lang, "zh") && strcmp(opt.lang, "en"))
        return civ_cli_usage_error("report", "--lang must be zh or en, not '%s'", opt.lang);
    civ_status s = civ_report_write(outdir, &opt);
    if (s)
        return civ_cli_report(s);
    printf("report                 %s/report.html\n", outdir);
    return CIV_EXIT_OK;
}

const civ_cli_command civ_cmd_report = {
    "report",
    "write the plan report (report.html) from a plan's output folder",
    "usage: civicast report OUTDIR [--lang zh|en] [--title TEXT]\n\n"
    "Reads the tables `civicast plan` wrote into OUTDIR and writes OUTDIR/report.html:\n"
    "one self-contained page (no network request; prints on A4) with the sections\n"
    "Summary, Demand, Allocation, Uncertainty, Need and Monitoring, and each chart's\n"
    "Vega-Lite spec as OUTDIR/charts/<name>.vl.json.  --lang: zh (default) or en.\n",
    run_report,
};
