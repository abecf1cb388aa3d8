/*
 * xlsx_write.c -- layer: io.  Tables as Excel workbooks (.xlsx) for the
 * budget office, with libxlsxwriter (BSD-2): a CSV opened in Excel turns the
 * 12-digit community code 310101001001 into 3.10101E+11 and drops leading
 * zeros, shows amounts without separators and explanations as one long line.
 *
 * Each table is a sheet: the header row bold, frozen and with an autofilter;
 * text columns as text cells whatever digits they hold (a string cell is
 * never a formula, so no formula guard is needed); number columns as numbers
 * (16 significant digits, libxlsxwriter's "%.16G": one more than Excel shows,
 * every whole number below 2^53 exact), shown by plain_format's display format
 * when not whole ("#,##0.00", "0.0000" below 1), NaN as an empty cell; money columns
 * formatted by their name (`*_fen`, `*_分` as `#,##0`, `*_yuan`, `*_元` as
 * `#,##0.00`; their plain-decimal text cells, such as the allocation's yuan
 * kept as exact text, as numbers; a `value` column by its row's `unit`, fen
 * or yuan, as in allocation_summary.csv; civ_workbook_write_formatted adds a caller's format
 * per number cell, the monitoring workbook's rates as 0.0% by their row's indicator); column
 * widths from the content (a CJK character counts two); text longer than
 * XLSX_WRAP_AT wrapped in a wide column (explanations).  Excel's limits
 * (rows, columns, characters per cell) are checked before anything is
 * written.  The workbook is assembled by libxlsxwriter into a temporary file
 * beside the target (civ_atomic_reserve) and renamed; on any error nothing is
 * left.  The document's creation time is fixed (civ_workbook_options), and
 * libxlsxwriter dates the zip entries from it, so the same tables give the
 * same bytes.
 */
#include "xlsx_write.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "atomic_file.h"
#include "c_locale.h"
#include "error.h"
#include "panel.h"
#include "table.h"
#include "text.h"

#define XLSX_WRAP_AT 60     /* display width above which a text cell wraps */
#define XLSX_WRAP_WIDTH 80  /* ... in a column this wide */
#define XLSX_MAX_SHEET 31   /* characters of a sheet name */
#define XLSX_DEFAULT_CREATED 946684800 /* 2000-01-01T00:00:00Z */

typedef enum { MONEY_NONE, MONEY_FEN, MONEY_YUAN } money_kind;

typedef struct sheet {
    lxw_worksheet *ws;
    size_t n_columns, rows;   /* data rows written */
    unsigned *width;          /* per column: widest display width seen */
    unsigned char *wrapped;   /* per column: some cell wrapped */
    unsigned char *money;     /* per column: money_kind */
    long unit_col, value_col; /* a summary's `unit` (text) and `value` (number) columns, or -1 */
} sheet;

typedef struct book {
    lxw_workbook *wb;
    civ_atomic_file af;
    const char *path; /* the user's, for errors */
    lxw_format *bold, *fen, *yuan, *wrap;
    lxw_format *fraction, *tiny; /* a plain number that is not whole: below 1 "0.0000", below 0.001 "0.00E+00" */
    /* civ_workbook_write_formatted: the caller's number format of a cell, and the formats made for its codes */
    civ_xlsx_cell_format cell_format;
    void *cell_arg;
    size_t sheet;                        /* the sheet being written (the callback's `sheet`) */
    char **codes;         /* their codes, as many as the caller's cells use (one per unit word, ...) */
    lxw_format **custom;
    size_t n_custom, cap_custom;
} book;

int civ_is_xlsx_path(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    return dot && !strchr(dot, '/') && !civ_ascii_casecmp(dot, ".xlsx");
}

/* ---- text measures ---------------------------------------------------------- */

/* The next code point of UTF-8 s (advances *s); invalid bytes count as one. */
static unsigned next_cp(const unsigned char **s)
{
    const unsigned char *p = *s;
    unsigned cp = *p++;
    int more = cp >= 0xF0 ? 3 : cp >= 0xE0 ? 2 : cp >= 0xC0 ? 1 : 0;
    if (more)
        cp &= 0x3F >> more;
    for (; more && (*p & 0xC0) == 0x80; more--)
        cp = (cp << 6) | (*p++ & 0x3F);
    *s = p;
    return cp;
}

/* Characters as Excel counts them (UTF-16 units: a code point above U+FFFF is two). */
static size_t excel_chars(const char *text)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p;)
        n += next_cp(&p) > 0xFFFF ? 2 : 1;
    return n;
}

static int wide_cp(unsigned cp)
{
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0xFFE0 && cp <= 0xFFE6) || cp >= 0x20000;
}

/* The width a column needs for text: a CJK (full-width) character counts two. */
static unsigned display_width(const char *text)
{
    unsigned w = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p;)
        w += wide_cp(next_cp(&p)) ? 2 : 1;
    return w;
}

/* The width of a number as shown: General shows up to 11 characters; money adds separators and decimals. */
static unsigned number_width(double v, money_kind m)
{
    char buf[64];
    if (m == MONEY_NONE) {
        int n = civ_snprintf(buf, sizeof buf, "%.10g", v);
        return n > 11 ? 11 : (unsigned)n;
    }
    int n = civ_snprintf(buf, sizeof buf, "%.0f", fabs(v));
    unsigned w = (unsigned)n + (unsigned)(n - 1) / 3 + (v < 0) + (m == MONEY_YUAN ? 3 : 0);
    return w;
}

/* The display format of a plain number cell (no money, no caller's format) and its width: a whole number as it is
 * (General: ids, years, counts); else "#,##0.00" from 1 on (Excel's General showed all 16 digits a column's width
 * allowed, "11.0727969348659"), "0.0000" below 1 (shares, probabilities), "0.00E+00" below 0.001.  The cell keeps
 * the exact value; only its display rounds. */
static lxw_format *plain_format(const book *b, double v, unsigned *width)
{
    double a = fabs(v);
    if (a == floor(a) || !isfinite(a)) {
        *width = number_width(v, MONEY_NONE);
        return NULL;
    }
    if (a >= 1) {
        *width = number_width(v, MONEY_YUAN);
        return b->yuan;
    }
    *width = (a >= 0.001 ? 6 : 8) + (v < 0);
    return a >= 0.001 ? b->fraction : b->tiny;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

/* Money by the column's name: fen (amount_fen, 已拨金额_分, 金额（分）, Amount (fen)) or yuan (amount_yuan, _元,
 * （元）, (yuan)): the plan's workbook headers (io/column_labels.c) keep their unit at the end. */
static money_kind money_of_name(const char *name)
{
    if (!strcmp(name, "fen") || ends_with(name, "_fen") || ends_with(name, "_分") || ends_with(name, "（分）") ||
        ends_with(name, "(分)") || ends_with(name, "(fen)"))
        return MONEY_FEN;
    if (!strcmp(name, "yuan") || ends_with(name, "_yuan") || ends_with(name, "_元") || ends_with(name, "（元）") ||
        ends_with(name, "(元)") || ends_with(name, "(yuan)"))
        return MONEY_YUAN;
    return MONEY_NONE;
}

/* A summary's unit and value columns under their names or the plan workbook's headers (单位 数值, Unit Value). */
static int is_unit_name(const char *name)
{
    return !strcmp(name, "unit") || !strcmp(name, "单位") || !strcmp(name, "Unit");
}

static int is_value_name(const char *name)
{
    return !strcmp(name, "value") || !strcmp(name, "数值") || !strcmp(name, "Value");
}

/* A text cell of a money column that is a plain decimal ("126225.00", "-0.05", as the allocation writes its
 * yuan to keep them exact): its value, so the sheet has a number with the money format.  0 when not such. */
static int plain_decimal(const char *text, double *out)
{
    const char *p = text + (*text == '-');
    size_t digits = strspn(p, "0123456789");
    if (!digits)
        return 0;
    p += digits;
    if (*p == '.' && (digits = strspn(p + 1, "0123456789")) > 0)
        p += 1 + digits;
    if (*p || p - text > 30)
        return 0;
    *out = civ_strtod(text, NULL);
    return 1;
}

/* ---- checks before writing ------------------------------------------------------ */

static civ_status limit_error(const char *path, const char *sheet_name, const char *what)
{
    civ_where w = {.file = path};
    return civ_fail_at(CIV_ERR_LIMIT, &w, "sheet '%s': %s: an Excel sheet cannot hold it; write this output as .csv "
                       "or .h5 (no such limit)", sheet_name, what);
}

/* Excel's limits and finite numbers, for rows [from, to) of t, `before` rows already in the sheet. */
static civ_status check_rows(const civ_table *t, size_t from, size_t to, size_t before, const char *path,
                             const char *sheet_name)
{
    char what[256];
    if (t->n_columns > CIV_XLSX_MAX_COLUMNS) {
        civ_snprintf(what, sizeof what, "%zu columns, more than the %u of an Excel sheet", t->n_columns,
                     CIV_XLSX_MAX_COLUMNS);
        return limit_error(path, sheet_name, what);
    }
    if (before + (to - from) > CIV_XLSX_MAX_ROWS - 1) {
        civ_snprintf(what, sizeof what, "%zu rows or more, more than the %u an Excel sheet holds under its header",
                     before + (to - from), CIV_XLSX_MAX_ROWS - 1);
        return limit_error(path, sheet_name, what);
    }
    for (size_t c = 0; c < t->n_columns; c++) {
        const civ_table_column *col = &t->columns[c];
        if (before == 0 && from == 0 && excel_chars(col->name) > CIV_XLSX_MAX_CELL) {
            civ_snprintf(what, sizeof what, "the name of column %zu has more than the %u characters of an Excel cell",
                         c + 1, CIV_XLSX_MAX_CELL);
            return limit_error(path, sheet_name, what);
        }
        for (size_t r = from; r < to; r++) {
            if (col->type == CIV_COLUMN_NUMBER && isinf(col->numbers[r])) {
                civ_where w = {.file = path, .field = col->name, .line = (long)(before + r - from + 2)};
                return civ_fail_at(CIV_ERR_DOMAIN, &w, "an infinite number cannot be written (row %zu)",
                                   before + r - from + 1);
            }
            if (col->type == CIV_COLUMN_TEXT && col->texts[r] && strlen(col->texts[r]) > CIV_XLSX_MAX_CELL / 4 &&
                excel_chars(col->texts[r]) > CIV_XLSX_MAX_CELL) {
                civ_snprintf(what, sizeof what, "row %zu of column '%.80s' has %zu characters, more than the %u of an "
                             "Excel cell", before + r - from + 1, col->name, excel_chars(col->texts[r]),
                             CIV_XLSX_MAX_CELL);
                return limit_error(path, sheet_name, what);
            }
        }
    }
    return CIV_OK;
}

/* A sheet name Excel accepts: 1..31 characters, none of []:*?/\, not starting or ending with '. */
static civ_status check_sheet_name(const char *name, const char *path)
{
    civ_where w = {.file = path};
    if (!name || !name[0])
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "a sheet name is empty: give every sheet a name");
    if (!civ_utf8_valid(name, strlen(name)))
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "a sheet name is not UTF-8");
    if (excel_chars(name) > XLSX_MAX_SHEET)
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "sheet name '%s' is longer than Excel's %d characters: "
                           "shorten it", name, XLSX_MAX_SHEET);
    if (strpbrk(name, "[]:*?/\\") || name[0] == '\'' || name[strlen(name) - 1] == '\'')
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "sheet name '%s' has a character Excel refuses in sheet "
                           "names ([ ] : * ? / \\, or ' at either end): replace it", name);
    return CIV_OK;
}

/* ---- the workbook --------------------------------------------------------------- */

static civ_status book_open(book *b, const char *path, const civ_workbook_options *options)
{
    memset(b, 0, sizeof *b);
    b->path = path;
    civ_status s = civ_atomic_reserve(&b->af, path);
    if (s)
        return s;
    lxw_workbook_options o = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
    b->wb = workbook_new_opt(b->af.temp_path, &o);
    if (!b->wb) {
        civ_atomic_abort(&b->af);
        civ_where w = {.file = path};
        return civ_fail_at(CIV_ERR_OUT_OF_MEMORY, &w, "cannot start an Excel workbook (out of memory)");
    }
    lxw_doc_properties props = {.created = (time_t)(options && options->created ? options->created
                                                                                 : XLSX_DEFAULT_CREATED)};
    workbook_set_properties(b->wb, &props);
    b->bold = workbook_add_format(b->wb);
    b->fen = workbook_add_format(b->wb);
    b->yuan = workbook_add_format(b->wb);
    b->wrap = workbook_add_format(b->wb);
    b->fraction = workbook_add_format(b->wb);
    b->tiny = workbook_add_format(b->wb);
    if (!b->bold || !b->fen || !b->yuan || !b->wrap || !b->fraction || !b->tiny) {
        lxw_workbook_free(b->wb);
        civ_atomic_abort(&b->af);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for a workbook's formats");
    }
    format_set_bold(b->bold);
    format_set_num_format(b->fen, "#,##0");
    format_set_num_format(b->yuan, "#,##0.00");
    format_set_num_format(b->fraction, "0.0000");
    format_set_num_format(b->tiny, "0.00E+00");
    format_set_text_wrap(b->wrap);
    format_set_align(b->wrap, LXW_ALIGN_VERTICAL_TOP);
    return CIV_OK;
}

static void book_free_codes(book *b)
{
    for (size_t k = 0; k < b->n_custom; k++)
        free(b->codes[k]);
    free(b->codes), free(b->custom);
    b->codes = NULL, b->custom = NULL;
    b->n_custom = b->cap_custom = 0;
}

/* The format of number format code `code` (made on first use; the workbook owns it). */
static civ_status custom_format(book *b, const char *code, lxw_format **out)
{
    for (size_t k = 0; k < b->n_custom; k++)
        if (!strcmp(b->codes[k], code)) {
            *out = b->custom[k];
            return CIV_OK;
        }
    civ_where w = {.file = b->path};
    if (b->n_custom == b->cap_custom) { /* no fixed cap: an indicator file may have a unit word per indicator */
        size_t cap = b->cap_custom ? 2 * b->cap_custom : 16;
        char **codes = realloc(b->codes, cap * sizeof *codes);
        if (codes)
            b->codes = codes;
        lxw_format **custom = codes ? realloc(b->custom, cap * sizeof *custom) : NULL;
        if (!custom)
            return civ_fail_at(CIV_ERR_OUT_OF_MEMORY, &w, "out of memory for a number format");
        b->custom = custom, b->cap_custom = cap;
    }
    lxw_format *f = workbook_add_format(b->wb);
    char *copy = strdup(code);
    if (!f || !copy) {
        free(copy);
        return civ_fail_at(CIV_ERR_OUT_OF_MEMORY, &w, "out of memory for a number format");
    }
    format_set_num_format(f, copy);
    b->codes[b->n_custom] = copy;
    *out = b->custom[b->n_custom++] = f;
    return CIV_OK;
}

static void book_abort(book *b)
{
    book_free_codes(b);
    if (b->wb)
        lxw_workbook_free(b->wb);
    b->wb = NULL;
    civ_atomic_abort(&b->af);
}

static civ_status book_commit(book *b)
{
    lxw_error err = workbook_close(b->wb); /* frees the workbook */
    b->wb = NULL;
    book_free_codes(b);
    civ_where w = {.file = b->path};
    if (err) {
        civ_atomic_abort(&b->af);
        return civ_fail_at(CIV_ERR_IO, &w, "cannot write the Excel workbook: %s", lxw_strerror(err));
    }
    int fd = open(b->af.temp_path, O_RDONLY);
    int bad = fd < 0 || fsync(fd) != 0;
    if (fd >= 0)
        close(fd);
    if (bad) {
        civ_atomic_abort(&b->af);
        return civ_fail_at(CIV_ERR_IO, &w, "cannot write the Excel workbook to disk");
    }
    return civ_atomic_commit(&b->af);
}

static void sheet_free(sheet *sh)
{
    free(sh->width);
    free(sh->wrapped);
    free(sh->money);
    memset(sh, 0, sizeof *sh);
}

static civ_status io_error(const book *b, const char *what, lxw_error err)
{
    civ_where w = {.file = b->path};
    return civ_fail_at(err == LXW_ERROR_MEMORY_MALLOC_FAILED ? CIV_ERR_OUT_OF_MEMORY : CIV_ERR_IO, &w,
                       "cannot write %s: %s", what, lxw_strerror(err));
}

/* Adds the sheet and writes the header of `columns` (the first chunk or the whole table).  On an error sh
 * holds nothing to free (a stream committed after a failed first chunk begins the sheet again). */
static civ_status sheet_begin(book *b, sheet *sh, const char *name, const civ_table *columns)
{
    memset(sh, 0, sizeof *sh);
    sh->ws = workbook_add_worksheet(b->wb, name);
    civ_where w = {.file = b->path, .field = name};
    if (!sh->ws)
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "sheet '%s' cannot be added (a second sheet of that name?)",
                           name);
    size_t n = columns->n_columns ? columns->n_columns : 1;
    sh->n_columns = columns->n_columns;
    sh->width = calloc(n, sizeof *sh->width);
    sh->wrapped = calloc(n, 1);
    sh->money = calloc(n, 1);
    if (!sh->width || !sh->wrapped || !sh->money) {
        sheet_free(sh);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for a sheet");
    }
    sh->unit_col = sh->value_col = -1;
    for (size_t c = 0; c < columns->n_columns; c++) {
        const civ_table_column *col = &columns->columns[c];
        sh->money[c] = (unsigned char)money_of_name(col->name);
        if (is_unit_name(col->name) && col->type == CIV_COLUMN_TEXT)
            sh->unit_col = (long)c;
        if (is_value_name(col->name) && col->type == CIV_COLUMN_NUMBER)
            sh->value_col = (long)c;
        sh->width[c] = display_width(col->name) + 3; /* room for the filter's button */
        lxw_error err = worksheet_write_string(sh->ws, 0, (lxw_col_t)c, col->name, b->bold);
        if (err) {
            sheet_free(sh);
            return io_error(b, "a header cell", err);
        }
    }
    worksheet_freeze_panes(sh->ws, 1, 0);
    return CIV_OK;
}

static money_kind row_money(const sheet *sh, const civ_table *t, size_t r, size_t c)
{
    if ((long)c != sh->value_col || sh->unit_col < 0)
        return (money_kind)sh->money[c];
    const char *unit = t->columns[sh->unit_col].texts[r];
    if (!unit)
        return MONEY_NONE;
    return !strcmp(unit, "fen") || !strcmp(unit, "分")    ? MONEY_FEN
           : !strcmp(unit, "yuan") || !strcmp(unit, "元") ? MONEY_YUAN
                                                          : MONEY_NONE;
}

/* Rows [from, to) of t, checked already. */
static civ_status sheet_rows(book *b, sheet *sh, const civ_table *t, size_t from, size_t to)
{
    for (size_t r = from; r < to; r++) {
        lxw_row_t row = (lxw_row_t)(++sh->rows);
        for (size_t c = 0; c < t->n_columns; c++) {
            const civ_table_column *col = &t->columns[c];
            lxw_error err = LXW_NO_ERROR;
            unsigned width;
            if (col->type == CIV_COLUMN_NUMBER) {
                double v = col->numbers[r];
                if (isnan(v))
                    continue;
                money_kind m = row_money(sh, t, r, c);
                lxw_format *f = m == MONEY_FEN ? b->fen : m == MONEY_YUAN ? b->yuan : NULL;
                const char *code = !f && b->cell_format ? b->cell_format(b->cell_arg, b->sheet, r, c) : NULL;
                if (code) {
                    civ_status s = custom_format(b, code, &f);
                    if (s)
                        return s;
                }
                width = number_width(v, m) + (code ? 2 : 0); /* a percent sign, a unit word */
                if (!f)
                    f = plain_format(b, v, &width);
                err = worksheet_write_number(sh->ws, row, (lxw_col_t)c, v, f);
            } else {
                const char *text = col->texts[r];
                double v;
                if (!text || !text[0])
                    continue;
                if (sh->money[c] != MONEY_NONE && plain_decimal(text, &v)) { /* yuan kept as text: a number */
                    money_kind m = (money_kind)sh->money[c];
                    err = worksheet_write_number(sh->ws, row, (lxw_col_t)c, v, m == MONEY_FEN ? b->fen : b->yuan);
                    if (err)
                        return io_error(b, "a cell", err);
                    if ((width = number_width(v, m)) > sh->width[c])
                        sh->width[c] = width;
                    continue;
                }
                width = display_width(text);
                int wrap = width > XLSX_WRAP_AT;
                err = worksheet_write_string(sh->ws, row, (lxw_col_t)c, text, wrap ? b->wrap : NULL);
                if (wrap) {
                    sh->wrapped[c] = 1;
                    width = XLSX_WRAP_WIDTH;
                }
            }
            if (err)
                return io_error(b, "a cell", err);
            if (width > sh->width[c])
                sh->width[c] = width;
        }
    }
    return CIV_OK;
}

/* Column widths and the autofilter over the rows written. */
static civ_status sheet_end(book *b, sheet *sh)
{
    for (size_t c = 0; c < sh->n_columns; c++) {
        unsigned w = sh->wrapped[c] ? XLSX_WRAP_WIDTH : sh->width[c] > XLSX_WRAP_AT ? XLSX_WRAP_AT : sh->width[c];
        lxw_error err = worksheet_set_column(sh->ws, (lxw_col_t)c, (lxw_col_t)c, (double)(w < 6 ? 6 : w) + 1, NULL);
        if (err)
            return io_error(b, "the column widths", err);
    }
    if (sh->n_columns) {
        lxw_error err = worksheet_autofilter(sh->ws, 0, 0, (lxw_row_t)sh->rows, (lxw_col_t)(sh->n_columns - 1));
        if (err)
            return io_error(b, "the autofilter", err);
    }
    return CIV_OK;
}

civ_status civ_workbook_write(const char *path, size_t n, const civ_table *const *tables,
                              const char *const *sheet_names, const civ_workbook_options *options)
{
    return civ_workbook_write_formatted(path, n, tables, sheet_names, options, NULL, NULL);
}

civ_status civ_workbook_write_formatted(const char *path, size_t n, const civ_table *const *tables,
                                        const char *const *sheet_names, const civ_workbook_options *options,
                                        civ_xlsx_cell_format cell_format, void *arg)
{
    if (!path || (n && (!tables || !sheet_names)))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_workbook_write: NULL argument");
    civ_where w = {.file = path};
    if (!civ_is_xlsx_path(path))
        return civ_fail_at(CIV_ERR_UNSUPPORTED, &w, "a workbook is written as .xlsx: name the file <name>.xlsx");
    if (!n)
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "a workbook needs at least one table");
    for (size_t k = 0; k < n; k++) {
        if (!tables[k]) {
            civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "civ_workbook_write: table %zu is NULL", k + 1);
            return CIV_ERR_INVALID_ARGUMENT;
        }
        civ_status s = check_sheet_name(sheet_names[k], path);
        for (size_t j = 0; j < k && !s; j++)
            if (!civ_ascii_casecmp(sheet_names[j], sheet_names[k]))
                s = civ_fail_at(CIV_ERR_DUPLICATE, &w,
                                "two sheets are named '%s' (Excel ignores case): name them apart", sheet_names[k]);
        if (!s)
            s = check_rows(tables[k], 0, tables[k]->n_rows, 0, path, sheet_names[k]);
        if (s)
            return s;
    }
    civ_c_locale_scope scope = civ_c_locale_enter(); /* libxlsxwriter writes numbers with snprintf */
    book b;
    civ_status s = book_open(&b, path, options);
    b.cell_format = cell_format, b.cell_arg = arg;
    for (size_t k = 0; k < n && !s; k++) {
        sheet sh;
        b.sheet = k;
        s = sheet_begin(&b, &sh, sheet_names[k], tables[k]);
        if (!s)
            s = sheet_rows(&b, &sh, tables[k], 0, tables[k]->n_rows);
        if (!s)
            s = sheet_end(&b, &sh);
        sheet_free(&sh);
    }
    if (s && (b.wb || b.af.temp_path))
        book_abort(&b);
    else if (!s)
        s = book_commit(&b);
    civ_c_locale_leave(scope);
    return s;
}

/* A sheet name from the file's name: allocation.xlsx -> "allocation" (Excel's refused characters as '_', at most
 * 31 characters).  A file staged by a run with several outputs, "<k>-<name>" in a folder ".<x>.staging.XXXXXX"
 * (staging.c, the command's output_set.c), is named after its final name (before: forecast --out f.xlsx
 * --report r.xlsx gave the sheets "0-f" and "1-r"). */
static void sheet_name_of(const char *path, char *out, size_t size)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (slash) {
        const char *dir = slash;
        while (dir > path && dir[-1] != '/')
            dir--;
        size_t digits = strspn(base, "0123456789");
        const char *staging = strstr(dir, ".staging.");
        if (dir[0] == '.' && staging && staging < slash && digits && base[digits] == '-' && base[digits + 1])
            base += digits + 1;
    }
    const char *dot = strrchr(base, '.');
    size_t len = dot ? (size_t)(dot - base) : strlen(base), o = 0, chars = 0;
    const unsigned char *p = (const unsigned char *)base, *end = p + len;
    while (p < end && chars < XLSX_MAX_SHEET && o + 5 < size) {
        const unsigned char *start = p;
        unsigned cp = next_cp(&p);
        if (cp > 0xFFFF && chars + 2 > XLSX_MAX_SHEET)
            break;
        chars += cp > 0xFFFF ? 2 : 1;
        if (strchr("[]:*?/\\'", (int)cp) && cp < 0x80)
            out[o++] = '_';
        else
            for (; start < p; start++)
                out[o++] = (char)*start;
    }
    out[o] = '\0';
    if (!o || !civ_utf8_valid(out, o))
        civ_snprintf(out, size, "Sheet1");
}

civ_status civ_table_write_xlsx(const civ_table *table, const char *path)
{
    if (!table || !path)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_table_write_xlsx: NULL argument");
    char name[160];
    sheet_name_of(path, name, sizeof name);
    const char *names[1] = {name};
    return civ_workbook_write(path, 1, &table, names, NULL);
}

civ_status civ_panel_write_xlsx(const civ_panel *panel, const char *path)
{
    if (!panel || !path)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_write_xlsx: NULL argument");
    if (panel->n_series && (panel->freq < CIV_FREQ_YEARLY || panel->freq > CIV_FREQ_DAILY))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_write_xlsx: the panel has no frequency");
    civ_table *t = NULL;
    civ_status s = civ_table_create(&t);
    if (!s)
        s = civ_table_add_column(t, "unique_id", CIV_COLUMN_TEXT, NULL);
    if (!s)
        s = civ_table_add_column(t, "ds", CIV_COLUMN_TEXT, NULL);
    if (!s)
        s = civ_table_add_column(t, "y", CIV_COLUMN_NUMBER, NULL);
    for (size_t k = 0; k < panel->n_covariates && !s; k++)
        s = civ_table_add_column(t, panel->covariates[k].name, CIV_COLUMN_NUMBER, NULL);
    /* the rows civ_panel_write_csv writes: every observed period, the future ones that carry a covariate, and
     * one row for a series with no value at all */
    for (size_t i = 0; i < panel->n_series && !s; i++) {
        const double *y = panel->values ? panel->values + panel->offsets[i] : NULL;
        size_t n = panel->offsets[i + 1] - panel->offsets[i], rows = civ_panel_long_span(panel, i), row;
        int wrote = 0;
        char ds[32];
        for (size_t p = 0; p < rows && !s; p++) {
            if (!civ_panel_long_row(panel, i, p))
                continue; /* a future row without a covariate */
            if ((s = civ_period_format_style(panel->freq, panel->phase, &panel->style, panel->starts[i] + (int64_t)p,
                                             ds, sizeof ds)) ||
                (s = civ_table_add_rows(t, 1, &row)) || (s = civ_table_set_text(t, row, 0, panel->ids[i])) ||
                (s = civ_table_set_text(t, row, 1, ds)))
                break;
            wrote = 1;
            if (p < n)
                t->columns[2].numbers[row] = y[p];
            for (size_t k = 0; k < panel->n_covariates; k++)
                if (p < panel->covariates[k].len[i])
                    t->columns[3 + k].numbers[row] = panel->covariates[k].values[i][p];
        }
        if (!wrote && !s && /* a series with no value: one row, id and first period, so it survives a re-read */
            !(s = civ_period_format_style(panel->freq, panel->phase, &panel->style, panel->starts[i], ds, sizeof ds)) &&
            !(s = civ_table_add_rows(t, 1, &row)) && !(s = civ_table_set_text(t, row, 0, panel->ids[i])))
            s = civ_table_set_text(t, row, 1, ds);
    }
    if (!s)
        s = civ_table_write_xlsx(t, path);
    civ_table_free(t);
    return s;
}

/* ---- the stream ------------------------------------------------------------------ */

struct civ_xlsx_stream {
    book b;
    sheet sh;
    char *path;
    char name[160];
    int begun;
};

civ_status civ_xlsx_stream_open(const char *path, civ_xlsx_stream **out)
{
    *out = NULL;
    civ_xlsx_stream *xs = calloc(1, sizeof *xs);
    if (!xs || !(xs->path = strdup(path))) {
        free(xs);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory opening %s", path);
    }
    sheet_name_of(path, xs->name, sizeof xs->name);
    civ_c_locale_scope scope = civ_c_locale_enter(); /* libxlsxwriter writes numbers with snprintf */
    civ_status s = book_open(&xs->b, xs->path, NULL);
    civ_c_locale_leave(scope);
    if (s) {
        free(xs->path);
        free(xs);
        return s;
    }
    *out = xs;
    return CIV_OK;
}

civ_status civ_xlsx_stream_append(civ_xlsx_stream *xs, const civ_table *chunk)
{
    civ_status s = check_rows(chunk, 0, chunk->n_rows, xs->sh.rows, xs->path, xs->name);
    civ_c_locale_scope scope = civ_c_locale_enter(); /* libxlsxwriter writes numbers with snprintf */
    if (!s && !xs->begun) {
        s = sheet_begin(&xs->b, &xs->sh, xs->name, chunk);
        xs->begun = !s;
    }
    if (!s)
        s = sheet_rows(&xs->b, &xs->sh, chunk, 0, chunk->n_rows);
    civ_c_locale_leave(scope);
    return s;
}

static void stream_free(civ_xlsx_stream *xs)
{
    sheet_free(&xs->sh);
    free(xs->path);
    free(xs);
}

civ_status civ_xlsx_stream_commit(civ_xlsx_stream *xs, const civ_table *columns)
{
    civ_status s = CIV_OK;
    civ_c_locale_scope scope = civ_c_locale_enter(); /* libxlsxwriter writes numbers with snprintf */
    if (!xs->begun) {
        if (!columns)
            s = civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_xlsx_stream_commit: no chunk and no columns");
        else if (!(s = check_rows(columns, 0, 0, 0, xs->path, xs->name)))
            s = sheet_begin(&xs->b, &xs->sh, xs->name, columns);
    }
    if (!s)
        s = sheet_end(&xs->b, &xs->sh);
    if (s)
        book_abort(&xs->b);
    else
        s = book_commit(&xs->b);
    civ_c_locale_leave(scope);
    stream_free(xs);
    return s;
}

void civ_xlsx_stream_abort(civ_xlsx_stream *xs)
{
    if (!xs)
        return;
    civ_c_locale_scope scope = civ_c_locale_enter();
    book_abort(&xs->b);
    civ_c_locale_leave(scope);
    stream_free(xs);
}
