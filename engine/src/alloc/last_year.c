/*
 * last_year.c -- alloc layer: last year's allocation as an input
 * (civ_alloc_spec_set_last_year; docs/ALLOCATION.md "Last year's allocation"): the table civicast wrote last
 * year, copied into the spec, and what binding does with it: blank last-year cells taken from it, cells that
 * differ from it refused, splits checked part by part, and last year's communities no one continues named as
 * closed.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "c_locale.h"
#include "table.h"

void civ_alloc_last_year_free(civ_alloc_last_year *ly)
{
    if (!ly)
        return;
    free(ly->source), free(ly->ids), free(ly->names), free(ly->block), free(ly->row), free(ly->line);
    for (size_t k = 0; k < ly->n_cols; k++)
        free(ly->cols[k]), free(ly->heads ? ly->heads[k] : NULL);
    free(ly->cols), free(ly->heads), free(ly->col_no), free(ly->values);
    free(ly);
}

/* qsort has no context argument; thread-local keeps concurrent calls apart */
static _Thread_local const civ_table *sort_table;
static _Thread_local size_t sort_col;
static int cmp_rows(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcmp(civ_table_text(sort_table, x, sort_col), civ_table_text(sort_table, y, sort_col));
    return c ? c : (x < y ? -1 : x > y);
}

/* "FILE:LINE" (or "data row N" of a table from memory, "row N" counted from 0 of a DataFrame) of sorted row
 * j. */
static void ly_place(const civ_alloc_last_year *ly, size_t j, char *buf, size_t size)
{
    if (ly->line[j])
        civ_snprintf(buf, size, "%s:%ld", ly->source, ly->line[j]);
    else
        civ_snprintf(buf, size, "%s%s%srow %zu", ly->source, *ly->source ? ", " : "", ly->first_row ? "data " : "",
                     ly->row[j] + (size_t)ly->first_row);
}

/* mapped[k] (may be NULL): column k's machine name when its header is a workbook's (last_year_book.c). */
static civ_status copy_table(civ_alloc_last_year *ly, const civ_table *t, size_t idc, char *const *mapped)
{
    size_t n = civ_table_n_rows(t), nc = civ_table_n_columns(t), namec = SIZE_MAX, bytes = 0;
    for (size_t k = 0; k < nc && namec == SIZE_MAX; k++)
        if (!strcmp(mapped && mapped[k] ? mapped[k] : civ_table_column_name(t, k), "name") &&
            civ_table_column_type(t, k) == CIV_COLUMN_TEXT)
            namec = k;
    const char *src = civ_table_source(t, &ly->first_row);
    ly->source = strdup(src ? src : "");
    ly->ids = calloc(n ? n : 1, sizeof *ly->ids);
    ly->names = calloc(n ? n : 1, sizeof *ly->names);
    ly->row = malloc((n ? n : 1) * sizeof *ly->row);
    ly->line = calloc(n ? n : 1, sizeof *ly->line);
    ly->cols = calloc(nc ? nc : 1, sizeof *ly->cols);
    ly->heads = calloc(nc ? nc : 1, sizeof *ly->heads);
    ly->col_no = calloc(nc ? nc : 1, sizeof *ly->col_no);
    if (!ly->source || !ly->ids || !ly->names || !ly->row || !ly->line || !ly->cols || !ly->heads || !ly->col_no)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory copying last year's allocation");
    for (size_t r = 0; r < n; r++) {
        const char *id = civ_table_text(t, r, idc), *nm = namec != SIZE_MAX ? civ_table_text(t, r, namec) : NULL;
        bytes += strlen(id ? id : "") + strlen(nm ? nm : "") + 2;
        ly->row[r] = r;
    }
    sort_table = t, sort_col = idc;
    qsort(ly->row, n, sizeof *ly->row, cmp_rows);
    if (!(ly->block = malloc(bytes ? bytes : 1)))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory copying last year's allocation");
    char *dst = ly->block;
    ly->n = n;
    for (size_t j = 0; j < n; j++) {
        size_t r = ly->row[j];
        const char *id = civ_table_text(t, r, idc), *nm = namec != SIZE_MAX ? civ_table_text(t, r, namec) : NULL;
        ly->line[j] = civ_table_row_line(t, r);
        ly->ids[j] = strcpy(dst, id ? id : ""), dst += strlen(dst) + 1;
        ly->names[j] = strcpy(dst, nm ? nm : ""), dst += strlen(dst) + 1;
        char at[600];
        if (!*ly->ids[j] || (j && !strcmp(ly->ids[j], ly->ids[j - 1]))) {
            ly_place(ly, j, at, sizeof at);
            civ_where w = {.file = ly->source, .line = ly->line[j], .column = ly->line[j] ? (long)idc + 1 : 0,
                           .series_id = ly->ids[j], .field = civ_table_column_name(t, idc)};
            return civ_fail_at(CIV_ERR_DOMAIN, &w,
                               *ly->ids[j] ? "last year's allocation (%s): community '%s' has two rows: one row per "
                                             "community, as civicast's allocation has"
                                           : "last year's allocation (%s): a row without an id%s: give every row its "
                                             "community's id",
                               at, ly->ids[j]);
        }
    }
    for (size_t k = 0; k < nc; k++)
        if (k != idc && civ_table_column_type(t, k) == CIV_COLUMN_NUMBER)
            ly->n_cols++;
    if (!(ly->values = malloc((ly->n_cols ? ly->n_cols : 1) * (n ? n : 1) * sizeof *ly->values)))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory copying last year's allocation");
    size_t m = 0;
    for (size_t k = 0; k < nc; k++) {
        if (k == idc || civ_table_column_type(t, k) != CIV_COLUMN_NUMBER)
            continue;
        if (!(ly->cols[m] = strdup(mapped && mapped[k] ? mapped[k] : civ_table_column_name(t, k))) ||
            (mapped && mapped[k] && !(ly->heads[m] = strdup(civ_table_column_name(t, k)))))
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory copying last year's allocation");
        ly->col_no[m] = k + 1;
        const double *v = civ_table_numbers(t, k);
        for (size_t j = 0; j < n; j++)
            ly->values[m * n + j] = v[ly->row[j]];
        m++;
    }
    return CIV_OK;
}

civ_status civ_alloc_spec_set_last_year(civ_alloc_spec *spec, const civ_table *t)
{
    if (!spec)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_spec_set_last_year: NULL spec");
    if (!t) {
        civ_alloc_last_year_free(spec->ly);
        spec->ly = NULL;
        return CIV_OK;
    }
    size_t idc = SIZE_MAX, nc = civ_table_n_columns(t);
    const char *src = civ_table_source(t, NULL);
    /* the allocation sheet of the plan's workbook (allocation.xlsx): its headers read back as the names */
    int lang = civ_alloc_book_language(t);
    char **mapped = NULL;
    civ_status st = lang >= 0 ? civ_alloc_book_unlabel(spec, t, lang, &mapped) : CIV_OK;
    if (st)
        return st;
    for (size_t k = 0; k < nc && mapped; k++)
        if (mapped[k] && !strcmp(mapped[k], "unique_id"))
            idc = k;
    if (idc == SIZE_MAX &&
        (civ_table_find_column(t, spec->id_column, &idc) && civ_table_find_column(t, "unique_id", &idc)))
        idc = SIZE_MAX;
    if (idc == SIZE_MAX || civ_table_column_type(t, idc) != CIV_COLUMN_TEXT) {
        civ_alloc_book_names_free(mapped, nc);
        civ_where w = {.file = src, .field = spec->id_column};
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w,
                           "last year's allocation%s%s has no text id column '%s' (nor unique_id, nor the plan's "
                           "workbook's 社区编号 / Community id): give the allocation civicast wrote last year (its "
                           "allocation.csv or allocation.xlsx), or a sheet of the same shape",
                           src ? " " : "", src ? src : "", spec->id_column);
    }
    civ_alloc_last_year *ly = calloc(1, sizeof *ly);
    if (!ly) {
        civ_alloc_book_names_free(mapped, nc);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory copying last year's allocation");
    }
    ly->lang = lang;
    /* the workbook the office keeps and edits, and the CSV alike: an amount edited in one unit only is refused */
    st = civ_alloc_book_check(spec, t, mapped, idc, "last year's allocation");
    if (!st)
        st = copy_table(ly, t, idc, mapped);
    civ_alloc_book_names_free(mapped, nc);
    if (st) {
        civ_alloc_last_year_free(ly);
        return st;
    }
    civ_alloc_last_year_free(spec->ly);
    spec->ly = ly;
    return CIV_OK;
}

static int cmp_id_key(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(const char *const *)elem);
}

/* Sorted row of `id` in the file, or SIZE_MAX. */
static size_t ly_find(const civ_alloc_last_year *ly, const char *id)
{
    const char *const *hit = bsearch(id, ly->ids, ly->n, sizeof *ly->ids, cmp_id_key);
    return hit ? (size_t)(hit - (const char *const *)ly->ids) : SIZE_MAX;
}

/* v minor units as major units with thousands separators: 300000.00 yuan is "300,000.00" (alloc.h). */
void civ_alloc_money_text(char *buf, size_t size, int64_t v, int64_t unit)
{
    uint64_t a = v < 0 ? (uint64_t)-(v + 1) + 1 : (uint64_t)v, whole = a / (uint64_t)unit;
    int digits = unit >= 1000 ? 3 : unit >= 100 ? 2 : unit >= 10 ? 1 : 0;
    char w[24], g[32]; /* 20 digits and 6 separators at most */
    int n = civ_snprintf(w, sizeof w, "%llu", (unsigned long long)whole), k = 0;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            g[k++] = ',';
        g[k++] = w[i];
    }
    g[k] = 0;
    if (digits)
        civ_snprintf(buf, size, "%s%s.%0*llu", v < 0 ? "-" : "", g, digits, (unsigned long long)(a % (uint64_t)unit));
    else
        civ_snprintf(buf, size, "%s%s", v < 0 ? "-" : "", g);
}

/* Amount x (row j, column k of the file, read as want[w], times scale) is no
 * whole non-negative number of minor units: refused at its cell with the cure. */
static civ_status bad_amount(const civ_alloc_problem *p, size_t u, size_t k, size_t j, double x, double scale, int w,
                             const char *want0)
{
    const civ_alloc_spec *s = p->spec;
    const civ_alloc_last_year *ly = s->ly;
    const char *mi = civ_alloc_minor_name(s);
    char at[600], why[800];
    ly_place(ly, j, at, sizeof at);
    civ_where e = {.file = ly->source, .line = ly->line[j],
                   .column = ly->line[j] ? (long)ly->col_no[k] : 0, .series_id = ly->ids[j],
                   .field = ly->heads[k] ? ly->heads[k] : ly->cols[k]};
    if (isfinite(x) && x >= 0 && w == 1) {
        civ_snprintf(why, sizeof why, "%.15g, with more than the currency's %d decimals: round it to "
                     "the %s in the sheet (Excel: =ROUND(cell, %d)); civicast does not round money",
                     x / scale, s->minor_digits, mi, s->minor_digits);
    } else if (isfinite(x) && x >= 0) { /* 115251.82 under pool_<fund>_fen: yuan under a fen header */
        char cure[700];
        civ_alloc_fraction_cure(s, want0, ly->values + k * ly->n, ly->n, j,
                                "", cure, sizeof cure);
        civ_snprintf(why, sizeof why, "%.15g, not a whole number of %s: %s", x, mi, cure);
    } else {
        civ_snprintf(why, sizeof why, "%s, not an amount: write what the community got last year from "
                     "fund '%s' (0 for nothing)", isnan(x) ? "blank" : x < 0 ? "negative" : "infinite",
                     p->units[u].name);
    }
    return civ_fail_at(CIV_ERR_DOMAIN, &e, "last year's allocation (%s): '%s' of community '%s' is %s",
                       at, ly->heads[k] ? ly->heads[k] : ly->cols[k], ly->ids[j], why);
}

/* The plan's workbook lacks fund u's column want0 (under its header in the workbook's language):
 * says what it has instead (the yuan total only, headers it does not write). */
static civ_status missing_workbook_column(const civ_alloc_problem *p, size_t u, const char *want0)
{
    const civ_alloc_spec *s = p->spec;
    const civ_alloc_last_year *ly = s->ly;
    const char *mi = civ_alloc_minor_name(s), *ma = civ_alloc_major_name(s);
    char head[200], major[200], amount_major[64];
    civ_alloc_book_label(s, ly->lang, want0, head, sizeof head);
    civ_snprintf(amount_major, sizeof amount_major, "amount_%s", ma);
    civ_alloc_book_label(s, ly->lang, amount_major, major, sizeof major);
    int only_major = 0, minor = 0; /* the yuan total is there, no column in fen is */
    char unknown[200] = "";          /* headers of numbers the workbook does not write: renamed ones? */
    size_t lm = strlen(mi);
    for (size_t k = 0; k < ly->n_cols; k++) {
        size_t L = strlen(ly->cols[k]), U = strlen(unknown), H = strlen(ly->heads[k] ? ly->heads[k] : ly->cols[k]);
        only_major |= !strcmp(ly->cols[k], amount_major);
        minor |= (!strncmp(ly->cols[k], "pool_", 5) || !strncmp(ly->cols[k], "amount_", 7)) && L > lm &&
                 !strcmp(ly->cols[k] + L - lm, mi);
        int other = !ly->heads[k]; /* or a fund's column the spec does not have (named by its header) */
        if (!other && civ_alloc_is_fund_column(ly->cols[k], mi)) {
            other = 1;
            for (size_t v = 0; v < p->n_units && other; v++)
                other = strlen(p->units[v].name) != L - lm - 6 ||
                        strncmp(ly->cols[k] + 5, p->units[v].name, L - lm - 6);
        }
        if (other && U + H + 8 < sizeof unknown)
            civ_snprintf(unknown + U, sizeof unknown - U, "%s'%s'", U ? ", " : "",
                         ly->heads[k] ? ly->heads[k] : ly->cols[k]);
    }
    civ_where e = {.file = ly->source, .field = head};
    return civ_fail_at(CIV_ERR_MISSING_COLUMN, &e,
                       "last year's allocation (%s, the plan's workbook) has no column '%s' for fund '%s'%s%s%s: "
                       "its amounts are read in %s from the fund's column as the plan wrote it; put it back, "
                       "or give allocation.csv%s%s%s%s%s",
                       ly->source, head, p->units[u].name, only_major && !minor ? ", only '" : "",
                       only_major && !minor ? major : "", only_major && !minor ? "' in yuan" : "", mi,
                       *unknown ? " (headers it does not write: " : "", unknown,
                       *unknown ? "; if one of them is this fund's column, relabelled or renamed since, head it '"
                                : "",
                       *unknown ? head : "", *unknown ? "')" : "");
}

/* The file has none of fund u's columns want[0..2]: refused, naming what it has. */
static civ_status missing_fund_column(const civ_alloc_problem *p, size_t u, char want[3][200])
{
    const civ_alloc_last_year *ly = p->spec->ly;
    char have[400] = "";
    for (size_t k = 0; k < ly->n_cols; k++) {
        size_t L = strlen(have);
        if (L < sizeof have - 60)
            civ_snprintf(have + L, sizeof have - L, "%s%s", k ? ", " : "", ly->heads[k] ? ly->heads[k] : ly->cols[k]);
    }
    if (ly->lang >= 0) /* the plan's workbook: the headers it writes, in its language */
        return missing_workbook_column(p, u, want[0]);
    civ_where e = {.file = ly->source, .field = want[0]};
    return civ_fail_at(CIV_ERR_MISSING_COLUMN, &e,
                       "last year's allocation (%s) has no column '%s' (nor '%s'%s%s%s) for fund '%s', which has a "
                       "last year: give the allocation civicast wrote last year, or name the sheet's column of "
                       "this fund so (its numbers: %s)",
                       ly->source, want[0], want[1], p->n_units == 1 ? ", '" : "", p->n_units == 1 ? want[2] : "",
                       p->n_units == 1 ? "'" : "", p->units[u].name, *have ? have : "none");
}

/* The length of pool_<fund>_ in a fund's column c (in minor or major units), else 0. */
static size_t fund_stem(const char *c, const char *mi, const char *ma)
{
    return civ_alloc_is_fund_column(c, mi)   ? strlen(c) - strlen(mi)
           : civ_alloc_is_fund_column(c, ma) ? strlen(c) - strlen(ma)
                                             : 0;
}

/* Whether fund column c (stem: the length of pool_<fund>_) names one of this spec's funds. */
static int spec_fund(const civ_alloc_problem *p, const char *c, size_t stem)
{
    for (size_t u = 0; u < p->n_units; u++)
        if (strlen(p->units[u].name) == stem - 6 && !strncmp(c + 5, p->units[u].name, stem - 6))
            return 1;
    return 0;
}

int civ_alloc_last_year_dropped(const civ_alloc_problem *p, size_t k, char *name, size_t size, const char **head,
                                int64_t *fen)
{
    const civ_alloc_spec *s = p->spec;
    const civ_alloc_last_year *ly = s->ly;
    const char *mi = civ_alloc_minor_name(s), *ma = civ_alloc_major_name(s);
    for (size_t c = 0; ly && c < ly->n_cols; c++) {
        const char *col = ly->cols[c];
        size_t stem = fund_stem(col, mi, ma), use = c, seen = 0;
        if (!stem || spec_fund(p, col, stem))
            continue;
        for (size_t e = 0; e < ly->n_cols; e++) { /* the fund's first column, and its minor units when given */
            size_t st = fund_stem(ly->cols[e], mi, ma);
            if (st != stem || strncmp(ly->cols[e], col, stem))
                continue;
            seen |= e < c;
            use = civ_alloc_is_fund_column(ly->cols[e], mi) ? e : use;
        }
        if (seen || k--)
            continue;
        double scale = civ_alloc_is_fund_column(ly->cols[use], mi) ? 1 : (double)s->minor_unit;
        *fen = 0;
        for (size_t j = 0; j < ly->n; j++)
            if (isfinite(ly->values[use * ly->n + j]))
                *fen += (int64_t)llround(ly->values[use * ly->n + j] * scale);
        civ_snprintf(name, size, "%.*s", (int)(stem - 6), col + 5);
        *head = ly->heads[use];
        return 1;
    }
    return 0;
}

/* The file has no column of fund u (want[0], want[1]) but several funds' columns (the n of funds[]): its total
 * is theirs together, never this fund's last year; refused, naming them and the cure. */
static civ_status several_funds(const civ_alloc_problem *p, size_t u, char want[3][200], const size_t *funds,
                                size_t n)
{
    const civ_alloc_spec *s = p->spec;
    const civ_alloc_last_year *ly = s->ly;
    char have[600] = "", head[200], name[200], total[200];
    for (size_t q = 0; q < n; q++) {
        size_t L = strlen(have), k = funds[q];
        if (L < sizeof have - 80)
            civ_snprintf(have + L, sizeof have - L, "%s'%s'", q ? ", " : "", ly->heads[k] ? ly->heads[k] : ly->cols[k]);
    }
    civ_alloc_book_label(s, ly->lang, want[0], head, sizeof head);
    civ_alloc_book_label(s, ly->lang, want[2], total, sizeof total);
    if (ly->lang >= 0) /* the header a spec without labels writes: the fund's name */
        civ_alloc_book_name_label(s, ly->lang, want[0], name, sizeof name);
    else
        civ_snprintf(name, sizeof name, "%s", want[1]);
    civ_where e = {.file = ly->source, .field = head};
    return civ_fail_at(CIV_ERR_MISSING_COLUMN, &e,
                       "last year's allocation (%s) has no column '%s'%s%s%s for fund '%s', but %zu funds' columns "
                       "(%s): its total '%s' is their sum, not the last year of fund '%s' alone; if one of them is "
                       "this fund's (relabelled or renamed since last year), head it '%s'; else give a file with "
                       "the fund's own column",
                       ly->source, head, strcmp(name, head) ? " (nor '" : "", strcmp(name, head) ? name : "",
                       strcmp(name, head) ? "')" : "",
                       p->units[u].name, n, have, total, p->units[u].name, head);
}

/* The file's column of fund u (pool_<fund>_<minor>, else pool_<fund>_<major>, else amount_<minor> for one
 * fund when the file has at most one fund's column: with several, amount_<minor> is their sum), as minor
 * units into fen[0..ly->n). */
static civ_status fund_column(const civ_alloc_problem *p, size_t u, int64_t *fen)
{
    const civ_alloc_spec *s = p->spec;
    const civ_alloc_last_year *ly = s->ly;
    const char *mi = civ_alloc_minor_name(s), *ma = civ_alloc_major_name(s);
    char want[3][200];
    civ_snprintf(want[0], sizeof want[0], "pool_%s_%s", p->units[u].name, mi);
    civ_snprintf(want[1], sizeof want[1], "pool_%s_%s", p->units[u].name, ma);
    civ_snprintf(want[2], sizeof want[2], "amount_%s", mi);
    for (int w = 0; w < 3; w++) {
        if (w == 2 && p->n_units != 1)
            break;
        if (w == 2) { /* the funds' columns the file has, by fund (pool_<fund>_<minor> or _<major>) */
            size_t *funds = malloc((ly->n_cols ? ly->n_cols : 1) * sizeof *funds), n = 0;
            if (!funds)
                return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory reading last year's allocation");
            for (size_t k = 0; k < ly->n_cols; k++) {
                const char *c = ly->cols[k];
                size_t stem = fund_stem(c, mi, ma);
                int seen = !stem; /* a fund given in both units is one fund */
                for (size_t q = 0; q < n && !seen; q++)
                    seen = fund_stem(ly->cols[funds[q]], mi, ma) == stem && !strncmp(ly->cols[funds[q]], c, stem);
                if (!seen)
                    funds[n++] = k;
            }
            civ_status st = n > 1 ? several_funds(p, u, want, funds, n) : CIV_OK;
            free(funds);
            if (st)
                return st;
        }
        for (size_t k = 0; k < ly->n_cols; k++) {
            if (strcmp(ly->cols[k], want[w]))
                continue;
            double scale = w == 1 ? (double)s->minor_unit : 1;
            for (size_t j = 0; j < ly->n; j++) {
                double x = ly->values[k * ly->n + j] * scale;
                /* within a hundredth of a minor unit, as settle.c reads money: the tolerance was 10^-6 of the
                 * amount, so a third decimal of yuan (180670.327) was rounded away */
                if (!isfinite(x) || x < 0 || fabs(x - nearbyint(x)) > fmax(0.01, 8 * (nextafter(x, INFINITY) - x)))
                    return bad_amount(p, u, k, j, x, scale, w, want[0]);
                fen[j] = (int64_t)llround(x);
            }
            return CIV_OK;
        }
    }
    return missing_fund_column(p, u, want);
}

/* Where the communities table's cell (community i, column attr) is, for an error. */
static void cell_where(const civ_alloc_problem *p, const civ_table *t, size_t i, const char *attr, civ_where *w,
                       char *row, size_t size)
{
    size_t col = SIZE_MAX;
    if (attr && civ_table_find_column(t, attr, &col))
        col = SIZE_MAX;
    long line = civ_table_row_words(t, p->row_of[i], row, size);
    w->file = civ_table_source(t, NULL);
    w->line = line;
    w->column = line && col != SIZE_MAX ? (long)col + 1 : 0;
    w->series_id = p->ids[i];
    w->field = attr;
}

/* The predecessors of community i as sorted rows of the file (its own id's row first when the file has it), and
 * in item[] each one's item of p->pm (SIZE_MAX for its own id's row); returns how many, or SIZE_MAX after failing
 * on a predecessor the file has no row for.  The ids are read as a list (an id may contain '+'). */
static size_t rows_of(const civ_alloc_problem *p, const civ_table *t, size_t i, size_t *out, size_t *item,
                      size_t cap)
{
    const civ_alloc_last_year *ly = p->spec->ly;
    const civ_pred_map *pm = &p->pm;
    size_t k = 0, own = ly_find(ly, p->ids[i]), r = p->row_of[i];
    if (own != SIZE_MAX)
        out[k] = own, item[k++] = SIZE_MAX;
    for (size_t q = pm->n_rows > r ? pm->first[r] : 0; pm->n_rows > r && q < pm->first[r] + pm->n[r]; q++) {
        const char *id = pm->id[q];
        if (pm->self[q])
            continue;
        size_t j = ly_find(ly, id);
        if (j == SIZE_MAX) {
            civ_where w;
            char row[64];
            cell_where(p, t, i, p->spec->predecessors, &w, row, sizeof row);
            civ_fail_at(CIV_ERR_DOMAIN, &w,
                        "community '%s' (%s) names '%s' among its predecessors (column '%s'), which last year's "
                        "allocation (%s) has no row for: correct the id (as last year's allocation writes it), or "
                        "remove it from the cell",
                        p->ids[i], row, id, p->spec->predecessors, ly->source);
            return SIZE_MAX;
        }
        int seen = 0;
        for (size_t m = 0; m < k; m++)
            seen |= out[m] == j;
        if (!seen && k < cap)
            out[k] = j, item[k++] = q;
    }
    return k;
}

/* The parts of each split divided by shares (p->pm.divided): part[item] = its share of the parent's fen[], the
 * parts of one parent rounded together so that they add up to round(sum of shares x parent): each gets the
 * floor of share x amount, and the fen left over go one each to the largest remainders, ties to the smaller
 * id (byte order). */
static civ_status divide_splits(const civ_alloc_problem *p, const int64_t *fen, int64_t *part, const size_t *owner)
{
    const civ_pred_map *pm = &p->pm;
    unsigned char *done = calloc(pm->n_items ? pm->n_items : 1, 1);
    size_t *grp = malloc((pm->n_items ? pm->n_items : 1) * sizeof *grp);
    double *rem = malloc((pm->n_items ? pm->n_items : 1) * sizeof *rem);
    if (!done || !grp || !rem) {
        free(done), free(grp), free(rem);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory dividing last year's amounts of the splits");
    }
    for (size_t k = 0; k < pm->n_items; k++) {
        if (!pm->divided[k] || done[k] || owner[k] == SIZE_MAX)
            continue;
        size_t j = ly_find(p->spec->ly, pm->id[k]), g = 0;
        int64_t parent = j == SIZE_MAX ? 0 : fen[j], sum = 0;
        double shares = 0;
        for (size_t q = k; q < pm->n_items; q++)
            if (pm->divided[q] && !done[q] && owner[q] != SIZE_MAX && !strcmp(pm->id[q], pm->id[k]))
                grp[g++] = q, done[q] = 1;
        for (size_t m = 0; m < g; m++) {
            double x = pm->share[grp[m]] * (double)parent;
            part[grp[m]] = (int64_t)floor(x + 1e-7);
            rem[m] = x - (double)part[grp[m]];
            sum += part[grp[m]];
            shares += pm->share[grp[m]];
        }
        int64_t target = fabs(shares - 1) <= 1e-9 ? parent : (int64_t)llround(shares * (double)parent);
        while (sum != target) { /* one fen at a time: at most a fen per part */
            size_t best = SIZE_MAX;
            for (size_t m = 0; m < g; m++) {
                if (sum > target && part[grp[m]] <= 0)
                    continue;
                int better = best == SIZE_MAX;
                if (!better) {
                    double d = sum < target ? rem[m] - rem[best] : rem[best] - rem[m];
                    better = d > 1e-12 ||
                             (d >= -1e-12 && strcmp(p->ids[owner[grp[m]]], p->ids[owner[grp[best]]]) < 0);
                }
                if (better)
                    best = m;
            }
            if (best == SIZE_MAX)
                break;
            part[grp[best]] += sum < target ? 1 : -1;
            rem[best] += sum < target ? -1 : 1;
            sum += sum < target ? 1 : -1;
        }
    }
    free(done), free(grp), free(rem);
    return CIV_OK;
}

enum { MAX_ROWS = 64 };

/* Fund u's last year of every community from the file: blanks filled, cells checked against it. */
static civ_status fill_fund(civ_alloc_problem *p, const civ_table *t, size_t u, const char *attr, const int64_t *fen,
                            const unsigned *named_by, const int64_t *part)
{
    const civ_alloc_spec *s = p->spec;
    size_t rows[MAX_ROWS], item[MAX_ROWS];
    for (size_t i = 0; i < p->n; i++) {
        size_t k = rows_of(p, t, i, rows, item, MAX_ROWS);
        if (k == SIZE_MAX)
            return CIV_ERR_DOMAIN;
        int64_t expect = 0;
        int split = 0;
        char from[400] = "";
        for (size_t m = 0; m < k; m++) {
            int divided = item[m] != SIZE_MAX && p->pm.divided[item[m]];
            expect += divided ? part[item[m]] : fen[rows[m]];
            split |= named_by[rows[m]] > 1 && !divided;
            size_t L = strlen(from);
            if (L < sizeof from - 80)
                civ_snprintf(from + L, sizeof from - L, divided ? "%s'%s' x %.6g" : "%s'%s'", m ? " + " : "",
                             s->ly->ids[rows[m]], divided ? p->pm.share[item[m]] : 0.0);
        }
        double *x = &p->last_year[u * p->n + i];
        char a[64], b[64], row[64];
        civ_where w;
        if (isnan(*x)) {
            if (split) {
                cell_where(p, t, i, attr, &w, row, sizeof row);
                return civ_fail_at(CIV_ERR_DOMAIN, &w,
                                   "community '%s' (%s) is a part of %s, which several communities continue (a "
                                   "split), and its last year in '%s' is blank: write its share of last year's "
                                   "amount (the office's decision, e.g. by population) in '%s', or give every "
                                   "part its share in [data] predecessor_shares",
                                   p->ids[i], row, from, attr, attr);
            }
            *x = (double)expect / (double)s->minor_unit;
            continue;
        }
        int64_t have = (int64_t)llround(*x * (double)s->minor_unit);
        if (split || have == expect)
            continue;
        civ_alloc_money_text(a, sizeof a, have, s->minor_unit);
        civ_alloc_money_text(b, sizeof b, expect, s->minor_unit);
        cell_where(p, t, i, attr, &w, row, sizeof row);
        if (!k)
            return civ_fail_at(CIV_ERR_DOMAIN, &w,
                               "community '%s' (%s) has %s last year in '%s', but last year's allocation (%s) has no "
                               "row for it and it names no predecessor: 0 for a new community; one that continues "
                               "last year's communities (merged, renamed) names them in [data] predecessors; or "
                               "leave the cell blank to take it from the file",
                               p->ids[i], row, a, attr, s->ly->source);
        return civ_fail_at(CIV_ERR_DOMAIN, &w,
                           "community '%s' (%s) has %s last year in '%s', but last year's allocation (%s) gives %s "
                           "(%s, fund '%s'): correct the cell or the file, or leave the cell blank to take %s from "
                           "the file",
                           p->ids[i], row, a, attr, s->ly->source, b, from, p->units[u].name, b);
    }
    return CIV_OK;
}

/* A predecessor named by several communities (a split): their last years sum to at most what the file gives
 * the rows they continue. */
static civ_status check_splits(const civ_alloc_problem *p, const civ_table *t, size_t u, const char *attr,
                               const int64_t *fen, const unsigned *named_by)
{
    const civ_alloc_spec *s = p->spec;
    const civ_alloc_last_year *ly = s->ly;
    size_t rows[MAX_ROWS], item[MAX_ROWS];
    for (size_t j = 0; j < ly->n; j++) {
        if (named_by[j] < 2)
            continue;
        int64_t sum = 0, avail = fen[j];
        char parts[600] = "";
        size_t first = SIZE_MAX;
        unsigned char *used = calloc(ly->n, 1);
        if (!used)
            return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory checking the splits");
        used[j] = 1;
        for (size_t i = 0; i < p->n; i++) {
            size_t k = rows_of(p, t, i, rows, item, MAX_ROWS), hit = 0;
            for (size_t m = 0; m < k && k != SIZE_MAX; m++)
                hit |= rows[m] == j;
            if (!hit)
                continue;
            if (first == SIZE_MAX)
                first = i;
            for (size_t m = 0; m < k; m++)
                if (!used[rows[m]])
                    used[rows[m]] = 1, avail += fen[rows[m]];
            int64_t v = (int64_t)llround(p->last_year[u * p->n + i] * (double)s->minor_unit);
            sum += v;
            char a[64];
            civ_alloc_money_text(a, sizeof a, v, s->minor_unit);
            size_t L = strlen(parts);
            if (L < sizeof parts - 100)
                civ_snprintf(parts + L, sizeof parts - L, "%s'%s' %s", L ? ", " : "", p->ids[i], a);
        }
        free(used);
        if (sum <= avail)
            continue;
        char a[64], b[64], at[600], row[64];
        civ_alloc_money_text(a, sizeof a, sum, s->minor_unit);
        civ_alloc_money_text(b, sizeof b, avail, s->minor_unit);
        ly_place(ly, j, at, sizeof at);
        civ_where w;
        cell_where(p, t, first, attr, &w, row, sizeof row);
        return civ_fail_at(CIV_ERR_DOMAIN, &w,
                           "last year's '%s' (%s) was split into %s (column '%s'): their last years in '%s' sum to "
                           "%s, more than the %s last year's allocation gives what they continue in fund '%s': "
                           "money counted twice; give each part its share, so that they sum to at most %s",
                           ly->ids[j], at, parts, s->predecessors ? s->predecessors : "predecessors", attr, a, b,
                           p->units[u].name, b);
    }
    return CIV_OK;
}

civ_status civ_alloc_bind_last_year(civ_alloc_problem *p, const civ_table *t, const char *const *attr)
{
    const civ_alloc_spec *s = p->spec;
    const civ_alloc_last_year *ly = s->ly;
    size_t n = ly->n, rows[MAX_ROWS], item[MAX_ROWS], n_items = p->pm.n_items ? p->pm.n_items : 1;
    unsigned *named_by = calloc(n ? n : 1, sizeof *named_by);
    unsigned char *kept = calloc(n ? n : 1, 1);
    int64_t *part = calloc(n_items, sizeof *part); /* by item of p->pm: a divided split's part (divide_splits) */
    size_t *owner = malloc(n_items * sizeof *owner); /* by item: the community naming it */
    p->ly_fen = calloc((p->n_units ? p->n_units : 1) * (n ? n : 1), sizeof *p->ly_fen);
    p->hist_total = malloc((p->n_units ? p->n_units : 1) * sizeof *p->hist_total);
    p->hist_carried = calloc(p->n_units ? p->n_units : 1, sizeof *p->hist_carried);
    civ_status st = CIV_OK;
    if (!named_by || !kept || !p->ly_fen || !p->hist_total || !p->hist_carried || !part || !owner)
        st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory binding last year's allocation");
    for (size_t k = 0; !st && k < p->pm.n_items; k++)
        owner[k] = SIZE_MAX;
    for (size_t i = 0; !st && p->pm.n_rows && i < p->n; i++)
        for (size_t k = p->pm.first[p->row_of[i]]; k < p->pm.first[p->row_of[i]] + p->pm.n[p->row_of[i]]; k++)
            owner[k] = i;
    for (size_t i = 0; !st && i < p->n; i++) {
        size_t own = ly_find(ly, p->ids[i]), k = rows_of(p, t, i, rows, item, MAX_ROWS);
        if (k == SIZE_MAX) {
            st = CIV_ERR_DOMAIN;
            break;
        }
        for (size_t m = 0; m < k; m++) {
            kept[rows[m]] = 1;
            named_by[rows[m]] += rows[m] != own;
        }
    }
    for (size_t u = 0; !st && u < p->n_units; u++) {
        p->hist_total[u] = -1;
        if (!p->unit_has_last[u])
            continue;
        int64_t *fen = p->ly_fen + u * n;
        if (!(st = fund_column(p, u, fen)))
            st = divide_splits(p, fen, part, owner);
        if (st || (st = fill_fund(p, t, u, attr[u], fen, named_by, part)) ||
            (st = check_splits(p, t, u, attr[u], fen, named_by)))
            break;
        int64_t total = 0, carried = 0;
        for (size_t j = 0; j < n; j++)
            total += fen[j];
        for (size_t i = 0; i < p->n; i++)
            carried += (int64_t)llround(p->last_year[u * p->n + i] * (double)s->minor_unit);
        const civ_alloc_formula *fo = &s->formulas[p->units[u].formula];
        char a[64], b[64];
        if (fo->last_year_total >= 0 && fo->last_year_total != total) {
            civ_alloc_money_text(a, sizeof a, fo->last_year_total, s->minor_unit);
            civ_alloc_money_text(b, sizeof b, total, s->minor_unit);
            civ_where w = {.file = s->path, .line = fo->loc.line, .column = fo->loc.column,
                           .field = "last_year_total"};
            st = civ_fail_at(CIV_ERR_DOMAIN, &w,
                             "formula '%s': last_year_total is %s, but last year's allocation (%s) gives fund '%s' "
                             "%s in all: remove the key (the file's total is used) or correct it",
                             fo->name, a, ly->source, p->units[u].name, b);
            break;
        }
        if (carried > total) {
            civ_alloc_money_text(a, sizeof a, carried, s->minor_unit);
            civ_alloc_money_text(b, sizeof b, total, s->minor_unit);
            civ_where w = {.file = ly->source, .field = attr[u]};
            st = civ_fail_at(CIV_ERR_DOMAIN, &w,
                             "fund '%s': this year's communities carry %s of last year in '%s', more than the %s "
                             "last year's allocation (%s) gives the fund in all: money counted twice",
                             p->units[u].name, a, attr[u], b, ly->source);
            break;
        }
        p->hist_total[u] = total, p->hist_carried[u] = carried;
    }
    if (!st) {
        for (size_t j = 0; j < n; j++)
            p->n_closed += !kept[j];
        if (!(p->closed = malloc((p->n_closed ? p->n_closed : 1) * sizeof *p->closed)))
            st = civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory binding last year's allocation");
        for (size_t j = 0, c = 0; !st && j < n; j++)
            if (!kept[j])
                p->closed[c++] = j;
    }
    free(named_by), free(kept), free(part), free(owner);
    return st;
}
