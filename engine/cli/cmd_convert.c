/*
 * cmd_convert.c -- layer CLI (a client of civicast.h only): `civicast convert IN OUT`: panels or tables between CSV
 * and HDF5, chosen by extension.  Values round-trip exactly (unless
 * --precision rounds a CSV for people; --excel only adds a byte-order mark).  With --hierarchy/--group, OUT is
 * the panel summed to every node of the hierarchy (civ_hier_aggregate) and --summing FILE its summing matrix.
 * With --predecessors (or --spec), OUT is the panel in which each merged or renamed community of --communities
 * continues its predecessors' history (civ_panel_join_predecessors), as `civicast plan` forecasts it.
 * `civicast convert --table A.csv B.csv ... BOOK.xlsx` writes one Excel workbook, a sheet per table named after
 * its file (civ_workbook_write).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "commands.h"

enum { V_TABLE, V_HIER, V_GROUP, V_COMMUNITIES, V_SUMMING, V_FREQ, V_ENCODING,
       V_THOUSANDS, V_PERCENT, V_SHEET, V_SKIP_ROWS,
       V_PRED, V_SHARES, V_SPEC, V_JOINS, V_COLUMNS /* +1 --time-col, +2 --target-col, +3 --wide-input */,
       V_EXCEL = V_COLUMNS + 4 /* +1 --no-excel, +2 --precision: CIV_CLI_CSV_OPTIONS */, V_COMM_SKIP = V_EXCEL + 3 };
static const civ_cli_option convert_options[] = {
    [V_TABLE] = {"--table", NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL, "IN is a table (e.g. community attributes)"},
    [V_HIER] = {"--hierarchy", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "a,b",
                "nested attribute columns, top first (e.g. district,street): OUT is\n"
                "the panel of every node (total, each district, ..., each series), summed"},
    [V_GROUP] = {"--group", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "g,...", "crossed grouping columns (e.g. service)"},
    [V_COMMUNITIES] = {"--communities", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
                       "community attributes with unique_id and the hierarchy's\ncolumns (default: the panel's)"},
    [V_SUMMING] = {"--summing", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
                   "the summing matrix: level, unique_id (the node), bottom_id (a series it sums)"},
    [V_PRED] = {"--predecessors", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "COLUMN",
                "the column of --communities naming each merged or renamed community's\n"
                "predecessors (\"C001;C002\"): OUT continues their summed history (rows keyed\n"
                "by unique_id)"},
    [V_SHARES] = {"--shares", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "COLUMN",
                  "with --predecessors: the column of --communities giving each community's\n"
                  "share of each predecessor (\"0.6\", \"0.5;1\"): a split's parts continue\n"
                  "share x the parent's history"},
    [V_SPEC] = {"--spec", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
                "take the key, predecessors and shares columns from an allocation spec's\n"
                "[data] (id, predecessors, predecessor_shares), as `civicast plan` does"},
    [V_JOINS] = {"--joins", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
                 "what was joined: one row per community naming predecessors (status, months,\n"
                 "shares, gap_periods)"},
    [V_FREQ] = CIV_CLI_FREQ_OPTION,
    [V_ENCODING] = CIV_CLI_ENCODING_OPTION,
    [V_THOUSANDS] = CIV_CLI_THOUSANDS_OPTION,
    [V_SKIP_ROWS] = CIV_CLI_SKIP_ROWS_OPTION,
    [V_COLUMNS] = CIV_CLI_COLUMN_OPTIONS,
    [V_EXCEL] = CIV_CLI_CSV_OPTIONS,
    [V_COMM_SKIP] = CIV_CLI_INPUT_SKIP_ROWS_OPTION("--communities-skip-rows", "--communities"),
    {NULL, NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL, NULL},
};
static const civ_cli_spec convert_spec = {
    "convert",
    "usage: civicast convert IN OUT [--table] [--freq F] [--encoding E] [--thousands C] [--percent]\n"
    "                               [--sheet NAME] [--skip-rows N] [--excel|--no-excel] [--precision P]\n"
    "                               [--id-col NAME] [--time-col NAME] [--target-col NAME] [--wide-input]\n"
    "       civicast convert IN OUT --hierarchy a,b [--group g] [--communities FILE] [--summing FILE]\n"
    "                               [--communities-skip-rows N] ...\n"
    "       civicast convert IN OUT --communities FILE (--predecessors COLUMN [--shares COLUMN] | --spec FILE)\n"
    "                               [--joins FILE] ...\n"
    "       civicast convert --table IN IN... BOOK.xlsx\n",
    "Converts by extension (.csv, .h5, .hdf5; .xlsx written only).  Without --table, IN is a panel in\n"
    "long format (unique_id,ds,y[,covariates]); with --table, a table such as the\n"
    "community attributes.  OUT is written atomically (temporary file + rename).\n"
    "Values round-trip exactly unless --precision N rounds a CSV for people.\n"
    "With --hierarchy (and/or --group), OUT is the panel of every node of the hierarchy\n"
    "the community attributes define, each the sum of its series (ids as in `forecast\n"
    "--hierarchy`: total, 澜中区, 澜中区/鼓角街道, the series ids); --summing FILE writes\n"
    "which series each node sums.\n"
    "With --predecessors (or --spec), each community of --communities that names its\n"
    "predecessors continues their history: their values summed in the months every one\n"
    "reported, before its own months; their series are left out (a split keeps its own\n"
    "months, or with --shares continues share x the parent's); months between the\n"
    "predecessors' last and its own first stay missing (a warning names them);\n"
    "docs/FORECASTING.md \"When the map changes\".\n"
    "With --table and several INs, OUT is one Excel workbook (.xlsx), a sheet per\n"
    "table named after its file (communities.csv: sheet communities).\n",
    convert_options,
    1,
    "unknown option '%s'",
    "%s needs a value",
    NULL,
};

/* --predecessors / --spec: the panel with the predecessors' history joined (and --joins), published together. */
static int convert_join(const char *in, const char *out, const char *comm_path, const char *column,
                        const char *shares, const char *spec_path, const char *joins_path,
                        const civ_csv_write_options *csv)
{
    civ_panel *p = NULL, *joined = NULL;
    civ_table *comm = NULL, *joins = NULL;
    civ_alloc_spec *spec = NULL;
    const char *id = "unique_id";
    civ_status s = spec_path ? civ_alloc_spec_read(spec_path, &spec) : CIV_OK;
    if (!s && spec) {
        id = civ_alloc_spec_id_column(spec);
        column = civ_alloc_spec_predecessors_column(spec);
        shares = civ_alloc_spec_predecessor_shares_column(spec);
        if (!column) {
            civ_alloc_spec_free(spec);
            return civ_cli_usage_error("convert", "--spec: the spec names no [data] predecessors column (the "
                                                  "communities' column naming each community's predecessors)");
        }
    }
    const char *text[] = {id, column, shares, NULL};
    civ_table_read_options ro = {.text_columns = text};
    if (!s)
        s = civ_cli_read_table(comm_path, &ro, &comm);
    if (!s)
        s = civ_cli_read_panel(in, &p);
    if (!s)
        s = civ_panel_join_predecessors_shares(p, comm, id, column, shares, &joined, &joins);
    if (!s) {
        const char *paths[2] = {out, joins_path};
        civ_cli_outputs o;
        s = civ_cli_outputs_begin(&o, paths, 2);
        if (!s)
            s = civ_panel_write_opts(joined, civ_cli_outputs_path(&o, out), csv);
        if (!s && joins_path)
            s = civ_table_write_opts(joins, civ_cli_outputs_path(&o, joins_path), csv);
        if (!s)
            s = civ_cli_outputs_commit(&o);
        civ_cli_outputs_end(&o);
    }
    if (!s) {
        size_t cs, n_joined = 0, rows = civ_table_n_rows(joins);
        civ_table_find_column(joins, "status", &cs);
        for (size_t r = 0; r < rows; r++)
            n_joined += !strcmp(civ_table_text(joins, r, cs), "joined");
        printf("joined       %zu communit%s continue their predecessors' history; %zu keep their own months "
               "(--joins says why); %zu series in, %zu out\n",
               n_joined, n_joined == 1 ? "y" : "ies", rows - n_joined, civ_panel_n_series(p),
               civ_panel_n_series(joined));
        size_t cid, cg, cf, ct;
        civ_table_find_column(joins, "unique_id", &cid), civ_table_find_column(joins, "gap_periods", &cg);
        civ_table_find_column(joins, "gap_from", &cf), civ_table_find_column(joins, "gap_to", &ct);
        for (size_t r = 0; r < rows; r++)
            if (civ_table_number(joins, r, cg) > 0)
                printf("warning      %s: %.0f period%s %s..%s missing between its predecessors' last common "
                       "period and its own first (neither reported; left missing, not guessed)\n",
                       civ_table_text(joins, r, cid), civ_table_number(joins, r, cg),
                       civ_table_number(joins, r, cg) == 1 ? "" : "s", civ_table_text(joins, r, cf),
                       civ_table_text(joins, r, ct));
    }
    civ_table_free(joins);
    civ_table_free(comm);
    civ_panel_free(joined);
    civ_panel_free(p);
    civ_alloc_spec_free(spec);
    return s ? civ_cli_report(s) : CIV_EXIT_OK;
}

/* --table IN... BOOK.xlsx: one workbook, a sheet per table named after its file (its name without folder and
 * extension; the library refuses a name Excel would not take, naming it). */
static civ_status convert_workbook(const char *const *ins, size_t n, const char *out)
{
    civ_table **tables = calloc(n, sizeof *tables);
    char **names = calloc(n, sizeof *names);
    civ_status s = tables && names ? CIV_OK : CIV_ERR_OUT_OF_MEMORY;
    if (s)
        fprintf(stderr, "civicast: out of memory\n");
    for (size_t k = 0; k < n && !s; k++) {
        const char *slash = strrchr(ins[k], '/'), *base = slash ? slash + 1 : ins[k], *dot = strrchr(base, '.');
        size_t len = dot && dot > base ? (size_t)(dot - base) : strlen(base);
        if (!(names[k] = strndup(base, len))) {
            fprintf(stderr, "civicast: out of memory\n");
            s = CIV_ERR_OUT_OF_MEMORY;
        } else {
            s = civ_cli_read_table(ins[k], NULL, &tables[k]);
        }
    }
    if (!s)
        s = civ_workbook_write(out, n, (const civ_table *const *)tables, (const char *const *)names, NULL);
    for (size_t k = 0; k < n && tables && names; k++) {
        civ_table_free(tables[k]);
        free(names[k]);
    }
    free(tables);
    free(names);
    return s;
}

/* --hierarchy / --group: the panel of every node (and the summing matrix), published together. */
static civ_status convert_hier(const char *in, const char *out, const char *const args[4],
                               const civ_csv_write_options *csv)
{
    civ_panel *p = NULL, *agg = NULL;
    civ_hier *h = NULL;
    civ_table *sum = NULL;
    civ_status s = civ_cli_read_panel(in, &p);
    if (!s)
        s = civ_cli_hier_build(p, args[0], args[1], args[2], &h);
    if (!s)
        s = civ_hier_aggregate(h, p, &agg);
    if (!s)
        civ_cli_hier_warn_gaps(h, p); /* missing months of a few series blank the totals */
    if (!s && args[3])
        s = civ_hier_summing_table(h, &sum);
    if (!s) {
        const char *paths[2] = {out, args[3]};
        civ_cli_outputs o;
        s = civ_cli_outputs_begin(&o, paths, 2);
        if (!s)
            s = civ_panel_write_opts(agg, civ_cli_outputs_path(&o, out), csv);
        if (!s && sum)
            s = civ_table_write_opts(sum, civ_cli_outputs_path(&o, args[3]), csv);
        if (!s)
            s = civ_cli_outputs_commit(&o);
        civ_cli_outputs_end(&o);
    }
    if (!s)
        printf("nodes        %zu (%zu series, %zu aggregates)\n", civ_hier_n_nodes(h), civ_hier_n_bottom(h),
               civ_hier_n_nodes(h) - civ_hier_n_bottom(h));
    civ_table_free(sum);
    civ_hier_free(h);
    civ_panel_free(agg);
    civ_panel_free(p);
    return s;
}

static int run_convert(int argc, char **argv)
{
    civ_cli_args a;
    int code = civ_cli_parse(&convert_spec, argc, argv, &a);
    if (code)
        return code;
    if ((code = civ_cli_set_input("convert", a.value[V_FREQ], a.value[V_ENCODING], a.value[V_THOUSANDS],
                                 a.value[V_PERCENT], a.value[V_SHEET], a.value[V_SKIP_ROWS])) ||
        (code = civ_cli_set_columns("convert", a.value[V_COLUMNS], a.value[V_COLUMNS + 1], a.value[V_COLUMNS + 2],
                                        a.value[V_COLUMNS + 3] != NULL, 1))) {
        civ_cli_args_free(&a);
        return code;
    }
    size_t n = a.n_positional;
    const char *in = n > 0 ? a.positional[0] : NULL, *out = n > 1 ? a.positional[1] : NULL;
    int table = a.value[V_TABLE] != NULL, hier = a.value[V_HIER] || a.value[V_GROUP];
    const char *hier_args[4] = {a.value[V_HIER], a.value[V_GROUP], a.value[V_COMMUNITIES], a.value[V_SUMMING]};
    const char *pred = a.value[V_PRED], *spec = a.value[V_SPEC], *joins = a.value[V_JOINS];
    const char *shares = a.value[V_SHARES];
    int join = pred || spec;
    civ_csv_write_options csv = {0};
    civ_status s;
    code = civ_cli_csv_options("convert", &a, V_EXCEL, &csv);
    if (!code && n > 2 && table && !hier && !join) { /* --table IN... BOOK.xlsx */
        const char *book = a.positional[n - 1];
        size_t len = strlen(book);
        if (len < 5 || strcasecmp(book + len - 5, ".xlsx"))
            code = civ_cli_usage_error("convert", "several tables go into one Excel workbook: name OUT <name>.xlsx");
        else if ((s = convert_workbook(a.positional, n - 1, book)))
            code = civ_cli_report(s);
        civ_cli_args_free(&a);
        return code;
    }
    civ_cli_args_free(&a);
    if (code)
        return code;
    if (n > 2 && (!table || hier || join))
        return civ_cli_usage_error("convert", "expected exactly two files, IN and OUT (several INs: --table IN... "
                                              "BOOK.xlsx, a sheet per table)");
    if (!in || !out)
        return civ_cli_usage_error("convert", "expected two files, IN and OUT");
    if (join && (hier || table || !hier_args[2] || hier_args[3] || (pred && spec)))
        return civ_cli_usage_error("convert", "--predecessors COLUMN (or --spec FILE) joins a panel's series with "
                                              "--communities FILE; not with --hierarchy, --group, --table or "
                                              "--summing, and not both");
    if (shares && !pred)
        return civ_cli_usage_error("convert", "--shares COLUMN goes with --predecessors COLUMN (with --spec, "
                                              "[data] predecessor_shares names it)");
    if (joins && !join)
        return civ_cli_usage_error("convert", "--joins needs --predecessors or --spec");
    if (!join && !hier && (hier_args[2] || hier_args[3]))
        return civ_cli_usage_error("convert", "--communities and --summing need --hierarchy or --group");
    if (hier && table)
        return civ_cli_usage_error("convert", "--hierarchy and --group sum a panel, not a --table");
    if (join)
        return convert_join(in, out, hier_args[2], pred, shares, spec, joins, &csv);
    if (hier) {
        s = convert_hier(in, out, hier_args, &csv);
    } else if (table) {
        civ_table *t = NULL;
        s = civ_cli_read_table(in, NULL, &t);
        if (!s)
            s = civ_table_write_opts(t, out, &csv);
        civ_table_free(t);
    } else {
        civ_panel *p = NULL;
        s = civ_cli_read_panel(in, &p);
        if (!s)
            s = civ_panel_write_opts(p, out, &csv);
        civ_panel_free(p);
    }
    if (s)
        return civ_cli_report(s);
    return CIV_EXIT_OK;
}

const civ_cli_command civ_cmd_convert = {
    "convert",
    "convert a panel (or with --table, a table) between CSV and HDF5; with --hierarchy, sum it to every node",
    &convert_spec,
    run_convert,
};
