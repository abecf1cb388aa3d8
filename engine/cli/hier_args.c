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
