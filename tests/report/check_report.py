#!/usr/bin/env python3
"""check_report.py -- opens a plan report in headless Chromium and checks it.

usage: check_report.py REPORT_HTML LANG SHOTS_DIR [monitoring]

With `monitoring` the page is a monitoring folder's (`civicast monitor --out DIR`, `civicast report DIR`): the
checks that hold for it (console, network, charts with tooltips, a tooltip on the departments' bars, the risk
grid, Chinese headings drawn with a CJK font, each section a printed A4 page, the whole page printed to A4), not
the plan's demand, community table or print box.

Drives Debian's `chromium` over the DevTools protocol (python3-websocket) and
fails (exit 1, saying why) unless:
  - the page logs no console error and throws no exception;
  - the page makes no network request (only the file itself loads);
  - every chart's figure holds a rendered, non-empty SVG (marks drawn) and
    every spec asks for tooltips on its marks;
  - no wrapped facet draws an axis under an empty cell: each column footer's
    axis sits right below a panel of its column (Vega-Lite puts a shared x
    axis below the last row, also in the columns the last row leaves empty);
  - hovering a bar shows a tooltip;
  - the community table is searchable (an id finds one row, nonsense none),
    and on a 1280 x 900 screen it scrolls in a box at most a screen tall whose
    rows fit its width, explanations included;
  - the fan charts draw the actuals' line; the risk matrix (when monitoring
    ran) is a grid of cells with the counts of risks; the demand section
    shows the backtest or says it was not run;
  - LANG zh: headings are Chinese and the fonts Chromium used for them and for
    a chart's labels cover every glyph (CSS.getPlatformFontsForNode), with a
    CJK font among them;
  - printed, the pages are A4 and every section starts a page; the box beside the
    community table is not printed, and unticking it leaves the table's rows out of
    the print (the page shorter by them) with a note in their place naming how many
    there are and the file that has them, the screen view unchanged; a search
    typed on screen does not drop rows from the print.
It writes a PNG screenshot of each section, of the street chart, a fan chart
and the risk grid, and the PDF to SHOTS_DIR.
"""
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket

SCALE = float(os.environ.get("CIV_REPORT_SHOT_SCALE", "0.6"))  # screenshots at 60%: small PNGs
SECTIONS = ["summary", "demand", "allocation", "uncertainty", "need", "monitoring"]
MONITOR_SECTIONS = ["summary", "monitoring"]  # the page of a `civicast monitor --out` folder (docs/REPORT.md)


class Page:
    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, timeout=60, suppress_origin=True)
        self.next_id = 0
        self.events = []

    def call(self, method, **params):
        self.next_id += 1
        mid = self.next_id
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def js(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError("JS failed: %s: %s" % (expr[:80], r["exceptionDetails"]))
        return r["result"].get("value")

    def drain(self, seconds):
        end = time.time() + seconds
        self.ws.settimeout(0.2)
        while time.time() < end:
            try:
                msg = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                continue
            if "method" in msg:
                self.events.append(msg)
        self.ws.settimeout(60)


def start_chromium(profile):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        sys.exit("check_report: chromium is not installed (apt-get install chromium; .ci/install-deps.sh test)")
    args = [exe, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--renderer-process-limit=1", "--remote-debugging-port=0",
            "--user-data-dir=" + profile, "--window-size=1100,900", "about:blank"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port_file = os.path.join(profile, "DevToolsActivePort")
    for _ in range(300):
        if os.path.exists(port_file):
            lines = open(port_file).read().split()
            if len(lines) >= 1 and lines[0].isdigit():
                return proc, int(lines[0])
        time.sleep(0.1)
    proc.kill()
    sys.exit("check_report: chromium did not start")


def page_ws(port):
    for _ in range(50):
        with urllib.request.urlopen("http://127.0.0.1:%d/json/list" % port) as r:
            pages = [t for t in json.load(r) if t.get("type") == "page"]
        if pages:
            return pages[0]["webSocketDebuggerUrl"]
        time.sleep(0.1)
    sys.exit("check_report: no page target")


T0 = time.time()


def document_has(p, selector):
    return bool(p.js("!!document.querySelector(%s)" % json.dumps(selector)))


def phase(name):
    print("check_report: %5.1f s  %s" % (time.time() - T0, name), file=sys.stderr)


def check(report, lang, shots, kind="plan"):
    """The failures of the page (a plan's, or kind "monitoring": a monitoring folder's, whose page has the summary
    and the monitoring section only), and its figures; the screenshots and PDF go to shots, named LANG_SECTION
    (LANG_monitor_SECTION for a monitoring page)."""
    failures = []
    plan = kind == "plan"
    sections, tag = (SECTIONS, lang) if plan else (MONITOR_SECTIONS, lang + "_monitor")
    bar_chart = "allocation_districts" if plan else "monitoring_departments"  # hovered; its labels' fonts checked
    url = "file://" + os.path.abspath(report)
    profile = tempfile.mkdtemp(prefix="civ_report_chromium_")
    proc, port = start_chromium(profile)
    try:
        p = Page(page_ws(port))
        for domain in ("Runtime", "Log", "Network", "Page", "DOM", "CSS"):
            p.call(domain + ".enable")
        phase("chromium started")
        p.call("Page.navigate", url=url)
        deadline = time.time() + 40
        state = None
        while time.time() < deadline:
            state = p.js("window.civReport ? JSON.stringify(window.civReport) : null")
            if state:
                s = json.loads(state)
                if s["rendered"] + s["failed"] >= s["charts"]:
                    break
            time.sleep(0.3)
        p.drain(1.0)
        phase("charts rendered")
        s = json.loads(state) if state else None
        if not s:
            failures.append("the page script never ran (window.civReport missing)")
        else:
            if s["failed"] or s["rendered"] < s["charts"]:
                failures.append("charts: %d of %d rendered; errors: %s" % (s["rendered"], s["charts"], s["errors"]))
            if s["charts"] < (8 if plan else 2):
                failures.append("only %d charts in the page" % s["charts"])

        # charts: an SVG with marks in every figure; tooltips asked for in every spec
        figs = p.js("""JSON.stringify(Array.from(document.querySelectorAll('figure.chart')).map(function(f){
            var svg=f.querySelector('svg'); var r=svg?svg.getBoundingClientRect():null;
            return {id:f.id, svg:!!svg, w:r?r.width:0, h:r?r.height:0,
                    marks:svg?svg.querySelectorAll('g.mark-rect path, g.mark-area path, g.mark-line path, g.mark-symbol path, g.mark-rule line, path.mark-rect, .role-mark path, .role-mark line').length:0};}))""")
        figs = json.loads(figs)
        for f in figs:
            if not f["svg"] or f["w"] < 50 or f["h"] < 50 or f["marks"] < 1:
                failures.append("chart %s not rendered: %s" % (f["id"], f))
        # a column footer (the shared x axis of a wrapped facet) right below a panel of its column, never
        # under an empty cell of an incomplete last row (11 districts in 4 columns)
        strays = json.loads(p.js("""JSON.stringify(Array.from(document.querySelectorAll('figure.chart')).map(function(f){
            var box=function(e){return e.getBoundingClientRect();};
            var cells=Array.from(f.querySelectorAll('g.role-scope.cell > g > path.background')).map(box);
            var bad=Array.from(f.querySelectorAll('g.role-column-footer > g > path.background')).map(box)
              .filter(function(r){return !cells.some(function(c){
                var over=Math.min(r.right,c.right)-Math.max(r.left,c.left), gap=r.top-c.bottom;
                return over>0.5*Math.min(r.width,c.width) && gap>-1 && gap<20;});});
            return bad.length?{id:f.id,footers:bad.length,cells:cells.length}:null;}).filter(Boolean))"""))
        for s_ in strays:
            failures.append("chart %s draws %d axis(es) under an empty facet cell (%d panels)" % (
                s_["id"], s_["footers"], s_["cells"]))
        tips = json.loads(p.js("""JSON.stringify(Array.from(document.querySelectorAll('script.vl-spec')).map(function(s){
            var j=JSON.parse(s.textContent); return j.config&&j.config.mark&&j.config.mark.tooltip===true;}))"""))
        if not all(tips):
            failures.append("a spec without tooltips on its marks")

        if plan:  # the demand's fan charts
            # the fan charts draw the actuals (grey line) before the forecasts, one per panel
            fans = json.loads(p.js("""JSON.stringify(Array.from(
                document.querySelectorAll('figure.chart[id^="chart-fan_"]'))
                .map(function(f){return f.querySelectorAll('g.mark-line path[stroke="#555"]').length;}))"""))
            if not fans or min(fans) < 1:
                failures.append("fan charts without the actuals' line: %s" % fans)
        # the risk matrix is a grid: a coloured cell per likelihood x impact, counts in the cells with risks
        grid = p.js("""(function(){var f=document.getElementById('chart-monitoring_risk_matrix'); if(!f) return null;
            return JSON.stringify({cells:f.querySelectorAll('g.mark-rect path').length,
                                   counts:f.querySelectorAll('g.mark-text text').length});})()""")
        if document_has(p, "#monitoring table") and not grid:
            failures.append("monitoring tables but no risk matrix grid")
        if grid:
            g = json.loads(grid)
            if g["cells"] < 4 or g["counts"] < 1:
                failures.append("risk matrix grid: %s" % g)
        if plan:  # the demand section
            # the backtest: its chart, or "not run"
            bt = p.js("""(function(){var d=document.getElementById('demand');
                return !!document.getElementById('chart-backtest_accuracy') ||
                       !!(d && d.querySelector('p.notrun'));})()""")
            if not bt:
                failures.append("the demand section neither shows the backtest nor says it was not run")

        # a tooltip shows when hovering a bar of the district chart (a monitoring page: the departments' alerts)
        pos = p.js("""(function(){var f=document.getElementById('chart-""" + bar_chart + """');
            var m=f&&f.querySelector('.role-mark path'); if(!m) return null; m.scrollIntoView();
            var r=m.getBoundingClientRect(); return JSON.stringify({x:r.left+r.width/2,y:r.top+r.height/2});})()""")
        if pos:
            xy = json.loads(pos)
            for dx in (0, 1):
                p.call("Input.dispatchMouseEvent", type="mouseMoved", x=xy["x"] + dx, y=xy["y"])
                time.sleep(0.3)
            tip = p.js("""(function(){var t=document.getElementById('vg-tooltip-element');
                return t&&t.classList.contains('visible')?t.textContent:null;})()""")
            if not tip:
                failures.append("no tooltip when hovering a bar of %s" % bar_chart)
        else:
            failures.append("no bar in the chart %s to hover" % bar_chart)

        if plan:  # the community table is a plan's
            # the community table is searchable
            res = json.loads(p.js("""(function(){var i=document.getElementById('community-search');
                var rows=document.getElementById('community-table').tBodies[0].rows;
                var vis=function(){var n=0;for(var k=0;k<rows.length;k++)n+=rows[k].style.display!=='none';return n;};
                var id=rows[0].cells[0].textContent, out={all:rows.length};
                i.value=id; i.dispatchEvent(new Event('input')); out.one=vis();
                i.value='zz-no-such-community'; i.dispatchEvent(new Event('input')); out.none=vis();
                i.value=''; i.dispatchEvent(new Event('input')); out.back=vis();
                return JSON.stringify(out);})()"""))
            if not (res["all"] > 1 and res["one"] == 1 and res["none"] == 0 and res["back"] == res["all"]):
                failures.append("community search: %s" % res)
            # on a desktop screen (1280 x 900) a community's explanation is readable where it is: the table scrolls
            # in a box at most one screen tall (its scrollbars on screen, the sections after it near), and its rows,
            # explanation included, fit the box's width (no explanation cut off at the box's right edge)
            p.call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
            time.sleep(0.3)
            fit = json.loads(p.js("""(function(){var t=document.getElementById('community-table'), box=t.parentElement;
                var b=box.getBoundingClientRect(), ex=t.querySelector('tbody td.ex');
                return JSON.stringify({box:Math.round(box.clientHeight), screen:window.innerHeight,
                                       right:Math.round(b.left+box.clientWidth),
                                       ex:ex?Math.round(ex.getBoundingClientRect().right):null});})()"""))
            p.call("Emulation.clearDeviceMetricsOverride")
            if fit["box"] > fit["screen"]:
                failures.append("the community table runs %d px down the page instead of scrolling in a box "
                                "at most a screen (%d px) tall" % (fit["box"], fit["screen"]))
            if fit["ex"] is not None and fit["ex"] > fit["right"] + 1:
                failures.append("at 1280 px the community table's explanations run %d px past its box's right edge "
                                "(%d): hidden behind a horizontal scrollbar" % (fit["ex"] - fit["right"], fit["right"]))

        # language and glyphs
        h2 = p.js("Array.from(document.querySelectorAll('h2')).map(function(h){return h.textContent}).join('|')")
        cjk = re.compile(r"[\u4e00-\u9fff]")
        if lang == "zh":
            if len(cjk.findall(h2)) < (6 if plan else 4):  # 概要, 监测 on a monitoring page
                failures.append("zh page without Chinese headings: %s" % h2)
            doc = p.call("DOM.getDocument", depth=-1)["root"]["nodeId"]
            for sel in ("h1", "#summary > p", "#chart-%s svg text" % bar_chart):
                nodes = p.call("DOM.querySelectorAll", nodeId=doc, selector=sel)["nodeIds"]
                if not nodes:
                    failures.append("no node %s for the font check" % sel)
                    continue
                fonts = p.call("CSS.getPlatformFontsForNode", nodeId=nodes[0])["fonts"]
                names = " ".join(f["familyName"] for f in fonts)
                text = p.js("document.querySelector(%s).textContent" % json.dumps(sel))
                if cjk.search(text) and not re.search(r"CJK|Han|Hei|Song|Ming|Kai|Noto Sans SC|WenQuanYi", names):
                    failures.append("%s drawn without a CJK font: %s" % (sel, fonts))
                if any("Tofu" in f["familyName"] or "LastResort" in f["familyName"] for f in fonts):
                    failures.append("%s falls back to a missing-glyph font: %s" % (sel, fonts))
        elif cjk.search(h2):
            failures.append("en page with Chinese headings: %s" % h2)

        phase("checks done")
        # one screenshot per section
        os.makedirs(shots, exist_ok=True)
        width = p.js("document.documentElement.scrollWidth")
        for sec in sections:
            box = p.js("""(function(){var e=document.getElementById(%s); if(!e) return null;
                var r=e.getBoundingClientRect(); return JSON.stringify({x:r.left+window.scrollX,y:r.top+window.scrollY,
                w:r.width,h:r.height});})()""" % json.dumps(sec))
            if not box:
                failures.append("no section %s" % sec)
                continue
            b = json.loads(box)
            h = min(b["h"], 2400)  # the top of a long section (the community table runs on)
            shot = p.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                          clip={"x": 0, "y": b["y"], "width": max(width, b["w"]), "height": h, "scale": SCALE})
            with open(os.path.join(shots, "%s_%s.png" % (tag, sec)), "wb") as f:
                f.write(base64.b64decode(shot["data"]))

        # and of the parts the docs show on their own: the streets, the fans, the risk grid
        for part in ("allocation_streets", "fan_allocation", "monitoring_risk_matrix"):
            box = p.js("""(function(){var e=document.getElementById('chart-'+%s); if(!e) return null;
                e.scrollIntoView(); var r=e.getBoundingClientRect();
                return JSON.stringify({y:r.top+window.scrollY,w:r.width,h:r.height});})()""" % json.dumps(part))
            if not box:
                continue
            b = json.loads(box)
            shot = p.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                          clip={"x": 0, "y": b["y"], "width": max(width, b["w"]), "height": min(b["h"], 2400),
                                "scale": SCALE})
            with open(os.path.join(shots, "%s_%s.png" % (tag, part)), "wb") as f:
                f.write(base64.b64decode(shot["data"]))
        phase("screenshots taken")
        # print: A4 pages, each section starting a page (checked on the print
        # styles; only the first pages are made into a PDF, to keep it quick)
        p.call("Emulation.setEmulatedMedia", media="print")
        breaks = json.loads(p.js("""JSON.stringify(Array.from(document.querySelectorAll('section')).slice(1).map(
            function(e){return getComputedStyle(e).breakBefore;}))"""))
        p.call("Emulation.setEmulatedMedia", media="")
        if len(breaks) != len(sections) - 1 or any(b != "page" for b in breaks):
            failures.append("sections do not start a printed page: %s" % breaks)
        # a monitoring page is short: printed whole, every page A4
        pdf = p.call("Page.printToPDF", preferCSSPageSize=True, printBackground=True, pageRanges="1-6" if plan else "")
        data = base64.b64decode(pdf["data"])
        with open(os.path.join(shots, "%s_report_%s.pdf" % (tag, "first_pages" if plan else "printed")), "wb") as f:
            f.write(data)
        boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", data)
        if not boxes or any(abs(float(w) - 595.9) > 2 or abs(float(h) - 842.9) > 2 for w, h in boxes):
            failures.append("printed page is not A4: %s" % (boxes[:3] if boxes else "no MediaBox"))
        if not plan and not 2 <= len(boxes) <= 20:
            failures.append("the monitoring page prints on %d pages" % len(boxes))
        phase("printed")
        if plan:  # the community table and its print box are a plan's
            # the reader's choice whether the community table prints (a box beside it, ticked by default): unticking
            # it leaves the screen view alone; in print (media emulated at A4's 703 px width) the box is not shown,
            # the table's rows leave the page, which gets shorter by at least their height, and a note in their place
            # says how many rows there are and where they are
            choice = json.loads(p.js("""(function(){var c=document.getElementById('community-print'),
                t=document.getElementById('community-table'),note=document.getElementById('community-print-note');
                if(!c||!note) return 'null';
                var box=t.parentElement,h=function(){return Math.round(box.getBoundingClientRect().height);};
                var out={ticked:c.checked,screen:h(),note:getComputedStyle(note).display};
                c.click();out.screenUnticked=h();out.noteUnticked=getComputedStyle(note).display;c.click();
                return JSON.stringify(out);})()"""))
            if not choice:
                failures.append("no box beside the community table to leave it out of the print")
            else:
                p.call("Emulation.setDeviceMetricsOverride", width=703, height=1016, deviceScaleFactor=1, mobile=False)
                p.call("Emulation.setEmulatedMedia", media="print")
                printed = json.loads(p.js("""(function(){var c=document.getElementById('community-print'),
                    t=document.getElementById('community-table'),note=document.getElementById('community-print-note');
                    var st=function(e){return getComputedStyle(e).display;},page=document.documentElement;
                    var out={box:st(c.closest('.print-choice')),rows:t.tBodies[0].rows.length,
                             table:st(t.parentElement),tableH:t.parentElement.getBoundingClientRect().height,
                             note:st(note),height:page.scrollHeight};
                    c.click();out.tableOff=st(t.parentElement);out.noteOn=st(note);out.text=note.innerText;
                    out.heightOff=page.scrollHeight;c.click();
                    var s=document.getElementById('community-search'),rs=t.tBodies[0].rows,n=0;
                    s.value='no such community zz';s.dispatchEvent(new Event('input'));
                    for(var i=0;i<rs.length;i++) n+=st(rs[i])!=='none';
                    out.searched=n;s.value='';s.dispatchEvent(new Event('input'));return JSON.stringify(out);})()"""))
                p.call("Emulation.setEmulatedMedia", media="")
                p.call("Emulation.clearDeviceMetricsOverride")
                want = ["%s" % "{:,}".format(printed["rows"])]
                if not choice["ticked"] or printed["table"] == "none" or printed["note"] != "none":
                    failures.append("the community table does not print by default: %s %s" % (choice, printed))
                if choice["screenUnticked"] != choice["screen"] or \
                        "none" not in (choice["note"], choice["noteUnticked"]):
                    failures.append("unticking the print box changes the table on screen: %s" % choice)
                if printed["box"] != "none":
                    failures.append("the box choosing whether the community table prints is printed")
                noted = all(w in printed["text"] for w in want) and "allocation." in printed["text"]
                if printed["tableOff"] != "none" or printed["noteOn"] == "none" or not noted:
                    failures.append("unticked, the print keeps the community table or lacks the note: %s" % printed)
                if printed["searched"] != printed["rows"]:
                    failures.append("a search on screen drops rows from the print: %d of %d printed" % (
                        printed["searched"], printed["rows"]))
                if printed["height"] - printed["heightOff"] < printed["tableH"] - 100:
                    failures.append("unticked, the printed page is not shorter by the table: %s" % printed)
                phase("print choice checked (%d px of %d printed without the table)" % (
                    printed["heightOff"], printed["height"]))
        # console errors, exceptions and network requests
        for e in p.events:
            m, prm = e["method"], e.get("params", {})
            if m == "Runtime.consoleAPICalled" and prm.get("type") in ("error", "assert"):
                failures.append("console error: %s" % [a.get("value", a.get("description")) for a in prm["args"]])
            elif m == "Runtime.exceptionThrown":
                failures.append("exception: %s" % prm["exceptionDetails"].get("text"))
            elif m == "Log.entryAdded" and prm["entry"]["level"] == "error":
                failures.append("log error: %s" % prm["entry"].get("text"))
            elif m == "Network.requestWillBeSent":
                u = prm["request"]["url"]
                if u != url and not u.startswith("data:") and not u.startswith("about:"):
                    failures.append("network request: %s" % u)
        p.ws.close()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)
    return failures, figs


def main():
    if len(sys.argv) not in (4, 5) or sys.argv[2] not in ("zh", "en") or sys.argv[4:] not in ([], ["monitoring"]):
        sys.exit(__doc__)
    failures, figs = check(sys.argv[1], sys.argv[2], sys.argv[3], *sys.argv[4:])
    print("check_report: %s: %d charts rendered, screenshots in %s" % (sys.argv[2], len(figs), sys.argv[3]))
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
