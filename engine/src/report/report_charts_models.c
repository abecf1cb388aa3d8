/*
 * report_charts_models.c -- layer report: the model mix of the demand
 * section, by model family.
 *
 * The default model is a median combination of five members, and each member
 * picks its own specification per community (ARIMA alone takes some eighty
 * orders on the demo city), so a chart by specification is a long tail; by
 * family it reads at a glance.  A bar is the number of communities whose
 * model draws on the family (a combination counts under the family of each
 * of its components; a community counts once per family however many of its
 * components are of it), the family's most common specifications are in
 * the tooltip and in the table below the chart, and a sentence above it
 * names the most common models as a whole.  Families follow rep_model_family, so a
 * damped-trend ETS is "DampedETS", not "ETS".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "report_page.h"
#include "report_palette.h"
#include "report_text.h"
#include "strmap.h"

#define MIX_BARS 20 /* families drawn; more (only made-up model names) are summed into "other" */
#define MIX_TOP 3   /* specifications named per family, and models named in the sentence */

typedef struct mix_item {  /* a family, a specification or a whole model */
    char *name;            /* owned: the maps' keys point here */
    size_t comms;          /* communities counted */
    size_t stamp;          /* the last community counted (1-based), to count each once */
    size_t fam;            /* specifications: index of the family */
    size_t n_specs;        /* families: specifications seen */
    size_t top[MIX_TOP];   /* families: the most common specifications, best first */
    size_t n_top;
} mix_item;

typedef struct mix_set {
    mix_item *v;
    size_t n, cap;
    civ_strmap map;
} mix_set;

typedef struct mix {
    mix_set fams, specs, models;
    size_t comm;           /* stamp of the community being counted */
    size_t n_comms;        /* communities with a model */
    size_t other_comms;    /* communities drawing on a family past MIX_BARS (second pass) */
    int in_other;          /* second pass: the current community already counted there */
    int failed;
} mix;

/* The item named `name` in s (added when new, *added then set): its index,
 * or (size_t)-1 when out of memory. */
static size_t mix_find(mix_set *s, const char *name, int *added)
{
    size_t i;
    *added = 0;
    if (civ_strmap_get(&s->map, name, &i))
        return i;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        mix_item *v = realloc(s->v, cap * sizeof *v);
        if (!v)
            return (size_t)-1;
        s->v = v, s->cap = cap;
    }
    char *copy = malloc(strlen(name) + 1);
    if (!copy)
        return (size_t)-1;
    strcpy(copy, name);
    size_t dup;
    if (civ_strmap_put(&s->map, copy, s->n, &dup)) {
        free(copy);
        return (size_t)-1;
    }
    s->v[s->n] = (mix_item){.name = copy};
    *added = 1;
    return s->n++;
}

static void mix_set_free(mix_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i].name);
    free(s->v);
    civ_strmap_free(&s->map);
}

/* Counts once per community: the stamp says whether it was counted already. */
static void count_once(mix_item *it, size_t comm)
{
    if (it->stamp != comm)
        it->stamp = comm, it->comms++;
}

/* One component of the community being counted: its specification (the
 * short form: "ARIMA(0,1,1) with drift" -> "ARIMA(0,1,1)") and its family. */
static void count_component(const char *component, void *arg)
{
    mix *m = arg;
    char spec[96], fam[64];
    rep_short_model(spec, sizeof spec, component);
    rep_model_family(fam, sizeof fam, spec);
    int added;
    size_t f = mix_find(&m->fams, fam, &added);
    size_t s = f == (size_t)-1 ? f : mix_find(&m->specs, spec, &added);
    if (s == (size_t)-1) {
        m->failed = 1;
        return;
    }
    if (added) { /* one more specification of the family */
        m->specs.v[s].fam = f;
        m->fams.v[f].n_specs++;
    }
    count_once(&m->fams.v[f], m->comm);
    count_once(&m->specs.v[s], m->comm);
}

/* Second pass: counts the community in "other" when a component's family is
 * past the bars (the families are sorted by then; the map gives the rank). */
static void count_other(const char *component, void *arg)
{
    mix *m = arg;
    char spec[96], fam[64];
    size_t f;
    rep_short_model(spec, sizeof spec, component);
    rep_model_family(fam, sizeof fam, spec);
    if (!m->in_other && civ_strmap_get(&m->fams.map, fam, &f) && f >= MIX_BARS)
        m->in_other = 1, m->other_comms++;
}

static int by_count(const void *a, const void *b)
{
    const mix_item *x = a, *y = b;
    if (x->comms != y->comms)
        return x->comms < y->comms ? 1 : -1;
    return strcmp(x->name, y->name);
}

/* Sorts s by count (most first, then by name) and points its map at the new
 * places.  Returns 1 when done, 0 when out of memory. */
static int mix_sort(mix_set *s)
{
    if (s->n) /* an empty set has no array, and qsort's must not be NULL */
        qsort(s->v, s->n, sizeof *s->v, by_count);
    civ_strmap_free(&s->map);
    size_t dup;
    for (size_t i = 0; i < s->n; i++)
        if (civ_strmap_put(&s->map, s->v[i].name, i, &dup))
            return 0;
    return 1;
}

/* Counts the communities' models into m: families, specifications, models,
 * sorted by count; each family's MIX_TOP most common specifications.
 * Returns 1 when done, 0 when out of memory. */
static int mix_count(const rep_data *d, mix *m)
{
    for (size_t i = 0; i < d->n_comms && !m->failed; i++) {
        const char *model = d->comms[i].model;
        if (!model[0])
            continue;
        m->comm = i + 1;
        m->n_comms++;
        rep_model_components(model, count_component, m);
        char shown[160];
        rep_short_model(shown, sizeof shown, model);
        int added;
        size_t k = mix_find(&m->models, shown, &added);
        if (k == (size_t)-1)
            m->failed = 1;
        else
            count_once(&m->models.v[k], m->comm);
    }
    if (m->failed)
        return 0;
    /* the specifications sorted first, so each family's walk meets its best ones first */
    size_t *fam_of = malloc((m->fams.n + 1) * sizeof *fam_of);
    char **name_of = malloc((m->fams.n + 1) * sizeof *name_of);
    if (!fam_of || !name_of || !mix_sort(&m->specs) || !mix_sort(&m->models)) {
        free(fam_of), free(name_of);
        return 0;
    }
    for (size_t f = 0; f < m->fams.n; f++)
        name_of[f] = m->fams.v[f].name;
    if (!mix_sort(&m->fams)) {
        free(fam_of), free(name_of);
        return 0;
    }
    for (size_t f = 0; f < m->fams.n; f++) /* old family index -> new */
        civ_strmap_get(&m->fams.map, name_of[f], &fam_of[f]);
    for (size_t s = 0; s < m->specs.n; s++) {
        mix_item *fi = &m->fams.v[fam_of[m->specs.v[s].fam]];
        m->specs.v[s].fam = fam_of[m->specs.v[s].fam];
        if (fi->n_top < MIX_TOP)
            fi->top[fi->n_top++] = s;
    }
    free(fam_of), free(name_of);
    if (m->fams.n > MIX_BARS)
        for (size_t i = 0; i < d->n_comms; i++)
            if (d->comms[i].model[0]) {
                m->in_other = 0;
                rep_model_components(d->comms[i].model, count_other, m);
            }
    return 1;
}

static void mix_free(mix *m)
{
    mix_set_free(&m->fams), mix_set_free(&m->specs), mix_set_free(&m->models);
}

/* "ARIMA(0,1,0) (246), ARIMA(0,1,1) (89)": a family's most common
 * specifications with their communities; "" past the bars. */
static void top_specs(const rep_ctx *ctx, const mix *m, size_t f, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    if (f >= m->fams.n)
        return;
    const mix_item *fi = &m->fams.v[f];
    for (size_t k = 0; k < fi->n_top && used < size; k++) {
        const mix_item *s = &m->specs.v[fi->top[k]];
        char n[32];
        rep_fmt_num(n, sizeof n, (double)s->comms, 0);
        used += (size_t)civ_snprintf(buf + used, size - used, TR(ctx, "%s%s（%s）", "%s%s (%s)"),
                                     k ? TR(ctx, "、", ", ") : "", s->name, n);
    }
}

static double pct(size_t part, size_t whole)
{
    return whole ? 100.0 * (double)part / (double)whole : 0;
}

/* The longest bar: the most communities of a family shown, or of the other families together. */
static size_t other_max(const mix *m, size_t bars)
{
    size_t most = m->fams.n > MIX_BARS ? m->other_comms : 0;
    for (size_t f = 0; f < bars; f++)
        most = m->fams.v[f].comms > most ? m->fams.v[f].comms : most;
    return most;
}

static void mix_spec(rep_ctx *ctx, const mix *m)
{
    size_t bars = m->fams.n < MIX_BARS ? m->fams.n : MIX_BARS;
    civ_rbuf b = {0};
    char top[1024];
    rep_spec_begin(ctx, &b, TR(ctx, "模型构成（按模型族：预测用到该族模型的社区数）",
                              "Model mix (by family: the communities whose forecast uses a model of the family)"));
    rep_fluid_width(ctx, &b);
    civ_rbuf_put(&b, ",\"data\":{\"values\":[");
    for (size_t f = 0; f <= bars; f++) {
        int other = f == bars;
        if (other && m->fams.n <= MIX_BARS)
            break;
        size_t comms = other ? m->other_comms : m->fams.v[f].comms, n_specs = 0;
        for (size_t g = bars; other && g < m->fams.n; g++)
            n_specs += m->fams.v[g].n_specs;
        if (other) {
            char n[32];
            rep_fmt_num(n, sizeof n, (double)(m->fams.n - bars), 0);
            civ_snprintf(top, sizeof top, TR(ctx, "另外 %s 个模型族", "%s more families"), n);
        } else {
            top_specs(ctx, m, f, top, sizeof top);
        }
        civ_rbuf_put(&b, f ? ",{\"family\":" : "{\"family\":");
        civ_rbuf_json_str(&b, other ? TR(ctx, "其他", "other") : m->fams.v[f].name);
        civ_rbuf_printf(&b, ",\"communities\":%zu,\"share\":", comms);
        civ_rbuf_json_num(&b, round(10 * pct(comms, m->n_comms)) / 10);
        civ_rbuf_printf(&b, ",\"specs\":%zu,\"top\":", other ? n_specs : m->fams.v[f].n_specs);
        civ_rbuf_json_str(&b, top);
        civ_rbuf_put(&b, "}");
    }
    /* bars in data order (most communities first) with their count at the
     * end, for a printed page; one tooltip for both */
    civ_rbuf_put(&b, "]},\"encoding\":{\"y\":{\"field\":\"family\",\"type\":\"nominal\",\"sort\":null,\"title\":");
    civ_rbuf_json_str(&b, TR(ctx, "模型族", "Family"));
    civ_rbuf_put(&b, "},\"x\":");
    size_t most = other_max(m, bars);
    rep_count_axis(&b, "communities", TR(ctx, "社区数（个）", "Communities (count)"), most);
    civ_rbuf_put(&b, ",\"tooltip\":[");
    rep_nfield(&b, "family", TR(ctx, "模型族", "Family"));
    civ_rbuf_put(&b, ",");
    rep_qfield(&b, "communities", TR(ctx, "社区数", "Communities"), ",.0f");
    civ_rbuf_put(&b, ",");
    rep_qfield(&b, "share", TR(ctx, "占有模型社区的比例（%）", "Share of the communities with a model (%)"), ".1f");
    civ_rbuf_put(&b, ",");
    rep_qfield(&b, "specs", TR(ctx, "具体规格数", "Specifications"), NULL);
    civ_rbuf_put(&b, ",");
    rep_nfield(&b, "top", TR(ctx, "最常见的规格（社区数）", "Most common specifications (communities)"));
    civ_rbuf_put(&b, "]},\"layer\":[{\"mark\":{\"type\":\"bar\",\"color\":\"" REP_BLUE "\"}},"
                     "{\"mark\":{\"type\":\"text\",\"align\":\"left\",\"dx\":3,\"color\":\"#333\"},"
                     "\"encoding\":{\"text\":");
    rep_qfield(&b, "communities", TR(ctx, "社区数", "Communities"), ",.0f");
    civ_rbuf_put(&b, "}}]");
    rep_chart_emit(ctx, "model_mix", &b);
}

/* The table below the chart: each family with its share and its most common
 * specifications (what the tooltip shows, for a printed page). */
static void mix_table(rep_ctx *ctx, const mix *m)
{
    civ_rbuf *b = &ctx->page;
    const char *heads[] = {TR(ctx, "模型族", "Family"), TR(ctx, "社区数", "Communities"),
                           TR(ctx, "占比", "Share"), TR(ctx, "具体规格数", "Specifications"),
                           TR(ctx, "最常见的规格（社区数）", "Most common specifications (communities)")};
    civ_rbuf_put(b, "<div class=\"tbl\"><table class=\"data\" id=\"model-mix-table\"><thead><tr>");
    for (size_t k = 0; k < sizeof heads / sizeof *heads; k++) {
        civ_rbuf_put(b, "<th>");
        civ_rbuf_html(b, heads[k]);
        civ_rbuf_put(b, "</th>");
    }
    civ_rbuf_put(b, "</tr></thead><tbody>\n");
    char buf[64], top[1024];
    for (size_t f = 0; f < m->fams.n && f < MIX_BARS; f++) {
        const mix_item *fi = &m->fams.v[f];
        civ_rbuf_put(b, "<tr>");
        rep_cell(b, fi->name, 0);
        rep_fmt_num(buf, sizeof buf, (double)fi->comms, 0), rep_cell(b, buf, 1);
        rep_fmt_pct(buf, sizeof buf, pct(fi->comms, m->n_comms), 0), rep_cell(b, buf, 1);
        rep_fmt_num(buf, sizeof buf, (double)fi->n_specs, 0), rep_cell(b, buf, 1);
        top_specs(ctx, m, f, top, sizeof top), rep_cell(b, top, 0);
        civ_rbuf_put(b, "</tr>\n");
    }
    civ_rbuf_put(b, "</tbody></table></div>\n");
}

/* The most common models as a whole ("Median(ETS, ARIMA, Theta, DampedETS,
 * DOTM)" for 1,000 communities, ...), which the family bars cannot say. */
static void mix_models_text(rep_ctx *ctx, const mix *m)
{
    char text[2048], n[32], all[32];
    size_t used = 0;
    rep_fmt_num(all, sizeof all, (double)m->n_comms, 0);
    used += (size_t)civ_snprintf(text, sizeof text, TR(ctx, "最常见的模型（共 %s 个有模型的社区）：", "The most common models (of the %s communities with a model): "),
                                 all);
    for (size_t k = 0; k < m->models.n && k < MIX_TOP && used < sizeof text; k++) {
        rep_fmt_num(n, sizeof n, (double)m->models.v[k].comms, 0);
        used += (size_t)civ_snprintf(text + used, sizeof text - used, TR(ctx, "%s%s（%s 个）", "%s%s (%s)"),
                                     k ? TR(ctx, "，", ", ") : "", m->models.v[k].name, n);
    }
    if (m->models.n > MIX_TOP && used < sizeof text) {
        rep_fmt_num(n, sizeof n, (double)(m->models.n - MIX_TOP), 0);
        used += (size_t)civ_snprintf(text + used, sizeof text - used, TR(ctx, "，另有 %s 种", "; %s others"), n);
    }
    if (used < sizeof text)
        civ_snprintf(text + used, sizeof text - used, "%s", TR(ctx, "。", "."));
    rep_para(ctx, text);
}

/* What each family name means, for readers who are not forecasters: one
 * entry per family the mix holds (names as rep_model_family gives them). */
static const struct {
    const char *family, *zh, *en;
} glossary[] = {
    {"ETS", "指数平滑（按误差、趋势、季节三部分逐期更新）", "exponential smoothing (error, trend and season updated period by period)"},
    {"DampedETS", "趋势逐渐放缓的指数平滑", "exponential smoothing whose trend flattens out"},
    {"ARIMA", "自回归积分滑动平均模型（用过去的值和误差预测）", "autoregressive integrated moving average (past values and errors)"},
    {"Regression", "带 ARIMA 误差的回归（使用协变量）", "regression on the covariates with ARIMA errors"},
    {"Theta", "Theta 法（趋势直线与指数平滑的组合）", "the Theta method (a trend line combined with exponential smoothing)"},
    {"STM", "标准 Theta 模型", "the standard Theta model"},
    {"OTM", "优化 Theta 模型", "the optimised Theta model"},
    {"DSTM", "动态标准 Theta 模型", "the dynamic standard Theta model"},
    {"DOTM", "动态优化 Theta 模型（趋势随新数据调整）", "the dynamic optimised Theta model (its trend adapts to new data)"},
    {"AutoTheta", "在几种 Theta 模型中自动选择", "the best of several Theta models"},
    {"TSB", "间歇需求模型（分别预测有需求的概率和需求量）", "intermittent demand (the chance of demand and its size, apart)"},
    {"Croston", "间歇需求的 Croston 法", "Croston's method for intermittent demand"},
    {"SBA", "Croston 法的偏差修正形式", "Croston's method with its bias correction"},
    {"ADIDA", "先按时间合并再预测的间歇需求方法", "intermittent demand forecast after aggregating over time"},
    {"IMAPA", "多种时间合并水平的平均", "the average over several levels of aggregation over time"},
    {"Naive", "朴素法（沿用最近一期）", "naive (the last value carried forward)"},
    {"SNaive", "季节朴素法（沿用上年同期）", "seasonal naive (the same period a year before)"},
    {"Drift", "漂移法（沿首末两期连线外推）", "drift (the line through the first and last values, extended)"},
    {"Mean", "历史均值", "the historic mean"},
};

/* "Model names: ETS is ...; ARIMA is ...": the families shown, in the mix's
 * order, and what a combination's name means when there is one. */
static void mix_glossary(rep_ctx *ctx, const mix *m)
{
    char text[4096];
    size_t used = (size_t)civ_snprintf(text, sizeof text, "%s", TR(ctx, "模型说明：", "What the names mean: "));
    int any = 0;
    for (size_t k = 0; k < m->models.n && used < sizeof text; k++)
        if (!strncmp(m->models.v[k].name, "Median(", 7) || !strncmp(m->models.v[k].name, "Mean(", 5)) {
            used += (size_t)civ_snprintf(text + used, sizeof text - used, "%s",
                                         TR(ctx, "Median(…) 和 Mean(…) 是括号中各模型预测的中位数和平均数（组合预测，比单个模型更稳）",
                                            "Median(...) and Mean(...) are the median and the mean of the forecasts of "
                                            "the models in brackets (a combination, steadier than any one model)"));
            any = 1;
            break;
        }
    for (size_t f = 0; f < m->fams.n && used < sizeof text; f++)
        for (size_t g = 0; g < sizeof glossary / sizeof *glossary; g++)
            if (!strcmp(m->fams.v[f].name, glossary[g].family)) {
                used += (size_t)civ_snprintf(text + used, sizeof text - used, "%s%s%s%s", any ? TR(ctx, "；", "; ") : "",
                                             glossary[g].family, TR(ctx, " 为", " is "),
                                             TR(ctx, glossary[g].zh, glossary[g].en));
                any = 1;
                break;
            }
    if (!any)
        return; /* only names of the user's own models: nothing to explain */
    if (used < sizeof text)
        civ_snprintf(text + used, sizeof text - used, "%s", TR(ctx, "。", "."));
    rep_para(ctx, text);
}

void rep_chart_model_mix(rep_ctx *ctx)
{
    mix m = {0};
    if (!mix_count(ctx->d, &m)) {
        mix_free(&m);
        ctx->page.failed = 1;
        return;
    }
    if (!m.n_comms) {
        rep_para(ctx, TR(ctx, "没有模型报告（forecast_report.csv）。", "No model report (forecast_report.csv)."));
        mix_free(&m);
        return;
    }
    mix_models_text(ctx, &m);
    mix_glossary(ctx, &m);
    mix_spec(ctx, &m);
    mix_table(ctx, &m);
    mix_free(&m);
}
