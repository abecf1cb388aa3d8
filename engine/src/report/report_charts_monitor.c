/*
 * report_charts_monitor.c -- layer report: the risk matrix as a grid
 * (probability x impact heatmap, risk_matrix.csv) and the backtest accuracy
 * by model (backtest_accuracy.csv).  Both tables come from other stages; the
 * page says "not run" when they are absent (report_sections.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "report_page.h"
#include "report_palette.h"
#include "report_text.h"
#include "report_zh.h"

/* The default matrix's names for readers (docs/MONITORING.md, report_zh.c);
 * a custom matrix's names are shown as written. */
static const char *risk_word(int zh, const char *column, const char *w)
{
    return zh ? rep_word_zh(column, w) : w;
}

typedef struct mcol {
    size_t row, col, level, impact, risks, score, pfrom, pto;
    int has_p, has_score;
} mcol;

static int text_col(const civ_table *t, const char *name, size_t *c)
{
    return civ_table_find_column(t, name, c) == CIV_OK && civ_table_column_type(t, *c) == CIV_COLUMN_TEXT;
}

static int num_col(const civ_table *t, const char *name, size_t *c)
{
    return civ_table_find_column(t, name, c) == CIV_OK && civ_table_column_type(t, *c) == CIV_COLUMN_NUMBER;
}

/* Risks named in a cell ("a;b"): their count. */
static size_t count_risks(const char *s)
{
    if (!s || !*s)
        return 0;
    size_t n = 1;
    for (; *s; s++)
        n += *s == ';';
    return n;
}

/* The grey a colour ("#rrggbb") prints as: its BT.601 luma, 0..255 (report_palette.h). */
static double print_grey(const char *hex)
{
    unsigned r = 0, g = 0, b = 0;
    sscanf(hex, "#%2x%2x%2x", &r, &g, &b);
    return 0.299 * r + 0.587 * g + 0.114 * b;
}

/* The levels of the matrix (up to 8, in order of their lowest score) and their colours: lightest for the
 * lowest, darker at every step (report_palette.h).  Returns their count. */
static size_t level_colours(const civ_table *t, const mcol *m, const char *lv[8], const char *colour[8])
{
    double lo[8];
    size_t n = 0;
    for (size_t r = 0; r < civ_table_n_rows(t); r++) {
        const char *l = civ_table_text(t, r, m->level);
        double sc = m->has_score ? civ_table_number(t, r, m->score) : (double)r;
        size_t k = 0;
        while (k < n && strcmp(lv[k], l ? l : ""))
            k++;
        if (k == n && n < 8)
            lv[n] = l ? l : "", lo[n++] = sc;
        else if (k < n && sc < lo[k])
            lo[k] = sc;
    }
    for (size_t i = 1; i < n; i++) /* insertion sort by lowest score */
        for (size_t j = i; j > 0 && lo[j] < lo[j - 1]; j--) {
            double x = lo[j];
            lo[j] = lo[j - 1], lo[j - 1] = x;
            const char *y = lv[j];
            lv[j] = lv[j - 1], lv[j - 1] = y;
        }
    static const char *const ramp5[5] = {REP_RISK_RAMP5}, *const ramp8[8] = {REP_RISK_RAMP8};
    for (size_t k = 0; k < n; k++) /* spread over the ramp when fewer: the lowest and highest at its ends */
        colour[k] = n <= 5 ? ramp5[n > 1 ? k * 4 / (n - 1) : 0] : ramp8[k * 7 / (n - 1)];
    return n;
}

/* The colour scale of the cells: the levels and their colours. */
static void level_scale(const rep_ctx *ctx, civ_rbuf *b, const char *const *lv, const char *const *colour, size_t n)
{
    civ_rbuf_put(b, "\"scale\":{\"domain\":[");
    for (size_t k = 0; k < n; k++) {
        civ_rbuf_put(b, k ? "," : "");
        civ_rbuf_json_str(b, risk_word(ctx->zh, "level", lv[k]));
    }
    civ_rbuf_put(b, "],\"range\":[");
    for (size_t k = 0; k < n; k++)
        civ_rbuf_printf(b, "%s\"%s\"", k ? "," : "", colour[k]);
    civ_rbuf_put(b, "]}");
}

/* The colour of the counts written on the cells: white on the dark levels' cells, dark on the others. */
static void level_ink(const rep_ctx *ctx, civ_rbuf *b, const char *const *lv, const char *const *colour, size_t n)
{
    civ_rbuf_put(b, "\"color\":");
    size_t n_dark = 0;
    for (size_t k = 0; k < n; k++)
        if (print_grey(colour[k]) < REP_INK_LIGHT_BELOW) {
            civ_rbuf_put(b, n_dark++ ? "," : "{\"condition\":{\"test\":{\"field\":\"level\",\"oneOf\":[");
            civ_rbuf_json_str(b, risk_word(ctx->zh, "level", lv[k]));
        }
    if (n_dark)
        civ_rbuf_put(b, "]},\"value\":\"" REP_INK_LIGHT "\"},\"value\":\"" REP_INK_DARK "\"}");
    else
        civ_rbuf_put(b, "{\"value\":\"" REP_INK_DARK "\"}");
}

static void grid_rows(const rep_ctx *ctx, civ_rbuf *b, const civ_table *t, const mcol *m)
{
    char band[64];
    for (size_t r = 0; r < civ_table_n_rows(t); r++) {
        double row = civ_table_number(t, r, m->row), col = civ_table_number(t, r, m->col);
        if (m->has_p)
            civ_snprintf(band, sizeof band, "%.2g–%.2g", civ_table_number(t, r, m->pfrom),
                         civ_table_number(t, r, m->pto));
        else
            civ_snprintf(band, sizeof band, "%.0f", row);
        const char *risks = civ_table_text(t, r, m->risks), *impact = civ_table_text(t, r, m->impact);
        const char *level = civ_table_text(t, r, m->level);
        civ_rbuf_printf(b, "%s{\"row\":%.0f,\"column\":%.0f,\"likelihood\":", r ? "," : "", row, col);
        civ_rbuf_json_str(b, band);
        civ_rbuf_put(b, ",\"impact\":");
        civ_rbuf_json_str(b, risk_word(ctx->zh, "impact", impact ? impact : ""));
        civ_rbuf_put(b, ",\"level\":");
        civ_rbuf_json_str(b, risk_word(ctx->zh, "level", level ? level : ""));
        civ_rbuf_put(b, ",\"score\":");
        civ_rbuf_json_num(b, m->has_score ? civ_table_number(t, r, m->score) : row * col);
        size_t n = count_risks(risks);
        civ_rbuf_printf(b, ",\"count\":%zu,\"risks\":", n);
        civ_rbuf_json_str(b, risks ? risks : "");
        civ_rbuf_put(b, "}");
    }
}

void rep_chart_risk_matrix(rep_ctx *ctx)
{
    const civ_table *t = ctx->d->t_risk;
    mcol m = {0};
    if (!t || !num_col(t, "row", &m.row) || !num_col(t, "column", &m.col) || !text_col(t, "level", &m.level) ||
        !text_col(t, "impact", &m.impact) || !text_col(t, "risks", &m.risks)) {
        rep_para(ctx, TR(ctx, "风险矩阵表缺少 row、column、impact、level 或 risks 列，不画网格。",
                         "The risk matrix table lacks a row, column, impact, level or risks column: no grid."));
        return;
    }
    m.has_p = num_col(t, "probability_from", &m.pfrom) && num_col(t, "probability_to", &m.pto);
    m.has_score = num_col(t, "score", &m.score);
    const char *py = TR(ctx, "可能性（概率）", "Likelihood (probability)"), *px = TR(ctx, "影响", "Impact");
    civ_rbuf b = {0};
    rep_spec_begin(ctx, &b, TR(ctx, "风险矩阵：可能性 × 影响（格中数字为风险个数）",
                               "Risk matrix: likelihood × impact (the number in a cell counts its risks)"));
    rep_fluid_width(ctx, &b);
    civ_rbuf_put(&b, ",\"height\":300,\"data\":{\"values\":[");
    grid_rows(ctx, &b, t, &m);
    civ_rbuf_put(&b, "]},\"encoding\":{\"x\":{\"field\":\"impact\",\"type\":\"ordinal\",\"sort\":{\"field\":\"column\"},"
                     "\"axis\":{\"labelAngle\":0},\"title\":");
    civ_rbuf_json_str(&b, px);
    civ_rbuf_put(&b, "},\"y\":{\"field\":\"likelihood\",\"type\":\"ordinal\",\"sort\":{\"field\":\"row\",\"order\":"
                     "\"descending\"},\"title\":");
    civ_rbuf_json_str(&b, py);
    civ_rbuf_put(&b, "},\"tooltip\":[");
    rep_nfield(&b, "likelihood", py);
    civ_rbuf_put(&b, ",");
    rep_nfield(&b, "impact", px);
    civ_rbuf_put(&b, ",");
    rep_qfield(&b, "score", TR(ctx, "分值", "Score"), NULL);
    civ_rbuf_put(&b, ",");
    rep_nfield(&b, "level", TR(ctx, "等级", "Level"));
    civ_rbuf_put(&b, ",");
    rep_qfield(&b, "count", TR(ctx, "风险个数", "Risks (count)"), NULL);
    civ_rbuf_put(&b, ",");
    rep_nfield(&b, "risks", TR(ctx, "风险", "Risks"));
    civ_rbuf_put(&b, "]},\"layer\":[{\"mark\":{\"type\":\"rect\",\"stroke\":\"#fff\",\"strokeWidth\":2},"
                     "\"encoding\":{\"color\":{\"field\":\"level\",\"type\":\"ordinal\",\"title\":");
    civ_rbuf_json_str(&b, TR(ctx, "等级", "Level"));
    civ_rbuf_put(&b, ",");
    const char *lv[8], *colour[8];
    size_t n = level_colours(t, &m, lv, colour);
    level_scale(ctx, &b, lv, colour, n);
    civ_rbuf_put(&b, "}}},{\"transform\":[{\"filter\":\"datum.count > 0\"}],\"mark\":{\"type\":\"text\",\"fontSize\":18,"
                     "\"fontWeight\":\"bold\"},\"encoding\":{\"text\":{\"field\":\"count\","
                     "\"type\":\"quantitative\"},");
    level_ink(ctx, &b, lv, colour, n);
    civ_rbuf_put(&b, "}}]");
    rep_chart_emit(ctx, "monitoring_risk_matrix", &b);
}

/* ---- backtest accuracy ---------------------------------------------------- */

/* What a backtest_accuracy.csv column holds, by its name (civicast
 * backtest's names; other tables are read the same way): an interval coverage
 * ("coverage-L" or "coverage_L": charted against its level L), a count or a
 * signed figure that a "smaller is better" panel would misread (windows,
 * failed, n, bias: in the table only), or else an error measure (MAE, RMSE,
 * MAPE, sMAPE, MASE, RMSSE, score-L, MSIS-L, ...: smaller is better). */
typedef enum { BT_ERROR, BT_COVERAGE, BT_TABLE_ONLY } bt_kind;

static bt_kind bt_column_kind(const char *name, double *level)
{
    static const char *const table_only[] = {"windows", "failed", "n", "bias"};
    for (size_t k = 0; k < sizeof table_only / sizeof *table_only; k++)
        if (!civ_ascii_casecmp(name, table_only[k]))
            return BT_TABLE_ONLY;
    if (!civ_ascii_ncasecmp(name, "coverage", 8) && (name[8] == '-' || name[8] == '_')) {
        char *end = NULL;
        double l = civ_strtod(name + 9, &end);
        if (end != name + 9 && !*end && l > 0.0 && l < 100.0) {
            *level = l;
            return BT_COVERAGE;
        }
    }
    return BT_ERROR;
}

/* Row r's label: the short model name (on the Chinese page, the Chinese of
 * the default and the baselines: Auto -> 自动组合（默认）), then the other
 * text columns. */
static void bt_label(const civ_table *t, size_t r, size_t cm, int zh, char *label, size_t size)
{
    const char *mv = civ_table_text(t, r, cm);
    char model[512];
    rep_short_model(model, sizeof model, mv ? mv : "");
    civ_snprintf(label, size, "%s", zh ? rep_word_zh("model", model) : model);
    for (size_t c = 0; c < civ_table_n_columns(t); c++) {
        const char *v = c != cm && civ_table_column_type(t, c) == CIV_COLUMN_TEXT ? civ_table_text(t, r, c) : NULL;
        size_t L = strlen(label);
        if (v && *v)
            civ_snprintf(label + L, size - L, " · %s", v);
    }
}

/* The values of every column of one kind as {"model","metric","value"[,"target"]}
 * rows; returns how many.  A coverage's target is its level in the column's
 * unit (percent, or a fraction when no value exceeds 1). */
static size_t bt_values(civ_rbuf *b, const civ_table *t, size_t cm, bt_kind want, int zh, int *percent)
{
    *percent = 0;
    size_t nc = civ_table_n_columns(t), nr = civ_table_n_rows(t), count = 0;
    char label[512];
    for (size_t c = 0; c < nc; c++) {
        double level = 0.0;
        if (civ_table_column_type(t, c) != CIV_COLUMN_NUMBER || bt_column_kind(civ_table_column_name(t, c), &level) != want)
            continue;
        double top = 0.0;
        for (size_t r = 0; r < nr; r++)
            top = fmax(top, fabs(civ_table_number(t, r, c)));
        *percent |= top > 1.0;
        for (size_t r = 0; r < nr; r++) {
            if (!isfinite(civ_table_number(t, r, c)))
                continue;
            bt_label(t, r, cm, zh, label, sizeof label);
            civ_rbuf_put(b, count++ ? ",{\"model\":" : "{\"model\":");
            civ_rbuf_json_str(b, label);
            civ_rbuf_put(b, ",\"metric\":");
            char buf[64];
            const char *metric = rep_column_label(zh, civ_table_column_name(t, c), buf, sizeof buf);
            civ_rbuf_json_str(b, metric && strcmp(metric, "n") ? metric : civ_table_column_name(t, c));
            civ_rbuf_put(b, ",\"value\":");
            civ_rbuf_json_num(b, civ_table_number(t, r, c));
            if (want == BT_COVERAGE) {
                civ_rbuf_put(b, ",\"target\":");
                civ_rbuf_json_num(b, top <= 1.0 ? level / 100.0 : level);
            }
            civ_rbuf_put(b, "}");
        }
    }
    return count;
}

static void bt_tooltip(rep_ctx *ctx, civ_rbuf *b)
{
    civ_rbuf_put(b, ",\"tooltip\":[");
    rep_nfield(b, "model", TR(ctx, "模型", "Model"));
    civ_rbuf_put(b, ",");
    rep_nfield(b, "metric", TR(ctx, "指标", "Metric"));
    civ_rbuf_put(b, ",");
    rep_qfield(b, "value", TR(ctx, "数值", "Value"), ",.4~f");
    civ_rbuf_put(b, "]");
}

/* backtest_accuracy.csv: model (and any other text columns, joined into the
 * row's label) and numeric columns: a bar panel per error measure (smaller is
 * better), and the interval coverages against their nominal levels (a rule at
 * the level: closer is better) in a second chart. */
void rep_chart_backtest(rep_ctx *ctx)
{
    const civ_table *t = ctx->d->t_backtest;
    size_t nc = t ? civ_table_n_columns(t) : 0, n_metrics = 0;
    for (size_t c = 0; c < nc; c++)
        n_metrics += civ_table_column_type(t, c) == CIV_COLUMN_NUMBER;
    size_t cm;
    if (!t || !text_col(t, "model", &cm) || !n_metrics) {
        rep_para(ctx, TR(ctx, "回测表（backtest_accuracy.csv）需要 model 列和至少一个数值指标列，不画图。",
                         "The backtest table (backtest_accuracy.csv) needs a model column and at least one numeric metric "
                         "column: no chart."));
        return;
    }
    civ_rbuf b = {0};
    rep_spec_begin(ctx, &b, TR(ctx, "各模型的回测误差（越小越好）", "Backtest errors by model (smaller is better)"));
    civ_rbuf_put(&b, ",\"data\":{\"values\":[");
    int percent;
    size_t n_err = bt_values(&b, t, cm, BT_ERROR, ctx->zh, &percent);
    civ_rbuf_put(&b, "]},\"columns\":3,\"facet\":{\"field\":\"metric\",\"type\":\"nominal\",\"title\":null,\"sort\":null},"
                     "\"resolve\":{\"scale\":{\"x\":\"independent\"}},\"spec\":{\"width\":180,\"mark\":\"bar\","
                     "\"encoding\":{\"y\":{\"field\":\"model\",\"type\":\"nominal\",\"sort\":null,\"title\":null},\"x\":");
    rep_qfield(&b, "value", TR(ctx, "误差", "Error"), NULL);
    bt_tooltip(ctx, &b);
    civ_rbuf_put(&b, "}}");
    if (n_err)
        rep_chart_emit(ctx, "backtest_accuracy", &b);
    else
        civ_rbuf_free(&b);

    civ_rbuf c = {0};
    rep_spec_begin(ctx, &c, TR(ctx, "预测区间覆盖率（竖线为名义水平，越接近越好）",
                              "Interval coverage (the line is the nominal level: closer is better)"));
    civ_rbuf_put(&c, ",\"data\":{\"values\":[");
    size_t n_cov = bt_values(&c, t, cm, BT_COVERAGE, ctx->zh, &percent);
    civ_rbuf_put(&c, "]},\"columns\":3,\"facet\":{\"field\":\"metric\",\"type\":\"nominal\",\"title\":null,\"sort\":null},"
                     "\"resolve\":{\"scale\":{\"x\":\"independent\"}},\"spec\":{\"width\":180,\"layer\":["
                     "{\"mark\":\"bar\",\"encoding\":{\"y\":{\"field\":\"model\",\"type\":\"nominal\",\"sort\":null,"
                     "\"title\":null},\"x\":");
    /* the coverages' unit on the axis: percent (civicast's tables), or a share when none exceeds 1 */
    rep_qfield(&c, "value", percent ? TR(ctx, "覆盖率（%）", "Coverage (%)") : TR(ctx, "覆盖率（比例）", "Coverage (share)"),
               NULL);
    bt_tooltip(ctx, &c);
    civ_rbuf_put(&c, "}},{\"mark\":{\"type\":\"rule\",\"color\":\"" REP_RED "\",\"strokeDash\":[4,3]},"
                     "\"encoding\":{\"x\":{\"field\":\"target\",\"type\":\"quantitative\"}}}]}");
    if (n_cov)
        rep_chart_emit(ctx, "backtest_coverage", &c);
    else
        civ_rbuf_free(&c);
}
