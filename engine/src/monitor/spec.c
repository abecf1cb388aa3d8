/*
 * spec.c -- layer monitor: reads the indicator file (the io layer's strict
 * TOML subset, like the allocation spec): a [monitor] section and one
 * [[indicator]] per indicator with its kind, direction, department, alert
 * rule and exactly one target form (constant, step table or path), and one
 * [[closed]] per unit closed (merged away) from a period on.
 * docs/MONITORING.md, "The indicator file" and "Units that close".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "monitor.h"
#include "numeric.h"

static void free_indicator(civ_mon_indicator *d)
{
    free(d->id), free(d->name), free(d->unit), free(d->department);
    free(d->from), free(d->values);
}

void civ_monitor_spec_free(civ_monitor_spec *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_ind; i++)
        free_indicator(&s->ind[i]);
    for (size_t i = 0; i < s->n_rollup; i++)
        free(s->rollup[i]);
    for (size_t i = 0; i < s->n_closed; i++)
        free(s->closed[i].unit), free(s->closed[i].into), free(s->closed[i].note);
    free(s->closed);
    free(s->rollup), free(s->ind), free(s->path), free(s->unit_column), free(s->scope);
    free(s->indicator_column), free(s->time_column), free(s->value_column), free(s->denominator_column);
    free(s->text_columns);
    civ_strmap_free(&s->index);
    free(s);
}

size_t civ_monitor_spec_n_indicators(const civ_monitor_spec *s) { return s ? s->n_ind : 0; }

const char *civ_monitor_spec_indicator_id(const civ_monitor_spec *s, size_t k)
{
    return s && k < s->n_ind ? s->ind[k].id : NULL;
}

const char *civ_monitor_spec_scope(const civ_monitor_spec *s) { return s ? s->scope : NULL; }

/* ---- small readers over one TOML table ----------------------------------- */

typedef struct reader {
    const char *path;
    civ_toml_table *t;
    const char *section; /* for messages: "monitor", "indicator 'x'" */
} reader;

static civ_toml_entry *take(reader *r, const char *key)
{
    return civ_toml_take(r->t, key);
}

static civ_status bad(reader *r, const civ_toml_entry *e, const char *what)
{
    civ_where w = {.file = r->path, .line = e->value.line, .column = e->value.column, .field = e->key};
    return civ_fail_at(CIV_ERR_SPEC, &w, "[%s] %s: %s", r->section, e->key, what);
}

static civ_status missing(reader *r, const char *key, const char *hint)
{
    civ_where w = {.file = r->path, .line = r->t->line, .column = r->t->column, .field = key};
    return civ_fail_at(CIV_ERR_SPEC, &w, "[%s]: missing key '%s'%s", r->section, key, hint);
}

static civ_status get_text(reader *r, const char *key, int required, char **out)
{
    civ_toml_entry *e = take(r, key);
    if (!e)
        return required ? missing(r, key, "") : CIV_OK;
    if (e->value.type != CIV_TOML_STRING || !e->value.text[0])
        return bad(r, e, "must be a non-empty string");
    free(*out);
    if (!(*out = strdup(e->value.text)))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    return CIV_OK;
}

static civ_status get_count(reader *r, const char *key, long *out)
{
    civ_toml_entry *e = take(r, key);
    if (!e)
        return CIV_OK;
    if (e->value.type != CIV_TOML_INTEGER || e->value.number < 1 || e->value.number > 1000)
        return bad(r, e, "must be a whole number in 1..1000");
    *out = (long)e->value.number;
    return CIV_OK;
}

static int is_number(const civ_toml_value *v) { return v->type == CIV_TOML_INTEGER || v->type == CIV_TOML_FLOAT; }

/* 1 when v is a percentage with its sign ("95%", "-30%"), its fraction in *out (the double of 0.95).  The sign
 * as a Chinese input method types it, full width ("95％"), and a space before it ("95 %") are the same
 * percentage (before 2026-12-07 both were "must be a number"). */
static int is_percent(const civ_toml_value *v, double *out)
{
    if (v->type != CIV_TOML_STRING || !v->text || strlen(v->text) > 60)
        return 0;
    char t[64];
    size_t n = 0;
    for (const char *p = v->text; *p; p++) {
        if (!strncmp(p, "\xEF\xBC\x85", 3)) /* ％ */
            t[n++] = '%', p += 2;
        else if (*p != ' ' || !(p[1] == '%' || !strncmp(p + 1, "\xEF\xBC\x85", 3)))
            t[n++] = *p;
    }
    t[n] = 0;
    int neg = t[0] == '-';
    double x;
    if (civ_percent_text(t + neg, &x))
        return 0;
    *out = neg ? -x : x;
    return 1;
}

static civ_status parse_date(reader *r, const civ_toml_entry *e, const civ_toml_value *v, civ_mon_date *d)
{
    civ_where w = {.file = r->path, .line = v->line, .column = v->column, .field = e->key};
    if (v->type != CIV_TOML_STRING)
        return civ_fail_at(CIV_ERR_SPEC, &w, "[%s] %s: a date must be a string such as \"2025\", \"2025-Q2\" "
                                             "or \"2025-06\"", r->section, e->key);
    if (civ_date_parse(v->text, strlen(v->text), &d->form, &d->value) || d->form == CIV_DATE_DAY)
        return civ_fail_at(CIV_ERR_SPEC, &w, "[%s] %s: '%s' is not a year, quarter or month (\"2025\", "
                                             "\"2025-Q2\", \"2025-06\")", r->section, e->key, v->text);
    d->line = v->line, d->column = v->column;
    return CIV_OK;
}

static civ_status unknown_keys(reader *r, const char *allowed)
{
    for (size_t i = 0; i < r->t->n_entries; i++)
        if (!r->t->entries[i].used) {
            civ_toml_entry *e = &r->t->entries[i];
            civ_where w = {.file = r->path, .line = e->line, .column = e->column, .field = e->key};
            return civ_fail_at(CIV_ERR_SPEC, &w, "[%s]: unknown key '%s' (allowed: %s)", r->section, e->key,
                               allowed);
        }
    return CIV_OK;
}

/* ---- [monitor] ------------------------------------------------------------ */

/* *name = dflt when the file gave none; 0 when out of memory. */
static int default_name(char **name, const char *dflt) { return *name || (*name = strdup(dflt)) != NULL; }

/* The default column names, the checks between them, and the text columns:
 * the unit, indicator and period columns, the roll-ups and the usual names
 * (unit, street, community, district, indicator, ds), each once. */
static civ_status column_defaults(civ_monitor_spec *s)
{
    if (!default_name(&s->unit_column, "unit") || !default_name(&s->scope, "unit") ||
        !default_name(&s->indicator_column, "indicator") || !default_name(&s->time_column, "ds") ||
        !default_name(&s->value_column, "value") || !default_name(&s->denominator_column, "denominator"))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    const char *own[] = {s->unit_column, s->indicator_column, s->time_column, s->value_column, s->denominator_column};
    for (size_t i = 0; i < 5; i++)
        for (size_t j = i + 1; j < 5; j++)
            if (!strcmp(own[i], own[j])) {
                civ_where w = {.file = s->path, .field = own[i]};
                return civ_fail_at(CIV_ERR_SPEC, &w, "[monitor] names the column '%s' for two roles (unit, indicator, "
                                                     "time, value, denominator): each needs its own", own[i]);
            }
    enum { USUAL = 6 };
    static const char *const usual[USUAL] = {"unit", "street", "community", "district", "indicator", "ds"};
    const char *want[3 + USUAL] = {s->unit_column, s->indicator_column, s->time_column};
    size_t nw = 3, n = 0;
    for (size_t k = 0; k < USUAL; k++)
        want[nw++] = usual[k];
    if (!(s->text_columns = calloc(nw + s->n_rollup + 1, sizeof *s->text_columns)))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    for (size_t k = 0; k < nw + s->n_rollup; k++) {
        const char *c = k < nw ? want[k] : s->rollup[k - nw];
        int seen = 0;
        for (size_t j = 0; j < n; j++)
            seen |= !strcmp(s->text_columns[j], c);
        if (!seen)
            s->text_columns[n++] = c;
    }
    return CIV_OK;
}

const char *const *civ_monitor_spec_text_columns(const civ_monitor_spec *spec)
{
    return spec ? spec->text_columns : NULL;
}

static civ_status read_monitor_section(civ_monitor_spec *s, civ_toml_table *t)
{
    reader r = {s->path, t, "monitor"};
    civ_status st;
    if ((st = get_count(&r, "alert_after", &s->alert_after)) ||
        (st = get_text(&r, "unit_column", 0, &s->unit_column)) ||
        (st = get_text(&r, "indicator_column", 0, &s->indicator_column)) ||
        (st = get_text(&r, "time_column", 0, &s->time_column)) ||
        (st = get_text(&r, "value_column", 0, &s->value_column)) ||
        (st = get_text(&r, "denominator_column", 0, &s->denominator_column)) ||
        (st = get_text(&r, "scope", 0, &s->scope)))
        return st;
    for (size_t i = 0; i < t->n_entries; i++) /* the total's scope is "city": the units' rows would be its */
        if (!strcmp(t->entries[i].key, "scope") && !strcmp(s->scope, "city"))
            return bad(&r, &t->entries[i], "\"city\" is the scope of the city total's rows: name the units' "
                                            "scope otherwise (\"street\", \"community\")");
    civ_toml_entry *e = take(&r, "rollup");
    if (e) {
        if (e->value.type != CIV_TOML_ARRAY)
            return bad(&r, e, "must be an array of column names, e.g. [\"street\", \"district\"]");
        if (!(s->rollup = calloc(e->value.n_items + 1, sizeof *s->rollup)))
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
        for (size_t i = 0; i < e->value.n_items; i++) {
            const civ_toml_value *v = &e->value.items[i];
            if (v->type != CIV_TOML_STRING || !v->text[0] || !strcmp(v->text, "city"))
                return bad(&r, e, "each item must be a column name (and not \"city\", the total)");
            for (size_t j = 0; j < s->n_rollup; j++)
                if (!strcmp(s->rollup[j], v->text))
                    return bad(&r, e, "a column is named twice");
            if (!(s->rollup[s->n_rollup++] = strdup(v->text)))
                return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
        }
    }
    return unknown_keys(&r, "alert_after, unit_column, indicator_column, time_column, value_column, "
                            "denominator_column, scope, rollup");
}

/* ---- [[indicator]] ---------------------------------------------------------- */

static civ_status read_choice(reader *r, const char *key, const char *a, const char *b, const char *c, int *out)
{
    civ_toml_entry *e = take(r, key);
    if (!e)
        return CIV_OK;
    const char *v = e->value.type == CIV_TOML_STRING ? e->value.text : "";
    if (!strcmp(v, a))
        *out = 1;
    else if (!strcmp(v, b))
        *out = 2;
    else if (c && !strcmp(v, c))
        *out = 3;
    else {
        char msg[200];
        civ_snprintf(msg, sizeof msg, "must be \"%s\" or \"%s\"%s%s%s", a, b, c ? " or \"" : "", c ? c : "",
                     c ? "\"" : "");
        return bad(r, e, msg);
    }
    return CIV_OK;
}

static civ_status check_rate_target(reader *r, const civ_mon_indicator *d, const civ_toml_entry *e, double v)
{
    if (!isfinite(v))
        return bad(r, e, "must be a finite number");
    if (d->kind == CIV_MON_RATE && (v < 0 || v > 1))
        return bad(r, e, "a rate target is a fraction in [0, 1] (write 0.95 or \"95%\" for 95%)");
    if (d->kind == CIV_MON_COUNT && v < 0)
        return bad(r, e, "a count target must be >= 0");
    return CIV_OK;
}

static civ_status read_table_target(reader *r, civ_mon_indicator *d, civ_toml_entry *ef, civ_toml_entry *ev)
{
    if (!ef || !ev)
        return ef ? missing(r, "target_values", " (one number per target_from date)")
                  : missing(r, "target_from", " (one date per target_values number)");
    if (ef->value.type != CIV_TOML_ARRAY || !ef->value.n_items)
        return bad(r, ef, "must be a non-empty array of dates");
    if (ev->value.type != CIV_TOML_ARRAY || ev->value.n_items != ef->value.n_items)
        return bad(r, ev, "must be an array with one number per target_from date");
    size_t n = ef->value.n_items;
    if (!(d->from = calloc(n, sizeof *d->from)) || !(d->values = calloc(n, sizeof *d->values)))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    d->n_steps = n;
    civ_status st;
    for (size_t i = 0; i < n; i++) {
        if ((st = parse_date(r, ef, &ef->value.items[i], &d->from[i])))
            return st;
        if (i && (d->from[i].form != d->from[0].form || d->from[i].value <= d->from[i - 1].value))
            return bad(r, ef, "dates must be of one form and increasing");
        const civ_toml_value *item = &ev->value.items[i];
        if (is_number(item))
            d->values[i] = item->number;
        else if (!is_percent(item, &d->values[i]))
            return bad(r, ev, "every item must be a number (a rate's may be a percentage, \"95%\")");
        else if (d->kind != CIV_MON_RATE)
            return bad(r, ev, "a percentage is a rate's target: a count's or a level's is a plain number");
        if ((st = check_rate_target(r, d, ev, d->values[i])))
            return st;
    }
    d->target_kind = CIV_MON_TABLE;
    return CIV_OK;
}

static civ_status read_path_target(reader *r, civ_mon_indicator *d, civ_toml_entry *ec)
{
    civ_toml_entry *eb = take(r, "base"), *ey = take(r, "by");
    if (!eb)
        return missing(r, "base", " (the base period of target_change, e.g. \"2023\")");
    if (!ey)
        return missing(r, "by", " (the period the change is due, e.g. \"2025\")");
    double change = ec->value.number;
    if ((!is_number(&ec->value) && !is_percent(&ec->value, &change)) || !isfinite(change) || change < -1 ||
        change > 10)
        return bad(r, ec, "must be a relative change in [-1, 10], e.g. -0.30 or \"-30%\" for -30%");
    d->change = change;
    civ_status st;
    if ((st = parse_date(r, eb, &eb->value, &d->base)) || (st = parse_date(r, ey, &ey->value, &d->by)))
        return st;
    /* compare on the finest common scale: months */
    int64_t b_lo = 0, b_hi = 0, y_lo = 0, y_hi = 0;
    civ_mon_date_span(&d->base, CIV_FREQ_MONTHLY, &b_lo, &b_hi);
    civ_mon_date_span(&d->by, CIV_FREQ_MONTHLY, &y_lo, &y_hi);
    if (y_hi <= b_hi)
        return bad(r, ey, "must end after the base period");
    d->target_kind = CIV_MON_PATH;
    return CIV_OK;
}

static civ_status read_indicator(civ_monitor_spec *s, civ_toml_table *t, civ_mon_indicator *d)
{
    char section[160];
    civ_snprintf(section, sizeof section, "indicator");
    reader r = {s->path, t, section};
    d->line = t->line, d->column = t->column;
    civ_status st;
    if ((st = get_text(&r, "id", 1, &d->id)))
        return st;
    civ_snprintf(section, sizeof section, "indicator '%.100s'", d->id);
    for (const char *p = d->id; *p; p++)
        if (*p == ':' || (unsigned char)*p <= ' ')
            return bad(&r, take(&r, "id"), "must not contain ':' or spaces (it is part of series ids)");
    int kind = CIV_MON_RATE, better = 1;
    d->alert_after = s->alert_after;
    if ((st = get_text(&r, "name", 0, &d->name)) || (st = get_text(&r, "unit", 0, &d->unit)) ||
        (st = get_text(&r, "department", 1, &d->department)) ||
        (st = read_choice(&r, "kind", "rate", "count", "level", &kind)) ||
        (st = read_choice(&r, "better", "higher", "lower", NULL, &better)) ||
        (st = get_count(&r, "alert_after", &d->alert_after)))
        return st;
    d->kind = (civ_mon_kind)kind;
    d->lower_better = better == 2;
    if ((!d->name && !(d->name = strdup(d->id))) || (!d->unit && !(d->unit = strdup(""))))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    civ_toml_entry *ec = take(&r, "target"), *ef = take(&r, "target_from"), *ev = take(&r, "target_values"),
                   *ep = take(&r, "target_change");
    int forms = (ec != NULL) + (ef || ev) + (ep != NULL);
    if (forms == 0)
        return missing(&r, "target", " (give target = value, target_from + target_values, or target_change "
                                     "+ base + by)");
    if (forms > 1) {
        civ_toml_entry *second = ep ? ep : ef ? ef : ev;
        return bad(&r, second, "an indicator has one target form: target, target_from/target_values or "
                               "target_change/base/by");
    }
    if (ec) {
        d->target = ec->value.number;
        if (!is_number(&ec->value) && !is_percent(&ec->value, &d->target))
            return bad(&r, ec, "must be a number (a rate's may be a percentage, \"95%\")");
        if (!is_number(&ec->value) && d->kind != CIV_MON_RATE)
            return bad(&r, ec, "a percentage is a rate's target: a count's or a level's is a plain number");
        d->target_kind = CIV_MON_CONSTANT;
        if ((st = check_rate_target(&r, d, ec, d->target)))
            return st;
    } else if (ep) {
        if ((st = read_path_target(&r, d, ep)))
            return st;
    } else if ((st = read_table_target(&r, d, ef, ev))) {
        return st;
    }
    return unknown_keys(&r, "id, name, unit, kind, better, department, alert_after, target, target_from, "
                            "target_values, target_change, base, by");
}

/* A [[closed]] table: unit (required), from (required: the first period it no longer exists), into and note
 * (optional).  Whether the unit and into are units of the actuals is checked when the spec is bound to them
 * (status.c), the only place that knows the units. */
static civ_status read_closed(civ_monitor_spec *s, civ_toml_table *t, civ_mon_closed *d)
{
    reader r = {s->path, t, "closed"};
    civ_status st;
    if ((st = get_text(&r, "unit", 1, &d->unit)))
        return st;
    civ_toml_entry *eu = take(&r, "unit");
    d->line = eu->value.line, d->column = eu->value.column;
    civ_toml_entry *ef = take(&r, "from");
    if (!ef)
        return missing(&r, "from", " (the first period the unit no longer exists, e.g. \"2024-07\")");
    if ((st = parse_date(&r, ef, &ef->value, &d->from)) || (st = get_text(&r, "into", 0, &d->into)) ||
        (st = get_text(&r, "note", 0, &d->note)))
        return st;
    civ_toml_entry *ei = take(&r, "into");
    if (ei) {
        d->into_line = ei->value.line, d->into_column = ei->value.column;
        if (!strcmp(d->into, d->unit))
            return bad(&r, ei, "names the closed unit itself: give the unit it was merged into, or leave into out");
    }
    for (civ_mon_closed *o = s->closed; o < d; o++)
        if (!strcmp(o->unit, d->unit)) {
            civ_where w = {.file = s->path, .line = d->line, .column = d->column, .field = "unit"};
            return civ_fail_at(CIV_ERR_SPEC, &w, "[closed] unit '%s' is closed twice (first at line %ld): keep one "
                                                 "[[closed]] per unit", d->unit, o->line);
        }
    return unknown_keys(&r, "unit, from, into, note");
}

static civ_status build(civ_monitor_spec *s, civ_toml_doc *doc)
{
    civ_status st;
    size_t n = 0, n_closed = 0;
    for (size_t i = 1; i < doc->n_tables; i++) {
        civ_toml_table *t = &doc->tables[i];
        civ_where w = {.file = s->path, .line = t->line, .column = t->column, .field = t->name};
        if (!strcmp(t->name, "closed")) {
            if (!t->is_array)
                return civ_fail_at(CIV_ERR_SPEC, &w, "write [[closed]] (one table per closed unit), not [closed]");
            n_closed++;
            continue;
        }
        if (!strcmp(t->name, "monitor") && !t->is_array) {
            if ((st = read_monitor_section(s, t)))
                return st;
        } else if (!strcmp(t->name, "indicator") && t->is_array) {
            n++;
        } else if (!strcmp(t->name, "indicator") || !strcmp(t->name, "monitor")) {
            return civ_fail_at(CIV_ERR_SPEC, &w, "write [monitor] once and [[indicator]] for each indicator");
        } else {
            return civ_fail_at(CIV_ERR_SPEC, &w, "unknown section [%s] (allowed: [monitor], [[indicator]], "
                                                 "[[closed]])", t->name);
        }
    }
    if (doc->tables[0].n_entries) {
        civ_toml_entry *e = &doc->tables[0].entries[0];
        civ_where w = {.file = s->path, .line = e->line, .column = e->column, .field = e->key};
        return civ_fail_at(CIV_ERR_SPEC, &w, "key '%s' outside a section ([monitor], [[indicator]] or [[closed]])",
                           e->key);
    }
    if (!n) {
        civ_where w = {.file = s->path, .line = 1, .column = 1, .field = "indicator"};
        return civ_fail_at(CIV_ERR_SPEC, &w, "no [[indicator]] section");
    }
    if (!(s->ind = calloc(n, sizeof *s->ind)))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    for (size_t i = 1; i < doc->n_tables; i++) {
        civ_toml_table *t = &doc->tables[i];
        if (strcmp(t->name, "indicator"))
            continue;
        civ_mon_indicator *d = &s->ind[s->n_ind++];
        if ((st = read_indicator(s, t, d)))
            return st;
        size_t prev;
        st = civ_strmap_put(&s->index, d->id, s->n_ind - 1, &prev);
        if (st == CIV_ERR_DUPLICATE) {
            civ_where w = {.file = s->path, .line = t->line, .column = t->column, .field = "id"};
            return civ_fail_at(CIV_ERR_SPEC, &w, "indicator '%s' is defined twice (first at line %ld)", d->id,
                               s->ind[prev].line);
        }
        if (st)
            return st;
    }
    if (n_closed && !(s->closed = calloc(n_closed, sizeof *s->closed)))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    for (size_t i = 1; i < doc->n_tables; i++)
        if (!strcmp(doc->tables[i].name, "closed") && (st = read_closed(s, &doc->tables[i], &s->closed[s->n_closed++])))
            return st;
    return CIV_OK;
}

civ_status civ_monitor_spec_parse(const char *text, size_t len, const char *name, civ_monitor_spec **out)
{
    if (!text || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_monitor_spec_parse: NULL argument");
    *out = NULL;
    civ_monitor_spec *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(name ? name : "(indicators)"))) {
        free(s);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    }
    s->alert_after = 2;
    civ_toml_doc doc;
    memset(&doc, 0, sizeof doc);
    civ_status st = civ_toml_parse(text, len, s->path, &doc);
    if (!st)
        st = build(s, &doc);
    civ_toml_free(&doc);
    if (!st)
        st = column_defaults(s);
    if (st) {
        civ_monitor_spec_free(s);
        return st;
    }
    *out = s;
    return CIV_OK;
}

civ_status civ_monitor_spec_read(const char *path, civ_monitor_spec **out)
{
    if (!path || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_monitor_spec_read: NULL argument");
    *out = NULL;
    char *buf = NULL;
    size_t len = 0;
    civ_status st = civ_toml_read_text(path, "indicator file", &buf, &len);
    if (st)
        return st;
    st = civ_monitor_spec_parse(buf, len, path, out);
    free(buf);
    return st;
}

/* ---- dates and targets ------------------------------------------------------ */

civ_frequency civ_mon_form_freq(civ_date_form form)
{
    return form == CIV_DATE_YEAR ? CIV_FREQ_YEARLY : form == CIV_DATE_QUARTER ? CIV_FREQ_QUARTERLY
                                                 : form == CIV_DATE_MONTH   ? CIV_FREQ_MONTHLY
                                                                            : CIV_FREQ_UNKNOWN;
}

int civ_mon_date_span(const civ_mon_date *d, civ_frequency freq, int64_t *lo, int64_t *hi)
{
    int64_t v = d->value;
    switch (d->form) {
    case CIV_DATE_YEAR:
        if (freq == CIV_FREQ_YEARLY)
            *lo = *hi = v;
        else if (freq == CIV_FREQ_QUARTERLY)
            *lo = 4 * v, *hi = 4 * v + 3;
        else if (freq == CIV_FREQ_MONTHLY)
            *lo = 12 * v, *hi = 12 * v + 11;
        else
            return -1;
        return 0;
    case CIV_DATE_QUARTER:
        if (freq == CIV_FREQ_QUARTERLY)
            *lo = *hi = v;
        else if (freq == CIV_FREQ_MONTHLY)
            *lo = 3 * v, *hi = 3 * v + 2; /* quarter 4y+q starts in month 12y+3q */
        else
            return -1;
        return 0;
    case CIV_DATE_MONTH:
        if (freq != CIV_FREQ_MONTHLY)
            return -1;
        *lo = *hi = v;
        return 0;
    default:
        return -1;
    }
}

int civ_mon_meets(const civ_mon_indicator *ind, double actual, double target)
{
    double eps = 1e-9 * fmax(1.0, fabs(target));
    return ind->lower_better ? actual <= target + eps : actual >= target - eps;
}

/* A count of whole events is judged against the whole number of events its target allows, rounded in the
 * lenient direction (lower is better: up, 0.7 accidents allow 1; higher: down): a fractional target such as 0.7
 * a month was met only by 0, so a rare count's path was judged month by month on noise (docs/MONITORING.md,
 * "Count targets"). */
static double whole_count(const civ_monitor *m, const civ_mon_indicator *ind, double v)
{
    /* only a count whose reported values are all whole: counts per 1,000 people keep their fractions */
    if (ind->kind != CIV_MON_COUNT || !isfinite(v) || !m->whole || !m->whole[ind - m->spec->ind])
        return v;
    double eps = 1e-9 * fmax(1.0, fabs(v));
    return ind->lower_better ? ceil(v - eps) : floor(v + eps);
}

static double target_at(const civ_monitor *m, const civ_mon_indicator *ind, double base, size_t n_units, int64_t t);

double civ_mon_target_at(const civ_monitor *m, const civ_mon_indicator *ind, double base, size_t n_units, int64_t t)
{
    return whole_count(m, ind, target_at(m, ind, base, n_units, t));
}

static double target_at(const civ_monitor *m, const civ_mon_indicator *ind, double base, size_t n_units, int64_t t)
{
    /* counts are summed in roll-ups, so a per-unit constant or table target
     * scales with the units aggregated in the period, and so does a count
     * roll-up's path, whose base is per unit (a unit added later counts at the
     * average base of the units of the base period) */
    double scale = ind->kind == CIV_MON_COUNT ? (double)n_units : 1.0;
    int64_t lo, hi;
    switch (ind->target_kind) {
    case CIV_MON_CONSTANT:
        return ind->target * scale;
    case CIV_MON_TABLE: {
        double v = NAN;
        for (size_t i = 0; i < ind->n_steps; i++) {
            if (civ_mon_date_span(&ind->from[i], m->freq, &lo, &hi))
                return NAN;
            if (lo <= t)
                v = ind->values[i] * scale;
        }
        return v;
    }
    case CIV_MON_PATH: {
        int64_t b_lo, b_hi, y_lo, y_hi;
        if (!isfinite(base) || civ_mon_date_span(&ind->base, m->freq, &b_lo, &b_hi) ||
            civ_mon_date_span(&ind->by, m->freq, &y_lo, &y_hi))
            return NAN;
        if (t <= b_hi) /* the base period is what the path is measured against */
            return NAN;
        double f = t >= y_hi ? 1.0 : (double)(t - b_hi) / (double)(y_hi - b_hi);
        return base * scale * (1.0 + ind->change * f);
    }
    }
    return NAN;
}
