/*
 * status.c -- layer monitor: binds an indicator spec to a table of actuals,
 * aggregates the roll-ups (rates weighted by their denominators, counts
 * summed, levels averaged), evaluates every target and runs the
 * consecutive-miss alert machine; builds the status and alert tables and the
 * panel of monitored series.  docs/MONITORING.md, "Statuses and alerts" and
 * "Roll-ups".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "csv.h" /* civ_csv_excel_error */
#include "date.h"
#include "monitor.h"
#include "text.h"
#include "xlsx_write.h" /* civ_is_xlsx_path */

#define MAX_PERIODS 100000

void civ_monitor_free(civ_monitor *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_series; i++) {
        free(m->series[i].unit);
        if (m->ids)
            free(m->ids[i]);
    }
    free(m->ids), free(m->series), free(m->numbers), free(m->ints), free(m->whole);
    civ_strmap_free(&m->by_id);
    free(m);
}

size_t civ_monitor_n_series(const civ_monitor *m) { return m ? m->n_series : 0; }
civ_frequency civ_monitor_frequency(const civ_monitor *m) { return m ? m->freq : CIV_FREQ_UNKNOWN; }
int64_t civ_monitor_first_period(const civ_monitor *m) { return m ? m->first : 0; }
int64_t civ_monitor_last_period(const civ_monitor *m) { return m ? m->first + (int64_t)m->n_periods - 1 : 0; }

/* The actuals' span and frequency for a message about a period: "monthly ... (2024-01 .. 2024-12)". */
static void span_text(const civ_monitor *m, char *lo, char *hi, size_t size)
{
    civ_period_format(m->freq, 0, m->first, lo, size);
    civ_period_format(m->freq, 0, civ_monitor_last_period(m), hi, size);
    civ_clear_error();
}

civ_status civ_monitor_period_of(const civ_monitor *m, const char *text, const char *field, int64_t *period,
                                 char *label, size_t size)
{
    if (!m || !text || !period)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_monitor_period_of: NULL argument");
    if (label && size)
        label[0] = 0;
    const char *name = field && field[0] ? field : "period";
    civ_where w = {.field = name};
    char lo[32] = "", hi[32] = "";
    civ_date_form form;
    int64_t v;
    if (civ_date_parse(text, strlen(text), &form, &v)) {
        char why[256];
        civ_snprintf(why, sizeof why, "%s", civ_last_error()->message); /* the reason: month 13, Feb 30, ... */
        span_text(m, lo, hi, sizeof lo);
        return civ_fail_at(CIV_ERR_DATE, &w, "%s '%.100s' is not a period (%s): write a %s period of the actuals "
                                             "(%s .. %s) such as %s, or a day in one", name, text, why,
                           civ_frequency_name(m->freq), lo, hi, hi);
    }
    /* a day (2024-11-01, 2024-11-30 08:30) is the period it falls in */
    civ_frequency written = civ_mon_form_freq(form); /* a monitor's actuals are yearly, quarterly or monthly */
    if (form == CIV_DATE_DAY && !civ_date_to_period(m->freq, 0, v, &v))
        written = m->freq;
    civ_clear_error();
    span_text(m, lo, hi, sizeof lo);
    if (written != m->freq) /* a quarter for monthly actuals: say so, not "period 8097" */
        return civ_fail_at(CIV_ERR_DATE, &w, "%s '%.100s' is not a %s period like the actuals' (%s .. %s): give "
                                             "one such as %s, or a day in one", name, text,
                           civ_frequency_name(m->freq), lo, hi, hi);
    if (v < m->first || v > civ_monitor_last_period(m))
        return civ_fail_at(CIV_ERR_DOMAIN, &w, "%s '%.100s' is outside the actuals, which span %s .. %s: give "
                                               "one of those periods", name, text, lo, hi);
    *period = v;
    if (label && size && civ_period_format(m->freq, 0, v, label, size)) {
        label[0] = 0;
        civ_clear_error();
    }
    return CIV_OK;
}

const char *civ_mon_scope_name(const civ_monitor *m, size_t s)
{
    const civ_monitor_spec *sp = m->spec;
    return s == 0 ? sp->scope : s <= sp->n_rollup ? sp->rollup[s - 1] : "city";
}

long civ_mon_row_line(const civ_table *t, size_t row)
{
    long line = civ_table_row_line(t, row);
    return line > 0 ? line : (long)row + 2;
}

const char *civ_mon_line_word(const char *source) { return civ_is_xlsx_path(source) ? "row" : "line"; }

const char *civ_mon_cell_text(const civ_table *t, size_t row, size_t col, char *buf, size_t size)
{
    if (civ_table_column_type(t, col) == CIV_COLUMN_TEXT)
        return civ_table_text(t, row, col);
    double v = civ_table_number(t, row, col);
    if (isnan(v))
        return "";
    civ_snprintf(buf, size, "%.17g", v);
    return buf;
}

/* ---- reading the actuals ------------------------------------------------------ */

typedef struct bind_ctx {
    const civ_monitor_spec *spec;
    const civ_table *t;
    const char *source;
    size_t c_unit, c_ind, c_ds, c_value, c_den, *c_roll;
    int has_den;
    size_t n_rows, n_units;
    civ_strmap units;               /* unit text (borrowed from the table) -> index */
    const char **unit_name;
    size_t *row_unit, *row_ind;     /* per row */
    int64_t *row_t;
    civ_strmap *groups;             /* per roll-up: group text -> index */
    const char ***group_name;
    size_t *n_groups, **unit_group; /* per roll-up: per unit */
    int64_t *unit_close;            /* per unit: its [[closed]] period, INT64_MAX when open */
} bind_ctx;

static void ctx_free(bind_ctx *c)
{
    civ_strmap_free(&c->units);
    free(c->unit_name), free(c->row_unit), free(c->row_ind), free(c->row_t), free(c->c_roll), free(c->unit_close);
    for (size_t k = 0; c->groups && k < c->spec->n_rollup; k++) {
        civ_strmap_free(&c->groups[k]);
        free(c->group_name[k]), free(c->unit_group[k]);
    }
    free(c->groups), free(c->group_name), free(c->n_groups), free(c->unit_group);
}

static civ_status row_fail(const bind_ctx *c, civ_status st, size_t row, const char *field, const char *fmt,
                           const char *a, const char *b)
{
    size_t col = 0;
    int has_col = civ_table_find_column(c->t, field, &col) == CIV_OK;
    civ_clear_error();
    civ_where w = {.file = c->source, .line = civ_mon_row_line(c->t, row), .column = has_col ? (long)col + 1 : 0,
                   .field = field};
    char msg[600];
    civ_snprintf(msg, sizeof msg, fmt, a, b);
    return civ_fail_at(st, &w, "%s", msg);
}

/* A number from a number or text cell; NaN for empty. */
static civ_status cell_number(const bind_ctx *c, size_t row, size_t col, const char *field, double *v)
{
    if (civ_table_column_type(c->t, col) == CIV_COLUMN_NUMBER) {
        *v = civ_table_number(c->t, row, col);
        return CIV_OK;
    }
    const char *s = civ_table_text(c->t, row, col);
    if (!s[0] || !strcmp(s, "NA") || !strcmp(s, "NaN")) {
        *v = NAN;
        return CIV_OK;
    }
    char *end;
    *v = civ_strtod(s, &end);
    if (!*end && isfinite(*v))
        return CIV_OK;
    /* as Excel displays numbers ("90.51%", "5,194"): the reading options that would take them (before: "is not
     * a number", without a cure); unless another cell of the column is no number even so, which kept the column
     * text with the options given: that cell is named */
    double x;
    size_t len = strlen(s);
    int pct = civ_csv_parse_formatted(s, len, 0, 1, &x) == CIV_CSV_NUMBER_OK;
    int sep = !pct && civ_csv_parse_formatted(s, len, ',', 0, &x) == CIV_CSV_NUMBER_OK;
    int both = !pct && !sep && civ_csv_parse_formatted(s, len, ',', 1, &x) == CIV_CSV_NUMBER_OK;
    for (size_t r = 0, n = civ_table_n_rows(c->t); (pct || sep || both) && r < n; r++) {
        const char *o = civ_table_text(c->t, r, col);
        if (o[0] && strcmp(o, "NA") && strcmp(o, "NaN") &&
            civ_csv_parse_formatted(o, strlen(o), ',', 1, &x) != CIV_CSV_NUMBER_OK) {
            row = r, s = o, pct = sep = both = 0;
            if (civ_csv_excel_error(s))
                return row_fail(c, CIV_ERR_PARSE, row, field,
                                "%s '%s' is not a number: an Excel error value (a formula that failed); fix the "
                                "formula in the sheet, or clear the cell for a missing value",
                                field, s);
        }
    }
    if (pct || sep || both) {
        char msg[300];
        civ_snprintf(msg, sizeof msg,
                     "%%s '%%s' is a number as Excel displays it (%s): read the actuals with %s (Python: %s), or "
                     "write plain numbers (0.9051, 5194), e.g. in Excel format the column as Number before saving",
                     pct   ? "a percent sign"
                     : sep ? "a thousands separator"
                           : "a thousands separator and a percent sign",
                     pct ? "--percent" : sep ? "--thousands \",\"" : "--thousands \",\" --percent",
                     pct ? "percent=True" : sep ? "thousands=\",\"" : "thousands=\",\", percent=True");
        return row_fail(c, CIV_ERR_PARSE, row, field, msg, field, s);
    }
    if (civ_csv_excel_error(s))
        return row_fail(c, CIV_ERR_PARSE, row, field,
                        "%s '%s' is not a number: an Excel error value (a formula that failed); fix the formula in "
                        "the sheet, or clear the cell for a missing value",
                        field, s);
    char msg[400]; /* the hints (a unit, spaces, full-width digits, a dash for no data) hold no '%' */
    civ_snprintf(msg, sizeof msg, "%%s '%%s' is not a number%s", civ_csv_number_hint(s));
    return row_fail(c, CIV_ERR_PARSE, row, field, msg, field, s);
}

/* The unknown-indicator error, with the file's nearest id when one is close
 * (spaces around the id, another case, a typo, a suffix added or dropped)
 * and the cure. */
static civ_status unknown_indicator(const bind_ctx *c, size_t row, const char *ind)
{
    const civ_monitor_spec *s = c->spec;
    const char *a = ind, *z = ind + strlen(ind);
    while (*a == ' ' || *a == '\t')
        a++;
    while (z > a && (z[-1] == ' ' || z[-1] == '\t'))
        z--;
    char trimmed[72];
    civ_snprintf(trimmed, sizeof trimmed, "%.*s", (int)(z - a < 71 ? z - a : 71), a);
    size_t best = SIZE_MAX, best_d = 99;
    for (size_t k = 0; k < s->n_ind; k++) {
        const char *id = s->ind[k].id;
        size_t d = civ_text_distance(trimmed, id, 99, 1), lt = strlen(trimmed), li = strlen(id);
        /* a suffix or prefix added or dropped ("hotline_response_rate") counts as close */
        if (d > 3 && lt >= 4 && li >= 4 && (strstr(id, trimmed) || strstr(trimmed, id)))
            d = 3;
        if (d < best_d)
            best_d = d, best = k;
    }
    size_t len = strlen(trimmed);
    int close = best != SIZE_MAX && best_d <= (len < 8 ? 1 : 3);
    char hint[300];
    if (close && (a != ind || *z))
        civ_snprintf(hint, sizeof hint, ": the cell has spaces around '%.100s'; clear them in the sheet",
                     s->ind[best].id);
    else if (close)
        civ_snprintf(hint, sizeof hint, ": did you mean '%.100s'? Write the indicator file's id in the sheet, or add "
                                        "an [[indicator]] with this id", s->ind[best].id);
    else
        civ_snprintf(hint, sizeof hint, ": write one of the indicator file's %zu ids (e.g. '%.100s') in the sheet, or "
                                        "add an [[indicator]] with this id", s->n_ind, s->ind[0].id);
    char what[480];
    civ_snprintf(what, sizeof what, "%.150s)%s", s->path, hint);
    return row_fail(c, CIV_ERR_NOT_FOUND, row, s->indicator_column, "unknown indicator '%s' (not in the indicator "
                                                                     "file %s", ind, what);
}

static civ_status find_columns(bind_ctx *c)
{
    const civ_monitor_spec *s = c->spec;
    const char *names[] = {s->unit_column, s->indicator_column, s->time_column, s->value_column};
    size_t *cols[] = {&c->c_unit, &c->c_ind, &c->c_ds, &c->c_value};
    for (int i = 0; i < 4; i++)
        if (civ_table_find_column(c->t, names[i], cols[i])) {
            civ_where w = {.file = c->source, .line = 1, .field = names[i]};
            return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w,
                               "the actuals have no column '%s' (need %s, %s, %s, %s[, %s]; the indicator file's "
                               "[monitor] unit_column, indicator_column, time_column, value_column and "
                               "denominator_column name the file's own)",
                               names[i], s->unit_column, s->indicator_column, s->time_column, s->value_column,
                               s->denominator_column);
        }
    c->has_den = civ_table_find_column(c->t, s->denominator_column, &c->c_den) == CIV_OK;
    civ_clear_error();
    if (!(c->c_roll = calloc(s->n_rollup + 1, sizeof *c->c_roll)))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    for (size_t k = 0; k < s->n_rollup; k++)
        if (civ_table_find_column(c->t, s->rollup[k], &c->c_roll[k])) {
            civ_where w = {.file = c->source, .line = 1, .field = s->rollup[k]};
            return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w, "the actuals have no column '%s', which the indicator "
                                                           "file's rollup names", s->rollup[k]);
        }
    return CIV_OK;
}

/* Checks one row's value against its indicator's kind. */
static civ_status check_value(const bind_ctx *c, size_t r, const civ_mon_indicator *d)
{
    const civ_monitor_spec *s = c->spec;
    double v, den = NAN;
    civ_status st = cell_number(c, r, c->c_value, s->value_column, &v);
    if (st)
        return st;
    if (c->has_den && (st = cell_number(c, r, c->c_den, s->denominator_column, &den)))
        return st;
    if (isnan(v))
        return CIV_OK;
    char buf[64];
    civ_snprintf(buf, sizeof buf, "%.10g", v);
    if (d->kind == CIV_MON_RATE && (v < 0 || v > 1))
        return row_fail(c, CIV_ERR_DOMAIN, r, s->value_column, "rate %s is outside [0, 1] for indicator '%s' (write "
                                                               "0.95 for 95%%)", buf, d->id);
    if (d->kind == CIV_MON_COUNT && v < 0)
        return row_fail(c, CIV_ERR_DOMAIN, r, s->value_column, "count %s is negative for indicator '%s'", buf, d->id);
    if (d->kind == CIV_MON_RATE && !(den > 0 && isfinite(den))) {
        char hint[160] = "";
        if (!c->has_den)
            civ_snprintf(hint, sizeof hint, " (add a column '%.100s')", s->denominator_column);
        return row_fail(c, CIV_ERR_DOMAIN, r, s->denominator_column,
                        "rate indicator '%s' needs a positive denominator (the count the rate is taken of)%s", d->id,
                        hint);
    }
    if (c->has_den && !isnan(den) && !(den >= 0 && isfinite(den)))
        return row_fail(c, CIV_ERR_DOMAIN, r, s->denominator_column, "%s must be >= 0%s", s->denominator_column, "");
    return CIV_OK;
}

/* A level indicator's roll-up weighs each unit by its denominator, or each by
 * 1 when it has none: a reported row without a denominator among rows with one
 * would weigh 1 against the others' tens (a street's slow response all but
 * vanishing from its district's mean), so it is an error naming both rows. */
static civ_status check_level_weights(const bind_ctx *c)
{
    const civ_monitor_spec *s = c->spec;
    if (!c->has_den)
        return CIV_OK;
    for (size_t i = 0; i < s->n_ind; i++) {
        if (s->ind[i].kind != CIV_MON_LEVEL)
            continue;
        size_t with = SIZE_MAX, without = SIZE_MAX;
        for (size_t r = 0; r < c->n_rows && (with == SIZE_MAX || without == SIZE_MAX); r++) {
            double v = NAN, den = NAN;
            if (c->row_ind[r] != i)
                continue;
            cell_number(c, r, c->c_value, s->value_column, &v);
            cell_number(c, r, c->c_den, s->denominator_column, &den);
            if (isnan(v))
                continue;
            if (isnan(den) && without == SIZE_MAX)
                without = r;
            else if (!isnan(den) && with == SIZE_MAX)
                with = r;
        }
        if (with != SIZE_MAX && without != SIZE_MAX) {
            char line[32];
            civ_snprintf(line, sizeof line, "%s %ld", civ_mon_line_word(c->source), civ_mon_row_line(c->t, with));
            return row_fail(c, CIV_ERR_DOMAIN, without, s->denominator_column,
                            "level indicator '%s' has no weight here, but %s gives its units weights (the "
                            "roll-ups average by them): give this row's too, or none in any row (then every unit "
                            "weighs 1)", s->ind[i].id, line);
        }
    }
    return CIV_OK;
}

/* Day dates ("2024-01-01", "2024-01-01 00:00:00": what pandas' to_csv writes for Timestamps) as the
 * periods they stand for, by the rule Python applies to a frame's Timestamps: every date the first
 * (or every date the last) day of its month gives months, or quarters / years when, besides, they are
 * a multiple of 3 / 12 months apart and on quarter / year boundaries (one month: a month).  A day inside
 * a month is refused at its row: the monitor's periods are years, quarters and months. */
static civ_status days_to_periods(bind_ctx *c, civ_date_form *form, int64_t *lo, int64_t *hi)
{
    const char *tc = c->spec->time_column;
    int end = -1;
    int64_t m_lo = 0, m_hi = 0;
    civ_spacing sp; /* the panel readers' record of the dates' spacing: its gcd of months decides the form */
    civ_spacing_init(&sp);
    for (size_t r = 0; r < c->n_rows; r++) {
        int64_t y;
        unsigned m, d;
        civ_civil_from_days(c->row_t[r], &y, &m, &d);
        int is_end = d == civ_days_in_month(y, m);
        if (end < 0)
            end = d != 1; /* the first row decides: month starts, else month ends */
        if (end ? !is_end : d != 1) {
            char tb[64];
            return row_fail(c, CIV_ERR_DATE, r, tc,
                            "%s '%s' is a day inside a month: the monitor reads years, quarters and months, and "
                            "day dates only when every one is the first (or every one the last) day of its "
                            "month, as pandas writes Timestamps; write the period (\"2024-07\")",
                            tc, civ_mon_cell_text(c->t, r, c->c_ds, tb, sizeof tb));
        }
        int64_t mon = 12 * y + (m - 1);
        civ_spacing_add(&sp, c->row_t[r]);
        c->row_t[r] = mon;
        if (!r || mon < m_lo)
            m_lo = mon;
        if (!r || mon > m_hi)
            m_hi = mon;
    }
    int64_t first = m_lo % 12, step = sp.gcd_months; /* first: 0 = January; step 0: one month */
    *form = CIV_DATE_MONTH;
    if (step && step % 12 == 0 && first == (end ? 11 : 0))
        *form = CIV_DATE_YEAR;
    else if (step && step % 3 == 0 && first % 3 == (end ? 2 : 0))
        *form = CIV_DATE_QUARTER;
    for (size_t r = 0; r < c->n_rows; r++)
        c->row_t[r] = *form == CIV_DATE_YEAR ? c->row_t[r] / 12 : *form == CIV_DATE_QUARTER ? c->row_t[r] / 3
                                                                                             : c->row_t[r];
    *lo = *form == CIV_DATE_YEAR ? m_lo / 12 : *form == CIV_DATE_QUARTER ? m_lo / 3 : m_lo;
    *hi = *form == CIV_DATE_YEAR ? m_hi / 12 : *form == CIV_DATE_QUARTER ? m_hi / 3 : m_hi;
    return CIV_OK;
}

/* For a blank cell of a unit or roll-up column: when the row above has a value, the sheet's merged cells (the
 * street or district once, blanks under it) as the likely cause, with the cure; else "". */
static const char *merged_hint(const bind_ctx *c, size_t row, size_t col, char *buf, size_t size)
{
    char b[64];
    const char *above = row ? civ_mon_cell_text(c->t, row - 1, col, b, sizeof b) : "";
    if (!above[0])
        return "";
    civ_snprintf(buf, size, ", under '%.100s': left blank under the value above, as Excel saves merged cells? unmerge "
                 "and fill the column down (Excel: Go To Special, Blanks, =the cell above, Ctrl+Enter; pandas: "
                 "df[col] = df[col].ffill())", above);
    return buf;
}

/* The error for a period cell civ_date_parse refused.  A day date followed by a time of day ("2024-01-01
 * 09:00:00", or "2024-01-01 08:00:00+08:00": midnights moved by a time zone, as pandas writes converted
 * Timestamps) keeps the parser's reason and cure, since the day alone is read; anything else lists the forms a
 * period takes.  Before 2026-12-06 both said "is not a year, quarter or month", which misled for day dates. */
static civ_status bad_period(const bind_ctx *c, size_t r, const char *ds)
{
    char why[sizeof civ_last_error()->message];
    civ_snprintf(why, sizeof why, "%s", civ_last_error()->message);
    size_t n = strlen(ds), at = 5;
    while (at < n && ds[at] != ' ' && ds[at] != 'T')
        at++;
    civ_date_form form;
    int64_t day;
    if (at < n && civ_date_parse(ds, at, &form, &day) == CIV_OK && form == CIV_DATE_DAY)
        return row_fail(c, CIV_ERR_DATE, r, c->spec->time_column, "%s: %s", c->spec->time_column, why);
    /* the parser's own diagnosis when it has one (Excel's "Jan-23" display, a serial 44927, YYYYMM, month 13),
     * and spaces around a period; before 2026-12-07 every such cell got the generic list of forms alone */
    const char *a = ds, *z = ds + n, *reason = strstr(why, "': ");
    while (*a == ' ' || *a == '\t')
        a++;
    while (z > a && (z[-1] == ' ' || z[-1] == '\t'))
        z--;
    char more[sizeof why + 8] = "";
    if ((a != ds || *z) && z > a && civ_date_parse(a, (size_t)(z - a), &form, &day) == CIV_OK)
        civ_snprintf(more, sizeof more, ": the cell has spaces around '%.*s'; clear them in the sheet",
                     (int)(z - a < 64 ? z - a : 64), a);
    else if (reason && !strstr(reason, "expected YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD"))
        civ_snprintf(more, sizeof more, ": %s", reason + 3);
    civ_clear_error();
    char msg[sizeof more + 200];
    civ_snprintf(msg, sizeof msg, "%s '%.64s' is not a year, quarter or month (\"2024\", \"2024-Q3\", \"2024-07\", "
                 "\"2024年7月\")%s", c->spec->time_column, ds, more);
    return row_fail(c, CIV_ERR_DATE, r, c->spec->time_column, "%s%s", msg, "");
}

/* The cell text without the spaces and tabs around it, into buf (truncated to its size); "" when none. */
static const char *trimmed(const char *s, char *buf, size_t size)
{
    const char *a = s, *z = s + strlen(s);
    while (*a == ' ' || *a == '\t')
        a++;
    while (z > a && (z[-1] == ' ' || z[-1] == '\t'))
        z--;
    if (a == s && !*z)
        return "";
    civ_snprintf(buf, size, "%.*s", (int)(z - a < (long)size - 1 ? z - a : (long)size - 1), a);
    return buf;
}

/* The first row of unit u (the error paths only). */
static size_t first_row_of(const bind_ctx *c, size_t u)
{
    size_t r = 0;
    while (r < c->n_rows && c->row_unit[r] != u)
        r++;
    return r;
}

/* A unit cell with spaces around an id the actuals also have (" D01-S01 " beside "D01-S01") is one unit split in
 * two: the spaced cells' months were "not reported" for the real unit and the phantom one "sent nothing" every
 * month after.  An error naming both lines, as the long panels' reader does (before 2026-12-07: silently two
 * units). */
static civ_status spaced_units(const bind_ctx *c)
{
    for (size_t u = 0; u < c->n_units; u++) {
        char b[256];
        size_t v;
        const char *t = trimmed(c->unit_name[u], b, sizeof b);
        if (!t[0] || !civ_strmap_get(&c->units, t, &v))
            continue;
        size_t ru = first_row_of(c, u), rv = first_row_of(c, v);
        char line[32];
        civ_snprintf(line, sizeof line, "%s %ld", civ_mon_line_word(c->source), civ_mon_row_line(c->t, rv));
        char what[400];
        civ_snprintf(what, sizeof what, "%.100s '%.100s' has spaces around it, and %s has '%.100s': one unit "
                     "split in two; clear the spaces in the sheet (Excel: =TRIM() or Find and Replace)",
                     c->spec->unit_column, c->unit_name[u], line, t);
        return row_fail(c, CIV_ERR_PARSE, ru, c->spec->unit_column, "%s%s", what, "");
    }
    return CIV_OK;
}

/* A period of another form than the column's first (form_row): both forms and texts, and the cure (before
 * 2026-12-07 "'2024/12/1' has another form than line 2's", which named neither: a month typed into Excel becomes
 * a date, and its CSV export writes the day). */
static civ_status mixed_forms(const bind_ctx *c, size_t r, const char *ds, civ_date_form form, size_t form_row,
                              civ_date_form form0)
{
    static const char *const names[] = {"", "a year", "a quarter", "a month", "a day"};
    char b[64], first[300];
    const char *ds0 = civ_mon_cell_text(c->t, form_row, c->c_ds, b, sizeof b);
    civ_snprintf(first, sizeof first, "%.40s' is %s, and %s %ld's '%.40s' %s", ds, names[form],
                 civ_mon_line_word(c->source), civ_mon_row_line(c->t, form_row), ds0, names[form0]);
    const char *cure = form == CIV_DATE_DAY && form0 == CIV_DATE_MONTH
                           ? ": write every period of the column one way, the months as months (Excel turns a month "
                             "typed as 2024-12 into a date: give the column a Text format, or the dates a yyyy-mm "
                             "format before saving)"
                           : ": write every period of the column one way";
    return row_fail(c, CIV_ERR_FREQUENCY, r, c->spec->time_column, "'%s%s", first, cure);
}

static civ_status read_rows(bind_ctx *c, civ_date_form *form_out, int64_t *lo, int64_t *hi)
{
    const civ_monitor_spec *s = c->spec;
    size_t n = c->n_rows;
    if (!(c->row_unit = malloc((n + 1) * sizeof *c->row_unit)) || !(c->row_ind = malloc((n + 1) * sizeof(size_t))) ||
        !(c->row_t = malloc((n + 1) * sizeof(int64_t))) || !(c->unit_name = malloc((n + 1) * sizeof(char *))))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    civ_date_form form0 = 0;
    size_t form_row = 0;
    civ_status st;
    for (size_t r = 0; r < n; r++) {
        char nb[64], db[64];
        const char *unit = civ_mon_cell_text(c->t, r, c->c_unit, nb, sizeof nb);
        char hint[400];
        if (!unit[0])
            return row_fail(c, CIV_ERR_PARSE, r, s->unit_column, "empty %s%s", s->unit_column,
                            merged_hint(c, r, c->c_unit, hint, sizeof hint));
        if (civ_table_column_type(c->t, c->c_unit) != CIV_COLUMN_TEXT)
            return row_fail(c, CIV_ERR_PARSE, r, s->unit_column, "the %s column must be text (unit ids)%s",
                            s->unit_column, "");
        if (civ_total_row_id(unit)) /* before 2026-12-07 "unknown indicator ''", or a unit '合计' rolled up */
            return row_fail(c, CIV_ERR_PARSE, r, s->unit_column,
                            "'%s' looks like the sheet's total row, not a %s: delete the row (the roll-ups and the "
                            "city total are computed from the units)", unit, s->scope);
        const char *ind = civ_mon_cell_text(c->t, r, c->c_ind, db, sizeof db);
        if (!civ_strmap_get(&s->index, ind, &c->row_ind[r]))
            return unknown_indicator(c, r, ind);
        char tb[64];
        const char *ds = civ_mon_cell_text(c->t, r, c->c_ds, tb, sizeof tb);
        civ_date_form form;
        if (civ_date_parse(ds, strlen(ds), &form, &c->row_t[r]))
            return bad_period(c, r, ds);
        if (!form0)
            form0 = form, form_row = r;
        else if (form != form0) {
            return mixed_forms(c, r, ds, form, form_row, form0);
        }
        if (!r || c->row_t[r] < *lo)
            *lo = c->row_t[r];
        if (!r || c->row_t[r] > *hi)
            *hi = c->row_t[r];
        if ((st = check_value(c, r, &s->ind[c->row_ind[r]])))
            return st;
        size_t u;
        if (!civ_strmap_get(&c->units, unit, &u)) {
            u = c->n_units++;
            c->unit_name[u] = unit;
            if ((st = civ_strmap_put(&c->units, unit, u, NULL)))
                return st;
        }
        c->row_unit[r] = u;
    }
    *form_out = form0;
    if (form0 == CIV_DATE_DAY && (st = days_to_periods(c, form_out, lo, hi)))
        return st;
    if ((st = spaced_units(c)))
        return st;
    return check_level_weights(c);
}

/* A unit in two groups of roll-up k at row r: both groups and the line of the first, and the spaces when the two
 * differ only by them (before 2026-12-07: "unit 'X' is in two groups of 'district'", naming neither). */
static civ_status two_groups(const bind_ctx *c, size_t k, size_t r, size_t u)
{
    const char *col = c->spec->rollup[k];
    const char *g0 = c->group_name[k][c->unit_group[k][u]], *g1 = civ_table_text(c->t, r, c->c_roll[k]);
    size_t first = 0;
    while (first < r && !(c->row_unit[first] == u && !strcmp(civ_table_text(c->t, first, c->c_roll[k]), g0)))
        first++;
    char b0[256], b1[256], hint[400] = "";
    const char *t0 = trimmed(g0, b0, sizeof b0), *t1 = trimmed(g1, b1, sizeof b1);
    if (!strcmp(t0[0] ? t0 : g0, t1[0] ? t1 : g1))
        civ_snprintf(hint, sizeof hint, ": '%.100s' has spaces around it; clear them in the sheet (Excel: =TRIM() "
                     "or Find and Replace)", t1[0] ? g1 : g0);
    else
        civ_snprintf(hint, sizeof hint, ": a unit belongs to one %.100s; correct the row that is wrong", col);
    char msg[900];
    civ_snprintf(msg, sizeof msg, "unit '%.100s' is in two groups of '%.100s': '%.100s' here, '%.100s' at %s %ld%s",
                 c->unit_name[u], col, g1, g0, civ_mon_line_word(c->source), civ_mon_row_line(c->t, first), hint);
    return row_fail(c, CIV_ERR_SPEC, r, col, "%s%s", msg, "");
}

/* A roll-up group written with spaces around a name the column also has ("澜中区 " beside "澜中区"): one district
 * split in two roll-ups, each missing the other's streets.  An error naming both lines (before 2026-12-07: two
 * groups, silently). */
static civ_status spaced_groups(const bind_ctx *c, size_t k)
{
    for (size_t g = 0; g < c->n_groups[k]; g++) {
        char b[256];
        size_t h;
        const char *t = trimmed(c->group_name[k][g], b, sizeof b);
        if (!t[0] || !civ_strmap_get(&c->groups[k], t, &h))
            continue;
        size_t rg = 0, rh = 0;
        while (rg < c->n_rows && strcmp(civ_table_text(c->t, rg, c->c_roll[k]), c->group_name[k][g]))
            rg++;
        while (rh < c->n_rows && strcmp(civ_table_text(c->t, rh, c->c_roll[k]), t))
            rh++;
        char what[500];
        civ_snprintf(what, sizeof what, "%.100s '%.100s' has spaces around it, and %s %ld has '%.100s': one group "
                     "split in two; clear the spaces in the sheet (Excel: =TRIM() or Find and Replace)",
                     c->spec->rollup[k], c->group_name[k][g], civ_mon_line_word(c->source),
                     civ_mon_row_line(c->t, rh), t);
        return row_fail(c, CIV_ERR_SPEC, rg, c->spec->rollup[k], "%s%s", what, "");
    }
    return CIV_OK;
}

static civ_status read_groups(bind_ctx *c)
{
    size_t K = c->spec->n_rollup;
    if (!K)
        return CIV_OK;
    if (!(c->groups = calloc(K, sizeof *c->groups)) || !(c->group_name = calloc(K, sizeof *c->group_name)) ||
        !(c->n_groups = calloc(K, sizeof *c->n_groups)) || !(c->unit_group = calloc(K, sizeof *c->unit_group)))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    civ_status st;
    for (size_t k = 0; k < K; k++) {
        const char *col = c->spec->rollup[k];
        if (!(c->group_name[k] = malloc((c->n_units + 1) * sizeof(char *))) ||
            !(c->unit_group[k] = malloc((c->n_units + 1) * sizeof(size_t))))
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
        for (size_t u = 0; u < c->n_units; u++)
            c->unit_group[k][u] = SIZE_MAX;
        for (size_t r = 0; r < c->n_rows; r++) {
            char b[64];
            const char *g = civ_mon_cell_text(c->t, r, c->c_roll[k], b, sizeof b);
            char hint[400];
            if (!g[0] || civ_table_column_type(c->t, c->c_roll[k]) != CIV_COLUMN_TEXT)
                return row_fail(c, CIV_ERR_SPEC, r, col, "the roll-up column '%s' needs a text value in every row%s",
                                col, g[0] ? "" : merged_hint(c, r, c->c_roll[k], hint, sizeof hint));
            size_t gi;
            if (!civ_strmap_get(&c->groups[k], g, &gi)) {
                gi = c->n_groups[k]++;
                c->group_name[k][gi] = g;
                if ((st = civ_strmap_put(&c->groups[k], g, gi, NULL)))
                    return st;
            }
            size_t u = c->row_unit[r];
            if (c->unit_group[k][u] == SIZE_MAX)
                c->unit_group[k][u] = gi;
            else if (c->unit_group[k][u] != gi)
                return two_groups(c, k, r, u);
        }
        if ((st = spaced_groups(c, k)))
            return st;
    }
    return CIV_OK;
}

/* ---- units that close ([[closed]]) ------------------------------------------------ */

/* The actuals' unit closest to `name` (did you mean), or NULL when none is close. */
static const char *nearest_unit(const bind_ctx *c, const char *name)
{
    size_t best = SIZE_MAX, best_d = 99, len = strlen(name);
    for (size_t u = 0; u < c->n_units; u++) {
        size_t d = civ_text_distance(name, c->unit_name[u], 99, 1);
        if (d < best_d)
            best_d = d, best = u;
    }
    return best != SIZE_MAX && best_d <= (len < 8 ? 1 : 3) ? c->unit_name[best] : NULL;
}

static civ_status closed_unknown(const bind_ctx *c, const civ_mon_closed *d, int into)
{
    const civ_monitor_spec *s = c->spec;
    const char *name = into ? d->into : d->unit, *near = nearest_unit(c, name);
    civ_where w = {.file = s->path, .line = into ? d->into_line : d->line, .column = into ? d->into_column : d->column,
                   .field = into ? "into" : "unit"};
    char hint[300];
    if (near)
        civ_snprintf(hint, sizeof hint, "did you mean '%.100s'?", near);
    else
        civ_snprintf(hint, sizeof hint, "write one of its %zu units (e.g. '%.100s')", c->n_units,
                     c->n_units ? c->unit_name[0] : "");
    return civ_fail_at(CIV_ERR_SPEC, &w, "[closed] %s '%s' is not a unit of the actuals %s (column '%s'): %s",
                       into ? "into" : "unit", name, c->source, s->unit_column, hint);
}

/* Binds the spec's [[closed]] units to the actuals' units (c->unit_close) and refuses a value reported in or
 * after a unit's closing period: the closing date or the row is wrong, and which one only the user knows.  A row
 * with an empty value there is accepted (a sheet that still lists the street, blank). */
static civ_status bind_closed(const civ_monitor *m, bind_ctx *c)
{
    const civ_monitor_spec *s = c->spec;
    if (!(c->unit_close = malloc((c->n_units + 1) * sizeof *c->unit_close)))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    for (size_t u = 0; u < c->n_units; u++)
        c->unit_close[u] = INT64_MAX;
    for (size_t i = 0; i < s->n_closed; i++) {
        const civ_mon_closed *d = &s->closed[i];
        size_t u;
        int64_t lo, hi;
        if (!civ_strmap_get(&c->units, d->unit, &u))
            return closed_unknown(c, d, 0);
        if (civ_mon_date_span(&d->from, m->freq, &lo, &hi)) {
            civ_where w = {.file = s->path, .line = d->from.line, .column = d->from.column, .field = "from"};
            return civ_fail_at(CIV_ERR_SPEC, &w, "[closed] unit '%s': a %s date cannot be placed in %s data: write "
                                                 "the period as the actuals do", d->unit,
                               d->from.form == CIV_DATE_MONTH ? "monthly" : "quarterly", civ_frequency_name(m->freq));
        }
        c->unit_close[u] = lo;
    }
    for (size_t i = 0; i < s->n_closed; i++) {
        const civ_mon_closed *d = &s->closed[i];
        size_t u, v;
        if (!d->into)
            continue;
        if (!civ_strmap_get(&c->units, d->into, &v))
            return closed_unknown(c, d, 1);
        civ_strmap_get(&c->units, d->unit, &u);
        if (c->unit_close[v] <= c->unit_close[u]) {
            char at[32];
            civ_period_format(m->freq, 0, c->unit_close[v], at, sizeof at);
            civ_where w = {.file = s->path, .line = d->into_line, .column = d->into_column, .field = "into"};
            return civ_fail_at(CIV_ERR_SPEC, &w, "[closed] unit '%s' is merged into '%s', which is itself closed from "
                                                 "%s: give the unit that took it over", d->unit, d->into, at);
        }
    }
    for (size_t r = 0; s->n_closed && r < c->n_rows; r++) {
        size_t u = c->row_unit[r];
        double v = NAN;
        if (c->row_t[r] < c->unit_close[u])
            continue;
        cell_number(c, r, c->c_value, s->value_column, &v);
        if (isnan(v))
            continue;
        const civ_mon_closed *d = s->closed;
        while (strcmp(d->unit, c->unit_name[u]))
            d++;
        char at[32], ds[32], msg[600];
        civ_period_format(m->freq, 0, c->unit_close[u], at, sizeof at);
        civ_period_format(m->freq, 0, c->row_t[r], ds, sizeof ds);
        civ_snprintf(msg, sizeof msg, "unit '%.100s' reports a value for %s, but the indicator file closes it from %s "
                     "([[closed]] at %.200s:%ld): fix the row's unit or date, or the closing period",
                     c->unit_name[u], ds, at, s->path, d->line);
        return row_fail(c, CIV_ERR_DOMAIN, r, s->time_column, "%s%s", msg, "");
    }
    return CIV_OK;
}

/* ---- building the series ------------------------------------------------------ */

/* A stable merge sort of indices with a context (qsort has none, and a
 * global would not be thread-safe). */
civ_status civ_mon_sort(size_t *idx, size_t n, int (*cmp)(const void *ctx, size_t a, size_t b), const void *ctx)
{
    size_t *tmp = malloc((n + 1) * sizeof *tmp);
    if (!tmp)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t a = lo, b = mid, k = lo;
            while (a < mid && b < hi)
                tmp[k++] = cmp(ctx, idx[b], idx[a]) < 0 ? idx[b++] : idx[a++];
            while (a < mid)
                tmp[k++] = idx[a++];
            while (b < hi)
                tmp[k++] = idx[b++];
        }
        memcpy(idx, tmp, n * sizeof *idx);
    }
    free(tmp);
    return CIV_OK;
}

/* Units and groups in natural order (civ_natural_cmp: street 9 before street 10, codes 310101009 before
 * 310101010, names by their bytes): the order of the monitoring tables people read, the same on every run. */
static int cmp_names(const void *ctx, size_t a, size_t b)
{
    const char *const *names = ctx;
    return civ_natural_cmp(names[a], names[b]);
}

static size_t *sorted_order(const char **names, size_t n)
{
    size_t *o = malloc((n + 1) * sizeof *o);
    if (!o)
        return NULL;
    for (size_t i = 0; i < n; i++)
        o[i] = i;
    if (civ_mon_sort(o, n, cmp_names, names)) {
        free(o);
        return NULL;
    }
    return o;
}

/* Adds a series (scope, unit name, indicator); returns its index or SIZE_MAX on OOM. */
static size_t add_series(civ_monitor *m, size_t scope, const char *unit, size_t ind)
{
    civ_mon_series *s = &m->series[m->n_series];
    memset(s, 0, sizeof *s);
    s->scope = scope, s->ind = ind, s->base = NAN;
    if (!(s->unit = strdup(unit)))
        return SIZE_MAX;
    return m->n_series++;
}

static void attach_arrays(civ_monitor *m)
{
    size_t P = m->n_periods;
    for (size_t i = 0; i < m->n_series; i++) {
        civ_mon_series *s = &m->series[i];
        s->value = m->numbers + 3 * i * P, s->den = s->value + P, s->target = s->den + P;
        s->status = m->ints + 4 * i * P, s->misses = s->status + P, s->alert = s->misses + P;
        s->members = s->alert + P;
        for (size_t t = 0; t < P; t++) {
            s->value[t] = s->den[t] = s->target[t] = NAN, s->status[t] = s->misses[t] = s->alert[t] = 0;
            s->members[t] = 0;
        }
    }
}

/* Roll-up accumulation into series g (value = running sum, den = weight sum,
 * status = members missing this period).  A unit is a member from its first
 * row of the indicator on: a street added this month is not a missing member
 * of the months before it (which would blank a count roll-up's history). */
static void accumulate(const civ_mon_indicator *d, const civ_mon_series *u, civ_mon_series *g, size_t P, int has_den)
{
    for (size_t t = u->start; t < u->end; t++) { /* a member from its first row until it closes */
        double v = u->value[t], w = u->den[t];
        g->members[t]++;
        if (isnan(v)) {
            g->status[t]++;
            continue;
        }
        if (d->kind == CIV_MON_COUNT) {
            g->value[t] = isnan(g->value[t]) ? v : g->value[t] + v;
            continue;
        }
        if (d->kind == CIV_MON_LEVEL && !(has_den && w >= 0))
            w = 1.0;
        g->value[t] = isnan(g->value[t]) ? v * w : g->value[t] + v * w;
        g->den[t] = isnan(g->den[t]) ? w : g->den[t] + w;
    }
}

static void finish_rollup(const civ_mon_indicator *d, civ_mon_series *g, size_t P)
{
    for (size_t t = 0; t < P; t++) {
        if (d->kind == CIV_MON_COUNT) {
            if (g->status[t]) /* a sum over incomplete units would look like an improvement */
                g->value[t] = NAN;
        } else {
            g->value[t] = g->den[t] > 0 ? g->value[t] / g->den[t] : NAN;
            if (!(g->den[t] > 0))
                g->den[t] = NAN;
        }
        g->status[t] = 0;
    }
}

/* The units' own series, one per unit and indicator that has a row, units in name order (sorted_order); their
 * indexes in base_idx[u * NI + i] (SIZE_MAX: none). */
static civ_status add_base_series(civ_monitor *m, const bind_ctx *c, const size_t *order, size_t *base_idx)
{
    size_t NI = m->spec->n_ind, NU = c->n_units;
    for (size_t i = 0; i < NU * NI; i++)
        base_idx[i] = SIZE_MAX;
    for (size_t r = 0; r < c->n_rows; r++)
        base_idx[c->row_unit[r] * NI + c->row_ind[r]] = 0;
    for (size_t oi = 0; oi < NU; oi++)
        for (size_t i = 0; i < NI; i++) {
            size_t u = order[oi];
            if (base_idx[u * NI + i] != SIZE_MAX &&
                (base_idx[u * NI + i] = add_series(m, 0, c->unit_name[u], i)) == SIZE_MAX)
                return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
        }
    return CIV_OK;
}

/* The roll-up series of level k (k == K: the city), one per group and indicator with a member, groups in name
 * order; their indexes in roll_idx[k][g * NI + i] (allocated here). */
static civ_status add_rollup_series(civ_monitor *m, const bind_ctx *c, size_t k, const size_t *base_idx,
                                    size_t **roll_idx)
{
    size_t NI = m->spec->n_ind, NU = c->n_units, K = m->spec->n_rollup;
    size_t NG = k < K ? c->n_groups[k] : 1;
    const char *city = "city";
    civ_status st = CIV_OK;
    size_t *gorder = k < K ? sorted_order(c->group_name[k], NG) : calloc(1, sizeof(size_t));
    if (!gorder || !(roll_idx[k] = malloc((NG * NI + 1) * sizeof(size_t)))) {
        free(gorder);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    }
    for (size_t x = 0; x < NG * NI; x++)
        roll_idx[k][x] = SIZE_MAX;
    for (size_t u = 0; u < NU; u++)
        for (size_t i = 0; i < NI; i++)
            if (base_idx[u * NI + i] != SIZE_MAX)
                roll_idx[k][(k < K ? c->unit_group[k][u] : 0) * NI + i] = 0;
    for (size_t go = 0; go < NG && !st; go++)
        for (size_t i = 0; i < NI; i++) {
            size_t g = gorder[go];
            if (roll_idx[k][g * NI + i] != SIZE_MAX &&
                (roll_idx[k][g * NI + i] = add_series(m, k + 1, k < K ? c->group_name[k][g] : city, i)) ==
                    SIZE_MAX)
                st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
        }
    free(gorder);
    return st;
}

/* The units' series span their periods up to a closed unit's closing period (start is set by fill_rows). */
static void set_unit_spans(civ_monitor *m, const bind_ctx *c, const size_t *base_idx, size_t n_base)
{
    size_t NI = m->spec->n_ind, NU = c->n_units, P = m->n_periods;
    for (size_t i = 0; i < n_base; i++)
        m->series[i].n_units = 1, m->series[i].start = m->series[i].end = P;
    for (size_t u = 0; u < NU; u++) { /* a closed unit's series end at its closing period */
        int64_t close = c->unit_close[u];
        size_t end = close == INT64_MAX || close - m->first >= (int64_t)P ? P
                     : close <= m->first                             ? 0
                                                                     : (size_t)(close - m->first);
        for (size_t k = 0; k < NI; k++)
            if (base_idx[u * NI + k] != SIZE_MAX)
                m->series[base_idx[u * NI + k]].end = end;
    }
}

/* The rows' values (and denominators) into the units' series; a unit's indicator twice in a period is refused.
 * filled: one byte per unit, indicator and period, zeroed. */
static civ_status fill_rows(civ_monitor *m, bind_ctx *c, const size_t *base_idx, unsigned char *filled)
{
    const civ_monitor_spec *sp = m->spec;
    size_t NI = sp->n_ind, P = m->n_periods;
    for (size_t r = 0; r < c->n_rows; r++) {
        size_t u = c->row_unit[r], i = c->row_ind[r], t = (size_t)(c->row_t[r] - m->first);
        size_t cell = (u * NI + i) * P + t;
        if (filled[cell]) { /* name the first row of the two */
            size_t r0 = 0;
            while (r0 < r && !(c->row_unit[r0] == u && c->row_ind[r0] == i && c->row_t[r0] == c->row_t[r]))
                r0++;
            char what[400];
            civ_snprintf(what, sizeof what, "unit '%.150s' has indicator '%.100s' twice for this period (also at %s "
                         "%ld): keep one row", c->unit_name[u], sp->ind[i].id, civ_mon_line_word(c->source),
                         civ_mon_row_line(c->t, r0));
            return row_fail(c, CIV_ERR_DUPLICATE, r, sp->time_column, "%s%s", what, "");
        }
        filled[cell] = 1;
        civ_mon_series *s = &m->series[base_idx[u * NI + i]];
        if (t < s->start)
            s->start = t;
        cell_number(c, r, c->c_value, sp->value_column, &s->value[t]);
        if (c->has_den)
            cell_number(c, r, c->c_den, sp->denominator_column, &s->den[t]);
    }
    return CIV_OK;
}

/* The roll-ups summed from their members' series (accumulate, finish_rollup); members counted per period. */
static void roll_up(civ_monitor *m, const bind_ctx *c, const size_t *base_idx, size_t *const *roll_idx,
                    size_t n_base)
{
    const civ_monitor_spec *sp = m->spec;
    size_t NI = sp->n_ind, NU = c->n_units, K = sp->n_rollup, P = m->n_periods;
    for (size_t k = 0; k <= K; k++) {
        for (size_t u = 0; u < NU; u++)
            for (size_t i = 0; i < NI; i++)
                if (base_idx[u * NI + i] != SIZE_MAX) {
                    size_t g = k < K ? c->unit_group[k][u] : 0;
                    accumulate(&sp->ind[i], &m->series[base_idx[u * NI + i]], &m->series[roll_idx[k][g * NI + i]],
                               P, c->has_den);
                }
    }
    for (size_t i = 0; i < n_base; i++)
        for (size_t t = m->series[i].start; t < m->series[i].end; t++)
            m->series[i].members[t] = 1;
    for (size_t j = n_base; j < m->n_series; j++) {
        finish_rollup(&sp->ind[m->series[j].ind], &m->series[j], P);
        m->series[j].n_units = (size_t)m->series[j].members[P - 1];
    }
}

/* Every series of the monitor: the units' (add_base_series) and the roll-ups' (add_rollup_series), in one block
 * of numbers and ints (attach_arrays), filled from the rows and rolled up. */
static civ_status build_series(civ_monitor *m, bind_ctx *c)
{
    const civ_monitor_spec *sp = m->spec;
    size_t NI = sp->n_ind, NU = c->n_units, K = sp->n_rollup, P = m->n_periods;
    size_t *base_idx = malloc((NU * NI + 1) * sizeof *base_idx);
    size_t *order = sorted_order(c->unit_name, NU);
    size_t max_series = NU * NI + NI;
    for (size_t k = 0; k < K; k++)
        max_series += c->n_groups[k] * NI;
    unsigned char *filled = calloc(NU * NI * P + 1, 1);
    m->series = calloc(max_series + 1, sizeof *m->series);
    m->numbers = malloc((3 * max_series * P + 1) * sizeof(double));
    m->ints = malloc((4 * max_series * P + 1) * sizeof(int));
    civ_status st = CIV_OK;
    size_t **roll_idx = calloc(K + 1, sizeof *roll_idx);
    if (!base_idx || !order || !filled || !m->series || !m->numbers || !m->ints || !roll_idx) {
        st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
        goto done;
    }
    if ((st = add_base_series(m, c, order, base_idx)))
        goto done;
    size_t n_base = m->n_series;
    for (size_t k = 0; k <= K && !st; k++) /* k == K: the city */
        st = add_rollup_series(m, c, k, base_idx, roll_idx);
    if (st)
        goto done;
    attach_arrays(m);
    set_unit_spans(m, c, base_idx, n_base);
    if ((st = fill_rows(m, c, base_idx, filled)))
        goto done;
    roll_up(m, c, base_idx, roll_idx, n_base);
done:
    for (size_t k = 0; k <= K && roll_idx; k++)
        free(roll_idx[k]);
    free(roll_idx), free(base_idx), free(order), free(filled);
    return st;
}

/* Path bases, targets and the alert machine of one series. */
static void evaluate(civ_monitor *m, civ_mon_series *s)
{
    const civ_mon_indicator *d = &m->spec->ind[s->ind];
    size_t P = m->n_periods;
    if (d->target_kind == CIV_MON_PATH) {
        int64_t lo, hi;
        double sum = 0;
        size_t n = 0;
        double members = 0;
        if (!civ_mon_date_span(&d->base, m->freq, &lo, &hi))
            for (size_t t = 0; t < P; t++) {
                int64_t p = m->first + (int64_t)t;
                if (p >= lo && p <= hi && !isnan(s->value[t]))
                    sum += s->value[t], members += s->members[t], n++;
            }
        s->base = n ? sum / (double)n : NAN;
        if (n && d->kind == CIV_MON_COUNT) /* per unit: the target scales with the units of each period */
            s->base /= members / (double)n;
    }
    int misses = 0, open = 0, had_members = 0;
    for (size_t t = 0; t < P; t++) {
        /* closed: a unit from its [[closed]] period on, a roll-up once every unit it had is closed */
        int closed = s->scope ? !s->members[t] && had_members : t >= s->end;
        had_members |= s->members[t] > 0;
        if (closed) { /* not asked to report any more: an open alert ends with the unit, said in its row */
            s->value[t] = s->den[t] = s->target[t] = NAN;
            s->status[t] = CIV_MON_CLOSED;
            s->alert[t] = open ? CIV_MON_ALERT_CLOSED : CIV_MON_ALERT_NONE;
            s->misses[t] = misses = open = 0;
            continue;
        }
        size_t n_units = s->scope ? (size_t)s->members[t] : 1; /* a unit's own target before its first row */
        double target = s->scope && !n_units ? NAN : civ_mon_target_at(m, d, s->base, n_units, m->first + (int64_t)t);
        s->target[t] = target;
        if (isnan(s->value[t]) || isnan(target)) {
            /* neither a miss nor a recovery: the run and an open alert carry on.  Before the
             * series' first row (no member yet) the unit was not asked to report: not_started */
            s->status[t] = !s->members[t] ? CIV_MON_NOT_STARTED : isnan(s->value[t]) ? CIV_MON_NO_DATA
                                                                                     : CIV_MON_NO_TARGET;
            s->alert[t] = open ? CIV_MON_ALERT_CONTINUED : CIV_MON_ALERT_NONE;
        } else if (civ_mon_meets(d, s->value[t], target)) {
            s->status[t] = CIV_MON_MET;
            s->alert[t] = open ? CIV_MON_ALERT_CLEARED : CIV_MON_ALERT_NONE;
            misses = open = 0;
        } else {
            s->status[t] = CIV_MON_MISSED;
            misses++;
            if (misses == d->alert_after)
                s->alert[t] = CIV_MON_ALERT_RAISED, open = 1;
            else
                s->alert[t] = open ? CIV_MON_ALERT_CONTINUED : CIV_MON_ALERT_NONE;
        }
        s->misses[t] = misses;
    }
}

static civ_status index_ids(civ_monitor *m)
{
    if (!(m->ids = calloc(m->n_series + 1, sizeof *m->ids)))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    for (size_t i = 0; i < m->n_series; i++) {
        const civ_mon_series *s = &m->series[i];
        const char *scope = civ_mon_scope_name(m, s->scope), *ind = m->spec->ind[s->ind].id;
        size_t len = strlen(scope) + strlen(s->unit) + strlen(ind) + 3;
        if (!(m->ids[i] = malloc(len)))
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
        civ_snprintf(m->ids[i], len, "%s:%s:%s", scope, s->unit, ind);
        civ_status st = civ_strmap_put(&m->by_id, m->ids[i], i, NULL);
        if (st == CIV_ERR_DUPLICATE) /* a unit named like a roll-up group of the same scope name */
            return civ_fail(CIV_ERR_SPEC, "series id '%s' is ambiguous: give the scope another name than the "
                                          "roll-up columns", m->ids[i]);
        if (st)
            return st;
    }
    return CIV_OK;
}

static civ_status check_target_dates(const civ_monitor *m)
{
    for (size_t i = 0; i < m->spec->n_ind; i++) {
        const civ_mon_indicator *d = &m->spec->ind[i];
        const civ_mon_date *dates[2] = {&d->base, &d->by};
        size_t n = d->target_kind == CIV_MON_PATH ? 2 : d->target_kind == CIV_MON_TABLE ? d->n_steps : 0;
        for (size_t j = 0; j < n; j++) {
            const civ_mon_date *x = d->target_kind == CIV_MON_PATH ? dates[j] : &d->from[j];
            int64_t lo, hi;
            if (civ_mon_date_span(x, m->freq, &lo, &hi)) {
                civ_where w = {.file = m->spec->path, .line = x->line, .column = x->column, .field = d->id};
                return civ_fail_at(CIV_ERR_SPEC, &w, "indicator '%s': a %s target date cannot be placed in %s data",
                                   d->id, x->form == CIV_DATE_MONTH ? "monthly" : "quarterly",
                                   civ_frequency_name(m->freq));
            }
        }
    }
    return CIV_OK;
}

civ_status civ_monitor_run(const civ_monitor_spec *spec, const civ_table *actuals, const char *source,
                           civ_monitor **out)
{
    if (!spec || !actuals || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_monitor_run: NULL argument");
    *out = NULL;
    bind_ctx c;
    memset(&c, 0, sizeof c);
    c.spec = spec, c.t = actuals, c.source = source ? source : "(actuals)";
    c.n_rows = civ_table_n_rows(actuals);
    civ_monitor *m = calloc(1, sizeof *m);
    if (!m)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    m->spec = spec;
    civ_date_form form = 0;
    int64_t lo = 0, hi = 0;
    civ_status st = find_columns(&c);
    if (!st)
        st = read_rows(&c, &form, &lo, &hi);
    if (!st && !c.n_rows) {
        civ_where w = {.file = c.source, .line = 1};
        st = civ_fail_at(CIV_ERR_PARSE, &w, "the actuals have no rows");
    }
    if (!st && hi - lo >= MAX_PERIODS) {
        civ_where w = {.file = c.source, .field = spec->time_column};
        st = civ_fail_at(CIV_ERR_LIMIT, &w, "the actuals span %lld periods (at most %d)", (long long)(hi - lo + 1),
                         MAX_PERIODS);
    }
    if (!st) {
        m->freq = civ_mon_form_freq(form), m->first = lo, m->n_periods = (size_t)(hi - lo + 1);
        st = check_target_dates(m);
    }
    if (!st)
        st = bind_closed(m, &c);
    if (!st)
        st = read_groups(&c);
    if (!st)
        st = build_series(m, &c);
    if (!st && !(m->whole = calloc(spec->n_ind + 1, 1)))
        st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    for (size_t i = 0; !st && i < spec->n_ind; i++) /* a count of whole events: its targets are whole too */
        m->whole[i] = spec->ind[i].kind == CIV_MON_COUNT;
    for (size_t i = 0; !st && i < m->n_series; i++)
        for (size_t t = 0; m->series[i].scope == 0 && t < m->n_periods; t++) {
            double v = m->series[i].value[t];
            if (!isnan(v) && v != floor(v))
                m->whole[m->series[i].ind] = 0;
        }
    for (size_t i = 0; !st && i < m->n_series; i++)
        evaluate(m, &m->series[i]);
    if (!st)
        st = index_ids(m);
    ctx_free(&c);
    if (st) {
        civ_monitor_free(m);
        return st;
    }
    *out = m;
    return CIV_OK;
}

/* ---- output tables ----------------------------------------------------------------- */

static const char *const STATUS_NAMES[] = {"met", "missed", "no_data", "no_target", "not_started", "closed"};
static const char *const ALERT_NAMES[] = {"", "raised", "continued", "cleared", "closed"};

civ_status civ_mon_add_columns(civ_table *t, const char *const *names, const civ_column_type *types, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        civ_status st = civ_table_add_column(t, names[i], types[i], NULL);
        if (st)
            return st;
    }
    return CIV_OK;
}

civ_status civ_monitor_status_table(const civ_monitor *m, civ_table **out)
{
    if (!m || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_monitor_status_table: NULL argument");
    *out = NULL;
    /* "name" (the indicator's name in the spec, for readers) comes last, so
     * that the columns before it keep their places */
    /* "into" and "note" after it: a closed unit's [[closed]] into and note on its closed rows (docs/MONITORING.md,
     * "Units that close"), so the row whose alert ended with its unit says where the unit went and why */
    static const char *const names[] = {"scope", "unit", "indicator", "department", "ds", "actual", "denominator",
                                        "target", "status", "misses", "alert", "name", "into", "note",
                                        "kind", "value_unit"}; /* how a reader shows actual and target: last */
    const civ_column_type T = CIV_COLUMN_TEXT, N = CIV_COLUMN_NUMBER;
    const civ_column_type types[] = {T, T, T, T, T, N, N, N, T, N, T, T, T, T, T, T};
    civ_table *t = NULL;
    size_t P = m->n_periods;
    civ_status st = civ_table_create(&t);
    if (!st)
        st = civ_mon_add_columns(t, names, types, sizeof names / sizeof *names);
    if (!st)
        st = civ_table_add_rows(t, m->n_series * P, NULL);
    for (size_t i = 0, row = 0; !st && i < m->n_series; i++) {
        const civ_mon_series *s = &m->series[i];
        const civ_mon_indicator *d = &m->spec->ind[s->ind];
        const civ_mon_closed *cl = NULL; /* the unit's [[closed]], for its closed rows */
        for (size_t k = 0; !s->scope && s->end < P && k < m->spec->n_closed && !cl; k++)
            if (!strcmp(m->spec->closed[k].unit, s->unit))
                cl = &m->spec->closed[k];
        for (size_t p = 0; !st && p < P; p++, row++) {
            char ds[32];
            civ_period_format(m->freq, 0, m->first + (int64_t)p, ds, sizeof ds);
            st = civ_table_set_text(t, row, 0, civ_mon_scope_name(m, s->scope));
            st = st ? st : civ_table_set_text(t, row, 1, s->unit);
            st = st ? st : civ_table_set_text(t, row, 2, d->id);
            st = st ? st : civ_table_set_text(t, row, 3, d->department);
            st = st ? st : civ_table_set_text(t, row, 4, ds);
            st = st ? st : civ_table_set_number(t, row, 5, s->value[p]);
            st = st ? st : civ_table_set_number(t, row, 6, s->den[p]);
            st = st ? st : civ_table_set_number(t, row, 7, s->target[p]);
            st = st ? st : civ_table_set_text(t, row, 8, STATUS_NAMES[s->status[p]]);
            st = st ? st : civ_table_set_number(t, row, 9, s->misses[p]);
            st = st ? st : civ_table_set_text(t, row, 10, ALERT_NAMES[s->alert[p]]);
            st = st ? st : civ_table_set_text(t, row, 11, d->name ? d->name : "");
            int gone = cl && p >= s->end;
            st = st ? st : civ_table_set_text(t, row, 12, gone && cl->into ? cl->into : "");
            st = st ? st : civ_table_set_text(t, row, 13, gone && cl->note ? cl->note : "");
            st = st ? st : civ_table_set_text(t, row, 14, civ_mon_kind_name(d->kind));
            st = st ? st : civ_table_set_text(t, row, 15, d->unit ? d->unit : "");
        }
    }
    if (st) {
        civ_table_free(t);
        return st;
    }
    *out = t;
    return CIV_OK;
}

static int cmp_alert(const void *ctx, size_t a, size_t b)
{
    const civ_monitor *m = ctx;
    const civ_mon_series *x = &m->series[a], *y = &m->series[b];
    int c = strcmp(m->spec->ind[x->ind].department, m->spec->ind[y->ind].department);
    if (c)
        return c;
    if (x->ind != y->ind)
        return x->ind < y->ind ? -1 : 1;
    return x->scope != y->scope ? (x->scope < y->scope ? -1 : 1) : strcmp(x->unit, y->unit);
}

civ_status civ_monitor_alert_table(const civ_monitor *m, int64_t period, civ_table **out)
{
    if (!m || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_monitor_alert_table: NULL argument");
    *out = NULL;
    if (period == CIV_MONITOR_LATEST)
        period = civ_monitor_last_period(m);
    if (period < m->first || period > civ_monitor_last_period(m)) {
        char lo[32], hi[32], at[32] = "?";
        civ_period_format(m->freq, 0, m->first, lo, sizeof lo);
        civ_period_format(m->freq, 0, civ_monitor_last_period(m), hi, sizeof hi);
        if (civ_period_format(m->freq, 0, period, at, sizeof at))
            civ_snprintf(at, sizeof at, "%lld", (long long)period);
        civ_clear_error();
        return civ_fail(CIV_ERR_DOMAIN, "the alerts of %s (read as a %s period) were asked for, but the actuals "
                                        "span %s .. %s: give one of those periods", at, civ_frequency_name(m->freq),
                        lo, hi);
    }
    size_t p = (size_t)(period - m->first), n = 0;
    size_t *idx = malloc((m->n_series + 1) * sizeof *idx);
    if (!idx)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    for (size_t i = 0; i < m->n_series; i++)
        if (m->series[i].alert[p] == CIV_MON_ALERT_RAISED || m->series[i].alert[p] == CIV_MON_ALERT_CONTINUED)
            idx[n++] = i;
    if (civ_mon_sort(idx, n, cmp_alert, m)) {
        free(idx);
        return CIV_ERR_OUT_OF_MEMORY;
    }
    static const char *const names[] = {"department", "indicator", "name", "scope", "unit", "ds",
                                        "actual", "target", "misses", "since", "alert", "kind", "value_unit"};
    const civ_column_type T = CIV_COLUMN_TEXT, N = CIV_COLUMN_NUMBER;
    const civ_column_type types[] = {T, T, T, T, T, T, N, N, N, T, T, T, T};
    civ_table *t = NULL;
    civ_status st = civ_table_create(&t);
    if (!st)
        st = civ_mon_add_columns(t, names, types, sizeof names / sizeof *names);
    if (!st)
        st = civ_table_add_rows(t, n, NULL);
    for (size_t r = 0; !st && r < n; r++) {
        const civ_mon_series *s = &m->series[idx[r]];
        const civ_mon_indicator *d = &m->spec->ind[s->ind];
        size_t first = p; /* walk back over the run (no-data periods do not break it) */
        for (size_t q = p + 1; q-- > 0;) {
            if (s->status[q] == CIV_MON_MET)
                break;
            if (s->status[q] == CIV_MON_MISSED)
                first = q;
        }
        char ds[32], since[32];
        civ_period_format(m->freq, 0, period, ds, sizeof ds);
        civ_period_format(m->freq, 0, m->first + (int64_t)first, since, sizeof since);
        const char *texts[] = {d->department, d->id, d->name, civ_mon_scope_name(m, s->scope), s->unit, ds};
        for (size_t c = 0; !st && c < 6; c++)
            st = civ_table_set_text(t, r, c, texts[c]);
        st = st ? st : civ_table_set_number(t, r, 6, s->value[p]);
        st = st ? st : civ_table_set_number(t, r, 7, s->target[p]);
        st = st ? st : civ_table_set_number(t, r, 8, s->misses[p]);
        st = st ? st : civ_table_set_text(t, r, 9, since);
        st = st ? st : civ_table_set_text(t, r, 10, ALERT_NAMES[s->alert[p]]);
        st = st ? st : civ_table_set_text(t, r, 11, civ_mon_kind_name(d->kind));
        st = st ? st : civ_table_set_text(t, r, 12, d->unit ? d->unit : "");
    }
    free(idx);
    if (st) {
        civ_table_free(t);
        return st;
    }
    *out = t;
    return CIV_OK;
}

civ_status civ_monitor_panel(const civ_monitor *m, const char *const *scopes, size_t n_scopes, civ_panel **out)
{
    if (!m || !out || (!scopes && n_scopes))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_monitor_panel: NULL argument");
    *out = NULL;
    unsigned char keep[64] = {0};
    size_t n_scope_ids = m->spec->n_rollup + 2;
    if (n_scope_ids > sizeof keep)
        return civ_fail(CIV_ERR_LIMIT, "civ_monitor_panel: too many roll-ups");
    for (size_t k = 0; k < n_scope_ids; k++)
        keep[k] = scopes == NULL;
    for (size_t j = 0; j < n_scopes; j++) {
        int found = 0;
        for (size_t k = 0; k < n_scope_ids; k++)
            if (scopes[j] && !strcmp(scopes[j], civ_mon_scope_name(m, k)))
                keep[k] = 1, found = 1;
        if (!found) { /* the scopes by name (before 2026-12-07 "the units' scope name, the roll-up columns ...") */
            char names[400] = "";
            for (size_t k = 0; k < n_scope_ids; k++)
                civ_snprintf(names + strlen(names), sizeof names - strlen(names), "%s'%.60s'", k ? ", " : "",
                             civ_mon_scope_name(m, k));
            civ_where w = {.field = scopes[j] ? scopes[j] : ""};
            return civ_fail_at(CIV_ERR_NOT_FOUND, &w, "no scope '%s': this indicator file's scopes are %s (its "
                                                      "[monitor] scope, the roll-up columns, and \"city\")",
                               scopes[j] ? scopes[j] : "", names);
        }
    }
    civ_panel *p = NULL;
    civ_status st = civ_panel_create(m->freq, &p);
    for (size_t i = 0; !st && i < m->n_series; i++) /* a series closed at the end has no next period to warn of */
        if (keep[m->series[i].scope] && m->series[i].status[m->n_periods - 1] != CIV_MON_CLOSED)
            st = civ_panel_add_series(p, m->ids[i], m->first, m->series[i].value, m->n_periods, NULL);
    if (st) {
        civ_panel_free(p);
        return st;
    }
    *out = p;
    return CIV_OK;
}
