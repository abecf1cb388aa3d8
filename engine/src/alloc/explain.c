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
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"

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
    int w = vsnprintf(e->buf + e->len, e->size - e->len, fmt, ap);
    va_end(ap);
    if (w > 0)
        e->len = e->len + (size_t)w < e->size ? e->len + (size_t)w : e->size - 1;
}

/* Money (minor units held in a double that is a whole number) as major text. */
static const char *money(const civ_alloc_spec *s, double v, char *buf, size_t size)
{
    return civ_alloc_format_major((int64_t)llround(v), s->minor_digits, buf, size);
}

/* The percentage change with 2 decimals and its sign ("+25.00%", "-3.10%"). */
static void put_change(ebuf *e, int64_t a, int64_t ly)
{
    double pct = round(10000.0 * (double)(a - ly) / (double)ly) / 100 + 0.0; /* no "-0.00" */
    put(e, "%s%.2f%%", pct >= 0 ? "+" : "", pct);
}

/* The head of a fund's clause: its name, amount and own history. */
static void fund_head(ebuf *e, const civ_alloc_problem *p, const civ_alloc_result *r, size_t u, size_t i, int zh)
{
    const civ_alloc_spec *s = p->spec;
    const civ_alloc_formula *fo = &s->formulas[p->units[u].formula];
    char m1[48], m2[48];
    int64_t a = civ_alloc_unit_year_minor(p, r, u, i), ly = p->unit_has_last[u] ? civ_alloc_unit_last_minor(p, u, i) : -1;
    civ_alloc_format_major(a, s->minor_digits, m1, sizeof m1);
    put(e, zh ? "%s %s元" : "%s %s", p->units[u].name, m1);
    if (p->paid) { /* reserve release: the year's amount = paid + this release */
        char m3[48];
        civ_alloc_format_major(p->paid[u * p->n + i], s->minor_digits, m2, sizeof m2);
        civ_alloc_format_major(r->unit_amount[u * p->n + i], s->minor_digits, m3, sizeof m3);
        put(e, zh ? "（已拨 %s元 + 追加 %s元）" : " (paid %s + released %s)", m2, m3);
    }
    if (ly > 0) {
        civ_alloc_format_major(ly, s->minor_digits, m2, sizeof m2);
        put(e, zh ? "（上年 %s元，" : " (last year %s, ", m2);
        put_change(e, a, ly);
        put(e, zh ? "）" : ")");
    } else if (ly == 0) {
        int rules = !isnan(fo->hold_harmless) || !isnan(fo->pace);
        if (zh)
            put(e, rules ? "（上年无此项资金，不适用保持上年与增幅上限）" : "（上年无此项资金）");
        else
            put(e, rules ? " (nothing last year: no hold-harmless or pace)" : " (nothing last year)");
    }
    put(e, zh ? "：" : ": ");
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
    char m1[48], m2[48];
    const double hh = 100 * fo->hold_harmless, q = 100 * fo->pace;
    if (b & CIV_BIND_RATABLE) {
        put(e, zh ? "保底按比例削减至 %.2f%%" : "floors ratably reduced to %.2f%%", 100 * r->ratable[u]);
        return;
    }
    if (b & CIV_BIND_HOLD_HARMLESS) {
        money(s, bd.last_year, m1, sizeof m1), money(s, bd.hold_harmless, m2, sizeof m2);
        if (zh)
            put(e, "%s上年 %s元的 %g%% = %s元", det & CIV_DETAIL_PACE_YIELDED ? "保持" : "按保持上年比例提高到", m1, hh,
                m2);
        else
            put(e, "%s hold-harmless %g%% of last year %s = %s",
                det & CIV_DETAIL_PACE_YIELDED ? "held at" : "raised to", hh, m1, m2);
    } else if (b & CIV_BIND_FLOOR) {
        money(s, bd.floor, m1, sizeof m1);
        if (det & CIV_DETAIL_PACE_YIELDED)
            put(e, zh ? "保底 %s元" : "held at the floor of %s", m1);
        else
            put(e, zh ? "提高到保底 %s元" : "raised to the floor of %s", m1);
    } else if (b & CIV_BIND_PACE) {
        money(s, bd.last_year, m1, sizeof m1), money(s, bd.pace, m2, sizeof m2);
        if (zh)
            put(e, "受增幅上限限制为比上年 %s元 +%g%% = %s元", m1, q, m2);
        else
            put(e, "limited by pace to +%g%% over last year %s = %s", q, m1, m2);
    } else if (b & CIV_BIND_CAP) {
        if (det & CIV_DETAIL_CAP_SHARE) {
            money(s, bd.cap_share, m1, sizeof m1);
            put(e, zh ? "降至封顶：本项资金的 %g%% = %s元" : "lowered to the cap of %g%% of the fund = %s",
                100 * fo->cap_share, m1);
        } else {
            money(s, bd.cap, m1, sizeof m1);
            put(e, zh ? "降至封顶 %s元" : "lowered to the cap of %s", m1);
        }
    } else {
        put(e, zh ? "按公式分配" : "by formula");
        return;
    }
    if (det & CIV_DETAIL_PACE_YIELDED) { /* the floor (or hold-harmless) outranked the pace limit */
        money(s, bd.last_year, m1, sizeof m1), money(s, bd.pace, m2, sizeof m2);
        if (zh)
            put(e, "（增幅上限 上年 %s元 +%g%% = %s元 低于此数，不适用）", m1, q, m2);
        else
            put(e, " (above the pace limit of +%g%% over last year %s = %s, which yields to it)", q, m1, m2);
    }
}

/* The factor shares of the (unrounded) amount, "population 31.2% + ...". */
static void factor_shares(ebuf *e, const civ_alloc_problem *p, const civ_alloc_result *r, size_t i, int zh)
{
    const civ_alloc_spec *s = p->spec;
    double tot = r->unrounded[i];
    int first = 1;
    if (zh)
        put(e, "构成：");
    for (size_t k = 0; k < s->n_factors; k++) {
        double v = civ_alloc_part(p, r, k, i);
        if (v == 0 || !(tot > 0))
            continue;
        put(e, "%s%s %.1f%%", first ? "" : " + ", s->factors[k].name, 100 * v / tot);
        first = 0;
    }
    if (r->unattributed[i] > 0)
        put(e, "%s%s", first ? "" : " + ", zh ? "无因素得分" : "no factor score");
    if (first && !(r->unattributed[i] > 0))
        put(e, zh ? "未获分配" : "not funded");
}

void civ_alloc_explain_row(const civ_alloc_problem *p, const civ_alloc_result *r, size_t i, const char *lang,
                           char *buf, size_t size)
{
    const civ_alloc_spec *s = p->spec;
    const int zh = lang && !strcmp(lang, "zh");
    const char *sep = zh ? "；" : "; ";
    size_t n = p->n;
    ebuf e = {buf, size, 0};
    if (!size)
        return;
    buf[0] = '\0';
    factor_shares(&e, p, r, i, zh);
    for (size_t u = 0; u < p->n_units; u++) {
        const civ_alloc_unit *un = &p->units[u];
        const civ_alloc_formula *fo = &s->formulas[un->formula];
        if (!un->eligible[i]) {
            if (s->pools[un->first_pool].eligible_attribute)
                put(&e, zh ? "%s不符合 %s 的条件" : "%snot eligible for %s", sep, un->name);
            continue;
        }
        if (fo->greater_of && r->unrounded[i] > 0)
            put(&e, zh ? "%s%s 中 '%s' 组得分更高" : "%sgroup '%s' of %s scored higher", sep,
                zh ? fo->name : fo->groups[r->winner[u * n + i]], zh ? fo->groups[r->winner[u * n + i]] : fo->name);
        uint32_t mask = p->tilt_mask[un->formula * n + i];
        for (size_t t = 0; t < s->n_tilts; t++)
            if (mask & ((uint32_t)1 << t))
                put(&e, zh ? "%s%s 倾斜 ×%g" : "%s%s tilt ×%g", sep, s->tilts[t].name, s->tilts[t].multiplier);
        put(&e, "%s", sep);
        fund_head(&e, p, r, u, i, zh);
        fund_decision(&e, p, r, u, i, zh);
    }
    int64_t ly = civ_alloc_total_last_minor(p, i), year = r->amount[i];
    for (size_t u = 0; p->paid && u < p->n_units; u++)
        year += p->paid[u * n + i];
    if (p->n_units > 1 && ly > 0) {
        char m1[48], m2[48];
        civ_alloc_format_major(year, s->minor_digits, m1, sizeof m1);
        civ_alloc_format_major(ly, s->minor_digits, m2, sizeof m2);
        put(&e, zh ? "%s合计 %s元（上年 %s元，" : "%stotal %s (last year %s, ", sep, m1, m2);
        put_change(&e, year, ly);
        put(&e, zh ? "）" : ")");
    }
}
