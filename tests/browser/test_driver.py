#!/usr/bin/env python3
"""Self-test of the browser harness: the report's checks (contract.py,
driven by cdp.py in headless Chromium) pass on a page that keeps the
contract (fixtures/contract_stub.html) and fail on each copy of it broken
in one way: a console error, an uncaught exception, a request to the
network, a switch that hides nothing, a finding that does not move the
map, a header that does not sort, a missing park, the wrong verdict, a page
that never gets ready, a changed layout against the reference.

Exit 0 when every case behaves, 1 otherwise; 77 (skipped) only when
chromium is missing and CI is not "true".
"""
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cdp  # noqa: E402
import contract  # noqa: E402

STUB = os.path.join(HERE, "fixtures", "contract_stub.html")
PARKS = ["North Park", "East Park", "South Park"]
ZH = ["北园", "东园", "南园"]
FINDINGS = [{"lon": 121.73, "lat": 31.18, "parks": ["North Park", "East Park"]}]

LAYER = 'visible[box.getAttribute("data-layer")] = box.checked;  /* STUB:LAYER */'
FINDING = 'view = {lon: f.lon, lat: f.lat, zoom: 15};  /* STUB:FINDING */'
SORT = 'rows.forEach(function (r) { table.tBodies[0].appendChild(r); });  /* STUB:SORT */'
READY = 'window.parkmap.ready = true;  /* STUB:READY */'
SCRIPT = '/* STUB:SCRIPT */'
EXTRA = '<!-- STUB:EXTRA -->'

# name, (text to replace, replacement) pairs, a phrase one failure must contain
BROKEN = [
    ("console.error", [(SCRIPT, 'console.error("stub: something broke");')],
     "console error: console.error: stub: something broke"),
    ("console.assert", [(SCRIPT, 'console.assert(false, "stub assert");')], "console.assert"),
    ("uncaught exception in a handler",
     [(FINDING, FINDING + ' null.x();')], "uncaught exception"),
    ("fetch to the network", [(SCRIPT, 'fetch("http://127.0.0.1:9/x").catch(function () {});')],
     "network request: http://127.0.0.1:9/x"),
    ("image from the network", [(EXTRA, '<img src="http://127.0.0.1:9/tile.png" alt="">')],
     "network request: http://127.0.0.1:9/tile.png"),
    ("script from another file", [(EXTRA, '<script src="leaflet.js"></script>')],
     "network request: file://"),
    ("switch that does nothing", [(LAYER, '')], "left layerVisible true"),
    ("switch that hides nothing", [(LAYER, LAYER + ' return;')], "nothing hidden"),
    ("finding that does not move the map", [(FINDING, '')], "did not move the map"),
    ("finding that moves elsewhere", [(FINDING, 'view = {lon: 121.5, lat: 31.3, zoom: 15};')],
     "m from it"),
    ("header that does not sort", [(SORT, '')], "left its rows in one order"),
    ("a park missing", [("var outline =", 'parks.pop(); var outline =')],
     "names differ: missing ['South Park']"),
    ("verdict fail", [('<h1 id="verdict" class="pass">', '<h1 id="verdict" class="fail">')],
     "#verdict has classes ['fail']"),
    ("no #indicators table", [('<table id="indicators">', '<table id="indicator">')],
     "no table#indicators"),
    ("never ready", [(READY, '')], "did not become ready"),
    ("layout moved", [('<div id="top">', '<div style="height:120px"></div><div id="top">')],
     "the viewport differs from"),
]


def main():
    if not cdp.find_chromium():
        if os.environ.get("CI") == "true":
            print("FAIL: chromium is not installed (scripts/setup.sh installs it)")
            return 1
        print("SKIP: chromium is not installed (bash scripts/setup.sh installs it)")
        return 77
    with open(STUB, encoding="utf-8") as f:
        stub = f.read()
    tmp = tempfile.mkdtemp(prefix="pm_browser_driver_")
    bad = 0
    try:
        with cdp.Browser() as b:
            def run(name, html, timeout=20.0, update=False):
                d = os.path.join(tmp, "".join(c if c.isalnum() else "_" for c in name))
                os.makedirs(d)
                path = os.path.join(d, "page.html")
                with open(path, "w", encoding="utf-8") as f:
                    f.write(html)
                page = b.new_page(1280, 900)
                try:
                    return contract.check_page(
                        page, "file://" + path, d, expect_parks=PARKS, expect_zh=ZH,
                        expect_verdict="pass", findings_at=FINDINGS,
                        reference=os.path.join(tmp, "ref.png"), update_reference=update,
                        timeout=timeout, log=lambda m: None)
                finally:
                    page.close()

            # The reference is the clean stub's own first view, made here.
            fails, info = run("reference", stub, update=True)
            fails, info = run("clean", stub)
            print("clean stub: %s (loaded in %.0f ms, requests %s)"
                  % ("pass" if not fails else "FAIL", info.get("load_ms", -1),
                     info.get("requests")))
            for f in fails:
                print("    " + f)
            bad += bool(fails)
            for name, edits, phrase in BROKEN:
                html = stub
                for old, new in edits:
                    assert old in html, "%s: the stub has no %r" % (name, old)
                    html = html.replace(old, new)
                fails, _ = run(name, html, timeout=3.0 if name == "never ready" else 20.0)
                caught = [f for f in fails if phrase in f]
                print("%-36s %s" % (name + ":", ("caught: " + caught[0][:110]) if caught
                                    else "NOT CAUGHT (failures: %s)" % fails))
                bad += not caught
    except cdp.CDPError as e:
        print("FAIL: %s" % e)
        bad += 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("driver self-test: %s" % ("all cases behave" if not bad else "%d case(s) wrong" % bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
