/*
 * test_wide.c -- unit tests of wide panels (engine/src/io/wide.c, read through
 * civ_panel_read_csv_ex with options.wide): a spreadsheet's row-per-series,
 * column-per-period layout gives the panel of the same data written long,
 * for every date form; the id column and the attributes; and every refusal
 * names the file, the column or the series.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "civicast.h"
#include "test_files.h"

static char tmpdir[128];
static int counter;

static int setup(void **state)
{
    (void)state;
    return tf_dir_make(tmpdir, sizeof tmpdir, tf_tmp_root(), "civ_test_wide_");
}

static int teardown(void **state)
{
    (void)state;
    return tf_dir_remove(tmpdir);
}

static const char *write_csv(const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/w%03d.csv", tmpdir, counter++);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static civ_status read_wide(const char *text, const char *id_column, const char *freq, civ_panel **out)
{
    civ_panel_read_options o = {.wide = 1, .id_column = id_column};
    assert_int_equal(civ_freq_parse(freq, &o.freq), CIV_OK);
    *out = NULL;
    civ_clear_error();
    return civ_panel_read_csv_ex(write_csv(text), &o, out);
}

static civ_panel *read_long(const char *text)
{
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_read_csv(write_csv(text), &p), CIV_OK);
    return p;
}

/* Same series (ids in the same order), starts, values (NaN = NaN), frequency and style. */
static void assert_same(const civ_panel *a, const civ_panel *b)
{
    assert_int_equal(civ_panel_frequency(a), civ_panel_frequency(b));
    assert_int_equal(civ_panel_phase(a), civ_panel_phase(b));
    assert_int_equal(civ_panel_date_style(a).anchor, civ_panel_date_style(b).anchor);
    assert_int_equal(civ_panel_date_style(a).time_sep, civ_panel_date_style(b).time_sep);
    assert_int_equal(civ_panel_n_series(a), civ_panel_n_series(b));
    for (size_t i = 0; i < civ_panel_n_series(a); i++) {
        const double *va, *vb;
        size_t na, nb;
        int64_t sa, sb;
        assert_string_equal(civ_panel_series_id(a, i), civ_panel_series_id(b, i));
        assert_int_equal(civ_panel_series(a, i, &va, &na, &sa), CIV_OK);
        assert_int_equal(civ_panel_series(b, i, &vb, &nb, &sb), CIV_OK);
        assert_int_equal(na, nb);
        assert_int_equal(sa, sb);
        for (size_t t = 0; t < na; t++)
            assert_true((isnan(va[t]) && isnan(vb[t])) || va[t] == vb[t]);
    }
}

/* Months in Excel's 2024年1月 form, an id column by its own name, attributes,
 * leading and trailing empty cells, a gap, columns out of order. */
static void test_months(void **state)
{
    (void)state;
    civ_panel *w = NULL;
    assert_int_equal(read_wide("\xEF\xBB\xBF社区编号,街道,常住人口,2024年1月,2024年3月,2024年2月,2024年4月\n"
                               "001,东街道,1200,10,,12,14\n"
                               "002,东街道,800,,6,5,7\n"
                               "003,西街道,950,3,5,4,\n",
                               NULL, NULL, &w),
                     CIV_OK);
    civ_panel *l = read_long("unique_id,ds,y\n001,2024-01,10\n001,2024-02,12\n001,2024-03,\n001,2024-04,14\n"
                             "002,2024-02,5\n002,2024-03,6\n002,2024-04,7\n003,2024-01,3\n003,2024-02,4\n"
                             "003,2024-03,5\n");
    assert_same(w, l);
    const civ_table *a = civ_panel_attributes(w);
    assert_non_null(a);
    size_t c;
    assert_int_equal(civ_table_find_column(a, "unique_id", &c), CIV_OK);
    assert_string_equal(civ_table_text(a, 0, c), "001"); /* an id stays text: 001 is not 1 */
    assert_int_equal(civ_table_find_column(a, "常住人口", &c), CIV_OK);
    assert_true(civ_table_column_type(a, c) == CIV_COLUMN_NUMBER && civ_table_number(a, 1, c) == 800);
    assert_int_equal(civ_table_find_column(a, "街道", &c), CIV_OK);
    civ_panel_free(w);
    /* unique_id is the id wherever it stands; a given id column wins */
    assert_int_equal(read_wide("名称,unique_id,2024-01,2024-02\n甲,001,10,12\n乙,002,5,6\n", NULL, NULL, &w), CIV_OK);
    assert_string_equal(civ_panel_series_id(w, 1), "002");
    civ_panel_free(w);
    assert_int_equal(read_wide("名称,编号,2024-01,2024-02\n甲,001,10,12\n乙,002,5,6\n", "编号", NULL, &w), CIV_OK);
    assert_string_equal(civ_panel_series_id(w, 0), "001");
    civ_panel_free(w);
    civ_panel_free(l);
}

/* The wide text reads as the long text does. */
static void expect_same_as_long(const char *wide, const char *long_text)
{
    civ_panel *w = NULL, *l = read_long(long_text);
    assert_int_equal(read_wide(wide, NULL, NULL, &w), CIV_OK);
    assert_same(w, l);
    civ_panel_free(w);
    civ_panel_free(l);
}

/* Every date form: years, quarters, month-start days (monthly, anchored at
 * the start), month-end days, weekly days, and a row without any value. */
static void test_forms(void **state)
{
    (void)state;
    expect_same_as_long("id,2022,2023,2024\na,1,2,3\n", "unique_id,ds,y\na,2022,1\na,2023,2\na,2024,3\n");
    expect_same_as_long("id,2024年第1季度,2024年第2季度\na,1,2\n", "unique_id,ds,y\na,2024-Q1,1\na,2024-Q2,2\n");
    expect_same_as_long("id,2024/1/31,2024/2/29,2024/3/31\na,1,2,3\n",
                        "unique_id,ds,y\na,2024-01-31,1\na,2024-02-29,2\na,2024-03-31,3\n");
    expect_same_as_long("id,2024-01-07,2024-01-14,2024-01-21\na,1,2,3\n",
                        "unique_id,ds,y\na,2024-01-07,1\na,2024-01-14,2\na,2024-01-21,3\n");
    expect_same_as_long("id,2024.09,2024.10,2024.11\na,1,2,3\n", "unique_id,ds,y\na,2024-09,1\na,2024-10,2\na,2024-11,3\n");
    expect_same_as_long("id,2024年预算,2024.09,2024.10\na,7,1,2\n", "unique_id,ds,y\na,2024-09,1\na,2024-10,2\n");
    civ_panel *w = NULL;
    assert_int_equal(read_wide("id,2024-01-01,2024-02-01,2024-03-01\na,1,2,3\nb,,,\n", NULL, NULL, &w), CIV_OK);
    assert_int_equal(civ_panel_frequency(w), CIV_FREQ_MONTHLY);
    assert_int_equal(civ_panel_date_style(w).anchor, CIV_ANCHOR_START);
    size_t n = 9;
    assert_int_equal(civ_panel_series(w, 1, NULL, &n, NULL), CIV_OK);
    assert_int_equal(n, 0); /* no value: an empty series */
    civ_panel_free(w);
    /* a frequency given for day headers that have none of their own: read so, the days between missing */
    assert_int_equal(read_wide("id,2024-01-01,2024-01-03\na,1,2\n", NULL, "daily", &w), CIV_OK);
    assert_int_equal(civ_panel_frequency(w), CIV_FREQ_DAILY);
    assert_int_equal(civ_panel_series(w, 0, NULL, &n, NULL), CIV_OK);
    assert_int_equal(n, 3);
    civ_panel_free(w);
    /* month starts are monthly: asked for as days (each month 30 empty days, forecast day by day) they are refused
     * with their own frequency (before 2026-12-07 read as a daily panel) */
    assert_int_equal(read_wide("id,2024-01-01,2024-02-01\na,1,2\n", NULL, "daily", &w), CIV_ERR_FREQUENCY);
    assert_non_null(strstr(civ_last_error()->message, "but the frequency asked for is daily"));
    assert_non_null(strstr(civ_last_error()->message, "--freq MS (monthly)"));
    assert_int_equal(read_wide("id,2024-01,2024-02\na,1,2\n", NULL, "QS", &w), CIV_ERR_FREQUENCY);
    assert_non_null(strstr(civ_last_error()->message, "a frequency chooses among day dates only"));
}

static void expect(const char *text, const char *id, civ_status status, const char *field, const char *needle)
{
    civ_panel *w = (civ_panel *)1;
    assert_int_equal(read_wide(text, id, NULL, &w), status);
    assert_null(w);
    const civ_error *e = civ_last_error();
    assert_non_null(strstr(e->file, tmpdir));
    if (field)
        assert_string_equal(e->field, field);
    if (!strstr(e->message, needle))
        fail_msg("'%s' lacks '%s'", e->message, needle);
}

/* As expect, with the line, column and series the error names. */
static void expect_at(const char *text, civ_status status, const char *series, long line, long column,
                      const char *needle)
{
    expect(text, NULL, status, NULL, needle);
    const civ_error *e = civ_last_error();
    assert_int_equal(e->line, line);
    assert_int_equal(e->column, column);
    assert_string_equal(e->series_id, series ? series : "");
}

static void test_errors(void **state)
{
    (void)state;
    expect("id,name\na,b\n", NULL, CIV_ERR_MISSING_COLUMN, NULL, "no column header is a date");
    /* a sheet of one year headed by its months alone (its year in the title or a merged cell above): said so,
     * with the cure (before 2026-12-07: "no column header is a date ... is the file long?") */
    expect("社区,1月,2月,12月\na,1,2,3\n", NULL, CIV_ERR_MISSING_COLUMN, "1月",
           "the headers are months without their year ('1月', ...): write the year into each header");
    expect("id,Jan,February,Mar\na,1,2,3\n", NULL, CIV_ERR_MISSING_COLUMN, "Jan", "months without their year");
    expect("id,1月\na,1\n", NULL, CIV_ERR_MISSING_COLUMN, NULL, "no column header is a date"); /* one: a name */
    expect("2024年社区助餐统计表,,,\n社区编号,2024年1月,2024年2月,2024年3月\n0101,1,2,3\n", NULL, CIV_ERR_MISSING_COLUMN,
           NULL, "if it is a title above the header (or a unit line such as 单位：元), skip the 1 row above the header "
           "with --skip-rows 1");
    expect("2024年社区助餐统计表,,,\n社区编号,2024年1月,2024年2月,2024年3月\n0101,1,2,3\n", "社区编号",
           CIV_ERR_MISSING_COLUMN, NULL, "has one cell only and is not a header ('2024年社区助餐统计表')");
    expect("2024-01,2024-02\n1,2\n", NULL, CIV_ERR_MISSING_COLUMN, "unique_id", "needs a series id column");
    expect("id,2024-01\na,1\n", "编号", CIV_ERR_MISSING_COLUMN, "编号", "no column '编号'");
    expect("id,2024-01,2024-02-01\na,1,2\n", NULL, CIV_ERR_FREQUENCY, "2024-02-01", "mix forms");
    expect("id,2024-01,2024年1月\na,1,2\n", NULL, CIV_ERR_DUPLICATE, NULL,
           "columns '2024-01' and '2024年1月' are the same period: keep one of them (delete the other column) or, if "
           "both count, add them into one column");
    expect("id,2024-01,2024-02\na,1,x\n", NULL, CIV_ERR_PARSE, "2024-02", "'x' is not a number");
    /* a printed table's dash for no data, full-width digits: the cure */
    expect("id,2024-01,2024-02\na,1,\xE2\x80\x94\n", NULL, CIV_ERR_PARSE, "2024-02", "a dash or slash for no data");
    expect("id,2024-01,2024-02\na,1,\xEF\xBC\x91\xEF\xBC\x92\n", NULL, CIV_ERR_PARSE, "2024-02", "full-width");
    assert_string_equal(civ_last_error()->series_id, "a");
    expect("id,2024-01,2024-02\na,1,\"1,200\"\n", NULL, CIV_ERR_PARSE, NULL, "thousands separator");
    /* with --thousands ",", the cell that made a column text is the first that is no number so read: the "-"
     * under "1,200" (before 2026-12-07 "'1,200' is not a number" at line 2) */
    civ_panel_read_options to = {.wide = 1, .thousands = ","};
    civ_panel *tw = (civ_panel *)1;
    civ_clear_error();
    assert_int_equal(civ_panel_read_csv_ex(write_csv("id,2024-01,2024-02\na,\"1,200\",5\nb,-,4\n"), &to, &tw),
                     CIV_ERR_PARSE);
    assert_null(tw);
    assert_int_equal(civ_last_error()->line, 3);
    assert_int_equal(civ_last_error()->column, 2);
    assert_string_equal(civ_last_error()->series_id, "b");
    assert_non_null(strstr(civ_last_error()->message, "'-' is not a number; a dash or slash for no data"));
    /* an id on two rows: both lines and the cure (before 2026-12-07 "series 'a' already exists") */
    expect("id,2024-01,2024-02\na,1,2\nb,5,6\na,3,4\n", NULL, CIV_ERR_DUPLICATE, "id",
           "series 'a' is on two rows (lines 2 and 4): a wide sheet has one row per series: keep one of them or, if "
           "both count, add them into one row and delete the other");
    assert_string_equal(civ_last_error()->series_id, "a");
    assert_int_equal(civ_last_error()->line, 4);
    expect("id,2024-01,2024-02\n,1,2\n", NULL, CIV_ERR_PARSE, "id", "empty series id");
    expect("id,2000-01,2024-02\na,1,2\n", NULL, CIV_ERR_LIMIT, NULL, "span 290 periods");
    /* cell errors found after the table was read name the file's line and column, counting line breaks
     * inside quoted cells (a notes column) and CRLF line ends */
    expect_at("id,note,2024-01,2024-02\r\na,\"two\r\nlines\",1,2\r\nb,\"say \"\"hi\"\"\",3,#N/A\r\n", CIV_ERR_PARSE,
              "b", 4, 4, "Excel error value");
    expect_at("id,2024-01,2024-02\na,1,2\nb,1,2\nc,1,x\n", CIV_ERR_PARSE, "c", 4, 3, "'x' is not a number");
    expect_at("id,note,2024-01\na,\"x\ny\",1\nb,,2\na,,3\n", CIV_ERR_DUPLICATE, "a", 5, 1, "");
    expect_at("id,2024-01\na,1\n,2\n", CIV_ERR_PARSE, NULL, 3, 1, "empty series id");
    /* a footnote under the table: named, not read as a series with no value */
    expect_at("id,2024-01,2024-02\na,1,2\n注：数据来自民政局,,\n", CIV_ERR_PARSE, "注：数据来自民政局", 3, 1,
              "reads as a note below the table");
    /* the sheet's total row (合计 = the column sums): named, not forecast and scored as one more series;
     * a sheet holding only the total is that series */
    expect_at("社区编号,2024年1月,2024年2月\r\nC001,1200,900\r\nC002,300,100\r\n合计,1500,1000\r\n",
              CIV_ERR_PARSE, "合计", 4, 1, "looks like the sheet's total row, not a series");
    expect_at("id,2024-01,2024-02\na,1,2\nb,3,4\n小计,4,6\nTotal,4,6\n", CIV_ERR_PARSE, "小计", 4, 1, "total row");
    civ_panel *only = NULL;
    assert_int_equal(read_wide("id,2024-01,2024-02\ntotal,1,2\n", NULL, NULL, &only), CIV_OK);
    civ_panel_free(only);
    expect("id,2024-01-01,2024-03-01\na,1,2\n", NULL, CIV_ERR_FREQUENCY, NULL, "");
    /* a header that starts as a period does but is not one is an error, not an attribute */
    expect("id,2024.01,2024.1\na,1,2\n", NULL, CIV_ERR_DATE, "2024.1", "January (2024.01) or October");
    expect("id,2024-01,2024-13\na,1,2\n", NULL, CIV_ERR_DATE, "2024-13", "month 13");
    expect("id,2024年1月,2024年13月\na,1,2\n", NULL, CIV_ERR_DATE, "2024年13月", "looks like a period");
    /* an English Excel's mmm-yy headers (2025-01 shown as Jan-25): named with the cure (before: "no column header
     * is a date"); with four-digit years they are months */
    expect("id,Jan-25,Feb-25\na,1,2\n", NULL, CIV_ERR_DATE, "Jan-25", "Excel's mmm-yy display of a month");
    civ_panel *named = NULL;
    assert_int_equal(read_wide("id,Jan-2025,Feb-2025,May\na,1,2,x\n", NULL, NULL, &named), CIV_OK);
    assert_int_equal(civ_panel_n_series(named), 1);
    civ_panel_free(named);
    civ_panel_read_options o = {.wide = 1, .target_column = "用餐人次"};
    civ_panel *w = NULL;
    assert_int_equal(civ_panel_read_csv_ex(write_csv("id,2024-01\na,1\n"), &o, &w), CIV_ERR_INVALID_ARGUMENT);
    /* read long, a wide file says what it is */
    assert_int_equal(civ_panel_read_csv(write_csv("社区,2024年1月,2024年2月\na,1,2\n"), &w), CIV_ERR_MISSING_COLUMN);
    assert_non_null(strstr(civ_last_error()->message, "2 of its columns are dates (2024年1月, ...): the file is wide"));
    /* a column per series, dates down the rows (pandas' df.pivot(index="ds", columns="unique_id")), read long
     * and read wide: said so (long: it was "no 'unique_id' column"; wide: "no column header is a date") */
    const char *pivot = write_csv("ds,C001,C002\n2024-01-01,1.0,2.0\n2024-02-01,3.0,\n");
    assert_int_equal(civ_panel_read_csv(pivot, &w), CIV_ERR_MISSING_COLUMN);
    assert_non_null(strstr(civ_last_error()->message, "but 'ds' and 2 others ('C001', ...): a column per series"));
    assert_non_null(strstr(civ_last_error()->message, "df.melt(id_vars=\"ds\""));
    assert_int_equal(civ_panel_read_csv_ex(pivot, &(civ_panel_read_options){.wide = 1}, &w), CIV_ERR_MISSING_COLUMN);
    assert_non_null(strstr(civ_last_error()->message, "the periods run down the first column ('ds')"));
    assert_int_equal(civ_panel_read_csv_ex(write_csv("id,name\na,b\nc,d\n"), &(civ_panel_read_options){.wide = 1},
                                           &w),
                     CIV_ERR_MISSING_COLUMN); /* no dates anywhere: the message as before */
    assert_non_null(strstr(civ_last_error()->message, "no column header is a date"));
}

/* The long reader's check of the ids (before 2026-12-07 the wide reader lacked it): ids that differ only by
 * spaces around them are one community split in two, named at the spaced one's line; an integer column pandas
 * wrote as floats reads as the integers, as in a long file. */
static void test_ids(void **state)
{
    (void)state;
    expect_at("社区,2025年1月,2025年2月\n0101,1,2\n0102,3,4\n0101 ,5,6\n", CIV_ERR_DUPLICATE, "0101 ", 4, 1,
              "series '0101 ' and '0101' differ only by spaces around the id: one community split in two");
    assert_string_equal(civ_last_error()->field, "社区");
    expect_at("id,2025-01\n\tA,1\nA,2\n", CIV_ERR_DUPLICATE, "\tA", 2, 1, "differ only by spaces");
    civ_panel *w = NULL;
    assert_int_equal(read_wide("id,2025-01,2025-02\n310101001.0,1,2\n310101002.0,3,\n", NULL, NULL, &w), CIV_OK);
    assert_string_equal(civ_panel_series_id(w, 0), "310101001");
    assert_string_equal(civ_panel_series_id(w, 1), "310101002");
    civ_panel_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_months),
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_ids),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
