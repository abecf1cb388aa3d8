/*
 * plan.h -- layer plan (over core and io; forecast and alloc through the
 * public API only): the layout of civ_plan, shared by the reader (read.c)
 * and the runner (run.c).
 */
#ifndef CIV_PLAN_H
#define CIV_PLAN_H

#include <stdint.h>

#include "civicast.h"

#define CIV_PLAN_PATH_MAX 4096 /* bytes of a path, with its NUL */
#define CIV_PLAN_MAX_LEVELS 8

struct civ_plan {
    char path[CIV_PLAN_PATH_MAX];                 /* the plan file as given */
    char dir[CIV_PLAN_PATH_MAX];                  /* its folder ("" = the working folder) */
    char panel[CIV_PLAN_PATH_MAX], communities[CIV_PLAN_PATH_MAX], spec[CIV_PLAN_PATH_MAX],
        out[CIV_PLAN_PATH_MAX];
    char model[128];
    size_t horizon;
    double levels[CIV_PLAN_MAX_LEVELS];
    size_t n_levels;
    int levels_set;                               /* else {80, 95} */
    int threads;
    uint64_t seed;
    size_t draws;
    uint64_t unc_seed;
    double concentration;
    int unc_forecasts;
    int has_need;                                 /* the file has a [need] section */
};

#endif
