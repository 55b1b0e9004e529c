"""The report's browser contract, checked on an open page.

check_page() runs every check on one report (or on the contract stub) and
returns a list of failures, one line each; an empty list is a pass. The
same function serves tests/browser/test_report.py (on `parkmap report`'s
output) and tests/browser/test_driver.py (on the stub, and on copies of it
broken on purpose, to show every check can fail). docs/report-testing.md
states the contract.
"""
import json
import math
import os
import time

import pngdiff
from cdp import CDPError

LAYERS = ["parks", "outline", "findings", "shared", "clusters"]
TABLES = ["findings", "parks", "adjacency", "clusters", "indicators"]
# A layer switched off must change at least one pixel of #map by more than
# LAYER_TOL per channel. One pixel is enough: the same page drawn twice
# gives the same pixels (nothing changes by itself, the switches' own box is
# left out), and at the district's zoom a layer can be small (the shipped
# shared boundaries are 320 m and 800 m: a few pixels long).
LAYER_MIN_PIXELS = 1
LAYER_TOL = 16
# After a click on a finding, the map's centre must lie this close to it.
FINDING_NEAR_M = 1000.0


def metres(lon1, lat1, lon2, lat2):
    """Great-circle distance on a 6,371 km sphere: enough to say 'near'."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371000.0 * math.asin(min(1.0, math.sqrt(a)))


def _js(page, expr):
    return page.evaluate(expr)


def _wait_for(page, expr, timeout=2.0):
    """Polls expr until truthy; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        v = page.evaluate(expr)
        if v or time.monotonic() > deadline:
            return v
        time.sleep(0.05)


def check_page(page, url, workdir, expect_parks=None, expect_zh=None, expect_verdict=None,
               findings_at=None, pixel_layers=LAYERS, reference=None, update_reference=False,
               ref_tol=48, ref_budget=0.01, timeout=20.0, log=print):
    """Opens url in page and checks the contract.

    expect_parks: park names parks() must return (as a multiset);
    expect_zh: name_zh values that must all be present;
    expect_verdict: "pass" or "fail", #verdict's class;
    findings_at: None (not checked), [] (no finding rows expected), or a list
        of {lon, lat, parks} a click on the first finding row must move to;
    pixel_layers: the layers with something to draw: switching one of them
        off must change #map's pixels (every layer's switch must flip
        layerVisible);
    reference: a PNG the initial viewport is compared with (update_reference
        writes it instead). Returns (failures, info)."""
    fails = []
    info = {}
    try:
        info["load_ms"] = page.open(url, timeout=timeout)
    except CDPError as e:
        return ["the page did not load: %s" % e], info
    log("loaded in %.0f ms (navigation start to parkmap.ready)" % info["load_ms"])

    def failed(msg):
        log("FAIL: " + msg)
        fails.append(msg)

    def guard(name, fn):
        try:
            fn()
        except (CDPError, ValueError, KeyError, TypeError, AssertionError) as e:
            failed("%s: %s" % (name, e))

    # The page as it first appears: compared with the reference, before any click.
    def first_view():
        _js(page, "window.scrollTo(0, 0)")
        shot = os.path.join(workdir, "viewport.png")
        page.screenshot(shot)
        info["screenshot"] = shot
        if reference is None:
            return
        if update_reference:
            with open(shot, "rb") as src, open(reference, "wb") as dst:
                dst.write(src.read())
            log("wrote reference %s" % reference)
            return
        if not os.path.exists(reference):
            failed("no reference %s (PM_UPDATE_REFERENCES=1 writes it)" % reference)
            return
        diff = os.path.join(workdir, "viewport.diff.png")
        bad, total = pngdiff.compare(pngdiff.load(reference), pngdiff.load(shot), ref_tol, diff)
        log("viewport against %s: %d of %d pixels differ by more than %d (%.3f %%, budget %.2f %%)"
            % (os.path.basename(reference), bad, total, ref_tol, 100.0 * bad / total,
               100.0 * ref_budget))
        if bad > ref_budget * total:
            info["diff"] = diff
            failed("the viewport differs from %s: %d of %d pixels (%.2f %% > %.2f %%); "
                   "screenshot %s, differences in red: %s"
                   % (reference, bad, total, 100.0 * bad / total, 100.0 * ref_budget, shot, diff))
    guard("screenshot", first_view)

    def structure():
        for sel in ["#map", "#provenance", "#verdict"] + ["table#" + t for t in TABLES]:
            if not _js(page, "!!document.querySelector('%s')" % sel):
                failed("no %s element" % sel)
        if expect_verdict is not None:
            cls = _js(page, "(function () { var v = document.getElementById('verdict');"
                            " return v ? Array.prototype.slice.call(v.classList) : null; })()")
            if cls is not None and (expect_verdict not in cls
                                    or ({"pass", "fail"} - {expect_verdict}) & set(cls)):
                failed("#verdict has classes %s, expected %s" % (cls, expect_verdict))
    guard("structure", structure)

    def park_list():
        got = _js(page, "window.parkmap.parks()")
        if not isinstance(got, list):
            failed("parkmap.parks() returned %r" % (got,))
            return
        names = sorted(p.get("name") for p in got)
        if expect_parks is not None and names != sorted(expect_parks):
            failed("parkmap.parks() names differ: missing %s, unexpected %s"
                   % (sorted(set(expect_parks) - set(names)), sorted(set(names) - set(expect_parks))))
        zh = {p.get("name_zh") for p in got}
        if expect_zh is not None and set(expect_zh) - zh:
            failed("parkmap.parks() lacks name_zh %s" % sorted(set(expect_zh) - zh))
        rows = _js(page, "Array.prototype.map.call(document.querySelectorAll("
                         "'#parks tr[data-park]'), function (r) { return r.dataset.park; })")
        if expect_parks is not None and sorted(rows) != sorted(expect_parks):
            failed("table #parks rows (data-park) differ from the parks: %s" % sorted(rows))
        info["parks"] = len(names)
    guard("parks", park_list)

    def switches_box():
        # The switches themselves (often a control drawn over the map) change
        # when clicked: their box, relative to #map, is left out of the
        # comparison, so only what the map draws counts.
        r = _js(page, """(function () {
            var m = document.getElementById('map').getBoundingClientRect(), b = null;
            Array.prototype.forEach.call(document.querySelectorAll('input[data-layer]'), function (e) {
              var r = (e.closest('label') || e).getBoundingClientRect();
              b = b ? {l: Math.min(b.l, r.left), t: Math.min(b.t, r.top), r: Math.max(b.r, r.right),
                       b: Math.max(b.b, r.bottom)} : {l: r.left, t: r.top, r: r.right, b: r.bottom};
            });
            return b && [b.l - m.left - 4, b.t - m.top - 4, b.r - m.left + 4, b.b - m.top + 4];
          })()""")
        return [r] if r else []

    def layers():
        for name in LAYERS:
            vis = "window.parkmap.layerVisible('%s')" % name
            box = "input[type=checkbox][data-layer='%s']" % name
            if _js(page, vis) is not True:
                # A layer the page starts with off (clusters would hide the
                # parks' colours): a click must show it, then it is tested
                # like the others and switched off again at the end.
                page.click(box)
                if _js(page, vis) is not True:
                    failed("layer %s is off at first and a click on its switch did not show it"
                           % name)
                    continue
                restore_off = True
            else:
                restore_off = False
            before = page.screenshot(os.path.join(workdir, "layer_%s_on.png" % name), "#map",
                                     fast=True)
            mask = switches_box()
            page.click(box)
            if _js(page, vis) is not False:
                failed("a click on the %s switch left layerVisible true" % name)
            after = page.screenshot(os.path.join(workdir, "layer_%s_off.png" % name), "#map",
                                    fast=True)
            bad, _ = pngdiff.compare(pngdiff.load(before), pngdiff.load(after), LAYER_TOL,
                                     exclude=mask)
            log("layer %s off: %d map pixels changed" % (name, bad))
            if name in pixel_layers and bad < LAYER_MIN_PIXELS:
                failed("switching layer %s off changed %d pixels of #map (< %d): nothing hidden"
                       % (name, bad, LAYER_MIN_PIXELS))
            if restore_off:
                continue
            page.click(box)
            if _js(page, vis) is not True:
                failed("a second click on the %s switch did not show it again" % name)
    guard("layers", layers)

    def findings():
        rows = _js(page, "document.querySelectorAll('#findings tr[data-finding]').length")
        if findings_at is None:
            return
        if not findings_at:
            if rows:
                failed("%d finding rows, expected none" % rows)
            return
        if not rows:
            failed("no finding rows (#findings tr[data-finding]), expected some")
            return
        sel = "#findings tr[data-finding]"
        text = _js(page, "document.querySelector('%s').textContent" % sel)
        before = _js(page, "window.parkmap.view()")
        page.click(sel)
        # The contract says synchronous; the short poll only absorbs the
        # input pipeline's round trip.
        moved = _wait_for(page, "(function () { var v = window.parkmap.view(), b = %s;"
                                " return v.lon !== b.lon || v.lat !== b.lat || v.zoom !== b.zoom; })()"
                          % json.dumps(before))
        after = _js(page, "window.parkmap.view()")
        log("finding row 0 (%s): view %s -> %s" % (" ".join(text.split())[:80], before, after))
        if not moved:
            failed("a click on the first finding row did not move the map (view %s)" % after)
            return
        near = [f for f in findings_at if all(p in text for p in f.get("parks", []))] or findings_at
        dist = min(metres(after["lon"], after["lat"], f["lon"], f["lat"]) for f in near)
        if dist > FINDING_NEAR_M:
            failed("after a click on the first finding the centre (%.5f, %.5f) is %.0f m from it "
                   "(> %.0f m)" % (after["lon"], after["lat"], dist, FINDING_NEAR_M))
    guard("findings", findings)

    def sorting():
        # Per table with a body of several rows: the first sortable header
        # whose column holds at least two different values.
        plan = _js(page, """Array.prototype.map.call(document.querySelectorAll('table[id]'),
            function (t) {
              var ths = t.querySelectorAll('th[data-sort]'), body = t.tBodies[0];
              if (!body || body.rows.length < 2) return [t.id, -1, ths.length];
              for (var i = 0; i < ths.length; i++) {
                var col = Array.prototype.indexOf.call(ths[i].parentNode.children, ths[i]), seen = {};
                Array.prototype.forEach.call(body.rows, function (r) {
                  if (r.cells[col]) seen[r.cells[col].textContent] = 1; });
                if (Object.keys(seen).length > 1) return [t.id, i, ths.length];
              }
              return [t.id, -1, ths.length];
            })""")
        sortable = {t: i for t, i, n in plan if i >= 0}
        if "parks" not in sortable:
            failed("table #parks has no sortable header (th[data-sort]) over a column of "
                   "different values: %s" % plan)
        for t, i in sorted(sortable.items()):
            order = ("Array.prototype.map.call(document.querySelector('table#%s').tBodies[0].rows,"
                     " function (r) { return r.outerHTML; })" % t)
            th = "table#%s th[data-sort]" % t
            aria = "document.querySelectorAll('%s')[%d].getAttribute('aria-sort')" % (th, i)
            o0 = _js(page, order)
            page.click(th, index=i)
            o1, a1 = _js(page, order), _js(page, aria)
            page.click(th, index=i)
            o2, a2 = _js(page, order), _js(page, aria)
            log("sort #%s by header %d: aria-sort %s then %s" % (t, i, a1, a2))
            if sorted(o1) != sorted(o0) or sorted(o2) != sorted(o0):
                failed("sorting #%s lost or changed rows" % t)
            if o1 == o2:
                failed("two clicks on sortable header %d of #%s left its rows in one order" % (i, t))
            if {a1, a2} != {"ascending", "descending"}:
                failed("sorting #%s set aria-sort %r then %r" % (t, a1, a2))
    guard("sorting", sorting)

    # Late errors (a handler that throws, a request made by a click) count too.
    page.drain(0.3)
    for e in page.console_errors:
        failed("console error: %s" % e)
    for u in page.foreign_requests():
        failed("network request: %s" % u)
    info["requests"] = list(page.requests)
    return fails, info
