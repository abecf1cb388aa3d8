/*
 * cmd_allocate.c -- `civicast allocate`: split a budget across communities
 * by the factor method (docs/ALLOCATION.md) and write the per-community
 * allocation (and optionally the summary) as CSV or HDF5.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alloc_extra.h"
#include "commands.h"

static int run_allocate(int argc, char **argv)
{
    const char *spec_path = NULL, *comm_path = NULL, *fc_path = NULL, *out_path = NULL, *sum_path = NULL;
    const char *unc_out = NULL, *unc_n = NULL, *unc_seed = NULL, *unc_k = NULL, *unc_threads = NULL;
    int explain = 0;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--compare"))
            return civ_cli_allocate_compare(argc, argv); /* scenarios: alloc_extra.c */
    for (int i = 1; i < argc; i++) {
        int io_ = civ_cli_input_option("allocate", argc, argv, &i);
        if (io_ < 0)
            return CIV_EXIT_USAGE;
        if (io_ > 0)
            continue;
        const char **slot = NULL;
        if (!strcmp(argv[i], "--uncertainty"))
            slot = &unc_n;
        else if (!strcmp(argv[i], "--seed"))
            slot = &unc_seed;
        else if (!strcmp(argv[i], "--weight-concentration"))
            slot = &unc_k;
        else if (!strcmp(argv[i], "--uncertainty-out"))
            slot = &unc_out;
        else if (!strcmp(argv[i], "--threads"))
            slot = &unc_threads;
        else if (!strcmp(argv[i], "--spec"))
            slot = &spec_path;
        else if (!strcmp(argv[i], "--communities"))
            slot = &comm_path;
        else if (!strcmp(argv[i], "--forecasts"))
            slot = &fc_path;
        else if (!strcmp(argv[i], "--out"))
            slot = &out_path;
        else if (!strcmp(argv[i], "--summary"))
            slot = &sum_path;
        else if (!strcmp(argv[i], "--explain")) {
            explain = 1;
            continue;
        } else
            return civ_cli_usage_error("allocate", "unknown argument '%s'", argv[i]);
        if (++i >= argc)
            return civ_cli_usage_error("allocate", "%s needs a file", argv[i - 1]);
        *slot = argv[i];
    }
    if (!spec_path || !comm_path || !out_path)
        return civ_cli_usage_error("allocate", "--spec, --communities and --out are required");
    civ_alloc_uncertainty_options uopt;
    civ_alloc_uncertainty_options_init(&uopt);
    uopt.perturb_forecasts = fc_path != NULL;
    {
        size_t v;
        double k;
        if (unc_n && (civ_cli_parse_size(unc_n, &uopt.n_draws) || uopt.n_draws < 1))
            return civ_cli_usage_error("allocate", "--uncertainty needs a number of draws >= 1, not '%s'", unc_n);
        if (unc_seed && civ_cli_parse_size(unc_seed, &v))
            return civ_cli_usage_error("allocate", "--seed needs a whole number >= 0, not '%s'", unc_seed);
        if (unc_seed)
            uopt.seed = (uint64_t)v;
        if (unc_k && (civ_cli_parse_double(unc_k, &k) || !(k > 0)))
            return civ_cli_usage_error("allocate", "--weight-concentration needs a number > 0, not '%s'", unc_k);
        if (unc_k)
            uopt.weight_concentration = k;
        if (unc_threads && (civ_cli_parse_size(unc_threads, &v) || v > 1024))
            return civ_cli_usage_error("allocate", "--threads needs a whole number 0..1024, not '%s'", unc_threads);
        if (unc_threads)
            uopt.threads = (int)v;
        if (!unc_n && (unc_seed || unc_k || unc_out))
            return civ_cli_usage_error("allocate", "--seed, --weight-concentration and --uncertainty-out need "
                                                   "--uncertainty N");
    }

    civ_alloc_spec *spec = NULL;
    civ_table *comm = NULL, *fc = NULL, *alloc = NULL, *summary = NULL;
    civ_alloc_problem *prob = NULL;
    civ_alloc_result *res = NULL;
    civ_alloc_stats st;
    static const char *const text_cols[] = {"unique_id", "name", "district", "street", "model", NULL};
    civ_table_read_options opt = {.text_columns = text_cols};
    civ_status s = civ_alloc_spec_read(spec_path, &spec);
    if (!s)
        s = civ_cli_read_table(comm_path, &opt, &comm);
    if (!s && fc_path)
        s = civ_cli_read_table(fc_path, &opt, &fc);
    if (!s) {
        s = civ_alloc_bind(spec, comm, fc, &prob);
        if (s && !civ_last_error()->file[0]) {
            /* data errors carry the community and row; say which file */
            fprintf(stderr, "civicast: %s: ", fc_path && strstr(civ_last_error()->message, "forecast") ? fc_path
                                                                                                      : comm_path);
            fprintf(stderr, "%s\n", civ_last_error_message());
            int code = civ_cli_exit_code(s);
            civ_table_free(comm), civ_table_free(fc), civ_alloc_spec_free(spec);
            return code;
        }
    }
    if (!s)
        s = civ_alloc_result_create(prob, &res);
    if (!s)
        s = civ_alloc_solve(prob, res);
    if (!s)
        s = civ_alloc_result_table(prob, res, explain, &alloc);
    if (!s)
        s = civ_alloc_result_summary(prob, res, &summary);
    if (!s)
        s = civ_alloc_result_stats(prob, res, &st);
    if (!s && unc_n)
        s = civ_cli_uncertainty(spec, comm, fc, &uopt, alloc, unc_out);
    if (!s)
        s = civ_table_write(alloc, out_path);
    if (!s && sum_path)
        s = civ_table_write(summary, sum_path);
    int code = CIV_EXIT_OK;
    if (s) {
        code = civ_cli_report(s);
    } else {
        civ_cli_print_alloc_summary(spec, spec_path, &st);
        printf("wrote                  %s%s%s\n", out_path, sum_path ? ", " : "", sum_path ? sum_path : "");
    }
    civ_table_free(alloc), civ_table_free(summary);
    civ_alloc_result_free(res), civ_alloc_problem_free(prob);
    civ_table_free(comm), civ_table_free(fc), civ_alloc_spec_free(spec);
    return code;
}

const civ_cli_command civ_cmd_allocate = {
    "allocate",
    "split a budget across communities by the factor method (spec file, exact to the fen)",
    "usage: civicast allocate --spec SPEC --communities FILE [--forecasts FILE] --out FILE\n"
    "                         [--summary FILE] [--explain]\n"
    "                         [--uncertainty N [--seed S] [--weight-concentration K]\n"
    "                          [--threads T] [--uncertainty-out FILE]] [--encoding E]\n"
    "       civicast allocate --compare SPEC1 SPEC2 [...] --communities FILE\n"
    "                         [--forecasts FILE] --out FILE [--summary FILE]\n\n"
    "Reads an allocation spec (docs/ALLOCATION.md), the community attributes (.csv or\n"
    ".h5, one row per unique_id) and, when a factor uses them, forecasts in long\n"
    "format (unique_id,ds,h,model,mean,...).  Writes one row per community (amount in\n"
    "minor units and yuan, share, decomposition by factor, tilt, binding constraint,\n"
    "change against last year; --explain adds a sentence) and, with --summary, the\n"
    "totals by reserve, pool and district, per-capita statistics and equity.\n"
    "--uncertainty N re-solves N Monte Carlo draws (forecast-demand factors drawn from\n"
    "the forecasts' intervals; with --weight-concentration K also Dirichlet weights)\n"
    "and adds p5, p50, p95 (minor units) to the output; --uncertainty-out writes the\n"
    "quantiles per community, district and total.  --compare solves several specs on\n"
    "the same data: --out gets the amounts side by side with the change against the\n"
    "first spec, --summary the waterfall of what each rule moved.\n"
    "Exit codes: 0 ok, 1 usage, 2 bad data, 3 I/O, 4 bad spec or infeasible.\n",
    run_allocate,
};
