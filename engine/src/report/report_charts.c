/*
 * report_charts.c -- layer report: the Vega-Lite specs of the plan report.
 *
 * Each builder turns rep_data into one plain Vega-Lite v5 spec with its data
 * inline (so the JSON file in OUTDIR/charts/ stands alone for researchers)
 * and hands it to rep_chart_emit.  Aggregation happens here, in C, so the
 * specs hold only the numbers shown; money is scaled to the display unit of
 * the language and the plan's currency (万元 / CNY million at district level).
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

static void key(civ_rbuf *b, const char *k)
{
    civ_rbuf_json_str(b, k);
    civ_rbuf_put(b, ":");
}

/* "field":"f","type":"quantitative","title":t,"format":fmt as a tooltip or channel. */
void rep_qfield(civ_rbuf *b, const char *field, const char *title, const char *format)
{
    civ_rbuf_put(b, "{\"field\":");
    civ_rbuf_json_str(b, field);
    civ_rbuf_put(b, ",\"type\":\"quantitative\",\"title\":");
    civ_rbuf_json_str(b, title);
    if (format) {
        civ_rbuf_put(b, ",\"format\":");
        civ_rbuf_json_str(b, format);
    }
    civ_rbuf_put(b, "}");
}

void rep_count_ticks(civ_rbuf *b, size_t max)
{
    /* Vega-Lite 5.23 drops an axis's tickMinStep when it compiles (the Vega spec keeps only its
     * tickCount, ceil(width/40)), so 0..5 communities got ticks 0, 0.2, 0.4, ... read "0 0 0 1 1 1"
     * under ",d".  Asking for at most `max` ticks (d3's ticks then step by 1, 2, 5, 10, ...: whole
     * numbers) gives each whole number once. */
    size_t n = max < 1 ? 1 : max > 10 ? 10 : max;
    civ_rbuf_printf(b, "\"axis\":{\"format\":\",d\",\"tickCount\":%zu}", n);
}

void rep_count_axis(civ_rbuf *b, const char *field, const char *title, size_t max)
{
    civ_rbuf_put(b, "{\"field\":");
    civ_rbuf_json_str(b, field);
    civ_rbuf_put(b, ",\"type\":\"quantitative\",");
    rep_count_ticks(b, max);
    civ_rbuf_put(b, ",\"title\":");
    civ_rbuf_json_str(b, title);
    civ_rbuf_put(b, "}");
}

void rep_nfield(civ_rbuf *b, const char *field, const char *title)
{
    civ_rbuf_put(b, "{\"field\":");
    civ_rbuf_json_str(b, field);
    civ_rbuf_put(b, ",\"type\":\"nominal\",\"title\":");
    civ_rbuf_json_str(b, title);
    civ_rbuf_put(b, "}");
}

double rep_unit_big(const rep_ctx *ctx, const char **label)
{
    *label = ctx->d->money_unit[1][ctx->zh ? 1 : 0]; /* 万元, 万美元; CNY million, USD million */
    return ctx->zh ? 1e4 : 1e6;
}

const char *rep_money_label(const rep_ctx *ctx, char *buf, size_t size, int big, const char *zh_fmt,
                            const char *en_fmt)
{
    civ_snprintf(buf, size, ctx->zh ? zh_fmt : en_fmt, ctx->d->money_unit[big ? 1 : 0][ctx->zh ? 1 : 0]);
    return buf;
}


/* ---- demand ------------------------------------------------------------- */

/* The words and formats of the demand's periods, by frequency ([0] English,
 * [1] Chinese): the x axis's title, time unit, tick interval and label
 * format, the tooltip's format, and the period of a per-period unit. */
typedef struct freq_text {
    civ_frequency freq;
    const char *time_unit, *ticks; /* Vega-Lite timeUnit and axis tickCount (NULL: Vega's choice) */
    const char *axis[2], *tip[2], *title[2], *per[2], *many[2];
    int per_year;
} freq_text;

static const freq_text FREQ_TEXT[] = {
    {CIV_FREQ_YEARLY, "utcyear", "{\"interval\":\"year\",\"step\":1}", {"%Y", "%Y"}, {"%Y", "%Y 年"},
     {"Year", "年份"}, {"year", "年"}, {"years", "年份"}, 1},
    {CIV_FREQ_QUARTERLY, "utcyearquarter", "{\"interval\":\"year\",\"step\":1}", {"%Y-Q%q", "%Y 年"},
     {"%Y-Q%q", "%Y 年第 %q 季度"}, {"Quarter", "季度"}, {"quarter", "季度"}, {"quarters", "季度"}, 4},
    {CIV_FREQ_MONTHLY, "utcyearmonth", NULL, {"%Y-%m", "%Y-%m"}, {"%Y-%m", "%Y 年 %-m 月"}, {"Month", "月份"},
     {"month", "月"}, {"months", "月份"}, 12},
    {CIV_FREQ_WEEKLY, "utcyearmonthdate", NULL, {"%Y-%m-%d", "%Y-%m-%d"}, {"%Y-%m-%d", "%Y 年 %-m 月 %-d 日"},
     {"Week ending", "周（截至当日）"}, {"week", "周"}, {"weeks", "周"}, 52},
    {CIV_FREQ_DAILY, "utcyearmonthdate", NULL, {"%Y-%m-%d", "%Y-%m-%d"}, {"%Y-%m-%d", "%Y 年 %-m 月 %-d 日"},
     {"Date", "日期"}, {"day", "日"}, {"days", "天"}, 365},
    /* periods the report could not read as dates: shown as written, a year taken as 12 of them as before */
    {CIV_FREQ_UNKNOWN, NULL, NULL, {NULL, NULL}, {NULL, NULL}, {"Period", "期"}, {"period", "期"}, {"periods", "期"},
     12},
};

static const freq_text *freq_of(const rep_data *d)
{
    size_t k = 0;
    while (FREQ_TEXT[k].freq != CIV_FREQ_UNKNOWN && FREQ_TEXT[k].freq != d->freq)
        k++;
    return &FREQ_TEXT[k];
}

const char *rep_period_word(const rep_ctx *ctx, int plural)
{
    const freq_text *f = freq_of(ctx->d);
    return plural ? f->many[ctx->zh] : f->per[ctx->zh];
}

int rep_periods_per_year(const rep_data *d)
{
    return freq_of(d)->per_year;
}

const char *rep_demand_label(const rep_ctx *ctx, char *buf, size_t size)
{
    if (ctx->unit[0])
        civ_snprintf(buf, size, TR(ctx, "需求量（%s）", "Demand (%s)"), ctx->unit);
    else
        civ_snprintf(buf, size, "%s", TR(ctx, "需求量", "Demand"));
    return buf;
}

const char *rep_standard_label(const rep_ctx *ctx, char *buf, size_t size, const char *en_word)
{
    const char *money = ctx->d->money_unit[0][ctx->zh];
    if (ctx->unit[0])
        civ_snprintf(buf, size, ctx->zh ? "补贴标准（%s/%s）" : "%s (%s per %s)", ctx->zh ? money : en_word,
                     ctx->zh ? ctx->unit : money, ctx->unit);
    else
        civ_snprintf(buf, size, ctx->zh ? "补贴标准（%s/单位）" : "%s (%s per unit)", ctx->zh ? money : en_word, money);
    return buf;
}

void rep_period_text(const rep_ctx *ctx, const char *ds, char *buf, size_t size)
{
    civ_date_form form;
    int64_t v;
    int parsed = ctx->zh && ds && !civ_date_parse(ds, strlen(ds), &form, &v);
    if (parsed && form == CIV_DATE_QUARTER)
        civ_snprintf(buf, size, "%lld 年第 %d 季度", (long long)(v / 4), (int)(v % 4) + 1);
    else if (parsed && form == CIV_DATE_YEAR)
        civ_snprintf(buf, size, "%lld 年", (long long)v);
    else
        civ_snprintf(buf, size, "%s", ds ? ds : "");
    civ_clear_error();
}

/* The x value of a row: when the periods are dates of a known frequency, the
 * first day of the period ("2024-Q3" -> "2024-07-01", "2024" -> "2024-01-01")
 * or the day itself without a time, which Vega reads as UTC; else the text. */
static void ds_value(const rep_data *d, civ_rbuf *b, const char *group_key, const char *group, const char *ds)
{
    civ_rbuf_put(b, "{");
    if (group_key) {
        key(b, group_key);
        civ_rbuf_json_str(b, group);
        civ_rbuf_put(b, ",");
    }
    key(b, "ds");
    civ_date_form form;
    int64_t v;
    char day[32] = "";
    if (d->freq != CIV_FREQ_UNKNOWN && !civ_date_parse(ds, strlen(ds), &form, &v)) {
        long long y = form == CIV_DATE_YEAR ? v : form == CIV_DATE_QUARTER ? v / 4 : v / 12;
        int m = form == CIV_DATE_YEAR ? 1 : form == CIV_DATE_QUARTER ? (int)(v % 4) * 3 + 1 : (int)(v % 12) + 1;
        if (form == CIV_DATE_DAY) {
            if (civ_period_format(CIV_FREQ_DAILY, 0, v, day, sizeof day))
                day[0] = 0;
        } else
            civ_snprintf(day, sizeof day, "%04lld-%02d-01", y, m);
    }
    civ_clear_error();
    civ_rbuf_json_str(b, day[0] ? day : ds);
}

/* One band row: x, mean and the 80/95% bounds (+ an optional group). */
static void band_row(const rep_data *d, civ_rbuf *b, const char *group_key, const char *group, const char *ds,
                     const double v[5])
{
    ds_value(d, b, group_key, group, ds);
    static const char *const names[5] = {"mean", "lo80", "hi80", "lo95", "hi95"};
    for (int k = 0; k < 5; k++) {
        civ_rbuf_printf(b, ",\"%s\":", names[k]);
        civ_rbuf_json_num(b, round(v[k] * 10) / 10);
    }
    civ_rbuf_put(b, "}");
}

/* One history row: x and the actual value (history.csv). */
static void actual_row(const rep_data *d, civ_rbuf *b, const char *group_key, const char *group, const char *ds,
                       double y)
{
    ds_value(d, b, group_key, group, ds);
    civ_rbuf_put(b, ",\"actual\":");
    civ_rbuf_json_num(b, round(y * 10) / 10);
    civ_rbuf_put(b, "}");
}

/* The x channel (axis 1), or the x entry of a tooltip (axis 0): a time
 * axis in the demand's periods, labelled in them (2024-Q1, 2024 年第 1
 * 季度), or the periods as written when their frequency is not known. */
static void ds_field(const rep_ctx *ctx, civ_rbuf *b, int axis)
{
    const freq_text *f = freq_of(ctx->d);
    civ_rbuf_put(b, "{\"field\":\"ds\",");
    if (f->time_unit) {
        civ_rbuf_printf(b, "\"type\":\"temporal\",\"timeUnit\":\"%s\",", f->time_unit);
        if (axis) {
            civ_rbuf_put(b, "\"axis\":{\"format\":");
            civ_rbuf_json_str(b, f->axis[ctx->zh]);
            if (f->ticks) /* a tick a year, no label past the panel: a quarter's label is long for a small panel */
                civ_rbuf_printf(b, ",\"tickCount\":%s,\"labelOverlap\":true,\"labelBound\":true", f->ticks);
            civ_rbuf_put(b, "},");
        } else {
            civ_rbuf_put(b, "\"format\":");
            civ_rbuf_json_str(b, f->tip[ctx->zh]);
            civ_rbuf_put(b, ",");
        }
    } else
        civ_rbuf_put(b, "\"type\":\"ordinal\",");
    civ_rbuf_put(b, "\"title\":");
    civ_rbuf_json_str(b, f->title[ctx->zh]);
    civ_rbuf_put(b, "}");
}

/* One interval's layer of a band chart: an area from lo<level> to hi<level> (a "95% low" and "95% high"
 * tooltip), of the given opacity, and the comma before the next layer. */
static void interval_band(const rep_ctx *ctx, civ_rbuf *b, const char *y, const char *opacity, int level)
{
    char lo[16], hi[16], lo_title[48], hi_title[48];
    civ_snprintf(lo, sizeof lo, "lo%d", level);
    civ_snprintf(hi, sizeof hi, "hi%d", level);
    civ_snprintf(lo_title, sizeof lo_title, TR(ctx, "%d%% 下限", "%d%% low"), level);
    civ_snprintf(hi_title, sizeof hi_title, TR(ctx, "%d%% 上限", "%d%% high"), level);
    civ_rbuf_printf(b, "{\"mark\":{\"type\":\"area\",\"opacity\":%s,\"color\":\"" REP_BLUE "\"},\"encoding\":{\"y\":",
                    opacity);
    rep_qfield(b, lo, y, NULL);
    civ_rbuf_printf(b, ",\"y2\":{\"field\":\"%s\"},\"tooltip\":[", hi);
    ds_field(ctx, b, 0);
    civ_rbuf_put(b, ",");
    rep_qfield(b, lo, lo_title, ",.0f");
    civ_rbuf_put(b, ",");
    rep_qfield(b, hi, hi_title, ",.0f");
    civ_rbuf_put(b, "]}},");
}

/* The layers of a band chart over rows made by band_row and actual_row: the
 * actuals (a grey line, when `history`), the 95% and 80% bands and the
 * forecast mean, each mark with its own tooltip. */
static void band_layers(const rep_ctx *ctx, civ_rbuf *b, int history)
{
    /* the series' unit when the plan states it ([forecast] unit: 需求（人次/月）), else none is claimed; per
     * period of the data (月, 季度, 年, ...) */
    char y[160];
    const char *per = rep_period_word(ctx, 0);
    if (ctx->unit[0])
        civ_snprintf(y, sizeof y, TR(ctx, "需求（%s/%s）", "Demand (%s per %s)"), ctx->unit, per);
    else
        civ_snprintf(y, sizeof y, TR(ctx, "需求（每%s，单位同输入数据）", "Demand per %s (the data's unit)"), per);
    civ_rbuf_put(b, "\"encoding\":{\"x\":");
    ds_field(ctx, b, 1);
    civ_rbuf_put(b, "},\"layer\":[");
    if (history) {
        civ_rbuf_put(b, "{\"mark\":{\"type\":\"line\",\"color\":\"#555\",\"strokeWidth\":1.5,\"point\":{\"size\":8,"
                        "\"color\":\"#555\"}},\"encoding\":{\"y\":");
        rep_qfield(b, "actual", y, NULL);
        civ_rbuf_put(b, ",\"tooltip\":[");
        ds_field(ctx, b, 0);
        civ_rbuf_put(b, ",");
        rep_qfield(b, "actual", TR(ctx, "实际值", "Actual"), ",.0f");
        civ_rbuf_put(b, "]}},");
    }
    interval_band(ctx, b, y, "0.2", 95);
    interval_band(ctx, b, y, "0.35", 80);
    civ_rbuf_put(b, "{\"mark\":{\"type\":\"line\",\"color\":\"" REP_DARK "\",\"point\":{\"size\":10,"
                    "\"color\":\"" REP_DARK "\"}},\"encoding\":{\"y\":");
    rep_qfield(b, "mean", y, NULL);
    civ_rbuf_put(b, ",\"tooltip\":[");
    ds_field(ctx, b, 0);
    static const char *const f[5] = {"mean", "lo80", "hi80", "lo95", "hi95"};
    const char *t[5] = {TR(ctx, "预测均值", "Forecast mean"), TR(ctx, "80% 下限", "80% low"), TR(ctx, "80% 上限", "80% high"),
                        TR(ctx, "95% 下限", "95% low"), TR(ctx, "95% 上限", "95% high")};
    for (int k = 0; k < 5; k++) {
        civ_rbuf_put(b, ",");
        rep_qfield(b, f[k], t[k], ",.0f");
    }
    civ_rbuf_put(b, "]}}]");
}

/* The summed actuals of the communities in `group` (district index, or
 * (size_t)-1 = all) per period: the sum of the communities observed in the
 * period, for the periods at least half of the communities with a history
 * were observed in (the windows of series that ended long ago, or a sum of a
 * few, would read as a drop).  Returns 1 when a row was written. */
typedef struct hsum {
    const char *ds;
    double y;
    size_t n;
} hsum;

static int by_ds(const void *a, const void *b)
{
    return strcmp(((const hsum *)a)->ds, ((const hsum *)b)->ds);
}

static int hist_sums(const rep_data *d, size_t group, civ_rbuf *b, const char *gkey, const char *gname, int *first)
{
    hsum *v = calloc(d->n_hist + 1, sizeof *v);
    unsigned char *seen = calloc(d->n_comms + 1, 1);
    civ_strmap map = {0};
    size_t n = 0, members = 0, dup;
    int wrote = 0;
    if (!v || !seen) {
        b->failed = 1;
        goto done;
    }
    for (size_t r = 0; r < d->n_hist; r++) {
        const rep_hist *h = &d->hist[r];
        if (group != (size_t)-1 && d->comms[h->comm].district_index != group)
            continue;
        members += !seen[h->comm];
        seen[h->comm] = 1;
        size_t k;
        if (!civ_strmap_get(&map, h->ds, &k)) {
            if (civ_strmap_put(&map, h->ds, n, &dup)) {
                b->failed = 1;
                goto done;
            }
            k = n++;
            v[k].ds = h->ds;
        }
        if (isfinite(h->y))
            v[k].y += h->y, v[k].n++;
    }
    qsort(v, n, sizeof *v, by_ds);
    for (size_t k = 0; k < n; k++) {
        if (2 * v[k].n < members)
            continue;
        if (!*first)
            civ_rbuf_put(b, ",");
        *first = 0;
        actual_row(d, b, gkey, gname, v[k].ds, v[k].y);
        wrote = 1;
    }
done:
    civ_strmap_free(&map);
    free(v), free(seen);
    return wrote;
}

/* The band of `group` (district index, or (size_t)-1 = the city) by step: forecast_totals.csv's rows when the
 * folder has the table and it has the group's (a district named as a number in the communities has none), else
 * the sums of the bands of the forecasts of its communities; writes rows for each step with a total. */
static void band_sums(const rep_data *d, size_t group, civ_rbuf *b, const char *gkey, const char *gname, int *first)
{
    size_t H = 0;
    for (size_t r = 0; r < d->n_fc; r++)
        if (isfinite(d->fc[r].h) && d->fc[r].h > (double)H && d->fc[r].h < 100000)
            H = (size_t)d->fc[r].h;
    for (size_t r = 0; r < d->n_tot; r++)
        if (isfinite(d->tot[r].h) && d->tot[r].h > (double)H && d->tot[r].h < 100000)
            H = (size_t)d->tot[r].h;
    if (!H)
        return;
    double(*sum)[5] = calloc(H + 1, sizeof *sum);
    const char **ds = calloc(H + 1, sizeof *ds);
    if (!sum || !ds) {
        free(sum), free(ds);
        b->failed = 1;
        return;
    }
    int from_totals = 0;
    for (size_t r = 0; r < d->n_tot; r++) {
        const rep_tot *f = &d->tot[r];
        if (f->group != group || !isfinite(f->h) || f->h < 1 || f->h > (double)H)
            continue;
        size_t h = (size_t)f->h;
        double v[5] = {f->mean, f->lo80, f->hi80, f->lo95, f->hi95};
        for (int k = 0; k < 5; k++)
            sum[h][k] = v[k];
        ds[h] = f->ds;
        from_totals = 1;
    }
    for (size_t r = 0; r < d->n_fc && !from_totals; r++) {
        const rep_fc *f = &d->fc[r];
        if (f->comm == (size_t)-1 || !isfinite(f->h) || f->h < 1 || f->h > (double)H)
            continue;
        if (group != (size_t)-1 && d->comms[f->comm].district_index != group)
            continue;
        size_t h = (size_t)f->h;
        double v[5] = {f->mean, f->lo80, f->hi80, f->lo95, f->hi95};
        for (int k = 0; k < 5; k++)
            sum[h][k] += isfinite(v[k]) ? v[k] : 0;
        if (!ds[h])
            ds[h] = f->ds;
    }
    for (size_t h = 1; h <= H; h++) {
        if (!ds[h])
            continue;
        if (!*first)
            civ_rbuf_put(b, ",");
        *first = 0;
        band_row(d, b, gkey, gname, ds[h], sum[h]);
    }
    free(sum), free(ds);
}

void rep_chart_demand_city(rep_ctx *ctx)
{
    const rep_data *d = ctx->d;
    if (!d->n_fc) {
        rep_para(ctx, TR(ctx, "没有预测表（forecasts.csv），不画需求图。", "No forecasts table (forecasts.csv): no demand chart."));
        return;
    }
    civ_rbuf b = {0};
    rep_spec_begin(ctx, &b, TR(ctx, "全市预测需求（80% 与 95% 区间）", "City forecast demand (80% and 95% bands)"));
    rep_fluid_width(ctx, &b);
    civ_rbuf_put(&b, ",\"height\":220,\"data\":{\"values\":[");
    int first = 1;
    int hist = hist_sums(d, (size_t)-1, &b, NULL, NULL, &first);
    band_sums(d, (size_t)-1, &b, NULL, NULL, &first);
    civ_rbuf_put(&b, "]},");
    band_layers(ctx, &b, hist);
    rep_chart_emit(ctx, "demand_city", &b);
}

/* The resolve block of a wrapped facet of band charts: y scales of their own
 * (a small district beside a large one), and an x axis in every panel.  With
 * a shared x axis, Vega-Lite draws it once per column in a footer below the
 * last row, so when the panels do not fill the last row (11 districts in 4
 * columns) the columns without a panel there get their axis under an empty
 * cell -- an empty panel with only its axis -- and lose it under the panels
 * they have (vega/vega-lite#7194).  The x scale stays shared: every panel
 * spans the same months. */
static void band_facet_resolve(civ_rbuf *b)
{
    civ_rbuf_put(b, "\"resolve\":{\"scale\":{\"y\":\"independent\"},\"axis\":{\"x\":\"independent\"}}");
}

/* A facet sort list: the group names in data order. */
static void name_list(civ_rbuf *b, const rep_data *d, int streets)
{
    civ_rbuf_put(b, "[");
    int first = 1;
    for (size_t g = 0; g < d->n_groups; g++) {
        if (d->groups[g].is_street != streets)
            continue;
        if (!first)
            civ_rbuf_put(b, ",");
        first = 0;
        civ_rbuf_json_str(b, d->groups[g].name);
    }
    civ_rbuf_put(b, "]");
}

void rep_chart_demand_districts(rep_ctx *ctx)
{
    const rep_data *d = ctx->d;
    if (!d->n_fc)
        return;
    civ_rbuf b = {0};
    rep_spec_begin(ctx, &b, TR(ctx, "各区预测需求（80% 与 95% 区间）", "Forecast demand by district (80% and 95% bands)"));
    civ_rbuf_put(&b, ",\"data\":{\"values\":[");
    int first = 1;
    int hist = 0;
    for (size_t g = 0; g < d->n_districts; g++) {
        hist |= hist_sums(d, g, &b, "district", d->groups[g].name, &first);
        band_sums(d, g, &b, "district", d->groups[g].name, &first);
    }
    civ_rbuf_put(&b, "]},\"columns\":4,\"facet\":{\"field\":\"district\",\"type\":\"nominal\",\"title\":null,\"sort\":");
    name_list(&b, d, 0);
    civ_rbuf_put(&b, "},");
    band_facet_resolve(&b);
    civ_rbuf_put(&b, ",\"spec\":{\"width\":140,\"height\":90,");
    band_layers(ctx, &b, hist);
    civ_rbuf_put(&b, "}");
    rep_chart_emit(ctx, "demand_districts", &b);
}

/* Per community: first/last-year means and the mean relative 95% width. */
typedef struct fan_stat {
    double growth, width, amount;
    size_t comm, first_row, n_rows;
} fan_stat;

static int by_growth(const void *a, const void *b)
{
    double x = ((const fan_stat *)a)->growth, y = ((const fan_stat *)b)->growth;
    return (y > x) - (y < x);
}
static int by_width(const void *a, const void *b)
{
    double x = ((const fan_stat *)a)->width, y = ((const fan_stat *)b)->width;
    return (y > x) - (y < x);
}
static int by_amount(const void *a, const void *b)
{
    double x = ((const fan_stat *)a)->amount, y = ((const fan_stat *)b)->amount;
    return (y > x) - (y < x);
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Mean forecast over the first year (up to a year's periods: 12 months, 4 quarters) of a community. */
static double first_level(const rep_data *d, const fan_stat *s)
{
    size_t year = (size_t)rep_periods_per_year(d);
    size_t k = s->n_rows < year ? s->n_rows : year;
    double a = 0;
    for (size_t j = 0; j < k; j++)
        a += isfinite(d->fc[s->first_row + j].mean) ? d->fc[s->first_row + j].mean : 0;
    return k ? a / (double)k : 0;
}

static size_t fan_stats(const rep_data *d, fan_stat *st)
{
    size_t n = 0;
    for (size_t r = 0; r < d->n_fc;) {
        size_t c = d->fc[r].comm, e = r;
        while (e < d->n_fc && d->fc[e].comm == c)
            e++;
        if (c != (size_t)-1 && e - r >= 2) {
            size_t year = (size_t)rep_periods_per_year(d); /* first and last year, or halves when shorter */
            size_t k = (e - r) >= 2 * year ? year : (e - r) / 2;
            double a = 0, z = 0, w = 0;
            for (size_t j = 0; j < k; j++)
                a += d->fc[r + j].mean, z += d->fc[e - 1 - j].mean;
            for (size_t j = r; j < e; j++)
                w += d->fc[j].mean > 0 ? (d->fc[j].hi95 - d->fc[j].lo95) / d->fc[j].mean : 0;
            st[n++] = (fan_stat){a > 0 ? z / a - 1 : NAN, w / (double)(e - r), d->comms[c].amount, c, r, e - r};
            if (!isfinite(st[n - 1].growth))
                st[n - 1].growth = -INFINITY;
            if (!isfinite(st[n - 1].width))
                st[n - 1].width = -INFINITY;
        }
        r = e;
    }
    return n;
}

static const char *comm_label(const rep_comm *c)
{
    return c->name[0] ? c->name : c->id;
}

static void fan_chart(rep_ctx *ctx, const char *name, const char *title, const fan_stat *st, size_t n)
{
    const rep_data *d = ctx->d;
    civ_rbuf b = {0};
    rep_spec_begin(ctx, &b, title);
    civ_rbuf_put(&b, ",\"data\":{\"values\":[");
    int first = 1, hist = 0;
    char label[512];
    for (size_t k = 0; k < n && k < 3; k++) {
        const rep_comm *c = &d->comms[st[k].comm];
        civ_snprintf(label, sizeof label, TR(ctx, "%s（%s）", "%s (%s)"), comm_label(c), c->district);
        for (size_t j = 0; j < d->n_hist; j++) { /* the actuals before the forecast */
            if (d->hist[j].comm != st[k].comm || !isfinite(d->hist[j].y))
                continue;
            if (!first)
                civ_rbuf_put(&b, ",");
            first = 0;
            hist = 1;
            actual_row(d, &b, "community", label, d->hist[j].ds, d->hist[j].y);
        }
        for (size_t j = st[k].first_row; j < st[k].first_row + st[k].n_rows; j++) {
            const rep_fc *f = &d->fc[j];
            double v[5] = {f->mean, f->lo80, f->hi80, f->lo95, f->hi95};
            if (!first)
                civ_rbuf_put(&b, ",");
            first = 0;
            band_row(d, &b, "community", label, f->ds, v);
        }
    }
    civ_rbuf_put(&b, "]},\"columns\":3,\"facet\":{\"field\":\"community\",\"type\":\"nominal\",\"title\":null,"
                     "\"sort\":null},");
    band_facet_resolve(&b); /* at most three panels, one row: as the districts' for any count */
    civ_rbuf_put(&b, ",\"spec\":{\"width\":190,\"height\":110,");
    band_layers(ctx, &b, hist);
    civ_rbuf_put(&b, "}");
    rep_chart_emit(ctx, name, &b);
}

void rep_chart_fans(rep_ctx *ctx)
{
    const rep_data *d = ctx->d;
    if (!d->n_fc)
        return;
    fan_stat *st = calloc(d->n_comms + 1, sizeof *st);
    if (!st) {
        ctx->page.failed = 1;
        return;
    }
    size_t n = fan_stats(d, st);
    /* Growth and relative width mean little on tiny series (a community with
     * a handful of meals a month): rank those only among communities whose
     * first-year demand is at least a quarter of the median's. */
    double *lvl = calloc(n + 1, sizeof *lvl);
    fan_stat *big = calloc(n + 1, sizeof *big);
    size_t nb = 0;
    if (!lvl || !big) {
        free(lvl), free(big), free(st);
        ctx->page.failed = 1;
        return;
    }
    for (size_t k = 0; k < n; k++)
        lvl[k] = first_level(d, &st[k]);
    qsort(lvl, n, sizeof *lvl, by_double);
    double cut = n ? 0.25 * lvl[n / 2] : 0;
    for (size_t k = 0; k < n; k++)
        if (first_level(d, &st[k]) >= cut)
            big[nb++] = st[k];
    free(lvl);
    qsort(big, nb, sizeof *big, by_growth);
    fan_chart(ctx, "fan_growth", TR(ctx, "增长最快的社区（末年对首年）", "Communities with the largest growth (last year vs first)"), big, nb);
    qsort(big, nb, sizeof *big, by_width);
    fan_chart(ctx, "fan_uncertainty", TR(ctx, "不确定性最大的社区（95% 区间相对宽度）", "Communities with the widest uncertainty (relative 95% width)"), big, nb);
    free(big);
    qsort(st, n, sizeof *st, by_amount);
    fan_chart(ctx, "fan_allocation", TR(ctx, "分配金额最大的社区", "Communities with the largest allocation"), st, n);
    free(st);
}
