#!/usr/bin/env bash
# parkmap clean: near-misses made to coincide, a sliver of unclaimed ground
# given to a neighbour, a thin overlap left to one park, a tongue folded by
# snapping made valid again; every move and area change reported; the
# repaired layer passes check; the source layer and a failed clean leave
# the database as it was.
. "$(dirname "$0")/lib.sh"

python3 - "$TMP" <<'PY'
import json, math, sys
tmp = sys.argv[1]
# Metres to degrees near Pudong (WGS 84 radii of curvature at 31.2 N; the
# shapes only need to be placed, the tests measure them in the storage CRS).
lat0, lon0 = 31.2, 121.6
a, e2 = 6378137.0, 0.00669437999014
s = math.sin(math.radians(lat0)); w = 1 - e2 * s * s
N = a / math.sqrt(w); Mr = a * (1 - e2) / (w * math.sqrt(w))
def pt(x, y):
    return [lon0 + math.degrees(x / (N * math.cos(math.radians(lat0)))), lat0 + math.degrees(y / Mr)]
def fc(name, feats):
    json.dump({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": n, "industry": "x"},
         "geometry": {"type": "Polygon", "coordinates": [[pt(*p) for p in ring]]}}
        for n, ring in feats]}, open(f"{tmp}/{name}.geojson", "w"))
# 1. near-miss: B's west edge 0.30 m east of A's east edge, 100 m long.
fc("near", [("A", [(0, 0), (100, 0), (100, 100), (0, 100), (0, 0)]),
            ("B", [(100.3, 0), (200, 0), (200, 100), (100.3, 100), (100.3, 0)])])
# 2. a triangular hole (sides 0.6 m, 0.156 m2) where three parks should meet:
# no vertex within 0.5 m of another park's edge, so only the sliver rule
# closes it.
h = 0.6 * math.sqrt(3) / 2; y1 = 99.8
P1, P2, P3 = (99.7, y1), (100.3, y1), (100.0, y1 + h)
fc("hole", [("X", [(0, 0), (200, 0), (200, y1), P2, P1, (0, y1), (0, 0)]),
            ("Y", [(200, y1), (200, 200), (100, 200), P3, P2, (200, y1)]),
            ("Z", [(0, y1), P1, P3, (100, 200), (0, 200), (0, y1)])])
# 3. a thin overlap: X's top edge dents 0.45 m up into Y over 1.4 m (0.315 m2).
fc("dent", [("X", [(0, 0), (200, 0), (200, 100), (100.7, 100), (100, 100.45), (99.3, 100),
                   (0, 100), (0, 0)]),
            ("Y", [(0, 100), (200, 100), (200, 200), (0, 200), (0, 100)])])
# 4. a tongue 0.3 m wide that snapping folds onto itself.
fc("tongue", [("A", [(0, 0), (100, 0), (100, 100), (0, 100), (0, 0)]),
              ("B", [(100, 0), (200, 0), (200, 100), (100, 100), (100, 50.15), (99.2, 50.15),
                     (99.2, 49.85), (100, 49.85), (100, 0)])])
PY

# 1. near-miss
run import "$TMP/near.geojson" --db "$TMP/n.db" --quiet
run check --db "$TMP/n.db" --target-km2 0.02 --json
py_json "assert [q['kind'] for q in d['qa']] == ['near_miss', 'gap'], d['qa']" "near-miss found before"
sum_before=$(sha256sum "$TMP/n.db" | cut -c1-64)
run clean --db "$TMP/n.db" --snap-m 0.2 --to parks --json
expect_status 2 "clean refuses to write over its source"
[ "$(sha256sum "$TMP/n.db" | cut -c1-64)" = "$sum_before" ] || fail "a refused clean changed the database"
run clean --db "$TMP/n.db" --snap-m 0.5 --json
expect_status 0 "clean the near-miss"
py_json "
assert d['to'] == 'parks_clean' and d['features'] == 2, d
# B's two west corners moved 0.30 m onto A's (GK scale 2e-4)
assert d['vertices_moved'] == 2 and all(abs(m['moved_m'] - 0.30) < 0.005 for m in d['moves']), d['moves']
assert abs(d['max_moved_m'] - 0.30) < 0.005 and d['reassigned'] == [], d
# B grew by the 0.30 m strip along 100 m: 30 m2
ch = d['area_changes']
assert len(ch) == 1 and abs(ch[0]['after_m2'] - ch[0]['before_m2'] - 30) < 0.1, ch
" "near-miss snapped, every move reported"
run clean --db "$TMP/n.db" --snap-m 0.5
expect_status 2 "an existing output layer needs --overwrite"
run check --db "$TMP/n.db" --layer parks_clean --target-km2 0.02 --json
py_json "
assert d['qa'] == [], d['qa']
p = d['adjacency']['pairs']
assert len(p) == 1 and p[0]['relation'] == 'shares_edge' and abs(p[0]['shared_m'] - 100) < 0.1, p
" "after clean: one shared edge of 100 m, no finding"
run area --db "$TMP/n.db" --layer parks_clean --json
py_json "assert len(d['parks' if 'parks' in d else 'rows']) == 2" "the repaired layer is a layer like any other"
run check --db "$TMP/n.db" --target-km2 0.02 --json
py_json "assert [q['kind'] for q in d['qa']] == ['near_miss', 'gap'], d['qa']" "the source layer is untouched"

# 2. sliver
run import "$TMP/hole.geojson" --db "$TMP/h.db" --quiet
run check --db "$TMP/h.db" --target-km2 0.04 --json
py_json "
g = [q for q in d['qa'] if q['kind'] == 'gap']
assert len(g) == 1 and abs(g[0]['area_m2'] - 0.1559) < 0.002, d['qa']
" "the hole is a gap before"
run clean --db "$TMP/h.db" --json
expect_status 0 "clean the hole"
py_json "
r = d['reassigned']
# 0.6^2 * sqrt(3)/4 = 0.1559 m2 (planar; ellipsoid within 5e-4)
assert len(r) == 1 and r[0]['kind'] == 'sliver' and r[0]['from_fid'] is None, r
assert abs(r[0]['area_m2'] - 0.1559) < 0.002, r
assert d['vertices_moved'] == 0, d
" "the sliver went to one neighbour"
run check --db "$TMP/h.db" --layer parks_clean --target-km2 0.04 --json
py_json "assert d['qa'] == [], d['qa']" "after clean: no gap"

# 3. thin overlap
run import "$TMP/dent.geojson" --db "$TMP/d.db" --quiet
# 0.44 m: the apex, 0.45 m from Y's edge, is not noded onto it; the overlap's
# widest is 0.42 m (the triangle's inscribed circle), under the tolerance.
run clean --db "$TMP/d.db" --snap-m 0.44 --json
expect_status 0 "clean the dent"
py_json "
r = d['reassigned']
# the dent: 1.4 m x 0.45 m / 2 = 0.315 m2 (Y's 200 m edge, straight in lon/lat,
# bows 0.5 mm in Gauss-Krueger: 1e-3 m2 here), taken from one park, kept by the other
assert len(r) == 1 and r[0]['kind'] == 'overlap' and abs(r[0]['area_m2'] - 0.315) < 0.005, r
assert r[0]['from_fid'] != r[0]['to_fid'], r
" "the thin overlap left to one park"
run check --db "$TMP/d.db" --layer parks_clean --target-km2 0.04 --json
py_json "
p = d['adjacency']['pairs']
assert len(p) == 1 and p[0]['relation'] == 'shares_edge' and p[0]['overlap_m2'] == 0, p
u = d['area_km2']
assert abs(u['union'] - u['ellipsoidal']) * 1e6 < 0.01, u   # nothing counted twice
" "after clean: no overlap"

# 4. a fold becomes a valid polygon
run import "$TMP/tongue.geojson" --db "$TMP/t.db" --quiet
run clean --db "$TMP/t.db" --snap-m 0.5 --json
expect_status 0 "clean the tongue"
run check --db "$TMP/t.db" --layer parks_clean --target-km2 0.02 --json
py_json "assert 'invalid_geometry' not in [q['kind'] for q in d['qa']], d['qa']" \
  "snapping's folds are made valid"

# 5. a park smaller than the tolerance as a whole is kept as it was, said so
python3 - "$TMP" <<'PY'
import json, math, sys
lat0 = 31.2
def pt(x, y):
    return [121.6 + x / (111320.0 * math.cos(math.radians(lat0))), lat0 + y / 110574.0]
tiny = [pt(500, 500), pt(500.03, 500), pt(500, 500.03), pt(500, 500)]
big = [pt(0, 0), pt(100, 0), pt(100, 100), pt(0, 100), pt(0, 0)]
json.dump({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"name": n}, "geometry": {"type": "Polygon", "coordinates": [r]}}
    for n, r in (("Big", big), ("Tiny", tiny))]}, open(sys.argv[1] + "/tiny.geojson", "w"))
PY
run import "$TMP/tiny.geojson" --db "$TMP/tiny.db" --quiet
run clean --db "$TMP/tiny.db" --json
expect_status 0 "clean with a park under the tolerance"
py_json "assert d['kept_collapsed'] == [1] and d['vertices_moved'] == 0, d" "the tiny park is kept, not moved"
run check --db "$TMP/tiny.db" --layer parks_clean --target-km2 0.01 --json
py_json "
assert 'invalid_geometry' not in [q['kind'] for q in d['qa']], d['qa']
assert len(d['parks']) == 2 and all(p['ellipsoidal_km2'] is not None for p in d['parks']), d['parks']
" "no park lost, none without geometry"

# usage
run clean --db "$TMP/t.db" --snap-m -1
expect_status 2 "a negative tolerance is a usage error"
run clean --db "$TMP/t.db" --to qa_issues
expect_status 2 "analysis tables are not a target"
finish
