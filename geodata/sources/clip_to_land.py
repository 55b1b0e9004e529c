#!/usr/bin/env python3
"""Clip the Tianditu Pudong boundary to land (OpenStreetMap land polygons).

Reads   pudong_outline_tianditu.geojson (beside this script; Tianditu data,
        CGCS2000 ~ WGS 84, 90 vertices, includes tidal flats and shoals)
and     map.geo.json of the npm package @geo-maps/earth-coastlines-10m@0.6.0
        (OpenStreetMap land polygons, (c) OpenStreetMap contributors, ODbL 1.0),
writes  pudong_outline_land.geojson (beside this script): their
        intersection, the file geodata/generate.py reads.

The npm package (11.7 MB packed, 37 MB unpacked) is not kept in the
repository. Fetch it once into a cache directory and point the script at it:

    mkdir -p ~/.cache/parkmap && cd ~/.cache/parkmap
    npm pack @geo-maps/earth-coastlines-10m@0.6.0 && tar xzf geo-maps-earth-coastlines-10m-0.6.0.tgz
    /usr/bin/python3 geodata/sources/clip_to_land.py ~/.cache/parkmap/package/map.geo.json

Needs GDAL's Python bindings (Debian: python3-gdal), which use GEOS for the
intersection. Deterministic for a given GEOS: polygons are written largest
first, exterior rings counter-clockwise starting at their south-west-most
vertex, coordinates rounded to 7 decimals; parts smaller than MIN_PART_M2
(slivers where the two sources' coastlines differ) are dropped, and holes
are dropped (the intersection has none today; the script says so if it does).
"""

import hashlib
import json
import math
import sys
from pathlib import Path

from osgeo import ogr

ogr.UseExceptions()
HERE = Path(__file__).resolve().parent
SRC = HERE / "pudong_outline_tianditu.geojson"
OUT = HERE / "pudong_outline_land.geojson"
PACKAGE = "@geo-maps/earth-coastlines-10m@0.6.0"
MIN_PART_M2 = 10000.0   # 0.01 km²


def ring_area_deg(ring):
    """Signed shoelace area in degrees² (only the sign and ordering matter)."""
    return sum(ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1]
               for i in range(len(ring) - 1)) / 2


def normalise(ring):
    """CCW, closed, starting at the south-west-most vertex, 7 decimals,
    without repeated points."""
    pts = []
    for x, y in ring[:-1]:
        p = (float("%.7f" % x), float("%.7f" % y))
        if not pts or pts[-1] != p:
            pts.append(p)
    if pts[0] == pts[-1]:
        pts.pop()
    ring = pts + [pts[0]]
    if ring_area_deg(ring) < 0:
        pts = pts[::-1]
    k = min(range(len(pts)), key=lambda i: (pts[i][1], pts[i][0]))
    pts = pts[k:] + pts[:k]
    return pts + [pts[0]]


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    land_path = Path(argv[1])
    src = json.loads(SRC.read_text(encoding="utf-8"))
    district = ogr.CreateGeometryFromJson(json.dumps(src["features"][0]["geometry"]))
    minx, maxx, miny, maxy = district.GetEnvelope()
    box = ogr.CreateGeometryFromWkt(
        "POLYGON((%r %r,%r %r,%r %r,%r %r,%r %r))"
        % (minx, miny, maxx, miny, maxx, maxy, minx, maxy, minx, miny))
    ds = ogr.Open(str(land_path))
    feat = ds.GetLayer(0).GetNextFeature()
    land = ogr.Geometry(ogr.wkbMultiPolygon)
    stack = [feat.GetGeometryRef()]
    while stack:   # GeometryCollection > MultiPolygon > Polygon
        g = stack.pop()
        if g.GetGeometryType() in (ogr.wkbPolygon, ogr.wkbPolygon25D):
            if g.Intersects(box):
                land.AddGeometry(g.Intersection(box))
        else:
            stack.extend(g.GetGeometryRef(i) for i in range(g.GetGeometryCount()))
    clipped = district.Intersection(land.UnionCascaded())

    # The sliver filter needs only a rough area: degrees² scaled to m² at
    # Pudong's latitude (good to a few per cent), not a GDAL-version-bound
    # geodesic measure.
    k = (111320.0 ** 2) * math.cos(math.radians(31.1))
    polys, dropped, holes = [], 0, 0
    parts = [clipped.GetGeometryRef(i) for i in range(clipped.GetGeometryCount())] \
        if clipped.GetGeometryType() in (ogr.wkbMultiPolygon, ogr.wkbGeometryCollection) \
        else [clipped]
    for p in parts:
        if p.GetGeometryType() != ogr.wkbPolygon:
            continue
        holes += p.GetGeometryCount() - 1
        ring = json.loads(p.ExportToJson())["coordinates"][0]
        if abs(ring_area_deg(ring)) * k < MIN_PART_M2:
            dropped += 1
            continue
        polys.append([normalise(ring)])
    polys.sort(key=lambda poly: -abs(ring_area_deg(poly[0])))
    if holes:
        print("clip_to_land.py: dropped %d hole(s)" % holes, file=sys.stderr)

    props = {
        "name": "Pudong New Area",
        "name_zh": "浦东新区",
        "adcode": "310115",
        "source": src["features"][0]["properties"]["source"],
        "clipped_to": "land polygons of npm %s (map.geo.json, sha256 %s), "
                      "(c) OpenStreetMap contributors, ODbL 1.0"
                      % (PACKAGE, hashlib.sha256(land_path.read_bytes()).hexdigest()),
        "crs": "WGS 84 (Tianditu's CGCS2000 taken as WGS 84)",
        "dropped_parts_below_m2": MIN_PART_M2,
    }
    coords = json.dumps([[[list(p) for p in ring] for ring in poly] for poly in polys],
                        separators=(",", ":"))
    text = ('{"type":"FeatureCollection","features":[\n'
            '{"type":"Feature","properties":%s,"geometry":{"type":"MultiPolygon",'
            '"coordinates":%s}}\n]}\n'
            % (json.dumps(props, ensure_ascii=False, separators=(",", ":")), coords))
    OUT.write_text(text, encoding="utf-8", newline="\n")
    print("clip_to_land.py: %d part(s) kept (%s vertices), %d sliver(s) dropped; wrote %s"
          % (len(polys), "+".join(str(len(p[0]) - 1) for p in polys), dropped, OUT))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
