/*
 * test_alloc_settle.c -- settlement (engine/src/alloc/settle.c): a case
 * computed by hand (carry-over within and beyond its cap, clawback, top-ups
 * cut pro rata to the top-up budget by the largest remainder, nothing to
 * settle), the explanations, the errors (missing and unknown communities,
 * fractional fen, missing column, non-decimal share), and 300 random cases
 * against a reference written here: every identity exact to the fen.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "alloc_fixture.h"
#include "civicast.h"

static const char *SPEC_HEAD = "version = \"s\"\n[budget]\ntotal = 1000.00\nfiscal_year = 2026\n[[pool]]\nname = "
                               "\"p\"\namount = 1000.00\n[[factor]]\nname = \"x\"\nattribute = \"x\"\nweight = 1\n";

static civ_alloc_spec *spec_with(const char *settlement)
{
    char text[2048];
    snprintf(text, sizeof text, "%s%s", SPEC_HEAD, settlement);
    return af_spec_of(text);
}

/* allocation (unique_id, amount_fen) and spending (unique_id, spent in yuan) tables */
static civ_table *two_columns(const char *num_col, size_t n, const char *const *ids, const double *v)
{
    civ_table *t = NULL;
    size_t a, b;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "unique_id", CIV_COLUMN_TEXT, &a), CIV_OK);
    assert_int_equal(civ_table_add_column(t, num_col, CIV_COLUMN_NUMBER, &b), CIV_OK);
    assert_int_equal(civ_table_add_rows(t, n, NULL), CIV_OK);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(civ_table_set_text(t, i, a, ids[i]), CIV_OK);
        assert_int_equal(civ_table_set_number(t, i, b, v[i]), CIV_OK);
    }
    return t;
}

static int64_t cell(const civ_table *t, size_t row, const char *col)
{
    return (int64_t)af_cell(t, row, col);
}

static void test_by_hand(void **state)
{
    (void)state;
    civ_alloc_spec *s = spec_with("[settlement]\ncarry_over = 0.10\ntop_up = 0.05\ntop_up_budget = 10.00\n");
    const char *ids[] = {"A", "B", "C", "D", "E"};
    const double alloc[] = {100000, 100000, 33333, 10000, 5000};
    const double spent[] = {950.00, 800.00, 400.00, 200.00, 50.00};
    civ_table *al = two_columns("amount_fen", 5, ids, alloc), *sp = two_columns("spent", 5, ids, spent);
    civ_table *out = NULL, *sum = NULL;
    assert_int_equal(civ_alloc_settle(s, al, sp, CIV_ALLOC_EXPLAIN_EN, &out, &sum), CIV_OK);
    /* carry within its cap; carry capped at 10% (10,000) and the rest clawed back */
    assert_int_equal(cell(out, 0, "carry_over_fen"), 5000), assert_int_equal(cell(out, 0, "clawback_fen"), 0);
    assert_int_equal(cell(out, 1, "carry_over_fen"), 10000), assert_int_equal(cell(out, 1, "clawback_fen"), 10000);
    /* claims floor(5% x 33,333) = 1,666 and 500 exceed the budget of 1,000: 769.16 -> 769, 230.84 -> 231 */
    assert_int_equal(cell(out, 2, "top_up_fen"), 769), assert_int_equal(cell(out, 2, "uncovered_fen"), 6667 - 769);
    assert_int_equal(cell(out, 3, "top_up_fen"), 231), assert_int_equal(cell(out, 3, "uncovered_fen"), 10000 - 231);
    for (int k = 0; k < 4; k++)
        assert_int_equal(cell(out, 4, (const char *[]){"carry_over_fen", "clawback_fen", "top_up_fen",
                                                       "uncovered_fen"}[k]), 0);
    size_t ex;
    assert_int_equal(civ_table_find_column(out, "explanation", &ex), CIV_OK);
    assert_non_null(strstr(civ_table_text(out, 1, ex), "carried over 100.00 (at most 10% of the allocation = 100.00), "
                                                       "clawed back 100.00"));
    assert_non_null(strstr(civ_table_text(out, 3, ex), "cut pro rata to the top-up budget"));
    assert_non_null(strstr(civ_table_text(out, 4, ex), "nothing to settle"));
    assert_int_equal(civ_table_n_rows(sum), 12);
    assert_int_equal((int64_t)civ_table_number(sum, 8, 4), 1000); /* top_up total = the budget */
    civ_table_free(out), civ_table_free(sum);
    assert_int_equal(civ_alloc_settle(s, al, sp, CIV_ALLOC_EXPLAIN_ZH, &out, NULL), CIV_OK);
    assert_non_null(strstr(civ_table_text(out, 1, ex), "结转 100.00元（不超过拨付额的 10% = 100.00元），收回 100.00元"));
    civ_table_free(out);
    civ_table_free(al), civ_table_free(sp), civ_alloc_spec_free(s);
}

static void test_errors(void **state)
{
    (void)state;
    civ_alloc_spec *s = spec_with("[settlement]\ncarry_over = 0.1\n");
    const char *ids[] = {"A", "B"}, *ids2[] = {"A", "C"};
    const double alloc[] = {100, 200}, spent[] = {1.00, 2.00}, frac[] = {1.001, 2.00};
    civ_table *al = two_columns("amount_fen", 2, ids, alloc), *out = NULL;
    civ_table *sp = two_columns("spent", 2, ids2, spent);
    assert_int_equal(civ_alloc_settle(s, al, sp, 0, &out, NULL), CIV_ERR_NOT_FOUND);
    assert_non_null(strstr(civ_last_error_message(), "community 'B'"));
    assert_null(out);
    civ_table_free(sp);
    sp = two_columns("spent", 2, ids, frac);
    assert_int_equal(civ_alloc_settle(s, al, sp, 0, &out, NULL), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "has more than the currency's 2 decimals"));
    civ_table_free(sp);
    sp = two_columns("paid", 2, ids, spent);
    assert_int_equal(civ_alloc_settle(s, al, sp, 0, &out, NULL), CIV_ERR_MISSING_COLUMN);
    civ_table_free(sp), civ_table_free(al), civ_alloc_spec_free(s);
    civ_alloc_spec *bad = NULL;
    char text[1024];
    snprintf(text, sizeof text, "%s[settlement]\ncarry_over = 1e-1\n", SPEC_HEAD);
    assert_int_equal(civ_alloc_spec_parse(text, strlen(text), "b.spec", &bad), CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error_message(), "plain decimal"));
    snprintf(text, sizeof text, "%s[settlement]\ncarry = 0.1\n", SPEC_HEAD);
    assert_int_equal(civ_alloc_spec_parse(text, strlen(text), "b.spec", &bad), CIV_ERR_SPEC);
}

/* A year-end spending sheet as finance exports it (the year-end walk of 2026-12-05): a third decimal on a
 * community's amount was rounded away silently (the tolerance was 1e-6 of the amount: 18 fen at 180,670 yuan),
 * a refund entered as negative spending got no cure, a total row no hint, and a release's output (amount_fen
 * = the release alone) was settled as the year's allocation with exit 0. */
static void test_year_end_sheet(void **state)
{
    (void)state;
    civ_alloc_spec *s = spec_with("[settlement]\ncarry_over = 0.1\ntop_up = 0.05\n");
    const char *ids[] = {"A", "B"}, *tot[] = {"A", "B", "合计"};
    const double alloc[] = {18972000, 99999999999}, third[] = {180670.327, 999999999.99};
    const double exact[] = {180670.33, 999999999.99}, refund[] = {180670.33, -1200.50};
    const double float_sum[] = {180670.33 + 1e-7, 999999999.99}; /* a float sum of many amounts: 1e-5 fen off */
    const double with_total[] = {180670.33, 999999999.99, 1000180670.32};
    civ_table *al = two_columns("amount_fen", 2, ids, alloc), *out = NULL;
    civ_table *sp = two_columns("spent", 2, ids, third);
    assert_int_equal(civ_alloc_settle(s, al, sp, 0, &out, NULL), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "180670.327 has more than the currency's 2 decimals"));
    assert_non_null(strstr(civ_last_error_message(), "=ROUND(cell, 2)"));
    assert_null(out);
    civ_table_free(sp);
    sp = two_columns("spent", 2, ids, exact); /* two decimals read exactly, up to ten digits of yuan */
    assert_int_equal(civ_alloc_settle(s, al, sp, 0, &out, NULL), CIV_OK);
    assert_int_equal(cell(out, 0, "spent_fen"), 18067033), assert_int_equal(cell(out, 1, "spent_fen"), 99999999999);
    civ_table_free(out), civ_table_free(sp);
    sp = two_columns("spent", 2, ids, float_sum);
    assert_int_equal(civ_alloc_settle(s, al, sp, 0, &out, NULL), CIV_OK);
    assert_int_equal(cell(out, 0, "spent_fen"), 18067033);
    civ_table_free(out), civ_table_free(sp);
    out = NULL;
    sp = two_columns("spent", 2, ids, refund);
    assert_int_equal(civ_alloc_settle(s, al, sp, 0, &out, NULL), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "community 'B'): 'spent' is negative (-1200.5): settlement "
                                                     "takes the year's net spending"));
    civ_table_free(sp);
    sp = two_columns("spent", 3, tot, with_total);
    assert_int_equal(civ_alloc_settle(s, al, sp, 0, &out, NULL), CIV_ERR_NOT_FOUND);
    assert_non_null(strstr(civ_last_error_message(), "spending table, row 3: community '合计' was not allocated "
                                                     "anything: it looks like the sheet's total row"));
    civ_table_free(sp);
    const char *twice[] = {"A", "B", "B"};
    const double with_refund[] = {180670.33, 999999999.99, -1200.50};
    sp = two_columns("spent", 3, twice, with_refund); /* a refund on a row of its own */
    assert_int_equal(civ_alloc_settle(s, al, sp, 0, &out, NULL), CIV_ERR_DUPLICATE);
    assert_non_null(strstr(civ_last_error_message(), "spending table, row 3 (community 'B'): already on row 2: "
                                                     "settlement takes one row per community, its net spending"));
    civ_table_free(sp);
    /* every missing community counted; a sheet keyed otherwise than the spec's [data] id: its columns named */
    const char *one[] = {"A"}, *none[] = {"Z"};
    sp = two_columns("spent", 1, one, exact);
    assert_int_equal(civ_alloc_settle(s, al, sp, 0, &out, NULL), CIV_ERR_NOT_FOUND);
    assert_non_null(strstr(civ_last_error_message(), "community 'B' (allocation row 2) has no row in the spending "
                                                     "table (add each with 0 spent"));
    civ_table_free(sp);
    sp = two_columns("spent", 1, none, exact);
    assert_int_equal(civ_alloc_settle(s, al, sp, 0, &out, NULL), CIV_ERR_NOT_FOUND);
    assert_non_null(strstr(civ_last_error_message(), "community 'A' (allocation row 1) has no row in the spending "
                                                     "table, nor has 1 other community"));
    civ_table_free(sp);
    /* codes that lost their leading zeros in one sheet (Excel): the cause and the cure, either way */
    const char *padded[] = {"007", "010"}, *plain[] = {"7", "10"};
    civ_table *alz = two_columns("amount_fen", 2, padded, alloc);
    sp = two_columns("spent", 2, plain, exact);
    assert_int_equal(civ_alloc_settle(s, alz, sp, 0, &out, NULL), CIV_ERR_NOT_FOUND);
    assert_non_null(strstr(civ_last_error_message(), "community '007' (allocation row 1) has no row in the spending "
                                                     "table, nor has 1 other community; the spending table has '7', "
                                                     "the same code without its leading zeros"));
    civ_table_free(sp);
    const char *twelve[] = {"007", "012"}, *spent_ids[] = {"007", "012", "12"}; /* a row typed again, zeros lost */
    civ_table_free(alz);
    alz = two_columns("amount_fen", 2, twelve, alloc);
    const double three[] = {1, 2, 3};
    sp = two_columns("spent", 3, spent_ids, three);
    assert_int_equal(civ_alloc_settle(s, alz, sp, 0, &out, NULL), CIV_ERR_NOT_FOUND);
    assert_non_null(strstr(civ_last_error_message(), "community '12' was not allocated anything; the allocation has "
                                                     "'012', the same code with leading zeros"));
    civ_table_free(sp);
    civ_table_free(alz);
    civ_table *renamed = NULL;
    size_t k0, k1;
    assert_int_equal(civ_table_create(&renamed), CIV_OK);
    assert_int_equal(civ_table_add_column(renamed, "社区编号", CIV_COLUMN_TEXT, &k0), CIV_OK);
    assert_int_equal(civ_table_add_column(renamed, "spent", CIV_COLUMN_NUMBER, &k1), CIV_OK);
    assert_int_equal(civ_alloc_settle(s, al, renamed, 0, &out, NULL), CIV_ERR_MISSING_COLUMN);
    assert_non_null(strstr(civ_last_error_message(), "no text id column 'unique_id' (the spec's [data] id); its "
                                                     "columns are '社区编号', 'spent': name its community id column"));
    civ_table_free(renamed);
    /* a spending column named in fen or in 万元 would be read 100 times too much or 10,000 times too little */
    /* (the unit marks of civ_alloc_column_unit, shared with the release's paid column); a column marked in yuan
     * is read, and so is "spent_fen_total", whose suffix is not a unit */
    const char *names[] = {"spent_fen", "支出（万元）", "支出(分)", "支出【分】", "支出 单位：分", "支出（元）",
                           "spent_yuan", "spent_fen_total"};
    for (int k = 0; k < 8; k++) {
        char rules[256];
        snprintf(rules, sizeof rules, "[settlement]\ncarry_over = 0.1\nspent = \"%s\"\n", names[k]);
        civ_alloc_spec *su = spec_with(rules);
        sp = two_columns(names[k], 2, ids, exact);
        if (k < 5) {
            assert_int_equal(civ_alloc_settle(su, al, sp, 0, &out, NULL), CIV_ERR_DOMAIN);
            assert_non_null(strstr(civ_last_error_message(), "and spending is read in yuan"));
        } else {
            assert_int_equal(civ_alloc_settle(su, al, sp, 0, &out, NULL), CIV_OK);
            civ_table_free(out);
        }
        civ_table_free(sp), civ_alloc_spec_free(su);
    }
    /* a release's output: amount_fen is the release alone */
    sp = two_columns("spent", 2, ids, exact);
    size_t pc;
    assert_int_equal(civ_table_add_column(al, "paid_fen", CIV_COLUMN_NUMBER, &pc), CIV_OK);
    assert_int_equal(civ_alloc_settle(s, al, sp, 0, &out, NULL), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "is a reserve release"));
    assert_null(out);
    civ_table_free(sp), civ_table_free(al), civ_alloc_spec_free(s);
}

/* The sheet as Excel saves it: errors name the file as given and the line a spreadsheet user sees (the header
 * with its byte-order mark is line 1, a name cell with a line break takes two lines, a blank last line is
 * allowed) and the column; before 2026-12-05 they said "spending table, row 2", counting data rows, and named no
 * file.  A DataFrame's table (named by Python, rows from 0) is named with its row. */
static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static civ_status settle_file(const civ_alloc_spec *s, const civ_table *al, const char *path, const char *text)
{
    write_file(path, text);
    civ_table_read_options o = {.id_column = "社区编号", .thousands = ","};
    civ_table *sp = NULL, *out = NULL;
    assert_int_equal(civ_table_read_csv(path, &o, &sp), CIV_OK);
    civ_status st = civ_alloc_settle(s, al, sp, 0, &out, NULL);
    assert_null(out);
    civ_table_free(sp);
    return st;
}

static void test_file_lines(void **state)
{
    (void)state;
    civ_alloc_spec *s = spec_with("[settlement]\ncarry_over = 0.1\nspent = \"支出（元）\"\n");
    const char *ids[] = {"A", "B"};
    const double alloc[] = {100000, 200000};
    civ_table *al = two_columns("amount_fen", 2, ids, alloc);
    char path[] = "/tmp/civ_settle_linesXXXXXX.csv";
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    close(fd);
    const char *head = "\xEF\xBB\xBF社区编号,名称,支出（元）\r\nA,\"石岭镇\r\n第一村\",\"1,000.00\"\r\n";
    char text[512];
    snprintf(text, sizeof text, "%sB,普通,\"2,000.007\"\r\n\r\n", head);
    assert_int_equal(settle_file(s, al, path, text), CIV_ERR_DOMAIN);
    const civ_error *e = civ_last_error();
    assert_string_equal(e->file, path);
    assert_int_equal(e->line, 4), assert_int_equal(e->column, 3);
    assert_string_equal(e->field, "支出（元）");
    assert_non_null(strstr(e->message, "community 'B': '支出（元）' = 2000.007 has more than"));
    snprintf(text, sizeof text, "%sB,普通,-5\r\n", head);
    assert_int_equal(settle_file(s, al, path, text), CIV_ERR_DOMAIN);
    assert_int_equal(civ_last_error()->line, 4), assert_int_equal(civ_last_error()->column, 3);
    /* Excel's accounting zero "-" made the column text, and the error was "malformed money amount '1,000.00'"
     * on the first row; an empty cell was "missing" without the cure */
    snprintf(text, sizeof text, "%sB,普通,-\r\n", head);
    assert_int_equal(settle_file(s, al, path, text), CIV_ERR_DOMAIN);
    assert_int_equal(civ_last_error()->line, 4), assert_int_equal(civ_last_error()->column, 3);
    assert_non_null(strstr(civ_last_error()->message, "community 'B': '支出（元）' is '-', not an amount (a dash"));
    assert_non_null(strstr(civ_last_error()->message, "write 0 for a community that spent nothing"));
    snprintf(text, sizeof text, "%sB,普通,\r\n", head);
    assert_int_equal(settle_file(s, al, path, text), CIV_ERR_DOMAIN);
    assert_int_equal(civ_last_error()->line, 4);
    assert_non_null(strstr(civ_last_error()->message, "'支出（元）' is empty: write 0 for a community that spent"));
    snprintf(text, sizeof text, "%sB,普通,5\r\nA,再次,1\r\n", head);
    assert_int_equal(settle_file(s, al, path, text), CIV_ERR_DUPLICATE);
    assert_int_equal(civ_last_error()->line, 5), assert_int_equal(civ_last_error()->column, 1);
    assert_non_null(strstr(civ_last_error()->message, "community 'A': already on line 2: settlement takes one row"));
    snprintf(text, sizeof text, "%sB,普通,5\r\n合计,,\"1,005.00\"\r\n", head);
    assert_int_equal(settle_file(s, al, path, text), CIV_ERR_NOT_FOUND);
    assert_string_equal(civ_last_error()->file, path);
    assert_int_equal(civ_last_error()->line, 5);
    assert_non_null(strstr(civ_last_error()->message, "community '合计' was not allocated anything: it looks like"));
    assert_int_equal(settle_file(s, al, path, head), CIV_ERR_NOT_FOUND); /* B missing: the allocation's row named */
    assert_string_equal(civ_last_error()->file, path);
    assert_non_null(strstr(civ_last_error()->message, "community 'B' (allocation row 2) has no row"));
    /* a projection's stacked years given as the allocation: the duplicate named with the cause */
    write_file(path, "year,unique_id,amount_fen\n2026,A,100000\n2026,B,200000\n2027,A,110000\n2027,B,210000\n");
    civ_table *proj = NULL;
    assert_int_equal(civ_table_read_csv(path, NULL, &proj), CIV_OK);
    civ_table *spx = two_columns("支出（元）", 2, ids, (const double[]){1.00, 2.00}), *outx = NULL;
    assert_int_equal(civ_alloc_settle(s, proj, spx, 0, &outx, NULL), CIV_ERR_DUPLICATE);
    assert_string_equal(civ_last_error()->file, path);
    assert_int_equal(civ_last_error()->line, 4);
    assert_non_null(strstr(civ_last_error()->message, "already on line 2: the allocation holds several years"));
    civ_table_free(proj), civ_table_free(spx);
    remove(path);
    /* a table named by its caller (Python: "the spending DataFrame", rows from 0) */
    const double frac[] = {1.00, 2.001};
    civ_table *sp = two_columns("支出（元）", 2, ids, frac), *out = NULL;
    assert_int_equal(civ_table_set_source(sp, "the spending DataFrame", 0), CIV_OK);
    assert_int_equal(civ_alloc_settle(s, al, sp, 0, &out, NULL), CIV_ERR_DOMAIN);
    assert_string_equal(civ_last_error()->file, "the spending DataFrame");
    assert_int_equal(civ_last_error()->line, 0);
    assert_non_null(strstr(civ_last_error()->message, "row 1 (community 'B'): '支出（元）' = 2.001 has more than"));
    assert_int_equal(civ_table_set_source(sp, NULL, 2), CIV_ERR_INVALID_ARGUMENT);
    civ_table_free(sp), civ_table_free(al), civ_alloc_spec_free(s);
}

/* A spending sheet in fen under the default header 'spent' (read in yuan): every community "overspent" about 100
 * times, with exit 0.  Refused when the year's spending is at least 20 times the allocation and the header names
 * no unit; a header naming yuan is read as it is. */
static void test_fen_sheet(void **state)
{
    (void)state;
    civ_alloc_spec *s = spec_with("[settlement]\ncarry_over = 0.1\ntop_up = 0.05\n");
    const char *ids[] = {"A", "B", "C"};
    const double alloc[] = {100000, 200000, 50000}, fen[] = {95000, 210000, 40000}, yuan[] = {950, 2100, 400};
    civ_table *al = two_columns("amount_fen", 3, ids, alloc), *sp = two_columns("spent", 3, ids, fen), *out = NULL;
    assert_int_equal(civ_alloc_settle(s, al, sp, 0, &out, NULL), CIV_ERR_DOMAIN);
    assert_null(out);
    assert_non_null(strstr(civ_last_error_message(), "the spending column 'spent' does not say its unit and is read "
                                                     "in yuan: it totals 345000.00, 99 times the 3500.00 allocated, "
                                                     "as a sheet in fen read as yuan would"));
    assert_non_null(strstr(civ_last_error_message(), "(in the sheet =cell/100)"));
    assert_string_equal(civ_last_error()->field, "spent");
    civ_table_free(sp);
    sp = two_columns("spent", 3, ids, yuan); /* the same sheet in yuan */
    assert_int_equal(civ_alloc_settle(s, al, sp, 0, &out, NULL), CIV_OK);
    assert_int_equal(cell(out, 1, "spent_fen"), 210000);
    civ_table_free(out), civ_table_free(sp), civ_alloc_spec_free(s);
    /* spending that really is 100 times the allocation, under a header that says yuan: read as it is */
    s = spec_with("[settlement]\ncarry_over = 0.1\nspent = \"支出（元）\"\n");
    sp = two_columns("支出（元）", 3, ids, fen);
    assert_int_equal(civ_alloc_settle(s, al, sp, 0, &out, NULL), CIV_OK);
    assert_int_equal(cell(out, 1, "spent_fen"), 21000000);
    civ_table_free(out), civ_table_free(sp), civ_table_free(al), civ_alloc_spec_free(s);
}

/* The year's amounts in yuan: a sheet typed in yuan under amount_fen was refused as "115251.82 is not a whole number
 * of minor units", with no cure; a sheet headed amount_yuan was refused as having no amount_fen.  Now the first
 * names the cure (head it amount_yuan) and amount_yuan is read exactly to the fen. */
static void test_allocation_in_yuan(void **state)
{
    (void)state;
    civ_alloc_spec *s = spec_with("[settlement]\ncarry_over = 0.1\ntop_up = 0.05\n");
    const char *ids[] = {"A", "B", "C"};
    const double yuan[] = {1000, 1152.82, 333.33}, fen[] = {100000, 115282, 33333}, spent[] = {950, 1200, 333.33};
    civ_table *al = two_columns("amount_fen", 3, ids, yuan), *sp = two_columns("spent", 3, ids, spent), *out = NULL;
    assert_int_equal(civ_alloc_settle(s, al, sp, 0, &out, NULL), CIV_ERR_DOMAIN);
    assert_null(out);
    assert_non_null(strstr(civ_last_error_message(), "allocation table, row 2 (community 'B'): 'amount_fen' = "
                                                     "1152.82 is not a whole number of fen: 2 of the column's 3 "
                                                     "values have decimals, none more than 2, as amounts in yuan do: "
                                                     "the column holds yuan, not fen: head it 'amount_yuan' (read "
                                                     "exactly to the fen) in place of the fen column"));
    civ_table_free(al);
    al = two_columns("amount_yuan", 3, ids, yuan);
    civ_table *al_fen = two_columns("amount_fen", 3, ids, fen), *out_fen = NULL;
    assert_int_equal(civ_alloc_settle(s, al, sp, 0, &out, NULL), CIV_OK);
    assert_int_equal(civ_alloc_settle(s, al_fen, sp, 0, &out_fen, NULL), CIV_OK);
    const char *cols[] = {"allocated_fen", "spent_fen",  "carry_over_fen",
                          "clawback_fen",  "top_up_fen", "uncovered_fen"};
    for (size_t r = 0; r < 3; r++)
        for (size_t k = 0; k < 6; k++)
            assert_int_equal(cell(out, r, cols[k]), cell(out_fen, r, cols[k]));
    assert_int_equal(cell(out, 1, "allocated_fen"), 115282);
    civ_table_free(out), civ_table_free(out_fen), civ_table_free(al), civ_table_free(al_fen);
    /* a third decimal of yuan is refused as spending's is */
    const double third[] = {1000, 1152.825, 333.33};
    al = two_columns("amount_yuan", 3, ids, third);
    assert_int_equal(civ_alloc_settle(s, al, sp, 0, &out, NULL), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "'amount_yuan' = 1152.825 has more than the currency's 2 "
                                                     "decimals"));
    civ_table_free(al), civ_table_free(sp), civ_alloc_spec_free(s);
}

/* A foreign-funded programme settled in Chinese: amounts followed by the currency's code, not 元. */
static void test_currency_zh(void **state)
{
    (void)state;
    char text[2048];
    snprintf(text, sizeof text, "version = \"s\"\n[budget]\ntotal = 1000.00\ncurrency = \"USD\"\n"
                                "fiscal_year = 2026\n%s", strstr(SPEC_HEAD, "[[pool]]"));
    civ_alloc_spec *s = af_spec_of(strcat(text, "[settlement]\ncarry_over = 0.10\ntop_up = 0.05\n"));
    const char *ids[] = {"A", "B", "C"};
    const double alloc[] = {100000, 100000, 100000}, spent[] = {950.00, 1020.00, 1000.00};
    civ_table *al = two_columns("amount_minor", 3, ids, alloc), *sp = two_columns("spent", 3, ids, spent), *out = NULL;
    assert_int_equal(civ_alloc_settle(s, al, sp, CIV_ALLOC_EXPLAIN_ZH, &out, NULL), CIV_OK);
    size_t ex;
    assert_int_equal(civ_table_find_column(out, "explanation", &ex), CIV_OK);
    assert_string_equal(civ_table_text(out, 0, ex), "拨付 1000.00 USD，支出 950.00 USD：结余 50.00 USD，结转 50.00 USD"
                                                    "（不超过拨付额的 10% = 100.00 USD），收回 0.00 USD");
    assert_string_equal(civ_table_text(out, 1, ex), "拨付 1000.00 USD，支出 1020.00 USD：超支 20.00 USD，补助 20.00 USD"
                                                    "（不超过拨付额的 5% = 50.00 USD），自行承担 0.00 USD");
    assert_string_equal(civ_table_text(out, 2, ex), "拨付 1000.00 USD，支出 1000.00 USD：收支相抵");
    civ_table_free(out), civ_table_free(sp), civ_table_free(al), civ_alloc_spec_free(s);
}

static uint64_t rs = 99;
static int64_t irand(int64_t lo, int64_t hi)
{
    rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
    return lo + (int64_t)((double)(rs >> 11) / 9007199254740992.0 * (double)(hi - lo + 1));
}

static void test_random(void **state)
{
    (void)state;
    for (int it = 0; it < 300; it++) {
        int64_t cn = irand(0, 100), tn = irand(0, 100), budget = irand(0, 3) ? -1 : irand(0, 500000);
        char set[200], b[48] = "";
        if (budget >= 0)
            snprintf(b, sizeof b, "top_up_budget = %lld.%02lld\n", (long long)(budget / 100), (long long)(budget % 100));
        snprintf(set, sizeof set, "[settlement]\ncarry_over = %lld.%02lld\ntop_up = %lld.%02lld\n%s",
                 (long long)(cn / 100), (long long)(cn % 100), (long long)(tn / 100), (long long)(tn % 100), b);
        size_t n = (size_t)irand(1, 40);
        char idb[40][24]; /* room for any size_t: no -Wformat-truncation */
        const char *ids[40];
        double al[40], sp[40];
        int64_t A[40], S[40];
        for (size_t i = 0; i < n; i++) {
            snprintf(idb[i], sizeof idb[i], "c%zu", i);
            ids[i] = idb[i];
            A[i] = irand(0, 10000000), S[i] = irand(0, 3) ? A[i] + irand(-A[i] / 3, A[i] / 3) : irand(0, 20000000);
            al[i] = (double)A[i], sp[i] = (double)S[i] / 100;
        }
        /* spending 20 times the allocation or more under a header naming no unit is refused as a sheet in fen
         * (test_fen_sheet); under one naming yuan it is read as it is */
        int64_t sa = 0, ss = 0;
        for (size_t i = 0; i < n; i++)
            sa += A[i], ss += S[i];
        int slip = sa > 0 && ss >= 20 * sa;
        if (slip)
            strcat(set, "spent = \"spent_yuan\"\n");
        civ_alloc_spec *s = spec_with(set);
        civ_table *at = two_columns("amount_fen", n, ids, al), *out = NULL;
        civ_table *st = two_columns(slip ? "spent_yuan" : "spent", n, ids, sp);
        assert_int_equal(civ_alloc_settle(s, at, st, 0, &out, NULL), CIV_OK);
        int64_t tops = 0, claims = 0;
        for (size_t i = 0; i < n; i++) {
            int64_t c = cell(out, i, "carry_over_fen"), k = cell(out, i, "clawback_fen"), t = cell(out, i, "top_up_fen"),
                    r = cell(out, i, "uncovered_fen");
            assert_int_equal(cell(out, i, "spent_fen"), S[i]);
            assert_int_equal(A[i] - S[i], c + k - t - r);
            assert_true(c >= 0 && k >= 0 && t >= 0 && r >= 0);
            int64_t u = A[i] > S[i] ? A[i] - S[i] : 0, o = S[i] > A[i] ? S[i] - A[i] : 0;
            int64_t ccap = cn * A[i] / 100, tcap = tn * A[i] / 100, claim = o < tcap ? o : tcap;
            assert_int_equal(c, u < ccap ? u : ccap);
            assert_true(t <= claim);
            if (budget < 0)
                assert_int_equal(t, claim);
            tops += t, claims += claim;
        }
        assert_int_equal(tops, budget >= 0 && claims > budget ? budget : claims);
        civ_table_free(out), civ_table_free(at), civ_table_free(st), civ_alloc_spec_free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_by_hand),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_year_end_sheet),
        cmocka_unit_test(test_file_lines),
        cmocka_unit_test(test_currency_zh),
        cmocka_unit_test(test_fen_sheet),
        cmocka_unit_test(test_allocation_in_yuan),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
