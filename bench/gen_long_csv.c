/*
 * gen_long_csv.c -- writes the benchmark's long-format panel CSV
 * deterministically: S series x T monthly periods of meal counts with one
 * covariate (aged60), about 0.5% missing y cells, rows sorted by series then
 * month as statsforecast users write them.  The same arguments always give
 * the same bytes (a fixed splitmix64 stream, no time or address input).
 *
 * usage: gen_long_csv OUT.csv [N_SERIES=50000] [N_PERIODS=200]
 * Default size: 50,000 x 200 = 10,000,000 rows (about 290 MB).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t state = 0x9E3779B97F4A7C15ULL;

static uint64_t splitmix64(void)
{
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: gen_long_csv OUT.csv [N_SERIES] [N_PERIODS]\n");
        return 1;
    }
    long n_series = argc > 2 ? atol(argv[2]) : 50000, n_periods = argc > 3 ? atol(argv[3]) : 200;
    if (n_series < 1 || n_periods < 1 || n_periods > 12 * 8000) {
        fprintf(stderr, "gen_long_csv: bad sizes\n");
        return 1;
    }
    FILE *fp = fopen(argv[1], "w");
    if (!fp) {
        perror(argv[1]);
        return 1;
    }
    setvbuf(fp, NULL, _IOFBF, 1 << 20);
    fputs("unique_id,ds,y,aged60\n", fp);
    for (long i = 0; i < n_series; i++) {
        long level = 50 + (long)(splitmix64() % 2000);
        long aged = 300 + (long)(splitmix64() % 3000);
        for (long t = 0; t < n_periods; t++) {
            long month = 2008 * 12 + t;
            uint64_t r = splitmix64();
            fprintf(fp, "C%06ld,%04ld-%02ld,", i + 1, month / 12, month % 12 + 1);
            if (r % 200 == 0) {
                /* missing */
            } else if ((r >> 8) % 10 == 0) {
                /* a share of services report averages with one or two decimals */
                fprintf(fp, "%ld.%ld", level + (long)((r >> 16) % 200) - 100, (long)((r >> 32) % 10));
            } else {
                fprintf(fp, "%ld", level + (long)((r >> 16) % 200) - 100);
            }
            fprintf(fp, ",%ld\n", aged + t / 12);
        }
    }
    if (fclose(fp) != 0) {
        perror(argv[1]);
        return 1;
    }
    return 0;
}
