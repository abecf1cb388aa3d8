/*
 * cmd_allocate.c -- layer CLI (a client of civicast.h only): `civicast
 * allocate`: split a budget across communities by the factor method
 * (docs/ALLOCATION.md) and write the per-community allocation (and
 * optionally the summary) as CSV or HDF5; with --uncertainty, the Monte
 * Carlo columns; with --workbook, the money tables as the budget office's
 * workbook (civ_alloc_workbook_write, as the plan's allocation.xlsx); with
 * --compare, scenarios (cmd_compare.c).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "commands.h"

enum { A_SPEC, A_COMMUNITIES, A_FORECASTS, A_OUT, A_SUMMARY, A_EXPLAIN, A_UNCERTAINTY, A_SEED, A_K, A_THREADS,
       A_UNC_OUT, A_DRAWS_OUT, A_COMPARE, A_LANG, A_PAID, A_LAST_YEAR, A_LAST_YEAR_SHEET, A_ENCODING, A_THOUSANDS,
       A_PERCENT, A_SHEET, A_SKIP_ROWS, A_COMM_SKIP, A_FC_SKIP, A_LY_SKIP, A_PAID_SKIP, A_WORKBOOK,
       A_EXCEL /* +1 --no-excel, +2 --precision: CIV_CLI_CSV_OPTIONS */ };
static const civ_cli_option allocate_options[] = {
    [A_SPEC] = {"--spec", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "SPEC", "the allocation spec (required)"},
    [A_COMMUNITIES] = {"--communities", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
                       "community attributes, .csv or .h5 (required)"},
    [A_FORECASTS] = {"--forecasts", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
                     "forecasts in long format, when a factor uses them"},
    [A_OUT] = {"--out", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE", "the per-community allocation (required)"},
    [A_SUMMARY] = {"--summary", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
                   "totals by reserve, pool and district, per capita, equity"},
    [A_EXPLAIN] = {"--explain", NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL, "add a sentence per community"},
    [A_UNCERTAINTY] = {"--uncertainty", NULL, CIV_CLI_VALUE, CIV_CLI_SIZE, "N",
                       "Monte Carlo draws: adds p5, p50, p95 (minor units)"},
    [A_SEED] = {"--seed", NULL, CIV_CLI_VALUE, CIV_CLI_SIZE, "S", "seed of the draws (default 20260101)"},
    [A_K] = {"--weight-concentration", NULL, CIV_CLI_VALUE, CIV_CLI_NUMBER, "K",
             "also draw the weights (Dirichlet, concentration K > 0)"},
    [A_THREADS] = {"--threads", NULL, CIV_CLI_VALUE, CIV_CLI_SIZE, "T", "threads of the draws (0..1024)"},
    [A_UNC_OUT] = {"--uncertainty-out", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
                   "the quantiles per community, district and total"},
    [A_DRAWS_OUT] = {"--draws-out", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
                     "every draw's amounts: unique_id, draw_1_fen .. draw_N_fen"},
    [A_COMPARE] = {"--compare", NULL, CIV_CLI_LIST, CIV_CLI_PATH, "SPEC...",
                   "solve several specs on the same data (see above)"},
    [A_LANG] = {"--lang", NULL, CIV_CLI_VALUE, CIV_CLI_TEXT, "en|zh",
                "language of the --explain sentences and of --workbook\n"
                "(default en; with --workbook, zh)"},
    [A_PAID] = {"--paid", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
                "reserve release: allocate on top of what FILE (an earlier --out) paid"},
    [A_LAST_YEAR] = CIV_CLI_LAST_YEAR_OPTION,
    [A_LAST_YEAR_SHEET] = CIV_CLI_LAST_YEAR_SHEET_OPTION,
    [A_ENCODING] = CIV_CLI_ENCODING_OPTION,
    [A_THOUSANDS] = CIV_CLI_THOUSANDS_OPTION,
    [A_SKIP_ROWS] = CIV_CLI_SKIP_ROWS_OPTION,
    [A_COMM_SKIP] = CIV_CLI_INPUT_SKIP_ROWS_OPTION("--communities-skip-rows", "--communities"),
    [A_FC_SKIP] = CIV_CLI_INPUT_SKIP_ROWS_OPTION("--forecasts-skip-rows", "--forecasts"),
    [A_LY_SKIP] = CIV_CLI_INPUT_SKIP_ROWS_OPTION("--last-year-skip-rows", "--last-year"),
    [A_PAID_SKIP] = CIV_CLI_INPUT_SKIP_ROWS_OPTION("--paid-skip-rows", "--paid"),
    [A_WORKBOOK] = {"--workbook", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE.xlsx",
                    "the budget office's workbook: allocation, summary, rules (and\n"
                    "uncertainty) sheets headed in Chinese, as the plan's allocation.xlsx"},
    [A_EXCEL] = CIV_CLI_CSV_OPTIONS,
    {NULL, NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL, NULL},
};
static const civ_cli_spec allocate_spec = {
    "allocate",
    "usage: civicast allocate --spec SPEC --communities FILE [--forecasts FILE] --out FILE\n"
    "                         [--summary FILE] [--workbook FILE.xlsx] [--explain] [--lang en|zh]\n"
    "                         [--paid FILE [--paid-skip-rows N]]\n"
    "                         [--last-year FILE [--last-year-sheet NAME] [--last-year-skip-rows N]]\n"
    "                         [--uncertainty N [--seed S] [--weight-concentration K]\n"
    "                          [--threads T] [--uncertainty-out FILE] [--draws-out FILE]]\n"
    "                         [--encoding E] [--thousands C] [--percent] [--sheet NAME] [--skip-rows N]\n"
    "                         [--communities-skip-rows N] [--forecasts-skip-rows N]\n"
    "                         [--excel|--no-excel] [--precision P]\n"
    "       civicast allocate --compare SPEC1 SPEC2 [...] --communities FILE\n"
    "                         [--forecasts FILE] --out FILE [--summary FILE] [--last-year FILE]\n"
    "                         [--encoding E] [--thousands C] [--percent] [--sheet NAME] [--skip-rows N]\n"
    "                         [--X-skip-rows N ...] [--excel|--no-excel] [--precision P]\n",
    "Reads an allocation spec (docs/ALLOCATION.md), the community attributes (.csv or\n"
    ".h5, one row per unique_id) and, when a factor uses them, forecasts in long\n"
    "format (unique_id,ds,h,model,mean,...).  Writes one row per community (amount in\n"
    "minor units and yuan, share, decomposition by factor, tilt, binding constraint,\n"
    "change against last year, in total and per fund against its own history;\n"
    "--explain adds a sentence naming the bound that decided each fund's amount,\n"
    "in English or, with --lang zh, Chinese) and, with --summary, the\n"
    "totals by reserve, pool and district, per-capita statistics and equity.\n"
    "--uncertainty N re-solves N Monte Carlo draws (forecast-demand factors drawn from\n"
    "the forecasts' intervals; with --weight-concentration K also Dirichlet weights)\n"
    "and adds p5, p50, p95 (minor units) to the output; --uncertainty-out writes the\n"
    "quantiles per community, district and total, --draws-out every draw's amount per\n"
    "community (any percentile in a spreadsheet).  --compare solves several specs on\n"
    "the same data: --out gets the amounts side by side with the change against the\n"
    "first spec, --summary the waterfall of what each rule moved (--workbook is for one\n"
    "spec: write each scenario's with its own allocate --workbook).  --paid FILE (a\n"
    "reserve released later in the year): the spec's funds are allocated on top of\n"
    "what FILE's pool_<fund>_<minor> (or amount_<minor>) columns paid, keeping every\n"
    "bound for the sum and never taking back what was paid.  --last-year FILE (last\n"
    "year's --out, or the plan's allocation.xlsx as the office kept it; default: the\n"
    "spec's [data] last_year_file) fills blank last-year cells, checks the others,\n"
    "merges and splits against it and names the communities of last year that\n"
    "closed; --last-year-sheet names its sheet (--sheet, the other inputs').\n"
    "--workbook FILE.xlsx writes the money tables as the plan's allocation.xlsx for the\n"
    "budget office: sheets 分配结果 (allocation), 分配汇总 (summary), 规则分解 (the rules'\n"
    "waterfall, from a second solve; not with --paid) and, with --uncertainty, 不确定性,\n"
    "headed in Chinese (社区编号, 分配金额（元）, the spec's labels), the codes in words;\n"
    "it and the --explain sentences are Chinese unless --lang en.  It reads back as\n"
    "--last-year, --paid and settle --allocation.  --out a.xlsx instead writes the\n"
    "table as data: one sheet, machine headers (unique_id, amount_fen).  CSV outputs are\n"
    "exact by default; --precision N rounds them for people, keeping the currency's\n"
    "decimals.  They start with a UTF-8 byte-order mark, without which Excel reads\n"
    "them as ANSI/GBK and garbles Chinese names (--no-excel omits it).\n",
    allocate_options,
    0,
    "unknown argument '%s'",
    "%s needs a file",
    "Exit codes: 0 ok, 1 usage, 2 bad data, 3 I/O, 4 bad spec or infeasible.\n",
};

/* The Monte Carlo options from the command line; 0 or the usage exit code. */
static int uncertainty_options(const civ_cli_args *a, civ_alloc_uncertainty_options *u)
{
    const char *n = a->value[A_UNCERTAINTY], *seed = a->value[A_SEED], *k = a->value[A_K],
               *threads = a->value[A_THREADS];
    civ_alloc_uncertainty_options_init(u);
    u->perturb_forecasts = a->value[A_FORECASTS] != NULL;
    size_t v;
    double kv;
    if (n && (civ_cli_parse_size(n, &u->n_draws) || u->n_draws < 1))
        return civ_cli_usage_error("allocate", "--uncertainty needs a number of draws >= 1, not '%s'", n);
    if (seed && civ_cli_parse_size(seed, &v))
        return civ_cli_usage_error("allocate", "--seed needs a whole number >= 0, not '%s'", seed);
    if (seed)
        u->seed = (uint64_t)v;
    if (k && (civ_cli_parse_double(k, &kv) || !(kv > 0)))
        return civ_cli_usage_error("allocate", "--weight-concentration needs a number > 0, not '%s'", k);
    if (k)
        u->weight_concentration = kv;
    if (threads && (civ_cli_parse_size(threads, &v) || v > 1024))
        return civ_cli_usage_error("allocate", "--threads needs a whole number 0..1024, not '%s'", threads);
    if (threads)
        u->threads = (int)v;
    if (!n && (seed || k || a->value[A_UNC_OUT] || a->value[A_DRAWS_OUT]))
        return civ_cli_usage_error("allocate", "--seed, --weight-concentration, --uncertainty-out and --draws-out "
                                               "need --uncertainty N");
    return 0;
}

typedef struct alloc_job {
    civ_alloc_spec *spec;
    civ_table *comm, *fc, *alloc, *summary;
    civ_table *rules, *quantiles; /* --workbook's rules sheet; --uncertainty's quantiles, for --workbook */
    civ_alloc_problem *prob;
    civ_alloc_result *res;
    civ_alloc_stats st;
    civ_csv_write_options csv; /* --excel, --precision */
    char demand[2048];         /* which forecasts each forecast factor summed (civ_cli_demand_lines) */
} alloc_job;

/* Reads the inputs and binds.  A bind error that names no file gets the
 * file it came from (data errors carry the community and row); *named is
 * then set and the message already printed. */
static civ_status read_and_bind(alloc_job *j, const civ_cli_args *a, int *named)
{
    const char *comm_path = a->value[A_COMMUNITIES], *fc_path = a->value[A_FORECASTS];
    civ_status s = civ_alloc_spec_read(a->value[A_SPEC], &j->spec);
    if (!s) /* money in major units keeps its minor digits when rounded */
        j->csv.min_decimals = civ_cli_money_decimals(civ_alloc_spec_minor_unit(j->spec));
    civ_table_read_options ro = {.text_columns = civ_alloc_spec_text_columns(j->spec)}; /* its id stays text */
    if (!s)
        s = civ_cli_last_year(j->spec, a->value[A_LAST_YEAR], a->value[A_LAST_YEAR_SHEET]);
    if (!s)
        s = civ_cli_read_table(comm_path, &ro, &j->comm);
    if (!s && fc_path)
        s = civ_cli_read_table(fc_path, &ro, &j->fc);
    if (s)
        return s;
    s = civ_alloc_bind(j->spec, j->comm, j->fc, &j->prob);
    if (!s)
        civ_cli_demand_lines(j->spec, j->fc, j->demand, sizeof j->demand);
    if (!s && a->value[A_PAID]) {
        civ_table *paid = NULL;
        s = civ_cli_read_allocation(j->spec, a->value[A_PAID], &ro, &paid);
        if (!s)
            s = civ_alloc_problem_set_paid(j->prob, paid);
        civ_table_free(paid);
        if (s && !civ_last_error()->file[0]) {
            fprintf(stderr, "civicast: %s: %s\n", a->value[A_PAID], civ_last_error_message());
            *named = 1;
        }
        return s;
    }
    if (s && !civ_last_error()->file[0]) {
        fprintf(stderr, "civicast: %s: ", fc_path && strstr(civ_last_error()->message, "forecast") ? fc_path
                                                                                                  : comm_path);
        fprintf(stderr, "%s\n", civ_last_error_message());
        *named = 1;
    }
    return s;
}

/* The language of the --explain sentences and of the workbook: --lang (checked), else Chinese with --workbook
 * (the plan's default, the budget office's), else English. */
static const char *lang_of(const civ_cli_args *a)
{
    return a->value[A_LANG] ? a->value[A_LANG] : a->value[A_WORKBOOK] ? "zh" : "en";
}

/* --explain [--lang]: CIV_ALLOC_EXPLAIN_*. */
static int explain_code(const civ_cli_args *a)
{
    if (!a->value[A_EXPLAIN])
        return CIV_ALLOC_EXPLAIN_NONE;
    return !strcmp(lang_of(a), "zh") ? CIV_ALLOC_EXPLAIN_ZH : CIV_ALLOC_EXPLAIN_EN;
}

/* The rules sheet of --workbook: what each rule moved (civ_alloc_compare_waterfall of the spec alone, a second
 * solve, as the plan's allocation_waterfall.csv); none with --paid, whose amounts that solve does not know. */
static civ_status rules_table(alloc_job *j, const civ_cli_args *a)
{
    if (a->value[A_PAID])
        return CIV_OK;
    const civ_alloc_spec *spec = j->spec;
    const char *label = "plan";
    civ_alloc_compare *cmp = NULL;
    civ_status s = civ_alloc_compare_run(&spec, &label, 1, j->comm, j->fc, &cmp);
    if (!s)
        s = civ_alloc_compare_waterfall(cmp, &j->rules);
    civ_alloc_compare_free(cmp);
    return s;
}

/* --workbook: the run's money tables through civ_alloc_workbook_write. */
static civ_status write_workbook(alloc_job *j, const civ_cli_args *a, const char *path)
{
    civ_alloc_workbook_tables t = {.allocation = j->alloc, .summary = j->summary, .rules = j->rules,
                                   .uncertainty = j->quantiles};
    return civ_alloc_workbook_write(path, j->spec, &t, lang_of(a), NULL);
}

static civ_status solve_and_write(alloc_job *j, const civ_cli_args *a, const civ_alloc_uncertainty_options *u)
{
    const char *wb = a->value[A_WORKBOOK];
    if (!a->value[A_UNCERTAINTY] && !wb) { /* the problem holds copies: free the inputs before the outputs exist */
        civ_table_free(j->comm), civ_table_free(j->fc);
        j->comm = j->fc = NULL;
    }
    civ_status s = civ_alloc_result_create(j->prob, &j->res);
    if (!s)
        s = civ_alloc_solve(j->prob, j->res);
    /* the rules sheet's second solve after the run's own, so that a spec that cannot be solved is reported as
     * without --workbook (before 2026-12-07 by that solve, as "spec 'plan': ...", its scenario's label) */
    if (!s && wb)
        s = rules_table(j, a);
    if (!a->value[A_UNCERTAINTY] && wb) {
        civ_table_free(j->comm), civ_table_free(j->fc);
        j->comm = j->fc = NULL;
    }
    if (!s && (a->value[A_UNCERTAINTY] || wb))
        s = civ_alloc_result_table(j->prob, j->res, explain_code(a), &j->alloc);
    if (!s) /* the summary and the figures printed: the equity statistics computed once for both */
        s = civ_alloc_result_summary_stats(j->prob, j->res, &j->summary, &j->st);
    /* the outputs, published together (output_set.c); without --uncertainty
     * the allocation goes to its file a block of rows at a time, never whole
     * in memory (with it, the table gets more columns first) */
    const char *mc = a->value[A_UNCERTAINTY];
    const char *paths[5] = {a->value[A_OUT], a->value[A_SUMMARY], mc ? a->value[A_UNC_OUT] : NULL,
                            mc ? a->value[A_DRAWS_OUT] : NULL, wb};
    civ_cli_outputs o = {0};
    if (!s)
        s = civ_cli_outputs_begin(&o, paths, 5);
    if (!s && mc)
        s = civ_cli_uncertainty(j->spec, j->comm, j->fc, u, j->alloc, civ_cli_outputs_path(&o, paths[2]),
                                civ_cli_outputs_path(&o, paths[3]), &j->csv, wb ? &j->quantiles : NULL);
    if (!s && j->alloc) /* built for --uncertainty or --workbook: written as it is, not computed again */
        s = civ_table_write_opts(j->alloc, civ_cli_outputs_path(&o, paths[0]), &j->csv);
    else if (!s)
        s = civ_alloc_result_write(j->prob, j->res, explain_code(a), civ_cli_outputs_path(&o, paths[0]), &j->csv);
    if (!s && paths[1])
        s = civ_table_write_opts(j->summary, civ_cli_outputs_path(&o, paths[1]), &j->csv);
    if (!s && wb)
        s = write_workbook(j, a, civ_cli_outputs_path(&o, wb));
    if (!s)
        s = civ_cli_outputs_commit(&o);
    civ_cli_outputs_end(&o);
    return s;
}

/* 1 when path ends in .xlsx (any case). */
static int xlsx_path(const char *path)
{
    size_t n = strlen(path);
    return n > 5 && !strcasecmp(path + n - 5, ".xlsx");
}

static int run_allocate(int argc, char **argv)
{
    int compare = 0, workbook = 0;
    for (int i = 1; i < argc; i++) {
        compare |= !strcmp(argv[i], "--compare") || !strncmp(argv[i], "--compare=", 10);
        workbook |= !strcmp(argv[i], "--workbook") || !strncmp(argv[i], "--workbook=", 11);
    }
    if (compare && workbook)
        return civ_cli_usage_error("allocate", "--workbook writes one spec's allocation, not --compare's scenarios: "
                                               "run allocate --spec SPEC --workbook FILE.xlsx for each spec");
    if (compare)
        return civ_cli_allocate_compare(argc, argv); /* scenarios: cmd_compare.c */
    civ_cli_args a;
    int code = civ_cli_parse(&allocate_spec, argc, argv, &a);
    if (code)
        return code;
    if ((code = civ_cli_set_input("allocate", NULL, a.value[A_ENCODING], a.value[A_THOUSANDS],
                                 a.value[A_PERCENT], a.value[A_SHEET], a.value[A_SKIP_ROWS]))) {
        civ_cli_args_free(&a);
        return code;
    }
    civ_alloc_uncertainty_options u;
    if (!a.value[A_SPEC] || !a.value[A_COMMUNITIES] || !a.value[A_OUT])
        code = civ_cli_usage_error("allocate", "--spec, --communities and --out are required");
    else if (a.value[A_LANG] && strcmp(a.value[A_LANG], "en") && strcmp(a.value[A_LANG], "zh"))
        code = civ_cli_usage_error("allocate", "--lang must be en or zh, not '%s'", a.value[A_LANG]);
    else if (a.value[A_PAID] && a.value[A_UNCERTAINTY])
        code = civ_cli_usage_error("allocate", "--paid and --uncertainty cannot be combined");
    else if (a.value[A_LANG] && !a.value[A_EXPLAIN] && !a.value[A_WORKBOOK])
        code = civ_cli_usage_error("allocate", "--lang sets the language of --explain and --workbook; add one");
    else if (a.value[A_WORKBOOK] && !xlsx_path(a.value[A_WORKBOOK]))
        code = civ_cli_usage_error("allocate", "--workbook writes an Excel workbook: give a path ending in .xlsx, "
                                               "not '%s' (--out and --summary write CSV or HDF5)",
                                   a.value[A_WORKBOOK]);
    else
        code = uncertainty_options(&a, &u);
    if (code) {
        civ_cli_args_free(&a);
        return code;
    }
    alloc_job j = {.csv = {.bom = 1}}; /* money tables for people: Excel needs the mark (docs/CLI.md) */
    if ((code = civ_cli_csv_options("allocate", &a, A_EXCEL, &j.csv))) {
        civ_cli_args_free(&a);
        return code;
    }
    int named = 0;
    civ_status s = read_and_bind(&j, &a, &named);
    if (!s)
        s = solve_and_write(&j, &a, &u);
    if (named) {
        code = civ_cli_exit_code(s);
    } else if (s) {
        code = civ_cli_report(s);
    } else {
        civ_cli_print_alloc_summary(j.spec, a.value[A_SPEC], &j.st);
        civ_cli_print_demand_window(j.demand);
        civ_cli_print_no_forecast(j.spec, j.prob, j.res); /* if_missing = "zero": how many counted as 0 */
        civ_cli_print_history(j.summary, civ_alloc_spec_minor_unit(j.spec));
        printf("wrote                  %s", a.value[A_OUT]); /* every file written (--uncertainty-out was left out) */
        const int more[4] = {A_SUMMARY, A_UNC_OUT, A_DRAWS_OUT, A_WORKBOOK};
        for (int k = 0; k < 4; k++)
            if (a.value[more[k]])
                printf(", %s", a.value[more[k]]);
        printf("\n");
    }
    civ_table_free(j.alloc), civ_table_free(j.summary), civ_table_free(j.rules), civ_table_free(j.quantiles);
    civ_alloc_result_free(j.res), civ_alloc_problem_free(j.prob);
    civ_table_free(j.comm), civ_table_free(j.fc), civ_alloc_spec_free(j.spec);
    civ_cli_args_free(&a);
    return code;
}

const civ_cli_command civ_cmd_allocate = {
    "allocate",
    "split a budget across communities by the factor method (spec file, exact to the fen)",
    &allocate_spec,
    run_allocate,
};
