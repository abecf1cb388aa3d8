/*
 * fuzz_hdf5.c -- libFuzzer harness of the HDF5 readers (engine/src/io/hdf5.c):
 * civ_panel_read_hdf5 and civ_table_read_hdf5 on files mutated from valid
 * ones (the corpus holds small panel and table files written by civicast).
 *
 * Oracle beyond "no crash, no leak in civicast code": a panel that reads
 * writes back to HDF5 and reads back with the same ids and values.
 *
 * Caveat (docs/HOSTILE_INPUTS.md, "HDF5"): libhdf5 1.10.8 itself can crash
 * or loop on some byte-flipped files (global heap, metadata cache, B-tree
 * code).  Those crashes are in the library, not in civicast; the fuzzer is
 * run with -fork and -ignore_crashes so it keeps going, and each crash stack
 * is triaged: one whose frames above libhdf5 are only civicast's read calls
 * is a libhdf5 defect (kept in crashers/hdf5-lib/, not replayed), one in
 * civicast code is fixed and kept in crashers/hdf5/ (replayed).
 */
#include "fuzz_common.h"

static int fuzz_hdf5(const uint8_t *data, size_t size)
{
    char in[256], out[256];
    fuzz_scratch_path(in, sizeof in, "in", ".h5");
    fuzz_scratch_path(out, sizeof out, "out", ".h5");
    if (!fuzz_write_file(in, data, size))
        return 0;
    civ_panel *p = NULL;
    civ_status s = civ_panel_read_hdf5(in, &p);
    FUZZ_CHECK(s >= CIV_OK && s < CIV_STATUS_COUNT_);
    FUZZ_CHECK(s == CIV_OK || p == NULL);
    if (s == CIV_OK) {
        civ_panel_summary sum;
        FUZZ_CHECK(civ_panel_summarize(p, &sum) == CIV_OK);
        if (civ_panel_write_hdf5(p, out) == CIV_OK) {
            civ_panel *q = NULL;
            FUZZ_CHECK(civ_panel_read_hdf5(out, &q) == CIV_OK);
            size_t n = civ_panel_n_series(p);
            FUZZ_CHECK(civ_panel_n_series(q) == n);
            for (size_t i = 0; i < n; i++) {
                const double *a, *b;
                size_t na, nb;
                FUZZ_CHECK(strcmp(civ_panel_series_id(p, i), civ_panel_series_id(q, i)) == 0);
                FUZZ_CHECK(civ_panel_series(p, i, &a, &na, NULL) == CIV_OK);
                FUZZ_CHECK(civ_panel_series(q, i, &b, &nb, NULL) == CIV_OK);
                FUZZ_CHECK(na == nb);
                for (size_t t = 0; t < na; t++)
                    FUZZ_CHECK(fuzz_same_double(a[t], b[t]));
            }
            civ_panel_free(q);
        }
        civ_panel_free(p);
    }
    civ_table *t = NULL;
    s = civ_table_read_hdf5(in, &t);
    FUZZ_CHECK(s >= CIV_OK && s < CIV_STATUS_COUNT_);
    FUZZ_CHECK(s == CIV_OK || t == NULL);
    civ_table_free(t);
    unlink(in);
    unlink(out);
    return 0;
}

#ifndef CIV_FUZZ_NO_ENTRY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_hdf5(data, size);
}
#endif
