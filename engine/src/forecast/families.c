/*
 * families.c -- layer forecast: the public listing of the model families
 * (civ_model_family_*), read from the type objects of models/registry.c, so
 * that clients of civicast.h (the command's --list-models, Python) need not
 * see the internal civ_model_types table.
 */
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
