/*
 * report_sections.c -- layer report: the sections of the plan report page,
 * each a heading, one or two plain sentences and its charts and tables, and
 * the page's style (screen and A4 print) and script (charts, table search,
 * whether the community table prints).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "c_locale.h"
#include "report_page.h"
#include "report_text.h"

static const char CSS[] =
    "@page{size:A4;margin:14mm 12mm}\n"
    "body{font-family:'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',"
    "sans-serif;max-width:1000px;margin:0 auto;padding:16px 20px;color:#1d1d1f;line-height:1.5}\n"
    "h1{font-size:24px;margin:0 0 4px}h2{font-size:20px;border-bottom:2px solid #4c78a8;padding-bottom:4px}"
    "h3{font-size:15px;margin:18px 0 4px}\n"
    "section{padding-top:8px}\nfigure.chart{margin:10px 0 18px;break-inside:avoid;overflow-x:auto;max-width:100%}\n"
    "figure.fluid{width:100%;max-width:760px;min-width:280px}\n" /* charts of width "container" */
    "div.tbl{overflow-x:auto;max-width:100%;margin:6px 0 14px}div.tbl table.data{margin:0}\n"
    "table.data{border-collapse:collapse;font-size:12px;margin:6px 0 14px}\n"
    "table.data th,table.data td{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top;"
    "white-space:nowrap}\ntable.data td.long{white-space:normal;min-width:16em}\n"
    "table.data th{background:#f2f4f8}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "td.ex{font-size:11px;color:#444;min-width:260px;white-space:normal !important}\n"
    /* the community table (1,146 rows on the demo city) scrolls in a box one screen tall, its header kept in
     * view, so that its explanation column and horizontal scrollbar are on screen and the sections after it
     * are not a hundred thousand pixels down; its headers and constraint names wrap, so that on a desktop a row,
     * explanation included, fits the page's width */
    "div.tbl.scroll{max-height:85vh;overflow:auto}\n"
    "div.tbl.scroll th{position:sticky;top:0;z-index:1;white-space:normal}\n"
    "table.data td.con{white-space:normal;min-width:5em}\n"
    "table.kv td:first-child{color:#555}\n"
    "table.data tr.open td{color:#b00020;font-weight:bold}\n" /* an inactivity alert still open (report_watch.c) */
    ".note{color:#666;font-size:12px}.notrun{color:#8a5a00;font-weight:bold}\n"
    ".search{margin:8px 0}.search input{font-size:14px;padding:3px 6px;width:280px;max-width:90%}\n"
    /* whether the community table goes to paper: the box is on screen only, the note in its place on paper only */
    ".print-choice{margin:8px 0;font-size:13px}.print-choice input{vertical-align:middle}p.print-note{display:none}\n"
    "nav{display:flex;flex-wrap:wrap;gap:0 14px}\n" /* the links wrap on a phone */
    /* print: a chart or a table row never split, a heading (and the sentence before a chart) kept with what
     * follows it, a chart scaled down to the page's width and height, tables wrapping instead of scrolling */
    "@media print{nav,.search,.print-choice{display:none}section{break-before:page}"
    "section:first-of-type{break-before:auto}"
    "body{max-width:none;padding:0}figure.chart,div.tbl{overflow:visible}figure.fluid{max-width:none}"
    "div.tbl.scroll{max-height:none;overflow:visible}div.tbl.scroll th{position:static}"
    "figure.chart{break-inside:avoid;page-break-inside:avoid}"
    "figure.chart svg{max-width:100%;max-height:250mm;width:auto;height:auto}"
    "h2,h3{break-after:avoid;page-break-after:avoid}p:has(+figure.chart),p:has(+p+figure.chart),"
    "p:has(+div.tbl){break-after:avoid}"
    "table.data{font-size:9px}table.data th{white-space:normal}td.ex{font-size:8px;min-width:300px}"
    "table.data td.con{white-space:nowrap}" /* on paper the community table runs whole, unless the reader unticks */
    "body.skip-community-print div.tbl.scroll{display:none}body.skip-community-print p.print-note{display:block}"
    /* the search box is not printed, nor is its filter: a paper copy has every row or the note, never a few */
    "#community-table tbody tr{display:table-row!important}"
    "tr{break-inside:avoid}}\n";

static const char SCRIPT[] =
    "(function(){\n"
    "var specs=document.querySelectorAll('script.vl-spec');\n"
    "var st=window.civReport={charts:specs.length,rendered:0,failed:0,errors:[]};\n"
    "specs.forEach(function(s){\n"
    "  var spec=JSON.parse(s.textContent);\n"
    "  vegaEmbed('#'+s.dataset.target,spec,{actions:false,renderer:'svg'}).then(function(){st.rendered++;})\n"
    "  .catch(function(e){st.failed++;st.errors.push(s.dataset.target+': '+e);console.error(e);});\n"
    "});\n"
    "var input=document.getElementById('community-search'),table=document.getElementById('community-table');\n"
    "if(input&&table){var rows=table.tBodies[0].rows,count=document.getElementById('community-count');\n"
    "  var texts=Array.prototype.map.call(rows,function(r){return r.textContent.toLowerCase();});\n"
    "  var show=function(){var terms=input.value.toLowerCase().split(/\\s+/).filter(Boolean),n=0;\n"
    "    for(var i=0;i<rows.length;i++){var ok=terms.every(function(t){return texts[i].indexOf(t)>=0;});\n"
    "      rows[i].style.display=ok?'':'none';n+=ok;}\n"
    "    count.textContent=n+' / '+rows.length;};\n"
    "  input.addEventListener('input',show);show();}\n"
    /* the reader's choice whether the community table prints: a class on the body the print styles read */
    "var pc=document.getElementById('community-print');\n"
    "if(pc){var keep=function(){document.body.classList.toggle('skip-community-print',!pc.checked);};\n"
    "  pc.addEventListener('change',keep);keep();}\n"
    "})();\n";

void rep_page_script(civ_rbuf *b)
{
    civ_rbuf_put(b, "<script>\n");
    civ_rbuf_put(b, SCRIPT);
    civ_rbuf_put(b, "</script>\n</body>\n</html>\n");
}

static void heading(rep_ctx *ctx, const char *id, const char *title)
{
    civ_rbuf_printf(&ctx->page, "<section id=\"%s\">\n<h2>", id);
    civ_rbuf_html(&ctx->page, title);
    civ_rbuf_put(&ctx->page, "</h2>\n");
}

static void sub(rep_ctx *ctx, const char *title)
{
    civ_rbuf_put(&ctx->page, "<h3>");
    civ_rbuf_html(&ctx->page, title);
    civ_rbuf_put(&ctx->page, "</h3>\n");
}

static void not_run(rep_ctx *ctx, const char *what)
{
    civ_rbuf_put(&ctx->page, "<p class=\"notrun\">");
    civ_rbuf_html(&ctx->page, what);
    civ_rbuf_put(&ctx->page, "</p>\n");
}

void rep_page_begin(rep_ctx *ctx, const char *title)
{
    civ_rbuf *b = &ctx->page;
    int mon = ctx->d->monitor_only; /* a monitoring's folder: its own title, and only its two sections */
    const char *t = title && title[0] ? title
                    : mon             ? TR(ctx, "社区服务监测报告", "Community services: the monitoring report")
                                      : TR(ctx, "社区服务资金计划报告", "Community services fund: the plan report");
    civ_rbuf_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n",
                    ctx->zh ? "zh-CN" : "en");
    civ_rbuf_put(b, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" "
                    "content=\"civicast\">\n<title>");
    civ_rbuf_html(b, t);
    civ_rbuf_printf(b, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header><h1>", CSS);
    civ_rbuf_html(b, t);
    civ_rbuf_put(b, "</h1>\n<p class=\"note\">");
    if (mon)
        civ_rbuf_html(b, TR(ctx, "由 civicast 根据监测输出目录（civicast monitor 写入的表）生成；图表可悬停查看数值，规格见 "
                                 "charts/ 目录。",
                            "Made by civicast from the tables civicast monitor wrote into its output folder; hover "
                            "over a chart for its numbers; the chart specs are in charts/."));
    else
        civ_rbuf_html(b, TR(ctx, "由 civicast 根据计划输出目录生成；图表可悬停查看数值，规格见 charts/ 目录。",
                            "Made by civicast from a plan's output folder; hover over a chart for its numbers; "
                            "the chart specs are in charts/."));
    civ_rbuf_put(b, "</p>\n<nav>");
    static const char *const ids[] = {"summary", "demand", "allocation", "uncertainty", "need", "monitoring"};
    const char *names[] = {TR(ctx, "概要", "Summary"), TR(ctx, "需求", "Demand"), TR(ctx, "分配", "Allocation"),
                           TR(ctx, "不确定性", "Uncertainty"), TR(ctx, "资金需求", "Need"), TR(ctx, "监测", "Monitoring")};
    for (int k = 0; k < 6; k++) {
        if (mon && k && k < 5) /* no demand, allocation, uncertainty or need in a monitoring's folder */
            continue;
        civ_rbuf_printf(b, "<a href=\"#%s\">", ids[k]);
        civ_rbuf_html(b, names[k]);
        civ_rbuf_put(b, "</a>");
    }
    civ_rbuf_put(b, "</nav>\n</header>\n");
}

/* One row of a summary's key-value table (the plan's and the monitoring folder's, report_monitor.c). */
void rep_kv(rep_ctx *ctx, const char *k, const char *v)
{
    civ_rbuf_put(&ctx->page, "<tr><td>");
    civ_rbuf_html(&ctx->page, k);
    civ_rbuf_put(&ctx->page, "</td><td class=\"n\">");
    civ_rbuf_html(&ctx->page, v);
    civ_rbuf_put(&ctx->page, "</td></tr>\n");
}

static void kv_money(rep_ctx *ctx, const char *k, double yuan)
{
    char buf[64];
    rep_fmt_money_fixed(buf, sizeof buf, yuan, REP_MONEY(ctx)); /* one unit down the column */
    rep_kv(ctx, k, buf);
}

static double row_amount(const rep_data *d, const char *sec, const char *name)
{
    const rep_row *r = rep_data_row(d, sec, name);
    return r ? r->amount : NAN;
}

static double row_value(const rep_data *d, const char *sec, const char *name)
{
    const rep_row *r = rep_data_row(d, sec, name);
    return r ? r->value : NAN;
}

/* The summary table's rows of last year's money that is gone: each fund's [[formula]] last_year_total not
 * carried, and (last year's allocation given, --last-year) its funds this spec has none of and the communities no
 * one continues, by name, the first 10 of more than 11 and the rest in one row. */
static void summary_gone(rep_ctx *ctx)
{
    const rep_data *d = ctx->d;
    for (size_t r = 0; r < d->n_rows; r++) {
        const rep_row *x = &d->rows[r];
        if (strcmp(x->section, "history") || !(x->value > 0))
            continue;
        char k[300];
        civ_snprintf(k, sizeof k,
                     TR(ctx, "上年资金中已不在本年名单的社区（撤销，或合并、更名后未转入）：%s",
                        "Last year's money of communities no longer listed (closed, or merged or renamed without "
                        "it): %s"),
                     rep_row_label(x));
        kv_money(ctx, k, x->value * d->per_minor);
    }
    for (size_t r = 0; r < d->n_rows; r++) { /* last year's funds this spec has none of */
        const rep_row *x = &d->rows[r];
        if (strcmp(x->section, "discontinued"))
            continue;
        char k[300];
        civ_snprintf(k, sizeof k, TR(ctx, "上年资金本年已无此项（未分配）：%s", "Last year's fund not in this year's spec "
                                                                         "(not allocated): %s"),
                     x->name);
        kv_money(ctx, k, x->value * d->per_minor);
    }
    size_t n_closed = 0, shown = 0;
    double rest = 0;
    for (size_t r = 0; r < d->n_rows; r++)
        n_closed += !strcmp(d->rows[r].section, "closed");
    for (size_t r = 0; r < d->n_rows; r++) {
        const rep_row *x = &d->rows[r];
        if (strcmp(x->section, "closed"))
            continue;
        if (shown == 10 && n_closed > 11) {
            rest += isfinite(x->amount) ? x->amount : 0;
            continue;
        }
        char k[400];
        int named = x->label && *x->label;
        civ_snprintf(k, sizeof k,
                     TR(ctx, "上年社区已撤销（本年无社区承接）：%s%s%s%s", "Closed since last year (continued by none): %s%s%s%s"),
                     x->name, named ? TR(ctx, "（", " (") : "", named ? x->label : "", named ? TR(ctx, "）", ")") : "");
        kv_money(ctx, k, x->amount);
        shown++;
    }
    if (n_closed > shown) {
        char k[200];
        civ_snprintf(k, sizeof k, TR(ctx, "其余 %zu 个已撤销社区（见 allocation_summary.csv）",
                                     "The other %zu closed communities (allocation_summary.csv)"),
                 n_closed - shown);
        kv_money(ctx, k, rest);
    }
}

void rep_section_summary(rep_ctx *ctx)
{
    const rep_data *d = ctx->d;
    double budget = row_amount(d, "budget", "total"), alloc = row_amount(d, "total", "allocated");
    double reserved = row_amount(d, "total", "reserved"), funded = row_value(d, "statistic", "communities_funded");
    char b1[64], b2[64], b3[64], b4[32], text[512];
    rep_fmt_money_fixed(b1, sizeof b1, budget, REP_MONEY(ctx));
    rep_fmt_money_fixed(b2, sizeof b2, alloc, REP_MONEY(ctx));
    rep_fmt_money_fixed(b3, sizeof b3, reserved, REP_MONEY(ctx)); /* one unit, so that the parts add up as printed */
    rep_fmt_num(b4, sizeof b4, isfinite(funded) ? funded : (double)d->n_comms, 0);
    heading(ctx, "summary", TR(ctx, "概要", "Summary"));
    civ_snprintf(text, sizeof text,
                 TR(ctx, "本年度资金 %s，其中 %s 按因素法分配给 %s 个社区，%s 留作储备金。"
                         "下表列出各资金来源与储备；图中柱为各年的资金需求，红色虚线为资金总额。",
                    "The fund of %s gives %s to %s communities by the factor method and keeps %s in reserves. The "
                    "table lists the pools and reserves; the chart shows each year's need (bars) against the fund "
                    "(red dashes)."),
                 b1, b2, b4, b3);
    rep_para(ctx, text);
    civ_rbuf_put(&ctx->page, "<div class=\"tbl\"><table class=\"data kv\"><tbody>\n");
    kv_money(ctx, TR(ctx, "资金总额", "Budget"), budget);
    for (size_t r = 0; r < d->n_rows; r++) {
        const rep_row *x = &d->rows[r];
        int res = !strcmp(x->section, "reserve"), pool = !strcmp(x->section, "pool");
        if (!res && !pool)
            continue;
        char k[256];
        civ_snprintf(k, sizeof k, "%s%s", res ? TR(ctx, "储备金：", "Reserve: ") : TR(ctx, "资金来源：", "Pool: "),
                     rep_row_label(x));
        kv_money(ctx, k, x->amount);
    }
    kv_money(ctx, TR(ctx, "已分配", "Allocated"), alloc);
    rep_fmt_num(b1, sizeof b1, isfinite(funded) ? funded : (double)d->n_comms, 0);
    rep_kv(ctx, TR(ctx, "获得资金的社区", "Communities funded"), b1);
    summary_gone(ctx);
    for (size_t k = 0; k < d->n_need; k++) {
        char key[96];
        civ_snprintf(key, sizeof key, TR(ctx, "%.0f 年需求", "Need %.0f"), d->need[k].year);
        kv_money(ctx, key, d->need[k].need);
    }
    if (d->t_monitor || d->t_status || d->t_risk || d->t_risks || d->t_warn || d->t_inact || d->t_demand) {
        rep_fmt_num(b1, sizeof b1, d->t_monitor ? (double)civ_table_n_rows(d->t_monitor) : 0, 0);
        if (d->t_monitor || d->t_status) /* the indicators' alerts: a run without them has none to count */
            rep_kv(ctx, TR(ctx, "预警数", "Alerts"), b1);
        rep_watch_summary(ctx, rep_kv);
    } else {
        rep_kv(ctx, TR(ctx, "预警数", "Alerts"), TR(ctx, "未运行监测", "monitoring not run"));
    }
    civ_rbuf_put(&ctx->page, "</tbody></table></div>\n");
    rep_chart_need_vs_fund(ctx);
    civ_rbuf_put(&ctx->page, "</section>\n");
}

/* 1 when the accuracy table has a row of model `name`. */
static int has_model_row(const civ_table *t, const char *name)
{
    size_t cm;
    if (!t || civ_table_find_column(t, "model", &cm) || civ_table_column_type(t, cm) != CIV_COLUMN_TEXT) {
        civ_clear_error();
        return 0;
    }
    for (size_t r = 0; r < civ_table_n_rows(t); r++) {
        const char *m = civ_table_text(t, r, cm);
        if (m && !strcmp(m, name))
            return 1;
    }
    return 0;
}

/* What the backtest was (from backtest.csv: series, windows, cutoffs, steps
 * ahead) and how to read MASE and coverage. */
static void backtest_reading(rep_ctx *ctx)
{
    const rep_data *d = ctx->d;
    char text[1024];
    size_t cw, windows = 0;
    if (d->bt_series && !civ_table_find_column(d->t_backtest, "windows", &cw) &&
        civ_table_column_type(d->t_backtest, cw) == CIV_COLUMN_NUMBER && civ_table_n_rows(d->t_backtest)) {
        double w = civ_table_number(d->t_backtest, 0, cw) / (double)d->bt_series;
        windows = w >= 1 && w == (double)(size_t)w ? (size_t)w : 0; /* per series, when every series had as many */
    }
    civ_clear_error();
    if (d->bt_series) {
        char k[64] = "";
        if (windows)
            civ_snprintf(k, sizeof k, TR(ctx, " %zu 个", "%zu "), windows);
        char series[32], first[48], last[48];
        rep_fmt_num(series, sizeof series, (double)d->bt_series, 0);
        rep_period_text(ctx, d->bt_first, first, sizeof first);
        rep_period_text(ctx, d->bt_last, last, sizeof last);
        civ_snprintf(text, sizeof text,
                     TR(ctx, "回测了什么：%s 个序列各从%s较早的截止期（最早 %s，最晚 %s）起重新预测，每次预测 %zu 期，"
                             "再与随后的实际值比较；截止期之后的数据不参与拟合。",
                        "What was backtested: each of the %s series was forecast again from %searlier cutoffs (the "
                        "earliest %s, "
                        "the latest %s), %zu periods ahead each time, and compared with what then happened; nothing "
                        "after a cutoff was used to fit."),
                     series, k, first, last, d->bt_h);
        rep_para(ctx, text);
    }
    if (has_model_row(d->t_backtest, "Auto")) { /* civicast's display name of the default model, `auto` */
        civ_snprintf(text, sizeof text,
                     TR(ctx, "“自动组合（默认）”一行（文件中的模型名为 Auto）是默认的自动组合方法：ETS、ARIMA、Theta、DampedETS、DOTM "
                             "五个模型预测的中位数，间歇性需求（很多%s为 0）的社区改用 TSB 模型。",
                        "The Auto row is the default automatic combination: the median of the ETS, ARIMA, Theta, "
                        "DampedETS and DOTM forecasts, with the TSB model for communities of intermittent demand "
                        "(many %s at 0)."),
                     rep_period_word(ctx, 1));
        rep_para(ctx, text);
    }
    rep_para(ctx, TR(ctx, "怎么读：MASE 是平均绝对误差除以季节朴素法（用上一季节同期值作预测）在训练期内的误差，小于 1 表示比这个简单方法更准；"
                          "“季节朴素法”一行（SeasonalNaive）是这个简单方法在回测窗口上的实际成绩。"
                          "覆盖率-80、覆盖率-95（coverage-80、coverage-95）是实际值落在 80%、95% 预测区间内的比例（%）：接近 80、95 说明区间可信，"
                          "明显偏低说明区间过窄、不确定性被低估，明显偏高说明区间过宽、不确定性被高估（偏保守）。",
                     "How to read it: MASE is the mean absolute error divided by the in-sample error of the seasonal naive "
                     "forecast (the same period one season earlier), so below 1 beats that simple rule; the "
                     "SeasonalNaive row is how that rule itself did in the backtest windows. coverage-80 and "
                     "coverage-95 are the shares (%) of actual values that fell inside the 80% "
                     "and 95% intervals: close to 80 and 95 means the intervals can be trusted, well below means they are too "
                     "narrow and the uncertainty is understated, well above that they are too wide and it is "
                     "overstated."));
    if (ctx->conformal)
        rep_para(ctx, TR(ctx, "回测中每个窗口的区间也按同样的方法校准，只用该窗口截止期之前的数据，所以这里的覆盖率就是校准后区间的实际表现。",
                         "The intervals of every backtest window were calibrated the same way, from the values before "
                         "that window's cutoff only, so the coverage here is how the calibrated intervals actually did."));
}

/* Communities of a conformal run whose intervals stayed the model's at some
 * steps (forecast_report.csv's uncalibrated column, conformal runs only). */
static size_t uncalibrated_communities(const rep_data *d)
{
    size_t col, n = 0;
    if (!d->t_frep || civ_table_find_column(d->t_frep, "uncalibrated", &col) ||
        civ_table_column_type(d->t_frep, col) != CIV_COLUMN_NUMBER) {
        civ_clear_error();
        return 0;
    }
    for (size_t r = 0; r < civ_table_n_rows(d->t_frep); r++)
        n += civ_table_number(d->t_frep, r, col) > 0;
    return n;
}

/* How the bands of the totals were made, as forecast_totals.csv's method says (docs/REPORT.md, "The intervals
 * of the city and district totals"). */
static const char *totals_band(rep_ctx *ctx)
{
    if (!ctx->d->t_tot) /* an older folder without forecast_totals.csv: the bands summed here, as they were described */
        return TR(ctx, "合计的区间由各社区区间相加得到，比合计真实的区间更宽（偏保守）。",
                  "The bands of a total add up the communities' bands, so they are wider than the total's own "
                  "interval (on the safe side).");
    else if (!strcmp(ctx->d->tot_method, "sum")) /* docs/REPORT.md, "The intervals of the city and district totals" */
        return TR(ctx, "合计的区间由各社区区间相加得到，相当于假定所有社区同时偏向同一侧，越往后越宽。"
                       "在历史数据的检验中，这样的区间比合计自身预测的区间或按社区误差相关性模拟的区间更接近"
                       "其标称的覆盖率；但它并非总是偏宽：在一组检验数据上，80% 区间只覆盖了约七成的实际值。",
                  "The band of a total adds up its communities' bands, as if every community erred to the same side "
                  "at once, and it widens with every year ahead. Tested on past data, such bands came closer to their "
                  "stated coverage than the totals' own forecast intervals or bands simulated from the communities' "
                  "joint errors; they are not always wide, though: on one test data set the 80% band held about seven "
                  "in ten actual values.");
    else if (!strcmp(ctx->d->tot_method, "bu")) /* the same section of docs/REPORT.md: the measurement of 2026-12-07 */
        return TR(ctx, "合计的预测值是各社区预测值之和；合计的区间由模拟得到：按各社区历史预测误差的相关性同时抽取各社区"
                       "可能的取值，再逐次相加（自下而上）。在历史数据的检验中，这样的区间比各社区区间直接相加或合计自身"
                       "预测的区间更接近其标称的覆盖率；但它并非总是够宽：在一组检验数据上，80% 区间只覆盖了约三分之二"
                       "的实际值。",
                  "A total's forecast is the sum of its communities' forecasts; its band is simulated: the communities' "
                  "possible values are drawn together, with the correlation of their past forecast errors, and added "
                  "up (bottom-up). Tested on past data, such bands came closer to their stated coverage than the "
                  "communities' bands added up or the totals' own forecast intervals; they are not always wide enough, "
                  "though: on one test data set the 80% band held about two in three actual values.");
    return TR(ctx, "合计的区间取自计划输出的合计预测。", "The bands are those of the plan's forecasts of the totals.");
}

/* Whether the totals run past their first year (a year's periods: 12 months, 4 quarters). */
static int totals_beyond_year(const rep_data *d)
{
    double year = (double)rep_periods_per_year(d);
    for (size_t r = 0; r < d->n_tot; r++)
        if (d->tot[r].h > year)
            return 1;
    return 0;
}

/* The bu bands beyond their first year, as measured (docs/REPORT.md, "Beyond the first year": its rule, fixed
 * before the run of 2026-12-07, puts this on the page when later years held less often than the first). */
static const char *totals_later_years(rep_ctx *ctx)
{
    if (strcmp(ctx->d->tot_method, "bu") || !totals_beyond_year(ctx->d))
        return "";
    return TR(ctx, "第二年及以后的区间更不可靠：在四组历史数据的检验中（一个模拟城市的两次、另两组真实数据各一次），"
                   "80% 区间在第一年平均覆盖了 75% 的实际值，第二、三年只覆盖了 63%；95% 区间为 88% 和 75%。"
                   "在模拟城市的两次检验中，80% 区间各年覆盖了 88%～94%（区间偏宽），但不能据此认为以后各年同样可靠。",
              " The bands beyond the first year are less reliable: tested on four sets of past data (a simulated city "
              "twice, two real data sets once each), the 80% bands held on average 75% of the actual values in the "
              "first year and 63% in the second and third; the 95% bands 88% and 75%. On the simulated city the 80% "
              "bands held 88% to 94% in every year (they were wide), which does not make later years safe.");
}

void rep_section_demand(rep_ctx *ctx)
{
    const rep_data *d = ctx->d;
    heading(ctx, "demand", TR(ctx, "需求", "Demand"));
    const char *lead = TR(ctx, "各社区的需求预测汇总为全市和各区合计，灰线为实际值，深色带为 80% 区间，浅色带为 95% 区间。",
                          "Each community's forecast, summed to the city and to each district; the grey line is the "
                          "actual demand, the dark band the 80% interval, the light band the 95%. ");
    const char *band = totals_band(ctx);
    char para[3072];
    civ_snprintf(para, sizeof para, "%s%s%s", lead, band, totals_later_years(ctx));
    rep_para(ctx, para);
    if (ctx->conformal)
        rep_para(ctx, TR(ctx, "本次预测的区间经过校准（保形区间）：先用每个社区截止期之前的数据回测一次，按同类社区实际误差相对模型区间的大小，把模型自带的区间放宽或收窄。",
                         "These intervals are calibrated (conformal intervals): each community was first backtested on its "
                         "own earlier values, and the model's intervals were widened or narrowed by how large the actual "
                         "errors of similar communities were against them."));
    size_t kept = ctx->conformal ? uncalibrated_communities(d) : 0;
    if (kept) {
        char text[512];
        civ_snprintf(text, sizeof text,
                     TR(ctx, "其中 %zu 个社区的回测误差太少，部分期的区间仍是模型自带的（未校准）；哪些社区、多少期见 forecast_report.csv 的 uncalibrated 列。",
                        "Too few backtest errors for %zu of the communities: some of their intervals are still the "
                        "model's own (not calibrated); forecast_report.csv's uncalibrated column says which and how "
                        "many."),
                     kept);
        rep_para(ctx, text);
    }
    rep_chart_demand_city(ctx);
    rep_chart_demand_districts(ctx);
    sub(ctx, TR(ctx, "值得关注的社区", "Communities to look at"));
    rep_para(ctx, TR(ctx, "增长最快、不确定性最大和分配金额最大的各三个社区：灰线为近几年的实际值，蓝色为预测及其 80%、95% 区间。",
                     "The three communities with the largest growth, the widest uncertainty and the largest allocation: the grey "
                     "line is what happened in the last years, the blue the forecast with its 80% and 95% bands."));
    rep_chart_fans(ctx);
    sub(ctx, TR(ctx, "模型构成", "Model mix"));
    rep_para(ctx, TR(ctx, "各社区预测所用的模型，按模型族汇总：柱长为用到该族模型的社区数。组合模型（如五个模型的中位数）在其每个组成部分的族下各计一次，所以各柱之和可超过社区数；"
                          "每个族内各社区选用的具体规格（如 ARIMA 的阶数）不同，悬停或下表可看最常见的几种。",
                     "The models of the communities' forecasts by family: a bar is the number of communities whose model uses "
                     "one of the family. A combination (the median of five models, say) counts under the family of each of its "
                     "components, so the bars add up to more than the communities; within a family each community has its own "
                     "specification (an ARIMA's orders, say): hover over a bar, or see the table, for the most common ones."));
    rep_chart_model_mix(ctx);
    sub(ctx, TR(ctx, "回测精度", "Backtest accuracy"));
    if (d->t_backtest) {
        char text[512];
        civ_snprintf(text, sizeof text,
                     TR(ctx, "在历史数据上滚动预测、与实际值比较得到的各模型误差（%s）；误差越小，模型越准。",
                        "How far each model's forecasts of past periods were from what happened (%s); smaller is "
                        "better."),
                     d->backtest_file);
        rep_para(ctx, text);
        backtest_reading(ctx);
        rep_backtest_notes(ctx);
        rep_backtest_glossary(ctx);
        rep_chart_backtest(ctx);
        rep_table_view v = {.max_rows = 40, .file = d->backtest_file};
        rep_generic_table(ctx, d->t_backtest, &v);
    } else {
        not_run(ctx, TR(ctx, "未运行回测。", "Backtest: not run."));
    }
    civ_rbuf_put(&ctx->page, "</section>\n");
}

/* Which forecasts the allocation's demand factors summed (the plan's
 * manifest): the fund year's periods and how far ahead they are. */
static void demand_windows(rep_ctx *ctx)
{
    for (size_t k = 0; k < ctx->n_demand; k++) {
        const rep_demand_window *w = &ctx->demand[k];
        char text[768], steps[160] = "", first[48], last[48];
        if (!w->first[0] || !w->last[0])
            continue;
        rep_period_text(ctx, w->first, first, sizeof first);
        rep_period_text(ctx, w->last, last, sizeof last);
        char span[112]; /* one period (yearly data: the fund's year) is named once, not "2026 至 2026" */
        if (strcmp(first, last))
            civ_snprintf(span, sizeof span, TR(ctx, "%s 至 %s", "%s to %s"), first, last);
        else
            civ_snprintf(span, sizeof span, "%s", first);
        if (w->h_first > 0 && w->h_first == w->h_last)
            civ_snprintf(steps, sizeof steps,
                         TR(ctx, "，即数据最后一期之后第 %ld 期的预测（越往后，区间越宽）",
                            ", the forecast %ld period(s) after the data's last (the further ahead, the wider the "
                            "intervals)"),
                         w->h_first);
        else if (w->h_first > 0)
            civ_snprintf(steps, sizeof steps,
                         TR(ctx, "，即数据最后一期之后第 %ld 至 %ld 期的预测（越往后，区间越宽）",
                            ", %ld to %ld periods after the data's last (the further ahead, the wider the intervals)"),
                         w->h_first, w->h_last);
        if (!strcmp(w->period, "fiscal_year"))
            civ_snprintf(text, sizeof text,
                         TR(ctx, "需求因素“%s”按 %ld 年度各期的预测值合计（%s）%s。",
                            "The demand factor \u201c%s\u201d sums the forecasts of fiscal year %ld (%s)%s."),
                         w->label, w->fiscal_year, span, steps);
        else
            civ_snprintf(text, sizeof text,
                         TR(ctx, "需求因素“%s”按预测的前 %ld 期合计（%s），不论其是否落在 %ld 年度（规则中 period = \"horizon\"）。",
                            "The demand factor \u201c%s\u201d sums the first %ld forecast periods (%s), whether or "
                            "not they fall in fiscal year %ld (the rules say period = \"horizon\")."),
                         w->label, w->periods, span, w->fiscal_year);
        rep_para(ctx, text);
    }
}

void rep_section_allocation(rep_ctx *ctx)
{
    const rep_data *d = ctx->d;
    heading(ctx, "allocation", TR(ctx, "分配", "Allocation"));
    if (d->has_street)
        rep_para(ctx, TR(ctx, "资金按区和街道汇总：金额、人均、每位 60 岁以上老人的金额，以及与上年相比的变化。",
                         "Where the money goes, by district and by street: the amount, per resident, per resident aged "
                         "60+, and the change against last year."));
    else /* no street column (`street` or 街道): no street totals follow */
        rep_para(ctx, TR(ctx, "资金按区汇总：金额、人均、每位 60 岁以上老人的金额，以及与上年相比的变化。",
                         "Where the money goes, by district: the amount, per resident, per resident aged 60+, and the "
                         "change against last year."));
    demand_windows(ctx);
    rep_chart_alloc_districts(ctx);
    rep_group_table(ctx, 0);
    if (d->has_street) {
        sub(ctx, TR(ctx, "各街道", "By street"));
        rep_chart_alloc_streets(ctx);
        rep_group_table(ctx, 1);
    }
    sub(ctx, TR(ctx, "各项规则的作用", "What each rule did"));
    char base[64], text0[768];
    rep_fmt_money(base, sizeof base, d->base_total, REP_MONEY(ctx));
    int earmarked = 0; /* an earmark step: the base is then the general funds' only */
    for (size_t k = 0; k < d->n_steps; k++)
        earmarked |= !strcmp(d->steps[k].effect, "earmark") && d->steps[k].gained >= 0.005;
    if (earmarked)
        civ_snprintf(text0, sizeof text0,
                     TR(ctx, "一般资金的因素法基数（按因素和权重的分配，%s）之后，专项资金按各自的公式分给符合条件的社区（“专项资金”一步），每项规则给一些社区增加（绿）、从另一些社区减少（红）的资金；下方条形图是各项约束限定的社区数。",
                        "After the general funds' factor base (the split by factors and weights, %s), the earmarked funds go by their own formulas to the communities eligible for them (the \"earmarks\" step), and each rule gave money to some communities (green) and took it from others (red); the bars below count the communities each constraint held."),
                     base);
    else
        civ_snprintf(text0, sizeof text0,
                     TR(ctx, "因素法基数（按因素和权重的分配，%s）之后，每项规则给一些社区增加（绿）、从另一些社区减少（红）的资金；下方条形图是各项约束限定的社区数。",
                        "After the factor base (the split by factors and weights, %s), the money each rule gave to some communities (green) and took from others (red); the bars below count the communities each constraint held."),
                     base);
    rep_para(ctx, text0);
    rep_chart_waterfall(ctx);
    rep_chart_held(ctx);
    sub(ctx, TR(ctx, "公平性", "Equity"));
    char text[512];
    civ_snprintf(text, sizeof text,
                 TR(ctx, "按人均金额排序的洛伦兹曲线；曲线越接近对角线越均等。基尼系数：约束前 %.3f，约束后 %.3f。",
                    "Lorenz curves of the per-capita amounts; the closer to the diagonal, the more equal. Gini: %.3f before the constraints, %.3f after."),
                 row_value(d, "equity", "gini_before"), row_value(d, "equity", "gini_after"));
    rep_para(ctx, text);
    if (!d->has_population)
        rep_para(ctx, TR(ctx, "分配表没有人口列，曲线按社区个数计。", "The allocation table has no population column: the curve counts communities."));
    rep_chart_lorenz(ctx);
    sub(ctx, TR(ctx, "每个社区", "Every community"));
    rep_para(ctx, TR(ctx, "每个社区的金额及其构成说明；在搜索框输入文字即可筛选。", "Every community's amount with the explanation of how it was reached; type in the box to filter."));
    if (d->has_workbook) /* where the budget office finds the whole table to check and hand on */
        rep_para(ctx, TR(ctx, "完整的分配表（每个社区的金额、说明和各项构成）在本报告所在文件夹的 allocation.xlsx 中，"
                              "可用 Excel 或 WPS 打开。",
                         "The whole allocation table (every community's amount, explanation and breakdown) is in "
                         "allocation.xlsx in this report's folder, for Excel."));
    rep_community_table(ctx);
    civ_rbuf_put(&ctx->page, "</section>\n");
}

/* How far the district bands reach from their amounts, and the widest band
 * (P95 - P5 against the amount: the chart's longest bar, and the "widest
 * district" of the command's summary), in a sentence.  The widest was once
 * the band reaching farthest from its amount, so the page named 澜中区
 * (-0.47% to +1.79%) beside the longer bar of 康宁新区 (-1.72% to +1.19%),
 * and the summary 康宁新区. */
static int communities_vary(const rep_data *d)
{
    for (size_t i = 0; i < d->n_comms; i++)
        if (d->comms[i].p95 - d->comms[i].p5 > 0)
            return 1;
    return 0;
}

/* Whether some district's amount moved across the draws (its P5-P95 band has a width). */
static int districts_move(const rep_data *d)
{
    for (size_t g = 0; g < d->n_districts; g++)
        if (d->groups[g].p95 - d->groups[g].p5 > 0)
            return 1;
    return 0;
}

/* Returns 0 when no district's amount varies across the draws: the page says so plainly and why, and draws no
 * chart of empty bars (before: "the widest band is 城东区's (+0.00% to +0.00%, 0.00% wide)" over an empty
 * chart). */
static int uncertainty_widest(rep_ctx *ctx)
{
    const rep_data *d = ctx->d;
    if (!districts_move(d)) {
        rep_para(ctx, communities_vary(d)
                          ? TR(ctx, "各区的金额在每次抽样中都相同（P5 = P95 = 分配金额），所以没有区的横条：各区内社区之间的增减相互抵消。",
                               "No district's amount varies across the draws (P5 = P95 = the allocated amount), so "
                               "there are no district bars: within each district, its communities' moves cancel out.")
                          : TR(ctx, "各区的金额在每次抽样中都相同（P5 = P95 = 分配金额），所以没有区的横条：分配不随抽样变化（见下文）。",
                               "No district's amount varies across the draws (P5 = P95 = the allocated amount), so "
                               "there are no district bars: the allocation does not vary across the draws (see "
                               "below)."));
        return 0;
    }
    const rep_group *w = NULL;
    double dmax = -1, wmax = -1;
    for (size_t g = 0; g < d->n_districts; g++) {
        const rep_group *x = &d->groups[g];
        double dev = x->amount > 0 ? fmax(fabs(x->p5 - x->amount), fabs(x->p95 - x->amount)) / x->amount : NAN;
        double width = x->amount > 0 ? (x->p95 - x->p5) / x->amount : NAN;
        if (isfinite(dev) && dev > dmax)
            dmax = dev;
        if (isfinite(width) && width > wmax)
            wmax = width, w = x;
    }
    if (!w)
        return 1;
    char text[512];
    civ_snprintf(text, sizeof text,
                 TR(ctx, "各区的 P5–P95 都在分配金额的 ±%.2f%% 以内；横条最长（P5 与 P95 相差最大）的是%s（%+.2f%% 至 %+.2f%%，相差 %.2f%%）。",
                    "Every district's P5–P95 is within ±%.2f%% of its allocated amount; the widest band (the longest "
                    "bar) is %s's (%+.2f%% to %+.2f%%, %.2f%% wide)."),
                 100 * dmax, w->name, 100 * (w->p5 - w->amount) / w->amount, 100 * (w->p95 - w->amount) / w->amount,
                 100 * wmax);
    rep_para(ctx, text);
    return 1;
}

/* Why no community's amount varies, when allocation.csv's binding column says: every community held by a
 * constraint, or all but one, which gets what is left (the fund is fixed); "" otherwise. */
static void fixed_why(rep_ctx *ctx, size_t n, char *buf, size_t size)
{
    const rep_data *d = ctx->d;
    size_t held = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < d->n_comms; i++)
        held += d->comms[i].binding && d->comms[i].binding[0];
    char sh[32];
    rep_fmt_num(sh, sizeof sh, (double)held, 0);
    if (held == d->n_comms && held == n)
        civ_snprintf(buf, size, "%s", TR(ctx, "，因为每个社区的金额都由约束（保底、封顶、不低于上年、增幅上限等）决定，与需求预测无关",
                                         ", because every community's amount is set by a constraint (a floor, a "
                                         "cap, hold-harmless, pace), whatever the demand"));
    else if (held + 1 == d->n_comms && held + 1 == n && n > 1)
        civ_snprintf(buf, size, TR(ctx, "，因为其中 %s 个社区的金额由约束决定，剩下的一个社区得到其余的资金",
                                   ", because %s of them are held by a constraint, and the other one gets what "
                                   "is left"),
                     sh);
}

/* The communities' bands in a sentence: how wide they are on average against the amounts (the mean of P95 - P5
 * over the amount, as the command's summary says it), the widest, and how many never moved.  The districts'
 * bands alone told a committee the allocation hardly depended on forecast error (the demo's within 1.72%,
 * while a community's band is 10.8% of its amount on average, 38.5% at most; a one-district city's 0.00%). */
static void uncertainty_communities(rep_ctx *ctx)
{
    const rep_data *d = ctx->d;
    size_t n = 0, fixed = 0, top[REP_UNC_COMMS];
    double sum = 0;
    for (size_t i = 0; i < d->n_comms; i++) {
        const rep_comm *c = &d->comms[i];
        if (!(c->amount > 0) || !isfinite(c->p5) || !isfinite(c->p95))
            continue;
        double w = (c->p95 - c->p5) / c->amount;
        sum += w, n++, fixed += !(w > 0);
    }
    if (!n)
        return;
    char text[768], sn[32], sf[32];
    rep_fmt_num(sn, sizeof sn, (double)n, 0), rep_fmt_num(sf, sizeof sf, (double)fixed, 0);
    if (!rep_uncertainty_widest_comms(d, top)) {
        char why[384];
        fixed_why(ctx, n, why, sizeof why);
        civ_snprintf(text, sizeof text, TR(ctx, "分配不随抽样变化：%s 个社区的金额在每次抽样中都相同%s。",
                                           "The allocation does not vary across the draws: each of the %s "
                                           "communities got the same amount in every draw%s."),
                     sn, why);
        rep_para(ctx, text);
        return;
    }
    const rep_comm *w = &d->comms[top[0]];
    /* "much more" only after district bars that moved: beside districts that never moved it compares with 0 */
    const char *opener = districts_move(d) ? TR(ctx, "单个社区的金额变化要大得多", "A community's amount moves much more")
                                           : TR(ctx, "各社区的金额随抽样变化", "The communities' amounts do move");
    civ_snprintf(text, sizeof text,
                 TR(ctx, "%s：%s 个社区的 P5–P95 平均相差分配金额的 %.1f%%，最宽的是%s（%s，"
                         "%+.2f%% 至 %+.2f%%，相差 %.2f%%）；其中 %s 个社区的金额在每次抽样中都相同。下图是 P5–P95 最宽的社区。",
                    "%s: over the %s communities the P5–P95 band is %.1f%% of the "
                    "allocated amount on average, and the widest is %s's (%s, %+.2f%% to %+.2f%%, %.2f%% wide); %s of "
                    "them got the same amount in every draw. The chart below shows the widest bands."),
                 opener, sn, 100 * sum / (double)n, w->name[0] ? w->name : w->id, w->district,
                 100 * (w->p5 - w->amount) / w->amount, 100 * (w->p95 - w->amount) / w->amount,
                 100 * (w->p95 - w->p5) / w->amount, sf);
    rep_para(ctx, text);
}

static int uncertainty_districts(const rep_data *d)
{
    for (size_t g = 0; g < d->n_districts; g++)
        if (isfinite(d->groups[g].p5) && isfinite(d->groups[g].p95))
            return 1;
    return 0;
}

/* Bands of districts (uncertainty.csv) or of communities (allocation.csv): either may be missing from a folder
 * assembled by hand. */
static int uncertainty_any(const rep_data *d)
{
    if (uncertainty_districts(d))
        return 1;
    for (size_t i = 0; i < d->n_comms; i++)
        if (isfinite(d->comms[i].p5) && isfinite(d->comms[i].p95))
            return 1;
    return 0;
}

void rep_section_uncertainty(rep_ctx *ctx)
{
    const rep_data *d = ctx->d;
    heading(ctx, "uncertainty", TR(ctx, "不确定性", "Uncertainty"));
    rep_para(ctx, TR(ctx, "按需求预测区间多次重抽样并重新分配（蒙特卡洛），看每个区和每个社区金额的 5% 与 95% 分位数"
                          "（P5、P95）。图中竖线是分配金额（记为 0），横条从 P5 到 P95，表示相对分配金额的偏差（%）；"
                          "横条越短，金额越不受预测误差影响，没有横条表示各次抽样的金额都相同。资金总额是固定的，"
                          "一处多分，别处就少分，所以一个区的金额通常比其中单个社区的稳定得多。",
                     "The allocation re-run many times over draws from the forecast intervals (a Monte Carlo): the 5th "
                     "to 95th percentile (P5, P95) of each district's and each community's amount. The tick is the "
                     "allocated amount (at 0), and the bar runs from P5 to P95 as a deviation from that amount (%); a "
                     "short bar means the amount hardly depends on forecast error, no bar that every draw gave the "
                     "same amount. The fund is fixed, so what one place gains another loses, and a district's amount "
                     "is usually much steadier than those of its communities."));
    if (!uncertainty_any(d)) {
        rep_para(ctx, TR(ctx, "未运行蒙特卡洛（[uncertainty] draws = 0），没有区间。",
                         "The Monte Carlo was not run ([uncertainty] draws = 0): no intervals."));
    } else if (d->n_districts >= 2 && uncertainty_districts(d)) {
        if (uncertainty_widest(ctx))
            rep_chart_uncertainty(ctx);
    } else if (d->n_districts == 1) {
        char text[512];
        civ_snprintf(text, sizeof text, TR(ctx, "所有社区同属%s，该区的金额就是分配的全部资金，每次抽样都一样，所以下面只看各社区。",
                                           "Every community is in %s, whose amount is the whole allocation in every "
                                           "draw, so only the communities are shown below."), d->groups[0].name);
        rep_para(ctx, text);
    }
    if (uncertainty_any(d)) {
        uncertainty_communities(ctx);
        rep_chart_uncertainty_communities(ctx);
    }
    civ_rbuf_put(&ctx->page, "</section>\n");
}

void rep_section_need(rep_ctx *ctx)
{
    const rep_data *d = ctx->d;
    heading(ctx, "need", TR(ctx, "资金需求", "Need"));
    rep_para(ctx, TR(ctx, "按预测需求和补贴标准测算的各年资金需求（柱），与本年资金总额（虚线）比较；橙线为补贴标准的阶梯。",
                     "The need of each year, forecast demand times the subsidy standard (bars), against this year's fund (dashed); the orange steps are the standard."));
    rep_chart_need(ctx);
    if (d->n_need) {
        civ_rbuf *b = &ctx->page;
        civ_rbuf_put(b, "<div class=\"tbl\"><table class=\"data\">");
        char lb[128], ld[96];
        const char *heads[] = {TR(ctx, "年度", "Year"), rep_demand_label(ctx, ld, sizeof ld),
                               rep_standard_label(ctx, lb, sizeof lb, "Standard"), TR(ctx, "资金需求", "Need")};
        civ_rbuf_put(b, "<thead><tr>");
        for (int k = 0; k < 4; k++) {
            civ_rbuf_put(b, "<th>");
            civ_rbuf_html(b, heads[k]);
            civ_rbuf_put(b, "</th>");
        }
        civ_rbuf_put(b, "</tr></thead><tbody>\n");
        char buf[64];
        for (size_t k = 0; k < d->n_need; k++) {
            civ_rbuf_put(b, "<tr>");
            civ_snprintf(buf, sizeof buf, "%.0f", d->need[k].year), rep_cell(b, buf, 0);
            rep_fmt_num(buf, sizeof buf, d->need[k].demand, 0), rep_cell(b, buf, 1);
            rep_fmt_num(buf, sizeof buf, d->need[k].standard, 2), rep_cell(b, buf, 1);
            rep_fmt_money(buf, sizeof buf, d->need[k].need, REP_MONEY(ctx)), rep_cell(b, buf, 1);
            civ_rbuf_put(b, "</tr>\n");
        }
        civ_rbuf_put(b, "</tbody></table></div>\n");
    }
    civ_rbuf_put(&ctx->page, "</section>\n");
}

/* The status table's rows of its latest period (ds) whose status is not
 * "met": the units behind the chart's misses. */
typedef struct latest {
    size_t ds, status;
    const char *last;
} latest;

static int keep_latest_miss(const civ_table *t, size_t r, const void *arg)
{
    const latest *l = arg;
    const char *ds = civ_table_text(t, r, l->ds), *st = civ_table_text(t, r, l->status);
    return ds && !strcmp(ds, l->last) && st && strcmp(st, "met");
}

static void latest_misses(rep_ctx *ctx, const civ_table *t)
{
    latest l = {0, 0, ""};
    if (civ_table_find_column(t, "ds", &l.ds) || civ_table_find_column(t, "status", &l.status) ||
        civ_table_column_type(t, l.ds) != CIV_COLUMN_TEXT || civ_table_column_type(t, l.status) != CIV_COLUMN_TEXT) {
        rep_table_view v = {.max_rows = 60, .file = ctx->d->status_file, .monitoring = 1};
        rep_generic_table(ctx, t, &v);
        return;
    }
    for (size_t r = 0; r < civ_table_n_rows(t); r++) {
        const char *v = civ_table_text(t, r, l.ds);
        if (v && strcmp(v, l.last) > 0)
            l.last = v;
    }
    char text[256];
    civ_snprintf(text, sizeof text, TR(ctx, "%s 未达标（或无数据）的单位：", "The units not meeting their target (or without data) in %s:"),
                 l.last);
    rep_para(ctx, text);
    char filter[160];
    /* the file's column names and value, with what they mean: a committee member filters the file by them */
    civ_snprintf(filter, sizeof filter,
                 TR(ctx, "统计期（ds 列）为 %s、状态（status 列）不是 met（达标）的行",
                    "the rows of ds %s whose status is not met"),
                 l.last);
    rep_table_view v = {40, keep_latest_miss, &l, ctx->d->status_file, filter, 1, 0};
    rep_generic_table(ctx, t, &v);
}

/* Where a monitoring sub-section's data are, in a note under its heading
 * (the heading itself says what it shows, not a file name). */
static void source_note(rep_ctx *ctx, const char *file)
{
    char text[256];
    civ_snprintf(text, sizeof text, TR(ctx, "数据：输出目录中的 %s。", "Data: %s in the output folder."), file);
    civ_rbuf_put(&ctx->page, "<p class=\"note\">");
    civ_rbuf_html(&ctx->page, text);
    civ_rbuf_put(&ctx->page, "</p>\n");
}

void rep_sub(rep_ctx *ctx, const char *title) { sub(ctx, title); }
void rep_source_note(rep_ctx *ctx, const char *file) { source_note(ctx, file); }

/* The parts of the monitoring the folder holds, in the section's order, joined as a list ("预警、指标与目标的对比和风险
 * 矩阵"): before 2026-12-07 the sentence named all six whatever ran, so a run of the risks alone promised alerts. */
void rep_monitoring_parts(const rep_ctx *ctx, char *buf, size_t size)
{
    const rep_data *d = ctx->d;
    const char *part[6];
    size_t n = 0, used = 0;
    if (d->t_monitor)
        part[n++] = TR(ctx, "预警", "alerts");
    if (d->t_status)
        part[n++] = TR(ctx, "指标与目标的对比", "indicators against their targets");
    if (d->t_warn)
        part[n++] = TR(ctx, "提前预警", "early warning");
    if (d->t_inact)
        part[n++] = TR(ctx, "独居老人无活动预警", "inactivity alerts");
    if (d->t_demand)
        part[n++] = TR(ctx, "实际需求与预测的对比", "demand against its forecast");
    if (d->t_risk || d->t_risks)
        part[n++] = TR(ctx, "风险矩阵", "the risk matrix");
    buf[0] = '\0';
    for (size_t k = 0; k < n && used < size; k++)
        used += (size_t)civ_snprintf(buf + used, size - used, "%s%s", !k ? "" : k + 1 < n ? TR(ctx, "、", ", ")
                                                                                        : TR(ctx, "和", " and "),
                                     part[k]);
}

/* The section's opening sentences: what the monitoring gave, and where the departments find it in Excel (the alerts
 * by department when the indicators ran; else the parts the workbook holds, with nothing to filter by department). */
static void monitoring_intro(rep_ctx *ctx)
{
    const rep_data *d = ctx->d;
    char parts[512], text[1024];
    rep_monitoring_parts(ctx, parts, sizeof parts);
    civ_snprintf(text, sizeof text, TR(ctx, "监测给出的%s（来自输出目录的表）；图在前，明细表在后。",
                                       "What the monitoring gave (tables of the output folder): %s; the charts "
                                       "first, the detail tables after them."), parts);
    rep_para(ctx, text);
    if (d->has_monitor_workbook && (d->t_monitor || d->t_status)) /* each department's alerts to filter, hand on */
        rep_para(ctx, TR(ctx, "各部门的本期预警（未解除的在前，按部门）、指标状态、预警概率和风险在本报告所在文件夹的 "
                              "monitoring.xlsx 中，可用 Excel 或 WPS 打开，按“部门”筛选。",
                         "Each department's alerts of the period (open ones first, by department), the indicators' "
                         "statuses, the early warning and the risks are in monitoring.xlsx in this report's folder, "
                         "for Excel: filter the Department column."));
    else if (d->has_monitor_workbook) {
        civ_snprintf(text, sizeof text, TR(ctx, "本次监测不含指标；%s的明细在本报告所在文件夹的 monitoring.xlsx 中，"
                                                "可用 Excel 或 WPS 打开。",
                                           "This monitoring had no indicators; the detail of %s is in "
                                           "monitoring.xlsx in this report's folder, for Excel."), parts);
        rep_para(ctx, text);
    }
}

/* The alerts' sub-section of a period without an open alert: a sentence in place of a chart with no bars (and no
 * table of no rows below); when the statuses hold one period, why there can be none (as the command's `history`
 * line: a month's sheet alone gives 0 open). Before 2026-12-07 the page drew the empty chart and table. */
static void no_alerts(rep_ctx *ctx)
{
    const civ_table *t = ctx->d->t_status;
    size_t c = rep_typed_column(t, "ds", CIV_COLUMN_TEXT);
    const char *first = NULL, *last = NULL;
    for (size_t r = 0; c != (size_t)-1 && r < civ_table_n_rows(t); r++) {
        const char *v = civ_table_text(t, r, c);
        if (v && v[0] && (!first || strcmp(v, first) < 0))
            first = v;
        if (v && v[0] && (!last || strcmp(v, last) > 0))
            last = v;
    }
    char text[512];
    if (first && !strcmp(first, last))
        civ_snprintf(text, sizeof text, TR(ctx, "本期没有未解除的预警：指标数据只有一期（%s），看不出连续未达标，所以不会产生预警；"
                                                "请用包含以往各期的数据监测。",
                                           "No open alert in the period: the indicators' data hold one period (%s), so "
                                           "no run of misses can be seen and no alert raised; monitor with the data of "
                                           "the periods before it too."), first);
    else
        civ_snprintf(text, sizeof text, "%s", TR(ctx, "本期没有未解除的预警。", "No open alert in the period."));
    rep_para(ctx, text);
}

void rep_section_monitoring(rep_ctx *ctx)
{
    const rep_data *d = ctx->d;
    heading(ctx, "monitoring", TR(ctx, "监测", "Monitoring"));
    if (!d->t_monitor && !d->t_status && !d->t_risk && !d->t_risks && !d->t_warn && !d->t_inact && !d->t_demand) {
        not_run(ctx, TR(ctx, "未运行监测。", "Monitoring: not run."));
        civ_rbuf_put(&ctx->page, "</section>\n");
        return;
    }
    monitoring_intro(ctx);
    size_t n_alerts = d->t_monitor ? civ_table_n_rows(d->t_monitor) : 0;
    if (d->t_monitor) {
        sub(ctx, TR(ctx, "预警", "Alerts"));
        source_note(ctx, d->monitor_file);
        if (n_alerts)
            rep_chart_monitor(ctx);
        else
            no_alerts(ctx);
    }
    if (d->t_status) {
        sub(ctx, TR(ctx, "指标与目标", "Indicators against targets"));
        source_note(ctx, d->status_file);
        rep_chart_indicators(ctx);
    }
    rep_watch_sections(ctx);
    if (d->t_risk || d->t_risks) {
        sub(ctx, TR(ctx, "风险矩阵", "Risk matrix"));
        char files[128];
        civ_snprintf(files, sizeof files, "%s%s%s", d->t_risk ? d->risk_file : "",
                     d->t_risk && d->t_risks ? TR(ctx, " 和 ", " and ") : "", d->t_risks ? d->risks_file : "");
        source_note(ctx, files);
        rep_para(ctx, TR(ctx, "每个风险按发生概率（行）和影响程度（列）放入矩阵，格子颜色为风险等级，数字为落在该格的风险个数；"
                              "下表按处理优先次序列出各风险，可能性为其概率所在的行（悬停可看行、列和分值）。",
                         "Each risk sits in the cell of its probability (row) and impact (column); the colour is the cell's level, "
                         "the number counts the risks in it. The table lists the risks in the order to handle them, "
                         "with the likelihood of their probability's row (hover for the row, column and score)."));
        if (d->t_risk)
            rep_chart_risk_matrix(ctx);
        if (d->t_risks) {
            rep_table_view v = {.max_rows = 60, .file = d->risks_file, .risks = 1};
            rep_generic_table(ctx, d->t_risks, &v);
        }
    }
    if (n_alerts) {
        sub(ctx, TR(ctx, "预警明细", "The alerts"));
        rep_table_view v = {.max_rows = 60, .file = d->monitor_file, .monitoring = 1};
        rep_generic_table(ctx, d->t_monitor, &v);
    }
    if (d->t_status) {
        sub(ctx, TR(ctx, "未达标的单位", "Units not meeting their targets"));
        latest_misses(ctx, d->t_status);
    }
    civ_rbuf_put(&ctx->page, "</section>\n");
}
