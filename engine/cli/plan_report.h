/*
 * plan_report.h -- `civicast plan`'s last step: the report (plan_report.c).
 */
#ifndef CIV_CLI_PLAN_REPORT_H
#define CIV_CLI_PLAN_REPORT_H

#include "civicast.h"

/* Writes OUTDIR/report.html (and OUTDIR/charts/) from the plan's tables in
 * OUTDIR, in `lang` ("zh", "en"; NULL or "" = zh).  Errors: civ_report_write's. */
civ_status civ_cli_plan_report(const char *outdir, const char *lang);

#endif
