/*
 * text.h -- layer: core.  Checks on text that crosses the library's edge
 * (CSV cells, HDF5 strings): strict UTF-8 validation; ids that Excel
 * mangled.
 */
#ifndef CIV_TEXT_H
#define CIV_TEXT_H

#include <stddef.h>

/* 1 if s[0..n) is strict UTF-8 (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF), else 0.  Embedded NULs are valid code points; the
 * caller rejects them where a NUL cannot stand. */
int civ_utf8_valid(const char *s, size_t n);

/* A hint (starting with "; ") when an id is a number in the scientific form
 * Excel shows a long code in a General column ("3.10101E+11") and saves it
 * so, digits lost: the cause of ids that collide; "" otherwise.  Static text. */
const char *civ_excel_scientific_id_hint(const char *id);

/* 1 when an id is what a sheet's total row holds in its id column (合计,
 * 总计, 小计, Total; spaces around it ignored): a row that sums the others,
 * not a community. */
int civ_total_row_id(const char *id);

/* Edit distance (insertions, deletions, substitutions, by bytes) of two short
 * names, for "did you mean" hints: min(distance, cap), and cap when either is
 * longer than 64 bytes; with fold_case, ASCII letters compare without case. */
size_t civ_text_distance(const char *a, const char *b, size_t cap, int fold_case);

/* The length in bytes of the list separator that starts at c (; , 、 ； ，),
 * else 0: how a cell lists ids ("C001；C002", [data] predecessors). */
size_t civ_text_list_separator(const char *c);

#endif
