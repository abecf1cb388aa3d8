/*
 * report_watch.c -- layer report: the monitoring's three watch lists on the
 * committee's page, from the plan's output folder: the early warning
 * (warning.csv: the series likely to miss their target within the horizon),
 * the inactivity alerts of people living alone (inactivity.csv: the ones
 * still open first) and the demand against its forecast (demand.csv: how
 * much ran ahead of or behind the forecast intervals, by district, and the
 * communities furthest ahead).  Each is a sentence with the counts, as the
 * plan's terminal lines give them, and a short table of what to act on first;
 * the full files stay in the folder and are named.  A file the folder lacks,
 * or one without the columns it needs, adds nothing.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "report_page.h"
#include "report_text.h"
#include "report_zh.h"
#include "strmap.h"

#define WATCH_ROWS 20 /* rows of each table; the rest are in the file */

/* The text of row r (NULL column or cell: ""). */
static const char *text(const civ_table *t, size_t r, size_t c)
{
    const char *s = c == (size_t)-1 ? NULL : civ_table_text(t, r, c);
    return s ? s : "";
}

static double number(const civ_table *t, size_t r, size_t c)
{
    return c == (size_t)-1 ? NAN : civ_table_number(t, r, c);
}

/* Rows in the order to show them: by key descending (NaN last), then by file order. */
typedef struct ranked {
    double key;
    size_t row;
} ranked;

static int by_key_desc(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    int xn = isnan(x->key), yn = isnan(y->key);
    if (xn != yn)
        return xn - yn;
    if (!xn && x->key != y->key)
        return x->key < y->key ? 1 : -1;
    return (x->row > y->row) - (x->row < y->row);
}

static void table_head(rep_ctx *ctx, const char *const *heads, size_t n)
{
    civ_rbuf_put(&ctx->page, "<div class=\"tbl\"><table class=\"data\"><thead><tr>");
    for (size_t k = 0; k < n; k++) {
        civ_rbuf_put(&ctx->page, "<th>");
        civ_rbuf_html(&ctx->page, heads[k]);
        civ_rbuf_put(&ctx->page, "</th>");
    }
    civ_rbuf_put(&ctx->page, "</tr></thead><tbody>\n");
}

/* Closes a table; when rows were left out, a note: "the first 20 of 102 communities; all in FILE". */
static void table_end(rep_ctx *ctx, size_t shown, size_t total, const char *file, const char *what_zh,
                      const char *what_en)
{
    civ_rbuf_put(&ctx->page, "</tbody></table></div>\n");
    if (shown >= total)
        return;
    char n1[32], n2[32], note[256];
    rep_fmt_num(n1, sizeof n1, (double)shown, 0), rep_fmt_num(n2, sizeof n2, (double)total, 0);
    if (ctx->zh)
        civ_snprintf(note, sizeof note, "表中显示前 %s %s，共 %s %s；完整列表见输出目录中的 %s。", n1, what_zh, n2, what_zh,
                     file);
    else
        civ_snprintf(note, sizeof note, "Showing the first %s of %s %s; all of them are in %s in the output folder.",
                     n1, n2, what_en, file);
    civ_rbuf_put(&ctx->page, "<p class=\"note\">");
    civ_rbuf_html(&ctx->page, note);
    civ_rbuf_put(&ctx->page, "</p>\n");
}

static void pct_cell(rep_ctx *ctx, double p)
{
    char buf[32] = "";
    if (isfinite(p))
        rep_fmt_pct(buf, sizeof buf, 100 * p, 0);
    rep_cell(&ctx->page, buf, 1);
}

/* The indicator's name in the status table (its `name` column), else the code. */
static const char *indicator_name(const rep_data *d, const char *code)
{
    size_t ci = rep_typed_column(d->t_status, "indicator", CIV_COLUMN_TEXT);
    size_t cn = rep_typed_column(d->t_status, "name", CIV_COLUMN_TEXT);
    for (size_t r = 0; cn != (size_t)-1 && ci != (size_t)-1 && r < civ_table_n_rows(d->t_status); r++)
        if (!strcmp(text(d->t_status, r, ci), code) && text(d->t_status, r, cn)[0])
            return text(d->t_status, r, cn);
    return code;
}

/* A street's unit code with the street's name (鼓角街道（D05-S03）), else the unit as written. */
static void unit_cell(rep_ctx *ctx, const char *scope, const char *unit)
{
    const char *street = rep_unit_name(ctx->d, scope, unit);
    char both[256];
    if (street)
        civ_snprintf(both, sizeof both, TR(ctx, "%s（%s）", "%s (%s)"), street, unit);
    rep_cell(&ctx->page, street ? both : rep_word(ctx->zh, "unit", unit), 0);
}

static void warning_rows(rep_ctx *ctx, const ranked *rk, size_t n, const size_t *c)
{
    const civ_table *t = ctx->d->t_warn;
    const char *heads[] = {TR(ctx, "层级", "Level"), TR(ctx, "单位", "Unit"), TR(ctx, "指标", "Indicator"),
                           TR(ctx, "责任部门", "Department"), TR(ctx, "下一期未达标概率", "P(miss) next period"),
                           TR(ctx, "预测期内最高未达标概率", "Highest P(miss) in the horizon"),
                           TR(ctx, "首次预警期", "First warning")};
    table_head(ctx, heads, sizeof heads / sizeof *heads);
    for (size_t k = 0; k < n && k < WATCH_ROWS; k++) {
        size_t r = rk[k].row;
        char period[64];
        civ_rbuf_put(&ctx->page, "<tr>");
        rep_cell(&ctx->page, rep_word(ctx->zh, "scope", text(t, r, c[0])), 0);
        unit_cell(ctx, text(t, r, c[0]), text(t, r, c[1]));
        rep_cell(&ctx->page, indicator_name(ctx->d, text(t, r, c[2])), 0);
        rep_cell(&ctx->page, text(t, r, c[3]), 0);
        pct_cell(ctx, number(t, r, c[4]));
        pct_cell(ctx, number(t, r, c[5]));
        rep_period_text(ctx, text(t, r, c[6]), period, sizeof period);
        rep_cell(&ctx->page, period, 0);
        civ_rbuf_put(&ctx->page, "</tr>\n");
    }
    table_end(ctx, n < WATCH_ROWS ? n : WATCH_ROWS, n, ctx->d->warn_file, "个序列", "series");
}

/* warning.csv: the series whose first_warning is set, by P(miss) of the next period. */
static void early_warning(rep_ctx *ctx)
{
    const civ_table *t = ctx->d->t_warn;
    size_t c[7] = {rep_typed_column(t, "scope", CIV_COLUMN_TEXT),
                   rep_typed_column(t, "unit", CIV_COLUMN_TEXT),
                   rep_typed_column(t, "indicator", CIV_COLUMN_TEXT),
                   rep_typed_column(t, "department", CIV_COLUMN_TEXT),
                   rep_typed_column(t, "p_miss_next", CIV_COLUMN_NUMBER),
                   rep_typed_column(t, "p_miss_max", CIV_COLUMN_NUMBER),
                   rep_typed_column(t, "first_warning", CIV_COLUMN_TEXT)}; /* all empty: a number column, none warns */
    if (c[1] == (size_t)-1 || c[2] == (size_t)-1 || c[4] == (size_t)-1)
        return;
    size_t rows = civ_table_n_rows(t), n = 0;
    ranked *rk = malloc((rows + 1) * sizeof *rk);
    if (!rk)
        return;
    for (size_t r = 0; r < rows; r++)
        if (text(t, r, c[6])[0])
            rk[n++] = (ranked){number(t, r, c[4]), r};
    qsort(rk, n, sizeof *rk, by_key_desc);
    rep_sub(ctx, TR(ctx, "提前预警：可能未达标的指标", "Early warning: indicators likely to miss"));
    rep_source_note(ctx, ctx->d->warn_file);
    char n1[32], n2[32], line[640];
    rep_fmt_num(n1, sizeof n1, (double)rows, 0), rep_fmt_num(n2, sizeof n2, (double)n, 0);
    if (n)
        civ_snprintf(line, sizeof line,
                     TR(ctx, "按各指标的预测，%s 个监测序列中有 %s 个在预测期内未达标的概率达到预警线，"
                             "应提前安排措施。下表按下一期未达标的概率从高到低排列。",
                        "By the indicators' forecasts, of the %s monitored series %s reach the warning threshold's "
                        "probability of missing their target within the horizon: act before they miss. The table "
                        "lists them by the probability of missing the next period, highest first."),
                     n1, n2);
    else
        civ_snprintf(line, sizeof line,
                     TR(ctx, "按各指标的预测，%s 个监测序列在预测期内未达标的概率都低于预警线。",
                        "By the indicators' forecasts, none of the %s monitored series reaches the warning "
                        "threshold's probability of missing its target within the horizon."),
                     n1);
    rep_para(ctx, line);
    if (n)
        warning_rows(ctx, rk, n, c);
    free(rk);
}

/* "2025-03-28T06:53:55" -> "2025-03-28 06:53" (the file's UTC time, to the minute). */
static void time_text(const char *iso, char *buf, size_t size)
{
    civ_snprintf(buf, size, "%.16s", iso);
    char *tee = strchr(buf, 'T');
    if (tee)
        *tee = ' ';
}

static void inactivity_rows(rep_ctx *ctx, const ranked *rk, size_t n, const size_t *c)
{
    const civ_table *t = ctx->d->t_inact;
    const char *heads[] = {TR(ctx, "人员编号", "Person"), TR(ctx, "最后一次活动（UTC）", "Last activity (UTC)"),
                           TR(ctx, "预警时间（UTC）", "Alert (UTC)"), TR(ctx, "恢复活动（UTC）", "Activity again (UTC)"),
                           TR(ctx, "无活动时长（小时）", "Hours without activity"),
                           TR(ctx, "预警阈值（小时）", "Threshold (hours)")};
    table_head(ctx, heads, sizeof heads / sizeof *heads);
    for (size_t k = 0; k < n && k < WATCH_ROWS; k++) {
        size_t r = rk[k].row;
        char last[32], alert[32], resumed[32], gap[32], limit[32];
        time_text(text(t, r, c[1]), last, sizeof last);
        time_text(text(t, r, c[2]), alert, sizeof alert);
        time_text(text(t, r, c[3]), resumed, sizeof resumed);
        rep_fmt_num(gap, sizeof gap, number(t, r, c[4]), 1), rep_fmt_num(limit, sizeof limit, number(t, r, c[5]), 1);
        int open = !resumed[0];
        civ_rbuf_put(&ctx->page, open ? "<tr class=\"open\">" : "<tr>");
        rep_cell(&ctx->page, text(t, r, c[0]), 0);
        rep_cell(&ctx->page, last, 0);
        rep_cell(&ctx->page, alert, 0);
        rep_cell(&ctx->page, open ? TR(ctx, "仍未恢复", "STILL OPEN") : resumed, 0);
        rep_cell(&ctx->page, isfinite(number(t, r, c[4])) ? gap : "", 1);
        rep_cell(&ctx->page, isfinite(number(t, r, c[5])) ? limit : "", 1);
        civ_rbuf_put(&ctx->page, "</tr>\n");
    }
    table_end(ctx, n < WATCH_ROWS ? n : WATCH_ROWS, n, ctx->d->inact_file, "次预警", "alerts");
}

/* The local time the monitoring binned its hours in: inactivity.csv's own utc_offset_hours (the table says it
 * since 2026-12-07, for a plan's folder and a `monitor --out` folder alike, so that a folder whose inactivity.csv
 * a later `monitor --utc-offset 5.5` replaced says 5.5); else the plan's manifest's (ctx->utc_offset: an older
 * table), else Beijing's.  Before, a `monitor --out` folder said 北京时间 whatever --utc-offset was. */
double rep_local_offset(const rep_ctx *ctx)
{
    const civ_table *t = ctx->d->t_inact;
    size_t c = rep_typed_column(t, "utc_offset_hours", CIV_COLUMN_NUMBER);
    double v = c != (size_t)-1 && civ_table_n_rows(t) ? civ_table_number(t, 0, c) : NAN;
    return isfinite(v) && fabs(v) <= 14.0 ? v : ctx->utc_offset;
}

/* The sentence: how many alerts, how many still open, and who (the first three open ones). */
static void inactivity_line(rep_ctx *ctx, const ranked *rk, size_t n, size_t open, const size_t *c)
{
    const civ_table *t = ctx->d->t_inact;
    char n1[32], n2[32], who[320] = "", line[768];
    size_t used = 0;
    for (size_t k = 0; k < open && k < 3 && used < sizeof who; k++) {
        char since[32];
        time_text(text(t, rk[k].row, c[1]), since, sizeof since);
        used += (size_t)civ_snprintf(who + used, sizeof who - used,
                                     TR(ctx, "%s%s（%s 起无活动）", "%s%s (no activity since %s UTC)"),
                                     k ? TR(ctx, "、", ", ") : "", text(t, rk[k].row, c[0]), since);
    }
    if (open > 3 && used < sizeof who)
        civ_snprintf(who + used, sizeof who - used, "%s", TR(ctx, "等", " and others"));
    rep_fmt_num(n1, sizeof n1, (double)n, 0), rep_fmt_num(n2, sizeof n2, (double)open, 0);
    if (open)
        civ_snprintf(line, sizeof line,
                     TR(ctx, "独居老人活动传感器共发出 %s 次无活动预警，其中 %s 次到数据末尾仍未恢复活动，"
                             "请立即上门或电话核实：%s。",
                        "The activity sensors of people living alone raised %s inactivity alerts. Still open at the "
                        "end of the data (%s), to be checked by a visit or a call now: %s. "),
                     n1, n2, who);
    else
        civ_snprintf(line, sizeof line,
                     TR(ctx, "独居老人活动传感器共发出 %s 次无活动预警，到数据末尾均已恢复活动。",
                        "The activity sensors of people living alone raised %s inactivity alerts; activity resumed "
                        "after each of them. "),
                     n1);
    size_t used_line = strlen(line);
    double offset = rep_local_offset(ctx);
    if (offset == 8.0) /* times in UTC; the local time as the table (or manifest.json) records it, else Beijing */
        civ_snprintf(line + used_line, sizeof line - used_line, "%s",
                     TR(ctx, "时间为 UTC（北京时间 = UTC + 8 小时）。", "Times are UTC (Beijing time is UTC + 8 hours)."));
    else
        civ_snprintf(line + used_line, sizeof line - used_line,
                     TR(ctx, "时间为 UTC（本次监测的当地时间 = UTC %+g 小时）。",
                        "Times are UTC (the monitoring's local time is UTC %+g hours)."), offset);
    rep_para(ctx, line);
}

/* inactivity.csv: open alerts (no `resumed`) first, then the latest first. */
static void inactivity(rep_ctx *ctx)
{
    const civ_table *t = ctx->d->t_inact;
    size_t c[6] = {rep_typed_column(t, "person", CIV_COLUMN_TEXT),
                   rep_typed_column(t, "last_event", CIV_COLUMN_TEXT),
                   rep_typed_column(t, "alert_at", CIV_COLUMN_TEXT),
                   rep_typed_column(t, "resumed", CIV_COLUMN_TEXT),
                   rep_typed_column(t, "gap_hours", CIV_COLUMN_NUMBER),
                   rep_typed_column(t, "threshold_hours", CIV_COLUMN_NUMBER)};
    if (c[0] == (size_t)-1 || c[2] == (size_t)-1)
        return;
    size_t n = civ_table_n_rows(t), open = 0;
    ranked *rk = malloc((n + 1) * sizeof *rk);
    if (!rk)
        return;
    for (size_t r = 0; r < n; r++) {
        int is_open = !text(t, r, c[3])[0];
        open += (size_t)is_open;
        /* open ones first, each group latest alert first: the row order of the file is the alerts' time order */
        rk[r] = (ranked){(is_open ? 2.0 * (double)n : 0.0) + (double)r, r};
    }
    qsort(rk, n, sizeof *rk, by_key_desc);
    rep_sub(ctx, TR(ctx, "独居老人无活动预警", "Inactivity alerts of people living alone"));
    rep_source_note(ctx, ctx->d->inact_file);
    inactivity_line(ctx, rk, n, open, c);
    if (n)
        inactivity_rows(ctx, rk, n, c);
    free(rk);
}

typedef struct flag_count {
    size_t ahead, behind, all;
} flag_count;

/* Counts of demand.csv's flags, for the city (out[n_districts]) and per district (out[k]: rep_data.groups[k]). */
static void count_flags(const rep_data *d, const size_t *c, const civ_strmap *comm, flag_count *out)
{
    const civ_table *t = d->t_demand;
    for (size_t r = 0; r < civ_table_n_rows(t); r++) {
        const char *flag = text(t, r, c[6]);
        size_t i, g = d->n_districts;
        flag_count *city = &out[d->n_districts], *dist = NULL;
        if (civ_strmap_get(comm, text(t, r, c[0]), &i) && (g = d->comms[i].district_index) < d->n_districts)
            dist = &out[g];
        for (flag_count *f = city; f; f = f == city ? dist : NULL) {
            f->all++;
            f->ahead += !strcmp(flag, "ahead");
            f->behind += !strcmp(flag, "behind");
        }
    }
}

static void district_flags(rep_ctx *ctx, const flag_count *fc)
{
    const rep_data *d = ctx->d;
    const char *heads[] = {TR(ctx, "区", "District"), TR(ctx, "高于预测区间", "Ahead of the interval"),
                           TR(ctx, "低于预测区间", "Behind the interval"), TR(ctx, "对比数", "Compared")};
    table_head(ctx, heads, sizeof heads / sizeof *heads);
    for (size_t g = 0; g < d->n_districts; g++) {
        char a[32], b[32], n[32];
        if (!fc[g].all)
            continue;
        rep_fmt_num(a, sizeof a, (double)fc[g].ahead, 0), rep_fmt_num(b, sizeof b, (double)fc[g].behind, 0);
        rep_fmt_num(n, sizeof n, (double)fc[g].all, 0);
        civ_rbuf_put(&ctx->page, "<tr>");
        rep_cell(&ctx->page, d->groups[g].name, 0);
        rep_cell(&ctx->page, a, 1), rep_cell(&ctx->page, b, 1), rep_cell(&ctx->page, n, 1);
        civ_rbuf_put(&ctx->page, "</tr>\n");
    }
    civ_rbuf_put(&ctx->page, "</tbody></table></div>\n");
}

/* One community's periods ahead of their forecast interval. */
typedef struct ahead_sum {
    size_t first_row, periods; /* its first such row of demand.csv, how many */
    double excess;             /* the sum of actual - mean over them, in the series' unit */
    const char *last;          /* the latest such period */
} ahead_sum;

/* Sums the rows flagged "ahead" by community, in order of first appearance; *n_out of them. NULL when out of
 * memory. */
static ahead_sum *sum_ahead(const civ_table *t, const size_t *c, size_t *n_out)
{
    size_t rows = civ_table_n_rows(t), n = 0, dup;
    ahead_sum *s = calloc(rows + 1, sizeof *s);
    civ_strmap seen = {0};
    for (size_t r = 0; s && r < rows; r++) {
        if (strcmp(text(t, r, c[6]), "ahead"))
            continue;
        size_t k;
        if (!civ_strmap_get(&seen, text(t, r, c[0]), &k)) {
            if (civ_strmap_put(&seen, text(t, r, c[0]), n, &dup) == CIV_ERR_OUT_OF_MEMORY) {
                free(s), s = NULL;
                break;
            }
            k = n++;
            s[k] = (ahead_sum){r, 0, 0.0, ""};
        }
        s[k].periods++;
        s[k].excess += number(t, r, c[2]) - number(t, r, c[3]);
        if (strcmp(text(t, r, c[1]), s[k].last) > 0)
            s[k].last = text(t, r, c[1]);
    }
    civ_strmap_free(&seen);
    *n_out = n;
    return s;
}

static void ahead_row(rep_ctx *ctx, const ahead_sum *a, const size_t *c, const civ_strmap *comm)
{
    const rep_data *d = ctx->d;
    const char *id = text(d->t_demand, a->first_row, c[0]);
    char who[256], periods[32], excess[32], last[64];
    size_t i;
    if (civ_strmap_get(comm, id, &i) && d->comms[i].name && d->comms[i].name[0])
        civ_snprintf(who, sizeof who, TR(ctx, "%s（%s）", "%s (%s)"), d->comms[i].name, id);
    else
        civ_snprintf(who, sizeof who, "%s", id);
    rep_fmt_num(periods, sizeof periods, (double)a->periods, 0), rep_fmt_num(excess, sizeof excess, a->excess, 0);
    rep_period_text(ctx, a->last, last, sizeof last);
    civ_rbuf_put(&ctx->page, "<tr>");
    rep_cell(&ctx->page, who, 0), rep_cell(&ctx->page, periods, 1), rep_cell(&ctx->page, excess, 1);
    rep_cell(&ctx->page, last, 0);
    civ_rbuf_put(&ctx->page, "</tr>\n");
}

/* The communities furthest ahead of their forecast: the largest excess over the mean summed over their periods
 * above the interval, first (in the series' own unit, so that 1 meal against a forecast of 0.02 does not top
 * the list by its percentage, and a community ahead month after month shows once). */
static void ahead_rows(rep_ctx *ctx, const size_t *c, const civ_strmap *comm)
{
    size_t n = 0;
    ahead_sum *s = sum_ahead(ctx->d->t_demand, c, &n);
    ranked *rk = s ? malloc((n + 1) * sizeof *rk) : NULL;
    if (!rk || !n) {
        free(s), free(rk);
        return;
    }
    for (size_t k = 0; k < n; k++)
        rk[k] = (ranked){s[k].excess, k};
    qsort(rk, n, sizeof *rk, by_key_desc);
    const char *word = rep_period_word(ctx, 1), *heads[] = {TR(ctx, "社区", "Community"), NULL, NULL, NULL};
    char h1[96], h2[96], h3[96];
    civ_snprintf(h1, sizeof h1, TR(ctx, "高于区间的%s数", "%s ahead of the interval"), word);
    h1[0] = (char)civ_ascii_toupper((unsigned char)h1[0]); /* "Months ..." (a Chinese first byte is not ASCII) */
    civ_snprintf(h2, sizeof h2, TR(ctx, "这些%s合计超出预测", "Above the forecast in those %s"), word);
    civ_snprintf(h3, sizeof h3, TR(ctx, "最近一次", "Latest"));
    heads[1] = h1, heads[2] = h2, heads[3] = h3;
    rep_para(ctx, TR(ctx, "超出预测最多的社区（按高于预测区间各期超出的合计）：",
                     "The communities furthest ahead of their forecast (by the excess summed over their periods "
                     "above the interval):"));
    table_head(ctx, heads, sizeof heads / sizeof *heads);
    for (size_t k = 0; k < n && k < WATCH_ROWS; k++)
        ahead_row(ctx, &s[rk[k].row], c, comm);
    table_end(ctx, n < WATCH_ROWS ? n : WATCH_ROWS, n, ctx->d->demand_file, "个社区", "communities");
    free(s), free(rk);
}

/* demand.csv: the counts for the city, the districts' table and the communities furthest ahead. */
static void demand_check(rep_ctx *ctx)
{
    const rep_data *d = ctx->d;
    const civ_table *t = d->t_demand;
    size_t c[7] = {rep_typed_column(t, "unique_id", CIV_COLUMN_TEXT),
                   rep_typed_column(t, "ds", CIV_COLUMN_TEXT),
                   rep_typed_column(t, "actual", CIV_COLUMN_NUMBER),
                   rep_typed_column(t, "mean", CIV_COLUMN_NUMBER),
                   rep_typed_column(t, "deviation_pct", CIV_COLUMN_NUMBER),
                   rep_typed_column(t, "level", CIV_COLUMN_NUMBER),
                   rep_typed_column(t, "flag", CIV_COLUMN_TEXT)};
    if (c[0] == (size_t)-1 || c[6] == (size_t)-1)
        return;
    civ_strmap comm = {0};
    size_t dup;
    flag_count *fc = calloc(d->n_districts + 1, sizeof *fc);
    int ok = fc != NULL;
    for (size_t i = 0; i < d->n_comms && ok; i++)
        ok = civ_strmap_put(&comm, d->comms[i].id, i, &dup) != CIV_ERR_OUT_OF_MEMORY;
    if (ok) {
        count_flags(d, c, &comm, fc);
        const flag_count *city = &fc[d->n_districts];
        rep_sub(ctx, TR(ctx, "实际需求与预测", "Demand against its forecast"));
        rep_source_note(ctx, d->demand_file);
        char n[32], a[32], b[32], line[640], pair[64];
        rep_fmt_num(n, sizeof n, (double)city->all, 0), rep_fmt_num(a, sizeof a, (double)city->ahead, 0);
        rep_fmt_num(b, sizeof b, (double)city->behind, 0);
        civ_snprintf(pair, sizeof pair, TR(ctx, "社区-%s", "community-%s"), rep_period_word(ctx, ctx->zh ? 0 : 1));
        if (d->monitor_only) /* a monitoring's folder: no plan, no money to speak of */
            civ_snprintf(line, sizeof line,
                         TR(ctx, "已有实际值的 %s 个%s中，%s 个高于预测区间（需求高于预测），%s 个低于预测区间，其余在区间内。",
                            "Of the %s %s with an actual value, %s ran ahead of their forecast interval (demand above "
                            "its forecast) and %s behind it; the rest were within."),
                         n, pair, a, b);
        else
            civ_snprintf(line, sizeof line,
                         TR(ctx, "已有实际值的 %s 个%s中，%s 个高于预测区间（需求超出计划，资金可能不足），"
                                 "%s 个低于预测区间，其余在区间内。",
                            "Of the %s %s with an actual value, %s ran ahead of their forecast interval "
                            "(demand above plan: the money may run short) and %s behind it; the rest were within."),
                         n, pair, a, b);
        rep_para(ctx, line);
        if (d->n_districts > 1)
            district_flags(ctx, fc);
        ahead_rows(ctx, c, &comm);
    }
    civ_strmap_free(&comm);
    free(fc);
}

void rep_watch_sections(rep_ctx *ctx)
{
    if (ctx->d->t_warn)
        early_warning(ctx);
    if (ctx->d->t_inact)
        inactivity(ctx);
    if (ctx->d->t_demand)
        demand_check(ctx);
}

/* The summary's line of the risk register: how many risks, and how many at the highest level among them ("4 项（高
 * 1 项）"): a run of the risks alone said "预警数 0" here before 2026-12-07, as if indicators had been watched. */
static void risks_summary(rep_ctx *ctx, void (*kv)(rep_ctx *, const char *, const char *))
{
    const civ_table *t = ctx->d->t_risks;
    size_t cl = rep_typed_column(t, "level", CIV_COLUMN_TEXT), n = t ? civ_table_n_rows(t) : 0, top = 0;
    if (!t || cl == (size_t)-1)
        return;
    for (size_t r = 0; r < n; r++) /* rows by level, highest first (civ_monitor_risk_assess) */
        top += !strcmp(text(t, r, cl), text(t, 0, cl));
    char n1[32], n2[32], v[160];
    rep_fmt_num(n1, sizeof n1, (double)n, 0), rep_fmt_num(n2, sizeof n2, (double)top, 0);
    if (n)
        civ_snprintf(v, sizeof v, TR(ctx, "%s 项（%s %s 项）", "%s (%s %s)"), n1,
                     ctx->zh ? rep_word(1, "level", text(t, 0, cl)) : n2, ctx->zh ? n2 : text(t, 0, cl));
    else
        civ_snprintf(v, sizeof v, "0");
    kv(ctx, TR(ctx, "风险", "Risks"), v);
}

void rep_watch_summary(rep_ctx *ctx, void (*kv)(rep_ctx *, const char *, const char *))
{
    const rep_data *d = ctx->d;
    risks_summary(ctx, kv);
    size_t ci = rep_typed_column(d->t_inact, "resumed", CIV_COLUMN_TEXT);
    size_t n = d->t_inact ? civ_table_n_rows(d->t_inact) : 0;
    size_t open = 0;
    for (size_t r = 0; r < n; r++)
        open += !text(d->t_inact, r, ci)[0];
    if (d->t_inact && rep_typed_column(d->t_inact, "person", CIV_COLUMN_TEXT) != (size_t)-1) {
        char n1[32], n2[32], v[96];
        rep_fmt_num(n1, sizeof n1, (double)n, 0), rep_fmt_num(n2, sizeof n2, (double)open, 0);
        civ_snprintf(v, sizeof v, open ? TR(ctx, "%s（%s 次仍未恢复）", "%s (%s still open)") : "%s", n1, n2);
        kv(ctx, TR(ctx, "独居老人无活动预警", "Inactivity alerts"), v);
    }
    size_t cw = rep_typed_column(d->t_warn, "first_warning", CIV_COLUMN_TEXT);
    size_t rows = d->t_warn ? civ_table_n_rows(d->t_warn) : 0;
    if (d->t_warn && rep_typed_column(d->t_warn, "p_miss_next", CIV_COLUMN_NUMBER) != (size_t)-1) {
        size_t warn = 0;
        for (size_t r = 0; r < rows; r++)
            warn += text(d->t_warn, r, cw)[0] != '\0';
        char n1[32], n2[32], v[96];
        rep_fmt_num(n1, sizeof n1, (double)warn, 0), rep_fmt_num(n2, sizeof n2, (double)rows, 0);
        civ_snprintf(v, sizeof v, TR(ctx, "%s / %s 个序列", "%s of %s series"), n1, n2);
        kv(ctx, TR(ctx, "提前预警", "Early warnings"), v);
    }
}
