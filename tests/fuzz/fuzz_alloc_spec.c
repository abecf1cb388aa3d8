/*
 * fuzz_alloc_spec.c -- libFuzzer harness of the allocation spec reader (the
 * TOML subset of engine/src/io/toml.c and the validation of
 * engine/src/alloc/spec.c) and of the [need] reader (alloc/need.c).
 *
 * A spec that parses is also bound to a fixed six-community table (the demo
 * city's column names, so mutated demo specs resolve their attributes) and a
 * small forecasts table, and solved.  Oracles:
 *  - every status is one of the list, and a failed call leaves *out NULL;
 *  - money is conserved exactly: sum of amounts = total - reserves, and the
 *    reserves are those the spec names (docs/ALLOCATION.md, "Rounding").
 */
#include "fuzz_common.h"

#include <math.h>

#define FUZZ_N_COMMUNITIES 6

static civ_table *fuzz_alloc_table(const char *const *cols, const double *const *values, size_t n_cols,
                                   const char *const *ids, size_t n_rows, const char *const *text_cols,
                                   const char *const *const *text_values, size_t n_text)
{
    civ_table *t = NULL;
    if (civ_table_create(&t) != CIV_OK)
        return NULL;
    civ_table_add_rows(t, n_rows, NULL);
    size_t k;
    civ_table_add_column(t, "unique_id", CIV_COLUMN_TEXT, &k);
    for (size_t r = 0; r < n_rows; r++)
        civ_table_set_text(t, r, k, ids[r]);
    for (size_t c = 0; c < n_text; c++) {
        civ_table_add_column(t, text_cols[c], CIV_COLUMN_TEXT, &k);
        for (size_t r = 0; r < n_rows; r++)
            civ_table_set_text(t, r, k, text_values[c][r]);
    }
    for (size_t c = 0; c < n_cols; c++) {
        civ_table_add_column(t, cols[c], CIV_COLUMN_NUMBER, &k);
        for (size_t r = 0; r < n_rows; r++)
            civ_table_set_number(t, r, k, values[c][r]);
    }
    return t;
}

/* The fixed data every parsed spec is bound to (built once per process). */
static civ_table *fuzz_communities, *fuzz_forecasts;

static void fuzz_alloc_data(void)
{
    if (fuzz_communities)
        return;
    static const char *ids[FUZZ_N_COMMUNITIES] = {"C1", "C2", "C3", "C4", "C5", "C6"};
    static const char *districts[FUZZ_N_COMMUNITIES] = {"east", "east", "west", "west", "west", "north"};
    static const char *const *text_values[] = {districts};
    static const char *text_cols[] = {"district"};
    static const double pop[] = {3597, 2731, 5120, 880, 12000, 4500};
    static const double aged[] = {1166, 893, 1400, 300, 2100, 900};
    static const double aged_share[] = {0.32, 0.33, 0.27, 0.34, 0.18, 0.2};
    static const double migr[] = {614, 558, 2900, 20, 7000, 0};
    static const double migr_share[] = {0.17, 0.2, 0.57, 0.02, 0.58, 0};
    static const double area[] = {0.096, 0.076, 1.3, 0.2, 4.5, 0.9};
    static const double difficulty[] = {0.8, 0.8, 1.1, 1.3, 0.6, 1.0};
    static const double perf[] = {78.5, 67.1, 90, 55, 71, 80};
    static const double last[] = {148500, 151500, 300000, 90000, 420000, 200000};
    static const double points[] = {2, 3, 5, 1, 8, 2};
    static const char *cols[] = {"population_resident", "aged60_resident", "aged60_share", "migrant_count",
                                 "migrant_share", "area_km2", "fiscal_difficulty", "performance_score",
                                 "last_year_funding", "service_points"};
    static const double *vals[] = {pop, aged, aged_share, migr, migr_share, area, difficulty, perf, last, points};
    fuzz_communities = fuzz_alloc_table(cols, vals, 10, ids, FUZZ_N_COMMUNITIES, text_cols, text_values, 1);

    /* Forecasts: 12 monthly steps per community, mean with 80% bounds. */
    enum { H = 12 };
    static const char *fids[FUZZ_N_COMMUNITIES * H], *fds[FUZZ_N_COMMUNITIES * H], *fmodel[FUZZ_N_COMMUNITIES * H];
    static char ds_text[H][8];
    static double h[FUZZ_N_COMMUNITIES * H], mean[FUZZ_N_COMMUNITIES * H], lo[FUZZ_N_COMMUNITIES * H],
        hi[FUZZ_N_COMMUNITIES * H];
    for (int s = 0; s < H; s++)
        snprintf(ds_text[s], sizeof ds_text[s], "2026-%02d", s + 1);
    for (int i = 0; i < FUZZ_N_COMMUNITIES; i++)
        for (int s = 0; s < H; s++) {
            int r = i * H + s;
            fids[r] = ids[i];
            fds[r] = ds_text[s];
            fmodel[r] = "ETS(A,N,N)";
            h[r] = s + 1;
            mean[r] = 100.0 * (i + 1) + 3 * s;
            lo[r] = mean[r] * 0.8;
            hi[r] = mean[r] * 1.2;
        }
    static const char *const *ftext[] = {fds, fmodel};
    static const char *ftext_cols[] = {"ds", "model"};
    static const char *fcols[] = {"h", "mean", "lo-80", "hi-80"};
    const double *fvals[] = {h, mean, lo, hi};
    fuzz_forecasts = fuzz_alloc_table(fcols, fvals, 4, fids, FUZZ_N_COMMUNITIES * H, ftext_cols, ftext, 2);
}

static void fuzz_alloc_solve(const civ_alloc_spec *spec)
{
    civ_alloc_problem *problem = NULL;
    civ_status s = civ_alloc_bind(spec, fuzz_communities, fuzz_forecasts, &problem);
    FUZZ_CHECK(s >= CIV_OK && s < CIV_STATUS_COUNT_);
    if (s != CIV_OK) {
        FUZZ_CHECK(problem == NULL);
        return;
    }
    civ_alloc_result *result = NULL;
    FUZZ_CHECK(civ_alloc_result_create(problem, &result) == CIV_OK);
    s = civ_alloc_solve(problem, result);
    FUZZ_CHECK(s >= CIV_OK && s < CIV_STATUS_COUNT_);
    if (s == CIV_OK) {
        size_t n = civ_alloc_problem_n_communities(problem);
        int64_t amounts[FUZZ_N_COMMUNITIES];
        FUZZ_CHECK(n == FUZZ_N_COMMUNITIES);
        FUZZ_CHECK(civ_alloc_result_amounts(problem, result, amounts, n) == CIV_OK);
        int64_t sum = 0, reserves = 0;
        for (size_t i = 0; i < n; i++) {
            FUZZ_CHECK(amounts[i] >= 0);
            sum += amounts[i];
        }
        for (size_t r = 0; r < civ_alloc_spec_n_reserves(spec); r++)
            reserves += civ_alloc_spec_reserve_amount(spec, r);
        civ_alloc_stats st;
        FUZZ_CHECK(civ_alloc_result_stats(problem, result, &st) == CIV_OK);
        FUZZ_CHECK(st.total == civ_alloc_spec_total(spec));
        FUZZ_CHECK(st.reserved == reserves);
        FUZZ_CHECK(sum + reserves == civ_alloc_spec_total(spec));
        civ_table *tab = NULL, *summary = NULL;
        FUZZ_CHECK(civ_alloc_result_table(problem, result, 1, &tab) == CIV_OK);
        FUZZ_CHECK(civ_alloc_result_summary(problem, result, &summary) == CIV_OK);
        civ_table_free(tab);
        civ_table_free(summary);
    }
    civ_alloc_result_free(result);
    civ_alloc_problem_free(problem);
}

static int fuzz_alloc_spec(const uint8_t *data, size_t size)
{
    fuzz_alloc_data();
    civ_alloc_spec *spec = NULL;
    civ_status s = civ_alloc_spec_parse((const char *)data, size, "fuzz.spec", &spec);
    FUZZ_CHECK(s >= CIV_OK && s < CIV_STATUS_COUNT_);
    if (s == CIV_OK) {
        FUZZ_CHECK(spec != NULL);
        fuzz_alloc_solve(spec);
    } else {
        FUZZ_CHECK(spec == NULL);
    }
    civ_alloc_spec_free(spec);

    civ_alloc_need *need = NULL;
    s = civ_alloc_need_parse((const char *)data, size, "fuzz.spec", &need);
    FUZZ_CHECK(s >= CIV_OK && s < CIV_STATUS_COUNT_);
    if (s == CIV_OK) {
        civ_table *pc = NULL, *py = NULL;
        s = civ_alloc_need_project(need, fuzz_forecasts, &pc, &py);
        FUZZ_CHECK(s >= CIV_OK && s < CIV_STATUS_COUNT_);
        civ_table_free(pc);
        civ_table_free(py);
    }
    civ_alloc_need_free(need);
    return 0;
}

#ifndef CIV_FUZZ_NO_ENTRY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_alloc_spec(data, size);
}
#endif
