/*
 * test_xlsx_write.c -- unit tests of the Excel workbook writer (layer io,
 * xlsx_write.c): cells and their types (an id of digits stays text, a
 * Chinese name, numbers, NaN as no cell), the money formats by column name
 * and by a summary's unit, the bold frozen filtered header, widths and
 * wrapping, Excel's limits refused before anything is written, atomic
 * replacement, the same bytes for the same tables, sheet names, the writers
 * by extension (table, panel, stream).  The files are read back with
 * `unzip -p` (the sheets are XML inside a zip); tests/python/test_xlsx_write.py
 * reads them with openpyxl, an independent reader.
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
#include <time.h>

#include <cmocka.h>

#include "civicast.h"
#include "table_stream.h"
#include "test_files.h"
#include "xlsx_write.h"

static char dir[512];

static int setup(void **state)
{
    (void)state;
    return tf_dir_make(dir, sizeof dir, tf_tmp_root(), "civ_test_xlsx_");
}

static int teardown(void **state)
{
    (void)state;
    return getenv("CIV_KEEP") ? 0 : tf_dir_remove(dir);
}

/* The style of cell `ref` (e.g. "C2") of the first sheet, as text: the number format's code ("General" for
 * none) and " wrap" when it wraps, " bold" when its font is bold.  libxlsxwriter numbers the styles in the
 * order cells first use them, so the test looks them up rather than assume an index. */
static const char *style_of(const char *path, const char *ref)
{
    static char out[256];
    char *sheet = tf_zip_member(path, "xl/worksheets/sheet1.xml"), *styles = tf_zip_member(path, "xl/styles.xml");
    char key[64];
    snprintf(key, sizeof key, "<c r=\"%s\"", ref);
    char *cell = strstr(sheet, key);
    assert_non_null(cell);
    char *end = strchr(cell, '>'), *sattr = strstr(cell, " s=\"");
    int xf = sattr && sattr < end ? atoi(sattr + 4) : 0;
    char *xfs = strstr(styles, "<cellXfs");
    assert_non_null(xfs);
    char *x = xfs;
    for (int k = 0; k <= xf; k++) {
        x = strstr(x + 1, "<xf ");
        assert_non_null(x);
    }
    char *xend = strstr(x, "</xf>"), *xclose = strstr(x, "/>");
    if (!xend || (xclose && xclose < xend && !memchr(x, '>', (size_t)(xclose - x))))
        xend = xclose;
    int fmt = atoi(strstr(x, "numFmtId=\"") + 10), font = atoi(strstr(x, "fontId=\"") + 8);
    int wrap = strstr(x, "wrapText=\"1\"") && strstr(x, "wrapText=\"1\"") < xend;
    const char *code = "General";
    char code_buf[64] = "";
    snprintf(key, sizeof key, "<numFmt numFmtId=\"%d\" formatCode=\"", fmt);
    char *nf = fmt ? strstr(styles, key) : NULL;
    if (nf) {
        nf += strlen(key);
        snprintf(code_buf, sizeof code_buf, "%.*s", (int)(strchr(nf, '"') - nf), nf);
        code = code_buf;
    } else if (fmt == 3) {
        code = "#,##0"; /* Excel's built-in formats */
    } else if (fmt == 4) {
        code = "#,##0.00";
    }
    char *fonts = strstr(styles, "<fonts"), *f = fonts;
    for (int k = 0; k <= font; k++)
        f = strstr(f + 1, "<font>");
    int bold = f && strstr(f, "<b/>") && strstr(f, "<b/>") < strstr(f, "</font>");
    snprintf(out, sizeof out, "%s%s%s", code, wrap ? " wrap" : "", bold ? " bold" : "");
    free(sheet);
    free(styles);
    return out;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The number of entries of the scratch folder (temporary files would show). */
static int entries(void)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."));
    closedir(d);
    return n;
}

static const char *long_text(void)
{
    return "构成：常住人口 14.5% + 60岁以上人口 30.1% + 流动人口 3.9%；保底 80,000 元起作用，"
           "比去年少 15%（跌幅上限），所以金额为 126,225.00 元";
}

/* unique_id (digits, a leading zero), name (Chinese), amount_fen, amount_yuan, share (a NaN), explanation. */
static civ_table *allocation_like(void)
{
    civ_table *t = NULL;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    const char *text[] = {"unique_id", "name", "explanation"};
    assert_int_equal(civ_table_add_column(t, "unique_id", CIV_COLUMN_TEXT, NULL), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "name", CIV_COLUMN_TEXT, NULL), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "amount_fen", CIV_COLUMN_NUMBER, NULL), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "amount_yuan", CIV_COLUMN_NUMBER, NULL), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "share", CIV_COLUMN_NUMBER, NULL), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "explanation", CIV_COLUMN_TEXT, NULL), CIV_OK);
    (void)text;
    assert_int_equal(civ_table_add_rows(t, 2, NULL), CIV_OK);
    civ_table_set_text(t, 0, 0, "310101001001");
    civ_table_set_text(t, 0, 1, "民主里社区");
    civ_table_set_number(t, 0, 2, 12622500);
    civ_table_set_number(t, 0, 3, 126225.0);
    civ_table_set_number(t, 0, 4, 0.0827);
    civ_table_set_text(t, 0, 5, long_text());
    civ_table_set_text(t, 1, 0, "0042");
    civ_table_set_text(t, 1, 1, "=A1+1");
    civ_table_set_number(t, 1, 2, -5);
    civ_table_set_number(t, 1, 3, -0.05);
    civ_table_set_number(t, 1, 4, NAN);
    civ_table_set_text(t, 1, 5, "short");
    return t;
}

/* Text cells are text whatever they hold; numbers are numbers; NaN is no cell. */
static void test_cells(void **state)
{
    (void)state;
    civ_table *t = allocation_like();
    const char *path = tf_path(dir, "allocation.xlsx");
    assert_int_equal(civ_table_write(t, path), CIV_OK);
    char *sheet = tf_zip_member(path, "xl/worksheets/sheet1.xml");
    char *book = tf_zip_member(path, "xl/workbook.xml");
    assert_non_null(strstr(book, "name=\"allocation\"")); /* the sheet named after the file */
    /* an id of 12 digits and one with a leading zero are text cells, not 3.10101E+11 and 42 */
    assert_non_null(strstr(sheet, "<c r=\"A2\" t=\"inlineStr\"><is><t>310101001001</t></is></c>"));
    assert_non_null(strstr(sheet, "<c r=\"A3\" t=\"inlineStr\"><is><t>0042</t></is></c>"));
    assert_non_null(strstr(sheet, "<t>民主里社区</t>"));
    /* a string cell is never a formula: written as it is, no <f> and no guard apostrophe */
    assert_non_null(strstr(sheet, "<t>=A1+1</t>"));
    assert_null(strstr(sheet, "<f>"));
    /* numbers as numbers */
    assert_non_null(strstr(sheet, "<v>12622500</v>"));
    assert_non_null(strstr(sheet, "<v>0.0827</v>"));
    /* NaN: no cell E3 at all */
    assert_null(strstr(sheet, "r=\"E3\""));
    assert_non_null(strstr(sheet, "r=\"F3\""));
    free(sheet);
    free(book);
    civ_table_free(t);
}

/* The header bold, frozen, filtered; money formats; widths from the content; long text wrapped. */
static void test_formats(void **state)
{
    (void)state;
    civ_table *t = allocation_like();
    const char *path = tf_path(dir, "formats.xlsx");
    assert_int_equal(civ_table_write(t, path), CIV_OK);
    char *sheet = tf_zip_member(path, "xl/worksheets/sheet1.xml");
    char *styles = tf_zip_member(path, "xl/styles.xml");
    assert_non_null(strstr(sheet, "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" "
                                  "state=\"frozen\"/>"));
    assert_non_null(strstr(sheet, "<autoFilter ref=\"A1:F3\"/>"));
    assert_non_null(strstr(styles, "formatCode=\"#,##0\""));
    assert_non_null(strstr(styles, "formatCode=\"#,##0.00\""));
    assert_non_null(strstr(styles, "<b/>"));
    assert_non_null(strstr(styles, "wrapText=\"1\""));
    /* the styles of the cells: header bold, fen #,##0, yuan #,##0.00, long text wrapped, a share 0.0000 (General
     * until 2026-12-07, which showed all 16 digits a wide column allowed) */
    assert_string_equal(style_of(path, "A1"), "General bold");
    assert_string_equal(style_of(path, "C2"), "#,##0");
    assert_string_equal(style_of(path, "C3"), "#,##0");
    assert_string_equal(style_of(path, "D2"), "#,##0.00");
    assert_string_equal(style_of(path, "F2"), "General wrap");
    assert_string_equal(style_of(path, "E2"), "0.0000");
    assert_string_equal(style_of(path, "F3"), "General"); /* short text: not wrapped */
    assert_non_null(strstr(sheet, "<v>126225</v>"));
    /* widths: the 12-digit id needs 12 (+1), the name 10 (5 CJK characters), the explanation wraps at 80 */
    assert_non_null(strstr(sheet, "<col min=\"1\" max=\"1\" width=\"13.7109375\""));
    assert_non_null(strstr(sheet, "<col min=\"2\" max=\"2\" width=\"11.7109375\""));
    assert_non_null(strstr(sheet, "<col min=\"6\" max=\"6\" width=\"81.7109375\""));
    free(sheet);
    free(styles);
    civ_table_free(t);

    /* a summary's value column takes its row's unit: fen #,##0, yuan #,##0.00; a plain number that is not whole
     * its display format (0.0000 below 1, #,##0.00 from 1 on, 0.00E+00 below 0.001), a whole one General; the
     * cells keep their values */
    civ_table *s = NULL;
    assert_int_equal(civ_table_create(&s), CIV_OK);
    civ_table_add_column(s, "unit", CIV_COLUMN_TEXT, NULL);
    civ_table_add_column(s, "value", CIV_COLUMN_NUMBER, NULL);
    civ_table_add_rows(s, 7, NULL);
    civ_table_set_text(s, 0, 0, "fen"), civ_table_set_number(s, 0, 1, 16600000000);
    civ_table_set_text(s, 1, 0, "fraction"), civ_table_set_number(s, 1, 1, 0.05);
    civ_table_set_text(s, 2, 0, "yuan"), civ_table_set_number(s, 2, 1, 1.5);
    civ_table_set_text(s, 3, 0, "minutes"), civ_table_set_number(s, 3, 1, 11.0727969348659);
    civ_table_set_text(s, 4, 0, "count"), civ_table_set_number(s, 4, 1, 2024);
    civ_table_set_text(s, 5, 0, "tiny"), civ_table_set_number(s, 5, 1, 1.5e-7);
    civ_table_set_text(s, 6, 0, "meals"), civ_table_set_number(s, 6, 1, -12345.678);
    path = tf_path(dir, "summary.xlsx");
    assert_int_equal(civ_table_write(s, path), CIV_OK);
    sheet = tf_zip_member(path, "xl/worksheets/sheet1.xml");
    assert_non_null(strstr(sheet, "<v>16600000000</v>"));
    assert_string_equal(style_of(path, "B2"), "#,##0");
    assert_string_equal(style_of(path, "B3"), "0.0000");
    assert_string_equal(style_of(path, "B4"), "#,##0.00");
    assert_string_equal(style_of(path, "B5"), "#,##0.00");
    assert_non_null(strstr(sheet, "<v>11.0727969348659</v>")); /* the value kept */
    assert_string_equal(style_of(path, "B6"), "General");       /* whole: as it is (2024, not 2,024) */
    assert_string_equal(style_of(path, "B7"), "0.00E+00");
    assert_string_equal(style_of(path, "B8"), "#,##0.00");
    free(sheet);
    civ_table_free(s);

    /* yuan kept as exact text by the allocation ("126225.00") are numbers in a sheet; other text stays text;
     * Chinese money headers (_分, （元）) are money too */
    assert_int_equal(civ_table_create(&s), CIV_OK);
    civ_table_add_column(s, "amount_yuan", CIV_COLUMN_TEXT, NULL);
    civ_table_add_column(s, "已拨金额_分", CIV_COLUMN_NUMBER, NULL);
    civ_table_add_column(s, "金额（元）", CIV_COLUMN_NUMBER, NULL);
    civ_table_add_rows(s, 2, NULL);
    civ_table_set_text(s, 0, 0, "126225.00"), civ_table_set_number(s, 0, 1, 7), civ_table_set_number(s, 0, 2, 7);
    civ_table_set_text(s, 1, 0, "1e5");
    path = tf_path(dir, "yuan.xlsx");
    assert_int_equal(civ_table_write(s, path), CIV_OK);
    sheet = tf_zip_member(path, "xl/worksheets/sheet1.xml");
    assert_non_null(strstr(sheet, "<v>126225</v>"));
    assert_string_equal(style_of(path, "A2"), "#,##0.00");
    assert_non_null(strstr(sheet, "<c r=\"A3\" t=\"inlineStr\"><is><t>1e5</t>"));
    assert_string_equal(style_of(path, "B2"), "#,##0");
    assert_string_equal(style_of(path, "C2"), "#,##0.00");
    free(sheet);
    civ_table_free(s);
}

/* Excel's limits: refused before anything is written, naming the limit and the cure. */
/* civ_workbook_write_formatted: a caller's number format per cell, as many distinct formats as its cells use
 * (the monitoring workbook's unit words, one per indicator: a city's indicator file may have dozens; a cap of
 * 32 refused the 33rd with CIV_ERR_LIMIT). */
static char formats_code[16];
static const char *format_per_row(void *arg, size_t sheet, size_t row, size_t column)
{
    (void)arg, (void)sheet, (void)column;
    snprintf(formats_code, sizeof formats_code, "0.0 \"u%zu\"", row);
    return formats_code;
}

static void test_many_formats(void **state)
{
    (void)state;
    civ_table *t = NULL;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "value", CIV_COLUMN_NUMBER, NULL), CIV_OK);
    assert_int_equal(civ_table_add_rows(t, 50, NULL), CIV_OK);
    for (size_t k = 0; k < 50; k++)
        assert_int_equal(civ_table_set_number(t, k, 0, (double)k + 0.25), CIV_OK);
    const char *path = tf_path(dir, "formats.xlsx"), *name = "s";
    const civ_table *tables[] = {t};
    assert_int_equal(civ_workbook_write_formatted(path, 1, tables, &name, NULL, format_per_row, NULL), CIV_OK);
    char *styles = tf_zip_member(path, "xl/styles.xml");
    assert_non_null(strstr(styles, "formatCode=\"0.0 &quot;u0&quot;\""));
    assert_non_null(strstr(styles, "formatCode=\"0.0 &quot;u49&quot;\""));
    free(styles);
    civ_table_free(t);
}

static void test_limits(void **state)
{
    (void)state;
    int before = entries();
    civ_table *t = NULL;
    /* rows: 1,048,576 under the header is one too many */
    assert_int_equal(civ_table_create(&t), CIV_OK);
    civ_table_add_column(t, "y", CIV_COLUMN_NUMBER, NULL);
    assert_int_equal(civ_table_add_rows(t, CIV_XLSX_MAX_ROWS, NULL), CIV_OK);
    const char *path = tf_path(dir, "rows.xlsx");
    assert_int_equal(civ_table_write(t, path), CIV_ERR_LIMIT);
    const char *msg = civ_last_error()->message;
    assert_non_null(strstr(msg, "1048575"));
    assert_non_null(strstr(msg, ".csv or .h5"));
    assert_false(exists(path));
    civ_table_free(t);
    /* columns: 16,385 */
    assert_int_equal(civ_table_create(&t), CIV_OK);
    for (unsigned c = 0; c <= CIV_XLSX_MAX_COLUMNS; c++) {
        char name[16];
        snprintf(name, sizeof name, "c%u", c);
        assert_int_equal(civ_table_add_column(t, name, CIV_COLUMN_NUMBER, NULL), CIV_OK);
    }
    assert_int_equal(civ_table_write(t, tf_path(dir, "cols.xlsx")), CIV_ERR_LIMIT);
    assert_non_null(strstr(civ_last_error()->message, "16384"));
    civ_table_free(t);
    /* a cell: 32,767 characters are fine (counted as characters, not bytes: CJK text of 3 bytes each), 32,768
     * are not */
    assert_int_equal(civ_table_create(&t), CIV_OK);
    civ_table_add_column(t, "note", CIV_COLUMN_TEXT, NULL);
    civ_table_add_rows(t, 1, NULL);
    char *big = malloc(3 * 32768 + 1);
    assert_non_null(big);
    for (int k = 0; k < 32767; k++)
        memcpy(big + 3 * k, "社", 3);
    big[3 * 32767] = '\0';
    civ_table_set_text(t, 0, 0, big);
    assert_int_equal(civ_table_write(t, tf_path(dir, "cell_ok.xlsx")), CIV_OK);
    memcpy(big + 3 * 32767, "区", 4);
    civ_table_set_text(t, 0, 0, big);
    path = tf_path(dir, "cell.xlsx");
    assert_int_equal(civ_table_write(t, path), CIV_ERR_LIMIT);
    assert_non_null(strstr(civ_last_error()->message, "32768 characters, more than the 32767"));
    assert_false(exists(path));
    free(big);
    civ_table_free(t);
    /* an infinite number, as the CSV writers */
    assert_int_equal(civ_table_create(&t), CIV_OK);
    civ_table_add_column(t, "y", CIV_COLUMN_NUMBER, NULL);
    civ_table_add_rows(t, 1, NULL);
    civ_table_set_number(t, 0, 0, INFINITY);
    assert_int_equal(civ_table_write(t, tf_path(dir, "inf.xlsx")), CIV_ERR_DOMAIN);
    civ_table_free(t);
    assert_int_equal(entries(), before + 1); /* cell_ok.xlsx only: no temporary file left */
}

/* A refused write leaves the old file whole; a good one replaces it. */
static void test_atomic(void **state)
{
    (void)state;
    civ_table *t = allocation_like();
    const char *path = tf_path(dir, "atomic.xlsx");
    FILE *f = fopen(path, "w");
    fputs("old", f);
    fclose(f);
    int before = entries();
    civ_table_set_number(t, 0, 4, INFINITY);
    assert_int_equal(civ_table_write(t, path), CIV_ERR_DOMAIN);
    char *text = tf_slurp(path, NULL);
    assert_string_equal(text, "old");
    free(text);
    assert_int_equal(entries(), before);
    civ_table_set_number(t, 0, 4, 0.5);
    assert_int_equal(civ_table_write(t, path), CIV_OK);
    text = tf_zip_member(path, "xl/worksheets/sheet1.xml");
    assert_non_null(strstr(text, "<v>0.5</v>"));
    free(text);
    assert_int_equal(entries(), before);
    civ_table_free(t);
}

/* The same tables give the same bytes (the creation time is fixed), whenever they are written. */
static void test_deterministic(void **state)
{
    (void)state;
    civ_table *t = allocation_like();
    char a[600], b[600];
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    assert_int_equal(mkdir(a, 0777), 0);
    assert_int_equal(mkdir(b, 0777), 0);
    const civ_table *tables[2] = {t, t};
    const char *names[2] = {"分配结果", "汇总"};
    assert_int_equal(civ_workbook_write(tf_path(a, "book.xlsx"), 2, tables, names, NULL), CIV_OK);
    struct timespec pause = {1, 100000000}; /* past a second: a clock in the file would show */
    nanosleep(&pause, NULL);
    assert_int_equal(civ_workbook_write(tf_path(b, "book.xlsx"), 2, tables, names, NULL), CIV_OK);
    size_t na, nb;
    char *x = tf_slurp(tf_path(a, "book.xlsx"), &na), *y = tf_slurp(tf_path(b, "book.xlsx"), &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(x, y, na);
    free(x);
    free(y);
    char *core = tf_zip_member(tf_path(a, "book.xlsx"), "docProps/core.xml");
    assert_non_null(strstr(core, "2000-01-01T00:00:00Z"));
    free(core);
    civ_workbook_options o = {.created = 1767225600}; /* 2026-01-01 */
    assert_int_equal(civ_workbook_write(tf_path(b, "book.xlsx"), 2, tables, names, &o), CIV_OK);
    core = tf_zip_member(tf_path(b, "book.xlsx"), "docProps/core.xml");
    assert_non_null(strstr(core, "2026-01-01T00:00:00Z"));
    free(core);
    char *book = tf_zip_member(tf_path(a, "book.xlsx"), "xl/workbook.xml");
    char *second = strstr(book, "name=\"汇总\"");
    assert_non_null(strstr(book, "name=\"分配结果\""));
    assert_true(second && strstr(book, "name=\"分配结果\"") < second); /* in the order given */
    free(book);
    civ_table_free(t);
}

/* Sheet names Excel refuses, and other bad arguments, fail before any file. */
static void test_sheet_names(void **state)
{
    (void)state;
    civ_table *t = allocation_like();
    const civ_table *tables[2] = {t, t};
    const char *path = tf_path(dir, "names.xlsx");
    const char *bad[][2] = {{"a:b", "ok"}, {"", "ok"}, {"'quoted'", "ok"}, {"ok", "OK"},
                            {"a name longer than thirty-one chars", "ok"}};
    civ_status want[] = {CIV_ERR_INVALID_ARGUMENT, CIV_ERR_INVALID_ARGUMENT, CIV_ERR_INVALID_ARGUMENT,
                         CIV_ERR_DUPLICATE, CIV_ERR_INVALID_ARGUMENT};
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        assert_int_equal(civ_workbook_write(path, 2, tables, bad[k], NULL), want[k]);
        assert_false(exists(path));
    }
    const char *ok[2] = {"三十一个字以内的中文名字也可以", "b"};
    assert_int_equal(civ_workbook_write(path, 2, tables, ok, NULL), CIV_OK);
    assert_int_equal(civ_workbook_write(tf_path(dir, "names.csv"), 2, tables, ok, NULL), CIV_ERR_UNSUPPORTED);
    assert_int_equal(civ_workbook_write(path, 0, tables, ok, NULL), CIV_ERR_INVALID_ARGUMENT);
    /* the writers by extension: .xls is refused, naming .xlsx */
    assert_int_equal(civ_table_write(t, tf_path(dir, "old.xls")), CIV_ERR_UNSUPPORTED);
    assert_non_null(strstr(civ_last_error()->message, "use .xlsx"));
    civ_table_free(t);
}

/* A chunked output as a workbook: the rows of every chunk, the header of an empty one, the row limit. */
static void test_stream(void **state)
{
    (void)state;
    civ_table *t = allocation_like();
    const char *path = tf_path(dir, "stream.xlsx");
    civ_table_stream *ts = NULL;
    assert_int_equal(civ_table_stream_open(path, NULL, &ts), CIV_OK);
    assert_int_equal(civ_table_stream_append(ts, t), CIV_OK);
    assert_int_equal(civ_table_stream_append(ts, t), CIV_OK);
    assert_false(exists(path)); /* nothing at the name before the commit */
    assert_int_equal(civ_table_stream_commit(ts, NULL), CIV_OK);
    char *sheet = tf_zip_member(path, "xl/worksheets/sheet1.xml");
    assert_non_null(strstr(sheet, "<c r=\"A5\" t=\"inlineStr\"><is><t>0042</t></is></c>"));
    assert_non_null(strstr(sheet, "<autoFilter ref=\"A1:F5\"/>"));
    assert_non_null(strstr(sheet, "<col min=\"6\" max=\"6\" width=\"81.7109375\""));
    free(sheet);
    /* a file staged by a run with several outputs (".<x>.staging.XXXXXX/<k>-<name>") is named after its final
     * name: before, "1-report" */
    char stage[600];
    snprintf(stage, sizeof stage, "%s/.f.xlsx.staging.AbC123", dir);
    assert_int_equal(mkdir(stage, 0777), 0);
    assert_int_equal(civ_table_stream_open(tf_path(stage, "1-report.xlsx"), NULL, &ts), CIV_OK);
    assert_int_equal(civ_table_stream_append(ts, t), CIV_OK);
    assert_int_equal(civ_table_stream_commit(ts, NULL), CIV_OK);
    char *wb = tf_zip_member(tf_path(stage, "1-report.xlsx"), "xl/workbook.xml");
    assert_non_null(strstr(wb, "<sheet name=\"report\" "));
    free(wb);
    assert_int_equal(civ_table_write(t, tf_path(dir, "2-plain.xlsx")), CIV_OK); /* elsewhere a name is a name */
    wb = tf_zip_member(tf_path(dir, "2-plain.xlsx"), "xl/workbook.xml");
    assert_non_null(strstr(wb, "<sheet name=\"2-plain\" "));
    free(wb);
    /* no chunk: the header of the columns given */
    const char *empty = tf_path(dir, "empty.xlsx");
    assert_int_equal(civ_table_stream_open(empty, NULL, &ts), CIV_OK);
    assert_int_equal(civ_table_stream_commit(ts, t), CIV_OK);
    sheet = tf_zip_member(empty, "xl/worksheets/sheet1.xml");
    assert_non_null(strstr(sheet, "<t>explanation</t>"));
    assert_null(strstr(sheet, "r=\"A2\""));
    free(sheet);
    civ_table_free(t);
    /* rows beyond a sheet's: refused at the chunk that passes the limit, and nothing left after abort */
    int before = entries();
    civ_table *n = NULL;
    assert_int_equal(civ_table_create(&n), CIV_OK);
    civ_table_add_column(n, "y", CIV_COLUMN_NUMBER, NULL);
    civ_table_add_rows(n, CIV_XLSX_MAX_ROWS - 1, NULL); /* NaN: no cells, fast */
    const char *big = tf_path(dir, "big.xlsx");
    assert_int_equal(civ_table_stream_open(big, NULL, &ts), CIV_OK);
    assert_int_equal(civ_table_stream_append(ts, n), CIV_OK);
    civ_table *one = NULL;
    civ_table_create(&one);
    civ_table_add_column(one, "y", CIV_COLUMN_NUMBER, NULL);
    civ_table_add_rows(one, 1, NULL);
    assert_int_equal(civ_table_stream_append(ts, one), CIV_ERR_LIMIT);
    civ_table_stream_abort(ts);
    assert_false(exists(big));
    assert_int_equal(entries(), before);
    civ_table_free(one);
    civ_table_free(n);
}

/* A panel as civ_panel_write_csv lays it out: unique_id, ds, y, covariates; ids as text. */
static void test_panel(void **state)
{
    (void)state;
    const char *csv = tf_path(dir, "panel.csv");
    FILE *f = fopen(csv, "w");
    fputs("unique_id,ds,y,aged60\n310101001001,2024-01,5,100\n310101001001,2024-02,,101\n007,2024-01,1.25,\n", f);
    fclose(f);
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_read(csv, &p), CIV_OK);
    const char *path = tf_path(dir, "panel.xlsx");
    assert_int_equal(civ_panel_write(p, path), CIV_OK);
    char *sheet = tf_zip_member(path, "xl/worksheets/sheet1.xml");
    assert_non_null(strstr(sheet, "<t>aged60</t>"));
    /* ids as text cells, in the order civ_panel_write_csv writes them */
    assert_non_null(strstr(sheet, "<is><t>310101001001</t></is></c><c r=\"B"));
    assert_non_null(strstr(sheet, "<is><t>007</t></is>"));
    assert_non_null(strstr(sheet, "<t>2024-02</t></is></c><c r=\"D"));   /* y missing: no C cell */
    assert_non_null(strstr(sheet, "<v>1.25</v>"));
    free(sheet);
    civ_panel_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cells),         cmocka_unit_test(test_formats), cmocka_unit_test(test_many_formats),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_atomic),        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_sheet_names),   cmocka_unit_test(test_stream),  cmocka_unit_test(test_panel),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
