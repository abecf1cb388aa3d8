/*
 * families.c -- layer forecast: the public listing of the model families
 * (civ_model_family_*), read from the type objects of models/registry.c, so
 * that clients of civicast.h (the command's --list-models, Python) need not
 * see the internal civ_model_types table; the display names of specs in
 * multi-model outputs (civ_model_display_name); and the public face of the
 * demand classification (models/intermittent.c).
 */
#include <stddef.h>
#include <stdio.h>

#include "c_locale.h"
#include "error.h"
#include "intermittent.h"
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

civ_status civ_demand_classify(const double *y, size_t n, double *adi, double *cv2, civ_demand_class *cls)
{
    if ((!y && n) || !cls)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_demand_classify: NULL values or class");
    *cls = civ_intermittent_classify(y, n, adi, cv2);
    return CIV_OK;
}

const char *civ_demand_class_name(civ_demand_class cls)
{
    switch (cls) {
    case CIV_DEMAND_SMOOTH: return "smooth";
    case CIV_DEMAND_ERRATIC: return "erratic";
    case CIV_DEMAND_INTERMITTENT: return "intermittent";
    case CIV_DEMAND_LUMPY: return "lumpy";
    case CIV_DEMAND_NONE: return "none";
    default: return "";
    }
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
    civ_snprintf(buf, size, "%s", alias ? alias : spec);
    return CIV_OK;
}
