/*
 * report_monitor.c -- layer report: the summary of the monitoring report, the
 * page `civicast report` makes of a `civicast monitor --out` folder, which
 * has no allocation (rep_data.monitor_only): that it is a monitoring report
 * and not a plan's, the period of its alerts and the span of the actuals, the
 * counts of each part the folder holds (alerts, risks, inactivity, early
 * warning, demand against its forecast) and the local time the inactivity
 * alerts were binned in (docs/REPORT.md, "A monitoring folder").  Nothing on
 * the page speaks of money: the monitoring section follows as in a plan's.
 */
#include <math.h>
#include <string.h>

#include "c_locale.h"
#include "report_page.h"
#include "report_text.h"

/* The earliest and the latest text of t's column `name` (ISO periods and times: the text order is the time
 * order); 0 when t lacks it or has no such text. */
static int span(const civ_table *t, const char *name, const char **first, const char **last)
{
    size_t c = rep_typed_column(t, name, CIV_COLUMN_TEXT);
    *first = *last = NULL;
    for (size_t r = 0; c != (size_t)-1 && r < civ_table_n_rows(t); r++) {
        const char *v = civ_table_text(t, r, c);
        if (!v || !v[0])
            continue;
        if (!*first || strcmp(v, *first) < 0)
            *first = v;
        if (!*last || strcmp(v, *last) > 0)
            *last = v;
    }
    return *first != NULL;
}

/* "2024-12 至 2025-03" / "2024-12 to 2025-03", or the one period; each as the page writes periods. */
static void span_text(const rep_ctx *ctx, const char *first, const char *last, char *buf, size_t size)
{
    char a[64], b[64];
    rep_period_text(ctx, first, a, sizeof a), rep_period_text(ctx, last, b, sizeof b);
    if (!strcmp(first, last))
        civ_snprintf(buf, size, "%s", a);
    else
        civ_snprintf(buf, size, TR(ctx, "%s 至 %s", "%s to %s"), a, b);
}

/* The period of the alerts: alerts.csv's ds (every row has the run's period); without an alert, the one period.csv
 * records (the run's --period, else its last: `civicast monitor --out` writes it since 2026-12-07, when a run of
 * --period 2023-01 without an open alert was reported as 2024-12, the data's latest, with "no open alert"), else
 * (a folder of an older version) the latest period of the statuses, said to be the latest. */
static void period_rows(rep_ctx *ctx)
{
    const rep_data *d = ctx->d;
    const char *first, *last;
    char buf[160], one[64];
    if (span(d->t_monitor, "ds", &first, &last) || (d->t_monitor && span(d->t_period, "period", &first, &last))) {
        span_text(ctx, first, last, buf, sizeof buf);
        rep_kv(ctx, TR(ctx, "监测期", "Period"), buf);
    } else if (span(d->t_status, "ds", &first, &last)) {
        rep_period_text(ctx, last, one, sizeof one);
        civ_snprintf(buf, sizeof buf, TR(ctx, "%s（指标数据的最新一期）", "%s (the latest of the indicators' data)"), one);
        rep_kv(ctx, TR(ctx, "监测期", "Period"), buf);
    }
    if (span(d->t_status, "ds", &first, &last)) {
        span_text(ctx, first, last, buf, sizeof buf);
        rep_kv(ctx, TR(ctx, "指标数据", "Indicators' data"), buf);
    }
    if (d->t_monitor || d->t_status) { /* the indicators' alerts: a run without them has none to count */
        rep_fmt_num(buf, sizeof buf, d->t_monitor ? (double)civ_table_n_rows(d->t_monitor) : 0, 0);
        rep_kv(ctx, TR(ctx, "预警数", "Alerts"), buf);
    }
}

/* The inactivity alerts' time span (UTC) and the local time their hours were binned in. */
static void inactivity_rows(rep_ctx *ctx)
{
    const char *first, *last;
    char a[32], b[32], buf[160];
    if (span(ctx->d->t_inact, "alert_at", &first, &last)) {
        civ_snprintf(a, sizeof a, "%.10s", first), civ_snprintf(b, sizeof b, "%.10s", last);
        span_text(ctx, a, b, buf, sizeof buf);
        rep_kv(ctx, TR(ctx, "无活动预警的日期（UTC）", "Inactivity alerts' dates (UTC)"), buf);
    }
    if (!ctx->d->t_inact)
        return;
    double h = rep_local_offset(ctx);
    if (h == 8.0)
        civ_snprintf(buf, sizeof buf, "%s", TR(ctx, "UTC + 8 小时（北京时间）", "UTC + 8 hours (Beijing time)"));
    else
        civ_snprintf(buf, sizeof buf, TR(ctx, "UTC %+g 小时", "UTC %+g hours"), h);
    rep_kv(ctx, TR(ctx, "本次监测的当地时间", "The monitoring's local time"), buf);
}

/* demand.csv: its periods, and how many community-periods ran ahead of and behind their forecast interval. */
static void demand_row(rep_ctx *ctx)
{
    const civ_table *t = ctx->d->t_demand;
    size_t cf = rep_typed_column(t, "flag", CIV_COLUMN_TEXT), n = t ? civ_table_n_rows(t) : 0, ahead = 0, behind = 0;
    const char *first, *last;
    if (cf == (size_t)-1)
        return;
    for (size_t r = 0; r < n; r++) {
        const char *f = civ_table_text(t, r, cf);
        ahead += f && !strcmp(f, "ahead"), behind += f && !strcmp(f, "behind");
    }
    char when[160] = "", a[32], b[32], all[32], buf[320];
    if (span(t, "ds", &first, &last))
        span_text(ctx, first, last, when, sizeof when);
    rep_fmt_num(all, sizeof all, (double)n, 0), rep_fmt_num(a, sizeof a, (double)ahead, 0);
    rep_fmt_num(b, sizeof b, (double)behind, 0);
    civ_snprintf(buf, sizeof buf, TR(ctx, "%s%s%s 个对比，高于预测区间 %s 个，低于 %s 个",
                                     "%s%s%s compared, %s ahead of the interval, %s behind it"),
                 when, when[0] ? TR(ctx, "：", ": ") : "", all, a, b);
    rep_kv(ctx, TR(ctx, "实际需求与预测", "Demand against its forecast"), buf);
}

void rep_section_monitor_summary(rep_ctx *ctx)
{
    char parts[512], text[1024];
    rep_monitoring_parts(ctx, parts, sizeof parts);
    civ_rbuf_put(&ctx->page, "<section id=\"summary\">\n<h2>");
    civ_rbuf_html(&ctx->page, TR(ctx, "概要", "Summary"));
    civ_rbuf_put(&ctx->page, "</h2>\n");
    civ_snprintf(text, sizeof text,
                 TR(ctx, "这是监测报告，由 civicast monitor 写入输出目录的表生成，内容为%s。该目录没有资金分配，"
                         "所以本报告不含需求预测、资金分配和资金需求（这些在 civicast plan 的报告中）。",
                    "This is a monitoring report, made from the tables civicast monitor wrote into its output "
                    "folder: %s. The folder holds no allocation, so the report has no demand forecast, allocation "
                    "or need (a plan's report, civicast plan, has them)."),
                 parts);
    rep_para(ctx, text);
    civ_rbuf_put(&ctx->page, "<div class=\"tbl\"><table class=\"data kv\"><tbody>\n");
    period_rows(ctx);
    rep_watch_summary(ctx, rep_kv);
    inactivity_rows(ctx);
    demand_row(ctx);
    civ_rbuf_put(&ctx->page, "</tbody></table></div>\n</section>\n");
}
