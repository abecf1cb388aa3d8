/*
 * report_text.h -- layer report: numbers and names written for a reader, in
 * Chinese or English (1.45 亿元 / CNY 145.0 million, 12,345, 4.5%), and the
 * short form of a model name (combinations list their components).
 */
#ifndef CIV_REPORT_TEXT_H
#define CIV_REPORT_TEXT_H

#include <stddef.h>

/* Money in the plan's major units (yuan for CNY), scaled to what reads best: zh 亿元 / 万元 / 元, en CNY
 * 1.45 billion / CNY 12.3 million / CNY 1,234.  code is the currency's ISO code (NULL: CNY), zh_name its
 * Chinese name (美元; NULL or "" for a currency without one: the code follows the magnitude word,
 * "12.3 万 XYZ").  "—" for a missing value. */
void rep_fmt_money(char *buf, size_t size, double v, int zh, const char *code, const char *zh_name);
/* The same in one fixed unit from 1 万 (1 million in English) up: zh 万元, en CNY million, with one decimal
 * (below it: as rep_fmt_money), so that the parts add up to the whole as printed. */
void rep_fmt_money_fixed(char *buf, size_t size, double v, int zh, const char *code, const char *zh_name);
/* The unit word of money for a label: big 0 the major unit (元, 美元, XYZ; en CNY, USD), big 1 the unit of
 * rep_fmt_money_fixed and the charts' district amounts (万元, 万美元, 万 XYZ; en CNY million). */
void rep_money_unit(char *buf, size_t size, int big, int zh, const char *code, const char *zh_name);
/* Copies text with thousands separators in its decimal numbers of four or
 * more integer digits ("126225.00元" -> "126,225.00元"). */
void rep_group_digits(char *out, size_t size, const char *text);
/* A count or amount with thousands separators and `decimals` decimals. */
void rep_fmt_num(char *buf, size_t size, double v, int decimals);
/* A percentage (v already in percent) with one decimal and a sign if asked. */
void rep_fmt_pct(char *buf, size_t size, double pct, int sign);
/* Short model name: "ComboMedian[ETS(A,N,A),ARIMA(2,0,0)(2,0,0)[12] with
 * non-zero mean,Theta]" -> "Median(ETS, ARIMA, Theta)", a damped-trend ETS
 * component as "DampedETS" ("ComboMedian[ETS(A,N,A),ARIMA(0,1,0),Theta,
 * ETS(A,Ad,A),DOTM]" -> "Median(ETS, ARIMA, Theta, DampedETS, DOTM)"); a single
 * model keeps its specification without the trailing words ("ARIMA(2,0,0)(2,0,0)[12]"). */
void rep_short_model(char *buf, size_t size, const char *model);
/* The family of a model specification: "DampedETS" for an ETS model with a
 * damped trend ("ETS(A,Ad,N)"), else its leading letters ("ETS(A,N,A)" ->
 * "ETS", "ARIMA(1,1,0)" -> "ARIMA").  The component names of rep_short_model
 * and the families of the report's model mix; public as
 * civ_model_display_family (model_names.c), which Python's plots call. */
void rep_model_family(char *buf, size_t size, const char *spec);
/* Splits a combination's components: calls fn(component, arg) for each
 * top-level component inside the brackets, or once for a single model. */
void rep_model_components(const char *model, void (*fn)(const char *spec, void *arg), void *arg);

/* Chinese text as the page prints it: the ASCII spaces next to a full-width punctuation mark, or between two
 * Chinese characters, are dropped (a name that ends in one before a particle, "自动组合（默认） 的" ->
 * "自动组合（默认）的", "季节朴素法 的" -> "季节朴素法的"; "（默认） 40,108" -> "（默认）40,108"; "万元 按因素法" ->
 * "万元按因素法"); spaces between a Chinese character and a Latin letter or digit stay ("2026 年", "ETS 的").
 * Copies at most size - 1 bytes, never cutting a character. */
void rep_zh_tidy(char *out, size_t size, const char *text);

#endif
