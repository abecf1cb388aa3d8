/*
 * report.c -- layer report: civ_report_write, the plan report page.
 *
 * Reads a plan's output folder (report_data.c), writes one self-contained
 * HTML file (OUTDIR/report.html) with the Vega builds inlined, so it opens
 * offline with no network request, and each chart's Vega-Lite spec as plain
 * JSON (OUTDIR/charts/<name>.vl.json).  Sections: Summary, Demand,
 * Allocation, Uncertainty, Need, Monitoring; print CSS puts each on its own
 * A4 page.  Every file is written to a temporary name and renamed.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "c_locale.h"
#include "error.h"
#include "report_assets.h"
#include "report_page.h"
#include "report_text.h"
#include "report_zh.h"


static civ_status write_file(const char *path, const char *data, size_t n)
{
    civ_atomic_file af = {0};
    civ_status s = civ_atomic_open(&af, path);
    if (s)
        return s;
    if (n && fwrite(data, 1, n, af.fp) != n) {
        civ_atomic_abort(&af);
        civ_where w = {.file = path};
        return civ_fail_at(CIV_ERR_IO, &w, "cannot write: %s", strerror(errno));
    }
    return civ_atomic_commit(&af);
}

void rep_para(rep_ctx *ctx, const char *text)
{
    civ_rbuf_put(&ctx->page, "<p>");
    char *tidy = ctx->zh ? malloc(strlen(text) + 8) : NULL; /* no space beside a full-width mark */
    if (tidy)
        rep_zh_tidy(tidy, strlen(text) + 8, text);
    civ_rbuf_html(&ctx->page, tidy ? tidy : text);
    free(tidy);
    civ_rbuf_put(&ctx->page, "</p>\n");
}

void rep_spec_begin(const rep_ctx *ctx, civ_rbuf *spec, const char *title)
{
    civ_rbuf_put(spec, "{\"$schema\":\"https://vega.github.io/schema/vega-lite/v5.json\",\"title\":");
    civ_rbuf_json_str(spec, title);
    civ_rbuf_put(spec, ",\"config\":{\"font\":\"Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, PingFang SC, "
                       "Microsoft YaHei, sans-serif\",\"mark\":{\"tooltip\":true},\"view\":{\"stroke\":null},"
                       "\"axis\":{\"labelFontSize\":11,\"titleFontSize\":11},\"legend\":{\"labelLimit\":320},\"title\":{\"fontSize\":14,"
                       "\"anchor\":\"start\"}},\"usermeta\":{\"generator\":\"civicast\",\"lang\":");
    civ_rbuf_json_str(spec, ctx->zh ? "zh" : "en");
    civ_rbuf_put(spec, "}");
}

void rep_fluid_width(rep_ctx *ctx, civ_rbuf *spec)
{
    civ_rbuf_put(spec, ",\"width\":\"container\",\"autosize\":{\"type\":\"fit-x\",\"contains\":\"padding\"}");
    ctx->fluid = 1;
}

void rep_chart_emit(rep_ctx *ctx, const char *name, civ_rbuf *spec)
{
    civ_rbuf_put(spec, "}\n");
    civ_status s = civ_rbuf_status(spec);
    char path[4096];
    if (!s && civ_snprintf(path, sizeof path, "%s/charts/%s.vl.json", ctx->outdir, name) >= (int)sizeof path)
        s = civ_fail(CIV_ERR_LIMIT, "the output folder path is too long: %s", ctx->outdir);
    if (!s)
        s = write_file(path, spec->data, spec->len);
    if (s && !ctx->status)
        ctx->status = s;
    if (!s) {
        civ_rbuf_printf(&ctx->page, "<figure class=\"chart%s\" id=\"chart-%s\"></figure>\n"
                                    "<script type=\"application/json\" class=\"vl-spec\" data-target=\"chart-%s\">",
                        ctx->fluid ? " fluid" : "", name, name);
        civ_rbuf_putn(&ctx->page, spec->data, spec->len);
        civ_rbuf_put(&ctx->page, "</script>\n");
        ctx->n_charts++;
    }
    civ_rbuf_free(spec);
    ctx->fluid = 0;
}

/* ---- tables ------------------------------------------------------------ */

void rep_cell(civ_rbuf *b, const char *text, int numeric)
{
    civ_rbuf_put(b, numeric ? "<td class=\"n\">" : "<td>");
    civ_rbuf_html(b, text);
    civ_rbuf_put(b, "</td>");
}

/* A header row of the columns whose show[k] is set. */
static void head_shown(civ_rbuf *b, const char *const *heads, const int *show, size_t n)
{
    civ_rbuf_put(b, "<thead><tr>");
    for (size_t k = 0; k < n; k++) {
        if (!show[k])
            continue;
        civ_rbuf_put(b, "<th>");
        civ_rbuf_html(b, heads[k]);
        civ_rbuf_put(b, "</th>");
    }
    civ_rbuf_put(b, "</tr></thead>\n");
}

/* Districts or streets; the per-capita, per-aged and change columns only
 * when the allocation table has what they need. */
void rep_group_table(rep_ctx *ctx, int streets)
{
    const rep_data *d = ctx->d;
    char pc[96], pa[96];
    /* the allocation's words (io/column_labels.c), as in allocation.xlsx */
    const char *heads[] = {rep_alloc_head(ctx->zh, streets ? "street" : "district"),
                           rep_alloc_head(ctx->zh, "district"),
                           rep_alloc_head(ctx->zh, "communities"), rep_alloc_head(ctx->zh, "amount"),
                           rep_money_label(ctx, pc, sizeof pc, 0, "人均（%s）", "Per capita (%s)"),
                           rep_money_label(ctx, pa, sizeof pa, 0, "每位 60 岁以上老人（%s）", "Per aged 60+ (%s)"),
                           rep_alloc_head(ctx->zh, "change_pct")};
    const int show[] = {1, streets, 1, 1, d->has_population, d->has_aged, d->has_last_year};
    civ_rbuf *b = &ctx->page;
    civ_rbuf_put(b, "<div class=\"tbl\"><table class=\"data\">");
    head_shown(b, heads, show, 7);
    civ_rbuf_put(b, "<tbody>");
    char buf[96];
    for (size_t g = 0; g < d->n_groups; g++) {
        const rep_group *x = &d->groups[g];
        if (x->is_street != streets)
            continue;
        civ_rbuf_put(b, "<tr>");
        rep_cell(b, x->name, 0);
        if (streets)
            rep_cell(b, x->district, 0);
        rep_fmt_num(buf, sizeof buf, (double)x->communities, 0), rep_cell(b, buf, 1);
        rep_fmt_money(buf, sizeof buf, x->amount, REP_MONEY(ctx)), rep_cell(b, buf, 1);
        if (show[4])
            rep_fmt_num(buf, sizeof buf, x->population > 0 ? x->amount / x->population : NAN, 2), rep_cell(b, buf, 1);
        if (show[5])
            rep_fmt_num(buf, sizeof buf, x->aged > 0 ? x->amount / x->aged : NAN, 2), rep_cell(b, buf, 1);
        if (show[6]) {
            rep_fmt_pct(buf, sizeof buf, x->last_year > 0 ? 100 * (x->amount - x->last_year) / x->last_year : NAN, 1);
            rep_cell(b, buf, 1);
        }
        civ_rbuf_put(b, "</tr>\n");
    }
    civ_rbuf_put(b, "</tbody></table></div>\n");
}

/* The engine writes the explanations in the plan's language; a Chinese page
 * of a run in English shows them in Chinese (report_zh.c). */
/* An explanation with thousands separators in its amounts (126,225.00元),
 * as the amount column writes them. */
static void explanation_html(civ_rbuf *b, const char *text)
{
    size_t n = strlen(text) * 2 + 1;
    char *grouped = malloc(n);
    if (!grouped) {
        b->failed = 1;
        return;
    }
    rep_group_digits(grouped, n, text);
    civ_rbuf_html(b, grouped);
    free(grouped);
}

static void explanation_zh(civ_rbuf *b, const char *text, const char *currency)
{
    civ_rbuf tmp = {0};
    rep_explanation_zh(&tmp, text, currency);
    explanation_html(b, tmp.data ? tmp.data : "");
    if (tmp.failed)
        b->failed = 1;
    civ_rbuf_free(&tmp);
}

/* 1 when the plan wrote its explanations in Chinese (a run with lang = "zh"). */
static int chinese_explanations(const rep_data *d)
{
    for (size_t i = 0; i < d->n_comms; i++)
        if (!strncmp(d->comms[i].explanation, "构成：", strlen("构成：")))
            return 1;
    return 0;
}

/* The decimals of the minor unit: 2 for fen (0.01), 3 for a 1/1000 currency, 0 for one without. */
static int minor_decimals(double per_minor)
{
    int k = 0;
    for (double m = per_minor; k < 4 && m > 0 && m < 1 - 1e-9; m *= 10)
        k++;
    return k;
}

/* A community's row; returns the bytes of its explanation as written (what sets the row's height on paper). */
static size_t community_row(rep_ctx *ctx, civ_rbuf *b, const rep_comm *c, const int *show)
{
    const rep_data *d = ctx->d;
    char buf[96], num[40];
    civ_rbuf_put(b, "<tr>");
    rep_cell(b, c->id, 0);
    if (show[1])
        rep_cell(b, c->name, 0);
    rep_cell(b, c->district, 0);
    if (show[3])
        rep_cell(b, c->street, 0);
    /* to the minor unit, as its explanation and allocation.csv (141,870.24 元, CNY 141,870.24): the
     * amounts of a budget table add up as printed */
    rep_fmt_num(num, sizeof num, c->amount, minor_decimals(d->per_minor));
    if (ctx->zh)
        civ_snprintf(buf, sizeof buf, "%.40s %.40s", num, d->money_unit[0][1]);
    else
        civ_snprintf(buf, sizeof buf, "%.40s %.40s", d->money_unit[0][0], num);
    rep_cell(b, buf, 1);
    if (show[5])
        rep_fmt_num(buf, sizeof buf, c->population > 0 ? c->amount / c->population : NAN, 2), rep_cell(b, buf, 1);
    if (show[6])
        rep_fmt_num(buf, sizeof buf, c->aged > 0 ? c->amount / c->aged : NAN, 2), rep_cell(b, buf, 1);
    if (show[7])
        rep_fmt_pct(buf, sizeof buf, c->change_pct, 1), rep_cell(b, buf, 1);
    civ_rbuf_put(b, "<td class=\"con\">");
    for (const char *p = c->binding; *p;) { /* "floor+pace" -> names */
        size_t n = strcspn(p, "+");
        char one[64];
        civ_snprintf(one, sizeof one, "%.*s", (int)(n < 63 ? n : 63), p);
        civ_rbuf_html(b, rep_rule_label(ctx, one));
        p += n;
        if (*p == '+')
            civ_rbuf_put(b, " + "), p++;
    }
    civ_rbuf_put(b, "</td>");
    size_t ex = 0;
    if (show[9]) {
        civ_rbuf_put(b, "<td class=\"ex\">");
        size_t from = b->len;
        if (ctx->zh)
            explanation_zh(b, c->explanation, d->currency);
        else
            explanation_html(b, c->explanation);
        ex = b->len - from;
        civ_rbuf_put(b, "</td>");
    }
    civ_rbuf_put(b, "</tr>\n");
    return ex;
}

/* A row's height on paper, in CSS px of the print styles (9 px cells, 8 px explanations): one line of a
 * plain row, or the lines of its explanation, about 95 bytes of UTF-8 to a line of the 316 px column
 * (measured on the demo city's pages in Chromium's print layout: 4 to 7 lines, 55 to 91 px). */
static double row_print_px(size_t explanation_bytes)
{
    double lines = ceil((double)explanation_bytes / 95.0);
    return fmax(20.5, 7.0 + 12.0 * lines);
}

/* About how many A4 pages rows of `px` print on.  A page is 269 mm (1,016 px) high within its margins, but
 * Chromium shrinks the demo's pages to fit their widest content, so a page holds about 1,290 px of rows under
 * the repeated header (the demo city: 57 pages in Chinese, 54 with English explanations, 19 without). */
static size_t print_pages(double px)
{
    double pages = ceil(px / 1290.0);
    return pages < 1 ? 1 : (size_t)pages;
}

/* The reader's choice whether the community table goes to paper (not printed itself; the page's script sets
 * the body's class skip-community-print), and the note a paper copy without it prints in its place. */
static void print_choice(rep_ctx *ctx, size_t pages)
{
    civ_rbuf *b = &ctx->page;
    char n[32], rows[32], text[512];
    rep_fmt_num(n, sizeof n, (double)pages, 0), rep_fmt_num(rows, sizeof rows, (double)ctx->d->n_comms, 0);
    civ_snprintf(text, sizeof text, TR(ctx, "打印时包含社区明细表（约 %s 页）", "Include the community table when printing "
                                  "(about %s %s)"), n, pages == 1 ? "page" : "pages");
    civ_rbuf_put(b, "<div class=\"print-choice\"><label><input type=\"checkbox\" id=\"community-print\" checked "
                    "autocomplete=\"off\"> ");
    civ_rbuf_html(b, text);
    civ_rbuf_put(b, "</label></div>\n");
    const char *file = ctx->d->has_workbook ? "allocation.xlsx" : "allocation.csv";
    civ_snprintf(text, sizeof text, TR(ctx, "社区明细（%s 个社区）未打印：见同一文件夹中的 %s 或本页电子版。",
                                       "The community table (%s communities) is not printed: see %s in the same folder "
                                       "or this page on screen."), rows, file);
    civ_rbuf_put(b, "<p class=\"note print-note\" id=\"community-print-note\">");
    civ_rbuf_html(b, text);
    civ_rbuf_put(b, "</p>\n");
}

/* The table of every community with its explanation: searchable on screen; on paper whole, or in its place a
 * note saying where its rows are, as the reader ticks the box beside it.  The rows are written first, so the
 * box can say about how many pages they print on. */
void rep_community_table(rep_ctx *ctx)
{
    const rep_data *d = ctx->d;
    civ_rbuf *b = &ctx->page;
    if (!ctx->zh && chinese_explanations(d)) {
        char note[512];
        civ_snprintf(note, sizeof note,
                     "The plan was run in Chinese (lang = \"zh\"), so its explanation of each community's amount is in "
                     "Chinese: it is in allocation.csv (column explanation)%s and on the Chinese page of this folder "
                     "(civicast report OUTDIR --lang zh); run the plan with lang = \"en\" for English ones.",
                     d->has_workbook ? ", in allocation.xlsx (column 说明)" : "");
        rep_para(ctx, note);
    }
    char pc[96], pa[96];
    /* the allocation's words (io/column_labels.c: the workbook's, or the shorter form it holds for the report) */
    const char *heads[] = {rep_alloc_head(ctx->zh, "unique_id"), rep_alloc_head(ctx->zh, "name"),
                           rep_alloc_head(ctx->zh, "district"), rep_alloc_head(ctx->zh, "street"),
                           rep_alloc_head(ctx->zh, "amount"),
                           rep_money_label(ctx, pc, sizeof pc, 0, "人均（%s）", "Per capita (%s)"),
                           rep_money_label(ctx, pa, sizeof pa, 0, "每位老人（%s）", "Per aged 60+ (%s)"),
                           rep_alloc_head(ctx->zh, "change_pct"), rep_alloc_head(ctx->zh, "binding"),
                           rep_alloc_head(ctx->zh, "explanation")};
    /* the English page of a run in Chinese leaves its Chinese explanations out (rep_section_allocation says so) */
    int explain = ctx->zh || !chinese_explanations(d);
    const int show[] = {1, d->has_name, 1, d->has_street, 1, d->has_population, d->has_aged, d->has_last_year, 1,
                        explain};
    civ_rbuf rows = {0};
    double px = 0;
    for (size_t i = 0; i < d->n_comms; i++)
        px += row_print_px(community_row(ctx, &rows, &d->comms[i], show));
    if (rows.failed)
        b->failed = 1;
    print_choice(ctx, print_pages(px));
    civ_rbuf_put(b, "<div class=\"search\"><label for=\"community-search\">");
    civ_rbuf_html(b, TR(ctx, "搜索社区（编号、名称、区、街道、约束或说明中的文字）：",
                        "Search communities (any text of the id, name, district, street, constraint or explanation):"));
    civ_rbuf_put(b, "</label> <input id=\"community-search\" type=\"search\" autocomplete=\"off\"> "
                    "<span id=\"community-count\"></span></div>\n"
                    "<div class=\"tbl scroll\"><table class=\"data\" id=\"community-table\">");
    head_shown(b, heads, show, 10);
    civ_rbuf_put(b, "<tbody>\n");
    if (rows.data)
        civ_rbuf_putn(b, rows.data, rows.len);
    civ_rbuf_free(&rows);
    civ_rbuf_put(b, "</tbody></table></div>\n");
}

static void put_asset(civ_rbuf *b, const unsigned char *data, size_t len)
{
    const char *s = (const char *)data;
    const char *map = strstr(s, "\n//# sourceMappingURL=");
    civ_rbuf_put(b, "<script>");
    civ_rbuf_putn(b, s, map ? (size_t)(map - s) : len);
    civ_rbuf_put(b, "\n</script>\n");
}

static void page_end(rep_ctx *ctx)
{
    civ_rbuf *b = &ctx->page;
    put_asset(b, civ_asset_vega, civ_asset_vega_len);
    put_asset(b, civ_asset_vega_lite, civ_asset_vega_lite_len);
    put_asset(b, civ_asset_vega_embed, civ_asset_vega_embed_len);
    rep_page_script(b);
}

/* OUTDIR/manifest.json as text (malloc'd), or NULL when there is none (a
 * folder assembled by hand). */
static char *manifest_text(const char *outdir)
{
    char path[4096];
    if (civ_snprintf(path, sizeof path, "%s/manifest.json", outdir) >= (int)sizeof path)
        return NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 20, n; /* a manifest is a few KiB: its options and results come before the file list */
    char *text = malloc(cap + 1);
    n = text ? fread(text, 1, cap, f) : 0;
    fclose(f);
    if (text)
        text[n] = '\0';
    return text;
}

/* How the folder's intervals were made when the caller does not say: the
 * option `civicast plan` recorded in the manifest (write.c writes
 * `"intervals": "conformal"` or `"model"` among its options); the model's
 * when there is no manifest or no such key (an older plan). */
static int manifest_intervals(const char *text)
{
    const char *options = text ? strstr(text, "\"options\": {") : NULL;
    return options && strstr(options, "\"intervals\": \"conformal\"") ? CIV_INTERVALS_CONFORMAL
                                                                       : CIV_INTERVALS_MODEL;
}

/* The hours east of UTC that the plan's monitoring read its event times with (write.c's
 * "monitor_utc_offset_hours" among the options); 8, Beijing, without a manifest or that key (a monitor
 * folder, an older plan). */
static double manifest_utc_offset(const char *text)
{
    static const char key[] = "\"monitor_utc_offset_hours\": ";
    const char *p = text ? strstr(text, key) : NULL;
    char *end = NULL;
    double v = p ? civ_strtod(p + sizeof key - 1, &end) : NAN;
    return isfinite(v) && end != p + sizeof key - 1 && fabs(v) <= 14.0 ? v : 8.0;
}

/* The string value of "key" in the JSON object [obj, end) that write.c wrote
 * (its escapes: \" and \\; \u00XX controls are dropped); "" when absent. */
static void json_string_field(const char *obj, const char *end, const char *key, char *buf, size_t size)
{
    char pat[64];
    civ_snprintf(pat, sizeof pat, "\"%s\": \"", key);
    const char *p = strstr(obj, pat);
    size_t n = 0;
    buf[0] = '\0';
    if (!p || p >= end)
        return;
    for (p += strlen(pat); *p && *p != '"' && p < end; p++) {
        if (*p == '\\' && p[1] == 'u') {
            p += p[2] && p[3] && p[4] && p[5] ? 5 : 1;
            continue;
        }
        if (*p == '\\' && p[1])
            p++;
        if (n + 1 < size)
            buf[n++] = *p;
    }
    buf[n] = '\0';
}

static long json_long_field(const char *obj, const char *end, const char *key)
{
    char pat[64];
    civ_snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *p = strstr(obj, pat);
    return p && p < end ? strtol(p + strlen(pat), NULL, 10) : 0;
}

/* "results": {"demand": [{...}, ...]}: which forecasts the allocation's
 * forecast factors summed (write.c's json_demand). */
static void manifest_demand(const char *text, rep_ctx *ctx)
{
    const char *results = text ? strstr(text, "\"results\": {") : NULL;
    const char *p = results ? strstr(results, "\"demand\": [") : NULL;
    const char *stop = p ? strchr(p, ']') : NULL;
    while (p && stop && ctx->n_demand < REP_MAX_DEMAND) {
        const char *obj = strchr(p, '{');
        const char *end = obj ? strchr(obj, '}') : NULL;
        if (!obj || !end || obj > stop)
            break;
        rep_demand_window *w = &ctx->demand[ctx->n_demand++];
        json_string_field(obj, end, "label", w->label, sizeof w->label);
        json_string_field(obj, end, "period", w->period, sizeof w->period);
        json_string_field(obj, end, "first", w->first, sizeof w->first);
        json_string_field(obj, end, "last", w->last, sizeof w->last);
        w->fiscal_year = json_long_field(obj, end, "fiscal_year");
        w->periods = json_long_field(obj, end, "periods");
        w->h_first = json_long_field(obj, end, "h_first");
        w->h_last = json_long_field(obj, end, "h_last");
        p = end + 1;
    }
}

/* The same from the rules themselves (civicast plan passes them): the
 * windows over the folder's forecasts.csv. */
static void spec_demand(const civ_alloc_spec *spec, const civ_table *fc, rep_ctx *ctx)
{
    for (size_t k = 0; fc && k < civ_alloc_spec_n_factors(spec) && ctx->n_demand < REP_MAX_DEMAND; k++) {
        civ_alloc_demand_window w;
        if (!civ_alloc_spec_factor_is_forecast(spec, k) || civ_alloc_spec_demand_window(spec, k, fc, &w))
            continue;
        rep_demand_window *r = &ctx->demand[ctx->n_demand++];
        civ_snprintf(r->label, sizeof r->label, "%s", civ_alloc_spec_factor_label(spec, k));
        civ_snprintf(r->period, sizeof r->period, "%s", w.period_by_date ? "fiscal_year" : "horizon");
        civ_snprintf(r->first, sizeof r->first, "%s", w.first);
        civ_snprintf(r->last, sizeof r->last, "%s", w.last);
        r->fiscal_year = w.fiscal_year, r->periods = (long)w.periods, r->h_first = w.h_first, r->h_last = w.h_last;
    }
    civ_clear_error();
}

/* The plan's currency and minor unit: its spec's when the caller passes it (civicast plan), else what the plan
 * recorded in manifest (NULL: none); an older folder without them is read as CNY.  The caller's word
 * (options->currency, ->minor_unit) serves a folder that does not say (assembled by hand, without
 * manifest.json): it must agree with what the folder does say. */
static civ_status report_money_unit(const char *outdir, const civ_report_options *options, const char *manifest,
                                    char *currency, size_t size, long *minor_unit)
{
    const civ_alloc_spec *spec = options ? options->spec : NULL;
    if (spec) {
        civ_snprintf(currency, size, "%s", civ_alloc_spec_currency(spec) ? civ_alloc_spec_currency(spec) : "");
        *minor_unit = (long)civ_alloc_spec_minor_unit(spec);
    } else if (manifest) {
        const char *end = manifest + strlen(manifest);
        json_string_field(manifest, end, "currency", currency, size);
        *minor_unit = json_long_field(manifest, end, "minor_unit");
    }
    const char *say = options && options->currency && options->currency[0] ? options->currency : NULL;
    if (say && currency[0] && strcmp(say, currency)) {
        civ_where w = {.file = outdir, .field = "currency"};
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "the currency is given as %s, but the %s says %s", say,
                           spec ? "plan's spec" : "folder's manifest.json", currency);
    }
    if (options && options->minor_unit > 0 && *minor_unit > 0 && options->minor_unit != *minor_unit) {
        civ_where w = {.file = outdir, .field = "minor_unit"};
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "the minor unit is given as %ld, but the %s says %ld",
                           options->minor_unit, spec ? "plan's spec" : "folder's manifest.json", *minor_unit);
    }
    if (options && options->minor_unit < 0)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_report_write: minor_unit is %ld: give 1, 10, 100 or 1000 "
                        "(minor units per major unit), or 0 to read it from the folder", options->minor_unit);
    if (say && !currency[0]) {
        if (strlen(say) != 3 || strspn(say, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)
            return civ_fail(CIV_ERR_INVALID_ARGUMENT, "the currency is given as '%s': give its ISO 4217 code in "
                            "capitals, such as CNY, USD or HKD", say);
        civ_snprintf(currency, size, "%s", say);
    }
    if (options && options->minor_unit > 0 && *minor_unit <= 0)
        *minor_unit = options->minor_unit;
    return CIV_OK;
}

/* outdir/charts, created when missing; its path is left in path. */
static civ_status make_charts_folder(const char *outdir, char *path, size_t size)
{
    if (civ_snprintf(path, size, "%s/charts", outdir) >= (int)size)
        return civ_fail(CIV_ERR_LIMIT, "the output folder path is too long: %s", outdir);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        civ_where w = {.file = path};
        return civ_fail_at(CIV_ERR_IO, &w, "cannot create the charts folder: %s", strerror(errno));
    }
    return CIV_OK;
}

civ_status civ_report_write(const char *outdir, const civ_report_options *options)
{
    if (!outdir || !outdir[0])
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_report_write: outdir is NULL or empty");
    const char *lang = options && options->lang ? options->lang : "zh";
    if (strcmp(lang, "zh") && strcmp(lang, "en"))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "unknown report language '%s': use \"zh\" or \"en\"", lang);
    char *manifest = manifest_text(outdir), currency[16] = "";
    long minor_unit = 0;
    rep_data d;
    civ_status s = report_money_unit(outdir, options, manifest, currency, sizeof currency, &minor_unit);
    if (!s)
        s = rep_data_load(outdir, currency, minor_unit, &d);
    if (s) {
        free(manifest);
        return s;
    }
    char path[4096];
    if ((s = make_charts_folder(outdir, path, sizeof path))) {
        rep_data_free(&d);
        free(manifest);
        return s;
    }
    int intervals = options && options->intervals ? options->intervals : manifest_intervals(manifest);
    rep_ctx ctx = {.d = &d, .outdir = outdir, .zh = !strcmp(lang, "zh"),
                   .conformal = intervals == CIV_INTERVALS_CONFORMAL, .utc_offset = manifest_utc_offset(manifest)};
    if (options && options->unit)
        civ_snprintf(ctx.unit, sizeof ctx.unit, "%s", options->unit);
    else if (manifest)
        json_string_field(manifest, manifest + strlen(manifest), "demand_unit", ctx.unit, sizeof ctx.unit);
    if (options && options->spec)
        spec_demand(options->spec, d.t_fc, &ctx);
    else if (!d.monitor_only)
        manifest_demand(manifest, &ctx);
    free(manifest);
    rep_page_begin(&ctx, options ? options->title : NULL);
    if (d.monitor_only) { /* a `civicast monitor --out` folder: what it is, then its monitoring (report_monitor.c) */
        rep_section_monitor_summary(&ctx);
    } else {
        rep_section_summary(&ctx);
        rep_section_demand(&ctx);
        rep_section_allocation(&ctx);
        rep_section_uncertainty(&ctx);
        rep_section_need(&ctx);
    }
    rep_section_monitoring(&ctx);
    page_end(&ctx);
    s = ctx.status ? ctx.status : civ_rbuf_status(&ctx.page);
    if (!s) {
        civ_snprintf(path, sizeof path, "%s/report.html", outdir);
        s = write_file(path, ctx.page.data, ctx.page.len);
    }
    civ_rbuf_free(&ctx.page);
    rep_data_free(&d);
    return s;
}
