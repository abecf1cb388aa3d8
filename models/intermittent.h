/*
 * intermittent.h -- layer: models.  Forecasting methods for intermittent and
 * small-count demand (many zero periods, small integer counts), and the
 * Syntetos-Boylan classification of a series' demand pattern.
 *
 * Each method is a model type object (model.h) registered in registry.c;
 * specs are matched case-insensitively, spaces ignored:
 *   civ_model_croston "croston" | "croston(alpha=A)"           model name "Croston"
 *   civ_model_sba     "sba" | "sba(alpha=A)"                   model name "SBA"
 *   civ_model_tsb     "tsb" | "tsb(alpha=A,beta=B)"            model name "TSB"
 *   civ_model_adida   "adida" | "adida(k=K,alpha=A)"           model name "ADIDA(k=K)"
 *   civ_model_imapa   "imapa" | "imapa(k=K,alpha=A)"           model name "IMAPA(k=1..K)"
 * with 0 < A, B <= 1 (defaults 0.1, the default of R's forecast::croston) and
 * K >= 1 the (largest) temporal aggregation level (default from the series'
 * ADI, see intermittent.c).
 *
 * Point forecasts are flat over the horizon and never negative.  Intervals
 * are quantiles of a count distribution per period: "a demand occurs with
 * probability pi, and its size is drawn from the series' own demand sizes,
 * rescaled so that the mean is the point forecast" (intermittent.c has the
 * formulas).  Series with a negative value fail with CIV_ERR_DOMAIN.
 * Missing values are skipped (the methods see the observed periods only).
 *
 * Reference: docs/models/INTERMITTENT.md.
 */
#ifndef CIV_INTERMITTENT_H
#define CIV_INTERMITTENT_H

#include "model.h"

extern const civ_model_type civ_model_croston;
extern const civ_model_type civ_model_sba;
extern const civ_model_type civ_model_tsb;
extern const civ_model_type civ_model_adida;
extern const civ_model_type civ_model_imapa;

/* The spec "auto" (auto.c): the median combination for smooth and erratic
 * series, TSB for intermittent, lumpy and no-demand ones. */
extern const civ_model_type civ_model_auto;

/* Syntetos-Boylan cut-offs (Syntetos, Boylan & Croston 2005, JORS 56(5)). */
#define CIV_DEMAND_ADI_CUTOFF 1.32
#define CIV_DEMAND_CV2_CUTOFF 0.49

/* Classifies y[0..n) (NaN = missing, skipped).  ADI is the number of observed
 * periods from the first demand (non-zero value) to the end divided by the
 * number of demands (leading zeros, e.g. months before a service opened, are
 * not counted); CV2 is the squared coefficient of variation of the demand
 * sizes (sample variance, n - 1; 0 with a single demand).  Returns the class:
 * CIV_DEMAND_UNDEFINED with NaN outputs when a value is negative or none is
 * observed, CIV_DEMAND_NONE (ADI and CV2 NaN) when every observed value is 0,
 * else smooth / erratic / intermittent / lumpy by the cut-offs above
 * (ADI >= 1.32 is intermittent or lumpy; CV2 >= 0.49 erratic or lumpy). */
civ_demand_class civ_intermittent_classify(const double *y, size_t n, double *adi, double *cv2);

#endif
