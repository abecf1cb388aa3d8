/*
 * path_check.c -- layer CLI (a client of civicast.h only): refuses, before a
 * command runs, an output that is one of its inputs or another of its
 * outputs (civ_paths_check; issue 18.5: `--out in.csv` replaced the input,
 * `--out x.csv --report x.csv` lost the forecasts).  Every path option
 * (CIV_CLI_PATH) and positional of a command is an input unless the table
 * below names it an output.  `plan` checks its folder in the library
 * (civ_plan_run), so Python's civicast.plan is covered too.
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"

typedef struct outputs {
    const char *command;
    const char *options;      /* the output options, space separated */
    int first_positional_out; /* the first positional that is an output, or -1 */
} outputs;

static const outputs table[] = {
    {"forecast", "--out --report --fitted", -1},
    {"convert", "--summing", 1},
    {"allocate", "--out --summary --uncertainty-out --draws-out", -1},
    {"compare", "--out --summary", -1},
    {"need", "--out --summary", -1},
    {"settle", "--out --summary", -1},
    {"project", "--out --summary", -1},
    {"monitor", "--out", -1},
    {"plan", "--out", -1},
    {"report", "", 0}, /* its folder is read and written: the report's own files */
    {"reconcile", "--out", -1},
};

static int is_output(const outputs *o, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = o ? o->options : ""; (p = strstr(p, name)); p += n)
        if ((p == o->options || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return 1;
    return 0;
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
        int out = o && o->first_positional_out >= 0 && (int)j >= o->first_positional_out;
        roles[n++] = (civ_path_role){a->positional[j], out ? "the output" : "the input", out};
    }
    civ_status s = civ_paths_check(roles, n);
    free(roles);
    return s ? civ_cli_report(s) : 0;
}
