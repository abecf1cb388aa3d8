/*
 * test_report.c -- unit tests of the plan report layer (engine/src/report/):
 * numbers for readers in both languages, short model names, JSON and HTML
 * escaping, the column map (fen and yuan columns, groups in data order,
 * derived change), and civ_report_write on a small output folder: the page
 * and its specs, the language, the totals it shows, and errors that name the
 * table and column and leave no page behind.  The browser checks are in
 * tests/cli/report.sh.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "civicast.h"
#include "plan.h"
#include "report_buf.h"
#include "report_data.h"
#include "report_text.h"
#include "report_zh.h"
#include "test_files.h"

static char dir[64];

static int setup_dir(void **state)
{
    return tf_dir_make(dir, sizeof dir, "/tmp", "civ_test_report_");
}

static int remove_dir(void **state)
{
    return tf_dir_remove(dir);
}

static void put(const char *sub, const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

/* The page of the report written into folder `path` (report.html), to free; fails the test when there is none. */
static char *page_of(const char *path)
{
    char file[256];
    snprintf(file, sizeof file, "%s/report.html", path);
    char *html = tf_slurp(file, NULL);
    assert_non_null(html);
    return html;
}

/* The chart `name` ("need_years.vl.json") of the report written into folder `path`, to free. */
static char *chart_of(const char *path, const char *name)
{
    char file[256];
    snprintf(file, sizeof file, "%s/charts/%s", path, name);
    char *spec = tf_slurp(file, NULL);
    assert_non_null(spec);
    return spec;
}

/* Writes the report of folder `path` with options o (NULL: the defaults) and returns its page, to free. */
static char *render_report(const char *path, const civ_report_options *o)
{
    assert_int_equal(civ_report_write(path, o), CIV_OK);
    return page_of(path);
}

static void test_money_formats(void **state)
{
    (void)state;
    char b[64];
    rep_fmt_money(b, sizeof b, 145000000, 1, NULL, "元");
    assert_string_equal(b, "1.45 亿元");
    rep_fmt_money(b, sizeof b, 145000000, 0, NULL, "元");
    assert_string_equal(b, "CNY 145.0 million");
    rep_fmt_money(b, sizeof b, 126225, 1, NULL, "元");
    assert_string_equal(b, "12.6 万元");
    /* amounts read together share one unit, so that their parts add up as printed */
    rep_fmt_money_fixed(b, sizeof b, 166000000, 1, NULL, "元");
    assert_string_equal(b, "16,600.0 万元");
    rep_fmt_money_fixed(b, sizeof b, 13280000, 0, NULL, "元");
    assert_string_equal(b, "CNY 13.3 million");
    rep_group_digits(b, sizeof b, "合计 126225.00元（上年 1485.5元，-15.00%）×1.2 2024");
    assert_string_equal(b, "合计 126,225.00元（上年 1,485.5元，-15.00%）×1.2 2024");
    rep_fmt_money(b, sizeof b, 126225, 0, NULL, "元");
    assert_string_equal(b, "CNY 126,225");
    rep_fmt_money(b, sizeof b, 2.5e9, 0, NULL, "元");
    assert_string_equal(b, "CNY 2.50 billion");
    rep_fmt_money(b, sizeof b, -3500, 1, NULL, "元");
    assert_string_equal(b, "-3,500 元");
    rep_fmt_money(b, sizeof b, NAN, 1, NULL, "元");
    assert_string_equal(b, "—");
    /* another currency: its Chinese name after the magnitude words, its code in English; a currency without a
     * Chinese name shows its code (the report of a USD plan said 亿元 and CNY) */
    rep_fmt_money(b, sizeof b, 145000000, 1, "USD", rep_currency_zh("USD"));
    assert_string_equal(b, "1.45 亿美元");
    rep_fmt_money(b, sizeof b, 126225, 1, "USD", "美元");
    assert_string_equal(b, "12.6 万美元");
    rep_fmt_money(b, sizeof b, 3500, 1, "USD", "美元");
    assert_string_equal(b, "3,500 美元");
    rep_fmt_money(b, sizeof b, 145000000, 0, "USD", "美元");
    assert_string_equal(b, "USD 145.0 million");
    rep_fmt_money_fixed(b, sizeof b, 166000000, 1, "EUR", rep_currency_zh("EUR"));
    assert_string_equal(b, "16,600.0 万欧元");
    assert_null(rep_currency_zh("XAF"));
    rep_fmt_money(b, sizeof b, 126225, 1, "XAF", NULL);
    assert_string_equal(b, "12.6 万 XAF");
    rep_fmt_money(b, sizeof b, 35, 1, "XAF", "");
    assert_string_equal(b, "35 XAF");
    rep_money_unit(b, sizeof b, 1, 1, "CNY", "元");
    assert_string_equal(b, "万元");
    rep_money_unit(b, sizeof b, 1, 0, "USD", "美元");
    assert_string_equal(b, "USD million");
    rep_fmt_num(b, sizeof b, 1234567.891, 2);
    assert_string_equal(b, "1,234,567.89");
    rep_fmt_num(b, sizeof b, -0.001, 1);
    assert_string_equal(b, "0.0");
    rep_fmt_pct(b, sizeof b, -15, 1);
    assert_string_equal(b, "-15.0%");
    rep_fmt_pct(b, sizeof b, 4.25, 1);
    assert_string_equal(b, "+4.2%");
}

static void test_model_names(void **state)
{
    (void)state;
    char b[128];
    rep_short_model(b, sizeof b, "ComboMedian[ETS(A,N,A),ARIMA(2,0,0)(2,0,0)[12] with non-zero mean,Theta]");
    assert_string_equal(b, "Median(ETS, ARIMA, Theta)");
    rep_short_model(b, sizeof b, "ComboMedian[ETS(A,N,A),ARIMA(0,1,0),Theta,ETS(M,Md,M),DOTM]");
    assert_string_equal(b, "Median(ETS, ARIMA, Theta, DampedETS, DOTM)");
    rep_short_model(b, sizeof b, "ComboMedian[ETS(A,Ad,N),ARIMA(0,1,0),Theta,ETS(A,Ad,N),DOTM]");
    assert_string_equal(b, "Median(DampedETS, ARIMA, Theta, DampedETS, DOTM)");
    rep_short_model(b, sizeof b, "ARIMA(1,1,0) with drift");
    assert_string_equal(b, "ARIMA(1,1,0)");
    rep_short_model(b, sizeof b, "Naive");
    assert_string_equal(b, "Naive");
    /* a damped-trend ETS is a family of its own, as in the short names */
    rep_model_family(b, sizeof b, "ETS(M,Ad,M)");
    assert_string_equal(b, "DampedETS");
    rep_model_family(b, sizeof b, "ETS(A,Ad,N)");
    assert_string_equal(b, "DampedETS");
    rep_model_family(b, sizeof b, "ETS(A,N,A)");
    assert_string_equal(b, "ETS");
    rep_model_family(b, sizeof b, "ETS(M,A,M)");
    assert_string_equal(b, "ETS");
    rep_model_family(b, sizeof b, "ARIMA(1,1,0)");
    assert_string_equal(b, "ARIMA");
}

static void test_escaping(void **state)
{
    (void)state;
    civ_rbuf b = {0};
    civ_rbuf_json_str(&b, "a\"b\\c\n</script>");
    civ_rbuf_put(&b, " ");
    civ_rbuf_json_num(&b, 0.1);
    civ_rbuf_put(&b, " ");
    civ_rbuf_json_num(&b, NAN);
    civ_rbuf_put(&b, " ");
    civ_rbuf_json_num(&b, 12622500);
    civ_rbuf_put(&b, " ");
    civ_rbuf_html(&b, "<a href='x'>&</a>");
    assert_int_equal(civ_rbuf_status(&b), CIV_OK);
    assert_string_equal(b.data, "\"a\\u0022b\\u005cc\\u000a\\u003c/script>\" 0.1 null 12622500 "
                                "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;");
    civ_rbuf_free(&b);
}

/* A plan folder in miniature: 3 communities in 2 districts (B first), money
 * in fen plus yuan columns, last year in yuan. */
static const char ALLOC[] =
    "unique_id,name,district,street,amount,amount_yuan,population,aged60,binding,last_year,change_pct,explanation\n"
    "C1,甲社区,B区,b街道,100000,1000,100,10,floor,800,,population 50.0%; raised to the floor of 1000.00\n"
    "C2,乙社区,A区,a街道,300000,3000,200,50,,3000,0,population 50.0%\n"
    "C3,丙社区,B区,c街道,600000,6000,300,30,pace+cap,5000,20,population 50.0%; lowered to the cap\n";
static const char SUMMARY[] = "section,name,amount,amount_yuan,share,communities,value\n"
                              "budget,total,1100000,11000,1,,\n"
                              "reserve,emergency,100000,1000,0.1,,0.1\n"
                              "total,allocated,1000000,10000,,3,\n"
                              "total,budget,1100000,11000,,,\n"
                              "statistic,communities_funded,,,,3,3\n"
                              "binding,floor,,,,1,1\n"
                              "equity,gini_before,,,,,0.1\n"
                              "equity,gini_after,,,,,0.2\n";

static void test_data_mapping(void **state)
{
    (void)state;
    put("m", "allocation.csv", ALLOC);
    put("m", "allocation_summary.csv", SUMMARY);
    char path[128];
    snprintf(path, sizeof path, "%s/m", dir);
    rep_data d;
    assert_int_equal(rep_data_load(path, NULL, 0, &d), CIV_OK);
    assert_int_equal(d.n_comms, 3);
    assert_true(fabs(d.per_minor - 0.01) < 1e-15);
    assert_true(d.comms[0].amount == 1000 && d.comms[2].amount == 6000); /* amount_yuan preferred */
    assert_true(fabs(d.comms[0].change_pct - 25) < 1e-12);            /* derived: 1000 vs 800 */
    assert_int_equal(d.n_districts, 2);
    assert_string_equal(d.groups[0].name, "B区"); /* data order, not byte order */
    assert_true(d.groups[0].amount == 7000 && d.groups[0].population == 400 && d.groups[0].communities == 2);
    assert_int_equal(d.n_groups, 5);          /* + 3 streets */
    assert_string_equal(d.groups[2].name, "b街道");
    assert_string_equal(d.groups[2].district, "B区");
    assert_true(d.has_street && d.has_population && d.has_aged && !d.has_mc && !d.has_before);
    assert_null(d.t_fc);
    rep_data_free(&d);
}

/* The tidy summary of the allocation (section, item, measure, unit, value). */
static void test_tidy_summary(void **state)
{
    (void)state;
    put("tidy", "allocation.csv", ALLOC);
    put("tidy", "allocation_summary.csv", "section,item,measure,unit,value\n"
                                          "budget,total,amount,fen,1100000\n"
                                          "reserve,emergency,amount,fen,100000\n"
                                          "reserve,emergency,share_of_total,fraction,0.1\n"
                                          "total,allocated,amount,fen,1000000\n"
                                          "total,allocated,communities,count,3\n"
                                          "statistic,communities_funded,communities,count,3\n"
                                          "binding,floor,communities,count,1\n"
                                          "equity,gini,before_constraints,index,0.1\n"
                                          "equity,gini,after,index,0.2\n");
    char path[128];
    snprintf(path, sizeof path, "%s/tidy", dir);
    rep_data d;
    assert_int_equal(rep_data_load(path, NULL, 0, &d), CIV_OK);
    assert_true(rep_data_row(&d, "budget", "total")->amount == 11000);
    assert_true(rep_data_row(&d, "reserve", "emergency")->amount == 1000);
    assert_true(rep_data_row(&d, "reserve", "emergency")->value == 0.1);
    assert_true(rep_data_row(&d, "total", "allocated")->count == 3);
    assert_true(rep_data_row(&d, "binding", "floor")->count == 1);
    assert_true(rep_data_row(&d, "equity", "gini_before")->value == 0.1);
    assert_true(rep_data_row(&d, "equity", "gini_after")->value == 0.2);
    rep_data_free(&d);
    assert_int_equal(civ_report_write(path, NULL), CIV_OK);
}

static int page_has(const char *path, const civ_report_options *o, const char *text);

/* A spec's labels (the summary's label column): the summary table names the
 * reserves and pools by them, by their names where they have none. */
static void test_summary_labels(void **state)
{
    (void)state;
    put("labels", "allocation.csv", ALLOC);
    put("labels", "allocation_summary.csv", "section,item,measure,unit,value,label\n"
                                            "budget,total,amount,fen,1100000,\n"
                                            "reserve,emergency,amount,fen,100000,应急储备\n"
                                            "reserve,risk,amount,fen,50000,\n"
                                            "pool,eldercare,amount,fen,950000,养老服务\n"
                                            "total,allocated,amount,fen,950000,\n");
    char path[128];
    snprintf(path, sizeof path, "%s/labels", dir);
    civ_report_options o = {.lang = "zh"};
    assert_true(page_has(path, &o, "储备金：应急储备"));
    assert_true(page_has(path, &o, "储备金：risk"));
    assert_true(page_has(path, &o, "资金来源：养老服务"));
    assert_false(page_has(path, &o, "资金来源：eldercare"));
}

/* [[formula]] last_year_total (docs/ALLOCATION.md "When the map changes"):
 * the money of last year's communities that are gone (a closed one) is on
 * the summary table, named by the fund's label; nothing when none is gone. */
static void test_summary_history(void **state)
{
    (void)state;
    const char *head = "section,item,measure,unit,value,label\nbudget,total,amount,fen,1100000,\n"
                       "pool,eldercare,amount,fen,1000000,养老服务\ntotal,allocated,amount,fen,1000000,\n";
    char sum[600];
    snprintf(sum, sizeof sum, "%shistory,eldercare,last_year_total,fen,100000000,养老服务\n"
                              "history,eldercare,carried,fen,88610000,养老服务\n"
                              "history,eldercare,not_carried,fen,11390000,养老服务\n", head);
    put("hist", "allocation.csv", ALLOC);
    put("hist", "allocation_summary.csv", sum);
    char path[128];
    snprintf(path, sizeof path, "%s/hist", dir);
    civ_report_options zh = {.lang = "zh"}, en = {.lang = "en"};
    assert_true(page_has(path, &zh, "上年资金中已不在本年名单的社区（撤销，或合并、更名后未转入）：养老服务</td>"
                                    "<td class=\"n\">11.4 万元</td>"));
    assert_true(page_has(path, &en, "Last year&#39;s money of communities no longer listed (closed, or merged or "
                                    "renamed without it): 养老服务</td><td class=\"n\">CNY 113,900</td>"));
    snprintf(sum, sizeof sum, "%shistory,eldercare,last_year_total,fen,1000000,养老服务\n"
                              "history,eldercare,carried,fen,1000000,养老服务\n"
                              "history,eldercare,not_carried,fen,0,养老服务\n", head);
    put("hist", "allocation_summary.csv", sum);
    assert_false(page_has(path, &en, "no longer listed"));
    assert_false(page_has(path, &en, "not in this year"));
    /* last year's fund this spec has none of (discontinued): named with its total (before 2026-12-07, nowhere) */
    snprintf(sum, sizeof sum, "%sdiscontinued,migrant,last_year_total,fen,1821600000,\n", head);
    put("hist", "allocation_summary.csv", sum);
    assert_true(page_has(path, &zh, "上年资金本年已无此项（未分配）：migrant</td><td class=\"n\">1,821.6 万元</td>"));
    assert_true(page_has(path, &en, "Last year&#39;s fund not in this year&#39;s spec (not allocated): migrant"));
}

/* Writes the report of folder `path` with options o; whether its page
 * contains text. */
static int page_has(const char *path, const civ_report_options *o, const char *text)
{
    char *html = render_report(path, o);
    int has = strstr(html, text) != NULL;
    free(html);
    return has;
}

/* A Chinese 街道 column (a plan's [data] labels copies it as it is) gets the street totals, as
 * docs/ALLOCATION.md says ("the label `street` or `街道`, which the report totals by"): before, only `street`
 * and `subdistrict` counted, and a page that still said "by district and by street" had no street section. */
static void test_street_zh_column(void **state)
{
    (void)state;
    char alloc[sizeof ALLOC + 8];
    snprintf(alloc, sizeof alloc, "%s", ALLOC);
    memcpy(strstr(alloc, "street"), "街道", strlen("街道")); /* "street" and "街道" are both 6 bytes */
    put("zhst", "allocation.csv", alloc);
    put("zhst", "allocation_summary.csv", SUMMARY);
    char path[128];
    snprintf(path, sizeof path, "%s/zhst", dir);
    assert_true(page_has(path, NULL, "各街道"));
    assert_true(page_has(path, NULL, "资金按区和街道汇总"));
    char *spec = chart_of(path, "allocation_streets.vl.json");
    assert_non_null(spec);
    assert_non_null(strstr(spec, "c街道"));
    free(spec);
    /* without any street column, the page says it totals by district alone */
    char *comma = strstr(alloc, "街道,");
    memcpy(comma, "xxxxxx", 6);
    put("nost", "allocation.csv", alloc);
    put("nost", "allocation_summary.csv", SUMMARY);
    snprintf(path, sizeof path, "%s/nost", dir);
    assert_false(page_has(path, NULL, "各街道"));
    assert_false(page_has(path, NULL, "资金按区和街道汇总"));
    assert_true(page_has(path, NULL, "资金按区汇总"));
}

static void test_write_both_languages(void **state)
{
    (void)state;
    put("w", "allocation.csv", ALLOC);
    put("w", "allocation_summary.csv", SUMMARY);
    put("w", "need_summary.csv", "scope,year,communities,periods,demand,standard,need,need_yuan\n"
                                 "year,2025,3,12,100,800,80000,800\nyear,2026,3,12,110,880,96800,968\n"
                                 "total,,,,210,,176800,1768\n");
    char path[128];
    snprintf(path, sizeof path, "%s/w", dir);
    civ_report_options zh = {0}, en = {.lang = "en", .title = "T <1>"};
    char *html = render_report(path, &zh);
    assert_non_null(strstr(html, "<html lang=\"zh-CN\">"));
    assert_non_null(strstr(html, "1.1 万元"));  /* the budget, 11,000 yuan */
    assert_non_null(strstr(html, "提高到保底"));  /* explanation translated */
    assert_non_null(strstr(html, "增幅上限 + 封顶")); /* pace+cap */
    assert_non_null(strstr(html, "未运行回测"));
    assert_non_null(strstr(html, "未运行监测"));
    assert_null(strstr(html, "保形区间")); /* the model's intervals: nothing said */
    for (const char *id = "summary\0demand\0allocation\0uncertainty\0need\0monitoring\0"; *id; id += strlen(id) + 1) {
        char tag[64];
        snprintf(tag, sizeof tag, "<section id=\"%s\">", id);
        assert_non_null(strstr(html, tag));
    }
    assert_null(strstr(html, "sourceMappingURL"));
    assert_non_null(strstr(html, "vegaEmbed"));
    free(html);
    char *spec = chart_of(path, "need_years.vl.json");
    assert_non_null(spec);
    assert_non_null(strstr(spec, "\"year\":\"2026\""));
    assert_non_null(strstr(spec, "\"standard\":8.8")); /* 880 fen */
    assert_non_null(strstr(spec, "\"tooltip\":true"));
    assert_non_null(strstr(spec, "\"title\":\"补贴标准（元/单位）\"")); /* no unit stated: per unit */
    free(spec);
    /* with the demand's unit, the standard is money per unit of it and the demand says its unit (they said
     * 补贴标准（元/单位） and 需求量 whatever the plan's [forecast] unit) */
    civ_report_options zh_unit = {.lang = "zh", .unit = "人次"}, en_unit = {.lang = "en", .unit = "meals"};
    assert_true(page_has(path, &zh_unit, "<th>需求量（人次）</th><th>补贴标准（元/人次）</th>"));
    assert_true(page_has(path, &en_unit, "<th>Demand (meals)</th><th>Standard (CNY per meals)</th>"));
    spec = chart_of(path, "need_years.vl.json");
    assert_non_null(strstr(spec, "\"title\":\"Subsidy standard (CNY per meals)\""));
    free(spec);
    html = render_report(path, &en);
    assert_non_null(strstr(html, "<title>T &lt;1&gt;</title>"));
    assert_non_null(strstr(html, "CNY 11,000"));
    assert_non_null(strstr(html, "Backtest: not run."));
    assert_null(strstr(html, "conformal intervals"));
    free(html);
    /* conformal intervals (civ_report_options.intervals) are named in the demand section */
    const char *said_zh = "本次预测的区间经过校准（保形区间）";
    civ_report_options conf_zh = {.intervals = CIV_INTERVALS_CONFORMAL}, conf_en = conf_zh;
    conf_en.lang = "en";
    assert_true(page_has(path, &conf_zh, said_zh));
    assert_true(page_has(path, &conf_en, "These intervals are calibrated (conformal intervals)"));
    /* not said by the caller: as the folder's manifest.json records it (a plan's re-render) */
    put("w", "manifest.json", "{\n  \"civicast\": \"x\",\n  \"options\": {\n    \"model\": \"auto\",\n"
                              "    \"intervals\": \"conformal\",\n    \"draws\": 0\n  }\n}\n");
    assert_true(page_has(path, NULL, said_zh));
    civ_report_options model = {.intervals = CIV_INTERVALS_MODEL}; /* the caller's word wins */
    assert_false(page_has(path, &model, "保形区间"));
    put("w", "manifest.json", "{\n  \"options\": {\n    \"intervals\": \"model\"\n  }\n}\n");
    assert_false(page_has(path, NULL, "保形区间"));
    /* communities that kept the model's intervals somewhere (forecast_report.csv, conformal runs) are counted */
    put("w", "forecast_report.csv", "unique_id,model,status,message,n,uncalibrated\n"
                                    "c1,Theta,CIV_OK,,36,0\nc2,Theta,CIV_OK,,36,24\nc3,,CIV_ERR_TOO_SHORT,short,2,\n");
    assert_true(page_has(path, &conf_zh, "其中 1 个社区的回测误差太少"));
    assert_true(page_has(path, &conf_en, "Too few backtest errors for 1 of the communities"));
    assert_false(page_has(path, &model, "回测误差太少"));
    put("w", "forecast_report.csv", "unique_id,model,status,message,n,uncalibrated\nc1,Theta,CIV_OK,,36,0\n");
    assert_false(page_has(path, &conf_zh, "回测误差太少"));
}

/* The page says where the whole table is for Excel only when the folder has the plan's allocation.xlsx (a
 * folder assembled by hand, or written before the workbook, has none). */
static void test_workbook_named(void **state)
{
    (void)state;
    put("wb", "allocation.csv", ALLOC);
    put("wb", "allocation_summary.csv", SUMMARY);
    char path[128];
    snprintf(path, sizeof path, "%s/wb", dir);
    civ_report_options zh = {0}, en = {.lang = "en"};
    assert_false(page_has(path, &zh, "allocation.xlsx"));
    assert_false(page_has(path, &en, "allocation.xlsx"));
    put("wb", "allocation.xlsx", "PK"); /* the report only looks for the file */
    assert_true(page_has(path, &zh, "完整的分配表（每个社区的金额、说明和各项构成）在本报告所在文件夹的 allocation.xlsx 中"));
    assert_true(page_has(path, &en, "The whole allocation table (every community&#39;s amount, explanation and "
                                    "breakdown) is in allocation.xlsx"));
}

/* The monitoring section names monitoring.xlsx when the folder has it (the plan's [monitor] stage writes it). */
static void test_monitor_workbook_named(void **state)
{
    (void)state;
    put("mwb", "allocation.csv", ALLOC);
    put("mwb", "allocation_summary.csv", SUMMARY);
    put("mwb", "monitor_alerts.csv", "department,indicator,name,scope,unit,ds,actual,target,misses,since,alert\n"
                                     "民政,meals,助餐,street,b街道,2026-03,10,20,3,2026-01,continued\n");
    char path[128];
    snprintf(path, sizeof path, "%s/mwb", dir);
    civ_report_options zh = {0}, en = {.lang = "en"};
    assert_false(page_has(path, &zh, "monitoring.xlsx"));
    put("mwb", "monitoring.xlsx", "PK"); /* the report only looks for the file */
    assert_true(page_has(path, &zh, "各部门的本期预警（未解除的在前，按部门）、指标状态、预警概率和风险在本报告所在文件夹的 "
                                    "monitoring.xlsx 中"));
    assert_true(page_has(path, &en, "Each department&#39;s alerts of the period (open ones first, by department)"));
}

/* The grey a colour ("#rrggbb") prints as in black and white (Rec. 601 luma, 0-255). */
static double print_grey(const char *hex)
{
    unsigned r = 0, g = 0, b = 0;
    assert_int_equal(sscanf(hex, "#%2x%2x%2x", &r, &g, &b), 3);
    return 0.299 * r + 0.587 * g + 0.114 * b;
}

/* The monitoring's watch lists (report_watch.c): the early warning by P(miss) of the next period, the inactivity
 * alerts with the open ones first, and the demand against its forecast summed by community, each with the counts
 * the plan's terminal gives; none of them without its file. */
static void test_monitoring_watch_lists(void **state)
{
    (void)state;
    put("watch", "allocation.csv", ALLOC);
    put("watch", "allocation_summary.csv", SUMMARY);
    put("watch", "forecasts.csv", "unique_id,ds,h,mean\nC1,2026-01,1,1\nC1,2026-02,2,1\n"); /* monthly */
    put("watch", "monitor_status.csv",
        "scope,unit,indicator,department,ds,actual,denominator,target,status,misses,alert,name\n"
        "street,b街道,meals,民政,2026-03,10,,20,missed,3,yes,助餐覆盖率\n");
    put("watch", "warning.csv",
        "scope,unit,indicator,department,p_miss_next,p_miss_max,first_warning,first_warning_h,goal,reach,deadline,"
        "on_track\n"
        "district,B区,meals,民政,0.55,0.61,2026-04,1,20,,,\n"
        "city,city,meals,民政,0.01,0.02,,,20,2026-04,,\n"
        "district,A区,meals,民政,0.93,0.95,2026-04,1,20,,,\n");
    put("watch", "inactivity.csv",
        "person,last_event,alert_at,resumed,gap_hours,threshold_hours,hour\n"
        "P-1,2025-03-03T12:12:19,2025-03-03T16:35:45,2025-03-03T22:25:22,10.2175,4.39,20\n"
        "P-2,2025-03-28T06:53:55,2025-03-28T12:38:24,,8.9,5.7,14\n"
        "P-3,2025-03-22T11:44:30,2025-03-22T14:46:45,2025-03-22T15:20:14,3.6,3.0,19\n");
    put("watch", "demand.csv",
        "unique_id,ds,actual,mean,deviation_pct,level,flag\n"
        "C1,2026-01,1,0.02,4900,95,ahead\n"     /* the largest percentage, the smallest excess */
        "C2,2026-01,400,300,33.3,95,ahead\n"
        "C2,2026-02,350,300,16.7,80,ahead\n"    /* C2: 150 over two months, shown once */
        "C3,2026-01,700,600,16.7,80,ahead\n"
        "C3,2026-02,500,600,-16.7,80,behind\n"
        "C1,2026-02,1,1,0,,within\n");
    char path[128], file[192];
    snprintf(path, sizeof path, "%s/watch", dir);
    char *html = render_report(path, NULL);
    /* the summary's lines */
    assert_non_null(strstr(html, "<tr><td>独居老人无活动预警</td><td class=\"n\">3（1 次仍未恢复）</td></tr>"));
    assert_non_null(strstr(html, "<tr><td>提前预警</td><td class=\"n\">2 / 3 个序列</td></tr>"));
    /* early warning: the two warning series, the highest P(miss) next first, the indicator by its name */
    const char *w = strstr(html, "<h3>提前预警：可能未达标的指标</h3>\n<p class=\"note\">数据：输出目录中的 warning.csv。</p>");
    assert_non_null(w);
    assert_non_null(strstr(w, "3 个监测序列中有 2 个在预测期内未达标的概率达到预警线"));
    const char *a = strstr(w, "<td>A区</td>"), *b = strstr(w, "<td>B区</td>");
    assert_true(a && b && a < b);
    assert_non_null(strstr(a, "<td>助餐覆盖率</td>"));
    assert_non_null(strstr(a, "93.0%"));
    /* inactivity: the open alert first, said by name in the sentence */
    const char *in = strstr(html, "<h3>独居老人无活动预警</h3>");
    assert_non_null(in);
    assert_non_null(strstr(in, "共发出 3 次无活动预警，其中 1 次到数据末尾仍未恢复活动，请立即上门或电话核实：P-2（2025-03-28 06:53 起无活动）"));
    assert_non_null(strstr(in, "起无活动）。时间为 UTC（北京时间 = UTC + 8 小时）。"));
    const char *p2 = strstr(in, "<td>P-2</td>"), *p3 = strstr(in, "<td>P-3</td>"), *p1 = strstr(in, "<td>P-1</td>");
    assert_true(p2 && p3 && p1 && p2 < p3 && p3 < p1); /* open, then the latest first */
    assert_non_null(strstr(p2, "<td>仍未恢复</td>"));
    /* demand: the counts, each district, and the communities by their summed excess (not by percentage) */
    const char *dm = strstr(html, "<h3>实际需求与预测</h3>");
    assert_non_null(dm);
    assert_non_null(strstr(dm, "已有实际值的 6 个社区-月中，4 个高于预测区间（需求超出计划，资金可能不足），1 个低于预测区间"));
    const char *c2 = strstr(dm, "<td>乙社区（C2）</td><td class=\"n\">2</td><td class=\"n\">150</td>");
    const char *c3 = strstr(dm, "<td>丙社区（C3）</td><td class=\"n\">1</td><td class=\"n\">100</td>");
    const char *c1 = strstr(dm, "<td>甲社区（C1）</td><td class=\"n\">1</td><td class=\"n\">1</td>");
    assert_true(c2 && c3 && c1 && c2 < c3 && c3 < c1);
    assert_non_null(strstr(dm, "<td>B区</td><td class=\"n\">2</td><td class=\"n\">1</td><td class=\"n\">4</td>"));
    free(html);

    /* English; and a folder with none of the three files shows none of them */
    civ_report_options o = {.lang = "en"};
    html = render_report(path, &o);
    assert_non_null(strstr(html, "raised 3 inactivity alerts. Still open at the end of the data (1), to be checked "
                                 "by a visit or a call now: P-2 (no activity since 2025-03-28 06:53 UTC). Times are "
                                 "UTC (Beijing time is UTC + 8 hours)."));
    assert_non_null(strstr(html, "<th>Months ahead of the interval</th>"));
    assert_non_null(strstr(html, "<tr><td>Inactivity alerts</td><td class=\"n\">3 (1 still open)</td></tr>"));
    free(html);
    /* a plan that read its events at another offset ([monitor] utc_offset_hours, recorded in manifest.json) */
    put("watch", "manifest.json", "{\n  \"options\": {\n    \"monitor_utc_offset_hours\": 5.5\n  }\n}\n");
    html = render_report(path, NULL);
    assert_non_null(strstr(html, "起无活动）。时间为 UTC（本次监测的当地时间 = UTC +5.5 小时）。"));
    assert_null(strstr(html, "北京时间 = UTC + 8"));
    free(html);
    snprintf(file, sizeof file, "%s/manifest.json", path);
    assert_int_equal(unlink(file), 0);
    for (const char *f = "warning.csv\0inactivity.csv\0demand.csv\0"; *f; f += strlen(f) + 1) {
        snprintf(file, sizeof file, "%s/%s", path, f);
        assert_int_equal(unlink(file), 0);
    }
    html = render_report(path, NULL);
    assert_null(strstr(html, "<h3>提前预警"));
    assert_null(strstr(html, "<td>提前预警"));
    assert_null(strstr(html, "<h3>独居老人无活动预警"));
    assert_null(strstr(html, "<td>独居老人无活动预警"));
    assert_null(strstr(html, "<h3>实际需求与预测"));
    assert_non_null(strstr(html, "<h3>指标与目标</h3>")); /* the status table still shown */
    free(html);
}

/* The inactivity sentence names the local time inactivity.csv's own utc_offset_hours says (the table carries it
 * since 2026-12-07): a `monitor --out --utc-offset 5.5` folder has no manifest and said Beijing's; a plan folder
 * whose inactivity.csv a later monitor run replaced says the table's offset, not the manifest's. */
static void test_inactivity_offset_from_table(void **state)
{
    (void)state;
    static const char head[] = "person,last_event,alert_at,resumed,gap_hours,threshold_hours,hour,utc_offset_hours\n";
    char csv[512], path[128];
    put("offset", "allocation.csv", ALLOC);
    put("offset", "allocation_summary.csv", SUMMARY);
    snprintf(path, sizeof path, "%s/offset", dir);
    snprintf(csv, sizeof csv, "%sP-2,2025-03-28T06:53:55,2025-03-28T12:38:24,,8.9,5.7,12,5.5\n", head);
    put("offset", "inactivity.csv", csv);
    char *html = render_report(path, NULL); /* no manifest: a monitor --out folder */
    assert_non_null(strstr(html, "起无活动）。时间为 UTC（本次监测的当地时间 = UTC +5.5 小时）。"));
    assert_null(strstr(html, "北京时间 = UTC + 8"));
    free(html);
    civ_report_options en = {.lang = "en"};
    html = render_report(path, &en);
    assert_non_null(strstr(html, "Times are UTC (the monitoring&#39;s local time is UTC +5.5 hours)."));
    free(html);
    /* the table says 8, the manifest 5.5 (the plan's run, replaced since): the table's */
    put("offset", "manifest.json", "{\n  \"options\": {\n    \"monitor_utc_offset_hours\": 5.5\n  }\n}\n");
    snprintf(csv, sizeof csv, "%sP-2,2025-03-28T06:53:55,2025-03-28T12:38:24,,8.9,5.7,14,8\n", head);
    put("offset", "inactivity.csv", csv);
    html = render_report(path, NULL);
    assert_non_null(strstr(html, "起无活动）。时间为 UTC（北京时间 = UTC + 8 小时）。"));
    assert_null(strstr(html, "UTC +5.5"));
    free(html);
}

/* Monitoring tables, when the folder has them, replace "not run". */
static void test_monitoring_tables(void **state)
{
    (void)state;
    put("mon", "allocation.csv", ALLOC);
    put("mon", "allocation_summary.csv", SUMMARY);
    put("mon", "monitor_alerts.csv", "department,indicator,name,scope,unit,ds,actual,target,misses,since,alert\n"
                                     "民政,meals,助餐,street,b街道,2026-03,10,20,3,2026-01,yes\n"
                                     "卫健,visits,随访,street,a街道,2026-03,1,5,2,2026-02,yes\n");
    put("mon", "monitor_status.csv",
        "scope,unit,indicator,department,ds,actual,denominator,target,status,misses,alert,name\n"
        "street,b街道,meals,民政,2026-02,30,,20,met,0,no,助餐\n"
        "street,b街道,meals,民政,2026-03,10,,20,missed,3,yes,助餐\n"
        "street,a街道,meals,民政,2026-03,25,,20,met,0,no,助餐\n");
    char path[128];
    snprintf(path, sizeof path, "%s/mon", dir);
    char *html = render_report(path, NULL);
    assert_null(strstr(html, "未运行监测"));
    assert_null(strstr(html, "monitoring.xlsx")); /* no workbook in the folder: none named */
    /* the headings say what they show; where the data are is a note under them (it was "预警 (monitor_alerts.csv)") */
    assert_non_null(strstr(html, "<h3>预警</h3>\n<p class=\"note\">数据：输出目录中的 monitor_alerts.csv。</p>"));
    assert_non_null(strstr(html, "<h3>指标与目标</h3>\n<p class=\"note\">数据：输出目录中的 monitor_status.csv。</p>"));
    assert_null(strstr(html, "(monitor_alerts.csv)</h3>"));
    assert_null(strstr(html, "(monitor_status.csv)</h3>"));
    /* the status table: the latest period's misses only, its fixed words and
     * headers in Chinese (the file's column name in the header's tooltip) */
    assert_non_null(strstr(html, "<td>未达标</td>"));
    assert_null(strstr(html, "<td>达标</td>"));
    assert_null(strstr(html, "<td>missed</td>"));
    assert_non_null(strstr(html, "<td>街道</td>"));
    assert_non_null(strstr(html, "<th title=\"misses\">连续未达标期数</th>"));
    free(html);
    char *spec = chart_of(path, "monitoring_departments.vl.json");
    assert_non_null(spec);
    assert_non_null(strstr(spec, "\"department\":\"卫健\""));
    assert_non_null(strstr(spec, "\"axis\":{\"format\":\",d\",\"tickCount\":1}")); /* one alert each */
    /* the departments with the most alerts first, named 部门 in the tooltip (it read "department"; 2026-12-07) */
    assert_non_null(strstr(spec, "\"field\":\"department\",\"type\":\"nominal\",\"title\":null,\"sort\":\"-x\""));
    assert_non_null(strstr(spec, "\"tooltip\":[{\"field\":\"department\",\"type\":\"nominal\",\"title\":\"部门\"}"));
    free(spec);
    spec = chart_of(path, "monitoring_indicators.vl.json");
    assert_non_null(spec);
    assert_null(strstr(spec, "2026-02")); /* the latest period only: 2 rows of 2026-03 */
    assert_non_null(strstr(spec, "\"status\":\"未达标\""));
    /* bars labelled with the indicator's name, its code in the tooltip */
    assert_non_null(strstr(spec, "{\"indicator\":\"助餐\",\"code\":\"meals\""));
    /* the statuses keep their colours whatever the language (met blue, missed red, no data grey) */
    assert_non_null(strstr(spec, "\"domain\":[\"达标\",\"未达标\"],\"range\":[\"#4c78a8\",\"#a50f15\"]"));
    /* and stay apart printed in black and white: a miss far darker than a met (the red #e45756 printed as the
     * blue's grey, 129 against 112), no data far lighter */
    const char *range = strstr(spec, "\"range\":[\"") + strlen("\"range\":[\"");
    assert_true(print_grey(range) - print_grey(range + 10) >= 40);
    assert_true(print_grey("#bab0ac") - print_grey(range) >= 40);
    /* whole units, each once: at most as many ticks as the longest bar (2 units of meals in 2026-03); Vega-Lite
     * dropped the tickMinStep this asked for before, and a small axis read "0 0 0 1 1 1 1 1 2" */
    assert_non_null(strstr(spec, "\"axis\":{\"format\":\",d\",\"tickCount\":2}"));
    assert_null(strstr(spec, "tickMinStep"));
    free(spec);
    /* the English page keeps the words and names of the files */
    civ_report_options en = {.lang = "en"};
    html = render_report(path, &en);
    assert_non_null(strstr(html, "\"status\":\"missed\""));
    assert_non_null(strstr(html, "\"domain\":[\"met\",\"missed\"],\"range\":[\"#4c78a8\",\"#a50f15\"]"));
    free(html);
    html = page_of(path);
    assert_non_null(strstr(html, "<td>missed</td>"));
    assert_non_null(strstr(html, "<th title=\"misses\">Misses in a row</th>")); /* not the CSV's name */
    assert_non_null(strstr(html, "<th title=\"ds\">Period</th>"));
    free(html);
}

/* The monitoring tables' kind and value_unit columns (since 2026-12-07): the values shown by the row's kind, not
 * guessed from the values (a level of 0.8 hours was shown as 80.0%), a count or level with its unit, a rate
 * missing its target never shown as the target (97.96% against 98%, not 98.0% against 98.0%), each written as the
 * alert lines write it (civ_monitor_value_text), and the two columns themselves not shown. */
static void test_monitoring_kinds(void **state)
{
    (void)state;
    put("kinds", "allocation.csv", ALLOC);
    put("kinds", "allocation_summary.csv", SUMMARY);
    put("kinds", "monitor_alerts.csv",
        "department,indicator,name,scope,unit,ds,actual,target,misses,since,alert,kind,value_unit\n"
        "民政,cov,覆盖率,street,b街道,2026-03,0.9796,0.98,2,2026-02,raised,rate,%\n"
        "民政,wait,等待时间,street,b街道,2026-03,0.8,0.5,2,2026-02,raised,level,小时\n"
        "应急,acc,事故,street,b街道,2026-03,2,1,2,2026-02,raised,count,起\n"
        "民政,vol,志愿者占比,street,b街道,2026-03,0.2863,0.35,2,2026-02,raised,rate,%\n"
        "民政,meal,助餐,street,b街道,2026-03,1207,1300,2,2026-02,raised,count,人次\n");
    char path[128];
    snprintf(path, sizeof path, "%s/kinds", dir);
    char *html = render_report(path, NULL);
    /* the alert lines' text (civ_monitor_value_text): before 2026-12-07 the report wrote its own, 97.96% against
     * 98.00%, 28.6% against 35.0%, 0.80 小时, where the lines of `civicast monitor` read 98%, 35%, 0.8 小时 */
    char want[256], a[64], t[64];
    assert_int_equal(civ_monitor_value_text(0.9796, "rate", "%", 0.98, a, sizeof a), CIV_OK);
    assert_int_equal(civ_monitor_value_text(0.98, "rate", "%", 0.9796, t, sizeof t), CIV_OK);
    snprintf(want, sizeof want, "<td class=\"n\">%s</td><td class=\"n\">%s</td>", a, t);
    assert_string_equal(want, "<td class=\"n\">97.96%</td><td class=\"n\">98%</td>");
    assert_non_null(strstr(html, want));
    assert_non_null(strstr(html, "<td class=\"n\">28.6%</td><td class=\"n\">35%</td>"));
    assert_non_null(strstr(html, "<td class=\"n\">0.8 小时</td><td class=\"n\">0.5 小时</td>"));
    assert_non_null(strstr(html, "<td class=\"n\">2 起</td><td class=\"n\">1 起</td>"));
    assert_non_null(strstr(html, "<td class=\"n\">1,207 人次</td><td class=\"n\">1,300 人次</td>"));
    assert_null(strstr(html, "title=\"kind\""));
    assert_null(strstr(html, "title=\"value_unit\""));
    free(html);
}

/* The page prints each chart whole (a chart never split, headings kept with
 * what follows) and fits a phone (charts as wide as their container, tables
 * scrolling in their own box); districts get 20 colours. */
static void test_print_and_phone(void **state)
{
    (void)state;
    put("pp", "allocation.csv", ALLOC);
    put("pp", "allocation_summary.csv", SUMMARY);
    char path[128];
    snprintf(path, sizeof path, "%s/pp", dir);
    char *html = render_report(path, NULL);
    assert_non_null(strstr(html, "figure.chart{break-inside:avoid;page-break-inside:avoid}"));
    assert_non_null(strstr(html, "h2,h3{break-after:avoid;page-break-after:avoid}"));
    assert_non_null(strstr(html, "max-height:250mm"));
    assert_non_null(strstr(html, "div.tbl{overflow-x:auto"));
    assert_non_null(strstr(html, "<div class=\"tbl\"><table class=\"data\">"));
    /* the community table scrolls in a box at most a screen tall, header in view, and runs whole on paper
     * (tests/report/check_report.py checks it in a browser at 1280 x 900) */
    assert_non_null(strstr(html, "<div class=\"tbl scroll\"><table class=\"data\" id=\"community-table\">"));
    assert_non_null(strstr(html, "div.tbl.scroll{max-height:85vh;overflow:auto}"));
    assert_non_null(strstr(html, "div.tbl.scroll th{position:sticky;top:0"));
    assert_non_null(strstr(html, "div.tbl.scroll{max-height:none;overflow:visible}"));
    assert_non_null(strstr(html, "<td class=\"con\">"));
    free(html);
    char *spec = chart_of(path, "allocation_held.vl.json");
    assert_non_null(strstr(spec, "\"width\":\"container\""));
    /* a count of communities has whole ticks, each once: a small city's axis read 0.5, 1.5, ... communities,
     * then (tickMinStep, which Vega-Lite drops) "0 0 0 1 1 1 1 1 2"; at most as many ticks as the longest bar */
    assert_non_null(strstr(spec, "\"axis\":{\"format\":\",d\",\"tickCount\":1},\"title\":\"社区数（个）\""));
    free(spec);
    spec = chart_of(path, "allocation_districts.vl.json");
    assert_non_null(strstr(spec, "\"scheme\":\"tableau20\""));
    free(spec);
}

/* The reader chooses whether the community table prints: a box beside it, ticked (the table prints whole, as it
 * always did) and not printed itself; unticked, the print styles leave the rows out and print in their place a
 * note naming how many there are and the file that has them (tests/report/check_report.py unticks it in a
 * browser and prints).  The box says about how many pages the rows take. */
static void test_print_choice(void **state)
{
    (void)state;
    put("pc", "allocation.csv", ALLOC);
    put("pc", "allocation_summary.csv", SUMMARY);
    char path[128];
    snprintf(path, sizeof path, "%s/pc", dir);
    char *html = render_report(path, NULL);
    assert_non_null(strstr(html, "<div class=\"print-choice\"><label><input type=\"checkbox\" id=\"community-print\" "
                                 "checked autocomplete=\"off\"> 打印时包含社区明细表（约 1 页）</label></div>"));
    assert_non_null(strstr(html, "<p class=\"note print-note\" id=\"community-print-note\">社区明细（3 个社区）未打印："
                                 "见同一文件夹中的 allocation.csv 或本页电子版。</p>"));
    /* the box before the table; on screen the note is hidden, on paper the box */
    assert_true(strstr(html, "id=\"community-print\"") < strstr(html, "id=\"community-table\""));
    assert_non_null(strstr(html, "p.print-note{display:none}"));
    const char *print = strstr(html, "@media print{"), *end = strstr(html, "</style>");
    assert_non_null(print);
    const char *rules[] = {"nav,.search,.print-choice{display:none}",
                           "body.skip-community-print div.tbl.scroll{display:none}",
                           "body.skip-community-print p.print-note{display:block}",
                           "#community-table tbody tr{display:table-row!important}"};
    for (size_t i = 0; i < sizeof rules / sizeof *rules; i++) {
        const char *at = strstr(print, rules[i]);
        assert_true(at && at < end);
    }
    assert_non_null(strstr(html, "document.body.classList.toggle('skip-community-print',!pc.checked)"));
    free(html);
    civ_report_options en = {.lang = "en"};
    assert_true(page_has(path, &en, "Include the community table when printing (about 1 page)</label>"));
    assert_true(page_has(path, &en, "The community table (3 communities) is not printed: see allocation.csv in the "
                                    "same folder or this page on screen."));
    put("pc", "allocation.xlsx", "PK"); /* the report only looks for the file */
    assert_true(page_has(path, NULL, "未打印：见同一文件夹中的 allocation.xlsx 或本页电子版。"));
    /* 600 communities whose explanations take two lines on paper each: 600 x 31 px at 1,290 px a page */
    civ_rbuf big = {0};
    civ_rbuf_put(&big, "unique_id,district,amount_fen,explanation\n");
    for (int i = 0; i < 600; i++)
        civ_rbuf_printf(&big, "C%03d,A,100000,population share%0170d\n", i, 0);
    assert_false(big.failed);
    put("pc", "allocation.csv", big.data);
    civ_rbuf_free(&big);
    assert_true(page_has(path, &en, "(about 15 pages)"));
    assert_true(page_has(path, &en, "The community table (600 communities) is not printed: see allocation.xlsx"));
}

/* What a committee reads in the monitoring tables: indicator names (the code
 * in the tooltip), street names beside unit codes, rates in %, no_data in
 * grey, and an exact note when rows are left out. */
static void test_monitoring_readable(void **state)
{
    (void)state;
    put("mon2", "allocation.csv", "unique_id,name,district,street,amount_fen\nD01-S01-C001,一社区,甲区,鼓角街道,100000\n");
    put("mon2", "allocation_summary.csv", SUMMARY);
    civ_rbuf rows = {0};
    civ_rbuf_put(&rows, "scope,unit,indicator,department,ds,actual,denominator,target,status,misses,alert,name\n"
                        "street,D01-S01,share,民政,2026-03,,,0.9,no_data,0,,覆盖率\n");
    for (int k = 0; k < 45; k++)
        civ_rbuf_printf(&rows, "street,D01-S%02d,share,民政,2026-03,0.896,50,0.95,missed,1,,覆盖率\n", k + 2);
    put("mon2", "monitor_status.csv", rows.data);
    civ_rbuf_free(&rows);
    char path[128];
    snprintf(path, sizeof path, "%s/mon2", dir);
    char *html = render_report(path, NULL);
    assert_non_null(strstr(html, "<td title=\"share\">覆盖率</td>"));  /* the name, not the code */
    assert_null(strstr(html, "<td>share</td>"));
    assert_non_null(strstr(html, "<td>鼓角街道（D01-S01）</td>"));        /* the street of D01-S01-C001 */
    assert_non_null(strstr(html, "<td class=\"n\">89.6%</td>"));          /* a rate in %, not 0.896 */
    assert_non_null(strstr(html, "表中显示前 40 行，共 46 行；完整列表见输出目录中的 monitor_status.csv"));
    /* the filter in words, the file's column names beside them */
    assert_non_null(strstr(html, "（统计期（ds 列）为 2026-03、状态（status 列）不是 met（达标）的行）"));
    assert_null(strstr(html, "仅显示前若干行"));
    free(html);
    char *spec = chart_of(path, "monitoring_indicators.vl.json");
    assert_non_null(strstr(spec, "\"range\":[\"#a50f15\",\"#bab0ac\"]")); /* missed red, no data grey */
    free(spec);
    civ_report_options en = {.lang = "en"};
    assert_int_equal(civ_report_write(path, &en), CIV_OK);
    spec = chart_of(path, "monitoring_indicators.vl.json");
    assert_non_null(strstr(spec, "\"status\":\"no data\""));
    assert_null(strstr(spec, "no_data"));
    free(spec);
}

/* A unit added later (status not_started before its first row, docs/MONITORING.md) reads 未纳入 on
 * the Chinese page, "not started" on the English one, in the table and the chart, with its own colour
 * (the code not_started, with no label, fell out of the chart's fixed colours). */
static void test_monitoring_not_started(void **state)
{
    (void)state;
    put("mon3", "allocation.csv", "unique_id,name,district,street,amount_fen\nD01-S01-C001,一社区,甲区,鼓角街道,100000\n");
    put("mon3", "allocation_summary.csv", SUMMARY);
    put("mon3", "monitor_status.csv",
        "scope,unit,indicator,department,ds,actual,denominator,target,status,misses,alert,name\n"
        "street,D01-S01,share,民政,2026-03,0.896,50,0.95,missed,1,,覆盖率\n"
        "street,D01-S10,share,民政,2026-03,,,0.95,not_started,0,,覆盖率\n");
    char path[128];
    snprintf(path, sizeof path, "%s/mon3", dir);
    char *html = render_report(path, NULL);
    assert_non_null(strstr(html, "<td>未纳入</td>"));
    assert_null(strstr(html, "<td>not_started</td>"));
    free(html);
    char *spec = chart_of(path, "monitoring_indicators.vl.json");
    assert_non_null(strstr(spec, "\"status\":\"未纳入\""));
    assert_non_null(strstr(spec, "\"domain\":[\"未达标\",\"未纳入\"],\"range\":[\"#a50f15\",\"#eeeeee\"]"));
    assert_null(strstr(spec, "not_started"));
    free(spec);
    civ_report_options en = {.lang = "en"};
    assert_int_equal(civ_report_write(path, &en), CIV_OK);
    spec = chart_of(path, "monitoring_indicators.vl.json");
    assert_non_null(strstr(spec, "\"status\":\"not started\""));
    assert_null(strstr(spec, "not_started"));
    free(spec);
}

/* A unit closed ([[closed]] in the indicator file, docs/MONITORING.md "Units that close") reads 已撤并 on the
 * Chinese page and "closed" on the English one, in its own colour, and the alert its closing ended 随撤并关闭
 * (the code "closed" showed as it is, in no colour of the chart's fixed scale). */
static void test_monitoring_closed(void **state)
{
    (void)state;
    put("mon4", "allocation.csv", "unique_id,name,district,street,amount_fen\nD01-S01-C001,一社区,甲区,鼓角街道,100000\n");
    put("mon4", "allocation_summary.csv", SUMMARY);
    put("mon4", "monitor_status.csv",
        "scope,unit,indicator,department,ds,actual,denominator,target,status,misses,alert,name,into,note\n"
        "street,D01-S01,share,民政,2026-03,0.896,50,0.95,missed,1,,覆盖率,,\n"
        "street,D01-S03,share,民政,2026-03,,,,closed,0,closed,覆盖率,D01-S01,区划调整：并入D01-S01\n");
    char path[128];
    snprintf(path, sizeof path, "%s/mon4", dir);
    char *html = render_report(path, NULL);
    assert_non_null(strstr(html, "<td>已撤并</td>"));
    assert_non_null(strstr(html, "<td>随撤并关闭</td>"));
    /* where the unit went and why ([[closed]] into and note, the status table's last columns) */
    assert_non_null(strstr(html, "<th title=\"into\">并入单位</th><th title=\"note\">撤并说明</th>"));
    assert_non_null(strstr(html, "<td>D01-S01</td><td>区划调整：并入D01-S01</td>"));
    free(html);
    /* a month without a closed unit among the rows shown: no empty columns (the file's are empty numbers) */
    put("mon4", "monitor_status.csv",
        "scope,unit,indicator,department,ds,actual,denominator,target,status,misses,alert,name,into,note\n"
        "street,D01-S01,share,民政,2026-03,0.896,50,0.95,missed,1,,覆盖率,,\n");
    html = render_report(path, NULL);
    assert_null(strstr(html, "title=\"into\""));
    assert_null(strstr(html, "title=\"note\""));
    free(html);
    put("mon4", "monitor_status.csv",
        "scope,unit,indicator,department,ds,actual,denominator,target,status,misses,alert,name,into,note\n"
        "street,D01-S01,share,民政,2026-03,0.896,50,0.95,missed,1,,覆盖率,,\n"
        "street,D01-S03,share,民政,2026-03,,,,closed,0,closed,覆盖率,D01-S01,区划调整：并入D01-S01\n");
    assert_int_equal(civ_report_write(path, NULL), CIV_OK);
    char *spec = chart_of(path, "monitoring_indicators.vl.json");
    assert_non_null(strstr(spec, "\"status\":\"已撤并\""));
    assert_non_null(strstr(spec, "\"domain\":[\"未达标\",\"已撤并\"],\"range\":[\"#a50f15\",\"#d4c4e0\"]"));
    free(spec);
    civ_report_options en = {.lang = "en"};
    assert_int_equal(civ_report_write(path, &en), CIV_OK);
    spec = chart_of(path, "monitoring_indicators.vl.json");
    assert_non_null(strstr(spec, "\"status\":\"closed\""));
    assert_non_null(strstr(spec, "\"range\":[\"#a50f15\",\"#d4c4e0\"]"));
    free(spec);
}

/* The actuals before the forecasts (history.csv): in the fan charts, and
 * summed in the city chart over the periods at least half the communities
 * were observed in. */
static void test_history_and_per_aged(void **state)
{
    (void)state;
    put("h", "allocation.csv", ALLOC);
    put("h", "allocation_summary.csv", SUMMARY);
    char fc[4096] = "unique_id,ds,h,model,mean,lo-80,hi-80,lo-95,hi-95\n";
    const char *ids[3] = {"C1", "C2", "C3"};
    for (int i = 0; i < 3; i++)
        for (int h = 1; h <= 3; h++) {
            size_t L = strlen(fc);
            snprintf(fc + L, sizeof fc - L, "%s,2025-%02d,%d,Naive,%d,%d,%d,%d,%d\n", ids[i], h, h, 10 * (i + 1) + h,
                     10 * (i + 1), 10 * (i + 1) + 2 * h, 10 * (i + 1) - 1, 10 * (i + 1) + 3 * h);
        }
    put("h", "forecasts.csv", fc);
    /* C3 has no 2024-10 (two of three observed: summed), only C1 has 2024-09
     * (one of three: left out of the total) */
    put("h", "history.csv", "unique_id,ds,y\nC1,2024-09,6\nC1,2024-10,7\nC1,2024-11,8\nC1,2024-12,9\n"
                            "C2,2024-10,17\nC2,2024-11,18\nC2,2024-12,19\nC3,2024-11,28\nC3,2024-12,29\n"
                            "OTHER,2024-12,1000\n");
    char path[128];
    snprintf(path, sizeof path, "%s/h", dir);
    rep_data d;
    assert_int_equal(rep_data_load(path, NULL, 0, &d), CIV_OK);
    assert_int_equal(d.n_hist, 9); /* OTHER is not allocated */
    rep_data_free(&d);
    civ_report_options en = {.lang = "en"};
    assert_int_equal(civ_report_write(path, &en), CIV_OK);
    char *spec = chart_of(path, "demand_city.vl.json");
    assert_non_null(spec);
    assert_null(strstr(spec, "\"ds\":\"2024-09-01\""));                  /* one of three: left out */
    assert_non_null(strstr(spec, "{\"ds\":\"2024-10-01\",\"actual\":24}")); /* 7 + 17 */
    assert_non_null(strstr(spec, "{\"ds\":\"2024-11-01\",\"actual\":54}")); /* 8 + 18 + 28 */
    assert_non_null(strstr(spec, "{\"ds\":\"2024-12-01\",\"actual\":57}"));
    assert_non_null(strstr(spec, "\"title\":\"Actual\""));
    free(spec);
    spec = chart_of(path, "fan_allocation.vl.json");
    assert_non_null(spec);
    /* the largest allocation is C3 (丙社区): its own actuals, then its forecasts */
    const char *a = strstr(spec, "{\"community\":\"丙社区 (B区)\",\"ds\":\"2024-11-01\",\"actual\":28}");
    assert_non_null(a);
    assert_non_null(strstr(a, "{\"community\":\"丙社区 (B区)\",\"ds\":\"2025-01-01\",\"mean\":31"));
    assert_non_null(strstr(spec, "\"color\":\"#555\"")); /* the actuals' layer */
    free(spec);
    /* per aged 60+: B区 7000 yuan / 40 aged = 175 in the district chart; the
     * street chart has the per-aged panel too; the community table a column */
    spec = chart_of(path, "allocation_districts.vl.json");
    assert_non_null(strstr(spec, "\"per_aged\":175"));
    assert_non_null(strstr(spec, "\"per_capita\":17.5")); /* 7000 / 400 */
    free(spec);
    spec = chart_of(path, "allocation_streets.vl.json");
    assert_non_null(strstr(spec, "\"field\":\"per_aged\""));
    assert_non_null(strstr(spec, "\"per_aged\":100")); /* b街道: 1000 / 10 */
    free(spec);
    char *html = page_of(path);
    assert_non_null(strstr(html, "<th>Per aged 60+ (CNY)</th>"));
    assert_non_null(strstr(html, "<td class=\"n\">200.00</td>")); /* C3: 6000 / 30 */
    free(html);
}

/* The district facet of the demand section: one panel per district with
 * data, in data order, and an x axis in every panel.  Five districts in four
 * columns leave three cells of the last row empty; with the x axis shared,
 * Vega-Lite drew it below the last row in those columns too, an empty panel
 * with only its axis (tests/report/check_report.py finds such an axis on the
 * rendered page). */
/* The totals' bands beyond their first year: a bu folder whose totals run past 12 months says, in both languages,
 * how they held when measured (docs/REPORT.md, "Beyond the first year"); one of 12 months or a "sum" folder does
 * not. */
static void test_totals_later_years(void **state)
{
    (void)state;
    static const struct { const char *sub, *method; int months, said; } cases[] = {
        {"later_bu", "bu", 14, 1}, {"year_bu", "bu", 12, 0}, {"later_sum", "sum", 14, 0}};
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char fc[4096] = "unique_id,ds,h,model,mean,lo-80,hi-80,lo-95,hi-95\n";
        char tot[4096] = "level,unique_id,ds,h,method,mean,lo-80,hi-80,lo-95,hi-95\n";
        for (int h = 1; h <= cases[k].months; h++) {
            int y = 2025 + (h - 1) / 12, m = (h - 1) % 12 + 1;
            size_t L = strlen(fc);
            snprintf(fc + L, sizeof fc - L, "C1,%d-%02d,%d,Naive,10,9,11,8,12\n", y, m, h);
            L = strlen(tot);
            snprintf(tot + L, sizeof tot - L, "total,total,%d-%02d,%d,%s,10,9,11,8,12\n", y, m, h, cases[k].method);
        }
        put(cases[k].sub, "allocation.csv", "unique_id,name,district,amount,amount_yuan\nC1,社区1,东区,100,1\n");
        put(cases[k].sub, "allocation_summary.csv", SUMMARY);
        put(cases[k].sub, "forecasts.csv", fc);
        put(cases[k].sub, "forecast_totals.csv", tot);
        char path[128];
        snprintf(path, sizeof path, "%s/%s", dir, cases[k].sub);
        civ_report_options zh = {.lang = "zh"}, en = {.lang = "en"};
        char *page = render_report(path, &en);
        assert_int_equal(strstr(page, "The bands beyond the first year are less reliable") != NULL, cases[k].said);
        free(page);
        page = render_report(path, &zh);
        assert_int_equal(strstr(page, "第二年及以后的区间更不可靠") != NULL, cases[k].said);
        free(page);
    }
}

static void test_district_facet(void **state)
{
    (void)state;
    static const char *const dist[5] = {"E区", "A区", "D区", "B区", "C区"};
    char alloc[2048] = "unique_id,name,district,amount,amount_yuan\n", fc[4096] =
                     "unique_id,ds,h,model,mean,lo-80,hi-80,lo-95,hi-95\n";
    for (int i = 0; i < 10; i++) {
        size_t L = strlen(alloc);
        snprintf(alloc + L, sizeof alloc - L, "C%d,社区%d,%s,%d,%d\n", i, i, dist[i % 5], 100 * (i + 1), i + 1);
        for (int h = 1; h <= 2; h++) {
            L = strlen(fc);
            snprintf(fc + L, sizeof fc - L, "C%d,2025-%02d,%d,Naive,%d,%d,%d,%d,%d\n", i, h, h, 10 + i, 9, 11 + i, 8,
                     12 + i);
        }
    }
    put("facet", "allocation.csv", alloc);
    put("facet", "allocation_summary.csv", SUMMARY);
    put("facet", "forecasts.csv", fc);
    char path[128];
    snprintf(path, sizeof path, "%s/facet", dir);
    assert_int_equal(civ_report_write(path, NULL), CIV_OK);
    char *spec = chart_of(path, "demand_districts.vl.json");
    assert_non_null(spec);
    /* the sort list names the districts with data, and no row has an empty district */
    assert_non_null(strstr(spec, "\"sort\":[\"E区\",\"A区\",\"D区\",\"B区\",\"C区\"]"));
    assert_null(strstr(spec, "\"district\":\"\""));
    for (int k = 0; k < 5; k++) {
        char row[64];
        snprintf(row, sizeof row, "{\"district\":\"%s\",\"ds\":\"2025-02-01\"", dist[k]);
        assert_non_null(strstr(spec, row));
    }
    /* y scales of their own, the x scale shared, its axis in every panel */
    assert_non_null(strstr(spec, "\"columns\":4"));
    assert_non_null(strstr(spec, "\"resolve\":{\"scale\":{\"y\":\"independent\"},\"axis\":{\"x\":\"independent\"}}"));
    free(spec);
    spec = chart_of(path, "fan_allocation.vl.json");
    assert_non_null(spec);
    assert_non_null(strstr(spec, "\"axis\":{\"x\":\"independent\"}"));
    free(spec);
}

/* The risk matrix as a grid: one cell per row x column, the count of its
 * risks, the default names translated; the risks listed below. */
static void test_risk_grid(void **state)
{
    (void)state;
    put("r", "allocation.csv", ALLOC);
    put("r", "allocation_summary.csv", SUMMARY);
    put("r", "risk_matrix.csv", "probability_from,probability_to,impact,row,column,score,level,risks\n"
                                "0,0.5,minor,1,1,1,low,\n0,0.5,fairly severe,1,2,2,low,甲风险\n"
                                "0.5,1,minor,2,1,2,low,\n0.5,1,fairly severe,2,2,4,high,乙风险;丙风险\n");
    put("r", "risks.csv", "risk,probability,impact,owner,mitigation,row,column,score,level,rank\n"
                          "乙风险,0.7,fairly severe,财政局,预备费,2,2,4,high,1\n");
    char path[128];
    snprintf(path, sizeof path, "%s/r", dir);
    assert_int_equal(civ_report_write(path, NULL), CIV_OK);
    char *spec = chart_of(path, "monitoring_risk_matrix.vl.json");
    assert_non_null(spec);
    assert_non_null(strstr(spec, "\"row\":2,\"column\":2,\"likelihood\":\"0.5–1\",\"impact\":\"较严重\",\"level\":\"高\","
                                 "\"score\":4,\"count\":2,\"risks\":\"乙风险;丙风险\""));
    assert_non_null(strstr(spec, "\"count\":0"));
    assert_non_null(strstr(spec, "\"type\":\"rect\""));
    assert_non_null(strstr(spec, "\"domain\":[\"低\",\"高\"]")); /* levels by their lowest score */
    free(spec);
    char *html = page_of(path);
    assert_null(strstr(html, "未运行监测"));
    assert_non_null(strstr(html, "<td>预备费</td>")); /* the register below the grid */
    /* the probability in %, as monitoring.xlsx shows it (it read 0.700 until 2026-12-07) */
    assert_non_null(strstr(html, "<td>乙风险</td><td class=\"n\">70%</td>"));
    /* a matrix of two rows has no words: the row's band, its numbers in the tooltip; no row or column header */
    assert_non_null(strstr(html, "<td class=\"n\">70%</td><td title=\"矩阵第 2 行（共 2 行，50%–100%），第 2 列，分值 "
                                 "4\">50%–100%</td><td>较严重</td>"));
    assert_null(strstr(html, "<th title=\"row\">行</th>"));
    assert_null(strstr(html, "<th title=\"column\">列</th>"));
    free(html);
    /* the default matrix (five rows): the likelihood words of a risk register, on both pages, the probability's row
     * right after it (the table showed its row 4, column 5 and score 20 before 2026-12-07) */
    put("r", "risk_matrix.csv", "probability_from,probability_to,impact,row,column,score,level,risks\n"
                                "0,0.2,severe,1,5,5,medium,\n0.2,0.4,severe,2,5,10,medium-high,\n"
                                "0.4,0.6,severe,3,5,15,medium-high,\n0.6,0.8,severe,4,5,20,high,乙风险\n"
                                "0.8,1,severe,5,5,25,high,\n");
    put("r", "risks.csv", "risk,probability,impact,owner,mitigation,row,column,score,level,rank\n"
                          "乙风险,0.7,severe,财政局,预备费,4,5,20,high,1\n甲风险,0.1,severe,财政局,,1,5,5,medium,2\n");
    html = render_report(path, NULL);
    assert_non_null(strstr(html, "<th title=\"probability\">发生概率</th><th title=\"row\">可能性</th>"
                                 "<th title=\"impact\">影响程度</th>"));
    assert_non_null(strstr(html, "<td>乙风险</td><td class=\"n\">70%</td><td title=\"矩阵第 4 行（共 5 行，60%–80%），"
                                 "第 5 列，分值 20\">很可能</td><td>严重</td>"));
    assert_non_null(strstr(html, "<td>甲风险</td><td class=\"n\">10%</td><td title=\"矩阵第 1 行（共 5 行，0%–20%），"
                                 "第 5 列，分值 5\">几乎不可能</td>"));
    free(html);
    civ_report_options en = {.lang = "en"};
    html = render_report(path, &en);
    assert_non_null(strstr(html, "<th title=\"row\">Likelihood</th>"));
    assert_non_null(strstr(html, "<td title=\"matrix row 4 of 5 (60%–80%), column 5, score 20\">likely</td>"));
    assert_non_null(strstr(html, ">rare</td>"));
    free(html);
}

/* A monitoring of the risks alone (no indicators): the summary counts the risks, not "预警数 0"; the section says
 * what it holds (the risk matrix, not six parts) and what monitoring.xlsx holds, with no department to filter. */
static void test_monitoring_risks_only(void **state)
{
    (void)state;
    put("ro", "allocation.csv", ALLOC);
    put("ro", "allocation_summary.csv", SUMMARY);
    put("ro", "risk_matrix.csv", "probability_from,probability_to,impact,row,column,score,level,risks\n"
                                 "0,0.5,minor,1,1,1,low,甲风险\n0.5,1,minor,2,1,2,high,乙风险;丙风险\n");
    put("ro", "risks.csv", "risk,probability,impact,owner,mitigation,row,column,score,level,rank\n"
                           "乙风险,0.7,minor,财政局,预备费,2,1,2,high,1\n丙风险,0.6,minor,,,2,1,2,high,2\n"
                           "甲风险,0.2,minor,,,1,1,1,low,3\n");
    put("ro", "monitoring.xlsx", "PK");
    char path[128];
    snprintf(path, sizeof path, "%s/ro", dir);
    char *html = render_report(path, NULL);
    assert_null(strstr(html, "<td>预警数</td>"));
    assert_non_null(strstr(html, "<tr><td>风险</td><td class=\"n\">3 项（高 2 项）</td></tr>"));
    assert_non_null(strstr(html, "<p>监测给出的风险矩阵（来自输出目录的表）；图在前，明细表在后。</p>"));
    assert_non_null(strstr(html, "本次监测不含指标；风险矩阵的明细在本报告所在文件夹的 monitoring.xlsx 中"));
    assert_null(strstr(html, "按“部门”筛选"));
    free(html);
    civ_report_options en = {.lang = "en"};
    html = render_report(path, &en);
    assert_null(strstr(html, "<td>Alerts</td>"));
    assert_non_null(strstr(html, "<tr><td>Risks</td><td class=\"n\">3 (2 high)</td></tr>"));
    assert_non_null(strstr(html, "What the monitoring gave (tables of the output folder): the risk matrix; the "));
    free(html);
    /* with the indicators' alerts beside them: the count of alerts, every part named, the departments' workbook */
    put("ro", "monitor_alerts.csv", "department,indicator,name,scope,unit,ds,actual,target,misses,since,alert\n"
                                    "民政,meals,助餐,street,b街道,2026-03,10,20,3,2026-01,continued\n");
    html = render_report(path, NULL);
    assert_non_null(strstr(html, "<tr><td>预警数</td><td class=\"n\">1</td></tr>"));
    assert_non_null(strstr(html, "<p>监测给出的预警和风险矩阵（来自输出目录的表）"));
    assert_non_null(strstr(html, "按“部门”筛选"));
    free(html);
}

/* A `civicast monitor --out` folder, which has no allocation, is reported as a monitoring report (it was refused:
 * allocation.csv not found): its own title, a summary that says what it is, the period of its alerts and the
 * monitoring's local time, its monitoring section, and nothing of a plan (no demand, allocation, need, print box);
 * its forecasts.csv (the indicators') is not read as demand.  A folder of inputs only (actuals, a register not yet
 * assessed) or an empty one is refused with what a report needs. */
static void test_monitor_folder(void **state)
{
    (void)state;
    put("mf", "alerts.csv", "department,indicator,name,scope,unit,ds,actual,target,misses,since,alert,kind,value_unit\n"
                            "民政,meals,助餐覆盖率,street,D01-S01,2026-03,0.5,0.6,3,2026-01,continued,rate,%\n");
    put("mf", "status.csv", "scope,unit,indicator,department,ds,actual,denominator,target,status,misses,alert,name\n"
                            "street,D01-S01,meals,民政,2026-02,0.5,,0.6,missed,2,raised,助餐覆盖率\n"
                            "street,D01-S01,meals,民政,2026-03,0.5,,0.6,missed,3,continued,助餐覆盖率\n");
    put("mf", "forecasts.csv", "unique_id,ds,h,model,mean\ncity:city:meals,2026-04,1,ETS,0.55\n");
    put("mf", "inactivity.csv", "person,last_event,alert_at,resumed,gap_hours,threshold_hours,hour,utc_offset_hours\n"
                                "P-2,2025-03-28T06:53:55,2025-03-28T12:38:24,,8.9,5.7,12,5.5\n");
    put("mf", "demand.csv", "unique_id,ds,actual,mean,deviation_pct,level,flag\n"
                            "C1,2026-01,400,300,33.3,95,ahead\nC1,2026-02,300,300,0,95,within\n");
    put("mf", "monitoring.xlsx", "PK");
    char path[128], file[192];
    snprintf(path, sizeof path, "%s/mf", dir);
    char *html = render_report(path, NULL);
    assert_non_null(strstr(html, "<title>社区服务监测报告</title>"));
    assert_non_null(strstr(html, "<p>这是监测报告，由 civicast monitor 写入输出目录的表生成，内容为预警、指标与目标的对比、"
                                 "独居老人无活动预警和实际需求与预测的对比。该目录没有资金分配"));
    assert_non_null(strstr(html, "<tr><td>监测期</td><td class=\"n\">2026-03</td></tr>"));
    assert_non_null(strstr(html, "<tr><td>指标数据</td><td class=\"n\">2026-02 至 2026-03</td></tr>"));
    assert_non_null(strstr(html, "<tr><td>预警数</td><td class=\"n\">1</td></tr>"));
    assert_non_null(strstr(html, "<tr><td>本次监测的当地时间</td><td class=\"n\">UTC +5.5 小时</td></tr>"));
    assert_non_null(strstr(html, "<tr><td>实际需求与预测</td><td class=\"n\">2026-01 至 2026-02：2 个对比，高于预测区间 1 个，"
                                 "低于 0 个</td></tr>"));
    assert_non_null(strstr(html, "<h3>预警明细</h3>"));
    assert_non_null(strstr(html, "<h3>未达标的单位</h3>"));
    assert_non_null(strstr(html, "时间为 UTC（本次监测的当地时间 = UTC +5.5 小时）。"));
    assert_non_null(strstr(html, "1 个高于预测区间（需求高于预测）"));
    for (const char *no = "id=\"demand\"\0id=\"allocation\"\0id=\"need\"\0id=\"community-print\"\0资金计划\0资金可能不足\0"
                          "监测：未运行\0";
         *no; no += strlen(no) + 1)
        assert_null(strstr(html, no));
    free(html);
    civ_report_options en = {.lang = "en"};
    html = render_report(path, &en);
    assert_non_null(strstr(html, "<title>Community services: the monitoring report</title>"));
    assert_non_null(strstr(html, "This is a monitoring report, made from the tables civicast monitor wrote into its "
                                 "output folder: alerts, indicators against their targets, inactivity alerts and "
                                 "demand against its forecast. The folder holds no allocation"));
    assert_non_null(strstr(html, "<tr><td>Period</td><td class=\"n\">2026-03</td></tr>"));
    assert_non_null(strstr(html, "UTC +5.5 hours</td></tr>"));
    assert_null(strstr(html, "id=\"allocation\""));
    free(html);
    /* the units' names (units.csv, `monitor --names`): a street's name with its code, in both languages; before
     * 2026-12-07 a monitoring folder had no names and showed D01-S01 alone (still so without units.csv, above) */
    assert_null(strstr(html = render_report(path, NULL), "鼓角街道"));
    assert_non_null(strstr(html, "<td>D01-S01</td>"));
    free(html);
    put("mf", "units.csv", "scope,unit,name\nstreet,D01-S01,鼓角街道\nstreet,D09-S09,别处街道\n");
    html = render_report(path, NULL);
    assert_non_null(strstr(html, "<td>鼓角街道（D01-S01）</td>"));
    assert_null(strstr(html, "<td>D01-S01</td>"));
    free(html);
    html = render_report(path, &en);
    assert_non_null(strstr(html, "<td>鼓角街道 (D01-S01)</td>"));
    free(html);
    snprintf(file, sizeof file, "%s/units.csv", path);
    remove(file);
    /* no alert this month: the period is the statuses' latest, said so; the risks alone: no period, no alerts */
    put("mf", "alerts.csv", "department,indicator,name,scope,unit,ds,actual,target,misses,since,alert\n");
    html = render_report(path, NULL);
    assert_non_null(strstr(html, "<tr><td>监测期</td><td class=\"n\">2026-03（指标数据的最新一期）</td></tr>"));
    assert_non_null(strstr(html, "<tr><td>预警数</td><td class=\"n\">0</td></tr>"));
    free(html);
    /* ... unless the run recorded its period (period.csv, `monitor --period 2026-02`): that one, as asked; before
     * 2026-12-07 the page said 2026-03, the data's latest, and that it had no open alert */
    put("mf", "period.csv", "period\n2026-02\n");
    html = render_report(path, NULL);
    assert_non_null(strstr(html, "<tr><td>监测期</td><td class=\"n\">2026-02</td></tr>"));
    free(html);
    snprintf(file, sizeof file, "%s/period.csv", path);
    remove(file);
    put("ro2", "risks.csv", "risk,probability,impact,owner,mitigation,row,column,score,level,rank\n"
                            "乙风险,0.7,minor,财政局,预备费,2,1,2,high,1\n");
    snprintf(path, sizeof path, "%s/ro2", dir);
    html = render_report(path, NULL);
    assert_non_null(strstr(html, "<tr><td>风险</td><td class=\"n\">1 项（高 1 项）</td></tr>"));
    assert_null(strstr(html, "<td>监测期</td>"));
    assert_null(strstr(html, "<td>预警数</td>"));
    free(html);
    /* inputs only (the actuals, a register not assessed), and an empty folder: what a report needs */
    put("inputs", "monitoring.csv", "street,district,indicator,ds,value,denominator\nD01-S01,A区,meals,2026-01,5,9\n");
    put("inputs", "risks.csv", "risk,probability,impact\n乙风险,0.7,minor\n");
    put("empty", "readme.txt", "-");
    for (const char *sub = "inputs\0empty\0"; *sub; sub += strlen(sub) + 1) {
        snprintf(path, sizeof path, "%s/%s", dir, sub);
        assert_int_equal(civ_report_write(path, NULL), CIV_ERR_IO);
        const char *msg = civ_last_error()->text;
        assert_non_null(strstr(msg, "nothing to report: the folder has neither a plan's allocation (allocation.csv"));
        assert_non_null(strstr(msg, "nor a monitoring's tables (alerts.csv, status.csv"));
        snprintf(file, sizeof file, "%s/report.html", path);
        assert_int_equal(access(file, F_OK), -1);
    }
}

/* A period without an open alert (alerts.csv of no rows) shows a sentence, not a chart with no bars and a table
 * of no rows; with the statuses of one period it says why no alert can be raised (a month's sheet alone). */
static void test_no_alerts(void **state)
{
    (void)state;
    static const char status_head[] = "scope,unit,indicator,department,ds,actual,denominator,target,status,misses,"
                                      "alert,name\n";
    char path[128], csv[512];
    put("na", "alerts.csv", "department,indicator,name,scope,unit,ds,actual,target,misses,since,alert\n");
    snprintf(csv, sizeof csv, "%sstreet,D01-S01,meals,民政,2026-03,0.5,,0.6,missed,1,,助餐覆盖率\n", status_head);
    put("na", "status.csv", csv);
    snprintf(path, sizeof path, "%s/na", dir);
    char *html = render_report(path, NULL);
    assert_non_null(strstr(html, "<p>本期没有未解除的预警：指标数据只有一期（2026-03），看不出连续未达标，所以不会产生预警；"));
    assert_null(strstr(html, "chart-monitoring_departments"));
    assert_null(strstr(html, "<h3>预警明细</h3>"));
    assert_non_null(strstr(html, "<h3>未达标的单位</h3>"));
    free(html);
    civ_report_options en = {.lang = "en"};
    html = render_report(path, &en);
    assert_non_null(strstr(html, "<p>No open alert in the period: the indicators&#39; data hold one period (2026-03)"));
    free(html);
    /* a plan's folder, two periods: the sentence alone */
    put("na2", "allocation.csv", ALLOC);
    put("na2", "allocation_summary.csv", SUMMARY);
    put("na2", "monitor_alerts.csv", "department,indicator,name,scope,unit,ds,actual,target,misses,since,alert\n");
    snprintf(csv, sizeof csv, "%sstreet,b街道,meals,民政,2026-02,0.7,,0.6,met,0,,助餐\n"
                              "street,b街道,meals,民政,2026-03,0.5,,0.6,missed,1,,助餐\n", status_head);
    put("na2", "monitor_status.csv", csv);
    snprintf(path, sizeof path, "%s/na2", dir);
    html = render_report(path, NULL);
    assert_non_null(strstr(html, "<p>本期没有未解除的预警。</p>"));
    assert_null(strstr(html, "chart-monitoring_departments"));
    assert_null(strstr(html, "<h3>预警明细</h3>"));
    free(html);
}

/* The uncertainty section's sentence names the widest band (P95 - P5, the chart's longest bar, as the command's
 * "widest district"), not the band reaching farthest from its amount: A区 -3.33%..+1.67% (5.00% wide) against
 * B区 -0.01%..+4.00% (4.01% wide, but 4.00% from its amount). */
static void test_uncertainty_widest(void **state)
{
    (void)state;
    put("u", "allocation.csv", ALLOC);
    put("u", "allocation_summary.csv", SUMMARY);
    put("u", "uncertainty.csv", "scope,name,p5_fen,p50_fen,p95_fen\n"
                                "district,A区,290000,300000,305000\ndistrict,B区,699900,700000,728000\n");
    char path[128];
    snprintf(path, sizeof path, "%s/u", dir);
    civ_report_options zh = {.lang = "zh"}, en = {.lang = "en"};
    assert_true(page_has(path, &zh, "各区的 P5–P95 都在分配金额的 ±4.00% 以内；横条最长（P5 与 P95 相差最大）的是A区"
                                    "（-3.33% 至 +1.67%，相差 5.00%）。"));
    assert_true(page_has(path, &en, "the widest band (the longest bar) is A区&#39;s (-3.33% to +1.67%, 5.00% wide)"));
}

/* The communities' bands (allocation.csv's p5, p95) are on the page beside the districts': the districts' alone
 * said the allocation hardly depended on forecast error (a fixed fund moves between communities, so a district
 * sums out most of it; the demo's districts within 1.79%, its communities 10.8% on average), and a city of one
 * district (its amount the whole fund in every draw) read "±0.00%" under a chart of one empty bar.  Here C1 moves
 * -10% to +20% (30% wide), C2 never (0), C3 -5% to +5% (10%): 13.3% on average, C1 the widest, 1 fixed. */
static void test_uncertainty_communities(void **state)
{
    (void)state;
    put("uc", "allocation.csv", "unique_id,name,district,amount_fen,p5_fen,p50_fen,p95_fen\n"
                                "C1,甲社区,A区,100000,90000,100000,120000\n"
                                "C2,乙社区,A区,300000,300000,300000,300000\n"
                                "C3,丙社区,A区,600000,570000,600000,630000\n");
    put("uc", "allocation_summary.csv", SUMMARY);
    put("uc", "uncertainty.csv", "scope,name,p5_fen,p50_fen,p95_fen\ndistrict,A区,1000000,1000000,1000000\n");
    char path[128];
    snprintf(path, sizeof path, "%s/uc", dir);
    civ_report_options zh = {.lang = "zh"}, en = {.lang = "en"};
    assert_true(page_has(path, &zh, "所有社区同属A区，该区的金额就是分配的全部资金，每次抽样都一样，所以下面只看各社区。"));
    assert_true(page_has(path, &zh, "3 个社区的 P5–P95 平均相差分配金额的 13.3%，最宽的是甲社区（A区，-10.00% 至 +20.00%，"
                                    "相差 30.00%）；其中 1 个社区的金额在每次抽样中都相同。"));
    assert_false(page_has(path, &zh, "各区的 P5–P95 都在")); /* no "±0.00%" of the one district */
    assert_false(page_has(path, &zh, "chart-uncertainty_districts"));
    assert_true(page_has(path, &zh, "chart-uncertainty_communities"));
    char *spec = chart_of(path, "uncertainty_communities.vl.json");
    assert_non_null(spec);
    const char *c1 = strstr(spec, "甲社区（A区）"), *c3 = strstr(spec, "丙社区（A区）");
    assert_true(c1 && c3 && c1 < c3);         /* widest first */
    assert_null(strstr(spec, "乙社区"));      /* a band of zero width is not among the widest */
    assert_non_null(strstr(spec, "P5–P95 最宽的 2 个社区"));
    free(spec);
    assert_true(page_has(path, &en, "over the 3 communities the P5–P95 band is 13.3% of the allocated amount "
                                    "on average, and the widest is 甲社区&#39;s (A区, -10.00% to +20.00%, 30.00% "
                                    "wide); 1 of"));
    assert_true(page_has(path, &en, "Every community is in A区, whose amount is the whole allocation in every draw"));

    /* two districts: both charts, the districts' sentence first */
    put("uc2", "allocation.csv", "unique_id,name,district,amount_fen,p5_fen,p50_fen,p95_fen\n"
                                 "C1,甲社区,A区,100000,90000,100000,120000\n"
                                 "C3,丙社区,B区,600000,570000,600000,630000\n");
    put("uc2", "allocation_summary.csv", SUMMARY);
    put("uc2", "uncertainty.csv", "scope,name,p5_fen,p50_fen,p95_fen\n"
                                  "district,A区,99000,100000,101000\ndistrict,B区,599000,600000,601000\n");
    snprintf(path, sizeof path, "%s/uc2", dir);
    char *html = render_report(path, &zh);
    const char *dist = strstr(html, "各区的 P5–P95 都在分配金额的 ±1.00% 以内"), *comm = strstr(html, "2 个社区的 P5–P95");
    assert_true(dist && comm && dist < comm);
    assert_non_null(strstr(html, "单个社区的金额变化要大得多：2 个社区的 P5–P95"));
    assert_non_null(strstr(html, "chart-uncertainty_districts"));
    assert_null(strstr(html, "所有社区同属"));
    free(html);

    /* the communities' bands without uncertainty.csv (a folder assembled by hand): no chart of empty district bars */
    put("uc3", "allocation.csv", "unique_id,name,district,amount_fen,p5_fen,p50_fen,p95_fen\n"
                                 "C1,甲社区,A区,100000,90000,100000,120000\n"
                                 "C3,丙社区,B区,600000,570000,600000,630000\n");
    put("uc3", "allocation_summary.csv", SUMMARY);
    snprintf(path, sizeof path, "%s/uc3", dir);
    assert_false(page_has(path, &zh, "chart-uncertainty_districts"));
    assert_true(page_has(path, &zh, "2 个社区的 P5–P95 平均相差分配金额的 20.0%"));
    assert_true(page_has(path, &zh, "chart-uncertainty_communities"));
}

/* Nothing varies across the draws: the page says so plainly, and why when the binding column says, with no
 * chart of empty bars.  Before: "横条最长（P5 与 P95 相差最大）的是A区（+0.00% 至 +0.00%，相差 0.00%）" over an empty
 * district chart (a 5-community plan whose communities were all held by the pace limit). */
static void test_uncertainty_nothing_varies(void **state)
{
    (void)state;
    /* two districts, every community held by a constraint: nothing moves */
    put("un", "allocation.csv", "unique_id,name,district,amount_fen,binding,p5_fen,p50_fen,p95_fen\n"
                                "C1,甲社区,A区,100000,pace,100000,100000,100000\n"
                                "C2,乙社区,B区,300000,floor,300000,300000,300000\n");
    put("un", "allocation_summary.csv", SUMMARY);
    put("un", "uncertainty.csv", "scope,name,p5_fen,p50_fen,p95_fen\n"
                                 "district,A区,100000,100000,100000\ndistrict,B区,300000,300000,300000\n");
    char path[128];
    snprintf(path, sizeof path, "%s/un", dir);
    civ_report_options zh = {.lang = "zh"}, en = {.lang = "en"};
    assert_false(page_has(path, &zh, "横条最长"));
    assert_false(page_has(path, &zh, "+0.00%"));
    assert_false(page_has(path, &zh, "chart-uncertainty_districts"));
    assert_false(page_has(path, &zh, "chart-uncertainty_communities"));
    assert_true(page_has(path, &zh, "各区的金额在每次抽样中都相同（P5 = P95 = 分配金额），所以没有区的横条：分配不随抽样变化"));
    assert_true(page_has(path, &zh, "分配不随抽样变化：2 个社区的金额在每次抽样中都相同，因为每个社区的金额都由约束"));
    assert_false(page_has(path, &en, "widest band"));
    assert_true(page_has(path, &en, "No district&#39;s amount varies across the draws"));
    assert_true(page_has(path, &en, "The allocation does not vary across the draws: each of the 2 communities got "
                                    "the same amount in every draw, because every community&#39;s amount is set "
                                    "by a constraint"));
    /* all but one held: that one gets what is left */
    put("un", "allocation.csv", "unique_id,name,district,amount_fen,binding,p5_fen,p50_fen,p95_fen\n"
                                "C1,甲社区,A区,100000,pace,100000,100000,100000\n"
                                "C2,乙社区,B区,300000,,300000,300000,300000\n");
    assert_true(page_has(path, &zh, "，因为其中 1 个社区的金额由约束决定，剩下的一个社区得到其余的资金"));
    /* the communities move, the districts do not: their moves cancel out within each district */
    put("un", "allocation.csv", "unique_id,name,district,amount_fen,binding,p5_fen,p50_fen,p95_fen\n"
                                "C1,甲社区,A区,100000,,90000,100000,110000\n"
                                "C2,乙社区,A区,100000,,90000,100000,110000\n"
                                "C3,丙社区,B区,300000,pace,300000,300000,300000\n");
    put("un", "uncertainty.csv", "scope,name,p5_fen,p50_fen,p95_fen\n"
                                 "district,A区,200000,200000,200000\ndistrict,B区,300000,300000,300000\n");
    assert_true(page_has(path, &zh, "所以没有区的横条：各区内社区之间的增减相互抵消。"));
    /* ... and the communities are not said to move "much more" than districts that never moved */
    assert_false(page_has(path, &zh, "单个社区的金额变化要大得多"));
    assert_true(page_has(path, &zh, "各社区的金额随抽样变化：3 个社区的 P5–P95"));
    assert_true(page_has(path, &en, "The communities&#39; amounts do move: over the 3 communities"));
    assert_false(page_has(path, &zh, "chart-uncertainty_districts"));
    assert_true(page_has(path, &zh, "chart-uncertainty_communities"));
    assert_false(page_has(path, &zh, "横条最长"));
}

/* Why backtest windows failed: from backtest_failures.csv (civicast plan writes it, counted by the rule of the
 * command's "could not be made" line), the same reasons and counts as the terminal, zero counts left out.
 * Before, the page guessed them from history.csv, which holds only the latest periods: a 5-community plan's page
 * said "4 个在 history.csv 中查不到截止期前的记录" where the command said "4 for communities with only 12 values by
 * then", and another's "0 个是截止期前还没有任何数据的社区". */
static void test_backtest_failures(void **state)
{
    (void)state;
    put("bf", "allocation.csv", ALLOC);
    put("bf", "allocation_summary.csv", SUMMARY);
    put("bf", "backtest_accuracy.csv", "model,n,mase,coverage-80\nAuto,40,0.81,79\nSeasonalNaive,40,1.2,70\n");
    put("bf", "backtest.csv", "unique_id,cutoff,ds,h,y,model,mean\n"
                              "A,2022-12,2023-01,1,10,Auto,11\nA,2022-12,2023-01,1,10,SeasonalNaive,\n"
                              "B,2022-12,2023-01,1,5,Auto,\nB,2022-12,2023-01,1,5,SeasonalNaive,\n");
    put("bf", "history.csv", "unique_id,ds,y\nA,2023-01,10\nA,2023-02,11\nA,2023-03,12\nB,2023-02,5\nB,2023-03,6\n");
    put("bf", "backtest_failures.csv",
        "unique_id,model,cutoff,status,message,reason,values\n"
        "A,SeasonalNaive,2022-12,CIV_ERR_TOO_SHORT,\"needs at least 13 values, got 12\",too_short,12\n"
        "B,Auto,2022-12,CIV_ERR_TOO_SHORT,no training values,no_data,0\n"
        "B,SeasonalNaive,2022-12,CIV_ERR_TOO_SHORT,no training values,no_data,0\n");
    char path[128], file[192];
    snprintf(path, sizeof path, "%s/bf", dir);
    civ_report_options zh = {.lang = "zh"}, en = {.lang = "en"};
    assert_true(page_has(path, &zh, "较早截止期的 4 次测试预测中有 3 次无法做出：2 次是截止期前还没有任何数据的社区（当时尚未"
                                    "开始统计，无从预测）；1 次是当时只有 12 期数据的社区，不够该模型拟合。按模型分：季节朴素法 "
                                    "2 次，自动组合（默认）1 次。这些窗口不计入上表的误差。"));
    assert_false(page_has(path, &zh, "history.csv 中查不到"));
    assert_false(page_has(path, &zh, "失败窗口中"));
    assert_false(page_has(path, &zh, "模型无法拟合")); /* no such window: not said with a 0 */
    assert_true(page_has(path, &en, "3 of 4 test forecasts from earlier cutoffs could not be made: 2 for communities "
                                    "with no data yet at the cutoff (not counted yet, nothing to forecast from); 1 "
                                    "for communities with only 12 values by then, too few for the model. By model: "
                                    "SeasonalNaive 2, Auto 1."));
    /* an older folder without the table: the history-based reasons, zero counts left out, the unknown said so */
    snprintf(file, sizeof file, "%s/backtest_failures.csv", path);
    assert_int_equal(remove(file), 0);
    assert_true(page_has(path, &zh, "2 个失败窗口中：1 个是截止期前还没有任何数据的社区（当时尚未开始统计，无从预测）；1 个无法"
                                    "从本文件夹判断原因（history.csv 只有最近的各期）。"));
    assert_true(page_has(path, &zh, "1 个失败窗口中：1 个是截止期前还没有任何数据的社区（当时尚未开始统计，无从预测）。"));
    assert_false(page_has(path, &zh, "：0 个"));
    assert_false(page_has(path, &zh, "，0 个"));
    assert_false(page_has(path, &zh, "；0 个"));
}

/* backtest_accuracy.csv (model + metric columns) replaces "not run": errors in one
 * chart (not the counts or the bias), coverages against their level in another. */
static void test_backtest_table(void **state)
{
    (void)state;
    put("b", "allocation.csv", ALLOC);
    put("b", "allocation_summary.csv", SUMMARY);
    put("b", "backtest_accuracy.csv", "model,n,bias,mase,smape,coverage_80\n"
                                      "\"ComboMedian[ETS(A,N,A),Theta]\",40,-3.5,0.81,12.5,0.79\nNaive,40,2,1.2,15.25,0.7\n");
    char path[128];
    snprintf(path, sizeof path, "%s/b", dir);
    civ_report_options en = {.lang = "en"};
    char *html = render_report(path, &en);
    assert_null(strstr(html, "Backtest: not run."));
    assert_non_null(strstr(html, "backtest_accuracy.csv"));
    free(html);
    char *spec = chart_of(path, "backtest_accuracy.vl.json");
    assert_non_null(spec);
    assert_non_null(strstr(spec, "{\"model\":\"Median(ETS, Theta)\",\"metric\":\"smape\",\"value\":12.5}"));
    assert_non_null(strstr(spec, "smaller is better"));
    /* counts, signed figures and coverages are not ranked as errors */
    assert_null(strstr(spec, "\"metric\":\"n\""));
    assert_null(strstr(spec, "\"metric\":\"bias\""));
    assert_null(strstr(spec, "coverage_80"));
    free(spec);
    /* the coverages against their level, in the column's unit (fractions here) */
    spec = chart_of(path, "backtest_coverage.vl.json");
    assert_non_null(spec);
    assert_non_null(strstr(spec, "{\"model\":\"Naive\",\"metric\":\"coverage_80\",\"value\":0.7,\"target\":0.8}"));
    assert_non_null(strstr(spec, "\"rule\""));
    assert_null(strstr(spec, "\"metric\":\"smape\""));
    assert_non_null(strstr(spec, "\"title\":\"Coverage (share)\"")); /* the axis says its unit (it said none) */
    free(spec);
    /* a committee member is told what the Auto row is, in words (there is none here) */
    civ_report_options zh = {.lang = "zh"};
    assert_false(page_has(path, &zh, "Auto 一行是默认的自动组合方法"));
    put("b", "backtest_accuracy.csv", "model,n,mase,coverage-80\nAuto,40,0.81,79\nSeasonalNaive,40,1.2,70\n");
    assert_true(page_has(path, &zh, "“自动组合（默认）”一行（文件中的模型名为 Auto）是默认的自动组合方法：ETS、ARIMA、Theta、"
                                    "DampedETS、DOTM 五个模型预测的中位数"));
    assert_true(page_has(path, &en, "The Auto row is the default automatic combination"));
    spec = chart_of(path, "backtest_coverage.vl.json"); /* percent, as civicast writes coverages */
    assert_non_null(strstr(spec, "\"title\":\"Coverage (%)\""));
    free(spec);
    assert_int_equal(civ_report_write(path, &zh), CIV_OK);
    spec = chart_of(path, "backtest_coverage.vl.json");
    assert_non_null(strstr(spec, "\"title\":\"覆盖率（%）\""));
    free(spec);
}

/* A community's amount is shown to the fen, as its explanation and
 * allocation.csv (a budget table adds up as printed; it showed 1,000 元 for
 * 1,000.24); the demand axes carry the series' unit when the plan states it
 * (civ_report_options.unit, else manifest.json's options.demand_unit) and
 * claim none otherwise (they said 需求（每月）). */
static void test_amounts_and_unit(void **state)
{
    (void)state;
    put("au", "allocation.csv",
        "unique_id,name,district,street,amount,amount_yuan,population,aged60,binding,last_year,change_pct,explanation\n"
        "C1,甲社区,B区,b街道,100024,1000.24,100,10,floor,800,,population 50.0%; raised to the floor of 1000.24\n"
        "C2,乙社区,A区,a街道,299976,2999.76,200,50,,3000,0,population 50.0%\n"
        "C3,丙社区,B区,c街道,600000,6000,300,30,pace+cap,5000,20,population 50.0%; lowered to the cap\n");
    put("au", "allocation_summary.csv", SUMMARY);
    put("au", "forecasts.csv", "unique_id,ds,h,model,mean,lo-80,hi-80,lo-95,hi-95\n"
                               "C1,2025-01,1,Naive,10,9,11,8,12\nC2,2025-01,1,Naive,20,19,21,18,22\n"
                               "C3,2025-01,1,Naive,30,29,31,28,32\n");
    char path[128];
    snprintf(path, sizeof path, "%s/au", dir);
    civ_report_options zh = {.lang = "zh"}, en = {.lang = "en"};
    assert_true(page_has(path, &zh, "<td class=\"n\">1,000.24 元</td>"));
    assert_true(page_has(path, &zh, "<td class=\"n\">2,999.76 元</td>"));
    assert_true(page_has(path, &zh, "<td class=\"n\">6,000.00 元</td>"));
    assert_true(page_has(path, &en, "<td class=\"n\">CNY 1,000.24</td>"));
    assert_int_equal(civ_report_write(path, &zh), CIV_OK);
    char *spec = chart_of(path, "demand_city.vl.json");
    assert_non_null(strstr(spec, "\"title\":\"需求（每月，单位同输入数据）\""));
    free(spec);
    civ_report_options unit = {.lang = "zh", .unit = "人次"}, unit_en = {.lang = "en", .unit = "visits"};
    assert_int_equal(civ_report_write(path, &unit), CIV_OK);
    spec = chart_of(path, "demand_city.vl.json");
    assert_non_null(strstr(spec, "\"title\":\"需求（人次/月）\""));
    assert_null(strstr(spec, "需求（每月"));
    free(spec);
    assert_int_equal(civ_report_write(path, &unit_en), CIV_OK);
    spec = chart_of(path, "demand_city.vl.json");
    assert_non_null(strstr(spec, "\"title\":\"Demand (visits per month)\""));
    free(spec);
    /* a plan's re-render: the unit as its manifest.json records it ([forecast] unit) */
    put("au", "manifest.json",
        "{\n  \"options\": {\n    \"intervals\": \"model\",\n    \"demand_unit\": \"人次\"\n  }\n}\n");
    assert_int_equal(civ_report_write(path, &zh), CIV_OK);
    spec = chart_of(path, "demand_city.vl.json");
    assert_non_null(strstr(spec, "\"title\":\"需求（人次/月）\""));
    free(spec);
}

/* The Chinese page names the backtest's models in Chinese (the charts, the
 * table with the id in the cell's tooltip, the sentences), keeping the ids in
 * the CSV and on the English page; and explains, in one plain line each, every
 * measure the table has, in the demand's unit when the plan states it. */
static void test_backtest_words(void **state)
{
    (void)state;
    put("bw", "allocation.csv", ALLOC);
    put("bw", "allocation_summary.csv", SUMMARY);
    put("bw", "backtest_accuracy.csv", "model,windows,failed,n,MAE,RMSE,MAPE,sMAPE,MASE,RMSSE,bias,coverage-80,"
                                       "score-80,MSIS-80\n"
                                       "Auto,30,0,300,2.5,3.1,12,11,0.8,0.7,0.4,82,20,3.1\n"
                                       "SeasonalNaive,30,2,280,3.5,4.1,15,14,1.1,1,-0.2,70,25,4\n");
    char path[128];
    snprintf(path, sizeof path, "%s/bw", dir);
    civ_report_options zh = {.lang = "zh", .unit = "人次"}, en = {.lang = "en"};
    assert_int_equal(civ_report_write(path, &zh), CIV_OK);
    char *spec = chart_of(path, "backtest_accuracy.vl.json");
    assert_non_null(spec);
    assert_non_null(strstr(spec, "{\"model\":\"自动组合（默认）\",\"metric\":\"MAE\",\"value\":2.5}"));
    assert_non_null(strstr(spec, "{\"model\":\"季节朴素法\",\"metric\":\"MAE\",\"value\":3.5}"));
    assert_null(strstr(spec, "\"Auto\""));
    assert_null(strstr(spec, "SeasonalNaive"));
    free(spec);
    char *html = page_of(path);
    assert_non_null(strstr(html, "<td title=\"Auto\">自动组合（默认）</td>"));
    assert_non_null(strstr(html, "<td title=\"SeasonalNaive\">季节朴素法</td>"));
    assert_non_null(strstr(html, "各模型的比较点数不同（自动组合（默认）300，季节朴素法 280）"));
    assert_non_null(strstr(html, "按此规则（与名义水平相差 5 个百分点以内算大致合适），自动组合（默认）："));
    /* one line per measure, and the unit of the series where the measure has one */
    static const char *const lines[] = {
        "<li>回测窗口数（windows）：", "<li>失败窗口数（failed）：", "<li>比较点数（n）：",
        "<li>MAE（平均绝对误差）：预测值与实际值之差的绝对值的平均，单位为人次；越小越好。</li>",
        "<li>RMSE（均方根误差）：误差平方的平均再开方，单位为人次，", "<li>MAPE（平均绝对百分比误差）：",
        "<li>sMAPE（对称平均绝对百分比误差）：", "<li>MASE（平均绝对标度误差）：", "<li>RMSSE（均方根标度误差）：",
        "<li>偏差（bias）：预测值减实际值的平均，单位为人次；正数表示预测偏高",
        "<li>覆盖率-80（coverage-80）：实际值落在 80% 预测区间内的比例（%）；越接近 80 越好。</li>",
        "<li>区间得分-80（score-80）：", "<li>缩放区间得分-80（MSIS-80）："};
    for (size_t k = 0; k < sizeof lines / sizeof *lines; k++)
        if (!strstr(html, lines[k]))
            fail_msg("the Chinese page lacks '%s'", lines[k]);
    free(html);
    /* the English page keeps the ids; without a unit none is claimed */
    html = render_report(path, &en);
    assert_non_null(strstr(html, "<td>Auto</td>"));
    assert_null(strstr(html, "自动组合"));
    assert_non_null(strstr(html, "<li>MAE (mean absolute error): the average size of a forecast&#39;s miss, in the "
                                 "demand&#39;s unit; smaller is better.</li>"));
    assert_non_null(strstr(html, "<li>coverage-80: the share (%) of actual values inside the 80% interval; closer "
                                 "to 80 is better.</li>"));
    free(html);
    spec = chart_of(path, "backtest_accuracy.vl.json");
    assert_non_null(strstr(spec, "{\"model\":\"Auto\",\"metric\":\"MAE\",\"value\":2.5}"));
    free(spec);
}

/* The waterfall of a spec with an earmark: the steps in reading order
 * (tilts, earmarks, floors, caps, rebalancing) in both languages, and the
 * text saying the base is the general funds'. */
static const char WATERFALL[] =
    "spec,scope,name,communities,base,tilt,earmark,floor,cap,hold_harmless,pace,ratable,rebalance,rounding,amount\n"
    "plan,total,,3,800000,0,200000,30000,-10000,0,0,0,-20000,0,1000000\n"
    "plan,gained,,2,,5000,200000,30000,0,0,0,0,0,1,\n"
    "plan,lost,,1,,-5000,0,0,-10000,0,0,0,-20000,-1,\n";

static void test_waterfall_steps(void **state)
{
    (void)state;
    put("wf", "allocation.csv", ALLOC);
    put("wf", "allocation_summary.csv", SUMMARY);
    put("wf", "allocation_waterfall.csv", WATERFALL);
    char path[128];
    snprintf(path, sizeof path, "%s/wf", dir);
    civ_report_options zh = {0}, en = {.lang = "en"};
    assert_int_equal(civ_report_write(path, &zh), CIV_OK);
    char *spec = chart_of(path, "allocation_waterfall.vl.json");
    assert_non_null(spec);
    const char *t = strstr(spec, "\"倾斜调整 +\""), *e = strstr(spec, "\"专项资金 +\""), *f = strstr(spec, "\"保底 +\""),
               *c = strstr(spec, "\"封顶 −\""), *r = strstr(spec, "\"再平衡 −\"");
    assert_true(t && e && f && c && r && t < e && e < f && f < c && c < r);
    assert_non_null(strstr(spec, "{\"step\":\"专项资金 +\",\"kind\":\"增加\""));
    assert_null(strstr(spec, "专项资金 −")); /* nothing lost to an earmark */
    /* the rounding's fen are 0 in 万元: no bars whose tooltip says -0 (before 2026-12-07 both were drawn) */
    assert_null(strstr(spec, "取整"));
    assert_null(strstr(spec, ":-0,"));
    /* running totals written as the decimals they are (0.23 - 0.01 = 0.22, not 0.22000000000000003) */
    assert_null(strstr(spec, "0000000"));
    assert_non_null(strstr(spec, "\"start\":0.22,"));
    free(spec);
    /* an empty cell (a folder assembled by hand) moves nothing: the running total stays a number */
    put("wf", "allocation_waterfall.csv",
        "spec,scope,name,communities,base,tilt,earmark,floor,cap,hold_harmless,pace,ratable,rebalance,rounding,amount\n"
        "plan,total,,3,800000,0,200000,30000,-10000,0,0,0,-20000,0,1000000\n"
        "plan,gained,,2,,,200000,30000,0,0,0,0,0,1,\n"
        "plan,lost,,1,,-5000,0,0,-10000,0,0,0,-20000,-1,\n");
    assert_int_equal(civ_report_write(path, &zh), CIV_OK);
    spec = chart_of(path, "allocation_waterfall.vl.json");
    assert_non_null(spec);
    assert_non_null(strstr(spec, "{\"step\":\"专项资金 +\",\"kind\":\"增加\",\"start\":-0.005,"));
    assert_non_null(strstr(spec, "{\"step\":\"净变化\",\"kind\":\"合计\",\"start\":0,\"end\":0.195,"));
    free(spec);
    put("wf", "allocation_waterfall.csv", WATERFALL);
    char *html = page_of(path);
    assert_non_null(strstr(html, "一般资金的因素法基数"));
    free(html);
    html = render_report(path, &en);
    assert_non_null(strstr(html, "After the general funds"));
    free(html);
    spec = chart_of(path, "allocation_waterfall.vl.json");
    t = strstr(spec, "\"tilts +\""), e = strstr(spec, "\"earmarks +\""), f = strstr(spec, "\"floors +\"");
    assert_true(t && e && f && t < e && e < f);
    free(spec);
}

/* The colours of the scale after `field` in a spec ("field":"kind" ... "range":["#..",...]): their count,
 * at most `max`, each as the grey it prints as (print_grey). */
static size_t spec_greys(const char *spec, const char *field, double *grey, size_t max)
{
    const char *p = strstr(spec, field);
    assert_non_null(p);
    p = strstr(p, "\"range\":[");
    assert_non_null(p);
    p += strlen("\"range\":[");
    size_t n = 0;
    while (*p == '"' && n < max) {
        grey[n++] = print_grey(p + 1);
        p += 10; /* "#rrggbb", */
    }
    return n;
}

/* Every two of n greys at least `gap` apart. */
static int greys_apart(const double *grey, size_t n, double gap)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (fabs(grey[i] - grey[j]) < gap)
                return 0;
    return 1;
}

/* A risk matrix of one probability row with n levels ("L1".. or the given names), a score each. */
static void risk_levels(const char *sub, size_t n, const char *const *names)
{
    civ_rbuf b = {0};
    civ_rbuf_put(&b, "probability_from,probability_to,impact,row,column,score,level,risks\n");
    for (size_t k = 0; k < n; k++) {
        char name[32];
        snprintf(name, sizeof name, "L%zu", k + 1);
        civ_rbuf_printf(&b, "0,1,i%zu,1,%zu,%zu,%s,甲风险\n", k + 1, k + 1, k + 1, names ? names[k] : name);
    }
    put(sub, "risk_matrix.csv", b.data);
    civ_rbuf_free(&b);
}

/* Printed in black and white (the committees' office printers), the categories a reader tells apart stay
 * apart: the waterfall's net, gained and lost, the risk matrix's levels (lighter to darker, the counts white
 * on the dark cells) and the Lorenz curves, at least 40 of 255 grey levels apart (BT.601 luma).  Before
 * 2026-12-06 gained and lost were both 129, the levels 低 and 较高 both 189 (the ramp 189, 223, 189, 97). */
static void test_print_in_grey(void **state)
{
    (void)state;
    put("grey", "allocation.csv", ALLOC);
    put("grey", "allocation_summary.csv", SUMMARY);
    put("grey", "allocation_waterfall.csv", WATERFALL);
    put("grey", "allocation_stages.csv", "unique_id,before\nC1,90000\nC2,300000\nC3,610000\n");
    static const char *const dflt[] = {"low", "medium", "medium-high", "high"};
    risk_levels("grey", 4, dflt);
    char path[128];
    snprintf(path, sizeof path, "%s/grey", dir);
    double g[8];
    for (int lang = 0; lang < 2; lang++) {
        civ_report_options o = {.lang = lang ? "en" : "zh"};
        assert_int_equal(civ_report_write(path, &o), CIV_OK);
        char *spec = chart_of(path, "allocation_waterfall.vl.json");
        assert_int_equal(spec_greys(spec, "\"field\":\"kind\"", g, 8), 3);
        assert_true(greys_apart(g, 3, 40));
        assert_true(g[2] < g[0] && g[0] < g[1]); /* lost darker than the net, gained lighter */
        free(spec);
        spec = chart_of(path, "allocation_lorenz.vl.json");
        assert_int_equal(spec_greys(spec, "\"field\":\"stage\"", g, 8), 2);
        assert_true(greys_apart(g, 2, 40));
        assert_true(g[1] < g[0]); /* the final curve the darker, in both languages */
        free(spec);
        /* the default matrix's four levels: far apart and darker at every step; the count white on 高 */
        spec = chart_of(path, "monitoring_risk_matrix.vl.json");
        assert_int_equal(spec_greys(spec, "\"field\":\"level\"", g, 8), 4);
        assert_true(greys_apart(g, 4, 40));
        for (size_t k = 1; k < 4; k++)
            assert_true(g[k] < g[k - 1]);
        assert_non_null(strstr(spec, lang ? "\"oneOf\":[\"high\"]},\"value\":\"#ffffff\"},\"value\":\"#1d1d1f\""
                                          : "\"oneOf\":[\"高\"]},\"value\":\"#ffffff\"},\"value\":\"#1d1d1f\""));
        free(spec);
    }
    /* a custom matrix of 2, 3 or 5 levels uses the whole ramp, 40 apart; of 6 to 8, darker at every step */
    for (size_t n = 2; n <= 8; n++) {
        risk_levels("grey", n, NULL);
        assert_int_equal(civ_report_write(path, NULL), CIV_OK);
        char *spec = chart_of(path, "monitoring_risk_matrix.vl.json");
        assert_int_equal(spec_greys(spec, "\"field\":\"level\"", g, 8), n);
        assert_true(n > 5 || greys_apart(g, n, 40));
        for (size_t k = 1; k < n; k++)
            assert_true(g[k] < g[k - 1] - 20);
        assert_true(g[0] >= 200 && g[n - 1] <= 60); /* from a light low to a dark high */
        free(spec);
    }
}

/* The model mix by family: a bar per family with the communities whose
 * model draws on it (a combination under each of its components' families,
 * a community once per family: C1's two damped ETS members count once), the
 * family's specifications in the tooltip and the table, the most common
 * models in a sentence. */
static void test_model_mix_families(void **state)
{
    (void)state;
    put("mix", "allocation.csv", ALLOC);
    put("mix", "allocation_summary.csv", SUMMARY);
    put("mix", "forecast_report.csv", "unique_id,model\n"
                                      "C1,\"ComboMedian[ETS(A,Ad,N),ARIMA(0,1,0) with drift,Theta,ETS(A,Ad,N),DOTM]\"\n"
                                      "C2,\"ETS(A,Ad,N)\"\nC3,\"ETS(M,N,M)\"\n");
    char path[128];
    snprintf(path, sizeof path, "%s/mix", dir);
    civ_report_options en = {.lang = "en"};
    assert_int_equal(civ_report_write(path, &en), CIV_OK);
    char *spec = chart_of(path, "model_mix.vl.json");
    assert_non_null(spec);
    assert_non_null(strstr(spec, "\"axis\":{\"format\":\",d\",\"tickCount\":2},\"title\":\"Communities (count)\""));
    /* most communities first, then by name */
    const char *damped = strstr(spec, "{\"family\":\"DampedETS\",\"communities\":2,\"share\":66.7,\"specs\":1,"
                                      "\"top\":\"ETS(A,Ad,N) (2)\"}");
    const char *arima = strstr(spec, "{\"family\":\"ARIMA\",\"communities\":1,\"share\":33.3,\"specs\":1,"
                                     "\"top\":\"ARIMA(0,1,0) (1)\"}");
    const char *ets = strstr(spec, "{\"family\":\"ETS\",\"communities\":1,\"share\":33.3,\"specs\":1,"
                                   "\"top\":\"ETS(M,N,M) (1)\"}");
    assert_true(damped && arima && ets && damped < arima && arima < ets);
    assert_non_null(strstr(spec, "{\"family\":\"Theta\",\"communities\":1,"));
    assert_null(strstr(spec, "\"other\""));
    assert_non_null(strstr(spec, "\"field\":\"top\""));
    free(spec);
    char *html = page_of(path);
    assert_non_null(strstr(html, "Median(DampedETS, ARIMA, Theta, DampedETS, DOTM) (1)"));
    assert_non_null(strstr(html, "<td>DampedETS</td><td class=\"n\">2</td><td class=\"n\">66.7%</td>"));
    assert_non_null(strstr(html, "What the names mean: Median(...) and Mean(...) are the median and the mean"));
    assert_non_null(strstr(html, "; DampedETS is exponential smoothing whose trend flattens out; "));
    free(html);
}

/* The allocation section says which forecasts the demand factor summed:
 * from the rules when civicast plan passes them (options.spec), else as the
 * folder's manifest.json records it, and nothing without either. */
static void test_demand_window(void **state)
{
    (void)state;
    put("dw", "allocation.csv", ALLOC);
    put("dw", "allocation_summary.csv", SUMMARY);
    char fc[4096] = "unique_id,ds,h,model,mean\n";
    for (int c = 1; c <= 3; c++)
        for (int h = 1; h <= 8; h++) { /* quarterly from 2025-Q1: fiscal year 2026 is h = 5..8 */
            size_t L = strlen(fc);
            snprintf(fc + L, sizeof fc - L, "C%d,%d-Q%d,%d,ETS,%d\n", c, 2025 + (h - 1) / 4, (h - 1) % 4 + 1, h, c);
        }
    put("dw", "forecasts.csv", fc);
    const char *text = "version = \"t\"\n[budget]\ntotal = 110.00\nfiscal_year = 2026\n"
                       "[[pool]]\nname = \"p\"\nshare = 1\n"
                       "[[factor]]\nname = \"meals\"\nlabel = \"助餐需求\"\nsource = \"forecast\"\nweight = 1\n";
    civ_alloc_spec *spec = NULL;
    assert_int_equal(civ_alloc_spec_parse(text, strlen(text), "t.spec", &spec), CIV_OK);
    char path[128];
    snprintf(path, sizeof path, "%s/dw", dir);
    civ_report_options o = {.lang = "zh", .spec = spec};
    assert_true(page_has(path, &o, "需求因素“助餐需求”按 2026 年度各期的预测值合计（2026 年第 1 季度至 2026 年第 4 季度），"
                                   "即数据最后一期之后第 5 至 8 期的预测"));
    civ_report_options en = {.lang = "en", .spec = spec};
    assert_true(page_has(path, &en, "The demand factor \u201c助餐需求\u201d sums the forecasts of fiscal year 2026 "
                                    "(2026-Q1 to 2026-Q4), 5 to 8 periods after"));
    civ_alloc_spec_free(spec);
    /* no rules, no manifest: nothing said */
    civ_report_options plain = {.lang = "zh"};
    assert_false(page_has(path, &plain, "需求因素"));
    /* the manifest's record (a folder civicast plan wrote; its label escaped) */
    put("dw", "manifest.json",
        "{\n  \"options\": {\"model\": \"auto\"},\n  \"results\": {\"series\": 3, \"demand\": [{\"factor\": \"m\", "
        "\"label\": \"say \\\"meals\\\"\", \"period\": \"horizon\", \"fiscal_year\": 2026, \"periods\": 4, "
        "\"first\": \"2025-Q1\", \"last\": \"2025-Q4\", \"h_first\": 1, \"h_last\": 4}]},\n  \"files\": []\n}\n");
    civ_report_options en2 = {.lang = "en"};
    assert_true(page_has(path, &en2, "The demand factor \u201csay &quot;meals&quot;\u201d sums the first 4 forecast "
                                     "periods (2025-Q1 to 2025-Q4), whether or not they fall in fiscal year 2026"));
}

/* Chinese sentences as the page prints them: no ASCII space beside a
 * full-width mark (a model named 自动组合（默认） before 的 or a count), the
 * spaces between Chinese and Latin letters or digits kept. */
static void test_zh_tidy(void **state)
{
    (void)state;
    char out[256];
    rep_zh_tidy(out, sizeof out, "自动组合（默认） 的 95 个失败窗口中");
    assert_string_equal(out, "自动组合（默认）的 95 个失败窗口中");
    rep_zh_tidy(out, sizeof out, "比较点数不同（自动组合（默认） 40,108，季节朴素法 39,136）");
    assert_string_equal(out, "比较点数不同（自动组合（默认）40,108，季节朴素法 39,136）");
    rep_zh_tidy(out, sizeof out, "ETS 的 3 个窗口 ， 共  “ 12 ” 个");
    assert_string_equal(out, "ETS 的 3 个窗口，共“12”个");
    rep_zh_tidy(out, sizeof out, "季节朴素法 的 176 个；15,272.0 万元 按因素法分配，12.6 万 KWD 留作储备金");
    assert_string_equal(out, "季节朴素法的 176 个；15,272.0 万元按因素法分配，12.6 万 KWD 留作储备金");
    rep_zh_tidy(out, sizeof out, "2026 年 Auto MASE 1.19");
    assert_string_equal(out, "2026 年 Auto MASE 1.19");
    rep_zh_tidy(out, 8, "（默认） 的"); /* 8 bytes: two characters, never a part of one */
    assert_string_equal(out, "（默");
}

/* The demand charts in the periods of the data, whatever they are: quarters
 * (2025-Q1) and years (2025) as period text, months as day dates
 * (2025-01-01), weeks.  The x axis, its title, the tooltips' dates, the y
 * axis's unit per period and the sentences say quarters, years, months or
 * weeks, in both languages, read from the folder's dates alone.  Before, a
 * quarter passed for a month ("2025-Q1" is 7 characters with '-' at 4): its x
 * value was "2025-Q1-01", no date, so every point fell on one x; a year or a
 * day date was an axis titled 月份, and the y axis said 需求（人次/月） for all. */
static void freq_folder(const char *sub, const char *const *ds, size_t n)
{
    char fc[4096] = "unique_id,ds,h,model,mean,lo-80,hi-80,lo-95,hi-95\n", hist[4096] = "unique_id,ds,y\n";
    for (int c = 1; c <= 3; c++)
        for (size_t k = 0; k < n; k++) {
            size_t L = strlen(fc), H = strlen(hist);
            if (k < n / 2)
                snprintf(hist + H, sizeof hist - H, "C%d,%s,%d\n", c, ds[k], 10 * c);
            else
                snprintf(fc + L, sizeof fc - L, "C%d,%s,%zu,TSB,%d,%d,%d,%d,%d\n", c, ds[k], k - n / 2 + 1, 10 * c,
                         9 * c, 11 * c, 8 * c, 12 * c);
        }
    put(sub, "allocation.csv", ALLOC);
    put(sub, "allocation_summary.csv", SUMMARY);
    put(sub, "forecasts.csv", fc);
    put(sub, "history.csv", hist);
    put(sub, "backtest_accuracy.csv", "model,windows,failed,n,MASE\nAuto,3,0,3,0.9\n");
}

static char *freq_spec(const char *sub, const char *lang)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    civ_report_options o = {.lang = lang, .unit = lang[0] == 'z' ? "人次" : "visits"};
    assert_int_equal(civ_report_write(path, &o), CIV_OK);
    return chart_of(path, "demand_districts.vl.json");
}

static void test_frequencies(void **state)
{
    (void)state;
    static const char *const q[] = {"2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"};
    freq_folder("fq", q, 4);
    char *zh = freq_spec("fq", "zh");
    assert_non_null(strstr(zh, "\"timeUnit\":\"utcyearquarter\""));
    assert_non_null(strstr(zh, "\"ds\":\"2024-07-01\"")); /* 2024-Q3 */
    assert_non_null(strstr(zh, "\"ds\":\"2025-04-01\"")); /* 2025-Q2 */
    assert_non_null(strstr(zh, "\"title\":\"季度\""));
    assert_non_null(strstr(zh, "\"format\":\"%Y 年第 %q 季度\""));
    assert_non_null(strstr(zh, "\"title\":\"需求（人次/季度）\""));
    assert_null(strstr(zh, "Q3-01"));
    assert_null(strstr(zh, "月")); /* no month anywhere: axis, tooltip, unit */
    free(zh);
    char *en = freq_spec("fq", "en");
    assert_non_null(strstr(en, "\"format\":\"%Y-Q%q\""));
    assert_non_null(strstr(en, "\"title\":\"Quarter\""));
    assert_non_null(strstr(en, "\"title\":\"Demand (visits per quarter)\""));
    assert_null(strstr(en, "month"));
    free(en);
    char path[128];
    snprintf(path, sizeof path, "%s/fq", dir);
    civ_report_options o = {.lang = "zh"}, oe = {.lang = "en"};
    assert_true(page_has(path, &o, "间歇性需求（很多季度为 0）"));
    assert_true(page_has(path, &oe, "intermittent demand (many quarters at 0)"));

    static const char *const y[] = {"2023", "2024", "2025", "2026"};
    freq_folder("fy", y, 4);
    zh = freq_spec("fy", "zh");
    assert_non_null(strstr(zh, "\"timeUnit\":\"utcyear\""));
    assert_non_null(strstr(zh, "\"ds\":\"2026-01-01\""));
    assert_non_null(strstr(zh, "\"title\":\"年份\""));
    assert_non_null(strstr(zh, "\"title\":\"需求（人次/年）\""));
    assert_null(strstr(zh, "月"));
    free(zh);
    en = freq_spec("fy", "en");
    assert_non_null(strstr(en, "\"title\":\"Demand (visits per year)\""));
    free(en);
    snprintf(path, sizeof path, "%s/fy", dir);
    assert_true(page_has(path, &o, "很多年份为 0"));
    /* the sentences' periods: a year in Chinese with its 年, once when the fund's year is one period */
    put("fy", "manifest.json",
        "{\n  \"results\": {\"demand\": [{\"factor\": \"m\", \"label\": \"助餐需求\", \"period\": \"fiscal_year\", "
        "\"fiscal_year\": 2026, \"periods\": 1, \"first\": \"2026\", \"last\": \"2026\", \"h_first\": 2, "
        "\"h_last\": 2}]},\n  \"files\": []\n}\n");
    assert_true(page_has(path, &o, "按 2026 年度各期的预测值合计（2026 年），即数据最后一期之后第 2 期的预测"));
    assert_true(page_has(path, &oe, "sums the forecasts of fiscal year 2026 (2026), the forecast 2 period(s) after"));

    /* months written as their first days: a month axis, as for 2025-01 */
    static const char *const m[] = {"2024-11-01", "2024-12-01", "2025-01-01", "2025-02-01"};
    freq_folder("fm", m, 4);
    zh = freq_spec("fm", "zh");
    assert_non_null(strstr(zh, "\"type\":\"temporal\",\"timeUnit\":\"utcyearmonth\""));
    assert_non_null(strstr(zh, "\"format\":\"%Y 年 %-m 月\"")); /* the tooltip: not Vega's English "Jan 2025" */
    assert_non_null(strstr(zh, "\"title\":\"需求（人次/月）\""));
    free(zh);

    /* weeks (Sundays, 7 days apart) */
    static const char *const w[] = {"2025-01-05", "2025-01-12", "2025-01-19", "2025-01-26"};
    freq_folder("fw", w, 4);
    en = freq_spec("fw", "en");
    assert_non_null(strstr(en, "\"timeUnit\":\"utcyearmonthdate\""));
    assert_non_null(strstr(en, "\"ds\":\"2025-01-26\""));
    assert_non_null(strstr(en, "\"title\":\"Demand (visits per week)\""));
    free(en);

    /* periods that are not dates: shown as written, per period */
    static const char *const p[] = {"P1", "P2", "P3", "P4"};
    freq_folder("fp", p, 4);
    zh = freq_spec("fp", "zh");
    assert_non_null(strstr(zh, "\"type\":\"ordinal\""));
    assert_non_null(strstr(zh, "\"ds\":\"P4\""));
    assert_non_null(strstr(zh, "\"title\":\"需求（人次/期）\""));
    free(zh);
}

/* Many communities, each with an ARIMA order of its own, and the
 * intermittent ones with TSB: every family is drawn, none is "other" (the
 * mix by specification kept the first 20 and put the rest, TSB with them,
 * into "other"); the Chinese page writes the counts in Chinese brackets.
 * Made-up model names past 20 families are summed into one "other" bar. */
static void test_model_mix_many_specs(void **state)
{
    (void)state;
    char alloc[8192] = "unique_id,district,amount,amount_yuan\n", rep[16384] = "unique_id,model\n";
    for (int i = 0; i < 60; i++) {
        size_t L = strlen(alloc);
        snprintf(alloc + L, sizeof alloc - L, "C%02d,%s,100,1\n", i, i % 2 ? "A区" : "B区");
        L = strlen(rep);
        if (i < 40) /* 40 orders: (p,1,q)(P,0,0)[12] */
            snprintf(rep + L, sizeof rep - L, "C%02d,\"ComboMedian[ETS(A,N,A),ARIMA(%d,1,%d)(%d,0,0)[12],Theta,"
                                              "ETS(A,Ad,A),DOTM]\"\n", i, i % 5, i / 5 % 4, i / 20);
        else if (i < 52)
            snprintf(rep + L, sizeof rep - L, "C%02d,TSB\n", i);
        else /* 8 communities, each with a model of its own family */
            snprintf(rep + L, sizeof rep - L, "C%02d,Made%c\n", i, 'A' + (i - 52));
    }
    put("many", "allocation.csv", alloc);
    put("many", "allocation_summary.csv", SUMMARY);
    put("many", "forecast_report.csv", rep);
    char path[128];
    snprintf(path, sizeof path, "%s/many", dir);
    assert_int_equal(civ_report_write(path, NULL), CIV_OK);
    char *spec = chart_of(path, "model_mix.vl.json");
    assert_non_null(spec);
    assert_non_null(strstr(spec, "{\"family\":\"ARIMA\",\"communities\":40,\"share\":66.7,\"specs\":40,\"top\":\"ARIMA("));
    assert_non_null(strstr(spec, "{\"family\":\"TSB\",\"communities\":12,\"share\":20,\"specs\":1,\"top\":\"TSB（12）\"}"));
    assert_non_null(strstr(spec, "{\"family\":\"DOTM\",\"communities\":40,"));
    assert_non_null(strstr(spec, "{\"family\":\"MadeH\",\"communities\":1,"));
    assert_null(strstr(spec, "其他"));
    free(spec);
    /* the Chinese page says what the names mean, for the families it shows
     * (not for made-up names) */
    char *html = page_of(path);
    const char *gl = strstr(html, "模型说明：Median(…) 和 Mean(…) 是括号中各模型预测的中位数和平均数");
    assert_non_null(gl);
    assert_non_null(strstr(gl, "TSB 为间歇需求模型（分别预测有需求的概率和需求量）"));
    assert_non_null(strstr(gl, "ARIMA 为自回归积分滑动平均模型"));
    assert_non_null(strstr(gl, "DOTM 为动态优化 Theta 模型"));
    const char *end = strstr(gl, "</p>");
    assert_non_null(end);
    const char *made = strstr(gl, "MadeA");
    assert_true(!made || made > end);
    free(html);
    /* ARIMA, DOTM, DampedETS, ETS and Theta (40 communities each) and 20
     * made-up families of one community each: 15 of these drawn, 5 in "other" */
    char rep2[16384] = "unique_id,model\n";
    for (int i = 0; i < 60; i++) {
        size_t M = strlen(rep2);
        if (i < 40)
            snprintf(rep2 + M, sizeof rep2 - M, "C%02d,\"ComboMedian[ETS(A,N,A),ARIMA(%d,1,%d)(%d,0,0)[12],Theta,"
                                                "ETS(A,Ad,A),DOTM]\"\n", i, i % 5, i / 5 % 4, i / 20);
        else
            snprintf(rep2 + M, sizeof rep2 - M, "C%02d,Odd%c\n", i, 'A' + (i - 40));
    }
    put("many", "forecast_report.csv", rep2);
    assert_int_equal(civ_report_write(path, NULL), CIV_OK);
    spec = chart_of(path, "model_mix.vl.json");
    assert_non_null(spec);
    assert_non_null(strstr(spec, "{\"family\":\"其他\",\"communities\":5,\"share\":8.3,\"specs\":5,"
                                 "\"top\":\"另外 5 个模型族\"}"));
    assert_non_null(strstr(spec, "{\"family\":\"OddO\",\"communities\":1,"));
    assert_null(strstr(spec, "{\"family\":\"OddP\""));
    free(spec);
}

/* ---- explanations of a run in English on a Chinese page ------------------- */

/* The clause kinds of engine/src/alloc/explain.c, by a phrase of their
 * English: the test below counts them so that each is translated at least
 * once. */
static const char *const CLAUSE_KINDS[] = {
    "floors ratably reduced to", "held at hold-harmless", "raised to hold-harmless", "held at the floor of",
    "raised to the floor of", "limited by pace to", "% of the fund = ", "lowered to the cap of", "by formula",
    "which yields to it", " (last year ", "(nothing last year: no hold-harmless or pace)", " (nothing last year)",
    " (paid ", "not eligible for ", " scored higher", " tilt ×", "; total ", "no factor score", "not funded",
    "nothing from this release", "paid already above the pace limit of", "paid already above the cap of"};
enum { N_KINDS = sizeof CLAUSE_KINDS / sizeof *CLAUSE_KINDS };

/* Solves spec on comm (on top of `paid` when not NULL) with English and with
 * Chinese explanations; every English one, translated, must be the Chinese
 * one.  Counts the clause kinds met in seen[]. */
static void check_translated(const civ_alloc_spec *spec, const civ_table *comm, const civ_table *paid, size_t *seen,
                             civ_table **out)
{
    civ_alloc_problem *p = NULL;
    civ_alloc_result *r = NULL;
    civ_table *en = NULL, *zh = NULL;
    assert_int_equal(civ_alloc_bind(spec, comm, NULL, &p), CIV_OK);
    if (paid)
        assert_int_equal(civ_alloc_problem_set_paid(p, paid), CIV_OK);
    assert_int_equal(civ_alloc_result_create(p, &r), CIV_OK);
    if (civ_alloc_solve(p, r))
        fail_msg("solve: %s", civ_last_error_message());
    assert_int_equal(civ_alloc_result_table(p, r, CIV_ALLOC_EXPLAIN_EN, &en), CIV_OK);
    assert_int_equal(civ_alloc_result_table(p, r, CIV_ALLOC_EXPLAIN_ZH, &zh), CIV_OK);
    size_t ce, cz;
    assert_int_equal(civ_table_find_column(en, "explanation", &ce), CIV_OK);
    assert_int_equal(civ_table_find_column(zh, "explanation", &cz), CIV_OK);
    for (size_t i = 0; i < civ_table_n_rows(en); i++) {
        const char *e = civ_table_text(en, i, ce), *z = civ_table_text(zh, i, cz);
        civ_rbuf b = {0};
        rep_explanation_zh(&b, e, NULL);
        assert_false(b.failed);
        if (strcmp(b.data ? b.data : "", z))
            fail_msg("row %zu:\n  en  %s\n  zh  %s\n  got %s", i, e, z, b.data ? b.data : "");
        civ_rbuf_free(&b);
        rep_explanation_zh(&b, z, NULL); /* a run in Chinese: kept as it is */
        assert_string_equal(b.data, z);
        civ_rbuf_free(&b);
        for (size_t k = 0; k < N_KINDS; k++)
            seen[k] += strstr(e, CLAUSE_KINDS[k]) != NULL;
    }
    civ_table_free(zh);
    if (out)
        *out = en;
    else
        civ_table_free(en);
    civ_alloc_result_free(r);
    civ_alloc_problem_free(p);
}

static civ_alloc_spec *spec_text(const char *text)
{
    civ_alloc_spec *s = NULL;
    if (civ_alloc_spec_parse(text, strlen(text), "t.spec", &s))
        fail_msg("spec: %s", civ_last_error_message());
    return s;
}

/* A Chinese page of a plan run in English shows the explanations as a
 * Chinese run writes them (report_zh.c): on the demo city (floors,
 * hold-harmless, pace, a floor over a pace limit, an earmark, funds new to a
 * community, tilts, totals), its reserve release (paid + released) and two
 * small cities for the rest (caps, cap shares, ratable floors, greater-of
 * groups, no factor score, nothing funded).  Every clause kind occurs. */
static void test_explanations_zh(void **state)
{
    (void)state;
    size_t seen[N_KINDS] = {0};
    static const char *const text_cols[] = {"unique_id", "name", "district", "street", NULL};
    civ_table_read_options ro = {.text_columns = text_cols};
    civ_alloc_spec *spec = NULL, *rel = NULL;
    civ_table *comm = NULL, *paid = NULL;
    assert_int_equal(civ_alloc_spec_read(CIV_SOURCE_DIR "/datasets/demo_city/allocation.spec", &spec), CIV_OK);
    assert_int_equal(civ_alloc_spec_read(CIV_SOURCE_DIR "/datasets/demo_city/release.spec", &rel), CIV_OK);
    assert_int_equal(civ_table_read_csv(CIV_SOURCE_DIR "/datasets/demo_city/communities.csv", &ro, &comm), CIV_OK);
    check_translated(spec, comm, NULL, seen, &paid);
    check_translated(rel, comm, paid, seen, NULL);
    /* releases whose bounds what was paid already passes: a tighter pace, a cap (the English had no Chinese
     * form: the page showed "已拨金额 ... paid already above the cap of ..." half translated) */
    char *text = tf_slurp(CIV_SOURCE_DIR "/datasets/demo_city/release.spec", NULL);
    assert_non_null(text);
    const char *const edits[][2] = {{"pace = 0.20", "pace = 0.05"}, {"floor = 50_000.00", "cap = 140_000.00"}};
    for (size_t k = 0; k < 2; k++) {
        char *at = strstr(text, edits[k][0]), *edited = malloc(strlen(text) + 64);
        assert_non_null(at), assert_non_null(edited);
        snprintf(edited, strlen(text) + 64, "%.*s%s%s", (int)(at - text), text, edits[k][1],
                 at + strlen(edits[k][0]));
        civ_alloc_spec_free(rel);
        rel = spec_text(edited);
        check_translated(rel, comm, paid, seen, NULL);
        free(edited);
    }
    free(text);
    civ_table_free(comm), civ_table_free(paid);
    civ_alloc_spec_free(spec), civ_alloc_spec_free(rel);
    /* caps and greater-of groups; A new to the fund (no rules), D scores nothing */
    put("ex", "groups.csv", "unique_id,pop,aged,ly\nA,100,10,0\nB,100,90,100\nC,800,0,100\nD,0,0,100\n");
    spec = spec_text("version = \"g\"\n[budget]\ntotal = 1000.00\nfiscal_year = 2026\n"
                     "[[pool]]\nname = \"p\"\nshare = 1\nlast_year = \"ly\"\n"
                     "[[formula]]\nname = \"main\"\ncombine = \"greater_of\"\ncap = 400.00\n"
                     "[[factor]]\nname = \"pop\"\ngroup = \"a\"\nattribute = \"pop\"\nweight = 1\n"
                     "[[factor]]\nname = \"aged\"\ngroup = \"b\"\nattribute = \"aged\"\nweight = 1\n");
    char path[160];
    snprintf(path, sizeof path, "%s/ex/groups.csv", dir);
    assert_int_equal(civ_table_read_csv(path, &ro, &comm), CIV_OK);
    check_translated(spec, comm, NULL, seen, NULL);
    civ_table_free(comm);
    civ_alloc_spec_free(spec);
    /* ratable floors (A has no score: "no factor score"); a cap share (F),
     * hold-harmless below the pace limit (A, B: raised) and above it (G:
     * held), pace (C), funds new to a community with and without rules */
    put("ex", "bounds.csv", "unique_id,pop,ly,ly3\nA,0,100,0\nB,1,100,0\nC,30,100,0\nD,60,500,0\nE,10,0,0\n"
                            "F,200,0,0\nG,5,0,100\n");
    spec = spec_text("version = \"b\"\n[budget]\ntotal = 2200.00\nfiscal_year = 2026\n"
                     "[[pool]]\nname = \"tight\"\namount = 100.00\nformula = \"tight\"\n"
                     "[[pool]]\nname = \"wide\"\namount = 1900.00\nformula = \"wide\"\n"
                     "[[pool]]\nname = \"hold\"\namount = 200.00\nformula = \"hold\"\n"
                     "[[formula]]\nname = \"tight\"\nfloor = 30.00\non_infeasible = \"ratable\"\n"
                     "[[formula]]\nname = \"wide\"\ncap_share = 0.4\nhold_harmless = 0.9\npace = 0.5\n"
                     "last_year = \"ly\"\n"
                     "[[formula]]\nname = \"hold\"\nhold_harmless = 1.5\npace = 0.2\nlast_year = \"ly3\"\n"
                     "[[factor]]\nname = \"pop\"\nformula = \"tight\"\nattribute = \"pop\"\nweight = 1\n"
                     "[[factor]]\nname = \"people\"\nformula = \"wide\"\nattribute = \"pop\"\nweight = 1\n"
                     "[[factor]]\nname = \"folks\"\nformula = \"hold\"\nattribute = \"pop\"\nweight = 1\n");
    snprintf(path, sizeof path, "%s/ex/bounds.csv", dir);
    assert_int_equal(civ_table_read_csv(path, &ro, &comm), CIV_OK);
    check_translated(spec, comm, NULL, seen, NULL);
    civ_table_free(comm);
    civ_alloc_spec_free(spec);
    for (size_t k = 0; k < N_KINDS; k++)
        if (!seen[k])
            fail_msg("no explanation had '%s': the test does not cover that clause", CLAUSE_KINDS[k]);
}

/* The Chinese of an English run's clauses spaced as explain.c's Chinese mode writes them: no space between
 * a Chinese name and the Chinese around it, nor beside a full-width mark; one beside Latin letters and
 * digits.  Before 2026-12-06: "不符合 流动人口服务 的条件", "老龄化 倾斜 ×1.2", "综合 中 'g1' 组得分更高",
 * "养老（市级） 100.00元". */
static void test_explanations_zh_spacing(void **state)
{
    (void)state;
    civ_rbuf b = {0};
    rep_explanation_zh(&b, "老年人口 50.0%; group 'g1' of 综合 scored higher; 老龄化 tilt ×1.2; 养老（市级） 100.00: "
                           "by formula; not eligible for 流动人口服务; not eligible for ETS",
                       NULL);
    assert_string_equal(b.data, "构成：老年人口 50.0%；综合中“g1”组得分更高；老龄化倾斜 ×1.2；养老（市级）100.00元：按公式分配；"
                                "不符合流动人口服务的条件；不符合 ETS 的条件");
    civ_rbuf_free(&b);
    rep_explanation_zh(&b, "aged 50.0%; aging tilt ×1.2; 养老 100.00: held at the floor of 100.00 (above the pace limit "
                           "of +20% over last year 50.00 = 60.00, which yields to it)",
                       NULL);
    assert_string_equal(b.data, "构成：aged 50.0%；aging 倾斜 ×1.2；养老 100.00元：保持在保底 100.00元（增幅上限为上年 50.00元 "
                                "+20% = 60.00元，低于此数，不适用）");
    civ_rbuf_free(&b);
}

/* A plan run in English whose page is read in Chinese: each predecessor-join note (plan/join.c) reads exactly as
 * a Chinese run writes it, in months, quarters and years, singular counts, shares, gaps and the three reasons
 * for not joining included, and a factor's name ("kids 6 months") as written. It kept ASCII ": ", ")" and ", "
 * in the joined note ("（需求历史接续自 P01+P02: 10 个季度 …)") and translated " months " inside names. */
static void test_explanations_zh_joins(void **state)
{
    (void)state;
    const civ_frequency freqs[] = {CIV_FREQ_MONTHLY, CIV_FREQ_QUARTERLY, CIV_FREQ_YEARLY};
    const char *const words[] = {"months", "quarters", "years"};
    const char *const from[] = {"2022-01", "2022-Q1", "2019"}, *const to[] = {"2024-06", "2024-Q2", "2023"};
    enum { N = 6 };
    const char *st[N] = {"joined", "joined", "joined", "split", "no_series", "no_common_months"};
    const char *pred[N] = {"P01+P02", "P03", "P04+P05", "P06", "P07+P08", "P09+P10"};
    const char *shares[N] = {"", "0.6", "0.5+1", "", "", ""};
    const double np[N] = {30, 1, 12, 0, 0, 0}, gap[N] = {0, 1, 3, 0, 0, 0};
    for (size_t f = 0; f < 3; f++) {
        civ_table *j = NULL, *en = NULL, *zh = NULL;
        size_t c[12], first, ae[2], ze[2];
        const char *names[12] = {"unique_id", "predecessors", "status", "joined_periods", "joined_from", "joined_to",
                                 "blocking", "reason", "shares", "gap_periods", "gap_from", "gap_to"};
        assert_int_equal(civ_table_create(&j), CIV_OK);
        for (int k = 0; k < 12; k++)
            assert_int_equal(civ_table_add_column(j, names[k], k == 3 || k == 9 ? CIV_COLUMN_NUMBER : CIV_COLUMN_TEXT,
                                                  &c[k]), CIV_OK);
        assert_int_equal(civ_table_add_rows(j, N, &first), CIV_OK);
        assert_int_equal(civ_table_create(&en), CIV_OK);
        assert_int_equal(civ_table_create(&zh), CIV_OK);
        civ_table_add_column(en, "unique_id", CIV_COLUMN_TEXT, &ae[0]);
        civ_table_add_column(en, "explanation", CIV_COLUMN_TEXT, &ae[1]);
        civ_table_add_column(zh, "unique_id", CIV_COLUMN_TEXT, &ze[0]);
        civ_table_add_column(zh, "explanation", CIV_COLUMN_TEXT, &ze[1]);
        civ_table_add_rows(en, N, &first), civ_table_add_rows(zh, N, &first);
        for (size_t r = 0; r < N; r++) {
            char id[8], reason[200] = "", blocking[8] = "";
            snprintf(id, sizeof id, "S%zu", r);
            if (r == 3)
                snprintf(reason, sizeof reason, "P06 is also a predecessor of another community (a split: no share "
                         "to divide its %s)", words[f]);
            else if (r == 4)
                snprintf(reason, sizeof reason, "P08 has no series in the panel");
            else if (r == 5)
                snprintf(reason, sizeof reason, "no period before its own in which every predecessor reported");
            if (r >= 3)
                snprintf(blocking, sizeof blocking, "%s", r == 3 ? "P06" : r == 4 ? "P08" : "");
            civ_table_set_text(j, r, c[0], id), civ_table_set_text(j, r, c[1], pred[r]);
            civ_table_set_text(j, r, c[2], st[r]), civ_table_set_number(j, r, c[3], np[r]);
            civ_table_set_text(j, r, c[4], r < 3 ? from[f] : ""), civ_table_set_text(j, r, c[5], r < 3 ? to[f] : "");
            civ_table_set_text(j, r, c[6], blocking), civ_table_set_text(j, r, c[7], reason);
            civ_table_set_text(j, r, c[8], shares[r]), civ_table_set_number(j, r, c[9], gap[r]);
            civ_table_set_text(j, r, c[10], gap[r] > 0 ? to[f] : "");
            civ_table_set_text(j, r, c[11], gap[r] > 0 ? to[f] : "");
            civ_table_set_text(en, r, ae[0], id), civ_table_set_text(zh, r, ze[0], id);
            civ_table_set_text(en, r, ae[1], "kids 6 months 20.0%; lowered to the cap");
            civ_table_set_text(zh, r, ze[1], "构成：kids 6 months 20.0%；降至封顶");
        }
        assert_int_equal(civ_plan_explain_joins(j, 0, freqs[f], en), CIV_OK);
        assert_int_equal(civ_plan_explain_joins(j, 1, freqs[f], zh), CIV_OK);
        for (size_t r = 0; r < N; r++) {
            civ_rbuf b = {0};
            rep_explanation_zh(&b, civ_table_text(en, r, ae[1]), NULL);
            if (strcmp(b.data, civ_table_text(zh, r, ze[1])))
                fail_msg("%s row %zu: the page says\n%s\na Chinese run writes\n%s", words[f], r, b.data,
                         civ_table_text(zh, r, ze[1]));
            civ_rbuf_free(&b);
        }
        civ_table_free(j), civ_table_free(en), civ_table_free(zh);
    }
    /* a folder written before the split's reason counted the panel's periods: "divide its months" in quarters */
    civ_rbuf b = {0};
    rep_explanation_zh(&b, "x 1.0% (demand from its own quarters only: P is also a predecessor of another community "
                           "(a split: no share to divide its months))", NULL);
    assert_string_equal(b.data, "构成：x 1.0%（需求仅按本社区自有季度预测：P 同时是其他社区的前身（拆分：无份额可分摊其历史））");
    civ_rbuf_free(&b);
}

/* Clauses of an older folder that fit no form of explain.c keep the
 * phrase-by-phrase translation. */
static void test_explanations_zh_older(void **state)
{
    (void)state;
    civ_rbuf b = {0};
    rep_explanation_zh(&b, "population 50.0%; lowered to the cap; aging tilt ×1.2", NULL);
    assert_string_equal(b.data, "构成：population 50.0%；降至封顶；aging 倾斜 ×1.2");
    civ_rbuf_free(&b);
    /* a plan's [data] predecessors notes (plan/join.c), at the end of the factor shares */
    rep_explanation_zh(&b, "meal_demand 20.0% (demand history joined from P01+P02: 30 months 2022-01..2024-06); "
                           "lowered to the cap", NULL);
    assert_string_equal(b.data, "构成：meal_demand 20.0%（需求历史接续自 P01+P02：30 个月 2022-01..2024-06）；降至封顶");
    civ_rbuf_free(&b);
    rep_explanation_zh(&b, "meal_demand 20.0% (demand from its own months only: P has no series in the panel)", NULL);
    assert_string_equal(b.data, "构成：meal_demand 20.0%（需求仅按本社区自有月份预测：P 在面板中无序列）");
    civ_rbuf_free(&b);
    /* ... counted in a quarterly panel's quarters (join.c; they were months whatever the panel) */
    rep_explanation_zh(&b, "meal_demand 20.0% (demand history joined from P01+P02: 10 quarters 2022-Q1..2024-Q2); "
                           "lowered to the cap", NULL);
    assert_string_equal(b.data, "构成：meal_demand 20.0%（需求历史接续自 P01+P02：10 个季度 2022-Q1..2024-Q2）；降至封顶");
    civ_rbuf_free(&b);
    rep_explanation_zh(&b, "meal_demand 20.0% (demand from its own years only: P has no series in the panel)", NULL);
    assert_string_equal(b.data, "构成：meal_demand 20.0%（需求仅按本社区自有年份预测：P 在面板中无序列）");
    civ_rbuf_free(&b);
    /* a plan in dollars run in English: the Chinese page follows its money with the code, as a run in Chinese
     * writes it (it said 元 after dollars) */
    rep_explanation_zh(&b, "population 50.0%; held at the floor of 50000.00; total 50000.00 (last year 48000.00, "
                           "+4.17%)", "USD");
    assert_string_equal(b.data, "构成：population 50.0%；保持在保底 50000.00 USD；合计 50000.00 USD（上年 48000.00 USD，+4.17%）");
    civ_rbuf_free(&b);
    /* the bounds in natural Chinese: the rule first, then the amount, then the arithmetic (it read
     * "按保持上年比例提高到上年 141870.24元的 85% = 120589.70元", "受增幅上限限制为比上年 ...") */
    rep_explanation_zh(&b, "population 50.0%; raised to hold-harmless 85% of last year 141870.24 = 120589.70", NULL);
    assert_string_equal(b.data, "构成：population 50.0%；因不低于上年的 85%，提高到 120589.70元（上年 141870.24元 × 85%）");
    civ_rbuf_free(&b);
    rep_explanation_zh(&b, "population 50.0%; limited by pace to +20% over last year 68100.00 = 81720.00", NULL);
    assert_string_equal(b.data, "构成：population 50.0%；受增幅上限限制，为上年 68100.00元 +20% = 81720.00元");
    civ_rbuf_free(&b);
    rep_explanation_zh(&b, "", NULL);
    assert_true(b.data == NULL || !strcmp(b.data, ""));
    civ_rbuf_free(&b);
}

/* A folder assembled by hand, without manifest.json, of another currency (amount_minor, amount_major): the page
 * called the amounts 元 and read them in hundredths (a JPY folder, whole yen, showed a hundredth of itself),
 * exit 0.  Now refused unless the currency is given; given, the minor unit is read from the columns. */
static void test_currency_without_manifest(void **state)
{
    (void)state;
    static const char tidy[] = "section,item,measure,unit,value\n"
                               "budget,total,amount,minor,%s\n"
                               "total,allocated,amount,minor,%s\n"
                               "total,allocated,communities,count,3\n";
    char sum[512], path[128];
    /* USD: cents */
    put("usd", "allocation.csv", "unique_id,name,district,amount_minor,amount_major\nC1,甲,B区,100000,1000.00\n"
                                 "C2,乙,A区,300000,3000.00\nC3,丙,B区,600000,6000.00\n");
    snprintf(sum, sizeof sum, tidy, "1000000", "1000000");
    put("usd", "allocation_summary.csv", sum);
    snprintf(path, sizeof path, "%s/usd", dir);
    assert_int_equal(civ_report_write(path, NULL), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "the allocation.csv amounts are in the minor and major units of "
                                                     "a currency other than CNY's fen and yuan (column "
                                                     "'amount_minor'), and nothing in the folder says which"));
    assert_non_null(strstr(civ_last_error_message(), "civicast report --currency USD, Python currency=\"USD\""));
    assert_non_null(strstr(civ_last_error()->file, "usd/allocation.csv"));
    civ_report_options o = {.lang = "zh", .currency = "USD"};
    assert_true(page_has(path, &o, "1.0 万美元")); /* 1,000,000 cents = 10,000.00 USD */
    assert_false(page_has(path, &o, "万元"));
    o.lang = "en";
    assert_true(page_has(path, &o, "USD"));
    o = (civ_report_options){.currency = "USD", .minor_unit = 1000}; /* the columns say 100 */
    assert_int_equal(civ_report_write(path, &o), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "say 100 minor units per USD (amount_minor 100000 = 100 x "
                                                     "amount_major 1000), but the minor unit is given as 1000"));
    o = (civ_report_options){.currency = "usd"};
    assert_int_equal(civ_report_write(path, &o), CIV_ERR_INVALID_ARGUMENT);
    /* JPY: whole yen in both columns; 10,000 yen was shown as 100 */
    put("jpy", "allocation.csv", "unique_id,name,district,amount_minor,amount_major\nC1,甲,B区,1000000,1000000\n"
                                 "C2,乙,A区,3000000,3000000\nC3,丙,B区,6000000,6000000\n");
    snprintf(sum, sizeof sum, tidy, "10000000", "10000000");
    put("jpy", "allocation_summary.csv", sum);
    snprintf(path, sizeof path, "%s/jpy", dir);
    assert_int_equal(civ_report_write(path, NULL), CIV_ERR_DOMAIN);
    o = (civ_report_options){.lang = "zh", .currency = "JPY"};
    assert_true(page_has(path, &o, "1,000.0 万日元"));
    /* CNY's columns under another currency; the currency against the manifest's */
    put("cny", "allocation.csv", ALLOC);
    put("cny", "allocation_summary.csv", SUMMARY);
    snprintf(path, sizeof path, "%s/cny", dir);
    o = (civ_report_options){.currency = "USD"};
    assert_int_equal(civ_report_write(path, &o), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "the allocation.csv amounts are in fen and yuan (column "
                                                     "'amount_yuan'), CNY's, but the currency is given as USD"));
    o.currency = "CNY";
    assert_int_equal(civ_report_write(path, &o), CIV_OK);
    put("cny", "manifest.json", "{\"currency\": \"CNY\", \"minor_unit\": 100}\n");
    o.currency = "HKD";
    assert_int_equal(civ_report_write(path, &o), CIV_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(civ_last_error_message(), "the currency is given as HKD, but the folder's manifest.json "
                                                     "says CNY"));
    /* a bare amount, nothing saying fen or yuan */
    put("bare", "allocation.csv", "unique_id,name,district,amount\nC1,甲,B区,1000\n");
    put("bare", "allocation_summary.csv", SUMMARY);
    snprintf(path, sizeof path, "%s/bare", dir);
    assert_int_equal(civ_report_write(path, NULL), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "the allocation.csv column 'amount' does not say its unit"));
    assert_non_null(strstr(civ_last_error_message(), "name it amount_fen (whole fen) or amount_yuan (yuan)"));
}

static void test_errors(void **state)
{
    (void)state;
    char path[128], file[192];
    snprintf(path, sizeof path, "%s/none", dir);
    assert_int_equal(civ_report_write(path, NULL), CIV_ERR_IO);
    assert_non_null(strstr(civ_last_error()->text, "allocation.csv"));
    assert_int_equal(civ_report_write(NULL, NULL), CIV_ERR_INVALID_ARGUMENT);
    civ_report_options fr = {.lang = "fr"};
    snprintf(path, sizeof path, "%s/w", dir);
    assert_int_equal(civ_report_write(path, &fr), CIV_ERR_INVALID_ARGUMENT);
    put("bad", "allocation.csv", "unique_id,amount\nC1,5\n");
    put("bad", "allocation_summary.csv", SUMMARY);
    snprintf(path, sizeof path, "%s/bad", dir);
    assert_int_equal(civ_report_write(path, NULL), CIV_ERR_MISSING_COLUMN);
    assert_non_null(strstr(civ_last_error()->text, "district"));
    assert_non_null(strstr(civ_last_error()->file, "allocation.csv"));
    snprintf(file, sizeof file, "%s/report.html", path);
    assert_int_equal(access(file, F_OK), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_money_formats),  cmocka_unit_test(test_model_names),
        cmocka_unit_test(test_escaping),       cmocka_unit_test(test_data_mapping),
        cmocka_unit_test(test_tidy_summary),
        cmocka_unit_test(test_currency_without_manifest),
        cmocka_unit_test(test_summary_labels),    cmocka_unit_test(test_street_zh_column),
        cmocka_unit_test(test_summary_history),   cmocka_unit_test(test_write_both_languages),
        cmocka_unit_test(test_workbook_named),
        cmocka_unit_test(test_monitor_workbook_named),
        cmocka_unit_test(test_monitoring_tables),
        cmocka_unit_test(test_monitoring_kinds),
        cmocka_unit_test(test_monitoring_watch_lists),
        cmocka_unit_test(test_inactivity_offset_from_table),
        cmocka_unit_test(test_monitoring_readable),
        cmocka_unit_test(test_monitoring_not_started),
        cmocka_unit_test(test_monitoring_closed),
        cmocka_unit_test(test_print_and_phone), cmocka_unit_test(test_history_and_per_aged),
        cmocka_unit_test(test_print_choice),
        cmocka_unit_test(test_district_facet),
        cmocka_unit_test(test_totals_later_years),
        cmocka_unit_test(test_monitoring_risks_only),
        cmocka_unit_test(test_monitor_folder),
        cmocka_unit_test(test_no_alerts),
        cmocka_unit_test(test_risk_grid),        cmocka_unit_test(test_backtest_table),
        cmocka_unit_test(test_backtest_words),   cmocka_unit_test(test_backtest_failures),
        cmocka_unit_test(test_amounts_and_unit),
        cmocka_unit_test(test_uncertainty_widest), cmocka_unit_test(test_uncertainty_communities),
        cmocka_unit_test(test_uncertainty_nothing_varies),
        cmocka_unit_test(test_waterfall_steps),  cmocka_unit_test(test_print_in_grey),
        cmocka_unit_test(test_model_mix_families),
        cmocka_unit_test(test_demand_window),    cmocka_unit_test(test_frequencies), cmocka_unit_test(test_zh_tidy),
        cmocka_unit_test(test_model_mix_many_specs),
        cmocka_unit_test(test_explanations_zh), cmocka_unit_test(test_explanations_zh_older),
        cmocka_unit_test(test_explanations_zh_joins),
        cmocka_unit_test(test_explanations_zh_spacing),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
