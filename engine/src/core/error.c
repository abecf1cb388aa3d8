/*
 * error.c -- layer: core.  Status names and the thread-local last-error record.
 *
 * The status list lives in civicast.h (CIV_STATUS_LIST) so that codes,
 * names and messages cannot drift apart.  Each thread has its own civ_error
 * (C11 _Thread_local), so parallel batches report without locks.
 */
#include "error.h"
#include "c_locale.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local civ_error tls_error;

const char *civ_strerror(civ_status status)
{
    switch (status) {
#define CIV_STATUS_MESSAGE_(name, value, message) \
    case name:                                    \
        return message;
        CIV_STATUS_LIST(CIV_STATUS_MESSAGE_)
#undef CIV_STATUS_MESSAGE_
    default:
        return "unknown status";
    }
}

const char *civ_status_name(civ_status status)
{
    switch (status) {
#define CIV_STATUS_NAME_(name, value, message) \
    case name:                                 \
        return #name;
        CIV_STATUS_LIST(CIV_STATUS_NAME_)
#undef CIV_STATUS_NAME_
    default:
        return "CIV_ERR_UNKNOWN";
    }
}

void civ_copy_truncated(char *dst, size_t size, const char *src)
{
    if (size == 0)
        return;
    if (!src) {
        dst[0] = '\0';
        return;
    }
    size_t len = strlen(src);
    if (len < size) {
        memcpy(dst, src, len + 1);
        return;
    }
    if (size < 4) {
        dst[0] = '\0';
        return;
    }
    size_t keep = size - 4;
    /* Step back over UTF-8 continuation bytes so no character is split. */
    while (keep > 0 && ((unsigned char)src[keep] & 0xC0) == 0x80)
        keep--;
    memcpy(dst, src, keep);
    memcpy(dst + keep, "...", 4);
}

void civ_error_refresh_text(void)
{
    civ_error *e = &tls_error;
    /* Precisions are the civ_error member sizes, so nothing is cut here (and
     * -Wformat-truncation can see it). */
    char loc[700] = "";
    size_t n = 0;
    if (e->file[0]) {
        if (e->line > 0 && e->column > 0)
            n = (size_t)civ_snprintf(loc, sizeof loc, "%.511s:%ld:%ld: ", e->file, e->line, e->column);
        else if (e->line > 0)
            n = (size_t)civ_snprintf(loc, sizeof loc, "%.511s:%ld: ", e->file, e->line);
        else
            n = (size_t)civ_snprintf(loc, sizeof loc, "%.511s: ", e->file);
    }
    (void)n;
    char ctx[420] = "";
    if (e->series_id[0] && e->field[0])
        civ_snprintf(ctx, sizeof ctx, " (series '%.255s', field '%.127s')", e->series_id, e->field);
    else if (e->series_id[0])
        civ_snprintf(ctx, sizeof ctx, " (series '%.255s')", e->series_id);
    else if (e->field[0])
        civ_snprintf(ctx, sizeof ctx, " (field '%.127s')", e->field);
    civ_snprintf(e->text, sizeof e->text, "%.700s%.511s%.320s", loc, e->message, ctx);
    /* The text is promised on one line (CLI stderr, logs), but ids, fields and
     * file names may hold newlines or other control bytes: blank them. */
    for (char *c = e->text; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = ' ';
        else if ((unsigned char)*c == 0xC2 && (unsigned char)c[1] >= 0x80 && (unsigned char)c[1] <= 0x9F)
            c[0] = c[1] = ' '; /* C1 controls (U+0080..U+009F, e.g. CSI): terminals obey them too */
}

static civ_status fail_v(civ_status status, const civ_where *where, const char *fmt, va_list ap)
{
    civ_error *e = &tls_error;
    memset(e, 0, sizeof *e);
    e->status = status;
    civ_vsnprintf(e->message, sizeof e->message, fmt, ap);
    if (where) {
        civ_copy_truncated(e->file, sizeof e->file, where->file);
        e->line = where->line;
        e->column = where->column;
        civ_copy_truncated(e->series_id, sizeof e->series_id, where->series_id);
        civ_copy_truncated(e->field, sizeof e->field, where->field);
    }
    civ_error_refresh_text();
    return status;
}

civ_status civ_fail(civ_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    civ_status s = fail_v(status, NULL, fmt, ap);
    va_end(ap);
    return s;
}

civ_status civ_fail_at(civ_status status, const civ_where *where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    civ_status s = fail_v(status, where, fmt, ap);
    va_end(ap);
    return s;
}

void civ_error_set_series(const char *series_id)
{
    civ_copy_truncated(tls_error.series_id, sizeof tls_error.series_id, series_id);
    civ_error_refresh_text();
}

void civ_error_set_field(const char *field)
{
    civ_copy_truncated(tls_error.field, sizeof tls_error.field, field);
    civ_error_refresh_text();
}

void civ_error_copy(civ_error *dst)
{
    *dst = tls_error;
}

const civ_error *civ_last_error(void)
{
    return &tls_error;
}

const char *civ_last_error_message(void)
{
    return tls_error.text;
}

void civ_clear_error(void)
{
    memset(&tls_error, 0, sizeof tls_error);
}

unsigned civ_version_number(void)
{
    return CIV_VERSION_NUMBER;
}

const char *civ_version(void)
{
    return CIV_VERSION_STRING;
}
