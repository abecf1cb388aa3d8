/*
 * output_set.c -- layer CLI (a client of civicast.h only): the outputs of a
 * command that writes several files (forecast --out --report --fitted,
 * allocate --out --summary --uncertainty-out --workbook, compare and need
 * --out --summary), published together.  With one output the file is written in
 * place (a temporary name renamed over it, as every writer does); with more,
 * every file is written into a staging folder beside the first and
 * published by civ_staging_publish_files (docs/CLI.md, "Runs are
 * transactions"), so an error or a signal before the end leaves every
 * previous file as it was.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

/* The staged paths of the current set and the paths the user gave for them, kept after civ_cli_outputs_end (a
 * command reports its error after the set is ended), so that a message about a staged file names the user's
 * path (civ_cli_unstage; before: "full/.f.csv.staging.zqJPLC/0-f.csv: write failed: No space left on device"). */
static char staged_paths[CIV_CLI_MAX_OUTPUTS][sizeof ((civ_cli_outputs *)0)->staged[0]];
static const char *user_paths[CIV_CLI_MAX_OUTPUTS];
static size_t n_staged_paths;

const char *civ_cli_unstage(const char *text, char *buf, size_t size)
{
    if (!n_staged_paths || !text || size == 0)
        return text;
    size_t at = 0;
    int changed = 0;
    for (const char *p = text; *p && at + 1 < size;) {
        size_t k = 0, len = 0;
        for (; k < n_staged_paths; k++)
            if ((len = strlen(staged_paths[k])) && !strncmp(p, staged_paths[k], len))
                break;
        if (k < n_staged_paths) {
            at += (size_t)snprintf(buf + at, size - at, "%s", user_paths[k]);
            at = at < size ? at : size - 1;
            p += len;
            changed = 1;
        } else {
            buf[at++] = *p++;
        }
    }
    buf[at] = '\0';
    return changed ? buf : text;
}

civ_status civ_cli_outputs_begin(civ_cli_outputs *o, const char *const *paths, size_t n)
{
    memset(o, 0, sizeof *o);
    n_staged_paths = 0;
    const char *first = NULL;
    size_t count = 0;
    for (size_t k = 0; k < n; k++)
        if (paths[k] && paths[k][0]) {
            first = first ? first : paths[k];
            count++;
        }
    if (count < 2)
        return CIV_OK;
    return civ_staging_open(first, &o->staging);
}

const char *civ_cli_outputs_path(civ_cli_outputs *o, const char *target)
{
    if (!o->staging || !target || !target[0])
        return target;
    if (o->n >= CIV_CLI_MAX_OUTPUTS)
        return target; /* not reached: commands have at most five outputs (allocate) */
    size_t k = o->n;
    const char *base = strrchr(target, '/');
    base = base ? base + 1 : target;
    /* the index keeps same-named files of two folders apart; the extension picks the format */
    snprintf(o->names[k], sizeof o->names[k], "%zu-%.250s", k, base);
    /* through a local buffer: GCC cannot tell that the staging folder's name is not inside *o */
    char staged[sizeof o->staged[k]];
    if (snprintf(staged, sizeof staged, "%s/%s", civ_staging_dir(o->staging), o->names[k]) >= (int)sizeof staged)
        return target; /* not reached: the staging folder's path is shorter than the target's limit */
    memcpy(o->staged[k], staged, sizeof staged);
    o->targets[k] = target;
    o->n++;
    memcpy(staged_paths[k], staged, sizeof staged);
    user_paths[k] = target; /* the command's argument: lives as long as the process */
    n_staged_paths = o->n;
    return o->staged[k];
}

civ_status civ_cli_outputs_commit(civ_cli_outputs *o)
{
    if (!o->staging)
        return CIV_OK;
    const char *names[CIV_CLI_MAX_OUTPUTS];
    for (size_t k = 0; k < o->n; k++)
        names[k] = o->names[k];
    return civ_staging_publish_files(o->staging, names, o->targets, o->n);
}

void civ_cli_outputs_end(civ_cli_outputs *o)
{
    civ_staging_free(o->staging);
    o->staging = NULL;
}

civ_status civ_cli_write_tables(const civ_table *const *tables, const char *const *paths, size_t n,
                                const civ_csv_write_options *csv)
{
    civ_cli_outputs o = {0};
    civ_status s = civ_cli_outputs_begin(&o, paths, n);
    for (size_t k = 0; k < n && !s; k++)
        if (paths[k])
            s = civ_table_write_opts(tables[k], civ_cli_outputs_path(&o, paths[k]), csv);
    if (!s)
        s = civ_cli_outputs_commit(&o);
    civ_cli_outputs_end(&o);
    return s;
}
