/*
 * text.h -- layer: core.  Checks on text that crosses the library's edge
 * (CSV cells, HDF5 strings): strict UTF-8 validation; ids that Excel or
 * pandas mangled.  Also integer codes written as floats ("310101001.0"),
 * codes that lost their leading zeros, the natural order of codes and names.
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

/* 1 when an id is what a sheet's total row holds in its id column: 合计,
 * 总计, 小计, 共计 (also in traditional characters), Total, Subtotal, Grand
 * Total, Sum, in any ASCII case, with spaces anywhere in it (ASCII, the
 * ideographic U+3000 and the no-break U+00A0: 合 计, 合　计, as people align
 * it) and a trailing colon (':' or '：') ignored: a row that sums the
 * others, not a community.  The one list (civicast.h civ_total_row_find
 * gives it to Python). */
int civ_total_row_id(const char *id);

/* civ_total_row_id, but for "total" exactly, the top node of civicast's own
 * node panels (hier/structure.c), which a long panel's readers accept: the
 * check the CSV and HDF5 panel readers and civ_total_row_find apply. */
int civ_total_row_series(const char *id);

/* The length of the integer part of an id written as pandas writes an
 * integer column with gaps, a float ("310101001.0": digits, '.', then one or
 * more '0'), else 0. */
size_t civ_whole_float_id_len(const char *id);

/* 1 when a column of ids (n texts; NULL or "" for a missing cell) is an
 * integer column written as floats, so that each "digits.0" is read as its
 * digits: every non-empty id is digits or digits ".0" (civ_whole_float_id_len)
 * and at least one has the ".0".  A column with any other id ("1.5", "A01",
 * "3.10101E+11") keeps its texts.  docs/HOSTILE_INPUTS.md, "Identifiers". */
int civ_whole_float_ids(const char *const *ids, size_t n);

/* When id is not among the n ids `known` but one of them is the same code
 * but for leading zeros ('7' and '007', '10203' and '010203': Excel drops
 * them from a General column), that one; else NULL.  For error messages. */
const char *civ_id_zero_twin(const char *id, const char *const *known, size_t n);

/* The hint for an id whose zero twin (civ_id_zero_twin) is `twin`, written
 * into buf (starting with "; "), naming where the twin is (`where`, e.g. "the
 * communities table"); buf is returned. */
const char *civ_id_zero_hint(const char *id, const char *twin, const char *where, char *buf, size_t size);

/* Natural order of two codes or names, for tables people read: runs of ASCII
 * digits compare as numbers ('9' < '10', '310101009' < '310101010'; with
 * equal values the shorter run, without leading zeros, first), everything
 * else by bytes (so Chinese names keep their UTF-8 byte order); a total
 * order, equal only for equal texts.  <0, 0, >0 as strcmp. */
int civ_natural_cmp(const char *a, const char *b);

/* Edit distance (insertions, deletions, substitutions, by bytes) of two short
 * names, for "did you mean" hints: min(distance, cap), and cap when either is
 * longer than 64 bytes; with fold_case, ASCII letters compare without case. */
size_t civ_text_distance(const char *a, const char *b, size_t cap, int fold_case);
/* civ_text_distance by characters, for names people type in Chinese: UTF-8 code points (a wrong character,
 * "常驻人口" for "常住人口", is 1, where by bytes it is 3), the full-width forms of ASCII (U+FF01..U+FF5E:
 * "（", "：", "％") and the ideographic space read as their ASCII twins, so "面积(平方公里)" and "面积（平方公里）"
 * are 0 apart; bytes that are not UTF-8 count one each. */
size_t civ_text_distance_chars(const char *a, const char *b, size_t cap, int fold_case);

/* 1 when s is `name` with spaces around it (ASCII spaces and tabs, the no-break U+00A0 and the ideographic
 * U+3000, as a sheet's header or id cell keeps them) and at least one there; 0 otherwise, also for s == name
 * and for an empty name.
 * The one test of "the same name with spaces around it" hints (the CSV header, the allocation's attributes). */
int civ_text_is_spaced(const char *s, const char *name);

/* The length in bytes of the list separator that starts at c (; , 、 ； ，),
 * else 0: how a cell lists ids ("C001；C002", [data] predecessors). */
size_t civ_text_list_separator(const char *c);
/* The next item of a list cell read from *c (separators as above, spaces
 * around items dropped): sets *item to its first byte and *len to its length
 * (not NUL-terminated) and moves *c past it; returns 0, with *c at the end,
 * when no item is left.  One reading of such cells for every caller. */
int civ_text_list_next(const char **c, const char **item, size_t *len);

/* 1 when Chinese text puts an ASCII space between the text before[0..n) and
 * the text `after` where they meet (a name from the spec or the data inside a
 * Chinese sentence): a space stays beside Latin letters and digits ("2026 年",
 * "ETS 的", "老龄化 31.2%"), none goes between two Chinese characters
 * (U+3400..U+9FFF, U+F900..U+FAFF: "不符合流动人口服务的条件") or next to a
 * full-width mark (（）：；，。、“”‘’《》【】！？ and the ideographic space),
 * nor at the start or end of a text, nor beside a space already there.  The
 * one rule of the explanations (alloc/explain.c, plan/join.c) and the report's
 * Chinese (report_zh.c, report_text.c). */
int civ_zh_space(const char *before, size_t n, const char *after);
/* 1 for the code points of civ_zh_space's full-width marks. */
int civ_zh_full_width_mark(unsigned cp);
/* 1 for a Chinese character in civ_zh_space's sense. */
int civ_zh_han(unsigned cp);

#endif
