/*
 * commands.h -- the subcommands of the `civicast` command and the helpers
 * they share (error reporting, exit codes, option parsing).
 *
 * Exit codes (docs/CLI.md): 0 ok, 1 usage, 2 bad data, 3 I/O, 4 bad
 * specification or infeasible constraints, 5 numerical or internal failure,
 * 6 partial success (some series failed; their status is in the report).
 */
#ifndef CIV_CLI_COMMANDS_H
#define CIV_CLI_COMMANDS_H

#include "civicast.h"

enum {
    CIV_EXIT_OK = 0,
    CIV_EXIT_USAGE = 1,
    CIV_EXIT_DATA = 2,
    CIV_EXIT_IO = 3,
    CIV_EXIT_SPEC = 4,
    CIV_EXIT_FAILURE = 5,
    CIV_EXIT_PARTIAL = 6
};

typedef struct civ_cli_command {
    const char *name;
    const char *summary;   /* one line for `civicast --help` */
    const char *usage;     /* full usage text for `civicast NAME --help` */
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
} civ_cli_command;

/* The table of commands (commands.c), NULL-terminated. */
extern const civ_cli_command *const civ_cli_commands[];

/* Maps a status to an exit code (see the table above). */
int civ_cli_exit_code(civ_status status);
/* Prints "civicast: <last error text>" on stderr; returns the exit code. */
int civ_cli_report(civ_status status);
/* Prints "civicast CMD: message" and "try 'civicast CMD --help'"; returns 1. */
int civ_cli_usage_error(const char *command, const char *fmt, ...);
/* True when argv[i] is --help or -h. */
int civ_cli_wants_help(int argc, char **argv);
/* Parses a whole non-negative integer / a finite double; 0 on success. */
int civ_cli_parse_size(const char *text, size_t *out);
int civ_cli_parse_double(const char *text, double *out);

/* The output options of the commands that write CSV (docs/CLI.md, "Files
 * for people"): --excel (alias --bom) writes a UTF-8 byte-order mark so that
 * Excel reads the Chinese names, --no-excel (--no-bom) does not,
 * --precision full|N sets opt->significant_digits (0 for full).  When
 * argv[*i] is one of them: applies it (consuming a value: *i advances) and
 * returns 1; returns 0 for any other argument, and -1 after printing a usage
 * error (the command then exits with CIV_EXIT_USAGE). */
int civ_cli_csv_option(const char *command, int argc, char **argv, int *i, civ_csv_write_options *opt);
/* The decimals of a currency's major unit: 100 -> 2, 1000 -> 3, 1 -> 0. */
int civ_cli_money_decimals(int64_t minor_unit);
/* Usage text of the options above, for the commands' --help. */
#define CIV_CLI_CSV_USAGE                                                                  \
    "  --excel, --bom    start CSV files with a UTF-8 byte-order mark, so that Excel\n"   \
    "                    shows Chinese text (it reads a CSV without one as ANSI/GBK)\n"   \
    "  --precision P     numbers in CSV: 'full' (shortest text that reads back to the\n" \
    "                    same double) or N significant digits for people (whole\n"      \
    "                    numbers and money decimals stay exact; HDF5 is always full)\n"

/*
 * Read a panel / a table as civ_panel_read / civ_table_read do, except that an
 * .h5/.hdf5 input is read in a forked child process, which writes a clean copy
 * to a private folder in TMPDIR that this process then reads (hdf5_guard.c):
 * a file on which libhdf5 crashes or loops is refused with CIV_ERR_IO and a
 * message naming the file, instead of taking the command down; ordinary errors
 * come back from the child unchanged.  Settings: CIV_HDF5_GUARD=fork|off,
 * CIV_HDF5_GUARD_TIMEOUT=seconds (docs/CLI.md).
 * *out is set to NULL on entry; the caller frees the result.
 */
civ_status civ_cli_read_panel(const char *path, civ_panel **out);
civ_status civ_cli_read_table(const char *path, const civ_table_read_options *options, civ_table **out);

#endif
