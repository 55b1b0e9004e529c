"""Every check generate.py runs on what it built, before writing anything.

  * the table: 15 rows, ids 1..n, vocabularies, two-decimal planned areas
    that add up to exactly 43.00 km²;
  * each park has as many blocks as the table says, and its geodesic area
    is within 0.1 % of its planned area;
  * rings are closed, simple and counter-clockwise (RFC 7946);
  * blocks of one park, and different parks, are >= 50 m apart, except the
    pairs that deliberately share an edge (SHARED_EDGE_PAIRS), whose
    contacts must be identical, oppositely directed segments or shared
    vertices; no park contains another;
  * the outline's parts are closed, simple, counter-clockwise and apart;
    its area lies between the published land area less 5 % and the
    unclipped Tianditu boundary (OUTLINE_RANGE_KM2); it contains every
    park (every vertex inside, no edge crossing it).

A Checker collects the failures (and prints each as "FAIL: ..."); run_all
runs everything and returns the figures generate.py reports.
"""

import math

from geodesy import LocalFrame, distance, multipolygon_area, polygon_area, ring_area
from planar import (orient, point_in_polygon, ring_is_simple, seg_seg_distance,
                    segments_touch)

# Pairs (park ids) that deliberately share boundary segments.
SHARED_EDGE_PAIRS = {(3, 4), (7, 10)}

MIN_GAP_M = 50.0
AREA_TOL = 0.001          # 0.1 %
TARGET_TOTAL_KM2 = 43.00
OUTLINE_NOMINAL_KM2 = 1210.0   # Pudong's published land area, for the report
# The land-clipped outline may not be smaller than the published land area
# less 5 %, nor larger than the unclipped Tianditu boundary (1,494.6 km²).
OUTLINE_RANGE_KM2 = (1150.0, 1495.0)

VOCAB_INDUSTRY = ("integrated circuits", "biomedicine", "artificial intelligence",
                  "new-generation IT", "high-end manufacturing", "online economy",
                  "unknown")
VOCAB_STATUS = ("confirmed", "likely", "placeholder")
VOCAB_AREA_SOURCE = ("catalogue", "news", "estimate")



class Checker:
    def __init__(self):
        self.failures = []

    def check(self, ok, what):
        if not ok:
            self.failures.append(what)
            print("FAIL: " + what)
        return ok


def validate_table(rows, chk):
    chk.check(len(rows) == 15, "parks_table.csv must have 15 rows, has %d" % len(rows))
    chk.check([r["id"] for r in rows] == list(range(1, len(rows) + 1)),
              "ids must be 1..n in order")
    for r in rows:
        tag = "park %d" % r["id"]
        chk.check(r["industry"] in VOCAB_INDUSTRY, tag + ": industry not in vocabulary")
        chk.check(r["status"] in VOCAB_STATUS, tag + ": bad status")
        chk.check(r["area_source"] in VOCAB_AREA_SOURCE, tag + ": bad area_source")
        chk.check(r["planned_area_km2"] > 0, tag + ": planned area must be positive")
        chk.check(r["enterprises"] is None or r["enterprises"] >= 0, tag + ": bad enterprises")
    # exact decimal sum, in hundredths of km²
    hundredths = sum(int(round(r["planned_area_km2"] * 100)) for r in rows)
    for r in rows:
        chk.check(abs(r["planned_area_km2"] * 100 - round(r["planned_area_km2"] * 100)) < 1e-9,
                  "park %d: planned area has more than 2 decimals" % r["id"])
    chk.check(hundredths == int(round(TARGET_TOTAL_KM2 * 100)),
              "planned areas sum to %.2f km², not %.2f" % (hundredths / 100, TARGET_TOTAL_KM2))
    return hundredths / 100



def check_block_counts(parks, chk):
    for pk in parks:
        r = pk["row"]
        chk.check(len(pk["polys"]) == r["blocks"],
                  "park %d: table says %d blocks, shape has %d"
                  % (r["id"], r["blocks"], len(pk["polys"])))


def check_outline(outline, chk):
    """The outline's own checks (outline: a MultiPolygon, a list of
    [exterior ring]); returns its geodesic area in km²."""
    for i, poly in enumerate(outline):
        tag = "outline part %d" % (i + 1)
        ring = poly[0]
        chk.check(len(poly) == 1, tag + ": holes are not supported")
        chk.check(ring[0] == ring[-1] and len(ring) >= 4, tag + ": ring not closed")
        chk.check(ring_is_simple(ring), tag + ": ring not simple")
        chk.check(ring_area(ring) > 0, tag + ": ring not counter-clockwise")
    for i in range(len(outline)):
        for j in range(i + 1, len(outline)):
            for _, a, b in _segments([outline[i]]):
                for _, c, d in _segments([outline[j]]):
                    if segments_touch(a, b, c, d):
                        chk.check(False, "outline parts %d and %d touch" % (i + 1, j + 1))
    outline_km2 = multipolygon_area(outline) / 1e6
    lo, hi = OUTLINE_RANGE_KM2
    chk.check(lo <= outline_km2 <= hi,
              "outline: %.1f km² is outside %.0f-%.0f km²" % (outline_km2, lo, hi))
    return outline_km2


def _segments(polys):
    for pi, poly in enumerate(polys):
        for ri, ring in enumerate(poly):
            for i in range(len(ring) - 1):
                yield (pi, ri, i), ring[i], ring[i + 1]


def _to_m(frame, pt):
    return frame.to_xy(pt[0], pt[1])


def min_distance_m(polys_a, polys_b):
    lats = [p[1] for poly in polys_a + polys_b for ring in poly for p in ring]
    lons = [p[0] for poly in polys_a + polys_b for ring in poly for p in ring]
    frame = LocalFrame((min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2)
    sa = [(_to_m(frame, a), _to_m(frame, b)) for _, a, b in _segments(polys_a)]
    sb = [(_to_m(frame, a), _to_m(frame, b)) for _, a, b in _segments(polys_b)]
    return min(seg_seg_distance(a, b, c, d) for a, b in sa for c, d in sb)


def _inside_any(pt, polys):
    """1 strictly inside some polygon, 0 on a boundary, -1 outside all."""
    best = -1
    for poly in polys:
        r = point_in_polygon(pt, poly)
        if r == 1:
            return 1
        best = max(best, r)
    return best


def _interior_probe_points(polys):
    """Points just inside each edge (left of CCW exteriors), ~0.1 m in."""
    pts = []
    for poly in polys:
        for ring in poly:
            for i in range(len(ring) - 1):
                a, b = ring[i], ring[i + 1]
                dx, dy = b[0] - a[0], b[1] - a[1]
                length = math.hypot(dx, dy)
                if length == 0:
                    continue
                k = 1e-6 / length
                pts.append(((a[0] + b[0]) / 2 - dy * k, (a[1] + b[1]) / 2 + dx * k))
    return pts


def check_shared_pair(pa, pb, chk, tag):
    """Parks meant to share an edge: contacts must be identical, opposite
    segments or shared vertices; no interior overlap. Returns the shared
    length in metres (geodesic)."""
    verts_b = {p for poly in pb for ring in poly for p in ring}
    shared_len = 0.0
    ok = True
    segs_b = list(_segments(pb))
    for _, a, b in _segments(pa):
        for _, c, d in segs_b:
            if not segments_touch(a, b, c, d):
                continue
            if a == d and b == c:
                shared_len += distance(a, b)
            elif a == c and b == d:
                ok = chk.check(False, tag + ": shared segment runs the same way (overlap)")
            else:
                common = {a, b} & {c, d}
                if len(common) != 1:
                    ok = chk.check(False, tag + ": segments touch away from a shared vertex")
                    continue
                v = common.pop()
                o = b if v == a else a
                w = d if v == c else c
                if orient(v, o, w) == 0 and (
                        (o[0] - v[0]) * (w[0] - v[0]) + (o[1] - v[1]) * (w[1] - v[1])) > 0:
                    ok = chk.check(False, tag + ": collinear overlap without shared vertices")
    for poly in pa:
        for ring in poly:
            for p in ring:
                r = _inside_any(p, pb)
                if r == 1 or (r == 0 and p not in verts_b):
                    ok = chk.check(False, tag + ": vertex %r inside or on the other park" % (p,))
    for p in _interior_probe_points(pa):
        if _inside_any(p, pb) == 1:
            ok = chk.check(False, tag + ": interiors overlap near %r" % (p,))
            break
    chk.check(shared_len > 0, tag + ": no shared edge found")
    return shared_len, ok


def check_parks(parks, outline, chk):
    results = {}
    for pk in parks:
        r = pk["row"]
        tag = "park %d" % r["id"]
        for poly in pk["polys"]:
            for ring in poly:
                chk.check(ring[0] == ring[-1] and len(ring) >= 4, tag + ": ring not closed")
                chk.check(ring_is_simple(ring), tag + ": ring not simple")
                chk.check(ring_area(ring) > 0, tag + ": exterior ring not counter-clockwise")
        if len(pk["polys"]) > 1:
            for i in range(len(pk["polys"])):
                for j in range(i + 1, len(pk["polys"])):
                    d = min_distance_m([pk["polys"][i]], [pk["polys"][j]])
                    chk.check(d >= MIN_GAP_M, tag + ": blocks %d and %d only %.1f m apart"
                              % (i + 1, j + 1, d))
        area = multipolygon_area(pk["polys"])
        results[r["id"]] = {"area_m2": area}
        diff = area / (r["planned_area_km2"] * 1e6) - 1
        chk.check(abs(diff) <= AREA_TOL, tag + ": area off by %.4f %%" % (100 * diff))
        for poly in pk["polys"]:
            for ring in poly:
                for p in ring:
                    if _inside_any(p, outline) != 1:
                        chk.check(False, tag + ": vertex %r not inside the outline" % (p,))
        for _, a, b in _segments(pk["polys"]):
            for _, c, d in _segments(outline):
                if segments_touch(a, b, c, d):
                    chk.check(False, tag + ": crosses the outline")
        results[r["id"]]["to_outline_m"] = min_distance_m(pk["polys"], outline)

    shared = []
    nearest = {}
    for i in range(len(parks)):
        for j in range(i + 1, len(parks)):
            a, b = parks[i], parks[j]
            ia, ib = a["row"]["id"], b["row"]["id"]
            tag = "parks %d/%d" % (ia, ib)
            if (ia, ib) in SHARED_EDGE_PAIRS:
                length, _ = check_shared_pair(a["polys"], b["polys"], chk, tag)
                check_shared_pair(b["polys"], a["polys"], chk, tag + " (reverse)")
                shared.append((ia, ib, length))
                continue
            d = min_distance_m(a["polys"], b["polys"])
            for k in (ia, ib):
                if k not in nearest or d < nearest[k][1]:
                    nearest[k] = (ib if k == ia else ia, d)
            chk.check(d >= MIN_GAP_M, tag + ": only %.1f m apart" % d)
            # containment is not caught by the distance test
            pa = a["polys"][0][0][0]
            pb = b["polys"][0][0][0]
            chk.check(_inside_any(pa, b["polys"]) == -1 and _inside_any(pb, a["polys"]) == -1,
                      tag + ": one park contains the other")
    return results, shared, nearest



def run_all(rows, parks, outline, chk):
    """Run every check in the order generate.py always has; returns
    (planned_total_km2, outline_km2, results, shared, nearest)."""
    planned_total = validate_table(rows, chk)
    check_block_counts(parks, chk)
    outline_km2 = check_outline(outline, chk)
    results, shared, nearest = check_parks(parks, outline, chk)
    return planned_total, outline_km2, results, shared, nearest
