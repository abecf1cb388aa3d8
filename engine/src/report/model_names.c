/*
 * model_names.c -- layer: report.  The public names of fitted models that
 * the report shows (civ_model_short_name, civ_model_display_family), so that
 * the Python plots label forecasts by the same rule as the report instead of
 * a copy of it: thin wrappers over report_text.c's rep_short_model and
 * rep_model_family that say when the caller's buffer is too small.
 */
#include <string.h>

#include "civicast.h"
#include "error.h"
#include "report_text.h"

/* Applies the report's naming rule to `in` and copies the name to buf (size
 * bytes); CIV_ERR_LIMIT, with the name cut, when it does not fit. */
static civ_status name_out(const char *what, void (*rule)(char *, size_t, const char *), const char *in, char *buf,
                           size_t size)
{
    if (!in || !buf || size == 0)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "%s: NULL name or buffer, or size 0", what);
    char text[1024];
    rule(text, sizeof text, in);
    size_t n = strlen(text);
    if (n < size) {
        memcpy(buf, text, n + 1);
        return CIV_OK;
    }
    memcpy(buf, text, size - 1);
    buf[size - 1] = '\0';
    return civ_fail(CIV_ERR_LIMIT, "%s: %zu bytes do not hold the %zu-character name; give at least %zu", what,
                    size, n, n + 1);
}

civ_status civ_model_short_name(const char *model, char *buf, size_t size)
{
    return name_out("civ_model_short_name", rep_short_model, model, buf, size);
}

civ_status civ_model_display_family(const char *spec, char *buf, size_t size)
{
    return name_out("civ_model_display_family", rep_model_family, spec, buf, size);
}
