#!/usr/bin/env bash
# Topology QA (qa_issues), adjacency with a tolerance, and layout clusters.
. "$(dirname "$0")/lib.sh"
F="$SRC/tests/fixtures"

python3 - "$TMP" <<'PY'
import json, math, sys
tmp = sys.argv[1]
M = 111320.0  # metres per degree of latitude, near enough to place shapes
def box(lon, lat, w, h):
    dx = w / (M * math.cos(math.radians(lat))); dy = h / M
    return [[lon, lat], [lon + dx, lat], [lon + dx, lat + dy], [lon, lat + dy], [lon, lat]]
def feat(name, polys):
    return {"type": "Feature", "properties": {"name": name, "industry": "x"},
            "geometry": {"type": "MultiPolygon", "coordinates": [[p] for p in polys]}}
lat = 31.2
g1 = box(121.600, lat, 500, 500)
g2 = box(121.600 + 502 / (M * math.cos(math.radians(lat))), lat, 500, 500)  # 2 m east of g1
qa = [
    feat("Dup1", [box(121.620, lat, 400, 400)]),
    feat("Dup2", [box(121.620, lat, 400, 400)]),
    feat("Gap1", [g1]),
    feat("Gap2", [g2]),
    feat("Multi", [box(121.640, lat, 600, 600), box(121.650, lat, 7, 7)]),  # 49 m2 part
    feat("Out", [box(121.660, lat, 600, 600)]),
]
json.dump({"type": "FeatureCollection", "features": qa}, open(f"{tmp}/qa.geojson", "w"))
outline = box(121.59, 31.19, 7000, 3000)  # ends at ~121.6636E: "Out" sticks out
json.dump({"type": "FeatureCollection", "features": [feat("outline", [outline])]},
          open(f"{tmp}/outline.geojson", "w"))
bow = [[121.6, 31.2], [121.61, 31.21], [121.61, 31.2], [121.6, 31.21], [121.6, 31.2]]
json.dump({"type": "FeatureCollection", "features": [feat("Bow", [bow])]},
          open(f"{tmp}/bow.geojson", "w"))
# A T-junction: A's east edge lies on B's long west edge in WGS 84 (same
# meridian, A's corners not vertices of B). In Gauss-Krueger the meridian
# bends away from B's straight 12 km edge by ~6 cm: exact contact is lost.
A = [[121.60, 31.20], [121.61, 31.20], [121.61, 31.21], [121.60, 31.21], [121.60, 31.20]]
B = [[121.61, 31.15], [121.63, 31.15], [121.63, 31.26], [121.61, 31.26], [121.61, 31.15]]
json.dump({"type": "FeatureCollection", "features": [feat("A", [A]), feat("B", [B])]},
          open(f"{tmp}/tjunction.geojson", "w"))
PY

DB="$TMP/qa.db"
run import "$TMP/qa.geojson" --db "$DB"
expect_status 0 "import qa fixture"
run import "$TMP/outline.geojson" --db "$DB" --layer outline --t-srs EPSG:4550
run check --db "$DB" --target-km2 1.3 --within outline --json
expect_status 1 "QA problems fail the check"
py_json "
qa = d['qa']
kinds = sorted(q['kind'] for q in qa)
assert kinds == ['duplicate', 'gap', 'near_miss', 'outside_boundary', 'small_part'], kinds
by = {q['kind']: q for q in qa}
assert sorted(by['duplicate']['parks']) == ['Dup1', 'Dup2']
assert sorted(by['gap']['parks']) == ['Gap1', 'Gap2']
# 2 m apart along 500 m (GK scale 0.02 %): one piece of ground, 1,000 m2
assert abs(by['gap']['width_m'] - 2.0) < 0.05, by['gap']
assert abs(by['gap']['area_m2'] - 1000) < 10 and by['gap']['measure'] == by['gap']['area_m2'], by['gap']
assert abs(by['gap']['length_m'] - 500) < 5, by['gap']
# the same two boundaries run 2 m apart without meeting: a near-miss
assert sorted(by['near_miss']['parks']) == ['Gap1', 'Gap2'], by['near_miss']
assert abs(by['near_miss']['measure'] - 2.0) < 0.05 and by['near_miss']['unit'] == 'm', by['near_miss']
assert by['small_part']['parks'] == ['Multi']
assert abs(by['small_part']['measure'] - 49) < 1, by['small_part']
assert by['outside_boundary']['parks'] == ['Out']
assert 'double_counting' in [p['kind'] for p in d['problems']]
" "QA findings"

run info --db "$DB" --json
py_json "
l = {x['name']: x for x in d['layers']}
assert l['qa_issues']['features'] == 5, l['qa_issues']
" "qa_issues table written"
run export --db "$DB" -o "$TMP/qa.gpkg" --layers parks,qa_issues,adjacency
expect_status 0 "export the QA layers"
ogrinfo -ro -so "$TMP/qa.gpkg" qa_issues 2>/dev/null | grep -q "Feature Count: 5" ||
  fail "qa_issues exported with its 5 findings"

run check --db "$DB" --target-km2 1.3 --within outline --gap-m 1 --json
py_json "assert not {'gap', 'near_miss'} & {q['kind'] for q in d['qa']}" "a 1 m threshold ignores a 2 m gap"

run import "$TMP/bow.geojson" --db "$TMP/bow.db" --allow-invalid
expect_status 0 "--allow-invalid stores a bow-tie"
run check --db "$TMP/bow.db" --json
expect_status 1 "invalid geometry fails the check"
py_json "
q = d['qa'][0]
assert q['kind'] == 'invalid_geometry' and q['parks'] == ['Bow'], q
assert 'Self-intersection' in q['detail'], q
" "invalid geometry reported with GEOS's reason"

# --make-valid repairs in place, says so, and the check then runs on the
# repaired parks: the bow-tie becomes its two triangles (half the box).
sum_bow=$(sha256sum "$TMP/bow.db")
run check --db "$TMP/bow.db" --make-valid --target-km2 0.5283 --json
expect_status 0 "repaired data passes"
py_json "
q = [x for x in d['qa'] if x['kind'] == 'repaired_geometry']
assert len(q) == 1 and q[0]['parks'] == ['Bow'] and 'Self-intersection' in q[0]['detail'], d['qa']
assert not [p for p in d['problems'] if p['kind'] == 'invalid_geometry'], d['problems']
assert abs(d['area_km2']['ellipsoidal'] - 0.5 * 1.056612) / 0.528 < 2e-3, d['area_km2']
" "make-valid repairs and reports"
run check --db "$TMP/bow.db" --target-km2 0.5283 --json
expect_status 0 "the repair is stored"
chmod a-w "$TMP/bow.db"
run check --db "$TMP/bow.db" --make-valid
[ "$(id -u)" = 0 ] || expect_status 2 "--make-valid refuses a read-only database"
chmod u+w "$TMP/bow.db"

# Adjacency with a tolerance finds the pair reprojection pulled apart.
run import "$TMP/tjunction.geojson" --db "$TMP/tj.db"
run adjacency --db "$TMP/tj.db" --json
py_json "assert d['pairs'] == [], d" "exact contact is lost after reprojection"
run adjacency --db "$TMP/tj.db" --tolerance-m 0.1 --json
py_json "
p = d['pairs'][0]
assert p['relation'] == 'within_tolerance' and sorted(p['parks']) == ['A', 'B'], p
assert abs(p['shared_m'] - 1108.73) < 1, p   # A's whole east edge (GeodSolve 1108.730 m)
assert 0 < p['distance_m'] < 0.1, p
" "tolerance of 10 cm restores the neighbours"
run info --db "$TMP/tj.db" --json
py_json "assert {x['name']: x for x in d['layers']}['adjacency']['features'] == 1" \
  "adjacency table written"

# Layout: the adjacency fixture's P1-P4 touch (edges and a corner), P5 is
# ~600 m away from all of them.
run import "$F/adjacency.geojson" --db "$TMP/adj.db"
run layout --db "$TMP/adj.db" --cluster-m 500 --json
expect_status 0 "layout"
py_json "
allc = [c for c in d['clusters'] if c['scope'] == 'all']
assert sorted(c['park_count'] for c in allc) == [1, 4], allc
big = [c for c in allc if c['park_count'] == 4][0]
e = json.load(open('$F/expected.json'))['adjacency']['parks_area_m2']
want = sum(v for k, v in e.items() if k != 'P5') / 1e6
assert abs(big['area_km2'] - want) / want < 1e-5, (big, want)
for p in d['parks']:
    assert 0.5 < p['polsby_popper'] <= 0.786, p   # rectangles: pi/4 for a square
" "clusters at 500 m"
run layout --db "$TMP/adj.db" --cluster-m 700 --json
py_json "assert [c['park_count'] for c in d['clusters'] if c['scope'] == 'all'] == [5]" \
  "one cluster at 700 m"

# Nearest park of the same industry on the shipped data (R*Tree search):
# Data Chain and Zhangjiang Online share an edge; the IC Design park's
# nearest IC park is Oriental Chip Harbour, 33.8 km away on the ground:
# 33,831.07 m, the geodesic between the nearest points (GeographicLib; the
# grid metres of EPSG:4550 say 33,837, its scale being 1.00017 there); AI
# Island is alone.
run import "$SRC/geodata/pudong_parks.geojson" --db "$TMP/pd.db"
run layout --db "$TMP/pd.db" --no-tables --json
py_json "
p = {x['name']: x for x in d['parks']}
assert p['Zhangjiang Data Chain']['nearest_same_m'] == 0
assert abs(p['Shanghai IC Design Industrial Park']['nearest_same_m'] - 33831.07) < 0.5
assert p['Zhangjiang AI Island']['nearest_same_m'] is None
" "nearest park of the same industry"

# The planning indicators (issue 13) on the shipped data with the district
# outline as the study area: present, in range, and the same figures for
# the same seed.
run import "$SRC/geodata/pudong_outline.geojson" --db "$TMP/pd.db" --layer outline
expect_status 0 "import the outline"
run layout --db "$TMP/pd.db" --json
expect_status 0 "layout with the outline"
cp "$out" "$TMP/ind1.json"
py_json "
assert d['study_area'] == 'outline', d['study_area']
# the outline's union on the ellipsoid, as area --layer outline gives it
assert 1000 < d['study_area_km2'] < 2000, d['study_area_km2']
assert d['colocation_m'] == 2000
c = d['colocation']
assert c['seed'] == 20221 and c['runs'] == 999, c
assert 0 <= c['share'] <= 1 and 0 <= c['expected'] <= 1, c
assert 1 / 1000 <= c['p'] <= 1, c
for p in d['parks']:
    assert 0 < p['hull_ratio'] <= 1 + 1e-9, p
# Oriental Chip Harbour's four blocks fill little of their hull
hr = {p['name']: p['hull_ratio'] for p in d['parks']}
assert hr['Lingang Oriental Chip Harbour'] < 0.7, hr
for cl in d['clusters']:
    e = cl['mix_entropy']
    assert e is not None and 0 <= e <= 1, cl
    if cl['scope'] != 'all':
        assert e == 0, cl   # one industry by construction
assert max(cl['mix_entropy'] for cl in d['clusters']) > 0   # Zhangjiang mixes uses
g = {x['group']: x for x in d['groups']}
assert sorted(g) == sorted({p['group'] for p in d['parks']}), sorted(g)
assert sum(x['parks'] for x in g.values()) == len(d['parks'])
for x in g.values():
    if x['parks'] < 2:
        assert x['clark_evans_r'] is None and x['mean_nn_m'] is None, x
        continue
    assert x['clark_evans_r'] > 0 and x['expected_nn_m'] > 0, x
    assert abs(x['clark_evans_r'] - x['mean_nn_m'] / x['expected_nn_m']) < 1e-9, x
    # expected = 0.5 / sqrt(n / A), with A the study area
    want = 0.5 / math.sqrt(x['parks'] / (d['study_area_km2'] * 1e6))
    assert abs(x['expected_nn_m'] - want) < 1e-6 * want, (x, want)
    for k in ('colocation', 'colocation_expected'):
        assert x[k] is None or 0 <= x[k] <= 1, x
    assert x['colocation_p'] is None or 0 < x['colocation_p'] <= 1, x
# the two IC parks: each is the other's nearest centroid, tens of km apart
ic = g['integrated circuits']
assert 30000 < ic['mean_nn_m'] < 45000 and ic['clark_evans_r'] > 1, ic
" "planning indicators in layout --json"
run layout --db "$TMP/pd.db" --json
cmp -s "$out" "$TMP/ind1.json" || fail "the same seed gives the same figures"
run layout --db "$TMP/pd.db" --json --seed 1 --runs 99 --colocation-m 5000
py_json "
c = d['colocation']
assert c['seed'] == 1 and c['runs'] == 99 and d['colocation_m'] == 5000, c
assert 1 / 100 <= c['p'] <= 1, c
" "--seed, --runs and --colocation-m"
run layout --db "$TMP/pd.db" --runs -1
expect_status 2 "--runs below 0 is a usage error"
n=$(sqlite3 "$TMP/pd.db" "SELECT count(*) FROM clusters WHERE mix_entropy BETWEEN 0 AND 1")
all=$(sqlite3 "$TMP/pd.db" "SELECT count(*) FROM clusters")
[ -n "$n" ] && [ "$n" = "$all" ] && [ "$all" -gt 0 ] ||
  fail "clusters table: mix_entropy in [0, 1] on every row ($n of $all)"
run layout --db "$TMP/pd.db" --csv --no-tables
head -1 "$out" | grep -q ',polsby_popper,hull_ratio,nearest_same_m,' || fail "--csv has hull_ratio"

# A layer too dense to count every link: with --colocation-m beyond the
# layer every park neighbours all others (3,000 parks: ~9 million links),
# so co-location counts a seeded random sample of parks up to the budget
# of 1,000,000 links (~334 parks of 2,999 links each) and makes fewer
# relabellings (2e8 link counts: ~200). With every other park a neighbour,
# a park's share is (n_g - 1) / (N - 1) whatever the geometry, so the
# observed and expected shares must both be near sum n_g (n_g - 1) /
# (N (N - 1)) (about 1/6 for the six industries): a sample of ~334 parks
# has a standard error of ~0.002 on that, 0.01 is five of them.
python3 "$SRC/tests/bench/gen_parcels.py" 3000 "$TMP/dense.geojson"
run import "$TMP/dense.geojson" --db "$TMP/dense.db" --quiet
expect_status 0 "import 3,000 parcels"
run layout --db "$TMP/dense.db" --no-tables --json --colocation-m 1000000
expect_status 0 "layout on a layer too dense to count every link"
python3 - "$out" <<'PY' || fail "co-location on a dense layer: a bounded sample"
import json, sys
d = json.load(open(sys.argv[1]))
c = d["colocation"]
n = [g["parks"] for g in d["groups"]]
N = sum(n)
want = sum(k * (k - 1) for k in n) / (N * (N - 1))
assert 300 <= c["parks_counted"] <= 400, c
assert 190 <= c["runs"] <= 200, c  # 2e8 over the links counted: a little over 1e6
assert abs(c["share"] - want) < 0.01, (c, want)
assert abs(c["expected"] - want) < 0.01, (c, want)
PY

finish
