/*
 * date.c -- layer: core.  Parsing and formatting of the dates in a `ds` column.
 *
 * A date becomes a period index in its frequency (see civ_frequency in
 * civicast.h).  Days use the proleptic Gregorian calendar; the conversion to
 * a day count is Howard Hinnant's days_from_civil algorithm
 * (http://howardhinnant.github.io/date_algorithms.html), exact for all years.
 */
#include "date.h"
#include "c_locale.h"
#include "error.h"

#include <stdio.h>
#include <string.h>

int civ_frequency_season_length(civ_frequency freq)
{
    switch (freq) {
    case CIV_FREQ_YEARLY: return 1;
    case CIV_FREQ_QUARTERLY: return 4;
    case CIV_FREQ_MONTHLY: return 12;
    case CIV_FREQ_WEEKLY: return 52;
    case CIV_FREQ_DAILY: return 7;
    default: return 0;
    }
}

const char *civ_frequency_name(civ_frequency freq)
{
    switch (freq) {
    case CIV_FREQ_YEARLY: return "yearly";
    case CIV_FREQ_QUARTERLY: return "quarterly";
    case CIV_FREQ_MONTHLY: return "monthly";
    case CIV_FREQ_WEEKLY: return "weekly";
    case CIV_FREQ_DAILY: return "daily";
    default: return "unknown";
    }
}

int64_t civ_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void civ_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t yy = (int64_t)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned civ_days_in_month(int64_t y, unsigned m)
{
    static const unsigned dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

static int digits(const char *s, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return 1;
}

/* Copies the first 32 bytes of a date text for an error message. */
static const char *shown_date(char *buf, size_t size, const char *text, size_t len)
{
    civ_snprintf(buf, size, "%.*s%s", (int)(len < 32 ? len : 32), text, len > 32 ? "..." : "");
    return buf;
}

/* Checks the time that starts at text[at] (after ' ' or 'T'): "H:MM" or
 * "HH:MM", optionally ":SS" and ".fff" (Excel writes "2019/1/1 0:00"), which
 * must be midnight. */
/* The length of a UTC offset that ends the n bytes of a time at t ("Z",
 * "+08:00", "+0800", "+08", "-05:00": pandas writes tz-aware timestamps so),
 * else 0. */
static size_t utc_offset_length(const char *t, size_t n)
{
    if (n >= 1 && t[n - 1] == 'Z')
        return 1;
    unsigned h, m;
    for (size_t k = 3; k <= 6 && k <= n; k++) {
        const char *o = t + n - k;
        if (*o != '+' && *o != '-')
            continue;
        if ((k == 3 && digits(o + 1, 2, &h)) || (k == 5 && digits(o + 1, 2, &h) && digits(o + 3, 2, &m)) ||
            (k == 6 && digits(o + 1, 2, &h) && o[3] == ':' && digits(o + 4, 2, &m)))
            return k;
    }
    return 0;
}

/* The minutes east of UTC of the offset of `k` bytes at o ("Z", "+08", "+0800", "+08:00"). */
static int offset_minutes(const char *o, size_t k)
{
    unsigned h = 0, m = 0;
    if (k == 1)
        return 0;
    digits(o + 1, 2, &h);
    if (k > 3)
        digits(o + (k == 6 ? 4 : 3), 2, &m);
    return (*o == '-' ? -1 : 1) * (int)(h * 60 + m);
}

static civ_status midnight_only(const char *text, size_t len, size_t at, char *shown, size_t size)
{
    const char *t = text + at;
    size_t n = len - at, zone = utc_offset_length(t, n);
    n -= zone; /* the date as written is the date: a local midnight in any zone */
    unsigned hh = 0, mm, ss = 0;
    size_t hd = n >= 2 && t[1] == ':' ? 1 : 2; /* hour digits */
    int shape = n >= hd + 3 && digits(t, hd, &hh) && t[hd] == ':' && digits(t + hd + 1, 2, &mm);
    if (shape)
        t += hd + 3, n -= hd + 3; /* what follows HH:MM */
    if (shape && n > 0)
        shape = n >= 3 && t[0] == ':' && digits(t + 1, 2, &ss);
    if (shape && n > 3) {
        shape = t[3] == '.' && n > 4;
        for (size_t i = 4; shape && i < n; i++)
            shape = t[i] >= '0' && t[i] <= '9';
        for (size_t i = 4; shape && i < n; i++)
            if (t[i] != '0')
                ss = 1; /* fractional seconds: not midnight */
    }
    if (!shape || hh > 23 || mm > 59 || ss > 60)
        return civ_fail(CIV_ERR_DATE, "bad date '%s': expected YYYY-MM-DD, optionally with a time HH:MM:SS",
                        shown_date(shown, size, text, len));
    /* midnights in UTC shown in a local zone (08:00:00+08:00: pd.to_datetime(..., utc=True).dt.tz_convert(...)) */
    if ((hh || mm || ss) && zone && !ss && ((int)(hh * 60 + mm) - offset_minutes(text + len - zone, zone)) % 1440 == 0)
        return civ_fail(CIV_ERR_DATE,
                        "date '%s' has a time of day in its time zone: civicast periods are days or longer; it is a "
                        "midnight in UTC shown in the zone %.*s: if these dates were made in UTC, take them back to "
                        "it first (pandas: df.ds.dt.tz_convert(\"UTC\").dt.date), else aggregate to days",
                        shown_date(shown, size, text, len), (int)zone, text + len - zone);
    if ((hh || mm || ss) && zone)
        return civ_fail(CIV_ERR_DATE,
                        "date '%s' has a time of day in its time zone: civicast periods are days or longer; if these "
                        "are local midnights shown in another zone, convert them back first (pandas: "
                        "df.ds.dt.tz_convert(\"Asia/Shanghai\").dt.date), else aggregate to days",
                        shown_date(shown, size, text, len));
    if (hh || mm || ss)
        return civ_fail(CIV_ERR_DATE,
                        "date '%s' has a time of day: civicast periods are days or longer (aggregate to days, "
                        "or write the date alone)",
                        shown_date(shown, size, text, len));
    return CIV_OK;
}

/* Reads 1 or 2 digits at text[*at] into *out and moves *at past them. */
static int short_number(const char *text, size_t len, size_t *at, unsigned *out)
{
    size_t i = *at, n = 0;
    while (i + n < len && n < 3 && text[i + n] >= '0' && text[i + n] <= '9')
        n++;
    if (n < 1 || n > 2)
        return 0;
    digits(text + i, n, out);
    *at = i + n;
    return 1;
}

char civ_date_time_separator(const char *text, size_t len)
{
    for (size_t i = 5; i < len; i++)
        if (text[i] == ' ' || text[i] == 'T')
            return text[i];
    return 0;
}

/* Dates as spreadsheets write them, year first: "2019/1/1", "2019/01/31",
 * "2019-1-1" (unpadded), "2019.1.1" (as Chinese offices write them),
 * optionally with a midnight time ("2019/1/1 0:00", Excel's CSV export of a
 * date cell in a Chinese locale), and months "2019/1", "2019/01", "2019-1"
 * (unpadded, as people type it and some exports write it), "2019.01",
 * "2019.2".  "2019.1" is refused: it is January as typed, or October
 * ("2019.10") once Excel has stored the cell as a number (a text cell
 * "2019-10" cannot lose its zero so).  The separator after the year
 * (text[4], '/', '-' or '.') is used throughout.  Called when the strict ISO
 * shapes did not match. */
static civ_status parse_spreadsheet_date(const char *text, size_t len, civ_date_form *form, int64_t *value,
                                         char *shown, size_t size)
{
    char sep = text[4];
    size_t at = 5;
    unsigned year = 0, month = 0, day = 0;
    digits(text, 4, &year);
    if (!short_number(text, len, &at, &month) || (at < len && text[at] != sep))
        return civ_fail(CIV_ERR_DATE, "bad date '%s': expected %s", shown_date(shown, size, text, len),
                        sep == '/'   ? "YYYY/M/D or YYYY/M"
                        : sep == '.' ? "YYYY.MM or YYYY.M.D"
                                     : "YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD");
    if (month < 1 || month > 12)
        return civ_fail(CIV_ERR_DATE, "bad date '%s': month %u is not 1..12", shown_date(shown, size, text, len),
                        month);
    if (at == len && sep == '.' && len == 6 && month == 1)
        return civ_fail(CIV_ERR_DATE,
                        "bad date '%s': January (%04u.01) or October (%04u.10, which Excel writes as %04u.1 when "
                        "it stores the cell as a number)? Write months as YYYY-MM (or YYYY.MM with two digits), e.g. "
                        "in Excel format the column as text before saving",
                        shown_date(shown, size, text, len), year, year, year);
    if (at == len) { /* "2019/1", "2019.02", "2019-1": a month */
        *form = CIV_DATE_MONTH;
        *value = 12 * (int64_t)year + (month - 1);
        return CIV_OK;
    }
    if (at >= len || text[at] != sep || (at++, !short_number(text, len, &at, &day)))
        return civ_fail(CIV_ERR_DATE, "bad date '%s': expected YYYY%cM%cD", shown_date(shown, size, text, len), sep,
                        sep);
    if (at < len) {
        if (text[at] != ' ' && text[at] != 'T')
            return civ_fail(CIV_ERR_DATE, "bad date '%s': expected YYYY%cM%cD, optionally with a time",
                            shown_date(shown, size, text, len), sep, sep);
        civ_status ts = midnight_only(text, len, at + 1, shown, size);
        if (ts)
            return ts;
    }
    if (day < 1 || day > civ_days_in_month(year, month))
        return civ_fail(CIV_ERR_DATE, "bad date '%s': day %u does not exist in %04u-%02u",
                        shown_date(shown, size, text, len), day, year, month);
    *form = CIV_DATE_DAY;
    *value = civ_days_from_civil(year, month, day);
    return CIV_OK;
}

/* Moves *at past the UTF-8 literal `s` when text[*at] starts with it. */
static int literal(const char *text, size_t len, size_t *at, const char *s)
{
    size_t n = strlen(s);
    if (len - *at < n || memcmp(text + *at, s, n))
        return 0;
    *at += n;
    return 1;
}

/* The quarter of "第1季度", "1季度", "第一季度", "一季度" (also 季 alone) at
 * text[*at]: 1..4, or 0. */
static unsigned chinese_quarter(const char *text, size_t len, size_t *at)
{
    static const char *const numerals[4] = {"一", "二", "三", "四"};
    (void)literal(text, len, at, "第");
    unsigned q = 0;
    if (*at < len && text[*at] >= '1' && text[*at] <= '4')
        q = (unsigned)(text[(*at)++] - '0');
    for (unsigned k = 0; !q && k < 4; k++)
        if (literal(text, len, at, numerals[k]))
            q = k + 1;
    if (!q || !literal(text, len, at, "季"))
        return 0;
    (void)literal(text, len, at, "度");
    return q;
}

/* "2024-01-01/2024-01-07": a pandas weekly Period as text (its first and last
 * days); read as its first day, so that the weeks' spacing says the
 * frequency.  Any other range is an error. */
static civ_status parse_week_range(const char *text, civ_date_form *form, int64_t *value, char *shown, size_t size)
{
    civ_date_form f1, f2;
    int64_t d1, d2;
    if (civ_date_parse(text, 10, &f1, &d1) || civ_date_parse(text + 11, 10, &f2, &d2) || f1 != CIV_DATE_DAY ||
        f2 != CIV_DATE_DAY || d2 != d1 + 6)
        return civ_fail(CIV_ERR_DATE,
                        "bad date '%s': a range of days is read only as a week, its first and last day "
                        "(2024-01-01/2024-01-07, as pandas writes a weekly Period)",
                        shown_date(shown, size, text, 21));
    *form = CIV_DATE_DAY;
    *value = d1;
    return CIV_OK;
}

/* Dates as Chinese-locale spreadsheets write them: "2024年" (a year),
 * "2024年第1季度" / "2024年1季度" / "2024年一季度" (a quarter), "2024年7月" /
 * "2024年07月" (a month) and "2024年7月15日" (a day, Excel's 长日期).
 * Called when text[4..7) is 年. */
static civ_status parse_chinese_date(const char *text, size_t len, unsigned year, civ_date_form *form, int64_t *value,
                                     char *shown, size_t size)
{
    size_t at = 4 + strlen("年");
    unsigned month = 0, day = 0, quarter;
    if (at == len) {
        *form = CIV_DATE_YEAR;
        *value = year;
        return CIV_OK;
    }
    size_t q_at = at;
    if ((quarter = chinese_quarter(text, len, &q_at)) != 0 && q_at == len) {
        *form = CIV_DATE_QUARTER;
        *value = 4 * (int64_t)year + (quarter - 1);
        return CIV_OK;
    }
    int has_day = 0;
    if (!short_number(text, len, &at, &month) || !literal(text, len, &at, "月") ||
        ((has_day = at < len) && (!short_number(text, len, &at, &day) || !literal(text, len, &at, "日") || at != len)))
        return civ_fail(CIV_ERR_DATE, "bad date '%s': expected 2024年, 2024年第1季度, 2024年7月 or 2024年7月15日",
                        shown_date(shown, size, text, len));
    if (month < 1 || month > 12)
        return civ_fail(CIV_ERR_DATE, "bad date '%s': month %u is not 1..12", shown_date(shown, size, text, len),
                        month);
    if (!has_day) {
        *form = CIV_DATE_MONTH;
        *value = 12 * (int64_t)year + (month - 1);
        return CIV_OK;
    }
    if (day < 1 || day > civ_days_in_month(year, month))
        return civ_fail(CIV_ERR_DATE, "bad date '%s': day %u does not exist in %04u-%02u",
                        shown_date(shown, size, text, len), day, year, month);
    *form = CIV_DATE_DAY;
    *value = civ_days_from_civil(year, month, day);
    return CIV_OK;
}

/* The month (1..12) of an English month name or its three-letter abbreviation
 * ("Jan", "JAN", "January", also "Sept"), n bytes at w; else 0. */
static unsigned english_month(const char *w, size_t n)
{
    static const char *const names[12] = {"january", "february", "march",     "april",   "may",      "june",
                                          "july",    "august",   "september", "october", "november", "december"};
    char low[10];
    if (n < 3 || n > 9)
        return 0;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)civ_ascii_tolower((unsigned char)w[i]);
    for (unsigned m = 0; m < 12; m++)
        if ((n == 3 || n == strlen(names[m]) || (m == 8 && n == 4)) && !memcmp(low, names[m], n))
            return m + 1;
    return 0;
}

/* A token of an English date: a run of letters (a month name, its number in v) or of digits (its value in v). */
typedef struct {
    size_t at, n;
    int word;
    unsigned v;
} english_token;

/* Splits an English date into at most 4 tokens at ' ', '-', '/', '.' and ','; at most one of them is a month name
 * (its index in *month_at, else -1).  Returns 1 when the text is no such date (another character, a word that is no
 * month, a number of over 4 digits, a second month name, more tokens), else 0 with *n_tok tokens. */
static int english_tokens(const char *text, size_t len, english_token tok[4], size_t *n_tok, int *month_at)
{
    size_t nt = 0, i = 0;
    *month_at = -1;
    while (i < len) {
        char c = text[i];
        if (c == ' ' || c == '-' || c == '/' || c == '.' || c == ',') {
            i++;
            continue;
        }
        int word = civ_ascii_isalpha(c);
        if (!word && (c < '0' || c > '9'))
            return 1;
        size_t j = i;
        while (j < len && (word ? (text[j] >= 'A' && text[j] <= 'Z') || (text[j] >= 'a' && text[j] <= 'z')
                                : text[j] >= '0' && text[j] <= '9'))
            j++;
        if (nt == 4)
            return 1;
        tok[nt].at = i, tok[nt].n = j - i, tok[nt].word = word, tok[nt].v = 0;
        if (word && !(tok[nt].v = english_month(text + i, j - i)))
            return 1; /* a word that is no month */
        if (!word && (j - i > 4 || !digits(text + i, j - i, &tok[nt].v)))
            return 1;
        if (word && *month_at >= 0)
            return 1;
        if (word)
            *month_at = (int)nt;
        nt++, i = j;
    }
    *n_tok = nt;
    return 0;
}

/* Dates with an English month name, as an English-locale Excel displays and
 * re-saves them.  Read when the year has its four digits, so nothing is
 * guessed: "Jan-2025", "January 2025", "Jan 2025" (months), "1-Jan-2025",
 * "01-JAN-2025", "01JAN2025" (d-mmm-yyyy, SAS's DATE9) and "January 5, 2025"
 * (days).  Refused with the cause and the cure when the year has two digits
 * or none: "Jan-25" (Excel's mmm-yy: which century, and is 25 a year or a
 * day?), "1-Jan-25" (d-mmm-yy), "25-Jan" (d-mmm).  Returns 1 when the text
 * holds no month name (the caller's message stands), else sets the result
 * or the error and returns 0. */
static int parse_english_date(const char *text, size_t len, civ_date_form *form, int64_t *value, civ_status *status,
                              char *shown, size_t size)
{
    english_token tok[4];
    size_t nt = 0;
    int month_at;
    if (english_tokens(text, len, tok, &nt, &month_at))
        return 1;
    if (month_at < 0 || nt < 2) /* "May" alone is no date */
        return 1;
    const char *ex = NULL, *to = "yyyy-mm-dd", *pd = NULL; /* a refused text: Excel's display, the cure */
    unsigned month = tok[month_at].v, year = 0, day = 0;
    int is_day = 0;
#define N_(k, lo, hi) (!tok[k].word && tok[k].n >= (lo) && tok[k].n <= (hi))
    if (nt == 2 && month_at == 0 && N_(1, 4, 4)) { /* Jan-2025, January 2025 */
        *form = CIV_DATE_MONTH;
        *value = 12 * (int64_t)tok[1].v + (month - 1);
        *status = tok[1].v ? CIV_OK : civ_fail(CIV_ERR_DATE, "bad date '%s': year must be 1..9999",
                                               shown_date(shown, size, text, len));
        return 0;
    }
    if (nt == 3 && month_at == 1 && N_(0, 1, 2) && N_(2, 4, 4)) /* 1-Jan-2025, 01JAN2025 */
        is_day = 1, day = tok[0].v, year = tok[2].v;
    else if (nt == 3 && month_at == 0 && N_(1, 1, 2) && N_(2, 4, 4)) /* January 5, 2025 */
        is_day = 1, day = tok[1].v, year = tok[2].v;
    else if (nt == 2 && month_at == 0 && N_(1, 1, 2))
        ex = "mmm-yy display of a month, its year without the century (or is the number a day?)", to = "yyyy-mm",
        pd = " (pandas: pd.to_datetime(ds, format='%b-%y').dt.strftime('%Y-%m'))";
    else if (nt == 3 && month_at == 1 && N_(0, 1, 2) && N_(2, 1, 2))
        ex = "d-mmm-yy display of a day, its year without the century",
        pd = " (pandas: pd.to_datetime(ds, format='%d-%b-%y').dt.strftime('%Y-%m-%d'))";
    else if (nt == 2 && month_at == 1 && N_(0, 1, 2))
        ex = "d-mmm display of a day, without its year";
#undef N_
    if (ex) {
        *status = civ_fail(CIV_ERR_DATE,
                           "bad date '%s': it looks like Excel's %s: format the column as %s (Format Cells > Custom) "
                           "before saving%s",
                           shown_date(shown, size, text, len), ex, to, pd ? pd : "");
        return 0;
    }
    if (!is_day || !year) {
        *status = civ_fail(CIV_ERR_DATE,
                           "bad date '%s': a month name is read in Jan-2025, January 2025, 1-Jan-2025 or January 5, "
                           "2025 (the year in four digits); else write YYYY-MM or YYYY-MM-DD",
                           shown_date(shown, size, text, len));
        return 0;
    }
    if (day < 1 || day > civ_days_in_month(year, month)) {
        *status = civ_fail(CIV_ERR_DATE, "bad date '%s': day %u does not exist in %04u-%02u",
                           shown_date(shown, size, text, len), day, year, month);
        return 0;
    }
    *form = CIV_DATE_DAY;
    *value = civ_days_from_civil(year, month, day);
    *status = CIV_OK;
    return 0;
}

int civ_date_month_named(const char *text, size_t len)
{
    civ_date_form form;
    int64_t value;
    civ_status status;
    char shown[40];
    return text && !parse_english_date(text, len, &form, &value, &status, shown, sizeof shown);
}

/* A text that does not start with a four-digit year: a date with an English month name, else refused (a day or
 * month first with '/' is ambiguous; anything else lacks its year). */
static civ_status parse_without_year(const char *text, size_t len, civ_date_form *form, int64_t *value, char *shown,
                                     size_t size)
{
    civ_status english;
    if (!parse_english_date(text, len, form, value, &english, shown, size))
        return english;
    if (memchr(text, '/', len))
        return civ_fail(CIV_ERR_DATE,
                        "bad date '%s': a date must start with its year (YYYY-MM-DD or YYYY/M/D): with the day or "
                        "month first it is ambiguous (1/2/2019 is 1 February or January 2); in Excel, format the "
                        "column as yyyy-mm-dd before saving",
                        shown_date(shown, size, text, len));
    return civ_fail(CIV_ERR_DATE, "bad date '%s': expected YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD",
                    shown_date(shown, size, text, len));
}

/* A year followed by something other than '-', '/', '.', 年 or a quarter: always refused, said as an Excel
 * serial day number, a YYYYMM month or a YYYYMMDD day when it looks like one (with the form to write). */
static civ_status refuse_after_year(const char *text, size_t len, char *shown, size_t size)
{
#define SHOWN_ shown_date(shown, size, text, len)
    unsigned serial;
    /* 44562: a date cell Excel saved as its serial number (days since 1899-12-30), for dates of 1990..2099 */
    if (len == 5 && digits(text, 5, &serial) && serial >= 32874 && serial < 73051) {
        int64_t y;
        unsigned m, d;
        civ_civil_from_days(civ_days_from_civil(1899, 12, 30) + serial, &y, &m, &d);
        return civ_fail(CIV_ERR_DATE,
                        "bad date '%s': a number such as this is how Excel stores a date (%u is %04lld-%02u-%02u): "
                        "format the column as a date (yyyy-mm-dd) in Excel before saving",
                        SHOWN_, serial, (long long)y, m, d);
    }
    unsigned mm;
    /* 201901, 20190115: a month or day as a statistics system or pandas writes it (an integer), whose digits
     * could also be a code: said, with the form to write, rather than guessed */
    if (len == 6 && digits(text + 4, 2, &mm) && mm >= 1 && mm <= 12)
        return civ_fail(CIV_ERR_DATE,
                        "bad date '%s': a month written as YYYYMM: write it %.4s-%.2s (Excel: =TEXT(A2,\"0000-00\"); "
                        "pandas: pd.to_datetime(df['ds'].astype(str), format='%%Y%%m').dt.strftime('%%Y-%%m'))",
                        SHOWN_, text, text + 4);
    if (len == 8 && digits(text + 4, 4, &mm) && mm / 100 >= 1 && mm / 100 <= 12 && mm % 100 >= 1 && mm % 100 <= 31)
        return civ_fail(CIV_ERR_DATE,
                        "bad date '%s': a day written as YYYYMMDD: write it %.4s-%.2s-%.2s (pandas: "
                        "pd.to_datetime(df['ds'].astype(str), format='%%Y%%m%%d'))",
                        SHOWN_, text, text + 4, text + 6);
    return civ_fail(CIV_ERR_DATE, "bad date '%s': expected '-', '/', '.' or 年 after the year", SHOWN_);
#undef SHOWN_
}

/* Year-first forms that statistics exports and reports write: an English month name after the year,
 * "2025-Jan", "2025 January", "2025 Jan." (months); the month numbered as statistics offices do, "2025M01",
 * "2025M1"; and a quarter after a space, "2025 Q1".  Returns 1 when the text is none of them (the caller goes
 * on), else sets the period and returns 0. */
static int parse_year_words(const char *text, size_t len, unsigned year, civ_date_form *form, int64_t *value)
{
    unsigned month = 0;
    if ((text[4] == 'M' || text[4] == 'm') && (len == 6 || len == 7) && digits(text + 5, len - 5, &month) &&
        month >= 1 && month <= 12) {
        *form = CIV_DATE_MONTH;
        *value = 12 * (int64_t)year + (month - 1);
        return 0;
    }
    if (text[4] == ' ' && len == 7 && (text[5] == 'Q' || text[5] == 'q') && text[6] >= '1' && text[6] <= '4') {
        *form = CIV_DATE_QUARTER;
        *value = 4 * (int64_t)year + (text[6] - '1');
        return 0;
    }
    size_t at = text[4] == ' ' || text[4] == '-' ? 5 : 4, n = len - at;
    if (n > 3 && text[len - 1] == '.')
        n--; /* "2025 Jan." */
    if (!(month = english_month(text + at, n)))
        return 1;
    for (size_t i = at; i < at + n; i++)
        if (!((text[i] >= 'A' && text[i] <= 'Z') || (text[i] >= 'a' && text[i] <= 'z')))
            return 1;
    *form = CIV_DATE_MONTH;
    *value = 12 * (int64_t)year + (month - 1);
    return 0;
}

civ_status civ_date_parse(const char *text, size_t len, civ_date_form *form, int64_t *value)
{
    if (!text || !form || !value)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_date_parse: NULL argument");
    /* The date as shown in messages, built only on failure: formatting it
     * on every call cost more than the parse itself in 10-million-row files. */
#define SHOWN_ shown_date(shown, sizeof shown, text, len)
    char shown[40];
    unsigned year, month, day;
    if (len < 4 || !digits(text, 4, &year))
        return parse_without_year(text, len, form, value, shown, sizeof shown);
    if (year < 1)
        return civ_fail(CIV_ERR_DATE, "bad date '%s': year must be 1..9999", SHOWN_);
    if (len == 4) {
        *form = CIV_DATE_YEAR;
        *value = year;
        return CIV_OK;
    }
    if (text[4] == '/' || text[4] == '.')
        return parse_spreadsheet_date(text, len, form, value, shown, sizeof shown);
    size_t after_year = 4;
    if (literal(text, len, &after_year, "年"))
        return parse_chinese_date(text, len, year, form, value, shown, sizeof shown);
    if (len == 6 && (text[4] == 'Q' || text[4] == 'q') && text[5] >= '1' && text[5] <= '4') {
        *form = CIV_DATE_QUARTER; /* "2024Q1": a pandas quarterly Period as text */
        *value = 4 * (int64_t)year + (text[5] - '1');
        return CIV_OK;
    }
    if (len > 5 && (civ_ascii_isalpha(text[4]) || civ_ascii_isalpha(text[5])) &&
        !parse_year_words(text, len, year, form, value))
        return CIV_OK; /* "2025-Jan", "2025M01", "2025 Q1": tested only when a letter follows the year */
    if (text[4] != '-')
        return refuse_after_year(text, len, shown, sizeof shown);
    if (len == 21 && text[10] == '/')
        return parse_week_range(text, form, value, shown, sizeof shown);
    if (len == 7 && (text[5] == 'Q' || text[5] == 'q')) {
        if (text[6] < '1' || text[6] > '4')
            return civ_fail(CIV_ERR_DATE, "bad date '%s': quarter must be Q1..Q4", SHOWN_);
        *form = CIV_DATE_QUARTER;
        *value = 4 * (int64_t)year + (text[6] - '1');
        return CIV_OK;
    }
    if (len > 10 && (text[10] == ' ' || text[10] == 'T') && digits(text + 8, 2, &day)) {
        civ_status ts = midnight_only(text, len, 11, shown, sizeof shown);
        if (ts)
            return ts;
        len = 10;
    }
    if ((len != 7 && len != 10) || !digits(text + 5, 2, &month) || (len == 10 && text[7] != '-'))
        return parse_spreadsheet_date(text, len, form, value, shown, sizeof shown); /* "2019-1-1" */
    if (month < 1 || month > 12)
        return civ_fail(CIV_ERR_DATE, "bad date '%s': month %u is not 01..12", SHOWN_, month);
    if (len == 7) {
        *form = CIV_DATE_MONTH;
        *value = 12 * (int64_t)year + (month - 1);
        return CIV_OK;
    }
    if (text[7] != '-' || !digits(text + 8, 2, &day))
        return civ_fail(CIV_ERR_DATE, "bad date '%s': expected YYYY-MM-DD", SHOWN_);
    if (day < 1 || day > civ_days_in_month(year, month))
        return civ_fail(CIV_ERR_DATE, "bad date '%s': day %u does not exist in %04u-%02u", SHOWN_, day, year, month);
    *form = CIV_DATE_DAY;
    *value = civ_days_from_civil(year, month, day);
    return CIV_OK;
#undef SHOWN_
}

civ_status civ_period_format(civ_frequency freq, int phase, int64_t period, char *buf, size_t size)
{
    if (!buf || size < 11)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_period_format: buffer must hold 11 bytes");
    int64_t y;
    unsigned m, d;
    switch (freq) {
    case CIV_FREQ_YEARLY:
        y = period;
        break;
    case CIV_FREQ_QUARTERLY:
        y = period >= 0 ? period / 4 : -1;
        break;
    case CIV_FREQ_MONTHLY:
        y = period >= 0 ? period / 12 : -1;
        break;
    case CIV_FREQ_WEEKLY:
    case CIV_FREQ_DAILY: {
        /* Bound a weekly period before scaling it: period * 7 could overflow. */
        if (freq == CIV_FREQ_WEEKLY && (period < -719162 / 7 - 1 || period > 2932896 / 7 + 1))
            return civ_fail(CIV_ERR_DOMAIN, "period %lld is outside years 1..9999", (long long)period);
        int64_t days = freq == CIV_FREQ_WEEKLY ? period * 7 + phase : period;
        if (days < -719162 || days > 2932896) /* 0001-01-01 .. 9999-12-31 */
            return civ_fail(CIV_ERR_DOMAIN, "period %lld is outside years 1..9999", (long long)period);
        civ_civil_from_days(days, &y, &m, &d);
        civ_snprintf(buf, size, "%04lld-%02u-%02u", (long long)y, m, d);
        return CIV_OK;
    }
    default:
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_period_format: unknown frequency %d", (int)freq);
    }
    if (y < 1 || y > 9999)
        return civ_fail(CIV_ERR_DOMAIN, "period %lld is outside years 1..9999", (long long)period);
    if (freq == CIV_FREQ_YEARLY)
        civ_snprintf(buf, size, "%04lld", (long long)y);
    else if (freq == CIV_FREQ_QUARTERLY)
        civ_snprintf(buf, size, "%04lld-Q%d", (long long)y, (int)(period % 4) + 1);
    else
        civ_snprintf(buf, size, "%04lld-%02d", (long long)y, (int)(period % 12) + 1);
    return CIV_OK;
}

/* The wide reader's and the CSV header's test of a month header that lacks its year (date.h). */
int civ_date_yearless_month(const char *h)
{
    static const char *const en[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                     "jul", "aug", "sep", "oct", "nov", "dec"};
    int m = 0;
    size_t k = 0;
    while (k < 2 && civ_ascii_isdigit((unsigned char)h[k]))
        m = 10 * m + (h[k++] - '0');
    if (k && m >= 1 && m <= 12 && (!strcmp(h + k, "月") || !strcmp(h + k, "月份")))
        return 1;
    static const char *const zh[] = {"一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月",
                                     "十一月", "十二月"};
    for (size_t i = 0; i < 12; i++) /* 一月 .. 十二月, and 一月份 */
        if (!strncmp(h, zh[i], strlen(zh[i])) && (!h[strlen(zh[i])] || !strcmp(h + strlen(zh[i]), "份")))
            return 1;
    size_t len = strlen(h);
    if (len < 3 || len > 9)
        return 0;
    for (size_t c = 3; c < len; c++)
        if (!civ_ascii_isalpha((unsigned char)h[c]))
            return 0;
    for (size_t i = 0; i < 12; i++)
        if (!civ_ascii_ncasecmp(h, en[i], 3))
            return 1;
    return 0;
}
