/*
 * path_check.c -- layer CLI (a client of civicast.h only): refuses, before a
 * command runs, an output that is one of its inputs or another of its
 * outputs (civ_paths_check; issue 18.5: `--out in.csv` replaced the input,
 * `--out x.csv --report x.csv` lost the forecasts), and an output file whose
 * extension is no table format (`--report r.html`: before, refused after the
 * run, naming the staging folder's copy, `./.f.csv.staging.LHw1kL/1-r.html`).
 * Every path option (CIV_CLI_PATH) and positional of a command is an input
 * unless the table below names it an output.  `plan` checks its folder in the
 * library (civ_plan_run), so Python's civicast.plan is covered too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "commands.h"

typedef struct outputs {
    const char *command;
    const char *options;      /* the output options, space separated */
    int first_positional_out; /* the first positional that is an output, -1 none, -2 the last one */
    const char *folders;      /* the output options that name a folder, not a table file */
    const char *workbooks;    /* the output options that write a workbook only: the command refuses a name not
                               * ending in .xlsx itself (exit 1, "must end in .xlsx"; before 2026-12-07 this file
                               * said "unknown file type ... as .csv, .h5, .hdf5 or .xlsx", exit 3) */
} outputs;

static const outputs table[] = {
    {"forecast", "--out --report --fitted", -1, "", ""},
    {"backtest", "--out --accuracy", -1, "", ""}, /* before: missing, `--out in.csv` replaced the input */
    {"convert", "--summing", -2, "", ""}, /* convert IN OUT, or --table IN... BOOK.xlsx */
    {"allocate", "--out --summary --uncertainty-out --draws-out --workbook", -1, "", "--workbook"},
    {"compare", "--out --summary", -1, "", ""},
    {"need", "--out --summary --workbook", -1, "", "--workbook"},
    {"settle", "--out --summary", -1, "", ""},
    {"project", "--out --summary", -1, "", ""},
    {"monitor", "--out", -1, "--out", ""},
    {"plan", "--out", -1, "--out", ""},
    {"report", "", 0, "", ""}, /* its folder is read and written: the report's own files */
    {"reconcile", "--out", -1, "", ""},
};

static int listed(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; (p = strstr(p, name)); p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return 1;
    return 0;
}

/* Whether positional j of n is an output. */
static int positional_out(const outputs *o, size_t j, size_t n)
{
    if (!o || o->first_positional_out == -1)
        return 0;
    if (o->first_positional_out == -2)
        return j > 0 && j + 1 == n;
    return (int)j >= o->first_positional_out;
}

static int is_output(const outputs *o, const char *name)
{
    return o && listed(o->options, name);
}

/* An output file must be a table format, which its extension chooses.  Checked here, before the run, so that
 * the message names the user's path and the option (the writers see the staging folder's copy when a command
 * publishes several files together) and says what the option writes.  Returns the exit code, 0 when fine. */
static int check_output_type(const char *role, const char *path, const char *help)
{
    const char *base = strrchr(path, '/');
    const char *dot = strrchr(base ? base + 1 : path, '.');
    if (dot && (!strcasecmp(dot, ".csv") || !strcasecmp(dot, ".h5") || !strcasecmp(dot, ".hdf5") ||
                !strcasecmp(dot, ".xlsx")))
        return 0;
    size_t first = help ? strcspn(help, "\n") : 0;
    while (first && (help[first - 1] == ',' || help[first - 1] == ' '))
        first--;
    const char *hint = "";
    if (dot && (!strcasecmp(dot, ".html") || !strcasecmp(dot, ".htm")))
        hint = "; the HTML report for a committee is written by civicast plan (or civicast report from a plan's "
               "folder)";
    else if (dot && !strcasecmp(dot, ".xls"))
        hint = "; Excel 97-2003 workbooks are not written: use .xlsx";
    else if (dot && !strcasecmp(dot, ".xlsm"))
        hint = "; macro-enabled workbooks are read, not written: use .xlsx";
    char safe[1024];
    if (!help) /* a positional output */
        fprintf(stderr, "civicast: %s %s: unknown file type: use a .csv, .h5, .hdf5 or .xlsx extension (the "
                "extension chooses the format)%s\n", role, civ_cli_safe(path, safe, sizeof safe), hint);
    else
        fprintf(stderr,
                "civicast: %s %s: unknown file type: %s writes a table%s%.*s%s, as .csv, .h5, .hdf5 or .xlsx "
                "(the extension chooses)%s\n",
                role, civ_cli_safe(path, safe, sizeof safe), role, first ? " (" : "", (int)first, help,
                first ? (help[first] ? ", ...)" : ")") : "", hint);
    return civ_cli_exit_code(CIV_ERR_UNSUPPORTED);
}

int civ_cli_check_paths(const civ_cli_spec *spec, const civ_cli_args *a)
{
    const outputs *o = NULL;
    for (size_t k = 0; k < sizeof table / sizeof table[0]; k++)
        if (!strcmp(table[k].command, spec->command))
            o = &table[k];
    if (o && !strcmp(o->command, "report"))
        return 0;
    size_t cap = a->n_positional + a->n_list + CIV_CLI_MAX_OPTIONS + 1, n = 0;
    civ_path_role *roles = calloc(cap, sizeof *roles);
    if (!roles)
        return 0; /* the run reports the lack of memory itself */
    for (int k = 0; spec->options[k].name && k < CIV_CLI_MAX_OPTIONS; k++) {
        const civ_cli_option *opt = &spec->options[k];
        if (opt->type != CIV_CLI_PATH)
            continue;
        if (opt->kind == CIV_CLI_LIST) {
            for (size_t j = 0; a->value[k] && j < a->n_list; j++)
                roles[n++] = (civ_path_role){a->list[j], "the input", 0};
        } else if (a->value[k] && a->value[k][0]) {
            int out = is_output(o, opt->name);
            roles[n++] = (civ_path_role){a->value[k], out ? opt->name : "the input", out};
        }
    }
    for (size_t j = 0; j < a->n_positional; j++) {
        int out = positional_out(o, j, a->n_positional);
        roles[n++] = (civ_path_role){a->positional[j], out ? "the output" : "the input", out};
    }
    civ_status s = civ_paths_check(roles, n);
    free(roles);
    if (s)
        return civ_cli_report(s);
    for (int k = 0; spec->options[k].name && k < CIV_CLI_MAX_OPTIONS; k++) {
        const civ_cli_option *opt = &spec->options[k];
        int code;
        if (opt->type == CIV_CLI_PATH && opt->kind != CIV_CLI_LIST && a->value[k] && a->value[k][0] &&
            is_output(o, opt->name) && !listed(o->folders, opt->name) &&
            !(o->workbooks && listed(o->workbooks, opt->name)) &&
            (code = check_output_type(opt->name, a->value[k], opt->help)) != 0)
            return code;
    }
    for (size_t j = 0; j < a->n_positional; j++) {
        int code;
        if (positional_out(o, j, a->n_positional) && (code = check_output_type("the output", a->positional[j], NULL)))
            return code;
    }
    return 0;
}
