/*
 * report_page.h -- layer report: the state shared by the page writer
 * (report.c) and the chart builders (report_charts.c).
 */
#ifndef CIV_REPORT_PAGE_H
#define CIV_REPORT_PAGE_H

#include "report_buf.h"
#include "report_data.h"

/* Which forecasts a forecast factor of the allocation summed, as the plan's
 * manifest.json records it ("results": {"demand": [...]}; report.c). */
typedef struct rep_demand_window {
    char label[128], period[16], first[32], last[32];
    long fiscal_year, periods, h_first, h_last;
} rep_demand_window;

#define REP_MAX_DEMAND 4

typedef struct rep_ctx {
    const rep_data *d;
    const char *outdir;
    int zh;               /* 1 = Chinese, 0 = English */
    int conformal;        /* the forecasts' intervals are conformal (civ_report_options.intervals) */
    double utc_offset;    /* local time's hours east of UTC for the inactivity sentence: the plan's manifest's
                             monitor_utc_offset_hours, else 8 (Beijing) */
    civ_rbuf page;        /* the HTML being built */
    civ_status status;    /* first failure (writing a spec file) */
    size_t n_charts;
    int fluid;            /* the chart being built is as wide as the page (rep_fluid_width) */
    char hold_label[96];  /* the hold-harmless rule's name, with its share of last year when one (rep_rule_label) */
    rep_demand_window demand[REP_MAX_DEMAND]; /* from manifest.json; none for a folder without one */
    size_t n_demand;
    char unit[64];        /* the unit of the forecast series (人次), "" when not stated (civ_report_options.unit) */
} rep_ctx;

/* Picks the text of the report's language. */
#define TR(ctx, zh_text, en_text) ((ctx)->zh ? (zh_text) : (en_text))
/* The last arguments of rep_fmt_money and rep_fmt_money_fixed: the language and the plan's currency. */
#define REP_MONEY(ctx) (ctx)->zh, (ctx)->d->currency, (ctx)->d->currency_zh
/* A label with the currency's unit: zh_fmt / en_fmt with one %s, given the unit word of the report's language
 * (元 / CNY; big: 万元 / CNY million), written to buf; returns buf.  "人均（%s）", "Per capita (%s)". */
const char *rep_money_label(const rep_ctx *ctx, char *buf, size_t size, int big, const char *zh_fmt,
                            const char *en_fmt);

/* Opens a chart: writes the spec's common head into spec (schema, config
 * with the CJK-capable fonts and tooltips on every mark, title). */
void rep_spec_begin(const rep_ctx *ctx, civ_rbuf *spec, const char *title);
/* Writes a chart's width as its container's ("width":"container", fitted
 * with its axes and padding), so a chart fits a phone and the page alike; the
 * figure then gets the class "fluid" (a minimum and a maximum width). */
void rep_fluid_width(rep_ctx *ctx, civ_rbuf *spec);
/* Finishes spec (closing brace), writes it to OUTDIR/charts/NAME.vl.json and
 * places it in the page.  Frees spec. */
void rep_chart_emit(rep_ctx *ctx, const char *name, civ_rbuf *spec);

/* Each adds one chart (or a "not available" note) to the page. */
void rep_chart_need_vs_fund(rep_ctx *ctx);
void rep_chart_demand_city(rep_ctx *ctx);
void rep_chart_demand_districts(rep_ctx *ctx);
void rep_chart_fans(rep_ctx *ctx);
void rep_chart_model_mix(rep_ctx *ctx);
void rep_chart_alloc_districts(rep_ctx *ctx);
void rep_chart_alloc_streets(rep_ctx *ctx);
void rep_chart_waterfall(rep_ctx *ctx);
void rep_chart_held(rep_ctx *ctx);
void rep_chart_lorenz(rep_ctx *ctx);
void rep_chart_uncertainty(rep_ctx *ctx);             /* the districts' P5-P95 */
void rep_chart_uncertainty_communities(rep_ctx *ctx); /* the widest communities' P5-P95 */
/* The chart of communities shows at most this many, the widest against their amounts. */
#define REP_UNC_COMMS 15
/* Fills idx with the communities (indices into d->comms) whose P5-P95 is widest against their amounts, widest
 * first, among those whose amount moved at all; returns how many (at most REP_UNC_COMMS). */
size_t rep_uncertainty_widest_comms(const rep_data *d, size_t *idx);
void rep_chart_need(rep_ctx *ctx);
void rep_chart_monitor(rep_ctx *ctx);
void rep_chart_indicators(rep_ctx *ctx);
void rep_chart_risk_matrix(rep_ctx *ctx);
void rep_chart_backtest(rep_ctx *ctx);

/* The demand's period in words, by the frequency of the folder's dates
 * (rep_data.freq): "month" / "月" (plural 0), "months" / "月份" (plural 1);
 * quarter 季度, year 年, week 周, day 日; "period" / "期" when not known. */
const char *rep_period_word(const rep_ctx *ctx, int plural);
/* Periods in a year: 12 monthly, 4 quarterly, 1 yearly, 52 weekly, 365
 * daily; 12 when the frequency is not known. */
int rep_periods_per_year(const rep_data *d);
/* The title of the forecast demand's column (the need): 需求量（人次） / "Demand (人次)" with the series'
 * unit (ctx->unit), else 需求量 / "Demand".  Returns buf. */
const char *rep_demand_label(const rep_ctx *ctx, char *buf, size_t size);
/* The subsidy standard's title, money per unit of demand: 补贴标准（元/人次） / "<en_word> (CNY per 人次)" with
 * the series' unit, else per 单位 / "unit".  Returns buf. */
const char *rep_standard_label(const rep_ctx *ctx, char *buf, size_t size, const char *en_word);
/* A period as the page writes it: on the Chinese page a quarter "2024-Q1" as
 * "2024 年第 1 季度", a year "2024" as "2024 年"; any other text as it is. */
void rep_period_text(const rep_ctx *ctx, const char *ds, char *buf, size_t size);

/* The money unit of the charts (万元 / CNY million), as the tables write a
 * district's or a street's amount. */
double rep_unit_big(const rep_ctx *ctx, const char **label);
/* A paragraph of plain text (HTML-escaped) / a note. */
void rep_para(rep_ctx *ctx, const char *text);

/* A sub-section's heading (h3), and the note under it naming the output folder's file it shows
 * (report_sections.c). */
void rep_sub(rep_ctx *ctx, const char *title);
void rep_source_note(rep_ctx *ctx, const char *file);
/* The index of t's column `name` when it has that type, else (size_t)-1, the error cleared (t may be NULL: an
 * optional table the folder lacks) (report_tables.c). */
size_t rep_typed_column(const civ_table *t, const char *name, civ_column_type type);
/* The street whose communities' ids start with "code-" (D05-S03 -> 鼓角街道), or NULL (report_tables.c). */
const char *rep_street_name(const rep_data *d, const char *code);
/* The name of unit `code` of `scope` (a street's by rep_street_name; another scope's from units.csv), or NULL. */
const char *rep_unit_name(const rep_data *d, const char *scope, const char *code);
/* The monitoring's watch lists (report_watch.c): the early warning, the inactivity alerts (open ones first)
 * and the demand against its forecast, each a sub-section with its counts and what to act on first, for the
 * tables the folder has; and their lines of the summary, written through kv (key, value). */
void rep_watch_sections(rep_ctx *ctx);
void rep_watch_summary(rep_ctx *ctx, void (*kv)(rep_ctx *, const char *, const char *));
/* The hours east of UTC of the local time the inactivity alerts were binned in: inactivity.csv's
 * utc_offset_hours, else ctx->utc_offset (report_watch.c). */
double rep_local_offset(const rep_ctx *ctx);

/* Tables of the page (report.c). */
void rep_cell(civ_rbuf *b, const char *text, int numeric);

/* Vega-Lite field definitions for channels and tooltips (report_charts.c):
 * {"field":f,"type":"quantitative","title":t[,"format":fmt]} and
 * {"field":f,"type":"nominal","title":t}.  `format` may be NULL. */
void rep_qfield(civ_rbuf *b, const char *field, const char *title, const char *format);
/* The axis field of a count (communities) whose largest bar is `max`: whole-number ticks, each once, with
 * thousands separators, so that a small city's axis does not read 0.5 communities or "0 0 0 1 1 1";
 * rep_count_ticks writes its "axis" member alone (the monitoring's counts of alerts and units). */
void rep_count_axis(civ_rbuf *b, const char *field, const char *title, size_t max);
void rep_count_ticks(civ_rbuf *b, size_t max);
void rep_nfield(civ_rbuf *b, const char *field, const char *title);
void rep_group_table(rep_ctx *ctx, int streets);
void rep_community_table(rep_ctx *ctx);
/* How a table of another step is shown as it is (report_tables.c). */
typedef struct rep_table_view {
    size_t max_rows;                                        /* at most this many rows */
    int (*keep)(const civ_table *, size_t, const void *);  /* the rows shown (NULL: all) */
    const void *arg;
    const char *file;    /* the output folder's file with every row, named when rows are left out */
    const char *filter;  /* which of its rows the table shows (NULL: all) */
    int monitoring;      /* indicator names for codes, street names beside unit codes, rates in % */
    int risks;           /* the risk register: the matrix row as its likelihood word (很可能), beside the
                          * probability; the column and score numbers left out (the impact and level words say
                          * them; the cell's tooltip keeps them) */
} rep_table_view;
/* The table with its headers in the page's language; when rows are left out,
 * a note says how many are shown of how many and where the rest are. */
void rep_generic_table(rep_ctx *ctx, const civ_table *t, const rep_table_view *v);
const char *rep_rule_name(int zh, const char *rule);
/* rep_rule_name, but the hold-harmless rule named by what it does, with the
 * share of last year every community it held got (不低于上年 85%). */
const char *rep_rule_label(rep_ctx *ctx, const char *rule);

/* The page's head and sections, and its closing script (report_sections.c). */
void rep_page_begin(rep_ctx *ctx, const char *title);
/* One row (key, value; HTML-escaped) of a summary's key-value table (report_sections.c). */
void rep_kv(rep_ctx *ctx, const char *k, const char *v);
void rep_section_summary(rep_ctx *ctx);
void rep_section_demand(rep_ctx *ctx);
void rep_section_allocation(rep_ctx *ctx);
void rep_section_uncertainty(rep_ctx *ctx);
void rep_section_need(rep_ctx *ctx);
void rep_section_monitoring(rep_ctx *ctx);
/* The summary of a monitoring's folder (rep_data.monitor_only; report_monitor.c): that it is a monitoring report
 * and not a plan's, its period and its parts' counts, the local time of its inactivity alerts. */
void rep_section_monitor_summary(rep_ctx *ctx);
/* The parts of the monitoring the folder holds, joined as a list in the page's language ("预警、指标与目标的对比和风险
 * 矩阵"; report_sections.c). */
void rep_monitoring_parts(const rep_ctx *ctx, char *buf, size_t size);
void rep_page_script(civ_rbuf *b);
/* The backtest's own numbers in sentences: the plan's model's coverage
 * against its levels, models scored on different points, what the failed
 * windows were (report_backtest.c). */
void rep_backtest_notes(rep_ctx *ctx);
/* One plain line per accuracy measure backtest_accuracy.csv has (MAE, RMSE,
 * MAPE, sMAPE, MASE, RMSSE, bias, coverage-L, score-L, MSIS-L and the
 * counts): what it measures, in the demand's unit when ctx->unit says it, and
 * which way is better. */
void rep_backtest_glossary(rep_ctx *ctx);

#endif
