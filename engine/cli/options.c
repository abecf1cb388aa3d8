/*
 * options.c -- layer CLI (a client of civicast.h only): the one option
 * parser of every command.  Each command describes its options in a table
 * (civ_cli_option: long name, alias, takes a value?, type, help); the same
 * table drives the parsing, the usage errors and `civicast CMD --help`.
 * A value follows its option as the next word (`--out fc.csv`) or, in the
 * GNU forms, after `=` (`--out=fc.csv`) or attached to a one-letter alias
 * (`-j2`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

static int find_option(const civ_cli_spec *spec, const char *arg)
{
    for (int k = 0; spec->options && spec->options[k].name; k++) {
        const civ_cli_option *o = &spec->options[k];
        if (!strcmp(arg, o->name) || (o->alias && !strcmp(arg, o->alias)))
            return k;
    }
    return -1;
}

static int is_option_like(const char *arg)
{
    return arg[0] == '-' && arg[1];
}

/* The GNU forms of an option that takes a value, `--out=fc.csv` (any name or alias) and `-j2` (a
 * one-letter alias): the option's index, with *value pointing into a; -1 when a is neither. */
static int gnu_form(const civ_cli_spec *spec, const char *a, const char **value)
{
    const char *eq = strchr(a, '=');
    size_t n = eq ? (size_t)(eq - a) : 2;
    for (int k = 0; spec->options && spec->options[k].name && a[0] == '-'; k++) {
        const civ_cli_option *o = &spec->options[k];
        if (o->kind == CIV_CLI_FLAG)
            continue;
        const char *names[2] = {o->name, o->alias};
        for (int j = 0; j < 2; j++) {
            const char *nm = names[j];
            if (!nm || strlen(nm) != n || strncmp(a, nm, n) || !a[n] || (!eq && nm[1] == '-'))
                continue;
            *value = a + n + (eq != NULL);
            return k;
        }
    }
    return -1;
}

/* Every --X-skip-rows given (CIV_CLI_INPUT_SKIP_ROWS_OPTION), registered for the file option X was given; X must
 * be given too, except --last-year (default: the spec's [data] last_year_file).  0, or the usage exit code. */
static int input_skip_rows(const civ_cli_spec *spec, const civ_cli_args *a)
{
    static const char suffix[] = "-skip-rows";
    const size_t m = sizeof suffix - 1;
    for (int k = 0; spec->options && spec->options[k].name; k++) {
        const char *name = spec->options[k].name;
        size_t n = strlen(name);
        if (n <= m + 2 || n - m >= 64 || strcmp(name + n - m, suffix))
            continue;
        char option[64];
        snprintf(option, sizeof option, "%.*s", (int)(n - m), name);
        int x = find_option(spec, option);
        if (x < 0)
            continue;
        if (!a->value[k]) { /* not given: its file's title row names it as the cure */
            if (a->value[x] && civ_cli_skip_rows_flag(name, spec->options[x].name, a->value[x]))
                return civ_cli_usage_error(spec->command, "too many --...-skip-rows options");
            continue;
        }
        if (!a->value[x] && strcmp(option, "--last-year"))
            return civ_cli_usage_error(spec->command, "%s is the rows above the header of %s's file: give %s FILE "
                                                      "too, or leave %s out", name, option, option, name);
        int code = civ_cli_set_input_skip_rows(spec->command, name, spec->options[x].name, a->value[x], a->value[k]);
        if (code)
            return code;
    }
    return 0;
}

int civ_cli_parse(const civ_cli_spec *spec, int argc, char **argv, civ_cli_args *out)
{
    memset(out, 0, sizeof *out);
    out->list = calloc((size_t)argc + 1, sizeof *out->list);
    out->positional = calloc((size_t)argc + 1, sizeof *out->positional);
    if (!out->list || !out->positional) {
        civ_cli_args_free(out);
        return civ_cli_report(CIV_ERR_OUT_OF_MEMORY);
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *attached = NULL;
        int k = find_option(spec, a);
        if (k < 0 && is_option_like(a))
            k = gnu_form(spec, a, &attached);
        if (k < 0 && (spec->positionals == 0 || is_option_like(a))) {
            civ_cli_args_free(out);
            return civ_cli_usage_error(spec->command, spec->unknown_fmt, a);
        }
        if (k < 0) {
            out->positional[out->n_positional++] = a;
            continue;
        }
        const civ_cli_option *o = &spec->options[k];
        if (o->kind == CIV_CLI_FLAG) {
            out->value[k] = "";
        } else if (o->kind == CIV_CLI_LIST) {
            out->value[k] = "";
            if (attached)
                out->list[out->n_list++] = attached;
            while (i + 1 < argc && strncmp(argv[i + 1], "--", 2))
                out->list[out->n_list++] = argv[++i];
        } else if (attached) {
            out->value[k] = attached;
        } else {
            if (++i >= argc) {
                civ_cli_args_free(out);
                return civ_cli_usage_error(spec->command, spec->needs_value_fmt, a);
            }
            out->value[k] = argv[i];
        }
    }
    /* an output that is an input or another output: refused before anything runs */
    int code = civ_cli_check_paths(spec, out);
    if (!code)
        code = input_skip_rows(spec, out);
    if (code)
        civ_cli_args_free(out);
    return code;
}

void civ_cli_args_free(civ_cli_args *args)
{
    free(args->list);
    free(args->positional);
    args->list = args->positional = NULL;
}

/* "  --out FILE        help" with continuation lines indented to the help; a name (with its value) of 22
 * characters or more goes on a line of its own, else nothing would separate it from its help. */
static void print_option(const civ_cli_option *o, FILE *out)
{
    char head[64];
    snprintf(head, sizeof head, "%s%s%s%s%s", o->alias ? o->alias : "", o->alias ? ", " : "", o->name,
             o->metavar ? " " : "", o->metavar ? o->metavar : "");
    fprintf(out, "  %-22s", head);
    if (strlen(head) >= 22)
        fprintf(out, "\n  %-22s", "");
    for (const char *p = o->help; *p; p++) {
        fputc(*p, out);
        if (*p == '\n' && p[1])
            fprintf(out, "  %-22s", "");
    }
    fputc('\n', out);
}

void civ_cli_print_help(const civ_cli_spec *spec, FILE *out)
{
    fputs(spec->synopsis, out);
    if (spec->description)
        fprintf(out, "\n%s", spec->description);
    if (spec->options && spec->options[0].name) {
        fputs("\noptions:\n", out);
        for (int k = 0; spec->options[k].name; k++)
            print_option(&spec->options[k], out);
    }
    if (spec->epilogue)
        fprintf(out, "\n%s", spec->epilogue);
}
