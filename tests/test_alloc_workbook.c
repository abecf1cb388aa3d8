/*
 * test_alloc_workbook.c -- the allocation workbook (engine/src/alloc/workbook.c, civ_alloc_workbook_write) on a
 * small allocation of three communities: the sheets of the tables given, in the plan's order and names (Chinese,
 * English with lang "en"), the headers with the spec's labels of its factors, formulas, pools and reserves, the
 * allocation's columns reordered for a reader, the summary's codes in words, the cells equal to the tables'; the
 * workbook read back as next year's last-year allocation and as an allocation (civ_alloc_allocation_read) in
 * both languages, through the one label function the writer and the reader share; and the errors that leave
 * nothing (a bad language, no table, a path that is not .xlsx).  The sheets are read back with civicast's own
 * workbook reader (civ_table_read with .sheet), the sheet list with `unzip -p` (tf_zip_member).
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

#include <cmocka.h>

#include "alloc_fixture.h"
#include "civicast.h"
#include "test_files.h"

static char dir[512];

/* Two funds of two formulas, the first with a pool label and a formula label, a labelled factor, a labelled
 * reserve: every kind of spec label the workbook's headers take. */
static const char *spec_text = "version = \"w\"\n[budget]\ntotal = 10000.00\nfiscal_year = 2026\n"
                               "[[reserve]]\nname = \"emergency\"\nlabel = \"应急储备\"\nshare = 0.1\n"
                               "[[pool]]\nname = \"care\"\nlabel = \"养老补贴\"\nshare = 0.6\nformula = \"main\"\n"
                               "[[pool]]\nname = \"mig\"\nshare = 0.4\nformula = \"m2\"\n"
                               "[[formula]]\nname = \"main\"\nlabel = \"综合公式\"\nhold_harmless = 0.5\n"
                               "last_year = \"ly\"\n"
                               "[[formula]]\nname = \"m2\"\npace = 0.5\nlast_year = \"ly2\"\n"
                               "[[factor]]\nname = \"x\"\nlabel = \"人口\"\nformula = \"main\"\nattribute = \"x\"\n"
                               "weight = 1\n[[factor]]\nname = \"y\"\nformula = \"m2\"\nattribute = \"x\"\n"
                               "weight = 1\n";

/* The communities: ids that must stay text (001, 010) and last year's amounts in yuan; next year's have them
 * blank, filled from this year's workbook. */
static const char *communities = "unique_id,name,x,ly,ly2\n001,甲社区,10,1500,0\n002,乙社区,30,1500,1000\n"
                                 "010,丙社区,60,1500,0\n";
static const char *communities_next = "unique_id,name,x,ly,ly2\n001,甲社区,10,,\n002,乙社区,30,,\n010,丙社区,60,,\n";

typedef struct run_out {
    civ_table *alloc, *summary, *rules;
} run_out;

static civ_table *table_of(const civ_alloc_spec *s, const char *text)
{
    return af_csv_table(dir, text, civ_alloc_spec_text_columns(s));
}

/* The allocation (explained in Chinese), its summary and its rules' waterfall, as the plan makes them. */
static void run(const civ_alloc_spec *s, const civ_table *comm, run_out *o)
{
    memset(o, 0, sizeof *o);
    if (civ_alloc_run(s, comm, NULL, CIV_ALLOC_EXPLAIN_ZH, &o->alloc, &o->summary))
        fail_msg("allocation: %s", civ_last_error_message());
    civ_alloc_compare *cmp = NULL;
    const char *label = "plan";
    assert_int_equal(civ_alloc_compare_run(&s, &label, 1, comm, NULL, &cmp), CIV_OK);
    assert_int_equal(civ_alloc_compare_waterfall(cmp, &o->rules), CIV_OK);
    civ_alloc_compare_free(cmp);
}

static void run_free(run_out *o)
{
    civ_table_free(o->alloc), civ_table_free(o->summary), civ_table_free(o->rules);
}

static civ_table *sheet(const char *path, const char *name)
{
    civ_table_read_options ro = {.sheet = name, .text_columns = (const char *const[]){"社区编号", "Community id",
                                                                                        NULL}};
    civ_table *t = NULL;
    if (civ_table_read(path, &ro, &t))
        fail_msg("sheet %s of %s: %s", name, path, civ_last_error_message());
    return t;
}

static const char *text_at(const civ_table *t, size_t row, const char *col)
{
    size_t c;
    if (civ_table_find_column(t, col, &c))
        fail_msg("no column %s", col);
    return civ_table_text(t, row, c);
}

static int setup(void **state)
{
    (void)state;
    return tf_dir_make(dir, sizeof dir, tf_tmp_root(), "civ_test_allocwb_");
}

static int teardown(void **state)
{
    (void)state;
    return tf_dir_remove(dir);
}

/* The sheets in the plan's order and names, headed in Chinese with the spec's labels, the allocation's columns
 * first who, how much and why, the cells as the tables hold them, the codes in words. */
static void test_sheets_zh(void **state)
{
    (void)state;
    civ_alloc_spec *s = af_spec_of(spec_text);
    civ_table *comm = table_of(s, communities);
    run_out o;
    run(s, comm, &o);
    char path[600];
    snprintf(path, sizeof path, "%s/a_zh.xlsx", dir);
    civ_alloc_workbook_tables t = {.allocation = o.alloc, .summary = o.summary, .rules = o.rules};
    assert_int_equal(civ_alloc_workbook_write(path, s, &t, NULL, NULL), CIV_OK);
    char *wbx = tf_zip_member(path, "xl/workbook.xml"); /* three sheets, in the plan's order */
    char *a = strstr(wbx, "name=\"分配结果\""), *b = strstr(wbx, "name=\"分配汇总\""), *c = strstr(wbx, "name=\"规则分解\"");
    assert_true(a && b && c && a < b && b < c);
    assert_null(strstr(wbx, "name=\"不确定性\""));
    free(wbx);

    civ_table *al = sheet(path, "分配结果");
    assert_int_equal(civ_table_n_rows(al), 3);
    assert_string_equal(civ_table_column_name(al, 0), "社区编号");
    assert_string_equal(civ_table_column_name(al, 1), "社区名称");
    assert_string_equal(civ_table_column_name(al, 2), "区");
    assert_string_equal(civ_table_column_name(al, 3), "分配金额（元）");
    assert_string_equal(civ_table_column_name(al, 4), "占比（%）");
    assert_string_equal(civ_table_column_name(al, 5), "说明");
    assert_string_equal(text_at(al, 0, "社区编号"), "001"); /* the codes stayed text */
    assert_string_equal(text_at(al, 2, "社区编号"), "010");
    assert_non_null(strstr(text_at(al, 0, "说明"), "构成")); /* the sentences as the table holds them */
    for (size_t r = 0; r < 3; r++) { /* the spec's labels head the money, and the cells are the table's */
        assert_true(fabs(af_cell(al, r, "养老补贴（分）") - af_cell(o.alloc, r, "pool_care_fen")) <= 0);
        assert_true(fabs(af_cell(al, r, "mig（分）") - af_cell(o.alloc, r, "pool_mig_fen")) <= 0);
        assert_true(fabs(af_cell(al, r, "人口（分）") - af_cell(o.alloc, r, "factor_x_fen")) <= 1e-6);
        assert_true(fabs(af_cell(al, r, "分配金额（分）") - af_cell(o.alloc, r, "amount_fen")) <= 0);
    }
    size_t col;
    assert_int_equal(civ_table_find_column(al, "倾斜系数（综合公式）", &col), CIV_OK);
    civ_table_free(al);

    civ_table *su = sheet(path, "分配汇总"); /* the summary's codes in words, its labels as they are */
    assert_string_equal(civ_table_column_name(su, 0), "类别");
    int reserve = 0;
    for (size_t r = 0; r < civ_table_n_rows(su); r++)
        reserve |= !strcmp(text_at(su, r, "类别"), "储备金") && !strcmp(text_at(su, r, "项目"), "emergency");
    assert_true(reserve);
    civ_table_free(su);

    civ_table *ru = sheet(path, "规则分解");
    assert_string_equal(civ_table_column_name(ru, 0), "方案");
    assert_string_equal(text_at(ru, 0, "方案"), "本方案");
    civ_table_free(ru);
    run_free(&o);
    civ_table_free(comm);
    civ_alloc_spec_free(s);
}

/* lang "en": the sheets and headers in English, the labels the spec's own. */
static void test_sheets_en(void **state)
{
    (void)state;
    civ_alloc_spec *s = af_spec_of(spec_text);
    civ_table *comm = table_of(s, communities);
    run_out o;
    run(s, comm, &o);
    char path[600];
    snprintf(path, sizeof path, "%s/a_en.xlsx", dir);
    civ_alloc_workbook_tables t = {.allocation = o.alloc, .summary = o.summary};
    assert_int_equal(civ_alloc_workbook_write(path, s, &t, "en", NULL), CIV_OK);
    char *wbx = tf_zip_member(path, "xl/workbook.xml");
    assert_non_null(strstr(wbx, "name=\"allocation\""));
    assert_non_null(strstr(wbx, "name=\"summary\""));
    assert_null(strstr(wbx, "name=\"rules\""));
    free(wbx);
    civ_table *al = sheet(path, "allocation");
    assert_string_equal(civ_table_column_name(al, 0), "Community id");
    assert_true(fabs(af_cell(al, 1, "养老补贴 (fen)") - af_cell(o.alloc, 1, "pool_care_fen")) <= 0);
    civ_table_free(al);
    run_free(&o);
    civ_table_free(comm);
    civ_alloc_spec_free(s);
}

/* The workbook, in either language, read back as next year's last-year allocation (each fund's history is this
 * year's amount) and as an allocation (--paid, settle --allocation): its headers map back to the machine names
 * because the writer and the reader take the spec's labels from one function. */
static void test_reads_back(void **state)
{
    (void)state;
    for (int zh = 1; zh >= 0; zh--) {
        civ_alloc_spec *s = af_spec_of(spec_text);
        civ_table *comm = table_of(s, communities);
        run_out o;
        run(s, comm, &o);
        char path[600];
        snprintf(path, sizeof path, "%s/back_%s.xlsx", dir, zh ? "zh" : "en");
        civ_alloc_workbook_tables t = {.allocation = o.alloc, .summary = o.summary, .rules = o.rules};
        assert_int_equal(civ_alloc_workbook_write(path, s, &t, zh ? "zh" : "en", NULL), CIV_OK);

        civ_alloc_spec *next = af_spec_of(spec_text);
        if (civ_alloc_spec_read_last_year(next, path, NULL))
            fail_msg("read back: %s", civ_last_error_message());
        civ_table *comm2 = table_of(next, communities_next), *alloc2 = NULL;
        if (civ_alloc_run(next, comm2, NULL, CIV_ALLOC_EXPLAIN_NONE, &alloc2, NULL))
            fail_msg("next year: %s", civ_last_error_message());
        civ_table_free(comm2);
        for (size_t r = 0; r < 3; r++) {
            assert_true(fabs(af_cell(alloc2, r, "last_year_care_fen") - af_cell(o.alloc, r, "pool_care_fen")) <= 0);
            assert_true(fabs(af_cell(alloc2, r, "last_year_mig_fen") - af_cell(o.alloc, r, "pool_mig_fen")) <= 0);
        }
        civ_table *paid = NULL;
        assert_int_equal(civ_alloc_allocation_read(s, path, NULL, &paid), CIV_OK);
        assert_string_equal(text_at(paid, 2, zh ? "社区编号" : "Community id"), "010");
        civ_table_free(paid);
        civ_table_free(alloc2);
        civ_alloc_spec_free(next);
        run_free(&o);
        civ_table_free(comm);
        civ_alloc_spec_free(s);
    }
}

/* `[data] district = "区"`: the district column is the allocation's `district` once (as the name column is its
 * `name`), headed 区 in the Chinese workbook.  Before, allocation.csv had `区` (a default label) and again
 * `district`, and the 分配结果 sheet headed them "district" (in English: 区 was taken) and 区. */
static void test_district_column_once(void **state)
{
    (void)state;
    char text[2048];
    snprintf(text, sizeof text, "%s[data]\ndistrict = \"区\"\n", spec_text);
    civ_alloc_spec *s = af_spec_of(text);
    civ_table *comm = table_of(s, "unique_id,name,区,x,ly,ly2\n001,甲社区,东区,10,1500,0\n002,乙社区,西区,30,1500,1000\n"
                                  "010,丙社区,东区,60,1500,0\n");
    run_out o;
    run(s, comm, &o);
    size_t c, n_district = 0;
    assert_int_not_equal(civ_table_find_column(o.alloc, "区", &c), CIV_OK);
    civ_clear_error();
    for (size_t k = 0; k < civ_table_n_columns(o.alloc); k++)
        n_district += !strcmp(civ_table_column_name(o.alloc, k), "district");
    assert_int_equal(n_district, 1);
    assert_string_equal(text_at(o.alloc, 1, "district"), "西区");
    char path[600];
    snprintf(path, sizeof path, "%s/district_zh.xlsx", dir);
    civ_alloc_workbook_tables t = {.allocation = o.alloc, .summary = o.summary};
    assert_int_equal(civ_alloc_workbook_write(path, s, &t, NULL, NULL), CIV_OK);
    civ_table *al = sheet(path, "分配结果");
    assert_string_equal(civ_table_column_name(al, 2), "区");
    for (size_t k = 0; k < civ_table_n_columns(al); k++)
        assert_string_not_equal(civ_table_column_name(al, k), "district");
    assert_string_equal(text_at(al, 2, "区"), "东区");
    civ_table_free(al);
    run_free(&o);
    civ_table_free(comm);
    civ_alloc_spec_free(s);
}

/* Errors leave nothing: a language other than zh or en (field "lang"), no table, a path that is not .xlsx. */
static void test_errors(void **state)
{
    (void)state;
    civ_alloc_spec *s = af_spec_of(spec_text);
    civ_table *comm = table_of(s, communities);
    run_out o;
    run(s, comm, &o);
    char path[600];
    struct stat st;
    snprintf(path, sizeof path, "%s/bad.xlsx", dir);
    civ_alloc_workbook_tables t = {.allocation = o.alloc}, none = {0};
    assert_int_equal(civ_alloc_workbook_write(path, s, &t, "fr", NULL), CIV_ERR_INVALID_ARGUMENT);
    assert_string_equal(civ_last_error()->field, "lang");
    assert_non_null(strstr(civ_last_error_message(), "\"zh\" or \"en\", not 'fr'"));
    assert_int_equal(civ_alloc_workbook_write(path, s, &none, "zh", NULL), CIV_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(civ_last_error_message(), "no table to show"));
    assert_int_equal(civ_alloc_workbook_write(NULL, s, &t, "zh", NULL), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_alloc_workbook_write(path, s, NULL, "zh", NULL), CIV_ERR_INVALID_ARGUMENT);
    assert_int_not_equal(stat(path, &st), 0);
    snprintf(path, sizeof path, "%s/bad.csv", dir);
    assert_int_equal(civ_alloc_workbook_write(path, s, &t, "zh", NULL), CIV_ERR_UNSUPPORTED);
    assert_int_not_equal(stat(path, &st), 0);
    /* no spec: written, the factor's and the fund's headers from their names */
    snprintf(path, sizeof path, "%s/nospec.xlsx", dir);
    assert_int_equal(civ_alloc_workbook_write(path, NULL, &t, "zh", NULL), CIV_OK);
    civ_table *al = sheet(path, "分配结果");
    assert_true(fabs(af_cell(al, 0, "care（分）") - af_cell(o.alloc, 0, "pool_care_fen")) <= 0);
    civ_table_free(al);
    run_free(&o);
    civ_table_free(comm);
    civ_alloc_spec_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sheets_zh),
        cmocka_unit_test(test_sheets_en),
        cmocka_unit_test(test_reads_back),
        cmocka_unit_test(test_district_column_once),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
