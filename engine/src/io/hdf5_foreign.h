/*
 * hdf5_foreign.h -- layer: io.  The error for an HDF5 file that civicast did not write (internal to hdf5.c).
 */
#ifndef CIV_HDF5_FOREIGN_H
#define CIV_HDF5_FOREIGN_H

#include <hdf5.h>

#include "civicast.h"

/* Records and returns CIV_ERR_SCHEMA for `file` (opened from `path`), whose root has no `schema` attribute:
 * a file of pandas' DataFrame.to_hdf is named as such with the ways to bring its frame in; any other names
 * its first top-level objects.  The caller holds the HDF5 lock. */
civ_status civ_h5_foreign_file(const char *path, hid_t file);

#endif
