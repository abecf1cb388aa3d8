/*
 * text.c -- layer: core.  Strict UTF-8 validation, the one check the CSV and
 * HDF5 readers both apply to every text cell they accept; ids as Excel and
 * pandas write them (long codes in scientific form, integers written as
 * floats, lost leading zeros) and the natural order of codes and names;
 * where Chinese text keeps an ASCII space (civ_zh_space).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "c_locale.h"
#include "error.h"
#include "text.h"

int civ_utf8_valid(const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp, min;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2, cp = c & 0x1F, min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3, cp = c & 0x0F, min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return 0;
        }
        if (n - i < len)
            return 0;
        for (size_t k = 1; k < len; k++) {
            unsigned cc = s[i + k];
            if ((cc & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

const char *civ_excel_scientific_id_hint(const char *id)
{
    /* d.dddddE+dd: Excel's General format of a number of 12 digits or more */
    const char *p = id;
    if (!p || *p < '1' || *p > '9' || p[1] != '.')
        return "";
    for (p += 2; *p >= '0' && *p <= '9'; p++)
        ;
    if ((*p != 'E' && *p != 'e') || p[1] != '+' || p[2] < '0' || p[2] > '9')
        return "";
    for (p += 3; *p >= '0' && *p <= '9'; p++)
        ;
    return *p ? ""
              : "; the id is a long code as Excel shows it in a General column (3.10101E+11) and saved it, digits "
                "lost: format the id column as Text in the sheet, enter the codes again and save";
}

/* The names of a sheet's total row, as civ_total_row_id compares them: spaces
 * and a trailing colon dropped, ASCII letters in lower case. */
static const char *const total_names[] = {"合计",  "总计",     "小计",       "共计", "合計", "總計",
                                          "小計",  "total",    "subtotal",   "grandtotal", "sum"};

int civ_total_row_id(const char *id)
{
    if (!id)
        return 0;
    char buf[32];
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)id; *p;) {
        if (*p == ' ' || *p == '\t') {
            p++;
        } else if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) { /* U+3000, the ideographic space: 合　计 */
            p += 3;
        } else if (p[0] == 0xC2 && p[1] == 0xA0) { /* U+00A0, a no-break space */
            p += 2;
        } else {
            if (n == sizeof buf)
                return 0;
            buf[n++] = (char)civ_ascii_tolower((unsigned char)*p);
            p++;
        }
    }
    if (n && buf[n - 1] == ':') /* 合计: */
        n--;
    else if (n >= 3 && !memcmp(buf + n - 3, "\xEF\xBC\x9A", 3)) /* 总计：, the full-width colon */
        n -= 3;
    for (size_t k = 0; k < sizeof total_names / sizeof *total_names; k++)
        if (strlen(total_names[k]) == n && !memcmp(total_names[k], buf, n))
            return 1;
    return 0;
}

int civ_total_row_series(const char *id)
{
    return civ_total_row_id(id) && strcmp(id, "total");
}

civ_status civ_total_row_find(const char *const *ids, size_t n, size_t *index)
{
    if (!index || (!ids && n))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_total_row_find: NULL argument");
    for (size_t i = 0; i < n; i++)
        if (civ_total_row_series(ids[i])) {
            *index = i;
            return CIV_OK;
        }
    *index = n;
    return CIV_OK;
}

static unsigned char fold(unsigned char c, int fold_case)
{
    return fold_case ? (unsigned char)civ_ascii_tolower(c) : c;
}

/* The edit distance of x[0..la) and y[0..lb) (la, lb <= 64), capped at cap (Levenshtein, one row). */
static size_t edit_distance(const uint32_t *x, size_t la, const uint32_t *y, size_t lb, size_t cap)
{
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0], best = row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j], v = diag + (x[i - 1] != y[j - 1]);
            v = up + 1 < v ? up + 1 : v;
            v = row[j - 1] + 1 < v ? row[j - 1] + 1 : v;
            diag = up;
            row[j] = v;
            best = v < best ? v : best;
        }
        if (best >= cap) /* every path is already at the cap */
            return cap;
    }
    return row[lb] < cap ? row[lb] : cap;
}

/* The bytes of s (at most 64; more: 65), ASCII case folded on request. */
static size_t bytes_of(const char *s, uint32_t *out, int fold_case)
{
    size_t n = 0;
    for (const unsigned char *u = (const unsigned char *)s; *u && n <= 64; u++)
        out[n++] = fold(*u, fold_case);
    return n;
}

size_t civ_text_distance(const char *a, const char *b, size_t cap, int fold_case)
{
    uint32_t x[65], y[65];
    size_t la = bytes_of(a, x, fold_case), lb = bytes_of(b, y, fold_case);
    return la > 64 || lb > 64 ? cap : edit_distance(x, la, y, lb, cap);
}

/* The code points of s (at most 64; more: 65), full-width ASCII folded to ASCII, case folded on request. */
static size_t code_points(const char *s, uint32_t *out, int fold_case)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = 0;
    while (*u && n <= 64) {
        uint32_t c = *u;
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
        for (size_t k = 1; k < len; k++)
            if ((u[k] & 0xC0) != 0x80)
                len = 1;
        if (len > 1) {
            c &= 0xFFu >> (len + 1);
            for (size_t k = 1; k < len; k++)
                c = c << 6 | (u[k] & 0x3Fu);
        }
        if (c >= 0xFF01 && c <= 0xFF5E) /* full-width forms of ASCII */
            c -= 0xFEE0;
        else if (c == 0x3000) /* ideographic space */
            c = ' ';
        if (fold_case && c >= 'A' && c <= 'Z')
            c += 32;
        out[n++] = c;
        u += len;
    }
    return n;
}

size_t civ_text_distance_chars(const char *a, const char *b, size_t cap, int fold_case)
{
    uint32_t x[65], y[65];
    size_t la = code_points(a, x, fold_case), lb = code_points(b, y, fold_case);
    return la > 64 || lb > 64 ? cap : edit_distance(x, la, y, lb, cap);
}

size_t civ_text_list_separator(const char *c)
{
    if (*c == ';' || *c == ',')
        return 1;
    static const char *const wide[] = {"\xe3\x80\x81", "\xef\xbc\x9b", "\xef\xbc\x8c"}; /* 、 ； ， */
    for (size_t k = 0; k < 3; k++)
        if (!strncmp(c, wide[k], 3))
            return 3;
    return 0;
}

int civ_text_list_next(const char **c, const char **item, size_t *len)
{
    const char *s = *c;
    for (;;) {
        while (*s == ' ' || civ_text_list_separator(s))
            s += *s == ' ' ? 1 : civ_text_list_separator(s);
        if (!*s)
            break;
        const char *b = s;
        while (*s && !civ_text_list_separator(s))
            s++;
        const char *e = s;
        while (e > b && e[-1] == ' ')
            e--;
        if (e > b) {
            *c = s, *item = b, *len = (size_t)(e - b);
            return 1;
        }
    }
    *c = s;
    return 0;
}

size_t civ_whole_float_id_len(const char *id)
{
    if (!id)
        return 0;
    size_t n = 0;
    while (id[n] >= '0' && id[n] <= '9')
        n++;
    if (!n || id[n] != '.' || id[n + 1] != '0')
        return 0;
    for (const char *p = id + n + 1; *p; p++)
        if (*p != '0')
            return 0;
    return n;
}

int civ_whole_float_ids(const char *const *ids, size_t n)
{
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        const char *id = ids[i];
        if (!id || !id[0])
            continue;
        if (civ_whole_float_id_len(id)) {
            any = 1;
            continue;
        }
        for (const char *p = id; *p; p++)
            if (*p < '0' || *p > '9')
                return 0;
    }
    return any;
}

static const char *skip_zeros(const char *s)
{
    while (*s == '0' && s[1])
        s++;
    return s;
}

const char *civ_id_zero_twin(const char *id, const char *const *known, size_t n)
{
    if (!id || !known)
        return NULL;
    const char *a = skip_zeros(id);
    const char *twin = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *k = known[i];
        if (!k || !k[0])
            continue;
        if (!strcmp(k, id))
            return NULL; /* present: no mismatch */
        if (!twin && (a != id || skip_zeros(k) != k) && !strcmp(skip_zeros(k), a))
            twin = k;
    }
    return twin;
}

const char *civ_id_zero_hint(const char *id, const char *twin, const char *where, char *buf, size_t size)
{
    civ_snprintf(buf, size,
                 "; %s has '%s', the same code %s leading zeros (Excel drops them from a General column): format "
                 "the code column as Text in Excel, type the codes with their zeros and save",
                 where, twin, strlen(twin) < strlen(id) ? "without its" : "with");
    return buf;
}

int civ_natural_cmp(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    int tie = 0; /* first difference of leading zeros among equal numbers */
    while (*p && *q) {
        if (*p >= '0' && *p <= '9' && *q >= '0' && *q <= '9') {
            const unsigned char *p0 = p, *q0 = q;
            while (*p == '0')
                p++;
            while (*q == '0')
                q++;
            const unsigned char *ps = p, *qs = q;
            while (*p >= '0' && *p <= '9')
                p++;
            while (*q >= '0' && *q <= '9')
                q++;
            size_t lp = (size_t)(p - ps), lq = (size_t)(q - qs);
            if (lp != lq)
                return lp < lq ? -1 : 1;
            int c = memcmp(ps, qs, lp);
            if (c)
                return c;
            if (!tie && (ps - p0) != (qs - q0))
                tie = (ps - p0) < (qs - q0) ? -1 : 1;
            continue;
        }
        if (*p != *q)
            return *p < *q ? -1 : 1;
        p++, q++;
    }
    if (*p || *q)
        return *p ? 1 : -1;
    return tie;
}

int civ_zh_full_width_mark(unsigned cp)
{
    static const unsigned marks[] = {0xFF08, 0xFF09, 0xFF1A, 0xFF1B, 0xFF0C, 0x3002, 0x3001, 0x201C, 0x201D, 0x2018,
                                     0x2019, 0x300A, 0x300B, 0x3010, 0x3011, 0xFF01, 0xFF1F, 0x3000};
    for (size_t k = 0; k < sizeof marks / sizeof *marks; k++)
        if (cp == marks[k])
            return 1;
    return 0;
}

int civ_zh_han(unsigned cp) { return (cp >= 0x3400 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF); }

/* The code point of the UTF-8 sequence at p (0 for a malformed one). */
static unsigned zh_code_point(const unsigned char *p)
{
    if (p[0] < 0x80)
        return p[0];
    if ((p[0] & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80)
        return ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
    if ((p[0] & 0xF0) == 0xE0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80)
        return ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    return 0;
}

int civ_zh_space(const char *before, size_t n, const char *after)
{
    if (!before || !n || !after || !after[0])
        return 0;
    const unsigned char *b = (const unsigned char *)before;
    size_t k = n - 1;
    while (k > 0 && (b[k] & 0xC0) == 0x80 && n - k < 4) /* back to the last character's first byte */
        k--;
    unsigned char tail[5] = {0}; /* the last character alone: nothing past before[n) is read */
    memcpy(tail, b + k, n - k);
    unsigned last = zh_code_point(tail), next = zh_code_point((const unsigned char *)after);
    if (last == ' ' || next == ' ' || civ_zh_full_width_mark(last) || civ_zh_full_width_mark(next))
        return 0;
    return !(civ_zh_han(last) && civ_zh_han(next));
}

/* The length of the space (civ_text_is_spaced's kinds) that starts at s[0..n), else 0. */
static size_t space_at(const char *s, size_t n)
{
    return n >= 1 && (s[0] == ' ' || s[0] == '\t')        ? 1
           : n >= 2 && !memcmp(s, "\xC2\xA0", 2)         ? 2
           : n >= 3 && !memcmp(s, "\xE3\x80\x80", 3)     ? 3
                                                           : 0;
}

/* The length of the space that ends at s[n), else 0. */
static size_t space_before(const char *s, size_t n)
{
    return n >= 1 && (s[n - 1] == ' ' || s[n - 1] == '\t')      ? 1
           : n >= 2 && !memcmp(s + n - 2, "\xC2\xA0", 2)       ? 2
           : n >= 3 && !memcmp(s + n - 3, "\xE3\x80\x80", 3)   ? 3
                                                                 : 0;
}

int civ_text_is_spaced(const char *s, const char *name)
{
    size_t a = 0, b = strlen(s), k, n = strlen(name);
    if (!n) /* a blank cell is not an empty name with spaces */
        return 0;
    while ((k = space_at(s + a, b - a)))
        a += k;
    while (b > a && (k = space_before(s + a, b - a)))
        b -= k;
    return (a || s[b]) && b - a == n && !memcmp(s + a, name, n);
}
