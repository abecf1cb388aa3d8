/*
 * test_monitor_inactivity.c -- inactivity alerts (engine/src/monitor/
 * inactivity.c): the detection delay and the false alarms per person-month
 * at the default threshold, measured on simulated sensor streams with
 * planted incidents; the population prior for a new person; the streaming
 * calls (event, threshold, poll); the table runner with its errors
 * (timestamps out of order, bad ts) naming the line and field.
 *
 * The simulated home (seeded, deterministic): each person wakes at 6:00-7:30
 * and goes to bed at 21:30-23:00 (local time, UTC+8), moves with a Poisson
 * rate of 3-10 events an hour awake and 0.05-0.3 asleep, goes out on half
 * the days for a log-normal time (median 1.5 h, capped at 5 h) with no
 * events, over 60 days.  A third of the people have one incident on a day
 * >= 21 at a uniform time between 8:00 and 20:00: no events for the next 24
 * hours.  Printed figures go to docs/MONITORING.md.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "monitor.h"

static uint64_t rng_state;
static double uniform(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}
static double normal(void) { return sqrt(-2 * log(1 - uniform())) * cos(6.283185307179586 * uniform()); }

#define PEOPLE 90
#define DAYS 60
#define T0 1735660800.0 /* 2024-12-31T16:00:00Z = 2025-01-01 00:00 local */

typedef struct sim_person {
    double wake, sleep, rate_day, rate_night;
    double out_from[DAYS], out_to[DAYS];
    double incident; /* seconds since T0, or -1 */
} sim_person;

typedef struct sim_result {
    size_t incidents, detected, false_alarms, false_alarms_late;
    double delays[PEOPLE], person_months, late_person_months;
} sim_result;

static void simulate(const civ_monitor_inactivity_options *opt, uint64_t seed, sim_result *res)
{
    static sim_person P[PEOPLE];
    rng_state = seed;
    memset(res, 0, sizeof *res);
    for (int i = 0; i < PEOPLE; i++) {
        sim_person *p = &P[i];
        p->wake = 6.0 + 1.5 * uniform(), p->sleep = 21.5 + 1.5 * uniform();
        p->rate_day = 3 + 7 * uniform(), p->rate_night = 0.05 + 0.25 * uniform();
        for (int d = 0; d < DAYS; d++) {
            p->out_from[d] = p->out_to[d] = -1;
            if (uniform() < 0.5) {
                double start = d * 86400.0 + (9 + 8 * uniform()) * 3600.0;
                double len = fmin(5.0, 1.5 * exp(0.5 * normal())) * 3600.0;
                p->out_from[d] = start, p->out_to[d] = start + len;
            }
        }
        p->incident = i % 3 == 0 ? (21 + floor(uniform() * (DAYS - 23))) * 86400.0 + (8 + 12 * uniform()) * 3600.0
                                 : -1;
    }
    civ_monitor_inactivity *det = NULL;
    assert_int_equal(civ_monitor_inactivity_create(opt, &det), CIV_OK);
    char id[PEOPLE][16];
    for (int i = 0; i < PEOPLE; i++)
        snprintf(id[i], sizeof id[i], "P%03d", i);
    double first_alert[PEOPLE];
    for (int i = 0; i < PEOPLE; i++)
        first_alert[i] = -1;
    for (long minute = 0; minute < DAYS * 1440L; minute++) {
        double s = minute * 60.0, hour = fmod(minute / 60.0, 24.0);
        int day = (int)(minute / 1440);
        for (int i = 0; i < PEOPLE; i++) {
            const sim_person *p = &P[i];
            int awake = hour >= p->wake && hour < p->sleep;
            if (s >= p->out_from[day] && s < p->out_to[day])
                continue;
            if (p->incident >= 0 && s >= p->incident && s < p->incident + 86400.0)
                continue;
            if (uniform() >= (awake ? p->rate_day : p->rate_night) / 60.0)
                continue;
            double at;
            assert_int_equal(civ_monitor_inactivity_event(det, id[i], T0 + s + 30.0, &at), CIV_OK);
            if (isnan(at))
                continue;
            double a = at - T0;
            if (p->incident >= 0 && a >= p->incident && a < p->incident + 86400.0) {
                if (first_alert[i] < 0)
                    first_alert[i] = a;
            } else {
                res->false_alarms++;
                if (a >= 14 * 86400.0)
                    res->false_alarms_late++;
            }
        }
    }
    for (int i = 0; i < PEOPLE; i++)
        if (P[i].incident >= 0) {
            res->incidents++;
            if (first_alert[i] >= 0)
                res->delays[res->detected++] = (first_alert[i] - P[i].incident) / 3600.0;
        }
    res->person_months = PEOPLE * DAYS / 30.0;
    res->late_person_months = PEOPLE * (DAYS - 14) / 30.0;
    civ_monitor_inactivity_free(det);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void test_planted_incidents(void **state)
{
    (void)state;
    civ_monitor_inactivity_options opt;
    assert_int_equal(civ_monitor_inactivity_options_init(&opt), CIV_OK);
    if (getenv("CIV_INACTIVITY_SCAN")) { /* the trade-off table of docs/MONITORING.md */
        static const double qs[] = {0.98, 0.99, 0.995, 0.999, 0.9995};
        for (int a = 0; a < 5; a++) {
            civ_monitor_inactivity_options o = opt;
            o.quantile = qs[a];
            sim_result x;
            simulate(&o, 20260101, &x);
            qsort(x.delays, x.detected, sizeof(double), cmp_double);
            printf("| %g | %zu/%zu | %.2f | %.2f | %.3f | %.3f |\n", qs[a], x.detected, x.incidents,
                   x.detected ? x.delays[x.detected / 2] : NAN, x.detected ? x.delays[x.detected - 1] : NAN,
                   x.false_alarms / x.person_months, x.false_alarms_late / x.late_person_months);
        }
    }
    sim_result r;
    simulate(&opt, 20260101, &r);
    qsort(r.delays, r.detected, sizeof(double), cmp_double);
    double median = r.detected ? r.delays[r.detected / 2] : NAN, worst = r.detected ? r.delays[r.detected - 1] : NAN;
    double fa = r.false_alarms / r.person_months, fa_late = r.false_alarms_late / r.late_person_months;
    printf("inactivity (defaults, %d people x %d days, seed 20260101): %zu/%zu incidents detected; delay median "
           "%.2f h, max %.2f h; false alarms %.3f per person-month (%.3f after the first 14 days)\n",
           PEOPLE, DAYS, r.detected, r.incidents, median, worst, fa, fa_late);
    /* every incident is found within 24 h, typically within a few hours */
    assert_int_equal(r.detected, r.incidents);
    assert_true(median < 6.0);
    assert_true(worst < 24.0);
    /* and few false alarms once the habits are learned */
    assert_true(fa_late < 1.5);
    /* a stricter quantile trades delay for alarms */
    opt.quantile = 0.999;
    sim_result s;
    simulate(&opt, 20260101, &s);
    qsort(s.delays, s.detected, sizeof(double), cmp_double);
    printf("inactivity (quantile 0.999): %zu/%zu detected; delay median %.2f h; false alarms %.3f per "
           "person-month (%.3f after 14 days)\n",
           s.detected, s.incidents, s.detected ? s.delays[s.detected / 2] : NAN, s.false_alarms / s.person_months,
           s.false_alarms_late / s.late_person_months);
    assert_true(s.false_alarms <= r.false_alarms);
    assert_true(s.detected == 0 || s.delays[s.detected / 2] >= median);
}

static void test_streaming_calls(void **state)
{
    (void)state;
    civ_monitor_inactivity *d = NULL;
    assert_int_equal(civ_monitor_inactivity_create(NULL, &d), CIV_OK);
    double T_new, T;
    /* a new person gets the population prior: the starting belief (gap ~ 1 h,
     * log-sd 1.5) gives exp(log 3600 + z_0.995 x 1.5) */
    assert_int_equal(civ_monitor_inactivity_threshold(d, "new", T0, &T_new), CIV_OK);
    assert_true(fabs(T_new - exp(8.19 + 2.5758293035489 * 1.5)) / T_new < 1e-5);
    /* a person who moves every 5 minutes learns a short threshold */
    double at;
    for (int k = 0; k < 200; k++)
        assert_int_equal(civ_monitor_inactivity_event(d, "a", T0 + 300.0 * k, &at), CIV_OK);
    assert_true(isnan(at));
    assert_int_equal(civ_monitor_inactivity_threshold(d, "a", 0, &T), CIV_OK);
    assert_true(T >= 3600.0 && T < T_new); /* the 1 h floor; below the prior */
    /* silence: poll raises at last + T */
    civ_table *p = NULL;
    double last = T0 + 300.0 * 199;
    assert_int_equal(civ_monitor_inactivity_poll(d, last + T - 1, &p), CIV_OK);
    assert_int_equal(civ_table_n_rows(p), 0);
    civ_table_free(p);
    assert_int_equal(civ_monitor_inactivity_poll(d, last + T + 1, &p), CIV_OK);
    assert_int_equal(civ_table_n_rows(p), 1);
    assert_string_equal(civ_table_text(p, 0, 0), "a");
    civ_table_free(p);
    /* the event that ends the gap reports when the alert fired */
    assert_int_equal(civ_monitor_inactivity_event(d, "a", last + T + 3600.0, &at), CIV_OK);
    assert_true(fabs(at - (last + T)) < 1e-6);
    /* out of order */
    assert_int_equal(civ_monitor_inactivity_event(d, "b", last, &at), CIV_ERR_DOMAIN);
    assert_string_equal(civ_last_error()->field, "ts");
    assert_int_equal(civ_monitor_inactivity_event(d, "", last + T + 7200.0, &at), CIV_ERR_INVALID_ARGUMENT);
    civ_monitor_inactivity_free(d);
    civ_monitor_inactivity_free(NULL);
    civ_monitor_inactivity_options o;
    civ_monitor_inactivity_options_init(&o);
    o.quantile = 0.4;
    assert_int_equal(civ_monitor_inactivity_create(&o, &d), CIV_ERR_INVALID_ARGUMENT);
}

static civ_table *events(const char *const *persons, const char *const *ts, size_t n)
{
    civ_table *t = NULL;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "person", CIV_COLUMN_TEXT, NULL), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "ts", CIV_COLUMN_TEXT, NULL), CIV_OK);
    assert_int_equal(civ_table_add_rows(t, n, NULL), CIV_OK);
    for (size_t r = 0; r < n; r++) {
        civ_table_set_text(t, r, 0, persons[r]);
        civ_table_set_text(t, r, 1, ts[r]);
    }
    return t;
}

static void test_table_runner(void **state)
{
    (void)state;
    /* every 10 minutes for 2 days, then silence from 2025-01-03T02:00Z for 30 hours */
    enum { N = 2 * 144 + 1 };
    static char tsb[N][32];
    const char *persons[N], *ts[N];
    for (int k = 0; k < N; k++) {
        int m = k < N - 1 ? k * 10 : (2 * 144 - 1) * 10 + 30 * 60;
        snprintf(tsb[k], sizeof tsb[k], "2025-01-%02dT%02d:%02d:00Z", 1 + m / 1440, m / 60 % 24, m % 60);
        persons[k] = "X", ts[k] = tsb[k];
    }
    civ_table *t = events(persons, ts, N), *al = NULL;
    assert_int_equal(civ_monitor_inactivity_run(NULL, t, "ev.csv", NAN, &al), CIV_OK);
    assert_int_equal(civ_table_n_rows(al), 1);
    assert_string_equal(civ_table_text(al, 0, 0), "X");
    assert_string_equal(civ_table_text(al, 0, 1), "2025-01-02T23:50:00");
    assert_string_equal(civ_table_text(al, 0, 3), tsb[N - 1][0] ? "2025-01-04T05:50:00" : "");
    assert_true(fabs(civ_table_number(al, 0, 4) - 30.0) < 1e-9);
    civ_table_free(al), civ_table_free(t);

    /* a person's own event earlier than their event before it: an error naming both lines */
    const char *p2[] = {"A", "B", "A"}, *t2[] = {"2025-01-01T08:00:00", "2025-01-01T09:00:00", "2025-01-01T07:30:00"};
    t = events(p2, t2, 3);
    assert_int_equal(civ_monitor_inactivity_run(NULL, t, "ev.csv", NAN, &al), CIV_ERR_DOMAIN);
    assert_null(al);
    assert_string_equal(civ_last_error()->file, "ev.csv");
    assert_int_equal(civ_last_error()->line, 4);
    assert_string_equal(civ_last_error()->field, "ts");
    assert_non_null(strstr(civ_last_error()->message, "out of order: person 'A''s event at 2025-01-01T07:30:00 UTC "
                                                      "is earlier than their event before it, at line 2 "
                                                      "(2025-01-01T08:00:00 UTC)"));
    civ_table_free(t);
    /* people listed one after another (sorted by person, then time), the same events as in time order: the same
     * alerts (before 2026-12-07: refused at the second person's first row, "earlier than the one before it",
     * with the first person's last time) */
    {
        enum { M = 2 * 144 };
        static char tb[2 * M][32];
        const char *pp[2 * M], *tt[2 * M], *qp[2 * M], *qt[2 * M];
        for (int k = 0; k < 2 * M; k++) { /* k: in time order, X and Y alternate; Y goes quiet after a day */
            int m = k / 2 * 10 + (k % 2) * 3;
            snprintf(tb[k], sizeof tb[k], "2025-01-%02dT%02d:%02d:00", 1 + m / 1440, m / 60 % 24, m % 60);
            pp[k] = k % 2 ? "Y" : "X", tt[k] = tb[k];
        }
        size_t q = 0;
        for (int who = 0; who < 2; who++)
            for (int k = who; k < 2 * M; k += 2)
                if (who == 0 || k < M || k == 2 * M - 1)
                    qp[q] = pp[k], qt[q++] = tt[k];
        size_t nt = 0;
        const char *ip[2 * M], *it[2 * M];
        for (int k = 0; k < 2 * M; k++)
            if (k % 2 == 0 || k < M || k == 2 * M - 1)
                ip[nt] = pp[k], it[nt++] = tt[k];
        assert_int_equal(nt, q);
        civ_table *by_time = events(ip, it, nt), *by_person = events(qp, qt, q), *a1 = NULL, *a2 = NULL;
        assert_int_equal(civ_monitor_inactivity_run(NULL, by_time, "t.csv", NAN, &a1), CIV_OK);
        if (civ_monitor_inactivity_run(NULL, by_person, "p.csv", NAN, &a2))
            fail_msg("%s", civ_last_error()->text);
        assert_true(civ_table_n_rows(a1) >= 1);
        assert_int_equal(civ_table_n_rows(a2), civ_table_n_rows(a1));
        for (size_t r = 0; r < civ_table_n_rows(a1); r++)
            for (size_t c = 0; c < 4; c++)
                assert_string_equal(civ_table_text(a2, r, c), civ_table_text(a1, r, c));
        civ_table_free(a1), civ_table_free(a2), civ_table_free(by_time), civ_table_free(by_person);
    }
    const char *t3[] = {"2025-01-01T08:00:00", "2025-01-01 25:00", "2025-01-02T08:30:00"};
    t = events(p2, t3, 3);
    assert_int_equal(civ_monitor_inactivity_run(NULL, t, "ev.csv", NAN, &al), CIV_ERR_DATE);
    assert_int_equal(civ_last_error()->line, 3);
    assert_int_equal(civ_last_error()->column, 2);
    civ_table_free(t);
}

/* Times with their zone, as pandas writes tz-aware Timestamps ("2025-01-01 16:00:00+08:00", fractional seconds
 * when there are some) and ISO 8601 ("+0800", "-05:00"), are the same instants as in UTC: the same alerts, in
 * UTC.  Before 2026-12-07 they were refused ("is not a time"), so the CSV a notebook wrote from the frame that
 * Python's inactivity_alerts took was not read by the command. */
static void test_zoned_times(void **state)
{
    (void)state;
    enum { N = 2 * 144 + 1 };
    static char utc[N][40], zoned[N][40];
    const char *persons[N], *t_utc[N], *t_zoned[N];
    static const char *const zones[] = {"+08:00", "+0800", "-05:00", "Z"};
    static const int east[] = {8 * 60, 8 * 60, -5 * 60, 0};
    for (int k = 0; k < N; k++) {
        int m = k < N - 1 ? k * 10 : (2 * 144 - 1) * 10 + 30 * 60, z = k % 4, l = m + 1440 + east[z];
        snprintf(utc[k], sizeof utc[k], "2025-01-%02dT%02d:%02d:00%s", 2 + m / 1440, m / 60 % 24, m % 60,
                 k % 3 ? "" : ".250");
        snprintf(zoned[k], sizeof zoned[k], "2025-01-%02d %02d:%02d:00%s%s", 1 + l / 1440, l / 60 % 24, l % 60,
                 k % 3 ? "" : ".250", zones[z]);
        persons[k] = "X", t_utc[k] = utc[k], t_zoned[k] = zoned[k];
    }
    civ_table *a = events(persons, t_utc, N), *b = events(persons, t_zoned, N), *al = NULL, *bl = NULL;
    assert_int_equal(civ_monitor_inactivity_run(NULL, a, "utc.csv", NAN, &al), CIV_OK);
    if (civ_monitor_inactivity_run(NULL, b, "zoned.csv", NAN, &bl))
        fail_msg("%s", civ_last_error()->text);
    assert_int_equal(civ_table_n_rows(al), 1);
    assert_int_equal(civ_table_n_rows(bl), 1);
    for (size_t c = 0; c < 4; c++)
        assert_string_equal(civ_table_text(bl, 0, c), civ_table_text(al, 0, c));
    assert_true(fabs(civ_table_number(bl, 0, 4) - civ_table_number(al, 0, 4)) < 1e-3);
    civ_table_free(al), civ_table_free(bl), civ_table_free(a), civ_table_free(b);
    /* a zone that is none is still refused, at its cell, saying the form with a zone */
    const char *p1[] = {"X"}, *t1[] = {"2025-01-01 08:00:00+8h"};
    a = events(p1, t1, 1);
    assert_int_equal(civ_monitor_inactivity_run(NULL, a, "ev.csv", NAN, &al), CIV_ERR_DATE);
    assert_int_equal(civ_last_error()->column, 2);
    assert_non_null(strstr(civ_last_error()->message, "\"2025-03-01 08:00:00+08:00\""));
    civ_table_free(a);
}

/* An office's sensor export in local time without its zone ("2025-01-02 08:00:00" in Beijing): with
 * naive_local the same instants as in UTC (the same alerts, in UTC), local midnight for a day alone, and a time
 * with its zone or "Z" unchanged; without it (the default) read as UTC, 8 hours late.  Before 2026-12-07 there
 * was no way to say so but to add "+08:00" to every cell. */
static void test_local_times(void **state)
{
    (void)state;
    enum { N = 2 * 144 + 1 };
    static char utc[N][40], local[N][40];
    const char *persons[N], *t_utc[N], *t_local[N];
    for (int k = 0; k < N; k++) {
        int m = k < N - 1 ? k * 10 : (2 * 144 - 1) * 10 + 30 * 60, l = m + 1440 + 8 * 60;
        snprintf(utc[k], sizeof utc[k], "2025-01-%02dT%02d:%02d:00Z", 2 + m / 1440, m / 60 % 24, m % 60);
        if (k == 5) /* one cell with its zone among the local ones: unchanged */
            memcpy(local[k], utc[k], sizeof local[k]);
        else if (l % 1440 == 0) /* a local midnight, as a sheet gives it: the date alone */
            snprintf(local[k], sizeof local[k], "2025-01-%02d", 1 + l / 1440);
        else
            snprintf(local[k], sizeof local[k], "2025-01-%02d %02d:%02d:00", 1 + l / 1440, l / 60 % 24, l % 60);
        persons[k] = "X", t_utc[k] = utc[k], t_local[k] = local[k];
    }
    civ_monitor_inactivity_options opt;
    assert_int_equal(civ_monitor_inactivity_options_init(&opt), CIV_OK);
    assert_int_equal(opt.naive_local, 0);
    civ_table *a = events(persons, t_utc, N), *b = events(persons, t_local, N), *al = NULL, *bl = NULL, *cl = NULL;
    assert_int_equal(civ_monitor_inactivity_run(NULL, a, "utc.csv", NAN, &al), CIV_OK);
    opt.naive_local = 1;
    if (civ_monitor_inactivity_run(&opt, b, "local.csv", NAN, &bl))
        fail_msg("%s", civ_last_error()->text);
    assert_int_equal(civ_table_n_rows(al), 1);
    assert_int_equal(civ_table_n_rows(bl), 1);
    for (size_t c = 0; c < 4; c++)
        assert_string_equal(civ_table_text(bl, 0, c), civ_table_text(al, 0, c));
    /* read as UTC (the default), the last event is 8 hours late; k = 5's zone made it out of order there */
    t_local[5] = "2025-01-02 08:50:00";
    civ_table_free(b);
    b = events(persons, t_local, N);
    assert_int_equal(civ_monitor_inactivity_run(NULL, b, "local.csv", NAN, &cl), CIV_OK);
    assert_int_equal(civ_table_n_rows(cl), 1);
    assert_string_not_equal(civ_table_text(cl, 0, 1), civ_table_text(al, 0, 1));
    assert_string_equal(civ_table_text(cl, 0, 1), "2025-01-04T07:50:00"); /* 23:50 UTC read as 07:50 "UTC" */
    assert_string_equal(civ_table_text(al, 0, 1), "2025-01-03T23:50:00");
    civ_table_free(al), civ_table_free(bl), civ_table_free(cl), civ_table_free(a), civ_table_free(b);
}

/* A sensor log typed in Excel (tests/data/xlsx/datetimes.xlsx): date-time cells (m/d/yy h:mm, yyyy-mm-dd
 * hh:mm:ss; one at midnight, which the sheet reader gives as its date alone; one with milliseconds) are the same
 * events as the CSV's text.  Before 2026-12-07 the sheet was refused at its first cell ("holds a time of day"). */
static void test_excel_times(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/tests/data/xlsx/datetimes.xlsx", CIV_SOURCE_DIR);
    static const char *const text_cols[] = {"person", NULL};
    civ_table_read_options ro = {.text_columns = text_cols};
    civ_table *x = NULL, *xl = NULL, *cl = NULL;
    if (civ_table_read(path, &ro, &x))
        fail_msg("%s", civ_last_error()->text);
    const char *p[] = {"a", "a", "b", "b"}, *t[] = {"2025-03-01T08:30:00", "2025-03-01 12:00:00",
                                                      "2025-03-02T00:00:00Z", "2025-03-02 06:00:00.250"};
    civ_table *c = events(p, t, 4);
    double end = 20160.0 * 86400.0; /* 2025-03-13 00:00 UTC: both gaps open, polled */
    if (civ_monitor_inactivity_run(NULL, x, "datetimes.xlsx", end, &xl))
        fail_msg("%s", civ_last_error()->text);
    assert_int_equal(civ_monitor_inactivity_run(NULL, c, "ev.csv", end, &cl), CIV_OK);
    assert_int_equal(civ_table_n_rows(xl), civ_table_n_rows(cl));
    assert_true(civ_table_n_rows(xl) > 0);
    for (size_t r = 0; r < civ_table_n_rows(xl); r++)
        for (size_t k = 0; k < civ_table_n_columns(xl); k++)
            if (civ_table_column_type(xl, k) == CIV_COLUMN_TEXT)
                assert_string_equal(civ_table_text(xl, r, k), civ_table_text(cl, r, k));
    civ_table_free(x), civ_table_free(c), civ_table_free(xl), civ_table_free(cl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_planted_incidents),
        cmocka_unit_test(test_streaming_calls),
        cmocka_unit_test(test_table_runner),
        cmocka_unit_test(test_zoned_times),
        cmocka_unit_test(test_local_times),
        cmocka_unit_test(test_excel_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
