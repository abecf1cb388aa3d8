/*
 * commands.h -- layer CLI (a client of civicast.h only): the subcommands of
 * the `civicast` command and what they share: the option-table parser that
 * drives every command's parsing, --help and usage errors (options.c), error
 * reporting and exit codes (cli_util.c), guarded reads (hdf5_guard.c) and the
 * allocation printers (alloc_print.c).
 *
 * Exit codes (docs/CLI.md): 0 ok, 1 usage, 2 bad data, 3 I/O, 4 bad
 * specification or infeasible constraints, 5 numerical or internal failure,
 * 6 partial success (some series failed; their status is in the report).
 */
#ifndef CIV_CLI_COMMANDS_H
#define CIV_CLI_COMMANDS_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

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

/* ---- the option tables ------------------------------------------------- */

typedef enum civ_cli_kind {
    CIV_CLI_FLAG,  /* no value */
    CIV_CLI_VALUE, /* takes the next argument, whatever it is */
    CIV_CLI_LIST   /* takes the following arguments up to the next "--..." */
} civ_cli_kind;

/* The type of an option's value: how the command converts it (with
 * civ_cli_parse_size / civ_cli_parse_double) and how --help shows it. */
typedef enum civ_cli_type { CIV_CLI_NONE, CIV_CLI_TEXT, CIV_CLI_PATH, CIV_CLI_SIZE, CIV_CLI_NUMBER } civ_cli_type;

typedef struct civ_cli_option {
    const char *name;    /* "--out" */
    const char *alias;   /* "-o", or NULL */
    civ_cli_kind kind;
    civ_cli_type type;
    const char *metavar; /* "FILE", "N" (NULL for flags) */
    const char *help;    /* one or more lines ('\n' separated) for --help */
} civ_cli_option;

#define CIV_CLI_MAX_OPTIONS 48

/* One command's table and messages. */
typedef struct civ_cli_spec {
    const char *command;            /* "forecast" */
    const char *synopsis;           /* the "usage: ..." lines */
    const char *description;        /* paragraphs after the synopsis (may be NULL) */
    const civ_cli_option *options;  /* terminated by a NULL name */
    int positionals;                /* 0: a non-option argument is unknown; else collected */
    const char *unknown_fmt;        /* "unknown option '%s'" */
    const char *needs_value_fmt;    /* "%s needs a value" */
    const char *epilogue;           /* after the options (exit codes), may be NULL */
} civ_cli_spec;

/* What civ_cli_parse found.  value[k] is option k's value ("" for a set flag,
 * NULL when absent); a list option's values are list[0..n_list). */
typedef struct civ_cli_args {
    const char *value[CIV_CLI_MAX_OPTIONS];
    const char **list;
    size_t n_list;
    const char **positional;
    size_t n_positional;
} civ_cli_args;

/* Parses argv[1..argc) against the spec.  Returns 0, or the exit code after
 * printing the usage error.  Free with civ_cli_args_free. */
int civ_cli_parse(const civ_cli_spec *spec, int argc, char **argv, civ_cli_args *out);
void civ_cli_args_free(civ_cli_args *args);
/* Prints the command's --help, built from its table. */
void civ_cli_print_help(const civ_cli_spec *spec, FILE *out);

typedef struct civ_cli_command {
    const char *name;
    const char *summary;        /* one line for `civicast --help` */
    const civ_cli_spec *spec;   /* options and help */
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
} civ_cli_command;

/* The table of commands (commands.c), NULL-terminated. */
extern const civ_cli_command *const civ_cli_commands[];

/* ---- files for people (docs/CLI.md, "Files for people") ----------------- */

/* The three output options of every command that writes CSV, placed in its
 * table at indices k, k+1, k+2 (CIV_CLI_CSV_OPTIONS, then civ_cli_csv_options
 * with k): --excel (alias --bom) writes a UTF-8 byte-order mark, so that
 * Excel reads the Chinese names (it reads a CSV without one in the ANSI
 * code page); --no-excel (--no-bom) does not; --precision full|N sets the
 * significant digits (0 for full). */
#define CIV_CLI_CSV_OPTIONS                                                                             \
    {"--excel", "--bom", CIV_CLI_FLAG, CIV_CLI_NONE, NULL,                                             \
     "start CSV files with a UTF-8 byte-order mark, so that Excel\n"                                  \
     "shows Chinese text (it reads a CSV without one as ANSI/GBK)"},                                   \
        {"--no-excel", "--no-bom", CIV_CLI_FLAG, CIV_CLI_NONE, NULL, "no byte-order mark"},            \
        {"--precision", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "P",                                         \
         "numbers in CSV: 'full' (the shortest text that reads back to\n"                              \
         "the same double) or N significant digits for people (whole\n"                                \
         "numbers and money decimals stay exact; HDF5 is always full)"}
/* Applies the options at k, k+1, k+2 of the parsed args to *opt (which holds
 * the command's defaults).  Returns 0, or the usage exit code after printing
 * the error (a bad --precision; --excel with --no-excel). */
int civ_cli_csv_options(const char *command, const civ_cli_args *args, int k, civ_csv_write_options *opt);
/* The five interval options of forecast and backtest, placed in the
 * command's table at indices k..k+4 (CIV_CLI_INTERVAL_OPTIONS, then
 * civ_cli_interval_options with k): --intervals model|conformal,
 * --conformal-windows K, --conformal-step S, --conformal-sample M|all,
 * --conformal-refit search|fixed. */
#define CIV_CLI_INTERVAL_OPTIONS                                                                         \
    {"--intervals", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "KIND",                                           \
     "model (the model's own) or conformal (calibrated on backtest\n"                                   \
     "errors, docs/FORECASTING.md); default: the model's, but conformal\n"                               \
     "for the base forecasts of --hierarchy and --group"},                                             \
        {"--conformal-windows", NULL, CIV_CLI_VALUE, CIV_CLI_SIZE, "K",                                  \
         "backtest windows per series for --intervals conformal (default 1;\n"                          \
         "ceil(50/N), at most 10, for a panel of N < 50 series)"},                                     \
        {"--conformal-step", NULL, CIV_CLI_VALUE, CIV_CLI_SIZE, "S",                                     \
         "periods between those windows' cutoffs (default 1)"},                                        \
        {"--conformal-sample", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "M",                                   \
         "backtest at most M series per length class for --intervals\n"                                 \
         "conformal, the others use pooled scores ('all', the default: every series)"},              \
        {"--conformal-refit", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "HOW",                                 \
         "how --intervals conformal fits its backtest windows: search (each\n"                           \
         "window searched afresh, the default) or fixed (the structure each\n"                           \
         "series' model chose, refitted: cheaper)"}
/* Applies the options at k..k+4 of the parsed args to *opt.  Returns 0, or
 * the usage exit code after printing the error. */
int civ_cli_interval_options(const char *command, const civ_cli_args *args, int k, civ_forecast_options *opt);
/* The decimals of a currency's major unit: 100 -> 2, 1000 -> 3, 1 -> 0. */
int civ_cli_money_decimals(int64_t minor_unit);

/* ---- signals and paths (signals.c, path_check.c) ------------------------- */

/* SIGINT/SIGTERM: remove the registered temporary files and folders
 * (civ_cleanup_now), exit 130/143.  Called once by main. */
void civ_cli_install_signals(void);
/* The HDF5 guard's child (hdf5_guard.c), or 0: the SIGINT/SIGTERM handler
 * kills and reaps it before removing the guard's folder, so that the child
 * cannot write into the folder while it is being removed. */
void civ_cli_set_guard_child(pid_t pid);
/* Back to the default actions (the HDF5 guard's child). */
void civ_cli_default_signals(void);
/* Refuses (exit 2, before anything runs) a command line whose output is one
 * of its inputs or another of its outputs (civ_paths_check): every
 * CIV_CLI_PATH option and positional of `spec`, the outputs named in
 * path_check.c's table.  Returns 0 or the exit code after the message. */
int civ_cli_check_paths(const civ_cli_spec *spec, const civ_cli_args *args);

/* ---- several outputs published together (output_set.c) -------------------- */

#define CIV_CLI_MAX_OUTPUTS 5
typedef struct civ_cli_outputs {
    civ_staging *staging; /* NULL with fewer than two outputs */
    size_t n;
    char names[CIV_CLI_MAX_OUTPUTS][300];
    char staged[CIV_CLI_MAX_OUTPUTS][4400];
    const char *targets[CIV_CLI_MAX_OUTPUTS];
} civ_cli_outputs;
/* Starts the set of paths[0..n) (NULL entries are outputs not asked for);
 * with two or more, opens a staging folder beside the first. */
civ_status civ_cli_outputs_begin(civ_cli_outputs *o, const char *const *paths, size_t n);
/* The path to write `target` to: its staged name, or target itself when
 * there is one output (or target is NULL). */
const char *civ_cli_outputs_path(civ_cli_outputs *o, const char *target);
/* Publishes the staged files onto their targets (nothing with one output). */
civ_status civ_cli_outputs_commit(civ_cli_outputs *o);
/* Removes what was not published; always call it. */
void civ_cli_outputs_end(civ_cli_outputs *o);
/* text with every staged path of the last set replaced by the path the user
 * gave for it (in buf, when one was found; else text itself): so that an error
 * about a staged file (a full disk, an HDF5 failure) names the user's file.
 * civ_cli_report applies it. */
const char *civ_cli_unstage(const char *text, char *buf, size_t size);
/* Writes tables[k] to paths[k] (k < n; a NULL path is skipped) as one set
 * published together: begin, write, commit, end. */
civ_status civ_cli_write_tables(const civ_table *const *tables, const char *const *paths, size_t n,
                                const civ_csv_write_options *csv);

/* ---- errors ------------------------------------------------------------- */

/* Maps a status to an exit code (see the table above). */
int civ_cli_exit_code(civ_status status);
/* Prints "civicast: <last error text>" on stderr; returns the exit code. */
int civ_cli_report(civ_status status);
/* Text from the data (ids, names, messages) made safe for a terminal: control
 * bytes (C0, DEL) and C1 controls (U+0080..U+009F, which some terminals obey
 * as escape sequences) become \xNN / \u00NN, so an id cannot move the
 * cursor, recolour or retitle the terminal (issue 18, item 6).  Returns `buf`
 * (cut with "..." when it does not fit). */
const char *civ_cli_safe(const char *text, char *buf, size_t size);
/* Why backtest windows failed, in words (civ_backtest_result_failure_counts):
 * "271 of 6876 <what> could not be made: 188 for <who> with no data yet at the
 * cutoff, 83 for <who> with only 1-12 values by then, too few for the model".
 * Writes "" and returns 0 when none failed, else returns 1. */
int civ_cli_backtest_failures(const civ_backtest_failure_counts *c, const char *what, const char *who, char *buf,
                              size_t size);
/* How many terminal columns UTF-8 text takes: 2 for each East Asian wide or
 * full-width character (CJK ideographs, kana, hangul, full-width forms), 1
 * for any other character; a terminal's own reckoning, without a locale. */
size_t civ_cli_display_width(const char *text);
/* A table cell for the terminal: text made safe as civ_cli_safe does, then
 * padded with spaces to `width` display columns (civ_cli_display_width), so
 * that columns of Chinese names line up ("%-10s" pads bytes, and 松林区 is 9
 * bytes but 6 columns wide).  Returns `buf`. */
const char *civ_cli_cell(const char *text, size_t width, char *buf, size_t size);
/* Splits a --model list "ets,ETS(A,N,N),theta" at the commas outside
 * parentheses into specs[0..*n) (at most max, spaces trimmed), pointing into
 * the returned copy (the caller frees it); NULL for an empty spec, more than
 * max specs or no memory. */
char *civ_cli_split_models(const char *text, const char **specs, size_t max, size_t *n);
/* Prints "civicast CMD: message" and "try 'civicast CMD --help'"; returns 1. */
int civ_cli_usage_error(const char *command, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* True when argv[i] is --help or -h. */
int civ_cli_wants_help(int argc, char **argv);
/* Parses a whole non-negative integer / a finite double; 0 on success. */
int civ_cli_parse_size(const char *text, size_t *out);
int civ_cli_parse_double(const char *text, double *out);
/* --level "80,95" (or "none": *n = 0) into levels[0..*n), at most max; 0 on
 * success, -1 for a bad number, too many levels or an empty list. */
int civ_cli_parse_levels(const char *text, double *levels, size_t max, size_t *n);
/* --ic aicc|aic|bic into *criterion; 0 on success, -1 otherwise. */
int civ_cli_parse_ic(const char *text, int *criterion);
/* --nonnegative auto|on|off into -1, 1, 0; 0 on success, -1 otherwise. */
int civ_cli_parse_nonnegative(const char *text, int *nonnegative);

/* ---- guarded reads (hdf5_guard.c) --------------------------------------- */

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
 *   --thousands C  the thousands separator of CSV numbers (",", "'" or " ")
 *   --percent      "33.3%" in a CSV number cell reads as 0.333
 *   --skip-rows N  the rows above the header of every CSV and .xlsx input
 *   --sheet NAME   the sheet of every Excel workbook (.xlsx) input
 *                  (civ_table_read_options.sheet; a plan's own [plan]
 *                  panel_sheet / communities_sheet name each input's)
 * Commands put CIV_CLI_FREQ_OPTION / CIV_CLI_ENCODING_OPTION /
 * CIV_CLI_THOUSANDS_OPTION (three entries: --thousands, --percent, --sheet)
 * in their table and pass the values to civ_cli_set_input (any may be NULL;
 * percent non-NULL when given); they then
 * apply to every later civ_cli_read_panel / civ_cli_read_table of the
 * process.  Returns 0, or the usage exit code after printing the error. */
/* The --sheet given (civ_cli_set_input), or NULL. */
const char *civ_cli_input_sheet(void);
int civ_cli_set_input(const char *command, const char *freq, const char *encoding, const char *thousands,
                      const char *percent, const char *sheet, const char *skip_rows);
/* --skip-rows N: the rows above the header of every CSV and .xlsx input the command reads through
 * civ_cli_read_panel and civ_cli_read_table (a title, a unit line; civ_table_read_options.skip_rows), given to
 * civ_cli_set_input as its last argument; CIV_CLI_INPUT_SKIP_ROWS_OPTION gives one input its own.  Not in `plan`: a
 * plan's inputs have their own keys ([plan] panel_skip_rows, communities_skip_rows, ...). */
#define CIV_CLI_SKIP_ROWS_OPTION                                                                     \
    {"--skip-rows", NULL, CIV_CLI_VALUE, CIV_CLI_SIZE, "N",                                          \
     "rows above the header to skip in CSV and .xlsx inputs: a title, a unit line\n"                \
     "(\"单位：元\"), empty rows (default: 0)"}
/* --X-skip-rows N: the rows above the header of the one input option X names (--communities-skip-rows 2), over
 * --skip-rows N of every input, 0 for none; as --last-year-sheet names last year's sheet beside --sheet.  A command
 * puts the entry in its table and nothing more: civ_cli_parse registers every option so named with the path X
 * was given (civ_cli_set_input_skip_rows; X is required, except --last-year: the spec's last_year_file). */
#define CIV_CLI_INPUT_SKIP_ROWS_OPTION(name, input)                                                  \
    {name, NULL, CIV_CLI_VALUE, CIV_CLI_SIZE, "N",                                                   \
     "rows above the header of " input "'s file alone, over --skip-rows (0: none)"}
/* Registers --X-skip-rows ROWS (flag) for the input option X (`option`, a static name) given `path` (NULL when
 * absent); 0, or the usage exit code after printing the error (not a whole number 0..1000000). */
int civ_cli_set_input_skip_rows(const char *command, const char *flag, const char *option, const char *path,
                                const char *rows);
/* Registers `rows` for the input `option` names or read from `path` (either may be NULL; a plan's own counts);
 * -1 when the table is full. */
int civ_cli_skip_rows_add(const char *option, const char *path, int rows);
/* Registers that the input `option` (read from `path`) has its own --X-skip-rows option `flag`, not given: a
 * refusal of its title row then names `flag` as the cure instead of --skip-rows (every input).  -1 when full. */
int civ_cli_skip_rows_flag(const char *flag, const char *option, const char *path);
/* `s`, with the last error's cure for rows above the header ("... with --skip-rows 2 (Python skip_rows=2) ...")
 * re-worded for the input read from `path` when it has its own --X-skip-rows ("--communities-skip-rows 2 (Python
 * skip_rows={"communities": 2})"): --skip-rows would skip rows of every input. */
civ_status civ_cli_own_skip_cure(const char *path, civ_status s);
/* The rows to skip above the header of the input named by `option` ("--last-year") or read from `path`: the
 * --X-skip-rows registered for it, else `rows` (--skip-rows, or the caller's own). */
int civ_cli_skip_rows_for(const char *option, const char *path, int rows);
#define CIV_CLI_FREQ_OPTION                                                                          \
    {"--freq", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "F",                                               \
     "frequency of day dates (default: inferred from their spacing):\n"                              \
     "daily, weekly, monthly, quarterly, yearly or a pandas alias\n"                                 \
     "D, W, W-MON..W-SUN, MS, M/ME, QS, Q/QE, YS, Y/A"}
#define CIV_CLI_ENCODING_OPTION                                                                      \
    {"--encoding", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "E", "text encoding of CSV input: utf-8 (default) or gb18030"}
/* --last-year FILE of allocate, compare, uncertainty, project and plan: last year's allocation (civ_cli_last_year). */
#define CIV_CLI_LAST_YEAR_OPTION                                                                     \
    {"--last-year", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",                                       \
     "last year's allocation (its --out; default: the spec's [data] last_year_file):\n"              \
     "blank last-year cells from it, the others checked, closed communities named"}
/* --last-year-sheet NAME of the same commands: last year's sheet when it is an .xlsx; --sheet names the other
 * inputs' (the communities', ...), as a plan's panel_sheet and communities_sheet do; without it, last year's
 * workbook is read at its only sheet with cells, or civicast's own allocation.xlsx at its allocation sheet. */
#define CIV_CLI_LAST_YEAR_SHEET_OPTION                                                               \
    {"--last-year-sheet", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "NAME",                                 \
     "the sheet of --last-year when it is an .xlsx (--sheet names the other inputs';\n"              \
     "default: its only sheet with cells, or the allocation sheet of the\n"                          \
     "allocation.xlsx civicast wrote)"}
#define CIV_CLI_THOUSANDS_OPTION                                                                     \
    {"--thousands", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "C",                                          \
     "thousands separator of CSV numbers as Excel writes them (\"12,345\"):\n"                       \
     "\",\", \"'\" or \" \" (default: none; such numbers are refused)"},                     \
        {"--percent", NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL,                                        \
         "read \"33.3%\" in CSV number cells as 0.333 (Excel's Percentage format)"},                 \
        {"--sheet", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "NAME",                                       \
         "the sheet to read of every .xlsx input (default: its only sheet with cells)"}
/* --id-col, --time-col, --target-col: the CSV input's own names of the series
 * id, date and value columns (civ_panel_read_options.id_column, ...; the id
 * also keys tables: civ_table_read_options.id_column); --wide-input: the panel
 * is wide (civ_panel_read_options.wide).  Commands put CIV_CLI_COLUMN_OPTIONS
 * at indices k..k+3 of their table and pass the values to
 * civ_cli_set_columns (names may be NULL); they apply to every later
 * civ_cli_read_panel and, with key_tables, the id to every later
 * civ_cli_read_table (a plan's communities are keyed by its spec's [data]
 * id instead).  Returns 0, or the usage exit code after printing the error
 * (an empty name). */
int civ_cli_set_columns(const char *command, const char *id_column, const char *time_column,
                        const char *target_column, int wide, int key_tables);
#define CIV_CLI_COLUMN_OPTIONS                                                                       \
    {"--id-col", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "NAME",                                          \
     "the input's series id column when it is not unique_id (e.g. 社区编号);\n"                     \
     "also the key of the tables the command reads (not a plan's communities)"},                     \
        {"--time-col", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "NAME",                                    \
         "the input's date column when it is not ds (e.g. 月份)"},                                   \
        {"--target-col", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "NAME",                                  \
         "the input's value column when it is not y (e.g. 用餐人次)"},                               \
        {"--wide-input", NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL,                                     \
         "the input CSV is wide: a row per series, a column per period\n"                           \
         "(社区编号,2024年1月,2024年2月,...)"}
civ_status civ_cli_read_table(const char *path, const civ_table_read_options *options, civ_table **out);
/* The options civ_cli_read_table reads a CSV table with: `options` (may be NULL) completed by the command's
 * --encoding, --thousands, --percent and --id-col. */
civ_table_read_options civ_cli_table_options(const civ_table_read_options *options);
/* An earlier allocation (--paid, settle --allocation): an .h5 as civ_cli_read_table reads it (through the
 * guard), any other file through civ_alloc_allocation_read, so the plan's allocation.xlsx is read at its
 * allocation sheet without --sheet; `options` as civ_cli_read_table's. */
civ_status civ_cli_read_allocation(const civ_alloc_spec *spec, const char *path, const civ_table_read_options *options,
                                   civ_table **out);
/* 1 when `path` ends in .h5 or .hdf5 (such a file is read through the guard). */
int civ_cli_is_hdf5_path(const char *path);
/* Last year's allocation for `spec` (docs/ALLOCATION.md "Last year's allocation"): the file `path` (--last-year),
 * else the spec's [data] last_year_file, at sheet `sheet` (--last-year-sheet; NULL: as the library finds it, not
 * --sheet, which names the other inputs'), given to the spec by civ_alloc_spec_read_last_year (an .h5 file read
 * through the guard first, then civ_alloc_spec_set_last_year); nothing when neither.  Errors name the file. */
civ_status civ_cli_last_year(civ_alloc_spec *spec, const char *path, const char *sheet);

/* ---- hierarchies (hier_args.c) ------------------------------------------- */

/* The hierarchy of --hierarchy "a,b" (nested levels, top first) and --group "g" (crossed groups), either may be
 * NULL, over the communities table --communities names (its unique_id and those columns, read as text) or,
 * when that is NULL, the panel's attributes: civ_hier_build.  The caller frees *out. */
civ_status civ_cli_hier_build(const civ_panel *panel, const char *hierarchy, const char *group,
                              const char *communities, civ_hier **out);
/* A warning on stderr when missing values inside series leave aggregates (the total) missing: how many, the
 * periods of the total, the first series with their periods (civ_hier_gaps).  Nothing when there are none. */
void civ_cli_hier_warn_gaps(const civ_hier *h, const civ_panel *panel);

/* ---- printing (alloc_print.c) ------------------------------------------- */

/* Prints the one-screen allocation summary shared by `allocate` and `plan`:
 * spec, budget, each reserve, each pool, allocated, communities funded,
 * binding counts, per-capita figures and equity before -> after constraints. */
void civ_cli_print_alloc_summary(const civ_alloc_spec *spec, const char *spec_path, const civ_alloc_stats *st);
/* Writes into buf (size bytes; "" when none) one "demand" line per forecast
 * factor of the spec: which forecasts of `forecasts` it sums, e.g.
 * "meal_demand: fiscal year 2026, forecasts of 2026-01..2026-12 (h = 13..24)"
 * (civ_alloc_spec_demand_window), to be printed with civ_cli_print_demand_window. */
void civ_cli_demand_lines(const civ_alloc_spec *spec, const civ_table *forecasts, char *buf, size_t size);
void civ_cli_print_demand_window(const char *lines);
/* Prints, per forecast factor with if_missing = "zero" that counted communities as 0 for want of any forecast
 * (civ_alloc_result_n_no_forecast), "forecast demand  NAME: N of M communities have no forecast and count as 0
 * (if_missing = "zero"; ...)"; nothing when none did. */
void civ_cli_print_no_forecast(const civ_alloc_spec *spec, const civ_alloc_problem *problem,
                               const civ_alloc_result *result);
/* Prints the districts' amounts from an allocation summary table. */
void civ_cli_print_districts(const civ_table *summary, int64_t unit);
void civ_cli_print_history(const civ_table *summary, int64_t unit);
/* Prints the two Monte Carlo lines from the long uncertainty table; `alloc` (the allocation table, may be NULL)
 * says why an allocation that does not vary across the draws does not. */
void civ_cli_print_uncertainty(const civ_table *t, const civ_table *alloc, size_t n_draws, uint64_t seed,
                               int perturb_forecasts, double concentration, double seconds, int threads);
/* Prints the need per year from the per-year need table. */
void civ_cli_print_need(const civ_table *per_year, int64_t unit, const char *currency);
/* Prints one "pilots" line per value of the communities' text column
 * `pilot` (none without it): shares, amount, migrant earmark, tilt and floor
 * counts from the allocation table, intermittent series and their models
 * from the forecast report (plan_pilots.c).  Any table may be NULL. */
void civ_cli_print_pilots(const civ_table *comm, const civ_table *alloc, const civ_table *report, int64_t unit);
/* Formats minor units as "1,234,567.89" (digits from the minor unit). */
void civ_cli_format_money(char *buf, size_t size, double minor, int64_t unit);

/* Runs the Monte Carlo, appends p5/p50/p95 (minor units) to `alloc` (the
 * per-community allocation table, input row order), writes the long
 * uncertainty table to `out_path` and every draw's amounts to `draws_path`
 * (unique_id, draw_1_fen .. draw_N_fen; civ_alloc_uncertainty_draw) when not
 * NULL (CSV formatted by `csv`, may be NULL), and prints two lines; with
 * `quantiles` not NULL, *quantiles is the long table (the caller frees it:
 * allocate --workbook's uncertainty sheet). */
civ_status civ_cli_uncertainty(const civ_alloc_spec *spec, const civ_table *communities, const civ_table *forecasts,
                               const civ_alloc_uncertainty_options *opt, civ_table *alloc, const char *out_path,
                               const char *draws_path, const civ_csv_write_options *csv, civ_table **quantiles);
/* Projects the need, writes the per-community table to `out_path` and the
 * per-year table to `summary_path` (either may be NULL; CSV formatted by
 * `csv`, which may be NULL, with the need's money decimals) and both to the
 * workbook `workbook_path` (may be NULL; civ_alloc_workbook_write in `lang`,
 * NULL: zh), prints the years.  An error in the forecasts is reported
 * against `forecasts_path` (may be NULL). */
civ_status civ_cli_need(const civ_alloc_need *need, const civ_table *forecasts, const char *forecasts_path,
                        const char *out_path, const char *summary_path, const char *currency,
                        const civ_csv_write_options *csv, const char *workbook_path, const char *lang);

/* `civicast allocate --compare ...` (cmd_compare.c); argv[0] = "allocate". */
int civ_cli_allocate_compare(int argc, char **argv);

#endif
