/*
 * test_alloc_explain.c -- the explanations never contradict the numbers
 * (engine/src/alloc/explain.c; issue 16 item 4).
 *
 * An independent checker parses every clause of every explanation, in
 * English and in Chinese, and checks it against the allocation table and the
 * rules: each fund's stated amount and last year equal its columns, the
 * stated change equals the amounts' change, each stated bound equals the
 * rule recomputed here in exact integers (floor; hold-harmless ceil(p x
 * last); pace floor((1+q) x last); cap; cap_share floor(s x fund)), the
 * amount equals the bound that is said to have decided it, a floor said to
 * outrank the pace limit is above it, a ratable reduction matches its ratio,
 * and an amount said to be "by formula" keeps every bound.  Run on the demo
 * city (datasets/demo_city, both funds with their own history) and on 400
 * random specs built to make every kind of clause occur (each kind must be
 * seen, so the checker cannot pass by checking nothing).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "civicast.h"

/* A fund's rules as decimals num/den (den 0 = rule not set), money in fen. */
typedef struct rules {
    const char *fund;
    int64_t floor, cap; /* -1 = none */
    int64_t cs_num, cs_den, hh_num, hh_den, pace_num, pace_den;
} rules;

enum { K_FORMULA, K_FLOOR, K_HH, K_PACE, K_CAP, K_CAP_SHARE, K_YIELDED, K_RATABLE, K_NEW, K_TOTAL, K_RELEASE,
       K_COUNT };
static const char *const kind_names[K_COUNT] = {"formula", "floor", "hold-harmless", "pace", "cap", "cap_share",
                                                "floor over pace", "ratable", "new to the fund", "total",
                                                "reserve release"};

typedef struct check_ctx {
    const civ_table *t;
    const rules *rl;
    size_t n_funds;
    int zh, release;
    int64_t cur_paid; /* the clause's fund: already paid (release) */
    size_t row;
    size_t seen[K_COUNT];
} check_ctx;

/* "123.45" (exactly two decimals, optional sign) at *pp into fen; advances. */
static int64_t parse_money(const char **pp)
{
    const char *p = *pp;
    int neg = *p == '-';
    p += neg;
    int64_t v = 0;
    int digits = 0, dot = 0;
    while ((*p >= '0' && *p <= '9') || (*p == '.' && !dot)) {
        if (*p == '.')
            dot = 1;
        else
            v = v * 10 + (*p - '0'), digits += dot;
        p++;
    }
    if (!dot || digits != 2)
        fail_msg("money '%s' does not have two decimals", *pp);
    *pp = p;
    return neg ? -v : v;
}

static double num_col(const check_ctx *c, const char *fmt, const char *fund)
{
    char name[200];
    size_t col;
    snprintf(name, sizeof name, fmt, fund);
    if (civ_table_find_column(c->t, name, &col))
        fail_msg("no column %s", name);
    return civ_table_number(c->t, c->row, col);
}

static int64_t ceil_div(int64_t a, int64_t b) { return (int64_t)(((__int128)a + b - 1) / b); }

/* Expects `lit` at *pp and skips it. */
static void expect(const char **pp, const char *lit)
{
    size_t L = strlen(lit);
    if (strncmp(*pp, lit, L))
        fail_msg("expected '%s' at '%s'", lit, *pp);
    *pp += L;
}

/* A percentage written with %g ("20", "0.5") equal to 100 num/den. */
static void expect_pct(const char **pp, int64_t num, int64_t den)
{
    char *end;
    double v = strtod(*pp, &end);
    if (end == *pp || fabs(v - 100.0 * (double)num / (double)den) > 1e-9)
        fail_msg("percentage at '%s' is not %g", *pp, 100.0 * (double)num / (double)den);
    *pp = end;
}

/* The exact bounds of the fund for last year ly and fund total P. */
typedef struct bounds {
    int64_t lo, hi, hh, pace, cs; /* -1 = none */
} bounds;
static bounds bounds_of(const rules *r, int64_t ly, int64_t P)
{
    bounds b = {r->floor > 0 ? r->floor : 0, INT64_MAX, -1, -1, -1};
    if (r->hh_den && ly > 0)
        b.hh = ceil_div(r->hh_num * ly, r->hh_den);
    if (r->pace_den && ly > 0)
        b.pace = (int64_t)((__int128)(r->pace_den + r->pace_num) * ly / r->pace_den);
    if (r->cs_den)
        b.cs = (int64_t)((__int128)r->cs_num * P / r->cs_den);
    if (b.hh > b.lo)
        b.lo = b.hh;
    if (r->cap >= 0 && r->cap < b.hi)
        b.hi = r->cap;
    if (b.cs >= 0 && b.cs < b.hi)
        b.hi = b.cs;
    if (b.pace >= 0 && (b.pace >= b.lo ? b.pace : b.lo) < b.hi)
        b.hi = b.pace >= b.lo ? b.pace : b.lo;
    return b;
}

/* "L元 +Q% = V元" / "last year L = V" parts of the pace phrases. */
static void check_pace_text(const char **pp, const check_ctx *c, const rules *r, int64_t ly, const bounds *b)
{
    if (c->zh) {
        assert_int_equal(parse_money(pp), ly);
        expect(pp, "元 +");
        expect_pct(pp, r->pace_num, r->pace_den);
        expect(pp, "% = ");
    } else {
        expect(pp, "+");
        expect_pct(pp, r->pace_num, r->pace_den);
        expect(pp, "% over last year ");
        assert_int_equal(parse_money(pp), ly);
        expect(pp, " = ");
    }
    assert_int_equal(parse_money(pp), b->pace);
    if (c->zh)
        expect(pp, "元");
}

/* Hold-harmless "H% of last year L = V" / "H%，提高到 V元（上年 L元 × H%）" (or 保持在). */
static void check_hh_text(const char **pp, const check_ctx *c, const rules *r, int64_t ly, const bounds *b, int64_t a)
{
    int64_t v;
    if (c->zh) {
        expect_pct(pp, r->hh_num, r->hh_den);
        expect(pp, strncmp(*pp, "%，保持在 ", strlen("%，保持在 ")) ? "%，提高到 " : "%，保持在 ");
        v = parse_money(pp);
        expect(pp, "元（上年 ");
        assert_int_equal(parse_money(pp), ly);
        expect(pp, "元 × ");
        expect_pct(pp, r->hh_num, r->hh_den);
        expect(pp, "%）");
    } else {
        expect_pct(pp, r->hh_num, r->hh_den);
        expect(pp, "% of last year ");
        assert_int_equal(parse_money(pp), ly);
        expect(pp, " = ");
        v = parse_money(pp);
    }
    assert_int_equal(v, b->hh);
    assert_int_equal(a, v);
    assert_true(v >= (r->floor > 0 ? r->floor : 0) && v <= b->hi);
}

/* The suffix of a lower bound that outranked the pace limit. */
static void check_yielded(const char **pp, check_ctx *c, const rules *r, int64_t ly, const bounds *b, int64_t a)
{
    if (!**pp)
        return;
    expect(pp, c->zh ? "（增幅上限为上年 " : " (above the pace limit of ");
    check_pace_text(pp, c, r, ly, b);
    expect(pp, c->zh ? "，低于此数，不适用）" : ", which yields to it)");
    assert_true(b->pace < a);
    c->seen[K_YIELDED]++;
}

/* What decided the amount a of the fund. */
static void check_decision(const char *p, check_ctx *c, const rules *r, int64_t a, int64_t ly, int64_t P)
{
    bounds b = bounds_of(r, ly, P);
    const int zh = c->zh;
    if (!strcmp(p, zh ? "按公式分配" : "by formula")) {
        assert_true(a >= b.lo && a <= b.hi);
        c->seen[K_FORMULA]++;
    } else if (!strncmp(p, zh ? "提高到保底 " : "raised to the floor of ", strlen(zh ? "提高到保底 " : "raised to the floor of ")) ||
               !strncmp(p, zh ? "保持在保底 " : "held at the floor of ",
                        strlen(zh ? "保持在保底 " : "held at the floor of "))) {
        int held = !strncmp(p, zh ? "保持在保底 " : "held at the floor of ",
                            strlen(zh ? "保持在保底 " : "held at the floor of "));
        p += strlen(held ? (zh ? "保持在保底 " : "held at the floor of ") : (zh ? "提高到保底 " : "raised to the floor of "));
        int64_t v = parse_money(&p);
        if (zh)
            expect(&p, "元");
        assert_int_equal(v, r->floor);
        assert_int_equal(a, v);
        assert_true(b.lo == v && a <= b.hi);
        if (held)
            assert_true(*p);
        check_yielded(&p, c, r, ly, &b, a);
        c->seen[K_FLOOR]++;
    } else if ((zh && !strncmp(p, "因不低于上年的 ", strlen("因不低于上年的 "))) ||
               (!zh && (!strncmp(p, "raised to hold-harmless ", strlen("raised to hold-harmless ")) ||
                        !strncmp(p, "held at hold-harmless ", strlen("held at hold-harmless "))))) {
        p = zh ? p + strlen("因不低于上年的 ") : strstr(p, "hold-harmless ") + strlen("hold-harmless ");
        check_hh_text(&p, c, r, ly, &b, a);
        check_yielded(&p, c, r, ly, &b, a);
        c->seen[K_HH]++;
    } else if (!strncmp(p, zh ? "受增幅上限限制，为上年 " : "limited by pace to ",
                        strlen(zh ? "受增幅上限限制，为上年 " : "limited by pace to "))) {
        p += strlen(zh ? "受增幅上限限制，为上年 " : "limited by pace to ");
        check_pace_text(&p, c, r, ly, &b);
        assert_int_equal(*p, '\0');
        assert_int_equal(a, b.pace);
        assert_true(a >= b.lo && a <= b.hi);
        /* issue 16: never "limited by pace to +q%" beside a larger change */
        assert_true((__int128)a * r->pace_den <= (__int128)ly * (r->pace_den + r->pace_num));
        c->seen[K_PACE]++;
    } else if (!strncmp(p, zh ? "降至封顶：本项资金的 " : "lowered to the cap of ",
                        strlen(zh ? "降至封顶：本项资金的 " : "lowered to the cap of ")) &&
               (zh || strstr(p, "% of the fund = "))) {
        p += strlen(zh ? "降至封顶：本项资金的 " : "lowered to the cap of ");
        expect_pct(&p, r->cs_num, r->cs_den);
        expect(&p, zh ? "% = " : "% of the fund = ");
        int64_t v = parse_money(&p);
        assert_int_equal(v, b.cs);
        assert_int_equal(a, v);
        assert_true(a >= b.lo && a <= b.hi);
        c->seen[K_CAP_SHARE]++;
    } else if (!strncmp(p, zh ? "降至封顶 " : "lowered to the cap of ", strlen(zh ? "降至封顶 " : "lowered to the cap of "))) {
        p += strlen(zh ? "降至封顶 " : "lowered to the cap of ");
        int64_t v = parse_money(&p);
        assert_int_equal(v, r->cap);
        assert_int_equal(a, v);
        assert_true(a >= b.lo && a <= b.hi);
        c->seen[K_CAP]++;
    } else if (!strncmp(p, zh ? "保底按比例削减至 " : "floors ratably reduced to ",
                        strlen(zh ? "保底按比例削减至 " : "floors ratably reduced to "))) {
        p += strlen(zh ? "保底按比例削减至 " : "floors ratably reduced to ");
        double ratio = strtod(p, NULL) / 100;
        assert_true(ratio > 0 && ratio < 1);
        /* ratio x the lower bound, or after a release ratio x what the bound still asked beyond the paid */
        int64_t d = c->cur_paid, need = b.lo > d ? b.lo - d : 0;
        assert_true(a <= (b.lo > d ? b.lo : d));
        assert_true(fabs((double)(a - d) - ratio * (double)need) <= 1 + 5e-5 * (double)need);
        c->seen[K_RATABLE]++;
    } else {
        fail_msg("row %zu: unknown decision '%s'", c->row, p);
    }
}

static const rules *find_rules(const check_ctx *c, const char *name, size_t len)
{
    for (size_t f = 0; f < c->n_funds; f++)
        if (strlen(c->rl[f].fund) == len && !strncmp(c->rl[f].fund, name, len))
            return &c->rl[f];
    return NULL;
}

/* "(last year L, +x.xx%)" / "（上年 L元，+x.xx%）" or the "nothing last year" note; returns last year. */
static int64_t check_history(const char **pp, check_ctx *c, int64_t a, int64_t ly_col)
{
    const char *p = *pp;
    int64_t ly = -1;
    if (!strncmp(p, c->zh ? "（上年无此项资金" : " (nothing last year", strlen(c->zh ? "（上年无此项资金" : " (nothing last year"))) {
        const char *close = strstr(p, c->zh ? "）" : ")");
        assert_non_null(close);
        *pp = close + strlen(c->zh ? "）" : ")");
        assert_int_equal(ly_col, 0);
        c->seen[K_NEW]++;
        return 0;
    }
    if (!strncmp(p, c->zh ? "（上年 " : " (last year ", strlen(c->zh ? "（上年 " : " (last year "))) {
        p += strlen(c->zh ? "（上年 " : " (last year ");
        ly = parse_money(&p);
        expect(&p, c->zh ? "元，" : ", ");
        char *end;
        double pct = strtod(p, &end);
        assert_true(end > p && (*p == '+' || *p == '-'));
        p = end;
        expect(&p, c->zh ? "%）" : "%)");
        assert_int_equal(ly, ly_col);
        assert_true(ly > 0);
        assert_true(fabs(pct - round(10000.0 * (double)(a - ly) / (double)ly) / 100) < 1e-9);
    }
    *pp = p;
    return ly;
}

/* One clause "<name> <amount>[history]: <decision>" of a fund or the total. */
static void check_fund_clause(const char *cl, check_ctx *c, int *done)
{
    const char *sp = strchr(cl, ' ');
    assert_non_null(sp);
    const int zh = c->zh;
    int total = (size_t)(sp - cl) == strlen(zh ? "合计" : "total") && !strncmp(cl, zh ? "合计" : "total", (size_t)(sp - cl));
    const rules *r = total ? NULL : find_rules(c, cl, (size_t)(sp - cl));
    if (!total && !r)
        fail_msg("row %zu: clause '%s' names no fund", c->row, cl);
    const char *p = sp + 1;
    int64_t a = parse_money(&p);
    if (zh)
        expect(&p, "元");
    int64_t paid = 0;
    if (!total && !strncmp(p, zh ? "（已拨 " : " (paid ", strlen(zh ? "（已拨 " : " (paid "))) {
        /* a reserve release: the year's amount = what was paid + the release */
        p += strlen(zh ? "（已拨 " : " (paid ");
        paid = parse_money(&p);
        expect(&p, zh ? "元 + 追加 " : " + released ");
        int64_t rel = parse_money(&p);
        expect(&p, zh ? "元）" : ")");
        assert_int_equal(paid, (int64_t)num_col(c, "paid_%s_fen", r->fund));
        assert_int_equal(rel, (int64_t)num_col(c, "pool_%s_fen", r->fund));
        assert_int_equal(a, paid + rel);
        c->seen[K_RELEASE]++;
    }
    if (total) {
        assert_int_equal(a, (int64_t)num_col(c, c->release ? "total_fen%s" : "amount_fen%s", ""));
        int64_t ly = check_history(&p, c, a, (int64_t)num_col(c, "last_year_fen%s", ""));
        assert_true(ly > 0 && *p == '\0');
        c->seen[K_TOTAL]++;
        return;
    }
    assert_int_equal(a - paid, (int64_t)num_col(c, "pool_%s_fen", r->fund));
    double lyc = num_col(c, "last_year_%s_fen", r->fund);
    int64_t ly = check_history(&p, c, a, isnan(lyc) ? -1 : (int64_t)lyc);
    if (ly < 0)
        ly = 0;
    else
        assert_int_equal((int64_t)num_col(c, "change_%s_fen", r->fund), a - ly);
    expect(&p, zh ? "：" : ": ");
    size_t col;
    char name[200];
    snprintf(name, sizeof name, "pool_%s_fen", r->fund);
    assert_int_equal(civ_table_find_column(c->t, name, &col), CIV_OK);
    int64_t P = 0; /* the year's fund: released plus paid */
    size_t pcol;
    snprintf(name, sizeof name, "paid_%s_fen", r->fund);
    int has_paid = civ_table_find_column(c->t, name, &pcol) == CIV_OK;
    for (size_t i = 0; i < civ_table_n_rows(c->t); i++)
        P += (int64_t)civ_table_number(c->t, i, col) + (has_paid ? (int64_t)civ_table_number(c->t, i, pcol) : 0);
    c->cur_paid = paid;
    check_decision(p, c, r, a, ly, P);
    done[r - c->rl] = 1;
}

/* The code point at *p (UTF-8), *p moved past it. */
static unsigned next_cp(const unsigned char **p)
{
    const unsigned char *s = *p;
    if (s[0] < 0x80)
        return *p += 1, s[0];
    if ((s[0] & 0xE0) == 0xC0)
        return *p += 2, ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu);
    if ((s[0] & 0xF0) == 0xE0)
        return *p += 3, ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
    return *p += 4, 0x10000;
}

/* Chinese typeset as Chinese: no ASCII space between two Chinese characters ("老龄化 倾斜", "不符合 流动人口服务
 * 的条件" before 2026-12-06) nor beside a full-width mark; NULL when so, else where it is not. */
static const char *zh_spacing_fault(const char *text)
{
    static const unsigned marks[] = {0xFF08, 0xFF09, 0xFF1A, 0xFF1B, 0xFF0C, 0x3002, 0x3001, 0x201C, 0x201D};
    const unsigned char *p = (const unsigned char *)text;
    unsigned prev = 0;
    while (*p) {
        const unsigned char *at = p;
        unsigned cp = next_cp(&p);
        if (cp == ' ' && *p) {
            const unsigned char *q = p;
            unsigned next = next_cp(&q);
            int han = prev >= 0x4E00 && prev <= 0x9FFF && next >= 0x4E00 && next <= 0x9FFF, mark = 0;
            for (size_t k = 0; k < sizeof marks / sizeof *marks; k++)
                mark |= prev == marks[k] || next == marks[k];
            if (han || mark)
                return (const char *)at;
        }
        prev = cp;
    }
    return NULL;
}

/* Every explanation of the table. */
static void check_table(check_ctx *c)
{
    size_t ex;
    assert_int_equal(civ_table_find_column(c->t, "explanation", &ex), CIV_OK);
    const char *sep = c->zh ? "；" : "; ";
    for (c->row = 0; c->row < civ_table_n_rows(c->t); c->row++) {
        char buf[8192];
        snprintf(buf, sizeof buf, "%s", civ_table_text(c->t, c->row, ex));
        const char *fault = c->zh ? zh_spacing_fault(buf) : NULL;
        if (fault)
            fail_msg("row %zu: a space Chinese does not put at '%.24s': %s", c->row,
                     fault > buf + 12 ? fault - 12 : buf, buf);
        int done[8] = {0};
        char *cl = buf, *next;
        int first = 1;
        for (; cl; cl = next) {
            next = strstr(cl, sep);
            if (next)
                *next = '\0', next += strlen(sep);
            if (first) { /* the factor shares */
                first = 0;
                continue;
            }
            const char *ne = c->zh ? "不符合" : "not eligible for ";
            if (!strncmp(cl, ne, strlen(ne))) {
                const char *nm = cl + strlen(ne);
                nm += c->zh && *nm == ' '; /* "不符合 ETS 的条件": the space beside Latin letters stays */
                size_t L = c->zh ? (size_t)(strstr(nm, "的条件") - nm) : strlen(nm);
                L -= c->zh && L && nm[L - 1] == ' ';
                const rules *r = find_rules(c, nm, L);
                assert_non_null(r);
                assert_int_equal((int64_t)num_col(c, "pool_%s_fen", r->fund), 0);
                done[r - c->rl] = 1;
            } else if (!strstr(cl, c->zh ? "倾斜 ×" : " tilt ×")) {
                check_fund_clause(cl, c, done);
            }
        }
        for (size_t f = 0; f < c->n_funds; f++)
            if (!done[f])
                fail_msg("row %zu: no clause for fund %s: %s", c->row, c->rl[f].fund, civ_table_text(c->t, c->row, ex));
    }
}

static civ_table *solve_paid(const civ_alloc_spec *spec, const civ_table *comm, const civ_table *paid, int explain,
                             civ_status *st)
{
    civ_alloc_problem *p = NULL;
    civ_alloc_result *r = NULL;
    civ_table *t = NULL;
    *st = civ_alloc_bind(spec, comm, NULL, &p);
    if (!*st && paid)
        *st = civ_alloc_problem_set_paid(p, paid);
    if (!*st)
        *st = civ_alloc_result_create(p, &r);
    if (!*st)
        *st = civ_alloc_solve(p, r);
    if (!*st)
        *st = civ_alloc_result_table(p, r, explain, &t);
    civ_alloc_result_free(r);
    civ_alloc_problem_free(p);
    return t;
}

static civ_table *solve_table(const civ_alloc_spec *spec, const civ_table *comm, int explain, civ_status *st)
{
    return solve_paid(spec, comm, NULL, explain, st);
}

/* A paid table from a solved allocation: 30% of each fund's amount, rounded
 * down, as if paid before a release of the same funds. */
static civ_table *paid_from(const civ_table *t, size_t funds, const rules *rl)
{
    civ_table *d = NULL;
    size_t id, c[2], ic, n = civ_table_n_rows(t);
    assert_int_equal(civ_table_create(&d), CIV_OK);
    assert_int_equal(civ_table_add_column(d, "unique_id", CIV_COLUMN_TEXT, &id), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "unique_id", &ic), CIV_OK);
    assert_int_equal(civ_table_add_rows(d, n, NULL), CIV_OK);
    for (size_t f = 0; f < funds; f++) {
        char name[64];
        size_t src;
        snprintf(name, sizeof name, "pool_%s_fen", rl[f].fund);
        assert_int_equal(civ_table_add_column(d, name, CIV_COLUMN_NUMBER, &c[f]), CIV_OK);
        assert_int_equal(civ_table_find_column(t, name, &src), CIV_OK);
        for (size_t i = 0; i < n; i++)
            civ_table_set_number(d, i, c[f], floor(0.3 * civ_table_number(t, i, src)));
    }
    for (size_t i = 0; i < n; i++)
        civ_table_set_text(d, i, id, civ_table_text(t, i, ic));
    return d;
}

/* The demo city: both funds with their own history (rules of allocation.spec). */
static void test_demo_city(void **state)
{
    (void)state;
    civ_alloc_spec *spec = NULL;
    civ_table *comm = NULL;
    assert_int_equal(civ_alloc_spec_read(CIV_SOURCE_DIR "/datasets/demo_city/allocation.spec", &spec), CIV_OK);
    static const char *const text_cols[] = {"unique_id", "name", "district", "street", NULL};
    civ_table_read_options ro = {.text_columns = text_cols};
    assert_int_equal(civ_table_read_csv(CIV_SOURCE_DIR "/datasets/demo_city/communities.csv", &ro, &comm), CIV_OK);
    const rules rl[2] = {{"eldercare+health", 5000000, -1, 5, 1000, 85, 100, 20, 100},
                         {"migrant", -1, -1, 2, 100, 90, 100, 30, 100}};
    for (int zh = 0; zh < 2; zh++) {
        civ_status st;
        civ_table *t = solve_table(spec, comm, zh ? CIV_ALLOC_EXPLAIN_ZH : CIV_ALLOC_EXPLAIN_EN, &st);
        assert_int_equal(st, CIV_OK);
        check_ctx c = {.t = t, .rl = rl, .n_funds = 2, .zh = zh};
        check_table(&c);
        /* the demo exercises per-fund history: pace, hold-harmless, floors, new communities, totals */
        assert_true(c.seen[K_PACE] > 0 && c.seen[K_HH] > 0 && c.seen[K_FLOOR] > 0 && c.seen[K_NEW] > 0);
        assert_true(c.seen[K_TOTAL] > 0 && c.seen[K_FORMULA] > 0);
        civ_table_free(t);
    }
    civ_table_free(comm);
    civ_alloc_spec_free(spec);
}

/* Labels: the explanations name factors, tilts, formulas and funds by their
 * labels (a fund fed by several pools by theirs joined with '+') and keep
 * the name where there is no label; the columns keep the names. */
static void test_labels(void **state)
{
    (void)state;
    static const char *spec_text =
        "version = \"l\"\n[budget]\ntotal = 1000.00\nfiscal_year = 2026\n"
        "[[formula]]\nname = \"main\"\nlabel = \"综合\"\ncombine = \"greater_of\"\n"
        "[[formula]]\nname = \"m\"\n"
        "[[tilt]]\nname = \"aging\"\nlabel = \"高龄\"\nattribute = \"x\"\nabove = 500\nmultiplier = 1.2\n"
        "[[pool]]\nname = \"eldercare\"\nlabel = \"养老\"\namount = 600.00\nformula = \"main\"\n"
        "[[pool]]\nname = \"health\"\nlabel = \"医疗\"\namount = 300.00\nformula = \"main\"\n"
        "[[pool]]\nname = \"migrant\"\namount = 100.00\nformula = \"m\"\neligible_attribute = \"e\"\n"
        "eligible_min = 0.5\n"
        "[[factor]]\nname = \"population\"\nlabel = \"常住人口\"\nformula = \"main\"\ngroup = \"g1\"\n"
        "attribute = \"x\"\nweight = 1\n"
        "[[factor]]\nname = \"aged\"\nformula = \"main\"\ngroup = \"g2\"\nattribute = \"y\"\nweight = 1\n"
        "[[factor]]\nname = \"mig\"\nlabel = \"流动人口\"\nformula = \"m\"\nattribute = \"y\"\nweight = 1\n";
    civ_alloc_spec *spec = NULL;
    assert_int_equal(civ_alloc_spec_parse(spec_text, strlen(spec_text), "labels.spec", &spec), CIV_OK);
    civ_table *comm = NULL;
    size_t cid, cx, cy, ce;
    assert_int_equal(civ_table_create(&comm), CIV_OK);
    assert_int_equal(civ_table_add_column(comm, "unique_id", CIV_COLUMN_TEXT, &cid), CIV_OK);
    assert_int_equal(civ_table_add_column(comm, "x", CIV_COLUMN_NUMBER, &cx), CIV_OK);
    assert_int_equal(civ_table_add_column(comm, "y", CIV_COLUMN_NUMBER, &cy), CIV_OK);
    assert_int_equal(civ_table_add_column(comm, "e", CIV_COLUMN_NUMBER, &ce), CIV_OK);
    assert_int_equal(civ_table_add_rows(comm, 3, NULL), CIV_OK);
    const double x[3] = {800, 100, 300}, y[3] = {100, 900, 300}, e[3] = {0.2, 0.7, 0.9};
    for (size_t i = 0; i < 3; i++) {
        char id[8];
        snprintf(id, sizeof id, "C%zu", i + 1);
        civ_table_set_text(comm, i, cid, id);
        civ_table_set_number(comm, i, cx, x[i]);
        civ_table_set_number(comm, i, cy, y[i]);
        civ_table_set_number(comm, i, ce, e[i]);
    }
    for (int zh = 0; zh < 2; zh++) {
        civ_status st;
        civ_table *t = solve_table(spec, comm, zh ? CIV_ALLOC_EXPLAIN_ZH : CIV_ALLOC_EXPLAIN_EN, &st);
        assert_int_equal(st, CIV_OK);
        size_t ex, col;
        assert_int_equal(civ_table_find_column(t, "explanation", &ex), CIV_OK);
        assert_int_equal(civ_table_find_column(t, "factor_population_fen", &col), CIV_OK); /* columns: names */
        assert_int_equal(civ_table_find_column(t, "pool_eldercare+health_fen", &col), CIV_OK);
        const char *c1 = civ_table_text(t, 0, ex), *c2 = civ_table_text(t, 1, ex);
        /* Chinese: no space between two Chinese characters, one beside Latin letters and digits */
        if (!strstr(c1, "常住人口 ") || !strstr(c1, zh ? "；高龄倾斜 ×1.2；" : "高龄 tilt ×1.2") ||
            !strstr(c1, "养老+医疗 ") || !strstr(c1, zh ? "；不符合 migrant 的条件" : "not eligible for migrant") ||
            !strstr(c1, zh ? "；综合中“g1”组得分更高；" : "group 'g1' of 综合 scored higher") ||
            (zh && zh_spacing_fault(c1)) ||
            strstr(c1, "population") || strstr(c1, "eldercare") || strstr(c1, "aging") || strstr(c1, "main"))
            fail_msg("C1 (%s): %s", zh ? "zh" : "en", c1);
        if (!strstr(c2, "流动人口 ") || !strstr(c2, "aged ") || !strstr(c2, "migrant ") || strstr(c2, "高龄") ||
            (zh && zh_spacing_fault(c2)))
            fail_msg("C2 (%s): %s", zh ? "zh" : "en", c2);
        civ_table_free(t);
    }
    /* the summary names the pools and funds by label in its label column */
    civ_alloc_problem *p = NULL;
    civ_alloc_result *r = NULL;
    civ_table *sum = NULL;
    assert_int_equal(civ_alloc_bind(spec, comm, NULL, &p), CIV_OK);
    assert_int_equal(civ_alloc_result_create(p, &r), CIV_OK);
    assert_int_equal(civ_alloc_solve(p, r), CIV_OK);
    assert_int_equal(civ_alloc_result_summary(p, r, &sum), CIV_OK);
    size_t cs, ci, cl, found = 0;
    assert_int_equal(civ_table_find_column(sum, "section", &cs), CIV_OK);
    assert_int_equal(civ_table_find_column(sum, "item", &ci), CIV_OK);
    assert_int_equal(civ_table_find_column(sum, "label", &cl), CIV_OK);
    for (size_t row = 0; row < civ_table_n_rows(sum); row++) {
        const char *sec = civ_table_text(sum, row, cs), *item = civ_table_text(sum, row, ci);
        const char *lab = civ_table_text(sum, row, cl);
        const char *want = !strcmp(item, "eldercare+health") ? "养老+医疗"
                           : !strcmp(item, "eldercare")      ? "养老"
                           : !strcmp(item, "health")         ? "医疗"
                                                             : "";
        if (!strcmp(sec, "fund") || !strcmp(sec, "pool") || !strcmp(sec, "budget")) {
            assert_string_equal(lab ? lab : "", want);
            found++;
        }
    }
    assert_true(found >= 8); /* budget, 3 pools x 2 measures, 2 funds x 3 */
    civ_table_free(sum);
    civ_alloc_result_free(r);
    civ_alloc_problem_free(p);
    civ_alloc_spec_free(spec);
    /* a foreign-funded programme's currency: the Chinese sentence follows its amounts with the currency's code,
     * not 元 (before 2026-12-05 "养老+医疗 600.00元" for dollars); English has no unit word either way */
    char usd[2048];
    const char *at = strstr(spec_text, "fiscal_year = 2026\n") + strlen("fiscal_year = 2026\n");
    snprintf(usd, sizeof usd, "%.*scurrency = \"USD\"\n%s", (int)(at - spec_text), spec_text, at);
    assert_int_equal(civ_alloc_spec_parse(usd, strlen(usd), "usd.spec", &spec), CIV_OK);
    for (int zh = 0; zh < 2; zh++) {
        civ_status st;
        civ_table *t = solve_table(spec, comm, zh ? CIV_ALLOC_EXPLAIN_ZH : CIV_ALLOC_EXPLAIN_EN, &st);
        assert_int_equal(st, CIV_OK);
        size_t ex;
        assert_int_equal(civ_table_find_column(t, "explanation", &ex), CIV_OK);
        for (size_t i = 0; i < civ_table_n_rows(t); i++) {
            const char *c = civ_table_text(t, i, ex);
            if (strstr(c, "元") || (zh && !strstr(c, " USD：")) || (!zh && strstr(c, "USD")))
                fail_msg("row %zu (%s): %s", i, zh ? "zh" : "en", c);
        }
        civ_table_free(t);
    }
    civ_alloc_spec_free(spec);
    /* a fund, tilt and formula with Chinese labels inside the Chinese sentence: no space on either side (before
     * 2026-12-06 "不符合 流动人口服务 的条件", "老龄 倾斜 ×1.2", "综合 中 'g1' 组得分更高"); a label ending in a
     * full-width bracket before its amount has none either ("人口（常住）12.5%") */
    char zh_labels[2048];
    at = strstr(spec_text, "eligible_min = 0.5\n");
    snprintf(zh_labels, sizeof zh_labels, "%.*slabel = \"流动人口服务\"\n%s", (int)(at - spec_text), spec_text, at);
    char *lab = strstr(zh_labels, "label = \"常住人口\"");
    memmove(lab + strlen("label = \"人口（常住）\""), lab + strlen("label = \"常住人口\""),
            strlen(lab + strlen("label = \"常住人口\"")) + 1);
    memcpy(lab, "label = \"人口（常住）\"", strlen("label = \"人口（常住）\""));
    assert_int_equal(civ_alloc_spec_parse(zh_labels, strlen(zh_labels), "zh.spec", &spec), CIV_OK);
    civ_status st;
    civ_table *t = solve_table(spec, comm, CIV_ALLOC_EXPLAIN_ZH, &st);
    assert_int_equal(st, CIV_OK);
    size_t ex;
    assert_int_equal(civ_table_find_column(t, "explanation", &ex), CIV_OK);
    const char *c1 = civ_table_text(t, 0, ex), *c2 = civ_table_text(t, 1, ex);
    if (!strstr(c1, "；不符合流动人口服务的条件") || !strstr(c1, "；高龄倾斜 ×1.2；") ||
        !strstr(c1, "；综合中“g1”组得分更高；") || !strstr(c1, "构成：人口（常住）") || strstr(c1, "） ") ||
        zh_spacing_fault(c1))
        fail_msg("C1 (zh labels): %s", c1);
    if (!strstr(c2, "；流动人口服务 ") || zh_spacing_fault(c2))
        fail_msg("C2 (zh labels): %s", c2);
    civ_table_free(t);
    civ_alloc_spec_free(spec);
    /* a tilt labelled as people name the rule, "高龄倾斜" / "Aged tilt": the word once, in either language (before
     * 2026-12-06 "高龄倾斜倾斜 ×1.2", "高龄倾斜 tilt ×1.2", "Aged tilt tilt ×1.2", "Aged tilt 倾斜 ×1.2") */
    const char *tilt_labels[] = {"高龄倾斜", "Aged tilt"};
    for (int k = 0; k < 2; k++) {
        char text[2048];
        at = strstr(spec_text, "label = \"高龄\"");
        snprintf(text, sizeof text, "%.*slabel = \"%s\"%s", (int)(at - spec_text), spec_text, tilt_labels[k],
                 at + strlen("label = \"高龄\""));
        assert_int_equal(civ_alloc_spec_parse(text, strlen(text), "tilt.spec", &spec), CIV_OK);
        for (int zh = 0; zh < 2; zh++) {
            t = solve_table(spec, comm, zh ? CIV_ALLOC_EXPLAIN_ZH : CIV_ALLOC_EXPLAIN_EN, &st);
            assert_int_equal(st, CIV_OK);
            assert_int_equal(civ_table_find_column(t, "explanation", &ex), CIV_OK);
            c1 = civ_table_text(t, 0, ex);
            const char *want = k ? (zh ? "；Aged tilt ×1.2；" : "; Aged tilt ×1.2; ")
                                 : (zh ? "；高龄倾斜 ×1.2；" : "; 高龄倾斜 ×1.2; ");
            if (!strstr(c1, want))
                fail_msg("tilt label '%s' (%s): %s", tilt_labels[k], zh ? "zh" : "en", c1);
            civ_table_free(t);
        }
        civ_alloc_spec_free(spec);
    }
    civ_table_free(comm);
}

/* The Chinese hold-harmless clause of a currency other than CNY names the code after each amount
 * ("提高到 10,200.00 USD（上年 12,000.00 USD × 85%）"); an earlier wording, "12,000.00 USD的 85%", ran the Latin
 * code into the Chinese. */
static void test_hold_harmless_currency_zh(void **state)
{
    (void)state;
    FILE *f = fopen(CIV_SOURCE_DIR "/datasets/demo_city/allocation.spec", "rb");
    assert_non_null(f);
    static char text[65536];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = '\0';
    char *cur = strstr(text, "currency = \"CNY\"");
    assert_non_null(cur);
    memcpy(cur, "currency = \"USD\"", strlen("currency = \"USD\""));
    civ_alloc_spec *spec = NULL;
    assert_int_equal(civ_alloc_spec_parse(text, len, "usd.spec", &spec), CIV_OK);
    civ_table *comm = NULL;
    static const char *const text_cols[] = {"unique_id", "name", "district", "street", NULL};
    civ_table_read_options ro = {.text_columns = text_cols};
    assert_int_equal(civ_table_read_csv(CIV_SOURCE_DIR "/datasets/demo_city/communities.csv", &ro, &comm), CIV_OK);
    civ_status st;
    civ_table *t = solve_table(spec, comm, CIV_ALLOC_EXPLAIN_ZH, &st);
    assert_int_equal(st, CIV_OK);
    size_t ex, hh = 0;
    assert_int_equal(civ_table_find_column(t, "explanation", &ex), CIV_OK);
    for (size_t i = 0; i < civ_table_n_rows(t); i++) {
        const char *c = civ_table_text(t, i, ex);
        if (strstr(c, "USD的"))
            fail_msg("row %zu: %s", i, c);
        hh += strstr(c, " USD（上年 ") != NULL && strstr(c, " USD × 85%）") != NULL;
    }
    assert_true(hh > 0); /* the demo's hold-harmless binds */
    civ_table_free(t);
    civ_table_free(comm);
    civ_alloc_spec_free(spec);
}

/* ---- random specs ------------------------------------------------------ */

static uint64_t rng_state;
static double unif(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}
static int64_t irand(int64_t lo, int64_t hi) { return lo + (int64_t)(unif() * (double)(hi - lo + 1)); }

static void yuan(char *buf, size_t size, int64_t fen) { snprintf(buf, size, "%lld.%02lld", (long long)(fen / 100), (long long)(fen % 100)); }

/* One random formula's keys (and its rules) for a fund of P fen over ~m members. */
static void random_formula(char *spec, size_t size, const char *name, int64_t P, size_t m, rules *r)
{
    char b1[40];
    size_t L = strlen(spec);
    L += (size_t)snprintf(spec + L, size - L, "[[formula]]\nname = \"%s\"\n", name);
    int64_t per = P / (int64_t)m;
    r->floor = r->cap = -1;
    r->cs_den = r->hh_den = r->pace_den = 0;
    if (unif() < 0.5) {
        r->floor = irand(per / 4, per * 9 / 10);
        yuan(b1, sizeof b1, r->floor);
        L += (size_t)snprintf(spec + L, size - L, "floor = %s\n", b1);
    }
    if (unif() < 0.3) {
        r->cap = irand(per * 6 / 5, per * 3);
        yuan(b1, sizeof b1, r->cap);
        L += (size_t)snprintf(spec + L, size - L, "cap = %s\n", b1);
    }
    if (unif() < 0.3) {
        r->cs_num = irand(10, 40), r->cs_den = 100;
        L += (size_t)snprintf(spec + L, size - L, "cap_share = 0.%02lld\n", (long long)r->cs_num);
    }
    if (unif() < 0.6) {
        static const int64_t hh[] = {80, 85, 90, 100};
        r->hh_num = hh[irand(0, 3)], r->hh_den = 100;
        L += (size_t)snprintf(spec + L, size - L, "hold_harmless = %lld.%02lld\n", (long long)(r->hh_num / 100),
                              (long long)(r->hh_num % 100));
    }
    if (unif() < 0.7) {
        static const int64_t pc[] = {5, 10, 25};
        r->pace_num = pc[irand(0, 2)], r->pace_den = 100;
        L += (size_t)snprintf(spec + L, size - L, "pace = 0.%02lld\n", (long long)r->pace_num);
    }
    if (unif() < 0.3 && (r->floor > 0 || r->hh_den))
        L += (size_t)snprintf(spec + L, size - L, "on_infeasible = \"ratable\"\n");
    (void)L;
}

/* Builds a random case; returns the number of funds (1 or 2). */
static size_t random_case(char *spec, size_t size, civ_table **comm, rules *rl)
{
    size_t n = (size_t)irand(4, 30), funds = unif() < 0.5 ? 2 : 1;
    int64_t P[2] = {irand(100000, 50000000), irand(50000, 20000000)};
    char b1[40], b2[40];
    yuan(b1, sizeof b1, funds == 2 ? P[0] + P[1] : P[0]);
    int tilt = unif() < 0.5;
    snprintf(spec, size, "version = \"r\"\n[budget]\ntotal = %s\nfiscal_year = 2026\n%s", b1,
             tilt ? "[[tilt]]\nname = \"t\"\nattribute = \"x\"\nabove = 500\nmultiplier = 1.2\n" : "");
    static const char *names[2] = {"a", "b"};
    for (size_t f = 0; f < funds; f++) {
        yuan(b2, sizeof b2, P[f]);
        size_t L = strlen(spec);
        snprintf(spec + L, size - L,
                 "[[pool]]\nname = \"%s\"\namount = %s\nformula = \"f%s\"\nlast_year = \"ly_%s\"\n%s"
                 "[[factor]]\nname = \"x%s\"\nformula = \"f%s\"\nattribute = \"%s\"\nweight = 1\n",
                 names[f], b2, names[f], names[f], f ? "eligible_attribute = \"e\"\neligible_min = 0.5\n" : "",
                 names[f], names[f], f ? "y" : "x");
        char fname[8];
        snprintf(fname, sizeof fname, "f%s", names[f]);
        rl[f].fund = names[f];
        random_formula(spec, size, fname, P[f], f ? n / 2 + 1 : n, &rl[f]);
    }
    civ_table *t = NULL;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    size_t cid, cx, cy, ce, cla, clb;
    assert_int_equal(civ_table_add_column(t, "unique_id", CIV_COLUMN_TEXT, &cid), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "x", CIV_COLUMN_NUMBER, &cx), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "y", CIV_COLUMN_NUMBER, &cy), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "e", CIV_COLUMN_NUMBER, &ce), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "ly_a", CIV_COLUMN_NUMBER, &cla), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "ly_b", CIV_COLUMN_NUMBER, &clb), CIV_OK);
    assert_int_equal(civ_table_add_rows(t, n, NULL), CIV_OK);
    for (size_t i = 0; i < n; i++) {
        char id[32];
        snprintf(id, sizeof id, "C%02zu", i);
        civ_table_set_text(t, i, cid, id);
        civ_table_set_number(t, i, cx, (double)irand(1, 1000));
        civ_table_set_number(t, i, cy, (double)irand(1, 1000));
        int elig = i == 0 || unif() < 0.6;
        civ_table_set_number(t, i, ce, elig ? 0.7 : 0.2);
        for (size_t f = 0; f < 2; f++) {
            int64_t per = P[f] / (int64_t)(f ? n / 2 + 1 : n);
            /* 0 (new), small (below the floor: the floor outranks pace) or near the fair share */
            double u = unif();
            int64_t ly = u < 0.2 ? 0 : u < 0.4 ? irand(per / 10, per / 3) : irand(per / 2, per * 3 / 2);
            civ_table_set_number(t, i, f ? clb : cla, (double)(ly / 100)); /* whole yuan */
        }
    }
    *comm = t;
    return funds;
}

/* Nothing paid is taken back: every release is >= 0 and paid + release sums to the fund. */
static void check_release_kept(const civ_table *t, const civ_table *t2, size_t funds, const rules *rl)
{
    for (size_t f = 0; f < funds; f++) {
        char name[64];
        size_t a, b;
        snprintf(name, sizeof name, "pool_%s_fen", rl[f].fund);
        assert_int_equal(civ_table_find_column(t, name, &a), CIV_OK);
        assert_int_equal(civ_table_find_column(t2, name, &b), CIV_OK);
        int64_t s1 = 0, s2 = 0;
        for (size_t i = 0; i < civ_table_n_rows(t); i++) {
            assert_true(civ_table_number(t2, i, b) >= 0);
            s1 += (int64_t)civ_table_number(t, i, a), s2 += (int64_t)civ_table_number(t2, i, b);
        }
        assert_int_equal(s1, s2); /* the release is the spec's fund again */
    }
}

static void test_random_specs(void **state)
{
    (void)state;
    rng_state = 20261203;
    check_ctx total = {0};
    size_t solved = 0;
    char spec[8192];
    for (int it = 0; it < 400; it++) {
        civ_table *comm = NULL;
        rules rl[2];
        size_t funds = random_case(spec, sizeof spec, &comm, rl);
        civ_alloc_spec *s = NULL;
        civ_status st = civ_alloc_spec_parse(spec, strlen(spec), "r.spec", &s);
        if (st)
            fail_msg("case %d: %s\n%s", it, civ_last_error_message(), spec);
        for (int zh = 0; zh < 2; zh++) {
            civ_table *t = solve_table(s, comm, zh ? CIV_ALLOC_EXPLAIN_ZH : CIV_ALLOC_EXPLAIN_EN, &st);
            if (st == CIV_ERR_INFEASIBLE)
                break; /* floors above the fund, caps below it: no explanation to check */
            if (st)
                fail_msg("case %d: %s", it, civ_last_error_message());
            check_ctx c = {.t = t, .rl = rl, .n_funds = funds, .zh = zh};
            check_table(&c);
            for (int k = 0; k < K_COUNT; k++)
                total.seen[k] += c.seen[k];
            solved += zh;
            /* a release of the same funds on top of 30% already paid */
            civ_table *paid = paid_from(t, funds, rl);
            civ_table *t2 = solve_paid(s, comm, paid, zh ? CIV_ALLOC_EXPLAIN_ZH : CIV_ALLOC_EXPLAIN_EN, &st);
            if (st && st != CIV_ERR_INFEASIBLE)
                fail_msg("case %d (release): %s", it, civ_last_error_message());
            if (!st) {
                check_ctx c2 = {.t = t2, .rl = rl, .n_funds = funds, .zh = zh, .release = 1};
                check_table(&c2);
                for (int k = 0; k < K_COUNT; k++)
                    total.seen[k] += c2.seen[k];
                check_release_kept(t, t2, funds, rl);
            }
            civ_table_free(t2), civ_table_free(paid);
            civ_table_free(t);
        }
        civ_alloc_spec_free(s);
        civ_table_free(comm);
    }
    assert_true(solved >= 100);
    for (int k = 0; k < K_COUNT; k++)
        if (!total.seen[k])
            fail_msg("no random case produced a '%s' clause (%zu cases solved)", kind_names[k], solved);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_city),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_hold_harmless_currency_zh),
        cmocka_unit_test(test_random_specs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
