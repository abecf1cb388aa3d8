/*
 * toml.c -- layer: io.  A small, strict reader for the TOML subset of allocation
 * specs (docs/ALLOCATION.md, "Syntax").
 *
 * Why a subset and not a TOML library: the spec is a public-finance document
 * that people edit by hand and that the engine must reject loudly when it is
 * wrong, so the grammar is kept small enough to read in one sitting and to
 * fuzz: `key = value` lines, "basic" and 'literal' strings, integers and
 * decimals (underscores between digits allowed), booleans, one-line arrays of
 * scalars, [table] and [[array-of-tables]] headers with bare names, and `#`
 * comments.  Everything else TOML has (dotted keys, inline tables, nested
 * arrays, multi-line strings, dates, inf/nan) is rejected with file:line:col.
 * Sizes are bounded (CIV_TOML_MAX_*), so hostile input cannot exhaust memory.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>

#include "c_locale.h"
#include "error.h"
#include "toml.h"

typedef struct parser {
    const char *s;
    size_t len, pos;
    long line;
    size_t line_start;
    const char *name;
    const char *key; /* the key whose value is being read (for the cure of a bare percentage) */
    civ_toml_doc *doc;
} parser;

static long col(const parser *p) { return (long)(p->pos - p->line_start) + 1; }

static civ_status fail(parser *p, civ_status st, const char *field, const char *fmt, const char *a, const char *b)
{
    civ_where w = {.file = p->name, .line = p->line, .column = col(p), .field = field};
    char msg[600];
    civ_snprintf(msg, sizeof msg, fmt, a ? a : "", b ? b : "");
    return civ_fail_at(st, &w, "%s", msg);
}

static int is_bare(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
}

static void skip_ws(parser *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t'))
        p->pos++;
}

static int at_eol(const parser *p)
{
    return p->pos >= p->len || p->s[p->pos] == '\n' || p->s[p->pos] == '#' ||
           (p->s[p->pos] == '\r' && p->pos + 1 < p->len && p->s[p->pos + 1] == '\n');
}

/* "'50,000' has a thousands separator ...": the number written from s[start] (digits, signs, '.', '_' and the
 * separators), with the ways to write it that the reader takes, at its column and key (before 2026-12-07 a
 * canned '1,234.50', at the comma, with no key). */
static civ_status thousands_in_value(parser *p, const char *key, size_t start)
{
    char written[64], plain[64], grouped[64];
    size_t n = 0, np = 0;
    for (size_t i = start; i < p->len && n + 1 < sizeof written && strchr("0123456789,._+-", p->s[i]) && p->s[i];
         i++) {
        written[n++] = p->s[i];
        if (p->s[i] != ',' && p->s[i] != '_')
            plain[np++] = p->s[i];
    }
    written[n] = plain[np] = '\0';
    for (size_t i = 0; i <= n; i++)
        grouped[i] = written[i] == ',' ? '_' : written[i];
    char msg[300];
    civ_snprintf(msg, sizeof msg, "'%s' has a thousands separator, which a spec's numbers do not take: write %s, "
                 "or group the digits with '_' as %s", written, plain, grouped);
    p->pos = start;
    return fail(p, CIV_ERR_PARSE, key, "%s", msg, NULL);
}

/* Consumes an optional comment and the line end; anything else is an error.
 * After a key's value, `key` names it and `start` is where the value began
 * (else NULL and 0). */
static civ_status end_line(parser *p, const char *key, size_t start)
{
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == '#') {
        while (p->pos < p->len && p->s[p->pos] != '\n') {
            unsigned char ch = (unsigned char)p->s[p->pos];
            if ((ch < 0x20 && ch != '\t' && ch != '\r') || ch == 0x7f)
                return fail(p, CIV_ERR_PARSE, NULL, "control character in a comment", NULL, NULL);
            p->pos++;
        }
    }
    if (p->pos < p->len && p->s[p->pos] == '\r')
        p->pos++;
    if (p->pos < p->len && p->s[p->pos] != '\n') {
        const char *s = p->s;
        size_t i = p->pos;
        if (s[i] == ',' && i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9' && i + 3 < p->len && s[i + 1] >= '0' &&
            s[i + 1] <= '9' && s[i + 2] >= '0' && s[i + 2] <= '9' && s[i + 3] >= '0' && s[i + 3] <= '9' && key)
            return thousands_in_value(p, key, start);
        if (s[i] == ',' && i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9' && i + 3 < p->len && s[i + 1] >= '0' &&
            s[i + 1] <= '9' && s[i + 2] >= '0' && s[i + 2] <= '9' && s[i + 3] >= '0' && s[i + 3] <= '9')
            return fail(p, CIV_ERR_PARSE, NULL,
                        "a thousands separator in a number ('1,234.50'): write 1234.50, or group the digits with "
                        "'_' as 1_234.50",
                        NULL, NULL);
        return fail(p, CIV_ERR_PARSE, NULL, "unexpected text after the value (one 'key = value' per line)", NULL,
                    NULL);
    }
    if (p->pos < p->len) {
        p->pos++;
        p->line++;
        p->line_start = p->pos;
    }
    return CIV_OK;
}

static civ_status read_bare(parser *p, char **out, const char *what)
{
    size_t start = p->pos;
    while (p->pos < p->len && is_bare(p->s[p->pos]))
        p->pos++;
    if (p->pos == start) {
        if (p->pos < p->len && (p->s[p->pos] == '"' || p->s[p->pos] == '\''))
            return fail(p, CIV_ERR_PARSE, NULL, "quoted %s names are not supported; use letters, digits, '_', '-'",
                        what, NULL);
        return fail(p, CIV_ERR_PARSE, NULL, "expected a %s name", what, NULL);
    }
    if (p->pos - start > 64)
        return fail(p, CIV_ERR_LIMIT, NULL, "%s name longer than 64 bytes", what, NULL);
    if (p->pos < p->len && p->s[p->pos] == '.')
        return fail(p, CIV_ERR_PARSE, NULL, "dotted %s names (nesting) are not supported", what, NULL);
    *out = malloc(p->pos - start + 1);
    if (!*out)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading %s", p->name);
    memcpy(*out, p->s + start, p->pos - start);
    (*out)[p->pos - start] = '\0';
    return CIV_OK;
}

static void value_free(civ_toml_value *v)
{
    free(v->text);
    for (size_t i = 0; i < v->n_items; i++)
        value_free(&v->items[i]);
    free(v->items);
    memset(v, 0, sizeof *v);
}

static int utf8_len(const unsigned char *s, size_t avail)
{
    /* Returns the length of a valid UTF-8 sequence at s, or 0. */
    unsigned char c = s[0];
    int n;
    unsigned min;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0) {
        n = 2, min = 0x80, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, min = 0x800, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, min = 0x10000, cp = c & 0x07;
    } else {
        return 0;
    }
    if ((size_t)n > avail)
        return 0;
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

static civ_status read_string(parser *p, civ_toml_value *v)
{
    char quote = p->s[p->pos];
    v->type = CIV_TOML_STRING;
    v->line = p->line;
    v->column = col(p);
    if (p->pos + 2 < p->len && p->s[p->pos + 1] == quote && p->s[p->pos + 2] == quote)
        return fail(p, CIV_ERR_PARSE, NULL, "multi-line strings are not supported", NULL, NULL);
    p->pos++;
    char *buf = malloc(CIV_TOML_MAX_STRING + 8);
    if (!buf)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading %s", p->name);
    size_t n = 0;
    for (;;) {
        if (p->pos >= p->len || p->s[p->pos] == '\n' || p->s[p->pos] == '\r') {
            free(buf);
            return fail(p, CIV_ERR_PARSE, NULL, "unterminated string", NULL, NULL);
        }
        unsigned char ch = (unsigned char)p->s[p->pos];
        if (ch == (unsigned char)quote) {
            p->pos++;
            break;
        }
        if (n >= CIV_TOML_MAX_STRING) {
            free(buf);
            return fail(p, CIV_ERR_LIMIT, NULL, "string longer than 4096 bytes", NULL, NULL);
        }
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
            free(buf);
            return fail(p, CIV_ERR_PARSE, NULL, "control character in a string", NULL, NULL);
        }
        if (ch == '\\' && quote == '"') {
            if (p->pos + 1 >= p->len) {
                free(buf);
                return fail(p, CIV_ERR_PARSE, NULL, "unterminated string", NULL, NULL);
            }
            char e = p->s[p->pos + 1];
            const char *rep = NULL;
            switch (e) {
            case '"': rep = "\""; break;
            case '\\': rep = "\\"; break;
            case 'n': rep = "\n"; break;
            case 't': rep = "\t"; break;
            default: break;
            }
            if (!rep) {
                free(buf);
                return fail(p, CIV_ERR_PARSE, NULL, "unsupported escape in a string (use \\\" \\\\ \\n \\t)", NULL,
                            NULL);
            }
            buf[n++] = rep[0];
            p->pos += 2;
            continue;
        }
        int k = utf8_len((const unsigned char *)p->s + p->pos, p->len - p->pos);
        if (!k) {
            free(buf);
            return fail(p, CIV_ERR_PARSE, NULL,
                        "invalid UTF-8 in a string (a file saved as GBK or ANSI? save it as UTF-8: in Notepad, "
                        "Save as, Encoding UTF-8)",
                        NULL, NULL);
        }
        memcpy(buf + n, p->s + p->pos, (size_t)k);
        n += (size_t)k;
        p->pos += (size_t)k;
    }
    buf[n] = '\0';
    v->text = buf;
    return CIV_OK;
}

/* "0.05" for the percentage text "5" (for the message of 'share = 5%'). */
static const char *fraction_of_percent(const char *percent, char *out, size_t size)
{
    civ_snprintf(out, size, "%.15g", civ_strtod(percent, NULL) / 100);
    return out;
}

/* The error for a bare percentage (share = 5%), with the cure the key takes.  Most keys that people write in
 * percent take a fraction; an allocation spec's tilt multiplier is a ratio (+20% is 1.2, where 0.2 would cut the
 * score to a fifth) and its thresholds (above .. at_most, eligible_min / _max) are in the attribute's units, so
 * "write the fraction" would be wrong for them. */
static civ_status percent_fail(parser *p, const char *pct, const char *fraction)
{
    static const char *thresholds[] = {"above", "at_least", "below", "at_most", "eligible_min", "eligible_max"};
    const char *k = p->key ? p->key : "";
    char msg[400];
    civ_snprintf(msg, sizeof msg, "'%s%%' is a percentage: write the fraction, %s (a key that takes a percentage, such "
                 "as pace, takes it quoted: \"20%%\")", pct, fraction);
    if (!strcmp(k, "multiplier"))
        civ_snprintf(msg, sizeof msg, "'%s%%' is a percentage: a multiplier is a ratio: write %.15g for +%s%% (not %s, "
                     "which would cut the score to %s of itself)", pct, 1 + civ_strtod(pct, NULL) / 100, pct, fraction,
                     fraction);
    for (size_t i = 0; i < sizeof thresholds / sizeof *thresholds; i++)
        if (!strcmp(k, thresholds[i]))
            civ_snprintf(msg, sizeof msg,
                         "'%s%%' is a percentage: a threshold is in its attribute's units: write %s if "
                         "the attribute holds fractions (0.31), %s if it holds percentages (31)",
                         pct, fraction, pct);
    return fail(p, CIV_ERR_PARSE, NULL, "%s", msg, NULL);
}

/* 1 when the text starts with a yuan sign, half-width (U+00A5) or full-width (U+FFE5). */
static int yuan_sign(const char *s, size_t n)
{
    return (n >= 2 && !memcmp(s, "\xC2\xA5", 2)) || (n >= 3 && !memcmp(s, "\xEF\xBF\xA5", 3));
}

static civ_status read_number(parser *p, civ_toml_value *v)
{
    v->line = p->line;
    v->column = col(p);
    size_t start = p->pos;
    char buf[80];
    size_t n = 0;
    int is_float = 0, digits = 0, prev_digit = 0;
    if (p->s[p->pos] == '+' || p->s[p->pos] == '-')
        buf[n++] = p->s[p->pos++];
    while (p->pos < p->len) {
        char ch = p->s[p->pos];
        if (ch >= '0' && ch <= '9') {
            digits++;
            prev_digit = 1;
        } else if (ch == '_') {
            /* TOML: an underscore must sit between two digits */
            if (!prev_digit || p->pos + 1 >= p->len || p->s[p->pos + 1] < '0' || p->s[p->pos + 1] > '9')
                return fail(p, CIV_ERR_PARSE, NULL, "an underscore in a number must sit between digits", NULL, NULL);
            p->pos++;
            continue;
        } else if (ch == '.' || ch == 'e' || ch == 'E') {
            is_float = 1;
            prev_digit = 0;
        } else if ((ch == '+' || ch == '-') && n > 0 && (buf[n - 1] == 'e' || buf[n - 1] == 'E')) {
            prev_digit = 0;
        } else {
            break;
        }
        if (n >= sizeof buf - 1)
            return fail(p, CIV_ERR_LIMIT, NULL, "number longer than 78 characters", NULL, NULL);
        buf[n++] = ch;
        p->pos++;
    }
    buf[n] = '\0';
    if (!digits || (p->pos < p->len && !at_eol(p) && p->s[p->pos] != ' ' && p->s[p->pos] != '\t' &&
                    p->s[p->pos] != ',' && p->s[p->pos] != ']')) {
        size_t stop = p->pos;
        char frac[40];
        p->pos = start;
        if (digits && stop < p->len && p->s[stop] == '%') /* share = 5%: what a budget document writes */
            return percent_fail(p, buf, fraction_of_percent(buf, frac, sizeof frac));
        if (!digits && yuan_sign(p->s + start, p->len - start))
            return fail(p, CIV_ERR_PARSE, NULL,
                        "a currency sign before a number: write yuan as a plain number (1234.50, or 1_234.50)", NULL,
                        NULL);
        return fail(p, CIV_ERR_PARSE, NULL,
                    "expected a value: a \"string\", a number, true, false or [array] (inf, nan, dates and inline "
                    "tables are not supported)",
                    NULL, NULL);
    }
    /* TOML forbids leading zeros ("007"), which also avoids octal surprises. */
    const char *d = buf + ((buf[0] == '+' || buf[0] == '-') ? 1 : 0);
    if (d[0] == '0' && d[1] >= '0' && d[1] <= '9') {
        p->pos = start;
        return fail(p, CIV_ERR_PARSE, NULL, "leading zeros are not allowed in numbers", NULL, NULL);
    }
    char *end;
    double x = civ_strtod(buf, &end);
    if (*end || !isfinite(x) || (is_float && (d[0] == '.' || buf[n - 1] == '.'))) {
        p->pos = start;
        return fail(p, CIV_ERR_PARSE, NULL, "malformed number '%s'", buf, NULL);
    }
    v->type = is_float ? CIV_TOML_FLOAT : CIV_TOML_INTEGER;
    v->number = x;
    v->text = strdup(buf);
    if (!v->text)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading %s", p->name);
    return CIV_OK;
}

static civ_status read_scalar(parser *p, civ_toml_value *v)
{
    if (p->pos >= p->len || at_eol(p))
        return fail(p, CIV_ERR_PARSE, NULL, "missing value after '='", NULL, NULL);
    char ch = p->s[p->pos];
    if (ch == '"' || ch == '\'')
        return read_string(p, v);
    if (ch == '{')
        return fail(p, CIV_ERR_PARSE, NULL, "inline tables are not supported; use a [section]", NULL, NULL);
    /* Length-checked: the text need not be NUL-terminated (civ_alloc_spec_parse
     * takes len bytes); strncmp read past its end (fuzz_alloc_spec crasher
     * tests/fuzz/crashers/alloc_spec/toml_bool_at_end). */
    if (p->len - p->pos >= 4 && !memcmp(p->s + p->pos, "true", 4) &&
        (p->pos + 4 >= p->len || !is_bare(p->s[p->pos + 4]))) {
        v->type = CIV_TOML_BOOL, v->number = 1, v->line = p->line, v->column = col(p);
        p->pos += 4;
        return CIV_OK;
    }
    if (p->len - p->pos >= 5 && !memcmp(p->s + p->pos, "false", 5) &&
        (p->pos + 5 >= p->len || !is_bare(p->s[p->pos + 5]))) {
        v->type = CIV_TOML_BOOL, v->number = 0, v->line = p->line, v->column = col(p);
        p->pos += 5;
        return CIV_OK;
    }
    return read_number(p, v);
}

static civ_status read_value(parser *p, civ_toml_value *v)
{
    if (p->pos < p->len && p->s[p->pos] == '[') {
        v->type = CIV_TOML_ARRAY;
        v->line = p->line;
        v->column = col(p);
        p->pos++;
        size_t cap = 0;
        for (;;) {
            skip_ws(p);
            if (p->pos < p->len && p->s[p->pos] == ']') {
                p->pos++;
                return CIV_OK;
            }
            if (at_eol(p))
                return fail(p, CIV_ERR_PARSE, NULL, "unterminated array (arrays must fit on one line)", NULL, NULL);
            if (p->s[p->pos] == '[')
                return fail(p, CIV_ERR_PARSE, NULL, "nested arrays are not supported", NULL, NULL);
            if (v->n_items >= CIV_TOML_MAX_ITEMS)
                return fail(p, CIV_ERR_LIMIT, NULL, "array longer than 1024 items", NULL, NULL);
            if (v->n_items == cap) {
                size_t nc = cap ? 2 * cap : 8;
                civ_toml_value *it = realloc(v->items, nc * sizeof *it);
                if (!it)
                    return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading %s", p->name);
                v->items = it;
                cap = nc;
            }
            civ_toml_value *item = &v->items[v->n_items];
            memset(item, 0, sizeof *item);
            v->n_items++;
            civ_status s = read_scalar(p, item);
            if (s)
                return s;
            int num0 = v->items[0].type == CIV_TOML_INTEGER || v->items[0].type == CIV_TOML_FLOAT;
            int numi = item->type == CIV_TOML_INTEGER || item->type == CIV_TOML_FLOAT;
            if (item->type != v->items[0].type && !(num0 && numi))
                return fail(p, CIV_ERR_PARSE, NULL, "array items must all have the same type", NULL, NULL);
            skip_ws(p);
            if (p->pos < p->len && p->s[p->pos] == ',') {
                p->pos++;
                continue;
            }
            if (p->pos < p->len && p->s[p->pos] == ']') {
                p->pos++;
                return CIV_OK;
            }
            return fail(p, CIV_ERR_PARSE, NULL, "expected ',' or ']' in an array", NULL, NULL);
        }
    }
    return read_scalar(p, v);
}

static civ_status add_table(parser *p, char *name, int is_array, long line, long column)
{
    civ_toml_doc *d = p->doc;
    for (size_t t = 1; t < d->n_tables; t++) {
        if (strcmp(d->tables[t].name, name))
            continue;
        if (d->tables[t].is_array != is_array) {
            civ_where w = {.file = p->name, .line = line, .column = column, .field = name};
            civ_status s = civ_fail_at(CIV_ERR_PARSE, &w, "'%s' is used both as [%s] and [[%s]]", name, name, name);
            free(name);
            return s;
        }
        if (!is_array) {
            char first[32];
            civ_snprintf(first, sizeof first, "%ld", d->tables[t].line);
            p->pos = p->line_start + (size_t)column - 1;
            civ_status s = fail(p, CIV_ERR_DUPLICATE, name, "duplicate table [%s] (first at line %s)", name, first);
            free(name);
            return s;
        }
    }
    if (d->n_tables >= CIV_TOML_MAX_TABLES) {
        free(name);
        return fail(p, CIV_ERR_LIMIT, NULL, "more than 4096 tables", NULL, NULL);
    }
    if (d->n_tables == d->cap_tables) {
        size_t nc = d->cap_tables ? 2 * d->cap_tables : 16;
        civ_toml_table *t = realloc(d->tables, nc * sizeof *t);
        if (!t) {
            free(name);
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading %s", p->name);
        }
        d->tables = t;
        d->cap_tables = nc;
    }
    civ_toml_table *t = &d->tables[d->n_tables++];
    memset(t, 0, sizeof *t);
    t->name = name;
    t->is_array = is_array;
    t->line = line;
    t->column = column;
    return CIV_OK;
}

static civ_status parse_line(parser *p)
{
    skip_ws(p);
    if (at_eol(p))
        return end_line(p, NULL, 0);
    long line = p->line, column = col(p);
    char ch = p->s[p->pos];
    if (ch == '[') {
        int is_array = p->pos + 1 < p->len && p->s[p->pos + 1] == '[';
        p->pos += is_array ? 2 : 1;
        skip_ws(p);
        char *name = NULL;
        civ_status s = read_bare(p, &name, "table");
        if (s)
            return s;
        skip_ws(p);
        if (p->pos >= p->len || p->s[p->pos] != ']' ||
            (is_array && (p->pos + 1 >= p->len || p->s[p->pos + 1] != ']'))) {
            free(name);
            return fail(p, CIV_ERR_PARSE, NULL, is_array ? "expected ']]' after the table name"
                                                         : "expected ']' after the table name", NULL, NULL);
        }
        p->pos += is_array ? 2 : 1;
        s = add_table(p, name, is_array, line, column);
        return s ? s : end_line(p, NULL, 0);
    }
    char *key = NULL;
    civ_status s = read_bare(p, &key, "key");
    if (s)
        return s;
    civ_toml_table *t = &p->doc->tables[p->doc->n_tables - 1];
    for (size_t e = 0; e < t->n_entries; e++) {
        if (!strcmp(t->entries[e].key, key)) {
            char first[32];
            civ_snprintf(first, sizeof first, "%ld", t->entries[e].line);
            p->pos = p->line_start + (size_t)column - 1;
            s = fail(p, CIV_ERR_DUPLICATE, key, "duplicate key '%s' (first at line %s)", key, first);
            free(key);
            return s;
        }
    }
    if (t->n_entries >= CIV_TOML_MAX_KEYS) {
        free(key);
        return fail(p, CIV_ERR_LIMIT, NULL, "more than 256 keys in one table", NULL, NULL);
    }
    skip_ws(p);
    if (p->pos >= p->len || p->s[p->pos] != '=') {
        s = fail(p, CIV_ERR_PARSE, key, "expected '=' after key '%s'", key, NULL);
        free(key);
        return s;
    }
    p->pos++;
    skip_ws(p);
    if (t->n_entries == t->cap_entries) {
        size_t nc = t->cap_entries ? 2 * t->cap_entries : 8;
        civ_toml_entry *en = realloc(t->entries, nc * sizeof *en);
        if (!en) {
            free(key);
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading %s", p->name);
        }
        t->entries = en;
        t->cap_entries = nc;
    }
    civ_toml_entry *en = &t->entries[t->n_entries++];
    memset(en, 0, sizeof *en);
    en->key = key;
    en->line = line;
    en->column = column;
    p->key = key;
    size_t start = p->pos;
    s = read_value(p, &en->value);
    p->key = NULL;
    if (s) {
        civ_error_set_field(key);
        civ_error_refresh_text();
        return s;
    }
    return end_line(p, key, start);
}

/* A syntax error, a duplicate key or table and an over-long item are all
 * faults of the specification text, so they carry CIV_ERR_SPEC (exit 4, the
 * code of a bad spec; docs/CLI.md), with the message and place unchanged;
 * out of memory and bad arguments keep their own status. */
static civ_status as_spec_error(civ_status s)
{
    if (s != CIV_ERR_PARSE && s != CIV_ERR_DUPLICATE && s != CIV_ERR_LIMIT)
        return s;
    civ_error e;
    civ_error_copy(&e);
    e.status = CIV_ERR_SPEC;
    return civ_error_restore(&e);
}

static civ_status parse_doc(const char *text, size_t len, const char *name, civ_toml_doc *doc);

civ_status civ_toml_parse(const char *text, size_t len, const char *name, civ_toml_doc *doc)
{
    return as_spec_error(parse_doc(text, len, name, doc));
}

static civ_status parse_doc(const char *text, size_t len, const char *name, civ_toml_doc *doc)
{
    memset(doc, 0, sizeof *doc);
    if (!text && len)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_toml_parse: NULL text");
    parser p = {.s = text, .len = len, .line = 1, .name = name ? name : "<spec>", .doc = doc};
    if (len > CIV_TOML_MAX_BYTES) {
        civ_where w = {.file = p.name};
        return civ_fail_at(CIV_ERR_LIMIT, &w, "specification larger than 1 MiB (%zu bytes)", len);
    }
    if (len && memchr(text, '\0', len)) { /* text may be NULL when len is 0: no memchr(NULL) */
        size_t at = (size_t)((const char *)memchr(text, '\0', len) - text);
        long line = 1;
        for (size_t i = 0; i < at; i++)
            line += text[i] == '\n';
        civ_where w = {.file = p.name, .line = line};
        return civ_fail_at(CIV_ERR_PARSE, &w, "NUL byte in the specification");
    }
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        p.pos = p.line_start = 3;
    char *root = strdup("");
    if (!root)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading %s", p.name);
    civ_status s = add_table(&p, root, 0, 1, 1);
    while (!s && p.pos < p.len)
        s = parse_line(&p);
    if (s)
        civ_toml_free(doc);
    return s;
}

civ_toml_entry *civ_toml_take(civ_toml_table *t, const char *key)
{
    for (size_t i = 0; t && i < t->n_entries; i++)
        if (!strcmp(t->entries[i].key, key)) {
            t->entries[i].used = 1;
            return &t->entries[i];
        }
    return NULL;
}

void civ_toml_free(civ_toml_doc *doc)
{
    if (!doc)
        return;
    for (size_t t = 0; t < doc->n_tables; t++) {
        civ_toml_table *tb = &doc->tables[t];
        for (size_t e = 0; e < tb->n_entries; e++) {
            free(tb->entries[e].key);
            value_free(&tb->entries[e].value);
        }
        free(tb->entries);
        free(tb->name);
    }
    free(doc->tables);
    memset(doc, 0, sizeof *doc);
}

civ_status civ_toml_read_text(const char *path, const char *what, char **text, size_t *len)
{
    civ_where w = {.file = path};
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return civ_fail_at(CIV_ERR_IO, &w, "cannot open the %s: %s", what, strerror(errno));
    char *buf = malloc(CIV_TOML_MAX_BYTES + 1);
    if (!buf) {
        fclose(fp);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading %s", path);
    }
    size_t n = fread(buf, 1, CIV_TOML_MAX_BYTES + 1, fp);
    int err = ferror(fp);
    fclose(fp);
    if (err || n > CIV_TOML_MAX_BYTES) {
        free(buf);
        return err ? civ_fail_at(CIV_ERR_IO, &w, "cannot read the %s", what)
                   : civ_fail_at(CIV_ERR_LIMIT, &w, "%s larger than 1 MiB", what);
    }
    *text = buf;
    *len = n;
    return CIV_OK;
}
