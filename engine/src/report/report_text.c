/*
 * report_text.c -- layer report: numbers and model names for readers
 * (report_text.h).
 */
#include "report_text.h"
#include "c_locale.h"
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

/* 1 when spec is an ETS model with a damped trend ("ETS(A,Ad,N)", "ETS(M,Md,M)"). */
static int is_damped_ets(const char *spec)
{
    if (strncmp(spec, "ETS(", 4) != 0)
        return 0;
    const char *t = strchr(spec + 4, ',');
    return t && (t[1] == 'A' || t[1] == 'M') && t[2] == 'd' && t[3] == ',';
}

void rep_model_family(char *buf, size_t size, const char *spec)
{
    /* the damped-trend ETS member of `auto` is a family of its own
     * (combination.c's display name "DampedETS"), so the model mix tells it
     * from the ETS member, as the short names do */
    if (is_damped_ets(spec)) {
        civ_snprintf(buf, size, "DampedETS");
        return;
    }
    size_t n = 0;
    while (spec[n] && (civ_ascii_isalpha((unsigned char)spec[n]) || spec[n] == '_'))
        n++;
    civ_snprintf(buf, size, "%.*s", (int)(n ? n : strlen(spec)), spec);
}

void rep_model_components(const char *model, void (*fn)(const char *spec, void *arg), void *arg)
{
    const char *open = strchr(model, '[');
    size_t len = strlen(model);
    /* A combination: "Name[a,b,c]" with the brackets closing at the end. */
    if (!open || len < 2 || model[len - 1] != ']' || open == model || strchr(model, '(') < open) {
        fn(model, arg);
        return;
    }
    char part[256];
    size_t o = 0;
    int depth = 0;
    for (const char *p = open + 1; p < model + len - 1; p++) {
        if (*p == '(' || *p == '[')
            depth++;
        if (*p == ')' || *p == ']')
            depth--;
        if (*p == ',' && depth == 0) {
            part[o] = '\0';
            fn(part, arg);
            o = 0;
            continue;
        }
        if (o + 1 < sizeof part)
            part[o++] = *p;
    }
    part[o] = '\0';
    fn(part, arg);
}

typedef struct short_acc {
    char *buf;
    size_t size, used, n;
} short_acc;

static void add_family(const char *spec, void *arg)
{
    short_acc *a = arg;
    char fam[64];
    rep_model_family(fam, sizeof fam, spec); /* "ETS, ..., DampedETS", not "ETS" twice */
    if (a->used < a->size)
        a->used += (size_t)civ_snprintf(a->buf + a->used, a->size - a->used, "%s%s", a->n++ ? ", " : "", fam);
}

void rep_short_model(char *buf, size_t size, const char *model)
{
    const char *open = strchr(model, '[');
    const char *paren = strchr(model, '(');
    if (open && open != model && (!paren || paren > open) && model[strlen(model) - 1] == ']') {
        char name[64];
        civ_snprintf(name, sizeof name, "%.*s", (int)(open - model), model);
        const char *shown = !strncmp(name, "Combo", 5) && name[5] ? name + 5 : name;
        int n = civ_snprintf(buf, size, "%s(", shown);
        short_acc a = {buf, size, n > 0 && (size_t)n < size ? (size_t)n : size, 0};
        rep_model_components(model, add_family, &a);
        if (a.used + 1 < size)
            strcat(buf, ")");
        return;
    }
    /* a single model: drop trailing words ("with non-zero mean") */
    const char *sp = strchr(model, ' ');
    civ_snprintf(buf, size, "%.*s", (int)(sp ? (size_t)(sp - model) : strlen(model)), model);
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
