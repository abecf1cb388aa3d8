/*
 * xlsx_read.c -- layer: io.  Reads one sheet of an Excel workbook (.xlsx) into CSV text that the CSV readers read.
 *
 * A workbook is a zip (read with zlib's minizip) of XML parts (streamed
 * through expat).  The parts read: xl/workbook.xml (sheet names, the 1904
 * date system), xl/_rels/workbook.xml.rels (where each sheet's part is),
 * xl/sharedStrings.xml (rich-text runs concatenated, phonetic runs left out),
 * xl/styles.xml (cellXfs -> numFmtId -> date or not) and the sheet.  The sheet
 * is written as CSV text into an unnamed temporary file, one record per sheet
 * row from row 1, each as wide as the widest row, so that a CSV error's
 * file:line:column is the sheet's row and column; the CSV reader then applies
 * every CSV rule unchanged (total rows, thousands, wide layout, Chinese dates,
 * ids as text).  Values are exact:
 *   - a number: the shortest decimal that reads back (civ_csv_format_number);
 *   - a number whose format is a date (built-in ids 14-22, 45-47 and the
 *     CJK ids 27-36, 50-58; a custom code with y, m, d, h or s outside quotes,
 *     brackets and escapes): ISO text, "2025-01-05"; "2025-01" when the
 *     format shows no day ('yyyy"年"m"月"', mmm-yy, yyyy-mm; the zh-CN
 *     meaning of the CJK ids); "2025" when it shows the year alone.  Serials
 *     count from 1899-12-31 (1900 system; serial 60 is Excel's phantom
 *     1900-02-29, refused) or 1904-01-01 (workbookPr date1904).  A time of
 *     day other than midnight is refused at the cell, unless the format shows
 *     one with the date (id 22, "yyyy-mm-dd hh:mm"): then "2025-01-05
 *     13:30:00" (".250" with milliseconds), as a CSV writes a sensor log's
 *     times; at midnight such a cell is its date alone, as before;
 *   - shared strings, inline strings, formula text (t="str") and error
 *     values (#DIV/0!, which the CSV rules then explain) as text; booleans
 *     as TRUE / FALSE; ISO dates of t="d" cells as their date;
 *   - a formula with no cached value (a file written by a library that does
 *     not calculate) is refused at its cell.
 * Hostile files: every part is capped at civ_xlsx_part_limit() bytes
 * unpacked (zip bombs), the CSV text at the same size; a DOCTYPE is refused
 * (no entity is ever expanded); encrypted entries, a broken zip, a CRC
 * mismatch, a missing part, a cell reference out of order or beyond
 * XFD1048576, a shared-string index beyond the table are CIV_ERR_PARSE or
 * CIV_ERR_LIMIT naming the file and the part or cell.
 */
#include "xlsx_read.h"

#include <errno.h>
#include <expat.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <unzip.h>

#include "c_locale.h"
#include "csv.h"
#include "date.h"
#include "error.h"

#define MAX_ROW 1048576L
#define MAX_COL 16384L
#define CHUNK ((size_t)64 << 10)
#define FORMULA_CURE "open and save it in Excel or LibreOffice so its formulas are calculated"

static size_t part_limit_bytes;

size_t civ_xlsx_part_limit(void) { return part_limit_bytes ? part_limit_bytes : (size_t)1 << 30; }
void civ_xlsx_set_part_limit(size_t bytes) { part_limit_bytes = bytes; }

static const char *extension(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    return dot && !strchr(dot, '/') ? dot : NULL;
}

int civ_xlsx_is_workbook(const char *path)
{
    const char *dot = extension(path);
    return dot && (!civ_ascii_casecmp(dot, ".xlsx") || !civ_ascii_casecmp(dot, ".xlsm"));
}

civ_status civ_xlsx_refuse_other(const char *path)
{
    const char *dot = extension(path);
    static const char *const other[] = {".xls", ".xlsb", ".ods", ".et", ".numbers"};
    for (size_t k = 0; dot && k < sizeof other / sizeof *other; k++)
        if (!civ_ascii_casecmp(dot, other[k])) {
            civ_where w = {.file = path};
            return civ_fail_at(CIV_ERR_UNSUPPORTED, &w,
                               "civicast reads Excel workbooks as .xlsx, not %s: open it and save it as \"Excel "
                               "Workbook (.xlsx)\" or as \"CSV UTF-8\"", dot);
        }
    return CIV_OK;
}

void civ_xlsx_cell_name(long row, long column, char *buf)
{
    buf[0] = '\0';
    if (row < 1 || row > MAX_ROW || column < 1 || column > MAX_COL)
        return;
    char letters[4];
    int n = 0;
    for (long c = column; c > 0; c = (c - 1) / 26)
        letters[n++] = (char)('A' + (c - 1) % 26);
    for (int i = 0; i < n; i++)
        buf[i] = letters[n - 1 - i];
    civ_snprintf(buf + n, 12, "%ld", row);
}

/* ======================================================================== */
/* Growable text                                                            */
/* ======================================================================== */

typedef struct xbuf {
    char *p;
    size_t n, cap;
} xbuf;

static int xb_add(xbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return -1;
        b->p = p, b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
    return 0;
}

/* ======================================================================== */
/* The workbook                                                             */
/* ======================================================================== */

enum { KIND_NONE = 0, KIND_DAY, KIND_MONTH, KIND_YEAR, KIND_DATETIME }; /* DATETIME: a day and a time of day */

typedef struct book {
    const char *path;
    unzFile zf;
    int date1904;
    size_t n_sheets;
    char **name, **rid, **part; /* per sheet */
    xbuf sst;                   /* shared strings, each NUL-terminated */
    size_t *sst_off, n_sst, sst_cap;
    unsigned char *xf_kind;     /* per cellXfs index */
    size_t n_xf, xf_cap;
    int *fmt_id, *fmt_kind;     /* custom numFmts */
    size_t n_fmt, fmt_cap;
} book;

static void book_free(book *b)
{
    for (size_t i = 0; i < b->n_sheets; i++)
        free(b->name[i]), free(b->rid[i]), free(b->part[i]);
    free(b->name), free(b->rid), free(b->part);
    free(b->sst.p), free(b->sst_off), free(b->xf_kind), free(b->fmt_id), free(b->fmt_kind);
    if (b->zf)
        unzClose(b->zf);
}

/* What one part's parse shares with its handlers. */
typedef struct px {
    book *b;
    const char *part;
    XML_Parser parser;
    civ_status status;
    void *state;
} px;

static void stop(px *x, civ_status s)
{
    if (!x->status)
        x->status = s;
    XML_StopParser(x->parser, XML_FALSE);
}

static civ_status oom(px *x)
{
    civ_where w = {.file = x->b->path};
    return civ_fail_at(CIV_ERR_OUT_OF_MEMORY, &w, "out of memory reading part %s", x->part);
}

static const char *local(const char *name)
{
    const char *bar = strrchr(name, '|');
    return bar ? bar + 1 : name;
}

/* The value of attribute `want` (local name; with_ns: only a namespaced one). */
static const char *attr(const char **atts, const char *want, int with_ns)
{
    for (size_t i = 0; atts[i]; i += 2)
        if (!strcmp(local(atts[i]), want) && (!with_ns || strchr(atts[i], '|')))
            return atts[i + 1];
    return NULL;
}

static void XMLCALL refuse_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
                                   int has_internal)
{
    px *x = ud;
    civ_where w = {.file = x->b->path};
    stop(x, civ_fail_at(CIV_ERR_PARSE, &w,
                        "part %s has a DOCTYPE (a document type declaration, which can define entities): no "
                        "workbook part has one, so the file is refused; save it again from Excel or LibreOffice",
                        x->part));
}

static void XMLCALL refuse_entity(void *ud, const XML_Char *name, int pe, const XML_Char *value, int len,
                                  const XML_Char *base, const XML_Char *sysid, const XML_Char *pubid,
                                  const XML_Char *notation)
{
    px *x = ud;
    civ_where w = {.file = x->b->path};
    stop(x, civ_fail_at(CIV_ERR_PARSE, &w, "part %s declares an entity: refused", x->part));
}

/* Locates part `name` and opens it for reading: *here = 0 (and CIV_OK) when it is absent and optional; absent
 * and required is CIV_ERR_PARSE, as is a damaged or encrypted entry; one over the part limit is CIV_ERR_LIMIT. */
static civ_status open_part(book *b, const char *name, int optional, unz_file_info64 *info, int *here)
{
    civ_where w = {.file = b->path};
    *here = 0;
    if (unzLocateFile(b->zf, name, 2) != UNZ_OK) {
        if (optional)
            return CIV_OK;
        return civ_fail_at(CIV_ERR_PARSE, &w,
                           "part %s is missing: the workbook is incomplete or not an Excel workbook; save it again "
                           "from Excel or LibreOffice as .xlsx", name);
    }
    *here = 1;
    if (unzGetCurrentFileInfo64(b->zf, info, NULL, 0, NULL, 0, NULL, 0) != UNZ_OK)
        return civ_fail_at(CIV_ERR_PARSE, &w, "part %s: damaged zip directory", name);
    if (info->flag & 1)
        return civ_fail_at(CIV_ERR_PARSE, &w,
                           "part %s is encrypted: save the workbook without a password (File, Info, Protect "
                           "Workbook) or as \"CSV UTF-8\"", name);
    size_t limit = civ_xlsx_part_limit();
    if (info->uncompressed_size > limit)
        return civ_fail_at(CIV_ERR_LIMIT, &w, "part %s is %llu bytes unpacked, over the limit of %zu bytes", name,
                           (unsigned long long)info->uncompressed_size, limit);
    if (unzOpenCurrentFile(b->zf) != UNZ_OK)
        return civ_fail_at(CIV_ERR_PARSE, &w,
                           "part %s cannot be unpacked (damaged, or compressed with a method other than deflate)",
                           name);
    return CIV_OK;
}

/* Feeds the open part to x's parser a chunk at a time, until its end, a handler's stop, malformed XML, or more
 * than `limit` bytes (`declared`: the size its zip entry says). */
static civ_status stream_part(px *x, char *chunk, size_t limit, unsigned long long declared)
{
    civ_where w = {.file = x->b->path};
    const char *name = x->part;
    size_t total = 0;
    for (;;) {
        int got = unzReadCurrentFile(x->b->zf, chunk, (unsigned)CHUNK);
        if (got < 0)
            return civ_fail_at(CIV_ERR_PARSE, &w, "part %s cannot be unpacked: the zip is damaged (error %d)", name,
                               got);
        total += (size_t)got;
        if (total > limit)
            return civ_fail_at(CIV_ERR_LIMIT, &w,
                               "part %s unpacks to more than the limit of %zu bytes (its zip entry says %llu): "
                               "refused", name, limit, declared);
        if (XML_Parse(x->parser, chunk, got, got == 0) != XML_STATUS_OK) {
            if (x->status)
                return x->status;
            if (XML_GetErrorCode(x->parser) == XML_ERROR_ABORTED)
                return CIV_OK; /* a handler had seen enough (a sheet's probe) */
            return civ_fail_at(CIV_ERR_PARSE, &w, "part %s, line %lu: malformed XML (%s)", name,
                               (unsigned long)XML_GetCurrentLineNumber(x->parser),
                               XML_ErrorString(XML_GetErrorCode(x->parser)));
        }
        if (x->status)
            return x->status;
        if (got == 0)
            return CIV_OK;
    }
}

/* Streams part `name` through a parser with the given handlers.  *found = 0
 * (and CIV_OK) when the part is absent and found is not NULL; absent and
 * required (found NULL) is CIV_ERR_PARSE. */
static civ_status parse_part(book *b, const char *name, void *state, XML_StartElementHandler start,
                             XML_EndElementHandler end, XML_CharacterDataHandler text, int *found)
{
    civ_where w = {.file = b->path};
    unz_file_info64 info;
    int here;
    civ_status s = open_part(b, name, found != NULL, &info, &here);
    if (found)
        *found = here;
    if (s || !here)
        return s;
    px x = {.b = b, .part = name, .state = state};
    x.parser = XML_ParserCreateNS(NULL, '|');
    char *chunk = malloc(CHUNK);
    if (!x.parser || !chunk) {
        s = oom(&x);
        goto done;
    }
    XML_SetUserData(x.parser, &x);
    XML_SetElementHandler(x.parser, start, end);
    if (text)
        XML_SetCharacterDataHandler(x.parser, text);
    XML_SetStartDoctypeDeclHandler(x.parser, refuse_doctype);
    XML_SetEntityDeclHandler(x.parser, refuse_entity);
    s = stream_part(&x, chunk, civ_xlsx_part_limit(), (unsigned long long)info.uncompressed_size);
done:
    if (unzCloseCurrentFile(b->zf) == UNZ_CRCERROR && !s)
        s = civ_fail_at(CIV_ERR_PARSE, &w, "part %s fails its checksum: the file is damaged", name);
    if (x.parser)
        XML_ParserFree(x.parser);
    free(chunk);
    return s;
}

static char *dup_text(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    return d ? memcpy(d, s, n) : NULL;
}

/* ---- xl/workbook.xml --------------------------------------------------- */

static void XMLCALL wb_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
    px *x = ud;
    book *b = x->b;
    const char *n = local(el);
    if (!strcmp(n, "workbookPr")) {
        const char *v = attr(atts, "date1904", 0);
        b->date1904 = v && (!strcmp(v, "1") || !civ_ascii_casecmp(v, "true"));
    } else if (!strcmp(n, "sheet")) {
        const char *name = attr(atts, "name", 0), *rid = attr(atts, "id", 1);
        if (!name) {
            civ_where w = {.file = b->path};
            stop(x, civ_fail_at(CIV_ERR_PARSE, &w, "part %s: a sheet without a name", x->part));
            return;
        }
        char **nn = realloc(b->name, (b->n_sheets + 1) * sizeof *nn);
        if (nn)
            b->name = nn;
        char **rr = realloc(b->rid, (b->n_sheets + 1) * sizeof *rr);
        if (rr)
            b->rid = rr;
        char **pp = realloc(b->part, (b->n_sheets + 1) * sizeof *pp);
        if (pp)
            b->part = pp;
        if (!nn || !rr || !pp) {
            stop(x, oom(x));
            return;
        }
        b->name[b->n_sheets] = dup_text(name);
        b->rid[b->n_sheets] = rid ? dup_text(rid) : NULL;
        b->part[b->n_sheets] = NULL;
        b->n_sheets++;
        if (!b->name[b->n_sheets - 1] || (rid && !b->rid[b->n_sheets - 1]))
            stop(x, oom(x));
    }
}

static void XMLCALL no_end(void *ud, const XML_Char *el) {}

/* ---- xl/_rels/workbook.xml.rels ---------------------------------------- */

static void XMLCALL rels_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
    px *x = ud;
    book *b = x->b;
    if (strcmp(local(el), "Relationship"))
        return;
    const char *id = attr(atts, "Id", 0), *target = attr(atts, "Target", 0);
    if (!id || !target)
        return;
    for (size_t i = 0; i < b->n_sheets; i++) {
        if (!b->rid[i] || strcmp(b->rid[i], id) || b->part[i])
            continue;
        size_t n = strlen(target) + 4;
        char *p = malloc(n);
        if (!p) {
            stop(x, oom(x));
            return;
        }
        if (target[0] == '/')
            civ_snprintf(p, n, "%s", target + 1);
        else
            civ_snprintf(p, n, "xl/%s", target);
        b->part[i] = p;
    }
}

/* ---- xl/sharedStrings.xml ---------------------------------------------- */

typedef struct sst_state {
    int in_si, in_t, rph; /* rph: inside a phonetic run (<rPh>), whose text is not the cell's */
} sst_state;

static void XMLCALL sst_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
    px *x = ud;
    sst_state *st = x->state;
    book *b = x->b;
    const char *n = local(el);
    if (!strcmp(n, "si")) {
        if (b->n_sst == b->sst_cap) {
            size_t cap = b->sst_cap ? 2 * b->sst_cap : 256;
            size_t *o = realloc(b->sst_off, cap * sizeof *o);
            if (!o) {
                stop(x, oom(x));
                return;
            }
            b->sst_off = o, b->sst_cap = cap;
        }
        b->sst_off[b->n_sst] = b->sst.n;
        st->in_si = 1;
    } else if (!strcmp(n, "rPh")) {
        st->rph++;
    } else if (!strcmp(n, "t") && st->in_si && !st->rph) {
        st->in_t = 1;
    }
}

static void XMLCALL sst_end(void *ud, const XML_Char *el)
{
    px *x = ud;
    sst_state *st = x->state;
    book *b = x->b;
    const char *n = local(el);
    if (!strcmp(n, "si") && st->in_si) {
        if (xb_add(&b->sst, "", 1)) /* the NUL that ends the string */
            stop(x, oom(x));
        b->n_sst++;
        st->in_si = 0;
    } else if (!strcmp(n, "rPh")) {
        st->rph--;
    } else if (!strcmp(n, "t")) {
        st->in_t = 0;
    }
}

static void XMLCALL sst_text(void *ud, const XML_Char *s, int len)
{
    px *x = ud;
    sst_state *st = x->state;
    if (st->in_t && xb_add(&x->b->sst, s, (size_t)len))
        stop(x, oom(x));
}

/* ---- xl/styles.xml ----------------------------------------------------- */

static int builtin_kind(long id)
{
    switch (id) {
    case 17: case 27: case 36: case 50: case 52: case 57:
        return KIND_MONTH; /* mmm-yy; zh-CN yyyy"年"m"月" */
    default:
        break;
    }
    if (id == 22)
        return KIND_DATETIME; /* m/d/yy h:mm */
    if ((id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) || (id >= 50 && id <= 58))
        return KIND_DAY;
    return KIND_NONE;
}

/* The kind of a custom format code: the letters y m d h s outside quotes,
 * brackets ([$-804], [Red], [h]) and escapes (\x, _x, *x) of its first
 * section make it a date; a day (d) gives KIND_DAY, a day or year with a
 * time (h, s: "yyyy-mm-dd hh:mm") KIND_DATETIME, a month without a day or a
 * time KIND_MONTH, a year alone KIND_YEAR; a time alone KIND_DAY (its time
 * of day is refused unless it is midnight). */
static int code_kind(const char *code)
{
    int y = 0, m = 0, d = 0, hs = 0;
    for (const char *p = code; *p && *p != ';'; p++) {
        char c = *p;
        if (c == '"') {
            const char *q = strchr(p + 1, '"');
            if (!q)
                break;
            p = q;
        } else if (c == '[') {
            const char *q = strchr(p + 1, ']');
            if (!q)
                break;
            p = q;
        } else if (c == '\\' || c == '_' || c == '*') {
            if (!p[1])
                break;
            p++;
        } else {
            c = (char)(c | 0x20);
            y |= c == 'y', m |= c == 'm', d |= c == 'd', hs |= c == 'h' || c == 's';
        }
    }
    if ((d || y) && hs)
        return KIND_DATETIME;
    if (d)
        return KIND_DAY;
    if (m && !hs)
        return KIND_MONTH;
    if (y && !hs)
        return KIND_YEAR;
    return hs || m || y ? KIND_DAY : KIND_NONE;
}

typedef struct style_state {
    int in_xfs;
} style_state;

static void XMLCALL style_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
    px *x = ud;
    style_state *st = x->state;
    book *b = x->b;
    const char *n = local(el);
    if (!strcmp(n, "cellXfs")) {
        st->in_xfs = 1;
    } else if (!strcmp(n, "numFmt")) {
        const char *id = attr(atts, "numFmtId", 0), *code = attr(atts, "formatCode", 0);
        if (!id || !code)
            return;
        if (b->n_fmt == b->fmt_cap) {
            size_t cap = b->fmt_cap ? 2 * b->fmt_cap : 16;
            int *i = realloc(b->fmt_id, cap * sizeof *i);
            if (i)
                b->fmt_id = i;
            int *k = realloc(b->fmt_kind, cap * sizeof *k);
            if (k)
                b->fmt_kind = k;
            if (!i || !k) {
                stop(x, oom(x));
                return;
            }
            b->fmt_cap = cap;
        }
        b->fmt_id[b->n_fmt] = atoi(id);
        b->fmt_kind[b->n_fmt] = code_kind(code);
        b->n_fmt++;
    } else if (!strcmp(n, "xf") && st->in_xfs) {
        const char *id = attr(atts, "numFmtId", 0);
        long fid = id ? strtol(id, NULL, 10) : 0;
        int kind = builtin_kind(fid);
        for (size_t k = 0; k < b->n_fmt; k++) /* a custom code overrides a built-in id */
            if (b->fmt_id[k] == fid)
                kind = b->fmt_kind[k];
        if (b->n_xf == b->xf_cap) {
            size_t cap = b->xf_cap ? 2 * b->xf_cap : 64;
            unsigned char *k = realloc(b->xf_kind, cap);
            if (!k) {
                stop(x, oom(x));
                return;
            }
            b->xf_kind = k, b->xf_cap = cap;
        }
        b->xf_kind[b->n_xf++] = (unsigned char)kind;
    }
}

static void XMLCALL style_end(void *ud, const XML_Char *el)
{
    px *x = ud;
    style_state *st = x->state;
    if (!strcmp(local(el), "cellXfs"))
        st->in_xfs = 0;
}

/* ======================================================================== */
/* The sheet                                                                */
/* ======================================================================== */

enum { PASS_PROBE, PASS_MEASURE, PASS_WRITE };

typedef struct sheet_state {
    int pass;
    const char *sheet;  /* its name, for messages */
    FILE *out;
    int found;          /* PASS_PROBE: a cell with content was seen */
    long row, col;      /* the current row, the last cell's column */
    long row_given;     /* the current <row>'s r, or 0 */
    long last_row, width; /* PASS_MEASURE's results: the last row and column with a value */
    long written_row;   /* PASS_WRITE: rows written so far */
    long n_written;     /* fields written in the current row */
    size_t out_bytes;
    /* the current cell */
    char type[12];
    long style;
    int has_v, has_f, in_v, in_is, in_t, rph;
    xbuf v, is;
    xbuf field;
} sheet_state;

static civ_status cell_fail(px *x, civ_status status, long row, long col, const char *fmt, ...) CIV_PRINTF(5, 6);

static civ_status cell_fail(px *x, civ_status status, long row, long col, const char *fmt, ...)
{
    sheet_state *st = x->state;
    char message[400], cell[16];
    va_list ap;
    va_start(ap, fmt);
    civ_vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    civ_xlsx_cell_name(row, col, cell);
    civ_where w = {.file = x->b->path, .line = row, .column = col};
    return civ_fail_at(status, &w, "cell %s of sheet '%s': %s", cell, st->sheet, message);
}

/* Parses "C5": 1 on success. */
static int parse_ref(const char *ref, long *row, long *col)
{
    long c = 0, r = 0;
    const char *p = ref;
    for (; *p >= 'A' && *p <= 'Z' && c <= MAX_COL; p++)
        c = c * 26 + (*p - 'A' + 1);
    if (p == ref || c > MAX_COL)
        return 0;
    const char *digits = p;
    for (; *p >= '0' && *p <= '9' && r <= MAX_ROW; p++)
        r = r * 10 + (*p - '0');
    if (p == digits || *p || r < 1 || r > MAX_ROW)
        return 0;
    *row = r, *col = c;
    return 1;
}

static int emit(sheet_state *st, const char *s, size_t n)
{
    st->out_bytes += n;
    return fwrite(s, 1, n, st->out) == n ? 0 : -1;
}

/* Writes empty fields up to `upto` in the current row. */
static int pad_row(sheet_state *st, long upto)
{
    for (; st->n_written < upto; st->n_written++)
        if (st->n_written && emit(st, ",", 1))
            return -1;
    return 0;
}

static civ_status write_fail(px *x)
{
    civ_where w = {.file = x->b->path};
    return civ_fail_at(CIV_ERR_IO, &w, "cannot write the sheet's temporary CSV text: %s", strerror(errno));
}

static civ_status out_limit(px *x)
{
    civ_where w = {.file = x->b->path};
    sheet_state *st = x->state;
    return civ_fail_at(CIV_ERR_LIMIT, &w, "sheet '%s' as CSV text is over the limit of %zu bytes", st->sheet,
                       civ_xlsx_part_limit());
}

/* Finishes rows up to (not including) `row`: the current one with its padding and line feed, then empty ones. */
static civ_status finish_rows(px *x, long row)
{
    sheet_state *st = x->state;
    if (st->pass != PASS_WRITE)
        return CIV_OK;
    long upto = row - 1 < st->last_row ? row - 1 : st->last_row;
    while (st->written_row < upto) {
        if (pad_row(st, st->width) || emit(st, "\n", 1))
            return write_fail(x);
        st->written_row++;
        st->n_written = 0;
        if (st->out_bytes > civ_xlsx_part_limit())
            return out_limit(x);
    }
    return CIV_OK;
}

/* The date of serial `v` as ISO text in buf, by the style's kind. */
static civ_status serial_date(px *x, long row, long col, double v, int kind, char *buf)
{
    if (!(v >= 0) || v >= 2958466.0) /* 9999-12-31 is serial 2958465 */
        return cell_fail(x, CIV_ERR_DATE, row, col, "%.17g is not a date Excel shows (its format is a date): "
                         "enter the date, or give the cell a number format", v);
    double day = floor(v);
    long long ms = llround((v - day) * 86400000.0);
    if (ms == 86400000LL)
        day += 1, ms = 0;
    int64_t z;
    if (x->b->date1904)
        z = civ_days_from_civil(1904, 1, 1) + (int64_t)day;
    else if (day == 60)
        return cell_fail(x, CIV_ERR_DATE, row, col,
                         "serial 60 is 1900-02-29, a day that does not exist (Excel's leap-year bug): enter the "
                         "real date");
    else if (day == 0)
        return cell_fail(x, CIV_ERR_DATE, row, col,
                         "0 in a date format is Excel's 1900-01-00, not a date: leave the cell empty or enter "
                         "the date");
    else
        z = civ_days_from_civil(1899, 12, day < 60 ? 31 : 30) + (int64_t)day;
    int64_t y;
    unsigned m, d;
    civ_civil_from_days(z, &y, &m, &d);
    if (ms && kind == KIND_DATETIME) { /* a sensor log's 2025-03-01 08:30, read as the CSV's text is */
        long long s = ms / 1000;
        int n = civ_snprintf(buf, CIV_CSV_NUMBER_SIZE, "%04lld-%02u-%02u %02lld:%02lld:%02lld", (long long)y, m, d,
                             s / 3600, s / 60 % 60, s % 60);
        if (ms % 1000 && n > 0)
            civ_snprintf(buf + n, CIV_CSV_NUMBER_SIZE - (size_t)n, ".%03lld", ms % 1000);
        return CIV_OK;
    }
    if (ms) {
        long long s = ms / 1000;
        return cell_fail(x, CIV_ERR_DATE, row, col,
                         "%04lld-%02u-%02u %02lld:%02lld:%02lld holds a time of day its format does not show: "
                         "for dates (a day, month or year) remove the time (=INT(cell)) or write the date as "
                         "text; for times (a sensor log's), give the column a date-time format such as "
                         "yyyy-mm-dd hh:mm:ss", (long long)y, m, d, s / 3600, s / 60 % 60, s % 60);
    }
    if (kind == KIND_YEAR)
        civ_snprintf(buf, CIV_CSV_NUMBER_SIZE, "%04lld", (long long)y);
    else if (kind == KIND_MONTH)
        civ_snprintf(buf, CIV_CSV_NUMBER_SIZE, "%04lld-%02u", (long long)y, m);
    else
        civ_snprintf(buf, CIV_CSV_NUMBER_SIZE, "%04lld-%02u-%02u", (long long)y, m, d);
    return CIV_OK;
}

/* A t="d" cell: ISO 8601 "2025-01-05" with an optional midnight time. */
static civ_status iso_date(px *x, long row, long col, const char *v, char *buf)
{
    size_t n = strlen(v);
    int ok = n >= 10 && v[4] == '-' && v[7] == '-';
    if (ok && n > 10) {
        const char *t = v + 10;
        ok = *t == 'T' || *t == ' ';
        for (t++; ok && *t; t++)
            ok = *t == '0' || *t == ':' || *t == '.' || *t == 'Z';
        if (!ok)
            return cell_fail(x, CIV_ERR_DATE, row, col,
                             "'%.40s' holds a time of day: civicast reads dates; remove the time", v);
    }
    if (!ok)
        return cell_fail(x, CIV_ERR_DATE, row, col, "'%.40s' is not an ISO date", v);
    civ_snprintf(buf, CIV_CSV_NUMBER_SIZE, "%.10s", v);
    return CIV_OK;
}

/* The current cell's text into st->field (no quoting). */
static civ_status cell_text(px *x, long row, long col)
{
    sheet_state *st = x->state;
    book *b = x->b;
    st->field.n = 0;
    char num[CIV_CSV_NUMBER_SIZE];
    const char *text = NULL;
    const char *v = st->v.p ? st->v.p : "";
    const char *t = st->type;
    if (!strcmp(t, "inlineStr")) {
        text = st->is.p ? st->is.p : "";
    } else if (st->has_f && (!st->has_v || (!v[0] && (!t[0] || !strcmp(t, "n"))))) {
        /* no <v>, or openpyxl's empty <v></v> under a formula: nothing was calculated */
        return cell_fail(x, CIV_ERR_PARSE, row, col,
                         "a formula with no calculated value (the file was written by a program that does not "
                         "calculate): " FORMULA_CURE);
    } else if (!st->has_v) {
        text = "";
    } else if (!strcmp(t, "s")) {
        unsigned long long k = 0;
        const char *p = v;
        for (; *p >= '0' && *p <= '9' && k <= b->n_sst; p++)
            k = k * 10 + (unsigned long long)(*p - '0');
        if (p == v || *p || k >= b->n_sst)
            return cell_fail(x, CIV_ERR_PARSE, row, col,
                             "shared string index '%.30s' is beyond the workbook's %zu shared strings: the file is "
                             "damaged", v, b->n_sst);
        text = b->sst.p + b->sst_off[k];
    } else if (!strcmp(t, "str") || !strcmp(t, "e")) {
        text = v;
    } else if (!strcmp(t, "b")) {
        text = !strcmp(v, "1") ? "TRUE" : !strcmp(v, "0") ? "FALSE" : v;
    } else if (!strcmp(t, "d")) {
        civ_status s = iso_date(x, row, col, v, num);
        if (s)
            return s;
        text = num;
    } else if (!t[0] || !strcmp(t, "n")) {
        char *end = NULL;
        errno = 0;
        double d = civ_strtod(v, &end);
        if (end == v || *end || !isfinite(d))
            return cell_fail(x, CIV_ERR_PARSE, row, col, "'%.40s' is not a number (a number cell): the file is "
                             "damaged", v);
        int kind = st->style >= 0 && (size_t)st->style < b->n_xf ? b->xf_kind[st->style] : KIND_NONE;
        if (kind) {
            civ_status s = serial_date(x, row, col, d, kind, num);
            if (s)
                return s;
        } else {
            civ_csv_format_number(d, num);
        }
        text = num;
    } else {
        return cell_fail(x, CIV_ERR_PARSE, row, col, "unknown cell type '%s'", t);
    }
    if (xb_add(&st->field, text, strlen(text)))
        return oom(x);
    return CIV_OK;
}

static civ_status write_field(px *x, long col)
{
    sheet_state *st = x->state;
    const char *f = st->field.p;
    size_t n = st->field.n;
    if (pad_row(st, col - 1) || (st->n_written && emit(st, ",", 1)))
        return write_fail(x);
    st->n_written = col;
    int quote = strpbrk(f, ",\"\r\n") != NULL;
    if (!quote)
        return emit(st, f, n) ? write_fail(x) : CIV_OK;
    if (emit(st, "\"", 1))
        return write_fail(x);
    for (const char *p = f; *p; p++)
        if ((*p == '"' && emit(st, "\"", 1)) || emit(st, p, 1))
            return write_fail(x);
    return emit(st, "\"", 1) ? write_fail(x) : CIV_OK;
}

static void XMLCALL sheet_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
    px *x = ud;
    sheet_state *st = x->state;
    const char *n = local(el);
    civ_status s;
    if (!strcmp(n, "row")) {
        const char *r = attr(atts, "r", 0);
        long row = st->row + 1;
        if (r) {
            char *end;
            errno = 0;
            row = strtol(r, &end, 10);
            if (end == r || *end || row < 1 || row > MAX_ROW) {
                civ_where w = {.file = x->b->path};
                stop(x, civ_fail_at(CIV_ERR_PARSE, &w, "sheet '%s': row number '%.20s' is not 1..1048576",
                                    st->sheet, r));
                return;
            }
        }
        if (row <= st->row || row > MAX_ROW) {
            civ_where w = {.file = x->b->path, .line = row};
            stop(x, civ_fail_at(CIV_ERR_PARSE, &w,
                                "sheet '%s': row %ld comes after row %ld (rows out of order): the file is damaged",
                                st->sheet, row, st->row));
            return;
        }
        if ((s = finish_rows(x, row))) {
            stop(x, s);
            return;
        }
        st->row = row, st->row_given = 1, st->col = 0;
    } else if (!strcmp(n, "c")) {
        const char *r = attr(atts, "r", 0), *t = attr(atts, "t", 0), *sty = attr(atts, "s", 0);
        long row = st->row ? st->row : 1, col = st->col + 1;
        if (r && !parse_ref(r, &row, &col)) {
            civ_where w = {.file = x->b->path, .line = st->row};
            stop(x, civ_fail_at(CIV_ERR_PARSE, &w,
                                "sheet '%s': cell reference '%.20s' is not a cell of A1:XFD1048576: the file is "
                                "damaged", st->sheet, r));
            return;
        }
        if (col > MAX_COL || (st->row && row != st->row) || col <= st->col) {
            char here[16], prev[16];
            civ_xlsx_cell_name(row, col, here);
            civ_xlsx_cell_name(st->row, st->col, prev);
            civ_where w = {.file = x->b->path, .line = row};
            stop(x, civ_fail_at(CIV_ERR_PARSE, &w, "sheet '%s': cell %s comes after %s%s (cells out of order): "
                                "the file is damaged", st->sheet, here[0] ? here : r ? r : "?",
                                prev[0] ? prev : "the start of row ", prev[0] ? "" : r ? r : "?"));
            return;
        }
        if (!st->row)
            st->row = row;
        st->col = col;
        civ_snprintf(st->type, sizeof st->type, "%s", t ? t : "");
        st->style = sty ? strtol(sty, NULL, 10) : -1;
        st->has_v = st->has_f = st->in_v = st->in_is = st->in_t = st->rph = 0;
        st->v.n = st->is.n = 0;
        if (st->v.p)
            st->v.p[0] = '\0';
        if (st->is.p)
            st->is.p[0] = '\0';
    } else if (!strcmp(n, "v")) {
        st->has_v = st->in_v = 1;
    } else if (!strcmp(n, "f")) {
        st->has_f = 1;
    } else if (!strcmp(n, "is")) {
        st->in_is = 1;
    } else if (!strcmp(n, "rPh")) {
        st->rph++;
    } else if (!strcmp(n, "t") && st->in_is && !st->rph) {
        st->in_t = 1;
    }
}

static void XMLCALL sheet_end(void *ud, const XML_Char *el)
{
    px *x = ud;
    sheet_state *st = x->state;
    const char *n = local(el);
    civ_status s;
    if (!strcmp(n, "v")) {
        st->in_v = 0;
    } else if (!strcmp(n, "t")) {
        st->in_t = 0;
    } else if (!strcmp(n, "rPh")) {
        st->rph--;
    } else if (!strcmp(n, "is")) {
        st->in_is = 0;
    } else if (!strcmp(n, "c")) {
        int content = (st->has_v && st->v.n) || st->is.n || st->has_f;
        if (st->pass == PASS_PROBE) {
            if (content) {
                st->found = 1;
                XML_StopParser(x->parser, XML_FALSE);
            }
            return;
        }
        if (!content)
            return;
        if ((s = cell_text(x, st->row, st->col))) {
            stop(x, s);
            return;
        }
        if (!st->field.n)
            return;
        if (st->pass == PASS_MEASURE) {
            if (st->row > st->last_row)
                st->last_row = st->row;
            if (st->col > st->width)
                st->width = st->col;
        } else if ((s = write_field(x, st->col))) {
            stop(x, s);
        }
    } else if (!strcmp(n, "row")) {
        st->row_given = 0;
    }
}

static void XMLCALL sheet_text(void *ud, const XML_Char *s, int len)
{
    px *x = ud;
    sheet_state *st = x->state;
    xbuf *b = st->in_v ? &st->v : st->in_t ? &st->is : NULL;
    if (b && xb_add(b, s, (size_t)len))
        stop(x, oom(x));
}

static civ_status sheet_pass(book *b, size_t k, sheet_state *st, int pass)
{
    st->pass = pass;
    st->row = st->col = 0;
    st->row_given = 0;
    st->found = 0;
    st->written_row = st->n_written = 0;
    st->sheet = b->name[k];
    civ_status s = parse_part(b, b->part[k], st, sheet_start, sheet_end, sheet_text, NULL);
    if (pass == PASS_PROBE && s == CIV_OK)
        return CIV_OK;
    return s;
}

/* "'Sheet1', '用餐'" into buf. */
static void list_names(const book *b, const unsigned char *only, char *buf, size_t cap)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < b->n_sheets && at + 1 < cap; i++) {
        if (only && !only[i])
            continue;
        int n = civ_snprintf(buf + at, cap - at, "%s'%s'", at ? ", " : "", b->name[i]);
        if (n < 0)
            break;
        at += (size_t)n;
    }
    if (at >= cap && cap > 4)
        memcpy(buf + cap - 4, "...", 4);
}

/* Picks the sheet: by name, else the only one with cells. */
static civ_status pick_sheet(book *b, const char *sheet, size_t *pick)
{
    civ_where w = {.file = b->path};
    char names[1024];
    if (b->n_sheets == 0)
        return civ_fail_at(CIV_ERR_PARSE, &w, "part xl/workbook.xml lists no sheet");
    for (size_t i = 0; i < b->n_sheets; i++)
        if (!b->part[i]) {
            size_t n = 64;
            if (!(b->part[i] = malloc(n)))
                return civ_fail_at(CIV_ERR_OUT_OF_MEMORY, &w, "out of memory");
            civ_snprintf(b->part[i], n, "xl/worksheets/sheet%zu.xml", i + 1); /* no relationship: the usual name */
        }
    if (sheet && sheet[0]) {
        for (int pass = 0; pass < 2; pass++)
            for (size_t i = 0; i < b->n_sheets; i++)
                if (pass ? !civ_ascii_casecmp(b->name[i], sheet) : !strcmp(b->name[i], sheet)) {
                    *pick = i;
                    return CIV_OK;
                }
        list_names(b, NULL, names, sizeof names);
        return civ_fail_at(CIV_ERR_NOT_FOUND, &w, "no sheet named '%s': the workbook's sheets are %s", sheet, names);
    }
    unsigned char *has = calloc(b->n_sheets, 1);
    if (!has)
        return civ_fail_at(CIV_ERR_OUT_OF_MEMORY, &w, "out of memory");
    size_t n_with = 0;
    sheet_state st;
    memset(&st, 0, sizeof st);
    civ_status s = CIV_OK;
    for (size_t i = 0; i < b->n_sheets && !s; i++) {
        if (b->n_sheets == 1) {
            has[i] = 1, n_with = 1;
            break;
        }
        if ((s = sheet_pass(b, i, &st, PASS_PROBE)))
            break;
        has[i] = (unsigned char)st.found;
        n_with += has[i];
    }
    free(st.v.p), free(st.is.p), free(st.field.p);
    if (!s && n_with == 1) {
        for (size_t i = 0; i < b->n_sheets; i++)
            if (has[i])
                *pick = i;
    } else if (!s && n_with == 0) {
        s = civ_fail_at(CIV_ERR_PARSE, &w, "every sheet of the workbook is empty (sheets %s)",
                        (list_names(b, NULL, names, sizeof names), names));
    } else if (!s) {
        list_names(b, has, names, sizeof names);
        s = civ_fail_at(CIV_ERR_NOT_FOUND, &w,
                        "%zu sheets hold data (%s): name the one to read with --sheet NAME (Python: sheet=\"NAME\"; "
                        "a plan: the input's sheet = \"NAME\")", n_with, names);
    }
    free(has);
    return s;
}

static civ_status open_book(book *b, const char *path)
{
    civ_where w = {.file = path};
    FILE *f = fopen(path, "rb");
    if (!f)
        return civ_fail_at(CIV_ERR_IO, &w, "cannot open: %s", strerror(errno));
    unsigned char magic[4] = {0};
    size_t got = fread(magic, 1, 4, f);
    fclose(f);
    if (got == 4 && magic[0] == 0xD0 && magic[1] == 0xCF && magic[2] == 0x11 && magic[3] == 0xE0)
        return civ_fail_at(CIV_ERR_UNSUPPORTED, &w,
                           "an Excel 97-2003 (.xls) or password-protected workbook, not an .xlsx: open it and save "
                           "it as \"Excel Workbook (.xlsx)\" without a password, or as \"CSV UTF-8\"");
    if (!(b->zf = unzOpen64(path)))
        return civ_fail_at(CIV_ERR_PARSE, &w,
                           "not an Excel workbook (.xlsx is a zip file, and this is not one, or it is damaged): "
                           "save it again from Excel as \"Excel Workbook (.xlsx)\" or as \"CSV UTF-8\"");
    return CIV_OK;
}

civ_status civ_xlsx_sheet_csv(const char *path, const char *sheet, int *fd)
{
    if (!path || !fd)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_xlsx_sheet_csv: NULL argument");
    *fd = -1;
    book b;
    memset(&b, 0, sizeof b);
    b.path = path;
    civ_status s = open_book(&b, path);
    int found = 0;
    if (!s)
        s = parse_part(&b, "xl/workbook.xml", NULL, wb_start, no_end, NULL, NULL);
    if (!s)
        s = parse_part(&b, "xl/_rels/workbook.xml.rels", NULL, rels_start, no_end, NULL, &found);
    size_t k = 0;
    if (!s)
        s = pick_sheet(&b, sheet, &k);
    sst_state sst = {0};
    style_state sty = {0};
    if (!s)
        s = parse_part(&b, "xl/sharedStrings.xml", &sst, sst_start, sst_end, sst_text, &found);
    if (!s)
        s = parse_part(&b, "xl/styles.xml", &sty, style_start, style_end, NULL, &found);
    sheet_state st;
    memset(&st, 0, sizeof st);
    if (!s)
        s = sheet_pass(&b, k, &st, PASS_MEASURE);
    if (!s && st.width && (size_t)st.last_row * (size_t)st.width > civ_xlsx_part_limit()) {
        civ_where w = {.file = path};
        s = civ_fail_at(CIV_ERR_LIMIT, &w, "sheet '%s' spans %ld rows by %ld columns: over the limit of %zu cells",
                        b.name[k], st.last_row, st.width, civ_xlsx_part_limit());
    }
    FILE *tmp = NULL;
    if (!s && !(tmp = tmpfile())) {
        civ_where w = {.file = path};
        s = civ_fail_at(CIV_ERR_IO, &w, "cannot make a temporary file for the sheet's CSV text: %s",
                        strerror(errno));
    }
    if (!s) {
        st.out = tmp;
        s = sheet_pass(&b, k, &st, PASS_WRITE);
        if (!s)
            s = finish_rows(&(px){.b = &b, .state = &st}, st.last_row + 1);
    }
    if (!s && (fflush(tmp) != 0 || ferror(tmp))) {
        civ_where w = {.file = path};
        s = civ_fail_at(CIV_ERR_IO, &w, "cannot write the sheet's temporary CSV text: %s", strerror(errno));
    }
    if (!s && ((*fd = dup(fileno(tmp))) < 0 || lseek(*fd, 0, SEEK_SET) != 0)) {
        civ_where w = {.file = path};
        s = civ_fail_at(CIV_ERR_IO, &w, "cannot reopen the sheet's CSV text: %s", strerror(errno));
        if (*fd >= 0)
            close(*fd);
        *fd = -1;
    }
    if (tmp)
        fclose(tmp);
    free(st.v.p), free(st.is.p), free(st.field.p);
    book_free(&b);
    return s;
}
