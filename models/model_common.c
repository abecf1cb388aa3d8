/*
 * model_common.c -- layer: models.  Helpers every model family shares: normal quantiles for
 * interval levels, information criteria, and quantile intervals from
 * simulated sample paths.
 */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "numeric.h"
#include "model.h"

double civ_normal_quantile_for_level(double level)
{
    return gsl_cdf_ugaussian_Pinv(0.5 + level / 200.0);
}

void civ_fit_set_criteria(civ_model_fit *fit, double loglik, size_t k, size_t n_used)
{
    double kk = (double)k, nn = (double)n_used;
    fit->loglik = loglik;
    fit->n_params = k;
    fit->aic = -2.0 * loglik + 2.0 * kk;
    fit->aicc = nn - kk - 1.0 > 0.0 ? fit->aic + 2.0 * kk * (kk + 1.0) / (nn - kk - 1.0) : NAN;
    fit->bic = -2.0 * loglik + kk * log(nn);
}

civ_status civ_intervals_from_paths(const double *paths, size_t n_paths, size_t h, const double *levels,
                                    size_t n_levels, civ_workspace *ws, double *lower, double *upper)
{
    if (n_paths == 0)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "no sample paths for intervals");
    double *col = civ_arena_doubles(&ws->arena, n_paths);
    if (!col)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for %zu sample paths", n_paths);
    for (size_t j = 0; j < h; j++) {
        size_t m = 0;
        for (size_t p = 0; p < n_paths; p++) {
            double v = paths[p * h + j];
            if (!isnan(v))
                col[m++] = v;
        }
        if (m == 0) {
            for (size_t l = 0; l < n_levels; l++)
                lower[l * h + j] = upper[l * h + j] = NAN;
            continue;
        }
        /* Selection permutes col but keeps it the same multiset, so the
         * quantiles do not depend on the order they are taken in; all the
         * bounds of up to CIV_QUANTILES_MAX / 2 levels are selected together. */
        for (size_t l0 = 0; l0 < n_levels; l0 += CIV_QUANTILES_MAX / 2) {
            size_t nl = n_levels - l0 < CIV_QUANTILES_MAX / 2 ? n_levels - l0 : CIV_QUANTILES_MAX / 2;
            double p[CIV_QUANTILES_MAX], q[CIV_QUANTILES_MAX];
            for (size_t l = 0; l < nl; l++) {
                double a = (1.0 - levels[l0 + l] / 100.0) / 2.0;
                p[2 * l] = a;
                p[2 * l + 1] = 1.0 - a;
            }
            civ_quantiles7(col, m, p, 2 * nl, q);
            for (size_t l = 0; l < nl; l++) {
                lower[(l0 + l) * h + j] = q[2 * l];
                upper[(l0 + l) * h + j] = q[2 * l + 1];
            }
        }
    }
    return CIV_OK;
}
