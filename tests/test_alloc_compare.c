/*
 * test_alloc_compare.c -- scenarios (engine/src/alloc/compare.c): a
 * hand-computed three-community case whose waterfall (tilt, floor,
 * rebalance) is worked out in the comments, the comparison table (change,
 * outcome), the identity base + effects = amount per community, per district
 * and in total, the rounding effect of a case with remainders, the earmark
 * step of a spec with an earmarked pool (worked out by hand), and the
 * argument errors.
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

#include "alloc.h"
#include "alloc_fixture.h"

/* unique_id, district, pop, flag */
static civ_table *communities(size_t n, const char *const *ids, const char *const *districts, const double *pop,
                              const double *flag)
{
    civ_table *t = NULL;
    size_t ci, cd, cp, cf;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "unique_id", CIV_COLUMN_TEXT, &ci), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "district", CIV_COLUMN_TEXT, &cd), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "pop", CIV_COLUMN_NUMBER, &cp), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "flag", CIV_COLUMN_NUMBER, &cf), CIV_OK);
    assert_int_equal(civ_table_add_rows(t, n, NULL), CIV_OK);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(civ_table_set_text(t, i, ci, ids[i]), CIV_OK);
        assert_int_equal(civ_table_set_text(t, i, cd, districts[i]), CIV_OK);
        assert_int_equal(civ_table_set_number(t, i, cp, pop[i]), CIV_OK);
        assert_int_equal(civ_table_set_number(t, i, cf, flag[i]), CIV_OK);
    }
    return t;
}

static const char *SPEC_RULES = "version = \"rules\"\n"
                                "[budget]\ntotal = 1000.00\nfiscal_year = 2026\n[[pool]]\nname = \"p\"\nshare = 1.0\n"
                                "[[formula]]\nname = \"main\"\nfloor = 300.00\n"
                                "[[factor]]\nname = \"pop\"\nattribute = \"pop\"\nweight = 1.0\n"
                                "[[tilt]]\nname = \"t\"\nattribute = \"flag\"\nabove = 0.5\nmultiplier = 2.0\n";
static const char *SPEC_PLAIN = "version = \"plain\"\n"
                                "[budget]\ntotal = 1000.00\nfiscal_year = 2026\n[[pool]]\nname = \"p\"\nshare = 1.0\n"
                                "[[factor]]\nname = \"pop\"\nattribute = \"pop\"\nweight = 1.0\n";

/* Rows C, A, B (input order is not id order, on purpose).  Fund 100,000 fen,
 * populations A 100, B 300, C 600, A tilted x2, floor 30,000:
 *   base   = 10,000        30,000        60,000
 *   tilted = 100000*200/1100 = 18,181.82, 27,272.73, 54,545.45
 *   A and B are below the floor; C takes the rest: lambda = 40000/600, and
 *   A (13,333) and B (20,000) at that lambda stay below 30,000: consistent.
 *   final  = 30,000        30,000        40,000
 * effects: A tilt +8,181.82, floor +11,818.18; B tilt -2,727.27, floor
 * +2,727.27; C tilt -5,454.55, rebalance -14,545.45. */
static void test_hand_computed(void **state)
{
    (void)state;
    const char *ids[] = {"C", "A", "B"}, *dist[] = {"Y", "X", "X"};
    double pop[] = {600, 100, 300}, flag[] = {0, 1, 0};
    civ_table *comm = communities(3, ids, dist, pop, flag);
    civ_alloc_spec *s1 = af_spec_of(SPEC_RULES), *s2 = af_spec_of(SPEC_PLAIN);
    const civ_alloc_spec *specs[] = {s1, s2};
    const char *labels[] = {"rules", "plain"};
    civ_alloc_compare *c = NULL;
    assert_int_equal(civ_alloc_compare_run(specs, labels, 2, comm, NULL, &c), CIV_OK);
    assert_int_equal(civ_alloc_compare_n_specs(c), 2);
    assert_int_equal(civ_alloc_compare_n_communities(c), 3);
    assert_string_equal(civ_alloc_compare_label(c, 1), "plain");

    int64_t a[3];
    assert_int_equal(civ_alloc_compare_amounts(c, 0, a, 3), CIV_OK);
    assert_true(a[0] == 40000 && a[1] == 30000 && a[2] == 30000);
    assert_int_equal(civ_alloc_compare_amounts(c, 1, a, 3), CIV_OK);
    assert_true(a[0] == 60000 && a[1] == 10000 && a[2] == 30000);

    double v[3];
    assert_int_equal(civ_alloc_compare_effect(c, 0, CIV_ALLOC_EFFECT_COUNT, v, 3), CIV_OK); /* base */
    assert_true(fabs(v[0] - 60000) < 1e-6 && fabs(v[1] - 10000) < 1e-6 && fabs(v[2] - 30000) < 1e-6);
    assert_int_equal(civ_alloc_compare_effect(c, 0, CIV_ALLOC_EFFECT_TILT, v, 3), CIV_OK);
    assert_true(fabs(v[1] - (200e5 / 1100 - 10000)) < 1e-6);
    assert_true(fabs(v[2] - (300e5 / 1100 - 30000)) < 1e-6);
    assert_true(fabs(v[0] - (600e5 / 1100 - 60000)) < 1e-6);
    assert_int_equal(civ_alloc_compare_effect(c, 0, CIV_ALLOC_EFFECT_FLOOR, v, 3), CIV_OK);
    assert_true(fabs(v[1] - (30000 - 200e5 / 1100)) < 1e-6);
    assert_true(fabs(v[2] - (30000 - 300e5 / 1100)) < 1e-6);
    assert_true(v[0] == 0);
    assert_int_equal(civ_alloc_compare_effect(c, 0, CIV_ALLOC_EFFECT_REBALANCE, v, 3), CIV_OK);
    assert_true(fabs(v[0] - (40000 - 600e5 / 1100)) < 1e-6 && v[1] == 0 && v[2] == 0);
    assert_int_equal(civ_alloc_compare_effect(c, 0, CIV_ALLOC_EFFECT_CAP, v, 3), CIV_OK);
    assert_true(v[0] == 0 && v[1] == 0 && v[2] == 0);
    /* the plain spec moves nothing */
    for (int e = 0; e < CIV_ALLOC_EFFECT_COUNT; e++) {
        assert_int_equal(civ_alloc_compare_effect(c, 1, (civ_alloc_effect)e, v, 3), CIV_OK);
        assert_true(fabs(v[0]) < 1e-9 && fabs(v[1]) < 1e-9 && fabs(v[2]) < 1e-9);
    }

    /* the comparison table */
    civ_table *t = NULL;
    size_t col;
    assert_int_equal(civ_alloc_compare_table(c, &t), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "change_plain", &col), CIV_OK);
    assert_true(civ_table_number(t, 0, col) == 20000 && civ_table_number(t, 1, col) == -20000 &&
                civ_table_number(t, 2, col) == 0);
    assert_int_equal(civ_table_find_column(t, "outcome_plain", &col), CIV_OK);
    assert_string_equal(civ_table_text(t, 0, col), "gains");
    assert_string_equal(civ_table_text(t, 1, col), "loses");
    assert_string_equal(civ_table_text(t, 2, col), "same");
    assert_int_equal(civ_table_find_column(t, "change_pct_plain", &col), CIV_OK);
    assert_true(fabs(civ_table_number(t, 1, col) + 100.0 * 20000 / 30000) < 1e-9);
    assert_int_equal(civ_table_find_column(t, "amount_rules", &col), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "unique_id", &col), CIV_OK);
    assert_string_equal(civ_table_text(t, 0, col), "C");
    civ_table_free(t);

    /* the waterfall: total, gained, lost, then districts X and Y, per spec */
    assert_int_equal(civ_alloc_compare_waterfall(c, &t), CIV_OK);
    assert_int_equal(civ_table_n_rows(t), 10);
    size_t cscope, cname, cbase, camount, cfloor, ctilt, creb, ccount;
    assert_int_equal(civ_table_find_column(t, "scope", &cscope), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "name", &cname), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "base", &cbase), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "amount", &camount), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "floor", &cfloor), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "tilt", &ctilt), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "rebalance", &creb), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "communities", &ccount), CIV_OK);
    assert_string_equal(civ_table_text(t, 0, cscope), "total");
    assert_true(fabs(civ_table_number(t, 0, cfloor) - (60000 - 500e5 / 1100)) < 1e-6);
    assert_true(fabs(civ_table_number(t, 0, creb) - (40000 - 600e5 / 1100)) < 1e-6);
    assert_true(fabs(civ_table_number(t, 0, ctilt)) < 1e-6);
    assert_true(civ_table_number(t, 0, camount) == 100000);
    assert_string_equal(civ_table_text(t, 1, cscope), "gained");
    assert_true(fabs(civ_table_number(t, 1, ctilt) - (200e5 / 1100 - 10000)) < 1e-6);
    assert_true(civ_table_number(t, 1, ccount) == 1); /* A gains, B nets 0 (tilt and floor cancel), C loses */
    assert_string_equal(civ_table_text(t, 2, cscope), "lost");
    assert_true(fabs(civ_table_number(t, 2, ctilt) + (200e5 / 1100 - 10000)) < 1e-6);
    assert_string_equal(civ_table_text(t, 3, cname), "X");
    assert_true(fabs(civ_table_number(t, 3, cbase) - 40000) < 1e-6 && civ_table_number(t, 3, camount) == 60000);
    assert_true(fabs(civ_table_number(t, 3, ctilt) - (500e5 / 1100 - 40000)) < 1e-6);
    /* every net row adds up: base + the effects = amount */
    for (size_t r = 0; r < civ_table_n_rows(t); r++) {
        const char *scope = civ_table_text(t, r, cscope);
        if (!strcmp(scope, "gained") || !strcmp(scope, "lost"))
            continue;
        double sum = civ_table_number(t, r, cbase);
        for (int e = 0; e < CIV_ALLOC_EFFECT_COUNT; e++) {
            size_t ce;
            assert_int_equal(civ_table_find_column(t, civ_alloc_effect_name((civ_alloc_effect)e), &ce), CIV_OK);
            sum += civ_table_number(t, r, ce);
        }
        assert_true(fabs(sum - civ_table_number(t, r, camount)) < 1e-6);
    }
    civ_table_free(t);
    civ_alloc_compare_free(c);

    /* default labels */
    assert_int_equal(civ_alloc_compare_run(specs, NULL, 2, comm, NULL, &c), CIV_OK);
    assert_string_equal(civ_alloc_compare_label(c, 0), "s1");
    civ_alloc_compare_free(c);
    civ_alloc_spec_free(s1), civ_alloc_spec_free(s2);
    civ_table_free(comm);
}

/* Three equal communities share 100 fen: 33.33 each; the largest remainder
 * gives the last fen to the lowest id, so rounding is +2/3, -1/3, -1/3, and
 * the per-community identity holds to the fen. */
static void test_rounding_effect(void **state)
{
    (void)state;
    const char *ids[] = {"b", "a", "c"}, *dist[] = {"D", "D", "D"};
    double pop[] = {1, 1, 1}, flag[] = {0, 0, 0};
    civ_table *comm = communities(3, ids, dist, pop, flag);
    civ_alloc_spec *s =
        af_spec_of("version = \"r\"\n[budget]\ntotal = 1.00\nfiscal_year = 2026\n[[pool]]\nname = \"p\"\nshare = 1.0\n"
                   "[[factor]]\nname = \"pop\"\nattribute = \"pop\"\nweight = 1.0\n");
    const civ_alloc_spec *specs[] = {s, s};
    civ_alloc_compare *c = NULL;
    assert_int_equal(civ_alloc_compare_run(specs, NULL, 2, comm, NULL, &c), CIV_OK);
    int64_t a[3];
    double r[3], b[3];
    assert_int_equal(civ_alloc_compare_amounts(c, 0, a, 3), CIV_OK);
    assert_true(a[0] == 33 && a[1] == 34 && a[2] == 33);
    assert_int_equal(civ_alloc_compare_effect(c, 0, CIV_ALLOC_EFFECT_ROUNDING, r, 3), CIV_OK);
    assert_int_equal(civ_alloc_compare_effect(c, 0, CIV_ALLOC_EFFECT_COUNT, b, 3), CIV_OK);
    assert_true(fabs(r[1] - 2.0 / 3) < 1e-9 && fabs(r[0] + 1.0 / 3) < 1e-9);
    for (int i = 0; i < 3; i++) {
        double sum = b[i];
        for (int e = 0; e < CIV_ALLOC_EFFECT_COUNT; e++) {
            double v[3];
            assert_int_equal(civ_alloc_compare_effect(c, 0, (civ_alloc_effect)e, v, 3), CIV_OK);
            sum += v[i];
        }
        assert_true(fabs(sum - (double)a[i]) < 1e-9);
    }
    civ_table *t = NULL;
    assert_int_equal(civ_alloc_compare_table(c, &t), CIV_OK);
    size_t col;
    assert_int_equal(civ_table_find_column(t, "outcome_s2", &col), CIV_OK);
    assert_string_equal(civ_table_text(t, 0, col), "same");
    civ_table_free(t);
    civ_alloc_compare_free(c);
    civ_alloc_spec_free(s);
    civ_table_free(comm);
}

/* A general pool of 80,000 fen and a pool of 20,000 earmarked to the flagged
 * communities (A and C), one formula: population, a x2 tilt on the flag.
 * Populations A 100, B 300, C 600 (rows C, A, B).
 *   general base   = 8,000 / 24,000 / 48,000 (the waterfall's base)
 *   general tilted = 80000 x 200, 300, 1200 / 1700
 *   earmark base   = 20000 x 100 / 700, 0, 20000 x 600 / 700 (the earmark step)
 *   earmark tilted = the same (both members tilted alike: no tilt effect)
 * Rounding (largest remainder): general 9,412 / 14,118 / 56,470, earmark
 * 2,857 / 0 / 17,143, so amounts 12,269 / 14,118 / 73,613. */
static const char *SPEC_EARMARK =
    "version = \"earmark\"\n[budget]\ntotal = 1000.00\nfiscal_year = 2026\n"
    "[[pool]]\nname = \"general\"\nshare = 0.8\n"
    "[[pool]]\nname = \"migrant\"\nshare = 0.2\neligible_attribute = \"flag\"\neligible_min = 0.5\n"
    "[[factor]]\nname = \"pop\"\nattribute = \"pop\"\nweight = 1.0\n"
    "[[tilt]]\nname = \"t\"\nattribute = \"flag\"\nabove = 0.5\nmultiplier = 2.0\n";

static void test_earmark_step(void **state)
{
    (void)state;
    const char *ids[] = {"C", "A", "B"}, *dist[] = {"Y", "X", "X"};
    double pop[] = {600, 100, 300}, flag[] = {1, 1, 0};
    civ_table *comm = communities(3, ids, dist, pop, flag);
    civ_alloc_spec *s1 = af_spec_of(SPEC_EARMARK), *s2 = af_spec_of(SPEC_PLAIN);
    const civ_alloc_spec *specs[] = {s1, s2};
    civ_alloc_compare *c = NULL;
    assert_int_equal(civ_alloc_compare_run(specs, NULL, 2, comm, NULL, &c), CIV_OK);
    int64_t a[3];
    assert_int_equal(civ_alloc_compare_amounts(c, 0, a, 3), CIV_OK);
    assert_true(a[0] == 73613 && a[1] == 12269 && a[2] == 14118);

    /* rows C, A, B */
    const double base[] = {48000, 8000, 24000}, earmark[] = {20000.0 * 600 / 700, 20000.0 * 100 / 700, 0},
                 tilt[] = {80000.0 * 1200 / 1700 - 48000, 80000.0 * 200 / 1700 - 8000, 80000.0 * 300 / 1700 - 24000};
    double b[3], e[3], t[3], sum[3];
    assert_int_equal(civ_alloc_compare_effect(c, 0, CIV_ALLOC_EFFECT_COUNT, b, 3), CIV_OK);
    assert_int_equal(civ_alloc_compare_effect(c, 0, CIV_ALLOC_EFFECT_EARMARK, e, 3), CIV_OK);
    assert_int_equal(civ_alloc_compare_effect(c, 0, CIV_ALLOC_EFFECT_TILT, t, 3), CIV_OK);
    for (int i = 0; i < 3; i++) {
        assert_true(fabs(b[i] - base[i]) < 1e-6);
        assert_true(fabs(e[i] - earmark[i]) < 1e-6);
        assert_true(fabs(t[i] - tilt[i]) < 1e-6);
        sum[i] = b[i];
    }
    assert_true(e[2] == 0); /* B is not eligible for the earmark */
    /* the earmark step is exactly the earmarked fund's share of stage BASE:
     * base + earmark = stage BASE of a direct solve */
    civ_alloc_problem *p = NULL;
    civ_alloc_result *r = NULL;
    assert_int_equal(civ_alloc_bind(s1, comm, NULL, &p), CIV_OK);
    assert_int_equal(civ_alloc_result_create(p, &r), CIV_OK);
    assert_int_equal(civ_alloc_solve(p, r), CIV_OK);
    double stage[3];
    assert_int_equal(civ_alloc_result_stage(p, r, CIV_ALLOC_STAGE_BASE, stage, 3), CIV_OK);
    for (int i = 0; i < 3; i++)
        assert_true(fabs(b[i] + e[i] - stage[i]) < 1e-9);
    civ_alloc_result_free(r), civ_alloc_problem_free(p);
    /* the identity per community: base + the nine effects = amount */
    for (int k = 0; k < CIV_ALLOC_EFFECT_COUNT; k++) {
        double v[3];
        assert_int_equal(civ_alloc_compare_effect(c, 0, (civ_alloc_effect)k, v, 3), CIV_OK);
        for (int i = 0; i < 3; i++)
            sum[i] += v[i];
    }
    for (int i = 0; i < 3; i++)
        assert_true(fabs(sum[i] - (double)a[i]) < 1e-6);
    /* a spec with no earmark has an earmark step of 0 and its whole BASE as base */
    assert_int_equal(civ_alloc_compare_effect(c, 1, CIV_ALLOC_EFFECT_EARMARK, e, 3), CIV_OK);
    assert_true(e[0] == 0 && e[1] == 0 && e[2] == 0);
    assert_int_equal(civ_alloc_compare_effect(c, 1, CIV_ALLOC_EFFECT_COUNT, b, 3), CIV_OK);
    assert_true(fabs(b[0] - 60000) < 1e-6 && fabs(b[1] - 10000) < 1e-6 && fabs(b[2] - 30000) < 1e-6);

    /* the waterfall: the earmark column after tilt, before the bounds; the
     * total row splits the factor base into general (80,000) and earmarked
     * (20,000) money */
    civ_table *w = NULL;
    assert_int_equal(civ_alloc_compare_waterfall(c, &w), CIV_OK);
    size_t cscope, cname, cbase, camount, ctilt, cear, cfloor, cround;
    assert_int_equal(civ_table_find_column(w, "scope", &cscope), CIV_OK);
    assert_int_equal(civ_table_find_column(w, "name", &cname), CIV_OK);
    assert_int_equal(civ_table_find_column(w, "base", &cbase), CIV_OK);
    assert_int_equal(civ_table_find_column(w, "amount", &camount), CIV_OK);
    assert_int_equal(civ_table_find_column(w, "tilt", &ctilt), CIV_OK);
    assert_int_equal(civ_table_find_column(w, "earmark", &cear), CIV_OK);
    assert_int_equal(civ_table_find_column(w, "floor", &cfloor), CIV_OK);
    assert_int_equal(civ_table_find_column(w, "rounding", &cround), CIV_OK);
    assert_true(ctilt == cbase + 1 && cear == ctilt + 1 && cfloor == cear + 1 && cround + 1 == camount);
    assert_string_equal(civ_table_text(w, 0, cscope), "total");
    assert_true(fabs(civ_table_number(w, 0, cbase) - 80000) < 1e-6);
    assert_true(fabs(civ_table_number(w, 0, cear) - 20000) < 1e-6);
    assert_true(civ_table_number(w, 0, camount) == 100000);
    assert_true(fabs(civ_table_number(w, 1, cear) - 20000) < 1e-6); /* gained */
    assert_true(civ_table_number(w, 2, cear) == 0);                 /* lost */
    assert_string_equal(civ_table_text(w, 3, cname), "X");           /* A and B */
    assert_true(fabs(civ_table_number(w, 3, cear) - 20000.0 * 100 / 700) < 1e-6);
    assert_true(fabs(civ_table_number(w, 3, cbase) - 32000) < 1e-6);
    assert_string_equal(civ_table_text(w, 4, cname), "Y");
    assert_true(fabs(civ_table_number(w, 4, cear) - 20000.0 * 600 / 700) < 1e-6);
    for (size_t row = 0; row < civ_table_n_rows(w); row++) {
        const char *scope = civ_table_text(w, row, cscope);
        if (!strcmp(scope, "gained") || !strcmp(scope, "lost"))
            continue;
        double total = civ_table_number(w, row, cbase);
        for (size_t col = cbase + 1; col < camount; col++)
            total += civ_table_number(w, row, col);
        assert_true(fabs(total - civ_table_number(w, row, camount)) < 1e-6);
    }
    civ_table_free(w);
    civ_alloc_compare_free(c);
    civ_alloc_spec_free(s1), civ_alloc_spec_free(s2);
    civ_table_free(comm);
}

/* The waterfall's net sums: the total tilt and the total rounding are zero by
 * construction, and show 0 although their plain floating-point sums are not
 * (what the demo city's allocation_waterfall.csv showed before 2026-12-07:
 * tilt -0.0000131703 fen); base plus the shown effects still equals the
 * amount within that noise. */
static void test_net_sums_without_float_noise(void **state)
{
    (void)state;
    enum { N = 600 };
    static char idbuf[N][8];
    const char *ids[N], *dist[N];
    double pop[N], flag[N];
    static const char *const districts[] = {"D1", "D2", "D3", "D4", "D5"};
    uint64_t x = 12345;
    for (size_t i = 0; i < N; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        snprintf(idbuf[i], sizeof idbuf[i], "c%03zu", i);
        ids[i] = idbuf[i];
        dist[i] = districts[(x >> 40) % 5];
        pop[i] = 200.0 + (double)((x >> 20) % 9000) / 3.0;
        flag[i] = ((x >> 33) & 3) == 0;
    }
    civ_table *comm = communities(N, ids, dist, pop, flag);
    civ_alloc_spec *s = af_spec_of("version = \"r\"\n[budget]\ntotal = 9876543.21\nfiscal_year = 2026\n"
                                   "[[pool]]\nname = \"p\"\nshare = 1.0\n"
                                   "[[formula]]\nname = \"main\"\nfloor = 9000.00\n"
                                   "[[factor]]\nname = \"pop\"\nattribute = \"pop\"\nweight = 1.0\n"
                                   "[[tilt]]\nname = \"t\"\nattribute = \"flag\"\nabove = 0.5\nmultiplier = 1.2\n");
    const civ_alloc_spec *specs[] = {s, s};
    civ_alloc_compare *c = NULL;
    assert_int_equal(civ_alloc_compare_run(specs, NULL, 2, comm, NULL, &c), CIV_OK);
    double tilt[N], rounding[N], plain_tilt = 0, plain_rounding = 0;
    assert_int_equal(civ_alloc_compare_effect(c, 0, CIV_ALLOC_EFFECT_TILT, tilt, N), CIV_OK);
    assert_int_equal(civ_alloc_compare_effect(c, 0, CIV_ALLOC_EFFECT_ROUNDING, rounding, N), CIV_OK);
    for (size_t i = 0; i < N; i++)
        plain_tilt += tilt[i], plain_rounding += rounding[i];
    assert_true(plain_tilt != 0.0 || plain_rounding != 0.0); /* the noise this test is about */
    assert_true(fabs(plain_tilt) < 1e-3 && fabs(plain_rounding) < 1e-3);
    civ_table *w = NULL;
    assert_int_equal(civ_alloc_compare_waterfall(c, &w), CIV_OK);
    size_t cscope;
    assert_int_equal(civ_table_find_column(w, "scope", &cscope), CIV_OK);
    assert_string_equal(civ_table_text(w, 0, cscope), "total");
    assert_true(af_cell(w, 0, "tilt") == 0.0 && !signbit(af_cell(w, 0, "tilt")));
    assert_true(af_cell(w, 0, "rounding") == 0.0);
    assert_true(af_cell(w, 0, "amount") == 987654321.0);
    /* every row still adds up: base + effects = amount (districts' sums are real, not snapped) */
    static const char *const effects[] = {"tilt", "earmark",  "floor",     "cap",     "hold_harmless",
                                          "pace", "ratable", "rebalance", "rounding"};
    for (size_t r = 0; r < civ_table_n_rows(w); r++) {
        const char *scope = civ_table_text(w, r, cscope);
        if (!strcmp(scope, "gained") || !strcmp(scope, "lost"))
            continue;
        double sum = af_cell(w, r, "base");
        for (size_t e = 0; e < sizeof effects / sizeof effects[0]; e++)
            sum += af_cell(w, r, effects[e]);
        assert_true(fabs(sum - af_cell(w, r, "amount")) < 1e-3);
        if (!strcmp(scope, "total")) /* both specs' total rows */
            assert_true(af_cell(w, r, "tilt") == 0.0 && af_cell(w, r, "rounding") == 0.0);
        else /* a district's tilt: money moved between districts, far above the noise */
            assert_true(fabs(af_cell(w, r, "tilt")) > 1.0);
    }
    civ_table_free(w);
    civ_alloc_compare_free(c);
    civ_alloc_spec_free(s);
    civ_table_free(comm);
}

static void test_errors(void **state)
{
    (void)state;
    const char *ids[] = {"a", "b"}, *dist[] = {"D", "D"};
    double pop[] = {1, 2}, flag[] = {0, 0};
    civ_table *comm = communities(2, ids, dist, pop, flag);
    civ_alloc_spec *s = af_spec_of(SPEC_PLAIN);
    civ_alloc_spec *bad =
        af_spec_of("version = \"b\"\n[budget]\ntotal = 1.00\nfiscal_year = 2026\n[[pool]]\nname = \"p\"\nshare = 1.0\n"
                   "[[factor]]\nname = \"x\"\nattribute = \"nope\"\nweight = 1.0\n");
    civ_alloc_compare *c = NULL;
    const civ_alloc_spec *specs[] = {s, s};
    const char *dup[] = {"x", "x"}, *odd[] = {"x", "a b"};
    assert_int_equal(civ_alloc_compare_run(specs, dup, 2, comm, NULL, &c), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_alloc_compare_run(specs, odd, 2, comm, NULL, &c), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_alloc_compare_run(specs, NULL, 0, comm, NULL, &c), CIV_ERR_INVALID_ARGUMENT);
    assert_null(c);
    const civ_alloc_spec *with_bad[] = {s, bad};
    const char *labels[] = {"good", "broken"};
    assert_int_equal(civ_alloc_compare_run(with_bad, labels, 2, comm, NULL, &c), CIV_ERR_MISSING_COLUMN);
    assert_non_null(strstr(civ_last_error()->message, "spec 'broken'"));
    assert_non_null(strstr(civ_last_error()->message, "nope"));
    assert_null(c);
    assert_int_equal(civ_alloc_compare_run(specs, NULL, 2, comm, NULL, &c), CIV_OK);
    double v[2];
    assert_int_equal(civ_alloc_compare_effect(c, 2, CIV_ALLOC_EFFECT_TILT, v, 2), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_alloc_compare_effect(c, 0, (civ_alloc_effect)(CIV_ALLOC_EFFECT_COUNT + 1), v, 2),
                     CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_alloc_compare_effect(c, 0, CIV_ALLOC_EFFECT_TILT, v, 3), CIV_ERR_INVALID_ARGUMENT);
    assert_string_equal(civ_alloc_effect_name(CIV_ALLOC_EFFECT_HOLD_HARMLESS), "hold_harmless");
    assert_string_equal(civ_alloc_effect_name(CIV_ALLOC_EFFECT_EARMARK), "earmark");
    assert_string_equal(civ_alloc_effect_name(CIV_ALLOC_EFFECT_ROUNDING), "rounding");
    assert_int_equal(CIV_ALLOC_EFFECT_ROUNDING, 7); /* the earmark was added last: old values keep their numbers */
    assert_string_equal(civ_alloc_effect_name((civ_alloc_effect)42), "");
    civ_alloc_compare_free(c);
    civ_alloc_compare_free(NULL);
    civ_alloc_spec_free(s), civ_alloc_spec_free(bad);
    civ_table_free(comm);
}

/* Districts named by numeric codes of different lengths come out in the
 * waterfall in natural order (9 before 10), as people read them; as text,
 * 10 came first. */
static void test_district_natural_order(void **state)
{
    (void)state;
    const char *ids[] = {"A", "B", "C"}, *dist[] = {"10", "9", "310101"};
    double pop[] = {600, 100, 300}, flag[] = {0, 1, 0};
    civ_table *comm = communities(3, ids, dist, pop, flag), *t = NULL;
    civ_alloc_spec *s1 = af_spec_of(SPEC_RULES), *s2 = af_spec_of(SPEC_PLAIN);
    const civ_alloc_spec *specs[] = {s1, s2};
    const char *labels[] = {"rules", "plain"};
    civ_alloc_compare *c = NULL;
    assert_int_equal(civ_alloc_compare_run(specs, labels, 2, comm, NULL, &c), CIV_OK);
    assert_int_equal(civ_alloc_compare_waterfall(c, &t), CIV_OK);
    size_t cscope, cname, k = 0;
    assert_int_equal(civ_table_find_column(t, "scope", &cscope), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "name", &cname), CIV_OK);
    const char *want[] = {"9", "10", "310101"};
    for (size_t r = 0; r < civ_table_n_rows(t); r++)
        if (!strcmp(civ_table_text(t, r, cscope), "district") && k < 3)
            assert_string_equal(civ_table_text(t, r, cname), want[k++]);
    assert_true(k == 3);
    civ_table_free(t);
    civ_alloc_compare_free(c);
    civ_alloc_spec_free(s1), civ_alloc_spec_free(s2);
    civ_table_free(comm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_computed),
        cmocka_unit_test(test_district_natural_order),
        cmocka_unit_test(test_rounding_effect),
        cmocka_unit_test(test_earmark_step),
        cmocka_unit_test(test_net_sums_without_float_noise),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
