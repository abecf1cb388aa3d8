/*
 * alloc_extra.h -- CLI pieces around the allocation shared by `civicast
 * allocate` (--compare, --uncertainty) and `civicast plan` / `civicast need`:
 * scenario comparison, the Monte Carlo columns, the need table, and the
 * one-screen summaries they print.
 */
#ifndef CIV_CLI_ALLOC_EXTRA_H
#define CIV_CLI_ALLOC_EXTRA_H

#include <stdint.h>

#include "civicast.h"

/* `civicast allocate --compare SPEC1 SPEC2 ... --communities FILE
 * [--forecasts FILE] --out FILE [--summary FILE]`; argv[0] = "allocate". */
int civ_cli_allocate_compare(int argc, char **argv);

/* Runs the Monte Carlo, appends p5/p50/p95 (minor units) to `alloc` (the
 * per-community allocation table, input row order), writes the long
 * uncertainty table to `out_path` when not NULL (CSV formatted by `csv`,
 * may be NULL), and prints two lines. */
civ_status civ_cli_uncertainty(const civ_alloc_spec *spec, const civ_table *communities, const civ_table *forecasts,
                               const civ_alloc_uncertainty_options *opt, civ_table *alloc, const char *out_path,
                               const civ_csv_write_options *csv);

/* Projects the need, writes the per-community table to `out_path` and the
 * per-year table to `summary_path` (either may be NULL; CSV formatted by
 * `csv`, may be NULL, with the need's money decimals), prints the years. */
civ_status civ_cli_need(const civ_alloc_need *need, const civ_table *forecasts, const char *out_path,
                        const char *summary_path, const char *currency, const civ_csv_write_options *csv);

/* Prints the one-screen allocation summary shared by `allocate` and `plan`:
 * spec, budget, each reserve, each pool, allocated, communities funded,
 * binding counts, per-capita figures and equity before -> after constraints. */
void civ_cli_print_alloc_summary(const civ_alloc_spec *spec, const char *spec_path, const civ_alloc_stats *st);

/* Formats minor units as "1,234,567.89" (digits from the minor unit). */
void civ_cli_format_money(char *buf, size_t size, double minor, int64_t unit);

#endif
