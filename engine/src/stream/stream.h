/*
 * stream.h -- layer: stream (over core and io; forecasting through
 * civicast.h).  Internal pieces of the chunked output writers
 * (forecast_write.c: civ_forecast_panel_write in civicast.h).
 */
#ifndef CIV_STREAM_H
#define CIV_STREAM_H

#include "civicast.h"
#include "strmap.h"

/* Distinct names in first-seen order, each with a count (or a flag). */
typedef struct name_set {
    civ_strmap map;         /* name -> index */
    char **names;           /* owned copies */
    size_t *counts;
    size_t n, cap;
} name_set;

/* The index of `name`, added with count 0 when new.  Errors:
 * CIV_ERR_OUT_OF_MEMORY. */
civ_status civ_name_set_add(name_set *s, const char *name, size_t *index);
/* Frees the names and tables; the struct may be zeroed or reused after. */
void civ_name_set_free(name_set *s);

#endif
