/*
 * test_alloc.c -- the allocation engine end to end (engine/src/alloc/alloc.c):
 * hand-computed cases for every feature (factor shares with a coefficient,
 * reserves, tilts, floors, hold-harmless, pace, caps, ratable reduction,
 * earmarks by threshold and top-k, forecast factors, the decomposition and
 * the summary), data errors (duplicate ids, negative/NaN attributes, unknown
 * attributes with their spec location, forecasts for unknown ids or
 * missing), and property tests over random specs and tables: totals exact to
 * the fen, every bound kept, permuting the rows changes nothing, and raising
 * a community's factor never lowers its amount.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <omp.h>

#include "alloc.h"
#include "alloc_fixture.h"
#include "test_files.h"

static char tmpdir[64];

static int setup_dir(void **state)
{
    return tf_dir_make(tmpdir, sizeof tmpdir, "/tmp", "civ_test_alloc_");
}

static int remove_dir(void **state)
{
    return tf_dir_remove(tmpdir);
}

static civ_table *csv_table(const char *text)
{
    static const char *const text_cols[] = {"unique_id", "district", "model", NULL};
    return af_csv_table(tmpdir, text, text_cols);
}

/* Runs spec + data; returns status; fills amounts by id order of `ids`. */
typedef struct run_out {
    civ_alloc_problem *p;
    civ_alloc_result *r;
    civ_table *t, *sum;
} run_out;

static civ_status run(const civ_alloc_spec *s, const civ_table *c, const civ_table *f, run_out *o)
{
    memset(o, 0, sizeof *o);
    civ_status st = civ_alloc_bind(s, c, f, &o->p);
    if (!st)
        st = civ_alloc_result_create(o->p, &o->r);
    if (!st)
        st = civ_alloc_solve(o->p, o->r);
    if (!st)
        st = civ_alloc_result_table(o->p, o->r, 1, &o->t);
    if (!st)
        st = civ_alloc_result_summary(o->p, o->r, &o->sum);
    return st;
}

static void run_free(run_out *o)
{
    civ_table_free(o->t);
    civ_table_free(o->sum);
    civ_alloc_result_free(o->r);
    civ_alloc_problem_free(o->p);
}

static const char *text_cell(const civ_table *t, size_t row, const char *col)
{
    size_t c;
    if (civ_table_find_column(t, col, &c))
        fail_msg("no column %s", col);
    return civ_table_text(t, row, c);
}

/* The tidy summary's value for (section, item, measure). */
static double summary_value(const civ_table *t, const char *section, const char *item, const char *measure)
{
    for (size_t r = 0; r < civ_table_n_rows(t); r++)
        if (!strcmp(text_cell(t, r, "section"), section) && !strcmp(text_cell(t, r, "item"), item) &&
            !strcmp(text_cell(t, r, "measure"), measure))
            return af_cell(t, r, "value");
    fail_msg("no summary row %s/%s/%s", section, item, measure);
    return NAN;
}

#define HEAD "version = \"t\"\n[budget]\ntotal = 1000.00\nfiscal_year = 2026\n"

/* ---- hand cases ---------------------------------------------------------- */

static void test_factor_shares_and_rounding(void **state)
{
    (void)state;
    civ_alloc_spec *s = af_spec_of(HEAD "[data]\npopulation = \"pop\"\n"
                                        "[[pool]]\nname = \"p\"\nshare = 1\n"
                                        "[[factor]]\nname = \"pop\"\nattribute = \"pop\"\ncoefficient = \"d\"\nweight = 0.5\n"
                                        "[[factor]]\nname = \"aged\"\nattribute = \"aged\"\nweight = 0.5\n");
    /* rows out of id order on purpose */
    civ_table *c = csv_table("unique_id,district,pop,d,aged\nC,d2,700,0.5,60\nA,d1,100,1,10\nB,d1,200,1,30\n");
    run_out o;
    assert_int_equal(run(s, c, NULL, &o), CIV_OK);
    /* By hand: pop*d = 100, 200, 350 (sum 650); aged 10, 30, 60 (sum 100).
     * score A = .5*100/650 + .5*.1 = .126923; B = .5*200/650 + .5*.3 = .303846;
     * C = .5*350/650 + .5*.6 = .569231.  Of 100000 fen: 12692.31, 30384.62,
     * 56923.08; floors sum to 99999, the largest remainder (B, .62) gets the
     * last fen -> A 12692, B 30385, C 56923.  Rows keep the input order. */
    assert_string_equal(text_cell(o.t, 0, "unique_id"), "C");
    assert_true(af_cell(o.t, 0, "amount_fen") == 56923);
    assert_true(af_cell(o.t, 1, "amount_fen") == 12692);
    assert_true(af_cell(o.t, 2, "amount_fen") == 30385);
    assert_string_equal(text_cell(o.t, 1, "amount_yuan"), "126.92");
    assert_true(af_cell(o.t, 1, "share_pct") == 12.692);
    /* decomposition of A: pop 100000*.5*100/650 = 7692.31, aged 5000,
     * rounding 12692 - 12692.31 = -.31; they sum to the amount */
    assert_true(fabs(af_cell(o.t, 1, "factor_pop_fen") - 100000 * 0.5 * 100 / 650) < 1e-6);
    assert_true(fabs(af_cell(o.t, 1, "factor_aged_fen") - 5000) < 1e-6);
    assert_true(fabs(af_cell(o.t, 1, "rounding_fen") - (12692 - 12692.307692307692)) < 1e-6);
    for (size_t r = 0; r < 3; r++)
        assert_true(fabs(af_cell(o.t, r, "factor_pop_fen") + af_cell(o.t, r, "factor_aged_fen") + af_cell(o.t, r, "unattributed_fen") +
                         af_cell(o.t, r, "rounding_fen") - af_cell(o.t, r, "amount_fen")) < 1e-6);
    assert_string_equal(text_cell(o.t, 1, "binding"), "");
    assert_non_null(strstr(text_cell(o.t, 1, "explanation"), "pop 60.6% + aged 39.4%"));
    /* summary: total = budget, districts d1 = 12692 + 30385 = 43077 */
    assert_true(summary_value(o.sum, "total", "budget", "amount") == 100000);
    assert_true(summary_value(o.sum, "district", "d1", "amount") == 43077);
    assert_true(summary_value(o.sum, "district", "d2", "amount") == 56923);
    /* per capita: 1000 yuan / 1000 people */
    assert_true(fabs(summary_value(o.sum, "statistic", "per_capita_mean", "amount") - 1.0) < 1e-12);
    /* [data] population is copied (row order) for the per-capita figures;
     * [data] aged is not named, so there is no aged column */
    assert_true(af_cell(o.t, 0, "population") == 700 && af_cell(o.t, 1, "population") == 100);
    size_t col;
    assert_int_equal(civ_table_find_column(o.t, "aged", &col), CIV_ERR_NOT_FOUND);
    run_free(&o);
    civ_table_free(c);
    civ_alloc_spec_free(s);
}

static void test_reserve_tilt_floor(void **state)
{
    (void)state;
    civ_alloc_spec *s = af_spec_of(HEAD "[[reserve]]\nname = \"emergency\"\nshare = 0.05\n"
                                        "[[pool]]\nname = \"p\"\nshare = 1\n"
                                        "[[formula]]\nname = \"main\"\nfloor = 200.00\n"
                                        "[[factor]]\nname = \"pop\"\nattribute = \"pop\"\nweight = 1\n"
                                        "[[tilt]]\nname = \"aging\"\nattribute = \"share\"\nabove = 0.25\nmultiplier = 2\n");
    civ_table *c = csv_table("unique_id,pop,share\nA,100,0.3\nB,300,0.2\nC,600,0.25\n");
    run_out o;
    assert_int_equal(run(s, c, NULL, &o), CIV_OK);
    /* By hand: reserve 5% of 100000 = 5000, pool 95000.  Shares .1,.3,.6;
     * A's aged share .3 > .25 doubles it (C's .25 is not above): raw .2, .3,
     * .6.  Unconstrained A = 95000*.2/1.1 = 17272.7 < floor 20000, so A is
     * raised to 20000 and B, C share 75000 as .3 : .6 -> 25000, 50000
     * (lambda = 83333.3; A's 16666.7 stays below its floor). */
    assert_true(af_cell(o.t, 0, "amount_fen") == 20000);
    assert_true(af_cell(o.t, 1, "amount_fen") == 25000);
    assert_true(af_cell(o.t, 2, "amount_fen") == 50000);
    assert_true(af_cell(o.t, 0, "tilt") == 2);
    assert_true(af_cell(o.t, 2, "tilt") == 1);
    size_t col; /* no [data]: no population or aged column */
    assert_int_equal(civ_table_find_column(o.t, "population", &col), CIV_ERR_NOT_FOUND);
    assert_string_equal(text_cell(o.t, 0, "binding"), "floor");
    const char *ex = text_cell(o.t, 0, "explanation");
    assert_non_null(strstr(ex, "aging tilt ×2"));
    assert_non_null(strstr(ex, "raised to the floor of 200.00"));
    assert_true(summary_value(o.sum, "reserve", "emergency", "amount") == 5000);
    assert_true(summary_value(o.sum, "total", "allocated", "amount") == 95000);
    assert_true(summary_value(o.sum, "total", "budget", "amount") == 100000);
    assert_true(summary_value(o.sum, "binding", "floor", "communities") == 1);
    /* the waterfall stages: base (no tilt) A = 95000*.1 = 9500 */
    double v[3];
    assert_int_equal(civ_alloc_result_stage(o.p, o.r, CIV_ALLOC_STAGE_BASE, v, 3), CIV_OK);
    assert_true(fabs(v[0] - 9500) < 1e-6);
    assert_int_equal(civ_alloc_result_stage(o.p, o.r, CIV_ALLOC_STAGE_TILTED, v, 3), CIV_OK);
    assert_true(fabs(v[0] - 95000 * 0.2 / 1.1) < 1e-6);
    assert_int_equal(civ_alloc_result_stage(o.p, o.r, CIV_ALLOC_STAGE_CONSTRAINED, v, 3), CIV_OK);
    assert_true(fabs(v[0] - 20000) < 1e-9);
    run_free(&o);
    civ_table_free(c);
    civ_alloc_spec_free(s);
}

static void test_hold_harmless_and_pace(void **state)
{
    (void)state;
    const char *spec_text = "version = \"t\"\n[budget]\ntotal = 1200.00\nfiscal_year = 2026\n"
                            "[[pool]]\nname = \"p\"\nshare = 1\n"
                            "[[formula]]\nname = \"main\"\nhold_harmless = 0.9\npace = 0.25\nlast_year = \"ly\"\n"
                            "[[factor]]\nname = \"pop\"\nattribute = \"pop\"\nweight = 1\n";
    civ_alloc_spec *s = af_spec_of(spec_text);
    civ_table *c = csv_table("unique_id,pop,ly\nA,100,300.00\nB,100,100.00\nC,800,600.00\n");
    run_out o;
    assert_int_equal(run(s, c, NULL, &o), CIV_OK);
    /* By hand (fen): pool 120000, raw .1 .1 .8.  lo = 90% of last year =
     * 27000, 9000, 54000; hi = 125% = 37500, 12500, 75000.  C's share (96000)
     * is above its pace limit -> 75000; B reaches its limit 12500 at lambda
     * 125000; A's formula amount (12500) is below its hold-harmless, but the
     * 32500 left over lies inside A's [27000, 37500]: lambda = 325000, A free
     * at 32500. */
    assert_true(af_cell(o.t, 0, "amount_fen") == 32500);
    assert_true(af_cell(o.t, 1, "amount_fen") == 12500);
    assert_true(af_cell(o.t, 2, "amount_fen") == 75000);
    assert_string_equal(text_cell(o.t, 0, "binding"), "");
    assert_string_equal(text_cell(o.t, 1, "binding"), "pace");
    assert_string_equal(text_cell(o.t, 2, "binding"), "pace");
    /* change: A 325.00 - 300.00 = 25.00 yuan, +8.33% */
    assert_true(af_cell(o.t, 0, "change_fen") == 2500);
    assert_string_equal(text_cell(o.t, 0, "change_yuan"), "25.00");
    assert_true(af_cell(o.t, 0, "change_pct") == 8.33); /* 25 / 300, in % to 2 decimals */
    assert_non_null(strstr(text_cell(o.t, 2, "explanation"), "limited by pace to +25% over last year"));
    run_free(&o);
    civ_table_free(c);
    civ_alloc_spec_free(s);

    /* a smaller pool (1000.00): the hold-harmless binds.  lambda: A at 27000,
     * C at 64000 = 80000*.8 inside [54000, 75000], B at 9000 (8000 < 9000). */
    civ_alloc_spec *s2 = af_spec_of(HEAD "[[pool]]\nname = \"p\"\nshare = 1\n"
                                         "[[formula]]\nname = \"main\"\nhold_harmless = 0.9\npace = 0.25\nlast_year = \"ly\"\n"
                                         "[[factor]]\nname = \"pop\"\nattribute = \"pop\"\nweight = 1\n");
    c = csv_table("unique_id,pop,ly\nA,100,300.00\nB,100,100.00\nC,800,600.00\n");
    assert_int_equal(run(s2, c, NULL, &o), CIV_OK);
    assert_true(af_cell(o.t, 0, "amount_fen") == 27000);
    assert_true(af_cell(o.t, 1, "amount_fen") == 9000);
    assert_true(af_cell(o.t, 2, "amount_fen") == 64000);
    assert_string_equal(text_cell(o.t, 0, "binding"), "hold_harmless");
    assert_non_null(strstr(text_cell(o.t, 0, "explanation"), "raised to hold-harmless 90% of last year"));
    run_free(&o);
    civ_table_free(c);
    civ_alloc_spec_free(s2);

    /* a cap of 30% of the pool under C's hold-harmless of 54000: infeasible,
     * naming the community */
    civ_alloc_spec *s3 = af_spec_of(HEAD "[[pool]]\nname = \"p\"\nshare = 1\n"
                                         "[[formula]]\nname = \"main\"\ncap_share = 0.3\nhold_harmless = 0.9\nlast_year = \"ly\"\n"
                                         "[[factor]]\nname = \"pop\"\nattribute = \"pop\"\nweight = 1\n");
    c = csv_table("unique_id,pop,ly\nA,100,300.00\nB,100,100.00\nC,800,600.00\n");
    assert_int_equal(run(s3, c, NULL, &o), CIV_ERR_INFEASIBLE);
    assert_non_null(strstr(civ_last_error()->message, "community 'C'"));
    assert_non_null(strstr(civ_last_error()->message, "upper bound (cap) of 300.00 CNY below its lower bound "
                                                      "(hold-harmless) of 540.00")); /* in yuan, not 30000 fen */
    run_free(&o);
    civ_table_free(c);
    civ_alloc_spec_free(s3);
}

/* Issue 16 item 3, the direction of rounding of each bound, at the boundary
 * and one fen past it: hold-harmless (a minimum) rounds up, pace and
 * cap_share (maximums) round down; an exact product is not moved. */
static int64_t amount_of(const char *spec_text, const char *csv, size_t row, const char *binding)
{
    civ_alloc_spec *s = af_spec_of(spec_text);
    civ_table *c = csv_table(csv);
    run_out o;
    if (run(s, c, NULL, &o))
        fail_msg("%s", civ_last_error_message());
    int64_t v = (int64_t)af_cell(o.t, row, "amount_fen");
    assert_string_equal(text_cell(o.t, row, "binding"), binding);
    run_free(&o);
    civ_table_free(c);
    civ_alloc_spec_free(s);
    return v;
}

static void test_bound_directions(void **state)
{
    (void)state;
    const char *hh = "version = \"t\"\n[budget]\ntotal = 2000.00\nfiscal_year = 2026\n[[pool]]\nname = \"p\"\n"
                     "share = 1\n[[formula]]\nname = \"main\"\nhold_harmless = 0.85\nlast_year = \"ly\"\n"
                     "[[factor]]\nname = \"pop\"\nattribute = \"pop\"\nweight = 1\n";
    /* 85% of 100,001 fen = 85,000.85 -> 85,001 (never below 85%) */
    assert_true(amount_of(hh, "unique_id,pop,ly\nA,1,1000.01\nB,1000,0\n", 0, "hold_harmless") == 85001);
    assert_true(amount_of(hh, "unique_id,pop,ly\nA,1,1000.00\nB,1000,0\n", 0, "hold_harmless") == 85000);
    const char *pace = "version = \"t\"\n[budget]\ntotal = 2000.00\nfiscal_year = 2026\n[[pool]]\nname = \"p\"\n"
                       "share = 1\n[[formula]]\nname = \"main\"\npace = 0.1\nlast_year = \"ly\"\n"
                       "[[factor]]\nname = \"pop\"\nattribute = \"pop\"\nweight = 1\n";
    /* 110% of 100,001 fen = 110,001.1 -> 110,001 (never above +10%) */
    assert_true(amount_of(pace, "unique_id,pop,ly\nA,1000,1000.01\nB,1,0\n", 0, "pace") == 110001);
    assert_true(amount_of(pace, "unique_id,pop,ly\nA,1000,1000.00\nB,1,0\n", 0, "pace") == 110000);
    /* 30% of a pool of 100,001 fen = 30,000.3 -> 30,000 (never above 30%);
     * of 100,010 fen exactly 30,003 */
    const char *cs = "version = \"t\"\n[budget]\ntotal = %s\nfiscal_year = 2026\n[[pool]]\nname = \"p\"\n"
                     "share = 1\n[[formula]]\nname = \"main\"\ncap_share = 0.3\n"
                     "[[factor]]\nname = \"pop\"\nattribute = \"pop\"\nweight = 1\n";
    const char *data = "unique_id,pop\nA,1000\nB,1\nC,1\nD,1\n";
    char text[400];
    snprintf(text, sizeof text, cs, "1000.01");
    assert_true(amount_of(text, data, 0, "cap") == 30000);
    snprintf(text, sizeof text, cs, "1000.10");
    assert_true(amount_of(text, data, 0, "cap") == 30003);
}

static void test_cap(void **state)
{
    (void)state;
    civ_alloc_spec *s = af_spec_of(HEAD "[[pool]]\nname = \"p\"\nshare = 1\n"
                                        "[[formula]]\nname = \"main\"\ncap = 400.00\n"
                                        "[[factor]]\nname = \"pop\"\nattribute = \"pop\"\nweight = 1\n");
    civ_table *c = csv_table("unique_id,pop\nA,1\nB,1\nC,2\n");
    run_out o;
    assert_int_equal(run(s, c, NULL, &o), CIV_OK);
    /* 25000, 25000, 50000 -> C capped at 40000, A and B 30000 each */
    assert_true(af_cell(o.t, 0, "amount_fen") == 30000);
    assert_true(af_cell(o.t, 2, "amount_fen") == 40000);
    assert_string_equal(text_cell(o.t, 2, "binding"), "cap");
    run_free(&o);
    civ_table_free(c);
    civ_alloc_spec_free(s);
}

static void test_ratable(void **state)
{
    (void)state;
    const char *base = HEAD "[[pool]]\nname = \"p\"\nshare = 1\n"
                            "[[formula]]\nname = \"main\"\nfloor = 400.00\n%s"
                            "[[factor]]\nname = \"pop\"\nattribute = \"pop\"\nweight = 1\n";
    char text[1024];
    snprintf(text, sizeof text, base, "");
    civ_alloc_spec *s = af_spec_of(text);
    civ_table *c = csv_table("unique_id,pop\nB,1\nA,5\nC,1\n");
    run_out o;
    /* floors 3 x 40000 = 120000 > pool 100000 */
    assert_int_equal(run(s, c, NULL, &o), CIV_ERR_INFEASIBLE);
    assert_non_null(strstr(civ_last_error()->message, "total 1,200.00 CNY, above the pool of 1,000.00 CNY"));
    assert_non_null(strstr(civ_last_error()->message, "pool 'p'"));
    run_free(&o);
    civ_alloc_spec_free(s);
    snprintf(text, sizeof text, base, "on_infeasible = \"ratable\"\n");
    s = af_spec_of(text);
    assert_int_equal(run(s, c, NULL, &o), CIV_OK);
    /* each floor cut by 100000/120000: 33333.33 each; the three remainders
     * tie, so the lowest id (A, the second row) gets the odd fen */
    assert_true(af_cell(o.t, 1, "amount_fen") == 33334);
    assert_true(af_cell(o.t, 0, "amount_fen") == 33333);
    assert_true(af_cell(o.t, 2, "amount_fen") == 33333);
    assert_string_equal(text_cell(o.t, 0, "binding"), "floor");
    assert_non_null(strstr(text_cell(o.t, 0, "explanation"), "floors ratably reduced to 83.33%"));
    assert_true(summary_value(o.sum, "binding", "ratable", "communities") == 3);
    run_free(&o);
    civ_table_free(c);
    civ_alloc_spec_free(s);
}

static void test_earmarks(void **state)
{
    (void)state;
    const char *tmpl = HEAD "[[pool]]\nname = \"general\"\nshare = 0.5\nformula = \"main\"\n"
                            "[[pool]]\nname = \"mig\"\nshare = 0.5\nformula = \"mig\"\n%s"
                            "[[formula]]\nname = \"main\"\n[[formula]]\nname = \"mig\"\n"
                            "[[factor]]\nname = \"pop\"\nformula = \"main\"\nattribute = \"pop\"\nweight = 1\n"
                            "[[factor]]\nname = \"pop2\"\nformula = \"mig\"\nattribute = \"pop\"\nweight = 1\n";
    char text[2048];
    snprintf(text, sizeof text, tmpl, "eligible_attribute = \"m\"\neligible_min = 0.3\n");
    civ_alloc_spec *s = af_spec_of(text);
    civ_table *c = csv_table("unique_id,pop,m\nA,100,0.1\nB,300,0.3\nC,600,0.5\n");
    run_out o;
    assert_int_equal(run(s, c, NULL, &o), CIV_OK);
    /* general 50000: 5000, 15000, 30000.  mig 50000 to B and C (m >= .3):
     * 16666.67, 33333.33 -> the fen goes to B.  Totals 5000, 31667, 63333. */
    assert_true(af_cell(o.t, 0, "amount_fen") == 5000);
    assert_true(af_cell(o.t, 1, "amount_fen") == 31667);
    assert_true(af_cell(o.t, 2, "amount_fen") == 63333);
    assert_true(af_cell(o.t, 1, "pool_mig_fen") == 16667);
    assert_true(af_cell(o.t, 0, "pool_mig_fen") == 0);
    assert_non_null(strstr(text_cell(o.t, 0, "explanation"), "not eligible for mig"));
    assert_true(summary_value(o.sum, "pool", "mig", "communities") == 2);
    run_free(&o);
    civ_alloc_spec_free(s);
    /* top 1 by m: C alone gets the 50000 */
    snprintf(text, sizeof text, tmpl, "eligible_attribute = \"m\"\neligible_top_k = 1\n");
    s = af_spec_of(text);
    assert_int_equal(run(s, c, NULL, &o), CIV_OK);
    assert_true(af_cell(o.t, 2, "amount_fen") == 80000);
    run_free(&o);
    civ_table_free(c);
    /* top 1 with a tie on m: the lower id wins (B), whatever the row order */
    c = csv_table("unique_id,pop,m\nC,600,0.5\nA,100,0.1\nB,300,0.5\n");
    assert_int_equal(run(s, c, NULL, &o), CIV_OK);
    assert_true(af_cell(o.t, 2, "pool_mig_fen") == 50000);
    run_free(&o);
    civ_table_free(c);
    civ_alloc_spec_free(s);
    /* nobody eligible */
    snprintf(text, sizeof text, tmpl, "eligible_attribute = \"m\"\neligible_min = 0.9\n");
    s = af_spec_of(text);
    c = csv_table("unique_id,pop,m\nA,100,0.1\n");
    assert_int_equal(run(s, c, NULL, &o), CIV_ERR_INFEASIBLE);
    assert_non_null(strstr(civ_last_error()->message, "no community is eligible"));
    run_free(&o);
    civ_table_free(c);
    civ_alloc_spec_free(s);
}

static void test_merged_pools(void **state)
{
    (void)state;
    /* two pools on one formula form one fund "a+b" of 100000 */
    civ_alloc_spec *s = af_spec_of(HEAD "[[pool]]\nname = \"a\"\namount = 600.00\n[[pool]]\nname = \"b\"\nshare = 1\n"
                                        "[[factor]]\nname = \"pop\"\nattribute = \"pop\"\nweight = 1\n");
    civ_table *c = csv_table("unique_id,pop\nA,1\nB,3\n");
    run_out o;
    assert_int_equal(run(s, c, NULL, &o), CIV_OK);
    assert_true(af_cell(o.t, 0, "pool_a+b_fen") == 25000);
    assert_true(af_cell(o.t, 1, "amount_fen") == 75000);
    assert_true(summary_value(o.sum, "pool", "a", "amount") == 60000);
    assert_true(summary_value(o.sum, "pool", "b", "amount") == 40000);
    assert_true(summary_value(o.sum, "fund", "a+b", "amount") == 100000);
    run_free(&o);
    civ_table_free(c);
    civ_alloc_spec_free(s);
}

static void test_greater_of(void **state)
{
    (void)state;
    civ_alloc_spec *s = af_spec_of(HEAD "[[pool]]\nname = \"p\"\nshare = 1\n"
                                        "[[formula]]\nname = \"main\"\ncombine = \"greater_of\"\n"
                                        "[[factor]]\nname = \"pop\"\ngroup = \"a\"\nattribute = \"pop\"\nweight = 1\n"
                                        "[[factor]]\nname = \"aged\"\ngroup = \"b\"\nattribute = \"aged\"\nweight = 1\n");
    civ_table *c = csv_table("unique_id,pop,aged\nX,100,10\nY,100,90\nZ,800,0\n");
    run_out o;
    assert_int_equal(run(s, c, NULL, &o), CIV_OK);
    /* By hand: group a (pop) .1 .1 .8; group b (aged) .1 .9 0.  Greater:
     * X .1 (tie -> a), Y .9 (b), Z .8 (a); sum 1.8, so the pro rata factor is
     * 100000/1.8: X 5555.56, Y 50000, Z 44444.44; floors leave one fen for
     * the largest remainder (X) -> 5556, 50000, 44444. */
    assert_true(af_cell(o.t, 0, "amount_fen") == 5556);
    assert_true(af_cell(o.t, 1, "amount_fen") == 50000);
    assert_true(af_cell(o.t, 2, "amount_fen") == 44444);
    /* the decomposition credits the winning formula only */
    assert_true(fabs(af_cell(o.t, 0, "factor_pop_fen") - 100000 / 18.0) < 1e-6);
    assert_true(af_cell(o.t, 0, "factor_aged_fen") == 0);
    assert_true(fabs(af_cell(o.t, 1, "factor_aged_fen") - 50000) < 1e-6);
    assert_true(af_cell(o.t, 1, "factor_pop_fen") == 0);
    assert_non_null(strstr(text_cell(o.t, 1, "explanation"), "group 'b' of main scored higher"));
    run_free(&o);
    civ_table_free(c);
    civ_alloc_spec_free(s);
}

static void test_forecast_factor(void **state)
{
    (void)state;
    civ_alloc_spec *s = af_spec_of(HEAD "[[pool]]\nname = \"p\"\nshare = 1\n"
                                        "[[factor]]\nname = \"meals\"\nsource = \"forecast\"\nhorizon = 2\nweight = 1\n");
    civ_table *c = csv_table("unique_id,pop\nA,1\nB,1\n");
    /* sums over h = 1..2: A 10 + 10 = 20 (h = 3 ignored), B 30 + 50 = 80 */
    civ_table *f = csv_table("unique_id,ds,h,model,mean\nA,2026-01,1,ets,10\nA,2026-02,2,ets,10\nA,2026-03,3,ets,999\n"
                             "B,2026-01,1,ets,30\nB,2026-02,2,ets,50\n");
    run_out o;
    assert_int_equal(run(s, c, f, &o), CIV_OK);
    assert_true(af_cell(o.t, 0, "amount_fen") == 20000);
    assert_true(af_cell(o.t, 1, "amount_fen") == 80000);
    /* Monte Carlo hook: replace the factor values and solve again */
    double x[2] = {50, 50}, back[2];
    assert_int_equal(civ_alloc_problem_set_factor(o.p, 0, x, 2), CIV_OK);
    assert_int_equal(civ_alloc_solve(o.p, o.r), CIV_OK);
    int64_t a[2];
    assert_int_equal(civ_alloc_result_amounts(o.p, o.r, a, 2), CIV_OK);
    assert_int_equal(a[0], 50000);
    assert_int_equal(civ_alloc_problem_get_factor(o.p, 0, back, 2), CIV_OK);
    assert_true(back[1] == 50);
    x[0] = -1;
    assert_int_equal(civ_alloc_problem_set_factor(o.p, 0, x, 2), CIV_ERR_DOMAIN);
    run_free(&o);
    civ_table_free(f);
    /* forecasts for an unknown community */
    f = csv_table("unique_id,h,model,mean\nA,1,ets,1\nA,2,ets,1\nZ,1,ets,1\n");
    assert_int_equal(run(s, c, f, &o), CIV_ERR_NOT_FOUND);
    assert_non_null(strstr(civ_last_error()->message, "forecasts line 4: unknown community 'Z'"));
    assert_int_equal(civ_last_error()->line, 4); /* the file's line and cell (before 2026-12-07 "row 3", no line) */
    assert_int_equal(civ_last_error()->column, 1);
    run_free(&o);
    civ_table_free(f);
    /* an id Excel kept with a trailing space: named with the cause and the cure */
    f = csv_table("unique_id,h,model,mean\nA,1,ets,1\nA,2,ets,1\nB ,1,ets,1\n");
    assert_int_equal(run(s, c, f, &o), CIV_ERR_NOT_FOUND);
    assert_non_null(strstr(civ_last_error()->message, "unknown community 'B '; it has spaces around it: the "
                                                      "communities table has 'B': delete the spaces"));
    run_free(&o);
    civ_table_free(f);
    /* codes that lost their leading zeros in one file (Excel): named with the cause and the cure */
    civ_table *cz = csv_table("unique_id,pop\n007,1\n010,1\n");
    f = csv_table("unique_id,h,model,mean\n7,1,ets,1\n7,2,ets,1\n10,1,ets,1\n10,2,ets,1\n");
    assert_int_equal(run(s, cz, f, &o), CIV_ERR_NOT_FOUND);
    assert_non_null(strstr(civ_last_error()->message, "unknown community '7'; the communities table has '007', "
                                                      "the same code with leading zeros (Excel drops them"));
    run_free(&o);
    civ_table_free(f);
    civ_table_free(cz);
    /* a community lacking forecasts */
    f = csv_table("unique_id,h,model,mean\nA,1,ets,1\nA,2,ets,1\nB,1,ets,1\n");
    assert_int_equal(run(s, c, f, &o), CIV_ERR_NOT_FOUND);
    assert_non_null(strstr(civ_last_error()->message, "community 'B' has 1 forecast rows"));
    assert_string_equal(civ_last_error()->series_id, "B");
    run_free(&o);
    civ_table_free(f);
    /* two models for one community and no choice: its rows would be summed twice */
    f = csv_table("unique_id,h,model,mean\nA,1,ets,1\nA,1,naive,1\n");
    assert_int_equal(run(s, c, f, &o), CIV_ERR_DUPLICATE);
    assert_non_null(strstr(civ_last_error()->message, "a second row for community 'A' at h = 1 (model 'naive')"));
    assert_string_equal(civ_last_error()->series_id, "A");
    run_free(&o);
    civ_table_free(f);
    /* one model per community, different across communities (automatic
     * selection): accepted */
    f = csv_table("unique_id,h,model,mean\nA,1,\"ETS(A,N,N)\",1\nA,2,\"ETS(A,N,N)\",1\nB,1,Theta,3\nB,2,Theta,3\n");
    assert_int_equal(run(s, c, f, &o), CIV_OK);
    run_free(&o);
    civ_table_free(f);
    /* no forecasts at all */
    assert_int_equal(run(s, c, NULL, &o), CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error()->message, "no forecasts were given"));
    run_free(&o);
    civ_alloc_spec_free(s);
    /* if_missing = "zero": B's forecast failed (empty model and mean), so B
     * counts 0 and A takes the whole pool; a partial forecast stays an error */
    s = af_spec_of(HEAD "[[pool]]\nname = \"p\"\nshare = 1\n"
                        "[[factor]]\nname = \"meals\"\nsource = \"forecast\"\nhorizon = 2\nif_missing = \"zero\"\nweight = 1\n");
    f = csv_table("unique_id,h,model,mean\nA,1,ets,1\nA,2,ets,1\nB,1,,\nB,2,,\n");
    assert_int_equal(run(s, c, f, &o), CIV_OK);
    assert_true(af_cell(o.t, 0, "amount_fen") == 100000);
    assert_true(af_cell(o.t, 1, "amount_fen") == 0);
    run_free(&o);
    civ_table_free(f);
    f = csv_table("unique_id,h,model,mean\nA,1,ets,1\nA,2,ets,1\nB,1,ets,1\n");
    assert_int_equal(run(s, c, f, &o), CIV_ERR_NOT_FOUND);
    run_free(&o);
    civ_table_free(f);
    civ_table_free(c);
    civ_alloc_spec_free(s);
}

/* period = "fiscal_year" (the default of a forecast factor): the rows dated in
 * the spec's fiscal_year, whatever step ahead they are. */
static void test_forecast_fiscal_year(void **state)
{
    (void)state;
    const char *pool = "[[pool]]\nname = \"p\"\nshare = 1\n";
    char text[1024];
    snprintf(text, sizeof text, HEAD "%s[[factor]]\nname = \"meals\"\nsource = \"forecast\"\nweight = 1\n", pool);
    civ_alloc_spec *s = af_spec_of(text);
    civ_table *c = csv_table("unique_id,pop\nA,1\nB,1\n");
    /* quarterly forecasts from 2025-Q3 (the data end at 2025-Q2): fiscal year
     * 2026 is h = 3..6; A 1+2+3+4 = 10, B 10+10+10+10 = 40 (the 2025 and
     * 2027 quarters are not read) */
    civ_table *f = csv_table("unique_id,ds,h,mean\n"
                             "A,2025-Q3,1,900\nA,2025-Q4,2,900\nA,2026-Q1,3,1\nA,2026-Q2,4,2\nA,2026-Q3,5,3\n"
                             "A,2026-Q4,6,4\nA,2027-Q1,7,900\n"
                             "B,2025-Q3,1,0\nB,2025-Q4,2,0\nB,2026-Q1,3,10\nB,2026-Q2,4,10\nB,2026-Q3,5,10\n"
                             "B,2026-Q4,6,10\nB,2027-Q1,7,0\n");
    run_out o;
    assert_int_equal(run(s, c, f, &o), CIV_OK);
    assert_true(af_cell(o.t, 0, "amount_fen") == 20000); /* 10 / 50 of 1000.00 */
    /* what a summary says: the year's quarters, 3..6 steps ahead */
    civ_alloc_demand_window w;
    assert_int_equal(civ_alloc_spec_factor_is_forecast(s, 0), 1);
    assert_int_equal(civ_alloc_spec_demand_window(s, 0, f, &w), CIV_OK);
    assert_int_equal(w.period_by_date, 1);
    assert_int_equal(w.fiscal_year, 2026);
    assert_int_equal(w.periods, 4);
    assert_string_equal(w.first, "2026-Q1");
    assert_string_equal(w.last, "2026-Q4");
    assert_int_equal(w.h_first, 3);
    assert_int_equal(w.h_last, 6);
    assert_int_equal(civ_alloc_spec_demand_window(s, 1, f, &w), CIV_ERR_INVALID_ARGUMENT);
    assert_true(af_cell(o.t, 1, "amount_fen") == 80000);
    run_free(&o);
    /* the same with period = "horizon" and horizon = 4: h = 1..4, 2025-Q3..2026-Q2 */
    civ_alloc_spec *sh;
    snprintf(text, sizeof text,
             HEAD "%s[[factor]]\nname = \"meals\"\nsource = \"forecast\"\nperiod = \"horizon\"\nhorizon = 4\n"
                  "weight = 1\n",
             pool);
    sh = af_spec_of(text);
    assert_int_equal(run(sh, c, f, &o), CIV_OK);
    assert_true(af_cell(o.t, 0, "amount_fen") == 98903); /* 1803 of 1823 */
    assert_int_equal(civ_alloc_spec_demand_window(sh, 0, f, &w), CIV_OK);
    assert_true(w.period_by_date == 0 && w.periods == 4 && w.h_first == 1 && w.h_last == 4);
    assert_string_equal(w.first, "2025-Q3"); /* as the forecasts date them */
    assert_string_equal(w.last, "2026-Q2");
    run_free(&o);
    civ_alloc_spec_free(sh);
    civ_table_free(f);
    /* day dates (pandas Timestamps): month starts, fiscal year = 12 rows each */
    char big[8192] = "unique_id,ds,h,mean\n";
    for (int who = 0; who < 2; who++)
        for (int m = 0; m < 18; m++) {
            char row[64];
            int y = 2025 + (m + 6) / 12, mo = (m + 6) % 12 + 1;
            snprintf(row, sizeof row, "%c,%d-%02d-01 00:00:00,%d,%d\n", "AB"[who], y, mo, m + 1,
                     y == 2026 ? (who ? 3 : 1) : 1000);
            strcat(big, row);
        }
    f = csv_table(big);
    assert_int_equal(run(s, c, f, &o), CIV_OK);
    assert_true(af_cell(o.t, 0, "amount_fen") == 25000); /* 12 / 48 */
    run_free(&o);
    civ_table_free(f);
    /* the forecasts end before the year: how far to forecast */
    f = csv_table("unique_id,ds,h,mean\nA,2025-11,1,1\nA,2025-12,2,1\nB,2025-11,1,1\nB,2025-12,2,1\n");
    assert_int_equal(run(s, c, f, &o), CIV_ERR_NOT_FOUND);
    assert_non_null(strstr(civ_last_error()->message, "sums the forecasts of fiscal year 2026, but they cover "
                                                      "2025-11..2025-12 and end before it"));
    assert_non_null(strstr(civ_last_error()->message, "through 2026-12 (horizon = 14)"));
    assert_non_null(strstr(civ_last_error()->message, "horizon = 12 in the factor"));
    run_free(&o);
    civ_table_free(f);
    /* ... part of the year: the missing months and the horizon that reaches them */
    f = csv_table("unique_id,ds,h,mean\nA,2025-12,1,1\nA,2026-01,2,1\nA,2026-02,3,1\n"
                  "B,2025-12,1,1\nB,2026-01,2,1\nB,2026-02,3,1\n");
    assert_int_equal(run(s, c, f, &o), CIV_ERR_NOT_FOUND);
    assert_non_null(strstr(civ_last_error()->message, "community 'A' has forecasts for 2 of the 12 periods of fiscal "
                                                      "year 2026 (missing 2026-03..2026-12); forecast further ahead, "
                                                      "through the year's end (horizon = 13)"));
    run_free(&o);
    civ_table_free(f);
    /* ... a community short of the others */
    f = csv_table("unique_id,ds,h,mean\nA,2026,1,1\nB,2027,2,1\n");
    assert_int_equal(run(s, c, f, &o), CIV_ERR_NOT_FOUND);
    assert_non_null(strstr(civ_last_error()->message, "community 'B' has forecasts for 0 of the 1 periods"));
    assert_non_null(strstr(civ_last_error()->message, "if_missing = \"zero\""));
    run_free(&o);
    civ_table_free(f);
    /* ... the forecasts start inside the year: its first months are history */
    f = csv_table("unique_id,ds,h,mean\nA,2026-11,1,1\nA,2026-12,2,1\nB,2026-11,1,1\nB,2026-12,2,1\n");
    assert_int_equal(run(s, c, f, &o), CIV_ERR_NOT_FOUND);
    assert_non_null(strstr(civ_last_error()->message, "(missing 2026-01..2026-10); the forecasts start after the "
                                                      "year began"));
    run_free(&o);
    civ_table_free(f);
    /* ... a period given twice, no dates, dates of two kinds */
    f = csv_table("unique_id,ds,mean\nA,2026,1\nA,2026,2\nB,2026,1\n");
    assert_int_equal(run(s, c, f, &o), CIV_ERR_DUPLICATE);
    assert_non_null(strstr(civ_last_error()->message, "a second row for community 'A' at 2026;"));
    run_free(&o);
    civ_table_free(f);
    f = csv_table("unique_id,h,mean\nA,1,1\nB,1,1\n");
    assert_int_equal(run(s, c, f, &o), CIV_ERR_MISSING_COLUMN);
    assert_non_null(strstr(civ_last_error()->message, "have no 'ds' column"));
    run_free(&o);
    civ_table_free(f);
    f = csv_table("unique_id,ds,mean\nA,2026,1\nB,2026-01,1\n");
    assert_int_equal(run(s, c, f, &o), CIV_ERR_DATE);
    assert_non_null(strstr(civ_last_error()->message, "dates of different kinds"));
    run_free(&o);
    civ_table_free(f);
    civ_alloc_spec_free(s);
    /* the spec's own errors */
    snprintf(text, sizeof text, HEAD "%s[[factor]]\nname = \"meals\"\nsource = \"forecast\"\nperiod = \"year\"\n"
                                     "weight = 1\n", pool);
    civ_alloc_spec *bad = NULL;
    assert_int_equal(civ_alloc_spec_parse(text, strlen(text), "t.spec", &bad), CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error()->message, "period must be \"fiscal_year\" or \"horizon\""));
    snprintf(text, sizeof text, HEAD "%s[[factor]]\nname = \"meals\"\nsource = \"forecast\"\n"
                                     "period = \"fiscal_year\"\nhorizon = 12\nweight = 1\n", pool);
    assert_int_equal(civ_alloc_spec_parse(text, strlen(text), "t.spec", &bad), CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error()->message, "remove one of them"));
    civ_table_free(c);
}

/* A table from memory (Python's DataFrames) names its rows by the number its source says row 0 is
 * (civ_table_set_source): "the communities DataFrame", first_row 0, says "rows 0 and 2" for its rows at
 * positions 0 and 2, as df.iloc counts (it said "data rows 1 and 3", and "(data row 2)" for iloc 1, while every
 * other DataFrame error is 0-based); an unnamed table (C callers) and a named one counted from 1 keep "data
 * rows 1 and 3". */
static void test_data_rows_of_named_tables(void **state)
{
    (void)state;
    civ_alloc_spec *s = af_spec_of(HEAD "[[pool]]\nname = \"p\"\nshare = 1\n"
                                        "[[factor]]\nname = \"pop\"\nattribute = \"pop\"\nweight = 1\n");
    const char *ids[2][3] = {{"A", "B", "A"}, {"A", "B", "C"}};
    const double pops[2][3] = {{1, 2, 3}, {1, -2, 3}};
    const char *want[2][3] = {{"duplicate community id 'A' (rows 0 and 2)", "duplicate community id 'A' (data rows 1 "
                               "and 3)", "duplicate community id 'A' (data rows 1 and 3)"},
                              {"for community 'B' (row 1)", "for community 'B' (data row 2)",
                               "for community 'B' (data row 2)"}};
    for (int k = 0; k < 2; k++)
        for (int named = 0; named < 3; named++) { /* named 0: the DataFrame (first_row 0); 1: none; 2: from 1 */
            civ_table *c = NULL;
            size_t ci, cp, r0;
            assert_int_equal(civ_table_create(&c), CIV_OK);
            assert_int_equal(civ_table_add_column(c, "unique_id", CIV_COLUMN_TEXT, &ci), CIV_OK);
            assert_int_equal(civ_table_add_column(c, "pop", CIV_COLUMN_NUMBER, &cp), CIV_OK);
            assert_int_equal(civ_table_add_rows(c, 3, &r0), CIV_OK);
            for (size_t r = 0; r < 3; r++) {
                assert_int_equal(civ_table_set_text(c, r, ci, ids[k][r]), CIV_OK);
                assert_int_equal(civ_table_set_number(c, r, cp, pops[k][r]), CIV_OK);
            }
            if (named != 1)
                assert_int_equal(civ_table_set_source(c, "the communities DataFrame", named ? 1 : 0), CIV_OK);
            run_out o;
            assert_int_not_equal(run(s, c, NULL, &o), CIV_OK);
            if (!strstr(civ_last_error()->message, want[k][named]))
                fail_msg("case %d/%d: '%s' lacks '%s'", k, named, civ_last_error()->message, want[k][named]);
            assert_string_equal(civ_last_error()->file, named != 1 ? "the communities DataFrame" : "");
            run_free(&o);
            civ_table_free(c);
        }
    civ_alloc_spec_free(s);
}

static void test_data_errors(void **state)
{
    (void)state;
    civ_alloc_spec *s = af_spec_of(HEAD "[[pool]]\nname = \"p\"\nshare = 1\n"
                                        "[[factor]]\nname = \"pop\"\nattribute = \"pop\"\nweight = 1\n");
    run_out o;
    civ_table *c = csv_table("unique_id,pop\nA,1\nB,2\nA,3\n");
    assert_int_equal(run(s, c, NULL, &o), CIV_ERR_DUPLICATE);
    /* a table read from a CSV file: its file, the lines a spreadsheet counts and the id's column */
    assert_non_null(strstr(civ_last_error()->message, "duplicate community id 'A' (lines 2 and 4): one row per "
                                                      "community: correct the id of the one that is another "
                                                      "community, or merge the two rows into one"));
    assert_int_equal(civ_last_error()->line, 4);
    assert_int_equal(civ_last_error()->column, 1);
    assert_true(civ_last_error()->file[0] != '\0');
    run_free(&o);
    civ_table_free(c);
    /* a factor's blank or negative cell: named with the cure (before 2026-12-07 without one) */
    c = csv_table("unique_id,pop\nA,1\nB,\n");
    assert_int_equal(run(s, c, NULL, &o), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error()->message, "is missing (NaN) for community 'B' (line 3): the factor needs "
                                                      "every community's value; fill the cell in (0 if the community "
                                                      "has none)"));
    run_free(&o);
    civ_table_free(c);
    c = csv_table("unique_id,pop\nA,1\nB,-4\n");
    assert_int_equal(run(s, c, NULL, &o), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error()->message, "is negative for community 'B' (line 3): correct the cell"));
    run_free(&o);
    civ_table_free(c);
    /* a sheet's total row is not a community (allocated as one, it took a fifth of the budget) */
    const char *totals[] = {"合计", " 总计 ", "小计", "Total"};
    c = NULL;
    for (size_t k = 0; k < 4; k++) {
        char text[128];
        snprintf(text, sizeof text, "unique_id,pop\nA,1\nB,2\n\"%s\",3\n", totals[k]);
        civ_table_free(c);
        c = csv_table(text);
        assert_int_equal(run(s, c, NULL, &o), CIV_ERR_DOMAIN);
        assert_non_null(strstr(civ_last_error()->message, "communities line 4 ('"));
        assert_non_null(strstr(civ_last_error()->message, "looks like the sheet's total row"));
        run_free(&o);
    }
    civ_table_free(c);
    /* a district column saved from merged cells (the district once, blanks under it): most communities were
     * in the "(none)" district's total, exit 0; a few communities without a district still are */
    c = csv_table("unique_id,district,pop\nA,East,1\nB,,2\nC,,3\nD,West,4\nE,,5\n");
    assert_int_equal(run(s, c, NULL, &o), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error()->message, "communities line 3 has no district in 'district', under "
                                                      "'East': left blank under the district above, as Excel saves "
                                                      "merged cells?"));
    assert_non_null(strstr(civ_last_error()->message, "3 of the 5 communities would count in no district's total"));
    assert_string_equal(civ_last_error()->series_id, "B");
    assert_int_equal(civ_last_error()->line, 3);
    assert_int_equal(civ_last_error()->column, 2);
    run_free(&o);
    civ_table_free(c);
    c = csv_table("unique_id,district,pop\nA,East,1\nB,,2\nC,West,3\nD,West,4\nE,East,5\n");
    assert_int_equal(run(s, c, NULL, &o), CIV_OK);
    run_free(&o);
    civ_table_free(c);
    /* the same of the street column (a label, and the report's street totals): before, read with blank streets */
    c = csv_table("unique_id,district,street,pop\nA,East,E1,1\nB,East,,2\nC,East,,3\nD,West,W1,4\nE,West,,5\n");
    assert_int_equal(run(s, c, NULL, &o), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error()->message, "communities line 3 has no street in 'street', under 'E1': left "
                                                      "blank under the street above, as Excel saves merged cells?"));
    assert_non_null(strstr(civ_last_error()->message, "3 of the 5 communities would count in no street's total"));
    assert_string_equal(civ_last_error()->series_id, "B");
    assert_int_equal(civ_last_error()->line, 3);
    assert_int_equal(civ_last_error()->column, 3);
    run_free(&o);
    civ_table_free(c);
    c = csv_table("unique_id,district,street,pop\nA,East,E1,1\nB,East,,2\nC,East,E1,3\nD,West,W1,4\nE,West,W1,5\n");
    assert_int_equal(run(s, c, NULL, &o), CIV_OK);
    run_free(&o);
    civ_table_free(c);
    /* a tilt's threshold in percent over an attribute of fractions: an error, not a tilt of nobody */
    {
        civ_alloc_spec *ts = af_spec_of(HEAD "[[pool]]\nname = \"p\"\nshare = 1\n"
                                             "[[factor]]\nname = \"pop\"\nattribute = \"pop\"\nweight = 1\n"
                                             "[[tilt]]\nname = \"aging\"\nattribute = \"share\"\nabove = 25\n"
                                             "multiplier = 1.2\n");
        civ_table *tc = csv_table("unique_id,pop,share\nA,1,0.3\nB,2,0.1\n");
        assert_int_equal(run(ts, tc, NULL, &o), CIV_ERR_SPEC);
        assert_non_null(strstr(civ_last_error()->message, "tilt 'aging': above = 25, but attribute 'share' holds "
                                                          "fractions (0.1..0.3), so no community would be "
                                                          "tilted: a percentage? write 0.25 for 25%"));
        /* at the threshold itself (line 15 of the spec, `above = 25`), not the [[tilt]] header */
        assert_int_equal(civ_last_error()->line, 15);
        assert_int_equal(civ_last_error()->column, 9);
        assert_string_equal(civ_last_error()->field, "above");
        run_free(&o);
        civ_table_free(tc);
        tc = csv_table("unique_id,pop,share\nA,1,30\nB,2,10\n"); /* shares in percent: 25 is right */
        assert_int_equal(run(ts, tc, NULL, &o), CIV_OK);
        run_free(&o);
        civ_table_free(tc);
        civ_alloc_spec_free(ts);
    }
    /* an earmark's bound in percent over an attribute of fractions: an error at the bound, not a fund for
     * nobody (a minimum) or a bound that keeps everyone (a maximum) */
    {
        civ_table *tc = csv_table("unique_id,pop,share\nA,1,0.6\nB,2,0.1\n");
        static const char *const earmark = HEAD "[[pool]]\nname = \"p\"\nshare = 1\neligible_attribute = \"share\"\n"
                                                "eligible_%s = 50\n"
                                                "[[factor]]\nname = \"pop\"\nattribute = \"pop\"\nweight = 1\n";
        char text[400];
        for (int k = 0; k < 2; k++) {
            snprintf(text, sizeof text, earmark, k ? "max" : "min");
            civ_alloc_spec *es = af_spec_of(text);
            assert_int_equal(run(es, tc, NULL, &o), CIV_ERR_SPEC);
            const civ_error *e = civ_last_error();
            assert_non_null(strstr(e->message, k ? "pool 'p': eligible_max = 50, but attribute 'share' holds fractions "
                                                   "(0.1..0.6), so the bound would keep every community: a "
                                                   "percentage? write 0.5 for 50%"
                                                 : "pool 'p': eligible_min = 50, but attribute 'share' holds fractions "
                                                   "(0.1..0.6), so no community would be eligible: a percentage? "
                                                   "write 0.5 for 50%"));
            assert_int_equal(e->line, 9);
            assert_int_equal(e->column, 16);
            assert_string_equal(e->field, k ? "eligible_max" : "eligible_min");
            run_free(&o);
            civ_alloc_spec_free(es);
        }
        civ_table_free(tc);
        tc = csv_table("unique_id,pop,share\nA,1,60\nB,2,10\n"); /* shares in percent: 50 is right */
        snprintf(text, sizeof text, earmark, "min");
        civ_alloc_spec *es = af_spec_of(text);
        assert_int_equal(run(es, tc, NULL, &o), CIV_OK);
        run_free(&o);
        civ_table_free(tc);
        civ_alloc_spec_free(es);
    }
    {   /* a blank last-year cell: the fix for a new community is said */
        civ_alloc_spec *ls = af_spec_of(HEAD "[[pool]]\nname = \"p\"\nshare = 1\nlast_year = \"ly\"\n"
                                             "[[formula]]\nname = \"main\"\nhold_harmless = 0.5\n"
                                             "[[factor]]\nname = \"pop\"\nattribute = \"pop\"\nweight = 1\n");
        civ_table *lc = csv_table("unique_id,pop,ly\nA,1,100\nB,9,\n");
        assert_int_equal(run(ls, lc, NULL, &o), CIV_ERR_DOMAIN);
        assert_non_null(strstr(civ_last_error()->message, "missing (NaN) for community 'B' (line 3); for a "
                                                          "community new this year write 0"));
        run_free(&o);
        civ_table_free(lc);
        civ_alloc_spec_free(ls);
    }
    c = csv_table("unique_id,pop\nA,1\nTotalCare,2\n"); /* a name that contains the word is a community */
    assert_int_equal(run(s, c, NULL, &o), CIV_OK);
    run_free(&o);
    civ_table_free(c);
    c = csv_table("unique_id,pop\nA,1\nB,-2\n");
    assert_int_equal(run(s, c, NULL, &o), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error()->message, "negative for community 'B' (line 3)"));
    assert_string_equal(civ_last_error()->field, "pop");
    run_free(&o);
    civ_table_free(c);
    c = csv_table("unique_id,pop\nA,1\nB,\n");
    assert_int_equal(run(s, c, NULL, &o), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error()->message, "missing (NaN)"));
    run_free(&o);
    civ_table_free(c);
    c = csv_table("unique_id,pop\nA,0\nB,0\n");
    assert_int_equal(run(s, c, NULL, &o), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error()->message, "factor 'pop' totals 0"));
    run_free(&o);
    civ_table_free(c);
    /* unknown attribute: reported at the spec key (line 10, column 13) */
    c = csv_table("unique_id,popx\nA,1\n");
    assert_int_equal(run(s, c, NULL, &o), CIV_ERR_MISSING_COLUMN);
    assert_string_equal(civ_last_error()->file, "t.spec");
    assert_int_equal(civ_last_error()->line, 10);
    assert_int_equal(civ_last_error()->column, 13);
    assert_non_null(strstr(civ_last_error()->message, "unknown attribute 'pop'; did you mean 'popx'"));
    run_free(&o);
    civ_table_free(c);
    /* a column named in another case, or the start of two names: the candidates, not only the whole list */
    c = csv_table("unique_id,Pop,area\nA,1,2\n");
    assert_int_equal(run(s, c, NULL, &o), CIV_ERR_MISSING_COLUMN);
    assert_non_null(strstr(civ_last_error()->message, "unknown attribute 'pop'; did you mean 'Pop' (the data"));
    run_free(&o);
    civ_table_free(c);
    /* a header cell that kept a space after the name: said so (before 2026-12-07 "did you mean 'pop '" alone) */
    c = csv_table("unique_id,pop ,area\nA,1,2\n");
    assert_int_equal(run(s, c, NULL, &o), CIV_ERR_MISSING_COLUMN);
    assert_non_null(strstr(civ_last_error()->message, "did you mean 'pop ' (the same name with spaces around it: "
                                                      "delete them in the header cell)"));
    run_free(&o);
    civ_table_free(c);
    c = csv_table("unique_id,pop_resident,pop_registered,area\nA,1,2,3\n");
    assert_int_equal(run(s, c, NULL, &o), CIV_ERR_MISSING_COLUMN);
    assert_non_null(strstr(civ_last_error()->message, "did you mean 'pop_resident' or 'pop_registered' (the"));
    run_free(&o);
    civ_table_free(c);
    c = csv_table("id,pop\nA,1\n");
    assert_int_equal(run(s, c, NULL, &o), CIV_ERR_MISSING_COLUMN);
    /* the id and district columns are named with the candidates and the columns, as attributes are (before
     * 2026-12-06 the id's message listed nothing and the district's neither) */
    assert_non_null(strstr(civ_last_error()->message, "no text id column 'unique_id' (the spec's [data] id names "
                                                      "the key column, e.g. id = \"社区编号\") (the data has: id, pop)"));
    run_free(&o);
    civ_table_free(c);
    c = csv_table("uniqueid,pop\nA,1\n");
    assert_int_equal(run(s, c, NULL, &o), CIV_ERR_MISSING_COLUMN);
    assert_non_null(strstr(civ_last_error()->message, "; did you mean 'uniqueid' (the data has: uniqueid, pop)"));
    run_free(&o);
    civ_table_free(c);
    c = csv_table("unique_id,district,pop\nA,d1,1\n");
    civ_alloc_spec *ds = af_spec_of("version = \"z\"\n[budget]\ntotal = 100.00\nfiscal_year = 2027\n[data]\n"
                                    "district = \"distrct\"\n[[pool]]\nname = \"p\"\nshare = 1\n[[factor]]\n"
                                    "name = \"a\"\nattribute = \"pop\"\nweight = 1\n");
    assert_int_equal(run(ds, c, NULL, &o), CIV_ERR_MISSING_COLUMN);
    assert_non_null(strstr(civ_last_error()->message, "no text column 'distrct' for districts; did you mean "
                                                      "'district' (the data has: unique_id, district, pop)"));
    run_free(&o);
    civ_alloc_spec_free(ds);
    civ_table_free(c);
    /* Chinese names, by characters and with full-width punctuation as ASCII (the budget walk of 2026-12-06: a
     * half-width bracket for the sheet's full-width one, a wrong character, were named with the whole list only,
     * the distance being counted in bytes) */
    c = csv_table("unique_id,面积（平方公里）,常住人口,流动人口\nA,1,2,3\n");
    const char *typed[] = {"面积(平方公里)", "常驻人口", "老年人口"};
    const char *near[] = {"; did you mean '面积（平方公里）' (full-width vs half-width) (the data has",
                          "; did you mean '常住人口' (the data has", " (the data has"};
    for (int k = 0; k < 3; k++) {
        char text[400];
        snprintf(text, sizeof text, "version = \"z\"\n[budget]\ntotal = 100.00\nfiscal_year = 2027\n[[pool]]\n"
                 "name = \"p\"\nshare = 1\n[[factor]]\nname = \"a\"\nattribute = \"%s\"\nweight = 1\n", typed[k]);
        civ_alloc_spec *zs = af_spec_of(text);
        assert_int_equal(run(zs, c, NULL, &o), CIV_ERR_MISSING_COLUMN);
        char want[200];
        snprintf(want, sizeof want, "unknown attribute '%s'%s", typed[k], near[k]);
        if (!strstr(civ_last_error()->message, want))
            fail_msg("%s: %s", typed[k], civ_last_error()->message);
        run_free(&o);
        civ_alloc_spec_free(zs);
    }
    civ_table_free(c);
    /* a column made text by one cell: named at that cell (an Excel error value, a word) */
    c = csv_table("unique_id,pop\nA,1\nB,NA\nC,#DIV/0!\nD,2\n");
    assert_int_equal(run(s, c, NULL, &o), CIV_ERR_DOMAIN);
    assert_string_equal(civ_last_error()->series_id, "C");
    assert_string_equal(civ_last_error()->field, "pop");
    assert_non_null(strstr(civ_last_error()->message, "line 4 (community 'C') holds '#DIV/0!', an Excel error"));
    run_free(&o);
    civ_table_free(c);
    c = csv_table("unique_id,pop\n3.10101E+11,1\n3.10101E+11,2\n");
    assert_int_equal(run(s, c, NULL, &o), CIV_ERR_DUPLICATE);
    assert_non_null(strstr(civ_last_error()->message, "(lines 2 and 3); the id is a long code as Excel shows it"));
    run_free(&o);
    civ_table_free(c);
    /* a dash, Excel's accounting zero: the words settle gives it, from the one place (civ_csv_dash_zero; before
     * 2026-12-07 "write a number there" alone) */
    c = csv_table("unique_id,pop\nA,1\nB,-\n");
    assert_int_equal(run(s, c, NULL, &o), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error()->message, "holds '-' (a dash, as Excel's accounting format writes a zero, "
                                                      "is not a number): write 0"));
    run_free(&o);
    civ_table_free(c);
    c = csv_table("unique_id,pop\nA,1\nB,about 2\n");
    assert_int_equal(run(s, c, NULL, &o), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error()->message, "line 3 (community 'B') holds 'about 2': write a number"));
    run_free(&o);
    civ_table_free(c);
    /* read with a thousands separator (or --percent), the cell that made the column text is the first that is no
     * number as the reader read them: the '-' under "1,200" (before 2026-12-07 the valid "1,200" was named) */
    const char *bad[] = {"-", "N/A", "\xEF\xBC\x92\xEF\xBC\x90\xEF\xBC\x93\xEF\xBC\x96", "0.86\xE4\xB8\x87"};
    for (int k = 0; k < 5; k++) {
        char text[200], want[120];
        snprintf(text, sizeof text, "unique_id,pop\nA,%s\nB,%s\nC,300\n", k < 4 ? "\"1,200\"" : "35%",
                 k < 4 ? bad[k] : "-");
        char path[600];
        snprintf(path, sizeof path, "%s/thousands%d.csv", tmpdir, k);
        FILE *fp = fopen(path, "w");
        assert_non_null(fp);
        fputs(text, fp);
        fclose(fp);
        static const char *const ids[] = {"unique_id", NULL};
        civ_table_read_options ro = {.text_columns = ids, .thousands = k < 4 ? "," : NULL, .percent = k == 4};
        civ_table *g = NULL;
        assert_int_equal(civ_table_read_csv(path, &ro, &g), CIV_OK);
        assert_int_equal(run(s, g, NULL, &o), CIV_ERR_DOMAIN);
        snprintf(want, sizeof want, "line 3 (community 'B') holds '%s'", k < 4 ? bad[k] : "-");
        if (!strstr(civ_last_error()->message, want))
            fail_msg("%d: %s", k, civ_last_error()->message);
        assert_int_equal(civ_last_error()->line, 3);
        assert_int_equal(civ_last_error()->column, 2);
        assert_string_equal(civ_last_error()->series_id, "B");
        run_free(&o);
        civ_table_free(g);
    }
    civ_alloc_spec_free(s);
}

/* [data] name: the communities' names under the table's own column name,
 * written as the allocation's `name` column (what the report labels
 * communities by); a named column the table lacks is an error at the key. */
static void test_community_names(void **state)
{
    (void)state;
    civ_alloc_spec *s = af_spec_of(HEAD "[data]\nname = \"社区名称\"\n[[pool]]\nname = \"p\"\nshare = 1\n"
                                        "[[factor]]\nname = \"pop\"\nattribute = \"pop\"\nweight = 1\n");
    run_out o;
    civ_table *c = csv_table("unique_id,社区名称,pop\nA,民主里,1\nB,和平里,2\n");
    assert_int_equal(run(s, c, NULL, &o), CIV_OK);
    size_t col;
    assert_int_equal(civ_table_find_column(o.t, "name", &col), CIV_OK);
    assert_string_equal(civ_table_text(o.t, 0, col), "民主里");
    assert_string_equal(civ_table_text(o.t, 1, col), "和平里");
    assert_int_equal(civ_table_find_column(o.t, "社区名称", &col), CIV_ERR_NOT_FOUND);
    run_free(&o);
    civ_table_free(c);
    c = csv_table("unique_id,pop\nA,1\nB,2\n");
    assert_int_equal(run(s, c, NULL, &o), CIV_ERR_MISSING_COLUMN);
    assert_string_equal(civ_last_error()->field, "社区名称");
    assert_int_equal(civ_last_error()->line, 6);
    assert_non_null(strstr(civ_last_error()->message, "for the communities' names"));
    run_free(&o);
    civ_table_free(c);
    civ_alloc_spec_free(s);
}

static void test_set_weights(void **state)
{
    (void)state;
    civ_alloc_spec *s = af_spec_of(HEAD "[[pool]]\nname = \"p\"\nshare = 1\n"
                                        "[[factor]]\nname = \"a\"\nattribute = \"a\"\nweight = 0.5\n"
                                        "[[factor]]\nname = \"b\"\nattribute = \"b\"\nweight = 0.5\n");
    civ_table *c = csv_table("unique_id,a,b\nA,1,0\nB,0,1\n");
    run_out o;
    assert_int_equal(run(s, c, NULL, &o), CIV_OK);
    double w[2] = {0.8, 0.2};
    assert_int_equal(civ_alloc_problem_set_weights(o.p, w, 2), CIV_OK);
    assert_int_equal(civ_alloc_solve(o.p, o.r), CIV_OK);
    int64_t a[2];
    civ_alloc_result_amounts(o.p, o.r, a, 2);
    assert_int_equal(a[0], 80000);
    w[1] = 0.3;
    assert_int_equal(civ_alloc_problem_set_weights(o.p, w, 2), CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error()->message, "sum to 1.1"));
    run_free(&o);
    civ_table_free(c);
    civ_alloc_spec_free(s);
}

/* ---- property tests ------------------------------------------------------- */

typedef struct rspec {
    char text[4096];
    int has_floor, has_cap, has_hh, has_pace, ratable, has_tilt;
    double floor_y, cap_share, hh, pace;
} rspec;

static double urand(void) { return (double)rand() / ((double)RAND_MAX + 1.0); }

static void random_spec(rspec *r, int K, int constraints)
{
    memset(r, 0, sizeof *r);
    size_t L = 0;
    L += (size_t)snprintf(r->text + L, sizeof r->text - L,
                          "version = \"p\"\n[budget]\ntotal = %d.%02d\nfiscal_year = 2026\n", 1000 + rand() % 100000,
                          rand() % 100);
    if (rand() % 2)
        L += (size_t)snprintf(r->text + L, sizeof r->text - L, "[[reserve]]\nname = \"r\"\nshare = 0.0%d\n",
                              1 + rand() % 9);
    L += (size_t)snprintf(r->text + L, sizeof r->text - L, "[[pool]]\nname = \"p\"\nshare = 1\n");
    L += (size_t)snprintf(r->text + L, sizeof r->text - L, "[[formula]]\nname = \"main\"\n");
    if (constraints) {
        r->has_floor = rand() % 2, r->has_cap = rand() % 3 == 0, r->has_hh = rand() % 2, r->has_pace = rand() % 3 == 0;
        r->ratable = rand() % 4 == 0;
        if (r->has_floor) {
            r->floor_y = (double)(rand() % 2000) / 4.0;
            L += (size_t)snprintf(r->text + L, sizeof r->text - L, "floor = %.2f\n", r->floor_y);
        }
        if (r->has_cap) {
            r->cap_share = 0.05 + 0.5 * urand();
            L += (size_t)snprintf(r->text + L, sizeof r->text - L, "cap_share = %.17g\n", r->cap_share);
        }
        if (r->has_hh) {
            r->hh = 0.5 + 0.5 * urand();
            L += (size_t)snprintf(r->text + L, sizeof r->text - L, "hold_harmless = %.17g\n", r->hh);
        }
        if (r->has_pace) {
            r->pace = 0.3 * urand();
            L += (size_t)snprintf(r->text + L, sizeof r->text - L, "pace = %.17g\n", r->pace);
        }
        if (r->has_hh || r->has_pace)
            L += (size_t)snprintf(r->text + L, sizeof r->text - L, "last_year = \"ly\"\n");
        if (r->ratable && (r->has_floor || r->has_hh))
            L += (size_t)snprintf(r->text + L, sizeof r->text - L, "on_infeasible = \"ratable\"\n");
        else
            r->ratable = 0;
    }
    /* a quarter of the specs with two or more factors take the greater of two
     * factor groups (g0 = the first half of the factors, g1 = the rest) */
    int greater = K >= 2 && rand() % 4 == 0, split = greater ? K / 2 : K;
    if (greater)
        L += (size_t)snprintf(r->text + L, sizeof r->text - L, "combine = \"greater_of\"\n");
    for (int grp = 0; grp < (greater ? 2 : 1); grp++) {
        int k0 = grp == 0 ? 0 : split, k1 = grp == 0 ? split : K;
        int wi[4], ws = 0;
        for (int k = k0; k < k1; k++)
            ws += wi[k] = 1 + rand() % 9;
        double acc = 0;
        for (int k = k0; k < k1; k++) {
            double w = k == k1 - 1 ? 1.0 - acc : (double)wi[k] / ws;
            acc += w;
            char group[32] = "";
            if (greater)
                snprintf(group, sizeof group, "group = \"g%d\"\n", grp);
            L += (size_t)snprintf(r->text + L, sizeof r->text - L,
                                  "[[factor]]\nname = \"f%d\"\nattribute = \"a%d\"\n%s%sweight = %.17g\n", k, k, group,
                                  k == 0 && rand() % 2 ? "coefficient = \"coef\"\n" : "", w);
        }
    }
    r->has_tilt = rand() % 2;
    if (r->has_tilt)
        L += (size_t)snprintf(r->text + L, sizeof r->text - L,
                              "[[tilt]]\nname = \"t\"\nattribute = \"sh\"\nabove = 0.5\nmultiplier = %.3f\n",
                              0.5 + 1.5 * urand());
}

/* A table of n communities with ids "c<perm>" and random attributes. */
static civ_table *random_table(size_t n, int K, const size_t *order, const double *vals)
{
    civ_table *t;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    size_t cid, cols[8];
    civ_table_add_column(t, "unique_id", CIV_COLUMN_TEXT, &cid);
    const char *names[] = {"a0", "a1", "a2", "a3", "coef", "sh", "ly"};
    for (int j = 0; j < 7; j++)
        civ_table_add_column(t, names[j], CIV_COLUMN_NUMBER, &cols[j]);
    civ_table_add_rows(t, n, NULL);
    for (size_t r = 0; r < n; r++) {
        size_t i = order[r];
        char id[32];
        snprintf(id, sizeof id, "c%05zu", (i * 7919) % 100003);
        civ_table_set_text(t, r, cid, id);
        for (int j = 0; j < 7; j++)
            civ_table_set_number(t, r, cols[j], vals[i * 7 + (size_t)j]);
    }
    (void)K;
    return t;
}

enum { PROP_MAXC = 48 };

/* Random factor values (7 per community) for n communities; order[i] = i. */
static void property_values(size_t n, double *vals, size_t *order)
{
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < 4; k++)
            vals[i * 7 + (size_t)k] = rand() % 6 == 0 ? 0 : (double)(rand() % 5000) / (1 + rand() % 7);
        vals[i * 7 + 0] += 1; /* factor 0 positive for everyone, so no factor totals 0 */
        for (int k = 1; k < 4; k++)
            if (i == 0)
                vals[k] += 1; /* every factor positive somewhere */
        vals[i * 7 + 4] = 0.5 + urand();
        vals[i * 7 + 5] = urand();
        vals[i * 7 + 6] = rand() % 5 == 0 ? 0 : (double)(rand() % 200000) / 100.0;
        order[i] = i;
    }
}

/* Properties 1 and 2: totals exact to the fen, every bound holds. */
static void property_totals_and_bounds(int rep, const civ_alloc_spec *s, const rspec *rs, const run_out *o,
                                       const int64_t *amounts, const double *vals, size_t n)
{
    /* 1. totals exact to the fen */
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += amounts[i];
    assert_true(sum == s->distributable);
    assert_true(summary_value(o->sum, "total", "budget", "amount") == (double)s->total);
    /* 2. every bound holds (recomputed here from the spec; the engine
     *    snaps products within 1e-11 relative of a whole unit to it) */
    double P = (double)s->distributable;
    int any_ratable = 0;
    for (size_t i = 0; i < n; i++)
        any_ratable |= !!(o->r->binding[i] & CIV_BIND_RATABLE);
    for (size_t i = 0; i < n; i++) {
        double a = (double)amounts[i], ly = vals[i * 7 + 6] * 100, lo = 0, hi = INFINITY;
        if (rs->has_floor)
            lo = round(rs->floor_y * 100);
        if (rs->has_hh && ly > 0)
            lo = fmax(lo, ceil(rs->hh * ly * (1 - 1e-11)));
        if (rs->has_cap)
            hi = floor(rs->cap_share * P * (1 + 1e-11));
        if (rs->has_pace && ly > 0)
            hi = fmin(hi, fmax(floor((1 + rs->pace) * ly * (1 + 1e-11)), lo));
        if (!any_ratable)
            assert_true(a >= lo);
        else
            assert_true(a <= lo + 1); /* everyone at (reduced) floors */
        if (!(a <= hi))
            fail_msg("rep %d community %zu: amount %.0f above %.17g (ly %.17g lo %.17g binding %d)\n%s", rep, i, a,
                     hi, ly, lo, o->r->binding[o->p->n ? 0 : 0], rs->text);
    }
}

/* The decomposition sums to the amount, row by row. */
static void property_decomposition(const run_out *o, size_t n, int K)
{
    for (size_t r = 0; r < n; r++) {
        double d = af_cell(o->t, r, "unattributed_fen") + af_cell(o->t, r, "rounding_fen");
        for (int k = 0; k < K; k++) {
            char nm[24];
            snprintf(nm, sizeof nm, "factor_f%d_fen", k);
            d += af_cell(o->t, r, nm);
        }
        assert_true(fabs(d - af_cell(o->t, r, "amount_fen")) <= 1e-6 * fmax(1, d));
    }
}

/* Property 3: permuting the rows changes nothing. */
static void property_permutation(const civ_alloc_spec *s, size_t n, int K, const double *vals,
                                 const int64_t *amounts, const run_out *o)
{
    size_t perm[PROP_MAXC];
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)rand() % i, tmpi = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = tmpi;
    }
    civ_table *t2 = random_table(n, K, perm, vals);
    run_out o2;
    assert_int_equal(run(s, t2, NULL, &o2), CIV_OK);
    int64_t a2[PROP_MAXC];
    civ_alloc_result_amounts(o2.p, o2.r, a2, n);
    for (size_t r = 0; r < n; r++)
        assert_true(a2[r] == amounts[perm[r]]);
    /* bit-identical unrounded amounts too */
    for (size_t i = 0; i < n; i++)
        assert_true(o2.r->unrounded[i] == o->r->unrounded[i]);
    run_free(&o2);
    civ_table_free(t2);
}

/* Property 4 (no constraints): raising a factor never lowers the amount. */
static void property_monotone(run_out *o, size_t n, int K, const int64_t *amounts)
{
    size_t j = (size_t)rand() % n;
    int k = rand() % K;
    double before_u[PROP_MAXC], after_u[PROP_MAXC], x[PROP_MAXC];
    civ_alloc_result_stage(o->p, o->r, CIV_ALLOC_STAGE_CONSTRAINED, before_u, n);
    civ_alloc_problem_get_factor(o->p, (size_t)k, x, n);
    x[j] += 1 + urand() * 1000;
    assert_int_equal(civ_alloc_problem_set_factor(o->p, (size_t)k, x, n), CIV_OK);
    assert_int_equal(civ_alloc_solve(o->p, o->r), CIV_OK);
    civ_alloc_result_stage(o->p, o->r, CIV_ALLOC_STAGE_CONSTRAINED, after_u, n);
    int64_t a3[PROP_MAXC];
    civ_alloc_result_amounts(o->p, o->r, a3, n);
    assert_true(after_u[j] >= before_u[j] * (1 - 1e-12));
    /* rounded: never lower by more than the one unit a largest-
     * remainder reshuffle can move (Balinski & Young 2001, ch. 5) */
    assert_true(a3[j] >= amounts[j] - 1);
}

static void test_properties(void **state)
{
    (void)state;
    srand(2026);
    double vals[PROP_MAXC * 7];
    size_t order[PROP_MAXC];
    int ok = 0, infeasible = 0, monotone_checked = 0;
    for (int rep = 0; rep < 2000; rep++) {
        size_t n = 1 + (size_t)(rand() % PROP_MAXC);
        int K = 1 + rand() % 4;
        int constraints = rep % 3 != 0;
        rspec rs;
        random_spec(&rs, K, constraints);
        civ_alloc_spec *s = NULL;
        if (civ_alloc_spec_parse(rs.text, strlen(rs.text), "p.spec", &s))
            fail_msg("random spec rejected: %s\n%s", civ_last_error_message(), rs.text);
        property_values(n, vals, order);
        civ_table *t = random_table(n, K, order, vals);
        run_out o;
        civ_status st = run(s, t, NULL, &o);
        if (st == CIV_ERR_INFEASIBLE) {
            assert_true(constraints);
            infeasible++;
            run_free(&o);
            civ_table_free(t);
            civ_alloc_spec_free(s);
            continue;
        }
        if (st)
            fail_msg("rep %d: %s\n%s", rep, civ_last_error_message(), rs.text);
        ok++;
        int64_t amounts[PROP_MAXC];
        civ_alloc_result_amounts(o.p, o.r, amounts, n);
        property_totals_and_bounds(rep, s, &rs, &o, amounts, vals, n);
        property_decomposition(&o, n, K);
        property_permutation(s, n, K, vals, amounts, &o);
        if (!constraints) {
            property_monotone(&o, n, K, amounts);
            monotone_checked++;
        }
        run_free(&o);
        civ_table_free(t);
        civ_alloc_spec_free(s);
    }
    assert_true(ok > 1000);
    assert_true(infeasible > 20);
    assert_true(monotone_checked > 400);
}

/* The large-n paths (breakpoint search, radix select) with shuffled rows:
 * 30,000 communities, floor, cap share, hold-harmless, tilt. */
/* 1 when two files hold the same bytes. */
static int same_file(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int same = fa && fb;
    while (same) {
        int ca = getc(fa), cb = getc(fb);
        same = ca == cb;
        if (ca == EOF || cb == EOF)
            break;
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return same;
}

static void test_large_permutation(void **state)
{
    (void)state;
    srand(31337);
    size_t n = 30000;
    double *vals = malloc(n * 7 * sizeof *vals);
    size_t *order = malloc(n * sizeof *order), *perm = malloc(n * sizeof *perm);
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < 4; k++)
            vals[i * 7 + (size_t)k] = 1 + (double)(rand() % 5000);
        vals[i * 7 + 4] = 0.5 + urand();
        vals[i * 7 + 5] = urand();
        vals[i * 7 + 6] = 100 + (double)(rand() % 50000) / 100.0;
        order[i] = perm[i] = i;
    }
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)rand() % i, t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
    /* 120 yuan floor, hold-harmless 70%, cap 2.1x the average share */
    civ_alloc_spec *s = af_spec_of("version = \"t\"\n[budget]\ntotal = 9000000.00\nfiscal_year = 2026\n"
                                   "[[pool]]\nname = \"p\"\nshare = 1\n"
                                   "[[formula]]\nname = \"main\"\nfloor = 120.00\ncap_share = 0.00007\n"
                                   "hold_harmless = 0.7\nlast_year = \"ly\"\n"
                                   "[[factor]]\nname = \"f0\"\nattribute = \"a0\"\ncoefficient = \"coef\"\nweight = 0.6\n"
                                   "[[factor]]\nname = \"f1\"\nattribute = \"a1\"\nweight = 0.4\n"
                                   "[[tilt]]\nname = \"t\"\nattribute = \"sh\"\nabove = 0.5\nmultiplier = 1.5\n");
    civ_table *t1 = random_table(n, 2, order, vals), *t2 = random_table(n, 2, perm, vals);
    run_out o1, o2;
    assert_int_equal(run(s, t1, NULL, &o1), CIV_OK);
    assert_int_equal(run(s, t2, NULL, &o2), CIV_OK);
    int64_t *a1 = malloc(n * sizeof *a1), *a2 = malloc(n * sizeof *a2);
    civ_alloc_result_amounts(o1.p, o1.r, a1, n);
    civ_alloc_result_amounts(o2.p, o2.r, a2, n);
    int64_t sum = 0;
    for (size_t r = 0; r < n; r++) {
        assert_true(a2[r] == a1[perm[r]]);
        sum += a1[r];
    }
    assert_true(sum == 900000000);
    civ_alloc_stats st;
    assert_int_equal(civ_alloc_result_stats(o1.p, o1.r, &st), CIV_OK);
    if (!(st.n_floor > 0 && st.n_hold_harmless > 0 && st.n_cap > 0))
        fail_msg("binding: floor %zu, hold-harmless %zu, cap %zu", st.n_floor, st.n_hold_harmless, st.n_cap);
    /* civ_alloc_result_write: blocks of rows, shuffled input order, the same
     * bytes as writing the whole table; nothing left behind on error */
    char streamed[160], whole[160], h5[160];
    snprintf(streamed, sizeof streamed, "%s/streamed.csv", tmpdir);
    snprintf(whole, sizeof whole, "%s/whole.csv", tmpdir);
    snprintf(h5, sizeof h5, "%s/alloc.h5", tmpdir);
    civ_csv_write_options wo = {.bom = 1, .significant_digits = 6, .min_decimals = 2};
    for (int k = 0; k < 2; k++) {
        assert_int_equal(civ_alloc_result_write(o2.p, o2.r, 1, streamed, k ? &wo : NULL), CIV_OK);
        assert_int_equal(civ_table_write_opts(o2.t, whole, k ? &wo : NULL), CIV_OK);
        assert_true(same_file(streamed, whole));
    }
    assert_int_equal(civ_alloc_result_write(o2.p, o2.r, 1, h5, NULL), CIV_OK);
    civ_table *back = NULL;
    assert_int_equal(civ_table_read(h5, NULL, &back), CIV_OK);
    assert_int_equal(civ_table_n_rows(back), n);
    civ_table_free(back);
    assert_int_equal(civ_alloc_result_write(o2.p, o2.r, 0, "/nonexistent-dir/a.csv", NULL), CIV_ERR_IO);
    assert_int_equal(civ_alloc_result_write(o2.p, o2.r, 0, streamed, &(civ_csv_write_options){.min_decimals = 99}),
                     CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_alloc_result_write(NULL, o2.r, 0, streamed, NULL), CIV_ERR_INVALID_ARGUMENT);
    free(a1), free(a2), free(vals), free(order), free(perm);
    run_free(&o1), run_free(&o2);
    civ_table_free(t1), civ_table_free(t2);
    civ_alloc_spec_free(s);
}

/* The solve's per-community loops run on OpenMP threads from 32,768 members
 * on (waterfall.c PAR_MIN): amounts, every stage and the bindings must be
 * bit-identical for 1, 2 and 3 threads, with every rule kind binding
 * somewhere (floor, cap share, hold-harmless, pace, tilt, an earmark). */
static void test_threads_bit_identical(void **state)
{
    (void)state;
    const char *spec_text = "version = \"t\"\n[budget]\ntotal = 987654321.37\nfiscal_year = 2026\n"
                            "[[reserve]]\nname = \"r\"\nshare = 0.03\n"
                            "[[pool]]\nname = \"p\"\nshare = 0.8\nformula = \"main\"\n"
                            "[[pool]]\nname = \"e\"\nshare = 0.2\nformula = \"mig\"\n"
                            "eligible_attribute = \"sh\"\neligible_min = 0.3\n"
                            "[[formula]]\nname = \"main\"\nfloor = 5000.00\ncap_share = 0.00003\n"
                            "hold_harmless = 0.9\npace = 0.15\nlast_year = \"ly\"\n"
                            "[[factor]]\nname = \"f0\"\nformula = \"main\"\nattribute = \"a0\"\ncoefficient = \"coef\"\nweight = 0.6\n"
                            "[[factor]]\nname = \"f1\"\nformula = \"main\"\nattribute = \"a1\"\nweight = 0.4\n"
                            "[[formula]]\nname = \"mig\"\ncap_share = 0.001\n"
                            "[[factor]]\nname = \"f2\"\nformula = \"mig\"\nattribute = \"a1\"\nweight = 1\n"
                            "[[tilt]]\nname = \"t\"\nformula = \"main\"\nattribute = \"sh\"\nabove = 0.5\nmultiplier = 1.2\n";
    civ_alloc_spec *s = af_spec_of(spec_text);
    size_t n = 70000;
    double *vals = malloc(n * 7 * sizeof *vals);
    size_t *order = malloc(n * sizeof *order);
    assert_non_null(vals);
    assert_non_null(order);
    srand(161);
    for (size_t i = 0; i < n; i++) {
        vals[i * 7 + 0] = 1 + rand() % 5000;
        vals[i * 7 + 1] = (double)(rand() % 100000) / 7.0;
        vals[i * 7 + 2] = vals[i * 7 + 3] = 0;
        vals[i * 7 + 4] = 0.5 + urand();
        vals[i * 7 + 5] = urand();
        vals[i * 7 + 6] = rand() % 4 == 0 ? 0 : 2000 + (double)(rand() % 1200000) / 100.0; /* last year, yuan */
        order[i] = n - 1 - i; /* rows not in id order */
    }
    civ_table *c = random_table(n, 2, order, vals);
    civ_alloc_problem *p = NULL;
    if (civ_alloc_bind(s, c, NULL, &p))
        fail_msg("bind: %s", civ_last_error_message());
    int64_t *amt[3];
    double *stage[3][3];
    unsigned bound[3] = {0, 0, 0};
    int saved = omp_get_max_threads();
    for (int t = 0; t < 3; t++) {
        omp_set_num_threads(t + 1);
        civ_alloc_result *r = NULL;
        assert_int_equal(civ_alloc_result_create(p, &r), CIV_OK);
        if (civ_alloc_solve(p, r))
            fail_msg("solve: %s", civ_last_error_message());
        amt[t] = malloc(n * sizeof **amt);
        assert_int_equal(civ_alloc_result_amounts(p, r, amt[t], n), CIV_OK);
        for (int k = 0; k < 3; k++) {
            stage[t][k] = malloc(n * sizeof(double));
            assert_int_equal(civ_alloc_result_stage(p, r, (civ_alloc_stage)(k + 1), stage[t][k], n), CIV_OK);
        }
        civ_alloc_stats st;
        assert_int_equal(civ_alloc_result_stats(p, r, &st), CIV_OK);
        bound[t] = (unsigned)(st.n_floor * 1000003u + st.n_cap * 1009u + st.n_pace * 7u + st.n_hold_harmless);
        if (t == 0) /* every kind of bound decided some community */
            assert_true(st.n_floor > 0 && st.n_cap > 0 && st.n_pace > 0 && st.n_hold_harmless > 0);
        civ_alloc_result_free(r);
    }
    omp_set_num_threads(saved);
    for (int t = 1; t < 3; t++) {
        assert_memory_equal(amt[t], amt[0], n * sizeof **amt);
        for (int k = 0; k < 3; k++)
            assert_memory_equal(stage[t][k], stage[0][k], n * sizeof(double));
        assert_int_equal(bound[t], bound[0]);
    }
    for (int t = 0; t < 3; t++) {
        free(amt[t]);
        for (int k = 0; k < 3; k++)
            free(stage[t][k]);
    }
    civ_alloc_problem_free(p);
    civ_table_free(c);
    free(vals);
    free(order);
    civ_alloc_spec_free(s);
}

/* [data] population and aged share the values of the factor reading the
 * same attribute (bind.c); replacing that factor's values (Monte Carlo,
 * projections) must not change them: the population column and the per
 * capita figures keep the bound data. */
static void test_population_shared_with_factor(void **state)
{
    (void)state;
    civ_alloc_spec *s = af_spec_of("version = \"v\"\n[budget]\ntotal = 1000.00\nfiscal_year = 2026\n"
                                   "[data]\npopulation = \"pop\"\naged = \"old\"\n"
                                   "[[pool]]\nname = \"p\"\nshare = 1\n[[formula]]\nname = \"main\"\n"
                                   "[[factor]]\nname = \"people\"\nattribute = \"pop\"\nweight = 0.5\n"
                                   "[[factor]]\nname = \"elders\"\nattribute = \"old\"\ncoefficient = \"k\"\nweight = 0.5\n");
    civ_table *c = csv_table("unique_id,pop,old,k\nA,100,10,2\nB,300,30,1\n");
    civ_alloc_problem *p = NULL;
    civ_alloc_result *r = NULL;
    assert_int_equal(civ_alloc_bind(s, c, NULL, &p), CIV_OK);
    assert_int_equal(civ_alloc_result_create(p, &r), CIV_OK);
    double pop[2] = {1, 3}, old[2] = {7, 7}, back[2];
    assert_int_equal(civ_alloc_problem_set_factor(p, 0, pop, 2), CIV_OK);
    assert_int_equal(civ_alloc_problem_set_factor(p, 1, old, 2), CIV_OK);
    assert_int_equal(civ_alloc_problem_get_factor(p, 0, back, 2), CIV_OK);
    assert_true(back[0] == 1 && back[1] == 3);
    assert_int_equal(civ_alloc_solve(p, r), CIV_OK);
    civ_table *t = NULL;
    assert_int_equal(civ_alloc_result_table(p, r, 0, &t), CIV_OK);
    assert_true(af_cell(t, 0, "population") == 100 && af_cell(t, 1, "population") == 300);
    civ_alloc_stats st;
    assert_int_equal(civ_alloc_result_stats(p, r, &st), CIV_OK);
    assert_true(fabs(st.per_capita_mean - 1000.0 / 400) < 1e-9); /* the bound population, not the new factor */
    assert_true(fabs(st.per_aged_mean - 1000.0 / 40) < 1e-9);
    civ_table_free(t);
    civ_alloc_result_free(r);
    civ_alloc_problem_free(p);
    civ_table_free(c);
    civ_alloc_spec_free(s);
}

/* civ_alloc_result_summary_stats (what `civicast allocate` calls): the same
 * summary table, cell for cell, and the same figures, bit for bit, as
 * civ_alloc_result_summary and civ_alloc_result_stats called one after the
 * other; stats may be NULL. */
static void test_summary_with_stats(void **state)
{
    (void)state;
    civ_alloc_spec *s = af_spec_of(HEAD "[data]\npopulation = \"pop\"\n[[reserve]]\nname = \"r\"\nshare = 0.05\n"
                                        "[[pool]]\nname = \"p\"\nshare = 1\n[[formula]]\nname = \"main\"\nfloor = 150.00\n"
                                        "[[factor]]\nname = \"pop\"\nattribute = \"pop\"\nweight = 1\n"
                                        "[[tilt]]\nname = \"t\"\nattribute = \"share\"\nabove = 0.25\nmultiplier = 2\n");
    civ_table *c = csv_table("unique_id,district,pop,share\nA,d1,100,0.3\nB,d2,300,0.2\nC,d1,600,0.25\nD,d2,50,0\n");
    run_out o;
    assert_int_equal(run(s, c, NULL, &o), CIV_OK);
    civ_alloc_stats two, one;
    assert_int_equal(civ_alloc_result_stats(o.p, o.r, &two), CIV_OK);
    assert_true(two.n_floor > 0 && two.gini_before != two.gini_after); /* the statistics have something to say */
    civ_table *sum = NULL, *sum2 = NULL;
    memset(&one, 0xa5, sizeof one);
    assert_int_equal(civ_alloc_result_summary_stats(o.p, o.r, &sum, &one), CIV_OK);
    assert_true(memcmp(&one, &two, sizeof one) == 0);
    assert_int_equal(civ_alloc_result_summary_stats(o.p, o.r, &sum2, NULL), CIV_OK);
    const civ_table *tabs[2] = {sum, sum2};
    for (int k = 0; k < 2; k++) {
        const civ_table *t = tabs[k];
        assert_int_equal(civ_table_n_rows(t), civ_table_n_rows(o.sum));
        assert_int_equal(civ_table_n_columns(t), civ_table_n_columns(o.sum));
        for (size_t col = 0; col < civ_table_n_columns(t); col++) {
            assert_string_equal(civ_table_column_name(t, col), civ_table_column_name(o.sum, col));
            for (size_t r = 0; r < civ_table_n_rows(t); r++) {
                if (civ_table_column_type(t, col) == CIV_COLUMN_TEXT) {
                    assert_string_equal(civ_table_text(t, r, col), civ_table_text(o.sum, r, col));
                } else {
                    double x = civ_table_number(t, r, col), y = civ_table_number(o.sum, r, col);
                    assert_true(memcmp(&x, &y, sizeof x) == 0);
                }
            }
        }
    }
    assert_int_equal(civ_alloc_result_summary_stats(NULL, o.r, &sum, &one), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(civ_alloc_result_summary_stats(o.p, o.r, NULL, &one), CIV_ERR_INVALID_ARGUMENT);
    civ_table_free(sum), civ_table_free(sum2);
    run_free(&o);
    civ_table_free(c);
    civ_alloc_spec_free(s);
}

/* A paid table exported from the finance system (the year-end walk of 2026-12-05): keyed by the spec's
 * [data] id (社区编号) it was refused for want of 'unique_id'; a column in yuan whose amounts were all whole
 * yuan was read as fen (paid 1/100 of the truth) with exit 0; a total row (合计) was reported as "1147 rows
 * for 1146 communities" without naming it. */
static civ_table *paid_sheet(const char *id_col, const char *col, size_t n, const char *const *ids, const double *v)
{
    civ_table *t = NULL;
    size_t a, b;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    assert_int_equal(civ_table_add_column(t, id_col, CIV_COLUMN_TEXT, &a), CIV_OK);
    assert_int_equal(civ_table_add_column(t, col, CIV_COLUMN_NUMBER, &b), CIV_OK);
    assert_int_equal(civ_table_add_rows(t, n, NULL), CIV_OK);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(civ_table_set_text(t, i, a, ids[i]), CIV_OK);
        assert_int_equal(civ_table_set_number(t, i, b, v[i]), CIV_OK);
    }
    return t;
}

/* What the problem's paid table paid in all (fen), read back through the allocation's paid_fen column. */
static int64_t paid_total_fen(const civ_alloc_problem *p)
{
    civ_alloc_result *r = NULL;
    civ_table *t = NULL;
    assert_int_equal(civ_alloc_result_create(p, &r), CIV_OK);
    assert_int_equal(civ_alloc_solve(p, r), CIV_OK);
    assert_int_equal(civ_alloc_result_table(p, r, 0, &t), CIV_OK);
    size_t c;
    assert_int_equal(civ_table_find_column(t, "paid_fen", &c), CIV_OK);
    int64_t sum = 0;
    for (size_t i = 0; i < civ_table_n_rows(t); i++)
        sum += (int64_t)civ_table_number(t, i, c);
    civ_table_free(t);
    civ_alloc_result_free(r);
    return sum;
}

static void test_paid_sheet_from_finance(void **state)
{
    (void)state;
    static const char *const spec_fmt =
        "version = \"r\"\n[budget]\ntotal = 100.00\nfiscal_year = 2026\n[data]\nid = \"社区编号\"\n"
        "[[pool]]\nname = \"r\"\namount = 100.00\npaid = \"%s\"\n[[factor]]\nname = \"x\"\nattribute = \"x\"\n"
        "weight = 1\n";
    char text[512];
    const char *ids[] = {"C1", "C2"}, *with_total[] = {"C1", "C2", "合计"};
    const double x[] = {1, 3}, fen[] = {10000, 20000}, fen_total[] = {10000, 20000, 30000};
    civ_table *comm = paid_sheet("社区编号", "x", 2, ids, x);
    snprintf(text, sizeof text, spec_fmt, "paid_fen");
    civ_alloc_spec *s = af_spec_of(text);
    civ_alloc_problem *p = NULL;
    assert_int_equal(civ_alloc_bind(s, comm, NULL, &p), CIV_OK);
    civ_table *paid = paid_sheet("社区编号", "paid_fen", 2, ids, fen); /* keyed like the communities */
    assert_int_equal(civ_alloc_problem_set_paid(p, paid), CIV_OK);
    civ_alloc_result *r = NULL;
    assert_int_equal(civ_alloc_result_create(p, &r), CIV_OK);
    assert_int_equal(civ_alloc_solve(p, r), CIV_OK);
    civ_alloc_result_free(r);
    civ_table_free(paid);
    paid = paid_sheet("社区编号", "paid_fen", 3, with_total, fen_total);
    assert_int_equal(civ_alloc_problem_set_paid(p, paid), CIV_ERR_NOT_FOUND);
    assert_non_null(strstr(civ_last_error_message(), "paid table, row 3: community '合计' is not among the "
                                                     "allocation's communities: it looks like the sheet's total row"));
    civ_table_free(paid);
    { /* a paid sheet whose codes lost their leading zeros (Excel): the twin and the cure */
        const char *padded[] = {"007", "010"}, *plain[] = {"7", "10"};
        civ_table *cz = paid_sheet("社区编号", "x", 2, padded, x);
        civ_alloc_problem *pz = NULL;
        assert_int_equal(civ_alloc_bind(s, cz, NULL, &pz), CIV_OK);
        paid = paid_sheet("社区编号", "paid_fen", 2, plain, fen);
        assert_int_equal(civ_alloc_problem_set_paid(pz, paid), CIV_ERR_NOT_FOUND);
        assert_non_null(strstr(civ_last_error_message(), "community '007' has no row in the paid table; the paid "
                                                         "table has '7', the same code without its leading zeros"));
        civ_table_free(paid);
        civ_alloc_problem_free(pz);
        civ_table_free(cz);
    }
    paid = paid_sheet("编号", "paid_fen", 2, ids, fen);
    assert_int_equal(civ_alloc_problem_set_paid(p, paid), CIV_ERR_MISSING_COLUMN);
    assert_non_null(strstr(civ_last_error_message(), "no text id column 'unique_id' or '社区编号' (the spec's [data] id)"));
    civ_table_free(paid);
    civ_alloc_problem_free(p), civ_alloc_spec_free(s);
    /* yuan, all whole: 100.00 and 200.00 yuan would have been read as 1.00 and 2.00; a header marked in yuan
     * was refused ("convert it in the sheet"): now read exactly to the fen, as settle reads spending */
    const double yuan[] = {100, 200};
    const char *yuan_cols[] = {"已拨金额（元）", "paid_yuan", "已拨(万元)", "pool_yuanlin_fen", "paid", "已拨金额",
                               "已拨金额_元", "已拨金额_分"};
    for (int k = 0; k < 8; k++) {
        snprintf(text, sizeof text, spec_fmt, yuan_cols[k]);
        s = af_spec_of(text);
        assert_int_equal(civ_alloc_bind(s, comm, NULL, &p), CIV_OK);
        paid = paid_sheet("社区编号", yuan_cols[k], 2, ids, yuan);
        if (k == 3 || k == 7) { /* a fund whose name has "yuan" in it (园林) is in fen; so is _分 */
            assert_int_equal(civ_alloc_problem_set_paid(p, paid), CIV_OK);
            assert_int_equal(paid_total_fen(p), 300);
        } else if (k == 4 || k == 5) { /* a header naming no unit: whole yuan read as fen before (exit 0) */
            assert_int_equal(civ_alloc_problem_set_paid(p, paid), CIV_ERR_DOMAIN);
            assert_non_null(strstr(civ_last_error_message(), "does not say its unit: a sheet of whole yuan would "
                                                             "pass as fen"));
            assert_non_null(strstr(civ_last_error_message(), k == 4 ? "(paid_fen, 已拨金额（分）"
                                                                    : "(已拨金额_fen"));
            assert_non_null(strstr(civ_last_error_message(), k == 4 ? "(paid_yuan, 已拨金额（元）, read exactly"
                                                                    : "(已拨金额_yuan"));
        } else if (k == 2) { /* 万元 */
            assert_int_equal(civ_alloc_problem_set_paid(p, paid), CIV_ERR_DOMAIN);
            assert_non_null(strstr(civ_last_error_message(), "is named in 万元 (10,000 yuan), and paid amounts"));
            assert_non_null(strstr(civ_last_error_message(), "=ROUND(cell*10000, 2) under a header such as "
                                                             "paid_yuan"));
        } else { /* marked in yuan: 100.00 + 200.00 yuan = 30,000 fen */
            assert_int_equal(civ_alloc_problem_set_paid(p, paid), CIV_OK);
            assert_int_equal(paid_total_fen(p), 30000);
        }
        civ_table_free(paid);
        civ_alloc_problem_free(p), civ_alloc_spec_free(s);
    }
    /* a yuan column read from a file: exact to the fen (0.29 yuan is 29 fen, not 28.999...), and a third decimal
     * refused at its cell */
    snprintf(text, sizeof text, spec_fmt, "paid_yuan");
    s = af_spec_of(text);
    assert_int_equal(civ_alloc_bind(s, comm, NULL, &p), CIV_OK);
    paid = csv_table("unique_id,paid_yuan\nC1,100.29\nC2,0.07\n");
    assert_int_equal(civ_alloc_problem_set_paid(p, paid), CIV_OK);
    assert_int_equal(paid_total_fen(p), 10036);
    civ_table_free(paid);
    paid = csv_table("unique_id,paid_yuan\nC1,100.29\nC2,0.075\n");
    assert_int_equal(civ_alloc_problem_set_paid(p, paid), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "'paid_yuan' = 0.075 has more than the currency's 2 decimals: "
                                                     "round it to the minor unit in the sheet (Excel: =ROUND(cell, "
                                                     "2)); civicast does not round money"));
    assert_int_equal(civ_last_error()->line, 3);
    assert_int_equal(civ_last_error()->column, 2);
    civ_table_free(paid);
    civ_alloc_problem_free(p), civ_alloc_spec_free(s);
    /* a column headed in fen holding what is not whole fen: the message said "12345.5 is not a whole,
     * non-negative number of minor units (fen, not yuan: ...)", naming neither the column nor the cure of a sheet
     * typed in yuan (rename the header) */
    static const struct {
        const char *col, *csv, *want[2];
        long line;
    } frac[] = {
        {"paid_fen", "unique_id,paid_fen\nC1,10000\nC2,12345.5\n",
         {"'paid_fen' = 12345.5 is not a whole number of fen: if the column holds yuan, head it 'paid_yuan' (read "
          "exactly to the fen) and name it with the pool's 'paid' key; if fen, correct the cell",
          NULL},
         3},
        {"已拨金额_分", "unique_id,已拨金额_分\nC1,126225.00\nC2,115251.82\nC3,0.5\n",
         {"'已拨金额_分' = 115251.82 is not a whole number of fen: 2 of the column's 3 values have decimals, none "
          "more than 2, as amounts in yuan do: the column holds yuan, not fen: head it '已拨金额_元' (read exactly "
          "to the fen) and name it with the pool's 'paid' key",
          NULL},
         3},
        {"已拨金额（分）", "unique_id,已拨金额（分）\nC1,10000.5\nC2,20000.25\n",
         {"head it '已拨金额（元）'", NULL}, 2},
        {"paid_fen", "unique_id,paid_fen\nC1,10000\nC2,12345.555\n",
         {"'paid_fen' = 12345.555 is not a whole number of fen: nor is it an amount in yuan (more than the "
          "currency's 2 decimals): correct the cell",
          NULL},
         3},
    };
    const char *three[] = {"C1", "C2", "C3"};
    const double x3[] = {1, 3, 2};
    civ_table *comm3 = paid_sheet("社区编号", "x", 3, three, x3);
    for (size_t k = 0; k < sizeof frac / sizeof *frac; k++) {
        snprintf(text, sizeof text, spec_fmt, frac[k].col);
        s = af_spec_of(text);
        assert_int_equal(civ_alloc_bind(s, k == 1 ? comm3 : comm, NULL, &p), CIV_OK);
        paid = csv_table(frac[k].csv);
        assert_int_equal(civ_alloc_problem_set_paid(p, paid), CIV_ERR_DOMAIN);
        for (int m = 0; m < 2 && frac[k].want[m]; m++)
            assert_non_null(strstr(civ_last_error_message(), frac[k].want[m]));
        assert_int_equal(civ_last_error()->line, frac[k].line);
        assert_int_equal(civ_last_error()->column, 2);
        civ_table_free(paid);
        civ_alloc_problem_free(p), civ_alloc_spec_free(s);
    }
    civ_table_free(comm3);
    civ_table_free(comm);
}

/* The reverse unit slip: eligible_min = 0.5 (meant 50%) over an attribute in percent kept every community in the
 * earmark, exit 0.  Refused when the effect proves it (a minimum that excludes no one, a maximum that keeps no
 * one); a bound that splits the communities, or one over a count, runs as written. */
static void test_fraction_over_percent(void **state)
{
    (void)state;
    static const char *const fmt =
        "version = \"r\"\n[budget]\ntotal = 100.00\nfiscal_year = 2026\n[data]\nid = \"社区编号\"\n"
        "[[pool]]\nname = \"m\"\namount = 100.00\neligible_attribute = \"x\"\n%s\n[[factor]]\nname = \"x\"\n"
        "attribute = \"x\"\nweight = 1\n";
    const char *ids[] = {"C1", "C2", "C3"};
    const double pct[] = {12.5, 64.2, 3.7}, with_zero[] = {0, 64.2, 3.7}, counts[] = {1, 3, 7}, km[] = {0.2, 1.5, 3.7};
    struct {
        const double *v;
        const char *bound;
        civ_status want;
        const char *msg;
    } cases[] = {
        {pct, "eligible_min = 0.5", CIV_ERR_SPEC, "pool 'm': eligible_min = 0.5, but attribute 'x' holds values up to "
                                                  "64.2 (3.7..64.2, not whole: percentages?), so the bound would "
                                                  "exclude no community: a fraction written for a percentage? write "
                                                  "50 for 50%; if 0.5 is meant in the attribute's units, the bound "
                                                  "restricts nothing: drop it"},
        {pct, "eligible_max = 0.3", CIV_ERR_SPEC, "so no community would be eligible: a fraction written for a "
                                                  "percentage? write 30 for 30%"},
        {with_zero, "eligible_min = 0.5", CIV_OK, NULL}, /* excludes C1: as meant (0.5%), or a slip; it runs */
        {counts, "eligible_min = 0.5", CIV_OK, NULL},    /* at least one: a count is no percentage */
        {km, "eligible_min = 0.5", CIV_OK, NULL},        /* 0.5 km splits the communities */
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char text[600];
        snprintf(text, sizeof text, fmt, cases[k].bound);
        civ_alloc_spec *s = af_spec_of(text);
        civ_table *comm = paid_sheet("社区编号", "x", 3, ids, cases[k].v);
        civ_alloc_problem *p = NULL;
        assert_int_equal(civ_alloc_bind(s, comm, NULL, &p), cases[k].want);
        if (cases[k].msg)
            assert_non_null(strstr(civ_last_error_message(), cases[k].msg));
        civ_alloc_problem_free(p), civ_table_free(comm), civ_alloc_spec_free(s);
    }
}

/* The reverse slip of a tilt: above = 0.25 (meant 25%) over an attribute in percent tilted every community (a tilt
 * that changes no amount), below = 0.25 none, exit 0.  Refused when the effect proves it, as eligible_min /
 * eligible_max are; a threshold that splits the communities, or one over a count, runs as written. */
static void test_tilt_fraction_over_percent(void **state)
{
    (void)state;
    static const char *const fmt =
        "version = \"r\"\n[budget]\ntotal = 100.00\nfiscal_year = 2026\n[data]\nid = \"社区编号\"\n"
        "[[pool]]\nname = \"m\"\namount = 100.00\n[[factor]]\nname = \"x\"\nattribute = \"x\"\nweight = 1\n"
        "[[tilt]]\nname = \"aging\"\nattribute = \"x\"\n%s\nmultiplier = 1.2\n";
    const char *ids[] = {"C1", "C2", "C3"};
    const double pct[] = {12.5, 64.2, 3.7}, with_small[] = {0.1, 64.2, 3.7}, counts[] = {1, 3, 7},
                 fr[] = {0.1, 0.3, 0.2};
    struct {
        const double *v;
        const char *threshold;
        civ_status want;
        const char *msg;
    } cases[] = {
        {pct, "above = 0.25", CIV_ERR_SPEC, "tilt 'aging': above = 0.25, but attribute 'x' holds values up to 64.2 "
                                            "(3.7..64.2, not whole: percentages?), so every community would be "
                                            "tilted: a fraction written for a percentage? write 25 for 25%; if 0.25 "
                                            "is meant in the attribute's units, the tilt raises every community's "
                                            "score alike and changes no share: drop it"},
        {pct, "at_most = 0.3", CIV_ERR_SPEC, "so no community would be tilted: a fraction written for a percentage? "
                                             "write 30 for 30%; if 0.3 is meant in the attribute's units, the tilt "
                                             "applies to no one: drop it"},
        {with_small, "above = 0.25", CIV_OK, NULL}, /* leaves C1 out: as meant, or a slip; it runs */
        {counts, "at_least = 0.5", CIV_OK, NULL},   /* at least one: a count is no percentage */
        {pct, "above = 25", CIV_OK, NULL},          /* in the attribute's units */
        {fr, "below = 25", CIV_ERR_SPEC, "tilt 'aging': below = 25, but attribute 'x' holds fractions (0.1..0.3), "
                                         "so every community would be tilted: a percentage? write 0.25 for 25%"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char text[700];
        snprintf(text, sizeof text, fmt, cases[k].threshold);
        civ_alloc_spec *s = af_spec_of(text);
        civ_table *comm = paid_sheet("社区编号", "x", 3, ids, cases[k].v);
        civ_alloc_problem *p = NULL;
        assert_int_equal(civ_alloc_bind(s, comm, NULL, &p), cases[k].want);
        if (cases[k].msg) {
            assert_non_null(strstr(civ_last_error_message(), cases[k].msg));
            assert_int_equal(civ_last_error()->line, 17); /* at the threshold */
        }
        civ_alloc_problem_free(p), civ_table_free(comm), civ_alloc_spec_free(s);
    }
}

/* Next year's last_year fed with this year's amounts in fen (the column is in yuan): bounds 100 times too high.
 * The cure was "set on_infeasible = ratable", which would have cut every hold-harmless by one ratio (the
 * year-end walk, 2026-12-05); now the units are named, with and without a cap. */
static void test_last_year_in_minor_units(void **state)
{
    (void)state;
    const double x[] = {1, 3}, ly_fen[] = {6000, 5000};
    civ_table *comm = af_table_ab(2, x, ly_fen);
    /* with on_infeasible = "ratable" the hold-harmless bounds (85% of 110 times the fund) were cut to 1.07% of
     * themselves and the fund went out in proportion to last year, exit 0 */
    const char *caps[] = {"", "cap_share = 0.9\n", "on_infeasible = \"ratable\"\n"};
    for (int k = 0; k < 3; k++) {
        char text[512];
        snprintf(text, sizeof text,
                 "version = \"y\"\n[budget]\ntotal = 100.00\nfiscal_year = 2027\n[[pool]]\nname = \"p\"\n"
                 "amount = 100.00\nformula = \"main\"\n[[formula]]\nname = \"main\"\nhold_harmless = 0.85\n"
                 "last_year = \"b\"\n%s[[factor]]\nname = \"x\"\nformula = \"main\"\nattribute = \"a\"\nweight = 1\n",
                 caps[k]);
        civ_alloc_spec *s = af_spec_of(text);
        civ_alloc_problem *p = NULL;
        civ_alloc_result *r = NULL;
        assert_int_equal(civ_alloc_bind(s, comm, NULL, &p), CIV_OK);
        assert_int_equal(civ_alloc_result_create(p, &r), CIV_OK);
        assert_int_equal(civ_alloc_solve(p, r), CIV_ERR_INFEASIBLE);
        assert_non_null(strstr(civ_last_error_message(), "last year's amounts total 1100000 minor units, 110 times "
                                                         "this year's fund: minor units in 'b', which is in major "
                                                         "units? write last year's pool_p_fen / 100 there"));
        if (k < 2)
            assert_null(strstr(civ_last_error_message(), "ratable"));
        else
            assert_non_null(strstr(civ_last_error_message(), "on_infeasible = \"ratable\" would cut each to 1.1% "
                                                             "of itself"));
        civ_alloc_result_free(r), civ_alloc_problem_free(p), civ_alloc_spec_free(s);
    }
    civ_table_free(comm);
}

/* A floor written in minor units (fen) in the spec, whose money is in major units (yuan): the budget walk of
 * 2026-12-06 wrote floor = 15_000_000 for 150,000.00 yuan.  Before, the message gave bare minor units
 * ("total 1000000 minor units, above the pool of 10000") and offered on_infeasible = "ratable", under which the
 * floors, cut to 1% of themselves, split the fund equally, the formula ignored, exit 0.  A floor that is only
 * too high (not ten times the fund) keeps the old cure and the ratable cut. */
static void test_floor_in_minor_units(void **state)
{
    (void)state;
    const double x[] = {1, 3}, ly[] = {0, 0};
    civ_table *comm = af_table_ab(2, x, ly);
    const char *floors[] = {"5000", "5000", "5000", "60.00", "60.00"};
    const char *ratable = "on_infeasible = \"ratable\"\n", *more[] = {"", "cap_share = 0.9\n", ratable, "", ratable};
    for (int k = 0; k < 5; k++) {
        char text[512];
        snprintf(text, sizeof text,
                 "version = \"y\"\n[budget]\ntotal = 100.00\nfiscal_year = 2027\n[[pool]]\nname = \"p\"\n"
                 "amount = 100.00\nformula = \"main\"\n[[formula]]\nname = \"main\"\nfloor = %s\n%s"
                 "[[factor]]\nname = \"x\"\nformula = \"main\"\nattribute = \"a\"\nweight = 1\n",
                 floors[k], more[k]);
        civ_alloc_spec *s = af_spec_of(text);
        civ_alloc_problem *p = NULL;
        civ_alloc_result *r = NULL;
        assert_int_equal(civ_alloc_bind(s, comm, NULL, &p), CIV_OK);
        assert_int_equal(civ_alloc_result_create(p, &r), CIV_OK);
        civ_status st = civ_alloc_solve(p, r);
        const char *msg = civ_last_error_message();
        if (k < 3) {
            assert_int_equal(st, CIV_ERR_INFEASIBLE);
            assert_non_null(strstr(msg, "; the floor of 5,000.00 (t.spec:11) for each of 2 communities is 100 "
                                        "times the fund: written in fen? the spec's money is in yuan: floor = 50.00"));
            assert_string_equal(civ_last_error()->field, "main");
        }
        if (k == 0)
            assert_non_null(strstr(msg, "pool 'p' (formula 'main'): the lower bounds (floors, hold-harmless) total "
                                        "10,000.00 CNY, above the fund of 100.00 CNY; the floor"));
        if (k == 1)
            assert_non_null(strstr(msg, "community 'c00' has an upper bound (cap) of 90.00 CNY below its lower bound "
                                        "(floor) of 5,000.00; the floor"));
        if (k == 2)
            assert_non_null(strstr(msg, "on_infeasible = \"ratable\" would cut every floor to 1% of itself; the "
                                        "floor of 5,000.00"));
        if (k < 2)
            assert_null(strstr(msg, "ratable"));
        if (k == 3) { /* too high, not a unit: the old cure, in yuan */
            assert_int_equal(st, CIV_ERR_INFEASIBLE);
            assert_non_null(strstr(msg, "the lower bounds (floors, hold-harmless) total 120.00 CNY, above the pool of "
                                        "100.00 CNY: lower the floor"));
            assert_null(strstr(msg, "written in fen"));
        }
        if (k == 4) /* ... and the ratable cut as before */
            assert_int_equal(st, CIV_OK);
        civ_alloc_result_free(r), civ_alloc_problem_free(p), civ_alloc_spec_free(s);
    }
    civ_table_free(comm);
}

/* [data] predecessors (docs/ALLOCATION.md "When the map changes"): a
 * community merged from last year's A1 and A2 under a new id, with 0 in
 * the history column, passed as new and escaped the 85% hold-harmless
 * (demo city: 189,418.09 yuan where 255,000.00 was promised on 300,000.00).
 * Declared, it is refused until its history holds the predecessors' sum. */
static civ_table *table_for_spec(const civ_alloc_spec *s, const char *text)
{
    return af_csv_table(tmpdir, text, civ_alloc_spec_text_columns(s));
}

static void test_predecessors(void **state)
{
    (void)state;
    const char *spec = "version = \"m\"\n[budget]\ntotal = 1000.00\nfiscal_year = 2026\n[data]\n"
                       "predecessors = \"前身\"\n[[pool]]\nname = \"p\"\nshare = 1\n[[formula]]\nname = \"main\"\n"
                       "hold_harmless = 0.85\n"
                       "last_year = \"ly\"\n[[factor]]\nname = \"x\"\nattribute = \"x\"\nweight = 1\n";
    civ_alloc_spec *s = af_spec_of(spec);
    /* the office's sheet: M merged from A1+A2 (0 written for "no row last year"), N new */
    civ_table *t = table_for_spec(s, "\xef\xbb\xbfunique_id,x,ly,前身\nB,10,500,\nM,1,0,A1；A2\nN,1,0,\n");
    run_out o;
    assert_int_equal(run(s, t, NULL, &o), CIV_ERR_DOMAIN);
    const char *msg = civ_last_error_message();
    assert_non_null(strstr(msg, "community 'M' (line 3) continues last year's A1；A2 (column '前身') but has no "
                                "last year in any fund ('ly' are 0)"));
    assert_non_null(strstr(msg, "exempt from hold-harmless and pace"));
    assert_non_null(strstr(msg, "the sum of its predecessors' last-year amounts"));
    assert_string_equal(civ_last_error()->series_id, "M");
    run_free(&o);
    civ_table_free(t);

    /* its history written (300 = A1's 100 + A2's 200): the hold-harmless binds, N stays new */
    t = table_for_spec(s, "unique_id,x,ly,前身\nB,10,500,\nM,1,300,A1、A2\nN,1,0,\n");
    assert_int_equal(run(s, t, NULL, &o), CIV_OK);
    assert_true(fabs(af_cell(o.t, 1, "amount_fen") - 25500) <= 0);
    assert_string_equal(civ_table_text(o.t, 1, 0), "M");
    /* the explanation says whose last year it carries (the ids joined by '+', never by "; ") */
    assert_non_null(strstr(text_cell(o.t, 1, "explanation"), "x 100.0% (last year's amounts from A1+A2); "));
    assert_null(strstr(text_cell(o.t, 2, "explanation"), "amounts from"));
    civ_table *zh = NULL;
    assert_int_equal(civ_alloc_result_table(o.p, o.r, CIV_ALLOC_EXPLAIN_ZH, &zh), CIV_OK);
    assert_non_null(strstr(text_cell(zh, 1, "explanation"), "构成：x 100.0%（上年金额来自 A1+A2）；"));
    civ_table_free(zh);
    run_free(&o);
    civ_table_free(t);

    /* a predecessor that is still a community of this year: named, whatever the separator */
    t = table_for_spec(s, "unique_id,x,ly,前身\nB,10,500,\nM,1,300, A1 ，B \nN,1,0,\n");
    assert_int_equal(run(s, t, NULL, &o), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "its predecessors ('前身' = ' A1 ，B ') include 'B', "
                                                     "which is a community of this year too"));
    run_free(&o);
    civ_table_free(t);

    /* a predecessor that is this year's code but for the leading zeros Excel dropped: the same community,
     * most likely (its money would count twice): named with the twin and both cures */
    t = table_for_spec(s, "unique_id,x,ly,前身\n0101,10,500,\nM,1,300,101、A2\nN,1,0,\n");
    assert_int_equal(run(s, t, NULL, &o), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "include '101'; the communities table has '0101', the same "
                                                     "code with leading zeros (Excel drops them"));
    assert_non_null(strstr(civ_last_error_message(), "it is not a predecessor (remove it from the cell)"));
    run_free(&o);
    civ_table_free(t);

    /* the column missing: named with what it is for */
    t = table_for_spec(s, "unique_id,x,ly\nB,10,500\nM,1,300\n");
    assert_int_equal(run(s, t, NULL, &o), CIV_ERR_MISSING_COLUMN);
    assert_non_null(strstr(civ_last_error_message(), "[data] predecessors: the communities table has no column "
                                                     "'前身'"));
    assert_int_equal(civ_last_error()->line, 6);
    run_free(&o);
    civ_table_free(t);
    civ_alloc_spec_free(s);
}

/* Last year's allocation as an input (civ_alloc_spec_set_last_year): a
 * closed community used to be an amount at most (last_year_total), a merged
 * one's history the office's hand-made sum, and a split checked only against
 * the whole fund.  With the file: blanks are taken from it (own id, or the
 * predecessors' sum), a differing cell is refused with both values, a split's
 * parts may not sum to more than the parent, and the closed are named. */
static civ_table *ly_file(const char *text)
{
    static const char *const text_cols[] = {"unique_id", "name", NULL};
    return af_csv_table(tmpdir, text, text_cols);
}

static void test_last_year_file(void **state)
{
    (void)state;
    const char *spec = "version = \"m\"\n[budget]\ntotal = 3000.00\nfiscal_year = 2026\n[data]\n"
                       "predecessors = \"前身\"\n[[pool]]\nname = \"p\"\nshare = 1\n[[formula]]\nname = \"main\"\n"
                       "hold_harmless = 0.85\n"
                       "last_year = \"ly\"\n[[factor]]\nname = \"x\"\nattribute = \"x\"\nweight = 1\n";
    civ_alloc_spec *s = af_spec_of(spec);
    /* last year's allocation as civicast writes it (extra columns and all): A1 + A2 merged into M, S split
     * into S1 and S2, X closed */
    civ_table *ly = ly_file("unique_id,name,pool_p_fen,amount_fen,amount_yuan,share_pct\n"
                            "A1,甲,10000,10000,100.00,7.8\nA2,乙,20000,20000,200.00,15.7\nB,丙,50000,50000,500.00,39\n"
                            "S,戊,40000,40000,400.00,31\nX,丁,7000,7000,70.00,5.5\n");
    assert_int_equal(civ_alloc_spec_set_last_year(s, ly), CIV_OK);
    civ_table_free(ly); /* the spec keeps its copy */
    civ_table *t = table_for_spec(s, "unique_id,x,ly,前身\nB,10,,\nM,1,,A1；A2\nN,1,0,\nS1,1,150,S\nS2,1,250,S\n");
    run_out o;
    assert_int_equal(run(s, t, NULL, &o), CIV_OK);
    /* B's own 500.00, M's 100.00 + 200.00 from the file; the 85% hold-harmless on them */
    assert_true(fabs(af_cell(o.t, 0, "last_year_fen") - 50000) <= 0);
    assert_string_equal(civ_table_text(o.t, 1, 0), "M");
    assert_true(fabs(af_cell(o.t, 1, "last_year_fen") - 30000) <= 0);
    assert_true(af_cell(o.t, 1, "amount_fen") >= 25500);
    assert_true(fabs(af_cell(o.t, 2, "last_year_fen")) <= 0);
    /* X, continued by no one, is named with its amount and name; the fund's history reconciled with the file */
    assert_true(fabs(summary_value(o.sum, "closed", "X", "amount") - 7000) <= 0);
    assert_true(fabs(summary_value(o.sum, "closed", "X", "last_year_p") - 7000) <= 0);
    size_t closed = 0;
    for (size_t r = 0; r < civ_table_n_rows(o.sum); r++)
        if (!strcmp(text_cell(o.sum, r, "section"), "closed") && !strcmp(text_cell(o.sum, r, "measure"), "amount")) {
            closed++;
            assert_string_equal(text_cell(o.sum, r, "label"), "丁");
        }
    assert_int_equal(closed, 1);
    assert_true(fabs(summary_value(o.sum, "history", "p", "last_year_total") - 127000) <= 0);
    assert_true(fabs(summary_value(o.sum, "history", "p", "carried") - 120000) <= 0);
    assert_true(fabs(summary_value(o.sum, "history", "p", "not_carried") - 7000) <= 0);
    run_free(&o);
    civ_table_free(t);

    /* a cell that differs from the file: both values, the cell, the cure */
    t = table_for_spec(s, "unique_id,x,ly,前身\nB,10,500,\nM,1,250,A1；A2\nN,1,0,\nS1,1,150,S\nS2,1,250,S\n");
    assert_int_equal(run(s, t, NULL, &o), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "community 'M' (line 3) has 250.00 last year in 'ly', but last "
                                                     "year's allocation"));
    assert_non_null(strstr(civ_last_error_message(), "gives 300.00 ('A1' + 'A2', fund 'p')"));
    assert_non_null(strstr(civ_last_error_message(), "leave the cell blank to take 300.00 from the file"));
    assert_int_equal(civ_last_error()->line, 3);
    assert_int_equal(civ_last_error()->column, 3);
    assert_string_equal(civ_last_error()->series_id, "M");
    run_free(&o);
    civ_table_free(t);

    /* a split whose parts each got the parent's whole amount: refused, naming the parts (the whole fund,
     * 1270.00, would not have caught it: 500 + 300 + 400 + 400 = 1600 > 1270, but 300 + 300 would pass) */
    t = table_for_spec(s, "unique_id,x,ly,前身\nB,10,500,\nM,1,300,A1；A2\nN,1,0,\nS1,1,300,S\nS2,1,300,S\n");
    assert_int_equal(run(s, t, NULL, &o), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "last year's 'S' ("));
    assert_non_null(strstr(civ_last_error_message(), ":5) was split into 'S1' 300.00, 'S2' 300.00 (column '前身'): "
                                                     "their last years in 'ly' sum to 600.00, more than the 400.00"));
    run_free(&o);
    civ_table_free(t);

    /* a split part left blank: its share is the office's decision */
    t = table_for_spec(s, "unique_id,x,ly,前身\nB,10,500,\nM,1,300,A1；A2\nN,1,0,\nS1,1,,S\nS2,1,250,S\n");
    assert_int_equal(run(s, t, NULL, &o), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "community 'S1' (line 5) is a part of 'S', which several "
                                                     "communities continue (a split)"));
    run_free(&o);
    civ_table_free(t);

    /* a predecessor the file lacks, and a history for a community the file does not know */
    t = table_for_spec(s, "unique_id,x,ly,前身\nB,10,500,\nM,1,,A1；A9\nN,1,0,\nS1,1,150,S\nS2,1,250,S\n");
    assert_int_equal(run(s, t, NULL, &o), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "names 'A9' among its predecessors (column '前身'), which last "
                                                     "year's allocation"));
    run_free(&o);
    civ_table_free(t);
    t = table_for_spec(s, "unique_id,x,ly,前身\nB,10,500,\nM,1,300,A1；A2\nN,1,50,\nS1,1,150,S\nS2,1,250,S\n");
    assert_int_equal(run(s, t, NULL, &o), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "community 'N' (line 4) has 50.00 last year in 'ly', but last "
                                                     "year's allocation"));
    assert_non_null(strstr(civ_last_error_message(), "has no row for it and it names no predecessor"));
    run_free(&o);
    civ_table_free(t);

    /* the history column absent: every amount from the file */
    t = table_for_spec(s, "unique_id,x,前身\nB,10,\nM,1,A1；A2\nN,1,\nS1,1,\nS2,1,\n");
    assert_int_equal(run(s, t, NULL, &o), CIV_OK);
    assert_true(fabs(af_cell(o.t, 1, "last_year_fen") - 30000) <= 0);
    /* S1 and S2 no longer name S: it is closed too */
    assert_true(fabs(summary_value(o.sum, "closed", "S", "amount") - 40000) <= 0);
    run_free(&o);
    civ_table_free(t);

    /* a file without the fund's column, and one with an id twice: named */
    ly = ly_file("unique_id,amount_yuan\nA1,100\n");
    assert_int_equal(civ_alloc_spec_set_last_year(s, ly), CIV_OK);
    civ_table_free(ly);
    t = table_for_spec(s, "unique_id,x,ly,前身\nB,10,500,\n");
    assert_int_equal(run(s, t, NULL, &o), CIV_ERR_MISSING_COLUMN);
    assert_non_null(strstr(civ_last_error_message(), "has no column 'pool_p_fen'"));
    run_free(&o);
    ly = ly_file("unique_id,pool_p_fen\nA1,100\nA1,200\n");
    assert_int_equal(civ_alloc_spec_set_last_year(s, ly), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "community 'A1' has two rows"));
    assert_int_equal(civ_last_error()->line, 3);
    civ_table_free(ly);

    /* removed: the blank is refused as before */
    assert_int_equal(civ_alloc_spec_set_last_year(s, NULL), CIV_OK);
    assert_int_equal(run(s, t, NULL, &o), CIV_OK);
    run_free(&o);
    civ_table_free(t);
    t = table_for_spec(s, "unique_id,x,ly,前身\nB,10,,\n");
    assert_int_equal(run(s, t, NULL, &o), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "is missing (NaN) for community 'B'"));
    assert_non_null(strstr(civ_last_error_message(), "or leave it blank and give last year's allocation "
                                                     "(--last-year FILE, [data] last_year_file)"));
    run_free(&o);
    civ_table_free(t);
    civ_alloc_spec_free(s);

    /* [data] last_year_file is resolved against the spec's folder */
    const char *keyed = "version = \"m\"\n[budget]\ntotal = 10.00\nfiscal_year = 2026\n[data]\n"
                        "last_year_file = \"ly.csv\"\n[[pool]]\nname = \"p\"\nshare = 1\n[[factor]]\nname = \"x\"\n"
                        "attribute = \"x\"\nweight = 1\n";
    assert_int_equal(civ_alloc_spec_parse(keyed, strlen(keyed), "/data/specs/2026.spec", &s), CIV_OK);
    assert_string_equal(civ_alloc_spec_last_year_file(s), "/data/specs/ly.csv");
    civ_alloc_spec_free(s);
    assert_int_equal(civ_alloc_spec_parse(keyed, strlen(keyed), "2026.spec", &s), CIV_OK);
    assert_string_equal(civ_alloc_spec_last_year_file(s), "ly.csv");
    civ_alloc_spec_free(s);
}

/* [data] predecessor_shares with last year's allocation: a blank last-year cell of a split's part was refused
 * ("its share is the office's decision"); with shares it is share x the parent's amount, the parts of one
 * parent rounded together to add up to round(sum of shares x parent) (largest remainder, ties to the smaller
 * id).  And a predecessor id containing '+' ("A+B", a rename) was split at the '+' (bind.c joined the list
 * with '+', last_year.c split it again): refused as "names 'A' ... no row". */
static void test_last_year_split_shares(void **state)
{
    (void)state;
    const char *spec = "version = \"m\"\n[budget]\ntotal = 3000.00\nfiscal_year = 2026\n[data]\n"
                       "predecessors = \"前身\"\npredecessor_shares = \"份额\"\n[[pool]]\nname = \"p\"\nshare = 1\n"
                       "[[formula]]\nname = \"main\"\nhold_harmless = 0.85\n"
                       "last_year = \"ly\"\n[[factor]]\nname = \"x\"\nattribute = \"x\"\nweight = 1\n";
    civ_alloc_spec *s = af_spec_of(spec);
    assert_string_equal(civ_alloc_spec_predecessor_shares_column(s), "份额");
    civ_table *ly = ly_file("unique_id,pool_p_fen\nS,40001\nT,40001\nA+B,30000\nA,1\nB,2\nC,5\n");
    assert_int_equal(civ_alloc_spec_set_last_year(s, ly), CIV_OK);
    civ_table_free(ly);
    civ_table *t = table_for_spec(s, "unique_id,x,ly,前身,份额\nS1,1,,S,0.5\nS2,1,,S,50%\nT1,1,,T,0.6\n"
                                     "T2,1,,T,0.3\nM,1,,A+B,\nC,1,,,\nN,1,0,,\n");
    run_out o;
    assert_int_equal(run(s, t, NULL, &o), CIV_OK);
    /* 0.5 x 400.01 = 200.005 each: the fen left over to the smaller id; T: 0.9 x 400.01 = 360.009 -> 360.01 */
    const double want[] = {20001, 20000, 24001, 12000, 30000, 5, 0};
    for (size_t i = 0; i < 7; i++)
        assert_true(fabs(af_cell(o.t, i, "last_year_fen") - want[i]) <= 0);
    assert_non_null(strstr(text_cell(o.t, 0, "explanation"), "(last year's amounts from S\xc3\x97" "0.5)"));
    assert_non_null(strstr(text_cell(o.t, 4, "explanation"), "(last year's amounts from A+B)"));
    /* A and B are closed, not "A+B" */
    assert_true(fabs(summary_value(o.sum, "closed", "A", "amount") - 1) <= 0);
    assert_true(fabs(summary_value(o.sum, "closed", "B", "amount") - 2) <= 0);
    run_free(&o);
    civ_table_free(t);

    /* a written cell equal to the share is kept; one that differs is refused with both values */
    t = table_for_spec(s, "unique_id,x,ly,前身,份额\nS1,1,200.01,S,0.5\nS2,1,200.01,S,0.5\n");
    assert_int_equal(run(s, t, NULL, &o), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "community 'S2' (line 3) has 200.01 last year in 'ly', but "
                                                     "last year's allocation"));
    assert_non_null(strstr(civ_last_error_message(), "gives 200.00 ('S' x 0.5, fund 'p')"));
    run_free(&o);
    civ_table_free(t);

    /* the shares checked at the cell: outside (0, 1], a sum above 1, some parts without */
    t = table_for_spec(s, "unique_id,x,ly,前身,份额\nS1,1,,S,1.2\nS2,1,,S,0.5\n");
    assert_int_equal(run(s, t, NULL, &o), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "share 1 of '份额' = '1.2' is '1.2', not a number in (0, 1]"));
    assert_int_equal(civ_last_error()->line, 2);
    assert_int_equal(civ_last_error()->column, 5);
    run_free(&o);
    civ_table_free(t);
    t = table_for_spec(s, "unique_id,x,ly,前身,份额\nS1,1,,S,0.6\nS2,1,,S,0.5\n");
    assert_int_equal(run(s, t, NULL, &o), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "last year's 'S' was split into 'S1' 0.6, 'S2' 0.5 (column "
                                                     "'份额'): their shares sum to 1.1, more than 1"));
    run_free(&o);
    civ_table_free(t);
    t = table_for_spec(s, "unique_id,x,ly,前身,份额\nS1,1,,S,0.6\nS2,1,150,S,\n");
    assert_int_equal(run(s, t, NULL, &o), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "'S2' gives no share of it in '份额' while the others do"));
    run_free(&o);
    civ_table_free(t);
    t = table_for_spec(s, "unique_id,x,ly,前身\nS1,1,,S\n");
    assert_int_equal(run(s, t, NULL, &o), CIV_ERR_MISSING_COLUMN);
    assert_non_null(strstr(civ_last_error_message(), "[data] predecessor_shares: the communities table has no "
                                                     "column '份额'"));
    run_free(&o);
    civ_table_free(t);
    civ_alloc_spec_free(s);
    /* shares without predecessors: refused at the key */
    civ_alloc_spec *bad = NULL;
    const char *nokey = "version = \"m\"\n[budget]\ntotal = 10.00\nfiscal_year = 2026\n[data]\n"
                        "predecessor_shares = \"份额\"\n[[pool]]\nname = \"p\"\nshare = 1\n[[factor]]\nname = \"x\"\n"
                        "attribute = \"x\"\nweight = 1\n";
    assert_int_equal(civ_alloc_spec_parse(nokey, strlen(nokey), "s.spec", &bad), CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error_message(), "[data] predecessors (the column naming them) is not given"));
    assert_null(bad);
    /* the id with '+' without shares (the old spec's keys only): read as one id */
    s = af_spec_of("version = \"m\"\n[budget]\ntotal = 3000.00\nfiscal_year = 2026\n[data]\n"
                   "predecessors = \"前身\"\n[[pool]]\nname = \"p\"\nshare = 1\n[[formula]]\nname = \"main\"\n"
                   "hold_harmless = 0.85\n"
                   "last_year = \"ly\"\n[[factor]]\nname = \"x\"\nattribute = \"x\"\nweight = 1\n");
    ly = ly_file("unique_id,pool_p_fen\nA+B,30000\nA,1\nB,2\n");
    assert_int_equal(civ_alloc_spec_set_last_year(s, ly), CIV_OK);
    civ_table_free(ly);
    t = table_for_spec(s, "unique_id,x,ly,前身\nM,1,,A+B\nA,1,,\nB,1,,\n");
    assert_int_equal(run(s, t, NULL, &o), CIV_OK);
    assert_true(fabs(af_cell(o.t, 0, "last_year_fen") - 30000) <= 0); /* before: A's 0.01 + B's 0.02 */
    run_free(&o);
    civ_table_free(t);
    civ_alloc_spec_free(s);
}

/* Writes `text` to tmpdir/name; its path in path[size]. */
static void write_file(const char *name, const char *text, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", tmpdir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}


/* The allocation sheet of the plan's allocation.xlsx as last year's allocation (last_year_book.c): the workbook
 * the office keeps was refused ("6 sheets hold data ...: name the one to read", then "has no text id column
 * 'unique_id'").  Its headers (Chinese or English, the spec's labels: 养老补贴（分）, Mig (fen)) are read back as
 * the machine names, the sheet is found among the others without a name, codes such as 001 stay text, a fen
 * cell corrected by hand is taken, and a yuan cell edited without its fen twin, a total other than its funds'
 * sum and a renamed header are refused, naming the community, the headers and both values. */
static const char *book_spec = "version = \"b\"\n[budget]\ntotal = 6000.00\nfiscal_year = 2026\n"
                               "[[pool]]\nname = \"care\"\nlabel = \"养老补贴\"\nshare = 0.6\nformula = \"main\"\n"
                               "[[pool]]\nname = \"mig\"\nshare = 0.4\nformula = \"m2\"\n"
                               "[[formula]]\nname = \"main\"\nlabel = \"综合公式\"\nhold_harmless = 0.85\nlast_year = \"ly\"\n"
                               "[[formula]]\nname = \"m2\"\npace = 0.5\nlast_year = \"ly2\"\n"
                               "[[factor]]\nname = \"x\"\nlabel = \"人口\"\nformula = \"main\"\nattribute = \"x\"\n"
                               "weight = 1\n[[factor]]\nname = \"y\"\nformula = \"m2\"\nattribute = \"x\"\n"
                               "weight = 1\n";

/* The plan's workbook (as alloc/workbook.c heads it) in zh or en with ids 001, 002, 010: care 1000.00 / 800.00 /
 * 1200.00, mig 0 / 400.00 / 0; `edit` 1 puts 1,300.00 in the yuan total of 002 only, 2 makes 002's care fen
 * 90000 only, 3 corrects 002 consistently (care 90000, total 130000, 1,300.00), 4 renames the care header. */
static void write_book(const char *path, int zh, int edit)
{
    const char *head[] = {zh ? "社区编号" : "Community id", zh ? "分配金额（元）" : "Amount (yuan)",
                          zh ? "说明" : "Explanation",
                          edit == 4 ? "补贴（分）" : zh ? "养老补贴（分）" : "养老补贴 (fen)",
                          zh ? "mig（分）" : "Mig (fen)", zh ? "分配金额（分）" : "Amount (fen)",
                          zh ? "人口（分）" : "人口 (fen)"};
    const char *ids[] = {"001", "002", "010"};
    double care[] = {100000, 80000, 120000}, mig[] = {0, 40000, 0};
    civ_table *t = NULL, *other = NULL;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    for (size_t k = 0; k < 7; k++)
        assert_int_equal(civ_table_add_column(t, head[k], k == 0 || k == 2 ? CIV_COLUMN_TEXT : CIV_COLUMN_NUMBER,
                                              NULL), CIV_OK);
    assert_int_equal(civ_table_add_rows(t, 3, NULL), CIV_OK);
    for (size_t r = 0; r < 3; r++) {
        double c = care[r], total = care[r] + mig[r], yuan = total / 100;
        if (r == 1 && edit == 1)
            yuan = 1300;
        if (r == 1 && (edit == 2 || edit == 3))
            c = 90000, total = edit == 3 ? 130000 : total, yuan = total / 100;
        assert_int_equal(civ_table_set_text(t, r, 0, ids[r]), CIV_OK);
        assert_int_equal(civ_table_set_number(t, r, 1, yuan), CIV_OK);
        assert_int_equal(civ_table_set_text(t, r, 2, zh ? "构成：人口 100%" : "made of"), CIV_OK);
        assert_int_equal(civ_table_set_number(t, r, 3, c), CIV_OK);
        assert_int_equal(civ_table_set_number(t, r, 4, mig[r]), CIV_OK);
        assert_int_equal(civ_table_set_number(t, r, 5, total), CIV_OK);
        assert_int_equal(civ_table_set_number(t, r, 6, c), CIV_OK);
    }
    assert_int_equal(civ_table_create(&other), CIV_OK); /* the summary sheet beside it */
    assert_int_equal(civ_table_add_column(other, zh ? "类别" : "Section", CIV_COLUMN_TEXT, NULL), CIV_OK);
    assert_int_equal(civ_table_add_rows(other, 1, NULL), CIV_OK);
    assert_int_equal(civ_table_set_text(other, 0, 0, "budget"), CIV_OK);
    const civ_table *tables[] = {t, other};
    const char *names[] = {zh ? "分配结果" : "allocation", zh ? "分配汇总" : "summary"};
    assert_int_equal(civ_workbook_write(path, 2, tables, names, NULL), CIV_OK);
    civ_table_free(t);
    civ_table_free(other);
}

static void test_last_year_workbook(void **state)
{
    (void)state;
    char path[160];
    const char *comm = "unique_id,x,ly,ly2\n001,10,,\n002,10,,\n010,10,,\n";
    for (int zh = 1; zh >= 0; zh--) {
        civ_alloc_spec *s = af_spec_of(book_spec);
        snprintf(path, sizeof path, "%s/book_%s.xlsx", tmpdir, zh ? "zh" : "en");
        write_book(path, zh, 0);
        assert_int_equal(civ_alloc_spec_read_last_year(s, path, NULL), CIV_OK);
        civ_table *t = table_for_spec(s, comm);
        run_out o;
        assert_int_equal(run(s, t, NULL, &o), CIV_OK);
        double want_care[] = {100000, 80000, 120000}, want_mig[] = {0, 40000, 0};
        for (size_t r = 0; r < 3; r++) {
            assert_true(fabs(af_cell(o.t, r, "last_year_care_fen") - want_care[r]) <= 0);
            assert_true(fabs(af_cell(o.t, r, "last_year_mig_fen") - want_mig[r]) <= 0);
        }
        assert_string_equal(civ_table_text(o.t, 0, 0), "001"); /* the codes stayed text */
        char label[96]; /* a formula's header as alloc/workbook.c gives it (its label; m2 has none) */
        assert_string_equal(civ_alloc_book_label(s, zh, "tilt_main", label, sizeof label),
                            zh ? "倾斜系数（综合公式）" : "Tilt (综合公式)");
        assert_string_equal(civ_alloc_book_label(s, zh, "tilt_m2", label, sizeof label),
                            zh ? "倾斜系数（m2）" : "Tilt (m2)");
        civ_table *paid = NULL; /* the reader of --paid and settle --allocation finds the same sheet */
        assert_int_equal(civ_alloc_allocation_read(s, path, NULL, &paid), CIV_OK);
        size_t idc;
        assert_int_equal(civ_table_find_column(paid, zh ? "社区编号" : "Community id", &idc), CIV_OK);
        assert_string_equal(civ_table_text(paid, 0, idc), "001");
        civ_table_free(paid);
        assert_int_equal(civ_alloc_allocation_read(s, NULL, NULL, &paid), CIV_ERR_INVALID_ARGUMENT);
        assert_null(paid);
        assert_true(fabs(summary_value(o.sum, "history", "care", "last_year_total") - 300000) <= 0);
        run_free(&o);
        civ_table_free(t);
        civ_alloc_spec_free(s);
    }

    civ_alloc_spec *s = af_spec_of(book_spec);
    civ_table *t = table_for_spec(s, comm);
    run_out o;
    /* a fen cell corrected by hand, with its total and yuan: taken */
    snprintf(path, sizeof path, "%s/book_fixed.xlsx", tmpdir);
    write_book(path, 1, 3);
    assert_int_equal(civ_alloc_spec_read_last_year(s, path, NULL), CIV_OK);
    assert_int_equal(run(s, t, NULL, &o), CIV_OK);
    assert_true(fabs(af_cell(o.t, 1, "last_year_care_fen") - 90000) <= 0);
    run_free(&o);

    /* the yuan total edited alone: refused with the community, both headers and both values */
    snprintf(path, sizeof path, "%s/book_yuan.xlsx", tmpdir);
    write_book(path, 1, 1);
    assert_int_equal(civ_alloc_spec_read_last_year(s, path, NULL), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "community '002' has 1300.00 in '分配金额（元）' but 120000 in "
                                                     "'分配金额（分）' (1200.00 yuan): the yuan and the fen disagree"));
    assert_int_equal(civ_last_error()->line, 3);
    assert_string_equal(civ_last_error()->series_id, "002");
    assert_string_equal(civ_last_error()->field, "分配金额（元）");
    /* the fund's fen edited alone: the total no longer its funds' sum */
    snprintf(path, sizeof path, "%s/book_pool.xlsx", tmpdir);
    write_book(path, 1, 2);
    assert_int_equal(civ_alloc_spec_read_last_year(s, path, NULL), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "community '002' has 120000 in '分配金额（分）' but its funds' "
                                                     "columns sum to 130000 ('养老补贴（分）' 90000 + 'mig（分）' 40000)"));
    /* a renamed header: the header expected, in the file's language */
    snprintf(path, sizeof path, "%s/book_renamed.xlsx", tmpdir);
    write_book(path, 1, 4);
    assert_int_equal(civ_alloc_spec_read_last_year(s, path, NULL), CIV_OK);
    assert_int_equal(run(s, t, NULL, &o), CIV_ERR_MISSING_COLUMN);
    assert_non_null(strstr(civ_last_error_message(), "has no column '养老补贴（分）' for fund 'care'"));
    assert_non_null(strstr(civ_last_error_message(), "headers it does not write: '补贴（分）'; if one of them is "
                                                     "this fund's column, relabelled or renamed since, head it "
                                                     "'养老补贴（分）')"));
    run_free(&o);
    /* the sheet named: another sheet is read (and refused as not an allocation) */
    civ_table_read_options ro = {.sheet = "分配汇总"};
    assert_int_equal(civ_alloc_spec_read_last_year(s, path, &ro), CIV_ERR_MISSING_COLUMN);
    civ_table_free(t);
    civ_alloc_spec_free(s);

    /* a workbook of several sheets, none civicast's allocation: the sheet is asked for by its option */
    civ_table *a = csv_table("unique_id,x\nA,1\n"), *b = csv_table("unique_id,y\nB,2\n");
    const civ_table *tables[] = {a, b};
    const char *names[] = {"分配结果", "其他"}; /* 分配结果, but not headed 社区编号 */
    snprintf(path, sizeof path, "%s/book_office.xlsx", tmpdir);
    assert_int_equal(civ_workbook_write(path, 2, tables, names, NULL), CIV_OK);
    s = af_spec_of(book_spec);
    assert_int_equal(civ_alloc_spec_read_last_year(s, path, NULL), CIV_ERR_NOT_FOUND);
    assert_non_null(strstr(civ_last_error_message(), "none is the allocation sheet civicast writes"));
    assert_non_null(strstr(civ_last_error_message(), "--last-year-sheet NAME"));
    civ_alloc_spec_free(s);
    civ_table_free(a);
    civ_table_free(b);
}

/* Last year's allocation as the CSV civicast writes (machine names: amount_yuan, pool_care_fen, amount_fen),
 * opened and edited in Excel: an amount edited in yuan only, or a fund's fen without the total, is refused as in
 * the workbook (before, the CSV was taken as it was and the yuan edit was silently ignored); the same check for
 * the allocation read by --paid and settle --allocation (civ_alloc_book_table). */
static void test_last_year_csv_units(void **state)
{
    (void)state;
    char path[160];
    const char *comm = "unique_id,x,ly,ly2\n001,10,,\n002,10,,\n010,10,,\n";
    const char *head = "unique_id,amount_yuan,pool_care_fen,pool_mig_fen,amount_fen\n";
    char text[512];
    civ_alloc_spec *s = af_spec_of(book_spec);
    civ_table *t = table_for_spec(s, comm);
    run_out o;
    /* as written: read, and its amounts taken */
    snprintf(text, sizeof text, "%s001,1000.00,100000,0,100000\n002,1200.00,80000,40000,120000\n"
                                "010,1200.00,120000,0,120000\n", head);
    write_file("ly_ok.csv", text, path, sizeof path);
    assert_int_equal(civ_alloc_spec_read_last_year(s, path, NULL), CIV_OK);
    assert_int_equal(run(s, t, NULL, &o), CIV_OK);
    assert_true(fabs(af_cell(o.t, 1, "last_year_mig_fen") - 40000) <= 0);
    run_free(&o);
    /* 002's yuan edited to 1,300.00, its fen not */
    snprintf(text, sizeof text, "%s001,1000.00,100000,0,100000\n002,1300.00,80000,40000,120000\n"
                                "010,1200.00,120000,0,120000\n", head);
    write_file("ly_yuan.csv", text, path, sizeof path);
    assert_int_equal(civ_alloc_spec_read_last_year(s, path, NULL), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "community '002' has 1300.00 in 'amount_yuan' but 120000 in "
                                                     "'amount_fen' (1200.00 yuan): the yuan and the fen disagree"));
    assert_int_equal(civ_last_error()->line, 3);
    assert_string_equal(civ_last_error()->field, "amount_yuan");
    civ_table *paid = NULL, *book = NULL; /* --paid and settle --allocation: the same refusal */
    assert_int_equal(civ_alloc_allocation_read(s, path, NULL, &paid), CIV_OK);
    assert_int_equal(civ_alloc_book_table(s, paid, &book), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "the yuan and the fen disagree"));
    assert_null(book);
    civ_table_free(paid);
    /* 002's care fund edited in fen, its total not */
    snprintf(text, sizeof text, "%s001,1000.00,100000,0,100000\n002,1200.00,90000,40000,120000\n"
                                "010,1200.00,120000,0,120000\n", head);
    write_file("ly_pool.csv", text, path, sizeof path);
    assert_int_equal(civ_alloc_spec_read_last_year(s, path, NULL), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "community '002' has 120000 in 'amount_fen' but its funds' "
                                                     "columns sum to 130000"));
    civ_table_free(t);
    civ_alloc_spec_free(s);
}


/* Last year's workbook of two funds (care 养老补贴, mig) read by a spec of one (mig discontinued): the fund's own
 * column, the total checked against both; with care relabelled since, refused naming both columns (before: the
 * file was refused as hand-edited, and the relabelled fund took the two funds' total as its last year). */
static void test_last_year_fewer_funds(void **state)
{
    (void)state;
    char path[160], spec[600];
    const char *comm = "unique_id,x,ly\n001,10,\n002,10,\n010,10,\n";
    for (int zh = 1; zh >= 0; zh--) {
        snprintf(path, sizeof path, "%s/book_two_%s.xlsx", tmpdir, zh ? "zh" : "en");
        write_book(path, zh, 0);
        for (int relabel = 0; relabel < 2; relabel++) {
            snprintf(spec, sizeof spec,
                     "version = \"b\"\n[budget]\ntotal = 6000.00\nfiscal_year = 2026\n[[pool]]\nname = \"care\"\n"
                     "label = \"%s\"\nshare = 1\nformula = \"main\"\n[[formula]]\nname = \"main\"\n"
                     "hold_harmless = 0.85\nlast_year = \"ly\"\n[[factor]]\nname = \"x\"\nattribute = \"x\"\n"
                     "weight = 1\n",
                     relabel ? "养老" : "养老补贴");
            civ_alloc_spec *s = af_spec_of(spec);
            civ_table *t = table_for_spec(s, comm);
            run_out o;
            assert_int_equal(civ_alloc_spec_read_last_year(s, path, NULL), CIV_OK);
            if (relabel) {
                assert_int_equal(run(s, t, NULL, &o), CIV_ERR_MISSING_COLUMN);
                assert_non_null(strstr(civ_last_error_message(), zh ? "has no column '养老（分）' (nor 'care（分）') "
                                                                      "for fund 'care', but 2 funds' columns "
                                                                      "('养老补贴（分）', 'mig（分）')"
                                                                    : "has no column '养老 (fen)' (nor 'Care (fen)') "
                                                                      "for fund 'care', but 2 funds' columns "
                                                                      "('养老补贴 (fen)', 'Mig (fen)')"));
            } else {
                assert_int_equal(run(s, t, NULL, &o), CIV_OK);
                double want[] = {100000, 80000, 120000}; /* 002: 800.00 of its 1,200.00 */
                for (size_t r = 0; r < 3; r++)
                    assert_true(fabs(af_cell(o.t, r, "last_year_care_fen") - want[r]) <= 0);
            }
            run_free(&o);
            civ_table_free(t);
            civ_alloc_spec_free(s);
        }
    }
    /* the same as a table in memory under machine names (Python's last_year=): read, and the refusal */
    civ_alloc_spec *s = af_spec_of("version = \"b\"\n[budget]\ntotal = 6000.00\nfiscal_year = 2026\n[[pool]]\n"
                                   "name = \"main\"\nshare = 1\nformula = \"main\"\n[[formula]]\nname = \"main\"\n"
                                   "hold_harmless = 0.85\nlast_year = \"ly\"\n[[factor]]\nname = \"x\"\n"
                                   "attribute = \"x\"\nweight = 1\n");
    civ_table *t = table_for_spec(s, comm), *ly = csv_table("unique_id,pool_care_fen,pool_mig_fen,amount_fen\n"
                                                            "001,100000,0,100000\n002,80000,40000,120000\n"
                                                            "010,120000,0,120000\n");
    run_out o;
    assert_int_equal(civ_alloc_spec_set_last_year(s, ly), CIV_OK);
    assert_int_equal(run(s, t, NULL, &o), CIV_ERR_MISSING_COLUMN);
    assert_non_null(strstr(civ_last_error_message(), "has no column 'pool_main_fen' (nor 'pool_main_yuan') for fund "
                                                     "'main', but 2 funds' columns ('pool_care_fen', 'pool_mig_fen'): "
                                                     "its total 'amount_fen' is their sum"));
    run_free(&o);
    civ_table_free(ly);
    civ_table_free(t);
    civ_alloc_spec_free(s);
}

/* The summary's "discontinued" rows: last year's funds this spec has none of, with their totals, a fund given in
 * fen and yuan counted once (from its fen); none when every fund of the file is the spec's.  Before 2026-12-07
 * their columns were read for the consistency check and reported nowhere. */
static void test_last_year_discontinued_funds(void **state)
{
    (void)state;
    civ_alloc_spec *s = af_spec_of("version = \"b\"\n[budget]\ntotal = 6000.00\nfiscal_year = 2026\n[[pool]]\n"
                                   "name = \"care\"\nshare = 1\nformula = \"main\"\n[[formula]]\nname = \"main\"\n"
                                   "hold_harmless = 0.85\nlast_year = \"ly\"\n[[factor]]\nname = \"x\"\n"
                                   "attribute = \"x\"\nweight = 1\n");
    civ_table *t = table_for_spec(s, "unique_id,x,ly\n001,10,\n002,10,\n010,10,\n");
    const char *files[] = {"unique_id,pool_care_fen,pool_mig_fen,pool_mig_yuan,pool_old_yuan,amount_fen\n"
                           "001,100000,0,0,1.5,100150\n002,80000,40000,400,,120000\n010,120000,1,0.01,,120001\n",
                           "unique_id,pool_care_fen,amount_fen\n001,100000,100000\n002,80000,80000\n"
                           "010,120000,120000\n"};
    for (int f = 0; f < 2; f++) {
        civ_table *ly = csv_table(files[f]);
        run_out o;
        assert_int_equal(civ_alloc_spec_set_last_year(s, ly), CIV_OK);
        assert_int_equal(run(s, t, NULL, &o), CIV_OK);
        size_t n = 0;
        for (size_t r = 0; r < civ_table_n_rows(o.sum); r++) {
            if (strcmp(text_cell(o.sum, r, "section"), "discontinued"))
                continue;
            assert_string_equal(text_cell(o.sum, r, "measure"), "last_year_total");
            assert_string_equal(text_cell(o.sum, r, "item"), n ? "old" : "mig");
            assert_true(af_cell(o.sum, r, "value") == (n ? 150 : 40001)); /* old: 1.50 yuan; mig once */
            n++;
        }
        assert_int_equal(n, f ? 0 : 2);
        run_free(&o);
        civ_table_free(ly);
    }
    civ_table_free(t);
    civ_alloc_spec_free(s);
}

/* civ_alloc_spec_read_last_year, the one reader of last year's allocation (before, the command, a plan and
 * Python each resolved the default file, chose the text columns and read it): the spec's [data] last_year_file
 * beside the spec, its codes kept as text (the spec's text columns, whatever the options say), the options'
 * thousands separator, a path that overrides the key, nothing without either, and errors naming the file. */
static void test_read_last_year(void **state)
{
    (void)state;
    char spec_path[160], ly_path[160], other[160], missing[160], noid[160];
    write_file("ly_read.spec",
               "version = \"m\"\n[budget]\ntotal = 1000.00\nfiscal_year = 2026\n[data]\nid = \"code\"\n"
               "last_year_file = \"ly_read.csv\"\n[[pool]]\nname = \"p\"\nshare = 1\n[[formula]]\nname = \"main\"\n"
               "hold_harmless = 0.9\nlast_year = \"ly\"\n[[factor]]\nname = \"x\"\nattribute = \"x\"\nweight = 1\n",
               spec_path, sizeof spec_path);
    /* codes with leading zeros: read as numbers they would be 1 and 2, and match no community */
    write_file("ly_read.csv", "code,pool_p_fen\n001,\"40,000\"\n002,\"10,000\"\n003,\"5,000\"\n", ly_path,
               sizeof ly_path);
    write_file("ly_other.csv", "code,pool_p_fen\n001,20000\n002,30000\n", other, sizeof other);
    write_file("ly_noid.csv", "id,pool_p_fen\n001,20000\n", noid, sizeof noid);
    snprintf(missing, sizeof missing, "%s/no_such_last_year.csv", tmpdir);
    civ_alloc_spec *s = NULL;
    assert_int_equal(civ_alloc_spec_read(spec_path, &s), CIV_OK);
    civ_table *t = table_for_spec(s, "code,x,ly\n001,1,\n002,9,\n");

    /* the spec's file without its thousands separator: refused at the cell, naming the file */
    assert_int_equal(civ_alloc_spec_read_last_year(s, NULL, NULL), CIV_ERR_PARSE);
    assert_non_null(strstr(civ_last_error()->file, "ly_read.csv"));
    civ_table_read_options o = {.thousands = ",", .text_columns = (const char *const[]){"x", NULL}};
    assert_int_equal(civ_alloc_spec_read_last_year(s, NULL, &o), CIV_OK);
    run_out r;
    assert_int_equal(run(s, t, NULL, &r), CIV_OK);
    assert_true(fabs(af_cell(r.t, 0, "last_year_fen") - 40000) <= 0); /* '001' matched as text */
    assert_true(fabs(af_cell(r.t, 1, "last_year_fen") - 10000) <= 0);
    assert_true(af_cell(r.t, 0, "amount_fen") >= 36000);               /* 90% hold-harmless on the file's amount */
    assert_true(fabs(summary_value(r.sum, "closed", "003", "amount") - 5000) <= 0);
    run_free(&r);

    /* a path overrides the key */
    assert_int_equal(civ_alloc_spec_read_last_year(s, other, NULL), CIV_OK);
    assert_int_equal(run(s, t, NULL, &r), CIV_OK);
    assert_true(fabs(af_cell(r.t, 0, "last_year_fen") - 20000) <= 0);
    assert_true(fabs(af_cell(r.t, 1, "last_year_fen") - 30000) <= 0);
    run_free(&r);

    /* errors name the file; the spec keeps what it had */
    assert_int_equal(civ_alloc_spec_read_last_year(s, missing, NULL), CIV_ERR_IO);
    assert_non_null(strstr(civ_last_error()->file, "no_such_last_year.csv"));
    assert_int_equal(civ_alloc_spec_read_last_year(s, noid, NULL), CIV_ERR_MISSING_COLUMN);
    assert_non_null(strstr(civ_last_error()->file, "ly_noid.csv"));
    assert_non_null(strstr(civ_last_error_message(), "no text id column 'code'"));
    assert_int_equal(run(s, t, NULL, &r), CIV_OK);
    assert_true(fabs(af_cell(r.t, 1, "last_year_fen") - 30000) <= 0);
    run_free(&r);
    /* a last year typed in yuan under pool_p_fen: was 'is a fraction of a minor unit, not an amount of whole fen',
     * with neither the value nor the cure; a third decimal of yuan in pool_p_yuan was rounded away (the tolerance
     * was 10^-6 of the amount: 180670.327 yuan read as 18067033 fen, exit 0) */
    static const struct {
        const char *csv, *want;
    } ly_bad[] = {
        {"code,pool_p_fen\n001,400.25\n002,100.10\n",
         "ly_bad0.csv:2): 'pool_p_fen' of community '001' is 400.25, not a whole number of fen: 2 of the column's 2 "
         "values have decimals, none more than 2, as amounts in yuan do: the column holds yuan, not fen: head it "
         "'pool_p_yuan' (read exactly to the fen)"},
        {"code,pool_p_fen\n001,40000\n002,10000.5\n",
         "'pool_p_fen' of community '002' is 10000.5, not a whole number of fen: if the column holds yuan, head it "
         "'pool_p_yuan' (read exactly to the fen); if fen, correct the cell"},
        {"code,pool_p_yuan\n001,180670.327\n002,100.10\n",
         "'pool_p_yuan' of community '001' is 180670.327, with more than the currency's 2 decimals: round it to the "
         "fen in the sheet (Excel: =ROUND(cell, 2)); civicast does not round money"},
    };
    for (int k = 0; k < 3; k++) {
        char name[32], path[160];
        snprintf(name, sizeof name, "ly_bad%d.csv", k);
        write_file(name, ly_bad[k].csv, path, sizeof path);
        assert_int_equal(civ_alloc_spec_read_last_year(s, path, NULL), CIV_OK);
        assert_int_not_equal(run(s, t, NULL, &r), CIV_OK);
        assert_non_null(strstr(civ_last_error_message(), ly_bad[k].want));
        assert_int_equal(civ_last_error()->line, k == 1 ? 3 : 2);
        assert_int_equal(civ_last_error()->column, 2);
        run_free(&r);
    }
    civ_table_free(t);
    civ_alloc_spec_free(s);

    /* a spec without the key and no path: nothing read, nothing changed */
    s = af_spec_of(HEAD "[[pool]]\nname = \"p\"\nshare = 1\n[[factor]]\nname = \"x\"\nattribute = \"x\"\n"
                        "weight = 1\n");
    assert_null(civ_alloc_spec_last_year_file(s));
    assert_int_equal(civ_alloc_spec_read_last_year(s, NULL, NULL), CIV_OK);
    assert_int_equal(civ_alloc_spec_read_last_year(NULL, NULL, NULL), CIV_ERR_INVALID_ARGUMENT);
    civ_alloc_spec_free(s);
}

/* if_missing = "zero": a community with no forecast (a new estate not yet in
 * the panel, or a failed fit) counted 0 demand and its explanation said
 * nothing about it (the factor was simply absent from the shares). */
static void test_no_forecast_explained(void **state)
{
    (void)state;
    civ_alloc_spec *s = af_spec_of(HEAD "[[pool]]\nname = \"p\"\nshare = 1\n[[factor]]\nname = \"pop\"\n"
                                        "attribute = \"pop\"\nweight = 0.5\n[[factor]]\nname = \"meals\"\n"
                                        "label = \"助餐需求\"\nsource = \"forecast\"\nhorizon = 1\n"
                                        "if_missing = \"zero\"\nweight = 0.5\n");
    civ_table *c = csv_table("unique_id,pop\nA,1\nB,1\nN,1\n");
    civ_table *f = csv_table("unique_id,ds,h,model,mean\nA,2026-01,1,ets,10\nB,2026-01,1,,\n");
    run_out o;
    assert_int_equal(run(s, c, f, &o), CIV_OK);
    const char *want[] = {NULL, "pop 100.0% (助餐需求: no forecast, counted as 0)",
                          "pop 100.0% (助餐需求: no forecast, counted as 0)"};
    for (size_t i = 0; i < 3; i++) {
        const char *ex = text_cell(o.t, i, "explanation");
        if (want[i])
            assert_non_null(strstr(ex, want[i]));
        else
            assert_null(strstr(ex, "no forecast"));
    }
    civ_table *zh = NULL;
    assert_int_equal(civ_alloc_result_table(o.p, o.r, CIV_ALLOC_EXPLAIN_ZH, &zh), CIV_OK);
    assert_non_null(strstr(text_cell(zh, 2, "explanation"), "构成：pop 100.0%（助餐需求：无预测，按 0 计）；"));
    civ_table_free(zh);
    /* and how many, per factor, for the command's line and Python's warning (before 2026-12-07 only each
     * community's explanation said it): B (a failed forecast) and N (none); none for the attribute factor */
    size_t zero = 99;
    assert_int_equal(civ_alloc_result_n_no_forecast(o.p, o.r, 1, &zero), CIV_OK);
    assert_int_equal(zero, 2);
    assert_int_equal(civ_alloc_result_n_no_forecast(o.p, o.r, 0, &zero), CIV_OK);
    assert_int_equal(zero, 0);
    assert_int_equal(civ_alloc_result_n_no_forecast(o.p, o.r, 2, &zero), CIV_ERR_INVALID_ARGUMENT);
    assert_int_equal(zero, 0);
    assert_int_equal(civ_alloc_result_n_no_forecast(NULL, o.r, 0, &zero), CIV_ERR_INVALID_ARGUMENT);
    run_free(&o);
    civ_table_free(f), civ_table_free(c), civ_alloc_spec_free(s);
}

/* rounding_<minor> is each fund's own rounding, summed: before 2026-12-07 it was amount - unrounded, whose sum of
 * a whole fund amount and a fractional one carried the ulp of the sum (-0.00000000372529 fen), and the double
 * split of fractional factors showed its noise for a community at exactly its share (-0.0000000000291 fen). */
static void test_rounding_is_exact(void **state)
{
    (void)state;
    /* two funds with their own formulas: 3,000,000,000 fen each (a whole share) and 100 fen split in three (the
     * exact split: 34 to A, the lower id, for 33 1/3, and 33 to B and C) */
    civ_alloc_spec *s = af_spec_of("version = \"t\"\n[budget]\ntotal = 90_000_001.00\nfiscal_year = 2026\n"
                                   "[[pool]]\nname = \"a\"\namount = 90_000_000.00\nformula = \"main\"\n"
                                   "[[pool]]\nname = \"b\"\namount = 1.00\nformula = \"f2\"\n[[formula]]\n"
                                   "name = \"main\"\n[[formula]]\nname = \"f2\"\n[[factor]]\nname = \"pop\"\n"
                                   "formula = \"main\"\nattribute = \"pop\"\nweight = 1\n[[factor]]\nname = \"pop2\"\n"
                                   "formula = \"f2\"\nattribute = \"pop\"\nweight = 1\n");
    civ_table *c = csv_table("unique_id,pop\nA,1\nB,1\nC,1\n");
    run_out o;
    assert_int_equal(run(s, c, NULL, &o), CIV_OK);
    const double want[] = {2.0 / 3, -1.0 / 3, -1.0 / 3};
    const char *const ids[] = {"A", "B", "C"};
    civ_alloc_compare *cmp = NULL;
    const char *label = "x";
    const civ_alloc_spec *const specs[] = {s};
    assert_int_equal(civ_alloc_compare_run(specs, &label, 1, c, NULL, &cmp), CIV_OK);
    double eff[3];
    assert_int_equal(civ_alloc_compare_effect(cmp, 0, CIV_ALLOC_EFFECT_ROUNDING, eff, 3), CIV_OK);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(text_cell(o.t, i, "unique_id"), ids[i]);
        assert_true(af_cell(o.t, i, "amount_fen") == 3000000000.0 + (i ? 33 : 34));
        double r = af_cell(o.t, i, "rounding_fen");
        if (fabs(r - want[i]) > 1e-12 || fabs(eff[i] - want[i]) > 1e-12)
            fail_msg("%s: rounding %.17g, waterfall %.17g, want %.17g", ids[i], r, eff[i], want[i]);
    }
    civ_alloc_compare_free(cmp);
    run_free(&o);
    civ_table_free(c), civ_alloc_spec_free(s);
    /* fractional factors (the double split): 30000.00 yuan over populations 0.1 x 3, 0.7, 0.3, 0.2 gives each
     * community a whole number of fen, and the rounding is 0, not the noise of the amount */
    s = af_spec_of("version = \"t\"\n[budget]\ntotal = 30000.00\nfiscal_year = 2026\n[[pool]]\nname = \"p\"\n"
                   "share = 1\n[[factor]]\nname = \"pop\"\nattribute = \"pop\"\nweight = 1\n");
    c = csv_table("unique_id,pop\nA,0.1\nB,0.1\nC,0.1\nD,0.7\nE,0.3\nF,0.2\n");
    assert_int_equal(run(s, c, NULL, &o), CIV_OK);
    for (size_t i = 0; i < 6; i++)
        if (af_cell(o.t, i, "rounding_fen") != 0)
            fail_msg("row %zu: rounding %.17g, want 0", i, af_cell(o.t, i, "rounding_fen"));
    run_free(&o);
    civ_table_free(c), civ_alloc_spec_free(s);
}

/* [[formula]] last_year_total: a community closed since last year has no
 * row, so its last-year money vanished from every total, unnamed; with last
 * year's whole fund given, the summary says how much this year's
 * communities carry and how much is gone, and more than the whole (a split
 * part given its parent's whole amount) is refused. */
static void test_last_year_total(void **state)
{
    (void)state;
    const char *fmt = "version = \"m\"\n[budget]\ntotal = 1000.00\nfiscal_year = 2026\n[[pool]]\nname = \"p\"\n"
                      "share = 1\n[[formula]]\nname = \"main\"\nhold_harmless = 0.85\nlast_year = \"ly\"\n"
                      "last_year_total = %s\n[[factor]]\nname = \"x\"\nattribute = \"x\"\nweight = 1\n";
    char text[600];
    snprintf(text, sizeof text, fmt, "1_000.00"); /* last year: A 300, B 500, and C (closed) 200 */
    civ_alloc_spec *s = af_spec_of(text);
    civ_table *t = csv_table("unique_id,x,ly\nA,1,300\nB,1,500\n");
    run_out o;
    assert_int_equal(run(s, t, NULL, &o), CIV_OK);
    assert_true(summary_value(o.sum, "history", "p", "last_year_total") == 100000);
    assert_true(summary_value(o.sum, "history", "p", "carried") == 80000);
    assert_true(summary_value(o.sum, "history", "p", "not_carried") == 20000);
    run_free(&o);
    civ_alloc_spec_free(s);
    /* a split part given its parent's whole amount: more than last year's whole fund */
    snprintf(text, sizeof text, fmt, "700.00");
    s = af_spec_of(text);
    assert_int_equal(run(s, t, NULL, &o), CIV_ERR_DOMAIN);
    assert_non_null(strstr(civ_last_error_message(), "fund 'p': this year's communities carry 80000 minor units of "
                                                     "last year in 'ly', more than last year's whole fund of 70000"));
    assert_int_equal(civ_last_error()->line, 8);
    run_free(&o);
    civ_alloc_spec_free(s);
    civ_table_free(t);
    /* without the key: no history rows */
    s = af_spec_of(HEAD "[[pool]]\nname = \"p\"\nshare = 1\n[[factor]]\nname = \"x\"\nattribute = \"x\"\nweight = 1\n");
    t = csv_table("unique_id,x\nA,1\n");
    assert_int_equal(run(s, t, NULL, &o), CIV_OK);
    for (size_t r = 0; r < civ_table_n_rows(o.sum); r++)
        assert_string_not_equal(text_cell(o.sum, r, "section"), "history");
    run_free(&o);
    civ_alloc_spec_free(s);
    civ_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_factor_shares_and_rounding),
        cmocka_unit_test(test_reserve_tilt_floor),
        cmocka_unit_test(test_hold_harmless_and_pace),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_bound_directions),
        cmocka_unit_test(test_ratable),
        cmocka_unit_test(test_earmarks),
        cmocka_unit_test(test_merged_pools),
        cmocka_unit_test(test_greater_of),
        cmocka_unit_test(test_forecast_factor),
        cmocka_unit_test(test_forecast_fiscal_year),
        cmocka_unit_test(test_data_errors),
        cmocka_unit_test(test_data_rows_of_named_tables),
        cmocka_unit_test(test_community_names),
        cmocka_unit_test(test_set_weights),
        cmocka_unit_test(test_properties),
        cmocka_unit_test(test_large_permutation),
        cmocka_unit_test(test_threads_bit_identical),
        cmocka_unit_test(test_population_shared_with_factor),
        cmocka_unit_test(test_summary_with_stats),
        cmocka_unit_test(test_paid_sheet_from_finance),
        cmocka_unit_test(test_last_year_in_minor_units),
        cmocka_unit_test(test_floor_in_minor_units),
        cmocka_unit_test(test_fraction_over_percent),
        cmocka_unit_test(test_tilt_fraction_over_percent),
        cmocka_unit_test(test_predecessors),
        cmocka_unit_test(test_no_forecast_explained),
        cmocka_unit_test(test_rounding_is_exact),
        cmocka_unit_test(test_last_year_total),
        cmocka_unit_test(test_last_year_file),
        cmocka_unit_test(test_last_year_split_shares),
        cmocka_unit_test(test_read_last_year),
        cmocka_unit_test(test_last_year_workbook),
        cmocka_unit_test(test_last_year_fewer_funds),
        cmocka_unit_test(test_last_year_discontinued_funds),
        cmocka_unit_test(test_last_year_csv_units),
    };
    return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
