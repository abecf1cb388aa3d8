/*
 * plan_report.h -- `civicast plan`'s last step: the rule tables and the
 * report (plan_report.c).
 */
#ifndef CIV_CLI_PLAN_REPORT_H
#define CIV_CLI_PLAN_REPORT_H

#include "civicast.h"

/* Writes OUTDIR/allocation_waterfall.csv and OUTDIR/allocation_stages.csv
 * (what each rule moved, each community's amount before the constraints),
 * then OUTDIR/report.html in `lang` ("zh", "en"; NULL or "" = zh).  Errors: those of the allocation and civ_report_write. */
civ_status civ_cli_plan_report(const civ_alloc_spec *spec, const civ_table *comm, const civ_table *fc,
                               const char *outdir, const char *lang);

#endif
