/*
 * alloc_print.c -- layer CLI (a client of civicast.h only): what `civicast
 * allocate`, `plan` and `need` print about an allocation (the one-screen
 * summary, the districts, the Monte Carlo lines, the need per year), and the
 * Monte Carlo and need steps of `allocate --uncertainty` and `need`.  The
 * numbers all come from the library; this file formats, prints and writes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    if (!isnan(st->per_capita_mean) && !isnan(st->per_aged_mean))
        printf("per capita             %.2f (per aged 60+: %.2f)\n", st->per_capita_mean, st->per_aged_mean);
    else if (!isnan(st->per_capita_mean)) /* no [data] aged column */
        printf("per capita             %.2f\n", st->per_capita_mean);
    if (!isnan(st->gini_after))
        printf("equity (per capita)    Gini %.4f -> %.4f, Theil %.4f -> %.4f, CV %.4f -> %.4f "
               "(before -> after constraints)\n",
               st->gini_before, st->gini_after, st->theil_before, st->theil_after, st->cv_before, st->cv_after);
}

void civ_cli_demand_lines(const civ_alloc_spec *spec, const civ_table *forecasts, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t k = 0; forecasts && k < civ_alloc_spec_n_factors(spec) && used < size; k++) {
        civ_alloc_demand_window w;
        if (!civ_alloc_spec_factor_is_forecast(spec, k) || civ_alloc_spec_demand_window(spec, k, forecasts, &w))
            continue; /* the bind succeeded, so this cannot fail; no line rather than a wrong one */
        char steps[64] = "";
        if (w.h_first)
            snprintf(steps, sizeof steps, " (h = %ld..%ld)", w.h_first, w.h_last);
        if (w.period_by_date)
            used += (size_t)snprintf(buf + used, size - used, "%s: fiscal year %ld, forecasts of %s..%s%s\n",
                                     civ_alloc_spec_factor_name(spec, k), w.fiscal_year, w.first, w.last, steps);
        else {
            char dates[80] = "";
            if (w.first[0])
                snprintf(dates, sizeof dates, " (%s..%s)", w.first, w.last);
            used += (size_t)snprintf(buf + used, size - used,
                                     "%s: forecast steps h = 1..%zu%s whatever their dates (period = \"horizon\"; "
                                     "fiscal year %ld)\n",
                                     civ_alloc_spec_factor_name(spec, k), w.periods, dates, w.fiscal_year);
        }
    }
    civ_clear_error();
}

void civ_cli_print_demand_window(const char *lines)
{
    for (const char *p = lines; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        printf("%-22s %.*s\n", p == lines ? "demand" : "", (int)n, p);
        p += n + (nl != NULL);
    }
}

void civ_cli_print_no_forecast(const civ_alloc_spec *spec, const civ_alloc_problem *problem,
                               const civ_alloc_result *result)
{
    size_t n = civ_alloc_problem_n_communities(problem);
    for (size_t k = 0; k < civ_alloc_spec_n_factors(spec); k++) {
        size_t zero = 0;
        if (civ_alloc_result_n_no_forecast(problem, result, k, &zero) || !zero)
            continue;
        int one = zero == 1;
        printf("%-22s %s: %zu of %zu communit%s %s no forecast and count%s as 0 (if_missing = \"zero\"; %s "
               "explanation%s say%s so)\n",
               "forecast demand", civ_alloc_spec_factor_name(spec, k), zero, n, n == 1 ? "y" : "ies",
               one ? "has" : "have", one ? "s" : "", one ? "its" : "their", one ? "" : "s", one ? "s" : "");
    }
    civ_clear_error();
}

/* The first column whose name starts with `prefix` (the money columns carry
 * their unit: amount_fen, p5_fen, need_fen ...); SIZE_MAX when none. */
static size_t col_prefix(const civ_table *t, const char *prefix)
{
    for (size_t k = 0; k < civ_table_n_columns(t); k++)
        if (!strncmp(civ_table_column_name(t, k), prefix, strlen(prefix)))
            return k;
    return SIZE_MAX;
}

/* The last column whose name starts with prefix, or SIZE_MAX. */
static size_t col_prefix_last(const civ_table *t, const char *prefix)
{
    size_t found = SIZE_MAX;
    for (size_t k = 0; k < civ_table_n_columns(t); k++)
        if (!strncmp(civ_table_column_name(t, k), prefix, strlen(prefix)))
            found = k;
    return found;
}

static void print_closed(const civ_table *summary, int64_t unit, size_t cs, size_t cn, size_t cm, size_t ca);

/* The summary's "history" rows ([[formula]] last_year_total): last year's
 * money of communities that are gone, which no column shows. */
void civ_cli_print_history(const civ_table *summary, int64_t unit)
{
    size_t cs, cn, cm, ca;
    if (civ_table_find_column(summary, "section", &cs) || civ_table_find_column(summary, "item", &cn) ||
        civ_table_find_column(summary, "measure", &cm) || civ_table_find_column(summary, "value", &ca)) {
        civ_clear_error();
        return;
    }
    for (size_t r = 0; r + 2 < civ_table_n_rows(summary); r++) {
        if (strcmp(civ_table_text(summary, r, cs), "history") || strcmp(civ_table_text(summary, r, cm),
                                                                         "last_year_total"))
            continue;
        char total[64], kept[64], gone[64];
        civ_cli_format_money(total, sizeof total, civ_table_number(summary, r, ca), unit);
        civ_cli_format_money(kept, sizeof kept, civ_table_number(summary, r + 1, ca), unit);
        double g = civ_table_number(summary, r + 2, ca);
        civ_cli_format_money(gone, sizeof gone, g, unit);
        printf("last year              %s %s, of which this year's communities carry %s",
               civ_table_text(summary, r, cn), total, kept);
        if (g > 0)
            printf("; %s was with communities not in this year's table (closed, or merged or renamed without their "
                   "amounts carried over)",
                   gone);
        printf("\n");
    }
    for (size_t r = 0; r < civ_table_n_rows(summary); r++) /* last year's funds this spec has none of */
        if (!strcmp(civ_table_text(summary, r, cs), "discontinued")) {
            char total[64];
            civ_cli_format_money(total, sizeof total, civ_table_number(summary, r, ca), unit);
            printf("discontinued           last year's fund %s (%s) is none of this spec's funds: not allocated this "
                   "year (renamed? head its column in last year's file by this spec's name for it)\n",
                   civ_table_text(summary, r, cn), total);
        }
    print_closed(summary, unit, cs, cn, cm, ca);
}

civ_status civ_cli_last_year(civ_alloc_spec *spec, const char *path, const char *sheet)
{
    const char *file = path ? path : civ_alloc_spec_last_year_file(spec);
    if (!file || !civ_cli_is_hdf5_path(file)) {
        civ_table_read_options o = civ_cli_table_options(NULL); /* --encoding, --thousands, --percent, --id-col */
        o.sheet = sheet; /* --last-year-sheet, never --sheet (the other inputs'); NULL: the library finds it */
        o.skip_rows = civ_cli_skip_rows_for("--last-year", file, o.skip_rows); /* --last-year-skip-rows */
        return file ? civ_cli_own_skip_cure(file, civ_alloc_spec_read_last_year(spec, path, &o))
                    : civ_alloc_spec_read_last_year(spec, path, &o);
    }
    civ_table *t = NULL; /* never libhdf5 on an untrusted file in this process (hdf5_guard.c) */
    civ_status s = civ_cli_read_table(file, NULL, &t);
    if (!s)
        s = civ_alloc_spec_set_last_year(spec, t);
    civ_table_free(t);
    return s;
}

/* The summary's "closed" rows (last year's allocation): last year's communities no one continues, by id. */
static void print_closed(const civ_table *summary, int64_t unit, size_t cs, size_t cn, size_t cm, size_t ca)
{
    size_t n = 0, shown = 0, cl;
    int named = !civ_table_find_column(summary, "label", &cl);
    civ_clear_error();
    for (size_t r = 0; r < civ_table_n_rows(summary); r++)
        n += !strcmp(civ_table_text(summary, r, cs), "closed") && !strcmp(civ_table_text(summary, r, cm), "amount");
    if (!n)
        return;
    printf("closed                 %zu of last year's communities, continued by none this year:", n);
    for (size_t r = 0; r < civ_table_n_rows(summary) && shown < 20; r++)
        if (!strcmp(civ_table_text(summary, r, cs), "closed") && !strcmp(civ_table_text(summary, r, cm), "amount")) {
            char m[64];
            civ_cli_format_money(m, sizeof m, civ_table_number(summary, r, ca), unit);
            const char *label = named ? civ_table_text(summary, r, cl) : NULL;
            printf("%s %s%s%s %s", shown++ ? "," : "", civ_table_text(summary, r, cn), label && *label ? " " : "",
                   label && *label ? label : "", m);
        }
    if (n > shown)
        printf(" and %zu more (the summary's closed rows)", n - shown);
    printf("\n");
}

void civ_cli_print_districts(const civ_table *summary, int64_t unit)
{
    /* the tidy summary: rows (district, name, amount) */
    size_t cs, cn, cm, ca;
    if (!civ_table_find_column(summary, "section", &cs) && !civ_table_find_column(summary, "item", &cn) &&
        !civ_table_find_column(summary, "measure", &cm) && !civ_table_find_column(summary, "value", &ca)) {
        printf("districts             ");
        int k = 0;
        for (size_t r = 0; r < civ_table_n_rows(summary); r++)
            if (!strcmp(civ_table_text(summary, r, cs), "district") &&
                !strcmp(civ_table_text(summary, r, cm), "amount")) {
                char m[64];
                civ_cli_format_money(m, sizeof m, civ_table_number(summary, r, ca), unit);
                printf("%s %s %s", k++ ? "," : "", civ_table_text(summary, r, cn), m);
            }
        printf("\n");
    }
    civ_clear_error();
}

/* Why an allocation that did not vary did not, when the allocation table says (its binding column): every
 * community held by a constraint, or all but one, which gets what is left; "" when it does not say. */
static void uncertainty_why(const civ_table *alloc, size_t n, char *buf, size_t size)
{
    size_t cb, held = 0;
    buf[0] = '\0';
    if (!alloc || civ_table_find_column(alloc, "binding", &cb) || civ_table_n_rows(alloc) != n) {
        civ_clear_error();
        return;
    }
    for (size_t r = 0; r < n; r++) /* a binding column that is not text reads as NULL: none held */
        held += civ_table_text(alloc, r, cb) && civ_table_text(alloc, r, cb)[0];
    if (held == n)
        snprintf(buf, size, ", because each is held by a constraint, whatever the demand");
    else if (held + 1 == n && n > 1)
        snprintf(buf, size, ", because %zu of the %zu are held by a constraint and the other gets what is left",
                 held, n);
}

void civ_cli_print_uncertainty(const civ_table *t, const civ_table *alloc, size_t n_draws, uint64_t seed,
                               int perturb_forecasts, double concentration, double seconds, int threads)
{
    /* the widest relative P5-P95 band among communities, and the districts' */
    size_t cs, cn, ca, c5, c95;
    civ_table_find_column(t, "scope", &cs);
    civ_table_find_column(t, "name", &cn);
    ca = col_prefix(t, "amount_"), c5 = col_prefix(t, "p5_"), c95 = col_prefix(t, "p95_");
    if (ca == SIZE_MAX || c5 == SIZE_MAX || c95 == SIZE_MAX)
        return; /* cannot happen: civ_alloc_uncertainty_table writes them */
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
    char on[48];
    if (threads > 0)
        snprintf(on, sizeof on, "%d thread%s", threads, threads == 1 ? "" : "s");
    else
        snprintf(on, sizeof on, "the default threads");
    printf("uncertainty            %zu draws (seed %llu%s%s) in %.2f s on %s\n", n_draws, (unsigned long long)seed,
           perturb_forecasts ? ", forecast intervals" : "", concentration > 0 ? ", Dirichlet weights" : "", seconds,
           on);
    if (!nc)
        return;
    if (!(worst > 0)) { /* before: "widest 0101 0.0%; widest district 城东区 0.0%", as if one were widest */
        char why[160];
        uncertainty_why(alloc, nc, why, sizeof why);
        printf("  P5-P95 width          0: the allocation does not vary across the draws (every community got the "
               "same amount in each%s)\n", why);
        return;
    }
    printf("  P5-P95 width          mean %.1f%% of the amount; widest %s %.1f%%", 100 * sum_rel / (double)nc,
           civ_table_text(t, wi, cn), 100 * worst);
    if (dworst > 0)
        printf("; widest district %s %.1f%%\n", civ_table_text(t, wd, cn), 100 * dworst);
    else if (dworst == 0)
        printf("; no district's amount varies (within each, the communities' moves cancel out)\n");
    else
        printf("\n");
}

void civ_cli_print_need(const civ_table *py, int64_t unit, const char *currency)
{
    size_t cs, cy, cc, cp, cd, cst, cn;
    civ_table_find_column(py, "scope", &cs);
    civ_table_find_column(py, "year", &cy);
    civ_table_find_column(py, "communities", &cc);
    civ_table_find_column(py, "periods", &cp);
    civ_table_find_column(py, "demand", &cd);
    cst = col_prefix(py, "standard_"), cn = col_prefix(py, "need_"); /* need_<minor> comes before need_<major> */
    if (cst == SIZE_MAX || cn == SIZE_MAX)
        return; /* cannot happen: civ_alloc_need_project writes them */
    size_t cmajor = col_prefix_last(py, "need_"); /* need_<major>, e.g. need_yuan: the unit without a currency */
    const char *unit_name = currency && currency[0] ? currency
                            : cmajor != SIZE_MAX  ? civ_table_column_name(py, cmajor) + strlen("need_")
                                                  : "";
    printf("need                   year  communities  periods        demand  standard           need (%s)\n",
           unit_name);
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
                   civ_table_number(py, r, cc), civ_table_number(py, r, cp), civ_table_number(py, r, cd), std, nd);
    }
}

/* Every draw's amounts, a row per community (ids from the allocation table, the same row order) and a column
 * per draw, so a spreadsheet takes any percentile of them (1146 rows x 1000 draws fits Excel; a long table of
 * a row per draw would not). */
static civ_status draws_table(const civ_alloc_uncertainty *u, const civ_alloc_spec *spec, const civ_table *alloc,
                              civ_table **out)
{
    size_t n = civ_alloc_uncertainty_n_communities(u), nd = civ_alloc_uncertainty_n_draws(u), id = 0, col = 0;
    int64_t *amounts = malloc((n ? n : 1) * sizeof *amounts);
    double *values = malloc((n ? n : 1) * sizeof *values);
    civ_table *t = NULL;
    size_t first = 0;
    civ_status s = amounts && values ? civ_table_create(&t) : CIV_ERR_OUT_OF_MEMORY;
    if (!s)
        s = civ_table_find_column(alloc, "unique_id", &id);
    if (!s)
        s = civ_table_add_column(t, "unique_id", CIV_COLUMN_TEXT, &col);
    if (!s)
        s = civ_table_add_rows(t, n, &first);
    for (size_t r = 0; !s && r < n; r++)
        s = civ_table_set_text(t, r, col, civ_table_text(alloc, r, id));
    for (size_t d = 0; !s && d < nd; d++) {
        char name[64];
        snprintf(name, sizeof name, "draw_%zu_%s", d + 1, civ_alloc_spec_unit_name(spec, 0));
        s = civ_alloc_uncertainty_draw(u, d, amounts, n);
        if (!s)
            s = civ_table_add_column(t, name, CIV_COLUMN_NUMBER, &col);
        for (size_t r = 0; r < n; r++)
            values[r] = (double)amounts[r];
        if (!s)
            s = civ_table_set_numbers(t, col, 0, values, n);
    }
    free(amounts);
    free(values);
    if (s)
        civ_table_free(t);
    else
        *out = t;
    return s;
}

civ_status civ_cli_uncertainty(const civ_alloc_spec *spec, const civ_table *communities, const civ_table *forecasts,
                               const civ_alloc_uncertainty_options *opt, civ_table *alloc, const char *out_path,
                               const char *draws_path, const civ_csv_write_options *csv, civ_table **quantiles)
{
    civ_alloc_uncertainty *u = NULL;
    civ_table *t = NULL;
    civ_status s = civ_alloc_uncertainty_run(spec, communities, forecasts, opt, &u);
    if (!s && alloc)
        s = civ_alloc_uncertainty_add_columns(u, alloc);
    if (!s)
        s = civ_alloc_uncertainty_table(u, &t);
    if (!s && out_path)
        s = civ_table_write_opts(t, out_path, csv);
    if (!s && draws_path && alloc) {
        civ_table *dt = NULL;
        s = draws_table(u, spec, alloc, &dt);
        if (!s)
            s = civ_table_write_opts(dt, draws_path, csv);
        civ_table_free(dt);
    }
    if (!s)
        civ_cli_print_uncertainty(t, alloc, civ_alloc_uncertainty_n_draws(u), opt->seed, opt->perturb_forecasts,
                                  opt->weight_concentration, civ_alloc_uncertainty_seconds(u), opt->threads);
    if (!s && quantiles)
        *quantiles = t, t = NULL;
    civ_table_free(t);
    civ_alloc_uncertainty_free(u);
    return s;
}

/* A projection error that names no file is about the forecasts table
 * (civicast.h, civ_alloc_need_project): it gets the forecasts' path, so the
 * line says which file to fix. */
static civ_status blame_forecasts(civ_status s, const char *forecasts_path)
{
    const civ_error *e = civ_last_error();
    if (!s || !forecasts_path || e->status != s || e->file[0])
        return s;
    civ_error copy = *e;
    snprintf(copy.file, sizeof copy.file, "%s", forecasts_path);
    return civ_error_restore(&copy);
}

civ_status civ_cli_need(const civ_alloc_need *need, const civ_table *forecasts, const char *forecasts_path,
                        const char *out_path, const char *summary_path, const char *currency,
                        const civ_csv_write_options *csv, const char *workbook_path, const char *lang)
{
    civ_table *pc = NULL, *py = NULL;
    civ_csv_write_options o = csv ? *csv : (civ_csv_write_options){0};
    o.min_decimals = civ_cli_money_decimals(civ_alloc_need_minor_unit(need));
    civ_status s = blame_forecasts(civ_alloc_need_project(need, forecasts, &pc, &py), forecasts_path);
    if (!s && out_path)
        s = civ_table_write_opts(pc, out_path, &o);
    if (!s && summary_path)
        s = civ_table_write_opts(py, summary_path, &o);
    if (!s && workbook_path) { /* no allocation spec here: the need's columns carry their units */
        civ_alloc_workbook_tables t = {.need = pc, .need_summary = py};
        s = civ_alloc_workbook_write(workbook_path, NULL, &t, lang, NULL);
    }
    if (!s)
        civ_cli_print_need(py, civ_alloc_need_minor_unit(need), currency);
    civ_table_free(pc), civ_table_free(py);
    return s;
}
