/*
 * fuzz_csv.c -- libFuzzer harness of the CSV readers (engine/src/io/csv.c):
 * civ_panel_read_csv, civ_table_read_csv and the wide panel reader
 * (civ_panel_read_csv_ex with options.wide) on the same bytes.
 *
 * The readers take a path, so each input is written to a scratch file in
 * /dev/shm.  Oracles beyond "no crash, no leak, a status from the list":
 *  - a panel that reads writes back (civ_panel_write_csv) and reads back with
 *    the same frequency, phase, ids, starts and values, bit for bit;
 *  - a table that reads writes back and reads back with the same shape and
 *    the same cells (numbers bit for bit, text byte for byte);
 *  - a wide panel whose series all have values writes back long and reads
 *    back as the panel above does;
 *  - the table read with the thousands separator "," and percentages too,
 *    and the whole input as one cell: grouped digits read as the text
 *    without its separators does, "x%" as "xe-2", a yuan amount as the text
 *    without its spaces, sign and separators (civ_csv_parse_formatted).
 * Both are promises of docs/CLI.md ("files round-trip bit for bit") for
 * machine consumers, so the spreadsheet formula guard (which writes '=x as
 * "'=x" for people) is turned off here, as `--raw-csv-text` does.
 */
#include "fuzz_common.h"

#include "csv.h" /* civ_csv_parse_grouped, civ_csv_parse_number */

/* A panel that read: written long and read back, the same series. */
static void check_round_trip(const civ_panel *p, const char *out)
{
    civ_status s;
    civ_panel_summary sum;
    FUZZ_CHECK(civ_panel_summarize(p, &sum) == CIV_OK);
    /* The round trip is skipped for big panels: a 100-byte file with two
     * weekly dates 2,000 years apart is a legal 200,000-cell panel, and
     * writing and re-reading it under ASan costs seconds per input
     * (crashers/csv/slow_weekly_2000_years). */
    if (sum.n_values <= 20000 && civ_panel_write_csv(p, out) == CIV_OK) {
        civ_panel *q = NULL;
        s = civ_panel_read_csv(out, &q);
        if (s == CIV_ERR_FREQUENCY) {
            /* Rows that carried nothing (after a series' last y, without
             * covariates) are not written, so the spacing left may no longer
             * say the frequency (e.g. every series a single date): read it
             * back with the layout as --freq, as a user would. */
            civ_panel_read_options ro = {.freq = {civ_panel_frequency(p), civ_panel_date_style(p).anchor,
                                                   (civ_panel_phase(p) + 3) % 7}};
            s = civ_panel_read_csv_ex(out, &ro, &q);
        }
        if (s != CIV_OK)
            fprintf(stderr, "re-read failed: %s\n", civ_last_error_message());
        FUZZ_CHECK(s == CIV_OK);
        size_t n = civ_panel_n_series(p);
        FUZZ_CHECK(civ_panel_n_series(q) == n);
        if (n > 0) {
            FUZZ_CHECK(civ_panel_frequency(q) == civ_panel_frequency(p));
            FUZZ_CHECK(civ_panel_phase(q) == civ_panel_phase(p));
        }
        for (size_t i = 0; i < n; i++) {
            FUZZ_CHECK(strcmp(civ_panel_series_id(p, i), civ_panel_series_id(q, i)) == 0);
            const double *a, *b;
            size_t na, nb;
            int64_t sa, sb;
            FUZZ_CHECK(civ_panel_series(p, i, &a, &na, &sa) == CIV_OK);
            FUZZ_CHECK(civ_panel_series(q, i, &b, &nb, &sb) == CIV_OK);
            /* An all-missing series is written as rows with empty y, so
             * only its span is kept when it has one. */
            FUZZ_CHECK(na == nb);
            if (na)
                FUZZ_CHECK(sa == sb);
            for (size_t t = 0; t < na; t++)
                FUZZ_CHECK(fuzz_same_double(a[t], b[t]));
        }
        civ_panel_free(q);
    }
}

static void fuzz_csv_panel(const char *in, const char *out)
{
    civ_csv_set_formula_guard(0);
    civ_panel *p = NULL;
    civ_status s = civ_panel_read_csv(in, &p);
    FUZZ_CHECK(s >= CIV_OK && s < CIV_STATUS_COUNT_);
    if (s != CIV_OK) {
        FUZZ_CHECK(p == NULL);
        return;
    }
    check_round_trip(p, out);
    civ_panel_free(p);
}

static void fuzz_csv_wide(const char *in, const char *out)
{
    civ_csv_set_formula_guard(0);
    civ_panel_read_options ro = {.freq = {CIV_FREQ_UNKNOWN, CIV_ANCHOR_PERIOD, -1}, .wide = 1};
    civ_panel *p = NULL;
    civ_status s = civ_panel_read_csv_ex(in, &ro, &p);
    FUZZ_CHECK(s >= CIV_OK && s < CIV_STATUS_COUNT_);
    if (s != CIV_OK) {
        FUZZ_CHECK(p == NULL);
        return;
    }
    int empty = 0; /* a series without values has no row to write */
    for (size_t i = 0; i < civ_panel_n_series(p); i++) {
        size_t n = 0;
        FUZZ_CHECK(civ_panel_series(p, i, NULL, &n, NULL) == CIV_OK);
        empty |= n == 0;
    }
    if (!empty)
        check_round_trip(p, out);
    civ_panel_free(p);
}

static void fuzz_csv_table(const char *in, const char *out, const char *thousands, int percent)
{
    civ_csv_set_formula_guard(0);
    civ_table *t = NULL;
    civ_table_read_options ro = {.thousands = thousands, .percent = percent};
    civ_status s = civ_table_read_csv(in, &ro, &t);
    FUZZ_CHECK(s >= CIV_OK && s < CIV_STATUS_COUNT_);
    if (s != CIV_OK) {
        FUZZ_CHECK(t == NULL);
        return;
    }
    if (civ_table_write_csv(t, out) == CIV_OK) { /* written plain: read back without the separator */
        civ_table *u = NULL;
        s = civ_table_read_csv(out, NULL, &u);
        if (s != CIV_OK)
            fprintf(stderr, "re-read failed: %s\n", civ_last_error_message());
        FUZZ_CHECK(s == CIV_OK);
        size_t nr = civ_table_n_rows(t), nc = civ_table_n_columns(t);
        FUZZ_CHECK(civ_table_n_rows(u) == nr && civ_table_n_columns(u) == nc);
        for (size_t c = 0; c < nc; c++) {
            FUZZ_CHECK(strcmp(civ_table_column_name(t, c), civ_table_column_name(u, c)) == 0);
            FUZZ_CHECK(civ_table_column_type(t, c) == civ_table_column_type(u, c));
            for (size_t r = 0; r < nr; r++) {
                if (civ_table_column_type(t, c) == CIV_COLUMN_NUMBER)
                    FUZZ_CHECK(fuzz_same_double(civ_table_number(t, r, c), civ_table_number(u, r, c)));
                else
                    FUZZ_CHECK(strcmp(civ_table_text(t, r, c), civ_table_text(u, r, c)) == 0);
            }
        }
        civ_table_free(u);
    }
    civ_table_free(t);
}

/* The whole input as one cell: grouped digits read as the same text without
 * its separators does (civ_csv_parse_grouped). */
static void fuzz_grouped_cell(const uint8_t *data, size_t size)
{
    char cell[128], plain[128];
    if (size >= sizeof cell)
        return;
    memcpy(cell, data, size);
    cell[size] = '\0';
    size_t n = 0;
    for (size_t i = 0; i < size; i++)
        if (cell[i] != ',')
            plain[n++] = cell[i];
    plain[n] = '\0';
    double g, x;
    civ_csv_number rg = civ_csv_parse_grouped(cell, size, ',', &g);
    if (rg == CIV_CSV_NUMBER_OK) {
        FUZZ_CHECK(civ_csv_parse_number(plain, n, &x) == CIV_CSV_NUMBER_OK);
        FUZZ_CHECK(fuzz_same_double(g, x));
    } else if (!memchr(cell, ',', size) && strlen(cell) == size) {
        FUZZ_CHECK(rg == civ_csv_parse_number(cell, size, &x)); /* no separator: the plain parser's verdict */
    }
    /* a yuan amount ("¥-1,200.50", " ¥ 12,000 ") reads as the text without its
     * spaces, yuan sign and separators does; the Accounting zero " ¥ - " as 0 */
    char bare[128];
    size_t nb = 0;
    int yuan = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strncmp(plain + i, "\xC2\xA5", 2) || !strncmp(plain + i, "\xEF\xBF\xA5", 3)) {
            yuan = 1;
            i += plain[i] == '\xC2' ? 1 : 2;
        } else if (plain[i] != ' ') {
            bare[nb++] = plain[i];
        }
    }
    bare[nb] = '\0';
    if (yuan && civ_csv_parse_formatted(cell, size, ',', 0, &g) == CIV_CSV_NUMBER_OK) {
        if (!strcmp(bare, "-"))
            FUZZ_CHECK(g == 0);
        else {
            FUZZ_CHECK(civ_csv_parse_number(bare, nb, &x) == CIV_CSV_NUMBER_OK);
            FUZZ_CHECK(fuzz_same_double(g, x));
        }
    }
    /* with --percent, "x%" reads as "x" with the decimal exponent shifted by 2 */
    if (n >= 2 && plain[n - 1] == '%' && n + 3 < sizeof plain &&
        civ_csv_parse_formatted(cell, size, ',', 1, &g) == CIV_CSV_NUMBER_OK) {
        memcpy(plain + n - 1, "e-2", 4);
        FUZZ_CHECK(civ_csv_parse_number(plain, n + 2, &x) == CIV_CSV_NUMBER_OK);
        FUZZ_CHECK(fuzz_same_double(g, x));
    }
}

static int fuzz_csv(const uint8_t *data, size_t size)
{
    char in[256], out[256];
    fuzz_scratch_path(in, sizeof in, "in", ".csv");
    fuzz_scratch_path(out, sizeof out, "out", ".csv");
    if (!fuzz_write_file(in, data, size))
        return 0;
    fuzz_csv_panel(in, out);
    fuzz_csv_table(in, out, NULL, 0);
    fuzz_csv_table(in, out, ",", 1);
    fuzz_csv_wide(in, out);
    fuzz_grouped_cell(data, size);
    unlink(in);
    unlink(out);
    return 0;
}

#ifndef CIV_FUZZ_NO_ENTRY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_csv(data, size);
}
#endif
