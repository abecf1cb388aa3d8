/*
 * paths.c -- layer: io.  civ_paths_check (civicast.h): refuses a run whose
 * output is one of its inputs or another of its outputs, before anything
 * runs (issue 18.5: `--out in.csv` replaced the input; `--out x.csv
 * --report x.csv` lost the forecasts).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "c_locale.h"
#include "civicast.h"
#include "error.h"

enum { KEY_BYTES = 8192 };

/* A path's identity: device and inode when the file exists, else its
 * normalised absolute path (the parent's real path + the last name). */
typedef struct path_key {
    int exists;
    dev_t dev;
    ino_t ino;
    char norm[KEY_BYTES];
} path_key;

/* Collapses "//", "/./" and "/x/.." in an absolute path, in place. */
static void collapse(char *p)
{
    char *out = p;
    for (const char *q = p; *q;) {
        while (*q == '/')
            q++;
        const char *e = strchr(q, '/');
        size_t len = e ? (size_t)(e - q) : strlen(q);
        if (len == 0)
            break;
        if (len == 1 && q[0] == '.') {
        } else if (len == 2 && q[0] == '.' && q[1] == '.') {
            while (out > p && *--out != '/')
                ;
        } else {
            *out++ = '/';
            memmove(out, q, len);
            out += len;
        }
        q += len;
    }
    if (out == p)
        *out++ = '/';
    *out = '\0';
}

static void make_key(const char *path, path_key *k)
{
    struct stat st;
    memset(k, 0, sizeof *k);
    if (stat(path, &st) == 0) {
        k->exists = 1;
        k->dev = st.st_dev;
        k->ino = st.st_ino;
        return;
    }
    char abs[KEY_BYTES];
    if (path[0] == '/')
        civ_snprintf(abs, sizeof abs, "%s", path);
    else {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd))
            cwd[0] = '\0';
        civ_snprintf(abs, sizeof abs, "%s/%s", cwd, path);
    }
    collapse(abs);
    /* the parent's symbolic links resolved, when it exists */
    char *slash = strrchr(abs, '/');
    char parent[KEY_BYTES], real[PATH_MAX];
    civ_snprintf(parent, sizeof parent, "%.*s", slash == abs ? 1 : (int)(slash - abs), abs);
    if (realpath(parent, real))
        civ_snprintf(k->norm, sizeof k->norm, "%s/%s", strcmp(real, "/") ? real : "", slash + 1);
    else
        civ_snprintf(k->norm, sizeof k->norm, "%s", abs);
}

static int same(const path_key *a, const path_key *b)
{
    if (a->exists != b->exists)
        return 0;
    return a->exists ? a->dev == b->dev && a->ino == b->ino : !strcmp(a->norm, b->norm);
}

civ_status civ_paths_check(const civ_path_role *paths, size_t n)
{
    if (n && !paths)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_paths_check: NULL paths");
    path_key *keys = calloc(n ? n : 1, sizeof *keys);
    if (!keys)
        return civ_fail(CIV_ERR_OUT_OF_MEMORY, "out of memory checking %zu paths", n);
    for (size_t i = 0; i < n; i++)
        if (paths[i].path && paths[i].path[0])
            make_key(paths[i].path, &keys[i]);
    civ_status s = CIV_OK;
    for (size_t i = 0; i < n && !s; i++) {
        if (!paths[i].is_output || !paths[i].path || !paths[i].path[0])
            continue;
        for (size_t j = 0; j < n && !s; j++) {
            if (j == i || !paths[j].path || !paths[j].path[0] || (paths[j].is_output && j > i) ||
                !same(&keys[i], &keys[j]))
                continue;
            civ_where w = {.file = paths[i].path};
            const char *ri = paths[i].role ? paths[i].role : "the output";
            const char *rj = paths[j].role ? paths[j].role : (paths[j].is_output ? "the output" : "the input");
            if (paths[j].is_output)
                s = civ_fail_at(CIV_ERR_DUPLICATE, &w,
                                "%s is the same file as %s '%s': one would replace the other; give each "
                                "output its own path (nothing was run)",
                                ri, rj, paths[j].path);
            else
                s = civ_fail_at(CIV_ERR_DUPLICATE, &w,
                                "%s is the same file as %s '%s': writing it would destroy the input; "
                                "write elsewhere (nothing was run)",
                                ri, rj, paths[j].path);
        }
    }
    free(keys);
    return s;
}
