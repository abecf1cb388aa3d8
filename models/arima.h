/*
 * arima.h -- layer: models.  The ARIMA model family: fixed-order ARIMA(p,d,q)(P,D,Q)[m]
 * with mean, drift and regressors (R's forecast::Arima / stats::arima), and
 * automatic order selection (forecast::auto.arima, Hyndman & Khandakar 2008).
 *
 * Specs (case-insensitive family words; see docs/models/ARIMA.md):
 *   arima | auto.arima                 automatic, stepwise search (R defaults)
 *   arima(full) | auto.arima(full)     automatic, the full search (stepwise = FALSE)
 *   options inside the parentheses, comma-separated: full, stepwise,
 *   approx, noapprox (force/forbid the CSS approximation of the search)
 *   ARIMA(p,d,q)                       fixed orders; a mean when d = 0 (Arima's
 *   ARIMA(p,d,q)(P,D,Q)                include.mean = TRUE), no drift; the seasonal
 *   ARIMA(p,d,q)(P,D,Q)[m]             period is the series' unless [m] is given
 *   ... followed by one of " with drift", " with mean" (= " with non-zero mean"),
 *   " with zero mean" / " without mean".
 * Regressors (civ_series.xreg, e.g. --xreg aged60) enter every ARIMA model
 * as a regression with ARIMA errors; their future values are needed for the
 * forecast horizon (CIV_ERR_NOT_FOUND when too short, CIV_ERR_DOMAIN when
 * not finite).  The fit reports each coefficient and its standard error
 * ("se(aged60)") in fit->param_names / fit->params.
 */
#ifndef CIV_ARIMA_H
#define CIV_ARIMA_H

#include "model.h"

extern const civ_model_type civ_model_arima;

#endif
