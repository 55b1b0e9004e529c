"""The shapes of generate.py: park blocks and the district outline.

Each block is laid out in metres (geodesy.LocalFrame) around the park's
reference centre, or around CLUSTER_ORIGIN for the central Zhangjiang
cluster, and one parameter per block (a scale factor or one edge position)
is solved until the block's geodesic area equals its planned area. Vertices
are rounded to 7 decimals (q7), as written to the GeoJSON. Nothing here
checks the result: checks.py does.
"""

import json
import math
from pathlib import Path

from geodesy import LocalFrame, ring_area
from planar import centroid_moments

CLUSTER_ORIGIN = (121.61, 31.20)   # central Zhangjiang, local frame origin

def rect(w, h):
    return [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]


def rotate(pts, deg):
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return [(x * c - y * s, x * s + y * c) for x, y in pts]


def centred(pts):
    """Move a simple polygon so its planar centroid is at the origin."""
    a, cx, cy = centroid_moments(list(pts) + [pts[0]])
    cx /= 6 * a
    cy /= 6 * a
    return [(x - cx, y - cy) for x, y in pts]


def template_block(template, rot_deg, dx, dy, area_km2):
    """A free-standing block: a template (metres, centred on its centroid,
    rotated) placed dx, dy metres from the park centre and scaled to area."""
    base = rotate(centred(template), rot_deg)
    return {"kind": "scale", "area_km2": area_km2,
            "build": lambda s: [(dx + x * s, dy + y * s) for x, y in base],
            "p0": 1.0}


def sector_block(dx, dy, r_inner, a0, a1, step, area_km2):
    """Annular sector between r_inner and a solved outer radius, centred
    dx, dy from the park centre, angles a0..a1 (degrees from east, CCW)."""
    angles = []
    a = a0
    while a <= a1 + 1e-9:
        angles.append(a)
        a += step

    def build(r_outer):
        outer = [(dx + r_outer * math.cos(math.radians(t)),
                  dy + r_outer * math.sin(math.radians(t))) for t in angles]
        inner = [(dx + r_inner * math.cos(math.radians(t)),
                  dy + r_inner * math.sin(math.radians(t))) for t in reversed(angles)]
        return outer + inner
    return {"kind": "param", "area_km2": area_km2, "build": build,
            "p0": r_inner + 500.0, "p1": r_inner + 600.0}


# Central Zhangjiang cluster, in metres east/north of CLUSTER_ORIGIN.
# 3 (Innovative Drug) sits on top; 4 (AI Island) hangs from part of 3's
# southern edge; 10 (Online, with a notch around 4) and 7 (Data Chain)
# lie side by side below, sharing the whole x = 200 m edge. Streets between
# parks are 80-100 m wide. Only one coordinate per park is solved for area.
_T1 = (-300.0, 250.0)      # T-junction vertices shared by parks 3 and 4
_T2 = (20.0, 250.0)
_E_TOP = (200.0, 150.0)    # edge shared in full by parks 10 and 7
_E_BOT = (200.0, -650.0)


def _drug(y_north):
    return [(-2400.0, 250.0), _T1, _T2, (200.0, 250.0),
            (200.0, y_north), (-2000.0, y_north), (-2400.0, y_north - 400.0)]


def _ai_island(y_south):
    return [(_T1[0], y_south), (_T2[0], y_south), _T2, _T1]


def _online(x_west):
    return [(x_west, -650.0), _E_BOT, _E_TOP, (100.0, 150.0), (100.0, -142.0),
            (-380.0, -142.0), (-380.0, 150.0), (x_west, 150.0)]


def _data_chain(x_east):
    return [_E_TOP, _E_BOT, (700.0, -1150.0), (x_east, -1150.0),
            (x_east, -100.0), (x_east - 250.0, 150.0)]


def cluster_block(build, p0, p1, area_km2):
    return {"kind": "param", "area_km2": area_km2, "build": build,
            "p0": p0, "p1": p1, "frame": CLUSTER_ORIGIN}


def shape_specs(rows):
    """Blocks for every park id. Areas come from the table; block splits
    of Oriental Chip Harbour are estimates (documented in README.md)."""
    area = {r["id"]: r["planned_area_km2"] for r in rows}
    chip = [2.30, 1.35, 1.00, 0.80]
    if abs(sum(chip) - area[2]) > 1e-9:
        raise SystemExit("generate.py: Oriental Chip Harbour block areas do not add up")
    return {
        1: [template_block([(-1150, -870), (1000, -870), (1300, 870), (-1150, 870)],
                           0, 0, 0, area[1])],
        2: [template_block(rect(3300, 700), 0, 0, 700, chip[0]),
            template_block(rect(1300, 1040), 20, -1000, -550, chip[1]),
            template_block([(-500, -500), (500, -500), (500, 300), (0, 500), (-500, 300)],
                           0, 900, -600, chip[2]),
            template_block(rect(900, 900), 45, 300, -1900, chip[3])],
        3: [cluster_block(_drug, 1400.0, 1500.0, area[3])],
        4: [cluster_block(_ai_island, -50.0, -70.0, area[4])],
        5: [template_block([(-1100, -900), (1100, -900), (1100, 0), (0, 0), (0, 900),
                            (-1100, 900)], 0, 0, 0, area[5])],
        6: [template_block(rect(1200, 750), 30, 0, 0, area[6])],
        7: [cluster_block(_data_chain, 1700.0, 1800.0, area[7])],
        8: [template_block([(-1100, -700), (200, -1000), (1100, -300), (900, 800),
                            (-300, 1000), (-1000, 400)], 0, 0, 0, area[8])],
        9: [template_block(rect(3000, 1667), -20, 0, 0, area[9])],
        10: [cluster_block(_online, -1400.0, -1500.0, area[10])],
        11: [sector_block(0, -1150, 900, 45, 135, 15, area[11])],
        12: [template_block([(-1050, -1000), (1050, -1000), (1050, 600), (650, 1000),
                             (-1050, 1000)], 0, 130, 480, area[12])],
        13: [template_block(rect(2100, 1667), 10, 0, 0, area[13])],
        14: [template_block(rect(1600, 1600), 0, 0, 0, area[14])],
        15: [template_block(rect(1600, 1600), 0, 0, 0, area[15])],
    }


# The district outline is not drawn here: it is read from a source file,
# Tianditu's Pudong boundary clipped to OpenStreetMap land by
# sources/clip_to_land.py (see README.md, "The district outline").
OUTLINE_SOURCE = Path(__file__).resolve().parent / "sources" / "pudong_outline_land.geojson"


# --------------------------------------------------------------------------
# Building and solving
# --------------------------------------------------------------------------

def q7(v):
    """Round to 7 decimals, the precision written to the GeoJSON."""
    return float("%.7f" % v)


def close_ring(pts):
    pts = list(pts)
    return pts + [pts[0]]


def block_ring(block, frame, p, rounded=False):
    pts = [frame.to_lonlat(x, y) for x, y in block["build"](p)]
    if rounded:
        pts = [(q7(lon), q7(lat)) for lon, lat in pts]
    ring = close_ring(pts)
    if ring_area(ring) < 0:
        ring = ring[::-1]
    return ring


def solve_block(block, frame):
    """Find the parameter giving the block's target area (secant method)."""
    target = block["area_km2"] * 1e6

    def f(p):
        return ring_area(block_ring(block, frame, p)) - target
    if block["kind"] == "scale":
        s = block["p0"]
        for _ in range(60):
            a = ring_area(block_ring(block, frame, s))
            s_new = s * math.sqrt(target / a)
            if abs(s_new - s) <= 1e-13 * s:
                return s_new
            s = s_new
        return s
    p0, p1 = block["p0"], block["p1"]
    f0, f1 = f(p0), f(p1)
    for _ in range(60):
        if f1 == f0:
            break
        p2 = p1 - f1 * (p1 - p0) / (f1 - f0)
        p0, f0 = p1, f1
        p1, f1 = p2, f(p2)
        if abs(f1) <= 1e-9 * target:
            break
    return p1



def build_parks(rows):
    """One {"row", "polys"} per table row: every block solved to its area
    and rounded. polys is a MultiPolygon (a list of [exterior ring])."""
    specs = shape_specs(rows)
    parks = []
    for r in rows:
        polys = []
        for b in specs[r["id"]]:
            frame = LocalFrame(*b["frame"]) if "frame" in b else \
                LocalFrame(r["centre_lon"], r["centre_lat"])
            p = solve_block(b, frame)
            polys.append([block_ring(b, frame, p, rounded=True)])
        parks.append({"row": r, "polys": polys})
    return parks


def read_outline(path=OUTLINE_SOURCE):
    """The district outline as a MultiPolygon (a list of [exterior ring]),
    read from the source GeoJSON (one feature, a MultiPolygon without
    holes) and rounded to 7 decimals. Its properties come along for the
    output's provenance. Rings are taken as they are: checks.py verifies
    that they are closed, simple and counter-clockwise."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    feats = doc.get("features") or []
    if len(feats) != 1 or feats[0]["geometry"]["type"] != "MultiPolygon":
        raise SystemExit("generate.py: %s: expected one MultiPolygon feature" % path)
    polys = []
    for poly in feats[0]["geometry"]["coordinates"]:
        if len(poly) != 1:
            raise SystemExit("generate.py: %s: holes are not supported" % path)
        polys.append([[(q7(x), q7(y)) for x, y in poly[0]]])
    return polys, feats[0]["properties"]


def park_centroid(polys):
    """Area-weighted planar centroid in lon/lat (for reporting moves)."""
    sx = sy = sa = 0.0
    for poly in polys:
        a, cx, cy = centroid_moments(poly[0])
        sx += cx / 6
        sy += cy / 6
        sa += a
    return sx / sa, sy / sa

