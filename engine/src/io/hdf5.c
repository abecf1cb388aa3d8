/*
 * hdf5.c -- layer: io.  Panels and tables in HDF5 (schemas "civicast.panel" and
 * "civicast.table", version 1).  The layout is specified in
 * datasets/SCHEMA.md; this file is its reference implementation.
 *
 * Design choices, and why:
 *  - One 1-D dataset per column, chunked, with only the shuffle and deflate
 *    filters, so that h5py, pandas, R's hdf5r or any HDF5 tool reads the
 *    files without plugins.  Every dataset has an unlimited maximum size so
 *    that empty datasets (empty panels, tables with no rows) can be chunked.
 *  - Strings are variable-length UTF-8 (what h5py writes for Python str).
 *    Readers also accept fixed-length strings, as numpy 'S' arrays give.
 *  - Names of covariates and table columns become HDF5 link names after
 *    escaping '%' and '/' (and a lone "."), because a link name cannot hold
 *    a '/'; the true names and their order are kept in *_names datasets.
 *  - Reading trusts nothing: every attribute, type, rank, length, sum,
 *    string and value is checked, and every error names the file and the
 *    HDF5 object path (civ_error.field).  HDF5's own diagnostics are never
 *    printed (H5Eset_auto2 off); its innermost message is appended to ours.
 *  - Writes go to a temporary file that is fsync'ed and renamed into place
 *    (atomic_file.h), so a crash never leaves a half-written .h5.
 *  - A serial HDF5 build need not be thread-safe (Debian's is built with
 *    --enable-threadsafe, others are not), so every entry point holds one
 *    process-wide mutex.  Other code in the process that calls HDF5
 *    directly (e.g. h5py) is not covered by it.  Error printing is switched
 *    off per call because thread-safe builds keep that setting per thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <stdatomic.h>
#include <unistd.h>

#include "atomic_file.h"
#include "c_locale.h"
#include "error.h"
#include "hdf5_foreign.h"
#include "mem_limit.h"
#include "panel.h"
#include "table.h"
#include "table_stream.h"
#include "text.h"

enum { CIV_H5_SCHEMA_VERSION = 1 };

#define SCHEMA_PANEL "civicast.panel"
#define SCHEMA_TABLE "civicast.table"
/* Chunks of 256 KiB for doubles and 64 KiB of heap references for strings:
 * large enough for deflate to work well, small enough for the default
 * 1 MiB chunk cache. */
#define CHUNK_NUMBERS 32768u
#define CHUNK_STRINGS 4096u
#define DEFLATE_LEVEL 4

static pthread_mutex_t h5_lock = PTHREAD_MUTEX_INITIALIZER;

#define CLOSE_ID(fn, id)     \
    do {                     \
        if ((id) >= 0)       \
            (void)fn(id);    \
        (id) = H5I_INVALID_HID; \
    } while (0)

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

static herr_t innermost_cb(unsigned n, const H5E_error2_t *err, void *data)
{
    if (n == 0 && err && err->desc)
        civ_snprintf((char *)data, 256, "%s", err->desc);
    return 0;
}

/* The most specific message on HDF5's error stack ("truncated file: eof =
 * ..."), or "" when the stack is empty. */
static void hdf5_detail(char buf[256])
{
    buf[0] = '\0';
    (void)H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost_cb, buf);
    /* Some HDF5 messages embed ctime()'s newline: keep ours on one line. */
    for (char *c = buf; *c; c++)
        if ((unsigned char)*c < 0x20)
            *c = ' ';
}

static civ_status failv(civ_status status, const char *path, const char *object, const char *series_id,
                        const char *fmt, va_list ap)
{
    char msg[512];
    civ_vsnprintf(msg, sizeof msg, fmt, ap);
    civ_where w = {.file = path, .field = object, .series_id = series_id};
    return civ_fail_at(status, &w, "%s", msg);
}

/* A failure in the file's content or shape. */
static civ_status CIV_PRINTF(4, 5) fail_obj(civ_status status, const char *path, const char *object,
                                            const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    civ_status s = failv(status, path, object, NULL, fmt, ap);
    va_end(ap);
    return s;
}

/* A failing HDF5 call: CIV_ERR_IO with HDF5's own innermost message. */
static civ_status fail_h5(const char *path, const char *object, const char *what)
{
    char detail[256];
    hdf5_detail(detail);
    if (detail[0])
        return fail_obj(CIV_ERR_IO, path, object, "cannot %s (HDF5: %s)", what, detail);
    return fail_obj(CIV_ERR_IO, path, object, "cannot %s", what);
}

/* Re-records the current error (from a panel/table call that knows no file)
 * with the file and object added, keeping its message and series.  Used on
 * reading only, where a rejected argument is the file's content (a
 * covariate named "y", an empty name): that is a schema error, not a
 * caller's mistake. */
static civ_status rewrap(civ_status status, const char *path, const char *object)
{
    if (status == CIV_ERR_INVALID_ARGUMENT)
        status = CIV_ERR_SCHEMA;
    const civ_error *e = civ_last_error();
    char msg[sizeof e->message], sid[sizeof e->series_id];
    memcpy(msg, e->message, sizeof msg);
    memcpy(sid, e->series_id, sizeof sid);
    civ_where w = {.file = path, .field = object, .series_id = sid[0] ? sid : NULL};
    return civ_fail_at(status, &w, "%s", msg);
}

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */
/* ------------------------------------------------------------------------ */

/* Link name for a covariate or column name: '%' -> "%25", '/' -> "%2F", and
 * the name "." -> "%2E" (HDF5 reserves '/' and "."); injective, so distinct
 * names stay distinct.  malloc'd, NULL when out of memory. */
static char *escape_name(const char *name)
{
    size_t n = strlen(name), extra = 0;
    for (size_t i = 0; i < n; i++)
        extra += name[i] == '%' || name[i] == '/';
    if (!strcmp(name, "."))
        return strdup("%2E");
    char *out = malloc(n + 2 * extra + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (name[i] == '%' || name[i] == '/') {
            *o++ = '%';
            *o++ = '2';
            *o++ = name[i] == '%' ? '5' : 'F';
        } else {
            *o++ = name[i];
        }
    }
    *o = '\0';
    return out;
}

/* "<a><b><escaped c><d>" malloc'd (c may be NULL), NULL when out of memory. */
static char *object_path(const char *a, const char *b, const char *c, const char *d)
{
    char *esc = c ? escape_name(c) : NULL;
    if (c && !esc)
        return NULL;
    size_t len = strlen(a) + strlen(b) + (esc ? strlen(esc) : 0) + strlen(d) + 1;
    char *out = malloc(len);
    if (out)
        civ_snprintf(out, len, "%s%s%s%s", a, b, esc ? esc : "", d);
    free(esc);
    return out;
}

static civ_status oom(const char *path, const char *object)
{
    return fail_obj(CIV_ERR_OUT_OF_MEMORY, path, object, "out of memory");
}

static void free_strings(char **s, size_t n)
{
    if (!s)
        return;
    for (size_t i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

/* The first and last period a series (or covariate) covers must be dates the
 * CSV writer can print (years 1..9999), and start + len - 1 must not
 * overflow. */
static civ_status check_span(const char *path, const char *object, const char *id, civ_frequency freq, int phase,
                             int64_t start, size_t len)
{
    char buf[32];
    civ_where w = {.file = path, .field = object, .series_id = id};
    if (len > 0 && (len - 1 > (uint64_t)INT64_MAX || start > INT64_MAX - (int64_t)(len - 1)))
        return civ_fail_at(CIV_ERR_DOMAIN, &w, "start period %lld plus %zu periods overflows", (long long)start, len);
    if (civ_period_format(freq, phase, start, buf, sizeof buf) ||
        (len > 0 && civ_period_format(freq, phase, start + (int64_t)(len - 1), buf, sizeof buf)))
        return civ_fail_at(CIV_ERR_DOMAIN, &w, "periods %lld..%lld are outside the years 1..9999",
                           (long long)start, (long long)(start + (int64_t)(len ? len - 1 : 0)));
    return CIV_OK;
}

/* ------------------------------------------------------------------------ */
/* Reading                                                                  */
/* ------------------------------------------------------------------------ */

/* True when every component of the absolute path `object` exists as a link
 * (H5Lexists fails, rather than answering no, on a missing parent). */
static int link_exists(hid_t file, const char *object)
{
    size_t n = strlen(object);
    char *buf = malloc(n + 1);
    if (!buf)
        return 0;
    int ok = 1;
    for (size_t i = 1; i <= n && ok; i++) {
        if (i == n || object[i] == '/') {
            memcpy(buf, object, i);
            buf[i] = '\0';
            ok = H5Lexists(file, buf, H5P_DEFAULT) > 0;
        }
    }
    free(buf);
    return ok;
}

static const char *class_name(H5T_class_t c)
{
    switch (c) {
    case H5T_INTEGER: return "integer";
    case H5T_FLOAT: return "floating-point";
    case H5T_STRING: return "string";
    case H5T_COMPOUND: return "compound";
    case H5T_ENUM: return "enum";
    case H5T_VLEN: return "variable-length sequence";
    case H5T_ARRAY: return "array";
    case H5T_BITFIELD: return "bitfield";
    case H5T_OPAQUE: return "opaque";
    case H5T_REFERENCE: return "reference";
    default: return "unknown";
    }
}

/* Opens the 1-D dataset `object` whose elements are of class `want`; *n gets
 * its length.  Missing, not a dataset, wrong rank or wrong class:
 * CIV_ERR_SCHEMA.  `expect` (SIZE_MAX = any) is the required length. */
static civ_status open_1d(const char *path, hid_t file, const char *object, H5T_class_t want, size_t expect,
                          const char *expect_what, hid_t *out, size_t *n)
{
    *out = H5I_INVALID_HID;
    if (!link_exists(file, object))
        return fail_obj(CIV_ERR_SCHEMA, path, object, "missing dataset %s", object);
    hid_t obj = H5Oopen(file, object, H5P_DEFAULT);
    if (obj < 0)
        return fail_h5(path, object, "open the object");
    if (H5Iget_type(obj) != H5I_DATASET) {
        H5Oclose(obj);
        return fail_obj(CIV_ERR_SCHEMA, path, object, "%s is not a dataset", object);
    }
    hid_t dset = obj, space = H5Dget_space(dset), type = H5Dget_type(dset);
    civ_status s = CIV_OK;
    if (space < 0 || type < 0) {
        s = fail_h5(path, object, "read the dataset's shape and type");
        goto done;
    }
    int rank = H5Sget_simple_extent_ndims(space);
    if (rank != 1) {
        s = fail_obj(CIV_ERR_SCHEMA, path, object, "dataset %s has rank %d; expected a 1-D dataset", object, rank);
        goto done;
    }
    hsize_t dim = 0;
    H5Sget_simple_extent_dims(space, &dim, NULL);
    H5T_class_t cls = H5Tget_class(type);
    if (cls != want) {
        s = fail_obj(CIV_ERR_SCHEMA, path, object, "dataset %s holds %s values; expected %s", object,
                     class_name(cls), want == H5T_FLOAT ? "float64" : want == H5T_INTEGER ? "int64" : "strings");
        goto done;
    }
    if (dim > SIZE_MAX / 16) {
        s = fail_obj(CIV_ERR_LIMIT, path, object, "dataset %s has %llu elements, too many", object,
                     (unsigned long long)dim);
        goto done;
    }
    /* A few bytes of file can declare 2^40 elements (chunks never written
     * read as fill values): refuse what cannot fit before allocating
     * (mem_limit.h; fuzz_hdf5 crasher tests/fuzz/crashers/hdf5/huge_dim). */
    {
        civ_where w = {.file = path, .field = object};
        if ((s = civ_mem_check((size_t)dim, 8, 0, "the dataset", &w)))
            goto done;
    }
    if (expect != SIZE_MAX && dim != expect) {
        s = fail_obj(CIV_ERR_SCHEMA, path, object, "dataset %s has %llu elements; expected %zu (%s)", object,
                     (unsigned long long)dim, expect, expect_what);
        goto done;
    }
    *n = (size_t)dim;
done:
    CLOSE_ID(H5Sclose, space);
    CLOSE_ID(H5Tclose, type);
    if (s)
        H5Dclose(dset);
    else
        *out = dset;
    return s;
}

/* Reads the 1-D dataset `object` of class cls into *out (malloc'd, at least 1 slot, elements of `size` bytes):
 * as doubles when wide_unsigned is NULL, else as int64, or as uint64 when the file's type is an unsigned one
 * of 64 bits (*wide_unsigned set: HDF5 would clamp values above INT64_MAX, which the caller checks). */
static civ_status read_1d(const char *path, hid_t file, const char *object, H5T_class_t cls, size_t expect,
                          const char *expect_what, size_t size, int *wide_unsigned, void **out, size_t *n)
{
    *out = NULL;
    hid_t dset;
    civ_status s = open_1d(path, file, object, cls, expect, expect_what, &dset, n);
    if (s)
        return s;
    hid_t mtype = H5T_NATIVE_DOUBLE;
    if (wide_unsigned) {
        hid_t type = H5Dget_type(dset);
        *wide_unsigned = type >= 0 && H5Tget_sign(type) == H5T_SGN_NONE && H5Tget_size(type) >= 8;
        CLOSE_ID(H5Tclose, type);
        mtype = *wide_unsigned ? H5T_NATIVE_UINT64 : H5T_NATIVE_INT64;
    }
    void *v = malloc((*n ? *n : 1) * size);
    if (!v)
        s = oom(path, object);
    else if (*n && H5Dread(dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0)
        s = fail_h5(path, object, "read the dataset");
    H5Dclose(dset);
    if (s)
        free(v);
    else
        *out = v;
    return s;
}

/* Reads a 1-D float dataset as doubles (malloc'd, at least 1 slot). */
static civ_status read_doubles(const char *path, hid_t file, const char *object, size_t expect,
                               const char *expect_what, double **out, size_t *n)
{
    void *v;
    civ_status s = read_1d(path, file, object, H5T_FLOAT, expect, expect_what, sizeof **out, NULL, &v, n);
    *out = v;
    return s;
}

/* Reads a 1-D integer dataset as int64 (malloc'd).  Any integer type is
 * accepted; unsigned 64-bit values above INT64_MAX are an error rather than
 * HDF5's silent clamping. */
static civ_status read_int64s(const char *path, hid_t file, const char *object, size_t expect,
                              const char *expect_what, int64_t **out, size_t *n)
{
    void *got;
    int wide_unsigned = 0;
    civ_status s = read_1d(path, file, object, H5T_INTEGER, expect, expect_what, sizeof **out, &wide_unsigned,
                           &got, n);
    int64_t *v = got;
    for (size_t i = 0; !s && wide_unsigned && i < *n; i++) {
        uint64_t u;
        memcpy(&u, &v[i], sizeof u);
        if (u > (uint64_t)INT64_MAX)
            s = fail_obj(CIV_ERR_DOMAIN, path, object, "index %zu: value %llu does not fit in int64", i,
                         (unsigned long long)u);
    }
    if (s && v) {
        free(v);
        v = NULL;
    }
    *out = v;
    return s;
}

/* Checks a string of `len` bytes read from element `i` of `object`. */
static civ_status check_string(const char *path, const char *object, size_t i, const char *t, size_t len)
{
    if (memchr(t, '\0', len))
        return fail_obj(CIV_ERR_SCHEMA, path, object, "index %zu: string contains a NUL byte", i);
    if (!civ_utf8_valid(t, len))
        return fail_obj(CIV_ERR_SCHEMA, path, object, "index %zu: string is not valid UTF-8", i);
    return CIV_OK;
}

typedef struct vlen_counter {
    size_t bytes;
} vlen_counter;

static void *counting_alloc(size_t size, void *info)
{
    ((vlen_counter *)info)->bytes += size;
    return malloc(size);
}

static void plain_free(void *p, void *info)
{
    (void)info;
    free(p);
}

/* The variable-length half of read_strings: count strings of dset into res (each malloc'd, "" for empty).
 * Memory type = the file type (same cset): HDF5 does not convert between character sets.  Our allocator
 * (plain malloc, so the strings become ours without a copy) also counts the bytes HDF5 asks for: length + 1
 * per string.  A string with an embedded NUL would be cut short silently as a C string, and shows up as more
 * bytes asked for than strlen sees. */
static civ_status read_vlen_strings(const char *path, const char *object, hid_t dset, hid_t mtype, size_t count,
                                    char **res)
{
    civ_status s = CIV_OK;
    vlen_counter counter = {0};
    hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
    char **vl = NULL;
    if (dxpl < 0 || H5Pset_vlen_mem_manager(dxpl, counting_alloc, &counter, plain_free, NULL) < 0) {
        s = fail_h5(path, object, "set up string reading");
        goto done;
    }
    if (!(vl = calloc(count, sizeof *vl))) {
        s = oom(path, object);
        goto done;
    }
    if (H5Dread(dset, mtype, H5S_ALL, H5S_ALL, dxpl, vl) < 0) {
        s = fail_h5(path, object, "read the dataset");
        goto done;
    }
    size_t seen = 0;
    for (size_t i = 0; i < count; i++)
        seen += (vl[i] ? strlen(vl[i]) : 0) + 1;
    if (counter.bytes > seen) {
        s = fail_obj(CIV_ERR_SCHEMA, path, object, "a string contains a NUL byte");
        goto done;
    }
    for (size_t i = 0; i < count && !s; i++) {
        if (!vl[i] && !(vl[i] = strdup("")))
            s = oom(path, object);
        else
            s = check_string(path, object, i, vl[i], strlen(vl[i]));
        if (!s) {
            res[i] = vl[i];
            vl[i] = NULL;
        }
    }
done:
    if (vl) {
        for (size_t i = 0; i < count; i++)
            free(vl[i]);
        free(vl);
    }
    CLOSE_ID(H5Pclose, dxpl);
    return s;
}

/* The fixed-length half of read_strings: strings of the file type's size, their padding (NUL or space)
 * trimmed. */
static civ_status read_fixed_strings(const char *path, const char *object, hid_t dset, hid_t ftype, hid_t mtype,
                                     size_t count, char **res)
{
    size_t size = H5Tget_size(ftype);
    H5T_str_t pad = H5Tget_strpad(ftype);
    if (size == 0 || count > SIZE_MAX / size)
        return fail_obj(CIV_ERR_LIMIT, path, object, "string dataset too large");
    char *raw = malloc(count * size);
    if (!raw)
        return oom(path, object);
    civ_status s = CIV_OK;
    if (H5Dread(dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) < 0)
        s = fail_h5(path, object, "read the dataset");
    char padc = pad == H5T_STR_SPACEPAD ? ' ' : '\0';
    for (size_t i = 0; i < count && !s; i++) {
        const char *t = raw + i * size;
        size_t len = size;
        while (len > 0 && t[len - 1] == padc)
            len--;
        s = check_string(path, object, i, t, len);
        if (!s && !(res[i] = strndup(t, len)))
            s = oom(path, object);
    }
    free(raw);
    return s;
}

/* Reads a 1-D string dataset (variable- or fixed-length, ASCII or UTF-8) into
 * n malloc'd NUL-terminated strings (never NULL; "" for empty). */
static civ_status read_strings(const char *path, hid_t file, const char *object, size_t expect,
                               const char *expect_what, char ***out, size_t *n)
{
    *out = NULL;
    hid_t dset, ftype = H5I_INVALID_HID, mtype = H5I_INVALID_HID, space = H5I_INVALID_HID;
    civ_status s = open_1d(path, file, object, H5T_STRING, expect, expect_what, &dset, n);
    if (s)
        return s;
    size_t count = *n;
    char **res = calloc(count ? count : 1, sizeof *res);
    htri_t var = -1;
    if (!res)
        s = oom(path, object);
    else if ((ftype = H5Dget_type(dset)) < 0 || (space = H5Dget_space(dset)) < 0 ||
             (mtype = H5Tcopy(ftype)) < 0 || (var = H5Tis_variable_str(ftype)) < 0)
        s = fail_h5(path, object, "read the string type");
    else if (count > 0)
        s = var ? read_vlen_strings(path, object, dset, mtype, count, res)
                : read_fixed_strings(path, object, dset, ftype, mtype, count, res);
    CLOSE_ID(H5Tclose, mtype);
    CLOSE_ID(H5Tclose, ftype);
    CLOSE_ID(H5Sclose, space);
    H5Dclose(dset);
    if (s) {
        free_strings(res, count);
        return s;
    }
    *out = res;
    return CIV_OK;
}

/* Opens attribute `name` of `loc` (object path `where`), which must hold one
 * element of class `want`. */
static civ_status open_attr(const char *path, hid_t loc, const char *where, const char *name, H5T_class_t want,
                            hid_t *out)
{
    *out = H5I_INVALID_HID;
    htri_t ex = H5Aexists(loc, name);
    if (ex < 0)
        return fail_h5(path, where, "look up an attribute");
    if (!ex)
        return fail_obj(CIV_ERR_SCHEMA, path, where, "missing attribute '%s' on %s", name, where);
    hid_t attr = H5Aopen(loc, name, H5P_DEFAULT);
    if (attr < 0)
        return fail_h5(path, where, "open an attribute");
    hid_t space = H5Aget_space(attr), type = H5Aget_type(attr);
    civ_status s = CIV_OK;
    if (space < 0 || type < 0)
        s = fail_h5(path, where, "read an attribute's type");
    else if (H5Sget_simple_extent_npoints(space) != 1)
        s = fail_obj(CIV_ERR_SCHEMA, path, where, "attribute '%s' on %s must hold a single value", name, where);
    else if (H5Tget_class(type) != want)
        s = fail_obj(CIV_ERR_SCHEMA, path, where, "attribute '%s' on %s is %s; expected %s", name, where,
                     class_name(H5Tget_class(type)), want == H5T_STRING ? "a string" : "an integer");
    CLOSE_ID(H5Sclose, space);
    CLOSE_ID(H5Tclose, type);
    if (s)
        H5Aclose(attr);
    else
        *out = attr;
    return s;
}

/* Reads a one-element string attribute into buf (NUL-terminated, validated). */
static civ_status read_attr_text(const char *path, hid_t loc, const char *where, const char *name, char *buf,
                                 size_t size)
{
    hid_t attr;
    civ_status s = open_attr(path, loc, where, name, H5T_STRING, &attr);
    if (s)
        return s;
    hid_t type = H5Aget_type(attr), mtype = type >= 0 ? H5Tcopy(type) : H5I_INVALID_HID;
    htri_t var = type >= 0 ? H5Tis_variable_str(type) : -1;
    if (mtype < 0 || var < 0) {
        s = fail_h5(path, where, "read a string attribute");
    } else if (var) {
        char *p = NULL;
        if (H5Aread(attr, mtype, &p) < 0) {
            s = fail_h5(path, where, "read a string attribute");
        } else {
            const char *t = p ? p : "";
            if (!civ_utf8_valid(t, strlen(t)))
                s = fail_obj(CIV_ERR_SCHEMA, path, where, "attribute '%s' is not valid UTF-8", name);
            else
                civ_snprintf(buf, size, "%s", t);
            H5free_memory(p);
        }
    } else {
        size_t n = H5Tget_size(type);
        char *raw = malloc(n + 1);
        if (!raw) {
            s = oom(path, where);
        } else if (H5Aread(attr, mtype, raw) < 0) {
            s = fail_h5(path, where, "read a string attribute");
        } else {
            char padc = H5Tget_strpad(type) == H5T_STR_SPACEPAD ? ' ' : '\0';
            while (n > 0 && raw[n - 1] == padc)
                n--;
            raw[n] = '\0';
            if (memchr(raw, '\0', n) || !civ_utf8_valid(raw, n))
                s = fail_obj(CIV_ERR_SCHEMA, path, where, "attribute '%s' is not valid UTF-8 text", name);
            else
                civ_snprintf(buf, size, "%s", raw);
        }
        free(raw);
    }
    CLOSE_ID(H5Tclose, mtype);
    CLOSE_ID(H5Tclose, type);
    H5Aclose(attr);
    return s;
}

static civ_status read_attr_int(const char *path, hid_t loc, const char *where, const char *name, int64_t *out)
{
    hid_t attr;
    civ_status s = open_attr(path, loc, where, name, H5T_INTEGER, &attr);
    if (s)
        return s;
    hid_t type = H5Aget_type(attr);
    int wide_unsigned = type >= 0 && H5Tget_sign(type) == H5T_SGN_NONE && H5Tget_size(type) >= 8;
    CLOSE_ID(H5Tclose, type);
    if (wide_unsigned) {
        uint64_t u = 0;
        if (H5Aread(attr, H5T_NATIVE_UINT64, &u) < 0)
            s = fail_h5(path, where, "read an integer attribute");
        else if (u > (uint64_t)INT64_MAX)
            s = fail_obj(CIV_ERR_SCHEMA, path, where, "attribute '%s' is out of range", name);
        else
            *out = (int64_t)u;
    } else if (H5Aread(attr, H5T_NATIVE_INT64, out) < 0) {
        s = fail_h5(path, where, "read an integer attribute");
    }
    H5Aclose(attr);
    return s;
}

/* Checks `schema` and `schema_version` on the object `where`. */
static civ_status check_schema(const char *path, hid_t file, const char *where, const char *want)
{
    hid_t loc = H5Oopen(file, where, H5P_DEFAULT);
    if (loc < 0)
        return fail_h5(path, where, "open the group");
    char schema[128];
    int64_t version = 0;
    if (!strcmp(where, "/") && H5Aexists(loc, "schema") == 0) { /* not civicast's file: say whose, and the way in */
        H5Oclose(loc);
        return civ_h5_foreign_file(path, file);
    }
    civ_status s = read_attr_text(path, loc, where, "schema", schema, sizeof schema);
    if (!s && strcmp(schema, want))
        s = fail_obj(CIV_ERR_SCHEMA, path, where, "schema is '%s'; expected '%s'", schema, want);
    if (!s)
        s = read_attr_int(path, loc, where, "schema_version", &version);
    if (!s && version != CIV_H5_SCHEMA_VERSION)
        s = fail_obj(CIV_ERR_SCHEMA, path, where, "schema_version is %lld; this civicast reads version %d",
                     (long long)version, CIV_H5_SCHEMA_VERSION);
    H5Oclose(loc);
    return s;
}

/* Opens `path` read-only after checking that it exists and is HDF5. */
static civ_status open_for_reading(const char *path, hid_t *file)
{
    *file = H5I_INVALID_HID;
    civ_where w = {.file = path};
    if (!path || !path[0])
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "input path is empty");
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return civ_fail_at(CIV_ERR_IO, &w, "cannot open: %s", strerror(errno));
    struct stat st;
    int is_dir = fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode);
    fclose(fp);
    if (is_dir)
        return civ_fail_at(CIV_ERR_IO, &w, "is a folder, not a file");
    htri_t is = H5Fis_hdf5(path);
    if (is == 0)
        return civ_fail_at(CIV_ERR_SCHEMA, &w, "not an HDF5 file (no HDF5 signature)");
    if (is < 0)
        return fail_h5(path, NULL, "open the file as HDF5");
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0)
        return fail_h5(path, NULL, "create file access properties");
    /* STRONG: closing the file closes whatever an error path left open. */
    H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
    H5Pset_file_locking(fapl, 1, 1);
    *file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    /* Record before H5Pclose, which clears HDF5's error stack. */
    civ_status s = *file < 0 ? fail_h5(path, NULL, "open the file (damaged or truncated?)") : CIV_OK;
    H5Pclose(fapl);
    return s;
}

/* Adds column c ("name") to t, typed by the class of its dataset under prefix/columns/: strings are text;
 * anything else goes to the float reader of read_table_cells, which names a missing dataset or a wrong class
 * precisely. */
static civ_status add_table_column(const char *path, hid_t file, const char *prefix, const char *names_path,
                                   const char *name, size_t c, civ_table *t)
{
    if (!name[0])
        return fail_obj(CIV_ERR_SCHEMA, path, names_path, "index %zu: empty column name", c);
    char *obj = object_path(prefix, "/columns/", name, "");
    if (!obj)
        return oom(path, names_path);
    H5T_class_t cls = H5T_NO_CLASS;
    if (link_exists(file, obj)) {
        hid_t d = H5Dopen2(file, obj, H5P_DEFAULT);
        hid_t ty = d >= 0 ? H5Dget_type(d) : H5I_INVALID_HID;
        if (ty >= 0)
            cls = H5Tget_class(ty);
        CLOSE_ID(H5Tclose, ty);
        CLOSE_ID(H5Dclose, d);
    }
    free(obj);
    civ_status a = civ_table_add_column(t, name, cls == H5T_STRING ? CIV_COLUMN_TEXT : CIV_COLUMN_NUMBER, NULL);
    return a ? rewrap(a, path, names_path) : CIV_OK;
}

/* Reads the n_rows cells of column c of t from dataset obj. */
static civ_status read_table_cells(const char *path, hid_t file, const char *obj, size_t n_rows, civ_table *t,
                                   size_t c)
{
    size_t n = 0;
    civ_status s;
    if (t->columns[c].type == CIV_COLUMN_TEXT) {
        char **texts = NULL;
        s = read_strings(path, file, obj, n_rows, "attribute n_rows", &texts, &n);
        for (size_t r = 0; r < n && !s; r++) {
            char *cell = texts[r];
            texts[r] = NULL;
            if (!cell[0]) { /* the table stores "" as NULL */
                free(cell);
                cell = NULL;
            }
            civ_status a = civ_table_set_text_owned(t, r, c, cell);
            if (a)
                s = rewrap(a, path, obj);
        }
        free_strings(texts, n);
        return s;
    }
    double *v = NULL;
    s = read_doubles(path, file, obj, n_rows, "attribute n_rows", &v, &n);
    if (!s && n)
        memcpy(t->columns[c].numbers, v, n * sizeof *v);
    free(v);
    return s;
}

/* Reads the table stored under group `group` ("/" for a table file): the
 * layout of datasets/SCHEMA.md, section "Tables". */
static civ_status read_table_group(const char *path, hid_t file, const char *group, civ_table **out)
{
    *out = NULL;
    const char *prefix = strcmp(group, "/") ? group : "";
    civ_status s = check_schema(path, file, group, SCHEMA_TABLE);
    if (s)
        return s;
    int64_t n_rows = 0;
    hid_t loc = H5Oopen(file, group, H5P_DEFAULT);
    if (loc < 0)
        return fail_h5(path, group, "open the group");
    s = read_attr_int(path, loc, group, "n_rows", &n_rows);
    H5Oclose(loc);
    if (s)
        return s;
    if (n_rows < 0 || (uint64_t)n_rows > SIZE_MAX / 16)
        return fail_obj(CIV_ERR_SCHEMA, path, group, "attribute 'n_rows' is %lld", (long long)n_rows);

    char *names_path = object_path(prefix, "/column_names", NULL, "");
    char **names = NULL;
    size_t n_cols = 0;
    civ_table *t = NULL;
    if (!names_path)
        return oom(path, group);
    s = read_strings(path, file, names_path, SIZE_MAX, NULL, &names, &n_cols);
    if (!s)
        s = civ_table_create(&t);
    /* First the columns, typed by their dataset's class (float -> number,
     * string -> text), then the rows, then the cells. */
    for (size_t c = 0; c < n_cols && !s; c++)
        s = add_table_column(path, file, prefix, names_path, names[c], c, t);
    /* n_rows is a number in the file: refuse a table that cannot fit before
     * allocating its rows (one double or one pointer per cell; fuzz_hdf5
     * crasher tests/fuzz/crashers/hdf5/huge_table_rows asked for 2 TiB). */
    if (!s) {
        civ_where w = {.file = path, .field = group};
        s = civ_mem_check((size_t)n_rows, (n_cols ? n_cols : 1) * 8, 0, "the table", &w);
    }
    if (!s)
        s = civ_table_add_rows(t, (size_t)n_rows, NULL);
    for (size_t c = 0; c < n_cols && !s; c++) {
        char *obj = object_path(prefix, "/columns/", names[c], "");
        s = obj ? read_table_cells(path, file, obj, (size_t)n_rows, t, c) : oom(path, group);
        free(obj);
    }
    free_strings(names, n_cols);
    free(names_path);
    if (s) {
        civ_table_free(t);
        return s;
    }
    *out = t;
    return CIV_OK;
}

static civ_status read_table_impl(const char *path, civ_table **out)
{
    hid_t file;
    civ_status s = open_for_reading(path, &file);
    if (s)
        return s;
    s = read_table_group(path, file, "/", out);
    if (H5Fclose(file) < 0 && !s) {
        civ_table_free(*out);
        *out = NULL;
        s = fail_h5(path, NULL, "close the file");
    }
    return s;
}

/* Reads covariate k ("name") for every series of p. */
static civ_status read_covariate(const char *path, hid_t file, civ_panel *p, const char *name)
{
    size_t k = 0, n = p->n_series, n_values = 0, n_len = 0;
    int64_t *len = NULL;
    double *v = NULL;
    char *len_path = object_path("/covariates/", "", name, "/length");
    char *val_path = object_path("/covariates/", "", name, "/values");
    civ_status s = CIV_OK;
    if (!len_path || !val_path) {
        s = oom(path, "/covariates");
        goto done;
    }
    civ_status a = civ_panel_add_covariate(p, name, &k);
    if (a) {
        s = rewrap(a, path, "/covariate_names");
        goto done;
    }
    s = read_int64s(path, file, len_path, n, "one per series", &len, &n_len);
    if (!s)
        s = read_doubles(path, file, val_path, SIZE_MAX, NULL, &v, &n_values);
    size_t sum = 0;
    for (size_t i = 0; i < n && !s; i++) {
        if (len[i] < 0 || (uint64_t)len[i] > n_values - sum) {
            s = len[i] < 0 ? fail_obj(CIV_ERR_SCHEMA, path, len_path, "index %zu: negative length %lld", i,
                                      (long long)len[i])
                           : fail_obj(CIV_ERR_SCHEMA, path, len_path,
                                      "lengths add up to more than the %zu elements of %s", n_values, val_path);
            break;
        }
        s = check_span(path, len_path, p->ids[i], p->freq, p->phase, p->starts[i], (size_t)len[i]);
        if (!s) {
            a = civ_panel_set_covariate(p, i, k, v + sum, (size_t)len[i]);
            if (a)
                s = rewrap(a, path, val_path);
        }
        sum += (size_t)len[i];
    }
    if (!s && sum != n_values)
        s = fail_obj(CIV_ERR_SCHEMA, path, len_path, "lengths add up to %zu but %s has %zu elements", sum,
                     val_path, n_values);
done:
    free(len);
    free(v);
    free(len_path);
    free(val_path);
    return s;
}

/* The panel's root attributes: frequency ("unknown" only for a panel with
 * no series, checked by the caller), phase (0..6 for weekly, else 0) and the
 * optional date style (date_anchor, date_time_sep; 0 when absent). */
static civ_status read_panel_root(const char *path, hid_t file, civ_frequency *freq_out, int64_t *phase,
                                  int64_t *anchor, int64_t *time_sep)
{
    char freq_name[64];
    civ_frequency freq = CIV_FREQ_UNKNOWN;
    hid_t root = H5Oopen(file, "/", H5P_DEFAULT);
    if (root < 0)
        return fail_h5(path, "/", "open the root group");
    civ_status s = read_attr_text(path, root, "/", "frequency", freq_name, sizeof freq_name);
    if (s)
        goto done;
    for (int f = CIV_FREQ_YEARLY; f <= CIV_FREQ_DAILY; f++)
        if (!strcmp(freq_name, civ_frequency_name((civ_frequency)f)))
            freq = (civ_frequency)f;
    /* "unknown" is what an empty panel (a header-only CSV) has; it is
     * accepted only with no series (checked once the count is known). */
    if (freq == CIV_FREQ_UNKNOWN && strcmp(freq_name, "unknown") != 0) {
        s = fail_obj(CIV_ERR_SCHEMA, path, "/",
                     "unknown frequency '%s' (expected yearly, quarterly, monthly, weekly or daily)", freq_name);
        goto done;
    }
    s = read_attr_int(path, root, "/", "phase", phase);
    if (!s && (*phase < 0 || *phase > 6 || (freq != CIV_FREQ_WEEKLY && *phase != 0)))
        s = fail_obj(CIV_ERR_SCHEMA, path, "/", "phase is %lld; expected 0..6 for weekly panels, 0 otherwise",
                     (long long)*phase);
    /* Optional (added after schema_version 1, readers ignore it): how the
     * panel's dates are written (civ_date_style), e.g. first-of-month. */
    *anchor = 0, *time_sep = 0;
    if (!s && H5Aexists(root, "date_anchor") > 0)
        s = read_attr_int(path, root, "/", "date_anchor", anchor);
    if (!s && H5Aexists(root, "date_time_sep") > 0)
        s = read_attr_int(path, root, "/", "date_time_sep", time_sep);
    if (!s && (*anchor < 0 || *anchor > 2 || (*time_sep != 0 && *time_sep != ' ' && *time_sep != 'T')))
        s = fail_obj(CIV_ERR_SCHEMA, path, "/", "date_anchor %lld / date_time_sep %lld: expected 0..2 and 0, 32 or 84",
                     (long long)*anchor, (long long)*time_sep);
done:
    CLOSE_ID(H5Oclose, root);
    *freq_out = freq;
    return s;
}

/* The series lengths are non-negative and add up to the values' count. */
static civ_status check_lengths(const char *path, const int64_t *lengths, size_t n, size_t n_values)
{
    size_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (lengths[i] < 0)
            return fail_obj(CIV_ERR_SCHEMA, path, "/series/length", "index %zu: negative length %lld", i,
                            (long long)lengths[i]);
        if ((uint64_t)lengths[i] > n_values - sum)
            return fail_obj(CIV_ERR_SCHEMA, path, "/series/length",
                            "lengths add up to more than the %zu elements of /values", n_values);
        sum += (size_t)lengths[i];
    }
    if (sum != n_values)
        return fail_obj(CIV_ERR_SCHEMA, path, "/series/length", "lengths add up to %zu but /values has %zu elements",
                        sum, n_values);
    return CIV_OK;
}

/* The optional parts: covariates (no covariate_names dataset means none;
 * the names go to *cov_names for the caller to free) and attributes. */
static civ_status read_panel_optional(const char *path, hid_t file, civ_panel *p, char ***cov_names, size_t *n_cov)
{
    civ_status s = CIV_OK;
    if (link_exists(file, "/covariate_names")) {
        s = read_strings(path, file, "/covariate_names", SIZE_MAX, NULL, cov_names, n_cov);
        for (size_t k = 0; k < *n_cov && !s; k++)
            s = read_covariate(path, file, p, (*cov_names)[k]);
        if (s)
            return s;
    }
    if (link_exists(file, "/attributes")) {
        civ_table *attrs = NULL;
        s = read_table_group(path, file, "/attributes", &attrs);
        if (s)
            return s;
        civ_status a = civ_panel_set_attributes(p, attrs);
        if (a) {
            civ_table_free(attrs);
            return rewrap(a, path, "/attributes/columns/unique_id");
        }
    }
    return CIV_OK;
}

/* A series id that looks like a sheet's total row is refused, as the CSV reader does (csv.c total_row_series). */
static civ_status refuse_total_rows(const char *path, char **ids, size_t n)
{
    for (size_t i = 0; n > 1 && i < n; i++)
        if (civ_total_row_series(ids[i])) {
            civ_where w = {.file = path, .field = "/series/unique_id", .series_id = ids[i]};
            return civ_fail_at(CIV_ERR_PARSE, &w,
                               "index %zu: '%s' looks like the sheet's total row, not a series: it would be "
                               "forecast and counted as one more community; drop it (civicast sums the series "
                               "itself: convert --hierarchy gives district and city totals), or rename the series "
                               "if it is one of its own",
                               i, ids[i]);
        }
    return CIV_OK;
}

/* The n series into p: ids, starts, lengths, and their values one after another; each span checked for the
 * file's frequency and phase. */
static civ_status add_all_series(const char *path, civ_panel *p, civ_frequency freq, int phase, char **ids,
                                 const int64_t *starts, const int64_t *lengths, const double *values, size_t n)
{
    size_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (!ids[i][0])
            return fail_obj(CIV_ERR_SCHEMA, path, "/series/unique_id", "index %zu: empty series id", i);
        civ_status s = check_span(path, "/series/start", ids[i], freq, phase, starts[i], (size_t)lengths[i]);
        if (s)
            return s;
        civ_status a = civ_panel_add_series(p, ids[i], starts[i], values + sum, (size_t)lengths[i], NULL);
        if (a)
            return rewrap(a, path, a == CIV_ERR_DOMAIN ? "/values" : "/series/unique_id");
        sum += (size_t)lengths[i];
    }
    return CIV_OK;
}

static civ_status read_panel_impl(const char *path, civ_panel **out)
{
    hid_t file;
    civ_status s = open_for_reading(path, &file);
    if (s)
        return s;
    civ_panel *p = NULL;
    char **ids = NULL, **cov_names = NULL;
    int64_t *starts = NULL, *lengths = NULL;
    double *values = NULL;
    size_t n = 0, n_starts = 0, n_lengths = 0, n_values = 0, n_cov = 0;
    civ_frequency freq = CIV_FREQ_UNKNOWN;
    int64_t phase = 0, anchor = 0, time_sep = 0;

    s = check_schema(path, file, "/", SCHEMA_PANEL);
    if (!s)
        s = read_panel_root(path, file, &freq, &phase, &anchor, &time_sep);
    if (s)
        goto done;

    s = read_strings(path, file, "/series/unique_id", SIZE_MAX, NULL, &ids, &n);
    if (!s)
        s = read_int64s(path, file, "/series/start", n, "one per series", &starts, &n_starts);
    if (!s)
        s = read_int64s(path, file, "/series/length", n, "one per series", &lengths, &n_lengths);
    if (!s)
        s = read_doubles(path, file, "/values", SIZE_MAX, NULL, &values, &n_values);
    if (s)
        goto done;
    if ((s = check_lengths(path, lengths, n, n_values)))
        goto done;
    if (freq == CIV_FREQ_UNKNOWN && n > 0) {
        s = fail_obj(CIV_ERR_SCHEMA, path, "/", "frequency 'unknown' is only valid for a panel without series");
        goto done;
    }
    if ((s = civ_panel_create(freq == CIV_FREQ_UNKNOWN ? CIV_FREQ_MONTHLY : freq, &p)) ||
        (s = civ_panel_set_phase(p, (int)phase)) ||
        (s = civ_panel_set_date_style(p, (civ_date_style){(civ_date_anchor)anchor, (char)time_sep})) ||
        (s = civ_panel_reserve(p, n, n_values)))
        goto done;
    p->freq = freq; /* UNKNOWN only for an empty panel, as the CSV reader makes it */
    if ((s = refuse_total_rows(path, ids, n)) ||
        (s = add_all_series(path, p, freq, (int)phase, ids, starts, lengths, values, n)) ||
        (s = civ_ids_split_by_spaces(p->ids, p->n_series, &p->id_index, path, "/series/unique_id")))
        goto done; /* '0101 ' and '0101' (h5py, to_hdf of a sheet's ids): one community split in two, as in a CSV */
    free(values);
    values = NULL;

    s = read_panel_optional(path, file, p, &cov_names, &n_cov);
done:
    if (H5Fclose(file) < 0 && !s)
        s = fail_h5(path, NULL, "close the file");
    free_strings(ids, n);
    free_strings(cov_names, n_cov);
    free(starts);
    free(lengths);
    free(values);
    if (s) {
        civ_panel_free(p);
        return s;
    }
    *out = p;
    return CIV_OK;
}

/* ------------------------------------------------------------------------ */
/* Writing                                                                  */
/* ------------------------------------------------------------------------ */

/* HDF5 1.10 closes every file still open when the process exits
 * (H5_term_library, registered with atexit at its first call).  A file whose
 * H5Fclose failed stays half-destroyed in its tables and that final close
 * crashes (SIGSEGV in H5F__close_cb after a full disk, issue 18).  So the
 * library's own exit hook is replaced by one that skips the shutdown once a
 * close has failed: the process is ending, the kernel closes the descriptor,
 * and the caller has already been told that the write failed.  If the host
 * initialised HDF5 before civicast was loaded (h5py imported first),
 * H5dont_atexit has no effect and HDF5's hook stays. */
static atomic_int h5_close_failed;

static void h5_at_exit(void)
{
    if (!atomic_load(&h5_close_failed))
        H5close();
}

__attribute__((constructor)) static void h5_exit_hook(void)
{
    if (H5dont_atexit() >= 0)
        atexit(h5_at_exit);
}

typedef struct h5_writer {
    const char *path; /* destination, for messages */
    const char *temp_path; /* the temporary file being written */
    hid_t file;
    hid_t lcpl;       /* link names are UTF-8 */
    hid_t str_type;   /* variable-length UTF-8 string */
} h5_writer;

static civ_status writer_open(h5_writer *w, const char *path, const char *temp_path)
{
    w->path = path;
    w->temp_path = temp_path;
    w->file = w->lcpl = w->str_type = H5I_INVALID_HID;
    if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0 || H5Zfilter_avail(H5Z_FILTER_SHUFFLE) <= 0)
        return fail_obj(CIV_ERR_UNSUPPORTED, path, NULL, "this HDF5 library lacks the deflate or shuffle filter");
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS), fcpl = H5Pcreate(H5P_FILE_CREATE);
    if (fapl >= 0 && fcpl >= 0) {
        H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
        H5Pset_file_locking(fapl, 1, 1);
        /* No object timestamps (root group here, groups and datasets
         * below): the same data must give the same bytes on every run
         * (tests/test_determinism.c, tests/cli/kill_write.sh). */
        H5Pset_obj_track_times(fcpl, 0);
        w->file = H5Fcreate(temp_path, H5F_ACC_TRUNC, fcpl, fapl);
    }
    civ_status s = w->file < 0 ? fail_h5(path, NULL, "create the file") : CIV_OK;
    if (fapl >= 0)
        H5Pclose(fapl);
    if (fcpl >= 0)
        H5Pclose(fcpl);
    if (s)
        return s;
    w->lcpl = H5Pcreate(H5P_LINK_CREATE);
    w->str_type = H5Tcopy(H5T_C_S1);
    if (w->lcpl < 0 || w->str_type < 0 || H5Pset_char_encoding(w->lcpl, H5T_CSET_UTF8) < 0 ||
        H5Tset_size(w->str_type, H5T_VARIABLE) < 0 || H5Tset_cset(w->str_type, H5T_CSET_UTF8) < 0)
        return fail_h5(path, NULL, "set up string types");
    return CIV_OK;
}

/* Closes everything; when `check` is set, reports a failing close (the last
 * flush of metadata happens there). */
static civ_status writer_close(h5_writer *w, int check)
{
    civ_status s = CIV_OK;
    CLOSE_ID(H5Pclose, w->lcpl);
    CLOSE_ID(H5Tclose, w->str_type);
    if (w->file >= 0) {
        /* A failing H5Fclose (its last metadata flush hits a full disk)
         * leaves a half-destroyed file inside HDF5 1.10, which crashes in
         * H5F__close_cb when the library shuts down at exit, or in a second
         * H5Fclose (issue 18).  So the flush is done first, where a failure
         * leaves the file intact: if it fails, the temporary file (about to
         * be deleted anyway) gives its blocks back to the disk (truncated
         * to 0) and is flushed again, so the close itself has nothing left to
         * fail on.  The write has failed whatever happens next. */
        herr_t e = H5Fflush(w->file, H5F_SCOPE_GLOBAL);
        if (e < 0) {
            if (check)
                s = fail_h5(w->path, NULL, "finish writing the file");
            check = 0;
            if (w->temp_path && truncate(w->temp_path, 0) == 0)
                (void)H5Fflush(w->file, H5F_SCOPE_GLOBAL);
        }
        e = H5Fclose(w->file);
        if (e < 0)
            atomic_store(&h5_close_failed, 1);
        w->file = H5I_INVALID_HID;
        if (e < 0 && check)
            s = fail_h5(w->path, NULL, "finish writing the file");
    }
    return s;
}

static civ_status write_attr_text(h5_writer *w, hid_t loc, const char *where, const char *name, const char *value)
{
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t attr = space >= 0 ? H5Acreate2(loc, name, w->str_type, space, H5P_DEFAULT, H5P_DEFAULT) : -1;
    civ_status s = CIV_OK;
    if (attr < 0 || H5Awrite(attr, w->str_type, &value) < 0)
        s = fail_h5(w->path, where, "write an attribute");
    CLOSE_ID(H5Aclose, attr);
    CLOSE_ID(H5Sclose, space);
    return s;
}

static civ_status write_attr_int(h5_writer *w, hid_t loc, const char *where, const char *name, int64_t value)
{
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t attr = space >= 0 ? H5Acreate2(loc, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT) : -1;
    civ_status s = CIV_OK;
    if (attr < 0 || H5Awrite(attr, H5T_NATIVE_INT64, &value) < 0)
        s = fail_h5(w->path, where, "write an attribute");
    CLOSE_ID(H5Aclose, attr);
    CLOSE_ID(H5Sclose, space);
    return s;
}

static civ_status write_schema(h5_writer *w, hid_t loc, const char *where, const char *schema)
{
    civ_status s = write_attr_text(w, loc, where, "schema", schema);
    if (!s)
        s = write_attr_int(w, loc, where, "schema_version", CIV_H5_SCHEMA_VERSION);
    if (!s)
        s = write_attr_text(w, loc, where, "civicast_version", civ_version());
    return s;
}

static civ_status make_group(h5_writer *w, const char *object)
{
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    if (gcpl >= 0)
        H5Pset_obj_track_times(gcpl, 0); /* reproducible bytes, as in writer_open */
    hid_t g = H5Gcreate2(w->file, object, w->lcpl, gcpl >= 0 ? gcpl : H5P_DEFAULT, H5P_DEFAULT);
    if (gcpl >= 0)
        H5Pclose(gcpl);
    if (g < 0)
        return fail_h5(w->path, object, "create the group");
    H5Gclose(g);
    return CIV_OK;
}

/* Writes `n` elements of `buf` (memory type mtype) as the 1-D dataset
 * `object` of file type ftype: chunked, shuffled, deflated, unlimited. */
static civ_status write_1d(h5_writer *w, const char *object, hid_t ftype, hid_t mtype, size_t n, size_t chunk_max,
                           const void *buf)
{
    hsize_t dim = n, maxdim = H5S_UNLIMITED, chunk = n == 0 ? 1 : n < chunk_max ? n : chunk_max;
    hid_t space = H5Screate_simple(1, &dim, &maxdim), dcpl = H5Pcreate(H5P_DATASET_CREATE), dset = -1;
    civ_status s = CIV_OK;
    if (space < 0 || dcpl < 0 || H5Pset_chunk(dcpl, 1, &chunk) < 0 || H5Pset_shuffle(dcpl) < 0 ||
        H5Pset_deflate(dcpl, DEFLATE_LEVEL) < 0 || H5Pset_obj_track_times(dcpl, 0) < 0) {
        s = fail_h5(w->path, object, "set up the dataset");
    } else {
        dset = H5Dcreate2(w->file, object, ftype, space, w->lcpl, dcpl, H5P_DEFAULT);
        if (dset < 0)
            s = fail_h5(w->path, object, "create the dataset");
        else if (n > 0 && H5Dwrite(dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
            s = fail_h5(w->path, object, "write the dataset");
    }
    CLOSE_ID(H5Dclose, dset);
    CLOSE_ID(H5Pclose, dcpl);
    CLOSE_ID(H5Sclose, space);
    return s;
}

static civ_status write_doubles(h5_writer *w, const char *object, const double *v, size_t n)
{
    return write_1d(w, object, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n, CHUNK_NUMBERS, v);
}

static civ_status write_int64s(h5_writer *w, const char *object, const int64_t *v, size_t n)
{
    return write_1d(w, object, H5T_STD_I64LE, H5T_NATIVE_INT64, n, CHUNK_NUMBERS, v);
}

/* NULL entries are written as "". */
static civ_status write_strings(h5_writer *w, const char *object, char *const *v, size_t n)
{
    const char **tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!tmp)
        return oom(w->path, object);
    for (size_t i = 0; i < n; i++)
        tmp[i] = v[i] ? v[i] : "";
    civ_status s = write_1d(w, object, w->str_type, w->str_type, n, CHUNK_STRINGS, tmp);
    free(tmp);
    return s;
}

/* Writes table t under `group` ("/" for a table file). */
static civ_status write_table_group(h5_writer *w, const char *group, const civ_table *t)
{
    const char *prefix = strcmp(group, "/") ? group : "";
    civ_status s = CIV_OK;
    if (prefix[0] && (s = make_group(w, group)))
        return s;
    hid_t loc = H5Oopen(w->file, group, H5P_DEFAULT);
    if (loc < 0)
        return fail_h5(w->path, group, "open the group");
    s = write_schema(w, loc, group, SCHEMA_TABLE);
    if (!s)
        s = write_attr_int(w, loc, group, "n_rows", (int64_t)t->n_rows);
    H5Oclose(loc);
    char *names_path = object_path(prefix, "/column_names", NULL, "");
    char *cols_path = object_path(prefix, "/columns", NULL, "");
    char **names = malloc((t->n_columns ? t->n_columns : 1) * sizeof *names);
    if (!s && (!names_path || !cols_path || !names))
        s = oom(w->path, group);
    if (!s) {
        for (size_t c = 0; c < t->n_columns; c++)
            names[c] = t->columns[c].name;
        s = write_strings(w, names_path, names, t->n_columns);
    }
    if (!s)
        s = make_group(w, cols_path);
    for (size_t c = 0; c < t->n_columns && !s; c++) {
        const civ_table_column *col = &t->columns[c];
        char *obj = object_path(cols_path, "/", col->name, "");
        if (!obj)
            s = oom(w->path, cols_path);
        else if (col->type == CIV_COLUMN_NUMBER)
            s = write_doubles(w, obj, col->numbers, t->n_rows);
        else
            s = write_strings(w, obj, col->texts, t->n_rows);
        free(obj);
    }
    free(names);
    free(names_path);
    free(cols_path);
    return s;
}

static civ_status write_panel_body(h5_writer *w, const civ_panel *p)
{
    size_t n = p->n_series;
    civ_status s;
    hid_t root = H5Oopen(w->file, "/", H5P_DEFAULT);
    if (root < 0)
        return fail_h5(w->path, "/", "open the root group");
    s = write_schema(w, root, "/", SCHEMA_PANEL);
    if (!s)
        s = write_attr_text(w, root, "/", "frequency", civ_frequency_name(p->freq));
    if (!s)
        s = write_attr_int(w, root, "/", "phase", p->phase);
    if (!s && p->style.anchor != CIV_ANCHOR_PERIOD)
        s = write_attr_int(w, root, "/", "date_anchor", (int64_t)p->style.anchor);
    if (!s && p->style.time_sep)
        s = write_attr_int(w, root, "/", "date_time_sep", (int64_t)p->style.time_sep);
    H5Oclose(root);
    if (s)
        return s;

    int64_t *lengths = malloc((n ? n : 1) * sizeof *lengths);
    if (!lengths)
        return oom(w->path, "/series/length");
    for (size_t i = 0; i < n; i++)
        lengths[i] = (int64_t)(p->offsets[i + 1] - p->offsets[i]);
    if (!(s = make_group(w, "/series")) && !(s = write_strings(w, "/series/unique_id", p->ids, n)) &&
        !(s = write_int64s(w, "/series/start", p->starts, n)) &&
        !(s = write_int64s(w, "/series/length", lengths, n)))
        s = write_doubles(w, "/values", p->values, p->offsets[n]);

    /* Covariates: per series lengths, values back to back. */
    char **cov_names = malloc((p->n_covariates ? p->n_covariates : 1) * sizeof *cov_names);
    if (!s && !cov_names)
        s = oom(w->path, "/covariate_names");
    if (!s) {
        for (size_t k = 0; k < p->n_covariates; k++)
            cov_names[k] = p->covariates[k].name;
        s = write_strings(w, "/covariate_names", cov_names, p->n_covariates);
    }
    if (!s)
        s = make_group(w, "/covariates");
    for (size_t k = 0; k < p->n_covariates && !s; k++) {
        const civ_panel_covariate_store *c = &p->covariates[k];
        size_t total = 0;
        for (size_t i = 0; i < n; i++) {
            lengths[i] = (int64_t)c->len[i];
            total += c->len[i];
        }
        char *grp = object_path("/covariates/", "", c->name, "");
        char *len_path = object_path("/covariates/", "", c->name, "/length");
        char *val_path = object_path("/covariates/", "", c->name, "/values");
        double *v = malloc((total ? total : 1) * sizeof *v);
        if (!grp || !len_path || !val_path || !v) {
            s = oom(w->path, "/covariates");
        } else {
            size_t at = 0;
            for (size_t i = 0; i < n; i++) {
                if (c->len[i])
                    memcpy(v + at, c->values[i], c->len[i] * sizeof *v);
                at += c->len[i];
            }
            if (!(s = make_group(w, grp)) && !(s = write_int64s(w, len_path, lengths, n)))
                s = write_doubles(w, val_path, v, total);
        }
        free(v);
        free(grp);
        free(len_path);
        free(val_path);
    }
    free(cov_names);
    free(lengths);
    if (!s && p->attributes)
        s = write_table_group(w, "/attributes", p->attributes);
    return s;
}

/* Makes the renamed file durable: HDF5 flushes but does not fsync. */
static civ_status sync_file(const char *path, const char *temp_path)
{
    int fd = open(temp_path, O_RDONLY);
    if (fd < 0 || fsync(fd) != 0) {
        int err = errno;
        if (fd >= 0)
            close(fd);
        civ_where w = {.file = path};
        return civ_fail_at(CIV_ERR_IO, &w, "cannot sync the file to disk: %s", strerror(err));
    }
    close(fd);
    return CIV_OK;
}

/* Shared frame of both writers: temporary file, body, close, sync, rename. */
static civ_status write_atomically(const char *path, const civ_panel *panel, const civ_table *table)
{
    civ_atomic_file af;
    civ_status s = civ_atomic_reserve(&af, path);
    if (s)
        return s;
    h5_writer w;
    s = writer_open(&w, path, af.temp_path);
    if (!s)
        s = panel ? write_panel_body(&w, panel) : write_table_group(&w, "/", table);
    civ_status c = writer_close(&w, !s);
    if (!s)
        s = c;
    if (!s)
        s = sync_file(path, af.temp_path);
    if (!s)
        return civ_atomic_commit(&af);
    civ_atomic_abort(&af);
    return s;
}

static civ_status write_panel_impl(const civ_panel *p, const char *path)
{
    /* Refuse what the reader would refuse, so every file we write reads back. */
    for (size_t i = 0; i < p->n_series; i++) {
        size_t len = p->offsets[i + 1] - p->offsets[i];
        for (size_t k = 0; k < p->n_covariates; k++)
            if (p->covariates[k].len[i] > len)
                len = p->covariates[k].len[i];
        civ_status s = check_span(path, "/series/start", p->ids[i], p->freq, p->phase, p->starts[i], len);
        if (s)
            return s;
    }
    return write_atomically(path, p, NULL);
}

/* ------------------------------------------------------------------------ */
/* Entry points: one lock, HDF5's printing off, and restored afterwards     */
/* ------------------------------------------------------------------------ */

typedef struct h5_session {
    H5E_auto2_t func;
    void *data;
} h5_session;

static void session_begin(h5_session *ss)
{
    pthread_mutex_lock(&h5_lock);
    ss->func = NULL;
    ss->data = NULL;
    /* Keep the host's handler (e.g. an application's) and restore it. */
    if (H5Eget_auto2(H5E_DEFAULT, &ss->func, &ss->data) < 0)
        ss->func = NULL, ss->data = NULL;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void session_end(h5_session *ss)
{
    H5Eclear2(H5E_DEFAULT);
    H5Eset_auto2(H5E_DEFAULT, ss->func, ss->data);
    pthread_mutex_unlock(&h5_lock);
}

civ_status civ_panel_read_hdf5(const char *path, civ_panel **out)
{
    if (!out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_read_hdf5: out is NULL");
    *out = NULL;
    h5_session ss;
    session_begin(&ss);
    civ_status s = read_panel_impl(path, out);
    session_end(&ss);
    return s;
}

civ_status civ_panel_write_hdf5(const civ_panel *panel, const char *path)
{
    if (!panel)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_panel_write_hdf5: panel is NULL");
    h5_session ss;
    session_begin(&ss);
    civ_status s = write_panel_impl(panel, path);
    session_end(&ss);
    return s;
}

civ_status civ_table_read_hdf5(const char *path, civ_table **out)
{
    if (!out)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_table_read_hdf5: out is NULL");
    *out = NULL;
    h5_session ss;
    session_begin(&ss);
    civ_status s = read_table_impl(path, out);
    session_end(&ss);
    if (!s && (s = civ_table_set_source(*out, path, 1))) { /* errors found later name the file and row */
        civ_table_free(*out);
        *out = NULL;
    }
    return s;
}

civ_status civ_table_write_hdf5(const civ_table *table, const char *path)
{
    if (!table)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_table_write_hdf5: table is NULL");
    h5_session ss;
    session_begin(&ss);
    civ_status s = write_atomically(path, NULL, table);
    session_end(&ss);
    return s;
}

/* ------------------------------------------------------------------------ */
/* A table written in chunks of rows (table_stream.h)                       */
/* ------------------------------------------------------------------------ */

/* The layout is write_table_group's at the root, with every column dataset
 * created empty and extended by each chunk (the datasets are chunked with
 * unlimited size already), and n_rows written last. */
struct civ_h5_table_stream {
    civ_atomic_file af;
    h5_writer w;
    int open;               /* w.file is open */
    size_t n_columns, n_rows;
    hid_t *dsets;           /* n_columns, once the first chunk fixed the columns */
    char **names;
    civ_column_type *types;
};

static civ_status stream_columns(civ_h5_table_stream *ts, const civ_table *t)
{
    size_t n = t->n_columns;
    ts->dsets = malloc((n ? n : 1) * sizeof *ts->dsets);
    ts->names = calloc(n ? n : 1, sizeof *ts->names);
    ts->types = malloc((n ? n : 1) * sizeof *ts->types);
    if (!ts->dsets || !ts->names || !ts->types)
        return oom(ts->w.path, "/columns");
    for (size_t c = 0; c < n; c++) {
        ts->dsets[c] = H5I_INVALID_HID;
        ts->types[c] = t->columns[c].type;
        if (!(ts->names[c] = strdup(t->columns[c].name)))
            return oom(ts->w.path, "/columns");
    }
    ts->n_columns = n;
    hid_t root = H5Oopen(ts->w.file, "/", H5P_DEFAULT);
    if (root < 0)
        return fail_h5(ts->w.path, "/", "open the group");
    civ_status s = write_schema(&ts->w, root, "/", SCHEMA_TABLE);
    H5Oclose(root);
    if (!s)
        s = write_strings(&ts->w, "/column_names", ts->names, n);
    if (!s)
        s = make_group(&ts->w, "/columns");
    for (size_t c = 0; c < n && !s; c++) {
        int num = ts->types[c] == CIV_COLUMN_NUMBER;
        hsize_t dim = 0, maxdim = H5S_UNLIMITED, chunk = num ? CHUNK_NUMBERS : CHUNK_STRINGS;
        char *obj = object_path("/columns", "/", ts->names[c], "");
        hid_t space = H5Screate_simple(1, &dim, &maxdim), dcpl = H5Pcreate(H5P_DATASET_CREATE);
        if (!obj)
            s = oom(ts->w.path, "/columns");
        else if (space < 0 || dcpl < 0 || H5Pset_chunk(dcpl, 1, &chunk) < 0 || H5Pset_shuffle(dcpl) < 0 ||
                 H5Pset_deflate(dcpl, DEFLATE_LEVEL) < 0 || H5Pset_obj_track_times(dcpl, 0) < 0)
            s = fail_h5(ts->w.path, obj, "set up the dataset");
        else if ((ts->dsets[c] = H5Dcreate2(ts->w.file, obj, num ? H5T_IEEE_F64LE : ts->w.str_type, space,
                                            ts->w.lcpl, dcpl, H5P_DEFAULT)) < 0)
            s = fail_h5(ts->w.path, obj, "create the dataset");
        CLOSE_ID(H5Pclose, dcpl);
        CLOSE_ID(H5Sclose, space);
        free(obj);
    }
    return s;
}

/* Appends rows [0, t->n_rows) of column c at row ts->n_rows. */
static civ_status stream_column(civ_h5_table_stream *ts, const civ_table *t, size_t c)
{
    const civ_table_column *col = &t->columns[c];
    hsize_t at = ts->n_rows, count = t->n_rows, total = at + count;
    hid_t d = ts->dsets[c], fspace = -1, mspace = -1;
    const char **tmp = NULL;
    civ_status s = CIV_OK;
    const void *buf = col->numbers;
    if (col->type == CIV_COLUMN_TEXT) {
        tmp = malloc(t->n_rows * sizeof *tmp);
        if (!tmp)
            return oom(ts->w.path, col->name);
        for (size_t r = 0; r < t->n_rows; r++)
            tmp[r] = col->texts[r] ? col->texts[r] : "";
        buf = tmp;
    }
    if (H5Dset_extent(d, &total) < 0 || (fspace = H5Dget_space(d)) < 0 ||
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &at, NULL, &count, NULL) < 0 ||
        (mspace = H5Screate_simple(1, &count, NULL)) < 0 ||
        H5Dwrite(d, col->type == CIV_COLUMN_NUMBER ? H5T_NATIVE_DOUBLE : ts->w.str_type, mspace, fspace, H5P_DEFAULT,
                 buf) < 0)
        s = fail_h5(ts->w.path, col->name, "write the dataset");
    CLOSE_ID(H5Sclose, mspace);
    CLOSE_ID(H5Sclose, fspace);
    free(tmp);
    return s;
}

static civ_status stream_append_impl(civ_h5_table_stream *ts, const civ_table *t)
{
    civ_status s = CIV_OK;
    if (!ts->dsets && (s = stream_columns(ts, t)))
        return s;
    if (t->n_columns != ts->n_columns)
        return fail_obj(CIV_ERR_INVALID_ARGUMENT, ts->w.path, NULL, "a chunk has %zu columns, the first had %zu",
                        t->n_columns, ts->n_columns);
    for (size_t c = 0; c < t->n_columns; c++)
        if (t->columns[c].type != ts->types[c] || strcmp(t->columns[c].name, ts->names[c]))
            return fail_obj(CIV_ERR_INVALID_ARGUMENT, ts->w.path, NULL, "column %zu of a chunk is not the first's",
                            c + 1);
    for (size_t c = 0; c < t->n_columns && !s && t->n_rows; c++)
        s = stream_column(ts, t, c);
    if (!s)
        ts->n_rows += t->n_rows;
    return s;
}

static void stream_close_sets(civ_h5_table_stream *ts)
{
    for (size_t c = 0; ts->dsets && c < ts->n_columns; c++)
        CLOSE_ID(H5Dclose, ts->dsets[c]);
}

static void stream_free(civ_h5_table_stream *ts)
{
    for (size_t c = 0; ts->names && c < ts->n_columns; c++)
        free(ts->names[c]);
    free(ts->names);
    free(ts->types);
    free(ts->dsets);
    free(ts);
}

civ_status civ_h5_table_stream_open(const char *path, civ_h5_table_stream **out)
{
    *out = NULL;
    civ_h5_table_stream *ts = calloc(1, sizeof *ts);
    if (!ts)
        return oom(path, NULL);
    civ_status s = civ_atomic_reserve(&ts->af, path);
    if (s) {
        free(ts);
        return s;
    }
    h5_session ss;
    session_begin(&ss);
    s = writer_open(&ts->w, ts->af.path, ts->af.temp_path);
    ts->open = 1;
    if (s) {
        writer_close(&ts->w, 0);
        ts->open = 0;
    }
    session_end(&ss);
    if (s) {
        civ_atomic_abort(&ts->af);
        stream_free(ts);
        return s;
    }
    *out = ts;
    return CIV_OK;
}

civ_status civ_h5_table_stream_append(civ_h5_table_stream *ts, const civ_table *t)
{
    h5_session ss;
    session_begin(&ss);
    civ_status s = stream_append_impl(ts, t);
    session_end(&ss);
    return s;
}

civ_status civ_h5_table_stream_commit(civ_h5_table_stream *ts, const civ_table *empty)
{
    h5_session ss;
    session_begin(&ss);
    civ_status s = ts->dsets ? CIV_OK : stream_columns(ts, empty);
    if (!s) {
        hid_t root = H5Oopen(ts->w.file, "/", H5P_DEFAULT);
        s = root < 0 ? fail_h5(ts->w.path, "/", "open the group")
                     : write_attr_int(&ts->w, root, "/", "n_rows", (int64_t)ts->n_rows);
        if (root >= 0)
            H5Oclose(root);
    }
    stream_close_sets(ts);
    civ_status c = writer_close(&ts->w, !s);
    ts->open = 0;
    if (!s)
        s = c;
    session_end(&ss);
    if (!s)
        s = sync_file(ts->af.path, ts->af.temp_path);
    if (!s)
        s = civ_atomic_commit(&ts->af);
    else
        civ_atomic_abort(&ts->af);
    stream_free(ts);
    return s;
}

void civ_h5_table_stream_abort(civ_h5_table_stream *ts)
{
    if (!ts)
        return;
    h5_session ss;
    session_begin(&ss);
    stream_close_sets(ts);
    if (ts->open)
        writer_close(&ts->w, 0);
    session_end(&ss);
    civ_atomic_abort(&ts->af);
    stream_free(ts);
}
