/*
 * test_alloc_write.c -- the allocation CSV writer (civ_alloc_result_write,
 * engine/src/alloc/output.c): rows formatted straight to text a block at a
 * time by several threads and appended in order must give exactly the bytes
 * of the table path (civ_alloc_result_table + civ_table_write_opts), for 1,
 * 2 and 3 threads and blocks of 1, 7 and more rows than the city has; with
 * and without explanations (English, Chinese), with write options (BOM,
 * significant digits, money decimals), with the formula guard on and off,
 * and on texts that need quoting (commas, quotes, newlines, leading = + -,
 * empty cells).  Also on the demo city's reserve release (paid columns).
 */
#include <math.h>
#include <omp.h>
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
#include "test_files.h"

static char tmpdir[64];

static int setup_dir(void **state)
{
    return tf_dir_make(tmpdir, sizeof tmpdir, "/tmp", "civ_test_alloc_write_");
}

static int remove_dir(void **state)
{
    return tf_dir_remove(tmpdir);
}

/* Fails, naming the first differing byte, unless the files are equal. */
static void assert_same_file(const char *got, const char *want, const char *what)
{
    size_t ng, nw;
    char *g = tf_slurp(got, &ng), *w = tf_slurp(want, &nw);
    size_t k = 0;
    while (k < ng && k < nw && g[k] == w[k])
        k++;
    if (k < ng || k < nw) {
        size_t from = k > 40 ? k - 40 : 0;
        fail_msg("%s: %zu bytes, the table path %zu; first difference at byte %zu: '%.80s' vs '%.80s'", what, ng, nw,
                 k, g + from, w + from);
    }
    free(g), free(w);
}

static const char SPEC[] = "version = \"t\"\n"
                           "[budget]\ntotal = 123456.78\nfiscal_year = 2026\n"
                           "[data]\ndistrict = \"district\"\npopulation = \"pop\"\naged = \"aged\"\n"
                           "[[reserve]]\nname = \"risk\"\nshare = 0.03\n"
                           "[[pool]]\nname = \"main\"\nshare = 0.8\nformula = \"main\"\n"
                           "[[pool]]\nname = \"mig\"\nshare = 0.2\nformula = \"mig\"\n"
                           "eligible_attribute = \"ms\"\neligible_min = 0.5\n"
                           "[[formula]]\nname = \"main\"\nfloor = 500.00\ncap_share = 0.2\nhold_harmless = 0.9\n"
                           "pace = 0.15\nlast_year = \"ly\"\n"
                           "[[formula]]\nname = \"mig\"\ncap = 3000.00\n"
                           "[[factor]]\nname = \"pop\"\nformula = \"main\"\nattribute = \"pop\"\ncoefficient = \"d\"\n"
                           "weight = 0.5\n"
                           "[[factor]]\nname = \"aged\"\nformula = \"main\"\nattribute = \"aged\"\nweight = 0.5\n"
                           "[[factor]]\nname = \"x\"\nformula = \"mig\"\nattribute = \"x\"\nweight = 1\n"
                           "[[tilt]]\nname = \"t\"\nformula = \"main\"\nattribute = \"sh\"\nabove = 0.5\n"
                           "multiplier = 1.25\n";

/* n synthetic communities whose ids and names need every kind of CSV
 * care; some had nothing last year, some have no district. */
static civ_table *nasty_city(size_t n)
{
    civ_table *t = NULL;
    assert_int_equal(civ_table_create(&t), CIV_OK);
    static const char *const text[] = {"unique_id", "name", "district"};
    static const char *const num[] = {"pop", "d", "aged", "x", "ms", "sh", "ly"};
    size_t k;
    for (size_t j = 0; j < 3; j++)
        assert_int_equal(civ_table_add_column(t, text[j], CIV_COLUMN_TEXT, &k), CIV_OK);
    for (size_t j = 0; j < 7; j++)
        assert_int_equal(civ_table_add_column(t, num[j], CIV_COLUMN_NUMBER, &k), CIV_OK);
    assert_int_equal(civ_table_add_rows(t, n, NULL), CIV_OK);
    static const char *const id_form[] = {"C%03zu", "=C%03zu", "C,%03zu", "C\"%03zu\"", "-%03zu", "+C%03zu",
                                          "社区%03zu"};
    static const char *const names[] = {"", "a,b", "say \"hi\"", "two\nlines", "@home", "plain", "-1.5", "名称"};
    uint64_t rng = 88172645463325252ull;
    for (size_t i = 0; i < n; i++) {
        char id[32], district[16];
        snprintf(id, sizeof id, id_form[i % 7], i);
        if (i % 9 == 4)
            district[0] = 0;
        else
            snprintf(district, sizeof district, "d%zu", i % 4);
        assert_int_equal(civ_table_set_text(t, i, 0, id), CIV_OK);
        assert_int_equal(civ_table_set_text(t, i, 1, names[i % 8]), CIV_OK);
        assert_int_equal(civ_table_set_text(t, i, 2, district), CIV_OK);
        double u[7];
        for (int j = 0; j < 7; j++) {
            rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
            u[j] = (double)(rng >> 11) / 9007199254740992.0;
        }
        double pop = floor(200 + 5000 * u[0] * u[0]);
        assert_int_equal(civ_table_set_number(t, i, 3, pop), CIV_OK);
        assert_int_equal(civ_table_set_number(t, i, 4, 0.8 + 0.4 * u[1]), CIV_OK);
        assert_int_equal(civ_table_set_number(t, i, 5, floor(pop * 0.4 * u[2])), CIV_OK);
        assert_int_equal(civ_table_set_number(t, i, 6, i % 11 == 3 ? 0 : floor(1000 * u[3])), CIV_OK);
        assert_int_equal(civ_table_set_number(t, i, 7, u[4]), CIV_OK);
        assert_int_equal(civ_table_set_number(t, i, 8, u[5]), CIV_OK);
        /* last year: nothing (0) or 500..3000 yuan to the fen (the total has no last year: the migrant fund has
         * no history, so its change cells are empty) */
        double ly = i % 13 == 6 ? 0 : round(50000 + 250000 * u[6]) / 100;
        assert_int_equal(civ_table_set_number(t, i, 9, ly), CIV_OK);
    }
    return t;
}

/* The writer against the table path for 1, 2, 3, 8 threads and blocks 1, 7 and
 * more than n rows (and the default of civ_alloc_result_write). */
static void check_writer(const civ_alloc_problem *p, const civ_alloc_result *r, int explain,
                         const civ_csv_write_options *opt, const char *label)
{
    char want[160], got[160], what[200];
    snprintf(want, sizeof want, "%s/table.csv", tmpdir);
    snprintf(got, sizeof got, "%s/written.csv", tmpdir);
    civ_table *t = NULL;
    assert_int_equal(civ_alloc_result_table(p, r, explain, &t), CIV_OK);
    assert_int_equal(civ_table_write_opts(t, want, opt), CIV_OK);
    size_t n = civ_table_n_rows(t);
    civ_table_free(t);
    const size_t blocks[] = {1, 7, n + 5};
    int saved = omp_get_max_threads();
    static const int thread_counts[] = {1, 2, 3, 8};
    for (size_t k = 0; k < sizeof thread_counts / sizeof *thread_counts; k++) {
        int threads = thread_counts[k];
        omp_set_num_threads(threads);
        for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++) {
            snprintf(what, sizeof what, "%s, explain %d, %d threads, blocks of %zu", label, explain, threads,
                     blocks[b]);
            if (civ_alloc_result_write_blocks(p, r, explain, got, opt, blocks[b]))
                fail_msg("%s: %s", what, civ_last_error_message());
            assert_same_file(got, want, what);
        }
        snprintf(what, sizeof what, "%s, explain %d, %d threads, civ_alloc_result_write", label, explain, threads);
        assert_int_equal(civ_alloc_result_write(p, r, explain, got, opt), CIV_OK);
        assert_same_file(got, want, what);
    }
    omp_set_num_threads(saved);
}

static void test_nasty_city(void **state)
{
    (void)state;
    civ_alloc_spec *s = af_spec_of(SPEC);
    civ_table *c = nasty_city(61);
    civ_alloc_problem *p = NULL;
    civ_alloc_result *r = NULL;
    if (civ_alloc_bind(s, c, NULL, &p) || civ_alloc_result_create(p, &r) || civ_alloc_solve(p, r))
        fail_msg("allocation: %s", civ_last_error_message());
    /* the city does exercise the rules the explanations name */
    civ_alloc_stats st;
    assert_int_equal(civ_alloc_result_stats(p, r, &st), CIV_OK);
    if (!(st.n_floor > 0 && st.n_hold_harmless + st.n_pace > 0))
        fail_msg("binding: floor %zu, hold-harmless %zu, pace %zu", st.n_floor, st.n_hold_harmless, st.n_pace);
    const civ_csv_write_options excel = {.bom = 1, .significant_digits = 6, .min_decimals = 2};
    for (int explain = 0; explain <= 2; explain++) {
        check_writer(p, r, explain, NULL, "defaults");
        check_writer(p, r, explain, &excel, "bom, 6 digits, 2 decimals");
    }
    assert_int_equal(civ_csv_set_formula_guard(0), CIV_OK);
    check_writer(p, r, CIV_ALLOC_EXPLAIN_EN, NULL, "formula guard off");
    assert_int_equal(civ_csv_set_formula_guard(1), CIV_OK);
    /* the guarded and quoted cells are there to compare */
    char path[160];
    size_t len;
    snprintf(path, sizeof path, "%s/written.csv", tmpdir);
    assert_int_equal(civ_alloc_result_write(p, r, CIV_ALLOC_EXPLAIN_ZH, path, NULL), CIV_OK);
    char *text = tf_slurp(path, &len);
    text[len] = '\0';
    assert_non_null(strstr(text, "\n\"'=C001\","));
    assert_non_null(strstr(text, "\n\"C\"\"003\"\"\","));
    assert_non_null(strstr(text, "\n-004,"));
    assert_non_null(strstr(text, "\"two\nlines\""));
    assert_non_null(strstr(text, "保底"));
    free(text);
    assert_int_equal(civ_alloc_result_write_blocks(p, r, 0, path, NULL, 0), CIV_ERR_INVALID_ARGUMENT);
    civ_alloc_result_free(r);
    civ_alloc_problem_free(p);
    civ_table_free(c);
    civ_alloc_spec_free(s);
}

/* The demo city's release of its risk reserve: paid_* and total_* columns,
 * the year's change (paid + release), Chinese explanations. */
static void test_demo_release(void **state)
{
    (void)state;
    static const char *const text_cols[] = {"unique_id", "name", "district", "street", NULL};
    civ_table_read_options ro = {.text_columns = text_cols};
    civ_alloc_spec *spec = NULL, *rel = NULL;
    civ_table *comm = NULL, *paid = NULL;
    civ_alloc_problem *p = NULL, *q = NULL;
    civ_alloc_result *r = NULL, *rr = NULL;
    assert_int_equal(civ_alloc_spec_read(CIV_SOURCE_DIR "/datasets/demo_city/allocation.spec", &spec), CIV_OK);
    assert_int_equal(civ_alloc_spec_read(CIV_SOURCE_DIR "/datasets/demo_city/release.spec", &rel), CIV_OK);
    assert_int_equal(civ_table_read_csv(CIV_SOURCE_DIR "/datasets/demo_city/communities.csv", &ro, &comm), CIV_OK);
    assert_int_equal(civ_alloc_bind(spec, comm, NULL, &p), CIV_OK);
    assert_int_equal(civ_alloc_result_create(p, &r), CIV_OK);
    assert_int_equal(civ_alloc_solve(p, r), CIV_OK);
    check_writer(p, r, CIV_ALLOC_EXPLAIN_EN, NULL, "demo city");
    char path[160];
    snprintf(path, sizeof path, "%s/paid.csv", tmpdir);
    assert_int_equal(civ_alloc_result_write(p, r, 0, path, NULL), CIV_OK);
    assert_int_equal(civ_table_read_csv(path, &ro, &paid), CIV_OK);
    assert_int_equal(civ_alloc_bind(rel, comm, NULL, &q), CIV_OK);
    assert_int_equal(civ_alloc_problem_set_paid(q, paid), CIV_OK);
    assert_int_equal(civ_alloc_result_create(q, &rr), CIV_OK);
    assert_int_equal(civ_alloc_solve(q, rr), CIV_OK);
    check_writer(q, rr, CIV_ALLOC_EXPLAIN_ZH, NULL, "demo city release");
    civ_alloc_result_free(r), civ_alloc_result_free(rr);
    civ_alloc_problem_free(p), civ_alloc_problem_free(q);
    civ_table_free(comm), civ_table_free(paid);
    civ_alloc_spec_free(spec), civ_alloc_spec_free(rel);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nasty_city),
        cmocka_unit_test(test_demo_release),
    };
    return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
