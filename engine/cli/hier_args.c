/*
 * hier_args.c -- layer CLI (a client of civicast.h only): the hierarchy that a command's --hierarchy, --group and
 * --communities options describe (civ_hier_build), shared by `civicast forecast` (every node forecast and
 * reconciled) and `civicast convert` (every node's sums, and the summing matrix).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

#define MAX_COLUMNS 64

/* Splits a copy of "a,b" into names; *n the count. */
static size_t split(char *copy, const char **names)
{
    size_t n = 0;
    for (char *tok = strtok(copy, ","); tok && n < MAX_COLUMNS; tok = strtok(NULL, ","))
        names[n++] = tok;
    return n;
}

civ_status civ_cli_hier_build(const civ_panel *panel, const char *hierarchy, const char *group,
                              const char *communities, civ_hier **out)
{
    const char *levels[MAX_COLUMNS], *groups[MAX_COLUMNS], *text[2 * MAX_COLUMNS + 2];
    char *ls = hierarchy ? strdup(hierarchy) : NULL, *gs = group ? strdup(group) : NULL;
    civ_status s = (hierarchy && !ls) || (group && !gs) ? CIV_ERR_OUT_OF_MEMORY : CIV_OK;
    size_t nl = ls ? split(ls, levels) : 0, ng = gs ? split(gs, groups) : 0;
    civ_table *comm = NULL;
    if (!s && communities) {
        /* the hierarchy's columns are read as text, so that codes keep their zeros (0101) */
        size_t k = 0;
        text[k++] = "unique_id";
        for (size_t i = 0; i < nl; i++)
            text[k++] = levels[i];
        for (size_t i = 0; i < ng; i++)
            text[k++] = groups[i];
        text[k] = NULL;
        civ_table_read_options ro = {.text_columns = text};
        s = civ_cli_read_table(communities, &ro, &comm);
    }
    if (!s) {
        s = civ_hier_build(panel, comm, levels, nl, groups, ng, out);
        if (s && communities && !civ_last_error()->file[0] && s != CIV_ERR_OUT_OF_MEMORY) {
            /* the table does not know its file: name it, so the message says where to look */
            civ_error e = *civ_last_error();
            snprintf(e.file, sizeof e.file, "%s", communities);
            civ_error_restore(&e);
        }
    }
    civ_table_free(comm);
    free(ls);
    free(gs);
    return s;
}

static int cmp_text(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

void civ_cli_hier_warn_gaps(const civ_hier *h, const civ_panel *panel)
{
    civ_table *g = NULL;
    if (civ_hier_gaps(h, panel, &g)) { /* the run itself reports a bad panel */
        civ_clear_error();
        return;
    }
    size_t n = civ_table_n_rows(g), series = 0, periods = 0;
    const char **ds = n ? malloc(n * sizeof *ds) : NULL;
    if (n && ds) {
        for (size_t r = 0; r < n; r++) {
            ds[r] = civ_table_text(g, r, 1);
            series += !r || strcmp(civ_table_text(g, r, 0), civ_table_text(g, r - 1, 0));
        }
        qsort(ds, n, sizeof *ds, cmp_text);
        for (size_t r = 0; r < n; r++)
            periods += !r || strcmp(ds[r], ds[r - 1]);
        fprintf(stderr, "civicast: warning: %zu missing value%s of %zu series leave the aggregates above them "
                        "missing there, the total in %zu period%s:", n, n > 1 ? "s" : "", series, periods,
                periods > 1 ? "s" : "");
        size_t shown = 0;
        for (size_t r = 0; r < n && shown <= 8; r++) {
            int first = !r || strcmp(civ_table_text(g, r, 0), civ_table_text(g, r - 1, 0));
            if (first && ++shown > 8)
                break;
            char safe[256];
            fprintf(stderr, first ? "%s %s %s" : ",%s%s %s", first && r ? ";" : "",
                    first ? civ_cli_safe(civ_table_text(g, r, 0), safe, sizeof safe) : "", civ_table_text(g, r, 1));
        }
        fprintf(stderr, "%s; fill or estimate them for complete totals (docs/FORECASTING.md, \"Aggregation\")\n",
                series > 8 ? "; ..." : "");
    }
    free(ds);
    civ_table_free(g);
}
