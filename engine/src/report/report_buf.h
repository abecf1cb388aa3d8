/*
 * report_buf.h -- layer report: a growable text buffer with JSON and HTML
 * escaping, the one writer behind the report page and its chart specs.
 *
 * A buffer that fails to grow remembers it (failed = 1) and ignores later
 * appends, so builders append freely and check once at the end.
 */
#ifndef CIV_REPORT_BUF_H
#define CIV_REPORT_BUF_H

#include <stddef.h>

#include "error.h"

typedef struct civ_rbuf {
    char *data;
    size_t len, cap;
    int failed;
} civ_rbuf;

void civ_rbuf_free(civ_rbuf *b);
void civ_rbuf_put(civ_rbuf *b, const char *text);
void civ_rbuf_putn(civ_rbuf *b, const char *text, size_t n);
void civ_rbuf_printf(civ_rbuf *b, const char *fmt, ...) CIV_PRINTF(2, 3);
/* A JSON string literal with quotes; NULL gives null. */
void civ_rbuf_json_str(civ_rbuf *b, const char *text);
/* A JSON number (shortest round-trip form); NaN and infinities give null. */
void civ_rbuf_json_num(civ_rbuf *b, double value);
/* Text escaped for HTML element content and attribute values. */
void civ_rbuf_html(civ_rbuf *b, const char *text);
/* Status of the buffer: CIV_OK or CIV_ERR_OUT_OF_MEMORY (recorded). */
civ_status civ_rbuf_status(const civ_rbuf *b);

#endif
