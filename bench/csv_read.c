/*
 * csv_read.c -- benchmark of civ_panel_read_csv on a long-format file: best
 * wall time of R runs, peak resident memory, and the panel's own size
 * (values + covariate values + ids + offsets + starts), printed as one line
 * of key=value pairs for bench/csv.bench.sh.
 *
 * usage: csv_read FILE.csv [RUNS=3]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "civicast.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: csv_read FILE.csv [RUNS]\n");
        return 1;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 3;
    long baseline = peak_rss_kb();
    double best = 1e300;
    size_t panel_bytes = 0, n_series = 0, n_values = 0;
    for (int run = 0; run < runs; run++) {
        civ_panel *panel = NULL;
        double t0 = now();
        civ_status s = civ_panel_read_csv(argv[1], &panel);
        double dt = now() - t0;
        if (s) {
            fprintf(stderr, "csv_read: %s\n", civ_last_error_message());
            return 2;
        }
        if (dt < best)
            best = dt;
        const double *values;
        const size_t *offsets;
        civ_panel_values(panel, &values, &offsets);
        n_series = civ_panel_n_series(panel);
        n_values = offsets[n_series];
        panel_bytes = n_values * sizeof(double) + (n_series + 1) * sizeof(size_t) + n_series * sizeof(int64_t);
        for (size_t i = 0; i < n_series; i++) {
            panel_bytes += strlen(civ_panel_series_id(panel, i)) + 1;
            for (size_t k = 0; k < civ_panel_n_covariates(panel); k++) {
                size_t len = 0;
                civ_panel_covariate(panel, i, k, NULL, &len);
                panel_bytes += len * sizeof(double);
            }
        }
        civ_panel_free(panel);
    }
    printf("seconds=%.3f peak_rss_kb=%ld baseline_rss_kb=%ld panel_bytes=%zu series=%zu values=%zu\n", best,
           peak_rss_kb(), baseline, panel_bytes, n_series, n_values);
    return 0;
}
