/*
 * test_alloc_spec.c -- the allocation spec reader (engine/src/io/toml.c,
 * engine/src/alloc/spec.c): a full spec read back key by key, the exact
 * budget split (reserves and pools to the fen), money parsing, and a table
 * of bad specs, each checked for its status, the message, the line, the
 * column and the key named.  Also a crude fuzz: every prefix and
 * single-byte mutation of a valid spec must return cleanly.
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

#include "alloc.h"
#include "alloc_fixture.h"
#include "numeric.h"

static const char *GOOD =
    "# a comment line\n"
    "version = \"2026.1\"   # trailing comment\n"
    "title = 'literal # not a comment'\n"
    "\n"
    "[budget]\n"
    "total = 1_000.05\n"
    "currency = \"CNY\"\n"
    "minor_unit = 100\n"
    "fiscal_year = 2026\n"
    "\n"
    "[[reserve]]\n"
    "name = \"emergency\"\n"
    "share = 0.05\n"
    "[[reserve]]\n"
    "name = \"risk\"\n"
    "share = 0.03\n"
    "\n"
    "[[pool]]\n"
    "name = \"a\"\n"
    "amount = 100.00\n"
    "[[pool]]\n"
    "name = \"b\"\n"
    "share = 0.5\n"
    "[[pool]]\n"
    "name = \"c\"\n"
    "share = 0.5\n"
    "eligible_attribute = \"mig\"\n"
    "eligible_min = 0.3\n"
    "\n"
    "[[factor]]\n"
    "name = \"pop\"\n"
    "attribute = \"population\"\n"
    "coefficient = \"difficulty\"\n"
    "weight = 0.7\n"
    "[[factor]]\n"
    "name = \"perf\"\n"
    "kind = \"performance\"\n"
    "attribute = \"score\"\n"
    "weight = 0.3\n"
    "\n"
    "[[tilt]]\n"
    "name = \"aging\"\n"
    "attribute = \"aged_share\"\n"
    "above = 0.25\n"
    "multiplier = 1.2\n";

/* The columns a bound table reads as text: the usual ones and the spec's
 * own id, name, district and labels, each once (a numeric code stays an id). */
static void test_text_columns(void **state)
{
    (void)state;
    static const char spec[] = "version = \"t\"\n[budget]\ntotal = 100.00\nfiscal_year = 2026\n"
                               "[data]\nid = \"社区编号\"\nname = \"名称\"\ndistrict = \"区\"\n"
                               "labels = [\"社区名称\", \"name\"]\n"
                               "[[pool]]\nname = \"main\"\nshare = 1.0\nformula = \"main\"\n"
                               "[[formula]]\nname = \"main\"\n"
                               "[[factor]]\nname = \"p\"\nformula = \"main\"\nattribute = \"常住人口\"\nweight = 1.0\n";
    civ_alloc_spec *s = NULL;
    assert_int_equal(civ_alloc_spec_parse(spec, strlen(spec), "t.spec", &s), CIV_OK);
    const char *const want[] = {"unique_id", "name", "district", "street", "model", "pilot",
                                "社区编号",  "名称", "区",       "社区名称"};
    const char *const *got = civ_alloc_spec_text_columns(s);
    size_t n = 0;
    for (; got[n]; n++) {
        assert_true(n < sizeof want / sizeof *want);
        assert_string_equal(got[n], want[n]);
    }
    assert_int_equal(n, sizeof want / sizeof *want);
    civ_alloc_spec_free(s);
    assert_null(civ_alloc_spec_text_columns(NULL));
    /* the default spec: the usual columns only */
    assert_int_equal(civ_alloc_spec_parse(GOOD, strlen(GOOD), "good.spec", &s), CIV_OK);
    got = civ_alloc_spec_text_columns(s);
    for (n = 0; got[n]; n++)
        ;
    assert_true(n >= 6 && !strcmp(got[0], "unique_id"));
    civ_alloc_spec_free(s);
}

static void test_good_spec(void **state)
{
    (void)state;
    civ_alloc_spec *s = NULL;
    assert_int_equal(civ_alloc_spec_parse(GOOD, strlen(GOOD), "good.spec", &s), CIV_OK);
    assert_string_equal(civ_alloc_spec_version(s), "2026.1");
    assert_string_equal(s->title, "literal # not a comment");
    /* 1,000.05 yuan = 100005 fen */
    assert_int_equal(civ_alloc_spec_total(s), 100005);
    assert_int_equal(civ_alloc_spec_minor_unit(s), 100);
    /* reserves are minimums, rounded up: 5% of 100005 = 5000.25 -> 5001,
     * 3% = 3000.15 -> 3001; the rest 100005 - 8002 = 92003 */
    assert_int_equal(civ_alloc_spec_n_reserves(s), 2);
    assert_int_equal(civ_alloc_spec_reserve_amount(s, 0), 5001);
    assert_int_equal(civ_alloc_spec_reserve_amount(s, 1), 3001);
    assert_int_equal(s->distributable, 92003);
    /* pools: a = 100.00 = 10000 fen; b and c split 82003 by halves =
     * 41001.5 each -> tie, the earlier pool gets the odd fen */
    assert_int_equal(civ_alloc_spec_pool_amount(s, 0), 10000);
    assert_int_equal(civ_alloc_spec_pool_amount(s, 1), 41002);
    assert_int_equal(civ_alloc_spec_pool_amount(s, 2), 41001);
    assert_string_equal(s->pools[2].eligible_attribute, "mig");
    assert_true(s->pools[2].eligible_min == 0.3);
    assert_true(isnan(s->pools[2].eligible_max));
    /* the implicit formula "main" */
    assert_int_equal(s->n_formulas, 1);
    assert_string_equal(s->formulas[0].name, "main");
    assert_int_equal(civ_alloc_spec_n_factors(s), 2);
    assert_string_equal(civ_alloc_spec_factor_name(s, 1), "perf");
    assert_true(s->factors[1].performance);
    assert_string_equal(s->factors[0].coefficient, "difficulty");
    assert_true(civ_alloc_spec_factor_weight(s, 0) == 0.7);
    assert_int_equal(s->n_tilts, 1);
    assert_int_equal(s->tilts[0].op, CIV_OP_GT);
    assert_true(s->tilts[0].formula == SIZE_MAX);
    assert_true(s->tilts[0].multiplier == 1.2);
    civ_alloc_spec_free(s);
    civ_alloc_spec_free(NULL);
}

/* Issue 16 item 3: a reserve is a minimum ("not less than 3%"), rounded up;
 * at the boundary (an exact product) nothing is added.  Both the exact path
 * (a plain decimal share) and the double path (3e-2) are checked. */
static civ_alloc_spec *reserve_spec(const char *total, const char *share)
{
    char text[400];
    snprintf(text, sizeof text,
             "version = \"t\"\n[budget]\ntotal = %s\nfiscal_year = 2026\n[[reserve]]\nname = \"risk\"\n"
             "share = %s\n[[pool]]\nname = \"p\"\nshare = 1\n[[factor]]\nname = \"f\"\nattribute = \"a\"\n"
             "weight = 1\n",
             total, share);
    return af_spec_of(text);
}

static void test_reserve_rounds_up(void **state)
{
    (void)state;
    const char *shares[] = {"0.03", "3e-2"};
    for (int k = 0; k < 2; k++) {
        /* the issue's example: 3% of 123,456,781 fen is 3,703,703.43 -> 3,703,704
         * (37,037.04 yuan, not 37,037.03, which is below 3%) */
        civ_alloc_spec *s = reserve_spec("1234567.81", shares[k]);
        int64_t r = civ_alloc_spec_reserve_amount(s, 0), T = civ_alloc_spec_total(s);
        assert_true(r == 3703704);
        assert_true(r * 100 >= T * 3 && (r - 1) * 100 < T * 3); /* the least whole fen >= 3% */
        assert_true(r + s->distributable == T);
        civ_alloc_spec_free(s);
        /* the boundary: 3% of 10,000.00 yuan is exactly 30,000 fen, not 30,001 */
        s = reserve_spec("10000.00", shares[k]);
        assert_true(civ_alloc_spec_reserve_amount(s, 0) == 30000);
        assert_true(s->distributable == 970000);
        civ_alloc_spec_free(s);
        /* one fen above it: 3% of 1,000,001 fen = 30,000.03 -> 30,001 */
        s = reserve_spec("10000.01", shares[k]);
        assert_true(civ_alloc_spec_reserve_amount(s, 0) == 30001);
        civ_alloc_spec_free(s);
    }
    /* random totals: always the least whole fen not below the share */
    srand(3);
    for (int rep = 0; rep < 2000; rep++) {
        int64_t T = 1 + ((int64_t)rand() * 7919 + rand()) % 100000000000LL;
        int pct = 1 + rand() % 9;
        char total[40], share[16];
        snprintf(total, sizeof total, "%lld.%02lld", (long long)(T / 100), (long long)(T % 100));
        snprintf(share, sizeof share, rep % 2 ? "0.0%d" : "%de-2", pct);
        civ_alloc_spec *s = reserve_spec(total, share);
        int64_t r = civ_alloc_spec_reserve_amount(s, 0);
        if (!(r * 100 >= T * pct && (r - 1) * 100 < T * pct))
            fail_msg("%s%% of %lld fen gave %lld", share, (long long)T, (long long)r);
        civ_alloc_spec_free(s);
    }
}

static void test_money(void **state)
{
    (void)state;
    int64_t v;
    civ_where w = {.file = "x"};
    assert_int_equal(civ_alloc_parse_money("12.3", 2, &v, &w), CIV_OK);
    assert_int_equal(v, 1230);
    assert_int_equal(civ_alloc_parse_money("12.300", 2, &v, &w), CIV_OK);
    assert_int_equal(v, 1230);
    assert_int_equal(civ_alloc_parse_money("7", 0, &v, &w), CIV_OK);
    assert_int_equal(v, 7);
    assert_int_equal(civ_alloc_parse_money("0.125", 3, &v, &w), CIV_OK);
    assert_int_equal(v, 125);
    assert_int_equal(civ_alloc_parse_money("12.345", 2, &v, &w), CIV_ERR_SPEC);
    assert_int_equal(civ_alloc_parse_money("-1", 2, &v, &w), CIV_ERR_SPEC);
    assert_int_equal(civ_alloc_parse_money("1e6", 2, &v, &w), CIV_ERR_SPEC);
    assert_int_equal(civ_alloc_parse_money("99999999999999999999", 2, &v, &w), CIV_ERR_SPEC);
    assert_int_equal(civ_alloc_parse_money(".5", 2, &v, &w), CIV_ERR_SPEC);
}

/* A minimal valid spec with one line to replace: "@X@" marks where a case's
 * text goes (so line numbers in the cases are known). */
static const char *BASE = "version = \"1\"\n"          /* 1 */
                          "[budget]\n"                 /* 2 */
                          "total = 100.00\n"           /* 3 */
                          "fiscal_year = 2026\n"       /* 4 */
                          "[[pool]]\n"                 /* 5 */
                          "name = \"p\"\n"             /* 6 */
                          "share = 1\n"                /* 7 */
                          "[[factor]]\n"               /* 8 */
                          "name = \"f\"\n"             /* 9 */
                          "attribute = \"x\"\n"        /* 10 */
                          "weight = 1\n"               /* 11 */
                          "@X@";                       /* 12 */

typedef struct bad_case {
    const char *from, *to; /* replace `from` in BASE by `to` (from = "@X@" appends) */
    civ_status status;
    const char *message;   /* substring of the message */
    long line, column;     /* 0 = not checked */
    const char *field;     /* NULL = not checked */
} bad_case;

static const bad_case BAD[] = {
    /* 1 syntax: a key without a value */
    {"total = 100.00\n", "total = \n", CIV_ERR_SPEC, "missing value", 3, 9, "total"},
    /* 2 unknown key */
    {"fiscal_year = 2026\n", "fiscal_year = 2026\ntotl = 5\n", CIV_ERR_SPEC, "unknown key 'totl'", 5, 1, "totl"},
    /* 3 duplicate key */
    {"fiscal_year = 2026\n", "fiscal_year = 2026\ntotal = 5\n", CIV_ERR_SPEC, "duplicate key 'total' (first at line 3)", 5, 1, "total"},
    /* 4 duplicate table */
    {"@X@", "[budget]\n", CIV_ERR_SPEC, "duplicate table [budget]", 12, 1, "budget"},
    /* 5 unknown section */
    {"@X@", "[budjet]\nx = 1\n", CIV_ERR_SPEC, "unknown section 'budjet'", 12, 1, "budjet"},
    /* 6 weights that do not sum to 1 */
    {"weight = 1\n", "weight = 0.9\n", CIV_ERR_SPEC, "sum to 0.9, not 1 (f=0.9)", 11, 10, "weight"},
    /* 7 unknown formula */
    {"name = \"f\"\n", "name = \"f\"\nformula = \"alt\"\n", CIV_ERR_SPEC, "unknown formula 'alt'", 10, 11, "formula"},
    /* 8 missing [budget] */
    {"[budget]\ntotal = 100.00\nfiscal_year = 2026\n", "", CIV_ERR_SPEC, "missing the [budget] section", 0, 0, "budget"},
    /* 9 missing required key */
    {"weight = 1\n", "", CIV_ERR_SPEC, "missing required key 'weight'", 8, 1, "weight"},
    /* ... and a misspelt one, named at its line: "missing" alone pointed at the table */
    {"weight = 1\n", "wieght = 1\n", CIV_ERR_SPEC, "missing required key 'weight'; 'wieght' here is not a key: a "
     "typo of 'weight'?", 11, 10, "wieght"},
    /* 10 wrong type */
    {"weight = 1\n", "weight = \"1\"\n", CIV_ERR_SPEC, "'weight' must be a number, not a string", 11, 10, "weight"},
    /* 11 out of range */
    {"@X@", "[[reserve]]\nname = \"r\"\nshare = 1.5\n", CIV_ERR_SPEC, "out of range", 14, 9, "share"},
    /* 12 more decimals than the minor unit */
    {"total = 100.00\n", "total = 100.001\n", CIV_ERR_SPEC, "more decimals than the minor unit", 3, 9, "total"},
    /* 13 inline table */
    {"@X@", "[data]\nid = {a = 1}\n", CIV_ERR_SPEC, "inline tables are not supported", 13, 6, "id"},
    /* 14 dotted key (nesting) */
    {"@X@", "budget.total = 1\n", CIV_ERR_SPEC, "dotted key names", 12, 7, NULL},
    /* 15 unterminated string */
    {"name = \"p\"\n", "name = \"p\n", CIV_ERR_SPEC, "unterminated string", 6, 10, "name"},
    /* 16 floor above cap */
    {"@X@", "[[formula]]\nname = \"main\"\nfloor = 10.00\ncap = 5.00\n", CIV_ERR_SPEC, "floor is above cap", 14, 9, "floor"},
    /* 17 hold_harmless without last_year */
    {"@X@", "[[formula]]\nname = \"main\"\nhold_harmless = 0.9\n", CIV_ERR_SPEC, "missing required key 'last_year'", 12, 1, "last_year"},
    /* 18 pool amounts above the budget */
    {"share = 1\n", "amount = 200.00\n", CIV_ERR_SPEC, "pool amounts total 200.00 but only 100.00 is left", 5, 1, "amount"},
    /* 19 pool shares not summing to 1 */
    {"share = 1\n", "share = 0.5\n", CIV_ERR_SPEC, "pool shares sum to 0.5", 5, 1, "share"},
    /* 20 a table written as an array of tables */
    {"@X@", "[[data]]\n", CIV_ERR_SPEC, "'data' must be written [data]", 12, 1, "data"},
    /* 21 leading zeros */
    {"fiscal_year = 2026\n", "fiscal_year = 02026\n", CIV_ERR_SPEC, "leading zeros", 4, 15, "fiscal_year"},
    /* 22 bad on_infeasible */
    {"@X@", "[[formula]]\nname = \"main\"\nfloor = 1.00\non_infeasible = \"maybe\"\n", CIV_ERR_SPEC, "on_infeasible must be", 15, 17, "on_infeasible"},
    /* 23 tilt with two conditions */
    {"@X@", "[[tilt]]\nname = \"t\"\nattribute = \"a\"\nabove = 1\nbelow = 2\nmultiplier = 2\n", CIV_ERR_SPEC, "exactly one of above", 12, 1, NULL},
    /* 24 nested arrays */
    {"@X@", "[data]\nid = [[1], 2]\n", CIV_ERR_SPEC, "nested arrays", 13, 7, "id"},
    /* 25 no pool */
    {"[[pool]]\nname = \"p\"\nshare = 1\n", "", CIV_ERR_SPEC, "no [[pool]]", 0, 0, "pool"},
    /* 26 earmark without a threshold */
    {"share = 1\n", "share = 1\neligible_attribute = \"m\"\n", CIV_ERR_SPEC, "needs eligible_min", 8, 22, "eligible_attribute"},
    /* 27 duplicate factor name */
    {"@X@", "[[factor]]\nname = \"f\"\nattribute = \"y\"\nweight = 0\n", CIV_ERR_SPEC, "duplicate factor name 'f'", 13, 8, "name"},
    /* 28 text after a value */
    {"fiscal_year = 2026\n", "fiscal_year = 2026 2027\n", CIV_ERR_SPEC, "unexpected text after the value", 4, 20, NULL},
    /* 29 unsupported escape */
    {"name = \"p\"\n", "name = \"p\\q\"\n", CIV_ERR_SPEC, "unsupported escape", 6, 10, "name"},
    /* 30 a name that cannot become a column name */
    {"name = \"f\"\n", "name = \"f x\"\n", CIV_ERR_SPEC, "may hold only letters", 9, 8, "name"},
    /* 31 minor unit that is not a power of ten */
    {"fiscal_year = 2026\n", "fiscal_year = 2026\nminor_unit = 12\n", CIV_ERR_SPEC, "minor_unit must be 1, 10, 100 or 1000", 5, 14, "minor_unit"},
    /* 32 a factor group in a summing formula */
    {"name = \"f\"\n", "name = \"f\"\ngroup = \"a\"\n", CIV_ERR_SPEC, "'group' needs a formula with combine = \"greater_of\"", 10, 9, "group"},
    /* 33 greater_of with a factor lacking its group */
    {"@X@", "[[formula]]\nname = \"main\"\ncombine = \"greater_of\"\n", CIV_ERR_SPEC, "missing required key 'group'", 8, 1, "group"},
    /* 34 greater_of with one group only */
    {"weight = 1\n", "weight = 1\ngroup = \"a\"\n[[formula]]\nname = \"main\"\ncombine = \"greater_of\"\n", CIV_ERR_SPEC, "has 1 group", 13, 1, "combine"},
    /* 35 bad combine */
    {"@X@", "[[formula]]\nname = \"main\"\ncombine = \"max\"\n", CIV_ERR_SPEC, "combine must be", 14, 11, "combine"},
    /* 36 a Chinese name: the message points to label */
    {"name = \"f\"\n", "name = \"常住人口\"\n", CIV_ERR_SPEC, "put the name people read in label", 9, 8, "name"},
    /* 37-40 labels: empty, with ';', with a control character, too long */
    {"name = \"f\"\n", "name = \"f\"\nlabel = \"\"\n", CIV_ERR_SPEC, "'label' must not be empty", 10, 9, "label"},
    {"name = \"p\"\n", "name = \"p\"\nlabel = \"养老;医疗\"\n", CIV_ERR_SPEC, "holds ';'", 7, 9, "label"},
    {"name = \"f\"\n", "name = \"f\"\nlabel = \"a\\tb\"\n", CIV_ERR_SPEC, "holds a control character", 10, 9, "label"},
    {"name = \"f\"\n", "name = \"f\"\nlabel = \"常住人口常住人口常住人口常住人口常住人口常住人口\"\n", CIV_ERR_SPEC,
     "is longer than 64 bytes", 10, 9, "label"},
    /* 41 label in the list of a table's keys */
    {"name = \"p\"\n", "name = \"p\"\nlabl = \"x\"\n", CIV_ERR_SPEC, "(allowed: name, label, amount", 7, 1, "labl"},
    /* 42-47 pace, a fraction q (at most (1 + q) x last year): a plain number >= 1 is a percentage written for
     * a fraction, refused with what it would allow and the cure; a rate of 100% or more has its percent sign */
    {"@X@", "[[formula]]\nname = \"main\"\nlast_year = \"ly\"\npace = 15\n", CIV_ERR_SPEC,
     "'pace' = 15 would allow up to +1500% over last year (16 x last year): a percentage? write 0.15 for 15%; a "
     "rate of 100% or more is written with its percent sign, pace = \"1500%\"", 15, 8, "pace"},
    {"@X@", "[[formula]]\nname = \"main\"\nlast_year = \"ly\"\npace = 1\n", CIV_ERR_SPEC,
     "'pace' = 1 would allow up to +100% over last year (2 x last year): a percentage? write 0.01 for 1%", 15, 8,
     "pace"},
    {"@X@", "[[formula]]\nname = \"main\"\nlast_year = \"ly\"\npace = 150\n", CIV_ERR_SPEC,
     "+15000% over last year (151 x last year): a percentage? write pace = \"150%\"", 15, 8, "pace"},
    {"@X@", "[[formula]]\nname = \"main\"\nlast_year = \"ly\"\npace = 20000\n", CIV_ERR_SPEC,
     "write a fraction below 1 (0.20 for 20%) or a percentage with its sign, at most pace = \"10000%\"", 15, 8,
     "pace"},
    {"@X@", "[[formula]]\nname = \"main\"\nlast_year = \"ly\"\npace = \"15\"\n", CIV_ERR_SPEC,
     "'pace' = \"15\" is not a percentage in 0%..10000%", 15, 8, "pace"},
    {"@X@", "[[formula]]\nname = \"main\"\nlast_year = \"ly\"\npace = \"10001%\"\n", CIV_ERR_SPEC,
     "is not a percentage in 0%..10000%", 15, 8, "pace"},
    /* 48-55 fractions with a range: a value in (top, 100] gets the cure */
    {"@X@", "[[formula]]\nname = \"main\"\nlast_year = \"ly\"\nhold_harmless = 85\n", CIV_ERR_SPEC,
     "'hold_harmless' = 85 is out of range [0, 10]: a percentage? write 0.85 for 85%", 15, 17, "hold_harmless"},
    {"@X@", "[[formula]]\nname = \"main\"\nlast_year = \"ly\"\nhold_harmless = 250\n", CIV_ERR_SPEC,
     "'hold_harmless' = 250 is out of range [0, 10]", 15, 17, "hold_harmless"},
    {"@X@", "[[formula]]\nname = \"main\"\ncap_share = 5\n", CIV_ERR_SPEC,
     "'cap_share' = 5 is out of range [1e-12, 1]: a percentage? write 0.05 for 5%", 14, 13, "cap_share"},
    {"@X@", "[[reserve]]\nname = \"r\"\nshare = 3\n", CIV_ERR_SPEC,
     "[[reserve]] #1: 'share' = 3 is out of range [0, 1]: a percentage? write 0.03 for 3%", 14, 9, "share"},
    {"share = 1\n", "share = 100\n", CIV_ERR_SPEC,
     "[[pool]] #1: 'share' = 100 is out of range [0, 1]: a percentage? write 1 for 100%", 7, 9, "share"},
    {"weight = 1\n", "weight = 100\n", CIV_ERR_SPEC,
     "'weight' = 100 is out of range [0, 1]: a percentage? write 1 for 100% (a formula's weights sum to 1)", 11, 10,
     "weight"},
    {"@X@", "[settlement]\ncarry_over = 10\n", CIV_ERR_SPEC,
     "[settlement]: 'carry_over' = 10 is out of range [0, 1]: a percentage? write 0.1 for 10%", 13, 14, "carry_over"},
    {"@X@", "[settlement]\ntop_up = 5\n", CIV_ERR_SPEC, "'top_up' = 5 is out of range [0, 1]: a percentage? write "
     "0.05 for 5%", 13, 10, "top_up"},
    /* as a budget document writes them: a percent sign, bare or quoted; a thousands separator; a yuan sign */
    {"@X@", "[[reserve]]\nname = \"r\"\nshare = 5%\n", CIV_ERR_SPEC,
     "'5%' is a percentage: write the fraction, 0.05", 14, 9, "share"},
    {"@X@", "[[reserve]]\nname = \"r\"\nshare = \"12.5%\"\n", CIV_ERR_SPEC,
     "'share' must be a number, not a string: a percentage? write 0.125 for 12.5%", 14, 9, "share"},
    /* the number as written, at its column and key (before 2026-12-07 a canned '1,234.50' at the comma) */
    {"@X@", "[[formula]]\nname = \"main\"\nfloor = 50,000\n", CIV_ERR_SPEC,
     "'50,000' has a thousands separator, which a spec's numbers do not take: write 50000, or group the digits "
     "with '_' as 50_000", 14, 9, "floor"},
    {"@X@", "[[formula]]\nname = \"main\"\nfloor = 1,234.50  # yuan\n", CIV_ERR_SPEC,
     "'1,234.50' has a thousands separator, which a spec's numbers do not take: write 1234.50, or group the "
     "digits with '_' as 1_234.50", 14, 9, "floor"},
    {"@X@", "[[formula]]\nname = \"main\"\nfloor = \"1,234.50\"\n", CIV_ERR_SPEC,
     "malformed money amount '1,234.50' (write yuan as 1234.56, no exponent, no thousands separators", 14, 9,
     "floor"},
    {"@X@", "[[formula]]\nname = \"main\"\nfloor = \xEF\xBF\xA5" "1234.50\n", CIV_ERR_SPEC,
     "a currency sign before a number: write yuan as a plain number", 14, 9, NULL},
    {"[[pool]]\nname = \"p\"\nshare = 1\n", "", CIV_ERR_SPEC, "add one, e.g. [[pool]] name = \"general\" share = 1",
     0, 0, "pool"},
    /* a tilt's multiplier is a ratio, its thresholds in the attribute's units: "write the fraction" (0.2, a cut
     * to a fifth) was the cure for a bare 20% before 2026-12-06, and a quoted one had none */
    {"@X@", "[[tilt]]\nname = \"t\"\nattribute = \"a\"\nabove = 1\nmultiplier = 20%\n", CIV_ERR_SPEC,
     "'20%' is a percentage: a multiplier is a ratio: write 1.2 for +20% (not 0.2", 16, 14, "multiplier"},
    {"@X@", "[[tilt]]\nname = \"t\"\nattribute = \"a\"\nabove = 1\nmultiplier = \"+20%\"\n", CIV_ERR_SPEC,
     "'multiplier' must be a number, not a string: it multiplies the score, so +20% is written 1.2", 16, 14,
     "multiplier"},
    {"@X@", "[[tilt]]\nname = \"t\"\nattribute = \"a\"\nabove = 25%\nmultiplier = 1.2\n", CIV_ERR_SPEC,
     "a threshold is in its attribute's units: write 0.25 if the attribute holds fractions (0.31), 25 if", 15, 9,
     "above"},
    {"@X@", "[[tilt]]\nname = \"t\"\nattribute = \"a\"\nat_least = \"25%\"\nmultiplier = 1.2\n", CIV_ERR_SPEC,
     "'at_least' must be a number in the attribute's units, not a string: write 0.25 for 25% if the attribute holds "
     "fractions (0.31), 25 if it holds percentages (31)", 15, 12, "at_least"},
    {"share = 1\n", "share = 1\neligible_attribute = \"m\"\neligible_min = \"40%\"\n", CIV_ERR_SPEC,
     "'eligible_min' must be a number in the attribute's units, not a string: write 0.4 for 40%", 9, 16,
     "eligible_min"},
};

static char *make_case(const bad_case *c)
{
    const char *at = strstr(BASE, c->from);
    assert_non_null(at);
    size_t n = strlen(BASE) + strlen(c->to) + 1;
    char *out = malloc(n);
    size_t pre = (size_t)(at - BASE);
    memcpy(out, BASE, pre);
    strcpy(out + pre, c->to);
    strcat(out, at + strlen(c->from));
    /* drop the markers */
    for (char *m; (m = strstr(out, "@X@"));)
        memmove(m, m + 3, strlen(m + 3) + 1);
    return out;
}

/* Labels are read for formulas, pools, factors and tilts; without one the
 * name is what explanations show (tests/test_alloc_explain.c test_labels). */
static void test_labels(void **state)
{
    (void)state;
    bad_case ok = {"name = \"f\"\n", "name = \"f\"\nlabel = \"常住人口\"\n", CIV_OK, NULL, 0, 0, NULL};
    char *text = make_case(&ok);
    civ_alloc_spec *s = NULL;
    assert_int_equal(civ_alloc_spec_parse(text, strlen(text), "label.spec", &s), CIV_OK);
    assert_string_equal(s->factors[0].label, "常住人口");
    assert_null(s->pools[0].label);
    civ_alloc_spec_free(s);
    free(text);
}

static void test_base_is_valid(void **state)
{
    (void)state;
    bad_case ok = {"@X@", "", CIV_OK, NULL, 0, 0, NULL};
    char *text = make_case(&ok);
    civ_alloc_spec *s = NULL;
    assert_int_equal(civ_alloc_spec_parse(text, strlen(text), "base.spec", &s), CIV_OK);
    assert_int_equal(civ_alloc_spec_pool_amount(s, 0), 10000);
    civ_alloc_spec_free(s);
    free(text);
}

static void test_bad_specs(void **state)
{
    (void)state;
    size_t nbad = sizeof BAD / sizeof BAD[0];
    assert_true(nbad >= 15);
    for (size_t k = 0; k < nbad; k++) {
        const bad_case *c = &BAD[k];
        char *text = make_case(c);
        civ_alloc_spec *s = (civ_alloc_spec *)0x1;
        civ_status st = civ_alloc_spec_parse(text, strlen(text), "bad.spec", &s);
        const civ_error *e = civ_last_error();
        if (st != c->status || !strstr(e->message, c->message) || (c->line && e->line != c->line) ||
            (c->column && e->column != c->column) || (c->field && strcmp(e->field, c->field)) ||
            strcmp(e->file, "bad.spec") || s != NULL) {
            print_error("case %zu:\n%s\n--> %s (%s) line %ld col %ld field '%s'\n", k + 1, text,
                        civ_status_name(st), e->text, e->line, e->column, e->field);
            free(text);
            fail_msg("bad spec case %zu: want %s '%s' at %ld:%ld field %s", k + 1, civ_status_name(c->status),
                     c->message, c->line, c->column, c->field ? c->field : "-");
        }
        /* the one-line text starts with file:line:col */
        if (c->line && c->column) {
            char loc[64];
            snprintf(loc, sizeof loc, "bad.spec:%ld:%ld: ", c->line, c->column);
            assert_true(!strncmp(e->text, loc, strlen(loc)));
        }
        free(text);
    }
}

static void test_limits_and_bytes(void **state)
{
    (void)state;
    civ_alloc_spec *s = NULL;
    /* NUL byte */
    const char nul[] = "version = \"1\"\n\0x = 1\n";
    assert_int_equal(civ_alloc_spec_parse(nul, sizeof nul - 1, "n.spec", &s), CIV_ERR_SPEC);
    assert_int_equal(civ_last_error()->line, 2);
    /* invalid UTF-8 in a string */
    const char *bad8 = "version = \"\xff\"\n";
    assert_int_equal(civ_alloc_spec_parse(bad8, strlen(bad8), "u.spec", &s), CIV_ERR_SPEC);
    assert_non_null(strstr(civ_last_error()->message, "saved as GBK or ANSI? save it as UTF-8"));
    /* UTF-8 text is fine, and a BOM is skipped */
    const char *utf = "\xEF\xBB\xBFversion = \"二〇二六\"\n[budget]\ntotal = 1\nfiscal_year = 2026\n[[pool]]\n"
                      "name = \"p\"\nshare = 1\n[[factor]]\nname = \"f\"\nattribute = \"x\"\nweight = 1\n";
    assert_int_equal(civ_alloc_spec_parse(utf, strlen(utf), "u.spec", &s), CIV_OK);
    assert_string_equal(civ_alloc_spec_version(s), "二〇二六");
    civ_alloc_spec_free(s);
    /* more than 32 tilts */
    size_t cap = 1 << 16;
    char *big = malloc(cap);
    size_t L = (size_t)snprintf(big, cap, "%s", utf + 3);
    for (int t = 0; t < 33; t++)
        L += (size_t)snprintf(big + L, cap - L, "[[tilt]]\nname = \"t%d\"\nattribute = \"a\"\nabove = 1\nmultiplier = 2\n", t);
    assert_int_equal(civ_alloc_spec_parse(big, L, "t.spec", &s), CIV_ERR_LIMIT);
    assert_non_null(strstr(civ_last_error()->message, "32"));
    /* more than 1 MiB */
    char *huge = malloc(CIV_TOML_MAX_BYTES + 2);
    memset(huge, '#', CIV_TOML_MAX_BYTES + 1);
    assert_int_equal(civ_alloc_spec_parse(huge, CIV_TOML_MAX_BYTES + 1, "h.spec", &s), CIV_ERR_SPEC);
    /* a very long string */
    L = (size_t)snprintf(big, cap, "version = \"");
    memset(big + L, 'a', 5000);
    L += 5000;
    L += (size_t)snprintf(big + L, cap - L, "\"\n");
    assert_int_equal(civ_alloc_spec_parse(big, L, "l.spec", &s), CIV_ERR_SPEC);
    free(huge);
    free(big);
    /* reading a missing file */
    assert_int_equal(civ_alloc_spec_read("/nonexistent/x.spec", &s), CIV_ERR_IO);
    assert_non_null(strstr(civ_last_error()->text, "/nonexistent/x.spec"));
}

static void test_fuzz_prefixes_and_mutations(void **state)
{
    (void)state;
    size_t n = strlen(GOOD);
    char *buf = malloc(n + 1);
    civ_alloc_spec *s = NULL;
    int ok = 0;
    for (size_t k = 0; k <= n; k++) {
        civ_status st = civ_alloc_spec_parse(GOOD, k, "prefix.spec", &s);
        assert_true(st == CIV_OK || st == CIV_ERR_PARSE || st == CIV_ERR_SPEC || st == CIV_ERR_DUPLICATE);
        ok += st == CIV_OK;
        civ_alloc_spec_free(s);
        s = NULL;
    }
    assert_true(ok >= 1); /* the whole text */
    static const char bytes[] = {'\0', '"', '\'', '[', ']', '=', '\n', '#', '.', '-', '_', 'e', '9', ' ', '\xc3', '{', ','};
    srand(3);
    for (int rep = 0; rep < 4000; rep++) {
        memcpy(buf, GOOD, n + 1);
        int muts = 1 + rand() % 3;
        for (int m = 0; m < muts; m++)
            buf[rand() % n] = bytes[rand() % (int)sizeof bytes];
        civ_status st = civ_alloc_spec_parse(buf, n, "mut.spec", &s);
        assert_true(st == CIV_OK || st == CIV_ERR_PARSE || st == CIV_ERR_SPEC || st == CIV_ERR_DUPLICATE ||
                    st == CIV_ERR_LIMIT);
        if (st)
            assert_true(civ_last_error()->message[0] != '\0');
        civ_alloc_spec_free(s);
        s = NULL;
    }
    free(buf);
}

/* pace written with its percent sign is the fraction written as a number,
 * bit for bit; a fraction below 1 as before; what is not a percentage is
 * refused by civ_percent_text. */
static void test_percent_pace(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        double q;
    } ok[] = {{"\"20%\"", 0.20}, {"\"+150%\"", 1.5}, {"\"12.5%\"", 0.125}, {"\"1.1%\"", 0.011},
              {"\"10000%\"", 100}, {"\"0%\"", 0},    {"0.999", 0.999},    {"0", 0}, {"0.2", 0.2}};
    for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++) {
        char text[400];
        snprintf(text, sizeof text, "%s[[formula]]\nname = \"main\"\nlast_year = \"ly\"\npace = %s\n",
                 "version = \"1\"\n[budget]\ntotal = 100.00\nfiscal_year = 2026\n[[pool]]\nname = \"p\"\nshare = 1\n"
                 "[[factor]]\nname = \"f\"\nattribute = \"x\"\nweight = 1\n",
                 ok[k].text);
        civ_alloc_spec *s = NULL;
        if (civ_alloc_spec_parse(text, strlen(text), "pct.spec", &s))
            fail_msg("pace = %s: %s", ok[k].text, civ_last_error()->text);
        assert_true(s->formulas[0].pace == ok[k].q); /* the same double as the decimal literal */
        civ_alloc_spec_free(s);
    }
    static const char *const bad[] = {"%", "1e2%", "1.2.3%", " 5%", "5 %", "-5%", "5%%", "5", ".%", "0x10%", ""};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        double q = -7;
        assert_int_equal(civ_percent_text(bad[k], &q), -1);
        assert_true(q == -7);
    }
    double q;
    assert_int_equal(civ_percent_text(".5%", &q), 0);
    assert_true(q == 0.005);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_spec),    cmocka_unit_test(test_money),        cmocka_unit_test(test_text_columns),
        cmocka_unit_test(test_base_is_valid), cmocka_unit_test(test_bad_specs),
        cmocka_unit_test(test_limits_and_bytes), cmocka_unit_test(test_fuzz_prefixes_and_mutations),
        cmocka_unit_test(test_reserve_rounds_up), cmocka_unit_test(test_labels),
        cmocka_unit_test(test_percent_pace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
