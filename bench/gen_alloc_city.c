/*
 * gen_alloc_city.c -- bench helper (no civicast code): writes a synthetic
 * city of N communities (default one million) shaped like
 * datasets/demo_city/communities.csv, and an allocation spec that uses every
 * rule kind: two reserves, a fixed-amount pool and two share pools, an
 * earmarked pool (eligible_attribute), two formulas, six factors (one with a
 * coefficient, one performance factor), an aging tilt, a floor, a cap share,
 * 85% hold-harmless, a pace limit of +20% and rounding to the fen.  The
 * budget is set from last year's total so that floors, caps, hold-harmless
 * and pace all bind for some communities.  Deterministic (xorshift64*).
 * Writes PREFIX.csv and PREFIX.spec.  Used by bench/alloc_cli.bench.sh.
 * usage: gen_alloc_city N PREFIX
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static double urand(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 0x2545F4914F6CDD1Dull) >> 11) / 9007199254740992.0;
}

static const char *SPEC =
    "# written by bench/gen_alloc_city.c: every rule kind of docs/ALLOCATION.md\n"
    "version = \"bench-city-1\"\n"
    "[budget]\ntotal = %lld.%02lld\nfiscal_year = 2026\n"
    "[data]\ndistrict = \"district\"\npopulation = \"population_resident\"\naged = \"aged60_resident\"\n"
    "last_year = \"last_year_funding\"\n"
    "[[reserve]]\nname = \"emergency\"\nshare = 0.05\n"
    "[[reserve]]\nname = \"risk\"\nshare = 0.03\n"
    "[[pool]]\nname = \"eldercare\"\namount = %lld.%02lld\nformula = \"main\"\n"
    "[[pool]]\nname = \"health\"\nshare = 0.8\nformula = \"main\"\n"
    "[[pool]]\nname = \"migrant\"\nshare = 0.2\nformula = \"migrant\"\n"
    "eligible_attribute = \"migrant_share\"\neligible_min = 0.5\n"
    "[[formula]]\nname = \"main\"\nfloor = 40_000.00\ncap_share = %.6g\nhold_harmless = 0.85\npace = 0.20\n"
    "last_year = \"last_year_funding\"\n"
    "[[formula]]\nname = \"migrant\"\ncap_share = %.6g\n"
    "[[factor]]\nname = \"population\"\nformula = \"main\"\nattribute = \"population_resident\"\n"
    "coefficient = \"fiscal_difficulty\"\nweight = 0.25\n"
    "[[factor]]\nname = \"aged60\"\nformula = \"main\"\nattribute = \"aged60_resident\"\nweight = 0.35\n"
    "[[factor]]\nname = \"migrants\"\nformula = \"main\"\nattribute = \"migrant_count\"\nweight = 0.10\n"
    "[[factor]]\nname = \"area\"\nformula = \"main\"\nattribute = \"area_km2\"\nweight = 0.05\n"
    "[[factor]]\nname = \"service_points\"\nformula = \"main\"\nattribute = \"service_points\"\nweight = 0.10\n"
    "[[factor]]\nname = \"performance\"\nformula = \"main\"\nkind = \"performance\"\n"
    "attribute = \"performance_score\"\nweight = 0.15\n"
    "[[factor]]\nname = \"migrant_count\"\nformula = \"migrant\"\nattribute = \"migrant_count\"\nweight = 1.0\n"
    "[[tilt]]\nname = \"aging\"\nformula = \"main\"\nattribute = \"aged60_share\"\nabove = 0.25\nmultiplier = 1.2\n";

int main(int argc, char **argv)
{
    if (argc != 3)
        return fprintf(stderr, "usage: gen_alloc_city N PREFIX\n"), 2;
    long long n = atoll(argv[1]);
    if (n < 100)
        return fprintf(stderr, "gen_alloc_city: N must be >= 100\n"), 2;
    char path[4096];
    snprintf(path, sizeof path, "%s.csv", argv[2]);
    FILE *fp = fopen(path, "w");
    if (!fp)
        return fprintf(stderr, "gen_alloc_city: cannot write %s\n", path), 1;
    fputs("unique_id,name,district,street,population_resident,aged60_resident,aged60_share,migrant_count,"
          "migrant_share,area_km2,fiscal_difficulty,performance_score,last_year_funding,service_points\n",
          fp);
    long long last_fen = 0; /* last year's total, fen */
    long long n_migrant = 0;
    for (long long i = 0; i < n; i++) {
        long pop = 300 + (long)(4000 * urand() * urand() + 2500 * urand());
        double share = 0.08 + 0.35 * urand();
        long aged = (long)((double)pop * share);
        double mshare = urand() < 0.1 ? 0.5 + 0.4 * urand() : 0.45 * urand();
        long migrants = (long)((double)pop * mshare);
        n_migrant += mshare >= 0.5;
        double area = 0.01 + 5 * urand() * urand();
        double difficulty = 0.8 + 0.5 * urand();
        double perf = (double)(long)(600 + 400 * urand()) / 10.0;
        long long ly = (long long)(2500.0 * (double)pop * (0.85 + 0.3 * urand())); /* fen */
        last_fen += ly;
        long d = (long)(i % 97), s = (long)(i % 1031);
        fprintf(fp, "C%08lld,社区%lld,区%02ld,街道%04ld,%ld,%ld,%.6f,%ld,%.6f,%.3f,%.3f,%.1f,%lld.%02lld,%ld\n", i,
                i, d, s, pop, aged, (double)aged / (double)pop, migrants, (double)migrants / (double)pop, area,
                difficulty, perf, ly / 100, ly % 100, 1 + (long)(4 * urand() * urand()));
    }
    if (fclose(fp))
        return fprintf(stderr, "gen_alloc_city: cannot write %s\n", path), 1;
    /* total = 1.25 x last year; the fixed eldercare pool half of it: the main
     * fund is then about 1.045 x last year's total, so hold-harmless (85%),
     * pace (+20%), the floor and the cap all bind somewhere. */
    long long total = last_fen / 100 * 125, eldercare = total / 2; /* fen, whole yuan */
    snprintf(path, sizeof path, "%s.spec", argv[2]);
    fp = fopen(path, "w");
    if (!fp)
        return fprintf(stderr, "gen_alloc_city: cannot write %s\n", path), 1;
    fprintf(fp, SPEC, total / 100, total % 100, eldercare / 100, eldercare % 100, 2.5 / (double)n,
            20.0 / (double)(n_migrant ? n_migrant : 1));
    if (fclose(fp))
        return fprintf(stderr, "gen_alloc_city: cannot write %s\n", path), 1;
    return 0;
}
