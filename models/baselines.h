/*
 * baselines.h -- layer: models.  The benchmark forecasting methods every forecaster compares
 * against: the historic mean, the naive and seasonal naive methods and the
 * random walk with drift, each exactly as R's forecast package computes them
 * (meanf, naive, snaive, rwf(drift = TRUE); forecast 8.20, lagwalk()).
 *
 * Each is a model type object (model.h) registered in registry.c; specs are
 * matched case-insensitively:
 *   civ_model_mean    "mean" | "meanf"                 model name "Mean"
 *   civ_model_naive   "naive"                          model name "Naive"
 *   civ_model_snaive  "snaive"                         model name "SNaive"
 *   civ_model_rwf     "rwf" | "drift" | "rwf(drift)"   model name "Drift"
 *
 * Reference: Hyndman & Athanasopoulos, Forecasting: Principles and Practice,
 * 2nd ed., sections 3.1 (simple methods) and 3.5 (prediction intervals,
 * table 3.8).
 */
#ifndef CIV_BASELINES_H
#define CIV_BASELINES_H

#include "model.h"

extern const civ_model_type civ_model_mean;
extern const civ_model_type civ_model_naive;
extern const civ_model_type civ_model_snaive;
extern const civ_model_type civ_model_rwf;

#endif
