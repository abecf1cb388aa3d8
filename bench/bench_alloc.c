/*
 * bench_alloc.c -- times the factor-method allocation on a synthetic city of
 * N communities (default one million): six factors (one with a
 * fiscal-difficulty coefficient), an aging tilt, a floor, a cap (share of
 * the pool), a hold-harmless of 80% of last year, and largest-remainder
 * rounding to the fen.  Uses the public API only.
 *
 * Prints one line of key=value pairs on stdout:
 *   n, bind_seconds (resolve the spec against the table once: id sort,
 *   validation), solve_seconds (best of RUNS calls of civ_alloc_solve: factor
 *   shares, tilt, bounds, the exact lambda solve, rounding; wall clock) and
 *   solve_cpu_seconds (the same, thread CPU time), binding counts,
 *   total_ok (the amounts sum to the pool exactly), peak_rss_kb.
 * With OUT_PREFIX it also writes OUT_PREFIX.bin (the input columns as raw
 * float64, column after column: pop, difficulty, aged, migrants, area,
 * service_points, performance, last_year, aged_share), OUT_PREFIX.amounts
 * (int64 fen per community) and OUT_PREFIX.spec, for bench/alloc_numpy.py.
 * usage: bench_alloc [N [RUNS [OUT_PREFIX]]]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "civicast.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static double urand(void)
{
    /* xorshift64*: deterministic and the same on every machine */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 0x2545F4914F6CDD1Dull) >> 11) / 9007199254740992.0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU time of this thread: on a shared, loaded machine the wall clock also
 * counts the time other processes held the core. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static const char *SPEC =
    "version = \"bench-1\"\n"
    "[budget]\ntotal = %zu.00\nfiscal_year = 2026\n"
    "[data]\npopulation = \"pop\"\naged = \"aged\"\nlast_year = \"last_year\"\n"
    "[[reserve]]\nname = \"emergency\"\nshare = 0.05\n"
    "[[pool]]\nname = \"main\"\nshare = 1\n"
    "[[formula]]\nname = \"main\"\nfloor = 40000.00\ncap_share = %.17g\nhold_harmless = 0.8\n"
    "last_year = \"last_year\"\n"
    "[[factor]]\nname = \"population\"\nattribute = \"pop\"\ncoefficient = \"difficulty\"\nweight = 0.25\n"
    "[[factor]]\nname = \"aged60\"\nattribute = \"aged\"\nweight = 0.30\n"
    "[[factor]]\nname = \"migrants\"\nattribute = \"migrants\"\nweight = 0.10\n"
    "[[factor]]\nname = \"area\"\nattribute = \"area\"\nweight = 0.05\n"
    "[[factor]]\nname = \"service_points\"\nattribute = \"service_points\"\nweight = 0.10\n"
    "[[factor]]\nname = \"performance\"\nkind = \"performance\"\nattribute = \"performance\"\nweight = 0.20\n"
    "[[tilt]]\nname = \"aging\"\nattribute = \"aged_share\"\nabove = 0.25\nmultiplier = 1.2\n";

static void die(const char *what)
{
    fprintf(stderr, "bench_alloc: %s: %s\n", what, civ_last_error_message());
    exit(1);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
    int runs = argc > 2 ? atoi(argv[2]) : 3;
    const char *prefix = argc > 3 ? argv[3] : NULL;
    if (n < 10 || runs < 1)
        return fprintf(stderr, "usage: bench_alloc [N>=10 [RUNS [OUT_PREFIX]]]\n"), 2;

    enum { NCOL = 9 };
    static const char *names[NCOL] = {"pop",  "difficulty",  "aged",      "migrants",  "area",
                                      "service_points", "performance", "last_year", "aged_share"};
    double *col = malloc(NCOL * n * sizeof *col);
    if (!col)
        return 1;
    for (size_t i = 0; i < n; i++) {
        double pop = 300 + 4000 * urand() * urand() + 2500 * urand();
        double share = 0.08 + 0.35 * urand();
        double *c = col + i;
        c[0 * n] = (double)(long)pop;
        c[1 * n] = 0.8 + 0.5 * urand();
        c[2 * n] = (double)(long)(pop * share);
        c[3 * n] = (double)(long)(pop * 0.8 * urand());
        c[4 * n] = 0.01 + 5 * urand() * urand();
        c[5 * n] = (double)(1 + (long)(4 * urand() * urand()));
        c[6 * n] = (double)(long)(600 + 400 * urand()) / 10.0;
        /* last year (yuan): about 25 yuan per resident, +-15% */
        c[7 * n] = (double)(long)(2500 * pop * (0.85 + 0.3 * urand())) / 100.0;
        c[8 * n] = share;
    }
    civ_table *t;
    size_t cid, cc[NCOL];
    if (civ_table_create(&t) || civ_table_add_column(t, "unique_id", CIV_COLUMN_TEXT, &cid))
        die("table");
    for (int j = 0; j < NCOL; j++)
        if (civ_table_add_column(t, names[j], CIV_COLUMN_NUMBER, &cc[j]))
            die("table");
    if (civ_table_add_rows(t, n, NULL))
        die("rows");
    char id[32];
    for (size_t i = 0; i < n; i++) {
        snprintf(id, sizeof id, "c%08zu", i);
        civ_table_set_text(t, i, cid, id);
        for (int j = 0; j < NCOL; j++)
            civ_table_set_number(t, i, cc[j], col[(size_t)j * n + i]);
    }
    /* budget: 108% of last year's total, so floors, hold-harmless and caps
     * all bind for some communities */
    double last_total = 0;
    for (size_t i = 0; i < n; i++)
        last_total += col[7 * n + i];
    size_t total_yuan = (size_t)(last_total * 1.08);
    double cap_share = 2.6 / (double)n; /* 2.6 times the average share */
    char spec_text[4096];
    snprintf(spec_text, sizeof spec_text, SPEC, total_yuan, cap_share);
    civ_alloc_spec *spec;
    if (civ_alloc_spec_parse(spec_text, strlen(spec_text), "bench.spec", &spec))
        die("spec");

    double t0 = now();
    civ_alloc_problem *p;
    if (civ_alloc_bind(spec, t, NULL, &p))
        die("bind");
    double bind_s = now() - t0;
    civ_alloc_result *r;
    if (civ_alloc_result_create(p, &r))
        die("result");
    double best = 1e300, best_cpu = 1e300;
    for (int k = 0; k < runs; k++) {
        t0 = now();
        double c0 = cpu_now();
        if (civ_alloc_solve(p, r))
            die("solve");
        double dt = now() - t0, dc = cpu_now() - c0;
        if (dt < best)
            best = dt;
        if (dc < best_cpu)
            best_cpu = dc;
    }
    int64_t *amounts = malloc(n * sizeof *amounts);
    civ_alloc_result_amounts(p, r, amounts, n);
    civ_alloc_stats st;
    civ_alloc_result_stats(p, r, &st);
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += amounts[i];
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("n=%zu bind_seconds=%.4f solve_seconds=%.4f solve_cpu_seconds=%.4f floor=%zu cap=%zu hold_harmless=%zu total_ok=%d "
           "pool_fen=%lld peak_rss_kb=%ld\n",
           n, bind_s, best, best_cpu, st.n_floor, st.n_cap, st.n_hold_harmless, sum == st.allocated && sum == st.total - st.reserved,
           (long long)st.allocated, ru.ru_maxrss);
    if (prefix) {
        char path[1024];
        snprintf(path, sizeof path, "%s.bin", prefix);
        FILE *fp = fopen(path, "wb");
        if (!fp || fwrite(col, sizeof *col, NCOL * n, fp) != NCOL * n || fclose(fp))
            return fprintf(stderr, "bench_alloc: cannot write %s\n", path), 1;
        snprintf(path, sizeof path, "%s.amounts", prefix);
        fp = fopen(path, "wb");
        if (!fp || fwrite(amounts, sizeof *amounts, n, fp) != n || fclose(fp))
            return fprintf(stderr, "bench_alloc: cannot write %s\n", path), 1;
        snprintf(path, sizeof path, "%s.spec", prefix);
        fp = fopen(path, "w");
        if (!fp || fputs(spec_text, fp) < 0 || fclose(fp))
            return fprintf(stderr, "bench_alloc: cannot write %s\n", path), 1;
    }
    free(amounts);
    civ_alloc_result_free(r);
    civ_alloc_problem_free(p);
    civ_alloc_spec_free(spec);
    civ_table_free(t);
    free(col);
    return 0;
}
