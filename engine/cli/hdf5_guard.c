/*
 * hdf5_guard.c -- reads panels and tables for the command, with HDF5 inputs
 * first read once in a forked child process.
 *
 * Why: libhdf5 1.10.8 (Debian 12) itself crashes or loops forever on some
 * damaged files (fuzzing found wild reads, overlapping copies and endless
 * loops in its global heap, metadata cache and B-tree code; docs/
 * HOSTILE_INPUTS.md, "HDF5").  No check civicast can make before calling the
 * library avoids them, and a crash inside the library cannot be caught in the
 * process.  So the command reads an .h5 input in a child first: when the
 * child dies by a signal, exits abnormally, or does not finish within the
 * time limit, the command refuses the file with a clear message; only when
 * the child survived the read (with or without a civicast error) does the
 * command read it itself, and then gets the same data or the same error.
 *
 * The library never forks (it is embedded in Python and other hosts); this
 * lives in the command.  Settings (docs/CLI.md):
 *   CIV_HDF5_GUARD=fork|off          default fork
 *   CIV_HDF5_GUARD_TIMEOUT=SECONDS   default 30 + 1 per 4 MiB of file
 * Cost: the file is read twice (an .h5 file is read at several hundred MB/s).
 * Limit: a file replaced between the two reads is not re-checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "error.h"

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

/* In the child: read, free, exit.  Output goes to /dev/null (a crash report
 * from libhdf5 or a sanitizer is not the command's message). */
static _Noreturn void child_read(const char *path, read_kind kind, unsigned seconds)
{
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
        civ_panel_free(p);
    } else {
        civ_table *t = NULL;
        s = civ_table_read_hdf5(path, &t);
        civ_table_free(t);
    }
    _exit(s == CIV_OK ? 0 : GUARD_CLEAN_ERROR);
}

/* Reads `path` in a child; CIV_OK when the child survived (the caller then
 * reads it), else the error that refuses the file. */
static civ_status check_in_child(const char *path, read_kind kind)
{
    civ_where w = {.file = path};
    int mode = guard_mode();
    if (mode == 0)
        return CIV_OK;
    if (mode < 0)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "CIV_HDF5_GUARD is '%s'; use 'fork' (the default) or 'off'",
                        getenv("CIV_HDF5_GUARD"));
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return CIV_OK; /* the reader itself reports a missing or odd file */
    unsigned seconds = guard_timeout(st.st_size);
    if (!seconds)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT,
                        "CIV_HDF5_GUARD_TIMEOUT is '%s'; use a whole number of seconds from 1 to 86400",
                        getenv("CIV_HDF5_GUARD_TIMEOUT"));

    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return civ_fail_at(CIV_ERR_IO, &w,
                           "cannot start the process that checks HDF5 files (fork: %s); "
                           "CIV_HDF5_GUARD=off reads without it",
                           strerror(errno));
    if (pid == 0)
        child_read(path, kind, seconds);

    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0) {
        if (errno != EINTR)
            return civ_fail_at(CIV_ERR_IO, &w, "lost the process that checks HDF5 files (waitpid: %s)",
                               strerror(errno));
    }
    if (WIFEXITED(wstatus) && (WEXITSTATUS(wstatus) == 0 || WEXITSTATUS(wstatus) == GUARD_CLEAN_ERROR))
        return CIV_OK;
    if (WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGALRM)
        return civ_fail_at(CIV_ERR_IO, &w,
                           "reading the file did not finish within %u s (libhdf5 loops forever on some "
                           "damaged files); refused. For a large valid file, raise CIV_HDF5_GUARD_TIMEOUT",
                           seconds);
    if (WIFSIGNALED(wstatus))
        return civ_fail_at(CIV_ERR_IO, &w,
                           "the HDF5 library crashed reading this file (signal %d, %s): the file is damaged "
                           "or altered; nothing was read",
                           WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)));
    return civ_fail_at(CIV_ERR_IO, &w,
                       "the HDF5 library failed abnormally reading this file (exit status %d): the file is "
                       "damaged or altered; nothing was read",
                       WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
}

civ_status civ_cli_read_panel(const char *path, civ_panel **out)
{
    if (out)
        *out = NULL;
    if (is_hdf5_path(path)) {
        civ_status s = check_in_child(path, READ_PANEL);
        if (s)
            return s;
    }
    return civ_panel_read(path, out);
}

civ_status civ_cli_read_table(const char *path, const civ_table_read_options *options, civ_table **out)
{
    if (out)
        *out = NULL;
    if (is_hdf5_path(path)) {
        civ_status s = check_in_child(path, READ_TABLE);
        if (s)
            return s;
    }
    return civ_table_read(path, options, out);
}
