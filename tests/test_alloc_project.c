/*
 * test_alloc_project.c -- the multi-year allocation projection
 * (engine/src/alloc/project.c): four communities over three years with a
 * demand factor and an attribute factor, floor, 90% hold-harmless and 15%
 * pace, and a standard indexed +10% a year.  Checks, against numbers
 * computed here: the indexed budgets (round half up) and floors (up), the
 * first year equal to a plain allocation, every year's history equal to the
 * year before (fund by fund), the pace and hold-harmless bounds against it,
 * each year's total exact, the demand of each year read from its own
 * months; and the errors (years out of range, a year the forecasts miss).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc_fixture.h"
#include "civicast.h"

static const char *SPEC =
    "version = \"p\"\n[budget]\ntotal = 10000.00\nfiscal_year = 2026\n"
    "[[reserve]]\nname = \"r\"\nshare = 0.05\n"
    "[[pool]]\nname = \"p\"\nshare = 1\nlast_year = \"ly\"\n"
    "[[formula]]\nname = \"main\"\nfloor = 1000.00\nhold_harmless = 0.9\npace = 0.15\n"
    "[[factor]]\nname = \"meals\"\nsource = \"forecast\"\nhorizon = 12\nweight = 0.5\n"
    "[[factor]]\nname = \"pop\"\nattribute = \"pop\"\nweight = 0.5\n"
    "[need]\nstandard_per_meal = 8.00\nindex_rate = 0.10\nbase_year = 2026\nyears = 3\n";

static const char *IDS[4] = {"A", "B", "C", "D"};

static civ_table *communities(void)
{
    civ_table *t = NULL;
    size_t c0, c1, c2;
    const double pop[4] = {100, 200, 300, 400}, ly[4] = {1500, 2000, 2500, 3000};
    assert_int_equal(civ_table_create(&t), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "unique_id", CIV_COLUMN_TEXT, &c0), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "pop", CIV_COLUMN_NUMBER, &c1), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "ly", CIV_COLUMN_NUMBER, &c2), CIV_OK);
    assert_int_equal(civ_table_add_rows(t, 4, NULL), CIV_OK);
    for (size_t i = 0; i < 4; i++) {
        civ_table_set_text(t, i, c0, IDS[i]);
        civ_table_set_number(t, i, c1, pop[i]);
        civ_table_set_number(t, i, c2, ly[i]);
    }
    return t;
}

/* Monthly forecasts 2026-01 .. (2026 + years_covered - 1)-12; community i's
 * demand grows fast for D (so that pace binds) and falls for A. */
static double demand(size_t i, int h) { return i == 3 ? 50 * pow(1.05, h) : i == 0 ? 80 * pow(0.97, h) : 60; }
static civ_table *forecasts(int years_covered)
{
    civ_table *t = NULL;
    size_t c[5];
    const char *names[5] = {"unique_id", "ds", "h", "model", "mean"};
    assert_int_equal(civ_table_create(&t), CIV_OK);
    for (int k = 0; k < 5; k++)
        assert_int_equal(civ_table_add_column(t, names[k], k == 0 || k == 1 || k == 3 ? CIV_COLUMN_TEXT
                                                                                       : CIV_COLUMN_NUMBER,
                                              &c[k]),
                         CIV_OK);
    int H = 12 * years_covered;
    assert_int_equal(civ_table_add_rows(t, (size_t)(4 * H), NULL), CIV_OK);
    for (size_t i = 0; i < 4; i++)
        for (int h = 1; h <= H; h++) {
            size_t r = i * (size_t)H + (size_t)h - 1;
            char ds[16];
            snprintf(ds, sizeof ds, "%d-%02d", 2026 + (h - 1) / 12, (h - 1) % 12 + 1);
            civ_table_set_text(t, r, c[0], IDS[i]);
            civ_table_set_text(t, r, c[1], ds);
            civ_table_set_number(t, r, c[2], h);
            civ_table_set_text(t, r, c[3], "m");
            civ_table_set_number(t, r, c[4], demand(i, h));
        }
    return t;
}

static void test_three_years(void **state)
{
    (void)state;
    civ_alloc_spec *spec = NULL;
    civ_alloc_need *need = NULL;
    assert_int_equal(civ_alloc_spec_parse(SPEC, strlen(SPEC), "p.spec", &spec), CIV_OK);
    assert_int_equal(civ_alloc_need_parse(SPEC, strlen(SPEC), "p.spec", &need), CIV_OK);
    civ_table *comm = communities(), *fc = forecasts(3), *out = NULL, *sum = NULL;
    if (civ_alloc_project(spec, comm, fc, need, 3, CIV_ALLOC_EXPLAIN_EN, &out, &sum))
        fail_msg("%s", civ_last_error_message());
    assert_int_equal(civ_table_n_rows(out), 12);
    /* the first year is the plain allocation */
    civ_table *plain = NULL;
    assert_int_equal(civ_alloc_run(spec, comm, fc, 0, &plain, NULL), CIV_OK);
    for (size_t i = 0; i < 4; i++)
        assert_true(af_cell(out, i, "amount_fen") == af_cell(plain, i, "amount_fen"));
    civ_table_free(plain);
    /* standards 800, 880, 968 fen: budgets 1,000,000 x 1, 1.1, 1.21; reserve ceil(5%) */
    const int64_t budget[3] = {1000000, 1100000, 1210000};
    for (int y = 0; y < 3; y++) {
        int64_t tot = 0;
        for (size_t i = 0; i < 4; i++) {
            size_t r = (size_t)y * 4 + i;
            assert_true(af_cell(out, r, "year") == 2026 + y);
            int64_t a = (int64_t)af_cell(out, r, "amount_fen");
            int64_t ly = (int64_t)af_cell(out, r, "last_year_p_fen");
            tot += a;
            /* history: the data's in the first year, then the year before's amount */
            assert_int_equal(ly, y == 0 ? (int64_t)(100 * (1500 + 500 * (double)i))
                                        : (int64_t)af_cell(out, r - 4, "amount_fen"));
            int64_t floor_y = (int64_t)ceil(100000.0 * budget[y] / 1000000.0);
            int64_t lo = (int64_t)ceil(0.9 * (double)ly - 1e-9), pace = (int64_t)floor(1.15 * (double)ly + 1e-9);
            lo = lo > floor_y ? lo : floor_y;
            assert_true(a >= lo);
            assert_true(a <= (pace > lo ? pace : lo));
        }
        assert_int_equal(tot, budget[y] - (budget[y] * 5 + 99) / 100);
    }
    /* D's demand grows 5% a month: pace binds it in some later year */
    size_t bind;
    assert_int_equal(civ_table_find_column(out, "binding", &bind), CIV_OK);
    int paced = 0;
    for (size_t r = 4; r < 12; r++)
        paced |= strstr(civ_table_text(out, r, bind), "pace") != NULL;
    assert_true(paced);
    /* the summary: index 1.21 in 2028 */
    int found = 0;
    for (size_t r = 0; r < civ_table_n_rows(sum); r++)
        if (civ_table_number(sum, r, 0) == 2028 && !strcmp(civ_table_text(sum, r, 1), "index")) {
            assert_true(fabs(civ_table_number(sum, r, 3) - 1.21) < 1e-12);
            found = 1;
        }
    assert_true(found);
    civ_table_free(out), civ_table_free(sum);
    /* errors: years out of range; forecasts that stop a year early */
    assert_int_equal(civ_alloc_project(spec, comm, fc, need, 0, 0, &out, NULL), CIV_ERR_INVALID_ARGUMENT);
    civ_table_free(fc);
    fc = forecasts(2);
    assert_int_equal(civ_alloc_project(spec, comm, fc, need, 3, 0, &out, NULL), CIV_ERR_NOT_FOUND);
    assert_null(out);
    assert_non_null(strstr(civ_last_error_message(), "projection year 2028: the forecasts have no period in 2028"));
    /* a need of two years, forecasts of two: the projection's third year has no demand, said so */
    civ_alloc_need *need2 = NULL;
    char spec2[2048];
    snprintf(spec2, sizeof spec2, "%.*syears = 2\n", (int)(strstr(SPEC, "years = 3") - SPEC), SPEC);
    assert_int_equal(civ_alloc_need_parse(spec2, strlen(spec2), "p.spec", &need2), CIV_OK);
    assert_int_equal(civ_alloc_project(spec, comm, fc, need2, 3, 0, &out, NULL), CIV_ERR_NOT_FOUND);
    assert_null(out);
    assert_non_null(strstr(civ_last_error_message(), "projection year 2028: the forecasts have no period in 2028"));
    civ_alloc_need_free(need2);
    civ_table_free(fc);
    /* the projection reads its own years' demand, not the [need] section's: a need of one year (2026) with
     * forecasts of three projects three years, as the need of three does (the year-end walk, 2026-12-05: a
     * projection from 2027 stopped at "no period in 2028" with forecasts through 2029, the demo's need being
     * 2025..2027) */
    fc = forecasts(3);
    snprintf(spec2, sizeof spec2, "%.*syears = 1\n", (int)(strstr(SPEC, "years = 3") - SPEC), SPEC);
    assert_int_equal(civ_alloc_need_parse(spec2, strlen(spec2), "p.spec", &need2), CIV_OK);
    civ_table *one = NULL, *three = NULL;
    if (civ_alloc_project(spec, comm, fc, need2, 3, 0, &one, NULL))
        fail_msg("%s", civ_last_error_message());
    assert_int_equal(civ_alloc_project(spec, comm, fc, need, 3, 0, &three, NULL), CIV_OK);
    assert_int_equal(civ_table_n_rows(one), 12);
    for (size_t r = 0; r < 12; r++)
        assert_true(af_cell(one, r, "amount_fen") == af_cell(three, r, "amount_fen"));
    civ_table_free(one), civ_table_free(three);
    civ_alloc_need_free(need2);
    civ_table_free(fc), civ_table_free(comm);
    civ_alloc_need_free(need), civ_alloc_spec_free(spec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_three_years)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
