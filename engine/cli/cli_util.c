/*
 * cli_util.c -- layer CLI (a client of civicast.h only): helpers shared by the subcommands: one-line error reports,
 * the status -> exit code map, strict number parsing for options, and why backtest windows failed in words.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

int civ_cli_exit_code(civ_status status)
{
    switch (status) {
    case CIV_OK:
        return CIV_EXIT_OK;
    case CIV_ERR_INVALID_ARGUMENT:
        return CIV_EXIT_USAGE;
    case CIV_ERR_PARSE:
    case CIV_ERR_DATE:
    case CIV_ERR_DUPLICATE:
    case CIV_ERR_FREQUENCY:
    case CIV_ERR_MISSING_COLUMN:
    case CIV_ERR_NOT_FOUND:
    case CIV_ERR_SCHEMA:
    case CIV_ERR_LIMIT:
    case CIV_ERR_DOMAIN:
    case CIV_ERR_TOO_SHORT:
        return CIV_EXIT_DATA;
    case CIV_ERR_IO:
    case CIV_ERR_UNSUPPORTED:
        return CIV_EXIT_IO;
    case CIV_ERR_SPEC:
    case CIV_ERR_INFEASIBLE:
        return CIV_EXIT_SPEC;
    default:
        return CIV_EXIT_FAILURE;
    }
}

const char *civ_cli_safe(const char *text, char *buf, size_t size)
{
    size_t o = 0;
    if (!size)
        return buf;
    for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p; p++) {
        char piece[8];
        size_t n;
        if (*p < 0x20 || *p == 0x7f)
            n = (size_t)snprintf(piece, sizeof piece, "\\x%02x", *p);
        else if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
            n = (size_t)snprintf(piece, sizeof piece, "\\u00%02x", *++p);
        else {
            piece[0] = (char)*p;
            n = 1;
        }
        if (o + n + 4 > size) {
            snprintf(buf + o, size - o, "...");
            return buf;
        }
        memcpy(buf + o, piece, n);
        o += n;
    }
    buf[o] = '\0';
    return buf;
}

/* East Asian Wide and Fullwidth code points (Unicode 15 EastAsianWidth.txt, W and F), the blocks that
 * names in Chinese use; other wide symbols (emoji) count 1, which a misaligned column survives. */
static int wide_code_point(unsigned cp)
{
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) || (cp >= 0x3041 && cp <= 0x33FF) ||
           (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
           (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
           (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

size_t civ_cli_display_width(const char *text)
{
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p;) {
        unsigned cp = *p;
        int extra = cp >= 0xF0 ? 3 : cp >= 0xE0 ? 2 : cp >= 0xC0 ? 1 : 0;
        cp &= extra == 3 ? 0x07 : extra == 2 ? 0x0F : extra == 1 ? 0x1F : 0x7F;
        p++;
        for (int k = 0; k < extra && (*p & 0xC0) == 0x80; k++)
            cp = (cp << 6) | (*p++ & 0x3F);
        w += wide_code_point(cp) ? 2 : 1;
    }
    return w;
}

const char *civ_cli_cell(const char *text, size_t width, char *buf, size_t size)
{
    civ_cli_safe(text, buf, size);
    size_t len = strlen(buf);
    for (size_t w = civ_cli_display_width(buf); w < width && len + 1 < size; w++)
        buf[len++] = ' ';
    buf[len] = '\0';
    return buf;
}

int civ_cli_report(civ_status status)
{
    const char *text = civ_last_error_message();
    if (!text[0])
        text = civ_strerror(status);
    char unstaged[2048];
    text = civ_cli_unstage(text, unstaged, sizeof unstaged); /* a staged output named as the user's file */
    char safe[2048], named[600];
    /* --sheet names the sheet of every workbook input: one whose sheets are named otherwise says so, with the
     * cure (before 2026-12-07 only "no sheet named", as if the name were mistyped) */
    const char *sheet = civ_cli_input_sheet(), *hint = "";
    snprintf(named, sizeof named, "no sheet named '%s'", sheet ? sheet : "");
    if (status == CIV_ERR_NOT_FOUND && sheet && strstr(text, named))
        hint = "; --sheet names the sheet of every .xlsx input: give this one as CSV (civicast convert --table "
               "BOOK.xlsx BOOK.csv --sheet ITS_SHEET) or rename its sheet";
    fprintf(stderr, "civicast: %s%s\n", civ_cli_safe(text, safe, sizeof safe), hint);
    return civ_cli_exit_code(status);
}

int civ_cli_usage_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "civicast %s: ", command);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\ntry 'civicast %s --help'\n", command);
    return CIV_EXIT_USAGE;
}

int civ_cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return 1;
    return 0;
}

int civ_cli_parse_size(const char *text, size_t *out)
{
    if (!text || !*text || *text == '-' || *text == '+')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end || v > (unsigned long long)SIZE_MAX)
        return -1;
    *out = (size_t)v;
    return 0;
}

int civ_cli_parse_double(const char *text, double *out)
{
    if (!text || !*text)
        return -1;
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}


int civ_cli_csv_options(const char *command, const civ_cli_args *args, int k, civ_csv_write_options *opt)
{
    if (args->value[k] && args->value[k + 1])
        return civ_cli_usage_error(command, "--excel and --no-excel contradict each other");
    if (args->value[k])
        opt->bom = 1;
    if (args->value[k + 1])
        opt->bom = 0;
    const char *v = args->value[k + 2];
    if (!v)
        return 0;
    size_t digits;
    if (!strcmp(v, "full"))
        opt->significant_digits = 0;
    else if (!civ_cli_parse_size(v, &digits) && digits >= 1 && digits <= 17)
        opt->significant_digits = (int)digits;
    else
        return civ_cli_usage_error(command, "--precision is 'full' or a number of significant digits 1..17, got '%s'",
                                   v);
    return 0;
}

int civ_cli_interval_options(const char *command, const civ_cli_args *args, int k, civ_forecast_options *opt)
{
    const char *v;
    if ((v = args->value[k])) {
        if (!strcmp(v, "model"))
            opt->intervals = CIV_INTERVALS_MODEL;
        else if (!strcmp(v, "conformal"))
            opt->intervals = CIV_INTERVALS_CONFORMAL;
        else
            return civ_cli_usage_error(command, "--intervals is model or conformal, got '%s'", v);
    }
    if ((v = args->value[k + 1]) &&
        (civ_cli_parse_size(v, &opt->conformal_windows) || opt->conformal_windows == 0 ||
         opt->conformal_windows > 1000))
        return civ_cli_usage_error(command, "--conformal-windows needs a whole number 1..1000, got '%s'", v);
    if ((v = args->value[k + 2]) &&
        (civ_cli_parse_size(v, &opt->conformal_step) || opt->conformal_step == 0 || opt->conformal_step > 1000))
        return civ_cli_usage_error(command, "--conformal-step needs a whole number 1..1000, got '%s'", v);
    if ((v = args->value[k + 3])) {
        if (!strcmp(v, "all"))
            opt->conformal_sample = SIZE_MAX;
        else if (civ_cli_parse_size(v, &opt->conformal_sample) || opt->conformal_sample == 0)
            return civ_cli_usage_error(command, "--conformal-sample needs a positive whole number or 'all', got '%s'",
                                       v);
    }
    if ((v = args->value[k + 4])) {
        if (!strcmp(v, "search"))
            opt->conformal_refit = CIV_CONFORMAL_REFIT_SEARCH;
        else if (!strcmp(v, "fixed"))
            opt->conformal_refit = CIV_CONFORMAL_REFIT_FIXED;
        else
            return civ_cli_usage_error(command, "--conformal-refit is search or fixed, got '%s'", v);
    }
    return 0;
}

int civ_cli_money_decimals(int64_t minor_unit)
{
    int d = 0;
    for (int64_t u = minor_unit; u >= 10 && d < 9; u /= 10)
        d++;
    return d;
}

char *civ_cli_split_models(const char *text, const char **specs, size_t max, size_t *n)
{
    *n = 0;
    char *copy = strdup(text);
    if (!copy)
        return NULL;
    int depth = 0;
    char *start = copy;
    for (char *p = copy;; p++) {
        if (*p == '(')
            depth++;
        else if (*p == ')' && depth > 0)
            depth--;
        if (*p == '\0' || (*p == ',' && depth == 0)) {
            int end = *p == '\0';
            *p = '\0';
            while (*start == ' ')
                start++;
            for (char *q = p; q > start && q[-1] == ' ';)
                *--q = '\0';
            if (!*start || *n == max) {
                free(copy);
                *n = 0;
                return NULL;
            }
            specs[(*n)++] = start;
            if (end)
                break;
            start = p + 1;
        }
    }
    return copy;
}

int civ_cli_parse_levels(const char *text, double *levels, size_t max, size_t *n)
{
    *n = 0;
    if (!strcmp(text, "none"))
        return 0;
    char buf[512];
    if (strlen(text) >= sizeof buf)
        return -1;
    strcpy(buf, text);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (*n == max || civ_cli_parse_double(tok, &levels[*n]))
            return -1;
        (*n)++;
    }
    return *n ? 0 : -1;
}

int civ_cli_parse_ic(const char *text, int *criterion)
{
    if (!strcmp(text, "aicc"))
        *criterion = CIV_CRITERION_AICC;
    else if (!strcmp(text, "aic"))
        *criterion = CIV_CRITERION_AIC;
    else if (!strcmp(text, "bic"))
        *criterion = CIV_CRITERION_BIC;
    else
        return -1;
    return 0;
}

int civ_cli_parse_nonnegative(const char *text, int *nonnegative)
{
    if (!strcmp(text, "auto"))
        *nonnegative = -1;
    else if (!strcmp(text, "on"))
        *nonnegative = 1;
    else if (!strcmp(text, "off"))
        *nonnegative = 0;
    else
        return -1;
    return 0;
}

int civ_cli_backtest_failures(const civ_backtest_failure_counts *c, const char *what, const char *who, char *buf,
                              size_t size)
{
    if (!size)
        return 0;
    buf[0] = '\0';
    if (!c->failed)
        return 0;
    int k = snprintf(buf, size, "%zu of %zu %s could not be made:", c->failed, c->total, what);
    const char *sep = "";
    if (c->no_data && k > 0 && (size_t)k < size) {
        k += snprintf(buf + k, size - (size_t)k, " %zu for %s with no data yet at the cutoff", c->no_data, who);
        sep = ",";
    }
    if (c->too_short && k > 0 && (size_t)k < size) {
        char range[64];
        if (c->min_values == c->max_values)
            snprintf(range, sizeof range, "%zu value%s", c->min_values, c->min_values == 1 ? "" : "s");
        else
            snprintf(range, sizeof range, "%zu-%zu values", c->min_values, c->max_values);
        k += snprintf(buf + k, size - (size_t)k, "%s %zu for %s with only %s by then, too few for the model", sep,
                      c->too_short, who, range);
        sep = ",";
    }
    size_t other = c->failed - c->no_data - c->too_short;
    if (other && k > 0 && (size_t)k < size)
        snprintf(buf + k, size - (size_t)k, "%s %zu where the model could not be fitted", sep, other);
    return 1;
}
