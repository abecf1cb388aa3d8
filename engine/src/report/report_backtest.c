/*
 * report_backtest.c -- layer report: what the backtest section says about
 * its own numbers, read from the folder: whether the models were scored on
 * the same points (backtest_accuracy.csv's n), why the failed windows failed
 * (backtest_failures.csv, counted by the rule of the command's summary line,
 * so the page and the terminal give the same reasons and counts; an older
 * folder without it: backtest.csv's windows without a forecast, against the
 * values history.csv has before each cutoff), and whether the intervals were
 * too wide, about right or too narrow (coverage against its nominal level).
 */
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "report_page.h"
#include "report_text.h"
#include "report_zh.h"
#include "strmap.h"

enum { MAX_MODELS = 8 };

/* The failed windows of one model. */
typedef struct bt_fail {
    const char *model;
    size_t failed, no_data, some_data, other, unknown; /* some_data: min_obs..max_obs values before the cutoff */
    size_t min_obs, max_obs;
} bt_fail;

typedef struct bt_cols {
    size_t id, cut, model, mean;
} bt_cols;

/* history.csv: where each series' rows start (rows of a series together),
 * and the most rows of a series: civicast plan writes the last periods of
 * every series (the horizon, at least 24), so a series with fewer rows is
 * there whole, from its first period. */
typedef struct hist_index {
    const civ_table *t;
    size_t id, ds, y, max_rows;
    civ_strmap first;
} hist_index;

static int hist_open(const rep_data *d, hist_index *h)
{
    memset(h, 0, sizeof *h);
    h->t = d->t_hist;
    if (!h->t || civ_table_find_column(h->t, "unique_id", &h->id) || civ_table_find_column(h->t, "ds", &h->ds) ||
        civ_table_find_column(h->t, "y", &h->y) || civ_table_column_type(h->t, h->y) != CIV_COLUMN_NUMBER) {
        civ_clear_error();
        return 0;
    }
    size_t dup, run = 0;
    const char *prev = NULL;
    for (size_t r = 0; r < civ_table_n_rows(h->t); r++) {
        const char *id = civ_table_text(h->t, r, h->id);
        run = prev && id && !strcmp(prev, id) ? run + 1 : 1;
        h->max_rows = run > h->max_rows ? run : h->max_rows;
        prev = id;
        if (id && civ_strmap_put(&h->first, id, r, &dup) == CIV_ERR_OUT_OF_MEMORY)
            return civ_strmap_free(&h->first), 0;
    }
    civ_clear_error(); /* a repeated id keeps its first row */
    return 1;
}

/* The values of series `id` up to `cut`: 0 when the series starts after the
 * cutoff, -1 when history.csv does not go back to the cutoff (or lacks the series). */
static long values_before(const hist_index *h, const char *id, const char *cut)
{
    size_t r;
    if (!h->t || !civ_strmap_get(&h->first, id, &r))
        return -1;
    long n = 0;
    int reaches = 0;
    size_t rows = 0;
    for (; r < civ_table_n_rows(h->t); r++, rows++) {
        const char *rid = civ_table_text(h->t, r, h->id), *ds = civ_table_text(h->t, r, h->ds);
        if (!rid || strcmp(rid, id))
            break;
        if (ds && strcmp(ds, cut) <= 0)
            reaches = 1, n += isfinite(civ_table_number(h->t, r, h->y));
    }
    return reaches ? n : rows < h->max_rows ? 0 : -1; /* a whole series that starts after the cutoff */
}

static bt_fail *model_slot(bt_fail *m, size_t *n, const char *model)
{
    for (size_t k = 0; k < *n; k++)
        if (!strcmp(m[k].model, model))
            return &m[k];
    if (*n == MAX_MODELS)
        return NULL;
    m[*n] = (bt_fail){.model = model, .min_obs = (size_t)-1};
    return &m[(*n)++];
}

static void count_window(bt_fail *f, long before)
{
    f->failed++;
    if (before < 0) {
        f->unknown++;
    } else if (before == 0) {
        f->no_data++;
    } else {
        f->some_data++;
        f->min_obs = (size_t)before < f->min_obs ? (size_t)before : f->min_obs;
        f->max_obs = (size_t)before > f->max_obs ? (size_t)before : f->max_obs;
    }
}

/* Scans backtest.csv window by window (series, cutoff, model): a window
 * without any forecast failed.  Returns the number of models; *total gets
 * the windows of every model. */
static size_t failed_windows(const rep_data *d, bt_fail *m, size_t *total)
{
    const civ_table *t = d->t_btw;
    bt_cols c;
    if (!t || civ_table_find_column(t, "unique_id", &c.id) || civ_table_find_column(t, "cutoff", &c.cut) ||
        civ_table_find_column(t, "model", &c.model) || civ_table_find_column(t, "mean", &c.mean) ||
        civ_table_column_type(t, c.mean) != CIV_COLUMN_NUMBER) {
        civ_clear_error();
        return 0;
    }
    hist_index h;
    int has_hist = hist_open(d, &h);
    size_t n = 0, nr = civ_table_n_rows(t);
    for (size_t r = 0; r < nr;) {
        const char *id = civ_table_text(t, r, c.id), *cut = civ_table_text(t, r, c.cut);
        const char *mo = civ_table_text(t, r, c.model);
        size_t e = r;
        int any = 0;
        for (; e < nr && !strcmp(civ_table_text(t, e, c.id) ? civ_table_text(t, e, c.id) : "", id ? id : "") &&
               !strcmp(civ_table_text(t, e, c.cut) ? civ_table_text(t, e, c.cut) : "", cut ? cut : "") &&
               !strcmp(civ_table_text(t, e, c.model) ? civ_table_text(t, e, c.model) : "", mo ? mo : "");
             e++)
            any |= isfinite(civ_table_number(t, e, c.mean));
        bt_fail *f = id && cut && mo ? model_slot(m, &n, mo) : NULL;
        *total += id && cut && mo;
        if (f && !any)
            count_window(f, has_hist ? values_before(&h, id, cut) : -1);
        r = e > r ? e : r + 1;
    }
    if (has_hist)
        civ_strmap_free(&h.first);
    return n;
}

/* Appends one clause to text (at *k, size bytes), after sep when *any says one came before; a count of 0
 * adds nothing (before, the page said "0 个是截止期前还没有任何数据的社区"). */
static void clause(char *text, size_t size, size_t *k, int *any, size_t count, const char *sep, const char *fmt, ...)
    CIV_PRINTF_LIKE(7, 8);
static void clause(char *text, size_t size, size_t *k, int *any, size_t count, const char *sep, const char *fmt, ...)
{
    if (!count || *k >= size)
        return;
    int n = civ_snprintf(text + *k, size - *k, "%s", *any ? sep : "");
    *k += n > 0 ? (size_t)n : 0;
    *any = 1;
    va_list ap;
    va_start(ap, fmt);
    n = *k < size ? civ_vsnprintf(text + *k, size - *k, fmt, ap) : 0;
    va_end(ap);
    *k += n > 0 ? (size_t)n : 0;
    *k = *k < size ? *k : size - 1;
}

/* "12" or "8–12" values. */
static void values_range(char *range, size_t size, size_t lo, size_t hi)
{
    if (lo == hi)
        civ_snprintf(range, size, "%zu", lo);
    else
        civ_snprintf(range, size, "%zu–%zu", lo, hi);
}

/* The reasons of `failed` windows after the text at *k: no data yet, too few values (lo..hi), not fitted, not
 * known from the folder; each only when it counts some. */
static void reason_clauses(rep_ctx *ctx, char *text, size_t size, size_t *k, const bt_fail *f, const char *count_zh)
{
    char a[32], range[48];
    const char *sep = TR(ctx, "；", "; ");
    int any = 0;
    rep_fmt_num(a, sizeof a, (double)f->no_data, 0);
    clause(text, size, k, &any, f->no_data, sep, TR(ctx, "%s %s是截止期前还没有任何数据的社区（当时尚未开始统计，无从预测）",
                                                    "%s%s for communities with no data yet at the cutoff (not counted "
                                                    "yet, nothing to forecast from)"),
           a, TR(ctx, count_zh, ""));
    rep_fmt_num(a, sizeof a, (double)f->some_data, 0);
    values_range(range, sizeof range, f->min_obs, f->max_obs);
    clause(text, size, k, &any, f->some_data, sep, TR(ctx, "%s %s是当时只有 %s 期数据的社区，不够该模型拟合",
                                                      "%s%s for communities with only %s values by then, too few for "
                                                      "the model"),
           a, TR(ctx, count_zh, ""), range);
    rep_fmt_num(a, sizeof a, (double)f->other, 0);
    clause(text, size, k, &any, f->other, sep, TR(ctx, "%s %s是模型无法拟合（原因见 backtest_failures.csv）",
                                                  "%s%s where the model could not be fitted (backtest_failures.csv "
                                                  "says why)"),
           a, TR(ctx, count_zh, ""));
    rep_fmt_num(a, sizeof a, (double)f->unknown, 0);
    clause(text, size, k, &any, f->unknown, sep, TR(ctx, "%s %s无法从本文件夹判断原因（history.csv 只有最近的各期）",
                                                    "%s%s for a reason this folder cannot tell (history.csv has only "
                                                    "the latest periods)"),
           a, TR(ctx, count_zh, ""));
}

/* An older folder without backtest_failures.csv: one model's failed windows, the reasons read from history.csv. */
static void failed_sentence(rep_ctx *ctx, const bt_fail *f)
{
    char a[32], text[1024];
    if (!f->failed)
        return;
    rep_fmt_num(a, sizeof a, (double)f->failed, 0);
    int n = civ_snprintf(text, sizeof text, TR(ctx, "%s 的 %s 个失败窗口中：", "Of %s's %s failed windows: "),
                         rep_word(ctx->zh, "model", f->model), a);
    size_t k = n > 0 && (size_t)n < sizeof text ? (size_t)n : 0;
    reason_clauses(ctx, text, sizeof text, &k, f, "个");
    if (k < sizeof text)
        civ_snprintf(text + k, sizeof text - k, "%s", TR(ctx, "。", "."));
    rep_para(ctx, text);
}

/* backtest_failures.csv (civicast plan writes it with [backtest]: one row per failed window with its reason
 * and the values before its cutoff, by the rule of the command's "could not be made" line): the same counts
 * and reasons as the terminal, then the failures by model.  Returns 0 when the folder has no such table. */
static int failures_from_table(rep_ctx *ctx, size_t total)
{
    const civ_table *t = ctx->d->t_btf;
    size_t cr, cv, cm;
    if (!t || civ_table_find_column(t, "reason", &cr) || civ_table_find_column(t, "values", &cv) ||
        civ_table_find_column(t, "model", &cm) || civ_table_column_type(t, cv) != CIV_COLUMN_NUMBER) {
        civ_clear_error();
        return 0;
    }
    bt_fail all = {.min_obs = (size_t)-1}, m[MAX_MODELS];
    size_t n_models = 0;
    for (size_t r = 0; r < civ_table_n_rows(t); r++) {
        const char *why = civ_table_text(t, r, cr), *model = civ_table_text(t, r, cm);
        double v = civ_table_number(t, r, cv);
        bt_fail *f = model ? model_slot(m, &n_models, model) : NULL;
        all.failed++;
        if (f)
            f->failed++;
        if (why && !strcmp(why, "no_data")) {
            all.no_data++;
        } else if (why && !strcmp(why, "too_short") && v >= 0) {
            all.some_data++;
            all.min_obs = (size_t)v < all.min_obs ? (size_t)v : all.min_obs;
            all.max_obs = (size_t)v > all.max_obs ? (size_t)v : all.max_obs;
        } else {
            all.other++;
        }
    }
    if (!all.failed)
        return 1;
    char a[32], b[32], text[1536];
    rep_fmt_num(a, sizeof a, (double)all.failed, 0), rep_fmt_num(b, sizeof b, (double)total, 0);
    int n = total >= all.failed
                ? civ_snprintf(text, sizeof text,
                               TR(ctx, "较早截止期的 %2$s 次测试预测中有 %1$s 次无法做出：",
                                  "%s of %s test forecasts from earlier cutoffs could not be made: "),
                               a, b)
                : civ_snprintf(text, sizeof text, TR(ctx, "有 %s 次较早截止期的测试预测无法做出：",
                                                     "%s test forecasts from earlier cutoffs could not be made: "),
                               a);
    size_t k = n > 0 && (size_t)n < sizeof text ? (size_t)n : 0;
    reason_clauses(ctx, text, sizeof text, &k, &all, "次");
    for (size_t j = 0; j <= n_models && k < sizeof text; j++) { /* ". By model: SeasonalNaive 7, Auto 3." */
        if (j < n_models)
            rep_fmt_num(a, sizeof a, (double)m[j].failed, 0);
        n = j == n_models ? civ_snprintf(text + k, sizeof text - k, "%s", TR(ctx, "。", "."))
                          : civ_snprintf(text + k, sizeof text - k, "%s%s %s%s",
                                         j ? TR(ctx, "，", ", ") : TR(ctx, "。按模型分：", ". By model: "),
                                         rep_word(ctx->zh, "model", m[j].model), a, TR(ctx, " 次", ""));
        k += n > 0 ? (size_t)n : 0;
    }
    if (k < sizeof text)
        civ_snprintf(text + k, sizeof text - k, "%s",
                     TR(ctx, "这些窗口不计入上表的误差。", " They are left out of the errors above."));
    rep_para(ctx, text);
    return 1;
}

/* The accuracy table's n column differs between models: the rows were
 * averaged over different points. */
static void points_sentence(rep_ctx *ctx)
{
    const civ_table *t = ctx->d->t_backtest;
    size_t cn, cm;
    if (civ_table_find_column(t, "n", &cn) || civ_table_column_type(t, cn) != CIV_COLUMN_NUMBER ||
        civ_table_find_column(t, "model", &cm) || civ_table_column_type(t, cm) != CIV_COLUMN_TEXT) {
        civ_clear_error();
        return;
    }
    size_t nr = civ_table_n_rows(t);
    int differ = 0;
    for (size_t r = 1; r < nr; r++)
        differ |= civ_table_number(t, r, cn) != civ_table_number(t, 0, cn);
    if (!differ)
        return;
    char list[512] = "", num[32];
    for (size_t r = 0, k = 0; r < nr && k < sizeof list; r++) {
        const char *m = civ_table_text(t, r, cm);
        rep_fmt_num(num, sizeof num, civ_table_number(t, r, cn), 0);
        k += (size_t)civ_snprintf(list + k, sizeof list - k, "%s%s %s", r ? TR(ctx, "，", ", ") : "",
                                  rep_word(ctx->zh, "model", m ? m : ""), num);
    }
    char text[1024];
    civ_snprintf(text, sizeof text,
                 TR(ctx, "各模型的比较点数不同（%s）：一个模型在某个窗口失败时，该窗口不计入它的误差，所以各行不是在完全相同的点上算出的，相互对比只是近似的。",
                    "The models were scored on different numbers of points (%s): a window where a model failed does "
                    "not count in its errors, so the rows are not averaged over exactly the same points and compare "
                    "only roughly."),
                 list);
    rep_para(ctx, text);
}

/* One coverage column of the first row (the plan's model) against its level:
 * within 5 points is about right. */
static int coverage_clause(rep_ctx *ctx, const civ_table *t, size_t c, char *out, size_t size)
{
    const char *name = civ_table_column_name(t, c);
    char *end = NULL;
    if (strncmp(name, "coverage-", 9) || civ_table_column_type(t, c) != CIV_COLUMN_NUMBER)
        return 0;
    double level = civ_strtod(name + 9, &end), v = civ_table_number(t, 0, c);
    if (end == name + 9 || *end || !isfinite(v))
        return 0;
    v = v <= 1 ? 100 * v : v;
    const char *verdict = v > level + 5 ? TR(ctx, "区间偏宽（偏保守，不确定性被高估）", "the intervals are too wide (on the safe side: "
                                                                               "the uncertainty is overstated)")
                        : v < level - 5 ? TR(ctx, "区间偏窄，不确定性被低估", "the intervals are too narrow: the uncertainty is "
                                                                     "understated")
                                        : TR(ctx, "大致合适", "about right");
    return civ_snprintf(out, size, TR(ctx, "%.0f%% 区间的覆盖率为 %.1f%%，%s", "its %.0f%% intervals covered %.1f%%: %s"),
                        level, v, verdict) > 0;
}

static void coverage_sentence(rep_ctx *ctx)
{
    const civ_table *t = ctx->d->t_backtest;
    size_t cm;
    if (!civ_table_n_rows(t) || civ_table_find_column(t, "model", &cm) ||
        civ_table_column_type(t, cm) != CIV_COLUMN_TEXT) {
        civ_clear_error();
        return;
    }
    char text[1024], one[256];
    const char *model = civ_table_text(t, 0, cm);
    size_t k = (size_t)civ_snprintf(text, sizeof text,
                                    TR(ctx, "按此规则（与名义水平相差 5 个百分点以内算大致合适），%s：",
                                       "By that rule (within 5 points of the nominal level is about right), %s: "),
                                    rep_word(ctx->zh, "model", model ? model : ""));
    int any = 0;
    for (size_t c = 0; c < civ_table_n_columns(t) && k < sizeof text; c++)
        if (coverage_clause(ctx, t, c, one, sizeof one))
            k += (size_t)civ_snprintf(text + k, sizeof text - k, "%s%s", any++ ? TR(ctx, "；", "; ") : "", one);
    if (any && k < sizeof text) {
        civ_snprintf(text + k, sizeof text - k, "%s", TR(ctx, "。", "."));
        rep_para(ctx, text);
    }
}

void rep_backtest_notes(rep_ctx *ctx)
{
    if (!ctx->d->t_backtest)
        return;
    coverage_sentence(ctx);
    points_sentence(ctx);
    bt_fail m[MAX_MODELS];
    size_t total = 0, n = failed_windows(ctx->d, m, &total);
    if (failures_from_table(ctx, total))
        return;
    for (size_t k = 0; k < n; k++)
        failed_sentence(ctx, &m[k]);
}

/* ---- what each measure means ---------------------------------------------- */

typedef struct measure_text {
    const char *prefix; /* the column's name, or its prefix before a level ("coverage-") */
    int leveled;        /* 1: the column is prefix + a level (coverage-80) */
    int in_unit;        /* 1: in the demand's unit */
    const char *zh, *en; /* %s: the column's name; leveled ones then the level twice (zh) or once (en) */
} measure_text;

static const measure_text MEASURES[] = {
    {"windows", 0, 0, "回测窗口数（windows）：回测的“社区 × 截止期”窗口个数。",
     "windows: the number of (community, cutoff) windows backtested."},
    {"failed", 0, 0, "失败窗口数（failed）：其中模型没有给出预测的窗口个数（原因见上文）。",
     "failed: the windows in which the model gave no forecast (why: see above)."},
    {"n", 0, 0, "比较点数（n）：参与计算误差的“预测值—实际值”对数。",
     "n: the number of (forecast, actual) pairs the errors were computed on."},
    {"MAE", 0, 1, "%s（平均绝对误差）：预测值与实际值之差的绝对值的平均%s；越小越好。",
     "%s (mean absolute error): the average size of a forecast's miss%s; smaller is better."},
    {"RMSE", 0, 1, "%s（均方根误差）：误差平方的平均再开方%s，大的偏差影响更大；越小越好。",
     "%s (root mean squared error): the square root of the mean squared miss%s; large misses weigh more; "
     "smaller is better."},
    {"MAPE", 0, 0, "%s（平均绝对百分比误差）：误差占实际值的百分比的平均（实际值为 0 的点不计）；越小越好。",
     "%s (mean absolute percentage error): the miss as a percentage of the actual value, averaged (points "
     "whose actual is 0 left out); smaller is better."},
    {"sMAPE", 0, 0, "%s（对称平均绝对百分比误差）：误差占实际值与预测值平均数的百分比的平均，在 0 到 200 之间；越小越好。",
     "%s (symmetric mean absolute percentage error): the miss as a percentage of the mean of the actual and "
     "the forecast, averaged, between 0 and 200; smaller is better."},
    {"MASE", 0, 0, "%s（平均绝对标度误差）：平均绝对误差除以季节朴素法在训练期内的平均绝对误差；小于 1 表示比季节朴素法准，越小越好。",
     "%s (mean absolute scaled error): the mean absolute error divided by the seasonal naive forecast's over "
     "the training periods; below 1 beats the seasonal naive forecast; smaller is better."},
    {"RMSSE", 0, 0, "%s（均方根标度误差）：均方根误差按季节朴素法在训练期内的误差标度；小于 1 表示比季节朴素法准，越小越好。",
     "%s (root mean squared scaled error): the root mean squared error scaled by the seasonal naive "
     "forecast's over the training periods; below 1 beats it; smaller is better."},
    {"bias", 0, 1, "偏差（%s）：预测值减实际值的平均%s；正数表示预测偏高，负数表示偏低，越接近 0 越好。",
     "%s: the mean of forecast minus actual%s; positive means the forecasts were too high, negative too low; "
     "closer to 0 is better."},
    {"coverage-", 1, 0, "%2$.0s覆盖率-%3$s（%1$s）：实际值落在 %3$s%% 预测区间内的比例（%%）；越接近 %3$s 越好。",
     "%2$.0s%1$s: the share (%%) of actual values inside the %3$s%% interval; closer to %3$s is better."},
    {"score-", 1, 1, "区间得分-%3$s（%1$s）：%3$s%% 区间的宽度，加上实际值落在区间外时按偏离程度计的罚分%2$s；越小越好。",
     "%1$s (interval score): the width of the %3$s%% interval plus a penalty for each actual outside it, by "
     "how far%2$s; smaller is better."},
    {"MSIS-", 1, 0, "%2$.0s缩放区间得分-%3$s（%1$s）：区间得分除以季节朴素法在训练期内的平均绝对误差；越小越好。",
     "%2$.0s%1$s (mean scaled interval score): the interval score divided by the seasonal naive forecast's mean "
     "absolute error over the training periods; smaller is better."},
};

/* The measure of column `name` (any case; "coverage_80" as "coverage-80"), with its level in `level`. */
static const measure_text *measure_of(const char *name, char *level, size_t size)
{
    for (size_t k = 0; k < sizeof MEASURES / sizeof *MEASURES; k++) {
        const measure_text *m = &MEASURES[k];
        size_t n = strlen(m->prefix);
        if (!m->leveled) {
            if (!civ_ascii_casecmp(name, m->prefix))
                return m;
            continue;
        }
        if (!civ_ascii_ncasecmp(name, m->prefix, n - 1) && (name[n - 1] == '-' || name[n - 1] == '_') && name[n] &&
            strspn(name + n, "0123456789.") == strlen(name + n)) {
            civ_snprintf(level, size, "%s", name + n);
            return m;
        }
    }
    return NULL;
}

void rep_backtest_glossary(rep_ctx *ctx)
{
    const civ_table *t = ctx->d->t_backtest;
    size_t shown = 0;
    char unit[128] = "";
    if (ctx->unit[0])
        civ_snprintf(unit, sizeof unit, TR(ctx, "，单位为%s", ", in %s"), ctx->unit);
    else
        civ_snprintf(unit, sizeof unit, "%s", TR(ctx, "，单位同需求", ", in the demand's unit"));
    for (size_t c = 0; t && c < civ_table_n_columns(t); c++) {
        const char *name = civ_table_column_name(t, c);
        char level[32] = "", line[768];
        const measure_text *m = civ_table_column_type(t, c) == CIV_COLUMN_NUMBER ? measure_of(name, level, sizeof level)
                                                                                : NULL;
        if (!m)
            continue;
        const char *u = m->in_unit ? unit : "";
        if (m->leveled)
            civ_snprintf(line, sizeof line, TR(ctx, m->zh, m->en), name, u, level);
        else
            civ_snprintf(line, sizeof line, TR(ctx, m->zh, m->en), name, u);
        if (!shown++) {
            civ_rbuf_put(&ctx->page, "<p>");
            civ_rbuf_html(&ctx->page, TR(ctx, "各项指标的含义：", "What each measure means:"));
            civ_rbuf_put(&ctx->page, "</p>\n<ul class=\"measures\">");
        }
        civ_rbuf_put(&ctx->page, "<li>");
        civ_rbuf_html(&ctx->page, line);
        civ_rbuf_put(&ctx->page, "</li>");
    }
    if (shown)
        civ_rbuf_put(&ctx->page, "</ul>\n");
}
