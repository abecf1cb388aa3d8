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

/* The UTF-8 byte-order mark (U+FEFF) a writer puts first when asked. */
#define CIV_UTF8_BOM "\xEF\xBB\xBF"

/* The pieces of civ_table_write_csv_opts, for writers that append tables in
 * chunks (table_stream.c): the header line (with the BOM when opt->bom; opt
 * may be NULL), then the rows of each chunk.  Errors of the rows:
 * CIV_ERR_DOMAIN for an infinite number, naming `path` and the column. */
void civ_csv_put_table_header(FILE *fp, const civ_table *table, const civ_csv_write_options *opt);
civ_status civ_csv_put_table_rows(FILE *fp, const civ_table *table, const civ_csv_write_options *opt,
                                  const char *path);
/* CIV_ERR_INVALID_ARGUMENT for out-of-range options (NULL is fine). */
civ_status civ_csv_check_write_options(const civ_csv_write_options *opt, const char *fn);

#endif
