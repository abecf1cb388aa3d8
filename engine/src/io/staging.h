/*
 * staging.h -- layer: io.  Internal helpers of the staging folders
 * (staging.c, cleanup.c); the public calls are in civicast.h ("Runs as
 * transactions").
 */
#ifndef CIV_STAGING_H
#define CIV_STAGING_H

#include <stddef.h>

#include <signal.h>

#include "civicast.h"

/* Removes a folder and everything in it (three levels deep); errors ignored. */
void civ_cleanup_remove_tree(const char *path);

/* SIGINT, SIGTERM and SIGHUP held on the calling thread from the creation of
 * a temporary file or folder to its civ_cleanup_register, so that a signal
 * cannot land between the two and leave a path the handler does not know
 * (cleanup.c); a held signal is delivered at civ_cleanup_release. */
void civ_cleanup_hold(sigset_t *saved);
void civ_cleanup_release(const sigset_t *saved);

/* Checks, before a run, that `target` can be published as a folder: it does
 * not exist, or it is a folder whose entries outside managed[0..n) are
 * regular files or symbolic links (carried over), not folders.  Errors:
 * CIV_ERR_IO naming the target and the entry, with what to do. */
civ_status civ_staging_check_folder(const char *target, const char *const *managed, size_t n);

#endif
