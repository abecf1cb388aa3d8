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
/* The input options shared by the commands that read data (issue 12):
 *   --freq F       the frequency of day dates (civ_freq_parse), overriding
 *                  the one inferred from their spacing
 *   --encoding E   utf-8 (default) or gb18030 for CSV input
 * Returns 1 when argv[*i] is one of them (its value consumed, *i advanced),
 * 0 when it is not, and -1 after printing a usage error.  The values apply
 * to every later civ_cli_read_panel / civ_cli_read_table of the process. */
int civ_cli_input_option(const char *command, int argc, char **argv, int *i);
/* Sets the input options directly (a plan file's `freq` / `encoding`);
 * usage errors as above, returning -1. */
int civ_cli_set_input(const char *command, const char *freq, const char *encoding);
/* Usage lines of the two options, for the commands' --help. */
#define CIV_CLI_INPUT_USAGE                                                                        \
    "  --freq F          frequency of day dates (default: inferred from their spacing):\n"        \
    "                    daily, weekly, monthly, quarterly, yearly or a pandas alias\n"            \
    "                    D, W, W-MON..W-SUN, MS, M/ME, QS, Q/QE, YS, Y/A\n"                         \
    "  --encoding E      text encoding of CSV input: utf-8 (default) or gb18030\n"
civ_status civ_cli_read_table(const char *path, const civ_table_read_options *options, civ_table **out);

#endif
