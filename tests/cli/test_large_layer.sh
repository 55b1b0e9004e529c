#!/usr/bin/env bash
# A parcel fabric large enough for the paths that keep memory flat: the
# tiled union (more than one tile of 4,000 features) and the adjacency table
# written pair by pair. The answers must be those of the whole layer.
. "$(dirname "$0")/lib.sh"
python3 "$SRC/tests/bench/gen_parcels.py" 9000 "$TMP/p.geojson" >/dev/null
run import "$TMP/p.geojson" --db "$TMP/p.db" --quiet
expect_status 0 "import 9000 parcels"

# The R*Tree is bulk loaded (packed, written into its shadow tables): SQLite's
# own rtreecheck() and SpatiaLite's CheckSpatialIndex() must accept it, with
# three levels for 9,000 rows, and it must stay sound when SpatiaLite's
# triggers then insert and delete rows the usual way.
chk=$(sqlite3 "$TMP/p.db" ".load mod_spatialite" \
  "SELECT rtreecheck('idx_parks_geom')" "SELECT CheckSpatialIndex('parks', 'geom')" \
  "SELECT count(*) FROM idx_parks_geom_rowid" \
  "SELECT hex(substr(data, 1, 2)) FROM idx_parks_geom_node WHERE nodeno = 1" | tr '\n' ' ')
[ "$chk" = "ok 1 9000 0002 " ] || fail "bulk-loaded R*Tree: ${chk:0:300}"
cp "$TMP/p.db" "$TMP/q.db"
chk=$(sqlite3 "$TMP/q.db" ".load mod_spatialite" \
  "INSERT INTO parks (source_fid, geom) SELECT 99999, ST_Translate(geom, 100, 100, 0) FROM parks WHERE source_fid = 7" \
  "DELETE FROM parks WHERE source_fid IN (1, 2, 3)" \
  "SELECT rtreecheck('idx_parks_geom')" "SELECT CheckSpatialIndex('parks', 'geom')" \
  "SELECT count(*) FROM idx_parks_geom_rowid" | tr '\n' ' ')
[ "$chk" = "ok 1 8998 " ] || fail "R*Tree after SpatiaLite's own insert and delete: ${chk:0:300}"

# The parcels tile the ground without overlap, so the union's area is the sum
# of the parcels' areas. Both sums are of the same 9,000 areas in a different
# order plus the clipping along tile edges (new vertices exactly on the
# parcels' edges): 1e-9 of 1,476 km^2 is 1.5 m^2, far above rounding and far
# below one parcel (0.16 km^2) counted twice or lost at a tile edge.
run area --db "$TMP/p.db" --json
expect_status 0 "area"
python3 - "$out" <<'EOF' || fail "tiled union area equals the sum of the parcels"
import json, sys
d = json.load(open(sys.argv[1]))
a = d["area_km2"]
sum_e = sum(p["ellipsoidal_km2"] for p in d["parks"])
sum_p = sum(p["planar_km2"] for p in d["parks"])
for name, u, s in (("ellipsoidal", a["union"], sum_e), ("planar", a["union_planar"], sum_p)):
    if abs(u - s) > 1e-9 * s:
        sys.exit(f"{name}: union {u!r} km2 against sum {s!r} km2")
EOF

# Adjacency streams its pairs into the table: the table holds exactly the
# pairs reported, with the same lengths, and each shared line's length in the
# Gauss-Krueger grid is the geodesic length times the grid scale (k <= 1.0003
# in Pudong, 1.5 degrees from the central meridian).
run adjacency --db "$TMP/p.db" --json
expect_status 0 "adjacency"
cp "$out" "$TMP/adj.json"
sqlite3 -csv "$TMP/p.db" ".load mod_spatialite" \
  "SELECT a_fid, b_fid, relation, printf('%.9f', shared_m), ST_Length(geom) FROM adjacency" \
  >"$TMP/adj.csv" || fail "read the adjacency table"
python3 - "$TMP/adj.json" "$TMP/adj.csv" <<'EOF' || fail "adjacency table matches the report"
import csv, json, sys
d = json.load(open(sys.argv[1]))
pairs = d["pairs"] + d.get("corner_only", [])
rows = [(int(a), int(b), rel, float(sh), float(g) if g else 0.0)
        for a, b, rel, sh, g in csv.reader(open(sys.argv[2]))]
if len(rows) != len(pairs) or len(pairs) < 20000:
    sys.exit(f"{len(rows)} table rows, {len(pairs)} pairs reported")
rep = {(p["fids"][0], p["fids"][1]): p for p in pairs}
for a, b, rel, shared, grid in rows:
    p = rep.get((a, b))
    if p is None or p["relation"] != rel or abs(p["shared_m"] - shared) > 1e-6:
        sys.exit(f"table row {a},{b} {rel} {shared} not in the report")
    if rel == "shares_edge" and not (1.0 <= grid / shared <= 1.0003):
        sys.exit(f"pair {a},{b}: grid length {grid} against geodesic {shared}")
EOF

# SVG: a path ends every PARKMAP_VECTOR_PIECE segments (40,000 by default:
# librsvg refuses a "d" of a few MB). Split much finer here, the SVG still
# opens in rsvg-convert and rasterises to the same map as the unsplit one.
run render --db "$TMP/p.db" -o "$TMP/whole.svg" --width 800 --height 800
expect_status 0 "render SVG"
PARKMAP_VECTOR_PIECE=400 "$PM" render --db "$TMP/p.db" -o "$TMP/pieces.svg" --width 800 \
  --height 800 >/dev/null 2>&1 || fail "render SVG in pieces"
nw=$(grep -o '<path' "$TMP/whole.svg" | wc -l)
np=$(grep -o '<path' "$TMP/pieces.svg" | wc -l)
[ "$np" -gt $((nw + 50)) ] || fail "pieces: $np paths against $nw"
rsvg-convert "$TMP/whole.svg" -o "$TMP/whole.png" && rsvg-convert "$TMP/pieces.svg" -o "$TMP/pieces.png" ||
  fail "rsvg-convert opens both SVGs"
python3 - "$SRC/tests/cli" "$TMP/whole.png" "$TMP/pieces.png" <<'EOF' || fail "SVG in pieces looks the same"
import sys
sys.path.insert(0, sys.argv[1])
from pngpix import read_png
wa, ha, ba, ra = read_png(sys.argv[2])
wb, hb, bb, rb = read_png(sys.argv[3])
if (wa, ha) != (wb, hb):
    sys.exit(f"sizes {wa}x{ha} and {wb}x{hb}")
# Only anti-aliasing along the cuts may differ (parcel outlines are drawn
# over every edge): at most 0.5 % of pixels by more than 64 of 255.
diff = sum(1 for y in range(ha) for x in range(wa)
           if max(abs(ra[y][x * ba + c] - rb[y][x * bb + c]) for c in range(3)) > 64)
if diff > 0.005 * wa * ha:
    sys.exit(f"{diff} of {wa * ha} pixels differ")
EOF

# Layout: the fabric is one cluster of all 9,000 parcels whose dissolved area
# (unioned in chunks of 4,000) is the union's; per industry, the clusters
# share the parcels out exactly once, and their areas add up to the fabric.
run layout --db "$TMP/p.db" --cluster-m 0 --json
expect_status 0 "layout"
cp "$out" "$TMP/layout.json"
run area --db "$TMP/p.db" --json
python3 - "$TMP/layout.json" "$out" <<'EOF' || fail "clusters of the whole fabric"
import json, sys
lay = json.load(open(sys.argv[1]))
union = json.load(open(sys.argv[2]))["area_km2"]["union"]
allc = [c for c in lay["clusters"] if c["scope"] == "all"]
if len(allc) != 1 or allc[0]["park_count"] != 9000:
    sys.exit(f"overall clusters: {[(c['park_count']) for c in allc][:5]}")
if abs(allc[0]["area_km2"] - union) > 1e-6 * union:
    sys.exit(f"dissolved {allc[0]['area_km2']} km2 against union {union} km2")
per = [c for c in lay["clusters"] if c["scope"] != "all"]
if sum(c["park_count"] for c in per) != 9000:
    sys.exit("per-industry clusters do not hold each parcel once")
if abs(sum(c["area_km2"] for c in per) - union) > 1e-6 * union:
    sys.exit("per-industry cluster areas do not add up to the fabric")
ids = {p["cluster"] for p in lay["parks"]}
if ids != {allc[0]["id"]}:
    sys.exit(f"parks point at clusters {sorted(ids)[:5]}")
EOF
finish
