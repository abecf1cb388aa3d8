/*
 * explain.c -- alloc layer: the per-community explanation of an allocation,
 * in English or Chinese, generated from the bound that actually decided each
 * fund's amount (docs/ALLOCATION.md "Explanations").
 *
 * One sentence per community, clauses separated by "; " (English) or "；"
 * (Chinese):
 *   factor shares of the amount; the tilts applied; then per fund
 *   "<fund> <amount> (last year <ly>, <+x.xx%>): <what decided it>"
 *   and, with several funds and a last year for the total, the total's change.
 * What decided is read from the solve's binding bits and details (the pace
 * limit that yielded to a floor is reported as the floor, the cap_share as a
 * share of the fund) and every bound is quoted with the value the solve used
 * (civ_alloc_member_bounds), so an explanation never states a bound its
 * amount contradicts: tests/test_alloc_explain.c parses every clause and
 * checks it against the numbers.  Money is formatted from the integers.
 * The Chinese sentence sets the spec's and the data's names as Chinese is
 * typeset (gap(): civ_zh_space): "老龄化倾斜 ×1.2", "不符合流动人口服务的条件",
 * but "不符合 migrant 的条件", "常住人口 17.5%".
 *
 * The sentence is assembled from pieces without printf (a million-row
 * allocation writes a million of them): text is copied, numbers go through
 * numfmt.c, whose bytes are printf's ("%.1f", "%.2f", "%g"; printf itself
 * only where numfmt.c declines), and the buffer is cut at its size exactly
 * as snprintf would cut the whole sentence.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "c_locale.h"
#include "csv.h"
#include "text.h"

/* The name people read of a spec entry with name and label (factor, tilt, formula). */
#define LABEL(entry) ((entry)->label ? (entry)->label : (entry)->name)

typedef struct ebuf {
    char *buf;
    size_t size, len;
} ebuf;

static void put(ebuf *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(ebuf *e, const char *fmt, ...)
{
    if (e->len >= e->size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = civ_vsnprintf(e->buf + e->len, e->size - e->len, fmt, ap);
    va_end(ap);
    if (w > 0)
        e->len = e->len + (size_t)w < e->size ? e->len + (size_t)w : e->size - 1;
}

/* n bytes of s, as much as fits (the buffer stays terminated). */
static inline __attribute__((always_inline)) void app(ebuf *e, const char *s, size_t n)
{
    if (e->len + 1 >= e->size)
        return;
    size_t room = e->size - 1 - e->len;
    if (n > room)
        n = room;
    memcpy(e->buf + e->len, s, n);
    e->len += n;
    e->buf[e->len] = '\0';
}

/* A string, as "%s" prints it. */
static inline __attribute__((always_inline)) void app_s(ebuf *e, const char *s)
{
    if (!s)
        s = "(null)";
    app(e, s, strlen(s));
}

/* Where a name from the spec or the data meets the Chinese text around it, the space Chinese puts there
 * (civ_zh_space): one beside Latin letters and digits ("ETS 的", "老龄化 31.2%"), none between two Chinese
 * characters or next to a full-width mark ("不符合流动人口服务的条件", "老龄化倾斜 ×1.2"). */
static void gap(ebuf *e, const char *next)
{
    if (civ_zh_space(e->buf, e->len, next))
        app(e, " ", 1);
}

/* Whether a tilt's label already says "tilt": it ends in 倾斜 or in the word "tilt", any case, as labels people
 * write often do ("老龄化倾斜", "Aging tilt"); the word is then not added again, in either language (the budget walk
 * of 2026-12-06: "老龄化倾斜倾斜 ×1.2", and in English "老龄化倾斜 tilt ×1.2"). */
static int names_tilt(const char *label)
{
    size_t n = strlen(label), z = strlen("倾斜");
    if (n >= z && !strcmp(label + n - z, "倾斜"))
        return 1;
    if (n < 4 || (n > 4 && label[n - 5] != ' ' && label[n - 5] != '-' && label[n - 5] != '_'))
        return 0;
    for (size_t k = 0; k < 4; k++)
        if ((label[n - 4 + k] | 0x20) != "tilt"[k])
            return 0;
    return 1;
}

/* The space before a number: in Chinese by the rule of gap() (none after a full-width mark). */
static void gap_number(ebuf *e, int zh)
{
    if (zh)
        gap(e, "0");
    else
        app(e, " ", 1);
}

/* "%.<decimals>f" (decimals 1 or 2) */
static void app_fixed(ebuf *e, double v, int decimals)
{
    char t[CIV_CSV_NUMBER_SIZE];
    int n = civ_numfmt_fixed(v, decimals, t);
    if (n >= 0)
        app(e, t, (size_t)n);
    else
        put(e, "%.*f", decimals, v);
}

/* "%g" */
static void app_g(ebuf *e, double v)
{
    char t[CIV_CSV_NUMBER_SIZE];
    int n = civ_numfmt_g(v, 6, t);
    if (n >= 0)
        app(e, t, (size_t)n);
    else
        put(e, "%g", v);
}

/* Money in minor units as major text ("1234.05"). */
static void app_minor(ebuf *e, const civ_alloc_spec *s, int64_t v)
{
    char m[CIV_CSV_NUMBER_SIZE];
    int k = civ_numfmt_minor(v, civ_alloc_money_digits(s->minor_digits), m); /* civ_alloc_format_major's text */
    app(e, m, (size_t)k);
}

/* The Chinese unit after an amount: 元 for yuan; for another currency (a foreign-funded programme's
 * currency = "USD") its code, " USD" (元 after dollars read as yuan). */
static void app_unit(ebuf *e, const civ_alloc_spec *s)
{
    if (!s->currency || !strcmp(s->currency, "CNY")) {
        app_s(e, "元");
    } else {
        app(e, " ", 1);
        app_s(e, s->currency);
    }
}

/* Money (minor units held in a double that is a whole number) as major text. */
static void app_money(ebuf *e, const civ_alloc_spec *s, double v) { app_minor(e, s, (int64_t)llround(v)); }

/* The percentage change with 2 decimals and its sign ("+25.00%", "-3.10%"). */
static void put_change(ebuf *e, int64_t a, int64_t ly)
{
    double pct = round(10000.0 * (double)(a - ly) / (double)ly) / 100 + 0.0; /* no "-0.00" */
    if (pct >= 0)
        app(e, "+", 1);
    app_fixed(e, pct, 2);
    app(e, "%", 1);
}

/* The head of a fund's clause: its name, amount and own history. */
static void fund_head(ebuf *e, const civ_alloc_problem *p, const civ_alloc_result *r, size_t u, size_t i, int zh)
{
    const civ_alloc_spec *s = p->spec;
    const civ_alloc_formula *fo = &s->formulas[p->units[u].formula];
    int64_t a = civ_alloc_unit_year_minor(p, r, u, i), ly = p->unit_has_last[u] ? civ_alloc_unit_last_minor(p, u, i) : -1;
    app_s(e, p->units[u].label); /* "<fund> <amount>[元]" */
    gap_number(e, zh);
    app_minor(e, s, a);
    if (zh)
        app_unit(e, s);
    if (p->paid) { /* reserve release: the year's amount = paid + this release */
        app_s(e, zh ? "（已拨 " : " (paid ");
        app_minor(e, s, p->paid[u * p->n + i]);
        if (zh)
            app_unit(e, s);
        app_s(e, zh ? " + 追加 " : " + released ");
        app_minor(e, s, r->unit_amount[u * p->n + i]);
        if (zh)
            app_unit(e, s);
        app_s(e, zh ? "）" : ")");
    }
    if (ly > 0) {
        app_s(e, zh ? "（上年 " : " (last year ");
        app_minor(e, s, ly);
        if (zh)
            app_unit(e, s);
        app_s(e, zh ? "，" : ", ");
        put_change(e, a, ly);
        app_s(e, zh ? "）" : ")");
    } else if (ly == 0) {
        int rules = !isnan(fo->hold_harmless) || !isnan(fo->pace);
        if (zh)
            app_s(e, rules ? "（上年无此项资金，不适用“不低于上年”与增幅上限）" : "（上年无此项资金）");
        else
            app_s(e, rules ? " (nothing last year: no hold-harmless or pace)" : " (nothing last year)");
    }
    app_s(e, zh ? "：" : ": ");
}

/* The pace limit's terms, shared by the sentence where it decided the amount
 * and the one where a floor outranked it: "+<q>% over last year <ly> = <pace>"
 * (zh: "上年 <ly>元 +<q>% = <pace>元"). */
static void app_pace_terms(ebuf *e, const civ_alloc_spec *s, const civ_alloc_bounds *bd, double q, int zh)
{
    if (zh) {
        app_s(e, "上年 ");
        app_money(e, s, bd->last_year);
        app_unit(e, s);
        app_s(e, " +");
        app_g(e, q);
        app_s(e, "% = ");
        app_money(e, s, bd->pace);
        app_unit(e, s);
    } else {
        app_s(e, "+");
        app_g(e, q);
        app_s(e, "% over last year ");
        app_money(e, s, bd->last_year);
        app_s(e, " = ");
        app_money(e, s, bd->pace);
    }
}

/* Hold-harmless decided the amount: "<held at|raised to> hold-harmless <hh>% of
 * last year <ly> = <amount>" (zh: "因不低于上年的 <hh>%，<保持在|提高到> <amount>元（上年 <ly>元 × <hh>%）"). */
static void app_hold_harmless(ebuf *e, const civ_alloc_spec *s, const civ_alloc_bounds *bd, double hh, int yielded,
                              int zh)
{
    if (zh) {
        app_s(e, "因不低于上年的 ");
        app_g(e, hh);
        app_s(e, yielded ? "%，保持在 " : "%，提高到 ");
        app_money(e, s, bd->hold_harmless);
        app_unit(e, s);
        app_s(e, "（上年 ");
        app_money(e, s, bd->last_year);
        app_unit(e, s);
        app_s(e, " × ");
        app_g(e, hh);
        app_s(e, "%）");
    } else {
        app_s(e, yielded ? "held at" : "raised to");
        app_s(e, " hold-harmless ");
        app_g(e, hh);
        app_s(e, "% of last year ");
        app_money(e, s, bd->last_year);
        app_s(e, " = ");
        app_money(e, s, bd->hold_harmless);
    }
}

/* A cap lowered the amount: "lowered to the cap of <cap>", or of "<c>% of the fund = <cap>". */
static void app_cap(ebuf *e, const civ_alloc_spec *s, const civ_alloc_formula *fo, const civ_alloc_bounds *bd,
                    unsigned char det, int zh)
{
    if (det & CIV_DETAIL_CAP_SHARE) {
        app_s(e, zh ? "降至封顶：本项资金的 " : "lowered to the cap of ");
        app_g(e, 100 * fo->cap_share);
        app_s(e, zh ? "% = " : "% of the fund = ");
        app_money(e, s, bd->cap_share);
    } else {
        app_s(e, zh ? "降至封顶 " : "lowered to the cap of ");
        app_money(e, s, bd->cap);
    }
    if (zh)
        app_unit(e, s);
}

/* What decided fund u's amount for community i. */
static void fund_decision(ebuf *e, const civ_alloc_problem *p, const civ_alloc_result *r, size_t u, size_t i, int zh)
{
    const civ_alloc_spec *s = p->spec;
    const civ_alloc_formula *fo = &s->formulas[p->units[u].formula];
    size_t n = p->n;
    unsigned char b = r->binding[u * n + i], det = r->detail[u * n + i];
    civ_alloc_bounds bd;
    civ_alloc_member_bounds(p, u, i, &bd);
    const double hh = 100 * fo->hold_harmless, q = 100 * fo->pace;
    const int yielded = det & CIV_DETAIL_PACE_YIELDED;
    if (b & CIV_BIND_RATABLE) {
        app_s(e, zh ? "保底按比例削减至 " : "floors ratably reduced to ");
        app_fixed(e, 100 * r->ratable[u], 2);
        app(e, "%", 1);
        return;
    }
    if (b & CIV_BIND_HOLD_HARMLESS) {
        app_hold_harmless(e, s, &bd, hh, yielded, zh);
    } else if (b & CIV_BIND_FLOOR) {
        if (zh)
            app_s(e, yielded ? "保持在保底 " : "提高到保底 ");
        else
            app_s(e, yielded ? "held at the floor of " : "raised to the floor of ");
        app_money(e, s, bd.floor);
        if (zh)
            app_unit(e, s);
    } else if ((b & CIV_BIND_PACE) && p->paid && (double)p->paid[u * n + i] > bd.pace) {
        /* a release: what was paid is already above the pace limit, and nothing paid is taken back */
        app_s(e, zh ? "已拨金额已超过增幅上限（" : "paid already above the pace limit of ");
        app_pace_terms(e, s, &bd, q, zh);
        app_s(e, zh ? "），不再追加，已拨部分不收回" : ": nothing released, and nothing paid is taken back");
        return;
    } else if (b & CIV_BIND_PACE) {
        /* "limited by pace to +<q>% over last year <ly> = <pace>" (zh: "受增幅上限限制，为上年 <ly>元 +<q>% = <pace>元") */
        app_s(e, zh ? "受增幅上限限制，为" : "limited by pace to ");
        app_pace_terms(e, s, &bd, q, zh);
    } else if ((b & CIV_BIND_CAP) && p->paid &&
               (double)p->paid[u * n + i] > ((det & CIV_DETAIL_CAP_SHARE) ? bd.cap_share : bd.cap)) {
        app_s(e, zh ? "已拨金额已超过封顶 " : "paid already above the cap of ");
        app_money(e, s, (det & CIV_DETAIL_CAP_SHARE) ? bd.cap_share : bd.cap);
        if (zh)
            app_unit(e, s);
        app_s(e, zh ? "，不再追加，已拨部分不收回" : ": nothing released, and nothing paid is taken back");
        return;
    } else if (b & CIV_BIND_CAP) {
        app_cap(e, s, fo, &bd, det, zh);
    } else {
        app_s(e, zh ? "按公式分配" : "by formula");
        return;
    }
    if (yielded) { /* the floor (or hold-harmless) outranked the pace limit */
        /* " (above the pace limit of +<q>% over last year <ly> = <pace>, which yields to it)"
         * (zh: "（增幅上限为上年 <ly>元 +<q>% = <pace>元，低于此数，不适用）") */
        app_s(e, zh ? "（增幅上限为" : " (above the pace limit of ");
        app_pace_terms(e, s, &bd, q, zh);
        app_s(e, zh ? "，低于此数，不适用）" : ", which yields to it)");
    }
}

/* The factor shares of the (unrounded) amount, "population 31.2% + ...". */
static void factor_shares(ebuf *e, const civ_alloc_problem *p, const civ_alloc_result *r, size_t i, int zh,
                          const double *parts)
{
    const civ_alloc_spec *s = p->spec;
    double tot = r->unrounded[i];
    int first = 1;
    if (zh)
        app_s(e, "构成：");
    for (size_t k = 0; k < s->n_factors; k++) {
        double v = parts ? parts[k] : civ_alloc_part(p, r, k, i);
        if (v == 0 || !(tot > 0))
            continue;
        if (!first)
            app_s(e, " + ");
        app_s(e, LABEL(&s->factors[k])); /* "<factor> <x.x>%" */
        gap_number(e, zh);
        app_fixed(e, 100 * v / tot, 1);
        app(e, "%", 1);
        first = 0;
    }
    if (r->unattributed[i] > 0) {
        if (!first)
            app_s(e, " + ");
        app_s(e, zh ? "无因素得分" : "no factor score");
    }
    if (first && !(r->unattributed[i] > 0)) {
        /* a release that gives nothing to a community funded before: "not funded" said it got no money at all;
         * why it gets nothing more (a bound its paid amount already reaches) is its fund's clause */
        int was_paid = 0;
        for (size_t u = 0; p->paid && u < p->n_units; u++)
            was_paid |= p->paid[u * p->n + i] > 0;
        if (was_paid)
            app_s(e, zh ? "本次未获追加" : "nothing from this release");
        else
            app_s(e, zh ? "未获分配" : "not funded");
    }
    for (size_t k = 0; p->no_forecast && k < s->n_factors; k++)
        if (p->no_forecast[k * p->n + i]) { /* if_missing = "zero": say it, inside this clause */
            app_s(e, zh ? "（" : " (");
            app_s(e, LABEL(&s->factors[k]));
            app_s(e, zh ? "：无预测，按 0 计）" : ": no forecast, counted as 0)");
        }
    if (p->pred && p->pred[i][0]) { /* [data] predecessors: whose last year it carries */
        app_s(e, zh ? "（上年金额来自" : " (last year's amounts from ");
        if (zh)
            gap(e, p->pred[i]);
        app_s(e, p->pred[i]);
        app_s(e, zh ? "）" : ")");
    }
}

void civ_alloc_explain_row(const civ_alloc_problem *p, const civ_alloc_result *r, size_t i, const char *lang,
                           char *buf, size_t size)
{
    civ_alloc_explain_row_parts(p, r, i, lang && !strcmp(lang, "zh"), NULL, buf, size);
}

size_t civ_alloc_explain_row_parts(const civ_alloc_problem *p, const civ_alloc_result *r, size_t i, int zh,
                                   const double *parts, char *buf, size_t size)
{
    const civ_alloc_spec *s = p->spec;
    const char *sep = zh ? "；" : "; ";
    size_t n = p->n;
    ebuf e = {buf, size, 0};
    if (!size)
        return 0;
    buf[0] = '\0';
    factor_shares(&e, p, r, i, zh, parts);
    for (size_t u = 0; u < p->n_units; u++) {
        const civ_alloc_unit *un = &p->units[u];
        const civ_alloc_formula *fo = &s->formulas[un->formula];
        if (!un->eligible[i]) {
            if (s->pools[un->first_pool].eligible_attribute) { /* "not eligible for <fund>" */
                app_s(&e, sep);
                app_s(&e, zh ? "不符合" : "not eligible for ");
                if (zh)
                    gap(&e, un->label);
                app_s(&e, un->label);
                if (zh) {
                    gap(&e, "的");
                    app_s(&e, "的条件");
                }
            }
            continue;
        }
        if (fo->greater_of && r->unrounded[i] > 0) { /* "group '<g>' of <formula> scored higher" */
            const char *g = fo->groups[r->winner[u * n + i]];
            app_s(&e, sep);
            if (zh) { /* "<formula>中“<g>”组得分更高" */
                app_s(&e, LABEL(fo));
                gap(&e, "中");
                app_s(&e, "中“");
                app_s(&e, g);
                app_s(&e, "”组得分更高");
            } else {
                app_s(&e, "group '");
                app_s(&e, g);
                app_s(&e, "' of ");
                app_s(&e, LABEL(fo));
                app_s(&e, " scored higher");
            }
        }
        uint32_t mask = p->tilt_mask[un->formula * n + i];
        for (size_t t = 0; t < s->n_tilts; t++)
            if (mask & ((uint32_t)1 << t)) { /* "<tilt> tilt ×<m>" (zh: "<tilt>倾斜 ×<m>", "ETS 倾斜 ×<m>") */
                const char *label = LABEL(&s->tilts[t]);
                app_s(&e, sep);
                app_s(&e, label);
                if (names_tilt(label)) /* label = "老龄化倾斜": "老龄化倾斜 ×1.2", not "老龄化倾斜倾斜 ×1.2" */
                    app_s(&e, " ×");
                else {
                    if (zh)
                        gap(&e, "倾");
                    app_s(&e, zh ? "倾斜 ×" : " tilt ×");
                }
                app_g(&e, s->tilts[t].multiplier);
            }
        app_s(&e, sep);
        fund_head(&e, p, r, u, i, zh);
        fund_decision(&e, p, r, u, i, zh);
    }
    int64_t ly = civ_alloc_total_last_minor(p, i), year = r->amount[i];
    for (size_t u = 0; p->paid && u < p->n_units; u++)
        year += p->paid[u * n + i];
    if (p->n_units > 1 && ly > 0) {
        app_s(&e, sep); /* "total <year> (last year <ly>, <+x.xx%>)" */
        app_s(&e, zh ? "合计 " : "total ");
        app_minor(&e, s, year);
        if (zh)
            app_unit(&e, s);
        app_s(&e, zh ? "（上年 " : " (last year ");
        app_minor(&e, s, ly);
        if (zh)
            app_unit(&e, s);
        app_s(&e, zh ? "，" : ", ");
        put_change(&e, year, ly);
        app_s(&e, zh ? "）" : ")");
    }
    return e.len;
}
