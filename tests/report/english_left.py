#!/usr/bin/env python3
"""english_left.py -- the English left on a Chinese report page.

usage: english_left.py REPORT_HTML SOURCE_DIR

For `civicast report OUTDIR --lang zh` on the folder of a plan run in English
(lang = "en", so allocation.csv explains in English): prints each English
phrase of the report found on the page and exits 1 when there is any.  The
page is REPORT_HTML's text and the chart specs inlined in it (the Vega
libraries left out).  The phrases are
  - every English text of the report's sections: the English side of each
    TR(ctx, "中文", "English") in SOURCE_DIR/engine/src/report/*.c (sentences,
    titles, axis and legend names, waterfall steps, units), cut at printf
    conversions into pieces of two words or more;
  - what other stages write in English: the clauses of an allocation
    explanation (engine/src/alloc/explain.c), the monitoring statuses and
    alert states, the scopes and the risk matrix's default words as table
    cells or chart values (docs/MONITORING.md), and the column names of the
    tables the page shows as they are, as table headers.
Names from the spec and the data (funds, factors, tilts, indicator ids,
departments, model and accuracy-measure names) are not phrases: they stay as
written on both pages.
"""
import glob
import html
import json
import os
import re
import sys

# engine/src/alloc/explain.c's English (docs/ALLOCATION.md "Explanations")
EXPLANATION = ["floors ratably reduced to", "held at hold-harmless", "raised to hold-harmless", "held at the floor of",
               "raised to the floor of", "limited by pace to", "lowered to the cap", "of the fund =", "by formula",
               "which yields to it", "above the pace limit", "(last year", "nothing last year", "(paid ", "released",
               "not eligible for", " tilt ×", "total ", "scored higher", "no factor score", "not funded", "; "]
# fixed words of the monitoring and risk tables, by the column they fill
WORDS = {"status": ["met", "missed", "no_data", "no_target"], "alert": ["raised", "continued", "cleared"],
         "scope": ["unit", "street", "district", "city"],
         "impact": ["negligible", "minor", "moderate", "fairly severe", "severe"],
         "level": ["low", "medium", "medium-high", "high"]}
# column names of the monitoring, risk and backtest tables (the accuracy
# measures keep their names: the text explains them by name)
HEADERS = ["department", "indicator", "name", "scope", "unit", "ds", "actual", "denominator", "target", "status",
           "misses", "since", "alert", "risk", "probability", "impact", "owner", "mitigation", "row", "column",
           "score", "level", "rank", "model", "windows", "failed", "n", "bias"]

LITERAL = r'"(?:[^"\\]|\\.)*"'
TR_CALL = re.compile(r"TR\(\s*ctx\s*,\s*((?:%s\s*)+),\s*((?:%s\s*)+)\)" % (LITERAL, LITERAL), re.S)
CONVERSION = re.compile(r"%[-+ #0-9.]*(?:zu|ll[du]|[a-z])")


def c_string(literals):
    """The text of adjacent C string literals."""
    parts = re.findall(LITERAL, literals)
    return "".join(json.loads(p) for p in parts)  # the report's literals use only JSON's escapes


def section_phrases(src):
    phrases = set()
    for path in sorted(glob.glob(os.path.join(src, "engine", "src", "report", "*.c"))):
        with open(path, encoding="utf-8") as f:
            code = f.read()
        for m in TR_CALL.finditer(code):
            en = c_string(m.group(2)).replace("%%", "%")
            for piece in CONVERSION.split(en):
                piece = piece.strip(" :;,.()")
                if len(piece) >= 8 and re.search(r"[A-Za-z]{2,}\W+[A-Za-z]{2,}", piece):
                    phrases.add(piece)
    return sorted(phrases)


def page_parts(path):
    with open(path, encoding="utf-8") as f:
        page = f.read()
    specs = re.findall(r'<script type="application/json" class="vl-spec"[^>]*>(.*?)</script>', page, re.S)
    body = re.sub(r"<style>.*?</style>|<script.*?</script>", "", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", "\n", body))
    return body, text, specs


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    report, src = sys.argv[1], sys.argv[2]
    body, text, specs = page_parts(report)
    found = []
    phrases = section_phrases(src)
    if len(phrases) < 100:  # the parse of the sources went wrong, not the page
        sys.exit("english_left.py: only %d phrases read from %s" % (len(phrases), src))
    for p in phrases:
        if p in text or any(p in s for s in specs):
            found.append("section text: %r" % p)
    cells = re.findall(r'<td class="ex">(.*?)</td>', body, re.S)
    if not cells:
        found.append("no explanation column on the page")
    for p in EXPLANATION:
        n = sum(html.unescape(c).count(p) for c in cells)
        if n:
            found.append("explanation: %r in %d rows" % (p, n))
    for column, words in WORDS.items():
        for w in words:
            if "<td>%s</td>" % html.escape(w) in body:
                found.append("table cell (%s): %r" % (column, w))
            if any('"%s":%s' % (column, json.dumps(w, ensure_ascii=False)) in s for s in specs):
                found.append("chart value (%s): %r" % (column, w))
    for h in HEADERS:
        if "<th>%s</th>" % html.escape(h) in body:
            found.append("table header: %r" % h)
    for f in found:
        print("english_left.py: %s: %s" % (report, f))
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
