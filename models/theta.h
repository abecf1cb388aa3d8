/*
 * theta.h -- layer: models.  The Theta family of forecasting models as one model type object.
 *
 * Specs (case-insensitive):
 *   "theta"      the standard Theta method exactly as R's forecast::thetaf()
 *                (Assimakopoulos & Nikolopoulos 2000, in the SES-with-drift
 *                form of Hyndman & Billah 2003): seasonality test, classical
 *                multiplicative decomposition, SES fitted as R's
 *                ets(model = "ANN", opt.crit = "mse"), drift b0/2, analytic
 *                intervals from the SES fit.
 *   "stm", "otm", "dstm", "dotm"
 *                the Standard / Optimised / Dynamic Standard / Dynamic
 *                Optimised Theta Models of Fiorucci, Pellegrini, Louzada,
 *                Petropoulos & Koehler (2016), "Models for optimising the
 *                theta method and their relationship to state space models",
 *                IJF 32(4), as in the forecTheta R package: (ell0, alpha,
 *                theta) estimated by Nelder-Mead on the in-sample squared
 *                one-step errors; intervals from simulated sample paths of
 *                the state space model (ws->rng).
 *   "autotheta"  STM, OTM, DSTM and DOTM are all fitted on the same
 *                (deseasonalised) series and the one with the lowest
 *                information criterion (options->criterion, default AICc)
 *                on the common sample t = 3..n is kept.
 *
 * See docs/models/THETA.md for the equations, the fallbacks (short, constant
 * and seasonal-index-near-zero series) and the differences from R.
 *
 * Errors from fit: CIV_ERR_DOMAIN for a missing (NaN) or infinite value
 * (the Theta family needs a complete series, as R's thetaf does),
 * CIV_ERR_TOO_SHORT for n < 2 ("theta") or n < 4 (the optimised variants),
 * CIV_ERR_NUMERIC when the optimiser cannot find a finite objective.
 * All memory comes from the workspace arena.
 */
#ifndef CIV_THETA_H
#define CIV_THETA_H

#include "model.h"

extern const civ_model_type civ_model_theta;

#endif
