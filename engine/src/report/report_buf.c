/*
 * report_buf.c -- layer report: growable text buffer with JSON and HTML
 * escaping (report_buf.h).
 */
#include "report_buf.h"
#include "c_locale.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(civ_rbuf *b, size_t extra)
{
    if (b->failed)
        return 0;
    if (b->len + extra + 1 <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return 0;
    }
    b->data = p;
    b->cap = cap;
    return 1;
}

void civ_rbuf_free(civ_rbuf *b)
{
    if (!b)
        return;
    free(b->data);
    memset(b, 0, sizeof *b);
}

void civ_rbuf_putn(civ_rbuf *b, const char *text, size_t n)
{
    if (!grow(b, n))
        return;
    if (n) /* text may be NULL when n is 0 (an empty piece); memcpy's arguments may not */
        memcpy(b->data + b->len, text, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void civ_rbuf_put(civ_rbuf *b, const char *text)
{
    civ_rbuf_putn(b, text, strlen(text));
}

void civ_rbuf_printf(civ_rbuf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = civ_vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        civ_rbuf_putn(b, small, (size_t)n);
        return;
    }
    if (!grow(b, (size_t)n))
        return;
    va_start(ap, fmt);
    civ_vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void civ_rbuf_json_str(civ_rbuf *b, const char *text)
{
    if (!text) {
        civ_rbuf_put(b, "null");
        return;
    }
    civ_rbuf_putn(b, "\"", 1);
    const char *run = text;
    for (const char *p = text; *p; p++) {
        unsigned char c = (unsigned char)*p;
        /* '<' is escaped too so that "</script>" inside data cannot end the
         * script element the specs are inlined in. */
        if (c < 0x20 || c == '"' || c == '\\' || c == '<') {
            civ_rbuf_putn(b, run, (size_t)(p - run));
            civ_rbuf_printf(b, "\\u%04x", c);
            run = p + 1;
        }
    }
    civ_rbuf_put(b, run);
    civ_rbuf_putn(b, "\"", 1);
}

void civ_rbuf_json_num(civ_rbuf *b, double value)
{
    if (!isfinite(value)) {
        civ_rbuf_put(b, "null");
        return;
    }
    if (value == floor(value) && fabs(value) < 1e15) {
        civ_rbuf_printf(b, "%.0f", value);
        return;
    }
    char buf[40];
    for (int prec = 6; prec <= 17; prec++) {
        civ_snprintf(buf, sizeof buf, "%.*g", prec, value);
        if (civ_strtod(buf, NULL) == value)
            break;
    }
    civ_rbuf_put(b, buf);
}

void civ_rbuf_html(civ_rbuf *b, const char *text)
{
    const char *run = text ? text : "";
    for (const char *p = run; *p; p++) {
        const char *rep = NULL;
        switch (*p) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: break;
        }
        if (rep) {
            civ_rbuf_putn(b, run, (size_t)(p - run));
            civ_rbuf_put(b, rep);
            run = p + 1;
        }
    }
    civ_rbuf_put(b, run);
}

civ_status civ_rbuf_status(const civ_rbuf *b)
{
    return b->failed ? civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory while building the report") : CIV_OK;
}
