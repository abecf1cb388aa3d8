/*
 * hdf5_foreign.c -- layer: io.  What to tell a user whose HDF5 file was not written by civicast.
 *
 * civicast reads the HDF5 layout it writes (datasets/SCHEMA.md).  A researcher's .h5 is more often pandas'
 * DataFrame.to_hdf (PyTables underneath: object columns pickled, a layout for Python only), which the reader
 * used to refuse with "missing attribute 'schema' on /".  This names the writer when it can be told (pandas
 * marks every frame's group with a `pandas_type` attribute) and the way in: the frame itself from Python, or
 * a CSV that `civicast convert` turns into civicast's HDF5.
 */
#include <string.h>

#include "c_locale.h"
#include "error.h"
#include "hdf5_foreign.h"

typedef struct top_level {
    char names[160]; /* the first top-level names, quoted, joined with ", " */
    size_t n;
    char pandas_key[64]; /* the first group with a pandas_type attribute, "" when none */
} top_level;

static herr_t visit_top(hid_t group, const char *name, const H5L_info_t *info, void *data)
{
    (void)info;
    top_level *t = data;
    if (!t->pandas_key[0] && H5Aexists_by_name(group, name, "pandas_type", H5P_DEFAULT) > 0)
        civ_snprintf(t->pandas_key, sizeof t->pandas_key, "%s", name);
    if (t->n < 4) {
        size_t used = strlen(t->names);
        civ_snprintf(t->names + used, sizeof t->names - used, "%s'%s'", t->n ? ", " : "", name);
    }
    t->n++;
    return 0;
}

civ_status civ_h5_foreign_file(const char *path, hid_t file)
{
    top_level t = {0};
    civ_where w = {.file = path, .field = "/"};
    (void)H5Literate(file, H5_INDEX_NAME, H5_ITER_INC, NULL, visit_top, &t);
    if (t.pandas_key[0])
        return civ_fail_at(CIV_ERR_SCHEMA, &w,
                           "written by pandas (DataFrame.to_hdf, key '%s'), not by civicast, which reads the HDF5 "
                           "layout it writes: in Python pass the frame, civicast.forecast(pd.read_hdf(path, '%s')); "
                           "or write it as CSV (pd.read_hdf(path, '%s').to_csv('data.csv', index=False)) and give "
                           "that, or its `civicast convert data.csv data.h5`", t.pandas_key, t.pandas_key,
                           t.pandas_key);
    return civ_fail_at(CIV_ERR_SCHEMA, &w,
                       "not an HDF5 file written by civicast (no 'schema' attribute on /; its top level holds %s%s): "
                       "civicast reads the layout it writes (datasets/SCHEMA.md); give the data as CSV or .xlsx, or "
                       "convert a CSV with `civicast convert data.csv data.h5`",
                       t.n ? t.names : "nothing", t.n > 4 ? ", ..." : "");
}
