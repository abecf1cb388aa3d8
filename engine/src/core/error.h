/*
 * error.h -- layer: core.  Internal helpers to record the thread-local civ_error.
 *
 * Every failing path in the library ends in civ_fail()/civ_fail_at(), which
 * fill the calling thread's civ_error and return the status, so that
 *     return civ_fail_at(CIV_ERR_PARSE, &where, "bad number '%s'", cell);
 * both reports and propagates.  Nothing here prints.
 */
#ifndef CIV_ERROR_H
#define CIV_ERROR_H

#include "civicast.h"

/* Where a failure happened; any member may be NULL/0. */
typedef struct civ_where {
    const char *file;
    long line;
    long column;
    const char *series_id;
    const char *field;
} civ_where;

#if defined(__GNUC__)
#define CIV_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CIV_PRINTF(a, b)
#endif

/* Records status + message (printf-style) with no location; returns status. */
civ_status civ_fail(civ_status status, const char *fmt, ...) CIV_PRINTF(2, 3);
/* Records status + message + location (where may be NULL); returns status. */
civ_status civ_fail_at(civ_status status, const civ_where *where, const char *fmt, ...) CIV_PRINTF(3, 4);
/* Adds or replaces the series id / field of the current error (for callers
 * that know the context better than the callee did). */
void civ_error_set_series(const char *series_id);
void civ_error_set_field(const char *field);
/* Rebuilds error->text from its parts (after civ_error_set_*). */
void civ_error_refresh_text(void);
/* Copies the calling thread's error into dst (for per-series statuses). */
void civ_error_copy(civ_error *dst);
/* Returns s; a failure whose error names no file gets `path` as its file (cut at a UTF-8 boundary with "..."
 * when longer than civ_error keeps): for callers that know which input was being read when the callee did not
 * (a table from HDF5, a spec given as text). */
civ_status civ_error_name_file(civ_status s, const char *path);
/* Returns s; in a failure's file and message, a path under `staged` (a run's staging folder: `staged` itself or
 * `staged/...`) is replaced by the same path under `target` (the folder the user gave, trailing '/' ignored), so
 * that an error while writing a staged set names the user's folder and file ("out/report.html: write failed: No
 * space left on device", not "./.out.staging.Xb3kQz/report.html: ...").  Not for errors of publishing itself,
 * whose messages may name both folders. */
civ_status civ_error_unstage(civ_status s, const char *staged, const char *target);

/* Truncating copy that never splits a UTF-8 sequence; appends "..." when cut. */
void civ_copy_truncated(char *dst, size_t size, const char *src);

/* Table building and other status chains: CIV_TRY(call) stores the call's
 * status in the caller's `civ_status st` and jumps to the caller's `fail:`
 * label unless it is CIV_OK. */
#define CIV_TRY(x)                                                                                                     \
    do {                                                                                                               \
        if ((st = (x)) != CIV_OK)                                                                                      \
            goto fail;                                                                                                 \
    } while (0)

#endif
