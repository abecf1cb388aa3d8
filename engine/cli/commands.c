/*
 * commands.c -- layer CLI (a client of civicast.h only): the table of
 * `civicast` subcommands.  Each command lives in its own cmd_<name>.c file
 * with its option table; add a line here to expose one.
 */
#include "commands.h"

extern const civ_cli_command civ_cmd_info;
extern const civ_cli_command civ_cmd_convert;
extern const civ_cli_command civ_cmd_forecast;
extern const civ_cli_command civ_cmd_backtest;
extern const civ_cli_command civ_cmd_allocate;
extern const civ_cli_command civ_cmd_plan;
extern const civ_cli_command civ_cmd_need;
extern const civ_cli_command civ_cmd_settle;
extern const civ_cli_command civ_cmd_project;
extern const civ_cli_command civ_cmd_monitor;
extern const civ_cli_command civ_cmd_report;
extern const civ_cli_command civ_cmd_reconcile;

const civ_cli_command *const civ_cli_commands[] = {
    &civ_cmd_info, &civ_cmd_convert, &civ_cmd_forecast, &civ_cmd_backtest, &civ_cmd_allocate, &civ_cmd_plan,
    &civ_cmd_need, &civ_cmd_settle, &civ_cmd_project,
    &civ_cmd_monitor, &civ_cmd_report, &civ_cmd_reconcile, NULL,
};
