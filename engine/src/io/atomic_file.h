/*
 * atomic_file.h -- layer: io.  Crash-safe output files.
 *
 * Every output is written to a temporary file in the destination's folder and
 * renamed over the destination only when complete (rename(2) is atomic within
 * a file system), so a crash or an error leaves either the old file or the
 * complete new one, never a partial one.
 */
#ifndef CIV_ATOMIC_FILE_H
#define CIV_ATOMIC_FILE_H

#include <stdio.h>

#include "civicast.h"

typedef struct civ_atomic_file {
    FILE *fp;          /* write here (stdio, buffered) */
    char *path;        /* final destination */
    char *temp_path;   /* "<dir>/.<name>.tmp.XXXXXX" */
    int cleanup_slot;  /* civ_cleanup_register's slot + 1 (0 = none): a signal removes the temporary file */
} civ_atomic_file;

/* Creates the temporary file (mode 0644 less umask) and opens it for writing.
 * Errors: CIV_ERR_IO naming the path and errno text. */
civ_status civ_atomic_open(civ_atomic_file *af, const char *path);
/* Creates a unique temporary path (and an empty file) for writers that open
 * by name (HDF5); af->fp stays NULL.  Commit or abort as usual. */
civ_status civ_atomic_reserve(civ_atomic_file *af, const char *path);
/* Flushes, fsyncs, closes and renames onto the destination.  On failure the
 * temporary file is removed.  Errors: CIV_ERR_IO. */
civ_status civ_atomic_commit(civ_atomic_file *af);
/* Closes and removes the temporary file; safe to call after a commit, on a
 * zeroed struct, or twice. */
void civ_atomic_abort(civ_atomic_file *af);

#endif
