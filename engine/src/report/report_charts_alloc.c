/*
 * report_charts_alloc.c -- layer report: the Vega-Lite specs of the
 * allocation, uncertainty, need and monitoring sections (report_page.h).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "column_labels.h"
#include "report_page.h"
#include "report_palette.h"
#include "report_text.h"
#include "report_zh.h"
#include "strmap.h"

static void kv_num(civ_rbuf *b, const char *k, double v, double round_to)
{
    civ_rbuf_printf(b, ",\"%s\":", k);
    /* a decimal step (0.0001) divides by its whole inverse, which is exact, so 228 x 0.01 is written 2.28, not
     * 2.2800000000000002; + 0.0 writes -0 as 0 */
    double inv = round(1 / round_to);
    double x = round_to < 1 && inv > 1 ? round(v * inv) / inv : round(v / round_to) * round_to;
    civ_rbuf_json_num(b, isfinite(v) ? x + 0.0 : NAN);
}

static double ratio(double a, double b)
{
    return b > 0 ? a / b : NAN;
}

/* The name of a constraint or rule for readers. */
const char *rep_rule_name(int zh, const char *rule)
{
    return civ_rule_label(zh, rule); /* one list with the plan's workbook (io/column_labels.c) */
}

static double held_ratio(const rep_comm *c)
{
    return strstr(c->binding, "hold_harmless") && c->last_year > 0 ? 100 * c->amount / c->last_year : NAN;
}

/* The share of last year (%) hold-harmless keeps: the lowest share of last
 * year among the communities it held, when at least half of them got just
 * that (the others have funds it did not hold on top), else NaN. */
static double hold_share(const rep_data *d)
{
    double lo = INFINITY;
    size_t n = 0, at = 0;
    for (size_t i = 0; i < d->n_comms; i++)
        if (isfinite(held_ratio(&d->comms[i])))
            lo = fmin(lo, held_ratio(&d->comms[i])), n++;
    for (size_t i = 0; i < d->n_comms; i++)
        at += fabs(held_ratio(&d->comms[i]) - lo) < 0.05;
    return n && 2 * at >= n ? round(lo * 10) / 10 : NAN;
}

const char *rep_rule_label(rep_ctx *ctx, const char *rule)
{
    if (strcmp(rule, "hold_harmless"))
        return rep_rule_name(ctx->zh, rule);
    if (!ctx->hold_label[0]) {
        double s = hold_share(ctx->d);
        if (isfinite(s))
            civ_snprintf(ctx->hold_label, sizeof ctx->hold_label,
                         TR(ctx, "不低于上年 %g%%", "hold-harmless (%g%% of last year)"), s);
        else
            civ_snprintf(ctx->hold_label, sizeof ctx->hold_label, "%s", rep_rule_name(ctx->zh, rule));
    }
    return ctx->hold_label;
}

/* Rows of districts (streets = 0) or streets (1) with the allocation columns. */
static void group_rows(const rep_ctx *ctx, civ_rbuf *b, int streets)
{
    const rep_data *d = ctx->d;
    const char *ul;
    double u = rep_unit_big(ctx, &ul);
    int first = 1;
    for (size_t g = 0; g < d->n_groups; g++) {
        const rep_group *x = &d->groups[g];
        if (x->is_street != streets)
            continue;
        civ_rbuf_put(b, first ? "{\"name\":" : ",{\"name\":");
        first = 0;
        civ_rbuf_json_str(b, x->name);
        civ_rbuf_put(b, ",\"district\":");
        civ_rbuf_json_str(b, streets ? x->district : x->name);
        kv_num(b, "amount", x->amount / u, 0.01);
        kv_num(b, "per_capita", ratio(x->amount, x->population), 0.01);
        kv_num(b, "per_aged", ratio(x->amount, x->aged), 0.01);
        kv_num(b, "change_pct", x->last_year > 0 ? 100 * (x->amount - x->last_year) / x->last_year : NAN, 0.01);
        civ_rbuf_printf(b, ",\"communities\":%zu}", x->communities);
    }
}

static void group_tooltip(const rep_ctx *ctx, civ_rbuf *b, const char *unit)
{
    char t[128];
    civ_snprintf(t, sizeof t, TR(ctx, "%s（%s）", "%s (%s)"), TR(ctx, "金额", "Amount"), unit);
    civ_rbuf_put(b, "\"tooltip\":[");
    rep_nfield(b, "name", TR(ctx, "名称", "Name"));
    civ_rbuf_put(b, ",");
    rep_nfield(b, "district", TR(ctx, "区", "District"));
    civ_rbuf_put(b, ",");
    rep_qfield(b, "amount", t, ",.2f");
    civ_rbuf_put(b, ",");
    char lb[96];
    rep_qfield(b, "per_capita", rep_money_label(ctx, lb, sizeof lb, 0, "人均（%s）", "Per capita (%s)"), ",.2f");
    civ_rbuf_put(b, ",");
    rep_qfield(b, "per_aged", rep_money_label(ctx, lb, sizeof lb, 0, "每位 60 岁以上老人（%s）", "Per aged 60+ (%s)"),
               ",.2f");
    civ_rbuf_put(b, ",");
    rep_qfield(b, "change_pct", TR(ctx, "比上年变化（%）", "Change vs last year (%)"), "+.1f");
    civ_rbuf_put(b, ",");
    rep_qfield(b, "communities", TR(ctx, "社区数", "Communities"), NULL);
    civ_rbuf_put(b, "]");
}

/* One bar panel of the district chart. */
static void bar_panel(const rep_ctx *ctx, civ_rbuf *b, const char *field, const char *title, const char *unit,
                      int show_y, int streets)
{
    char t[160];
    civ_snprintf(t, sizeof t, TR(ctx, "%s（%s）", "%s (%s)"), title, unit);
    civ_rbuf_put(b, "{\"width\":");
    civ_rbuf_put(b, streets ? "180,\"height\":{\"step\":13}" : "150");
    civ_rbuf_put(b, ",\"mark\":\"bar\",\"encoding\":{\"y\":{\"field\":\"name\",\"type\":\"nominal\",\"sort\":null,");
    civ_rbuf_put(b, show_y ? "\"title\":null" : "\"title\":null,\"axis\":null");
    civ_rbuf_put(b, "},\"x\":");
    rep_qfield(b, field, t, NULL);
    /* tableau20: 20 distinct colours (the default has 10, and two of 11 districts shared one); the streets
     * carry a legend of their districts (the district chart names each bar) */
    civ_rbuf_put(b, ",\"color\":{\"field\":\"district\",\"type\":\"nominal\",\"sort\":null,"
                    "\"scale\":{\"scheme\":\"tableau20\"},\"legend\":");
    if (streets && show_y) {
        civ_rbuf_put(b, "{\"orient\":\"top\",\"columns\":6,\"title\":");
        civ_rbuf_json_str(b, TR(ctx, "所属区", "District"));
        civ_rbuf_put(b, "}},");
    } else {
        civ_rbuf_put(b, "null},");
    }
    const char *ul;
    rep_unit_big(ctx, &ul);
    group_tooltip(ctx, b, ul);
    civ_rbuf_put(b, "}}");
}

void rep_chart_alloc_districts(rep_ctx *ctx)
{
    civ_rbuf b = {0};
    const char *ul;
    rep_unit_big(ctx, &ul);
    rep_spec_begin(ctx, &b, TR(ctx, "各区分配：金额、人均、每位老人、比上年变化", "By district: amount, per capita, per aged 60+, change vs last year"));
    civ_rbuf_put(&b, ",\"data\":{\"values\":[");
    group_rows(ctx, &b, 0);
    civ_rbuf_put(&b, "]},\"hconcat\":[");
    bar_panel(ctx, &b, "amount", TR(ctx, "金额", "Amount"), ul, 1, 0);
    if (ctx->d->has_population) {
        civ_rbuf_put(&b, ",");
        bar_panel(ctx, &b, "per_capita", TR(ctx, "人均", "Per capita"), ctx->d->money_unit[0][ctx->zh ? 1 : 0], 0, 0);
    }
    if (ctx->d->has_aged) {
        civ_rbuf_put(&b, ",");
        bar_panel(ctx, &b, "per_aged", TR(ctx, "每位老人", "Per aged 60+"), ctx->d->money_unit[0][ctx->zh ? 1 : 0], 0, 0);
    }
    if (ctx->d->has_last_year) {
        civ_rbuf_put(&b, ",");
        bar_panel(ctx, &b, "change_pct", TR(ctx, "比上年", "Change"), "%", 0, 0);
    }
    civ_rbuf_put(&b, "]");
    rep_chart_emit(ctx, "allocation_districts", &b);
}

void rep_chart_alloc_streets(rep_ctx *ctx)
{
    if (!ctx->d->has_street) {
        rep_para(ctx, TR(ctx, "分配表没有街道列，不按街道汇总。", "The allocation table has no street column: no street totals."));
        return;
    }
    civ_rbuf b = {0};
    const char *ul;
    rep_unit_big(ctx, &ul);
    rep_spec_begin(ctx, &b, TR(ctx, "各街道分配：金额、人均、每位老人、比上年变化", "By street: amount, per capita, per aged 60+, change vs last year"));
    civ_rbuf_put(&b, ",\"data\":{\"values\":[");
    group_rows(ctx, &b, 1);
    civ_rbuf_put(&b, "]},\"hconcat\":[");
    bar_panel(ctx, &b, "amount", TR(ctx, "金额", "Amount"), ul, 1, 1);
    if (ctx->d->has_population) {
        civ_rbuf_put(&b, ",");
        bar_panel(ctx, &b, "per_capita", TR(ctx, "人均", "Per capita"), ctx->d->money_unit[0][ctx->zh ? 1 : 0], 0, 1);
    }
    if (ctx->d->has_aged) {
        civ_rbuf_put(&b, ",");
        bar_panel(ctx, &b, "per_aged", TR(ctx, "每位老人", "Per aged 60+"), ctx->d->money_unit[0][ctx->zh ? 1 : 0], 0, 1);
    }
    if (ctx->d->has_last_year) {
        civ_rbuf_put(&b, ",");
        bar_panel(ctx, &b, "change_pct", TR(ctx, "比上年", "Change"), "%", 0, 1);
    }
    civ_rbuf_put(&b, "]");
    rep_chart_emit(ctx, "allocation_streets", &b);
}

static void wf_row(civ_rbuf *b, int *first, const char *step, const char *kind, double start, double end, double u)
{
    civ_rbuf_put(b, *first ? "{\"step\":" : ",{\"step\":");
    *first = 0;
    civ_rbuf_json_str(b, step);
    civ_rbuf_put(b, ",\"kind\":");
    civ_rbuf_json_str(b, kind);
    kv_num(b, "start", start / u, 0.0001);
    kv_num(b, "end", end / u, 0.0001);
    kv_num(b, "moved", (end - start) / u, 0.0001);
    civ_rbuf_put(b, "}");
}

void rep_chart_waterfall(rep_ctx *ctx)
{
    const rep_data *d = ctx->d;
    if (!d->n_steps || !isfinite(d->base_total)) {
        rep_para(ctx, TR(ctx, "输出目录里没有规则分解表（allocation_waterfall.csv），不画瀑布图。",
                         "No rule breakdown in the output folder (allocation_waterfall.csv): no waterfall."));
        return;
    }
    const char *ul, *kinds[3] = {rep_code_word(ctx->zh, "waterfall", "scope", "total"), /* the workbook's words */
                                 rep_code_word(ctx->zh, "waterfall", "scope", "gained"),
                                 rep_code_word(ctx->zh, "waterfall", "scope", "lost")};
    double u = rep_unit_big(ctx, &ul);
    civ_rbuf b = {0};
    rep_spec_begin(ctx, &b, TR(ctx, "各项规则移动的资金（瀑布图）", "What each rule moved (waterfall)"));
    rep_fluid_width(ctx, &b);
    civ_rbuf_put(&b, ",\"height\":260,\"data\":{\"values\":[");
    /* The running total starts at 0 (the factor base, shown in the text):
     * the rules move a few percent of the fund, which bars from 0 to the
     * whole fund would hide. */
    int first = 1;
    double cum = 0;
    char step[96];
    for (size_t k = 0; k < d->n_steps; k++) {
        const rep_step *s = &d->steps[k];
        /* a move the chart's unit shows as 0 (the rounding's fen in 万元) gets no bar, a "-0" in its tooltip; an
         * empty cell (a folder assembled by hand) moves nothing */
        double gained = isfinite(s->gained) ? s->gained : 0, lost = isfinite(s->lost) ? s->lost : 0;
        if (fabs(gained) / u >= 0.00005) {
            civ_snprintf(step, sizeof step, "%s +", rep_rule_label(ctx, s->effect));
            wf_row(&b, &first, step, kinds[1], cum, cum + gained, u);
        }
        cum += gained;
        if (fabs(lost) / u >= 0.00005) {
            civ_snprintf(step, sizeof step, "%s −", rep_rule_label(ctx, s->effect));
            wf_row(&b, &first, step, kinds[2], cum, cum + lost, u);
        }
        cum += lost;
    }
    wf_row(&b, &first, TR(ctx, "净变化", "net change"), kinds[0], 0, cum, u);
    char t[96];
    civ_snprintf(t, sizeof t, TR(ctx, "%s（%s）", "%s (%s)"), TR(ctx, "相对因素法基数的变化", "Change from the factor base"), ul);
    civ_rbuf_put(&b, "]},\"mark\":\"bar\",\"encoding\":{\"x\":{\"field\":\"step\",\"type\":\"nominal\",\"sort\":null,"
                     "\"title\":null,\"axis\":{\"labelAngle\":-30}},\"y\":");
    rep_qfield(&b, "start", t, NULL);
    civ_rbuf_put(&b, ",\"y2\":{\"field\":\"end\"},\"color\":{\"field\":\"kind\",\"type\":\"nominal\",\"title\":null,"
                     "\"scale\":{\"domain\":[");
    /* net blue, gained a light green, lost a dark red: three greys in print (112, 163, 61; report_palette.h) */
    civ_rbuf_printf(&b, "\"%s\",\"%s\",\"%s\"],\"range\":[\"" REP_BLUE "\",\"" REP_GREEN "\",\"" REP_RED
                    "\"]}},\"tooltip\":[", kinds[0], kinds[1], kinds[2]);
    rep_nfield(&b, "step", TR(ctx, "步骤", "Step"));
    civ_rbuf_put(&b, ",");
    rep_qfield(&b, "moved", t, ",.2f");
    civ_rbuf_put(&b, ",");
    civ_snprintf(t, sizeof t, TR(ctx, "%s（%s）", "%s (%s)"), TR(ctx, "累计变化", "Running change"), ul);
    rep_qfield(&b, "end", t, ",.2f");
    civ_rbuf_put(&b, "]}");
    rep_chart_emit(ctx, "allocation_waterfall", &b);
}

void rep_chart_held(rep_ctx *ctx)
{
    const rep_data *d = ctx->d;
    civ_rbuf b = {0};
    rep_spec_begin(ctx, &b, TR(ctx, "受各项约束限定的社区数", "Communities held by each constraint"));
    rep_fluid_width(ctx, &b);
    civ_rbuf_put(&b, ",\"data\":{\"values\":[");
    int first = 1;
    double most = 0;
    for (size_t r = 0; r < d->n_rows; r++) {
        if (strcmp(d->rows[r].section, "binding"))
            continue;
        most = d->rows[r].count > most ? d->rows[r].count : most;
        civ_rbuf_put(&b, first ? "{\"rule\":" : ",{\"rule\":");
        first = 0;
        civ_rbuf_json_str(&b, rep_rule_label(ctx, d->rows[r].name));
        kv_num(&b, "communities", d->rows[r].count, 1);
        civ_rbuf_put(&b, "}");
    }
    civ_rbuf_put(&b, "]},\"mark\":\"bar\",\"encoding\":{\"y\":{\"field\":\"rule\",\"type\":\"nominal\",\"sort\":null,"
                     "\"title\":null},\"x\":");
    rep_count_axis(&b, "communities", TR(ctx, "社区数（个）", "Communities (count)"), most >= 1 ? (size_t)most : 0);
    civ_rbuf_put(&b, ",\"tooltip\":[");
    rep_nfield(&b, "rule", TR(ctx, "约束", "Constraint"));
    civ_rbuf_put(&b, ",");
    rep_qfield(&b, "communities", TR(ctx, "社区数", "Communities"), NULL);
    civ_rbuf_put(&b, "]}");
    rep_chart_emit(ctx, "allocation_held", &b);
}

typedef struct lz {
    double key, w, a;
} lz;

static int by_key(const void *x, const void *y)
{
    double a = ((const lz *)x)->key, b = ((const lz *)y)->key;
    return (a > b) - (a < b);
}

/* Lorenz points of amounts a over weights w (per-capita order), at most ~200,
 * and the Gini (1 - trapezoid sum).  Returns the Gini. */
static double lorenz(civ_rbuf *b, int *first, const char *stage, lz *v, size_t n)
{
    qsort(v, n, sizeof *v, by_key);
    double W = 0, A = 0;
    for (size_t i = 0; i < n; i++)
        W += v[i].w, A += v[i].a;
    if (!(W > 0) || !(A > 0))
        return NAN;
    double cw = 0, ca = 0, area = 0;
    size_t every = n > 200 ? n / 200 : 1;
    for (size_t i = 0; i <= n; i++) {
        if (i > 0) {
            double pw = cw, pa = ca;
            cw += v[i - 1].w / W, ca += v[i - 1].a / A;
            area += (cw - pw) * (ca + pa);
        }
        if (i % every && i != n)
            continue;
        civ_rbuf_put(b, *first ? "{\"stage\":" : ",{\"stage\":");
        *first = 0;
        civ_rbuf_json_str(b, stage);
        kv_num(b, "population", cw, 0.0001);
        kv_num(b, "amount", ca, 0.0001);
        civ_rbuf_put(b, "}");
    }
    return 1 - area;
}

void rep_chart_lorenz(rep_ctx *ctx)
{
    const rep_data *d = ctx->d;
    lz *v = calloc(d->n_comms + 1, sizeof *v);
    if (!v) {
        ctx->page.failed = 1;
        return;
    }
    civ_rbuf b = {0};
    rep_spec_begin(ctx, &b, TR(ctx, "洛伦兹曲线：约束前后的人均分配", "Lorenz curve of the per-capita amounts, before and after the constraints"));
    civ_rbuf_put(&b, ",\"width\":360,\"height\":360,\"data\":{\"values\":[");
    int first = 1;
    const char *stages[2] = {TR(ctx, "约束前（因素与倾斜）", "before constraints (factors and tilts)"),
                             TR(ctx, "约束后（最终）", "after constraints (final)")};
    for (int stage = d->has_before ? 0 : 1; stage < 2; stage++) {
        size_t n = 0;
        for (size_t i = 0; i < d->n_comms; i++) {
            const rep_comm *c = &d->comms[i];
            double w = d->has_population ? c->population : 1, a = stage ? c->amount : c->before;
            if (w > 0 && isfinite(a))
                v[n++] = (lz){a / w, w, a};
        }
        lorenz(&b, &first, stages[stage], v, n);
    }
    free(v);
    const char *px = d->has_population ? TR(ctx, "人口累计占比", "Cumulative share of population")
                                       : TR(ctx, "社区累计占比", "Cumulative share of communities");
    civ_rbuf_put(&b, "]},\"layer\":[{\"mark\":{\"type\":\"rule\",\"color\":\"#999\",\"strokeDash\":[4,4]},"
                     "\"data\":{\"values\":[{\"x\":0,\"y\":0,\"x2\":1,\"y2\":1}]},\"encoding\":{\"x\":{\"field\":\"x\","
                     "\"type\":\"quantitative\"},\"y\":{\"field\":\"y\",\"type\":\"quantitative\"},\"x2\":{\"field\":\"x2\"},"
                     "\"y2\":{\"field\":\"y2\"},\"tooltip\":{\"value\":");
    civ_rbuf_json_str(&b, TR(ctx, "完全均等线", "line of equality"));
    civ_rbuf_put(&b, "}}},{\"mark\":{\"type\":\"line\",\"point\":{\"size\":8}},\"encoding\":{\"x\":");
    rep_qfield(&b, "population", px, ".0%");
    civ_rbuf_put(&b, ",\"y\":");
    rep_qfield(&b, "amount", TR(ctx, "资金累计占比", "Cumulative share of the amount"), ".0%");
    /* the curves' colours fixed, the same on both pages (Vega's default gave the final curve blue on the Chinese
     * page, orange on the English one, the words sorting apart): before orange, final dark blue (154, 57) */
    civ_rbuf_put(&b, ",\"color\":{\"field\":\"stage\",\"type\":\"nominal\",\"title\":");
    civ_rbuf_json_str(&b, TR(ctx, "阶段", "Stage"));
    civ_rbuf_put(&b, ",\"scale\":{\"domain\":[");
    if (d->has_before) {
        civ_rbuf_json_str(&b, stages[0]);
        civ_rbuf_put(&b, ",");
    }
    civ_rbuf_json_str(&b, stages[1]);
    civ_rbuf_put(&b, d->has_before ? "],\"range\":[\"" REP_ORANGE "\",\"" REP_DARK "\"]}}"
                                   : "],\"range\":[\"" REP_DARK "\"]}}");
    civ_rbuf_put(&b, ",\"tooltip\":[");
    rep_nfield(&b, "stage", TR(ctx, "阶段", "Stage"));
    civ_rbuf_put(&b, ",");
    rep_qfield(&b, "population", px, ".1%");
    civ_rbuf_put(&b, ",");
    rep_qfield(&b, "amount", TR(ctx, "资金累计占比", "Cumulative share of the amount"), ".1%");
    civ_rbuf_put(&b, "]}}]");
    rep_chart_emit(ctx, "allocation_lorenz", &b);
}

/* One bar of an uncertainty chart: a district's or a community's P5 and P95 around its allocated amount. */
typedef struct unc_band {
    char name[192];
    double amount, p5, p95;
} unc_band;

static double band_width(double amount, double p5, double p95)
{
    return amount > 0 && isfinite(p5) && isfinite(p95) ? (p95 - p5) / amount : NAN;
}

/* The uncertainty rows: each band's P5 and P95 as a deviation (%) from its
 * allocated amount (a band of 30 万 on a 1,800 万 amount is invisible on an
 * axis from 0), and the amounts themselves for the tooltip. */
static void uncertainty_rows(const rep_ctx *ctx, civ_rbuf *b, const unc_band *x, size_t n)
{
    const char *ul;
    double u = rep_unit_big(ctx, &ul);
    for (size_t k = 0; k < n; k++, x++) {
        civ_rbuf_put(b, k ? ",{\"name\":" : "{\"name\":");
        civ_rbuf_json_str(b, x->name);
        kv_num(b, "p5", x->p5 / u, 0.001);
        kv_num(b, "p95", x->p95 / u, 0.001);
        kv_num(b, "amount", x->amount / u, 0.001);
        kv_num(b, "lo_pct", x->amount > 0 ? 100 * (x->p5 - x->amount) / x->amount : NAN, 0.001);
        kv_num(b, "hi_pct", x->amount > 0 ? 100 * (x->p95 - x->amount) / x->amount : NAN, 0.001);
        kv_num(b, "zero", 0, 1);
        civ_rbuf_put(b, "}");
    }
}

static void uncertainty_tooltip(const rep_ctx *ctx, civ_rbuf *b, const char *who)
{
    const char *ul;
    rep_unit_big(ctx, &ul);
    char t5[64], t95[64], ta[96];
    civ_snprintf(t5, sizeof t5, "P5 (%s)", ul), civ_snprintf(t95, sizeof t95, "P95 (%s)", ul);
    civ_snprintf(ta, sizeof ta, TR(ctx, "%s（%s）", "%s (%s)"), TR(ctx, "分配金额", "Allocated"), ul);
    civ_rbuf_put(b, "\"tooltip\":[");
    rep_nfield(b, "name", who);
    civ_rbuf_put(b, ",");
    rep_qfield(b, "p5", t5, ",.2f");
    civ_rbuf_put(b, ",");
    rep_qfield(b, "amount", ta, ",.2f");
    civ_rbuf_put(b, ",");
    rep_qfield(b, "p95", t95, ",.2f");
    civ_rbuf_put(b, ",");
    rep_qfield(b, "lo_pct", TR(ctx, "P5 相对分配金额（%）", "P5 against the amount (%)"), "+.2f");
    civ_rbuf_put(b, ",");
    rep_qfield(b, "hi_pct", TR(ctx, "P95 相对分配金额（%）", "P95 against the amount (%)"), "+.2f");
    civ_rbuf_put(b, "]");
}

/* A chart of bands: a bar from P5 to P95 (at least 3 px wide, so a zero-width band still shows as a tick) and
 * the allocated amount as a tick at 0. */
static void uncertainty_chart(rep_ctx *ctx, const char *name, const char *title, const char *who,
                              const unc_band *x, size_t n)
{
    civ_rbuf b = {0};
    rep_spec_begin(ctx, &b, title);
    rep_fluid_width(ctx, &b);
    civ_rbuf_put(&b, ",\"data\":{\"values\":[");
    uncertainty_rows(ctx, &b, x, n);
    civ_rbuf_put(&b, "]},\"encoding\":{\"y\":{\"field\":\"name\",\"type\":\"nominal\",\"sort\":null,\"title\":null},");
    uncertainty_tooltip(ctx, &b, who);
    civ_rbuf_put(&b, "},\"layer\":[{\"mark\":{\"type\":\"bar\",\"height\":10,\"minBandSize\":3,"
                     "\"color\":\"" REP_BLUE "\",\"opacity\":0.6},\"encoding\":{\"x\":");
    rep_qfield(&b, "lo_pct", TR(ctx, "相对分配金额的偏差（%）", "Deviation from the allocated amount (%)"), NULL);
    civ_rbuf_put(&b, ",\"x2\":{\"field\":\"hi_pct\"}}},{\"mark\":{\"type\":\"tick\",\"thickness\":2,"
                     "\"color\":\"" REP_DARK "\"},\"encoding\":{\"x\":{\"field\":\"zero\","
                     "\"type\":\"quantitative\"}}}]");
    rep_chart_emit(ctx, name, &b);
}

/* The districts' bands, in data order (the section draws them only for two districts or more: a city's one
 * district gets the whole fund in every draw). */
void rep_chart_uncertainty(rep_ctx *ctx)
{
    const rep_data *d = ctx->d;
    unc_band *x = calloc(d->n_districts + 1, sizeof *x);
    if (!x)
        return;
    for (size_t g = 0; g < d->n_districts; g++) {
        const rep_group *r = &d->groups[g];
        civ_snprintf(x[g].name, sizeof x[g].name, "%s", r->name);
        x[g].amount = r->amount, x[g].p5 = r->p5, x[g].p95 = r->p95;
    }
    uncertainty_chart(ctx, "uncertainty_districts", TR(ctx, "各区金额的 P5–P95 相对分配金额的偏差（蒙特卡洛）",
                      "P5–P95 of each district's amount against its allocation (Monte Carlo)"),
                      TR(ctx, "区", "District"), x, d->n_districts);
    free(x);
}

/* The communities whose bands are widest against their amounts, widest first, at most REP_UNC_COMMS of those
 * whose amount moved at all; returns how many (0: no chart, every community's amount the same in every draw). */
size_t rep_uncertainty_widest_comms(const rep_data *d, size_t *idx)
{
    size_t n = 0;
    for (size_t i = 0; i < d->n_comms; i++) {
        double w = band_width(d->comms[i].amount, d->comms[i].p5, d->comms[i].p95);
        if (!(w > 0))
            continue;
        size_t k = n < REP_UNC_COMMS ? n++ : REP_UNC_COMMS; /* insertion into the sorted top list */
        while (k > 0) {
            const rep_comm *c = &d->comms[idx[k - 1]];
            if (band_width(c->amount, c->p5, c->p95) >= w)
                break;
            if (k < REP_UNC_COMMS)
                idx[k] = idx[k - 1];
            k--;
        }
        if (k < REP_UNC_COMMS)
            idx[k] = i;
    }
    return n;
}

/* The communities' widest bands (allocation.csv's p5, p95), labelled name (district). */
void rep_chart_uncertainty_communities(rep_ctx *ctx)
{
    const rep_data *d = ctx->d;
    size_t idx[REP_UNC_COMMS];
    size_t n = rep_uncertainty_widest_comms(d, idx);
    if (!n)
        return;
    unc_band x[REP_UNC_COMMS];
    for (size_t k = 0; k < n; k++) {
        const rep_comm *c = &d->comms[idx[k]];
        civ_snprintf(x[k].name, sizeof x[k].name, TR(ctx, "%s（%s）", "%s (%s)"), c->name[0] ? c->name : c->id,
                     c->district);
        x[k].amount = c->amount, x[k].p5 = c->p5, x[k].p95 = c->p95;
    }
    char title[160];
    civ_snprintf(title, sizeof title,
                 TR(ctx, "P5–P95 最宽的 %zu 个社区（蒙特卡洛）", "The %zu communities with the widest P5–P95 (Monte Carlo)"),
                 n); /* short enough for a phone's width: the axis says the bars are deviations from the amount */
    uncertainty_chart(ctx, "uncertainty_communities", title, TR(ctx, "社区", "Community"), x, n);
}

static double fund_total(const rep_data *d)
{
    const rep_row *r = rep_data_row(d, "total", "budget");
    if (!r)
        r = rep_data_row(d, "budget", "total");
    return r ? r->amount : NAN;
}

/* Need per year (bars), the fund (rule) and the standard's steps (line, right axis). */
static void need_spec(rep_ctx *ctx, const char *name, int with_standard)
{
    const rep_data *d = ctx->d;
    const char *ul;
    double u = rep_unit_big(ctx, &ul), fund = fund_total(d);
    char t[96];
    civ_snprintf(t, sizeof t, TR(ctx, "%s（%s）", "%s (%s)"), TR(ctx, "金额", "Amount"), ul);
    civ_rbuf b = {0};
    rep_spec_begin(ctx, &b, with_standard ? TR(ctx, "多年需求、资金与补贴标准", "Multi-year need, the fund and the subsidy standard")
                                          : TR(ctx, "各年需求与资金", "Need against the fund by year"));
    rep_fluid_width(ctx, &b);
    civ_rbuf_put(&b, ",\"height\":240,\"data\":{\"values\":[");
    for (size_t k = 0; k < d->n_need; k++) {
        civ_rbuf_printf(&b, "%s{\"year\":\"%.0f\"", k ? "," : "", d->need[k].year);
        kv_num(&b, "need", d->need[k].need / u, 0.01);
        kv_num(&b, "fund", fund / u, 0.01);
        kv_num(&b, "gap", (d->need[k].need - fund) / u, 0.01);
        kv_num(&b, "standard", d->need[k].standard, 0.0001);
        kv_num(&b, "demand", d->need[k].demand, 1);
        civ_rbuf_put(&b, "}");
    }
    civ_rbuf_put(&b, "]},\"encoding\":{\"x\":{\"field\":\"year\",\"type\":\"ordinal\",\"title\":");
    civ_rbuf_json_str(&b, TR(ctx, "年度", "Year"));
    civ_rbuf_put(&b, ",\"axis\":{\"labelAngle\":0}},\"tooltip\":[{\"field\":\"year\",\"type\":\"ordinal\",\"title\":");
    civ_rbuf_json_str(&b, TR(ctx, "年度", "Year"));
    civ_rbuf_put(&b, "},");
    char tn[96], tf[96], tg[128]; /* the unit in every amount's title */
    civ_snprintf(tn, sizeof tn, TR(ctx, "%s（%s）", "%s (%s)"), TR(ctx, "需求", "Need"), ul);
    civ_snprintf(tf, sizeof tf, TR(ctx, "%s（%s）", "%s (%s)"), TR(ctx, "资金", "Fund"), ul);
    civ_snprintf(tg, sizeof tg, TR(ctx, "缺口（%s，正为不足）", "Gap (positive = short) (%s)"), ul);
    rep_qfield(&b, "need", tn, ",.2f");
    civ_rbuf_put(&b, ",");
    rep_qfield(&b, "fund", tf, ",.2f");
    civ_rbuf_put(&b, ",");
    rep_qfield(&b, "gap", tg, "+,.2f");
    civ_rbuf_put(&b, ",");
    char lb[160];
    rep_qfield(&b, "standard", rep_standard_label(ctx, lb, sizeof lb, "Standard"), ".2f");
    civ_rbuf_put(&b, ",");
    rep_qfield(&b, "demand", rep_demand_label(ctx, lb, sizeof lb), ",.0f");
    civ_rbuf_put(&b, "]},\"layer\":[{\"layer\":[{\"mark\":{\"type\":\"bar\","
                     "\"color\":\"" REP_BLUE "\",\"width\":{\"band\":0.6}},"
                     "\"encoding\":{\"y\":");
    rep_qfield(&b, "need", t, NULL);
    civ_rbuf_put(&b, "}},{\"mark\":{\"type\":\"line\",\"color\":\"" REP_RED "\",\"strokeDash\":[6,3],\"point\":true},"
                     "\"encoding\":{\"y\":{\"field\":\"fund\",\"type\":\"quantitative\"}}}]}");
    if (with_standard) {
        civ_rbuf_put(&b, ",{\"mark\":{\"type\":\"line\",\"interpolate\":\"step-after\",\"color\":\"" REP_ORANGE "\","
                         "\"point\":true},\"encoding\":{\"y\":");
        rep_qfield(&b, "standard", rep_standard_label(ctx, lb, sizeof lb, "Subsidy standard"), NULL);
        civ_rbuf_put(&b, "}}],\"resolve\":{\"scale\":{\"y\":\"independent\"}}");
    } else {
        civ_rbuf_put(&b, "]");
    }
    rep_chart_emit(ctx, name, &b);
}

void rep_chart_need_vs_fund(rep_ctx *ctx)
{
    if (ctx->d->n_need)
        need_spec(ctx, "summary_need_fund", 0);
}

void rep_chart_need(rep_ctx *ctx)
{
    if (!ctx->d->n_need) {
        rep_para(ctx, TR(ctx, "计划文件没有 [need] 节：未测算多年需求。", "The plan has no [need] section: the multi-year need was not projected."));
        return;
    }
    need_spec(ctx, "need_years", 1);
}

/* The longest bar of a chart counting t's rows by the text of column `col` (those whose column `cd`
 * reads `last`, when cd is not SIZE_MAX): the most rows one value has; the rows when out of memory. */
static size_t most_rows_per_value(const civ_table *t, size_t col, size_t cd, const char *last)
{
    size_t nr = civ_table_n_rows(t), most = 0, k, dup;
    size_t *count = calloc(nr ? nr : 1, sizeof *count);
    civ_strmap seen = {0};
    if (!count)
        return nr;
    for (size_t r = 0; r < nr; r++) {
        const char *v = civ_table_text(t, r, col), *ds = cd == SIZE_MAX ? NULL : civ_table_text(t, r, cd);
        if (cd != SIZE_MAX && (!ds || strcmp(ds, last)))
            continue;
        civ_status s = civ_strmap_put(&seen, v ? v : "", seen.count, &dup);
        k = s == CIV_ERR_DUPLICATE ? dup : s ? nr : seen.count - 1;
        if (k == nr) {
            most = nr;
            break;
        }
        most = ++count[k] > most ? count[k] : most;
    }
    civ_clear_error();
    civ_strmap_free(&seen);
    free(count);
    return most;
}

void rep_chart_monitor(rep_ctx *ctx)
{
    const civ_table *t = ctx->d->t_monitor;
    size_t col;
    if (!t || civ_table_find_column(t, "department", &col) != CIV_OK || civ_table_column_type(t, col) != CIV_COLUMN_TEXT)
        return;
    civ_rbuf b = {0};
    rep_spec_begin(ctx, &b, TR(ctx, "各部门的预警数", "Alerts by department"));
    rep_fluid_width(ctx, &b);
    civ_rbuf_put(&b, ",\"data\":{\"values\":[");
    for (size_t r = 0; r < civ_table_n_rows(t); r++) {
        civ_rbuf_put(&b, r ? ",{\"department\":" : "{\"department\":");
        civ_rbuf_json_str(&b, civ_table_text(t, r, col) ? civ_table_text(t, r, col) : "");
        civ_rbuf_put(&b, "}");
    }
    /* the departments with the most alerts first (they were in text order), named in the tooltip in the page's
     * language (it said "department" on the Chinese page too; 2026-12-07) */
    civ_rbuf_put(&b, "]},\"mark\":\"bar\",\"encoding\":{\"y\":{\"field\":\"department\",\"type\":\"nominal\","
                     "\"title\":null,\"sort\":\"-x\"},\"x\":{\"aggregate\":\"count\",\"type\":\"quantitative\",");
    rep_count_ticks(&b, most_rows_per_value(t, col, SIZE_MAX, NULL));
    civ_rbuf_put(&b, ",\"title\":");
    civ_rbuf_json_str(&b, TR(ctx, "预警（条）", "Alerts (count)"));
    civ_rbuf_put(&b, "},\"tooltip\":[{\"field\":\"department\",\"type\":\"nominal\",\"title\":");
    civ_rbuf_json_str(&b, TR(ctx, "部门", "Department"));
    civ_rbuf_put(&b, "},{\"aggregate\":\"count\",\"type\":\"quantitative\",\"title\":");
    civ_rbuf_json_str(&b, TR(ctx, "预警", "Alerts"));
    civ_rbuf_put(&b, "}]}");
    rep_chart_emit(ctx, "monitoring_departments", &b);
}

/* The statuses of the status table (docs/MONITORING.md) in their order, and
 * their colours on both pages: the scale is fixed because the Chinese words
 * sort in another order than the English ones, which would give "met" the
 * red of Vega's default scheme (the English page keeps its default colours). */
static const char *const STATUS[] = {"met", "missed", "no_data", "no_target", "not_started", "closed"};
/* a miss red, no data grey, not started (a unit added later) the palest; closed (a unit merged away,
 * [[closed]]) a pale violet: not a missing report, and not to be read as one not yet started.  The miss is a
 * dark red so that printed in black and white it stays apart from a met (grey 60 against 112 of 255; the
 * lighter #e45756 was 129, one grey with the blue) and from no data (179). */
static const char *const STATUS_COLOUR[] = {REP_BLUE, REP_RED, "#bab0ac", "#dcdcdc", "#eeeeee", "#d4c4e0"};
enum { N_STATUS = sizeof STATUS / sizeof *STATUS };

static size_t status_rank(const char *st)
{
    size_t k = 0;
    while (k < N_STATUS && strcmp(st, STATUS[k]))
        k++;
    return k;
}

/* Indicator statuses (the status table: indicator, status): count of units by
 * status per indicator, the latest period only when a ds column exists; the
 * bars are labelled with the indicators' names when the table has them
 * (a committee reads 问题解决率, not problem_resolution; the code is in the
 * tooltip). */
void rep_chart_indicators(rep_ctx *ctx)
{
    const civ_table *t = ctx->d->t_status;
    size_t ci, cs, cd, cn;
    if (!t || civ_table_find_column(t, "indicator", &ci) != CIV_OK || civ_table_find_column(t, "status", &cs) != CIV_OK ||
        civ_table_column_type(t, ci) != CIV_COLUMN_TEXT || civ_table_column_type(t, cs) != CIV_COLUMN_TEXT)
        return;
    int has_ds = civ_table_find_column(t, "ds", &cd) == CIV_OK && civ_table_column_type(t, cd) == CIV_COLUMN_TEXT;
    int has_name = civ_table_find_column(t, "name", &cn) == CIV_OK && civ_table_column_type(t, cn) == CIV_COLUMN_TEXT;
    const char *last = "";
    for (size_t r = 0; has_ds && r < civ_table_n_rows(t); r++) {
        const char *v = civ_table_text(t, r, cd);
        if (v && strcmp(v, last) > 0)
            last = v;
    }
    civ_rbuf b = {0};
    rep_spec_begin(ctx, &b, TR(ctx, "各指标达标情况（最近一期）", "Indicators against their targets (latest period)"));
    rep_fluid_width(ctx, &b);
    civ_rbuf_put(&b, ",\"data\":{\"values\":[");
    int first = 1, seen[N_STATUS + 1] = {0};
    for (size_t r = 0; r < civ_table_n_rows(t); r++) {
        const char *v = has_ds ? civ_table_text(t, r, cd) : NULL;
        if (has_ds && (!v || strcmp(v, last)))
            continue;
        const char *code = civ_table_text(t, r, ci) ? civ_table_text(t, r, ci) : "";
        const char *name = has_name ? civ_table_text(t, r, cn) : NULL;
        civ_rbuf_put(&b, first ? "{\"indicator\":" : ",{\"indicator\":");
        first = 0;
        civ_rbuf_json_str(&b, name && name[0] ? name : code);
        civ_rbuf_put(&b, ",\"code\":");
        civ_rbuf_json_str(&b, code);
        civ_rbuf_put(&b, ",\"status\":");
        const char *st = civ_table_text(t, r, cs) ? civ_table_text(t, r, cs) : "";
        civ_rbuf_json_str(&b, rep_word(ctx->zh, "status", st));
        size_t k = status_rank(st);
        seen[k] = 1;
        civ_rbuf_printf(&b, ",\"rank\":%zu}", k);
    }
    civ_rbuf_put(&b, "]},\"mark\":\"bar\",\"encoding\":{\"y\":{\"field\":\"indicator\",\"type\":\"nominal\",\"title\":null},"
                     "\"x\":{\"aggregate\":\"count\",\"type\":\"quantitative\",");
    rep_count_ticks(&b, most_rows_per_value(t, ci, has_ds ? cd : SIZE_MAX, last));
    civ_rbuf_put(&b, ",\"title\":");
    civ_rbuf_json_str(&b, TR(ctx, "单位数", "Units (count)"));
    civ_rbuf_put(&b, "},\"color\":{\"field\":\"status\",\"type\":\"nominal\",\"title\":");
    civ_rbuf_json_str(&b, TR(ctx, "状态", "Status"));
    if (!seen[N_STATUS]) { /* only the statuses of docs/MONITORING.md: their colours, in their order */
        civ_rbuf_put(&b, ",\"scale\":{\"domain\":[");
        for (size_t k = 0, n = 0; k < N_STATUS; k++)
            if (seen[k]) {
                civ_rbuf_put(&b, n++ ? "," : "");
                civ_rbuf_json_str(&b, rep_word(ctx->zh, "status", STATUS[k]));
            }
        civ_rbuf_put(&b, "],\"range\":[");
        for (size_t k = 0, n = 0; k < N_STATUS; k++)
            if (seen[k])
                civ_rbuf_printf(&b, "%s\"%s\"", n++ ? "," : "", STATUS_COLOUR[k]);
        civ_rbuf_put(&b, "]}");
    }
    civ_rbuf_put(&b, "},\"order\":{\"field\":\"rank\"},\"tooltip\":[");
    rep_nfield(&b, "indicator", TR(ctx, "指标", "Indicator"));
    civ_rbuf_put(&b, ",");
    rep_nfield(&b, "code", TR(ctx, "指标代码", "Code"));
    civ_rbuf_put(&b, ",");
    rep_nfield(&b, "status", TR(ctx, "状态", "Status"));
    civ_rbuf_put(&b, ",{\"aggregate\":\"count\",\"type\":\"quantitative\",\"title\":");
    civ_rbuf_json_str(&b, TR(ctx, "单位数", "Units"));
    civ_rbuf_put(&b, "}]}");
    rep_chart_emit(ctx, "monitoring_indicators", &b);
}
