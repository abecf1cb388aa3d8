/*
 * staging.c -- layer: io.  Staging folders and their publication
 * (civ_staging_*; civicast.h, "Runs as transactions"; docs/CLI.md).
 *
 * A run writes every file of its set into ".<base>.staging.XXXXXX" beside
 * its target, then publishes:
 *   folder  the staging folder and the target are exchanged by one
 *           renameat2(RENAME_EXCHANGE): the target is the old set or the new
 *           set at every instant; the old set, now under the staging name,
 *           is removed.  The user's own files in the target are carried over
 *           by hard links before the exchange.
 *   files   a journal naming each staged file and its target is written and
 *           fsynced, the files are renamed onto their targets (SIGINT and
 *           SIGTERM blocked meanwhile), then the staging folder is removed.
 * Recovery (at the next civ_staging_open beside the same target): a staging
 * folder whose run is gone (its flock is free) is removed, after rolling its
 * journal forward when it has one; a ".old" folder left by the two-rename
 * fallback is renamed back when the target is missing.
 *
 * CIV_TEST_PUBLISH_KILL=K (tests/cli/transactions.sh) sends SIGKILL to the
 * process just before publishing step K, to prove each step crash-safe.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "c_locale.h"
#include "error.h"
#include "staging.h"

enum { PATH_BYTES = 4096 };

struct civ_staging {
    char parent[PATH_BYTES]; /* the target's folder */
    char base[PATH_BYTES];   /* the target's last name */
    char dir[PATH_BYTES];    /* the staging folder */
    int lock_fd;             /* open on the staging folder, flock'ed while the run lives */
    int slot;                /* civ_cleanup_register's slot, -1 = none */
    int done;                /* published (or given up): nothing to remove */
};

static const char JOURNAL[] = ".journal";

/* The testing hook: SIGKILL before step k when CIV_TEST_PUBLISH_KILL=k. */
static void kill_point(int step)
{
    const char *v = getenv("CIV_TEST_PUBLISH_KILL");
    if (v && atoi(v) == step)
        raise(SIGKILL);
}

static void fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* Splits `target` (trailing slashes dropped) into parent and base. */
static civ_status split_target(const char *target, char *parent, char *base)
{
    civ_where w = {.file = target};
    size_t n = strlen(target);
    if (n >= PATH_BYTES - 64)
        return civ_fail_at(CIV_ERR_LIMIT, &w, "the output path is longer than %d bytes", PATH_BYTES - 65);
    char t[PATH_BYTES];
    memcpy(t, target, n + 1);
    while (n > 1 && t[n - 1] == '/')
        t[--n] = '\0';
    const char *last = strrchr(t, '/');
    const char *b = last ? last + 1 : t;
    if (!strcmp(b, ".") || !strcmp(b, "..") || !strcmp(t, "/")) {
        char real[PATH_MAX];
        if (!realpath(t, real) || !strcmp(real, "/"))
            return civ_fail_at(CIV_ERR_IO, &w, "cannot publish into this folder; name an output folder");
        return split_target(real, parent, base);
    }
    civ_snprintf(base, PATH_BYTES, "%s", b);
    if (!last)
        civ_snprintf(parent, PATH_BYTES, ".");
    else if (last == t)
        civ_snprintf(parent, PATH_BYTES, "/");
    else
        civ_snprintf(parent, PATH_BYTES, "%.*s", (int)(last - t), t);
    return CIV_OK;
}

/* mkdir -p; CIV_ERR_IO naming the folder. */
static civ_status make_dirs(const char *dir)
{
    char buf[PATH_BYTES];
    civ_where w = {.file = dir};
    civ_snprintf(buf, sizeof buf, "%s", dir);
    for (char *q = buf + 1; *q; q++)
        if (*q == '/') {
            *q = 0;
            if (mkdir(buf, 0777) && errno != EEXIST)
                return civ_fail_at(CIV_ERR_IO, &w, "cannot create the output folder: %s", strerror(errno));
            *q = '/';
        }
    if (mkdir(buf, 0777) && errno != EEXIST)
        return civ_fail_at(CIV_ERR_IO, &w, "cannot create the output folder: %s", strerror(errno));
    struct stat st;
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
        return civ_fail_at(CIV_ERR_IO, &w, "cannot create the output folder: a file is in the way (%s)",
                           strerror(stat(buf, &st) != 0 ? errno : ENOTDIR));
    return CIV_OK;
}

/* Rolls a dead run's journal forward: every staged file still there is
 * renamed onto its target. */
static void roll_forward(const char *stage)
{
    char path[PATH_BYTES + 16];
    if (civ_snprintf(path, sizeof path, "%s/%s", stage, JOURNAL) >= (int)sizeof path)
        return; /* not a folder this module made: its paths fit */
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[2 * PATH_BYTES + 8];
    while (fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t'), *nl = strchr(line, '\n');
        if (!tab || !nl)
            continue;
        *tab = *nl = '\0';
        char from[4 * PATH_BYTES];
        if (civ_snprintf(from, sizeof from, "%s/%s", stage, line) >= (int)sizeof from)
            continue;
        rename(from, tab + 1); /* gone already when it was renamed before the crash */
    }
    fclose(f);
}

/* Removes (rolling forward first) the staging folders of dead runs beside
 * parent/base, and puts back a ".old" folder of the two-rename fallback. */
static void recover(const char *parent, const char *base)
{
    char prefix[PATH_BYTES + 16];
    civ_snprintf(prefix, sizeof prefix, ".%s.staging.", base);
    size_t np = strlen(prefix);
    DIR *d = opendir(parent);
    if (!d)
        return;
    char target[2 * PATH_BYTES];
    civ_snprintf(target, sizeof target, "%s/%s", parent, base);
    for (struct dirent *e; (e = readdir(d));) {
        if (strncmp(e->d_name, prefix, np))
            continue;
        char stage[2 * PATH_BYTES];
        civ_snprintf(stage, sizeof stage, "%s/%s", parent, e->d_name);
        int fd = open(stage, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            continue;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) { /* its run is gone */
            size_t len = strlen(e->d_name);
            struct stat st;
            if (len > 4 && !strcmp(e->d_name + len - 4, ".old") && lstat(target, &st) != 0)
                rename(stage, target); /* the fallback died between its renames: the old set back */
            else {
                roll_forward(stage);
                civ_cleanup_remove_tree(stage);
            }
        }
        close(fd);
    }
    closedir(d);
}

civ_status civ_staging_open(const char *target, civ_staging **out)
{
    if (out)
        *out = NULL;
    if (!target || !target[0] || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_staging_open: NULL or empty target");
    civ_staging *st = calloc(1, sizeof *st);
    if (!st)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    st->lock_fd = -1;
    st->slot = -1;
    civ_status s = split_target(target, st->parent, st->base);
    if (!s)
        s = make_dirs(st->parent);
    if (s) {
        free(st);
        return s;
    }
    recover(st->parent, st->base);
    civ_where w = {.file = target};
    if ((size_t)civ_snprintf(st->dir, sizeof st->dir, "%s/.%s.staging.XXXXXX", st->parent, st->base) >=
        sizeof st->dir) {
        free(st);
        return civ_fail_at(CIV_ERR_LIMIT, &w, "the output path is too long for its staging folder");
    }
    sigset_t held;
    civ_cleanup_hold(&held); /* no signal between the folder and its registration */
    if (!mkdtemp(st->dir)) {
        int err = errno;
        civ_cleanup_release(&held);
        free(st);
        return civ_fail_at(CIV_ERR_IO, &w, "cannot create a staging folder beside the output: %s", strerror(err));
    }
    mode_t mask = umask(0); /* mkdtemp makes 0700; the published folder is an ordinary one */
    umask(mask);
    chmod(st->dir, 0777 & ~mask);
    st->lock_fd = open(st->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (st->lock_fd >= 0)
        flock(st->lock_fd, LOCK_EX);
    st->slot = civ_cleanup_register(st->dir, 1);
    civ_cleanup_release(&held);
    *out = st;
    return CIV_OK;
}

const char *civ_staging_dir(const civ_staging *st)
{
    return st ? st->dir : "";
}

/* Whether `name` is one of managed[0..n) or a temporary file of an earlier
 * atomic write (".<name>.tmp.XXXXXX", atomic_file.h). */
static int is_managed(const char *name, const char *const *managed, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (managed[k] && !strcmp(name, managed[k]))
            return 1;
    const char *tmp = strstr(name, ".tmp.");
    return name[0] == '.' && tmp && strlen(tmp) == 11;
}

civ_status civ_staging_check_folder(const char *target, const char *const *managed, size_t n)
{
    civ_where w = {.file = target};
    struct stat st;
    if (!target || lstat(target, &st) != 0)
        return CIV_OK; /* made by the run */
    if (!S_ISDIR(st.st_mode))
        return civ_fail_at(CIV_ERR_IO, &w, "the output folder is a file; name a folder (nothing was run)");
    DIR *d = opendir(target);
    if (!d)
        return civ_fail_at(CIV_ERR_IO, &w, "cannot read the output folder: %s", strerror(errno));
    civ_status s = CIV_OK;
    for (struct dirent *e; !s && (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || is_managed(e->d_name, managed, n))
            continue;
        char path[2 * PATH_BYTES];
        civ_snprintf(path, sizeof path, "%s/%s", target, e->d_name);
        if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
            s = civ_fail_at(CIV_ERR_IO, &w,
                            "the output folder holds '%s', which this run does not write and cannot carry over "
                            "(only files are): the folder is replaced as a whole when the new outputs are "
                            "published; give the run an output folder of its own (nothing was run)",
                            e->d_name);
    }
    closedir(d);
    return s;
}

/* Step 1: the user's own files of the old target into the new set. */
static civ_status carry_over(civ_staging *st, const char *target, const char *const *managed, size_t n)
{
    civ_status s = civ_staging_check_folder(target, managed, n);
    DIR *d = s ? NULL : opendir(target);
    if (!d)
        return s;
    for (struct dirent *e; !s && (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || is_managed(e->d_name, managed, n))
            continue;
        char from[2 * PATH_BYTES], to[2 * PATH_BYTES];
        civ_snprintf(from, sizeof from, "%s/%s", target, e->d_name);
        civ_snprintf(to, sizeof to, "%s/%s", st->dir, e->d_name);
        struct stat sb;
        if (lstat(to, &sb) == 0)
            continue; /* the new set has it */
        if (link(from, to) != 0) {
            civ_where w = {.file = from};
            s = civ_fail_at(CIV_ERR_IO, &w,
                            "cannot keep this file (not written by civicast) in the new output folder: "
                            "hard link failed: %s; move it out of the output folder",
                            strerror(errno));
        }
    }
    closedir(d);
    return s;
}

/* Steps 2-4: the exchange, then the old set removed. */
static civ_status exchange(civ_staging *st, const char *target)
{
    civ_where w = {.file = target};
    struct stat sb;
    kill_point(2);
    if (lstat(target, &sb) != 0) {
        if (renameat2(AT_FDCWD, st->dir, AT_FDCWD, target, RENAME_NOREPLACE) != 0 &&
            (errno != EINVAL || rename(st->dir, target) != 0))
            return civ_fail_at(CIV_ERR_IO, &w, "cannot publish the output folder: %s", strerror(errno));
        st->done = 1;
        fsync_path(st->parent);
        return CIV_OK;
    }
    if (renameat2(AT_FDCWD, st->dir, AT_FDCWD, target, RENAME_EXCHANGE) != 0) {
        if (errno != EINVAL && errno != ENOSYS)
            return civ_fail_at(CIV_ERR_IO, &w, "cannot publish the output folder: %s", strerror(errno));
        /* no RENAME_EXCHANGE here: two renames, the old set parked as .old */
        char old[PATH_BYTES + 8];
        civ_snprintf(old, sizeof old, "%s.old", st->dir);
        if (rename(target, old) != 0)
            return civ_fail_at(CIV_ERR_IO, &w, "cannot move the old output folder aside: %s", strerror(errno));
        if (rename(st->dir, target) != 0) {
            civ_status s = civ_fail_at(CIV_ERR_IO, &w, "cannot publish the output folder: %s", strerror(errno));
            rename(old, target);
            return s;
        }
        rename(old, st->dir);
    }
    /* the staging name now holds the old set (a signal from here removes it) */
    kill_point(3);
    fsync_path(st->parent);
    kill_point(4);
    civ_cleanup_remove_tree(st->dir);
    st->done = 1;
    return CIV_OK;
}

civ_status civ_staging_publish_folder(civ_staging *st, const char *target, const char *const *managed,
                                      size_t n_managed)
{
    if (!st || !target || !target[0] || (n_managed && !managed))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_staging_publish_folder: NULL argument");
    if (st->done)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_staging_publish_folder: already published");
    fsync_path(st->dir);
    kill_point(1);
    civ_status s = carry_over(st, target, managed, n_managed);
    if (!s)
        s = exchange(st, target);
    return s;
}

/* The checks of a file publication, before anything is renamed. */
static civ_status check_files(const civ_staging *st, const char *const *names, const char *const *targets, size_t n)
{
    struct stat sd;
    if (stat(st->dir, &sd) != 0)
        return civ_fail_at(CIV_ERR_IO, &(civ_where){.file = st->dir}, "the staging folder is gone");
    for (size_t i = 0; i < n; i++) {
        civ_where w = {.file = targets[i]};
        char from[2 * PATH_BYTES], parent[PATH_BYTES], base[PATH_BYTES];
        civ_snprintf(from, sizeof from, "%s/%s", st->dir, names[i]);
        struct stat sb;
        if (strpbrk(names[i], "/\t\n") || strpbrk(targets[i], "\t\n"))
            return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "an output path with a tab or a newline");
        if (stat(from, &sb) != 0)
            return civ_fail_at(CIV_ERR_IO, &w, "the staged file '%s' is missing", names[i]);
        civ_status s = split_target(targets[i], parent, base);
        if (s)
            return s;
        if (stat(parent, &sb) != 0)
            return civ_fail_at(CIV_ERR_IO, &w, "the output's folder does not exist: %s", strerror(errno));
        if (sb.st_dev != sd.st_dev)
            return civ_fail_at(CIV_ERR_IO, &w,
                                "this output is on another file system than '%s': outputs published together "
                                "must share one; write them to one file system",
                                targets[0]);
        if (stat(targets[i], &sb) == 0 && S_ISDIR(sb.st_mode))
            return civ_fail_at(CIV_ERR_IO, &w, "the output path names a folder, not a file");
    }
    return CIV_OK;
}

/* The journal, written whole (temporary name, fsync, rename, fsync). */
static civ_status write_journal(const civ_staging *st, const char *const *names, const char *const *targets,
                                size_t n)
{
    char tmp[PATH_BYTES + 16], path[PATH_BYTES + 16];
    civ_snprintf(tmp, sizeof tmp, "%s/%s.tmp", st->dir, JOURNAL);
    civ_snprintf(path, sizeof path, "%s/%s", st->dir, JOURNAL);
    civ_where w = {.file = path};
    FILE *f = fopen(tmp, "w");
    if (!f)
        return civ_fail_at(CIV_ERR_IO, &w, "cannot write the publication journal: %s", strerror(errno));
    char abs_target[PATH_MAX + PATH_BYTES];
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        cwd[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        /* absolute, so a later run from another folder rolls it forward right */
        civ_snprintf(abs_target, sizeof abs_target, "%s%s%s", targets[i][0] == '/' ? "" : cwd,
                     targets[i][0] == '/' ? "" : "/", targets[i]);
        civ_fprintf(f, "%s\t%s\n", names[i], abs_target);
    }
    int bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        unlink(tmp);
        return civ_fail_at(CIV_ERR_IO, &w, "cannot write the publication journal: %s", strerror(errno));
    }
    fsync_path(st->dir);
    return CIV_OK;
}

civ_status civ_staging_publish_files(civ_staging *st, const char *const *names, const char *const *targets,
                                     size_t n)
{
    if (!st || (n && (!names || !targets)))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_staging_publish_files: NULL argument");
    if (st->done)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_staging_publish_files: already published");
    civ_status s = check_files(st, names, targets, n);
    if (s)
        return s;
    kill_point(1);
    /* from the journal on, a signal must not remove the staged files (the
     * cleanup would leave half a set): SIGINT and SIGTERM wait */
    sigset_t block, saved;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &saved);
    s = write_journal(st, names, targets, n);
    for (size_t i = 0; i < n && !s; i++) {
        kill_point(i == 0 ? 2 : 3);
        char from[2 * PATH_BYTES];
        civ_snprintf(from, sizeof from, "%s/%s", st->dir, names[i]);
        if (rename(from, targets[i]) != 0) {
            civ_where w = {.file = targets[i]};
            s = civ_fail_at(CIV_ERR_IO, &w, "cannot replace the output file: %s", strerror(errno));
            /* the journal stays: the next run beside it finishes the set */
            st->done = 1;
        }
    }
    if (!s) {
        kill_point(4);
        st->done = 1;
        civ_cleanup_remove_tree(st->dir);
    }
    civ_cleanup_unregister(st->slot);
    st->slot = -1;
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    return s;
}

void civ_staging_free(civ_staging *st)
{
    if (!st)
        return;
    civ_cleanup_unregister(st->slot);
    if (!st->done)
        civ_cleanup_remove_tree(st->dir);
    if (st->lock_fd >= 0)
        close(st->lock_fd);
    free(st);
}
