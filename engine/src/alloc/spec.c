/*
 * spec.c -- alloc layer: the allocation specification, from the TOML subset
 * (io/toml.c) to a validated civ_alloc_spec.
 *
 * Every key is declared here with its type; unknown keys, missing required
 * keys, out-of-range values and inconsistent sections (weights that do not
 * sum to 1, a pool naming an unknown formula, floors above caps) are errors
 * that name file:line:column and the key.  The budget split (reserves, then
 * pools) depends only on the spec, so it is done here, exactly, in integer
 * minor units (largest remainder; docs/ALLOCATION.md "Budget").
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "c_locale.h"
#include "numeric.h"
#include "text.h"

static civ_status resolve_last_year_file(civ_alloc_spec *s);

#define WEIGHT_TOL 1e-9

typedef struct ctx {
    const char *path;
    civ_toml_table *t;
    char section[80]; /* "[budget]" or "[[pool]] #2" for messages */
} ctx;

static civ_status fail_entry(const ctx *c, civ_status st, const civ_toml_entry *e, const char *fmt, ...)
    CIV_PRINTF(4, 5);

static civ_status fail_entry(const ctx *c, civ_status st, const civ_toml_entry *e, const char *fmt, ...)
{
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    civ_vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    civ_where w = {.file = c->path,
                   .line = e ? e->value.line : c->t->line,
                   .column = e ? e->value.column : c->t->column,
                   .field = e ? e->key : NULL};
    return civ_fail_at(st, &w, "%s: %s", c->section, msg);
}

static civ_toml_entry *find(const ctx *c, const char *key)
{
    return civ_toml_take(c->t, key);
}

static civ_status missing(const ctx *c, const char *key)
{
    for (size_t i = 0; i < c->t->n_entries; i++) { /* "multipler = 1.2": a typo of the key, said at its line */
        const civ_toml_entry *e = &c->t->entries[i];
        if (!e->used && strcmp(e->key, key) && civ_text_distance(e->key, key, 3, 0) <= 2) {
            civ_where w = {.file = c->path, .line = e->value.line, .column = e->value.column, .field = e->key};
            return civ_fail_at(CIV_ERR_SPEC, &w, "%s: missing required key '%s'; '%s' here is not a key: a typo of "
                               "'%s'?", c->section, key, e->key, key);
        }
    }
    civ_where w = {.file = c->path, .line = c->t->line, .column = c->t->column, .field = key};
    return civ_fail_at(CIV_ERR_SPEC, &w, "%s: missing required key '%s'", c->section, key);
}

static const char *type_name(civ_toml_type t)
{
    switch (t) {
    case CIV_TOML_STRING: return "a string";
    case CIV_TOML_INTEGER: return "an integer";
    case CIV_TOML_FLOAT: return "a decimal number";
    case CIV_TOML_BOOL: return "a boolean";
    default: return "an array";
    }
}

static civ_status get_string(const ctx *c, const char *key, int required, char **out, civ_alloc_loc *loc)
{
    civ_toml_entry *e = find(c, key);
    if (!e)
        return required ? missing(c, key) : CIV_OK;
    if (e->value.type != CIV_TOML_STRING)
        return fail_entry(c, CIV_ERR_SPEC, e, "'%s' must be a string, not %s", key, type_name(e->value.type));
    if (!e->value.text[0])
        return fail_entry(c, CIV_ERR_SPEC, e, "'%s' must not be empty", key);
    free(*out);
    *out = strdup(e->value.text);
    if (!*out)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading the spec");
    if (loc)
        loc->line = e->value.line, loc->column = e->value.column;
    return CIV_OK;
}

/* An array of distinct non-empty strings (at most CIV_ALLOC_MAX_LABELS). */
static civ_status get_string_array(const ctx *c, const char *key, char ***out, size_t *n, civ_alloc_loc *loc)
{
    civ_toml_entry *e = find(c, key);
    if (!e)
        return CIV_OK;
    if (e->value.type != CIV_TOML_ARRAY)
        return fail_entry(c, CIV_ERR_SPEC, e, "'%s' must be an array of strings, not %s", key,
                          type_name(e->value.type));
    if (e->value.n_items > CIV_ALLOC_MAX_LABELS)
        return fail_entry(c, CIV_ERR_LIMIT, e, "'%s' has more than %d columns", key, CIV_ALLOC_MAX_LABELS);
    if (!(*out = calloc(e->value.n_items + 1, sizeof **out)))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading the spec");
    for (size_t i = 0; i < e->value.n_items; i++) {
        const civ_toml_value *v = &e->value.items[i];
        if (v->type != CIV_TOML_STRING || !v->text[0])
            return fail_entry(c, CIV_ERR_SPEC, e, "'%s' item %zu must be a non-empty string", key, i + 1);
        for (size_t j = 0; j < i; j++)
            if (!strcmp((*out)[j], v->text))
                return fail_entry(c, CIV_ERR_SPEC, e, "'%s' names column '%s' twice", key, v->text);
        if (!((*out)[i] = strdup(v->text)))
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading the spec");
        (*n)++;
    }
    if (loc)
        loc->line = e->value.line, loc->column = e->value.column;
    return CIV_OK;
}

/* 1 when a string is a plain percentage ("5%", "12.5%"). */
static int percent_text(const char *t)
{
    size_t n = strlen(t), digits = 0;
    if (n < 2 || t[n - 1] != '%')
        return 0;
    for (size_t i = 0; i + 1 < n; i++) {
        if (t[i] >= '0' && t[i] <= '9')
            digits++;
        else if (t[i] != '.')
            return 0;
    }
    return digits > 0;
}

/* "0.05" for "5%" (static text, for one message). */
static const char *percent_as_fraction(const char *t)
{
    static _Thread_local char out[40];
    civ_snprintf(out, sizeof out, "%.15g", civ_strtod(t, NULL) / 100);
    return out;
}

/* A number in [lo, hi] (hi may be INFINITY); *present = 0 when absent. */
static civ_status get_number(const ctx *c, const char *key, int required, double lo, double hi, double *out,
                             civ_alloc_loc *loc)
{
    civ_toml_entry *e = find(c, key);
    if (!e)
        return required ? missing(c, key) : CIV_OK;
    if (e->value.type != CIV_TOML_INTEGER && e->value.type != CIV_TOML_FLOAT)
        return fail_entry(c, CIV_ERR_SPEC, e, "'%s' must be a number, not %s", key, type_name(e->value.type));
    double v = e->value.number;
    if (!(v >= lo && v <= hi))
        return fail_entry(c, CIV_ERR_SPEC, e, "'%s' = %s is out of range [%g, %g]", key, e->value.text, lo, hi);
    *out = v;
    if (loc)
        loc->line = e->value.line, loc->column = e->value.column;
    return CIV_OK;
}

/* A threshold in the attribute's units (a tilt's above .. at_most, a pool's eligible_min / _max), refused as a
 * string like any number, and when the string is a percentage ("25%") with the two ways it is written: the
 * attribute's units decide, which only the data tell (the binding checks them). */
static civ_status get_threshold(const ctx *c, const char *key, double *out, civ_alloc_loc *loc)
{
    civ_toml_entry *e = find(c, key);
    if (e && e->value.type == CIV_TOML_STRING && percent_text(e->value.text))
        return fail_entry(c, CIV_ERR_SPEC, e, "'%s' must be a number in the attribute's units, not a string: write "
                          "%s for %s if the attribute holds fractions (0.31), %.15g if it holds percentages (31)",
                          key, percent_as_fraction(e->value.text), e->value.text, civ_strtod(e->value.text, NULL));
    return get_number(c, key, 0, -INFINITY, INFINITY, out, loc);
}

/* A tilt's multiplier, a ratio: "+20%" or "20%" written for it gets the ratio that is meant (1.2). */
static civ_status get_multiplier(const ctx *c, double *out)
{
    civ_toml_entry *e = find(c, "multiplier");
    const char *t = e && e->value.type == CIV_TOML_STRING ? e->value.text : NULL;
    double ratio = t ? 1 + (*t == '-' ? -1 : 1) * civ_strtod(t + (*t == '+' || *t == '-'), NULL) / 100 : 0;
    if (t && percent_text(t + (*t == '+' || *t == '-')) && ratio > 0)
        return fail_entry(c, CIV_ERR_SPEC, e, "'multiplier' must be a number, not a string: it multiplies the score, "
                          "so %s%s is written %.15g", *t == '-' ? "" : "+", t + (*t == '+'), ratio);
    return get_number(c, "multiplier", 1, 1e-6, 1e6, out, NULL);
}

/* A fraction key (a share, cap_share, a weight, hold_harmless) written as a
 * percentage: a value in (hi, 100] ("share = 3" for 3%) is out of range like
 * any other, and the message adds the cure ("write 0.03 for 3%"); `note`,
 * when given, says why (a formula's weights sum to 1). */
static civ_status get_fraction(const ctx *c, const char *key, int required, double lo, double hi, double *out,
                               civ_alloc_loc *loc, const char *note)
{
    civ_toml_entry *e = find(c, key);
    if (e && (e->value.type == CIV_TOML_INTEGER || e->value.type == CIV_TOML_FLOAT) && e->value.number > hi &&
        e->value.number <= 100)
        return fail_entry(c, CIV_ERR_SPEC, e, "'%s' = %s is out of range [%g, %g]: a percentage? write %g for %g%%%s",
                          key, e->value.text, lo, hi, e->value.number / 100, e->value.number, note ? note : "");
    if (e && e->value.type == CIV_TOML_STRING && percent_text(e->value.text)) /* share = "5%" */
        return fail_entry(c, CIV_ERR_SPEC, e, "'%s' must be a number, not a string: a percentage? write %s for %s",
                          key, percent_as_fraction(e->value.text), e->value.text);
    return get_number(c, key, required, lo, hi, out, loc);
}

void civ_alloc_rate_cure(const char *key, double v, double max_pct, char *buf, size_t size)
{
    if (v < 100 && 100 * v <= max_pct)
        civ_snprintf(buf, size, "a percentage? write %g for %g%%; a rate of 100%% or more is written with its percent "
                     "sign, %s = \"%g%%\"", v / 100, v, key, 100 * v);
    else if (v < 100)
        civ_snprintf(buf, size, "a percentage? write %g for %g%%", v / 100, v);
    else if (v <= max_pct)
        civ_snprintf(buf, size, "a percentage? write %s = \"%g%%\" (a rate of 100%% or more is written with its "
                     "percent sign)", key, v);
    else
        civ_snprintf(buf, size, "write a fraction below 1 (0.20 for 20%%) or a percentage with its sign, at most "
                     "%s = \"%g%%\"", key, max_pct);
}

/* [[formula]] pace: the fraction q of "at most (1 + q) x last year".  A
 * plain number q >= 1 (a limit of doubling or more) is refused as a
 * percentage written for a fraction: "pace = 15" meant +15% and would allow
 * +1500%.  A limit of +100% or more, when meant, is written with its unit,
 * pace = "150%"; any q in [0, 100] may be written so ("20%" is 0.20). */
static civ_status get_pace(const ctx *c, double *out)
{
    civ_toml_entry *e = find(c, "pace");
    if (!e)
        return CIV_OK;
    if (e->value.type == CIV_TOML_STRING) {
        double q;
        if (civ_percent_text(e->value.text, &q) || !(q <= 100))
            return fail_entry(c, CIV_ERR_SPEC, e,
                              "'pace' = \"%s\" is not a percentage in 0%%..10000%%: write the fraction (0.20 for "
                              "at most +20%% over last year) or the percentage with its sign (\"20%%\")",
                              e->value.text);
        *out = q;
        return CIV_OK;
    }
    if ((e->value.type == CIV_TOML_INTEGER || e->value.type == CIV_TOML_FLOAT) && e->value.number >= 1) {
        char cure[300];
        civ_alloc_rate_cure("pace", e->value.number, 10000, cure, sizeof cure);
        return fail_entry(c, CIV_ERR_SPEC, e,
                          "'pace' = %s would allow up to +%.15g%% over last year (%.15g x last year): %s",
                          e->value.text, 100 * e->value.number, 1 + e->value.number, cure);
    }
    return get_number(c, "pace", 0, 0, 1, out, NULL);
}

static civ_status get_integer(const ctx *c, const char *key, int required, long lo, long hi, long *out)
{
    civ_toml_entry *e = find(c, key);
    if (!e)
        return required ? missing(c, key) : CIV_OK;
    if (e->value.type != CIV_TOML_INTEGER)
        return fail_entry(c, CIV_ERR_SPEC, e, "'%s' must be an integer, not %s", key, type_name(e->value.type));
    double v = e->value.number;
    if (!(v >= (double)lo && v <= (double)hi))
        return fail_entry(c, CIV_ERR_SPEC, e, "'%s' = %s is out of range [%ld, %ld]", key, e->value.text, lo, hi);
    *out = (long)v;
    return CIV_OK;
}

/* The error for an amount beyond the exact range (CIV_ALLOC_MAX_MONEY). */
static civ_status money_range(const char *text, int minor_digits, const civ_where *where)
{
    char lim[64];
    civ_alloc_format_major(CIV_ALLOC_MAX_MONEY, minor_digits, lim, sizeof lim);
    return civ_fail_at(CIV_ERR_SPEC, where,
                       "money amount '%s' is beyond the exact range: at most %s major units (2^53 = %lld minor "
                       "units, where every amount, sum and output column is exact to the unit)",
                       text, lim, (long long)CIV_ALLOC_MAX_MONEY);
}

civ_status civ_alloc_parse_money(const char *text, int minor_digits, int64_t *out, const civ_where *where)
{
    const char *p = text;
    int64_t whole = 0, frac = 0;
    int nd = 0, nf = 0;
    if (*p == '+')
        p++;
    if (*p == '-')
        return civ_fail_at(CIV_ERR_SPEC, where, "money amount '%s' must not be negative", text);
    for (; *p >= '0' && *p <= '9'; p++, nd++) {
        if (whole > CIV_ALLOC_MAX_MONEY)
            return money_range(text, minor_digits, where);
        whole = whole * 10 + (*p - '0');
    }
    if (*p == '.') {
        p++;
        for (; *p >= '0' && *p <= '9'; p++) {
            if (nf < minor_digits) {
                frac = frac * 10 + (*p - '0');
                nf++;
            } else if (*p != '0') {
                return civ_fail_at(CIV_ERR_SPEC, where,
                                   "money amount '%s' has more decimals than the minor unit allows (%d)", text,
                                   minor_digits);
            }
        }
    }
    if (*p || nd == 0)
        return civ_fail_at(CIV_ERR_SPEC, where, "malformed money amount '%s' (write yuan as 1234.56, no exponent%s)",
                           text,
                           strchr(text, ',') || strstr(text, "\xEF\xBC\x8C")
                               ? ", no thousands separators: 1234.56 or 1_234.56"
                           : strstr(text, "\xC2\xA5") || strstr(text, "\xEF\xBF\xA5") || strstr(text, "\xE5\x85\x83")
                               ? ", no currency sign or unit: the amount is in major units (yuan)"
                               : "");
    for (; nf < minor_digits; nf++)
        frac *= 10;
    int64_t scale = 1;
    for (int i = 0; i < minor_digits; i++)
        scale *= 10;
    if (whole > (CIV_ALLOC_MAX_MONEY - frac) / scale)
        return money_range(text, minor_digits, where);
    *out = whole * scale + frac;
    return CIV_OK;
}

static civ_status get_money(const ctx *c, const char *key, int required, int minor_digits, int64_t *out)
{
    civ_toml_entry *e = find(c, key);
    if (!e)
        return required ? missing(c, key) : CIV_OK;
    if (e->value.type == CIV_TOML_BOOL || e->value.type == CIV_TOML_ARRAY)
        return fail_entry(c, CIV_ERR_SPEC, e, "'%s' must be an amount in major units (e.g. 1234.56), not %s", key,
                          type_name(e->value.type));
    char field[96];
    civ_snprintf(field, sizeof field, "%s", e->key);
    civ_where w = {.file = c->path, .line = e->value.line, .column = e->value.column, .field = field};
    civ_status s = civ_alloc_parse_money(e->value.text, minor_digits, out, &w);
    if (s) {
        char msg[600];
        civ_snprintf(msg, sizeof msg, "%s: %s", c->section, civ_last_error()->message);
        return civ_fail_at(s, &w, "%s", msg);
    }
    return CIV_OK;
}

static civ_status check_unused(const ctx *c, const char *allowed)
{
    for (size_t i = 0; i < c->t->n_entries; i++)
        if (!c->t->entries[i].used) {
            civ_toml_entry *e = &c->t->entries[i];
            civ_where w = {.file = c->path, .line = e->line, .column = e->column, .field = e->key};
            return civ_fail_at(CIV_ERR_SPEC, &w, "%s: unknown key '%s' (allowed: %s)", c->section, e->key, allowed);
        }
    return CIV_OK;
}

static civ_status check_name(const ctx *c, const char *name)
{
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
              *p == '-'))
            return fail_entry(c, CIV_ERR_SPEC, find(c, "name"),
                              "name '%s' may hold only letters, digits, '_' and '-' (it becomes a column name); "
                              "put the name people read in label, e.g. label = \"常住人口\"",
                              name);
    if (strlen(name) > 48)
        return fail_entry(c, CIV_ERR_SPEC, find(c, "name"), "name '%s' is longer than 48 bytes", name);
    return CIV_OK;
}

/* The optional display name `label` of a named entry: 1 to 64 bytes of
 * text without control characters or ';' (explanations separate their
 * clauses with it). */
static civ_status get_label(const ctx *c, char **out)
{
    civ_status st = get_string(c, "label", 0, out, NULL);
    if (st || !*out)
        return st;
    const char *why = strlen(*out) > 64 ? "is longer than 64 bytes" : NULL; /* get_string refuses "" */
    for (const unsigned char *p = (const unsigned char *)*out; !why && *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == ';')
            why = *p == ';' ? "holds ';' (explanations separate their clauses with it)" : "holds a control character";
    if (why)
        return fail_entry(c, CIV_ERR_SPEC, find(c, "label"), "label '%s' %s", *out, why);
    return CIV_OK;
}

void civ_alloc_spec_free(civ_alloc_spec *s)
{
    if (!s)
        return;
    free(s->path), free(s->version), free(s->title), free(s->currency);
    free(s->spent_column);
    free(s->id_column), free(s->district_column), free(s->population), free(s->aged), free(s->last_year);
    free(s->predecessors), free(s->predecessor_shares), free(s->last_year_file);
    civ_alloc_last_year_free(s->ly);
    free(s->name_column);
    free(s->text_columns);
    for (size_t i = 0; i < s->n_labels; i++)
        free(s->labels[i]);
    free(s->labels);
    for (size_t i = 0; i < s->n_reserves; i++)
        free(s->reserves[i].name), free(s->reserves[i].label);
    for (size_t i = 0; i < s->n_pools; i++)
        free(s->pools[i].name), free(s->pools[i].label), free(s->pools[i].eligible_attribute), free(s->pools[i].formula_name),
            free(s->pools[i].last_year), free(s->pools[i].paid);
    for (size_t i = 0; i < s->n_formulas; i++) {
        free(s->formulas[i].name), free(s->formulas[i].label), free(s->formulas[i].last_year);
        for (size_t g = 0; g < s->formulas[i].n_groups; g++)
            free(s->formulas[i].groups[g]);
    }
    for (size_t i = 0; i < s->n_factors; i++)
        free(s->factors[i].name), free(s->factors[i].label), free(s->factors[i].attribute), free(s->factors[i].coefficient),
            free(s->factors[i].column), free(s->factors[i].model), free(s->factors[i].formula_name),
            free(s->factors[i].group);
    for (size_t i = 0; i < s->n_tilts; i++)
        free(s->tilts[i].name), free(s->tilts[i].label), free(s->tilts[i].attribute), free(s->tilts[i].formula_name);
    free(s->reserves), free(s->pools), free(s->formulas), free(s->factors), free(s->tilts);
    free(s);
}

static size_t count_tables(const civ_toml_doc *d, const char *name)
{
    size_t n = 0;
    for (size_t t = 1; t < d->n_tables; t++)
        n += !strcmp(d->tables[t].name, name);
    return n;
}

static civ_toml_table *single_table(const civ_toml_doc *d, const char *name)
{
    for (size_t t = 1; t < d->n_tables; t++)
        if (!strcmp(d->tables[t].name, name))
            return &d->tables[t];
    return NULL;
}

static void set_ctx(ctx *c, civ_toml_table *t, size_t ordinal)
{
    c->t = t;
    if (t->is_array)
        civ_snprintf(c->section, sizeof c->section, "[[%s]] #%zu", t->name, ordinal + 1);
    else if (t->name[0])
        civ_snprintf(c->section, sizeof c->section, "[%s]", t->name);
    else
        civ_snprintf(c->section, sizeof c->section, "top level");
}

/* Resolves a formula name to its index; SIZE_MAX when not found. */
static size_t formula_index(const civ_alloc_spec *s, const char *name)
{
    for (size_t f = 0; f < s->n_formulas; f++)
        if (!strcmp(s->formulas[f].name, name))
            return f;
    return SIZE_MAX;
}

static civ_status spec_fail(const civ_alloc_spec *s, civ_alloc_loc loc, const char *field, const char *fmt, ...)
    CIV_PRINTF(4, 5);
static civ_status spec_fail(const civ_alloc_spec *s, civ_alloc_loc loc, const char *field, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    civ_vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    civ_where w = {.file = s->path, .line = loc.line, .column = loc.column, .field = field};
    return civ_fail_at(CIV_ERR_SPEC, &w, "%s", msg);
}

/* A plain decimal literal in [0, 1] ("0.03", "1", "0.125"; no sign, no
 * exponent, at most 18 significant digits once trailing zeros of the
 * fraction go) as num / 10^digits exactly; digits = -1 for anything else. */
static void exact_decimal(const char *text, int64_t *num, int *digits)
{
    *num = 0, *digits = -1;
    const char *dot = strchr(text, '.');
    size_t len = strlen(text);
    if (!len || strpbrk(text, "eE+-_"))
        return;
    while (dot && len > (size_t)(dot - text) + 1 && text[len - 1] == '0')
        len--;
    int d = 0, seen_dot = 0, sig = 0;
    int64_t v = 0;
    for (const char *p = text; p < text + len; p++) {
        if (*p == '.') {
            seen_dot = 1;
            continue;
        }
        if (*p < '0' || *p > '9' || ++sig > 18)
            return;
        v = v * 10 + (*p - '0');
        d += seen_dot;
    }
    *num = v, *digits = d;
}

/* Splits `total` (minor units) over `n` shares summing to 1 (the share
 * pools) by the layer's one largest remainder (round.c), ties to the earlier
 * line.  Exactly, in integers, when every share is a plain decimal (num[i] /
 * 10^digits[i], scaled to their common denominator); else from the doubles
 * `share` with round.c's tie tolerance. */
static civ_status split_lines(int64_t total, const double *share, const int64_t *num, const int *digits, size_t n,
                              int64_t *out)
{
    size_t m = n;
    double *x = malloc(m * sizeof *x);
    int64_t *lo = calloc(m, sizeof *lo), *hi = malloc(m * sizeof *hi), *N = malloc(m * sizeof *N);
    civ_alloc_pair *pairs = malloc(m * sizeof *pairs), *tmp = malloc(m * sizeof *tmp);
    civ_status st = CIV_OK;
    int exact = 1, K = 0;
    for (size_t i = 0; i < n; i++) {
        exact &= digits[i] >= 0;
        if (digits[i] > K)
            K = digits[i];
    }
    if (!x || !lo || !hi || !N || !pairs || !tmp) {
        st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading the spec");
        goto out;
    }
    if (exact) {
        int64_t sum = 0;
        for (size_t i = 0; i < n && exact; i++) {
            int64_t scale = 1;
            for (int k = digits[i]; k < K; k++)
                scale *= 10;
            N[i] = num[i] * scale; /* a share <= 1, so N[i] <= 10^K <= 10^18 */
            exact = sum <= INT64_MAX - N[i];
            sum += exact ? N[i] : 0;
        }
        if (exact && sum > 0) {
            st = civ_alloc_split_exact(total, N, m, sum, pairs, tmp, out);
            goto out;
        }
    }
    for (size_t i = 0; i < m; i++) {
        x[i] = share[i] * (double)total;
        hi[i] = -1;
    }
    st = civ_alloc_round(x, lo, hi, m, total, pairs, tmp, out);
out:
    free(x), free(lo), free(hi), free(N), free(pairs), free(tmp);
    return st;
}

/* Every section is known and written as a table or an array of tables. */
static civ_status check_sections(const civ_alloc_spec *s, const civ_toml_doc *d)
{
    /* [need] is read by need.c (the multi-year budget need), not here */
    static const char *sections[] = {"budget", "data", "reserve", "pool", "formula", "factor", "tilt", "need",
                                     "settlement", NULL};
    static const int section_is_array[] = {0, 0, 1, 1, 1, 1, 1, 0, 0};
    for (size_t t = 1; t < d->n_tables; t++) {
        size_t k = 0;
        while (sections[k] && strcmp(sections[k], d->tables[t].name))
            k++;
        civ_where w = {.file = s->path, .line = d->tables[t].line, .column = d->tables[t].column,
                       .field = d->tables[t].name};
        if (!sections[k])
            return civ_fail_at(CIV_ERR_SPEC, &w,
                               "unknown section '%s' (allowed: [budget], [data], [[reserve]], [[pool]], "
                               "[[formula]], [[factor]], [[tilt]], [need], [settlement])",
                               d->tables[t].name);
        if (section_is_array[k] != d->tables[t].is_array)
            return civ_fail_at(CIV_ERR_SPEC, &w, "'%s' must be written %s%s%s", d->tables[t].name,
                               section_is_array[k] ? "[[" : "[", d->tables[t].name, section_is_array[k] ? "]]" : "]");
    }
    return CIV_OK;
}

/* The top level (version, title), [budget] and [data]. */
static civ_status read_header(civ_alloc_spec *s, civ_toml_doc *d)
{
    ctx c = {.path = s->path};
    civ_status st;
    /* top level */
    set_ctx(&c, &d->tables[0], 0);
    if ((st = get_string(&c, "version", 1, &s->version, NULL)) || (st = get_string(&c, "title", 0, &s->title, NULL)) ||
        (st = check_unused(&c, "version, title")))
        return st;

    /* [budget] */
    civ_toml_table *bt = single_table(d, "budget");
    if (!bt) {
        civ_where w = {.file = s->path, .line = 1, .column = 1, .field = "budget"};
        return civ_fail_at(CIV_ERR_SPEC, &w, "missing the [budget] section");
    }
    set_ctx(&c, bt, 0);
    long minor = 100, fy = 0;
    if ((st = get_integer(&c, "minor_unit", 0, 1, 1000, &minor)))
        return st;
    if (minor != 1 && minor != 10 && minor != 100 && minor != 1000)
        return fail_entry(&c, CIV_ERR_SPEC, find(&c, "minor_unit"), "minor_unit must be 1, 10, 100 or 1000");
    s->minor_unit = minor;
    s->minor_digits = minor == 1 ? 0 : minor == 10 ? 1 : minor == 100 ? 2 : 3;
    if ((st = get_money(&c, "total", 1, s->minor_digits, &s->total)) ||
        (st = get_integer(&c, "fiscal_year", 1, 1900, 9999, &fy)) ||
        (st = get_string(&c, "currency", 0, &s->currency, NULL)) ||
        (st = check_unused(&c, "total, currency, minor_unit, fiscal_year")))
        return st;
    s->fiscal_year = fy;
    if (s->total <= 0)
        return fail_entry(&c, CIV_ERR_SPEC, find(&c, "total"), "total must be positive");
    if (!s->currency && !(s->currency = strdup("CNY")))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading the spec");

    /* [data] */
    civ_toml_table *dt = single_table(d, "data");
    if (dt) {
        set_ctx(&c, dt, 0);
        if ((st = get_string(&c, "id", 0, &s->id_column, NULL)) ||
            (st = get_string(&c, "district", 0, &s->district_column, &s->district_loc)) ||
            (st = get_string(&c, "name", 0, &s->name_column, &s->name_loc)) ||
            (st = get_string(&c, "population", 0, &s->population, &s->population_loc)) ||
            (st = get_string(&c, "aged", 0, &s->aged, &s->aged_loc)) ||
            (st = get_string(&c, "last_year", 0, &s->last_year, &s->last_year_loc)) ||
            (st = get_string(&c, "predecessors", 0, &s->predecessors, &s->predecessors_loc)) ||
            (st = get_string(&c, "predecessor_shares", 0, &s->predecessor_shares, &s->predecessor_shares_loc)) ||
            (st = get_string(&c, "last_year_file", 0, &s->last_year_file, &s->last_year_file_loc)) ||
            (st = get_string_array(&c, "labels", &s->labels, &s->n_labels, &s->labels_loc)) ||
            (st = check_unused(&c, "id, name, district, population, aged, last_year, predecessors, "
                                   "predecessor_shares, last_year_file, labels")))
            return st;
        if (s->predecessor_shares && !s->predecessors) {
            civ_where w = {.file = s->path, .line = s->predecessor_shares_loc.line,
                           .column = s->predecessor_shares_loc.column, .field = "predecessor_shares"};
            return civ_fail_at(CIV_ERR_SPEC, &w,
                               "[data] predecessor_shares names the shares of each community's predecessors, but "
                               "[data] predecessors (the column naming them) is not given: add it, or remove "
                               "predecessor_shares");
        }
        if (s->last_year_file && (st = resolve_last_year_file(s)))
            return st;
        s->labels_given = find(&c, "labels") != NULL;
    }
    if (!s->id_column && !(s->id_column = strdup("unique_id")))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading the spec");
    return CIV_OK;
}

/* The arrays for the [[...]] sections, sized by counting them. */
static civ_status alloc_arrays(civ_alloc_spec *s, const civ_toml_doc *d)
{
    s->n_reserves = count_tables(d, "reserve");
    s->n_pools = count_tables(d, "pool");
    s->n_formulas = count_tables(d, "formula");
    s->n_factors = count_tables(d, "factor");
    s->n_tilts = count_tables(d, "tilt");
    size_t nf_alloc = s->n_formulas ? s->n_formulas : 1;
    s->reserves = calloc(s->n_reserves + 1, sizeof *s->reserves);
    s->pools = calloc(s->n_pools + 1, sizeof *s->pools);
    s->formulas = calloc(nf_alloc, sizeof *s->formulas);
    s->factors = calloc(s->n_factors + 1, sizeof *s->factors);
    s->tilts = calloc(s->n_tilts + 1, sizeof *s->tilts);
    if (!s->reserves || !s->pools || !s->formulas || !s->factors || !s->tilts)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading the spec");
    if (s->n_tilts > 32) {
        civ_toml_table *t33 = NULL;
        size_t k = 0;
        for (size_t t = 1; t < d->n_tables; t++)
            if (!strcmp(d->tables[t].name, "tilt") && ++k == 33)
                t33 = &d->tables[t];
        civ_where w = {.file = s->path, .line = t33->line, .column = t33->column, .field = "tilt"};
        return civ_fail_at(CIV_ERR_LIMIT, &w, "more than 32 [[tilt]] rules");
    }
    return CIV_OK;
}

/* [[formula]] #fi+1: bounds, history rules, infeasibility and combination. */
static civ_status read_formula(civ_alloc_spec *s, civ_toml_table *tb, size_t fi)
{
    ctx c = {.path = s->path};
    civ_status st;
    civ_alloc_formula *f = &s->formulas[fi];
    set_ctx(&c, tb, fi);
    f->floor = f->cap = f->last_year_total = -1;
    f->cap_share = f->hold_harmless = f->pace = NAN;
    f->loc.line = tb->line, f->loc.column = tb->column;
    char *on_inf = NULL, *combine = NULL;
    if ((st = get_string(&c, "name", 1, &f->name, NULL)) || (st = check_name(&c, f->name)) ||
        (st = get_label(&c, &f->label)) || (st = get_money(&c, "floor", 0, s->minor_digits, &f->floor)) ||
        (st = get_money(&c, "cap", 0, s->minor_digits, &f->cap)) ||
        (st = get_fraction(&c, "cap_share", 0, 1e-12, 1, &f->cap_share, NULL, NULL)) ||
        (st = get_fraction(&c, "hold_harmless", 0, 0, 10, &f->hold_harmless, NULL, NULL)) ||
        (st = get_pace(&c, &f->pace)) ||
        (st = get_string(&c, "last_year", 0, &f->last_year, &f->last_year_loc)) ||
        (st = get_money(&c, "last_year_total", 0, s->minor_digits, &f->last_year_total)) ||
        (st = get_string(&c, "on_infeasible", 0, &on_inf, NULL)) ||
        (st = get_string(&c, "combine", 0, &combine, NULL))) {
        free(on_inf);
        free(combine);
        return st;
    }
    civ_toml_entry *fe = find(&c, "floor");
    if (fe)
        f->floor_loc.line = fe->value.line, f->floor_loc.column = fe->value.column;
    if (combine) {
        int ok = !strcmp(combine, "sum") || !strcmp(combine, "greater_of");
        f->greater_of = !strcmp(combine, "greater_of");
        free(combine);
        if (!ok) {
            free(on_inf);
            return fail_entry(&c, CIV_ERR_SPEC, find(&c, "combine"), "combine must be \"sum\" or \"greater_of\"");
        }
    }
    if (on_inf) {
        int ok = !strcmp(on_inf, "error") || !strcmp(on_inf, "ratable");
        f->ratable = !strcmp(on_inf, "ratable");
        free(on_inf);
        if (!ok)
            return fail_entry(&c, CIV_ERR_SPEC, find(&c, "on_infeasible"),
                              "on_infeasible must be \"error\" or \"ratable\"");
    }
    if ((st = check_unused(&c, "name, label, floor, cap, cap_share, hold_harmless, pace, last_year, "
                               "last_year_total, on_infeasible, combine")))
        return st;
    /* hold_harmless / pace without a formula last_year need every fund of the
     * formula to name its own history ([[pool]] last_year): check_formulas */
    if (f->last_year && isnan(f->hold_harmless) && isnan(f->pace))
        return fail_entry(&c, CIV_ERR_SPEC, find(&c, "last_year"),
                          "'last_year' is only used by hold_harmless or pace; neither is set");
    if (f->floor >= 0 && f->cap >= 0 && f->floor > f->cap)
        return fail_entry(&c, CIV_ERR_SPEC, find(&c, "floor"), "floor is above cap");
    if (f->ratable && f->floor < 0 && isnan(f->hold_harmless))
        return fail_entry(&c, CIV_ERR_SPEC, find(&c, "on_infeasible"),
                          "on_infeasible = \"ratable\" reduces floors, but the formula has no floor or "
                          "hold_harmless");
    for (size_t g = 0; g < fi; g++)
        if (!strcmp(s->formulas[g].name, f->name))
            return fail_entry(&c, CIV_ERR_SPEC, find(&c, "name"), "duplicate formula name '%s'", f->name);
    return CIV_OK;
}

/* A section's 'formula' key: the named formula, else the only one (or every
 * formula, SIZE_MAX, when allow_all); an unknown name is an error. */
static civ_status resolve_formula(const civ_alloc_spec *s, const ctx *c, const char *name, size_t *out, int allow_all)
{
    if (!name) {
        if (allow_all)
            *out = SIZE_MAX;
        else if (s->n_formulas == 1)
            *out = 0;
        else
            return missing(c, "formula");
    } else if ((*out = formula_index(s, name)) == SIZE_MAX) {
        return fail_entry(c, CIV_ERR_SPEC, find(c, "formula"), "unknown formula '%s' (declare it in a [[formula]] section)",
                          name);
    }
    return CIV_OK;
}

/* [[reserve]] #ri+1: a named share of the total. */
static civ_status read_reserve(civ_alloc_spec *s, civ_toml_table *tb, size_t ri, double *reserve_sum)
{
    ctx c = {.path = s->path};
    civ_status st;
    civ_alloc_loc hdr = {tb->line, tb->column};
    civ_alloc_reserve *r = &s->reserves[ri];
    set_ctx(&c, tb, ri);
    r->loc = hdr;
    if ((st = get_string(&c, "name", 1, &r->name, NULL)) || (st = check_name(&c, r->name)) ||
        (st = get_label(&c, &r->label)) || (st = get_fraction(&c, "share", 1, 0, 1, &r->share, NULL, NULL)) ||
        (st = check_unused(&c, "name, label, share")))
        return st;
    exact_decimal(find(&c, "share")->value.text, &r->share_num, &r->share_digits);
    for (size_t g = 0; g < ri; g++)
        if (!strcmp(s->reserves[g].name, r->name))
            return fail_entry(&c, CIV_ERR_SPEC, find(&c, "name"), "duplicate reserve name '%s'", r->name);
    *reserve_sum += r->share;
    if (*reserve_sum >= 1)
        return fail_entry(&c, CIV_ERR_SPEC, find(&c, "share"),
                          "reserves take %.10g of the total; they must leave something to allocate",
                          *reserve_sum);
    return CIV_OK;
}

/* The keys a pool, factor or tilt starts with: name (checked), label and formula, resolved to *formula
 * (allow_all: a tilt without one applies to every formula). */
static civ_status read_member_head(const civ_alloc_spec *s, const ctx *c, char **name, char **label,
                                   char **formula_name, size_t *formula, int allow_all)
{
    civ_status st;
    if ((st = get_string(c, "name", 1, name, NULL)) || (st = check_name(c, *name)) || (st = get_label(c, label)) ||
        (st = get_string(c, "formula", 0, formula_name, NULL)))
        return st;
    return resolve_formula(s, c, *formula_name, formula, allow_all);
}

/* [[pool]] #pi+1: an amount or a share of what the reserves leave, its
 * formula and its earmark. */
static civ_status read_pool(civ_alloc_spec *s, civ_toml_table *tb, size_t pi)
{
    ctx c = {.path = s->path};
    civ_status st;
    civ_alloc_loc hdr = {tb->line, tb->column};
    civ_alloc_pool *p = &s->pools[pi];
    set_ctx(&c, tb, pi);
    p->loc = hdr;
    p->share = p->eligible_min = p->eligible_max = NAN;
    long topk = 0;
    if ((st = read_member_head(s, &c, &p->name, &p->label, &p->formula_name, &p->formula, 0)))
        return st;
    civ_toml_entry *am = find(&c, "amount"), *sh = find(&c, "share");
    if (am && sh)
        return fail_entry(&c, CIV_ERR_SPEC, sh, "give either 'amount' or 'share', not both");
    if (!am && !sh)
        return missing(&c, "share");
    if (am) {
        p->has_amount = 1;
        if ((st = get_money(&c, "amount", 1, s->minor_digits, &p->amount)))
            return st;
    } else if ((st = get_fraction(&c, "share", 1, 0, 1, &p->share, NULL, NULL))) {
        return st;
    } else {
        exact_decimal(find(&c, "share")->value.text, &p->share_num, &p->share_digits);
    }
    if ((st = get_string(&c, "eligible_attribute", 0, &p->eligible_attribute, &p->eligible_loc)) ||
        (st = get_threshold(&c, "eligible_min", &p->eligible_min, &p->eligible_min_loc)) ||
        (st = get_threshold(&c, "eligible_max", &p->eligible_max, &p->eligible_max_loc)) ||
        (st = get_integer(&c, "eligible_top_k", 0, 1, 100000000, &topk)) ||
        (st = get_string(&c, "last_year", 0, &p->last_year, &p->last_year_loc)) ||
        (st = get_string(&c, "paid", 0, &p->paid, NULL)) ||
        (st = check_unused(&c, "name, label, amount, share, formula, eligible_attribute, eligible_min, "
                               "eligible_max, eligible_top_k, last_year, paid")))
        return st;
    p->eligible_top_k = (size_t)topk;
    if (!p->eligible_attribute && (!isnan(p->eligible_min) || !isnan(p->eligible_max) || topk))
        return missing(&c, "eligible_attribute");
    if (p->eligible_attribute && isnan(p->eligible_min) && isnan(p->eligible_max) && !topk)
        return fail_entry(&c, CIV_ERR_SPEC, find(&c, "eligible_attribute"),
                          "an earmark needs eligible_min, eligible_max or eligible_top_k");
    for (size_t g = 0; g < pi; g++)
        if (!strcmp(s->pools[g].name, p->name))
            return fail_entry(&c, CIV_ERR_SPEC, find(&c, "name"), "duplicate pool name '%s'", p->name);
    return CIV_OK;
}

/* A factor's source ("attribute" or "forecast") and kind ("quantity" or "performance"). */
static civ_status read_factor_source(const ctx *c, civ_alloc_factor *f)
{
    char *source = NULL, *kind = NULL;
    civ_status st = get_string(c, "source", 0, &source, NULL);
    if (!st)
        st = get_string(c, "kind", 0, &kind, NULL);
    if (!st && source && strcmp(source, "attribute") && strcmp(source, "forecast"))
        st = fail_entry(c, CIV_ERR_SPEC, find(c, "source"), "source must be \"attribute\" or \"forecast\"");
    if (!st && kind && strcmp(kind, "quantity") && strcmp(kind, "performance"))
        st = fail_entry(c, CIV_ERR_SPEC, find(c, "kind"), "kind must be \"quantity\" or \"performance\"");
    f->source = (source && !strcmp(source, "forecast")) ? CIV_SOURCE_FORECAST : CIV_SOURCE_ATTRIBUTE;
    f->performance = kind && !strcmp(kind, "performance");
    free(source);
    free(kind);
    return st;
}

/* Which forecast rows: the fiscal year's by date (the default), or h = 1..horizon (period = "horizon",
 * or a horizon given alone); *horizon = 12 for period = "horizon" alone. */
static civ_status check_factor_period(const civ_alloc_spec *s, const ctx *c, const char *period, long *horizon)
{
    if (period && strcmp(period, "fiscal_year") && strcmp(period, "horizon"))
        return fail_entry(c, CIV_ERR_SPEC, find(c, "period"), "period must be \"fiscal_year\" or \"horizon\"");
    if (period && !strcmp(period, "fiscal_year") && *horizon)
        return fail_entry(c, CIV_ERR_SPEC, find(c, "horizon"),
                          "horizon counts steps ahead (period = \"horizon\"), but period = \"fiscal_year\" sums "
                          "the forecasts dated in fiscal_year %ld: remove one of them",
                          s->fiscal_year);
    if (period && !strcmp(period, "horizon") && !*horizon)
        *horizon = 12;
    return CIV_OK;
}

/* A forecast factor's keys: column (default "mean"), model, horizon, period and if_missing. */
static civ_status read_factor_forecast(const civ_alloc_spec *s, const ctx *c, civ_alloc_factor *f,
                                       civ_alloc_loc hdr)
{
    civ_status st;
    char *ifm = NULL, *period = NULL;
    long horizon = 0;
    if ((st = get_string(c, "column", 0, &f->column, &f->attribute_loc)) ||
        (st = get_string(c, "model", 0, &f->model, NULL)) ||
        (st = get_integer(c, "horizon", 0, 1, 10000, &horizon)) ||
        (st = get_string(c, "period", 0, &period, NULL)) ||
        (st = get_string(c, "if_missing", 0, &ifm, NULL))) {
        free(ifm), free(period);
        return st;
    }
    st = check_factor_period(s, c, period, &horizon);
    free(period);
    if (st) {
        free(ifm);
        return st;
    }
    if (ifm) {
        int ok = !strcmp(ifm, "error") || !strcmp(ifm, "zero");
        f->missing_zero = !strcmp(ifm, "zero");
        free(ifm);
        if (!ok)
            return fail_entry(c, CIV_ERR_SPEC, find(c, "if_missing"),
                              "if_missing must be \"error\" or \"zero\"");
    }
    if (!f->column && !(f->column = strdup("mean")))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading the spec");
    f->horizon = horizon;
    if (!f->attribute_loc.line)
        f->attribute_loc = hdr;
    return CIV_OK;
}

/* A factor's group: required under combine = "greater_of", refused otherwise; a new one is added to the
 * formula's groups. */
static civ_status read_factor_group(civ_alloc_spec *s, const ctx *c, civ_alloc_factor *f)
{
    civ_alloc_formula *fo = &s->formulas[f->formula];
    civ_status st;
    if ((st = get_string(c, "group", 0, &f->group, NULL)))
        return st;
    if (fo->greater_of && !f->group)
        return missing(c, "group");
    if (!fo->greater_of && f->group)
        return fail_entry(c, CIV_ERR_SPEC, find(c, "group"),
                          "'group' needs a formula with combine = \"greater_of\" ('%s' sums its factors)",
                          fo->name);
    if (f->group) {
        size_t g = 0;
        while (g < fo->n_groups && strcmp(fo->groups[g], f->group))
            g++;
        if (g == fo->n_groups) {
            if (g == CIV_ALLOC_MAX_GROUPS)
                return fail_entry(c, CIV_ERR_LIMIT, find(c, "group"), "more than %d groups in formula '%s'",
                                  CIV_ALLOC_MAX_GROUPS, fo->name);
            if (!(fo->groups[g] = strdup(f->group)))
                return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading the spec");
            fo->n_groups++;
        }
        f->group_index = g;
    }
    return CIV_OK;
}

/* [[factor]] #ki+1: an attribute or summed forecasts, its coefficient, group
 * and weight. */
static civ_status read_factor(civ_alloc_spec *s, civ_toml_table *tb, size_t ki)
{
    ctx c = {.path = s->path};
    civ_status st;
    civ_alloc_loc hdr = {tb->line, tb->column};
    civ_alloc_factor *f = &s->factors[ki];
    set_ctx(&c, tb, ki);
    f->loc = hdr;
    if ((st = read_member_head(s, &c, &f->name, &f->label, &f->formula_name, &f->formula, 0)) ||
        (st = read_factor_source(&c, f)))
        return st;
    if (f->source == CIV_SOURCE_ATTRIBUTE)
        st = get_string(&c, "attribute", 1, &f->attribute, &f->attribute_loc);
    else
        st = read_factor_forecast(s, &c, f, hdr);
    if (st || (st = read_factor_group(s, &c, f)))
        return st;
    if ((st = get_string(&c, "coefficient", 0, &f->coefficient, &f->coefficient_loc)) ||
        (st = get_fraction(&c, "weight", 1, 0, 1, &f->weight, &f->weight_loc, " (a formula's weights sum to 1)")) ||
        (st = check_unused(&c, f->source == CIV_SOURCE_ATTRIBUTE
                                   ? "name, label, formula, group, source, kind, attribute, coefficient, weight"
                                   : "name, label, formula, group, source, kind, column, model, period, "
                                     "horizon, if_missing, coefficient, weight")))
        return st;
    for (size_t g = 0; g < ki; g++)
        if (!strcmp(s->factors[g].name, f->name))
            return fail_entry(&c, CIV_ERR_SPEC, find(&c, "name"), "duplicate factor name '%s'", f->name);
    return CIV_OK;
}

/* [[tilt]] #ti+1: a multiplier for communities passing one comparison. */
static civ_status read_tilt(civ_alloc_spec *s, civ_toml_table *tb, size_t ti)
{
    ctx c = {.path = s->path};
    civ_status st;
    civ_alloc_loc hdr = {tb->line, tb->column};
    civ_alloc_tilt *r = &s->tilts[ti];
    set_ctx(&c, tb, ti);
    r->loc = hdr;
    if ((st = read_member_head(s, &c, &r->name, &r->label, &r->formula_name, &r->formula, 1)))
        return st;
    static const char *ops[] = {"above", "at_least", "below", "at_most"};
    static const civ_alloc_op opv[] = {CIV_OP_GT, CIV_OP_GE, CIV_OP_LT, CIV_OP_LE};
    int nops = 0;
    for (int o = 0; o < 4; o++) {
        double v = NAN;
        civ_alloc_loc at = hdr;
        if ((st = get_threshold(&c, ops[o], &v, &at)))
            return st;
        if (!isnan(v)) {
            nops++;
            r->op = opv[o];
            r->threshold = v;
            r->threshold_loc = at;
            r->threshold_key = ops[o];
        }
    }
    if (nops != 1) {
        if (nops == 0)
            return missing(&c, "above");
        return fail_entry(&c, CIV_ERR_SPEC, NULL, "give exactly one of above, at_least, below, at_most");
    }
    if ((st = get_string(&c, "attribute", 1, &r->attribute, &r->attribute_loc)) ||
        (st = get_multiplier(&c, &r->multiplier)) ||
        (st = check_unused(&c, "name, label, formula, attribute, above, at_least, below, at_most, multiplier")))
        return st;
    for (size_t g = 0; g < ti; g++)
        if (!strcmp(s->tilts[g].name, r->name))
            return fail_entry(&c, CIV_ERR_SPEC, find(&c, "name"), "duplicate tilt name '%s'", r->name);
    return CIV_OK;
}

/* Every formula allocates a pool and has factors whose weights (per group)
 * sum to 1; at least one pool. */
static civ_status check_formulas(const civ_alloc_spec *s)
{
    if (s->n_pools == 0) {
        civ_where w = {.file = s->path, .line = 1, .column = 1, .field = "pool"};
        return civ_fail_at(CIV_ERR_SPEC, &w, "no [[pool]]: nothing to allocate; the money to "
                           "allocate comes from pools: add one, e.g. [[pool]] name = \"general\" share = 1 (the total "
                           "less reserves)");
    }
    /* every used formula has factors whose weights sum to 1; unused formulas are errors */
    for (size_t fg = 0; fg < s->n_formulas * CIV_ALLOC_MAX_GROUPS; fg++) {
        size_t f = fg / CIV_ALLOC_MAX_GROUPS, grp = fg % CIV_ALLOC_MAX_GROUPS;
        size_t ngroups = s->formulas[f].greater_of ? s->formulas[f].n_groups : 1;
        if (grp >= ngroups && !(grp == 0 && ngroups == 0))
            continue;
        double sum = 0, comp = 0;
        size_t nfac = 0, npool = 0;
        char names[600] = "";
        for (size_t k = 0; k < s->n_factors; k++) {
            if (s->factors[k].formula != f || s->factors[k].group_index != grp)
                continue;
            /* Kahan sum so that ten weights of 0.1 give exactly 1 within tolerance */
            double y = s->factors[k].weight - comp, t2 = sum + y;
            comp = (t2 - sum) - y;
            sum = t2;
            size_t L = strlen(names);
            civ_snprintf(names + L, sizeof names - L, "%s%s=%g", nfac ? ", " : "", s->factors[k].name,
                         s->factors[k].weight);
            nfac++;
        }
        for (size_t p = 0; p < s->n_pools; p++)
            npool += s->pools[p].formula == f;
        civ_alloc_loc loc = s->formulas[f].loc.line ? s->formulas[f].loc : (civ_alloc_loc){1, 1};
        const civ_alloc_formula *fo = &s->formulas[f];
        if ((!isnan(fo->hold_harmless) || !isnan(fo->pace)) && !fo->last_year)
            for (size_t p = 0; p < s->n_pools; p++)
                if (s->pools[p].formula == f && !s->pools[p].last_year)
                    return spec_fail(s, loc, "last_year",
                                     "missing required key 'last_year': formula '%s' has hold_harmless/pace, and pool "
                                     "'%s' names no 'last_year' of its own (give the formula or every pool of it "
                                     "its last-year attribute)",
                                     fo->name, s->pools[p].name);
        if (!npool)
            return spec_fail(s, loc, "formula", "formula '%s' allocates no [[pool]]", s->formulas[f].name);
        if (!nfac)
            return spec_fail(s, loc, "factor", "formula '%s' has no [[factor]]", s->formulas[f].name);
        if (s->formulas[f].greater_of && s->formulas[f].n_groups < 2)
            return spec_fail(s, loc, "combine", "formula '%s' takes the greater of its factor groups but has %zu group",
                             s->formulas[f].name, s->formulas[f].n_groups);
        if (fabs(sum - 1.0) > WEIGHT_TOL) {
            civ_alloc_loc wl = {0, 0};
            for (size_t k = 0; k < s->n_factors; k++)
                if (s->factors[k].formula == f && s->factors[k].group_index == grp)
                    wl = s->factors[k].weight_loc;
            if (s->formulas[f].greater_of)
                return spec_fail(s, wl, "weight", "weights of group '%s' of formula '%s' sum to %.12g, not 1 (%s)",
                                 s->formulas[f].groups[grp], s->formulas[f].name, sum, names);
            return spec_fail(s, wl, "weight", "weights of formula '%s' sum to %.12g, not 1 (%s)", s->formulas[f].name,
                             sum, names);
        }
    }
    return CIV_OK;
}

/* The reserves: "not less than share x total", so each is rounded UP to a
 * whole minor unit -- ceil(T N / 10^K) in integers when the share is a plain
 * decimal (num / 10^digits), else ceil of the double product with the noise
 * of a product of two doubles removed first (3e-2 x 10000 = 300.00000000000006
 * is 300) -- and out[n] gets the distributable rest, T - sum.  A 3% reserve
 * of 1,234,567.81 yuan is 37,037.04 yuan (3,703,703.43 fen rounded up), never
 * below 3%.  Errors: CIV_ERR_SPEC when the rounded reserves leave nothing. */
static civ_status reserve_lines(const civ_alloc_spec *s, int64_t *out)
{
    int64_t T = s->total, used = 0;
    for (size_t r = 0; r < s->n_reserves; r++) {
        const civ_alloc_reserve *rv = &s->reserves[r];
        int64_t v;
        if (rv->share_digits >= 0 && rv->share_digits <= 18) {
            int64_t den = 1;
            for (int k = 0; k < rv->share_digits; k++)
                den *= 10;
            __int128 pr = (__int128)T * rv->share_num;
            v = (int64_t)(pr / den) + (pr % den != 0);
        } else {
            double x = rv->share * (double)T, rx = nearbyint(x);
            v = (int64_t)(fabs(x - rx) <= fmin(1e-3, 1e-12 * fmax(1.0, x)) ? rx : ceil(x));
        }
        out[r] = v;
        used += v;
    }
    if (used >= T && s->n_reserves > 0)
        return spec_fail(s, s->reserves[0].loc, "share",
                         "the reserves, each rounded up to a whole minor unit, take all of the total (%lld of %lld "
                         "minor units); they must leave something to allocate",
                         (long long)used, (long long)T);
    out[s->n_reserves] = T - used;
    return CIV_OK;
}

/* The budget split: reserves (rounded up) then pools (largest remainder),
 * exact in minor units. */
static civ_status split_budget(civ_alloc_spec *s)
{
    size_t nl = s->n_reserves + 1;
    double *share = calloc(nl + s->n_pools, sizeof *share);
    int64_t *amt = calloc(nl + s->n_pools, sizeof *amt), *num = calloc(nl + s->n_pools, sizeof *num);
    int *dig = calloc(nl + s->n_pools, sizeof *dig);
    if (!share || !amt || !num || !dig) {
        free(share), free(amt), free(num), free(dig);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading the spec");
    }
    for (size_t r = 0; r < s->n_reserves; r++) {
        share[r] = s->reserves[r].share;
        num[r] = s->reserves[r].share_num, dig[r] = s->reserves[r].share_digits;
    }
    civ_status st = reserve_lines(s, amt);
    if (st) {
        free(share), free(amt), free(num), free(dig);
        return st;
    }
    for (size_t r = 0; r < s->n_reserves; r++)
        s->reserves[r].amount = amt[r];
    s->distributable = amt[s->n_reserves];
    int64_t fixed = 0;
    double share_sum = 0;
    size_t n_share = 0;
    for (size_t p = 0; p < s->n_pools; p++) {
        if (s->pools[p].has_amount)
            fixed += s->pools[p].amount;
        else
            share_sum += s->pools[p].share, n_share++;
    }
    civ_alloc_loc first_pool = s->pools[0].loc;
    double yuan = (double)s->minor_unit;
    if (fixed > s->distributable) {
        free(share), free(amt), free(num), free(dig);
        return spec_fail(s, first_pool, "amount",
                         "pool amounts total %.*f but only %.*f is left after reserves", s->minor_digits,
                         (double)fixed / yuan, s->minor_digits, (double)s->distributable / yuan);
    }
    if (n_share == 0 && fixed != s->distributable) {
        free(share), free(amt), free(num), free(dig);
        return spec_fail(s, first_pool, "amount",
                         "pool amounts total %.*f but %.*f is left after reserves; give one pool a share to take the "
                         "rest, or make the amounts add up",
                         s->minor_digits, (double)fixed / yuan, s->minor_digits, (double)s->distributable / yuan);
    }
    if (n_share > 0 && fabs(share_sum - 1) > WEIGHT_TOL) {
        free(share), free(amt), free(num), free(dig);
        return spec_fail(s, first_pool, "share",
                         "pool shares sum to %.12g, not 1 (shares split what is left after reserves and pool amounts)",
                         share_sum);
    }
    if (n_share) {
        size_t j = 0;
        for (size_t p = 0; p < s->n_pools; p++)
            if (!s->pools[p].has_amount) {
                num[j] = s->pools[p].share_num, dig[j] = s->pools[p].share_digits;
                share[j++] = s->pools[p].share / share_sum;
            }
        if ((st = split_lines(s->distributable - fixed, share, num, dig, n_share, amt))) {
            free(share), free(amt), free(num), free(dig);
            return st;
        }
        j = 0;
        for (size_t p = 0; p < s->n_pools; p++)
            if (!s->pools[p].has_amount)
                s->pools[p].amount = amt[j++];
    }
    free(share), free(amt), free(num), free(dig);
    return CIV_OK;
}

/* A settlement share: a plain decimal in [0, 1] (read exactly), 0 when absent. */
static civ_status settlement_share(ctx *c, const char *key, int64_t *num, int *digits)
{
    double v = 0;
    civ_status st = get_fraction(c, key, 0, 0, 1, &v, NULL, NULL);
    *num = 0, *digits = 0;
    if (st || !find(c, key))
        return st;
    exact_decimal(find(c, key)->value.text, num, digits);
    if (*digits < 0)
        return fail_entry(c, CIV_ERR_SPEC, find(c, key), "write %s as a plain decimal such as 0.10 (read exactly)", key);
    return CIV_OK;
}

/* [settlement] (optional): the rules of civ_alloc_settle (settle.c). */
static civ_status read_settlement(civ_alloc_spec *s, civ_toml_doc *d)
{
    civ_toml_table *tb = single_table(d, "settlement");
    s->top_up_budget = -1;
    if (!tb)
        return CIV_OK;
    ctx c = {.path = s->path};
    civ_status st;
    set_ctx(&c, tb, 0);
    s->has_settlement = 1;
    if ((st = settlement_share(&c, "carry_over", &s->carry_num, &s->carry_digits)) ||
        (st = settlement_share(&c, "top_up", &s->top_up_num, &s->top_up_digits)) ||
        (st = get_money(&c, "top_up_budget", 0, s->minor_digits, &s->top_up_budget)) ||
        (st = get_string(&c, "spent", 0, &s->spent_column, NULL)) ||
        (st = check_unused(&c, "carry_over, top_up, top_up_budget, spent")))
        return st;
    if (!s->spent_column && !(s->spent_column = strdup("spent")))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading the spec");
    return CIV_OK;
}

/* [data] last_year_file, relative to the spec's folder (as a plan's paths are
 * to the plan's): "last_year.csv" beside "specs/2026.spec" is
 * "specs/last_year.csv"; an absolute path stays. */
static civ_status resolve_last_year_file(civ_alloc_spec *s)
{
    const char *f = s->last_year_file, *slash = strrchr(s->path, '/');
    if (!*f) {
        civ_where w = {.file = s->path, .line = s->last_year_file_loc.line, .column = s->last_year_file_loc.column,
                       .field = "last_year_file"};
        return civ_fail_at(CIV_ERR_SPEC, &w, "[data] last_year_file is empty: name last year's allocation (the "
                                             "allocation.csv civicast wrote last year), or remove the key");
    }
    if (f[0] == '/' || !slash || s->path[0] == '<')
        return CIV_OK;
    size_t d = (size_t)(slash - s->path) + 1, L = strlen(f);
    char *joined = malloc(d + L + 1);
    if (!joined)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading the spec");
    memcpy(joined, s->path, d);
    memcpy(joined + d, f, L + 1);
    free(s->last_year_file);
    s->last_year_file = joined;
    return CIV_OK;
}

/* The spec, one section at a time: [[formula]] first (the others refer to
 * it), then the other arrays in file order, then the cross-checks and the
 * budget split. */
static civ_status build(civ_alloc_spec *s, civ_toml_doc *d)
{
    civ_status st;
    if ((st = check_sections(s, d)) || (st = read_header(s, d)) || (st = alloc_arrays(s, d)))
        return st;
    size_t fi = 0, ri = 0, pi = 0, ki = 0, ti = 0;
    for (size_t t = 1; t < d->n_tables; t++)
        if (!strcmp(d->tables[t].name, "formula") && (st = read_formula(s, &d->tables[t], fi++)))
            return st;
    if (s->n_formulas == 0) {
        /* no [[formula]]: one implicit, unconstrained formula "main" */
        s->n_formulas = 1;
        s->formulas[0].name = strdup("main");
        if (!s->formulas[0].name)
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading the spec");
        s->formulas[0].floor = s->formulas[0].cap = s->formulas[0].last_year_total = -1;
        s->formulas[0].cap_share = s->formulas[0].hold_harmless = s->formulas[0].pace = NAN;
    }
    double reserve_sum = 0;
    for (size_t t = 1; t < d->n_tables; t++) {
        const char *tn = d->tables[t].name;
        civ_toml_table *tb = &d->tables[t];
        if (!strcmp(tn, "reserve"))
            st = read_reserve(s, tb, ri++, &reserve_sum);
        else if (!strcmp(tn, "pool"))
            st = read_pool(s, tb, pi++);
        else if (!strcmp(tn, "factor"))
            st = read_factor(s, tb, ki++);
        else if (!strcmp(tn, "tilt"))
            st = read_tilt(s, tb, ti++);
        if (st)
            return st;
    }
    if ((st = check_formulas(s)) || (st = read_settlement(s, d)))
        return st;
    return split_budget(s);
}

/* The columns a communities (or forecasts, paid) table must read as text:
 * the usual ones, the spec's id, name and district columns and its labels,
 * each once (a numeric community code such as 310101001 is an id, not a
 * number). */
static civ_status list_text_columns(civ_alloc_spec *s)
{
    static const char *const usual[] = {"unique_id", "name", "district", "street", "model", "pilot"};
    enum { N_USUAL = sizeof usual / sizeof *usual };
    enum { N_ADD = 5 };
    size_t cap = N_USUAL + N_ADD + s->n_labels + 1, n = 0;
    if (!(s->text_columns = calloc(cap, sizeof *s->text_columns)))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading the spec");
    const char *add[N_ADD] = {s->id_column, s->name_column, s->district_column, s->predecessors,
                              s->predecessor_shares};
    for (size_t k = 0; k < N_USUAL + N_ADD + s->n_labels; k++) {
        const char *c = k < N_USUAL           ? usual[k]
                        : k < N_USUAL + N_ADD ? add[k - N_USUAL]
                                              : s->labels[k - N_USUAL - N_ADD];
        int seen = !c;
        for (size_t j = 0; j < n && !seen; j++)
            seen = !strcmp(s->text_columns[j], c);
        if (!seen)
            s->text_columns[n++] = c;
    }
    return CIV_OK;
}

const char *const *civ_alloc_spec_text_columns(const civ_alloc_spec *s) { return s ? s->text_columns : NULL; }

const char *civ_alloc_spec_id_column(const civ_alloc_spec *s) { return s ? s->id_column : NULL; }

const char *civ_alloc_spec_last_year_file(const civ_alloc_spec *s) { return s ? s->last_year_file : NULL; }
const char *civ_alloc_spec_predecessors_column(const civ_alloc_spec *s) { return s ? s->predecessors : NULL; }
const char *civ_alloc_spec_predecessor_shares_column(const civ_alloc_spec *s)
{
    return s ? s->predecessor_shares : NULL;
}

civ_status civ_alloc_spec_parse(const char *text, size_t len, const char *name, civ_alloc_spec **out)
{
    if (!out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_spec_parse: out is NULL");
    *out = NULL;
    civ_toml_doc doc;
    civ_status st = civ_toml_parse(text, len, name, &doc);
    if (st)
        return st;
    civ_alloc_spec *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(name ? name : "<spec>"))) {
        free(s);
        civ_toml_free(&doc);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading the spec");
    }
    st = build(s, &doc);
    civ_toml_free(&doc);
    if (!st)
        st = list_text_columns(s);
    if (st) {
        civ_alloc_spec_free(s);
        return st;
    }
    *out = s;
    return CIV_OK;
}

civ_status civ_alloc_spec_read(const char *path, civ_alloc_spec **out)
{
    if (!path || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_spec_read: NULL argument");
    *out = NULL;
    char *buf = NULL;
    size_t n = 0;
    civ_status rs = civ_toml_read_text(path, "specification", &buf, &n);
    if (rs)
        return rs;
    civ_status st = civ_alloc_spec_parse(buf, n, path, out);
    free(buf);
    return st;
}

int64_t civ_alloc_spec_total(const civ_alloc_spec *s) { return s ? s->total : 0; }
int64_t civ_alloc_spec_minor_unit(const civ_alloc_spec *s) { return s ? s->minor_unit : 0; }
const char *civ_alloc_spec_version(const civ_alloc_spec *s) { return s ? s->version : NULL; }
const char *civ_alloc_spec_unit_name(const civ_alloc_spec *s, int major)
{
    return s ? civ_alloc_unit_name(s->currency, s->minor_unit, major) : NULL;
}
const char *civ_alloc_spec_currency(const civ_alloc_spec *s) { return s ? s->currency : NULL; }
size_t civ_alloc_spec_n_factors(const civ_alloc_spec *s) { return s ? s->n_factors : 0; }
const char *civ_alloc_spec_factor_name(const civ_alloc_spec *s, size_t k)
{
    return s && k < s->n_factors ? s->factors[k].name : NULL;
}
const char *civ_alloc_spec_factor_label(const civ_alloc_spec *s, size_t k)
{
    if (!s || k >= s->n_factors)
        return NULL;
    return s->factors[k].label ? s->factors[k].label : s->factors[k].name;
}
const char *civ_alloc_spec_formula_label(const civ_alloc_spec *s, const char *formula)
{
    for (size_t f = 0; s && formula && f < s->n_formulas; f++)
        if (!strcmp(s->formulas[f].name, formula))
            return s->formulas[f].label;
    return NULL;
}
double civ_alloc_spec_factor_weight(const civ_alloc_spec *s, size_t k)
{
    return s && k < s->n_factors ? s->factors[k].weight : NAN;
}
size_t civ_alloc_spec_n_pools(const civ_alloc_spec *s) { return s ? s->n_pools : 0; }
const char *civ_alloc_spec_pool_name(const civ_alloc_spec *s, size_t p)
{
    return s && p < s->n_pools ? s->pools[p].name : NULL;
}
int64_t civ_alloc_spec_pool_amount(const civ_alloc_spec *s, size_t p)
{
    return s && p < s->n_pools ? s->pools[p].amount : 0;
}
size_t civ_alloc_spec_n_reserves(const civ_alloc_spec *s) { return s ? s->n_reserves : 0; }
const char *civ_alloc_spec_reserve_name(const civ_alloc_spec *s, size_t r)
{
    return s && r < s->n_reserves ? s->reserves[r].name : NULL;
}
int64_t civ_alloc_spec_reserve_amount(const civ_alloc_spec *s, size_t r)
{
    return s && r < s->n_reserves ? s->reserves[r].amount : 0;
}

