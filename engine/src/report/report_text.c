/*
 * report_text.c -- layer report: numbers and model names for readers
 * (report_text.h).
 */
#include "report_text.h"
#include "c_locale.h"
#include "model_label.h"
#include "text.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void rep_fmt_num(char *buf, size_t size, double v, int decimals)
{
    if (!isfinite(v)) {
        civ_snprintf(buf, size, "—");
        return;
    }
    char raw[64];
    civ_snprintf(raw, sizeof raw, "%.*f", decimals, fabs(v));
    if (!strcmp(raw, "0") || strspn(raw, "0.") == strlen(raw))
        v = 0; /* no "-0" */
    char *dot = strchr(raw, '.');
    size_t int_len = dot ? (size_t)(dot - raw) : strlen(raw), o = 0;
    char out[96];
    if (v < 0)
        out[o++] = '-';
    for (size_t k = 0; k < int_len; k++) {
        if (k && (int_len - k) % 3 == 0)
            out[o++] = ',';
        out[o++] = raw[k];
    }
    if (dot)
        o += (size_t)civ_snprintf(out + o, sizeof out - o, "%s", dot);
    out[o] = '\0';
    civ_snprintf(buf, size, "%s", out);
}

void rep_fmt_money(char *buf, size_t size, double v, int zh, const char *code, const char *zh_name)
{
    char n[64];
    double a = fabs(v);
    const char *c = code && code[0] ? code : "CNY";
    /* Chinese: the magnitude words (万, 亿) before the currency's Chinese name (亿元, 万美元), or, for a
     * currency without one, before its code after a space (12.3 万 XYZ) */
    const char *name = zh_name && zh_name[0] ? zh_name : c, *sep = zh_name && zh_name[0] ? "" : " ";
    if (!isfinite(v)) {
        civ_snprintf(buf, size, "—");
    } else if (zh) {
        if (a >= 1e8)
            rep_fmt_num(n, sizeof n, v / 1e8, 2), civ_snprintf(buf, size, "%s 亿%s%s", n, sep, name);
        else if (a >= 1e4)
            rep_fmt_num(n, sizeof n, v / 1e4, 1), civ_snprintf(buf, size, "%s 万%s%s", n, sep, name);
        else
            rep_fmt_num(n, sizeof n, v, a < 100 && v != floor(v) ? 2 : 0), civ_snprintf(buf, size, "%s %s", n, name);
    } else {
        if (a >= 1e9)
            rep_fmt_num(n, sizeof n, v / 1e9, 2), civ_snprintf(buf, size, "%s %s billion", c, n);
        else if (a >= 1e6)
            rep_fmt_num(n, sizeof n, v / 1e6, 1), civ_snprintf(buf, size, "%s %s million", c, n);
        else
            rep_fmt_num(n, sizeof n, v, a < 100 && v != floor(v) ? 2 : 0), civ_snprintf(buf, size, "%s %s", c, n);
    }
}

void rep_fmt_money_fixed(char *buf, size_t size, double v, int zh, const char *code, const char *zh_name)
{
    char n[64];
    double a = fabs(v);
    if (isfinite(v) && a >= (zh ? 1e4 : 1e6)) {
        rep_fmt_num(n, sizeof n, v / (zh ? 1e4 : 1e6), 1);
        char unit[48];
        rep_money_unit(unit, sizeof unit, 1, zh, code, zh_name);
        if (zh)
            civ_snprintf(buf, size, "%s %s", n, unit); /* 12.3 万元 */
        else
            civ_snprintf(buf, size, "%s %s million", code && code[0] ? code : "CNY", n);
    } else {
        rep_fmt_money(buf, size, v, zh, code, zh_name);
    }
}

void rep_money_unit(char *buf, size_t size, int big, int zh, const char *code, const char *zh_name)
{
    const char *c = code && code[0] ? code : "CNY";
    int named = zh_name && zh_name[0];
    if (zh)
        civ_snprintf(buf, size, "%s%s%s", big ? "万" : "", big && !named ? " " : "", named ? zh_name : c);
    else
        civ_snprintf(buf, size, "%s%s", c, big ? " million" : "");
}

void rep_group_digits(char *out, size_t size, const char *text)
{
    size_t o = 0;
    for (const char *p = text; *p && o + 1 < size;) {
        size_t digits = strspn(p, "0123456789");
        int starts = p == text || !civ_ascii_isdigit((unsigned char)p[-1]);
        if (digits >= 4 && starts && p[digits] == '.' && civ_ascii_isdigit((unsigned char)p[digits + 1])) {
            for (size_t k = 0; k < digits && o + 2 < size; k++) {
                if (k && (digits - k) % 3 == 0)
                    out[o++] = ',';
                out[o++] = p[k];
            }
            p += digits;
        } else {
            size_t n = digits ? digits : 1;
            for (size_t k = 0; k < n && o + 1 < size; k++)
                out[o++] = p[k];
            p += n;
        }
    }
    out[o] = '\0';
}

void rep_fmt_pct(char *buf, size_t size, double pct, int sign)
{
    if (!isfinite(pct))
        civ_snprintf(buf, size, "—");
    else
        civ_snprintf(buf, size, sign ? "%+.1f%%" : "%.1f%%", pct);
}

/* The model names are io/model_label.c's (monitor/workbook.c names the demand check's models by the same rule). */
void rep_model_family(char *buf, size_t size, const char *spec)
{
    civ_model_label_family(buf, size, spec);
}

void rep_model_components(const char *model, void (*fn)(const char *spec, void *arg), void *arg)
{
    civ_model_label_components(model, fn, arg);
}

void rep_short_model(char *buf, size_t size, const char *model)
{
    civ_model_label_short(buf, size, model);
}

/* The code point of the UTF-8 sequence at p (0 at the end or on a bad byte), its length in *len. */
static unsigned code_point(const unsigned char *p, size_t *len)
{
    *len = 1;
    if (p[0] < 0x80)
        return p[0];
    if ((p[0] & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80)
        return *len = 2, ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
    if ((p[0] & 0xF0) == 0xE0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80)
        return *len = 3, ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    return 0;
}

void rep_zh_tidy(char *out, size_t size, const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t n = 0;
    unsigned prev = 0;
    if (!size)
        return;
    while (*p && n + 4 < size) {
        size_t len;
        unsigned cp = code_point(p, &len);
        if (cp == ' ') {
            const unsigned char *q = p;
            while (*q == ' ')
                q++;
            size_t nl;
            unsigned next = code_point(q, &nl);
            /* the rule of civ_zh_space, the explanations' (core/text.c) */
            if (civ_zh_full_width_mark(prev) || civ_zh_full_width_mark(next) ||
                (civ_zh_han(prev) && civ_zh_han(next))) {
                p = q; /* the spaces beside a full-width mark, or between two Chinese characters, go */
                continue;
            }
        }
        memcpy(out + n, p, len);
        n += len, p += len, prev = cp;
    }
    out[n] = 0;
}
