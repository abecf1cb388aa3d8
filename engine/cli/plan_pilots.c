/*
 * plan_pilots.c -- layer CLI (a client of civicast.h only): the "pilots"
 * lines of `civicast plan`.  When the communities table has a text column
 * `pilot` (the demo city's three pilot districts: aging_new_district,
 * migrant_industrial_zone, hollowed_township; datasets/README.md), each
 * pilot gets one line saying what the plan's features did there: the 60+
 * and migrant shares, the amount and its migrant earmark, how many
 * communities the aging tilt raised and the floor lifted, and how many of
 * its series are intermittent and were forecast by an intermittent method.
 * Every number comes from the plan's own tables; nothing is recomputed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

#define MAX_PILOTS 16

typedef struct pilot_sum {
    const char *code, *district;
    size_t n, tilted, floored, earmarked, intermittent, by_intermittent;
    double pop, aged, migrants, amount, migrant_pool;
} pilot_sum;

/* Row of `id` in table t's column c: `hint` first (tables usually share an
 * order), else a scan.  SIZE_MAX when absent. */
static size_t find_row(const civ_table *t, size_t c, const char *id, size_t hint)
{
    size_t n = civ_table_n_rows(t);
    if (hint < n && !strcmp(civ_table_text(t, hint, c), id))
        return hint;
    for (size_t r = 0; r < n; r++)
        if (!strcmp(civ_table_text(t, r, c), id))
            return r;
    return SIZE_MAX;
}

static double number_or_zero(const civ_table *t, size_t row, const char *col)
{
    size_t c;
    if (!t || row == SIZE_MAX || civ_table_find_column(t, col, &c))
        return 0.0;
    double v = civ_table_number(t, row, c);
    return isnan(v) ? 0.0 : v;
}

static const char *text_or_empty(const civ_table *t, size_t row, const char *col)
{
    size_t c;
    if (!t || row == SIZE_MAX || civ_table_find_column(t, col, &c))
        return "";
    const char *s = civ_table_text(t, row, c);
    return s ? s : "";
}

/* Adds community row r of `comm` to its pilot's sums. */
static void add_row(pilot_sum *p, const civ_table *comm, size_t r, const civ_table *alloc, const civ_table *report)
{
    size_t cid, aid = SIZE_MAX, rid = SIZE_MAX;
    civ_table_find_column(comm, "unique_id", &cid);
    const char *id = civ_table_text(comm, r, cid);
    p->n++;
    p->pop += number_or_zero(comm, r, "population_resident");
    p->aged += number_or_zero(comm, r, "aged60_resident");
    p->migrants += number_or_zero(comm, r, "migrant_count");
    size_t ar = alloc && !civ_table_find_column(alloc, "unique_id", &aid) ? find_row(alloc, aid, id, r) : SIZE_MAX;
    p->amount += number_or_zero(alloc, ar, "amount_fen");
    double mig = number_or_zero(alloc, ar, "pool_migrant_fen");
    p->migrant_pool += mig;
    p->earmarked += mig > 0.0;
    p->tilted += number_or_zero(alloc, ar, "tilt_main") > 1.0;
    p->floored += !strcmp(text_or_empty(alloc, ar, "binding"), "floor");
    size_t rr = report && !civ_table_find_column(report, "unique_id", &rid) ? find_row(report, rid, id, r) : SIZE_MAX;
    const char *cls = text_or_empty(report, rr, "demand_class");
    if (!strcmp(cls, "intermittent") || !strcmp(cls, "lumpy") || !strcmp(cls, "none")) {
        p->intermittent++;
        const char *m = text_or_empty(report, rr, "model");
        static const char *const fams[] = {"Croston", "SBA", "TSB", "ADIDA", "IMAPA"};
        for (size_t k = 0; k < 5; k++)
            if (!strncmp(m, fams[k], strlen(fams[k]))) {
                p->by_intermittent++;
                break;
            }
    }
}

void civ_cli_print_pilots(const civ_table *comm, const civ_table *alloc, const civ_table *report, int64_t unit)
{
    size_t cp, cid, cd;
    if (!comm || civ_table_find_column(comm, "pilot", &cp) || civ_table_find_column(comm, "unique_id", &cid) ||
        civ_table_find_column(comm, "district", &cd)) {
        civ_clear_error();
        return;
    }
    pilot_sum p[MAX_PILOTS];
    size_t np = 0;
    for (size_t r = 0; r < civ_table_n_rows(comm); r++) {
        const char *code = civ_table_text(comm, r, cp);
        if (!code || !code[0])
            continue;
        size_t k = 0;
        while (k < np && strcmp(p[k].code, code))
            k++;
        if (k == np) {
            if (np == MAX_PILOTS)
                continue;
            memset(&p[np], 0, sizeof p[np]);
            p[np].code = code;
            p[np].district = civ_table_text(comm, r, cd);
            np++;
        }
        add_row(&p[k], comm, r, alloc, report);
    }
    for (size_t k = 0; k < np; k++) {
        char label[64], money[64], earmark[64];
        snprintf(label, sizeof label, "%s", p[k].code);
        for (char *s = label; *s; s++)
            if (*s == '_')
                *s = ' ';
        civ_cli_format_money(money, sizeof money, p[k].amount, unit);
        civ_cli_format_money(earmark, sizeof earmark, p[k].migrant_pool, unit);
        printf("%s %s (%s): %zu communities, 60+ %.1f%%, migrants %.1f%%; %s (%.0f per 60+ resident), migrant "
               "earmark %s in %zu; aging tilt %zu, floor %zu; intermittent %zu (%zu by intermittent models)\n",
               k ? "                      " : "pilots                ", p[k].district, label, p[k].n,
               p[k].pop > 0 ? 100.0 * p[k].aged / p[k].pop : 0.0,
               p[k].pop > 0 ? 100.0 * p[k].migrants / p[k].pop : 0.0, money,
               p[k].aged > 0 ? p[k].amount / (double)unit / p[k].aged : 0.0, earmark, p[k].earmarked, p[k].tilted,
               p[k].floored, p[k].intermittent, p[k].by_intermittent);
    }
    civ_clear_error();
}
