/*
 * test_alloc_uncertainty.c -- the Monte Carlo of the allocation
 * (engine/src/alloc/uncertainty.c): bit-identical draws and quantiles on 1,
 * 2 and 4 threads; every draw's total exact to the fen; P5 <= P50 <= P95;
 * zero-width intervals give every draw (so every quantile) equal to the
 * point allocation; the quantile-matched split normal reproduces the
 * intervals (a two-community case whose amount is a known monotone function
 * of one community's demand); Dirichlet weights; argument errors.
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

#define N_COMM 40
#define H 3

static const char *SPEC = "version = \"u\"\n"
                          "[budget]\ntotal = 10000.00\nfiscal_year = 2026\n"
                          "[[reserve]]\nname = \"r\"\nshare = 0.05\n"
                          "[[pool]]\nname = \"p\"\nshare = 1.0\n"
                          "[[formula]]\nname = \"main\"\nfloor = 100.00\ncap_share = 0.1\n"
                          "[[factor]]\nname = \"pop\"\nattribute = \"pop\"\nweight = 0.4\n"
                          "[[factor]]\nname = \"meals\"\nsource = \"forecast\"\nhorizon = 3\nweight = 0.6\n";

/* communities c00..c39 in reverse id order, districts D0..D3 */
static civ_table *communities(size_t n)
{
    civ_table *t = NULL;
    size_t ci, cd, cp;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "unique_id", CIV_COLUMN_TEXT, &ci), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "district", CIV_COLUMN_TEXT, &cd), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "pop", CIV_COLUMN_NUMBER, &cp), CIV_OK);
    assert_int_equal(civ_table_add_rows(t, n, NULL), CIV_OK);
    for (size_t r = 0; r < n; r++) {
        size_t i = n - 1 - r;
        char id[32], d[8];
        snprintf(id, sizeof id, "c%02zu", i);
        snprintf(d, sizeof d, "D%zu", i % 4);
        assert_int_equal(civ_table_set_text(t, r, ci, id), CIV_OK);
        assert_int_equal(civ_table_set_text(t, r, cd, d), CIV_OK);
        assert_int_equal(civ_table_set_number(t, r, cp, 100.0 + 37.0 * (double)((i * 7) % 11)), CIV_OK);
    }
    return t;
}

/* forecasts unique_id, h, mean, lo-80, hi-80, lo-95, hi-95: community i has
 * mean 50 + 10 i + h and a lower scale w_i, an upper scale 1.5 w_i, with
 * w_i = width(i) (bounds exactly at mean -/+ z_L * scale). */
static civ_table *forecasts(size_t n, size_t h, double (*width)(size_t), double (*mean)(size_t, size_t))
{
    civ_table *t = NULL;
    size_t ci, ch, cm, cl8, ch8, cl9, ch9;
    const double z80 = 1.2815515655446004, z95 = 1.959963984540054;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "unique_id", CIV_COLUMN_TEXT, &ci), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "h", CIV_COLUMN_NUMBER, &ch), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "mean", CIV_COLUMN_NUMBER, &cm), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "lo-80", CIV_COLUMN_NUMBER, &cl8), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "hi-80", CIV_COLUMN_NUMBER, &ch8), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "lo-95", CIV_COLUMN_NUMBER, &cl9), CIV_OK);
    assert_int_equal(civ_table_add_column(t, "hi-95", CIV_COLUMN_NUMBER, &ch9), CIV_OK);
    assert_int_equal(civ_table_add_rows(t, n * h, NULL), CIV_OK);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < h; k++) {
            size_t r = i * h + k;
            char id[32];
            snprintf(id, sizeof id, "c%02zu", i);
            double m = mean(i, k + 1), w = width(i);
            assert_int_equal(civ_table_set_text(t, r, ci, id), CIV_OK);
            assert_int_equal(civ_table_set_number(t, r, ch, (double)(k + 1)), CIV_OK);
            assert_int_equal(civ_table_set_number(t, r, cm, m), CIV_OK);
            assert_int_equal(civ_table_set_number(t, r, cl8, m - z80 * w), CIV_OK);
            assert_int_equal(civ_table_set_number(t, r, ch8, m + z80 * 1.5 * w), CIV_OK);
            assert_int_equal(civ_table_set_number(t, r, cl9, m - z95 * w), CIV_OK);
            assert_int_equal(civ_table_set_number(t, r, ch9, m + z95 * 1.5 * w), CIV_OK);
        }
    return t;
}

static double width_varied(size_t i)
{
    return (double)(i % 5) * 4.0;
}
static double width_zero(size_t i)
{
    (void)i;
    return 0;
}
static double mean_lin(size_t i, size_t h)
{
    return 50.0 + 10.0 * (double)i + (double)h;
}

static civ_alloc_uncertainty *run(const civ_alloc_spec *s, const civ_table *comm, const civ_table *fc, size_t draws,
                                  int threads, double K, int forecasts_on)
{
    civ_alloc_uncertainty_options o;
    assert_int_equal(civ_alloc_uncertainty_options_init(&o), CIV_OK);
    assert_int_equal(o.n_draws, 1000);
    o.n_draws = draws, o.threads = threads, o.seed = 12345, o.weight_concentration = K;
    o.perturb_forecasts = forecasts_on;
    civ_alloc_uncertainty *u = NULL;
    civ_status st = civ_alloc_uncertainty_run(s, comm, fc, &o, &u);
    if (st)
        fprintf(stderr, "%s\n", civ_last_error_message());
    assert_int_equal(st, CIV_OK);
    return u;
}

static void check_same(const civ_alloc_uncertainty *a, const civ_alloc_uncertainty *b, size_t n, size_t draws)
{
    int64_t x[N_COMM], y[N_COMM];
    for (size_t d = 0; d < draws; d++) {
        assert_int_equal(civ_alloc_uncertainty_draw(a, d, x, n), CIV_OK);
        assert_int_equal(civ_alloc_uncertainty_draw(b, d, y, n), CIV_OK);
        assert_memory_equal(x, y, n * sizeof *x);
    }
    double qa[N_COMM], qb[N_COMM];
    assert_int_equal(civ_alloc_uncertainty_quantile(a, 0.05, qa, n), CIV_OK);
    assert_int_equal(civ_alloc_uncertainty_quantile(b, 0.05, qb, n), CIV_OK);
    assert_memory_equal(qa, qb, n * sizeof *qa);
}

static void test_threads_bit_identical(void **state)
{
    (void)state;
    civ_alloc_spec *s = af_spec_of(SPEC);
    civ_table *comm = communities(N_COMM), *fc = forecasts(N_COMM, H, width_varied, mean_lin);
    const size_t D = 96;
    civ_alloc_uncertainty *u1 = run(s, comm, fc, D, 1, 0, 1), *u2 = run(s, comm, fc, D, 2, 0, 1),
                          *u4 = run(s, comm, fc, D, 4, 0, 1);
    assert_int_equal(civ_alloc_uncertainty_n_draws(u1), D);
    assert_int_equal(civ_alloc_uncertainty_n_communities(u1), N_COMM);
    check_same(u1, u2, N_COMM, D);
    check_same(u1, u4, N_COMM, D);

    /* every draw exact to the fen; the draws differ; floors and caps hold */
    int64_t x[N_COMM];
    int varied = 0;
    int64_t first[N_COMM];
    assert_int_equal(civ_alloc_uncertainty_draw(u1, 0, first, N_COMM), CIV_OK);
    for (size_t d = 0; d < D; d++) {
        assert_int_equal(civ_alloc_uncertainty_draw(u1, d, x, N_COMM), CIV_OK);
        int64_t sum = 0;
        for (size_t i = 0; i < N_COMM; i++) {
            sum += x[i];
            assert_true(x[i] >= 10000 && x[i] <= 95000);
            varied |= x[i] != first[i];
        }
        assert_int_equal(sum, 950000);
    }
    assert_true(varied);

    /* quantiles ordered */
    double q5[N_COMM], q50[N_COMM], q95[N_COMM];
    assert_int_equal(civ_alloc_uncertainty_quantile(u1, 0.05, q5, N_COMM), CIV_OK);
    assert_int_equal(civ_alloc_uncertainty_quantile(u1, 0.50, q50, N_COMM), CIV_OK);
    assert_int_equal(civ_alloc_uncertainty_quantile(u1, 0.95, q95, N_COMM), CIV_OK);
    int some_width = 0;
    for (size_t i = 0; i < N_COMM; i++) {
        assert_true(q5[i] <= q50[i] && q50[i] <= q95[i]);
        some_width |= q95[i] > q5[i];
    }
    assert_true(some_width);

    /* the table: communities, 4 districts, the total (exact in every draw) */
    civ_table *t = NULL;
    size_t cs, c5, c50, c95, ca, cm;
    assert_int_equal(civ_alloc_uncertainty_table(u2, &t), CIV_OK);
    assert_int_equal(civ_table_n_rows(t), N_COMM + 4 + 1);
    assert_int_equal(civ_table_find_column(t, "scope", &cs), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "amount_fen", &ca), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "mean_fen", &cm), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "p5_fen", &c5), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "p50_fen", &c50), CIV_OK);
    assert_int_equal(civ_table_find_column(t, "p95_fen", &c95), CIV_OK);
    size_t last = N_COMM + 4;
    assert_string_equal(civ_table_text(t, last, cs), "total");
    assert_true(civ_table_number(t, last, c5) == 950000 && civ_table_number(t, last, c95) == 950000 &&
                civ_table_number(t, last, ca) == 950000 && civ_table_number(t, last, cm) == 950000);
    assert_string_equal(civ_table_text(t, N_COMM, cs), "district");
    for (size_t r = 0; r <= last; r++)
        assert_true(civ_table_number(t, r, c5) <= civ_table_number(t, r, c50) &&
                    civ_table_number(t, r, c50) <= civ_table_number(t, r, c95));
    civ_table_free(t);
    civ_alloc_uncertainty_free(u1), civ_alloc_uncertainty_free(u2), civ_alloc_uncertainty_free(u4);
    civ_table_free(comm), civ_table_free(fc), civ_alloc_spec_free(s);
}

static void test_zero_width_equals_point(void **state)
{
    (void)state;
    civ_alloc_spec *s = af_spec_of(SPEC);
    civ_table *comm = communities(N_COMM), *fc = forecasts(N_COMM, H, width_zero, mean_lin);
    civ_alloc_problem *p = NULL;
    civ_alloc_result *r = NULL;
    assert_int_equal(civ_alloc_bind(s, comm, fc, &p), CIV_OK);
    assert_int_equal(civ_alloc_result_create(p, &r), CIV_OK);
    assert_int_equal(civ_alloc_solve(p, r), CIV_OK);
    int64_t point[N_COMM], x[N_COMM];
    assert_int_equal(civ_alloc_result_amounts(p, r, point, N_COMM), CIV_OK);
    civ_alloc_uncertainty *u = run(s, comm, fc, 50, 2, 0, 1);
    for (size_t d = 0; d < 50; d++) {
        assert_int_equal(civ_alloc_uncertainty_draw(u, d, x, N_COMM), CIV_OK);
        assert_memory_equal(x, point, sizeof point);
    }
    double q[N_COMM];
    const double ps[] = {0.05, 0.5, 0.95};
    for (int k = 0; k < 3; k++) {
        assert_int_equal(civ_alloc_uncertainty_quantile(u, ps[k], q, N_COMM), CIV_OK);
        for (size_t i = 0; i < N_COMM; i++)
            assert_true(q[i] == (double)point[i]);
    }
    civ_alloc_uncertainty_free(u);
    civ_alloc_result_free(r), civ_alloc_problem_free(p);
    civ_table_free(comm), civ_table_free(fc), civ_alloc_spec_free(s);
}

/* Two communities, one forecast factor, no bounds: A's amount is
 * P xA / (xA + xB), increasing in xA, and B has zero-width intervals, so A's
 * P5 / P95 are that function at xA's 5% / 95% quantiles, which the split
 * normal puts at sum_h (m_h - 1.645 w) and sum_h (m_h + 1.645 * 1.5 w).  With
 * 4000 draws the empirical 5% point of z has a standard error of about 0.034,
 * so z is bracketed by +-0.12 (and one fen of rounding). */
static double width_a_only(size_t i)
{
    return i == 0 ? 10.0 : 0.0;
}
static double mean_flat(size_t i, size_t h)
{
    (void)h;
    return i == 0 ? 100.0 : 300.0;
}

static double amount_at(double z, double scale)
{
    double xa = 3 * (100.0 + z * scale * 10.0), xb = 900.0;
    return 100000.0 * xa / (xa + xb);
}

static void test_split_normal_reproduces_intervals(void **state)
{
    (void)state;
    civ_alloc_spec *s = af_spec_of("version = \"sn\"\n[budget]\ntotal = 1000.00\nfiscal_year = 2026\n"
                                   "[[pool]]\nname = \"p\"\nshare = 1.0\n"
                                   "[[factor]]\nname = \"meals\"\nsource = \"forecast\"\nhorizon = 3\nweight = 1.0\n");
    civ_table *comm = communities(2), *fc = forecasts(2, 3, width_a_only, mean_flat);
    civ_alloc_uncertainty *u = run(s, comm, fc, 4000, 2, 0, 1);
    double q5[2], q50[2], q95[2];
    assert_int_equal(civ_alloc_uncertainty_quantile(u, 0.05, q5, 2), CIV_OK);
    assert_int_equal(civ_alloc_uncertainty_quantile(u, 0.50, q50, 2), CIV_OK);
    assert_int_equal(civ_alloc_uncertainty_quantile(u, 0.95, q95, 2), CIV_OK);
    /* rows are c01, c00 (reverse id order): A = c00 is row 1 */
    assert_true(q5[1] >= amount_at(-1.645 - 0.12, 1.0) - 1 && q5[1] <= amount_at(-1.645 + 0.12, 1.0) + 1);
    assert_true(q95[1] >= amount_at(1.645 - 0.12, 1.5) - 1 && q95[1] <= amount_at(1.645 + 0.12, 1.5) + 1);
    assert_true(fabs(q50[1] - amount_at(0, 1.0)) <= amount_at(0.06, 1.0) - amount_at(0, 1.0) + 1);
    /* the upper side is wider, as the intervals say */
    assert_true(q95[1] - q50[1] > 1.3 * (q50[1] - q5[1]));
    civ_alloc_uncertainty_free(u);
    civ_table_free(comm), civ_table_free(fc), civ_alloc_spec_free(s);
}

static void test_dirichlet_weights(void **state)
{
    (void)state;
    civ_alloc_spec *s = af_spec_of(SPEC);
    civ_table *comm = communities(N_COMM), *fc = forecasts(N_COMM, H, width_varied, mean_lin);
    civ_alloc_uncertainty *u1 = run(s, comm, fc, 40, 1, 20.0, 0), *u2 = run(s, comm, fc, 40, 2, 20.0, 0);
    check_same(u1, u2, N_COMM, 40);
    int64_t x[N_COMM], y[N_COMM];
    assert_int_equal(civ_alloc_uncertainty_draw(u1, 0, x, N_COMM), CIV_OK);
    assert_int_equal(civ_alloc_uncertainty_draw(u1, 1, y, N_COMM), CIV_OK);
    assert_true(memcmp(x, y, sizeof x) != 0);
    for (size_t d = 0; d < 40; d++) {
        int64_t sum = 0;
        assert_int_equal(civ_alloc_uncertainty_draw(u1, d, x, N_COMM), CIV_OK);
        for (size_t i = 0; i < N_COMM; i++)
            sum += x[i];
        assert_int_equal(sum, 950000);
    }
    /* a huge concentration keeps the weights (within rounding of the amounts) */
    civ_alloc_uncertainty *u3 = run(s, comm, fc, 5, 1, 1e12, 0);
    civ_alloc_problem *p = NULL;
    civ_alloc_result *r = NULL;
    int64_t point[N_COMM];
    assert_int_equal(civ_alloc_bind(s, comm, fc, &p), CIV_OK);
    assert_int_equal(civ_alloc_result_create(p, &r), CIV_OK);
    assert_int_equal(civ_alloc_solve(p, r), CIV_OK);
    assert_int_equal(civ_alloc_result_amounts(p, r, point, N_COMM), CIV_OK);
    assert_int_equal(civ_alloc_uncertainty_draw(u3, 4, x, N_COMM), CIV_OK);
    for (size_t i = 0; i < N_COMM; i++)
        assert_true(llabs(x[i] - point[i]) <= 2);
    civ_alloc_result_free(r), civ_alloc_problem_free(p);
    civ_alloc_uncertainty_free(u1), civ_alloc_uncertainty_free(u2), civ_alloc_uncertainty_free(u3);
    civ_table_free(comm), civ_table_free(fc), civ_alloc_spec_free(s);
}

static void test_errors(void **state)
{
    (void)state;
    civ_alloc_spec *s = af_spec_of(SPEC);
    civ_table *comm = communities(N_COMM), *fc = forecasts(N_COMM, H, width_varied, mean_lin);
    civ_alloc_uncertainty_options o;
    civ_alloc_uncertainty *u = NULL;
    assert_int_equal(civ_alloc_uncertainty_options_init(NULL), CIV_ERR_INVALID_ARGUMENT);
    civ_alloc_uncertainty_options_init(&o);
    o.n_draws = 0;
    assert_int_equal(civ_alloc_uncertainty_run(s, comm, fc, &o, &u), CIV_ERR_INVALID_ARGUMENT);
    o.n_draws = 10, o.weight_concentration = -1;
    assert_int_equal(civ_alloc_uncertainty_run(s, comm, fc, &o, &u), CIV_ERR_INVALID_ARGUMENT);
    /* nothing to perturb */
    o.weight_concentration = 0, o.perturb_forecasts = 0;
    assert_int_equal(civ_alloc_uncertainty_run(s, comm, fc, &o, &u), CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error()->message, "nothing to perturb"));
    assert_null(u);
    /* bind errors pass through: the forecast factor without forecasts */
    o.perturb_forecasts = 1;
    assert_int_equal(civ_alloc_uncertainty_run(s, comm, NULL, &o, &u), CIV_ERR_SPEC);
    assert_null(u);
    u = run(s, comm, fc, 10, 1, 0, 1);
    double q[N_COMM];
    int64_t x[N_COMM];
    assert_int_equal(civ_alloc_uncertainty_quantile(u, 1.5, q, N_COMM), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_alloc_uncertainty_draw(u, 10, x, N_COMM), CIV_ERR_INVALID_ARGUMENT);
    assert_true(civ_alloc_uncertainty_seconds(u) >= 0);
    civ_alloc_uncertainty_free(u);
    civ_alloc_uncertainty_free(NULL);
    civ_table_free(comm), civ_table_free(fc), civ_alloc_spec_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_bit_identical),
        cmocka_unit_test(test_zero_width_equals_point),
        cmocka_unit_test(test_split_normal_reproduces_intervals),
        cmocka_unit_test(test_dirichlet_weights),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
