/*
 * report_data.c -- layer report: reads a plan's output folder into rep_data
 * (report_data.h).  THE place where table columns map to report fields: the
 * COLS tables below list, per field, the column names accepted (first found
 * wins) and the factor to yuan.  When the plan's tables change, change them
 * here and nowhere else.
 */
#include "report_data.h"
#include "c_locale.h"
#include "report_text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "strmap.h"

/* ---- the column map ------------------------------------------------------ */
/* A scale of MINOR marks money in minor units (fen): it is divided by the
 * minor units per major unit, read from the summary's amount / amount_yuan
 * (100 when the summary does not say). */
#define MINOR (-1.0)
typedef struct rep_col {
    const char *names[5]; /* candidates, NULL-terminated unless all 5 are used */
    double scale[5];      /* factor to the field's unit (fen -> yuan = MINOR) */
} rep_col;

/* allocation.csv */
static const rep_col C_ID = {{"unique_id"}, {1}};
static const rep_col C_NAME = {{"name", "community_name", "community"}, {1, 1, 1}};
static const rep_col C_DISTRICT = {{"district"}, {1}};
/* the street: `street`, or the Chinese label 街道 a plan's [data] labels copies as it is (docs/ALLOCATION.md:
 * "the label `street` or `街道`, which the report totals by"; before, a 街道 column got no street totals) */
static const rep_col C_STREET = {{"street", "subdistrict", "街道"}, {1, 1, 1}};
static const rep_col C_AMOUNT = {{"amount_yuan", "amount_major", "amount_fen", "amount_minor", "amount"},
                                 {1, 1, MINOR, MINOR, MINOR}};
static const rep_col C_LAST = {{"last_year_yuan", "last_year_major", "last_year_fen", "last_year_minor", "last_year"},
                               {1, 1, MINOR, MINOR, 1}};
static const rep_col C_CHPCT = {{"change_pct"}, {1}};
static const rep_col C_POP = {{"population", "population_resident"}, {1, 1}};
static const rep_col C_AGED = {{"aged60", "aged60_resident", "aged"}, {1, 1, 1}};
static const rep_col C_BIND = {{"binding"}, {1}};
static const rep_col C_EXPL = {{"explanation"}, {1}};
static const rep_col C_P5 = {{"p5_yuan", "p5_major", "p5_fen", "p5_minor", "p5"}, {1, 1, MINOR, MINOR, MINOR}};
static const rep_col C_P50 = {{"p50_yuan", "p50_major", "p50_fen", "p50_minor", "p50"}, {1, 1, MINOR, MINOR, MINOR}};
static const rep_col C_P95 = {{"p95_yuan", "p95_major", "p95_fen", "p95_minor", "p95"}, {1, 1, MINOR, MINOR, MINOR}};
/* allocation_summary.csv (section, name, amount, communities, value) */
static const rep_col C_SECTION = {{"section"}, {1}};
static const rep_col C_SNAME = {{"name"}, {1}};
static const rep_col C_SCOUNT = {{"communities"}, {1}};
/* the tidy allocation_summary.csv (section, item, measure, unit, value) */
static const rep_col C_ITEM = {{"item"}, {1}};
static const rep_col C_MEASURE = {{"measure"}, {1}};
static const rep_col C_UNIT = {{"unit"}, {1}};
static const rep_col C_SVALUE = {{"value"}, {1}};
static const rep_col C_SLABEL = {{"label"}, {1}};
/* forecasts.csv */
static const rep_col C_DS = {{"ds"}, {1}};
static const rep_col C_H = {{"h"}, {1}};
static const rep_col C_MEAN = {{"mean"}, {1}};
static const rep_col C_LO80 = {{"lo-80"}, {1}};
static const rep_col C_HI80 = {{"hi-80"}, {1}};
static const rep_col C_LO95 = {{"lo-95"}, {1}};
static const rep_col C_HI95 = {{"hi-95"}, {1}};
/* forecast_totals.csv (level, unique_id, ds, h, method, mean, lo-80, ...) */
static const rep_col C_LEVEL = {{"level"}, {1}};
static const rep_col C_METHOD = {{"method"}, {1}};
/* forecast_report.csv */
static const rep_col C_MODEL = {{"model"}, {1}};
/* need_summary.csv (scope, year, demand, standard, need) */
static const rep_col C_SCOPE = {{"scope"}, {1}};
static const rep_col C_YEAR = {{"year"}, {1}};
static const rep_col C_NEED = {{"need_yuan", "need_major", "need_fen", "need_minor", "need"},
                               {1, 1, MINOR, MINOR, MINOR}};
static const rep_col C_STD = {{"standard_yuan", "standard_major", "standard_fen", "standard_minor", "standard"},
                              {1, 1, MINOR, MINOR, MINOR}};
static const rep_col C_DEMAND = {{"demand"}, {1}};
/* uncertainty.csv (scope, name, p5, p50, p95) */
static const rep_col C_UNAME = {{"name"}, {1}};
/* allocation_waterfall.csv (the compare waterfall of the one spec) */
static const rep_col C_WBASE = {{"base"}, {MINOR}};
/* the steps in reading order: factors (base), tilts, earmarks, the bounds, ... */
static const char *const EFFECTS[] = {"tilt",    "earmark",   "floor",   "cap", "hold_harmless", "pace",
                                      "ratable", "rebalance", "rounding"};
/* allocation_stages.csv: unique_id, before (fen) */
static const rep_col C_BEFORE = {{"before_yuan", "before_major", "before_fen", "before_minor", "before"},
                                 {1, 1, MINOR, MINOR, MINOR}};

/* Optional tables of other steps: the first file found is shown. */
/* The backtest's accuracy: model (+ any text columns naming the row) and one
 * numeric column per metric (docs/REPORT.md). */
static const char *const BACKTEST_FILES[] = {"backtest_accuracy.csv", NULL};
static const char *const MONITOR_FILES[] = {"monitor_alerts.csv", "monitoring_alerts.csv", "alerts.csv",
                                             "monitoring.csv", NULL};
static const char *const STATUS_FILES[] = {"monitor_status.csv", "monitoring_status.csv", "indicators.csv",
                                            "status.csv", NULL}; /* status.csv: `civicast monitor --out`'s */
static const char *const RISK_FILES[] = {"risk_matrix.csv", NULL};      /* the grid's cells */
static const char *const RISKS_FILES[] = {"risks.csv", "monitor_risks.csv", NULL}; /* one row per risk */
/* the monitoring's watch lists (report_watch.c): per series, per alert, per community and period */
static const char *const WARN_FILES[] = {"warning.csv", NULL};
static const char *const INACT_FILES[] = {"inactivity.csv", NULL};
static const char *const DEMAND_FILES[] = {"demand.csv", NULL};
/* history.csv: unique_id, ds, y (the last observed periods) */
static const rep_col C_Y = {{"y"}, {1}};
/* ------------------------------------------------------------------------ */

typedef struct col_ref {
    size_t index;
    double scale;
    int found;
} col_ref;

static col_ref find(const rep_data *d, const civ_table *t, const rep_col *c)
{
    col_ref r = {0, 1, 0};
    for (int k = 0; t && k < 5 && c->names[k]; k++)
        if (civ_table_find_column(t, c->names[k], &r.index) == CIV_OK) {
            r.scale = c->scale[k] == MINOR ? d->per_minor : c->scale[k];
            r.found = 1;
            return r;
        }
    return r;
}

static civ_status need_col(const rep_data *d, const civ_table *t, const char *file, const rep_col *c, col_ref *r)
{
    *r = find(d, t, c);
    if (r->found)
        return CIV_OK;
    civ_where w = {.file = file, .line = 1, .field = c->names[0]};
    char others[200] = "";
    size_t len = 0;
    for (int k = 1; k < 5 && c->names[k] && len < sizeof others; k++)
        len += (size_t)civ_snprintf(others + len, sizeof others - len, "%s%s", k > 1 ? ", " : " (or ", c->names[k]);
    if (len && len < sizeof others)
        civ_snprintf(others + len, sizeof others - len, ")");
    return civ_fail_at(CIV_ERR_MISSING_COLUMN, &w, "the report needs a column %s%s: is this a plan's output folder?",
                       c->names[0], others);
}

static double num(const civ_table *t, col_ref r, size_t row)
{
    if (!r.found)
        return NAN;
    if (civ_table_column_type(t, r.index) != CIV_COLUMN_NUMBER)
        return NAN;
    return civ_table_number(t, row, r.index) * r.scale;
}

static const char *txt(const civ_table *t, col_ref r, size_t row)
{
    if (!r.found || civ_table_column_type(t, r.index) != CIV_COLUMN_TEXT)
        return "";
    const char *s = civ_table_text(t, row, r.index);
    return s ? s : "";
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static const char *const TEXT_COLS[] = {"unique_id", "name", "district", "street", "subdistrict", "街道", "model",
                                        "binding", "explanation", "section", "scope", "ds", "spec", "unit", "indicator",
                                        "department", "status", "alert", "item", "measure", "risk", "risks", "impact", "level",
                                        "owner", "mitigation", "metric", NULL};

/* Reads outdir/file into *t; a missing optional file leaves *t NULL. */
static civ_status read_opt(const char *outdir, const char *file, int required, civ_table **t)
{
    char path[4096];
    int n = civ_snprintf(path, sizeof path, "%s/%s", outdir, file);
    if (n < 0 || (size_t)n >= sizeof path)
        return civ_fail(CIV_ERR_LIMIT, "the output folder path is too long: %s", outdir);
    if (!exists(path)) {
        if (!required)
            return CIV_OK;
        civ_where w = {.file = path};
        return civ_fail_at(CIV_ERR_IO, &w,
                           "not found: the report reads a plan's output folder (run `civicast plan` first)");
    }
    civ_table_read_options opt = {.text_columns = TEXT_COLS};
    return civ_table_read_csv(path, &opt, t);
}

static civ_status load_comms(rep_data *d)
{
    const civ_table *t = d->t_alloc;
    const char *f = "allocation.csv";
    col_ref id, dist, amt;
    civ_status s = need_col(d, t, f, &C_ID, &id);
    if (!s)
        s = need_col(d, t, f, &C_DISTRICT, &dist);
    if (!s)
        s = need_col(d, t, f, &C_AMOUNT, &amt);
    if (s)
        return s;
    col_ref name = find(d, t, &C_NAME), street = find(d, t, &C_STREET), last = find(d, t, &C_LAST);
    col_ref chp = find(d, t, &C_CHPCT), pop = find(d, t, &C_POP), aged = find(d, t, &C_AGED), bind = find(d, t, &C_BIND);
    col_ref ex = find(d, t, &C_EXPL), p5 = find(d, t, &C_P5), p50 = find(d, t, &C_P50), p95 = find(d, t, &C_P95);
    d->n_comms = civ_table_n_rows(t);
    d->comms = calloc(d->n_comms ? d->n_comms : 1, sizeof *d->comms);
    if (!d->comms)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for %zu communities", d->n_comms);
    d->has_name = name.found, d->has_street = street.found, d->has_population = pop.found, d->has_aged = aged.found;
    d->has_last_year = last.found, d->has_mc = p5.found && p95.found;
    for (size_t i = 0; i < d->n_comms; i++) {
        rep_comm *c = &d->comms[i];
        c->id = txt(t, id, i), c->name = txt(t, name, i), c->district = txt(t, dist, i);
        c->street = txt(t, street, i), c->binding = txt(t, bind, i), c->explanation = txt(t, ex, i);
        c->model = "";
        c->amount = num(t, amt, i), c->last_year = num(t, last, i), c->change_pct = num(t, chp, i);
        c->population = num(t, pop, i), c->aged = num(t, aged, i);
        c->p5 = num(t, p5, i), c->p50 = num(t, p50, i), c->p95 = num(t, p95, i);
        c->before = NAN;
        if (!isfinite(c->change_pct) && c->last_year > 0)
            c->change_pct = 100 * (c->amount - c->last_year) / c->last_year;
    }
    return CIV_OK;
}

static void add_to(rep_group *g, const rep_comm *c)
{
    g->amount += c->amount;
    g->last_year += isfinite(c->last_year) ? c->last_year : 0;
    g->population += isfinite(c->population) ? c->population : 0;
    g->aged += isfinite(c->aged) ? c->aged : 0;
    g->communities++;
}

/* Districts then streets, each in the order the data first names them.  A
 * linear search: a city has tens of districts and streets, not thousands. */
static civ_status group_comms(rep_data *d)
{
    d->groups = calloc(2 * d->n_comms + 1, sizeof *d->groups);
    if (!d->groups)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory to group the communities");
    for (int level = 0; level < 2; level++) {
        if (level == 1)
            d->n_districts = d->n_groups;
        if (level == 1 && !d->has_street)
            break;
        for (size_t i = 0; i < d->n_comms; i++) {
            rep_comm *c = &d->comms[i];
            const char *nm = level ? c->street : c->district;
            size_t gi = level ? d->n_districts : 0;
            while (gi < d->n_groups && (strcmp(d->groups[gi].name, nm) || strcmp(d->groups[gi].district, level ? c->district : "")))
                gi++;
            if (gi == d->n_groups) {
                rep_group *g = &d->groups[d->n_groups++];
                g->name = nm;
                g->district = level ? c->district : "";
                g->is_street = level;
                g->p5 = g->p95 = g->amount_mc = NAN;
            }
            add_to(&d->groups[gi], c);
            if (!level)
                c->district_index = gi;
        }
    }
    return CIV_OK;
}

/* The tidy summary (section, item, measure, unit, value): one rep_row per
 * section and item, its "amount" measure in yuan, "communities" as the count,
 * any other measure as the value; equity rows split by measure into
 * <item>_before and <item>_after, as the wide summary named them. */
static civ_status load_tidy_summary(rep_data *d, col_ref sec, col_ref item, col_ref measure, col_ref unit, col_ref val)
{
    const civ_table *t = d->t_sum;
    col_ref label = find(d, t, &C_SLABEL); /* when the spec labels its reserves and pools */
    for (size_t r = 0; r < civ_table_n_rows(t); r++) {
        const char *s = txt(t, sec, r), *it = txt(t, item, r), *m = txt(t, measure, r), *u = txt(t, unit, r);
        double v = num(t, val, r);
        int eq = !strcmp(s, "equity");
        char key[160];
        civ_snprintf(key, sizeof key, "%s%s%s", it, eq ? "_" : "",
                     eq ? (strstr(m, "before") ? "before" : "after") : "");
        size_t k = 0;
        while (k < d->n_rows && (strcmp(d->rows[k].section, s) || strcmp(d->rows[k].name, key)))
            k++;
        if (k == d->n_rows) {
            char *name = malloc(strlen(key) + 1);
            if (!name)
                return civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for the summary");
            strcpy(name, key);
            d->row_names[d->n_rows] = name;
            d->rows[d->n_rows++] = (rep_row){s, name, NAN, NAN, NAN, label.found ? txt(t, label, r) : NULL};
        }
        rep_row *x = &d->rows[k];
        if (!strcmp(m, "amount") && (!strcmp(u, "fen") || !strcmp(u, "minor")))
            x->amount = v * d->per_minor;
        else if (!strcmp(m, "amount") && (!strcmp(u, "yuan") || !strcmp(u, "major")))
            x->amount = v;
        else if (!strcmp(m, "communities"))
            x->count = v, x->value = isfinite(x->value) ? x->value : v;
        else
            x->value = v;
    }
    return CIV_OK;
}

static civ_status load_summary(rep_data *d)
{
    const civ_table *t = d->t_sum;
    const char *f = "allocation_summary.csv";
    col_ref sec, name, amt, cnt, val;
    civ_status s = need_col(d, t, f, &C_SECTION, &sec);
    if (s)
        return s;
    d->n_rows = 0;
    d->rows = calloc(civ_table_n_rows(t) + 1, sizeof *d->rows);
    d->row_names = calloc(civ_table_n_rows(t) + 1, sizeof *d->row_names);
    if (!d->rows || !d->row_names)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for the summary");
    col_ref item = find(d, t, &C_ITEM), measure = find(d, t, &C_MEASURE), unit = find(d, t, &C_UNIT);
    if (item.found && measure.found && unit.found) {
        s = need_col(d, t, f, &C_SVALUE, &val);
        return s ? s : load_tidy_summary(d, sec, item, measure, unit, val);
    }
    s = need_col(d, t, f, &C_SNAME, &name);
    if (!s)
        s = need_col(d, t, f, &C_AMOUNT, &amt);
    if (s)
        return s;
    cnt = find(d, t, &C_SCOUNT), val = find(d, t, &C_SVALUE);
    d->n_rows = civ_table_n_rows(t);
    for (size_t r = 0; r < d->n_rows; r++)
        d->rows[r] =
            (rep_row){txt(t, sec, r), txt(t, name, r), num(t, amt, r), num(t, cnt, r), num(t, val, r), NULL};
    return CIV_OK;
}

static void load_models(rep_data *d)
{
    const civ_table *t = d->t_frep;
    col_ref id = find(d, t, &C_ID), model = find(d, t, &C_MODEL);
    if (!t || !id.found || !model.found)
        return;
    civ_strmap map = {0};
    size_t dup;
    for (size_t i = 0; i < d->n_comms; i++)
        if (civ_strmap_put(&map, d->comms[i].id, i, &dup) == CIV_ERR_OUT_OF_MEMORY)
            break;
    for (size_t r = 0; r < civ_table_n_rows(t); r++) {
        size_t i;
        if (civ_strmap_get(&map, txt(t, id, r), &i))
            d->comms[i].model = txt(t, model, r);
    }
    civ_strmap_free(&map);
}

static civ_status load_forecasts(rep_data *d)
{
    const civ_table *t = d->t_fc;
    if (!t)
        return CIV_OK;
    const char *f = "forecasts.csv";
    col_ref id, ds, mean;
    civ_status s = need_col(d, t, f, &C_ID, &id);
    if (!s)
        s = need_col(d, t, f, &C_DS, &ds);
    if (!s)
        s = need_col(d, t, f, &C_MEAN, &mean);
    if (s)
        return s;
    col_ref h = find(d, t, &C_H), lo80 = find(d, t, &C_LO80), hi80 = find(d, t, &C_HI80), lo95 = find(d, t, &C_LO95);
    col_ref hi95 = find(d, t, &C_HI95);
    civ_strmap map = {0};
    size_t dup;
    for (size_t i = 0; i < d->n_comms && !s; i++)
        if (civ_strmap_put(&map, d->comms[i].id, i, &dup) == CIV_ERR_OUT_OF_MEMORY)
            s = CIV_ERR_OUT_OF_MEMORY;
    d->n_fc = civ_table_n_rows(t);
    d->fc = calloc(d->n_fc + 1, sizeof *d->fc);
    if (!d->fc && !s)
        s = civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for %zu forecast rows", d->n_fc);
    for (size_t r = 0; r < d->n_fc && !s; r++) {
        size_t i;
        rep_fc *x = &d->fc[r];
        x->comm = civ_strmap_get(&map, txt(t, id, r), &i) ? i : (size_t)-1;
        x->ds = txt(t, ds, r);
        x->h = num(t, h, r), x->mean = num(t, mean, r);
        x->lo80 = num(t, lo80, r), x->hi80 = num(t, hi80, r), x->lo95 = num(t, lo95, r), x->hi95 = num(t, hi95, r);
    }
    civ_strmap_free(&map);
    return s;
}

/* forecast_totals.csv: the city's rows (level "total") and those of the districts the allocation has (level
 * "district", unique_id the district's name); other rows are left out. */
static civ_status load_totals(rep_data *d)
{
    const civ_table *t = d->t_tot;
    d->tot_method = "";
    if (!t)
        return CIV_OK;
    const char *f = "forecast_totals.csv";
    col_ref lv, id, ds, mean;
    civ_status s = need_col(d, t, f, &C_LEVEL, &lv);
    if (!s)
        s = need_col(d, t, f, &C_ID, &id);
    if (!s)
        s = need_col(d, t, f, &C_DS, &ds);
    if (!s)
        s = need_col(d, t, f, &C_MEAN, &mean);
    if (s)
        return s;
    col_ref h = find(d, t, &C_H), lo80 = find(d, t, &C_LO80), hi80 = find(d, t, &C_HI80), lo95 = find(d, t, &C_LO95);
    col_ref hi95 = find(d, t, &C_HI95), method = find(d, t, &C_METHOD);
    size_t n = civ_table_n_rows(t);
    d->tot_method = n ? txt(t, method, 0) : "";
    if (!(d->tot = calloc(n + 1, sizeof *d->tot)))
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for %zu rows of %s", n, f);
    for (size_t r = 0; r < n; r++) {
        size_t g = (size_t)-1;
        if (strcmp(txt(t, lv, r), "total")) { /* a district: a dozen of them, a linear search */
            if (strcmp(txt(t, lv, r), "district"))
                continue;
            for (g = 0; g < d->n_districts && strcmp(d->groups[g].name, txt(t, id, r)); g++)
                ;
            if (g == d->n_districts)
                continue;
        }
        d->tot[d->n_tot++] = (rep_tot){g, txt(t, ds, r), num(t, h, r), num(t, mean, r), num(t, lo80, r),
                                       num(t, hi80, r), num(t, lo95, r), num(t, hi95, r)};
    }
    return CIV_OK;
}

/* history.csv: the rows of communities in the allocation (others dropped). */
static civ_status load_history(rep_data *d)
{
    const civ_table *t = d->t_hist;
    col_ref id = find(d, t, &C_ID), ds = find(d, t, &C_DS), y = find(d, t, &C_Y);
    if (!t || !id.found || !ds.found || !y.found)
        return CIV_OK;
    civ_strmap map = {0};
    size_t dup;
    civ_status s = CIV_OK;
    for (size_t i = 0; i < d->n_comms && !s; i++)
        if (civ_strmap_put(&map, d->comms[i].id, i, &dup) == CIV_ERR_OUT_OF_MEMORY)
            s = civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for the history");
    d->hist = s ? NULL : calloc(civ_table_n_rows(t) + 1, sizeof *d->hist);
    if (!d->hist && !s)
        s = civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for %zu history rows", civ_table_n_rows(t));
    for (size_t r = 0; r < civ_table_n_rows(t) && !s; r++) {
        size_t i;
        if (civ_strmap_get(&map, txt(t, id, r), &i))
            d->hist[d->n_hist++] = (rep_hist){i, txt(t, ds, r), num(t, y, r)};
    }
    civ_strmap_free(&map);
    return s;
}

/* The demand's frequency, from the periods the forecasts and the history
 * carry (never from a label): period text gives it ("2024" yearly, "2024-Q1"
 * quarterly, "2024-07" monthly), and day dates ("2024-07-01") the spacing of
 * each community's dates, as the panel reader infers it (civ_dates_infer).
 * Dates in several forms, or that do not parse, leave it CIV_FREQ_UNKNOWN:
 * the charts then show the periods as they are written. */
static civ_status infer_frequency(rep_data *d)
{
    size_t n = d->n_fc + d->n_hist, k = 0;
    int64_t *days = calloc(n + 1, sizeof *days);
    size_t *series = calloc(n + 1, sizeof *series);
    civ_status s = CIV_OK;
    int form_seen = 0, mixed = 0;
    if (!days || !series) {
        free(days), free(series);
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for the periods of %zu rows", n);
    }
    for (size_t r = 0; r < n && !mixed; r++) {
        const char *ds = r < d->n_fc ? d->fc[r].ds : d->hist[r - d->n_fc].ds;
        size_t comm = r < d->n_fc ? d->fc[r].comm : d->hist[r - d->n_fc].comm;
        civ_date_form form;
        int64_t value;
        if (!ds || !ds[0])
            continue;
        if (civ_date_parse(ds, strlen(ds), &form, &value)) {
            mixed = 1;
            break;
        }
        mixed = form_seen && (int)form != form_seen;
        form_seen = (int)form;
        if (form == CIV_DATE_DAY && comm != (size_t)-1)
            days[k] = value, series[k++] = comm;
    }
    civ_clear_error();
    d->freq = CIV_FREQ_UNKNOWN;
    if (!mixed && form_seen == CIV_DATE_YEAR)
        d->freq = CIV_FREQ_YEARLY;
    else if (!mixed && form_seen == CIV_DATE_QUARTER)
        d->freq = CIV_FREQ_QUARTERLY;
    else if (!mixed && form_seen == CIV_DATE_MONTH)
        d->freq = CIV_FREQ_MONTHLY;
    else if (!mixed && form_seen == CIV_DATE_DAY && k) {
        civ_frequency f;
        int phase;
        civ_date_anchor anchor;
        civ_status si = civ_dates_infer(days, series, k, d->n_comms, NULL, NULL, &f, &phase, &anchor);
        if (!si)
            d->freq = f;
        else if (si == CIV_ERR_OUT_OF_MEMORY)
            s = si; /* the error names it */
        else
            civ_clear_error(); /* irregular dates: shown as they are */
    }
    free(days), free(series);
    return s;
}

static civ_status load_need(rep_data *d)
{
    const civ_table *t = d->t_needs;
    col_ref scope = find(d, t, &C_SCOPE), year = find(d, t, &C_YEAR), need = find(d, t, &C_NEED);
    if (!t || !year.found || !need.found)
        return CIV_OK;
    col_ref std = find(d, t, &C_STD), dem = find(d, t, &C_DEMAND);
    d->need = calloc(civ_table_n_rows(t) + 1, sizeof *d->need);
    if (!d->need)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "no memory for the need");
    for (size_t r = 0; r < civ_table_n_rows(t); r++) {
        if (scope.found && strcmp(txt(t, scope, r), "year"))
            continue;
        d->need[d->n_need++] = (rep_need_year){num(t, year, r), num(t, need, r), num(t, std, r), num(t, dem, r)};
    }
    return CIV_OK;
}

/* District P5/P95 of the Monte Carlo (uncertainty.csv, scope = district). */
static void load_uncertainty(rep_data *d)
{
    const civ_table *t = d->t_unc;
    col_ref scope = find(d, t, &C_SCOPE), name = find(d, t, &C_UNAME), p5 = find(d, t, &C_P5), p95 = find(d, t, &C_P95);
    col_ref p50 = find(d, t, &C_P50);
    if (!t || !scope.found || !name.found || !p5.found || !p95.found)
        return;
    for (size_t r = 0; r < civ_table_n_rows(t); r++) {
        if (strcmp(txt(t, scope, r), "district"))
            continue;
        for (size_t g = 0; g < d->n_districts; g++)
            if (!strcmp(d->groups[g].name, txt(t, name, r))) {
                d->groups[g].p5 = num(t, p5, r), d->groups[g].p95 = num(t, p95, r);
                d->groups[g].amount_mc = num(t, p50, r);
            }
    }
}

/* The waterfall's "gained" and "lost" rows (allocation_waterfall.csv). */
static void load_waterfall(rep_data *d)
{
    const civ_table *t = d->t_wf;
    d->base_total = NAN;
    col_ref scope = find(d, t, &C_SCOPE), base = find(d, t, &C_WBASE);
    if (!t || !scope.found || !base.found)
        return;
    for (size_t k = 0; k < sizeof EFFECTS / sizeof *EFFECTS; k++) {
        rep_col c = {{EFFECTS[k]}, {MINOR}};
        col_ref e = find(d, t, &c);
        if (!e.found)
            continue;
        rep_step *st = &d->steps[d->n_steps++];
        st->effect = EFFECTS[k];
        for (size_t r = 0; r < civ_table_n_rows(t); r++) {
            const char *sc = txt(t, scope, r);
            if (!strcmp(sc, "gained"))
                st->gained = num(t, e, r);
            else if (!strcmp(sc, "lost"))
                st->lost = num(t, e, r);
            else if (!strcmp(sc, "total")) {
                st->net = num(t, e, r);
                d->base_total = num(t, base, r);
            }
        }
    }
}

static void load_stages(rep_data *d)
{
    const civ_table *t = d->t_stages;
    col_ref id = find(d, t, &C_ID), before = find(d, t, &C_BEFORE);
    if (!t || !id.found || !before.found || civ_table_n_rows(t) != d->n_comms)
        return;
    for (size_t i = 0; i < d->n_comms; i++)
        if (strcmp(txt(t, id, i), d->comms[i].id))
            return; /* not the same rows: do not guess */
    for (size_t i = 0; i < d->n_comms; i++)
        d->comms[i].before = num(t, before, i);
    d->has_before = 1;
}

/* Major units per minor unit (0.01 for fen), from the summary's budget row. */
static double minor_factor(const civ_table *t)
{
    size_t sec, a, y, u;
    if (t && civ_table_find_column(t, "unit", &u) == CIV_OK && civ_table_column_type(t, u) == CIV_COLUMN_TEXT)
        return 0.01; /* the tidy summary names its unit: fen (or "minor", taken as hundredths) */
    if (!t || civ_table_find_column(t, "section", &sec) || civ_table_find_column(t, "amount", &a) ||
        civ_table_find_column(t, "amount_yuan", &y) || civ_table_column_type(t, a) != CIV_COLUMN_NUMBER ||
        civ_table_column_type(t, y) != CIV_COLUMN_NUMBER)
        return 0.01;
    for (size_t r = 0; r < civ_table_n_rows(t); r++) {
        double fa = civ_table_number(t, r, a), fy = civ_table_number(t, r, y);
        if (fa > 0 && fy > 0)
            return round(fa / fy) > 0 ? 1.0 / round(fa / fy) : 0.01;
    }
    return 0.01;
}

/* allocation.csv (t, at path) in another currency's minor and major units: *minor_unit (0 = unknown) is their
 * ratio on the first row with both above 0, which must agree with the one given. */
static civ_status minor_unit_of_columns(const civ_table *t, const char *path, const char *currency,
                                        long *minor_unit)
{
    const char *f = "allocation.csv";
    size_t mi, ma;
    civ_where w = {.file = path};
    int both = !civ_table_find_column(t, "amount_minor", &mi) && !civ_table_find_column(t, "amount_major", &ma);
    civ_clear_error();
    if (!both && *minor_unit <= 0) {
        w.field = "amount_minor";
        return civ_fail_at(CIV_ERR_DOMAIN, &w,
                           "the %s amounts do not have both amount_minor and amount_major, so the minor unit (minor "
                           "units per %s) cannot be read from them: give it (civicast report --minor-unit 100, "
                           "Python minor_unit=100, C civ_report_options.minor_unit)",
                           f, currency);
    }
    long ratio = 0; /* amount_minor / amount_major on the first row with both above 0 */
    for (size_t r = 0; both && r < civ_table_n_rows(t); r++) {
        double a = civ_table_number(t, r, mi), b = civ_table_number(t, r, ma);
        if (a > 0 && b > 0) {
            for (long u = 1; u <= 1000; u *= 10)
                if (fabs(a - (double)u * b) <= 0.5)
                    ratio = u;
            if (ratio && *minor_unit > 0 && ratio != *minor_unit) {
                civ_where e = {.file = path, .line = civ_table_row_line(t, r), .field = "amount_minor"};
                return civ_fail_at(CIV_ERR_DOMAIN, &e,
                                   "the %s amounts say %ld minor units per %s (amount_minor %.15g = %ld x "
                                   "amount_major %.15g), but the minor unit is given as %ld",
                                   f, ratio, currency, a, ratio, b, *minor_unit);
            }
            break;
        }
    }
    if (*minor_unit <= 0)
        *minor_unit = ratio;
    if (*minor_unit <= 0) {
        w.field = "amount_minor";
        return civ_fail_at(CIV_ERR_DOMAIN, &w,
                           "the %s amount_minor and amount_major do not give the minor unit (no row with both above "
                           "0 and amount_minor = 1, 10, 100 or 1000 times amount_major): give it (civicast report "
                           "--minor-unit 100, Python minor_unit=100, C civ_report_options.minor_unit)",
                           f);
    }
    return CIV_OK;
}

/* The currency allocation.csv's money columns are named in: fen and yuan are CNY's (amount_fen, amount_yuan:
 * civicast writes them for CNY in fen), minor and major another's (or CNY in another minor unit), and a bare
 * "amount" names none.  Nothing stated (currency NULL or "": no spec, no manifest.json saying it, no
 * civ_report_options.currency) and the columns not CNY's: refused, as the page would call the amounts 元 and
 * read them in hundredths (a folder of USD read as CNY; one of JPY, whole yen, shown a hundredth of itself).
 * Stated: CNY's columns under another currency are refused.  *minor_unit (0 = unknown): for columns in minor
 * and major units, their ratio on the first row with both above 0. */
static civ_status money_marks(const rep_data *d, const char *outdir, const char *currency, long *minor_unit)
{
    const civ_table *t = d->t_alloc;
    size_t c;
    col_ref id, dist;
    civ_status s;
    if (!t)
        return CIV_OK;
    const char *f = "allocation.csv";
    /* a table without the columns every allocation has is told that first (load_comms' message) */
    if ((s = need_col(d, t, f, &C_ID, &id)) || (s = need_col(d, t, f, &C_DISTRICT, &dist)))
        return s;
    char path[4096];
    civ_snprintf(path, sizeof path, "%s/%s", outdir, f);
    int cny_cols = !civ_table_find_column(t, "amount_fen", &c) || !civ_table_find_column(t, "amount_yuan", &c);
    int other = !cny_cols && (!civ_table_find_column(t, "amount_minor", &c) ||
                              !civ_table_find_column(t, "amount_major", &c));
    int bare = !cny_cols && !other && !civ_table_find_column(t, "amount", &c);
    civ_clear_error(); /* the probes' "no such column" */
    int stated = currency && currency[0];
    civ_where w = {.file = path};
    if (!stated && other) {
        w.field = civ_table_find_column(t, "amount_minor", &c) ? "amount_major" : "amount_minor";
        civ_clear_error();
        return civ_fail_at(CIV_ERR_DOMAIN, &w,
                           "the %s amounts are in the minor and major units of a currency other than CNY's fen "
                           "and yuan (column '%s'), and nothing in the folder says which (no manifest.json with the "
                           "plan's currency): the page would call them 元 and read them in hundredths; give the "
                           "currency (civicast report --currency USD, Python currency=\"USD\", C "
                           "civ_report_options.currency), or rebuild the folder with civicast plan",
                           f, w.field);
    }
    if (!stated && bare) {
        w.field = "amount";
        return civ_fail_at(CIV_ERR_DOMAIN, &w,
                           "the %s column 'amount' does not say its unit, and nothing in the folder does (no "
                           "manifest.json): whole yuan would be read as fen, a hundredth of the money; name it "
                           "amount_fen (whole fen) or amount_yuan (yuan), as civicast writes it",
                           f);
    }
    if (stated && cny_cols && strcmp(currency, "CNY")) {
        w.field = civ_table_find_column(t, "amount_fen", &c) ? "amount_yuan" : "amount_fen";
        civ_clear_error();
        return civ_fail_at(CIV_ERR_DOMAIN, &w,
                           "the %s amounts are in fen and yuan (column '%s'), CNY's, but the currency is given as "
                           "%s: give the currency the folder was made in (CNY), or the folder of the %s run",
                           f, w.field, currency, currency);
    }
    if (!other)
        return CIV_OK;
    return minor_unit_of_columns(t, path, currency, minor_unit);
}

static civ_status read_first(const char *outdir, const char *const *files, civ_table **t, const char **found)
{
    for (int k = 0; files[k]; k++) {
        civ_status s = read_opt(outdir, files[k], 0, t);
        if (s || *t) {
            *found = files[k];
            return s;
        }
    }
    return CIV_OK;
}

/* What backtest.csv says about the windows (rows ordered by series, window,
 * model, step): the series, the longest step ahead and the first and last
 * cutoff (ISO dates, so the text order is the time order).  Optional: a
 * missing file or column leaves bt_series 0. */
static civ_status load_backtest_windows(const char *outdir, rep_data *d)
{
    static const char *const text[] = {"unique_id", "cutoff", "ds", "model", NULL};
    civ_table_free(d->t_btw);
    d->t_btw = NULL;
    char path[4096];
    int n = civ_snprintf(path, sizeof path, "%s/backtest.csv", outdir);
    if (n < 0 || (size_t)n >= sizeof path || !exists(path) || !d->t_backtest)
        return CIV_OK;
    civ_table *t = NULL;
    civ_table_read_options opt = {.text_columns = text};
    civ_status s = civ_table_read_csv(path, &opt, &t);
    size_t ci, cc, ch;
    if (!s && !civ_table_find_column(t, "unique_id", &ci) && !civ_table_find_column(t, "cutoff", &cc) &&
        !civ_table_find_column(t, "h", &ch) && civ_table_column_type(t, ch) == CIV_COLUMN_NUMBER) {
        const char *prev = NULL;
        for (size_t r = 0; r < civ_table_n_rows(t); r++) {
            const char *id = civ_table_text(t, r, ci), *cut = civ_table_text(t, r, cc);
            double h = civ_table_number(t, r, ch);
            if (!id || !cut || !cut[0])
                continue;
            if (!prev || strcmp(prev, id))
                d->bt_series++;
            prev = id;
            if (h > (double)d->bt_h)
                d->bt_h = (size_t)h;
            if (!d->bt_first[0] || strcmp(cut, d->bt_first) < 0)
                civ_snprintf(d->bt_first, sizeof d->bt_first, "%.31s", cut);
            if (strcmp(cut, d->bt_last) > 0)
                civ_snprintf(d->bt_last, sizeof d->bt_last, "%.31s", cut);
        }
    }
    if (!s)
        d->t_btw = t; /* the failed windows' sentences (report_backtest.c) */
    else
        civ_table_free(t);
    if (s == CIV_ERR_OUT_OF_MEMORY)
        return s;
    civ_clear_error(); /* an unreadable backtest.csv only loses the sentence on the windows */
    return CIV_OK;
}

const char *rep_currency_zh(const char *code)
{
    static const char *const names[][2] = {{"CNY", "元"},   {"RMB", "元"},     {"USD", "美元"}, {"EUR", "欧元"},
                                           {"HKD", "港元"}, {"MOP", "澳门元"}, {"TWD", "新台币"}, {"JPY", "日元"},
                                           {"GBP", "英镑"}, {"KRW", "韩元"},   {"SGD", "新加坡元"}};
    for (size_t k = 0; code && k < sizeof names / sizeof *names; k++)
        if (!strcmp(code, names[k][0]))
            return names[k][1];
    return NULL;
}

/* The monitoring's tables, each the first of its names the folder has. */
static civ_status read_monitor_tables(const char *outdir, rep_data *d)
{
    const struct {
        const char *const *files;
        civ_table **t;
        const char **found;
    } first[] = {{MONITOR_FILES, &d->t_monitor, &d->monitor_file},
                 {STATUS_FILES, &d->t_status, &d->status_file},
                 {RISK_FILES, &d->t_risk, &d->risk_file},
                 {RISKS_FILES, &d->t_risks, &d->risks_file},
                 {WARN_FILES, &d->t_warn, &d->warn_file},
                 {INACT_FILES, &d->t_inact, &d->inact_file},
                 {DEMAND_FILES, &d->t_demand, &d->demand_file}};
    civ_status s = CIV_OK;
    for (size_t k = 0; k < sizeof first / sizeof *first && !s; k++)
        s = read_first(outdir, first[k].files, first[k].t, first[k].found);
    if (!s) /* the units' names (`monitor --names`): a folder without an allocation has them from nowhere else */
        s = read_opt(outdir, "units.csv", 0, &d->t_units);
    if (!s) /* the alerts' period a `monitor --out` run recorded: said when alerts.csv has no row to say it */
        s = read_opt(outdir, "period.csv", 0, &d->t_period);
    return s;
}

/* A folder without an allocation: the monitoring's tables alone, each kept when it has the column every such output
 * has (an input of the same name, such as the actuals' monitoring.csv or a risk register not yet assessed, is not
 * shown as an output); none kept is the error that says what a report needs. */
static civ_status read_monitor_folder(const char *outdir, rep_data *d)
{
    struct stat st;
    if (stat(outdir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        civ_where w = {.file = outdir};
        return civ_fail_at(CIV_ERR_IO, &w, "no such folder: the report reads a plan's output folder (allocation.csv, "
                           "allocation_summary.csv, ...: what `civicast plan` writes) or a monitoring's (what "
                           "`civicast monitor` writes into its output folder)");
    }
    civ_status s = read_monitor_tables(outdir, d);
    if (s)
        return s;
    const struct {
        civ_table **t;
        const char **found;
        const char *column;
    } key[] = {{&d->t_monitor, &d->monitor_file, "alert"}, {&d->t_status, &d->status_file, "status"},
               {&d->t_risk, &d->risk_file, "level"},       {&d->t_risks, &d->risks_file, "level"},
               {&d->t_warn, &d->warn_file, "p_miss_next"},  {&d->t_inact, &d->inact_file, "alert_at"},
               {&d->t_demand, &d->demand_file, "flag"}};
    size_t kept = 0, c;
    for (size_t k = 0; k < sizeof key / sizeof *key; k++) {
        if (*key[k].t && civ_table_find_column(*key[k].t, key[k].column, &c)) {
            civ_table_free(*key[k].t);
            *key[k].t = NULL, *key[k].found = NULL;
        }
        kept += *key[k].t != NULL;
    }
    civ_clear_error();
    if (kept) {
        d->monitor_only = 1;
        return CIV_OK;
    }
    civ_where w = {.file = outdir};
    return civ_fail_at(CIV_ERR_IO, &w, "nothing to report: the folder has neither a plan's allocation (allocation.csv "
                       "and allocation_summary.csv: run `civicast plan` into it) nor a monitoring's tables "
                       "(alerts.csv, status.csv, warning.csv, risks.csv, risk_matrix.csv, inactivity.csv or "
                       "demand.csv: run `civicast monitor` into it)");
}

/* Reads the folder's tables, in this order (the first error is the one told): the allocation and its
 * summary (required), the forecasts, need, uncertainty, waterfall and stages, the backtest, the monitoring's
 * (each under the first of its names there is), the history; a folder with neither money table is read as a
 * monitoring's (read_monitor_folder). */
static civ_status read_files(const char *outdir, rep_data *d)
{
    const struct {
        const char *file;
        int required;
        civ_table **t;
    } opt[] = {{"allocation.csv", 1, &d->t_alloc},           {"allocation_summary.csv", 1, &d->t_sum},
               {"forecasts.csv", 0, &d->t_fc},               {"forecast_report.csv", 0, &d->t_frep},
               {"forecast_totals.csv", 0, &d->t_tot},        {"need_summary.csv", 0, &d->t_needs},
               {"uncertainty.csv", 0, &d->t_unc},            {"allocation_waterfall.csv", 0, &d->t_wf},
               {"allocation_stages.csv", 0, &d->t_stages}};
    char path[4096];
    int plan = 0;
    for (int k = 0; k < 2 && !plan; k++) { /* either money table makes it a plan's folder (the other is then needed) */
        int n = civ_snprintf(path, sizeof path, "%s/%s", outdir, opt[k].file);
        plan = n > 0 && (size_t)n < sizeof path && exists(path);
    }
    if (!plan)
        return read_monitor_folder(outdir, d);
    civ_status s = CIV_OK;
    for (size_t k = 0; k < sizeof opt / sizeof *opt && !s; k++)
        s = read_opt(outdir, opt[k].file, opt[k].required, opt[k].t);
    if (!s)
        s = read_first(outdir, BACKTEST_FILES, &d->t_backtest, &d->backtest_file);
    if (!s)
        s = load_backtest_windows(outdir, d);
    if (!s && d->t_backtest) /* why windows failed, as the command counted them (report_backtest.c) */
        s = read_opt(outdir, "backtest_failures.csv", 0, &d->t_btf);
    if (!s)
        s = read_monitor_tables(outdir, d);
    if (!s)
        s = read_opt(outdir, "history.csv", 0, &d->t_hist);
    return s;
}

/* The monitoring folder's periods, from its tables' ds (demand.csv's, else the statuses', else the alerts'): the
 * form of the first period that parses (2024-12 monthly, 2024-Q4 quarterly, 2024 yearly); UNKNOWN otherwise. */
static void monitor_frequency(rep_data *d)
{
    const civ_table *ts[] = {d->t_demand, d->t_status, d->t_monitor, d->t_warn};
    d->freq = CIV_FREQ_UNKNOWN;
    for (size_t k = 0; k < sizeof ts / sizeof *ts; k++) {
        size_t c;
        if (!ts[k] || civ_table_find_column(ts[k], "ds", &c) || civ_table_column_type(ts[k], c) != CIV_COLUMN_TEXT ||
            !civ_table_n_rows(ts[k]))
            continue;
        const char *ds = civ_table_text(ts[k], 0, c);
        civ_date_form form;
        int64_t value;
        if (ds && !civ_date_parse(ds, strlen(ds), &form, &value)) {
            d->freq = form == CIV_DATE_YEAR      ? CIV_FREQ_YEARLY
                      : form == CIV_DATE_QUARTER ? CIV_FREQ_QUARTERLY
                      : form == CIV_DATE_MONTH   ? CIV_FREQ_MONTHLY
                                                 : CIV_FREQ_UNKNOWN;
            break;
        }
    }
    civ_clear_error();
}

/* What rep_data_load derives from the tables, in order; the first error stops it. */
static civ_status (*const LOADERS[])(rep_data *) = {load_comms,   group_comms, load_summary, load_forecasts,
                                                    load_totals,  load_need,   load_history, infer_frequency};

civ_status rep_data_load(const char *outdir, const char *currency, long minor_unit, rep_data *d)
{
    memset(d, 0, sizeof *d);
    d->base_total = NAN;
    civ_snprintf(d->currency, sizeof d->currency, "%s", currency && currency[0] ? currency : "CNY");
    const char *zh = rep_currency_zh(d->currency);
    civ_snprintf(d->currency_zh, sizeof d->currency_zh, "%s", zh ? zh : "");
    for (int big = 0; big < 2; big++)
        for (int z = 0; z < 2; z++)
            rep_money_unit(d->money_unit[big][z], sizeof d->money_unit[big][z], big, z, d->currency, d->currency_zh);
    char workbook[4096];
    int wn = civ_snprintf(workbook, sizeof workbook, "%s/allocation.xlsx", outdir);
    d->has_workbook = wn > 0 && (size_t)wn < sizeof workbook && exists(workbook);
    wn = civ_snprintf(workbook, sizeof workbook, "%s/monitoring.xlsx", outdir);
    d->has_monitor_workbook = wn > 0 && (size_t)wn < sizeof workbook && exists(workbook);
    civ_status s = read_files(outdir, d);
    if (!s && d->monitor_only) { /* no money, no demand: the monitoring's tables are read as they are */
        d->per_minor = 0.01;
        monitor_frequency(d);
        return CIV_OK;
    }
    if (!s)
        s = money_marks(d, outdir, currency, &minor_unit);
    if (!s) /* minor_factor probes columns, and a failed probe would overwrite the error above */
        d->per_minor = minor_unit > 0 ? 1.0 / (double)minor_unit : minor_factor(d->t_sum);
    for (size_t k = 0; k < sizeof LOADERS / sizeof *LOADERS && !s; k++)
        s = LOADERS[k](d);
    if (!s) {
        load_models(d);
        load_uncertainty(d);
        load_waterfall(d);
        load_stages(d);
    }
    if (s)
        rep_data_free(d);
    return s;
}

void rep_data_free(rep_data *d)
{
    if (!d)
        return;
    civ_table *ts[] = {d->t_alloc, d->t_sum, d->t_fc, d->t_frep, d->t_needs, d->t_unc, d->t_wf, d->t_stages,
                       d->t_backtest, d->t_monitor, d->t_status, d->t_risk, d->t_risks, d->t_hist, d->t_btw,
                       d->t_tot, d->t_warn, d->t_inact, d->t_demand, d->t_btf, d->t_units,
                       d->t_period};
    for (size_t k = 0; k < sizeof ts / sizeof *ts; k++)
        civ_table_free(ts[k]);
    for (size_t k = 0; d->row_names && k < d->n_rows; k++)
        free(d->row_names[k]);
    free(d->row_names);
    free(d->comms), free(d->groups), free(d->rows), free(d->fc), free(d->need), free(d->hist);
    free(d->tot);
    memset(d, 0, sizeof *d);
}

const rep_row *rep_data_row(const rep_data *d, const char *section, const char *name)
{
    for (size_t r = 0; r < d->n_rows; r++)
        if (!strcmp(d->rows[r].section, section) && (!name || !strcmp(d->rows[r].name, name)))
            return &d->rows[r];
    return NULL;
}
