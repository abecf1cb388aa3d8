/*
 * cmd_compare.c -- layer CLI (a client of civicast.h only): `civicast
 * allocate --compare SPEC1 SPEC2 ...`: several specs solved on the same data
 * (civ_alloc_compare_*), the amounts side by side, gainers and losers, and
 * the waterfall of what each rule moved (docs/ALLOCATION.md, "Scenarios").
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

enum { C_COMPARE, C_COMMUNITIES, C_FORECASTS, C_OUT, C_SUMMARY, C_LAST_YEAR, C_LAST_YEAR_SHEET, C_ENCODING,
       C_THOUSANDS, C_PERCENT, C_SHEET, C_SKIP_ROWS, C_COMM_SKIP, C_FC_SKIP, C_LY_SKIP,
       C_EXCEL /* +1 --no-excel, +2 --precision: CIV_CLI_CSV_OPTIONS */ };
static const civ_cli_option compare_options[] = {
    [C_COMPARE] = {"--compare", NULL, CIV_CLI_LIST, CIV_CLI_PATH, "SPEC...", "the specs (at least two)"},
    [C_COMMUNITIES] = {"--communities", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE", "community attributes"},
    [C_FORECASTS] = {"--forecasts", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE", "forecasts in long format"},
    [C_OUT] = {"--out", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE", "amounts side by side"},
    [C_SUMMARY] = {"--summary", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE", "the waterfall"},
    [C_LAST_YEAR] = CIV_CLI_LAST_YEAR_OPTION, /* every spec's, instead of its own [data] last_year_file */
    [C_LAST_YEAR_SHEET] = CIV_CLI_LAST_YEAR_SHEET_OPTION,
    [C_ENCODING] = CIV_CLI_ENCODING_OPTION,
    [C_THOUSANDS] = CIV_CLI_THOUSANDS_OPTION,
    [C_SKIP_ROWS] = CIV_CLI_SKIP_ROWS_OPTION,
    [C_COMM_SKIP] = CIV_CLI_INPUT_SKIP_ROWS_OPTION("--communities-skip-rows", "--communities"),
    [C_FC_SKIP] = CIV_CLI_INPUT_SKIP_ROWS_OPTION("--forecasts-skip-rows", "--forecasts"),
    [C_LY_SKIP] = CIV_CLI_INPUT_SKIP_ROWS_OPTION("--last-year-skip-rows", "--last-year"),
    [C_EXCEL] = CIV_CLI_CSV_OPTIONS,
    {NULL, NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL, NULL},
};
static const civ_cli_spec compare_spec = {
    "allocate", "", NULL, compare_options, 0, "unknown argument '%s' with --compare", "%s needs a file", NULL,
};

typedef struct compare_job {
    const char *const *paths;
    const char *last_year; /* --last-year FILE, or NULL: each spec's own [data] last_year_file */
    const char *last_year_sheet; /* --last-year-sheet NAME, or NULL */
    size_t n;
    civ_alloc_spec **specs;
    char (*labels)[64];
    const char **label_ptr;
    civ_table *comm, *fc, *table, *wf;
    civ_alloc_compare *cmp;
    civ_csv_write_options csv; /* --excel, --precision */
} compare_job;

/* label = file name without folder and extension, reduced to [A-Za-z0-9_.-] */
static void make_label(const char *path, char *buf, size_t size, size_t index)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t o = 0;
    const char *dot = strrchr(base, '.');
    for (const char *p = base; *p && (!dot || p < dot || dot == base) && o + 1 < size && o < 48; p++) {
        char ch = *p;
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
                 ch == '-' || ch == '.';
        buf[o++] = ok ? ch : '_';
    }
    if (!o)
        o = (size_t)snprintf(buf, size, "s%zu", index + 1);
    buf[o < size ? o : size - 1] = 0;
}

/* Reads the specs and gives each a distinct label. */
static civ_status read_specs(compare_job *j)
{
    j->specs = calloc(j->n, sizeof *j->specs);
    j->labels = calloc(j->n, sizeof *j->labels);
    j->label_ptr = calloc(j->n, sizeof *j->label_ptr);
    civ_status s = j->specs && j->labels && j->label_ptr ? CIV_OK : CIV_ERR_OUT_OF_MEMORY;
    for (size_t k = 0; k < j->n && !s; k++) {
        s = civ_alloc_spec_read(j->paths[k], &j->specs[k]);
        if (!s) /* --last-year, else the spec's [data] last_year_file, as allocate reads it */
            s = civ_cli_last_year(j->specs[k], j->last_year, j->last_year_sheet);
        make_label(j->paths[k], j->labels[k], sizeof j->labels[k], k);
        for (size_t i = 0; i < k; i++)
            if (!strcmp(j->labels[i], j->labels[k])) {
                char suffix[24];
                snprintf(suffix, sizeof suffix, "-%zu", k + 1);
                j->labels[k][40] = 0;
                strcat(j->labels[k], suffix);
                i = (size_t)-1; /* re-check from the start */
            }
        j->label_ptr[k] = j->labels[k];
    }
    return s;
}

static civ_status run_compare(compare_job *j, const civ_cli_args *a)
{
    civ_status s = read_specs(j);
    /* the first spec's text columns (its id stays text); the others bind the same table */
    civ_table_read_options ro = {.text_columns = s ? NULL : civ_alloc_spec_text_columns(j->specs[0])};
    if (!s)
        s = civ_cli_read_table(a->value[C_COMMUNITIES], &ro, &j->comm);
    if (!s && a->value[C_FORECASTS])
        s = civ_cli_read_table(a->value[C_FORECASTS], &ro, &j->fc);
    if (!s)
        s = civ_alloc_compare_run((const civ_alloc_spec *const *)j->specs, j->label_ptr, j->n, j->comm, j->fc,
                                  &j->cmp);
    if (!s)
        s = civ_alloc_compare_table(j->cmp, &j->table);
    if (!s)
        s = civ_alloc_compare_waterfall(j->cmp, &j->wf);
    const char *paths[2] = {a->value[C_OUT], a->value[C_SUMMARY]};
    const civ_table *tables[2] = {j->table, j->wf};
    if (!s) { /* money in major units keeps its minor digits when rounded; the two files published together */
        j->csv.min_decimals = civ_cli_money_decimals(civ_alloc_spec_minor_unit(j->specs[0]));
        s = civ_cli_write_tables(tables, paths, 2, &j->csv);
    }
    return s;
}

typedef struct mover {
    size_t row;
    int64_t change;
} mover;

static int cmp_mover(const void *a, const void *b)
{
    const mover *x = a, *y = b;
    if (x->change != y->change)
        return x->change < y->change ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* Spec k against the first: counts, sums, and the top five each way.
 * a0, a1 and mv hold n entries. */
static void print_movers(const compare_job *j, size_t k, int64_t *a0, int64_t *a1, mover *mv, size_t n)
{
    int64_t unit = civ_alloc_spec_minor_unit(j->specs[0]);
    const char *cur = civ_alloc_spec_currency(j->specs[0]);
    size_t cid, cdi;
    civ_table_find_column(j->table, "unique_id", &cid);
    civ_table_find_column(j->table, "district", &cdi);
    civ_alloc_compare_amounts(j->cmp, k, a1, n);
    size_t gains = 0, loses = 0;
    double up = 0, down = 0;
    for (size_t i = 0; i < n; i++) {
        mv[i].row = i, mv[i].change = a1[i] - a0[i];
        gains += mv[i].change > 0, loses += mv[i].change < 0;
        if (mv[i].change > 0)
            up += (double)mv[i].change;
        else
            down += (double)mv[i].change;
    }
    char m1[64], m2[64], m3[64];
    civ_cli_format_money(m1, sizeof m1, up, unit);
    civ_cli_format_money(m2, sizeof m2, down, unit);
    printf("%s vs %s: %zu gain, %zu lose, %zu unchanged; gains %s, losses %s %s\n", j->labels[k], j->labels[0], gains,
           loses, n - gains - loses, m1, m2, cur);
    qsort(mv, n, sizeof *mv, cmp_mover);
    for (int side = 0; side < 2; side++) {
        size_t shown = 0;
        printf("  top %s:", side ? "losers " : "gainers");
        for (size_t i = 0; i < n && shown < 5; i++) {
            const mover *m = side ? &mv[i] : &mv[n - 1 - i];
            if (side ? m->change >= 0 : m->change <= 0)
                break;
            civ_cli_format_money(m3, sizeof m3, (double)m->change, unit);
            printf("%s %s %s%s (%s)", shown ? "," : "", civ_table_text(j->table, m->row, cid),
                   m->change > 0 ? "+" : "", m3, civ_table_text(j->table, m->row, cdi));
            shown++;
        }
        printf("%s\n", shown ? "" : " none");
    }
}

/* Each spec's total, then each later spec against the first. */
static civ_status print_scenarios(const compare_job *j, const char *comm_path)
{
    size_t n = civ_alloc_compare_n_communities(j->cmp);
    int64_t *a0 = malloc((n ? n : 1) * sizeof *a0), *a1 = malloc((n ? n : 1) * sizeof *a1);
    mover *mv = malloc((n ? n : 1) * sizeof *mv);
    if (!a0 || !a1 || !mv) {
        free(a0), free(a1), free(mv);
        return CIV_ERR_OUT_OF_MEMORY;
    }
    int64_t unit = civ_alloc_spec_minor_unit(j->specs[0]);
    const char *cur = civ_alloc_spec_currency(j->specs[0]);
    printf("scenarios              %zu specs on %zu communities (%s)\n", j->n, n, comm_path);
    civ_alloc_compare_amounts(j->cmp, 0, a0, n);
    for (size_t k = 0; k < j->n; k++) {
        civ_alloc_compare_amounts(j->cmp, k, a1, n);
        double tot = 0;
        for (size_t i = 0; i < n; i++)
            tot += (double)a1[i];
        char m1[64];
        civ_cli_format_money(m1, sizeof m1, tot, unit);
        printf("  %-20s %s (version %s): allocated %s %s\n", j->labels[k], j->paths[k],
               civ_alloc_spec_version(j->specs[k]), m1, cur);
    }
    for (size_t k = 1; k < j->n; k++)
        print_movers(j, k, a0, a1, mv, n);
    free(a0), free(a1), free(mv);
    return CIV_OK;
}

/* The waterfall: the money each rule moved, per spec, in the table's order
 * of the effects (its columns between "base" and "amount": tilt, earmark,
 * the bounds, rebalance, rounding). */
static void print_waterfall(const compare_job *j)
{
    int64_t unit = civ_alloc_spec_minor_unit(j->specs[0]);
    printf("waterfall (%s moved: gained / lost; base + effects = amount)\n", civ_alloc_spec_currency(j->specs[0]));
    size_t cspec, cscope, cbase = 0, camount = 0;
    civ_table_find_column(j->wf, "spec", &cspec);
    civ_table_find_column(j->wf, "scope", &cscope);
    civ_table_find_column(j->wf, "base", &cbase);
    civ_table_find_column(j->wf, "amount", &camount);
    for (size_t r = 0; r < civ_table_n_rows(j->wf); r++) {
        if (strcmp(civ_table_text(j->wf, r, cscope), "gained"))
            continue;
        printf("  %-20s", civ_table_text(j->wf, r, cspec));
        int any = 0;
        for (size_t ce = cbase + 1; ce < camount; ce++) {
            double g = civ_table_number(j->wf, r, ce), l = civ_table_number(j->wf, r + 1, ce);
            if (fabs(g) < 0.5 && fabs(l) < 0.5)
                continue;
            char m1[64], m2[64];
            civ_cli_format_money(m1, sizeof m1, g, unit);
            civ_cli_format_money(m2, sizeof m2, l, unit);
            printf("%s %s +%s/%s", any ? "," : "", civ_table_column_name(j->wf, ce), m1, m2);
            any = 1;
        }
        printf("%s\n", any ? "" : " nothing moved");
    }
}

static void free_job(compare_job *j)
{
    civ_table_free(j->table), civ_table_free(j->wf), civ_alloc_compare_free(j->cmp);
    civ_table_free(j->comm), civ_table_free(j->fc);
    for (size_t k = 0; j->specs && k < j->n; k++)
        civ_alloc_spec_free(j->specs[k]);
    free(j->specs), free(j->labels), free(j->label_ptr);
}

int civ_cli_allocate_compare(int argc, char **argv)
{
    civ_cli_args a;
    int code = civ_cli_parse(&compare_spec, argc, argv, &a);
    if (code)
        return code;
    if (a.n_list < 2 || !a.value[C_COMMUNITIES] || !a.value[C_OUT]) {
        civ_cli_args_free(&a);
        return civ_cli_usage_error("allocate", "--compare needs at least two specs, --communities and --out");
    }
    compare_job j = {.csv = {.bom = 1}, .paths = a.list, .n = a.n_list, .last_year = a.value[C_LAST_YEAR],
                     .last_year_sheet = a.value[C_LAST_YEAR_SHEET]};
    if ((code = civ_cli_set_input("allocate", NULL, a.value[C_ENCODING], a.value[C_THOUSANDS], a.value[C_PERCENT],
                                  a.value[C_SHEET], a.value[C_SKIP_ROWS])) ||
        (code = civ_cli_csv_options("allocate", &a, C_EXCEL, &j.csv))) {
        civ_cli_args_free(&a);
        return code;
    }
    civ_status s = run_compare(&j, &a);
    if (!s)
        s = print_scenarios(&j, a.value[C_COMMUNITIES]);
    if (s) {
        code = civ_cli_report(s);
    } else {
        print_waterfall(&j);
        const char *sum = a.value[C_SUMMARY];
        printf("wrote                  %s%s%s\n", a.value[C_OUT], sum ? ", " : "", sum ? sum : "");
    }
    free_job(&j);
    civ_cli_args_free(&a);
    return code;
}
