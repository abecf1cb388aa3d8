/*
 * main.c -- layer CLI (a client of civicast.h only): entry point of the `civicast` command: global options and
 * dispatch to the subcommands listed in commands.c.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static void print_help(FILE *out)
{
    fprintf(out,
            "civicast %s -- forecast community service demand and allocate funds by factors\n\n"
            "usage: civicast [--raw-csv-text] COMMAND [options]\n"
            "       civicast --version | --help\n\n"
            "--raw-csv-text  write CSV text fields exactly (no apostrophe before a leading\n"
            "                = + - @ tab or CR; the default guards spreadsheets against formulas)\n\n"
            "commands:\n",
            civ_version());
    for (size_t i = 0; civ_cli_commands[i]; i++)
        fprintf(out, "  %-10s %s\n", civ_cli_commands[i]->name, civ_cli_commands[i]->summary);
    fprintf(out,
            "\nRun 'civicast COMMAND --help' for a command's options.\n"
            "Exit codes: 0 ok, 1 usage, 2 bad data, 3 I/O, 4 bad spec or infeasible,\n"
            "            5 numerical or internal failure, 6 some series failed.\n");
}

int main(int argc, char **argv)
{
    civ_cli_install_signals();
    if (argc < 2) {
        print_help(stderr);
        return CIV_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--raw-csv-text")) { /* for machine consumers: civ_csv_set_formula_guard */
        civ_csv_set_formula_guard(0);
        argv[1] = argv[0];
        argc--;
        argv++;
        if (argc < 2) {
            print_help(stderr);
            return CIV_EXIT_USAGE;
        }
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        print_help(stdout);
        return CIV_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        printf("civicast %s\n", civ_version());
        return CIV_EXIT_OK;
    }
    for (size_t i = 0; civ_cli_commands[i]; i++) {
        const civ_cli_command *c = civ_cli_commands[i];
        if (!strcmp(argv[1], c->name)) {
            if (civ_cli_wants_help(argc - 1, argv + 1)) {
                civ_cli_print_help(c->spec, stdout);
                return CIV_EXIT_OK;
            }
            return c->run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "civicast: unknown command '%s'\n", argv[1]);
    fprintf(stderr, "try 'civicast --help'\n");
    return CIV_EXIT_USAGE;
}
