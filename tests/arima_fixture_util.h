/*
 * arima_fixture_util.h -- tiny CSV readers shared by the ARIMA tests
 * (test_arima.c, test_unit_root.c): the reference series of
 * tests/fixtures/ref_series.csv and the long-format rows of
 * tests/fixtures/ref_arima_extra.csv (bench/r_arima_fixtures.R).
 * Header-only (static inline functions); test code, not part of the library.
 */
#ifndef CIV_ARIMA_FIXTURE_UTIL_H
#define CIV_ARIMA_FIXTURE_UTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fx_series {
    char id[64];
    int freq;
    double *y;
    size_t n, cap;
} fx_series;

typedef struct fx_row {
    char id[64], spec[96], quantity[32];
    char *values;
} fx_row;

static inline char *fx_read_file(const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", CIV_SOURCE_DIR, rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)len + 1);
    if (b && fread(b, 1, (size_t)len, f) != (size_t)len) {
        free(b);
        b = NULL;
    }
    if (b)
        b[len] = 0;
    fclose(f);
    return b;
}

/* Splits a CSV line honouring double quotes (no escaped quotes needed). */
static inline int fx_split(char *line, char **fields, int maxf)
{
    int nf = 0;
    char *p = line;
    while (nf < maxf) {
        if (*p == '"') {
            p++;
            fields[nf++] = p;
            while (*p && *p != '"')
                p++;
            if (*p == '"')
                *p++ = 0;
        } else {
            fields[nf++] = p;
            while (*p && *p != ',' && *p != '\r')
                p++;
        }
        if (*p == ',') {
            *p++ = 0;
            continue;
        }
        *p = 0;
        break;
    }
    return nf;
}

static inline double fx_num(const char *s)
{
    while (s && *s == ' ')
        s++;
    if (!s || !*s || strcmp(s, "NA") == 0)
        return NAN;
    return strtod(s, NULL);
}

static inline int fx_vec(const char *s, double *out, int cap)
{
    int k = 0;
    while (s && *s && k < cap) {
        out[k++] = fx_num(s);
        s = strchr(s, ';');
        if (s)
            s++;
    }
    return k;
}

/* Loads every series; returns the count (0 on failure). */
static inline size_t fx_load_series(fx_series **out)
{
    char *buf = fx_read_file("tests/fixtures/ref_series.csv");
    if (!buf)
        return 0;
    size_t ns = 0, cap = 512;
    fx_series *ss = calloc(cap, sizeof *ss);
    char *save = NULL, *line = strtok_r(buf, "\n", &save);
    for (line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[6];
        if (fx_split(line, f, 6) < 4)
            continue;
        fx_series *s = ns ? &ss[ns - 1] : NULL;
        if (!s || strcmp(s->id, f[0]) != 0) {
            if (ns == cap)
                break;
            s = &ss[ns++];
            snprintf(s->id, sizeof s->id, "%s", f[0]);
            s->freq = atoi(f[1]);
        }
        if (s->n == s->cap) {
            s->cap = s->cap ? 2 * s->cap : 64;
            s->y = realloc(s->y, s->cap * sizeof *s->y);
        }
        s->y[s->n++] = fx_num(f[3]);
    }
    free(buf);
    *out = ss;
    return ns;
}

static inline fx_series *fx_find(fx_series *ss, size_t ns, const char *id)
{
    for (size_t i = 0; i < ns; i++)
        if (strcmp(ss[i].id, id) == 0)
            return &ss[i];
    return NULL;
}

/* Loads ref_arima_extra.csv rows; *buf keeps the storage (free it). */
static inline size_t fx_load_extra(fx_row **out, char **buf)
{
    *buf = fx_read_file("tests/fixtures/ref_arima_extra.csv");
    if (!*buf)
        return 0;
    size_t n = 0, cap = 1024;
    fx_row *rows = calloc(cap, sizeof *rows);
    char *save = NULL, *line = strtok_r(*buf, "\n", &save);
    for (line = strtok_r(NULL, "\n", &save); line && n < cap; line = strtok_r(NULL, "\n", &save)) {
        char *f[5];
        if (fx_split(line, f, 5) < 4)
            continue;
        snprintf(rows[n].id, sizeof rows[n].id, "%s", f[0]);
        snprintf(rows[n].spec, sizeof rows[n].spec, "%s", f[1]);
        snprintf(rows[n].quantity, sizeof rows[n].quantity, "%s", f[2]);
        rows[n].values = f[3];
        n++;
    }
    *out = rows;
    return n;
}

static inline const char *fx_get(const fx_row *rows, size_t n, const char *id, const char *spec, const char *q)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(rows[i].id, id) == 0 && strcmp(rows[i].spec, spec) == 0 && strcmp(rows[i].quantity, q) == 0)
            return rows[i].values;
    return NULL;
}

#endif
