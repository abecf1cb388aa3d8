/*
 * column_labels.h -- layer: io.  The one table of the headers a reader sees
 * for the columns of the tables civicast writes, in Chinese or English (the
 * report's tables shown as they are, the plan's allocation.xlsx, the
 * monitoring workbook monitoring.xlsx), the words
 * of the allocation's rules and of the summary's codes (column_labels.c).
 * The CSVs keep their machine names; only what people read changes.
 */
#ifndef CIV_COLUMN_LABELS_H
#define CIV_COLUMN_LABELS_H

#include <stddef.h>

/* What a column's header is read in. */
typedef struct civ_label_ctx {
    int zh;            /* 1: Chinese, 0: English */
    /* The table the column is in: NULL for the report's tables (monitoring, risks, backtest accuracy: only the
     * names they share are known), else one of the plan's money tables ("allocation", "summary", "waterfall",
     * "need", "need_summary", "uncertainty"), whose columns are known by name and by their parts
     * (factor_<name>_fen, pool_<fund>_fen, last_year_<fund>_fen, change_<fund>_pct, p95_fen); or one of the
     * monitoring workbook's ("monitor_alerts", "monitor_status", "warning", "warning_steps", "risks",
     * "risk_matrix", "inactivity", "demand": monitor/workbook.c). */
    const char *table;
    /* The unit word of the money of a table whose money columns carry no unit in their names (the waterfall's
     * base, floor, ... in the minor unit: "fen"), or NULL. */
    const char *minor;
    /* The label ("常住人口") the spec gives the `kind` ("factor": factor_<name>_fen; "fund": pool_, last_year_,
     * change_, paid_<name>_...; "formula": tilt_<name>) named `name`, or NULL (the name is then shown as it
     * is); spec_label may be NULL. */
    const char *(*spec_label)(void *arg, const char *kind, const char *name);
    void *arg;
    /* 1: the report's shorter word where the table holds one (编号 for 社区编号, 金额 for 分配金额（分）: the report's
     * narrow columns), else the workbook's. */
    int brief;
} civ_label_ctx;

/* The header of `column` ("amount_yuan" -> 分配金额（元） / Amount (yuan), "factor_population_fen" with the
 * factor's label 常住人口 -> 常住人口（分） / 常住人口 (fen), "share_pct" -> 占比（%） / Share (%)): money keeps its
 * unit at the end, （分）（元） or (fen) (yuan), so that xlsx_write.c formats the column as money.  NULL when the
 * column is not known (the header then stays its name).  buf (size bytes, 160 are enough) holds a made-up
 * label. */
const char *civ_column_label(const civ_label_ctx *ctx, const char *column, char *buf, size_t size);

/* The likelihood word of row `row` (1 = the least likely) of a risk matrix of `n_rows` probability rows: the
 * five-point scale of risk registers for the default matrix (几乎不可能 不太可能 可能 很可能 几乎肯定; rare unlikely
 * possible likely "almost certain"), its upper points for three or four rows; NULL for any other matrix.  The
 * report's risk table and monitoring.xlsx's risk sheet. */
const char *civ_likelihood_label(int zh, size_t row, size_t n_rows);

/* The word of an allocation rule ("floor" -> 保底 / floors, "hold_harmless", "" -> 无约束 / no constraint):
 * the report's constraint and waterfall names; `rule` itself when not a rule. */
const char *civ_rule_label(int zh, const char *rule);

/* The Chinese of a code in a column of the allocation summary (section "reserve" -> 储备金, item "floor" ->
 * 保底, measure "per_capita" -> 人均, unit "fen" -> 分), with the report's words; `value` itself when the report
 * has no word for it, or zh is 0 (the English codes stay as they are). */
const char *civ_code_label(int zh, const char *column, const char *value);

/* ---- the words of the codes in the cells (column_labels.c, "the words of the codes") ---- */

/* The words a reader sees for the machine code `value` in column `column` of the plan table ctx->table, in
 * ctx->zh's language (allocation.xlsx, and the report where it shows these values; the CSVs keep the codes):
 *   summary   section, item, measure, unit ("fund" -> 分配资金 / Fund, "lambda" -> 分配系数λ（每单位倾斜后得分的金额）,
 *             "yuan/person" -> 元/人 / yuan per resident, "multiplier" -> 分/单位得分, "last_year_<fund>" -> the
 *             fund's spec label + 上年金额);
 *   waterfall spec ("plan" -> 本方案) and scope (total, gained, lost, district);
 *   uncertainty, need_summary  scope (community, district, total; year, total);
 *   allocation binding, its rules joined by '+' ("pace+hold_harmless" -> 增幅上限+不低于上年一定比例).
 * `value` itself when it is not a code of that column (a spec's name, a district, an id: the reader's own
 * words) or empty.  buf (size bytes, 192 are enough) holds a composed word.  A summary item is a code
 * whatever its section here: civ_summary_row_words reads it by its row (a fund named "total" stays its name). */
const char *civ_value_label(const civ_label_ctx *ctx, const char *column, const char *value, char *buf, size_t size);

/* The words of one row of the allocation summary: codes[0..3] its section, item, measure and unit, words[k]
 * each one's words (civ_value_label), with the measure "amount" of a row whose unit is per person read as
 * the amount per person (statistic per_capita_mean: 人均金额, 元/人; not 金额).  bufs: 4 x 192 bytes. */
void civ_summary_row_words(const civ_label_ctx *ctx, const char *const codes[4], const char *words[4],
                           char (*bufs)[192]);

/* 1 when column `column` of the plan table `table` holds codes civ_value_label puts in words (the summary's
 * section, item, measure, unit; the waterfall's spec and scope; the uncertainty's and need summary's scope;
 * the allocation's binding), 0 when it holds the reader's own words or numbers (ids, names, districts, spec
 * labels, explanations). */
int civ_value_column(const char *table, const char *column);

#endif
