/*
 * csv.c -- layer: io.  The CSV readers and writers of panels (long format) and tables.
 *
 * Format (RFC 4180 with the usual extensions): fields separated by commas,
 * records by LF or CRLF; a field may be quoted with '"', inside which commas,
 * newlines and doubled quotes ("") are data; UTF-8 with an optional BOM.
 * Strictness, so that nothing is ever skipped silently:
 *   - a quote inside an unquoted field, text after a closing quote, an
 *     unterminated quote, a NUL byte, a CR not followed by LF, a row whose
 *     field count differs from the header's, and an empty line followed by
 *     more data are CIV_ERR_PARSE (empty lines at the very end are allowed);
 *   - Excel's used range: unnamed header columns after the last name are
 *     dropped with their (empty) cells, and a row of empty cells (",,,") is
 *     an empty line (drop_phantom_cells, all_cells_empty);
 *   - a field over 1 MiB is CIV_ERR_LIMIT;
 *   - ids, header names and table text must be valid UTF-8.
 * Every error names file:line:column, with line the PHYSICAL line (quoted
 * newlines count) where the field starts and column the 1-based field number.
 *
 * Numbers: a cell is missing when empty, "NA" or "NaN" (any case).  Otherwise
 * it must be a plain decimal ([+-]d[.d][e[+-]d]); hex, "inf", surrounding
 * spaces and values beyond the double range are errors; with a thousands
 * separator (options .thousands, civ_csv_parse_grouped) whole digits grouped in
 * threes by it ("12,345.5") read too, and so do Excel's Currency and
 * Accounting cells of a Chinese locale ("¥12,000.00", "¥-1,200.00"; parse_yuan),
 * and with options .percent a number
 * that ends in "%" ("33.3%" as 0.333; civ_csv_parse_formatted).  Numbers are written
 * in the shortest text that reads back to the same double, so files
 * round-trip bit for bit, unless the caller asks for files for people
 * (civ_csv_write_options: numbers rounded to significant digits, and a BOM
 * so that Excel reads UTF-8).  Numbers are read and written with '.' under
 * any host locale (civ_strtod, civ_snprintf: core/c_locale.h).
 *
 * The panel reader (civ_panel_read_csv) makes two streaming passes over the
 * file through a fixed read buffer, so memory stays close to the panel's own
 * size whatever the file size:
 *   pass 1  tokenises, registers each unique_id (order of first appearance),
 *           parses ds, checks the date form, and records per series the
 *           first period, the last period with a value of y, of each
 *           covariate, and of any row;
 *   build   infers the frequency, sizes the panel exactly (values NaN);
 *   pass 2  parses the numbers straight into their final place and detects
 *           duplicate (unique_id, ds) with one bit per cell.
 * Series span: from the first row's period to the last row that is NOT a
 * future row, where a future row is one after the last non-empty y whose y is
 * empty and that carries at least one covariate value.  Covariate k of a
 * series then has length max(series length, last non-empty value of k + 1);
 * the cells beyond the series length are its future values.
 * The table reader (civ_table_read_csv) streams the same way on one thread;
 * with more, a file of 8 MiB or more is read into memory after its first row
 * and parsed in chunks on the OpenMP threads (read_rest_parallel), falling
 * back to the stream for anything it would report.
 * Frequency: "YYYY" yearly, "YYYY-Qn" quarterly, "YYYY-MM" monthly; for
 * "YYYY-MM-DD", weekly when every date of the panel falls on one weekday and
 * at least one series has two different dates (so dates within a series are
 * multiples of 7 days apart, and the panel phase is that weekday), else daily.
 * All rows must use one form (else CIV_ERR_FREQUENCY).
 * A file with a header and no rows is an empty panel of CIV_FREQ_UNKNOWN; a
 * file with no header (empty, only a BOM or only empty lines) is
 * CIV_ERR_PARSE.
 */
#include "csv.h"
#include "c_locale.h"
#include "mem_limit.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "bigmem.h"
#include "date.h"
#include "error.h"
#include "panel.h"
#include "table.h"
#include "text.h"
#include "threads.h"
#include "xlsx_read.h"

#define READ_CHUNK ((size_t)1 << 20)
/* What to do about text that is not UTF-8 (GBK exports from Excel). */
#define NOT_UTF8_HINT                                                                                          \
    ": the file is not UTF-8; save it as \"CSV UTF-8\" (Excel: Save As, CSV UTF-8), or read it with "          \
    "--encoding gb18030 (Python: encoding=\"gb18030\"; a plan: [plan] encoding = \"gb18030\")"
#define NO_PERIOD INT64_MIN

/* ======================================================================== */
/* Numbers                                                                  */
/* ======================================================================== */

/* Exact powers of ten 10^0 .. 10^22 (all representable in a double). */
static const double exact_pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static int is_missing_text(const char *s, size_t len)
{
    if (len == 0)
        return 1;
    if (len == 2)
        return (s[0] | 0x20) == 'n' && (s[1] | 0x20) == 'a';
    if (len == 3)
        return (s[0] | 0x20) == 'n' && (s[1] | 0x20) == 'a' && (s[2] | 0x20) == 'n';
    return 0;
}

civ_csv_number civ_csv_parse_number(const char *text, size_t len, double *out)
{
    *out = NAN;
    if (is_missing_text(text, len))
        return CIV_CSV_NUMBER_MISSING;
    const char *p = text, *end = text + len;
    int negative = 0;
    if (*p == '+' || *p == '-') {
        negative = *p == '-';
        p++;
    }
    uint64_t mantissa = 0;
    int n_digits = 0;      /* significant digits accumulated (after leading zeros) */
    int any_digit = 0, dropped = 0;
    int64_t exp10 = 0;
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
        any_digit = 1;
        if (n_digits < 19) {
            mantissa = mantissa * 10 + (uint64_t)(*p - '0');
            n_digits += mantissa != 0;
        } else {
            dropped = 1;
            exp10++;
        }
    }
    if (p < end && *p == '.') {
        for (p++; p < end && *p >= '0' && *p <= '9'; p++) {
            any_digit = 1;
            if (n_digits < 19) {
                mantissa = mantissa * 10 + (uint64_t)(*p - '0');
                n_digits += mantissa != 0;
                exp10--;
            } else {
                dropped = 1;
            }
        }
    }
    if (!any_digit)
        return CIV_CSV_NUMBER_BAD;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        int eneg = 0;
        if (p < end && (*p == '+' || *p == '-')) {
            eneg = *p == '-';
            p++;
        }
        if (p == end || *p < '0' || *p > '9')
            return CIV_CSV_NUMBER_BAD;
        int64_t e = 0;
        for (; p < end && *p >= '0' && *p <= '9'; p++)
            if (e < 100000)
                e = e * 10 + (*p - '0');
        exp10 += eneg ? -e : e;
    }
    if (p != end)
        return CIV_CSV_NUMBER_BAD;
    /* Clinger's fast path: exact operands, one correctly rounded operation. */
    if (!dropped && mantissa <= ((uint64_t)1 << 53) && exp10 >= -22 && exp10 <= 22) {
        double v = (double)mantissa;
        v = exp10 < 0 ? v / exact_pow10[-exp10] : v * exact_pow10[exp10];
        *out = negative ? -v : v;
        return CIV_CSV_NUMBER_OK;
    }
    /* The syntax is validated above, so strtod sees a plain decimal only and
     * stops exactly at text + len (the byte there cannot continue it). */
    char *stop;
    errno = 0;
    double v = civ_strtod(text, &stop);
    if (stop != end)
        return CIV_CSV_NUMBER_BAD;
    if (isinf(v))
        return CIV_CSV_NUMBER_OVERFLOW;
    *out = v;
    return CIV_CSV_NUMBER_OK;
}

civ_status civ_csv_thousands(const char *option, const char *fn, char *sep)
{
    *sep = 0;
    if (!option || !option[0])
        return CIV_OK;
    if (!option[1] && (option[0] == ',' || option[0] == '\'' || option[0] == ' ')) {
        *sep = option[0];
        return CIV_OK;
    }
    return civ_fail(CIV_ERR_INVALID_ARGUMENT,
                    "%s: thousands separator '%.16s' is not supported: use \",\" (12,345), \"'\" (12'345) or "
                    "\" \" (12 345)",
                    fn, option);
}

/* Longest grouped cell: 20 whole digits in groups, decimals, an exponent. */
#define GROUPED_MAX 96

civ_csv_number civ_csv_parse_grouped(const char *text, size_t len, char sep, double *out)
{
    if (!sep || !memchr(text, sep, len))
        return civ_csv_parse_number(text, len, out);
    *out = NAN;
    char buf[GROUPED_MAX];
    if (len >= sizeof buf)
        return CIV_CSV_NUMBER_BAD;
    size_t i = 0, n = 0;
    if (text[i] == '+' || text[i] == '-')
        buf[n++] = text[i++];
    size_t group = 0; /* digits since the last separator (or the start) */
    int first = 1;
    for (; i < len && ((text[i] >= '0' && text[i] <= '9') || text[i] == sep); i++) {
        if (text[i] == sep) {
            if (group == 0 || group > 3 || (!first && group != 3))
                return CIV_CSV_NUMBER_BAD;
            first = 0;
            group = 0;
            continue;
        }
        group++;
        buf[n++] = text[i];
    }
    if (first || group != 3 || memchr(text + i, sep, len - i)) /* "1,5", "1,2345", "1.5,0" */
        return CIV_CSV_NUMBER_BAD;
    memcpy(buf + n, text + i, len - i);
    n += len - i;
    buf[n] = '\0';
    return civ_csv_parse_number(buf, n, out);
}

/* The length of the yuan sign at s (¥ U+00A5 or full-width ￥ U+FFE5, UTF-8) within n bytes, else 0. */
static size_t yuan_sign(const char *s, size_t n)
{
    if (n >= 2 && !memcmp(s, "\xC2\xA5", 2))
        return 2;
    return n >= 3 && !memcmp(s, "\xEF\xBF\xA5", 3) ? 3 : 0;
}

/* A cell in Excel's Currency or Accounting format of a Chinese locale, with a
 * thousands separator: "¥12,000.00", "¥-12,000.00", "-¥12,000.00", the
 * Accounting format's padding " ¥ 12,000.00 " and its zero " ¥ -   ".  The
 * number after the sign is civ_csv_parse_grouped's, without a sign or an
 * exponent of its own; at most one minus.  Returns -1 when the cell has no
 * yuan sign (not such a cell), else the result. */
static int parse_yuan(const char *text, size_t len, char sep, double *out)
{
    size_t a = 0, b = len;
    while (a < b && text[a] == ' ')
        a++;
    while (b > a && text[b - 1] == ' ')
        b--;
    int negative = a < b && text[a] == '-';
    size_t at = a + (size_t)negative, sign = yuan_sign(text + at, b - at);
    if (!sign)
        return -1;
    *out = NAN;
    a = at + sign;
    while (a < b && text[a] == ' ')
        a++;
    if (a < b && text[a] == '-') {
        if (negative)
            return CIV_CSV_NUMBER_BAD;
        negative = 1;
        a++;
        if (a == b) { /* the Accounting format's zero: "¥ -" */
            *out = 0.0;
            return CIV_CSV_NUMBER_OK;
        }
    }
    char buf[GROUPED_MAX + 2];
    size_t n = b - a;
    if (!n || n + 2 > sizeof buf || !((text[a] >= '0' && text[a] <= '9') || text[a] == '.') ||
        memchr(text + a, 'e', n) || memchr(text + a, 'E', n))
        return CIV_CSV_NUMBER_BAD;
    buf[0] = '-';
    memcpy(buf + 1, text + a, n);
    buf[n + 1] = '\0';
    civ_csv_number rc = civ_csv_parse_grouped(buf + !negative, n + (size_t)negative, sep, out);
    return rc == CIV_CSV_NUMBER_MISSING ? CIV_CSV_NUMBER_BAD : rc;
}

civ_csv_number civ_csv_parse_formatted(const char *text, size_t len, char sep, int percent, double *out)
{
    int yuan; /* a cell that starts with a digit or '.' has no yuan sign: the usual case, kept cheap */
    if (sep && len && !((text[0] >= '0' && text[0] <= '9') || text[0] == '.') &&
        (yuan = parse_yuan(text, len, sep, out)) >= 0)
        return (civ_csv_number)yuan;
    if (!percent || !len || text[len - 1] != '%')
        return civ_csv_parse_grouped(text, len, sep, out);
    /* "33.3%" as "33.3e-2": the decimal exponent shifts, so the result is the
     * correctly rounded 0.333, not 33.3 / 100 rounded twice */
    *out = NAN;
    char buf[GROUPED_MAX + 4];
    size_t n = len - 1;
    if (n + 4 > sizeof buf || memchr(text, 'e', n) || memchr(text, 'E', n) || is_missing_text(text, n))
        return CIV_CSV_NUMBER_BAD;
    memcpy(buf, text, n);
    memcpy(buf + n, "e-2", 4);
    civ_csv_number rc = civ_csv_parse_grouped(buf, n + 3, sep, out);
    return rc == CIV_CSV_NUMBER_MISSING ? CIV_CSV_NUMBER_BAD : rc;
}

int civ_csv_format_number(double value, char *buf)
{
    if (isnan(value)) {
        buf[0] = '\0';
        return 0;
    }
    if (isinf(value))
        return -1;
    int n = civ_numfmt_int(value, buf); /* printf's bytes, without printf */
    if (n < 0)
        n = civ_numfmt_shortest(value, buf);
    if (n >= 0)
        return n;
    for (int precision = 15; precision <= 17; precision++) {
        n = civ_snprintf(buf, CIV_CSV_NUMBER_SIZE, "%.*g", precision, value);
        if (precision == 17 || civ_strtod(buf, NULL) == value)
            break;
    }
    return n;
}

int civ_csv_format_rounded(double value, int digits, int min_decimals, char *buf)
{
    if (digits > 0 && value == 0.0) /* -0.0 too: "-0" means nothing to a reader */
        return (int)strlen(strcpy(buf, "0"));
    if (digits <= 0 || !isfinite(value) || (value == trunc(value) && fabs(value) < 1e17))
        return civ_csv_format_number(value, buf);
    double a = fabs(value);
    int e = (int)floor(log10(a)); /* a > 0: whole numbers (0 included) left above */
    int decimals = digits - 1 - e;
    if (decimals < min_decimals)
        decimals = min_decimals;
    if (decimals < 0)
        decimals = 0;
    char tmp[96];
    int n = decimals <= 20 ? civ_snprintf(tmp, sizeof tmp, "%.*f", decimals, value) : -1;
    if (n < 0 || n >= CIV_CSV_NUMBER_SIZE) /* tiny or huge: exponent form */
        return civ_snprintf(buf, CIV_CSV_NUMBER_SIZE, "%.*g", digits, value);
    if (strchr(tmp, '.')) { /* drop trailing zeros, then a bare point */
        while (n > 0 && tmp[n - 1] == '0')
            n--;
        if (n > 0 && tmp[n - 1] == '.')
            n--;
        tmp[n] = '\0';
    }
    if (!strcmp(tmp, "-0")) /* a small negative value rounded to zero */
        n = (int)strlen(strcpy(tmp, "0"));
    memcpy(buf, tmp, (size_t)n + 1);
    return n;
}

/* ======================================================================== */
/* Tokeniser                                                                */
/* ======================================================================== */

typedef struct csv_field {
    char *text;   /* NUL-terminated and unquoted once the record is complete */
    size_t len;
    long line;    /* physical line where the field starts */
    int quoted, escaped;
} csv_field;

typedef struct csv_reader {
    const char *path;
    int fd;
    char *buf;            /* cap + 1 bytes; buf[len] is a NUL sentinel */
    size_t cap, len, pos; /* unread data is buf[pos .. len) */
    int eof;
    long line;            /* physical line at buf[pos] */
    long record_line;     /* physical line where the current record starts */
    long pending_blank;   /* first empty line not yet followed by data, or 0 */
    int pending_cells;    /* ... which was a row of empty cells (",,,") */
    size_t phantom;       /* unnamed columns after the header's last name (Excel's used range) */
    csv_field *fields;
    size_t n_fields, fields_cap;
    char **names;         /* header names for error messages (may be NULL) */
    size_t n_names;
    size_t record_limit;  /* largest record in bytes: the header's while it is read */
    char thousands;       /* the cells' thousands separator (civ_csv_thousands), or 0 */
    int percent;          /* 1: "33.3%" reads as 0.333 (options .percent) */
    const char *sheet;    /* a workbook's sheet (options .sheet), or NULL */
    int is_sheet;         /* 1: fd is the CSV text of a workbook's sheet (xlsx_read.c); its lines are sheet rows */
    long skip_rows;       /* rows above the header that every rewind skips (options .skip_rows) */
    long header_line;     /* the line the header starts on (1 unless rows were skipped) */
} csv_reader;

/* A number cell, as the reader's options say numbers are written. */
static civ_csv_number cell_number(const csv_reader *r, const csv_field *f, double *out)
{
    if (!r->thousands && !r->percent) /* the usual case, in the readers' hot loop */
        return civ_csv_parse_number(f->text, f->len, out);
    return civ_csv_parse_formatted(f->text, f->len, r->thousands, r->percent, out);
}

/* Lines that end in a carriage return alone: old Excel for Mac's "CSV (Macintosh)". */
#define LONE_CR_MESSAGE                                                                                   \
    "carriage return not followed by a line feed: lines that end in a carriage return alone are what "  \
    "Excel for Mac's \"CSV (Macintosh)\" writes; save as \"CSV UTF-8 (Comma delimited)\" instead"

/* Bytes that end a scan inside an unquoted / quoted field (NUL is the
 * buffer's sentinel, and an error anywhere else). */
static const unsigned char plain_stop[256] = {[0] = 1, [','] = 1, ['\n'] = 1, ['\r'] = 1, ['"'] = 1};
static const unsigned char quoted_stop[256] = {[0] = 1, ['\n'] = 1, ['"'] = 1};

static const char *field_name(const csv_reader *r, size_t column)
{
    return r->names && column < r->n_names ? r->names[column] : NULL;
}

/* Records an error at (line, 1-based column) of the reader's file. */
static civ_status fail_cell(const csv_reader *r, civ_status status, long line, size_t column, const char *series,
                            const char *fmt, ...) CIV_PRINTF(6, 7);

static civ_status fail_cell(const csv_reader *r, civ_status status, long line, size_t column, const char *series,
                            const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    civ_vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    civ_where w = {.file = r->path, .line = line, .column = (long)column, .series_id = series,
                   .field = column ? field_name(r, column - 1) : NULL};
    char cell[16] = "";
    if (r->is_sheet && column) /* lines are the sheet's rows: Excel's name of the cell */
        civ_xlsx_cell_name(line, (long)column, cell);
    if (cell[0])
        return civ_fail_at(status, &w, "cell %s: %s", cell, message);
    return civ_fail_at(status, &w, "%s", message);
}

int civ_csv_excel_error(const char *text)
{
    static const char *const errors[] = {"#DIV/0!", "#N/A",   "#VALUE!", "#REF!",  "#NAME?",
                                         "#NUM!",   "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA"};
    for (size_t k = 0; text && text[0] == '#' && k < sizeof errors / sizeof *errors; k++)
        if (!strcmp(text, errors[k]))
            return 1;
    return 0;
}

/* A number typed with a Chinese input method's full-width characters
 * ("１２３", "１２．５", "－３", "１２３，４５６" with a full-width comma, U+FF0C, between thousands): 1 when,
 * made half-width, it parses (its commas as thousands separators), 2 when it has such a comma. */
static int full_width_number(const char *t)
{
    char buf[64];
    size_t n = 0;
    int wide = 0, comma = 0;
    for (const unsigned char *p = (const unsigned char *)t; *p && n + 1 < sizeof buf;) {
        if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x8C && p[2] <= 0x99 && p[2] != 0x8F) {
            static const char sign[] = {',', '-', '.'};
            buf[n++] = p[2] < 0x90 ? sign[p[2] - 0x8C] : (char)('0' + (p[2] - 0x90));
            comma |= p[2] == 0x8C;
            p += 3, wide = 1;
        } else if (*p < 0x80)
            buf[n++] = (char)*p++;
        else
            return 0;
    }
    double x;
    return wide && civ_csv_parse_formatted(buf, n, ',', 0, &x) == CIV_CSV_NUMBER_OK ? 1 + comma : 0;
}

/* A cell that says "no data" the way printed tables do: dashes, a slash. */
static int dash_for_no_data(const char *t)
{
    static const char *const marks[] = {"-", "--", "---", "/", "\xE2\x80\x94", "\xE2\x80\x94\xE2\x80\x94",
                                        "\xEF\xBC\x8D", "\xEF\xBC\x8F", "\xE2\x80\x93", "\xE2\x80\xA6"};
    for (size_t k = 0; k < sizeof marks / sizeof *marks; k++)
        if (!strcmp(t, marks[k]))
            return 1;
    return 0;
}

const char *civ_csv_dash_zero(const char *t)
{
    return t && dash_for_no_data(t) ? "a dash, as Excel's accounting format writes a zero, is not a number" : NULL;
}

/* A word people type for "no data" (N/A, null, 无, 暂无, 未报, 缺报, 空): before 2026-12-07 "'N/A' is not a number"
 * alone, while NA is read as missing. */
static int word_for_no_data(const char *t)
{
    static const char *const ascii[] = {"n/a", "n.a.", "null", "none", "nil"};
    static const char *const words[] = {"无", "暂无", "未报", "缺报", "空", "无数据", "未填报", "不适用"};
    for (size_t k = 0; k < sizeof ascii / sizeof *ascii; k++)
        if (!civ_ascii_casecmp(t, ascii[k]))
            return 1;
    for (size_t k = 0; k < sizeof words / sizeof *words; k++)
        if (!strcmp(t, words[k]))
            return 1;
    return 0;
}

/* What is around a number that keeps its cell from being one, as a hint
 * that starts with "; ": spaces ("1200 ", typed or left by a formula), a
 * unit after it ("1200元", "35 人"), full-width digits ("１２３"), a dash
 * for no data ("-", "—"), an accounting negative ("(12)"); "" when the
 * cell is something else. */
const char *civ_csv_number_hint(const char *t)
{
    size_t len = strlen(t), a = 0, b = len, k;
    double x;
    int wide = full_width_number(t);
    if (wide == 2)
        return "; it is written in full-width characters (as a Chinese input method types them), with a full-width "
               "comma between thousands: write it in half-width characters (in Excel, =ASC() converts them, and "
               "civicast reads the 123,456 it gives with --thousands \",\")";
    if (wide)
        return "; it is written in full-width characters (as a Chinese input method types them): write half-width "
               "digits (in Excel, =ASC() converts them)";
    if (dash_for_no_data(t))
        return "; a dash or slash for no data is not a number: leave the cell empty (or write NA) for a missing "
               "value, or write 0 if the value was zero";
    if (word_for_no_data(t))
        return "; a word for no data is not a number: leave the cell empty (or write NA) for a missing value, or "
               "write 0 if the value was zero";
    if (len > 2 && t[0] == '(' && t[len - 1] == ')' &&
        civ_csv_parse_formatted(t + 1, len - 2, ',', 0, &x) == CIV_CSV_NUMBER_OK)
        return "; a negative number in accounting parentheses: write it with a minus sign (-12), e.g. in Excel "
               "format the column as Number with the minus sign";
    while (a < b && t[a] == ' ')
        a++;
    while (b > a && t[b - 1] == ' ')
        b--;
    if ((a || b < len) && a < b && civ_csv_parse_formatted(t + a, b - a, ',', 1, &x) == CIV_CSV_NUMBER_OK)
        return "; it has spaces around it: delete them (in Excel, =TRIM() or Find and Replace)";
    for (k = a; k < b && ((t[k] >= '0' && t[k] <= '9') || t[k] == '.' || t[k] == '-' || t[k] == '+'); k++)
        ;
    size_t u = k;
    while (u < b && t[u] == ' ')
        u++;
    if (k > a && u < b && (unsigned char)t[u] >= 0x80 && civ_csv_parse_number(t + a, k - a, &x) == CIV_CSV_NUMBER_OK)
        return "; it has a unit after the number: write the number alone (the unit belongs in the column name)";
    return "";
}

/* Why a covariate cell is not a number: a unit or spaces (civ_csv_number_hint),
 * or, for text that does not start like a number (民主里), a text column --
 * names, notes -- kept in the panel, whose extra columns are covariates. */
static const char *covariate_extra(const char *t)
{
    civ_date_form form;
    int64_t v;
    if (civ_date_parse(t, strlen(t), &form, &v) == CIV_OK) /* a second date column: a table, not a panel */
        return "; the column holds dates: a long panel's columns besides the id, the date and the value are numeric "
               "covariates, so a table with a date column of its own (a backtest's windows: cutoff) is read as a "
               "table (civicast convert --table IN OUT), or drop the column";
    civ_clear_error();
    const char *why = civ_csv_number_hint(t);
    if (why[0] || (t[0] >= '0' && t[0] <= '9') || t[0] == '-' || t[0] == '+' || t[0] == '.')
        return why;
    return "; the column holds text, and a long panel's columns besides the id, the date and the value are "
           "numeric covariates: keep names and notes in the communities table (--attributes; a plan's "
           "communities) and delete the column from the panel";
}

/* A number cell that holds an Excel error value, as an error that says so. */
#define EXCEL_ERROR_MESSAGE                                                                                 \
    "'%s' is an Excel error value (a formula that failed) where a number belongs: fix the formula in the " \
    "sheet, or clear the cell for a missing value"

/* A panel value past CIV_VALUE_LIMIT (civicast.h). */
#define BEYOND_LIMIT_MESSAGE                                                                                  \
    "'%s' is beyond 1e15 in magnitude, civicast's range for a panel's values (a typo? service counts and "   \
    "amounts in yuan stay far below it)"

/* 1 when a cell is a number as spreadsheets display them: digits with
 * thousands separators (",", spaces, "'"), a currency sign or a percent sign
 * ("12,345", "¥1,200.50", "12 345", "35%", the Accounting format's zero
 * " ¥ - "), which the reader does not take as numbers without its options. */
static int number_as_displayed(const char *t)
{
    char buf[64];
    size_t n = 0;
    int digits = 0, decoration = 0, yuan = 0;
    for (const char *p = t; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == ',' || ch == ' ' || ch == '\'' || ch == '%' || ch == '$') {
            decoration = 1;
            continue;
        }
        if (!strncmp(p, "\xC2\xA5", 2) || !strncmp(p, "\xEF\xBF\xA5", 3) || !strncmp(p, "\xE2\x82\xAC", 3)) {
            decoration = 1; /* ¥, full-width ￥, € */
            yuan |= ch != 0xE2;
            p += (ch == 0xC2) ? 1 : 2;
            continue;
        }
        if (n + 1 >= sizeof buf)
            return 0;
        digits |= ch >= '0' && ch <= '9';
        buf[n++] = (char)ch;
    }
    buf[n] = '\0';
    double x;
    if (yuan && !strcmp(buf, "-")) /* " ¥ -   ": the Accounting format's zero */
        return 1;
    return decoration && digits && civ_csv_parse_number(buf, n, &x) == CIV_CSV_NUMBER_OK;
}

/* A cell written as a spreadsheet displays numbers (number_as_displayed), as
 * an error at it that says how to read it: the options that would (a
 * thousands separator, --percent) when some would, else what is wrong. */
static civ_status fail_displayed(const csv_reader *r, long line, size_t column, const char *series, const char *text)
{
    static const char any_sep[] = {0, ',', ' ', '\''};
    const char *seps = r->thousands ? &r->thousands : any_sep;
    size_t n_seps = r->thousands ? 1 : sizeof any_sep, len = strlen(text);
    char sep = 0;
    int pct = -1;
    double x;
    for (int p = r->percent; p <= 1 && pct < 0; p++)
        for (size_t k = 0; k < n_seps && pct < 0; k++)
            if (civ_csv_parse_formatted(text, len, seps[k], p, &x) == CIV_CSV_NUMBER_OK)
                sep = seps[k], pct = p;
    int need_sep = pct >= 0 && sep && !r->thousands, need_pct = pct > 0 && !r->percent;
    if (need_sep || need_pct) {
        char cli[32] = "", py[40] = "", plan[64] = "";
        if (need_sep) {
            civ_snprintf(cli, sizeof cli, "--thousands \"%c\"", sep);
            civ_snprintf(py, sizeof py, "thousands=\"%c\"", sep);
            civ_snprintf(plan, sizeof plan, "[plan] thousands = \"%c\"", sep);
        }
        if (need_pct) {
            strcat(cli, need_sep ? " --percent" : "--percent");
            strcat(py, need_sep ? ", percent=True" : "percent=True");
            strcat(plan, need_sep ? ", percent = true" : "[plan] percent = true");
        }
        const char *what[3];
        size_t n_what = 0;
        if (need_sep && memchr(text, sep, len))
            what[n_what++] = "a thousands separator";
        for (size_t i = 0; need_sep && i < len; i++)
            if (yuan_sign(text + i, len - i)) {
                what[n_what++] = "a yuan sign (Excel's Currency or Accounting format)";
                break;
            }
        if (need_pct || !n_what)
            what[n_what++] = need_pct ? "a percent sign" : "a thousands separator";
        char found[160];
        civ_snprintf(found, sizeof found, "%s%s%s%s%s", what[0], n_what > 1 ? (n_what > 2 ? ", " : " and ") : "",
                     n_what > 1 ? what[1] : "", n_what > 2 ? " and " : "", n_what > 2 ? what[2] : "");
        /* the spreadsheet's cure names the format that wrote what was found: Percentage, the 1000 separator */
        int has_pct = need_pct, has_sep = n_what > 1 || !need_pct;
        return fail_cell(r, CIV_ERR_PARSE, line, column, series,
                         "'%s' is a number written with %s: read the file with %s (Python: %s; a plan: %s), or write "
                         "plain digits (12345, 0.35), e.g. in Excel format the column as Number%s%s%s",
                         text, found, cli, py, plan, has_pct ? ", not Percentage (33.3% becomes 0.333)" : "",
                         has_pct && has_sep ? "," : "", has_sep ? " without the 1000 separator" : "");
    }
    const char *extra = civ_csv_number_hint(text);
    if (extra[0])
        return fail_cell(r, CIV_ERR_PARSE, line, column, series, "'%s' is not a number%s", text, extra);
    char sep_rule[96] = "";
    if (r->thousands)
        civ_snprintf(sep_rule, sizeof sep_rule, "; with the thousands separator '%c' the whole digits are grouped in "
                     "threes (12%c345.6)", r->thousands, r->thousands);
    return fail_cell(r, CIV_ERR_PARSE, line, column, series,
                     "'%s' is not a number%s%s; currency signs other than the yuan's (¥12,000.00, read with a "
                     "thousands separator) are not read: write plain digits (12345, 0.35), e.g. in Excel format the "
                     "column as Number before saving",
                     text, sep_rule, r->percent ? "; a percent sign ends the number (33.3%)" : "");
}

static civ_status csv_fill(csv_reader *r)
{
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->len -= r->pos;
        r->pos = 0;
    }
    if (r->len == r->cap) {
        if (r->cap >= r->record_limit)
            return fail_cell(r, CIV_ERR_LIMIT, r->line, 0, NULL, "%s is longer than %zu MiB",
                             r->n_names ? "a record" : "the header line", r->record_limit >> 20);
        size_t cap = r->cap * 2;
        char *b = realloc(r->buf, cap + 1);
        if (!b)
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for a CSV record of %zu bytes", cap);
        r->buf = b;
        r->cap = cap;
    }
    ssize_t got;
    do
        got = read(r->fd, r->buf + r->len, r->cap - r->len);
    while (got < 0 && errno == EINTR);
    if (got < 0) {
        civ_where w = {.file = r->path};
        return civ_fail_at(CIV_ERR_IO, &w, "read failed: %s", strerror(errno));
    }
    if (got == 0)
        r->eof = 1;
    r->len += (size_t)got;
    r->buf[r->len] = '\0';
    return CIV_OK;
}

/* Skips r->skip_rows rows above the header (options .skip_rows: a title, a unit line such as "单位：元", empty
 * rows), counted as a spreadsheet counts them and as civ_csv_record_line counts records: a line break outside
 * quotes ends a row, so an empty line is a row.  r->line keeps the file's own numbering (a quoted line break is a
 * line of a CSV file, not of a sheet), so errors below name the lines a person sees. */
static civ_status skip_leading_rows(csv_reader *r)
{
    long left = r->skip_rows, rows = 0;
    int quoted = 0;
    char last = '\n';
    while (left > 0) {
        if (r->pos == r->len) {
            civ_status s = r->eof ? CIV_OK : csv_fill(r);
            if (s)
                return s;
            if (r->pos == r->len && r->eof)
                break;
            continue;
        }
        char c = last = r->buf[r->pos++];
        if (c == '"')
            quoted = !quoted; /* "" inside a quoted cell toggles twice */
        else if (c == '\n') {
            r->line += !quoted || !r->is_sheet;
            rows += !quoted;
            left -= !quoted;
        }
    }
    if (left > 0 && last != '\n')
        rows++, left--; /* a last row without a line break */
    if (left <= 0)
        return CIV_OK;
    civ_where w = {.file = r->path, .line = 1};
    return civ_fail_at(CIV_ERR_PARSE, &w,
                       "the file has %ld row%s, fewer than the %ld to skip above the header (--skip-rows; "
                       "Python skip_rows=): nothing is left to read; skip the rows above the header only",
                       rows, rows == 1 ? "" : "s", r->skip_rows);
}

/* Positions the reader at the start of the file (after a BOM and the rows to skip). */
static civ_status csv_rewind(csv_reader *r)
{
    if (lseek(r->fd, 0, SEEK_SET) != 0) {
        civ_where w = {.file = r->path};
        return civ_fail_at(CIV_ERR_IO, &w, "cannot seek: %s", strerror(errno));
    }
    r->len = r->pos = 0;
    r->eof = 0;
    r->line = 1;
    r->record_line = 0;
    r->pending_blank = 0;
    r->pending_cells = 0;
    r->buf[0] = '\0';
    while (r->len < 3 && !r->eof) {
        civ_status s = csv_fill(r);
        if (s)
            return s;
    }
    if (r->len >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0)
        r->pos = 3;
    /* UTF-16 (a BOM FF FE / FE FF, or a NUL as the second byte of ASCII
     * text, little-endian, or as the first, big-endian, both without a BOM)
     * would otherwise be reported as "NUL byte in a field" (issue 18). */
    if (r->len >= 2 && (!memcmp(r->buf, "\xFF\xFE", 2) || !memcmp(r->buf, "\xFE\xFF", 2) ||
                        (r->buf[0] && !r->buf[1] && r->len >= 4 && r->buf[2] && !r->buf[3]) ||
                        (!r->buf[0] && r->buf[1] && r->len >= 4 && !r->buf[2] && r->buf[3]))) {
        civ_where w = {.file = r->path, .line = 1};
        return civ_fail_at(CIV_ERR_PARSE, &w,
                           "the file is UTF-16 text: civicast reads UTF-8; save it as \"CSV UTF-8\" (Excel) or "
                           "convert it (iconv -f UTF-16 -t UTF-8)");
    }
    return skip_leading_rows(r);
}

static void csv_close(csv_reader *r)
{
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
    free(r->buf);
    free(r->fields);
    r->buf = NULL;
    r->fields = NULL;
}

/* Opens `path` for reading; a workbook (.xlsx) is read as the CSV text of
 * its sheet `sheet` (xlsx_read.c: NULL = the only sheet with cells). */
static civ_status csv_open(csv_reader *r, const char *path, const char *sheet)
{
    memset(r, 0, sizeof *r);
    r->fd = -1;
    r->path = path;
    r->sheet = sheet;
    if (!path || !path[0])
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "input path is empty");
    civ_where w = {.file = path};
    if (civ_xlsx_is_workbook(path)) {
        civ_status s = civ_xlsx_sheet_csv(path, sheet, &r->fd);
        if (s)
            return s;
        r->is_sheet = 1;
    } else {
        r->fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (r->fd < 0)
        return civ_fail_at(CIV_ERR_IO, &w, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(r->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        csv_close(r);
        return civ_fail_at(CIV_ERR_IO, &w, "is a folder, not a file");
    }
    r->cap = READ_CHUNK;
    r->record_limit = CIV_CSV_HEADER_LIMIT; /* raised once the header is read */
    r->buf = malloc(r->cap + 1);
    r->fields_cap = 16;
    r->fields = malloc(r->fields_cap * sizeof *r->fields);
    if (!r->buf || !r->fields) {
        csv_close(r);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for a read buffer");
    }
    civ_status s = csv_rewind(r);
    if (s)
        csv_close(r);
    return s;
}

/* 1 for an encoding name that means UTF-8 (nothing to convert). */
static int is_utf8_name(const char *e)
{
    return !e || !e[0] || !civ_ascii_casecmp(e, "utf-8") || !civ_ascii_casecmp(e, "utf8") ||
        !civ_ascii_casecmp(e, "utf-8-sig");
}

int civ_csv_encoding_known(const char *e)
{
    return is_utf8_name(e) || !civ_ascii_casecmp(e, "gb18030") || !civ_ascii_casecmp(e, "gbk") ||
        !civ_ascii_casecmp(e, "gb2312") || !civ_ascii_casecmp(e, "cp936");
}

/* Bytes at the end of buf[0..n) that begin a UTF-8 sequence it does not
 * complete (0..3): held back for the next chunk. */
static size_t utf8_incomplete_tail(const unsigned char *buf, size_t n)
{
    for (size_t back = 1; back <= 3 && back <= n; back++) {
        unsigned char c = buf[n - back];
        if ((c & 0xC0) == 0x80)
            continue; /* a continuation byte: look further back */
        size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        return need > back ? back : 0;
    }
    return 0;
}

/* 1 when the whole open file is valid UTF-8 (read in chunks; the position
 * is left anywhere: the caller seeks), 0 when not, -1 on a read error. */
static int file_is_utf8(int fd, char *buf, size_t cap)
{
    if (lseek(fd, 0, SEEK_SET) != 0)
        return -1;
    size_t have = 0;
    for (;;) {
        ssize_t got = read(fd, buf + have, cap - have);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return -1;
        size_t n = have + (size_t)got;
        size_t tail = got ? utf8_incomplete_tail((const unsigned char *)buf, n) : 0;
        if (!civ_utf8_valid(buf, n - tail))
            return 0;
        if (!got)
            return 1;
        memmove(buf, buf + n - tail, tail);
        have = tail;
    }
}

/* Decodes the open file from GB18030 (GBK and GB2312 are subsets) into an
 * unnamed temporary file with glibc's iconv, and reads that instead, so the
 * streaming reader and its rewinds work unchanged.  Errors name the byte
 * offset of the first invalid sequence. */
static civ_status csv_decode(csv_reader *r, const char *encoding)
{
    civ_where w = {.file = r->path};
    if (!civ_csv_encoding_known(encoding))
        return civ_fail_at(CIV_ERR_UNSUPPORTED, &w, "encoding '%.40s' is not supported: use utf-8 or gb18030",
                           encoding);
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1)
        return civ_fail_at(CIV_ERR_UNSUPPORTED, &w, "this system's iconv cannot decode GB18030");
    char *in = malloc(READ_CHUNK + 8);
    if (!in) {
        iconv_close(cd);
        return civ_fail_at(CIV_ERR_OUT_OF_MEMORY, &w, "out of memory to decode the file");
    }
    /* A file that is valid UTF-8 is UTF-8 (civicast's own outputs without
     * the mark, sheets saved as CSV UTF-8): GBK text is almost never valid
     * UTF-8, while UTF-8 Chinese is often valid GB18030, as mojibake. */
    int utf8 = file_is_utf8(r->fd, in, READ_CHUNK);
    if (utf8 != 0) {
        iconv_close(cd);
        free(in);
        if (utf8 < 0)
            return civ_fail_at(CIV_ERR_IO, &w, "read failed: %s", strerror(errno));
        return csv_rewind(r);
    }
    FILE *tmp = tmpfile();
    char *outbuf = malloc(4 * READ_CHUNK + 64);
    civ_status s = CIV_OK;
    if (!tmp || !outbuf)
        s = civ_fail_at(CIV_ERR_IO, &w, "cannot make a temporary file to decode into: %s", strerror(errno));
    if (!s && lseek(r->fd, 0, SEEK_SET) != 0)
        s = civ_fail_at(CIV_ERR_IO, &w, "cannot seek: %s", strerror(errno));
    size_t have = 0, offset = 0;
    int eof = 0;
    while (!s && (!eof || have)) {
        if (!eof) {
            ssize_t got = read(r->fd, in + have, READ_CHUNK - have);
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0) {
                s = civ_fail_at(CIV_ERR_IO, &w, "read failed: %s", strerror(errno));
                break;
            }
            eof = got == 0;
            have += (size_t)got;
        }
        char *ip = in, *op = outbuf;
        size_t il = have, ol = 4 * READ_CHUNK + 64;
        size_t rc = iconv(cd, &ip, &il, &op, &ol);
        if (rc == (size_t)-1 && (errno == EILSEQ || (errno == EINVAL && eof))) {
            s = civ_fail_at(CIV_ERR_PARSE, &w,
                            "byte %zu is not valid GB18030: the file is in another encoding (save it as \"CSV "
                            "UTF-8\" and drop --encoding)",
                            offset + (size_t)(ip - in) + 1);
            break;
        }
        fwrite(outbuf, 1, (size_t)(op - outbuf), tmp);
        offset += (size_t)(ip - in);
        memmove(in, ip, il);
        have = il;
        if (eof && have == 0)
            break;
    }
    iconv_close(cd);
    free(in);
    free(outbuf);
    if (!s && (fflush(tmp) != 0 || ferror(tmp)))
        s = civ_fail_at(CIV_ERR_IO, &w, "cannot write the decoded temporary file: %s", strerror(errno));
    int fd = -1;
    if (!s && (fd = dup(fileno(tmp))) < 0)
        s = civ_fail_at(CIV_ERR_IO, &w, "cannot reopen the decoded file: %s", strerror(errno));
    if (tmp)
        fclose(tmp);
    if (s)
        return s;
    close(r->fd);
    r->fd = fd;
    return csv_rewind(r);
}

/* csv_open, then decoding from `encoding` when it is not UTF-8.  A file
 * that starts with a UTF-8 byte-order mark, or that is valid UTF-8 as a
 * whole, is UTF-8 whatever `encoding` says (csv_rewind skipped the mark):
 * one --encoding gb18030 then serves a command that reads a GBK sheet and
 * civicast's own outputs, or sheets saved as CSV UTF-8.  (In GB18030 those bytes would be 锘 plus a stray
 * byte: the well-known sign of a UTF-8 file misread, not a header.) */
static civ_status csv_open_encoded(csv_reader *r, const char *path, const char *encoding, const char *sheet,
                                   int skip_rows)
{
    if (skip_rows < 0)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "skip_rows is %d: the rows to skip above the header are 0 or more",
                        skip_rows);
    civ_status s = csv_open(r, path, sheet);
    if (s)
        return s;
    int utf8 = is_utf8_name(encoding) || r->pos == 3 || r->is_sheet; /* a workbook's text is UTF-8 */
    r->skip_rows = skip_rows; /* taken by every rewind from here on */
    if (utf8 ? skip_rows && (s = csv_rewind(r)) : (s = csv_decode(r, encoding)) != CIV_OK)
        csv_close(r);
    return s;
}

/* Doubles the room for fields. */
static civ_status grow_fields(csv_reader *r)
{
    if (r->fields_cap >= CIV_CSV_COLUMN_LIMIT) /* bounds a hostile header's memory (csv.h) */
        return fail_cell(r, CIV_ERR_LIMIT, r->line, 0, NULL, "more than %zu columns in a record",
                         CIV_CSV_COLUMN_LIMIT);
    csv_field *f = realloc(r->fields, 2 * r->fields_cap * sizeof *f);
    if (!f)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for a record of %zu fields", r->fields_cap);
    r->fields = f;
    r->fields_cap *= 2;
    return CIV_OK;
}

/* A complete record's fields, unquoted in place and NUL-terminated. */
static void unquote_fields(csv_reader *r)
{
    for (size_t i = 0; i < r->n_fields; i++) {
        csv_field *f = &r->fields[i];
        if (f->escaped) {
            char *src = f->text, *dst = f->text, *stop = f->text + f->len;
            while (src < stop) {
                if (*src == '"')
                    src++; /* the first of a doubled quote */
                *dst++ = *src++;
            }
            f->len = (size_t)(dst - f->text);
        }
        f->text[f->len] = '\0';
    }
}

/* 1 when every one of the n fields is empty and unquoted: a row of empty
 * cells, as Excel writes the rows of its used range below the data. */
static int all_cells_empty(const csv_field *fields, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fields[i].len || fields[i].quoted)
            return 0;
    return 1;
}

/* How many rows are above the first row of r's file with two or more cells that are not empty: the rows to skip
 * (options .skip_rows) when the rows above it are a title, a unit line ("单位：元") or empty, for the message that
 * refuses such a file.  The file's first 64 KiB are scanned (pread: r's own position is kept) as
 * skip_leading_rows counts rows; 0 when no such row is found there. */
static long rows_above_table(const csv_reader *r)
{
    enum { SCAN = 64 * 1024 };
    char *b = malloc(SCAN);
    ssize_t n = b ? pread(r->fd, b, SCAN, 0) : -1;
    long row = 0, found = 0;
    size_t i = n >= 3 && !memcmp(b, "\xEF\xBB\xBF", 3) ? 3 : 0, len = 0, cells = 0;
    int quoted = 0;
    for (; n > 0 && i < (size_t)n && !found; i++) {
        char c = b[i];
        if (c == '"')
            quoted = !quoted;
        else if (quoted || (c != ',' && c != '\n' && c != '\r'))
            len++;
        if (!quoted && (c == ',' || c == '\n')) {
            cells += len > 0;
            len = 0;
        }
        if (!quoted && c == '\n') {
            if (cells >= 2)
                found = row;
            row++, cells = 0;
        }
    }
    free(b);
    return found;
}

/* What to do about a header of one cell over a table ("2025年各社区人口统计,,,"): the rows above the table to skip,
 * or delete.  `cell` names the header's cell; the message ends without a period. */
static civ_status title_above(const csv_reader *r, civ_status status, long line, size_t column, const char *what,
                              const char *cell)
{
    long k = rows_above_table(r);
    char skip[160] = "skip the rows above the header with --skip-rows N (Python skip_rows=N)";
    if (k > 0)
        civ_snprintf(skip, sizeof skip, "skip the %ld row%s above the header with --skip-rows %ld (Python "
                     "skip_rows=%ld)", k, k == 1 ? "" : "s", k, k);
    return fail_cell(r, status, line, column, NULL,
                     "%s ('%s'): if it is a title above the header (or a unit line such as 单位：元), %s, or "
                     "delete %s before saving", what, cell, skip, k == 1 ? "that row" : "those rows");
}

/* A record as wide as the header with its unnamed trailing columns
 * (r->phantom): their cells must be empty, and are dropped (*nf becomes the
 * named width).  A value there is an error at its cell. */
static civ_status drop_phantom_cells(const csv_reader *r, size_t *nf)
{
    if (!r->phantom || *nf != r->n_names + r->phantom)
        return CIV_OK;
    for (size_t c = r->n_names; c < *nf; c++)
        if (r->n_names == 1 && r->names && (r->fields[c].len || r->fields[c].quoted))
            return title_above(r, CIV_ERR_PARSE, r->fields[c].line, c + 1,
                               "a value under a column with no name in the header: name the column, or delete "
                               "the cell; the header has one name only", r->names[0]);
        else if (r->fields[c].len || r->fields[c].quoted)
            return fail_cell(r, CIV_ERR_PARSE, r->fields[c].line, c + 1, NULL,
                             "a value under a column with no name in the header: name the column, or delete the "
                             "cell");
    *nf = r->n_names;
    return CIV_OK;
}

/* Reads the next record into r->fields.  *have = 0 at the end of the file.
 * One piece: a single pass over the buffer whose states (empty line, quoted
 * field, plain field, end of record, refill) jump to each other. */
static civ_status csv_next(csv_reader *r, int *have)
{
    *have = 0;
    civ_status s;
    for (;;) {
        char *p = r->buf + r->pos, *end = r->buf + r->len;
        long line = r->line;
        size_t nf = 0;
        if (p == end) {
            if (r->eof)
                return CIV_OK;
            goto refill;
        }
        if (*p == '\n' || *p == '\r') { /* an empty line */
            if (*p == '\r') {
                if (p + 1 == end && !r->eof)
                    goto refill;
                if (p[1] != '\n')
                    return fail_cell(r, CIV_ERR_PARSE, line, 1, NULL, LONE_CR_MESSAGE);
                r->pos++;
            }
            r->pos++;
            if (!r->pending_blank)
                r->pending_blank = line, r->pending_cells = 0;
            r->line++;
            continue;
        }
        for (;;) {
            if (nf == r->fields_cap && (s = grow_fields(r)) != CIV_OK)
                return s;
            csv_field *f = &r->fields[nf];
            f->line = line;
            f->escaped = 0;
            if (*p == '"') {
                char *q = p + 1;
                f->quoted = 1;
                for (;;) {
                    while (!quoted_stop[(unsigned char)*q])
                        q++;
                    if (*q == '\n') { /* a line break in a workbook's cell stays in its sheet row */
                        line += !r->is_sheet;
                        q++;
                        continue;
                    }
                    if (*q == '\0') {
                        if (q < end)
                            return fail_cell(r, CIV_ERR_PARSE, line, nf + 1, NULL, "NUL byte in a field");
                        if (!r->eof) {
                            if ((size_t)(q - p) > CIV_CSV_FIELD_LIMIT)
                                goto too_long;
                            goto refill;
                        }
                        return fail_cell(r, CIV_ERR_PARSE, f->line, nf + 1, NULL,
                                         "unterminated quoted field (the quote opens here and never closes)");
                    }
                    if (q + 1 == end && !r->eof)
                        goto refill;
                    if (q[1] == '"') {
                        f->escaped = 1;
                        q += 2;
                        continue;
                    }
                    break;
                }
                f->text = p + 1;
                f->len = (size_t)(q - p - 1);
                p = q + 1;
                if (p != end && *p != ',' && *p != '\n' && *p != '\r')
                    return fail_cell(r, CIV_ERR_PARSE, line, nf + 1, NULL,
                                     "unexpected text after a closing quote (quote the whole field and double "
                                     "inner quotes)");
            } else {
                char *start = p;
                f->quoted = 0;
                while (!plain_stop[(unsigned char)*p])
                    p++;
                if (*p == '"')
                    return fail_cell(r, CIV_ERR_PARSE, line, nf + 1, NULL,
                                     "quote inside an unquoted field (quote the whole field and double inner "
                                     "quotes)");
                if (*p == '\0') {
                    if (p < end)
                        return fail_cell(r, CIV_ERR_PARSE, line, nf + 1, NULL, "NUL byte in a field");
                    if (!r->eof) {
                        if ((size_t)(p - start) > CIV_CSV_FIELD_LIMIT)
                            goto too_long;
                        goto refill;
                    }
                }
                f->text = start;
                f->len = (size_t)(p - start);
            }
            if (f->len > CIV_CSV_FIELD_LIMIT)
                goto too_long;
            nf++;
            if (p == end) { /* last record without a final newline */
                r->pos = r->len;
                break;
            }
            if (*p == ',') {
                p++;
                continue;
            }
            if (*p == '\r') {
                if (p + 1 == end && !r->eof)
                    goto refill;
                if (p[1] != '\n')
                    return fail_cell(r, CIV_ERR_PARSE, line, nf, NULL, LONE_CR_MESSAGE);
                p++;
            }
            p++; /* the '\n' */
            line++;
            r->pos = (size_t)(p - r->buf);
            break;
        }
        /* The record is complete: drop the unnamed columns' empty cells, take a
         * row of empty cells as an empty line, check order rules, then unquote
         * in place. */
        if ((s = drop_phantom_cells(r, &nf)))
            return s;
        if (all_cells_empty(r->fields, nf)) {
            if (!r->pending_blank)
                r->pending_blank = r->fields[0].line, r->pending_cells = 1;
            r->line = line;
            continue;
        }
        if (r->pending_blank && !r->names) /* before the header: a sheet whose table starts lower down */
            return fail_cell(r, CIV_ERR_PARSE, r->pending_blank, 1, NULL,
                             "empty %s above the header: delete %s, so that the header is the first row, or skip "
                             "the %ld rows above it (--skip-rows %ld; Python skip_rows=%ld)",
                             r->pending_cells ? "rows" : "lines", r->pending_cells ? "those rows" : "them",
                             r->fields[0].line - 1, r->fields[0].line - 1, r->fields[0].line - 1);
        if (r->pending_blank && r->names && r->n_names == 1 && nf > 1) /* "title", "", then the header */
            return title_above(r, CIV_ERR_PARSE, r->pending_blank, 1, "a title over an empty line", r->names[0]);
        if (r->pending_blank)
            return fail_cell(r, CIV_ERR_PARSE, r->pending_blank, 1, NULL,
                             r->pending_cells ? "a row of empty cells inside the data (delete the row)"
                                              : "empty line inside the data (remove it, or write \"\" for an empty "
                                                "value)");
        r->record_line = r->fields[0].line;
        r->line = line;
        r->n_fields = nf;
        unquote_fields(r);
        *have = 1;
        return CIV_OK;

    refill:
        s = csv_fill(r);
        if (s)
            return s;
        continue;
    too_long:
        return fail_cell(r, CIV_ERR_LIMIT, r->fields[nf].line, nf + 1, NULL, "field longer than %zu MiB",
                         CIV_CSV_FIELD_LIMIT >> 20);
    }
}

/* 1 for a cell that is a year alone, as a merged cell above a row of months holds it: 2023, 2023年, 2023年度. */
static int year_alone(const char *t, size_t len)
{
    while (len && t[len - 1] == ' ')
        len--;
    if (len < 4 || (t[0] != '1' && t[0] != '2'))
        return 0;
    for (size_t k = 1; k < 4; k++)
        if (!civ_ascii_isdigit((unsigned char)t[k]))
            return 0;
    return len == 4 || (len == 7 && !memcmp(t + 4, "年", 3)) || (len == 10 && !memcmp(t + 4, "年度", 6));
}

/* A header row that holds a year over empty cells ("社区,2023年,,,", ",2023年,,", "2023年,,,": a year in a merged
 * cell above a row of months) with months without their year in the row below ("1月,2月,..."): an error that
 * says what to do (before 2026-12-07 "empty column name", "a value under a column with no name" or "the first
 * line has one cell only").  Otherwise the reader is rewound and its header read again, as it was. */
static civ_status year_above_months(csv_reader *r)
{
    size_t year = SIZE_MAX;
    for (size_t c = 0; c + 1 < r->n_fields && year == SIZE_MAX; c++)
        if (year_alone(r->fields[c].text, r->fields[c].len) && !r->fields[c + 1].len && !r->fields[c + 1].quoted)
            year = c;
    if (year == SIZE_MAX)
        return CIV_OK;
    char y[32], month[64] = "";
    civ_snprintf(y, sizeof y, "%s", r->fields[year].text);
    long line = r->fields[year].line;
    size_t months = 0;
    int have = 0;
    if (csv_next(r, &have) == CIV_OK && have)
        for (size_t c = 0; c < r->n_fields; c++)
            if (civ_date_yearless_month(r->fields[c].text) && !months++)
                civ_snprintf(month, sizeof month, "%s", r->fields[c].text);
    civ_clear_error();
    if (months >= 2)
        return fail_cell(r, CIV_ERR_PARSE, line, year + 1, NULL,
                         "%s %ld holds the year '%s' above months without their year on %s %ld ('%s', ...), "
                         "as a merged year cell over a row of months: civicast reads one header row, a date in "
                         "each period's header: write each month with its year (%.4s年1月 or %.4s-01), name the "
                         "id column in that row, and delete the year row",
                         r->is_sheet ? "row" : "line", line, y, r->is_sheet ? "row" : "line", r->fields[0].line,
                         month, y, y);
    civ_status s = csv_rewind(r);
    if (!s)
        s = csv_next(r, &have);
    return s;
}

/* Reads the header: names must be non-empty, valid UTF-8 and distinct
 * (checked through a hash set: linear in the header, see CIV_CSV_HEADER_LIMIT
 * and CIV_CSV_COLUMN_LIMIT).  Copies them into r->names for error messages. */
static civ_status csv_read_header(csv_reader *r)
{
    int have;
    civ_status s = csv_next(r, &have);
    if (s)
        return s;
    if (!have && r->skip_rows) {
        civ_where w = {.file = r->path, .line = r->line};
        return civ_fail_at(CIV_ERR_PARSE, &w,
                           "no header below the %ld rows skipped above it (--skip-rows; Python skip_rows=): the "
                           "file ends there", r->skip_rows);
    }
    if (!have) {
        civ_where w = {.file = r->path, .line = 1};
        return civ_fail_at(CIV_ERR_PARSE, &w, "empty file: expected a header line");
    }
    if ((s = year_above_months(r)))
        return s;
    r->header_line = r->record_line;
    r->record_limit = CIV_CSV_RECORD_LIMIT;
    /* unnamed columns after the last name: Excel's used range, dropped */
    size_t named = r->n_fields;
    while (named > 0 && !r->fields[named - 1].len && !r->fields[named - 1].quoted)
        named--;
    if (!named)
        named = r->n_fields; /* no name at all: the error below */
    r->names = calloc(named, sizeof *r->names);
    if (!r->names)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the header");
    r->n_names = named;
    r->phantom = r->n_fields - named;
    const csv_field *only = &r->fields[0];
    for (const char *other = ";\t|"; named == 1 && *other; other++)
        if (memchr(only->text, *other, only->len))
            return fail_cell(r, CIV_ERR_PARSE, only->line, 1, NULL,
                             "the header is one column '%s': the file is separated by %s, not commas; civicast "
                             "reads comma-separated files: save as \"CSV UTF-8 (Comma delimited)\" (Excel) or "
                             "df.to_csv(path, index=False) (pandas)",
                             only->text, *other == ';' ? "semicolons" : *other == '\t' ? "tabs" : "'|'");
    civ_strmap seen = {0};
    for (size_t c = 0; c < named; c++) {
        const csv_field *f = &r->fields[c];
        if (!f->len && c == 0 && named > 1) /* ",unique_id,ds,y": what df.to_csv(path) (or to_excel) writes */
            s = fail_cell(r, CIV_ERR_PARSE, f->line, 1, NULL,
                          "empty column name in the header: the first column has no name, as pandas writes its "
                          "index unless told not to; save with df.%s(path, index=False), or name or delete "
                          "the column",
                          r->is_sheet ? "to_excel" : "to_csv");
        else if (!f->len)
            s = fail_cell(r, CIV_ERR_PARSE, f->line, c + 1, NULL,
                          "empty column name in the header: name the column or delete it");
        else if (!civ_utf8_valid(f->text, f->len))
            s = fail_cell(r, CIV_ERR_PARSE, f->line, c + 1, NULL, "column name is not valid UTF-8" NOT_UTF8_HINT);
        /* A name starting with U+FEFF (a second BOM: the file was re-encoded
         * twice) would look like "unique_id" and not match it, and would not
         * survive a write and re-read (fuzz_csv crasher
         * tests/fuzz/crashers/csv/double_bom). */
        else if (f->len >= 3 && !memcmp(f->text, "\xEF\xBB\xBF", 3))
            s = fail_cell(r, CIV_ERR_PARSE, f->line, c + 1, NULL,
                          "column name starts with a byte-order mark (U+FEFF): was the file encoded twice?");
        else if (!(r->names[c] = strdup(f->text)))
            s = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the header");
        else {
            size_t j = 0;
            s = civ_strmap_put(&seen, r->names[c], c, &j);
            if (s == CIV_ERR_DUPLICATE)
                s = fail_cell(r, CIV_ERR_DUPLICATE, f->line, c + 1, NULL,
                              "column '%s' appears twice in the header (columns %zu and %zu): rename or delete one "
                              "of them",
                              r->names[c], j + 1, c + 1);
        }
        if (s)
            break;
    }
    civ_strmap_free(&seen);
    return s;
}

static void csv_free_names(csv_reader *r)
{
    if (r->names)
        for (size_t c = 0; c < r->n_names; c++)
            free(r->names[c]);
    free(r->names);
    r->names = NULL;
    r->n_names = 0;
}

static civ_status check_width(const csv_reader *r, size_t expected)
{
    if (r->n_fields == expected)
        return CIV_OK;
    if (expected == 1 && r->names && r->n_fields > 1 && r->n_names == 1) { /* "title" above "unique_id,pop" */
        char what[96];
        civ_snprintf(what, sizeof what, "row has %zu fields but the header (line %ld) has 1", r->n_fields,
                     r->header_line);
        return title_above(r, CIV_ERR_PARSE, r->fields[0].line, 1, what, r->names[0]);
    }
    size_t column = (r->n_fields < expected ? r->n_fields : expected) + 1;
    const csv_field *f = &r->fields[r->n_fields < expected ? r->n_fields - 1 : expected];
    return fail_cell(r, CIV_ERR_PARSE, f->line, column, NULL, "row has %zu fields but the header has %zu",
                     r->n_fields, expected);
}

/* ======================================================================== */
/* Panel reader                                                             */
/* ======================================================================== */

typedef struct series_stats {
    int64_t first;      /* earliest period of any row */
    int64_t last_any;   /* latest period of any row */
    int64_t last_kept;  /* latest period of a non-future row (y, or nothing at all), or NO_PERIOD */
} series_stats;

typedef struct panel_reader {
    csv_reader r;
    size_t n_cols, col_id, col_ds, col_y;
    size_t *cov_cols; /* column of covariate k */
    size_t n_cov;
    char **ids;       /* malloc'd, moved into the panel on success */
    size_t n_series, cap;
    civ_strmap map;   /* id -> series, keys are ids[i] */
    series_stats *st;
    int64_t *cov_last; /* n_cov per series: last period with a value, or NO_PERIOD */
    size_t n_rows;
    civ_date_form form;
    long form_line;
    civ_spacing *sp;   /* per series: the spacing of its day dates */
    char time_sep;     /* day dates: ' ' or 'T' when the first carried a time */
    civ_freq_spec want;          /* --freq, or {0} to infer */
    civ_frequency freq;          /* decided in panel_build */
    int phase;
    char *const *id_view;        /* ids / map in use: the reader's in pass 1, */
    const civ_strmap *map_view;  /* the panel's in pass 2 (after the move)   */
    size_t cached;     /* series of the previous row (valid when n_series > 0) */
    size_t cached_len; /* strlen of its id */
    long total_line;     /* first line of a series named like a sheet's total row (合计, Total), or 0 */
    size_t total_series; /* that series */
    const char *encoding; /* the caller's, so that a re-read (find_first_line) decodes as the read did */
} panel_reader;

static void panel_reader_free(panel_reader *pr)
{
    csv_free_names(&pr->r);
    csv_close(&pr->r);
    if (pr->ids)
        for (size_t i = 0; i < pr->n_series; i++)
            free(pr->ids[i]);
    free(pr->ids);
    civ_strmap_free(&pr->map);
    free(pr->st);
    free(pr->sp);
    free(pr->cov_last);
    free(pr->cov_cols);
}

/* Finds the series of an id field: the previous row's series (sorted files)
 * or the id map.  Returns 1 when found. */
static int lookup_series(const panel_reader *pr, const csv_field *f, size_t *i)
{
    if (pr->n_series && f->len == pr->cached_len && memcmp(pr->id_view[pr->cached], f->text, f->len) == 0) {
        *i = pr->cached;
        return 1;
    }
    return civ_strmap_get(pr->map_view, f->text, i);
}

static void remember_series(panel_reader *pr, size_t i, size_t len)
{
    pr->cached = i;
    pr->cached_len = len;
}

static civ_status add_series_id(panel_reader *pr, const csv_field *f, size_t *i)
{
    csv_reader *r = &pr->r;
    if (!f->len) /* a row under another series' rows: the sheet's merged id cells, saved as blanks */
        return fail_cell(r, CIV_ERR_PARSE, f->line, pr->col_id + 1, NULL,
                         pr->n_series ? "empty series id in '%s': every row needs its id; left blank under the id "
                                        "above, as Excel saves merged cells? unmerge and fill the column down (Excel: "
                                        "Go To Special, Blanks, =the cell above, Ctrl+Enter; pandas: "
                                        "df[col] = df[col].ffill())"
                                      : "empty series id in '%s'",
                         field_name(r, pr->col_id));
    if (!civ_utf8_valid(f->text, f->len))
        return fail_cell(r, CIV_ERR_PARSE, f->line, pr->col_id + 1, NULL, "unique_id is not valid UTF-8" NOT_UTF8_HINT);
    if (pr->n_series == pr->cap) {
        size_t cap = pr->cap ? 2 * pr->cap : 256;
        char **ids = realloc(pr->ids, cap * sizeof *ids);
        if (ids)
            pr->ids = ids;
        series_stats *st = realloc(pr->st, cap * sizeof *st);
        if (st)
            pr->st = st;
        civ_spacing *sp = realloc(pr->sp, cap * sizeof *sp);
        if (sp)
            pr->sp = sp;
        int64_t *cl = pr->n_cov ? realloc(pr->cov_last, cap * pr->n_cov * sizeof *cl) : pr->cov_last;
        if (cl)
            pr->cov_last = cl;
        if (!ids || !st || !sp || (pr->n_cov && !cl))
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for %zu series", cap);
        pr->cap = cap;
    }
    char *id = malloc(f->len + 1);
    if (!id)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory copying a series id");
    memcpy(id, f->text, f->len + 1);
    size_t n = pr->n_series;
    civ_status s = civ_strmap_put(&pr->map, id, n, NULL);
    if (s) {
        free(id);
        return s;
    }
    pr->ids[n] = id;
    pr->id_view = pr->ids;
    pr->st[n].first = INT64_MAX;
    pr->st[n].last_any = NO_PERIOD;
    pr->st[n].last_kept = NO_PERIOD;
    civ_spacing_init(&pr->sp[n]);
    for (size_t k = 0; k < pr->n_cov; k++)
        pr->cov_last[n * pr->n_cov + k] = NO_PERIOD;
    pr->n_series++;
    if (!pr->total_line && civ_total_row_series(id)) { /* "total" exactly: hier/structure.c's top node */
        pr->total_line = f->line;
        pr->total_series = n;
    }
    *i = n;
    return CIV_OK;
}

static const char *form_name(civ_date_form form)
{
    switch (form) {
    case CIV_DATE_YEAR: return "year (YYYY)";
    case CIV_DATE_QUARTER: return "quarter (YYYY-Qn)";
    case CIV_DATE_MONTH: return "month (YYYY-MM)";
    default: return "day (YYYY-MM-DD)";
    }
}

/* Parses the ds field of the current row into (form, value). */
static civ_status parse_ds(const panel_reader *pr, const csv_field *f, const char *series, civ_date_form *form,
                           int64_t *value)
{
    if (civ_date_parse(f->text, f->len, form, value) == CIV_OK)
        return CIV_OK;
    if (!civ_utf8_valid(f->text, f->len)) /* '2019年1月' of a GB18030 export: the encoding, not the bytes */
        return fail_cell(&pr->r, CIV_ERR_DATE, f->line, pr->col_ds + 1, series, "the date is not valid UTF-8"
                         NOT_UTF8_HINT);
    if (civ_total_row_id(series)) /* a sheet's total row: '合计,,"1,012,891"' under the data */
        return fail_cell(&pr->r, CIV_ERR_PARSE, f->line, pr->col_ds + 1, series,
                         "'%s' with %s date looks like the sheet's total row, not a series: delete the row "
                         "(civicast sums the series itself: convert --hierarchy gives district and city totals)",
                         series, f->len ? "no valid" : "an empty");
    if (!f->len) /* a note or a subtotal under the table, or a row whose month was not filled in */
        return fail_cell(&pr->r, CIV_ERR_DATE, f->line, pr->col_ds + 1, series,
                         "the date is empty: every row of a long panel needs its period (a note or a total "
                         "below the table? delete the row)");
    char message[512];
    civ_snprintf(message, sizeof message, "%s", civ_last_error()->message);
    return fail_cell(&pr->r, CIV_ERR_DATE, f->line, pr->col_ds + 1, series, "%s", message);
}

/* The header's columns as "a, b, c" (whole names only, so the text stays
 * UTF-8; ", ..." when they do not all fit), for messages. */
static void header_list(const csv_reader *r, char *have, size_t size)
{
    size_t used = 0, c = 0;
    have[0] = '\0';
    for (; c < r->n_names; c++) {
        size_t len = strlen(r->names[c]) + (c ? 2 : 0);
        if (used + len >= size - 5)
            break;
        civ_snprintf(have + used, size - used, "%s%s", c ? ", " : "", r->names[c]);
        used += len;
    }
    if (c < r->n_names)
        civ_snprintf(have + used, size - used, ", ...");
}

static size_t header_find(const csv_reader *r, const char *name)
{
    for (size_t c = 0; c < r->n_names; c++)
        if (!strcmp(r->names[c], name))
            return c;
    return SIZE_MAX;
}

/* The column that plays `role` (unique_id, ds or y).  `given` is the file's
 * own name for it (civ_*_read_options.id_column, ...; NULL or "" = none).
 * With a given name: that column, or, when the header lacks it but has
 * `role` itself (a file civicast wrote), that one; both at once is refused,
 * since either could be meant.  Without: the column named `role`.  *col is
 * SIZE_MAX when neither is there: the caller says what it needed. */
static civ_status header_role(const csv_reader *r, const char *role, const char *given, const char *what, size_t *col)
{
    size_t standard = header_find(r, role);
    *col = standard;
    if (!given || !given[0] || !strcmp(given, role))
        return CIV_OK;
    size_t own = header_find(r, given);
    if (own == SIZE_MAX)
        return CIV_OK;
    if (standard != SIZE_MAX) {
        civ_where w = {.file = r->path, .line = r->header_line, .column = (long)standard + 1, .field = role};
        return civ_fail_at(CIV_ERR_DUPLICATE, &w,
                           "the header has both '%s' (column %zu, given as the %s column) and '%s' (column %zu): "
                           "either could be meant; drop or rename one of them",
                           given, own + 1, what, role, standard + 1);
    }
    *col = own;
    return CIV_OK;
}

/* The column of r's header whose name is `name` but for spaces around it (ASCII spaces and tabs, the no-break
 * U+00A0 and the ideographic U+3000, as a sheet's header cell keeps them), else SIZE_MAX. */
static size_t header_find_spaced(const csv_reader *r, const char *name)
{
    for (size_t c = 0; c < r->n_names; c++)
        if (civ_text_is_spaced(r->names[c], name))
            return c;
    return SIZE_MAX;
}

/* A header of one cell over the rows of a wider table: a title, refused with the rows to skip (title_above). */
static civ_status title_header(const csv_reader *r)
{
    char what[96];
    civ_snprintf(what, sizeof what, "%s %ld has one cell only and is not a header", r->is_sheet ? "row" : "line",
                 r->header_line);
    return title_above(r, CIV_ERR_MISSING_COLUMN, r->header_line, 0, what, r->names[0]);
}

civ_status civ_csv_title_error(const char *path, const char *encoding, const char *sheet, int skip_rows)
{
    csv_reader r;
    civ_status s = csv_open_encoded(&r, path, encoding, sheet, skip_rows);
    if (s)
        return s;
    if (!(s = csv_read_header(&r)))
        s = title_header(&r);
    csv_free_names(&r);
    csv_close(&r);
    return s;
}

/* A role with no column: the header's columns and the ways to name it. */
static civ_status header_missing(const csv_reader *r, const char *role, const char *given, const char *needs,
                                 const char *fix)
{
    char have[256];
    header_list(r, have, sizeof have);
    civ_where w = {.file = r->path, .line = r->header_line, .field = given && given[0] ? given : role};
    const char *want = given && given[0] ? given : role;
    size_t spaced = header_find_spaced(r, want);
    if (spaced != SIZE_MAX) { /* "unique_id " as a sheet's header cell kept it */
        w.column = (long)spaced + 1;
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w,
                           "the header has no '%s' column, but '%s' (column %zu), the same name with spaces around "
                           "it: delete the spaces in that header cell (in Excel, =TRIM() or Find and Replace)",
                           want, r->names[spaced], spaced + 1);
    }
    if (given && given[0] && strcmp(given, role))
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w,
                           "the header has no column '%s' (given for %s) and no '%s' (it has %s): check the name, "
                           "its spelling and the file's encoding",
                           given, role, role, have);
    /* No column to point at: the header line is named, not a column past
     * its end (issue 18).  The usual causes: a spreadsheet's own names, or
     * its wide layout (a column per period). */
    size_t dates = 0, first = SIZE_MAX;
    for (size_t c = 0; c < r->n_names; c++) {
        civ_date_form f;
        int64_t v;
        if (civ_date_parse(r->names[c], strlen(r->names[c]), &f, &v) == CIV_OK && dates++ == 0)
            first = c;
    }
    civ_clear_error();
    if (r->n_names == 1 && (r->phantom || rows_above_table(r) > r->skip_rows)) /* "2024年社区助餐统计表,,," */
        return title_header(r);
    if (dates >= 2)
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w,
                           "the header has no '%s' column, and %zu of its columns are dates (%s, ...): the file is "
                           "wide, a column per period; read it as wide (--wide-input; a plan's layout = \"wide\"; "
                           "Python layout=\"wide\")",
                           role, dates, r->names[first]);
    size_t ds = header_find(r, "ds");
    if (!strcmp(role, "unique_id") && ds != SIZE_MAX && header_find(r, "y") == SIZE_MAX && r->n_names >= 3)
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w, /* dates down the rows, a column per series */
                           "the header has no 'unique_id' and no 'y' column, but 'ds' and %zu others ('%.40s', ...): "
                           "a column per series, as df.pivot(index=\"ds\", columns=\"unique_id\") writes? civicast "
                           "reads the long form: save df.melt(id_vars=\"ds\", var_name=\"unique_id\", "
                           "value_name=\"y\").to_csv(path, index=False), or a row per series (df.T) with --wide-input",
                           r->n_names - 1, r->names[ds ? 0 : 1]);
    return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w, "the header has no '%s' column (%s; this one has %s): %s", role,
                       needs, have, fix);
}

static civ_status panel_header(panel_reader *pr, const civ_panel_read_options *options)
{
    csv_reader *r = &pr->r;
    civ_status s = csv_read_header(r);
    if (s)
        return s;
    pr->n_cols = r->n_names;
    const char *role[3] = {"unique_id", "ds", "y"};
    const char *what[3] = {"series id", "date", "value"};
    const char *given[3] = {options ? options->id_column : NULL, options ? options->time_column : NULL,
                            options ? options->target_column : NULL};
    size_t *slot[3] = {&pr->col_id, &pr->col_ds, &pr->col_y};
    for (int j = 0; j < 3; j++) {
        if ((s = header_role(r, role[j], given[j], what[j], slot[j])))
            return s;
        if (*slot[j] == SIZE_MAX)
            return header_missing(r, role[j], given[j], "a panel needs unique_id, ds and y",
                                  "name the series id, date and value columns unique_id, ds and y, or say which "
                                  "they are (--id-col, --time-col, --target-col; Python id_col=, time_col=, "
                                  "target_col=)");
        for (int k = 0; k < j; k++)
            if (*slot[k] == *slot[j]) {
                civ_where w = {.file = r->path, .line = r->header_line, .column = (long)*slot[j] + 1,
                               .field = r->names[*slot[j]]};
                return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "column '%s' cannot be both the %s and the %s column",
                                   r->names[*slot[j]], what[k], what[j]);
            }
    }
    pr->n_cov = pr->n_cols - 3;
    if (pr->n_cov) {
        pr->cov_cols = malloc(pr->n_cov * sizeof *pr->cov_cols);
        if (!pr->cov_cols)
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the covariate list");
        size_t k = 0;
        for (size_t c = 0; c < pr->n_cols; c++)
            if (c != pr->col_id && c != pr->col_ds && c != pr->col_y)
                pr->cov_cols[k++] = c;
    }
    return CIV_OK;
}

/* A series named like a sheet's total row ('合计,2024-01,12345': an Excel export in long form with a total
 * block per month) among other series would be forecast, counted into the city and allocated money as one
 * more community: refused, as the wide reader and a total row without dates are.  Alone, it is a panel of
 * the city's total and is read; so is "total" exactly, the top node of civicast's own node panels
 * (convert --hierarchy, Hierarchy.aggregate), read back to forecast every node. */
static civ_status total_row_series(const panel_reader *pr)
{
    if (!pr->total_line || pr->n_series < 2)
        return CIV_OK;
    const char *id = pr->ids[pr->total_series];
    return fail_cell(&pr->r, CIV_ERR_PARSE, pr->total_line, pr->col_id + 1, id,
                     "'%s' looks like the sheet's total row, not a series: its rows (one a period) would be "
                     "forecast and counted as one more community; delete them (civicast sums the series itself: "
                     "convert --hierarchy gives district and city totals), or rename the series if it is one of "
                     "its own",
                     id);
}

/* Pass 1: ids, dates, forms and per-series extents. */
static civ_status panel_pass1(panel_reader *pr)
{
    csv_reader *r = &pr->r;
    for (;;) {
        int have;
        civ_status s = csv_next(r, &have);
        if (s)
            return s;
        if (!have)
            return CIV_OK;
        if ((s = check_width(r, pr->n_cols)))
            return s;
        const csv_field *fid = &r->fields[pr->col_id];
        size_t i;
        if (!lookup_series(pr, fid, &i) && (s = add_series_id(pr, fid, &i)))
            return s;
        remember_series(pr, i, fid->len);
        civ_date_form form;
        int64_t v;
        const csv_field *fds = &r->fields[pr->col_ds];
        if ((s = parse_ds(pr, fds, pr->ids[i], &form, &v)))
            return s;
        if (form != pr->form) {
            if (pr->form)
                return fail_cell(r, CIV_ERR_FREQUENCY, fds->line, pr->col_ds + 1, pr->ids[i],
                                 "ds '%s' is a %s but line %ld has a %s: one file holds one frequency", fds->text,
                                 form_name(form), pr->form_line, form_name(pr->form));
            pr->form = form;
            pr->form_line = fds->line;
            pr->time_sep = form == CIV_DATE_DAY ? civ_date_time_separator(fds->text, fds->len) : 0;
        }
        if (form == CIV_DATE_DAY)
            civ_spacing_add(&pr->sp[i], v);
        series_stats *st = &pr->st[i];
        if (v < st->first)
            st->first = v;
        if (v > st->last_any)
            st->last_any = v;
        int y_present = !is_missing_text(r->fields[pr->col_y].text, r->fields[pr->col_y].len);
        for (size_t k = 0; k < pr->n_cov; k++) {
            const csv_field *fc = &r->fields[pr->cov_cols[k]];
            if (!is_missing_text(fc->text, fc->len)) {
                int64_t *cl = &pr->cov_last[i * pr->n_cov + k];
                if (v > *cl)
                    *cl = v;
            }
        }
        /* A series ends at its last y (issue 12): later rows are future
         * covariate values, or nothing -- never missing observations. */
        if (y_present && v > st->last_kept)
            st->last_kept = v;
        pr->n_rows++;
    }
}

/* Finds the first line holding (id, period) for a duplicate report (a third
 * pass over the file, taken only on that error). */
static long find_first_line(panel_reader *pr, const char *id, int64_t period)
{
    csv_reader r2;
    long found = 0;
    /* decoded as the read was (before 2026-12-07 a GB18030 file's Chinese ids never matched: "lines 0 and 5") */
    if (csv_open_encoded(&r2, pr->r.path, pr->encoding, pr->r.sheet, pr->r.skip_rows))
        return 0;
    r2.n_names = pr->r.n_names; /* the widths only: drop_phantom_cells (names stay NULL) */
    r2.phantom = pr->r.phantom;
    int have, header = 1;
    while (!found && csv_next(&r2, &have) == CIV_OK && have) {
        if (header || r2.n_fields != pr->n_cols) {
            header = 0;
            continue;
        }
        const csv_field *fid = &r2.fields[pr->col_id], *fds = &r2.fields[pr->col_ds];
        civ_date_form form;
        int64_t v;
        if (strcmp(fid->text, id) || civ_date_parse(fds->text, fds->len, &form, &v))
            continue;
        if (form == CIV_DATE_DAY)
            civ_date_to_period(pr->freq, pr->phase, v, &v);
        if (v == period)
            found = r2.record_line;
    }
    csv_close(&r2);
    return found;
}

static civ_status changed_underfoot(const panel_reader *pr)
{
    civ_where w = {.file = pr->r.path, .line = pr->r.record_line};
    return civ_fail_at(CIV_ERR_IO, &w, "the file changed while it was being read");
}

/* Pass 2, the cell of series i at period v (t after its start): marked in bits (one bit per cell, from
 * bit_offset[i]); a cell marked already is a duplicate, refused with both lines. */
static civ_status mark_cell(panel_reader *pr, const size_t *bit_offset, unsigned char *bits, size_t i, int64_t t,
                            int64_t v, const char *id, const csv_field *fds)
{
    csv_reader *r = &pr->r;
    size_t bit = bit_offset[i] + (size_t)t;
    if (bits[bit >> 3] & (1u << (bit & 7))) {
        long first = find_first_line(pr, id, v);
        const char *hint = civ_excel_scientific_id_hint(id);
        /* the cure, as the Python reader gives it: the Excel hint has its own */
        const char *cure =
            *hint ? hint
            : pr->want.freq != CIV_FREQ_UNKNOWN && pr->form == CIV_DATE_DAY
                ? " (both dates fall in one period of the --freq asked for): add the rows up to that frequency first, "
                  "or drop --freq to read the dates' own"
                : ": keep one of the two rows or, if both count, add their y into one row and delete the other";
        return fail_cell(r, CIV_ERR_DUPLICATE, fds->line, pr->col_ds + 1, id,
                         "unique_id '%s' with ds '%s' appears twice: lines %ld and %ld%s", id, fds->text, first,
                         fds->line, cure);
    }
    bits[bit >> 3] |= (unsigned char)(1u << (bit & 7));
    return CIV_OK;
}

/* Why a value cell that the number parser did not read (rc: bad or beyond a double) is no number, as an error at
 * (line, column) of r's file (0, 0: the words alone, civ_csv_parse_cells): a number as a sheet displays it, an
 * Excel error value, bytes that are no UTF-8, a number beyond a double, other text with its hint.  One place for
 * a panel's y and a host's text cells. */
static civ_status bad_value(const csv_reader *r, long line, size_t column, const char *id, const char *text,
                            size_t len, civ_csv_number rc)
{
    if (rc == CIV_CSV_NUMBER_BAD && number_as_displayed(text))
        return fail_displayed(r, line, column, id, text);
    if (rc == CIV_CSV_NUMBER_BAD && civ_csv_excel_error(text))
        return fail_cell(r, CIV_ERR_PARSE, line, column, id, EXCEL_ERROR_MESSAGE, text);
    if (rc == CIV_CSV_NUMBER_BAD && !civ_utf8_valid(text, len)) {
        const char *name = column ? field_name(r, column - 1) : NULL;
        return fail_cell(r, CIV_ERR_PARSE, line, column, id, "'%s' is not valid UTF-8" NOT_UTF8_HINT,
                         name ? name : "the cell");
    }
    return fail_cell(r, CIV_ERR_PARSE, line, column, id,
                     rc == CIV_CSV_NUMBER_OVERFLOW ? "number '%s' is beyond the range of a double"
                                                   : "bad number '%s' (expected a decimal number with no "
                                                     "thousands separator, or empty, NA or NaN for a "
                                                     "missing value)%s",
                     text, civ_csv_number_hint(text));
}

/* Pass 2, the y cell of the current row (series i, t periods after its start) into the panel; a number beyond
 * the limit, a displayed number, an Excel error, bytes that are no UTF-8 or a bad number are refused. */
static civ_status store_y(panel_reader *pr, civ_panel *panel, size_t i, int64_t t, const char *id)
{
    csv_reader *r = &pr->r;
    const csv_field *fy = &r->fields[pr->col_y];
    double x;
    civ_csv_number rc = cell_number(&pr->r, fy, &x);
    if (rc == CIV_CSV_NUMBER_OK && fabs(x) > CIV_VALUE_LIMIT)
        return fail_cell(r, CIV_ERR_DOMAIN, fy->line, pr->col_y + 1, id, BEYOND_LIMIT_MESSAGE, fy->text);
    if (rc == CIV_CSV_NUMBER_OK) {
        size_t n = panel->offsets[i + 1] - panel->offsets[i];
        if ((size_t)t >= n)
            return changed_underfoot(pr);
        panel->values[panel->offsets[i] + (size_t)t] = x;
    } else if (rc != CIV_CSV_NUMBER_MISSING) {
        return bad_value(r, fy->line, pr->col_y + 1, id, fy->text, fy->len, rc);
    }
    return CIV_OK;
}

civ_status civ_csv_parse_cells(const char *const *cells, size_t n, const char *thousands, int percent, double *values,
                               size_t *bad)
{
    if (bad)
        *bad = SIZE_MAX;
    if (n && (!cells || !values))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_csv_parse_cells: NULL cells or values");
    csv_reader r; /* no file: the readers' rules and words, without a place */
    memset(&r, 0, sizeof r);
    r.fd = -1;
    civ_status s = civ_csv_thousands(thousands, "civ_csv_parse_cells", &r.thousands);
    if (s)
        return s;
    r.percent = percent != 0;
    for (size_t i = 0; i < n; i++) {
        const char *t = cells[i] ? cells[i] : "";
        size_t len = strlen(t);
        civ_csv_number rc = civ_csv_parse_formatted(t, len, r.thousands, r.percent, &values[i]); /* cell_number's */
        if (rc == CIV_CSV_NUMBER_MISSING)
            values[i] = NAN;
        else if (rc != CIV_CSV_NUMBER_OK) {
            if (bad)
                *bad = i;
            return bad_value(&r, 0, 0, NULL, t, len, rc);
        }
    }
    return CIV_OK;
}

/* Pass 2, the covariate cells of the current row (series i, t periods after its start), as store_y. */
static civ_status store_covariates(panel_reader *pr, civ_panel *panel, size_t i, int64_t t, const char *id)
{
    csv_reader *r = &pr->r;
    double x;
    civ_csv_number rc;
    for (size_t k = 0; k < pr->n_cov; k++) {
        const csv_field *fc = &r->fields[pr->cov_cols[k]];
        rc = cell_number(&pr->r, fc, &x);
        if (rc == CIV_CSV_NUMBER_OK && fabs(x) > CIV_VALUE_LIMIT)
            return fail_cell(r, CIV_ERR_DOMAIN, fc->line, pr->cov_cols[k] + 1, id, BEYOND_LIMIT_MESSAGE,
                             fc->text);
        if (rc == CIV_CSV_NUMBER_OK) {
            civ_panel_covariate_store *c = &panel->covariates[k];
            if ((size_t)t >= c->len[i])
                return changed_underfoot(pr);
            c->values[i][t] = x;
        } else if (rc == CIV_CSV_NUMBER_BAD && number_as_displayed(fc->text)) {
            return fail_displayed(r, fc->line, pr->cov_cols[k] + 1, id, fc->text);
        } else if (rc == CIV_CSV_NUMBER_BAD && civ_csv_excel_error(fc->text)) {
            return fail_cell(r, CIV_ERR_PARSE, fc->line, pr->cov_cols[k] + 1, id, EXCEL_ERROR_MESSAGE, fc->text);
        } else if (rc == CIV_CSV_NUMBER_BAD && !civ_utf8_valid(fc->text, fc->len)) {
            /* a GBK name column: the bytes printed as they are made a message that is not UTF-8 either */
            return fail_cell(r, CIV_ERR_PARSE, fc->line, pr->cov_cols[k] + 1, id,
                             "covariate '%s' is not valid UTF-8" NOT_UTF8_HINT, r->names[pr->cov_cols[k]]);
        } else if (rc != CIV_CSV_NUMBER_MISSING) {
            return fail_cell(r, CIV_ERR_PARSE, fc->line, pr->cov_cols[k] + 1, id,
                             rc == CIV_CSV_NUMBER_OVERFLOW
                                 ? "number '%s' is beyond the range of a double"
                                 : "bad number '%s' in covariate '%s' (covariates are numeric; empty, NA or "
                                   "NaN for a missing value)%s",
                             fc->text, r->names[pr->cov_cols[k]], covariate_extra(fc->text));
        }
    }
    return CIV_OK;
}

/* Pass 2: numbers into the panel, duplicates by one bit per cell. */
static civ_status panel_pass2(panel_reader *pr, civ_panel *panel, const size_t *bit_offset, unsigned char *bits)
{
    csv_reader *r = &pr->r;
    civ_status s = csv_rewind(r);
    int have;
    if (!s)
        s = csv_next(r, &have); /* the header, checked in pass 1 */
    if (s)
        return s;
    size_t rows = 0;
    for (;;) {
        if ((s = csv_next(r, &have)))
            return s;
        if (!have)
            break;
        if (r->n_fields != pr->n_cols || ++rows > pr->n_rows)
            return changed_underfoot(pr);
        size_t i;
        if (!lookup_series(pr, &r->fields[pr->col_id], &i))
            return changed_underfoot(pr);
        remember_series(pr, i, r->fields[pr->col_id].len);
        const char *id = pr->id_view[i];
        const csv_field *fds = &r->fields[pr->col_ds];
        civ_date_form form;
        int64_t v;
        if (civ_date_parse(fds->text, fds->len, &form, &v) || form != pr->form)
            return changed_underfoot(pr);
        if (form == CIV_DATE_DAY)
            civ_date_to_period(pr->freq, pr->phase, v, &v);
        int64_t t = v - panel->starts[i];
        if (t < 0 || v > pr->st[i].last_any)
            return changed_underfoot(pr);
        if ((s = mark_cell(pr, bit_offset, bits, i, t, v, id, fds)) || (s = store_y(pr, panel, i, t, id)) ||
            (s = store_covariates(pr, panel, i, t, id)))
            return s;
    }
    if (rows != pr->n_rows)
        return changed_underfoot(pr);
    return CIV_OK;
}

/* Day -> period of the decided layout (monotone, so extents map to extents). */
static int64_t day_period(const panel_reader *pr, int64_t day)
{
    int64_t p = day;
    if (day != NO_PERIOD && day != INT64_MAX)
        civ_date_to_period(pr->freq, pr->phase, day, &p);
    return p;
}

static civ_frequency form_frequency(civ_date_form form)
{
    return form == CIV_DATE_YEAR      ? CIV_FREQ_YEARLY
           : form == CIV_DATE_QUARTER ? CIV_FREQ_QUARTERLY
           : form == CIV_DATE_MONTH   ? CIV_FREQ_MONTHLY
                                      : CIV_FREQ_UNKNOWN;
}

/* Decides the panel's frequency, phase and date style (issue 12): period
 * text keeps its own frequency (a --freq that contradicts it is an error);
 * day dates get the frequency of their spacing, or --freq. */
static civ_status panel_layout(panel_reader *pr, civ_date_style *style)
{
    style->anchor = CIV_ANCHOR_PERIOD;
    style->time_sep = 0;
    pr->phase = 0;
    if (pr->form != CIV_DATE_DAY) {
        pr->freq = form_frequency(pr->form);
        if (pr->form && pr->want.freq != CIV_FREQ_UNKNOWN && pr->want.freq != pr->freq) {
            civ_where w = {.file = pr->r.path, .line = pr->form_line, .column = (long)pr->col_ds + 1, .field = "ds"};
            return civ_fail_at(CIV_ERR_FREQUENCY, &w,
                               "ds is %s text but the frequency asked for is %s: --freq chooses among day dates "
                               "only; drop it, or write the dates as YYYY-MM-DD",
                               form_name(pr->form), civ_frequency_name(pr->want.freq));
        }
        return CIV_OK;
    }
    civ_date_anchor anchor;
    civ_status s = civ_spacing_decide(pr->sp, pr->n_series, (const char *const *)pr->ids, &pr->want, &pr->freq,
                                      &pr->phase, &anchor);
    if (s) {
        /* name the file too */
        const civ_error *e = civ_last_error();
        char message[512], series[256];
        civ_snprintf(message, sizeof message, "%s", e->message);
        civ_snprintf(series, sizeof series, "%s", e->series_id);
        civ_where w = {.file = pr->r.path, .series_id = series, .field = "ds"};
        return civ_fail_at(s, &w, "%s", message);
    }
    style->anchor = anchor;
    style->time_sep = pr->time_sep;
    return CIV_OK;
}

/* The panel's frequency, phase and date style (panel_layout); day dates
 * become periods of that frequency. */
static civ_status panel_periods(panel_reader *pr, civ_frequency *freq, int *phase, civ_date_style *style)
{
    civ_status ls = panel_layout(pr, style);
    if (ls)
        return ls;
    *freq = pr->freq;
    *phase = pr->phase;
    if (pr->form == CIV_DATE_DAY)
        for (size_t i = 0; i < pr->n_series; i++) {
            series_stats *st = &pr->st[i];
            st->first = day_period(pr, st->first);
            st->last_any = day_period(pr, st->last_any);
            st->last_kept = day_period(pr, st->last_kept);
            for (size_t k = 0; k < pr->n_cov; k++)
                pr->cov_last[i * pr->n_cov + k] = day_period(pr, pr->cov_last[i * pr->n_cov + k]);
        }
    return CIV_OK;
}

/* The panel's covariate stores, each series' run NaN-filled to the longer
 * of its values and its last covariate row. */
static civ_status panel_covariates(panel_reader *pr, civ_panel *panel)
{
    civ_status s = CIV_OK;
    for (size_t k = 0; k < pr->n_cov && !s; k++) {
        if ((s = civ_panel_add_covariate(panel, pr->r.names[pr->cov_cols[k]], NULL)))
            break;
        civ_panel_covariate_store *c = &panel->covariates[k];
        for (size_t i = 0; i < pr->n_series && !s; i++) {
            const series_stats *st = &pr->st[i];
            size_t n = panel->offsets[i + 1] - panel->offsets[i];
            int64_t cl = pr->cov_last[i * pr->n_cov + k];
            size_t len = cl == NO_PERIOD ? n : (size_t)(cl - st->first) + 1;
            if (len < n)
                len = n;
            c->len[i] = len;
            c->values[i] = NULL;
            if (!len)
                continue;
            if (!(c->values[i] = malloc(len * sizeof(double)))) {
                c->len[i] = 0;
                s = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for covariate '%s'", c->name);
                /* Later series of this covariate must look empty to civ_panel_free. */
                for (size_t j = i + 1; j < pr->n_series; j++) {
                    c->values[j] = NULL;
                    c->len[j] = 0;
                }
                break;
            }
            for (size_t t = 0; t < len; t++)
                c->values[i][t] = NAN;
        }
    }
    return s;
}

/* The panel's totals from the pass-1 extents: *values_out values (up to each series' last kept period) and
 * *bits_out duplicate bits (up to its last row); refused when a few far-apart dates ask for a huge dense panel,
 * or when it cannot fit in memory. */
static civ_status panel_totals(const panel_reader *pr, size_t *values_out, size_t *bits_out)
{
    /* Totals, with a guard against a few far-apart dates asking for a huge
     * dense panel (e.g. one row dated 0001 and one 9999 in a daily file). */
    size_t total_values = 0, total_bits = 0, widest = 0;
    for (size_t i = 0; i < pr->n_series; i++) {
        const series_stats *st = &pr->st[i];
        size_t span = (size_t)(st->last_any - st->first) + 1;
        size_t n = st->last_kept == NO_PERIOD ? 0 : (size_t)(st->last_kept - st->first) + 1;
        total_values += n;
        total_bits += span;
        if (span > (size_t)(pr->st[widest].last_any - pr->st[widest].first) + 1)
            widest = i;
    }
    if (total_bits > ((size_t)1 << 28) && total_bits / 64 > pr->n_rows) {
        civ_where wide = {.file = pr->r.path, .series_id = pr->ids[widest], .field = "ds"};
        return civ_fail_at(CIV_ERR_LIMIT, &wide,
                           "the dates span %zu periods for only %zu rows (series '%s' alone spans %lld): check ds",
                           total_bits, pr->n_rows, pr->ids[widest],
                           (long long)(pr->st[widest].last_any - pr->st[widest].first + 1));
    }

    /* Refuse before allocating a panel that cannot fit in memory: values and
     * covariates (8 bytes each), the duplicate bits, ids and offsets
     * (mem_limit.h; docs/HOSTILE_INPUTS.md, "Resource bounds"). */
    civ_where w = {.file = pr->r.path};
    civ_status ms = civ_mem_check(total_values, 8 * (1 + pr->n_cov), total_bits / 8 + pr->n_series * 64,
                                  "the panel", &w);
    if (ms)
        return ms;
    *values_out = total_values;
    *bits_out = total_bits;
    return CIV_OK;
}

/* Moves the series ids and their map from the reader into the panel (the reader keeps views of them), with
 * each series' start, its values' offset, and its first bit in bit_offset (n_series + 1 of them). */
static void move_ids(panel_reader *pr, civ_panel *panel, size_t *bit_offset)
{
    size_t off = 0, boff = 0;
    panel->offsets[0] = 0;
    for (size_t i = 0; i < pr->n_series; i++) {
        const series_stats *st = &pr->st[i];
        panel->ids[i] = pr->ids[i];
        panel->starts[i] = st->first;
        off += st->last_kept == NO_PERIOD ? 0 : (size_t)(st->last_kept - st->first) + 1;
        panel->offsets[i + 1] = off;
        bit_offset[i] = boff;
        boff += (size_t)(st->last_any - st->first) + 1;
    }
    bit_offset[pr->n_series] = boff;
    panel->n_series = pr->n_series;
    panel->id_index = pr->map;
    memset(&pr->map, 0, sizeof pr->map);
    free(pr->ids);
    pr->ids = NULL;
    pr->id_view = panel->ids;
    pr->map_view = &panel->id_index;
}

/* Sizes the panel from the pass-1 extents; values and covariates are NaN. */
static civ_status panel_build(panel_reader *pr, civ_panel **out, size_t **bit_offset_out, unsigned char **bits_out)
{
    int phase = 0;
    civ_frequency freq = CIV_FREQ_UNKNOWN;
    civ_date_style style;
    civ_status ls = panel_periods(pr, &freq, &phase, &style);
    if (ls)
        return ls;
    size_t total_values = 0, total_bits = 0;
    if ((ls = panel_totals(pr, &total_values, &total_bits)))
        return ls;

    civ_panel *panel = NULL;
    civ_status s = civ_panel_create(freq == CIV_FREQ_UNKNOWN ? CIV_FREQ_MONTHLY : freq, &panel);
    if (s)
        return s;
    panel->freq = freq; /* UNKNOWN for a header-only file */
    panel->phase = phase;
    panel->style = style;
    size_t *bit_offset = malloc((pr->n_series + 1) * sizeof *bit_offset);
    unsigned char *bits = calloc(total_bits / 8 + 1, 1);
    if (!bit_offset || !bits || (s = civ_panel_reserve(panel, pr->n_series, total_values))) {
        free(bit_offset);
        free(bits);
        civ_panel_free(panel);
        return s ? s : civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the duplicate check");
    }
    move_ids(pr, panel, bit_offset);
    for (size_t v = 0; v < total_values; v++)
        panel->values[v] = NAN;
    if (!s)
        s = panel_covariates(pr, panel);
    if (s) {
        free(bit_offset);
        free(bits);
        civ_panel_free(panel);
        return s;
    }
    *out = panel;
    *bit_offset_out = bit_offset;
    *bits_out = bits;
    return CIV_OK;
}

civ_status civ_panel_read_csv(const char *path, civ_panel **out)
{
    return civ_panel_read_csv_ex(path, NULL, out);
}

civ_status civ_csv_header_names(const char *path, const char *encoding, const char *sheet, int skip_rows,
                                char ***names, size_t *n, long *header_line)
{
    *header_line = 1;
    *names = NULL;
    *n = 0;
    csv_reader r;
    civ_status s = csv_open_encoded(&r, path, encoding, sheet, skip_rows);
    if (s)
        return s;
    if (!(s = csv_read_header(&r))) {
        *header_line = r.header_line;
        *names = r.names, *n = r.n_names; /* moved to the caller */
        r.names = NULL, r.n_names = 0;
    }
    csv_free_names(&r);
    csv_close(&r);
    return s;
}

civ_status civ_panel_read_csv_ex(const char *path, const civ_panel_read_options *options, civ_panel **out)
{
    if (!out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_read_csv: out is NULL");
    *out = NULL;
    if (options && options->wide)
        return civ_panel_read_wide_csv(path, options, out);
    panel_reader pr;
    memset(&pr, 0, sizeof pr);
    pr.map_view = &pr.map;
    pr.want.weekday = -1;
    if (options) {
        pr.want = options->freq;
        if (pr.want.freq != CIV_FREQ_UNKNOWN && (pr.want.freq < CIV_FREQ_YEARLY || pr.want.freq > CIV_FREQ_DAILY))
            return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_read_csv_ex: unknown frequency %d",
                            (int)pr.want.freq);
    }
    char thousands;
    civ_status s = civ_csv_thousands(options ? options->thousands : NULL, "civ_panel_read_csv_ex", &thousands);
    if (!s)
        s = csv_open_encoded(&pr.r, path, options ? options->encoding : NULL, options ? options->sheet : NULL,
                             options ? options->skip_rows : 0);
    if (s)
        return s;
    pr.r.thousands = thousands;
    pr.encoding = options ? options->encoding : NULL;
    pr.r.percent = options && options->percent;
    civ_panel *panel = NULL;
    size_t *bit_offset = NULL;
    unsigned char *bits = NULL;
    if (!(s = panel_header(&pr, options)) && !(s = panel_pass1(&pr)) && !(s = total_row_series(&pr)) &&
        !(s = civ_ids_split_by_spaces(pr.ids, pr.n_series, &pr.map, pr.r.path, pr.r.names[pr.col_id])) &&
        !(s = panel_build(&pr, &panel, &bit_offset, &bits)))
        s = panel_pass2(&pr, panel, bit_offset, bits);
    if (!s) /* ids 310101001.0 of an integer column pandas wrote as floats: the code 310101001 */
        s = civ_panel_whole_float_ids(panel);
    free(bit_offset);
    free(bits);
    panel_reader_free(&pr);
    if (s) {
        civ_panel_free(panel);
        return s;
    }
    *out = panel;
    return CIV_OK;
}

/* ======================================================================== */
/* Writers                                                                  */
/* ======================================================================== */

static atomic_int formula_guard = 1;

civ_status civ_csv_set_formula_guard(int enabled)
{
    if (enabled != 0 && enabled != 1)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_csv_set_formula_guard: enabled must be 0 or 1, not %d",
                        enabled);
    atomic_store(&formula_guard, enabled);
    return CIV_OK;
}

/* 1 when a spreadsheet would take the text as a formula (civicast.h,
 * civ_csv_set_formula_guard): it starts with = + - @ tab or CR and is not a
 * plain decimal number. */
static int formula_like(const char *s)
{
    switch (s[0]) {
    case '=': case '@': case '\t': case '\r':
        return 1;
    case '+': case '-': {
        double v;
        return civ_csv_parse_number(s, strlen(s), &v) != CIV_CSV_NUMBER_OK;
    }
    default:
        return 0;
    }
}

static int needs_quotes(const char *s)
{
    return s[strcspn(s, ",\"\r\n")] != '\0';
}

static void put_text(FILE *fp, const char *s, int force_quotes)
{
    int guard = atomic_load(&formula_guard) && formula_like(s);
    if (!force_quotes && !guard && !needs_quotes(s)) {
        fputs(s, fp);
        return;
    }
    putc('"', fp);
    if (guard)
        putc('\'', fp);
    for (; *s; s++) {
        if (*s == '"')
            putc('"', fp);
        putc(*s, fp);
    }
    putc('"', fp);
}

/* The defaults of civ_csv_write_options: no BOM, shortest round-trip numbers. */
static const civ_csv_write_options default_write_options;

static civ_status check_write_options(const civ_csv_write_options *opt, const char *fn)
{
    if (opt->significant_digits < 0 || opt->significant_digits > 17)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "%s: significant_digits must be 0 (full precision) or 1..17, got %d",
                        fn, opt->significant_digits);
    if (opt->min_decimals < 0 || opt->min_decimals > 9)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "%s: min_decimals must be 0..9, got %d", fn, opt->min_decimals);
    return CIV_OK;
}

static civ_status put_number(FILE *fp, double v, const civ_csv_write_options *opt, const char *path,
                             const char *series, const char *field)
{
    char buf[CIV_CSV_NUMBER_SIZE];
    int n = civ_csv_format_rounded(v, opt->significant_digits, opt->min_decimals, buf);
    if (n < 0) {
        civ_where w = {.file = path, .series_id = series, .field = field};
        return civ_fail_at(CIV_ERR_DOMAIN, &w, "cannot write an infinite value");
    }
    fwrite(buf, 1, (size_t)n, fp);
    return CIV_OK;
}

civ_status civ_panel_write_csv(const civ_panel *panel, const char *path)
{
    return civ_panel_write_csv_opts(panel, path, NULL);
}

civ_status civ_panel_write_csv_opts(const civ_panel *panel, const char *path, const civ_csv_write_options *opt)
{
    if (!panel || !path)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_write_csv: NULL argument");
    if (!opt)
        opt = &default_write_options;
    else if (check_write_options(opt, "civ_panel_write_csv_opts"))
        return civ_last_error()->status;
    if (panel->n_series && (panel->freq < CIV_FREQ_YEARLY || panel->freq > CIV_FREQ_DAILY))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_write_csv: the panel has no frequency");
    civ_atomic_file af;
    civ_status s = civ_atomic_open(&af, path);
    if (s)
        return s;
    FILE *fp = af.fp;
    if (opt->bom)
        fputs(CIV_UTF8_BOM, fp);
    fputs("unique_id,ds,y", fp);
    for (size_t k = 0; k < panel->n_covariates; k++) {
        putc(',', fp);
        put_text(fp, panel->covariates[k].name, 0);
    }
    putc('\n', fp);
    for (size_t i = 0; i < panel->n_series && !s; i++) {
        const char *id = panel->ids[i];
        /* values is NULL in a panel of only empty series (e.g. rows with
         * covariates and no y): NULL + 0 is undefined behaviour (UBSan,
         * fuzz_csv crasher tests/fuzz/crashers/csv/no_values_null_offset) */
        const double *y = panel->values ? panel->values + panel->offsets[i] : NULL;
        size_t n = panel->offsets[i + 1] - panel->offsets[i], rows = civ_panel_long_span(panel, i);
        /* A series with no value at all is still written, as one row with
         * empty cells at its start, so that it survives a re-read. */
        int wrote = 0;
        for (size_t t = 0; t < rows && !s; t++) {
            if (!civ_panel_long_row(panel, i, t)) /* a future row: written only when it carries a value */
                continue;
            wrote = 1;
            char ds[32];
            if ((s = civ_period_format_style(panel->freq, panel->phase, &panel->style, panel->starts[i] + (int64_t)t, ds,
                                           sizeof ds))) {
                civ_where w = {.file = path, .series_id = id, .field = "ds"};
                char message[512];
                civ_snprintf(message, sizeof message, "%s", civ_last_error()->message);
                s = civ_fail_at(s, &w, "%s", message);
                break;
            }
            put_text(fp, id, 0);
            putc(',', fp);
            fputs(ds, fp);
            putc(',', fp);
            if (t < n)
                s = put_number(fp, y[t], opt, path, id, "y");
            for (size_t k = 0; k < panel->n_covariates && !s; k++) {
                const civ_panel_covariate_store *c = &panel->covariates[k];
                putc(',', fp);
                if (t < c->len[i])
                    s = put_number(fp, c->values[i][t], opt, path, id, c->name);
            }
            putc('\n', fp);
        }
        if (!wrote && !s) {
            char ds[32];
            if ((s = civ_period_format_style(panel->freq, panel->phase, &panel->style, panel->starts[i], ds,
                                             sizeof ds)))
                break;
            put_text(fp, id, 0);
            civ_fprintf(fp, ",%s,", ds);
            for (size_t k = 0; k < panel->n_covariates; k++)
                putc(',', fp);
            putc('\n', fp);
        }
    }
    if (s) {
        civ_atomic_abort(&af);
        return s;
    }
    return civ_atomic_commit(&af);
}

civ_status civ_table_write_csv(const civ_table *table, const char *path)
{
    return civ_table_write_csv_opts(table, path, NULL);
}

/* The table writer's output buffer: rows are formatted into it and written
 * to fp with one fwrite per 256 KiB instead of a stdio call per cell. */
typedef struct outbuf {
    FILE *fp;
    size_t len, cap;
    char *data;
} outbuf;

#define OUTBUF_FILE ((size_t)256 * 1024)

static void ob_flush(outbuf *o)
{
    if (o->len)
        fwrite(o->data, 1, o->len, o->fp);
    o->len = 0;
}

/* Room for n more bytes: 1, or 0 when the buffer is too small for n (the caller writes directly). */
static int ob_room(outbuf *o, size_t n)
{
    if (o->len + n <= o->cap)
        return 1;
    ob_flush(o);
    return n <= o->cap;
}

static void ob_put(outbuf *o, const char *s, size_t n)
{
    if (!ob_room(o, n)) {
        fwrite(s, 1, n, o->fp);
        return;
    }
    memcpy(o->data + o->len, s, n);
    o->len += n;
}

static void ob_char(outbuf *o, char c)
{
    if (o->len < o->cap || ob_room(o, 1))
        o->data[o->len++] = c;
}

/* put_text into the buffer: the same bytes. */
static void ob_text(outbuf *o, const char *s, int force_quotes)
{
    int guard = atomic_load(&formula_guard) && formula_like(s);
    size_t n = strcspn(s, ",\"\r\n");
    if (!force_quotes && !guard && !s[n]) {
        ob_put(o, s, n);
        return;
    }
    ob_char(o, '"');
    if (guard)
        ob_char(o, '\'');
    for (; *s; s++) {
        if (*s == '"')
            ob_char(o, '"');
        ob_char(o, *s);
    }
    ob_char(o, '"');
}

size_t civ_csv_text_cell(const char *s, size_t len, int force_quotes, char *dst)
{
    int guard = atomic_load(&formula_guard) && formula_like(s);
    if (!force_quotes && !guard && strcspn(s, ",\"\r\n") == len) {
        memcpy(dst, s, len);
        return len;
    }
    size_t n = 0;
    dst[n++] = '"';
    if (guard)
        dst[n++] = '\'';
    for (const char *end = s + len; s < end;) { /* runs up to and including each '"', which is doubled */
        const char *q = memchr(s, '"', (size_t)(end - s));
        size_t k = q ? (size_t)(q - s) + 1 : (size_t)(end - s);
        memcpy(dst + n, s, k);
        n += k;
        if (q)
            dst[n++] = '"';
        s += k;
    }
    dst[n++] = '"';
    return n;
}

static void ob_header(outbuf *o, const civ_table *table)
{
    for (size_t c = 0; c < table->n_columns; c++) {
        if (c)
            ob_char(o, ',');
        ob_text(o, table->columns[c].name, 0);
    }
    ob_char(o, '\n');
}

/* Rows [first, first + count) of table as CSV text into o. */
static civ_status ob_rows(outbuf *o, const civ_table *table, size_t first, size_t count,
                          const civ_csv_write_options *opt, const char *path)
{
    /* With one column an empty text cell would be an empty line: quote it. */
    const int lone = table->n_columns == 1;
    char num[CIV_CSV_NUMBER_SIZE];
    for (size_t r = first; r < first + count; r++) {
        for (size_t c = 0; c < table->n_columns; c++) {
            const civ_table_column *col = &table->columns[c];
            if (c)
                ob_char(o, ',');
            if (col->type == CIV_COLUMN_NUMBER) {
                double v = col->numbers[r];
                if (lone && isnan(v)) {
                    ob_put(o, "\"\"", 2);
                    continue;
                }
                int n = civ_csv_format_rounded(v, opt->significant_digits, opt->min_decimals, num);
                if (n < 0) {
                    civ_where at = {.file = path, .field = col->name};
                    return civ_fail_at(CIV_ERR_DOMAIN, &at, "cannot write an infinite value");
                }
                ob_put(o, num, (size_t)n);
            } else {
                const char *t = col->texts[r] ? col->texts[r] : "";
                ob_text(o, t, lone && !t[0]);
            }
        }
        ob_char(o, '\n');
    }
    return CIV_OK;
}

struct civ_csv_stream {
    civ_atomic_file af;
    const char *path;
    civ_csv_write_options opt;
    int header_done;
    outbuf o;
};

civ_status civ_csv_stream_open(const char *path, const civ_csv_write_options *opt, civ_csv_stream **out)
{
    if (!path || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_table_write_csv: NULL argument");
    *out = NULL;
    if (!opt)
        opt = &default_write_options;
    else if (check_write_options(opt, "civ_table_write_csv_opts"))
        return civ_last_error()->status;
    civ_csv_stream *w = calloc(1, sizeof *w);
    char *data = malloc(OUTBUF_FILE);
    if (!w || !data) {
        free(w), free(data);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the CSV writer's buffer");
    }
    civ_status s = civ_atomic_open(&w->af, path);
    if (s) {
        free(w), free(data);
        return s;
    }
    w->path = w->af.path; /* a copy: the caller's path need not outlive the writer */
    w->opt = *opt;
    w->o.fp = w->af.fp;
    w->o.data = data;
    w->o.cap = OUTBUF_FILE;
    if (opt->bom)
        ob_put(&w->o, CIV_UTF8_BOM, strlen(CIV_UTF8_BOM));
    *out = w;
    return CIV_OK;
}

civ_status civ_csv_stream_rows(civ_csv_stream *w, const civ_table *table, size_t first, size_t count)
{
    if (!w || !table || first > table->n_rows || count > table->n_rows - first)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_csv_stream_rows: bad rows");
    if (!w->header_done) {
        ob_header(&w->o, table);
        w->header_done = 1;
    }
    return ob_rows(&w->o, table, first, count, &w->opt, w->path);
}

void civ_csv_stream_text(civ_csv_stream *w, const char *text, size_t len)
{
    ob_put(&w->o, text, len);
}

const civ_csv_write_options *civ_csv_stream_options(const civ_csv_stream *w) { return &w->opt; }

civ_status civ_csv_stream_commit(civ_csv_stream *w)
{
    if (!w)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_csv_stream_commit: NULL writer");
    ob_flush(&w->o);
    civ_status s = civ_atomic_commit(&w->af);
    free(w->o.data);
    free(w);
    return s;
}

void civ_csv_stream_abort(civ_csv_stream *w)
{
    if (!w)
        return;
    civ_atomic_abort(&w->af);
    free(w->o.data);
    free(w);
}

civ_status civ_csv_check_write_options(const civ_csv_write_options *opt, const char *fn)
{
    return opt ? check_write_options(opt, fn) : CIV_OK;
}

civ_status civ_table_write_csv_opts(const civ_table *table, const char *path, const civ_csv_write_options *opt)
{
    if (!table || !path)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_table_write_csv: NULL argument");
    civ_csv_stream *w;
    civ_status s = civ_csv_stream_open(path, opt, &w);
    if (s)
        return s;
    if ((s = civ_csv_stream_rows(w, table, 0, table->n_rows))) {
        civ_csv_stream_abort(w);
        return s;
    }
    return civ_csv_stream_commit(w);
}

/* ======================================================================== */
/* Table reader                                                             */
/* ======================================================================== */

static int forced_text(const civ_table_read_options *options, const char *name)
{
    if (!strcmp(name, "unique_id"))
        return 1;
    if (options && options->text_columns)
        for (const char *const *t = options->text_columns; *t; t++)
            if (!strcmp(*t, name))
                return 1;
    return 0;
}

/* A cell of digits with a leading zero ("0101", "007"): a code, not a count.
 * A column holding one is text, so that codes keep their zeros (a number
 * column would make 0101 the number 101, and the community '0101' of the
 * panel unknown to the table). "0" and "0.5" are numbers. */
static int zero_padded_code(const csv_field *f)
{
    if (f->len < 2 || f->text[0] != '0')
        return 0;
    for (size_t k = 1; k < f->len; k++)
        if (f->text[k] < '0' || f->text[k] > '9')
            return 0;
    return 1;
}

/* What the table reader knows of a column while reading: text (forced),
 * numbers so far (parsed straight into the column: no text is kept), or
 * demoted to text at row `since` by a cell that is not a number (the rows
 * before it get their text in a second pass over the file). */
typedef struct tcol {
    enum { TCOL_TEXT, TCOL_NUMBER, TCOL_DEMOTED } mode;
    size_t since;           /* TCOL_DEMOTED: the first text row */
    size_t displayed_row;   /* first number written as displayed ("12,345"), or SIZE_MAX */
    char *displayed;        /* its text, for the message */
} tcol;

/* Turns number column c into a text column (every cell ""), from row `row`. */
static civ_status demote(civ_table *table, tcol *tc, size_t c, size_t row)
{
    civ_table_column *col = &table->columns[c];
    size_t cap = table->rows_capacity ? table->rows_capacity : 1;
    char **texts = calloc(cap, sizeof *texts);
    if (!texts)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory converting column '%s'", col->name);
    free(col->numbers);
    col->numbers = NULL;
    col->texts = texts;
    col->type = CIV_COLUMN_TEXT;
    tc[c].mode = TCOL_DEMOTED;
    tc[c].since = row;
    return CIV_OK;
}

/* One record's cells into table row `row`. */
static civ_status read_cells(csv_reader *r, civ_table *table, tcol *tc, size_t row)
{
    for (size_t c = 0; c < r->n_fields; c++) {
        const csv_field *f = &r->fields[c];
        if (tc[c].mode == TCOL_NUMBER) {
            double x;
            civ_csv_number rc = cell_number(r, f, &x);
            if ((rc == CIV_CSV_NUMBER_OK && !zero_padded_code(f)) || rc == CIV_CSV_NUMBER_MISSING) {
                table->columns[c].numbers[row] = x;
                continue;
            }
        } else if (!f->len) {
            continue;
        }
        if (!civ_utf8_valid(f->text, f->len))
            return fail_cell(r, CIV_ERR_PARSE, f->line, c + 1, NULL, "text is not valid UTF-8" NOT_UTF8_HINT);
        if (tc[c].mode == TCOL_NUMBER) {
            if (number_as_displayed(f->text)) {
                if (tc[c].displayed_row == SIZE_MAX) {
                    tc[c].displayed_row = row;
                    if (!(tc[c].displayed = strdup(f->text)))
                        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for a table cell");
                }
                table->columns[c].numbers[row] = NAN;
                continue;
            }
            civ_status s = demote(table, tc, c, row);
            if (s)
                return s;
        }
        civ_status s = civ_table_set_text_pooled(table, row, c, f->text, f->len);
        if (s)
            return s;
    }
    return CIV_OK;
}

/* Pass 2, when columns were demoted to text: re-reads the file and fills
 * their rows before the demotion with the cells' text. */
static civ_status fill_demoted(csv_reader *r, civ_table *table, tcol *tc)
{
    size_t last = 0; /* the rows to revisit: before the latest demotion */
    for (size_t c = 0; c < table->n_columns; c++)
        if (tc[c].mode == TCOL_DEMOTED && tc[c].since > last)
            last = tc[c].since;
    civ_status s = csv_rewind(r);
    int have = 0;
    if (!s)
        s = csv_next(r, &have); /* the header */
    for (size_t row = 0; !s && row < last; row++) {
        if ((s = csv_next(r, &have)))
            break;
        if (!have || r->n_fields != table->n_columns) {
            civ_where w = {.file = r->path, .line = r->record_line};
            return civ_fail_at(CIV_ERR_IO, &w, "the file changed while it was being read: read it again");
        }
        for (size_t c = 0; c < table->n_columns && !s; c++) {
            const csv_field *f = &r->fields[c];
            if (tc[c].mode == TCOL_DEMOTED && row < tc[c].since && f->len)
                s = civ_table_set_text_pooled(table, row, c, f->text, f->len);
        }
    }
    return s;
}

/* ------------------------------------------------------------------------ */
/* Parallel parse of a large table's rows (after its first row)             */
/* ------------------------------------------------------------------------ */

/* The split step of the tests (civ_csv_set_split_step), or 0: split the rest
 * of files of at least PAR_MIN_BYTES evenly among the threads. */
static size_t split_step;
#define PAR_MIN_BYTES ((size_t)8 << 20)

static atomic_size_t parallel_reads;

void civ_csv_set_split_step(size_t step) { split_step = step; }
size_t civ_csv_parallel_reads(void) { return atomic_load(&parallel_reads); }

/* 1 when a chunk may end at the line feed d[p] (p < n): outside quotes
 * (checked by the caller), the line it ends is not empty and the next line
 * starts with data, so that no chunk starts or ends inside a run of empty
 * lines (the serial reader's "empty line inside the data" rule stays within
 * one chunk). */
static int split_ok(const char *d, size_t p, size_t n)
{
    if (p + 1 >= n || d[p + 1] == '\n' || d[p + 1] == '\r' || p == 0 || d[p - 1] == '\n')
        return 0;
    return !(d[p - 1] == '\r' && (p < 2 || d[p - 2] == '\n'));
}

/* Splits d[0 .. n) into at most max_chunks chunks at line feeds outside
 * quoted fields (the quote state is the parity of the quotes before a byte,
 * which is right for any file the serial reader accepts; for a file it
 * rejects, the chunk holding the first error starts where the serial reader
 * would be and reports it, and then the serial reader runs).  begin[k] is
 * chunk k's first byte; chunk k ends at begin[k + 1] less its line break,
 * where a NUL is written (the reader's sentinel).  Returns the chunk count. */
static size_t split_chunks(char *d, size_t n, size_t max_chunks, size_t *begin, size_t *end)
{
    size_t k = 1, pos = 0;
    int odd = 0; /* quotes in d[0 .. pos) */
    begin[0] = 0;
    for (; k < max_chunks; k++) {
        size_t target = split_step ? k * split_step : (size_t)((double)n * (double)k / (double)max_chunks);
        if (target < pos)
            target = pos;
        if (target >= n)
            break;
        for (const char *q = d + pos; (q = memchr(q, '"', (size_t)(d + target - q))) != NULL; q++)
            odd ^= 1;
        size_t p = target;
        for (; p < n; p++) {
            if (d[p] == '"')
                odd ^= 1;
            else if (d[p] == '\n' && !odd && split_ok(d, p, n))
                break;
        }
        if (p >= n)
            break;
        end[k - 1] = (d[p - 1] == '\r') ? p - 1 : p;
        begin[k] = pos = p + 1;
    }
    end[k - 1] = n;
    for (size_t c = 0; c < k; c++)
        d[end[c]] = '\0';
    return k;
}

/* Parses one chunk (a whole number of records) into table rows [row0,
 * limit).  Returns 0 and the row count, or -1 when the chunk needs the
 * serial reader: any error, a row beyond the limit, a cell that would make a
 * number column text or is a number written as displayed, a record over
 * 1 MiB (the serial reader's buffer limits stay its own).  Text cells are
 * left pointing into the chunk (NUL-terminated) for the caller to copy. */
static int parse_chunk(const csv_reader *proto, char *d, size_t len, civ_table *table, const tcol *tc, size_t row0,
                       size_t limit, size_t *rows)
{
    csv_reader r;
    memset(&r, 0, sizeof r);
    r.path = proto->path;
    r.fd = -1;
    r.buf = d;
    r.cap = r.len = len;
    r.eof = 1;
    r.line = 1;
    r.names = proto->names;
    r.n_names = proto->n_names;
    r.record_limit = proto->record_limit;
    r.phantom = proto->phantom;
    r.thousands = proto->thousands;
    r.percent = proto->percent;
    r.fields_cap = proto->n_names + 1;
    if (!(r.fields = malloc(r.fields_cap * sizeof *r.fields)))
        return -1;
    int bad = 0;
    size_t row = row0;
    for (;;) {
        int have;
        size_t before = r.pos;
        if (csv_next(&r, &have)) {
            bad = 1;
            break;
        }
        if (!have)
            break;
        if (r.n_fields != proto->n_names || row >= limit || r.pos - before > READ_CHUNK) {
            bad = 1;
            break;
        }
        for (size_t c = 0; c < r.n_fields && !bad; c++) {
            const csv_field *f = &r.fields[c];
            civ_table_column *col = &table->columns[c];
            if (tc[c].mode == TCOL_NUMBER) {
                civ_csv_number rc = cell_number(&r, f, &col->numbers[row]);
                bad = (rc != CIV_CSV_NUMBER_OK && rc != CIV_CSV_NUMBER_MISSING) ||
                      (rc == CIV_CSV_NUMBER_OK && zero_padded_code(f));
            } else if (!f->len) {
                col->texts[row] = NULL;
            } else {
                bad = !civ_utf8_valid(f->text, f->len);
                col->texts[row] = f->text;
            }
        }
        if (bad)
            break;
        row++;
    }
    free(r.fields);
    *rows = row - row0;
    return bad ? -1 : 0;
}

/* Rows [from, to) empty again (NaN, no text; their text cells pointed into
 * the chunks, not into the pools). */
static void clear_rows(civ_table *table, const tcol *tc, size_t from, size_t to)
{
    for (size_t c = 0; c < table->n_columns && from < to; c++) {
        civ_table_column *col = &table->columns[c];
        if (tc[c].mode == TCOL_NUMBER)
            for (size_t row = from; row < to; row++)
                col->numbers[row] = NAN;
        else
            memset(col->texts + from, 0, (to - from) * sizeof *col->texts);
    }
}

/* Copies the text cells of rows [0, n) that point into the chunks (from row
 * `first`) into the columns' pools. */
static civ_status pool_texts(civ_table *table, const tcol *tc, size_t first, size_t n)
{
    for (size_t c = 0; c < table->n_columns; c++) {
        if (tc[c].mode == TCOL_NUMBER)
            continue;
        char **texts = table->columns[c].texts;
        for (size_t row = first; row < n; row++) {
            const char *t = texts[row];
            texts[row] = NULL; /* not the pool's: set_text_pooled would free it */
            civ_status s = t ? civ_table_set_text_pooled(table, row, c, t, strlen(t)) : CIV_OK;
            if (s) { /* the rest point into the chunks: not the table's */
                memset(texts + row, 0, (n - row) * sizeof *texts);
                for (size_t c2 = c + 1; c2 < table->n_columns; c2++)
                    if (tc[c2].mode != TCOL_NUMBER)
                        memset(table->columns[c2].texts + first, 0, (n - first) * sizeof(char *));
                return s;
            }
        }
    }
    return CIV_OK;
}

/* Reads n bytes of fd at offset from into d (through EINTR); 0 when fewer came (the file changed). */
static int pread_all(int fd, char *d, size_t n, off_t from)
{
    size_t got = 0;
    while (got < n) {
        ssize_t rd = pread(fd, d + got, n - got, from + (off_t)got);
        if (rd < 0 && errno == EINTR)
            continue;
        if (rd <= 0)
            break;
        got += (size_t)rd;
    }
    return got == n;
}

/* The first row of each of the k chunks of d (n bytes): row0[c + 1] = row0[c] + the records chunk c can hold,
 * at most its line feeds plus one (the record that ended at the split's line feed, now its NUL, or ends the
 * file); row0[0] = 1. */
static void chunk_rows(const char *d, size_t n, size_t k, const size_t *begin, int threads, size_t *row0)
{
    size_t lines[64];
    #pragma omp parallel for num_threads(threads) schedule(static)
    for (size_t c = 0; c < k; c++) {
        size_t stop = c + 1 < k ? begin[c + 1] : n, count = 0;
        for (const char *q = d + begin[c]; (q = memchr(q, '\n', (size_t)(d + stop - q))) != NULL; q++)
            count++;
        lines[c] = count + 1;
    }
    row0[0] = 1;
    for (size_t c = 0; c < k; c++)
        row0[c + 1] = row0[c] + lines[c];
}

/* Moves the k chunks' row ranges (rows[c] rows from row0[c]) together after row 0, in file order (each moves
 * down); returns the table's rows then (1 + all of them). */
static size_t join_ranges(civ_table *table, const tcol *tc, size_t k, const size_t *row0, const size_t *rows)
{
    size_t total = 1;
    for (size_t c = 0; c < k; c++) {
        if (row0[c] != total)
            for (size_t col = 0; col < table->n_columns; col++) {
                civ_table_column *cc = &table->columns[col];
                if (tc[col].mode == TCOL_NUMBER)
                    memmove(cc->numbers + total, cc->numbers + row0[c], rows[c] * sizeof *cc->numbers);
                else
                    memmove(cc->texts + total, cc->texts + row0[c], rows[c] * sizeof *cc->texts);
            }
        total += rows[c];
    }
    return total;
}

/* The rows after the first (the reader stands after it, at table row 1) on
 * OpenMP threads: the rest of the file is read into memory, split at record
 * boundaries (split_chunks), each chunk parsed into a range of rows sized by
 * its line feeds (an upper bound on its records), and the ranges moved
 * together in file order.  *done = 1 when the table holds every row; 0 (the
 * table and reader as they were) when the serial reader must read the rest:
 * too few threads or bytes, no room, or any chunk that found something the
 * serial reader reports or treats specially, so that every error and every
 * message is the serial reader's. */
static civ_status read_rest_parallel(csv_reader *r, civ_table *table, tcol *tc, int *done)
{
    *done = 0;
    int threads = civ_thread_count(0);
    struct stat st;
    off_t at = lseek(r->fd, 0, SEEK_CUR);
    if (threads < 2 || at < 0 || fstat(r->fd, &st) != 0 || !S_ISREG(st.st_mode) || table->n_rows != 1)
        return CIV_OK;
    off_t from = at - (off_t)(r->len - r->pos);
    if (st.st_size <= from)
        return CIV_OK;
    size_t n = (size_t)(st.st_size - from);
    if (!split_step && n < PAR_MIN_BYTES)
        return CIV_OK;
    for (size_t c = 0; c < table->n_columns; c++)
        if (tc[c].mode == TCOL_NUMBER && tc[c].displayed_row != SIZE_MAX)
            return CIV_OK;
    char *d = civ_bigmem_alloc(n + 1, 1);
    /* 8 chunks a thread, taken as threads free up: on a shared machine a
     * thread that loses its core holds up one small chunk, not half the file */
    size_t max_chunks = (size_t)threads < 8 ? 8 * (size_t)threads : 64;
    size_t begin[64], end[64], rows[64], row0[65];
    int bad[64];
    if (!d)
        return CIV_OK;
    if (!pread_all(r->fd, d, n, from)) { /* the file changed: the serial reader reports what it finds */
        free(d);
        return CIV_OK;
    }
    d[n] = '\0';
    size_t k = split_chunks(d, n, max_chunks, begin, end);
    chunk_rows(d, n, k, begin, threads, row0);
    if (row0[k] > table->rows_capacity && civ_table_reserve(table, row0[k])) {
        civ_clear_error(); /* no room: the serial reader grows the table as it reads */
        free(d);
        return CIV_OK;
    }
    #pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
    for (size_t c = 0; c < k; c++)
        bad[c] = parse_chunk(r, d + begin[c], end[c] - begin[c], table, tc, row0[c], row0[c + 1], &rows[c]);
    int any_bad = 0;
    for (size_t c = 0; c < k; c++)
        any_bad |= bad[c];
    civ_status s = CIV_OK;
    size_t total = 1;
    if (any_bad)
        civ_clear_error(); /* a chunk's tokeniser error on this thread */
    if (!any_bad)
        total = join_ranges(table, tc, k, row0, rows);
    /* the rows past the table's end as the serial reader leaves them; all of
     * them when the serial reader reads the rest */
    clear_rows(table, tc, any_bad ? 1 : total, row0[k]);
    if (!any_bad && !s) {
        if (!(s = civ_table_add_rows(table, total - 1, NULL)))
            s = pool_texts(table, tc, 1, total);
        else
            clear_rows(table, tc, 1, total);
        *done = !s;
        if (*done)
            atomic_fetch_add(&parallel_reads, 1);
    }
    free(d);
    return s;
}

/* How many rows to reserve for a table of n_columns read from r's file: its
 * line feeds not followed by another line break (an upper bound on the
 * records, quoted newlines aside), but at most one per n_columns bytes (a
 * record has n_columns - 1 commas and a line feed), so that a hostile file
 * cannot make the reservation larger than the file justifies.  0 when the
 * file cannot be measured (the table then grows by doubling).  Sizing the
 * columns once saves the copies and double touches of growing them. */
static size_t rows_hint(const csv_reader *r, size_t n_columns)
{
    struct stat st;
    if (fstat(r->fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0)
        return 0;
    char *b = malloc(READ_CHUNK + 1);
    if (!b)
        return 0;
    size_t lines = 0;
    off_t off = 0;
    char prev = 0; /* the byte before the chunk */
    for (;;) {
        ssize_t got = pread(r->fd, b, READ_CHUNK, off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        /* a line feed counts when the byte after it is not \n or \r */
        if (prev == '\n' && b[0] != '\n' && b[0] != '\r')
            lines++;
        for (char *p = b, *end = b + got - 1; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
            lines += p[1] != '\n' && p[1] != '\r';
        prev = b[got - 1];
        off += got;
    }
    free(b);
    size_t most = (size_t)st.st_size / (n_columns ? n_columns : 1) + 1;
    lines += 1; /* a last record without a line feed */
    return lines < most ? lines : most;
}

/* The table's columns from the header r has read: the id column (options->id_column, else unique_id) named
 * unique_id, each column a number column unless options force it to text; *tc (allocated) their read state. */
static civ_status table_header(csv_reader *r, const civ_table_read_options *options, civ_table **table, tcol **tc)
{
    size_t key = SIZE_MAX; /* the column that becomes unique_id */
    civ_status s;
    if (!(s = csv_read_header(r)) &&
        !(s = header_role(r, "unique_id", options ? options->id_column : NULL, "key", &key)) &&
        !(s = civ_table_create(table)) && !(*tc = calloc(r->n_names ? r->n_names : 1, sizeof **tc)))
        s = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the header");
    for (size_t c = 0; c < r->n_names && !s; c++) {
        const char *name = c == key ? "unique_id" : r->names[c];
        int text = forced_text(options, name);
        (*tc)[c].mode = text ? TCOL_TEXT : TCOL_NUMBER;
        (*tc)[c].displayed_row = SIZE_MAX;
        s = civ_table_add_column(*table, name, text ? CIV_COLUMN_TEXT : CIV_COLUMN_NUMBER, NULL);
    }
    return s;
}

/* The records into the table, each row's line in *row_lines (*lines_cap of them; reserved from the file's line
 * feeds when there are many, else grown); after the first row the rest are read in parallel when they can be. */
static civ_status table_rows(csv_reader *r, civ_table *table, tcol *tc, long **row_lines, size_t *lines_cap)
{
    size_t hint = rows_hint(r, r->n_names);
    civ_status s = CIV_OK;
    if (hint > 1024 && (s = civ_table_reserve(table, hint))) /* small files: doubling is cheap */
        civ_clear_error(), s = CIV_OK; /* no room for the estimate: grow as the rows come */
    if (hint > 1024 && (*row_lines = civ_bigmem_alloc(hint, sizeof **row_lines)) != NULL)
        *lines_cap = hint;
    while (!s) {
        int have;
        if ((s = csv_next(r, &have)) || !have)
            break;
        if ((s = check_width(r, r->n_names)))
            break;
        size_t row;
        if ((s = civ_table_add_rows(table, 1, &row)))
            break;
        if (row >= *lines_cap) { /* the line of each row, for errors found after reading */
            size_t cap = *lines_cap ? 2 * *lines_cap : 1024;
            long *l = realloc(*row_lines, cap * sizeof *l);
            if (!l)
                return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the row index");
            *row_lines = l;
            *lines_cap = cap;
        }
        (*row_lines)[row] = r->record_line;
        s = read_cells(r, table, tc, row);
        if (!s && row == 0) { /* the first row settled which columns are text: the rest in parallel */
            int done;
            if ((s = read_rest_parallel(r, table, tc, &done)) || done)
                break;
        }
    }
    return s;
}

/* The columns checked and settled after reading: a number column with cells written as a spreadsheet displays
 * them ("12,345") and no other text is an error at the first such cell; demoted columns get their text back;
 * a text column of integers that pandas wrote as floats ("310101001.0", an int column with gaps) is read as the
 * integers' text, as every reader of ids then sees them. */
static civ_status table_columns(csv_reader *r, civ_table *table, tcol *tc, const long *row_lines)
{
    civ_status s = CIV_OK;
    int demoted = 0;
    for (size_t c = 0; !s && c < r->n_names; c++) {
        demoted |= tc[c].mode == TCOL_DEMOTED && tc[c].since > 0;
        if (tc[c].mode == TCOL_NUMBER && tc[c].displayed_row != SIZE_MAX)
            s = fail_displayed(r, row_lines ? row_lines[tc[c].displayed_row] : 0, c + 1, NULL, tc[c].displayed);
    }
    if (!s && demoted)
        s = fill_demoted(r, table, tc);
    for (size_t c = 0; !s && c < r->n_names; c++)
        civ_table_whole_float_ids(table, c);
    return s;
}

civ_status civ_table_read_csv(const char *path, const civ_table_read_options *options, civ_table **out)
{
    if (!out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_table_read_csv: out is NULL");
    *out = NULL;
    csv_reader r;
    char thousands;
    civ_status s = civ_csv_thousands(options ? options->thousands : NULL, "civ_table_read_csv", &thousands);
    if (!s)
        s = csv_open_encoded(&r, path, options ? options->encoding : NULL, options ? options->sheet : NULL,
                             options ? options->skip_rows : 0);
    if (s)
        return s;
    r.thousands = thousands;
    r.percent = options && options->percent;
    civ_table *table = NULL;
    tcol *tc = NULL;
    long *row_lines = NULL;
    size_t lines_cap = 0;
    s = table_header(&r, options, &table, &tc);
    if (!s)
        s = table_rows(&r, table, tc, &row_lines, &lines_cap);
    if (!s)
        s = table_columns(&r, table, tc, row_lines);
    for (size_t c = 0; tc && c < r.n_names; c++)
        free(tc[c].displayed);
    free(tc);
    long first_line = row_lines && table && table->n_rows ? row_lines[0] : 0;
    free(row_lines);
    int is_sheet = r.is_sheet;
    csv_free_names(&r);
    csv_close(&r);
    if (s) {
        civ_table_free(table);
        return s;
    }
    if ((s = civ_table_set_source(table, path, 1))) { /* errors found later name the file's lines */
        civ_table_free(table);
        return s;
    }
    /* A sheet's rows are consecutive lines (the readers refuse an empty line inside the data; a line break in a
     * cell stays in its row, csv_next). */
    table->csv_lines = is_sheet ? 2 : 1;
    table->first_line = first_line;
    table->thousands = r.thousands; /* for civ_csv_first_text_row: a text column's culprit as read */
    table->percent = r.percent;
    *out = table;
    return CIV_OK;
}

size_t civ_csv_first_text_row(const civ_table *t, size_t c)
{
    for (size_t r = 0; t && r < t->n_rows; r++) {
        const char *x = civ_table_text(t, r, c);
        double v;
        civ_csv_number k = x ? civ_csv_parse_formatted(x, strlen(x), t->thousands, t->percent, &v)
                             : CIV_CSV_NUMBER_MISSING;
        if (k != CIV_CSV_NUMBER_OK && k != CIV_CSV_NUMBER_MISSING)
            return r;
    }
    return SIZE_MAX;
}

civ_status civ_table_read_numbers(civ_table *table, size_t column, const char *thousands, int percent,
                                  int *converted)
{
    if (converted)
        *converted = 0;
    if (!table || column >= table->n_columns)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_table_read_numbers: NULL table or column %zu out of range",
                        column);
    char sep;
    civ_status s = civ_csv_thousands(thousands, "civ_table_read_numbers", &sep);
    if (s)
        return s;
    table->thousands = sep, table->percent = percent != 0;
    civ_table_column *c = &table->columns[column];
    if (c->type != CIV_COLUMN_TEXT || civ_csv_first_text_row(table, column) != SIZE_MAX)
        return CIV_OK;
    double *v = malloc((table->rows_capacity ? table->rows_capacity : 1) * sizeof *v);
    if (!v)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading column '%s' as numbers", c->name);
    for (size_t r = 0; r < table->n_rows; r++) {
        const char *x = c->texts[r];
        v[r] = NAN;
        if (x)
            civ_csv_parse_formatted(x, strlen(x), sep, table->percent, &v[r]); /* a number or missing: checked */
    }
    for (size_t r = table->n_rows; r < table->rows_capacity; r++)
        v[r] = NAN;
    if (table->key_indexed && table->key_column == column) {
        civ_strmap_free(&table->key_index); /* a key is text: its keys would dangle */
        table->key_indexed = 0;
    }
    civ_table_clear_texts(c, table->n_rows);
    free(c->texts);
    c->texts = NULL;
    free(c->numbers);
    c->numbers = v;
    c->type = CIV_COLUMN_NUMBER;
    if (converted)
        *converted = 1;
    return CIV_OK;
}

long civ_csv_record_line(const char *path, long first_line, size_t r)
{
    FILE *f = path && first_line > 0 ? fopen(path, "rb") : NULL;
    if (!f)
        return 0;
    size_t record = 0;
    long line = 1;
    int quoted = 0, c;
    while (line < first_line && (c = getc(f)) != EOF) /* to data row 0, wherever the header is */
        line += c == '\n';
    while (line >= first_line && record < r && (c = getc(f)) != EOF) {
        if (c == '"')
            quoted = !quoted; /* "" inside a quoted cell toggles twice */
        else if (c == '\n') {
            line++;
            record += !quoted;
        }
    }
    fclose(f);
    return record == r && line >= first_line ? line : 0;
}

long civ_table_row_line(const civ_table *table, size_t row)
{
    if (!table || !table->csv_lines || row >= table->n_rows)
        return 0;
    if (table->csv_lines == 2) /* a workbook's sheet: data rows on consecutive lines */
        return table->first_line + (long)row;
    return civ_csv_record_line(table->source, table->first_line, row);
}
