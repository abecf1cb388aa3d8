/*
 * report_zh.h -- layer report: the Chinese of the English that other stages
 * write into a plan's output folder (allocation explanations of a run in
 * English, the monitoring and risk tables' fixed words, column names), for
 * the Chinese page.  Names from the spec or the data stay as written.
 */
#ifndef CIV_REPORT_ZH_H
#define CIV_REPORT_ZH_H

#include "report_buf.h"

/* Appends to b (plain text, not HTML-escaped) the Chinese of an explanation
 * engine/src/alloc/explain.c wrote in English: the sentence its Chinese
 * mode writes for the same community ("构成：population 50.0%；eldercare
 * 1000.00元（上年 800.00元，+25.00%）：提高到保底 1000.00元").  Clauses it does
 * not know (an older folder's) are translated phrase by phrase; a Chinese
 * explanation (a run in Chinese: "构成：...") is appended as it is.  Money
 * is followed by 元 when currency is CNY (or NULL), else by the currency's
 * code after a space ("600.00 USD"), as explain.c's Chinese mode writes it. */
void rep_explanation_zh(civ_rbuf *b, const char *text, const char *currency);
/* The Chinese of a fixed word in a monitoring or risk table column
 * (status "missed" -> 未达标, alert "raised", scope "street", impact "fairly
 * severe", level "medium-high"), or of a backtest model name (model "Auto" ->
 * 自动组合（默认）, "SeasonalNaive" -> 季节朴素法); `value` itself when the
 * column or the value is not one of these. */
const char *rep_word_zh(const char *column, const char *value);
/* The word a reader of the page's language sees for a fixed word: zh
 * rep_word_zh, en the English of the codes written with underscores
 * (status "no_data" -> "no data", "no_target" -> "no target", "not_started"
 * -> "not started"; "closed" stays "closed"). */
const char *rep_word(int zh, const char *column, const char *value);
/* The header, in the page's language, of a column of a table the page shows
 * as it is (monitoring, risks, backtest accuracy: "ds" -> 统计期 / Period,
 * "coverage-80" -> 覆盖率-80); NULL when the name is not known (the header
 * then stays the column's name).  buf (64 bytes) holds a made-up label. */
const char *rep_column_label(int zh, const char *column, char *buf, size_t size);
/* The header of the allocation's column `column` (unique_id, name, district, street, amount, change_pct,
 * communities, binding, explanation) in the report's tables: the plan workbook's word, or its shorter form
 * where the table holds one (编号 for 社区编号: io/column_labels.c, one place for both).  `column` itself when
 * the table has no word. */
const char *rep_alloc_head(int zh, const char *column);
/* The word of the code `value` in column `column` of the plan table `table` (the waterfall's scope "gained"
 * -> 增加 / Gained), in the report's shorter form where the table holds one (io/column_labels.c). */
const char *rep_code_word(int zh, const char *table, const char *column, const char *value);

#endif
