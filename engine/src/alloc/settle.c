/*
 * settle.c -- alloc layer: settlement (清算) of an allocation against actual
 * spending, by the rules of the spec's [settlement] section, exact to the
 * minor unit (docs/ALLOCATION.md "Settlement").
 *
 * Per community, with A allocated and S spent (whole minor units):
 *   unspent U = max(0, A - S): carried over C = min(U, floor(c x A)), the
 *     rest clawed back K = U - C            (c = carry_over, a maximum)
 *   overspent O = max(0, S - A): claim T0 = min(O, floor(t x A)), topped up
 *     T = T0, or, when the claims exceed top_up_budget B, B split in
 *     proportion to the claims by the largest remainder (ties to the lower
 *     row); uncovered R = O - T             (t = top_up, a maximum)
 * so that A - S = C + K - T - R exactly for every community.  The shares
 * are plain decimals read exactly; the products are 128-bit.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "c_locale.h"
#include "csv.h"
#include "strmap.h"
#include "text.h"

/* floor(num x a / 10^digits) in 128-bit integers. */
static int64_t share_of(int64_t num, int digits, int64_t a)
{
    __int128 den = 1;
    for (int d = 0; d < digits; d++)
        den *= 10;
    return (int64_t)((__int128)num * a / den);
}

/* Row r of table t as its reader sees it: "line N" of a CSV file, else
 * "row N" (from the table's first_row: 0 for a DataFrame's positions). */
void civ_alloc_row_name(const civ_table *t, size_t r, char *buf, size_t size)
{
    int first = 1;
    civ_table_source(t, &first);
    long line = civ_table_row_line(t, r);
    if (line)
        civ_snprintf(buf, size, "line %ld", line);
    else
        civ_snprintf(buf, size, "row %zu", r + (size_t)first);
}

/* Where row r (column c, community id) of table t is, for an error: a table
 * read from a CSV file by its file, line and column (w, and *who just names the
 * community), else *who is "<source>, row N (community 'x')", the source
 * being the table's name (a DataFrame's, rows from 0) or "<what> table";
 * subject 1: "<place>: community 'x'", the community being the sentence's
 * subject. */
void civ_alloc_row_place(const civ_table *t, const char *what, size_t r, size_t c, const char *id, int subject,
                         civ_where *w, char *who, size_t size)
{
    int first = 1;
    const char *src = civ_table_source(t, &first);
    long line = civ_table_row_line(t, r);
    *w = (civ_where){.file = src, .line = line, .column = line ? (long)c + 1 : 0, .series_id = id,
                     .field = civ_table_column_name(t, c)};
    const char *form = subject ? "%s%s%srow %zu: community '%s'" : "%s%s%srow %zu (community '%s')";
    if (line)
        civ_snprintf(who, size, "community '%s'", id ? id : "");
    else
        civ_snprintf(who, size, form, src ? "" : what, src ? "" : " table", src ? "" : ", ",
                     r + (size_t)(src ? first : 1), id ? id : "");
}

/* The first cell of text column c that reads as a number in none of the
 * forms a sheet writes (plain, grouped by a comma, an apostrophe or a space,
 * with a yuan sign), or SIZE_MAX: the cell that made a spending column text. */
static size_t first_not_amount(const civ_table *t, size_t c)
{
    static const char seps[] = {0, ',', '\'', ' '};
    for (size_t r = 0; r < civ_table_n_rows(t); r++) {
        const char *cell = civ_table_text(t, r, c);
        double x;
        int ok = 0;
        for (size_t k = 0; k < sizeof seps && !ok; k++)
            ok = cell && civ_csv_parse_formatted(cell, strlen(cell), seps[k], 0, &x) == CIV_CSV_NUMBER_OK;
        if (!ok)
            return r;
    }
    return SIZE_MAX;
}

/* Row r_bad of text column c is no amount in any form (a "-" of Excel's accounting zero, "n/a") and made the
 * column text: named at its line, not as a malformed "123,442.42" on the first row. */
static civ_status not_an_amount(const civ_table *t, const char *what, const char *col, size_t c, size_t r_bad,
                                const char *const *ids, const char *zero)
{
    civ_where d;
    char who[400];
    const char *cell = civ_table_text(t, r_bad, c);
    civ_alloc_row_place(t, what, r_bad, c, ids[r_bad], 0, &d, who, sizeof who);
    char what_is[300];
    const char *hint = civ_csv_number_hint(cell ? cell : ""), *dash = civ_csv_dash_zero(cell);
    if (dash) /* the generic cure (leave it empty) is refused here */
        civ_snprintf(what_is, sizeof what_is, "'%.200s', not an amount (%s)", cell, dash);
    else if (cell && cell[0])
        civ_snprintf(what_is, sizeof what_is, "'%.200s', not an amount%s", cell, hint);
    else
        civ_snprintf(what_is, sizeof what_is, "empty");
    return civ_fail_at(CIV_ERR_DOMAIN, &d, "%s: '%s' is %s: %s", who, col, what_is, zero);
}

/* Text column c of decimals in major units ("1234.56") read exactly into out; a cell with thousands
 * separators is refused with the way to read them. */
static civ_status read_decimal_text(const civ_table *t, const char *what, const char *col, size_t c,
                                    const civ_alloc_spec *s, const char *const *ids, int64_t *out)
{
    char who[400];
    for (size_t r = 0; r < civ_table_n_rows(t); r++) {
        civ_where d;
        const char *text = civ_table_text(t, r, c);
        if (civ_alloc_parse_money(text ? text : "", s->minor_digits, &out[r], &d)) {
            char why[512]; /* copied: the message is rewritten in the buffer it is read from */
            civ_snprintf(why, sizeof why, "%s", civ_last_error()->message);
            civ_alloc_row_place(t, what, r, c, ids[r], 0, &d, who, sizeof who);
            double x;
            if (text && strpbrk(text, ",'") &&
                (civ_csv_parse_formatted(text, strlen(text), ',', 0, &x) == CIV_CSV_NUMBER_OK ||
                 civ_csv_parse_formatted(text, strlen(text), '\'', 0, &x) == CIV_CSV_NUMBER_OK))
                return civ_fail_at(CIV_ERR_DOMAIN, &d,
                                   "%s: '%s' is '%s', written with thousands separators, which are read only "
                                   "when asked (the command: --thousands ,; Python: thousands=\",\" for a file, "
                                   "or numbers in a DataFrame: pd.to_numeric(df[col].str.replace(\",\", \"\")))",
                                   who, col, text);
            return civ_fail_at(CIV_ERR_DOMAIN, &d, "%s: '%s': %s", who, col, why);
        }
    }
    return CIV_OK;
}

/* A money column (minor units when minor, else major units) as whole minor
 * units; errors name the table's file, line and column (row_place).  Shared
 * with release.c (what = "paid"): the spending table's messages speak of
 * spending, the others of amounts. */
civ_status civ_alloc_money_column(const civ_table *t, const char *what, const char *col, int minor,
                                  const civ_alloc_spec *s, const char *const *ids, int64_t *out)
{
    size_t c;
    const int spending = !strcmp(what, "spending");
    const char *zero = spending ? "write 0 for a community that spent nothing (settlement never guesses a zero)"
                                : "write 0 for a community with nothing (civicast never guesses a zero)";
    civ_where w = {.file = civ_table_source(t, NULL), .field = col};
    if (civ_table_find_column(t, col, &c))
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w, "the %s table has no column '%s'", what, col);
    char who[400];
    size_t r_bad;
    civ_unit_mark mark = civ_alloc_column_unit(s, col);
    if (!minor && (mark == CIV_UNIT_MARK_MINOR || mark == CIV_UNIT_MARK_WAN)) /* would be read 100 or 1/10,000 off */
        return civ_fail_at(CIV_ERR_DOMAIN, &w,
                           "the %s table's column '%s' is named in %s, and %s read in %s: give it in %s%s",
                           what, col, civ_alloc_unit_mark_name(s, mark), spending ? "spending is" : "it is being",
                           civ_alloc_major_name(s), civ_alloc_major_name(s),
                           spending ? " (the [settlement] spent key names the column)" : "");
    const double *v = civ_table_numbers(t, c);
    if (!v && !minor && (r_bad = first_not_amount(t, c)) != SIZE_MAX)
        return not_an_amount(t, what, col, c, r_bad, ids, zero);
    if (!v && !minor) /* decimal text ("1234.56"), read exactly */
        return read_decimal_text(t, what, col, c, s, ids, out);
    if (!v)
        return civ_fail_at(CIV_ERR_DOMAIN, &w, "the %s table's column '%s' is text, not numbers", what, col);
    for (size_t r = 0; r < civ_table_n_rows(t); r++) {
        double x = minor ? v[r] : v[r] * (double)s->minor_unit, whole = nearbyint(x);
        civ_where d;
        int bad = (isfinite(x) && x < 0) || !isfinite(x) || fabs(x) > (double)CIV_ALLOC_MAX_MONEY ||
                  fabs(x - whole) > fmax(0.01, 8 * (nextafter(fabs(x), INFINITY) - fabs(x)));
        if (bad) /* the file is read again for the line: on the error path only */
            civ_alloc_row_place(t, what, r, c, ids[r], 0, &d, who, sizeof who);
        if (isfinite(x) && x < 0)
            return civ_fail_at(CIV_ERR_DOMAIN, &d, "%s: '%s' is negative (%.15g)%s", who, col, v[r],
                               minor || !spending ? ""
                                                  : ": settlement takes the year's net spending of each community, "
                                                    "at least 0 (a refund is subtracted from the community's "
                                                    "spending, not entered as a negative row)");
        if (!isfinite(x) || fabs(x) > (double)CIV_ALLOC_MAX_MONEY)
            return civ_fail_at(CIV_ERR_DOMAIN, &d, "%s: '%s' is %s%s", who, col,
                               !isnan(x) ? "out of range" : minor ? "missing" : "empty: ",
                               !isnan(x) || minor ? "" : zero);
        /* a decimal with the currency's decimals reads back within a few ulps of whole minor units (a sum of
         * thousands of float amounts in pandas, within 1e-4); a third decimal (180670.327 yuan) is at least
         * 0.1 minor unit off and was once rounded away silently (the tolerance was relative: 1e-6 x
         * 18,067,032.7 fen = 18 fen) */
        if (fabs(x - whole) > fmax(0.01, 8 * (nextafter(fabs(x), INFINITY) - fabs(x)))) {
            if (minor) { /* 115251.82 under paid_fen: yuan typed under a header in fen */
                char cure[700];
                civ_alloc_fraction_cure(s, col, v, civ_table_n_rows(t), r,
                                        !strcmp(what, "paid")         ? " and name it with the pool's 'paid' key"
                                        : !strcmp(what, "allocation") ? " in place of the fen column"
                                                                      : "",
                                        cure, sizeof cure);
                return civ_fail_at(CIV_ERR_DOMAIN, &d, "%s: '%s' = %.15g is not a whole number of %s: %s", who, col,
                                   v[r], civ_alloc_minor_name(s), cure);
            }
            return civ_fail_at(CIV_ERR_DOMAIN, &d,
                               "%s: '%s' = %.15g has more than the currency's %d decimals: round it to the minor "
                               "unit in the sheet (Excel: =ROUND(cell, %d)); %s does not round money",
                               who, col, v[r], s->minor_digits, s->minor_digits, spending ? "settlement" : "civicast");
        }
        out[r] = (int64_t)whole;
    }
    return CIV_OK;
}

/* The text ids of a table (borrowed), checked for duplicates. */
static civ_status id_column(const civ_table *t, const char *what, const char *col, const char **ids, civ_strmap *map)
{
    size_t c;
    civ_where w = {.file = civ_table_source(t, NULL), .field = col};
    if (civ_table_find_column(t, col, &c) || civ_table_column_type(t, c) != CIV_COLUMN_TEXT) {
        char cols[400] = "";
        size_t len = 0, nc = civ_table_n_columns(t);
        for (size_t k = 0; k < nc && k < 8 && len < sizeof cols; k++)
            len += (size_t)civ_snprintf(cols + len, sizeof cols - len, "%s'%s'", k ? ", " : "",
                                        civ_table_column_name(t, k));
        if (len < sizeof cols && nc > 8)
            civ_snprintf(cols + len, sizeof cols - len, ", ...");
        return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w,
                           "the %s table has no text id column '%s' (%s); its columns are %s: name its community id "
                           "column '%s'",
                           what, col,
                           strcmp(what, "spending") ? "an allocation's --out has it" : "the spec's [data] id",
                           cols, col);
    }
    for (size_t r = 0; r < civ_table_n_rows(t); r++) {
        ids[r] = civ_table_text(t, r, c);
        size_t prev;
        civ_status st = map ? civ_strmap_put(map, ids[r], r, &prev) : CIV_OK;
        if (st == CIV_ERR_DUPLICATE) {
            civ_where d;
            char who[400], before[64];
            civ_alloc_row_place(t, what, r, c, ids[r], 0, &d, who, sizeof who);
            civ_alloc_row_name(t, prev, before, sizeof before);
            size_t yc;
            int years = strcmp(what, "spending") && !civ_table_find_column(t, "year", &yc);
            if (!years)
                civ_clear_error(); /* the lookup's "no such column" */
            return civ_fail_at(CIV_ERR_DUPLICATE, &d, "%s: already on %s%s", who, before,
                               !strcmp(what, "spending")
                                   ? ": settlement takes one row per community, its net spending of the year (sum "
                                     "the rows, refunds subtracted, e.g. with a pivot table, into one row each)"
                               : years ? ": the allocation holds several years (its 'year' column: a civicast project "
                                         "output); settle one year's rows (e.g. those of the fiscal year)"
                                       : ": an allocation has one row per community (civicast allocate --out)");
        }
        if (st)
            return st;
    }
    return CIV_OK;
}

typedef struct settle_rows {
    size_t n;
    const char **ids;
    int64_t *a, *s, *carry, *claw, *claim, *top, *unc, *carry_cap, *top_cap;
    int cut; /* the top-up budget cut the claims */
} settle_rows;

static void settle_free(settle_rows *r)
{
    free(r->ids), free(r->a), free(r->s), free(r->carry), free(r->claw), free(r->claim), free(r->top), free(r->unc);
    free(r->carry_cap), free(r->top_cap);
}

/* The rules, row by row, then the top-up budget. */
static civ_status settle_amounts(const civ_alloc_spec *sp, settle_rows *r)
{
    int64_t claims = 0;
    for (size_t i = 0; i < r->n; i++) {
        int64_t a = r->a[i], s = r->s[i];
        r->carry_cap[i] = share_of(sp->carry_num, sp->carry_digits, a);
        r->top_cap[i] = share_of(sp->top_up_num, sp->top_up_digits, a);
        int64_t u = a > s ? a - s : 0, o = s > a ? s - a : 0;
        r->carry[i] = u < r->carry_cap[i] ? u : r->carry_cap[i];
        r->claw[i] = u - r->carry[i];
        r->claim[i] = o < r->top_cap[i] ? o : r->top_cap[i];
        claims += r->claim[i];
        r->top[i] = r->claim[i];
    }
    if (sp->top_up_budget >= 0 && claims > sp->top_up_budget) {
        civ_alloc_pair *pairs = malloc((r->n + 1) * sizeof *pairs), *tmp = malloc((r->n + 1) * sizeof *tmp);
        civ_status st = pairs && tmp ? civ_alloc_split_exact(sp->top_up_budget, r->claim, r->n, claims, pairs, tmp, r->top)
                                     : civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the settlement");
        free(pairs), free(tmp);
        if (st)
            return st;
        r->cut = 1;
    }
    for (size_t i = 0; i < r->n; i++)
        r->unc[i] = (r->s[i] > r->a[i] ? r->s[i] - r->a[i] : 0) - r->top[i];
    return CIV_OK;
}

/* One row's explanation.  In Chinese the amounts are followed by 元, or for
 * another currency by its code (" USD": 元 after dollars read as yuan). */
static void settle_explain(const civ_alloc_spec *sp, const settle_rows *r, size_t i, int zh, char *buf, size_t size)
{
    char a[48], s[48], x[48], y[48], z[48], u[40];
    int dg = sp->minor_digits, cny = !sp->currency || !strcmp(sp->currency, "CNY");
    civ_snprintf(u, sizeof u, "%s%s", cny ? "元" : " ", cny ? "" : sp->currency);
    civ_alloc_format_major(r->a[i], dg, a, sizeof a), civ_alloc_format_major(r->s[i], dg, s, sizeof s);
    if (r->a[i] == r->s[i]) {
        if (zh)
            civ_snprintf(buf, size, "拨付 %s%s，支出 %s%s：收支相抵", a, u, s, u);
        else
            civ_snprintf(buf, size, "allocated %s, spent %s: nothing to settle", a, s);
    } else if (r->a[i] > r->s[i]) {
        civ_alloc_format_major(r->a[i] - r->s[i], dg, x, sizeof x);
        civ_alloc_format_major(r->carry[i], dg, y, sizeof y), civ_alloc_format_major(r->claw[i], dg, z, sizeof z);
        double pct = 100.0 * (double)sp->carry_num / pow(10, sp->carry_digits);
        char cap[48];
        civ_alloc_format_major(r->carry_cap[i], dg, cap, sizeof cap);
        if (zh)
            civ_snprintf(buf, size, "拨付 %s%s，支出 %s%s：结余 %s%s，结转 %s%s（不超过拨付额的 %g%% = %s%s），收回 %s%s", a,
                         u, s, u, x, u, y, u, pct, cap, u, z, u);
        else
            civ_snprintf(buf, size,
                         "allocated %s, spent %s: unspent %s, carried over %s (at most %g%% of the allocation = %s), "
                         "clawed back %s",
                         a, s, x, y, pct, cap, z);
    } else {
        civ_alloc_format_major(r->s[i] - r->a[i], dg, x, sizeof x);
        civ_alloc_format_major(r->top[i], dg, y, sizeof y), civ_alloc_format_major(r->unc[i], dg, z, sizeof z);
        double pct = 100.0 * (double)sp->top_up_num / pow(10, sp->top_up_digits);
        char cap[48];
        civ_alloc_format_major(r->top_cap[i], dg, cap, sizeof cap);
        int cut = r->cut && r->top[i] < r->claim[i];
        if (zh)
            civ_snprintf(buf, size, "拨付 %s%s，支出 %s%s：超支 %s%s，补助 %s%s（不超过拨付额的 %g%% = %s%s%s），自行承担 %s%s",
                         a, u, s, u, x, u, y, u, pct, cap, u, cut ? "，补助总额不足按比例削减" : "", z, u);
        else
            civ_snprintf(buf, size,
                         "allocated %s, spent %s: overspent %s, topped up %s (at most %g%% of the allocation = %s%s), "
                         "uncovered %s",
                         a, s, x, y, pct, cap, cut ? "; cut pro rata to the top-up budget" : "", z);
    }
}

typedef struct sb {
    civ_table *t;
    civ_status st;
} sb;
static size_t col(sb *b, const char *name, const char *unit, civ_column_type type)
{
    char nm[96];
    size_t k = 0;
    civ_snprintf(nm, sizeof nm, "%s%s%s", name, unit ? "_" : "", unit ? unit : "");
    if (!b->st)
        b->st = civ_table_add_column(b->t, nm, type, &k);
    return k;
}

static civ_status settle_table(const civ_alloc_spec *sp, const settle_rows *r, int explain, civ_table **out)
{
    const char *mi = civ_alloc_minor_name(sp);
    sb b = {0};
    if ((b.st = civ_table_create(&b.t)))
        return b.st;
    size_t cid = col(&b, "unique_id", NULL, CIV_COLUMN_TEXT), c0 = col(&b, "allocated", mi, CIV_COLUMN_NUMBER);
    static const char *const names[] = {"spent", "unspent", "overspent", "carry_over", "clawback", "top_up", "uncovered"};
    for (size_t k = 0; k < 7; k++)
        col(&b, names[k], mi, CIV_COLUMN_NUMBER);
    size_t cex = explain ? col(&b, "explanation", NULL, CIV_COLUMN_TEXT) : 0;
    if (!b.st)
        b.st = civ_table_add_rows(b.t, r->n, NULL);
    char ex[1024];
    for (size_t i = 0; i < r->n && !b.st; i++) {
        int64_t u = r->a[i] > r->s[i] ? r->a[i] - r->s[i] : 0, o = r->s[i] > r->a[i] ? r->s[i] - r->a[i] : 0;
        const int64_t v[8] = {r->a[i], r->s[i], u, o, r->carry[i], r->claw[i], r->top[i], r->unc[i]};
        b.st = civ_table_set_text(b.t, i, cid, r->ids[i]);
        for (size_t k = 0; k < 8 && !b.st; k++)
            b.st = civ_table_set_number(b.t, i, c0 + k, (double)v[k]);
        if (!b.st && explain) {
            settle_explain(sp, r, i, explain == CIV_ALLOC_EXPLAIN_ZH, ex, sizeof ex);
            b.st = civ_table_set_text(b.t, i, cex, ex);
        }
    }
    if (b.st) {
        civ_table_free(b.t);
        return b.st;
    }
    *out = b.t;
    return CIV_OK;
}

/* The totals: section "total", item = the quantity, value in minor units. */
static civ_status settle_summary(const civ_alloc_spec *sp, const settle_rows *r, civ_table **out)
{
    const char *mi = civ_alloc_minor_name(sp);
    sb b = {0};
    if ((b.st = civ_table_create(&b.t)))
        return b.st;
    size_t c_sec = col(&b, "section", NULL, CIV_COLUMN_TEXT), c_item = col(&b, "item", NULL, CIV_COLUMN_TEXT);
    size_t c_meas = col(&b, "measure", NULL, CIV_COLUMN_TEXT), c_unit = col(&b, "unit", NULL, CIV_COLUMN_TEXT);
    size_t c_val = col(&b, "value", NULL, CIV_COLUMN_NUMBER);
    static const char *const names[] = {"allocated", "spent", "carry_over", "clawback", "top_up", "uncovered"};
    int64_t tot[6] = {0};
    size_t cnt[6] = {0};
    for (size_t i = 0; i < r->n; i++) {
        const int64_t v[6] = {r->a[i], r->s[i], r->carry[i], r->claw[i], r->top[i], r->unc[i]};
        for (int k = 0; k < 6; k++)
            tot[k] += v[k], cnt[k] += v[k] > 0;
    }
    for (int k = 0; k < 6 && !b.st; k++)
        for (int m = 0; m < 2 && !b.st; m++) {
            size_t row;
            b.st = civ_table_add_rows(b.t, 1, &row);
            if (!b.st)
                b.st = civ_table_set_text(b.t, row, c_sec, "total");
            if (!b.st)
                b.st = civ_table_set_text(b.t, row, c_item, names[k]);
            if (!b.st)
                b.st = civ_table_set_text(b.t, row, c_meas, m ? "communities" : "amount");
            if (!b.st)
                b.st = civ_table_set_text(b.t, row, c_unit, m ? "count" : mi);
            if (!b.st)
                b.st = civ_table_set_number(b.t, row, c_val, m ? (double)cnt[k] : (double)tot[k]);
        }
    if (b.st) {
        civ_table_free(b.t);
        return b.st;
    }
    *out = b.t;
    return CIV_OK;
}

/* The allocation's amount column: amount_<minor>, else (a sheet of the year's amounts in yuan) amount_<major>,
 * read in major units (*amount_minor = 0). */
static void settle_amount_column(const civ_alloc_spec *sp, const civ_table *alloc, char *amount_col, size_t size,
                                 int *amount_minor)
{
    civ_snprintf(amount_col, size, "amount_%s", civ_alloc_minor_name(sp));
    size_t ac;
    *amount_minor = 1;
    if (civ_table_find_column(alloc, amount_col, &ac)) {
        char major_col[48];
        civ_snprintf(major_col, sizeof major_col, "amount_%s", civ_alloc_major_name(sp));
        if (civ_table_find_column(alloc, major_col, &ac) == CIV_OK)
            civ_snprintf(amount_col, size, "%s", major_col), *amount_minor = 0;
        civ_clear_error(); /* the lookups' "no such column": the reader names the one missing */
    }
}

/* A release's amount_<minor> is the release alone: settling it against the year's spending made almost every
 * community "overspent" with exit 0; refused when the allocation has paid_<minor>. */
static civ_status check_not_release(const civ_alloc_spec *sp, const civ_table *alloc, const char *amount_col)
{
    char paid_col[48];
    civ_snprintf(paid_col, sizeof paid_col, "paid_%s", civ_alloc_minor_name(sp));
    size_t pc;
    if (civ_table_find_column(alloc, paid_col, &pc) != CIV_OK) {
        civ_clear_error(); /* the lookup's "no such column" */
        return CIV_OK;
    }
    civ_where w = {.field = amount_col};
    return civ_fail_at(CIV_ERR_DOMAIN, &w,
                       "the allocation is a reserve release (it has %s): its %s is the release alone, not what "
                       "the communities were allocated in the year; settle a table of the year's amounts: "
                       "unique_id and %s = the allocation's %s + the release's %s (+ any further release)",
                       paid_col, amount_col, amount_col, amount_col, amount_col);
}

/* Each allocated community's spending into r->s (used[j] marks spending row j); the first without a row
 * is refused, all of them counted: the office fills the sheet once, not once per run. */
static civ_status match_spending(settle_rows *r, const civ_table *alloc, const civ_table *spending,
                                 const civ_strmap *map, const int64_t *spent, unsigned char *used)
{
    size_t missing = 0, first = 0;
    for (size_t i = 0; i < r->n; i++) {
        size_t j;
        if (!civ_strmap_get(map, r->ids[i], &j)) {
            first = missing++ ? first : i;
        } else {
            r->s[i] = spent[j];
            used[j] = 1;
        }
    }
    if (!missing)
        return CIV_OK;
    civ_where w = {.file = civ_table_source(spending, NULL), .series_id = r->ids[first]};
    char more[64] = "", at[600], row[64];
    const char *asrc = civ_table_source(alloc, NULL);
    civ_alloc_row_name(alloc, first, row, sizeof row);
    civ_snprintf(at, sizeof at, "%s%s%s", asrc ? asrc : "allocation", asrc ? ", " : " ", row);
    if (missing > 1)
        civ_snprintf(more, sizeof more, ", nor %s %zu other communit%s", missing > 2 ? "have" : "has", missing - 1,
                     missing > 2 ? "ies" : "y");
    char zeros[400] = "";
    const char *twin = civ_id_zero_twin(r->ids[first], map->keys, map->capacity);
    if (twin)
        civ_id_zero_hint(r->ids[first], twin, "the spending table", zeros, sizeof zeros);
    return civ_fail_at(CIV_ERR_NOT_FOUND, &w,
                       "community '%s' (%s) has no row in the spending table%s%s", r->ids[first], at, more,
                       twin ? zeros : " (add each with 0 spent: settlement never guesses a zero)");
}

/* The first spending row of a community that was not allocated anything (m rows, ids sids) is refused. */
static civ_status check_all_used(const settle_rows *r, const civ_table *spending, const char *idc,
                                 const char **sids, size_t m, const unsigned char *used)
{
    for (size_t j = 0; j < m; j++)
        if (!used[j]) {
            civ_where w;
            char who[400];
            size_t c = 0;
            civ_table_find_column(spending, idc, &c); /* found: id_column read it */
            civ_alloc_row_place(spending, "spending", j, c, sids[j], 1, &w, who, sizeof who);
            char zeros[400] = "";
            const char *twin = civ_id_zero_twin(sids[j], (const char *const *)r->ids, r->n);
            if (twin)
                civ_id_zero_hint(sids[j], twin, "the allocation", zeros, sizeof zeros);
            return civ_fail_at(CIV_ERR_NOT_FOUND, &w, "%s was not allocated anything%s", who,
                               twin ? zeros
                               : civ_total_row_id(sids[j])
                                   ? ": it looks like the sheet's total row, not a community: delete the row "
                                     "(civicast sums the communities itself)"
                                   : " (a mis-keyed id? correct it to the allocation's id, or settle that community "
                                     "with its own allocation)");
        }
    return CIV_OK;
}

/* A header naming no unit is read in major units, as documented (the default "spent"); a sheet in fen
 * under it would be read 100 times too much and every community "overspent" about 100 times: refused
 * when the year's spending is at least SPENT_SLIP times the allocation (a fen sheet of 20% to 2000%
 * spending), which names its unit in the header to be read as it is. */
static civ_status check_spent_unit(const civ_alloc_spec *sp, const civ_table *spending, const settle_rows *r)
{
    const char *scol = sp->spent_column ? sp->spent_column : "spent";
    if (civ_alloc_column_unit(sp, scol) != CIV_UNIT_MARK_NONE)
        return CIV_OK;
    enum { SPENT_SLIP = 20 };
    __int128 ta = 0, ts = 0;
    for (size_t i = 0; i < r->n; i++)
        ta += r->a[i], ts += r->s[i];
    if (!(ta > 0 && ts >= (__int128)SPENT_SLIP * ta))
        return CIV_OK;
    char a[48], sx[48];
    civ_alloc_format_major((int64_t)ta, sp->minor_digits, a, sizeof a);
    civ_alloc_format_major(ts > INT64_MAX ? INT64_MAX : (int64_t)ts, sp->minor_digits, sx, sizeof sx);
    size_t c = 0;
    civ_table_find_column(spending, scol, &c); /* found: money_column read it */
    const char *src = civ_table_source(spending, NULL);
    civ_where w = {.file = src, .line = src ? 1 : 0, .column = src ? (long)c + 1 : 0, .field = scol};
    const char *ma = civ_alloc_major_name(sp), *mi = civ_alloc_minor_name(sp);
    return civ_fail_at(CIV_ERR_DOMAIN, &w,
                       "the spending column '%s' does not say its unit and is read in %s: it totals %s, "
                       "%.0f times the %s allocated, as a sheet in %s read as %s would: if it is in %s, give "
                       "it in %s (in the sheet =cell/%lld); if the spending really is that large, name the "
                       "column by its unit (%s_%s), and it is read as it is",
                       scol, ma, sx, (double)ts / (double)ta, a, mi, ma, mi, ma, (long long)sp->minor_unit,
                       scol, ma);
}

/* Reads both tables into r (allocation row order). */
static civ_status settle_read(const civ_alloc_spec *sp, const civ_table *alloc, const civ_table *spending,
                              settle_rows *r)
{
    size_t n = civ_table_n_rows(alloc), m = civ_table_n_rows(spending);
    char amount_col[48];
    int amount_minor; /* a sheet of the year's amounts in yuan, amount_yuan, when it has no amount_fen */
    settle_amount_column(sp, alloc, amount_col, sizeof amount_col, &amount_minor);
    const char *idc = sp->id_column ? sp->id_column : "unique_id";
    r->n = n;
    r->ids = calloc(n + 1, sizeof *r->ids);
    const char **sids = calloc(m + 1, sizeof *sids);
    int64_t **arr[] = {&r->a, &r->s, &r->carry, &r->claw, &r->claim, &r->top, &r->unc, &r->carry_cap, &r->top_cap};
    int ok = r->ids && sids;
    for (size_t k = 0; k < sizeof arr / sizeof *arr; k++)
        ok &= (*arr[k] = calloc(n + 1, sizeof(int64_t))) != NULL;
    int64_t *spent = calloc(m + 1, sizeof *spent);
    unsigned char *used = calloc(m + 1, 1);
    civ_strmap map = {0}, amap = {0};
    civ_status st = ok && spent && used ? CIV_OK : civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory for the settlement");
    if (!st)
        st = check_not_release(sp, alloc, amount_col);
    if (!st)
        st = id_column(alloc, "allocation", "unique_id", r->ids, &amap);
    if (!st)
        st = civ_alloc_money_column(alloc, "allocation", amount_col, amount_minor, sp, r->ids, r->a);
    if (!st)
        st = id_column(spending, "spending", idc, sids, &map);
    if (!st)
        st = civ_alloc_money_column(spending, "spending", sp->spent_column ? sp->spent_column : "spent", 0, sp, sids,
                                    spent);
    if (!st)
        st = match_spending(r, alloc, spending, &map, spent, used);
    if (!st)
        st = check_all_used(r, spending, idc, sids, m, used);
    if (!st)
        st = check_spent_unit(sp, spending, r);
    civ_strmap_free(&map), civ_strmap_free(&amap);
    free(sids), free(spent), free(used);
    return st;
}

civ_status civ_alloc_settle(const civ_alloc_spec *spec, const civ_table *allocation, const civ_table *spending,
                            int explain, civ_table **out, civ_table **summary)
{
    if (!spec || !allocation || !spending || !out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_alloc_settle: NULL argument");
    *out = NULL;
    if (summary)
        *summary = NULL;
    settle_rows r = {0};
    civ_table *book = NULL; /* the plan's allocation.xlsx sheet, its headers read back (last_year_book.c) */
    civ_status st = civ_alloc_book_table(spec, allocation, &book);
    if (!st)
        st = settle_read(spec, book ? book : allocation, spending, &r);
    if (!st)
        st = settle_amounts(spec, &r);
    if (!st)
        st = settle_table(spec, &r, explain, out);
    if (!st && summary && (st = settle_summary(spec, &r, summary))) {
        civ_table_free(*out);
        *out = NULL;
    }
    settle_free(&r);
    civ_table_free(book);
    return st;
}
