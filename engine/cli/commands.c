/*
 * commands.c -- the table of `civicast` subcommands.  Each command lives in
 * its own cmd_<name>.c file; add a line here to expose one.
 */
#include "commands.h"

extern const civ_cli_command civ_cmd_info;
extern const civ_cli_command civ_cmd_convert;
/* @@CLI-DECLARATIONS@@ */

const civ_cli_command *const civ_cli_commands[] = {
    &civ_cmd_info,
    &civ_cmd_convert,
    /* @@CLI-COMMANDS@@ */
    NULL,
};
