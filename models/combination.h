/*
 * combination.h -- layer: models.  The forecast combination of automatic ETS, automatic ARIMA
 * and the standard Theta method (specs "combo", "combo(mean)", "combo(median)",
 * and, through auto.c, "auto" for non-intermittent series: the M1 decision in docs/FORECASTING.md).
 *
 * The components are fitted through their type objects (civ_model_ets,
 * civ_model_arima, civ_model_theta, configured from the specs "ets", "arima"
 * and "theta", or the members named in the spec, e.g.
 * "combo(median,ets,arima,theta,damped,dotm)": see combination.c); the
 * combination never names their internals nor uses the registry.
 * Point forecast: the mean (or median) of the component point forecasts at
 * each horizon.  Intervals: for each level, the mean (or median) of the
 * component bounds, i.e. the average of the components' quantiles
 * ("Vincentization" or quantile averaging; see combination.c for sources).
 * A component that cannot be fitted is dropped and the fit's name lists only
 * the components that were combined.
 */
#ifndef CIV_COMBINATION_H
#define CIV_COMBINATION_H

#include "model.h"

extern const civ_model_type civ_model_combination;

#endif
