#!/usr/bin/env bash
# Issue 11, the topology engine: adjacency and the topology QA (gap, overlap,
# near_miss) on layers built the way real data is. Fixtures and their answers
# come from tests/fixtures/make_topology.py (see tests/fixtures/README.md).
#
# Tolerances, and where they come from:
# - Lengths 1e-3 relative: the answers are ellipsoid values exact to ~1e-8;
#   an engine measuring in the storage CRS (EPSG:4550, Gauss-Krueger CM 123E)
#   is off by its scale factor, at 121.6E at most 1 + (133 km / R)^2 / 2,
#   i.e. 2.3e-4; the 3 mm noise moves a 100 m edge's ends by < 1e-4.
# - Areas 1 %: ellipsoid vs construction differ by 3e-5, GK area scale 4.6e-4;
#   the rest is room for how the engine closes an open-ended strip.
# - Widths/deviations: +-0.05 m (the default snap) for the strip's 3 m,
#   +-0.01 m for the 30 cm near miss (GK scale moves it by 7e-5 m; nothing
#   else lies within the snap of those edges, so nothing may move them).
# - Strip and near-miss lengths 2 %: a 3 m wide, 560 m long piece measured
#   along its centre line, its outline (half perimeter) or area/width
#   differs by up to 2 x 3 m / 560 m = 1.1 %.
. "$(dirname "$0")/lib.sh"

FX="$TMP/fx"
python3 "$SRC/tests/fixtures/make_topology.py" "$FX" || { echo "FAIL: generator" >&2; exit 1; }
E="$FX/expected_topology.json"

# Helpers used by the python checks below (loaded into py_json's namespace).
cat >"$TMP/topo.py" <<'PY'
import json, math
E = json.load(open(__import__("os").environ["PM_TOPO_EXPECTED"]))
LEN_REL = 1e-3
TOPO = ("gap", "overlap", "near_miss", "duplicate")

def key(parks):
    return tuple(sorted(parks))

def pairs_of(d):
    return {key(p["parks"]): p for p in d["pairs"]}

def corners_of(d):
    return {key(p["parks"]) for p in d["corner_only"]}

def assert_adjacency(d, exp, rel=LEN_REL, abs_m=0.0):
    """Exactly the expected shares_edge pairs with their lengths (within
    rel * length + abs_m), and (when exp names them) exactly the expected
    corner_only pairs."""
    got = pairs_of(d)
    want = {key(p[:2]): p[2] for p in exp["pairs"]}
    missing = sorted(set(want) - set(got)); extra = sorted(set(got) - set(want))
    assert not missing and not extra, ("%d missing, e.g. %s; %d extra, e.g. %s"
                                       % (len(missing), missing[:3], len(extra), extra[:3]))
    bad = [(k, got[k]["relation"]) for k in want if got[k]["relation"] != "shares_edge"]
    assert not bad, ("%d pairs not shares_edge, e.g. %s" % (len(bad), bad[:3]))
    off = [(k, got[k]["shared_m"], w) for k, w in want.items()
           if not abs(got[k]["shared_m"] - w) <= rel * w + abs_m]
    assert not off, ("%d shared lengths off, e.g. %s" % (len(off), off[:3]))
    if "corner_only" in exp:
        c = corners_of(d); wc = {key(p) for p in exp["corner_only"]}
        assert c == wc, ("corner_only: %d missing, e.g. %s; %d extra, e.g. %s"
                         % (len(wc - c), sorted(wc - c)[:3], len(c - wc), sorted(c - wc)[:3]))

def findings(d, kind):
    return [q for q in d["qa"] if q["kind"] == kind]

def assert_clean(d):
    bad = [q for q in d["qa"] if q["kind"] in TOPO]
    assert not bad, ("%d topology findings, e.g. %s" % (len(bad), bad[:2]))
PY
export PM_TOPO_EXPECTED="$E"
T="import sys; sys.path.insert(0, '$TMP'); from topo import *;"

imp() { # imp NAME: import $FX/NAME.geojson into $TMP/NAME.db
  run import "$FX/$1.geojson" --db "$TMP/$1.db" --quiet
  expect_status 0 "import $1"
}
total() { python3 -c "import json; print(repr(json.load(open('$E'))$1['total_km2']))"; }

# 1. float_grid: 10 x 10 squares of 100 m, each corner computed per parcel in
# floating point (copies of a shared vertex differ in the last bits).
imp float_grid
run adjacency --db "$TMP/float_grid.db" --json
expect_status 0 "adjacency float_grid"
py_json "$T
assert_adjacency(d, E['float_grid'])
assert len(d['pairs']) == 180 and len(d['corner_only']) == 162
" "float_grid: 180 shared edges, 162 corner-only pairs"
run check --db "$TMP/float_grid.db" --target-km2 "$(total "['float_grid']")" --json
expect_status 0 "check float_grid passes"
py_json "$T assert_clean(d)" "float_grid: no gap, overlap or near_miss"

# 2. mm_noise: the same grid, every copy of every vertex moved by +-3 mm.
imp mm_noise
run adjacency --db "$TMP/mm_noise.db" --json
expect_status 0 "adjacency mm_noise"
py_json "$T
e = E['mm_noise']
# The fixture's premise: two copies of a vertex (each moved <= 4.2 mm) are
# well within the default snap, which the issue puts between 1 mm and 10 cm.
assert 0.001 <= d['snap_m'] <= 0.1 and d['snap_m'] >= 2 * e['max_displacement_m'], d['snap_m']
assert_adjacency(d, e)
" "mm_noise: same answer as the exact grid"
run check --db "$TMP/mm_noise.db" --target-km2 "$(total "['mm_noise']")" --json
expect_status 0 "check mm_noise passes"
py_json "$T assert_clean(d)" "mm_noise: no gap, overlap or near_miss"
# Below the noise the answer may change, but the commands must still work.
run adjacency --db "$TMP/mm_noise.db" --snap-m 0.001 --json
expect_status 0 "adjacency --snap-m 0.001 on mm noise"
py_json "assert d['snap_m'] == 0.001" "--snap-m is echoed"
run check --db "$TMP/mm_noise.db" --target-km2 "$(total "['mm_noise']")" --snap-m 0.001 --json
[ "$status" -eq 0 ] || [ "$status" -eq 1 ] || fail "check --snap-m 0.001: exit status $status"
py_json "assert isinstance(d['qa'], list)" "check --snap-m 0.001 prints its JSON"

# 3. tjunction: Big's straight east edge meets Small1 and Small2, no vertex
# of Big at the junction.
imp tjunction
run adjacency --db "$TMP/tjunction.db" --json
expect_status 0 "adjacency tjunction"
py_json "$T
assert_adjacency(d, E['tjunction'])
assert d['corner_only'] == [], d['corner_only']
" "tjunction: three shared edges of 100 m"
run check --db "$TMP/tjunction.db" --target-km2 "$(total "['tjunction']")" --json
expect_status 0 "check tjunction passes"
py_json "$T assert_clean(d)" "tjunction: no gap, overlap or near_miss"

# 4. strip: two rows of 7 parcels (80 m x 60 m) 3.000 m apart: one gap of
# 560 m x 3 m = 1,680 m2 (ellipsoid: 1,679.95 m2), bordered by all 14.
imp strip
run adjacency --db "$TMP/strip.db" --json
expect_status 0 "adjacency strip"
py_json "$T
assert_adjacency(d, E['strip'])   # the 12 in-row pairs, nothing across the strip
assert d['corner_only'] == [], d['corner_only']
" "strip: parcels across the strip are not neighbours"
run check --db "$TMP/strip.db" --target-km2 "$(total "['strip']")" --gap-m 5 --json
expect_status 1 "check strip --gap-m 5 finds the strip"
py_json "$T
e = E['strip']
g = findings(d, 'gap')
assert len(g) == 1, ('%d gap findings' % len(g), g[:3])
g = g[0]
assert abs(g['area_m2'] - e['area_m2']) <= 0.01 * e['area_m2'], (g['area_m2'], e['area_m2'])
assert abs(g['width_m'] - e['width_m']) <= 0.05, (g['width_m'], e['width_m'])
assert abs(g['length_m'] - e['length_m']) <= 0.02 * e['length_m'], (g['length_m'], e['length_m'])
assert sorted(g['parks']) == sorted(e['south'] + e['north']), g['parks']
fids = sorted(p['fid'] for p in d['parks'])
assert len(fids) == 14 and sorted(g['fids']) == fids, (g['fids'], fids)
" "strip: one gap of 1,680 m2, 3 m wide, 560 m long, bordered by all 14 parcels"
run check --db "$TMP/strip.db" --target-km2 "$(total "['strip']")" --gap-m 2 --json
expect_status 0 "check strip --gap-m 2 passes"
py_json "$T assert not findings(d, 'gap'), findings(d, 'gap')" "a 3 m strip is no gap at --gap-m 2"

# 5. overlap: OvB starts 10 m inside OvA, both 100 m tall: 1,000 m2 shared.
imp overlap_topo
run adjacency --db "$TMP/overlap_topo.db" --json
expect_status 0 "adjacency overlap"
py_json "$T
e = E['overlap']
assert len(d['pairs']) == 1, d['pairs']
p = d['pairs'][0]
assert key(p['parks']) == key(e['pair']) and p['relation'] == 'overlaps', p
assert abs(p['overlap_m2'] - e['overlap_m2']) <= 0.01 * e['overlap_m2'], p
" "overlap: adjacency says overlaps, 1,000 m2"
run check --db "$TMP/overlap_topo.db" --target-km2 "$(total "['overlap']")" --json
expect_status 1 "check overlap fails"
py_json "$T
e = E['overlap']
o = findings(d, 'overlap')
assert len(o) == 1 and key(o[0]['parks']) == key(e['pair']), o
assert o[0]['unit'] == 'm2' and abs(o[0]['measure'] - e['overlap_m2']) <= 0.01 * e['overlap_m2'], o
assert not findings(d, 'gap'), findings(d, 'gap')
" "overlap: one overlap finding of 1,000 m2"

# 6. near_miss: NmB's west edge runs 0.30 m east of NmA's east edge for 100 m.
imp near_miss
run adjacency --db "$TMP/near_miss.db" --json
expect_status 0 "adjacency near_miss"
py_json "$T
assert not [p for p in d['pairs'] if p['relation'] == 'shares_edge'], d['pairs']
" "near_miss: 30 cm apart is not a shared edge"
run adjacency --db "$TMP/near_miss.db" --tolerance-m 0.5 --json
expect_status 0 "adjacency near_miss --tolerance-m 0.5"
py_json "$T
e = E['near_miss']
assert len(d['pairs']) == 1, d['pairs']
p = d['pairs'][0]
assert key(p['parks']) == key(e['pair']) and p['relation'] == 'within_tolerance', p
assert abs(p['distance_m'] - e['distance_m']) <= 0.01, p
assert abs(p['shared_m'] - e['length_m']) <= 0.02 * e['length_m'], p
" "near_miss: within_tolerance at 0.5 m"
run check --db "$TMP/near_miss.db" --target-km2 "$(total "['near_miss']")" --json
expect_status 1 "check near_miss fails"
py_json "$T
e = E['near_miss']
n = findings(d, 'near_miss')
assert len(n) == 1 and key(n[0]['parks']) == key(e['pair']), n
n = n[0]
assert n['unit'] == 'm' and abs(n['measure'] - e['distance_m']) <= 0.01, n
assert abs(n['length_m'] - e['length_m']) <= 0.02 * e['length_m'], n
" "near_miss: one finding, 0.30 m over 100 m"
run check --db "$TMP/near_miss.db" --target-km2 "$(total "['near_miss']")" --gap-m 0.2 --json
py_json "$T assert not findings(d, 'near_miss'), findings(d, 'near_miss')" \
  "a 0.30 m deviation is no near miss at --gap-m 0.2"

# 7. Property: jittered 15 x 15 quad tessellations (3 seeds); every copy of
# every vertex moved by < 1 cm must change nothing. Shared lengths of the two
# may differ by the noise at both ends plus what snapping moves them:
# 2 x (7.1 mm + snap_m).
for s in 1 2 3; do
  imp "prop_${s}_exact"
  imp "prop_${s}_noisy"
  run adjacency --db "$TMP/prop_${s}_exact.db" --json
  expect_status 0 "adjacency prop $s exact"
  cp "$out" "$TMP/adj_exact.json"
  py_json "$T assert_adjacency(d, E['property']['$s'])" "property seed $s: exact tessellation"
  run adjacency --db "$TMP/prop_${s}_noisy.db" --json
  expect_status 0 "adjacency prop $s noisy"
  py_json "$T
e = E['property']['$s']
x = json.load(open('$TMP/adj_exact.json'))
gx, gn = pairs_of(x), pairs_of(d)
assert set(gx) == set(gn), ('pair sets differ', sorted(set(gx) ^ set(gn))[:5])
rel = [k for k in gx if gx[k]['relation'] != gn[k]['relation']]
assert not rel, ('relations differ', [(k, gx[k]['relation'], gn[k]['relation']) for k in rel[:3]])
assert corners_of(x) == corners_of(d), sorted(corners_of(x) ^ corners_of(d))[:5]
tol = 2 * (e['max_displacement_m'] + d['snap_m'])
off = [(k, gx[k]['shared_m'], gn[k]['shared_m']) for k in gx
       if abs(gx[k]['shared_m'] - gn[k]['shared_m']) > tol]
assert not off, ('%d shared lengths moved by more than %.3f m' % (len(off), tol), off[:3])
assert_adjacency(d, e, abs_m=tol)
" "property seed $s: noise below the snap changes nothing"
  run check --db "$TMP/prop_${s}_noisy.db" --target-km2 \
    "$(python3 -c "import json; print(json.load(open('$E'))['property']['$s']['noisy_total_km2'])")" --json
  expect_status 0 "check prop $s noisy passes"
  py_json "$T assert_clean(d)" "property seed $s: no gap, overlap or near_miss"
done

# --- storage CRS in degrees: tolerances are ground metres, converted at the
# layer's centre (not 0.05 degrees, which would fold every parcel to a point)

run import "$FX/strip.geojson" --db "$TMP/strip4326.db" --t-srs EPSG:4326 --quiet
run check --db "$TMP/strip4326.db" --target-km2 0.0672 --gap-m 5 --json
py_json "
u = d['area_km2']
assert abs(u['union'] - u['ellipsoidal']) < 1e-9 and abs(u['union'] - 0.0671982) < 1e-6, u
g = [q for q in d['qa'] if q['kind'] == 'gap']
assert len(g) == 1 and abs(g[0]['area_m2'] - 1679.95) < 17 and abs(g[0]['width_m'] - 3) < 0.05, g
" "EPSG:4326 storage: the same union and the same 3 m gap"

# --- the adjacency table's shared boundary: one line per run of edges, never
# a line joining two parts of a multipolygon across its neighbour
python3 - "$TMP" <<'PY'
import json, math, sys
lat0 = 31.2
def pt(x, y):
    return [121.6 + x / (111320.0 * math.cos(math.radians(lat0))), lat0 + y / 110574.0]
def sq(x0, x1):
    return [[pt(x0, 0), pt(x1, 0), pt(x1, 100), pt(x0, 100), pt(x0, 0)]]
json.dump({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"name": "F"},
     "geometry": {"type": "MultiPolygon", "coordinates": [sq(0, 100), sq(200, 300)]}},
    {"type": "Feature", "properties": {"name": "G"},
     "geometry": {"type": "Polygon", "coordinates": sq(100, 200)}}]},
    open(sys.argv[1] + "/chain.geojson", "w"))
PY
run import "$TMP/chain.geojson" --db "$TMP/chain.db" --quiet
run adjacency --db "$TMP/chain.db" --json
py_json "
p = d['pairs']
# placed with 110,574 m a degree of latitude, the meridian's is 110,874 at
# 31.2 N: the two 100-unit edges are 2 x 100.27 m on the ground
assert len(p) == 1 and abs(p[0]['shared_m'] - 200.54) < 0.05, p
" "a multipolygon shares 2 x 100 m with the park between its parts"
parts=$(sqlite3 "$TMP/chain.db" "SELECT load_extension('mod_spatialite');
  SELECT NumGeometries(geom), round(ST_Length(geom)) FROM adjacency;" 2>/dev/null | tail -1)
[ "$parts" = "2|201.0" ] || fail "the shared boundary is two lines of ~100 m (got '$parts')"

finish
