/*
 * report_zh.c -- layer report: the Chinese of the English that other stages
 * write into a plan's output folder, for the Chinese page (report_zh.h).
 *
 * A plan run with lang = "en" writes its allocation explanations in English
 * (engine/src/alloc/explain.c), and the monitoring and risk tables carry
 * English words whatever the language (status "missed", alert "raised",
 * impact "fairly severe").  `civicast report --lang zh` on such a folder
 * shows them in Chinese:
 *   - an explanation is cut into its clauses ("; "), each matched against
 *     the English forms explain.c writes and rewritten in the Chinese form
 *     explain.c writes for CIV_ALLOC_EXPLAIN_ZH (word order, 元 after money,
 *     full-width punctuation), so the page reads as a Chinese run's does
 *     (tests/test_report.c translates the demo city's English explanations
 *     and compares them with the Chinese ones, clause kinds counted); a
 *     clause of an older folder that matches no form keeps the earlier
 *     phrase-by-phrase translation;
 *   - the fixed words of the monitoring and risk tables (docs/MONITORING.md)
 *     and the column names of the tables shown as they are.
 * Names from the spec or the data (funds, factors, tilts, indicators,
 * departments) stay as written.  Keep the forms in step with explain.c.
 */
#include "report_zh.h"

#include <stdio.h>
#include <string.h>

#include "c_locale.h"
#include "column_labels.h"
#include "text.h"

/* ---- matching a clause against a form ------------------------------------ */

/* A form: the English with holes ("{s}" any text of one byte or more, "{n}"
 * a number: digits, '.', signs, 'e') and the Chinese with the holes' texts
 * by their order ("{1}", "{2}", ...). */
typedef struct form {
    const char *en, *zh;
} form;

typedef struct span {
    const char *p;
    size_t n;
} span;

enum { MAX_HOLES = 8 }; /* a join note with shares and a gap has 8 */

static int number_byte(char c)
{
    return (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e';
}

static int hole_at(const char *en)
{
    return en[0] == '{' && (en[1] == 's' || en[1] == 'n') && en[2] == '}';
}

/* 1 when [t, end) is the whole of `en`; the holes' texts go to h[] in order
 * (room for `room` of them: a form with more holes fits nothing), each hole
 * taking the shortest text that lets the rest fit. */
static int fits_in(const char *en, const char *t, const char *end, span *h, size_t room)
{
    for (; *en && !hole_at(en); en++, t++)
        if (t == end || *t != *en)
            return 0;
    if (!*en)
        return t == end;
    int number = en[1] == 'n';
    if (!room)
        return 0;
    for (const char *q = t + 1; q <= end; q++) {
        if (number && !number_byte(q[-1]))
            return 0;
        h[0] = (span){t, (size_t)(q - t)};
        if (fits_in(en + 3, q, end, h + 1, room - 1))
            return 1;
    }
    return 0;
}

/* fits_in with an h[] of MAX_HOLES spans. */
static int fits(const char *en, const char *t, const char *end, span *h) { return fits_in(en, t, end, h, MAX_HOLES); }

/* The text after the Chinese form's position p (its own or a hole's, up to
 * 4 bytes, into t): what a space at p-1 meets. */
static const char *after(const char *p, const span *h, char t[5])
{
    memset(t, 0, 5);
    if (p[0] == '{' && p[1] >= '1' && p[1] <= '0' + MAX_HOLES && p[2] == '}')
        memcpy(t, h[p[1] - '1'].p, h[p[1] - '1'].n < 4 ? h[p[1] - '1'].n : 4);
    else if (p[0] == '{' && p[1] == 'u' && p[2] == '}')
        t[0] = '\x01'; /* the unit is put later: no space goes before it */
    else
        memcpy(t, p, strnlen(p, 4));
    return t;
}

/* The Chinese form with the holes' texts; each of its spaces kept only where
 * Chinese keeps one (civ_zh_space) with the texts it meets, as explain.c
 * writes it: "不符合 {1} 的条件" is "不符合流动人口服务的条件" and "不符合 ETS 的条件". */
static void fill(civ_rbuf *b, const char *zh, const span *h)
{
    for (const char *p = zh; *p;) {
        if (*p == ' ') {
            char t[5];
            if (civ_zh_space(b->data, b->len, after(p + 1, h, t)) && t[0] != '\x01')
                civ_rbuf_put(b, " ");
            p++;
        } else if (p[0] == '{' && p[1] >= '1' && p[1] <= '0' + MAX_HOLES && p[2] == '}') {
            civ_rbuf_putn(b, h[p[1] - '1'].p, h[p[1] - '1'].n);
            p += 3;
        } else if (p[0] == '{' && p[1] == 'u' && p[2] == '}') { /* the money's unit: rep_explanation_zh puts it */
            civ_rbuf_put(b, "\x01");
            p += 3;
        } else {
            size_t n = strcspn(p + 1, "{ ") + 1;
            civ_rbuf_putn(b, p, n);
            p += n;
        }
    }
}

/* Writes the Chinese of the first form [t, end) fits; 0 when none does. */
static int rewrite(civ_rbuf *b, const form *f, size_t n, const char *t, const char *end)
{
    span h[MAX_HOLES];
    for (size_t k = 0; k < n; k++)
        if (fits(f[k].en, t, end, h)) {
            fill(b, f[k].zh, h);
            return 1;
        }
    return 0;
}

/* A form whose first hole is the text before a suffix: *end is cut to it and
 * the suffix's Chinese goes to b. */
static int strip_suffix(civ_rbuf *b, const form *f, size_t n, const char *t, const char **end)
{
    span h[MAX_HOLES];
    for (size_t k = 0; k < n; k++)
        if (fits(f[k].en, t, *end, h)) {
            fill(b, f[k].zh, h);
            *end = t + h[0].n;
            return 1;
        }
    return 0;
}

#define N_OF(a) (sizeof(a) / sizeof *(a))

/* ---- the forms of explain.c ---------------------------------------------- */

/* What decided a fund's amount (fund_decision). */
static const form DECISION[] = {
    {"floors ratably reduced to {n}%", "保底按比例削减至 {1}%"},
    {"held at hold-harmless {n}% of last year {n} = {n}", "因不低于上年的 {1}%，保持在 {3}{u}（上年 {2}{u} × {1}%）"},
    {"raised to hold-harmless {n}% of last year {n} = {n}", "因不低于上年的 {1}%，提高到 {3}{u}（上年 {2}{u} × {1}%）"},
    {"held at the floor of {n}", "保持在保底 {1}{u}"},
    {"raised to the floor of {n}", "提高到保底 {1}{u}"},
    {"limited by pace to +{n}% over last year {n} = {n}", "受增幅上限限制，为上年 {2}{u} +{1}% = {3}{u}"},
    {"lowered to the cap of {n}% of the fund = {n}", "降至封顶：本项资金的 {1}% = {2}{u}"},
    {"lowered to the cap of {n}", "降至封顶 {1}{u}"},
    {"by formula", "按公式分配"},
    /* a reserve release: what was paid already passes a bound */
    {"paid already above the pace limit of +{n}% over last year {n} = {n}: nothing released, and nothing paid is "
     "taken back",
     "已拨金额已超过增幅上限（上年 {2}{u} +{1}% = {3}{u}），不再追加，已拨部分不收回"},
    {"paid already above the cap of {n}: nothing released, and nothing paid is taken back",
     "已拨金额已超过封顶 {1}{u}，不再追加，已拨部分不收回"},
};
/* A floor or hold-harmless that outranked the pace limit. */
static const form YIELDED[] = {
    {"{s} (above the pace limit of +{n}% over last year {n} = {n}, which yields to it)",
     "（增幅上限为上年 {3}{u} +{2}% = {4}{u}，低于此数，不适用）"},
};
/* The end of a fund's head (fund_head): its own history ... */
static const form LAST_YEAR[] = {
    {"{s} (last year {n}, {n}%)", "（上年 {2}{u}，{3}%）"},
    {"{s} (nothing last year: no hold-harmless or pace)", "（上年无此项资金，不适用“不低于上年”与增幅上限）"},
    {"{s} (nothing last year)", "（上年无此项资金）"},
};
/* ... before it, what a reserve release adds to what was paid ... */
static const form PAID[] = {
    {"{s} (paid {n} + released {n})", "（已拨 {2}{u} + 追加 {3}{u}）"},
};
/* ... and first, the fund and its amount. */
static const form FUND[] = {
    {"{s} {n}", "{1} {2}{u}"},
};
/* The clauses besides the factor shares and the funds. */
static const form CLAUSE[] = {
    {"not eligible for {s}", "不符合 {1} 的条件"},
    {"group '{s}' of {s} scored higher", "{2} 中“{1}”组得分更高"},
    {"total {n} (last year {n}, {n}%)", "合计 {1}{u}（上年 {2}{u}，{3}%）"},
    {"{s} tilt ×{n}", "{1} 倾斜 ×{2}"}, /* the spaces kept only where Chinese keeps them (fill) */
};

/* "<fund> <amount>[ (paid ...)][ (last year ...)]" */
static int fund_head(civ_rbuf *b, const char *t, const char *end)
{
    civ_rbuf ly = {0}, paid = {0};
    strip_suffix(&ly, LAST_YEAR, N_OF(LAST_YEAR), t, &end);
    strip_suffix(&paid, PAID, N_OF(PAID), t, &end);
    int ok = rewrite(b, FUND, N_OF(FUND), t, end);
    if (ok) {
        civ_rbuf_putn(b, paid.data, paid.len);
        civ_rbuf_putn(b, ly.data, ly.len);
        b->failed |= paid.failed | ly.failed;
    }
    civ_rbuf_free(&ly), civ_rbuf_free(&paid);
    return ok;
}

/* "<what decided>[ (above the pace limit ...)]" */
static int decision(civ_rbuf *b, const char *t, const char *end)
{
    civ_rbuf yielded = {0};
    strip_suffix(&yielded, YIELDED, N_OF(YIELDED), t, &end);
    int ok = rewrite(b, DECISION, N_OF(DECISION), t, end);
    if (ok) {
        civ_rbuf_putn(b, yielded.data, yielded.len);
        b->failed |= yielded.failed;
    }
    civ_rbuf_free(&yielded);
    return ok;
}

/* "<head>: <decision>", split at the first ": " that gives both (a head may
 * hold one: "(nothing last year: no hold-harmless or pace)"). */
static int fund_clause(civ_rbuf *b, const char *t, const char *end)
{
    for (const char *c = t; c + 1 < end; c++) {
        if (c[0] != ':' || c[1] != ' ')
            continue;
        civ_rbuf head = {0}, dec = {0};
        int ok = fund_head(&head, t, c) && decision(&dec, c + 2, end);
        if (ok) {
            civ_rbuf_putn(b, head.data, head.len);
            civ_rbuf_put(b, "：");
            civ_rbuf_putn(b, dec.data, dec.len);
            b->failed |= head.failed | dec.failed;
        }
        civ_rbuf_free(&head), civ_rbuf_free(&dec);
        if (ok)
            return 1;
    }
    return 0;
}

/* Phrase by phrase: the factor shares' words, and the translation of the
 * report before the forms, for clauses of older folders that fit none. */
static void phrases(civ_rbuf *b, const char *t, const char *end)
{
    static const char *const map[][2] = {
        {"raised to hold-harmless ", "因不低于上年的比例，提高到上年的 "}, {"% of last year", "%"},
        {"limited by pace to +", "受增幅上限限制，为上年 +"},      {"% over last year", "%"},
        {"raised to the floor of ", "提高到保底 "},                {"lowered to the cap", "降至封顶"},
        {"floors ratably reduced to ", "保底按比例削减至 "},        {"not eligible for ", "不符合条件："},
        {" tilt ×", " 倾斜 ×"},                                    {"no factor score", "无因素得分"},
        {"not funded", "未获分配"},                                 {" scored higher", " 得分更高"},
        {"nothing from this release", "本次未获追加"},
        {": no forecast, counted as 0)", "：无预测，按 0 计）"},    {" (last year's amounts from ", "（上年金额来自 "},
        /* a plan's [data] predecessors (plan/join.c): a note that fits none of shares_clause's forms; the count's
         * words (" months ") are not here, where they would translate a factor's name */
        {" (demand history joined from ", "（需求历史接续自 "},
        {" (demand from its own months only: ", "（需求仅按本社区自有月份预测："},
        {" (demand from its own quarters only: ", "（需求仅按本社区自有季度预测："},
        {" (demand from its own years only: ", "（需求仅按本社区自有年份预测："},
        {" is also a predecessor of another community (a split: no share to divide its months)",
         " 同时是其他社区的前身（拆分：无份额可分摊其历史）"},
        {" has no series in the panel", " 在面板中无序列"},
        {" (shares ", "（份额 "},
        {" months, missing: neither its predecessors nor it reported", " 个月前身与本社区均无数据，按缺失处理"},
        {" month, missing: neither its predecessors nor it reported", " 个月前身与本社区均无数据，按缺失处理"},
        {" quarters, missing: neither its predecessors nor it reported", " 个季度前身与本社区均无数据，按缺失处理"},
        {" quarter, missing: neither its predecessors nor it reported", " 个季度前身与本社区均无数据，按缺失处理"},
        {" years, missing: neither its predecessors nor it reported", " 年前身与本社区均无数据，按缺失处理"},
        {" year, missing: neither its predecessors nor it reported", " 年前身与本社区均无数据，按缺失处理"},
        {"no period before its own in which every predecessor reported", "各前身在本社区自有月份之前无共同上报的月份"}};
    for (const char *p = t; p < end;) {
        size_t k = 0;
        while (k < N_OF(map) && ((size_t)(end - p) < strlen(map[k][0]) || strncmp(p, map[k][0], strlen(map[k][0]))))
            k++;
        if (k < N_OF(map)) {
            civ_rbuf_put(b, map[k][1]);
            p += strlen(map[k][0]);
        } else {
            civ_rbuf_putn(b, p++, 1);
        }
    }
}

/* ---- a plan's predecessor-join note (plan/join.c) ------------------------ */

/* The panel's periods as join.c's notes write them: English plural and singular, Chinese after a number, Chinese
 * of "its own <periods>". */
static const char *const PERIODS[][4] = {{"periods", "period", "期", "各期"},     {"years", "year", "年", "年份"},
                                         {"quarters", "quarter", "个季度", "季度"}, {"months", "month", "个月", "月份"},
                                         {"weeks", "week", "周", "周"},             {"days", "day", "天", "日期"}};

static void put_span(civ_rbuf *b, span h)
{
    civ_rbuf_putn(b, h.p, h.n);
}

/* " (demand history joined from P01+P02[ (shares 0.6+1)]: 10 quarters 2022-Q1..2024-Q2[, 2024-Q3..2024-Q3,
 * 1 quarter, missing: neither its predecessors nor it reported])" in the Chinese join.c writes for a Chinese run,
 * byte for byte: "（需求历史接续自 P01+P02[（份额 0.6+1）]：10 个季度 2022-Q1..2024-Q2[，2024-Q3..2024-Q3 共 1
 * 个季度前身与本社区均无数据，按缺失处理]）". 0 when [t, end) is no such note. */
static int joined_note(civ_rbuf *b, const char *t, const char *end)
{
    static const char gap_tail[] = ", missing: neither its predecessors nor it reported";
    for (size_t f = 0; f < N_OF(PERIODS); f++)
        for (int one = 0; one < 2; one++)
            for (int sh = 1; sh >= 0; sh--)
                for (int gap = 2; gap >= 0; gap--) { /* gap 2, 1: plural, singular; 0: none */
                    char en[320];
                    span h[MAX_HOLES];
                    civ_snprintf(en, sizeof en, " (demand history joined from {s}%s: {n} %s {s}..{s}%s%s%s)",
                                 sh ? " (shares {s})" : "", PERIODS[f][one], gap ? ", {s}..{s}, {n} " : "",
                                 gap ? PERIODS[f][gap == 1] : "", gap ? gap_tail : "");
                    if (!fits(en, t, end, h))
                        continue;
                    int k = 0;
                    civ_rbuf_put(b, "（需求历史接续自 ");
                    put_span(b, h[k++]);
                    if (sh) {
                        civ_rbuf_put(b, "（份额 ");
                        put_span(b, h[k++]);
                        civ_rbuf_put(b, "）");
                    }
                    civ_rbuf_put(b, "：");
                    put_span(b, h[k++]);
                    civ_rbuf_put(b, " "), civ_rbuf_put(b, PERIODS[f][2]), civ_rbuf_put(b, " ");
                    put_span(b, h[k++]);
                    civ_rbuf_put(b, "..");
                    put_span(b, h[k++]);
                    if (gap) {
                        civ_rbuf_put(b, "，");
                        put_span(b, h[k++]);
                        civ_rbuf_put(b, "..");
                        put_span(b, h[k++]);
                        civ_rbuf_put(b, " 共 ");
                        put_span(b, h[k++]);
                        civ_rbuf_put(b, " "), civ_rbuf_put(b, PERIODS[f][2]);
                        civ_rbuf_put(b, "前身与本社区均无数据，按缺失处理");
                    }
                    civ_rbuf_put(b, "）");
                    return 1;
                }
    return 0;
}

/* " (demand from its own quarters only: <the joins table's reason>)" as join.c writes it in Chinese
 * ("（需求仅按本社区自有季度预测：…）"); the reason's split said "divide its months" whatever the panel before
 * 2026-12-06 (core/panel_join.c). 0 when [t, end) is no such note. */
static int own_note(civ_rbuf *b, const char *t, const char *end)
{
    for (size_t f = 0; f < N_OF(PERIODS); f++)
        for (size_t w = 0; w < N_OF(PERIODS); w++)
            for (int kind = 0; kind < 3; kind++) {
                if (kind != 0 && w) /* the split's word comes in the first pass only */
                    break;
                char en[320];
                span h[MAX_HOLES];
                const char *reason = kind == 1 ? "{s} has no series in the panel"
                                     : kind == 2
                                         ? "no period before its own in which every predecessor reported"
                                         : "{s} is also a predecessor of another community (a split: no share to "
                                           "divide its %s)";
                char r[200];
                civ_snprintf(r, sizeof r, reason, PERIODS[w][0]);
                civ_snprintf(en, sizeof en, " (demand from its own %s only: %s)", PERIODS[f][0], r);
                if (!fits(en, t, end, h))
                    continue;
                const char *own = PERIODS[f][3];
                civ_rbuf_put(b, "（需求仅按本社区自有"), civ_rbuf_put(b, own), civ_rbuf_put(b, "预测：");
                if (kind == 2) {
                    civ_rbuf_put(b, "各前身在本社区自有"), civ_rbuf_put(b, own), civ_rbuf_put(b, "之前无共同上报的");
                    civ_rbuf_put(b, own);
                } else {
                    put_span(b, h[0]);
                    civ_rbuf_put(b, kind ? " 在面板中无序列" : " 同时是其他社区的前身（拆分：无份额可分摊其历史）");
                }
                civ_rbuf_put(b, "）");
                return 1;
            }
    return 0;
}

/* The factor shares' clause: its phrases, and a predecessor-join note at its end (join.c puts it there) in the
 * Chinese of a Chinese run; the factor names before it as written. */
static void shares_clause(civ_rbuf *b, const char *t, const char *end)
{
    static const char *const opens[] = {" (demand history joined from ", " (demand from its own "};
    for (size_t k = 0; k < N_OF(opens); k++) {
        const char *q = t, *at = NULL;
        while ((q = strstr(q, opens[k])) && q < end)
            at = q++;
        if (!at)
            continue;
        civ_rbuf note = {0};
        if (k ? own_note(&note, at, end) : joined_note(&note, at, end)) {
            phrases(b, t, at);
            civ_rbuf_putn(b, note.data, note.len);
            b->failed |= note.failed;
            civ_rbuf_free(&note);
            return;
        }
        civ_rbuf_free(&note);
    }
    phrases(b, t, end);
}

static void explanation_zh(civ_rbuf *b, const char *text);

void rep_explanation_zh(civ_rbuf *b, const char *text, const char *currency)
{
    static const char zh_head[] = "构成："; /* a run in Chinese wrote it: as it is */
    if (!strncmp(text, zh_head, sizeof zh_head - 1)) {
        civ_rbuf_put(b, text);
        return;
    }
    /* the forms write {u} after money as \x01: 元, or for another currency its code after a space, as
     * explain.c's Chinese mode writes it ("600.00 USD") */
    char unit[24];
    int cny = !currency || !currency[0] || !strcmp(currency, "CNY");
    civ_snprintf(unit, sizeof unit, "%s%.15s", cny ? "元" : " ", cny ? "" : currency);
    civ_rbuf tmp = {0};
    explanation_zh(&tmp, text);
    for (const char *p = tmp.data ? tmp.data : ""; *p;) {
        size_t n = strcspn(p, "\x01");
        civ_rbuf_putn(b, p, n);
        p += n;
        if (*p)
            civ_rbuf_put(b, unit), p++;
    }
    if (tmp.failed)
        b->failed = 1;
    civ_rbuf_free(&tmp);
}

static void explanation_zh(civ_rbuf *b, const char *text)
{
    const char *p = text, *stop = text + strlen(text);
    for (int first = 1; p < stop; first = 0) {
        const char *sep = strstr(p, "; ");
        const char *end = sep ? sep : stop;
        if (!first)
            civ_rbuf_put(b, "；");
        if (first) { /* the factor shares: the factor names and figures as written */
            civ_rbuf_put(b, "构成：");
            shares_clause(b, p, end);
        } else if (!rewrite(b, CLAUSE, N_OF(CLAUSE), p, end) && !fund_clause(b, p, end) &&
                   !decision(b, p, end)) { /* a decision alone: an older folder's */
            phrases(b, p, end);
        }
        p = sep ? sep + 2 : stop;
    }
}

/* ---- the words of the monitoring and risk tables --------------------------- */

const char *rep_word_zh(const char *column, const char *value)
{
    /* docs/MONITORING.md: statuses, alert states, scopes, the default risk
     * matrix's impacts and levels; the backtest's model names a reader knows
     * by a description (the other models keep their names) */
    static const char *const words[][3] = {
        {"status", "met", "达标"},           {"status", "missed", "未达标"},
        {"status", "no_data", "无数据"},     {"status", "no_target", "未设目标"},
        {"status", "not_started", "未纳入"}, /* months before a unit's first row: added later, not a missing report */
        {"status", "closed", "已撤并"},      /* months from a unit's [[closed]] period on: merged away or closed */
        {"alert", "closed", "随撤并关闭"},   /* an alert open when its unit closed */
        {"alert", "raised", "新增预警"},     {"alert", "continued", "持续预警"},
        {"alert", "cleared", "预警解除"},    {"scope", "unit", "单位"},
        {"scope", "street", "街道"},         {"scope", "district", "区"},
        {"scope", "city", "全市"},           {"unit", "city", "全市"}, /* the city total's unit */
        {"impact", "negligible", "轻微"},    {"impact", "minor", "较小"},
        {"impact", "moderate", "中等"},      {"impact", "fairly severe", "较严重"},
        {"impact", "severe", "严重"},        {"level", "low", "低"},
        {"level", "medium", "中"},           {"level", "medium-high", "较高"},
        {"level", "high", "高"},
        /* the backtest's display names of the default and the baselines (civ_model_display_name) */
        {"model", "Auto", "自动组合（默认）"},     {"model", "SeasonalNaive", "季节朴素法"},
        {"model", "Naive", "朴素法"},              {"model", "HistoricAverage", "历史均值法"},
        {"model", "RandomWalkWithDrift", "带漂移的随机游走"}};
    if (!column || !value)
        return value;
    for (size_t k = 0; k < N_OF(words); k++)
        if (!strcmp(column, words[k][0]) && !strcmp(value, words[k][1]))
            return words[k][2];
    return value;
}

const char *rep_word(int zh, const char *column, const char *value)
{
    if (zh)
        return rep_word_zh(column, value);
    if (column && value && !strcmp(column, "status"))
        return !strcmp(value, "no_data")       ? "no data"
               : !strcmp(value, "no_target")   ? "no target"
               : !strcmp(value, "not_started") ? "not started"
                                               : value;
    return value;
}

const char *rep_column_label(int zh, const char *column, char *buf, size_t size)
{
    /* the columns of the tables the page shows as they are: the monitoring alerts and statuses, the risk
     * register, the backtest accuracy; one table with the plan's workbook (io/column_labels.c) */
    civ_label_ctx ctx = {.zh = zh};
    return civ_column_label(&ctx, column, buf, size);
}

const char *rep_alloc_head(int zh, const char *column)
{
    /* the fixed words of the table: no made-up label, so the buffer is never returned */
    civ_label_ctx ctx = {.zh = zh, .table = "allocation", .brief = 1};
    char buf[192];
    const char *l = civ_column_label(&ctx, column, buf, sizeof buf);
    return l && l != buf ? l : column;
}

const char *rep_code_word(int zh, const char *table, const char *column, const char *value)
{
    civ_label_ctx ctx = {.zh = zh, .table = table, .brief = 1};
    char buf[192];
    const char *w = civ_value_label(&ctx, column, value, buf, sizeof buf);
    return w && w != buf ? w : value;
}
