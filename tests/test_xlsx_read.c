/*
 * test_xlsx_read.c -- unit tests of Excel workbooks read as panels and tables
 * (engine/src/io/xlsx_read.c, through civ_table_read, civ_panel_read_ex and the
 * CSV readers): values exact, dates by their format, the sheet picked by name or
 * as the only one with cells, formulas with and without a cached value, and every
 * hostile file refused with a status naming the file and the part or cell.
 * Fixtures: tests/data/xlsx/, made by tests/data/xlsx/make_fixtures.py (pandas
 * to_excel through openpyxl, and XML written by hand into a zip).
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
#include "xlsx_read.h"

static const char *fx(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/tests/data/xlsx/%s", CIV_SOURCE_DIR, name);
    return path;
}

static civ_table *table_of(const char *name, const civ_table_read_options *o)
{
    civ_table *t = NULL;
    civ_status s = civ_table_read(fx(name), o, &t);
    if (s)
        fprintf(stderr, "%s\n", civ_last_error()->text);
    assert_int_equal(s, CIV_OK);
    return t;
}

static size_t col(const civ_table *t, const char *name)
{
    size_t c = 0;
    assert_int_equal(civ_table_find_column(t, name, &c), CIV_OK);
    return c;
}

/* The read fails with `status` and a message that holds each of the NULL-terminated texts. */
static void refused(const char *path, const civ_table_read_options *o, civ_status status, ...)
{
    civ_table *t = NULL;
    civ_clear_error();
    civ_status s = civ_table_read(path, o, &t);
    if (s != status)
        fprintf(stderr, "%s: got %s: %s\n", path, civ_status_name(s), civ_last_error()->text);
    assert_int_equal(s, status);
    assert_null(t);
    const char *text = civ_last_error()->text;
    assert_non_null(strstr(text, path)); /* names the file */
    va_list ap;
    va_start(ap, status);
    for (const char *want; (want = va_arg(ap, const char *)) != NULL;) {
        if (!strstr(text, want))
            fprintf(stderr, "'%s' lacks '%s'\n", text, want);
        assert_non_null(strstr(text, want));
    }
    va_end(ap);
}

/* Shared strings with rich-text runs (concatenated, the phonetic run left out), inline strings, numbers in the
 * shortest text that reads back, booleans. */
static void test_values(void **state)
{
    (void)state;
    civ_table *t = table_of("rich.xlsx", NULL);
    assert_int_equal(civ_table_n_columns(t), 4);
    assert_string_equal(civ_table_column_name(t, 0), "unique_id");
    assert_string_equal(civ_table_column_name(t, 1), "value"); /* "va" + "lue", not the phonetic "ヴァ" */
    assert_string_equal(civ_table_text(t, 0, 0), "P01");      /* "P0" + "1" */
    assert_string_equal(civ_table_text(t, 1, 0), "P02");      /* an inline string */
    assert_true(fabs(civ_table_number(t, 0, 1) - 1.5) <= 0);
    assert_true(fabs(civ_table_number(t, 1, 2) - 1e-7) <= 0);
    assert_string_equal(civ_table_text(t, 0, 3), "TRUE");
    assert_string_equal(civ_table_text(t, 1, 3), "FALSE");
    civ_table_free(t);
    t = table_of("numbers.xlsx", NULL);
    size_t x = col(t, "x");
    assert_true(civ_table_number(t, 0, x) == 0.1 + 0.2); /* bit for bit */
    assert_true(civ_table_number(t, 1, x) == 123456789012.0);
    assert_true(civ_table_number(t, 2, x) == 0 && signbit(civ_table_number(t, 2, x)));
    assert_true(civ_table_number(t, 3, x) == 1.7976931348623157e308);
    civ_table_free(t);
}

/* A number whose format is a date is its ISO date, by what the format shows. */
static void test_dates(void **state)
{
    (void)state;
    civ_table *t = table_of("dates.xlsx", NULL);
    static const char *const want[] = {"2025-01-05", "2025-01-05", "2025-01", "2025-01", "2025-01", "2025-01",
                                       "2025-02",    "2025",       "3.5",     "1900-02-28", "1900-03-01",
                                       "2025-01-05"};
    assert_int_equal(civ_table_n_rows(t), sizeof want / sizeof *want);
    for (size_t r = 0; r < civ_table_n_rows(t); r++)
        assert_string_equal(civ_table_text(t, r, 1), want[r]);
    civ_table_free(t);
    t = table_of("dates1904.xlsx", NULL); /* workbookPr date1904: serials from 1904-01-01 */
    assert_string_equal(civ_table_text(t, 0, 1), "2025-01-05");
    civ_table_free(t);
    refused(fx("phantom60.xlsx"), NULL, CIV_ERR_DATE, "cell B2", "1900-02-29", NULL);
    /* a date-time format (id 22, m/d/yy h:mm) shows the time: read as the CSV's text (before 2026-12-07 refused,
     * so a sensor log typed in Excel could not be read); a panel refuses it there, at the cell */
    t = table_of("time_of_day.xlsx", NULL);
    assert_string_equal(civ_table_text(t, 1, 1), "2025-01-05 13:30:00");
    civ_table_free(t);
    t = table_of("datetimes.xlsx", NULL);
    static const char *const ts[] = {"2025-03-01 08:30:00", "2025-03-01 12:00:00", "2025-03-02",
                                     "2025-03-02 06:00:00.250"};
    for (size_t r = 0; r < 4; r++)
        assert_string_equal(civ_table_text(t, r, 1), ts[r]);
    civ_table_free(t);
    /* a date-only format over a time: still refused, the time being hidden from whoever reads the sheet */
    refused(fx("datetime_in_date.xlsx"), NULL, CIV_ERR_DATE, "cell B2", "2025-03-01 08:30:00", "time of day",
            "give the column a date-time format such as yyyy-mm-dd hh:mm:ss", NULL); /* a sensor log's cure too */
    assert_int_equal(civ_last_error()->line, 2);
    assert_int_equal(civ_last_error()->column, 2);
}

/* pandas' to_excel (openpyxl): Timestamps give the panel of the same data's CSV, and 12-digit codes and Chinese
 * names the table of its CSV. */
static void test_pandas(void **state)
{
    (void)state;
    civ_panel *a = NULL, *b = NULL;
    char csv[512];
    snprintf(csv, sizeof csv, "%s/tests/data/plan/meals.csv", CIV_SOURCE_DIR);
    assert_int_equal(civ_panel_read(fx("pandas_meals.xlsx"), &a), CIV_OK);
    assert_int_equal(civ_panel_read(csv, &b), CIV_OK);
    assert_int_equal(civ_panel_frequency(a), CIV_FREQ_MONTHLY);
    assert_int_equal(civ_panel_n_series(a), civ_panel_n_series(b));
    for (size_t i = 0; i < civ_panel_n_series(a); i++) {
        const double *va, *vb;
        size_t na, nb;
        int64_t sa, sb;
        assert_string_equal(civ_panel_series_id(a, i), civ_panel_series_id(b, i));
        assert_int_equal(civ_panel_series(a, i, &va, &na, &sa), CIV_OK);
        assert_int_equal(civ_panel_series(b, i, &vb, &nb, &sb), CIV_OK);
        assert_int_equal(na, nb);
        assert_true(sa == sb);
        assert_memory_equal(va, vb, na * sizeof *va);
    }
    civ_panel_free(a);
    civ_panel_free(b);
    const char *text_cols[] = {"社区编号", NULL};
    civ_table_read_options o = {.text_columns = text_cols};
    civ_table *t = table_of("pandas_communities.xlsx", &o), *u = NULL;
    assert_int_equal(civ_table_read(fx("pandas_communities.csv"), &o, &u), CIV_OK);
    assert_int_equal(civ_table_n_rows(t), 3);
    assert_string_equal(civ_table_text(t, 0, col(t, "社区编号")), "310101001001");
    assert_string_equal(civ_table_text(t, 2, col(t, "社区名称")), "新华里");
    for (size_t c = 0; c < civ_table_n_columns(u); c++)
        for (size_t r = 0; r < civ_table_n_rows(u); r++)
            if (civ_table_column_type(u, c) == CIV_COLUMN_NUMBER)
                assert_true(civ_table_number(t, r, c) == civ_table_number(u, r, c));
            else
                assert_string_equal(civ_table_text(t, r, c), civ_table_text(u, r, c));
    civ_table_free(t);
    civ_table_free(u);
}

/* A wide sheet whose month headers are dates shown as yyyy"年"m"月": a monthly panel, codes as text. */
static void test_wide(void **state)
{
    (void)state;
    civ_panel_read_options o = {.freq = {CIV_FREQ_UNKNOWN, CIV_ANCHOR_PERIOD, -1}, .wide = 1, .id_column = "社区编号"};
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_read_ex(fx("wide.xlsx"), &o, &p), CIV_OK);
    assert_int_equal(civ_panel_frequency(p), CIV_FREQ_MONTHLY);
    assert_int_equal(civ_panel_n_series(p), 2);
    const double *v;
    size_t n;
    assert_string_equal(civ_panel_series_id(p, 1), "310101002");
    assert_int_equal(civ_panel_series(p, 1, &v, &n, NULL), CIV_OK);
    assert_int_equal(n, 2);
    assert_true(v[0] == 289 && v[1] == 275);
    assert_non_null(civ_panel_attributes(p));
    civ_panel_free(p);
}

/* Wide sheets as offices lay them out, their errors at the sheet's cell (before 2026-12-07 a wide sheet's errors
 * named no cell, and the year merged above the months was "a value under a column with no name"). */
static void test_wide_layouts(void **state)
{
    (void)state;
    civ_panel_read_options o = {.freq = {CIV_FREQ_UNKNOWN, CIV_ANCHOR_PERIOD, -1}, .wide = 1};
    civ_panel *p = (civ_panel *)1;
    assert_int_equal(civ_panel_read_ex(fx("merged_year.xlsx"), &o, &p), CIV_ERR_PARSE);
    assert_null(p);
    const civ_error *e = civ_last_error();
    assert_true(e->line == 1 && e->column == 2);
    if (!strstr(e->message, "cell B1: row 1 holds the year '2025年' above months without their year on row 2 "
                            "('1月', ...)") || !strstr(e->message, "(2025年1月 or 2025-01)"))
        fail_msg("%s", e->message);
    assert_int_equal(civ_panel_read_ex(fx("wide_total.xlsx"), &o, &p), CIV_ERR_PARSE);
    e = civ_last_error();
    assert_true(e->line == 4 && e->column == 1);
    assert_string_equal(e->series_id, "合计");
    if (strncmp(e->message, "cell A4: '合计' looks like the sheet's total row", 30))
        fail_msg("%s", e->message);
}

/* Formulas: a cached value is the cell's value; none (a library that does not calculate) is refused at the cell
 * with the cure; an error value is explained by the CSV rules at its cell. */
static void test_formulas_and_errors(void **state)
{
    (void)state;
    civ_table *t = table_of("formula_cached.xlsx", NULL);
    assert_string_equal(civ_table_text(t, 1, 2), "2");
    assert_string_equal(civ_table_text(t, 2, 2), "x1");
    civ_table_free(t);
    refused(fx("formula_nocache.xlsx"), NULL, CIV_ERR_PARSE, "cell C3",
            "open and save it in Excel or LibreOffice so its formulas are calculated", NULL);
    /* openpyxl writes <f>..</f><v></v>: the same case, not "the file is damaged" */
    refused(fx("formula_emptyv.xlsx"), NULL, CIV_ERR_PARSE, "cell C2", "a formula with no calculated value",
            "open and save it in Excel or LibreOffice so its formulas are calculated", NULL);
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_read(fx("error_cell.xlsx"), &p), CIV_ERR_PARSE);
    assert_null(p);
    assert_int_equal(civ_last_error()->line, 3); /* the sheet's row and column */
    assert_int_equal(civ_last_error()->column, 3);
    assert_non_null(strstr(civ_last_error()->message, "cell C3"));
    assert_non_null(strstr(civ_last_error()->message, "#DIV/0!"));
}

/* The sheet: by name, else the only one with cells; several, or an unknown name, are refused listing them. */
static void test_sheets(void **state)
{
    (void)state;
    refused(fx("two_sheets.xlsx"), NULL, CIV_ERR_NOT_FOUND, "2 sheets hold data ('社区', 'Sheet2')", "--sheet",
            NULL);
    civ_table_read_options o = {.sheet = "Sheet2"};
    civ_table *t = table_of("two_sheets.xlsx", &o);
    assert_string_equal(civ_table_column_name(t, 1), "m");
    civ_table_free(t);
    o.sheet = "社区";
    t = table_of("two_sheets.xlsx", &o);
    assert_string_equal(civ_table_column_name(t, 1), "n");
    civ_table_free(t);
    o.sheet = "Sheet9";
    refused(fx("two_sheets.xlsx"), &o, CIV_ERR_NOT_FOUND, "no sheet named 'Sheet9'", "'社区', 'Sheet2'", NULL);
    t = table_of("one_with_data.xlsx", NULL); /* an empty sheet and one with a styled empty cell do not count */
    assert_string_equal(civ_table_column_name(t, 1), "n");
    civ_table_free(t);
}

/* A sheet pandas wrote with its index (df.to_excel(path)): the cure is to_excel's index=False, not to_csv's (which
 * it said before 2026-12-07), as a table and as a panel. */
static void test_pandas_index(void **state)
{
    (void)state;
    refused(fx("pandas_index.xlsx"), NULL, CIV_ERR_PARSE, "cell A1: empty column name",
            "save with df.to_excel(path, index=False)", NULL);
    assert_null(strstr(civ_last_error()->text, "to_csv"));
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_read(fx("pandas_index.xlsx"), &p), CIV_ERR_PARSE);
    assert_null(p);
    assert_non_null(strstr(civ_last_error()->text, "df.to_excel(path, index=False)"));
}

/* Cells by their reference: gaps are empty cells, a cell without r follows the last, styled empty cells add no
 * column; rows' lines are the sheet's rows. */
static void test_sparse_and_lines(void **state)
{
    (void)state;
    civ_table *t = table_of("sparse.xlsx", NULL);
    assert_int_equal(civ_table_n_columns(t), 4);
    assert_true(isnan(civ_table_number(t, 0, 1)) && isnan(civ_table_number(t, 0, 2)));
    assert_true(civ_table_number(t, 0, 3) == 3 && civ_table_number(t, 1, 1) == 2);
    assert_int_equal(civ_table_row_line(t, 0), 2);
    assert_int_equal(civ_table_row_line(t, 1), 3);
    civ_table_free(t);
    /* cells with a line break, in the header and in the rows above: each stays in its sheet row, so errors name
     * the row and the cell as Excel shows them, and the table's rows keep their lines (before 2026-12-06 the
     * lines below a break ran one ahead per break, and no cell was named) */
    t = table_of("multiline.xlsx", NULL);
    assert_string_equal(civ_table_column_name(t, 2), "用餐\n人次");
    assert_string_equal(civ_table_text(t, 1, 0), "民主里\n社区");
    assert_int_equal(civ_table_row_line(t, 0), 2);
    assert_int_equal(civ_table_row_line(t, 1), 3);
    civ_table_free(t);
    civ_panel_read_options o = {.freq = {CIV_FREQ_UNKNOWN, CIV_ANCHOR_PERIOD, -1}, .target_column = "用餐\n人次"};
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_read_ex(fx("multiline.xlsx"), &o, &p), CIV_ERR_PARSE);
    assert_int_equal(civ_last_error()->line, 3);
    assert_int_equal(civ_last_error()->column, 3);
    assert_non_null(strstr(civ_last_error()->message, "cell C3: "));
    char name[16];
    civ_xlsx_cell_name(5, 3, name);
    assert_string_equal(name, "C5");
    civ_xlsx_cell_name(1048576, 16384, name);
    assert_string_equal(name, "XFD1048576");
    civ_xlsx_cell_name(1, 16385, name);
    assert_string_equal(name, "");
}

/* An office's export with a title, a unit line and an empty row above the header: refused naming the rows to
 * skip (before 2026-12-07 "delete that row"), read with skip_rows, its cells still named as Excel shows them. */
static void test_title_rows(void **state)
{
    (void)state;
    refused(fx("titled.xlsx"), NULL, CIV_ERR_PARSE, "--skip-rows 3 (Python skip_rows=3)", NULL);
    civ_table_read_options o = {.skip_rows = 3, .text_columns = (const char *const[]){"社区编号", NULL}};
    civ_table *t = table_of("titled.xlsx", &o);
    assert_int_equal(civ_table_n_rows(t), 2);
    assert_string_equal(civ_table_text(t, 1, col(t, "社区编号")), "310101002");
    assert_true(civ_table_number(t, 0, col(t, "常住人口")) == 1200);
    assert_int_equal(civ_table_row_line(t, 0), 5);
    assert_int_equal(civ_table_row_line(t, 1), 6);
    civ_table_free(t);
    civ_panel_read_options po = {.freq = {CIV_FREQ_UNKNOWN, CIV_ANCHOR_PERIOD, -1}, .skip_rows = 3, .wide = 1};
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_read_ex(fx("titled.xlsx"), &po, &p), CIV_ERR_MISSING_COLUMN); /* no date header */
    assert_int_equal(civ_last_error()->line, 4);
}

/* Hostile and damaged files: a status naming the file and the part or cell, never a crash. */
static void test_hostile(void **state)
{
    (void)state;
    refused(fx("doctype.xlsx"), NULL, CIV_ERR_PARSE, "xl/worksheets/sheet1.xml", "DOCTYPE", NULL);
    civ_xlsx_set_part_limit((size_t)1 << 20);
    refused(fx("bomb.xlsx"), NULL, CIV_ERR_LIMIT, "xl/worksheets/sheet1.xml", "limit", NULL);
    civ_xlsx_set_part_limit(0);
    refused(fx("missing_workbook.xlsx"), NULL, CIV_ERR_PARSE, "xl/workbook.xml is missing", NULL);
    refused(fx("missing_sheet.xlsx"), NULL, CIV_ERR_PARSE, "xl/worksheets/sheet1.xml is missing", NULL);
    refused(fx("truncated.xlsx"), NULL, CIV_ERR_PARSE, "not an Excel workbook", NULL);
    refused(fx("not_a_zip.xlsx"), NULL, CIV_ERR_PARSE, "not an Excel workbook", NULL);
    refused(fx("ole.xlsx"), NULL, CIV_ERR_UNSUPPORTED, "Excel 97-2003", "save it as", NULL);
    refused(fx("out_of_order.xlsx"), NULL, CIV_ERR_PARSE, "cell B1 comes after C1", NULL);
    refused(fx("rows_out_of_order.xlsx"), NULL, CIV_ERR_PARSE, "rows out of order", NULL);
    refused(fx("beyond_xfd.xlsx"), NULL, CIV_ERR_PARSE, "'XFE1' is not a cell of A1:XFD1048576", NULL);
    refused(fx("huge_sst.xlsx"), NULL, CIV_ERR_PARSE, "cell B1", "beyond the workbook's 1 shared strings", NULL);
    refused("budget.xls", NULL, CIV_ERR_UNSUPPORTED, "not .xls", "Excel Workbook (.xlsx)", "CSV UTF-8", NULL);
    refused("budget.ods", NULL, CIV_ERR_UNSUPPORTED, "not .ods", NULL);
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_read(fx("doctype.xlsx"), &p), CIV_ERR_PARSE);
    assert_null(p);
    refused(fx("no_such_file.xlsx"), NULL, CIV_ERR_IO, "cannot open", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),      cmocka_unit_test(test_dates),
        cmocka_unit_test(test_pandas),      cmocka_unit_test(test_wide),
        cmocka_unit_test(test_wide_layouts),
        cmocka_unit_test(test_formulas_and_errors), cmocka_unit_test(test_sheets),
        cmocka_unit_test(test_sparse_and_lines),    cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_pandas_index),
        cmocka_unit_test(test_title_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
