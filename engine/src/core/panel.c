/*
 * panel.c -- layer: core.  civ_panel: many series of one frequency, with covariates and
 * static attributes.
 *
 * Values of all series sit back to back in one array with an offsets index
 * (like a CSR matrix), so the whole panel is two zero-copy arrays for the
 * bindings and a series is a pointer plus a length for the models.
 */
#include "panel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "table.h"
#include "text.h"

static civ_status append_series(civ_panel *panel, const char *id, int64_t start, const double *values, size_t n,
                                size_t *index);
static civ_status add_series_checked(civ_panel *panel, const char *id, int64_t start, const double *values, size_t n,
                                     size_t *index, int trim);

civ_status civ_panel_create(civ_frequency freq, civ_panel **out)
{
    if (!out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_create: out is NULL");
    *out = NULL;
    if (freq < CIV_FREQ_YEARLY || freq > CIV_FREQ_DAILY)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_create: unknown frequency %d", (int)freq);
    civ_panel *p = calloc(1, sizeof *p);
    if (!p || !(p->offsets = calloc(1, sizeof *p->offsets))) {
        free(p);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory creating a panel");
    }
    p->freq = freq;
    *out = p;
    return CIV_OK;
}

void civ_panel_free(civ_panel *panel)
{
    if (!panel)
        return;
    for (size_t i = 0; i < panel->n_series; i++)
        free(panel->ids[i]);
    free(panel->ids);
    free(panel->starts);
    free(panel->offsets);
    free(panel->values);
    civ_strmap_free(&panel->id_index);
    for (size_t k = 0; k < panel->n_covariates; k++) {
        civ_panel_covariate_store *c = &panel->covariates[k];
        for (size_t i = 0; i < panel->n_series; i++)
            free(c->values[i]);
        free(c->values);
        free(c->len);
        free(c->name);
    }
    free(panel->covariates);
    civ_strmap_free(&panel->covariate_index);
    civ_table_free(panel->attributes);
    free(panel);
}

size_t civ_panel_long_span(const civ_panel *panel, size_t i)
{
    size_t rows = panel->offsets[i + 1] - panel->offsets[i];
    for (size_t k = 0; k < panel->n_covariates; k++)
        if (panel->covariates[k].len[i] > rows)
            rows = panel->covariates[k].len[i];
    return rows;
}

int64_t civ_panel_next_period(const civ_panel *panel, size_t i, int64_t *end)
{
    size_t a = panel->offsets[i], b = panel->offsets[i + 1], v = a;
    while (v < b && isnan(panel->values[v]))
        v++;
    if (v < b)
        return panel->starts[i] + (int64_t)(b - a);
    if (*end == INT64_MIN) /* the last period of any series with a value: once, on the first empty series */
        for (size_t k = 0; k < panel->n_series; k++) {
            size_t n = panel->offsets[k + 1] - panel->offsets[k];
            if (n && panel->starts[k] + (int64_t)n - 1 > *end)
                *end = panel->starts[k] + (int64_t)n - 1;
        }
    return *end == INT64_MIN ? panel->starts[i] + (int64_t)(b - a) : *end + 1;
}

int civ_panel_long_row(const civ_panel *panel, size_t i, size_t t)
{
    if (t < panel->offsets[i + 1] - panel->offsets[i])
        return 1;
    for (size_t k = 0; k < panel->n_covariates; k++)
        if (t < panel->covariates[k].len[i] && !isnan(panel->covariates[k].values[i][t]))
            return 1;
    return 0;
}

civ_status civ_panel_prefixes(const civ_panel *panel, const size_t *lengths, civ_panel **out)
{
    if (!panel || !lengths || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_prefixes: NULL argument");
    civ_panel *p = NULL;
    civ_status st = civ_panel_create(panel->freq, &p);
    if (st)
        return st;
    p->phase = panel->phase;
    p->style = panel->style;
    size_t total = 0;
    for (size_t i = 0; i < panel->n_series; i++) {
        size_t n = panel->offsets[i + 1] - panel->offsets[i];
        total += lengths[i] < n ? lengths[i] : n;
    }
    if ((st = civ_panel_reserve(p, panel->n_series, total)))
        goto fail;
    for (size_t i = 0; i < panel->n_series; i++) {
        size_t n = panel->offsets[i + 1] - panel->offsets[i];
        const double *y = panel->values ? panel->values + panel->offsets[i] : NULL;
        if ((st = append_series(p, panel->ids[i], panel->starts[i], y, lengths[i] < n ? lengths[i] : n, NULL)))
            goto fail;
    }
    *out = p;
    return CIV_OK;
fail:
    civ_panel_free(p);
    return st;
}

civ_status civ_panel_cut(const civ_panel *panel, int64_t last, unsigned char *absent, civ_panel **out)
{
    if (!panel || !absent || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_cut: NULL argument");
    civ_panel *p = NULL;
    civ_status st = civ_panel_create(panel->freq, &p);
    if (st)
        return st;
    p->phase = panel->phase;
    p->style = panel->style;
    static const double zero = 0.0;
    if ((st = civ_panel_reserve(p, panel->n_series, panel->offsets[panel->n_series] + panel->n_series)))
        goto fail;
    for (size_t i = 0; i < panel->n_series && !st; i++) {
        size_t n = panel->offsets[i + 1] - panel->offsets[i];
        long long c = (long long)(last - panel->starts[i]) + 1; /* its values up to `last` */
        absent[i] = c < 1;
        if (c < 1)
            st = append_series(p, panel->ids[i], last, &zero, 1, NULL);
        else
            st = append_series(p, panel->ids[i], panel->starts[i], panel->values + panel->offsets[i],
                               (size_t)c < n ? (size_t)c : n, NULL);
    }
    if (st)
        goto fail;
    *out = p;
    return CIV_OK;
fail:
    civ_panel_free(p);
    return st;
}

civ_frequency civ_panel_frequency(const civ_panel *panel) { return panel ? panel->freq : CIV_FREQ_UNKNOWN; }
int civ_panel_phase(const civ_panel *panel) { return panel ? panel->phase : 0; }

civ_status civ_panel_set_phase(civ_panel *panel, int phase)
{
    if (!panel || phase < 0 || phase > 6)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_set_phase: phase must be 0..6");
    panel->phase = panel->freq == CIV_FREQ_WEEKLY ? phase : 0;
    return CIV_OK;
}

civ_date_style civ_panel_date_style(const civ_panel *panel)
{
    civ_date_style none = {CIV_ANCHOR_PERIOD, 0};
    return panel ? panel->style : none;
}

civ_status civ_panel_set_date_style(civ_panel *panel, civ_date_style style)
{
    if (!panel || style.anchor < CIV_ANCHOR_PERIOD || style.anchor > CIV_ANCHOR_END ||
        (style.time_sep != 0 && style.time_sep != ' ' && style.time_sep != 'T'))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT,
                        "civ_panel_set_date_style: anchor must be PERIOD, START or END and time_sep 0, ' ' or 'T'");
    panel->style = style;
    return CIV_OK;
}

civ_status civ_panel_reserve(civ_panel *p, size_t n_series, size_t n_values)
{
    if (n_series > p->series_capacity) {
        size_t cap = p->series_capacity ? p->series_capacity : 16;
        while (cap < n_series)
            cap *= 2;
        char **ids = realloc(p->ids, cap * sizeof *ids);
        if (ids)
            p->ids = ids;
        int64_t *starts = realloc(p->starts, cap * sizeof *starts);
        if (starts)
            p->starts = starts;
        size_t *offsets = realloc(p->offsets, (cap + 1) * sizeof *offsets);
        if (offsets)
            p->offsets = offsets;
        if (!ids || !starts || !offsets)
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for %zu series", cap);
        for (size_t k = 0; k < p->n_covariates; k++) {
            civ_panel_covariate_store *c = &p->covariates[k];
            double **v = realloc(c->values, cap * sizeof *v);
            if (v)
                c->values = v;
            size_t *len = realloc(c->len, cap * sizeof *len);
            if (len)
                c->len = len;
            if (!v || !len)
                return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for covariate '%s'", c->name);
        }
        p->series_capacity = cap;
    }
    if (n_values > p->values_capacity) {
        size_t cap = p->values_capacity ? p->values_capacity : 256;
        while (cap < n_values)
            cap *= 2;
        double *v = realloc(p->values, cap * sizeof *v);
        if (!v)
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for %zu values", cap);
        p->values = v;
        p->values_capacity = cap;
    }
    return CIV_OK;
}

civ_status civ_panel_add_series(civ_panel *panel, const char *id, int64_t start, const double *values, size_t n,
                                size_t *index)
{
    return add_series_checked(panel, id, start, values, n, index, 1);
}

civ_status civ_panel_add_series_grid(civ_panel *panel, const char *id, int64_t start, const double *values, size_t n)
{
    return add_series_checked(panel, id, start, values, n, NULL, 0);
}

/* civ_panel_add_series's checks, then the series with its trailing NaN cut off (trim) or kept. */
static civ_status add_series_checked(civ_panel *panel, const char *id, int64_t start, const double *values, size_t n,
                                     size_t *index, int trim)
{
    if (!panel || !id || !id[0])
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_add_series: NULL panel or empty id");
    if (!values && n > 0) {
        civ_where w = {.series_id = id};
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "civ_panel_add_series: NULL values with n = %zu", n);
    }
    for (size_t t = 0; t < n; t++)
        if (fabs(values[t]) > CIV_VALUE_LIMIT) {
            civ_where w = {.series_id = id, .field = "y"};
            return civ_fail_at(CIV_ERR_DOMAIN, &w, "value %zu (%g) is beyond %g in magnitude, civicast's range for "
                               "a series' values: a typo?", t + 1, values[t], CIV_VALUE_LIMIT);
        }
    /* A series ends at its last observed value (issue 12): trailing NaN are
     * not observations, whichever client built the panel. */
    while (trim && n && isnan(values[n - 1]))
        n--;
    return append_series(panel, id, start, values, n, index);
}

/* Appends a checked series as it is (civ_panel_add_series after its checks;
 * civ_panel_prefixes, whose prefixes keep a trailing NaN as the backtest
 * window they stand for does). */
static civ_status append_series(civ_panel *panel, const char *id, int64_t start, const double *values, size_t n,
                                size_t *index)
{
    if (civ_strmap_get(&panel->id_index, id, NULL)) {
        civ_where w = {.series_id = id};
        return civ_fail_at(CIV_ERR_DUPLICATE, &w, "series '%s' already exists%s", id,
                           civ_excel_scientific_id_hint(id));
    }
    size_t total = panel->offsets[panel->n_series];
    if (n > SIZE_MAX / 16 - total)
        return civ_fail(CIV_ERR_LIMIT, "panel would exceed the addressable number of values");
    civ_status s = civ_panel_reserve(panel, panel->n_series + 1, total + n);
    if (s)
        return s;
    char *copy = strdup(id);
    if (!copy)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory copying a series id");
    size_t i = panel->n_series;
    s = civ_strmap_put(&panel->id_index, copy, i, NULL);
    if (s) {
        free(copy);
        return s;
    }
    panel->ids[i] = copy;
    panel->starts[i] = start;
    if (n)
        memcpy(panel->values + total, values, n * sizeof *values);
    panel->offsets[i + 1] = total + n;
    for (size_t k = 0; k < panel->n_covariates; k++) {
        panel->covariates[k].values[i] = NULL;
        panel->covariates[k].len[i] = 0;
    }
    panel->n_series++;
    if (index)
        *index = i;
    return CIV_OK;
}

size_t civ_panel_n_series(const civ_panel *panel) { return panel ? panel->n_series : 0; }

const char *civ_panel_series_id(const civ_panel *panel, size_t i)
{
    return panel && i < panel->n_series ? panel->ids[i] : NULL;
}

civ_status civ_panel_find_series(const civ_panel *panel, const char *id, size_t *i)
{
    if (!panel || !id)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_find_series: NULL argument");
    if (!civ_strmap_get(&panel->id_index, id, i)) {
        civ_where w = {.series_id = id};
        return civ_fail_at(CIV_ERR_NOT_FOUND, &w, "no series '%s' in the panel", id);
    }
    return CIV_OK;
}

civ_status civ_panel_series(const civ_panel *panel, size_t i, const double **values, size_t *n, int64_t *start)
{
    if (!panel || i >= panel->n_series)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_series: index %zu out of range (%zu series)", i,
                        panel ? panel->n_series : 0);
    if (values)
        *values = panel->values ? panel->values + panel->offsets[i] : NULL; /* no NULL + 0 */
    if (n)
        *n = panel->offsets[i + 1] - panel->offsets[i];
    if (start)
        *start = panel->starts[i];
    return CIV_OK;
}

civ_status civ_panel_values(const civ_panel *panel, const double **values, const size_t **offsets)
{
    if (!panel)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_values: panel is NULL");
    if (values)
        *values = panel->values;
    if (offsets)
        *offsets = panel->offsets;
    return CIV_OK;
}

civ_status civ_panel_add_covariate(civ_panel *panel, const char *name, size_t *k)
{
    if (!panel || !name || !name[0])
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_add_covariate: NULL panel or empty name");
    if (!strcmp(name, "y") || !strcmp(name, "ds") || !strcmp(name, "unique_id")) {
        civ_where w = {.field = name};
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "'%s' is reserved and cannot name a covariate", name);
    }
    /* Names go through a hash set so that a panel of many covariates (a wide
     * CSV header) is built in linear time. */
    if (civ_strmap_get(&panel->covariate_index, name, NULL)) {
        civ_where w = {.field = name};
        return civ_fail_at(CIV_ERR_DUPLICATE, &w, "covariate '%s' already exists", name);
    }
    if (panel->n_covariates == panel->covariates_capacity) {
        size_t cap = panel->covariates_capacity ? 2 * panel->covariates_capacity : 4;
        civ_panel_covariate_store *cs = realloc(panel->covariates, cap * sizeof *cs);
        if (!cs)
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory adding covariate '%s'", name);
        panel->covariates = cs;
        panel->covariates_capacity = cap;
    }
    civ_panel_covariate_store c = {0};
    size_t cap = panel->series_capacity ? panel->series_capacity : 1;
    c.name = strdup(name);
    c.values = calloc(cap, sizeof *c.values);
    c.len = calloc(cap, sizeof *c.len);
    if (!c.name || !c.values || !c.len ||
        civ_strmap_put(&panel->covariate_index, c.name, panel->n_covariates, NULL) != CIV_OK) {
        free(c.name);
        free(c.values);
        free(c.len);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory adding covariate '%s'", name);
    }
    panel->covariates[panel->n_covariates] = c;
    if (k)
        *k = panel->n_covariates;
    panel->n_covariates++;
    return CIV_OK;
}

size_t civ_panel_n_covariates(const civ_panel *panel) { return panel ? panel->n_covariates : 0; }

const char *civ_panel_covariate_name(const civ_panel *panel, size_t k)
{
    return panel && k < panel->n_covariates ? panel->covariates[k].name : NULL;
}

civ_status civ_panel_find_covariate(const civ_panel *panel, const char *name, size_t *k)
{
    if (!panel || !name)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_find_covariate: NULL argument");
    size_t j;
    if (civ_strmap_get(&panel->covariate_index, name, &j)) {
        if (k)
            *k = j;
        return CIV_OK;
    }
    civ_where w = {.field = name};
    return civ_fail_at(CIV_ERR_NOT_FOUND, &w, "no covariate named '%s'", name);
}

civ_status civ_panel_set_covariate_owned(civ_panel *panel, size_t i, size_t k, double *values, size_t len)
{
    if (!panel || i >= panel->n_series || k >= panel->n_covariates || (!values && len)) {
        free(values);
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_set_covariate: bad series %zu or covariate %zu", i, k);
    }
    civ_panel_covariate_store *c = &panel->covariates[k];
    free(c->values[i]);
    c->values[i] = len ? values : NULL;
    if (!len)
        free(values);
    c->len[i] = len;
    return CIV_OK;
}

civ_status civ_panel_set_covariate(civ_panel *panel, size_t i, size_t k, const double *values, size_t len)
{
    if (!panel || i >= panel->n_series || k >= panel->n_covariates || (!values && len))
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_set_covariate: bad series %zu or covariate %zu", i, k);
    for (size_t t = 0; t < len; t++)
        if (fabs(values[t]) > CIV_VALUE_LIMIT) {
            civ_where w = {.series_id = panel->ids[i], .field = panel->covariates[k].name};
            return civ_fail_at(CIV_ERR_DOMAIN, &w, "covariate value %zu (%g) is beyond %g in magnitude: a typo?",
                               t + 1, values[t], CIV_VALUE_LIMIT);
        }
    double *copy = NULL;
    if (len) {
        copy = malloc(len * sizeof *copy);
        if (!copy)
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for a covariate of %zu values", len);
        memcpy(copy, values, len * sizeof *copy);
    }
    return civ_panel_set_covariate_owned(panel, i, k, copy, len);
}

civ_status civ_panel_covariate(const civ_panel *panel, size_t i, size_t k, const double **values, size_t *len)
{
    if (!panel || i >= panel->n_series || k >= panel->n_covariates)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_covariate: bad series %zu or covariate %zu", i, k);
    if (values)
        *values = panel->covariates[k].values[i];
    if (len)
        *len = panel->covariates[k].len[i];
    return CIV_OK;
}

civ_status civ_panel_set_attributes(civ_panel *panel, civ_table *attributes)
{
    if (!panel || !attributes)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_set_attributes: NULL argument");
    size_t key;
    civ_status s = civ_table_find_column(attributes, "unique_id", &key);
    if (s) {
        civ_where w = {.field = "unique_id"};
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w, "attribute table has no 'unique_id' column");
    }
    if (civ_table_column_type(attributes, key) != CIV_COLUMN_TEXT)
        return civ_fail(CIV_ERR_SCHEMA, "attribute column 'unique_id' must be text");
    s = civ_table_index(attributes, key);
    if (s)
        return s;
    civ_table_free(panel->attributes);
    panel->attributes = attributes;
    return CIV_OK;
}

const civ_table *civ_panel_attributes(const civ_panel *panel) { return panel ? panel->attributes : NULL; }

civ_status civ_panel_summarize(const civ_panel *panel, civ_panel_summary *out)
{
    if (!panel || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_summarize: NULL argument");
    memset(out, 0, sizeof *out);
    out->n_series = panel->n_series;
    out->n_values = panel->offsets[panel->n_series];
    for (size_t v = 0; v < out->n_values; v++)
        out->n_missing += isnan(panel->values[v]) != 0;
    for (size_t i = 0; i < panel->n_series; i++) {
        size_t n = panel->offsets[i + 1] - panel->offsets[i];
        int64_t first = panel->starts[i], last = first + (int64_t)n - 1;
        if (i == 0 || n < out->min_length)
            out->min_length = n;
        if (n > out->max_length)
            out->max_length = n;
        if (i == 0 || first < out->first_period)
            out->first_period = first;
        if (i == 0 || last > out->last_period)
            out->last_period = last;
        for (size_t k = 0; k < panel->n_covariates; k++)
            if (panel->covariates[k].len[i] > n) {
                out->n_future++;
                break;
            }
    }
    out->n_covariates = panel->n_covariates;
    if (panel->attributes) {
        out->n_attributes = civ_table_n_columns(panel->attributes) - 1;
        out->n_attribute_rows = civ_table_n_rows(panel->attributes);
    }
    return CIV_OK;
}

civ_status civ_ids_split_by_spaces(char *const *ids, size_t n, const civ_strmap *index, const char *file,
                                   const char *field)
{
    for (size_t i = 0; i < n; i++) {
        const char *id = ids[i];
        size_t len = strlen(id), a = 0, b = len;
        while (a < b && (id[a] == ' ' || id[a] == '\t'))
            a++;
        while (b > a && (id[b - 1] == ' ' || id[b - 1] == '\t'))
            b--;
        if ((!a && b == len) || a == b)
            continue;
        char trimmed[256];
        size_t j;
        if (b - a >= sizeof trimmed)
            continue;
        memcpy(trimmed, id + a, b - a);
        trimmed[b - a] = '\0';
        if (!civ_strmap_get(index, trimmed, &j))
            continue;
        civ_where w = {.file = file, .series_id = id, .field = field};
        return civ_fail_at(CIV_ERR_DUPLICATE, &w,
                           "series '%s' and '%s' differ only by spaces around the id: one community split in two; "
                           "delete the spaces (in Excel, =TRIM() or Find and Replace)",
                           id, ids[j]);
    }
    return CIV_OK;
}

civ_status civ_panel_whole_float_ids(civ_panel *panel)
{
    if (!panel || !civ_whole_float_ids((const char *const *)panel->ids, panel->n_series))
        return CIV_OK;
    size_t n = panel->n_series;
    unsigned char *cut = calloc(n ? n : 1, 1);
    if (!cut)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory renaming series ids");
    civ_strmap map = {0};
    civ_status s = CIV_OK;
    for (size_t i = 0; i < n && !s; i++) {
        size_t len = civ_whole_float_id_len(panel->ids[i]), j;
        if (len)
            panel->ids[i][len] = '\0', cut[i] = 1;
        if ((s = civ_strmap_put(&map, panel->ids[i], i, &j)) == CIV_ERR_DUPLICATE) {
            if (len)
                panel->ids[i][len] = '.';
            size_t lj = strlen(panel->ids[j]);
            if (cut[j])
                panel->ids[j][lj] = '.';
            civ_where w = {.series_id = panel->ids[i], .field = "unique_id"};
            s = civ_fail_at(CIV_ERR_DUPLICATE, &w,
                            "series '%s' and '%s' are one code: the ids are integers written by pandas as floats "
                            "(310101001.0 for 310101001, as df.to_csv writes an integer column with gaps), so "
                            "'%.*s' is read for both; merge the two series, or convert the column with "
                            "df['unique_id'].astype('Int64') before writing",
                            panel->ids[j], panel->ids[i], (int)lj, panel->ids[j]);
            if (len)
                panel->ids[i][len] = '\0';
            if (cut[j])
                panel->ids[j][lj] = '\0';
        }
    }
    free(cut);
    if (s) {
        civ_strmap_free(&map);
        return s;
    }
    civ_strmap_free(&panel->id_index);
    panel->id_index = map;
    return CIV_OK;
}
