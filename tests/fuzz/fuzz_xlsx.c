/*
 * fuzz_xlsx.c -- libFuzzer harness of the Excel workbook reader (engine/src/io/xlsx_read.c) through
 * civ_table_read, civ_panel_read and the wide panel reader.
 *
 * The input is a worksheet's XML after one flag byte; the harness zips it (minizip) with a fixed
 * workbook: bit 0 of the flag byte sets the 1904 date system, bit 1 adds shared strings (plain,
 * rich text with a phonetic run, an empty one), bit 2 adds styles whose cellXfs are the date formats
 * (built-in 14, 17, 22, 27, 31 and custom yyyy"年"m"月", [h]:mm, "d"0), bit 3 adds a second sheet
 * with the same XML (the reader must then be told the sheet, and is, by name).  Oracles beyond "no
 * crash, no leak, no UB": every status is one of the list, a failed read leaves no result, and a
 * table that reads has a column per header cell, each column named.
 */
#include "fuzz_common.h"

#include <zlib.h>
#include <minizip/zip.h>

static const char xl_sst[] =
    "<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    "<si><t>unique_id</t></si><si><r><t>d</t></r><rPh><t>x</t></rPh><r><t>s</t></r></si><si><t>y</t></si>"
    "<si><t/></si></sst>";
static const char xl_styles[] =
    "<?xml version=\"1.0\"?><styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    "<numFmts><numFmt numFmtId=\"164\" formatCode=\"yyyy&quot;年&quot;m&quot;月&quot;\"/>"
    "<numFmt numFmtId=\"165\" formatCode=\"[h]:mm\"/><numFmt numFmtId=\"166\" formatCode=\"&quot;d&quot;0\"/>"
    "</numFmts><cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"17\"/><xf numFmtId=\"22\"/>"
    "<xf numFmtId=\"27\"/><xf numFmtId=\"31\"/><xf numFmtId=\"164\"/><xf numFmtId=\"165\"/>"
    "<xf numFmtId=\"166\"/></cellXfs></styleSheet>";

/* One entry of the zip; 0 on failure. */
static int xl_put(zipFile z, const char *name, const void *data, size_t size)
{
    if (zipOpenNewFileInZip64(z, name, NULL, NULL, 0, NULL, 0, NULL, Z_DEFLATED, 1, size > 0xffffffffu) != ZIP_OK)
        return 0;
    int ok = zipWriteInFileInZip(z, data, (unsigned)size) == ZIP_OK;
    return zipCloseFileInZip(z) == ZIP_OK && ok;
}

static int xl_book(const char *path, unsigned flags, const uint8_t *sheet, size_t size)
{
    char workbook[512], rels[768];
    snprintf(workbook, sizeof workbook,
             "<?xml version=\"1.0\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/"
             "main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
             "<workbookPr%s/><sheets><sheet name=\"Sheet1\" r:id=\"rId1\"/>%s</sheets></workbook>",
             flags & 1 ? " date1904=\"1\"" : "", flags & 8 ? "<sheet name=\"第二\" r:id=\"rId2\"/>" : "");
    snprintf(rels, sizeof rels,
             "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
             "relationships\"><Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/>%s</Relationships>",
             flags & 8 ? "<Relationship Id=\"rId2\" Target=\"/xl/worksheets/sheet2.xml\"/>" : "");
    zipFile z = zipOpen64(path, APPEND_STATUS_CREATE);
    if (!z)
        return 0;
    int ok = xl_put(z, "xl/workbook.xml", workbook, strlen(workbook)) &&
             xl_put(z, "xl/_rels/workbook.xml.rels", rels, strlen(rels)) &&
             xl_put(z, "xl/worksheets/sheet1.xml", sheet, size) &&
             (!(flags & 8) || xl_put(z, "xl/worksheets/sheet2.xml", sheet, size)) &&
             (!(flags & 2) || xl_put(z, "xl/sharedStrings.xml", xl_sst, strlen(xl_sst))) &&
             (!(flags & 4) || xl_put(z, "xl/styles.xml", xl_styles, strlen(xl_styles)));
    return zipClose(z, NULL) == ZIP_OK && ok;
}

static int xl_known(civ_status s) { return s >= CIV_OK && s <= CIV_ERR_INTERNAL; }

static int fuzz_xlsx(const uint8_t *data, size_t size)
{
    if (size < 1 || size > ((size_t)1 << 20))
        return 0;
    char path[256];
    fuzz_scratch_path(path, sizeof path, "xlsx", ".xlsx");
    unsigned flags = data[0];
    if (!xl_book(path, flags, data + 1, size - 1)) {
        unlink(path);
        return 0;
    }
    const char *sheet = flags & 8 ? "Sheet1" : NULL;
    civ_table_read_options to = {.sheet = sheet};
    civ_table *t = NULL;
    civ_status s = civ_table_read(path, &to, &t);
    FUZZ_CHECK(xl_known(s));
    FUZZ_CHECK(s ? t == NULL : t != NULL);
    for (size_t c = 0; t && c < civ_table_n_columns(t); c++)
        FUZZ_CHECK(civ_table_column_name(t, c) && civ_table_column_name(t, c)[0]);
    civ_table_free(t);
    civ_panel_read_options po = {.freq = {CIV_FREQ_UNKNOWN, CIV_ANCHOR_PERIOD, -1}, .sheet = sheet};
    for (int wide = 0; wide < 2; wide++) {
        civ_panel *p = NULL;
        po.wide = wide;
        s = civ_panel_read_ex(path, &po, &p);
        FUZZ_CHECK(xl_known(s));
        FUZZ_CHECK(s ? p == NULL : p != NULL);
        civ_panel_free(p);
    }
    unlink(path);
    return 0;
}

#ifndef CIV_FUZZ_NO_ENTRY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_xlsx(data, size);
}
#endif
