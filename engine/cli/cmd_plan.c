/*
 * cmd_plan.c -- `civicast plan CONFIG`: the whole job from one config file
 * (forecast demand for every community, allocate the fund with the forecasts
 * as the demand factor, project the multi-year need, optionally a Monte
 * Carlo of the allocation), and `civicast need`: the need alone.
 *
 * The config uses the allocation spec's TOML subset (engine/src/alloc_toml.c)
 * with the sections [plan], [forecast], [uncertainty] and [need]
 * (docs/ALLOCATION.md, "Plan").  Relative paths are relative to the config
 * file's folder.  Every output is written atomically by the library.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc.h"
#include "alloc_extra.h"
#include "commands.h"
#include "plan_report.h"

#define PATH_MAX_LEN 4096

typedef struct plan_cfg {
    char dir[PATH_MAX_LEN];                       /* the config's folder */
    char panel[PATH_MAX_LEN], communities[PATH_MAX_LEN], spec[PATH_MAX_LEN], out[PATH_MAX_LEN];
    char model[128];
    char lang[8];                                 /* report language: "zh", "en" */
    size_t horizon;
    double levels[8];
    size_t n_levels;
    int levels_set;
    long threads;
    uint64_t seed;
    size_t draws;
    uint64_t unc_seed;
    double concentration;
    int unc_forecasts;
    int has_need;
} plan_cfg;

/* Joins the plan file's folder and a relative path into out; CIV_ERR_LIMIT
 * (naming the key) when the result would not fit, rather than a cut path. */
static civ_status resolve(const char *plan_path, const char *key, const char *dir, const char *path, char *out,
                          size_t size)
{
    int n = (path[0] == '/' || !dir[0]) ? snprintf(out, size, "%s", path) : snprintf(out, size, "%s/%s", dir, path);
    if (n < 0 || (size_t)n >= size) {
        civ_where w = {.file = plan_path, .field = key};
        return civ_fail_at(CIV_ERR_LIMIT, &w, "the path is longer than %zu bytes once joined to the plan's folder",
                           size - 1);
    }
    return CIV_OK;
}

static civ_toml_entry *take(civ_toml_table *t, const char *key)
{
    for (size_t i = 0; t && i < t->n_entries; i++)
        if (!strcmp(t->entries[i].key, key)) {
            t->entries[i].used = 1;
            return &t->entries[i];
        }
    return NULL;
}

static civ_status cfg_error(const char *path, const civ_toml_entry *e, const char *section, const char *msg)
{
    civ_where w = {.file = path, .line = e ? e->value.line : 1, .column = e ? e->value.column : 1,
                   .field = e ? e->key : section};
    return civ_fail_at(CIV_ERR_SPEC, &w, "[%s] %s%s%s", section, e ? e->key : "", e ? ": " : "", msg);
}

static civ_status get_str(const char *path, civ_toml_table *t, const char *section, const char *key, int required,
                          char *out, size_t size)
{
    civ_toml_entry *e = take(t, key);
    if (!e) {
        if (!required)
            return CIV_OK;
        civ_where w = {.file = path, .line = t ? t->line : 1, .column = t ? t->column : 1, .field = key};
        return civ_fail_at(CIV_ERR_SPEC, &w, "[%s]: missing key '%s'", section, key);
    }
    if (e->value.type != CIV_TOML_STRING || !e->value.text[0] || strlen(e->value.text) >= size)
        return cfg_error(path, e, section, "must be a non-empty string");
    snprintf(out, size, "%s", e->value.text);
    return CIV_OK;
}

static civ_status get_num(const char *path, civ_toml_table *t, const char *section, const char *key, int integer,
                          double lo, double hi, double *out)
{
    civ_toml_entry *e = take(t, key);
    if (!e)
        return CIV_OK;
    if ((integer ? e->value.type != CIV_TOML_INTEGER
                 : e->value.type != CIV_TOML_INTEGER && e->value.type != CIV_TOML_FLOAT) ||
        !(e->value.number >= lo && e->value.number <= hi)) {
        char msg[128];
        snprintf(msg, sizeof msg, "must be a%s number in [%g, %g]", integer ? " whole" : "", lo, hi);
        return cfg_error(path, e, section, msg);
    }
    *out = e->value.number;
    return CIV_OK;
}

static civ_status unused(const char *path, civ_toml_table *t, const char *section, const char *allowed)
{
    for (size_t i = 0; t && i < t->n_entries; i++)
        if (!t->entries[i].used) {
            civ_where w = {.file = path, .line = t->entries[i].line, .column = t->entries[i].column,
                           .field = t->entries[i].key};
            return civ_fail_at(CIV_ERR_SPEC, &w, "[%s]: unknown key '%s' (allowed: %s)", section,
                               t->entries[i].key, allowed);
        }
    return CIV_OK;
}

static civ_status read_config(const char *path, plan_cfg *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->model, sizeof c->model, "auto");
    c->horizon = 12;
    c->seed = CIV_FORECAST_DEFAULT_SEED;
    c->unc_seed = CIV_FORECAST_DEFAULT_SEED;
    c->unc_forecasts = 1;
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(c->dir, sizeof c->dir, "%.*s", (int)(slash - path), path);
    if (slash && !c->dir[0])
        snprintf(c->dir, sizeof c->dir, "/");
    civ_where w = {.file = path};
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return civ_fail_at(CIV_ERR_IO, &w, "cannot open the plan: %s", strerror(errno));
    char *buf = malloc(CIV_TOML_MAX_BYTES + 1);
    size_t len = buf ? fread(buf, 1, CIV_TOML_MAX_BYTES + 1, fp) : 0;
    fclose(fp);
    if (!buf)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory");
    if (len > CIV_TOML_MAX_BYTES) {
        free(buf);
        return civ_fail_at(CIV_ERR_LIMIT, &w, "plan larger than 1 MiB");
    }
    civ_toml_doc doc;
    memset(&doc, 0, sizeof doc);
    civ_status st = civ_toml_parse(buf, len, path, &doc);
    free(buf);
    civ_toml_table *tp = NULL, *tf = NULL, *tu = NULL;
    for (size_t i = 1; !st && i < doc.n_tables; i++) {
        civ_toml_table *t = &doc.tables[i];
        civ_toml_table **slot = !strcmp(t->name, "plan")          ? &tp
                                : !strcmp(t->name, "forecast")    ? &tf
                                : !strcmp(t->name, "uncertainty") ? &tu
                                                                  : NULL;
        if (!strcmp(t->name, "need") && !t->is_array) {
            c->has_need = 1; /* read by civ_alloc_need_read */
            continue;
        }
        if (!slot || t->is_array) {
            civ_where wt = {.file = path, .line = t->line, .column = t->column, .field = t->name};
            st = civ_fail_at(CIV_ERR_SPEC, &wt,
                             "unknown section '%s' (allowed: [plan], [forecast], [uncertainty], [need])", t->name);
        }
        if (slot)
            *slot = t;
    }
    if (!st && doc.tables[0].n_entries) {
        civ_where wt = {.file = path, .line = doc.tables[0].entries[0].line, .field = doc.tables[0].entries[0].key};
        st = civ_fail_at(CIV_ERR_SPEC, &wt, "key '%s' outside a section; put it under [plan]",
                         doc.tables[0].entries[0].key);
    }
    if (!st && !tp)
        st = civ_fail_at(CIV_ERR_SPEC, &w, "missing the [plan] section");
    char tmp[PATH_MAX_LEN];
    double v;
    if (!st && !(st = get_str(path, tp, "plan", "panel", 1, tmp, sizeof tmp)))
        st = resolve(path, "plan.panel", c->dir, tmp, c->panel, sizeof c->panel);
    if (!st && !(st = get_str(path, tp, "plan", "communities", 1, tmp, sizeof tmp)))
        st = resolve(path, "plan.communities", c->dir, tmp, c->communities, sizeof c->communities);
    if (!st && !(st = get_str(path, tp, "plan", "spec", 1, tmp, sizeof tmp)))
        st = resolve(path, "plan.spec", c->dir, tmp, c->spec, sizeof c->spec);
    tmp[0] = 0;
    if (!st && !(st = get_str(path, tp, "plan", "out", 0, tmp, sizeof tmp)) && tmp[0])
        st = resolve(path, "plan.out", c->dir, tmp, c->out, sizeof c->out);
    if (!st && !(st = get_str(path, tp, "plan", "lang", 0, c->lang, sizeof c->lang)) && c->lang[0] &&
        strcmp(c->lang, "zh") && strcmp(c->lang, "en"))
        st = cfg_error(path, take(tp, "lang"), "plan", "must be \"zh\" or \"en\"");
    if (!st)
        st = unused(path, tp, "plan", "panel, communities, spec, out, lang");
    if (!st && tf) {
        civ_toml_entry *e;
        st = get_str(path, tf, "forecast", "model", 0, c->model, sizeof c->model);
        if (!st && !(v = (double)c->horizon, st = get_num(path, tf, "forecast", "horizon", 1, 1, 1000, &v)))
            c->horizon = (size_t)v;
        if (!st && !(v = 0, st = get_num(path, tf, "forecast", "threads", 1, 0, 1024, &v)))
            c->threads = (long)v;
        if (!st && !(v = (double)c->seed, st = get_num(path, tf, "forecast", "seed", 1, 0, 9007199254740992.0, &v)))
            c->seed = (uint64_t)v;
        if (!st && (e = take(tf, "levels"))) {
            c->levels_set = 1;
            if (e->value.type != CIV_TOML_ARRAY || e->value.n_items > 8)
                st = cfg_error(path, e, "forecast", "must be an array of at most 8 levels, e.g. [80, 95]");
            for (size_t k = 0; !st && k < e->value.n_items; k++) {
                const civ_toml_value *it = &e->value.items[k];
                if ((it->type != CIV_TOML_INTEGER && it->type != CIV_TOML_FLOAT) ||
                    !(it->number > 0 && it->number < 100))
                    st = cfg_error(path, e, "forecast", "levels must be numbers in (0, 100)");
                else
                    c->levels[c->n_levels++] = it->number;
            }
        }
        if (!st)
            st = unused(path, tf, "forecast", "model, horizon, levels, threads, seed");
    }
    if (!st && tu) {
        civ_toml_entry *e;
        if (!(v = 0, st = get_num(path, tu, "uncertainty", "draws", 1, 0, 1e7, &v)))
            c->draws = (size_t)v;
        if (!st &&
            !(v = (double)c->unc_seed, st = get_num(path, tu, "uncertainty", "seed", 1, 0, 9007199254740992.0, &v)))
            c->unc_seed = (uint64_t)v;
        if (!st)
            st = get_num(path, tu, "uncertainty", "weight_concentration", 0, 0, 1e12, &c->concentration);
        if (!st && (e = take(tu, "forecasts"))) {
            if (e->value.type != CIV_TOML_BOOL)
                st = cfg_error(path, e, "uncertainty", "must be true or false");
            else
                c->unc_forecasts = e->value.number != 0;
        }
        if (!st)
            st = unused(path, tu, "uncertainty", "draws, seed, weight_concentration, forecasts");
    }
    civ_toml_free(&doc);
    return st;
}

/* mkdir -p */
static int make_dirs(const char *path)
{
    char buf[PATH_MAX_LEN];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(buf, 0777) && errno != EEXIST)
                return -1;
            *p = '/';
        }
    if (mkdir(buf, 0777) && errno != EEXIST)
        return -1;
    return 0;
}

static int run_plan(int argc, char **argv)
{
    const char *config = NULL, *out_dir = NULL, *model = NULL, *threads = NULL, *draws = NULL, *horizon = NULL;
    const char *lang = NULL;
    for (int i = 1; i < argc; i++) {
        const char **slot = NULL;
        if (!strcmp(argv[i], "--out"))
            slot = &out_dir;
        else if (!strcmp(argv[i], "--model"))
            slot = &model;
        else if (!strcmp(argv[i], "--threads"))
            slot = &threads;
        else if (!strcmp(argv[i], "--draws"))
            slot = &draws;
        else if (!strcmp(argv[i], "--h"))
            slot = &horizon;
        else if (!strcmp(argv[i], "--lang"))
            slot = &lang;
        else if (argv[i][0] == '-' && argv[i][1])
            return civ_cli_usage_error("plan", "unknown option '%s'", argv[i]);
        else if (!config) {
            config = argv[i];
            continue;
        } else
            return civ_cli_usage_error("plan", "one config file only ('%s' is extra)", argv[i]);
        if (++i >= argc)
            return civ_cli_usage_error("plan", "%s needs a value", argv[i - 1]);
        *slot = argv[i];
    }
    if (!config)
        return civ_cli_usage_error("plan", "give the plan config file");
    plan_cfg cfg;
    civ_status s = read_config(config, &cfg);
    if (s)
        return civ_cli_report(s);
    size_t v;
    if (out_dir)
        snprintf(cfg.out, sizeof cfg.out, "%s", out_dir);
    if (model)
        snprintf(cfg.model, sizeof cfg.model, "%s", model);
    if (lang && strcmp(lang, "zh") && strcmp(lang, "en"))
        return civ_cli_usage_error("plan", "--lang must be zh or en, not '%s'", lang);
    if (lang)
        snprintf(cfg.lang, sizeof cfg.lang, "%s", lang);
    if (threads && (civ_cli_parse_size(threads, &v) || v > 1024))
        return civ_cli_usage_error("plan", "--threads needs a whole number 0..1024");
    if (threads)
        cfg.threads = (long)v;
    if (draws && civ_cli_parse_size(draws, &cfg.draws))
        return civ_cli_usage_error("plan", "--draws needs a whole number >= 0");
    if (horizon && (civ_cli_parse_size(horizon, &v) || v < 1))
        return civ_cli_usage_error("plan", "--h needs a whole number >= 1");
    if (horizon)
        cfg.horizon = v;
    if (!cfg.out[0])
        return civ_cli_usage_error("plan", "no output folder: set out = \"...\" in [plan] or give --out DIR");
    if (make_dirs(cfg.out)) {
        fprintf(stderr, "civicast: %s: cannot create the output folder: %s\n", cfg.out, strerror(errno));
        return CIV_EXIT_IO;
    }
    char p_fc[PATH_MAX_LEN + 32], p_rep[PATH_MAX_LEN + 32], p_alloc[PATH_MAX_LEN + 32], p_sum[PATH_MAX_LEN + 32],
        p_need[PATH_MAX_LEN + 32], p_needy[PATH_MAX_LEN + 32], p_unc[PATH_MAX_LEN + 32];
    snprintf(p_fc, sizeof p_fc, "%s/forecasts.csv", cfg.out);
    snprintf(p_rep, sizeof p_rep, "%s/forecast_report.csv", cfg.out);
    snprintf(p_alloc, sizeof p_alloc, "%s/allocation.csv", cfg.out);
    snprintf(p_sum, sizeof p_sum, "%s/allocation_summary.csv", cfg.out);
    snprintf(p_need, sizeof p_need, "%s/need.csv", cfg.out);
    snprintf(p_needy, sizeof p_needy, "%s/need_summary.csv", cfg.out);
    snprintf(p_unc, sizeof p_unc, "%s/uncertainty.csv", cfg.out);

    civ_panel *panel = NULL;
    civ_forecast_result *fr = NULL;
    civ_table *fc = NULL, *rep = NULL, *comm = NULL, *alloc = NULL, *summary = NULL;
    civ_alloc_spec *spec = NULL;
    civ_alloc_problem *prob = NULL;
    civ_alloc_result *res = NULL;
    civ_alloc_need *need = NULL;
    civ_alloc_stats st;
    const char *stage = cfg.panel;
    size_t failed = 0;
    int code = CIV_EXIT_OK;

    /* 1. forecast demand */
    civ_forecast_options fo;
    civ_forecast_options_init(&fo);
    static const double default_levels[2] = {80, 95};
    fo.model = cfg.model;
    fo.horizon = cfg.horizon;
    fo.levels = cfg.levels_set ? cfg.levels : default_levels;
    fo.n_levels = cfg.levels_set ? cfg.n_levels : 2;
    fo.threads = (int)cfg.threads;
    fo.seed = cfg.seed;
    s = civ_cli_read_panel(cfg.panel, &panel);
    if (!s)
        stage = "forecast", s = civ_forecast_panel(panel, &fo, &fr);
    if (!s)
        s = civ_forecast_result_table(fr, panel, &fc);
    if (!s)
        s = civ_forecast_report_table(fr, panel, &rep);
    if (!s)
        stage = p_fc, s = civ_table_write(fc, p_fc);
    if (!s)
        stage = p_rep, s = civ_table_write(rep, p_rep);
    if (!s) {
        failed = civ_forecast_result_n_failed(fr);
        printf("plan                   %s\n", config);
        printf("forecast               %zu communities, %s, h = %zu, %.2f s; %zu failed%s\n",
               civ_forecast_result_n_series(fr), cfg.model, civ_forecast_result_horizon(fr),
               civ_forecast_result_seconds(fr), failed, failed ? " (see the report)" : "");
    }
    /* 2. allocate with the forecasts as the demand factor */
    static const char *const text_cols[] = {"unique_id", "name", "district", "street", "model", NULL};
    civ_table_read_options ro = {.text_columns = text_cols};
    if (!s)
        stage = cfg.spec, s = civ_alloc_spec_read(cfg.spec, &spec);
    if (!s)
        stage = cfg.communities, s = civ_cli_read_table(cfg.communities, &ro, &comm);
    if (!s)
        stage = "allocation", s = civ_alloc_bind(spec, comm, fc, &prob);
    if (!s)
        s = civ_alloc_result_create(prob, &res);
    if (!s)
        s = civ_alloc_solve(prob, res);
    if (!s)
        s = civ_alloc_result_table(prob, res, 1, &alloc);
    if (!s)
        s = civ_alloc_result_summary(prob, res, &summary);
    if (!s)
        s = civ_alloc_result_stats(prob, res, &st);
    int64_t unit = spec ? civ_alloc_spec_minor_unit(spec) : 100;
    const char *cur = spec ? civ_alloc_spec_currency(spec) : "";
    if (!s) {
        civ_cli_print_alloc_summary(spec, cfg.spec, &st);
        /* the districts, from the summary table */
        size_t cs, cn, ca;
        if (!civ_table_find_column(summary, "section", &cs) && !civ_table_find_column(summary, "name", &cn) &&
            !civ_table_find_column(summary, "amount", &ca)) {
            printf("districts             ");
            int k = 0;
            for (size_t r = 0; r < civ_table_n_rows(summary); r++)
                if (!strcmp(civ_table_text(summary, r, cs), "district")) {
                    char m[64];
                    civ_cli_format_money(m, sizeof m, civ_table_number(summary, r, ca), unit);
                    printf("%s %s %s", k++ ? "," : "", civ_table_text(summary, r, cn), m);
                }
            printf("\n");
        }
        civ_clear_error();
    }
    /* 3. uncertainty (adds p5/p50/p95 to the allocation) */
    if (!s && cfg.draws > 0) {
        civ_alloc_uncertainty_options uo;
        civ_alloc_uncertainty_options_init(&uo);
        uo.n_draws = cfg.draws;
        uo.seed = cfg.unc_seed;
        uo.threads = (int)cfg.threads;
        uo.perturb_forecasts = cfg.unc_forecasts;
        uo.weight_concentration = cfg.concentration;
        stage = "uncertainty", s = civ_cli_uncertainty(spec, comm, fc, &uo, alloc, p_unc);
    }
    if (!s)
        stage = p_alloc, s = civ_table_write(alloc, p_alloc);
    if (!s)
        stage = p_sum, s = civ_table_write(summary, p_sum);
    /* 4. the multi-year need: [need] of the plan, else of the spec */
    if (!s) {
        const char *src = cfg.has_need ? config : NULL;
        if (!src) {
            civ_status ns = civ_alloc_need_read(cfg.spec, &need);
            if (ns == CIV_ERR_NOT_FOUND)
                civ_clear_error();
            else
                s = ns, stage = cfg.spec;
        } else {
            stage = config, s = civ_alloc_need_read(config, &need);
        }
        if (!s && need)
            stage = "need", s = civ_cli_need(need, fc, p_need, p_needy, cur);
    }
    /* 5. the report: the rule tables it reads, then report.html */
    if (!s)
        stage = "report", s = civ_cli_plan_report(spec, comm, fc, cfg.out, cfg.lang);
    if (s) {
        if (!civ_last_error()->file[0] && strcmp(stage, "forecast") && strcmp(stage, "allocation") &&
            strcmp(stage, "uncertainty") && strcmp(stage, "need") && strcmp(stage, "report"))
            fprintf(stderr, "civicast: %s: %s\n", stage, civ_last_error_message());
        else
            civ_cli_report(s);
        code = civ_cli_exit_code(s);
    } else {
        printf("wrote                  %s/{forecasts.csv, forecast_report.csv, allocation.csv, "
               "allocation_summary.csv%s%s}\n",
               cfg.out, need ? ", need.csv, need_summary.csv" : "", cfg.draws ? ", uncertainty.csv" : "");
        printf("report                 %s/report.html\n", cfg.out);
        if (failed)
            code = CIV_EXIT_PARTIAL;
    }
    civ_alloc_need_free(need);
    civ_table_free(alloc), civ_table_free(summary);
    civ_alloc_result_free(res), civ_alloc_problem_free(prob);
    civ_alloc_spec_free(spec);
    civ_table_free(comm), civ_table_free(fc), civ_table_free(rep);
    civ_forecast_result_free(fr), civ_panel_free(panel);
    return code;
}

const civ_cli_command civ_cmd_plan = {
    "plan",
    "run the whole job from one config: forecast demand, allocate, project the need",
    "usage: civicast plan CONFIG [--out DIR] [--model SPEC] [--h H] [--threads N] [--draws N] [--lang zh|en]\n\n"
    "Reads a plan config (the spec's TOML subset; docs/ALLOCATION.md, \"Plan\"):\n"
    "  [plan]        panel, communities, spec, out (paths relative to CONFIG), lang\n"
    "  [forecast]    model, horizon, levels, threads, seed\n"
    "  [uncertainty] draws, seed, weight_concentration, forecasts (optional)\n"
    "  [need]        the multi-year need (optional; else the spec's [need])\n"
    "Forecasts every community's demand, allocates the fund with the forecasts as the\n"
    "demand factor, then the Monte Carlo and the need, and writes into the output\n"
    "folder forecasts.csv, forecast_report.csv, allocation.csv, allocation_summary.csv,\n"
    "need.csv, need_summary.csv and uncertainty.csv, allocation_waterfall.csv and\n"
    "allocation_stages.csv (what each rule did), and report.html with charts/*.vl.json\n"
    "(the plan report, in lang = \"zh\" or \"en\"; docs/REPORT.md).  The options\n"
    "override the config.\n"
    "Exit codes: 0 ok, 1 usage, 2 bad data, 3 I/O, 4 bad spec or infeasible,\n"
    "6 done but some series' forecasts failed (see the report).\n",
    run_plan,
};

static int run_need(int argc, char **argv)
{
    const char *spec_path = NULL, *fc_path = NULL, *out_path = NULL, *sum_path = NULL;
    for (int i = 1; i < argc; i++) {
        const char **slot = NULL;
        if (!strcmp(argv[i], "--spec"))
            slot = &spec_path;
        else if (!strcmp(argv[i], "--forecasts"))
            slot = &fc_path;
        else if (!strcmp(argv[i], "--out"))
            slot = &out_path;
        else if (!strcmp(argv[i], "--summary"))
            slot = &sum_path;
        else
            return civ_cli_usage_error("need", "unknown argument '%s'", argv[i]);
        if (++i >= argc)
            return civ_cli_usage_error("need", "%s needs a file", argv[i - 1]);
        *slot = argv[i];
    }
    if (!spec_path || !fc_path || !out_path)
        return civ_cli_usage_error("need", "--spec, --forecasts and --out are required");
    civ_alloc_need *need = NULL;
    civ_table *fc = NULL;
    static const char *const text_cols[] = {"unique_id", "ds", "model", NULL};
    civ_table_read_options ro = {.text_columns = text_cols};
    civ_status s = civ_alloc_need_read(spec_path, &need);
    if (!s)
        s = civ_cli_read_table(fc_path, &ro, &fc);
    if (!s)
        s = civ_cli_need(need, fc, out_path, sum_path, "");
    int code = s ? civ_cli_report(s) : CIV_EXIT_OK;
    if (!s)
        printf("wrote                  %s%s%s\n", out_path, sum_path ? ", " : "", sum_path ? sum_path : "");
    civ_table_free(fc);
    civ_alloc_need_free(need);
    return code;
}

const civ_cli_command civ_cmd_need = {
    "need",
    "project the budget need per year: indexed subsidy standard x forecast demand",
    "usage: civicast need --spec FILE --forecasts FILE --out FILE [--summary FILE]\n\n"
    "Reads the [need] section of FILE (an allocation spec or a plan config:\n"
    "standard_per_meal, index_rate, index_every_years, base_year, years, ...;\n"
    "docs/ALLOCATION.md, \"Multi-year need\") and forecasts in long format\n"
    "(unique_id,ds,h,model,mean,...).  Writes the need per community and year (minor\n"
    "units, exact rounding rules in the docs) and, with --summary, per year.\n"
    "Exit codes: 0 ok, 1 usage, 2 bad data, 3 I/O, 4 bad spec.\n",
    run_need,
};
