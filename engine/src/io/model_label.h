/*
 * model_label.h -- layer io: the names of fitted models that people read (model_label.c): the report's
 * (report_text.h's rep_short_model and rep_model_family call these) and the monitoring workbook's.
 */
#ifndef CIV_MODEL_LABEL_H
#define CIV_MODEL_LABEL_H

#include <stddef.h>

/* The family of a model specification: "DampedETS" for an ETS model with a damped trend ("ETS(A,Ad,N)"), else its
 * leading letters ("ETS(A,N,A)" -> "ETS", "ARIMA(1,1,0)" -> "ARIMA"). */
void civ_model_label_family(char *buf, size_t size, const char *spec);
/* Calls fn(component, arg) for each top-level component inside a combination's brackets, or once for a single
 * model. */
void civ_model_label_components(const char *model, void (*fn)(const char *spec, void *arg), void *arg);
/* "ComboMedian[ETS(A,N,A),ARIMA(2,0,0)(2,0,0)[12] with non-zero mean,Theta]" -> "Median(ETS, ARIMA, Theta)"; a
 * single model keeps its specification without the trailing words ("ARIMA(2,0,0)(2,0,0)[12]"). */
void civ_model_label_short(char *buf, size_t size, const char *model);
/* The name a planner knows a fitted model by: "auto" for the median combination of automatic ETS, ARIMA, Theta,
 * damped ETS and DOTM (what `auto` fits on a smooth series, the plan's default model), else
 * civ_model_label_short's ("Median(ETS, Theta)", "ETS(A,N,A)", "TSB"); a name without a specification ("Auto",
 * a several-model file's) as it is. */
void civ_model_label_reader(char *buf, size_t size, const char *model);

#endif
