/*
 * alloc_extra.c -- the CLI around the allocation engine: `civicast allocate
 * --compare` (scenarios: amounts side by side, gainers and losers, the
 * waterfall of each rule), the Monte Carlo columns of `--uncertainty`, and
 * the printing of the multi-year need; shared with `civicast plan`.
 * The numbers all come from the library (alloc_compare.c,
 * alloc_uncertainty.c, alloc_need.c); this file parses, prints and writes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_extra.h"
#include "commands.h"

void civ_cli_format_money(char *buf, size_t size, double minor, int64_t unit)
{
    int digits = unit == 1 ? 0 : unit == 10 ? 1 : unit == 100 ? 2 : 3;
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*f", digits, fabs(minor) / (double)unit);
    const char *dot = strchr(tmp, '.');
    size_t int_len = dot ? (size_t)(dot - tmp) : strlen(tmp), o = 0;
    char out[96];
    if (minor < 0 && o < sizeof out - 1)
        out[o++] = '-';
    for (size_t i = 0; i < int_len; i++) {
        if (i && (int_len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = tmp[i];
    }
    if (dot)
        for (const char *p = dot; *p && o < sizeof out - 1; p++)
            out[o++] = *p;
    out[o] = 0;
    snprintf(buf, size, "%s", out);
}

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

int civ_cli_allocate_compare(int argc, char **argv)
{
    const char *comm_path = NULL, *fc_path = NULL, *out_path = NULL, *sum_path = NULL;
    const char **spec_paths = calloc((size_t)argc, sizeof *spec_paths);
    size_t n_specs = 0;
    if (!spec_paths)
        return civ_cli_report(CIV_ERR_OUT_OF_MEMORY);
    int code = CIV_EXIT_OK;
    for (int i = 1; i < argc; i++) {
        const char **slot = NULL;
        if (!strcmp(argv[i], "--compare")) {
            while (i + 1 < argc && strncmp(argv[i + 1], "--", 2))
                spec_paths[n_specs++] = argv[++i];
            continue;
        } else if (!strcmp(argv[i], "--communities"))
            slot = &comm_path;
        else if (!strcmp(argv[i], "--forecasts"))
            slot = &fc_path;
        else if (!strcmp(argv[i], "--out"))
            slot = &out_path;
        else if (!strcmp(argv[i], "--summary"))
            slot = &sum_path;
        else {
            free(spec_paths);
            return civ_cli_usage_error("allocate", "unknown argument '%s' with --compare", argv[i]);
        }
        if (++i >= argc) {
            free(spec_paths);
            return civ_cli_usage_error("allocate", "%s needs a file", argv[i - 1]);
        }
        *slot = argv[i];
    }
    if (n_specs < 2 || !comm_path || !out_path) {
        free(spec_paths);
        return civ_cli_usage_error("allocate", "--compare needs at least two specs, --communities and --out");
    }
    civ_alloc_spec **specs = calloc(n_specs, sizeof *specs);
    char (*labels)[64] = calloc(n_specs, sizeof *labels);
    const char **label_ptr = calloc(n_specs, sizeof *label_ptr);
    civ_table *comm = NULL, *fc = NULL, *table = NULL, *wf = NULL;
    civ_alloc_compare *cmp = NULL;
    int64_t *a0 = NULL, *a1 = NULL;
    mover *mv = NULL;
    civ_status s = specs && labels && label_ptr ? CIV_OK : CIV_ERR_OUT_OF_MEMORY;
    for (size_t k = 0; k < n_specs && !s; k++) {
        s = civ_alloc_spec_read(spec_paths[k], &specs[k]);
        make_label(spec_paths[k], labels[k], sizeof labels[k], k);
        for (size_t j = 0; j < k; j++)
            if (!strcmp(labels[j], labels[k])) {
                char suffix[24];
                snprintf(suffix, sizeof suffix, "-%zu", k + 1);
                labels[k][40] = 0;
                strcat(labels[k], suffix);
                j = (size_t)-1; /* re-check from the start */
            }
        label_ptr[k] = labels[k];
    }
    static const char *const text_cols[] = {"unique_id", "name", "district", "street", "model", NULL};
    civ_table_read_options opt = {.text_columns = text_cols};
    if (!s)
        s = civ_cli_read_table(comm_path, &opt, &comm);
    if (!s && fc_path)
        s = civ_cli_read_table(fc_path, &opt, &fc);
    if (!s)
        s = civ_alloc_compare_run((const civ_alloc_spec *const *)specs, label_ptr, n_specs, comm, fc, &cmp);
    if (!s)
        s = civ_alloc_compare_table(cmp, &table);
    if (!s)
        s = civ_alloc_compare_waterfall(cmp, &wf);
    if (!s)
        s = civ_table_write(table, out_path);
    if (!s && sum_path)
        s = civ_table_write(wf, sum_path);
    size_t n = cmp ? civ_alloc_compare_n_communities(cmp) : 0;
    if (!s) {
        a0 = malloc((n ? n : 1) * sizeof *a0);
        a1 = malloc((n ? n : 1) * sizeof *a1);
        mv = malloc((n ? n : 1) * sizeof *mv);
        if (!a0 || !a1 || !mv)
            s = CIV_ERR_OUT_OF_MEMORY;
    }
    if (s) {
        code = civ_cli_report(s);
        goto done;
    }
    int64_t unit = civ_alloc_spec_minor_unit(specs[0]);
    const char *cur = civ_alloc_spec_currency(specs[0]);
    char m1[64], m2[64], m3[64];
    size_t cid, cdi;
    civ_table_find_column(table, "unique_id", &cid);
    civ_table_find_column(table, "district", &cdi);
    printf("scenarios              %zu specs on %zu communities (%s)\n", n_specs, n, comm_path);
    civ_alloc_compare_amounts(cmp, 0, a0, n);
    for (size_t k = 0; k < n_specs; k++) {
        civ_alloc_compare_amounts(cmp, k, a1, n);
        double tot = 0;
        for (size_t i = 0; i < n; i++)
            tot += (double)a1[i];
        civ_cli_format_money(m1, sizeof m1, tot, unit);
        printf("  %-20s %s (version %s): allocated %s %s\n", labels[k], spec_paths[k],
               civ_alloc_spec_version(specs[k]), m1, cur);
    }
    for (size_t k = 1; k < n_specs; k++) {
        civ_alloc_compare_amounts(cmp, k, a1, n);
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
        civ_cli_format_money(m1, sizeof m1, up, unit);
        civ_cli_format_money(m2, sizeof m2, down, unit);
        printf("%s vs %s: %zu gain, %zu lose, %zu unchanged; gains %s, losses %s %s\n", labels[k], labels[0], gains,
               loses, n - gains - loses, m1, m2, cur);
        qsort(mv, n, sizeof *mv, cmp_mover);
        for (int side = 0; side < 2; side++) {
            size_t shown = 0;
            printf("  top %s:", side ? "losers " : "gainers");
            for (size_t j = 0; j < n && shown < 5; j++) {
                const mover *m = side ? &mv[j] : &mv[n - 1 - j];
                if (side ? m->change >= 0 : m->change <= 0)
                    break;
                civ_cli_format_money(m3, sizeof m3, (double)m->change, unit);
                printf("%s %s %s%s (%s)", shown ? "," : "", civ_table_text(table, m->row, cid),
                       m->change > 0 ? "+" : "", m3, civ_table_text(table, m->row, cdi));
                shown++;
            }
            printf("%s\n", shown ? "" : " none");
        }
    }
    /* waterfall: the money each rule moved, per spec */
    printf("waterfall (%s moved: gained / lost; base + effects = amount)\n", cur);
    size_t cspec, cscope, ceff[CIV_ALLOC_EFFECT_COUNT];
    civ_table_find_column(wf, "spec", &cspec);
    civ_table_find_column(wf, "scope", &cscope);
    for (int e = 0; e < CIV_ALLOC_EFFECT_COUNT; e++)
        civ_table_find_column(wf, civ_alloc_effect_name((civ_alloc_effect)e), &ceff[e]);
    for (size_t r = 0; r < civ_table_n_rows(wf); r++) {
        if (strcmp(civ_table_text(wf, r, cscope), "gained"))
            continue;
        printf("  %-20s", civ_table_text(wf, r, cspec));
        int any = 0;
        for (int e = 0; e < CIV_ALLOC_EFFECT_COUNT; e++) {
            double g = civ_table_number(wf, r, ceff[e]), l = civ_table_number(wf, r + 1, ceff[e]);
            if (fabs(g) < 0.5 && fabs(l) < 0.5)
                continue;
            civ_cli_format_money(m1, sizeof m1, g, unit);
            civ_cli_format_money(m2, sizeof m2, l, unit);
            printf("%s %s +%s/%s", any ? "," : "", civ_alloc_effect_name((civ_alloc_effect)e), m1, m2);
            any = 1;
        }
        printf("%s\n", any ? "" : " nothing moved");
    }
    printf("wrote                  %s%s%s\n", out_path, sum_path ? ", " : "", sum_path ? sum_path : "");
done:
    free(a0), free(a1), free(mv);
    civ_table_free(table), civ_table_free(wf), civ_alloc_compare_free(cmp);
    civ_table_free(comm), civ_table_free(fc);
    for (size_t k = 0; specs && k < n_specs; k++)
        civ_alloc_spec_free(specs[k]);
    free(specs), free(labels), free(label_ptr), free(spec_paths);
    return code;
}

civ_status civ_cli_uncertainty(const civ_alloc_spec *spec, const civ_table *communities, const civ_table *forecasts,
                               const civ_alloc_uncertainty_options *opt, civ_table *alloc, const char *out_path)
{
    civ_alloc_uncertainty *u = NULL;
    civ_table *t = NULL;
    civ_status s = civ_alloc_uncertainty_run(spec, communities, forecasts, opt, &u);
    size_t n = u ? civ_alloc_uncertainty_n_communities(u) : 0;
    double *q = malloc((n ? n : 1) * sizeof *q);
    static const double ps[3] = {0.05, 0.50, 0.95};
    static const char *const names[3] = {"p5", "p50", "p95"};
    const char *mi = civ_alloc_spec_unit_name(spec, 0);
    char cname[3][32];
    for (int k = 0; k < 3; k++)
        snprintf(cname[k], sizeof cname[k], "%s_%s", names[k], mi ? mi : "minor");
    if (!s && !q)
        s = CIV_ERR_OUT_OF_MEMORY;
    for (int k = 0; k < 3 && !s && alloc; k++) {
        size_t col;
        s = civ_alloc_uncertainty_quantile(u, ps[k], q, n);
        if (!s)
            s = civ_table_add_column(alloc, cname[k], CIV_COLUMN_NUMBER, &col);
        if (!s)
            s = civ_table_set_numbers(alloc, col, 0, q, n);
    }
    if (!s)
        s = civ_alloc_uncertainty_table(u, &t);
    if (!s && out_path)
        s = civ_table_write(t, out_path);
    if (!s) {
        /* the widest relative P5-P95 band among communities, and the districts' */
        size_t cs, cn, ca, c5, c95;
        civ_table_find_column(t, "scope", &cs);
        civ_table_find_column(t, "name", &cn);
        char amt[32];
        snprintf(amt, sizeof amt, "amount_%s", mi ? mi : "minor");
        civ_table_find_column(t, amt, &ca);
        civ_table_find_column(t, cname[0], &c5);
        civ_table_find_column(t, cname[2], &c95);
        double worst = -1, dworst = -1, sum_rel = 0;
        size_t wi = 0, wd = 0, nc = 0;
        for (size_t r = 0; r < civ_table_n_rows(t); r++) {
            double a = civ_table_number(t, r, ca);
            double rel = a > 0 ? (civ_table_number(t, r, c95) - civ_table_number(t, r, c5)) / a : 0;
            const char *scope = civ_table_text(t, r, cs);
            if (!strcmp(scope, "community")) {
                sum_rel += rel, nc++;
                if (rel > worst)
                    worst = rel, wi = r;
            } else if (!strcmp(scope, "district") && rel > dworst)
                dworst = rel, wd = r;
        }
        char threads[48];
        if (opt->threads > 0)
            snprintf(threads, sizeof threads, "%d thread%s", opt->threads, opt->threads == 1 ? "" : "s");
        else
            snprintf(threads, sizeof threads, "the default threads");
        printf("uncertainty            %zu draws (seed %llu%s%s) in %.2f s on %s\n", civ_alloc_uncertainty_n_draws(u),
               (unsigned long long)opt->seed, opt->perturb_forecasts ? ", forecast intervals" : "",
               opt->weight_concentration > 0 ? ", Dirichlet weights" : "", civ_alloc_uncertainty_seconds(u),
               threads);
        if (nc)
            printf("  P5-P95 width          mean %.1f%% of the amount; widest %s %.1f%%; widest district %s %.1f%%\n",
                   100 * sum_rel / (double)nc, civ_table_text(t, wi, cn), 100 * worst,
                   dworst >= 0 ? civ_table_text(t, wd, cn) : "-", dworst >= 0 ? 100 * dworst : 0.0);
    }
    free(q);
    civ_table_free(t);
    civ_alloc_uncertainty_free(u);
    return s;
}

civ_status civ_cli_need(const civ_alloc_need *need, const civ_table *forecasts, const char *out_path,
                        const char *summary_path, const char *currency)
{
    civ_table *pc = NULL, *py = NULL;
    civ_status s = civ_alloc_need_project(need, forecasts, &pc, &py);
    if (!s && out_path)
        s = civ_table_write(pc, out_path);
    if (!s && summary_path)
        s = civ_table_write(py, summary_path);
    if (!s) {
        int64_t unit = civ_alloc_need_minor_unit(need);
        size_t cs, cy, cc, cp, cd, cst, cn;
        civ_table_find_column(py, "scope", &cs);
        civ_table_find_column(py, "year", &cy);
        civ_table_find_column(py, "communities", &cc);
        civ_table_find_column(py, "periods", &cp);
        civ_table_find_column(py, "demand", &cd);
        /* standard_<minor> and need_<minor>: the first columns with those prefixes */
        cst = cn = SIZE_MAX;
        for (size_t k = civ_table_n_columns(py); k-- > 0;) {
            const char *nm = civ_table_column_name(py, k);
            if (!strncmp(nm, "standard_", 9))
                cst = k;
            else if (!strncmp(nm, "need_", 5))
                cn = k;
        }
        if (cst == SIZE_MAX || cn == SIZE_MAX) /* cannot happen: civ_alloc_need_project writes both */
            cst = cn = cd;
        printf("need                   year  communities  periods        demand  standard           need (%s)\n",
               currency ? currency : "");
        for (size_t r = 0; r < civ_table_n_rows(py); r++) {
            char std[64], nd[64];
            int total = !strcmp(civ_table_text(py, r, cs), "total");
            civ_cli_format_money(std, sizeof std, civ_table_number(py, r, cst), unit);
            civ_cli_format_money(nd, sizeof nd, civ_table_number(py, r, cn), unit);
            if (total)
                printf("                       all                          %14.1f  %8s %18s\n",
                       civ_table_number(py, r, cd), "", nd);
            else
                printf("                       %4.0f  %11.0f  %7.0f %14.1f  %8s %18s\n", civ_table_number(py, r, cy),
                       civ_table_number(py, r, cc), civ_table_number(py, r, cp), civ_table_number(py, r, cd), std,
                       nd);
        }
    }
    civ_table_free(pc), civ_table_free(py);
    return s;
}

static void money_line(const char *label, int64_t minor, int64_t unit, const char *cur)
{
    char m[64];
    civ_cli_format_money(m, sizeof m, (double)minor, unit);
    printf("%-22s %s %s\n", label, m, cur ? cur : "");
}

void civ_cli_print_alloc_summary(const civ_alloc_spec *spec, const char *spec_path, const civ_alloc_stats *st)
{
    int64_t unit = civ_alloc_spec_minor_unit(spec);
    const char *cur = civ_alloc_spec_currency(spec);
    printf("spec                   %s (version %s)\n", spec_path, civ_alloc_spec_version(spec));
    money_line("budget", st->total, unit, cur);
    for (size_t r = 0; r < civ_alloc_spec_n_reserves(spec); r++) {
        char label[80];
        snprintf(label, sizeof label, "  reserve %s", civ_alloc_spec_reserve_name(spec, r));
        money_line(label, civ_alloc_spec_reserve_amount(spec, r), unit, cur);
    }
    for (size_t q = 0; q < civ_alloc_spec_n_pools(spec); q++) {
        char label[80];
        snprintf(label, sizeof label, "  pool %s", civ_alloc_spec_pool_name(spec, q));
        money_line(label, civ_alloc_spec_pool_amount(spec, q), unit, cur);
    }
    money_line("allocated", st->allocated, unit, cur);
    printf("communities            %zu funded of %zu\n", st->n_funded, st->n_communities);
    printf("binding                floor %zu, cap %zu, hold-harmless %zu, pace %zu, ratable %zu\n", st->n_floor,
           st->n_cap, st->n_hold_harmless, st->n_pace, st->n_ratable);
    if (!isnan(st->per_capita_mean))
        printf("per capita             %.2f (per aged 60+: %.2f)\n", st->per_capita_mean, st->per_aged_mean);
    if (!isnan(st->gini_after))
        printf("equity (per capita)    Gini %.4f -> %.4f, Theil %.4f -> %.4f, CV %.4f -> %.4f "
               "(before -> after constraints)\n",
               st->gini_before, st->gini_after, st->theil_before, st->theil_after, st->cv_before, st->cv_after);
}
