/*
 * report_assets.h -- layer report: the minified Vega, Vega-Lite and
 * Vega-Embed builds (third_party/vega/), compiled into the library by
 * cmake/embed_files.cmake so that the report needs no data files at run time.
 */
#ifndef CIV_REPORT_ASSETS_H
#define CIV_REPORT_ASSETS_H

#include <stddef.h>

extern const unsigned char civ_asset_vega[], civ_asset_vega_lite[], civ_asset_vega_embed[];
extern const size_t civ_asset_vega_len, civ_asset_vega_lite_len, civ_asset_vega_embed_len;

#endif
