/*
 * workbook.c -- layer monitor: the monitoring run's tables as one Excel workbook for the departments
 * (monitoring.xlsx, civ_monitor_workbook_write): a sheet per table the run made, named and headed in the report's
 * language (io/column_labels.c), the codes in words (raised -> 新增预警, met -> 达标, street -> 街道, the
 * risk levels), the indicator's name beside its id, a rate's actual and target shown as a percentage by number
 * format (the cell keeps the fraction, so a formula over it still works) and a count's or level's with its unit
 * from the indicator file.  The alerts sheet lists the period's open alerts first (as monitor_alerts.csv, grouped
 * by department), then the alerts that period cleared or closed, so a department sees both; every sheet keeps the
 * frozen bold header and the autofilter of io/xlsx_write.c.  Written atomically through
 * civ_workbook_write_formatted.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "column_labels.h"
#include "model_label.h"
#include "monitor.h"
#include "xlsx_write.h"

#define N_OF(a) (sizeof(a) / sizeof *(a))
#define WB_MAX_CODES 31 /* number format codes of one workbook (xlsx_write.c keeps 32) */

/* ---- the sheets ------------------------------------------------------------------------------------------- */

typedef struct sheet_def {
    const char *key;    /* the table's name in column_labels.c */
    const char *zh, *en; /* the sheet's name */
} sheet_def;

enum { S_ALERTS, S_STATUS, S_WARNING, S_STEPS, S_RISKS, S_MATRIX, S_INACTIVITY, S_DEMAND, N_SHEETS };

static const sheet_def SHEETS[N_SHEETS] = {
    {"monitor_alerts", "本期预警", "Alerts"},          {"monitor_status", "指标状态", "Indicator status"},
    {"warning", "预警概率", "Early warning"},            {"warning_steps", "逐期预警概率", "Warning by period"},
    {"risks", "风险", "Risks"},                          {"risk_matrix", "风险矩阵", "Risk matrix"},
    {"inactivity", "独居老人未活动", "Inactivity"},      {"demand", "需求偏离", "Demand vs forecast"},
};

/* Number columns shown by the row's indicator: a rate as a percentage, a count or level with its unit. */
static int by_indicator(const char *column)
{
    static const char *const names[] = {"actual", "target", "goal", "mean", "sigma_lo", "sigma_hi"};
    for (size_t k = 0; k < N_OF(names); k++)
        if (!strcmp(column, names[k]))
            return 1;
    return 0;
}

/* The fixed number format of a column, or NULL. */
static const char *fixed_format(const char *column)
{
    if (!strcmp(column, "p_miss") || !strcmp(column, "p_miss_next") || !strcmp(column, "p_miss_max"))
        return "0.0%";
    if (!strcmp(column, "probability") || !strcmp(column, "probability_from") || !strcmp(column, "probability_to"))
        return "0%";
    if (!strcmp(column, "gap_hours") || !strcmp(column, "threshold_hours") || !strcmp(column, "deviation_pct"))
        return "0.0";
    return NULL;
}

/* 1/0 columns shown as yes/no. */
static int yes_no(const char *column)
{
    return !strcmp(column, "warning") || !strcmp(column, "on_track");
}

/* The words of a code in a monitoring column (io/column_labels.c's table of the codes' words, table "monitor"),
 * or the code itself: 1/0 columns are done apart. */
static const char *word_of(int zh, const char *column, const char *code, char *buf, size_t size)
{
    civ_label_ctx ctx = {.zh = zh, .table = "monitor"};
    return civ_value_label(&ctx, column, code, buf, size);
}

typedef struct wb {
    const civ_monitor_spec *spec;
    const civ_table *matrix; /* the risk matrix's cells (tables->risk_matrix), for the risks' likelihood words */
    int zh;
    char codes[WB_MAX_CODES][96];
    size_t n_codes;
    unsigned char *fmt[N_SHEETS]; /* per written sheet: a code index + 1 per cell (0: none), row-major */
    size_t n_columns[N_SHEETS];
} wb;

static const char *cell_format(void *arg, size_t sheet, size_t row, size_t column)
{
    const wb *w = arg;
    unsigned char k = w->fmt[sheet] ? w->fmt[sheet][row * w->n_columns[sheet] + column] : 0;
    return k ? w->codes[k - 1] : NULL;
}

/* The index + 1 of number format `code`, added on first use; 0 when the workbook has too many. */
static unsigned char code_index(wb *w, const char *code)
{
    for (size_t k = 0; k < w->n_codes; k++)
        if (!strcmp(w->codes[k], code))
            return (unsigned char)(k + 1);
    if (w->n_codes == WB_MAX_CODES || strlen(code) >= sizeof w->codes[0])
        return 0;
    civ_snprintf(w->codes[w->n_codes++], sizeof w->codes[0], "%s", code);
    return (unsigned char)w->n_codes;
}

static const civ_mon_indicator *indicator_of(const wb *w, const char *id)
{
    size_t k;
    return w->spec && id && civ_strmap_get(&w->spec->index, id, &k) ? &w->spec->ind[k] : NULL;
}

/* The format of value v of indicator `ind` (against: the other of an actual and its target, else NaN): the digits
 * civ_monitor_value_text writes, the alert lines' and the report's, so that the workbook reads as they do.  A rate
 * as a percentage with the text's decimals ("0%" for 98%, "0.0%" for 28.6%, "0.00%" for 97.96% against 98%); a
 * count or level with thousands separators, the text's decimals and the unit ("#,##0\" 起\"", "#,##0.00\" 分钟\"");
 * without a unit the same digits.  Before 2026-12-07 a rate kept one decimal at least (98.0% where the report
 * said 98%) and a level two (11.50 分钟 for 11.5 分钟); General showed "11.0727969348659 分钟" before that. */
static unsigned char indicator_format(wb *w, const civ_mon_indicator *ind, double v, double against)
{
    if (!ind)
        return 0;
    char text[64], code[96];
    if (civ_monitor_value_text(v, civ_mon_kind_name(ind->kind), NULL, against, text, sizeof text) != CIV_OK) {
        civ_clear_error();
        text[0] = '\0';
    }
    const char *dot = strchr(text, '.');
    size_t d = dot ? strspn(dot + 1, "0123456789") : 0;
    civ_snprintf(code, sizeof code, "%s%s%.*s", ind->kind == CIV_MON_RATE ? "0" : "#,##0", d ? "." : "",
                 (int)(d < 8 ? d : 8), "00000000");
    if (ind->kind == CIV_MON_RATE)
        civ_snprintf(code + strlen(code), sizeof code - strlen(code), "%%");
    else if (ind->unit && ind->unit[0] && !strpbrk(ind->unit, "\"\\") && strlen(ind->unit) <= 60) /* quotable */
        civ_snprintf(code + strlen(code), sizeof code - strlen(code), "\" %s\"", ind->unit);
    return code_index(w, code);
}

/* ---- the alerts sheet's rows: the open alerts, then those the period cleared or closed ------------------------ */

static const char *text_at(const civ_table *t, size_t row, size_t col, char *buf, size_t size)
{
    return civ_mon_cell_text(t, row, col, buf, size);
}

static long find(const civ_table *t, const char *name)
{
    size_t c;
    return t && civ_table_find_column(t, name, &c) == CIV_OK ? (long)c : -1;
}

/* Copies cell (sr, sc) of src into (dr, dc) of dst, converting between number and text. */
static civ_status copy_cell(civ_table *dst, size_t dr, size_t dc, const civ_table *src, size_t sr, size_t sc)
{
    civ_column_type dt = civ_table_column_type(dst, dc), st = civ_table_column_type(src, sc);
    char buf[64];
    if (dt == CIV_COLUMN_NUMBER) {
        if (st == CIV_COLUMN_NUMBER)
            return civ_table_set_number(dst, dr, dc, civ_table_number(src, sr, sc));
        const char *v = civ_table_text(src, sr, sc);
        char *end;
        double x = v && v[0] ? civ_strtod(v, &end) : NAN;
        return civ_table_set_number(dst, dr, dc, v && v[0] && !*end ? x : NAN);
    }
    const char *v = text_at(src, sr, sc, buf, sizeof buf);
    return v && v[0] ? civ_table_set_text_pooled(dst, dr, dc, v, strlen(v)) : CIV_OK;
}

typedef struct cleared_order {
    const civ_table *status;
    long dep, ind;
    const wb *w;
    civ_strmap file_order; /* without the indicator file: each indicator's place in it, from the status table */
} cleared_order;

/* The indicator file's order of the indicators, read from the status table when the workbook is written without
 * the file (a run that reads status.csv back): its city rows list every indicator in the file's order (units, then
 * roll-ups, then the city, each series' indicators in file order), the other rows name any the city lacks.  Before
 * 2026-12-07 such a workbook's cleared alerts of a department came in the status table's order (unit, then
 * indicator), where a fresh run's came indicator by indicator. */
static civ_status recover_file_order(cleared_order *o)
{
    long c_scope = find(o->status, "scope");
    size_t n = 0, had;
    for (int pass = 0; pass < 2 && o->ind >= 0; pass++)
        for (size_t r = 0; r < civ_table_n_rows(o->status); r++) {
            const char *sc = c_scope >= 0 ? civ_table_text(o->status, r, (size_t)c_scope) : NULL;
            const char *id = civ_table_text(o->status, r, (size_t)o->ind);
            if (!id || (pass == 0 && (!sc || strcmp(sc, "city"))))
                continue;
            civ_status s = civ_strmap_put(&o->file_order, id, n, &had);
            if (s == CIV_OK)
                n++;
            else if (s != CIV_ERR_DUPLICATE)
                return s;
        }
    return CIV_OK;
}

static size_t spec_rank(const cleared_order *o, const char *id)
{
    size_t k;
    if (!o->w->spec)
        return id && civ_strmap_get(&o->file_order, id, &k) ? k : (size_t)-1;
    const civ_mon_indicator *ind = indicator_of(o->w, id);
    return ind ? (size_t)(ind - o->w->spec->ind) : (size_t)-1;
}

/* Department (byte order), then indicator (file order), then the status table's order. */
static int cleared_cmp(const void *ctx, size_t a, size_t b)
{
    const cleared_order *o = ctx;
    if (o->dep >= 0) {
        int c = strcmp(civ_table_text(o->status, a, (size_t)o->dep), civ_table_text(o->status, b, (size_t)o->dep));
        if (c)
            return c;
    }
    if (o->ind >= 0) {
        size_t ra = spec_rank(o, civ_table_text(o->status, a, (size_t)o->ind));
        size_t rb = spec_rank(o, civ_table_text(o->status, b, (size_t)o->ind));
        if (ra != rb)
            return ra < rb ? -1 : 1;
    }
    return a < b ? -1 : a > b;
}

/* The caller's period as the status table writes its periods: a day ("2024-12-15", as --period and the plan's
 * [monitor] period take one) is the period it falls in, "2024-12" for monthly ds (before 2026-12-07 the day was
 * compared as text and the sheet lost the period's cleared alerts); else the text as given. */
static const char *caller_period(const civ_monitor_workbook_tables *t, char *buf, size_t size)
{
    long c = find(t->status, "ds");
    civ_date_form day_form, form;
    int64_t day, v;
    char cell[64];
    const char *ds = c >= 0 && civ_table_n_rows(t->status) ? text_at(t->status, 0, (size_t)c, cell, sizeof cell)
                                                           : NULL;
    if (!ds || civ_date_parse(t->period, strlen(t->period), &day_form, &day) || day_form != CIV_DATE_DAY ||
        civ_date_parse(ds, strlen(ds), &form, &v) || form == CIV_DATE_DAY ||
        civ_date_to_period((civ_frequency)form, 0, day, &v) ||
        civ_period_format((civ_frequency)form, 0, v, buf, size)) {
        civ_clear_error();
        return t->period;
    }
    return buf; /* CIV_DATE_YEAR/QUARTER/MONTH == CIV_FREQ_YEARLY/QUARTERLY/MONTHLY */
}

/* The period of the alerts: the caller's, else the alerts' own ds, else the status table's last. */
static const char *alert_period(const civ_monitor_workbook_tables *t, char *buf, size_t size)
{
    if (t->period && t->period[0])
        return caller_period(t, buf, size);
    long c = find(t->alerts, "ds");
    if (c >= 0 && civ_table_n_rows(t->alerts))
        return text_at(t->alerts, 0, (size_t)c, buf, size);
    c = find(t->status, "ds");
    const char *last = NULL;
    char cell[64];
    for (size_t r = 0; c >= 0 && r < civ_table_n_rows(t->status); r++) {
        const char *v = text_at(t->status, r, (size_t)c, cell, sizeof cell);
        if (v && (!last || strcmp(v, last) > 0))
            last = v, civ_snprintf(buf, size, "%s", v);
    }
    return last ? buf : NULL;
}

/* The ds of the first miss of the run a cleared or closed row `r` of the status table ended: walking back over
 * the series' rows to the missed one whose count of misses is 1. */
static const char *run_since(const civ_table *st, size_t r, long c_scope, long c_unit, long c_ind, long c_status,
                             long c_misses, long c_ds, char *buf, size_t size)
{
    for (size_t k = r; k-- > 0;) {
        int same = 1;
        long cols[] = {c_scope, c_unit, c_ind};
        for (size_t j = 0; j < 3 && same; j++) {
            char a[64], b[64];
            const char *x = cols[j] >= 0 ? text_at(st, k, (size_t)cols[j], a, sizeof a) : "";
            const char *y = cols[j] >= 0 ? text_at(st, r, (size_t)cols[j], b, sizeof b) : "";
            same = x && y && !strcmp(x, y);
        }
        if (!same)
            return NULL;
        char sb[32];
        const char *status = text_at(st, k, (size_t)c_status, sb, sizeof sb);
        double m = civ_table_number(st, k, (size_t)c_misses);
        if (isnan(m)) { /* a misses column given as text */
            char mb[32];
            const char *mt = text_at(st, k, (size_t)c_misses, mb, sizeof mb);
            m = mt && mt[0] ? civ_strtod(mt, NULL) : NAN;
        }
        if (status && !strcmp(status, "missed") && m == 1)
            return text_at(st, k, (size_t)c_ds, buf, size);
    }
    return NULL;
}

/* The alerts sheet's table: the rows of `alerts` as they are, then the status rows of the period whose alert is
 * cleared or closed, in the alerts' columns (misses 0, since the run's first miss). */
static civ_status alerts_rows(const wb *w, const civ_monitor_workbook_tables *t, civ_table **out)
{
    const civ_table *a = t->alerts, *st = t->status;
    size_t nc = civ_table_n_columns(a), na = civ_table_n_rows(a);
    civ_table *o = NULL;
    civ_status s = civ_table_create(&o);
    for (size_t c = 0; c < nc && !s; c++)
        s = civ_table_add_column(o, civ_table_column_name(a, c), civ_table_column_type(a, c), NULL);
    if (!s && na)
        s = civ_table_add_rows(o, na, NULL);
    for (size_t c = 0; c < nc && !s; c++)
        for (size_t r = 0; r < na && !s; r++)
            s = copy_cell(o, r, c, a, r, c);
    char pbuf[64];
    const char *period = s ? NULL : alert_period(t, pbuf, sizeof pbuf);
    long c_ds = find(st, "ds"), c_alert = find(st, "alert"), c_status = find(st, "status"),
         c_misses = find(st, "misses");
    if (s || !period || c_ds < 0 || c_alert < 0 || c_status < 0 || c_misses < 0) {
        if (s)
            civ_table_free(o);
        else
            *out = o;
        return s;
    }
    size_t ns = civ_table_n_rows(st), n = 0;
    size_t *idx = malloc((ns ? ns : 1) * sizeof *idx);
    if (!idx) {
        civ_table_free(o);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the alerts sheet");
    }
    for (size_t r = 0; r < ns; r++) {
        char b1[64], b2[32];
        const char *ds = text_at(st, r, (size_t)c_ds, b1, sizeof b1), *al = text_at(st, r, (size_t)c_alert, b2,
                                                                                    sizeof b2);
        if (ds && !strcmp(ds, period) && al && (!strcmp(al, "cleared") || !strcmp(al, "closed")))
            idx[n++] = r;
    }
    cleared_order ord = {st, find(st, "department"), find(st, "indicator"), w, {0}};
    s = w->spec ? CIV_OK : recover_file_order(&ord);
    if (!s)
        s = civ_mon_sort(idx, n, cleared_cmp, &ord);
    civ_strmap_free(&ord.file_order);
    size_t first = 0;
    if (!s && n)
        s = civ_table_add_rows(o, n, &first);
    long c_scope = find(st, "scope"), c_unit = find(st, "unit"), c_ind = find(st, "indicator");
    for (size_t k = 0; k < n && !s; k++)
        for (size_t c = 0; c < nc && !s; c++) {
            const char *name = civ_table_column_name(o, c);
            if (!strcmp(name, "since")) {
                char buf[64];
                const char *since = run_since(st, idx[k], c_scope, c_unit, c_ind, c_status, c_misses, c_ds, buf,
                                              sizeof buf);
                if (since && since[0] && civ_table_column_type(o, c) == CIV_COLUMN_TEXT)
                    s = civ_table_set_text_pooled(o, first + k, c, since, strlen(since));
                continue;
            }
            long sc = find(st, name);
            if (sc >= 0)
                s = copy_cell(o, first + k, c, st, idx[k], (size_t)sc);
        }
    free(idx);
    if (s)
        civ_table_free(o);
    else
        *out = o;
    return s;
}

/* ---- one sheet for people --------------------------------------------------------------------------------- */

/* 1 when some row's model, as a planner knows it (civ_model_label_reader: "auto"), is not its full name (the fitted
 * combination, ~85 characters): the demand sheet then keeps the full name in a last column. */
static int model_shortened(const civ_table *t)
{
    long c = find(t, "model");
    for (size_t r = 0; c >= 0 && civ_table_column_type(t, (size_t)c) == CIV_COLUMN_TEXT && r < civ_table_n_rows(t);
         r++) {
        const char *m = civ_table_text(t, r, (size_t)c);
        char shown[256];
        civ_model_label_reader(shown, sizeof shown, m ? m : "");
        if (m && strcmp(shown, m))
            return 1;
    }
    return 0;
}

/* The columns of t in the order shown: the indicator's name right after its id (-2: made from the indicator
 * file when t has no name column); the tables' kind and value_unit are left out, since each value cell's number
 * format shows them (0.0%, "#,##0\" 起\""); the demand sheet's full model names last (-3), when shortened. */
static size_t shown_order(const wb *w, size_t kind, const civ_table *t, long *order)
{
    size_t nc = civ_table_n_columns(t), n = 0;
    long c_ind = find(t, "indicator"), c_name = find(t, "name"), c_kind = find(t, "kind"),
         c_vu = find(t, "value_unit");
    for (size_t c = 0; c < nc; c++) {
        if (((long)c == c_name && c_ind >= 0) || (c_ind >= 0 && ((long)c == c_kind || (long)c == c_vu)))
            continue;
        order[n++] = (long)c;
        if ((long)c == c_ind && (c_name >= 0 || w->spec))
            order[n++] = c_name >= 0 ? c_name : -2;
    }
    if (kind == S_DEMAND && model_shortened(t))
        order[n++] = -3;
    return n;
}

/* The sheet's n columns (order, from shown_order), headed by their labels: a yes/no column becomes text. */
static civ_status sheet_header(const wb *w, size_t kind, const civ_table *t, const long *order, size_t n,
                               civ_table *o)
{
    civ_label_ctx ctx = {.zh = w->zh, .table = SHEETS[kind].key};
    civ_status s = CIV_OK;
    for (size_t j = 0; j < n && !s; j++) {
        const char *name = order[j] == -2 ? "name" : order[j] == -3 ? "model_full"
                                                                      : civ_table_column_name(t, (size_t)order[j]);
        civ_column_type type = order[j] < 0 ? CIV_COLUMN_TEXT : civ_table_column_type(t, (size_t)order[j]);
        if (yes_no(name) || (kind == S_RISKS && !strcmp(name, "row"))) /* 是/否; a likelihood word */
            type = CIV_COLUMN_TEXT;
        char buf[192];
        const char *label = civ_column_label(&ctx, name, buf, sizeof buf);
        s = civ_table_add_column(o, label ? label : name, type, NULL);
        if (s == CIV_ERR_DUPLICATE && label) /* a label two columns share: the second keeps its name */
            s = civ_table_add_column(o, name, type, NULL);
    }
    return s;
}

/* Column j: the indicator's name from the indicator file, by the row's indicator (column c_ind of t). */
static civ_status fill_names(const wb *w, const civ_table *t, long c_ind, civ_table *o, size_t j)
{
    civ_status s = CIV_OK;
    for (size_t r = 0; r < civ_table_n_rows(t) && !s; r++) {
        char b[128];
        const civ_mon_indicator *ind = indicator_of(w, text_at(t, r, (size_t)c_ind, b, sizeof b));
        if (ind && ind->name && ind->name[0])
            s = civ_table_set_text_pooled(o, r, j, ind->name, strlen(ind->name));
    }
    return s;
}

/* Column j from the risks' matrix row (t's number column c) as its likelihood word (很可能, likely: the report's
 * words), else its probability band from the matrix (60%–80%), else the row's number: the sheet showed the row
 * number (4) until 2026-12-07, beside the impact in words. */
static civ_status fill_likelihood(const wb *w, const civ_table *t, size_t c, civ_table *o, size_t j)
{
    long mr = find(w->matrix, "row"), mf = find(w->matrix, "probability_from"), mt = find(w->matrix, "probability_to");
    size_t n = 0, nm = w->matrix ? civ_table_n_rows(w->matrix) : 0;
    for (size_t r = 0; mr >= 0 && r < nm; r++) {
        double v = civ_table_number(w->matrix, r, (size_t)mr);
        n = isfinite(v) && v > (double)n ? (size_t)v : n;
    }
    civ_status s = CIV_OK;
    for (size_t r = 0; r < civ_table_n_rows(t) && !s; r++) {
        double v = civ_table_number(t, r, c);
        const char *word = isfinite(v) && v >= 1 ? civ_likelihood_label(w->zh, (size_t)v, n) : NULL;
        char buf[64] = "";
        for (size_t k = 0; !word && mf >= 0 && mt >= 0 && k < nm; k++)
            if (civ_table_number(w->matrix, k, (size_t)mr) == v)
                civ_snprintf(buf, sizeof buf, "%.0f%%–%.0f%%", 100 * civ_table_number(w->matrix, k, (size_t)mf),
                             100 * civ_table_number(w->matrix, k, (size_t)mt));
        if (!word && !buf[0] && isfinite(v))
            civ_snprintf(buf, sizeof buf, "%.0f", v);
        if (word || buf[0])
            s = civ_table_set_text(o, r, j, word ? word : buf);
    }
    return s;
}

/* Column j from t's 1/0 column c (numbers or text): Yes/No (是/否); a blank stays blank. */
static civ_status fill_yes_no(const wb *w, const civ_table *t, size_t c, civ_table *o, size_t j)
{
    civ_status s = CIV_OK;
    for (size_t r = 0; r < civ_table_n_rows(t) && !s; r++) {
        double v = civ_table_number(t, r, c);
        const char *tv = civ_table_text(t, r, c);
        if (tv)
            v = tv[0] ? civ_strtod(tv, NULL) : NAN;
        if (!isnan(v))
            s = civ_table_set_text(o, r, j, v != 0 ? (w->zh ? "是" : "Yes") : (w->zh ? "否" : "No"));
    }
    return s;
}

/* The kind and unit of row r from t's kind and value_unit columns (the tables made since 2026-12-07) into *own;
 * NULL when t has no kind column or the cell is not a kind. */
static const civ_mon_indicator *row_kind(const civ_table *t, size_t r, civ_mon_indicator *own)
{
    long c_kind = find(t, "kind"), c_vu = find(t, "value_unit");
    const char *kind = c_kind >= 0 ? civ_table_text(t, r, (size_t)c_kind) : NULL;
    if (!kind || civ_table_column_type(t, (size_t)c_kind) != CIV_COLUMN_TEXT)
        return NULL;
    memset(own, 0, sizeof *own);
    own->kind = !strcmp(kind, "rate") ? CIV_MON_RATE : !strcmp(kind, "count") ? CIV_MON_COUNT
                : !strcmp(kind, "level") ? CIV_MON_LEVEL : 0;
    if (c_vu >= 0 && civ_table_column_type(t, (size_t)c_vu) == CIV_COLUMN_TEXT)
        own->unit = (char *)civ_table_text(t, r, (size_t)c_vu);
    return own->kind ? own : NULL;
}

/* Column j of sheet k (n columns) from t's number column c, with each cell's number format: the column's fixed
 * one, or its row's indicator's (c_ind). */
static civ_status fill_numbers(wb *w, size_t k, const civ_table *t, size_t c, long c_ind, civ_table *o, size_t j,
                               size_t n)
{
    size_t nr = civ_table_n_rows(t);
    const char *name = civ_table_column_name(t, c);
    civ_status s = nr ? civ_table_set_numbers(o, j, 0, civ_table_numbers(t, c), nr) : CIV_OK;
    const char *fixed = fixed_format(name);
    int by_ind = by_indicator(name) && c_ind >= 0;
    if (!fixed && !by_ind && !strcmp(name, "mean")) /* the demand check's forecast of meals */
        fixed = "#,##0.0";
    unsigned char fixed_k = fixed ? code_index(w, fixed) : 0;
    long c_other = !strcmp(name, "actual") ? find(t, "target") : !strcmp(name, "target") ? find(t, "actual") : -1;
    for (size_t r = 0; r < nr && !s; r++) {
        unsigned char f = fixed_k;
        if (by_ind) {
            char b[128];
            const civ_mon_indicator *ind = indicator_of(w, text_at(t, r, (size_t)c_ind, b, sizeof b));
            civ_mon_indicator own;
            if (!ind) /* no indicator file given (or not this id): the row's own kind and value_unit, if any */
                ind = row_kind(t, r, &own);
            /* against the other of actual and target: the digits that tell a miss from its target */
            f = indicator_format(w, ind, civ_table_number(t, r, c),
                                 c_other >= 0 ? civ_table_number(t, r, (size_t)c_other) : NAN);
        }
        w->fmt[k][r * n + j] = f;
    }
    return s;
}

/* Column j from t's text column c, codes in words (the unit "city" only on the city's row, column c_scope); a
 * model (shorten: the demand sheet's) by the name a planner knows it by, "auto" for the default combination:
 * the sheet showed the fitted combination's ~85 characters until 2026-12-07 (the full name is its last column). */
static civ_status fill_words(const wb *w, const civ_table *t, size_t c, long c_scope, int shorten, civ_table *o,
                             size_t j)
{
    const char *name = civ_table_column_name(t, c);
    int code = civ_value_column("monitor", name), model = shorten && !strcmp(name, "model");
    civ_status s = CIV_OK;
    for (size_t r = 0; r < civ_table_n_rows(t) && !s; r++) {
        const char *v = civ_table_text(t, r, c);
        char wbuf[256];
        if (model && v)
            civ_model_label_reader(wbuf, sizeof wbuf, v), v = wbuf;
        else if (code && !strcmp(name, "unit")) { /* the city total's unit "city", on its city row */
            const char *sc = c_scope >= 0 ? civ_table_text(t, r, (size_t)c_scope) : NULL;
            if (sc && !strcmp(sc, "city"))
                v = word_of(w->zh, name, v, wbuf, sizeof wbuf);
        } else if (code) {
            v = word_of(w->zh, name, v, wbuf, sizeof wbuf);
        }
        if (v && v[0])
            s = civ_table_set_text_pooled(o, r, j, v, strlen(v));
    }
    return s;
}

/* The workbook's sheet `k` (its position) from t, a table of kind SHEETS[kind]: headed by the labels, codes in
 * words, 1/0 as yes/no, the indicator's name; w->fmt[k] the number formats of its cells. */
static civ_status sheet_table(wb *w, size_t k, size_t kind, const civ_table *t, civ_table **out)
{
    size_t nc = civ_table_n_columns(t), nr = civ_table_n_rows(t);
    long *order = malloc((nc + 1) * sizeof *order);
    civ_table *o = NULL;
    civ_status s = order ? civ_table_create(&o) : civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for a sheet");
    size_t n = s ? 0 : shown_order(w, kind, t, order);
    long c_ind = find(t, "indicator"), c_scope = find(t, "scope");
    if (!s)
        s = sheet_header(w, kind, t, order, n, o);
    if (!s && nr)
        s = civ_table_add_rows(o, nr, NULL);
    if (!s && !(w->fmt[k] = calloc(nr * n + 1, 1)))
        s = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for a sheet's formats");
    w->n_columns[k] = n;
    for (size_t j = 0; j < n && !s; j++) {
        size_t c = (size_t)order[j];
        if (order[j] == -2) /* the indicator's name from the file */
            s = fill_names(w, t, c_ind, o, j);
        else if (order[j] == -3) /* the full model names, as demand.csv has them */
            s = fill_words(w, t, (size_t)find(t, "model"), -1, 0, o, j);
        else if (yes_no(civ_table_column_name(t, c)))
            s = fill_yes_no(w, t, c, o, j);
        else if (kind == S_RISKS && !strcmp(civ_table_column_name(t, c), "row") &&
                 civ_table_column_type(t, c) == CIV_COLUMN_NUMBER)
            s = fill_likelihood(w, t, c, o, j);
        else if (civ_table_column_type(t, c) == CIV_COLUMN_NUMBER)
            s = fill_numbers(w, k, t, c, c_ind, o, j, n);
        else
            s = fill_words(w, t, c, c_scope, kind == S_DEMAND, o, j);
    }
    free(order);
    if (s)
        civ_table_free(o);
    else
        *out = o;
    return s;
}

civ_status civ_monitor_workbook_write(const char *path, const civ_monitor_spec *spec,
                                      const civ_monitor_workbook_tables *tables, const char *lang,
                                      const civ_workbook_options *options)
{
    if (!path || !tables)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_monitor_workbook_write: NULL path or tables");
    if (lang && lang[0] && strcmp(lang, "zh") && strcmp(lang, "en")) {
        civ_where wh = {.field = "lang"};
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &wh, "the workbook's language is \"zh\" or \"en\", not '%s'",
                           lang);
    }
    const civ_table *given[N_SHEETS] = {tables->alerts,  tables->status, tables->warning, tables->warning_steps,
                                        tables->risks,   tables->risk_matrix, tables->inactivity, tables->demand};
    wb *w = calloc(1, sizeof *w);
    if (!w)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the monitoring workbook");
    w->spec = spec, w->zh = !lang || !lang[0] || !strcmp(lang, "zh"), w->matrix = tables->risk_matrix;
    civ_table *shown[N_SHEETS] = {0}, *alerts = NULL;
    const civ_table *list[N_SHEETS];
    const char *names[N_SHEETS];
    size_t n = 0;
    civ_status s = CIV_OK;
    if (tables->alerts) /* the open alerts, then the period's cleared and closed ones */
        s = tables->status ? alerts_rows(w, tables, &alerts) : CIV_OK;
    for (size_t k = 0; k < N_SHEETS && !s; k++) {
        const civ_table *t = k == S_ALERTS && alerts ? alerts : given[k];
        if (!t)
            continue;
        s = sheet_table(w, n, k, t, &shown[n]);
        if (!s) {
            list[n] = shown[n];
            names[n++] = w->zh ? SHEETS[k].zh : SHEETS[k].en;
        }
    }
    if (!s && !n) {
        civ_where wh = {.file = path};
        s = civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &wh, "the monitoring workbook has no table to show: give the "
                                                       "alerts, the status or another part's table");
    }
    if (!s)
        s = civ_workbook_write_formatted(path, n, list, names, options, cell_format, w);
    for (size_t k = 0; k < N_SHEETS; k++) {
        civ_table_free(shown[k]);
        free(w->fmt[k]);
    }
    civ_table_free(alerts);
    free(w);
    return s;
}
