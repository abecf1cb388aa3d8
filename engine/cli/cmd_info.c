/*
 * cmd_info.c -- layer CLI (a client of civicast.h only): `civicast info FILE [--attributes FILE]`: what a panel file
 * holds (series, frequency, span, missing share, covariates, attributes).
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static int show_info(const char *path, const char *attributes_path);

enum { I_ATTRIBUTES, I_FREQ, I_ENCODING, I_THOUSANDS, I_PERCENT, I_SHEET, I_SKIP_ROWS, I_ATTR_SKIP,
       I_COLUMNS /* +1 --time-col, +2 --target-col, +3 --wide-input */ };
static const civ_cli_option info_options[] = {
    [I_ATTRIBUTES] = {"--attributes", NULL, CIV_CLI_VALUE, CIV_CLI_PATH, "FILE",
                      "static attributes: a .csv or .h5 table keyed by unique_id"},
    [I_FREQ] = CIV_CLI_FREQ_OPTION,
    [I_ENCODING] = CIV_CLI_ENCODING_OPTION,
    [I_THOUSANDS] = CIV_CLI_THOUSANDS_OPTION,
    [I_SKIP_ROWS] = CIV_CLI_SKIP_ROWS_OPTION,
    [I_ATTR_SKIP] = CIV_CLI_INPUT_SKIP_ROWS_OPTION("--attributes-skip-rows", "--attributes"),
    [I_COLUMNS] = CIV_CLI_COLUMN_OPTIONS,
    {NULL, NULL, CIV_CLI_FLAG, CIV_CLI_NONE, NULL, NULL},
};
static const civ_cli_spec info_spec = {
    "info",
    "usage: civicast info FILE [--attributes FILE] [--freq F] [--encoding E] [--thousands C] [--percent]\n"
    "                          [--sheet NAME] [--skip-rows N] [--attributes-skip-rows N]\n"
    "                          [--id-col NAME] [--time-col NAME] [--target-col NAME] [--wide-input]\n",
    "Reads a panel (.csv long format unique_id,ds,y[,covariates] or .h5) and prints\n"
    "its series count, frequency, span, missing share, covariates and, with\n"
    "--attributes (a .csv or .h5 table keyed by unique_id), its static attributes.\n",
    info_options,
    1,
    "unknown option '%s'",
    "%s needs a file",
    NULL,
};

static int run_info(int argc, char **argv)
{
    civ_cli_args a;
    int code = civ_cli_parse(&info_spec, argc, argv, &a);
    if (code)
        return code;
    if ((code = civ_cli_set_input("info", a.value[I_FREQ], a.value[I_ENCODING], a.value[I_THOUSANDS],
                                 a.value[I_PERCENT], a.value[I_SHEET], a.value[I_SKIP_ROWS])) ||
        (code = civ_cli_set_columns("info", a.value[I_COLUMNS], a.value[I_COLUMNS + 1], a.value[I_COLUMNS + 2],
                                        a.value[I_COLUMNS + 3] != NULL, 1))) {
        civ_cli_args_free(&a);
        return code;
    }
    const char *path = a.n_positional ? a.positional[0] : NULL, *attributes_path = a.value[I_ATTRIBUTES];
    size_t n_positional = a.n_positional;
    civ_cli_args_free(&a);
    if (n_positional > 1)
        return civ_cli_usage_error("info", "more than one input file");
    if (!path)
        return civ_cli_usage_error("info", "missing the input file");
    return show_info(path, attributes_path);
}

const civ_cli_command civ_cmd_info = {
    "info",
    "summarise a panel file (series, frequency, span, missing, covariates, attributes)",
    &info_spec,
    run_info,
};

/* Reads the panel (and attributes) and prints what it holds. */
static int show_info(const char *path, const char *attributes_path)
{
    civ_panel *panel = NULL;
    civ_table *attributes = NULL;
    civ_status s = civ_cli_read_panel(path, &panel);
    if (!s && attributes_path) {
        s = civ_cli_read_table(attributes_path, NULL, &attributes);
        if (!s) {
            s = civ_panel_set_attributes(panel, attributes);
            if (s) {
                /* The table does not know its file: name it here. */
                fprintf(stderr, "civicast: %s: %s\n", attributes_path, civ_last_error_message());
                civ_table_free(attributes);
                civ_panel_free(panel);
                return civ_cli_exit_code(s);
            }
            attributes = NULL; /* the panel owns it now */
        }
    }
    civ_panel_summary sum;
    if (!s)
        s = civ_panel_summarize(panel, &sum);
    if (s) {
        int code = civ_cli_report(s);
        civ_table_free(attributes);
        civ_panel_free(panel);
        return code;
    }
    civ_frequency f = civ_panel_frequency(panel);
    char first[32] = "-", last[32] = "-";
    civ_date_style style = civ_panel_date_style(panel);
    if (sum.n_series) {
        civ_period_format_style(f, civ_panel_phase(panel), &style, sum.first_period, first, sizeof first);
        civ_period_format_style(f, civ_panel_phase(panel), &style, sum.last_period, last, sizeof last);
    }
    printf("file         %s\n", path);
    printf("series       %zu\n", sum.n_series);
    printf("frequency    %s (season length %d)\n", civ_frequency_name(f), civ_frequency_season_length(f));
    printf("span         %s .. %s\n", first, last);
    printf("length       %zu .. %zu periods\n", sum.min_length, sum.max_length);
    printf("values       %zu, missing %zu (%.2f%%)\n", sum.n_values, sum.n_missing,
           sum.n_values ? 100.0 * (double)sum.n_missing / (double)sum.n_values : 0.0);
    printf("covariates   %zu", sum.n_covariates);
    for (size_t k = 0; k < sum.n_covariates; k++) {
        char name[512];
        printf("%s%s", k ? ", " : ": ", civ_cli_safe(civ_panel_covariate_name(panel, k), name, sizeof name));
    }
    printf("\n");
    if (sum.n_covariates)
        printf("future       %zu series carry covariate values beyond their last observation\n", sum.n_future);
    const civ_table *attr = civ_panel_attributes(panel);
    if (attr) {
        printf("attributes   %zu columns for %zu ids:", sum.n_attributes, sum.n_attribute_rows);
        for (size_t c = 0; c < civ_table_n_columns(attr); c++)
            if (strcmp(civ_table_column_name(attr, c), "unique_id"))
            {
                char name[512];
                printf(" %s", civ_cli_safe(civ_table_column_name(attr, c), name, sizeof name));
            }
        printf("\n");
        size_t key = 0, with_series = 0;
        civ_table_find_column(attr, "unique_id", &key);
        for (size_t r = 0; r < civ_table_n_rows(attr); r++) {
            size_t i;
            if (civ_panel_find_series(panel, civ_table_text(attr, r, key), &i) == CIV_OK)
                with_series++;
        }
        civ_clear_error();
        printf("linked       %zu of %zu attribute rows have a series; %zu series lack attributes\n", with_series,
               sum.n_attribute_rows, sum.n_series - with_series);
    } else {
        printf("attributes   none\n");
    }
    civ_panel_free(panel);
    return CIV_EXIT_OK;
}

