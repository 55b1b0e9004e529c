#!/usr/bin/env python3
"""A hexagon tessellation around Pudong, built the way real data is built.

    python3 tests/bench/gen_hexagons.py N OUT.geojson [--seed S] [--pairs PAIRS.txt] [--exact]

Writes exactly N pointy-top hexagons in WGS 84 covering 121.5-121.9 E,
31.0-31.35 N, rows of equal length (the last one may be short), odd rows
shifted by half a hexagon: a real tessellation, no gaps, no overlaps. The
hexagons are regular on the ground (the longitude step is divided by
cos(latitude)), about 14,700 m2 each at N = 100,000.

Every hexagon computes its own six vertices in floating point from its own
centre (centre + radius * cos/sin of the vertex angle, in degrees), so the
two or three copies of a shared vertex may differ in the last bits, as they
do in real boundary files. Coordinates are written with Python's shortest
round-trip repr, so those differences reach the reader. Attributes: name,
industry. Same N and seed give the same bytes. Standard library only.

--exact writes every copy of a shared vertex with the same bits (the first
hexagon to compute it wins), as a topologically built file would: exact
predicates such as SpatiaLite's ST_Relate are then right, so a peer's pair
set can be compared with parkmap's one for one.

--pairs writes the true adjacency, known from the construction: one line
"a b" (feature indexes, a < b, which parkmap imports as source_fid) per
pair of hexagons sharing an edge, sorted as text (LC_ALL=C sort order).
"""
import math
import random
import sys

INDUSTRIES = ["integrated circuits", "biomedicine", "artificial intelligence",
              "new-generation IT", "high-end manufacturing", "online economy"]

LON0, LAT0, LON1, LAT1 = 121.5, 31.0, 121.9, 31.35
M_PER_DEG_LAT = 110574.0
M_PER_DEG_LON = 111320.0 * math.cos(math.radians((LAT0 + LAT1) / 2))


def main():
    args = sys.argv[1:]
    seed = 42
    if "--seed" in args:
        i = args.index("--seed")
        seed = int(args[i + 1])
        del args[i:i + 2]
    exact = "--exact" in args
    if exact:
        args.remove("--exact")
    pairs_out = None
    if "--pairs" in args:
        i = args.index("--pairs")
        pairs_out = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    n, out = int(args[0]), args[1]
    if n < 1:
        sys.exit("gen_hexagons.py: N must be at least 1")
    rng = random.Random(seed)
    width_m = (LON1 - LON0) * M_PER_DEG_LON
    height_m = (LAT1 - LAT0) * M_PER_DEG_LAT
    # Circumradius so that N hexagons of area (3*sqrt(3)/2) r^2 fill the box.
    r_m = math.sqrt(width_m * height_m / n / (1.5 * math.sqrt(3.0)))
    cols = max(1, math.ceil(width_m / (math.sqrt(3.0) * r_m)))
    # Radii in degrees: the hexagon's vertices are computed in degrees.
    rx = r_m / M_PER_DEG_LON
    ry = r_m / M_PER_DEG_LAT
    step_x = math.sqrt(3.0) * rx          # centre to centre along a row
    step_y = 1.5 * ry                     # row to row
    # Vertex directions of a pointy-top hexagon: 30, 90, ..., 330 degrees.
    dirs = [(math.cos(math.radians(30 + 60 * k)), math.sin(math.radians(30 + 60 * k)))
            for k in range(6)]
    # --exact: vertices by position on a 1e-6 degree grid (about 0.1 m,
    # far below a hexagon's side); neighbouring keys are probed too, so two
    # copies that straddle a grid line still meet.
    seen = {}

    def shared(p):
        kx, ky = round(p[0] * 1e6), round(p[1] * 1e6)
        for dx in (0, -1, 1):
            for dy in (0, -1, 1):
                q = seen.get((kx + dx, ky + dy))
                if q is not None and abs(q[0] - p[0]) < 1e-9 and abs(q[1] - p[1]) < 1e-9:
                    return q
        seen[(kx, ky)] = p
        return p

    with open(out, "w", encoding="utf-8") as f:
        f.write('{"type":"FeatureCollection","features":[\n')
        for i in range(n):
            row, col = divmod(i, cols)
            cx = LON0 + rx + col * step_x + (step_x / 2 if row % 2 else 0.0)
            cy = LAT0 + ry + row * step_y
            ring = [(cx + rx * c, cy + ry * s) for c, s in dirs]
            if exact:
                ring = [shared(p) for p in ring]
            ring.append(ring[0])
            coords = ",".join("[%r,%r]" % p for p in ring)
            f.write('%s{"type":"Feature","properties":{"name":"Hex %d","industry":"%s"},'
                    '"geometry":{"type":"Polygon","coordinates":[[%s]]}}\n'
                    % ("," if i else "", i, INDUSTRIES[rng.randrange(len(INDUSTRIES))],
                       coords))
        f.write("]}\n")
    if pairs_out:
        pairs = []
        for i in range(n):
            row, col = divmod(i, cols)
            # Along the row, then the two hexagons below-left/below-right in
            # the next row (odd rows are shifted right by half a hexagon).
            cand = [(row, col + 1)]
            cand += [(row + 1, col - 1), (row + 1, col)] if row % 2 == 0 else \
                [(row + 1, col), (row + 1, col + 1)]
            for r, c in cand:
                j = r * cols + c
                if 0 <= c < cols and j < n:
                    pairs.append("%d %d" % (i, j))
        pairs.sort()
        with open(pairs_out, "w", encoding="ascii") as f:
            f.write("".join(p + "\n" for p in pairs))


main()
