#!/usr/bin/env python3
"""`parkmap report` opened in real headless Chromium (issue 13).

Two reports, each opened from file:// and checked against the contract
(contract.py; docs/report-testing.md):
  - the shipped Pudong data, built with its outline: no console error, no
    network request, the 15 parks (names from `parkmap area --json`,
    name_zh from geodata/pudong_parks.geojson) in parkmap.parks() and in
    #parks, every layer switch flips its layer and (but for findings, which
    this data has none of) changes the map's pixels, no finding rows, the
    tables sort, #verdict is "pass", and the first view matches
    tests/browser/ref/report_shipped.png within the tolerance below;
  - the same parks with an overlap and a gap made on purpose
    (make_findings.py): the same checks, every layer's pixels, #verdict
    "fail", and a click on the first finding moves the map to it;
  - the comparison report of the two (report --against): its changes
    layer switches off and on, a click on a changed park's row moves the
    map, no console error or request.

The screenshot tolerance: a pixel mismatches when a channel differs by
more than 48/255, and at most 1 % of the 1280x900 viewport may mismatch.
Fonts, FreeType hinting and anti-aliasing differ a little between machines
and Chromium versions; they move edge pixels of text and lines by less than
that. A layer gone, a moved map or a reflowed table change far more (the
self-test's 120 px shift of the page changes 3.8 %).

Regenerate the reference after an intended change in how the report looks:
    PM_UPDATE_REFERENCES=1 ctest --test-dir build -R browser_report
and look at the new PNG before committing it. On failure the screenshot
and a diff image (mismatches in red) are kept in /tmp/pm_browser_report/.

Exit 0 on success, 1 on a failure, 77 (skipped) only when chromium is not
installed and CI is not "true".
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cdp  # noqa: E402
import contract  # noqa: E402

KEEP = "/tmp/pm_browser_report"


def comparison(page, url, workdir):
    """The comparison report (report --against): its changes layer is on
    and a real click on its switch hides it (the map's pixels change), a
    click on the first row of #cmp-parks (a changed park) moves the map,
    and nothing logs an error or reaches for the network."""
    fails = []
    page.open(url)
    vis = "window.parkmap.layerVisible('changes')"
    if page.evaluate(vis) is not True:
        fails.append("the changes layer is not on the map at first")
    n = page.evaluate("document.querySelectorAll('#cmp-parks tbody tr').length")
    if not n:
        fails.append("no rows in #cmp-parks")
    status = page.evaluate("document.querySelector('#cmp-parks tbody tr td:nth-child(3)')"
                           " && document.querySelector('#cmp-parks tbody tr td:nth-child(3)')"
                           ".textContent")
    if status != "changed":
        fails.append("the first comparison row is %r, expected a changed park first" % status)
    on = page.screenshot(os.path.join(workdir, "changes_on.png"), "#map", fast=True)
    page.click("input[type=checkbox][data-layer='changes']")
    if page.evaluate(vis) is not False:
        fails.append("a click on the changes switch left it on")
    off = page.screenshot(os.path.join(workdir, "changes_off.png"), "#map", fast=True)
    bad, _ = contract.pngdiff.compare(contract.pngdiff.load(on), contract.pngdiff.load(off),
                                      contract.LAYER_TOL)
    print("comparison: changes layer off: %d map pixels changed" % bad)
    if bad < contract.LAYER_MIN_PIXELS:
        fails.append("switching the changes layer off changed no pixel of the map")
    before = page.evaluate("window.parkmap.view()")
    page.click("#cmp-parks tbody tr")
    after = page.evaluate("window.parkmap.view()")
    print("comparison: row 0 click: view %s -> %s" % (before, after))
    if before == after:
        fails.append("a click on the first comparison row did not move the map")
    if page.evaluate(vis) is not True:
        fails.append("a click on a comparison row did not show the changes layer")
    page.drain(0.2)
    fails += ["console error: %s" % e for e in page.console_errors]
    fails += ["network request: %s" % u for u in page.foreign_requests()]
    return fails


def run(cmd, ok=(0,)):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode not in ok:
        raise RuntimeError("%s: exit %d, expected %s\n%s%s" % (" ".join(cmd), p.returncode,
                                                                 ok, p.stdout[-2000:],
                                                                 p.stderr[-2000:]))
    return p.stdout


def main():
    pm = os.environ.get("PM_BINARY")
    src = os.environ.get("PM_SOURCE_DIR")
    if not pm or not src:
        print("PM_BINARY and PM_SOURCE_DIR must be set (ctest sets them)")
        return 2
    if not cdp.find_chromium():
        if os.environ.get("CI") == "true":
            print("FAIL: chromium is not installed (scripts/setup.sh installs it)")
            return 1
        print("SKIP: chromium is not installed (bash scripts/setup.sh installs it)")
        return 77
    update = os.environ.get("PM_UPDATE_REFERENCES") == "1"
    ref = os.path.join(src, "tests", "browser", "ref", "report_shipped.png")
    parks_geojson = os.path.join(src, "geodata", "pudong_parks.geojson")
    outline = os.path.join(src, "geodata", "pudong_outline.geojson")
    os.environ.setdefault("PARKMAP_STYLE_DIR", os.path.join(src, "styles"))
    tmp = tempfile.mkdtemp(prefix="pm_browser_report_")
    fails = []
    try:
        # The shipped data, and the same with known findings.
        run([pm, "build", parks_geojson, "--outline", outline, "-o", tmp + "/pd", "--quiet"])
        where = json.loads(run([sys.executable, os.path.join(HERE, "make_findings.py"),
                                parks_geojson, tmp + "/findings.geojson"]))
        # Exit 1: the check finds the overlap and the gap; anything else is
        # an error the report would only hide.
        run([pm, "build", tmp + "/findings.geojson", "--outline", outline, "-o", tmp + "/fd",
             "--quiet"], ok=(1,))
        area = json.loads(run([pm, "area", "--db", tmp + "/pd/parks.db", "--json"]))
        names = [p["name"] for p in area["parks"]]
        with open(parks_geojson, encoding="utf-8") as f:
            zh = [ft["properties"]["name_zh"] for ft in json.load(f)["features"]]
        if len(names) != 15 or len(zh) != 15:
            raise RuntimeError("expected 15 parks, area --json lists %d, the GeoJSON %d"
                               % (len(names), len(zh)))
        # report's exit status on data whose check fails is 0 or 1 (as check's
        # and build's); either way it must write the page.
        for d, ok in (("pd", (0,)), ("fd", (0, 1))):
            run([pm, "report", "--db", "%s/%s/parks.db" % (tmp, d), "-o",
                 "%s/%s/report.html" % (tmp, d)], ok=ok)
            size = os.path.getsize("%s/%s/report.html" % (tmp, d))
            print("%s/report.html: %d bytes" % (d, size))
            if size == 0:
                raise RuntimeError("%s/report.html is empty" % d)

        with cdp.Browser() as b:
            for d, kw in (
                ("pd", dict(expect_verdict="pass", findings_at=[],
                            pixel_layers=[n for n in contract.LAYERS if n != "findings"],
                            reference=ref, update_reference=update)),
                # The gap finding lies on Data Chain | Online's shared edge,
                # and its marker covers that edge at the first zoom: the
                # shared layer's pixels are checked on the shipped data.
                ("fd", dict(expect_verdict="fail", findings_at=where,
                            pixel_layers=[n for n in contract.LAYERS if n != "shared"])),
            ):
                print("--- %s" % ("shipped data" if d == "pd" else "data with findings"))
                page = b.new_page(1280, 900)
                try:
                    f, info = contract.check_page(
                        page, "file://%s/%s/report.html" % (tmp, d), "%s/%s" % (tmp, d),
                        expect_parks=names, expect_zh=zh, **kw)
                finally:
                    page.close()
                fails += ["%s: %s" % (d, x) for x in f]
                if f and info.get("screenshot"):
                    os.makedirs(KEEP, exist_ok=True)
                    for k in ("screenshot", "diff"):
                        if info.get(k):
                            shutil.copy(info[k], os.path.join(KEEP, "%s_%s" % (
                                d, os.path.basename(info[k]))))
                    shutil.copy("%s/%s/report.html" % (tmp, d), os.path.join(KEEP, d + "_report.html"))
                    print("kept the screenshot, diff and page in %s" % KEEP)
            # The comparison report: the shipped layout (before) against the
            # one with the overlap and the gap (after).
            print("--- comparison report")
            os.makedirs(tmp + "/cd", exist_ok=True)
            run([pm, "report", "--db", tmp + "/pd/parks.db", "--against", tmp + "/fd/parks.db",
                 "-o", tmp + "/cd/report.html", "--quiet"])
            page = b.new_page(1280, 900)
            try:
                fails += ["cd: %s" % x for x in
                          comparison(page, "file://%s/cd/report.html" % tmp, tmp + "/cd")]
            finally:
                page.close()
    except (RuntimeError, cdp.CDPError, OSError, ValueError, KeyError) as e:
        fails.append(str(e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for f in fails:
        print("FAIL: " + f)
    print("%d failure(s)" % len(fails) if fails else "all checks passed")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
