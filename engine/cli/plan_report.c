/*
 * plan_report.c -- layer CLI (a client of civicast.h only): the last step of
 * `civicast plan`, the plan report (civ_report_write) from the folder the
 * plan's tables were just written to.
 */
#include "civicast.h"
#include "plan_report.h"

civ_status civ_cli_plan_report(const char *outdir, const char *lang)
{
    civ_report_options opt = {.lang = lang && lang[0] ? lang : NULL};
    return civ_report_write(outdir, &opt);
}
