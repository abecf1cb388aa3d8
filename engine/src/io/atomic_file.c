/*
 * atomic_file.c -- layer: io.  Temporary file + rename for every output (atomic_file.h).
 */
#define _GNU_SOURCE
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "c_locale.h"
#include "error.h"
#include "staging.h"

static civ_status make_temp(civ_atomic_file *af, const char *path, int *fd_out)
{
    memset(af, 0, sizeof *af);
    if (!path || !path[0])
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "output path is empty");
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = slash ? slash + 1 : path;
    if (!base[0]) {
        civ_where w = {.file = path};
        return civ_fail_at(CIV_ERR_IO, &w, "output path names a folder, not a file");
    }
    size_t need = strlen(path) + 16;
    af->path = strdup(path);
    af->temp_path = malloc(need);
    if (!af->path || !af->temp_path) {
        civ_atomic_abort(af);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for an output path");
    }
    civ_snprintf(af->temp_path, need, "%.*s.%s.tmp.XXXXXX", (int)dir_len, path, base);
    sigset_t held;
    civ_cleanup_hold(&held); /* no signal between the file and its registration */
    int fd = mkstemp(af->temp_path);
    if (fd < 0) {
        int err = errno;
        civ_cleanup_release(&held);
        free(af->temp_path);
        af->temp_path = NULL;
        civ_where w = {.file = path};
        civ_status s = civ_fail_at(CIV_ERR_IO, &w, "cannot create a file in the output folder: %s", strerror(err));
        civ_atomic_abort(af);
        return s;
    }
    af->cleanup_slot = civ_cleanup_register(af->temp_path, 0) + 1;
    civ_cleanup_release(&held);
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    *fd_out = fd;
    return CIV_OK;
}

civ_status civ_atomic_open(civ_atomic_file *af, const char *path)
{
    int fd;
    civ_status s = make_temp(af, path, &fd);
    if (s)
        return s;
    af->fp = fdopen(fd, "w");
    if (!af->fp) {
        int err = errno;
        close(fd);
        civ_where w = {.file = path};
        s = civ_fail_at(CIV_ERR_IO, &w, "cannot open output: %s", strerror(err));
        civ_atomic_abort(af);
        return s;
    }
    setvbuf(af->fp, NULL, _IOFBF, 1 << 16);
    return CIV_OK;
}

civ_status civ_atomic_reserve(civ_atomic_file *af, const char *path)
{
    int fd;
    civ_status s = make_temp(af, path, &fd);
    if (s)
        return s;
    close(fd);
    return CIV_OK;
}

civ_status civ_atomic_commit(civ_atomic_file *af)
{
    civ_where w = {.file = af->path};
    if (af->fp) {
        int bad = fflush(af->fp) != 0 || ferror(af->fp) || fsync(fileno(af->fp)) != 0;
        int err = errno;
        bad |= fclose(af->fp) != 0;
        af->fp = NULL;
        if (bad) {
            civ_status s = civ_fail_at(CIV_ERR_IO, &w, "write failed: %s", strerror(err ? err : EIO));
            civ_atomic_abort(af);
            return s;
        }
    }
    if (rename(af->temp_path, af->path) != 0) {
        civ_status s = civ_fail_at(CIV_ERR_IO, &w, "cannot replace the output file: %s", strerror(errno));
        civ_atomic_abort(af);
        return s;
    }
    civ_cleanup_unregister(af->cleanup_slot - 1);
    af->cleanup_slot = 0;
    free(af->temp_path);
    af->temp_path = NULL;
    free(af->path);
    af->path = NULL;
    return CIV_OK;
}

void civ_atomic_abort(civ_atomic_file *af)
{
    if (!af)
        return;
    if (af->fp)
        fclose(af->fp);
    af->fp = NULL;
    if (af->temp_path)
        unlink(af->temp_path);
    civ_cleanup_unregister(af->cleanup_slot - 1);
    af->cleanup_slot = 0;
    free(af->temp_path);
    free(af->path);
    af->temp_path = NULL;
    af->path = NULL;
}
