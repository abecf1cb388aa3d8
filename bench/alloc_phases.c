/*
 * alloc_phases.c -- bench: the phases of `civicast allocate [--explain]
 * --summary` timed one by one through the public API (the same calls, in
 * the same order, as engine/cli/cmd_allocate.c): spec, read the communities
 * CSV, bind the spec (then free the table, as the CLI does), solve, write
 * the allocation CSV (civ_alloc_result_write: built and written a block of
 * rows at a time), build and write the summary.  Prints one line of
 * key=value pairs: <phase>_s (wall seconds), <phase>_cpu (process CPU
 * seconds, all threads) and <phase>_rss_mb (resident memory after it) for
 * spec, read, bind, solve, output, summary; resolve_best_s /
 * resolve_best_cpu: the best of 5 more solves on the same (warm) result, as
 * Monte Carlo draws and scenarios run them, run after the phases (not
 * counted in them, nor in the peak); total_s, total_cpu, peak_rss_mb (the
 * high-water mark of the phases).
 * usage: alloc_phases SPEC COMMUNITIES.csv OUT.csv SUMMARY.csv [--explain]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "civicast.h"

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double w0, c0, tw0, tc0;
static void lap(const char *phase, civ_status s)
{
    if (s) {
        fprintf(stderr, "alloc_phases: %s: %s\n", phase, civ_last_error_message());
        exit(1);
    }
    double w = wall(), c = cpu();
    long pages = 0, rss = 0;
    FILE *fp = fopen("/proc/self/statm", "r");
    if (fp && fscanf(fp, "%ld %ld", &pages, &rss) != 2)
        rss = 0;
    if (fp)
        fclose(fp);
    printf("%s_s=%.4f %s_cpu=%.4f %s_rss_mb=%.0f ", phase, w - w0, phase, c - c0, phase,
           (double)rss * 4096 / 1048576);
    w0 = w, c0 = c;
}

int main(int argc, char **argv)
{
    if (argc != 5 && !(argc == 6 && !strcmp(argv[5], "--explain")))
        return fprintf(stderr, "usage: alloc_phases SPEC COMMUNITIES.csv OUT.csv SUMMARY.csv [--explain]\n"), 2;
    int explain = argc == 6;
    civ_alloc_spec *spec = NULL;
    civ_table *comm = NULL, *summary = NULL;
    civ_alloc_problem *p = NULL;
    civ_alloc_result *r = NULL;
    civ_table_read_options ro = {0};
    static const char *text[] = {"unique_id", "name", "district", "street", NULL};
    ro.text_columns = text;
    tw0 = w0 = wall(), tc0 = c0 = cpu();
    lap("spec", civ_alloc_spec_read(argv[1], &spec));
    lap("read", civ_table_read(argv[2], &ro, &comm));
    lap("bind", civ_alloc_bind(spec, comm, NULL, &p));
    civ_table_free(comm); /* as the CLI does: the problem holds copies */
    comm = NULL;
    civ_status s = civ_alloc_result_create(p, &r);
    lap("solve", s ? s : civ_alloc_solve(p, r));
    w0 = wall(), c0 = cpu();
    lap("output", civ_alloc_result_write(p, r, explain, argv[3], NULL));
    s = civ_alloc_result_summary(p, r, &summary);
    lap("summary", s ? s : civ_table_write(summary, argv[4]));
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double total_s = wall() - tw0, total_cpu = cpu() - tc0;
    /* the solve again on the same result (as Monte Carlo and scenarios do),
     * after the phases so that their peak is the command's: the first
     * re-solve allocates the working memory again (the first solve released
     * it), the next ones reuse it: best of 5 of those, wall and thread CPU,
     * not counted in the phases */
    if (civ_alloc_solve(p, r))
        lap("resolve", 1);
    double best = 1e300, best_cpu = 1e300;
    for (int k = 0; k < 5; k++) {
        struct timespec a, b, ca, cb;
        clock_gettime(CLOCK_MONOTONIC, &a), clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ca);
        if (civ_alloc_solve(p, r))
            lap("resolve", 1);
        clock_gettime(CLOCK_MONOTONIC, &b), clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cb);
        double dw = (double)(b.tv_sec - a.tv_sec) + 1e-9 * (double)(b.tv_nsec - a.tv_nsec);
        double dc = (double)(cb.tv_sec - ca.tv_sec) + 1e-9 * (double)(cb.tv_nsec - ca.tv_nsec);
        best = dw < best ? dw : best;
        best_cpu = dc < best_cpu ? dc : best_cpu;
    }
    printf("resolve_best_s=%.4f resolve_best_cpu=%.4f ", best, best_cpu);
    printf("total_s=%.4f total_cpu=%.4f peak_rss_mb=%.0f\n", total_s, total_cpu, (double)ru.ru_maxrss / 1024);
    civ_table_free(summary);
    civ_alloc_result_free(r), civ_alloc_problem_free(p);
    civ_table_free(comm), civ_alloc_spec_free(spec);
    return 0;
}
