#!/usr/bin/python3
"""make_fixtures.py -- writes the .xlsx fixtures of tests/test_xlsx_read.c, tests/cli/xlsx.sh and
tests/python/test_xlsx_read.py, and the workbook of examples/spreadsheet (社区助餐.xlsx).

Two ways, as the files users bring are made:
  (a) pandas' DataFrame.to_excel through openpyxl (Debian python3-openpyxl; only this script needs it, the
      tests read the committed files): a long panel with Timestamps, a communities table with 12-digit codes and
      Chinese names, and the example's workbook (numbers with Excel's number formats, month headers as dates);
  (b) the XML written by hand into a zip (stdlib zipfile) for the edge cases: shared rich text with phonetic runs,
      inline strings, the 1904 date system, CJK built-in date ids, a wide sheet whose headers are dates shown as
      yyyy"年"m"月", formulas with and without a cached value, an error cell, several sheets, sparse rows and
      cells, and hostile files (a DOCTYPE, a zip bomb, a missing part, a broken zip, cells out of order or beyond
      XFD1048576, a shared-string index beyond the table).
Run from the repository root: /usr/bin/python3 tests/data/xlsx/make_fixtures.py
"""
import datetime
import io
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
FIXED = (2025, 1, 1, 0, 0, 0)  # zip entry times: the same bytes on every run


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def col_name(c):
    s = ""
    while c:
        c, r = divmod(c - 1, 26)
        s = chr(65 + r) + s
    return s


def cell(ref, v):
    """v: int/float (a number), str (inline string), ('s', k) shared, ('n', value, style), ('f', formula, cached or
    None, type), ('e', '#DIV/0!'), ('b', 1), ('raw', xml)."""
    if isinstance(v, tuple):
        kind = v[0]
        if kind == "s":
            return f'<c r="{ref}" t="s"><v>{v[1]}</v></c>'
        if kind == "n":
            return f'<c r="{ref}" s="{v[2]}"><v>{v[1]}</v></c>'
        if kind == "f":
            t = f' t="{v[3]}"' if len(v) > 3 and v[3] else ""
            val = "" if v[2] is None else f"<v>{esc(str(v[2]))}</v>"
            return f'<c r="{ref}"{t}><f>{esc(v[1])}</f>{val}</c>'
        if kind == "e":
            return f'<c r="{ref}" t="e"><v>{esc(v[1])}</v></c>'
        if kind == "b":
            return f'<c r="{ref}" t="b"><v>{v[1]}</v></c>'
        if kind == "raw":
            return v[1]
    if isinstance(v, str):
        return f'<c r="{ref}" t="inlineStr"><is><t>{esc(v)}</t></is></c>'
    return f'<c r="{ref}"><v>{v!r}</v></c>'


def sheet_xml(rows):
    """rows: {row number: {column number: value}} or a list of lists from row 1, column 1."""
    if isinstance(rows, list):
        rows = {r + 1: {c + 1: v for c, v in enumerate(vals) if v is not None} for r, vals in enumerate(rows)}
    out = []
    for r in sorted(rows):
        cells = "".join(cell(f"{col_name(c)}{r}", v) for c, v in sorted(rows[r].items()))
        out.append(f'<row r="{r}">{cells}</row>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}" '
            f'xmlns:r="{REL}"><sheetData>{"".join(out)}</sheetData></worksheet>')


def styles_xml(xfs, custom=None):
    """xfs: the numFmtId of each cellXfs entry; custom: {id: code}."""
    fmts = ""
    if custom:
        fmts = f'<numFmts count="{len(custom)}">' + "".join(
            f'<numFmt numFmtId="{i}" formatCode="{esc(c)}"/>' for i, c in custom.items()) + "</numFmts>"
    xf = "".join(f'<xf numFmtId="{i}" fontId="0" fillId="0" borderId="0" xfId="0"/>' for i in xfs)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<styleSheet xmlns="{MAIN}">{fmts}'
            f'<cellStyleXfs count="1"><xf numFmtId="22"/></cellStyleXfs>'
            f'<cellXfs count="{len(xfs)}">{xf}</cellXfs></styleSheet>')


def sst_xml(items):
    """items: plain strings, or lists of runs; a run ('rPh', text) is a phonetic run (not the cell's text)."""
    out = []
    for it in items:
        if isinstance(it, str):
            out.append(f"<si><t>{esc(it)}</t></si>")
        else:
            runs = ""
            for r in it:
                if isinstance(r, tuple):
                    runs += f'<rPh sb="0" eb="1"><t>{esc(r[1])}</t></rPh>'
                else:
                    runs += f'<r><rPr><b/></rPr><t xml:space="preserve">{esc(r)}</t></r>'
            out.append(f"<si>{runs}</si>")
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{MAIN}" count="{len(items)}" '
            f'uniqueCount="{len(items)}">{"".join(out)}</sst>')


def datetimes():
    book("datetimes.xlsx", [("Sheet1", sheet_xml([
        ["person", "ts"],
        ["a", ("n", 45717.3541666667, 1)],   # 2025-03-01 08:30:00, m/d/yy h:mm
        ["a", ("n", 45717.5, 2)],            # 2025-03-01 12:00:00, yyyy-mm-dd hh:mm:ss
        ["b", ("n", 45718, 2)],              # 2025-03-02 00:00:00: the date alone
        ["b", ("n", 45718.25000289352, 2)],  # 2025-03-02 06:00:00.250
    ]))], styles=styles_xml([0, 22, 164], {164: "yyyy-mm-dd hh:mm:ss"}))
    book("datetime_in_date.xlsx", [("Sheet1", sheet_xml([["person", "ts"], ["a", ("n", 45717.3541666667, 1)]]))],
         styles=styles_xml([0, 14]))


def book(name, sheets, styles=None, sst=None, date1904=False, omit=(), replace=None, folder=HERE):
    """sheets: [(name, sheet xml)]."""
    parts = {}
    ct = "".join(f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/'
                 f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(len(sheets)))
    parts["[Content_Types].xml"] = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="xml" ContentType="application/xml"/>' + ct + "</Types>")
    parts["_rels/.rels"] = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    pr = '<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>"
    sh = "".join(f'<sheet name="{esc(n)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, (n, _) in enumerate(sheets))
    parts["xl/workbook.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?>\n<workbook xmlns="{MAIN}" '
                                f'xmlns:r="{REL}">{pr}<sheets>{sh}</sheets></workbook>')
    rels = "".join(f'<Relationship Id="rId{i + 1}" Type="{REL}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
                   for i in range(len(sheets)))
    parts["xl/_rels/workbook.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/'
        f'2006/relationships">{rels}</Relationships>')
    for i, (_, xml) in enumerate(sheets):
        parts[f"xl/worksheets/sheet{i + 1}.xml"] = xml
    if styles:
        parts["xl/styles.xml"] = styles
    if sst:
        parts["xl/sharedStrings.xml"] = sst
    for k, v in (replace or {}).items():
        parts[k] = v
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in parts.items():
            if k in omit:
                continue
            info = zipfile.ZipInfo(k, FIXED)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, v.encode("utf-8") if isinstance(v, str) else v)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(buf.getvalue())
    return buf.getvalue()


def hand_written():
    # shared rich text (runs concatenated, the phonetic run left out), inline strings, numbers, a boolean
    book("rich.xlsx", [("数据", sheet_xml([
        [("s", 0), ("s", 1), "count", "flag"],
        [("s", 2), 1.5, 200, ("b", 1)],
        ["P02", 0.1, 1e-7, ("b", 0)],
    ]))], sst=sst_xml([["unique", "_id"], ["va", ("rPh", "ヴァ"), "lue"], ["P0", "1"]]))
    # numbers exactly: the shortest text that reads back
    book("numbers.xlsx", [("Sheet1", sheet_xml([
        ["unique_id", "x"], ["a", 0.1 + 0.2], ["b", 123456789012], ["c", -0.0], ["d", 1.7976931348623157e308],
    ]))])
    # dates: 1900 system with the CJK ids (31: yyyy"年"m"月"d"日", 27: yyyy"年"m"月", 57 too), 14, and mmm-yy (17)
    st = styles_xml([0, 14, 31, 27, 57, 17, 164, 165, 166, 167],
                    {164: 'yyyy"年"m"月"', 165: "yyyy-mm", 166: '[$-804]yyyy"年"', 167: '"d"0.00'})
    book("dates.xlsx", [("Sheet1", sheet_xml([
        ["what", "value"],
        ["id14", ("n", 45662, 1)],        # 2025-01-05
        ["id31", ("n", 45662, 2)],
        ["id27", ("n", 45662, 3)],        # 2025-01
        ["id57", ("n", 45662, 4)],
        ["id17", ("n", 45662, 5)],
        ["yyyy年m月", ("n", 45658, 6)],   # 2025-01-01 -> 2025-01
        ["yyyy-mm", ("n", 45689, 7)],     # 2025-02-01 -> 2025-02
        ["yyyy年", ("n", 45658, 8)],      # 2025
        ["quoted d", ("n", 3.5, 9)],      # not a date: "d" is quoted
        ["id14 early", ("n", 59, 1)],     # 1900-02-28
        ["id14 after", ("n", 61, 1)],     # 1900-03-01
        ["midnight", ("n", 45662.0000000001, 1)],
    ]))], styles=st)
    book("dates1904.xlsx", [("Sheet1", sheet_xml([["what", "value"], ["id14", ("n", 44200, 1)]]))],
         styles=styles_xml([0, 14]), date1904=True)  # 1904-01-01 + 44200 = 2025-01-05
    book("phantom60.xlsx", [("Sheet1", sheet_xml([["what", "value"], ["x", ("n", 60, 1)]]))],
         styles=styles_xml([0, 14]))
    book("time_of_day.xlsx", [("Sheet1", sheet_xml([["what", "value"], ["x", 1], ["y", ("n", 45662.5625, 1)]]))],
         styles=styles_xml([0, 22]))
    # a sensor log typed in Excel: date-time cells (id 22, a custom yyyy-mm-dd hh:mm:ss) read as date-times; at
    # midnight the date alone; a date-only format over a time stays refused (datetime_in_date.xlsx)
    datetimes()
    # a wide sheet as the office keeps it: the month headers are dates shown as yyyy"年"m"月", codes as text
    months = [45658, 45689, 45717]  # 2025-01-01, 02-01, 03-01
    book("wide.xlsx", [("用餐人次", sheet_xml([
        ["社区编号", "社区名称"] + [("n", m, 1) for m in months],
        ["310101001", "民主里", 204, 222, 234],
        ["310101002", "和平里", 289, 275, None],
    ]))], styles=styles_xml([0, 164], {164: 'yyyy"年"m"月"'}))
    # formulas: a cached value reads as that value; none (a library that does not calculate) is refused
    book("formula_cached.xlsx", [("Sheet1", sheet_xml([
        ["unique_id", "ds", "y"], ["a", "2025-01", 1], ["a", "2025-02", ("f", "B2*2", 2)],
        ["a", "2025-03", ("f", "\"x\"&1", "x1", "str")]]))])
    book("formula_nocache.xlsx", [("Sheet1", sheet_xml([
        ["unique_id", "ds", "y"], ["a", "2025-01", 1], ["a", "2025-02", ("f", "C2*2", None)]]))])
    # openpyxl's form of the same: an empty <v></v> (or <v/>) under the formula, not a number
    book("formula_emptyv.xlsx", [("Sheet1", sheet_xml([
        ["unique_id", "ds", "y"], ["a", "2025-01", ("raw", '<c r="C2"><f>1</f><v/></c>')],
        ["a", "2025-02", ("raw", '<c r="C3"><f>C2*2</f><v></v></c>')]]))])
    book("error_cell.xlsx", [("Sheet1", sheet_xml([
        ["unique_id", "ds", "y"], ["a", "2025-01", 1], ["a", "2025-02", ("e", "#DIV/0!")]]))])
    # sheets: two with data (a name is needed); data and an empty sheet (the one with data is read)
    book("two_sheets.xlsx", [("社区", sheet_xml([["unique_id", "n"], ["a", 1]])),
                             ("Sheet2", sheet_xml([["unique_id", "m"], ["b", 2]]))])
    book("one_with_data.xlsx", [("说明", sheet_xml([])), ("数据", sheet_xml([["unique_id", "n"], ["a", 1]])),
                                ("Sheet3", sheet_xml({3: {2: ("raw", '<c r="B3" s="0"/>')}}))])
    # sparse: the header on row 1, a gap of cells (empty), a cell without r, a styled empty cell
    book("sparse.xlsx", [("Sheet1", sheet_xml({
        1: {1: "unique_id", 2: "a", 3: "b", 4: "c"},
        2: {1: "x", 4: 3.0, 9: ("raw", '<c r="I2" s="0"/>')},
        3: {1: "y", 2: ("raw", '<c><v>2</v></c>')},
    }))])
    # cells with a line break (Alt+Enter), in the header and in the data: each stays in its sheet row
    book("multiline.xlsx", [("Sheet1", sheet_xml([["unique_id", "ds", "用餐\n人次"], ["民主里\n社区", "2025-01", 1],
                                                   ["民主里\n社区", "2025-02", "x"]]))])
    # hostile files
    laughs = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
              f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is>'
              '</c></row></sheetData></worksheet>')
    book("doctype.xlsx", [("Sheet1", laughs)])
    big = sheet_xml([["unique_id", "note"]]).replace("</sheetData>", "</sheetData>" + " " * (3 << 20))
    book("bomb.xlsx", [("Sheet1", big)])  # 3 MiB of spaces in a few KiB: over a 1 MiB test limit
    book("missing_workbook.xlsx", [("Sheet1", sheet_xml([["a"]]))], omit=("xl/workbook.xml",))
    book("missing_sheet.xlsx", [("Sheet1", sheet_xml([["a"]]))], omit=("xl/worksheets/sheet1.xml",))
    data = book("truncated.xlsx", [("Sheet1", sheet_xml([["unique_id", "n"], ["a", 1]] * 50))])
    with open(os.path.join(HERE, "truncated.xlsx"), "wb") as f:
        f.write(data[: len(data) // 2])
    book("out_of_order.xlsx", [("Sheet1", sheet_xml({1: {1: "a", 2: "b"}}).replace(
        '<c r="A1"', '<c r="C1"', 1))])
    book("rows_out_of_order.xlsx", [("Sheet1", sheet_xml({1: {1: "a"}, 2: {1: "b"}}).replace(
        '<row r="2"><c r="A2"', '<row r="1"><c r="A1"'))])
    book("beyond_xfd.xlsx", [("Sheet1", sheet_xml({1: {1: "a", 2: ("raw", '<c r="XFE1"><v>1</v></c>')}}))])
    book("huge_sst.xlsx", [("Sheet1", sheet_xml({1: {1: ("s", 0), 2: ("s", 99999999999999999999)}}))],
         sst=sst_xml(["unique_id"]))
    with open(os.path.join(HERE, "ole.xlsx"), "wb") as f:  # what an .xls renamed to .xlsx starts with
        f.write(bytes([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) + bytes(504))
    with open(os.path.join(HERE, "not_a_zip.xlsx"), "wb") as f:
        f.write("unique_id,y\na,1\n".encode())


def wide_layouts():
    """Wide sheets as offices lay them out: a year in a merged cell above a row of months (社区编号 over two rows,
    2025年 across the months; only the merged range's first cell holds a value), and a total row under the data."""
    book("merged_year.xlsx", [("Sheet1", sheet_xml([["社区编号", "2025年", None, None], [None, "1月", "2月", "3月"],
                                                    ["310101001", 204, 222, 234]]))])
    book("wide_total.xlsx", [("Sheet1", sheet_xml([["社区编号", "2025-01", "2025-02"], ["310101001", 1, 2],
                                                   ["310101002", 3, 4], ["合计", 4, 6]]))])


def titled():
    """An office's export: a title in A1, a unit line in A2, an empty row 3, then the header (row 4) and the data;
    read with skip_rows 3 (--skip-rows 3), refused without it naming the count."""
    book("titled.xlsx", [("Sheet1", sheet_xml({1: {1: "2025年各社区人口统计"}, 2: {1: "单位：人"},
                                               4: {1: "社区编号", 2: "常住人口", 3: "老年人口"},
                                               5: {1: "310101001", 2: 1200, 3: 300},
                                               6: {1: "310101002", 2: 2500, 3: "x"}}))])


def pandas_index():
    """What df.to_excel(path) writes by default: the index as a first column with an empty header cell."""
    book("pandas_index.xlsx", [("Sheet1", sheet_xml([[None, "unique_id", "ds", "y"], [0, "a", "2025-01", 1],
                                                    [1, "a", "2025-02", 2]]))])


def with_pandas():
    import pandas as pd
    meals = pd.read_csv(os.path.join(ROOT, "tests", "data", "plan", "meals.csv"), dtype={"unique_id": str})
    meals["ds"] = pd.to_datetime(meals["ds"])  # Timestamps: openpyxl writes serials, YYYY-MM-DD HH:MM:SS
    meals.to_excel(os.path.join(HERE, "pandas_meals.xlsx"), index=False)
    comm = pd.DataFrame({"社区编号": [310101001001, 310101002002, 310101003003],
                         "社区名称": ["民主里", "和平里", "新华里"],
                         "常住人口": [1200, 2500, 1800], "老龄化率": [0.333333, 0.2, 0.388889]})
    comm.to_excel(os.path.join(HERE, "pandas_communities.xlsx"), index=False, sheet_name="社区")
    comm.to_csv(os.path.join(HERE, "pandas_communities.csv"), index=False)


def example_workbook():
    """examples/spreadsheet/社区助餐.xlsx: the example's two GB18030 CSV sheets as the workbook they were saved
    from: numbers as numbers under Excel's formats ("#,##0", "0.0000%", "¥#,##0.00"), the month headers as dates
    shown as yyyy"年"m"月", the codes as text."""
    import csv
    import openpyxl
    ex = os.path.join(ROOT, "examples", "spreadsheet")
    wb = openpyxl.Workbook()
    wb.properties.created = wb.properties.modified = datetime.datetime(2025, 1, 1)
    ws = wb.active
    ws.title = "用餐人次"
    with open(os.path.join(ex, "用餐人次.csv"), encoding="gb18030") as f:
        rows = list(csv.reader(f))
    for c, h in enumerate(rows[0], 1):
        if "年" in h and h.endswith("月"):
            y, m = h[:-1].split("年")
            cl = ws.cell(row=1, column=c, value=datetime.datetime(int(y), int(m), 1))
            cl.number_format = 'yyyy"年"m"月"'
        else:
            ws.cell(row=1, column=c, value=h)
    for r, row in enumerate(rows[1:], 2):
        for c, v in enumerate(row, 1):
            ws.cell(row=r, column=c, value=v if c <= 2 else int(v))
    ws2 = wb.create_sheet("社区")
    with open(os.path.join(ex, "社区.csv"), encoding="gb18030") as f:
        rows = [row for row in csv.reader(f) if any(row)]  # Excel's used range: rows of empty cells dropped
    header = [h for h in rows[0] if h]
    for c, h in enumerate(header, 1):
        ws2.cell(row=1, column=c, value=h)
    for r, row in enumerate(rows[1:], 2):
        for c, v in enumerate(row[:len(header)], 1):
            name = header[c - 1]
            cl = ws2.cell(row=r, column=c)
            if v.endswith("%"):  # the double "33.3333%" reads as under --percent
                cl.value = float(v[:-1]) / 100
                cl.number_format = "0.0000%"
            elif v.startswith("￥"):
                cl.value = float(v[1:].replace(",", ""))
                cl.number_format = '"¥"#,##0.00'
            elif name in ("社区编号", "社区名称", "区"):
                cl.value = v
            else:
                cl.value = int(v.replace(",", ""))
                cl.number_format = "#,##0"
    wb.save(os.path.join(ex, "社区助餐.xlsx"))


def fuzz_seeds():
    """tests/fuzz/corpus/xlsx/: a flag byte (tests/fuzz/fuzz_xlsx.c: 1 = 1904 dates, 2 = shared strings,
    4 = date styles, 8 = two sheets) and a sheet's XML, from the fixtures above."""
    out = os.path.join(ROOT, "tests", "fuzz", "corpus", "xlsx")
    os.makedirs(out, exist_ok=True)
    seeds = {"rich.xlsx": 2, "dates.xlsx": 4, "dates1904.xlsx": 5, "wide.xlsx": 4, "formula_cached.xlsx": 0,
             "sparse.xlsx": 8, "error_cell.xlsx": 0, "huge_sst.xlsx": 2, "out_of_order.xlsx": 0,
             "pandas_meals.xlsx": 6, "time_of_day.xlsx": 4}
    for name, flags in seeds.items():
        with zipfile.ZipFile(os.path.join(HERE, name)) as z:
            xml = z.read("xl/worksheets/sheet1.xml")
        with open(os.path.join(out, name.replace(".xlsx", "")), "wb") as f:
            f.write(bytes([flags]) + xml)


if __name__ == "__main__":
    hand_written()
    wide_layouts()
    pandas_index()
    titled()
    with_pandas()
    example_workbook()
    fuzz_seeds()
