/*
 * error_restore.c -- layer core: civ_error_restore, which re-records a whole
 * civ_error (one taken on another thread or in another process, e.g. the
 * command's HDF5 guard child) as the calling thread's last error, and
 * civ_error_name_file, which gives a failure that names no file the input
 * being read, and civ_error_unstage, which names the user's folder in place
 * of a run's staging folder.
 */
#include <string.h>

#include "error.h"

/* Copies a fixed-size field that may lack its NUL (bytes from a pipe). */
static void bounded(char *dst, size_t size, const char *src, size_t src_size)
{
    size_t n = strnlen(src, src_size);
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

civ_status civ_error_restore(const civ_error *error)
{
    if (!error || error->status <= CIV_OK || error->status >= CIV_STATUS_COUNT_)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_error_restore: %s",
                        error ? "the error's status is not a failure status" : "error is NULL");
    char message[sizeof error->message], file[sizeof error->file], series[sizeof error->series_id],
        field[sizeof error->field];
    bounded(message, sizeof message, error->message, sizeof error->message);
    bounded(file, sizeof file, error->file, sizeof error->file);
    bounded(series, sizeof series, error->series_id, sizeof error->series_id);
    bounded(field, sizeof field, error->field, sizeof error->field);
    civ_where w = {.file = file[0] ? file : NULL,
                   .line = error->line,
                   .column = error->column,
                   .series_id = series[0] ? series : NULL,
                   .field = field[0] ? field : NULL};
    return civ_fail_at(error->status, &w, "%s", message);
}

civ_status civ_error_name_file(civ_status s, const char *path)
{
    if (!s || !path || civ_last_error()->file[0])
        return s;
    civ_error e = *civ_last_error();
    civ_copy_truncated(e.file, sizeof e.file, path);
    return civ_error_restore(&e);
}

/* Copies src into dst (size bytes) with every occurrence of `from` that is a whole path prefix (followed by '/',
 * the end, or a character that cannot continue a path in a message: quote, space, colon, comma, ')') replaced by
 * `to`; returns whether anything was replaced.  Cut at a UTF-8 boundary when the result is longer than dst. */
static int replace_prefix(char *dst, size_t size, const char *src, const char *from, size_t from_len, const char *to,
                          size_t to_len)
{
    char out[2048];
    size_t at = 0;
    int changed = 0;
    for (const char *p = src; *p && at + 1 < sizeof out;) {
        if (!strncmp(p, from, from_len) && strchr("/'\" :,)", p[from_len])) { /* strchr finds the end's NUL */
            size_t n = to_len < sizeof out - 1 - at ? to_len : sizeof out - 1 - at;
            memcpy(out + at, to, n);
            at += n;
            p += from_len;
            changed = 1;
        } else {
            out[at++] = *p++;
        }
    }
    out[at] = 0;
    if (changed)
        civ_copy_truncated(dst, size, out);
    return changed;
}

civ_status civ_error_unstage(civ_status s, const char *staged, const char *target)
{
    if (!s || !staged || !staged[0] || !target || !target[0])
        return s;
    size_t from_len = strlen(staged), to_len = strlen(target);
    while (to_len > 1 && target[to_len - 1] == '/')
        to_len--;
    civ_error e = *civ_last_error();
    int changed = replace_prefix(e.file, sizeof e.file, civ_last_error()->file, staged, from_len, target, to_len);
    changed |= replace_prefix(e.message, sizeof e.message, civ_last_error()->message, staged, from_len, target, to_len);
    return changed ? civ_error_restore(&e) : s;
}
