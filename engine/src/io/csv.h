/*
 * csv.h -- layer: io.  Internal number text helpers of the CSV reader and writer, shared
 * with other writers (reports, HDF5 attributes) and the unit tests.
 *
 * The reader and writer themselves are public (civ_panel_read_csv,
 * civ_panel_write_csv, civ_table_read_csv, civ_table_write_csv in
 * civicast.h); their rules are documented in csv.c and docs/CLI.md.
 */
#ifndef CIV_CSV_H
#define CIV_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "civicast.h"

#include "civicast.h"

/* Largest field the readers accept (bytes, after unquoting is not counted:
 * the raw field); larger fields are CIV_ERR_LIMIT. */
#define CIV_CSV_FIELD_LIMIT ((size_t)1 << 20)
/* Largest record (physical lines joined by quoted newlines). */
#define CIV_CSV_RECORD_LIMIT ((size_t)64 << 20)
/* Largest header line (bytes) and largest number of columns in any record.
 * Both bound the work and memory a hostile header can cost (names are
 * checked for duplicates through a hash set, so the header is read in linear
 * time); beyond them the readers fail with CIV_ERR_LIMIT naming the file. */
#define CIV_CSV_HEADER_LIMIT ((size_t)16 << 20)
#define CIV_CSV_COLUMN_LIMIT ((size_t)1 << 20)
/* The table reader (civ_table_read_csv) parses the rows of a file of 8 MiB
 * or more on the OpenMP threads (csv.c: read_rest_parallel), with the same
 * table and the same errors as one thread.  For tests: a step > 0 splits
 * every file the table reader reads (when it has 2 or more threads) near
 * byte step, 2 step, ... after its first row; 0 restores the default. */
void civ_csv_set_split_step(size_t step);
/* How many tables were read in parallel so far (for tests). */
size_t civ_csv_parallel_reads(void);

/* The header names of a CSV file (decoded from `encoding`, checked as the
 * readers check them; a workbook's sheet `sheet`, NULL = its only sheet with
 * cells): *names (n of them, each malloc'd, and the array) is the caller's
 * to free; *header_line the line it is on, below skip_rows skipped rows
 * (options .skip_rows).  Errors as the readers'. */
civ_status civ_csv_header_names(const char *path, const char *encoding, const char *sheet, int skip_rows,
                                char ***names, size_t *n, long *header_line);
/* The error of a file whose header (below skip_rows skipped rows) is one cell over a wider table, a title: what to
 * skip or delete, as the table and panel readers say it (the wide reader's refusal). */
civ_status civ_csv_title_error(const char *path, const char *encoding, const char *sheet, int skip_rows);

/* civ_panel_read_csv_ex of a wide file (options->wide; wide.c). */
/* The line of the CSV file `path` on which data row r (0-based) starts, data
 * row 0 starting on line first_line (below the header, wherever rows skipped
 * above it put it), counting line breaks inside quoted cells; for errors
 * found after the file was read (empty lines inside the data are refused by
 * the readers, so data row r is the r-th record after row 0).  0 when the
 * file cannot be read or has fewer rows, or first_line is not positive.
 * civ_table_row_line and the wide reader use it. */
long civ_csv_record_line(const char *path, long first_line, size_t r);
civ_status civ_panel_read_wide_csv(const char *path, const civ_panel_read_options *options, civ_panel **out);

/* Buffer that civ_csv_format_number needs. */
#define CIV_CSV_NUMBER_SIZE 32

/* Result of civ_csv_parse_number. */
typedef enum civ_csv_number {
    CIV_CSV_NUMBER_OK = 0,       /* *out holds the value */
    CIV_CSV_NUMBER_MISSING = 1,  /* empty, "NA" or "NaN" (any case): *out = NaN */
    CIV_CSV_NUMBER_BAD = 2,      /* not a decimal number (hex, inf, junk, spaces) */
    CIV_CSV_NUMBER_OVERFLOW = 3  /* a decimal number beyond the double range */
} civ_csv_number;

/* Parses a decimal number  [+-]digits[.digits][(e|E)[+-]digits]  (".5" and
 * "5." too) of `len` bytes; text[len] must be readable and be a byte that
 * cannot continue a number (the readers NUL-terminate fields).  The result is
 * correctly rounded: plain decimals with a mantissa below 2^53 and a power of
 * ten of at most 22 take Clinger's exact fast path (W. D. Clinger, "How to
 * read floating point numbers accurately", PLDI 1990, section 5: both
 * operands are exact doubles, so one IEEE multiply or divide rounds once);
 * everything else goes to strtod.  Underflow rounds to a subnormal or zero as
 * strtod does. */
civ_csv_number civ_csv_parse_number(const char *text, size_t len, double *out);

/* 1 when the readers take `encoding` (options .encoding): NULL, "", utf-8
 * (utf8, utf-8-sig) or gb18030 (gbk, gb2312, cp936); else 0. */
int civ_csv_encoding_known(const char *encoding);

/* The thousands separator a reader option names (civ_panel_read_options and
 * civ_table_read_options .thousands): "," (12,345), "'" (12'345) or " "
 * (12 345) as that byte in *sep; NULL or "" as 0 (none).  Errors:
 * CIV_ERR_INVALID_ARGUMENT naming `fn` and the value (a "." would make
 * "1.234" mean 1234: decimal commas are not read). */
civ_status civ_csv_thousands(const char *option, const char *fn, char *sep);

/* civ_csv_parse_number of a cell whose whole-number digits may be grouped in
 * threes by `sep` (0 = none): "12,345", "-1,234,567.5" and "12345" read as
 * numbers, the separators dropped; any other use of sep ("1,5", "12,34",
 * "1,2345", ",123", "1.5,0") is CIV_CSV_NUMBER_BAD, so that a decimal comma is
 * never read as a separator.  Same text[len] requirement. */
civ_csv_number civ_csv_parse_grouped(const char *text, size_t len, char sep, double *out);

/* civ_csv_parse_grouped of a cell that may end in a percent sign when
 * `percent` is nonzero: "33.3%" reads as 0.333, correctly rounded (the
 * decimal exponent is shifted: the same double as "0.333"), "1,234.5%" with
 * sep "," as 12.345.  A bare "%", "NA%" and an exponent before the sign are
 * CIV_CSV_NUMBER_BAD.  With a separator (sep nonzero), a cell with a yuan
 * sign as Excel's Currency and Accounting formats of a Chinese locale write
 * it reads as the number after the sign: "¥12,000.00", "￥12,000.00",
 * "¥-1,200.00" and "-¥1,200.00" (negative), " ¥ 1,200.00 " (padded), " ¥ - "
 * (the Accounting format's zero, 0.0); a second minus, a sign or exponent
 * after the yuan sign, "¥NA" and "¥5%" are CIV_CSV_NUMBER_BAD.  Without
 * either, civ_csv_parse_grouped. */
civ_csv_number civ_csv_parse_formatted(const char *text, size_t len, char sep, int percent, double *out);

/* The first row of text column c of table t whose cell is no number as the
 * table's reader read numbers (civ_table_read_csv's thousands separator and
 * percent option, kept with the table; none for other tables): not empty,
 * NA or NaN and not CIV_CSV_NUMBER_OK under civ_csv_parse_formatted.  That
 * is the cell that made the column text: "1,200" read with --thousands ","
 * is a number, the "-" below it is not.  SIZE_MAX when there is none. */
size_t civ_csv_first_text_row(const civ_table *t, size_t c);

/* 1 when text is one of Excel's error values (#DIV/0!, #N/A, #VALUE!, #REF!,
 * #NAME?, #NUM!, #NULL!, #SPILL!, #CALC!, #GETTING_DATA): a formula that
 * failed, which Excel writes into a CSV as it displays it. */
int civ_csv_excel_error(const char *text);
/* For a value that cannot be missing (an amount, an allocation's attribute), where the "leave it empty" of
 * civ_csv_number_hint is no cure: "a dash, as Excel's accounting format writes a zero, is not a number" when text
 * is a dash or slash ("-", "—", "/": Excel's Accounting format shows a zero as "-"), else NULL.  The one wording
 * of that hint (settle's amounts, allocate's attributes). */
const char *civ_csv_dash_zero(const char *text);
/* Why a cell that is not a number is not one, when a person can tell: a hint
 * starting with "; " (spaces around it, a unit after it, full-width digits,
 * a dash or slash for no data, accounting parentheses), or "" (static text). */
const char *civ_csv_number_hint(const char *text);

/* Writes the shortest of %.15g / %.16g / %.17g that reads back to exactly
 * `value` (integers below 1e17 as plain digits, -0.0 as "-0"); NaN gives "".
 * buf must hold CIV_CSV_NUMBER_SIZE bytes.  Returns the length, or -1 for an
 * infinite value (which no civicast file can hold). */
int civ_csv_format_number(double value, char *buf);

/* As civ_csv_format_number when digits is 0; else a number that is not whole
 * is rounded to `digits` significant digits (1..17), but never to fewer
 * decimals than min_decimals nor to fewer than its whole-number digits, and
 * written in plain decimal without trailing zeros ("1161.7", "0.000946214",
 * "1234567.89" with min_decimals 2); "-0" becomes "0".  Whole numbers below
 * 1e17 are written as plain digits, and magnitudes whose plain text would not
 * fit in the buffer (below about 1e-14, above 1e17) in exponent form
 * ("%.<digits>g").  Returns the length, or -1 for an infinite value. */
int civ_csv_format_rounded(double value, int digits, int min_decimals, char *buf);

/* Exact number text without printf (numfmt.c), for hot loops.  Each writes
 * exactly what the printf call named would and returns the length, or -1
 * (buf untouched or partly written) when the value is outside the range it
 * handles, so that the caller falls back to printf.  buf: CIV_CSV_NUMBER_SIZE.
 *   civ_numfmt_int       a whole number below 1e17 in magnitude: "%.0f"
 *   civ_numfmt_shortest  1e-4 <= |value| < 1e15: the shortest of %.15g,
 *                        %.16g, %.17g that reads back to value (the rule of
 *                        civ_csv_format_number)
 *   civ_numfmt_fixed     |value| < 1e15, decimals 0..4: "%.<decimals>f"
 *   civ_numfmt_g         0, or 1e-4 <= |value| < 1e15 where %g keeps plain
 *                        notation (fewer than `precision` integer digits),
 *                        precision 1..17: "%.<precision>g" ("%g" is 6) */
int civ_numfmt_int(double value, char *buf);
int civ_numfmt_shortest(double value, char *buf);
int civ_numfmt_fixed(double value, int decimals, char *buf);
int civ_numfmt_g(double value, int precision, char *buf);
/* An integer amount v of minor units as major units with exactly `digits`
 * decimals (0..18; -1 otherwise): "-1234.05" for v = -123405, digits 2
 * (the bytes of printf("%s%llu.%0*llu") of its sign, whole and fraction).
 * buf: CIV_CSV_NUMBER_SIZE. */
int civ_numfmt_minor(int64_t v, int digits, char *buf);

/* A table CSV written in pieces, for writers that build a large table a
 * block of rows at a time (the same bytes as civ_table_write_csv_opts of the
 * whole table): open (atomic: a temporary file renamed on commit), rows of
 * one or more tables with the same columns (the first call writes the
 * header, from that table), then commit, or abort on any error (removes the
 * temporary file).  Commit and abort free the writer. */
typedef struct civ_csv_stream civ_csv_stream;
civ_status civ_csv_stream_open(const char *path, const civ_csv_write_options *opt, civ_csv_stream **out);
civ_status civ_csv_stream_rows(civ_csv_stream *w, const civ_table *table, size_t first, size_t count);
/* Appends rows the caller formatted as the writer would (alloc/output.c:
 * civ_csv_text_cell and civ_csv_stream_options' number format), after a
 * first civ_csv_stream_rows call, possibly of 0 rows, wrote the header. */
void civ_csv_stream_text(civ_csv_stream *w, const char *text, size_t len);
/* The writer's options (how civ_csv_stream_text's rows are formatted). */
const civ_csv_write_options *civ_csv_stream_options(const civ_csv_stream *w);
/* Text cell s (NUL-terminated, len = strlen(s)) as the table writers write
 * it: as is, or in double quotes with '"' doubled when it holds a comma,
 * quote, CR or LF, when force_quotes, or when the formula guard applies
 * (civ_csv_set_formula_guard; a ' after the opening quote).  dst must hold
 * 2 * len + 3 bytes; returns the bytes written (not terminated).  For
 * writers that format rows without a civ_table (alloc/output.c). */
size_t civ_csv_text_cell(const char *s, size_t len, int force_quotes, char *dst);
civ_status civ_csv_stream_commit(civ_csv_stream *w);
void civ_csv_stream_abort(civ_csv_stream *w);

/* The UTF-8 byte-order mark (U+FEFF) a writer puts first when asked. */
#define CIV_UTF8_BOM "\xEF\xBB\xBF"

/* CIV_ERR_INVALID_ARGUMENT for out-of-range write options (NULL is fine),
 * naming fn as the function called (table_stream.c checks before opening). */
civ_status civ_csv_check_write_options(const civ_csv_write_options *opt, const char *fn);

#endif
