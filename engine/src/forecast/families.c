/*
 * families.c -- layer forecast: the public listing of the model families
 * (civ_model_family_*), read from the type objects of models/registry.c, so
 * that clients of civicast.h (the command's --list-models, Python) need not
 * see the internal civ_model_types table; and the display names of specs in
 * multi-model outputs (civ_model_display_name).
 */
#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "model.h"

size_t civ_model_family_count(void)
{
    size_t n = 0;
    while (civ_model_types[n])
        n++;
    return n;
}

const char *civ_model_family_name(size_t i)
{
    return i < civ_model_family_count() ? civ_model_types[i]->family : NULL;
}

const char *civ_model_family_summary(size_t i)
{
    return i < civ_model_family_count() ? civ_model_types[i]->summary : NULL;
}

const char *civ_model_family_specs(size_t i)
{
    return i < civ_model_family_count() ? civ_model_types[i]->spec_help : NULL;
}

civ_status civ_model_display_name(const char *spec, char *buf, size_t size)
{
    if (!spec || !buf || size < 2)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_model_display_name: NULL argument or buffer under 2 bytes");
    const civ_model_type *type;
    _Alignas(max_align_t) unsigned char config[CIV_MODEL_CONFIG_MAX];
    civ_status st = civ_model_resolve(spec, &type, config);
    if (st)
        return st;
    const char *alias = civ_model_alias(spec);
    snprintf(buf, size, "%s", alias ? alias : spec);
    return CIV_OK;
}
