/*
 * pred_map.h -- layer: core.  The map of a changed map of communities, read once for every reader (the panel
 * join, the allocation's binding, last year's allocation): each row's predecessors ([data] predecessors, a list
 * cell "C001；C002") as a list of ids, never a joined string (an id may contain '+'), and each one's share
 * ([data] predecessor_shares, a list cell aligned with it: "0.6" or "0.5；1"), checked: a share in (0, 1], as
 * many shares as predecessors, the parts of a split all with a share and summing to at most 1, a predecessor
 * with a single successor whole (docs/FORECASTING.md and docs/ALLOCATION.md, "When the map changes").
 */
#ifndef CIV_PRED_MAP_H
#define CIV_PRED_MAP_H

#include <stddef.h>

#include "civicast.h"

typedef struct civ_pred_map {
    size_t n_rows;          /* rows of the table */
    size_t *first, *n;      /* per row: its items [first, first + n), in cell order, an id twice kept once */
    size_t n_items;
    char **id;              /* per item: the id (a copy) */
    double *share;          /* per item: its share; NaN when the row gives none */
    unsigned char *self;    /* per item: the row's own id (a community that absorbed others lists itself) */
    size_t *named_by;       /* per item: how many rows name this id as another's predecessor */
    unsigned char *divided; /* per item: a split (named by several rows) whose every part gives a share */
    int any_share;          /* some row gives shares */
} civ_pred_map;

/* Reads columns pc (predecessors, text) and sc (shares, text or numbers; SIZE_MAX: none) of t, keyed by its
 * text column idc.  pred_name and share_name name the columns in messages.  Errors (CIV_ERR_DOMAIN, at the
 * share cell's file:line:column, with the community, the value and the cure): a share that is not a number in
 * (0, 1] ("0.6", "60%"), a count of shares unlike the count of predecessors, shares for some parts of a split
 * and not others, parts whose shares sum above 1, a single successor's share below 1, its own id's share
 * below 1; CIV_ERR_OUT_OF_MEMORY.  The map is empty (and freeable) on error. */
civ_status civ_pred_map_read(const civ_table *t, size_t idc, size_t pc, size_t sc, const char *pred_name,
                             const char *share_name, civ_pred_map *m);
void civ_pred_map_free(civ_pred_map *m);
/* The weight of item k in a sum of its parent's values: its share, 1 without one. */
double civ_pred_map_weight(const civ_pred_map *m, size_t k);

#endif
