/*
 * test_toml.c -- unit tests of engine/src/io/toml.c, the TOML subset the specs, plans and indicator files
 * are written in: values of each type, tables and arrays of tables, the location of each fault, and
 * civ_toml_take, the one lookup the spec readers share (it marks what they read, so that a key nobody
 * read can be reported as unknown).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "toml.h"

static civ_status parse(const char *text, civ_toml_doc *doc)
{
    memset(doc, 0, sizeof *doc);
    return civ_toml_parse(text, strlen(text), "spec.toml", doc);
}

static void test_values_and_tables(void **state)
{
    (void)state;
    civ_toml_doc doc;
    assert_int_equal(parse("budget = 1_000_000.50\nname = \"城市\"\n[reserve]\nshare = 0.05\n"
                           "[[pool]]\nname = \"a\"\n[[pool]]\nname = \"b\"\nflags = [1, 2]\n",
                           &doc),
                     CIV_OK);
    assert_int_equal(doc.n_tables, 4);
    civ_toml_table *root = &doc.tables[0];
    assert_string_equal(root->name, "");
    civ_toml_entry *b = civ_toml_take(root, "budget");
    assert_non_null(b);
    assert_int_equal(b->value.type, CIV_TOML_FLOAT);
    assert_true(b->value.number == 1000000.5);
    assert_string_equal(civ_toml_take(root, "name")->value.text, "城市");
    assert_string_equal(doc.tables[1].name, "reserve");
    assert_false(doc.tables[1].is_array);
    assert_true(doc.tables[2].is_array && doc.tables[3].is_array);
    civ_toml_entry *flags = civ_toml_take(&doc.tables[3], "flags");
    assert_int_equal(flags->value.type, CIV_TOML_ARRAY);
    assert_int_equal(flags->value.n_items, 2);
    civ_toml_free(&doc);
}

/* civ_toml_take returns the entry and marks it used; the others stay unused; a missing key or a missing
 * table gives NULL. */
static void test_take_marks_used(void **state)
{
    (void)state;
    civ_toml_doc doc;
    assert_int_equal(parse("a = 1\nb = 2\n", &doc), CIV_OK);
    civ_toml_table *t = &doc.tables[0];
    assert_int_equal(t->entries[0].used, 0);
    civ_toml_entry *e = civ_toml_take(t, "b");
    assert_ptr_equal(e, &t->entries[1]);
    assert_int_equal(t->entries[1].used, 1);
    assert_int_equal(t->entries[0].used, 0);
    assert_int_equal(e->line, 2);
    assert_null(civ_toml_take(t, "c"));
    assert_null(civ_toml_take(t, "B")); /* keys are case-sensitive */
    assert_null(civ_toml_take(NULL, "a"));
    civ_toml_free(&doc);
}

/* A duplicate key is refused at its own line and column, naming the file. */
static void test_fault_location(void **state)
{
    (void)state;
    civ_toml_doc doc;
    assert_int_equal(parse("a = 1\n  a = 2\n", &doc), CIV_ERR_SPEC);
    const civ_error *err = civ_last_error();
    assert_string_equal(err->file, "spec.toml");
    assert_int_equal(err->line, 2);
    assert_int_equal(err->column, 3);
    civ_toml_free(&doc);
    civ_clear_error();
}

/* No text at all (NULL, length 0: an empty spec) parses as an empty document; nothing reads through NULL
 * (memchr(NULL, 0, 0), undefined; UBSan's nonnull-attribute check stopped here; found by clang's analyzer). */
static void test_null_empty_text(void **state)
{
    (void)state;
    civ_toml_doc doc;
    assert_int_equal(civ_toml_parse(NULL, 0, "spec.toml", &doc), CIV_OK);
    assert_int_equal(doc.n_tables, 1);
    assert_int_equal(doc.tables[0].n_entries, 0);
    civ_toml_free(&doc);
    assert_int_equal(civ_toml_parse(NULL, 3, "spec.toml", &doc), CIV_ERR_INVALID_ARGUMENT);
    civ_clear_error();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_and_tables),
        cmocka_unit_test(test_take_marks_used),
        cmocka_unit_test(test_fault_location),
        cmocka_unit_test(test_null_empty_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
