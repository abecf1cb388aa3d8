/*
 * names.c -- layer monitor: the names of the monitored units, for the people who read the monitoring (a street's
 * 鼓角街道 beside its code D01-S01): civ_monitor_unit_names, from a table of the units' names or from a communities
 * table whose ids start with the unit's code (docs/MONITORING.md, "Units' names").  The actuals carry codes; the
 * report of a `civicast monitor --out` folder, which has no allocation to take names from, reads the table this
 * makes (units.csv).
 */
#include <stdlib.h>
#include <string.h>

#include "monitor.h"

/* A text column's index, or (size_t)-1 (an error is not recorded). */
static size_t text_col(const civ_table *t, const char *name)
{
    size_t c;
    if (!name || civ_table_find_column(t, name, &c) || civ_table_column_type(t, c) != CIV_COLUMN_TEXT) {
        civ_clear_error();
        return (size_t)-1;
    }
    return c;
}

typedef struct names_ctx {
    const civ_table *t;
    const char *source;
    size_t c_code, c_name; /* the column of the units' codes (or the communities' ids), of their names */
    int prefix;            /* 1: c_code holds community ids "<unit>-..." (a communities table) */
} names_ctx;

/* 1 when text `id` stands for `unit`: the same (a table of units) or the unit's code and '-' (a community's id). */
static int matches(const names_ctx *x, const char *id, const char *unit, size_t len)
{
    return id && (x->prefix ? !strncmp(id, unit, len) && id[len] == '-' : !strcmp(id, unit));
}

/* The name of `unit` in the table, NULL when none; CIV_ERR_DUPLICATE when two rows give it two names. */
static civ_status name_of(const names_ctx *x, const char *unit, const char **name)
{
    size_t len = strlen(unit), first = 0;
    *name = NULL;
    for (size_t r = 0; r < civ_table_n_rows(x->t); r++) {
        const char *n = civ_table_text(x->t, r, x->c_name);
        if (!n || !n[0] || !matches(x, civ_table_text(x->t, r, x->c_code), unit, len))
            continue;
        if (!*name) {
            *name = n, first = r;
        } else if (strcmp(n, *name)) {
            civ_where w = {.file = x->source, .line = civ_mon_row_line(x->t, r),
                           .field = civ_table_column_name(x->t, x->c_name)}; /* the file's own lines (skip_rows) */
            return civ_fail_at(CIV_ERR_DUPLICATE, &w, "unit '%s' is named '%s' here and '%s' at %s %ld: give each "
                               "unit one name", unit, n, *name, civ_mon_line_word(x->source),
                               civ_mon_row_line(x->t, first));
        }
    }
    return CIV_OK;
}

/* Which form the names table has: the units' codes in the actuals' unit column (or "unit") with a "name" column;
 * else community ids ("unique_id") with the name in a column headed as the units' scope (the demo's communities.csv:
 * unique_id D01-S01-C001, street 鼓角街道) or as the actuals' unit column. */
static civ_status find_form(const civ_monitor *m, names_ctx *x)
{
    const civ_monitor_spec *sp = m->spec;
    size_t code = text_col(x->t, sp->unit_column), name = text_col(x->t, "name");
    if (code == (size_t)-1)
        code = text_col(x->t, "unit");
    for (size_t r = 0; code != (size_t)-1 && name != (size_t)-1 && r < civ_table_n_rows(x->t); r++) {
        const char *id = civ_table_text(x->t, r, code);
        for (size_t i = 0; id && i < m->n_series && !m->series[i].scope; i++)
            if (!strcmp(id, m->series[i].unit)) { /* the column holds the units' codes */
                x->c_code = code, x->c_name = name, x->prefix = 0;
                return CIV_OK;
            }
    }
    x->c_code = text_col(x->t, "unique_id"), x->c_name = text_col(x->t, sp->scope), x->prefix = 1;
    if (x->c_name == (size_t)-1)
        x->c_name = text_col(x->t, sp->unit_column);
    if (x->c_code != (size_t)-1 && x->c_name != (size_t)-1)
        return CIV_OK;
    if (code != (size_t)-1 && name != (size_t)-1) { /* a table of units none of which the actuals have: no names */
        x->c_code = code, x->c_name = name, x->prefix = 0;
        return CIV_OK;
    }
    civ_where w = {.file = x->source, .line = 1};
    return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w, "the units' names need either the columns '%s' (the units' codes, "
                       "as the actuals write them) and 'name', or a communities table: 'unique_id' (ids starting with "
                       "the unit's code and '-', D01-S01-C001) and '%s' (the unit's name)", sp->unit_column,
                       sp->scope);
}

civ_status civ_monitor_unit_names(const civ_monitor *mon, const civ_table *names, const char *source,
                                  civ_table **out)
{
    if (!mon || !names || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_monitor_unit_names: NULL argument");
    *out = NULL;
    names_ctx x = {.t = names, .source = source ? source : "(names)"};
    civ_table *t = NULL;
    static const char *const cols[] = {"scope", "unit", "name"};
    static const civ_column_type types[] = {CIV_COLUMN_TEXT, CIV_COLUMN_TEXT, CIV_COLUMN_TEXT};
    civ_status s = find_form(mon, &x);
    if (!s)
        s = civ_table_create(&t);
    if (!s)
        s = civ_mon_add_columns(t, cols, types, 3);
    const char *prev = NULL;
    for (size_t i = 0; !s && i < mon->n_series && !mon->series[i].scope; i++) { /* units first, by unit */
        const char *unit = mon->series[i].unit, *name = NULL;
        if (prev && !strcmp(prev, unit))
            continue;
        prev = unit;
        size_t r;
        s = name_of(&x, unit, &name);
        if (!s && name && !(s = civ_table_add_rows(t, 1, &r))) {
            s = civ_table_set_text(t, r, 0, civ_mon_scope_name(mon, 0));
            s = s ? s : civ_table_set_text(t, r, 1, unit);
            s = s ? s : civ_table_set_text(t, r, 2, name);
        }
    }
    if (s) {
        civ_table_free(t);
        return s;
    }
    *out = t;
    return CIV_OK;
}
