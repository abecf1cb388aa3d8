/*
 * alloc.h -- alloc layer (over core and io): internal layout of the
 * allocation engine (factor method, 因素分配法): the parsed specification,
 * the bound problem (spec + data, resolved into arrays in canonical id order)
 * and the result buffers.
 *
 * Module map (engine/src/alloc/):
 *   spec.c         TOML document (io/toml.c) -> civ_alloc_spec (keys, types,
 *                  ranges) and the budget split into reserves and pools
 *   bind.c         spec + communities (+ forecasts) -> civ_alloc_problem
 *   waterfall.c    per unit: scores, tilt, bounds, solve, rounding; the result
 *                  object and civ_alloc_run
 *   solve.c        the exact constrained solve: clamp(lambda*raw, lo, hi)
 *   round.c        largest-remainder rounding inside integer bounds (the one
 *                  rounding of the layer: budget lines and communities)
 *   exact.c        the proportional split in exact integers when the scores
 *                  have an integer form (fen-exact near 2^53)
 *   output.c       the allocation and summary tables
 *   explain.c      the per-community explanations (English, Chinese)
 *   equity.c       summary statistics (Gini, Theil, CV, binding counts)
 *   compare.c      scenarios over the same data
 *   uncertainty.c  the Monte Carlo of the allocation
 *   need.c         the multi-year budget need
 *   settle.c       settlement against spending (carry-over, clawback, top-up)
 *   release.c      reserve release: allocating on top of what was paid
 *   project.c      the multi-year allocation projection
 *   demand_rows.c  which forecast rows a forecast factor sums (its period)
 * docs/ALLOCATION.md is the reference for the format and the maths.
 */
#ifndef CIV_ALLOC_H
#define CIV_ALLOC_H

#include <stdint.h>
#include <string.h>

#include "civicast.h"
#include "error.h"
#include "pred_map.h"
#include "strmap.h"
#include "toml.h"

/* ---- the specification (spec.c) ---------------------------------- */

typedef struct civ_alloc_loc {
    long line, column;
} civ_alloc_loc;

typedef enum civ_alloc_op { CIV_OP_GT = 1, CIV_OP_GE, CIV_OP_LT, CIV_OP_LE } civ_alloc_op;

typedef struct civ_alloc_reserve {
    char *name;
    char *label;         /* display name ("应急储备"), NULL = name */
    double share;
    int64_t share_num; /* share = share_num / 10^share_digits exactly, when */
    int share_digits;  /* the literal is a plain decimal; -1 otherwise */
    int64_t amount; /* minor units, set by the budget split */
    civ_alloc_loc loc;
} civ_alloc_reserve;

typedef struct civ_alloc_pool {
    char *name;
    char *label;         /* display name for explanations ("养老服务"), NULL = name */
    int has_amount;
    int64_t amount; /* minor units, when has_amount */
    double share;   /* of the distributable total, when !has_amount */
    int64_t share_num; /* as for reserves: share_num / 10^share_digits, */
    int share_digits;  /* -1 when the literal is not a plain decimal */
    size_t formula;
    char *formula_name;  /* as written, or NULL */
    /* earmark: eligible when attribute passes min/max (NaN = no bound), or
     * is among the top_k (0 = no top-k) by attribute, ties by id */
    char *eligible_attribute;
    double eligible_min, eligible_max;
    size_t eligible_top_k;
    /* attribute with last year's amount (major units) of the fund this pool
     * feeds (its own history for pace, hold-harmless and the per-fund change
     * columns); NULL = the formula's last_year, if any */
    char *last_year;
    /* reserve release: the column of the paid table holding what this
     * pool's fund already paid (minor units); NULL = pool_<fund>_<minor>, or
     * amount_<minor> when the spec has one fund (release.c) */
    char *paid;
    civ_alloc_loc loc, eligible_loc, last_year_loc;
    civ_alloc_loc eligible_min_loc, eligible_max_loc; /* of the values, for the percentage check (bind.c) */
} civ_alloc_pool;

#define CIV_ALLOC_MAX_GROUPS 8
#define CIV_ALLOC_MAX_LABELS 16

typedef struct civ_alloc_formula {
    char *name;
    char *label;         /* display name for explanations, NULL = name */
    int64_t floor;       /* minor units, -1 = none */
    int64_t cap;         /* minor units, -1 = none */
    double cap_share;    /* of the unit's pool, NaN = none */
    double hold_harmless;/* p in (0, 10], NaN = none */
    double pace;         /* q in [0, 100] (a number below 1, or "150%"), NaN = none */
    char *last_year;     /* attribute (yuan), needed by hold_harmless/pace */
    int64_t last_year_total; /* minor units: last year's whole fund, to reconcile the history with; -1 = none */
    int ratable;         /* on_infeasible = "ratable" */
    int greater_of;      /* combine = "greater_of": score = max over factor groups (US CDBG) */
    char *groups[CIV_ALLOC_MAX_GROUPS]; /* group names in order of first use */
    size_t n_groups;
    civ_alloc_loc loc, last_year_loc, floor_loc; /* floor_loc: of the floor's value (waterfall.c's messages) */
} civ_alloc_formula;

typedef enum civ_alloc_source { CIV_SOURCE_ATTRIBUTE = 1, CIV_SOURCE_FORECAST = 2 } civ_alloc_source;

typedef struct civ_alloc_factor {
    char *name;
    char *label;         /* display name for explanations ("常住人口"), NULL = name */
    size_t formula;
    char *formula_name;
    civ_alloc_source source;
    char *attribute;     /* ATTRIBUTE */
    char *coefficient;   /* optional c_i attribute, NULL = none */
    char *column;        /* FORECAST: value column, default "mean" */
    char *model;         /* FORECAST: model filter, NULL = the only model */
    long horizon;        /* FORECAST: sum h = 1..horizon; 0 = period "fiscal_year": the rows dated in fiscal_year */
    int missing_zero;    /* FORECAST: if_missing = "zero": no forecast -> 0 */
    int performance;     /* kind = "performance" (documentary: score / sum) */
    char *group;         /* greater_of formulas: the factor's group */
    size_t group_index;
    double weight;
    civ_alloc_loc loc, attribute_loc, coefficient_loc, weight_loc;
} civ_alloc_factor;

typedef struct civ_alloc_tilt {
    char *name;
    char *label;         /* display name for explanations ("高龄"), NULL = name */
    size_t formula;      /* SIZE_MAX = every formula */
    char *formula_name;
    char *attribute;
    civ_alloc_op op;
    double threshold;
    double multiplier;
    civ_alloc_loc loc, attribute_loc, threshold_loc;
    const char *threshold_key; /* "above", "at_least", "below" or "at_most" (static) */
} civ_alloc_tilt;

/* Last year's allocation (civ_alloc_spec_set_last_year): its ids in byte
 * order and its numeric columns, copied, so that the spec owns it. */
typedef struct civ_alloc_last_year {
    char *source;      /* the file it was read from ("" = none, e.g. a DataFrame) */
    size_t n, n_cols;
    char **ids;        /* n, sorted by strcmp (copies in block) */
    char **names;      /* n: the row's 'name' cell, "" when none (copies in block) */
    char *block;
    int first_row;     /* the number errors call table row 0 by (civ_table_source): 0 for a DataFrame */
    size_t *row;       /* n: the table row of each sorted id */
    long *line;        /* n: its CSV line, 0 when not read from a CSV file */
    char **cols;       /* n_cols: the numeric columns' names (machine names: a workbook's headers mapped back) */
    char **heads;      /* n_cols: their headers in the file (社区编号, 民政养老补贴（分）), NULL = the name */
    int lang;          /* the plan's workbook sheet read back: 1 Chinese headers, 0 English, -1 machine names */
    size_t *col_no;    /* n_cols: their positions in the table (1 = the first) */
    double *values;    /* n_cols x n, sorted order */
} civ_alloc_last_year;

void civ_alloc_last_year_free(civ_alloc_last_year *ly);
/* Last year's funds this spec has none of (a fund discontinued, or renamed without its column): the k-th (from 0)
 * of the file's fund columns pool_<fund>_<minor | major> whose <fund> is none of the problem's funds, a fund given
 * in both units once (its minor column read).  Gives its name (<fund>), its header in the file (NULL = the name)
 * and its total over the file's rows in minor units (blank cells 0); returns 0 when there is no k-th. */
int civ_alloc_last_year_dropped(const civ_alloc_problem *p, size_t k, char *name, size_t size, const char **head,
                                int64_t *fen);

/* ---- the allocation workbook's labels (workbook.c) ---- */

/* The spec's funds as civ_alloc_bind groups its pools into them (bind.c, bind_units: the same formula and the
 * same earmark), each with its name and label joined by '+' ("eldercare+health", "民政养老补贴+公共卫生服务"). */
typedef struct civ_alloc_funds {
    size_t n;
    char **name, **label;
} civ_alloc_funds;
civ_status civ_alloc_funds_of(const civ_alloc_spec *s, civ_alloc_funds *f);
void civ_alloc_funds_free(civ_alloc_funds *f);
/* The spec's labels for civ_label_ctx.spec_label (arg: a civ_alloc_labels), the one source of them for the
 * workbook's writer (civ_alloc_workbook_write) and its reader (last_year_book.c): a factor's and a formula's
 * label; for a fund, the first of the reserves, pools and funds of that name with a label (a fund's label is
 * its pools' labels joined, when one of them has one), as the summary's label column copies them.  s may be
 * NULL (no labels). */
typedef struct civ_alloc_labels {
    const civ_alloc_spec *s;
    civ_alloc_funds f;
} civ_alloc_labels;
civ_status civ_alloc_labels_init(civ_alloc_labels *c, const civ_alloc_spec *s);
void civ_alloc_labels_free(civ_alloc_labels *c);
const char *civ_alloc_column_spec_label(void *arg, const char *kind, const char *name);

/* ---- last year's allocation as the plan's workbook wrote it (last_year_book.c) ---- */

/* 1 when pools a and b have the same earmark (the same eligibility): pools of one formula and earmark form one
 * fund (bind.c). */
int civ_alloc_earmark_equal(const civ_alloc_pool *a, const civ_alloc_pool *b);
/* The language of a sheet of the plan's allocation.xlsx: 1 when t has no unique_id column and has the Chinese
 * header of it (社区编号), 0 for the English one (Community id), else -1 (a table of machine names). */
int civ_alloc_book_language(const civ_table *t);
/* Each column j of t under the workbook's headers in language zh mapped back to its machine name: (*mapped)[j]
 * is the name whose header (io/column_labels.c with the spec's labels, as workbook.c writes it) is t's, or
 * NULL when none is (the column keeps its header).  A fund of the spec is found by its label or, failing that,
 * by its name (eldercare（分）); the other numeric columns headed <text>（分） just before the total 分配金额（分）
 * are the funds the spec does not have (discontinued, or labelled otherwise), named pool_<text>_<minor>.  Free
 * with civ_alloc_book_names_free(*mapped, n_columns). */
civ_status civ_alloc_book_unlabel(const civ_alloc_spec *s, const civ_table *t, int zh, char ***mapped);
void civ_alloc_book_names_free(char **mapped, size_t n);
/* The header of machine column `column` in the workbook in language zh (1, 0; -1: the name itself), in buf. */
const char *civ_alloc_book_label(const civ_alloc_spec *s, int zh, const char *column, char *buf, size_t size);
/* The header a writer without the spec's labels gives machine column `column` in language zh (its names as
 * they are: eldercare+health（分）, Migrant (fen)), in buf; NULL when the column has none. */
const char *civ_alloc_book_name_label(const civ_alloc_spec *s, int zh, const char *column, char *buf, size_t size);
/* 1 when `name` is a fund's column, pool_<fund>_<unit>. */
int civ_alloc_is_fund_column(const char *name, const char *unit);
/* For an allocation read back, the plan's workbook or a CSV under machine names (civ_alloc_spec_set_last_year):
 * refuses (CIV_ERR_DOMAIN, the community, both columns as headed and both values, the cure) an amount given in
 * both units that disagree (amount_<minor> and amount_<major>, pool_<fund>_<minor> and _<major>) and a total
 * amount_<minor> other than the sum of every fund's column the file has (pool_<fund>_<minor>, else _<major>;
 * the funds the spec no longer has too), when it has one of each of the spec's funds: a cell edited and not
 * its twin.  Columns
 * by their names under `mapped` (may be NULL); idc is the id column; `what` begins the message ("last year's
 * allocation"). */
civ_status civ_alloc_book_check(const civ_alloc_spec *s, const civ_table *t, char *const *mapped, size_t idc,
                                 const char *what);
/* civ_table_read of last year's allocation with the spec's text columns and their workbook headers; a workbook
 * with several sheets and no sheet named is read at civicast's allocation sheet (分配结果 headed 社区编号, or
 * allocation headed Community id) when it has one, else CIV_ERR_NOT_FOUND naming --last-year-sheet. */
civ_status civ_alloc_book_read(const civ_alloc_spec *s, const char *path, const civ_table_read_options *options,
                               civ_table **out);
/* An allocation given to settlement (civ_alloc_settle) or as paid (civ_alloc_problem_set_paid): when t is the
 * allocation sheet of the plan's workbook (civ_alloc_book_language), *out is a copy under the machine names
 * (headers mapped back, checked as civ_alloc_book_check; errors still name t's file and lines), the caller's to
 * free; else *out is NULL and t is read as it is, after the same check under its machine names. */
civ_status civ_alloc_book_table(const civ_alloc_spec *s, const civ_table *t, civ_table **out);
struct civ_alloc_problem;
/* Binding with last year's allocation (last_year.c): blanks (NaN) of each fund's history filled from the file,
 * cells that differ refused, splits checked, the closed rows and the history totals set; attr[u] is the
 * communities table's column of fund u's history (NULL for a fund without one).  After the predecessors. */
civ_status civ_alloc_bind_last_year(struct civ_alloc_problem *p, const civ_table *t, const char *const *attr);

struct civ_alloc_spec {
    char *path;           /* for error locations */
    char *version, *title;
    int64_t total;        /* minor units */
    int64_t distributable;/* total less the reserves, minor units */
    char *currency;
    int64_t minor_unit;   /* minor units per major unit: 1, 10, 100, 1000 */
    int minor_digits;
    long fiscal_year;
    /* [data] */
    char *id_column, *district_column, *population, *aged, *last_year;
    char *name_column;    /* [data] name: the communities' names, written as the allocation's `name`; NULL = "name" */
    /* text columns copied into every allocation row after the id ([data]
     * labels; default: those of name, district, street the table has) */
    char **labels;
    size_t n_labels;
    int labels_given;
    const char **text_columns; /* civ_alloc_spec_text_columns: NULL-terminated, names borrowed */
    civ_alloc_loc labels_loc;
    civ_alloc_loc population_loc, aged_loc, last_year_loc, district_loc, name_loc;
    /* [data] predecessors: text column naming the ids of last year a community continues (a merger, a
     * split, a rename; docs/ALLOCATION.md "When the map changes"); NULL = none */
    char *predecessors;
    civ_alloc_loc predecessors_loc;
    /* [data] predecessor_shares: text column of each community's shares of its predecessors ("0.6", "0.5；1",
     * aligned with them): a split's parts divide its history and last year's amount (pred_map.c) */
    char *predecessor_shares;
    civ_alloc_loc predecessor_shares_loc;
    /* [data] last_year_file: last year's allocation (docs/ALLOCATION.md "Last year's allocation"), resolved
     * against the spec's folder (NULL = none); the table itself is given by civ_alloc_spec_set_last_year */
    char *last_year_file;
    civ_alloc_loc last_year_file_loc;
    struct civ_alloc_last_year *ly; /* last year's allocation, copied (NULL = none) */
    civ_alloc_reserve *reserves;
    size_t n_reserves;
    civ_alloc_pool *pools;
    size_t n_pools;
    civ_alloc_formula *formulas;
    size_t n_formulas;
    civ_alloc_factor *factors;
    size_t n_factors;
    civ_alloc_tilt *tilts;
    size_t n_tilts;
    /* [settlement] (settle.c): shares num / 10^digits exactly (0 when not
     * set), the top-up budget (minor units, -1 = none), the spent column */
    int has_settlement;
    int64_t carry_num, top_up_num, top_up_budget;
    int carry_digits, top_up_digits;
    char *spent_column;
};

/* The exact range of money: every amount, sum and output column (the
 * tables hold doubles) is exact to the minor unit up to 2^53 minor units
 * (90,071,992,547,409.92 yuan in fen). */
#define CIV_ALLOC_MAX_MONEY ((int64_t)1 << 53)

/* Parses a decimal money text ("1234.56", no exponent) into minor units.
 * Fails (CIV_ERR_SPEC at `where`) on more fraction digits than the unit has
 * (unless they are zeros), signs, amounts above CIV_ALLOC_MAX_MONEY (the
 * message gives the limit). */
civ_status civ_alloc_parse_money(const char *text, int minor_digits, int64_t *out, const civ_where *where);

/* The cure for a rate key (pace, index_rate) whose plain number v >= 1 is
 * refused as a percentage written for a fraction: "write 0.15 for 15%", and
 * how to write a rate of 100% or more when it is meant (key = "1500%"), up
 * to max_pct percent.  Writes into buf (a sentence without a final stop). */
void civ_alloc_rate_cure(const char *key, double v, double max_pct, char *buf, size_t size);

/* ---- the exact solve (solve.c) ----------------------------------- */

/* Stable LSD radix sort of (key, payload) pairs by unsigned key, ascending.
 * `tmp` has room for n pairs.  Passes whose digit is constant are skipped. */
typedef struct civ_alloc_pair {
    uint64_t key;
    uint64_t payload;
} civ_alloc_pair;
void civ_alloc_radix_sort(civ_alloc_pair *pairs, civ_alloc_pair *tmp, size_t n);
/* Order-preserving map of a non-negative, non-NaN double to uint64: for
 * x >= 0 the IEEE-754 bit pattern orders like the value (-0 maps to +0). */
static inline uint64_t civ_alloc_double_key(double x)
{
    uint64_t u;
    if (x == 0)
        x = 0;
    memcpy(&u, &x, sizeof u);
    return u;
}

/* Finds the amounts a_i = clamp(lambda*raw_i, lo_i, hi_i) summing to `pool`
 * (raw >= 0, 0 <= lo <= hi, hi may be INFINITY).  O(n log n) in general, by
 * sorting the 2n breakpoints lo/raw, hi/raw and sweeping the piecewise-linear
 * non-decreasing sum (Kiwiel 2008, "Breakpoint searching algorithms for the
 * continuous quadratic knapsack problem", Math. Program. 112, sec. 2).
 * Above a few thousand communities f is first bisected over a sample of
 * breakpoints, so only the breakpoints inside the bracket are sorted (still
 * exact; worst case the full sort).  `pairs`/`tmp` have room for 2n pairs.  *lambda gets the multiplier
 * (0 when every amount is at a bound).  Errors: CIV_ERR_INFEASIBLE when
 * sum(lo) > pool or the reachable maximum (hi of raw>0, lo of raw=0) < pool;
 * the message names both totals; `what` names the unit. */
civ_status civ_alloc_solve_lambda(const double *raw, const double *lo, const double *hi, size_t n, double pool,
                                  civ_alloc_pair *pairs, civ_alloc_pair *tmp, double *amounts, double *lambda,
                                  const char *what);

/* ---- rounding (round.c) ------------------------------------------ */

/* Rounds real amounts x_i (lo_i <= x_i <= hi_i, integer bounds) to integers
 * out_i in [lo_i, hi_i] with sum exactly `total`, by the largest remainder
 * (Hamilton) method: floor everything, then give one unit each to the
 * communities with the largest remainders x_i - floor(x_i) that still have
 * room below hi_i; ties go to the lower index (callers index in id order, so
 * ties break by id).  Remainders closer than the tie grid (a power of two:
 * at least 2^-30 minor units, 2^-44 of the largest x) count as tied, so
 * floating noise does not decide a tie.  When floating error made the floors overshoot, units
 * are taken back from the smallest remainders above lo_i.  `pairs`/`tmp`
 * hold n pairs.  hi_i < 0 means no upper bound.  Errors: CIV_ERR_INFEASIBLE
 * when the bounds cannot reach the total. */
civ_status civ_alloc_round(const double *x, const int64_t *lo, const int64_t *hi, size_t n, int64_t total,
                           civ_alloc_pair *pairs, civ_alloc_pair *tmp, int64_t *out);
/* As civ_alloc_round with the bounds as whole-unit doubles (the solve's;
 * hi infinite = no upper bound): the same result as with their int64
 * conversions. */
civ_status civ_alloc_round_d(const double *x, const double *lo, const double *hi, size_t n, int64_t total,
                             civ_alloc_pair *pairs, civ_alloc_pair *tmp, int64_t *out);

/* Splits `total` minor units in the exact proportions num_i / den (num_i >=
 * 0, sum num_i = den) by the largest remainder: floor(total num_i / den)
 * each (128-bit products), then one unit each to the largest remainders
 * total num_i mod den, compared as integers; ties to the lower index.
 * `pairs`/`tmp` hold n pairs.  Errors: CIV_ERR_INVALID_ARGUMENT on negative
 * inputs, CIV_ERR_INTERNAL when the numerators do not sum to den. */
civ_status civ_alloc_split_exact(int64_t total, const int64_t *num, size_t n, int64_t den, civ_alloc_pair *pairs,
                                 civ_alloc_pair *tmp, int64_t *out);

/* ---- the bound problem and its result (bind.c, waterfall.c)-------------------- */

/* Binding codes (bit mask per community and unit). */
enum {
    CIV_BIND_FLOOR = 1,
    CIV_BIND_CAP = 2,
    CIV_BIND_HOLD_HARMLESS = 4,
    CIV_BIND_PACE = 8,
    CIV_BIND_RATABLE = 16
};

/* Details of the bound that decided (per community and unit), for the
 * explanations: the upper bound was the cap_share (not the cap); the pace
 * limit lay below the community's own floor / hold-harmless, which decided. */
enum { CIV_DETAIL_CAP_SHARE = 1, CIV_DETAIL_PACE_YIELDED = 2 };

/* An allocation unit: the pools that share a formula and an earmark are
 * merged into one fund and allocated together. */
typedef struct civ_alloc_unit {
    char *name;          /* pool names joined by '+' */
    char *label;         /* the pools' labels (or names) joined by '+', for explanations */
    size_t formula;
    size_t first_pool;   /* pool whose earmark applies */
    int64_t amount;      /* minor units */
    unsigned char *eligible; /* n flags, id order */
    size_t n_eligible;
} civ_alloc_unit;

struct civ_alloc_problem {
    const civ_alloc_spec *spec; /* borrowed */
    size_t n;
    char **ids;           /* id order (sorted by strcmp), copies in text_block[0] */
    char **districts;     /* id order, copies in text_block[1] ("" when no column) */
    const char **label_names; /* n_labels column names (borrowed from the spec) */
    char **labels;        /* n_labels x n, id order, copies in text_block[2 + j] */
    char *text_block[2 + CIV_ALLOC_MAX_LABELS]; /* one block per text column: no malloc per cell */
    size_t n_labels;
    size_t *row_of;       /* row_of[i] = input row of the i-th id */
    size_t row_first;     /* the number errors call input row 0 by: 0 for a DataFrame (civ_table_row_number), 1 */
    double *x, *c;        /* factor values and coefficients: n_factors x n, id order; only the
                           * slices of factors with a coefficient are used (civ_alloc_factor_x) */
    double *xc;           /* their products x*c (x itself when no coefficient): what the solve reads */
    double *weights;      /* n_factors, settable */
    double *tilt;         /* n_formulas x n multipliers */
    uint32_t *tilt_mask;  /* n_formulas x n: bit t set when tilt t applied (t < 32) */
    double *last_year;    /* n_units x n: each fund's own last year (major units), NaN = none */
    int *unit_has_last;   /* n_units: 1 when the fund has a history attribute */
    /* n_factors x n: 1 where a forecast factor with if_missing = "zero" found no forecast for the community
     * (none in the file, or only failed ones) and counted 0; NULL when no community was (explain.c says so) */
    unsigned char *no_forecast;
    /* n, id order: the [data] predecessors of each community joined by '+' ("C001+C002", "C003×0.6" with a
     * share; "" for none; copies in pred_block), for the explanations only; NULL without the column */
    char **pred;
    char *pred_block;
    /* the same as lists, by row of the table (row_of[i]): what last_year.c reads (an id may contain '+'),
     * with [data] predecessor_shares' shares; empty without the column */
    civ_pred_map pm;
    /* n_units: last year's whole fund ([[formula]] last_year_total, -1 = not given) and the part of it the
     * communities of this year carry in their history (minor units); the rest belonged to communities that
     * are gone (closed, or merged without their amounts) */
    int64_t *hist_total, *hist_carried;
    /* with last year's allocation (spec->ly): its rows that no community of this year continues (neither its
     * own id nor a predecessor of one), by sorted row; n_closed of them, and each fund's amount of every row
     * of the file (n_units x ly->n minor units, 0 for a fund without a history); NULL / 0 without the file */
    size_t *closed, n_closed;
    int64_t *ly_fen;
    int64_t *paid;        /* n_units x n: already paid from each fund (reserve release), NULL = none */
    int64_t *paid_total;  /* n_units: their sums */
    int64_t *floor_y, *cap_y; /* n_formulas: indexed floor / cap of a projected year (project.c), NULL = the spec's */
    double *population, *aged, *report_last_year; /* n (NaN when absent) */
    int population_shared, aged_shared; /* 1: population / aged is the values slice of the factor
                                         * reading the same attribute (not owned; civ_alloc_problem_set_factor
                                         * gives it its own copy before changing that factor) */
    int64_t *reserve_amount; /* n_reserves */
    int64_t *pool_amount;    /* n_pools */
    civ_alloc_unit *units;
    size_t n_units;
    size_t *pool_unit;       /* n_pools: the unit each pool feeds */
    int64_t distributable;
};

struct civ_alloc_result {
    size_t n, n_units, n_factors;
    int64_t *amount;       /* n, id order, minor units */
    int64_t *unit_amount;  /* n_units x n */
    double *unrounded;     /* n: sum over units of the constrained amounts */
    double *rounding;      /* n: amount - unrounded as the sum over units of each unit's own rounding (whole units
                            * less a constrained amount, exact; from the exact remainder when exact.c split the
                            * unit), so that a community whose every fund is whole shows 0, not the ulp of a sum
                            * (-0.00000000372529 fen before 2026-12-07) */
    double *q;             /* n_units x n: a_i / base_i (0 = not a member), for the decomposition */
    double *wused;         /* n_factors: the weights of the last solve */
    double *unattributed;  /* n: constrained amount with no factor score */
    double *stage_base;    /* n: unconstrained, untilted */
    double *stage_tilted;  /* n: unconstrained, tilted */
    double *stage_earmark; /* n: the part of stage_base from earmarked funds (compare.c's earmark step) */
    unsigned char *binding;/* n_units x n: CIV_BIND_* bits */
    unsigned char *detail; /* n_units x n: CIV_DETAIL_* bits (which cap; pace yielded) */
    double *lambda;        /* n_units */
    double *ratable;       /* n_units: floor reduction ratio, 1 = none */
    /* scratch of the solve (see n_solves) */
    double *raw, *base, *lo_d, *hi_d, *amt;
    double *rnd;           /* n scratch: each member's rounding in the unit (exact.c, from the remainder) */
    size_t *member;        /* eligible community indices of the unit */
    unsigned char *winner; /* n_units x n: winning group (greater_of formulas) */
    size_t *kgrp;          /* n_factors scratch: group of each of the unit's factors */
    unsigned char *bsrc;   /* which bound each lo/hi came from */
    int64_t *out_i;        /* the rounded amounts (the bounds are lo_d/hi_d: whole units) */
    size_t *free_j;        /* n scratch: the members not at a bound (exact.c) */
    int64_t *num_i, *ex_i; /* n scratch: their integer scores and amounts (exact.c) */
    double *ftotal;        /* n_units x n_factors: sum over the unit's members of x*c */
    double *kw;            /* n_factors scratch: w_k / S_k of the unit's factors */
    const double **kcol;   /* n_factors scratch: their x*c columns */
    civ_alloc_pair *pairs, *tmp;
    /* the scratch above (raw .. tmp) is allocated by a solve and released
     * after the first one (waterfall.c): NULL between */
    size_t n_solves;       /* solves run on this result */
};

/* The exact proportional split of unit u's m members after the solve
 * (exact.c): when the scores of the members not at a bound have an exact
 * integer form (whole factor values; weights and tilts decimals with at most
 * 6 places; N_i and their sum within 64 bits), r->out_i gets the bounds held
 * and floor(P_free N_i / D) plus the spare units by the largest exact
 * remainder (ties to the lower id), r->amt the exact amounts (as doubles), r->rnd
 * each member's rounding from the exact remainder, and *done = 1;
 * else *done = 0 and nothing is changed (round.c's rounding applies). */
civ_status civ_alloc_exact_round(const civ_alloc_problem *p, civ_alloc_result *r, size_t u, size_t m, int *done);

/* Money unit names for column names (output.c): "fen"/"yuan" for CNY with
 * minor_unit 100, else "minor"/"major" (the major name is "yuan" for any
 * CNY); a NULL currency is CNY, the spec's default. */
const char *civ_alloc_unit_name(const char *currency, int64_t minor_unit, int major);
const char *civ_alloc_minor_name(const civ_alloc_spec *s);
const char *civ_alloc_major_name(const civ_alloc_spec *s);
/* v minor units as major units with thousands separators, `unit` minor units per major unit: 30000000 fen is
 * "300,000.00" (messages that quote money as people read it; last_year.c, waterfall.c). */
void civ_alloc_money_text(char *buf, size_t size, int64_t v, int64_t unit);
/* The money unit a column's name marks, the way sheets and civicast's own
 * outputs write it: a "_fen"/"_yuan" suffix (the spec's minor and major
 * names; "_分"/"_元" for CNY), a bracketed unit after a Chinese header
 * ("支出（元）", "(分)", "【元】"), "单位：元", or 万元 anywhere (ten thousand
 * major units); NONE when the name says nothing.  Used where a column of the
 * other unit would be read 100 or 10,000 times off without a word
 * (release.c's paid amounts, read in minor or major units by their mark,
 * settle.c's spending in major units). */
typedef enum { CIV_UNIT_MARK_NONE, CIV_UNIT_MARK_MINOR, CIV_UNIT_MARK_MAJOR, CIV_UNIT_MARK_WAN } civ_unit_mark;
civ_unit_mark civ_alloc_column_unit(const civ_alloc_spec *s, const char *name);

/* Where row r (column c, community id) of an input table (settlement, paid amounts) is, for an error (settle.c):
 * a table read from a CSV file by its file, line and column in *w, *who naming the community ("community 'x'"),
 * else *who is "<what> table, row N (community 'x')" or, for a table named by its caller (a DataFrame's rows from
 * 0), "row N (community 'x')" with w->file the name; subject 1 gives "...row N: community 'x'" for sentences whose
 * subject is the community.  civ_alloc_row_name: "line N" or "row N" alone. */
void civ_alloc_row_place(const civ_table *t, const char *what, size_t r, size_t c, const char *id, int subject,
                         civ_where *w, char *who, size_t size);
void civ_alloc_row_name(const civ_table *t, size_t r, char *buf, size_t size);
/* Column col of t as whole minor units, out[r] for row r (ids[r] names it in errors): minor = 1 reads whole
 * numbers of minor units; minor = 0 reads major units exactly (decimal text digit by digit, numbers within a
 * hundredth of a minor unit), refusing more decimals than the currency has, negatives, blanks and a column
 * named in minor units or 万元, each at the table's file:line:column (settle.c; what = "spending", "paid", ...). */
civ_status civ_alloc_money_column(const civ_table *t, const char *what, const char *col, int minor,
                                  const civ_alloc_spec *s, const char *const *ids, int64_t *out);
/* name with its minor-unit mark made the major unit's, in buf: "paid_fen" -> "paid_yuan", "已拨金额_分" ->
 * "已拨金额_元", "已拨金额（分）" -> "已拨金额（元）", any other name + "_yuan"; returns buf. */
char *civ_alloc_major_header(const civ_alloc_spec *s, const char *name, char *buf, size_t size);
/* Why value v[r] of column col (headed in minor units, n values) is not whole, and the cure, in buf (after "...
 * is not a whole number of fen: "): a value with at most the currency's decimals in a column whose fractions
 * all have them reads as major units typed under a minor header (a budget officer's 115251.82): head the column
 * in major units (civ_alloc_major_header), rename saying what else the caller needs (" and name it with the
 * pool's 'paid' key"); a value with more decimals is no amount in either unit.  release.c, settle.c and
 * last_year.c's columns in minor units. */
void civ_alloc_fraction_cure(const civ_alloc_spec *s, const char *col, const double *v, size_t n, size_t r,
                             const char *rename, char *buf, size_t size);
/* "万元 (10,000 yuan)", "fen" or "yuan": the unit mark in words, for messages. */
const char *civ_alloc_unit_mark_name(const civ_alloc_spec *s, civ_unit_mark mark);
/* Writes v minor units as major units with exactly `digits` decimals
 * ("-1234.05"), from the integer (no floating point); returns buf. */
/* Factor k's values x (id order, n): the x slice when the factor has a
 * coefficient, else xc (= x, c being 1), so that untouched slices of x and c
 * cost no memory. */
double *civ_alloc_factor_x(civ_alloc_problem *p, size_t k);
char *civ_alloc_format_major(int64_t v, int digits, char *buf, size_t size);
/* The decimals of civ_alloc_format_major for a spec's minor_digits (minor
 * units of 1, 10, 100 or 1000: 0..3). */
static inline int civ_alloc_money_digits(int digits) { return digits < 0 ? 0 : digits > 3 ? 3 : digits; }

/* ---- the forecast rows a forecast factor sums (demand_rows.c) ---------- */

typedef struct civ_alloc_demand_rows {
    size_t *community;      /* per forecasts row: community (id order), SIZE_MAX = another model's row */
    size_t *slot;           /* per forecasts row: 0..n_slots-1, SIZE_MAX = not summed */
    size_t n_slots;         /* per community: the horizon, or the fiscal year's periods */
    size_t n_matched;       /* rows of the factor's model (all rows without one) */
    /* period = "fiscal_year" only: */
    civ_frequency freq;     /* of the forecasts' dates */
    int phase;              /* weekly: the weekday (days mod 7) */
    int64_t first_period;   /* the fiscal year's first period (slot 0) */
    long horizon_to_end;    /* steps ahead that reach the year's last period (0: unknown, no h) */
    civ_date_form form;     /* scratch while selecting */
    int64_t *value;         /* scratch while selecting */
} civ_alloc_demand_rows;

/* Chooses the rows of forecasts `fc` that forecast factor f sums (f->horizon
 * > 0: h = 1..horizon; 0: the rows whose ds falls in the spec's fiscal_year)
 * and places each in its community (ids[n_ids], idmap: id -> index) and slot.
 * Errors: CIV_ERR_MISSING_COLUMN (unique_id, h, ds, model), CIV_ERR_NOT_FOUND
 * (an unknown community, no rows of f->model, no forecast in the fiscal year:
 * the message says how far to forecast), CIV_ERR_DOMAIN (h not a whole number
 * >= 1), CIV_ERR_DATE, CIV_ERR_FREQUENCY, CIV_ERR_OUT_OF_MEMORY.  Duplicates
 * and missing periods are the caller's to count.  *d is freed on error;
 * otherwise the caller frees it with civ_alloc_demand_rows_free. */
civ_status civ_alloc_demand_rows_select(const civ_alloc_spec *spec, char *const *ids, size_t n_ids,
                                        const civ_strmap *idmap, const civ_table *fc, const civ_alloc_factor *f,
                                        civ_alloc_demand_rows *d);
void civ_alloc_demand_rows_free(civ_alloc_demand_rows *d);
/* The frequency of forecast dates all of one form: yearly, quarterly and
 * monthly forms say it; day dates (days[m], the community series[m] < n_series
 * of each, ids may be NULL) are inferred as a panel's (civ_dates_infer).
 * Errors: those of civ_dates_infer, prefixed "the forecasts' dates (ds): ". */
civ_status civ_alloc_dates_frequency(civ_date_form form, const int64_t *days, const size_t *series, size_t m,
                                     size_t n_series, const char *const *ids, civ_frequency *freq, int *phase);
/* The calendar year of a date civ_date_parse read (form, value). */
long civ_alloc_date_year(civ_date_form form, int64_t v);
/* The periods of calendar year `year` in `freq` (phase: weekly weekday): the
 * first *first and their number *n (yearly 1, quarterly 4, monthly 12, daily
 * 365 or 366, weekly the weeks whose date, their last day, falls in it). */
void civ_alloc_year_periods(civ_frequency freq, int phase, long year, int64_t *first, size_t *n);
/* The text of slot `slot` of a fiscal year ("2026-03"), for messages. */
void civ_alloc_demand_rows_period(const civ_alloc_demand_rows *d, size_t slot, char *buf, size_t size);

/* Last year in minor units (rounded to the nearest unit; -1 when unknown):
 * of fund u (its own history), and of community i's total ([data]
 * last_year, else the sum of the funds' histories when every fund has one)
 * (output.c). */
int64_t civ_alloc_unit_last_minor(const civ_alloc_problem *p, size_t u, size_t i);
int64_t civ_alloc_total_last_minor(const civ_alloc_problem *p, size_t i);
/* Community i's amount of fund u for the year: this allocation plus what
 * was already paid (reserve release; release.c), minor units. */
int64_t civ_alloc_unit_year_minor(const civ_alloc_problem *p, const civ_alloc_result *r, size_t u, size_t i);

/* civ_alloc_result_write with `block` rows per block of the CSV writer
 * (civ_alloc_result_write: 2048); the bytes do not depend on it nor on the
 * number of threads (tests/test_alloc_write.c). */
civ_status civ_alloc_result_write_blocks(const civ_alloc_problem *p, const civ_alloc_result *r, int explain,
                                         const char *path, const civ_csv_write_options *options, size_t block);

/* Community i's explanation (id-order index) into buf (always terminated,
 * cut at size), in lang "en" or "zh", from the bound that decided each of
 * its funds (explain.c; docs/ALLOCATION.md "Explanations"). */
void civ_alloc_explain_row(const civ_alloc_problem *p, const civ_alloc_result *r, size_t i, const char *lang,
                           char *buf, size_t size);
/* The same sentence (zh: Chinese, else English) from the factor parts
 * parts[k] = civ_alloc_part(p, r, k, i) when the caller has them (NULL:
 * computed here); returns its length (strlen(buf)). */
size_t civ_alloc_explain_row_parts(const civ_alloc_problem *p, const civ_alloc_result *r, size_t i, int zh,
                                   const double *parts, char *buf, size_t size);

/* The minor-unit word of the Monte Carlo's spec ("fen", "minor"), for the
 * p5_<minor> ... column names (uncertainty.c). */
const char *civ_alloc_uncertainty_minor_name(const civ_alloc_uncertainty *u);

/* Community i's bounds in unit u, whole minor units (NaN = the rule is not
 * set or does not apply): the formula's floor and cap, cap_share x the fund
 * (rounded down), hold-harmless p x last year (rounded up) and pace (1 + q)
 * x last year (rounded down), both only when last year > 0; last_year is
 * the fund's own history in minor units (NaN without one).  The same values
 * the solve uses (waterfall.c), so that explanations quote them. */
typedef struct civ_alloc_bounds {
    double floor, cap, cap_share, hold_harmless, pace, last_year;
} civ_alloc_bounds;
void civ_alloc_member_bounds(const civ_alloc_problem *p, size_t u, size_t i, civ_alloc_bounds *b);

/* Factor k's part of community i's unrounded amount (id-order index i),
 * summed over the units whose formula holds the factor (waterfall.c). */
double civ_alloc_part(const civ_alloc_problem *p, const civ_alloc_result *r, size_t k, size_t i);

/* The need's per-community table over the years first_year .. first_year + years - 1 instead of the
 * [need] section's own (the projection's years: civ_alloc_project reads each year's demand from it, whatever
 * years the [need] section reports). */
civ_status civ_alloc_need_project_years(const civ_alloc_need *n, long first_year, long years, const civ_table *fc,
                                        civ_table **per_community);

#endif
