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

/* Copies text to buf (size bytes); CIV_ERR_LIMIT, with the text cut, when it does not fit. */
static civ_status copy_out(const char *what, const char *text, char *buf, size_t size)
{
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
    if (!model || !buf || size == 0)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_model_short_name: NULL model or buffer, or size 0");
    char text[1024];
    rep_short_model(text, sizeof text, model);
    return copy_out("civ_model_short_name", text, buf, size);
}

civ_status civ_model_display_family(const char *spec, char *buf, size_t size)
{
    if (!spec || !buf || size == 0)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_model_display_family: NULL spec or buffer, or size 0");
    char text[1024];
    rep_model_family(text, sizeof text, spec);
    return copy_out("civ_model_display_family", text, buf, size);
}
