/*
 * hdf5_guard.c -- layer CLI (a client of civicast.h only): reads panels and tables for the command; HDF5 inputs are
 * read in a forked child process, which hands back a clean copy.
 *
 * Why: libhdf5 1.10.8 (Debian 12) itself crashes or loops forever on some
 * damaged files (fuzzing found wild reads, overlapping copies and endless
 * loops in its global heap, metadata cache and B-tree code; docs/
 * HOSTILE_INPUTS.md, "HDF5").  No check civicast can make before calling the
 * library avoids them, and a crash inside the library cannot be caught in the
 * process.  So the command never hands an untrusted .h5 file to libhdf5 in
 * its own process: a forked child reads it and writes what it read to a
 * private temporary folder with civicast's own writer; the command then reads
 * that clean copy.  When the child dies by a signal, exits abnormally, or
 * does not finish within the time limit, the file is refused with a clear
 * message; an ordinary civicast error in the child (wrong schema, bad
 * values) is passed back through a pipe and reported as usual.  Re-reading
 * the original instead would not do: some of libhdf5's faults are wild reads
 * whose outcome depends on the address layout, so a file can pass in the
 * child and still crash the parent.
 *
 * The library never forks (it is embedded in Python and other hosts); this
 * lives in the command.  Settings (docs/CLI.md):
 *   CIV_HDF5_GUARD=fork|off          default fork
 *   CIV_HDF5_GUARD_TIMEOUT=SECONDS   default 30 + 1 per 4 MiB of file
 * Cost: a read, a write and a read (the copy is compressed like any civicast
 * .h5) and the copy's disk space in TMPDIR while it is read.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"

/* The child's exit code when the read failed with an ordinary civicast error
 * (0 when it succeeded).  Any other exit (a sanitizer report, a signal) is a
 * failure inside the library. */
enum { GUARD_CLEAN_ERROR = 75 };

typedef enum { READ_PANEL, READ_TABLE } read_kind;

static int is_hdf5_path(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    return dot && !strchr(dot, '/') && (!strcasecmp(dot, ".h5") || !strcasecmp(dot, ".hdf5"));
}

/* CIV_HDF5_GUARD: 1 = fork (default), 0 = off, -1 = not understood. */
static int guard_mode(void)
{
    const char *v = getenv("CIV_HDF5_GUARD");
    if (!v || !*v || !strcmp(v, "fork") || !strcmp(v, "on") || !strcmp(v, "1"))
        return 1;
    if (!strcmp(v, "off") || !strcmp(v, "0"))
        return 0;
    return -1;
}

/* Seconds the child may take: CIV_HDF5_GUARD_TIMEOUT, else 30 s plus one per
 * 4 MiB of file (valid files read at hundreds of MB/s: a wide margin).
 * Returns 0 when the variable is not a whole number of seconds in 1..86400. */
static unsigned guard_timeout(off_t file_size)
{
    const char *v = getenv("CIV_HDF5_GUARD_TIMEOUT");
    if (v && *v) {
        char *end = NULL;
        errno = 0;
        unsigned long s = strtoul(v, &end, 10);
        if (errno || *end || v[0] == '-' || s < 1 || s > 86400)
            return 0;
        return (unsigned)s;
    }
    uint64_t extra = file_size > 0 ? (uint64_t)file_size / (4u << 20) : 0;
    return (unsigned)(30 + (extra > 86400 ? 86400 : extra));
}

/* The table read options of the guarded read under way (its --id-col), for the child (guarded_read). */
static const civ_table_read_options *child_key;

/* In the child: read the untrusted file, write what was read to `copy` with
 * civicast's own writer, exit 0.  On an ordinary civicast error, send the
 * whole civ_error through `err_fd` and exit GUARD_CLEAN_ERROR.  Output goes
 * to /dev/null (a crash report from libhdf5 or a sanitizer is not the
 * command's message). */
static _Noreturn void child_read(const char *path, read_kind kind, unsigned seconds, const char *copy, int err_fd,
                                 pid_t parent)
{
    /* dies with the command (issue 18.2): the kernel's parent-death signal,
     * and the check for a parent that died before it was set */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(GUARD_CLEAN_ERROR + 1);
    civ_cli_default_signals(); /* the command's handler cleans up, not this child */
    signal(SIGALRM, SIG_DFL);
    alarm(seconds);
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) {
        dup2(devnull, STDOUT_FILENO);
        dup2(devnull, STDERR_FILENO);
        close(devnull);
    }
    civ_status s;
    if (kind == READ_PANEL) {
        civ_panel *p = NULL;
        s = civ_panel_read_hdf5(path, &p);
        if (!s)
            s = civ_panel_write_hdf5(p, copy);
        civ_panel_free(p);
    } else {
        civ_table *t = NULL;
        s = civ_table_read(path, child_key, &t); /* an .h5 path: the HDF5 reader, keyed by --id-col */
        if (!s)
            s = civ_table_write_hdf5(t, copy);
        civ_table_free(t);
    }
    if (s) {
        const civ_error *e = civ_last_error();
        ssize_t ignored = write(err_fd, e, sizeof *e); /* < PIPE_BUF: one atomic write */
        (void)ignored;
        _exit(GUARD_CLEAN_ERROR);
    }
    _exit(0);
}

/* Records a failure of the guard itself (naming `path` when not NULL) as
 * the thread's last error, through the public civ_error_restore. */
static civ_status guard_fail(civ_status status, const char *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static civ_status guard_fail(civ_status status, const char *path, const char *fmt, ...)
{
    civ_error e;
    memset(&e, 0, sizeof e);
    e.status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    va_end(ap);
    if (path)
        snprintf(e.file, sizeof e.file, "%s", path);
    return civ_error_restore(&e);
}

/* Re-raises in this process the civ_error the child sent (n bytes in e). */
static civ_status relay_child_error(const char *path, const civ_error *e, ssize_t n)
{
    if (n != (ssize_t)sizeof *e || e->status <= CIV_OK || e->status >= CIV_STATUS_COUNT_) {
        return guard_fail(CIV_ERR_INTERNAL, path, "the process that checks HDF5 files failed without a message");
    }
    return civ_error_restore(e);
}

/* Creates the private folder ($TMPDIR/civicast-h5guard-XXXXXX) and registers it for the cleanup in *slot; no
 * SIGINT/SIGTERM between the two: a signal there left the folder behind (tests/cli/transactions.sh caught it
 * now and then).  folder is "" when it could not be made. */
static civ_status make_guard_folder(const char *path, char *folder, size_t folder_size, int *slot)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT), sigaddset(&block, SIGTERM), sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, &old);
    int made = (size_t)snprintf(folder, folder_size, "%s/civicast-h5guard-XXXXXX", tmp) < folder_size &&
               mkdtemp(folder) != NULL;
    int made_errno = errno;
    if (made)
        *slot = civ_cleanup_register(folder, 1);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (!made) {
        folder[0] = 0;
        return guard_fail(CIV_ERR_IO, path,
                           "cannot create a temporary folder in %s for checking HDF5 files (%s); set TMPDIR, "
                           "or CIV_HDF5_GUARD=off to read without the check",
                           tmp, strerror(made_errno));
    }
    return CIV_OK;
}

/* Waits for the child and turns how it ended into a status: its own error (child_error, got bytes of it),
 * the timeout, a crash or an abnormal exit. */
static civ_status child_outcome(const char *path, pid_t pid, unsigned seconds, const civ_error *child_error,
                                ssize_t got)
{
    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0) {
        if (errno != EINTR) {
            civ_cli_set_guard_child(0);
            return guard_fail(CIV_ERR_IO, path, "lost the process that checks HDF5 files (waitpid: %s)",
                               strerror(errno));
        }
    }
    civ_cli_set_guard_child(0);
    if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)
        return CIV_OK;
    if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == GUARD_CLEAN_ERROR)
        return relay_child_error(path, child_error, got);
    if (WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGALRM)
        return guard_fail(CIV_ERR_IO, path,
                           "reading the file did not finish within %u s (libhdf5 loops forever on some "
                           "damaged files); refused. For a large valid file, raise CIV_HDF5_GUARD_TIMEOUT",
                           seconds);
    if (WIFSIGNALED(wstatus))
        return guard_fail(CIV_ERR_IO, path,
                           "the HDF5 library crashed reading this file (signal %d, %s): the file is damaged "
                           "or altered; nothing was read",
                           WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)));
    return guard_fail(CIV_ERR_IO, path,
                       "the HDF5 library failed abnormally reading this file (exit status %d): the file is "
                       "damaged or altered; nothing was read",
                       WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
}

/* Reads `path` in a child, which writes a clean copy into a private
 * temporary folder; on success the copy's path is left in copy (the caller
 * reads it, then remove_folder), else the error that refuses the file.  The
 * folder is registered for the SIGINT/SIGTERM cleanup (signals.c) in *slot. */
static civ_status read_in_child(const char *path, read_kind kind, unsigned seconds, char *folder, size_t folder_size,
                                char *copy, size_t copy_size, int *slot)
{
    civ_status st = make_guard_folder(path, folder, folder_size, slot);
    if (st)
        return st;
    snprintf(copy, copy_size, "%s/copy.h5", folder);

    int fds[2];
    if (pipe(fds) != 0)
        return guard_fail(CIV_ERR_IO, path, "cannot start the process that checks HDF5 files (pipe: %s)",
                           strerror(errno));
    fflush(NULL);
    pid_t parent = getpid();
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT), sigaddset(&block, SIGTERM), sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, &old); /* the handler knows the child from its first instant */
    pid_t pid = fork();
    if (pid > 0)
        civ_cli_set_guard_child(pid);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (pid < 0) {
        int err = errno;
        close(fds[0]);
        close(fds[1]);
        return guard_fail(CIV_ERR_IO, path,
                           "cannot start the process that checks HDF5 files (fork: %s); "
                           "CIV_HDF5_GUARD=off reads without it",
                           strerror(err));
    }
    if (pid == 0) {
        close(fds[0]);
        child_read(path, kind, seconds, copy, fds[1], parent);
    }
    close(fds[1]);
    civ_error child_error;
    ssize_t got = 0, n;
    while ((size_t)got < sizeof child_error &&
           ((n = read(fds[0], (char *)&child_error + got, sizeof child_error - (size_t)got)) > 0 ||
            (n < 0 && errno == EINTR)))
        got += n > 0 ? n : 0;
    close(fds[0]);
    return child_outcome(path, pid, seconds, &child_error, got);
}

/* Removes the private folder and whatever the child left in it (the copy, or
 * the writer's temporary file when the child was killed mid-write). */
static void remove_folder(const char *folder)
{
    DIR *d = opendir(folder);
    if (d) {
        char entry[4400];
        for (struct dirent *e; (e = readdir(d));) {
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
                (size_t)snprintf(entry, sizeof entry, "%s/%s", folder, e->d_name) < sizeof entry)
                unlink(entry);
        }
        closedir(d);
    }
    rmdir(folder);
}

/* The guarded read: settings, then the child, then this process reads the
 * child's clean copy (never the untrusted file).  out is a civ_panel** or a
 * civ_table** by kind; a table is read with `key` (its id column, --id-col: civ_table_read keys an HDF5 table
 * by it, as a CSV's header; before 2026-12-07 --id-col was lost on .h5 tables). */
static civ_status guarded_read(const char *path, read_kind kind, void *out, const civ_table_read_options *key)
{
    int mode = guard_mode();
    if (mode < 0)
        return guard_fail(CIV_ERR_INVALID_ARGUMENT, NULL, "CIV_HDF5_GUARD is '%s'; use 'fork' (the default) or 'off'",
                        getenv("CIV_HDF5_GUARD"));
    struct stat st;
    if (mode == 0 || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) /* the reader reports a missing file */
        return kind == READ_PANEL ? civ_panel_read_hdf5(path, out) : civ_table_read(path, key, out);
    unsigned seconds = guard_timeout(st.st_size);
    if (!seconds)
        return guard_fail(CIV_ERR_INVALID_ARGUMENT, NULL,
                        "CIV_HDF5_GUARD_TIMEOUT is '%s'; use a whole number of seconds from 1 to 86400",
                        getenv("CIV_HDF5_GUARD_TIMEOUT"));
    char folder[4096] = "", copy[4200] = "";
    int slot = -1;
    child_key = key; /* the child keys the table, so its errors name the caller's file */
    civ_status s = read_in_child(path, kind, seconds, folder, sizeof folder, copy, sizeof copy, &slot);
    if (!s)
        s = kind == READ_PANEL ? civ_panel_read_hdf5(copy, out) : civ_table_read_hdf5(copy, out);
    if (folder[0])
        remove_folder(folder);
    civ_cleanup_unregister(slot);
    return s;
}

/* --freq, --encoding, --thousands, --percent, --sheet and --skip-rows (civ_cli_set_input); --id-col, --time-col and
 * --target-col (civ_cli_set_columns). */
static civ_panel_read_options input = {.freq = {CIV_FREQ_UNKNOWN, CIV_ANCHOR_PERIOD, -1}};

const char *civ_cli_input_sheet(void) { return input.sheet; }

int civ_cli_set_input(const char *command, const char *freq, const char *encoding, const char *thousands,
                      const char *percent, const char *sheet, const char *skip_rows)
{
    if (skip_rows) {
        size_t n;
        if (civ_cli_parse_size(skip_rows, &n) || n > 1000000)
            return civ_cli_usage_error(command, "--skip-rows must be a whole number of rows from 0 to 1000000 (the "
                                                "rows above the header: a title, a unit line), got '%s'", skip_rows);
        input.skip_rows = (int)n;
    }
    if (sheet && !sheet[0])
        return civ_cli_usage_error(command, "--sheet needs a sheet name");
    if (sheet)
        input.sheet = sheet;
    if (percent)
        input.percent = 1;
    if (thousands) {
        if (strcmp(thousands, ",") && strcmp(thousands, "'") && strcmp(thousands, " "))
            return civ_cli_usage_error(command, "--thousands must be \",\" (12,345), \"'\" (12'345) or \" \" (12 345), "
                                                "got '%s'", thousands);
        input.thousands = thousands;
    }
    if (freq) {
        civ_freq_spec f;
        if (civ_freq_parse(freq, &f))
            return civ_cli_usage_error(command, "--freq: %s", civ_last_error()->message);
        input.freq = f;
    }
    if (encoding) {
        if (strcasecmp(encoding, "utf-8") && strcasecmp(encoding, "utf8") && strcasecmp(encoding, "gb18030") &&
            strcasecmp(encoding, "gbk") && strcasecmp(encoding, "gb2312"))
            return civ_cli_usage_error(command, "--encoding must be utf-8 or gb18030, got '%s'", encoding);
        input.encoding = encoding;
    }
    return 0;
}

/* Per-input --X-skip-rows N (civ_cli_set_input_skip_rows): the rows above the header of the one input that option
 * X names, over --skip-rows N of every input; looked up by the input's path, or by X where the path is found later
 * (--last-year: default the spec's [data] last_year_file). */
static struct {
    const char *option, *path, *flag; /* flag: "--communities-skip-rows", for the cure of a title row */
    int rows;                         /* -1: the flag exists but was not given */
} input_skip[CIV_CLI_MAX_OPTIONS];
static size_t n_input_skip;

int civ_cli_set_input_skip_rows(const char *command, const char *flag, const char *option, const char *path,
                                const char *rows)
{
    size_t n;
    if (civ_cli_parse_size(rows, &n) || n > 1000000)
        return civ_cli_usage_error(command, "%s must be a whole number of rows from 0 to 1000000 (the rows above "
                                            "the header of %s's file: a title, a unit line), got '%s'", flag, option,
                                   rows);
    if (civ_cli_skip_rows_add(option, path, (int)n))
        return civ_cli_usage_error(command, "too many --...-skip-rows options");
    input_skip[n_input_skip - 1].flag = flag;
    return 0;
}

int civ_cli_skip_rows_flag(const char *flag, const char *option, const char *path)
{
    if (civ_cli_skip_rows_add(option, path, -1))
        return -1;
    input_skip[n_input_skip - 1].flag = flag;
    return 0;
}

civ_status civ_cli_own_skip_cure(const char *path, civ_status s)
{
    const civ_error *e = civ_last_error();
    const char *flag = NULL;
    for (size_t k = 0; s && k < n_input_skip; k++)
        if (input_skip[k].flag && input_skip[k].path && !strcmp(input_skip[k].path, path))
            flag = input_skip[k].flag;
    const char *at = flag ? strstr(e->message, "with --skip-rows ") : NULL;
    if (!at)
        return s;
    civ_error copy = *e;
    size_t head = (size_t)(at - e->message) + strlen("with "), digits = strspn(at + strlen("with --skip-rows "),
                                                                                "0123456789");
    const char *rows = at + strlen("with --skip-rows "), *rest = rows + digits;
    char key[64]; /* Python's argument: "--last-year" -> "last_year" */
    snprintf(key, sizeof key, "%.*s", (int)(strlen(flag) - strlen("-skip-rows") - 2), flag + 2);
    for (char *c = key; *c; c++)
        *c = *c == '-' ? '_' : *c;
    char python[32];
    snprintf(python, sizeof python, " (Python skip_rows=%.*s)", (int)digits, rows);
    if (!strncmp(rest, python, strlen(python)))
        snprintf(copy.message, sizeof copy.message, "%.*s%s %.*s (Python skip_rows={\"%s\": %.*s})%s", (int)head,
                 e->message, flag, (int)digits, rows, key, (int)digits, rows, rest + strlen(python));
    else
        snprintf(copy.message, sizeof copy.message, "%.*s%s %s", (int)head, e->message, flag, rows);
    civ_error_restore(&copy);
    return s;
}

int civ_cli_skip_rows_add(const char *option, const char *path, int rows)
{
    if (n_input_skip == CIV_CLI_MAX_OPTIONS)
        return -1;
    input_skip[n_input_skip].option = option;
    input_skip[n_input_skip].path = path;
    input_skip[n_input_skip++].rows = rows;
    return 0;
}

int civ_cli_skip_rows_for(const char *option, const char *path, int rows)
{
    for (size_t k = 0; k < n_input_skip; k++)
        if (input_skip[k].rows >= 0 && ((option && input_skip[k].option && !strcmp(input_skip[k].option, option)) ||
                                        (path && input_skip[k].path && !strcmp(input_skip[k].path, path))))
            rows = input_skip[k].rows;
    return rows;
}

static const char *table_id_column; /* civ_cli_set_columns with key_tables */

int civ_cli_set_columns(const char *command, const char *id_column, const char *time_column,
                        const char *target_column, int wide, int key_tables)
{
    const char *value[3] = {id_column, time_column, target_column};
    const char *flag[3] = {"--id-col", "--time-col", "--target-col"};
    for (int k = 0; k < 3; k++)
        if (value[k] && !value[k][0])
            return civ_cli_usage_error(command, "%s needs a column name", flag[k]);
    if (id_column)
        input.id_column = id_column;
    if (id_column && key_tables)
        table_id_column = id_column;
    if (time_column)
        input.time_column = time_column;
    if (target_column)
        input.target_column = target_column;
    if (wide)
        input.wide = 1;
    return 0;
}

civ_status civ_cli_read_panel(const char *path, civ_panel **out)
{
    if (out)
        *out = NULL;
    if (is_hdf5_path(path)) {
        civ_status s = guarded_read(path, READ_PANEL, out, NULL);
        if (s || input.freq.freq == CIV_FREQ_UNKNOWN || input.freq.freq == civ_panel_frequency(*out))
            return s;
        civ_panel_free(*out);
        *out = NULL;
        return civ_panel_read_ex(path, &input, out); /* the library's own message for the mismatch */
    }
    civ_panel_read_options o = input;
    o.skip_rows = civ_cli_skip_rows_for(NULL, path, input.skip_rows); /* --X-skip-rows of the input named by X */
    return civ_cli_own_skip_cure(path, civ_panel_read_ex(path, &o, out));
}

civ_status civ_cli_read_table(const char *path, const civ_table_read_options *options, civ_table **out)
{
    if (out)
        *out = NULL;
    if (is_hdf5_path(path)) { /* the child's copy has lost its name: errors name the file and row */
        civ_table_read_options key = civ_cli_table_options(options);
        civ_status s = guarded_read(path, READ_TABLE, out, &key);
        if (!s && (s = civ_table_set_source(*out, path, 1))) {
            civ_table_free(*out);
            *out = NULL;
        }
        return s;
    }
    civ_table_read_options o = civ_cli_table_options(options);
    o.skip_rows = civ_cli_skip_rows_for(NULL, path, o.skip_rows);
    return civ_cli_own_skip_cure(path, civ_table_read(path, &o, out));
}

civ_status civ_cli_read_allocation(const civ_alloc_spec *spec, const char *path, const civ_table_read_options *options,
                                   civ_table **out)
{
    if (is_hdf5_path(path))
        return civ_cli_read_table(path, options, out);
    civ_table_read_options o = civ_cli_table_options(options);
    o.skip_rows = civ_cli_skip_rows_for(NULL, path, o.skip_rows);
    return civ_cli_own_skip_cure(path, civ_alloc_allocation_read(spec, path, &o, out));
}

civ_table_read_options civ_cli_table_options(const civ_table_read_options *options)
{
    civ_table_read_options o = {0};
    if (options)
        o = *options;
    if (!o.encoding)
        o.encoding = input.encoding;
    if (!o.thousands)
        o.thousands = input.thousands;
    o.percent |= input.percent;
    if (!o.sheet)
        o.sheet = input.sheet;
    if (!o.skip_rows)
        o.skip_rows = input.skip_rows;
    if (!o.id_column)
        o.id_column = table_id_column;
    return o;
}

int civ_cli_is_hdf5_path(const char *path) { return is_hdf5_path(path); }
