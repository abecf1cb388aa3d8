/*
 * release.c -- alloc layer: reserve release (docs/ALLOCATION.md "Reserve
 * release"): what each community was already paid from each fund, so that a
 * reserve released later in the year is allocated on top of it by the same
 * or another formula without changing what was paid.
 *
 * With paid amounts d_i set, the solve (waterfall.c) allocates the release R
 * of each fund as clamp(lambda raw_i, max(0, lo_i - d_i), max(0, hi_i - d_i))
 * summing to R: every floor, cap, hold-harmless and pace bound holds for the
 * year's sum d_i + release_i, cap_share is a share of the year's fund
 * (sum d + R), and nothing is taken back from anyone.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "c_locale.h"
#include "strmap.h"
#include "text.h"

/* The paid table's column for unit u (see alloc.h, civ_alloc_pool.paid), and whether its header marks it in
 * major units (paid_yuan, 已拨金额（元）: read exactly, as settle.c reads spending) or minor ones. */
static civ_status paid_column(const civ_alloc_problem *p, const civ_table *t, size_t u, size_t *col, int *major)
{
    const civ_alloc_spec *s = p->spec;
    const char *name = NULL;
    for (size_t q = 0; q < s->n_pools; q++)
        if (p->pool_unit[q] == u && s->pools[q].paid)
            name = s->pools[q].paid;
    char buf[200];
    if (!name) {
        civ_snprintf(buf, sizeof buf, "pool_%s_%s", p->units[u].name, civ_alloc_minor_name(s));
        if (civ_table_find_column(t, buf, col) && p->n_units == 1) {
            /* amount_<minor> is every fund's money: as "paid" by one fund only when the table had one */
            size_t funds = 0, first = 0, len = strlen(civ_alloc_minor_name(s));
            for (size_t c = 0; c < civ_table_n_columns(t); c++) {
                const char *cn = civ_table_column_name(t, c);
                size_t cl = strlen(cn);
                if (!strncmp(cn, "pool_", 5) && cl > 6 + len && cn[cl - len - 1] == '_' &&
                    !strcmp(cn + cl - len, civ_alloc_minor_name(s)) && !funds++)
                    first = c;
            }
            civ_where w = {.field = "paid"};
            if (funds > 1)
                return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w,
                                   "the paid table holds %zu funds (%s, ...), and its amount_%s is their sum: say "
                                   "which fund's payments fund '%s' tops up with the pool's paid key (paid = \"%s\")",
                                   funds, civ_table_column_name(t, first), civ_alloc_minor_name(s), p->units[u].name,
                                   civ_table_column_name(t, first));
            civ_snprintf(buf, sizeof buf, "amount_%s", civ_alloc_minor_name(s));
        }
        name = buf;
    }
    civ_where w = {.field = name};
    if (civ_table_find_column(t, name, col)) {
        char have[400] = ""; /* the funds' columns it has: a workbook's headers under another spec's labels */
        for (size_t c = 0; c < civ_table_n_columns(t); c++) {
            const char *cn = civ_table_column_name(t, c);
            size_t L = strlen(have);
            if (civ_alloc_is_fund_column(cn, civ_alloc_minor_name(s)) && L + strlen(cn) + 8 < sizeof have)
                civ_snprintf(have + L, sizeof have - L, "%s'%s'", L ? ", " : "", cn);
        }
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w,
                           "the paid table has no column '%s' for fund '%s' (name it with the pool's 'paid' "
                           "key)%s%s%s",
                           name, p->units[u].name, *have ? "; its funds' columns are " : "", have,
                           *have ? ": if one of them is this fund's, set paid to that name" : "");
    }
    /* a finance export in yuan whose amounts are all whole yuan passed the whole-number check and was read
     * as fen: paid 1/100 of the truth, and the release computed on that */
    civ_unit_mark mark = civ_alloc_column_unit(s, name);
    *major = mark == CIV_UNIT_MARK_MAJOR;
    if (*major) /* decimal text too ("1234.50"), read digit by digit */
        return CIV_OK;
    if (civ_table_column_type(t, *col) != CIV_COLUMN_NUMBER)
        return civ_fail_at(CIV_ERR_DOMAIN, &w, "the paid table's column '%s' is text, not minor units", name);
    long long per = (long long)(mark == CIV_UNIT_MARK_WAN ? 10000 * s->minor_unit : s->minor_unit);
    if (mark == CIV_UNIT_MARK_NONE) {
        /* a header that names no unit ("paid", "已拨金额"): whole yuan read as fen would pass every check and pay
         * out the release on a hundredth of what was paid, so the header must say which it is */
        const char *mi = civ_alloc_minor_name(s), *ma = civ_alloc_major_name(s);
        int cny = !s->currency || !strcmp(s->currency, "CNY");
        civ_where h = {.file = civ_table_source(t, NULL), .line = civ_table_source(t, NULL) ? 1 : 0,
                       .column = civ_table_source(t, NULL) ? (long)*col + 1 : 0, .field = name};
        return civ_fail_at(CIV_ERR_DOMAIN, &h,
                           "the paid table's column '%s' does not say its unit: a sheet of whole %s would pass as "
                           "%s and the release would be computed on 1/%lld of what was paid; name the unit in the "
                           "header, %s (%s_%s%s, or an earlier allocation's pool_<fund>_%s as it is) or %s "
                           "(%s_%s%s, read exactly to the %s); then name it with the pool's 'paid' key",
                           name, ma, mi, per, mi, name, mi, cny ? ", 已拨金额（分）" : "", mi, ma, name, ma,
                           cny ? ", 已拨金额（元）" : "", mi);
    }
    if (mark == CIV_UNIT_MARK_WAN)
        return civ_fail_at(CIV_ERR_DOMAIN, &w,
                           "the paid table's column '%s' is named in %s, and paid amounts are read in %s or %s: "
                           "give the column in %s (in the sheet =ROUND(cell*10000, %d) under a header such as "
                           "paid_%s) and name it with the pool's 'paid' key",
                           name, civ_alloc_unit_mark_name(s, mark), civ_alloc_minor_name(s), civ_alloc_major_name(s),
                           civ_alloc_major_name(s), s->minor_digits, civ_alloc_major_name(s));
    return CIV_OK;
}

/* row_of_id[i] = the paid table's row of the problem's i-th id. */
static civ_status paid_rows(const civ_alloc_problem *p, const civ_table *t, size_t *row_of_id, size_t *id_col)
{
    size_t idc, m = civ_table_n_rows(t);
    const char *key = p->spec->id_column && p->spec->id_column[0] ? p->spec->id_column : "unique_id";
    civ_where w = {.field = key};
    /* an earlier allocation's unique_id, else the spec's [data] id (a finance export keyed like the communities) */
    int found = !civ_table_find_column(t, "unique_id", &idc) && civ_table_column_type(t, idc) == CIV_COLUMN_TEXT;
    if (!found && strcmp(key, "unique_id"))
        found = !civ_table_find_column(t, key, &idc) && civ_table_column_type(t, idc) == CIV_COLUMN_TEXT;
    if (!found)
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w,
                           "the paid table has no text id column 'unique_id'%s%s%s: name its community id column "
                           "so (an earlier allocation's --out has unique_id)",
                           strcmp(key, "unique_id") ? " or '" : "", strcmp(key, "unique_id") ? key : "",
                           strcmp(key, "unique_id") ? "' (the spec's [data] id)" : "");
    civ_clear_error();
    *id_col = idc;
    civ_strmap map = {0};
    civ_status st = CIV_OK;
    for (size_t r = 0; r < m && !st; r++) {
        size_t prev;
        st = civ_strmap_put(&map, civ_table_text(t, r, idc), r, &prev);
        if (st == CIV_ERR_DUPLICATE) { /* at the file's line (civ_alloc_row_place), naming the first */
            civ_where d;
            char who[400], before[64];
            civ_alloc_row_place(t, "paid", r, idc, civ_table_text(t, r, idc), 0, &d, who, sizeof who);
            civ_alloc_row_name(t, prev, before, sizeof before);
            st = civ_fail_at(CIV_ERR_DUPLICATE, &d, "%s: already on %s of the paid table", who, before);
        }
    }
    for (size_t i = 0; i < p->n && !st; i++)
        if (!civ_strmap_get(&map, p->ids[i], &row_of_id[i])) {
            civ_where d = {.series_id = p->ids[i]};
            d.file = civ_table_source(t, NULL);
            char zeros[400] = "";
            const char *twin = civ_id_zero_twin(p->ids[i], map.keys, map.capacity);
            if (twin)
                civ_id_zero_hint(p->ids[i], twin, "the paid table", zeros, sizeof zeros);
            st = civ_fail_at(CIV_ERR_NOT_FOUND, &d, "community '%s' has no row in the paid table%s", p->ids[i],
                             twin ? zeros : " (add it with 0)");
        }
    civ_strmap comm = {0};
    for (size_t i = 0; i < p->n && !st && m != p->n; i++)
        st = civ_strmap_put(&comm, p->ids[i], i, NULL);
    for (size_t r = 0; r < m && !st && m != p->n; r++) {
        const char *id = civ_table_text(t, r, idc);
        if (civ_strmap_get(&comm, id, NULL))
            continue;
        civ_where d;
        char who[400];
        civ_alloc_row_place(t, "paid", r, idc, id, 1, &d, who, sizeof who);
        st = civ_fail_at(CIV_ERR_NOT_FOUND, &d,
                         "the paid table has %zu rows for %zu communities: %s is not among the allocation's "
                         "communities%s",
                         m, p->n, who,
                         civ_total_row_id(id) ? ": it looks like the sheet's total row, delete the row (civicast "
                                                "sums the communities itself)"
                                              : " (a mis-keyed id? correct it, or delete the row)");
    }
    civ_strmap_free(&comm);
    civ_strmap_free(&map);
    return st;
}

static civ_status set_paid(civ_alloc_problem *p, const civ_table *paid);

civ_status civ_alloc_problem_set_paid(civ_alloc_problem *p, const civ_table *paid)
{
    if (!p)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_problem_set_paid: NULL problem");
    civ_table *book = NULL; /* the plan's allocation.xlsx sheet, its headers read back (last_year_book.c) */
    civ_status st = paid ? civ_alloc_book_table(p->spec, paid, &book) : CIV_OK;
    if (!st)
        st = set_paid(p, book ? book : paid);
    civ_table_free(book);
    return st;
}

static civ_status set_paid(civ_alloc_problem *p, const civ_table *paid)
{
    free(p->paid), free(p->paid_total);
    p->paid = NULL, p->paid_total = NULL;
    if (!paid)
        return CIV_OK;
    size_t n = p->n, U = p->n_units;
    int64_t *d = calloc(U * n + 1, sizeof *d), *tot = calloc(U + 1, sizeof *tot);
    size_t *row = malloc((n + 1) * sizeof *row), idc = 0, m = civ_table_n_rows(paid);
    int64_t *major_v = malloc((m + 1) * sizeof *major_v); /* a fund's column in minor units, per row of the table */
    const char **row_ids = malloc((m + 1) * sizeof *row_ids);
    civ_status st = d && tot && row && major_v && row_ids ? paid_rows(p, paid, row, &idc)
                                                          : civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    for (size_t r = 0; r < m && !st; r++)
        row_ids[r] = civ_table_text(paid, r, idc);
    for (size_t u = 0; u < U && !st; u++) {
        size_t col;
        int major = 0;
        if ((st = paid_column(p, paid, u, &col, &major)))
            break;
        /* paid_yuan, 已拨金额（元）: exactly to the minor unit, more decimals refused at the cell; paid_fen: whole
         * minor units, a fraction refused with the cure that fits it (yuan typed under a header in fen) */
        if ((st = civ_alloc_money_column(paid, "paid", civ_table_column_name(paid, col), !major, p->spec, row_ids,
                                         major_v)))
            break;
        for (size_t i = 0; i < n; i++) {
            d[u * n + i] = major_v[row[i]];
            tot[u] += major_v[row[i]];
        }
    }
    free(row), free(major_v), free(row_ids);
    if (st) {
        free(d), free(tot);
        return st;
    }
    p->paid = d, p->paid_total = tot;
    return CIV_OK;
}
