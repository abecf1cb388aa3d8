/*
 * bench_forecast_m1.c -- civicast's side of the M1 forecasting benchmark
 * (bench/forecast.bench.sh; R's side is bench/r_bench.R).
 *
 * Reads the M1 competition data (m1_meta.csv: unique_id,period,frequency,n,h;
 * m1_series.csv: unique_id,split,t,y with split train/test), forecasts the
 * test horizon of every series from its train part with each method through
 * the public API (civ_forecast_panel), one series per call on one thread so
 * that each series is timed alone, and scores it exactly as r_bench.R does:
 *   sMAPE = mean 200 |y - f| / (|y| + |f|)
 *   MASE  = mean |y - f| / mean |x_t - x_{t-m}| over the train part x
 *           (m = frequency, or 1 when the train part is not longer than m).
 * Writes unique_id,period,method,seconds,smape,mase (r_bench.R's layout);
 * seconds are process CPU seconds of the one-thread call (r_bench.R's
 * default --clock cpu), so that both sides count the same thing.
 * Then, per method, forecasts all series of each period as one panel with 1
 * and with 2 threads, prints the wall times and whether the two runs gave
 * bit-identical forecasts (memcmp), one line per method on stdout:
 *   scaling method=ets series=1001 t1=12.3 t2=6.4 cpu1=12.2 cpu2=12.5 identical=yes
 * (t = wall-clock seconds, cpu = process CPU seconds over all threads).
 *
 * Intervals (80, 95) are computed as R's forecast() computes them by default;
 * non-negative clamping is off, as R does not clamp.
 *
 * usage: bench_forecast_m1 M1_DIR OUT.csv [--methods ets=auto,theta=theta] (or ';'-separated)
 *                          [--limit N] [--repeat R] [--no-scaling] [--forecasts DIR]
 * (--repeat R: each series is forecast R times and the minimum CPU time kept;
 *  --forecasts DIR: also writes, per method, DIR/<data>_<method>.csv with
 *  unique_id,h,y,mean,lo-80,hi-80,lo-95,hi-95,cpu_s,model: every test step's
 *  forecast, the series' CPU seconds and the fitted model's name, for offline
 *  combinations (bench/default_eval.py).)
 * M1_DIR holds m1_meta.csv and m1_series.csv, or <name>_meta.csv and
 * <name>_series.csv where <name> is the folder's own name (e.g. tourism/).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civicast.h"

typedef struct m1_series {
    const char *id, *period;
    int m;
    size_t n, h;
    double *train, *test;
} m1_series;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int die(const char *what)
{
    fprintf(stderr, "bench_forecast_m1: %s: %s\n", what, civ_last_error_message());
    return 1;
}

/* CPU seconds of the whole process (all threads): on a shared, loaded machine
 * wall-clock scaling says little, so the scaling line reports both. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static civ_frequency freq_of(int m)
{
    return m == 12 ? CIV_FREQ_MONTHLY : m == 4 ? CIV_FREQ_QUARTERLY : CIV_FREQ_YEARLY;
}

static int64_t start_of(int m) { return (int64_t)m * 1900; }

static double smape(const double *y, const double *f, size_t h)
{
    double s = 0;
    for (size_t j = 0; j < h; j++)
        s += 200.0 * fabs(y[j] - f[j]) / (fabs(y[j]) + fabs(f[j]));
    return s / (double)h;
}

static double mase(const double *y, const double *f, size_t h, const double *x, size_t n, int m)
{
    size_t lag = n <= (size_t)m ? 1 : (size_t)m;
    double scale = 0, err = 0;
    for (size_t t = lag; t < n; t++)
        scale += fabs(x[t] - x[t - lag]);
    scale /= (double)(n - lag);
    for (size_t j = 0; j < h; j++)
        err += fabs(y[j] - f[j]);
    return err / (double)h / scale;
}

static void options(civ_forecast_options *opt, const char *spec, size_t h, int threads)
{
    static const double levels[2] = {80.0, 95.0};
    civ_forecast_options_init(opt);
    opt->model = spec;
    opt->horizon = h;
    opt->levels = levels;
    opt->n_levels = 2;
    opt->threads = threads;
    opt->nonnegative = 0;
}

/* The command line: paths, methods (names and specs point into methods_buf). */
typedef struct bench_config {
    const char *dir, *out_path;
    char methods_buf[512];
    const char *names[16], *specs[16];
    const char *fc_dir; /* --forecasts DIR, or NULL */
    size_t n_methods;
    size_t limit;
    size_t repeat; /* timed runs per series and method (minimum CPU time reported) */
    int scaling;
} bench_config;

/* Parses argv into cfg; returns 0, or the exit status (2) after a message. */
static int parse_args(int argc, char **argv, bench_config *cfg)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_forecast_m1 M1_DIR OUT.csv [--methods name=spec,...] [--limit N] "
                        "[--repeat R] [--no-scaling] [--forecasts DIR]\n");
        return 2;
    }
    cfg->dir = argv[1], cfg->out_path = argv[2];
    snprintf(cfg->methods_buf, sizeof cfg->methods_buf, "%s", "ets=auto,theta=theta");
    cfg->limit = (size_t)-1;
    cfg->repeat = 1;
    cfg->scaling = 1;
    cfg->fc_dir = NULL;
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--methods") && i + 1 < argc)
            snprintf(cfg->methods_buf, sizeof cfg->methods_buf, "%s", argv[++i]);
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc && atoi(argv[i + 1]) > 0)
            cfg->repeat = (size_t)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--limit") && i + 1 < argc)
            cfg->limit = (size_t)strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--forecasts") && i + 1 < argc)
            cfg->fc_dir = argv[++i];
        else if (!strcmp(argv[i], "--no-scaling"))
            cfg->scaling = 0;
        else {
            fprintf(stderr, "bench_forecast_m1: unknown argument '%s'\n", argv[i]);
            return 2;
        }
    }
    cfg->n_methods = 0;
    /* name=spec pairs separated by ',' or, when a spec has commas (ETS(Z,Z,Z,damped=true)), by ';' */
    const char *sep = strchr(cfg->methods_buf, ';') ? ";" : ",";
    for (char *tok = strtok(cfg->methods_buf, sep); tok && cfg->n_methods < 16; tok = strtok(NULL, sep)) {
        char *eq = strchr(tok, '=');
        cfg->names[cfg->n_methods] = tok;
        cfg->specs[cfg->n_methods] = eq ? (*eq = '\0', eq + 1) : tok;
        cfg->n_methods++;
    }
    return 0;
}

/* The data set's name: "m1" when dir holds m1_meta.csv, else the folder's
 * own name (tourism/ holds tourism_meta.csv); written to name[cap]. */
static void data_name(const char *dir, char *name, size_t cap)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/m1_meta.csv", dir);
    FILE *f = fopen(path, "r");
    if (f) {
        fclose(f);
        snprintf(name, cap, "m1");
        return;
    }
    size_t L = strlen(dir);
    while (L > 1 && dir[L - 1] == '/')
        L--;
    size_t b = L;
    while (b > 0 && dir[b - 1] != '/')
        b--;
    snprintf(name, cap, "%.*s", (int)(L - b), dir + b);
}

/* Reads <name>_meta.csv and <name>_series.csv (data_name) from dir into
 * *meta, *rows and the series array *S (*N of them; ids and periods point
 * into meta). Returns 0 or the exit status after a message. */
static int load_m1(const char *dir, civ_table **meta, civ_table **rows, m1_series **S_out, size_t *N_out)
{
    char path[4096], name[256];
    data_name(dir, name, sizeof name);
    snprintf(path, sizeof path, "%s/%s_meta.csv", dir, name);
    if (civ_table_read_csv(path, NULL, meta))
        return die("reading the meta file");
    snprintf(path, sizeof path, "%s/%s_series.csv", dir, name);
    if (civ_table_read_csv(path, NULL, rows))
        return die("reading the series file");
    size_t c_id, c_period, c_freq, c_n, c_h, r_id, r_split, r_t, r_y;
    if (civ_table_find_column(*meta, "unique_id", &c_id) || civ_table_find_column(*meta, "period", &c_period) ||
        civ_table_find_column(*meta, "frequency", &c_freq) || civ_table_find_column(*meta, "n", &c_n) ||
        civ_table_find_column(*meta, "h", &c_h) || civ_table_find_column(*rows, "unique_id", &r_id) ||
        civ_table_find_column(*rows, "split", &r_split) || civ_table_find_column(*rows, "t", &r_t) ||
        civ_table_find_column(*rows, "y", &r_y) || civ_table_index(*meta, c_id))
        return die("M1 columns");

    size_t N = civ_table_n_rows(*meta);
    m1_series *S = calloc(N, sizeof *S);
    *S_out = S;
    *N_out = N;
    for (size_t i = 0; i < N; i++) {
        S[i].id = civ_table_text(*meta, i, c_id);
        S[i].period = civ_table_text(*meta, i, c_period);
        S[i].m = (int)civ_table_number(*meta, i, c_freq);
        S[i].n = (size_t)civ_table_number(*meta, i, c_n);
        S[i].h = (size_t)civ_table_number(*meta, i, c_h);
        S[i].train = calloc(S[i].n, sizeof(double));
        S[i].test = calloc(S[i].h, sizeof(double));
    }
    for (size_t r = 0; r < civ_table_n_rows(*rows); r++) {
        size_t i;
        if (civ_table_lookup(*meta, c_id, civ_table_text(*rows, r, r_id), &i))
            return die("series row without meta");
        size_t t = (size_t)civ_table_number(*rows, r, r_t);
        double y = civ_table_number(*rows, r, r_y);
        if (!strcmp(civ_table_text(*rows, r, r_split), "train") && t >= 1 && t <= S[i].n)
            S[i].train[t - 1] = y;
        else if (t > S[i].n && t <= S[i].n + S[i].h)
            S[i].test[t - S[i].n - 1] = y;
    }
    return 0;
}

/* Marks in use the first `limit` series of each period, in meta order (as
 * r_bench.R --limit); returns how many. */
static size_t select_series(const m1_series *S, size_t N, size_t limit, char *use)
{
    size_t n_use = 0;
    const char *periods[3] = {"YEARLY", "QUARTERLY", "MONTHLY"};
    for (size_t p = 0; p < 3; p++) {
        size_t k = 0;
        for (size_t i = 0; i < N; i++)
            if (!strcmp(S[i].period, periods[p]) && k < limit) {
                use[i] = 1;
                k++;
                n_use++;
            }
    }
    return n_use;
}

/* One series' forecasts (levels 80, 95), one row per test step, to f;
 * a failed forecast writes NA forecasts and its status as the model. */
static void write_forecasts(FILE *f, const m1_series *s, const civ_forecast_result *r, double sec)
{
    int ok = civ_forecast_result_status(r, 0) == CIV_OK;
    const double *mu = civ_forecast_result_mean(r);
    const double *lo80 = civ_forecast_result_lower(r, 0), *hi80 = civ_forecast_result_upper(r, 0);
    const double *lo95 = civ_forecast_result_lower(r, 1), *hi95 = civ_forecast_result_upper(r, 1);
    const char *model = ok ? civ_forecast_result_model(r, 0) : civ_status_name(civ_forecast_result_status(r, 0));
    for (size_t j = 0; j < s->h; j++) {
        if (ok)
            fprintf(f, "%s,%zu,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%.6g,\"%s\"\n", s->id, j + 1, s->test[j], mu[j],
                    lo80[j], hi80[j], lo95[j], hi95[j], sec, model);
        else
            fprintf(f, "%s,%zu,%.10g,NA,NA,NA,NA,NA,%.6g,%s\n", s->id, j + 1, s->test[j], sec, model);
    }
}

/* Forecasts every series in use with every method, one series per call on
 * one thread, and writes the scores to cfg->out_path. Returns 0 or the exit
 * status after a message. */
static int write_scores(const bench_config *cfg, const m1_series *S, size_t N, const char *use)
{
    FILE *out = fopen(cfg->out_path, "w");
    if (!out) {
        perror(cfg->out_path);
        return 1;
    }
    fprintf(out, "unique_id,period,method,seconds,smape,mase\n");
    FILE *fc[16] = {0};
    if (cfg->fc_dir) {
        char name[256], path[4096];
        data_name(cfg->dir, name, sizeof name);
        for (size_t k = 0; k < cfg->n_methods; k++) {
            snprintf(path, sizeof path, "%s/%s_%s.csv", cfg->fc_dir, name, cfg->names[k]);
            if (!(fc[k] = fopen(path, "w"))) {
                perror(path);
                return 1;
            }
            fprintf(fc[k], "unique_id,h,y,mean,lo-80,hi-80,lo-95,hi-95,cpu_s,model\n");
        }
    }
    for (size_t i = 0; i < N; i++) {
        if (!use[i])
            continue;
        civ_panel *p = NULL;
        if (civ_panel_create(freq_of(S[i].m), &p) ||
            civ_panel_add_series(p, S[i].id, start_of(S[i].m), S[i].train, S[i].n, NULL))
            return die("panel");
        for (size_t k = 0; k < cfg->n_methods; k++) {
            civ_forecast_options opt;
            options(&opt, cfg->specs[k], S[i].h, 1);
            civ_forecast_result *r = NULL;
            /* process CPU seconds, as r_bench.R's default clock: on a shared,
             * loaded machine wall time says more about the neighbours; with
             * --repeat R the minimum of R runs (the results are identical) */
            double sec = INFINITY;
            for (size_t rep = 0; rep < cfg->repeat; rep++) {
                civ_forecast_result_free(r);
                r = NULL;
                double t0 = cpu_now();
                if (civ_forecast_panel(p, &opt, &r))
                    return die(cfg->specs[k]);
                double t1 = cpu_now() - t0;
                sec = t1 < sec ? t1 : sec;
            }
            if (fc[k])
                write_forecasts(fc[k], &S[i], r, sec);
            if (civ_forecast_result_status(r, 0) == CIV_OK) {
                const double *f = civ_forecast_result_mean(r);
                fprintf(out, "%s,%s,%s,%.10g,%.10g,%.10g\n", S[i].id, S[i].period, cfg->names[k], sec,
                        smape(S[i].test, f, S[i].h), mase(S[i].test, f, S[i].h, S[i].train, S[i].n, S[i].m));
            } else {
                fprintf(out, "%s,%s,%s,%.10g,NA,NA\n", S[i].id, S[i].period, cfg->names[k], sec);
            }
            civ_forecast_result_free(r);
        }
        civ_panel_free(p);
    }
    fclose(out);
    for (size_t k = 0; k < cfg->n_methods; k++)
        if (fc[k] && fclose(fc[k]))
            return 1;
    return 0;
}

/* Thread scaling and determinism of one method: one panel per period, 1 vs
 * 2 threads; prints the scaling line. Returns 0 or the exit status. */
static int scaling_line(const char *name, const char *spec, const m1_series *S, size_t N, const char *use)
{
    double t1 = 0, t2 = 0, c1 = 0, c2 = 0;
    int identical = 1;
    size_t total = 0;
    const int ms[3] = {1, 4, 12};
    for (size_t q = 0; q < 3; q++) {
        civ_panel *p = NULL;
        civ_panel_create(freq_of(ms[q]), &p);
        size_t hmax = 0;
        for (size_t i = 0; i < N; i++)
            if (use[i] && S[i].m == ms[q]) {
                if (civ_panel_add_series(p, S[i].id, start_of(ms[q]), S[i].train, S[i].n, NULL))
                    return die("panel");
                if (S[i].h > hmax)
                    hmax = S[i].h;
            }
        size_t np = civ_panel_n_series(p);
        if (!np) {
            civ_panel_free(p);
            continue;
        }
        total += np;
        civ_forecast_result *r1 = NULL, *r2 = NULL;
        civ_forecast_options opt;
        options(&opt, spec, hmax, 1);
        double t0 = now(), u0 = cpu_now();
        if (civ_forecast_panel(p, &opt, &r1))
            return die(spec);
        t1 += now() - t0;
        c1 += cpu_now() - u0;
        options(&opt, spec, hmax, 2);
        t0 = now();
        u0 = cpu_now();
        if (civ_forecast_panel(p, &opt, &r2))
            return die(spec);
        t2 += now() - t0;
        c2 += cpu_now() - u0;
        size_t cells = np * hmax * sizeof(double);
        identical &= !memcmp(civ_forecast_result_mean(r1), civ_forecast_result_mean(r2), cells);
        for (size_t l = 0; l < 2; l++)
            identical &= !memcmp(civ_forecast_result_lower(r1, l), civ_forecast_result_lower(r2, l), cells) &&
                         !memcmp(civ_forecast_result_upper(r1, l), civ_forecast_result_upper(r2, l), cells);
        civ_forecast_result_free(r1);
        civ_forecast_result_free(r2);
        civ_panel_free(p);
    }
    printf("scaling method=%s series=%zu t1=%.3f t2=%.3f cpu1=%.3f cpu2=%.3f identical=%s\n", name, total, t1, t2,
           c1, c2, identical ? "yes" : "no");
    return 0;
}

int main(int argc, char **argv)
{
    bench_config cfg;
    int rc = parse_args(argc, argv, &cfg);
    if (rc)
        return rc;

    civ_table *meta = NULL, *rows = NULL;
    m1_series *S = NULL;
    size_t N = 0;
    rc = load_m1(cfg.dir, &meta, &rows, &S, &N);
    if (rc)
        return rc;

    char *use = calloc(N, 1);
    size_t n_use = select_series(S, N, cfg.limit, use);

    rc = write_scores(&cfg, S, N, use);
    if (rc)
        return rc;
    fprintf(stderr, "bench_forecast_m1: %zu series x %zu methods written to %s\n", n_use, cfg.n_methods,
            cfg.out_path);

    /* thread scaling and determinism: one panel per period, 1 vs 2 threads */
    if (cfg.scaling) {
        for (size_t k = 0; k < cfg.n_methods; k++) {
            rc = scaling_line(cfg.names[k], cfg.specs[k], S, N, use);
            if (rc)
                return rc;
        }
    }
    for (size_t i = 0; i < N; i++) {
        free(S[i].train);
        free(S[i].test);
    }
    free(S);
    free(use);
    civ_table_free(meta);
    civ_table_free(rows);
    return 0;
}
