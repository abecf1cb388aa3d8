/*
 * freq.c -- core layer: frequencies as users name them (--freq, pandas
 * aliases), the frequency of day dates inferred from their spacing, the
 * period of a day, and dates written in a panel's style (first or last day
 * of each period, with or without a midnight time).
 *
 * Inference (issue 12): day dates say nothing about their frequency in their
 * text, so each series is classified by the gcd of its date differences:
 * dates all on the first (or all on the last) day of their month are
 * monthly when the month gcd is 1, quarterly when it is 3 on quarter
 * starts/ends, yearly when it is 12 on year starts/ends; other dates are
 * daily when the day gcd is 1, weekly when it is 7.  Anything else is
 * irregular.  Series must agree; a series with one date must fit the rest.
 */
#include "c_locale.h"
#include "date.h"
#include "error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t mod_floor(int64_t a, int64_t b)
{
    int64_t m = a % b;
    return m < 0 ? m + b : m;
}

static int64_t gcd64(int64_t a, int64_t b)
{
    if (a < 0)
        a = -a;
    if (b < 0)
        b = -b;
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* ---- names ------------------------------------------------------------- */

static const char *const weekday_names[7] = {"MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"};
static const char *const weekday_long[7] = {"Monday", "Tuesday", "Wednesday", "Thursday",
                                            "Friday", "Saturday", "Sunday"};

/* weekday 0 = Monday .. 6 = Sunday <-> phase = days since 1970-01-01 mod 7
 * (1970-01-01 was a Thursday). */
static int phase_of_weekday(int weekday) { return (weekday + 4) % 7; }
static int weekday_of_phase(int phase) { return (phase + 3) % 7; }

civ_status civ_freq_parse(const char *text, civ_freq_spec *out)
{
    if (!out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_freq_parse: out is NULL");
    civ_freq_spec r = {CIV_FREQ_UNKNOWN, CIV_ANCHOR_PERIOD, -1};
    *out = r;
    if (!text || !text[0])
        return CIV_OK;
    static const struct {
        const char *name;
        civ_frequency freq;
    } words[] = {{"daily", CIV_FREQ_DAILY},         {"day", CIV_FREQ_DAILY},         {"weekly", CIV_FREQ_WEEKLY},
                 {"week", CIV_FREQ_WEEKLY},         {"monthly", CIV_FREQ_MONTHLY},   {"month", CIV_FREQ_MONTHLY},
                 {"quarterly", CIV_FREQ_QUARTERLY}, {"quarter", CIV_FREQ_QUARTERLY}, {"yearly", CIV_FREQ_YEARLY},
                 {"year", CIV_FREQ_YEARLY},         {"annual", CIV_FREQ_YEARLY},     {"annually", CIV_FREQ_YEARLY}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!civ_ascii_casecmp(text, words[i].name)) {
            r.freq = words[i].freq;
            *out = r;
            return CIV_OK;
        }
    static const struct {
        const char *alias;
        civ_frequency freq;
        civ_date_anchor anchor;
    } aliases[] = {
        {"D", CIV_FREQ_DAILY, CIV_ANCHOR_PERIOD},       {"W", CIV_FREQ_WEEKLY, CIV_ANCHOR_PERIOD},
        {"MS", CIV_FREQ_MONTHLY, CIV_ANCHOR_START},     {"M", CIV_FREQ_MONTHLY, CIV_ANCHOR_END},
        {"ME", CIV_FREQ_MONTHLY, CIV_ANCHOR_END},       {"QS", CIV_FREQ_QUARTERLY, CIV_ANCHOR_START},
        {"QS-JAN", CIV_FREQ_QUARTERLY, CIV_ANCHOR_START}, {"Q", CIV_FREQ_QUARTERLY, CIV_ANCHOR_END},
        {"QE", CIV_FREQ_QUARTERLY, CIV_ANCHOR_END},     {"Q-DEC", CIV_FREQ_QUARTERLY, CIV_ANCHOR_END},
        {"QE-DEC", CIV_FREQ_QUARTERLY, CIV_ANCHOR_END}, {"YS", CIV_FREQ_YEARLY, CIV_ANCHOR_START},
        {"AS", CIV_FREQ_YEARLY, CIV_ANCHOR_START},      {"YS-JAN", CIV_FREQ_YEARLY, CIV_ANCHOR_START},
        {"AS-JAN", CIV_FREQ_YEARLY, CIV_ANCHOR_START},  {"Y", CIV_FREQ_YEARLY, CIV_ANCHOR_END},
        {"A", CIV_FREQ_YEARLY, CIV_ANCHOR_END},         {"YE", CIV_FREQ_YEARLY, CIV_ANCHOR_END},
        {"Y-DEC", CIV_FREQ_YEARLY, CIV_ANCHOR_END},     {"A-DEC", CIV_FREQ_YEARLY, CIV_ANCHOR_END},
        {"YE-DEC", CIV_FREQ_YEARLY, CIV_ANCHOR_END}};
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (!strcmp(text, aliases[i].alias)) {
            r.freq = aliases[i].freq;
            r.anchor = aliases[i].anchor;
            *out = r;
            return CIV_OK;
        }
    if (!strncmp(text, "W-", 2))
        for (int d = 0; d < 7; d++)
            if (!strcmp(text + 2, weekday_names[d])) {
                r.freq = CIV_FREQ_WEEKLY;
                r.weekday = d;
                *out = r;
                return CIV_OK;
            }
    civ_where w = {.field = "freq"};
    if ((text[0] == 'Q' || text[0] == 'Y' || text[0] == 'A') && strchr(text, '-'))
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w,
                           "frequency '%.40s': quarters and years must end in December (fiscal years are not "
                           "supported); use QS, Q, YS or Y",
                           text);
    return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w,
                       "unknown frequency '%.40s': use daily, weekly, monthly, quarterly, yearly, or a pandas "
                       "alias D, W, W-MON..W-SUN, MS, M/ME, QS, Q/QE, YS, Y/A",
                       text);
}

/* ---- periods ----------------------------------------------------------- */

civ_status civ_date_to_period(civ_frequency freq, int phase, int64_t day, int64_t *period)
{
    if (!period || phase < 0 || phase > 6)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_date_to_period: NULL period or phase outside 0..6");
    int64_t y;
    unsigned m, d;
    switch (freq) {
    case CIV_FREQ_DAILY: *period = day; return CIV_OK;
    case CIV_FREQ_WEEKLY:
        /* the week ending on the phase weekday on or after the day */
        *period = (day - phase + 6 - mod_floor(day - phase + 6, 7)) / 7;
        return CIV_OK;
    case CIV_FREQ_MONTHLY:
    case CIV_FREQ_QUARTERLY:
    case CIV_FREQ_YEARLY:
        civ_civil_from_days(day, &y, &m, &d);
        *period = freq == CIV_FREQ_MONTHLY ? 12 * y + (m - 1) : freq == CIV_FREQ_QUARTERLY ? 4 * y + (m - 1) / 3 : y;
        return CIV_OK;
    default: return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_date_to_period: unknown frequency %d", (int)freq);
    }
}

civ_status civ_period_format_style(civ_frequency freq, int phase, const civ_date_style *style, int64_t period,
                                   char *buf, size_t size)
{
    civ_date_anchor anchor = style ? style->anchor : CIV_ANCHOR_PERIOD;
    char sep = style ? style->time_sep : 0;
    if (!buf || size < (sep ? 20u : 11u))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_period_format_style: buffer must hold %d bytes",
                        sep ? 20 : 11);
    civ_status s = civ_period_format(freq, phase, period, buf, size);
    if (s)
        return s;
    if (anchor != CIV_ANCHOR_PERIOD && (freq == CIV_FREQ_MONTHLY || freq == CIV_FREQ_QUARTERLY ||
                                        freq == CIV_FREQ_YEARLY)) {
        int64_t y;
        unsigned first_month, months;
        if (freq == CIV_FREQ_MONTHLY) {
            y = period / 12;
            first_month = (unsigned)(period % 12) + 1;
            months = 1;
        } else if (freq == CIV_FREQ_QUARTERLY) {
            y = period / 4;
            first_month = 3 * (unsigned)(period % 4) + 1;
            months = 3;
        } else {
            y = period;
            first_month = 1;
            months = 12;
        }
        unsigned m = anchor == CIV_ANCHOR_START ? first_month : first_month + months - 1;
        unsigned d = anchor == CIV_ANCHOR_START ? 1 : civ_days_in_month(y, m);
        civ_snprintf(buf, size, "%04lld-%02u-%02u", (long long)y, m, d);
    }
    if (sep && (anchor != CIV_ANCHOR_PERIOD || freq == CIV_FREQ_WEEKLY || freq == CIV_FREQ_DAILY)) {
        size_t n = strlen(buf);
        civ_snprintf(buf + n, size - n, "%c00:00:00", sep);
    }
    return CIV_OK;
}

/* ---- spacing ----------------------------------------------------------- */

void civ_spacing_init(civ_spacing *s)
{
    memset(s, 0, sizeof *s);
    s->all_start = s->all_end = 1;
}

void civ_spacing_add(civ_spacing *s, int64_t day)
{
    int64_t y;
    unsigned m, d;
    civ_civil_from_days(day, &y, &m, &d);
    int64_t month = 12 * y + (m - 1);
    if (d != 1 && s->all_start) {
        s->all_start = 0;
        s->not_start = day;
    }
    if (d != civ_days_in_month(y, m) && s->all_end) {
        s->all_end = 0;
        s->not_end = day;
    }
    s->n_start += d == 1;
    s->n_end += d == civ_days_in_month(y, m);
    s->n++;
    if (!s->any) {
        s->any = 1;
        s->first_day = s->min_day = s->max_day = day;
        s->first_month = month;
        s->mday = (unsigned char)d;
        s->same_mday = 1;
        return;
    }
    s->min_day = day < s->min_day ? day : s->min_day;
    s->max_day = day > s->max_day ? day : s->max_day;
    s->same_mday &= d == s->mday;
    s->gcd_days = gcd64(s->gcd_days, day - s->first_day);
    s->gcd_months = gcd64(s->gcd_months, month - s->first_month);
}

enum { CLASS_NONE, CLASS_SINGLE, CLASS_KNOWN, CLASS_IRREGULAR };

typedef struct spacing_class {
    int state;
    civ_frequency freq;
    civ_date_anchor anchor;
    int phase;
} spacing_class;

static int quarter_ok(const civ_spacing *s)
{
    return (int)mod_floor(s->first_month, 3) == (s->all_start ? 0 : 2);
}

static int year_ok(const civ_spacing *s)
{
    return (int)mod_floor(s->first_month, 12) == (s->all_start ? 0 : 11);
}

static int anchored(const civ_spacing *s) { return s->all_start || s->all_end; }

/* Day dates a week or more apart on average that still fit no step of 7 (or
 * of whole months on an anchor): not daily data with gaps, but dates of a
 * coarser frequency on varying days, or with a typo (monthly data dated
 * the 15th; first-of-month dates but one 2023-06-02). Daily data is read as
 * daily only when it has at least a value a week on average. */
static int sparse_days(const civ_spacing *s) { return s->n > 1 && s->max_day - s->min_day >= 7 * (s->n - 1); }

/* About a month or more between dates on average. */
static int month_like(const civ_spacing *s) { return s->n > 1 && s->max_day - s->min_day >= 27 * (s->n - 1); }

static spacing_class classify(const civ_spacing *s)
{
    spacing_class c = {CLASS_NONE, CIV_FREQ_UNKNOWN, CIV_ANCHOR_START, 0};
    if (!s->any)
        return c;
    if (!s->gcd_days) {
        c.state = CLASS_SINGLE;
        return c;
    }
    c.state = CLASS_KNOWN;
    if (anchored(s)) {
        c.anchor = s->all_start ? CIV_ANCHOR_START : CIV_ANCHOR_END;
        if (s->gcd_months == 1)
            c.freq = CIV_FREQ_MONTHLY;
        else if (s->gcd_months == 3 && quarter_ok(s))
            c.freq = CIV_FREQ_QUARTERLY;
        else if (s->gcd_months == 12 && year_ok(s))
            c.freq = CIV_FREQ_YEARLY;
        else
            c.state = CLASS_IRREGULAR;
    } else if (s->gcd_days == 1 && !sparse_days(s)) {
        c.freq = CIV_FREQ_DAILY;
    } else if (s->gcd_days == 7) {
        c.freq = CIV_FREQ_WEEKLY;
        c.phase = (int)mod_floor(s->first_day, 7);
    } else {
        c.state = CLASS_IRREGULAR;
    }
    return c;
}

/* "first-of-month dates 2 months apart" / "dates 14 days apart". */
static void describe(const civ_spacing *s, char *buf, size_t size)
{
    if (!s->gcd_days) {
        char d[24];
        civ_date_style st = {CIV_ANCHOR_PERIOD, 0};
        civ_period_format_style(CIV_FREQ_DAILY, 0, &st, s->first_day, d, sizeof d);
        civ_snprintf(buf, size, "a single date, %s", d);
    } else if (anchored(s))
        civ_snprintf(buf, size, "%s dates %lld month%s apart", s->all_start ? "first-of-month" : "month-end",
                     (long long)s->gcd_months, s->gcd_months == 1 ? "" : "s");
    else if (month_like(s)) {
        char d[24];
        civ_date_style st = {CIV_ANCHOR_PERIOD, 0};
        int start = 2 * s->n_start >= s->n, end = !start && 2 * s->n_end >= s->n;
        civ_period_format_style(CIV_FREQ_DAILY, 0, &st, start ? s->not_start : s->not_end, d, sizeof d);
        if (start || end)
            civ_snprintf(buf, size, "%s dates but for %s (%lld of %lld dates are not)", start ? "first-of-month"
                         : "month-end", d, (long long)(s->n - (start ? s->n_start : s->n_end)), (long long)s->n);
        else if (s->same_mday)
            civ_snprintf(buf, size, "dates on day %u of their months, about %lld days apart", (unsigned)s->mday,
                         (long long)((s->max_day - s->min_day) / (s->n - 1)));
        else
            civ_snprintf(buf, size, "dates on varying days about %lld days apart",
                         (long long)((s->max_day - s->min_day) / (s->n - 1)));
    } else
        civ_snprintf(buf, size, "dates %lld day%s apart", (long long)s->gcd_days, s->gcd_days == 1 ? "" : "s");
}

/* The --freq values these dates fit, e.g. "--freq MS, --freq QS". */
static void candidates(const civ_spacing *s, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
#define ADD_(...) n += (size_t)civ_snprintf(buf + n, n < size ? size - n : 0, __VA_ARGS__)
    if (anchored(s)) {
        int start = s->all_start;
        ADD_("--freq %s (monthly)", start ? "MS" : "ME");
        if ((s->gcd_months % 3 == 0) && quarter_ok(s))
            ADD_(", --freq %s (quarterly)", start ? "QS" : "QE");
        if ((s->gcd_months % 12 == 0) && year_ok(s))
            ADD_(", --freq %s (yearly)", start ? "YS" : "YE");
    } else if (month_like(s)) { /* a typo, or one date a month: not daily data */
        int64_t mean = (s->max_day - s->min_day) / (s->n - 1);
        const char *start = 2 * s->n_end > s->n ? "E" : "S";
        if (mean >= 360)
            ADD_("--freq Y%s (yearly: each date read as its year), ", start);
        if (mean >= 85)
            ADD_("--freq Q%s (quarterly: each date read as its quarter), ", start);
        ADD_("--freq M%s (monthly: each date read as its month)", start);
        if (s->gcd_days % 7 == 0)
            ADD_(", --freq W-%s (weekly)", weekday_names[weekday_of_phase((int)mod_floor(s->first_day, 7))]);
    } else {
        ADD_("--freq D (daily)");
        if (s->gcd_days % 7 == 0)
            ADD_(", --freq W-%s (weekly)", weekday_names[weekday_of_phase((int)mod_floor(s->first_day, 7))]);
    }
    /* the same choice where it is made outside the command line */
    char first[8] = "";
    if (sscanf(buf, "--freq %7[A-Z-]", first) == 1)
        ADD_(" (Python: freq=\"%s\"; a plan: freq = \"%s\")", first, first);
#undef ADD_
    if (n >= size && size > 4)
        memcpy(buf + size - 4, "...", 4);
}

static const char *class_name(const spacing_class *c, char *buf, size_t size)
{
    if (c->freq == CIV_FREQ_WEEKLY)
        civ_snprintf(buf, size, "weekly on %ss", weekday_long[weekday_of_phase(c->phase)]);
    else if (c->freq == CIV_FREQ_DAILY)
        civ_snprintf(buf, size, "daily");
    else
        civ_snprintf(buf, size, "%s (%s dates)", civ_frequency_name(c->freq),
                     c->anchor == CIV_ANCHOR_START ? "first-of-period" : "end-of-period");
    return buf;
}

static const char *id_of(const char *const *ids, size_t i, char *buf, size_t size)
{
    if (ids && ids[i])
        return ids[i];
    civ_snprintf(buf, size, "#%zu", i + 1);
    return buf;
}

/* Does a series (one date, or gaps: a spacing that is a multiple of the
 * panel's step) fit the decided layout? */
static int series_fits(const civ_spacing *s, const spacing_class *ref)
{
    switch (ref->freq) {
    case CIV_FREQ_DAILY: return 1;
    case CIV_FREQ_WEEKLY: return s->gcd_days % 7 == 0 && (int)mod_floor(s->first_day, 7) == ref->phase;
    default: {
        int on_anchor = ref->anchor == CIV_ANCHOR_START ? s->all_start : s->all_end;
        if (!on_anchor)
            return 0;
        int64_t mpos = mod_floor(s->first_month, 12);
        if (ref->freq == CIV_FREQ_QUARTERLY)
            return s->gcd_months % 3 == 0 && mpos % 3 == (ref->anchor == CIV_ANCHOR_START ? 0 : 2);
        if (ref->freq == CIV_FREQ_YEARLY)
            return s->gcd_months % 12 == 0 && mpos == (ref->anchor == CIV_ANCHOR_START ? 0 : 11);
        return 1;
    }
    }
}

static civ_status decide_forced(const civ_spacing *series, size_t n, const civ_freq_spec *want, civ_frequency *freq,
                                int *phase, civ_date_anchor *anchor)
{
    int any = 0, all_start = 1, all_end = 1, same_weekday = 1, weekday_phase = -1;
    for (size_t i = 0; i < n; i++) {
        const civ_spacing *s = &series[i];
        if (!s->any)
            continue;
        any = 1;
        all_start &= s->all_start;
        all_end &= s->all_end;
        int p = (int)mod_floor(s->first_day, 7);
        if (s->gcd_days % 7 != 0 || (weekday_phase >= 0 && p != weekday_phase))
            same_weekday = 0;
        weekday_phase = p;
    }
    *freq = want->freq;
    *anchor = want->anchor != CIV_ANCHOR_PERIOD ? want->anchor
              : any && all_end && !all_start   ? CIV_ANCHOR_END
                                               : CIV_ANCHOR_START;
    *phase = 0;
    if (want->freq == CIV_FREQ_WEEKLY) {
        if (want->weekday >= 0 && want->weekday <= 6)
            *phase = phase_of_weekday(want->weekday);
        else
            *phase = any && same_weekday ? weekday_phase : phase_of_weekday(6);
    }
    if (want->freq == CIV_FREQ_WEEKLY || want->freq == CIV_FREQ_DAILY)
        *anchor = CIV_ANCHOR_START;
    return CIV_OK;
}

/* A frequency asked for that is finer than the dates' own: daily or weekly for dates a month, a quarter or a
 * year apart, daily for weekly dates.  Read so, each series would be mostly empty periods between its values
 * (monthly data as days: about 30 empty days between two), forecast period by period of the finer step; refused,
 * with the dates' own frequency as the cure.  Dates whose own frequency cannot be told are left to the one asked
 * for, which is the cure the inference gives them (--freq D for weekly dates on two weekdays). */
static civ_status refuse_finer(const civ_spacing *series, size_t n, const char *const *ids, const civ_freq_spec *want)
{
    if (want->freq != CIV_FREQ_WEEKLY && want->freq != CIV_FREQ_DAILY)
        return CIV_OK;
    civ_frequency own;
    int phase;
    civ_date_anchor anchor;
    if (civ_spacing_decide(series, n, ids, NULL, &own, &phase, &anchor) != CIV_OK) {
        civ_clear_error(); /* no frequency of their own: the one asked for decides */
        return CIV_OK;
    }
    if (own == CIV_FREQ_UNKNOWN || own >= want->freq)
        return CIV_OK;
    size_t i = 0;
    while (i + 1 < n && classify(&series[i]).state != CLASS_KNOWN)
        i++;
    spacing_class c = classify(&series[i]);
    char idbuf[24], what[96], name[64], cand[240];
    const char *id = id_of(ids, i, idbuf, sizeof idbuf);
    describe(&series[i], what, sizeof what);
    candidates(&series[i], cand, sizeof cand);
    civ_where w = {.series_id = id, .field = "ds"};
    return civ_fail_at(CIV_ERR_FREQUENCY, &w,
                       "series '%s' has %s, %s, but the frequency asked for is %s: read so, every series would be "
                       "mostly empty %s between its values and be forecast %s by %s; drop the frequency asked for "
                       "(the dates' own is inferred), or ask for theirs: %s",
                       id, what, class_name(&c, name, sizeof name), civ_frequency_name(want->freq),
                       want->freq == CIV_FREQ_DAILY ? "days" : "weeks", want->freq == CIV_FREQ_DAILY ? "day" : "week",
                       want->freq == CIV_FREQ_DAILY ? "day" : "week", cand);
}

civ_status civ_spacing_decide(const civ_spacing *series, size_t n, const char *const *ids, const civ_freq_spec *want,
                              civ_frequency *freq, int *phase, civ_date_anchor *anchor)
{
    if (want && want->freq != CIV_FREQ_UNKNOWN) {
        if (want->freq < CIV_FREQ_YEARLY || want->freq > CIV_FREQ_DAILY)
            return civ_fail(CIV_ERR_INVALID_ARGUMENT, "unknown frequency %d", (int)want->freq);
        civ_status s = refuse_finer(series, n, ids, want);
        return s ? s : decide_forced(series, n, want, freq, phase, anchor);
    }
    char idbuf[2][24], what[2][96], cand[240], name[2][64];
    spacing_class ref = {CLASS_NONE, CIV_FREQ_UNKNOWN, CIV_ANCHOR_START, 0};
    size_t ref_i = 0, single_i = SIZE_MAX, irregular_i = SIZE_MAX;
    /* Series whose spacing is a frequency's step must agree. */
    for (size_t i = 0; i < n; i++) {
        spacing_class c = classify(&series[i]);
        if (c.state == CLASS_SINGLE && single_i == SIZE_MAX)
            single_i = i;
        if (c.state == CLASS_IRREGULAR && irregular_i == SIZE_MAX)
            irregular_i = i;
        if (c.state != CLASS_KNOWN)
            continue;
        if (ref.state != CLASS_KNOWN) {
            ref = c;
            ref_i = i;
            continue;
        }
        if (c.freq != ref.freq || c.anchor != ref.anchor || c.phase != ref.phase) {
            const char *a = id_of(ids, ref_i, idbuf[0], sizeof idbuf[0]), *b = id_of(ids, i, idbuf[1], sizeof idbuf[1]);
            civ_where w = {.series_id = b, .field = "ds"};
            describe(&series[ref_i], what[0], sizeof what[0]);
            describe(&series[i], what[1], sizeof what[1]);
            candidates(&series[i], cand, sizeof cand);
            return civ_fail_at(CIV_ERR_FREQUENCY, &w,
                               "series '%s' is %s (%s) but series '%s' is %s (%s): one panel holds one "
                               "frequency; correct the dates, or read them all as one with %s",
                               a, class_name(&ref, name[0], sizeof name[0]), what[0], b,
                               class_name(&c, name[1], sizeof name[1]), what[1], cand);
        }
    }
    *phase = 0;
    *anchor = CIV_ANCHOR_START;
    *freq = CIV_FREQ_UNKNOWN;
    if (ref.state != CLASS_KNOWN) {
        size_t i = irregular_i != SIZE_MAX ? irregular_i : single_i;
        if (i == SIZE_MAX)
            return CIV_OK; /* no dates at all */
        const char *id = id_of(ids, i, idbuf[0], sizeof idbuf[0]);
        civ_where w = {.series_id = id, .field = "ds"};
        describe(&series[i], what[0], sizeof what[0]);
        candidates(&series[i], cand, sizeof cand);
        if (irregular_i != SIZE_MAX)
            return civ_fail_at(CIV_ERR_FREQUENCY, &w,
                               "series '%s' has %s: no frequency fits that spacing (monthly, quarterly and "
                               "yearly need first-of-period or end-of-period dates 1, 3 or 12 months apart; "
                               "weekly 7 days, daily 1 day with a value a week at least); correct the dates, or "
                               "say which frequency with %s",
                               id, what[0], cand);
        return civ_fail_at(CIV_ERR_FREQUENCY, &w,
                           "cannot infer the frequency: every series has a single date (series '%s' has %s); say "
                           "which with %s",
                           id, what[0], cand);
    }
    /* Series with one date, or with gaps, must fit the others' layout. */
    for (size_t i = 0; i < n; i++) {
        int state = classify(&series[i]).state;
        if ((state != CLASS_SINGLE && state != CLASS_IRREGULAR) || series_fits(&series[i], &ref))
            continue;
        const char *a = id_of(ids, ref_i, idbuf[0], sizeof idbuf[0]), *b = id_of(ids, i, idbuf[1], sizeof idbuf[1]);
        civ_where w = {.series_id = b, .field = "ds"};
        describe(&series[i], what[1], sizeof what[1]);
        describe(&series[ref_i], what[0], sizeof what[0]);
        candidates(&series[i], cand, sizeof cand);
        return civ_fail_at(CIV_ERR_FREQUENCY, &w,
                           "series '%s' has %s, which does not fit series '%s', %s (%s): correct the dates, or "
                           "say which frequency with %s",
                           b, what[1], a, class_name(&ref, name[0], sizeof name[0]), what[0], cand);
    }
    *freq = ref.freq;
    *phase = ref.phase;
    *anchor = ref.anchor;
    return CIV_OK;
}

civ_status civ_dates_infer(const int64_t *days, const size_t *series, size_t n_rows, size_t n_series,
                           const char *const *ids, const civ_freq_spec *want, civ_frequency *freq, int *phase,
                           civ_date_anchor *anchor)
{
    if ((!days || !series) && n_rows)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_dates_infer: NULL days or series");
    if (!freq || !phase || !anchor)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_dates_infer: NULL output");
    civ_spacing *sp = malloc((n_series ? n_series : 1) * sizeof *sp);
    if (!sp)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for %zu series", n_series);
    for (size_t i = 0; i < n_series; i++)
        civ_spacing_init(&sp[i]);
    for (size_t r = 0; r < n_rows; r++) {
        if (series[r] >= n_series) {
            free(sp);
            return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_dates_infer: row %zu names series %zu of %zu", r,
                            series[r], n_series);
        }
        civ_spacing_add(&sp[series[r]], days[r]);
    }
    civ_status s = civ_spacing_decide(sp, n_series, ids, want, freq, phase, anchor);
    free(sp);
    return s;
}
