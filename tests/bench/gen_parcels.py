#!/usr/bin/env python3
"""Synthetic parcel tessellations around Pudong, for benchmarks.

    python3 tests/bench/gen_parcels.py N OUT.geojson [--seed S]

Writes about N quadrilateral parcels (a grid of ceil(sqrt(N)) columns) in
WGS 84 around Pudong (121.5-121.9 E, 31.0-31.35 N). Grid vertices are
jittered, and each vertex is shared by the four cells around it with the
same coordinates, so neighbouring parcels share edges exactly: a real
tessellation, with no gaps or overlaps. Attributes mirror the parks'
(name, name_zh, industry, planned_area_km2, status, enterprises). Same N and
seed give the same bytes. Standard library only.
"""
import math
import random
import sys

INDUSTRIES = ["integrated circuits", "biomedicine", "artificial intelligence",
              "new-generation IT", "high-end manufacturing", "online economy"]
STATUSES = ["confirmed", "likely", "placeholder"]


def main():
    args = sys.argv[1:]
    seed = 42
    if "--seed" in args:
        i = args.index("--seed")
        seed = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    n, out = int(args[0]), args[1]
    rng = random.Random(seed)
    cols = max(1, math.ceil(math.sqrt(n)))
    rows = max(1, math.ceil(n / cols))
    lon0, lat0, w, h = 121.5, 31.0, 0.4, 0.35
    dx, dy = w / cols, h / rows
    # Jitter a third of a cell at most: cells stay convex-ish and valid.
    jit = 0.3
    vx = [[lon0 + i * dx + (rng.uniform(-jit, jit) * dx if 0 < i < cols else 0)
           for i in range(cols + 1)] for _ in range(rows + 1)]
    vy = [[lat0 + j * dy + (rng.uniform(-jit, jit) * dy if 0 < j < rows else 0)
           for _ in range(cols + 1)] for j in range(rows + 1)]
    count = 0
    with open(out, "w", encoding="utf-8") as f:
        f.write('{"type":"FeatureCollection","features":[\n')
        for j in range(rows):
            for i in range(cols):
                if count == n:
                    break
                ring = [(vx[j][i], vy[j][i]), (vx[j][i + 1], vy[j][i + 1]),
                        (vx[j + 1][i + 1], vy[j + 1][i + 1]), (vx[j + 1][i], vy[j + 1][i])]
                ring.append(ring[0])
                coords = ",".join("[%.7f,%.7f]" % p for p in ring)
                ind = INDUSTRIES[rng.randrange(len(INDUSTRIES))]
                ent = rng.randrange(0, 40)
                f.write('%s{"type":"Feature","properties":{"name":"Parcel %d","name_zh":"地块%d",'
                        '"industry":"%s","planned_area_km2":%.6f,"status":"%s","enterprises":%d},'
                        '"geometry":{"type":"Polygon","coordinates":[[%s]]}}\n'
                        % ("," if count else "", count, count, ind,
                           dx * dy * 111.32 * 111.32 * math.cos(math.radians(31.2)),
                           STATUSES[rng.randrange(3)], ent, coords))
                count += 1
        f.write("]}\n")


main()
