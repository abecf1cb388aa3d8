/*
 * test_hier.c -- hierarchies and reconciliation (engine/src/hier/): the
 * nodes and S of a nested and of a grouped structure; every least-squares
 * method against the closed form P = S (S'W^-1 S)^-1 S'W^-1 computed densely
 * here with GSL (W for MinT from its pairwise definition, not the Gram
 * shortcut the library uses), in both the constraint and the structural
 * form; the OLS case of a total with two children by hand; bottom-up and
 * top-down shares by hand; the non-negative variant; coherence of
 * civ_hier_forecast's means and bounds and their identity across thread
 * counts; aggregation (late starts, missing values); and the bad
 * hierarchies, each error naming its rows.
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
#include <gsl/gsl_linalg.h>

#include "hier.h"
#include "panel.h"
#include "test_files.h"

/* A communities table from rows of text cells; cols[0] is unique_id. */
static civ_table *make_table(const char *const *cols, size_t nc, const char *const *cells, size_t nr)
{
    civ_table *t = NULL;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    for (size_t c = 0; c < nc; c++)
        assert_int_equal(civ_table_add_column(t, cols[c], CIV_COLUMN_TEXT, NULL), CIV_OK);
    assert_int_equal(civ_table_add_rows(t, nr, NULL), CIV_OK);
    for (size_t r = 0; r < nr; r++)
        for (size_t c = 0; c < nc; c++)
            assert_int_equal(civ_table_set_text(t, r, c, cells[r * nc + c]), CIV_OK);
    return t;
}

static uint64_t lcg_state = 12345;
static double unif(void)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(lcg_state >> 11) / 9007199254740992.0 - 0.5;
}

/* A monthly panel of the given ids, n values each (a level, a trend and noise). */
static civ_panel *make_panel(const char *const *ids, size_t m, size_t n)
{
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    double *v = malloc(n * sizeof *v);
    for (size_t j = 0; j < m; j++) {
        for (size_t t = 0; t < n; t++)
            v[t] = 50.0 + 10.0 * (double)j + 0.3 * (double)t + 8.0 * unif();
        assert_int_equal(civ_panel_add_series(p, ids[j], 24000, v, n, NULL), CIV_OK);
    }
    free(v);
    return p;
}

static const char *const IDS[] = {"c1", "c2", "c3", "c4", "c5", "c6"};
static const char *const COLS[] = {"unique_id", "district", "street", "service"};
static const char *const CELLS[] = {"c1", "A", "A1", "meals", "c2", "A", "A1", "care", "c3", "A", "A2", "meals",
                                    "c4", "B", "B1", "care",  "c5", "B", "B1", "meals", "c6", "B", "B2", "care"};

/* The dense S of a hierarchy. */
static gsl_matrix *dense_s(const civ_hier *h)
{
    gsl_matrix *s = gsl_matrix_calloc(h->n_nodes, h->n_bottom);
    for (size_t p = 0; p < h->n_agg; p++)
        for (size_t k = h->mem_off[p]; k < h->mem_off[p + 1]; k++)
            gsl_matrix_set(s, p, h->mem[k], 1.0);
    for (size_t j = 0; j < h->n_bottom; j++)
        gsl_matrix_set(s, h->n_agg + j, j, 1.0);
    return s;
}

static gsl_matrix *inverse(const gsl_matrix *a)
{
    size_t n = a->size1;
    gsl_matrix *lu = gsl_matrix_alloc(n, n), *inv = gsl_matrix_alloc(n, n);
    gsl_permutation *perm = gsl_permutation_alloc(n);
    int sign;
    gsl_matrix_memcpy(lu, a);
    gsl_linalg_LU_decomp(lu, perm, &sign);
    gsl_linalg_LU_invert(lu, perm, inv);
    gsl_matrix_free(lu);
    gsl_permutation_free(perm);
    return inv;
}

/* W of a method, densely, from its definition (x: T x n residuals). */
static gsl_matrix *dense_w(const civ_hier *h, civ_reconcile_method method, const double *x, size_t T)
{
    size_t n = h->n_nodes;
    gsl_matrix *w = gsl_matrix_calloc(n, n);
    double *cov = calloc(n * n, sizeof *cov);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            for (size_t t = 0; t < T; t++)
                cov[i * n + j] += x[t * n + i] * x[t * n + j] / (double)T;
    double sv = 0.0, sd = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            if (i == j)
                continue;
            double s22 = 0.0, s11 = 0.0;
            for (size_t t = 0; t < T; t++) {
                double a = x[t * n + i] / sqrt(cov[i * n + i]), b = x[t * n + j] / sqrt(cov[j * n + j]);
                s22 += a * a * b * b;
                s11 += a * b;
            }
            sv += (s22 - s11 * s11 / (double)T) / ((double)T * (double)(T - 1));
            double r = cov[i * n + j] / sqrt(cov[i * n + i] * cov[j * n + j]);
            sd += r * r;
        }
    double lambda = fmin(1.0, fmax(0.0, sv / sd));
    for (size_t i = 0; i < n; i++) {
        double d = method == CIV_RECONCILE_OLS ? 1.0
                   : method == CIV_RECONCILE_WLS_STRUCT
                       ? (i < h->n_agg ? (double)(h->mem_off[i + 1] - h->mem_off[i]) : 1.0)
                       : cov[i * n + i];
        gsl_matrix_set(w, i, i, d);
        if (method == CIV_RECONCILE_MINT_SHRINK)
            for (size_t j = 0; j < n; j++)
                if (j != i)
                    gsl_matrix_set(w, i, j, (1.0 - lambda) * cov[i * n + j]);
    }
    free(cov);
    return w;
}

/* ytilde = S (S'W^-1 S)^-1 S'W^-1 yhat, densely. */
static void closed_form(const civ_hier *h, const gsl_matrix *w, const double *yhat, double *out)
{
    size_t n = h->n_nodes, m = h->n_bottom;
    gsl_matrix *s = dense_s(h), *wi = inverse(w), *swi = gsl_matrix_alloc(m, n), *a = gsl_matrix_alloc(m, m);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, s, wi, 0.0, swi);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, swi, s, 0.0, a);
    gsl_matrix *ai = inverse(a);
    gsl_vector_const_view yv = gsl_vector_const_view_array(yhat, n);
    gsl_vector *t1 = gsl_vector_alloc(m), *b = gsl_vector_alloc(m);
    gsl_vector_view ov = gsl_vector_view_array(out, n);
    gsl_blas_dgemv(CblasNoTrans, 1.0, swi, &yv.vector, 0.0, t1);
    gsl_blas_dgemv(CblasNoTrans, 1.0, ai, t1, 0.0, b);
    gsl_blas_dgemv(CblasNoTrans, 1.0, s, b, 0.0, &ov.vector);
    gsl_matrix_free(s), gsl_matrix_free(wi), gsl_matrix_free(swi), gsl_matrix_free(a), gsl_matrix_free(ai);
    gsl_vector_free(t1), gsl_vector_free(b);
}

/* Every aggregate equals the sum of its members, exactly. */
static void assert_coherent(const civ_hier *h, const double *y, size_t stride)
{
    for (size_t p = 0; p < h->n_agg; p++) {
        double s = 0.0;
        for (size_t k = h->mem_off[p]; k < h->mem_off[p + 1]; k++)
            s += y[(h->n_agg + h->mem[k]) * stride];
        assert_true(y[p * stride] == s);
    }
}

static civ_hier *build(const char *const *levels, size_t nl, const char *const *groups, size_t ng)
{
    civ_table *t = make_table(COLS, 4, CELLS, 6);
    civ_panel *p = make_panel(IDS, 6, 30);
    civ_hier *h = NULL;
    assert_int_equal(civ_hier_build(p, t, levels, nl, groups, ng, &h), CIV_OK);
    civ_table_free(t);
    civ_panel_free(p);
    return h;
}

static void test_nodes_and_s(void **state)
{
    (void)state;
    const char *lv[] = {"district", "street"};
    civ_hier *h = build(lv, 2, NULL, 0);
    static const char *const ids[] = {"total", "A", "B", "A/A1", "A/A2", "B/B1", "B/B2", "c1"};
    static const char *const lvl[] = {"total", "district", "district", "district/street", "district/street",
                                      "district/street", "district/street", "unique_id"};
    assert_int_equal(civ_hier_n_nodes(h), 13);
    assert_int_equal(civ_hier_n_bottom(h), 6);
    for (size_t i = 0; i < 8; i++) {
        assert_string_equal(civ_hier_node_id(h, i), ids[i]);
        assert_string_equal(civ_hier_node_level(h, i), lvl[i]);
    }
    assert_int_equal(h->mem_off[2] - h->mem_off[1], 3); /* A: c1 c2 c3 */
    assert_int_equal(h->mem[h->mem_off[4]], 2);          /* A/A2: c3 */
    assert_int_equal(h->parent[7 + 2], 4);               /* c3 -> A/A2 -> A -> total */
    assert_int_equal(h->parent[4], 1);
    assert_int_equal(h->parent[1], 0);
    civ_table *t = NULL;
    assert_int_equal(civ_hier_summing_table(h, &t), CIV_OK);
    assert_int_equal(civ_table_n_rows(t), 6 + 3 + 3 + 2 + 1 + 2 + 1 + 6);
    civ_table_free(t);
    civ_hier_free(h);
    /* grouped: district crossed with service; district/service keeps 4 nodes */
    const char *lv1[] = {"district"}, *gr[] = {"service"};
    h = build(lv1, 1, gr, 1);
    static const char *const gids[] = {"total", "care", "meals", "A", "B", "A/care", "A/meals", "B/care", "B/meals"};
    assert_int_equal(civ_hier_n_nodes(h), 15);
    for (size_t i = 0; i < 9; i++)
        assert_string_equal(civ_hier_node_id(h, i), gids[i]);
    assert_string_equal(civ_hier_node_level(h, 6), "district/service");
    assert_int_equal(h->nested, 0);
    civ_hier_free(h);
}

/* Every least-squares method equals the dense closed form. */
static void check_closed_forms(civ_hier *h)
{
    size_t n = h->n_nodes, T = 25, H = 2;
    double *x = malloc(T * n * sizeof *x), *base = malloc(n * H * sizeof *base), *out = malloc(n * H * sizeof *out);
    double *yh = malloc(n * sizeof *yh), *ref = malloc(n * sizeof *ref);
    for (size_t t = 0; t < T; t++) { /* a common factor and each node's own noise: correlated residuals */
        double f = unif();
        for (size_t i = 0; i < n; i++)
            x[t * n + i] = f * (double)(i % 3 + 1) + unif() * (1.0 + 0.1 * (double)i);
    }
    for (size_t k = 0; k < n * H; k++)
        base[k] = 100.0 * (1.0 + unif());
    const civ_reconcile_method methods[] = {CIV_RECONCILE_OLS, CIV_RECONCILE_WLS_STRUCT, CIV_RECONCILE_WLS_VAR,
                                            CIV_RECONCILE_MINT_SHRINK};
    for (size_t q = 0; q < 4; q++) {
        double lambda = 0.0;
        assert_int_equal(civ_hier_reconcile(h, methods[q], base, H, x, T, 0, out, &lambda), CIV_OK);
        assert_true(methods[q] == CIV_RECONCILE_MINT_SHRINK ? (lambda > 0.0 && lambda < 1.0) : isnan(lambda));
        gsl_matrix *w = dense_w(h, methods[q], x, T);
        for (size_t s = 0; s < H; s++) {
            for (size_t i = 0; i < n; i++)
                yh[i] = base[i * H + s];
            closed_form(h, w, yh, ref);
            for (size_t i = 0; i < n; i++)
                assert_true(fabs(out[i * H + s] - ref[i]) < 1e-9 * (1.0 + fabs(ref[i])));
            assert_coherent(h, out + s, H);
        }
        gsl_matrix_free(w);
    }
    free(x), free(base), free(out), free(yh), free(ref);
}

/* W with missing residuals, densely, from the rule of civ_hier_w_build when fewer than 2 periods have every node's
 * residual: the rows where some node has one, a missing one 0; v_i the mean square over node i's own residuals
 * (a node with none: its level's mean); correlations through the zero-filled rows; W_ii = v_i. */
static gsl_matrix *dense_w_missing(const civ_hier *h, civ_reconcile_method method, const double *x, size_t T)
{
    size_t n = h->n_nodes, R = 0;
    double *z = calloc(T * n, sizeof *z), *v = calloc(n, sizeof *v), *a = calloc(T * n, sizeof *a);
    size_t *cnt = calloc(n, sizeof *cnt);
    for (size_t t = 0; t < T; t++) {
        int some = 0;
        for (size_t i = 0; i < n; i++)
            if (isfinite(x[t * n + i]))
                z[R * n + i] = x[t * n + i], cnt[i]++, some = 1;
        R += (size_t)some;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t t = 0; t < R; t++)
            v[i] += z[t * n + i] * z[t * n + i] / (double)cnt[i];
    for (size_t i = 0; i < n; i++) /* none: the level's mean of those with residuals */
        if (!cnt[i]) {
            double s = 0.0, k = 0.0;
            for (size_t q = 0; q < n; q++)
                if (cnt[q] && h->node_level[q] == h->node_level[i])
                    s += v[q], k += 1.0;
            v[i] = s / k;
        }
    double sv = 0.0, sd = 0.0;
    for (size_t k = 0; k < R * n; k++)
        a[k] = z[k] / sqrt(v[k % n]);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double s22 = 0.0, s11 = 0.0;
            for (size_t t = 0; t < R && i != j; t++)
                s22 += a[t * n + i] * a[t * n + i] * a[t * n + j] * a[t * n + j], s11 += a[t * n + i] * a[t * n + j];
            sv += (s22 - s11 * s11 / (double)R) / ((double)R * (double)(R - 1));
            sd += (s11 / (double)R) * (s11 / (double)R);
        }
    double lambda = fmin(1.0, fmax(0.0, sv / sd));
    gsl_matrix *w = gsl_matrix_calloc(n, n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double c = 0.0;
            for (size_t t = 0; t < R; t++)
                c += z[t * n + i] * z[t * n + j] / (double)R;
            if (i == j)
                gsl_matrix_set(w, i, i, v[i]);
            else if (method == CIV_RECONCILE_MINT_SHRINK)
                gsl_matrix_set(w, i, j, (1.0 - lambda) * c);
        }
    free(z), free(v), free(a), free(cnt);
    return w;
}

/* A community that opened in the last period (residual in the last row only; the aggregates above it have
 * none before), and one with no residual at all: WLS by variance and MinT, which failed for want of 2
 * complete periods before 2026-12-07, equal the dense form of their missing-residual rule. */
static void test_missing_residuals(void **state)
{
    (void)state;
    const char *lv[] = {"district", "street"};
    civ_hier *h = build(lv, 1, NULL, 0); /* total, A (c1 c2 c3), B (c4 c5 c6): 9 nodes */
    size_t n = h->n_nodes, T = 20, H = 1, c6 = h->n_agg + 5;
    double *x = malloc(T * n * sizeof *x), base[9], out[9], ref[9];
    for (size_t k = 0; k < n; k++)
        base[k] = 100.0 * (1.0 + unif());
    for (int variant = 0; variant < 2; variant++) {
        for (size_t t = 0; t < T; t++) {
            double f = unif();
            for (size_t i = 0; i < n; i++)
                x[t * n + i] = f * (double)(i % 3 + 1) + unif() * (1.0 + 0.1 * (double)i);
            if (t + 1 < T || variant == 1) /* variant 0: c6 opens in the last row; 1: c6 has no residual */
                x[t * n + c6] = NAN;
            if (t + 1 < T && variant == 0) /* the total and B are missing while c6 is (Aggregation) */
                x[t * n + 0] = x[t * n + 2] = NAN;
        }
        const civ_reconcile_method methods[] = {CIV_RECONCILE_WLS_VAR, CIV_RECONCILE_MINT_SHRINK};
        for (size_t q = 0; q < 2; q++) {
            double lambda = 0.0;
            assert_int_equal(civ_hier_reconcile(h, methods[q], base, H, x, T, 0, out, &lambda), CIV_OK);
            gsl_matrix *w = dense_w_missing(h, methods[q], x, T);
            closed_form(h, w, base, ref);
            for (size_t i = 0; i < n; i++)
                assert_true(fabs(out[i] - ref[i]) < 1e-9 * (1.0 + fabs(ref[i])));
            assert_coherent(h, out, 1);
            gsl_matrix_free(w);
        }
    }
    for (size_t k = 0; k < T * n; k++) /* one period with residuals: still too few */
        x[k] = k < n ? 1.0 + (double)k : NAN;
    assert_int_equal(civ_hier_reconcile(h, CIV_RECONCILE_MINT_SHRINK, base, H, x, T, 0, out, NULL),
                     CIV_ERR_TOO_SHORT);
    assert_non_null(strstr(civ_last_error_message(), "need in-sample residuals at 2 periods or more, got 1"));
    free(x);
    civ_hier_free(h);
}

static void test_closed_forms(void **state)
{
    (void)state;
    const char *lv[] = {"district", "street"}, *gr[] = {"service"};
    civ_hier *h = build(lv, 1, NULL, 0); /* 3 aggregates < 6 series: the constraint form */
    check_closed_forms(h);
    civ_hier_free(h);
    h = build(lv, 2, NULL, 0);           /* 7 > 6: the structural form for diagonal W */
    check_closed_forms(h);
    civ_hier_free(h);
    h = build(lv, 1, gr, 1);             /* grouped, 9 aggregates */
    check_closed_forms(h);
    civ_hier_free(h);
}

/* A total over two series, OLS by hand: each gets a third of the gap. */
static void test_two_children_by_hand(void **state)
{
    (void)state;
    static const char *const cols[] = {"unique_id", "g"}, *cells[] = {"c1", "x", "c2", "y"};
    civ_table *t = make_table(cols, 2, cells, 2);
    civ_panel *p = make_panel(IDS, 2, 12);
    civ_hier *h = NULL;
    const char *lv[] = {"g"};
    assert_int_equal(civ_hier_build(p, t, lv, 1, NULL, 0, &h), CIV_OK);
    assert_int_equal(civ_hier_n_nodes(h), 3); /* the level g repeats the series: left out */
    double base[] = {10.0, 4.0, 5.0}, out[3];
    assert_int_equal(civ_hier_reconcile(h, CIV_RECONCILE_OLS, base, 1, NULL, 0, 0, out, NULL), CIV_OK);
    assert_true(fabs(out[1] - (4.0 + 1.0 / 3.0)) < 1e-12);
    assert_true(fabs(out[2] - (5.0 + 1.0 / 3.0)) < 1e-12);
    assert_true(out[0] == out[1] + out[2]);
    civ_hier_free(h), civ_table_free(t), civ_panel_free(p);
}

static void test_bu_td_nonnegative(void **state)
{
    (void)state;
    const char *lv[] = {"district", "street"}, *gr[] = {"service"};
    civ_hier *h = build(lv, 2, NULL, 0);
    /* total A B A/A1 A/A2 B/B1 B/B2 c1..c6 */
    double base[] = {120, 50, 40, 30, 10, 25, 20, 12, 8, 9, 11, 14, -3}, out[13];
    assert_int_equal(civ_hier_reconcile(h, CIV_RECONCILE_BU, base, 1, NULL, 0, 0, out, NULL), CIV_OK);
    assert_true(out[0] == 12 + 8 + 9 + 11 + 14 - 3 && out[1] == 29 && out[12] == -3);
    assert_int_equal(civ_hier_reconcile(h, CIV_RECONCILE_TD, base, 1, NULL, 0, 0, out, NULL), CIV_OK);
    double share_c1 = 50.0 / 90.0 * (30.0 / 40.0) * (12.0 / 20.0);
    assert_true(fabs(out[7] - 120.0 * share_c1) < 1e-12);
    assert_true(fabs(out[0] - 120.0) < 1e-12);
    assert_int_equal(civ_hier_reconcile(h, CIV_RECONCILE_BU, base, 1, NULL, 0, 1, out, NULL), CIV_OK);
    assert_true(out[12] == 0.0 && out[0] == 54.0 && out[6] == 0.0);
    civ_hier_free(h);
    const char *lv1[] = {"district"};
    h = build(lv1, 1, gr, 1);
    /* the grouped structure has 15 nodes: inputs and outputs sized to it */
    assert_int_equal(civ_hier_n_nodes(h), 15);
    double b15[15] = {0}, out15[15];
    assert_int_equal(civ_hier_reconcile(h, CIV_RECONCILE_TD, b15, 1, NULL, 0, 0, out15, NULL),
                     CIV_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(civ_last_error_message(), "nested"));
    assert_int_equal(civ_hier_reconcile(h, CIV_RECONCILE_MINT_SHRINK, b15, 1, NULL, 0, 0, out15, NULL),
                     CIV_ERR_INVALID_ARGUMENT);
    civ_hier_free(h);
}

static void run_forecast(const civ_hier *h, const civ_panel *p, int threads, civ_hier_result **r)
{
    civ_hier_options o;
    civ_hier_options_init(&o);
    o.forecast.model = "naive";
    o.forecast.horizon = 3;
    o.forecast.threads = threads;
    o.n_paths = 400;
    assert_int_equal(civ_hier_forecast(h, p, &o, r), CIV_OK);
}

static void test_forecast_coherent(void **state)
{
    (void)state;
    civ_table *t = make_table(COLS, 4, CELLS, 6);
    civ_panel *p = make_panel(IDS, 6, 30);
    civ_hier *h = NULL;
    const char *lv[] = {"district", "street"};
    assert_int_equal(civ_hier_build(p, t, lv, 2, NULL, 0, &h), CIV_OK);
    civ_hier_result *r1 = NULL, *r2 = NULL;
    run_forecast(h, p, 1, &r1);
    run_forecast(h, p, 2, &r2);
    size_t n = 13, H = 3;
    assert_int_equal(civ_hier_result_horizon(r1), H);
    for (size_t s = 0; s < H; s++) {
        assert_coherent(h, civ_hier_result_mean(r1) + s, H);
        for (size_t i = 0; i < n; i++) {
            size_t k = i * H + s;
            assert_true(civ_hier_result_lower(r1, 1)[k] <= civ_hier_result_lower(r1, 0)[k]);
            assert_true(civ_hier_result_lower(r1, 0)[k] < civ_hier_result_upper(r1, 0)[k]);
            assert_true(civ_hier_result_upper(r1, 0)[k] <= civ_hier_result_upper(r1, 1)[k]);
        }
    }
    assert_memory_equal(civ_hier_result_mean(r1), civ_hier_result_mean(r2), n * H * sizeof(double));
    assert_memory_equal(civ_hier_result_upper(r1, 1), civ_hier_result_upper(r2, 1), n * H * sizeof(double));
    assert_true(civ_hier_result_lambda(r1) >= 0.0 && civ_hier_result_lambda(r1) <= 1.0);
    civ_table *out = NULL;
    assert_int_equal(civ_hier_result_table(r1, h, &out), CIV_OK);
    assert_int_equal(civ_table_n_rows(out), n * H);
    assert_string_equal(civ_table_column_name(out, 0), "level");
    assert_string_equal(civ_table_column_name(out, 7), "lo-80");
    assert_string_equal(civ_table_text(out, 3, 2), "2002-07"); /* node A, step 1: after 2000-01 + 29 months */
    civ_table_free(out);
    civ_hier_result_free(r1), civ_hier_result_free(r2), civ_hier_free(h), civ_table_free(t), civ_panel_free(p);
}

/* Errors that move together: every series a multiple of one random walk, so every node's residuals (naive) are
 * proportional and their sample correlation is 1.  Each sample path then moves every node by the same multiple
 * of its spread, and the bottom-up total's band is the sum of its communities' bands.  Before 2026-12-07 the
 * paths used the shrunk correlation (lambda I + (1 - lambda) R), near independence, and the total's band was
 * the narrower one of errors that cancel. */
static void test_paths_keep_correlation(void **state)
{
    (void)state;
    civ_table *t = make_table(COLS, 4, CELLS, 6);
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    double walk[40], v[40];
    walk[0] = 100.0;
    for (size_t k = 1; k < 40; k++)
        walk[k] = walk[k - 1] + 4.0 * (unif() - 0.5);
    for (size_t j = 0; j < 6; j++) {
        for (size_t k = 0; k < 40; k++)
            v[k] = (1.0 + (double)j) * walk[k];
        assert_int_equal(civ_panel_add_series(p, IDS[j], 24000, v, 40, NULL), CIV_OK);
    }
    civ_hier *h = NULL;
    const char *lv[] = {"district", "street"};
    assert_int_equal(civ_hier_build(p, t, lv, 2, NULL, 0, &h), CIV_OK);
    civ_hier_options o;
    civ_hier_options_init(&o);
    o.forecast.model = "naive";
    o.forecast.horizon = 3;
    o.method = CIV_RECONCILE_BU;
    o.nonnegative = 0;
    o.n_paths = 300;
    civ_hier_result *r = NULL;
    assert_int_equal(civ_hier_forecast(h, p, &o, &r), CIV_OK);
    size_t H = 3, total = 0;
    assert_string_equal(civ_hier_node_level(h, total), "total");
    for (size_t l = 0; l < 2; l++)
        for (size_t s = 0; s < H; s++) {
            double lo = 0.0, hi = 0.0;
            for (size_t k = h->mem_off[total]; k < h->mem_off[total + 1]; k++) {
                lo += civ_hier_result_lower(r, l)[(h->n_agg + h->mem[k]) * H + s];
                hi += civ_hier_result_upper(r, l)[(h->n_agg + h->mem[k]) * H + s];
            }
            assert_true(fabs(civ_hier_result_lower(r, l)[total * H + s] - lo) <= 1e-9 * fabs(lo));
            assert_true(fabs(civ_hier_result_upper(r, l)[total * H + s] - hi) <= 1e-9 * fabs(hi));
        }
    civ_hier_result_free(r), civ_hier_free(h), civ_table_free(t), civ_panel_free(p);
}

static civ_status build_cells(const char *const *cells, const char *const *lv, size_t nl, civ_hier **h)
{
    civ_table *t = make_table(COLS, 4, cells, 6);
    civ_panel *p = make_panel(IDS, 6, 10);
    civ_status s = civ_hier_build(p, t, lv, nl, NULL, 0, h);
    civ_table_free(t);
    civ_panel_free(p);
    return s;
}

static void test_bad_hierarchies(void **state)
{
    (void)state;
    const char *lv[] = {"district", "street"}, *twice[] = {"district", "district"}, *ward[] = {"ward"};
    const char *cells[24];
    civ_hier *h = NULL;
    memcpy(cells, CELLS, sizeof cells);
    cells[20] = "c1"; /* c1 again, in street B2 */
    assert_int_equal(build_cells(cells, lv, 2, &h), CIV_ERR_DUPLICATE);
    assert_non_null(strstr(civ_last_error_message(), "community 'c1' is listed twice"));
    assert_non_null(strstr(civ_last_error_message(), "(row 6)"));
    memcpy(cells, CELLS, sizeof cells);
    cells[10] = ""; /* c3 without a street */
    assert_int_equal(build_cells(cells, lv, 2, &h), CIV_ERR_PARSE);
    assert_non_null(strstr(civ_last_error_message(), "community 'c3' (row 3) has no value of 'street'"));
    memcpy(cells, CELLS, sizeof cells);
    cells[13] = "A"; /* c4: street B1 under district A, c5: B1 under B */
    assert_int_equal(build_cells(cells, lv, 2, &h), CIV_ERR_PARSE);
    assert_non_null(strstr(civ_last_error_message(), "inconsistent nesting: street 'B1'"));
    assert_non_null(strstr(civ_last_error_message(), "row 4"));
    assert_non_null(strstr(civ_last_error_message(), "row 5"));
    /* the cure names the other reading too: streets crossing districts are a grouped structure */
    assert_non_null(strstr(civ_last_error_message(), "if streets cross districts (a grouped structure), name "
                                                     "'street' in --group (groups=) instead"));
    assert_int_equal(build_cells(CELLS, twice, 2, &h), CIV_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(civ_last_error_message(), "twice"));
    assert_int_equal(build_cells(CELLS, ward, 1, &h), CIV_ERR_MISSING_COLUMN);
    /* no column at all: it said "1..8 nested levels and 0..4 crossed groups, got 0 and 0", though groups alone
     * are a hierarchy; the message now names both ways to give the columns */
    assert_int_equal(build_cells(CELLS, lv, 0, &h), CIV_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(civ_last_error_message(), "a hierarchy names its columns: nested levels (--hierarchy "
                                                     "district,street; Python hierarchy=['district', 'street']) "
                                                     "and/or crossed groups (--group service; groups=['service']); "
                                                     "none were given"));
    assert_null(strstr(civ_last_error_message(), "1.."));
    civ_table *t = make_table(COLS, 4, CELLS, 5); /* no row for c6 */
    civ_panel *p = make_panel(IDS, 6, 10);
    assert_int_equal(civ_hier_build(p, t, lv, 2, NULL, 0, &h), CIV_ERR_NOT_FOUND);
    assert_non_null(strstr(civ_last_error_message(), "series 'c6' has no row"));
    civ_table_free(t);
    /* every id written otherwise ('C1' for 'c1'): the message says the tables' ids differ, with an example */
    const char *upper[24];
    memcpy(upper, CELLS, sizeof upper);
    const char *const UP[] = {"C1", "C2", "C3", "C4", "C5", "C6"};
    for (size_t j = 0; j < 6; j++)
        upper[4 * j] = UP[j];
    t = make_table(COLS, 4, upper, 6);
    assert_int_equal(civ_hier_build(p, t, lv, 2, NULL, 0, &h), CIV_ERR_NOT_FOUND);
    assert_non_null(strstr(civ_last_error_message(), "series 'c1' and 5 other series of 6 have no row in the "
                                                     "communities table, whose ids begin 'C1' (row 1): the panel "
                                                     "and the table must write the same ids"));
    civ_table_free(t);
    /* series ending at different periods */
    t = make_table(COLS, 4, CELLS, 6);
    civ_panel *q = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &q), CIV_OK);
    double v[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    for (size_t j = 0; j < 6; j++)
        assert_int_equal(civ_panel_add_series(q, IDS[j], 24000, v, j == 4 ? 10 : 12, NULL), CIV_OK);
    assert_int_equal(civ_hier_build(q, t, lv, 2, NULL, 0, &h), CIV_OK);
    civ_panel *agg = NULL;
    assert_int_equal(civ_hier_aggregate(h, q, &agg), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "series 'c5' ends at"));
    civ_hier_free(h), civ_table_free(t), civ_panel_free(p), civ_panel_free(q);
}

/* A level that repeats a coarser one is left out: a constant column ('Total': the total again), a column
 * one-to-one with its parent (one street per district), a group with one value.  They were kept as duplicate
 * rows of S, which changed the OLS / WLS / MinT forecasts (the duplicated node weighed twice). */
static void test_repeated_levels_left_out(void **state)
{
    (void)state;
    static const char *const cols[] = {"unique_id", "Total", "district", "dcode", "street", "kind"};
    static const char *const cells[] = {
        "c1", "all", "A", "a", "A1", "x", "c2", "all", "A", "a", "A1", "x", "c3", "all", "A", "a", "A2", "x",
        "c4", "all", "B", "b", "B1", "x", "c5", "all", "B", "b", "B1", "x", "c6", "all", "B", "b", "B2", "x"};
    civ_table *t = make_table(cols, 6, cells, 6);
    civ_panel *p = make_panel(IDS, 6, 30);
    const char *lv[] = {"Total", "district", "dcode", "street"}, *gr[] = {"kind"}, *plain[] = {"district", "street"};
    civ_hier *h = NULL, *ref = NULL;
    assert_int_equal(civ_hier_build(p, t, plain, 2, NULL, 0, &ref), CIV_OK);
    assert_int_equal(civ_hier_build(p, t, lv, 4, gr, 1, &h), CIV_OK);
    size_t n = civ_hier_n_nodes(ref);
    assert_int_equal(civ_hier_n_nodes(h), n); /* total, A, B, 4 streets, 6 series: 13 */
    static const char *const lvl[] = {"total", "Total/district", "Total/district", "Total/district/dcode/street"};
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(civ_hier_node_level(h, i == 3 ? 3 : i), lvl[i]);
    double base[13], res[13 * 20], a[13], b[13];
    for (size_t i = 0; i < n; i++)
        base[i] = 100.0 + 7.0 * (double)i;
    for (size_t k = 0; k < 13 * 20; k++)
        res[k] = unif();
    for (int m = CIV_RECONCILE_OLS; m <= CIV_RECONCILE_MINT_SHRINK; m++) {
        if (m == CIV_RECONCILE_TD)
            continue;
        double la, lb;
        assert_int_equal(civ_hier_reconcile(ref, (civ_reconcile_method)m, base, 1, res, 20, 0, a, &la), CIV_OK);
        assert_int_equal(civ_hier_reconcile(h, (civ_reconcile_method)m, base, 1, res, 20, 0, b, &lb), CIV_OK);
        for (size_t i = 0; i < n; i++)
            assert_true(fabs(a[i] - b[i]) <= 1e-9 * fabs(a[i]));
    }
    civ_hier_free(h), civ_hier_free(ref), civ_table_free(t), civ_panel_free(p);
}

/* Aggregates: a late start counts 0 before it, a missing value makes the sum missing. */
static void test_aggregate(void **state)
{
    (void)state;
    civ_table *t = make_table(COLS, 4, CELLS, 6);
    civ_panel *p = NULL, *agg = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    double v[4] = {1, 2, 3, 4}, late[2] = {10, 20}, gap[4] = {100, NAN, 300, 400};
    for (size_t j = 0; j < 6; j++) {
        const double *x = j == 1 ? late : j == 3 ? gap : v;
        assert_int_equal(civ_panel_add_series(p, IDS[j], j == 1 ? 24002 : 24000, x, j == 1 ? 2 : 4, NULL), CIV_OK);
    }
    const char *lv[] = {"district", "street"};
    civ_hier *h = NULL;
    assert_int_equal(civ_hier_build(p, t, lv, 2, NULL, 0, &h), CIV_OK);
    assert_int_equal(civ_hier_aggregate(h, p, &agg), CIV_OK);
    assert_int_equal(civ_panel_n_series(agg), 13);
    const double *x;
    size_t n;
    int64_t start;
    assert_int_equal(civ_panel_series(agg, 3, &x, &n, &start), CIV_OK); /* A/A1 = c1 + c2 (c2 from month 3) */
    assert_string_equal(civ_panel_series_id(agg, 3), "A/A1");
    assert_int_equal(n, 4);
    assert_int_equal(start, 24000);
    assert_true(x[0] == 1 && x[1] == 2 && x[2] == 13 && x[3] == 24);
    assert_int_equal(civ_panel_series(agg, 2, &x, &n, &start), CIV_OK); /* B = c4 + c5 + c6, c4 missing once */
    assert_true(x[0] == 102 && isnan(x[1]) && x[2] == 306 && x[3] == 408);
    assert_int_equal(civ_panel_series(agg, 7 + 1, &x, &n, &start), CIV_OK); /* the series itself */
    assert_int_equal(n, 2);
    assert_int_equal(start, 24002);
    /* the missing value that blanks B and the total, named (civ_hier_gaps; the late start is no gap) */
    civ_table *g = NULL;
    assert_int_equal(civ_hier_gaps(h, p, &g), CIV_OK);
    assert_int_equal(civ_table_n_rows(g), 1);
    assert_string_equal(civ_table_text(g, 0, 0), "c4");
    assert_string_equal(civ_table_text(g, 0, 1), "2000-02");
    civ_table_free(g);
    assert_int_equal(civ_hier_gaps(h, NULL, &g), CIV_ERR_INVALID_ARGUMENT);
    civ_panel_free(agg), civ_hier_free(h), civ_table_free(t), civ_panel_free(p);
}

/* Districts and streets numbered past 9 ('D10', '街道10') were listed as text, 'D10' before 'D2', in every table
 * people read.  They are listed in natural order now, while the node numbering (and so every number) stays. */
static void test_natural_order(void **state)
{
    (void)state;
    static const char *const ids[] = {"c1", "c2", "c3", "c4", "c5", "c6"};
    static const char *const cols[] = {"unique_id", "district", "street"};
    static const char *const cells[] = {"c1", "D2",  "D2/街道9", "c2", "D2",  "D2/街道10", "c3", "D10", "D10/街道1",
                                        "c4", "D10", "D10/街道1", "c5", "D1", "D1/街道2",  "c6", "D1",  "D1/街道3"};
    civ_table *t = make_table(cols, 3, cells, 6);
    civ_panel *p = make_panel(ids, 6, 30);
    const char *lv[] = {"district", "street"};
    civ_hier *h = NULL;
    assert_int_equal(civ_hier_build(p, t, lv, 2, NULL, 0, &h), CIV_OK);
    size_t n = civ_hier_n_nodes(h);
    assert_int_equal(n, 1 + 3 + 5 + 6);
    /* the numbering: byte order within a level, as before */
    assert_string_equal(civ_hier_node_id(h, 1), "D1");
    assert_string_equal(civ_hier_node_id(h, 2), "D10");
    assert_string_equal(civ_hier_node_id(h, 3), "D2");
    /* the listing: natural order within each level, then the series in the panel's order */
    static const char *const listed[] = {"total", "D1", "D2", "D10", "D1/D1/街道2", "D1/D1/街道3",
                                         "D2/D2/街道9", "D2/D2/街道10", "D10/D10/街道1",
                                         "c1", "c2", "c3", "c4", "c5", "c6"};
    for (size_t k = 0; k < n; k++)
        assert_string_equal(civ_hier_node_id(h, civ_hier_listed_node(h, k)), listed[k]);
    assert_int_equal(civ_hier_listed_node(h, n), SIZE_MAX);
    assert_int_equal(civ_hier_listed_node(NULL, 0), SIZE_MAX);
    /* the summing table, the panel of every node and the forecast table list them so */
    civ_table *st = NULL;
    assert_int_equal(civ_hier_summing_table(h, &st), CIV_OK);
    assert_string_equal(civ_table_text(st, 6, 1), "D1");  /* after the total's 6 rows */
    assert_string_equal(civ_table_text(st, 8, 1), "D2");
    assert_string_equal(civ_table_text(st, 10, 1), "D10");
    civ_panel *agg = NULL;
    assert_int_equal(civ_hier_aggregate(h, p, &agg), CIV_OK);
    for (size_t k = 0; k < n; k++)
        assert_string_equal(civ_panel_series_id(agg, k), listed[k]);
    civ_hier_result *r = NULL;
    run_forecast(h, p, 1, &r);
    civ_table *out = NULL;
    assert_int_equal(civ_hier_result_table(r, h, &out), CIV_OK);
    size_t H = civ_hier_result_horizon(r), cm;
    assert_int_equal(civ_table_find_column(out, "mean", &cm), CIV_OK);
    for (size_t k = 0; k < n; k++) {
        size_t i = civ_hier_listed_node(h, k);
        assert_string_equal(civ_table_text(out, k * H, 1), listed[k]);
        for (size_t s2 = 0; s2 < H; s2++) /* the node's own numbers, bit for bit */
            assert_true(civ_table_number(out, k * H + s2, cm) == civ_hier_result_mean(r)[i * H + s2]);
    }
    civ_table_free(out), civ_hier_result_free(r), civ_panel_free(agg), civ_table_free(st);
    civ_hier_free(h), civ_table_free(t), civ_panel_free(p);
}

/* The errors of a communities table read from a file name it, the line and the column, as a spreadsheet
 * counts them (before: "row 3" and no file; the command added the file's name, without a line). */
static void test_errors_name_the_file(void **state)
{
    (void)state;
    char dir[128], path[200];
    assert_int_equal(tf_dir_make(dir, sizeof dir, tf_tmp_root(), "civ_test_hier_"), 0);
    snprintf(path, sizeof path, "%s/communities.csv", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("unique_id,district,street\nc1,A,A1\nc2,A,A1\nc3,A,\nc4,B,B1\nc5,B,B1\nc6,B,B2\n", fp);
    fclose(fp);
    civ_table *t = NULL;
    civ_table_read_options o = {.text_columns = (const char *const[]){"unique_id", "district", "street", NULL}};
    assert_int_equal(civ_table_read_csv(path, &o, &t), CIV_OK);
    civ_panel *p = make_panel(IDS, 6, 10);
    const char *lv[] = {"district", "street"}, *bad[] = {"district", "stret"};
    civ_hier *h = NULL;
    assert_int_equal(civ_hier_build(p, t, lv, 2, NULL, 0, &h), CIV_ERR_PARSE);
    assert_string_equal(civ_last_error()->file, path);
    assert_int_equal(civ_last_error()->line, 4);
    assert_int_equal(civ_last_error()->column, 3);
    assert_non_null(strstr(civ_last_error_message(), "community 'c3' (line 4) has no value of 'street': every level "
                                                     "needs a value; fill in its street"));
    assert_int_equal(civ_hier_build(p, t, bad, 2, NULL, 0, &h), CIV_ERR_MISSING_COLUMN);
    assert_string_equal(civ_last_error()->file, path);
    assert_int_equal(civ_last_error()->line, 1);
    assert_non_null(strstr(civ_last_error_message(), "no column 'stret' named by the hierarchy; its columns are "
                                                     "unique_id, district, street"));
    civ_table_free(t);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("unique_id,district,street\nc1,A,A1\nc2,A,A1\nc3,A,A2\nc4,A,B1\nc5,B,B1\nc6,B,B2\n", fp);
    fclose(fp);
    assert_int_equal(civ_table_read_csv(path, &o, &t), CIV_OK);
    assert_int_equal(civ_hier_build(p, t, lv, 2, NULL, 0, &h), CIV_ERR_PARSE);
    assert_string_equal(civ_last_error()->file, path);
    assert_int_equal(civ_last_error()->line, 6);
    assert_int_equal(civ_last_error()->column, 2);
    assert_non_null(strstr(civ_last_error_message(), "street 'B1' is in district 'A' (line 5, community 'c4') and in "
                                                     "district 'B' (line 6, community 'c5')"));
    civ_table_free(t);
    /* a street column saved from merged cells (each street once, blanks under it): named as such, with the
     * cure, at the first blank (before: "fill in its street", as for one value forgotten) */
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("unique_id,district,street\nc1,A,A1\nc2,A,\nc3,A,\nc4,B,B1\nc5,B,\nc6,B,\n", fp);
    fclose(fp);
    assert_int_equal(civ_table_read_csv(path, &o, &t), CIV_OK);
    assert_int_equal(civ_hier_build(p, t, lv, 2, NULL, 0, &h), CIV_ERR_PARSE);
    assert_int_equal(civ_last_error()->line, 3);
    assert_int_equal(civ_last_error()->column, 3);
    assert_non_null(strstr(civ_last_error_message(), "community 'c2' (line 3) has no value of 'street', under 'A1': "
                                                     "left blank under the street above, as Excel saves merged "
                                                     "cells? unmerge and fill the column down"));
    civ_table_free(t);
    civ_panel_free(p);
    assert_int_equal(tf_dir_remove(dir), 0);
}


/* ---- civ_hier_backtest ---------------------------------------------------------------- */

static const char *const BT_IDS[] = {"c1", "c2", "c3", "c4"};
static const char *const BT_COLS[] = {"unique_id", "district"};
static const char *const BT_CELLS[] = {"c1", "A", "c2", "A", "c3", "B", "c4", "B"};

/* 2 districts x 2 communities, 14 months from 2000-01: y = 10 j + (t * (j + 3)) % 7 (c4 from month `late`). */
static civ_panel *bt_panel(size_t late)
{
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    for (size_t j = 0; j < 4; j++) {
        double v[14];
        size_t first = j == 3 ? late : 0;
        for (size_t t = 0; t < 14; t++)
            v[t] = 10.0 * (double)(j + 1) + (double)((t * (j + 3)) % 7);
        assert_int_equal(civ_panel_add_series(p, BT_IDS[j], 24000 + (int64_t)first, v + first, 14 - first, NULL),
                         CIV_OK);
    }
    return p;
}

static civ_status bt_run(const civ_hier *h, const civ_panel *p, const char *model, const char *const *methods,
                         size_t M, int threads, civ_backtest_result **r)
{
    static const double levels[] = {80.0};
    civ_hier_backtest_options o;
    assert_int_equal(civ_hier_backtest_options_init(&o), CIV_OK);
    o.hier.forecast.model = model;
    o.hier.forecast.horizon = 2;
    o.hier.forecast.levels = levels;
    o.hier.forecast.n_levels = 1;
    o.hier.forecast.threads = threads;
    o.methods = methods;
    o.n_methods = M;
    o.windows = 3;
    o.step = 2;
    return civ_hier_backtest(h, p, &o, r);
}

/* The accuracy per node (civ_hier_backtest_node_accuracy_table): each node's level first, then
 * civ_backtest_accuracy_table's by_series columns of the nodes' panel, the same figures. */
static void bt_node_accuracy(const civ_backtest_result *r, const civ_hier *h, const civ_panel *p,
                             const char *const *node)
{
    civ_table *acc = NULL, *flat = NULL;
    civ_panel *np = NULL;
    assert_int_equal(civ_hier_backtest_node_accuracy_table(r, h, p, &acc), CIV_OK);
    assert_int_equal(civ_hier_aggregate(h, p, &np), CIV_OK);
    assert_int_equal(civ_backtest_accuracy_table(r, np, 1, &flat), CIV_OK);
    assert_int_equal(civ_table_n_rows(acc), 7 * 2); /* nodes x methods */
    assert_int_equal(civ_table_n_columns(acc), civ_table_n_columns(flat) + 1);
    assert_string_equal(civ_table_column_name(acc, 0), "level");
    assert_string_equal(civ_table_column_name(acc, 1), "unique_id");
    for (size_t row = 0; row < 14; row++) {
        size_t i = row / 2;
        assert_string_equal(civ_table_text(acc, row, 0), i == 0 ? "total" : i < 3 ? "district" : "unique_id");
        assert_string_equal(civ_table_text(acc, row, 1), node[i]);
        assert_string_equal(civ_table_text(acc, row, 2), row % 2 ? "Naive/bu" : "Naive/base");
        for (size_t c = 3; c < civ_table_n_columns(acc); c++)
            assert_true(civ_table_number(acc, row, c) == civ_table_number(flat, row, c - 1));
    }
    assert_int_equal(civ_hier_backtest_node_accuracy_table(r, h, NULL, &acc), CIV_ERR_INVALID_ARGUMENT);
    civ_table_free(acc), civ_table_free(flat), civ_panel_free(np);
}

/* Naive base and bottom-up forecasts of every window by hand: cutoffs after 8, 10 and 12 months. */
static void test_backtest_by_hand(void **state)
{
    (void)state;
    civ_table *t = make_table(BT_COLS, 2, BT_CELLS, 4), *cv = NULL, *acc = NULL;
    civ_panel *p = bt_panel(0);
    civ_hier *h = NULL;
    const char *lv[] = {"district"}, *methods[] = {"base", "bu"};
    assert_int_equal(civ_hier_build(p, t, lv, 1, NULL, 0, &h), CIV_OK);
    civ_backtest_result *r = NULL;
    assert_int_equal(bt_run(h, p, "naive", methods, 2, 1, &r), CIV_OK);
    assert_int_equal(civ_backtest_result_n_failed(r), 0);
    assert_int_equal(civ_hier_backtest_table(r, h, p, &cv), CIV_OK);
    assert_int_equal(civ_table_n_rows(cv), 7 * 3 * 2 * 2); /* nodes x windows x methods x steps */
    assert_string_equal(civ_table_column_name(cv, 0), "level");
    assert_string_equal(civ_table_column_name(cv, 6), "model");
    static const char *const node[] = {"total", "A", "B", "c1", "c2", "c3", "c4"};
    static const size_t members[][4] = {{0, 1, 2, 3}, {0, 1}, {2, 3}, {0}, {1}, {2}, {3}};
    static const size_t n_members[] = {4, 2, 2, 1, 1, 1, 1};
    size_t row = 0;
    for (size_t i = 0; i < 7; i++)
        for (size_t k = 0; k < 3; k++) {
            size_t c = 8 + 2 * k; /* training values; the naive forecast is value c-1, y the next */
            for (size_t m = 0; m < 2; m++)
                for (size_t j = 0; j < 2; j++, row++) {
                    double f = 0.0, y = 0.0;
                    for (size_t q = 0; q < n_members[i]; q++) {
                        size_t s = members[i][q];
                        f += 10.0 * (double)(s + 1) + (double)(((c - 1) * (s + 3)) % 7);
                        y += 10.0 * (double)(s + 1) + (double)(((c + j) * (s + 3)) % 7);
                    }
                    assert_string_equal(civ_table_text(cv, row, 1), node[i]);
                    assert_string_equal(civ_table_text(cv, row, 0),
                                        i == 0 ? "total" : i < 3 ? "district" : "unique_id");
                    assert_string_equal(civ_table_text(cv, row, 6), m ? "Naive/bu" : "Naive/base");
                    assert_true(fabs(civ_table_number(cv, row, 7) - f) <= 1e-12);
                    assert_true(fabs(civ_table_number(cv, row, 5) - y) <= 1e-12);
                }
        }
    assert_string_equal(civ_table_text(cv, 0, 2), "2000-08"); /* window 1's cutoff */
    assert_int_equal(civ_hier_backtest_accuracy_table(r, h, p, &acc), CIV_OK);
    assert_int_equal(civ_table_n_rows(acc), 4 * 2); /* all, total, district, unique_id x 2 methods */
    assert_string_equal(civ_table_text(acc, 0, 0), "all");
    assert_string_equal(civ_table_text(acc, 6, 0), "unique_id");
    assert_true(civ_table_number(acc, 2, 2) == 3.0); /* total, base: 3 windows */
    bt_node_accuracy(r, h, p, node);
    civ_table_free(cv), civ_table_free(acc), civ_backtest_result_free(r);
    civ_hier_free(h), civ_table_free(t), civ_panel_free(p);
}

/* A community missing at a backtest window's cutoff leaves its aggregates missing there: they keep that period (a
 * trailing NaN), so every node ends at the cutoff and its forecasts start after it.  Before 2026-12-07 the
 * aggregates (and the community) ended one period early, and node_residuals wrote past its buffer (valgrind,
 * ASan). */
static void test_cut_at_a_missing_month(void **state)
{
    (void)state;
    civ_table *t = make_table(BT_COLS, 2, BT_CELLS, 4), *cv = NULL;
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    for (size_t j = 0; j < 4; j++) {
        double v[14];
        for (size_t k = 0; k < 14; k++)
            v[k] = j == 0 && k == 7 ? NAN : 10.0 * (double)(j + 1) + (double)k;
        assert_int_equal(civ_panel_add_series(p, BT_IDS[j], 24000, v, 14, NULL), CIV_OK);
    }
    civ_hier *h = NULL;
    const char *lv[] = {"district"}, *methods[] = {"base", "bu"};
    assert_int_equal(civ_hier_build(p, t, lv, 1, NULL, 0, &h), CIV_OK);
    unsigned char absent[4];
    civ_panel *cut = NULL, *np = NULL;
    assert_int_equal(civ_panel_cut(p, 24007, absent, &cut), CIV_OK); /* c1 missing at the cutoff */
    assert_int_equal(civ_hier_aggregate(h, cut, &np), CIV_OK);
    for (size_t i = 0; i < civ_panel_n_series(np); i++) {
        size_t len;
        int64_t start;
        civ_panel_series(np, i, NULL, &len, &start);
        assert_int_equal(start + (int64_t)len - 1, 24007);
    }
    civ_backtest_result *r = NULL;
    assert_int_equal(bt_run(h, p, "naive", methods, 2, 1, &r), CIV_OK); /* cutoffs 24007, 24009, 24011 */
    assert_int_equal(civ_backtest_result_n_failed(r), 0);
    assert_int_equal(civ_hier_backtest_table(r, h, p, &cv), CIV_OK);
    for (size_t row = 0; row < civ_table_n_rows(cv); row++) { /* steps are dated after the cutoff, every node */
        const char *cut_ds = civ_table_text(cv, row, 2), *ds = civ_table_text(cv, row, 3);
        int months = 12 * (atoi(ds) - atoi(cut_ds)) + atoi(ds + 5) - atoi(cut_ds + 5);
        assert_int_equal(months, (int)civ_table_number(cv, row, 4));
    }
    assert_string_equal(civ_table_text(cv, 0, 1), "total"); /* window 1: the last observed total, 100 + 4 * 6 */
    assert_true(civ_table_number(cv, 0, 7) == 124.0);
    civ_table_free(cv), civ_backtest_result_free(r), civ_panel_free(np), civ_panel_free(cut);
    civ_hier_free(h), civ_table_free(t), civ_panel_free(p);
}

/* n months of four noisy series (c1..c4 of BT_CELLS), the same values for any n (a prefix). */
static civ_panel *noisy_panel(size_t n)
{
    civ_panel *p = NULL;
    assert_int_equal(civ_panel_create(CIV_FREQ_MONTHLY, &p), CIV_OK);
    double v[40];
    assert_true(n <= 40);
    for (size_t j = 0; j < 4; j++) {
        for (size_t t = 0; t < n; t++)
            v[t] = 50.0 * (double)(j + 1) + 0.5 * (double)t + (double)(((t + 1) * (t + 2 * j + 3) * 7919) % 23);
        assert_int_equal(civ_panel_add_series(p, BT_IDS[j], 24000, v, n, NULL), CIV_OK);
    }
    return p;
}

/* The base forecasts' intervals of one backtest window (method "base": the base forecasts' own bounds) against
 * civ_forecast_panel of the aggregated panel cut at the cutoff, made with `intervals`: bit for bit, node by node. */
static void assert_base_bounds(const civ_hier *h, const civ_table *cv, int intervals)
{
    civ_panel *cut = noisy_panel(37), *np = NULL;
    assert_int_equal(civ_hier_aggregate(h, cut, &np), CIV_OK);
    static const double levels[] = {80.0, 95.0};
    civ_forecast_options fo;
    civ_forecast_options_init(&fo);
    fo.model = "naive", fo.horizon = 3, fo.levels = levels, fo.n_levels = 2;
    fo.intervals = intervals, fo.nonnegative = 0, fo.want_fitted = 1;
    civ_forecast_result *fr = NULL;
    assert_int_equal(civ_forecast_panel(np, &fo, &fr), CIV_OK);
    for (size_t row = 0; row < civ_table_n_rows(cv); row++) {
        size_t i = 0, s = (size_t)civ_table_number(cv, row, 4) - 1;
        while (strcmp(civ_panel_series_id(np, i), civ_table_text(cv, row, 1)))
            i++;
        for (size_t l = 0; l < 2; l++) {
            assert_true(civ_table_number(cv, row, 8 + 2 * l) == civ_forecast_result_lower(fr, l)[i * 3 + s]);
            assert_true(civ_table_number(cv, row, 9 + 2 * l) == civ_forecast_result_upper(fr, l)[i * 3 + s]);
        }
    }
    civ_forecast_result_free(fr), civ_panel_free(np), civ_panel_free(cut);
}

/* One backtest window of the base forecasts with `intervals`; its windows table in *cv. */
static void base_window(const civ_hier *h, const civ_panel *p, int intervals, civ_table **cv)
{
    static const double levels[] = {80.0, 95.0};
    static const char *const methods[] = {"base"};
    civ_hier_backtest_options o;
    assert_int_equal(civ_hier_backtest_options_init(&o), CIV_OK);
    o.hier.forecast.model = "naive", o.hier.forecast.horizon = 3;
    o.hier.forecast.levels = levels, o.hier.forecast.n_levels = 2, o.hier.forecast.intervals = intervals;
    o.methods = methods, o.n_methods = 1, o.windows = 1;
    civ_backtest_result *r = NULL;
    assert_int_equal(civ_hier_backtest(h, p, &o, &r), CIV_OK);
    assert_int_equal(civ_backtest_result_n_failed(r), 0);
    assert_int_equal(civ_hier_backtest_table(r, h, p, cv), CIV_OK);
    assert_int_equal(civ_table_n_rows(*cv), 7 * 3);
    civ_backtest_result_free(r);
}

/* The base forecasts' intervals (the base-bands round of 2026-12-07): by default conformal ones, exactly those of
 * civ_forecast_panel with CIV_INTERVALS_CONFORMAL on the aggregated panel at the cutoff; CIV_INTERVALS_MODEL the
 * models' own.  Before, the default was the models' own.  A hierarchy too short for the calibration windows keeps
 * the models' intervals and counts the nodes (civ_hier_result_n_uncalibrated; in a backtest the node windows). */
static void test_base_intervals(void **state)
{
    (void)state;
    civ_table *t = make_table(BT_COLS, 2, BT_CELLS, 4), *def = NULL, *model = NULL;
    civ_panel *p = noisy_panel(40);
    civ_hier *h = NULL;
    const char *lv[] = {"district"};
    assert_int_equal(civ_hier_build(p, t, lv, 1, NULL, 0, &h), CIV_OK);
    base_window(h, p, CIV_INTERVALS_DEFAULT, &def);
    base_window(h, p, CIV_INTERVALS_MODEL, &model);
    assert_base_bounds(h, def, CIV_INTERVALS_CONFORMAL);
    assert_base_bounds(h, model, CIV_INTERVALS_MODEL);
    size_t differ = 0;
    for (size_t row = 0; row < 21; row++)
        differ += civ_table_number(def, row, 9) != civ_table_number(model, row, 9);
    assert_true(differ > 10);
    civ_panel *shorter = noisy_panel(5);
    civ_hier_options o;
    civ_hier_options_init(&o);
    o.forecast.model = "naive", o.forecast.horizon = 3, o.method = CIV_RECONCILE_BU;
    civ_hier_result *r = NULL;
    assert_int_equal(civ_hier_forecast(h, shorter, &o, &r), CIV_OK);
    assert_true(civ_hier_result_n_uncalibrated(r) > 0);
    civ_hier_result_free(r);
    o.forecast.intervals = CIV_INTERVALS_MODEL;
    assert_int_equal(civ_hier_forecast(h, shorter, &o, &r), CIV_OK);
    assert_int_equal(civ_hier_result_n_uncalibrated(r), 0);
    civ_hier_result_free(r);
    civ_backtest_result *bt = NULL; /* in a backtest: the node windows counted */
    static const char *const base_only[] = {"base"};
    civ_hier_backtest_options bo;
    assert_int_equal(civ_hier_backtest_options_init(&bo), CIV_OK);
    bo.hier.forecast.model = "naive", bo.hier.forecast.horizon = 2, bo.methods = base_only, bo.n_methods = 1;
    assert_int_equal(civ_hier_backtest(h, shorter, &bo, &bt), CIV_OK);
    assert_true(civ_backtest_result_n_uncalibrated(bt) > 0);
    civ_backtest_result_free(bt);
    bo.hier.forecast.intervals = CIV_INTERVALS_MODEL;
    assert_int_equal(civ_hier_backtest(h, shorter, &bo, &bt), CIV_OK);
    assert_int_equal(civ_backtest_result_n_uncalibrated(bt), 0);
    assert_int_equal(civ_backtest_result_add_uncalibrated(NULL, 1), CIV_ERR_INVALID_ARGUMENT);
    civ_backtest_result_free(bt), civ_panel_free(shorter);
    civ_table_free(def), civ_table_free(model), civ_hier_free(h), civ_table_free(t), civ_panel_free(p);
}

/* The residuals of the node forecasts fr of the node panel np, period-major on node 0's span (as
 * civ_hier_forecast lays them out; every node of noisy_panel spans it). */
static double *node_residuals_of(const civ_forecast_result *fr, const civ_panel *np, size_t *t)
{
    civ_table *ft = NULL;
    size_t n = civ_panel_n_series(np), col;
    assert_int_equal(civ_forecast_fitted_table(fr, np, &ft), CIV_OK);
    assert_int_equal(civ_table_find_column(ft, "residual", &col), CIV_OK);
    civ_panel_series(np, 0, NULL, t, NULL);
    double *res = malloc(*t * n * sizeof *res);
    for (size_t i = 0; i < n; i++)
        for (size_t r = 0; r < *t; r++)
            res[r * n + i] = civ_table_number(ft, i * *t + r, col);
    civ_table_free(ft);
    return res;
}

/* civ_hier_reconcile_bands given civ_hier_forecast's own base forecasts, bounds and residuals gives its
 * result bit for bit (every method, 1 and 2 threads); without levels it is civ_hier_reconcile; its errors
 * name the node and step; the result has no periods for civ_hier_result_table. */
static void test_reconcile_bands(void **state)
{
    (void)state;
    civ_table *t = make_table(BT_COLS, 2, BT_CELLS, 4), *tab = NULL;
    civ_panel *p = noisy_panel(40), *np = NULL;
    civ_hier *h = NULL;
    const char *lv[] = {"district"};
    assert_int_equal(civ_hier_build(p, t, lv, 1, NULL, 0, &h), CIV_OK);
    static const double levels[] = {80.0, 95.0};
    civ_hier_options o;
    civ_hier_options_init(&o);
    o.forecast.model = "ets", o.forecast.horizon = 4, o.forecast.levels = levels, o.forecast.n_levels = 2;
    civ_forecast_options fo = o.forecast;
    fo.intervals = CIV_INTERVALS_CONFORMAL, fo.nonnegative = 0, fo.want_fitted = 1;
    civ_forecast_result *fr = NULL;
    assert_int_equal(civ_hier_aggregate(h, p, &np), CIV_OK);
    assert_int_equal(civ_forecast_panel(np, &fo, &fr), CIV_OK);
    size_t T = 0, n = civ_hier_n_nodes(h), plane = n * 4;
    double *res = node_residuals_of(fr, np, &T);
    const double *lo = civ_forecast_result_lower(fr, 0), *hi = civ_forecast_result_upper(fr, 0);
    for (civ_reconcile_method m = CIV_RECONCILE_BU; m <= CIV_RECONCILE_MINT_SHRINK; m++) {
        civ_hier_result *a = NULL, *b = NULL;
        o.method = m, o.forecast.threads = 1;
        assert_int_equal(civ_hier_forecast(h, p, &o, &a), CIV_OK);
        o.forecast.threads = 2;
        assert_int_equal(civ_hier_reconcile_bands(h, &o, civ_forecast_result_mean(fr), lo, hi, 4, res, T, &b),
                         CIV_OK);
        assert_memory_equal(civ_hier_result_mean(a), civ_hier_result_mean(b), plane * sizeof(double));
        assert_memory_equal(civ_hier_result_base(a), civ_hier_result_base(b), plane * sizeof(double));
        for (size_t l = 0; l < 2; l++) {
            assert_memory_equal(civ_hier_result_lower(a, l), civ_hier_result_lower(b, l), plane * sizeof(double));
            assert_memory_equal(civ_hier_result_upper(a, l), civ_hier_result_upper(b, l), plane * sizeof(double));
        }
        civ_hier_result_free(a), civ_hier_result_free(b);
    }
    /* no levels: the point forecasts of civ_hier_reconcile, no bounds needed */
    double *mean = malloc(plane * sizeof *mean);
    civ_hier_result *r = NULL;
    o.method = CIV_RECONCILE_MINT_SHRINK, o.forecast.n_levels = 0;
    assert_int_equal(civ_hier_reconcile(h, o.method, civ_forecast_result_mean(fr), 4, res, T, 0, mean, NULL), CIV_OK);
    assert_int_equal(civ_hier_reconcile_bands(h, &o, civ_forecast_result_mean(fr), NULL, NULL, 4, res, T, &r), CIV_OK);
    assert_memory_equal(civ_hier_result_mean(r), mean, plane * sizeof(double));
    assert_int_equal(civ_hier_result_n_levels(r), 0);
    assert_int_equal(civ_hier_result_table(r, h, &tab), CIV_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(civ_last_error()->message, "no periods"));
    civ_hier_result_free(r);
    /* errors: levels without residuals; a bound that is not a number names its node and step */
    o.forecast.n_levels = 2, o.method = CIV_RECONCILE_BU, r = NULL;
    assert_int_equal(civ_hier_reconcile_bands(h, &o, civ_forecast_result_mean(fr), lo, hi, 4, NULL, 0, &r),
                     CIV_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(civ_last_error()->message, "residuals"));
    double *bad = malloc(2 * plane * sizeof *bad);
    memcpy(bad, hi, 2 * plane * sizeof *bad);
    bad[plane + 1 * 4 + 2] = NAN; /* node 1, h = 3, level 95 */
    assert_int_equal(civ_hier_reconcile_bands(h, &o, civ_forecast_result_mean(fr), lo, bad, 4, res, T, &r),
                     CIV_ERR_INVALID_ARGUMENT);
    assert_string_equal(civ_last_error()->series_id, civ_hier_node_id(h, 1));
    assert_non_null(strstr(civ_last_error()->message, "hi-95 bound for h = 3"));
    static const double bad_levels[] = {80.0, 100.0};
    o.forecast.levels = bad_levels;
    assert_int_equal(civ_hier_reconcile_bands(h, &o, civ_forecast_result_mean(fr), lo, hi, 4, res, T, &r),
                     CIV_ERR_INVALID_ARGUMENT);
    assert_null(r);
    free(bad), free(mean), free(res);
    civ_forecast_result_free(fr), civ_panel_free(np), civ_hier_free(h), civ_table_free(t), civ_panel_free(p);
}

/* One window is civ_hier_forecast of the truncated panel; 1 and 2 threads agree bit for bit; a window whose
 * cutoff comes before a series' first value fails as a value naming the series. */
static void test_backtest_window_threads_errors(void **state)
{
    (void)state;
    civ_table *t = make_table(BT_COLS, 2, BT_CELLS, 4), *c1 = NULL, *c2 = NULL;
    civ_panel *p = bt_panel(0);
    civ_hier *h = NULL;
    const char *lv[] = {"district"}, *methods[] = {"mint_shrink", "base"};
    assert_int_equal(civ_hier_build(p, t, lv, 1, NULL, 0, &h), CIV_OK);
    civ_backtest_result *r1 = NULL, *r2 = NULL;
    assert_int_equal(bt_run(h, p, "ets", methods, 2, 1, &r1), CIV_OK);
    assert_int_equal(bt_run(h, p, "ets", methods, 2, 2, &r2), CIV_OK);
    assert_int_equal(civ_hier_backtest_table(r1, h, p, &c1), CIV_OK);
    assert_int_equal(civ_hier_backtest_table(r2, h, p, &c2), CIV_OK);
    for (size_t c = 6; c < civ_table_n_columns(c1); c++)
        if (civ_table_column_type(c1, c) == CIV_COLUMN_NUMBER)
            assert_memory_equal(civ_table_numbers(c1, c), civ_table_numbers(c2, c), civ_table_n_rows(c1) * 8);
    /* the last window (cutoff after 12 months) against civ_hier_forecast of the first 12 months */
    size_t len[] = {12, 12, 12, 12};
    civ_panel *cut = NULL;
    assert_int_equal(civ_panel_prefixes(p, len, &cut), CIV_OK);
    civ_hier_options ho;
    civ_hier_options_init(&ho);
    static const double levels[] = {80.0};
    ho.forecast.model = "ets", ho.forecast.horizon = 2, ho.forecast.levels = levels, ho.forecast.n_levels = 1;
    civ_hier_result *f = NULL;
    assert_int_equal(civ_hier_forecast(h, cut, &ho, &f), CIV_OK);
    for (size_t k = 0; k < 7; k++) {
        size_t i = civ_hier_listed_node(h, k), row = ((k * 3 + 2) * 2) * 2; /* node k, window 3, mint */
        for (size_t j = 0; j < 2; j++) {
            assert_true(civ_table_number(c1, row + j, 7) == civ_hier_result_mean(f)[i * 2 + j]);
            assert_true(civ_table_number(c1, row + j, 8) == civ_hier_result_lower(f, 0)[i * 2 + j]);
            assert_true(civ_table_number(c1, row + 2 + j, 7) == civ_hier_result_base(f)[i * 2 + j]);
        }
    }
    civ_hier_result_free(f), civ_panel_free(cut);
    civ_table_free(c1), civ_table_free(c2), civ_backtest_result_free(r1), civ_backtest_result_free(r2);
    civ_hier_free(h), civ_panel_free(p);
    /* c4 starts in month 9 (index 8): in window 1 (8 months) it is not there yet: counted as 0 (B is c3's alone),
     * its own rows failed (before, the window could not be made for any node) */
    p = bt_panel(8);
    assert_int_equal(civ_hier_build(p, t, lv, 1, NULL, 0, &h), CIV_OK);
    const char *naive_methods[] = {"bu"}, *two[] = {"base", "mint_shrink"};
    assert_int_equal(bt_run(h, p, "naive", two, 2, 1, &r1), CIV_OK);
    /* c4 in window 1 (2 methods); window 2 (c4 with 2 values, 1 residual) is reconciled by MinT from the rows
     * where some node has a residual (before 2026-12-07 it failed for every node, as civ_hier_forecast did) */
    assert_int_equal(civ_backtest_result_n_failed(r1), 2);
    assert_int_equal(civ_hier_backtest_table(r1, h, p, &c1), CIV_OK);
    double c3_last = 30.0 + (double)((7 * 5) % 7);
    for (size_t m = 0; m < 2; m++) {
        size_t b_row = ((2 * 3 + 0) * 2 + m) * 2, c4_row = ((6 * 3 + 0) * 2 + m) * 2; /* B and c4, window 1 */
        assert_string_equal(civ_table_text(c1, c4_row, 1), "c4");
        assert_true(isnan(civ_table_number(c1, c4_row, 7)));
        if (m == 0)
            assert_true(civ_table_number(c1, b_row, 7) == c3_last);
    }
    civ_table_free(c1), civ_backtest_result_free(r1), civ_hier_free(h), civ_panel_free(p);
    /* c4 from index 7: one value at window 1's cutoff, too few for ETS: c4's window fails (counted as 0 above
     * it), as a value naming the node and the window (its cutoff in the failures table) */
    p = bt_panel(7);
    assert_int_equal(civ_hier_build(p, t, lv, 1, NULL, 0, &h), CIV_OK);
    assert_int_equal(bt_run(h, p, "ets", naive_methods, 1, 1, &r1), CIV_OK);
    assert_int_equal(civ_backtest_result_n_failed(r1), 1); /* c4, window 1 */
    civ_panel *np = NULL;
    assert_int_equal(civ_hier_aggregate(h, p, &np), CIV_OK);
    assert_int_equal(civ_backtest_failures_table(r1, np, &c1), CIV_OK);
    assert_int_equal(civ_table_n_rows(c1), 1);
    assert_string_equal(civ_table_text(c1, 0, 0), "c4");
    assert_string_equal(civ_table_text(c1, 0, 2), "2000-08");
    assert_non_null(strstr(civ_table_text(c1, 0, 4), "window 1 of 3: too few values"));
    assert_non_null(strstr(civ_table_text(c1, 0, 4), "ETS needs at least 2"));
    /* errors before any window: an unknown method, td on a grouped structure, a method twice */
    const char *bad[] = {"bu", "bu"}, *unknown[] = {"mintt"};
    assert_int_equal(bt_run(h, p, "naive", bad, 2, 1, &r2), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(bt_run(h, p, "naive", unknown, 1, 1, &r2), CIV_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(civ_last_error()->message, "mintt"));
    assert_int_equal(bt_run(h, p, "nosuchmodel", naive_methods, 1, 1, &r2), CIV_ERR_SPEC);
    civ_table_free(c1), civ_panel_free(np), civ_backtest_result_free(r1);
    civ_hier_free(h), civ_table_free(t), civ_panel_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nodes_and_s),          cmocka_unit_test(test_closed_forms),
        cmocka_unit_test(test_two_children_by_hand), cmocka_unit_test(test_bu_td_nonnegative),
        cmocka_unit_test(test_forecast_coherent),    cmocka_unit_test(test_bad_hierarchies),
        cmocka_unit_test(test_paths_keep_correlation), cmocka_unit_test(test_missing_residuals),
        cmocka_unit_test(test_aggregate),            cmocka_unit_test(test_repeated_levels_left_out),
        cmocka_unit_test(test_natural_order),        cmocka_unit_test(test_errors_name_the_file),
        cmocka_unit_test(test_backtest_by_hand),     cmocka_unit_test(test_backtest_window_threads_errors),
        cmocka_unit_test(test_base_intervals),       cmocka_unit_test(test_cut_at_a_missing_month),
        cmocka_unit_test(test_reconcile_bands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
