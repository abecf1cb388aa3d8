/*
 * alloc_phases.c -- bench: the phases of `civicast allocate --explain
 * --summary` timed one by one through the public API (the same calls, in the
 * same order, as engine/cli/cmd_allocate.c): read the communities CSV, bind
 * the spec, solve, build the allocation table (with explanations), build the
 * summary, write both CSVs.  Prints one line of key=value pairs:
 * <phase>_s (wall seconds) and <phase>_cpu (process CPU seconds, all
 * threads) for read, bind, solve, table, summary, write; total_s, total_cpu.
 * usage: alloc_phases SPEC COMMUNITIES.csv OUT.csv SUMMARY.csv
 */
#include <stdio.h>
#include <stdlib.h>
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
    printf("%s_s=%.4f %s_cpu=%.4f ", phase, w - w0, phase, c - c0);
    w0 = w, c0 = c;
}

int main(int argc, char **argv)
{
    if (argc != 5)
        return fprintf(stderr, "usage: alloc_phases SPEC COMMUNITIES.csv OUT.csv SUMMARY.csv\n"), 2;
    civ_alloc_spec *spec = NULL;
    civ_table *comm = NULL, *alloc = NULL, *summary = NULL;
    civ_alloc_problem *p = NULL;
    civ_alloc_result *r = NULL;
    civ_table_read_options ro = {0};
    static const char *text[] = {"unique_id", "name", "district", "street", NULL};
    ro.text_columns = text;
    tw0 = w0 = wall(), tc0 = c0 = cpu();
    lap("spec", civ_alloc_spec_read(argv[1], &spec));
    lap("read", civ_table_read(argv[2], &ro, &comm));
    lap("bind", civ_alloc_bind(spec, comm, NULL, &p));
    civ_status s = civ_alloc_result_create(p, &r);
    lap("solve", s ? s : civ_alloc_solve(p, r));
    lap("table", civ_alloc_result_table(p, r, 1, &alloc));
    lap("summary", civ_alloc_result_summary(p, r, &summary));
    s = civ_table_write(alloc, argv[3]);
    lap("write", s ? s : civ_table_write(summary, argv[4]));
    printf("total_s=%.4f total_cpu=%.4f\n", wall() - tw0, cpu() - tc0);
    civ_table_free(alloc), civ_table_free(summary);
    civ_alloc_result_free(r), civ_alloc_problem_free(p);
    civ_table_free(comm), civ_alloc_spec_free(spec);
    return 0;
}
