/*
 * date.h -- core layer: calendar arithmetic shared by the date parser
 * (date.c) and the frequency inference (freq.c), and the streaming spacing
 * accumulator the CSV reader feeds one date at a time (freq.c).
 */
#ifndef CIV_DATE_H
#define CIV_DATE_H

#include <stddef.h>
#include <stdint.h>

#include "civicast.h"

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t civ_days_from_civil(int64_t y, unsigned m, unsigned d);
void civ_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);
unsigned civ_days_in_month(int64_t y, unsigned m);

/* What the dates of one series say about their spacing, gathered one date at
 * a time in any order (gcds of the differences to the first date seen). */
typedef struct civ_spacing {
    int64_t first_day;   /* first date seen (days) */
    int64_t first_month; /* its month index 12*y + m-1 */
    int64_t gcd_days;    /* gcd of |day - first_day| (0: one distinct date) */
    int64_t gcd_months;  /* gcd of |month - first_month| */
    unsigned char all_start, all_end; /* every date the first / last day of its month */
    unsigned char any;   /* a date was added */
    /* For day dates that fit no step, to say what they look like (e.g.
     * monthly dates on the 15th, or first-of-month dates but one typo): */
    int64_t n, min_day, max_day; /* dates added (distinct in a valid panel), the earliest and the latest */
    int64_t n_start, n_end;      /* dates on the first / the last day of their month */
    int64_t not_start, not_end;  /* the first date seen that is not on the first / last day */
    unsigned char mday, same_mday; /* the first date's day of month; every date on that day */
} civ_spacing;

void civ_spacing_init(civ_spacing *s);
void civ_spacing_add(civ_spacing *s, int64_t day);

/* Decides the panel's layout from the spacing of each of n series (ids name
 * them in messages, may be NULL); `want` as in civ_dates_infer.  Errors:
 * CIV_ERR_FREQUENCY (message names the series and the candidates; series_id
 * and field "ds" set, no file: callers add theirs). */
civ_status civ_spacing_decide(const civ_spacing *series, size_t n, const char *const *ids, const civ_freq_spec *want,
                              civ_frequency *freq, int *phase, civ_date_anchor *anchor);

/* 1 when text is a date written with an English month name and numbers, in
 * a shape civ_date_parse reads ("Jan-2025", "1-Jan-2025") or names as an Excel
 * display it refuses ("Jan-25", "25-Jan"); else 0.  So that a wide sheet's
 * header "Jan-25" is named as a period, not taken for an attribute column.
 * May set the last error (the message civ_date_parse gives the same text). */
int civ_date_month_named(const char *text, size_t len);
/* 1 when a header is a month without its year: "1月".."12月" (a sheet of one year, its year in the title or in
 * a merged cell above the months), or an English month name ("Jan", "January"); else 0.  No error is set. */
int civ_date_yearless_month(const char *text);

#endif
