/*
 * plan_report.c -- the report's part of `civicast plan`: the two tables of
 * what each rule did that the report reads from the output folder, and the
 * report itself (civ_report_write).  Kept out of cmd_plan.c so the plan's
 * own steps stay readable.  Public API only (civicast.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civicast.h"
#include "plan_report.h"

/* allocation_waterfall.csv: the compare waterfall of the one spec (money each
 * rule moved, minor units); allocation_stages.csv: unique_id and `before`,
 * each community's amount before the constraints (factor base plus tilts,
 * minor units, input row order), for the Lorenz curve. */
static civ_status rule_tables(const civ_alloc_spec *spec, const civ_table *comm, const civ_table *fc,
                              const char *outdir)
{
    const char *label = "plan";
    civ_alloc_compare *cmp = NULL;
    civ_table *wf = NULL, *ids = NULL, *stages = NULL;
    double *base = NULL, *tilt = NULL;
    char path[4200];
    civ_status s = civ_alloc_compare_run(&spec, &label, 1, comm, fc, &cmp);
    if (!s)
        s = civ_alloc_compare_waterfall(cmp, &wf);
    if (!s && snprintf(path, sizeof path, "%s/allocation_waterfall.csv", outdir) > 0)
        s = civ_table_write(wf, path);
    size_t n = cmp ? civ_alloc_compare_n_communities(cmp) : 0, cid = 0, cb = 0, ci = 0, first = 0;
    if (!s && !((base = malloc((n + 1) * sizeof *base)) && (tilt = malloc((n + 1) * sizeof *tilt))))
        s = CIV_ERR_OUT_OF_MEMORY;
    if (!s)
        s = civ_alloc_compare_effect(cmp, 0, CIV_ALLOC_EFFECT_COUNT, base, n);
    if (!s)
        s = civ_alloc_compare_effect(cmp, 0, CIV_ALLOC_EFFECT_TILT, tilt, n);
    if (!s)
        s = civ_alloc_compare_table(cmp, &ids);
    if (!s)
        s = civ_table_find_column(ids, "unique_id", &ci);
    if (!s)
        s = civ_table_create(&stages);
    if (!s)
        s = civ_table_add_column(stages, "unique_id", CIV_COLUMN_TEXT, &cid);
    if (!s)
        s = civ_table_add_column(stages, "before", CIV_COLUMN_NUMBER, &cb);
    if (!s)
        s = civ_table_add_rows(stages, n, &first);
    for (size_t i = 0; i < n && !s; i++) {
        s = civ_table_set_text(stages, first + i, cid, civ_table_text(ids, i, ci));
        if (!s)
            s = civ_table_set_number(stages, first + i, cb, base[i] + tilt[i]);
    }
    if (!s && snprintf(path, sizeof path, "%s/allocation_stages.csv", outdir) > 0)
        s = civ_table_write(stages, path);
    free(base), free(tilt);
    civ_table_free(wf), civ_table_free(ids), civ_table_free(stages);
    civ_alloc_compare_free(cmp);
    return s;
}

civ_status civ_cli_plan_report(const civ_alloc_spec *spec, const civ_table *comm, const civ_table *fc,
                               const char *outdir, const char *lang)
{
    civ_status s = rule_tables(spec, comm, fc, outdir);
    civ_report_options opt = {.lang = lang && lang[0] ? lang : NULL};
    if (!s)
        s = civ_report_write(outdir, &opt);
    return s;
}
