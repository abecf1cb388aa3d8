/*
 * test_monitor_workbook.c -- the monitoring workbook (engine/src/monitor/workbook.c,
 * civ_monitor_workbook_write) on the demo city's indicators: the sheets of the tables given, in order, named and
 * headed in Chinese (English with lang "en"), the codes in words, the indicator's name, the values as the tables
 * (the CSVs) hold them, the alerts sheet's open alerts then the period's cleared ones with the run's first miss,
 * a rate shown as a percentage and a count with its unit by number format, and the errors that leave nothing
 * (a bad language, a folder that is not there, an existing workbook kept whole).  The sheets are read back with
 * civicast's own workbook reader (civ_table_read with .sheet) and the styles with `unzip -p`.
 */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "civicast.h"
#include "test_files.h"

#define DEMO CIV_SOURCE_DIR "/datasets/demo_city/"

static char dir[512];

typedef struct demo {
    civ_monitor_spec *spec;
    civ_monitor *mon;
    civ_table *status, *alerts, *risks, *matrix;
} demo;

static demo d;

static int setup(void **state)
{
    (void)state;
    if (tf_dir_make(dir, sizeof dir, tf_tmp_root(), "civ_test_monwb_"))
        return -1;
    civ_table *act = NULL, *reg = NULL;
    civ_monitor_matrix *mx = NULL;
    static const char *const risk_text[] = {"risk", "impact", "owner", "mitigation", NULL};
    if (civ_monitor_spec_read(DEMO "indicators.toml", &d.spec))
        return -1;
    civ_table_read_options ro = {.text_columns = civ_monitor_spec_text_columns(d.spec)};
    civ_table_read_options rr = {.text_columns = risk_text};
    int bad = civ_table_read(DEMO "monitoring.csv", &ro, &act) || civ_monitor_run(d.spec, act, "monitoring.csv",
                                                                                   &d.mon) ||
              civ_monitor_status_table(d.mon, &d.status) ||
              civ_monitor_alert_table(d.mon, CIV_MONITOR_LATEST, &d.alerts) ||
              civ_table_read(DEMO "risks.csv", &rr, &reg) || civ_monitor_matrix_default(&mx) ||
              civ_monitor_risk_assess(mx, reg, "risks.csv", &d.risks, &d.matrix);
    civ_table_free(act);
    civ_table_free(reg);
    civ_monitor_matrix_free(mx);
    return bad ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    civ_table_free(d.status);
    civ_table_free(d.alerts);
    civ_table_free(d.risks);
    civ_table_free(d.matrix);
    civ_monitor_free(d.mon);
    civ_monitor_spec_free(d.spec);
    return getenv("CIV_KEEP") ? 0 : tf_dir_remove(dir);
}

/* The number format code of cell `ref` of sheet `k` (1-based): "General" for none, Excel's built-in 0% (9). */
static const char *format_of(const char *path, int k, const char *ref)
{
    static char out[128];
    char name[64], key[96];
    snprintf(name, sizeof name, "xl/worksheets/sheet%d.xml", k);
    char *sheet = tf_zip_member(path, name), *styles = tf_zip_member(path, "xl/styles.xml");
    snprintf(key, sizeof key, "<c r=\"%s\"", ref);
    char *cell = strstr(sheet, key);
    assert_non_null(cell);
    char *end = strchr(cell, '>'), *sattr = strstr(cell, " s=\"");
    int xf = sattr && sattr < end ? atoi(sattr + 4) : 0;
    char *x = strstr(styles, "<cellXfs");
    assert_non_null(x);
    for (int j = 0; j <= xf; j++) {
        x = strstr(x + 1, "<xf ");
        assert_non_null(x);
    }
    int fmt = atoi(strstr(x, "numFmtId=\"") + 10);
    snprintf(out, sizeof out, "%s", fmt == 9 ? "0%" : "General");
    snprintf(key, sizeof key, "<numFmt numFmtId=\"%d\" formatCode=\"", fmt);
    char *nf = fmt ? strstr(styles, key) : NULL;
    if (nf) {
        nf += strlen(key);
        snprintf(out, sizeof out, "%.*s", (int)(strchr(nf, '"') - nf), nf);
    }
    free(sheet);
    free(styles);
    return out;
}

static civ_table *sheet(const char *path, const char *name)
{
    static const char *const text[] = {"统计期", "未达标起始期", "Period", "Missing since", NULL};
    civ_table_read_options o = {.sheet = name, .text_columns = text};
    civ_table *t = NULL;
    assert_int_equal(civ_table_read(path, &o, &t), CIV_OK);
    return t;
}

static size_t col(const civ_table *t, const char *name)
{
    size_t c;
    assert_int_equal(civ_table_find_column(t, name, &c), CIV_OK);
    return c;
}

/* The status rows of the last period whose alert is cleared or closed. */
static size_t cleared_in_last(void)
{
    size_t n = 0, c_ds = col(d.status, "ds"), c_alert = col(d.status, "alert");
    const char *last = civ_table_text(d.alerts, 0, col(d.alerts, "ds"));
    for (size_t r = 0; r < civ_table_n_rows(d.status); r++)
        n += !strcmp(civ_table_text(d.status, r, c_ds), last) &&
             (!strcmp(civ_table_text(d.status, r, c_alert), "cleared") ||
              !strcmp(civ_table_text(d.status, r, c_alert), "closed"));
    return n;
}

static void test_chinese(void **state)
{
    (void)state;
    const char *path = tf_path(dir, "monitoring.xlsx");
    civ_monitor_workbook_tables t = {.alerts = d.alerts, .status = d.status, .risks = d.risks,
                                     .risk_matrix = d.matrix};
    assert_int_equal(civ_monitor_workbook_write(path, d.spec, &t, NULL, NULL), CIV_OK);
    /* the sheets of the tables given, in order */
    char *book = tf_zip_member(path, "xl/workbook.xml");
    const char *a = strstr(book, "name=\"本期预警\""), *s = strstr(book, "name=\"指标状态\""),
               *r = strstr(book, "name=\"风险\""), *m = strstr(book, "name=\"风险矩阵\"");
    assert_true(a && s && r && m && a < s && s < r && r < m);
    assert_null(strstr(book, "预警概率")); /* no early warning given: no sheet */
    free(book);

    civ_table *al = sheet(path, "本期预警");
    size_t na = civ_table_n_rows(d.alerts), nc = cleared_in_last();
    assert_true(na > 10 && nc > 0);
    assert_int_equal(civ_table_n_rows(al), na + nc);
    static const char *const heads[] = {"部门", "指标", "名称", "层级", "单位", "统计期", "实际值", "目标值",
                                        "连续未达标期数", "未达标起始期", "预警状态"};
    for (size_t k = 0; k < sizeof heads / sizeof *heads; k++)
        assert_string_equal(civ_table_column_name(al, k), heads[k]);
    assert_int_equal(civ_table_n_columns(al), 11); /* kind and value_unit: the cells' formats show them */
    /* the open alerts as the table (the CSV) has them, their codes in words */
    for (size_t row = 0; row < na; row++) {
        const char *scope = civ_table_text(d.alerts, row, 3), *alert = civ_table_text(d.alerts, row, 10);
        for (size_t c = 0; c < 5; c++)
            if (c != 3)
                assert_string_equal(civ_table_text(al, row, c), c == 4 && !strcmp(scope, "city")
                                                                    ? "全市" /* the city total's unit */
                                                                    : civ_table_text(d.alerts, row, c));
        assert_string_equal(civ_table_text(al, row, 3), !strcmp(scope, "street")     ? "街道"
                                                        : !strcmp(scope, "district") ? "区"
                                                                                     : "全市");
        assert_string_equal(civ_table_text(al, row, 10), !strcmp(alert, "raised") ? "新增预警" : "持续预警");
        assert_true(civ_table_number(al, row, 6) == civ_table_number(d.alerts, row, 6));
        assert_true(civ_table_number(al, row, 7) == civ_table_number(d.alerts, row, 7));
        assert_true(civ_table_number(al, row, 8) == civ_table_number(d.alerts, row, 8));
        assert_string_equal(civ_table_text(al, row, 9), civ_table_text(d.alerts, row, 9));
    }
    /* then the period's cleared alerts: misses 0, since the run's first miss, before the period */
    for (size_t row = na; row < na + nc; row++) {
        const char *w = civ_table_text(al, row, 10);
        assert_true(!strcmp(w, "预警解除") || !strcmp(w, "随撤并关闭"));
        assert_true(civ_table_number(al, row, 8) == 0);
        assert_true(strlen(civ_table_text(al, row, 9)) == 7);
        assert_true(strcmp(civ_table_text(al, row, 9), civ_table_text(al, row, 5)) < 0);
    }
    civ_table_free(al);

    /* the first alert is the volunteer share (a rate): its actual and target shown as percentages, the cells
     * the fractions; the accidents (a count, 起) show their unit */
    assert_string_equal(civ_table_text(d.alerts, 0, 1), "volunteer_share");
    assert_string_equal(format_of(path, 1, "G2"), "0.0%"); /* 6.3% */
    assert_string_equal(format_of(path, 1, "H2"), "0%");   /* 13%, as the report and the alert lines say it (the
                                                            * workbook's 13.0% until 2026-12-07) */
    assert_string_equal(format_of(path, 1, "I2"), "General"); /* misses */
    char *styles = tf_zip_member(path, "xl/styles.xml");
    assert_non_null(strstr(styles, "formatCode=\"#,##0&quot; 起&quot;\""));
    /* a level's average that is not whole, two decimals: General showed "11.0727969348659 分钟" (until 2026-12-07) */
    assert_non_null(strstr(styles, "formatCode=\"#,##0.00&quot; 分钟&quot;\""));
    /* ... and one decimal where civ_monitor_value_text writes one (11.5 分钟, which read 11.50 分钟 until 2026-12-07),
     * none for a whole target (15 分钟) */
    assert_non_null(strstr(styles, "formatCode=\"#,##0.0&quot; 分钟&quot;\""));
    assert_non_null(strstr(styles, "formatCode=\"#,##0&quot; 分钟&quot;\""));
    assert_null(strstr(styles, "General&quot;"));
    free(styles);

    civ_table *st = sheet(path, "指标状态");
    assert_int_equal(civ_table_n_rows(st), civ_table_n_rows(d.status));
    assert_string_equal(civ_table_column_name(st, 3), "名称"); /* the name beside the id */
    assert_string_equal(civ_table_text(st, 0, 3), "政策知晓率");
    assert_string_equal(civ_table_text(st, 0, col(st, "状态")), "达标");
    assert_true(civ_table_number(st, 0, col(st, "实际值")) == civ_table_number(d.status, 0, 5));
    civ_table_free(st);

    civ_table *rk = sheet(path, "风险");
    assert_string_equal(civ_table_text(rk, 0, col(rk, "等级")), "高");
    assert_string_equal(civ_table_text(rk, 0, col(rk, "影响程度")), "严重");
    assert_true(fabs(civ_table_number(rk, 0, col(rk, "发生概率")) - 0.7) <= 1e-12);
    civ_table_free(rk);
    assert_string_equal(format_of(path, 3, "B2"), "0%");
}

static void test_english(void **state)
{
    (void)state;
    const char *path = tf_path(dir, "monitoring_en.xlsx");
    civ_monitor_workbook_tables t = {.alerts = d.alerts, .status = d.status};
    assert_int_equal(civ_monitor_workbook_write(path, d.spec, &t, "en", NULL), CIV_OK);
    civ_table *al = sheet(path, "Alerts");
    assert_string_equal(civ_table_column_name(al, 0), "Department");
    assert_string_equal(civ_table_column_name(al, 10), "Alert");
    const char *alert = civ_table_text(d.alerts, 0, 10);
    assert_string_equal(civ_table_text(al, 0, 10), !strcmp(alert, "raised") ? "New" : "Continuing");
    assert_string_equal(civ_table_text(al, 0, 3), "Street");
    civ_table_free(al);
    civ_table *st = sheet(path, "Indicator status");
    assert_string_equal(civ_table_column_name(st, 0), "Scope");
    civ_table_free(st);
}

/* An earlier period's alerts (the command's --period): the cleared rows are that period's. */
static void test_period(void **state)
{
    (void)state;
    civ_table *nov = NULL;
    int64_t p = 0;
    civ_date_form form;
    assert_int_equal(civ_date_parse("2024-11", 7, &form, &p), CIV_OK);
    assert_int_equal(civ_monitor_alert_table(d.mon, p, &nov), CIV_OK);
    const char *path = tf_path(dir, "november.xlsx");
    civ_monitor_workbook_tables t = {.alerts = nov, .status = d.status, .period = "2024-11"};
    assert_int_equal(civ_monitor_workbook_write(path, d.spec, &t, "zh", NULL), CIV_OK);
    civ_table *al = sheet(path, "本期预警");
    assert_true(civ_table_n_rows(al) > civ_table_n_rows(nov));
    for (size_t r = 0; r < civ_table_n_rows(al); r++)
        assert_string_equal(civ_table_text(al, r, 5), "2024-11");
    /* a day in the period, as --period and the plan's [monitor] period take one: the same sheet (before
     * 2026-12-07 the day was compared as text and the period's cleared alerts were left out) */
    size_t n_month = civ_table_n_rows(al);
    civ_table_free(al);
    t.period = "2024-11-15";
    assert_int_equal(civ_monitor_workbook_write(path, d.spec, &t, "zh", NULL), CIV_OK);
    al = sheet(path, "本期预警");
    assert_int_equal(civ_table_n_rows(al), n_month);
    civ_table_free(al);
    civ_table_free(nov);
}

/* The inactivity sheet's times are UTC (as inactivity.csv and the terminal give them) and its hour the local one:
 * the headers say so, in both languages (before 2026-12-07 "最后活动时间" over 2025-03-03T12:12:19, which a social
 * worker reads as Beijing time, 8 hours off, beside a local "开始时段" of 20). */
static void test_inactivity_times(void **state)
{
    (void)state;
    civ_table *ev = NULL, *ia = NULL;
    static const char *const text[] = {"person", "ts", NULL};
    civ_table_read_options ro = {.text_columns = text};
    civ_monitor_inactivity_options opt;
    assert_int_equal(civ_monitor_inactivity_options_init(&opt), CIV_OK);
    assert_int_equal(civ_table_read(DEMO "sensor_events.csv", &ro, &ev), CIV_OK);
    assert_int_equal(civ_monitor_inactivity_run(&opt, ev, "sensor_events.csv", NAN, &ia), CIV_OK);
    civ_monitor_workbook_tables t = {.inactivity = ia};
    static const struct {
        const char *lang, *file, *name, *heads[4];
    } cases[] = {
        {"zh", "inact_zh.xlsx", "独居老人未活动",
         {"最后活动时间（UTC）", "预警时间（UTC）", "恢复活动时间（UTC）", "开始时段（当地时间，时）"}},
        {"en", "inact_en.xlsx", "Inactivity",
         {"Last event (UTC)", "Alert at (UTC)", "Resumed (UTC)", "Hour of day (local time)"}},
    };
    for (size_t k = 0; k < 2; k++) {
        const char *path = tf_path(dir, cases[k].file);
        assert_int_equal(civ_monitor_workbook_write(path, d.spec, &t, cases[k].lang, NULL), CIV_OK);
        static const char *const times[] = {"最后活动时间（UTC）", "预警时间（UTC）", "恢复活动时间（UTC）",
                                            "Last event (UTC)", "Alert at (UTC)", "Resumed (UTC)", NULL};
        civ_table_read_options o = {.sheet = cases[k].name, .text_columns = times};
        civ_table *s = NULL;
        assert_int_equal(civ_table_read(path, &o, &s), CIV_OK);
        for (size_t h = 0; h < 4; h++)
            assert_string_equal(civ_table_column_name(s, h + 1 + (h == 3 ? 2 : 0)), cases[k].heads[h]);
        /* the cells are inactivity.csv's UTC text */
        assert_string_equal(civ_table_text(s, 0, 1), civ_table_text(ia, 0, 1));
        /* and the local time the hours are in, last (8: Beijing, the default), since 2026-12-07 */
        assert_string_equal(civ_table_column_name(s, 7), k ? "Local time = UTC + (hours)" : "当地时间 = UTC +（小时）");
        assert_true(civ_table_number(s, 0, 7) == 8);
        civ_table_free(s);
    }
    civ_table_free(ia);
    civ_table_free(ev);
}

/* The risk sheet's matrix row as its likelihood word, as the report's risk table says it (it was the row's number
 * until 2026-12-07): the demo's four risks on the default 5 x 5 matrix, 很可能 for 70%, 可能 for 45%; without the
 * matrix's table (Python's write_monitor_workbook(risks=...) alone) the row's number, as text. */
static void test_risk_likelihood(void **state)
{
    (void)state;
    const char *path = tf_path(dir, "risks.xlsx");
    civ_monitor_workbook_tables t = {.risks = d.risks, .risk_matrix = d.matrix};
    for (int en = 0; en < 3; en++) {
        t.risk_matrix = en == 2 ? NULL : d.matrix;
        assert_int_equal(civ_monitor_workbook_write(path, NULL, &t, en == 1 ? "en" : "zh", NULL), CIV_OK);
        civ_table_read_options o = {.sheet = en == 1 ? "Risks" : "风险"};
        civ_table *s = NULL;
        assert_int_equal(civ_table_read(path, &o, &s), CIV_OK);
        size_t c = col(s, en == 1 ? "Likelihood" : "可能性");
        assert_int_equal(civ_table_column_type(s, c), en == 2 ? CIV_COLUMN_NUMBER : CIV_COLUMN_TEXT);
        if (en < 2) {
            assert_string_equal(civ_table_text(s, 0, c), en ? "likely" : "很可能");   /* 政策冲突风险, 70% */
            assert_string_equal(civ_table_text(s, 3, c), en ? "possible" : "可能");   /* 社会抵触风险, 45% */
        } else {
            assert_true(civ_table_number(s, 0, c) == 4); /* "4" as text, read back as a number */
        }
        civ_table_free(s);
    }
}

/* The table of CSV text `csv` (through a file of the test folder). */
static void read_text(const char *csv, const civ_table_read_options *ro, civ_table **out)
{
    char path[256];
    snprintf(path, sizeof path, "%s", tf_path(dir, "demand.csv"));
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(csv, f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(civ_table_read_csv(path, ro, out), CIV_OK);
}

/* The demand sheet names each model as a planner knows it: "auto" for the default combination (the sheet showed its
 * fitted name, ~85 characters, until 2026-12-07), a combination whose members were dropped by the families left, a
 * single model as it is; the full names in a last column, 模型完整设定, as demand.csv has them.  A table whose models
 * are short already (a several-model file's "Auto", "Theta") gets no such column. */
static void test_demand_models(void **state)
{
    (void)state;
    static const char *const fits[] = {
        "ComboMedian[ETS(A,N,A),ARIMA(2,0,0)(2,0,0)[12] with non-zero mean,Theta,ETS(A,Ad,N),DOTM]",
        "ComboMedian[ETS(M,Ad,M),ARIMA(0,1,0),Theta,ETS(A,N,N),DOTM]", /* auto: ETS damped, the damped one not */
        "ComboMedian[ETS(A,N,A),ARIMA(0,1,0),ETS(A,Ad,N)]",            /* auto with two members dropped */
        "TSB"};
    static const char *const shown[] = {"auto", "auto", "Median(ETS, ARIMA, DampedETS)", "TSB"};
    char csv[1024] = "unique_id,ds,actual,mean,deviation_pct,level,flag,model\n";
    for (size_t k = 0; k < 4; k++)
        snprintf(csv + strlen(csv), sizeof csv - strlen(csv), "C%zu,2025-01,10,9,11.1,,within,\"%s\"\n", k, fits[k]);
    static const char *const text[] = {"unique_id", "ds", "flag", "model", NULL};
    civ_table_read_options ro = {.text_columns = text};
    civ_table *dm = NULL;
    read_text(csv, &ro, &dm);
    civ_monitor_workbook_tables t = {.demand = dm};
    const char *path = tf_path(dir, "demand.xlsx");
    for (int en = 0; en < 2; en++) {
        assert_int_equal(civ_monitor_workbook_write(path, NULL, &t, en ? "en" : "zh", NULL), CIV_OK);
        civ_table_read_options o = {.sheet = en ? "Demand vs forecast" : "需求偏离"};
        civ_table *s = NULL;
        assert_int_equal(civ_table_read(path, &o, &s), CIV_OK);
        size_t c_model = col(s, en ? "Model" : "模型"), c_full = col(s, en ? "Model (full specification)" : "模型完整设定");
        assert_int_equal(c_full, civ_table_n_columns(s) - 1);
        for (size_t k = 0; k < 4; k++) {
            assert_string_equal(civ_table_text(s, k, c_model), shown[k]);
            assert_string_equal(civ_table_text(s, k, c_full), fits[k]);
        }
        civ_table_free(s);
    }
    civ_table_free(dm);
    snprintf(csv, sizeof csv, "unique_id,ds,actual,mean,deviation_pct,level,flag,model\n"
                              "C1,2025-01,10,9,11.1,,within,Auto\nC1,2025-01,10,9,11.1,,within,Theta\n");
    read_text(csv, &ro, &dm);
    t.demand = dm;
    assert_int_equal(civ_monitor_workbook_write(path, NULL, &t, "zh", NULL), CIV_OK);
    civ_table *s = sheet(path, "需求偏离");
    assert_string_equal(civ_table_column_name(s, civ_table_n_columns(s) - 1), "模型");
    assert_string_equal(civ_table_text(s, 0, civ_table_n_columns(s) - 1), "Auto");
    civ_table_free(s);
    civ_table_free(dm);
}

static int entries(void)
{
    DIR *dd = opendir(dir);
    assert_non_null(dd);
    int n = 0;
    for (struct dirent *e; (e = readdir(dd));)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(dd);
    return n;
}

static void test_errors(void **state)
{
    (void)state;
    civ_monitor_workbook_tables t = {.alerts = d.alerts, .status = d.status}, none = {0};
    const char *path = tf_path(dir, "kept.xlsx");
    assert_int_equal(civ_monitor_workbook_write(path, d.spec, &t, "zh", NULL), CIV_OK);
    size_t len0 = 0, len1 = 0;
    char *before = tf_slurp(path, &len0);
    int n = entries();
    /* a bad language: refused before anything is written, the earlier workbook whole */
    assert_int_equal(civ_monitor_workbook_write(path, d.spec, &t, "fr", NULL), CIV_ERR_INVALID_ARGUMENT);
    assert_string_equal(civ_last_error()->field, "lang");
    assert_int_equal(civ_monitor_workbook_write(path, d.spec, &none, "zh", NULL), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_monitor_workbook_write(tf_path(dir, "m.csv"), d.spec, &t, "zh", NULL),
                     CIV_ERR_UNSUPPORTED);
    /* a folder that is not there: an I/O error naming the path, nothing left */
    char missing[600];
    snprintf(missing, sizeof missing, "%s/no/such/folder/monitoring.xlsx", dir);
    assert_int_equal(civ_monitor_workbook_write(missing, d.spec, &t, "zh", NULL), CIV_ERR_IO);
    assert_non_null(strstr(civ_last_error()->message, "no/such/folder") ? civ_last_error()->message
                                                                         : civ_last_error()->file);
    char *after = tf_slurp(path, &len1);
    assert_int_equal(len0, len1);
    assert_memory_equal(before, after, len0);
    assert_int_equal(entries(), n); /* no temporary file left beside it */
    free(before);
    free(after);
    /* no spec: no names added, the sheets still written */
    assert_int_equal(civ_monitor_workbook_write(path, NULL, &t, "zh", NULL), CIV_OK);
}

/* Without the indicator file (Python's write_monitor_workbook(path, status=..., alerts=...) with indicators=None),
 * the tables' own kind and value_unit columns give each value its format: the volunteer share (a rate) 0.0%, a
 * count with its unit; before 2026-12-07 such a workbook showed the fractions in General. */
static void test_formats_from_rows(void **state)
{
    (void)state;
    const char *path = tf_path(dir, "nospec.xlsx");
    civ_monitor_workbook_tables t = {.alerts = d.alerts, .status = d.status};
    assert_int_equal(civ_monitor_workbook_write(path, NULL, &t, "zh", NULL), CIV_OK);
    assert_string_equal(civ_table_text(d.alerts, 0, 1), "volunteer_share");
    assert_string_equal(format_of(path, 1, "G2"), "0.0%"); /* actual, 6.3% */
    assert_string_equal(format_of(path, 1, "H2"), "0%");   /* target, 13% */
    char *styles = tf_zip_member(path, "xl/styles.xml");
    assert_non_null(strstr(styles, "formatCode=\"#,##0&quot; 起&quot;\""));
    free(styles);
    civ_table *al = sheet(path, "本期预警");
    assert_int_equal(civ_table_n_columns(al), 11); /* kind and value_unit left out here too */
    assert_true(civ_table_number(al, 0, 6) == civ_table_number(d.alerts, 0, 6)); /* the cell keeps the fraction */
    civ_table_free(al);
}

/* A rate that misses its target by less than the format shows (0.9796 against 0.98) gets the digits that tell it
 * from the target, as the alert lines and the report write it (97.96% against 98%): "0.00%" where "0.0%" showed
 * 98.0% against 98.0% until 2026-12-07; the target "0%" (98%), and a clear miss the digits it needs. */
static void test_near_miss(void **state)
{
    (void)state;
    const char *path = tf_path(dir, "near.xlsx");
    double actual = civ_table_number(d.alerts, 0, 6), target = civ_table_number(d.alerts, 0, 7);
    assert_string_equal(civ_table_column_name(d.alerts, 6), "actual");
    assert_string_equal(civ_table_column_name(d.alerts, 7), "target");
    assert_int_equal(civ_table_set_number(d.alerts, 0, 6, 0.9796), CIV_OK);
    assert_int_equal(civ_table_set_number(d.alerts, 0, 7, 0.98), CIV_OK);
    civ_monitor_workbook_tables t = {.alerts = d.alerts};
    assert_int_equal(civ_monitor_workbook_write(path, NULL, &t, "zh", NULL), CIV_OK);
    assert_string_equal(format_of(path, 1, "G2"), "0.00%"); /* 97.96% */
    assert_string_equal(format_of(path, 1, "H2"), "0%");    /* 98% (98.0% until 2026-12-07) */
    assert_int_equal(civ_table_set_number(d.alerts, 0, 6, 0.9796 - 1e-5), CIV_OK); /* 97.959%: 97.96% is enough */
    assert_int_equal(civ_monitor_workbook_write(path, NULL, &t, "zh", NULL), CIV_OK);
    assert_string_equal(format_of(path, 1, "G2"), "0.00%");
    assert_int_equal(civ_table_set_number(d.alerts, 0, 6, 0.97999), CIV_OK); /* 97.999% */
    assert_int_equal(civ_monitor_workbook_write(path, NULL, &t, "zh", NULL), CIV_OK);
    assert_string_equal(format_of(path, 1, "G2"), "0.000%");
    /* the digits of civ_monitor_value_text, no more: 98% against 95% (98.0% against 95.0% until 2026-12-07) */
    assert_int_equal(civ_table_set_number(d.alerts, 0, 6, 0.98), CIV_OK);
    assert_int_equal(civ_table_set_number(d.alerts, 0, 7, 0.95), CIV_OK);
    assert_int_equal(civ_monitor_workbook_write(path, NULL, &t, "zh", NULL), CIV_OK);
    assert_string_equal(format_of(path, 1, "G2"), "0%");
    assert_string_equal(format_of(path, 1, "H2"), "0%");
    char text[32];
    assert_int_equal(civ_monitor_value_text(0.98, "rate", NULL, 0.95, text, sizeof text), CIV_OK);
    assert_string_equal(text, "98%"); /* what the alert lines and the report show */
    civ_table_set_number(d.alerts, 0, 6, actual), civ_table_set_number(d.alerts, 0, 7, target);
    assert_int_equal(civ_monitor_workbook_write(path, NULL, &t, "zh", NULL), CIV_OK);
    assert_string_equal(format_of(path, 1, "G2"), "0.0%"); /* 6.3% of 13%: one decimal tells them apart */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chinese),
        cmocka_unit_test(test_near_miss),
        cmocka_unit_test(test_english),
        cmocka_unit_test(test_period),
        cmocka_unit_test(test_inactivity_times),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_formats_from_rows),
        cmocka_unit_test(test_demand_models),
        cmocka_unit_test(test_risk_likelihood),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
