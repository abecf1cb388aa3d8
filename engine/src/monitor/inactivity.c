/*
 * inactivity.c -- layer monitor: inactivity alerts from timestamped activity
 * events (sensors of elderly people living alone).  Each person's normal gap
 * between events is learned per hour of day in which the gap starts, as a
 * log-normal shrunk towards the population's gaps of that hour (the prior
 * for new people and sparse hours); a gap longer than the person's threshold
 * raises an alert.  Streaming: per person a fixed 24-bin state updated in
 * O(1) per event.  docs/MONITORING.md, "Inactivity alerts".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "c_locale.h"
#include "monitor.h"

#define BINS 24
#define POP_MEMORY 5000.0
/* The population's starting belief before any gap is seen: gaps of about an
 * hour, spread wide (log-sd 1.5), worth POP_START pseudo-gaps per bin. */
#define POP_START_MU 8.19 /* log(3600 s) */
#define POP_START_VAR 2.25
#define POP_START 2.0

typedef struct bin_stat {
    float n, mean, var; /* of log(gap seconds), weighted by gap hours, forgetting past `memory` hours */
} bin_stat;

typedef struct person {
    char *id;
    double last;
    bin_stat bin[BINS];
} person;

struct civ_monitor_inactivity {
    civ_monitor_inactivity_options opt;
    double z, latest;
    int any;
    person *people;
    size_t n_people, cap_people;
    civ_strmap index;
    bin_stat pop[BINS];
};

civ_status civ_monitor_inactivity_options_init(civ_monitor_inactivity_options *opt)
{
    if (!opt)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_monitor_inactivity_options_init: NULL argument");
    opt->quantile = 0.995;
    opt->min_gap_hours = 1.0;
    opt->prior_weight = 20.0;
    opt->memory = 60.0;
    opt->utc_offset_hours = 8.0;
    opt->naive_local = 0;
    return CIV_OK;
}

civ_status civ_monitor_inactivity_create(const civ_monitor_inactivity_options *opt, civ_monitor_inactivity **out)
{
    if (!out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_monitor_inactivity_create: NULL argument");
    *out = NULL;
    civ_monitor_inactivity_options o;
    civ_monitor_inactivity_options_init(&o);
    if (opt)
        o = *opt;
    if (!(o.quantile > 0.5 && o.quantile < 1))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "inactivity: quantile must be in (0.5, 1), e.g. 0.995");
    if (!(o.min_gap_hours >= 0 && isfinite(o.min_gap_hours)))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "inactivity: min_gap_hours must be >= 0");
    if (!(o.prior_weight > 0 && isfinite(o.prior_weight)))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "inactivity: prior_weight must be > 0");
    if (!(o.memory >= 1 && isfinite(o.memory)))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "inactivity: memory must be >= 1");
    if (!(o.utc_offset_hours >= -14 && o.utc_offset_hours <= 14))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "inactivity: utc_offset_hours must be in [-14, 14]");
    civ_monitor_inactivity *d = calloc(1, sizeof *d);
    if (!d)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    d->opt = o;
    d->z = gsl_cdf_ugaussian_Pinv(o.quantile);
    for (int b = 0; b < BINS; b++)
        d->pop[b] = (bin_stat){POP_START, (float)POP_START_MU, (float)POP_START_VAR};
    *out = d;
    return CIV_OK;
}

void civ_monitor_inactivity_free(civ_monitor_inactivity *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n_people; i++)
        free(d->people[i].id);
    free(d->people);
    civ_strmap_free(&d->index);
    free(d);
}

static int hour_bin(const civ_monitor_inactivity *d, double t)
{
    double local = t + d->opt.utc_offset_hours * 3600.0;
    double h = fmod(floor(local / 3600.0), 24.0);
    return (int)(h < 0 ? h + 24 : h);
}

/* Weighted, exponentially forgetting mean and (population) variance: exact
 * weighted moments until the total weight n reaches the cap, then the old
 * weight shrinks by the new one (West's weighted update). */
static void learn(bin_stat *s, double x, double w, double cap)
{
    double n = s->n + w < cap ? s->n + w : cap, a = fmin(1.0, w / n), dlt = x - s->mean;
    s->n = (float)n;
    s->mean = (float)(s->mean + a * dlt);
    s->var = (float)((1 - a) * (s->var + a * dlt * dlt));
}

static double threshold_of(const civ_monitor_inactivity *d, const person *p, int b)
{
    double k0 = d->opt.prior_weight, n = p ? p->bin[b].n : 0;
    double mu = (k0 * d->pop[b].mean + n * (p ? p->bin[b].mean : 0)) / (k0 + n);
    double s2 = (k0 * d->pop[b].var + n * (p ? p->bin[b].var : 0)) / (k0 + n);
    double t = exp(mu + d->z * sqrt(s2));
    return fmax(t, d->opt.min_gap_hours * 3600.0);
}

civ_status civ_monitor_inactivity_event(civ_monitor_inactivity *d, const char *id, double t, double *alert_at)
{
    if (alert_at)
        *alert_at = NAN;
    if (!d || !id || !id[0] || !isfinite(t))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_monitor_inactivity_event: NULL or empty person, or a time "
                                                  "that is not finite");
    if (d->any && t < d->latest) {
        civ_where w = {.series_id = id, .field = "ts"};
        return civ_fail_at(CIV_ERR_DOMAIN, &w, "timestamps out of order: %.0f s is %.0f s before the latest "
                                               "event; sort the events by time", t, d->latest - t);
    }
    size_t i;
    if (!civ_strmap_get(&d->index, id, &i)) {
        if (d->n_people == d->cap_people) {
            size_t cap = d->cap_people ? 2 * d->cap_people : 64;
            person *np = realloc(d->people, cap * sizeof *np);
            if (!np)
                return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
            d->people = np, d->cap_people = cap;
        }
        person *p = &d->people[d->n_people];
        memset(p, 0, sizeof *p);
        if (!(p->id = strdup(id)))
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
        p->last = t;
        civ_status st = civ_strmap_put(&d->index, p->id, d->n_people, NULL);
        if (st) {
            free(p->id);
            return st;
        }
        d->n_people++;
    } else {
        person *p = &d->people[i];
        int b = hour_bin(d, p->last);
        double gap = t - p->last, T = threshold_of(d, p, b);
        if (gap >= T && alert_at)
            *alert_at = p->last + T;
        /* a gap past the threshold is learned as twice the threshold
         * (winsorised): an incident moves the estimate only so far, while a
         * habit the prior did not expect (long nights) is learned in a few
         * days */
        double g = fmax(fmin(gap, 2.0 * T), 1.0), w = g / 3600.0;
        learn(&p->bin[b], log(g), w, d->opt.memory);
        learn(&d->pop[b], log(g), w, POP_MEMORY);
        p->last = t;
    }
    d->latest = t, d->any = 1;
    return CIV_OK;
}

civ_status civ_monitor_inactivity_threshold(const civ_monitor_inactivity *d, const char *id, double t,
                                            double *seconds)
{
    if (!d || !id || !seconds)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_monitor_inactivity_threshold: NULL argument");
    size_t i;
    if (civ_strmap_get(&d->index, id, &i))
        *seconds = threshold_of(d, &d->people[i], hour_bin(d, d->people[i].last));
    else
        *seconds = threshold_of(d, NULL, hour_bin(d, t));
    return CIV_OK;
}

/* "YYYY-MM-DDTHH:MM:SS" (UTC) of t. */
static void format_ts(double t, char *buf, size_t size)
{
    double days = floor(t / 86400.0);
    long sec = (long)(t - days * 86400.0);
    char date[16];
    if (civ_period_format(CIV_FREQ_DAILY, 0, (int64_t)days, date, sizeof date)) {
        civ_clear_error();
        civ_snprintf(buf, size, "%.0f", t);
        return;
    }
    /* sec is in [0, 86400): the modulos only tell the compiler the ranges */
    unsigned hh = (unsigned)(sec / 3600) % 24u, mm = (unsigned)(sec / 60) % 60u, ss = (unsigned)sec % 60u;
    civ_snprintf(buf, size, "%sT%02u:%02u:%02u", date, hh, mm, ss);
}

static civ_status alert_columns(civ_table *t, int with_resumed)
{
    /* utc_offset_hours: the local time `hour` is in, so that the table (inactivity.csv, a sheet, the report's
     * sentence on a `monitor --out` folder, which has no manifest) says it; before 2026-12-07 nothing did */
    static const char *const a[] = {"person", "last_event", "alert_at", "resumed", "gap_hours",
                                    "threshold_hours", "hour", "utc_offset_hours"};
    static const char *const b[] = {"person", "last_event", "alert_at", "gap_hours", "threshold_hours"};
    const civ_column_type T = CIV_COLUMN_TEXT, N = CIV_COLUMN_NUMBER;
    const civ_column_type ta[] = {T, T, T, T, N, N, N, N}, tb[] = {T, T, T, N, N};
    return with_resumed ? civ_mon_add_columns(t, a, ta, 8) : civ_mon_add_columns(t, b, tb, 5);
}

/* Appends an alert row (resumed < 0: still open at `now`). */
static civ_status add_alert(civ_table *t, int full, const civ_monitor_inactivity *d, const char *id, double last,
                            double T, double resumed, double now)
{
    size_t r;
    civ_status st = civ_table_add_rows(t, 1, &r);
    char b1[40], b2[40], b3[40] = "";
    format_ts(last, b1, sizeof b1);
    format_ts(last + T, b2, sizeof b2);
    if (resumed >= 0)
        format_ts(resumed, b3, sizeof b3);
    double gap = (resumed >= 0 ? resumed : now) - last;
    st = st ? st : civ_table_set_text(t, r, 0, id);
    st = st ? st : civ_table_set_text(t, r, 1, b1);
    st = st ? st : civ_table_set_text(t, r, 2, b2);
    if (!full) {
        st = st ? st : civ_table_set_number(t, r, 3, gap / 3600.0);
        return st ? st : civ_table_set_number(t, r, 4, T / 3600.0);
    }
    st = st ? st : civ_table_set_text(t, r, 3, b3);
    st = st ? st : civ_table_set_number(t, r, 4, gap / 3600.0);
    st = st ? st : civ_table_set_number(t, r, 5, T / 3600.0);
    st = st ? st : civ_table_set_number(t, r, 6, hour_bin(d, last));
    return st ? st : civ_table_set_number(t, r, 7, d->opt.utc_offset_hours);
}

static civ_status poll_into(const civ_monitor_inactivity *d, double now, civ_table *t, int full)
{
    civ_status st = CIV_OK;
    for (size_t i = 0; !st && i < d->n_people; i++) {
        const person *p = &d->people[i];
        double T = threshold_of(d, p, hour_bin(d, p->last));
        if (now - p->last >= T)
            st = add_alert(t, full, d, p->id, p->last, T, -1, now);
    }
    return st;
}

civ_status civ_monitor_inactivity_poll(const civ_monitor_inactivity *d, double now, civ_table **out)
{
    if (!d || !out || !isfinite(now))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_monitor_inactivity_poll: NULL argument or bad time");
    *out = NULL;
    civ_table *t = NULL;
    civ_status st = civ_table_create(&t);
    st = st ? st : alert_columns(t, 0);
    st = st ? st : poll_into(d, now, t, 0);
    if (st) {
        civ_table_free(t);
        return st;
    }
    *out = t;
    return CIV_OK;
}

/* The zone after a time: "" or "Z" (UTC), or an offset "+08:00" / "+0800" / "+08" (what pandas writes for
 * tz-aware Timestamps, ISO 8601's local time with its offset), as seconds east of UTC; -1 when it is none. */
static int parse_zone(const char *p, double *east)
{
    *east = 0;
    if (!*p || (p[0] == 'Z' && !p[1]))
        return 0;
    if (*p != '+' && *p != '-')
        return -1;
    int sign = *p == '-' ? -1 : 1, d[4], n = 0;
    for (const char *q = p + 1; *q; q++) {
        if (*q == ':' && n == 2)
            continue;
        if (*q < '0' || *q > '9' || n == 4)
            return -1;
        d[n++] = *q - '0';
    }
    if (n != 2 && n != 4)
        return -1;
    int hh = 10 * d[0] + d[1], mm = n == 4 ? 10 * d[2] + d[3] : 0;
    if (hh > 14 || mm > 59)
        return -1;
    *east = sign * (hh * 3600.0 + mm * 60.0);
    return 0;
}

/* "YYYY-MM-DDTHH:MM[:SS[.fff]]" (or a space for T) with "Z", an offset ("+08:00") or nothing (UTC), as seconds
 * since 1970 UTC.  Before 2026-12-07 an offset was refused, so the CSV pandas writes from tz-aware Timestamps
 * (which Python's inactivity_alerts takes as a frame) was not read by the command. */
static int parse_ts(const char *s, double naive_east, double *out)
{
    size_t len = strlen(s);
    civ_date_form form;
    int64_t days;
    /* "2025-03-01" alone: an Excel date-time cell at 00:00:00, which the sheet reader gives as its date (as a
     * date column's), so a sensor log typed in Excel reads its midnight events */
    if (len == 10 && !civ_date_parse(s, 10, &form, &days) && form == CIV_DATE_DAY) {
        *out = (double)days * 86400.0 - naive_east;
        return 0;
    }
    if (len < 16 || (s[10] != 'T' && s[10] != ' ') || civ_date_parse(s, 10, &form, &days) || form != CIV_DATE_DAY) {
        civ_clear_error();
        return -1;
    }
    int hh, mm, n = 0;
    double ss = 0, east;
    const char *p = s + 11;
    if (sscanf(p, "%2d:%2d%n", &hh, &mm, &n) != 2 || n != 5)
        return -1;
    p += 5;
    if (*p == ':') {
        if (!(p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9'))
            return -1;
        ss = (p[1] - '0') * 10 + (p[2] - '0');
        p += 3;
        if (*p == '.' && p[1] >= '0' && p[1] <= '9')
            for (double unit = 0.1; *++p >= '0' && *p <= '9'; unit /= 10)
                ss += (*p - '0') * unit;
    }
    if (parse_zone(p, &east) || hh > 23 || mm > 59 || ss >= 60)
        return -1;
    if (!*p) /* no zone written: UTC, or the office's local time (naive_local) */
        east = naive_east;
    *out = (double)days * 86400.0 + hh * 3600.0 + mm * 60.0 + ss - east;
    return 0;
}

/* The events' rows read once: each row's person and time, and the rows in time order (stable). */
typedef struct ev_rows {
    const char **id;
    char *idbuf; /* a numeric person column's ids as text */
    double *ts;
    size_t *order;
    double naive_east; /* seconds east of UTC of a time written without a zone: 0, or the local offset */
} ev_rows;

static void ev_rows_free(ev_rows *e) { free(e->id), free(e->idbuf), free(e->ts), free(e->order); }

static int by_time(const void *ctx, size_t a, size_t b)
{
    const double *ts = ctx;
    return ts[a] < ts[b] ? -1 : ts[a] > ts[b];
}

/* One row's person and time into e, or the error at its line and cell. */
static civ_status read_event(const civ_table *ev, const char *src, size_t c_p, size_t c_t, size_t r, ev_rows *e)
{
    double naive_east = e->naive_east;
    char b[64];
    const char *id = civ_mon_cell_text(ev, r, c_p, b, sizeof b);
    if (id == b) {
        civ_snprintf(e->idbuf + 32 * r, 32, "%s", b);
        id = e->idbuf + 32 * r;
    }
    e->id[r] = id;
    civ_where w = {.file = src, .column = (long)c_t + 1, .series_id = id, .field = "ts"}; /* .line: at a failure */
    if (civ_table_column_type(ev, c_t) == CIV_COLUMN_NUMBER) {
        if (!isfinite(e->ts[r] = civ_table_number(ev, r, c_t)) && (w.line = civ_mon_row_line(ev, r)))
            return civ_fail_at(CIV_ERR_DATE, &w, "missing timestamp");
    } else if (parse_ts(civ_table_text(ev, r, c_t), naive_east, &e->ts[r]) && (w.line = civ_mon_row_line(ev, r)))
        return civ_fail_at(CIV_ERR_DATE, &w, "ts '%s' is not a time \"YYYY-MM-DDTHH:MM:SS\" (UTC, or with its zone: "
                                             "\"2025-03-01 08:00:00+08:00\") or seconds since 1970",
                           civ_table_text(ev, r, c_t));
    if (!id[0]) {
        w.field = "person", w.column = (long)c_p + 1, w.line = civ_mon_row_line(ev, r);
        return civ_fail_at(CIV_ERR_PARSE, &w, "empty person id");
    }
    return CIV_OK;
}

/* Reads every row, checks that each person's own events are in time order, and orders the rows by time.  A log
 * that lists the people one after another (sorted by person, then time: a sheet per sensor pasted together) is
 * the same events as one in time order; before 2026-12-07 it was refused at its second person's first row,
 * "earlier than the one before it", with another person's time.  A person's own event earlier than their event
 * before it is still an error, naming both lines. */
static civ_status read_events(const civ_table *ev, const char *src, size_t c_p, size_t c_t, ev_rows *e)
{
    size_t n = civ_table_n_rows(ev), n_people = 0, *last = malloc((n + 1) * sizeof *last);
    civ_strmap people = {0}; /* person -> index; last[index]: their latest row so far */
    civ_status st = CIV_OK;
    if (!last || !(e->id = malloc((n + 1) * sizeof *e->id)) || !(e->ts = malloc((n + 1) * sizeof *e->ts)) ||
        !(e->order = malloc((n + 1) * sizeof *e->order)) ||
        (civ_table_column_type(ev, c_p) != CIV_COLUMN_TEXT && !(e->idbuf = malloc(32 * (n + 1))))) {
        free(last);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    }
    for (size_t r = 0; !st && r < n; r++) {
        size_t p;
        e->order[r] = r;
        if ((st = read_event(ev, src, c_p, c_t, r, e)))
            break;
        civ_status put = civ_strmap_put(&people, e->id[r], n_people, &p);
        if (put == CIV_OK)
            p = n_people++;
        else if (put != CIV_ERR_DUPLICATE)
            st = put;
        else if (e->ts[r] < e->ts[last[p]]) {
            char t0[40], t1[40];
            format_ts(e->ts[last[p]], t0, sizeof t0);
            format_ts(e->ts[r], t1, sizeof t1);
            civ_where w = {.file = src, .line = civ_mon_row_line(ev, r), .column = (long)c_t + 1,
                           .series_id = e->id[r], .field = "ts"};
            st = civ_fail_at(CIV_ERR_DOMAIN, &w, "timestamps out of order: person '%s''s event at %s UTC is earlier "
                                                 "than their event before it, at %s %ld (%s UTC); sort the events "
                                                 "by ts", e->id[r], t1, civ_mon_line_word(src),
                             civ_mon_row_line(ev, last[p]), t0);
        }
        if (!st)
            last[p] = r;
    }
    free(last);
    civ_strmap_free(&people);
    return st ? st : civ_mon_sort(e->order, n, by_time, e->ts);
}

civ_status civ_monitor_inactivity_run(const civ_monitor_inactivity_options *opt, const civ_table *ev,
                                      const char *source, double end, civ_table **alerts)
{
    if (!ev || !alerts)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_monitor_inactivity_run: NULL argument");
    *alerts = NULL;
    const char *src = source ? source : "(events)";
    size_t c_p, c_t;
    const char *need[] = {"person", "ts"};
    size_t *cols[] = {&c_p, &c_t};
    for (int i = 0; i < 2; i++)
        if (civ_table_find_column(ev, need[i], cols[i])) {
            civ_where w = {.file = src, .line = 1, .field = need[i]};
            return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w, "the events have no column '%s' (need person, ts)",
                               need[i]);
        }
    civ_monitor_inactivity *d = NULL;
    civ_table *t = NULL;
    ev_rows e = {0};
    civ_status st = civ_monitor_inactivity_create(opt, &d);
    if (!st && d->opt.naive_local)
        e.naive_east = d->opt.utc_offset_hours * 3600.0;
    st = st ? st : civ_table_create(&t);
    st = st ? st : alert_columns(t, 1);
    st = st ? st : read_events(ev, src, c_p, c_t, &e);
    size_t n = civ_table_n_rows(ev);
    for (size_t k = 0; !st && k < n; k++) {
        size_t r = e.order[k], i;
        const char *id = e.id[r];
        double ts = e.ts[r], last = civ_strmap_get(&d->index, id, &i) ? d->people[i].last : NAN, T = 0, at;
        if (!isnan(last))
            T = threshold_of(d, &d->people[i], hour_bin(d, last));
        if ((st = civ_monitor_inactivity_event(d, id, ts, &at)))
            break;
        if (!isnan(at))
            st = add_alert(t, 1, d, id, last, T, ts, ts);
    }
    if (!st && d->any)
        st = poll_into(d, isnan(end) ? d->latest : end, t, 1);
    ev_rows_free(&e);
    civ_monitor_inactivity_free(d);
    if (st) {
        civ_table_free(t);
        return st;
    }
    *alerts = t;
    return CIV_OK;
}
