/*
 * value_text.c -- layer monitor: an indicator's value written as a person reads it, by its kind
 * (civ_monitor_value_text; docs/MONITORING.md, "Values as people read them"): a rate as a percentage
 * (0.2863 -> "28.6%"), a count as a whole number, a level with the indicator file's unit ("11.07 分钟"),
 * with the digits that tell an actual from its target.  The command's alert lines (monitor and plan) and
 * Python's civicast.value_text read the same text; the tables keep the numbers.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "c_locale.h"
#include "monitor.h"

const char *civ_mon_kind_name(civ_mon_kind kind)
{
    return kind == CIV_MON_COUNT ? "count" : kind == CIV_MON_LEVEL ? "level" : "rate";
}

/* The number x with at most `decimals` decimals, trailing zeros dropped, "-0" as "0", and (grouped) thousands
 * separators in its whole part: "1,207", "97.96", "35". */
static void digits(double x, int decimals, int grouped, char *out, size_t size)
{
    char raw[64];
    civ_snprintf(raw, sizeof raw, "%.*f", decimals, x);
    char *dot = strchr(raw, '.');
    if (dot) {
        char *end = raw + strlen(raw);
        while (end > dot + 1 && end[-1] == '0')
            *--end = '\0';
        if (end == dot + 1)
            *dot = '\0';
    }
    if (!strcmp(raw, "-0"))
        civ_snprintf(raw, sizeof raw, "0");
    const char *whole = raw[0] == '-' ? raw + 1 : raw;
    size_t n_whole = strcspn(whole, "."), k = 0;
    if (raw[0] == '-' && k + 1 < size)
        out[k++] = '-';
    for (size_t i = 0; whole[i] && k + 1 < size; i++) {
        if (grouped && i && i < n_whole && (n_whole - i) % 3 == 0 && k + 2 < size)
            out[k++] = ',';
        out[k++] = whole[i];
    }
    out[k] = '\0';
}

/* The decimals a value of `kind` shows at least: a rate's percentage one, a whole count none, else two. */
static int base_decimals(civ_mon_kind kind, double v)
{
    if (kind == CIV_MON_RATE)
        return 1;
    if (kind == CIV_MON_COUNT && fabs(v - nearbyint(v)) < 1e-9)
        return 0;
    return 2;
}

static int kind_of(const char *kind, civ_mon_kind *out)
{
    static const char *const names[] = {"rate", "count", "level"};
    for (int k = 0; k < 3; k++)
        if (!strcmp(kind, names[k])) {
            *out = (civ_mon_kind)(k + 1);
            return 0;
        }
    return -1;
}

civ_status civ_monitor_value_text(double value, const char *kind, const char *unit, double against, char *buf,
                                  size_t size)
{
    if (!buf || !size)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_monitor_value_text: NULL buffer");
    buf[0] = '\0';
    civ_mon_kind k = CIV_MON_RATE;
    if (kind && kind[0] && kind_of(kind, &k)) {
        civ_where w = {.field = "kind"};
        return civ_fail_at(CIV_ERR_INVALID_ARGUMENT, &w, "an indicator's kind is \"rate\", \"count\" or \"level\", "
                                                         "not '%.60s'", kind);
    }
    if (isnan(value))
        return CIV_OK; /* not reported: the caller says so in its own words */
    char text[64], other[64];
    if (!kind || !kind[0]) { /* a table without the kind column: the number as it was printed before */
        if (civ_snprintf(buf, size, "%.4g", value) >= (int)size)
            return civ_fail(CIV_ERR_LIMIT, "civ_monitor_value_text: a buffer of %zu bytes is too small", size);
        return CIV_OK;
    }
    double scale = k == CIV_MON_RATE ? 100.0 : 1.0, x = value * scale, y = against * scale;
    int d = base_decimals(k, value), most = d + 3;
    digits(x, d, k != CIV_MON_RATE, text, sizeof text);
    /* an actual that misses its target never reads as equal to it: 0.9796 vs 0.98 is 97.96% vs 98%, not 98% vs 98% */
    while (isfinite(against) && isfinite(value) && value != against && d < most) {
        digits(y, d, k != CIV_MON_RATE, other, sizeof other);
        if (strcmp(text, other))
            break;
        digits(x, ++d, k != CIV_MON_RATE, text, sizeof text);
    }
    const char *tail = k == CIV_MON_RATE ? "%" : unit && unit[0] ? " " : "";
    const char *word = k == CIV_MON_RATE || !unit ? "" : unit;
    if (civ_snprintf(buf, size, "%s%s%s", text, tail, word) >= (int)size) {
        buf[0] = '\0';
        return civ_fail(CIV_ERR_LIMIT, "civ_monitor_value_text: a buffer of %zu bytes is too small for '%s%s%.60s'",
                        size, text, tail, word);
    }
    return CIV_OK;
}
